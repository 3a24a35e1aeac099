/*
 * AES-GCM (SP 800-38D) with VAES and VPCLMULQDQ on 512-bit registers (AVX-512F/VL/BW).
 *
 * A zmm register holds four blocks. Data moves in batches of 16 blocks (4 zmm): four AES chains
 * over the counter blocks, and GHASH of 16 blocks against H^16..H^1 accumulated unreduced and
 * reduced once per batch (the §6.4 recurrence unrolled 16 times). The key context is the one
 * the other x86 classes use (gcm.h), so key set-up costs the same: its powers hpow[4m .. 4m+3]
 * are exactly the four a 512-bit load of block group m needs.
 *
 * Both directions are stitched: each batch's AES rounds are interleaved with the carry-less
 * multiplications of a batch of ciphertext (sealing: the batch just written, one behind;
 * opening: the batch about to be decrypted, whose ciphertext is at hand). On Intel cores with
 * 512-bit VAES, AES issues on one port and carry-less multiplication on another, so the two
 * overlap; an open that hashed first and decrypted afterwards would pay for both in turn.
 * Opening therefore writes plaintext before the tag is checked and zeroes it afterwards if the
 * check fails, as tenon_aead_class.open documents.
 *
 * The products are schoolbook: four carry-less multiplications per block, the middle two summed
 * by one three-way XOR (VPTERNLOGQ), where Karatsuba's three would need a shuffle and an XOR of
 * the data for the middle one on the same port as the multiplications. Partial blocks are read and
 * written with byte-masked loads and stores: nothing outside the buffers is touched and no stack
 * copy of the text is made.
 *
 * Constant flow: AES is computed by the AES instructions and GHASH by carry-less multiplication;
 * no table is indexed and no branch is taken on the key, the text or the tag (only on the
 * verdict, which is the public result). Loop counts and masks depend only on the lengths. See
 * docs/crypto.md.
 */
#include "../common.h"
#include "aead_impls.h"
#include "ct.h"
#include "ct_scan_avx512.h"
#include "gcm.h"

#if TENON_X86_64
#include <immintrin.h>

#define GCM_V512 TENON_TARGET("aes,pclmul,avx,avx2,vaes,vpclmulqdq,avx512f,avx512vl,avx512bw")
#define ALWAYS_INLINE inline __attribute__((always_inline))

/* One bulk iteration: 16 blocks, 4 zmm. */
#define BATCH 256

static const gcm_x86_key *get_key(const tenon_aead_ctx *ctx)
{
    return (const gcm_x86_key *)(uintptr_t)ctx->state;
}

GCM_V512 static ALWAYS_INLINE __m128i bswap128(__m128i x)
{
    return _mm_shuffle_epi8(x, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

/* Reverses the bytes of each 128-bit lane: four blocks between block and integer form. */
GCM_V512 static ALWAYS_INLINE __m512i bswap512(__m512i x)
{
    return _mm512_shuffle_epi8(x, _mm512_broadcast_i32x4(_mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
                                                                      10, 11, 12, 13, 14, 15)));
}

GCM_V512 static ALWAYS_INLINE __m512i load512(const uint8_t *p)
{
    return _mm512_loadu_si512((const void *)p);
}

GCM_V512 static ALWAYS_INLINE void store512(uint8_t *p, __m512i v)
{
    _mm512_storeu_si512((void *)p, v);
}

/* The byte mask of group m (bytes 64m .. 64m + 63) of a len-byte piece: lengths are public. */
static ALWAYS_INLINE __mmask64 byte_mask(size_t len, size_t m)
{
    size_t n = len > 64 * m ? len - 64 * m : 0;
    return n >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << n) - 1);
}

/* Round key r in all four lanes. The key context may sit at any 8-byte aligned address, and a
 * 128-bit broadcast from memory is a plain load (no shuffle port). */
GCM_V512 static ALWAYS_INLINE __m512i rk512(const gcm_x86_key *k, unsigned r)
{
    return _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)(const void *)k->rk[r]));
}

GCM_V512 static ALWAYS_INLINE __m128i rk128(const gcm_x86_key *k, unsigned r)
{
    return _mm_loadu_si128((const __m128i *)(const void *)k->rk[r]);
}

GCM_V512 static ALWAYS_INLINE __m128i xor3_128(__m128i a, __m128i b, __m128i c)
{
    return _mm_ternarylogic_epi64(a, b, c, 0x96);
}

/* Montgomery reduction by y^128 (gcm.h). */
GCM_V512 static ALWAYS_INLINE __m128i reduce(__m128i lo, __m128i hi)
{
    const __m128i c = _mm_set_epi64x(0, (long long)GCM_RED_CONST);
    __m128i t = _mm_clmulepi64_si128(lo, c, 0x00);
    lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4e), t);
    t = _mm_clmulepi64_si128(lo, c, 0x00);
    return xor3_128(hi, _mm_shuffle_epi32(lo, 0x4e), t);
}

/* Adds the middle products into the low and high halves (per lane), sums the four lanes and
 * reduces. */
GCM_V512 static ALWAYS_INLINE __m128i fold(__m512i lo, __m512i hi, __m512i mid)
{
    lo = _mm512_xor_si512(lo, _mm512_bslli_epi128(mid, 8));
    hi = _mm512_xor_si512(hi, _mm512_bsrli_epi128(mid, 8));
    __m256i l2 = _mm256_xor_si256(_mm512_castsi512_si256(lo), _mm512_extracti64x4_epi64(lo, 1));
    __m256i h2 = _mm256_xor_si256(_mm512_castsi512_si256(hi), _mm512_extracti64x4_epi64(hi, 1));
    __m128i l = _mm_xor_si128(_mm256_castsi256_si128(l2), _mm256_extracti128_si256(l2, 1));
    __m128i h = _mm_xor_si128(_mm256_castsi256_si128(h2), _mm256_extracti128_si256(h2, 1));
    return reduce(l, h);
}

/* The product of one element by another, reduced (the last multiplication of the tag). */
GCM_V512 static ALWAYS_INLINE __m128i mul1(__m128i a, __m128i h)
{
    __m128i lo = _mm_clmulepi64_si128(a, h, 0x00);
    __m128i hi = _mm_clmulepi64_si128(a, h, 0x11);
    __m128i mid = _mm_xor_si128(_mm_clmulepi64_si128(a, h, 0x01), _mm_clmulepi64_si128(a, h, 0x10));
    return reduce(_mm_xor_si128(lo, _mm_slli_si128(mid, 8)),
                  _mm_xor_si128(hi, _mm_srli_si128(mid, 8)));
}

/* H^1 (integer form). */
GCM_V512 static ALWAYS_INLINE __m128i hpow1(const gcm_x86_key *k)
{
    return _mm_loadu_si128((const __m128i *)(const void *)k->hpow[GCM_X86_POWERS - 1]);
}

/* Accumulates the products of the four integer-form blocks in d by the four powers in h. */
#define GH_ACC(d, h)                                                                               \
    do {                                                                                           \
        const __m512i h_ = (h);                                                                    \
        lo = _mm512_xor_si512(lo, _mm512_clmulepi64_epi128((d), h_, 0x00));                        \
        hi = _mm512_xor_si512(hi, _mm512_clmulepi64_epi128((d), h_, 0x11));                        \
        mid = _mm512_ternarylogic_epi64(mid, _mm512_clmulepi64_epi128((d), h_, 0x01),              \
                                        _mm512_clmulepi64_epi128((d), h_, 0x10), 0x96);            \
    } while (0)

/* hpow[i .. i + 3] (gcm.h: descending powers) as one zmm. */
#define HPOW4(i) load512(k->hpow[(i)])

/* §6.4 over the 16 blocks g[0 .. 3] (block form), continuing from y (integer form): block j
 * takes H^(16 - j). The group holding the first block, into which y is folded, goes last. */
GCM_V512 static ALWAYS_INLINE __m128i ghash16(const gcm_x86_key *k, __m128i y, const __m512i g[4])
{
    __m512i lo = _mm512_setzero_si512(), hi = lo, mid = lo;
    for (size_t m = 1; m < 4; m++) {
        const __m512i d = bswap512(g[m]);
        GH_ACC(d, HPOW4(4 * m));
    }
    const __m512i d0 = _mm512_xor_si512(bswap512(g[0]), _mm512_zextsi128_si512(y));
    GH_ACC(d0, HPOW4(0));
    return fold(lo, hi, mid);
}

/* The 16 blocks at p into g. */
GCM_V512 static ALWAYS_INLINE void load16(__m512i g[4], const uint8_t *p)
{
    for (size_t m = 0; m < 4; m++)
        g[m] = load512(p + 64 * m);
}

/* §6.4 over 0 < len < 256 bytes at p, the last partial block zero-padded: n = ceil(len / 16)
 * blocks, block j taking H^(n - j) = hpow[16 - n + j]. Masked loads read only the len bytes
 * and the n powers. */
GCM_V512 static __m128i ghash_part(const gcm_x86_key *k, __m128i y, const uint8_t *p, size_t len)
{
    const size_t n = (len + 15) / 16, nz = (n + 3) / 4, base = 16 - n;
    if (n == 1) {
        /* One block (a TLS record's AAD, a TLS 1.3 record's content-type byte past its last
         * batch): one 128-bit product, without the four-lane fold. */
        const __m128i d = bswap128(_mm_maskz_loadu_epi8((__mmask16)byte_mask(len, 0), p));
        return mul1(_mm_xor_si128(d, y), hpow1(k));
    }
    __m512i lo = _mm512_setzero_si512(), hi = lo, mid = lo;
    for (size_t m = nz; m-- > 0;) {
        __m512i d = bswap512(_mm512_maskz_loadu_epi8(byte_mask(len, m), p + 64 * m));
        const size_t lanes = n - 4 * m < 4 ? n - 4 * m : 4;
        const __m512i h =
            _mm512_maskz_loadu_epi64((__mmask8)((1u << (2 * lanes)) - 1), k->hpow[base + 4 * m]);
        if (m == 0)
            d = _mm512_xor_si512(d, _mm512_zextsi128_si512(y));
        GH_ACC(d, h);
    }
    return fold(lo, hi, mid);
}

/* GHASH over len bytes in integer form, the last partial block zero-padded. */
GCM_V512 static __m128i ghash_bytes(const gcm_x86_key *k, __m128i y, const uint8_t *p, size_t len)
{
    for (; len >= BATCH; p += BATCH, len -= BATCH) {
        __m512i g[4];
        load16(g, p);
        y = ghash16(k, y, g);
    }
    if (len > 0)
        y = ghash_part(k, y, p, len);
    return y;
}

/* gcm_ghash_fn for J0 (gcm_derive_j0). */
GCM_V512 static void ghash_fn(const void *key, uint8_t y[16], const uint8_t *data, size_t len)
{
    __m128i v = bswap128(_mm_loadu_si128((const __m128i *)(void *)y));
    v = ghash_bytes(key, v, data, len);
    _mm_storeu_si128((__m128i *)(void *)y, bswap128(v));
}

GCM_V512 static __m128i encrypt1(const gcm_x86_key *k, __m128i b)
{
    b = _mm_xor_si128(b, rk128(k, 0));
    for (unsigned r = 1; r < k->rounds; r++)
        b = _mm_aesenc_si128(b, rk128(k, r));
    return _mm_aesenclast_si128(b, rk128(k, k->rounds));
}

/* ---- CTR (§6.5 GCTR with inc32) -------------------------------------------------------------
 * Counters in integer form: the counter field is the low dword of each lane, and inc32 a
 * 32-bit addition that wraps as §6.2 requires. A counter register holds (c, c + 1, c + 2,
 * c + 3) in its four lanes. */

#define REP4(M) M(0) M(1) M(2) M(3)
#define CTR_LOAD(j)                                                                                \
    __m512i b##j = _mm512_xor_si512(bswap512(c), rk0);                                             \
    c = _mm512_add_epi32(c, four);
#define ENC_J(j) b##j = _mm512_aesenc_epi128(b##j, rk_);
#define ENC_ROUND(r)                                                                               \
    do {                                                                                           \
        const __m512i rk_ = rk512(k, (r));                                                         \
        REP4(ENC_J)                                                                                \
    } while (0)
#define ENC_LAST_J(j) b##j = _mm512_aesenclast_epi128(b##j, rkl);
#define XOR_STORE(j)                                                                               \
    g[j] = _mm512_xor_si512(b##j, load512(in + 64 * j));                                           \
    store512(out + 64 * j, g[j]);

GCM_V512 static ALWAYS_INLINE __m512i ctr_lanes(__m128i ctr)
{
    return _mm512_add_epi32(_mm512_broadcast_i32x4(ctr),
                            _mm512_set_epi32(0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0));
}

/* 16 blocks of CTR, out = in ^ E(ctr .. ctr + 15), with no hashing (the first batch of a
 * seal); g receives what was written to out. */
GCM_V512 static ALWAYS_INLINE void ctr16(const gcm_x86_key *k, const unsigned nr, __m512i *ctrp,
                                         const uint8_t *in, uint8_t *out, __m512i g[4])
{
    const __m512i four = _mm512_broadcast_i32x4(_mm_set_epi32(0, 0, 0, 4)), rk0 = rk512(k, 0);
    __m512i c = *ctrp;
    REP4(CTR_LOAD)
    *ctrp = c;
    for (unsigned r = 1; r < nr; r++)
        ENC_ROUND(r);
    const __m512i rkl = rk512(k, nr);
    REP4(ENC_LAST_J)
    REP4(XOR_STORE)
}

/* ctr16 with the GHASH of the 16 blocks g[0 .. 3] (block form) between its rounds; g then
 * holds what was written to out. Sealing, g carries the ciphertext of one batch to the GHASH of
 * the next without a store-to-load round trip; opening, g is the ciphertext of this batch. */
GCM_V512 static ALWAYS_INLINE void ctr16_ghash16(const gcm_x86_key *k, const unsigned nr,
                                                 __m512i *ctrp, __m128i *y, const uint8_t *in,
                                                 uint8_t *out, __m512i g[4])
{
    const __m512i four = _mm512_broadcast_i32x4(_mm_set_epi32(0, 0, 0, 4)), rk0 = rk512(k, 0);
    __m512i c = *ctrp;
    REP4(CTR_LOAD)
    *ctrp = c;
    __m512i lo = _mm512_setzero_si512(), hi = lo, mid = lo;
    const __m512i d0 = bswap512(g[0]), d1 = bswap512(g[1]), d2 = bswap512(g[2]),
                  d3 = bswap512(g[3]);
    ENC_ROUND(1);
    GH_ACC(d1, HPOW4(4));
    ENC_ROUND(2);
    GH_ACC(d2, HPOW4(8));
    ENC_ROUND(3);
    GH_ACC(d3, HPOW4(12));
    ENC_ROUND(4);
    /* The group that takes y last: the reduction that produced it had the most time. */
    GH_ACC(_mm512_xor_si512(d0, _mm512_zextsi128_si512(*y)), HPOW4(0));
    ENC_ROUND(5);
    *y = fold(lo, hi, mid);
    for (unsigned r = 6; r < nr; r++)
        ENC_ROUND(r);
    const __m512i rkl = rk512(k, nr);
    REP4(ENC_LAST_J)
    REP4(XOR_STORE)
}

/* CTR over 0 < len < 256 bytes: four chains (fewer would finish no sooner), byte-masked loads
 * and stores, so nothing past the len bytes is read or written. */
GCM_V512 static void ctr_part(const gcm_x86_key *k, __m512i c, const uint8_t *in, uint8_t *out,
                              size_t len)
{
    const __m512i four = _mm512_broadcast_i32x4(_mm_set_epi32(0, 0, 0, 4)), rk0 = rk512(k, 0);
    REP4(CTR_LOAD)
    for (unsigned r = 1; r < k->rounds; r++)
        ENC_ROUND(r);
    const __m512i rkl = rk512(k, k->rounds);
    REP4(ENC_LAST_J)
#define XOR_STORE_MASKED(j)                                                                        \
    {                                                                                              \
        const __mmask64 m_ = byte_mask(len, j);                                                    \
        _mm512_mask_storeu_epi8(out + 64 * j, m_,                                                  \
                                _mm512_xor_si512(b##j, _mm512_maskz_loadu_epi8(m_, in + 64 * j))); \
    }
    REP4(XOR_STORE_MASKED)
#undef XOR_STORE_MASKED
}

static int v512_init(tenon_aead_ctx *ctx, const uint8_t *key, size_t key_len)
{
    return gcm_x86_init(ctx, &aes_gcm_vaes_avx512_class, key, key_len);
}

/* The largest last partial batch whose keystream start() computes (three blocks). */
#define SHORT_TAIL 48

/* §7.1 steps 1-2: J0, E(K, J0) for the tag, the first counter inc32(J0), GHASH of the AAD.
 * For a text of len bytes whose last partial batch is 1..SHORT_TAIL bytes (a TLS 1.3 record of
 * whole batches and its content-type byte), that part's keystream comes from the same
 * four-lane AES chain as E(K, J0) (lanes J0 and its three counters, inc32(J0) + 16 nb + 0..2),
 * into *tail_ks (bytes 0..47): its own chains at the end would cost four more chains' rounds and,
 * sealing, their latency before the last GHASH. */
GCM_V512 static void start(const gcm_x86_key *k, const uint8_t *nonce, size_t nonce_len,
                           const uint8_t *aad, size_t aad_len, size_t len, __m512i *ctr,
                           __m128i *ek0, __m128i *y, __m512i *tail_ks)
{
    __m128i j;
    if (nonce_len == 12) {
        /* J0 = IV || 0^31 || 1 (§7.1 step 2) built in a register: gcm_derive_j0's bytes on the
         * stack, read back as one block, would wait for its narrower stores to retire. */
        j = _mm_insert_epi32(_mm_maskz_loadu_epi8((__mmask16)0x0fff, nonce), 0x01000000, 3);
    } else {
        uint8_t j0[16];
        gcm_derive_j0(j0, nonce, nonce_len, ghash_fn, k);
        j = _mm_loadu_si128((const __m128i *)(void *)j0);
        /* For other than 96-bit nonces J0 = GHASH_H(IV), which says something about H. */
        tenon_wipe(j0, sizeof j0);
    }
    const __m128i ji = bswap128(j);
    const size_t tail = len % BATCH;
    if (tail > 0 && tail <= SHORT_TAIL) {
        /* inc32 in every lane: a 32-bit addition to the counter dword alone (§6.2). */
        const uint32_t at = (uint32_t)(1 + 16 * (len / BATCH));
        __m512i b = _mm512_add_epi32(_mm512_broadcast_i32x4(ji),
                                     _mm512_set_epi32(0, 0, 0, (int)(at + 2), 0, 0, 0,
                                                      (int)(at + 1), 0, 0, 0, (int)at, 0, 0, 0, 0));
        b = _mm512_xor_si512(bswap512(b), rk512(k, 0));
        for (unsigned r = 1; r < k->rounds; r++)
            b = _mm512_aesenc_epi128(b, rk512(k, r));
        b = _mm512_aesenclast_epi128(b, rk512(k, k->rounds));
        *ek0 = _mm512_castsi512_si128(b);
        *tail_ks = _mm512_alignr_epi64(_mm512_setzero_si512(), b, 2);
    } else {
        *ek0 = encrypt1(k, j);
        *tail_ks = _mm512_setzero_si512();
    }
    *ctr = ctr_lanes(_mm_add_epi32(ji, _mm_set_epi32(0, 0, 0, 1)));
    *y = ghash_bytes(k, _mm_setzero_si128(), aad, aad_len);
}

/* CTR over the last partial batch of n bytes at in (0 < n < BATCH) into out: with the keystream
 * start() made when n <= SHORT_TAIL, else ctr_part from the next counters c. */
GCM_V512 static void ctr_tail(const gcm_x86_key *k, __m512i c, __m512i tail_ks, const uint8_t *in,
                              uint8_t *out, size_t n)
{
    if (n <= SHORT_TAIL) {
        const __mmask64 m = byte_mask(n, 0);
        _mm512_mask_storeu_epi8(out, m, _mm512_xor_si512(tail_ks, _mm512_maskz_loadu_epi8(m, in)));
    } else {
        ctr_part(k, c, in, out, n);
    }
}

/* §7.1 steps 5-6: the length block (in integer form its two halves are the two qwords), one
 * more multiplication by H, and T = E(K, J0) ^ S in block form. */
GCM_V512 static void finish(const gcm_x86_key *k, __m128i y, __m128i ek0, size_t aad_len,
                            size_t text_len, uint8_t tag[16])
{
    const __m128i lens =
        _mm_set_epi64x((long long)((uint64_t)aad_len << 3), (long long)((uint64_t)text_len << 3));
    y = mul1(_mm_xor_si128(y, lens), hpow1(k));
    _mm_storeu_si128((__m128i *)(void *)tag, _mm_xor_si128(bswap128(y), ek0));
}

/* The whole batches (nb >= 1). The text at offset off is read from aead_split_src(head, split,
 * out, off): the seal's gathered plaintext, or with split = the length, the open's ciphertext
 * (head = in). Sealing: batch 0 alone, then batch i stitched with the GHASH of batch i - 1 of
 * out, then the GHASH of the last batch. Opening: every batch hashed while it is decrypted, and
 * with scan, each batch's plaintext, still in registers, taken through the first pass of the
 * content-type scan (ct_scan_avx512.h: batch i is its group i). One copy per round count, so
 * that the rounds unroll. */
GCM_V512 static ALWAYS_INLINE __m128i bulk(const gcm_x86_key *k, const unsigned nr, __m512i *ctrp,
                                           __m128i y, const uint8_t *head, size_t split,
                                           uint8_t *out, size_t nb, const int open, __m512i *scan)
{
    /* The counters in a local, so that they stay in a register across the iterations. */
    __m512i ctr = *ctrp, g[4];
    if (open && scan != NULL) {
        __m512i last = *scan, gn = _mm512_setzero_si512();
        const __m512i one = _mm512_set1_epi64(1);
        for (size_t i = 0; i < nb; i++) {
            load16(g, head + BATCH * i);
            ctr16_ghash16(k, nr, &ctr, &y, head + BATCH * i, out + BATCH * i, g);
            last = ct_scan_group_avx512(last, gn, g[0], g[1], g[2], g[3]);
            gn = _mm512_add_epi64(gn, one);
        }
        *scan = last;
    } else if (open) {
        for (size_t i = 0; i < nb; i++) {
            load16(g, head + BATCH * i);
            ctr16_ghash16(k, nr, &ctr, &y, head + BATCH * i, out + BATCH * i, g);
        }
    } else {
        ctr16(k, nr, &ctr, aead_split_src(head, split, out, 0), out, g);
        for (size_t i = 1; i < nb; i++)
            ctr16_ghash16(k, nr, &ctr, &y, aead_split_src(head, split, out, BATCH * i),
                          out + BATCH * i, g);
        y = ghash16(k, y, g);
    }
    *ctrp = ctr;
    return y;
}

#define BULK_COPY(nr)                                                                              \
    GCM_V512 static __m128i bulk##nr(const gcm_x86_key *k, __m512i *ctr, __m128i y,                \
                                     const uint8_t *head, size_t split, uint8_t *out, size_t nb,   \
                                     int open, __m512i *scan)                                      \
    {                                                                                              \
        return bulk(k, nr, ctr, y, head, split, out, nb, open, scan);                              \
    }
BULK_COPY(10)
BULK_COPY(12)
BULK_COPY(14)

GCM_V512 static __m128i run_bulk(const gcm_x86_key *k, __m512i *ctr, __m128i y, const uint8_t *head,
                                 size_t split, uint8_t *out, size_t nb, int open, __m512i *scan)
{
    if (nb == 0)
        return y;
    switch (k->rounds) {
    case 10:
        return bulk10(k, ctr, y, head, split, out, nb, open, scan);
    case 12:
        return bulk12(k, ctr, y, head, split, out, nb, open, scan);
    default:
        return bulk14(k, ctr, y, head, split, out, nb, open, scan);
    }
}

/* The seal core (aead_impls.h): the plaintext below split is read from head, the rest from out
 * (in place); split is a multiple of BATCH or the end. */
GCM_V512 static int seal_core(const tenon_aead_ctx *ctx, const uint8_t *nonce, size_t nonce_len,
                              const uint8_t *aad, size_t aad_len, const uint8_t *head, size_t split,
                              uint8_t *out, size_t len, uint8_t *tag)
{
    GUARD(gcm_check_args(nonce, nonce_len, aad, aad_len, out, len, out, tag));
    ENSURE(split == 0 || head != NULL, TENON_ERR_INVALID_ARGUMENT);
    const gcm_x86_key *k = get_key(ctx);
    __m512i ctr, tail_ks;
    __m128i ek0, y;
    start(k, nonce, nonce_len, aad, aad_len, len, &ctr, &ek0, &y, &tail_ks);

    /* §7.1 steps 3-4. */
    const size_t nb = len / BATCH, done = nb * BATCH;
    y = run_bulk(k, &ctr, y, head, split, out, nb, 0, NULL);
    if (done < len) {
        ctr_tail(k, ctr, tail_ks, aead_split_src(head, split, out, done), out + done, len - done);
        y = ghash_part(k, y, out + done, len - done);
    }
    finish(k, y, ek0, aad_len, len, tag);
    return TENON_OK;
}

AEAD_SEAL_ENTRIES(GCM_V512, v512_seal, v512_seal_split, seal_core, BATCH)

/* The open (tenon_aead_class.open); with scan, also the first pass of the content-type scan
 * over the plaintext (ct_scan_avx512.h), the whole batches in bulk and the last, partial group
 * here, from out with masked loads. */
GCM_V512 static ALWAYS_INLINE int open_core(const tenon_aead_ctx *ctx, const uint8_t *nonce,
                                            size_t nonce_len, const uint8_t *aad, size_t aad_len,
                                            const uint8_t *in, size_t in_len, const uint8_t *tag,
                                            uint8_t *out, __m512i *scan)
{
    GUARD(gcm_check_args(nonce, nonce_len, aad, aad_len, in, in_len, out, tag));
    const gcm_x86_key *k = get_key(ctx);
    __m512i ctr, tail_ks;
    __m128i ek0, y;
    start(k, nonce, nonce_len, aad, aad_len, in_len, &ctr, &ek0, &y, &tail_ks);

    /* §7.2 steps 4-6: each batch of ciphertext is hashed while it is decrypted. */
    const size_t nb = in_len / BATCH, done = nb * BATCH;
    y = run_bulk(k, &ctr, y, in, in_len, out, nb, 1, scan);
    if (done < in_len) {
        /* Hashed first: in may be out. */
        y = ghash_part(k, y, in + done, in_len - done);
        ctr_tail(k, ctr, tail_ks, in + done, out + done, in_len - done);
    }
    if (scan != NULL && done < in_len) {
        __m512i b[4];
        for (size_t m = 0; m < 4; m++)
            b[m] = _mm512_maskz_loadu_epi8(byte_mask(in_len - done, m),
                                           out + done + (byte_mask(in_len - done, m) ? 64 * m : 0));
        *scan =
            ct_scan_group_avx512(*scan, _mm512_set1_epi64((long long)nb), b[0], b[1], b[2], b[3]);
    }
    uint8_t want[16];
    finish(k, y, ek0, aad_len, in_len, want);
    return gcm_open_verdict(want, tag, out, in_len);
}

GCM_V512 static int v512_open(const tenon_aead_ctx *ctx, const uint8_t *nonce, size_t nonce_len,
                              const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t in_len,
                              const uint8_t *tag, uint8_t *out)
{
    return open_core(ctx, nonce, nonce_len, aad, aad_len, in, in_len, tag, out, NULL);
}

GCM_V512 int gcm_v512_open_last_nonzero(const tenon_aead_ctx *ctx, const uint8_t *nonce,
                                        size_t nonce_len, const uint8_t *aad, size_t aad_len,
                                        const uint8_t *in, size_t in_len, const uint8_t *tag,
                                        uint8_t *out, size_t *pos, uint32_t *found)
{
    __m512i scan = CT_SCAN_NONE_AVX512;
    int rc = open_core(ctx, nonce, nonce_len, aad, aad_len, in, in_len, tag, out, &scan);
    /* The second pass only on authentic plaintext: a forgery's tells nothing. */
    if (rc == TENON_OK)
        *pos = ct_last_nonzero_finish_avx512(out, in_len, ct_scan_last_group_avx512(scan), found);
    return rc;
}

const tenon_aead_class aes_gcm_vaes_avx512_class = {
    "AES-GCM/vaes-avx512",
    "AES-GCM",
    TENON_CPU_AESNI | TENON_CPU_PCLMUL | TENON_CPU_AVX | TENON_CPU_AVX2 | TENON_CPU_VAES |
        TENON_CPU_VPCLMUL | TENON_CPU_AVX512F | TENON_CPU_AVX512VL | TENON_CPU_AVX512BW,
    TENON_AEAD_TAG_LEN,
    v512_init,
    v512_seal,
    v512_open,
    v512_seal_split,
};

#endif
