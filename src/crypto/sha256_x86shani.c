/*
 * SHA-256 compression with the x86 SHA extensions (SHA-NI).
 *
 * SHA256RNDS2 does two rounds on a state split across two registers, {A,B,E,F} and {C,D,G,H}
 * (A in the top lane), taking W(t) + K(t) for the two rounds in the low 64 bits of a third
 * register. SHA256MSG1 and SHA256MSG2 compute four words of the message schedule at a time.
 * Only called after cpu_has() confirmed SHA, SSE4.1 and SSSE3.
 */
#include "../common.h"
#include "sha2.h"

#if TENON_X86_64
#include <immintrin.h>

#define SHANI_TARGET TENON_TARGET("sha,sse4.1,ssse3")

/* Four more words of FIPS 180-4 §6.2.2 step 1 from the previous sixteen (w0 oldest):
 * MSG1 adds SSIG0(W(t-15)) to W(t-16), the ALIGNR supplies W(t-7), MSG2 adds SSIG1(W(t-2)),
 * two of which are among the words it is producing. */
SHANI_TARGET static inline __m128i shani_schedule(__m128i w0, __m128i w1, __m128i w2, __m128i w3)
{
    __m128i t = _mm_sha256msg1_epu32(w0, w1);
    t = _mm_add_epi32(t, _mm_alignr_epi8(w3, w2, 4));
    return _mm_sha256msg2_epu32(t, w3);
}

/* Four rounds t .. t+3 with message words w. RNDS2 returns the new {A,B,E,F}; the old one
 * becomes the new {C,D,G,H}, so the two registers swap roles between the halves. */
#define QROUNDS(w, t)                                                                              \
    do {                                                                                           \
        __m128i wk_ = _mm_add_epi32((w), _mm_load_si128((const __m128i *)(sha256_k + (t))));       \
        cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk_);                                             \
        abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk_, 0x0e));                    \
    } while (0)

/* h[0..3] = {A,B,C,D} and h[4..7] = {E,F,G,H} in lanes 0..3; RNDS2 wants {F,E,B,A} and
 * {H,G,D,C} in lanes 0..3. */
SHANI_TARGET static inline void shani_load_state(const uint32_t h[8], __m128i *abef, __m128i *cdgh)
{
    __m128i s0 = _mm_loadu_si128((const __m128i *)h);       /* lanes A,B,C,D */
    __m128i s1 = _mm_loadu_si128((const __m128i *)(h + 4)); /* lanes E,F,G,H */
    __m128i t0 = _mm_shuffle_epi32(s0, 0xb1);               /* lanes B,A,D,C */
    __m128i t1 = _mm_shuffle_epi32(s1, 0x1b);               /* lanes H,G,F,E */
    *abef = _mm_alignr_epi8(t0, t1, 8);                     /* lanes F,E,B,A */
    *cdgh = _mm_blend_epi16(t1, t0, 0xf0);                  /* lanes H,G,D,C */
}

/* Back to {A,B,C,D}, {E,F,G,H}. */
SHANI_TARGET static inline void shani_store_state(uint32_t h[8], __m128i abef, __m128i cdgh)
{
    __m128i t0 = _mm_shuffle_epi32(abef, 0x1b); /* lanes A,B,E,F */
    __m128i t1 = _mm_shuffle_epi32(cdgh, 0xb1); /* lanes G,H,C,D */
    __m128i s0 = _mm_blend_epi16(t0, t1, 0xf0); /* lanes A,B,C,D */
    __m128i s1 = _mm_alignr_epi8(t1, t0, 8);    /* lanes E,F,G,H */
    _mm_storeu_si128((__m128i *)h, s0);
    _mm_storeu_si128((__m128i *)(h + 4), s1);
}

/* Big-endian words: reverse the bytes within each 32-bit lane. */
#define SHANI_BSWAP _mm_set_epi64x(0x0c0d0e0f08090a0bll, 0x0405060700010203ll)

SHANI_TARGET static void sha256_blocks_shani(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
    const __m128i bswap = SHANI_BSWAP;
    __m128i abef, cdgh;
    shani_load_state(h, &abef, &cdgh);

    while (nblocks-- > 0) {
        __m128i abef0 = abef, cdgh0 = cdgh;
        __m128i w0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 0)), bswap);
        __m128i w1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), bswap);
        __m128i w2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), bswap);
        __m128i w3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), bswap);

        QROUNDS(w0, 0);
        QROUNDS(w1, 4);
        QROUNDS(w2, 8);
        QROUNDS(w3, 12);
        w0 = shani_schedule(w0, w1, w2, w3);
        QROUNDS(w0, 16);
        w1 = shani_schedule(w1, w2, w3, w0);
        QROUNDS(w1, 20);
        w2 = shani_schedule(w2, w3, w0, w1);
        QROUNDS(w2, 24);
        w3 = shani_schedule(w3, w0, w1, w2);
        QROUNDS(w3, 28);
        w0 = shani_schedule(w0, w1, w2, w3);
        QROUNDS(w0, 32);
        w1 = shani_schedule(w1, w2, w3, w0);
        QROUNDS(w1, 36);
        w2 = shani_schedule(w2, w3, w0, w1);
        QROUNDS(w2, 40);
        w3 = shani_schedule(w3, w0, w1, w2);
        QROUNDS(w3, 44);
        w0 = shani_schedule(w0, w1, w2, w3);
        QROUNDS(w0, 48);
        w1 = shani_schedule(w1, w2, w3, w0);
        QROUNDS(w1, 52);
        w2 = shani_schedule(w2, w3, w0, w1);
        QROUNDS(w2, 56);
        w3 = shani_schedule(w3, w0, w1, w2);
        QROUNDS(w3, 60);

        /* FIPS 180-4 §6.2.2 step 4: add the block's input state. */
        abef = _mm_add_epi32(abef, abef0);
        cdgh = _mm_add_epi32(cdgh, cdgh0);
        p += 64;
    }
    shani_store_state(h, abef, cdgh);
}

/* Two independent blocks, one into each state, their rounds alternating: a block is one chain
 * of 32 SHA256RNDS2, each waiting on the last, so the second block's rounds fill the gaps (an
 * HMAC key's two blocks, K ^ ipad and K ^ opad). */
#define QROUNDS2(wa, wb, t)                                                                        \
    do {                                                                                           \
        __m128i k_ = _mm_load_si128((const __m128i *)(sha256_k + (t)));                            \
        __m128i wka_ = _mm_add_epi32((wa), k_), wkb_ = _mm_add_epi32((wb), k_);                    \
        cdgha = _mm_sha256rnds2_epu32(cdgha, abefa, wka_);                                         \
        cdghb = _mm_sha256rnds2_epu32(cdghb, abefb, wkb_);                                         \
        abefa = _mm_sha256rnds2_epu32(abefa, cdgha, _mm_shuffle_epi32(wka_, 0x0e));                \
        abefb = _mm_sha256rnds2_epu32(abefb, cdghb, _mm_shuffle_epi32(wkb_, 0x0e));                \
    } while (0)

SHANI_TARGET static void sha256_block2_shani(uint32_t ha[8], const uint8_t *pa, uint32_t hb[8],
                                             const uint8_t *pb)
{
    const __m128i bswap = SHANI_BSWAP;
    __m128i abefa, cdgha, abefb, cdghb;
    shani_load_state(ha, &abefa, &cdgha);
    shani_load_state(hb, &abefb, &cdghb);
    __m128i abefa0 = abefa, cdgha0 = cdgha, abefb0 = abefb, cdghb0 = cdghb;
    __m128i a0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(pa + 0)), bswap);
    __m128i a1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(pa + 16)), bswap);
    __m128i a2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(pa + 32)), bswap);
    __m128i a3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(pa + 48)), bswap);
    __m128i b0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(pb + 0)), bswap);
    __m128i b1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(pb + 16)), bswap);
    __m128i b2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(pb + 32)), bswap);
    __m128i b3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(pb + 48)), bswap);

    QROUNDS2(a0, b0, 0);
    QROUNDS2(a1, b1, 4);
    QROUNDS2(a2, b2, 8);
    QROUNDS2(a3, b3, 12);
    /* Rounds 16 .. 63, four at a time, each group's words from the sixteen before. */
    for (int t = 16; t < 64; t += 16) {
        a0 = shani_schedule(a0, a1, a2, a3);
        b0 = shani_schedule(b0, b1, b2, b3);
        QROUNDS2(a0, b0, t);
        a1 = shani_schedule(a1, a2, a3, a0);
        b1 = shani_schedule(b1, b2, b3, b0);
        QROUNDS2(a1, b1, t + 4);
        a2 = shani_schedule(a2, a3, a0, a1);
        b2 = shani_schedule(b2, b3, b0, b1);
        QROUNDS2(a2, b2, t + 8);
        a3 = shani_schedule(a3, a0, a1, a2);
        b3 = shani_schedule(b3, b0, b1, b2);
        QROUNDS2(a3, b3, t + 12);
    }
    shani_store_state(ha, _mm_add_epi32(abefa, abefa0), _mm_add_epi32(cdgha, cdgha0));
    shani_store_state(hb, _mm_add_epi32(abefb, abefb0), _mm_add_epi32(cdghb, cdghb0));
}

const sha256_impl sha256_x86shani_impl = {
    "x86-shani",
    TENON_CPU_SHANI | TENON_CPU_SSE41 | TENON_CPU_SSSE3,
    sha256_blocks_shani,
    sha256_block2_shani,
};
#endif
