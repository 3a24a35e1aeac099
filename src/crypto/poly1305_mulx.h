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
/* Operands: %[m] the message pointer (the block at off bytes from it), %[h0] %[h1] %[h2] the
 * accumulator, %[t0]..%[t3] scratch registers, %[r0] %[r1] %[s1] the key (memory or
 * registers); rdx and the flags are clobbered. */
#define ASM_POLY_BLOCK(off)                                                                        \
    "add " #off "(%[m]), %[h0]\n\t"                                                                \
    "adc " #off "+8(%[m]), %[h1]\n\t"                                                              \
    "adc $1, %[h2]\n\t"                                                                            \
    "mov %[h0], %%rdx\n\t"                                                                         \
    "mulx %[r0], %[t0], %[t1]\n\t"                                                                 \
    "mulx %[r1], %[t2], %[t3]\n\t"                                                                 \
    "mov %[h1], %%rdx\n\t"                                                                         \
    "mulx %[s1], %[h0], %[h1]\n\t"                                                                 \
    "add %[h0], %[t0]\n\t"                                                                         \
    "adc %[h1], %[t1]\n\t"                                                                         \
    "mulx %[r0], %[h0], %[h1]\n\t"                                                                 \
    "add %[h0], %[t2]\n\t"                                                                         \
    "adc %[h1], %[t3]\n\t"                                                                         \
    "mov %[h2], %%rdx\n\t"                                                                         \
    "imul %[s1], %%rdx\n\t"                                                                        \
    "imul %[r0], %[h2]\n\t"                                                                        \
    "add %%rdx, %[t2]\n\t"                                                                         \
    "adc $0, %[t3]\n\t"                                                                            \
    "add %[t2], %[t1]\n\t"                                                                         \
    "adc %[t3], %[h2]\n\t"                                                                         \
    "mov %[h2], %[t2]\n\t"                                                                         \
    "and $-4, %[t2]\n\t"                                                                           \
    "mov %[h2], %[t3]\n\t"                                                                         \
    "shr $2, %[t3]\n\t"                                                                            \
    "and $3, %[h2]\n\t"                                                                            \
    "add %[t2], %[t3]\n\t"                                                                         \
    "add %[t3], %[t0]\n\t"                                                                         \
    "adc $0, %[t1]\n\t"                                                                            \
    "adc $0, %[h2]\n\t"                                                                            \
    "mov %[t0], %[h0]\n\t"                                                                         \
    "mov %[t1], %[h1]\n\t"

#endif
