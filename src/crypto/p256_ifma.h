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

/* For tests: the P-256 ECDH multiplication (ec_curve.mul) by a named path; 0 (and out
 * untouched) where the path is unavailable (not x86-64, or the CPU lacks its features). */
enum { P256_PATH_DEFAULT, P256_PATH_PORTABLE, P256_PATH_ADX, P256_PATH_IFMA, P256_PATH_IFMA_MODEL };
uint32_t p256_mul_path(int path, uint8_t *out, const uint8_t *k, const uint8_t *xy,
                       const uint8_t *blind);

#endif
