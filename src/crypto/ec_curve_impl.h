/*
 * Internal template: points of a short Weierstrass curve y^2 = x^3 - 3x + b of prime order n
 * over F_p, and the byte-level operations of ec_curve (ec_internal.h). Included once by each
 * curve file after both field instantiations, with:
 *
 *   F(name), S(name)   the field functions modulo p and modulo n (ec_field_impl.h)
 *   EC(name)           the names of this file's functions
 *   EC_LIMBS, EC_LEN   limbs and bytes of an element (EC_LEN = 8·EC_LIMBS)
 *   EC_N               n, little-endian limbs
 *   F_ONE              1 in Montgomery form modulo p
 *   EC_B, EC_GX, EC_GY b and the base point G in Montgomery form
 *   EC_NWIN            number of 5-bit signed windows of a scalar: ceil((bits + 1) / 5)
 *   EC_BASE_ROWS       rows of the base-point table; EC_BASE_CHUNKS = ceil(EC_NWIN / rows)
 *   EC_BASE_TABLE      the table (EC_BASE_TABLE_READY 0 while it is being bootstrapped)
 *
 * Two coordinate systems:
 *  - homogeneous projective (X : Y : Z), x = X/Z, y = Y/Z, infinity (0 : 1 : 0), with the
 *    complete formulas of Renes, Costello and Batina, "Complete addition formulas for prime
 *    order elliptic curves" (EUROCRYPT 2016), algorithms 4 (addition), 5 (mixed addition) and
 *    6 (doubling) for a = -3: they hold for all inputs, so the fixed-base multiplication (keys,
 *    signing) has no exceptional case to branch on;
 *  - Jacobian (X : Y : Z), x = X/Z^2, y = Y/Z^3, for the variable-base multiplication (ECDH),
 *    where cheaper doublings dominate; its one exceptional case is detected in constant time
 *    and, should it ever occur, the computation is redone with the complete formulas.
 * Verification, on public data only, uses variable-time Jacobian arithmetic (Shamir's trick
 * with width-5 NAFs). The curve order is prime (cofactor 1), as the complete formulas require.
 */

typedef struct {
    uint64_t x[EC_LIMBS], y[EC_LIMBS], z[EC_LIMBS];
} EC(point);

typedef struct {
    uint64_t x[EC_LIMBS], y[EC_LIMBS];
} EC(affine);

static inline void EC(set_infinity)(EC(point) * r)
{
    memset(r, 0, sizeof *r);
    F(copy)(r->y, F_ONE);
}

/* RCB algorithm 4: r = p + q, 12M + 2m_b + 29a. r may alias p or q. */
static void EC(add)(EC(point) * r, const EC(point) * p, const EC(point) * q)
{
    uint64_t t0[EC_LIMBS], t1[EC_LIMBS], t2[EC_LIMBS], t3[EC_LIMBS], t4[EC_LIMBS];
    uint64_t x3[EC_LIMBS], y3[EC_LIMBS], z3[EC_LIMBS];
    F(mul)(t0, p->x, q->x);
    F(mul)(t1, p->y, q->y);
    F(mul)(t2, p->z, q->z);
    F(add)(t3, p->x, p->y);
    F(add)(t4, q->x, q->y);
    F(mul)(t3, t3, t4);
    F(add)(t4, t0, t1);
    F(sub)(t3, t3, t4); /* X1 Y2 + X2 Y1 */
    F(add)(t4, p->y, p->z);
    F(add)(x3, q->y, q->z);
    F(mul)(t4, t4, x3);
    F(add)(x3, t1, t2);
    F(sub)(t4, t4, x3); /* Y1 Z2 + Y2 Z1 */
    F(add)(x3, p->x, p->z);
    F(add)(y3, q->x, q->z);
    F(mul)(x3, x3, y3);
    F(add)(y3, t0, t2);
    F(sub)(y3, x3, y3); /* X1 Z2 + X2 Z1 */
    F(mul)(z3, EC_B, t2);
    F(sub)(x3, y3, z3);
    F(add)(z3, x3, x3);
    F(add)(x3, x3, z3);
    F(sub)(z3, t1, x3);
    F(add)(x3, t1, x3);
    F(mul)(y3, EC_B, y3);
    F(add)(t1, t2, t2);
    F(add)(t2, t1, t2);
    F(sub)(y3, y3, t2);
    F(sub)(y3, y3, t0);
    F(add)(t1, y3, y3);
    F(add)(y3, t1, y3);
    F(add)(t1, t0, t0);
    F(add)(t0, t1, t0);
    F(sub)(t0, t0, t2);
    F(mul)(t1, t4, y3);
    F(mul)(t2, t0, y3);
    F(mul)(y3, x3, z3);
    F(add)(y3, y3, t2);
    F(mul)(x3, t3, x3);
    F(sub)(x3, x3, t1);
    F(mul)(z3, t4, z3);
    F(mul)(t1, t3, t0);
    F(add)(z3, z3, t1);
    F(copy)(r->x, x3);
    F(copy)(r->y, y3);
    F(copy)(r->z, z3);
}

/* RCB algorithm 5: r = p + (q.x : q.y : 1), 11M + 2m_b + 23a. Complete for any p; q must be
 * a finite point (callers select around a zero digit). r may alias p. */
__attribute__((unused)) static void EC(add_mixed)(EC(point) * r, const EC(point) * p,
                                                  const EC(affine) * q)
{
    uint64_t t0[EC_LIMBS], t1[EC_LIMBS], t2[EC_LIMBS], t3[EC_LIMBS], t4[EC_LIMBS];
    uint64_t x3[EC_LIMBS], y3[EC_LIMBS], z3[EC_LIMBS];
    F(mul)(t0, p->x, q->x);
    F(mul)(t1, p->y, q->y);
    F(add)(t3, q->x, q->y);
    F(add)(t4, p->x, p->y);
    F(mul)(t3, t3, t4);
    F(add)(t4, t0, t1);
    F(sub)(t3, t3, t4);
    F(mul)(t4, q->y, p->z);
    F(add)(t4, t4, p->y);
    F(mul)(y3, q->x, p->z);
    F(add)(y3, y3, p->x);
    F(mul)(z3, EC_B, p->z);
    F(sub)(x3, y3, z3);
    F(add)(z3, x3, x3);
    F(add)(x3, x3, z3);
    F(sub)(z3, t1, x3);
    F(add)(x3, t1, x3);
    F(mul)(y3, EC_B, y3);
    F(add)(t1, p->z, p->z);
    F(add)(t2, t1, p->z);
    F(sub)(y3, y3, t2);
    F(sub)(y3, y3, t0);
    F(add)(t1, y3, y3);
    F(add)(y3, t1, y3);
    F(add)(t1, t0, t0);
    F(add)(t0, t1, t0);
    F(sub)(t0, t0, t2);
    F(mul)(t1, t4, y3);
    F(mul)(t2, t0, y3);
    F(mul)(y3, x3, z3);
    F(add)(y3, y3, t2);
    F(mul)(x3, t3, x3);
    F(sub)(x3, x3, t1);
    F(mul)(z3, t4, z3);
    F(mul)(t1, t3, t0);
    F(add)(z3, z3, t1);
    F(copy)(r->x, x3);
    F(copy)(r->y, y3);
    F(copy)(r->z, z3);
}

/* RCB algorithm 6: r = 2p, 8M + 3S + 2m_b + 21a. r may alias p. */
static void EC(dbl)(EC(point) * r, const EC(point) * p)
{
    uint64_t t0[EC_LIMBS], t1[EC_LIMBS], t2[EC_LIMBS], t3[EC_LIMBS];
    uint64_t x3[EC_LIMBS], y3[EC_LIMBS], z3[EC_LIMBS];
    F(sqr)(t0, p->x);
    F(sqr)(t1, p->y);
    F(sqr)(t2, p->z);
    F(mul)(t3, p->x, p->y);
    F(add)(t3, t3, t3);
    F(mul)(z3, p->x, p->z);
    F(add)(z3, z3, z3);
    F(mul)(y3, EC_B, t2);
    F(sub)(y3, y3, z3);
    F(add)(x3, y3, y3);
    F(add)(y3, x3, y3);
    F(sub)(x3, t1, y3);
    F(add)(y3, t1, y3);
    F(mul)(y3, x3, y3);
    F(mul)(x3, x3, t3);
    F(add)(t3, t2, t2);
    F(add)(t2, t2, t3);
    F(mul)(z3, EC_B, z3);
    F(sub)(z3, z3, t2);
    F(sub)(z3, z3, t0);
    F(add)(t3, z3, z3);
    F(add)(z3, z3, t3);
    F(add)(t3, t0, t0);
    F(add)(t0, t3, t0);
    F(sub)(t0, t0, t2);
    F(mul)(t0, t0, z3);
    F(add)(y3, y3, t0);
    F(mul)(t0, p->y, p->z);
    F(add)(t0, t0, t0);
    F(mul)(z3, t0, z3);
    F(sub)(x3, x3, z3);
    F(mul)(z3, t0, t1);
    F(add)(z3, z3, z3);
    F(add)(z3, z3, z3);
    F(copy)(r->x, x3);
    F(copy)(r->y, y3);
    F(copy)(r->z, z3);
}

/* Affine coordinates (Montgomery form) of p; the mask is zero, and x = y = 0, for infinity. */
static uint64_t EC(to_affine)(uint64_t *x, uint64_t *y, const EC(point) * p)
{
    uint64_t zi[EC_LIMBS];
    F(inv)(zi, p->z);
    F(mul)(x, p->x, zi);
    F(mul)(y, p->y, zi);
    return ~F(is_zero)(p->z);
}

/* Bit i of a big-endian EC_LEN-byte scalar; 0 outside [0, 8·EC_LEN). i is public. */
static inline unsigned EC(bit)(const uint8_t *k, int i)
{
    if (i < 0 || i >= 8 * EC_LEN)
        return 0;
    return (k[EC_LEN - 1 - i / 8] >> (i % 8)) & 1u;
}

/*
 * Signed ("Booth") recoding in radix 2^5: digit w is
 *   d_w = b(5w-1) + b(5w) + 2 b(5w+1) + 4 b(5w+2) + 8 b(5w+3) - 16 b(5w+4),
 * in [-16, 16], and k = sum d_w 2^(5w) since the terms telescope (b(-1) = 0 and the top
 * window's sign bit lies above the scalar). From the six bits v = b(5w-1) .. b(5w+4):
 * d = ((v + 1) >> 1) - 32·(v >> 5). Returns |d| and sets *neg to 1 if d < 0; branch-free, as
 * the scalar is secret (the window index is not).
 */
static inline unsigned EC(digit)(const uint8_t *k, int w, unsigned *neg)
{
    unsigned v = 0;
    for (int j = 0; j < 6; j++)
        v |= EC(bit)(k, 5 * w - 1 + j) << j;
    unsigned s = v >> 5;
    unsigned m = (v + 1) >> 1; /* in [0, 32] */
    /* d = m - 32 s; |d| = s ? 32 - m : m. */
    unsigned mask = 0u - s;
    *neg = s;
    return (m ^ (mask & (m ^ (32 - m)))) & 63u;
}

/* r = -p if neg (0 or 1), else p; in place. */
static inline void EC(cond_neg)(uint64_t *y, unsigned neg)
{
    uint64_t ny[EC_LIMBS];
    F(neg)(ny, y);
    F(select)(y, (uint64_t)0 - neg, ny, y);
}

/* acc |= e & m, limb by limb. The table scans below work the same way: AND/OR into an
 * accumulator (two operations per limb, no dependency between limbs); a select per entry would
 * chain every entry through the previous one. */
static inline void EC(or_masked)(uint64_t *acc, const uint64_t *e, uint64_t m)
{
    for (int i = 0; i < EC_LIMBS; i++)
        acc[i] |= e[i] & m;
}

#ifndef EC_SCAN_DEFINED
#define EC_SCAN_DEFINED
/* out = entry idx - 1 of the 16 entries of w words at tab (w even, at most 18), all zeros for
 * idx 0, reading every entry: at most one mask is all-ones, so OR-ing the masked entries picks
 * it out. On x86-64 the accumulators are SSE2 registers (baseline there, so every CPU and
 * valgrind run this same code), two words each, fully unrolled once w is known: no store and
 * reload per entry, which is what the compiler made of the same loop over memory. */
#if TENON_X86_64
#include <immintrin.h>
/* The same scan with AVX2 (cpuid-dispatched in ec_scan16 below) for entries of W = 8 or 12
 * words, two or three ymm accumulators: half the instructions of SSE2. One function per W, so
 * the accumulators stay in registers; the mask is the same ct_mask_eq_u64. */
/* clang-format off */
#define EC_SCAN16_AVX2(W)                                                                          \
    __attribute__((target("avx2"), unused)) static void ec_scan16_avx2_##W(                        \
        uint64_t *out, const uint64_t *tab, unsigned idx)                                          \
    {                                                                                              \
        __m256i acc[W / 4];                                                                        \
        _Pragma("GCC unroll 4")                                                                    \
        for (int i = 0; i < W / 4; i++)                                                            \
            acc[i] = _mm256_setzero_si256();                                                       \
        for (unsigned j = 0; j < 16; j++) {                                                        \
            __m256i m = _mm256_set1_epi64x((long long)ct_mask_eq_u64(j + 1, idx));                 \
            const uint64_t *e = tab + (size_t)j * W;                                               \
            _Pragma("GCC unroll 4")                                                                \
            for (int i = 0; i < W / 4; i++)                                                        \
                acc[i] = _mm256_or_si256(acc[i], _mm256_and_si256(m,                              \
                    _mm256_loadu_si256((const __m256i *)(const void *)(e + 4 * i))));             \
        }                                                                                          \
        _Pragma("GCC unroll 4")                                                                    \
        for (int i = 0; i < W / 4; i++)                                                            \
            _mm256_storeu_si256((__m256i *)(void *)(out + 4 * i), acc[i]);                         \
    }
EC_SCAN16_AVX2(8)
EC_SCAN16_AVX2(12)
#undef EC_SCAN16_AVX2
/* clang-format on */

/* Unrolled when optimising, so that acc[] stays in registers; GCC at -O0 with the sanitizers
 * cannot unroll a loop whose count (w) is not yet a constant, and says so ("ignoring loop
 * annotation", an error under TENON_WERROR). */
#ifdef __OPTIMIZE__
#define EC_SCAN_UNROLL _Pragma("GCC unroll 9")
#else
#define EC_SCAN_UNROLL
#endif

static inline __attribute__((always_inline)) void ec_scan16_sse2(uint64_t *out, const uint64_t *tab,
                                                                 int w, unsigned idx)
{
    __m128i acc[9];
    EC_SCAN_UNROLL
    for (int i = 0; i < w / 2; i++)
        acc[i] = _mm_setzero_si128();
    for (unsigned j = 0; j < 16; j++) {
        __m128i m = _mm_set1_epi64x((long long)ct_mask_eq_u64(j + 1, idx));
        const uint64_t *e = tab + (size_t)j * (size_t)w;
        EC_SCAN_UNROLL
        for (int i = 0; i < w / 2; i++)
            acc[i] = _mm_or_si128(
                acc[i],
                _mm_and_si128(m, _mm_loadu_si128((const __m128i *)(const void *)(e + 2 * i))));
    }
    EC_SCAN_UNROLL
    for (int i = 0; i < w / 2; i++)
        _mm_storeu_si128((__m128i *)(void *)(out + 2 * i), acc[i]);
}
static inline __attribute__((always_inline)) void ec_scan16(uint64_t *out, const uint64_t *tab,
                                                            int w, unsigned idx)
{
    if ((w == 8 || w == 12) && cpu_has(TENON_CPU_AVX2)) {
        if (w == 8)
            ec_scan16_avx2_8(out, tab, idx);
        else
            ec_scan16_avx2_12(out, tab, idx);
        return;
    }
    ec_scan16_sse2(out, tab, w, idx);
}
#else
static inline void ec_scan16(uint64_t *out, const uint64_t *tab, int w, unsigned idx)
{
    uint64_t acc[18] = {0};
    for (unsigned j = 0; j < 16; j++) {
        uint64_t m = ct_mask_eq_u64(j + 1, idx);
        for (int i = 0; i < w; i++)
            acc[i] |= tab[(size_t)j * (size_t)w + (size_t)i] & m;
    }
    for (int i = 0; i < w; i++)
        out[i] = acc[i];
}
#endif
#endif

/* r = tab[idx - 1] for idx in [1, 16], infinity (0 : 1 : 0) for idx 0, reading every entry. */
static void EC(lookup)(EC(point) * r, const EC(point) tab[16], unsigned idx)
{
    _Static_assert(sizeof(EC(point)) == 3 * EC_LEN, "points are packed limbs");
    ec_scan16((uint64_t *)(void *)r, (const uint64_t *)(const void *)tab, 3 * EC_LIMBS, idx);
    EC(or_masked)(r->y, F_ONE, ct_mask_eq_u64(idx, 0));
}

/* a = row[idx - 1] of a base-table row of 16 affine points, all zeros for idx 0. */
static inline void EC(lookup_affine)(EC(affine) * a, const uint64_t *row, unsigned idx)
{
    _Static_assert(sizeof(EC(affine)) == 2 * EC_LEN, "points are packed limbs");
    ec_scan16((uint64_t *)(void *)a, row, 2 * EC_LIMBS, idx);
}

/* r = k·p, constant-time in k and p: a table of 1p .. 16p, then from the top window down,
 * five doublings and the addition of the window's signed multiple. */
static void EC(mul_point)(EC(point) * r, const uint8_t *k, const EC(point) * p)
{
    EC(point) tab[16], t;
    unsigned neg;
    tab[0] = *p;
    for (int j = 2; j <= 16; j++) {
        if (j % 2 == 0)
            EC(dbl)(&tab[j - 1], &tab[j / 2 - 1]);
        else
            EC(add)(&tab[j - 1], &tab[j - 2], p);
    }
    EC(lookup)(r, tab, EC(digit)(k, EC_NWIN - 1, &neg)); /* the top digit is not negative */
    for (int w = EC_NWIN - 2; w >= 0; w--) {
        for (int i = 0; i < 5; i++)
            EC(dbl)(r, r);
        unsigned idx = EC(digit)(k, w, &neg);
        EC(lookup)(&t, tab, idx);
        EC(cond_neg)(t.y, neg);
        EC(add)(r, r, &t);
    }
    tenon_wipe(tab, sizeof tab);
    tenon_wipe(&t, sizeof t);
}

/* Row i of the base table holds j·2^(5i)·G for j = 1..16, affine, Montgomery form. */
__attribute__((unused)) static void EC(base_table_compute)(uint64_t *out)
{
    EC(point) row, e;
    F(copy)(row.x, EC_GX);
    F(copy)(row.y, EC_GY);
    F(copy)(row.z, F_ONE);
    for (int i = 0; i < EC_BASE_ROWS; i++) {
        e = row;
        for (int j = 1; j <= 16; j++) {
            uint64_t *o = out + ((size_t)i * 16 + (size_t)(j - 1)) * 2 * EC_LIMBS;
            (void)EC(to_affine)(o, o + EC_LIMBS, &e);
            EC(add)(&e, &e, &row);
        }
        for (int d = 0; d < 5; d++)
            EC(dbl)(&row, &row);
    }
}

#ifdef EC_G_ODD_N
/* Entry j holds the affine (2j + 1)·G, j < EC_G_ODD_N (EC_G_ODD's table, recomputed for the
 * test that checks it). */
__attribute__((unused)) static void EC(g_odd_compute)(uint64_t *out)
{
    EC(point) e, g2;
    F(copy)(e.x, EC_GX);
    F(copy)(e.y, EC_GY);
    F(copy)(e.z, F_ONE);
    EC(dbl)(&g2, &e);
    for (int j = 0; j < EC_G_ODD_N; j++) {
        uint64_t *o = out + (size_t)j * 2 * EC_LIMBS;
        (void)EC(to_affine)(o, o + EC_LIMBS, &e);
        EC(add)(&e, &e, &g2);
    }
}
#endif

#if EC_BASE_TABLE_READY
/* r = k·G with the static table: G's multiples for every window position are precomputed, so
 * with a single chunk there is no doubling at all; with several chunks of EC_BASE_ROWS windows,
 * Horner's rule over the chunks costs 5·EC_BASE_ROWS doublings per chunk. Every table row
 * used is read in full. */
static void EC(mul_base_point)(EC(point) * r, const uint8_t *k)
{
    EC(affine) a;
    EC(point) t;
    EC(set_infinity)(r);
    for (int c = EC_BASE_CHUNKS - 1; c >= 0; c--) {
        if (c != EC_BASE_CHUNKS - 1)
            for (int i = 0; i < 5 * EC_BASE_ROWS; i++)
                EC(dbl)(r, r);
        for (int i = 0; i < EC_BASE_ROWS; i++) {
            int w = c * EC_BASE_ROWS + i;
            if (w >= EC_NWIN)
                break;
            unsigned neg, idx = EC(digit)(k, w, &neg);
            const uint64_t *row = EC_BASE_TABLE + (size_t)i * 16 * 2 * EC_LIMBS;
            EC(lookup_affine)(&a, row, idx);
            EC(cond_neg)(a.y, neg);
            EC(add_mixed)(&t, r, &a);
            /* A zero digit adds nothing (the affine formula cannot take infinity). */
            uint64_t z = ct_mask_eq_u64(idx, 0);
            F(select)(r->x, z, r->x, t.x);
            F(select)(r->y, z, r->y, t.y);
            F(select)(r->z, z, r->z, t.z);
        }
    }
    tenon_wipe(&a, sizeof a);
    tenon_wipe(&t, sizeof t);
}
#else
static void EC(mul_base_point)(EC(point) * r, const uint8_t *k)
{
    EC(point) g;
    F(copy)(g.x, EC_GX);
    F(copy)(g.y, EC_GY);
    F(copy)(g.z, F_ONE);
    EC(mul_point)(r, k, &g);
}
#endif

/*
 * Jacobian coordinates (X : Y : Z), x = X/Z^2, y = Y/Z^3, infinity Z = 0, for the variable-base
 * multiplication: doubling costs 4M + 4S against 8M + 3S + 2m_b for the complete projective
 * formula, and doublings are 5/6 of the work. (Z3 = 2YZ by a multiplication rather than
 * (Y + Z)^2 - Y^2 - Z^2: one product against a square and three additions; the small multiples
 * are fused, FE(mul3) and the like in ec_field_impl.h, so their values stay in registers.)
 * EC(jdbl) returns the double scaled by lambda = 1/2, (X3/4 : Y3/8 : Z3/2), the same point
 * since (X : Y : Z) = (l^2 X : l^3 Y : l Z) for any l != 0: with alpha/2 = 3(X - delta)(X +
 * delta)/2 the formulas lose their constants (X3/4 = (alpha/2)^2 - 2 beta, Y3/8 = (alpha/2)
 * (beta - X3/4) - gamma^2, Z3/2 = Y Z), and a doubling does eight modular reductions of small
 * multiples and sums instead of fourteen (one of them a halving, FE(half)). The
 * Jacobian doubling has no exceptional case on a curve of odd order (no point has y = 0;
 * infinity stays Z = 0). The addition has one:
 * equal inputs (H = R = 0), where it would return infinity. EC(jadd) reports it in a mask
 * instead of branching, and EC(mul) falls back to the complete formulas if it ever fires —
 * which it cannot for a scalar in [1, n-1] (see EC(mul_point_jac)).
 */
/* The order of the field operations in EC(jdbl) and EC(jmadd) matters on an out-of-order core:
 * each product is a serial chain, and two independent ones next to each other in the
 * instruction stream overlap. So each operation on the critical path (delta, alpha, alpha^2,
 * the final product) is followed by an independent one (beta, Z3, gamma^2) rather than by its
 * own consumer (min-of-N on the mulx/adx field: 9% off the doubling, 10% off the mixed
 * addition). */
static void EC(jdbl)(EC(point) * r, const EC(point) * p)
{
    uint64_t gamma[EC_LIMBS], beta[EC_LIMBS], alpha[EC_LIMBS], t[EC_LIMBS], u[EC_LIMBS];
    F(sqr_sub_add_mul3_half_inl)(t, u, p->z, p->x); /* x - delta, 3(x + delta)/2 */
    F(sqr_inl)(gamma, p->y);
    F(mul_inl)(alpha, t, u); /* alpha/2 = 3 (x - delta)(x + delta) / 2, a = -3 */
    F(mul_inl)(beta, p->x, gamma);
    F(mul_inl)(r->z, p->y, p->z);              /* Z3/2 = y z; p is not read after this */
    F(sqr_sub_dbl2_inl)(r->x, t, alpha, beta); /* X3/4 = (alpha/2)^2 - 2 beta, beta - X3/4 */
    F(sqr_inl)(gamma, gamma);
    F(mul_sub_inl)(r->y, t, alpha, gamma); /* Y3/8 = (alpha/2)(beta - X3/4) - gamma^2 */
}

/* r = p + q (Jacobian, 11M + 5S). Infinity on either side is selected around; the mask is
 * all-ones when p = q (both finite), the one case this formula gets wrong. r may alias. */
static uint64_t EC(jadd)(EC(point) * r, const EC(point) * p, const EC(point) * q)
{
    uint64_t z1z1[EC_LIMBS], z2z2[EC_LIMBS], u1[EC_LIMBS], u2[EC_LIMBS], s1[EC_LIMBS], s2[EC_LIMBS],
        h[EC_LIMBS], rr[EC_LIMBS], t[EC_LIMBS];
    EC(point) o;
    F(sqr)(z1z1, p->z);
    F(sqr)(z2z2, q->z);
    F(mul)(u1, p->x, z2z2);
    F(mul)(u2, q->x, z1z1);
    F(mul)(s1, q->z, z2z2);
    F(mul)(s1, p->y, s1);
    F(mul)(s2, p->z, z1z1);
    F(mul)(s2, q->y, s2);
    F(sub)(h, u2, u1);
    F(sub)(rr, s2, s1);
    uint64_t pinf = F(is_zero)(p->z), qinf = F(is_zero)(q->z);
    uint64_t same = F(is_zero)(h) & F(is_zero)(rr) & ~pinf & ~qinf;
    F(mul)(o.z, p->z, q->z);
    F(mul)(o.z, o.z, h);
    F(sqr)(t, h);      /* HH */
    F(mul)(u1, u1, t); /* V = U1 HH */
    F(mul)(h, h, t);   /* HHH */
    F(sqr)(o.x, rr);
    F(sub)(o.x, o.x, h);
    F(sub_dbl2)(o.x, t, o.x, u1);
    F(mul)(t, t, rr);
    F(mul)(s1, s1, h);
    F(sub)(o.y, t, s1);
    /* p infinite: q; q infinite: p. */
    F(select)(o.x, pinf, q->x, o.x);
    F(select)(o.y, pinf, q->y, o.y);
    F(select)(o.z, pinf, q->z, o.z);
    F(select)(r->x, qinf, p->x, o.x);
    F(select)(r->y, qinf, p->y, o.y);
    F(select)(r->z, qinf, p->z, o.z);
    return same;
}

/* r = p + (q.x, q.y) (Jacobian plus affine, 8M + 3S); q must be finite. p infinite is
 * selected around; the mask is all-ones when p = q (finite), which this formula gets wrong.
 * With H = U2 - X1 and R = S2 - Y1: X3 = R^2 - H^3 - 2 X1 H^2, Y3 = R (X1 H^2 - X3) - Y1 H^3,
 * Z3 = Z1 H. As many products as the 7M + 4S form with Z3 = (Z1 + H)^2 - Z1^2 - H^2 and
 * I = 4 H^2, and five fewer modular reductions of small multiples and sums. */
static uint64_t EC(jmadd)(EC(point) * r, const EC(point) * p, const EC(affine) * q)
{
    uint64_t z1z1[EC_LIMBS], s2[EC_LIMBS], h[EC_LIMBS], hh[EC_LIMBS], hhh[EC_LIMBS], rr[EC_LIMBS],
        v[EC_LIMBS], t[EC_LIMBS];
    EC(point) o;
    F(sqr_inl)(z1z1, p->z);
    F(mul_inl)(s2, p->z, z1z1);
    F(mul_sub_inl)(h, q->x, z1z1, p->x); /* H = U2 - X1 */
    F(mul_sub_inl)(rr, q->y, s2, p->y);  /* R = S2 - Y1 */
    F(mul_inl)(o.z, p->z, h);
    uint64_t pinf = F(is_zero)(p->z);
    uint64_t same = F(is_zero)(h) & F(is_zero)(rr) & ~pinf;
    F(sqr_inl)(hh, h);
    F(sqr_inl)(o.x, rr);
    F(mul_inl)(hhh, h, hh);
    F(mul_inl)(v, p->x, hh);
    F(sub3_inl)(o.x, t, o.x, hhh, v); /* X3 = R^2 - H^3 - 2V, and V - X3 */
    F(mul_inl)(hhh, hhh, p->y);
    F(mul_sub_inl)(o.y, t, rr, hhh);
    F(select)(r->x, pinf, q->x, o.x);
    F(select)(r->y, pinf, q->y, o.y);
    F(select)(r->z, pinf, F_ONE, o.z);
    return same;
}

/* r += entry idx - 1 of a table of affine points, read into a by EC(lookup_affine), negated
 * if neg (0 or 1): idx 0 (a = (0, 0), not a point) leaves r as it is, selected in constant
 * time. Returns the mask of an exceptional addition. */
__attribute__((unused, always_inline)) static inline uint64_t
EC(jmadd_idx)(EC(point) * r, unsigned idx, unsigned neg, const uint64_t *row, EC(affine) * a)
{
    EC(point) t;
    EC(lookup_affine)(a, row, idx);
    EC(cond_neg)(a->y, neg);
    uint64_t z = ct_mask_eq_u64(idx, 0);
    uint64_t bad = EC(jmadd)(&t, r, a) & ~z;
    F(select)(r->x, z, r->x, t.x);
    F(select)(r->y, z, r->y, t.y);
    F(select)(r->z, z, r->z, t.z);
    tenon_wipe(&t, sizeof t);
    return bad;
}

/* EC(jmadd_idx) with the signed digit w of k, for the signed-window loops. */
__attribute__((unused, always_inline)) static inline uint64_t
EC(jmadd_digit)(EC(point) * r, const uint8_t *k, int w, const uint64_t *row, EC(affine) * a)
{
    unsigned neg, idx = EC(digit)(k, w, &neg);
    return EC(jmadd_idx)(r, idx, neg, row, a);
}

#if EC_BASE_TABLE_READY
/* r = k·G (Jacobian) with the static table, as EC(mul_base_point) but with the cheaper
 * Jacobian mixed addition; returns the mask of exceptional additions (the caller then redoes
 * the computation with the complete formulas). For k in [1, n-1] there are none: with one
 * chunk (P-256), at window i the accumulator holds A, |A| < 2^(5i-1), and the added d·2^(5i)
 * is 0 (skipped) or at least 2^(5i) in size, so A = ±d·2^(5i) (mod n) needs a difference that
 * is a non-zero multiple of n, reachable only in the top window where it means k = 0 or
 * k = d·2^256 (mod n), a small value whose top digit is 0, not d. With two chunks (P-384) the
 * high chunk's part is a multiple of 2^(5·rows) larger than anything the low chunk adds. */
static uint64_t EC(mul_base_jac)(EC(point) * r, const uint8_t *k)
{
    EC(affine) a;
    uint64_t bad = 0;
    memset(r, 0, sizeof *r); /* Z = 0: infinity */
    for (int c = EC_BASE_CHUNKS - 1; c >= 0; c--) {
        if (c != EC_BASE_CHUNKS - 1)
            for (int i = 0; i < 5 * EC_BASE_ROWS; i++)
                EC(jdbl)(r, r);
        for (int i = 0; i < EC_BASE_ROWS; i++) {
            int w = c * EC_BASE_ROWS + i;
            if (w >= EC_NWIN)
                break;
            bad |= EC(jmadd_digit)(r, k, w, EC_BASE_TABLE + (size_t)i * 16 * 2 * EC_LIMBS, &a);
        }
    }
    tenon_wipe(&a, sizeof a);
    return bad;
}
#endif

/*
 * zi = z^-1 mod p through a blind: with beta uniform and secret (EC_LEN bytes, reduced once, so
 * uniform within a statistical distance of 2^-32 for P-256), z·beta is uniform and independent
 * of every secret, so the variable-time inversion (F(inv_vartime)) may take it, marked public
 * for valgrind; zi = beta·(z·beta)^-1. Without a blind (NULL), the constant-time F(inv). z = 0
 * (infinity) gives zi = 0, as does a zero blind (probability 2^-256): the caller sees a zero
 * coordinate, never a wrong point passed as right (ECDH's and signing's results are then 0 or
 * rejected).
 */
static void EC(inv_blinded)(uint64_t *zi, const uint64_t *z, const uint8_t *blind)
{
    uint64_t b[EC_LIMBS], t[EC_LIMBS];
    if (blind == NULL) {
        F(inv)(zi, z);
        return;
    }
    (void)F(load)(b, blind);
    F(reduce_once)(b, b, 0);
    F(to_mont)(b, b);
    F(mul)(t, z, b);
    ct_declassify(t, sizeof t); /* uniform, independent of the secrets: see above */
    F(inv_vartime)(t, t);
    F(mul)(zi, t, b);
    tenon_wipe(b, sizeof b);
}

/* Affine coordinates of a Jacobian point (Montgomery form); zero mask for infinity. The
 * inversion is blinded by blind (EC(inv_blinded)) unless it is NULL. */
static uint64_t EC(jac_to_affine)(uint64_t *x, uint64_t *y, const EC(point) * p,
                                  const uint8_t *blind)
{
    uint64_t zi[EC_LIMBS], zi2[EC_LIMBS];
    EC(inv_blinded)(zi, p->z, blind);
    F(sqr)(zi2, zi);
    F(mul)(x, p->x, zi2);
    F(mul)(zi2, zi2, zi);
    F(mul)(y, p->y, zi2);
    return ~F(is_zero)(p->z);
}

/*
 * r = k·p (Jacobian), constant-time, the same windows as EC(mul_point). Returns the mask of
 * exceptional additions. For k in [1, n-1] there are none: the table additions compute
 * (j-1)p + p with 2 < j <= 16, never equal inputs; in the main loop the accumulator is
 * 32·V·p where V is the value of the digits above the current one, 0 <= 32·V < n + 32 (V = 0
 * is infinity, handled), and 32·V = ±d (mod n) with |d| <= 16 would need k = 0 or k = 2d
 * with 32 | d, i.e. k = 0.
 */
__attribute__((unused)) static uint64_t EC(mul_point_jac)(EC(point) * r, const uint8_t *k,
                                                          const EC(point) * p)
{
    EC(point) tab[16], t;
    unsigned neg;
    uint64_t bad = 0;
    tab[0] = *p;
    for (int j = 2; j <= 16; j++) {
        if (j % 2 == 0)
            EC(jdbl)(&tab[j - 1], &tab[j / 2 - 1]);
        else
            bad |= EC(jadd)(&tab[j - 1], &tab[j - 2], p);
    }
    EC(lookup)(r, tab, EC(digit)(k, EC_NWIN - 1, &neg));
    for (int w = EC_NWIN - 2; w >= 0; w--) {
        for (int i = 0; i < 5; i++)
            EC(jdbl)(r, r);
        unsigned idx = EC(digit)(k, w, &neg);
        EC(lookup)(&t, tab, idx);
        EC(cond_neg)(t.y, neg);
        bad |= EC(jadd)(r, r, &t);
    }
    tenon_wipe(tab, sizeof tab);
    tenon_wipe(&t, sizeof t);
    return bad;
}

#ifdef EC_FAST_INV_VARTIME
/*
 * out[i] = in[i] in affine coordinates for n <= 16 finite public points, with one inversion for
 * all of them (Montgomery's trick: the prefix products c_i = Z_0···Z_i, one inversion of
 * c_(n-1), then Z_i^-1 = c_(i-1)·(Z_i···Z_(n-1))^-1 walking back), the variable-time one
 * (F(inv_vartime)): 3(n-1) + 4n products and one inversion, against n inversions.
 */
static void EC(batch_affine_vartime)(EC(affine) * out, const EC(point) * in, int n)
{
    uint64_t c[16][EC_LIMBS], inv[EC_LIMBS], zi[EC_LIMBS], zi2[EC_LIMBS];
    F(copy)(c[0], in[0].z);
    for (int i = 1; i < n; i++)
        F(mul)(c[i], c[i - 1], in[i].z);
    F(inv_vartime)(inv, c[n - 1]);
    for (int i = n - 1; i >= 0; i--) {
        if (i > 0) {
            F(mul)(zi, inv, c[i - 1]);
            F(mul)(inv, inv, in[i].z);
        } else {
            F(copy)(zi, inv);
        }
        F(sqr)(zi2, zi);
        F(mul)(out[i].x, in[i].x, zi2);
        F(mul)(zi2, zi2, zi);
        F(mul)(out[i].y, in[i].y, zi2);
    }
}

/*
 * Co-Z addition with update (N. Meloni, "New point addition formulae for ECC applications",
 * WAIFI 2007): for p = (X1, Y1, Z) and q = (X2, Y2, Z) with the same Z (only X and Y are
 * held), sum = p + q and p is replaced by the same point with the sum's Z' = Z·H, H = X2 - X1:
 * A = H^2, B = X1·A, C = X2·A, D = (Y2 - Y1)^2, E = Y1·(C - B), X3 = D - B - C,
 * Y3 = (Y2 - Y1)(B - X3) - E, and p becomes (B, E) = (X1 H^2, Y1 H^3). 4M + 2S (Z' itself is
 * not formed: h returns H, from which the caller rebuilds the Z's). The mask is all-ones when
 * H = 0 (p = ±q), where the result is wrong. sum must not alias p or q.
 */
static uint64_t EC(zaddu)(EC(affine) * sum, EC(affine) * p, const EC(affine) * q, uint64_t *h)
{
    uint64_t rr[EC_LIMBS], a[EC_LIMBS], b[EC_LIMBS], c[EC_LIMBS], t[EC_LIMBS];
    F(sub)(h, q->x, p->x);
    F(sub)(rr, q->y, p->y);
    F(sqr_inl)(a, h);
    F(sqr_inl)(sum->x, rr); /* D */
    F(mul_inl)(b, p->x, a);
    F(mul_inl)(c, q->x, a);
    F(sub)(t, c, b);
    F(mul_inl)(p->y, p->y, t); /* E */
    F(copy)(p->x, b);
    F(sub)(sum->x, sum->x, b);
    F(sub)(sum->x, sum->x, c); /* X3 */
    F(sub)(t, b, sum->x);
    F(mul_inl)(sum->y, rr, t);
    F(sub)(sum->y, sum->y, p->y); /* Y3 */
    return F(is_zero)(h);
}

/*
 * tabA[j - 1] = j·p in affine form for j = 1 .. 16, p affine (Z = 1). Public values only (the
 * peer's point's multiples), so the inversion is the variable-time one. 2p comes from EC(jdbl)
 * with Z2 = y; p is brought to the same Z (x·Z2^2, y·Z2^3), and each further multiple is
 * (j + 1)p = p + j·p by EC(zaddu), which keeps p and the new multiple on one Z: Z_(j+1) =
 * Z_j·H_j. One inversion of Z_16 then gives every Z_j^-1 walking back (Z_j^-1 =
 * Z_(j+1)^-1·H_j). 4M + 2S an entry plus 5 for its conversion, against the Jacobian doubling
 * or mixed addition (8 or 11) plus 7 for the batch conversion (EC(batch_affine_vartime)). The
 * mask is all-ones where an addition was exceptional (j·p = ±p, impossible for j in 2 .. 15 on
 * a curve of prime order: it would make p's order divide j ± 1).
 */
static uint64_t EC(table_coz)(EC(affine) tabA[16], const EC(point) * p)
{
    EC(point) d;
    EC(affine) pc;
    uint64_t h[16][EC_LIMBS], z[EC_LIMBS], zi[EC_LIMBS], zi2[EC_LIMBS], bad = 0;
    F(copy)(tabA[0].x, p->x);
    F(copy)(tabA[0].y, p->y);
    EC(jdbl)(&d, p); /* Z2 = y·1 */
    F(copy)(tabA[1].x, d.x);
    F(copy)(tabA[1].y, d.y);
    F(sqr)(zi2, d.z);
    F(mul)(pc.x, p->x, zi2);
    F(mul)(zi2, zi2, d.z);
    F(mul)(pc.y, p->y, zi2);
    for (int j = 2; j < 16; j++)
        bad |= EC(zaddu)(&tabA[j], &pc, &tabA[j - 1], h[j]);
    /* z = Z_16 = Z_2·H_2···H_15. */
    F(copy)(z, d.z);
    for (int j = 2; j < 16; j++)
        F(mul)(z, z, h[j]);
    F(inv_vartime)(zi, z);
    for (int j = 15; j >= 1; j--) { /* zi = Z_(j+1)^-1 */
        F(sqr)(zi2, zi);
        F(mul)(tabA[j].x, tabA[j].x, zi2);
        F(mul)(zi2, zi2, zi);
        F(mul)(tabA[j].y, tabA[j].y, zi2);
        if (j > 1)
            F(mul)(zi, zi, h[j]);
    }
    return bad;
}

/*
 * EC(mul_point_jac) with the table in affine form and mixed additions (8M + 3S against
 * 11M + 5S, 51 of them for P-256), for fields with a fast variable-time inversion. The table
 * holds multiples of the peer's public point only, so building it and bringing it to affine
 * form with one variable-time inversion (EC(table_coz)) reveals nothing; the scalar is used as
 * in EC(mul_point_jac): every entry is read (EC(lookup_affine)), the negation is masked, and a
 * zero digit, for which the affine scan yields (0, 0), not a point, is selected around rather
 * than added. EC(jmadd) fails only where EC(jadd) would, for equal finite inputs, i.e.
 * 32·V·p = d·p with the accumulator 32·V·p and the added d·p (d = ±1..16), V the value of the
 * digits of K = k >> 2 above the current one, which for k in [1, n-1] does not happen (the
 * argument at EC(mul_point_jac), K < n in place of k); the last addition is covered below. An
 * accumulator at infinity (leading zero digits) is selected around inside EC(jmadd) (it returns
 * the affine point with Z = 1); p + (-p) gives H = 0 and so Z3 = 0, infinity, as with EC(jadd).
 */
/* Signed windows of k >> 2 (8·EC_LEN - 2 bits and a sign bit above). */
#define EC_JMA_NWIN ((8 * EC_LEN - 1 + 4) / 5)
static uint64_t EC(mul_point_jma)(EC(point) * r, const uint8_t *k, const EC(point) * p)
{
    EC(affine) tabA[16], a; /* the table is public: p's multiples */
    unsigned neg;
    /* p is affine (Z = 1, EC(load_point)). */
    uint64_t bad = EC(table_coz)(tabA, p);
    const uint64_t *row = (const uint64_t *)(const void *)tabA;
    /* k = 4·K + l, l = k mod 4: K's 8·EC_LEN - 2 bits take EC_JMA_NWIN signed windows (the top
     * one not negative, as K's bit 5·EC_JMA_NWIN - 1 is zero), then two doublings and l·p.
     * 5·(EC_JMA_NWIN - 1) + 2 doublings (252 for P-256) instead of 5·(EC_NWIN - 1) (255), where
     * the top window of k's 257 signed bits holds just its top bit. */
    uint8_t kk[EC_LEN];
    kk[0] = (uint8_t)(k[0] >> 2);
    for (int i = 1; i < EC_LEN; i++)
        kk[i] = (uint8_t)((k[i] >> 2) | (k[i - 1] << 6));
    unsigned idx = EC(digit)(kk, EC_JMA_NWIN - 1, &neg);
    EC(lookup_affine)(&a, row, idx);
    F(copy)(r->x, a.x);
    F(copy)(r->y, a.y);
    memset(r->z, 0, sizeof r->z);
    EC(or_masked)(r->z, F_ONE, ~ct_mask_eq_u64(idx, 0)); /* Z = 0: infinity for digit 0 */
    for (int w = EC_JMA_NWIN - 2; w >= 0; w--) {
        for (int i = 0; i < 5; i++)
            EC(jdbl)(r, r);
        bad |= EC(jmadd_digit)(r, kk, w, row, &a);
    }
    EC(jdbl)(r, r);
    EC(jdbl)(r, r);
    /* 4·K·p + l·p (l in 1 .. 3) is never the exceptional case, equal finite inputs: that would
     * need 4·K = l (mod n) with 0 <= 4·K <= k < n, i.e. 4·K = l, which no l in 1 .. 3 is. */
    bad |= EC(jmadd_idx)(r, k[EC_LEN - 1] & 3u, 0, row, &a);
    tenon_wipe(&a, sizeof a);
    tenon_wipe(kk, sizeof kk);
    return bad;
}
#undef EC_JMA_NWIN
#endif

/* Variable-time Jacobian addition for verification (public inputs only). */
static void EC(jadd_vartime)(EC(point) * r, const EC(point) * p, const EC(point) * q)
{
    if (F(is_zero)(p->z)) {
        *r = *q;
        return;
    }
    if (F(is_zero)(q->z)) {
        *r = *p;
        return;
    }
    EC(point) o;
    if (EC(jadd)(&o, p, q))
        EC(jdbl)(&o, p);
    *r = o;
}

/* r = p + (q.x, q.y) for verification (public inputs only), with the mixed Jacobian-affine
 * formula (8M + 3S against 11M + 5S); q must be finite. */
static void EC(jmadd_vartime)(EC(point) * r, const EC(point) * p, const EC(affine) * q)
{
    EC(point) o;
    if (EC(jmadd)(&o, p, q)) {
        F(copy)(o.x, q->x);
        F(copy)(o.y, q->y);
        F(copy)(o.z, F_ONE);
        EC(jdbl)(&o, &o);
    }
    *r = o;
}

/* Width-w NAF (2 <= w <= 8) of a public EC_LEN-byte scalar: digits odd in
 * [-(2^(w-1) - 1), 2^(w-1) - 1] or zero, at most one non-zero in any w consecutive positions.
 * Returns the number of digits. Read off the bits from the bottom with a carry: where the bit
 * differs from the carry a digit starts, taken from the next w bits plus the carry (odd, 1 ..
 * 2^w - 1) and made signed by moving 2^w into the carry; elsewhere the digit is 0. */
static int EC(wnaf)(int8_t *naf, const uint8_t *k, int w)
{
    const int bits = 8 * EC_LEN;
    int n = 0, i = 0;
    unsigned carry = 0;
    memset(naf, 0, (size_t)bits + 1);
    while (i < bits) {
        if (EC(bit)(k, i) == carry) {
            i++;
            continue;
        }
        unsigned word = carry;
        for (int j = 0; j < w; j++)
            word += EC(bit)(k, i + j) << j; /* EC(bit) is 0 above the scalar */
        carry = word >> (w - 1);
        naf[i] = (int8_t)((int)word - (int)(carry << w));
        n = i + 1;
        i += w;
    }
    /* A carry left over sits at i = bits: a window carries only when its top bit, i + w - 1, is
     * a bit of the scalar, and the loop ended, so i + w = bits. (A window starting at
     * bits - w + 1 or above holds at most w - 1 bits of the scalar plus the carry, at most
     * 2^(w-1) - 1 as its lowest bit is set, and so carries nothing out.) */
    if (carry) {
        naf[i] = 1;
        n = i + 1;
    }
    return n;
}

/*
 * r = u1·G + u2·q, variable-time (verification: all inputs public). Shamir's trick with
 * NAFs for both scalars, so the doublings are shared. G's odd multiples are static: with a
 * table of its own (EC_G_ODD: P-256's 1G .. 127G, p256_g_odd.h) u1 takes a width-8 NAF, one
 * addition per 9 bits on average instead of one per 6 with width 5; otherwise 1G .. 15G come
 * from row 0 of the base table. q's odd multiples 1q .. 15q (width 5) are computed here and,
 * where the field has a fast variable-time inversion (EC_FAST_INV_VARTIME), brought to affine
 * form (EC(batch_affine_vartime)), so that every addition is a mixed one.
 */
#if EC_BASE_TABLE_READY
#ifndef EC_G_ODD
/* Without a table of its own, G's odd multiples 1G .. 15G are the odd entries of row 0 of the
 * base table: a width-5 NAF. */
#define EC_G_ODD EC_BASE_TABLE
#define EC_G_WNAF 5
#define EC_G_ODD_STRIDE 2
#endif
static void EC(mul_double_vartime)(EC(point) * r, const uint8_t *u1, const uint8_t *u2,
                                   const EC(point) * q)
{
    int8_t n1[8 * EC_LEN + 2], n2[8 * EC_LEN + 2];
    EC(point) oq[8], q2;
    EC(affine) ga;
    int len1 = EC(wnaf)(n1, u1, EC_G_WNAF), len2 = EC(wnaf)(n2, u2, 5);
    oq[0] = *q;
    EC(jdbl)(&q2, q);
    for (int i = 1; i < 8; i++)
        EC(jadd_vartime)(&oq[i], &oq[i - 1], &q2);
#ifdef EC_FAST_INV_VARTIME
    /* The odd multiples below 16 of a point of prime order are finite: to affine form with one
     * inversion, so that q's digits take the mixed addition too. */
    EC(affine) oqa[8];
    EC(batch_affine_vartime)(oqa, oq, 8);
#endif
    memset(r, 0, sizeof *r);
    for (int i = (len1 > len2 ? len1 : len2) - 1; i >= 0; i--) {
        if (!F(is_zero)(r->z))
            EC(jdbl)(r, r);
        int d1 = i < len1 ? n1[i] : 0, d2 = i < len2 ? n2[i] : 0;
        if (d1 != 0) {
            /* |d1|·G from the odd multiples (affine): the mixed addition. */
            const uint64_t *e =
                EC_G_ODD + (size_t)((d1 < 0 ? -d1 : d1) / 2) * EC_G_ODD_STRIDE * 2 * EC_LIMBS;
            F(copy)(ga.x, e);
            F(copy)(ga.y, e + EC_LIMBS);
            if (d1 < 0)
                F(neg)(ga.y, ga.y);
            EC(jmadd_vartime)(r, r, &ga);
        }
        if (d2 != 0) {
#ifdef EC_FAST_INV_VARTIME
            ga = oqa[(d2 < 0 ? -d2 : d2) / 2];
            if (d2 < 0)
                F(neg)(ga.y, ga.y);
            EC(jmadd_vartime)(r, r, &ga);
#else
            EC(point) t = oq[(d2 < 0 ? -d2 : d2) / 2];
            if (d2 < 0)
                F(neg)(t.y, t.y);
            EC(jadd_vartime)(r, r, &t);
#endif
        }
    }
}
#endif

#ifdef EC_IFMA
/* P-256's vector code (p256_ifma.h) in Montgomery form with R = 2^260: a coordinate enters it
 * by a product with P256_IFMA_IN (p256.c) and leaves by one with P256_IFMA_OUT, after the
 * reduction of its output (below 2^256 + 2^228 < 2p) mod p. */
static void EC(from_ifma)(EC(point) * r, uint64_t o[3][EC_LIMBS + 1])
{
    uint64_t *c[3] = {r->x, r->y, r->z};
    for (int i = 0; i < 3; i++) {
        F(reduce_once)(c[i], o[i], o[i][EC_LIMBS]);
        F(mul)(c[i], c[i], P256_IFMA_OUT);
    }
    tenon_wipe(o, sizeof(uint64_t[3][EC_LIMBS + 1]));
}

/* The signed windows of k (EC(digit)) as the vector code takes them: |d| | (d < 0) << 5. */
static void EC(ifma_digits)(uint8_t *d, const uint8_t *k)
{
    for (int w = 0; w < EC_NWIN; w++) {
        unsigned neg, idx = EC(digit)(k, w, &neg);
        d[w] = (uint8_t)(idx | neg << 5);
    }
}
#endif

#if defined(EC_IFMA) && EC_BASE_TABLE_READY
/* EC(mul_base_jac), or with ifma through P-256's vector code (1; 2: its portable model). */
static uint64_t EC(mul_base_jac_with)(EC(point) * r, const uint8_t *k, int ifma)
{
    if (!ifma)
        return EC(mul_base_jac)(r, k);
    uint64_t o[3][EC_LIMBS + 1];
    uint8_t d[EC_NWIN];
    EC(ifma_digits)(d, k);
    uint64_t bad = ifma == 2 ? p256_ifma_mul_base_jac_model(o, d, EC_BASE_TABLE)
                             : p256_ifma_mul_base_jac(o, d, EC_BASE_TABLE);
    EC(from_ifma)(r, o);
    tenon_wipe(d, sizeof d);
    return bad;
}
#elif EC_BASE_TABLE_READY
#define EC_MUL_BASE_JAC_WITH(r, k, ifma) EC(mul_base_jac)(r, k)
#endif
#ifndef EC_MUL_BASE_JAC_WITH
#define EC_MUL_BASE_JAC_WITH(r, k, ifma) EC(mul_base_jac_with)(r, k, ifma)
#endif

#if defined(EC_IFMA) && EC_BASE_TABLE_READY
/* EC(mul_double_vartime) through P-256's vector code (p256_ifma.h; model: its portable model):
 * the odd multiples 1G .. 15G from row 0 of the base table and q enter the Montgomery form with
 * R = 2^260 (P256_IFMA_IN), the result leaves it (P256_IFMA_OUT). */
static void EC(mul_double_ifma)(EC(point) * r, const uint8_t *u1, const uint8_t *u2,
                                const EC(point) * q, int model)
{
    int8_t n1[8 * EC_LEN + 2], n2[8 * EC_LEN + 2];
    uint64_t g[8][3][EC_LIMBS], qi[3][EC_LIMBS], o[3][EC_LIMBS + 1];
    int len1 = EC(wnaf)(n1, u1, 5), len2 = EC(wnaf)(n2, u2, 5);
    for (int j = 0; j < 8; j++) {
        const uint64_t *e = EC_BASE_TABLE + (size_t)(2 * j) * 2 * EC_LIMBS; /* (2j + 1)·G */
        F(mul)(g[j][0], e, P256_IFMA_IN);
        F(mul)(g[j][1], e + EC_LIMBS, P256_IFMA_IN);
        F(mul)(g[j][2], F_ONE, P256_IFMA_IN);
    }
    F(mul)(qi[0], q->x, P256_IFMA_IN);
    F(mul)(qi[1], q->y, P256_IFMA_IN);
    F(mul)(qi[2], q->z, P256_IFMA_IN);
    /* EC(wnaf) zeroes both digit strings up to 8·EC_LEN + 1, past either length. */
    int len = len1 > len2 ? len1 : len2;
    if (model)
        p256_ifma_mul_double_model(o, n1, n2, len, g, qi);
    else
        p256_ifma_mul_double(o, n1, n2, len, g, qi);
    EC(from_ifma)(r, o);
}
#endif

/* Writes X || Y of p (plain, big-endian); zeros and a zero mask for infinity. */
static uint32_t EC(store_point)(uint8_t *out, const EC(point) * p)
{
    uint64_t x[EC_LIMBS], y[EC_LIMBS];
    uint64_t ok = EC(to_affine)(x, y, p);
    F(from_mont)(x, x);
    F(from_mont)(y, y);
    F(store)(out, x);
    F(store)(out + EC_LEN, y);
    return (uint32_t)ok;
}

/* Loads a point known to be valid (checked by point_valid) into Montgomery form. */
static void EC(load_point)(EC(point) * p, const uint8_t *xy)
{
    (void)F(load)(p->x, xy);
    (void)F(load)(p->y, xy + EC_LEN);
    F(to_mont)(p->x, p->x);
    F(to_mont)(p->y, p->y);
    F(copy)(p->z, F_ONE);
}

__attribute__((unused)) static uint32_t EC(point_valid)(const uint8_t *xy)
{
    uint64_t x[EC_LIMBS], y[EC_LIMBS], l[EC_LIMBS], r[EC_LIMBS], t[EC_LIMBS];
    uint64_t ok = F(load)(x, xy) & F(load)(y, xy + EC_LEN);
    F(to_mont)(x, x);
    F(to_mont)(y, y);
    /* SEC 1 §3.2.2.1 step 3: y^2 = x^3 - 3x + b. */
    F(sqr)(l, y);
    F(sqr)(r, x);
    F(mul)(r, r, x);
    F(add)(t, x, x);
    F(add)(t, t, x);
    F(sub)(r, r, t);
    F(add)(r, r, EC_B);
    ok &= F(eq)(l, r);
    return (uint32_t)ok;
}

static uint32_t EC(mul)(uint8_t *out, const uint8_t *k, const uint8_t *xy, const uint8_t *blind)
{
    EC(point) p, r;
    uint64_t x[EC_LIMBS], y[EC_LIMBS];
    EC(load_point)(&p, xy);
#ifdef EC_FAST_INV_VARTIME
    uint64_t bad = EC(mul_point_jma)(&r, k, &p);
#else
    uint64_t bad = EC(mul_point_jac)(&r, k, &p);
#endif
    /* Never set for a valid scalar (see EC(mul_point_jac)); public by design. */
    ct_declassify(&bad, sizeof bad);
    uint32_t ok;
    if (bad) {
        EC(mul_point)(&r, k, &p);
        ok = EC(store_point)(out, &r);
    } else {
        ok = (uint32_t)EC(jac_to_affine)(x, y, &r, blind);
        F(from_mont)(x, x);
        F(from_mont)(y, y);
        F(store)(out, x);
        F(store)(out + EC_LEN, y);
    }
    tenon_wipe(&r, sizeof r);
    tenon_wipe(x, sizeof x);
    tenon_wipe(y, sizeof y);
    return ok;
}

#ifdef EC_IFMA
/* EC(mul) through P-256's vector multiplication (p256_ifma.h; model: its portable model), the
 * point converted to and from its Montgomery form with R = 2^260 by a product with
 * P256_IFMA_IN / P256_IFMA_OUT (p256.c), the scalar handed over as its signed windows. */
static uint32_t EC(mul_ifma)(uint8_t *out, const uint8_t *k, const uint8_t *xy,
                             const uint8_t *blind, int model)
{
    EC(point) p, r;
    uint64_t in[3][EC_LIMBS], o[3][EC_LIMBS + 1], x[EC_LIMBS], y[EC_LIMBS];
    uint8_t d[EC_NWIN];
    uint32_t ok;
    EC(load_point)(&p, xy);
    F(mul)(in[0], p.x, P256_IFMA_IN);
    F(mul)(in[1], p.y, P256_IFMA_IN);
    F(mul)(in[2], p.z, P256_IFMA_IN);
    EC(ifma_digits)(d, k);
    uint64_t bad = model ? p256_ifma_mul_jac_model(o, d, in) : p256_ifma_mul_jac(o, d, in);
    /* Never set for a valid scalar (see EC(mul_point_jac)); public by design. */
    ct_declassify(&bad, sizeof bad);
    if (bad) {
        EC(mul_point)(&r, k, &p);
        ok = EC(store_point)(out, &r);
    } else {
        EC(from_ifma)(&r, o);
        ok = (uint32_t)EC(jac_to_affine)(x, y, &r, blind);
        F(from_mont)(x, x);
        F(from_mont)(y, y);
        F(store)(out, x);
        F(store)(out + EC_LEN, y);
    }
    tenon_wipe(&r, sizeof r);
    tenon_wipe(o, sizeof o);
    tenon_wipe(d, sizeof d);
    tenon_wipe(x, sizeof x);
    tenon_wipe(y, sizeof y);
    return ok;
}
#endif

/* ifma: as for EC(mul_base_jac_with). */
static uint32_t EC(mul_base_with)(uint8_t *out, const uint8_t *k, const uint8_t *blind, int ifma)
{
    EC(point) r;
    (void)ifma;
#if EC_BASE_TABLE_READY
    uint64_t x[EC_LIMBS], y[EC_LIMBS];
    uint64_t bad = EC_MUL_BASE_JAC_WITH(&r, k, ifma);
    /* Never set for a valid scalar (see EC(mul_base_jac)); public by design. */
    ct_declassify(&bad, sizeof bad);
    if (!bad) {
        uint32_t ok = (uint32_t)EC(jac_to_affine)(x, y, &r, blind);
        F(from_mont)(x, x);
        F(from_mont)(y, y);
        F(store)(out, x);
        F(store)(out + EC_LEN, y);
        tenon_wipe(&r, sizeof r);
        tenon_wipe(x, sizeof x);
        tenon_wipe(y, sizeof y);
        return ok;
    }
#endif
    (void)blind; /* the complete-formula route inverts in constant time */
    EC(mul_base_point)(&r, k);
    uint32_t ok = EC(store_point)(out, &r);
    tenon_wipe(&r, sizeof r);
    return ok;
}

static uint32_t EC(mul_base)(uint8_t *out, const uint8_t *k, const uint8_t *blind)
{
    return EC(mul_base_with)(out, k, blind, 0);
}

__attribute__((unused)) static uint32_t EC(scalar_in_range)(const uint8_t *k)
{
    uint64_t t[EC_LIMBS];
    uint64_t ok = S(load)(t, k) & ~S(is_zero)(t);
    tenon_wipe(t, sizeof t);
    return (uint32_t)ok;
}

__attribute__((unused)) static void EC(scalar_reduce)(uint8_t *out, const uint8_t *in)
{
    uint64_t t[EC_LIMBS];
    (void)S(load)(t, in);
    S(reduce_once)(t, t, 0);
    S(store)(out, t);
    tenon_wipe(t, sizeof t);
}

/* A len-byte value below 2n to Montgomery form modulo n. */
static void EC(scalar_to_mont)(uint64_t *r, const uint8_t *in)
{
    (void)S(load)(r, in);
    S(reduce_once)(r, r, 0);
    S(to_mont)(r, r);
}

/*
 * The two inversions of signing, k^-1 mod n and Z^-1 mod p for x(k·G), are blinded: with b
 * and beta uniform secrets from the caller (RFC 6979's DRBG continued past k), k·b and Z·beta
 * are uniform and independent of k, so they may be inverted by the variable-time routine
 * (FE(inv_vartime)) and marked public for valgrind; multiplying by b (beta) again gives the
 * inverse wanted (EC(inv_blinded) for Z). A blind is a 2^(8·EC_LEN)-range value reduced once,
 * which is uniform mod n (mod p) within a statistical distance of 2^-32 for P-256. A zero
 * blind (probability 2^-256) yields r or s = 0, and the caller takes another k.
 */
static uint32_t EC(ecdsa_sign_with)(uint8_t *r, uint8_t *s, const uint8_t *d, const uint8_t *k,
                                    const uint8_t *e, const uint8_t *blind, int ifma)
{
    uint8_t xy[2 * EC_LEN];
    uint64_t km[EC_LIMBS], dm[EC_LIMBS], em[EC_LIMBS], rm[EC_LIMBS], t[EC_LIMBS], b[EC_LIMBS];
    uint32_t ok;
    (void)ifma;
    /* FIPS 186-5 §6.4.1 steps 5-8: R = k·G, r = x_R mod n (x_R < p < 2n). */
#if EC_BASE_TABLE_READY
    EC(point) pt;
    uint64_t bad = EC_MUL_BASE_JAC_WITH(&pt, k, ifma);
    /* Never set for a valid scalar (see EC(mul_base_jac)); public by design. */
    ct_declassify(&bad, sizeof bad);
    if (!bad) {
        /* x = X / Z^2. */
        EC(inv_blinded)(b, pt.z, blind + EC_LEN);
        F(sqr)(b, b);
        F(mul)(t, pt.x, b);
        ok = (uint32_t)~F(is_zero)(pt.z);
        F(from_mont)(t, t);
        F(store)(xy, t);
    } else
#endif
        ok = EC(mul_base_with)(xy, k, blind + EC_LEN, 0);
    EC(scalar_reduce)(r, xy);
    /* Steps 9-10: s = k^-1 (e + r·d) mod n, in Montgomery form throughout; k^-1 = b·(k·b)^-1. */
    EC(scalar_to_mont)(km, k);
    EC(scalar_to_mont)(dm, d);
    EC(scalar_to_mont)(em, e);
    EC(scalar_to_mont)(rm, r);
    EC(scalar_to_mont)(b, blind);
    ok &= (uint32_t)~S(is_zero)(rm);
    S(mul)(t, km, b);
    ct_declassify(t, sizeof t); /* uniform, independent of k: see above */
    S(inv_vartime)(t, t);
    S(mul)(km, t, b);
    S(mul)(t, rm, dm);
    S(add)(t, t, em);
    S(mul)(t, t, km);
    ok &= (uint32_t)~S(is_zero)(t);
    S(from_mont)(t, t);
    S(store)(s, t);
    tenon_wipe(xy, sizeof xy);
    tenon_wipe(km, sizeof km);
    tenon_wipe(dm, sizeof dm);
    tenon_wipe(b, sizeof b);
    tenon_wipe(t, sizeof t);
#if EC_BASE_TABLE_READY
    tenon_wipe(&pt, sizeof pt);
#endif
    return ok;
}

static uint32_t EC(ecdsa_sign)(uint8_t *r, uint8_t *s, const uint8_t *d, const uint8_t *k,
                               const uint8_t *e, const uint8_t *blind)
{
    return EC(ecdsa_sign_with)(r, s, d, k, e, blind, 0);
}

/* ifma: 0 EC(mul_double_vartime), 1 EC(mul_double_ifma), 2 the same on the model (p256_ifma.h;
 * EC_IFMA only). */
static int EC(ecdsa_verify_with)(const uint8_t *xy, const uint8_t *e, const uint8_t *r,
                                 const uint8_t *s, int ifma)
{
    uint64_t w[EC_LIMBS], u[EC_LIMBS];
    uint8_t u1[EC_LEN], u2[EC_LEN];
    EC(point) q, a;
    (void)ifma;
    /* FIPS 186-5 §6.4.2 steps 4-6: w = s^-1, u1 = e·w, u2 = r·w mod n. */
    EC(scalar_to_mont)(w, s);
    S(inv_vartime)(w, w); /* s is public */
    EC(scalar_to_mont)(u, e);
    S(mul)(u, u, w);
    S(from_mont)(u, u);
    S(store)(u1, u);
    EC(scalar_to_mont)(u, r);
    S(mul)(u, u, w);
    S(from_mont)(u, u);
    S(store)(u2, u);
    /* Step 7: R = u1·G + u2·Q, reject infinity. (While the base table is being bootstrapped:
     * u1·G projective, converted to Jacobian as (XZ, YZ^2, Z), plus u2·Q.) */
    EC(load_point)(&q, xy);
#if EC_BASE_TABLE_READY
#ifdef EC_IFMA
    if (ifma)
        EC(mul_double_ifma)(&a, u1, u2, &q, ifma == 2);
    else
#endif
        EC(mul_double_vartime)(&a, u1, u2, &q);
#else
    EC(point) b;
    EC(mul_base_point)(&a, u1);
    F(mul)(a.x, a.x, a.z);
    F(mul)(a.y, a.y, a.z);
    F(mul)(a.y, a.y, a.z);
    (void)EC(mul_point_jac)(&b, u2, &q);
    EC(jadd_vartime)(&a, &a, &b);
#endif
    if (F(is_zero)(a.z))
        return 0;
    /* Step 8: accept iff x_R mod n = r, i.e. X = r'·Z^2 for r' = r or r + n (when r + n < p;
     * x_R < p). No inversion needed. */
    uint64_t z2[EC_LIMBS], rv[EC_LIMBS], t[EC_LIMBS], c = 0;
    F(sqr)(z2, a.z);
    (void)F(load)(rv, r); /* r < n < p */
    F(to_mont)(t, rv);
    F(mul)(t, t, z2);
    if (F(eq)(t, a.x))
        return 1;
    for (int i = 0; i < EC_LIMBS; i++)
        rv[i] = ec_adc(rv[i], EC_N[i], c, &c);
    uint8_t rb[EC_LEN];
    F(store)(rb, rv);
    if (c || !F(load)(rv, rb))
        return 0;
    F(to_mont)(t, rv);
    F(mul)(t, t, z2);
    return F(eq)(t, a.x) != 0;
}

static int EC(ecdsa_verify)(const uint8_t *xy, const uint8_t *e, const uint8_t *r, const uint8_t *s)
{
    return EC(ecdsa_verify_with)(xy, e, r, s, 0);
}
