/*
 * Internal: P-256's variable-base multiplication with AVX-512 IFMA (p256_ifma.c), four field
 * products at once in the lanes of a vector, and the portable model of the same steps.
 */
#ifndef TENON_P256_IFMA_H
#define TENON_P256_IFMA_H

#include <stdint.h>

/*
 * out = k·P in Jacobian coordinates for P = (in[0], in[1], in[2]) (X, Y, Z: each below p, in
 * Montgomery form with R = 2^260, little-endian 64-bit words), k given as its 52 signed 5-bit
 * windows d[w] = |digit| | (digit < 0) << 5 (EC(digit), ec_curve_impl.h). Each output
 * coordinate is in the same form, below 2^256 + 2^228, as four words and a top word (0 or 1).
 * Returns all-ones if an addition met equal points (never for k in [1, n-1]; the caller then
 * recomputes with the complete formulas), else 0. Constant-time in d and P.
 * p256_ifma_mul_jac needs cpu_has(TENON_CPU_AVX512F | TENON_CPU_AVX512VL |
 * TENON_CPU_AVX512IFMA); the model runs anywhere, and valgrind checks its flow (tests/ct_ec.c).
 */
uint64_t p256_ifma_mul_jac(uint64_t out[3][5], const uint8_t d[52], const uint64_t in[3][4]);
uint64_t p256_ifma_mul_jac_model(uint64_t out[3][5], const uint8_t d[52], const uint64_t in[3][4]);

/*
 * out = u1·G + u2·Q (Jacobian, in the form of p256_ifma_mul_jac's output) for the width-5 NAFs
 * n1 of u1 and n2 of u2 (EC(wnaf), ec_curve_impl.h; digits 0 .. len - 1 of each), the odd
 * multiples g[j] = (2j + 1)·G and Q as (X, Y, Z), each below p in Montgomery form with
 * R = 2^260. Variable time: for verification, on public values only.
 */
void p256_ifma_mul_double(uint64_t out[3][5], const int8_t *n1, const int8_t *n2, int len,
                          const uint64_t g[8][3][4], const uint64_t q[3][4]);
void p256_ifma_mul_double_model(uint64_t out[3][5], const int8_t *n1, const int8_t *n2, int len,
                                const uint64_t g[8][3][4], const uint64_t q[3][4]);

/*
 * out = k·G (Jacobian, as p256_ifma_mul_jac's output) for k's 52 signed windows d (as there)
 * and the static base table (p256_table.h: row w holds j·2^(5w)·G for j = 1..16, affine,
 * Montgomery form with R = 2^256, 8 words each). Returns all-ones if an addition met equal
 * points (never for k in [1, n-1]), else 0. Constant-time in d. Availability as above.
 */
uint64_t p256_ifma_mul_base_jac(uint64_t out[3][5], const uint8_t d[52], const uint64_t *table);
uint64_t p256_ifma_mul_base_jac_model(uint64_t out[3][5], const uint8_t d[52],
                                      const uint64_t *table);

/* For tests: the P-256 ECDH multiplication (ec_curve.mul) by a named path; 0 (and out
 * untouched) where the path is unavailable (not x86-64, or the CPU lacks its features).
 * P256_PATH_ADX_UNCHECKED is the BMI2/ADX code without the cpuid check, on x86-64 only, for a
 * caller that knows the CPU executes those instructions: valgrind's virtual CPU does without
 * reporting ADX, so the constant-flow test (tests/ct_ec.c) reaches that path this way. */
enum {
    P256_PATH_DEFAULT,
    P256_PATH_PORTABLE,
    P256_PATH_ADX,
    P256_PATH_IFMA,
    P256_PATH_IFMA_MODEL,
    P256_PATH_ADX_UNCHECKED
};
uint32_t p256_mul_path(int path, uint8_t *out, const uint8_t *k, const uint8_t *xy,
                       const uint8_t *blind);
/* ec_curve.mul_base likewise. */
uint32_t p256_mul_base_path(int path, uint8_t *out, const uint8_t *k, const uint8_t *blind);
/* ec_curve.ecdsa_sign likewise. */
uint32_t p256_sign_path(int path, uint8_t *r, uint8_t *s, const uint8_t *d, const uint8_t *k,
                        const uint8_t *e, const uint8_t *blind);
/* ec_curve.ecdsa_verify likewise (-1 where the path is unavailable). */
int p256_verify_path(int path, const uint8_t *xy, const uint8_t *e, const uint8_t *r,
                     const uint8_t *s);

/* For tests: one operation of the field modulo p (ec_field_impl.h) by P256_PATH_PORTABLE,
 * P256_PATH_ADX or P256_PATH_ADX_UNCHECKED, on values below p (the Montgomery form is a
 * bijection, so r is the Montgomery image of the operation for mul and sqr, and the operation
 * itself for the others): r = a/2, 3(a + b)/2, a - 2b, a - b, a·b·2^-256 or a^2·2^-256 mod p;
 * and the fused blocks of the point formulas, each output on its own (with s = a^2·2^-256):
 * a·b·2^-256 - b; x = s - 2b and b - x; b - s and 3(b + s)/2; x = a - 3b and b - x.
 * Returns 0 (r untouched) where the path is unavailable. */
enum {
    P256_FOP_HALF,
    P256_FOP_ADD_MUL3_HALF,
    P256_FOP_SUB_DBL,
    P256_FOP_SUB,
    P256_FOP_MUL,
    P256_FOP_SQR,
    P256_FOP_MUL_SUB,
    P256_FOP_SQR_SUB_DBL2,
    P256_FOP_SQR_SUB_DBL2_Y,
    P256_FOP_SQR_SUB_MUL3_HALF,
    P256_FOP_SQR_SUB_MUL3_HALF_Y,
    P256_FOP_SUB3,
    P256_FOP_SUB3_Y,
    /* The fused blocks with a third operand other than b, some made so that the result is
     * exactly 0 (c = a·b; b' = a^2/2; b' = a^2; e = a - 2b) and one with r aliasing c. */
    P256_FOP_MUL_SUB_A,
    P256_FOP_MUL_SUB_PROD,
    P256_FOP_MUL_SUB_PROD_ALIAS,
    P256_FOP_SQR_SUB_DBL2_ZERO,
    P256_FOP_SQR_SUB_MUL3_HALF_ZERO,
    P256_FOP_SQR_SUB_MUL3_HALF_ZERO_Y,
    P256_FOP_SUB3_E,
    P256_FOP_SUB3_ZERO,
    P256_FOP_SUB3_ZERO_Y
};
int p256_field_op_path(int path, int op, uint64_t r[4], const uint64_t a[4], const uint64_t b[4]);

#endif
