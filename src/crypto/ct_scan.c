/*
 * ct_last_nonzero (ct.h): the position of the last non-zero byte of a buffer, every byte read
 * whatever the values. Four levels: 1 KiB chunks, then the 64-byte blocks of the last chunk that
 * is not all zero, then the words of its last such block, then the bytes of its last such word;
 * at each level the index of the last non-zero piece is kept with masks, never a branch. The OR of a piece's 64-byte multiples is the
 * bulk of the work: with AVX2 (cpuid-dispatched) 128 bytes per step in two chains, otherwise
 * 64 bytes in four 16-byte chains (GCC/Clang vector extension: SSE2 on x86-64, NEON on Arm).
 */
#include <string.h>

#include "../common.h"
#include "cpu.h"
#include "ct.h"

typedef uint64_t u64x2 __attribute__((vector_size(16)));

/* The OR of p[0..n) as a word (n a multiple of 64). memcpy loads: any byte order will do to test
 * for zero. */
static uint64_t or_blocks_vec(const uint8_t *p, size_t n)
{
    u64x2 v0 = {0, 0}, v1 = {0, 0}, v2 = {0, 0}, v3 = {0, 0}, t0, t1, t2, t3;
    for (size_t j = 0; j < n; j += 64) {
        memcpy(&t0, p + j, 16);
        memcpy(&t1, p + j + 16, 16);
        memcpy(&t2, p + j + 32, 16);
        memcpy(&t3, p + j + 48, 16);
        v0 |= t0;
        v1 |= t1;
        v2 |= t2;
        v3 |= t3;
    }
    v0 |= v1 | v2 | v3;
    return v0[0] | v0[1];
}

#if TENON_X86_64
#include <immintrin.h>

static TENON_TARGET("avx2") uint64_t or_blocks_avx2(const uint8_t *p, size_t n)
{
    __m256i a0 = _mm256_setzero_si256(), a1 = _mm256_setzero_si256();
    size_t j = 0;
    for (; j + 128 <= n; j += 128) {
        a0 =
            _mm256_or_si256(a0, _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(p + j)),
                                                _mm256_loadu_si256((const __m256i *)(p + j + 32))));
        a1 =
            _mm256_or_si256(a1, _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(p + j + 64)),
                                                _mm256_loadu_si256((const __m256i *)(p + j + 96))));
    }
    if (j < n) {
        a0 = _mm256_or_si256(a0, _mm256_loadu_si256((const __m256i *)(p + j)));
        a1 = _mm256_or_si256(a1, _mm256_loadu_si256((const __m256i *)(p + j + 32)));
    }
    a0 = _mm256_or_si256(a0, a1);
    __m128i x = _mm_or_si128(_mm256_castsi256_si128(a0), _mm256_extracti128_si256(a0, 1));
    return (uint64_t)_mm_cvtsi128_si64(x) | (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(x, x));
}
#endif

/* The index of the last piece of p[0..len) (pieces of span bytes, the last one possibly shorter)
 * that is not all zero, 0 if there is none; *any |= all-ones if there is one. */
static uint32_t last_piece(uint64_t (*or_blocks)(const uint8_t *, size_t), const uint8_t *p,
                           size_t len, size_t span, uint64_t *any)
{
    uint32_t keep = 0;
    uint64_t found = 0;
    size_t pieces = (len + span - 1) / span;
    for (size_t i = 0; i < pieces; i++) {
        const uint8_t *q = p + i * span;
        size_t n = len - i * span < span ? len - i * span : span, whole = n & ~(size_t)63;
        uint64_t acc = whole > 0 ? or_blocks(q, whole) : 0;
        for (size_t j = whole; j < n; j++)
            acc |= q[j];
        uint64_t nz = ct_mask_nonzero_u64(acc);
        keep = ct_select_u32((uint32_t)nz, (uint32_t)i, keep);
        found |= nz;
    }
    /* floor(pos / span) of the position the caller makes public (ct.h) */
    ct_declassify(&keep, sizeof keep);
    *any |= found;
    return keep;
}

size_t ct_last_nonzero(const uint8_t *p, size_t len, uint32_t *found)
{
    uint64_t (*or_blocks)(const uint8_t *, size_t) = or_blocks_vec;
#if TENON_X86_64
    if (cpu_has(TENON_CPU_AVX2))
        or_blocks = or_blocks_avx2;
#endif
    uint64_t any = 0, ignored = 0;
    size_t from = 1024 * (size_t)last_piece(or_blocks, p, len, 1024, &any);
    size_t n = len - from < 1024 ? len - from : 1024;
    from += 64 * (size_t)last_piece(or_blocks, p + from, n, 64, &ignored);
    n = len - from < 64 ? len - from : 64;
    from += 8 * (size_t)last_piece(or_blocks, p + from, n, 8, &ignored);
    n = len - from < 8 ? len - from : 8;
    size_t pos = from + last_piece(or_blocks, p + from, n, 1, &ignored);
    *found = (uint32_t)any;
    return pos;
}
