/*
 * The dual radix-2^52 exponentiation of bignum_r52.c, written once over a vector of 64-bit lanes
 * and included twice: with AVX-512 IFMA intrinsics, and with a portable model of the same vector
 * operations that valgrind can run (it has no AVX-512), so the constant-flow test checks the very
 * sequence of steps the vector build performs.
 *
 * The includer defines R52_NAME(x) (the instance's names), R52_ATTR (function attributes), the
 * type r52v of R52_LANES (defined before) 64-bit lanes and these operations on it (lanes numbered
 * from 0, the least significant limb): RV_ZERO()  RV_SET1(x)  RV_SETLO(x) (x in lane 0, zeros
 * elsewhere)  RV_LOAD(p)  RV_STORE(p, v) RV_ADD(a, b)  RV_AND(a, b)  RV_OR(a, b)  RV_SRL52(a)
 *   RV_MADDLO(acc, a, b) / RV_MADDHI(acc, a, b): acc + the low / high 52 bits of the product of
 *     the low 52 bits of a and b, per lane (VPMADD52LUQ / VPMADD52HUQ)
 *   RV_ALIGN1(hi, lo): lanes lo[1..], hi[0] (one lane down); RV_ALIGNUP(hi, lo): lo[top], hi[0..]
 *     (one lane up)
 *   RV_LANE1(a) (lane 1)  RV_GTMASK(a, b) / RV_EQMASK(a, b): bit masks of a > b / a == b per lane
 *   RV_ADD1MASK(a, k): a + 1 in the lanes whose bit of k is set
 *   RV_MADDLO_K(acc, k, a, b) / RV_MADDHI_K(acc, k, a, b): RV_MADDLO / RV_MADDHI in the lanes
 *     whose bit of k is set, acc elsewhere
 *   RV_ZIPLO(a, b): lanes a0 b0 a1 b1 a2 b2 a3 b3; RV_ZIPHI(a, b): a4 b4 .. a7 b7
 *   RV_BLEND(a, k, b): b in the lanes whose bit of k is set, a elsewhere (no branch on k)
 *   RV_SHIFTUP(hi, lo, s): lanes lo[8 - s..7], hi[0..7 - s] (s lanes up; s = 0: hi)
 */

/* Carries: lanes of up to ~60 bits to 52-bit limbs. One parallel step leaves each lane at most
 * 2^52 + 2^8, so what remains are carries of 0 or 1 that may ripple through lanes equal to
 * 2^52 - 1; with the lanes' masks G (above 2^52 - 1: generates a carry) and P (equal: passes
 * one on), the carries into the lanes are ((G << 1) + P) ^ P, an ordinary addition on the mask
 * bits (the value of the whole is below 2^52L, so nothing leaves the top lane). */
static R52_ATTR ALWAYS_INLINE void R52_NAME(norm)(r52v *x, const size_t V)
{
    r52v mask = RV_SET1(R52_MASK), c[R52_MAXV];
    UNROLL
    for (size_t v = 0; v < V; v++) {
        c[v] = RV_SRL52(x[v]);
        x[v] = RV_AND(x[v], mask);
    }
    uint64_t g = 0, p = 0;
    UNROLL
    for (size_t v = 0; v < V; v++) {
        x[v] = RV_ADD(x[v], RV_ALIGNUP(c[v], v > 0 ? c[v - 1] : RV_ZERO()));
        g |= (uint64_t)RV_GTMASK(x[v], mask) << (R52_LANES * v);
        p |= (uint64_t)RV_EQMASK(x[v], mask) << (R52_LANES * v);
    }
    uint64_t cin = ((g << 1) + p) ^ p;
    UNROLL
    for (size_t v = 0; v < V; v++)
        x[v] = RV_AND(RV_ADD1MASK(x[v], (uint8_t)(cin >> (R52_LANES * v))), mask);
}

/* r = a b 2^-52L mod m, up to 2m, for H = 1 or 2 halves at once (a and b below 2m, 52L >=
 * bits(m) + 2; Gueron's "almost Montgomery multiplication"). Word-serial over a: each turn adds
 * a_i b and q m to the accumulator, lanes holding up to ~60 bits (the carries are left in place),
 * then moves it down one lane; q is chosen from the full value of lane 0, which the scalar side
 * tracks (the lane's carry never enters the vector: it is added to the next lane 0 there). The
 * high halves of both products belong one lane up, so they are added after the move. h[k] gives
 * m, k0 and the scratch w of half k (r, a and b are in their tables/accumulators). With two
 * halves their steps interleave, so that each fills the other's wait on its q. */
static R52_ATTR ALWAYS_INLINE void R52_NAME(amm)(r52_half *const *h, uint64_t *const *r,
                                                 const uint64_t *const *a, const uint64_t *const *b,
                                                 const size_t H, const size_t L, const size_t V)
{
    r52v x[2][R52_MAXV], vb[2][R52_MAXV], vm[2][R52_MAXV];
    /* s: the full value of lane 0 (the vector's own lane 0 is not read in the loop); c: the carry
     * out of lane 0 when it is moved out */
    uint64_t s[2] = {0, 0}, c[2] = {0, 0};
    UNROLL
    for (size_t k = 0; k < H; k++) {
        UNROLL
        for (size_t v = 0; v < V; v++) {
            x[k][v] = RV_ZERO();
            vb[k][v] = RV_LOAD(b[k] + R52_LANES * v);
            vm[k][v] = RV_LOAD(h[k]->m + R52_LANES * v);
        }
        /* the low and high halves of a_i b_0 (in w), all at once, off the scalar side */
        r52v b0 = RV_SET1(b[k][0]);
        UNROLL
        for (size_t v = 0; v < V; v++) {
            r52v va = RV_LOAD(a[k] + R52_LANES * v);
            RV_STORE(h[k]->w + R52_LANES * v, RV_MADDLO(RV_ZERO(), va, b0));
            RV_STORE(h[k]->w + R52_STRIDE + R52_LANES * v, RV_MADDHI(RV_ZERO(), va, b0));
        }
    }
    /* The products a_i b off x's chain: x starts with a_0 b's low halves, and each turn adds
     * p = the high halves of a_i b with the low halves of a_(i+1) b (made from zero, off the
     * chain) and q m's high halves (made on p) after its move, so that x waits on one
     * multiplication, a move and an addition per turn, not four multiplications and a move. */
    UNROLL
    for (size_t k = 0; k < H; k++) {
        r52v va0 = RV_SET1(a[k][0]);
        UNROLL
        for (size_t v = 0; v < V; v++)
            x[k][v] = RV_MADDLO(RV_ZERO(), va0, vb[k][v]);
    }
    for (size_t i = 0; i < L; i++) {
        r52v vq[2], p[2][R52_MAXV];
        unsigned __int128 qm[2];
        uint64_t q[2];
        UNROLL
        for (size_t k = 0; k < H; k++) {
            uint64_t t = s[k] + h[k]->w[i];
            q[k] = (t * h[k]->k0) & R52_MASK;
            qm[k] = (unsigned __int128)q[k] * h[k]->m[0];
            c[k] = (t + ((uint64_t)qm[k] & R52_MASK)) >> 52;
            vq[k] = RV_SET1(q[k]);
            r52v va = RV_SET1(a[k][i]);
            r52v vn = RV_SET1(i + 1 < L ? a[k][i + 1] : 0);
            UNROLL
            for (size_t v = 0; v < V; v++)
                p[k][v] = RV_MADDLO(RV_MADDHI(RV_ZERO(), va, vb[k][v]), vn, vb[k][v]);
        }
        /* The next lane 0: lane 1 before q m is added, plus the low half of q m_1 and the high
         * halves the vector gets after its move, all on the scalar side, so that the next q
         * waits on no vector instruction (lane 1 is one turn behind, off the chain). */
        UNROLL
        for (size_t k = 0; k < H; k++)
            s[k] = c[k] + RV_LANE1(x[k][0]) + ((q[k] * h[k]->m[1]) & R52_MASK) +
                   h[k]->w[R52_STRIDE + i] + (uint64_t)(qm[k] >> 52);
        UNROLL
        for (size_t v = 0; v < V; v++) {
            UNROLL
            for (size_t k = 0; k < H; k++)
                x[k][v] = RV_MADDLO(x[k][v], vq[k], vm[k][v]);
        }
        UNROLL
        for (size_t v = 0; v < V; v++) {
            UNROLL
            for (size_t k = 0; k < H; k++)
                x[k][v] = RV_ALIGN1(v + 1 < V ? x[k][v + 1] : RV_ZERO(), x[k][v]);
        }
        UNROLL
        for (size_t v = 0; v < V; v++) {
            UNROLL
            for (size_t k = 0; k < H; k++)
                x[k][v] = RV_ADD(x[k][v], RV_MADDHI(p[k][v], vq[k], vm[k][v]));
        }
    }
    UNROLL
    for (size_t k = 0; k < H; k++) {
        x[k][0] = RV_ADD(x[k][0], RV_SETLO(c[k]));
        R52_NAME(norm)(x[k], V);
        UNROLL
        for (size_t v = 0; v < V; v++)
            RV_STORE(r[k] + R52_LANES * v, x[k][v]);
    }
}

/* amm for both halves. */
static R52_ATTR ALWAYS_INLINE void R52_NAME(amm2)(r52_half *h1, uint64_t *r1, const uint64_t *a1,
                                                  const uint64_t *b1, r52_half *h2, uint64_t *r2,
                                                  const uint64_t *a2, const uint64_t *b2,
                                                  const size_t L, const size_t V)
{
    r52_half *const h[2] = {h1, h2};
    uint64_t *const r[2] = {r1, r2};
    const uint64_t *const a[2] = {a1, a2}, *const b[2] = {b1, b2};
    R52_NAME(amm)(h, r, a, b, 2, L, V);
}

/* r = a^2 2^-52L mod m, up to 2m, for H halves (a below 2m): amm's reduction with a dedicated
 * squaring. The cross products a_i a_j, j > i, are added once, in an accumulator y of their own
 * that moves down a lane per turn like x (masked to the lanes j > i; the vectors holding none
 * are skipped), and count twice: 2y joins x at the end, and each lane 0 the scalar side needs
 * is lane 1 of x plus twice lane 1 of y (final by then: a turn only adds to y at lanes above
 * it, so y's lane is not on the chain from one q to the next). The squares a_j^2 (positions 2j
 * and 2j + 1) are made at once and laid out by position: the first V vectors are where x
 * starts, the rest join at the end (they are past the lanes the reduction reads). Of amm's 4 V
 * multiplications per turn per half, 2 V remain for q m and on average about V for the cross
 * products. */
static R52_ATTR ALWAYS_INLINE void R52_NAME(ams)(r52_half *const *h, uint64_t *const *r,
                                                 const uint64_t *const *a, const size_t H,
                                                 const size_t L, const size_t V)
{
    r52v x[2][R52_MAXV], y[2][R52_MAXV], va[2][R52_MAXV], vm[2][R52_MAXV], d[2][2 * R52_MAXV];
    uint64_t s[2] = {0, 0}, c[2] = {0, 0};
    UNROLL
    for (size_t k = 0; k < H; k++) {
        UNROLL
        for (size_t v = 0; v < V; v++) {
            va[k][v] = RV_LOAD(a[k] + R52_LANES * v);
            vm[k][v] = RV_LOAD(h[k]->m + R52_LANES * v);
            y[k][v] = RV_ZERO();
        }
        /* the squares by position: d[2v], d[2v + 1] hold positions 16v .. 16v + 15 */
        UNROLL
        for (size_t v = 0; v < V; v++) {
            r52v lo = RV_MADDLO(RV_ZERO(), va[k][v], va[k][v]);
            r52v hi = RV_MADDHI(RV_ZERO(), va[k][v], va[k][v]);
            d[k][2 * v] = RV_ZIPLO(lo, hi);
            d[k][2 * v + 1] = RV_ZIPHI(lo, hi);
        }
        UNROLL
        for (size_t v = 0; v < V; v++)
            x[k][v] = d[k][v];
        /* lane 0: the low half of a_0^2 */
        s[k] = (uint64_t)((unsigned __int128)a[k][0] * a[k][0]) & R52_MASK;
    }
    /* The turns in runs of R52_LANES, by the vector u that holds lane i: vectors below u have no
     * lane j > i, u has some (masked), those above all. */
    UNROLL
    for (size_t u = 0; u < V; u++) {
        size_t end = R52_LANES * (u + 1) < L ? R52_LANES * (u + 1) : L;
        for (size_t i = R52_LANES * u; i < end; i++) {
            r52v vai[2], vq[2];
            unsigned __int128 qm[2];
            uint64_t q[2];
            UNROLL
            for (size_t k = 0; k < H; k++) {
                uint64_t t = s[k];
                q[k] = (t * h[k]->k0) & R52_MASK;
                qm[k] = (unsigned __int128)q[k] * h[k]->m[0];
                c[k] = (t + ((uint64_t)qm[k] & R52_MASK)) >> 52;
                vai[k] = RV_SET1(a[k][i]);
                vq[k] = RV_SET1(q[k]);
            }
            uint8_t km = (uint8_t)(0xfe << (i - R52_LANES * u));
            /* lane 1 of x before q m, as in amm */
            uint64_t x1[2];
            UNROLL
            for (size_t k = 0; k < H; k++)
                x1[k] = RV_LANE1(x[k][0]);
            UNROLL
            for (size_t v = 0; v < V; v++) {
                UNROLL
                for (size_t k = 0; k < H; k++)
                    x[k][v] = RV_MADDLO(x[k][v], vq[k], vm[k][v]);
                UNROLL
                for (size_t k = 0; k < H; k++) {
                    if (v == u)
                        y[k][v] = RV_MADDLO_K(y[k][v], km, vai[k], va[k][v]);
                    else if (v > u)
                        y[k][v] = RV_MADDLO(y[k][v], vai[k], va[k][v]);
                }
            }
            UNROLL
            for (size_t k = 0; k < H; k++)
                s[k] = c[k] + x1[k] + ((q[k] * h[k]->m[1]) & R52_MASK) + 2 * RV_LANE1(y[k][0]) +
                       (uint64_t)(qm[k] >> 52);
            UNROLL
            for (size_t v = 0; v < V; v++) {
                UNROLL
                for (size_t k = 0; k < H; k++) {
                    x[k][v] = RV_ALIGN1(v + 1 < V ? x[k][v + 1] : RV_ZERO(), x[k][v]);
                    y[k][v] = RV_ALIGN1(v + 1 < V ? y[k][v + 1] : RV_ZERO(), y[k][v]);
                }
            }
            /* q m's high halves made from zero and added: x's chain is one multiplication, the
             * move and an addition per turn (y's the same way was slower) */
            UNROLL
            for (size_t v = 0; v < V; v++) {
                UNROLL
                for (size_t k = 0; k < H; k++)
                    x[k][v] = RV_ADD(x[k][v], RV_MADDHI(RV_ZERO(), vq[k], vm[k][v]));
                UNROLL
                for (size_t k = 0; k < H; k++) {
                    if (v == u)
                        y[k][v] = RV_MADDHI_K(y[k][v], km, vai[k], va[k][v]);
                    else if (v > u)
                        y[k][v] = RV_MADDHI(y[k][v], vai[k], va[k][v]);
                }
            }
        }
    }
    /* x + 2y + the squares past the first V vectors (positions 8V.., now lanes 8V - L..) */
    UNROLL
    for (size_t k = 0; k < H; k++) {
        UNROLL
        for (size_t v = 0; v < V; v++) {
            r52v dv =
                RV_SHIFTUP(d[k][V + v], v > 0 ? d[k][V + v - 1] : RV_ZERO(), R52_LANES * V - L);
            x[k][v] = RV_ADD(RV_ADD(x[k][v], dv), RV_ADD(y[k][v], y[k][v]));
        }
        x[k][0] = RV_ADD(x[k][0], RV_SETLO(c[k]));
        R52_NAME(norm)(x[k], V);
        UNROLL
        for (size_t v = 0; v < V; v++)
            RV_STORE(r[k] + R52_LANES * v, x[k][v]);
    }
}

/* ams for both halves. */
static R52_ATTR ALWAYS_INLINE void R52_NAME(ams2)(r52_half *h1, uint64_t *r1, const uint64_t *a1,
                                                  r52_half *h2, uint64_t *r2, const uint64_t *a2,
                                                  const size_t L, const size_t V)
{
    r52_half *const h[2] = {h1, h2};
    uint64_t *const r[2] = {r1, r2};
    const uint64_t *const a[2] = {a1, a2};
    R52_NAME(ams)(h, r, a, 2, L, V);
}

/* out = table[win] for both halves, every entry read and masked (no secret-dependent address). */
static R52_ATTR ALWAYS_INLINE void R52_NAME(scan)(uint64_t *out, const uint64_t *table,
                                                  uint32_t win, const size_t V)
{
    r52v acc[R52_MAXV];
    UNROLL
    for (size_t v = 0; v < V; v++)
        acc[v] = RV_ZERO();
    /* each entry loaded whole and kept in the lanes of a mask that is all or nothing: one
     * masked move per vector where AND and OR took two */
    for (uint32_t i = 0; i < R52_ENTRIES; i++) {
        uint8_t sel = (uint8_t)ct_mask_eq_u32(i, win);
        UNROLL
        for (size_t v = 0; v < V; v++)
            acc[v] = RV_BLEND(acc[v], sel, RV_LOAD(table + i * R52_STRIDE + R52_LANES * v));
    }
    UNROLL
    for (size_t v = 0; v < V; v++)
        RV_STORE(out + R52_LANES * v, acc[v]);
}

/* The exponentiations on the prepared halves (see r52_half): table, fixed windows, and the
 * conversion of the results back to 2^64-radix Montgomery form (still below 2m). */
static R52_ATTR ALWAYS_INLINE void R52_NAME(pow2)(r52_half *h1, r52_half *h2, size_t en,
                                                  const size_t L, const size_t V)
{
    /* table[0] = 2^52L mod m is set; table[1] = b 2^52L; table[i] = b^i 2^52L */
    R52_NAME(amm2)
    (h1, h1->table + R52_STRIDE, h1->b, h1->k, h2, h2->table + R52_STRIDE, h2->b, h2->k, L, V);
    for (size_t i = 2; i < R52_ENTRIES; i += 2) {
        /* table[i] = table[i / 2]^2, table[i + 1] = table[i] table[1] */
        R52_NAME(ams2)
        (h1, h1->table + i * R52_STRIDE, h1->table + i / 2 * R52_STRIDE, h2,
         h2->table + i * R52_STRIDE, h2->table + i / 2 * R52_STRIDE, L, V);
        R52_NAME(amm2)
        (h1, h1->table + (i + 1) * R52_STRIDE, h1->table + i * R52_STRIDE, h1->table + R52_STRIDE,
         h2, h2->table + (i + 1) * R52_STRIDE, h2->table + i * R52_STRIDE, h2->table + R52_STRIDE,
         L, V);
    }
    size_t nwin = (64 * en + BN_WIN - 1) / BN_WIN;
    for (size_t w = nwin; w-- > 0;) {
        uint32_t win1 = bn_exp_window(h1->e, en, w * BN_WIN);
        uint32_t win2 = bn_exp_window(h2->e, en, w * BN_WIN);
        if (w == nwin - 1) {
            R52_NAME(scan)(h1->acc, h1->table, win1, V);
            R52_NAME(scan)(h2->acc, h2->table, win2, V);
            continue;
        }
        for (int s = 0; s < BN_WIN; s++)
            R52_NAME(ams2)(h1, h1->acc, h1->acc, h2, h2->acc, h2->acc, L, V);
        R52_NAME(scan)(h1->t, h1->table, win1, V);
        R52_NAME(scan)(h2->t, h2->table, win2, V);
        R52_NAME(amm2)(h1, h1->acc, h1->acc, h1->t, h2, h2->acc, h2->acc, h2->t, L, V);
    }
    /* acc 2^52L times 2^64n 2^-52L */
    R52_NAME(amm2)(h1, h1->acc, h1->acc, h1->z, h2, h2->acc, h2->acc, h2->z, L, V);
}

/* The base of H halves to the public exponent e >= 1 (r^e of the blinding and s^e of the check
 * with both halves; the RSA public operation with one): square-and-multiply on amm, from h->b to
 * b^e, below 2m (h->acc). k and z convert into and out of the 2^52L form, as in pow2 (b R and
 * b^e R there; the public operation's constants take b and b^e plain). Branches on the bits of
 * e only. */
static R52_ATTR ALWAYS_INLINE void R52_NAME(powu)(r52_half *const *h, uint64_t e, const size_t H,
                                                  const size_t L, const size_t V)
{
    uint64_t *acc[2] = {NULL, NULL}, *t[2] = {NULL, NULL};
    const uint64_t *cacc[2] = {NULL, NULL}, *ct[2] = {NULL, NULL}, *cb[2] = {NULL, NULL};
    const uint64_t *ck[2] = {NULL, NULL}, *cz[2] = {NULL, NULL};
    for (size_t k = 0; k < H; k++) {
        cacc[k] = acc[k] = h[k]->acc;
        ct[k] = t[k] = h[k]->t;
        cb[k] = h[k]->b;
        ck[k] = h[k]->k;
        cz[k] = h[k]->z;
    }
    /* t = b 2^52L */
    R52_NAME(amm)(h, t, cb, ck, H, L, V);
    UNROLL
    for (size_t k = 0; k < H; k++) {
        UNROLL
        for (size_t v = 0; v < V; v++)
            RV_STORE(h[k]->acc + R52_LANES * v, RV_LOAD(h[k]->t + R52_LANES * v));
    }
    for (int i = 62 - __builtin_clzll(e); i >= 0; i--) {
        R52_NAME(ams)(h, acc, cacc, H, L, V);
        if ((e >> i) & 1)
            R52_NAME(amm)(h, acc, cacc, ct, H, L, V);
    }
    /* b^e 2^52L times z 2^-52L */
    R52_NAME(amm)(h, acc, cacc, cz, H, L, V);
}

/* One dual product for the tests (bn_r52_mul_test): acc = t^2 (sqr) or t b, 2^-52L mod m. */
static R52_ATTR ALWAYS_INLINE void R52_NAME(prod2)(r52_half *h1, r52_half *h2, int sqr,
                                                   const size_t L, const size_t V)
{
    if (sqr)
        R52_NAME(ams2)(h1, h1->acc, h1->t, h2, h2->acc, h2->t, L, V);
    else
        R52_NAME(amm2)(h1, h1->acc, h1->t, h1->b, h2, h2->acc, h2->t, h2->b, L, V);
}

/* The includer's definitions are consumed. */
#undef R52_NAME
#undef R52_ATTR
#undef r52v
#undef RV_ZERO
#undef RV_SET1
#undef RV_SETLO
#undef RV_LOAD
#undef RV_STORE
#undef RV_ADD
#undef RV_AND
#undef RV_OR
#undef RV_SRL52
#undef RV_MADDLO
#undef RV_MADDHI
#undef RV_ALIGN1
#undef RV_ALIGNUP
#undef RV_LANE1
#undef RV_GTMASK
#undef RV_EQMASK
#undef RV_ADD1MASK
#undef RV_MADDLO_K
#undef RV_MADDHI_K
#undef RV_ZIPLO
#undef RV_ZIPHI
#undef RV_SHIFTUP
#undef RV_BLEND
