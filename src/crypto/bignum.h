/*
 * Internal: a small constant-time big-integer module for RSA.
 *
 * Numbers are arrays of 64-bit limbs, least significant first, of a fixed length that is public
 * (it follows from the key size, never from a secret value). Every function is constant-time in
 * the values of its operands unless its name ends in _vartime; lengths and public exponents may
 * steer branches.
 *
 * Montgomery arithmetic: for an odd modulus m of nl limbs (top limb non-zero), R = 2^(64 nl) and
 * the Montgomery form of x is x R mod m. Products are computed whole (with a dedicated squaring)
 * and then reduced, both in product-scanning (Comba) order; the x86-64 build has an
 * implementation whose multiply-accumulate step is three-instruction inline assembly, and one
 * with MULX/ADCX/ADOX (8x8 tiles with the accumulator in registers for every multiple of 8
 * limbs, bignum_adx8.c, one asm statement per operation for 16 limbs, the primes of RSA-2048;
 * rows for other sizes), chosen at run time like every accelerated path
 * (tenon_cpu_set_mask(0) forces the portable one).
 */
#ifndef TENON_BIGNUM_H
#define TENON_BIGNUM_H

#include <stddef.h>
#include <stdint.h>

/* 4096 bits. */
#define BN_MAX_LIMBS 64

typedef struct bn_mont bn_mont;

/* The radix-2^52 code's conversion constants of one modulus (bignum_r52.c: 2^(104L - 64 nl) R,
 * R and 2^(52L - 64 nl) R mod m, in 52-bit limbs), made once by bn_r52_prep for the several
 * exponentiations of an RSA private operation instead of at each. Secret with the modulus. */
#define BN_R52_LIMBS 40
typedef struct bn_r52_pre {
    uint64_t k[BN_R52_LIMBS] __attribute__((aligned(64)));
    uint64_t z[BN_R52_LIMBS] __attribute__((aligned(64)));
    uint64_t t0[BN_R52_LIMBS] __attribute__((aligned(64)));
} bn_r52_pre;

typedef struct bn_impl {
    const char *name;
    uint32_t cpu_needs;
    /* r = a b R^-1 mod m for a, b < m (a < R suffices for one of them); r may alias a or b. */
    void (*mul)(const bn_mont *ctx, uint64_t *r, const uint64_t *a, const uint64_t *b);
    /* r = a^2 R^-1 mod m. */
    void (*sqr)(const bn_mont *ctx, uint64_t *r, const uint64_t *a);
    /* An almost Montgomery square, or NULL: r = a^2 R^-1 + k m < R for any a < R, not
     * necessarily below m (bn_mont_pow_ct's squarings, whose results feed only further
     * products; its multiplications reduce fully, the table entries being below m). */
    void (*sqr_lazy)(const bn_mont *ctx, uint64_t *r, const uint64_t *a);
} bn_impl;

struct bn_mont {
    size_t nl;
    uint64_t n0; /* -m^-1 mod 2^64 */
    const bn_impl *impl;
    uint64_t m[BN_MAX_LIMBS];
    uint64_t rr[BN_MAX_LIMBS]; /* R^2 mod m */
    const bn_r52_pre *r52;     /* NULL, or the constants bn_r52_prep made */
};

/* x86-64 with BMI2 and ADX only, for m of n limbs, n a multiple of 8 up to BN_MAX_LIMBS
 * (bignum_adx8.c: 8x8 tiles whose accumulator stays in registers): r = a b R^-1 mod m and
 * r = a^2 R^-1 mod m for a, b < m (one of them < R suffices for the product); r may alias a
 * or b. */
void bn_adx8_mul(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *m, uint64_t n0,
                 size_t n);
void bn_adx8_sqr(uint64_t *r, const uint64_t *a, const uint64_t *m, uint64_t n0, size_t n);
/* The almost Montgomery square (bn_impl's sqr_lazy): r = a^2 R^-1 mod m + k m < R for a < R. */
void bn_adx8_sqr_lazy(uint64_t *r, const uint64_t *a, const uint64_t *m, uint64_t n0, size_t n);
/* r = a R^-1 mod m for a < m (a reduction alone: bn_mont_from). */
void bn_adx8_from(uint64_t *r, const uint64_t *a, const uint64_t *m, uint64_t n0, size_t n);

/* Every implementation compiled in (portable first), NULL-terminated; and the best allowed. */
extern const bn_impl *const bn_all_impls[];
const bn_impl *bn_best_impl(void);
/* For the constant-flow tests only: impl != NULL makes bn_best_impl return it whatever cpuid
 * says (valgrind runs MULX/ADCX/ADOX but its virtual CPU does not report ADX, so a whole RSA
 * private operation reaches the ADX code only this way); NULL restores the choice by cpuid. */
void bn_test_force_impl(const bn_impl *impl);

/* x (nl limbs) = the big-endian bytes in (len <= 8 nl). */
void bn_from_be(uint64_t *x, size_t nl, const uint8_t *in, size_t len);
/* The low len bytes of x (nl limbs), big-endian. */
void bn_to_be(uint8_t *out, size_t len, const uint64_t *x, size_t nl);

/* r = a + b, r = a - b over n limbs; return the carry / borrow (0 or 1). */
uint64_t bn_add(uint64_t *r, const uint64_t *a, const uint64_t *b, size_t n);
uint64_t bn_sub(uint64_t *r, const uint64_t *a, const uint64_t *b, size_t n);
/* All-ones if a < b, all-ones if x == 0 (n limbs). */
uint64_t bn_lt_mask(const uint64_t *a, const uint64_t *b, size_t n);
uint64_t bn_zero_mask(const uint64_t *x, size_t n);
/* r = mask ? a : b. */
void bn_select(uint64_t *r, uint64_t mask, const uint64_t *a, const uint64_t *b, size_t n);
/* r (an + bn limbs) = a b; r must not alias a or b. */
void bn_mul(uint64_t *r, const uint64_t *a, size_t an, const uint64_t *b, size_t bn);
/* The number of significant bits of x (public x only). */
size_t bn_bits_vartime(const uint64_t *x, size_t n);

/* Sets up ctx for the odd modulus m (nl limbs, top limb non-zero), with impl (NULL: the best
 * allowed). Constant-time in m. */
void bn_mont_init(bn_mont *ctx, const uint64_t *m, size_t nl, const bn_impl *impl);
/* The same for a public modulus: variable time in m (long division for R^2 mod m). */
void bn_mont_init_vartime(bn_mont *ctx, const uint64_t *m, size_t nl, const bn_impl *impl);
/* r (nl limbs) = 2^(64 k) mod m for a public m (nl >= 2 limbs, top limb non-zero), nl <= k <=
 * BN_POW2_MAX_LIMBS; variable time in m. */
#define BN_POW2_MAX_LIMBS (2 * BN_MAX_LIMBS)
void bn_pow2_mod_vartime(uint64_t *r, const uint64_t *m, size_t nl, size_t k);
/* r (nl limbs) = x 2^(64 k) mod m for a public m (nl >= 2 limbs, top limb non-zero) and x of
 * xl limbs, k + xl <= BN_POW2_MAX_LIMBS + 1 (Knuth's Algorithm D): variable time in m and in x,
 * so x must be public too (k = nl gives x R mod m, the Montgomery form, in one step). */
void bn_shl_mod_vartime(uint64_t *r, const uint64_t *x, size_t xl, size_t k, const uint64_t *m,
                        size_t nl);
/* bn_mont_init (with the best implementation) for a secret m that divides a public N of up to
 * 2 nl limbs, N = m q with q < R = 2^(64 nl) (an RSA prime and its modulus), given
 * y = 2^(192 nl) mod N (bn_pow2_mod_vartime, as 2 nl limbs): R^2 mod m is y R^-1 mod m, one
 * Montgomery reduction instead of bn_mont_init's doublings and squarings. Constant-time in m
 * (y is public). */
void bn_mont_init_rr(bn_mont *ctx, const uint64_t *m, size_t nl, const uint64_t *y);
/* bn_mont_init (with the best implementation) taking R^2 mod m from rr (nl limbs) as given,
 * unchecked: a value kept from an earlier bn_mont_init (an RSA key's cached constants), to be
 * checked with bn_mont_consts_check before it is relied on. rr = NULL leaves ctx->rr zero, for
 * a caller that converts without it (no bn_mont_to then). */
void bn_mont_init_with_rr(bn_mont *ctx, const uint64_t *m, size_t nl, const uint64_t *rr);
/* All-ones if ctx->rr is R^2 mod m and (unless r3 is NULL) r3 is R^3 mod m, both fully reduced;
 * 0 otherwise. Three reductions; constant-time in m, rr and r3. */
uint64_t bn_mont_consts_check(const bn_mont *ctx, const uint64_t *r3);
void bn_mont_mul(const bn_mont *ctx, uint64_t *r, const uint64_t *a, const uint64_t *b);
void bn_mont_sqr(const bn_mont *ctx, uint64_t *r, const uint64_t *a);
/* r = a R mod m (a < m) and r = a R^-1 mod m (out of Montgomery form). */
void bn_mont_to(const bn_mont *ctx, uint64_t *r, const uint64_t *a);
void bn_mont_from(const bn_mont *ctx, uint64_t *r, const uint64_t *a);
/* r = x R mod m for any x of xl limbs: reduction and conversion in one. */
void bn_mont_to_wide(const bn_mont *ctx, uint64_t *r, const uint64_t *x, size_t xl);
/* The same for x of xl <= 2 nl limbs, given r3 = R^3 mod m (bn_mont_sqr of rr): x_lo rr +
 * x_hi r3, two products instead of bn_mont_to_wide's three. Falls back to it for longer x. */
void bn_mont_to_wide_r3(const bn_mont *ctx, const uint64_t *r3, uint64_t *r, const uint64_t *x,
                        size_t xl);
/* r = a - b mod m and a + b mod m (a, b < m). */
void bn_mod_sub(const bn_mont *ctx, uint64_t *r, const uint64_t *a, const uint64_t *b);
void bn_mod_add(const bn_mont *ctx, uint64_t *r, const uint64_t *a, const uint64_t *b);

/* r = b^e in Montgomery form, b in Montgomery form; e of en limbs is secret: fixed 5-bit
 * windows, every table entry read for each window. */
void bn_mont_pow_ct(const bn_mont *ctx, uint64_t *r, const uint64_t *b, const uint64_t *e,
                    size_t en);
/* Both exponentiations of an RSA private key's CRT halves: r1 = b1^e1 under ctx1 and
 * r2 = b2^e2 under ctx2, as bn_mont_pow_ct each. Where the CPU has AVX-512 IFMA and the halves
 * have the same size (16, 24 or 32 limbs) and exponent length, they run together in radix
 * 2^52 (bignum_r52.c); otherwise one after the other. r may alias b. */
void bn_mont_pow2_ct(const bn_mont *ctx1, uint64_t *r1, const uint64_t *b1, const uint64_t *e1,
                     size_t en1, const bn_mont *ctx2, uint64_t *r2, const uint64_t *b2,
                     const uint64_t *e2, size_t en2);
/* The radix-2^52 dual exponentiation itself: model = 0 runs the AVX-512 IFMA code (only where
 * the CPU has it), model = 1 a portable model of the same vector steps (for the valgrind test,
 * as valgrind cannot run AVX-512). Returns 1 if it ran, 0 if the sizes (or the CPU) do not
 * allow it (then r1, r2 are untouched). en <= nl. */
int bn_r52_pow2_ct(int model, const bn_mont *ctx1, uint64_t *r1, const uint64_t *b1,
                   const uint64_t *e1, const bn_mont *ctx2, uint64_t *r2, const uint64_t *b2,
                   const uint64_t *e2, size_t en);
/* Both halves to a public exponent: r1 = b1^e under ctx1 and r2 = b2^e under ctx2, as
 * bn_mont_pow_u64 each (the blinding factors and the check of an RSA private operation); with
 * AVX-512 IFMA and equal sizes of 16, 24 or 32 limbs, side by side in radix 2^52. r may alias
 * b. */
void bn_mont_pow2_u64(const bn_mont *ctx1, uint64_t *r1, const uint64_t *b1, const bn_mont *ctx2,
                      uint64_t *r2, const uint64_t *b2, uint64_t e);
/* For the tests: one product of the radix-2^52 code, both halves on the same numbers, r =
 * a b 2^-52L mod m (L = 20, 30, 40 for nl = 16, 24, 32), reduced; a and b of nl + 1 limbs,
 * below 2m (the range of its lazily reduced values). sqr = 1 takes the dedicated squaring (of
 * a; b unused), 0 the multiplication; model as for bn_r52_pow2_ct. Returns 0 if the sizes or the
 * CPU do not allow it, 1 if it ran, 2 if the two halves' results differed. */
int bn_r52_mul_test(int model, int sqr, const bn_mont *ctx, uint64_t *r, const uint64_t *a,
                    const uint64_t *b);
/* Makes pre for ctx (whose modulus the radix-2^52 code takes: 16, 24 or 32 limbs) and points
 * ctx->r52 at it, so that the exponentiations below convert with it; pre must outlive ctx's
 * use. Nothing is done for other sizes, nor where the CPU does not allow the radix-2^52 code
 * (the exponentiations then make the constants they need). Constant-time. */
void bn_r52_prep(bn_mont *ctx, bn_r52_pre *pre);
/* Its radix-2^52 code, model as for bn_r52_pow2_ct; returns 0 (nothing done) where the sizes or
 * the CPU do not allow it, or for e = 0. */
int bn_r52_pow2_u64(int model, const bn_mont *ctx1, uint64_t *r1, const uint64_t *b1,
                    const bn_mont *ctx2, uint64_t *r2, const uint64_t *b2, uint64_t e);
/* r = b^e mod m for a public odd m of n limbs (top limb non-zero), b < m and e >= 1, all plain
 * (the RSA public operation): the radix-2^52 code on one modulus, variable time in m and e
 * only. b may be secret (an RSA encryption's padded message): it steers no branch or index
 * and the working copies are wiped. Only for n = 32 (RSA-2048), with AVX-512 IFMA (model = 0) or
 * its portable model (model = 1); returns 0 (nothing done) otherwise. */
int bn_r52_pow_u64_vartime(int model, uint64_t *r, const uint64_t *b, const uint64_t *m, size_t n,
                           uint64_t e);
/* Exponent windows of BN_WIN bits: bits [pos, pos + BN_WIN) of e (en limbs; pos public). */
#define BN_WIN 5
uint32_t bn_exp_window(const uint64_t *e, size_t en, size_t pos);
/* The same for a public exponent e >= 1 (variable time in e only). */
void bn_mont_pow_u64(const bn_mont *ctx, uint64_t *r, const uint64_t *b, uint64_t e);

/* r = x^-1 mod m for x < m (plain form), constant-time (bignum_modinv.c: Bernstein-Yang
 * divsteps in batches of 62). Returns all-ones on success, 0 if x is not invertible (then r is
 * meaningless). */
uint64_t bn_mod_inv(const bn_mont *ctx, uint64_t *r, const uint64_t *x);
/* Two inversions at once, r1 = x1^-1 mod m1 and r2 = x2^-1 mod m2, as bn_mod_inv each (their
 * steps interleaved, in little more than the time of one); ok[0], ok[1] are the masks. */
void bn_mod_inv2(const bn_mont *ctx1, uint64_t *r1, const uint64_t *x1, const bn_mont *ctx2,
                 uint64_t *r2, const uint64_t *x2, uint64_t ok[2]);

#endif
