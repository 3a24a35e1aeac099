/*
 * The X25519 ladder (RFC 7748 §5) with AVX-512 IFMA on 256-bit vectors: the four field
 * elements of the ladder state (x_2, z_2, x_3, z_3) sit in the four lanes, and each step is
 * three rounds of four products at once (VPMADD52LUQ / VPMADD52HUQ, radix 2^51), where the
 * scalar code does nine products one or two at a time. The algorithm is in x25519_ifma_impl.h,
 * instantiated here with intrinsics and with a portable model of the same vector operations,
 * which valgrind can run: tests/ct_x25519.c checks the model's flow, tests/test_x25519.c checks
 * both instances against each other and the other paths.
 *
 * The final inversion is the scalar one (x25519_inv.c): four lanes would not shorten its serial
 * chain.
 *
 * The IFMA instance is only called after cpu_has(TENON_CPU_AVX512F | TENON_CPU_AVX512VL |
 * TENON_CPU_AVX512IFMA) (x25519.c).
 */
#include "../common.h"
#include "ct.h"
#include "tenon/crypto.h"
#include "x25519_field.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))
#define UNROLL _Pragma("GCC unroll 25")

#if TENON_X86_64
#include <immintrin.h>

#define XI_NAME(x) xi_##x##_ifma
#define XI_ATTR TENON_TARGET("avx2,avx512f,avx512vl,avx512ifma")
#define xv __m256i
#define XV_SET1(x) _mm256_set1_epi64x((long long)(x))
#define XV_SET4(a, b, c, d)                                                                        \
    _mm256_set_epi64x((long long)(d), (long long)(c), (long long)(b), (long long)(a))
#define XV_ADD(a, b) _mm256_add_epi64((a), (b))
#define XV_SUB(a, b) _mm256_sub_epi64((a), (b))
#define XV_AND(a, b) _mm256_and_si256((a), (b))
#define XV_XOR(a, b) _mm256_xor_si256((a), (b))
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
#include "x25519_ifma_impl.h"

XI_ATTR void x25519_ladder_ifma(uint8_t out[32], const uint8_t k[32], const uint8_t u[32])
{
    fe x1, x2, z2;
    fe_frombytes(&x1, u);
    xi_ladder_ifma(&x2, &z2, k, &x1);
    /* The vector registers held the ladder state; clear them before leaving (VZEROALL reaches
     * ymm0-15 only, the EVEX encoding ymm16-31). */
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
    x25519_finish(out, &x2, &z2);
    tenon_wipe(&x1, sizeof x1);
}

#undef XI_NAME
#undef XI_ATTR
#undef xv
#undef XV_SET1
#undef XV_SET4
#undef XV_ADD
#undef XV_SUB
#undef XV_AND
#undef XV_XOR
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
#endif

/* The portable model: each vector operation lane by lane, branch-free. */
typedef struct xi_model_vec {
    uint64_t l[4];
} xi_model_vec;

static inline xi_model_vec mv_set4(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    xi_model_vec r = {{a, b, c, d}};
    return r;
}

/* op: 0 add, 1 sub, 2 and, 3 xor, 4 madd52lo, 5 madd52hi (c is the accumulator for 4 and 5) */
static inline xi_model_vec mv_op(int op, xi_model_vec c, xi_model_vec a, xi_model_vec b)
{
    const uint64_t m52 = (UINT64_C(1) << 52) - 1;
    xi_model_vec r;
    for (int j = 0; j < 4; j++) {
        fe_u128 p = (fe_u128)(a.l[j] & m52) * (b.l[j] & m52);
        r.l[j] = op == 0   ? a.l[j] + b.l[j]
                 : op == 1 ? a.l[j] - b.l[j]
                 : op == 2 ? a.l[j] & b.l[j]
                 : op == 3 ? a.l[j] ^ b.l[j]
                 : op == 4 ? c.l[j] + ((uint64_t)p & m52)
                           : c.l[j] + (uint64_t)(p >> 52);
    }
    return r;
}

static inline xi_model_vec mv_shift(xi_model_vec a, int left, int n)
{
    for (int j = 0; j < 4; j++)
        a.l[j] = left ? a.l[j] << n : a.l[j] >> n;
    return a;
}

static inline xi_model_vec mv_perm(xi_model_vec a, int i0, int i1, int i2, int i3)
{
    return mv_set4(a.l[i0], a.l[i1], a.l[i2], a.l[i3]);
}

static inline xi_model_vec mv_blend(xi_model_vec a, xi_model_vec b, int m)
{
    for (int j = 0; j < 4; j++)
        a.l[j] = (m >> j) & 1 ? b.l[j] : a.l[j];
    return a;
}

/* Lane j = lane idx_j of a, by masks: idx_j == i is tested without a branch (lanes < 4). */
static inline xi_model_vec mv_permv(xi_model_vec a, xi_model_vec idx)
{
    xi_model_vec r = {{0, 0, 0, 0}};
    for (int j = 0; j < 4; j++)
        for (uint64_t i = 0; i < 4; i++)
            r.l[j] |= a.l[i] & (0 - (((idx.l[j] ^ i) - 1) >> 63));
    return r;
}

/* sub = 0: a + b in the lanes of m; sub = 1: a - b there. */
static inline xi_model_vec mv_maskop(xi_model_vec a, xi_model_vec b, int m, int sub)
{
    for (int j = 0; j < 4; j++)
        if ((m >> j) & 1)
            a.l[j] = sub ? a.l[j] - b.l[j] : a.l[j] + b.l[j];
    return a;
}

#define XI_NAME(x) xi_##x##_model
#define XI_ATTR
#define xv xi_model_vec
#define XV_SET1(x) mv_set4((x), (x), (x), (x))
#define XV_SET4(a, b, c, d) mv_set4((a), (b), (c), (d))
#define XV_ADD(a, b) mv_op(0, (a), (a), (b))
#define XV_SUB(a, b) mv_op(1, (a), (a), (b))
#define XV_AND(a, b) mv_op(2, (a), (a), (b))
#define XV_XOR(a, b) mv_op(3, (a), (a), (b))
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
#include "x25519_ifma_impl.h"

void x25519_ladder_ifma_model(uint8_t out[32], const uint8_t k[32], const uint8_t u[32])
{
    fe x1, x2, z2;
    fe_frombytes(&x1, u);
    xi_ladder_model(&x2, &z2, k, &x1);
    x25519_finish(out, &x2, &z2);
    tenon_wipe(&x1, sizeof x1);
}
