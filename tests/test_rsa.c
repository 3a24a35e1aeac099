/*
 * RSA: the big-integer module against OpenSSL's BN, Wycheproof vectors (PKCS#1 v1.5 decryption,
 * signature generation and verification, PSS verification), a differential test against
 * OpenSSL with freshly generated keys, the TLS 1.2 pre-master secret, and bad inputs.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "crypto/bignum.h"
#include "crypto/cpu.h"
#include "crypto/rsa_internal.h"
#include "testutil.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A hash class tenon's PKCS#1 v1.5 code has no DigestInfo for: a copy of SHA-256's class under
 * another identity. */
static const tenon_hash_class unknown_hash = {"unknown", 32, 64, NULL, NULL, NULL};

static const tenon_hash_class *hash_by_name(const char *name)
{
    if (strcmp(name, "SHA-1") == 0)
        return &tenon_sha1;
    if (strcmp(name, "SHA-224") == 0)
        return &tenon_sha224;
    if (strcmp(name, "SHA-256") == 0)
        return &tenon_sha256;
    if (strcmp(name, "SHA-384") == 0)
        return &tenon_sha384;
    if (strcmp(name, "SHA-512") == 0)
        return &tenon_sha512;
    return NULL;
}

static const EVP_MD *evp_md_of(const tenon_hash_class *h)
{
    if (h == &tenon_sha256)
        return EVP_sha256();
    if (h == &tenon_sha384)
        return EVP_sha384();
    return EVP_sha512();
}

/* ------------------------------------------------------------------------------------------
 * Big integers against OpenSSL BN
 * ------------------------------------------------------------------------------------------ */

static BIGNUM *bn_of(const uint64_t *x, size_t nl)
{
    uint8_t buf[8 * (2 * BN_MAX_LIMBS + 1)];
    bn_to_be(buf, 8 * nl, x, nl);
    return BN_bin2bn(buf, (int)(8 * nl), NULL);
}

static int bn_equal(const uint64_t *x, size_t nl, const BIGNUM *b)
{
    uint8_t x1[8 * BN_MAX_LIMBS], x2[8 * BN_MAX_LIMBS];
    bn_to_be(x1, 8 * nl, x, nl);
    if (BN_bn2binpad(b, x2, (int)(8 * nl)) < 0)
        return 0;
    return memcmp(x1, x2, 8 * nl) == 0;
}

static void rand_below(uint64_t *x, const uint64_t *m, size_t nl)
{
    do {
        tu_rand(x, 8 * nl);
        x[nl - 1] %= m[nl - 1] + (m[nl - 1] != UINT64_MAX);
    } while (bn_lt_mask(x, m, nl) == 0);
}

static void test_bignum(void)
{
    BN_CTX *bctx = BN_CTX_new();
    unsigned long checks = 0, fails = 0;
    for (size_t ii = 0; bn_all_impls[ii] != NULL; ii++) {
        const bn_impl *impl = bn_all_impls[ii];
        if (!cpu_has(impl->cpu_needs))
            continue;
        /* every size up to 8, the prime sizes of RSA-2048/3072/4096 (16, 24, 32: the unrolled
         * ADX code) and a spread of others */
        static const size_t sizes[] = {1,  2,  3,  4,  5,  6,  7,  8,  15, 16,
                                       22, 24, 29, 32, 36, 43, 50, 57, 64};
        for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
            size_t nl = sizes[si];
            for (int iter = 0; iter < 6; iter++) {
                uint64_t m[BN_MAX_LIMBS], a[BN_MAX_LIMBS], b[BN_MAX_LIMBS], r[BN_MAX_LIMBS];
                uint64_t am[BN_MAX_LIMBS], bm[BN_MAX_LIMBS], e[BN_MAX_LIMBS];
                tu_rand(m, 8 * nl);
                m[0] |= 1;
                if (iter == 0 && nl > 1)
                    m[nl - 1] = 1; /* the smallest top limb (m = 1 would be degenerate) */
                if (iter == 1)
                    m[nl - 1] |= 1ull << 63;
                if (m[nl - 1] == 0)
                    m[nl - 1] = 1;
                bn_mont ctx, vctx;
                bn_mont_init(&ctx, m, nl, impl);
                /* the long-division set-up for public moduli agrees */
                bn_mont_init_vartime(&vctx, m, nl, impl);
                checks++;
                fails += vctx.n0 != ctx.n0 || memcmp(vctx.rr, ctx.rr, 8 * nl) != 0;
                rand_below(a, m, nl);
                rand_below(b, m, nl);
                if (iter == 2)
                    for (size_t i = 0; i < nl; i++)
                        a[i] = m[i] - (i == 0); /* m - 1 */
                BIGNUM *M = bn_of(m, nl), *A = bn_of(a, nl), *B = bn_of(b, nl), *R = BN_new();
                /* product */
                bn_mont_to(&ctx, am, a);
                bn_mont_to(&ctx, bm, b);
                bn_mont_mul(&ctx, r, am, bm);
                bn_mont_from(&ctx, r, r);
                BN_mod_mul(R, A, B, M, bctx);
                checks++;
                fails += !bn_equal(r, nl, R);
                /* square */
                bn_mont_sqr(&ctx, r, am);
                bn_mont_from(&ctx, r, r);
                BN_mod_mul(R, A, A, M, bctx);
                checks++;
                fails += !bn_equal(r, nl, R);
                /* exponentiation with a full-length exponent */
                tu_rand(e, 8 * nl);
                bn_mont_pow_ct(&ctx, r, am, e, nl);
                bn_mont_from(&ctx, r, r);
                BIGNUM *E = bn_of(e, nl);
                BN_mod_exp(R, A, E, M, bctx);
                checks++;
                fails += !bn_equal(r, nl, R);
                bn_mont_pow_u64(&ctx, r, am, 65537);
                bn_mont_from(&ctx, r, r);
                BN_set_word(E, 65537);
                BN_mod_exp(R, A, E, M, bctx);
                checks++;
                fails += !bn_equal(r, nl, R);
                /* wide reduction: a number of 2 nl + 1 limbs */
                uint64_t w[2 * BN_MAX_LIMBS + 1];
                tu_rand(w, 8 * (2 * nl + 1));
                bn_mont_to_wide(&ctx, r, w, 2 * nl + 1);
                bn_mont_from(&ctx, r, r);
                BIGNUM *W = bn_of(w, 2 * nl + 1);
                BN_mod(R, W, M, bctx);
                checks++;
                fails += !bn_equal(r, nl, R);
                /* inverse (when it exists) */
                uint64_t ok = bn_mod_inv(&ctx, r, a);
                BIGNUM *I = BN_mod_inverse(NULL, A, M, bctx);
                checks++;
                if (I != NULL)
                    fails += !((ok & 1) && bn_equal(r, nl, I));
                else
                    fails += (ok & 1) != 0;
                ERR_clear_error();
                BN_free(I);
                BN_free(W);
                BN_free(E);
                BN_free(M);
                BN_free(A);
                BN_free(B);
                BN_free(R);
            }
        }
        /* inverses of small and special values */
        {
            size_t nl = 32;
            uint64_t m[BN_MAX_LIMBS], a[BN_MAX_LIMBS] = {0}, r[BN_MAX_LIMBS];
            tu_rand(m, 8 * nl);
            m[0] |= 1;
            m[nl - 1] |= 1ull << 63;
            bn_mont ctx;
            bn_mont_init(&ctx, m, nl, impl);
            BIGNUM *M = bn_of(m, nl);
            for (uint64_t v = 0; v < 40; v++) {
                memset(a, 0, sizeof a);
                a[0] = v;
                if (v >= 20)
                    for (size_t i = 0; i < nl; i++)
                        a[i] = m[i] - (i == 0 ? v - 19 : 0);
                BIGNUM *A = bn_of(a, nl);
                BIGNUM *I = BN_mod_inverse(NULL, A, M, bctx);
                ERR_clear_error();
                uint64_t ok = bn_mod_inv(&ctx, r, a);
                checks++;
                if (I != NULL)
                    fails += !((ok & 1) && bn_equal(r, nl, I));
                else
                    fails += (ok & 1) != 0;
                BN_free(I);
                BN_free(A);
            }
            BN_free(M);
        }
        printf("bignum [%s]: checked against OpenSSL BN\n", impl->name);
    }
    CHECK(fails == 0);
    printf("bignum: %lu checks, %lu failed\n", checks, fails);
    BN_CTX_free(bctx);
}

/* bn_shl_mod_vartime (Knuth's division, with its MULX/ADX multiply-and-subtract and the
 * portable one) against OpenSSL: x 2^(64 k) mod m for moduli of many lengths and top limbs
 * (random, all ones, 1, just above 2^63), x short and long, k from 0 to 2 nl. */
static void test_shl_mod(void)
{
    BN_CTX *bctx = BN_CTX_new();
    unsigned long checks = 0, fails = 0;
    static const size_t sizes[] = {2, 3, 5, 8, 16, 17, 31, 32, 33, 48, 63, 64};
    for (int port = 0; port < 2; port++) {
        tenon_cpu_set_mask(port ? 0 : UINT32_MAX);
        for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
            size_t nl = sizes[si];
            for (int kind = 0; kind < 16; kind++) {
                uint64_t m[BN_MAX_LIMBS], x[BN_MAX_LIMBS], r[BN_MAX_LIMBS];
                tu_rand(m, 8 * nl);
                m[0] |= 1;
                if (kind % 4 == 1)
                    m[nl - 1] = UINT64_MAX;
                if (kind % 4 == 2)
                    m[nl - 1] = 1;
                if (kind % 4 == 3)
                    m[nl - 1] = (1ull << 63) + 1;
                if (m[nl - 1] == 0)
                    m[nl - 1] = 3;
                size_t xl = kind < 8 ? nl : (size_t)(1 + kind % 3),
                       k = kind < 4 ? nl : (kind * 5) % (2 * nl + 1);
                tu_rand(x, 8 * xl);
                if (kind == 5)
                    memset(x, 0xff, 8 * xl);
                if (xl + k > BN_POW2_MAX_LIMBS + 1)
                    k = BN_POW2_MAX_LIMBS + 1 - xl;
                bn_shl_mod_vartime(r, x, xl, k, m, nl);
                BIGNUM *M = bn_of(m, nl), *X = bn_of(x, xl), *R = BN_new();
                BN_lshift(X, X, (int)(64 * k));
                BN_mod(R, X, M, bctx);
                checks++;
                fails += !bn_equal(r, nl, R);
                BN_free(M);
                BN_free(X);
                BN_free(R);
            }
        }
    }
    tenon_cpu_set_mask(UINT32_MAX);
    CHECK(fails == 0);
    printf("bn_shl_mod_vartime: %lu checks, %lu failed\n", checks, fails);
    BN_CTX_free(bctx);
}

/* The Montgomery set-up of an RSA prime from its public modulus (bn_mont_init_rr, with
 * bn_pow2_mod_vartime) against bn_mont_init, and bn_pow2_mod_vartime against OpenSSL: m and q
 * of nl limbs each (random, top limb 1, top limb all ones), N = m q. */
static void test_mont_init_rr(void)
{
    BN_CTX *bctx = BN_CTX_new();
    unsigned long checks = 0, fails = 0;
    static const size_t sizes[] = {2, 3, 8, 16, 24, 32};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t nl = sizes[si];
        for (int kind = 0; kind < 4; kind++) {
            uint64_t m[BN_MAX_LIMBS], q[BN_MAX_LIMBS], n[BN_MAX_LIMBS], y[BN_MAX_LIMBS];
            tu_rand(m, 8 * nl);
            tu_rand(q, 8 * nl);
            m[0] |= 1;
            q[0] |= 1;
            m[nl - 1] |= 1ull << 63;
            q[nl - 1] |= 1ull << 63;
            if (kind == 1)
                m[nl - 1] = 1;
            if (kind == 2)
                q[nl - 1] = UINT64_MAX;
            if (kind == 3)
                q[nl - 1] = 1;
            bn_mul(n, m, nl, q, nl);
            /* the modulus without its zero top limbs (a top limb 1 makes N shorter) */
            size_t nn = 2 * nl;
            while (n[nn - 1] == 0)
                nn--;
            memset(y, 0, sizeof y);
            bn_pow2_mod_vartime(y, n, nn, 3 * nl);
            BIGNUM *N = bn_of(n, 2 * nl), *P = BN_new(), *E = BN_new();
            BN_set_word(E, 192 * nl);
            BN_set_word(P, 2);
            BN_mod_exp(P, P, E, N, bctx);
            checks++;
            fails += !bn_equal(y, 2 * nl, P);
            bn_mont ref, ctx;
            bn_mont_init(&ref, m, nl, NULL);
            bn_mont_init_rr(&ctx, m, nl, y);
            checks++;
            fails += ctx.n0 != ref.n0 || memcmp(ctx.rr, ref.rr, 8 * nl) != 0 ||
                     memcmp(ctx.m, ref.m, 8 * nl) != 0 || ctx.impl != ref.impl;
            BN_free(N);
            BN_free(P);
            BN_free(E);
        }
    }
    CHECK(fails == 0);
    printf("bn_mont_init_rr: %lu checks, %lu failed\n", checks, fails);
    BN_CTX_free(bctx);
}

/* One product of the radix-2^52 code (bn_r52_mul_test): the dedicated squaring and the
 * multiplication, IFMA and model, against each other and OpenSSL's a b 2^-52L mod m, on moduli
 * of 16, 24 and 32 limbs (random, top limb 1, all limbs but the lowest all ones) and operands
 * across the range of the lazily reduced values: 0, 1, m - 1, m, m + 1, 2m - 1, 2^1024 - 1,
 * 2^1024, 2^1024 + 1 (where below 2m), random below m and random below 2m; and, for the lanes'
 * carries, operands whose 52-bit limbs are all ones: 2^(52(L - 1)) - 1 (every limb but the top),
 * and the largest value below 2m whose L - 1 lower limbs are all ones. (Values near 2^52L, the
 * radix, are not inputs: 52L >= bits(m) + 2 keeps everything below 2m far under it.) */
static void test_r52_products(void)
{
    BN_CTX *bctx = BN_CTX_new();
    unsigned long checks = 0, fails = 0, ifma_runs = 0;
    static const size_t sizes[3] = {16, 24, 32};
    for (int si = 0; si < 3; si++) {
        size_t nl = sizes[si], L = nl == 16 ? 20 : nl == 24 ? 30 : 40;
        for (int mk = 0; mk < 3; mk++) {
            uint64_t m[BN_MAX_LIMBS + 1] = {0}, m2[BN_MAX_LIMBS + 1] = {0};
            tu_rand(m, 8 * nl);
            m[0] |= 1;
            m[nl - 1] |= 1ull << 63;
            if (mk == 1)
                m[nl - 1] = 1;
            if (mk == 2)
                for (size_t i = 1; i < nl; i++)
                    m[i] = UINT64_MAX;
            bn_mont ctx;
            bn_mont_init(&ctx, m, nl, NULL);
            CHECK(bn_add(m2, m, m, nl + 1) == 0); /* 2m */
            BIGNUM *M = bn_of(m, nl), *Rinv = BN_new(), *A = NULL, *B = NULL, *P = BN_new();
            BN_set_bit(Rinv, (int)(52 * L));
            CHECK(BN_mod_inverse(Rinv, Rinv, M, bctx) != NULL);
            enum { NV = 13 };
            uint64_t v[NV][BN_MAX_LIMBS + 1];
            size_t nv = 0;
            for (int k = 0; k < NV; k++) {
                uint64_t *x = v[nv];
                memset(x, 0, sizeof v[0]);
                uint64_t one[BN_MAX_LIMBS + 1] = {1};
                switch (k) {
                case 0:
                    break; /* 0 */
                case 1:
                    x[0] = 1;
                    break; /* 1 */
                case 2:
                    bn_sub(x, m, one, nl + 1);
                    break; /* m - 1 */
                case 3:
                    memcpy(x, m, 8 * (nl + 1));
                    break; /* m */
                case 4:
                    bn_add(x, m, one, nl + 1);
                    break; /* m + 1 */
                case 5:
                    bn_sub(x, m2, one, nl + 1);
                    break; /* 2m - 1 */
                case 6:
                    memset(x, 0xff, 8 * 16);
                    break; /* 2^1024 - 1 */
                case 7:
                    x[16] = 1;
                    break; /* 2^1024 */
                case 8:
                    x[16] = 1;
                    x[0] = 1;
                    break; /* 2^1024 + 1 */
                case 9:
                    rand_below(x, m, nl);
                    break; /* below m */
                case 11:
                case 12: {
                    /* ones: 2^(52(L - 1)) - 1; for 12, plus (top - 1) 2^(52(L - 1)) with top the
                     * limb 2m - 1 has there (dropped below when 2m - 1 has none) */
                    size_t nb = 52 * (L - 1);
                    for (size_t b = 0; b < nb; b++)
                        x[b / 64] |= 1ull << (b % 64);
                    if (k == 12) {
                        uint64_t t2[BN_MAX_LIMBS + 1], top = 0;
                        bn_sub(t2, m2, one, nl + 1);
                        for (size_t b = nb; b < nb + 64 && b < 64 * (nl + 1); b++)
                            top |= ((t2[b / 64] >> (b % 64)) & 1) << (b - nb);
                        if (top == 0) {
                            memset(x, 0xff, sizeof v[0]); /* not below 2m: dropped */
                            break;
                        }
                        top -= 1;
                        for (size_t b = 0; b < 64 && nb + b < 64 * (nl + 1); b++)
                            x[(nb + b) / 64] |= ((top >> b) & 1) << ((nb + b) % 64);
                    }
                    break;
                }
                default:
                    rand_below(x, m2, nl + (m2[nl] != 0)); /* its top limb non-zero */
                    break;                                 /* below 2m */
                }
                /* keep the values below 2m */
                if (bn_lt_mask(x, m2, nl + 1) & 1)
                    nv++;
            }
            for (size_t i = 0; i < nv; i++) {
                for (size_t j = i; j < nv; j++) {
                    A = bn_of(v[i], nl + 1);
                    B = bn_of(v[j], nl + 1);
                    BN_mod_mul(P, A, B, M, bctx);
                    BN_mod_mul(P, P, Rinv, M, bctx);
                    uint64_t ref[BN_MAX_LIMBS], r[BN_MAX_LIMBS];
                    uint8_t buf[8 * BN_MAX_LIMBS];
                    CHECK(BN_bn2binpad(P, buf, (int)(8 * nl)) >= 0);
                    bn_from_be(ref, nl, buf, 8 * nl);
                    BN_free(A);
                    BN_free(B);
                    for (int model = 0; model < 2; model++) {
                        for (int sqr = 0; sqr < 1 + (i == j); sqr++) {
                            int rc = bn_r52_mul_test(model, sqr, &ctx, r, v[i], v[j]);
                            if (rc == 0) {
                                CHECK(model == 0 &&
                                      !cpu_has(TENON_CPU_AVX512F | TENON_CPU_AVX512IFMA));
                                continue;
                            }
                            ifma_runs += model == 0;
                            checks++;
                            fails += rc != 1 || memcmp(r, ref, 8 * nl) != 0;
                        }
                    }
                }
            }
            BN_free(M);
            BN_free(Rinv);
            BN_free(P);
        }
    }
    CHECK(fails == 0);
    printf("radix-2^52 products: %lu checks (%lu IFMA runs), %lu failed\n", checks, ifma_runs,
           fails);
    BN_CTX_free(bctx);
}

/* bn_mont_to_wide_r3 against bn_mont_to_wide: moduli of 16 and 32 limbs (random, top limb 1),
 * x of every length up to 2 nl + 1 (the last falls back), random, all ones and zero. */
static void test_to_wide_r3(void)
{
    unsigned long checks = 0, fails = 0;
    static const size_t sizes[] = {16, 32};
    for (size_t si = 0; si < 2; si++) {
        size_t nl = sizes[si];
        for (int kind = 0; kind < 2; kind++) {
            uint64_t m[BN_MAX_LIMBS], r3[BN_MAX_LIMBS], x[2 * BN_MAX_LIMBS + 1];
            tu_rand(m, 8 * nl);
            m[0] |= 1;
            m[nl - 1] |= 1ull << 63;
            if (kind == 1)
                m[nl - 1] = 1;
            bn_mont ctx;
            bn_mont_init(&ctx, m, nl, NULL);
            bn_mont_sqr(&ctx, r3, ctx.rr);
            for (size_t xl = 1; xl <= 2 * nl + 1; xl++) {
                for (int v = 0; v < 3; v++) {
                    uint64_t r[BN_MAX_LIMBS], ref[BN_MAX_LIMBS];
                    if (v == 0)
                        tu_rand(x, 8 * xl);
                    else
                        memset(x, v == 1 ? 0xff : 0, 8 * xl);
                    bn_mont_to_wide(&ctx, ref, x, xl);
                    bn_mont_to_wide_r3(&ctx, r3, r, x, xl);
                    checks++;
                    fails += memcmp(r, ref, 8 * nl) != 0;
                }
            }
        }
    }
    CHECK(fails == 0);
    printf("bn_mont_to_wide_r3: %lu checks, %lu failed\n", checks, fails);
}

/* One value for bn_mod_inv: against OpenSSL's BN_mod_inverse, the verdict and the inverse. */
static int modinv_agrees(BN_CTX *bctx, const bn_mont *ctx, const uint64_t *a)
{
    size_t nl = ctx->nl;
    uint64_t r[BN_MAX_LIMBS];
    BIGNUM *M = bn_of(ctx->m, nl), *A = bn_of(a, nl);
    BIGNUM *I = BN_mod_inverse(NULL, A, M, bctx);
    ERR_clear_error();
    uint64_t ok = bn_mod_inv(ctx, r, a);
    int good = ok == (I != NULL ? UINT64_MAX : 0) && (I == NULL || bn_equal(r, nl, I));
    BN_free(I);
    BN_free(A);
    BN_free(M);
    return good;
}

/* bn_mod_inv2 on (m1, a1) and (m2, a2) gives what bn_mod_inv gives on each (masks too). */
static int inv2_agrees(const bn_mont *c1, const uint64_t *a1, const bn_mont *c2, const uint64_t *a2)
{
    uint64_t r1[BN_MAX_LIMBS], r2[BN_MAX_LIMBS], s1[BN_MAX_LIMBS], s2[BN_MAX_LIMBS], ok[2];
    uint64_t ok1 = bn_mod_inv(c1, s1, a1), ok2 = bn_mod_inv(c2, s2, a2);
    bn_mod_inv2(c1, r1, a1, c2, r2, a2, ok);
    return ok[0] == ok1 && ok[1] == ok2 && (ok1 == 0 || memcmp(r1, s1, 8 * c1->nl) == 0) &&
           (ok2 == 0 || memcmp(r2, s2, 8 * c2->nl) == 0);
}

/* The divsteps inversion (bn_mod_inv, and two at once: bn_mod_inv2) at every size from 1 to
 * 32 limbs and at 48 and 64:
 * moduli like RSA primes (top bit set), with the smallest and the largest top limb; random
 * values (many at 16 limbs, the primes of RSA-2048) and the edges 0, 1, 2, powers of two,
 * m - 1, m - 2; and, for moduli 15 t, values sharing the factor 3 or 5 (no inverse). */
static void test_modinv(void)
{
    BN_CTX *bctx = BN_CTX_new();
    unsigned long checks = 0, fails = 0;
    bn_mont prev = {0};
    uint64_t prev_a[BN_MAX_LIMBS];
    for (size_t nl = 1; nl <= BN_MAX_LIMBS; nl = nl < 32 ? nl + 1 : nl + 16) {
        for (int kind = 0; kind < 4; kind++) {
            uint64_t m[BN_MAX_LIMBS], a[BN_MAX_LIMBS];
            tu_rand(m, 8 * nl);
            m[0] |= 1;
            if (kind == 0)
                m[nl - 1] |= 1ull << 63;
            else if (kind == 1 && nl > 1)
                m[nl - 1] = 1;
            else if (kind == 2)
                m[nl - 1] = UINT64_MAX;
            if (m[nl - 1] < 3)
                m[nl - 1] = nl == 1 ? 3 : 1;
            bn_mont ctx;
            bn_mont_init(&ctx, m, nl, NULL);
            for (int i = 0; i < (nl == 16 ? 300 : 20); i++) {
                rand_below(a, m, nl);
                checks++;
                fails += !modinv_agrees(bctx, &ctx, a);
            }
            /* two at once (this modulus and the previous one, of the same or another size)
             * against one at a time */
            if (prev.nl != 0) {
                uint64_t r1[BN_MAX_LIMBS], r2[BN_MAX_LIMBS], s1[BN_MAX_LIMBS], s2[BN_MAX_LIMBS];
                uint64_t ok[2], ok1 = bn_mod_inv(&ctx, s1, a), ok2 = bn_mod_inv(&prev, s2, prev_a);
                bn_mod_inv2(&ctx, r1, a, &prev, r2, prev_a, ok);
                checks++;
                fails += ok[0] != ok1 || ok[1] != ok2 || memcmp(r1, s1, 8 * nl) != 0 ||
                         memcmp(r2, s2, 8 * prev.nl) != 0;
            }
            prev = ctx;
            memcpy(prev_a, a, sizeof prev_a);
            for (size_t k = 0; k < 64 * nl + 3; k += 37) {
                memset(a, 0, sizeof a);
                if (k < 64 * nl)
                    a[k / 64] = 1ull << (k % 64); /* powers of two */
                else
                    a[0] = k - 64 * nl; /* 0, 1, 2 */
                if (bn_lt_mask(a, m, nl) & 1) {
                    checks++;
                    fails += !modinv_agrees(bctx, &ctx, a);
                    /* the edge in either lane of the pair, a random value in the other */
                    checks += 2;
                    fails += !inv2_agrees(&ctx, a, &prev, prev_a);
                    fails += !inv2_agrees(&prev, prev_a, &ctx, a);
                }
                for (size_t i = 0; i < nl; i++)
                    a[i] = m[i];
                a[0] -= 1 + k % 2; /* m - 1, m - 2 */
                checks++;
                fails += !modinv_agrees(bctx, &ctx, a);
                checks += 2;
                fails += !inv2_agrees(&ctx, a, &prev, prev_a);
                fails += !inv2_agrees(&prev, prev_a, &ctx, a);
            }
        }
    }
    static const size_t sizes[] = {1, 2, 16, 24, 32, 64};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t nl = sizes[si];
        uint64_t t[BN_MAX_LIMBS], m[BN_MAX_LIMBS], a[BN_MAX_LIMBS], r[BN_MAX_LIMBS];
        do {
            tu_rand(t, 8 * nl);
            t[nl - 1] >>= 5;
            t[0] |= 1;
        } while (t[nl - 1] == 0);
        uint64_t c = 0;
        for (size_t i = 0; i < nl; i++) {
            unsigned __int128 z = (unsigned __int128)t[i] * 15 + c;
            m[i] = (uint64_t)z;
            c = (uint64_t)(z >> 64);
        }
        bn_mont ctx;
        bn_mont_init(&ctx, m, nl, NULL);
        BIGNUM *M = bn_of(m, nl), *F = BN_new(), *Q = BN_new();
        for (int i = 0; i < 40; i++) {
            /* a = (random mod (m / f)) f for f = 3 or 5 */
            rand_below(a, m, nl);
            BIGNUM *A = bn_of(a, nl);
            BN_set_word(F, i % 2 == 0 ? 3 : 5);
            BN_div(Q, NULL, M, F, bctx);
            BN_mod(A, A, Q, bctx);
            BN_mul(A, A, F, bctx);
            uint8_t buf[8 * BN_MAX_LIMBS];
            CHECK(BN_bn2binpad(A, buf, (int)(8 * nl)) >= 0);
            bn_from_be(a, nl, buf, 8 * nl);
            checks++;
            fails += bn_mod_inv(&ctx, r, a) != 0;
            /* not invertible in one lane of a pair: that mask alone is 0 */
            uint64_t b[BN_MAX_LIMBS];
            rand_below(b, m, nl);
            checks += 2;
            fails += !inv2_agrees(&ctx, a, &ctx, b);
            fails += !inv2_agrees(&ctx, b, &ctx, a);
            rand_below(a, m, nl);
            checks++;
            fails += !modinv_agrees(bctx, &ctx, a);
            BN_free(A);
        }
        BN_free(M);
        BN_free(F);
        BN_free(Q);
    }
    CHECK(fails == 0);
    printf("bn_mod_inv: %lu checks, %lu failed\n", checks, fails);
    BN_CTX_free(bctx);
}

/* How many of the two results r (Montgomery form, converted in place) differ from ref. */
static int pow2_mismatches(const bn_mont ctx[2], uint64_t r[2][BN_MAX_LIMBS],
                           uint64_t ref[2][BN_MAX_LIMBS], size_t nl)
{
    int bad = 0;
    for (int h = 0; h < 2; h++) {
        bn_mont_from(&ctx[h], r[h], r[h]);
        bad += memcmp(r[h], ref[h], 8 * nl) != 0;
    }
    return bad;
}

/* The dual exponentiation of the CRT halves (bn_mont_pow2_ct): its radix-2^52 code, both the
 * AVX-512 IFMA instance (where the CPU has it) and the portable model that ct_rsa runs under
 * valgrind, against OpenSSL BN on the sizes it takes (16, 24, 32 limbs), with the extreme
 * moduli (top limb 1, top limb all ones: the 2m bound of the almost-Montgomery products),
 * bases 0, 1 and m - 1, exponents 0, all ones and shorter than the modulus. And the same for
 * the dual exponentiation to a public exponent (bn_mont_pow2_u64: 1, 2, 3, 65537, 2^63,
 * 2^64 - 1). */
static void test_bignum_pow2(void)
{
    BN_CTX *bctx = BN_CTX_new();
    unsigned long checks = 0, fails = 0, ifma_runs = 0;
    static const size_t sizes[3] = {16, 24, 32};
    for (int si = 0; si < 3; si++) {
        size_t nl = sizes[si];
        for (int iter = 0; iter < 6; iter++) {
            uint64_t m[2][BN_MAX_LIMBS], a[2][BN_MAX_LIMBS], am[2][BN_MAX_LIMBS];
            uint64_t e[2][BN_MAX_LIMBS], r[2][BN_MAX_LIMBS], ref[2][BN_MAX_LIMBS];
            uint64_t refu[2][BN_MAX_LIMBS];
            /* the public exponents of bn_mont_pow2_u64, one per iteration */
            static const uint64_t eu[6] = {65537, UINT64_MAX, 1, 1ull << 63, 3, 2};
            size_t en = iter == 3 ? nl / 2 : nl;
            bn_mont ctx[2];
            for (int h = 0; h < 2; h++) {
                tu_rand(m[h], 8 * nl);
                m[h][0] |= 1;
                m[h][nl - 1] |= 1ull << 63;
                if (iter == 1)
                    for (size_t i = 1; i < nl; i++)
                        m[h][i] = UINT64_MAX; /* just below 2^64nl */
                if (iter == 2)
                    m[h][nl - 1] = 1;
                bn_mont_init(&ctx[h], m[h], nl, NULL);
                rand_below(a[h], m[h], nl);
                if (iter == 4) {
                    memset(a[h], 0, sizeof a[h]);
                    a[h][0] = (uint64_t)h; /* 0 and 1 */
                }
                if (iter == 5)
                    for (size_t i = 0; i < nl; i++)
                        a[h][i] = m[h][i] - (i == 0); /* m - 1 */
                tu_rand(e[h], 8 * en);
                if (iter == 4)
                    memset(e[h], h == 0 ? 0 : 0xff, 8 * en); /* 0 and all ones */
                bn_mont_to(&ctx[h], am[h], a[h]);
                BIGNUM *M = bn_of(m[h], nl), *A = bn_of(a[h], nl), *E = bn_of(e[h], en);
                BIGNUM *R = BN_new();
                BN_mod_exp(R, A, E, M, bctx);
                uint8_t buf[8 * BN_MAX_LIMBS];
                CHECK(BN_bn2binpad(R, buf, (int)(8 * nl)) >= 0);
                bn_from_be(ref[h], nl, buf, 8 * nl);
                BN_set_word(E, eu[iter]);
                BN_mod_exp(R, A, E, M, bctx);
                CHECK(BN_bn2binpad(R, buf, (int)(8 * nl)) >= 0);
                bn_from_be(refu[h], nl, buf, 8 * nl);
                BN_free(M);
                BN_free(A);
                BN_free(E);
                BN_free(R);
            }
            for (int model = 0; model < 3; model++) {
                /* 0: IFMA, 1: model, 2: bn_mont_pow2_ct (whichever the CPU picks) */
                for (int h = 0; h < 2; h++)
                    memcpy(r[h], am[h], sizeof r[h]);
                if (model == 2)
                    bn_mont_pow2_ct(&ctx[0], r[0], r[0], e[0], en, &ctx[1], r[1], r[1], e[1], en);
                else if (!bn_r52_pow2_ct(model, &ctx[0], r[0], r[0], e[0], &ctx[1], r[1], r[1],
                                         e[1], en)) {
                    CHECK(model == 0 && !cpu_has(TENON_CPU_AVX512F | TENON_CPU_AVX512IFMA));
                    continue;
                }
                ifma_runs += model == 0;
                checks += 2;
                fails += pow2_mismatches(ctx, r, ref, nl);
            }
            /* the same for a public exponent: IFMA, model, bn_mont_pow2_u64 */
            for (int model = 0; model < 3; model++) {
                if (model == 2)
                    bn_mont_pow2_u64(&ctx[0], r[0], am[0], &ctx[1], r[1], am[1], eu[iter]);
                else if (!bn_r52_pow2_u64(model, &ctx[0], r[0], am[0], &ctx[1], r[1], am[1],
                                          eu[iter])) {
                    CHECK(model == 0 && !cpu_has(TENON_CPU_AVX512F | TENON_CPU_AVX512IFMA));
                    continue;
                }
                ifma_runs += model == 0;
                checks += 2;
                fails += pow2_mismatches(ctx, r, refu, nl);
            }
        }
    }
    /* sizes it does not take, and unequal exponent lengths: the caller falls back */
    {
        uint64_t m[BN_MAX_LIMBS], x[BN_MAX_LIMBS] = {5}, e[BN_MAX_LIMBS] = {3}, r1[BN_MAX_LIMBS];
        uint64_t r2[BN_MAX_LIMBS];
        tu_rand(m, sizeof m);
        m[0] |= 1;
        m[19] |= 1ull << 63;
        bn_mont c20, c16;
        bn_mont_init(&c20, m, 20, NULL);
        bn_mont_init(&c16, m, 16, NULL);
        CHECK(bn_r52_pow2_ct(1, &c20, r1, x, e, &c20, r2, x, e, 1) == 0);
        CHECK(bn_r52_pow2_ct(1, &c16, r1, x, e, &c20, r2, x, e, 1) == 0);
        bn_mont_to(&c16, x, x);
        bn_mont_pow2_ct(&c16, r1, x, e, 1, &c16, r2, x, e, 2);
        bn_mont_from(&c16, r1, r1);
        bn_mont_from(&c16, r2, r2);
        CHECK(r1[0] == 125 && r2[0] == 125);
        /* the public-exponent one: the same refusals, and e = 0; unequal sizes fall back */
        CHECK(bn_r52_pow2_u64(1, &c20, r1, x, &c20, r2, x, 3) == 0);
        CHECK(bn_r52_pow2_u64(1, &c16, r1, x, &c20, r2, x, 3) == 0);
        CHECK(bn_r52_pow2_u64(1, &c16, r1, x, &c16, r2, x, 0) == 0);
        uint64_t y[BN_MAX_LIMBS] = {7}, z[BN_MAX_LIMBS] = {0};
        bn_mont_to(&c20, y, y);
        bn_mont_pow2_u64(&c16, r1, x, &c20, z, y, 3);
        bn_mont_from(&c16, r1, r1);
        bn_mont_from(&c20, z, z);
        CHECK(r1[0] == 125 && z[0] == 343);
    }
    CHECK(fails == 0);
    printf("bignum pow2: %lu checks (%lu IFMA runs), %lu failed\n", checks, ifma_runs, fails);
    BN_CTX_free(bctx);
}

/* The RSA public operation's radix-2^52 code on one 32-limb modulus (bn_r52_pow_u64_vartime):
 * the IFMA instance (where the CPU has it) and its portable model against OpenSSL BN_mod_exp,
 * with moduli of random 2048 bits, top limb 1 and all limbs but the lowest all ones, bases 0, 1,
 * 2, m - 1, 2^1024 +- 1, random, and exponents 65537, 3, 1, 2, 2^63 and 2^64 - 1; and the
 * refusals (other sizes, e = 0). */
static void test_bignum_pow_public(void)
{
    BN_CTX *bctx = BN_CTX_new();
    unsigned long checks = 0, fails = 0, ifma_runs = 0;
    const size_t nl = 32;
    static const uint64_t eu[6] = {65537, 3, 1, 2, 1ull << 63, UINT64_MAX};
    for (int mi = 0; mi < 3; mi++) {
        uint64_t m[BN_MAX_LIMBS];
        tu_rand(m, 8 * nl);
        m[0] |= 1;
        m[nl - 1] |= 1ull << 63;
        if (mi == 1)
            m[nl - 1] = 1;
        if (mi == 2)
            for (size_t i = 1; i < nl; i++)
                m[i] = UINT64_MAX;
        for (int bi = 0; bi < 8; bi++) {
            uint64_t b[BN_MAX_LIMBS] = {0}, r[BN_MAX_LIMBS], ref[BN_MAX_LIMBS];
            if (bi < 3)
                b[0] = (uint64_t)bi; /* 0, 1, 2 */
            else if (bi == 3)
                for (size_t i = 0; i < nl; i++)
                    b[i] = m[i] - (i == 0); /* m - 1 */
            else if (bi == 4)
                b[16] = 1; /* 2^1024 */
            else if (bi == 5) {
                b[16] = 1; /* 2^1024 + 1 */
                b[0] = 1;
            } else if (bi == 6)
                memset(b, 0xff, 8 * 16); /* 2^1024 - 1 */
            else
                rand_below(b, m, nl);
            for (int ei = 0; ei < 6; ei++) {
                BIGNUM *M = bn_of(m, nl), *B = bn_of(b, nl), *E = BN_new(), *R = BN_new();
                uint8_t buf[8 * BN_MAX_LIMBS];
                BN_set_word(E, eu[ei]);
                BN_mod_exp(R, B, E, M, bctx);
                CHECK(BN_bn2binpad(R, buf, (int)(8 * nl)) >= 0);
                bn_from_be(ref, nl, buf, 8 * nl);
                BN_free(M);
                BN_free(B);
                BN_free(E);
                BN_free(R);
                for (int model = 0; model < 2; model++) {
                    memset(r, 0xa5, sizeof r);
                    if (!bn_r52_pow_u64_vartime(model, r, b, m, nl, eu[ei])) {
                        CHECK(model == 0 && !cpu_has(TENON_CPU_AVX512F | TENON_CPU_AVX512IFMA));
                        continue;
                    }
                    ifma_runs += model == 0;
                    checks++;
                    fails += memcmp(r, ref, 8 * nl) != 0;
                }
            }
        }
        uint64_t b[BN_MAX_LIMBS] = {5}, r[BN_MAX_LIMBS];
        CHECK(bn_r52_pow_u64_vartime(1, r, b, m, nl, 0) == 0);
        CHECK(bn_r52_pow_u64_vartime(1, r, b, m, 16, 3) == 0);
        CHECK(bn_r52_pow_u64_vartime(1, r, b, m, 24, 3) == 0);
    }
    CHECK(fails == 0);
    printf("bignum pow public: %lu checks (%lu IFMA runs), %lu failed\n", checks, ifma_runs, fails);
    BN_CTX_free(bctx);
}

/* ------------------------------------------------------------------------------------------
 * Keys
 * ------------------------------------------------------------------------------------------ */

static size_t bn_param(const EVP_PKEY *pk, const char *name, uint8_t *out)
{
    BIGNUM *b = NULL;
    if (!EVP_PKEY_get_bn_param(pk, name, &b)) {
        fprintf(stderr, "missing RSA parameter %s\n", name);
        abort();
    }
    size_t len = (size_t)BN_bn2bin(b, out);
    BN_free(b);
    return len;
}

/* A tenon private key from an OpenSSL one. */
static int key_from_evp(const EVP_PKEY *pk, tenon_rsa_private_key *key)
{
    uint8_t n[1024], e[1024], p[1024], q[1024], dp[1024], dq[1024], qi[1024];
    size_t nl = bn_param(pk, OSSL_PKEY_PARAM_RSA_N, n), el = bn_param(pk, OSSL_PKEY_PARAM_RSA_E, e);
    size_t pl = bn_param(pk, OSSL_PKEY_PARAM_RSA_FACTOR1, p);
    size_t ql = bn_param(pk, OSSL_PKEY_PARAM_RSA_FACTOR2, q);
    size_t dpl = bn_param(pk, OSSL_PKEY_PARAM_RSA_EXPONENT1, dp);
    size_t dql = bn_param(pk, OSSL_PKEY_PARAM_RSA_EXPONENT2, dq);
    size_t qil = bn_param(pk, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qi);
    return tenon_rsa_private_key_load(key, n, nl, e, el, p, pl, q, ql, dp, dpl, dq, dql, qi, qil);
}

static EVP_PKEY *evp_from_der(const uint8_t *der, size_t len)
{
    const unsigned char *pp = der;
    return d2i_AutoPrivateKey(NULL, &pp, (long)len);
}

/* ------------------------------------------------------------------------------------------
 * Wycheproof
 * ------------------------------------------------------------------------------------------ */

typedef struct wp_state {
    const cJSON *group;
    int key_rc;
    tenon_rsa_private_key priv;
    tenon_rsa_public_key pub;
} wp_state;

static const cJSON *member(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* Loads the group's public key once per group. */
static int wp_public(const cJSON *group, wp_state *st)
{
    if (st->group != group) {
        st->group = group;
        const cJSON *pk = member(group, "publicKey");
        size_t nl, el;
        uint8_t *n = tu_json_hex(pk, "modulus", &nl), *e = tu_json_hex(pk, "publicExponent", &el);
        st->key_rc = tenon_rsa_public_key_load(&st->pub, n, nl, e, el);
        free(n);
        free(e);
        CHECK_RC(st->key_rc, TENON_OK);
    }
    return st->key_rc;
}

static int wp_decrypt(const cJSON *group, const cJSON *test, void *arg)
{
    wp_state *st = arg;
    if (st->group != group) {
        st->group = group;
        const cJSON *pk = member(group, "privateKey");
        size_t l[7];
        uint8_t *v[7];
        static const char *names[7] = {"modulus",   "publicExponent", "prime1",     "prime2",
                                       "exponent1", "exponent2",      "coefficient"};
        for (int i = 0; i < 7; i++)
            v[i] = tu_json_hex(pk, names[i], &l[i]);
        st->key_rc = tenon_rsa_private_key_load(&st->priv, v[0], l[0], v[1], l[1], v[2], l[2], v[3],
                                                l[3], v[4], l[4], v[5], l[5], v[6], l[6]);
        for (int i = 0; i < 7; i++)
            free(v[i]);
        CHECK_RC(st->key_rc, TENON_OK);
    }
    if (st->key_rc != TENON_OK)
        return 0;
    size_t ml, cl, outl = 0;
    uint8_t *msg = tu_json_hex(test, "msg", &ml), *ct = tu_json_hex(test, "ct", &cl);
    uint8_t out[TENON_RSA_MAX_LEN];
    int rc = tenon_rsa_pkcs1_decrypt(&st->priv, ct, cl, out, sizeof out, &outl);
    int ok = rc == TENON_OK && outl == ml && memcmp(out, msg, ml) == 0;
    /* The TLS 1.2 path must agree on 48-byte messages (with their first two bytes as the
     * version), and return 0 whatever the ciphertext. */
    if (cl == st->priv.pub.n_len) {
        uint8_t pms[48];
        int rc2 = tenon_rsa_tls12_premaster_decrypt(&st->priv, ct, cl, ml >= 2 ? msg[0] : 3,
                                                    ml >= 2 ? msg[1] : 3, pms);
        CHECK_RC(rc2, TENON_OK);
        CHECK((ok && ml == 48) == (memcmp(pms, msg, ml < 48 ? ml : 48) == 0 && ml == 48));
    }
    free(msg);
    free(ct);
    return ok;
}

static int wp_sig_gen(const cJSON *group, const cJSON *test, void *arg)
{
    wp_state *st = arg;
    const tenon_hash_class *h = hash_by_name(tu_json_str(group, "sha"));
    if (h == NULL)
        return -1;
    if (st->group != group) {
        st->group = group;
        size_t dl;
        uint8_t *der = tu_json_hex(group, "privateKeyPkcs8", &dl);
        EVP_PKEY *pk = evp_from_der(der, dl);
        CHECK(pk != NULL);
        st->key_rc = pk != NULL ? key_from_evp(pk, &st->priv) : TENON_ERR_MALFORMED;
        CHECK_RC(st->key_rc, TENON_OK);
        EVP_PKEY_free(pk);
        free(der);
    }
    if (st->key_rc != TENON_OK)
        return 0;
    size_t ml, sl, outl = 0;
    uint8_t *msg = tu_json_hex(test, "msg", &ml), *sig = tu_json_hex(test, "sig", &sl);
    uint8_t d[TENON_HASH_MAX_LEN], out[TENON_RSA_MAX_LEN];
    tenon_hash(h, msg, ml, d);
    int rc = tenon_rsa_pkcs1_sign(&st->priv, h, d, h->digest_len, out, sizeof out, &outl);
    int ok = rc == TENON_OK && outl == sl && memcmp(out, sig, sl) == 0;
    /* and the signature verifies */
    if (ok)
        CHECK_RC(tenon_rsa_pkcs1_verify(&st->priv.pub, h, d, h->digest_len, out, outl), 0);
    free(msg);
    free(sig);
    return ok;
}

static int wp_pkcs1_verify(const cJSON *group, const cJSON *test, void *arg)
{
    wp_state *st = arg;
    const tenon_hash_class *h = hash_by_name(tu_json_str(group, "sha"));
    if (h == NULL)
        return -1;
    if (wp_public(group, st) != TENON_OK)
        return 0;
    size_t ml, sl;
    uint8_t *msg = tu_json_hex(test, "msg", &ml), *sig = tu_json_hex(test, "sig", &sl);
    uint8_t d[TENON_HASH_MAX_LEN];
    tenon_hash(h, msg, ml, d);
    int rc = tenon_rsa_pkcs1_verify(&st->pub, h, d, h->digest_len, sig, sl);
    CHECK(rc == TENON_OK || rc == TENON_ERR_BAD_SIGNATURE);
    free(msg);
    free(sig);
    return rc == TENON_OK;
}

static int wp_pss_verify(const cJSON *group, const cJSON *test, void *arg)
{
    wp_state *st = arg;
    const tenon_hash_class *h = hash_by_name(tu_json_str(group, "sha"));
    const tenon_hash_class *mh = hash_by_name(tu_json_str(group, "mgfSha"));
    if (h == NULL || mh == NULL || strcmp(tu_json_str(group, "mgf"), "MGF1") != 0)
        return -1;
    if (wp_public(group, st) != TENON_OK)
        return 0;
    size_t salt = (size_t)tu_json_int(group, "sLen");
    size_t ml, sl;
    uint8_t *msg = tu_json_hex(test, "msg", &ml), *sig = tu_json_hex(test, "sig", &sl);
    uint8_t d[TENON_HASH_MAX_LEN];
    tenon_hash(h, msg, ml, d);
    int rc = tenon_rsa_pss_verify_mgf1(&st->pub, h, mh, d, h->digest_len, salt, sig, sl);
    CHECK(rc == TENON_OK || rc == TENON_ERR_BAD_SIGNATURE);
    /* a valid signature also verifies with the salt length recovered */
    if (rc == TENON_OK)
        CHECK_RC(tenon_rsa_pss_verify_mgf1(&st->pub, h, mh, d, h->digest_len,
                                           TENON_RSA_PSS_SALT_ANY, sig, sl),
                 TENON_OK);
    free(msg);
    free(sig);
    return rc == TENON_OK;
}

static void test_wycheproof(void)
{
    static const char *dec[] = {"rsa_pkcs1_2048_test.json", "rsa_pkcs1_3072_test.json",
                                "rsa_pkcs1_4096_test.json"};
    static const char *gen[] = {"rsa_pkcs1_2048_sig_gen_test.json",
                                "rsa_pkcs1_3072_sig_gen_test.json",
                                "rsa_pkcs1_4096_sig_gen_test.json"};
    static const char *pss[] = {"rsa_pss_2048_sha256_mgf1_32_params_test.json",
                                "rsa_pss_2048_sha256_mgf1_32_test.json",
                                "rsa_pss_2048_sha384_mgf1_48_test.json",
                                "rsa_pss_3072_sha256_mgf1_32_params_test.json",
                                "rsa_pss_3072_sha256_mgf1_32_test.json",
                                "rsa_pss_4096_sha256_mgf1_32_test.json",
                                "rsa_pss_4096_sha384_mgf1_48_test.json",
                                "rsa_pss_4096_sha512_mgf1_64_params_test.json",
                                "rsa_pss_4096_sha512_mgf1_64_test.json",
                                "rsa_pss_misc_params_test.json",
                                "rsa_pss_misc_test.json"};
    static const char *sig[] = {
        "rsa_signature_2048_sha256_test.json", "rsa_signature_2048_sha384_test.json",
        "rsa_signature_2048_sha512_test.json", "rsa_signature_3072_sha256_test.json",
        "rsa_signature_3072_sha384_test.json", "rsa_signature_3072_sha512_test.json",
        "rsa_signature_4096_sha256_test.json", "rsa_signature_4096_sha384_test.json",
        "rsa_signature_4096_sha512_test.json"};
    wp_state *st = calloc(1, sizeof *st);
    for (size_t i = 0; i < NELEM(dec); i++) {
        memset(st, 0, sizeof *st);
        tu_wycheproof(dec[i], "RSAES-PKCS1-v1_5 decrypt", wp_decrypt, st);
    }
    for (size_t i = 0; i < NELEM(gen); i++) {
        memset(st, 0, sizeof *st);
        tu_wycheproof(gen[i], "RSASSA-PKCS1-v1_5 sign", wp_sig_gen, st);
    }
    for (size_t i = 0; i < NELEM(pss); i++) {
        memset(st, 0, sizeof *st);
        tu_wycheproof(pss[i], "RSASSA-PSS verify", wp_pss_verify, st);
    }
    for (size_t i = 0; i < NELEM(sig); i++) {
        memset(st, 0, sizeof *st);
        tu_wycheproof(sig[i], "RSASSA-PKCS1-v1_5 verify", wp_pkcs1_verify, st);
    }
    tenon_rsa_private_key_wipe(&st->priv);
    free(st);
}

/* ------------------------------------------------------------------------------------------
 * Differential against OpenSSL
 * ------------------------------------------------------------------------------------------ */

static EVP_PKEY *gen_key(int bits)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY *pk = NULL;
    if (c == NULL || EVP_PKEY_keygen_init(c) <= 0 ||
        EVP_PKEY_CTX_set_rsa_keygen_bits(c, bits) <= 0 || EVP_PKEY_keygen(c, &pk) <= 0) {
        fprintf(stderr, "RSA keygen failed\n");
        abort();
    }
    EVP_PKEY_CTX_free(c);
    return pk;
}

static int ossl_sign(EVP_PKEY *pk, int pss, const tenon_hash_class *h, const uint8_t *d,
                     uint8_t *sig, size_t *sl)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pk, NULL);
    int ok = EVP_PKEY_sign_init(c) > 0 &&
             EVP_PKEY_CTX_set_rsa_padding(c, pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) > 0 &&
             EVP_PKEY_CTX_set_signature_md(c, evp_md_of(h)) > 0 &&
             (!pss || (EVP_PKEY_CTX_set_rsa_pss_saltlen(c, RSA_PSS_SALTLEN_DIGEST) > 0 &&
                       EVP_PKEY_CTX_set_rsa_mgf1_md(c, evp_md_of(h)) > 0)) &&
             EVP_PKEY_sign(c, sig, sl, d, h->digest_len) > 0;
    EVP_PKEY_CTX_free(c);
    return ok;
}

static int ossl_verify(EVP_PKEY *pk, int pss, const tenon_hash_class *h, const uint8_t *d,
                       const uint8_t *sig, size_t sl)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pk, NULL);
    int ok = EVP_PKEY_verify_init(c) > 0 &&
             EVP_PKEY_CTX_set_rsa_padding(c, pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) > 0 &&
             EVP_PKEY_CTX_set_signature_md(c, evp_md_of(h)) > 0 &&
             (!pss || (EVP_PKEY_CTX_set_rsa_pss_saltlen(c, RSA_PSS_SALTLEN_DIGEST) > 0 &&
                       EVP_PKEY_CTX_set_rsa_mgf1_md(c, evp_md_of(h)) > 0)) &&
             EVP_PKEY_verify(c, sig, sl, d, h->digest_len) == 1;
    EVP_PKEY_CTX_free(c);
    ERR_clear_error();
    return ok;
}

static int ossl_crypt(EVP_PKEY *pk, int enc, const uint8_t *in, size_t il, uint8_t *out, size_t *ol)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pk, NULL);
    *ol = TENON_RSA_MAX_LEN;
    int ok =
        (enc ? EVP_PKEY_encrypt_init(c) : EVP_PKEY_decrypt_init(c)) > 0 &&
        EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) > 0 &&
        (enc ? EVP_PKEY_encrypt(c, out, ol, in, il) : EVP_PKEY_decrypt(c, out, ol, in, il)) > 0;
    EVP_PKEY_CTX_free(c);
    return ok;
}

static unsigned long diff_cases;

static void differential(EVP_PKEY *pk, int iters)
{
    tenon_rsa_private_key *key = malloc(sizeof *key);
    CHECK_RC(key_from_evp(pk, key), TENON_OK);
    const tenon_hash_class *hs[3] = {&tenon_sha256, &tenon_sha384, &tenon_sha512};
    size_t k = key->pub.n_len;
    for (int it = 0; it < iters; it++) {
        const tenon_hash_class *h = hs[it % 3];
        uint8_t d[64], s1[TENON_RSA_MAX_LEN], s2[TENON_RSA_MAX_LEN];
        size_t l1 = 0, l2 = sizeof s2;
        tu_rand(d, sizeof d);
        /* PKCS#1 v1.5: both deterministic, so the signatures must be identical */
        CHECK_RC(tenon_rsa_pkcs1_sign(key, h, d, h->digest_len, s1, sizeof s1, &l1), 0);
        CHECK(ossl_sign(pk, 0, h, d, s2, &l2));
        CHECK(l1 == k && l2 == k && memcmp(s1, s2, k) == 0);
        CHECK(ossl_verify(pk, 0, h, d, s1, l1));
        CHECK_RC(tenon_rsa_pkcs1_verify(&key->pub, h, d, h->digest_len, s2, l2), 0);
        /* PSS both ways */
        l2 = sizeof s2;
        CHECK_RC(tenon_rsa_pss_sign(key, h, d, h->digest_len, s1, sizeof s1, &l1), 0);
        CHECK(ossl_verify(pk, 1, h, d, s1, l1));
        CHECK(ossl_sign(pk, 1, h, d, s2, &l2));
        CHECK_RC(tenon_rsa_pss_verify(&key->pub, h, d, h->digest_len, h->digest_len, s2, l2), 0);
        /* a flipped digest bit fails both */
        d[it % h->digest_len] ^= 1;
        CHECK_RC(tenon_rsa_pss_verify(&key->pub, h, d, h->digest_len, h->digest_len, s2, l2),
                 TENON_ERR_BAD_SIGNATURE);
        CHECK(!ossl_verify(pk, 1, h, d, s1, l1));
        /* encryption both ways, message lengths 0 .. k - 11 */
        uint8_t m[TENON_RSA_MAX_LEN], c[TENON_RSA_MAX_LEN], o[TENON_RSA_MAX_LEN];
        size_t ml = (size_t)tu_rand_u64() % (k - 10), cl = 0, ol = 0;
        if (it % 7 == 0)
            ml = k - 11;
        tu_rand(m, ml);
        CHECK_RC(tenon_rsa_pkcs1_encrypt(&key->pub, m, ml, c, sizeof c, &cl), 0);
        CHECK(ossl_crypt(pk, 0, c, cl, o, &ol) && ol == ml && memcmp(o, m, ml) == 0);
        CHECK(ossl_crypt(pk, 1, m, ml, c, &cl));
        CHECK_RC(tenon_rsa_pkcs1_decrypt(key, c, cl, o, sizeof o, &ol), 0);
        CHECK(ol == ml && memcmp(o, m, ml) == 0);
        diff_cases += 8;
    }
    tenon_rsa_private_key_wipe(key);
    free(key);
}

static EVP_PKEY *keys[4];

static void test_differential(void)
{
    static const int bits[4] = {2048, 2048, 3072, 4096};
    static const int iters[4] = {120, 120, 50, 25};
    clock_t t0 = clock();
    for (int i = 0; i < 4; i++)
        keys[i] = gen_key(bits[i]);
    printf("differential: 4 OpenSSL keys generated in %.1f s\n",
           (double)(clock() - t0) / CLOCKS_PER_SEC);
    for (int i = 0; i < 4; i++)
        differential(keys[i], iters[i]);
    /* the portable big-integer code, too */
    tenon_cpu_set_mask(0);
    differential(keys[0], 30);
    differential(keys[3], 6);
    tenon_cpu_set_mask(UINT32_MAX);
    printf("differential vs OpenSSL: %lu cases\n", diff_cases);
}

/* ------------------------------------------------------------------------------------------
 * TLS 1.2 pre-master secret
 * ------------------------------------------------------------------------------------------ */

/* Encrypts a hand-made encoded message EM (k bytes) with the raw public operation. */
static void raw_encrypt(const tenon_rsa_public_key *pub, const uint8_t *em, uint8_t *ct)
{
    CHECK_RC(rsa_public_op(pub, em, ct), 0);
}

/* EM = 00 02 PS 00 M with |M| = mlen, PS non-zero. */
static void make_em(uint8_t *em, size_t k, const uint8_t *m, size_t mlen)
{
    em[0] = 0;
    em[1] = 2;
    for (size_t i = 2; i < k - mlen - 1; i++) {
        do
            tu_rand(&em[i], 1);
        while (em[i] == 0);
    }
    em[k - mlen - 1] = 0;
    memcpy(em + k - mlen, m, mlen);
}

static void test_tls12(void)
{
    tenon_rsa_private_key *key = malloc(sizeof *key);
    CHECK_RC(key_from_evp(keys[0], key), TENON_OK);
    size_t k = key->pub.n_len;
    uint8_t pms[48], out[48], out2[48], em[TENON_RSA_MAX_LEN], ct[TENON_RSA_MAX_LEN];
    size_t cl;
    unsigned long n = 0;
    tu_rand(pms, 48);
    pms[0] = 3;
    pms[1] = 3;
    /* correct */
    CHECK_RC(tenon_rsa_pkcs1_encrypt(&key->pub, pms, 48, ct, sizeof ct, &cl), 0);
    CHECK_RC(tenon_rsa_tls12_premaster_decrypt(key, ct, cl, 3, 3, out), 0);
    CHECK_MEM(out, pms, 48, "pre-master secret");
    n++;
    /* wrong version bytes */
    static const uint8_t vers[3][2] = {{3, 1}, {2, 3}, {3, 4}};
    for (int i = 0; i < 3; i++) {
        CHECK_RC(tenon_rsa_tls12_premaster_decrypt(key, ct, cl, vers[i][0], vers[i][1], out), 0);
        CHECK(memcmp(out, pms, 48) != 0 && memcmp(out + 2, pms + 2, 46) != 0);
        n++;
    }
    /* 47 and 49 bytes with correct padding */
    for (size_t len = 47; len <= 49; len += 2) {
        uint8_t m[49];
        tu_rand(m, len);
        m[0] = 3;
        m[1] = 3;
        make_em(em, k, m, len);
        raw_encrypt(&key->pub, em, ct);
        CHECK_RC(tenon_rsa_tls12_premaster_decrypt(key, ct, k, 3, 3, out), 0);
        CHECK(memcmp(out, m, 48) != 0 && memcmp(out + 2, m + 2, 46) != 0);
        /* (the last 48 bytes: only where there are 48; m - 1 is outside m) */
        CHECK(len < 48 || memcmp(out, m + len - 48, 48) != 0);
        n++;
    }
    /* bad padding: block type 1, first byte 1, a zero in PS, no separator, a short PS */
    for (int variant = 0; variant < 5; variant++) {
        make_em(em, k, pms, 48);
        if (variant == 0)
            em[1] = 1;
        if (variant == 1)
            em[0] = 1;
        if (variant == 2)
            em[5] = 0;
        if (variant == 3)
            em[k - 49] = 0x55;
        if (variant == 4) {
            /* PS of 7 bytes: 00 02 PS(7) 00 M, with M longer than 48 */
            em[9] = 0;
        }
        raw_encrypt(&key->pub, em, ct);
        CHECK_RC(tenon_rsa_tls12_premaster_decrypt(key, ct, k, 3, 3, out), 0);
        CHECK(memcmp(out, pms, 48) != 0 && memcmp(out + 2, pms + 2, 46) != 0);
        /* random each time */
        CHECK_RC(tenon_rsa_tls12_premaster_decrypt(key, ct, k, 3, 3, out2), 0);
        CHECK(memcmp(out, out2, 48) != 0);
        n++;
    }
    /* a ciphertext not below n: random as well, still 0 */
    memcpy(ct, key->pub.n, k);
    CHECK_RC(tenon_rsa_tls12_premaster_decrypt(key, ct, k, 3, 3, out), 0);
    memset(ct, 0xff, k);
    CHECK_RC(tenon_rsa_tls12_premaster_decrypt(key, ct, k, 3, 3, out2), 0);
    CHECK(memcmp(out, out2, 48) != 0);
    n++;
    /* public errors: the ciphertext length, NULL */
    CHECK_RC(tenon_rsa_tls12_premaster_decrypt(key, ct, k - 1, 3, 3, out), TENON_ERR_BAD_LENGTH);
    CHECK_RC(tenon_rsa_tls12_premaster_decrypt(key, ct, k + 1, 3, 3, out), TENON_ERR_BAD_LENGTH);
    CHECK_RC(tenon_rsa_tls12_premaster_decrypt(NULL, ct, k, 3, 3, out), TENON_ERR_INVALID_ARGUMENT);
    n++;
    printf("tls12 pre-master secret: %lu scenarios\n", n);
    tenon_rsa_private_key_wipe(key);
    free(key);
}

/* ------------------------------------------------------------------------------------------
 * The key's cached Montgomery constants (mont_crt): a key filled without
 * tenon_rsa_private_key_load (zeroed constants), with constants for other primes, or with a
 * tampered one still signs right: every private operation checks them and makes them anew
 * where they are wrong. The PKCS#1 v1.5 signature is deterministic, so each must equal the
 * loaded key's, which OpenSSL verifies.
 * ------------------------------------------------------------------------------------------ */

static void sign_same(const tenon_rsa_private_key *key, EVP_PKEY *pk, const uint8_t *want,
                      const char *what)
{
    uint8_t d[32] = {7, 1}, sig[TENON_RSA_MAX_LEN];
    size_t l = 0;
    CHECK_RC(tenon_rsa_pkcs1_sign(key, &tenon_sha256, d, 32, sig, sizeof sig, &l), TENON_OK);
    CHECK(l == key->pub.n_len);
    if (memcmp(sig, want, l) != 0)
        printf("  signature differs: %s\n", what);
    CHECK_MEM(sig, want, l, what);
    CHECK(ossl_verify(pk, 0, &tenon_sha256, d, sig, l));
    /* the private operation's check uses the key as well: a PSS signature (random salt)
     * verifies with both libraries */
    CHECK_RC(tenon_rsa_pss_sign(key, &tenon_sha256, d, 32, sig, sizeof sig, &l), TENON_OK);
    CHECK(ossl_verify(pk, 1, &tenon_sha256, d, sig, l));
}

static void test_key_cache(void)
{
    tenon_rsa_private_key *key = malloc(sizeof *key), *k2 = malloc(sizeof *k2);
    for (int i = 0; i < 4; i++) {
        CHECK_RC(key_from_evp(keys[i], key), TENON_OK);
        uint8_t d[32] = {7, 1}, want[TENON_RSA_MAX_LEN];
        size_t l = 0;
        CHECK_RC(tenon_rsa_pkcs1_sign(key, &tenon_sha256, d, 32, want, sizeof want, &l), 0);
        CHECK(ossl_verify(keys[i], 0, &tenon_sha256, d, want, l));
        /* load made the constants: R^2 mod p non-zero; using the key leaves it as it was */
        size_t pl = (key->p_len + 7) / 8;
        CHECK(bn_zero_mask(key->mont_crt[0], pl) == 0 && bn_zero_mask(key->mont_crt[3], pl) == 0);
        memcpy(k2, key, sizeof *key);
        sign_same(key, keys[i], want, "loaded key");
        /* all but the blinding cache */
        CHECK_MEM(key, k2, offsetof(tenon_rsa_private_key, blinding), "key unchanged by use");
        /* a copy signs the same */
        sign_same(k2, keys[i], want, "memcpy'd key");
        /* no constants at all: a key filled field by field */
        memset(k2->mont_crt, 0, sizeof k2->mont_crt);
        sign_same(k2, keys[i], want, "constants zeroed");
        /* each constant tampered with in one bit, in its low and its top limb */
        for (int j = 0; j < 4; j++)
            for (int at = 0; at < 2; at++) {
                memcpy(k2, key, sizeof *key);
                k2->mont_crt[j][at == 0 ? 0 : pl - 1] ^= (uint64_t)1 << (5 + 17 * j);
                sign_same(k2, keys[i], want, "one constant tampered");
            }
        /* p's constants where q's belong and the reverse (right values, wrong prime) */
        memcpy(k2, key, sizeof *key);
        memcpy(k2->mont_crt[0], key->mont_crt[2], sizeof key->mont_crt[0]);
        memcpy(k2->mont_crt[1], key->mont_crt[3], sizeof key->mont_crt[0]);
        memcpy(k2->mont_crt[2], key->mont_crt[0], sizeof key->mont_crt[0]);
        memcpy(k2->mont_crt[3], key->mont_crt[1], sizeof key->mont_crt[0]);
        sign_same(k2, keys[i], want, "constants swapped");
        /* R^2 + p in place of R^2 mod p (the right residue, not reduced) */
        memcpy(k2, key, sizeof *key);
        uint64_t p[BN_MAX_LIMBS / 2];
        bn_from_be(p, pl, key->p, key->p_len);
        if (bn_add(k2->mont_crt[0], key->mont_crt[0], p, pl) == 0)
            sign_same(k2, keys[i], want, "constant not reduced");
        /* the check itself: the right pair passes, every wrong one fails */
        bn_mont ctx;
        bn_mont_init_with_rr(&ctx, p, pl, key->mont_crt[0]);
        CHECK(bn_mont_consts_check(&ctx, key->mont_crt[1]) == UINT64_MAX);
        CHECK(bn_mont_consts_check(&ctx, NULL) == UINT64_MAX);
        CHECK(bn_mont_consts_check(&ctx, key->mont_crt[0]) == 0);
        CHECK(bn_mont_consts_check(&ctx, key->mont_crt[3]) == 0);
        bn_mont_init_with_rr(&ctx, p, pl, key->mont_crt[1]);
        CHECK(bn_mont_consts_check(&ctx, NULL) == 0);
        bn_mont_init_with_rr(&ctx, p, pl, k2->mont_crt[0]);
        CHECK(bn_mont_consts_check(&ctx, NULL) == 0);
    }
    printf("test_rsa: cached key constants: zeroed, copied, tampered, swapped, unreduced\n");
    tenon_rsa_private_key_wipe(key);
    free(key);
    free(k2);
}

/* ------------------------------------------------------------------------------------------
 * The blinding cache (tenon/rsa.h, blinding): the pair squared at each use, renewed every 32
 * uses, in a child of fork(), never used by a copy of the key, dropped after a failed check;
 * and two threads signing with one key.
 * ------------------------------------------------------------------------------------------ */

enum { BLIND_USES = 32 }; /* rsa.c's */

/* PKCS#1 v1.5 signature of digest d (32 bytes) under key: equal to want. */
static int signs_as(const tenon_rsa_private_key *key, const uint8_t *d, const uint8_t *want)
{
    uint8_t sig[TENON_RSA_MAX_LEN];
    size_t l = 0;
    return tenon_rsa_pkcs1_sign(key, &tenon_sha256, d, 32, sig, sizeof sig, &l) == TENON_OK &&
           l == key->pub.n_len && memcmp(sig, want, l) == 0;
}

typedef struct {
    const tenon_rsa_private_key *key;
    const uint8_t (*d)[32];
    const uint8_t (*want)[TENON_RSA_MAX_LEN];
    int n, first, bad;
} sign_job;

static void *sign_thread(void *arg)
{
    sign_job *j = arg;
    for (int i = 0; i < j->n; i++) {
        int at = (j->first + i) % 8;
        j->bad += !signs_as(j->key, j->d[at], j->want[at]);
    }
    return NULL;
}

static void test_blinding_cache(void)
{
    EVP_PKEY *pk = keys[0];
    tenon_rsa_private_key *key = malloc(sizeof *key), *k2 = malloc(sizeof *k2);
    CHECK_RC(key_from_evp(pk, key), TENON_OK);
    size_t k = key->pub.n_len;
    /* load ran one private operation, which made the first pair */
    CHECK(key->blinding.owner == key && key->blinding.pid == (int64_t)getpid());
    CHECK(key->blinding.uses == 1 && key->blinding.lock == 0);

    /* 3 x 70 consecutive operations, across renewals: PKCS#1 v1.5 equal to OpenSSL's
     * signature, PSS verified by OpenSSL, decryption of OpenSSL's ciphertexts */
    int renewals = 0, bad = 0;
    uint32_t last = key->blinding.uses;
    for (int it = 0; it < 210; it++) {
        uint8_t d[32], s1[TENON_RSA_MAX_LEN], s2[TENON_RSA_MAX_LEN];
        size_t l1 = 0, l2 = sizeof s2;
        tu_rand(d, sizeof d);
        if (it < 70) {
            CHECK(ossl_sign(pk, 0, &tenon_sha256, d, s2, &l2));
            bad += !signs_as(key, d, s2);
        } else if (it < 140) {
            CHECK_RC(tenon_rsa_pss_sign(key, &tenon_sha256, d, 32, s1, sizeof s1, &l1), 0);
            bad += !ossl_verify(pk, 1, &tenon_sha256, d, s1, l1);
        } else {
            CHECK(ossl_crypt(pk, 1, d, 32, s2, &l2));
            CHECK_RC(tenon_rsa_pkcs1_decrypt(key, s2, l2, s1, sizeof s1, &l1), 0);
            bad += !(l1 == 32 && memcmp(s1, d, 32) == 0);
        }
        uint32_t now = key->blinding.uses;
        CHECK(now == (last == BLIND_USES ? 1u : last + 1));
        renewals += now == 1;
        last = now;
    }
    CHECK(bad == 0);
    CHECK(renewals == 6); /* the 32nd, 64th, ... 192nd: load made the first pair */

    /* the pair is squared at each use: the next pair is this one's square */
    uint64_t before[2][2][TENON_RSA_MAX_PRIME_LEN / 8], mine[BN_MAX_LIMBS / 2];
    uint8_t d[8][32], want[8][TENON_RSA_MAX_LEN];
    for (int i = 0; i < 8; i++) {
        size_t l = sizeof want[i];
        tu_rand(d[i], 32);
        CHECK(ossl_sign(pk, 0, &tenon_sha256, d[i], want[i], &l) && l == k);
    }
    if (key->blinding.uses == BLIND_USES)
        CHECK(signs_as(key, d[0], want[0]));
    memcpy(before, key->blinding.pair, sizeof before);
    CHECK(signs_as(key, d[0], want[0]));
    for (int i = 0; i < 2; i++) {
        const uint8_t *prime = i == 0 ? key->p : key->q;
        size_t len = i == 0 ? key->p_len : key->q_len, pl = (len + 7) / 8;
        uint64_t m[BN_MAX_LIMBS / 2];
        bn_mont ctx;
        bn_from_be(m, pl, prime, len);
        bn_mont_init(&ctx, m, pl, NULL);
        for (int j = 0; j < 2; j++) {
            bn_mont_sqr(&ctx, mine, before[i][j]);
            CHECK_MEM(key->blinding.pair[i][j], mine, pl * 8, "the pair squared");
        }
        /* and the pair is right: M(r^e) M(r^-1)^e = M(1) */
        bn_mont_pow_u64(&ctx, mine, key->blinding.pair[i][1], 65537);
        bn_mont_mul(&ctx, mine, mine, key->blinding.pair[i][0]);
        bn_mont_from(&ctx, mine, mine);
        uint64_t one[BN_MAX_LIMBS / 2] = {1};
        CHECK_MEM(mine, one, pl * 8, "r^e times (r^-1)^e");
    }

    /* a copy by value signs right, writes nothing to itself and leaves the original alone */
    memcpy(k2, key, sizeof *key);
    struct tenon_rsa_blinding was = key->blinding;
    for (int i = 0; i < 3; i++)
        CHECK(signs_as(k2, d[i], want[i]));
    CHECK_MEM(k2, key, sizeof *key, "the copy unchanged");
    CHECK_MEM(&key->blinding, &was, sizeof was, "the original's cache unchanged");
    /* the lock held elsewhere: a fresh pair, the cache untouched */
    key->blinding.lock = 1;
    CHECK(signs_as(key, d[1], want[1]));
    key->blinding.lock = 0;
    CHECK_MEM(&key->blinding, &was, sizeof was, "the cache untouched while locked");

    /* fork: the child renews the pair (its own pid), then goes on from it; the parent's cache
     * is its own */
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        int ok = key->blinding.pid != (int64_t)getpid();
        for (int i = 0; i < 3; i++)
            ok &= signs_as(key, d[i], want[i]);
        ok &= key->blinding.pid == (int64_t)getpid() && key->blinding.uses == 3;
        ok &= memcmp(key->blinding.pair, was.pair, sizeof was.pair) != 0;
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    CHECK(child > 0 && waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_MEM(&key->blinding, &was, sizeof was, "the parent's cache after the child");
    CHECK(signs_as(key, d[2], want[2]));
    CHECK(key->blinding.pid == (int64_t)getpid());

    /* a corrupted pair (r^e or r^-1, either prime) never releases a wrong signature: the check
     * fails (TENON_ERR_INTERNAL, the output zero) and drops the pair; the next call renews */
    for (int which = 0; which < 4; which++) {
        while (key->blinding.uses >= BLIND_USES) /* so that the next call takes the pair */
            CHECK(signs_as(key, d[0], want[0]));
        key->blinding.pair[which >> 1][which & 1][which] ^= (uint64_t)1 << (9 * which + 3);
        uint8_t sig[TENON_RSA_MAX_LEN];
        size_t l = 12345;
        memset(sig, 0xa5, sizeof sig);
        CHECK_RC(tenon_rsa_pkcs1_sign(key, &tenon_sha256, d[3], 32, sig, sizeof sig, &l),
                 TENON_ERR_INTERNAL);
        uint8_t released[TENON_RSA_MAX_LEN];
        memset(released, 0, k); /* the result masked to zero; nothing beyond k bytes */
        memset(released + k, 0xa5, sizeof released - k);
        CHECK_MEM(sig, released, sizeof sig, "no signature released after a failed check");
        CHECK(key->blinding.uses == BLIND_USES && key->blinding.lock == 0);
        uint64_t zero[2][2][TENON_RSA_MAX_PRIME_LEN / 8] = {{{0}}};
        CHECK_MEM(key->blinding.pair, zero, sizeof zero, "the pair dropped");
        CHECK(signs_as(key, d[3], want[3]));
        CHECK(key->blinding.uses == 1);
    }

    /* two threads with one key, many times over: every signature right (the lock is only
     * tried: a call that finds it held blinds afresh) */
    for (int round = 0; round < 4; round++) {
        sign_job jobs[2] = {{key, d, want, 150, 0, 0}, {key, d, want, 150, 3, 0}};
        pthread_t t[2];
        for (int i = 0; i < 2; i++)
            CHECK(pthread_create(&t[i], NULL, sign_thread, &jobs[i]) == 0);
        for (int i = 0; i < 2; i++)
            CHECK(pthread_join(t[i], NULL) == 0);
        CHECK(jobs[0].bad == 0 && jobs[1].bad == 0);
        CHECK(key->blinding.lock == 0 && key->blinding.uses >= 1 &&
              key->blinding.uses <= BLIND_USES);
    }

    /* a key reloaded in place (another size, then the first again), the cache part used: the
     * old pair must not serve the new primes; every signature equal to OpenSSL's across a
     * renewal. A failed reload in place leaves nothing usable, and no stale pair. */
    for (int r = 0; r < 3; r++) {
        EVP_PKEY *pr = keys[r == 1 ? 2 : 0];
        if (r < 2) /* keys[0] loaded: its signatures */
            CHECK(signs_as(key, d[4], want[4]));
        CHECK_RC(key_from_evp(pr, key), TENON_OK);
        CHECK(key->blinding.owner == key && key->blinding.uses == 1);
        int bad_reload = 0;
        for (int i = 0; i < BLIND_USES + 3; i++) {
            uint8_t dr[32], w[TENON_RSA_MAX_LEN];
            size_t l = sizeof w;
            tu_rand(dr, sizeof dr);
            CHECK(ossl_sign(pr, 0, &tenon_sha256, dr, w, &l));
            bad_reload += !signs_as(key, dr, w);
        }
        CHECK(bad_reload == 0);
    }
    {
        uint8_t junk[8] = {1, 2, 3};
        CHECK(tenon_rsa_private_key_load(key, junk, 8, junk, 1, junk, 1, junk, 1, junk, 1, junk, 1,
                                         junk, 1) != TENON_OK);
        CHECK(key->blinding.owner == NULL && key->blinding.uses == 0);
        uint8_t sig[TENON_RSA_MAX_LEN];
        size_t l = 0;
        CHECK(tenon_rsa_pkcs1_sign(key, &tenon_sha256, d[0], 32, sig, sizeof sig, &l) != TENON_OK);
        CHECK_RC(key_from_evp(keys[0], key), TENON_OK);
        CHECK(signs_as(key, d[4], want[4]));
    }

    /* wipe clears it */
    tenon_rsa_private_key_wipe(key);
    CHECK(key->blinding.owner == NULL && key->blinding.uses == 0);
    printf("test_rsa: blinding cache: 210 operations across 6 renewals, squared pair, copy, "
           "lock held, fork, 4 corruptions dropped, 2 threads x 600 signatures\n");
    free(key);
    tenon_rsa_private_key_wipe(k2);
    free(k2);
}

/* ------------------------------------------------------------------------------------------
 * Bad inputs
 * ------------------------------------------------------------------------------------------ */

static void test_bad_inputs(void)
{
    tenon_rsa_private_key *key = malloc(sizeof *key), *k2 = malloc(sizeof *k2);
    tenon_rsa_public_key pub;
    CHECK_RC(key_from_evp(keys[0], key), TENON_OK);
    size_t k = key->pub.n_len, l = 0;
    uint8_t d[32] = {1}, sig[TENON_RSA_MAX_LEN + 2], big[TENON_RSA_MAX_LEN + 2];
    CHECK_RC(tenon_rsa_pkcs1_sign(key, &tenon_sha256, d, 32, sig, sizeof sig, &l), 0);
    /* signature lengths */
    CHECK_RC(tenon_rsa_pkcs1_verify(&key->pub, &tenon_sha256, d, 32, sig, k), 0);
    CHECK_RC(tenon_rsa_pkcs1_verify(&key->pub, &tenon_sha256, d, 32, sig, k - 1),
             TENON_ERR_BAD_SIGNATURE);
    CHECK_RC(tenon_rsa_pkcs1_verify(&key->pub, &tenon_sha256, d, 32, sig, k + 1),
             TENON_ERR_BAD_SIGNATURE);
    CHECK_RC(tenon_rsa_pkcs1_verify(&key->pub, &tenon_sha256, d, 32, sig, 0),
             TENON_ERR_BAD_SIGNATURE);
    CHECK_RC(tenon_rsa_pss_verify(&key->pub, &tenon_sha256, d, 32, 32, sig, k - 1),
             TENON_ERR_BAD_SIGNATURE);
    /* signature = n, > n, all ones */
    memcpy(big, key->pub.n, k);
    CHECK_RC(tenon_rsa_pkcs1_verify(&key->pub, &tenon_sha256, d, 32, big, k),
             TENON_ERR_BAD_SIGNATURE);
    CHECK_RC(tenon_rsa_pss_verify(&key->pub, &tenon_sha256, d, 32, 32, big, k),
             TENON_ERR_BAD_SIGNATURE);
    memset(big, 0xff, k);
    CHECK_RC(tenon_rsa_pkcs1_verify(&key->pub, &tenon_sha256, d, 32, big, k),
             TENON_ERR_BAD_SIGNATURE);
    /* wrong digest length, unknown hash for v1.5, NULLs, buffers */
    CHECK_RC(tenon_rsa_pkcs1_sign(key, &tenon_sha256, d, 31, sig, sizeof sig, &l),
             TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tenon_rsa_pkcs1_sign(key, &unknown_hash, d, 32, sig, sizeof sig, &l),
             TENON_ERR_UNSUPPORTED);
    CHECK_RC(tenon_rsa_pkcs1_sign(key, &tenon_sha256, d, 32, sig, k - 1, &l),
             TENON_ERR_BUFFER_TOO_SMALL);
    CHECK_RC(tenon_rsa_pss_sign(key, &tenon_sha256, d, 32, sig, k - 1, &l),
             TENON_ERR_BUFFER_TOO_SMALL);
    CHECK_RC(tenon_rsa_pkcs1_sign(NULL, &tenon_sha256, d, 32, sig, sizeof sig, &l),
             TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tenon_rsa_pkcs1_verify(NULL, &tenon_sha256, d, 32, sig, k),
             TENON_ERR_INVALID_ARGUMENT);
    /* ciphertexts */
    uint8_t out[TENON_RSA_MAX_LEN];
    CHECK_RC(tenon_rsa_pkcs1_decrypt(key, sig, k - 1, out, sizeof out, &l), TENON_ERR_BAD_LENGTH);
    CHECK_RC(tenon_rsa_pkcs1_decrypt(key, sig, k + 1, out, sizeof out, &l), TENON_ERR_BAD_LENGTH);
    CHECK_RC(tenon_rsa_pkcs1_decrypt(key, sig, 0, out, sizeof out, &l), TENON_ERR_BAD_LENGTH);
    memcpy(big, key->pub.n, k);
    CHECK_RC(tenon_rsa_pkcs1_decrypt(key, big, k, out, sizeof out, &l),
             TENON_ERR_DECRYPTION_FAILED);
    CHECK_RC(tenon_rsa_pkcs1_encrypt(&key->pub, d, k - 10, out, sizeof out, &l),
             TENON_ERR_OUTPUT_TOO_LONG);
    CHECK_RC(tenon_rsa_pkcs1_encrypt(&key->pub, d, 16, out, k - 1, &l), TENON_ERR_BUFFER_TOO_SMALL);
    CHECK_RC(tenon_rsa_pkcs1_encrypt(&key->pub, d, 16, out, sizeof out, &l), 0);
    CHECK_RC(tenon_rsa_pkcs1_decrypt(key, out, k, out, 15, &l), TENON_ERR_BUFFER_TOO_SMALL);
    /* key sizes and shapes */
    uint8_t n[TENON_RSA_MAX_LEN + 8], e3[1] = {3}, e1[1] = {1}, e2[1] = {4},
                                      e9[9] = {1, 0, 0, 0, 0, 0, 0, 0, 1};
    memset(n, 0xff, sizeof n);
    CHECK_RC(tenon_rsa_public_key_load(&pub, n, 128, e3, 1), TENON_ERR_KEY_SIZE); /* 1024 bits */
    CHECK_RC(tenon_rsa_public_key_load(&pub, n, 255, e3, 1), TENON_ERR_KEY_SIZE); /* 2040 bits */
    CHECK_RC(tenon_rsa_public_key_load(&pub, n, 513, e3, 1), TENON_ERR_KEY_SIZE); /* 4104 bits */
    CHECK_RC(tenon_rsa_public_key_load(&pub, n, 0, e3, 1), TENON_ERR_KEY_SIZE);
    n[0] = 0x7f;
    CHECK_RC(tenon_rsa_public_key_load(&pub, n, 256, e3, 1), TENON_ERR_KEY_SIZE); /* 2047 bits */
    n[0] = 0xff;
    CHECK_RC(tenon_rsa_public_key_load(&pub, n, 256, e3, 1), 0);
    CHECK_RC(tenon_rsa_public_key_load(&pub, n, 512, e3, 1), 0);
    CHECK_RC(tenon_rsa_public_key_load(&pub, n, 256, e1, 1), TENON_ERR_BAD_PUBLIC_KEY);
    CHECK_RC(tenon_rsa_public_key_load(&pub, n, 256, e2, 1), TENON_ERR_BAD_PUBLIC_KEY);
    CHECK_RC(tenon_rsa_public_key_load(&pub, n, 256, e9, 9), TENON_ERR_BAD_PUBLIC_KEY);
    CHECK_RC(tenon_rsa_public_key_load(&pub, n, 256, e3, 0), TENON_ERR_BAD_PUBLIC_KEY);
    n[255] = 0xfe;
    CHECK_RC(tenon_rsa_public_key_load(&pub, n, 256, e3, 1), TENON_ERR_BAD_PUBLIC_KEY);
    /* private keys: a wrong factor, a wrong CRT exponent, a wrong coefficient */
    {
        uint8_t b[7][1024];
        size_t bl[7];
        static const char *names[7] = {
            OSSL_PKEY_PARAM_RSA_N,           OSSL_PKEY_PARAM_RSA_E,
            OSSL_PKEY_PARAM_RSA_FACTOR1,     OSSL_PKEY_PARAM_RSA_FACTOR2,
            OSSL_PKEY_PARAM_RSA_EXPONENT1,   OSSL_PKEY_PARAM_RSA_EXPONENT2,
            OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
        for (int i = 0; i < 7; i++)
            bl[i] = bn_param(keys[0], names[i], b[i]);
        for (int i = 2; i < 7; i++) {
            b[i][bl[i] - 1] ^= 2;
            CHECK_RC(tenon_rsa_private_key_load(k2, b[0], bl[0], b[1], bl[1], b[2], bl[2], b[3],
                                                bl[3], b[4], bl[4], b[5], bl[5], b[6], bl[6]),
                     TENON_ERR_BAD_PRIVATE_KEY);
            b[i][bl[i] - 1] ^= 2;
        }
        CHECK_RC(tenon_rsa_private_key_load(k2, b[0], bl[0], b[1], bl[1], b[2], bl[2], b[3], bl[3],
                                            b[4], bl[4], b[5], bl[5], b[6], bl[6]),
                 0);
        /* a 1024-bit key is refused for its size */
        EVP_PKEY *small = gen_key(1024);
        CHECK_RC(key_from_evp(small, k2), TENON_ERR_KEY_SIZE);
        EVP_PKEY_free(small);
    }
    printf("bad inputs: done\n");
    tenon_rsa_private_key_wipe(key);
    free(key);
    free(k2);
}

/* The MULX/ADX tile code (bignum_adx8.c: every size that is a multiple of 8 limbs, 16 and 24
 * with their own unrolled reduction) on edge operands against OpenSSL's Montgomery product
 * with the same R: moduli of all-ones limbs (2^64n - 1), just above 2^(64n - 1), with a
 * top limb of 1, and random; operands 0, 1, 2, m - 1, m - 2, all-ones limbs reduced, random;
 * products, squares and the conversion out (bn_mont_from); the lazy square on operands up to
 * R - 1. */
static void test_adx8_edges(void)
{
    uint32_t adx = TENON_CPU_BMI2 | TENON_CPU_ADX;
    if (!cpu_has(adx)) {
        printf("bignum adx8 edges: skipped (no BMI2/ADX)\n");
        return;
    }
    const bn_impl *impl = bn_all_impls[0];
    CHECK(strcmp(impl->name, "x86-64-mulx-adx") == 0);
    BN_CTX *bctx = BN_CTX_new();
    unsigned long checks = 0, fails = 0;
    static const size_t sizes[] = {8, 16, 24, 32, 40, 48, 64};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t nl = sizes[si];
        for (int mk = 0; mk < 4; mk++) {
            uint64_t m[BN_MAX_LIMBS];
            tu_rand(m, 8 * nl);
            for (size_t i = 0; i < nl; i++) {
                if (mk == 0)
                    m[i] = UINT64_MAX;
                if (mk == 1)
                    m[i] = i == nl - 1 ? 1ull << 63 : (i == 0 ? 1 : 0);
            }
            if (mk == 2)
                m[nl - 1] = 1;
            m[0] |= 1;
            if (mk == 3)
                m[nl - 1] |= 1ull << 63;
            bn_mont ctx;
            bn_mont_init(&ctx, m, nl, impl);
            BIGNUM *M = bn_of(m, nl), *R = BN_new();
            BN_MONT_CTX *mc = BN_MONT_CTX_new();
            BN_MONT_CTX_set(mc, M, bctx);
            uint64_t ops[8][BN_MAX_LIMBS];
            for (int k = 0; k < 8; k++) {
                memset(ops[k], 0, sizeof ops[k]);
                if (k == 1 || k == 2)
                    ops[k][0] = (uint64_t)k;
                if (k == 3 || k == 4)
                    for (size_t i = 0; i < nl; i++)
                        ops[k][i] = m[i] - (i == 0 ? (uint64_t)(k - 2) : 0);
                if (k == 5) /* all-ones limbs, reduced below m */
                    for (size_t i = 0; i < nl; i++)
                        ops[k][i] = i == nl - 1 ? m[i] - 1 : UINT64_MAX;
                if (k >= 6)
                    rand_below(ops[k], m, nl);
            }
            for (int i = 0; i < 8; i++) {
                BIGNUM *A = bn_of(ops[i], nl);
                uint64_t r[BN_MAX_LIMBS];
                bn_mont_sqr(&ctx, r, ops[i]);
                BN_mod_mul_montgomery(R, A, A, mc, bctx);
                checks++;
                fails += !bn_equal(r, nl, R);
                bn_mont_from(&ctx, r, ops[i]);
                BN_from_montgomery(R, A, mc, bctx);
                checks++;
                fails += !bn_equal(r, nl, R);
                for (int j = 0; j < 8; j++) {
                    BIGNUM *B = bn_of(ops[j], nl);
                    bn_mont_mul(&ctx, r, ops[i], ops[j]);
                    BN_mod_mul_montgomery(R, A, B, mc, bctx);
                    checks++;
                    fails += !bn_equal(r, nl, R);
                    BN_free(B);
                }
                BN_free(A);
            }
            /* The almost Montgomery square (bn_mont_pow_ct's squarings) on operands below R,
             * also at and above m: each of the edge operands and m, m + 1, 2^64n - 1, a random
             * value below R, squared five times over (its own results being such operands); each
             * result must be congruent to OpenSSL's product of the reduced operand. */
            uint64_t lz[12][BN_MAX_LIMBS];
            memcpy(lz, ops, sizeof ops);
            memcpy(lz[8], m, sizeof m);
            memcpy(lz[9], m, sizeof m);
            lz[9][0] += 1; /* m is odd: no carry */
            memset(lz[10], 0xff, sizeof lz[10]);
            tu_rand(lz[11], sizeof lz[11]);
            for (int i = 0; i < 12; i++) {
                uint64_t x[BN_MAX_LIMBS];
                memcpy(x, lz[i], sizeof x);
                for (int s = 0; s < 5; s++) {
                    BIGNUM *X = bn_of(x, nl);
                    BN_nnmod(X, X, M, bctx);
                    BN_mod_mul_montgomery(R, X, X, mc, bctx);
                    impl->sqr_lazy(&ctx, x, x);
                    BIGNUM *Y = bn_of(x, nl);
                    BN_nnmod(Y, Y, M, bctx);
                    checks++;
                    fails += BN_cmp(Y, R) != 0;
                    BN_free(X);
                    BN_free(Y);
                }
            }
            BN_MONT_CTX_free(mc);
            BN_free(M);
            BN_free(R);
        }
    }
    CHECK(fails == 0);
    printf("bignum adx8 edges: %lu checks, %lu failed\n", checks, fails);
    BN_CTX_free(bctx);
}

/* bn_from_be / bn_to_be (whole limbs are loaded and stored eight bytes at a time) against a
 * byte-by-byte reference, at every length up to 8 nl (and past it for bn_to_be, which pads with
 * zero bytes). */
static void test_be_conversions(void)
{
    unsigned long checks = 0, fails = 0;
    static const size_t nls[] = {1, 2, 3, 16, 17};
    for (size_t ni = 0; ni < sizeof nls / sizeof nls[0]; ni++) {
        size_t nl = nls[ni];
        for (size_t len = 0; len <= 8 * nl + 9; len++) {
            uint8_t in[8 * 17 + 9], out[8 * 17 + 9], ref[8 * 17 + 9];
            uint64_t x[17], want[17] = {0};
            tu_rand(in, sizeof in);
            tu_rand(x, sizeof x);
            if (len <= 8 * nl) {
                for (size_t i = 0; i < len; i++)
                    want[(len - 1 - i) / 8] |= (uint64_t)in[i] << (8 * ((len - 1 - i) % 8));
                uint64_t got[17];
                tu_rand(got, sizeof got);
                bn_from_be(got, nl, in, len);
                checks++;
                fails += memcmp(got, want, 8 * nl) != 0;
            }
            for (size_t i = 0; i < len; i++) {
                size_t bit = 8 * (len - 1 - i);
                ref[i] = (uint8_t)(bit / 64 < nl ? x[bit / 64] >> (bit % 64) : 0);
            }
            bn_to_be(out, len, x, nl);
            checks++;
            fails += len > 0 && memcmp(out, ref, len) != 0;
        }
    }
    CHECK(fails == 0);
    printf("bn_from_be / bn_to_be: %lu checks, %lu failed\n", checks, fails);
}

int main(void)
{
    tu_seed(0x5253410000000001ull);
    test_be_conversions();
    test_adx8_edges();
    test_bignum();
    test_modinv();
    test_mont_init_rr();
    test_shl_mod();
    test_bignum_pow2();
    test_bignum_pow_public();
    test_to_wide_r3();
    test_r52_products();
    test_wycheproof();
    test_differential();
    test_tls12();
    test_bad_inputs();
    test_key_cache();
    test_blinding_cache();
    for (int i = 0; i < 4; i++)
        EVP_PKEY_free(keys[i]);
    return tu_finish("test_rsa");
}
