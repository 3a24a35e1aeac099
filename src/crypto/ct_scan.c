/*
 * ct_last_nonzero (ct.h): the position of the last non-zero byte of a buffer, every byte read
 * whatever the values. Four levels: 1 KiB chunks, then the 64-byte blocks of the last chunk that
 * is not all zero, then the words of its last such block, then the bytes of its last such word;
 * at each level the index of the last non-zero piece is kept with masks, never a branch. The OR of
 * a piece's 64-byte multiples is the bulk of the work: with AVX2 (cpuid-dispatched) 128 bytes per
 * step in two chains, otherwise 64 bytes in four 16-byte chains (GCC/Clang vector extension: SSE2
 * on x86-64, NEON on Arm). Where the CPU has AVX-512BW, a two-pass path of its own
 * (last_nonzero_avx512) replaces the four levels.
 */
#include <string.h>

#include "../common.h"
#include "cpu.h"
#include "ct.h"
#include "ct_scan_avx512.h"

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

/* The mask for a 64-byte load of which only the first n bytes are the buffer's (n public). */
static inline uint64_t load_mask(size_t n)
{
    return n >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1;
}

/* The four 64-byte blocks of q[0..n) (n <= 256, public), zero past n: masked loads, which also
 * keep them from reading past the buffer. */
static TENON_TARGET("avx512f,avx512bw") void load4_avx512(__m512i b[4], const uint8_t *q, size_t n)
{
    for (size_t k = 0; k < 4; k++) {
        size_t m = n > 64 * k ? n - 64 * k : 0;
        b[k] = _mm512_maskz_loadu_epi8(load_mask(m), q + (m > 0 ? 64 * k : 0));
    }
}

/* The second pass (ct_scan_avx512.h): vptestmb gives each block of group lg a mask of its
 * non-zero bytes, the last non-zero mask is kept by selects, and its top bit is the byte. The
 * group's address is public once lg is declassified. */
TENON_TARGET("avx512f,avx512bw")
size_t ct_last_nonzero_finish_avx512(const uint8_t *p, size_t len, int64_t lg, uint32_t *found)
{
    /* floor(pos / 256) of the position the caller makes public (ct.h); -1: all zero */
    ct_declassify(&lg, sizeof lg);
    *found = lg >= 0 ? ~(uint32_t)0 : 0;
    size_t at = lg >= 0 ? 256 * (size_t)lg : 0;
    __m512i b[4];
    load4_avx512(b, p + at, len - at < 256 ? len - at : 256);
    uint64_t keep = 0, keep_mask = 0;
    for (size_t k = 0; k < 4; k++) {
        uint64_t m = _mm512_test_epi8_mask(b[k], b[k]), nz = ct_mask_nonzero_u64(m);
        keep = ct_select_u64(nz, (uint64_t)k, keep);
        keep_mask = ct_select_u64(nz, m, keep_mask);
    }
    /* The top set bit of the last non-zero mask (bsr/lzcnt, whose time does not depend on the
     * value); an all-zero buffer gives 0, as the other paths do. */
    size_t pos = at + 64 * (size_t)keep + (size_t)(63 - __builtin_clzll(keep_mask | 1));
    ct_declassify(&pos, sizeof pos);
    return pos;
}

/* AVX-512BW, the two passes of ct_scan_avx512.h. Every load address of the first depends on
 * len only (the last group's loads are masked); floor(pos / 256) is declassified between the
 * passes. (Groups of four blocks measured faster than groups of eight at 16 KiB and at 1 KiB.) */
static TENON_TARGET("avx512f,avx512bw") size_t
    last_nonzero_avx512(const uint8_t *p, size_t len, uint32_t *found)
{
    size_t groups = (len + 255) / 256;
    __m512i last = CT_SCAN_NONE_AVX512, g = _mm512_setzero_si512(), b[4];
    const __m512i one = _mm512_set1_epi64(1);
    for (size_t i = 0; i + 1 < groups; i++) {
        for (size_t k = 0; k < 4; k++)
            b[k] = _mm512_loadu_si512(p + 256 * i + 64 * k);
        last = ct_scan_group_avx512(last, g, b[0], b[1], b[2], b[3]);
        g = _mm512_add_epi64(g, one);
    }
    size_t at = groups > 0 ? 256 * (groups - 1) : 0;
    load4_avx512(b, p + at, len - at);
    last = ct_scan_group_avx512(last, g, b[0], b[1], b[2], b[3]);
    return ct_last_nonzero_finish_avx512(p, len, ct_scan_last_group_avx512(last), found);
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

/* The OR of whole 64-byte blocks for the portable and AVX2 levels. */
static uint64_t (*pick_or_blocks(void))(const uint8_t *, size_t)
{
#if TENON_X86_64
    if (cpu_has(TENON_CPU_AVX2))
        return or_blocks_avx2;
#endif
    return or_blocks_vec;
}

#if TENON_X86_64
/* The last level with AVX2, for the 256-byte group of p[0..len) at at (its index made public):
 * a mask of the non-zero bytes of each 32-byte piece (VPCMPEQB, VPMOVMSKB; the short end past
 * the last whole piece byte by byte, so nothing past len is read), the last non-zero mask kept
 * by selects, and its top bit is the byte (bsr/lzcnt, whose time does not depend on the
 * value). In place of the 64-byte, word and byte levels: their three calls of last_piece cost
 * more than the open of a 1 KiB record's last block. An all-zero group gives at. */
static TENON_TARGET("avx2") size_t group_last_avx2(const uint8_t *p, size_t len, size_t at)
{
    const size_t n = len - at < 256 ? len - at : 256;
    const uint8_t *q = p + at;
    const __m256i zero = _mm256_setzero_si256();
    uint64_t keep = 0, keep_mask = 0;
    size_t k = 0;
    for (; 32 * k + 32 <= n; k++) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(q + 32 * k));
        const uint64_t m = (uint32_t)~_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, zero));
        const uint64_t nz = ct_mask_nonzero_u64(m);
        keep = ct_select_u64(nz, (uint64_t)k, keep);
        keep_mask = ct_select_u64(nz, m, keep_mask);
    }
    if (32 * k < n) {
        uint64_t m = 0;
        for (size_t j = 32 * k; j < n; j++)
            m |= (uint64_t)(q[j] != 0) << (j - 32 * k);
        const uint64_t nz = ct_mask_nonzero_u64(m);
        keep = ct_select_u64(nz, (uint64_t)k, keep);
        keep_mask = ct_select_u64(nz, m, keep_mask);
    }
    size_t pos = at + 32 * (size_t)keep + (size_t)(63 - __builtin_clzll(keep_mask | 1));
    ct_declassify(&pos, sizeof pos);
    return pos;
}
#endif

/* The levels below a chunk of p[0..len) that starts at from and spans chunk bytes (the last
 * non-zero one, or the first if none is): with AVX2 its 256-byte groups and then
 * group_last_avx2, otherwise its 64-byte blocks, words, bytes. */
static size_t refine(uint64_t (*or_blocks)(const uint8_t *, size_t), const uint8_t *p, size_t len,
                     size_t from, size_t chunk)
{
    uint64_t ignored = 0;
    size_t n = len - from < chunk ? len - from : chunk;
#if TENON_X86_64
    if (cpu_has(TENON_CPU_AVX2)) {
        if (chunk > 256)
            from += 256 * (size_t)last_piece(or_blocks, p + from, n, 256, &ignored);
        return group_last_avx2(p, len, from);
    }
#endif
    from += 64 * (size_t)last_piece(or_blocks, p + from, n, 64, &ignored);
    n = len - from < 64 ? len - from : 64;
    from += 8 * (size_t)last_piece(or_blocks, p + from, n, 8, &ignored);
    n = len - from < 8 ? len - from : 8;
    return from + last_piece(or_blocks, p + from, n, 1, &ignored);
}

size_t ct_last_nonzero(const uint8_t *p, size_t len, uint32_t *found)
{
#if TENON_X86_64
    if (cpu_has(TENON_CPU_AVX512F | TENON_CPU_AVX512BW))
        return last_nonzero_avx512(p, len, found);
#endif
    uint64_t (*or_blocks)(const uint8_t *, size_t) = pick_or_blocks();
    uint64_t any = 0;
    size_t from = 1024 * (size_t)last_piece(or_blocks, p, len, 1024, &any);
    *found = (uint32_t)any;
    return refine(or_blocks, p, len, from, 1024);
}

size_t ct_last_nonzero_resume(const uint8_t *p, size_t len, const ct_scan_groups *s,
                              uint32_t *found)
{
    uint64_t (*or_blocks)(const uint8_t *, size_t) = pick_or_blocks();
    size_t done = 256 * (size_t)s->groups;
    uint64_t more = 0;
    /* The rest is one piece (fewer than 256 bytes): its index, declassified, is always 0. */
    if (done < len)
        (void)last_piece(or_blocks, p + done, len - done, 256, &more);
    uint32_t last = ct_select_u32((uint32_t)more, s->groups, s->last);
    /* floor(pos / 256) of the position the caller makes public (ct.h) */
    ct_declassify(&last, sizeof last);
    *found = (uint32_t)(s->any | more);
    return refine(or_blocks, p, len, 256 * (size_t)last, 256);
}
