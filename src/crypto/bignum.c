/*
 * Constant-time big integers on 64-bit limbs for RSA: Montgomery multiplication, fixed-window
 * exponentiation (the inversion is in bignum_modinv.c).
 *
 * Why product scanning: the column sums of a b and of the Montgomery reduction are accumulated
 * in three registers (c0, c1, c2), so each multiply-accumulate is one multiplication and three
 * additions with carry, with no limb stored back to memory until its column is done. Squaring
 * computes each cross product a_i a_j (i < j) once and doubles the sum, which saves nearly half
 * the multiplications of a product; exponentiation is mostly squarings.
 */
#include "bignum.h"

#include "../common.h"
#include "cpu.h"
#include "ct.h"
#include "tenon/crypto.h"

typedef unsigned __int128 u128;
typedef __int128 i128;

#define ALWAYS_INLINE inline __attribute__((always_inline))
/* Inner loops are unrolled where the size is a compile-time constant (the specialised
 * instances below): the index arithmetic then disappears. */
#define UNROLL _Pragma("GCC unroll 16")

/* ------------------------------------------------------------------------------------------
 * Limb helpers
 * ------------------------------------------------------------------------------------------ */

void bn_from_be(uint64_t *x, size_t nl, const uint8_t *in, size_t len)
{
    for (size_t i = 0; i < nl; i++)
        x[i] = 0;
    /* whole limbs from the end, eight bytes at a time; then the leading bytes one by one */
    size_t whole = len / 8;
    for (size_t i = 0; i < whole; i++)
        x[i] = load_be64(in + len - 8 * (i + 1));
    for (size_t i = 0; i < len % 8; i++)
        x[whole] |= (uint64_t)in[len % 8 - 1 - i] << (8 * i);
}

void bn_to_be(uint8_t *out, size_t len, const uint64_t *x, size_t nl)
{
    size_t whole = len / 8;
    for (size_t i = 0; i < whole; i++)
        store_be64(out + len - 8 * (i + 1), i < nl ? x[i] : 0);
    for (size_t i = 0; i < len % 8; i++)
        out[len % 8 - 1 - i] = (uint8_t)(whole < nl ? x[whole] >> (8 * i) : 0);
}

uint64_t bn_add(uint64_t *r, const uint64_t *a, const uint64_t *b, size_t n)
{
    uint64_t c = 0;
    for (size_t i = 0; i < n; i++) {
        u128 z = (u128)a[i] + b[i] + c;
        r[i] = (uint64_t)z;
        c = (uint64_t)(z >> 64);
    }
    return c;
}

uint64_t bn_sub(uint64_t *r, const uint64_t *a, const uint64_t *b, size_t n)
{
    uint64_t br = 0;
    for (size_t i = 0; i < n; i++) {
        u128 z = (u128)a[i] - b[i] - br;
        r[i] = (uint64_t)z;
        br = (uint64_t)(z >> 64) & 1;
    }
    return br;
}

uint64_t bn_lt_mask(const uint64_t *a, const uint64_t *b, size_t n)
{
    uint64_t br = 0;
    for (size_t i = 0; i < n; i++) {
        u128 z = (u128)a[i] - b[i] - br;
        br = (uint64_t)(z >> 64) & 1;
    }
    return ct_value_barrier_u64(0 - br);
}

uint64_t bn_zero_mask(const uint64_t *x, size_t n)
{
    uint64_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= x[i];
    return ~ct_mask_nonzero_u64(acc);
}

void bn_select(uint64_t *r, uint64_t mask, const uint64_t *a, const uint64_t *b, size_t n)
{
    mask = ct_value_barrier_u64(mask);
    for (size_t i = 0; i < n; i++)
        r[i] = b[i] ^ (mask & (a[i] ^ b[i]));
}

void bn_mul(uint64_t *r, const uint64_t *a, size_t an, const uint64_t *b, size_t bn)
{
    for (size_t i = 0; i < an + bn; i++)
        r[i] = 0;
    for (size_t i = 0; i < an; i++) {
        uint64_t c = 0;
        for (size_t j = 0; j < bn; j++) {
            u128 z = (u128)a[i] * b[j] + r[i + j] + c;
            r[i + j] = (uint64_t)z;
            c = (uint64_t)(z >> 64);
        }
        r[i + bn] = c;
    }
}

size_t bn_bits_vartime(const uint64_t *x, size_t n)
{
    for (size_t i = n; i-- > 0;)
        if (x[i] != 0)
            return 64 * i + 64 - (size_t)__builtin_clzll(x[i]);
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * Montgomery multiplication cores
 *
 * The multiply-accumulate (c2:c1:c0) += x y is the inner step of everything below; `fast`
 * selects, at compile time after inlining, the x86-64 assembly form of it.
 * ------------------------------------------------------------------------------------------ */

static ALWAYS_INLINE void mac(uint64_t *c0, uint64_t *c1, uint64_t *c2, uint64_t x, uint64_t y,
                              const int fast)
{
#if TENON_X86_64
    if (fast) {
        uint64_t lo = x, a0 = *c0, a1 = *c1, a2 = *c2;
        __asm__("mulq %[y]\n\t"
                "addq %%rax, %[a0]\n\t"
                "adcq %%rdx, %[a1]\n\t"
                "adcq $0, %[a2]"
                : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), "+a"(lo)
                : [y] "rm"(y)
                : "rdx", "cc");
        *c0 = a0;
        *c1 = a1;
        *c2 = a2;
        return;
    }
#endif
    (void)fast;
    u128 p = (u128)x * y;
    u128 s = (u128)*c0 + (uint64_t)p;
    *c0 = (uint64_t)s;
    s = (u128)*c1 + (uint64_t)(p >> 64) + (uint64_t)(s >> 64);
    *c1 = (uint64_t)s;
    *c2 += (uint64_t)(s >> 64);
}

/* (c2:c1:c0) += x */
static ALWAYS_INLINE void acc_add(uint64_t *c0, uint64_t *c1, uint64_t *c2, uint64_t x)
{
    u128 s = (u128)*c0 + x;
    *c0 = (uint64_t)s;
    s = (u128)*c1 + (uint64_t)(s >> 64);
    *c1 = (uint64_t)s;
    *c2 += (uint64_t)(s >> 64);
}

/* t[0..2n) = a b */
static ALWAYS_INLINE void core_mul(uint64_t *t, const uint64_t *a, const uint64_t *b, size_t n,
                                   const int fast)
{
    uint64_t c0 = 0, c1 = 0, c2 = 0;
    for (size_t k = 0; k < 2 * n - 1; k++) {
        size_t lo = k < n ? 0 : k - n + 1, hi = k < n ? k : n - 1;
        UNROLL
        for (size_t i = lo; i <= hi; i++)
            mac(&c0, &c1, &c2, a[i], b[k - i], fast);
        t[k] = c0;
        c0 = c1;
        c1 = c2;
        c2 = 0;
    }
    t[2 * n - 1] = c0;
}

/* t[0..2n) = a^2: the cross products once, doubled, plus the squares on the diagonal. */
static ALWAYS_INLINE void core_sqr(uint64_t *t, const uint64_t *a, size_t n, const int fast)
{
    uint64_t c0 = 0, c1 = 0, c2 = 0;
    t[0] = 0;
    for (size_t k = 1; k < 2 * n - 2; k++) {
        size_t lo = k < n ? 0 : k - n + 1;
        /* i < j = k - i */
        UNROLL
        for (size_t i = lo; 2 * i < k; i++)
            mac(&c0, &c1, &c2, a[i], a[k - i], fast);
        t[k] = c0;
        c0 = c1;
        c1 = c2;
        c2 = 0;
    }
    t[2 * n - 2] = c0;
    t[2 * n - 1] = c1;
    /* double */
    uint64_t top = 0;
    for (size_t i = 0; i < 2 * n; i++) {
        uint64_t v = t[i];
        t[i] = (v << 1) | top;
        top = v >> 63;
    }
    /* add the diagonal a_i^2 at limb 2i */
    uint64_t c = 0;
    for (size_t i = 0; i < n; i++) {
        u128 p = (u128)a[i] * a[i];
        u128 s = (u128)t[2 * i] + (uint64_t)p + c;
        t[2 * i] = (uint64_t)s;
        s = (u128)t[2 * i + 1] + (uint64_t)(p >> 64) + (uint64_t)(s >> 64);
        t[2 * i + 1] = (uint64_t)s;
        c = (uint64_t)(s >> 64);
    }
}

/* r = t R^-1 mod m for t < m R (2n limbs): Montgomery reduction in product-scanning order. The
 * quotient digits q_k = (column k) n0 mod 2^64 zero each low column in turn. */
static ALWAYS_INLINE void core_redc(uint64_t *r, const uint64_t *t, const uint64_t *m, uint64_t n0,
                                    size_t n, const int fast)
{
    uint64_t q[BN_MAX_LIMBS];
    uint64_t c0 = 0, c1 = 0, c2 = 0;
    for (size_t k = 0; k < n; k++) {
        UNROLL
        for (size_t i = 0; i < k; i++)
            mac(&c0, &c1, &c2, q[i], m[k - i], fast);
        acc_add(&c0, &c1, &c2, t[k]);
        q[k] = c0 * n0;
        mac(&c0, &c1, &c2, q[k], m[0], fast);
        c0 = c1;
        c1 = c2;
        c2 = 0;
    }
    for (size_t k = n; k < 2 * n; k++) {
        UNROLL
        for (size_t i = k - n + 1; i < n; i++)
            mac(&c0, &c1, &c2, q[i], m[k - i], fast);
        acc_add(&c0, &c1, &c2, t[k]);
        r[k - n] = c0;
        c0 = c1;
        c1 = c2;
        c2 = 0;
    }
    /* (c0:r) < 2m: subtract m once if it is not below m. */
    uint64_t d[BN_MAX_LIMBS];
    uint64_t br = bn_sub(d, r, m, n);
    uint64_t keep = ct_value_barrier_u64(0 - ((c0 | (br ^ 1)) & 1));
    bn_select(r, keep, d, r, n);
}

static void mul_portable(const bn_mont *ctx, uint64_t *r, const uint64_t *a, const uint64_t *b)
{
    uint64_t t[2 * BN_MAX_LIMBS];
    core_mul(t, a, b, ctx->nl, 0);
    core_redc(r, t, ctx->m, ctx->n0, ctx->nl, 0);
}

static void sqr_portable(const bn_mont *ctx, uint64_t *r, const uint64_t *a)
{
    uint64_t t[2 * BN_MAX_LIMBS];
    core_sqr(t, a, ctx->nl, 0);
    core_redc(r, t, ctx->m, ctx->n0, ctx->nl, 0);
}

static const bn_impl bn_portable_impl = {"portable", 0, mul_portable, sqr_portable, NULL};

#if TENON_X86_64
/* Instances for the prime sizes of 2048-, 3072- and 4096-bit keys, and a generic one. */
#define X86_INSTANCE(N)                                                                            \
    static void mul_x86_##N(const bn_mont *ctx, uint64_t *r, const uint64_t *a, const uint64_t *b) \
    {                                                                                              \
        uint64_t t[2 * (N)];                                                                       \
        core_mul(t, a, b, (N), 1);                                                                 \
        core_redc(r, t, ctx->m, ctx->n0, (N), 1);                                                  \
    }                                                                                              \
    static void sqr_x86_##N(const bn_mont *ctx, uint64_t *r, const uint64_t *a)                    \
    {                                                                                              \
        uint64_t t[2 * (N)];                                                                       \
        core_sqr(t, a, (N), 1);                                                                    \
        core_redc(r, t, ctx->m, ctx->n0, (N), 1);                                                  \
    }
X86_INSTANCE(16)
X86_INSTANCE(24)
X86_INSTANCE(32)

static void mul_x86(const bn_mont *ctx, uint64_t *r, const uint64_t *a, const uint64_t *b)
{
    switch (ctx->nl) {
    case 16:
        mul_x86_16(ctx, r, a, b);
        return;
    case 24:
        mul_x86_24(ctx, r, a, b);
        return;
    case 32:
        mul_x86_32(ctx, r, a, b);
        return;
    default: {
        uint64_t t[2 * BN_MAX_LIMBS];
        core_mul(t, a, b, ctx->nl, 1);
        core_redc(r, t, ctx->m, ctx->n0, ctx->nl, 1);
    }
    }
}

static void sqr_x86(const bn_mont *ctx, uint64_t *r, const uint64_t *a)
{
    switch (ctx->nl) {
    case 16:
        sqr_x86_16(ctx, r, a);
        return;
    case 24:
        sqr_x86_24(ctx, r, a);
        return;
    case 32:
        sqr_x86_32(ctx, r, a);
        return;
    default: {
        uint64_t t[2 * BN_MAX_LIMBS];
        core_sqr(t, a, ctx->nl, 1);
        core_redc(r, t, ctx->m, ctx->n0, ctx->nl, 1);
    }
    }
}

/* With BMI2 and ADX: operand scanning, one row t[0..n] += x b[0..n-1] at a time, where MULX
 * leaves the flags alone and ADCX / ADOX run two independent carry chains (low halves into
 * t[j], high halves of the previous product into t[j] as well), four limbs per loop turn. The
 * Montgomery reduction is the same row with x = q_i and b = m, interleaved (CIOS); instead of
 * shifting t by a limb after each step the window slides along a 2n+2-limb buffer. */
static ALWAYS_INLINE uint64_t row_adx(uint64_t *t, uint64_t x, const uint64_t *b, size_t n)
{
    uint64_t carry;
    size_t rem = n % 4, quads = n / 4;
    __asm__ volatile("xorl %%r8d, %%r8d\n\t" /* CF = OF = 0, no pending high half */
                     "jrcxz 3f\n"
                     "4:\n\t" /* n mod 4 single limbs */
                     "mulx 0(%[b]), %%rax, %%r9\n\t"
                     "movq 0(%[t]), %%r10\n\t"
                     "adcx %%rax, %%r10\n\t"
                     "adox %%r8, %%r10\n\t"
                     "movq %%r10, 0(%[t])\n\t"
                     "movq %%r9, %%r8\n\t"
                     "leaq 8(%[b]), %[b]\n\t"
                     "leaq 8(%[t]), %[t]\n\t"
                     "leaq -1(%%rcx), %%rcx\n\t" /* LEA, MOV and JRCXZ keep CF and OF */
                     "jrcxz 3f\n\t"
                     "jmp 4b\n"
                     "3:\n\t"
                     "movq %[quads], %%rcx\n\t"
                     "jrcxz 2f\n"
                     "1:\n\t" /* four limbs per turn */
                     "mulx 0(%[b]), %%rax, %%r9\n\t"
                     "movq 0(%[t]), %%r10\n\t"
                     "adcx %%rax, %%r10\n\t"
                     "adox %%r8, %%r10\n\t"
                     "movq %%r10, 0(%[t])\n\t"
                     "mulx 8(%[b]), %%rax, %%r8\n\t"
                     "movq 8(%[t]), %%r10\n\t"
                     "adcx %%rax, %%r10\n\t"
                     "adox %%r9, %%r10\n\t"
                     "movq %%r10, 8(%[t])\n\t"
                     "mulx 16(%[b]), %%rax, %%r9\n\t"
                     "movq 16(%[t]), %%r10\n\t"
                     "adcx %%rax, %%r10\n\t"
                     "adox %%r8, %%r10\n\t"
                     "movq %%r10, 16(%[t])\n\t"
                     "mulx 24(%[b]), %%rax, %%r8\n\t"
                     "movq 24(%[t]), %%r10\n\t"
                     "adcx %%rax, %%r10\n\t"
                     "adox %%r9, %%r10\n\t"
                     "movq %%r10, 24(%[t])\n\t"
                     "leaq 32(%[b]), %[b]\n\t"
                     "leaq 32(%[t]), %[t]\n\t"
                     "leaq -1(%%rcx), %%rcx\n\t"
                     "jrcxz 2f\n\t"
                     "jmp 1b\n"
                     "2:\n\t" /* t[n] += pending high half + both carries */
                     "movl $0, %%eax\n\t"
                     "movq 0(%[t]), %%r10\n\t"
                     "adcx %%rax, %%r10\n\t"
                     "adox %%r8, %%r10\n\t"
                     "movq %%r10, 0(%[t])\n\t"
                     "movl $0, %%r9d\n\t"
                     "adcx %%r9, %%r9\n\t"
                     "adox %%rax, %%r9\n\t"
                     "movq %%r9, %[c]"
                     : [t] "+r"(t), [b] "+r"(b), "+c"(rem), [c] "=r"(carry), "+d"(x)
                     : [quads] "r"(quads)
                     : "rax", "r8", "r9", "r10", "cc", "memory");
    return carry;
}

/* r = t[n..2n] - m if that is not negative, else t[n..2n-1] (t[n..2n] < 2m). */
static void final_sub(const bn_mont *ctx, uint64_t *r, const uint64_t *t)
{
    size_t n = ctx->nl;
    uint64_t d[BN_MAX_LIMBS];
    uint64_t br = bn_sub(d, t + n, ctx->m, n);
    bn_select(r, ct_value_barrier_u64(0 - ((t[2 * n] | (br ^ 1)) & 1)), d, t + n, n);
}

static void mul_adx(const bn_mont *ctx, uint64_t *r, const uint64_t *a, const uint64_t *b)
{
    size_t n = ctx->nl;
    if (n % 8 == 0) {
        bn_adx8_mul(r, a, b, ctx->m, ctx->n0, n);
        return;
    }
    uint64_t t[2 * BN_MAX_LIMBS + 2];
    for (size_t i = 0; i < 2 * n + 2; i++)
        t[i] = 0;
    for (size_t i = 0; i < n; i++) {
        t[i + n + 1] = row_adx(t + i, a[i], b, n);
        uint64_t q = t[i] * ctx->n0;
        t[i + n + 1] += row_adx(t + i, q, ctx->m, n);
    }
    final_sub(ctx, r, t);
}

static void sqr_adx(const bn_mont *ctx, uint64_t *r, const uint64_t *a)
{
    size_t n = ctx->nl;
    if (n % 8 == 0) {
        bn_adx8_sqr(r, a, ctx->m, ctx->n0, n);
        return;
    }
    uint64_t t[2 * BN_MAX_LIMBS + 2];
    for (size_t i = 0; i < 2 * n + 2; i++)
        t[i] = 0;
    /* cross products a_i a_j (i < j): row i adds a_i a[i+1..n-1] at limb 2i + 1 */
    for (size_t i = 0; i + 1 < n; i++)
        t[i + n + 1] = row_adx(t + 2 * i + 1, a[i], a + i + 1, n - 1 - i);
    /* double, then add the squares a_i^2 at limb 2i */
    uint64_t top = 0;
    for (size_t i = 0; i < 2 * n; i++) {
        uint64_t v = t[i];
        t[i] = (v << 1) | top;
        top = v >> 63;
    }
    uint64_t c = 0;
    for (size_t i = 0; i < n; i++) {
        u128 p = (u128)a[i] * a[i];
        u128 s = (u128)t[2 * i] + (uint64_t)p + c;
        t[2 * i] = (uint64_t)s;
        s = (u128)t[2 * i + 1] + (uint64_t)(p >> 64) + (uint64_t)(s >> 64);
        t[2 * i + 1] = (uint64_t)s;
        c = (uint64_t)(s >> 64);
    }
    /* Montgomery reduction rows; each row's carry goes into limb i + n + 1, whose own overflow
     * (cc) is added one limb further along with the next row's carry. */
    uint64_t cc = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t q = t[i] * ctx->n0;
        uint64_t rc = row_adx(t + i, q, ctx->m, n);
        u128 z = (u128)t[i + n + 1] + rc + cc;
        t[i + n + 1] = (uint64_t)z;
        cc = (uint64_t)(z >> 64);
    }
    final_sub(ctx, r, t);
}

static void sqr_adx_lazy(const bn_mont *ctx, uint64_t *r, const uint64_t *a)
{
    if (ctx->nl % 8 == 0) {
        bn_adx8_sqr_lazy(r, a, ctx->m, ctx->n0, ctx->nl);
        return;
    }
    sqr_adx(ctx, r, a);
}

static const bn_impl bn_adx_impl = {"x86-64-mulx-adx", TENON_CPU_BMI2 | TENON_CPU_ADX, mul_adx,
                                    sqr_adx, sqr_adx_lazy};

/* Baseline x86-64 instructions only; tied to SSE2 (always present) so that
 * tenon_cpu_set_mask(0) still selects the portable code. */
static const bn_impl bn_x86_impl = {"x86-64-asm", TENON_CPU_SSE2, mul_x86, sqr_x86, NULL};
#endif

const bn_impl *const bn_all_impls[] = {
#if TENON_X86_64
    &bn_adx_impl, &bn_x86_impl,
#endif
    &bn_portable_impl, NULL};

static const bn_impl *forced_impl;

void bn_test_force_impl(const bn_impl *impl)
{
    __atomic_store_n(&forced_impl, impl, __ATOMIC_RELAXED);
}

const bn_impl *bn_best_impl(void)
{
    const bn_impl *forced = __atomic_load_n(&forced_impl, __ATOMIC_RELAXED);
    if (forced != NULL)
        return forced;
    for (size_t i = 0; bn_all_impls[i] != NULL; i++)
        if (cpu_has(bn_all_impls[i]->cpu_needs))
            return bn_all_impls[i];
    return &bn_portable_impl;
}

/* ------------------------------------------------------------------------------------------
 * Montgomery context and modular helpers
 * ------------------------------------------------------------------------------------------ */

void bn_mont_mul(const bn_mont *ctx, uint64_t *r, const uint64_t *a, const uint64_t *b)
{
    ctx->impl->mul(ctx, r, a, b);
}

void bn_mont_sqr(const bn_mont *ctx, uint64_t *r, const uint64_t *a)
{
    ctx->impl->sqr(ctx, r, a);
}

/* x = 2 x mod m, for x < m. */
static void mod_double(const bn_mont *ctx, uint64_t *x)
{
    size_t n = ctx->nl;
    uint64_t top = 0, d[BN_MAX_LIMBS];
    for (size_t i = 0; i < n; i++) {
        uint64_t v = x[i];
        x[i] = (v << 1) | top;
        top = v >> 63;
    }
    uint64_t br = bn_sub(d, x, ctx->m, n);
    bn_select(x, ct_value_barrier_u64(0 - ((top | (br ^ 1)) & 1)), d, x, n);
}

/* Everything of ctx but rr. */
static void mont_setup(bn_mont *ctx, const uint64_t *m, size_t nl, const bn_impl *impl)
{
    ctx->nl = nl;
    ctx->impl = impl != NULL ? impl : bn_best_impl();
    ctx->r52 = NULL;
    for (size_t i = 0; i < nl; i++)
        ctx->m[i] = m[i];
    /* Newton's iteration for m0^-1 mod 2^64: m0 m0 = 1 mod 8 gives 3 bits, each step doubles. */
    uint64_t inv = m[0];
    for (int i = 0; i < 5; i++)
        inv *= 2 - m[0] * inv;
    ctx->n0 = 0 - inv;
}

void bn_mont_init(bn_mont *ctx, const uint64_t *m, size_t nl, const bn_impl *impl)
{
    mont_setup(ctx, m, nl, impl);

    /* R^2 mod m: with 64 nl = odd * 2^s, X = R 2^odd mod m (by doublings from 2^(64(nl-1)),
     * which is below m because m's top limb is non-zero), then s Montgomery squarings, each of
     * which doubles the exponent of 2 in R 2^j: R 2^(odd 2^s) = R^2. */
    size_t odd = nl, s = 6;
    while ((odd & 1) == 0) {
        odd >>= 1;
        s++;
    }
    uint64_t *x = ctx->rr;
    for (size_t i = 0; i < nl; i++)
        x[i] = 0;
    x[nl - 1] = 1;
    for (size_t i = 0; i < 64 + odd; i++)
        mod_double(ctx, x);
    for (size_t i = 0; i < s; i++)
        bn_mont_sqr(ctx, x, x);
}

/* u[0..n] -= q v (v of n limbs); returns the borrow out of u[n]. Public values only (the
 * long division below). With MULX and ADX: the product row's carries on OF (ADOX) and the
 * subtraction on CF as an addition of the complement (ADCX; SBB would clobber OF), one pass
 * over the limbs instead of a row then a subtraction; the loop counter by LEA/JRCXZ, which
 * leave both flags alone. */
static uint64_t submul_vartime(uint64_t *u, const uint64_t *v, size_t n, uint64_t q)
{
#if TENON_X86_64
    if (cpu_has(TENON_CPU_BMI2 | TENON_CPU_ADX)) {
        uint64_t hi = 0, lo, nhi, cnt = n, w;
        __asm__ volatile("xorl %k[lo], %k[lo]\n\t" /* clears CF and OF */
                         "stc\n\t"                 /* CF = 1: no borrow */
                         "1:\n\t"
                         "jrcxz 2f\n\t"
                         "mulx (%[v]), %[lo], %[nhi]\n\t"
                         "adox %[hi], %[lo]\n\t"
                         "movq %[nhi], %[hi]\n\t"
                         "notq %[lo]\n\t"
                         "movq (%[u]), %[w]\n\t"
                         "adcx %[lo], %[w]\n\t"
                         "movq %[w], (%[u])\n\t"
                         "leaq 8(%[v]), %[v]\n\t"
                         "leaq 8(%[u]), %[u]\n\t"
                         "leaq -1(%[cnt]), %[cnt]\n\t"
                         "jmp 1b\n\t"
                         "2:\n\t"
                         "movl $0, %k[lo]\n\t"
                         "adox %[lo], %[hi]\n\t" /* the top product limb, never overflows */
                         "notq %[hi]\n\t"
                         "movq (%[u]), %[w]\n\t"
                         "adcx %[hi], %[w]\n\t"
                         "movq %[w], (%[u])\n\t"
                         "setnc %b[lo]\n\t"
                         : [u] "+r"(u), [v] "+r"(v), [cnt] "+c"(cnt), [hi] "+r"(hi), [lo] "=&r"(lo),
                           [nhi] "=&r"(nhi), [w] "=&r"(w)
                         : "d"(q)
                         : "cc", "memory");
        return lo & 1;
    }
#endif
    uint64_t mc = 0, br = 0;
    for (size_t i = 0; i < n; i++) {
        u128 pr = (u128)q * v[i] + mc;
        mc = (uint64_t)(pr >> 64);
        u128 d = (u128)u[i] - (uint64_t)pr - br;
        u[i] = (uint64_t)d;
        br = (uint64_t)(d >> 64) & 1;
    }
    u128 d = (u128)u[n] - mc - br;
    u[n] = (uint64_t)d;
    return (uint64_t)(d >> 64) & 1;
}

void bn_shl_mod_vartime(uint64_t *r, const uint64_t *x, size_t xl, size_t k, const uint64_t *m,
                        size_t nl)
{
    uint64_t v[BN_MAX_LIMBS], u[BN_POW2_MAX_LIMBS + 2];
    unsigned sh = (unsigned)__builtin_clzll(m[nl - 1]);
    /* normalise: v = m 2^sh has its top bit set; u = x 2^(64 k + sh), ul + 1 limbs */
    for (size_t i = nl; i-- > 0;)
        v[i] = (m[i] << sh) | (sh != 0 && i > 0 ? m[i - 1] >> (64 - sh) : 0);
    size_t ul = k + xl < nl ? nl : k + xl; /* at least nl + 1 limbs for the division */
    for (size_t i = 0; i <= ul; i++)
        u[i] = 0;
    for (size_t i = 0; i <= xl; i++)
        u[k + i] = (i < xl ? x[i] << sh : 0) | (sh != 0 && i > 0 ? x[i - 1] >> (64 - sh) : 0);
    uint64_t vt = v[nl - 1], vs = v[nl - 2];
    for (size_t j = ul - nl + 1; j-- > 0;) {
        u128 num = ((u128)u[j + nl] << 64) | u[j + nl - 1];
        u128 qhat, rhat;
#if TENON_X86_64
        /* one DIVQ where the quotient fits in 64 bits (always but in the rare u_top = vt),
         * instead of the library's 128-bit division routine: a tenth of a public operation */
        if (u[j + nl] < vt) {
            uint64_t qq, rm;
            __asm__("divq %[d]"
                    : "=a"(qq), "=d"(rm)
                    : "a"(u[j + nl - 1]), "d"(u[j + nl]), [d] "r"(vt));
            qhat = qq;
            rhat = rm;
        } else
#endif
        {
            qhat = num / vt;
            rhat = num % vt;
        }
        while (qhat >> 64 != 0 || qhat * vs > ((rhat << 64) | u[j + nl - 2])) {
            qhat--;
            rhat += vt;
            if (rhat >> 64 != 0)
                break;
        }
        /* u[j..j+nl] -= qhat v */
        if (submul_vartime(u + j, v, nl, (uint64_t)qhat) != 0) {
            /* qhat was one too large (rare): add v back */
            uint64_t c = 0;
            for (size_t i = 0; i < nl; i++) {
                u128 w = (u128)u[j + i] + v[i] + c;
                u[j + i] = (uint64_t)w;
                c = (uint64_t)(w >> 64);
            }
            u[j + nl] += c;
        }
    }
    /* the remainder is u[0..nl-1] 2^-sh */
    for (size_t i = 0; i < nl; i++)
        r[i] = (u[i] >> sh) | (sh != 0 && i + 1 < nl ? u[i + 1] << (64 - sh) : 0);
    /* x may be secret (an RSA encryption's padded message reaches bn_mont_to this way only
     * through bn_pow2_mod_vartime, but keep the working copy clean) */
    tenon_wipe(u, sizeof u);
}

/* 2^(64 k) mod m (R^2 mod m for k = 2 nl) by schoolbook long division (Knuth, TAOCP vol. 2,
 * 4.3.1, Algorithm D): the quotient digits and their corrections depend on m, which is why
 * this is only for public moduli; a few thousand cycles where the doublings and squarings of
 * bn_mont_init cost tens of thousands on a 2048-bit modulus. */
void bn_pow2_mod_vartime(uint64_t *rr, const uint64_t *m, size_t nl, size_t k)
{
    static const uint64_t one = 1;
    bn_shl_mod_vartime(rr, &one, 1, k, m, nl);
}

void bn_mont_init_vartime(bn_mont *ctx, const uint64_t *m, size_t nl, const bn_impl *impl)
{
    mont_setup(ctx, m, nl, impl);
    if (nl < 2) {
        bn_mont_init(ctx, m, nl, impl);
        return;
    }
    bn_pow2_mod_vartime(ctx->rr, m, nl, 2 * nl);
}

void bn_mont_init_rr(bn_mont *ctx, const uint64_t *m, size_t nl, const uint64_t *y)
{
    mont_setup(ctx, m, nl, NULL);
    /* y = yh R + yl with yh < m (y < N = m q < m R): y R^-1 = yh + yl R^-1 = R^2 mod m. */
    uint64_t t[BN_MAX_LIMBS];
    bn_mont_from(ctx, t, y);
    bn_mod_add(ctx, ctx->rr, t, y + nl);
    tenon_wipe(t, sizeof t);
}

void bn_mont_init_with_rr(bn_mont *ctx, const uint64_t *m, size_t nl, const uint64_t *rr)
{
    mont_setup(ctx, m, nl, NULL);
    for (size_t i = 0; i < nl; i++)
        ctx->rr[i] = rr != NULL ? rr[i] : 0;
}

uint64_t bn_mont_consts_check(const bn_mont *ctx, const uint64_t *r3)
{
    size_t n = ctx->nl;
    uint64_t t[BN_MAX_LIMBS], one[BN_MAX_LIMBS] = {1};
    /* rr < m and rr R^-2 = 1 mod m: rr is R^2 mod m itself */
    uint64_t ok = bn_lt_mask(ctx->rr, ctx->m, n);
    bn_mont_from(ctx, t, ctx->rr);
    bn_mont_from(ctx, t, t);
    ok &= 0 - (uint64_t)(ct_mask_memeq(t, one, n * 8) & 1);
    if (r3 != NULL) {
        /* r3 < m and r3 R^-1 = R^2 mod m (= rr, as just checked) */
        ok &= bn_lt_mask(r3, ctx->m, n);
        bn_mont_from(ctx, t, r3);
        ok &= 0 - (uint64_t)(ct_mask_memeq(t, ctx->rr, n * 8) & 1);
    }
    tenon_wipe(t, sizeof t);
    return ok;
}

void bn_mont_to(const bn_mont *ctx, uint64_t *r, const uint64_t *a)
{
    bn_mont_mul(ctx, r, a, ctx->rr);
}

void bn_mont_from(const bn_mont *ctx, uint64_t *r, const uint64_t *a)
{
#if TENON_X86_64
    /* the tiles reduce a R^-1 directly instead of multiplying by 1 first */
    if (ctx->impl == &bn_adx_impl && ctx->nl % 8 == 0) {
        bn_adx8_from(r, a, ctx->m, ctx->n0, ctx->nl);
        return;
    }
#endif
    uint64_t one[BN_MAX_LIMBS] = {1};
    bn_mont_mul(ctx, r, a, one);
}

void bn_mont_to_wide(const bn_mont *ctx, uint64_t *r, const uint64_t *x, size_t xl)
{
    size_t n = ctx->nl, chunks = (xl + n - 1) / n;
    uint64_t acc[BN_MAX_LIMBS] = {0}, c[BN_MAX_LIMBS];
    /* Horner in base R: M(X_i) = M(X_{i+1}) R + M(chunk_i); each chunk is below R, and a
     * Montgomery product with one factor below R and the other below m is below 2m before its
     * final subtraction, so the result is reduced. */
    for (size_t ci = chunks; ci-- > 0;) {
        for (size_t j = 0; j < n; j++) {
            size_t idx = ci * n + j;
            c[j] = idx < xl ? x[idx] : 0;
        }
        bn_mont_mul(ctx, c, c, ctx->rr);
        /* (the first chunk needs no shift: acc is 0) */
        if (ci + 1 < chunks)
            bn_mont_mul(ctx, acc, acc, ctx->rr);
        bn_mod_add(ctx, acc, acc, c);
    }
    for (size_t j = 0; j < n; j++)
        r[j] = acc[j];
    tenon_wipe(acc, sizeof acc);
    tenon_wipe(c, sizeof c);
}

void bn_mont_to_wide_r3(const bn_mont *ctx, const uint64_t *r3, uint64_t *r, const uint64_t *x,
                        size_t xl)
{
    size_t n = ctx->nl;
    if (xl > 2 * n) {
        bn_mont_to_wide(ctx, r, x, xl);
        return;
    }
    uint64_t lo[BN_MAX_LIMBS] = {0}, hi[BN_MAX_LIMBS] = {0};
    for (size_t j = 0; j < xl; j++)
        (j < n ? lo : hi)[j % n] = x[j];
    /* x_lo R + x_hi R^2, each product below 2m before its subtraction as in bn_mont_to_wide */
    bn_mont_mul(ctx, lo, lo, ctx->rr);
    bn_mont_mul(ctx, hi, hi, r3);
    bn_mod_add(ctx, r, lo, hi);
    tenon_wipe(lo, sizeof lo);
    tenon_wipe(hi, sizeof hi);
}

void bn_mod_sub(const bn_mont *ctx, uint64_t *r, const uint64_t *a, const uint64_t *b)
{
    size_t n = ctx->nl;
    uint64_t d[BN_MAX_LIMBS];
    uint64_t br = bn_sub(r, a, b, n);
    bn_add(d, r, ctx->m, n);
    bn_select(r, ct_value_barrier_u64(0 - br), d, r, n);
}

void bn_mod_add(const bn_mont *ctx, uint64_t *r, const uint64_t *a, const uint64_t *b)
{
    size_t n = ctx->nl;
    uint64_t d[BN_MAX_LIMBS];
    uint64_t c = bn_add(r, a, b, n);
    uint64_t br = bn_sub(d, r, ctx->m, n);
    bn_select(r, ct_value_barrier_u64(0 - ((c | (br ^ 1)) & 1)), d, r, n);
}

/* ------------------------------------------------------------------------------------------
 * Exponentiation
 * ------------------------------------------------------------------------------------------ */

#define WIN BN_WIN

uint32_t bn_exp_window(const uint64_t *e, size_t en, size_t pos)
{
    /* bits [pos, pos + WIN) of e; pos is public */
    size_t li = pos / 64, sh = pos % 64;
    uint64_t v = e[li] >> sh;
    if (sh > 64 - WIN && li + 1 < en)
        v |= e[li + 1] << (64 - sh);
    return (uint32_t)(v & ((1u << WIN) - 1));
}

/* t = table[win] (n limbs per entry, 2^WIN entries), reading every entry and keeping the one
 * that matches under a mask: no secret-dependent address. Two limbs at a time in a 128-bit
 * vector where n is even (every RSA prime size), since this scan runs once per window. */
typedef uint64_t bn_v2 __attribute__((vector_size(16)));

#if TENON_X86_64
/* Four limbs at a time with AVX2 (every RSA prime size is a multiple of 4 limbs), the entry's
 * mask from a vector comparison; the accumulators are four named variables per pass over the
 * table, so that they stay in registers (no copy of the entry is left to wipe). With 128-bit
 * vectors and scalar masks the scan took a tenth of a 16-limb exponentiation. */
typedef uint64_t bn_v4 __attribute__((vector_size(32)));
typedef uint64_t bn_v4u __attribute__((vector_size(32), aligned(8), may_alias));

/* acc | (mask & *v): the entry kept under its all-or-nothing mask. */
static inline __attribute__((always_inline, target("avx2"))) bn_v4 keep4(bn_v4 acc, bn_v4 mask,
                                                                         const uint64_t *v)
{
    return acc | (*(const bn_v4u *)v & mask);
}

/* Columns 4c..4c+4k-1 (k <= 6 vectors) of table[win] into t, in named accumulators: with
 * an array of them (and memcpy to t) GCC 12 kept the accumulators, a copy of the secret entry,
 * on the stack, unwiped; named ones stay in registers. */
static inline __attribute__((always_inline, target("avx2"))) void
table_scan_avx2_cols(uint64_t *t, const uint64_t *table, const size_t n, uint32_t win, size_t c,
                     const size_t k)
{
    bn_v4 a0 = {0, 0, 0, 0}, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, idx = a0, want = a0 + win;
    const uint64_t *col = table + 4 * c;
    for (uint32_t i = 0; i < (1u << WIN); i++) {
        bn_v4 mask = (bn_v4)(idx == want);
        idx += 1;
        const uint64_t *row = col + i * n;
        a0 = keep4(a0, mask, row);
        if (k > 1)
            a1 = keep4(a1, mask, row + 4);
        if (k > 2)
            a2 = keep4(a2, mask, row + 8);
        if (k > 3)
            a3 = keep4(a3, mask, row + 12);
        if (k > 4)
            a4 = keep4(a4, mask, row + 16);
        if (k > 5)
            a5 = keep4(a5, mask, row + 20);
    }
    /* stored through an unaligned type: memcpy would take the accumulators' addresses */
    *(bn_v4u *)(t + 4 * c) = a0;
    if (k > 1)
        *(bn_v4u *)(t + 4 * c + 4) = a1;
    if (k > 2)
        *(bn_v4u *)(t + 4 * c + 8) = a2;
    if (k > 3)
        *(bn_v4u *)(t + 4 * c + 12) = a3;
    if (k > 4)
        *(bn_v4u *)(t + 4 * c + 16) = a4;
    if (k > 5)
        *(bn_v4u *)(t + 4 * c + 20) = a5;
}

__attribute__((target("avx2"))) static void table_scan_avx2(uint64_t *t, const uint64_t *table,
                                                            size_t n, uint32_t win)
{
    if (n == 16) {
        table_scan_avx2_cols(t, table, 16, win, 0, 4);
        return;
    }
    if (n == 24) {
        table_scan_avx2_cols(t, table, 24, win, 0, 6);
        return;
    }
    for (size_t c = 0; c < n / 4; c += 4) {
        if (n / 4 - c >= 4)
            table_scan_avx2_cols(t, table, n, win, c, 4);
        else if (n / 4 - c == 3)
            table_scan_avx2_cols(t, table, n, win, c, 3);
        else if (n / 4 - c == 2)
            table_scan_avx2_cols(t, table, n, win, c, 2);
        else
            table_scan_avx2_cols(t, table, n, win, c, 1);
    }
}
#endif

static void table_scan(uint64_t *t, const uint64_t *table, size_t n, uint32_t win)
{
#if TENON_X86_64
    if (n % 4 == 0 && n <= BN_MAX_LIMBS && cpu_has(TENON_CPU_AVX2)) {
        table_scan_avx2(t, table, n, win);
        return;
    }
#endif
    if (n % 2 == 0 && n <= BN_MAX_LIMBS) {
        bn_v2 acc[BN_MAX_LIMBS / 2];
        for (size_t j = 0; j < n / 2; j++)
            acc[j] = (bn_v2){0, 0};
        for (uint32_t i = 0; i < (1u << WIN); i++) {
            uint64_t m = (uint64_t)0 - (uint64_t)(ct_mask_eq_u32(i, win) & 1u);
            bn_v2 mask = {m, m};
            const uint64_t *row = table + i * n;
            for (size_t j = 0; j < n / 2; j++) {
                bn_v2 v;
                memcpy(&v, row + 2 * j, sizeof v);
                acc[j] |= v & mask;
            }
        }
        memcpy(t, acc, n * sizeof(uint64_t));
        tenon_wipe(acc, sizeof acc);
        return;
    }
    for (size_t j = 0; j < n; j++)
        t[j] = 0;
    for (uint32_t i = 0; i < (1u << WIN); i++) {
        uint64_t mask = (uint64_t)0 - (uint64_t)(ct_mask_eq_u32(i, win) & 1u);
        const uint64_t *row = table + i * n;
        for (size_t j = 0; j < n; j++)
            t[j] |= row[j] & mask;
    }
}

void bn_mont_pow_ct(const bn_mont *ctx, uint64_t *r, const uint64_t *b, const uint64_t *e,
                    size_t en)
{
    size_t n = ctx->nl;
    uint64_t table[(1u << WIN) * BN_MAX_LIMBS];
    uint64_t acc[BN_MAX_LIMBS], t[BN_MAX_LIMBS];

    /* table[i] = b^i in Montgomery form; table[0] = R mod m. */
    uint64_t one[BN_MAX_LIMBS] = {1};
    bn_mont_to(ctx, table, one);
    for (size_t j = 0; j < n; j++)
        table[n + j] = b[j];
    for (size_t i = 2; i < (1u << WIN); i++) {
        if (i % 2 == 0)
            bn_mont_sqr(ctx, table + i * n, table + (i / 2) * n);
        else
            bn_mont_mul(ctx, table + i * n, table + (i - 1) * n, b);
    }

    size_t bits = 64 * en, nwin = (bits + WIN - 1) / WIN;
    for (size_t w = nwin; w-- > 0;) {
        uint32_t win = bn_exp_window(e, en, w * WIN);
        table_scan(t, table, n, win);
        if (w == nwin - 1) {
            for (size_t j = 0; j < n; j++)
                acc[j] = t[j];
        } else if (ctx->impl->sqr_lazy != NULL) {
            /* acc < R through the squarings; the product with t < m brings it below m */
            for (int s = 0; s < WIN; s++)
                ctx->impl->sqr_lazy(ctx, acc, acc);
            bn_mont_mul(ctx, acc, acc, t);
        } else {
            for (int s = 0; s < WIN; s++)
                bn_mont_sqr(ctx, acc, acc);
            bn_mont_mul(ctx, acc, acc, t);
        }
    }
    for (size_t j = 0; j < n; j++)
        r[j] = acc[j];
    tenon_wipe(table, sizeof table);
    tenon_wipe(acc, sizeof acc);
    tenon_wipe(t, sizeof t);
}

void bn_mont_pow2_ct(const bn_mont *ctx1, uint64_t *r1, const uint64_t *b1, const uint64_t *e1,
                     size_t en1, const bn_mont *ctx2, uint64_t *r2, const uint64_t *b2,
                     const uint64_t *e2, size_t en2)
{
    if (en1 == en2 && bn_r52_pow2_ct(0, ctx1, r1, b1, e1, ctx2, r2, b2, e2, en1))
        return;
    bn_mont_pow_ct(ctx1, r1, b1, e1, en1);
    bn_mont_pow_ct(ctx2, r2, b2, e2, en2);
}

void bn_mont_pow2_u64(const bn_mont *ctx1, uint64_t *r1, const uint64_t *b1, const bn_mont *ctx2,
                      uint64_t *r2, const uint64_t *b2, uint64_t e)
{
    if (bn_r52_pow2_u64(0, ctx1, r1, b1, ctx2, r2, b2, e))
        return;
    bn_mont_pow_u64(ctx1, r1, b1, e);
    bn_mont_pow_u64(ctx2, r2, b2, e);
}

void bn_mont_pow_u64(const bn_mont *ctx, uint64_t *r, const uint64_t *b, uint64_t e)
{
    size_t n = ctx->nl;
    uint64_t acc[BN_MAX_LIMBS];
    int top = 63 - __builtin_clzll(e);
    for (size_t j = 0; j < n; j++)
        acc[j] = b[j];
    for (int i = top - 1; i >= 0; i--) {
        bn_mont_sqr(ctx, acc, acc);
        if ((e >> i) & 1)
            bn_mont_mul(ctx, acc, acc, b);
    }
    for (size_t j = 0; j < n; j++)
        r[j] = acc[j];
}
