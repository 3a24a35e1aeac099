/*
 * Keccak-p[1600, 24] on four states at once with AVX2 (FIPS 202 §3.3), and the SHAKE sponge
 * around it for inputs shorter than one block: what ML-KEM's SampleNTT and PRF calls need.
 *
 * Register lane j of vector i holds lane i of instance j (sha3.h's keccak_x4 layout), so each
 * step mapping of the round is the scalar code's with 64-bit vector operations; the rotations
 * are two shifts and an OR (AVX2 has no 64-bit rotate). The round is sha3.c's KECCAK_ROUND
 * (two lane sets, row by row, column parities carried over) with vector operations.
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
/* Rotations by whole bytes are one byte shuffle instead of two shifts and an OR. */
#define ROL8(x)                                                                                    \
    _mm256_shuffle_epi8((x),                                                                       \
                        _mm256_setr_epi8(7, 0, 1, 2, 3, 4, 5, 6, 15, 8, 9, 10, 11, 12, 13, 14, 7,  \
                                         0, 1, 2, 3, 4, 5, 6, 15, 8, 9, 10, 11, 12, 13, 14))
#define ROL56(x)                                                                                   \
    _mm256_shuffle_epi8((x),                                                                       \
                        _mm256_setr_epi8(1, 2, 3, 4, 5, 6, 7, 0, 9, 10, 11, 12, 13, 14, 15, 8, 1,  \
                                         2, 3, 4, 5, 6, 7, 0, 9, 10, 11, 12, 13, 14, 15, 8))
#define XOR5(a, b, c, d, e)                                                                        \
    _mm256_xor_si256(_mm256_xor_si256(_mm256_xor_si256((a), (b)), _mm256_xor_si256((c), (d))), (e))

#define KECCAK_ROUND_X4(S, D, rc)                                                                  \
    do {                                                                                           \
        d0 = _mm256_xor_si256(c4, ROL(c1, 1));                                                     \
        d1 = _mm256_xor_si256(c0, ROL(c2, 1));                                                     \
        d2 = _mm256_xor_si256(c1, ROL(c3, 1));                                                     \
        d3 = _mm256_xor_si256(c2, ROL(c4, 1));                                                     \
        d4 = _mm256_xor_si256(c3, ROL(c0, 1));                                                     \
        b0 = _mm256_xor_si256(S##0, d0);                                                           \
        b1 = ROL(_mm256_xor_si256(S##6, d1), 44);                                                  \
        b2 = ROL(_mm256_xor_si256(S##12, d2), 43);                                                 \
        b3 = ROL(_mm256_xor_si256(S##18, d3), 21);                                                 \
        b4 = ROL(_mm256_xor_si256(S##24, d4), 14);                                                 \
        D##0 = _mm256_xor_si256(b0, _mm256_andnot_si256(b1, b2));                                  \
        D##1 = _mm256_xor_si256(b1, _mm256_andnot_si256(b2, b3));                                  \
        D##2 = _mm256_xor_si256(b2, _mm256_andnot_si256(b3, b4));                                  \
        D##3 = _mm256_xor_si256(b3, _mm256_andnot_si256(b4, b0));                                  \
        D##4 = _mm256_xor_si256(b4, _mm256_andnot_si256(b0, b1));                                  \
        D##0 = _mm256_xor_si256(D##0, _mm256_set1_epi64x((long long)(rc)));                        \
        c0 = D##0;                                                                                 \
        c1 = D##1;                                                                                 \
        c2 = D##2;                                                                                 \
        c3 = D##3;                                                                                 \
        c4 = D##4;                                                                                 \
        b0 = ROL(_mm256_xor_si256(S##3, d3), 28);                                                  \
        b1 = ROL(_mm256_xor_si256(S##9, d4), 20);                                                  \
        b2 = ROL(_mm256_xor_si256(S##10, d0), 3);                                                  \
        b3 = ROL(_mm256_xor_si256(S##16, d1), 45);                                                 \
        b4 = ROL(_mm256_xor_si256(S##22, d2), 61);                                                 \
        D##5 = _mm256_xor_si256(b0, _mm256_andnot_si256(b1, b2));                                  \
        D##6 = _mm256_xor_si256(b1, _mm256_andnot_si256(b2, b3));                                  \
        D##7 = _mm256_xor_si256(b2, _mm256_andnot_si256(b3, b4));                                  \
        D##8 = _mm256_xor_si256(b3, _mm256_andnot_si256(b4, b0));                                  \
        D##9 = _mm256_xor_si256(b4, _mm256_andnot_si256(b0, b1));                                  \
        c0 = _mm256_xor_si256(c0, D##5);                                                           \
        c1 = _mm256_xor_si256(c1, D##6);                                                           \
        c2 = _mm256_xor_si256(c2, D##7);                                                           \
        c3 = _mm256_xor_si256(c3, D##8);                                                           \
        c4 = _mm256_xor_si256(c4, D##9);                                                           \
        b0 = ROL(_mm256_xor_si256(S##1, d1), 1);                                                   \
        b1 = ROL(_mm256_xor_si256(S##7, d2), 6);                                                   \
        b2 = ROL(_mm256_xor_si256(S##13, d3), 25);                                                 \
        b3 = ROL8(_mm256_xor_si256(S##19, d4));                                                    \
        b4 = ROL(_mm256_xor_si256(S##20, d0), 18);                                                 \
        D##10 = _mm256_xor_si256(b0, _mm256_andnot_si256(b1, b2));                                 \
        D##11 = _mm256_xor_si256(b1, _mm256_andnot_si256(b2, b3));                                 \
        D##12 = _mm256_xor_si256(b2, _mm256_andnot_si256(b3, b4));                                 \
        D##13 = _mm256_xor_si256(b3, _mm256_andnot_si256(b4, b0));                                 \
        D##14 = _mm256_xor_si256(b4, _mm256_andnot_si256(b0, b1));                                 \
        c0 = _mm256_xor_si256(c0, D##10);                                                          \
        c1 = _mm256_xor_si256(c1, D##11);                                                          \
        c2 = _mm256_xor_si256(c2, D##12);                                                          \
        c3 = _mm256_xor_si256(c3, D##13);                                                          \
        c4 = _mm256_xor_si256(c4, D##14);                                                          \
        b0 = ROL(_mm256_xor_si256(S##4, d4), 27);                                                  \
        b1 = ROL(_mm256_xor_si256(S##5, d0), 36);                                                  \
        b2 = ROL(_mm256_xor_si256(S##11, d1), 10);                                                 \
        b3 = ROL(_mm256_xor_si256(S##17, d2), 15);                                                 \
        b4 = ROL56(_mm256_xor_si256(S##23, d3));                                                   \
        D##15 = _mm256_xor_si256(b0, _mm256_andnot_si256(b1, b2));                                 \
        D##16 = _mm256_xor_si256(b1, _mm256_andnot_si256(b2, b3));                                 \
        D##17 = _mm256_xor_si256(b2, _mm256_andnot_si256(b3, b4));                                 \
        D##18 = _mm256_xor_si256(b3, _mm256_andnot_si256(b4, b0));                                 \
        D##19 = _mm256_xor_si256(b4, _mm256_andnot_si256(b0, b1));                                 \
        c0 = _mm256_xor_si256(c0, D##15);                                                          \
        c1 = _mm256_xor_si256(c1, D##16);                                                          \
        c2 = _mm256_xor_si256(c2, D##17);                                                          \
        c3 = _mm256_xor_si256(c3, D##18);                                                          \
        c4 = _mm256_xor_si256(c4, D##19);                                                          \
        b0 = ROL(_mm256_xor_si256(S##2, d2), 62);                                                  \
        b1 = ROL(_mm256_xor_si256(S##8, d3), 55);                                                  \
        b2 = ROL(_mm256_xor_si256(S##14, d4), 39);                                                 \
        b3 = ROL(_mm256_xor_si256(S##15, d0), 41);                                                 \
        b4 = ROL(_mm256_xor_si256(S##21, d1), 2);                                                  \
        D##20 = _mm256_xor_si256(b0, _mm256_andnot_si256(b1, b2));                                 \
        D##21 = _mm256_xor_si256(b1, _mm256_andnot_si256(b2, b3));                                 \
        D##22 = _mm256_xor_si256(b2, _mm256_andnot_si256(b3, b4));                                 \
        D##23 = _mm256_xor_si256(b3, _mm256_andnot_si256(b4, b0));                                 \
        D##24 = _mm256_xor_si256(b4, _mm256_andnot_si256(b0, b1));                                 \
        c0 = _mm256_xor_si256(c0, D##20);                                                          \
        c1 = _mm256_xor_si256(c1, D##21);                                                          \
        c2 = _mm256_xor_si256(c2, D##22);                                                          \
        c3 = _mm256_xor_si256(c3, D##23);                                                          \
        c4 = _mm256_xor_si256(c4, D##24);                                                          \
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
    __m256i e0, e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11, e12, e13, e14, e15, e16, e17, e18,
        e19, e20, e21, e22, e23, e24;
    __m256i b0, b1, b2, b3, b4, d0, d1, d2, d3, d4;
    __m256i c0 = XOR5(a0, a5, a10, a15, a20), c1 = XOR5(a1, a6, a11, a16, a21),
            c2 = XOR5(a2, a7, a12, a17, a22), c3 = XOR5(a3, a8, a13, a18, a23),
            c4 = XOR5(a4, a9, a14, a19, a24);
    for (int round = 0; round < 24; round += 2) {
        KECCAK_ROUND_X4(a, e, keccak_rc[round]);
        KECCAK_ROUND_X4(e, a, keccak_rc[round + 1]);
    }
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
