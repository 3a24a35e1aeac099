/*
 * Vectors of four 64-bit lanes (numbered 0..3) for the algorithms written once and compiled
 * twice, with AVX-512 IFMA intrinsics on 256-bit vectors and with a portable model of the same
 * operations that valgrind can run (x25519_ifma_impl.h, p256_ifma_impl.h). Each inclusion
 * (re)defines the type xv and these operations, natively when IFMA_VEC_NATIVE is defined
 * (x86-64, in functions compiled for avx2,avx512f,avx512vl,avx512ifma), else as the model:
 *
 *   XV_SET1(x)  XV_SET4(l0, l1, l2, l3)  XV_ADD(a, b)  XV_SUB(a, b)  XV_AND(a, b)  XV_OR(a, b)
 *   XV_XOR(a, b)
 *   XV_CMPEQ(a, b): all-ones in the lanes where a and b are equal, zero elsewhere
 *   XV_SLL(a, n) / XV_SRL(a, n): shift every lane by the constant n
 *   XV_MADDLO(acc, a, b) / XV_MADDHI(acc, a, b): acc + the low / high 52 bits of the product of
 *     the low 52 bits of a and b, per lane (VPMADD52LUQ / VPMADD52HUQ)
 *   XV_PERM(a, i0, i1, i2, i3): lane j of the result is lane ij of a (constant indexes)
 *   XV_PERMV(a, idx): lane j of the result is lane idx_j of a, for an index vector that may
 *     be secret (VPERMQ's timing does not depend on its operands; the model selects with
 *     masks, without a branch or a memory index)
 *   XV_BLEND(a, b, m): lane j from b where bit j of the constant m is set, else from a
 *   XV_MASKADD(a, b, m) / XV_MASKSUB(a, b, m): a + b / a - b in the lanes of the constant m,
 *     a elsewhere
 *   XV_STORE(p, v): the four lanes to p[0..3]; XV_LOAD(p): p[0..3] to the four lanes
 *
 * The model computes every lane without a branch or a memory index on a lane's value.
 */
#ifndef TENON_IFMA_VEC_H
#define TENON_IFMA_VEC_H
#include <stdint.h>
#include <string.h>

#include "ct.h" /* the model's comparison masks behind a barrier: clang -O2 branched on them */

typedef struct ifma_model_vec {
    uint64_t l[4];
} ifma_model_vec;

static inline ifma_model_vec mv_set4(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    ifma_model_vec r = {{a, b, c, d}};
    return r;
}

/* op: 0 add, 1 sub, 2 and, 3 xor, 4 madd52lo, 5 madd52hi (c is the accumulator for 4 and 5),
 * 6 or, 7 compare for equality */
static inline ifma_model_vec mv_op(int op, ifma_model_vec c, ifma_model_vec a, ifma_model_vec b)
{
    const uint64_t m52 = (UINT64_C(1) << 52) - 1;
    ifma_model_vec r;
    for (int j = 0; j < 4; j++) {
        unsigned __int128 p = (unsigned __int128)(a.l[j] & m52) * (b.l[j] & m52);
        uint64_t x = a.l[j] ^ b.l[j];
        r.l[j] = op == 0   ? a.l[j] + b.l[j]
                 : op == 1 ? a.l[j] - b.l[j]
                 : op == 2 ? a.l[j] & b.l[j]
                 : op == 3 ? x
                 : op == 4 ? c.l[j] + ((uint64_t)p & m52)
                 : op == 5 ? c.l[j] + (uint64_t)(p >> 52)
                 : op == 6 ? a.l[j] | b.l[j]
                           : ct_value_barrier_u64(((x | (0 - x)) >> 63) - 1);
    }
    return r;
}

static inline ifma_model_vec mv_shift(ifma_model_vec a, int left, int n)
{
    for (int j = 0; j < 4; j++)
        a.l[j] = left ? a.l[j] << n : a.l[j] >> n;
    return a;
}

static inline ifma_model_vec mv_perm(ifma_model_vec a, int i0, int i1, int i2, int i3)
{
    return mv_set4(a.l[i0], a.l[i1], a.l[i2], a.l[i3]);
}

static inline ifma_model_vec mv_blend(ifma_model_vec a, ifma_model_vec b, int m)
{
    for (int j = 0; j < 4; j++)
        a.l[j] = (m >> j) & 1 ? b.l[j] : a.l[j];
    return a;
}

/* Lane j = lane idx_j of a, by masks: idx_j == i is tested without a branch (lanes < 4). */
static inline ifma_model_vec mv_permv(ifma_model_vec a, ifma_model_vec idx)
{
    ifma_model_vec r = {{0, 0, 0, 0}};
    for (int j = 0; j < 4; j++)
        for (uint64_t i = 0; i < 4; i++)
            r.l[j] |= a.l[i] & (0 - (((idx.l[j] ^ i) - 1) >> 63));
    return r;
}

/* sub = 0: a + b in the lanes of m; sub = 1: a - b there. */
static inline ifma_model_vec mv_maskop(ifma_model_vec a, ifma_model_vec b, int m, int sub)
{
    for (int j = 0; j < 4; j++)
        if ((m >> j) & 1)
            a.l[j] = sub ? a.l[j] - b.l[j] : a.l[j] + b.l[j];
    return a;
}
#endif

#undef xv
#undef XV_SET1
#undef XV_SET4
#undef XV_ADD
#undef XV_SUB
#undef XV_AND
#undef XV_OR
#undef XV_XOR
#undef XV_CMPEQ
#undef XV_SLL
#undef XV_SRL
#undef XV_MADDLO
#undef XV_MADDHI
#undef XV_PERM
#undef XV_BLEND
#undef XV_PERMV
#undef XV_MASKADD
#undef XV_MASKSUB
#undef XV_STORE
#undef XV_LOAD

#ifdef IFMA_VEC_NATIVE
#include <immintrin.h>
#define xv __m256i
#define XV_SET1(x) _mm256_set1_epi64x((long long)(x))
#define XV_SET4(a, b, c, d)                                                                        \
    _mm256_set_epi64x((long long)(d), (long long)(c), (long long)(b), (long long)(a))
#define XV_ADD(a, b) _mm256_add_epi64((a), (b))
#define XV_SUB(a, b) _mm256_sub_epi64((a), (b))
#define XV_AND(a, b) _mm256_and_si256((a), (b))
#define XV_OR(a, b) _mm256_or_si256((a), (b))
#define XV_XOR(a, b) _mm256_xor_si256((a), (b))
#define XV_CMPEQ(a, b) _mm256_cmpeq_epi64((a), (b))
#define XV_SLL(a, n) _mm256_slli_epi64((a), (n))
#define XV_SRL(a, n) _mm256_srli_epi64((a), (n))
#define XV_MADDLO(acc, a, b) _mm256_madd52lo_epu64((acc), (a), (b))
#define XV_MADDHI(acc, a, b) _mm256_madd52hi_epu64((acc), (a), (b))
#define XV_PERM(a, i0, i1, i2, i3)                                                                 \
    _mm256_permute4x64_epi64((a), (i0) | ((i1) << 2) | ((i2) << 4) | ((i3) << 6))
/* A lane is two 32-bit words for vpblendd. */
#define XV_BLEND(a, b, m)                                                                          \
    _mm256_blend_epi32(                                                                            \
        (a), (b), ((m)&1 ? 3 : 0) | ((m)&2 ? 0xC : 0) | ((m)&4 ? 0x30 : 0) | ((m)&8 ? 0xC0 : 0))
#define XV_PERMV(a, idx) _mm256_permutexvar_epi64((idx), (a))
#define XV_MASKADD(a, b, m) _mm256_mask_add_epi64((a), (__mmask8)(m), (a), (b))
#define XV_MASKSUB(a, b, m) _mm256_mask_sub_epi64((a), (__mmask8)(m), (a), (b))
#define XV_STORE(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), (v))
#define XV_LOAD(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#ifndef TENON_IFMA_VEC_CLEAR
#define TENON_IFMA_VEC_CLEAR
/* Clears every vector register after native code that held secrets in them: VZEROALL reaches
 * ymm0-15 only, the EVEX encoding ymm16-31. */
static inline __attribute__((always_inline)) TENON_TARGET("avx2,avx512f,avx512vl") void
ifma_clear_vector_regs(void)
{
    _mm256_zeroall();
    __asm__ volatile("vpxord %%ymm16, %%ymm16, %%ymm16\n\t"
                     "vmovdqa64 %%ymm16, %%ymm17\n\t"
                     "vmovdqa64 %%ymm16, %%ymm18\n\t"
                     "vmovdqa64 %%ymm16, %%ymm19\n\t"
                     "vmovdqa64 %%ymm16, %%ymm20\n\t"
                     "vmovdqa64 %%ymm16, %%ymm21\n\t"
                     "vmovdqa64 %%ymm16, %%ymm22\n\t"
                     "vmovdqa64 %%ymm16, %%ymm23\n\t"
                     "vmovdqa64 %%ymm16, %%ymm24\n\t"
                     "vmovdqa64 %%ymm16, %%ymm25\n\t"
                     "vmovdqa64 %%ymm16, %%ymm26\n\t"
                     "vmovdqa64 %%ymm16, %%ymm27\n\t"
                     "vmovdqa64 %%ymm16, %%ymm28\n\t"
                     "vmovdqa64 %%ymm16, %%ymm29\n\t"
                     "vmovdqa64 %%ymm16, %%ymm30\n\t"
                     "vmovdqa64 %%ymm16, %%ymm31\n\t" ::
                         : "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23",
                           "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31");
}
#endif
#else
#define xv ifma_model_vec
#define XV_SET1(x) mv_set4((x), (x), (x), (x))
#define XV_SET4(a, b, c, d) mv_set4((a), (b), (c), (d))
#define XV_ADD(a, b) mv_op(0, (a), (a), (b))
#define XV_SUB(a, b) mv_op(1, (a), (a), (b))
#define XV_AND(a, b) mv_op(2, (a), (a), (b))
#define XV_OR(a, b) mv_op(6, (a), (a), (b))
#define XV_XOR(a, b) mv_op(3, (a), (a), (b))
#define XV_CMPEQ(a, b) mv_op(7, (a), (a), (b))
#define XV_SLL(a, n) mv_shift((a), 1, (n))
#define XV_SRL(a, n) mv_shift((a), 0, (n))
#define XV_MADDLO(acc, a, b) mv_op(4, (acc), (a), (b))
#define XV_MADDHI(acc, a, b) mv_op(5, (acc), (a), (b))
#define XV_PERM(a, i0, i1, i2, i3) mv_perm((a), (i0), (i1), (i2), (i3))
#define XV_BLEND(a, b, m) mv_blend((a), (b), (m))
#define XV_PERMV(a, idx) mv_permv((a), (idx))
#define XV_MASKADD(a, b, m) mv_maskop((a), (b), (m), 0)
#define XV_MASKSUB(a, b, m) mv_maskop((a), (b), (m), 1)
#define XV_STORE(p, v) memcpy((p), (v).l, sizeof(v).l)
#define XV_LOAD(p) mv_set4((p)[0], (p)[1], (p)[2], (p)[3])
#endif
