/*
 * The divsteps inversion (src/crypto/ec_modinv.c) against OpenSSL's BN_mod_inverse: P-256's n and
 * p, other odd 256-bit moduli (2^255 - 19, secp256k1's p, 2^256 - 1 which is composite, so only
 * inputs coprime to it are inverted, and a small modulus), inputs 0, 1, M - 1, powers of two,
 * values with long runs of zeros or ones, inputs found (by a search over divstep counts) to need
 * ten batches, and random values; each through the BMI1/BMI2 copy where the CPU has it and
 * through the baseline one (tenon_cpu_set_mask(0)).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>

#include "crypto/ec_modinv.h"
#include "tenon/crypto.h"
#include "testutil.h"

static uint64_t rng_state = UINT64_C(0x9e3779b97f4a7c15);

static uint64_t rnd64(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static BIGNUM *bn_from_limbs(const uint64_t a[4])
{
    uint8_t be[32];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++)
            be[31 - 8 * i - j] = (uint8_t)(a[i] >> (8 * j));
    return BN_bin2bn(be, 32, NULL);
}

static void limbs_from_bn(uint64_t a[4], const BIGNUM *b)
{
    uint8_t be[32];
    if (BN_bn2binpad(b, be, 32) != 32)
        abort();
    for (int i = 0; i < 4; i++) {
        a[i] = 0;
        for (int j = 0; j < 8; j++)
            a[i] |= (uint64_t)be[31 - 8 * i - j] << (8 * j);
    }
}

/* The modulus in the inversion's form: signed 62-bit limbs and M^-1 mod 2^62 (Newton). */
static void make_mod(ec_modinv_mod *mod, const uint64_t m[4])
{
    const uint64_t mask = UINT64_C(0x3fffffffffffffff);
    mod->m[0] = (int64_t)(m[0] & mask);
    mod->m[1] = (int64_t)(((m[0] >> 62) | (m[1] << 2)) & mask);
    mod->m[2] = (int64_t)(((m[1] >> 60) | (m[2] << 4)) & mask);
    mod->m[3] = (int64_t)(((m[2] >> 58) | (m[3] << 6)) & mask);
    mod->m[4] = (int64_t)(m[3] >> 56);
    uint64_t x = m[0]; /* correct to 3 bits; each step doubles that */
    for (int i = 0; i < 5; i++)
        x *= 2 - m[0] * x;
    mod->minv62 = x & mask;
}

static int lt(const uint64_t a[4], const uint64_t b[4])
{
    for (int i = 3; i >= 0; i--)
        if (a[i] != b[i])
            return a[i] < b[i];
    return 0;
}

/* One input: the result agrees with OpenSSL (0 when there is no inverse: a = 0). */
static void check_one(const ec_modinv_mod *mod, const uint64_t m[4], const uint64_t a[4],
                      BN_CTX *ctx, const char *what)
{
    uint64_t r[4], want[4] = {0};
    BIGNUM *bm = bn_from_limbs(m), *ba = bn_from_limbs(a), *bi = BN_new();
    if (!BN_is_zero(ba)) {
        if (BN_mod_inverse(bi, ba, bm, ctx) == NULL) {
            /* Not coprime to a composite modulus: not an input the callers give. */
            BN_free(bm);
            BN_free(ba);
            BN_free(bi);
            return;
        }
        limbs_from_bn(want, bi);
    }
    ec_modinv256_var(r, a, mod);
    if (!CHECK(memcmp(r, want, 32) == 0))
        fprintf(stderr, "    %s: a = %016llx%016llx%016llx%016llx\n", what,
                (unsigned long long)a[3], (unsigned long long)a[2], (unsigned long long)a[1],
                (unsigned long long)a[0]);
    BN_free(bm);
    BN_free(ba);
    BN_free(bi);
}

static void run_modulus(const uint64_t m[4], const char *what, unsigned iters, BN_CTX *ctx)
{
    ec_modinv_mod mod;
    uint64_t a[4];
    unsigned long failed = tu_failed;
    make_mod(&mod, m);
    /* 0, 1, 2, M - 1, M - 2 */
    for (uint64_t v = 0; v < 3; v++) {
        uint64_t s[4] = {v, 0, 0, 0};
        if (lt(s, m))
            check_one(&mod, m, s, ctx, what);
    }
    for (uint64_t v = 1; v < 3; v++) {
        memcpy(a, m, sizeof a);
        a[0] -= v; /* every modulus here has a low limb above 2 */
        check_one(&mod, m, a, ctx, what);
    }
    /* Powers of two and their neighbours below M. */
    for (int b = 0; b < 256; b++) {
        memset(a, 0, sizeof a);
        a[b / 64] = (uint64_t)1 << (b % 64);
        if (lt(a, m))
            check_one(&mod, m, a, ctx, what);
        memset(a, 0xff, sizeof a);
        for (int i = 3; i > b / 64; i--)
            a[i] = 0;
        a[b / 64] = b % 64 == 63 ? UINT64_MAX : ((uint64_t)1 << (b % 64 + 1)) - 1;
        if (lt(a, m))
            check_one(&mod, m, a, ctx, what);
    }
    /* Random values: full width (reduced by clearing the top bits until below M), and sparse. */
    for (unsigned it = 0; it < iters; it++) {
        for (int i = 0; i < 4; i++)
            a[i] = rnd64();
        if (it % 3 == 1)
            for (int i = 0; i < 4; i++)
                a[i] &= rnd64() & rnd64() & rnd64();
        if (it % 3 == 2)
            for (int i = 0; i < 4; i++)
                a[i] |= rnd64() | rnd64() | rnd64();
        while (!lt(a, m)) /* halve until below M */
            for (int i = 0; i < 4; i++)
                a[i] = (a[i] >> 1) | (i < 3 ? a[i + 1] << 63 : 0);
        check_one(&mod, m, a, ctx, what);
    }
    printf("  %s: %s\n", what, tu_failed == failed ? "ok" : "FAILED");
}

int main(void)
{
    BN_CTX *ctx = BN_CTX_new();
    static const uint64_t p256_n[4] = {UINT64_C(0xf3b9cac2fc632551), UINT64_C(0xbce6faada7179e84),
                                       UINT64_C(0xffffffffffffffff), UINT64_C(0xffffffff00000000)};
    static const uint64_t p256_p[4] = {UINT64_C(0xffffffffffffffff), UINT64_C(0x00000000ffffffff),
                                       UINT64_C(0x0000000000000000), UINT64_C(0xffffffff00000001)};
    static const uint64_t p25519[4] = {UINT64_C(0xffffffffffffffed), UINT64_MAX, UINT64_MAX,
                                       UINT64_C(0x7fffffffffffffff)};
    static const uint64_t k1_p[4] = {UINT64_C(0xfffffffefffffc2f), UINT64_MAX, UINT64_MAX,
                                     UINT64_MAX};
    static const uint64_t all_ones[4] = {UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX};
    static const uint64_t small[4] = {UINT64_C(1000003), 0, 0, 0};
    /* Inputs with many divsteps (P-256 n: 570 and 562, ten batches of 62; P-256 p: 561 and 558,
     * ten and nine; 2^255 - 19: 557 and 565, nine and ten), found by hill-climbing on the step
     * count of the divsteps recurrence; random inputs mostly take 500-540. */
    static const uint64_t hard_n[2][4] = {
        {UINT64_C(0x66387f9134642c0a), UINT64_C(0xd24652e3195119b7), UINT64_C(0x91cbeaaa70a0f2d8),
         UINT64_C(0xfcbe5b26a1b81f41)},
        {UINT64_C(0x2948d82b9d7d83e8), UINT64_C(0xe52126e550fc016f), UINT64_C(0x30dc636e6068ca6f),
         UINT64_C(0xee56c3fa40ddccf3)}};
    static const uint64_t hard_p[2][4] = {
        {UINT64_C(0x765ba11f58da99e3), UINT64_C(0x593dd62bbed0dfa1), UINT64_C(0x699d1facaca3ad3c),
         UINT64_C(0x31f6b07db054af60)},
        {UINT64_C(0x193dc8c8c42af5e6), UINT64_C(0x08efb5d6fd618bb7), UINT64_C(0x5301aed7c90c5cd1),
         UINT64_C(0x1231335fa0c5f180)}};
    static const uint64_t hard_x[2][4] = {
        {UINT64_C(0x8f869204c13a731e), UINT64_C(0xd1cb3688b37c1502), UINT64_C(0xe9ad107279916eb3),
         UINT64_C(0x47aa72f5971d104e)},
        {UINT64_C(0xb545b0b5e230001a), UINT64_C(0xaeca5c9d34a2640c), UINT64_C(0xdfcd27335fa3b22f),
         UINT64_C(0x38dcfe9b180b1d4f)}};
    ec_modinv_mod mod_n, mod_p, mod_x;
    make_mod(&mod_n, p256_n);
    make_mod(&mod_p, p256_p);
    make_mod(&mod_x, p25519);
    for (int pass = 0; pass < 2; pass++) {
        /* Pass 0: the dispatched copy (BMI1/BMI2 where the CPU has it); pass 1: the baseline. */
        unsigned div = pass == 0 ? 1 : 4;
        if (pass == 1)
            tenon_cpu_set_mask(0);
        printf(" %s copy:\n", pass == 0 ? "dispatched" : "baseline");
        for (int i = 0; i < 2; i++) {
            check_one(&mod_n, p256_n, hard_n[i], ctx, "P-256 n, many steps");
            check_one(&mod_p, p256_p, hard_p[i], ctx, "P-256 p, many steps");
            check_one(&mod_x, p25519, hard_x[i], ctx, "2^255 - 19, many steps");
        }
        run_modulus(p256_n, "P-256 n", 20000 / div, ctx);
        run_modulus(p256_p, "P-256 p", 20000 / div, ctx);
        run_modulus(p25519, "2^255 - 19", 3000 / div, ctx);
        run_modulus(k1_p, "secp256k1 p", 3000 / div, ctx);
        run_modulus(all_ones, "2^256 - 1", 3000 / div, ctx);
        run_modulus(small, "1000003", 3000 / div, ctx);
    }
    BN_CTX_free(ctx);
    return tu_finish("test_ec_modinv");
}
