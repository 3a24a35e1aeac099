/*
 * Poly1305 with AVX-512F: sixteen blocks per step (RFC 8439 §2.5).
 *
 * The scheme of poly1305_avx2.c with eight lanes instead of four: eight interleaved streams
 * (blocks 8t + k), each multiplied by r^8 per group of eight blocks, two groups per loop step
 * as (h + A) r^16 + B r^8 with one carry pass, and in the last group lane k multiplied by
 * r^(8-k), so that the sum of the lanes is the serial result. VPMULUDQ on zmm registers forms
 * eight 32 x 32 -> 64-bit limb products at once; the radix (2^26), the limb bounds and so the
 * column-sum bounds are those of the AVX2 code, whose arithmetic macros this file shares
 * (poly1305_vec.h). The final sum of eight lanes keeps each limb below 2^30, within what
 * from26 takes.
 */
#include "poly1305.h"

#if TENON_X86_64

#include <immintrin.h>

#include "tenon/crypto.h"

#define VEC __m512i
#define V_MUL _mm512_mul_epu32
#define V_ADD _mm512_add_epi64
#define V_AND _mm512_and_si512
#define V_SRLI _mm512_srli_epi64
#define V_SLLI _mm512_slli_epi64
#define V_REG "v"
#include "poly1305_vec.h"

/* Below this many blocks the AVX2 code (four lanes, fewer powers of r) does as well. */
#define AVX512_MIN_BLOCKS 32

#define AVX512_TARGET TENON_TARGET("avx512f")

/* Splits the eight blocks at in[0..127] into 26-bit limbs. The 64-bit unpacks work within
 * 128-bit lanes, so the 64-bit lanes hold blocks 0, 4, 1, 5, 2, 6, 3, 7 (in that order); only
 * the final powers need to know. The 2^128 bit of each whole block is bit 24 of limb 4. */
#define LOAD_BLOCKS(in, m0, m1, m2, m3, m4)                                                        \
    do {                                                                                           \
        __m512i a_ = _mm512_loadu_si512((const void *)(in));                                       \
        __m512i b_ = _mm512_loadu_si512((const void *)((in) + 64));                                \
        __m512i lo_ = _mm512_unpacklo_epi64(a_, b_);                                               \
        __m512i hi_ = _mm512_unpackhi_epi64(a_, b_);                                               \
        m0 = _mm512_and_si512(lo_, mask26);                                                        \
        m1 = _mm512_and_si512(_mm512_srli_epi64(lo_, 26), mask26);                                 \
        m2 = _mm512_and_si512(                                                                     \
            _mm512_or_si512(_mm512_srli_epi64(lo_, 52), _mm512_slli_epi64(hi_, 12)), mask26);      \
        m3 = _mm512_and_si512(_mm512_srli_epi64(hi_, 14), mask26);                                 \
        m4 = _mm512_or_si512(_mm512_srli_epi64(hi_, 40), hibit);                                   \
    } while (0)

/* h += m, limb by limb. */
#define ADD5(h0, h1, h2, h3, h4, m0, m1, m2, m3, m4)                                               \
    do {                                                                                           \
        h0 = ADD(h0, m0);                                                                          \
        h1 = ADD(h1, m1);                                                                          \
        h2 = ADD(h2, m2);                                                                          \
        h3 = ADD(h3, m3);                                                                          \
        h4 = ADD(h4, m4);                                                                          \
    } while (0)

/* The five limbs of one power of r in every lane, and the multiples by 5 of limbs 1-4. */
#define BROADCAST_POWER(p, r0, r1, r2, r3, r4, s1, s2, s3, s4)                                     \
    do {                                                                                           \
        r0 = _mm512_set1_epi64((p)[0]);                                                            \
        r1 = _mm512_set1_epi64((p)[1]);                                                            \
        r2 = _mm512_set1_epi64((p)[2]);                                                            \
        r3 = _mm512_set1_epi64((p)[3]);                                                            \
        r4 = _mm512_set1_epi64((p)[4]);                                                            \
        s1 = _mm512_set1_epi64(5ll * (p)[1]);                                                      \
        s2 = _mm512_set1_epi64(5ll * (p)[2]);                                                      \
        s3 = _mm512_set1_epi64(5ll * (p)[3]);                                                      \
        s4 = _mm512_set1_epi64(5ll * (p)[4]);                                                      \
    } while (0)

/* Limb j of the final powers: lanes hold blocks 0, 4, 1, 5, 2, 6, 3, 7 of the last group,
 * which take r^8, r^4, r^7, r^3, r^6, r^2, r^5, r^1 (p[k] = r^(k+1); _mm512_set_epi64 lists
 * lane 7 first). */
#define FINAL_POWER(p, j)                                                                          \
    _mm512_set_epi64((p)[0][j], (p)[4][j], (p)[1][j], (p)[5][j], (p)[2][j], (p)[6][j], (p)[3][j],  \
                     (p)[7][j])

/* ngroups >= 1 groups of eight blocks. */
AVX512_TARGET
static void blocks_vec(poly1305_ctx *ctx, const uint8_t *in, size_t ngroups)
{
    const __m512i mask26 = _mm512_set1_epi64((long long)M26);
    const __m512i hibit = _mm512_set1_epi64(1ll << 24);
    __m512i r0, r1, r2, r3, r4, s1, s2, s3, s4, q0, q1, q2, q3, q4, t1, t2, t3, t4;
    BROADCAST_POWER(ctx->rpow[7], r0, r1, r2, r3, r4, s1, s2, s3, s4); /* r^8 */
    BROADCAST_POWER(ctx->rpow[8], q0, q1, q2, q3, q4, t1, t2, t3, t4); /* r^16 */
    __m512i h0, h1, h2, h3, h4, m0, m1, m2, m3, m4, n0, n1, n2, n3, n4;

    /* The running accumulator enters lane 0 (the stream of block 0). */
    uint32_t t[5];
    to26(t, ctx->h);
    h0 = _mm512_set_epi64(0, 0, 0, 0, 0, 0, 0, t[0]);
    h1 = _mm512_set_epi64(0, 0, 0, 0, 0, 0, 0, t[1]);
    h2 = _mm512_set_epi64(0, 0, 0, 0, 0, 0, 0, t[2]);
    h3 = _mm512_set_epi64(0, 0, 0, 0, 0, 0, 0, t[3]);
    h4 = _mm512_set_epi64(0, 0, 0, 0, 0, 0, 0, t[4]);

    /* Double steps: (h + A) r^16 + B r^8, then one carry pass. */
    size_t g = 1;
    for (; g + 2 <= ngroups; g += 2, in += 256) {
        LOAD_BLOCKS(in + 128, m0, m1, m2, m3, m4);
        MULMOD(n0, n1, n2, n3, n4, m0, m1, m2, m3, m4, r0, r1, r2, r3, r4, s1, s2, s3, s4);
        LOAD_BLOCKS(in, m0, m1, m2, m3, m4);
        ADD5(h0, h1, h2, h3, h4, m0, m1, m2, m3, m4);
        MULACC(n0, n1, n2, n3, n4, h0, h1, h2, h3, h4, q0, q1, q2, q3, q4, t1, t2, t3, t4);
        h0 = n0;
        h1 = n1;
        h2 = n2;
        h3 = n3;
        h4 = n4;
        REDUCE(h0, h1, h2, h3, h4);
    }
    /* At most one single step is left before the last group. */
    for (; g < ngroups; g++, in += 128) {
        LOAD_BLOCKS(in, m0, m1, m2, m3, m4);
        ADD5(h0, h1, h2, h3, h4, m0, m1, m2, m3, m4);
        MULMOD(m0, m1, m2, m3, m4, h0, h1, h2, h3, h4, r0, r1, r2, r3, r4, s1, s2, s3, s4);
        h0 = m0;
        h1 = m1;
        h2 = m2;
        h3 = m3;
        h4 = m4;
        REDUCE(h0, h1, h2, h3, h4);
    }

    /* Last group: lane k's block takes r^(8 - its position in the group). */
    const uint32_t(*p)[5] = ctx->rpow;
    r0 = FINAL_POWER(p, 0);
    r1 = FINAL_POWER(p, 1);
    r2 = FINAL_POWER(p, 2);
    r3 = FINAL_POWER(p, 3);
    r4 = FINAL_POWER(p, 4);
    s1 = ADD(r1, _mm512_slli_epi64(r1, 2));
    s2 = ADD(r2, _mm512_slli_epi64(r2, 2));
    s3 = ADD(r3, _mm512_slli_epi64(r3, 2));
    s4 = ADD(r4, _mm512_slli_epi64(r4, 2));
    LOAD_BLOCKS(in, m0, m1, m2, m3, m4);
    ADD5(h0, h1, h2, h3, h4, m0, m1, m2, m3, m4);
    MULMOD(m0, m1, m2, m3, m4, h0, h1, h2, h3, h4, r0, r1, r2, r3, r4, s1, s2, s3, s4);
    REDUCE(m0, m1, m2, m3, m4);

    /* Sum the lanes (each limb sum < 2^30) and return to radix 2^44. */
    uint64_t sum[5];
    sum[0] = (uint64_t)_mm512_reduce_add_epi64(m0);
    sum[1] = (uint64_t)_mm512_reduce_add_epi64(m1);
    sum[2] = (uint64_t)_mm512_reduce_add_epi64(m2);
    sum[3] = (uint64_t)_mm512_reduce_add_epi64(m3);
    sum[4] = (uint64_t)_mm512_reduce_add_epi64(m4);
    from26(ctx->h, sum);
    tenon_wipe(sum, sizeof sum);
    tenon_wipe(t, sizeof t);
}

void poly1305_blocks_avx512(poly1305_ctx *ctx, const uint8_t *in, size_t nblocks)
{
    vec_blocks(ctx, in, nblocks, AVX512_MIN_BLOCKS, 2, 8, blocks_vec, poly1305_blocks_avx2);
}

#endif
