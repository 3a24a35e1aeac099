/* Ed25519 (RFC 8032 §5.1): the RFC's §7.1 vectors, every Wycheproof case, the strictness
 * choices of include/tenon/ed25519.h, and a differential test against OpenSSL's EVP Ed25519
 * on random keys and messages (identical public keys and signatures, each verifying the
 * other's, both refusing the same corrupted signatures), on the dispatched and the portable
 * paths. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "testutil.h"

typedef struct rfc_vector {
    const char *seed, *pub, *msg, *sig;
} rfc_vector;

/* RFC 8032 §7.1 TEST 1, TEST 2, TEST 3 and TEST SHA(abc). */
static const rfc_vector RFC8032[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b"
     "4"
     "6bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11"
     "d"
     "8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc"
     "6"
     "594a7c15e9716ed28dc027beceea1ec40a"},
    {"833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
     "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3fee"
     "b"
     "bd454d4423643ce80e2a9ac94fa54ca49f",
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e"
     "0"
     "303dca179c138ac17ad9bef1177331a704"},
};

static void test_rfc8032(void)
{
    for (size_t i = 0; i < sizeof RFC8032 / sizeof RFC8032[0]; i++) {
        size_t sl, pl, ml, gl;
        uint8_t *seed = tu_hex(RFC8032[i].seed, &sl), *pub = tu_hex(RFC8032[i].pub, &pl);
        uint8_t *msg = tu_hex(RFC8032[i].msg, &ml), *want = tu_hex(RFC8032[i].sig, &gl);
        tenon_ed25519_private_key key;
        tenon_ed25519_public_key pk;
        uint8_t sig[64];
        CHECK_RC(tenon_ed25519_private_key_load(&key, seed, sl), TENON_OK);
        CHECK_MEM(key.pub.bytes, pub, 32, "RFC 8032 public key");
        CHECK_RC(tenon_ed25519_sign(&key, msg, ml, sig), TENON_OK);
        CHECK_MEM(sig, want, 64, "RFC 8032 signature");
        CHECK_RC(tenon_ed25519_public_key_load(&pk, pub, pl), TENON_OK);
        CHECK_RC(tenon_ed25519_verify(&pk, msg, ml, sig, 64), TENON_OK);
        /* Any flipped bit of the signature or the message makes it invalid. */
        for (size_t bit = 0; bit < 512; bit += 37) {
            sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            CHECK_RC(tenon_ed25519_verify(&pk, msg, ml, sig, 64), TENON_ERR_BAD_SIGNATURE);
            sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        if (ml > 0) {
            msg[0] ^= 1;
            CHECK_RC(tenon_ed25519_verify(&pk, msg, ml, sig, 64), TENON_ERR_BAD_SIGNATURE);
        }
        tenon_ed25519_private_key_wipe(&key);
        uint8_t zero[sizeof key];
        memset(zero, 0, sizeof zero);
        CHECK_MEM(&key, zero, sizeof key, "wiped key");
        free(seed);
        free(pub);
        free(msg);
        free(want);
    }
}

static int wycheproof_case(const cJSON *group, const cJSON *test, void *arg)
{
    (void)arg;
    const cJSON *key = cJSON_GetObjectItemCaseSensitive(group, "publicKey");
    size_t pl, ml, sl;
    uint8_t *pub = tu_json_hex(key, "pk", &pl);
    uint8_t *msg = tu_json_hex(test, "msg", &ml);
    uint8_t *sig = tu_json_hex(test, "sig", &sl);
    tenon_ed25519_public_key pk;
    int ok = tenon_ed25519_public_key_load(&pk, pub, pl) == TENON_OK &&
             tenon_ed25519_verify(&pk, msg, ml, sig, sl) == TENON_OK;
    free(pub);
    free(msg);
    free(sig);
    return ok;
}

/* The strictness choices documented in ed25519.h, each on a case built here. */
static void test_strictness(void)
{
    size_t n;
    uint8_t *seed = tu_hex(RFC8032[1].seed, &n), *msg = tu_hex(RFC8032[1].msg, &n);
    tenon_ed25519_private_key key;
    uint8_t sig[66];
    CHECK_RC(tenon_ed25519_private_key_load(&key, seed, 32), TENON_OK);
    CHECK_RC(tenon_ed25519_sign(&key, msg, 1, sig), TENON_OK);
    CHECK_RC(tenon_ed25519_verify(&key.pub, msg, 1, sig, 64), TENON_OK);

    /* Lengths other than 64. */
    CHECK_RC(tenon_ed25519_verify(&key.pub, msg, 1, sig, 63), TENON_ERR_BAD_SIGNATURE);
    sig[64] = 0;
    CHECK_RC(tenon_ed25519_verify(&key.pub, msg, 1, sig, 65), TENON_ERR_BAD_SIGNATURE);

    /* S + L (the same S modulo L) is refused: RFC 8032 §5.1.7 "0 <= s < L". */
    static const uint8_t order[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
                                      0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                                      0,    0,    0,    0,    0,    0,    0,    0,
                                      0,    0,    0,    0,    0,    0,    0,    0x10};
    uint8_t mall[64];
    memcpy(mall, sig, 64);
    unsigned carry = 0;
    for (int i = 0; i < 32; i++) {
        unsigned v = (unsigned)mall[32 + i] + order[i] + carry;
        mall[32 + i] = (uint8_t)v;
        carry = v >> 8;
    }
    CHECK(carry == 0); /* S < L < 2^253, so S + L < 2^256 */
    CHECK_RC(tenon_ed25519_verify(&key.pub, msg, 1, mall, 64), TENON_ERR_BAD_SIGNATURE);

    /* Public keys that do not decode (RFC 8032 §5.1.3). */
    tenon_ed25519_public_key pk;
    uint8_t bad[32];
    memset(bad, 0xff, 32);
    bad[0] = 0xed;
    bad[31] = 0x7f; /* y = p: not below p */
    CHECK_RC(tenon_ed25519_public_key_load(&pk, bad, 32), TENON_ERR_BAD_PUBLIC_KEY);
    memset(bad, 0, 32);
    bad[0] = 1;
    CHECK_RC(tenon_ed25519_public_key_load(&pk, bad, 32),
             TENON_OK); /* y = 1: the neutral element */
    bad[31] = 0x80;     /* x = 0 with x_0 = 1 */
    CHECK_RC(tenon_ed25519_public_key_load(&pk, bad, 32), TENON_ERR_BAD_PUBLIC_KEY);
    memset(bad, 0, 32);
    bad[0] = 2; /* y = 2: (y^2 - 1)/(d y^2 + 1) is not a square */
    CHECK_RC(tenon_ed25519_public_key_load(&pk, bad, 32), TENON_ERR_BAD_PUBLIC_KEY);
    CHECK_RC(tenon_ed25519_public_key_load(&pk, key.pub.bytes, 31), TENON_ERR_BAD_PUBLIC_KEY);
    /* verify on an unchecked struct holding such bytes refuses too. */
    memcpy(pk.bytes, bad, 32);
    CHECK_RC(tenon_ed25519_verify(&pk, msg, 1, sig, 64), TENON_ERR_BAD_SIGNATURE);

    /* A non-canonical R (R's y + p, when y < 19) never matches the recomputed encoding: use the
     * neutral element as public key and R, S = 0 (valid under the cofactorless equation for any
     * message since k·0 = 0), then re-encode R's y = 1 as 1 + p. */
    uint8_t id[32] = {1}, zsig[64] = {1};
    CHECK_RC(tenon_ed25519_public_key_load(&pk, id, 32), TENON_OK);
    CHECK_RC(tenon_ed25519_verify(&pk, msg, 1, zsig, 64), TENON_OK);
    memset(zsig, 0xff, 32);
    zsig[0] = 0xee;
    zsig[31] = 0x7f; /* 1 + p = 2^255 - 18 */
    CHECK_RC(tenon_ed25519_verify(&pk, msg, 1, zsig, 64), TENON_ERR_BAD_SIGNATURE);

    CHECK_RC(tenon_ed25519_private_key_load(&key, seed, 31), TENON_ERR_BAD_PRIVATE_KEY);
    free(seed);
    free(msg);
}

static void test_keygen(void)
{
    tenon_ed25519_private_key a, b;
    uint8_t sig[64];
    static const uint8_t msg[] = "keygen";
    CHECK_RC(tenon_ed25519_keygen(&a), TENON_OK);
    CHECK_RC(tenon_ed25519_keygen(&b), TENON_OK);
    CHECK(memcmp(a.seed, b.seed, 32) != 0);
    CHECK_RC(tenon_ed25519_sign(&a, msg, sizeof msg, sig), TENON_OK);
    CHECK_RC(tenon_ed25519_verify(&a.pub, msg, sizeof msg, sig, 64), TENON_OK);
    CHECK_RC(tenon_ed25519_verify(&b.pub, msg, sizeof msg, sig, 64), TENON_ERR_BAD_SIGNATURE);
}

/* Differential test against OpenSSL: same seed, same message. */
static void test_openssl(void)
{
    tu_seed(25519);
    unsigned agree = 0;
    for (int iter = 0; iter < 300; iter++) {
        uint8_t seed[32], msg[700], sig[64], osig[64], opub[32];
        size_t ml = (size_t)(tu_rand_u64() % sizeof msg);
        if (iter < 4)
            ml = (size_t)iter;
        tu_rand(seed, sizeof seed);
        tu_rand(msg, ml);
        tenon_ed25519_private_key key;
        CHECK_RC(tenon_ed25519_private_key_load(&key, seed, 32), TENON_OK);
        CHECK_RC(tenon_ed25519_sign(&key, msg, ml, sig), TENON_OK);

        EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
        size_t olen = 32;
        CHECK(pk != NULL && EVP_PKEY_get_raw_public_key(pk, opub, &olen) == 1 && olen == 32);
        CHECK_MEM(key.pub.bytes, opub, 32, "public key vs OpenSSL");
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        olen = 64;
        CHECK(EVP_DigestSignInit(md, NULL, NULL, NULL, pk) == 1 &&
              EVP_DigestSign(md, osig, &olen, msg, ml) == 1 && olen == 64);
        EVP_MD_CTX_free(md);
        CHECK_MEM(sig, osig, 64, "signature vs OpenSSL");

        /* OpenSSL verifies ours; we verify a corrupted copy and so does OpenSSL: same verdict. */
        EVP_PKEY *vk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, key.pub.bytes, 32);
        if (iter % 3 == 1)
            sig[tu_rand_u64() % 64] ^= (uint8_t)(1u << (tu_rand_u64() % 8));
        else if (iter % 3 == 2 && ml > 0)
            msg[tu_rand_u64() % ml] ^= 0x40;
        md = EVP_MD_CTX_new();
        int o = EVP_DigestVerifyInit(md, NULL, NULL, NULL, vk) == 1 &&
                EVP_DigestVerify(md, sig, 64, msg, ml) == 1;
        EVP_MD_CTX_free(md);
        int t = tenon_ed25519_verify(&key.pub, msg, ml, sig, 64) == TENON_OK;
        CHECK(o == t);
        CHECK(t == (iter % 3 == 0 || (iter % 3 == 2 && ml == 0)));
        agree += (unsigned)(o == t);
        EVP_PKEY_free(pk);
        EVP_PKEY_free(vk);
    }
    printf("openssl differential: %u/300 verdicts agree, every key and signature identical\n",
           agree);
}

/* Public keys and R of small order (the eight points of the torsion subgroup: the neutral
 * element, -1's y, the two of order 4, the four of order 8), S = 0: the cofactorless equation
 * S·B = R + h·A holds when h·A = -R, which depends on h mod 8, so some messages verify and
 * others do not. tenon's verdict (its variable-base multiplication on those points, BMI2 or
 * portable) must be OpenSSL's, and some must verify. */
static void test_small_order_keys(void)
{
    static const char *const torsion[] = {
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    };
    const size_t nt = sizeof torsion / sizeof torsion[0];
    unsigned long n = 0, valid = 0, differ = 0;
    for (size_t a = 0; a < nt; a++) {
        size_t len;
        uint8_t *A = tu_hex(torsion[a], &len);
        tenon_ed25519_public_key pk;
        CHECK_RC(tenon_ed25519_public_key_load(&pk, A, 32), TENON_OK);
        EVP_PKEY *vk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, A, 32);
        CHECK(vk != NULL);
        for (size_t r = 0; r < nt; r++) {
            uint8_t sig[64] = {0}, msg[3] = {(uint8_t)a, (uint8_t)r, 0};
            uint8_t *R = tu_hex(torsion[r], &len);
            memcpy(sig, R, 32);
            free(R);
            for (int m = 0; m < 12; m++) {
                msg[2] = (uint8_t)m;
                EVP_MD_CTX *md = EVP_MD_CTX_new();
                int o = EVP_DigestVerifyInit(md, NULL, NULL, NULL, vk) == 1 &&
                        EVP_DigestVerify(md, sig, 64, msg, sizeof msg) == 1;
                EVP_MD_CTX_free(md);
                int t = tenon_ed25519_verify(&pk, msg, sizeof msg, sig, 64) == TENON_OK;
                n++;
                valid += (unsigned long)t;
                differ += (unsigned long)(o != t);
            }
        }
        EVP_PKEY_free(vk);
        free(A);
    }
    CHECK(differ == 0);
    CHECK(valid > 0 && valid < n);
    printf("small-order keys and R, S = 0: %lu verdicts, %lu valid, %lu unlike OpenSSL's\n", n,
           valid, differ);
}

int main(void)
{
    /* Twice: with the CPU's own paths (the BMI2 variable-base multiplication of verify, the
     * AVX2/BMI2 fixed-base comb), then with the portable ones. */
    for (int pass = 0; pass < 2; pass++) {
        tenon_cpu_set_mask(pass == 0 ? UINT32_MAX : 0);
        test_rfc8032();
        test_strictness();
        test_keygen();
        tu_wycheproof("ed25519_test.json", "ed25519", wycheproof_case, NULL);
        test_openssl();
        test_small_order_keys();
    }
    tenon_cpu_set_mask(UINT32_MAX);
    return tu_finish("test_ed25519");
}
