/*
 * Inversion in GF(2^255 - 19) by Bernstein and Yang's divsteps ("Fast constant-time gcd
 * computation and modular inversion", 2019), for x25519.c, x25519_base.c and ed25519.c.
 *
 * A divstep maps (δ, f, g), f odd, to (1 - δ, g, (g - f)/2) when δ > 0 and g is odd, and to
 * (1 + δ, f, (g + (g mod 2)·f)/2) otherwise. From δ = 1, f = p and g = z, g reaches 0 and f
 * reaches ±gcd(p, z) = ±1 within 738 steps (the paper's Theorem 11.2: f^2 + 4g^2 <= 5·2^(2d)
 * holds with d = 255 for f = p and g < p, and floor((49d + 57)/17) = 738 steps suffice);
 * 13 batches of 60 = 780 steps are run, always all of them.
 *
 * Each batch decides its 60 steps from the low 64 bits of f and g alone (a step looks only at
 * the low bit of g, and bit i of the batch's g depends on bits 0..i of its starting f and g),
 * collecting them in an integer matrix T with 2^60·(f', g') = T·(f, g) and entries of at most
 * 2^60; then f and g are updated in full, and the column (D, E) of the product of all the
 * matrices that multiplies z is kept mod p: at the end 2^780·f = U·p + D·z, so
 * z^-1 = ±D·2^-780 mod p. z = 0 leaves D = 0, which is the answer X25519 wants. The matrix of
 * a batch is the product of two of 30 steps, each built with its rows packed in one word
 * (u + 2^32·v, entries of at most 2^30 in magnitude), which halves the work per step.

 * Constant time: the steps are masks and arithmetic, the number of steps and batches is fixed,
 * and nothing indexes memory by a value (tests/ct_x25519.c and ct_ed25519.c run it on secrets).
 * Against the 254 squarings and 11 multiplications of Fermat's z^(p-2) it is faster, less than
 * one would hope (on the Ice Lake Xeon this was written on, 7.5k TSC ticks against 11.2k for the
 * radix-2^51 chain and 10.4k for the mulx/adx one): a divstep is some twenty single-cycle
 * instructions, and it takes 780 of them.
 */
#include "../common.h"
#include "ct.h"
#include "ec_modinv.h"
#include "tenon/crypto.h"
#include "x25519_field.h"

#define M62 ((UINT64_C(1) << 62) - 1)
typedef __int128 s128;

/* A signed number Σ l_i·2^(62 i): l_0..l_3 in [0, 2^62), l_4 carries the sign. */
typedef struct s62 {
    int64_t l[5];
} s62;

/*
 * 30 divsteps on the words f and g (their low bits), with z = -2δ; t = (u, v, q, r), the
 * matrix, whose rows are kept packed as u + 2^32·v and q + 2^32·r: the steps are additions,
 * negations and doublings, which act on a packed row as on its two entries, and no entry
 * exceeds 2^30 in magnitude. The swap of a step is done without exchanging anything: with
 * s = (δ > 0), g becomes g - f (s) or g + f (not s) when g is odd, and then f += g under
 * s·(g odd) turns f into the old g; the rows follow the same operations.
 */
static int64_t divsteps30(int64_t z, uint64_t *pf, uint64_t *pg, int64_t t[4])
{
    uint64_t f = *pf, g = *pg, uv = 1, qr = UINT64_C(1) << 32;
    for (int i = 0; i < 30; i++) {
        uint64_t s = (uint64_t)(z >> 63); /* δ > 0 */
        uint64_t odd = 0 - (g & 1);       /* g odd */
        uint64_t x = (f ^ s) - s;         /* -f under s, else f */
        uint64_t y = (uv ^ s) - s;
        g += x & odd;
        qr += y & odd;
        s &= odd; /* the swapping case: δ = 1 - δ, else δ = 1 + δ */
        z = (int64_t)(((uint64_t)z ^ s) - s) - 2;
        f += g & s;
        uv += qr & s;
        g >>= 1;
        uv <<= 1;
    }
    *pf = f;
    *pg = g;
    t[0] = (int64_t)(uv << 32) >> 32;
    t[1] = (int64_t)(uv - (uint64_t)t[0]) >> 32;
    t[2] = (int64_t)(qr << 32) >> 32;
    t[3] = (int64_t)(qr - (uint64_t)t[2]) >> 32;
    return z;
}

/* 60 divsteps: t = T2·T1 for the matrices of the two halves (the words f and g go on from the
 * first half to the second: after 30 steps their low 34 bits are still exact). */
static int64_t divsteps60(int64_t z, uint64_t f, uint64_t g, int64_t t[4])
{
    int64_t a[4], b[4];
    z = divsteps30(z, &f, &g, a);
    z = divsteps30(z, &f, &g, b);
    t[0] = b[0] * a[0] + b[1] * a[2];
    t[1] = b[0] * a[1] + b[1] * a[3];
    t[2] = b[2] * a[0] + b[3] * a[2];
    t[3] = b[2] * a[1] + b[3] * a[3];
    return z;
}

/* (f, g) = T·(f, g) / 2^62, exactly (the low 62 bits of both sums are zero), for entries of at
 * most 2^62. Each sum of two products is below 2^125 in magnitude. */
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

/* 2^-780 mod p. */
static const fe inv_2_780 = {
    {0x422c905dc1854, 0xe3394a88d3b2, 0x658e7676c3335, 0x37cc583b6b27a, 0xb69bd9a1b8b6}};

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
    int64_t zeta = -2, m[4]; /* -2δ, δ = 1 */
    for (int b = 0; b < 13; b++) {
        zeta = divsteps60(zeta, (uint64_t)f.l[0] | ((uint64_t)f.l[1] << 62),
                          (uint64_t)g.l[0] | ((uint64_t)g.l[1] << 62), m);
        lincomb(&t, m[0], &d, m[1], &e);
        lincomb(&e, m[2], &d, m[3], &e);
        d = t;
        /* 2^62·(f', g') = 4T·(f, g), entries of 4T at most 2^62 */
        for (int i = 0; i < 4; i++)
            m[i] *= 4;
        update_fg(&f, &g, m);
    }
    /* f = ±1 now: D·z = ±2^780 (mod p). */
    fe k = inv_2_780, nk;
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
    tenon_wipe(&zeta, sizeof zeta);
}

/* p = 2^255 - 19 for the variable-time divsteps inversion (ec_modinv.h): signed 62-bit limbs
 * and p^-1 mod 2^62. */
const ec_modinv_mod x25519_p_modinv = {{INT64_C(0x3fffffffffffffed), INT64_C(0x3fffffffffffffff),
                                        INT64_C(0x3fffffffffffffff), INT64_C(0x3fffffffffffffff),
                                        INT64_C(0x7f)},
                                       UINT64_C(0x39435e50d79435e5)};

/*
 * h = 1/z with the inversion blinded: beta is uniform and secret, so z·beta is uniform and
 * independent of z to anyone who does not know beta, and the variable-time divsteps inversion
 * (ec_modinv.c, about half the cost of x25519_fe_invert) may take it, marked public for
 * valgrind; z^-1 = beta·(z·beta)^-1. beta's 256 bits with the top one dropped (fe_frombytes)
 * are uniform mod p within 2^-250. z = 0 gives 0, as x25519_fe_invert does; so does beta = 0
 * mod p (probability 2^-254).
 */
void x25519_fe_invert_blinded(fe *h, const fe *z, const uint8_t beta[32])
{
    fe b, t;
    uint8_t zb[32];
    uint64_t w[4];
    fe_frombytes(&b, beta);
    fe_mul(&t, z, &b);
    x25519_fe_tobytes(zb, &t); /* canonical: below p */
    for (int i = 0; i < 4; i++)
        w[i] = load_le64(zb + 8 * i);
    ct_declassify(w, sizeof w); /* uniform, independent of the secrets: see above */
    ec_modinv256_var(w, w, &x25519_p_modinv);
    for (int i = 0; i < 4; i++)
        store_le64(zb + 8 * i, w[i]);
    fe_frombytes(&t, zb);
    fe_mul(h, &t, &b);
    tenon_wipe(&b, sizeof b);
    tenon_wipe(&t, sizeof t);
    tenon_wipe(zb, sizeof zb);
    tenon_wipe(w, sizeof w);
}

void x25519_blind_labelled(uint8_t beta[32], const char *label, size_t label_size,
                           const uint8_t k[32], const uint8_t u[32])
{
    tenon_hash_ctx h;
    tenon_sha256.init(&h);
    tenon_sha256.update(&h, label, label_size);
    tenon_sha256.update(&h, k, 32);
    tenon_sha256.update(&h, u, 32);
    tenon_sha256.final(&h, beta);
    tenon_wipe(&h, sizeof h);
}

void x25519_inversion_blind(uint8_t beta[32], const uint8_t k[32], const uint8_t u[32])
{
    /* One label for every ladder: which ladder ran is not a secret, and the blind only has to
     * be unpredictable without k. */
    static const char label[] = "tenon x25519 inversion blind";
    x25519_blind_labelled(beta, label, sizeof label, k, u);
}
