/*
 * Keccak-p[1600, 24] on four states at once with AVX2 (FIPS 202 §3.3), and the SHAKE sponge
 * around it for inputs shorter than one block: what ML-KEM's SampleNTT and PRF calls need.
 *
 * Register lane j of vector i holds lane i of instance j (sha3.h's keccak_x4 layout), so each
 * step mapping of the round is the scalar code's with 64-bit vector operations; the rotations
 * are two shifts and an OR (AVX2 has no 64-bit rotate). The round is written out like
 * sha3.c's KECCAK_ROUND from the same rho/pi tables.
 */
#include "sha3.h"

#include "../common.h"
#include "ct.h"
#include "tenon/crypto.h"

void keccak_x4_absorb_shake(keccak_x4 *s, unsigned rate, const uint8_t *const in[4], size_t in_len)
{
    memset(s, 0, sizeof *s);
    for (unsigned j = 0; j < 4; j++) {
        uint8_t block[SHAKE128_RATE] = {0};
        memcpy(block, in[j], in_len);
        /* FIPS 202 §6.2 SHAKE's suffix 1111 and pad10*1 (see sha3.c). */
        block[in_len] ^= 0x1f;
        block[rate - 1] ^= 0x80;
        for (unsigned i = 0; i < rate / 8; i++)
            s->st[4 * i + j] = load_le64(block + 8 * i);
        tenon_wipe(block, sizeof block);
    }
}

#if TENON_X86_64

#include <immintrin.h>

#define ROL(x, n) _mm256_or_si256(_mm256_slli_epi64((x), (n)), _mm256_srli_epi64((x), 64 - (n)))
#define XOR5(a, b, c, d, e)                                                                        \
    _mm256_xor_si256(_mm256_xor_si256(_mm256_xor_si256((a), (b)), _mm256_xor_si256((c), (d))), (e))

#define KECCAK_ROUND_X4(rc)                                                                        \
    do {                                                                                           \
        c0 = XOR5(a0, a5, a10, a15, a20);                                                          \
        c1 = XOR5(a1, a6, a11, a16, a21);                                                          \
        c2 = XOR5(a2, a7, a12, a17, a22);                                                          \
        c3 = XOR5(a3, a8, a13, a18, a23);                                                          \
        c4 = XOR5(a4, a9, a14, a19, a24);                                                          \
        d0 = _mm256_xor_si256(c4, ROL(c1, 1));                                                     \
        d1 = _mm256_xor_si256(c0, ROL(c2, 1));                                                     \
        d2 = _mm256_xor_si256(c1, ROL(c3, 1));                                                     \
        d3 = _mm256_xor_si256(c2, ROL(c4, 1));                                                     \
        d4 = _mm256_xor_si256(c3, ROL(c0, 1));                                                     \
        b0 = _mm256_xor_si256(a0, d0);                                                             \
        b1 = ROL(_mm256_xor_si256(a6, d1), 44);                                                    \
        b2 = ROL(_mm256_xor_si256(a12, d2), 43);                                                   \
        b3 = ROL(_mm256_xor_si256(a18, d3), 21);                                                   \
        b4 = ROL(_mm256_xor_si256(a24, d4), 14);                                                   \
        b5 = ROL(_mm256_xor_si256(a3, d3), 28);                                                    \
        b6 = ROL(_mm256_xor_si256(a9, d4), 20);                                                    \
        b7 = ROL(_mm256_xor_si256(a10, d0), 3);                                                    \
        b8 = ROL(_mm256_xor_si256(a16, d1), 45);                                                   \
        b9 = ROL(_mm256_xor_si256(a22, d2), 61);                                                   \
        b10 = ROL(_mm256_xor_si256(a1, d1), 1);                                                    \
        b11 = ROL(_mm256_xor_si256(a7, d2), 6);                                                    \
        b12 = ROL(_mm256_xor_si256(a13, d3), 25);                                                  \
        b13 = ROL(_mm256_xor_si256(a19, d4), 8);                                                   \
        b14 = ROL(_mm256_xor_si256(a20, d0), 18);                                                  \
        b15 = ROL(_mm256_xor_si256(a4, d4), 27);                                                   \
        b16 = ROL(_mm256_xor_si256(a5, d0), 36);                                                   \
        b17 = ROL(_mm256_xor_si256(a11, d1), 10);                                                  \
        b18 = ROL(_mm256_xor_si256(a17, d2), 15);                                                  \
        b19 = ROL(_mm256_xor_si256(a23, d3), 56);                                                  \
        b20 = ROL(_mm256_xor_si256(a2, d2), 62);                                                   \
        b21 = ROL(_mm256_xor_si256(a8, d3), 55);                                                   \
        b22 = ROL(_mm256_xor_si256(a14, d4), 39);                                                  \
        b23 = ROL(_mm256_xor_si256(a15, d0), 41);                                                  \
        b24 = ROL(_mm256_xor_si256(a21, d1), 2);                                                   \
        a0 = _mm256_xor_si256(b0, _mm256_andnot_si256(b1, b2));                                    \
        a1 = _mm256_xor_si256(b1, _mm256_andnot_si256(b2, b3));                                    \
        a2 = _mm256_xor_si256(b2, _mm256_andnot_si256(b3, b4));                                    \
        a3 = _mm256_xor_si256(b3, _mm256_andnot_si256(b4, b0));                                    \
        a4 = _mm256_xor_si256(b4, _mm256_andnot_si256(b0, b1));                                    \
        a5 = _mm256_xor_si256(b5, _mm256_andnot_si256(b6, b7));                                    \
        a6 = _mm256_xor_si256(b6, _mm256_andnot_si256(b7, b8));                                    \
        a7 = _mm256_xor_si256(b7, _mm256_andnot_si256(b8, b9));                                    \
        a8 = _mm256_xor_si256(b8, _mm256_andnot_si256(b9, b5));                                    \
        a9 = _mm256_xor_si256(b9, _mm256_andnot_si256(b5, b6));                                    \
        a10 = _mm256_xor_si256(b10, _mm256_andnot_si256(b11, b12));                                \
        a11 = _mm256_xor_si256(b11, _mm256_andnot_si256(b12, b13));                                \
        a12 = _mm256_xor_si256(b12, _mm256_andnot_si256(b13, b14));                                \
        a13 = _mm256_xor_si256(b13, _mm256_andnot_si256(b14, b10));                                \
        a14 = _mm256_xor_si256(b14, _mm256_andnot_si256(b10, b11));                                \
        a15 = _mm256_xor_si256(b15, _mm256_andnot_si256(b16, b17));                                \
        a16 = _mm256_xor_si256(b16, _mm256_andnot_si256(b17, b18));                                \
        a17 = _mm256_xor_si256(b17, _mm256_andnot_si256(b18, b19));                                \
        a18 = _mm256_xor_si256(b18, _mm256_andnot_si256(b19, b15));                                \
        a19 = _mm256_xor_si256(b19, _mm256_andnot_si256(b15, b16));                                \
        a20 = _mm256_xor_si256(b20, _mm256_andnot_si256(b21, b22));                                \
        a21 = _mm256_xor_si256(b21, _mm256_andnot_si256(b22, b23));                                \
        a22 = _mm256_xor_si256(b22, _mm256_andnot_si256(b23, b24));                                \
        a23 = _mm256_xor_si256(b23, _mm256_andnot_si256(b24, b20));                                \
        a24 = _mm256_xor_si256(b24, _mm256_andnot_si256(b20, b21));                                \
        a0 = _mm256_xor_si256(a0, _mm256_set1_epi64x((long long)(rc)));                            \
    } while (0)

TENON_TARGET("avx2") static void keccak_f1600_x4(uint64_t st[100])
{
    __m256i a0 = _mm256_loadu_si256((const __m256i *)(st + 0)),
            a1 = _mm256_loadu_si256((const __m256i *)(st + 4)),
            a2 = _mm256_loadu_si256((const __m256i *)(st + 8)),
            a3 = _mm256_loadu_si256((const __m256i *)(st + 12)),
            a4 = _mm256_loadu_si256((const __m256i *)(st + 16)),
            a5 = _mm256_loadu_si256((const __m256i *)(st + 20)),
            a6 = _mm256_loadu_si256((const __m256i *)(st + 24)),
            a7 = _mm256_loadu_si256((const __m256i *)(st + 28)),
            a8 = _mm256_loadu_si256((const __m256i *)(st + 32)),
            a9 = _mm256_loadu_si256((const __m256i *)(st + 36)),
            a10 = _mm256_loadu_si256((const __m256i *)(st + 40)),
            a11 = _mm256_loadu_si256((const __m256i *)(st + 44)),
            a12 = _mm256_loadu_si256((const __m256i *)(st + 48)),
            a13 = _mm256_loadu_si256((const __m256i *)(st + 52)),
            a14 = _mm256_loadu_si256((const __m256i *)(st + 56)),
            a15 = _mm256_loadu_si256((const __m256i *)(st + 60)),
            a16 = _mm256_loadu_si256((const __m256i *)(st + 64)),
            a17 = _mm256_loadu_si256((const __m256i *)(st + 68)),
            a18 = _mm256_loadu_si256((const __m256i *)(st + 72)),
            a19 = _mm256_loadu_si256((const __m256i *)(st + 76)),
            a20 = _mm256_loadu_si256((const __m256i *)(st + 80)),
            a21 = _mm256_loadu_si256((const __m256i *)(st + 84)),
            a22 = _mm256_loadu_si256((const __m256i *)(st + 88)),
            a23 = _mm256_loadu_si256((const __m256i *)(st + 92)),
            a24 = _mm256_loadu_si256((const __m256i *)(st + 96));
    __m256i b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15, b16, b17, b18,
        b19, b20, b21, b22, b23, b24;
    __m256i c0, c1, c2, c3, c4, d0, d1, d2, d3, d4;
    for (int round = 0; round < 24; round++)
        KECCAK_ROUND_X4(keccak_rc[round]);
    _mm256_storeu_si256((__m256i *)(st + 0), a0);
    _mm256_storeu_si256((__m256i *)(st + 4), a1);
    _mm256_storeu_si256((__m256i *)(st + 8), a2);
    _mm256_storeu_si256((__m256i *)(st + 12), a3);
    _mm256_storeu_si256((__m256i *)(st + 16), a4);
    _mm256_storeu_si256((__m256i *)(st + 20), a5);
    _mm256_storeu_si256((__m256i *)(st + 24), a6);
    _mm256_storeu_si256((__m256i *)(st + 28), a7);
    _mm256_storeu_si256((__m256i *)(st + 32), a8);
    _mm256_storeu_si256((__m256i *)(st + 36), a9);
    _mm256_storeu_si256((__m256i *)(st + 40), a10);
    _mm256_storeu_si256((__m256i *)(st + 44), a11);
    _mm256_storeu_si256((__m256i *)(st + 48), a12);
    _mm256_storeu_si256((__m256i *)(st + 52), a13);
    _mm256_storeu_si256((__m256i *)(st + 56), a14);
    _mm256_storeu_si256((__m256i *)(st + 60), a15);
    _mm256_storeu_si256((__m256i *)(st + 64), a16);
    _mm256_storeu_si256((__m256i *)(st + 68), a17);
    _mm256_storeu_si256((__m256i *)(st + 72), a18);
    _mm256_storeu_si256((__m256i *)(st + 76), a19);
    _mm256_storeu_si256((__m256i *)(st + 80), a20);
    _mm256_storeu_si256((__m256i *)(st + 84), a21);
    _mm256_storeu_si256((__m256i *)(st + 88), a22);
    _mm256_storeu_si256((__m256i *)(st + 92), a23);
    _mm256_storeu_si256((__m256i *)(st + 96), a24);
}

TENON_TARGET("avx2")
void keccak_x4_squeeze_blocks_avx2(keccak_x4 *s, unsigned rate, uint8_t *const out[4],
                                   size_t nblocks)
{
    for (size_t b = 0; b < nblocks; b++) {
        keccak_f1600_x4(s->st);
        for (unsigned i = 0; i < rate / 8; i++)
            for (unsigned j = 0; j < 4; j++)
                store_le64(out[j] + b * rate + 8 * i, s->st[4 * i + j]);
    }
}

#endif
