/*
 * P-256's field arithmetic modulo p (src/crypto/ec_field_impl.h) on both of its x86-64 paths,
 * the portable one and the BMI2/ADX one, through p256_field_op_path: the halving and
 * 3(a + b)/2 of the scaled Jacobian doubling (ec_curve_impl.h), a - 2b and a - b, checked
 * against an independent reference here (multiples and sums mod p with 128-bit arithmetic), and
 * the Montgomery product and square, checked across the two paths and against a - 2b style
 * identities. Inputs: the edge values 0, 1, 2, p - 1, p - 2, (p ± 1)/2, 2^255, 2^224, values
 * whose sums carry out of 2^256 or land just below and just above p, R mod p (Montgomery's one)
 * and one past it, and pseudo-random values. The fused blocks of the point formulas against the
 * portable path, with the third operand b and other than b, and made so that the result is
 * exactly 0 (a·b - a·b, a^2 - 2(a^2/2), a^2 - a^2, a - (a - 2b) - 2b, a·R R^-1 - a).
 */
#include <string.h>

#include "crypto/p256_ifma.h"
#include "testutil.h"

typedef unsigned __int128 u128;

static const uint64_t P[4] = {UINT64_C(0xffffffffffffffff), UINT64_C(0x00000000ffffffff), 0,
                              UINT64_C(0xffffffff00000001)};

/* r = a + b mod p for a, b < p (the reference: a 257-bit sum, p subtracted if it is >= p). */
static void ref_add(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
    uint64_t s[4], d[4];
    u128 c = 0;
    for (int i = 0; i < 4; i++) {
        c += (u128)a[i] + b[i];
        s[i] = (uint64_t)c;
        c >>= 64;
    }
    uint64_t top = (uint64_t)c;
    u128 bw = 0;
    for (int i = 0; i < 4; i++) {
        u128 t = (u128)s[i] - P[i] - bw;
        d[i] = (uint64_t)t;
        bw = (t >> 64) & 1;
    }
    int ge = top || !bw; /* s >= p */
    for (int i = 0; i < 4; i++)
        r[i] = ge ? d[i] : s[i];
}

/* r = a - b mod p for a, b < p. */
static void ref_sub(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
    uint64_t nb[4], zero[4] = {0};
    int bzero = memcmp(b, zero, sizeof zero) == 0;
    u128 bw = 0;
    for (int i = 0; i < 4; i++) {
        u128 t = (u128)P[i] - b[i] - bw;
        nb[i] = (uint64_t)t;
        bw = (t >> 64) & 1;
    }
    if (bzero)
        memset(nb, 0, sizeof nb);
    ref_add(r, a, nb);
}

static int below_p(const uint64_t a[4])
{
    for (int i = 3; i >= 0; i--)
        if (a[i] != P[i])
            return a[i] < P[i];
    return 0;
}

static uint64_t rng_state = UINT64_C(0x9e3779b97f4a7c15);
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

#define NEDGE 18
#define NFIXED 14 /* edge values 0..13; the rest pseudo-random */
static void edge(int i, uint64_t v[4])
{
    memset(v, 0, 32);
    switch (i) {
    case 0: /* 0 */
        break;
    case 1:
        v[0] = 1;
        break;
    case 2:
        v[0] = 2;
        break;
    case 3: /* p - 1 */
        memcpy(v, P, 32);
        v[0] -= 1;
        break;
    case 4: /* p - 2 */
        memcpy(v, P, 32);
        v[0] -= 2;
        break;
    case 5: /* (p - 1)/2 */
    case 6: /* (p + 1)/2 */
        for (int k = 0; k < 3; k++)
            v[k] = (P[k] >> 1) | (P[k + 1] << 63);
        v[3] = P[3] >> 1;
        v[0] += (uint64_t)(i == 6);
        break;
    case 7: /* 2^255 */
        v[3] = UINT64_C(1) << 63;
        break;
    case 8: /* 2^224 */
        v[3] = UINT64_C(1) << 32;
        break;
    case 9: /* p - 2^96: limbs 0 and 1 of p cleared, so sums carry differently */
        memcpy(v, P, 32);
        v[0] = UINT64_MAX;
        v[1] = 0;
        break;
    case 10: /* all ones below p's top limb */
        v[0] = v[1] = v[2] = UINT64_MAX;
        v[3] = P[3] - 1;
        break;
    case 11: /* odd, just below 2^256 - p away from p */
        memcpy(v, P, 32);
        v[0] = UINT64_MAX - 0x1234;
        break;
    case 12: /* R mod p = 2^256 - p, Montgomery's one: a·R R^-1 - a = 0 */
    case 13: /* R mod p + 1 */
        v[0] = 1 + (uint64_t)(i == 13);
        v[1] = UINT64_C(0xffffffff00000000);
        v[2] = UINT64_MAX;
        v[3] = UINT64_C(0x00000000fffffffe);
        break;
    default: /* pseudo-random below p */
        do {
            for (int k = 0; k < 4; k++)
                v[k] = rng();
        } while (!below_p(v));
        break;
    }
}

static void check_path(int path, const char *name)
{
    uint64_t a[4], b[4], r[4], want[4], t[4], s[4], u[4];
    int cases = 0;
    for (int iter = 0; iter < 40; iter++)
        for (int i = 0; i < NEDGE; i++)
            for (int j = 0; j < NEDGE; j++) {
                edge(i, a);
                edge(j, b);
                if (iter > 0 && i < NFIXED && j < NFIXED)
                    continue; /* the fixed edge pairs once; random ones every time */
                CHECK(below_p(a) && below_p(b));
                cases++;
                /* half: 2r = a, r < p. */
                CHECK(p256_field_op_path(path, P256_FOP_HALF, r, a, b) == 1);
                CHECK(below_p(r));
                ref_add(t, r, r);
                CHECK_MEM(t, a, 32, name);
                /* 3(a + b)/2: 2r = 3(a + b). */
                CHECK(p256_field_op_path(path, P256_FOP_ADD_MUL3_HALF, r, a, b) == 1);
                CHECK(below_p(r));
                ref_add(s, a, b);
                ref_add(want, s, s);
                ref_add(want, want, s);
                ref_add(t, r, r);
                CHECK_MEM(t, want, 32, name);
                /* a - 2b. */
                CHECK(p256_field_op_path(path, P256_FOP_SUB_DBL, r, a, b) == 1);
                ref_add(t, b, b);
                ref_sub(want, a, t);
                CHECK_MEM(r, want, 32, name);
                /* a - b. */
                CHECK(p256_field_op_path(path, P256_FOP_SUB, r, a, b) == 1);
                ref_sub(want, a, b);
                CHECK_MEM(r, want, 32, name);
                /* Montgomery: a·b and a^2 against the portable path, and distributivity
                 * (a - b)·b + b·b = a·b on the path itself. */
                CHECK(p256_field_op_path(path, P256_FOP_MUL, r, a, b) == 1);
                CHECK(below_p(r));
                CHECK(p256_field_op_path(P256_PATH_PORTABLE, P256_FOP_MUL, want, a, b) == 1);
                CHECK_MEM(r, want, 32, name);
                ref_sub(t, a, b);
                CHECK(p256_field_op_path(path, P256_FOP_MUL, u, t, b) == 1);
                CHECK(p256_field_op_path(path, P256_FOP_SQR, s, b, b) == 1);
                CHECK(below_p(s));
                CHECK(p256_field_op_path(path, P256_FOP_MUL, t, b, b) == 1);
                CHECK_MEM(s, t, 32, name);
                ref_add(u, u, s);
                CHECK_MEM(u, r, 32, name);
                /* The fused blocks of the point formulas against the portable path, which
                 * composes them from the operations above. */
                for (int op = P256_FOP_MUL_SUB; op <= P256_FOP_SUB3_ZERO_Y; op++) {
                    CHECK(p256_field_op_path(path, op, r, a, b) == 1);
                    CHECK(below_p(r));
                    CHECK(p256_field_op_path(P256_PATH_PORTABLE, op, want, a, b) == 1);
                    CHECK_MEM(r, want, 32, name);
                }
                /* Third operands made so that the result is exactly 0 (not p). */
                static const uint64_t zero[4] = {0};
                static const int zero_ops[] = {P256_FOP_MUL_SUB_PROD, P256_FOP_MUL_SUB_PROD_ALIAS,
                                               P256_FOP_SQR_SUB_DBL2_ZERO,
                                               P256_FOP_SQR_SUB_MUL3_HALF_ZERO, P256_FOP_SUB3_ZERO};
                for (size_t z = 0; z < sizeof zero_ops / sizeof zero_ops[0]; z++) {
                    CHECK(p256_field_op_path(path, zero_ops[z], r, a, b) == 1);
                    CHECK_MEM(r, zero, 32, name);
                }
                /* a·b - a with b Montgomery's one: 0. */
                if (j == 12) {
                    CHECK(p256_field_op_path(path, P256_FOP_MUL_SUB_A, r, a, b) == 1);
                    CHECK_MEM(r, zero, 32, name);
                }
            }
    CHECK(cases > 1000);
}

int main(void)
{
    check_path(P256_PATH_PORTABLE, "portable field");
    uint32_t adx = TENON_CPU_BMI2 | TENON_CPU_ADX;
    uint64_t a[4] = {1}, r[4];
    int have = p256_field_op_path(P256_PATH_ADX, P256_FOP_HALF, r, a, a);
#if defined(__x86_64__)
    CHECK(have == ((tenon_cpu_features() & adx) == adx));
#endif
    if (have)
        check_path(P256_PATH_ADX, "BMI2/ADX field");
    printf("test_ec_field: BMI2/ADX path %s\n", have ? "tested" : "unavailable");
    return tu_finish("test_ec_field");
}
