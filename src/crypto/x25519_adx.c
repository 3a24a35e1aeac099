/*
 * The X25519 ladder (RFC 7748 §5) on x86-64 with BMI2 and ADX: field elements as four 64-bit
 * limbs, products by mulx, and two independent carry chains (adcx on CF, adox on OF) so that
 * the additions of one row of partial products do not wait on each other.
 *
 * Representation: any value in [0, 2^256) stands for its residue mod p = 2^255 - 19. Since
 * 2^256 = 38 (mod p), a carry out of bit 255 is folded back as +38 and a borrow as -38, so
 * every operation returns four limbs again without a full reduction; only the final encoding
 * reduces to [0, p). Nothing branches on or indexes by a secret: carries become masks.
 *
 * Speed: a ladder step has two independent products at each stage, and the products are
 * computed two at a time in one instruction stream (FE64_MUL2, FE64_SQ2), with the additions
 * that follow done on the registers that hold the products. On the machine this was tuned on
 * (AMD Zen 3) that took about a fifth off the time of an X25519 against one product at a
 * time. The step's swap only selects the doubling's input (ladder_add_sub_select: the
 * differential addition is symmetric in the two points), the lone product z_2 = E·F runs in
 * one block with the next step's sums and selection (ladder_mul_add_sub_select), and the last
 * three steps, where a clamped scalar's bits are 0, are x-only doublings. The order of the
 * blocks in a step matters (by up to a tenth on Ice Lake): each ordering kept was the fastest of
 * those timed.
 *
 * Only called after cpu_has(TENON_CPU_BMI2 | TENON_CPU_ADX) (x25519.c).
 */
#include "../common.h"

#if TENON_X86_64

#include "ct.h"
#include "ec_modinv.h"
#include "tenon/crypto.h"
#include "x25519_field.h"

typedef struct fe64 {
    uint64_t l[4];
} fe64;

/* The asm blocks take their operands as pointers in registers and declare a "memory"
 * clobber rather than memory operands: a memory operand may need an address register of its
 * own, and at -O0 or under AddressSanitizer none would be left. */

/* The last step of mul/sq: [r8..r15] (512 bits) = lo + 2^256·hi becomes lo + 38·hi (a value
 * below 39·2^256, so its top word is at most 38), then that word times 38 is added in once
 * more; a carry out of that addition leaves a value below 38·2, so the final +38 fits. */
#define FE64_REDUCE_512                                                                            \
    "movl $38, %%edx\n\t"                                                                          \
    "mulxq %%r12, %%rax, %%rbx\n\t"                                                                \
    "xorl %%r12d, %%r12d\n\t"                                                                      \
    "adcxq %%rax, %%r8\n\t"                                                                        \
    "adoxq %%rbx, %%r9\n\t"                                                                        \
    "mulxq %%r13, %%rax, %%rbx\n\t"                                                                \
    "adcxq %%rax, %%r9\n\t"                                                                        \
    "adoxq %%rbx, %%r10\n\t"                                                                       \
    "mulxq %%r14, %%rax, %%rbx\n\t"                                                                \
    "adcxq %%rax, %%r10\n\t"                                                                       \
    "adoxq %%rbx, %%r11\n\t"                                                                       \
    "mulxq %%r15, %%rax, %%r13\n\t"                                                                \
    "adcxq %%rax, %%r11\n\t"                                                                       \
    "adoxq %%r12, %%r13\n\t"                                                                       \
    "adcxq %%r12, %%r13\n\t"                                                                       \
    "imulq $38, %%r13, %%r13\n\t"                                                                  \
    "addq %%r13, %%r8\n\t"                                                                         \
    "adcq $0, %%r9\n\t"                                                                            \
    "adcq $0, %%r10\n\t"                                                                           \
    "adcq $0, %%r11\n\t"                                                                           \
    "sbbq %%rax, %%rax\n\t"                                                                        \
    "andl $38, %%eax\n\t"                                                                          \
    "addq %%rax, %%r8\n\t"                                                                         \
    "movq %%r8, 0(%[h])\n\t"                                                                       \
    "movq %%r9, 8(%[h])\n\t"                                                                       \
    "movq %%r10, 16(%[h])\n\t"                                                                     \
    "movq %%r11, 24(%[h])\n\t"

/* One row i >= 1 of the schoolbook product: [r(i) .. r(i+4)] += a_i · b, the low halves on
 * the CF chain and the high halves on the OF chain. */
#define FE64_ROW(ai, r0, r1, r2, r3, r4)                                                           \
    "movq " ai ", %%rdx\n\t"                                                                       \
    "xorl %%" r4 "d, %%" r4 "d\n\t"                                                                \
    "mulxq 0(%[b]), %%rax, %%rbx\n\t"                                                              \
    "adcxq %%rax, %%" r0 "\n\t"                                                                    \
    "adoxq %%rbx, %%" r1 "\n\t"                                                                    \
    "mulxq 8(%[b]), %%rax, %%rbx\n\t"                                                              \
    "adcxq %%rax, %%" r1 "\n\t"                                                                    \
    "adoxq %%rbx, %%" r2 "\n\t"                                                                    \
    "mulxq 16(%[b]), %%rax, %%rbx\n\t"                                                             \
    "adcxq %%rax, %%" r2 "\n\t"                                                                    \
    "adoxq %%rbx, %%" r3 "\n\t"                                                                    \
    "mulxq 24(%[b]), %%rax, %%rbx\n\t"                                                             \
    "adcxq %%rax, %%" r3 "\n\t"                                                                    \
    "adoxq %%rbx, %%" r4 "\n\t"                                                                    \
    "adcq $0, %%" r4 "\n\t"

/* h = a·b. h may alias a or b: every input is read before h is written. */
static inline __attribute__((always_inline)) void fe64_mul(fe64 *h, const fe64 *a, const fe64 *b)
{
    __asm__ volatile("movq 0(%[a]), %%rdx\n\t"
                     "mulxq 0(%[b]), %%r8, %%r9\n\t"
                     "mulxq 8(%[b]), %%rax, %%r10\n\t"
                     "addq %%rax, %%r9\n\t"
                     "mulxq 16(%[b]), %%rax, %%r11\n\t"
                     "adcq %%rax, %%r10\n\t"
                     "mulxq 24(%[b]), %%rax, %%r12\n\t"
                     "adcq %%rax, %%r11\n\t"
                     "adcq $0, %%r12\n\t" /* [r8..r12] = a0·b */
                     FE64_ROW("8(%[a])", "r9", "r10", "r11", "r12", "r13")
                         FE64_ROW("16(%[a])", "r10", "r11", "r12", "r13", "r14")
                             FE64_ROW("24(%[a])", "r11", "r12", "r13", "r14", "r15") FE64_REDUCE_512
                     :
                     : [h] "r"(h->l), [a] "r"(a->l), [b] "r"(b->l)
                     : "rax", "rbx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
                       "cc", "memory");
}

/* RFC 7748 §5: the canonical encoding. Bit 255 is folded in as +19 (2^255 = 19 mod p), which
 * leaves a value below 2^255 + 19; then q = 1 exactly when it is >= p (the carry into bit 255
 * of value + 19), and value + 19q with bit 255 cleared is value - qp. */
static void fe64_tobytes(uint8_t s[32], const fe64 *f)
{
    uint64_t h[4];
    fe_u128 acc = (fe_u128)(f->l[0]) + 19 * (f->l[3] >> 63);
    h[0] = (uint64_t)acc;
    acc = (fe_u128)f->l[1] + (uint64_t)(acc >> 64);
    h[1] = (uint64_t)acc;
    acc = (fe_u128)f->l[2] + (uint64_t)(acc >> 64);
    h[2] = (uint64_t)acc;
    h[3] = (f->l[3] & (UINT64_MAX >> 1)) + (uint64_t)(acc >> 64);

    acc = (fe_u128)h[0] + 19;
    acc = (fe_u128)h[1] + (uint64_t)(acc >> 64);
    acc = (fe_u128)h[2] + (uint64_t)(acc >> 64);
    uint64_t q = (h[3] + (uint64_t)(acc >> 64)) >> 63;

    acc = (fe_u128)h[0] + 19 * q;
    h[0] = (uint64_t)acc;
    acc = (fe_u128)h[1] + (uint64_t)(acc >> 64);
    h[1] = (uint64_t)acc;
    acc = (fe_u128)h[2] + (uint64_t)(acc >> 64);
    h[2] = (uint64_t)acc;
    h[3] = (h[3] + (uint64_t)(acc >> 64)) & (UINT64_MAX >> 1);
    for (int i = 0; i < 4; i++)
        store_le64(s + 8 * i, h[i]);
    tenon_wipe(h, sizeof h);
}

/*
 * Two independent products in one instruction stream. A single product is a few long carry
 * chains; the processor's scheduler fills up with one product's waiting additions before it
 * reaches the next product, so two products written one after the other barely overlap.
 * Interleaving their rows (P row 0, Q row 0, P row 1, ...) puts independent chains side by
 * side, and the ladder has two independent products at every stage.
 *
 * Registers: P accumulates in r8..r12 and Q in r13..r15, rcx, rsi, five words each used in
 * rotation: after row i the word of weight i is final and goes to a scratch slot (rows 0..2)
 * or stays (row 3). rax and rbx take the halves of each mulx. Every operand is addressed as an
 * offset from one base register (the ladder state), which leaves enough registers.
 */
typedef struct ladder_state {
    fe64 x1, x2, z2, x3, z3, a, b, c, d, aa, bb, e, f, t0, t1, sa, sb;
    uint64_t scratch[10];
    uint64_t mask; /* the next step's swap mask, for ladder_mul_add_sub_select */
    uint64_t zero; /* 0: adox takes it from memory, which saves a register and a move */
} ladder_state;

#define LS_OFF(field) "i"(offsetof(ladder_state, field))

/* clang-format off */

/* Row 0 of a product: [r0..r4] = a0·b, word 0 to the scratch slot s. */
#define MUL2_ROW0(a, b, s, r0, r1, r2, r3, r4)                                                     \
    "movq %c[" a "](%[st]), %%rdx\n\t"                                                             \
    "mulxq %c[" b "](%[st]), %%" r0 ", %%" r1 "\n\t"                                               \
    "mulxq 8+%c[" b "](%[st]), %%rax, %%" r2 "\n\t"                                                \
    "addq %%rax, %%" r1 "\n\t"                                                                     \
    "mulxq 16+%c[" b "](%[st]), %%rax, %%" r3 "\n\t"                                               \
    "adcq %%rax, %%" r2 "\n\t"                                                                     \
    "mulxq 24+%c[" b "](%[st]), %%rax, %%" r4 "\n\t"                                               \
    "adcq %%rax, %%" r3 "\n\t"                                                                     \
    "adcq $0, %%" r4 "\n\t"                                                                        \
    "movq %%" r0 ", " s "+%c[sc](%[st])\n\t"

/* Row i >= 1: [r0..r4] += a_i·b with r4 starting at 0 (r4d: its 32-bit name); lows on CF,
 * highs on OF. */
#define MUL2_ROW(ai, b, r0, r1, r2, r3, r4, r4d)                                                   \
    "movq " ai "(%[st]), %%rdx\n\t"                                                                \
    "xorl %%" r4d ", %%" r4d "\n\t"                                                                \
    "mulxq %c[" b "](%[st]), %%rax, %%rbx\n\t"                                                     \
    "adcxq %%rax, %%" r0 "\n\t"                                                                    \
    "adoxq %%rbx, %%" r1 "\n\t"                                                                    \
    "mulxq 8+%c[" b "](%[st]), %%rax, %%rbx\n\t"                                                   \
    "adcxq %%rax, %%" r1 "\n\t"                                                                    \
    "adoxq %%rbx, %%" r2 "\n\t"                                                                    \
    "mulxq 16+%c[" b "](%[st]), %%rax, %%rbx\n\t"                                                  \
    "adcxq %%rax, %%" r2 "\n\t"                                                                    \
    "adoxq %%rbx, %%" r3 "\n\t"                                                                    \
    "mulxq 24+%c[" b "](%[st]), %%rax, %%rbx\n\t"                                                  \
    "adcxq %%rax, %%" r3 "\n\t"                                                                    \
    "adoxq %%rbx, %%" r4 "\n\t"                                                                    \
    "adcq $0, %%" r4 "\n\t"

/* The 512-bit product is s0, s1, s2 (scratch from slot s), w3 and the high words w4..w7;
 * it becomes low half + 38·high half (below 39·2^256), then the top word and bit 255 are
 * folded in once as 19·(2·top + bit 255), which leaves a value below 2^255 + 1463. The result
 * is left in w4, w5, w6, w3 (least significant first). 2·top + bit 255 is formed by add, adc
 * and shr rather than shld and btr: on Zen 5 a shld r, r, imm takes about as much of the
 * integer ALUs' throughput as six adds, and the ladder is bound by that throughput. */
#define MUL2_REDUCE(s, w3, w4, w5, w6, w7)                                                         \
    "movl $38, %%edx\n\t"                                                                          \
    "xorl %%eax, %%eax\n\t"                                                                        \
    "mulxq %%" w4 ", %%" w4 ", %%rax\n\t"                                                          \
    "adcxq " s "+%c[sc](%[st]), %%" w4 "\n\t"                                                      \
    "mulxq %%" w5 ", %%" w5 ", %%rbx\n\t"                                                          \
    "adcxq 8+" s "+%c[sc](%[st]), %%" w5 "\n\t"                                                    \
    "adoxq %%rax, %%" w5 "\n\t"                                                                    \
    "mulxq %%" w6 ", %%" w6 ", %%rax\n\t"                                                          \
    "adcxq 16+" s "+%c[sc](%[st]), %%" w6 "\n\t"                                                   \
    "adoxq %%rbx, %%" w6 "\n\t"                                                                    \
    "mulxq %%" w7 ", %%" w7 ", %%rbx\n\t"                                                          \
    "adcxq %%" w7 ", %%" w3 "\n\t"                                                                 \
    "adoxq %%rax, %%" w3 "\n\t"                                                                    \
    "adoxq %c[z0](%[st]), %%rbx\n\t"                                                               \
    "adcq $0, %%rbx\n\t"                                                                           \
    "addq %%" w3 ", %%" w3 "\n\t"                                                                  \
    "adcq %%rbx, %%rbx\n\t"                                                                        \
    "shrq $1, %%" w3 "\n\t"                                                                        \
    "imulq $19, %%rbx, %%rbx\n\t"                                                                  \
    "addq %%rbx, %%" w4 "\n\t"                                                                     \
    "adcq $0, %%" w5 "\n\t"                                                                        \
    "adcq $0, %%" w6 "\n\t"                                                                        \
    "adcq $0, %%" w3 "\n\t"

/* Both products, P in r12, r8, r9, r11 and Q in rsi, r13, r14, rcx; rax, rbx, rdx, r10 and
 * r15 are free afterwards. */
#define MUL2_BODY                                                                                  \
    MUL2_ROW0("pa", "pb", "0", "r8", "r9", "r10", "r11", "r12")                                    \
    MUL2_ROW0("qa", "qb", "24", "r13", "r14", "r15", "rcx", "rsi")                                 \
    MUL2_ROW("8+%c[pa]", "pb", "r9", "r10", "r11", "r12", "r8", "r8d")                             \
    "movq %%r9, 8+%c[sc](%[st])\n\t"                                                               \
    MUL2_ROW("8+%c[qa]", "qb", "r14", "r15", "rcx", "rsi", "r13", "r13d")                          \
    "movq %%r14, 32+%c[sc](%[st])\n\t"                                                             \
    MUL2_ROW("16+%c[pa]", "pb", "r10", "r11", "r12", "r8", "r9", "r9d")                            \
    "movq %%r10, 16+%c[sc](%[st])\n\t"                                                             \
    MUL2_ROW("16+%c[qa]", "qb", "r15", "rcx", "rsi", "r13", "r14", "r14d")                         \
    "movq %%r15, 40+%c[sc](%[st])\n\t"                                                             \
    MUL2_ROW("24+%c[pa]", "pb", "r11", "r12", "r8", "r9", "r10", "r10d")                           \
    MUL2_ROW("24+%c[qa]", "qb", "rcx", "rsi", "r13", "r14", "r15", "r15d")                         \
    MUL2_REDUCE("0", "r11", "r12", "r8", "r9", "r10")                                              \
    MUL2_REDUCE("24", "rcx", "rsi", "r13", "r14", "r15")

#define MUL2_STORE(off, w0, w1, w2, w3)                                                            \
    "movq %%" w0 ", %c[" off "](%[st])\n\t"                                                        \
    "movq %%" w1 ", 8+%c[" off "](%[st])\n\t"                                                      \
    "movq %%" w2 ", 16+%c[" off "](%[st])\n\t"                                                     \
    "movq %%" w3 ", 24+%c[" off "](%[st])\n\t"

/* [ph] = P, [qh] = Q. */
#define MUL2_TAIL_STORE                                                                            \
    MUL2_STORE("ph", "r12", "r8", "r9", "r11")                                                     \
    MUL2_STORE("qh", "rsi", "r13", "r14", "rcx")

/* [qh] = Q, then [ph] = P + Q in place of Q (a carry out of bit 255 is worth 38, as in
 * fe64_add), then [qh] = P - Q in place of P with Q read back from [qh] (a borrow is worth
 * -38): Q goes through memory rather than through register copies. */
#define MUL2_TAIL_SUM_DIFF                                                                         \
    MUL2_STORE("qh", "rsi", "r13", "r14", "rcx")                                                   \
    "addq %%r12, %%rsi\n\t"                                                                        \
    "adcq %%r8, %%r13\n\t"                                                                         \
    "adcq %%r9, %%r14\n\t"                                                                         \
    "adcq %%r11, %%rcx\n\t"                                                                        \
    "sbbq %%r15, %%r15\n\t"                                                                        \
    "andl $38, %%r15d\n\t"                                                                         \
    "addq %%r15, %%rsi\n\t"                                                                        \
    "adcq $0, %%r13\n\t"                                                                           \
    "adcq $0, %%r14\n\t"                                                                           \
    "adcq $0, %%rcx\n\t"                                                                           \
    MUL2_STORE("ph", "rsi", "r13", "r14", "rcx")                                                   \
    "subq %c[qh](%[st]), %%r12\n\t"                                                                \
    "sbbq 8+%c[qh](%[st]), %%r8\n\t"                                                               \
    "sbbq 16+%c[qh](%[st]), %%r9\n\t"                                                              \
    "sbbq 24+%c[qh](%[st]), %%r11\n\t"                                                             \
    "sbbq %%r15, %%r15\n\t"                                                                        \
    "andl $38, %%r15d\n\t"                                                                         \
    "subq %%r15, %%r12\n\t"                                                                        \
    "sbbq $0, %%r8\n\t"                                                                            \
    "sbbq $0, %%r9\n\t"                                                                            \
    "sbbq $0, %%r11\n\t"                                                                           \
    MUL2_STORE("qh", "r12", "r8", "r9", "r11")

/* P = st->A · st->B and Q = st->C · st->D (fields of ladder_state), then TAIL writes the
 * results to the fields H, G and X. Every input is read before any output is written, so
 * outputs may alias inputs. */
#define FE64_MUL2_THEN(state, TAIL, H, G, X, A, B, C, D)                                           \
    __asm__ volatile(MUL2_BODY TAIL                                                                \
                     :                                                                             \
                     : [st] "r"(state), [ph] LS_OFF(H), [qh] LS_OFF(G), [xh] LS_OFF(X),            \
                       [pa] LS_OFF(A), [pb] LS_OFF(B), [qa] LS_OFF(C), [qb] LS_OFF(D),             \
                       [sc] LS_OFF(scratch), [z0] LS_OFF(zero)                                     \
                     : "rax", "rbx", "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "r12", "r13",  \
                       "r14", "r15", "cc", "memory")

/*
 * Two independent squarings in one instruction stream (as FE64_MUL2 does for products): the
 * six cross products a_i·a_j (i < j) of each square, rows interleaved, then for each square
 * the doubling (CF chain) with the squares a_i^2 added in (OF chain), and the reduction.
 * P keeps its cross words 2..6 in r9, r10, r11, r12, r8 and Q in r14, r15, rcx, rsi, r13;
 * word 1 and the final words 0..3 go to scratch (P from slot 0, Q from slot 40).
 */

/* Cross products of the square of [a]: words 2..6 in c2..c6, word 1 (c1) to the scratch.
 * c5d is c5's 32-bit name. */
#define SQ2_CROSS_ROW0(a, s, c1, c2, c3, c4)                                                       \
    "movq %c[" a "](%[st]), %%rdx\n\t"                                                             \
    "mulxq 8+%c[" a "](%[st]), %%" c1 ", %%" c2 "\n\t"                                             \
    "mulxq 16+%c[" a "](%[st]), %%rax, %%" c3 "\n\t"                                               \
    "addq %%rax, %%" c2 "\n\t"                                                                     \
    "mulxq 24+%c[" a "](%[st]), %%rax, %%" c4 "\n\t"                                               \
    "adcq %%rax, %%" c3 "\n\t"                                                                     \
    "adcq $0, %%" c4 "\n\t"                                                                        \
    "movq %%" c1 ", 32+" s "+%c[sc](%[st])\n\t"
#define SQ2_CROSS_ROW1(a, c3, c4, c5, c5d)                                                         \
    "movq 8+%c[" a "](%[st]), %%rdx\n\t"                                                           \
    "xorl %%" c5d ", %%" c5d "\n\t"                                                                \
    "mulxq 16+%c[" a "](%[st]), %%rax, %%rbx\n\t"                                                  \
    "adcxq %%rax, %%" c3 "\n\t"                                                                    \
    "adoxq %%rbx, %%" c4 "\n\t"                                                                    \
    "mulxq 24+%c[" a "](%[st]), %%rax, %%rbx\n\t"                                                  \
    "adcxq %%rax, %%" c4 "\n\t"                                                                    \
    "adoxq %%rbx, %%" c5 "\n\t"                                                                    \
    "adcq $0, %%" c5 "\n\t"
#define SQ2_CROSS_ROW2(a, c5, c6)                                                                  \
    "movq 16+%c[" a "](%[st]), %%rdx\n\t"                                                          \
    "mulxq 24+%c[" a "](%[st]), %%rax, %%" c6 "\n\t"                                               \
    "addq %%rax, %%" c5 "\n\t"                                                                     \
    "adcq $0, %%" c6 "\n\t"

/* Doubling plus squares: words 0..3 to the scratch, 4..6 in c4..c6, word 7 in rbx. */
#define SQ2_DIAG(a, s, c2, c3, c4, c5, c6)                                                         \
    "movq %c[" a "](%[st]), %%rdx\n\t"                                                             \
    "xorl %%eax, %%eax\n\t"                                                                        \
    "mulxq %%rdx, %%rax, %%rbx\n\t"                                                                \
    "movq %%rax, " s "+%c[sc](%[st])\n\t"                                                          \
    "movq 32+" s "+%c[sc](%[st]), %%rax\n\t"                                                       \
    "adcxq %%rax, %%rax\n\t"                                                                       \
    "adoxq %%rbx, %%rax\n\t"                                                                       \
    "movq %%rax, 8+" s "+%c[sc](%[st])\n\t"                                                        \
    "movq 8+%c[" a "](%[st]), %%rdx\n\t"                                                           \
    "mulxq %%rdx, %%rax, %%rbx\n\t"                                                                \
    "adcxq %%" c2 ", %%" c2 "\n\t"                                                                 \
    "adoxq %%rax, %%" c2 "\n\t"                                                                    \
    "adcxq %%" c3 ", %%" c3 "\n\t"                                                                 \
    "adoxq %%rbx, %%" c3 "\n\t"                                                                    \
    "movq %%" c2 ", 16+" s "+%c[sc](%[st])\n\t"                                                    \
    "movq %%" c3 ", 24+" s "+%c[sc](%[st])\n\t"                                                    \
    "movq 16+%c[" a "](%[st]), %%rdx\n\t"                                                          \
    "mulxq %%rdx, %%rax, %%rbx\n\t"                                                                \
    "adcxq %%" c4 ", %%" c4 "\n\t"                                                                 \
    "adoxq %%rax, %%" c4 "\n\t"                                                                    \
    "adcxq %%" c5 ", %%" c5 "\n\t"                                                                 \
    "adoxq %%rbx, %%" c5 "\n\t"                                                                    \
    "movq 24+%c[" a "](%[st]), %%rdx\n\t"                                                          \
    "mulxq %%rdx, %%rax, %%rbx\n\t"                                                                \
    "adcxq %%" c6 ", %%" c6 "\n\t"                                                                 \
    "adoxq %%rax, %%" c6 "\n\t"                                                                    \
    "adoxq %c[z0](%[st]), %%rbx\n\t"                                                               \
    "adcq $0, %%rbx\n\t"                                                                           \

/* Words 0..3 in the scratch, 4..7 in c4, c5, c6, rbx: low half + 38·high half, folded as
 * in FE64_REDUCE_512; the result is left in c4, c5, c6, rax. c3 (c3d: its 32-bit name) is
 * free and serves as a temporary. */
#define SQ2_REDUCE(s, c3, c3d, c4, c5, c6)                                                         \
    "movl $38, %%edx\n\t"                                                                          \
    "xorl %%eax, %%eax\n\t"                                                                        \
    "mulxq %%" c4 ", %%" c4 ", %%" c3 "\n\t"                                                       \
    "adcxq " s "+%c[sc](%[st]), %%" c4 "\n\t"                                                      \
    "mulxq %%" c5 ", %%" c5 ", %%rax\n\t"                                                          \
    "adcxq 8+" s "+%c[sc](%[st]), %%" c5 "\n\t"                                                    \
    "adoxq %%" c3 ", %%" c5 "\n\t"                                                                 \
    "mulxq %%" c6 ", %%" c6 ", %%" c3 "\n\t"                                                       \
    "adcxq 16+" s "+%c[sc](%[st]), %%" c6 "\n\t"                                                   \
    "adoxq %%rax, %%" c6 "\n\t"                                                                    \
    "mulxq %%rbx, %%rax, %%rbx\n\t"                                                                \
    "adcxq 24+" s "+%c[sc](%[st]), %%rax\n\t"                                                      \
    "adoxq %%" c3 ", %%rax\n\t"                                                                    \
    "adoxq %c[z0](%[st]), %%rbx\n\t"                                                               \
    "adcq $0, %%rbx\n\t"                                                                           \
    "addq %%rax, %%rax\n\t"                                                                        \
    "adcq %%rbx, %%rbx\n\t"                                                                        \
    "shrq $1, %%rax\n\t"                                                                           \
    "imulq $19, %%rbx, %%rbx\n\t"                                                                  \
    "addq %%rbx, %%" c4 "\n\t"                                                                     \
    "adcq $0, %%" c5 "\n\t"                                                                        \
    "adcq $0, %%" c6 "\n\t"                                                                        \
    "adcq $0, %%rax\n\t"

#define SQ2_BODY                                                                                   \
    SQ2_CROSS_ROW0("pa", "0", "r8", "r9", "r10", "r11")                                            \
    SQ2_CROSS_ROW0("qa", "40", "r13", "r14", "r15", "rcx")                                         \
    SQ2_CROSS_ROW1("pa", "r10", "r11", "r12", "r12d")                                              \
    SQ2_CROSS_ROW1("qa", "r15", "rcx", "rsi", "esi")                                               \
    SQ2_CROSS_ROW2("pa", "r12", "r8")                                                              \
    SQ2_CROSS_ROW2("qa", "rsi", "r13")                                                             \
    SQ2_DIAG("pa", "0", "r9", "r10", "r11", "r12", "r8")                                           \
    SQ2_REDUCE("0", "r10", "r10d", "r11", "r12", "r8")                                             \
    MUL2_STORE("ph", "r11", "r12", "r8", "rax")                                                    \
    SQ2_DIAG("qa", "40", "r14", "r15", "rcx", "rsi", "r13")                                        \
    SQ2_REDUCE("40", "r15", "r15d", "rcx", "rsi", "r13")

/* [qh] = Q (in rcx, rsi, r13, rax). */
#define SQ2_TAIL_STORE MUL2_STORE("qh", "rcx", "rsi", "r13", "rax")

/* [qh] = Q and [xh] = P - Q, with P read back from [ph] (a borrow is worth -38). */
#define SQ2_TAIL_SUB                                                                               \
    SQ2_TAIL_STORE                                                                                 \
    "movq %c[ph](%[st]), %%r8\n\t"                                                                 \
    "subq %%rcx, %%r8\n\t"                                                                         \
    "movq 8+%c[ph](%[st]), %%r9\n\t"                                                               \
    "sbbq %%rsi, %%r9\n\t"                                                                         \
    "movq 16+%c[ph](%[st]), %%r10\n\t"                                                             \
    "sbbq %%r13, %%r10\n\t"                                                                        \
    "movq 24+%c[ph](%[st]), %%r11\n\t"                                                             \
    "sbbq %%rax, %%r11\n\t"                                                                        \
    "sbbq %%rbx, %%rbx\n\t"                                                                        \
    "andl $38, %%ebx\n\t"                                                                          \
    "subq %%rbx, %%r8\n\t"                                                                         \
    "sbbq $0, %%r9\n\t"                                                                            \
    "sbbq $0, %%r10\n\t"                                                                           \
    "sbbq $0, %%r11\n\t"                                                                           \
    MUL2_STORE("xh", "r8", "r9", "r10", "r11")

/* st->H = st->A^2 and st->G = st->C^2, then TAIL. Inputs are read before outputs are
 * written except that H is written before C is squared: H must not alias C. */
#define FE64_SQ2_THEN(state, TAIL, H, G, X, A, C)                                                  \
    __asm__ volatile(SQ2_BODY TAIL                                                                 \
                     :                                                                             \
                     : [st] "r"(state), [ph] LS_OFF(H), [qh] LS_OFF(G), [xh] LS_OFF(X),            \
                       [pa] LS_OFF(A), [qa] LS_OFF(C), [sc] LS_OFF(scratch), [z0] LS_OFF(zero)     \
                     : "rax", "rbx", "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "r12", "r13",  \
                       "r14", "r15", "cc", "memory")

/* clang-format on */

/* H = A·B, G = C·D. */
#define FE64_MUL2(state, H, A, B, G, C, D)                                                         \
    FE64_MUL2_THEN(state, MUL2_TAIL_STORE, H, G, H, A, B, C, D)
/* H = A^2, G = C^2 (H must not alias C). */
#define FE64_SQ2(state, H, A, G, C) FE64_SQ2_THEN(state, SQ2_TAIL_STORE, H, G, H, A, C)
/* H = A^2, G = C^2, X = A^2 - C^2 (H must not alias C). */
#define FE64_SQ2_SUB(state, H, G, X, A, C) FE64_SQ2_THEN(state, SQ2_TAIL_SUB, H, G, X, A, C)
/* H = A·B + C·D, G = A·B - C·D. */
#define FE64_MUL2_ADDSUB(state, H, G, A, B, C, D)                                                  \
    FE64_MUL2_THEN(state, MUL2_TAIL_SUM_DIFF, H, G, H, A, B, C, D)
/* clang-format off */

/* [r0..r3] = [f] + [g] (fields of ladder_state), folding carries as in fe64_add. */
#define LADDER_ADD(f, g, r0, r1, r2, r3)                                                           \
    "movq %c[" f "](%[st]), %%" r0 "\n\t"                                                          \
    "addq %c[" g "](%[st]), %%" r0 "\n\t"                                                          \
    "movq 8+%c[" f "](%[st]), %%" r1 "\n\t"                                                        \
    "adcq 8+%c[" g "](%[st]), %%" r1 "\n\t"                                                        \
    "movq 16+%c[" f "](%[st]), %%" r2 "\n\t"                                                       \
    "adcq 16+%c[" g "](%[st]), %%" r2 "\n\t"                                                       \
    "movq 24+%c[" f "](%[st]), %%" r3 "\n\t"                                                       \
    "adcq 24+%c[" g "](%[st]), %%" r3 "\n\t"                                                       \
    "sbbq %%rcx, %%rcx\n\t"                                                                        \
    "andl $38, %%ecx\n\t"                                                                          \
    "addq %%rcx, %%" r0 "\n\t"                                                                     \
    "adcq $0, %%" r1 "\n\t"                                                                        \
    "adcq $0, %%" r2 "\n\t"                                                                        \
    "adcq $0, %%" r3 "\n\t"

/* [r0..r3] = [f] - [g], folding borrows as in fe64_sub. */
#define LADDER_SUB(f, g, r0, r1, r2, r3)                                                           \
    "movq %c[" f "](%[st]), %%" r0 "\n\t"                                                          \
    "subq %c[" g "](%[st]), %%" r0 "\n\t"                                                          \
    "movq 8+%c[" f "](%[st]), %%" r1 "\n\t"                                                        \
    "sbbq 8+%c[" g "](%[st]), %%" r1 "\n\t"                                                        \
    "movq 16+%c[" f "](%[st]), %%" r2 "\n\t"                                                       \
    "sbbq 16+%c[" g "](%[st]), %%" r2 "\n\t"                                                       \
    "movq 24+%c[" f "](%[st]), %%" r3 "\n\t"                                                       \
    "sbbq 24+%c[" g "](%[st]), %%" r3 "\n\t"                                                       \
    "sbbq %%rcx, %%rcx\n\t"                                                                        \
    "andl $38, %%ecx\n\t"                                                                          \
    "subq %%rcx, %%" r0 "\n\t"                                                                     \
    "sbbq $0, %%" r1 "\n\t"                                                                        \
    "sbbq $0, %%" r2 "\n\t"                                                                        \
    "sbbq $0, %%" r3 "\n\t"

/* [o] = [r0..r3] if the mask is 0, [r4..r7] if it is all-ones (rax is the temporary). */
#define LADDER_SELECT_WORD(o, x, y)                                                                \
    "movq %%" x ", %%rax\n\t"                                                                      \
    "xorq %%" y ", %%rax\n\t"                                                                      \
    "andq %[m], %%rax\n\t"                                                                         \
    "xorq %%" x ", %%rax\n\t"                                                                      \
    "movq %%rax, " o "(%[st])\n\t"
#define LADDER_STORE_SELECT(o1, o2, os)                                                            \
    MUL2_STORE(o1, "r8", "r9", "r10", "r11")                                                       \
    MUL2_STORE(o2, "r12", "r13", "r14", "r15")                                                     \
    LADDER_SELECT_WORD("%c[" os "]", "r8", "r12")                                                  \
    LADDER_SELECT_WORD("8+%c[" os "]", "r9", "r13")                                                \
    LADDER_SELECT_WORD("16+%c[" os "]", "r10", "r14")                                              \
    LADDER_SELECT_WORD("24+%c[" os "]", "r11", "r15")

/* clang-format on */

/*
 * The start of a ladder step (RFC 7748 §5): A = x_2 + z_2, B = x_2 - z_2, C = x_3 + z_3,
 * D = x_3 - z_3 for the pairs as they are, and (SA, SB) = (A, B), or (C, D) when the step
 * swaps. The RFC swaps (x_2, z_2) with (x_3, z_3) first; that exchanges A with C and B with D,
 * which leaves DA + CB as it is and only negates DA - CB, which is squared: x_3 and z_3 come
 * out the same either way, and only the doubling (AA, BB from SA, SB) reads the swapped pair.
 * Its outputs go to x_2, z_2 and the sum's to x_3, z_3, as after the RFC's swap, so the
 * state after the step is the RFC's. Half the words of a full swap are selected.
 */
static inline __attribute__((always_inline)) void ladder_add_sub_select(ladder_state *state,
                                                                        uint64_t mask)
{
    __asm__ volatile(
        LADDER_ADD("x2", "z2", "r8", "r9", "r10", "r11")
            LADDER_ADD("x3", "z3", "r12", "r13", "r14", "r15") LADDER_STORE_SELECT("a", "c", "sa")
                LADDER_SUB("x2", "z2", "r8", "r9", "r10", "r11")
                    LADDER_SUB("x3", "z3", "r12", "r13", "r14", "r15")
                        LADDER_STORE_SELECT("b", "d", "sb")
        :
        : [st] "r"(state), [m] "r"(mask), [x2] LS_OFF(x2), [z2] LS_OFF(z2), [x3] LS_OFF(x3),
          [z3] LS_OFF(z3), [a] LS_OFF(a), [b] LS_OFF(b), [c] LS_OFF(c), [d] LS_OFF(d),
          [sa] LS_OFF(sa), [sb] LS_OFF(sb)
        : "rax", "rcx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "cc", "memory");
}

/* clang-format off */

/* [o] = [w0..w3] +/- [g] (g a field of the state, w registers) into r13, r14, r15, r10 with
 * the fold of fe64 addition / subtraction (rcx the temporary). */
#define LADDER_ADD_REG(f, w0, w1, w2, w3)                                                          \
    "movq %c[" f "](%[st]), %%r13\n\t"                                                             \
    "addq %%" w0 ", %%r13\n\t"                                                                     \
    "movq 8+%c[" f "](%[st]), %%r14\n\t"                                                           \
    "adcq %%" w1 ", %%r14\n\t"                                                                     \
    "movq 16+%c[" f "](%[st]), %%r15\n\t"                                                          \
    "adcq %%" w2 ", %%r15\n\t"                                                                     \
    "movq 24+%c[" f "](%[st]), %%r10\n\t"                                                          \
    "adcq %%" w3 ", %%r10\n\t"                                                                     \
    "sbbq %%rcx, %%rcx\n\t"                                                                        \
    "andl $38, %%ecx\n\t"                                                                          \
    "addq %%rcx, %%r13\n\t"                                                                        \
    "adcq $0, %%r14\n\t"                                                                           \
    "adcq $0, %%r15\n\t"                                                                           \
    "adcq $0, %%r10\n\t"
#define LADDER_SUB_REG(f, w0, w1, w2, w3)                                                          \
    "movq %c[" f "](%[st]), %%r13\n\t"                                                             \
    "subq %%" w0 ", %%r13\n\t"                                                                     \
    "movq 8+%c[" f "](%[st]), %%r14\n\t"                                                           \
    "sbbq %%" w1 ", %%r14\n\t"                                                                     \
    "movq 16+%c[" f "](%[st]), %%r15\n\t"                                                          \
    "sbbq %%" w2 ", %%r15\n\t"                                                                     \
    "movq 24+%c[" f "](%[st]), %%r10\n\t"                                                          \
    "sbbq %%" w3 ", %%r10\n\t"                                                                     \
    "sbbq %%rcx, %%rcx\n\t"                                                                        \
    "andl $38, %%ecx\n\t"                                                                          \
    "subq %%rcx, %%r13\n\t"                                                                        \
    "sbbq $0, %%r14\n\t"                                                                           \
    "sbbq $0, %%r15\n\t"                                                                           \
    "sbbq $0, %%r10\n\t"

/* [os] = r13, r14, r15, r10 if st->mask is 0, [oc] if it is all-ones (rcx the temporary). */
#define LADDER_SELECT_MEM_WORD(o, x, oc, os)                                                       \
    "movq " o "+%c[" oc "](%[st]), %%rcx\n\t"                                                      \
    "xorq %%" x ", %%rcx\n\t"                                                                      \
    "andq %c[mk](%[st]), %%rcx\n\t"                                                                \
    "xorq %%" x ", %%rcx\n\t"                                                                      \
    "movq %%rcx, " o "+%c[" os "](%[st])\n\t"
#define LADDER_SELECT_MEM_AS(oc, os)                                                               \
    LADDER_SELECT_MEM_WORD("0", "r13", oc, os)                                                     \
    LADDER_SELECT_MEM_WORD("8", "r14", oc, os)                                                     \
    LADDER_SELECT_MEM_WORD("16", "r15", oc, os)                                                    \
    LADDER_SELECT_MEM_WORD("24", "r10", oc, os)

/* clang-format on */

/*
 * The end of a ladder step and the start of the next in one pass: z_2 = E·F, then what
 * ladder_add_sub_select does with st->mask, with z_2 taken from the registers the product
 * leaves it in rather than read back from memory (z_2 is the last value of a step, and the
 * next step's A and B wait for it).
 */
/* clang-format off */
static inline __attribute__((always_inline)) void ladder_mul_add_sub_select(ladder_state *state)
{
    __asm__ volatile(
        /* z_2 = E·F as the P half of MUL2_BODY: the result in r12, r8, r9, r11 */
        MUL2_ROW0("pa", "pb", "0", "r8", "r9", "r10", "r11", "r12")
        MUL2_ROW("8+%c[pa]", "pb", "r9", "r10", "r11", "r12", "r8", "r8d")
        "movq %%r9, 8+%c[sc](%[st])\n\t"
        MUL2_ROW("16+%c[pa]", "pb", "r10", "r11", "r12", "r8", "r9", "r9d")
        "movq %%r10, 16+%c[sc](%[st])\n\t"
        MUL2_ROW("24+%c[pa]", "pb", "r11", "r12", "r8", "r9", "r10", "r10d")
        MUL2_REDUCE("0", "r11", "r12", "r8", "r9", "r10")
        MUL2_STORE("z2", "r12", "r8", "r9", "r11")
        LADDER_ADD("x3", "z3", "r13", "r14", "r15", "r10")
        MUL2_STORE("c", "r13", "r14", "r15", "r10")
        LADDER_SUB("x3", "z3", "r13", "r14", "r15", "r10")
        MUL2_STORE("d", "r13", "r14", "r15", "r10")
        LADDER_ADD_REG("x2", "r12", "r8", "r9", "r11")
        MUL2_STORE("a", "r13", "r14", "r15", "r10")
        LADDER_SELECT_MEM_AS("c", "sa")
        LADDER_SUB_REG("x2", "r12", "r8", "r9", "r11")
        MUL2_STORE("b", "r13", "r14", "r15", "r10")
        LADDER_SELECT_MEM_AS("d", "sb")
        :
        : [st] "r"(state), [pa] LS_OFF(e), [pb] LS_OFF(f), [sc] LS_OFF(scratch), [z0] LS_OFF(zero),
          [mk] LS_OFF(mask), [x2] LS_OFF(x2), [z2] LS_OFF(z2), [x3] LS_OFF(x3), [z3] LS_OFF(z3),
          [a] LS_OFF(a), [b] LS_OFF(b), [c] LS_OFF(c), [d] LS_OFF(d), [sa] LS_OFF(sa),
          [sb] LS_OFF(sb)
        : "rax", "rbx", "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "r12", "r13", "r14",
          "r15", "cc", "memory");
}
/* clang-format on */

/* h = e·121665 + aa (RFC 7748 §5: AA + a24·E): the top word and bit 255 (at most 2·121665 + 1)
 * folded in once as 19 times that, which leaves h below 2^255 + 2^23. */
static inline __attribute__((always_inline)) void fe64_mul_a24_add(fe64 *h, const fe64 *e,
                                                                   const fe64 *aa)
{
    __asm__ volatile("movl $121665, %%edx\n\t"
                     "mulxq 0(%[e]), %%r8, %%r9\n\t"
                     "mulxq 8(%[e]), %%rax, %%r10\n\t"
                     "addq %%rax, %%r9\n\t"
                     "mulxq 16(%[e]), %%rax, %%r11\n\t"
                     "adcq %%rax, %%r10\n\t"
                     "mulxq 24(%[e]), %%rax, %%rdx\n\t"
                     "adcq %%rax, %%r11\n\t"
                     "adcq $0, %%rdx\n\t"
                     "addq 0(%[aa]), %%r8\n\t"
                     "adcq 8(%[aa]), %%r9\n\t"
                     "adcq 16(%[aa]), %%r10\n\t"
                     "adcq 24(%[aa]), %%r11\n\t"
                     "adcq $0, %%rdx\n\t"
                     "addq %%r11, %%r11\n\t"
                     "adcq %%rdx, %%rdx\n\t"
                     "shrq $1, %%r11\n\t"
                     "imulq $19, %%rdx, %%rdx\n\t"
                     "addq %%rdx, %%r8\n\t"
                     "adcq $0, %%r9\n\t"
                     "adcq $0, %%r10\n\t"
                     "adcq $0, %%r11\n\t"
                     "movq %%r8, 0(%[h])\n\t"
                     "movq %%r9, 8(%[h])\n\t"
                     "movq %%r10, 16(%[h])\n\t"
                     "movq %%r11, 24(%[h])\n\t"
                     :
                     : [h] "r"(h->l), [e] "r"(e->l), [aa] "r"(aa->l)
                     : "rax", "rdx", "r8", "r9", "r10", "r11", "cc", "memory");
}

/* Four limbs of the canonical encoding of f (fe64_tobytes). */
static void fe64_canonical(uint64_t r[4], const fe64 *f)
{
    uint8_t b[32];
    fe64_tobytes(b, f);
    for (int i = 0; i < 4; i++)
        r[i] = load_le64(b + 8 * i);
    tenon_wipe(b, sizeof b);
}

/*
 * RFC 7748 §5: out = x_2 · z_2^(p - 2) = x_2 / z_2, the inversion blinded: with beta a secret
 * derived from the scalar and u (SHA-256 of a label, k and u; its 256 bits taken mod p are
 * uniform within 2^-250 to anyone who does not know k), z_2·beta is uniform and independent of
 * every secret, so the variable-time divsteps inversion (ec_modinv.c) may take it, marked
 * public for valgrind; z_2^-1 = beta·(z_2·beta)^-1. The constant-time divsteps of x25519_inv.c
 * cost about twice as much. z_2 = 0 (u of small order) gives 0, as z_2^(p - 2) does; so does
 * beta = 0 mod p (probability 2^-254), which the caller sees as an all-zero shared secret.
 * s->a and s->b are free here and take beta and the inverse.
 */
static void x25519_adx_finish(uint8_t out[32], fe64 *x2, fe64 *z2, ladder_state *s,
                              const uint8_t k[32], const uint8_t u[32])
{
    uint8_t beta[32];
    uint64_t t[4];
    x25519_inversion_blind(beta, k, u);
    for (int i = 0; i < 4; i++)
        s->a.l[i] = load_le64(beta + 8 * i); /* any value below 2^256 stands for its residue */
    fe64_mul(&s->b, z2, &s->a);
    fe64_canonical(t, &s->b);
    ct_declassify(t, sizeof t); /* uniform, independent of the secrets: see above */
    ec_modinv256_var(s->b.l, t, &x25519_p_modinv);
    fe64_mul(&s->b, &s->b, &s->a); /* z_2^-1 */
    fe64_mul(x2, x2, &s->b);
    fe64_tobytes(out, x2);
    tenon_wipe(beta, sizeof beta);
    tenon_wipe(t, sizeof t);
}

/* The test hook of x25519_field.h: each operation through the asm the ladder runs. */
TENON_TARGET("bmi2,adx")
void x25519_adx_field_op(uint64_t r[4], int op, const uint64_t a[4], const uint64_t b[4])
{
    ladder_state st;
    ladder_state *s = &st;
    const fe64 one = {{1, 0, 0, 0}};
    fe64 fa, fb;
    memset(&st, 0, sizeof st);
    memcpy(fa.l, a, 32);
    memcpy(fb.l, b, 32);
    const fe64 *out = &s->t0;
    switch (op) {
    case X25519_ADX_OP_MUL_P:
    case X25519_ADX_OP_MUL_Q:
        s->a = s->c = op == X25519_ADX_OP_MUL_P ? fa : one;
        s->b = s->d = op == X25519_ADX_OP_MUL_P ? fb : one;
        s->x1 = op == X25519_ADX_OP_MUL_P ? one : fa;
        s->t1 = op == X25519_ADX_OP_MUL_P ? one : fb;
        FE64_MUL2(s, t0, a, b, z3, t1, x1);
        out = op == X25519_ADX_OP_MUL_P ? &s->t0 : &s->z3;
        break;
    case X25519_ADX_OP_SQ_P:
    case X25519_ADX_OP_SQ_Q:
        s->t0 = op == X25519_ADX_OP_SQ_P ? fa : one;
        s->t1 = op == X25519_ADX_OP_SQ_P ? one : fa;
        FE64_SQ2(s, x3, t0, t1, t1);
        out = op == X25519_ADX_OP_SQ_P ? &s->x3 : &s->t1;
        break;
    case X25519_ADX_OP_ADD_P:
    case X25519_ADX_OP_SUB_P:
    case X25519_ADX_OP_ADD_Q:
    case X25519_ADX_OP_SUB_Q:
    case X25519_ADX_OP_SEL_ADD:
        s->x2 = s->x3 = fa;
        s->z2 = s->z3 = fb;
        ladder_add_sub_select(s, op == X25519_ADX_OP_SEL_ADD ? UINT64_MAX : 0);
        out = op == X25519_ADX_OP_ADD_P   ? &s->a
              : op == X25519_ADX_OP_SUB_P ? &s->b
              : op == X25519_ADX_OP_ADD_Q ? &s->c
              : op == X25519_ADX_OP_SUB_Q ? &s->d
                                          : &s->sa;
        break;
    case X25519_ADX_OP_PROD_ADD:
    case X25519_ADX_OP_PROD_SUB:
        s->d = fa;
        s->c = fb;
        s->a = s->b = one;
        FE64_MUL2_ADDSUB(s, t0, t1, d, a, c, b);
        out = op == X25519_ADX_OP_PROD_ADD ? &s->t0 : &s->t1;
        break;
    case X25519_ADX_OP_SQ_SUB:
        s->sa = fa;
        s->sb = fb;
        FE64_SQ2_SUB(s, aa, bb, e, sa, sb);
        out = &s->e;
        break;
    case X25519_ADX_OP_LONE_MUL:
    case X25519_ADX_OP_LONE_ADD:
    case X25519_ADX_OP_LONE_SUB:
    case X25519_ADX_OP_LONE_C:
    case X25519_ADX_OP_LONE_SEL:
        s->e = fa;
        s->f = s->x2 = fb;
        s->x3 = fa;
        s->z3 = fb;
        s->mask = op == X25519_ADX_OP_LONE_SEL ? UINT64_MAX : 0;
        ladder_mul_add_sub_select(s);
        out = op == X25519_ADX_OP_LONE_MUL   ? &s->z2
              : op == X25519_ADX_OP_LONE_ADD ? &s->a
              : op == X25519_ADX_OP_LONE_SUB ? &s->b
              : op == X25519_ADX_OP_LONE_C   ? &s->c
                                             : &s->sa;
        break;
    case X25519_ADX_OP_A24:
        fe64_mul_a24_add(&s->t0, &fa, &fb);
        break;
    default:
        break;
    }
    memcpy(r, out->l, 32);
}

/* The ladder of RFC 7748 §5, as in ladder_portable (x25519.c), on fe64 elements. */
TENON_TARGET("bmi2,adx")
void x25519_ladder_adx(uint8_t out[32], const uint8_t k[32], const uint8_t u[32])
{
    ladder_state st;
    ladder_state *s = &st;
    /* RFC 7748 §5: the top bit of u is masked; a value in [p, 2^255) is fine as it is. */
    for (int i = 0; i < 4; i++)
        s->x1.l[i] = load_le64(u + 8 * i);
    s->x1.l[3] &= UINT64_MAX >> 1;
    s->zero = 0;
    s->x2 = (fe64){{1, 0, 0, 0}};
    s->z2 = (fe64){{0, 0, 0, 0}};
    s->x3 = s->x1;
    s->z3 = (fe64){{1, 0, 0, 0}};
    uint64_t swap = (uint64_t)(k[31] >> 6) & 1; /* k_254, swapped with the initial 0 */
    s->mask = ct_value_barrier_u64(0 - swap);
    ladder_add_sub_select(s, s->mask);
    for (int t = 254; t >= 3; t--) {
        /* The formulas of RFC 7748 §5, two independent products at a time, with the
         * additions that follow a pair of products done on its registers. */
        FE64_MUL2_ADDSUB(s, t0, t1, d, a, c, b); /* DA + CB, DA - CB (up to sign) */
        FE64_SQ2_SUB(s, aa, bb, e, sa, sb);      /* AA = SA^2, BB = SB^2, E = AA - BB */
        FE64_SQ2(s, x3, t0, t1, t1);             /* x_3 = (DA + CB)^2, (DA - CB)^2 */
        fe64_mul_a24_add(&s->f, &s->e, &s->aa);  /* AA + a24 * E */
        FE64_MUL2(s, x2, aa, bb, z3, t1, x1);    /* x_2 = AA * BB, z_3 = x_1 * (DA - CB)^2 */
        /* the swap of step t - 1, then z_2 = E * (AA + a24 * E) and A, B, C, D, SA, SB */
        uint64_t kt = (uint64_t)(k[(t - 1) >> 3] >> ((t - 1) & 7)) & 1;
        swap ^= kt;
        s->mask = ct_value_barrier_u64(0 - swap);
        swap = kt;
        ladder_mul_add_sub_select(s);
    }
    /* RFC 7748 §5: decodeScalar25519 clears bits 2, 1 and 0 of every clamped scalar (a public
     * fact). In the last three steps k_t = 0: the step at t = 2 applies the swap left over
     * from bit 3 (its A, B, SA, SB are formed at the end of the loop), after which swap = 0
     * and the final swap does nothing. Each of the three maps (x_2 : z_2) to its double by the
     * RFC's formulas, which read only the (swapped) x_2 and z_2, and (x_3 : z_3) is never read
     * again: three x-only doublings, 2M + 2S each against the step's 5M + 4S. */
    for (int t = 2; t >= 0; t--) {
        if (t < 2)
            ladder_add_sub_select(s, 0);        /* SA = x_2 + z_2, SB = x_2 - z_2 */
        FE64_SQ2_SUB(s, aa, bb, e, sa, sb);     /* AA = SA^2, BB = SB^2, E = AA - BB */
        fe64_mul_a24_add(&s->f, &s->e, &s->aa); /* AA + a24 * E */
        FE64_MUL2(s, x2, aa, bb, z2, e, f);     /* x_2 = AA * BB, z_2 = E * (AA + a24 * E) */
    }
    x25519_adx_finish(out, &s->x2, &s->z2, s, k, u);
    tenon_wipe(&st, sizeof st);
}

#endif
