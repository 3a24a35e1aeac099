/*
 * Internal: the radix-2^26 vector arithmetic shared by the AVX2 (four lanes) and AVX-512 (eight
 * lanes) Poly1305 code, and the conversions between the portable code's radix 2^44 and 2^26.
 *
 * The includer defines VEC (the vector type), V_MUL (32 x 32 -> 64-bit lane products), V_ADD,
 * V_AND, V_SRLI, V_SLLI (64-bit lane operations) and V_REG (the asm constraint for VEC), and
 * has a VEC mask26 in scope where CARRY and REDUCE are used. See poly1305_avx2.c for the
 * scheme and the bounds.
 */
#ifndef TENON_POLY1305_VEC_H
#define TENON_POLY1305_VEC_H

#include "poly1305.h"

#define M26 ((uint64_t)0x3ffffff)
#define M44 ((uint64_t)0xfffffffffff)
#define M42 ((uint64_t)0x3ffffffffff)

/* Radix 2^44 -> 2^26, exact: the value is carried first so that h0, h1 < 2^44. The input has
 * h2 < 2^42 + 2^12 (as mul44 and from26 leave it), so every output limb is below 2^26 + 2^12. */
static void to26(uint32_t t[5], const uint64_t in[3])
{
    uint64_t h0 = in[0], h1 = in[1], h2 = in[2];
    h1 += h0 >> 44;
    h0 &= M44;
    h2 += h1 >> 44;
    h1 &= M44;
    t[0] = (uint32_t)(h0 & M26);
    t[1] = (uint32_t)((h0 >> 26) | ((h1 & 0xff) << 18));
    t[2] = (uint32_t)((h1 >> 8) & M26);
    t[3] = (uint32_t)((h1 >> 34) | ((h2 & 0xffff) << 10));
    t[4] = (uint32_t)(h2 >> 16);
}

/* Radix 2^26 (limbs below 2^31) -> 2^44, preserving the value mod p; the bits at 2^130 and
 * above are folded back times 5, so the result has the bounds that mul44 leaves. */
static void from26(uint64_t h[3], const uint64_t t[5])
{
    uint64_t h0 = t[0] + (t[1] << 26);
    uint64_t h1 = (h0 >> 44) + (t[2] << 8) + (t[3] << 34);
    uint64_t h2 = (h1 >> 44) + (t[4] << 16);
    h0 &= M44;
    h1 &= M44;
    h0 += (h2 >> 42) * 5;
    h2 &= M42;
    h1 += h0 >> 44;
    h0 &= M44;
    h[0] = h0;
    h[1] = h1;
    h[2] = h2;
}

/* The powers of r in radix 2^26 in ctx->rpow (rpow[k] = r^(k+1) for k < 8, rpow[8] = r^16),
 * up to a level: 1 is r^1..r^4 and r^8 (what the AVX2 code uses), 2 adds r^5..r^7 and r^16
 * (the AVX-512 code). */
static void compute_powers(poly1305_ctx *ctx, int level)
{
    uint64_t p[9][3];
    memcpy(p[0], ctx->r, sizeof p[0]);
    /* A tree (r^3 and r^4 both from r^2, r^5..r^7 from r^4) rather than a chain, for the
     * latency on short messages. */
    poly1305_mul44(p[1], p[0], p[0]);
    poly1305_mul44(p[2], p[1], p[0]);
    poly1305_mul44(p[3], p[1], p[1]);
    poly1305_mul44(p[7], p[3], p[3]);
    for (int k = 0; k < 4; k++)
        to26(ctx->rpow[k], p[k]);
    to26(ctx->rpow[7], p[7]);
    if (level >= 2) {
        poly1305_mul44(p[4], p[3], p[0]);
        poly1305_mul44(p[5], p[3], p[1]);
        poly1305_mul44(p[6], p[3], p[2]);
        poly1305_mul44(p[8], p[7], p[7]);
        for (int k = 4; k < 7; k++)
            to26(ctx->rpow[k], p[k]);
        to26(ctx->rpow[8], p[8]);
    }
    tenon_wipe(p, sizeof p);
    ctx->rpow_ready = level;
}

/* The block function around a vector core (blocks_vec: ngroups >= 1 groups of `group` blocks
 * with the powers of level `level` in ctx->rpow): fewer than min_blocks blocks, and the blocks
 * after the last whole group, go to the narrower `small`. */
static inline void vec_blocks(poly1305_ctx *ctx, const uint8_t *in, size_t nblocks,
                              size_t min_blocks, int level, size_t group,
                              void (*blocks_vec)(poly1305_ctx *, const uint8_t *, size_t),
                              poly1305_blocks_fn small)
{
    if (nblocks < min_blocks) {
        small(ctx, in, nblocks);
        return;
    }
    if (ctx->rpow_ready < level)
        compute_powers(ctx, level);
    size_t ngroups = nblocks / group;
    blocks_vec(ctx, in, ngroups);
    if (nblocks % group != 0)
        small(ctx, in + ngroups * group * POLY1305_BLOCK_LEN, nblocks % group);
}

#define MUL(a, b) V_MUL((a), (b))
#define ADD(a, b) V_ADD((a), (b))

/* An empty asm that claims to change x: the compiler must have x in a register here and cannot
 * move the computations that follow above it. Without it, GCC computes all 25 or 50 products
 * of a step up front and spills most of them to the stack. */
#define PIN5(a, b, c, d, e)                                                                        \
    __asm__ volatile("" : "+" V_REG(a), "+" V_REG(b), "+" V_REG(c), "+" V_REG(d), "+" V_REG(e))

/* d = h * r mod 2^130 - 5, schoolbook on five limbs; a product landing at 2^130 or above is
 * taken with s_j = 5 r_j instead of r_j (2^130 = 5 mod p). Each column is accumulated as
 * its products come, which keeps few intermediates alive (no spills in the loop). */
#define MULMOD(d0, d1, d2, d3, d4, h0, h1, h2, h3, h4, r0, r1, r2, r3, r4, s1, s2, s3, s4)         \
    do {                                                                                           \
        d0 = MUL(h0, r0);                                                                          \
        d1 = MUL(h0, r1);                                                                          \
        d2 = MUL(h0, r2);                                                                          \
        d3 = MUL(h0, r3);                                                                          \
        d4 = MUL(h0, r4);                                                                          \
        PIN5(d0, d1, d2, d3, d4);                                                                  \
        d0 = ADD(d0, MUL(h1, s4));                                                                 \
        d1 = ADD(d1, MUL(h1, r0));                                                                 \
        d2 = ADD(d2, MUL(h1, r1));                                                                 \
        d3 = ADD(d3, MUL(h1, r2));                                                                 \
        d4 = ADD(d4, MUL(h1, r3));                                                                 \
        PIN5(d0, d1, d2, d3, d4);                                                                  \
        d0 = ADD(d0, MUL(h2, s3));                                                                 \
        d1 = ADD(d1, MUL(h2, s4));                                                                 \
        d2 = ADD(d2, MUL(h2, r0));                                                                 \
        d3 = ADD(d3, MUL(h2, r1));                                                                 \
        d4 = ADD(d4, MUL(h2, r2));                                                                 \
        PIN5(d0, d1, d2, d3, d4);                                                                  \
        d0 = ADD(d0, MUL(h3, s2));                                                                 \
        d1 = ADD(d1, MUL(h3, s3));                                                                 \
        d2 = ADD(d2, MUL(h3, s4));                                                                 \
        d3 = ADD(d3, MUL(h3, r0));                                                                 \
        d4 = ADD(d4, MUL(h3, r1));                                                                 \
        PIN5(d0, d1, d2, d3, d4);                                                                  \
        d0 = ADD(d0, MUL(h4, s1));                                                                 \
        d1 = ADD(d1, MUL(h4, s2));                                                                 \
        d2 = ADD(d2, MUL(h4, s3));                                                                 \
        d3 = ADD(d3, MUL(h4, s4));                                                                 \
        d4 = ADD(d4, MUL(h4, r0));                                                                 \
    } while (0)

/* d += h * r mod 2^130 - 5, as MULMOD. */
#define MULACC(d0, d1, d2, d3, d4, h0, h1, h2, h3, h4, r0, r1, r2, r3, r4, s1, s2, s3, s4)         \
    do {                                                                                           \
        d0 = ADD(d0, MUL(h0, r0));                                                                 \
        d1 = ADD(d1, MUL(h0, r1));                                                                 \
        d2 = ADD(d2, MUL(h0, r2));                                                                 \
        d3 = ADD(d3, MUL(h0, r3));                                                                 \
        d4 = ADD(d4, MUL(h0, r4));                                                                 \
        PIN5(d0, d1, d2, d3, d4);                                                                  \
        d0 = ADD(d0, MUL(h1, s4));                                                                 \
        d1 = ADD(d1, MUL(h1, r0));                                                                 \
        d2 = ADD(d2, MUL(h1, r1));                                                                 \
        d3 = ADD(d3, MUL(h1, r2));                                                                 \
        d4 = ADD(d4, MUL(h1, r3));                                                                 \
        PIN5(d0, d1, d2, d3, d4);                                                                  \
        d0 = ADD(d0, MUL(h2, s3));                                                                 \
        d1 = ADD(d1, MUL(h2, s4));                                                                 \
        d2 = ADD(d2, MUL(h2, r0));                                                                 \
        d3 = ADD(d3, MUL(h2, r1));                                                                 \
        d4 = ADD(d4, MUL(h2, r2));                                                                 \
        PIN5(d0, d1, d2, d3, d4);                                                                  \
        d0 = ADD(d0, MUL(h3, s2));                                                                 \
        d1 = ADD(d1, MUL(h3, s3));                                                                 \
        d2 = ADD(d2, MUL(h3, s4));                                                                 \
        d3 = ADD(d3, MUL(h3, r0));                                                                 \
        d4 = ADD(d4, MUL(h3, r1));                                                                 \
        PIN5(d0, d1, d2, d3, d4);                                                                  \
        d0 = ADD(d0, MUL(h4, s1));                                                                 \
        d1 = ADD(d1, MUL(h4, s2));                                                                 \
        d2 = ADD(d2, MUL(h4, s3));                                                                 \
        d3 = ADD(d3, MUL(h4, s4));                                                                 \
        d4 = ADD(d4, MUL(h4, r0));                                                                 \
        PIN5(d0, d1, d2, d3, d4);                                                                  \
    } while (0)

/* One carry step: limb a keeps its low 26 bits, the rest moves up into b. */
#define CARRY(a, b)                                                                                \
    do {                                                                                           \
        VEC c_ = V_SRLI(a, 26);                                                                    \
        a = V_AND(a, mask26);                                                                      \
        b = ADD(b, c_);                                                                            \
    } while (0)

/* Two chains (0->1->2->3 and 3->4->0(*5)->1) run side by side to shorten the latency. */
#define REDUCE(h0, h1, h2, h3, h4)                                                                 \
    do {                                                                                           \
        CARRY(h0, h1);                                                                             \
        CARRY(h3, h4);                                                                             \
        CARRY(h1, h2);                                                                             \
        VEC c4_ = V_SRLI(h4, 26);                                                                  \
        h4 = V_AND(h4, mask26);                                                                    \
        h0 = ADD(h0, ADD(c4_, V_SLLI(c4_, 2)));                                                    \
        CARRY(h2, h3);                                                                             \
        CARRY(h0, h1);                                                                             \
        CARRY(h3, h4);                                                                             \
    } while (0)

#endif
