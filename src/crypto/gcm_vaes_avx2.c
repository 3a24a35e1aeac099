/*
 * AES-GCM (SP 800-38D) with VAES and VPCLMULQDQ on 256-bit registers (AVX2, no AVX-512).
 *
 * A ymm register holds two blocks, and VAESENC / VPCLMULQDQ work on both 128-bit lanes at once,
 * so one instruction does the work of two AES-NI or PCLMULQDQ instructions. Data moves in
 * batches of 16 blocks (8 ymm): eight independent AES chains over the counter blocks, and GHASH
 * of 16 blocks accumulated unreduced against the powers H^16..H^1 and reduced once per batch
 * (aggregated reduction, the §6.4 recurrence unrolled 16 times), Karatsuba style (three
 * carry-less multiplications per block).
 *
 * Both directions are stitched: the GHASH of a batch runs between the AES rounds of another
 * (sealing: batch i during batch i + 1; opening: batch i during batch i), so the two can
 * overlap on cores that execute them on different ports (Intel's). On Zen 3, AES and carry-less
 * multiplication share pipes (a VPCLMULQDQ ymm issues once per two cycles, a VAESENC ymm twice
 * per cycle), so there stitching gains less.
 *
 * Where the time goes (Ice Lake, AVX-512 masked off, AES-128, TSC ticks; the core runs about
 * 1.2 ticks' worth of cycles per tick): the CTR part alone about 0.19 ticks/byte, the GHASH
 * part alone about 0.19, both stitched about 0.28. A batch is 80 VAESENC ymm (two ports), 26
 * VPCLMULQDQ ymm (one port, two cycles each: 52 cycles, the largest single demand) and some
 * 85 other vector operations (counters, byte swaps, XOR accumulation, the reduction, the
 * input XOR), which have only the three vector ports left: about 72 cycles if perfectly
 * packed, some 88 measured. So the loop keeps the other operations few (counters built in
 * block form, XOR-ed into the last round key rather than after it, two pairs' Karatsuba
 * operands from one XOR) and issues the GHASH first, the AES rounds filling in around it.
 *
 * With 16 architectural ymm registers, the eight AES states, three accumulators and the
 * temporaries fill the register file; round keys and powers come straight from the context as
 * memory operands, which is why they are stored there pre-broadcast / in pairs (gcm.h).
 *
 * The field representation and the Montgomery reduction are those of gcm.h; nothing depends
 * on the key or the data in a branch or an address.
 */
#include "../common.h"
#include "aead_impls.h"
#include "ct.h"
#include "gcm.h"

#if TENON_X86_64
#include <immintrin.h>

#define GCM_VAES TENON_TARGET("aes,pclmul,avx,avx2,vaes,vpclmulqdq")

/* One bulk iteration: 16 blocks. */
#define BATCH 256

static const gcm_x86_key *get_key(const tenon_aead_ctx *ctx)
{
    return (const gcm_x86_key *)(uintptr_t)ctx->state;
}

GCM_VAES static inline __m128i bswap128(__m128i x)
{
    return _mm_shuffle_epi8(x, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

/* Reverses the bytes of each 128-bit lane: two blocks between block and integer form. */
GCM_VAES static inline __m256i bswap256(__m256i x)
{
    const __m256i m = _mm256_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2,
                                      3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    return _mm256_shuffle_epi8(x, m);
}

GCM_VAES static inline __m256i load256(const uint8_t *p)
{
    return _mm256_loadu_si256((const __m256i *)(const void *)p);
}

GCM_VAES static inline void store256(uint8_t *p, __m256i v)
{
    _mm256_storeu_si256((__m256i *)(void *)p, v);
}

/* gcm_load_partial and gcm_store_partial (gcm.h) on a register. */
GCM_VAES static inline __m128i load_partial(const uint8_t *p, size_t len)
{
    uint64_t w[2];
    gcm_load_partial(w, p, len);
    return _mm_set_epi64x((long long)w[1], (long long)w[0]);
}

GCM_VAES static inline void store_partial(uint8_t *p, __m128i v, size_t len)
{
    const uint64_t w[2] = {(uint64_t)_mm_cvtsi128_si64(v), (uint64_t)_mm_extract_epi64(v, 1)};
    gcm_store_partial(p, w, len);
}

/* The low len < 16 bytes all ones, the others zero. */
GCM_VAES static inline __m128i low_bytes(size_t len)
{
    static const uint8_t ones_then_zeros[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    return _mm_loadu_si128((const __m128i *)(const void *)(ones_then_zeros + 16 - len));
}

/* The key is in the caller's context, which may sit at any 8-byte aligned address (malloc):
 * unaligned loads only. VEX-encoded instructions take unaligned memory operands, so these
 * still fold into VAESENC / VPCLMULQDQ. */
GCM_VAES static inline __m256i rk256(const gcm_x86_key *k, unsigned r)
{
    return _mm256_loadu_si256((const __m256i *)(const void *)k->rk[r]);
}

GCM_VAES static inline __m128i rk128(const gcm_x86_key *k, unsigned r)
{
    return _mm_loadu_si128((const __m128i *)(const void *)k->rk[r]);
}

/* Montgomery reduction by y^128 (gcm.h). */
GCM_VAES static inline __m128i reduce(__m128i lo, __m128i hi)
{
    const __m128i c = _mm_set_epi64x(0, (long long)GCM_RED_CONST);
    __m128i t = _mm_clmulepi64_si128(lo, c, 0x00);
    lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4e), t);
    t = _mm_clmulepi64_si128(lo, c, 0x00);
    lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4e), t);
    return _mm_xor_si128(hi, lo);
}

/* Completes Karatsuba in each lane, adds the two lanes and reduces (in that order, two lane
 * extractions instead of three). */
GCM_VAES static inline __m128i fold(__m256i lo2, __m256i hi2, __m256i mid2)
{
    mid2 = _mm256_xor_si256(mid2, _mm256_xor_si256(lo2, hi2));
    lo2 = _mm256_xor_si256(lo2, _mm256_bslli_epi128(mid2, 8));
    hi2 = _mm256_xor_si256(hi2, _mm256_bsrli_epi128(mid2, 8));
    const __m128i lo = _mm_xor_si128(_mm256_castsi256_si128(lo2), _mm256_extracti128_si256(lo2, 1));
    const __m128i hi = _mm_xor_si128(_mm256_castsi256_si128(hi2), _mm256_extracti128_si256(hi2, 1));
    return reduce(lo, hi);
}

/* XOR is associative, and left alone the compiler turns each running sum into a tree whose
 * leaves (every partial product) are all alive at once, spilling them out of the 16 ymm
 * registers. An empty asm on the accumulator after each step keeps the sums running. */
#define ACC_BARRIER(v) __asm__("" : "+x"(v))

/* Accumulates the products of the two integer-form blocks in d by the powers at hpow[i] and
 * hpow[i + 1] (Karatsuba: low, high and middle products, all unreduced). */
#define GH_ACC(d, i)                                                                               \
    do {                                                                                           \
        const __m256i h_ = load256(k->hpow[(i)]);                                                  \
        lo = _mm256_xor_si256(lo, _mm256_clmulepi64_epi128((d), h_, 0x00));                        \
        hi = _mm256_xor_si256(hi, _mm256_clmulepi64_epi128((d), h_, 0x11));                        \
        const __m256i m_ = _mm256_xor_si256((d), _mm256_shuffle_epi32((d), 0x4e));                 \
        mid = _mm256_xor_si256(mid, _mm256_clmulepi64_epi128(m_, load256(k->hkar[(i)]), 0x00));    \
        ACC_BARRIER(lo);                                                                           \
        ACC_BARRIER(hi);                                                                           \
        ACC_BARRIER(mid);                                                                          \
    } while (0)

/* GH_ACC for one integer-form block d by the power at hpow[i], in the low lanes. */
#define GH_ACC1(d, i)                                                                              \
    do {                                                                                           \
        const __m128i d_ = (d);                                                                    \
        const __m128i h_ = _mm_loadu_si128((const __m128i *)(const void *)k->hpow[(i)]);           \
        const __m128i hk_ = _mm_loadu_si128((const __m128i *)(const void *)k->hkar[(i)]);          \
        const __m128i m_ = _mm_xor_si128(d_, _mm_shuffle_epi32(d_, 0x4e));                         \
        lo = _mm256_xor_si256(lo, _mm256_zextsi128_si256(_mm_clmulepi64_si128(d_, h_, 0x00)));     \
        hi = _mm256_xor_si256(hi, _mm256_zextsi128_si256(_mm_clmulepi64_si128(d_, h_, 0x11)));     \
        mid = _mm256_xor_si256(mid, _mm256_zextsi128_si256(_mm_clmulepi64_si128(m_, hk_, 0x00)));  \
    } while (0)

/* §6.4 over n whole blocks (1 <= n <= 16), one reduction: block j takes H^(n - j). An odd
 * first block goes alone through the low lane. The products that involve y (the first block)
 * are accumulated last, so that the others need not wait for the previous reduction. */
GCM_VAES static __m128i ghash_n(const gcm_x86_key *k, __m128i y, const uint8_t *p, size_t n)
{
    __m256i lo = _mm256_setzero_si256(), hi = lo, mid = lo;
    const size_t i = GCM_X86_POWERS - n, odd = n & 1;
    for (size_t j = odd + 2; j < n; j += 2) {
        const __m256i d = bswap256(load256(p + 16 * j));
        GH_ACC(d, i + j);
    }
    if (odd) {
        if (n > 1) {
            const __m256i d2 = bswap256(load256(p + 16));
            GH_ACC(d2, i + 1);
        }
        __m128i d = _mm_xor_si128(bswap128(_mm_loadu_si128((const __m128i *)(const void *)p)), y);
        __m128i h = _mm_loadu_si128((const __m128i *)(const void *)k->hpow[i]);
        __m128i hk = _mm_loadu_si128((const __m128i *)(const void *)k->hkar[i]);
        __m128i m = _mm_xor_si128(d, _mm_shuffle_epi32(d, 0x4e));
        lo = _mm256_xor_si256(lo, _mm256_zextsi128_si256(_mm_clmulepi64_si128(d, h, 0x00)));
        hi = _mm256_xor_si256(hi, _mm256_zextsi128_si256(_mm_clmulepi64_si128(d, h, 0x11)));
        mid = _mm256_xor_si256(mid, _mm256_zextsi128_si256(_mm_clmulepi64_si128(m, hk, 0x00)));
    } else {
        const __m256i d = _mm256_xor_si256(bswap256(load256(p)), _mm256_zextsi128_si256(y));
        GH_ACC(d, i);
    }
    return fold(lo, hi, mid);
}

/* GHASH over len bytes in integer form, the last partial block zero-padded. */
GCM_VAES static __m128i ghash_bytes(const gcm_x86_key *k, __m128i y, const uint8_t *p, size_t len)
{
    while (len >= BATCH) {
        y = ghash_n(k, y, p, 16);
        p += BATCH;
        len -= BATCH;
    }
    if (len >= 16) {
        y = ghash_n(k, y, p, len / 16);
        p += len & ~(size_t)15;
        len &= 15;
    }
    if (len > 0) {
        /* The partial block in a register (load_partial), zero-padded: y = (y ^ d) H. */
        __m256i lo = _mm256_setzero_si256(), hi = lo, mid = lo;
        GH_ACC1(_mm_xor_si128(bswap128(load_partial(p, len)), y), GCM_X86_POWERS - 1);
        y = fold(lo, hi, mid);
    }
    return y;
}

/* gcm_ghash_fn for J0 (gcm_derive_j0). */
GCM_VAES static void ghash_fn(const void *key, uint8_t y[16], const uint8_t *data, size_t len)
{
    __m128i v = bswap128(_mm_loadu_si128((const __m128i *)(void *)y));
    v = ghash_bytes(key, v, data, len);
    _mm_storeu_si128((__m128i *)(void *)y, bswap128(v));
}

GCM_VAES static inline __m128i encrypt1(const gcm_x86_key *k, __m128i b)
{
    b = _mm_xor_si128(b, rk128(k, 0));
    for (unsigned r = 1; r < k->rounds; r++)
        b = _mm_aesenc_si128(b, rk128(k, r));
    return _mm_aesenclast_si128(b, rk128(k, k->rounds));
}

/* ---- CTR (§6.5 GCTR with inc32) -------------------------------------------------------------
 * Counters in integer form: the counter field is the low dword of each lane, and inc32 a
 * 32-bit addition that wraps as §6.2 requires. c01 holds (ctr, ctr + 1) in its two lanes. */

#define REP8(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7)

/* b_j = the counter pair j (blocks 2j, 2j + 1 of the batch) XOR the first round key: from the
 * pair c01 in integer form, or (CTR_SET_BE) from the pair cbe in block form, the increments
 * then going straight into the last byte (the top byte of each lane's last dword), valid
 * while it does not carry. */
#define CTR_SET(j)                                                                                 \
    b##j = _mm256_xor_si256(                                                                       \
        bswap256(_mm256_add_epi32(c01, _mm256_set_epi32(0, 0, 0, 2 * j, 0, 0, 0, 2 * j))), rk0);
#define CTR_SET_BE(j)                                                                              \
    b##j = _mm256_xor_si256(                                                                       \
        _mm256_add_epi32(cbe, _mm256_set_epi32((2 * j + 1) << 24, 0, 0, 0, 2 * j << 24, 0, 0, 0)), \
        rk0);
/* With the counter's last byte 16a + 2 (every batch of a 96-bit nonce's message: the counters
 * start at 2) blocks 0..13 of the batch differ from it only in the low four bits, by 2 ^ (2 + n):
 * XORed into cbe ^ rk0 computed once, one operation a pair instead of two. */
#define CTR_SET_X(j)                                                                               \
    b##j = _mm256_xor_si256(                                                                       \
        cx, _mm256_set_epi32((2 ^ (3 + 2 * j)) << 24, 0, 0, 0, (2 ^ (2 + 2 * j)) << 24, 0, 0, 0));
#define DECL_B(j) __m256i b##j;
#define ENC_ROUND_J(j) b##j = _mm256_aesenc_epi128(b##j, rk_);
#define ENC_LAST_J(j) b##j = _mm256_aesenclast_epi128(b##j, rk_);
#define ENC_ROUND(r)                                                                               \
    do {                                                                                           \
        const __m256i rk_ = rk256(k, (r));                                                         \
        REP8(ENC_ROUND_J)                                                                          \
    } while (0)
#define ENC_LAST()                                                                                 \
    do {                                                                                           \
        const __m256i rk_ = rk256(k, k->rounds);                                                   \
        REP8(ENC_LAST_J)                                                                           \
    } while (0)
#define XOR_STORE(j) store256(out + 32 * j, _mm256_xor_si256(b##j, load256(in + 32 * j)));
/* GH_ACC for the pairs ja and jb (four blocks) in two halves, to go between AES rounds: the
 * low and high products of each pair by its powers, and the Karatsuba middle products of both
 * pairs from one register, the XOR of the low and the high halves of all four blocks
 * (UNPCKLQDQ / UNPCKHQDQ put pair ja's in the low qwords and jb's in the high): one XOR and no
 * per-pair shuffle of a block with itself. The hkar entries hold their value in both qwords,
 * so the imm8 0x11 product multiplies jb's halves by jb's. Block 0 (ja or jb) takes y. */
#define GH_PAIR1(ja, jb)                                                                           \
    da_ = bswap256(load256(gsrc + 32 * ja));                                                       \
    db_ = bswap256(load256(gsrc + 32 * jb));                                                       \
    if (ja == 0)                                                                                   \
        da_ = _mm256_xor_si256(da_, _mm256_zextsi128_si256(*y));                                   \
    if (jb == 0)                                                                                   \
        db_ = _mm256_xor_si256(db_, _mm256_zextsi128_si256(*y));                                   \
    {                                                                                              \
        const __m256i h_ = load256(k->hpow[2 * ja]);                                               \
        lo = _mm256_xor_si256(lo, _mm256_clmulepi64_epi128(da_, h_, 0x00));                        \
        hi = _mm256_xor_si256(hi, _mm256_clmulepi64_epi128(da_, h_, 0x11));                        \
        ACC_BARRIER(lo);                                                                           \
        ACC_BARRIER(hi);                                                                           \
    }
#define GH_PAIR2(ja, jb)                                                                           \
    {                                                                                              \
        const __m256i h_ = load256(k->hpow[2 * jb]);                                               \
        lo = _mm256_xor_si256(lo, _mm256_clmulepi64_epi128(db_, h_, 0x00));                        \
        hi = _mm256_xor_si256(hi, _mm256_clmulepi64_epi128(db_, h_, 0x11));                        \
        const __m256i m_ =                                                                         \
            _mm256_xor_si256(_mm256_unpacklo_epi64(da_, db_), _mm256_unpackhi_epi64(da_, db_));    \
        mid = _mm256_xor_si256(mid, _mm256_clmulepi64_epi128(m_, load256(k->hkar[2 * ja]), 0x00)); \
        ACC_BARRIER(mid);                                                                          \
        mid = _mm256_xor_si256(mid, _mm256_clmulepi64_epi128(m_, load256(k->hkar[2 * jb]), 0x11)); \
        ACC_BARRIER(lo);                                                                           \
        ACC_BARRIER(hi);                                                                           \
        ACC_BARRIER(mid);                                                                          \
    }

GCM_VAES static inline __m256i ctr_pair(__m128i ctr)
{
    return _mm256_add_epi32(_mm256_broadcastsi128_si256(ctr),
                            _mm256_set_epi32(0, 0, 0, 1, 0, 0, 0, 0));
}

/* 16 blocks of CTR: out = in ^ E(ctr .. ctr + 15); ctr += 16. */
GCM_VAES static inline void ctr16(const gcm_x86_key *k, __m128i *ctrp, const uint8_t *in,
                                  uint8_t *out)
{
    const __m256i c01 = ctr_pair(*ctrp), rk0 = rk256(k, 0);
    REP8(DECL_B)
    REP8(CTR_SET)
    for (unsigned r = 1; r < k->rounds; r++)
        ENC_ROUND(r);
    ENC_LAST();
    REP8(XOR_STORE)
    *ctrp = _mm_add_epi32(*ctrp, _mm_set_epi32(0, 0, 0, 16));
}

/* ctr16 with the GHASH of the 16 blocks at gsrc between the rounds. gsrc is read
 * before out is written, so gsrc == in == out is fine. With scan_or, *scan_or receives the OR
 * of the 16 blocks written (the content-type scan's group, ct.h ct_scan_groups). */
GCM_VAES static inline __attribute__((always_inline)) void
ctr16_ghash16(const gcm_x86_key *k, const unsigned nr, __m128i *ctrp, __m128i *y, const uint8_t *in,
              uint8_t *out, const uint8_t *gsrc, __m256i *scan_or, int fast)
{
    const __m256i rk0 = rk256(k, 0);
    __m256i lo = _mm256_setzero_si256(), hi = lo, mid = lo;
    REP8(DECL_B)
    if (fast == 2) {
        const __m256i cbe = _mm256_broadcastsi128_si256(bswap128(*ctrp));
        const __m256i cx = _mm256_xor_si256(cbe, rk0);
        CTR_SET_X(0)
        CTR_SET_X(1)
        CTR_SET_X(2)
        CTR_SET_X(3)
        CTR_SET_X(4)
        CTR_SET_X(5)
        CTR_SET_X(6)
            /* Blocks 14 and 15 carry into the high four bits. */
            CTR_SET_BE(7)
    } else if (fast) {
        /* (ctr, ctr + 1) in block form: one byte swap for the batch instead of eight. */
        const __m256i cbe = _mm256_broadcastsi128_si256(bswap128(*ctrp));
        REP8(CTR_SET_BE)
    } else {
        const __m256i c01 = ctr_pair(*ctrp);
        REP8(CTR_SET)
    }
    /* The GHASH goes in the first rounds, four blocks before each: carry-less multiplication
     * has one port on Intel (a 256-bit one every two cycles, 48 cycles a batch, more than the
     * AES needs on its two), so it starts at once and the AES rounds fill in around it;
     * spread over eight rounds it measured 5-8% slower (Ice Lake). The pair holding the
     * first block, into which y is folded, goes last: the reduction that produced y then has
     * most of an iteration to complete before it is needed. */
    __m256i da_, db_;
    GH_PAIR1(1, 2)
    GH_PAIR2(1, 2)
    ENC_ROUND(1);
    GH_PAIR1(3, 4)
    GH_PAIR2(3, 4)
    ENC_ROUND(2);
    GH_PAIR1(5, 6)
    GH_PAIR2(5, 6)
    ENC_ROUND(3);
    GH_PAIR1(7, 0)
    GH_PAIR2(7, 0)
    ENC_ROUND(4);
    ENC_ROUND(5);
    /* Reduced here, so that only y stays live through the remaining rounds. */
    *y = fold(lo, hi, mid);
    for (unsigned r = 6; r < nr; r++)
        ENC_ROUND(r);
    {
        /* The last round's AddRoundKey takes the input too: the key XOR the input is ready
         * before the rounds end, so the XOR leaves the AES chains' critical path. */
        const __m256i rk_ = rk256(k, nr);
#define LAST_IN_J(j)                                                                               \
    b##j = _mm256_aesenclast_epi128(b##j, _mm256_xor_si256(rk_, load256(in + 32 * j)));
        REP8(LAST_IN_J)
#undef LAST_IN_J
    }
    if (scan_or != NULL) {
        __m256i or_ = _mm256_setzero_si256();
#define STORE_OR(j)                                                                                \
    {                                                                                              \
        store256(out + 32 * j, b##j);                                                              \
        or_ = _mm256_or_si256(or_, b##j);                                                          \
    }
        REP8(STORE_OR)
#undef STORE_OR
        *scan_or = or_;
    } else {
#define STORE_J(j) store256(out + 32 * j, b##j);
        REP8(STORE_J)
#undef STORE_J
    }
    *ctrp = _mm_add_epi32(*ctrp, _mm_set_epi32(0, 0, 0, 16));
}

/* The batch's OR as a ct_scan_groups step: no branch on the data. */
GCM_VAES static inline __attribute__((always_inline)) void scan_step(ct_scan_groups *s, __m256i v)
{
    const __m128i x = _mm_or_si128(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    const uint64_t nz =
        ct_mask_nonzero_u64((uint64_t)_mm_cvtsi128_si64(x) | (uint64_t)_mm_extract_epi64(x, 1));
    s->last = ct_select_u32((uint32_t)nz, s->groups, s->last);
    s->any |= nz;
    s->groups++;
}

/* The keystream of np pairs of blocks from the counter ctr: ks[j] = E(ctr + 2j), E(ctr + 2j +
 * 1). np is a constant at each call (2 or 8). */
GCM_VAES static inline __attribute__((always_inline)) void
ks_pairs(const gcm_x86_key *k, __m128i ctr, __m256i *ks, const size_t np)
{
    const __m256i c01 = ctr_pair(ctr), rk0 = rk256(k, 0);
    for (size_t j = 0; j < np; j++)
        ks[j] = _mm256_xor_si256(
            bswap256(_mm256_add_epi32(
                c01, _mm256_set_epi32(0, 0, 0, (int)(2 * j), 0, 0, 0, (int)(2 * j)))),
            rk0);
    for (unsigned r = 1; r < k->rounds; r++) {
        const __m256i rk = rk256(k, r);
        for (size_t j = 0; j < np; j++)
            ks[j] = _mm256_aesenc_epi128(ks[j], rk);
    }
    const __m256i rkl = rk256(k, k->rounds);
    for (size_t j = 0; j < np; j++)
        ks[j] = _mm256_aesenclast_epi128(ks[j], rkl);
}

/* The end of tail_xor: dst = src ^ v over r < 32 bytes (a 16-byte block whole, the rest by
 * pieces); the plaintext ORed into *acc; returns the partial block (see tail_xor). */
GCM_VAES static inline __attribute__((always_inline)) __m128i
tail_rest(__m256i v, const uint8_t *src, uint8_t *dst, size_t r, const int sealing, __m256i *acc)
{
    __m128i lane = _mm256_castsi256_si128(v);
    if (r >= 16) {
        const __m128i in = _mm_loadu_si128((const __m128i *)(const void *)src);
        const __m128i o = _mm_xor_si128(lane, in);
        _mm_storeu_si128((__m128i *)(void *)dst, o);
        *acc = _mm256_or_si256(*acc, _mm256_zextsi128_si256(sealing ? in : o));
        lane = _mm256_extracti128_si256(v, 1);
        src += 16;
        dst += 16;
        r -= 16;
    }
    if (r == 0)
        return _mm_setzero_si128();
    const __m128i in = load_partial(src, r);
    const __m128i o = _mm_and_si128(_mm_xor_si128(lane, in), low_bytes(r));
    store_partial(dst, o, r);
    *acc = _mm256_or_si256(*acc, _mm256_zextsi128_si256(sealing ? in : o));
    return sealing ? o : in;
}

/* dst = src ^ ks over len < 32 np bytes (ks[j]: the keystream's pair j), in place where whole:
 * 32-byte pairs, then a 16-byte block, then the last partial block by pieces. Returns that
 * partial block zero-padded, as ciphertext (sealing: the output; opening: the input), or zero
 * if len is a multiple of 16; *pt_or receives the OR of the plaintext (the content-type scan's
 * group). */
GCM_VAES static inline __attribute__((always_inline)) __m128i
tail_xor(const __m256i *ks, const uint8_t *src, uint8_t *dst, size_t len, const int sealing,
         __m256i *pt_or)
{
    __m256i acc = _mm256_setzero_si256();
    size_t j = 0;
    for (; 32 * j + 32 <= len; j++) {
        const __m256i in = load256(src + 32 * j), o = _mm256_xor_si256(ks[j], in);
        store256(dst + 32 * j, o);
        acc = _mm256_or_si256(acc, sealing ? in : o);
    }
    const size_t off = 32 * j;
    const __m128i part = off < len
                             ? tail_rest(ks[j], src + off, dst + off, len - off, sealing, &acc)
                             : _mm_setzero_si128();
    if (pt_or != NULL)
        *pt_or = acc;
    return part;
}

/* tail_xor for len <= 64 with the keystream's two pairs in registers (no array, so nothing
 * on the stack to wipe). */
GCM_VAES static inline __attribute__((always_inline)) __m128i
tail_xor2(__m256i b0, __m256i b1, const uint8_t *src, uint8_t *dst, size_t len, const int sealing,
          __m256i *pt_or)
{
    __m256i acc = _mm256_setzero_si256(), cur = b0;
    size_t off = 0;
    if (len >= 32) {
        const __m256i in = load256(src), o = _mm256_xor_si256(b0, in);
        store256(dst, o);
        acc = sealing ? in : o;
        cur = b1;
        off = 32;
        if (len == 64) {
            const __m256i in1 = load256(src + 32), o1 = _mm256_xor_si256(b1, in1);
            store256(dst + 32, o1);
            acc = _mm256_or_si256(acc, sealing ? in1 : o1);
            off = 64;
        }
    }
    const __m128i part = off < len ? tail_rest(cur, src + off, dst + off, len - off, sealing, &acc)
                                   : _mm_setzero_si128();
    if (pt_or != NULL)
        *pt_or = acc;
    return part;
}

/* The bytes after the last whole batch (0 < len < 256): dst = src ^ E(ctr ..), ctr advanced;
 * returns tail_xor's partial block. Nothing goes through the stack but the keystream of a tail
 * over 64 bytes (an array indexed by the public length), wiped after. */
GCM_VAES static __m128i ctr_tail(const gcm_x86_key *k, __m128i *ctrp, const uint8_t *src,
                                 uint8_t *dst, size_t len, const int sealing, __m256i *pt_or)
{
    __m128i part;
    if (len <= 64) {
        __m256i ks[2];
        ks_pairs(k, *ctrp, ks, 2);
        part = tail_xor2(ks[0], ks[1], src, dst, len, sealing, pt_or);
    } else {
        __m256i ks[8];
        ks_pairs(k, *ctrp, ks, 8);
        part = tail_xor(ks, src, dst, len, sealing, pt_or);
        tenon_wipe(ks, sizeof ks);
    }
    *ctrp = _mm_add_epi32(*ctrp, _mm_set_epi32(0, 0, 0, (int)((len + 15) / 16)));
    return part;
}

/* Whether a batch's 16 counters may be made in block form (CTR_SET_BE, and CTR_SET_X where it
 * applies): the last byte of ctr does not carry within the batch. This branches on the counter, so
 * only when it is public (pub: a 96-bit nonce, J0 = IV || 1); with another nonce length J0 =
 * GHASH_H(IV), and its bits would say something about H. */
GCM_VAES static inline int ctr_fast(int pub, __m128i ctr)
{
    const uint32_t last = (uint32_t)_mm_cvtsi128_si32(ctr) & 0xff;
    if (!pub || last > 256 - 16)
        return 0;
    return (last & 15) == 2 ? 2 : 1; /* CTR_SET_X or CTR_SET_BE */
}

/* n batches of 16 blocks from in to out, each stitched with the GHASH of the batch at the same
 * offset of gsrc (sealing: gsrc is out, one batch behind; opening: gsrc is in). The round count
 * is a constant in each copy, so that the rounds unroll and nothing but y crosses a loop inside
 * an iteration. */
GCM_VAES static void stitched_loop(const gcm_x86_key *k, __m128i *ctrp, __m128i *yp,
                                   const uint8_t *in, uint8_t *out, const uint8_t *gsrc, size_t n,
                                   int pub)
{
    /* Copies that the stores to out cannot alias: they stay in registers. */
    __m128i c = *ctrp, yv = *yp;
    __m128i *ctr = &c, *y = &yv;
    switch (k->rounds) {
    case 10:
        for (size_t i = 0; i < n; i++)
            ctr16_ghash16(k, 10, ctr, y, in + BATCH * i, out + BATCH * i, gsrc + BATCH * i, NULL,
                          ctr_fast(pub, *ctr));
        break;
    case 12:
        for (size_t i = 0; i < n; i++)
            ctr16_ghash16(k, 12, ctr, y, in + BATCH * i, out + BATCH * i, gsrc + BATCH * i, NULL,
                          ctr_fast(pub, *ctr));
        break;
    default:
        for (size_t i = 0; i < n; i++)
            ctr16_ghash16(k, 14, ctr, y, in + BATCH * i, out + BATCH * i, gsrc + BATCH * i, NULL,
                          ctr_fast(pub, *ctr));
        break;
    }
    *ctrp = c;
    *yp = yv;
}

/* The open's loop (gsrc = in) with each batch's plaintext taken through the content-type
 * scan's group step while it is in registers (batch i is group i). */
GCM_VAES static void scanned_loop(const gcm_x86_key *k, __m128i *ctrp, __m128i *yp,
                                  const uint8_t *in, uint8_t *out, size_t n, ct_scan_groups *s,
                                  int pub)
{
    __m256i v;
    __m128i c = *ctrp, yv = *yp;
    __m128i *ctr = &c, *y = &yv;
    switch (k->rounds) {
    case 10:
        for (size_t i = 0; i < n; i++) {
            ctr16_ghash16(k, 10, ctr, y, in + BATCH * i, out + BATCH * i, in + BATCH * i, &v,
                          ctr_fast(pub, *ctr));
            scan_step(s, v);
        }
        break;
    case 12:
        for (size_t i = 0; i < n; i++) {
            ctr16_ghash16(k, 12, ctr, y, in + BATCH * i, out + BATCH * i, in + BATCH * i, &v,
                          ctr_fast(pub, *ctr));
            scan_step(s, v);
        }
        break;
    default:
        for (size_t i = 0; i < n; i++) {
            ctr16_ghash16(k, 14, ctr, y, in + BATCH * i, out + BATCH * i, in + BATCH * i, &v,
                          ctr_fast(pub, *ctr));
            scan_step(s, v);
        }
        break;
    }
    *ctrp = c;
    *yp = yv;
}

static int vaes_init(tenon_aead_ctx *ctx, const uint8_t *key, size_t key_len)
{
    return gcm_x86_init(ctx, &aes_gcm_vaes_avx2_class, key, key_len);
}

/* §7.1 steps 1-2: J0, E(K, J0) for the tag, the first counter inc32(J0), GHASH of the AAD. */
GCM_VAES static void start(const gcm_x86_key *k, const uint8_t *nonce, size_t nonce_len,
                           const uint8_t *aad, size_t aad_len, __m128i *ctr, __m128i *ek0,
                           __m128i *y)
{
    __m128i j;
    if (nonce_len == 12) {
        /* J0 = IV || 0^31 || 1 (§7.1 step 2) built in a register: gcm_derive_j0's bytes on the
         * stack, read back as one block, would wait for its narrower stores to retire. */
        uint32_t w;
        memcpy(&w, nonce + 8, 4);
        j = _mm_insert_epi32(
            _mm_insert_epi32(_mm_loadl_epi64((const __m128i *)(const void *)nonce), (int)w, 2),
            0x01000000, 3);
    } else {
        uint8_t j0[16];
        gcm_derive_j0(j0, nonce, nonce_len, ghash_fn, k);
        j = _mm_loadu_si128((const __m128i *)(void *)j0);
        /* For other than 96-bit nonces J0 = GHASH_H(IV), which says something about H. */
        tenon_wipe(j0, sizeof j0);
    }
    *ek0 = encrypt1(k, j);
    *ctr = _mm_add_epi32(bswap128(j), _mm_set_epi32(0, 0, 0, 1));
    *y = ghash_bytes(k, _mm_setzero_si128(), aad, aad_len);
}

/* §7.1 steps 4-6 after the last whole batch: the GHASH of the tail (its n whole blocks of
 * ciphertext at p, then its partial block part, zero-padded, if has_part) and of the length
 * block, aggregated with one reduction (two for 17 blocks), and T = E(K, J0) ^ S. A reduction
 * per kind of block, as before, put three multiplications and reductions in a row on the path
 * to the tag. The whole blocks are read in pairs at multiples of 32 bytes from p, where the
 * tail's stores put them: a load across two of those stores would wait for them to retire. */
GCM_VAES static void finish(const gcm_x86_key *k, __m128i y, __m128i ek0, size_t aad_len,
                            size_t text_len, const uint8_t *p, size_t n, __m128i part, int has_part,
                            uint8_t tag[16])
{
    if (n + (size_t)has_part + 1 > GCM_X86_POWERS) {
        y = ghash_n(k, y, p, n);
        n = 0;
    }
    const size_t m = n + (size_t)has_part + 1;
    size_t i = GCM_X86_POWERS - m, j = 0;
    __m256i lo = _mm256_setzero_si256(), hi = lo, mid = lo;
    for (; j + 2 <= n; j += 2, i += 2) {
        __m256i d = bswap256(load256(p + 16 * j));
        if (j == 0)
            d = _mm256_xor_si256(d, _mm256_zextsi128_si256(y));
        GH_ACC(d, i);
    }
    /* The rest a block at a time; y goes into the first block if no pair took it. */
    __m128i yin = n < 2 ? y : _mm_setzero_si128();
    if (j < n) {
        GH_ACC1(_mm_xor_si128(
                    bswap128(_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * j))), yin),
                i);
        i++;
        yin = _mm_setzero_si128();
    }
    if (has_part) {
        GH_ACC1(_mm_xor_si128(bswap128(part), yin), i);
        i++;
        yin = _mm_setzero_si128();
    }
    /* §7.1 step 5: [len(A)]_64 || [len(C)]_64 in bits, here in integer form. */
    const __m128i lb =
        _mm_set_epi64x((long long)((uint64_t)aad_len << 3), (long long)((uint64_t)text_len << 3));
    GH_ACC1(_mm_xor_si128(lb, yin), i);
    y = fold(lo, hi, mid);
    _mm_storeu_si128((__m128i *)(void *)tag, _mm_xor_si128(bswap128(y), ek0));
}

/* The seal core (aead_impls.h): the plaintext below split is read from head, the rest from out
 * (in place); split is a multiple of BATCH or the end. */
GCM_VAES static int seal_core(const tenon_aead_ctx *ctx, const uint8_t *nonce, size_t nonce_len,
                              const uint8_t *aad, size_t aad_len, const uint8_t *head, size_t split,
                              uint8_t *out, size_t len, uint8_t *tag)
{
    GUARD(gcm_check_args(nonce, nonce_len, aad, aad_len, out, len, out, tag));
    ENSURE(split == 0 || head != NULL, TENON_ERR_INVALID_ARGUMENT);
    const gcm_x86_key *k = get_key(ctx);
    __m128i ctr, ek0, y;
    start(k, nonce, nonce_len, aad, aad_len, &ctr, &ek0, &y);

    /* §7.1 steps 3-4. The GHASH of batch i runs during the AES of batch i + 1: batches 0 ..
     * ns - 1 come from head, the rest from out. */
    size_t nb = len / BATCH, done = 0;
    if (nb > 0) {
        size_t ns = split / BATCH < nb ? split / BATCH : nb;
        ctr16(k, &ctr, aead_split_src(head, split, out, 0), out);
        if (ns > 1)
            stitched_loop(k, &ctr, &y, head + BATCH, out + BATCH, out, ns - 1, nonce_len == 12);
        ns = ns > 1 ? ns : 1;
        stitched_loop(k, &ctr, &y, out + BATCH * ns, out + BATCH * ns, out + BATCH * (ns - 1),
                      nb - ns, nonce_len == 12);
        done = (nb - 1) * BATCH;
        y = ghash_n(k, y, out + done, 16);
        done += BATCH;
    }
    const size_t rem = len - done;
    __m128i part = _mm_setzero_si128();
    if (rem > 0)
        part = ctr_tail(k, &ctr, aead_split_src(head, split, out, done), out + done, rem, 1, NULL);
    finish(k, y, ek0, aad_len, len, out + done, rem / 16, part, rem % 16 != 0, tag);
    return TENON_OK;
}

AEAD_SEAL_ENTRIES(GCM_VAES, vaes_seal, vaes_seal_split, seal_core, BATCH)

/*
 * Opening is stitched like sealing, except that each batch's GHASH runs on the ciphertext about
 * to be decrypted. The plaintext is written before the tag is checked, and zeroed afterwards
 * when the check fails, as tenon_aead_class.open documents. Hashing all of the ciphertext first
 * and decrypting after the check (this class's earlier open) released nothing even transiently,
 * but paid for the two passes in turn: on cores that issue AES and carry-less multiplication on
 * different ports (Intel's), that open was 20% slower than the seal.
 */
/* The open; with s, the content-type scan's groups of the whole batches too (ct.h). */
GCM_VAES static inline __attribute__((always_inline)) int
open_core(const tenon_aead_ctx *ctx, const uint8_t *nonce, size_t nonce_len, const uint8_t *aad,
          size_t aad_len, const uint8_t *in, size_t in_len, const uint8_t *tag, uint8_t *out,
          ct_scan_groups *s)
{
    GUARD(gcm_check_args(nonce, nonce_len, aad, aad_len, in, in_len, out, tag));
    const gcm_x86_key *k = get_key(ctx);
    __m128i ctr, ek0, y;
    start(k, nonce, nonce_len, aad, aad_len, &ctr, &ek0, &y);
    /* §7.2 steps 4-6: each batch of ciphertext is hashed while it is decrypted; the tail is
     * hashed (with the length block, and the tag made) first, as in may be out. */
    const size_t nb = in_len / BATCH, done = nb * BATCH;
    if (s != NULL)
        scanned_loop(k, &ctr, &y, in, out, nb, s, nonce_len == 12);
    else
        stitched_loop(k, &ctr, &y, in, out, in, nb, nonce_len == 12);
    const size_t rem = in_len - done;
    const __m128i part = rem % 16 != 0 ? load_partial(in + done + (rem & ~(size_t)15), rem % 16)
                                       : _mm_setzero_si128();
    uint8_t want[16];
    finish(k, y, ek0, aad_len, in_len, in + done, rem / 16, part, rem % 16 != 0, want);
    if (rem > 0) {
        /* The tail's plaintext is the scan's last group. */
        __m256i v;
        (void)ctr_tail(k, &ctr, in + done, out + done, rem, 0, s != NULL ? &v : NULL);
        if (s != NULL)
            scan_step(s, v);
    }
    return gcm_open_verdict(want, tag, out, in_len);
}

GCM_VAES static int vaes_open(const tenon_aead_ctx *ctx, const uint8_t *nonce, size_t nonce_len,
                              const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t in_len,
                              const uint8_t *tag, uint8_t *out)
{
    return open_core(ctx, nonce, nonce_len, aad, aad_len, in, in_len, tag, out, NULL);
}

GCM_VAES int gcm_vaes_avx2_open_last_nonzero(const tenon_aead_ctx *ctx, const uint8_t *nonce,
                                             size_t nonce_len, const uint8_t *aad, size_t aad_len,
                                             const uint8_t *in, size_t in_len, const uint8_t *tag,
                                             uint8_t *out, size_t *pos, uint32_t *found)
{
    ct_scan_groups s = {0, 0, 0};
    int rc = open_core(ctx, nonce, nonce_len, aad, aad_len, in, in_len, tag, out, &s);
    /* The rest of the scan only on authentic plaintext: a forgery's tells nothing. */
    if (rc == TENON_OK)
        *pos = ct_last_nonzero_resume(out, in_len, &s, found);
    return rc;
}

const tenon_aead_class aes_gcm_vaes_avx2_class = {
    "AES-GCM/vaes-avx2",
    "AES-GCM",
    TENON_CPU_AESNI | TENON_CPU_PCLMUL | TENON_CPU_AVX | TENON_CPU_AVX2 | TENON_CPU_VAES |
        TENON_CPU_VPCLMUL,
    TENON_AEAD_TAG_LEN,
    vaes_init,
    vaes_seal,
    vaes_open,
    vaes_seal_split,
};

#endif
