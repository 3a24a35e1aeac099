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
#include "x25519_adx_asm.h"
#include "x25519_field.h"

/* The ladder's values and the scratch and zero words of the two-product blocks
 * (x25519_adx_asm.h), all addressed from one base register. */
typedef struct ladder_state {
    fe64 x1, x2, z2, x3, z3, a, b, c, d, aa, bb, e, f, t0, t1, sa, sb;
    uint64_t scratch[10];
    uint64_t mask; /* the next step's swap mask, for ladder_mul_add_sub_select */
    uint64_t zero; /* 0: adox takes it from memory, which saves a register and a move */
} ladder_state;

#define LS_OFF(field) "i"(offsetof(ladder_state, field))

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
        MUL1_BODY
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

/* The ladder of RFC 7748 §5, as in ladder_portable (x25519.c), on fe64 elements: s->x2 and
 * s->z2 at the end, the projective (x_2 : z_2) = k·(u : 1) before the division. */
static inline __attribute__((always_inline)) void ladder_run(ladder_state *s, const uint8_t k[32],
                                                             const uint8_t u[32])
{
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
}

TENON_TARGET("bmi2,adx")
void x25519_ladder_adx(uint8_t out[32], const uint8_t k[32], const uint8_t u[32])
{
    ladder_state st;
    ladder_run(&st, k, u);
    x25519_adx_finish(out, &st.x2, &st.z2, &st, k, u);
    tenon_wipe(&st, sizeof st);
}

/* The ladder without its division, for x25519_keypair_and_shared (x25519.c), which divides
 * by z_2 and the public key's denominator at once: (x_2, z_2) in radix 2^51. */
TENON_TARGET("bmi2,adx")
void x25519_ladder_adx_xz(fe *x2, fe *z2, const uint8_t k[32], const uint8_t u[32])
{
    ladder_state st;
    ladder_run(&st, k, u);
    fe64_to_fe(x2, &st.x2);
    fe64_to_fe(z2, &st.z2);
    tenon_wipe(&st, sizeof st);
}

#endif
