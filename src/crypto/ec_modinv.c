/*
 * Modular inversion by divsteps (Bernstein and Yang, "Fast constant-time gcd computation and
 * modular inversion", TCHES 2019 issue 3), for odd moduli below 2^256, in variable time: for
 * public values, and for secret ones only once blinded by a uniform secret factor.
 *
 * The divstep on (delta, f, g), f odd:
 *   delta > 0 and g odd:  (1 - delta, g, (g - f) / 2)
 *   g odd otherwise:      (1 + delta, f, (g + f) / 2)
 *   g even:               (1 + delta, f, g / 2)
 * starting from (1, M, a) reaches g = 0 with f = ±gcd(M, a) = ±1. Each decision depends only
 * on the low bits of f and g, so the steps run in batches of 62 on the low words alone,
 * recording a matrix T = [u v; q r] with 2^62·(f', g') = T·(f, g); T is then applied to the
 * full-length f and g (exactly divisible by 2^62), and to d and e, which track
 * f = d·a and g = e·a (mod M), there dividing by 2^62 modulo M by adding the multiple of M
 * that clears the low 62 bits. At the end a^-1 = ±d.
 *
 * Bounds. The paper's theorem 11.2 says that for d >= 46 and f^2 + 4g^2 <= 5·2^(2d), any
 * m >= (49d + 57) / 17 divsteps reach g = 0; for d = 256 that is 742, so at most twelve
 * batches of 62 (744) run for any M < 2^256 and a < M (the loop stops at g = 0, usually after
 * nine or ten). After n steps the entries of T are at most 2^n in size (|u| + |v| <= 2^n,
 * |q| + |r| <= 2^n), so with n = 62 they fit int64_t and each product with a 62-bit limb fits
 * 124 bits. d and e stay in (-2M, M): see mi_update_de.
 *
 * Numbers are held in signed radix 2^62: limbs 0..3 in [0, 2^62), limb 4 signed (bits 248 and
 * up), 310 bits in all, room for the 258-bit signed values above. A limb-by-limb sum of
 * products is carried with arithmetic right shifts of a signed 128-bit accumulator.
 */
#include "ec_modinv.h"

#include <string.h>

#include "../common.h"
#include "cpu.h"

#define M62 UINT64_C(0x3fffffffffffffff)

typedef __int128 mi_i128;

typedef struct {
    int64_t v[5];
} mi_s62;

typedef struct {
    int64_t u, v, q, r;
} mi_trans;

static inline __attribute__((always_inline)) void mi_from_u64(mi_s62 *r, const uint64_t a[4])
{
    r->v[0] = (int64_t)(a[0] & M62);
    r->v[1] = (int64_t)(((a[0] >> 62) | (a[1] << 2)) & M62);
    r->v[2] = (int64_t)(((a[1] >> 60) | (a[2] << 4)) & M62);
    r->v[3] = (int64_t)(((a[2] >> 58) | (a[3] << 6)) & M62);
    r->v[4] = (int64_t)(a[3] >> 56);
}

/* For a normalised value in [0, 2^256). */
static inline __attribute__((always_inline)) void mi_to_u64(uint64_t r[4], const mi_s62 *a)
{
    uint64_t v0 = (uint64_t)a->v[0], v1 = (uint64_t)a->v[1], v2 = (uint64_t)a->v[2],
             v3 = (uint64_t)a->v[3], v4 = (uint64_t)a->v[4];
    r[0] = v0 | (v1 << 62);
    r[1] = (v1 >> 2) | (v2 << 60);
    r[2] = (v2 >> 4) | (v3 << 58);
    r[3] = (v3 >> 6) | (v4 << 56);
}

/* Moves each limb's excess (positive or negative) into the next: limbs 0..3 end in
 * [0, 2^62). */
static inline __attribute__((always_inline)) void mi_carry(mi_s62 *a)
{
    for (int i = 0; i < 4; i++) {
        a->v[i + 1] += a->v[i] >> 62;
        a->v[i] &= (int64_t)M62;
    }
}

/*
 * 62 divsteps on the low words of f and g (their decisions depend on those bits only): returns
 * the new delta and sets T. Rather than halving g, each step doubles the row (u, v) that
 * produces f, so that all four entries share the factor 2^62 at the end. Runs of even g are
 * taken at once (count trailing zeros), and so are up to six steps without a swap (below):
 * for public inputs only.
 */
static inline __attribute__((always_inline)) int64_t mi_divsteps_62_var(int64_t delta, uint64_t f,
                                                                        uint64_t g, mi_trans *t)
{
    uint64_t u = 1, v = 0, q = 0, r = 1;
    int left = 62;
    for (;;) {
        /* The bit at position `left` stops the count: at most `left` halvings remain. */
        int z = __builtin_ctzll(g | ((uint64_t)1 << left));
        g >>= z;
        u <<= z;
        v <<= z;
        delta += z;
        left -= z;
        if (left == 0)
            break;
        /* g is odd. With delta > 0 the step is (1 - delta, g, (g - f) / 2): swap f and g,
         * negate the new g and delta, and it becomes the other odd step. */
        if (delta > 0) {
            uint64_t x = f;
            f = g;
            g = 0 - x;
            x = u;
            u = q;
            q = 0 - x;
            x = v;
            v = r;
            r = 0 - x;
            delta = -delta;
        }
        /* Now delta <= 0, so the next 1 - delta steps cannot swap: each adds f to g if g is
         * odd, then halves it. Up to min(1 - delta, left, 6) such steps at once: add w·f, with
         * w = -g/f mod 2^limit, which clears the low `limit` bits (the halvings are the next
         * count of trailing zeros). -1/f mod 64 is f·(f^2 - 2): f is its own inverse mod 8,
         * and one Newton step doubles that. The rows of T follow: q += w·u, r += w·v. The
         * three bounds are two masks, so that the one from `left` (known early) is off the
         * path from delta to w. */
        int limit = 1 - delta < 6 ? (int)(1 - delta) : 6;
        uint64_t w = f * g * (f * f - 2);
        w &= (UINT64_MAX >> (64 - limit)) & (((uint64_t)1 << left) - 1);
        g += f * w;
        q += u * w;
        r += v * w;
    }
    t->u = (int64_t)u;
    t->v = (int64_t)v;
    t->q = (int64_t)q;
    t->r = (int64_t)r;
    return delta;
}

/* (f, g) = T·(f, g) / 2^62, an exact division. */
static inline __attribute__((always_inline)) void mi_update_fg(mi_s62 *f, mi_s62 *g,
                                                               const mi_trans *t)
{
    mi_i128 cf = (mi_i128)t->u * f->v[0] + (mi_i128)t->v * g->v[0];
    mi_i128 cg = (mi_i128)t->q * f->v[0] + (mi_i128)t->r * g->v[0];
    cf >>= 62;
    cg >>= 62;
    for (int i = 1; i < 5; i++) {
        cf += (mi_i128)t->u * f->v[i] + (mi_i128)t->v * g->v[i];
        cg += (mi_i128)t->q * f->v[i] + (mi_i128)t->r * g->v[i];
        f->v[i - 1] = (int64_t)((uint64_t)cf & M62);
        g->v[i - 1] = (int64_t)((uint64_t)cg & M62);
        cf >>= 62;
        cg >>= 62;
    }
    f->v[4] = (int64_t)cf;
    g->v[4] = (int64_t)cg;
}

/*
 * (d, e) = T·(d, e) / 2^62 mod M, keeping both in (-2M, M). A negative d or e first gains M
 * (folded into the multiple of M: u·(d + M) = u·d + u·M), so both are in (-M, M) and
 * |u·d + v·e| < 2^62·M. Then k·M with k = -((that + extra·M)·M^-1 mod 2^62) in (-2^62, 0]
 * clears the low 62 bits, and the quotient is in (-2^63·M, 2^62·M) / 2^62 = (-2M, M).
 */
static inline __attribute__((always_inline)) void
mi_update_de(mi_s62 *d, mi_s62 *e, const mi_trans *t, const ec_modinv_mod *mod)
{
    int64_t sd = d->v[4] >> 63, se = e->v[4] >> 63;
    int64_t md = (t->u & sd) + (t->v & se), me = (t->q & sd) + (t->r & se);
    mi_i128 cd = (mi_i128)t->u * d->v[0] + (mi_i128)t->v * e->v[0];
    mi_i128 ce = (mi_i128)t->q * d->v[0] + (mi_i128)t->r * e->v[0];
    md -= (int64_t)((mod->minv62 * (uint64_t)cd + (uint64_t)md) & M62);
    me -= (int64_t)((mod->minv62 * (uint64_t)ce + (uint64_t)me) & M62);
    cd += (mi_i128)mod->m[0] * md;
    ce += (mi_i128)mod->m[0] * me;
    cd >>= 62;
    ce >>= 62;
    for (int i = 1; i < 5; i++) {
        cd += (mi_i128)t->u * d->v[i] + (mi_i128)t->v * e->v[i] + (mi_i128)mod->m[i] * md;
        ce += (mi_i128)t->q * d->v[i] + (mi_i128)t->r * e->v[i] + (mi_i128)mod->m[i] * me;
        d->v[i - 1] = (int64_t)((uint64_t)cd & M62);
        e->v[i - 1] = (int64_t)((uint64_t)ce & M62);
        cd >>= 62;
        ce >>= 62;
    }
    d->v[4] = (int64_t)cd;
    e->v[4] = (int64_t)ce;
}

/* r = sign(f)·d mod M in [0, M), for d in (-2M, M) and f = ±1 (or f = M, d = 0 when a = 0):
 * add M if d is negative, negate if f is, add M if the result is negative. */
static inline __attribute__((always_inline)) void
mi_finish(uint64_t r[4], mi_s62 *d, const mi_s62 *f, const ec_modinv_mod *mod)
{
    int64_t s = d->v[4] >> 63;
    for (int i = 0; i < 5; i++)
        d->v[i] += mod->m[i] & s;
    mi_carry(d);
    int64_t fneg = f->v[4] >> 63;
    for (int i = 0; i < 5; i++)
        d->v[i] = (d->v[i] ^ fneg) - fneg;
    mi_carry(d);
    s = d->v[4] >> 63;
    for (int i = 0; i < 5; i++)
        d->v[i] += mod->m[i] & s;
    mi_carry(d);
    mi_to_u64(r, d);
}

/* The divsteps state: f = M, g = a, with f = d·a and g = e·a (mod M). */
typedef struct {
    mi_s62 d, e, f, g;
    int64_t delta;
} mi_state;

static inline __attribute__((always_inline)) void mi_init(mi_state *st, const uint64_t a[4],
                                                          const ec_modinv_mod *mod)
{
    memset(st, 0, sizeof *st);
    st->e.v[0] = 1;
    st->delta = 1;
    for (int i = 0; i < 5; i++)
        st->f.v[i] = mod->m[i];
    mi_from_u64(&st->g, a);
}

static inline __attribute__((always_inline)) void mi_apply(mi_state *st, const mi_trans *t,
                                                           const ec_modinv_mod *mod)
{
    mi_update_de(&st->d, &st->e, t, mod);
    mi_update_fg(&st->f, &st->g, t);
}

/* The whole inversion, inlined into a baseline copy and a BMI1/BMI2 one (tzcnt, shlx/shrx: no
 * flag-merging shifts by cl on the divsteps' dependency chain). */
static inline __attribute__((always_inline)) void mi_run(uint64_t r[4], const uint64_t a[4],
                                                         const ec_modinv_mod *mod)
{
    mi_state st;
    mi_trans t;
    mi_init(&st, a, mod);
    /* At most twelve batches (the bound above); usually fewer. */
    for (int i = 0; i < 12; i++) {
        const int64_t *g = st.g.v;
        if ((g[0] | g[1] | g[2] | g[3] | g[4]) == 0)
            break;
        st.delta = mi_divsteps_62_var(st.delta, (uint64_t)st.f.v[0], (uint64_t)g[0], &t);
        mi_apply(&st, &t, mod);
    }
    mi_finish(r, &st.d, &st.f, mod);
}

static void mi_run_c(uint64_t r[4], const uint64_t a[4], const ec_modinv_mod *mod)
{
    mi_run(r, a, mod);
}

#if TENON_X86_64
TENON_TARGET("bmi,bmi2")
static void mi_run_bmi2(uint64_t r[4], const uint64_t a[4], const ec_modinv_mod *mod)
{
    mi_run(r, a, mod);
}
#endif

void ec_modinv256_var(uint64_t r[4], const uint64_t a[4], const ec_modinv_mod *mod)
{
#if TENON_X86_64
    if (cpu_has(TENON_CPU_BMI2)) {
        mi_run_bmi2(r, a, mod);
        return;
    }
#endif
    mi_run_c(r, a, mod);
}
