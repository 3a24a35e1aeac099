/*
 * Constant-time modular inversion for the big integers of bignum.h (bn_mod_inv): Bernstein-Yang
 * divsteps ("Fast constant-time gcd computation and modular inversion", TCHES 2019 issue 3) in
 * batches of 62, for any odd modulus of up to BN_MAX_LIMBS limbs.
 *
 * Why divsteps: RSA's blinding inverts a fresh secret r modulo each (secret) prime at every
 * private operation, and the binary GCD on 64-bit approximations that did it before (Pornin,
 * 2020: rounds of 31 steps, each followed by two passes over the full numbers) cost about a
 * tenth of the whole operation at 2048 bits. Batches of 62 divsteps need half as many passes,
 * on the low words alone, with no approximation of the top bits to extract. A variable-time
 * inversion of a blinded r s (as EC(inv_blinded) does for P-256) is not possible here: its
 * branches would depend on the modulus, which is the secret prime itself.
 *
 * The divstep on (delta, f, g), f odd:
 *   delta > 0 and g odd:  (1 - delta, g, (g - f) / 2)
 *   g odd otherwise:      (1 + delta, f, (g + f) / 2)
 *   g even:               (1 + delta, f, g / 2)
 * starting from (1, m, x) reaches g = 0 with f = +-gcd(m, x). A batch of 62 steps depends only
 * on the low 64 bits of f and g; it is run on those words, recording the matrix T = [u v; q r]
 * with 2^62 (f', g') = T (f, g), which is then applied to the whole f and g, and to d and e
 * (f = d x, g = e x mod m), where the division by 2^62 is made exact modulo m by adding the
 * multiple of m that clears the low 62 bits. Bound (theorem 11.2 of the paper): for m < 2^b,
 * b >= 46, ceil((49 b + 57) / 17) divsteps reach g = 0 for any x < m; that many always run (a
 * divstep on g = 0 leaves f, g and d as they are), so the count depends on the size of m only.
 *
 * Numbers are signed radix 2^62: every limb but the top one in [0, 2^62), the top one signed.
 * Every step is arithmetic on masks: no branch or memory index depends on m or x.
 */
#include "bignum.h"

#include "../common.h"
#include "ct.h"
#include "tenon/crypto.h"

#define MASK62 UINT64_C(0x3fffffffffffffff)
#define ALWAYS_INLINE inline __attribute__((always_inline))

typedef __int128 s128;

/* Radix-2^62 limbs for values of up to 64 BN_MAX_LIMBS + 3 bits. */
#define R62_MAX ((64 * BN_MAX_LIMBS + 3 + 61) / 62)

typedef struct {
    int64_t u, v, q, r;
} r62_matrix;

/* The number of radix-2^62 limbs used for a modulus of nl 64-bit limbs: room for a signed
 * value of magnitude below 2^(64 nl + 2). */
static size_t r62_len(size_t nl)
{
    return (64 * nl + 3 + 61) / 62;
}

/* out (len limbs of 62 bits) = x (nl limbs of 64 bits); the top limb takes the rest. */
static void r62_from(int64_t *out, size_t len, const uint64_t *x, size_t nl)
{
    for (size_t j = 0; j < len; j++) {
        size_t bit = 62 * j, w = bit / 64, sh = bit % 64;
        uint64_t lo = w < nl ? x[w] >> sh : 0;
        uint64_t hi = (sh > 2 && w + 1 < nl) ? x[w + 1] << (64 - sh) : 0;
        uint64_t v = lo | hi;
        out[j] = (int64_t)(j + 1 < len ? v & MASK62 : v);
    }
}

/* x (nl limbs) = in (len limbs, normalised, non-negative and below 2^(64 nl)). */
static void r62_to(uint64_t *x, size_t nl, const int64_t *in, size_t len)
{
    for (size_t w = 0; w < nl; w++)
        x[w] = 0;
    for (size_t j = 0; j < len; j++) {
        size_t bit = 62 * j, w = bit / 64, sh = bit % 64;
        uint64_t v = (uint64_t)in[j];
        if (w < nl)
            x[w] |= v << sh;
        if (sh > 2 && w + 1 < nl)
            x[w + 1] |= v >> (64 - sh);
    }
}

/* Propagates each limb's excess into the next one (limbs 0..len-2 end in [0, 2^62)). */
static void r62_normalise(int64_t *a, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        a[i + 1] += a[i] >> 62;
        a[i] = (int64_t)((uint64_t)a[i] & MASK62);
    }
}

/* The low words and the matrix of one batch. */
typedef struct {
    int64_t delta;
    uint64_t f, g, u, v, q, r;
} r62_batch;

/*
 * One divstep on the low words, recording the matrix: each halving of g is recorded as a
 * doubling of the row (u, v) instead, so that all entries of T carry 2^62 after 62 steps.
 * Branch-free: with c1 the mask of delta > 0 and c2 that of g odd, g gains f or -f (c1) when
 * odd; a swap (c1 and c2) then makes f the old g (f + (g - f)) and negates delta.
 */
static ALWAYS_INLINE void divstep(r62_batch *b)
{
    uint64_t c1 = (uint64_t)((0 - b->delta) >> 63), c2 = 0 - (b->g & 1);
    b->g += ((b->f ^ c1) - c1) & c2;
    b->q += ((b->u ^ c1) - c1) & c2;
    b->r += ((b->v ^ c1) - c1) & c2;
    c1 &= c2;
    b->delta = (int64_t)((((uint64_t)b->delta ^ c1) - c1) + 1);
    b->f += b->g & c1;
    b->u += b->q & c1;
    b->v += b->r & c1;
    b->g >>= 1;
    b->u <<= 1;
    b->v <<= 1;
}

static ALWAYS_INLINE void batch_start(r62_batch *b, int64_t delta, int64_t f, int64_t g)
{
    b->delta = delta;
    b->f = (uint64_t)f;
    b->g = (uint64_t)g;
    b->u = 1;
    b->v = 0;
    b->q = 0;
    b->r = 1;
}

static ALWAYS_INLINE void batch_matrix(r62_matrix *t, const r62_batch *b)
{
    t->u = (int64_t)b->u;
    t->v = (int64_t)b->v;
    t->q = (int64_t)b->q;
    t->r = (int64_t)b->r;
}

/* (f, g) = T (f, g) / 2^62 on len limbs (exact). */
static void apply_fg(int64_t *f, int64_t *g, size_t len, const r62_matrix *t)
{
    s128 af = (s128)t->u * f[0] + (s128)t->v * g[0];
    s128 ag = (s128)t->q * f[0] + (s128)t->r * g[0];
    af >>= 62;
    ag >>= 62;
    for (size_t i = 1; i < len; i++) {
        af += (s128)t->u * f[i] + (s128)t->v * g[i];
        ag += (s128)t->q * f[i] + (s128)t->r * g[i];
        f[i - 1] = (int64_t)((uint64_t)af & MASK62);
        g[i - 1] = (int64_t)((uint64_t)ag & MASK62);
        af >>= 62;
        ag >>= 62;
    }
    f[len - 1] = (int64_t)af;
    g[len - 1] = (int64_t)ag;
}

/*
 * (d, e) = T (d, e) / 2^62 mod m on len limbs, d and e kept in (-2m, m): a negative input
 * first gains m (through the multiple of m added), so both are in (-m, m) and the sum of
 * products is below 2^62 m in size; k m with k in (-2^62, 0] clears its low 62 bits, which
 * leaves the quotient in (-2m, m) (as in ec_modinv.c's mi_update_de).
 */
static void apply_de(int64_t *d, int64_t *e, size_t len, const r62_matrix *t, const int64_t *m,
                     uint64_t minv62)
{
    /* The barriers keep the masks masks: clang -O2 turned such an AND into a branch. */
    int64_t sd = (int64_t)ct_value_barrier_u64((uint64_t)(d[len - 1] >> 63));
    int64_t se = (int64_t)ct_value_barrier_u64((uint64_t)(e[len - 1] >> 63));
    int64_t kd = (t->u & sd) + (t->v & se), ke = (t->q & sd) + (t->r & se);
    s128 ad = (s128)t->u * d[0] + (s128)t->v * e[0];
    s128 ae = (s128)t->q * d[0] + (s128)t->r * e[0];
    kd -= (int64_t)((minv62 * (uint64_t)ad + (uint64_t)kd) & MASK62);
    ke -= (int64_t)((minv62 * (uint64_t)ae + (uint64_t)ke) & MASK62);
    ad += (s128)m[0] * kd;
    ae += (s128)m[0] * ke;
    ad >>= 62;
    ae >>= 62;
    for (size_t i = 1; i < len; i++) {
        ad += (s128)t->u * d[i] + (s128)t->v * e[i] + (s128)m[i] * kd;
        ae += (s128)t->q * d[i] + (s128)t->r * e[i] + (s128)m[i] * ke;
        d[i - 1] = (int64_t)((uint64_t)ad & MASK62);
        e[i - 1] = (int64_t)((uint64_t)ae & MASK62);
        ad >>= 62;
        ae >>= 62;
    }
    d[len - 1] = (int64_t)ad;
    e[len - 1] = (int64_t)ae;
}

/* All-ones if the signed value a (len limbs, top one signed) is 1 or -1. */
static uint64_t unit_mask(const int64_t *a, size_t len)
{
    uint64_t pos = (uint64_t)a[0] ^ 1, neg = (uint64_t)a[0] ^ (len == 1 ? UINT64_MAX : MASK62);
    for (size_t i = 1; i < len; i++) {
        pos |= (uint64_t)a[i];
        neg |= (uint64_t)a[i] ^ (i + 1 < len ? MASK62 : UINT64_MAX);
    }
    return ~ct_mask_nonzero_u64(pos) | ~ct_mask_nonzero_u64(neg);
}

/* One inversion's state: f = d x and g = e x (mod m). */
typedef struct {
    int64_t m[R62_MAX], f[R62_MAX], g[R62_MAX], d[R62_MAX], e[R62_MAX];
    int64_t delta;
    uint64_t minv62;
    size_t len;
} inv_state;

static void inv_init(inv_state *st, const bn_mont *ctx, const uint64_t *x)
{
    size_t nl = ctx->nl, len = r62_len(nl);
    st->len = len;
    /* ctx->n0 = -m^-1 mod 2^64 */
    st->minv62 = (0 - ctx->n0) & MASK62;
    r62_from(st->m, len, ctx->m, nl);
    r62_from(st->g, len, x, nl);
    for (size_t i = 0; i < len; i++) {
        st->f[i] = st->m[i];
        st->d[i] = 0;
        st->e[i] = 0;
    }
    st->e[0] = 1;
    st->delta = 1;
}

/* The batches for m of nl limbs: the bound above, rounded up to whole batches. */
static size_t inv_batches(size_t nl)
{
    return ((49 * 64 * nl + 57 + 16) / 17 + 61) / 62;
}

static void inv_apply(inv_state *st, const r62_batch *b)
{
    r62_matrix t;
    batch_matrix(&t, b);
    st->delta = b->delta;
    apply_de(st->d, st->e, st->len, &t, st->m, st->minv62);
    apply_fg(st->f, st->g, st->len, &t);
    tenon_wipe(&t, sizeof t);
}

/* f = +-gcd(m, x) and g = 0: r = x^-1 = sign(f) d mod m, d in (-2m, m); the mask of success. */
static uint64_t inv_finish(inv_state *st, uint64_t *r, size_t nl)
{
    size_t len = st->len;
    int64_t *d = st->d, *m = st->m;
    uint64_t ok = unit_mask(st->f, len);
    /* The sign masks go through barriers: from d's top word clang -O2 made `m[i] & dneg` a
     * branch on the sign (ct_rsa, clang Release build). */
    int64_t fneg = (int64_t)ct_value_barrier_u64((uint64_t)(st->f[len - 1] >> 63));
    int64_t dneg = (int64_t)ct_value_barrier_u64((uint64_t)(d[len - 1] >> 63));
    for (size_t i = 0; i < len; i++)
        d[i] += m[i] & dneg;
    r62_normalise(d, len);
    for (size_t i = 0; i < len; i++)
        d[i] = (d[i] ^ fneg) - fneg;
    r62_normalise(d, len);
    dneg = (int64_t)ct_value_barrier_u64((uint64_t)(d[len - 1] >> 63));
    for (size_t i = 0; i < len; i++)
        d[i] += m[i] & dneg;
    r62_normalise(d, len);
    r62_to(r, nl, d, len);
    tenon_wipe(st, sizeof *st);
    return ok;
}

uint64_t bn_mod_inv(const bn_mont *ctx, uint64_t *r, const uint64_t *x)
{
    inv_state st;
    r62_batch b;
    inv_init(&st, ctx, x);
    for (size_t n = inv_batches(ctx->nl); n > 0; n--) {
        batch_start(&b, st.delta, st.f[0], st.g[0]);
        for (int i = 0; i < 62; i++)
            divstep(&b);
        inv_apply(&st, &b);
    }
    tenon_wipe(&b, sizeof b);
    return inv_finish(&st, r, ctx->nl);
}

/* The divsteps of a batch form one serial chain of a few cycles per step, so the two chains of
 * two inversions, interleaved, take hardly longer than one. The smaller modulus may take more
 * batches than it needs: divsteps on g = 0 change neither f nor d mod m. */
void bn_mod_inv2(const bn_mont *ctx1, uint64_t *r1, const uint64_t *x1, const bn_mont *ctx2,
                 uint64_t *r2, const uint64_t *x2, uint64_t ok[2])
{
    inv_state st[2];
    r62_batch b1, b2;
    inv_init(&st[0], ctx1, x1);
    inv_init(&st[1], ctx2, x2);
    size_t n1 = inv_batches(ctx1->nl), n2 = inv_batches(ctx2->nl);
    for (size_t n = n1 > n2 ? n1 : n2; n > 0; n--) {
        batch_start(&b1, st[0].delta, st[0].f[0], st[0].g[0]);
        batch_start(&b2, st[1].delta, st[1].f[0], st[1].g[0]);
        for (int i = 0; i < 62; i++) {
            divstep(&b1);
            divstep(&b2);
        }
        inv_apply(&st[0], &b1);
        inv_apply(&st[1], &b2);
    }
    tenon_wipe(&b1, sizeof b1);
    tenon_wipe(&b2, sizeof b2);
    ok[0] = inv_finish(&st[0], r1, ctx1->nl);
    ok[1] = inv_finish(&st[1], r2, ctx2->nl);
}
