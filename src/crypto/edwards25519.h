/*
 * Internal: the group edwards25519 (RFC 8032 §5.1, RFC 7748 §4.1), -x^2 + y^2 = 1 + d·x^2·y^2
 * over GF(2^255 - 19), shared by X25519's fixed-base path (x25519_base.c) and Ed25519
 * (ed25519.c). Field elements are those of x25519_field.h, with its limb bounds.
 */
#ifndef TENON_EDWARDS25519_H
#define TENON_EDWARDS25519_H

#include <stdint.h>

#include "x25519_field.h"

/* A table entry: an affine point (x, y) stored as y + x, y - x and 2·d·x·y, the form the
 * mixed addition consumes directly. */
typedef struct fe_precomp {
    fe ypx, ymx, xy2d;
} fe_precomp;

/* A point in extended coordinates: x = X/Z, y = Y/Z, x·y = T/Z. */
typedef struct ge_ext {
    fe X, Y, Z, T;
} ge_ext;

/* The sum P + Q ("add-2008-hwcd-3" of Hisil, Wong, Carter and Dawson, "Twisted Edwards Curves
 * Revisited", 2008, for a = -1, k = 2d), Q given as y + x, y - x and 2·d·x·y scaled by Z2 and
 * zz = Z1·Z2. Complete on edwards25519: the neutral element, doublings and points of small
 * order need no special case. r may alias p. */
static inline void ge_add_core(ge_ext *r, const ge_ext *p, const fe *q_ypx, const fe *q_ymx,
                               const fe *q_t2d, const fe *zz)
{
    fe a, b, c, d, e, f, g, h;
    fe_sub(&a, &p->Y, &p->X);
    fe_mul(&a, &a, q_ymx);
    fe_add(&b, &p->Y, &p->X);
    fe_mul(&b, &b, q_ypx);
    fe_mul(&c, &p->T, q_t2d);
    fe_add(&d, zz, zz);
    fe_sub(&e, &b, &a);
    fe_sub(&f, &d, &c);
    fe_add(&g, &d, &c);
    fe_add(&h, &b, &a);
    fe_mul(&r->X, &e, &f);
    fe_mul(&r->Y, &g, &h);
    fe_mul(&r->T, &e, &h);
    fe_mul(&r->Z, &f, &g);
}

/* P + Q for Q an affine table entry ("madd-2008-hwcd-3": Z2 = 1, so zz = Z1). */
static inline void ge_madd(ge_ext *r, const ge_ext *p, const fe_precomp *q)
{
    ge_add_core(r, p, &q->ypx, &q->ymx, &q->xy2d, &p->Z);
}

/* 2P ("dbl-2008-hwcd" of the same paper, a = -1). With A = X^2, B = Y^2, C = 2Z^2:
 * E = (X + Y)^2 - A - B, G = B - A, F = G - C, H = -A - B. F is formed as B - (A + C) so that
 * each subtraction takes one reduced operand (the bounds in x25519_field.h). T is only
 * computed when the next operation is an addition. */
static inline void ge_dbl(ge_ext *r, const ge_ext *p, int need_t)
{
    fe a, b, c, e, f, g, h, s;
    fe_sq(&a, &p->X);
    fe_sq(&b, &p->Y);
    fe_sq(&c, &p->Z);
    fe_add(&c, &c, &c);
    fe_add(&s, &p->X, &p->Y);
    fe_sq(&s, &s);
    fe_add(&h, &a, &b);
    fe_sub(&e, &s, &h);
    fe_neg(&h, &h);
    fe_sub(&g, &b, &a);
    fe_add(&c, &a, &c);
    fe_sub(&f, &b, &c);
    fe_mul(&r->X, &e, &f);
    fe_mul(&r->Y, &g, &h);
    fe_mul(&r->Z, &f, &g);
    if (need_t)
        fe_mul(&r->T, &e, &h);
}

/* x25519_base.c: r = k·B for the base point B and a 256-bit little-endian k < 2^255, from
 * the precomputed table, in constant time (no branch or address depends on k). */
void edwards25519_base_mul(ge_ext *r, const uint8_t k[32]);
/* x25519_base.c, for test_x25519: entry m of row j of the table as 96 bytes (y + x, y - x and
 * 2dxy, each canonical and little-endian). */
void edwards25519_base_entry(uint8_t out[96], int j, int m);

#if defined(__x86_64__)
/* x25519_base_adx.c: edwards25519_base_mul in radix-2^64 mulx/adx arithmetic (called directly
 * by the tests, which check it on any CPU with AVX2, BMI2 and ADX, and under valgrind), and
 * its copy of the table in the form of edwards25519_base_entry. */
void edwards25519_base_mul_adx(ge_ext *r, const uint8_t k[32]);
void edwards25519_base_entry64(uint8_t out[96], int j, int m);
#endif

/* The signed radix-16 recoding of the comb: each nibble of k (k < 2^255) becomes a digit in
 * [-8, 8) and lends 16 to the next; the top nibble is at most 7, so it ends in [0, 8].
 * Unsigned arithmetic, no branches. */
static inline void edwards25519_recode16(int8_t e[64], const uint8_t k[32])
{
    uint32_t carry = 0;
    for (int i = 0; i < 32; i++) {
        for (int half = 0; half < 2; half++) {
            uint32_t v = (uint32_t)((k[i] >> (4 * half)) & 15) + carry;
            carry = (v + 8) >> 4;
            e[2 * i + half] = (int8_t)(int32_t)(v - (carry << 4));
        }
    }
    e[63] = (int8_t)(e[63] + (int8_t)(carry << 4));
}

#endif
