/*
 * Poly1305 with AVX-512 IFMA: eight lanes in radix 2^44, sixteen blocks per step
 * (RFC 8439 §2.5).
 *
 * The lane scheme of poly1305_avx512.c (eight interleaved streams, (h + A) r^16 + B r^8 per
 * step, lane k of the last group times r^(8-k)), but the limb products come from VPMADD52LUQ
 * and VPMADD52HUQ, which add the low or the high 52 bits of a 52 x 52-bit product to a 64-bit
 * lane. That fits the portable code's radix 2^44 (limbs of 44, 44 and 42 bits): a product of
 * three limbs by three is nine multiply-adds for each half instead of the 25 multiplications
 * and 25 additions of radix 2^26, and the accumulator and the powers of r need no conversion.
 *
 * Column k (weight 2^44k) collects the low halves of its three products in l_k and the high
 * halves in u_k; a high half has weight 2^(44k + 52) = 2^(44(k+1) + 8), so u_k moves to
 * column k + 1 shifted left by 8, and u_2 (weight 2^140 = 2^132 * 2^8) folds to column 0 times
 * 2^8 * 20 = 5120. As in the portable code, products at 2^132 and above are taken with
 * s_j = 20 r_j (2^132 = 20 mod p).
 *
 * Bounds: limbs entering a product are below 2^46 (a carried accumulator, h0 < 2^44 + 2^17,
 * h1 <= 2^44, h2 < 2^42, plus message limbs below 2^44, 2^44, 2^41), r_j < 2^44 + 2^11 and
 * s_j < 2^49, all below the 2^52 that IFMA reads. In a double step a column sums six low halves
 * (< 2^55) and six high halves (< 2^45 each sum), so l_0 + 5120 u_2 < 2^59 and the 64-bit lanes
 * never overflow. One carry pass per step restores the bounds above.
 */
#include "poly1305.h"

#if TENON_X86_64

#include <immintrin.h>

#include "ct.h"
#include "tenon/crypto.h"

#define M44 ((uint64_t)0xfffffffffff)
#define M42 ((uint64_t)0x3ffffffffff)

/* Below this many blocks the portable code is as fast (no powers of r to make). */
#define IFMA_MIN_BLOCKS 16

#define IFMA_TARGET TENON_TARGET("avx512f,avx512ifma")

#define LO(acc, a, b) _mm512_madd52lo_epu64((acc), (a), (b))
#define HI(acc, a, b) _mm512_madd52hi_epu64((acc), (a), (b))

/* Splits the eight blocks at in[0..127] into 44-bit limbs. As in poly1305_avx512.c the 64-bit
 * lanes hold blocks 0, 4, 1, 5, 2, 6, 3, 7; the 2^128 bit of a whole block is bit 40 of limb
 * 2, ORed in from hib (hibit, or for the AEAD's first group hibit without its empty lanes). */
#define LOAD_BLOCKS(in, hib, m0, m1, m2)                                                           \
    do {                                                                                           \
        __m512i a_ = _mm512_loadu_si512((const void *)(in));                                       \
        __m512i b_ = _mm512_loadu_si512((const void *)((in) + 64));                                \
        __m512i lo_ = _mm512_unpacklo_epi64(a_, b_);                                               \
        __m512i hi_ = _mm512_unpackhi_epi64(a_, b_);                                               \
        m0 = _mm512_and_si512(lo_, mask44);                                                        \
        m1 = _mm512_and_si512(                                                                     \
            _mm512_or_si512(_mm512_srli_epi64(lo_, 44), _mm512_slli_epi64(hi_, 20)), mask44);      \
        m2 = _mm512_or_si512(_mm512_srli_epi64(hi_, 24), hib);                                     \
    } while (0)

/* l += low halves, u += high halves of the columns of h * r (s_j = 20 r_j). */
#define MULACC(l0, l1, l2, u0, u1, u2, h0, h1, h2, r0, r1, r2, s1, s2)                             \
    do {                                                                                           \
        l0 = LO(l0, h0, r0);                                                                       \
        u0 = HI(u0, h0, r0);                                                                       \
        l1 = LO(l1, h0, r1);                                                                       \
        u1 = HI(u1, h0, r1);                                                                       \
        l2 = LO(l2, h0, r2);                                                                       \
        u2 = HI(u2, h0, r2);                                                                       \
        l0 = LO(l0, h1, s2);                                                                       \
        u0 = HI(u0, h1, s2);                                                                       \
        l1 = LO(l1, h1, r0);                                                                       \
        u1 = HI(u1, h1, r0);                                                                       \
        l2 = LO(l2, h1, r1);                                                                       \
        u2 = HI(u2, h1, r1);                                                                       \
        l0 = LO(l0, h2, s1);                                                                       \
        u0 = HI(u0, h2, s1);                                                                       \
        l1 = LO(l1, h2, s2);                                                                       \
        u1 = HI(u1, h2, s2);                                                                       \
        l2 = LO(l2, h2, r0);                                                                       \
        u2 = HI(u2, h2, r0);                                                                       \
    } while (0)

/* h = the columns l, u recombined and carried: h0 < 2^44 + 2^17, h1 <= 2^44, h2 < 2^42. */
#define CARRY(h0, h1, h2, l0, l1, l2, u0, u1, u2)                                                  \
    do {                                                                                           \
        h0 = _mm512_add_epi64(                                                                     \
            l0, _mm512_add_epi64(_mm512_slli_epi64(u2, 12), _mm512_slli_epi64(u2, 10)));           \
        h1 = _mm512_add_epi64(l1, _mm512_slli_epi64(u0, 8));                                       \
        h2 = _mm512_add_epi64(l2, _mm512_slli_epi64(u1, 8));                                       \
        h1 = _mm512_add_epi64(h1, _mm512_srli_epi64(h0, 44));                                      \
        h0 = _mm512_and_si512(h0, mask44);                                                         \
        h2 = _mm512_add_epi64(h2, _mm512_srli_epi64(h1, 44));                                      \
        h1 = _mm512_and_si512(h1, mask44);                                                         \
        __m512i c_ = _mm512_srli_epi64(h2, 42);                                                    \
        h2 = _mm512_and_si512(h2, mask42);                                                         \
        h0 = _mm512_add_epi64(h0, _mm512_add_epi64(c_, _mm512_slli_epi64(c_, 2)));                 \
    } while (0)

/* One group of eight blocks: h = (h + the blocks at in) * r (the power in r0..s2), carried. */
#define STEP(in, hib)                                                                              \
    do {                                                                                           \
        l0 = l1 = l2 = u0 = u1 = u2 = zero;                                                        \
        LOAD_BLOCKS(in, hib, m0, m1, m2);                                                          \
        h0 = _mm512_add_epi64(h0, m0);                                                             \
        h1 = _mm512_add_epi64(h1, m1);                                                             \
        h2 = _mm512_add_epi64(h2, m2);                                                             \
        MULACC(l0, l1, l2, u0, u1, u2, h0, h1, h2, r0, r1, r2, s1, s2);                            \
        CARRY(h0, h1, h2, l0, l1, l2, u0, u1, u2);                                                 \
    } while (0)

/* The three limbs of a power of r in every lane, and 20 times limbs 1 and 2. */
#define BROADCAST_POWER(p, r0, r1, r2, s1, s2)                                                     \
    do {                                                                                           \
        r0 = _mm512_set1_epi64((long long)(p)[0]);                                                 \
        r1 = _mm512_set1_epi64((long long)(p)[1]);                                                 \
        r2 = _mm512_set1_epi64((long long)(p)[2]);                                                 \
        s1 = _mm512_set1_epi64((long long)(20 * (p)[1]));                                          \
        s2 = _mm512_set1_epi64((long long)(20 * (p)[2]));                                          \
    } while (0)

/* Limb j of the last group's powers: lanes hold blocks 0, 4, 1, 5, 2, 6, 3, 7, which take r^8,
 * r^4, r^7, r^3, r^6, r^2, r^5, r^1 (_mm512_set_epi64 lists lane 7 first). */
#define FINAL_POWER(p, j)                                                                          \
    _mm512_set_epi64((long long)(p)[0][j], (long long)(p)[4][j], (long long)(p)[1][j],             \
                     (long long)(p)[5][j], (long long)(p)[2][j], (long long)(p)[6][j],             \
                     (long long)(p)[3][j], (long long)(p)[7][j])

/* Where the groups of eight blocks come from: up to three runs of consecutive groups (the
 * AEAD's gathered first groups, the ciphertext in place, its gathered last group). */
typedef struct group_runs {
    const uint8_t *at[3];
    size_t n[3];
} group_runs;

/* The 128 bytes of group g. The branches depend only on the lengths. */
static inline const uint8_t *group_at(const group_runs *runs, size_t g)
{
    if (g < runs->n[0])
        return runs->at[0] + 128 * g;
    g -= runs->n[0];
    if (g < runs->n[1])
        return runs->at[1] + 128 * g;
    return runs->at[2] + 128 * (g - runs->n[1]);
}

/* ngroups >= 1 groups of eight blocks from runs; the first `empty` blocks (fewer than eight)
 * are zero blocks without the 2^128 bit, which leave an accumulator of 0 at 0. */
IFMA_TARGET
static void blocks_vec(poly1305_ctx *ctx, const group_runs *runs, size_t ngroups, unsigned empty)
{
    const __m512i mask44 = _mm512_set1_epi64((long long)M44);
    const __m512i mask42 = _mm512_set1_epi64((long long)M42);
    const __m512i hibit = _mm512_set1_epi64(1ll << 40);
    const __m512i zero = _mm512_setzero_si512();
    /* Lane L holds block (L & 1) * 4 + L / 2 of its group (LOAD_BLOCKS). */
    __mmask8 full = 0;
    for (unsigned lane = 0; lane < 8; lane++)
        full |= (__mmask8)(((lane & 1) * 4 + lane / 2 >= empty) << lane);
    __m512i hib0 = _mm512_maskz_mov_epi64(full, hibit); /* the first group's */
    __m512i r0, r1, r2, s1, s2, q0, q1, q2, t1, t2;
    BROADCAST_POWER(ctx->rpow44[7], r0, r1, r2, s1, s2); /* r^8 */
    BROADCAST_POWER(ctx->rpow44[8], q0, q1, q2, t1, t2); /* r^16 */
    __m512i h0, h1, h2, m0, m1, m2, l0, l1, l2, u0, u1, u2;

    /* The running accumulator enters lane 0 (the stream of block 0). */
    h0 = _mm512_set_epi64(0, 0, 0, 0, 0, 0, 0, (long long)ctx->h[0]);
    h1 = _mm512_set_epi64(0, 0, 0, 0, 0, 0, 0, (long long)ctx->h[1]);
    h2 = _mm512_set_epi64(0, 0, 0, 0, 0, 0, 0, (long long)ctx->h[2]);

    /* Double steps: (h + A) r^16 + B r^8, then one carry pass. */
    size_t g = 0;
    for (; g + 3 <= ngroups; g += 2) {
        l0 = l1 = l2 = u0 = u1 = u2 = zero;
        LOAD_BLOCKS(group_at(runs, g + 1), hibit, m0, m1, m2);
        MULACC(l0, l1, l2, u0, u1, u2, m0, m1, m2, r0, r1, r2, s1, s2);
        LOAD_BLOCKS(group_at(runs, g), hib0, m0, m1, m2);
        hib0 = hibit;
        h0 = _mm512_add_epi64(h0, m0);
        h1 = _mm512_add_epi64(h1, m1);
        h2 = _mm512_add_epi64(h2, m2);
        MULACC(l0, l1, l2, u0, u1, u2, h0, h1, h2, q0, q1, q2, t1, t2);
        CARRY(h0, h1, h2, l0, l1, l2, u0, u1, u2);
    }
    /* At most one single step is left before the last group. */
    for (; g + 1 < ngroups; g++) {
        STEP(group_at(runs, g), hib0);
        hib0 = hibit;
    }

    /* Last group: each lane's block takes r^(8 - its position in the group). */
    const uint64_t(*p)[3] = ctx->rpow44;
    r0 = FINAL_POWER(p, 0);
    r1 = FINAL_POWER(p, 1);
    r2 = FINAL_POWER(p, 2);
    s1 = _mm512_add_epi64(_mm512_slli_epi64(r1, 4), _mm512_slli_epi64(r1, 2)); /* 20 r1 */
    s2 = _mm512_add_epi64(_mm512_slli_epi64(r2, 4), _mm512_slli_epi64(r2, 2));
    STEP(group_at(runs, g), hib0);

    /* Sum the lanes (each limb sum < 2^48) and carry into the portable code's bounds. */
    uint64_t a0 = (uint64_t)_mm512_reduce_add_epi64(h0);
    uint64_t a1 = (uint64_t)_mm512_reduce_add_epi64(h1);
    uint64_t a2 = (uint64_t)_mm512_reduce_add_epi64(h2);
    a1 += a0 >> 44;
    a0 &= M44;
    a2 += a1 >> 44;
    a1 &= M44;
    a0 += (a2 >> 42) * 5;
    a2 &= M42;
    a1 += a0 >> 44;
    a0 &= M44;
    ctx->h[0] = a0;
    ctx->h[1] = a1;
    ctx->h[2] = a2;
}

static void ensure_powers(poly1305_ctx *ctx)
{
    if (!ctx->rpow44_ready) {
        poly1305_powers44(ctx->rpow44, ctx->r);
        ctx->rpow44_ready = 1;
    }
}

void poly1305_blocks_ifma(poly1305_ctx *ctx, const uint8_t *in, size_t nblocks)
{
    if (nblocks < IFMA_MIN_BLOCKS) {
        poly1305_blocks_portable(ctx, in, nblocks);
        return;
    }
    ensure_powers(ctx);
    size_t ngroups = nblocks / 8;
    const group_runs runs = {{in, NULL, NULL}, {ngroups, 0, 0}};
    blocks_vec(ctx, &runs, ngroups, 0);
    if (nblocks % 8 != 0)
        poly1305_blocks_portable(ctx, in + ngroups * 128, nblocks % 8);
}

/* The AEAD's blocks (RFC 8439 §2.8) as one stream: `empty` zero blocks first, so that the
 * count is a multiple of eight (they leave the fresh accumulator at 0), then the padded AAD,
 * the ciphertext, its padded last partial block and the lengths. The groups that mix these
 * are gathered into two small buffers; the ciphertext between them is read in place. */
int poly1305_aead_ifma(poly1305_ctx *ctx, const uint8_t *aad, size_t aad_len, const uint8_t *ct,
                       size_t ct_len)
{
    const size_t na = (aad_len + 15) / 16, nc = ct_len / 16, nt = ct_len % 16 != 0;
    const size_t total = na + nc + nt + 1;
    const size_t empty = (8 - total % 8) % 8;
    const size_t head = empty + na <= 8 ? 8 : 16; /* blocks in the head buffer */
    if (na > 8 || total < IFMA_MIN_BLOCKS || nc < head - empty - na + 7 - nt)
        return 0;
    const size_t ct_head = head - empty - na;     /* ciphertext blocks in the head */
    const size_t ct_tail = 7 - nt;                /* whole ciphertext blocks in the tail */
    const size_t ct_mid = nc - ct_head - ct_tail; /* a multiple of 8 */
    uint8_t hbuf[16 * 16], tbuf[8 * 16];
    memset(hbuf, 0, head * 16);
    if (aad_len > 0)
        memcpy(hbuf + empty * 16, aad, aad_len);
    memcpy(hbuf + (empty + na) * 16, ct, ct_head * 16);
    const uint8_t *rest = ct + (ct_head + ct_mid) * 16;
    memcpy(tbuf, rest, ct_tail * 16);
    if (nt) {
        memset(tbuf + ct_tail * 16, 0, 16);
        memcpy(tbuf + ct_tail * 16, rest + ct_tail * 16, ct_len % 16);
    }
    /* RFC 8439 §2.8: the AAD and ciphertext lengths, 64-bit little-endian. */
    store_le64(tbuf + 7 * 16, (uint64_t)aad_len);
    store_le64(tbuf + 7 * 16 + 8, (uint64_t)ct_len);

    ensure_powers(ctx);
    const group_runs runs = {{hbuf, ct + ct_head * 16, tbuf}, {head / 8, ct_mid / 8, 1}};
    /* The buffers hold only the AAD, ciphertext and lengths, all public: no wipe. */
    blocks_vec(ctx, &runs, head / 8 + ct_mid / 8 + 1, (unsigned)empty);
    return 1;
}

#endif
