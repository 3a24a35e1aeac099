/*
 * Internal: the mulx/adcx/adox field arithmetic mod p = 2^255 - 19 in radix 2^64 that the
 * X25519 ladder (x25519_adx.c) and the fixed-base comb (x25519_base_adx.c) share: four-limb
 * elements in [0, 2^256) standing for their residues (2^256 = 38 mod p), single products, and
 * two independent products or squarings interleaved in one asm block whose operands are fields
 * of a caller's state struct, addressed as offsets from one base register.
 *
 * A state struct used with FE64_MUL2_THEN / FE64_SQ2_THEN must have the members
 * uint64_t scratch[10] and uint64_t zero (always 0), besides its fe64 fields.
 * Only for CPUs with BMI2 and ADX; include after "../common.h" on x86-64 only.
 */
#ifndef TENON_X25519_ADX_ASM_H
#define TENON_X25519_ADX_ASM_H

#include <stddef.h>
#include <stdint.h>

#include "ct.h"
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
__attribute__((unused)) static void fe64_tobytes(uint8_t s[32], const fe64 *f)
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

/* Four limbs of the canonical encoding of f (fe64_tobytes). */
__attribute__((unused)) static void fe64_canonical(uint64_t r[4], const fe64 *f)
{
    uint8_t b[32];
    fe64_tobytes(b, f);
    for (int i = 0; i < 4; i++)
        r[i] = load_le64(b + 8 * i);
    tenon_wipe(b, sizeof b);
}

/* f (below 2^256) as five 51-bit limbs: bit 255 folded in as 19 (2^255 = 19 mod p) leaves a
 * value below 2^255 + 19, whose top limb is at most 2^51: within fe_mul's reduced bound. */
__attribute__((unused)) static void fe64_to_fe(fe *h, const fe64 *f)
{
    uint64_t w[4];
    fe_u128 acc = (fe_u128)f->l[0] + 19 * (f->l[3] >> 63);
    w[0] = (uint64_t)acc;
    acc = (fe_u128)f->l[1] + (uint64_t)(acc >> 64);
    w[1] = (uint64_t)acc;
    acc = (fe_u128)f->l[2] + (uint64_t)(acc >> 64);
    w[2] = (uint64_t)acc;
    w[3] = (f->l[3] & (UINT64_MAX >> 1)) + (uint64_t)(acc >> 64);
    h->l[0] = w[0] & FE_MASK51;
    h->l[1] = ((w[0] >> 51) | (w[1] << 13)) & FE_MASK51;
    h->l[2] = ((w[1] >> 38) | (w[2] << 26)) & FE_MASK51;
    h->l[3] = ((w[2] >> 25) | (w[3] << 39)) & FE_MASK51;
    h->l[4] = w[3] >> 12;
    tenon_wipe(w, sizeof w);
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
 * offset from one base register (a state struct), which leaves enough registers.
 *
 * FE64_OFF(state, field): the offset of a field of *state, as an asm operand.
 */
#define FE64_OFF(state, field) "i"(offsetof(__typeof__(*(state)), field))

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

/* One product alone, the P half of MUL2_BODY: [pa]·[pb] left in r12, r8, r9, r11; rax, rbx,
 * rcx, rdx, rsi, r10, r13, r14 and r15 are free afterwards. */
#define MUL1_BODY                                                                                  \
    MUL2_ROW0("pa", "pb", "0", "r8", "r9", "r10", "r11", "r12")                                    \
    MUL2_ROW("8+%c[pa]", "pb", "r9", "r10", "r11", "r12", "r8", "r8d")                             \
    "movq %%r9, 8+%c[sc](%[st])\n\t"                                                               \
    MUL2_ROW("16+%c[pa]", "pb", "r10", "r11", "r12", "r8", "r9", "r9d")                            \
    "movq %%r10, 16+%c[sc](%[st])\n\t"                                                             \
    MUL2_ROW("24+%c[pa]", "pb", "r11", "r12", "r8", "r9", "r10", "r10d")                           \
    MUL2_REDUCE("0", "r11", "r12", "r8", "r9", "r10")

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
                     : [st] "r"(state), [ph] FE64_OFF(state, H), [qh] FE64_OFF(state, G), [xh] FE64_OFF(state, X),            \
                       [pa] FE64_OFF(state, A), [pb] FE64_OFF(state, B), [qa] FE64_OFF(state, C), [qb] FE64_OFF(state, D),             \
                       [sc] FE64_OFF(state, scratch), [z0] FE64_OFF(state, zero)                                     \
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
                     : [st] "r"(state), [ph] FE64_OFF(state, H), [qh] FE64_OFF(state, G), [xh] FE64_OFF(state, X),            \
                       [pa] FE64_OFF(state, A), [qa] FE64_OFF(state, C), [sc] FE64_OFF(state, scratch), [z0] FE64_OFF(state, zero)     \
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

#endif
