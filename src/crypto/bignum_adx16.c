/*
 * Montgomery multiplication and squaring for 16-limb (1024-bit) moduli with MULX, ADCX and ADOX,
 * fully unrolled: the CRT halves of an RSA-2048 private key spend nearly all their time here.
 *
 * Layout (separated operand scanning): the whole product t[0..31] is formed first, one row
 * t[i..i+16] += x_i y[0..15] at a time; then sixteen reduction rows t[i..i+16] += q_i m[0..15]
 * with q_i = t[i] n0 mod 2^64 clear t[0..15], leaving the result in t[16..31] and one carry bit.
 * Within a row MULX leaves the flags alone, so ADCX carries the low halves and ADOX the high
 * halves of the previous product along two independent chains; every address is a constant
 * offset, nothing depends on the values (constant-time by construction).
 *
 * The rows are spelled out by the preprocessor: F<j>(i, Y) is the row tail from limb j of the
 * multiplicand Y, with the high half of product j in r8 (j even) or r9 (j odd).
 */
#include "../common.h"
#include "bignum.h"
#include "ct.h"

#if TENON_X86_64

/* t[i+j] += lo(rdx y[j]) + hi(rdx y[j-1]) (+ carries); the high half of this product goes to N. */
#define S(i, j, Y, P, N)                                                                           \
    "mulxq 8*" #j "(%[" Y "]), %%rax, %%" N "\n\t"                                                 \
    "movq 8*" #i "+8*" #j "(%[t]), %%r10\n\t"                                                      \
    "adcxq %%rax, %%r10\n\t"                                                                       \
    "adoxq %%" P ", %%r10\n\t"                                                                     \
    "movq %%r10, 8*" #i "+8*" #j "(%[t])\n\t"

#define F16(i, Y)
#define F15(i, Y) S(i, 15, Y, "r8", "r9") F16(i, Y)
#define F14(i, Y) S(i, 14, Y, "r9", "r8") F15(i, Y)
#define F13(i, Y) S(i, 13, Y, "r8", "r9") F14(i, Y)
#define F12(i, Y) S(i, 12, Y, "r9", "r8") F13(i, Y)
#define F11(i, Y) S(i, 11, Y, "r8", "r9") F12(i, Y)
#define F10(i, Y) S(i, 10, Y, "r9", "r8") F11(i, Y)
#define F9(i, Y) S(i, 9, Y, "r8", "r9") F10(i, Y)
#define F8(i, Y) S(i, 8, Y, "r9", "r8") F9(i, Y)
#define F7(i, Y) S(i, 7, Y, "r8", "r9") F8(i, Y)
#define F6(i, Y) S(i, 6, Y, "r9", "r8") F7(i, Y)
#define F5(i, Y) S(i, 5, Y, "r8", "r9") F6(i, Y)
#define F4(i, Y) S(i, 4, Y, "r9", "r8") F5(i, Y)
#define F3(i, Y) S(i, 3, Y, "r8", "r9") F4(i, Y)
#define F2(i, Y) S(i, 2, Y, "r9", "r8") F3(i, Y)
#define F1(i, Y) S(i, 1, Y, "r8", "r9") F2(i, Y)
#define F0(i, Y) S(i, 0, Y, "r9", "r8") F1(i, Y)

/* Clears CF, OF and the pending high halves (the first step of a row adds r8 or r9). */
#define CLR                                                                                        \
    "xorl %%r8d, %%r8d\n\t"                                                                        \
    "xorl %%r9d, %%r9d\n\t"

/* End of a product row: t[i+16] was never written, and the row's value fits, so it is the last
 * high half plus both carries (r11 = 0). */
#define PEND(i)                                                                                    \
    "adcxq %%r11, %%r9\n\t"                                                                        \
    "adoxq %%r11, %%r9\n\t"                                                                        \
    "movq %%r9, 8*" #i "+8*16(%[t])\n\t"

/* Product row i: t[i..i+16] += a_i b. */
#define PROW(i) "movq 8*" #i "(%[a]), %%rdx\n\t" CLR F0(i, "b") PEND(i)

/* Squaring cross row i: t[2i+1..i+16] += a_i a[i+1..15]. */
#define CROW(i, F) "movq 8*" #i "(%[a]), %%rdx\n\t" CLR F(i, "a") PEND(i)

/* Reduction row i: q = t[i] n0, t[i..i+16] += q m; t[i+16] also takes the previous row's carry
 * (r12), and this row's carry out (0 or 1: the sum of the two flags) goes to r12. */
#define RROW(i)                                                                                    \
    "movq 8*" #i "(%[t]), %%rdx\n\t"                                                               \
    "imulq %[n0], %%rdx\n\t" CLR                                                                   \
    F0(i, "m") "movq 8*" #i "+8*16(%[t]), %%r10\n\t"                                               \
               "adcxq %%r9, %%r10\n\t"                                                             \
               "adoxq %%r12, %%r10\n\t"                                                            \
               "movq %%r10, 8*" #i "+8*16(%[t])\n\t"                                               \
               "movl $0, %%r12d\n\t"                                                               \
               "adcxq %%r11, %%r12\n\t"                                                            \
               "adoxq %%r11, %%r12\n\t"

#define REDUCE                                                                                     \
    RROW(0)                                                                                        \
    RROW(1) RROW(2) RROW(3) RROW(4) RROW(5) RROW(6) RROW(7) RROW(8) RROW(9) RROW(10) RROW(11)      \
        RROW(12) RROW(13) RROW(14) RROW(15)

/* t[0..15] = 0 (r11 = 0); spelled out because a compiler turns a loop into REP STOS, whose
 * start-up cost is a noticeable fraction of a 16-limb product. */
#define Z(k) "movq %%r11, 8*" #k "(%[t])\n\t"
#define ZERO16 Z(0) Z(1) Z(2) Z(3) Z(4) Z(5) Z(6) Z(7) Z(8) Z(9) Z(10) Z(11) Z(12) Z(13) Z(14) Z(15)

/* Squaring: t = 2 t + the squares a_k^2 at limb 2k (ADCX doubles, ADOX adds the squares). */
#define DIAG(k)                                                                                    \
    "movq 8*" #k "(%[a]), %%rdx\n\t"                                                               \
    "mulxq %%rdx, %%rax, %%r8\n\t"                                                                 \
    "movq 16*" #k "(%[t]), %%r9\n\t"                                                               \
    "movq 16*" #k "+8(%[t]), %%r10\n\t"                                                            \
    "adcxq %%r9, %%r9\n\t"                                                                         \
    "adcxq %%r10, %%r10\n\t"                                                                       \
    "adoxq %%rax, %%r9\n\t"                                                                        \
    "adoxq %%r8, %%r10\n\t"                                                                        \
    "movq %%r9, 16*" #k "(%[t])\n\t"                                                               \
    "movq %%r10, 16*" #k "+8(%[t])\n\t"

/* r = t[16..31] + c 2^1024 - m if that is not negative, else t[16..31] (the value is < 2m). */
static inline void final_sub16(uint64_t *r, const uint64_t *t, uint64_t c, const uint64_t *m)
{
    uint64_t d[16], br = 0;
    for (size_t i = 0; i < 16; i++) {
        unsigned __int128 z = (unsigned __int128)t[16 + i] - m[i] - br;
        d[i] = (uint64_t)z;
        br = (uint64_t)(z >> 64) & 1;
    }
    uint64_t keep = ct_value_barrier_u64(0 - ((c | (br ^ 1)) & 1));
    for (size_t i = 0; i < 16; i++)
        r[i] = t[16 + i] ^ (keep & (d[i] ^ t[16 + i]));
}

void bn_adx16_mul(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *m, uint64_t n0)
{
    uint64_t t[32], c;
    __asm__ volatile("xorl %%r11d, %%r11d\n\t"
                     "xorl %%r12d, %%r12d\n\t" ZERO16 PROW(0) PROW(1) PROW(2) PROW(3) PROW(4)
                         PROW(5) PROW(6) PROW(7) PROW(8) PROW(9) PROW(10) PROW(11) PROW(12) PROW(13)
                             PROW(14) PROW(15) REDUCE "movq %%r12, %[c]"
                     : [c] "=r"(c)
                     : [t] "r"(t), [a] "r"(a), [b] "r"(b), [m] "r"(m), [n0] "r"(n0)
                     : "rax", "rdx", "r8", "r9", "r10", "r11", "r12", "cc", "memory");
    final_sub16(r, t, c, m);
}

void bn_adx16_sqr(uint64_t *r, const uint64_t *a, const uint64_t *m, uint64_t n0)
{
    uint64_t t[32], c;
    __asm__ volatile("xorl %%r11d, %%r11d\n\t"
                     "xorl %%r12d, %%r12d\n\t" ZERO16 Z(31) CROW(0, F1) CROW(1, F2) CROW(2, F3)
                         CROW(3, F4) CROW(4, F5) CROW(5, F6) CROW(6, F7) CROW(7, F8) CROW(8, F9)
                             CROW(9, F10) CROW(10, F11) CROW(11, F12) CROW(12, F13) CROW(13, F14)
                                 CROW(14, F15) "xorl %%r8d, %%r8d\n\t" DIAG(0) DIAG(1) DIAG(2)
                                     DIAG(3) DIAG(4) DIAG(5) DIAG(6) DIAG(7) DIAG(8) DIAG(9)
                                         DIAG(10) DIAG(11) DIAG(12) DIAG(13) DIAG(14) DIAG(15)
                                             REDUCE "movq %%r12, %[c]"
                     : [c] "=r"(c)
                     : [t] "r"(t), [a] "r"(a), [m] "r"(m), [n0] "r"(n0)
                     : "rax", "rdx", "r8", "r9", "r10", "r11", "r12", "cc", "memory");
    final_sub16(r, t, c, m);
}

/* ------------------------------------------------------------------------------------------
 * 32-limb (2048-bit) moduli: the public-key operations (the private one blinds and checks each
 * CRT half on its own prime, so it stays on 16 limbs); and 24-limb ones, the CRT halves of
 * RSA-3072. Each row is unrolled (G<j> extends the F chain to 32 limbs) but the rows are a loop,
 * which keeps the code small; same SOS layout as above.
 * ------------------------------------------------------------------------------------------ */

#define G32(i, Y)
#define G31(i, Y) S(i, 31, Y, "r8", "r9") G32(i, Y)
#define G30(i, Y) S(i, 30, Y, "r9", "r8") G31(i, Y)
#define G29(i, Y) S(i, 29, Y, "r8", "r9") G30(i, Y)
#define G28(i, Y) S(i, 28, Y, "r9", "r8") G29(i, Y)
#define G27(i, Y) S(i, 27, Y, "r8", "r9") G28(i, Y)
#define G26(i, Y) S(i, 26, Y, "r9", "r8") G27(i, Y)
#define G25(i, Y) S(i, 25, Y, "r8", "r9") G26(i, Y)
#define G24(i, Y) S(i, 24, Y, "r9", "r8") G25(i, Y)
#define G23(i, Y) S(i, 23, Y, "r8", "r9") G24(i, Y)
#define G22(i, Y) S(i, 22, Y, "r9", "r8") G23(i, Y)
#define G21(i, Y) S(i, 21, Y, "r8", "r9") G22(i, Y)
#define G20(i, Y) S(i, 20, Y, "r9", "r8") G21(i, Y)
#define G19(i, Y) S(i, 19, Y, "r8", "r9") G20(i, Y)
#define G18(i, Y) S(i, 18, Y, "r9", "r8") G19(i, Y)
#define G17(i, Y) S(i, 17, Y, "r8", "r9") G18(i, Y)
#define G16(i, Y) S(i, 16, Y, "r9", "r8") G17(i, Y)
#define G15(i, Y) S(i, 15, Y, "r8", "r9") G16(i, Y)
#define G14(i, Y) S(i, 14, Y, "r9", "r8") G15(i, Y)
#define G13(i, Y) S(i, 13, Y, "r8", "r9") G14(i, Y)
#define G12(i, Y) S(i, 12, Y, "r9", "r8") G13(i, Y)
#define G11(i, Y) S(i, 11, Y, "r8", "r9") G12(i, Y)
#define G10(i, Y) S(i, 10, Y, "r9", "r8") G11(i, Y)
#define G9(i, Y) S(i, 9, Y, "r8", "r9") G10(i, Y)
#define G8(i, Y) S(i, 8, Y, "r9", "r8") G9(i, Y)
#define G7(i, Y) S(i, 7, Y, "r8", "r9") G8(i, Y)
#define G6(i, Y) S(i, 6, Y, "r9", "r8") G7(i, Y)
#define G5(i, Y) S(i, 5, Y, "r8", "r9") G6(i, Y)
#define G4(i, Y) S(i, 4, Y, "r9", "r8") G5(i, Y)
#define G3(i, Y) S(i, 3, Y, "r8", "r9") G4(i, Y)
#define G2(i, Y) S(i, 2, Y, "r9", "r8") G3(i, Y)
#define G1(i, Y) S(i, 1, Y, "r8", "r9") G2(i, Y)
#define G0(i, Y) S(i, 0, Y, "r9", "r8") G1(i, Y)

/* The rows for N = 32 and N = 24 limbs (1536-bit moduli, the primes of RSA-3072): CHAIN is
 * G<32 - N>, the tail of the 32-limb chain that is N steps long, and the pointers are moved
 * down by 32 - N limbs inside the assembly so that its first step reads limb 0 of y and t. */
#define ADX_ROWS(N, CHAIN)                                                                         \
    /* t[0..N-1] += x y, t[N] = the carry limb (t[N] not read). */                                 \
    static inline void prow##N(uint64_t *tp, uint64_t x, const uint64_t *y)                        \
    {                                                                                              \
        __asm__ volatile("xorl %%r11d, %%r11d\n\t"                                                 \
                         "leaq -8*(32-" #N ")(%[t]), %[t]\n\t"                                     \
                         "leaq -8*(32-" #N ")(%[y]), %[y]\n\t"                                     \
                         "movq %[x], %%rdx\n\t" CLR CHAIN(0, "y") "adcxq %%r11, %%r9\n\t"          \
                                                                  "adoxq %%r11, %%r9\n\t"          \
                                                                  "movq %%r9, 8*32(%[t])\n\t"      \
                         : [t] "+r"(tp), [y] "+r"(y)                                               \
                         : [x] "r"(x)                                                              \
                         : "rax", "rdx", "r8", "r9", "r10", "r11", "cc", "memory");                \
    }                                                                                              \
    /* q = t[0] n0; t[0..N] += q m + c 2^64N; returns the carry into t[N+1] (0 or 1). */           \
    static inline uint64_t rrow##N(uint64_t *tp, const uint64_t *m, uint64_t n0, uint64_t c)       \
    {                                                                                              \
        __asm__ volatile("xorl %%r11d, %%r11d\n\t"                                                 \
                         "movq %[c], %%r12\n\t"                                                    \
                         "movq (%[t]), %%rdx\n\t"                                                  \
                         "imulq %[n0], %%rdx\n\t"                                                  \
                         "leaq -8*(32-" #N ")(%[t]), %[t]\n\t"                                     \
                         "leaq -8*(32-" #N                                                         \
                         ")(%[m]), %[m]\n\t" CLR CHAIN(0, "m") "movq 8*32(%[t]), %%r10\n\t"        \
                                                               "adcxq %%r9, %%r10\n\t"             \
                                                               "adoxq %%r12, %%r10\n\t"            \
                                                               "movq %%r10, 8*32(%[t])\n\t"        \
                                                               "movl $0, %%r12d\n\t"               \
                                                               "adcxq %%r11, %%r12\n\t"            \
                                                               "adoxq %%r11, %%r12\n\t"            \
                                                               "movq %%r12, %[c]\n\t"              \
                         : [c] "+r"(c), [t] "+r"(tp), [m] "+r"(m)                                  \
                         : [n0] "r"(n0)                                                            \
                         : "rax", "rdx", "r8", "r9", "r10", "r11", "r12", "cc", "memory");         \
        return c;                                                                                  \
    }                                                                                              \
    void bn_adx##N##_mul_wide(uint64_t *t, const uint64_t *a, const uint64_t *b)                   \
    {                                                                                              \
        for (size_t i = 0; i < (N); i++)                                                           \
            t[i] = 0;                                                                              \
        for (size_t i = 0; i < (N); i++)                                                           \
            prow##N(t + i, a[i], b);                                                               \
    }                                                                                              \
    void bn_adx##N##_redc(uint64_t *t, const uint64_t *m, uint64_t n0)                             \
    {                                                                                              \
        uint64_t c = 0;                                                                            \
        for (size_t i = 0; i < (N); i++)                                                           \
            c = rrow##N(t + i, m, n0, c);                                                          \
        t[2 * (N)] = c;                                                                            \
    }
ADX_ROWS(32, G0)
ADX_ROWS(24, G8)

#endif
