/*
 * Poly1305 with AVX2: eight blocks per step (RFC 8439 §2.5).
 *
 * Horner's rule Acc = (Acc + m) * r is inherently serial, so the message is split into four
 * interleaved streams (blocks 4t, 4t+1, 4t+2, 4t+3), each with its own accumulator in one
 * 64-bit lane and each multiplied by r^4 per step. In the last step lane k is multiplied by
 * r^(4-k) instead, so the sum of the four lanes is exactly the serial result:
 *
 *   block i of n (n a multiple of 4) is multiplied by r^(4(n/4 - 1 - t)) * r^(4-k) = r^(n-i)
 *   with i = 4t + k, as in the serial evaluation.
 *
 * The main loop takes two of those steps at once: with A and B the next two groups of four
 * blocks, ((h + A) r^4 + B) r^4 = (h + A) r^8 + B r^4. The products are summed before any
 * carrying, so the carry chain -- the longest part of a step's latency -- runs once per eight
 * blocks rather than once per four, and B r^4, which does not depend on h, overlaps the
 * previous step.
 *
 * (The scheme of Goll and Gueron, "Vectorization of Poly1305 message authentication code".)
 *
 * Arithmetic is radix 2^26 so that VPMULUDQ (32x32 -> 64 bits per lane) can form the limb
 * products: with limbs below 2^28 and r-limbs times 5 below 2^29, each of the five column sums
 * stays below 2^60, even with the ten products of a double step (below 2^59). Carries are
 * propagated once per step, in two interleaved chains, which leaves every limb below
 * 2^26 + 2^11 -- enough headroom for the next message limbs.
 */
#include "poly1305.h"

#if TENON_X86_64

#include <immintrin.h>

#include "tenon/crypto.h"

#define VEC __m256i
#define V_MUL _mm256_mul_epu32
#define V_ADD _mm256_add_epi64
#define V_AND _mm256_and_si256
#define V_SRLI _mm256_srli_epi64
#define V_SLLI _mm256_slli_epi64
#define V_REG "x"
#include "poly1305_vec.h"

/* Below this many blocks the fixed costs (the powers of r, the conversions, the final
 * horizontal sum) outweigh the gain; the portable code does it. */
#define AVX2_MIN_BLOCKS 16

/* Splits blocks at in[0..63] into 26-bit limbs. The 64-bit unpacks work within 128-bit
 * halves, so the lanes hold blocks 0, 2, 1, 3 (in that order); only the final powers need to
 * know. The 2^128 bit of each whole block is bit 24 of limb 4. */
#define LOAD_BLOCKS(in, m0, m1, m2, m3, m4)                                                        \
    do {                                                                                           \
        __m256i a_ = _mm256_loadu_si256((const __m256i *)(const void *)(in));                      \
        __m256i b_ = _mm256_loadu_si256((const __m256i *)(const void *)((in) + 32));               \
        __m256i lo_ = _mm256_unpacklo_epi64(a_, b_);                                               \
        __m256i hi_ = _mm256_unpackhi_epi64(a_, b_);                                               \
        m0 = _mm256_and_si256(lo_, mask26);                                                        \
        m1 = _mm256_and_si256(_mm256_srli_epi64(lo_, 26), mask26);                                 \
        m2 = _mm256_and_si256(                                                                     \
            _mm256_or_si256(_mm256_srli_epi64(lo_, 52), _mm256_slli_epi64(hi_, 12)), mask26);      \
        m3 = _mm256_and_si256(_mm256_srli_epi64(hi_, 14), mask26);                                 \
        m4 = _mm256_or_si256(_mm256_srli_epi64(hi_, 40), hibit);                                   \
    } while (0)

/* ngroups >= 1 groups of four blocks. */
TENON_TARGET("avx2")
static void blocks_vec(poly1305_ctx *ctx, const uint8_t *in, size_t ngroups)
{
    const __m256i mask26 = _mm256_set1_epi64x((long long)M26);
    const __m256i hibit = _mm256_set1_epi64x(1ll << 24);
    const uint32_t *p4 = ctx->rpow[3], *p8 = ctx->rpow[7];
    __m256i r0 = _mm256_set1_epi64x(p4[0]), r1 = _mm256_set1_epi64x(p4[1]);
    __m256i r2 = _mm256_set1_epi64x(p4[2]), r3 = _mm256_set1_epi64x(p4[3]);
    __m256i r4 = _mm256_set1_epi64x(p4[4]);
    __m256i s1 = _mm256_set1_epi64x(5ll * p4[1]), s2 = _mm256_set1_epi64x(5ll * p4[2]);
    __m256i s3 = _mm256_set1_epi64x(5ll * p4[3]), s4 = _mm256_set1_epi64x(5ll * p4[4]);
    const __m256i q0 = _mm256_set1_epi64x(p8[0]), q1 = _mm256_set1_epi64x(p8[1]);
    const __m256i q2 = _mm256_set1_epi64x(p8[2]), q3 = _mm256_set1_epi64x(p8[3]);
    const __m256i q4 = _mm256_set1_epi64x(p8[4]);
    const __m256i t1 = _mm256_set1_epi64x(5ll * p8[1]), t2 = _mm256_set1_epi64x(5ll * p8[2]);
    const __m256i t3 = _mm256_set1_epi64x(5ll * p8[3]), t4 = _mm256_set1_epi64x(5ll * p8[4]);
    __m256i h0, h1, h2, h3, h4, m0, m1, m2, m3, m4, n0, n1, n2, n3, n4;

    /* The running accumulator enters lane 0 (the stream of block 0). */
    uint32_t t[5];
    to26(t, ctx->h);
    h0 = _mm256_set_epi64x(0, 0, 0, t[0]);
    h1 = _mm256_set_epi64x(0, 0, 0, t[1]);
    h2 = _mm256_set_epi64x(0, 0, 0, t[2]);
    h3 = _mm256_set_epi64x(0, 0, 0, t[3]);
    h4 = _mm256_set_epi64x(0, 0, 0, t[4]);

    /* Double steps: (h + A) r^8 + B r^4, then one carry pass. */
    size_t g = 1;
    for (; g + 2 <= ngroups; g += 2, in += 128) {
        LOAD_BLOCKS(in + 64, m0, m1, m2, m3, m4);
        MULMOD(n0, n1, n2, n3, n4, m0, m1, m2, m3, m4, r0, r1, r2, r3, r4, s1, s2, s3, s4);
        LOAD_BLOCKS(in, m0, m1, m2, m3, m4);
        h0 = ADD(h0, m0);
        h1 = ADD(h1, m1);
        h2 = ADD(h2, m2);
        h3 = ADD(h3, m3);
        h4 = ADD(h4, m4);
        MULACC(n0, n1, n2, n3, n4, h0, h1, h2, h3, h4, q0, q1, q2, q3, q4, t1, t2, t3, t4);
        h0 = n0;
        h1 = n1;
        h2 = n2;
        h3 = n3;
        h4 = n4;
        REDUCE(h0, h1, h2, h3, h4);
    }
    /* At most one single step is left before the last group. */
    for (; g < ngroups; g++, in += 64) {
        LOAD_BLOCKS(in, m0, m1, m2, m3, m4);
        h0 = ADD(h0, m0);
        h1 = ADD(h1, m1);
        h2 = ADD(h2, m2);
        h3 = ADD(h3, m3);
        h4 = ADD(h4, m4);
        MULMOD(m0, m1, m2, m3, m4, h0, h1, h2, h3, h4, r0, r1, r2, r3, r4, s1, s2, s3, s4);
        h0 = m0;
        h1 = m1;
        h2 = m2;
        h3 = m3;
        h4 = m4;
        REDUCE(h0, h1, h2, h3, h4);
    }

    /* Last group: lanes hold blocks 0, 2, 1, 3 of it, which take r^4, r^2, r^3, r^1. */
    const uint32_t(*p)[5] = ctx->rpow;
    r0 = _mm256_set_epi64x(p[0][0], p[2][0], p[1][0], p[3][0]);
    r1 = _mm256_set_epi64x(p[0][1], p[2][1], p[1][1], p[3][1]);
    r2 = _mm256_set_epi64x(p[0][2], p[2][2], p[1][2], p[3][2]);
    r3 = _mm256_set_epi64x(p[0][3], p[2][3], p[1][3], p[3][3]);
    r4 = _mm256_set_epi64x(p[0][4], p[2][4], p[1][4], p[3][4]);
    s1 = ADD(r1, _mm256_slli_epi64(r1, 2));
    s2 = ADD(r2, _mm256_slli_epi64(r2, 2));
    s3 = ADD(r3, _mm256_slli_epi64(r3, 2));
    s4 = ADD(r4, _mm256_slli_epi64(r4, 2));
    LOAD_BLOCKS(in, m0, m1, m2, m3, m4);
    h0 = ADD(h0, m0);
    h1 = ADD(h1, m1);
    h2 = ADD(h2, m2);
    h3 = ADD(h3, m3);
    h4 = ADD(h4, m4);
    MULMOD(m0, m1, m2, m3, m4, h0, h1, h2, h3, h4, r0, r1, r2, r3, r4, s1, s2, s3, s4);
    REDUCE(m0, m1, m2, m3, m4);

    /* Sum the lanes (each limb sum < 2^29) and return to radix 2^44. */
    uint64_t lanes[5][4], sum[5];
    _mm256_storeu_si256((__m256i *)(void *)lanes[0], m0);
    _mm256_storeu_si256((__m256i *)(void *)lanes[1], m1);
    _mm256_storeu_si256((__m256i *)(void *)lanes[2], m2);
    _mm256_storeu_si256((__m256i *)(void *)lanes[3], m3);
    _mm256_storeu_si256((__m256i *)(void *)lanes[4], m4);
    for (int j = 0; j < 5; j++)
        sum[j] = lanes[j][0] + lanes[j][1] + lanes[j][2] + lanes[j][3];
    from26(ctx->h, sum);
    tenon_wipe(lanes, sizeof lanes);
    tenon_wipe(sum, sizeof sum);
    tenon_wipe(t, sizeof t);
}

void poly1305_blocks_avx2(poly1305_ctx *ctx, const uint8_t *in, size_t nblocks)
{
    vec_blocks(ctx, in, nblocks, AVX2_MIN_BLOCKS, 1, 4, blocks_vec, poly1305_blocks_portable);
}

#endif
