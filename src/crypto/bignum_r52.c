/*
 * The two exponentiations of an RSA private operation (one per CRT prime) run together in
 * radix 2^52 with AVX-512 IFMA: VPMADD52LUQ / VPMADD52HUQ multiply pairs of 52-bit limbs
 * and add the low or high 52 bits of each product to a 64-bit lane, so the 12 bits of headroom
 * absorb the carries of a whole Montgomery multiplication, which are resolved once at its end.
 * The two halves' multiplications are interleaved step by step (as in Gueron and Krasnov's
 * "dual" exponentiation, which OpenSSL's rsaz_avx512ifma also uses): each has a serial
 * dependency through lane 0 from one word of the multiplier to the next, and the other half's
 * work fills the gaps.
 *
 * Numbers of a 1024-, 1536- or 2048-bit modulus (16, 24 or 32 limbs of 64 bits) take L = 20,
 * 30 or 40 limbs of 52 bits in V = 3, 4 or 5 vectors of eight lanes (on the Xeon this was
 * written on, 256-bit vectors, five for L = 20 with no lane empty, were slower); 52L >= bits(m) +
 * 2, so that with the Montgomery radix 2^52L above 4m the products of values below 2m stay below 2m
 * and need no subtraction in the loop. Values move between the radices through the 2^64-radix
 * Montgomery code: with R = 2^64n and to_wide(x) = x R mod m, b R times 2^(104L - 64n) gives b
 * 2^52L, and an exponentiation result times R 2^-52L is back in R form.
 *
 * Exponentiation: fixed 5-bit windows over a 32-entry table read whole for every window, as
 * bn_mont_pow_ct. The vector algorithm is in bignum_r52_impl.h, instantiated with intrinsics and
 * with a portable model of the same vector operations (for valgrind: see ct_rsa.c).
 */
#include "../common.h"
#include "bignum.h"
#include "cpu.h"
#include "ct.h"
#include "tenon/crypto.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))
#define UNROLL _Pragma("GCC unroll 16")
#define R52_MASK ((UINT64_C(1) << 52) - 1)
#define R52_LANES 8
#define R52_MAXV 5
#define R52_STRIDE (R52_LANES * R52_MAXV)
_Static_assert(R52_STRIDE == BN_R52_LIMBS, "bn_r52_pre holds one R52_STRIDE per constant");
#define R52_ENTRIES (1u << BN_WIN)

/* One half's working state: the modulus and constants in radix 2^52 (R52_STRIDE lanes each,
 * zero beyond L), the table and the accumulators. */
typedef struct r52_half {
    uint64_t table[R52_ENTRIES * R52_STRIDE] __attribute__((aligned(64)));
    uint64_t m[R52_STRIDE] __attribute__((aligned(64)));
    uint64_t b[R52_STRIDE] __attribute__((aligned(64))); /* the base, b R */
    uint64_t k[R52_STRIDE] __attribute__((aligned(64))); /* 2^(104L - 64n) mod m */
    uint64_t z[R52_STRIDE] __attribute__((aligned(64))); /* R mod m */
    uint64_t acc[R52_STRIDE] __attribute__((aligned(64)));
    uint64_t t[R52_STRIDE] __attribute__((aligned(64)));
    uint64_t w[2 * R52_STRIDE] __attribute__((aligned(64))); /* amm2's a_i b_0, low and high */
    uint64_t e[BN_MAX_LIMBS / 2];
    uint64_t k0; /* -m^-1 mod 2^52 */
} r52_half;

#if TENON_X86_64
#include <immintrin.h>

#define R52_NAME(x) x##_ifma
#define R52_ATTR TENON_TARGET("avx512f,avx512ifma")
#define r52v __m512i
#define RV_ZERO() _mm512_setzero_si512()
#define RV_SET1(x) _mm512_set1_epi64((long long)(x))
#define RV_SETLO(x) _mm512_maskz_set1_epi64(1, (long long)(x))
#define RV_LOAD(p) _mm512_load_si512((const void *)(p))
#define RV_STORE(p, v) _mm512_store_si512((void *)(p), (v))
#define RV_ADD(a, b) _mm512_add_epi64((a), (b))
#define RV_AND(a, b) _mm512_and_si512((a), (b))
#define RV_OR(a, b) _mm512_or_si512((a), (b))
#define RV_SRL52(a) _mm512_srli_epi64((a), 52)
#define RV_MADDLO(acc, a, b) _mm512_madd52lo_epu64((acc), (a), (b))
#define RV_MADDHI(acc, a, b) _mm512_madd52hi_epu64((acc), (a), (b))
#define RV_ALIGN1(hi, lo) _mm512_alignr_epi64((hi), (lo), 1)
#define RV_ALIGNUP(hi, lo) _mm512_alignr_epi64((hi), (lo), 7)
/* Lane 1 through memory: a store and a load use neither port 0 nor port 5, which the vector
 * multiplications (port 0 only) and moves keep busy; VPEXTRQ takes one of each. The asm keeps
 * the compiler from turning the pair back into VPEXTRQ. */
static inline __attribute__((always_inline)) uint64_t r52_lane1(__m128i a)
{
    uint64_t b[2] __attribute__((aligned(16)));
    __asm__("vmovdqa %1, %0" : "=m"(b) : "v"(a));
    return b[1];
}
#define RV_LANE1(a) r52_lane1(_mm512_castsi512_si128(a))
#define RV_GTMASK(a, b) ((uint8_t)_mm512_cmpgt_epu64_mask((a), (b)))
#define RV_EQMASK(a, b) ((uint8_t)_mm512_cmpeq_epu64_mask((a), (b)))
#define RV_ADD1MASK(a, k) _mm512_mask_add_epi64((a), (__mmask8)(k), (a), _mm512_set1_epi64(1))
#define RV_MADDLO_K(acc, k, a, b) _mm512_mask_madd52lo_epu64((acc), (__mmask8)(k), (a), (b))
#define RV_MADDHI_K(acc, k, a, b) _mm512_mask_madd52hi_epu64((acc), (__mmask8)(k), (a), (b))
#define RV_ZIPLO(a, b)                                                                             \
    _mm512_permutex2var_epi64((a), _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0), (b))
#define RV_ZIPHI(a, b)                                                                             \
    _mm512_permutex2var_epi64((a), _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4), (b))
/* s is a constant of the instance; the immediates are spelled out for unoptimised builds. */
static inline __attribute__((always_inline)) TENON_TARGET("avx512f") __m512i
    r52_shiftup(__m512i hi, __m512i lo, size_t s)
{
    switch (s) {
    case 1:
        return _mm512_alignr_epi64(hi, lo, 7);
    case 2:
        return _mm512_alignr_epi64(hi, lo, 6);
    case 3:
        return _mm512_alignr_epi64(hi, lo, 5);
    case 4:
        return _mm512_alignr_epi64(hi, lo, 4);
    case 5:
        return _mm512_alignr_epi64(hi, lo, 3);
    case 6:
        return _mm512_alignr_epi64(hi, lo, 2);
    case 7:
        return _mm512_alignr_epi64(hi, lo, 1);
    default:
        return hi;
    }
}
#define RV_SHIFTUP(hi, lo, s) r52_shiftup((hi), (lo), (s))
#define RV_BLEND(a, k, b) _mm512_mask_mov_epi64((a), (__mmask8)(k), (b))
#include "bignum_r52_impl.h"

/* One instance per size, so that L and V are constants and the vectors stay in registers. */
#define IFMA_INSTANCE(L, V)                                                                        \
    static TENON_TARGET("avx512f,avx512ifma")                                                      \
        __attribute__((noinline)) void pow2_ifma_##L(r52_half *h1, r52_half *h2, size_t en)        \
    {                                                                                              \
        pow2_ifma(h1, h2, en, (L), (V));                                                           \
    }                                                                                              \
    static TENON_TARGET("avx512f,avx512ifma")                                                      \
        __attribute__((noinline)) void powu2_ifma_##L(r52_half *h1, r52_half *h2, uint64_t e)      \
    {                                                                                              \
        r52_half *const h[2] = {h1, h2};                                                           \
        powu_ifma(h, e, 2, (L), (V));                                                              \
    }                                                                                              \
    static TENON_TARGET("avx512f,avx512ifma")                                                      \
        __attribute__((noinline)) void prod2_ifma_##L(r52_half *h1, r52_half *h2, int sqr)         \
    {                                                                                              \
        prod2_ifma(h1, h2, sqr, (L), (V));                                                         \
    }
IFMA_INSTANCE(20, 3)
IFMA_INSTANCE(30, 4)
IFMA_INSTANCE(40, 5)

/* One modulus of 32 limbs (the RSA-2048 public operation). */
static TENON_TARGET("avx512f,avx512ifma")
    __attribute__((noinline)) void powu1_ifma_40(r52_half *h, uint64_t e)
{
    powu_ifma(&h, e, 1, 40, 5);
}
#endif
/* The portable model: each operation lane by lane, branch-free. */
typedef struct r52_model_vec {
    uint64_t l[R52_LANES];
} r52_model_vec;

static inline r52_model_vec mv_zero(void)
{
    r52_model_vec r = {{0}};
    return r;
}

static inline r52_model_vec mv_set1(uint64_t x)
{
    r52_model_vec r;
    for (int j = 0; j < R52_LANES; j++)
        r.l[j] = x;
    return r;
}

static inline r52_model_vec mv_setlo(uint64_t x)
{
    r52_model_vec r = {{0}};
    r.l[0] = x;
    return r;
}

static inline r52_model_vec mv_load(const uint64_t *p)
{
    r52_model_vec r;
    memcpy(r.l, p, sizeof r.l);
    return r;
}

/* op: 0 add, 1 and, 2 or, 3 madd52lo, 4 madd52hi (c is the accumulator for 3 and 4) */
static inline r52_model_vec mv_op(int op, r52_model_vec c, r52_model_vec a, r52_model_vec b)
{
    r52_model_vec r;
    for (int j = 0; j < R52_LANES; j++) {
        unsigned __int128 p = (unsigned __int128)(a.l[j] & R52_MASK) * (b.l[j] & R52_MASK);
        r.l[j] = op == 0   ? a.l[j] + b.l[j]
                 : op == 1 ? a.l[j] & b.l[j]
                 : op == 2 ? a.l[j] | b.l[j]
                 : op == 3 ? c.l[j] + ((uint64_t)p & R52_MASK)
                           : c.l[j] + (uint64_t)(p >> 52);
    }
    return r;
}

static inline r52_model_vec mv_srl52(r52_model_vec a)
{
    for (int j = 0; j < R52_LANES; j++)
        a.l[j] >>= 52;
    return a;
}

/* lanes (hi:lo) moved down s lanes, the low R52_LANES */
static inline r52_model_vec mv_align(r52_model_vec hi, r52_model_vec lo, int s)
{
    r52_model_vec r;
    for (int j = 0; j < R52_LANES; j++)
        r.l[j] = j + s < R52_LANES ? lo.l[j + s] : hi.l[j + s - R52_LANES];
    return r;
}

/* Lane masks without branches: lanes hold less than 2^63. */
static inline uint8_t mv_gtmask(r52_model_vec a, r52_model_vec b)
{
    uint8_t k = 0;
    for (int j = 0; j < R52_LANES; j++)
        k |= (uint8_t)(((b.l[j] - a.l[j]) >> 63) << j);
    return k;
}

static inline uint8_t mv_eqmask(r52_model_vec a, r52_model_vec b)
{
    uint8_t k = 0;
    for (int j = 0; j < R52_LANES; j++)
        k |= (uint8_t)((((a.l[j] ^ b.l[j]) - 1) >> 63) << j);
    return k;
}

static inline r52_model_vec mv_add1mask(r52_model_vec a, uint8_t k)
{
    for (int j = 0; j < R52_LANES; j++)
        a.l[j] += (uint64_t)((k >> j) & 1);
    return a;
}

/* b in the lanes whose bit of k is set, a elsewhere */
static inline r52_model_vec mv_blend(r52_model_vec a, uint8_t k, r52_model_vec b)
{
    for (int j = 0; j < R52_LANES; j++) {
        uint64_t sel = 0 - (uint64_t)((k >> j) & 1);
        a.l[j] = (b.l[j] & sel) | (a.l[j] & ~sel);
    }
    return a;
}

/* op as for mv_op (3 or 4) in the lanes whose bit of k is set, acc elsewhere */
static inline r52_model_vec mv_opmask(int op, r52_model_vec acc, uint8_t k, r52_model_vec a,
                                      r52_model_vec b)
{
    return mv_blend(acc, k, mv_op(op, acc, a, b));
}

/* lanes a[o], b[o], a[o + 1], b[o + 1], ... (o = 0: ZIPLO, 4: ZIPHI) */
static inline r52_model_vec mv_zip(r52_model_vec a, r52_model_vec b, int o)
{
    r52_model_vec r;
    for (int j = 0; j < R52_LANES; j++)
        r.l[j] = j % 2 == 0 ? a.l[o + j / 2] : b.l[o + j / 2];
    return r;
}

/* The model's loops stay loops: unrolled, its lane-by-lane operations take the compiler many
 * minutes under sanitizer instrumentation, and the steps are the same either way. */
#undef UNROLL
#define UNROLL
#undef ALWAYS_INLINE
#define ALWAYS_INLINE inline
#define R52_NAME(x) x##_model
#define R52_ATTR
#define r52v r52_model_vec
#define RV_ZERO() mv_zero()
#define RV_SET1(x) mv_set1(x)
#define RV_SETLO(x) mv_setlo(x)
#define RV_LOAD(p) mv_load(p)
#define RV_STORE(p, v) memcpy((p), (v).l, sizeof(v).l)
#define RV_ADD(a, b) mv_op(0, (a), (a), (b))
#define RV_AND(a, b) mv_op(1, (a), (a), (b))
#define RV_OR(a, b) mv_op(2, (a), (a), (b))
#define RV_SRL52(a) mv_srl52(a)
#define RV_MADDLO(acc, a, b) mv_op(3, (acc), (a), (b))
#define RV_MADDHI(acc, a, b) mv_op(4, (acc), (a), (b))
#define RV_ALIGN1(hi, lo) mv_align((hi), (lo), 1)
#define RV_ALIGNUP(hi, lo) mv_align((hi), (lo), R52_LANES - 1)
#define RV_LANE1(a) ((a).l[1])
#define RV_GTMASK(a, b) mv_gtmask((a), (b))
#define RV_EQMASK(a, b) mv_eqmask((a), (b))
#define RV_ADD1MASK(a, k) mv_add1mask((a), (k))
#define RV_MADDLO_K(acc, k, a, b) mv_opmask(3, (acc), (k), (a), (b))
#define RV_MADDHI_K(acc, k, a, b) mv_opmask(4, (acc), (k), (a), (b))
#define RV_ZIPLO(a, b) mv_zip((a), (b), 0)
#define RV_ZIPHI(a, b) mv_zip((a), (b), 4)
#define RV_SHIFTUP(hi, lo, s) mv_align((hi), (lo), (int)(R52_LANES - (s)))
#define RV_BLEND(a, k, b) mv_blend((a), (k), (b))
#include "bignum_r52_impl.h"

#define MODEL_INSTANCE(L, V)                                                                       \
    static __attribute__((noinline)) void pow2_model_##L(r52_half *h1, r52_half *h2, size_t en)    \
    {                                                                                              \
        pow2_model(h1, h2, en, (L), (V));                                                          \
    }                                                                                              \
    static __attribute__((noinline)) void powu2_model_##L(r52_half *h1, r52_half *h2, uint64_t e)  \
    {                                                                                              \
        r52_half *const h[2] = {h1, h2};                                                           \
        powu_model(h, e, 2, (L), (V));                                                             \
    }                                                                                              \
    static __attribute__((noinline)) void prod2_model_##L(r52_half *h1, r52_half *h2, int sqr)     \
    {                                                                                              \
        prod2_model(h1, h2, sqr, (L), (V));                                                        \
    }
MODEL_INSTANCE(20, 3)
MODEL_INSTANCE(30, 4)
MODEL_INSTANCE(40, 5)

static __attribute__((noinline)) void powu1_model_40(r52_half *h, uint64_t e)
{
    powu_model(&h, e, 1, 40, 5);
}

/* y (R52_STRIDE lanes) = x (n limbs of 64 bits) in 52-bit limbs. */
static void to_r52(uint64_t *y, const uint64_t *x, size_t n)
{
    for (size_t j = 0; j < R52_STRIDE; j++) {
        size_t bit = 52 * j, li = bit / 64, sh = bit % 64;
        uint64_t v = li < n ? x[li] >> sh : 0;
        if (sh > 12 && li + 1 < n)
            v |= x[li + 1] << (64 - sh);
        y[j] = v & R52_MASK;
    }
}

/* x (n limbs) = y (L limbs of 52 bits), truncated to n limbs. */
static void from_r52(uint64_t *x, size_t n, const uint64_t *y, size_t L)
{
    for (size_t i = 0; i < n; i++)
        x[i] = 0;
    for (size_t j = 0; j < L; j++) {
        size_t bit = 52 * j, li = bit / 64, sh = bit % 64;
        if (li < n)
            x[li] |= y[j] << sh;
        if (sh > 12 && li + 1 < n)
            x[li + 1] |= y[j] >> (64 - sh);
    }
}

/* y (radix 2^52) = 2^s R mod m, for s <= 64 (2^s is below m: one Montgomery product). */
static void pow2_r52(const bn_mont *ctx, uint64_t *y, size_t s)
{
    uint64_t x[BN_MAX_LIMBS] = {0}, w[BN_MAX_LIMBS];
    x[s / 64] = (uint64_t)1 << (s % 64);
    bn_mont_to(ctx, w, x);
    to_r52(y, w, ctx->nl);
}

/* The constants both kinds of exponentiation use: m, -m^-1 mod 2^52, 2^(104L - 64n) mod m
 * and R mod m. */
static void prepare_consts(r52_half *h, const bn_mont *ctx, size_t L)
{
    size_t n = ctx->nl;
    to_r52(h->m, ctx->m, n);
    h->k0 = ctx->n0 & R52_MASK;
    if (ctx->r52 != NULL) {
        memcpy(h->k, ctx->r52->k, sizeof h->k);
        memcpy(h->z, ctx->r52->z, sizeof h->z);
        return;
    }
    pow2_r52(ctx, h->k, 104 * L - 128 * n); /* 2^(104L - 64n) */
    pow2_r52(ctx, h->z, 0);                 /* R */
}

static void prepare(r52_half *h, const bn_mont *ctx, const uint64_t *b, const uint64_t *e,
                    size_t en, size_t L)
{
    size_t n = ctx->nl;
    memset(h->table, 0, sizeof h->table);
    prepare_consts(h, ctx, L);
    to_r52(h->b, b, n);
    if (ctx->r52 != NULL)
        memcpy(h->table, ctx->r52->t0, sizeof ctx->r52->t0);
    else
        pow2_r52(ctx, h->table, 52 * L - 64 * n); /* 2^52L */
    for (size_t i = 0; i < en; i++)
        h->e[i] = e[i];
}

/* r = acc (below 2m, 52-bit limbs) reduced below m (n limbs), in 64-bit limbs. */
static void finish_m(const r52_half *h, const uint64_t *m, size_t n, uint64_t *r, size_t L)
{
    uint64_t x[BN_MAX_LIMBS + 1], d[BN_MAX_LIMBS];
    from_r52(x, n + 1, h->acc, L);
    uint64_t br = bn_sub(d, x, m, n);
    uint64_t top = x[n] - br; /* all-ones exactly when x < m */
    bn_select(r, ct_value_barrier_u64(0 - (top >> 63)), x, d, n);
    tenon_wipe(x, sizeof x);
    tenon_wipe(d, sizeof d);
}

static void finish(const r52_half *h, const bn_mont *ctx, uint64_t *r, size_t L)
{
    finish_m(h, ctx->m, ctx->nl, r, L);
}

/* The L for n 64-bit limbs, 0 if no instance takes n; and whether the code may run. */
static size_t r52_len(size_t n)
{
    return n == 16 ? 20 : n == 24 ? 30 : n == 32 ? 40 : 0;
}

static int r52_allowed(int model)
{
#if TENON_X86_64
    return model || cpu_has(TENON_CPU_AVX512F | TENON_CPU_AVX512VL | TENON_CPU_AVX512IFMA);
#else
    return model;
#endif
}

void bn_r52_prep(bn_mont *ctx, bn_r52_pre *pre)
{
    size_t n = ctx->nl, L = r52_len(n);
    /* Without IFMA nothing reads the constants (a model run makes its own when ctx->r52 is
     * NULL): skip the three conversions, about 0.4% of an RSA-2048 operation on the ADX path. */
    if (L == 0 || !r52_allowed(0))
        return;
    pow2_r52(ctx, pre->k, 104 * L - 128 * n);
    pow2_r52(ctx, pre->z, 0);
    pow2_r52(ctx, pre->t0, 52 * L - 64 * n);
    ctx->r52 = pre;
}

int bn_r52_pow2_u64(int model, const bn_mont *c1, uint64_t *r1, const uint64_t *b1,
                    const bn_mont *c2, uint64_t *r2, const uint64_t *b2, uint64_t e)
{
    size_t n = c1->nl, L = r52_len(n);
    if (L == 0 || c2->nl != n || e == 0 || !r52_allowed(model))
        return 0;
    /* no table here: only the fields from m on are set (and wiped) */
    r52_half h[2];
    prepare_consts(&h[0], c1, L);
    prepare_consts(&h[1], c2, L);
    to_r52(h[0].b, b1, n);
    to_r52(h[1].b, b2, n);
    void (*run)(r52_half *, r52_half *, uint64_t) = L == 20   ? powu2_model_20
                                                    : L == 30 ? powu2_model_30
                                                              : powu2_model_40;
#if TENON_X86_64
    if (!model)
        run = L == 20 ? powu2_ifma_20 : L == 30 ? powu2_ifma_30 : powu2_ifma_40;
#endif
    run(&h[0], &h[1], e);
    finish(&h[0], c1, r1, L);
    finish(&h[1], c2, r2, L);
    for (int i = 0; i < 2; i++)
        tenon_wipe(h[i].m, sizeof h[i] - offsetof(r52_half, m));
    return 1;
}

int bn_r52_pow2_ct(int model, const bn_mont *c1, uint64_t *r1, const uint64_t *b1,
                   const uint64_t *e1, const bn_mont *c2, uint64_t *r2, const uint64_t *b2,
                   const uint64_t *e2, size_t en)
{
    size_t n = c1->nl, L = r52_len(n);
    if (L == 0 || c2->nl != n || en > n || !r52_allowed(model))
        return 0;
    r52_half h[2];
    prepare(&h[0], c1, b1, e1, en, L);
    prepare(&h[1], c2, b2, e2, en, L);
    void (*run)(r52_half *, r52_half *, size_t) = L == 20   ? pow2_model_20
                                                  : L == 30 ? pow2_model_30
                                                            : pow2_model_40;
#if TENON_X86_64
    if (!model)
        run = L == 20 ? pow2_ifma_20 : L == 30 ? pow2_ifma_30 : pow2_ifma_40;
#endif
    run(&h[0], &h[1], en);
    finish(&h[0], c1, r1, L);
    finish(&h[1], c2, r2, L);
    tenon_wipe(h, sizeof h);
    return 1;
}

int bn_r52_pow_u64_vartime(int model, uint64_t *r, const uint64_t *b, const uint64_t *m, size_t n,
                           uint64_t e)
{
    if (n != 32 || e == 0 || !r52_allowed(model))
        return 0;
    const size_t L = 40;
    /* Only the fields from m on are used (no table). The conversion constants take plain
     * numbers: k = 2^104L mod m takes b to b 2^52L, z = 1 takes the result back out. */
    r52_half h;
    uint64_t k[BN_MAX_LIMBS], inv = m[0];
    memset(h.m, 0, sizeof h - offsetof(r52_half, m));
    to_r52(h.m, m, n);
    to_r52(h.b, b, n);
    bn_pow2_mod_vartime(k, m, n, 104 * L / 64);
    to_r52(h.k, k, n);
    h.z[0] = 1;
    /* m^-1 mod 2^64 by Newton's iteration (m m = 1 mod 8: 3 bits, doubling each step) */
    for (int i = 0; i < 5; i++)
        inv *= 2 - m[0] * inv;
    h.k0 = (0 - inv) & R52_MASK;
    void (*run)(r52_half *, uint64_t) = powu1_model_40;
#if TENON_X86_64
    if (!model)
        run = powu1_ifma_40;
#endif
    run(&h, e);
    finish_m(&h, m, n, r, L);
    /* b may be secret (the padded message of an RSA encryption) */
    tenon_wipe(&h, sizeof h);
    return 1;
}

int bn_r52_mul_test(int model, int sqr, const bn_mont *ctx, uint64_t *r, const uint64_t *a,
                    const uint64_t *b)
{
    size_t n = ctx->nl, L = r52_len(n);
    if (L == 0 || !r52_allowed(model))
        return 0;
    r52_half h[2];
    for (int i = 0; i < 2; i++) {
        prepare_consts(&h[i], ctx, L);
        to_r52(h[i].t, a, n + 1);
        to_r52(h[i].b, b, n + 1);
    }
    void (*run)(r52_half *, r52_half *, int) = L == 20   ? prod2_model_20
                                               : L == 30 ? prod2_model_30
                                                         : prod2_model_40;
#if TENON_X86_64
    if (!model)
        run = L == 20 ? prod2_ifma_20 : L == 30 ? prod2_ifma_30 : prod2_ifma_40;
#endif
    run(&h[0], &h[1], sqr);
    uint64_t r2[BN_MAX_LIMBS];
    finish(&h[0], ctx, r, L);
    finish(&h[1], ctx, r2, L);
    /* both halves ran the same numbers */
    return 1 + (memcmp(r, r2, 8 * n) != 0);
}
