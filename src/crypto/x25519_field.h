/*
 * Internal: arithmetic in GF(2^255 - 19) for X25519 (x25519.c) and its fixed-base path
 * (x25519_base.c).
 *
 * An element is five 64-bit limbs in radix 2^51: f = l[0] + l[1]·2^51 + ... + l[4]·2^204.
 * Limbs are allowed to exceed 51 bits between operations; the bounds below are what keeps
 * every 128-bit accumulator and every carry in range:
 *
 *   "reduced"   the output of fe_mul, fe_sq, fe_mul_small, fe_frombytes: every limb < 2^51 + 2^18.
 *   fe_add      of two reduced elements: limbs < 2^52.1.
 *   fe_sub      f - g for g with limbs <= 2^53 - 76 (any reduced element or fe_add of two):
 *               f + 4p - g, so limbs stay positive; of a reduced f: limbs < 2^53.4.
 *   fe_mul/sq   inputs with limbs < 2^54: each column sum is below 5·19·2^108 < 2^114.6, so
 *               every carry (column >> 51) fits in 64 bits.
 *
 * Nothing here branches on or indexes memory by a field element.
 */
#ifndef TENON_X25519_FIELD_H
#define TENON_X25519_FIELD_H

#include <stdint.h>

#include "ct.h"

typedef unsigned __int128 fe_u128;

typedef struct fe {
    uint64_t l[5];
} fe;

#define FE_MASK51 ((UINT64_C(1) << 51) - 1)

static inline void fe_0(fe *h)
{
    for (int i = 0; i < 5; i++)
        h->l[i] = 0;
}

static inline void fe_1(fe *h)
{
    fe_0(h);
    h->l[0] = 1;
}

/* RFC 7748 §5: the u-coordinate is 32 bytes little-endian and the most significant bit of the
 * last byte is ignored. A value in [p, 2^255) (non-canonical) is accepted as it is: the
 * arithmetic below is modulo p throughout, so it acts as its residue. */
static inline void fe_frombytes(fe *h, const uint8_t s[32])
{
    uint64_t w0 = load_le64(s), w1 = load_le64(s + 8), w2 = load_le64(s + 16),
             w3 = load_le64(s + 24);
    h->l[0] = w0 & FE_MASK51;
    h->l[1] = ((w0 >> 51) | (w1 << 13)) & FE_MASK51;
    h->l[2] = ((w1 >> 38) | (w2 << 26)) & FE_MASK51;
    h->l[3] = ((w2 >> 25) | (w3 << 39)) & FE_MASK51;
    h->l[4] = (w3 >> 12) & FE_MASK51;
}

static inline void fe_add(fe *h, const fe *f, const fe *g)
{
    for (int i = 0; i < 5; i++)
        h->l[i] = f->l[i] + g->l[i];
}

/* h = f - g + 4p, limb by limb (4p = 2^53 - 76, 2^53 - 4, 2^53 - 4, 2^53 - 4, 2^53 - 4). */
static inline void fe_sub(fe *h, const fe *f, const fe *g)
{
    h->l[0] = (f->l[0] + ((UINT64_C(1) << 53) - 76)) - g->l[0];
    for (int i = 1; i < 5; i++)
        h->l[i] = (f->l[i] + ((UINT64_C(1) << 53) - 4)) - g->l[i];
}

/* h = -g (the same bounds as fe_sub with f = 0). */
static inline void fe_neg(fe *h, const fe *g)
{
    fe zero;
    fe_0(&zero);
    fe_sub(h, &zero, g);
}

/* (uint64_t)(r >> 51) for r < 2^115 given as its halves: GCC compiles a 128-bit shift to
 * `shrd`, which Zen 5 charges about six simple ALU operations of throughput; a `shl`, a `shr`
 * and an `add` cost three (docs/crypto.md). The halves do not overlap, so the add is an or. */
static inline uint64_t fe_shr51(uint64_t lo, uint64_t hi)
{
    return (hi << 13) + (lo >> 51);
}

/* Folds five 128-bit column sums (each < 2^114.6) into a reduced element: carries go up one
 * limb at a time, and the carry out of the top limb re-enters at the bottom times 19, since
 * 2^255 = 19 (mod p). Each carry is added to the next column's two 64-bit halves (add, adc):
 * adding it to the column as a 128-bit number, GCC 12 stores it with a zero high word and adds
 * from memory. */
static inline void fe_carry128(fe *h, fe_u128 r0, fe_u128 r1, fe_u128 r2, fe_u128 r3, fe_u128 r4)
{
    uint64_t l1 = (uint64_t)r1, l2 = (uint64_t)r2, l3 = (uint64_t)r3, l4 = (uint64_t)r4;
    uint64_t h1 = (uint64_t)(r1 >> 64), h2 = (uint64_t)(r2 >> 64), h3 = (uint64_t)(r3 >> 64),
             h4 = (uint64_t)(r4 >> 64);
    uint64_t c = fe_shr51((uint64_t)r0, (uint64_t)(r0 >> 64));
    l1 += c;
    h1 += l1 < c;
    c = fe_shr51(l1, h1);
    l2 += c;
    h2 += l2 < c;
    c = fe_shr51(l2, h2);
    l3 += c;
    h3 += l3 < c;
    c = fe_shr51(l3, h3);
    l4 += c;
    h4 += l4 < c;
    c = fe_shr51(l4, h4);
    /* c < 2^63.6, so c·19 needs more than 64 bits */
    fe_u128 c19 = (fe_u128)c * 19;
    uint64_t t0 = ((uint64_t)r0 & FE_MASK51) + (uint64_t)c19;
    uint64_t t0h = (uint64_t)(c19 >> 64) + (t0 < (uint64_t)c19);
    h->l[0] = t0 & FE_MASK51;
    h->l[1] = (l1 & FE_MASK51) + fe_shr51(t0, t0h);
    h->l[2] = l2 & FE_MASK51;
    h->l[3] = l3 & FE_MASK51;
    h->l[4] = l4 & FE_MASK51;
}

/* Schoolbook product; a limb product at weight 2^255 or more is folded back times 19. */
static inline void fe_mul(fe *h, const fe *f, const fe *g)
{
    uint64_t f0 = f->l[0], f1 = f->l[1], f2 = f->l[2], f3 = f->l[3], f4 = f->l[4];
    uint64_t g0 = g->l[0], g1 = g->l[1], g2 = g->l[2], g3 = g->l[3], g4 = g->l[4];
    uint64_t g1_19 = g1 * 19, g2_19 = g2 * 19, g3_19 = g3 * 19, g4_19 = g4 * 19;
    fe_u128 r0 = (fe_u128)f0 * g0 + (fe_u128)f1 * g4_19 + (fe_u128)f2 * g3_19 +
                 (fe_u128)f3 * g2_19 + (fe_u128)f4 * g1_19;
    fe_u128 r1 = (fe_u128)f0 * g1 + (fe_u128)f1 * g0 + (fe_u128)f2 * g4_19 + (fe_u128)f3 * g3_19 +
                 (fe_u128)f4 * g2_19;
    fe_u128 r2 = (fe_u128)f0 * g2 + (fe_u128)f1 * g1 + (fe_u128)f2 * g0 + (fe_u128)f3 * g4_19 +
                 (fe_u128)f4 * g3_19;
    fe_u128 r3 = (fe_u128)f0 * g3 + (fe_u128)f1 * g2 + (fe_u128)f2 * g1 + (fe_u128)f3 * g0 +
                 (fe_u128)f4 * g4_19;
    fe_u128 r4 = (fe_u128)f0 * g4 + (fe_u128)f1 * g3 + (fe_u128)f2 * g2 + (fe_u128)f3 * g1 +
                 (fe_u128)f4 * g0;
    fe_carry128(h, r0, r1, r2, r3, r4);
}

/* Squaring: the cross products appear twice, so 15 limb products instead of 25. */
static inline void fe_sq(fe *h, const fe *f)
{
    uint64_t f0 = f->l[0], f1 = f->l[1], f2 = f->l[2], f3 = f->l[3], f4 = f->l[4];
    uint64_t f0_2 = f0 * 2, f1_2 = f1 * 2;
    uint64_t f3_19 = f3 * 19, f4_19 = f4 * 19;
    fe_u128 r0 = (fe_u128)f0 * f0 + (fe_u128)f1_2 * f4_19 + (fe_u128)(f2 * 2) * f3_19;
    fe_u128 r1 = (fe_u128)f0_2 * f1 + (fe_u128)(f2 * 2) * f4_19 + (fe_u128)f3 * f3_19;
    fe_u128 r2 = (fe_u128)f0_2 * f2 + (fe_u128)f1 * f1 + (fe_u128)(f3 * 2) * f4_19;
    fe_u128 r3 = (fe_u128)f0_2 * f3 + (fe_u128)f1_2 * f2 + (fe_u128)f4 * f4_19;
    fe_u128 r4 = (fe_u128)f0_2 * f4 + (fe_u128)f1_2 * f3 + (fe_u128)f2 * f2;
    fe_carry128(h, r0, r1, r2, r3, r4);
}

/* h = f · n for a small constant n < 2^20 (the curve constant of the ladder). */
static inline void fe_mul_small(fe *h, const fe *f, uint32_t n)
{
    fe_carry128(h, (fe_u128)f->l[0] * n, (fe_u128)f->l[1] * n, (fe_u128)f->l[2] * n,
                (fe_u128)f->l[3] * n, (fe_u128)f->l[4] * n);
}

/* h = f^(2^n) for n >= 1. */
static inline void fe_sq_n(fe *h, const fe *f, int n)
{
    fe_sq(h, f);
    for (int i = 1; i < n; i++)
        fe_sq(h, h);
}

/* If mask is all-ones, exchange f and g; if zero, leave them. */
static inline void fe_cswap(uint64_t mask, fe *f, fe *g)
{
    for (int i = 0; i < 5; i++) {
        uint64_t t = mask & (f->l[i] ^ g->l[i]);
        f->l[i] ^= t;
        g->l[i] ^= t;
    }
}

/* If mask is all-ones, h = f; if zero, leave h. */
static inline void fe_cmov(uint64_t mask, fe *h, const fe *f)
{
    for (int i = 0; i < 5; i++)
        h->l[i] ^= mask & (h->l[i] ^ f->l[i]);
}

/* x25519_inv.c: h = 1/f (0 for f = 0), by divsteps. x25519.c: the canonical 32-byte encoding
 * of f, and the end of the portable ladder, out = x2/z2 encoded (RFC 7748 §5; x2 and z2 are
 * wiped; the mulx/adx and IFMA ladders end with the blinded inversion instead). */
void x25519_fe_invert(fe *h, const fe *f);
void x25519_finish(uint8_t out[32], fe *x2, fe *z2);
/* x25519.c: h = f^(2^250 - 1) and z11 = f^11, the shared start of the exponentiations. */
void x25519_fe_pow250(fe *h, fe *z11, const fe *f);
void x25519_fe_tobytes(uint8_t s[32], const fe *f);
/* x25519_inv.c: p in the form of the variable-time divsteps inversion (ec_modinv.h), and
 * h = 1/f by that inversion on f·beta for a uniform secret beta (0 for f = 0). */
extern const struct ec_modinv_mod x25519_p_modinv;
void x25519_fe_invert_blinded(fe *h, const fe *f, const uint8_t beta[32]);
/* x25519_inv.c: the ladders' blind, beta = SHA-256(label || k || u) for the clamped scalar k and
 * the peer's u: secret and uniform to anyone who does not know k. x25519_blind_labelled takes
 * the label (with its terminating NUL, as sizeof gives it) for a blind of another use. */
void x25519_inversion_blind(uint8_t beta[32], const uint8_t k[32], const uint8_t u[32]);
void x25519_blind_labelled(uint8_t beta[32], const char *label, size_t label_size,
                           const uint8_t k[32], const uint8_t u[32]);
/* x25519_base.c: tenon_x25519_base with the final inversion blinded by beta, 32 uniform
 * secret bytes (tenon_kex_x25519's keygen draws them with the key; tenon_x25519_base derives
 * them from the scalar by SHA-256). */
void x25519_base_blinded(uint8_t out[32], const uint8_t scalar[32], const uint8_t beta[32]);

/* The ladders without their division: (x2 : z2) = k·(u : 1) for a clamped k (RFC 7748 §5),
 * in radix 2^51 (x25519.c: portable; x25519_adx.c: mulx/adx; x25519_ifma.c: IFMA and its
 * model). z2 = 0 for u of small order. */
typedef void (*x25519_ladder_xz_fn)(fe *x2, fe *z2, const uint8_t k[32], const uint8_t u[32]);
void x25519_ladder_portable_xz(fe *x2, fe *z2, const uint8_t k[32], const uint8_t u[32]);
void x25519_ladder_ifma_model_xz(fe *x2, fe *z2, const uint8_t k[32], const uint8_t u[32]);
/* x25519.c: pub = X25519(scalar, 9) and shared = X25519(scalar, u) with one (blinded)
 * inversion for both, by the ladder and comb the CPU's features pick, as tenon_x25519 and
 * tenon_x25519_base do; shared is all-zero for u of small order (the caller refuses it). The
 * _with form takes the ladder and the comb (edwards25519_base_mul or one of its paths), for the
 * tests. */
struct ge_ext;
void x25519_keypair_and_shared(uint8_t pub[32], uint8_t shared[32], const uint8_t scalar[32],
                               const uint8_t u[32]);
void x25519_keypair_and_shared_with(uint8_t pub[32], uint8_t shared[32], const uint8_t scalar[32],
                                    const uint8_t u[32], x25519_ladder_xz_fn ladder,
                                    void (*base_mul)(struct ge_ext *, const uint8_t *));

#if defined(__x86_64__)
void x25519_ladder_adx_xz(fe *x2, fe *z2, const uint8_t k[32], const uint8_t u[32]);
void x25519_ladder_ifma_xz(fe *x2, fe *z2, const uint8_t k[32], const uint8_t u[32]);
/* x25519_adx.c: the whole ladder of RFC 7748 §5, out = k·u for a clamped k, with mulx/adcx/adox
 * field arithmetic. Only for CPUs with BMI2 and ADX. */
void x25519_ladder_adx(uint8_t out[32], const uint8_t k[32], const uint8_t u[32]);
/* x25519_adx.c, for tests/test_x25519.c: r = one of the ladder's field operations on a and b
 * (four limbs each), run through the same asm as the ladder, mod p up to a multiple of p. The
 * products and squares return values below 2^255 + 1463; the sums and differences
 * (X25519_ADX_OP_ADD etc.) require such values as their inputs, as in the ladder. */
enum {
    X25519_ADX_OP_MUL_P,    /* a·b as the first product of FE64_MUL2 */
    X25519_ADX_OP_MUL_Q,    /* a·b as the second */
    X25519_ADX_OP_SQ_P,     /* a^2 as the first square of FE64_SQ2 */
    X25519_ADX_OP_SQ_Q,     /* a^2 as the second */
    X25519_ADX_OP_ADD_P,    /* a + b (ladder_add_sub_select's A) */
    X25519_ADX_OP_SUB_P,    /* a - b (its B) */
    X25519_ADX_OP_ADD_Q,    /* a + b (its C) */
    X25519_ADX_OP_SUB_Q,    /* a - b (its D) */
    X25519_ADX_OP_SEL_ADD,  /* a + b (its SA when the step swaps) */
    X25519_ADX_OP_PROD_ADD, /* a·1 + b·1 (FE64_MUL2_ADDSUB's sum) */
    X25519_ADX_OP_PROD_SUB, /* a·1 - b·1 (its difference) */
    X25519_ADX_OP_SQ_SUB,   /* a^2 - b^2 (FE64_SQ2_SUB) */
    X25519_ADX_OP_LONE_MUL, /* a·b (ladder_mul_add_sub_select's z_2) */
    X25519_ADX_OP_LONE_ADD, /* b + a·b (its A, x_2 = b) */
    X25519_ADX_OP_LONE_SUB, /* b - a·b (its B) */
    X25519_ADX_OP_LONE_C,   /* a + b (its C, x_3 = a, z_3 = b) */
    X25519_ADX_OP_LONE_SEL, /* a + b (its SA when the step swaps) */
    X25519_ADX_OP_A24,      /* b + 121665·a (fe64_mul_a24_add) */
    X25519_ADX_OP_COUNT
};
void x25519_adx_field_op(uint64_t r[4], int op, const uint64_t a[4], const uint64_t b[4]);
/* x25519_ifma.c: the same with four field elements at a time in AVX-512 IFMA lanes. Only for
 * CPUs with AVX-512 F, VL and IFMA. */
void x25519_ladder_ifma(uint8_t out[32], const uint8_t k[32], const uint8_t u[32]);
#endif
/* x25519_ifma.c: the portable model of the IFMA ladder (the same steps lane by lane), for the
 * constant-flow test under valgrind and the cross-checks; any CPU. */
void x25519_ladder_ifma_model(uint8_t out[32], const uint8_t k[32], const uint8_t u[32]);

#endif
