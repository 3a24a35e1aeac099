/*
 * Constant-flow test for P-256 / P-384 under valgrind memcheck: the private scalar is marked
 * secret, so any branch or memory index that depends on it (or on the RFC 6979 nonce derived
 * from it) is a valgrind error. Covered: public key from private key (k·G with the base table),
 * ECDH (k·P with the generic window method), ECDSA signing (nonce derivation, k·G, inversion
 * mod n), and on P-256 ECDH, k·G and signing through the portable model of the AVX-512 IFMA
 * code and through the BMI2/ADX code (called directly: valgrind does not report ADX). On P-256 the
 * inversions of secrets (Z for k·G and k·P, k mod n) run in variable time
 * on blinded values, which are declassified first: a secret reaching the inversion unblinded
 * would be a memcheck error here. Results are marked public afterwards and compared with known
 * answers.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/ec_internal.h"
#include "crypto/p256_ifma.h"
#include "ctgrind.h"
#include "testutil.h"

static void unhex(const char *hex, uint8_t *out, size_t len)
{
    size_t n;
    uint8_t *b = tu_hex(hex, &n);
    if (n != len)
        abort();
    memcpy(out, b, n);
    free(b);
}

/* RFC 6979 A.2.5 / A.2.6 keys and SHA-256 / SHA-384 "sample" signatures; Wycheproof ECDH
 * tcId 1 for P-256. */
static void run(tenon_ec_curve curve)
{
    int p256 = curve == TENON_EC_P256;
    const tenon_kex_class *kex = p256 ? &tenon_kex_secp256r1 : &tenon_kex_secp384r1;
    const tenon_hash_class *h = p256 ? &tenon_sha256 : &tenon_sha384;
    size_t len = p256 ? 32 : 48, plen = 1 + 2 * len;
    uint8_t d[48], pub[97], want_pub[97], want_sig[96], sig[TENON_ECDSA_MAX_SIG_LEN], digest[48],
        shared[48];
    uint8_t d2[48], pub2[97], shared2[48], want_shared[48];
    size_t sig_len = 0;
    tenon_ec_private_key key;

    if (p256) {
        unhex("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721", d, 32);
        unhex("0460FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6"
              "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299",
              want_pub, 65);
        unhex("EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716"
              "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8",
              want_sig, 64);
        unhex("0612465c89a023ab17855b0a6bcebfd3febb53aef84138647b5352e02c10c346", d2, 32);
        unhex("0462d5bd3372af75fe85a040715d0f502428e07046868b0bfdfa61d731afe44f26"
              "ac333a93a9e70a81cd5a95b5bf8d13990eb741c8c38872b4a07d275a014e30cf",
              pub2, 65);
        unhex("53020d908b0219328b658b525f26780e3ae12bcd952bb25a93bc0895e1714285", want_shared, 32);
    } else {
        unhex("6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D8"
              "96D5724E4C70A825F872C9EA60D2EDF5",
              d, 48);
        unhex("04EC3A4E415B4E19A4568618029F427FA5DA9A8BC4AE92E02E06AAE5286B300C64"
              "DEF8F0EA9055866064A254515480BC138015D9B72D7D57244EA8EF9AC0C621896708"
              "A59367F9DFB9F54CA84B3F1C9DB1288B231C3AE0D4FE7344FD2533264720",
              want_pub, 97);
        unhex("94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C"
              "81A648152E44ACF96E36DD1E80FABE4699EF4AEB15F178CEA1FE40DB2603138F"
              "130E740A19624526203B6351D0A3A94FA329C145786E679E7B82C71A38628AC8",
              want_sig, 96);
    }

    /* Public key from the secret scalar. */
    SECRET(d, len);
    CHECK_RC(kex->public_from_private(d, pub), TENON_OK);
    PUBLIC(pub, plen);
    CHECK_MEM(pub, want_pub, plen, "public key");

    /* ECDSA signing with the secret key (deterministic nonce, then hedged). */
    tenon_hash(h, "sample", 6, digest);
    CHECK_RC(tenon_ec_private_key_load(curve, &key, d, len), TENON_OK);
    SECRET(key.scalar, len);
    CHECK_RC(tenon_ecdsa_sign(&key, h, digest, len, TENON_ECDSA_RAW, 0, sig, sizeof sig, &sig_len),
             TENON_OK);
    PUBLIC(sig, sizeof sig);
    CHECK(sig_len == 2 * len);
    CHECK_MEM(sig, want_sig, 2 * len, "RFC 6979 signature");
    CHECK_RC(tenon_ecdsa_sign(&key, h, digest, len, TENON_ECDSA_DER, 1, sig, sizeof sig, &sig_len),
             TENON_OK);
    PUBLIC(sig, sizeof sig);
    PUBLIC(&key, sizeof key);
    CHECK_RC(tenon_ecdsa_verify(&key.pub, digest, len, TENON_ECDSA_DER, sig, sig_len), TENON_OK);

    /* ECDH with the secret scalar. P-256: a Wycheproof known answer; P-384: both directions
     * with two secret scalars must agree. */
    if (p256) {
        SECRET(d2, len);
        CHECK_RC(kex->shared_secret(d2, pub2, plen, shared), TENON_OK);
        PUBLIC(shared, len);
        CHECK_MEM(shared, want_shared, len, "ECDH shared secret");
        /* The AVX-512 IFMA multiplication through its portable model (p256_ifma_impl.h, one
         * source for both; valgrind has no AVX-512), unblinded and blinded. */
        uint8_t xy[64], blind[32];
        memset(blind, 0x5c, sizeof blind);
        for (int b = 0; b < 2; b++) {
            SECRET(d2, len);
            SECRET(blind, sizeof blind);
            uint32_t ok = p256_mul_path(P256_PATH_IFMA_MODEL, xy, d2, pub2 + 1, b ? blind : NULL);
            PUBLIC(&ok, sizeof ok);
            PUBLIC(xy, sizeof xy);
            CHECK(ok == 0xFFFFFFFFu);
            CHECK_MEM(xy, want_shared, len, "ECDH through the IFMA model");
        }
        /* k·G and an ECDSA signature through the model: the secret key as scalar and nonce. */
        uint8_t rs[64], rs2[64], e[32], blind2[64];
        memset(e, 0x17, sizeof e);
        memset(blind2, 0x6b, sizeof blind2);
        SECRET(d, len);
        SECRET(blind2, sizeof blind2);
        uint32_t ok = p256_mul_base_path(P256_PATH_IFMA_MODEL, xy, d, blind2);
        PUBLIC(&ok, sizeof ok);
        PUBLIC(xy, sizeof xy);
        CHECK(ok == 0xFFFFFFFFu);
        CHECK_MEM(xy, want_pub + 1, 64, "k*G through the IFMA model");
        SECRET(d, len);
        ok = p256_sign_path(P256_PATH_IFMA_MODEL, rs, rs + 32, d, d, e, blind2);
        PUBLIC(&ok, sizeof ok);
        PUBLIC(rs, sizeof rs);
        PUBLIC(d, len);
        PUBLIC(blind2, sizeof blind2);
        CHECK(ok == 0xFFFFFFFFu);
        CHECK(p256_sign_path(P256_PATH_PORTABLE, rs2, rs2 + 32, d, d, e, blind2) == 0xFFFFFFFFu);
        CHECK_MEM(rs, rs2, 64, "signature through the IFMA model");

        /* The BMI2/ADX field and point code (ec_field_impl.h with FE_ADX): valgrind executes
         * mulx/adcx/adox but its virtual CPU does not report ADX, so the default dispatch never
         * takes that path here; it is called directly (also on a real CPU that has ADX). */
        uint32_t adx = TENON_CPU_BMI2 | TENON_CPU_ADX;
        if (RUNNING_ON_VALGRIND || (tenon_cpu_features() & adx) == adx) {
            for (int b = 0; b < 2; b++) {
                SECRET(d2, len);
                SECRET(blind, sizeof blind);
                ok = p256_mul_path(P256_PATH_ADX_UNCHECKED, xy, d2, pub2 + 1, b ? blind : NULL);
                PUBLIC(&ok, sizeof ok);
                PUBLIC(xy, sizeof xy);
                CHECK(ok == 0xFFFFFFFFu);
                CHECK_MEM(xy, want_shared, len, "ECDH through the ADX path");
            }
            SECRET(d, len);
            SECRET(blind2, sizeof blind2);
            ok = p256_mul_base_path(P256_PATH_ADX_UNCHECKED, xy, d, blind2);
            PUBLIC(&ok, sizeof ok);
            PUBLIC(xy, sizeof xy);
            CHECK(ok == 0xFFFFFFFFu);
            CHECK_MEM(xy, want_pub + 1, 64, "k*G through the ADX path");
            SECRET(d, len);
            SECRET(blind2, sizeof blind2);
            ok = p256_sign_path(P256_PATH_ADX_UNCHECKED, rs, rs + 32, d, d, e, blind2);
            PUBLIC(&ok, sizeof ok);
            PUBLIC(rs, sizeof rs);
            PUBLIC(d, len);
            PUBLIC(blind2, sizeof blind2);
            CHECK(ok == 0xFFFFFFFFu);
            CHECK_MEM(rs, rs2, 64, "signature through the ADX path");
            CHECK(p256_verify_path(P256_PATH_ADX_UNCHECKED, want_pub + 1, e, rs, rs + 32) == 1);
            printf("ct_ec: P-256 BMI2/ADX path tested directly\n");
        }
    } else {
        memset(d2, 0x3c, len);
        PUBLIC(d, len);
        CHECK_RC(kex->public_from_private(d2, pub2), TENON_OK);
        SECRET(d, len);
        SECRET(d2, len);
        CHECK_RC(kex->shared_secret(d, pub2, plen, shared), TENON_OK);
        CHECK_RC(kex->shared_secret(d2, pub, plen, shared2), TENON_OK);
        PUBLIC(shared, len);
        PUBLIC(shared2, len);
        CHECK_MEM(shared, shared2, len, "ECDH both ways");
    }
    tenon_ec_private_key_wipe(&key);
}

int main(void)
{
    /* Both field implementations: BMI2/ADX if this CPU (as valgrind presents it) has them,
     * and the portable one. */
    uint32_t adx = TENON_CPU_BMI2 | TENON_CPU_ADX;
    printf("ct_ec: BMI2/ADX path %s\n",
           (tenon_cpu_features() & adx) == adx ? "tested" : "unavailable");
    run(TENON_EC_P256);
    run(TENON_EC_P384);
    tenon_cpu_set_mask(0);
    run(TENON_EC_P256);
    run(TENON_EC_P384);
    return tu_finish("ct_ec");
}
