/*
 * Internal: the AVX-512BW content-type scan (ct_last_nonzero's AVX-512 path, ct_scan.c) in two
 * pieces, so that AES-GCM's open (gcm_vaes_avx512.c) can run the first pass on each 256-byte
 * batch of plaintext while it is still in registers, and the second once the tag is checked.
 *
 * First pass: for every 256-byte group of the buffer (offset 256 i, the last one possibly
 * shorter and zero-padded), the lanes of a vector of last-seen groups (started at
 * CT_SCAN_NONE_AVX512, all -1) that are not zero in any of the group's four 64-byte blocks
 * receive the group number i: the OR (vpternlogq, vpord), vptestmq into a k-mask, a masked move.
 * No branch, no scalar step. The largest lane is then the last group that is not all zero
 * (-1: none). Second pass (ct_last_nonzero_finish_avx512): that group alone, byte by byte.
 */
#ifndef TENON_CT_SCAN_AVX512_H
#define TENON_CT_SCAN_AVX512_H

#include "../common.h"

#if TENON_X86_64
#include <immintrin.h>

#define CT_SCAN_NONE_AVX512 _mm512_set1_epi64(-1)

/* The first pass's step for group number g (in every lane) of blocks b0..b3. */
static inline __attribute__((always_inline)) TENON_TARGET("avx512f") __m512i
    ct_scan_group_avx512(__m512i last, __m512i g, __m512i b0, __m512i b1, __m512i b2, __m512i b3)
{
    __m512i v = _mm512_or_si512(_mm512_ternarylogic_epi64(b0, b1, b2, 0xfe), b3);
    return _mm512_mask_mov_epi64(last, _mm512_test_epi64_mask(v, v), g);
}

/* The last group found not all zero (secret; -1 if none). */
static inline __attribute__((always_inline)) TENON_TARGET("avx512f") int64_t
    ct_scan_last_group_avx512(__m512i last)
{
    return _mm512_reduce_max_epi64(last);
}

/* The second pass (ct_scan.c): ct_last_nonzero's result for p[0..len) from the first pass's
 * last group lg, which it declassifies (floor(pos / 256), public as pos is). Call only when
 * cpu_has(TENON_CPU_AVX512F | TENON_CPU_AVX512BW). */
size_t ct_last_nonzero_finish_avx512(const uint8_t *p, size_t len, int64_t lg, uint32_t *found);
#endif

#endif
