/*
 * ChaCha20 with AVX2: eight blocks at a time (RFC 8439 §2.3-§2.4).
 *
 * The state is kept "transposed": register v[i] holds state word i of eight consecutive
 * blocks, one block per 32-bit lane, so each quarter round of RFC 8439 §2.1 is eight
 * quarter rounds at once and needs no shuffling between the column and diagonal rounds. The
 * rotations by 16 and 8 are byte shuffles; those by 12 and 7 are two shifts and an OR. At the
 * end the 16 x 8 words are transposed back into eight serialised blocks.
 */
#include "chacha20.h"

#if TENON_X86_64

#include <immintrin.h>

#include "tenon/crypto.h"

#define ROTL_SHIFT(x, n)                                                                           \
    _mm256_or_si256(_mm256_slli_epi32((x), (n)), _mm256_srli_epi32((x), 32 - (n)))

/* The quarter round of RFC 8439 §2.1 on two independent (a, b, c, d) quartets, interleaved
 * step by step. A round does two such pairs one after the other rather than all four at once:
 * the pair not being worked on is idle for a whole pair's latency, so when the 16 state
 * registers plus temporaries do not fit the 16 ymm registers, the compiler's spills land on
 * that idle pair, off the critical path. */
#define QUARTERROUND2(a0, b0, c0, d0, a1, b1, c1, d1)                                              \
    do {                                                                                           \
        a0 = _mm256_add_epi32(a0, b0);                                                             \
        a1 = _mm256_add_epi32(a1, b1);                                                             \
        d0 = _mm256_shuffle_epi8(_mm256_xor_si256(d0, a0), rot16);                                 \
        d1 = _mm256_shuffle_epi8(_mm256_xor_si256(d1, a1), rot16);                                 \
        c0 = _mm256_add_epi32(c0, d0);                                                             \
        c1 = _mm256_add_epi32(c1, d1);                                                             \
        b0 = _mm256_xor_si256(b0, c0);                                                             \
        b1 = _mm256_xor_si256(b1, c1);                                                             \
        b0 = ROTL_SHIFT(b0, 12);                                                                   \
        b1 = ROTL_SHIFT(b1, 12);                                                                   \
        a0 = _mm256_add_epi32(a0, b0);                                                             \
        a1 = _mm256_add_epi32(a1, b1);                                                             \
        d0 = _mm256_shuffle_epi8(_mm256_xor_si256(d0, a0), rot8);                                  \
        d1 = _mm256_shuffle_epi8(_mm256_xor_si256(d1, a1), rot8);                                  \
        c0 = _mm256_add_epi32(c0, d0);                                                             \
        c1 = _mm256_add_epi32(c1, d1);                                                             \
        b0 = _mm256_xor_si256(b0, c0);                                                             \
        b1 = _mm256_xor_si256(b1, c1);                                                             \
        b0 = ROTL_SHIFT(b0, 7);                                                                    \
        b1 = ROTL_SHIFT(b1, 7);                                                                    \
    } while (0)

/* 8x8 transpose of 32-bit words: on entry r_k holds word k of blocks 0..7 (one per lane); on
 * exit o_j holds words 0..7 of block j. The unpacks work within 128-bit halves, so blocks j
 * and j + 4 travel together until the final cross-half permutes. */
#define TRANSPOSE8(r0, r1, r2, r3, r4, r5, r6, r7, o0, o1, o2, o3, o4, o5, o6, o7)                 \
    do {                                                                                           \
        __m256i t0 = _mm256_unpacklo_epi32(r0, r1); /* w0 w1 of blocks 0,1 | 4,5 */                \
        __m256i t1 = _mm256_unpackhi_epi32(r0, r1); /* w0 w1 of blocks 2,3 | 6,7 */                \
        __m256i t2 = _mm256_unpacklo_epi32(r2, r3);                                                \
        __m256i t3 = _mm256_unpackhi_epi32(r2, r3);                                                \
        __m256i t4 = _mm256_unpacklo_epi32(r4, r5);                                                \
        __m256i t5 = _mm256_unpackhi_epi32(r4, r5);                                                \
        __m256i t6 = _mm256_unpacklo_epi32(r6, r7);                                                \
        __m256i t7 = _mm256_unpackhi_epi32(r6, r7);                                                \
        __m256i u0 = _mm256_unpacklo_epi64(t0, t2); /* w0..w3 of block 0 | block 4 */              \
        __m256i u1 = _mm256_unpackhi_epi64(t0, t2); /* block 1 | block 5 */                        \
        __m256i u2 = _mm256_unpacklo_epi64(t1, t3); /* block 2 | block 6 */                        \
        __m256i u3 = _mm256_unpackhi_epi64(t1, t3); /* block 3 | block 7 */                        \
        __m256i u4 = _mm256_unpacklo_epi64(t4, t6); /* w4..w7 likewise */                          \
        __m256i u5 = _mm256_unpackhi_epi64(t4, t6);                                                \
        __m256i u6 = _mm256_unpacklo_epi64(t5, t7);                                                \
        __m256i u7 = _mm256_unpackhi_epi64(t5, t7);                                                \
        o0 = _mm256_permute2x128_si256(u0, u4, 0x20);                                              \
        o4 = _mm256_permute2x128_si256(u0, u4, 0x31);                                              \
        o1 = _mm256_permute2x128_si256(u1, u5, 0x20);                                              \
        o5 = _mm256_permute2x128_si256(u1, u5, 0x31);                                              \
        o2 = _mm256_permute2x128_si256(u2, u6, 0x20);                                              \
        o6 = _mm256_permute2x128_si256(u2, u6, 0x31);                                              \
        o3 = _mm256_permute2x128_si256(u3, u7, 0x20);                                              \
        o7 = _mm256_permute2x128_si256(u3, u7, 0x31);                                              \
    } while (0)

#define XOR_STORE(off, v)                                                                          \
    _mm256_storeu_si256(                                                                           \
        (__m256i *)(void *)(out + (off)),                                                          \
        _mm256_xor_si256((v), _mm256_loadu_si256((const __m256i *)(const void *)(in + (off)))))

/* Eight keystream blocks for counters st[12] .. st[12] + 7 (mod 2^32), XORed into 512 bytes. */
TENON_TARGET("avx2")
static void blocks8(const uint32_t st[16], const uint8_t *in, uint8_t *out)
{
    const __m256i rot16 = _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2,
                                           3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
    const __m256i rot8 = _mm256_setr_epi8(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14, 3,
                                          0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14);
    const __m256i lane_ctr = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i ctr = _mm256_add_epi32(_mm256_set1_epi32((int)st[12]), lane_ctr);

    __m256i v0 = _mm256_set1_epi32((int)st[0]), v1 = _mm256_set1_epi32((int)st[1]);
    __m256i v2 = _mm256_set1_epi32((int)st[2]), v3 = _mm256_set1_epi32((int)st[3]);
    __m256i v4 = _mm256_set1_epi32((int)st[4]), v5 = _mm256_set1_epi32((int)st[5]);
    __m256i v6 = _mm256_set1_epi32((int)st[6]), v7 = _mm256_set1_epi32((int)st[7]);
    __m256i v8 = _mm256_set1_epi32((int)st[8]), v9 = _mm256_set1_epi32((int)st[9]);
    __m256i v10 = _mm256_set1_epi32((int)st[10]), v11 = _mm256_set1_epi32((int)st[11]);
    __m256i v12 = ctr, v13 = _mm256_set1_epi32((int)st[13]);
    __m256i v14 = _mm256_set1_epi32((int)st[14]), v15 = _mm256_set1_epi32((int)st[15]);

    /* RFC 8439 §2.3: ten double rounds (column round, then diagonal round). */
    for (int i = 0; i < 10; i++) {
        QUARTERROUND2(v0, v4, v8, v12, v2, v6, v10, v14);
        QUARTERROUND2(v1, v5, v9, v13, v3, v7, v11, v15);
        QUARTERROUND2(v0, v5, v10, v15, v2, v7, v8, v13);
        QUARTERROUND2(v1, v6, v11, v12, v3, v4, v9, v14);
    }

    /* Add the input words back (RFC 8439 §2.3), then serialise: blocks j's first 32 bytes are
     * words 0..7 of lane j, its last 32 bytes words 8..15. */
    v0 = _mm256_add_epi32(v0, _mm256_set1_epi32((int)st[0]));
    v1 = _mm256_add_epi32(v1, _mm256_set1_epi32((int)st[1]));
    v2 = _mm256_add_epi32(v2, _mm256_set1_epi32((int)st[2]));
    v3 = _mm256_add_epi32(v3, _mm256_set1_epi32((int)st[3]));
    v4 = _mm256_add_epi32(v4, _mm256_set1_epi32((int)st[4]));
    v5 = _mm256_add_epi32(v5, _mm256_set1_epi32((int)st[5]));
    v6 = _mm256_add_epi32(v6, _mm256_set1_epi32((int)st[6]));
    v7 = _mm256_add_epi32(v7, _mm256_set1_epi32((int)st[7]));
    v8 = _mm256_add_epi32(v8, _mm256_set1_epi32((int)st[8]));
    v9 = _mm256_add_epi32(v9, _mm256_set1_epi32((int)st[9]));
    v10 = _mm256_add_epi32(v10, _mm256_set1_epi32((int)st[10]));
    v11 = _mm256_add_epi32(v11, _mm256_set1_epi32((int)st[11]));
    v12 = _mm256_add_epi32(v12, ctr);
    v13 = _mm256_add_epi32(v13, _mm256_set1_epi32((int)st[13]));
    v14 = _mm256_add_epi32(v14, _mm256_set1_epi32((int)st[14]));
    v15 = _mm256_add_epi32(v15, _mm256_set1_epi32((int)st[15]));

    __m256i b0, b1, b2, b3, b4, b5, b6, b7;
    TRANSPOSE8(v0, v1, v2, v3, v4, v5, v6, v7, b0, b1, b2, b3, b4, b5, b6, b7);
    XOR_STORE(0 * 64, b0);
    XOR_STORE(1 * 64, b1);
    XOR_STORE(2 * 64, b2);
    XOR_STORE(3 * 64, b3);
    XOR_STORE(4 * 64, b4);
    XOR_STORE(5 * 64, b5);
    XOR_STORE(6 * 64, b6);
    XOR_STORE(7 * 64, b7);
    TRANSPOSE8(v8, v9, v10, v11, v12, v13, v14, v15, b0, b1, b2, b3, b4, b5, b6, b7);
    XOR_STORE(0 * 64 + 32, b0);
    XOR_STORE(1 * 64 + 32, b1);
    XOR_STORE(2 * 64 + 32, b2);
    XOR_STORE(3 * 64 + 32, b3);
    XOR_STORE(4 * 64 + 32, b4);
    XOR_STORE(5 * 64 + 32, b5);
    XOR_STORE(6 * 64 + 32, b6);
    XOR_STORE(7 * 64 + 32, b7);
}

TENON_TARGET("avx2")
void chacha20_xor_avx2(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter,
                       const uint8_t *in, uint8_t *out, size_t len)
{
    uint32_t st[16];

    chacha20_setup(st, key, nonce, counter);
    while (len >= 8 * CHACHA20_BLOCK_LEN) {
        blocks8(st, in, out);
        st[12] += 8;
        in += 8 * CHACHA20_BLOCK_LEN;
        out += 8 * CHACHA20_BLOCK_LEN;
        len -= 8 * CHACHA20_BLOCK_LEN;
    }
    if (len > CHACHA20_BLOCK_LEN) {
        /* A partial batch: eight blocks into a buffer cost little more than two or three
         * scalar blocks. */
        uint8_t buf[8 * CHACHA20_BLOCK_LEN];
        memcpy(buf, in, len);
        blocks8(st, buf, buf);
        memcpy(out, buf, len);
        tenon_wipe(buf, sizeof buf);
    } else if (len > 0) {
        uint8_t ks[CHACHA20_BLOCK_LEN];
        chacha20_block_portable(st, ks);
        for (size_t i = 0; i < len; i++)
            out[i] = (uint8_t)(in[i] ^ ks[i]);
        tenon_wipe(ks, sizeof ks);
    }
    tenon_wipe(st, sizeof st);
}

#endif
