/*
 * Internal: one Poly1305 block step in radix 2^64 (poly1305_r64) as an inline-assembly string,
 * shared by the stitched AVX2 ChaCha20 (chacha20_avx2.c) and poly1305_blocks_r64. x86-64 with
 * BMI2 (MULX) only.
 */
#ifndef TENON_POLY1305_MULX_H
#define TENON_POLY1305_MULX_H

/* One Poly1305 block step in radix 2^64 (poly1305.h, poly1305_r64) on the general-purpose
 * registers, for the rounds to carry along: the vector units run ChaCha20 while the scalar
 * ports (on AMD's cores entirely separate from the vector pipes) run the MAC, and the data is
 * read while it is in L1. h += m + 2^128, then h *= r, folded with 2^130 = 5 (mod p):
 *
 *   d0 = h0 r0 + h1 s1,  d1 = h0 r1 + h1 r0 + h2 s1,  d2 = h2 r0   (s1 = 5 (r1 / 4))
 *
 * r1 is a multiple of 4 (the clamp), so h1 r1 2^128 = h1 (r1 / 4) 2^130 = h1 s1 and likewise
 * h2 r1 2^192 = h2 s1 2^64. With h2 <= 6 on entry every product and sum fits: d0, d1 < 2^126,
 * h2 s1 and h2 r0 < 2^64. The bits from 2^130 up are folded back times 5, which leaves h2 <= 4
 * (after the next block's addition, <= 6 again). */
/* One step, the accumulator read from the operands named H0 H1 H2 and left in T0 T1 H2; H0 H1
 * and T0..T3 are scratch otherwise. Operands: %[m] the message pointer (the block at off bytes
 * from it), %[r0] %[r1] %[s1] the key (memory or registers); rdx and the flags are clobbered.
 * The bits from 2^130 up, c (h2 >> 2) times 2^130, go back in as 5 c (one LEA). The products of
 * h0 and h2, ready first, are summed first, so that h1's two (h1 comes out of the additions
 * last) wait for nothing. */
#define ASM_POLY_STEP(off, H0, H1, H2, T0, T1, T2, T3)                                             \
    "add " #off "(%[m]), %[" #H0 "]\n\t"                                                           \
    "adc " #off "+8(%[m]), %[" #H1 "]\n\t"                                                         \
    "adc $1, %[" #H2 "]\n\t"                                                                       \
    "mov %[" #H0 "], %%rdx\n\t"                                                                    \
    "mulx %[r0], %[" #T0 "], %[" #T1 "]\n\t"                                                       \
    "mulx %[r1], %[" #T2 "], %[" #T3 "]\n\t"                                                       \
    "mov %[" #H2 "], %%rdx\n\t"                                                                    \
    "imul %[s1], %%rdx\n\t"                                                                        \
    "add %%rdx, %[" #T2 "]\n\t"                                                                    \
    "adc $0, %[" #T3 "]\n\t"                                                                       \
    "imul %[r0], %[" #H2 "]\n\t"                                                                   \
    "mov %[" #H1 "], %%rdx\n\t"                                                                    \
    "mulx %[s1], %[" #H0 "], %[" #H1 "]\n\t"                                                       \
    "add %[" #H0 "], %[" #T0 "]\n\t"                                                               \
    "adc %[" #H1 "], %[" #T1 "]\n\t"                                                               \
    "mulx %[r0], %[" #H0 "], %[" #H1 "]\n\t"                                                       \
    "add %[" #H0 "], %[" #T2 "]\n\t"                                                               \
    "adc %[" #H1 "], %[" #T3 "]\n\t"                                                               \
    "add %[" #T2 "], %[" #T1 "]\n\t"                                                               \
    "adc %[" #T3 "], %[" #H2 "]\n\t"                                                               \
    "mov %[" #H2 "], %[" #T3 "]\n\t"                                                               \
    "shr $2, %[" #T3 "]\n\t"                                                                       \
    "and $3, %[" #H2 "]\n\t"                                                                       \
    "lea (%[" #T3 "], %[" #T3 "], 4), %[" #T3 "]\n\t"                                              \
    "add %[" #T3 "], %[" #T0 "]\n\t"                                                               \
    "adc $0, %[" #T1 "]\n\t"                                                                       \
    "adc $0, %[" #H2 "]\n\t"

/* One block, the accumulator in h0 h1 h2 before and after; t0..t3 scratch. */
#define ASM_POLY_BLOCK(off)                                                                        \
    ASM_POLY_STEP(off, h0, h1, h2, t0, t1, t2, t3)                                                 \
    "mov %[t0], %[h0]\n\t"                                                                         \
    "mov %[t1], %[h1]\n\t"
/* Two blocks at off and off + 16, the second with the registers' roles swapped so that no
 * moves are needed: the accumulator in h0 h1 h2 before and after. */
#define ASM_POLY_PAIR(off, off2)                                                                   \
    ASM_POLY_STEP(off, h0, h1, h2, t0, t1, t2, t3) ASM_POLY_STEP(off2, t0, t1, h2, h0, h1, t2, t3)

#endif
