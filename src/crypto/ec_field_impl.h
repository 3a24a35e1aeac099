/*
 * Internal template: arithmetic modulo an odd prime m < 2^(64·FE_LIMBS) with the top limb
 * non-zero, in Montgomery form (a value a is held as a·R mod m, R = 2^(64·FE_LIMBS)), every
 * value fully reduced (below m). Included by the curve files, once per modulus, after
 * defining:
 *
 *   FE(name)   the name of each function (e.g. p256_fp_##name)
 *   FE_LIMBS   number of 64-bit limbs (4 or 6)
 *   FE_M       the modulus, little-endian limbs
 *   FE_M0INV   -m^-1 mod 2^64
 *   FE_R2      R^2 mod m (to enter Montgomery form)
 *   FE_ONE     R mod m (1 in Montgomery form)
 *
 * and optionally FE_ADX (x86-64 only) for the multiplication and 4-limb squaring with
 * mulx/adcx/adox, which the including file compiles into a separate copy of the point code
 * used only when cpuid reports BMI2 and ADX; FE_M_P256 with FE_ADX when m is P-256's p (its
 * own multiplication and squaring); FE_INV_P256 when m is P-256's p (an addition chain for the
 * inversion); FE_MODINV (m in the form of ec_modinv.h) and FE_R3 (R^3 mod m), 4 limbs only,
 * for a variable-time FE(inv_vartime) by divsteps, for public or blinded inputs (otherwise
 * FE(inv_vartime) is FE(inv)).
 *
 * Loop bounds are compile-time constants, so the compiler unrolls them fully; nothing here
 * branches on or indexes by a value, so every function is constant-time. The exponentiation
 * (inversion by Fermat) branches on the bits of the public exponent m - 2 only.
 */

#ifndef TENON_EC_FIELD_IMPL_COMMON
#define TENON_EC_FIELD_IMPL_COMMON
typedef unsigned __int128 ec_u128;

/* The inline-assembly field code needs nearly every general register, which only an optimising
 * build without a frame pointer can give it (CMakeLists.txt builds p256.c and p384.c with
 * -fomit-frame-pointer). An unoptimised (-O0) build uses the C code instead. */
#if TENON_X86_64 && defined(__OPTIMIZE__)
#define EC_FIELD_ASM 1
#else
#define EC_FIELD_ASM 0
#endif

#if TENON_X86_64
#include <immintrin.h>

/* (carry, sum) of a + b + carry-in; the carry is 0 or 1. The intrinsics become adc / sbb
 * chains, which compilers do not reliably find in the 128-bit formulation below. */
static inline uint64_t ec_adc(uint64_t a, uint64_t b, uint64_t cin, uint64_t *cout)
{
    unsigned long long r;
    *cout = _addcarry_u64((unsigned char)cin, a, b, &r);
    return r;
}

/* a - b - borrow-in; the borrow is 0 or 1. */
static inline uint64_t ec_sbb(uint64_t a, uint64_t b, uint64_t bin, uint64_t *bout)
{
    unsigned long long r;
    *bout = _subborrow_u64((unsigned char)bin, a, b, &r);
    return r;
}
#else
/* (carry, sum) of a + b + carry-in; the carry is 0 or 1. */
static inline uint64_t ec_adc(uint64_t a, uint64_t b, uint64_t cin, uint64_t *cout)
{
    ec_u128 t = (ec_u128)a + b + cin;
    *cout = (uint64_t)(t >> 64);
    return (uint64_t)t;
}

/* a - b - borrow-in; the borrow is 0 or 1. */
static inline uint64_t ec_sbb(uint64_t a, uint64_t b, uint64_t bin, uint64_t *bout)
{
    ec_u128 t = (ec_u128)a - b - bin;
    *bout = (uint64_t)(t >> 64) & 1;
    return (uint64_t)t;
}
#endif

#endif

/* r = a if mask is all-ones, b if it is zero (per limb, no branch). */
static inline void FE(select)(uint64_t *r, uint64_t mask, const uint64_t *a, const uint64_t *b)
{
    for (int i = 0; i < FE_LIMBS; i++)
        r[i] = b[i] ^ (mask & (a[i] ^ b[i]));
}

static inline void FE(copy)(uint64_t *r, const uint64_t *a)
{
    for (int i = 0; i < FE_LIMBS; i++)
        r[i] = a[i];
}

/* All-ones if a is zero. */
static inline uint64_t FE(is_zero)(const uint64_t *a)
{
    uint64_t acc = 0;
    for (int i = 0; i < FE_LIMBS; i++)
        acc |= a[i];
    return ~ct_mask_nonzero_u64(acc);
}

/* All-ones if a == b (both reduced, so representations are unique). */
static inline uint64_t FE(eq)(const uint64_t *a, const uint64_t *b)
{
    uint64_t acc = 0;
    for (int i = 0; i < FE_LIMBS; i++)
        acc |= a[i] ^ b[i];
    return ~ct_mask_nonzero_u64(acc);
}

/* r = (hi·2^(64·FE_LIMBS) + t) mod m for a value known to be below 2m: subtract m, keep the
 * difference unless that borrowed past the extra top word hi. */
static inline void FE(reduce_once)(uint64_t *r, const uint64_t *t, uint64_t hi)
{
    uint64_t d[FE_LIMBS], borrow = 0;
    for (int i = 0; i < FE_LIMBS; i++)
        d[i] = ec_sbb(t[i], FE_M[i], borrow, &borrow);
    (void)ec_sbb(hi, 0, borrow, &borrow);
    /* borrow == 1: t < m, keep t. */
    FE(select)(r, (uint64_t)0 - borrow, t, d);
}

#if EC_FIELD_ASM && FE_LIMBS == 4
/*
 * x86-64: addition and subtraction as one add/adc (sub/sbb) chain and cmov, which compilers do
 * not reliably produce from C (they go through the stack and vector registers). Inputs are
 * read before r is written, so r may alias a or b. The memory operands tell the compiler what is
 * read and written, so it may keep other values in registers across the call.
 */
static inline void FE(add)(uint64_t *r, const uint64_t *a, const uint64_t *b)
{
    uint64_t t0, t1, t2, t3, d0, d1, d2, d3, c;
    __asm__("xorl %k[c], %k[c]\n\t"
            "movq 0(%[a]), %[t0]\n\t"
            "movq 8(%[a]), %[t1]\n\t"
            "movq 16(%[a]), %[t2]\n\t"
            "movq 24(%[a]), %[t3]\n\t"
            "addq 0(%[b]), %[t0]\n\t"
            "adcq 8(%[b]), %[t1]\n\t"
            "adcq 16(%[b]), %[t2]\n\t"
            "adcq 24(%[b]), %[t3]\n\t"
            "adcq $0, %[c]\n\t"
            "movq %[t0], %[d0]\n\t"
            "movq %[t1], %[d1]\n\t"
            "movq %[t2], %[d2]\n\t"
            "movq %[t3], %[d3]\n\t"
            "subq %[m0], %[d0]\n\t"
            "sbbq %[m1], %[d1]\n\t"
            "sbbq %[m2], %[d2]\n\t"
            "sbbq %[m3], %[d3]\n\t"
            "sbbq $0, %[c]\n\t" /* borrow: the sum was below m, keep it */
            "cmovcq %[t0], %[d0]\n\t"
            "cmovcq %[t1], %[d1]\n\t"
            "cmovcq %[t2], %[d2]\n\t"
            "cmovcq %[t3], %[d3]\n\t"
            "movq %[d0], 0(%[r])\n\t"
            "movq %[d1], 8(%[r])\n\t"
            "movq %[d2], 16(%[r])\n\t"
            "movq %[d3], 24(%[r])"
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [d0] "=&r"(d0),
              [d1] "=&r"(d1), [d2] "=&r"(d2), [d3] "=&r"(d3), [c] "=&r"(c), "=m"(*(uint64_t(*)[4])r)
            : [r] "r"(r), [a] "r"(a), [b] "r"(b), [m0] "m"(FE_M[0]), [m1] "m"(FE_M[1]),
              [m2] "m"(FE_M[2]), [m3] "m"(FE_M[3]), "m"(*(const uint64_t(*)[4])a),
              "m"(*(const uint64_t(*)[4])b)
            : "cc");
}

static inline void FE(sub)(uint64_t *r, const uint64_t *a, const uint64_t *b)
{
    uint64_t t0, t1, t2, t3, d0, d1, d2, d3, c;
    __asm__("movq 0(%[a]), %[t0]\n\t"
            "movq 8(%[a]), %[t1]\n\t"
            "movq 16(%[a]), %[t2]\n\t"
            "movq 24(%[a]), %[t3]\n\t"
            "subq 0(%[b]), %[t0]\n\t"
            "sbbq 8(%[b]), %[t1]\n\t"
            "sbbq 16(%[b]), %[t2]\n\t"
            "sbbq 24(%[b]), %[t3]\n\t"
            "sbbq %[c], %[c]\n\t" /* all-ones on a borrow: add m back */
            "movq %[m0], %[d0]\n\t"
            "movq %[m1], %[d1]\n\t"
            "movq %[m2], %[d2]\n\t"
            "movq %[m3], %[d3]\n\t"
            "andq %[c], %[d0]\n\t"
            "andq %[c], %[d1]\n\t"
            "andq %[c], %[d2]\n\t"
            "andq %[c], %[d3]\n\t"
            "addq %[d0], %[t0]\n\t"
            "adcq %[d1], %[t1]\n\t"
            "adcq %[d2], %[t2]\n\t"
            "adcq %[d3], %[t3]\n\t"
            "movq %[t0], 0(%[r])\n\t"
            "movq %[t1], 8(%[r])\n\t"
            "movq %[t2], 16(%[r])\n\t"
            "movq %[t3], 24(%[r])"
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [d0] "=&r"(d0),
              [d1] "=&r"(d1), [d2] "=&r"(d2), [d3] "=&r"(d3), [c] "=&r"(c), "=m"(*(uint64_t(*)[4])r)
            : [r] "r"(r), [a] "r"(a), [b] "r"(b), [m0] "m"(FE_M[0]), [m1] "m"(FE_M[1]),
              [m2] "m"(FE_M[2]), [m3] "m"(FE_M[3]), "m"(*(const uint64_t(*)[4])a),
              "m"(*(const uint64_t(*)[4])b)
            : "cc");
}
#elif EC_FIELD_ASM && FE_LIMBS == 6
/* As above; with six limbs there are too few registers for a second copy, so the first result
 * goes through r and is taken back with cmov from memory. */
static inline void FE(add)(uint64_t *r, const uint64_t *a, const uint64_t *b)
{
    uint64_t t0, t1, t2, t3, t4, t5, c;
    __asm__ volatile("xorl %k[c], %k[c]\n\t"
                     "movq 0(%[a]), %[t0]\n\t"
                     "movq 8(%[a]), %[t1]\n\t"
                     "movq 16(%[a]), %[t2]\n\t"
                     "movq 24(%[a]), %[t3]\n\t"
                     "movq 32(%[a]), %[t4]\n\t"
                     "movq 40(%[a]), %[t5]\n\t"
                     "addq 0(%[b]), %[t0]\n\t"
                     "adcq 8(%[b]), %[t1]\n\t"
                     "adcq 16(%[b]), %[t2]\n\t"
                     "adcq 24(%[b]), %[t3]\n\t"
                     "adcq 32(%[b]), %[t4]\n\t"
                     "adcq 40(%[b]), %[t5]\n\t"
                     "adcq $0, %[c]\n\t"
                     "movq %[t0], 0(%[r])\n\t"
                     "movq %[t1], 8(%[r])\n\t"
                     "movq %[t2], 16(%[r])\n\t"
                     "movq %[t3], 24(%[r])\n\t"
                     "movq %[t4], 32(%[r])\n\t"
                     "movq %[t5], 40(%[r])\n\t"
                     "subq %[m0], %[t0]\n\t"
                     "sbbq %[m1], %[t1]\n\t"
                     "sbbq %[m2], %[t2]\n\t"
                     "sbbq %[m3], %[t3]\n\t"
                     "sbbq %[m4], %[t4]\n\t"
                     "sbbq %[m5], %[t5]\n\t"
                     "sbbq $0, %[c]\n\t" /* borrow: the sum was below m, keep it */
                     "cmovcq 0(%[r]), %[t0]\n\t"
                     "cmovcq 8(%[r]), %[t1]\n\t"
                     "cmovcq 16(%[r]), %[t2]\n\t"
                     "cmovcq 24(%[r]), %[t3]\n\t"
                     "cmovcq 32(%[r]), %[t4]\n\t"
                     "cmovcq 40(%[r]), %[t5]\n\t"
                     "movq %[t0], 0(%[r])\n\t"
                     "movq %[t1], 8(%[r])\n\t"
                     "movq %[t2], 16(%[r])\n\t"
                     "movq %[t3], 24(%[r])\n\t"
                     "movq %[t4], 32(%[r])\n\t"
                     "movq %[t5], 40(%[r])"
                     : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3),
                       [t4] "=&r"(t4), [t5] "=&r"(t5), [c] "=&r"(c)
                     : [r] "r"(r), [a] "r"(a), [b] "r"(b), [m0] "m"(FE_M[0]), [m1] "m"(FE_M[1]),
                       [m2] "m"(FE_M[2]), [m3] "m"(FE_M[3]), [m4] "m"(FE_M[4]), [m5] "m"(FE_M[5])
                     : "cc", "memory");
}

static inline void FE(sub)(uint64_t *r, const uint64_t *a, const uint64_t *b)
{
    uint64_t t0, t1, t2, t3, t4, t5, c;
    __asm__ volatile("movq 0(%[a]), %[t0]\n\t"
                     "movq 8(%[a]), %[t1]\n\t"
                     "movq 16(%[a]), %[t2]\n\t"
                     "movq 24(%[a]), %[t3]\n\t"
                     "movq 32(%[a]), %[t4]\n\t"
                     "movq 40(%[a]), %[t5]\n\t"
                     "subq 0(%[b]), %[t0]\n\t"
                     "sbbq 8(%[b]), %[t1]\n\t"
                     "sbbq 16(%[b]), %[t2]\n\t"
                     "sbbq 24(%[b]), %[t3]\n\t"
                     "sbbq 32(%[b]), %[t4]\n\t"
                     "sbbq 40(%[b]), %[t5]\n\t"
                     "sbbq %[c], %[c]\n\t" /* all-ones on a borrow */
                     "movq %[t0], 0(%[r])\n\t"
                     "movq %[t1], 8(%[r])\n\t"
                     "movq %[t2], 16(%[r])\n\t"
                     "movq %[t3], 24(%[r])\n\t"
                     "movq %[t4], 32(%[r])\n\t"
                     "movq %[t5], 40(%[r])\n\t"
                     "addq %[m0], %[t0]\n\t"
                     "adcq %[m1], %[t1]\n\t"
                     "adcq %[m2], %[t2]\n\t"
                     "adcq %[m3], %[t3]\n\t"
                     "adcq %[m4], %[t4]\n\t"
                     "adcq %[m5], %[t5]\n\t"
                     "testq %[c], %[c]\n\t" /* no borrow: keep the difference */
                     "cmovzq 0(%[r]), %[t0]\n\t"
                     "cmovzq 8(%[r]), %[t1]\n\t"
                     "cmovzq 16(%[r]), %[t2]\n\t"
                     "cmovzq 24(%[r]), %[t3]\n\t"
                     "cmovzq 32(%[r]), %[t4]\n\t"
                     "cmovzq 40(%[r]), %[t5]\n\t"
                     "movq %[t0], 0(%[r])\n\t"
                     "movq %[t1], 8(%[r])\n\t"
                     "movq %[t2], 16(%[r])\n\t"
                     "movq %[t3], 24(%[r])\n\t"
                     "movq %[t4], 32(%[r])\n\t"
                     "movq %[t5], 40(%[r])"
                     : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3),
                       [t4] "=&r"(t4), [t5] "=&r"(t5), [c] "=&r"(c)
                     : [r] "r"(r), [a] "r"(a), [b] "r"(b), [m0] "m"(FE_M[0]), [m1] "m"(FE_M[1]),
                       [m2] "m"(FE_M[2]), [m3] "m"(FE_M[3]), [m4] "m"(FE_M[4]), [m5] "m"(FE_M[5])
                     : "cc", "memory");
}
#else
static inline void FE(add)(uint64_t *r, const uint64_t *a, const uint64_t *b)
{
    uint64_t t[FE_LIMBS], carry = 0;
    for (int i = 0; i < FE_LIMBS; i++)
        t[i] = ec_adc(a[i], b[i], carry, &carry);
    FE(reduce_once)(r, t, carry);
}

static inline void FE(sub)(uint64_t *r, const uint64_t *a, const uint64_t *b)
{
    uint64_t t[FE_LIMBS], borrow = 0, carry = 0;
    for (int i = 0; i < FE_LIMBS; i++)
        t[i] = ec_sbb(a[i], b[i], borrow, &borrow);
    /* On a borrow, add m back. */
    uint64_t mask = (uint64_t)0 - borrow;
    for (int i = 0; i < FE_LIMBS; i++)
        r[i] = ec_adc(t[i], FE_M[i] & mask, carry, &carry);
}
#endif

static inline void FE(neg)(uint64_t *r, const uint64_t *a)
{
    uint64_t zero[FE_LIMBS] = {0};
    FE(sub)(r, zero, a);
}

/* r = a/2 mod m for a < m (m odd): a/2 if a is even, else (a + m)/2, whose sum keeps its carry
 * as the top bit of the halved value; the result is below m. The parity becomes a mask, so
 * nothing branches on a. */
static inline void FE(half)(uint64_t *r, const uint64_t *a)
{
    uint64_t t[FE_LIMBS], carry = 0, mask = (uint64_t)0 - (a[0] & 1);
    for (int i = 0; i < FE_LIMBS; i++)
        t[i] = ec_adc(a[i], FE_M[i] & mask, carry, &carry);
    for (int i = 0; i < FE_LIMBS - 1; i++)
        r[i] = (t[i] >> 1) | (t[i + 1] << 63);
    r[FE_LIMBS - 1] = (t[FE_LIMBS - 1] >> 1) | (carry << 63);
}

/*
 * Small multiples for the point formulas: r = 3a, r = 4a, r = a - 2b, r = a - 8b, r = 3(a + b),
 * and x = a - 2b with y = b - x. On x86-64
 * with four limbs each is one asm block whose intermediate values stay in registers (doubling
 * between two register sets t and d by add/adc, subtract m, cmov), instead of a chain of FE(add)
 * and FE(sub) calls that each store their result and load it back. Inputs are read before r is
 * written, so r may alias a or b. Elsewhere they are the same chains in C.
 */
#if EC_FIELD_ASM && FE_LIMBS == 4
/* clang-format off */
#define FE4_LOAD(T, src)                                                                           \
    "movq 0(%[" src "]), %[" T "0]\n\t"                                                            \
    "movq 8(%[" src "]), %[" T "1]\n\t"                                                            \
    "movq 16(%[" src "]), %[" T "2]\n\t"                                                           \
    "movq 24(%[" src "]), %[" T "3]\n\t"
#define FE4_STORE(T)                                                                               \
    "movq %[" T "0], 0(%[r])\n\t"                                                                  \
    "movq %[" T "1], 8(%[r])\n\t"                                                                  \
    "movq %[" T "2], 16(%[r])\n\t"                                                                 \
    "movq %[" T "3], 24(%[r])\n\t"
/* D = S + S' mod m, where S' is S itself (dbl) or memory at src (add); S keeps the unreduced
 * sum. The carry word c takes the sum's top bit; subtracting m borrows past it exactly when
 * the sum was below m, and the sum is kept. */
#define FE4_REDUCE_INTO(S, D)                                                                      \
    "adcq $0, %[c]\n\t"                                                                            \
    "movq %[" S "0], %[" D "0]\n\t"                                                                \
    "movq %[" S "1], %[" D "1]\n\t"                                                                \
    "movq %[" S "2], %[" D "2]\n\t"                                                                \
    "movq %[" S "3], %[" D "3]\n\t"                                                                \
    "subq %[m0], %[" D "0]\n\t"                                                                    \
    "sbbq %[m1], %[" D "1]\n\t"                                                                    \
    "sbbq %[m2], %[" D "2]\n\t"                                                                    \
    "sbbq %[m3], %[" D "3]\n\t"                                                                    \
    "sbbq $0, %[c]\n\t"                                                                            \
    "cmovcq %[" S "0], %[" D "0]\n\t"                                                              \
    "cmovcq %[" S "1], %[" D "1]\n\t"                                                              \
    "cmovcq %[" S "2], %[" D "2]\n\t"                                                              \
    "cmovcq %[" S "3], %[" D "3]\n\t"
#define FE4_DBL(S, D)                                                                              \
    "xorl %k[c], %k[c]\n\t"                                                                        \
    "addq %[" S "0], %[" S "0]\n\t"                                                                \
    "adcq %[" S "1], %[" S "1]\n\t"                                                                \
    "adcq %[" S "2], %[" S "2]\n\t"                                                                \
    "adcq %[" S "3], %[" S "3]\n\t"                                                                \
    FE4_REDUCE_INTO(S, D)
#define FE4_ADDMEM(S, D, src)                                                                      \
    "xorl %k[c], %k[c]\n\t"                                                                        \
    "addq 0(%[" src "]), %[" S "0]\n\t"                                                            \
    "adcq 8(%[" src "]), %[" S "1]\n\t"                                                            \
    "adcq 16(%[" src "]), %[" S "2]\n\t"                                                           \
    "adcq 24(%[" src "]), %[" S "3]\n\t"                                                           \
    FE4_REDUCE_INTO(S, D)
/* T = T - D mod m (D is clobbered): on a borrow, add m back, masked by c. */
#define FE4_SUB(T, D)                                                                              \
    "subq %[" D "0], %[" T "0]\n\t"                                                                \
    "sbbq %[" D "1], %[" T "1]\n\t"                                                                \
    "sbbq %[" D "2], %[" T "2]\n\t"                                                                \
    "sbbq %[" D "3], %[" T "3]\n\t"                                                                \
    "sbbq %[c], %[c]\n\t"                                                                          \
    "movq %[m0], %[" D "0]\n\t"                                                                    \
    "movq %[m1], %[" D "1]\n\t"                                                                    \
    "movq %[m2], %[" D "2]\n\t"                                                                    \
    "movq %[m3], %[" D "3]\n\t"                                                                    \
    "andq %[c], %[" D "0]\n\t"                                                                     \
    "andq %[c], %[" D "1]\n\t"                                                                     \
    "andq %[c], %[" D "2]\n\t"                                                                     \
    "andq %[c], %[" D "3]\n\t"                                                                     \
    "addq %[" D "0], %[" T "0]\n\t"                                                                \
    "adcq %[" D "1], %[" T "1]\n\t"                                                                \
    "adcq %[" D "2], %[" T "2]\n\t"                                                                \
    "adcq %[" D "3], %[" T "3]\n\t"
#define FE4_OUTS                                                                                   \
    [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [d0] "=&r"(d0),               \
        [d1] "=&r"(d1), [d2] "=&r"(d2), [d3] "=&r"(d3), [c] "=&r"(c), "=m"(*(uint64_t(*)[4])r)
#define FE4_MOD                                                                                    \
    [m0] "m"(FE_M[0]), [m1] "m"(FE_M[1]), [m2] "m"(FE_M[2]), [m3] "m"(FE_M[3])
/* clang-format on */

static inline void FE(mul3)(uint64_t *r, const uint64_t *a)
{
    uint64_t t0, t1, t2, t3, d0, d1, d2, d3, c;
    __asm__(FE4_LOAD("t", "a") FE4_DBL("t", "d") FE4_ADDMEM("d", "t", "a") FE4_STORE("t")
            : FE4_OUTS
            : [r] "r"(r), [a] "r"(a), "m"(*(const uint64_t(*)[4])a), FE4_MOD
            : "cc");
}

static inline void FE(mul4)(uint64_t *r, const uint64_t *a)
{
    uint64_t t0, t1, t2, t3, d0, d1, d2, d3, c;
    __asm__(FE4_LOAD("t", "a") FE4_DBL("t", "d") FE4_DBL("d", "t") FE4_STORE("t")
            : FE4_OUTS
            : [r] "r"(r), [a] "r"(a), "m"(*(const uint64_t(*)[4])a), FE4_MOD
            : "cc");
}

static inline void FE(sub_dbl)(uint64_t *r, const uint64_t *a, const uint64_t *b)
{
    uint64_t t0, t1, t2, t3, d0, d1, d2, d3, c;
    __asm__(FE4_LOAD("t", "b") FE4_DBL("t", "d") FE4_LOAD("t", "a") FE4_SUB("t", "d") FE4_STORE("t")
            : FE4_OUTS
            : [r] "r"(r), [a] "r"(a), [b] "r"(b), "m"(*(const uint64_t(*)[4])a),
              "m"(*(const uint64_t(*)[4])b), FE4_MOD
            : "cc");
}

static inline void FE(sub_mul8)(uint64_t *r, const uint64_t *a, const uint64_t *b)
{
    uint64_t t0, t1, t2, t3, d0, d1, d2, d3, c;
    __asm__(FE4_LOAD("t", "b") FE4_DBL("t", "d") FE4_DBL("d", "t") FE4_DBL("t", "d")
                FE4_LOAD("t", "a") FE4_SUB("t", "d") FE4_STORE("t")
            : FE4_OUTS
            : [r] "r"(r), [a] "r"(a), [b] "r"(b), "m"(*(const uint64_t(*)[4])a),
              "m"(*(const uint64_t(*)[4])b), FE4_MOD
            : "cc");
}
/* D = S/2 mod m (S below m): m is added under the mask of S's low bit, and the sum, with its
 * carry as bit 256, shifted right by one. */
/* clang-format off */
#define FE4_HALF(S, D)                                                                             \
    "movq %[" S "0], %[c]\n\t"                                                                     \
    "andl $1, %k[c]\n\t"                                                                          \
    "negq %[c]\n\t"                                                                               \
    "movq %[m0], %[" D "0]\n\t"                                                                   \
    "movq %[m1], %[" D "1]\n\t"                                                                   \
    "movq %[m2], %[" D "2]\n\t"                                                                   \
    "movq %[m3], %[" D "3]\n\t"                                                                   \
    "andq %[c], %[" D "0]\n\t"                                                                    \
    "andq %[c], %[" D "1]\n\t"                                                                    \
    "andq %[c], %[" D "2]\n\t"                                                                    \
    "andq %[c], %[" D "3]\n\t"                                                                    \
    "addq %[" S "0], %[" D "0]\n\t"                                                               \
    "adcq %[" S "1], %[" D "1]\n\t"                                                               \
    "adcq %[" S "2], %[" D "2]\n\t"                                                               \
    "adcq %[" S "3], %[" D "3]\n\t"                                                               \
    "sbbq %[c], %[c]\n\t"                                                                         \
    "shrdq $1, %[" D "1], %[" D "0]\n\t"                                                          \
    "shrdq $1, %[" D "2], %[" D "1]\n\t"                                                          \
    "shrdq $1, %[" D "3], %[" D "2]\n\t"                                                          \
    "shrdq $1, %[c], %[" D "3]\n\t"
/* clang-format on */

/* r = 3(a + b)/2: the sum s is parked in r, halved, and added back. */
static inline void FE(add_mul3_half)(uint64_t *r, const uint64_t *a, const uint64_t *b)
{
    uint64_t t0, t1, t2, t3, d0, d1, d2, d3, c;
    __asm__(FE4_LOAD("t", "a") FE4_ADDMEM("t", "d", "b") FE4_STORE("d") FE4_HALF("d", "t")
                FE4_ADDMEM("t", "d", "r") FE4_STORE("d")
            : FE4_OUTS
            : [r] "r"(r), [a] "r"(a), [b] "r"(b), "m"(*(const uint64_t(*)[4])a),
              "m"(*(const uint64_t(*)[4])b), FE4_MOD
            : "cc");
}

/* x = a - 2b and y = b - x; x must not alias b (y may alias a). */
static inline void FE(sub_dbl2)(uint64_t *x, uint64_t *y, const uint64_t *a, const uint64_t *b)
{
    uint64_t t0, t1, t2, t3, d0, d1, d2, d3, c;
    uint64_t *r = x;
    __asm__(FE4_LOAD("t", "b") FE4_DBL("t", "d") FE4_LOAD("t", "a") FE4_SUB("t", "d") FE4_STORE("t")
                FE4_LOAD("d", "b") FE4_SUB("d", "t") "movq %[d0], 0(%[y])\n\t"
                                                     "movq %[d1], 8(%[y])\n\t"
                                                     "movq %[d2], 16(%[y])\n\t"
                                                     "movq %[d3], 24(%[y])"
            : FE4_OUTS, "=m"(*(uint64_t(*)[4])y)
            : [r] "r"(r), [y] "r"(y), [a] "r"(a), [b] "r"(b), "m"(*(const uint64_t(*)[4])a),
              "m"(*(const uint64_t(*)[4])b), FE4_MOD
            : "cc");
}

#undef FE4_LOAD
#undef FE4_STORE
#undef FE4_REDUCE_INTO
#undef FE4_DBL
#undef FE4_ADDMEM
#undef FE4_SUB
#undef FE4_HALF
#undef FE4_OUTS
#undef FE4_MOD
#else
static inline void FE(mul3)(uint64_t *r, const uint64_t *a)
{
    uint64_t t[FE_LIMBS];
    FE(add)(t, a, a);
    FE(add)(r, t, a);
}

static inline void FE(mul4)(uint64_t *r, const uint64_t *a)
{
    FE(add)(r, a, a);
    FE(add)(r, r, r);
}

static inline void FE(sub_dbl)(uint64_t *r, const uint64_t *a, const uint64_t *b)
{
    uint64_t t[FE_LIMBS];
    FE(add)(t, b, b);
    FE(sub)(r, a, t);
}

static inline void FE(add_mul3)(uint64_t *r, const uint64_t *a, const uint64_t *b)
{
    uint64_t t[FE_LIMBS];
    FE(add)(t, a, b);
    FE(mul3)(r, t);
}

static inline void FE(sub_dbl2)(uint64_t *x, uint64_t *y, const uint64_t *a, const uint64_t *b)
{
    FE(sub_dbl)(x, a, b);
    FE(sub)(y, b, x);
}

static inline void FE(add_mul3_half)(uint64_t *r, const uint64_t *a, const uint64_t *b)
{
    FE(add_mul3)(r, a, b);
    FE(half)(r, r);
}

static inline void FE(sub_mul8)(uint64_t *r, const uint64_t *a, const uint64_t *b)
{
    uint64_t t[FE_LIMBS];
    FE(add)(t, b, b);
    FE(add)(t, t, t);
    FE(add)(t, t, t);
    FE(sub)(r, a, t);
}
#endif

#if !defined(FE_ADX) || !EC_FIELD_ASM
/*
 * Montgomery multiplication r = a·b·R^-1 mod m, operand-scanning (CIOS): each round adds
 * a·b[i] to the accumulator, then a multiple q·m that clears its low word, and shifts one word
 * down. With a, b < m the accumulator stays below 2m, so one conditional subtraction ends it.
 */
static inline void FE(mul)(uint64_t *r, const uint64_t *a, const uint64_t *b)
{
    uint64_t t[FE_LIMBS + 2] = {0};
    for (int i = 0; i < FE_LIMBS; i++) {
        uint64_t c = 0;
        ec_u128 acc;
        for (int j = 0; j < FE_LIMBS; j++) {
            acc = (ec_u128)a[j] * b[i] + t[j] + c;
            t[j] = (uint64_t)acc;
            c = (uint64_t)(acc >> 64);
        }
        acc = (ec_u128)t[FE_LIMBS] + c;
        t[FE_LIMBS] = (uint64_t)acc;
        t[FE_LIMBS + 1] = (uint64_t)(acc >> 64);

        uint64_t q = t[0] * FE_M0INV;
        acc = (ec_u128)q * FE_M[0] + t[0];
        c = (uint64_t)(acc >> 64);
        for (int j = 1; j < FE_LIMBS; j++) {
            acc = (ec_u128)q * FE_M[j] + t[j] + c;
            t[j - 1] = (uint64_t)acc;
            c = (uint64_t)(acc >> 64);
        }
        acc = (ec_u128)t[FE_LIMBS] + c;
        t[FE_LIMBS - 1] = (uint64_t)acc;
        t[FE_LIMBS] = t[FE_LIMBS + 1] + (uint64_t)(acc >> 64);
    }
    FE(reduce_once)(r, t, t[FE_LIMBS]);
}
#else
/*
 * The same product, for CPUs with BMI2 and ADX (the caller's dispatch checks cpuid): CIOS,
 * where each round adds a·b[i], then q·m with q = t0·(-m^-1) mod 2^64, using mulx and two
 * independent carry chains (adcx for the low halves, adox for the high halves). The
 * accumulator words rotate through registers instead of being shifted: after a round the
 * cleared low word becomes the next round's top word. Straight-line code, no branches, no
 * data-dependent addresses.
 */
#define EC_ASM_MAC(src, tl, th)                                                                    \
    "mulxq " src ", %[lo], %[hi]\n\t"                                                              \
    "adcxq %[lo], " tl "\n\t"                                                                      \
    "adoxq %[hi], " th "\n\t"
#define EC_ASM_TAIL(t4, t5)                                                                        \
    "adcxq %%rax, " t4 "\n\t"                                                                      \
    "adoxq %%rax, " t5 "\n\t"                                                                      \
    "adcxq %%rax, " t5 "\n\t"
/* The quotient digit q = t0·(-m^-1) mod 2^64. */
#define EC_ASM_Q(T0)                                                                               \
    "movq " T0 ", %%rdx\n\t"                                                                       \
    "imulq %[n0], %%rdx\n\t"
#define EC_ASM_MAC_M2(T2, T3) EC_ASM_MAC("%[m2]", T2, T3)
#if FE_LIMBS == 4 && defined(FE_M_P256)
/*
 * P-256's p = 2^256 - 2^224 + 2^192 + 2^96 - 1 (S. Gueron and V. Krasnov, "Fast prime field
 * elliptic-curve cryptography with 256-bit primes", J. Cryptographic Engineering 5, 2015):
 * p = -1 mod 2^64, so the Montgomery digit q = t0·(-p^-1) mod 2^64 is t0 itself, and in
 * t + q·p the two low limbs of p (2^64 - 1 and 2^32 - 1) add q·(2^64 - 1) + q·(2^32 - 1)·2^64
 * to t0 = q, which is exactly q·2^96: limb 0 becomes zero, limb 1 gains q << 32 and limb 2
 * gains q >> 32. p's limb 2 is zero, and limb 3 is 2^64 - 2^32 + 1, whose product with q is
 * again two shifts and a subtraction. So a reduction round needs no multiplication at all:
 * shifts and one add/adc chain instead of four mulx and their carry chains.
 *
 * The multiplication interleaves the four rounds with the rows of a·b (CIOS; mulx with the two
 * carry chains adcx/adox for the row), its accumulator words rotating through registers. The
 * squaring forms a^2 = H·2^256 + L with the six cross products once (doubled by a shift) plus
 * the four squares, 10 mulx, then reduces L alone: (L + Q·p)/2^256 <= p, and H < p is added,
 * so the sum is below 2p. Both end with one conditional subtraction of p by cmov, and write
 * their result only after reading every input (r may alias a or b). Straight-line code: no
 * branch and no address depends on a value.
 */
/* clang-format off */
#define P256_MAC(src, tl, th)                                                                      \
    "mulxq " src ", %[lo], %[hi]\n\t"                                                              \
    "adcxq %[lo], %[" #tl "]\n\t"                                                                  \
    "adoxq %[hi], %[" #th "]\n\t"
/* t += q·p / 2^64 for q = T0 (T0 itself is consumed): q << 32 into T1, q >> 32 into T2, and
 * q·p[3] = q·2^64 - q·2^32 + q, formed with the same two shifts as (hi, lo) = (q - (q >> 32)
 * - borrow, q - (q << 32)), into T3:T4; the carry into T5. */
#define P256_REDC6(T0, T1, T2, T3, T4, T5)                                                         \
    "movq %[" #T0 "], %%rax\n\t"                                                                   \
    "movq %[" #T0 "], %[lo]\n\t"                                                                   \
    "movq %[" #T0 "], %[hi]\n\t"                                                                   \
    "shlq $32, %%rax\n\t"                                                                          \
    "shrq $32, %[" #T0 "]\n\t"                                                                     \
    "subq %%rax, %[lo]\n\t"                                                                        \
    "sbbq %[" #T0 "], %[hi]\n\t"                                                                   \
    "addq %%rax, %[" #T1 "]\n\t"                                                                   \
    "adcq %[" #T0 "], %[" #T2 "]\n\t"                                                              \
    "adcq %[lo], %[" #T3 "]\n\t"                                                                   \
    "adcq %[hi], %[" #T4 "]\n\t"                                                                   \
    "adcq $0, %[" #T5 "]\n\t"
/* One CIOS round: T0..T4 += a·b[i] (T5 is zero on entry and takes the top carry), then the
 * reduction; T0 is zeroed to become the next round's top word. */
#define P256_MUL_ROUND(bo, T0, T1, T2, T3, T4, T5)                                                 \
    "movq " bo "(%[b]), %%rdx\n\t"                                                                 \
    "xorl %%eax, %%eax\n\t"                                                                        \
    P256_MAC("0(%[a])", T0, T1)                                                                    \
    P256_MAC("8(%[a])", T1, T2)                                                                    \
    P256_MAC("16(%[a])", T2, T3)                                                                   \
    P256_MAC("24(%[a])", T3, T4)                                                                   \
    "adcxq %%rax, %[" #T4 "]\n\t"                                                                  \
    "adoxq %%rax, %[" #T5 "]\n\t"                                                                  \
    "adcxq %%rax, %[" #T5 "]\n\t"                                                                  \
    P256_REDC6(T0, T1, T2, T3, T4, T5)                                                             \
    "xorl %k[" #T0 "], %k[" #T0 "]\n\t"
/* clang-format on */
static const uint64_t FE(p3) = UINT64_C(0xffffffff00000001);
/* FE(mul_inl) and FE(sqr_inl) are the product and the square forced inline, for the point
 * formulas' hot loops (ec_curve_impl.h, EC(jdbl) and EC(jmadd)); FE(mul) and FE(sqr) are the
 * same code as calls, for everything else. A call costs more than its call and ret here: the
 * asm needs rbx, rbp, r12 and r13, which the callee saves and restores each time (four pushes
 * and four pops on about 150 instructions). Inlined in the two formulas only, ECDH takes
 * 3.7-3.9% less time on Zen 5 (68.0k -> 65.4k TSC ticks, min of 400) and p256.o shrinks (172
 * against 184 KiB: the formulas themselves are no longer inlined into their callers); forced
 * everywhere, 5.6% for an object twice the size.
 *
 * The first round starts from t = 0, so a·b[0] is four plain mulx and one add/adc chain: no
 * clearing of t, no adcx/adox on zeros (-3.4% per product in a dependent chain, -4 to -6% for
 * four independent ones). */
#define FE_HAVE_INL 1
/* clang-format off */
/* The product up to its reduced result, in lo, hi, rax, rdx (low to high). a·b[0] < 2^320 has no
 * carry out of t4. After the last round the result is t4 t5 t0 t1 (low to high), below 2p,
 * with carry word t2: p is subtracted, and the sum kept if that borrowed. */
#define P256_MUL_BODY \
    "movq 0(%[b]), %%rdx\n\t" \
    "mulxq 0(%[a]), %[t0], %[t1]\n\t" \
    "mulxq 8(%[a]), %[lo], %[t2]\n\t" \
    "addq %[lo], %[t1]\n\t" \
    "mulxq 16(%[a]), %[lo], %[t3]\n\t" \
    "adcq %[lo], %[t2]\n\t" \
    "mulxq 24(%[a]), %[lo], %[t4]\n\t" \
    "adcq %[lo], %[t3]\n\t" \
    "adcq $0, %[t4]\n\t" \
    "xorl %k[t5], %k[t5]\n\t" \
    P256_REDC6(t0, t1, t2, t3, t4, t5) \
    "xorl %k[t0], %k[t0]\n\t" \
    P256_MUL_ROUND("8", t1, t2, t3, t4, t5, t0) \
    P256_MUL_ROUND("16", t2, t3, t4, t5, t0, t1) \
    P256_MUL_ROUND("24", t3, t4, t5, t0, t1, t2) \
    "movl $0xffffffff, %k[t3]\n\t" \
    "movq %[t4], %[lo]\n\t" \
    "movq %[t5], %[hi]\n\t" \
    "movq %[t0], %%rax\n\t" \
    "movq %[t1], %%rdx\n\t" \
    "subq $-1, %[lo]\n\t" \
    "sbbq %[t3], %[hi]\n\t" \
    "sbbq $0, %%rax\n\t" \
    "sbbq %[p3], %%rdx\n\t" \
    "sbbq $0, %[t2]\n\t" \
    "cmovcq %[t4], %[lo]\n\t" \
    "cmovcq %[t5], %[hi]\n\t" \
    "cmovcq %[t0], %%rax\n\t" \
    "cmovcq %[t1], %%rdx\n\t"
/* clang-format on */
static inline __attribute__((always_inline)) void FE(mul_inl)(uint64_t *r, const uint64_t *a,
                                                              const uint64_t *b)
{
    uint64_t t0, t1, t2, t3, t4, t5, lo, hi;
    __asm__(P256_MUL_BODY "movq %[lo], 0(%[r])\n\t"
                          "movq %[hi], 8(%[r])\n\t"
                          "movq %%rax, 16(%[r])\n\t"
                          "movq %%rdx, 24(%[r])"
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
              [t5] "=&r"(t5), [lo] "=&r"(lo), [hi] "=&r"(hi), "=m"(*(uint64_t(*)[4])r)
            : [r] "r"(r), [a] "r"(a), [b] "r"(b), [p3] "m"(FE(p3)), "m"(*(const uint64_t(*)[4])a),
              "m"(*(const uint64_t(*)[4])b)
            : "rax", "rdx", "cc");
}

/* Reduction of the low half alone: q = W0, W0..W3 += q·p / 2^64 as above, and the top word of
 * q·p[3] plus the carry (which cannot overflow: that word is at most p[3] - 1) becomes the new
 * W0, the next round's top. */
/* clang-format off */
#define P256_REDC4(W0, W1, W2, W3)                                                                 \
    "movq %[" #W0 "], %%rax\n\t"                                                                   \
    "movq %[" #W0 "], %[lo]\n\t"                                                                   \
    "movq %[" #W0 "], %[hi]\n\t"                                                                   \
    "shlq $32, %%rax\n\t"                                                                          \
    "shrq $32, %[" #W0 "]\n\t"                                                                     \
    "subq %%rax, %[lo]\n\t"                                                                        \
    "sbbq %[" #W0 "], %[hi]\n\t"                                                                   \
    "addq %%rax, %[" #W1 "]\n\t"                                                                   \
    "adcq %[" #W0 "], %[" #W2 "]\n\t"                                                              \
    "adcq %[lo], %[" #W3 "]\n\t"                                                                   \
    "adcq $0, %[hi]\n\t"                                                                           \
    "movq %[hi], %[" #W0 "]\n\t"
/* clang-format on */
/* r = a·b - c: the subtraction on the product's registers before they are stored (the
 * doubling's and the mixed addition's Y3), p's words under the borrow mask formed from the
 * mask itself (p = (2^64 - 1, 2^32 - 1, 0, 2^64 - 2^32 + 1)). r may alias a, b or c. Its
 * asm needs fourteen registers, which clang (14, at -O1: CMakeLists.txt) cannot place; there it
 * is the product and FE(sub). */
#if defined(__clang__)
static inline __attribute__((always_inline)) void
FE(mul_sub_inl)(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *c)
{
    uint64_t t[4];
    FE(mul_inl)(t, a, b);
    FE(sub)(r, t, c);
}
#else
static inline __attribute__((always_inline)) void
FE(mul_sub_inl)(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *c)
{
    uint64_t t0, t1, t2, t3, t4, t5, lo, hi;
    __asm__(P256_MUL_BODY "subq 0(%[c]), %[lo]\n\t"
                          "sbbq 8(%[c]), %[hi]\n\t"
                          "sbbq 16(%[c]), %%rax\n\t"
                          "sbbq 24(%[c]), %%rdx\n\t"
                          "sbbq %[t0], %[t0]\n\t" /* all-ones on a borrow: add p back */
                          "movl %k[t0], %k[t1]\n\t"
                          "movq %[t0], %[t2]\n\t"
                          "shlq $32, %[t2]\n\t"
                          "subq %[t0], %[t2]\n\t"
                          "addq %[t0], %[lo]\n\t"
                          "adcq %[t1], %[hi]\n\t"
                          "adcq $0, %%rax\n\t"
                          "adcq %[t2], %%rdx\n\t"
                          "movq %[lo], 0(%[r])\n\t"
                          "movq %[hi], 8(%[r])\n\t"
                          "movq %%rax, 16(%[r])\n\t"
                          "movq %%rdx, 24(%[r])"
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
              [t5] "=&r"(t5), [lo] "=&r"(lo), [hi] "=&r"(hi), "=m"(*(uint64_t(*)[4])r)
            : [r] "r"(r), [a] "r"(a), [b] "r"(b), [c] "r"(c), [p3] "m"(FE(p3)),
              "m"(*(const uint64_t(*)[4])a), "m"(*(const uint64_t(*)[4])b),
              "m"(*(const uint64_t(*)[4])c)
            : "rax", "rdx", "cc");
}
#endif
static inline void FE(mul)(uint64_t *r, const uint64_t *a, const uint64_t *b)
{
    FE(mul_inl)(r, a, b);
}
#define FE_HAVE_SQR 1
/* The square up to its reduced result, left in s (which the caller keeps in registers). */
static inline __attribute__((always_inline)) void FE(sqr_core)(uint64_t s[4], const uint64_t *a)
{
    uint64_t w0, w1, w2, w3, w4, w5, w6, w7, lo, hi;
    __asm__("xorl %k[w7], %k[w7]\n\t"
            "movq 0(%[a]), %%rdx\n\t"
            "mulxq 8(%[a]), %[w1], %[w2]\n\t"  /* a0 a1 */
            "mulxq 16(%[a]), %[lo], %[w3]\n\t" /* a0 a2 */
            "addq %[lo], %[w2]\n\t"
            "mulxq 24(%[a]), %[lo], %[w4]\n\t" /* a0 a3 */
            "adcq %[lo], %[w3]\n\t"
            "adcq $0, %[w4]\n\t"
            "movq 8(%[a]), %%rdx\n\t"
            "mulxq 16(%[a]), %[lo], %[hi]\n\t" /* a1 a2 */
            "addq %[lo], %[w3]\n\t"
            "adcq %[hi], %[w4]\n\t"
            "mulxq 24(%[a]), %[lo], %[w5]\n\t" /* a1 a3 */
            "adcq $0, %[w5]\n\t"
            "addq %[lo], %[w4]\n\t"
            "adcq $0, %[w5]\n\t"
            "movq 16(%[a]), %%rdx\n\t"
            "mulxq 24(%[a]), %[lo], %[w6]\n\t" /* a2 a3 */
            "addq %[lo], %[w5]\n\t"
            "adcq $0, %[w6]\n\t"
            "addq %[w1], %[w1]\n\t" /* doubled */
            "adcq %[w2], %[w2]\n\t"
            "adcq %[w3], %[w3]\n\t"
            "adcq %[w4], %[w4]\n\t"
            "adcq %[w5], %[w5]\n\t"
            "adcq %[w6], %[w6]\n\t"
            "adcq %[w7], %[w7]\n\t"
            "movq 0(%[a]), %%rdx\n\t"
            "mulxq %%rdx, %[w0], %[hi]\n\t" /* the squares */
            "addq %[hi], %[w1]\n\t"
            "movq 8(%[a]), %%rdx\n\t"
            "mulxq %%rdx, %[lo], %[hi]\n\t"
            "adcq %[lo], %[w2]\n\t"
            "adcq %[hi], %[w3]\n\t"
            "movq 16(%[a]), %%rdx\n\t"
            "mulxq %%rdx, %[lo], %[hi]\n\t"
            "adcq %[lo], %[w4]\n\t"
            "adcq %[hi], %[w5]\n\t"
            "movq 24(%[a]), %%rdx\n\t"
            "mulxq %%rdx, %[lo], %[hi]\n\t"
            "adcq %[lo], %[w6]\n\t"
            "adcq %[hi], %[w7]"
            : [w0] "=&r"(w0), [w1] "=&r"(w1), [w2] "=&r"(w2), [w3] "=&r"(w3), [w4] "=&r"(w4),
              [w5] "=&r"(w5), [w6] "=&r"(w6), [w7] "=&r"(w7), [lo] "=&r"(lo), [hi] "=&r"(hi)
            : [a] "r"(a), "m"(*(const uint64_t(*)[4])a)
            : "rdx", "cc");
    __asm__(P256_REDC4(w0, w1, w2, w3) P256_REDC4(w1, w2, w3, w0) P256_REDC4(w2, w3, w0, w1)
                P256_REDC4(w3, w0, w1, w2)
            /* (L + Q·p) / 2^256 <= p is in w0..w3; add H (w4..w7) and subtract p once. */
            "xorl %%eax, %%eax\n\t"
            "addq %[w4], %[w0]\n\t"
            "adcq %[w5], %[w1]\n\t"
            "adcq %[w6], %[w2]\n\t"
            "adcq %[w7], %[w3]\n\t"
            "adcq $0, %%rax\n\t"
            "movl $0xffffffff, %k[lo]\n\t"
            "movq %[w0], %[w4]\n\t"
            "movq %[w1], %[w5]\n\t"
            "movq %[w2], %[w6]\n\t"
            "movq %[w3], %[w7]\n\t"
            "subq $-1, %[w4]\n\t"
            "sbbq %[lo], %[w5]\n\t"
            "sbbq $0, %[w6]\n\t"
            "sbbq %[p3], %[w7]\n\t"
            "sbbq $0, %%rax\n\t"
            "cmovcq %[w0], %[w4]\n\t"
            "cmovcq %[w1], %[w5]\n\t"
            "cmovcq %[w2], %[w6]\n\t"
            "cmovcq %[w3], %[w7]"
            : [w0] "+&r"(w0), [w1] "+&r"(w1), [w2] "+&r"(w2), [w3] "+&r"(w3), [w4] "+&r"(w4),
              [w5] "+&r"(w5), [w6] "+&r"(w6), [w7] "+&r"(w7), [lo] "=&r"(lo), [hi] "=&r"(hi)
            : [p3] "m"(FE(p3))
            : "rax", "rdx", "cc");
    s[0] = w4;
    s[1] = w5;
    s[2] = w6;
    s[3] = w7;
}
static inline __attribute__((always_inline)) void FE(sqr_inl)(uint64_t *r, const uint64_t *a)
{
    uint64_t s[4];
    FE(sqr_core)(s, a);
    r[0] = s[0];
    r[1] = s[1];
    r[2] = s[2];
    r[3] = s[3];
}

/* x = a^2 - 2b and y = b - x (the doubling's X3/4 and beta - X3/4, ec_curve_impl.h), the two
 * subtractions of b on the square's registers before they are stored, each made whole by p
 * under its borrow mask (formed from the mask as in FE(mul_sub_inl)). x must not alias b; y
 * may alias a. */
/* clang-format off */
#define P256_SUBMASK(S0, S1, S2, S3)                                                               \
    "sbbq %[c], %[c]\n\t"                                                                          \
    "movl %k[c], %k[m1]\n\t"                                                                       \
    "movq %[c], %[m3]\n\t"                                                                         \
    "shlq $32, %[m3]\n\t"                                                                          \
    "subq %[c], %[m3]\n\t"                                                                         \
    "addq %[c], %[" S0 "]\n\t"                                                                     \
    "adcq %[m1], %[" S1 "]\n\t"                                                                    \
    "adcq $0, %[" S2 "]\n\t"                                                                       \
    "adcq %[m3], %[" S3 "]\n\t"
#define P256_SUBMEM(src, S0, S1, S2, S3)                                                           \
    "subq 0(%[" src "]), %[" S0 "]\n\t"                                                            \
    "sbbq 8(%[" src "]), %[" S1 "]\n\t"                                                            \
    "sbbq 16(%[" src "]), %[" S2 "]\n\t"                                                           \
    "sbbq 24(%[" src "]), %[" S3 "]\n\t"                                                           \
    P256_SUBMASK(S0, S1, S2, S3)
/* D = M[src] - S mod p, S in s0..s3 (kept). */
#define P256_RSUBMEM(src, D0, D1, D2, D3)                                                          \
    "movq 0(%[" src "]), %[" D0 "]\n\t"                                                            \
    "movq 8(%[" src "]), %[" D1 "]\n\t"                                                            \
    "movq 16(%[" src "]), %[" D2 "]\n\t"                                                           \
    "movq 24(%[" src "]), %[" D3 "]\n\t"                                                           \
    "subq %[s0], %[" D0 "]\n\t"                                                                    \
    "sbbq %[s1], %[" D1 "]\n\t"                                                                    \
    "sbbq %[s2], %[" D2 "]\n\t"                                                                    \
    "sbbq %[s3], %[" D3 "]\n\t"                                                                    \
    P256_SUBMASK(D0, D1, D2, D3)
/* (No separator after the last store: GCC sizes an asm statement by its lines when it
 * decides what to inline, and the ends of these statements stay as they were.) */
#define P256_STORE(dst, S0, S1, S2, S3)                                                            \
    "movq %[" S0 "], 0(%[" dst "])\n\t"                                                            \
    "movq %[" S1 "], 8(%[" dst "])\n\t"                                                            \
    "movq %[" S2 "], 16(%[" dst "])\n\t"                                                           \
    "movq %[" S3 "], 24(%[" dst "])"
/* clang-format on */
static inline __attribute__((always_inline)) void
FE(sqr_sub_dbl2_inl)(uint64_t *x, uint64_t *y, const uint64_t *a, const uint64_t *b)
{
    uint64_t s[4], d0, d1, d2, d3, c, m1, m3;
    FE(sqr_core)(s, a);
    /* clang-format off */
    __asm__(P256_SUBMEM("b", "s0", "s1", "s2", "s3")
            P256_SUBMEM("b", "s0", "s1", "s2", "s3")
            P256_STORE("x", "s0", "s1", "s2", "s3") "\n\t"
            P256_RSUBMEM("b", "d0", "d1", "d2", "d3")
            P256_STORE("y", "d0", "d1", "d2", "d3")
            : [s0] "+&r"(s[0]), [s1] "+&r"(s[1]), [s2] "+&r"(s[2]), [s3] "+&r"(s[3]),
              [d0] "=&r"(d0), [d1] "=&r"(d1), [d2] "=&r"(d2), [d3] "=&r"(d3), [c] "=&r"(c),
              [m1] "=&r"(m1), [m3] "=&r"(m3), "=m"(*(uint64_t(*)[4])x), "=m"(*(uint64_t(*)[4])y)
            : [x] "r"(x), [y] "r"(y), [b] "r"(b), "m"(*(const uint64_t(*)[4])b)
            : "cc");
    /* clang-format on */
}

/* x = a - e - 2b and y = b - x (the mixed addition's X3 = R^2 - H^3 - 2V and V - X3) in one
 * block, inline. x must not alias b or e; y may alias a. The pointers x, a and e are dead once
 * x is stored, so their registers hold three words of b - x: 13 general registers whatever the
 * aliasing. All five pointers are read-write operands (on copies), so each has a register of
 * its own: as plain inputs, b could share e's register where the two are equal, and e's is
 * overwritten. (With every pointer an input of its own the
 * statement took 16, or 15 where x was a, and GCC's ASan build, which keeps x and a apart,
 * could not place it.) */
static inline __attribute__((always_inline)) void
FE(sub3_inl)(uint64_t *x, uint64_t *y, const uint64_t *a, const uint64_t *e, const uint64_t *b)
{
    uint64_t s0, s1, s2, s3, d3, c, m1, m3;
    uint64_t *px = x, *py = y;
    const uint64_t *pa = a, *pe = e, *pb = b;
    /* clang-format off */
    __asm__("movq 0(%[a]), %[s0]\n\t"
            "movq 8(%[a]), %[s1]\n\t"
            "movq 16(%[a]), %[s2]\n\t"
            "movq 24(%[a]), %[s3]\n\t"
            P256_SUBMEM("e", "s0", "s1", "s2", "s3")
            P256_SUBMEM("b", "s0", "s1", "s2", "s3")
            P256_SUBMEM("b", "s0", "s1", "s2", "s3")
            P256_STORE("x", "s0", "s1", "s2", "s3") "\n\t"
            /* from here [a], [e], [x] are b - x's words 0, 1, 2 */
            P256_RSUBMEM("b", "a", "e", "x", "d3")
            P256_STORE("y", "a", "e", "x", "d3")
            : [s0] "=&r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3), [d3] "=&r"(d3),
              [c] "=&r"(c), [m1] "=&r"(m1), [m3] "=&r"(m3), [x] "+r"(px), [a] "+r"(pa),
              [e] "+r"(pe), [y] "+r"(py), [b] "+r"(pb), "=m"(*(uint64_t(*)[4])x),
              "=m"(*(uint64_t(*)[4])y)
            : "m"(*(const uint64_t(*)[4])a),
              "m"(*(const uint64_t(*)[4])b), "m"(*(const uint64_t(*)[4])e)
            : "cc");
    /* clang-format on */
}

/* D = S mod p for S below 2p with its carry word in c: D = S - p, kept unless that borrowed past
 * c (then S). */
/* clang-format off */
#define P256_REDUCE_INTO(S0, S1, S2, S3, D0, D1, D2, D3)                                           \
    "movl $0xffffffff, %k[m1]\n\t"                                                                 \
    "movq %[" S0 "], %[" D0 "]\n\t"                                                                \
    "movq %[" S1 "], %[" D1 "]\n\t"                                                                \
    "movq %[" S2 "], %[" D2 "]\n\t"                                                                \
    "movq %[" S3 "], %[" D3 "]\n\t"                                                                \
    "subq $-1, %[" D0 "]\n\t"                                                                      \
    "sbbq %[m1], %[" D1 "]\n\t"                                                                    \
    "sbbq $0, %[" D2 "]\n\t"                                                                       \
    "sbbq %[p3], %[" D3 "]\n\t"                                                                    \
    "sbbq $0, %[c]\n\t"                                                                            \
    "cmovcq %[" S0 "], %[" D0 "]\n\t"                                                              \
    "cmovcq %[" S1 "], %[" D1 "]\n\t"                                                              \
    "cmovcq %[" S2 "], %[" D2 "]\n\t"                                                              \
    "cmovcq %[" S3 "], %[" D3 "]\n\t"
/* clang-format on */
/* x = b - a^2 and y = 3(b + a^2)/2, the doubling's two factors of alpha/2 (ec_curve_impl.h,
 * EC(jdbl)), on the square's registers: delta = a^2 is never stored. The sum is reduced, halved
 * (p added under the mask of its low bit, the carry shifted back in by rcr) and added to its
 * half. x and y must not alias b. */
static inline __attribute__((always_inline)) void
FE(sqr_sub_add_mul3_half_inl)(uint64_t *x, uint64_t *y, const uint64_t *a, const uint64_t *b)
{
    uint64_t s[4], d0, d1, d2, d3, c, m1, m3;
    FE(sqr_core)(s, a);
    /* clang-format off */
    __asm__(P256_RSUBMEM("b", "d0", "d1", "d2", "d3")
            P256_STORE("x", "d0", "d1", "d2", "d3") "\n\t"
            /* d = (b + a^2) mod p */
            "xorl %k[c], %k[c]\n\t"
            "addq 0(%[b]), %[s0]\n\t"
            "adcq 8(%[b]), %[s1]\n\t"
            "adcq 16(%[b]), %[s2]\n\t"
            "adcq 24(%[b]), %[s3]\n\t"
            "adcq $0, %[c]\n\t"
            P256_REDUCE_INTO("s0", "s1", "s2", "s3", "d0", "d1", "d2", "d3")
            /* s = d/2 mod p */
            "movq %[d0], %[c]\n\t"
            "andl $1, %k[c]\n\t"
            "negq %[c]\n\t"
            "movl %k[c], %k[m1]\n\t"
            "movq %[c], %[m3]\n\t"
            "shlq $32, %[m3]\n\t"
            "subq %[c], %[m3]\n\t"
            "movq %[d0], %[s0]\n\t"
            "movq %[d1], %[s1]\n\t"
            "movq %[d2], %[s2]\n\t"
            "movq %[d3], %[s3]\n\t"
            "addq %[c], %[s0]\n\t"
            "adcq %[m1], %[s1]\n\t"
            "adcq $0, %[s2]\n\t"
            "adcq %[m3], %[s3]\n\t"
            "rcrq $1, %[s3]\n\t"
            "rcrq $1, %[s2]\n\t"
            "rcrq $1, %[s1]\n\t"
            "rcrq $1, %[s0]\n\t"
            /* y = (d + d/2) mod p */
            "xorl %k[c], %k[c]\n\t"
            "addq %[d0], %[s0]\n\t"
            "adcq %[d1], %[s1]\n\t"
            "adcq %[d2], %[s2]\n\t"
            "adcq %[d3], %[s3]\n\t"
            "adcq $0, %[c]\n\t"
            P256_REDUCE_INTO("s0", "s1", "s2", "s3", "d0", "d1", "d2", "d3")
            P256_STORE("y", "d0", "d1", "d2", "d3")
            : [s0] "+&r"(s[0]), [s1] "+&r"(s[1]), [s2] "+&r"(s[2]), [s3] "+&r"(s[3]),
              [d0] "=&r"(d0), [d1] "=&r"(d1), [d2] "=&r"(d2), [d3] "=&r"(d3), [c] "=&r"(c),
              [m1] "=&r"(m1), [m3] "=&r"(m3), "=m"(*(uint64_t(*)[4])x), "=m"(*(uint64_t(*)[4])y)
            : [x] "r"(x), [y] "r"(y), [b] "r"(b), [p3] "m"(FE(p3)), "m"(*(const uint64_t(*)[4])b)
            : "cc");
    /* clang-format on */
}
#undef P256_SUBMEM
#undef P256_SUBMASK
#undef P256_RSUBMEM
#undef P256_STORE
#undef P256_REDUCE_INTO
static inline void FE(sqr)(uint64_t *r, const uint64_t *a)
{
    FE(sqr_inl)(r, a);
}
#undef P256_MAC
#undef P256_REDC6
#undef P256_MUL_ROUND
#undef P256_MUL_BODY
#undef P256_REDC4
#elif FE_LIMBS == 4
#define EC_ASM_ROUND(bo, T0, T1, T2, T3, T4, T5)                                                   \
    "movq " bo "(%[b]), %%rdx\n\t"                                                                 \
    "xorl %%eax, %%eax\n\t" EC_ASM_MAC("0(%[a])", T0, T1) EC_ASM_MAC("8(%[a])", T1, T2)            \
        EC_ASM_MAC("16(%[a])", T2, T3) EC_ASM_MAC("24(%[a])", T3, T4) EC_ASM_TAIL(T4, T5)          \
            EC_ASM_Q(T0) "xorl %%eax, %%eax\n\t" EC_ASM_MAC("%[m0]", T0, T1)                       \
                EC_ASM_MAC("%[m1]", T1, T2) EC_ASM_MAC_M2(T2, T3) EC_ASM_MAC("%[m3]", T3, T4)      \
                    EC_ASM_TAIL(T4, T5)
static inline void FE(mul)(uint64_t *r, const uint64_t *a, const uint64_t *b)
{
    uint64_t t0, t1, t2, t3, t4, t5, lo, hi, t[4];
    static const uint64_t n0 = FE_M0INV;
    __asm__("xorl %k[t0], %k[t0]\n\t"
            "xorl %k[t1], %k[t1]\n\t"
            "xorl %k[t2], %k[t2]\n\t"
            "xorl %k[t3], %k[t3]\n\t"
            "xorl %k[t4], %k[t4]\n\t"
            "xorl %k[t5], %k[t5]\n\t" EC_ASM_ROUND("0", "%[t0]", "%[t1]", "%[t2]", "%[t3]", "%[t4]",
                                                   "%[t5]")
                EC_ASM_ROUND("8", "%[t1]", "%[t2]", "%[t3]", "%[t4]", "%[t5]", "%[t0]")
                    EC_ASM_ROUND("16", "%[t2]", "%[t3]", "%[t4]", "%[t5]", "%[t0]", "%[t1]")
                        EC_ASM_ROUND("24", "%[t3]", "%[t4]", "%[t5]", "%[t0]", "%[t1]", "%[t2]")
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
              [t5] "=&r"(t5), [lo] "=&r"(lo), [hi] "=&r"(hi)
            : [a] "r"(a), [b] "r"(b), [n0] "m"(n0), [m0] "m"(FE_M[0]), [m1] "m"(FE_M[1]),
              [m2] "m"(FE_M[2]), [m3] "m"(FE_M[3])
            : "rax", "rdx", "cc", "memory");
    /* The result is t4 t5 t0 t1 (low to high) with carry word t2. */
    t[0] = t4;
    t[1] = t5;
    t[2] = t0;
    t[3] = t1;
    FE(reduce_once)(r, t, t2);
}

/*
 * Squaring: the six cross products a_i·a_j (i < j) once, doubled by a shift, plus the four
 * squares, into an eight-word a^2 = H·R + L; then L alone is reduced by the same Montgomery
 * rounds (L + Q·m)/R <= m, and H < m is added: below 2m, so one conditional subtraction.
 * 10 mulx for the product instead of 16.
 */
#define FE_HAVE_SQR 1
#define EC_ASM_REDC(T0, T1, T2, T3, T4, T5)                                                        \
    EC_ASM_Q(T0)                                                                                   \
    "xorl %%eax, %%eax\n\t" EC_ASM_MAC("%[m0]", T0, T1) EC_ASM_MAC("%[m1]", T1, T2)                \
        EC_ASM_MAC_M2(T2, T3) EC_ASM_MAC("%[m3]", T3, T4) EC_ASM_TAIL(T4, T5)
static inline void FE(sqr)(uint64_t *r, const uint64_t *a)
{
    uint64_t w0, w1, w2, w3, w4, w5, w6, w7, lo, hi, c4, c5, t[4];
    static const uint64_t n0 = FE_M0INV;
    __asm__("xorl %k[w7], %k[w7]\n\t"
            "movq 0(%[a]), %%rdx\n\t"
            "mulxq 8(%[a]), %[w1], %[w2]\n\t"  /* a0 a1 */
            "mulxq 16(%[a]), %[lo], %[w3]\n\t" /* a0 a2 */
            "addq %[lo], %[w2]\n\t"
            "mulxq 24(%[a]), %[lo], %[w4]\n\t" /* a0 a3 */
            "adcq %[lo], %[w3]\n\t"
            "adcq $0, %[w4]\n\t"
            "movq 8(%[a]), %%rdx\n\t"
            "mulxq 16(%[a]), %[lo], %[hi]\n\t" /* a1 a2 */
            "addq %[lo], %[w3]\n\t"
            "adcq %[hi], %[w4]\n\t"
            "mulxq 24(%[a]), %[lo], %[w5]\n\t" /* a1 a3 */
            "adcq $0, %[w5]\n\t"
            "addq %[lo], %[w4]\n\t"
            "adcq $0, %[w5]\n\t"
            "movq 16(%[a]), %%rdx\n\t"
            "mulxq 24(%[a]), %[lo], %[w6]\n\t" /* a2 a3 */
            "addq %[lo], %[w5]\n\t"
            "adcq $0, %[w6]\n\t"
            "addq %[w1], %[w1]\n\t" /* doubled */
            "adcq %[w2], %[w2]\n\t"
            "adcq %[w3], %[w3]\n\t"
            "adcq %[w4], %[w4]\n\t"
            "adcq %[w5], %[w5]\n\t"
            "adcq %[w6], %[w6]\n\t"
            "adcq %[w7], %[w7]\n\t"
            "movq 0(%[a]), %%rdx\n\t"
            "mulxq %%rdx, %[w0], %[hi]\n\t" /* the squares */
            "addq %[hi], %[w1]\n\t"
            "movq 8(%[a]), %%rdx\n\t"
            "mulxq %%rdx, %[lo], %[hi]\n\t"
            "adcq %[lo], %[w2]\n\t"
            "adcq %[hi], %[w3]\n\t"
            "movq 16(%[a]), %%rdx\n\t"
            "mulxq %%rdx, %[lo], %[hi]\n\t"
            "adcq %[lo], %[w4]\n\t"
            "adcq %[hi], %[w5]\n\t"
            "movq 24(%[a]), %%rdx\n\t"
            "mulxq %%rdx, %[lo], %[hi]\n\t"
            "adcq %[lo], %[w6]\n\t"
            "adcq %[hi], %[w7]"
            : [w0] "=&r"(w0), [w1] "=&r"(w1), [w2] "=&r"(w2), [w3] "=&r"(w3), [w4] "=&r"(w4),
              [w5] "=&r"(w5), [w6] "=&r"(w6), [w7] "=&r"(w7), [lo] "=&r"(lo), [hi] "=&r"(hi)
            : [a] "r"(a)
            : "rdx", "cc", "memory");
    __asm__(
        "xorl %k[c4], %k[c4]\n\t"
        "xorl %k[c5], %k[c5]\n\t" EC_ASM_REDC("%[w0]", "%[w1]", "%[w2]", "%[w3]", "%[c4]", "%[c5]")
            EC_ASM_REDC("%[w1]", "%[w2]", "%[w3]", "%[c4]", "%[c5]", "%[w0]")
                EC_ASM_REDC("%[w2]", "%[w3]", "%[c4]", "%[c5]", "%[w0]", "%[w1]")
                    EC_ASM_REDC("%[w3]", "%[c4]", "%[c5]", "%[w0]", "%[w1]", "%[w2]")
        /* (L + Q m)/R is in c4 c5 w0 w1 with carry w2 (w3 is zero); add H. */
        "addq %[h0], %[c4]\n\t"
        "adcq %[h1], %[c5]\n\t"
        "adcq %[h2], %[w0]\n\t"
        "adcq %[h3], %[w1]\n\t"
        "adcq $0, %[w2]"
        : [w0] "+&r"(w0), [w1] "+&r"(w1), [w2] "+&r"(w2), [w3] "+&r"(w3), [c4] "=&r"(c4),
          [c5] "=&r"(c5), [lo] "=&r"(lo), [hi] "=&r"(hi)
        : [h0] "rm"(w4), [h1] "rm"(w5), [h2] "rm"(w6), [h3] "rm"(w7), [n0] "m"(n0),
          [m0] "m"(FE_M[0]), [m1] "m"(FE_M[1]), [m2] "m"(FE_M[2]), [m3] "m"(FE_M[3])
        : "rax", "rdx", "cc");
    t[0] = c4;
    t[1] = c5;
    t[2] = w0;
    t[3] = w1;
    FE(reduce_once)(r, t, w2);
}
#undef EC_ASM_REDC
#elif FE_LIMBS == 6
#define EC_ASM_ROUND(bo, T0, T1, T2, T3, T4, T5, T6, T7)                                           \
    "movq " bo "(%[b]), %%rdx\n\t"                                                                 \
    "xorl %%eax, %%eax\n\t" EC_ASM_MAC("0(%[a])", T0, T1) EC_ASM_MAC("8(%[a])", T1, T2)            \
        EC_ASM_MAC("16(%[a])", T2, T3) EC_ASM_MAC("24(%[a])", T3, T4)                              \
            EC_ASM_MAC("32(%[a])", T4, T5) EC_ASM_MAC("40(%[a])", T5, T6)                          \
                EC_ASM_TAIL(T6, T7) "movq " T0 ", %%rdx\n\t"                                       \
                                    "imulq %[n0], %%rdx\n\t"                                       \
                                    "xorl %%eax, %%eax\n\t" EC_ASM_MAC("%[m0]", T0, T1)            \
                                        EC_ASM_MAC("%[m1]", T1, T2) EC_ASM_MAC("%[m2]", T2, T3)    \
                                            EC_ASM_MAC("%[m3]", T3, T4)                            \
                                                EC_ASM_MAC("%[m4]", T4, T5)                        \
                                                    EC_ASM_MAC("%[m5]", T5, T6)                    \
                                                        EC_ASM_TAIL(T6, T7)
static inline void FE(mul)(uint64_t *r, const uint64_t *a, const uint64_t *b)
{
    uint64_t t0, t1, t2, t3, t4, t5, t6, t7, lo, hi, t[6];
    static const uint64_t n0 = FE_M0INV;
    __asm__("xorl %k[t0], %k[t0]\n\t"
            "xorl %k[t1], %k[t1]\n\t"
            "xorl %k[t2], %k[t2]\n\t"
            "xorl %k[t3], %k[t3]\n\t"
            "xorl %k[t4], %k[t4]\n\t"
            "xorl %k[t5], %k[t5]\n\t"
            "xorl %k[t6], %k[t6]\n\t"
            "xorl %k[t7], %k[t7]\n\t" EC_ASM_ROUND("0", "%[t0]", "%[t1]", "%[t2]", "%[t3]", "%[t4]",
                                                   "%[t5]", "%[t6]", "%[t7]")
                EC_ASM_ROUND("8", "%[t1]", "%[t2]", "%[t3]", "%[t4]", "%[t5]", "%[t6]", "%[t7]",
                             "%[t0]") EC_ASM_ROUND("16", "%[t2]", "%[t3]", "%[t4]", "%[t5]",
                                                   "%[t6]", "%[t7]", "%[t0]", "%[t1]")
                    EC_ASM_ROUND("24", "%[t3]", "%[t4]", "%[t5]", "%[t6]", "%[t7]", "%[t0]",
                                 "%[t1]", "%[t2]")
                        EC_ASM_ROUND("32", "%[t4]", "%[t5]", "%[t6]", "%[t7]", "%[t0]", "%[t1]",
                                     "%[t2]", "%[t3]")
                            EC_ASM_ROUND("40", "%[t5]", "%[t6]", "%[t7]", "%[t0]", "%[t1]", "%[t2]",
                                         "%[t3]", "%[t4]")
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
              [t5] "=&r"(t5), [t6] "=&r"(t6), [t7] "=&r"(t7), [lo] "=&r"(lo), [hi] "=&r"(hi)
            : [a] "r"(a), [b] "r"(b), [n0] "m"(n0), [m0] "m"(FE_M[0]), [m1] "m"(FE_M[1]),
              [m2] "m"(FE_M[2]), [m3] "m"(FE_M[3]), [m4] "m"(FE_M[4]), [m5] "m"(FE_M[5])
            : "rax", "rdx", "cc", "memory");
    /* The result is t6 t7 t0 t1 t2 t3 (low to high) with carry word t4. */
    t[0] = t6;
    t[1] = t7;
    t[2] = t0;
    t[3] = t1;
    t[4] = t2;
    t[5] = t3;
    FE(reduce_once)(r, t, t4);
}
#else
#error "FE_ADX supports 4 and 6 limbs"
#endif
#undef EC_ASM_MAC
#undef EC_ASM_TAIL
#undef EC_ASM_ROUND
#undef EC_ASM_Q
#undef EC_ASM_MAC_M2
#endif

#ifndef FE_HAVE_SQR
static inline void FE(sqr)(uint64_t *r, const uint64_t *a)
{
    FE(mul)(r, a, a);
}
#endif
#undef FE_HAVE_SQR

#ifndef FE_HAVE_INL
static inline void FE(mul_inl)(uint64_t *r, const uint64_t *a, const uint64_t *b)
{
    FE(mul)(r, a, b);
}
static inline void FE(sqr_inl)(uint64_t *r, const uint64_t *a)
{
    FE(sqr)(r, a);
}
static inline void FE(mul_sub_inl)(uint64_t *r, const uint64_t *a, const uint64_t *b,
                                   const uint64_t *c)
{
    uint64_t t[FE_LIMBS];
    FE(mul)(t, a, b);
    FE(sub)(r, t, c);
}
static inline void FE(sqr_sub_dbl2_inl)(uint64_t *x, uint64_t *y, const uint64_t *a,
                                        const uint64_t *b)
{
    uint64_t t[FE_LIMBS];
    FE(sqr)(t, a);
    FE(sub_dbl2)(x, y, t, b);
}
static inline void FE(sub3_inl)(uint64_t *x, uint64_t *y, const uint64_t *a, const uint64_t *e,
                                const uint64_t *b)
{
    uint64_t t[FE_LIMBS];
    FE(sub)(t, a, e);
    FE(sub_dbl2)(x, y, t, b);
}
static inline void FE(sqr_sub_add_mul3_half_inl)(uint64_t *x, uint64_t *y, const uint64_t *a,
                                                 const uint64_t *b)
{
    uint64_t t[FE_LIMBS];
    FE(sqr)(t, a);
    FE(sub)(x, b, t);
    FE(add_mul3_half)(y, b, t);
}
#endif
#undef FE_HAVE_INL

static inline void FE(to_mont)(uint64_t *r, const uint64_t *a)
{
    FE(mul)(r, a, FE_R2);
}

static inline void FE(from_mont)(uint64_t *r, const uint64_t *a)
{
    static const uint64_t one[FE_LIMBS] = {1};
    FE(mul)(r, a, one);
}

/* Loads len = 8·FE_LIMBS big-endian bytes into plain (not Montgomery) limbs; the mask tells
 * whether the value is below m. */
static inline uint64_t FE(load)(uint64_t *r, const uint8_t *in)
{
    uint64_t borrow = 0;
    for (int i = 0; i < FE_LIMBS; i++)
        r[i] = load_be64(in + 8 * (FE_LIMBS - 1 - i));
    for (int i = 0; i < FE_LIMBS; i++)
        (void)ec_sbb(r[i], FE_M[i], borrow, &borrow);
    return (uint64_t)0 - borrow;
}

static inline void FE(store)(uint8_t *out, const uint64_t *a)
{
    for (int i = 0; i < FE_LIMBS; i++)
        store_be64(out + 8 * (FE_LIMBS - 1 - i), a[i]);
}

/* r = a^(2^n) (n squarings). */
static inline void FE(sqr_n)(uint64_t *r, const uint64_t *a, int n)
{
    FE(sqr)(r, a);
    for (int i = 1; i < n; i++)
        FE(sqr)(r, r);
}

#if defined(FE_INV_P256)
/*
 * r = a^(p-2) = a^-1 (Fermat; 0 maps to 0) for P-256's p, by an addition chain fitted to the
 * exponent's shape: p - 2 = ffffffff 00000001 00000000 00000000 00000000 ffffffff ffffffff
 * fffffffd (32-bit words, high to low). With x_k = a^(2^k - 1) (k ones), built as
 * x_(i+j) = x_i^(2^j)·x_j, the exponent is read off as
 *   x32 | 31 zeros, 1 | 128 zeros | x32 | x32 | x30, then 0 1   (i.e. ...fffffffd),
 * 255 squarings and 12 multiplications, against 64 window multiplications (and 14 for the
 * window table) for the generic method below. The exponent is public; so is the chain.
 */
static void FE(inv)(uint64_t *r, const uint64_t *a)
{
    uint64_t x2[FE_LIMBS], x3[FE_LIMBS], x6[FE_LIMBS], x15[FE_LIMBS], x30[FE_LIMBS], x32[FE_LIMBS],
        t[FE_LIMBS];
    FE(sqr)(x2, a);
    FE(mul)(x2, x2, a); /* 2^2 - 1 */
    FE(sqr)(x3, x2);
    FE(mul)(x3, x3, a); /* 2^3 - 1 */
    FE(sqr_n)(x6, x3, 3);
    FE(mul)(x6, x6, x3); /* 2^6 - 1 */
    FE(sqr_n)(t, x6, 6);
    FE(mul)(t, t, x6); /* 2^12 - 1 */
    FE(sqr_n)(x15, t, 3);
    FE(mul)(x15, x15, x3); /* 2^15 - 1 */
    FE(sqr_n)(x30, x15, 15);
    FE(mul)(x30, x30, x15); /* 2^30 - 1 */
    FE(sqr_n)(x32, x30, 2);
    FE(mul)(x32, x32, x2); /* 2^32 - 1 */
    FE(sqr_n)(t, x32, 32);
    FE(mul)(t, t, a); /* ffffffff 00000001 */
    FE(sqr_n)(t, t, 128);
    FE(mul)(t, t, x32); /* ... 00000000 00000000 00000000 ffffffff */
    FE(sqr_n)(t, t, 32);
    FE(mul)(t, t, x32); /* ... ffffffff */
    FE(sqr_n)(t, t, 30);
    FE(mul)(t, t, x30); /* ... 3fffffff */
    FE(sqr_n)(t, t, 2);
    FE(mul)(r, t, a); /* ... fffffffd */
    tenon_wipe(x2, sizeof x2);
    tenon_wipe(x3, sizeof x3);
    tenon_wipe(x6, sizeof x6);
    tenon_wipe(x15, sizeof x15);
    tenon_wipe(x30, sizeof x30);
    tenon_wipe(x32, sizeof x32);
    tenon_wipe(t, sizeof t);
}
#else
/* r = a^(m-2) = a^-1 (Fermat; 0 maps to 0). Left to right over the public exponent in 4-bit
 * windows: 8·FE_LIMBS·2 windows of 4 squarings and one multiplication by a table entry chosen
 * by the exponent (public), not by a. */
__attribute__((unused)) static void FE(inv)(uint64_t *r, const uint64_t *a)
{
    uint64_t tab[16][FE_LIMBS], acc[FE_LIMBS];
    uint64_t e[FE_LIMBS];
    for (int i = 0; i < FE_LIMBS; i++)
        e[i] = FE_M[i];
    e[0] -= 2; /* the low limb of both moduli in use is far above 2: no borrow */
    FE(copy)(tab[0], FE_ONE);
    FE(copy)(tab[1], a);
    for (int i = 2; i < 16; i++)
        FE(mul)(tab[i], tab[i - 1], a);
    FE(copy)(acc, FE_ONE);
    for (int i = 16 * FE_LIMBS - 1; i >= 0; i--) {
        unsigned w = (unsigned)(e[i / 16] >> (4 * (i % 16))) & 15;
        if (i != 16 * FE_LIMBS - 1)
            for (int k = 0; k < 4; k++)
                FE(sqr)(acc, acc);
        if (w != 0)
            FE(mul)(acc, acc, tab[w]);
    }
    FE(copy)(r, acc);
    tenon_wipe(tab, sizeof tab);
    tenon_wipe(acc, sizeof acc);
}
#endif

#ifdef FE_MODINV
/*
 * r = a^-1 (0 maps to 0) for a public a (or one blinded by a secret uniform factor, which
 * makes it independent of every secret), in variable time: divsteps (ec_modinv.c) on the
 * Montgomery form a·R give a^-1·R^-1, and a Montgomery multiplication by R^3 mod m (FE_R3)
 * turns that into a^-1·R.
 */
__attribute__((unused)) static void FE(inv_vartime)(uint64_t *r, const uint64_t *a)
{
    uint64_t t[FE_LIMBS];
    ec_modinv256_var(t, a, &FE_MODINV);
    FE(mul)(r, t, FE_R3);
}
#else
/* No faster route for public inputs: the constant-time inversion. */
__attribute__((unused)) static void FE(inv_vartime)(uint64_t *r, const uint64_t *a)
{
    FE(inv)(r, a);
}
#endif
