/*
 * AES-GCM (SP 800-38D) with AES-NI and PCLMULQDQ on 128-bit registers.
 *
 * The bulk loop handles 8 blocks per iteration. Their counter blocks go through AES together
 * (eight independent AESENC chains keep the AES unit busy despite its latency), and between the
 * rounds the GHASH of 8 other ciphertext blocks is computed: the previous 8 when sealing (the
 * ciphertext must exist before it is hashed), the same 8 when opening. The 8 products are
 * accumulated unreduced, with the powers H^8..H^1 precomputed, and reduced once (aggregated
 * reduction: Y' = (Y ^ X1) H^8 ^ X2 H^7 ^ ... ^ X8 H, a rewriting of the §6.4 recurrence).
 * Each product uses Karatsuba (three carry-less multiplications) with the XOR of the halves of
 * each power precomputed too. The field representation and the reduction are explained in
 * gcm.h.
 *
 * Everything runs on the AES and carry-less multiplication units: no table, no branch on the
 * key or the data.
 */
#include "../common.h"
#include "aead_impls.h"
#include "aes.h"
#include "ct.h"
#include "gcm.h"

#if TENON_X86_64
#include <immintrin.h>

#define GCM_NI TENON_TARGET("aes,pclmul,sse4.1,ssse3")

_Static_assert(sizeof(gcm_x86_key) <= TENON_AEAD_STATE_SIZE, "GCM context too large");

static gcm_x86_key *get_key(const tenon_aead_ctx *ctx)
{
    return (gcm_x86_key *)(uintptr_t)ctx->state;
}

/* Reverses the 16 bytes: block (byte) form <-> integer form (gcm.h). */
GCM_NI static inline __m128i bswap128(__m128i x)
{
    return _mm_shuffle_epi8(x, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

/* The key is in the caller's context, at any 8-byte alignment (gcm.h): unaligned loads only
 * (MOVDQU on aligned data costs the same as MOVDQA). */
GCM_NI static inline __m128i round_key(const gcm_x86_key *k, unsigned r)
{
    return _mm_loadu_si128((const __m128i *)(const void *)k->rk[r]);
}

GCM_NI static inline __m128i hpow(const gcm_x86_key *k, size_t i)
{
    return _mm_loadu_si128((const __m128i *)(const void *)k->hpow[i]);
}

GCM_NI static inline __m128i hkar(const gcm_x86_key *k, size_t i)
{
    return _mm_loadu_si128((const __m128i *)(const void *)k->hkar[i]);
}

/* Montgomery reduction of the 256-bit (hi:lo) by y^128 (gcm.h): two steps, each a carry-less
 * multiplication of the low 64 bits by 0xC2000...0, a swap of the qwords and an XOR. */
GCM_NI static inline __m128i reduce(__m128i lo, __m128i hi)
{
    const __m128i c = _mm_set_epi64x(0, (long long)GCM_RED_CONST);
    __m128i t = _mm_clmulepi64_si128(lo, c, 0x00);
    lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4e), t);
    t = _mm_clmulepi64_si128(lo, c, 0x00);
    lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4e), t);
    return _mm_xor_si128(hi, lo);
}

/* Completes Karatsuba (the middle product minus the outer two) and reduces. */
GCM_NI static inline __m128i fold(__m128i lo, __m128i hi, __m128i mid)
{
    mid = _mm_xor_si128(mid, _mm_xor_si128(lo, hi));
    lo = _mm_xor_si128(lo, _mm_slli_si128(mid, 8));
    hi = _mm_xor_si128(hi, _mm_srli_si128(mid, 8));
    return reduce(lo, hi);
}

/* a * b * y^-128: the schoolbook product, for the key set-up. */
GCM_NI static __m128i mont_mul(__m128i a, __m128i b)
{
    __m128i lo = _mm_clmulepi64_si128(a, b, 0x00);
    __m128i hi = _mm_clmulepi64_si128(a, b, 0x11);
    __m128i mid = _mm_xor_si128(_mm_clmulepi64_si128(a, b, 0x01), _mm_clmulepi64_si128(a, b, 0x10));
    lo = _mm_xor_si128(lo, _mm_slli_si128(mid, 8));
    hi = _mm_xor_si128(hi, _mm_srli_si128(mid, 8));
    return reduce(lo, hi);
}

/* Keeps each running XOR sum a chain: left alone, the compiler reassociates it into a tree
 * whose leaves (every partial product) are all live at once and spill. */
#define ACC_BARRIER(v) __asm__("" : "+x"(v))

/* Accumulates the unreduced product of the integer-form block d by power i. */
#define GH_ACC(d, i)                                                                               \
    do {                                                                                           \
        __m128i h_ = hpow(k, (i));                                                                 \
        lo = _mm_xor_si128(lo, _mm_clmulepi64_si128((d), h_, 0x00));                               \
        hi = _mm_xor_si128(hi, _mm_clmulepi64_si128((d), h_, 0x11));                               \
        __m128i m_ = _mm_xor_si128((d), _mm_shuffle_epi32((d), 0x4e));                             \
        mid = _mm_xor_si128(mid, _mm_clmulepi64_si128(m_, hkar(k, (i)), 0x00));                    \
        ACC_BARRIER(lo);                                                                           \
        ACC_BARRIER(hi);                                                                           \
        ACC_BARRIER(mid);                                                                          \
    } while (0)

/* §6.4 over n whole blocks (1 <= n <= 8) with one reduction: block j takes H^(n - j). The
 * first block, which carries y, is accumulated last so the other products need not wait for
 * the previous reduction. */
GCM_NI static inline __m128i ghash_n(const gcm_x86_key *k, __m128i y, const uint8_t *p, size_t n)
{
    __m128i lo = _mm_setzero_si128(), hi = lo, mid = lo;
    const size_t base = GCM_X86_POWERS - n;
    for (size_t j = 1; j < n; j++) {
        const __m128i d = bswap128(_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * j)));
        GH_ACC(d, base + j);
    }
    const __m128i d = _mm_xor_si128(bswap128(_mm_loadu_si128((const __m128i *)(const void *)p)), y);
    GH_ACC(d, base);
    return fold(lo, hi, mid);
}

/* GHASH over len bytes in integer form, the last partial block zero-padded. */
GCM_NI static __m128i ghash_bytes(const gcm_x86_key *k, __m128i y, const uint8_t *p, size_t len)
{
    while (len >= 128) {
        y = ghash_n(k, y, p, 8);
        p += 128;
        len -= 128;
    }
    if (len >= 16) {
        y = ghash_n(k, y, p, len / 16);
        p += len & ~(size_t)15;
        len &= 15;
    }
    if (len > 0) {
        /* The partial block in a register (gcm_load_partial), zero-padded: y = (y ^ d) H. */
        uint64_t w[2];
        gcm_load_partial(w, p, len);
        const __m128i d = bswap128(_mm_set_epi64x((long long)w[1], (long long)w[0]));
        y = mont_mul(_mm_xor_si128(y, d), hpow(k, GCM_X86_POWERS - 1));
    }
    return y;
}

/* gcm_ghash_fn for J0 (gcm_derive_j0). */
GCM_NI static void ghash_fn(const void *key, uint8_t y[16], const uint8_t *data, size_t len)
{
    __m128i v = bswap128(_mm_loadu_si128((const __m128i *)(void *)y));
    v = ghash_bytes(key, v, data, len);
    _mm_storeu_si128((__m128i *)(void *)y, bswap128(v));
}

GCM_NI static inline __m128i encrypt1(const gcm_x86_key *k, __m128i b)
{
    b = _mm_xor_si128(b, round_key(k, 0));
    for (unsigned r = 1; r < k->rounds; r++)
        b = _mm_aesenc_si128(b, round_key(k, r));
    return _mm_aesenclast_si128(b, round_key(k, k->rounds));
}

GCM_NI static inline void store_power(gcm_x86_key *k, size_t i, __m128i p)
{
    _mm_storeu_si128((__m128i *)(void *)k->hpow[GCM_X86_POWERS - i], p);
    _mm_storeu_si128((__m128i *)(void *)k->hkar[GCM_X86_POWERS - i],
                     _mm_xor_si128(p, _mm_shuffle_epi32(p, 0x4e)));
}

/* Runs at every key installation and at every wake of an idle connection (docs/memory.md), so
 * it is kept short: the encryption round keys only, written in place, and the powers of H by
 * doubling so that the multiplications of each level are independent. */
GCM_NI void gcm_x86_set_key(gcm_x86_key *k, const uint8_t *key, size_t key_len)
{
    k->rounds = aes_x86ni_expand_enc(k->rk[0], sizeof k->rk[0], key, key_len);
    for (unsigned r = 0; r <= k->rounds; r++)
        memcpy(k->rk[r] + 16, k->rk[r], 16);

    /* §6.4: H = CIPH_K(0^128), then H' = H * y (gcm.h): shift the integer left by one and,
     * when bit 127 falls out, add P* (mask, no branch). */
    __m128i h = bswap128(encrypt1(k, _mm_setzero_si128()));
    __m128i carry = _mm_srli_epi64(h, 63);
    __m128i top = _mm_srai_epi32(_mm_shuffle_epi32(h, 0xff), 31);
    h = _mm_or_si128(_mm_slli_epi64(h, 1), _mm_slli_si128(carry, 8));
    h = _mm_xor_si128(h, _mm_and_si128(top, _mm_set_epi64x((long long)GCM_RED_CONST, 1)));

    /* H'^(a + b) = mont(H'^a, H'^b): the field product is associative, so the powers equal
     * those of a chain of multiplications by H', bit for bit (each is the reduced 128-bit
     * element). Levels: H^2; H^3, H^4; H^5..H^8; H^9..H^16. */
    store_power(k, 1, h);
    __m128i h2 = mont_mul(h, h);
    store_power(k, 2, h2);
    store_power(k, 3, mont_mul(h2, h));
    __m128i h4 = mont_mul(h2, h2);
    store_power(k, 4, h4);
    for (size_t step = 4; step < GCM_X86_POWERS; step *= 2) {
        const __m128i top_power = hpow(k, GCM_X86_POWERS - step);
        for (size_t i = 1; i <= step; i++)
            store_power(k, step + i, mont_mul(top_power, hpow(k, GCM_X86_POWERS - i)));
    }
}

/* ---- CTR (§6.5 GCTR with inc32) -------------------------------------------------------------
 * The counter is kept in integer form, where the 32-bit big-endian counter field of the block
 * is the low dword: inc32 is a 32-bit addition that wraps as §6.2 requires. */

#define REP8(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7)

#define CTR_LOAD(j)                                                                                \
    __m128i b##j = _mm_xor_si128(bswap128(_mm_add_epi32(ctr, _mm_set_epi32(0, 0, 0, j))), rk0);
#define ENC_ROUND_J(j) b##j = _mm_aesenc_si128(b##j, rk_);
#define ENC_LAST_J(j) b##j = _mm_aesenclast_si128(b##j, rk_);
#define ENC_ROUND(r)                                                                               \
    do {                                                                                           \
        const __m128i rk_ = round_key(k, (r));                                                     \
        REP8(ENC_ROUND_J)                                                                          \
    } while (0)
#define XOR_STORE(j)                                                                               \
    _mm_storeu_si128(                                                                              \
        (__m128i *)(void *)(out + 16 * j),                                                         \
        _mm_xor_si128(b##j, _mm_loadu_si128((const __m128i *)(const void *)(in + 16 * j))));
#define GH_BLOCK(j)                                                                                \
    do {                                                                                           \
        __m128i d_ = bswap128(_mm_loadu_si128((const __m128i *)(const void *)(gsrc + 16 * j)));    \
        if (j == 0)                                                                                \
            d_ = _mm_xor_si128(d_, *y);                                                            \
        GH_ACC(d_, 8 + j);                                                                         \
    } while (0)

/* 8 blocks of CTR: out = in ^ E(ctr .. ctr + 7); ctr += 8. */
GCM_NI static inline void ctr8(const gcm_x86_key *k, __m128i *ctrp, const uint8_t *in, uint8_t *out)
{
    const __m128i ctr = *ctrp, rk0 = round_key(k, 0);
    REP8(CTR_LOAD)
    for (unsigned r = 1; r < k->rounds; r++)
        ENC_ROUND(r);
    {
        const __m128i rk_ = round_key(k, k->rounds);
        REP8(ENC_LAST_J)
    }
    REP8(XOR_STORE)
    *ctrp = _mm_add_epi32(ctr, _mm_set_epi32(0, 0, 0, 8));
}

/* ctr8 with the GHASH of the 8 blocks at gsrc done between the rounds. gsrc is read before
 * out is written, so gsrc == in == out is fine. */
GCM_NI static inline __attribute__((always_inline)) void
ctr8_ghash8(const gcm_x86_key *k, const unsigned nr, __m128i *ctrp, __m128i *y, const uint8_t *in,
            uint8_t *out, const uint8_t *gsrc)
{
    const __m128i ctr = *ctrp, rk0 = round_key(k, 0);
    __m128i lo = _mm_setzero_si128(), hi = lo, mid = lo;
    REP8(CTR_LOAD)
    /* The first block, into which y is folded, goes last (see ghash_n). */
    ENC_ROUND(1);
    GH_BLOCK(1);
    ENC_ROUND(2);
    GH_BLOCK(2);
    ENC_ROUND(3);
    GH_BLOCK(3);
    ENC_ROUND(4);
    GH_BLOCK(4);
    ENC_ROUND(5);
    GH_BLOCK(5);
    ENC_ROUND(6);
    GH_BLOCK(6);
    ENC_ROUND(7);
    GH_BLOCK(7);
    ENC_ROUND(8);
    GH_BLOCK(0);
    /* Reduced here, so that only y stays live through the remaining rounds. */
    *y = fold(lo, hi, mid);
    for (unsigned r = 9; r < nr; r++)
        ENC_ROUND(r);
    {
        const __m128i rk_ = round_key(k, nr);
        REP8(ENC_LAST_J)
    }
    REP8(XOR_STORE)
    *ctrp = _mm_add_epi32(ctr, _mm_set_epi32(0, 0, 0, 8));
}

/* Fewer than 8 blocks (len < 128, the last one possibly partial): the keystream of 8 blocks
 * (ctr8 over zeros) in a stack buffer, whole blocks XORed in place and the partial one in
 * pieces (gcm_load_partial): a byte copy of the input through the stack read back whole would
 * wait for a failed store forward. The keystream is wiped after. */
GCM_NI static void ctr_tail(const gcm_x86_key *k, __m128i *ctrp, const uint8_t *src, uint8_t *dst,
                            size_t len)
{
    static const uint8_t zeros[128];
    uint8_t ks[128];
    ctr8(k, ctrp, zeros, ks);
    size_t off = 0;
    for (; off + 16 <= len; off += 16)
        _mm_storeu_si128((__m128i *)(void *)(dst + off),
                         _mm_xor_si128(_mm_loadu_si128((const __m128i *)(const void *)(src + off)),
                                       _mm_loadu_si128((const __m128i *)(const void *)(ks + off))));
    if (off < len) {
        uint64_t w[2], kw[2];
        gcm_load_partial(w, src + off, len - off);
        memcpy(kw, ks + off, 16);
        w[0] ^= kw[0];
        w[1] ^= kw[1];
        gcm_store_partial(dst + off, w, len - off);
    }
    tenon_wipe(ks, sizeof ks);
}

/* n batches of 8 blocks from in to out, each stitched with the GHASH of the batch at the same
 * offset of gsrc (sealing: gsrc is out, one batch behind; opening: gsrc is in). One copy of
 * the loop per round count, so that the rounds unroll. */
GCM_NI static void stitched_loop(const gcm_x86_key *k, __m128i *ctr, __m128i *y, const uint8_t *in,
                                 uint8_t *out, const uint8_t *gsrc, size_t n)
{
    switch (k->rounds) {
    case 10:
        for (size_t off = 0; off < 128 * n; off += 128)
            ctr8_ghash8(k, 10, ctr, y, in + off, out + off, gsrc + off);
        break;
    case 12:
        for (size_t off = 0; off < 128 * n; off += 128)
            ctr8_ghash8(k, 12, ctr, y, in + off, out + off, gsrc + off);
        break;
    default:
        for (size_t off = 0; off < 128 * n; off += 128)
            ctr8_ghash8(k, 14, ctr, y, in + off, out + off, gsrc + off);
        break;
    }
}

int gcm_x86_init(tenon_aead_ctx *ctx, const tenon_aead_class *cls, const uint8_t *key,
                 size_t key_len)
{
    ENSURE(ctx != NULL && key != NULL, TENON_ERR_INVALID_ARGUMENT);
    GUARD(gcm_check_key_len(key_len));
    gcm_x86_set_key(get_key(ctx), key, key_len);
    ctx->vtable = cls;
    return TENON_OK;
}

static int aesni_init(tenon_aead_ctx *ctx, const uint8_t *key, size_t key_len)
{
    return gcm_x86_init(ctx, &aes_gcm_aesni_class, key, key_len);
}

/* §7.1 steps 1-2: J0, E(K, J0) for the tag, the first counter inc32(J0), GHASH of the AAD. */
GCM_NI static void start(const gcm_x86_key *k, const uint8_t *nonce, size_t nonce_len,
                         const uint8_t *aad, size_t aad_len, __m128i *ctr, __m128i *ek0, __m128i *y)
{
    uint8_t j0[16];
    gcm_derive_j0(j0, nonce, nonce_len, ghash_fn, k);
    __m128i j = _mm_loadu_si128((const __m128i *)(void *)j0);
    *ek0 = encrypt1(k, j);
    *ctr = _mm_add_epi32(bswap128(j), _mm_set_epi32(0, 0, 0, 1));
    /* For other than 96-bit nonces J0 = GHASH_H(IV), which says something about H. */
    tenon_wipe(j0, sizeof j0);
    *y = ghash_bytes(k, _mm_setzero_si128(), aad, aad_len);
}

/* §7.1 steps 5-6: the length block (in integer form its two halves are the two qwords), one
 * more multiplication by H, and T = E(K, J0) ^ S in block form. */
GCM_NI static void finish(const gcm_x86_key *k, __m128i y, __m128i ek0, size_t aad_len,
                          size_t text_len, uint8_t tag[16])
{
    __m128i lens =
        _mm_set_epi64x((long long)((uint64_t)aad_len << 3), (long long)((uint64_t)text_len << 3));
    y = mont_mul(_mm_xor_si128(y, lens), hpow(k, GCM_X86_POWERS - 1));
    _mm_storeu_si128((__m128i *)(void *)tag, _mm_xor_si128(bswap128(y), ek0));
}

/* The seal core (aead_impls.h): the plaintext below split is read from head, the rest from out
 * (in place); split is a multiple of 128 (one batch) or the end. */
GCM_NI static int seal_core(const tenon_aead_ctx *ctx, const uint8_t *nonce, size_t nonce_len,
                            const uint8_t *aad, size_t aad_len, const uint8_t *head, size_t split,
                            uint8_t *out, size_t len, uint8_t *tag)
{
    GUARD(gcm_check_args(nonce, nonce_len, aad, aad_len, out, len, out, tag));
    ENSURE(split == 0 || head != NULL, TENON_ERR_INVALID_ARGUMENT);
    const gcm_x86_key *k = get_key(ctx);
    __m128i ctr, ek0, y;
    start(k, nonce, nonce_len, aad, aad_len, &ctr, &ek0, &y);

    /* §7.1 steps 3-4. The GHASH of batch i runs during the AES of batch i + 1: batches 1 ..
     * ns - 1 come from head, the rest from out. */
    size_t nb = len / 128, done = 0;
    if (nb > 0) {
        size_t ns = split / 128 < nb ? split / 128 : nb;
        ctr8(k, &ctr, aead_split_src(head, split, out, 0), out);
        if (ns > 1)
            stitched_loop(k, &ctr, &y, head + 128, out + 128, out, ns - 1);
        ns = ns > 1 ? ns : 1;
        stitched_loop(k, &ctr, &y, out + 128 * ns, out + 128 * ns, out + 128 * (ns - 1), nb - ns);
        done = 128 * (nb - 1);
        y = ghash_n(k, y, out + done, 8);
        done += 128;
    }
    if (done < len) {
        ctr_tail(k, &ctr, aead_split_src(head, split, out, done), out + done, len - done);
        y = ghash_bytes(k, y, out + done, len - done);
    }
    finish(k, y, ek0, aad_len, len, tag);
    return TENON_OK;
}

AEAD_SEAL_ENTRIES(GCM_NI, aesni_seal, aesni_seal_split, seal_core, 128)

GCM_NI static int aesni_open(const tenon_aead_ctx *ctx, const uint8_t *nonce, size_t nonce_len,
                             const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t in_len,
                             const uint8_t *tag, uint8_t *out)
{
    GUARD(gcm_check_args(nonce, nonce_len, aad, aad_len, in, in_len, out, tag));
    const gcm_x86_key *k = get_key(ctx);
    __m128i ctr, ek0, y;
    start(k, nonce, nonce_len, aad, aad_len, &ctr, &ek0, &y);

    /* §7.2 steps 5-6: each batch of ciphertext is hashed while it is decrypted. */
    size_t nb = in_len / 128, done = 0;
    stitched_loop(k, &ctr, &y, in, out, in, nb);
    done = 128 * nb;
    if (done < in_len) {
        y = ghash_bytes(k, y, in + done, in_len - done);
        ctr_tail(k, &ctr, in + done, out + done, in_len - done);
    }
    uint8_t want[16];
    finish(k, y, ek0, aad_len, in_len, want);
    /* §7.2 step 8, in constant time; on failure the output is zeroed without a branch. */
    uint32_t ok = ct_mask_memeq(want, tag, 16);
    gcm_mask_output(out, in_len, ok);
    tenon_wipe(want, sizeof want);
    return gcm_open_result(ok);
}

const tenon_aead_class aes_gcm_aesni_class = {
    "AES-GCM/aesni-pclmul",
    "AES-GCM",
    TENON_CPU_AESNI | TENON_CPU_PCLMUL | TENON_CPU_SSSE3 | TENON_CPU_SSE41,
    TENON_AEAD_TAG_LEN,
    aesni_init,
    aesni_seal,
    aesni_open,
    aesni_seal_split,
};

#endif
