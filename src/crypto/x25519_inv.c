/*
 * Inversion in GF(2^255 - 19) by Bernstein and Yang's divsteps ("Fast constant-time gcd
 * computation and modular inversion", 2019), for x25519.c, x25519_base.c and ed25519.c.
 *
 * A divstep maps (δ, f, g), f odd, to (1 - δ, g, (g - f)/2) when δ > 0 and g is odd, and to
 * (1 + δ, f, (g + (g mod 2)·f)/2) otherwise. From δ = 1, f = p and g = z, g reaches 0 and f
 * reaches ±gcd(p, z) = ±1 within 738 steps (the paper's Theorem 11.2: f^2 + 4g^2 <= 5·2^(2d)
 * holds with d = 255 for f = p and g < p, and floor((49d + 57)/17) = 738 steps suffice);
 * 12 batches of 62 = 744 steps are run, always all of them.
 *
 * Each batch decides its 62 steps from the low 64 bits of f and g alone (a step looks only at
 * the low bit of g, and bit i of the batch's g depends on bits 0..i of its starting f and g),
 * collecting them in an integer matrix T with 2^62·(f', g') = T·(f, g) and entries of at most
 * 2^62; then f and g are updated in full, and the column (D, E) of the product of all the
 * matrices that multiplies z is kept mod p: at the end 2^744·f = U·p + D·z, so
 * z^-1 = ±D·2^-744 mod p. z = 0 leaves D = 0, which is the answer X25519 wants.
 *
 * Constant time: the steps are masks and arithmetic, the number of steps and batches is fixed,
 * and nothing indexes memory by a value (tests/ct_x25519.c and ct_ed25519.c run it on secrets).
 * Against the 254 squarings and 11 multiplications of Fermat's z^(p-2) it is faster, less than
 * one would hope (on the Ice Lake Xeon this was written on, 8.6k TSC ticks against 11.2k for the
 * radix-2^51 chain and 10.4k for the mulx/adx one): a divstep is some twenty single-cycle
 * instructions, and it takes 744 of them.
 */
#include "../common.h"
#include "ct.h"
#include "tenon/crypto.h"
#include "x25519_field.h"

#define M62 ((UINT64_C(1) << 62) - 1)
typedef __int128 s128;

/* A signed number Σ l_i·2^(62 i): l_0..l_3 in [0, 2^62), l_4 carries the sign. */
typedef struct s62 {
    int64_t l[5];
} s62;

/*
 * 62 divsteps on the low words of f and g, with d = 2δ; t = (u, v, q, r), the matrix. The swap
 * of a step is done without exchanging anything: with s = (δ > 0), g becomes g - f (s) or
 * g + f (not s) when g is odd, and then f += g under s·(g odd) turns f into the old g; the rows
 * (u, v) of f and (q, r) of g follow the same operations. That keeps the chain from one step's
 * g to the next short.
 */
static int64_t divsteps62(int64_t d, uint64_t f, uint64_t g, int64_t t[4])
{
    uint64_t u = 1, v = 0, q = 0, r = 1;
    for (int i = 0; i < 62; i++) {
        uint64_t s = (uint64_t)(-d >> 63); /* δ > 0 */
        uint64_t odd = 0 - (g & 1);        /* g odd */
        uint64_t x = (f ^ s) - s;          /* -f under s, else f */
        uint64_t y = (u ^ s) - s, z = (v ^ s) - s;
        g += x & odd;
        q += y & odd;
        r += z & odd;
        s &= odd; /* the swapping case */
        d = (int64_t)(((uint64_t)d ^ s) - s) + 2;
        f += g & s;
        u += q & s;
        v += r & s;
        g >>= 1;
        u <<= 1;
        v <<= 1;
    }
    t[0] = (int64_t)u;
    t[1] = (int64_t)v;
    t[2] = (int64_t)q;
    t[3] = (int64_t)r;
    return d;
}

/* (f, g) = T·(f, g) / 2^62, exactly (the low 62 bits of both sums are zero). Each sum of two
 * products is below 2^125 in magnitude. */
static void update_fg(s62 *f, s62 *g, const int64_t t[4])
{
    s128 cf = (s128)t[0] * f->l[0] + (s128)t[1] * g->l[0];
    s128 cg = (s128)t[2] * f->l[0] + (s128)t[3] * g->l[0];
    cf >>= 62;
    cg >>= 62;
    for (int i = 1; i < 5; i++) {
        cf += (s128)t[0] * f->l[i] + (s128)t[1] * g->l[i];
        cg += (s128)t[2] * f->l[i] + (s128)t[3] * g->l[i];
        f->l[i - 1] = (int64_t)((uint64_t)cf & M62);
        g->l[i - 1] = (int64_t)((uint64_t)cg & M62);
        cf >>= 62;
        cg >>= 62;
    }
    f->l[4] = (int64_t)cf;
    g->l[4] = (int64_t)cg;
}

/* h = u·d + v·e mod p for |u|, |v| <= 2^62 and limbs of d, e below 2^52: each column is below
 * 2^115 in magnitude, so adding 2^65·p (limbs at least 2^65·(2^51 - 19)) makes it positive
 * and below 2^117; then carries as fe_carry128, in 128 bits. Limbs of h: below 2^51 + 2^22. */
static void lincomb(fe *h, int64_t u, const fe *d, int64_t v, const fe *e)
{
    fe_u128 c[5];
    for (int i = 0; i < 5; i++) {
        s128 pi = (s128)(i == 0 ? FE_MASK51 - 18 : FE_MASK51) << 65;
        c[i] = (fe_u128)((s128)u * (int64_t)d->l[i] + (s128)v * (int64_t)e->l[i] + pi);
    }
    for (int i = 0; i < 4; i++) {
        c[i + 1] += c[i] >> 51;
        c[i] &= FE_MASK51;
    }
    c[0] += (c[4] >> 51) * 19;
    c[4] &= FE_MASK51;
    c[1] += c[0] >> 51;
    c[0] &= FE_MASK51;
    for (int i = 0; i < 5; i++)
        h->l[i] = (uint64_t)c[i];
}

/* 2^-744 mod p. */
static const fe inv_2_744 = {
    {0x1855b1b224df9, 0x53b2845920bb8, 0x33351c6729511, 0x327acb1ceced8, 0x38b66f98b076d}};

/* RFC 7748 §5 and RFC 8032 §5.1: h = 1/z (0 for z = 0). */
void x25519_fe_invert(fe *h, const fe *z)
{
    uint8_t zb[32];
    x25519_fe_tobytes(zb, z); /* canonical: below p */
    uint64_t w0 = load_le64(zb), w1 = load_le64(zb + 8), w2 = load_le64(zb + 16),
             w3 = load_le64(zb + 24);
    s62 f = {{(int64_t)(M62 - 18), (int64_t)M62, (int64_t)M62, (int64_t)M62, 127}}; /* p */
    s62 g = {{(int64_t)(w0 & M62), (int64_t)(((w0 >> 62) | (w1 << 2)) & M62),
              (int64_t)(((w1 >> 60) | (w2 << 4)) & M62), (int64_t)(((w2 >> 58) | (w3 << 6)) & M62),
              (int64_t)(w3 >> 56)}};
    fe d, e, t;
    fe_0(&d);
    fe_1(&e);
    int64_t delta2 = 2, m[4];
    for (int b = 0; b < 12; b++) {
        delta2 = divsteps62(delta2, (uint64_t)f.l[0] | ((uint64_t)f.l[1] << 62),
                            (uint64_t)g.l[0] | ((uint64_t)g.l[1] << 62), m);
        update_fg(&f, &g, m);
        lincomb(&t, m[0], &d, m[1], &e);
        lincomb(&e, m[2], &d, m[3], &e);
        d = t;
    }
    /* f = ±1 now: D·z = ±2^744 (mod p). */
    fe k = inv_2_744, nk;
    fe_neg(&nk, &k);
    fe_cmov((uint64_t)(f.l[4] >> 63), &k, &nk);
    fe_mul(h, &d, &k);
    tenon_wipe(zb, sizeof zb);
    tenon_wipe(&f, sizeof f);
    tenon_wipe(&g, sizeof g);
    tenon_wipe(&d, sizeof d);
    tenon_wipe(&e, sizeof e);
    tenon_wipe(&t, sizeof t);
    tenon_wipe(m, sizeof m);
    tenon_wipe(&delta2, sizeof delta2);
}
