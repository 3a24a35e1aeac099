/*
 * Internal: arithmetic in R_q = Z_q[X]/(X^256 + 1), q = 3329, for ML-KEM (FIPS 203 §4.3):
 * the NTT, multiplication in the NTT domain, the byte encodings, compression, and the two
 * samplers. mlkem.c builds K-PKE and ML-KEM from these.
 *
 * Data layout (kept simple on purpose, so that an accelerated twin can convert at its edges):
 * a polynomial is 256 int16_t coefficients in natural order, f_0 first. In the NTT domain the
 * same array holds FIPS 203's 128 degree-one residues in its order (§4.3.1: the pair
 * (f^_2i, f^_2i+1) is the residue modulo X^2 - zeta^(2 BitRev7(i) + 1)). Coefficients are
 * signed and not always reduced; each function states the range it takes and gives.
 * "Canonical" means 0 <= c < q.
 *
 * Montgomery factors: multiplications use Montgomery reduction with R = 2^16, so
 * mlkem_poly_basemul_acc leaves a factor R^-1 in its result; mlkem_poly_invntt and
 * mlkem_poly_tomont each multiply by R (the former also by 1/128), which cancels it.
 *
 * None of these functions branches on or indexes by coefficient values, except the two that
 * read public data by design (mlkem_poly_sample_ntt on rho, mlkem_poly_decode12_check on ek).
 */
#ifndef TENON_MLKEM_POLY_H
#define TENON_MLKEM_POLY_H

#include <stddef.h>
#include <stdint.h>

#include "../common.h"

#define MLKEM_N 256
#define MLKEM_Q 3329
#define MLKEM_MAX_K 4
#define MLKEM_POLY_BYTES 384 /* ByteEncode12 of one polynomial */

typedef struct mlkem_poly {
    int16_t c[MLKEM_N];
} mlkem_poly;

/* FIPS 203 Algorithm 9: in place, |c| < q in, |c| < q out (Barrett-reduced). */
void mlkem_poly_ntt(mlkem_poly *p);
/* FIPS 203 Algorithm 10 times R: |c| < 2^14 in, |c| < q out. */
void mlkem_poly_invntt(mlkem_poly *p);
/* r += (a x b) R^-1 in the NTT domain (FIPS 203 Algorithms 11 and 12). Each product adds less
 * than 2q in absolute value to each coefficient of r; the caller reduces before r overflows
 * (after at most four products started from zero, as K-PKE needs). |a|, |b| < 2^12. */
void mlkem_poly_basemul_acc(mlkem_poly *r, const mlkem_poly *a, const mlkem_poly *b);
/* Every coefficient times R (Montgomery factor correction): any int16 in, |c| < q out. */
void mlkem_poly_tomont(mlkem_poly *p);
/* Barrett reduction to the centred range |c| <= (q - 1)/2 from any int16. */
void mlkem_poly_reduce(mlkem_poly *p);
/* r = a + b and r = a - b, coefficient-wise, without reduction. */
void mlkem_poly_add(mlkem_poly *r, const mlkem_poly *a, const mlkem_poly *b);
void mlkem_poly_sub(mlkem_poly *r, const mlkem_poly *a, const mlkem_poly *b);

/* ByteEncode12 (FIPS 203 Algorithm 5) of p reduced to canonical form (any int16 in). */
void mlkem_poly_encode12(uint8_t out[MLKEM_POLY_BYTES], const mlkem_poly *p);
/* ByteDecode12 (Algorithm 6; m = q for d = 12): each 12-bit value taken modulo q, in constant
 * time (dk may hold values >= q; the result is canonical). */
void mlkem_poly_decode12(mlkem_poly *p, const uint8_t in[MLKEM_POLY_BYTES]);
/* ByteDecode12 without reduction for a public key: returns 0 if every value is below q (the
 * modulus check of FIPS 203 §7.2), -1 otherwise. Branches on the (public) input. */
int mlkem_poly_decode12_check(mlkem_poly *p, const uint8_t in[MLKEM_POLY_BYTES]);

/* ByteEncode_d(Compress_d(p)) for d in {4, 5, 10, 11} (FIPS 203 §4.2.1, Algorithm 5): 32 d
 * bytes. Any int16 in. No division: round(2^d x / q) by a multiply and a shift. */
void mlkem_poly_compress(uint8_t *out, const mlkem_poly *p, unsigned d);
/* Decompress_d(ByteDecode_d(in)) for d in {4, 5, 10, 11}: canonical out. */
void mlkem_poly_decompress(mlkem_poly *p, const uint8_t *in, unsigned d);
/* Decompress_1(ByteDecode_1(m)): each message bit becomes 0 or round(q/2) = 1665. */
void mlkem_poly_from_msg(mlkem_poly *p, const uint8_t m[32]);
/* ByteEncode_1(Compress_1(p)): any int16 in. */
void mlkem_poly_to_msg(uint8_t m[32], const mlkem_poly *p);

/* Compress_d of one canonical coefficient (exposed for the exhaustive test). */
uint16_t mlkem_compress_coeff(uint16_t x, unsigned d);

/* FIPS 203 Algorithm 7 SampleNTT(rho || j || i): the NTT-domain matrix entry A^[i, j]
 * (canonical), by rejection sampling from SHAKE128. rho is public. */
void mlkem_poly_sample_ntt(mlkem_poly *p, const uint8_t rho[32], uint8_t j, uint8_t i);
/* FIPS 203 Algorithm 8 with eta = 2 on PRF_2(sigma, nonce) = SHAKE256(sigma || nonce, 128):
 * coefficients in [-2, 2] (the only eta of ML-KEM-768 and -1024). */
void mlkem_poly_sample_cbd2(mlkem_poly *p, const uint8_t sigma[32], uint8_t nonce);

/* zeta^BitRev7(i) R mod q, centred (FIPS 203 Appendix A times R); [0] is unused. */
extern const int16_t mlkem_zetas[128];

#if TENON_X86_64
/* AVX2 twins of mlkem_poly_ntt, mlkem_poly_invntt and mlkem_poly_basemul_acc on the same layout
 * and ranges (mlkem_poly_avx2.c); those three call them when cpu_has(TENON_CPU_AVX2). */
void mlkem_ntt_avx2(int16_t c[MLKEM_N]);
void mlkem_invntt_avx2(int16_t c[MLKEM_N]);
void mlkem_basemul_acc_avx2(int16_t r[MLKEM_N], const int16_t a[MLKEM_N], const int16_t b[MLKEM_N]);
/* SampleNTT's rejection step on len bytes of XOF output (len a multiple of 24; buf readable
 * for 8 bytes past len): appends the accepted values to out[n..] and returns the new n, at
 * most MLKEM_N. out must have room for MLKEM_N + 16 values (the rest is scratch). */
unsigned mlkem_reject_avx2(int16_t *out, unsigned n, const uint8_t *buf, size_t len);
/* AVX2 twins of the byte encodings and compression (mlkem_encode_avx2.c), byte-for-byte the
 * same results on the same ranges: mlkem_poly_compress/decompress (d in {4, 5, 10, 11}; d = 12
 * is ByteEncode12 of the canonical form / plain ByteDecode12), mlkem_poly_decode12,
 * mlkem_poly_decode12_check, mlkem_poly_to_msg and mlkem_poly_from_msg call them when
 * cpu_has(TENON_CPU_AVX2). */
void mlkem_compress_avx2(uint8_t *out, const int16_t c[MLKEM_N], unsigned d);
void mlkem_decompress_avx2(int16_t c[MLKEM_N], const uint8_t *in, unsigned d);
void mlkem_decode12_avx2(int16_t c[MLKEM_N], const uint8_t in[MLKEM_POLY_BYTES]);
int mlkem_decode12_check_avx2(int16_t c[MLKEM_N], const uint8_t in[MLKEM_POLY_BYTES]);
void mlkem_to_msg_avx2(uint8_t m[32], const int16_t c[MLKEM_N]);
void mlkem_from_msg_avx2(int16_t c[MLKEM_N], const uint8_t m[32]);
#endif

/* The same four at a time: p[k] = SampleNTT(rho || j[k] || i[k]) and p[k] = CBD_2(PRF(sigma,
 * nonce[k])); a NULL p[k] is skipped. With AVX2 the four SHAKE instances run in one 4-way
 * Keccak (sha3_x4_avx2.c); otherwise these are four calls of the functions above. The results
 * are the same either way. */
void mlkem_poly_sample_ntt_x4(mlkem_poly *const p[4], const uint8_t rho[32], const uint8_t j[4],
                              const uint8_t i[4]);
void mlkem_poly_sample_cbd2_x4(mlkem_poly *const p[4], const uint8_t sigma[32],
                               const uint8_t nonce[4]);

#endif
