/*
 * ChaCha20 with AVX-512F: sixteen blocks at a time (RFC 8439 §2.3-§2.4).
 *
 * The layout of chacha20_avx2.c, twice as wide: register v[i] holds state word i of sixteen
 * consecutive blocks, one block per 32-bit lane, so each quarter round of RFC 8439 §2.1 is
 * sixteen quarter rounds at once. AVX-512 brings two things the AVX2 code lacks: VPROLD, a
 * rotation in one instruction (AVX2 needs a byte shuffle or two shifts and an OR), and 32
 * registers, so the 16 state words never leave the register file and the compiler can
 * schedule the four quarter rounds of a half round side by side without inline assembly. The
 * 16 x 16 words are transposed back into sixteen serialised blocks with two rounds of unpacks
 * and two of 128-bit lane shuffles.
 */
#include "chacha20.h"

#if TENON_X86_64

#include <immintrin.h>

#include "tenon/crypto.h"

#define AVX512_TARGET TENON_TARGET("avx512f")

/* RFC 8439 §2.1: a += b; d ^= a; d <<<= 16; c += d; b ^= c; b <<<= 12; a += b; d ^= a;
 * d <<<= 8; c += d; b ^= c; b <<<= 7. */
#define QR(a, b, c, d)                                                                             \
    do {                                                                                           \
        a = _mm512_add_epi32(a, b);                                                                \
        d = _mm512_rol_epi32(_mm512_xor_si512(d, a), 16);                                          \
        c = _mm512_add_epi32(c, d);                                                                \
        b = _mm512_rol_epi32(_mm512_xor_si512(b, c), 12);                                          \
        a = _mm512_add_epi32(a, b);                                                                \
        d = _mm512_rol_epi32(_mm512_xor_si512(d, a), 8);                                           \
        c = _mm512_add_epi32(c, d);                                                                \
        b = _mm512_rol_epi32(_mm512_xor_si512(b, c), 7);                                           \
    } while (0)

/* Four 4x4 transposes of 32-bit words within the 128-bit lanes: on entry a, b, c, d hold words
 * w..w+3 of the sixteen blocks (one block per 32-bit lane); on exit lane L of a (b, c, d) holds
 * words w..w+3 of block 4L (4L + 1, 4L + 2, 4L + 3). */
#define TRANSPOSE4(a, b, c, d)                                                                     \
    do {                                                                                           \
        __m512i t0_ = _mm512_unpacklo_epi32(a, b); /* blocks 4L, 4L+1: words w, w+1 */             \
        __m512i t1_ = _mm512_unpackhi_epi32(a, b); /* blocks 4L+2, 4L+3 */                         \
        __m512i t2_ = _mm512_unpacklo_epi32(c, d); /* words w+2, w+3 */                            \
        __m512i t3_ = _mm512_unpackhi_epi32(c, d);                                                 \
        a = _mm512_unpacklo_epi64(t0_, t2_);                                                       \
        b = _mm512_unpackhi_epi64(t0_, t2_);                                                       \
        c = _mm512_unpacklo_epi64(t1_, t3_);                                                       \
        d = _mm512_unpackhi_epi64(t1_, t3_);                                                       \
    } while (0)

/* The 4x4 transpose of 128-bit lanes: on entry lane L of g0 (g1, g2, g3) is words 0-3 (4-7,
 * 8-11, 12-15) of block 4L + k; on exit o_L is the whole block 4L + k, XORed into its 64
 * bytes. */
#define STORE_K(k, g0, g1, g2, g3)                                                                 \
    do {                                                                                           \
        __m512i x0_ = _mm512_shuffle_i32x4(g0, g1, 0x44); /* g0.L0 g0.L1 g1.L0 g1.L1 */            \
        __m512i x1_ = _mm512_shuffle_i32x4(g0, g1, 0xee); /* g0.L2 g0.L3 g1.L2 g1.L3 */            \
        __m512i x2_ = _mm512_shuffle_i32x4(g2, g3, 0x44);                                          \
        __m512i x3_ = _mm512_shuffle_i32x4(g2, g3, 0xee);                                          \
        XOR_STORE(0 + (k), _mm512_shuffle_i32x4(x0_, x2_, 0x88));                                  \
        XOR_STORE(4 + (k), _mm512_shuffle_i32x4(x0_, x2_, 0xdd));                                  \
        XOR_STORE(8 + (k), _mm512_shuffle_i32x4(x1_, x3_, 0x88));                                  \
        XOR_STORE(12 + (k), _mm512_shuffle_i32x4(x1_, x3_, 0xdd));                                 \
    } while (0)

#define XOR_STORE(blk, v)                                                                          \
    _mm512_storeu_si512(                                                                           \
        (void *)(out + 64 * (blk)),                                                                \
        _mm512_xor_si512((v), _mm512_loadu_si512((const void *)(in + 64 * (blk)))))

/* ---- the row layout, for the blocks after the last whole batch ----
 *
 * A batch of sixteen costs the same however few of its blocks are used, and a single block in
 * scalar code is a chain of 80 quarter-round steps with nothing else to run beside it. For up
 * to four blocks a second layout does better: register a (b, c, d) holds row 0 (1, 2, 3) of
 * the 4 x 4 state of four blocks, one block per 128-bit lane, so the column round is one
 * quarter round on whole registers and the diagonal round is the same after rotating the words
 * of b, c and d within their lanes (VPSHUFD) and back. It is a third of the sixteen-lane
 * code's instructions for a quarter of its blocks; interleaved into a batch it costs only the
 * vector slots it takes (RFC 8439 §2.3: the same 20 rounds, the same additions of the input). */

/* The four rows of four blocks from counter ctr on (lane k: counter ctr + k). */
#define ROW_INIT(a, b, c, d, st, ctr)                                                              \
    do {                                                                                           \
        a = _mm512_broadcast_i32x4(_mm_loadu_si128((const void *)(st)));                           \
        b = _mm512_broadcast_i32x4(_mm_loadu_si128((const void *)((st) + 4)));                     \
        c = _mm512_broadcast_i32x4(_mm_loadu_si128((const void *)((st) + 8)));                     \
        d = _mm512_add_epi32(_mm512_broadcast_i32x4(_mm_setr_epi32((int)(ctr), (int)(st)[13],      \
                                                                   (int)(st)[14], (int)(st)[15])), \
                             _mm512_setr_epi32(0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0));   \
    } while (0)

/* The column round (diag 0) or the diagonal round (diag 1) on rows a, b, c, d. */
#define ROW_HALF(a, b, c, d, diag)                                                                 \
    do {                                                                                           \
        QR(a, b, c, d);                                                                            \
        b = _mm512_shuffle_epi32(b, (diag) ? 0x93 : 0x39);                                         \
        c = _mm512_shuffle_epi32(c, 0x4e);                                                         \
        d = _mm512_shuffle_epi32(d, (diag) ? 0x39 : 0x93);                                         \
    } while (0)

/* Lane k of rows a, b, c, d is block k: transposed with 128-bit lane shuffles and XORed into
 * the 256 bytes at in, out. */
#define ROW_STORE(a, b, c, d, in, out)                                                             \
    do {                                                                                           \
        __m512i x0_ = _mm512_shuffle_i32x4(a, b, 0x44);                                            \
        __m512i x1_ = _mm512_shuffle_i32x4(a, b, 0xee);                                            \
        __m512i x2_ = _mm512_shuffle_i32x4(c, d, 0x44);                                            \
        __m512i x3_ = _mm512_shuffle_i32x4(c, d, 0xee);                                            \
        ROW_XOR(in, out, 0, _mm512_shuffle_i32x4(x0_, x2_, 0x88));                                 \
        ROW_XOR(in, out, 1, _mm512_shuffle_i32x4(x0_, x2_, 0xdd));                                 \
        ROW_XOR(in, out, 2, _mm512_shuffle_i32x4(x1_, x3_, 0x88));                                 \
        ROW_XOR(in, out, 3, _mm512_shuffle_i32x4(x1_, x3_, 0xdd));                                 \
    } while (0)
#define ROW_XOR(in, out, k, v)                                                                     \
    _mm512_storeu_si512(                                                                           \
        (void *)((out) + 64 * (k)),                                                                \
        _mm512_xor_si512((v), _mm512_loadu_si512((const void *)((in) + 64 * (k)))))

/* What a call computes besides the sixteen-lane batch: nothing, keystream block 0 in scalar
 * registers (the one-time key), and/or four blocks in the row layout after the batch's
 * sixteen (the tail); or (EXTRA_ROWS0) one set of rows holding block 0 in its first lane and
 * the three blocks after the batch in the others. */
enum { EXTRA_BLOCK0 = 1, EXTRA_TAIL = 2, EXTRA_ROWS0 = 4 };

/* Rows a, b, c, d for EXTRA_ROWS0: lane 0 block st[12] - 1, lanes 1-3 the blocks from
 * st[12] + 16 on. */
#define ROW_INIT0(a, b, c, d, st)                                                                  \
    do {                                                                                           \
        ROW_INIT(a, b, c, d, st, (st)[12] + 15);                                                   \
        d = _mm512_add_epi32(d,                                                                    \
                             _mm512_setr_epi32(-16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)); \
    } while (0)

/* Sixteen keystream blocks for counters st[12] .. st[12] + 15 (mod 2^32), XORed into 1024
 * bytes; with EXTRA_BLOCK0 also the block with counter st[12] - 1 into ks0, in scalar
 * registers alongside (the out-of-order core runs the two side by side: the vector code keeps
 * the two 512-bit ports busy, the scalar rounds mostly use the others); with EXTRA_TAIL also
 * the four blocks from counter st[12] + 16 on in the row layout, XORed from tin into tout. */
AVX512_TARGET
static inline __attribute__((always_inline)) void
blocks16_body(const uint32_t st[16], const uint8_t *in, uint8_t *out, uint32_t ks0[16],
              const uint8_t *tin, uint8_t *tout, int extra)
{
    const int with_block0 = (extra & EXTRA_BLOCK0) != 0;
    const int with_rows0 = (extra & EXTRA_ROWS0) != 0;
    const int with_tail = (extra & EXTRA_TAIL) != 0 || with_rows0;
    const __m512i lane_ctr =
        _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i ctr = _mm512_add_epi32(_mm512_set1_epi32((int)st[12]), lane_ctr);
    __m512i v0 = _mm512_set1_epi32((int)st[0]), v1 = _mm512_set1_epi32((int)st[1]);
    __m512i v2 = _mm512_set1_epi32((int)st[2]), v3 = _mm512_set1_epi32((int)st[3]);
    __m512i v4 = _mm512_set1_epi32((int)st[4]), v5 = _mm512_set1_epi32((int)st[5]);
    __m512i v6 = _mm512_set1_epi32((int)st[6]), v7 = _mm512_set1_epi32((int)st[7]);
    __m512i v8 = _mm512_set1_epi32((int)st[8]), v9 = _mm512_set1_epi32((int)st[9]);
    __m512i v10 = _mm512_set1_epi32((int)st[10]), v11 = _mm512_set1_epi32((int)st[11]);
    __m512i v12 = ctr, v13 = _mm512_set1_epi32((int)st[13]);
    __m512i v14 = _mm512_set1_epi32((int)st[14]), v15 = _mm512_set1_epi32((int)st[15]);
    __m512i ra = v0, rb = v0, rc = v0, rd = v0;
    if (with_rows0)
        ROW_INIT0(ra, rb, rc, rd, st);
    else if (with_tail)
        ROW_INIT(ra, rb, rc, rd, st, st[12] + 16);

    uint32_t x0 = st[0], x1 = st[1], x2 = st[2], x3 = st[3], x4 = st[4], x5 = st[5];
    uint32_t x6 = st[6], x7 = st[7], x8 = st[8], x9 = st[9], x10 = st[10], x11 = st[11];
    uint32_t x12 = st[12] - 1, x13 = st[13], x14 = st[14], x15 = st[15];

    /* RFC 8439 §2.3: ten double rounds (column round, then diagonal round). */
    for (int i = 0; i < 10; i++) {
        QR(v0, v4, v8, v12);
        QR(v1, v5, v9, v13);
        if (with_tail)
            ROW_HALF(ra, rb, rc, rd, 0);
        QR(v2, v6, v10, v14);
        QR(v3, v7, v11, v15);
        if (with_block0) {
            QUARTERROUND(x0, x4, x8, x12);
            QUARTERROUND(x1, x5, x9, x13);
            QUARTERROUND(x2, x6, x10, x14);
            QUARTERROUND(x3, x7, x11, x15);
        }
        QR(v0, v5, v10, v15);
        QR(v1, v6, v11, v12);
        if (with_tail)
            ROW_HALF(ra, rb, rc, rd, 1);
        QR(v2, v7, v8, v13);
        QR(v3, v4, v9, v14);
        if (with_block0) {
            QUARTERROUND(x0, x5, x10, x15);
            QUARTERROUND(x1, x6, x11, x12);
            QUARTERROUND(x2, x7, x8, x13);
            QUARTERROUND(x3, x4, x9, x14);
        }
    }
    if (with_block0) {
        const uint32_t x[16] = {x0, x1, x2,  x3,  x4,  x5,  x6,  x7,
                                x8, x9, x10, x11, x12, x13, x14, x15};
        for (int i = 0; i < 16; i++)
            ks0[i] = x[i] + st[i];
        ks0[12] -= 1;
    }
    if (with_tail) {
        __m512i ia, ib, ic, id;
        if (with_rows0)
            ROW_INIT0(ia, ib, ic, id, st);
        else
            ROW_INIT(ia, ib, ic, id, st, st[12] + 16);
        ra = _mm512_add_epi32(ra, ia);
        rb = _mm512_add_epi32(rb, ib);
        rc = _mm512_add_epi32(rc, ic);
        rd = _mm512_add_epi32(rd, id);
        ROW_STORE(ra, rb, rc, rd, tin, tout);
    }

    /* Add the input words back (RFC 8439 §2.3). */
    v0 = _mm512_add_epi32(v0, _mm512_set1_epi32((int)st[0]));
    v1 = _mm512_add_epi32(v1, _mm512_set1_epi32((int)st[1]));
    v2 = _mm512_add_epi32(v2, _mm512_set1_epi32((int)st[2]));
    v3 = _mm512_add_epi32(v3, _mm512_set1_epi32((int)st[3]));
    v4 = _mm512_add_epi32(v4, _mm512_set1_epi32((int)st[4]));
    v5 = _mm512_add_epi32(v5, _mm512_set1_epi32((int)st[5]));
    v6 = _mm512_add_epi32(v6, _mm512_set1_epi32((int)st[6]));
    v7 = _mm512_add_epi32(v7, _mm512_set1_epi32((int)st[7]));
    v8 = _mm512_add_epi32(v8, _mm512_set1_epi32((int)st[8]));
    v9 = _mm512_add_epi32(v9, _mm512_set1_epi32((int)st[9]));
    v10 = _mm512_add_epi32(v10, _mm512_set1_epi32((int)st[10]));
    v11 = _mm512_add_epi32(v11, _mm512_set1_epi32((int)st[11]));
    v12 = _mm512_add_epi32(v12, ctr);
    v13 = _mm512_add_epi32(v13, _mm512_set1_epi32((int)st[13]));
    v14 = _mm512_add_epi32(v14, _mm512_set1_epi32((int)st[14]));
    v15 = _mm512_add_epi32(v15, _mm512_set1_epi32((int)st[15]));

    /* Serialise: block j is words 0..15 of lane j, little-endian (RFC 8439 §2.3). */
    TRANSPOSE4(v0, v1, v2, v3);
    TRANSPOSE4(v4, v5, v6, v7);
    TRANSPOSE4(v8, v9, v10, v11);
    TRANSPOSE4(v12, v13, v14, v15);
    STORE_K(0, v0, v4, v8, v12);
    STORE_K(1, v1, v5, v9, v13);
    STORE_K(2, v2, v6, v10, v14);
    STORE_K(3, v3, v7, v11, v15);
}

/* blocks16_body instantiated per combination of extras, each its own function: one body with
 * a switch compiled the plain batch with more spills, 10% slower at 16 KiB. */
AVX512_TARGET
static void blocks16(const uint32_t st[16], const uint8_t *in, uint8_t *out)
{
    blocks16_body(st, in, out, NULL, NULL, NULL, 0);
}

AVX512_TARGET
static void blocks16_block0(const uint32_t st[16], const uint8_t *in, uint8_t *out,
                            uint32_t ks0[16])
{
    blocks16_body(st, in, out, ks0, NULL, NULL, EXTRA_BLOCK0);
}

AVX512_TARGET
static void blocks16_tail(const uint32_t st[16], const uint8_t *in, uint8_t *out,
                          const uint8_t *tin, uint8_t *tout)
{
    blocks16_body(st, in, out, NULL, tin, tout, EXTRA_TAIL);
}

AVX512_TARGET
static void blocks16_block0_tail(const uint32_t st[16], const uint8_t *in, uint8_t *out,
                                 uint32_t ks0[16], const uint8_t *tin, uint8_t *tout)
{
    blocks16_body(st, in, out, ks0, tin, tout, EXTRA_BLOCK0 | EXTRA_TAIL);
}

AVX512_TARGET
static void blocks16_rows0(const uint32_t st[16], const uint8_t *in, uint8_t *out,
                           const uint8_t *tin, uint8_t *tout)
{
    blocks16_body(st, in, out, NULL, tin, tout, EXTRA_ROWS0);
}

/* One batch with the extras asked for. */
static void blocks16_extra(const uint32_t st[16], const uint8_t *in, uint8_t *out, uint32_t ks0[16],
                           const uint8_t *tin, uint8_t *tout, int extra)
{
    if (extra == EXTRA_BLOCK0)
        blocks16_block0(st, in, out, ks0);
    else if (extra == EXTRA_TAIL)
        blocks16_tail(st, in, out, tin, tout);
    else if (extra == (EXTRA_BLOCK0 | EXTRA_TAIL))
        blocks16_block0_tail(st, in, out, ks0, tin, tout);
    else if (extra == EXTRA_ROWS0)
        blocks16_rows0(st, in, out, tin, tout);
    else
        blocks16(st, in, out);
}

/* nsets (1 or 2) groups of four blocks in the row layout from counter st[12] on, XORed into
 * 256 * nsets bytes. Two sets run interleaved: each is a chain of dependent steps, so the
 * second one fills the first one's latency. */
AVX512_TARGET
static inline __attribute__((always_inline)) void
rows_body(const uint32_t st[16], const uint8_t *in, uint8_t *out, int nsets)
{
    __m512i a0, b0, c0, d0, a1 = _mm512_setzero_si512(), b1 = a1, c1 = a1, d1 = a1;
    ROW_INIT(a0, b0, c0, d0, st, st[12]);
    if (nsets > 1)
        ROW_INIT(a1, b1, c1, d1, st, st[12] + 4);
    for (int i = 0; i < 10; i++) {
        ROW_HALF(a0, b0, c0, d0, 0);
        if (nsets > 1)
            ROW_HALF(a1, b1, c1, d1, 0);
        ROW_HALF(a0, b0, c0, d0, 1);
        if (nsets > 1)
            ROW_HALF(a1, b1, c1, d1, 1);
    }
    __m512i ia, ib, ic, id;
    ROW_INIT(ia, ib, ic, id, st, st[12]);
    a0 = _mm512_add_epi32(a0, ia);
    b0 = _mm512_add_epi32(b0, ib);
    c0 = _mm512_add_epi32(c0, ic);
    d0 = _mm512_add_epi32(d0, id);
    ROW_STORE(a0, b0, c0, d0, in, out);
    if (nsets > 1) {
        ROW_INIT(ia, ib, ic, id, st, st[12] + 4);
        a1 = _mm512_add_epi32(a1, ia);
        b1 = _mm512_add_epi32(b1, ib);
        c1 = _mm512_add_epi32(c1, ic);
        d1 = _mm512_add_epi32(d1, id);
        ROW_STORE(a1, b1, c1, d1, in + 256, out + 256);
    }
}

AVX512_TARGET
static void rows4(const uint32_t st[16], const uint8_t *in, uint8_t *out)
{
    rows_body(st, in, out, 1);
}

AVX512_TARGET
static void rows8(const uint32_t st[16], const uint8_t *in, uint8_t *out)
{
    rows_body(st, in, out, 2);
}

/* The input of xor_from: bytes before split at head, the rest at in (at their offsets from the
 * start, as in out). */
typedef struct src2 {
    const uint8_t *head, *in;
    size_t split;
} src2;

/* Where bytes off..off+n of the input are contiguous, or NULL where they straddle the split. */
static inline const uint8_t *src_at(const src2 *src, size_t off, size_t n)
{
    if (off + n <= src->split)
        return src->head + off;
    if (off >= src->split)
        return src->in + off;
    return NULL;
}

/* Copies bytes off..off+n of the input to buf. */
static inline void src_copy(const src2 *src, uint8_t *buf, size_t off, size_t n)
{
    chacha20_gather(buf, src->head, src->split, src->in, off, n);
}

/* The keystream from the counter in st[12] on XORed into len bytes of input, and with
 * want_otk block st[12] - 1's first 32 bytes into otk (the AEAD's one-time key, RFC 8439
 * §2.6). Short messages (with block 0, at most eight blocks) go to the row layout alone;
 * longer ones to whole batches of sixteen, the first with block 0 in scalar registers, the
 * last carrying up to four more blocks in the row layout; what is left (fewer than sixteen
 * blocks) to the rows or to one batch. Partial pieces, and a batch across the input's split,
 * pass through a stack buffer, so every kernel reads and writes whole blocks. Which kernels
 * run depends only on the lengths. Wipes st. */
static void xor_from(uint32_t st[16], const src2 *src, uint8_t *out, size_t len, int want_otk,
                     uint8_t otk[32])
{
    const size_t batch = 16 * CHACHA20_BLOCK_LEN, rows = 4 * CHACHA20_BLOCK_LEN;
    uint8_t buf[16 * CHACHA20_BLOCK_LEN], tbuf[4 * CHACHA20_BLOCK_LEN];
    /* Bytes of buf and tbuf to wipe: all that a kernel wrote, not only the message's, as the
     * rest is keystream XORed onto stale stack bytes. */
    size_t used = 0, tused = 0;
    if (want_otk && len + CHACHA20_BLOCK_LEN <= 2 * rows) {
        /* Block 0 as the first block of the rows: it is XORed onto zeros. */
        st[12] -= 1;
        memset(buf, 0, CHACHA20_BLOCK_LEN);
        src_copy(src, buf + CHACHA20_BLOCK_LEN, 0, len);
        used = CHACHA20_BLOCK_LEN + len <= rows ? rows : 2 * rows;
        if (used == rows)
            rows4(st, buf, buf);
        else
            rows8(st, buf, buf);
        memcpy(otk, buf, 32);
        if (len > 0) /* out may be NULL then */
            memcpy(out, buf + CHACHA20_BLOCK_LEN, len);
        tenon_wipe(buf, used);
        tenon_wipe(st, 16 * sizeof st[0]);
        return;
    }
    uint32_t ks0[16];
    int extra = want_otk ? EXTRA_BLOCK0 : 0;
    size_t off = 0;
    while (len - off >= batch) {
        size_t rest = len - off - batch;
        const uint8_t *in = src_at(src, off, batch);
        if (in == NULL) {
            src_copy(src, buf, off, batch);
            in = buf;
            used = batch;
        }
        if (extra == EXTRA_BLOCK0 && rest > 0 && rest <= rows - CHACHA20_BLOCK_LEN) {
            /* Block 0 and up to three blocks after the batch in one set of rows (tbuf: 64
             * zero bytes for block 0, then the rest of the input): 12% faster at 1,025 bytes
             * (a TLS 1.3 record of 1 KiB) than block 0 in scalar registers beside a tail of
             * four blocks. With no rest, block 0 in scalar registers is still 2% faster. */
            memset(tbuf, 0, CHACHA20_BLOCK_LEN);
            src_copy(src, tbuf + CHACHA20_BLOCK_LEN, off + batch, rest);
            blocks16_extra(st, in, out + off, NULL, tbuf, tbuf, EXTRA_ROWS0);
            memcpy(otk, tbuf, 32);
            if (rest > 0)
                memcpy(out + off + batch, tbuf + CHACHA20_BLOCK_LEN, rest);
            tused = rows;
            tenon_wipe(buf, used);
            tenon_wipe(tbuf, tused);
            tenon_wipe(st, 16 * sizeof st[0]);
            return;
        }
        if (rest > 0 && rest <= rows) {
            src_copy(src, tbuf, off + batch, rest);
            blocks16_extra(st, in, out + off, ks0, tbuf, tbuf, extra | EXTRA_TAIL);
            memcpy(out + off + batch, tbuf, rest);
            tused = rows;
            off = len - batch;
        } else {
            blocks16_extra(st, in, out + off, ks0, NULL, NULL, extra);
        }
        extra = 0;
        st[12] += 16;
        off += batch;
    }
    if (off < len) {
        /* Fewer than sixteen blocks, after batches or (with the otk) alone. */
        size_t n = len - off;
        src_copy(src, buf, off, n);
        size_t wrote;
        if (extra != 0 || n > 2 * rows) {
            blocks16_extra(st, buf, buf, ks0, NULL, NULL, extra);
            wrote = batch;
        } else if (n <= rows) {
            rows4(st, buf, buf);
            wrote = rows;
        } else {
            rows8(st, buf, buf);
            wrote = 2 * rows;
        }
        memcpy(out + off, buf, n);
        used = wrote > used ? wrote : used;
    }
    tenon_wipe(buf, used);
    tenon_wipe(tbuf, tused);
    if (want_otk) {
        for (int i = 0; i < 8; i++)
            store_le32(otk + 4 * i, ks0[i]);
        tenon_wipe(ks0, sizeof ks0);
    }
    tenon_wipe(st, 16 * sizeof st[0]);
}

void chacha20_xor_avx512(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter,
                         const uint8_t *in, uint8_t *out, size_t len)
{
    uint32_t st[16];
    const src2 src = {in, in, 0};
    chacha20_setup(st, key, nonce, counter);
    xor_from(st, &src, out, len, 0, NULL);
}

void chacha20_xor_avx512_otk(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *head,
                             size_t split, const uint8_t *in, uint8_t *out, size_t len,
                             uint8_t otk[32])
{
    uint32_t st[16];
    const src2 src = {head, in, split};
    chacha20_setup(st, key, nonce, 1);
    xor_from(st, &src, out, len, 1, otk);
}

#endif
