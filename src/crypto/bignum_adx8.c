/*
 * Montgomery products for moduli of a multiple of 8 limbs with MULX, ADCX and ADOX in 8x8
 * tiles whose accumulator stays in registers (RSA-2048/3072 primes of 16/24 limbs, moduli of
 * 32/48 limbs).
 *
 * Why tiles: the plain row form (t[i..i+n] += x y, the code this replaced) loads and stores a limb
 * of t around every product, about seven instructions per MULX. Here rows i = 8r..8r+7 of the
 * multiplier are swept together across the 8-limb blocks k of the multiplicand: a window of
 * eight registers holds t[i+8k .. i+8k+7] for the current row i; row i adds x_i y[8k..8k+7]
 * into it (ADCX carries the low halves, ADOX the high ones, the ninth limb being the last high
 * half plus both carries, which cannot overflow: the window, one more limb of t and an 8x1
 * product are below 2^576), and its lowest limb, now final for this sweep, is stored and its
 * register becomes the window's new top. Eight rows bring the register names back to where
 * they started, and the window left after block k is exactly the one block k + 1 starts with,
 * so t is read and written once per row (per eight products), not once per product. The earlier
 * sweeps' value of a limb enters the window through the OF chain when that limb is the lowest
 * one (the row's first ADOX), and the window left at the end of a sweep is added to t with a
 * carry that the next sweep's end takes in.
 *
 * The Montgomery reduction is the same sweep with the quotient digits q_i as multipliers: the
 * first tile of each sweep makes them (q_i = t_i n0 mod 2^64 with MULX, which leaves the flags
 * alone, once the lowest limb is complete; no earlier tile of the sweep adds to it since only
 * block 0 reaches limbs below 8r + 8), stores them for the later tiles and zeroes t_i. Its window
 * starts as t[8r .. 8r + 7] (final once the earlier sweeps are done), so that the chain from one
 * digit to the next is two MULX and two adds: the tile then runs at the rate of its products
 * rather than at that of the chain. For the squarings of an exponentiation the reduction can end
 * lazily (bn_adx8_sqr_lazy, an almost Montgomery product below R: m subtracted under the mask of
 * the carry out, with no comparison and no selection). Squaring
 * sweeps only the tiles with k >= r, the diagonal one for the cross products x_i x_j with
 * i < j only, then doubles and adds the squares.
 *
 * Every address is a constant offset, the final conditional subtraction is an SBB chain and a
 * CMOV selection, and nothing depends on the values: constant-time by construction. For 16 and
 * 24 limbs each operation is one asm statement (the window never leaves its registers); other
 * sizes loop in C over one-tile asm statements that pass the window in eight register operands.
 * The asm takes 14 registers, so it also builds with a frame pointer.
 */
#include "../common.h"
#include "bignum.h"
#include "ct.h"

#if TENON_X86_64

typedef unsigned __int128 u128;

#define W0 "%[w0]"
#define W1 "%[w1]"
#define W2 "%[w2]"
#define W3 "%[w3]"
#define W4 "%[w4]"
#define W5 "%[w5]"
#define W6 "%[w6]"
#define W7 "%[w7]"

/* Addresses: limb S + O of t, x or y (O a string: the tile's offset, in limbs). */
#define AT(P, S, O) "8*(" #S "+" O ")(%[" P "])"

/* Product of the row's multiplier (rdx) and y[T]: low half into L, high half into H. */
#define STEP(T, YO, L, H)                                                                          \
    "mulxq " AT("y", T, YO) ", %%rax, %%rcx\n\t"                                                   \
                            "adcxq %%rax, " L "\n\t"                                               \
                            "adoxq %%rcx, " H "\n\t"

/* Steps 1..7 and the new top limb (into A0's register; the carries end there, leaving CF and OF
 * clear). */
#define TAIL(YO, A0, A1, A2, A3, A4, A5, A6, A7)                                                   \
    STEP(1, YO, A1, A2)                                                                            \
    STEP(2, YO, A2, A3)                                                                            \
    STEP(3, YO, A3, A4)                                                                            \
    STEP(4, YO, A4, A5)                                                                            \
    STEP(5, YO, A5, A6)                                                                            \
    STEP(6, YO, A6, A7)                                                                            \
    "mulxq " AT("y", 7, YO) ", %%rax, " A0 "\n\t"                                                  \
                            "adcxq %%rax, " A7 "\n\t"                                              \
                            "movl $0, %%eax\n\t"                                                   \
                            "adcxq %%rax, " A0 "\n\t"                                              \
                            "adoxq %%rax, " A0 "\n\t"

/* Row S of a full tile: the window A0..A7 (A0 = limb S of the tile) += x[S] y[0..7] + t[S];
 * the lowest limb is stored to t[S]. XOR clears both flags, so rows do not wait on each
 * other's carry chains. */
#define ROW(S, TO, XO, YO, A0, A1, A2, A3, A4, A5, A6, A7)                                         \
    "movq " AT("x", S,                                                                             \
               XO) ", %%rdx\n\t"                                                                   \
                   "xorl %%eax, %%eax\n\t"                                                         \
                   "adoxq " AT("t", S, TO) ", " A0 "\n\t" STEP(0, YO, A0, A1) "movq " A0 ", " AT(  \
                       "t", S, TO) "\n\t" TAIL(YO, A0, A1, A2, A3, A4, A5, A6, A7)

/* The same where t[S] has not been written yet (the first sweep of a product). */
#define ROWN(S, TO, XO, YO, A0, A1, A2, A3, A4, A5, A6, A7)                                        \
    "movq " AT("x", S, XO) ", %%rdx\n\t"                                                           \
                           "xorl %%eax, %%eax\n\t" STEP(0, YO, A0, A1) "movq " A0 ", " AT(         \
                               "t", S, TO) "\n\t" TAIL(YO, A0, A1, A2, A3, A4, A5, A6, A7)

/* Row S of a reduction's first tile: the lowest limb A0 is complete (the window starts as
 * t[8r .. 8r + 7], so no limb of t is added here), and the quotient digit q = A0 n0 comes from
 * MULX with n0 in rdx (n0 is read from x[9], memory of the caller's, so that no register and no
 * stack address is needed for it: the tiles take all but the frame and stack pointers); q is
 * stored to x[S] and adding q y[0] clears A0. Row to row the chain is two MULX and two adds. */
#define QROW(S, TO, XO, YO, A0, A1, A2, A3, A4, A5, A6, A7)                                        \
    "movq 8*9(%[x]), %%rdx\n\t"                                                                    \
    "mulxq " A0 ", %%rdx, %%rcx\n\t"                                                               \
    "xorl %%eax, %%eax\n\t"                                                                        \
    "movq %%rdx, " AT("x", S, XO) "\n\t" STEP(0, YO, A0, A1)                                       \
        TAIL(YO, A0, A1, A2, A3, A4, A5, A6, A7)

#define EIGHT(R, TO, XO, YO)                                                                       \
    R(0, TO, XO, YO, W0, W1, W2, W3, W4, W5, W6, W7)                                               \
    R(1, TO, XO, YO, W1, W2, W3, W4, W5, W6, W7, W0)                                               \
    R(2, TO, XO, YO, W2, W3, W4, W5, W6, W7, W0, W1)                                               \
    R(3, TO, XO, YO, W3, W4, W5, W6, W7, W0, W1, W2)                                               \
    R(4, TO, XO, YO, W4, W5, W6, W7, W0, W1, W2, W3)                                               \
    R(5, TO, XO, YO, W5, W6, W7, W0, W1, W2, W3, W4)                                               \
    R(6, TO, XO, YO, W6, W7, W0, W1, W2, W3, W4, W5)                                               \
    R(7, TO, XO, YO, W7, W0, W1, W2, W3, W4, W5, W6)

/* Row S of the squaring's diagonal tile: x[S] times x[S+1..7] only. The old limbs of t that
 * this tile covers are in the window already (the caller loads them), so a row only stores its
 * lowest limb and adds its products from limb S + 1 on; row 7 has no product, its new top is 0. */
#define DHEAD(S, TO, XO, A0)                                                                       \
    "movq " AT("x", S, XO) ", %%rdx\n\t"                                                           \
                           "xorl %%eax, %%eax\n\t"                                                 \
                           "movq " A0 ", " AT("t", S, TO) "\n\t"
#define DTOP(XO, A0, A7)                                                                           \
    "mulxq " AT("x", 7, XO) ", %%rax, " A0 "\n\t"                                                  \
                            "adcxq %%rax, " A7 "\n\t"                                              \
                            "movl $0, %%eax\n\t"                                                   \
                            "adcxq %%rax, " A0 "\n\t"                                              \
                            "adoxq %%rax, " A0 "\n\t"
#define DSTEP(T, XO, L, H)                                                                         \
    "mulxq " AT("x", T, XO) ", %%rax, %%rcx\n\t"                                                   \
                            "adcxq %%rax, " L "\n\t"                                               \
                            "adoxq %%rcx, " H "\n\t"
/* clang-format off */
#define DTILE(TO, XO)                                                                              \
    DHEAD(0, TO, XO, W0) DSTEP(1, XO, W1, W2) DSTEP(2, XO, W2, W3) DSTEP(3, XO, W3, W4)           \
        DSTEP(4, XO, W4, W5) DSTEP(5, XO, W5, W6) DSTEP(6, XO, W6, W7) DTOP(XO, W0, W7)            \
    DHEAD(1, TO, XO, W1) DSTEP(2, XO, W3, W4) DSTEP(3, XO, W4, W5) DSTEP(4, XO, W5, W6)           \
        DSTEP(5, XO, W6, W7) DSTEP(6, XO, W7, W0) DTOP(XO, W1, W0)                                 \
    DHEAD(2, TO, XO, W2) DSTEP(3, XO, W5, W6) DSTEP(4, XO, W6, W7) DSTEP(5, XO, W7, W0)           \
        DSTEP(6, XO, W0, W1) DTOP(XO, W2, W1)                                                      \
    DHEAD(3, TO, XO, W3) DSTEP(4, XO, W7, W0) DSTEP(5, XO, W0, W1) DSTEP(6, XO, W1, W2)           \
        DTOP(XO, W3, W2)                                                                           \
    DHEAD(4, TO, XO, W4) DSTEP(5, XO, W1, W2) DSTEP(6, XO, W2, W3) DTOP(XO, W4, W3)               \
    DHEAD(5, TO, XO, W5) DSTEP(6, XO, W3, W4) DTOP(XO, W5, W4)                                     \
    DHEAD(6, TO, XO, W6) DTOP(XO, W6, W5)                                                          \
    DHEAD(7, TO, XO, W7) "movq $0, " W7 "\n\t"
/* clang-format on */

#define WOPS                                                                                       \
    [w0] "+r"(w[0]), [w1] "+r"(w[1]), [w2] "+r"(w[2]), [w3] "+r"(w[3]), [w4] "+r"(w[4]),           \
        [w5] "+r"(w[5]), [w6] "+r"(w[6]), [w7] "+r"(w[7])

static inline __attribute__((always_inline)) void tile(uint64_t *t, const uint64_t *x,
                                                       const uint64_t *y, uint64_t *w)
{
    __asm__ volatile(EIGHT(ROW, "0", "0", "0")
                     : WOPS
                     : [t] "r"(t), [x] "r"(x), [y] "r"(y)
                     : "rax", "rcx", "rdx", "cc", "memory");
}

/* q[0..7] receives the quotient digits; q[9] holds n0. */
static inline __attribute__((always_inline)) void qtile(uint64_t *t, uint64_t *q, const uint64_t *y,
                                                        uint64_t *w)
{
    __asm__ volatile(EIGHT(QROW, "0", "0", "0")
                     : WOPS
                     : [t] "r"(t), [x] "r"(q), [y] "r"(y)
                     : "rax", "rcx", "rdx", "cc", "memory");
}

static inline __attribute__((always_inline)) void dtile(uint64_t *t, const uint64_t *x, uint64_t *w)
{
    __asm__ volatile(DTILE("0", "0")
                     : WOPS
                     : [t] "r"(t), [x] "r"(x)
                     : "rax", "rcx", "rdx", "cc", "memory");
}

/* ------------------------------------------------------------------------------------------
 * 16 limbs (the primes of RSA-2048): each operation is one asm statement, two sweeps of two
 * tiles, so the window never leaves its registers and nothing is spent between tiles.
 * ------------------------------------------------------------------------------------------ */

/* clang-format off */
/* The window to t[O..O+7], from it, and added to it with CF (the carry out left in CF). */
#define W8(I, O) I(W0, 0, O) I(W1, 1, O) I(W2, 2, O) I(W3, 3, O) I(W4, 4, O) I(W5, 5, O) I(W6, 6, O) I(W7, 7, O)
#define WST(W, J, O) "movq " W ", " AT("t", J, O) "\n\t"
#define WLD(W, J, O) "movq " AT("t", J, O) ", " W "\n\t"
#define WAD(W, J, O) "adcq " W ", " AT("t", J, O) "\n\t"
#define WSTORE(O) W8(WST, O)
#define WLOAD(O) W8(WLD, O)
#define WADD(O) W8(WAD, O)
/* A reduction sweep's carry out of its WADD waits in x[8] while the next sweep runs. */
#define CSAVE "sbbq %%rax, %%rax\n\t" "movq %%rax, 8*8(%[x])\n\t"
#define CLOAD "movq 8*8(%[x]), %%rax\n\t" "negq %%rax\n\t"
/* The final subtraction, in the reduction's asm statement: t[O..O+7] - y[O..O+7] - CF (the
 * borrow chain) into t[D..D+7], the low half of t that the reduction has left free; then limb
 * J of x = CF ? t[J+N] : t[J] (CMOV: the choice steers no branch and no address). */
#define FSB(W, J, O) "sbbq " AT("y", J, O) ", " W "\n\t"
#define FSUB(O, YO, D) W8(WLD, O) W8(FSB, YO) W8(WST, D)
#define FSEL(J, O, ON) "movq " AT("t", J, O) ", %%rax\n\t" "cmovcq " AT("t", J, ON) ", %%rax\n\t" "movq %%rax, " AT("x", J, O) "\n\t"
#define FSEL8(O, ON) FSEL(0, O, ON) FSEL(1, O, ON) FSEL(2, O, ON) FSEL(3, O, ON) FSEL(4, O, ON) FSEL(5, O, ON) FSEL(6, O, ON) FSEL(7, O, ON)
/* After the last WADD: rcx = the carry out (0 or 1), the subtraction, then rcx - borrow leaves
 * CF set exactly when the value was below m (no carry and a borrow): keep t then. */
#define FCARRY "sbbq %%rcx, %%rcx\n\t" "negq %%rcx\n\t" "clc\n\t"
#define FKEEP "sbbq $0, %%rcx\n\t"
/* The lazy end (an almost Montgomery product, for squarings whose result only feeds further
 * products): the last window is added into its registers (u = its limbs and t[O..O+N-9] below
 * them), the carry out c, then x = u - (c ? m : 0), which is below R since u < R + m. The masked
 * m is staged in x first, as AND would clear the SBB chain's CF. */
#define WAR(W, J, O) "adcq " AT("t", J, O) ", " W "\n\t"
#define LMASK(J) "movq " AT("y", J, "0") ", %%rcx\n\t" "andq %%rax, %%rcx\n\t" "movq %%rcx, " AT("x", J, "0") "\n\t"
#define LMASK8(O) LMASK(O+0) LMASK(O+1) LMASK(O+2) LMASK(O+3) LMASK(O+4) LMASK(O+5) LMASK(O+6) LMASK(O+7)
#define LSUBT(J, O) "movq " AT("t", J, O) ", %%rdx\n\t" "sbbq " AT("x", J, "0") ", %%rdx\n\t" "movq %%rdx, " AT("x", J, "0") "\n\t"
#define LSUBT8(J, O) LSUBT(J+0, O) LSUBT(J+1, O) LSUBT(J+2, O) LSUBT(J+3, O) LSUBT(J+4, O) LSUBT(J+5, O) LSUBT(J+6, O) LSUBT(J+7, O)
#define LSUBW(W, J, O) "sbbq " AT("x", J, O) ", " W "\n\t" "movq " W ", " AT("x", J, O) "\n\t"
#define LMASKC "sbbq %%rax, %%rax\n\t"
/* The window cleared for the next sweep. */
#define WCLEAR                                                                                     \
    "xorl %k[w0], %k[w0]\n\t"                                                                      \
    "xorl %k[w1], %k[w1]\n\t"                                                                      \
    "xorl %k[w2], %k[w2]\n\t"                                                                      \
    "xorl %k[w3], %k[w3]\n\t"                                                                      \
    "xorl %k[w4], %k[w4]\n\t"                                                                      \
    "xorl %k[w5], %k[w5]\n\t"                                                                      \
    "xorl %k[w6], %k[w6]\n\t"                                                                      \
    "xorl %k[w7], %k[w7]\n\t"
/* clang-format on */

static void mul_wide16(uint64_t *t, const uint64_t *a, const uint64_t *b)
{
    uint64_t w[8] = {0};
    __asm__ volatile(EIGHT(ROWN, "0", "0", "0") EIGHT(ROWN, "8", "0", "8") WSTORE("16")
                         WCLEAR EIGHT(ROW, "8", "8", "0") EIGHT(ROW, "16", "8", "8") WSTORE("24")
                     : WOPS
                     : [t] "r"(t), [x] "r"(a), [y] "r"(b)
                     : "rax", "rcx", "rdx", "cc", "memory");
}

/* Limbs 2K, 2K + 1 of t = 2 t + a_K^2: ADCX doubles along one chain, ADOX adds the squares
 * along the other. */
#define DIAG(K)                                                                                    \
    "movq 8*" #K "(%[x]), %%rdx\n\t"                                                               \
    "mulxq %%rdx, %%rax, %%rcx\n\t"                                                                \
    "movq 16*" #K "(%[t]), " W0 "\n\t"                                                             \
    "movq 16*" #K "+8(%[t]), " W1 "\n\t"                                                           \
    "adcxq " W0 ", " W0 "\n\t"                                                                     \
    "adcxq " W1 ", " W1 "\n\t"                                                                     \
    "adoxq %%rax, " W0 "\n\t"                                                                      \
    "adoxq %%rcx, " W1 "\n\t"                                                                      \
    "movq " W0 ", 16*" #K "(%[t])\n\t"                                                             \
    "movq " W1 ", 16*" #K "+8(%[t])\n\t"

/* t[0..31] = a^2: the cross products a_i a_j, i < j (the first sweep ends with the window on
 * limbs 16..23, where the second sweep's diagonal tile starts), doubled, plus the squares. */
static void sqr_wide16(uint64_t *t, const uint64_t *a)
{
    uint64_t w[8] = {0};
    __asm__ volatile(DTILE("0", "0") EIGHT(ROWN, "8", "0", "8") DTILE("16", "8")
                         WSTORE("24") "xorl %%eax, %%eax\n\t" DIAG(0) DIAG(1) DIAG(2) DIAG(3)
                             DIAG(4) DIAG(5) DIAG(6) DIAG(7) DIAG(8) DIAG(9) DIAG(10) DIAG(11)
                                 DIAG(12) DIAG(13) DIAG(14) DIAG(15)
                     : WOPS
                     : [t] "r"(t), [x] "r"(a), [y] "r"(a)
                     : "rax", "rcx", "rdx", "cc", "memory");
}

/* Early-clobber outputs: the reductions load the window themselves. */
#define WOUTS                                                                                      \
    [w0] "=&r"(w[0]), [w1] "=&r"(w[1]), [w2] "=&r"(w[2]), [w3] "=&r"(w[3]), [w4] "=&r"(w[4]),      \
        [w5] "=&r"(w[5]), [w6] "=&r"(w[6]), [w7] "=&r"(w[7])

/* r = t[0..31] R^-1 mod m, reduced (t < m R); with lazy, r = t R^-1 mod m + k m < R for any
 * t < R^2 (no comparison with m: the result of a squaring that only feeds further products).
 * r serves as the scratch of the quotient digits, of the first sweep's carry out (r[8]) and of
 * n0 (r[9]) until the end, so it may alias the product's factors. */
/* clang-format off */
#define REDC16_SWEEPS                                                                              \
    WLOAD("0") EIGHT(QROW, "0", "0", "0") EIGHT(ROW, "8", "0", "8")                                \
    "clc\n\t" WADD("16") CSAVE WLOAD("8")                                                          \
    EIGHT(QROW, "8", "0", "0") EIGHT(ROW, "16", "0", "8")
#define REDC16_FULL                                                                                \
    CLOAD WADD("24") FCARRY FSUB("16", "0", "0") FSUB("24", "8", "8") FKEEP                        \
    FSEL8("0", "16") FSEL8("8", "24")
#define REDC16_LAZY                                                                                \
    CLOAD W8(WAR, "24") LMASKC LMASK8(0) LMASK8(8) "clc\n\t" LSUBT8(0, "16") W8(LSUBW, "8")
/* clang-format on */

/* One reduction as a function of its own, once in the binary, the sweeps shared by both ends:
 * lazy (public: the caller's choice of operation) picks the end after them by a branch. On Zen 5
 * the 24-limb exponentiation outgrew what the core keeps decoded with a copy of the sweeps per
 * end (sqr_wide24 8 KB, each reduction 14 KB, the window's product 8 KB: 45 KB in the loop),
 * and its time depended on where the code landed (copies of one binary: 1.31M or 2.6M ticks).
 * The lazy flag waits in r[10]. */
#define REDC_FN(NAME, SWEEPS, FULL, LAZY)                                                          \
    static __attribute__((noinline)) void NAME(uint64_t *r, uint64_t *t, const uint64_t *m,        \
                                               uint64_t n0, uint64_t lazy)                         \
    {                                                                                              \
        uint64_t w[8];                                                                             \
        r[9] = n0;                                                                                 \
        r[10] = lazy;                                                                              \
        __asm__ volatile(SWEEPS "cmpq $0, 8*10(%[x])\n\t"                                          \
                                "jne 1f\n\t" FULL "jmp 2f\n"                                       \
                                "1:\n\t" LAZY "2:"                                                 \
                         : WOUTS                                                                   \
                         : [t] "r"(t), [x] "r"(r), [y] "r"(m)                                      \
                         : "rax", "rcx", "rdx", "cc", "memory");                                   \
    }

REDC_FN(redc16, REDC16_SWEEPS, REDC16_FULL, REDC16_LAZY)

/* ------------------------------------------------------------------------------------------
 * 24 limbs (the primes of RSA-3072): the squaring and the reduction as one asm statement each,
 * three sweeps of three tiles (the product, which runs a sixth as often in an exponentiation,
 * keeps the loops: the three together would not fit the instruction cache).
 * ------------------------------------------------------------------------------------------ */

/* t[0..47] = a^2. The second sweep's diagonal tile takes limbs 16..23 from t; the third one
 * starts on limbs 32..39, where the second sweep's window ends. */
static void sqr_wide24(uint64_t *t, const uint64_t *a)
{
    uint64_t w[8] = {0};
    /* clang-format off */
    __asm__ volatile(DTILE("0", "0") EIGHT(ROWN, "8", "0", "8") EIGHT(ROWN, "16", "0", "16")
                     WSTORE("24")
                     WLOAD("16") DTILE("16", "8") EIGHT(ROW, "24", "8", "16")
                     DTILE("32", "16") WSTORE("40")
                     "xorl %%eax, %%eax\n\t"
                     DIAG(0) DIAG(1) DIAG(2) DIAG(3) DIAG(4) DIAG(5) DIAG(6) DIAG(7)
                     DIAG(8) DIAG(9) DIAG(10) DIAG(11) DIAG(12) DIAG(13) DIAG(14) DIAG(15)
                     DIAG(16) DIAG(17) DIAG(18) DIAG(19) DIAG(20) DIAG(21) DIAG(22) DIAG(23)
                     : WOPS
                     : [t] "r"(t), [x] "r"(a), [y] "r"(a)
                     : "rax", "rcx", "rdx", "cc", "memory");
    /* clang-format on */
}

/* r = t[0..47] R^-1 mod m, reduced or lazy, as redc16. The three sweeps are one loop (the t
 * pointer moved a block per sweep and put back after, the count in x[11], the carry of the
 * first sweep's end read from a zeroed x[8]): on Zen 5 the exponentiation's code then stays
 * well inside what the core keeps decoded (redc24 6 KB instead of 15), and the loop costs no
 * measurable time (bn_mont_pow_ct at 24 limbs 1.25M TSC ticks either way). */
/* clang-format off */
#define REDC24_SWEEPS                                                                              \
    "movq $3, 8*11(%[x])\n\t"                                                                      \
    "movq $0, 8*8(%[x])\n\t"                                                                       \
    WLOAD("0")                                                                                     \
    "3:\n\t"                                                                                       \
    EIGHT(QROW, "0", "0", "0") EIGHT(ROW, "8", "0", "8") EIGHT(ROW, "16", "0", "16")               \
    "decq 8*11(%[x])\n\t"                                                                          \
    "jz 4f\n\t"                                                                                    \
    CLOAD WADD("24") CSAVE                                                                         \
    "leaq 64(%[t]), %[t]\n\t"                                                                      \
    WLOAD("0")                                                                                     \
    "jmp 3b\n"                                                                                      \
    "4:\n\t"                                                                                       \
    "leaq -128(%[t]), %[t]\n\t"
#define REDC24_FULL                                                                                \
    CLOAD WADD("40") FCARRY FSUB("24", "0", "0") FSUB("32", "8", "8") FSUB("40", "16", "16") FKEEP \
    FSEL8("0", "24") FSEL8("8", "32") FSEL8("16", "40")
#define REDC24_LAZY                                                                                \
    CLOAD W8(WAR, "40") LMASKC LMASK8(0) LMASK8(8) LMASK8(16) "clc\n\t" LSUBT8(0, "24")            \
    LSUBT8(8, "24") W8(LSUBW, "16")
/* clang-format on */
REDC_FN(redc24, REDC24_SWEEPS, REDC24_FULL, REDC24_LAZY)

/* t[0..7] += w + c; returns the carry out. The end of a sweep: the window holds the limbs
 * above all of the sweep's fall-outs. */
static inline __attribute__((always_inline)) uint64_t add_window(uint64_t *t, uint64_t *w,
                                                                 uint64_t c)
{
    /* (a compiler keeps a 128-bit sum's halves on the stack here: a carry chain instead) */
    __asm__ volatile("negq %[c]\n\t" WADD("0") "sbbq %[c], %[c]\n\t"
                                               "negq %[c]"
                     : WOPS, [c] "+r"(c)
                     : [t] "r"(t)
                     : "cc", "memory");
    return c;
}

static void mul_wide(uint64_t *t, const uint64_t *a, const uint64_t *b, size_t n)
{
    for (size_t i = 0; i < 2 * n; i++)
        t[i] = 0;
    uint64_t c = 0;
    for (size_t r = 0; r < n; r += 8) {
        uint64_t w[8] = {0};
        for (size_t k = 0; k < n; k += 8)
            tile(t + r + k, a + r, b + k, w);
        c = add_window(t + r + n, w, c);
    }
}

static void sqr_wide(uint64_t *t, const uint64_t *a, size_t n)
{
    for (size_t i = 0; i < 2 * n; i++)
        t[i] = 0;
    uint64_t c = 0;
    for (size_t r = 0; r < n; r += 8) {
        uint64_t w[8];
        for (size_t j = 0; j < 8; j++)
            w[j] = t[2 * r + j];
        dtile(t + 2 * r, a + r, w);
        for (size_t k = r + 8; k < n; k += 8)
            tile(t + r + k, a + r, a + k, w);
        c = add_window(t + r + n, w, c);
    }
    /* t = 2 t + the squares a_i^2 at limb 2i: ADCX doubles, ADOX adds the squares, two limbs
     * per step along one pass */
    __asm__ volatile("xorl %%eax, %%eax\n\t"
                     "1:\n\t"
                     "movq (%[a]), %%rdx\n\t"
                     "mulxq %%rdx, %%rax, %%rdx\n\t"
                     "movq (%[t]), %%r8\n\t"
                     "movq 8(%[t]), %%r9\n\t"
                     "adcxq %%r8, %%r8\n\t"
                     "adcxq %%r9, %%r9\n\t"
                     "adoxq %%rax, %%r8\n\t"
                     "adoxq %%rdx, %%r9\n\t"
                     "movq %%r8, (%[t])\n\t"
                     "movq %%r9, 8(%[t])\n\t"
                     "leaq 8(%[a]), %[a]\n\t"
                     "leaq 16(%[t]), %[t]\n\t"
                     "leaq -1(%[n]), %[n]\n\t" /* LEA and JRCXZ keep CF and OF */
                     "jrcxz 2f\n\t"
                     "jmp 1b\n"
                     "2:"
                     : [a] "+r"(a), [t] "+r"(t), [n] "+c"(n)
                     :
                     : "rax", "rdx", "r8", "r9", "cc", "memory");
}

static void redc(uint64_t *t, const uint64_t *m, uint64_t n0, size_t n)
{
    uint64_t q[10], c = 0;
    q[9] = n0;
    for (size_t r = 0; r < n; r += 8) {
        uint64_t w[8];
        for (size_t j = 0; j < 8; j++)
            w[j] = t[r + j];
        qtile(t + r, q, m, w);
        for (size_t k = 8; k < n; k += 8)
            tile(t + r + k, q, m + k, w);
        c = add_window(t + r + n, w, c);
    }
    t[2 * n] = c;
}

/* r = t[n..2n] - m if that is not negative, else t[n..2n-1] (t[n..2n] < 2m), for the sizes
 * without their own asm statement: four limbs per turn of an SBB chain (the difference into
 * t[0..n-1], free after the reduction), then a CMOV selection; LEA, MOV and JRCXZ leave the
 * flags alone, so CF runs through the turns. */
static void final_sub(uint64_t *r, uint64_t *t, const uint64_t *m, size_t n)
{
    uint64_t *hi = t + n, *lo = t, c = t[2 * n];
    size_t turns = n / 4;
    __asm__ volatile("movq %[turns], %%rcx\n\t"
                     "clc\n"
                     "1:\n\t"
                     "movq 0(%[hi]), %%r8\n\t"
                     "movq 8(%[hi]), %%r9\n\t"
                     "movq 16(%[hi]), %%r10\n\t"
                     "movq 24(%[hi]), %%r11\n\t"
                     "sbbq 0(%[m]), %%r8\n\t"
                     "sbbq 8(%[m]), %%r9\n\t"
                     "sbbq 16(%[m]), %%r10\n\t"
                     "sbbq 24(%[m]), %%r11\n\t"
                     "movq %%r8, 0(%[lo])\n\t"
                     "movq %%r9, 8(%[lo])\n\t"
                     "movq %%r10, 16(%[lo])\n\t"
                     "movq %%r11, 24(%[lo])\n\t"
                     "leaq 32(%[hi]), %[hi]\n\t"
                     "leaq 32(%[m]), %[m]\n\t"
                     "leaq 32(%[lo]), %[lo]\n\t"
                     "leaq -1(%%rcx), %%rcx\n\t"
                     "jrcxz 2f\n\t"
                     "jmp 1b\n"
                     "2:\n\t"
                     /* CF = borrow; c - borrow < 0 (no carry, a borrow): keep t */
                     "sbbq $0, %[c]\n\t"
                     "movq %[turns], %%rcx\n"
                     "3:\n\t" /* lo is at t[n] now, the differences 8n bytes below */
                     "movq 0(%[lo],%[mn8]), %%r8\n\t"
                     "movq 8(%[lo],%[mn8]), %%r9\n\t"
                     "movq 16(%[lo],%[mn8]), %%r10\n\t"
                     "movq 24(%[lo],%[mn8]), %%r11\n\t"
                     "cmovcq 0(%[lo]), %%r8\n\t"
                     "cmovcq 8(%[lo]), %%r9\n\t"
                     "cmovcq 16(%[lo]), %%r10\n\t"
                     "cmovcq 24(%[lo]), %%r11\n\t"
                     "movq %%r8, 0(%[r])\n\t"
                     "movq %%r9, 8(%[r])\n\t"
                     "movq %%r10, 16(%[r])\n\t"
                     "movq %%r11, 24(%[r])\n\t"
                     "leaq 32(%[lo]), %[lo]\n\t"
                     "leaq 32(%[r]), %[r]\n\t"
                     "leaq -1(%%rcx), %%rcx\n\t"
                     "jrcxz 4f\n\t"
                     "jmp 3b\n"
                     "4:"
                     : [hi] "+r"(hi), [lo] "+r"(lo), [m] "+r"(m), [r] "+r"(r), [c] "+r"(c)
                     : [turns] "r"(turns), [mn8] "r"(0 - 8 * n)
                     : "rcx", "r8", "r9", "r10", "r11", "cc", "memory");
}

void bn_adx8_mul(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *m, uint64_t n0,
                 size_t n)
{
    uint64_t t[2 * BN_MAX_LIMBS + 1];
    if (n == 16) {
        mul_wide16(t, a, b);
        redc16(r, t, m, n0, 0);
        return;
    }
    mul_wide(t, a, b, n);
    if (n == 24) {
        redc24(r, t, m, n0, 0);
        return;
    }
    redc(t, m, n0, n);
    final_sub(r, t, m, n);
}

/* lazy: the almost Montgomery square. For the sizes without their own reduction the reduced
 * square serves: for a < R (t < R^2) the rows leave u < R + m, and the final conditional
 * subtraction takes m off u >= m, so the result is below R and congruent. */
static inline __attribute__((always_inline)) void
sqr_any(uint64_t *r, const uint64_t *a, const uint64_t *m, uint64_t n0, size_t n, const int lazy)
{
    uint64_t t[2 * BN_MAX_LIMBS + 1];
    if (n == 16) {
        sqr_wide16(t, a);
        redc16(r, t, m, n0, (uint64_t)lazy);
        return;
    }
    if (n == 24) {
        sqr_wide24(t, a);
        redc24(r, t, m, n0, (uint64_t)lazy);
        return;
    }
    sqr_wide(t, a, n);
    redc(t, m, n0, n);
    final_sub(r, t, m, n);
}

void bn_adx8_sqr(uint64_t *r, const uint64_t *a, const uint64_t *m, uint64_t n0, size_t n)
{
    sqr_any(r, a, m, n0, n, 0);
}

void bn_adx8_sqr_lazy(uint64_t *r, const uint64_t *a, const uint64_t *m, uint64_t n0, size_t n)
{
    sqr_any(r, a, m, n0, n, 1);
}

void bn_adx8_from(uint64_t *r, const uint64_t *a, const uint64_t *m, uint64_t n0, size_t n)
{
    uint64_t t[2 * BN_MAX_LIMBS + 1];
    for (size_t i = 0; i < n; i++) {
        t[i] = a[i];
        t[n + i] = 0;
    }
    if (n == 16) {
        redc16(r, t, m, n0, 0);
        return;
    }
    if (n == 24) {
        redc24(r, t, m, n0, 0);
        return;
    }
    redc(t, m, n0, n);
    final_sub(r, t, m, n);
}

#endif
