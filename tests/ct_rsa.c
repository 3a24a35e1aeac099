/*
 * Constant-flow check of the RSA private operation: the CRT parts of a 2048-bit key (p, q, dp,
 * dq, qinv) are marked secret, and so are the ciphertexts given to the TLS 1.2 pre-master
 * secret decryption, so valgrind reports any branch or memory index that depends on them. What
 * the algorithm makes public is marked public only at the end: the signature once it has been
 * checked, the return codes, and the pre-master secret handed to the (test) caller. Each run
 * goes through the best big-integer implementation valgrind's CPU allows and the portable one.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/bignum.h"
#include "crypto/rsa_internal.h"
#include "ctgrind.h"
#include "testutil.h"

static tenon_rsa_private_key key;

static void load_key(void)
{
    /* The first key of Wycheproof's RSAES-PKCS1-v1_5 2048-bit file. */
    cJSON *root = tu_load_json("wycheproof/rsa_pkcs1_2048_test.json");
    if (root == NULL)
        exit(1);
    const cJSON *g = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "testGroups"), 0);
    const cJSON *pk = cJSON_GetObjectItemCaseSensitive(g, "privateKey");
    static const char *names[7] = {"modulus",   "publicExponent", "prime1",     "prime2",
                                   "exponent1", "exponent2",      "coefficient"};
    uint8_t *v[7];
    size_t l[7];
    for (int i = 0; i < 7; i++)
        v[i] = tu_json_hex(pk, names[i], &l[i]);
    CHECK_RC(tenon_rsa_private_key_load(&key, v[0], l[0], v[1], l[1], v[2], l[2], v[3], l[3], v[4],
                                        l[4], v[5], l[5], v[6], l[6]),
             TENON_OK);
    for (int i = 0; i < 7; i++)
        free(v[i]);
    cJSON_Delete(root);
}

static void mark_key_secret(void)
{
    SECRET(key.p, sizeof key.p);
    SECRET(key.q, sizeof key.q);
    SECRET(key.dp, sizeof key.dp);
    SECRET(key.dq, sizeof key.dq);
    SECRET(key.qinv, sizeof key.qinv);
    SECRET(key.mont_crt, sizeof key.mont_crt); /* the cached Montgomery constants of p and q */
    SECRET(key.blinding.pair, sizeof key.blinding.pair); /* the cached blinding pair */
}

/* The next call blinds with a fresh r (made, inverted and stored), the four after it take the
 * stored pair and square it: run() covers both paths of the blinding cache. */
static void renew_blinding(void)
{
    key.blinding.uses = 32;
}

static void run(const char *label)
{
    size_t k = key.pub.n_len, sl = 0;
    uint8_t d[32], sig[TENON_RSA_MAX_LEN];
    for (int i = 0; i < 32; i++)
        d[i] = (uint8_t)(i * 11 + 3);

    /* PKCS#1 v1.5 and PSS signatures: the result is public once the private operation has
     * checked it; the test verifies it with the public key. */
    int rc = tenon_rsa_pkcs1_sign(&key, &tenon_sha256, d, 32, sig, sizeof sig, &sl);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(sig, k);
    CHECK_RC(rc, TENON_OK);
    CHECK_RC(tenon_rsa_pkcs1_verify(&key.pub, &tenon_sha256, d, 32, sig, sl), TENON_OK);
    rc = tenon_rsa_pss_sign(&key, &tenon_sha256, d, 32, sig, sizeof sig, &sl);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(sig, k);
    CHECK_RC(rc, TENON_OK);
    CHECK_RC(tenon_rsa_pss_verify(&key.pub, &tenon_sha256, d, 32, 32, sig, sl), TENON_OK);

    /* TLS 1.2: a correct ciphertext, one with a wrong version, one with bad padding. */
    uint8_t pms[48], em[TENON_RSA_MAX_LEN], ct[TENON_RSA_MAX_LEN], out[48];
    for (int i = 0; i < 48; i++)
        pms[i] = (uint8_t)(i * 29 + 7);
    pms[0] = 3;
    pms[1] = 3;
    for (int variant = 0; variant < 3; variant++) {
        em[0] = 0;
        em[1] = variant == 2 ? 1 : 2; /* block type 1: bad padding */
        for (size_t i = 2; i < k - 49; i++)
            em[i] = (uint8_t)(i | 1);
        em[k - 49] = 0;
        memcpy(em + k - 48, pms, 48);
        CHECK_RC(rsa_public_op(&key.pub, em, ct), TENON_OK);
        SECRET(ct, k);
        rc = tenon_rsa_tls12_premaster_decrypt(&key, ct, k, 3, variant == 1 ? 1 : 3, out);
        PUBLIC(&rc, sizeof rc);
        PUBLIC(out, sizeof out);
        CHECK_RC(rc, TENON_OK);
        if (variant == 0)
            CHECK_MEM(out, pms, 48, "pre-master secret");
        else
            CHECK(memcmp(out + 2, pms + 2, 46) != 0);
    }
    printf("ct_rsa [%s]: sign (PKCS#1 v1.5, PSS), TLS 1.2 pre-master (good, bad version, bad "
           "padding) run with secret key parts\n",
           label);
}

/* Each big-integer implementation (valgrind hides ADX from cpuid but runs it) on a secret
 * modulus, base and exponent: context set-up, reduction, exponentiation, inversion. NL = 16 is
 * the size of an RSA-2048 prime (the unrolled 16-limb MULX/ADX code), NL = 32 that of an
 * RSA-2048 modulus (the 32-limb rows, which a secret modulus never reaches in RSA itself since
 * blinding and the final check run per prime, but which stay constant-time); a short exponent
 * keeps the 32-limb run quick under valgrind. */
static void run_bignum(size_t nl, size_t en)
{
    enum { MAXL = 32 };
    uint64_t ref[2][MAXL];
    for (size_t ii = 0; bn_all_impls[ii] != NULL; ii++) {
        uint64_t m[MAXL], x[2 * MAXL], e[MAXL], r[MAXL], inv[MAXL];
        for (size_t i = 0; i < nl; i++) {
            m[i] = 0x9e3779b97f4a7c15ull * (i + 3) ^ (i << 40);
            e[i] = m[i] * 0xff51afd7ed558ccdull;
            x[i] = m[i] * 31;
            x[i + nl] = e[i] ^ 0x1234;
        }
        m[0] |= 1;
        m[nl - 1] |= 1ull << 63;
        SECRET(m, nl * 8);
        SECRET(x, 2 * nl * 8);
        SECRET(e, nl * 8);
        bn_mont ctx;
        bn_mont_init(&ctx, m, nl, bn_all_impls[ii]);
        bn_mont_to_wide(&ctx, r, x, 2 * nl);
        bn_mont_pow_ct(&ctx, r, r, e, en);
        bn_mont_from(&ctx, r, r);
        uint64_t ok = bn_mod_inv(&ctx, inv, r);
        PUBLIC(r, nl * 8);
        PUBLIC(inv, nl * 8);
        PUBLIC(&ok, sizeof ok);
        CHECK(ok == UINT64_MAX);
        if (ii == 0) {
            memcpy(ref[0], r, nl * 8);
            memcpy(ref[1], inv, nl * 8);
        } else {
            CHECK_MEM(r, ref[0], nl * 8, "exponentiation across implementations");
            CHECK_MEM(inv, ref[1], nl * 8, "inverse across implementations");
        }
        printf("ct_rsa [bignum %s, %zu limbs]: secret modulus, base and exponent\n",
               bn_all_impls[ii]->name, nl);
    }
}

/* The radix-2^52 dual exponentiation (bignum_r52.c): valgrind cannot run AVX-512, so it runs
 * the portable model, which performs the same steps as the IFMA instance (one source,
 * bignum_r52_impl.h) with each vector operation spelled out lane by lane; secret moduli, bases
 * and exponents, and the result compared with bn_mont_pow_ct. Short exponents keep it quick. */
static void run_r52(size_t nl, size_t en)
{
    enum { MAXL = 32 };
    uint64_t m[2][MAXL], b[2][MAXL], e[2][MAXL], r[2][MAXL], ref[2][MAXL];
    bn_mont ctx[2];
    for (int h = 0; h < 2; h++) {
        for (size_t i = 0; i < nl; i++) {
            m[h][i] = 0x9e3779b97f4a7c15ull * (i + 5 + (size_t)h) ^ (i << 33);
            b[h][i] = m[h][i] * 29;
            e[h][i] = m[h][i] * 0xc4ceb9fe1a85ec53ull;
        }
        m[h][0] |= 1;
        m[h][nl - 1] |= 1ull << 63;
        b[h][nl - 1] >>= 1; /* below m */
        bn_mont_init(&ctx[h], m[h], nl, NULL);
        bn_mont_pow_ct(&ctx[h], ref[h], b[h], e[h], en);
        SECRET(ctx[h].m, sizeof ctx[h].m);
        SECRET(&ctx[h].n0, sizeof ctx[h].n0);
        SECRET(ctx[h].rr, sizeof ctx[h].rr);
        SECRET(b[h], sizeof b[h]);
        SECRET(e[h], sizeof e[h]);
    }
    CHECK(bn_r52_pow2_ct(1, &ctx[0], r[0], b[0], e[0], &ctx[1], r[1], b[1], e[1], en) == 1);
    for (int h = 0; h < 2; h++) {
        PUBLIC(r[h], nl * 8);
        CHECK_MEM(r[h], ref[h], nl * 8, "radix-2^52 model against bn_mont_pow_ct");
    }
    printf("ct_rsa [radix-2^52 model, %zu limbs]: secret moduli, bases and exponents\n", nl);
}

/* The same model for the dual exponentiation to a public exponent (bn_r52_pow2_u64: the blinding
 * factors r^e and the check s^e): secret moduli and bases, e public, the result compared with
 * bn_mont_pow_u64. */
static void run_r52_u64(size_t nl, uint64_t e)
{
    enum { MAXL = 32 };
    uint64_t m[2][MAXL], b[2][MAXL], r[2][MAXL], ref[2][MAXL];
    bn_mont ctx[2];
    for (int h = 0; h < 2; h++) {
        for (size_t i = 0; i < nl; i++) {
            m[h][i] = 0x9e3779b97f4a7c15ull * (i + 7 + (size_t)h) ^ (i << 29);
            b[h][i] = m[h][i] * 31;
        }
        m[h][0] |= 1;
        m[h][nl - 1] |= 1ull << 63;
        b[h][nl - 1] >>= 1;
        bn_mont_init(&ctx[h], m[h], nl, NULL);
        bn_mont_pow_u64(&ctx[h], ref[h], b[h], e);
        SECRET(ctx[h].m, sizeof ctx[h].m);
        SECRET(&ctx[h].n0, sizeof ctx[h].n0);
        SECRET(ctx[h].rr, sizeof ctx[h].rr);
        SECRET(b[h], sizeof b[h]);
    }
    CHECK(bn_r52_pow2_u64(1, &ctx[0], r[0], b[0], &ctx[1], r[1], b[1], e) == 1);
    for (int h = 0; h < 2; h++) {
        PUBLIC(r[h], nl * 8);
        CHECK_MEM(r[h], ref[h], nl * 8, "radix-2^52 model against bn_mont_pow_u64");
    }
    printf("ct_rsa [radix-2^52 model, public exponent, %zu limbs]: secret moduli and bases\n", nl);
}

int main(void)
{
    run_bignum(16, 16);
    run_bignum(24, 4);
    run_bignum(32, 4);
    run_r52(16, 2);
    run_r52(24, 1);
    run_r52_u64(16, 65537);
    run_r52_u64(32, 3);
    load_key();
    mark_key_secret();
    renew_blinding();
    run(bn_best_impl()->name);
    /* The whole private operation through the MULX/ADX code (the tiles, the lazy squarings of
     * the exponentiation, the reductions, the blinding's inversions), as on an AVX2-only CPU:
     * AVX-512 masked off so that the exponentiation does not take the radix-2^52 code, and the
     * ADX implementation forced since valgrind's CPU does not report ADX (it runs it). */
    uint32_t adx = TENON_CPU_BMI2 | TENON_CPU_ADX;
    if (RUNNING_ON_VALGRIND || (tenon_cpu_features() & adx) == adx) {
        const bn_impl *impl = NULL;
        for (size_t i = 0; bn_all_impls[i] != NULL; i++)
            if (strcmp(bn_all_impls[i]->name, "x86-64-mulx-adx") == 0)
                impl = bn_all_impls[i];
        CHECK(impl != NULL);
        if (impl != NULL) {
            tenon_cpu_set_mask(~(uint32_t)(TENON_CPU_AVX512F | TENON_CPU_AVX512VL |
                                           TENON_CPU_AVX512BW | TENON_CPU_AVX512IFMA));
            bn_test_force_impl(impl);
            renew_blinding();
            run("x86-64-mulx-adx forced, no AVX-512");
            bn_test_force_impl(NULL);
        }
    }
    tenon_cpu_set_mask(0);
    renew_blinding();
    run(bn_best_impl()->name);
    tenon_cpu_set_mask(UINT32_MAX);
    /* A key not at the address it was loaded at (a copy by value): every call blinds afresh,
     * without the cache. */
    const void *owner = key.blinding.owner;
    key.blinding.owner = NULL;
    run("best, key copied (no blinding cache)");
    key.blinding.owner = owner;
    /* A key without the cached constants (filled by other means): they are made per operation,
     * from the same secrets, just as constant-time. */
    memset(key.mont_crt, 0, sizeof key.mont_crt);
    mark_key_secret();
    run("best, key constants not cached");
    return tu_finish("ct_rsa");
}
