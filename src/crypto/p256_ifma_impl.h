/*
 * The P-256 variable-base multiplication of p256_ifma.c, written once over a vector of four
 * 64-bit lanes and included twice: with AVX-512 IFMA intrinsics on 256-bit vectors, and with
 * the portable model of the same operations (ifma_vec.h) that valgrind can run, so the
 * constant-flow test (tests/ct_ec.c) checks the very sequence of steps the vector build
 * performs.
 *
 * The includer defines PI_NAME(x) (the instance's names), PI_ATTR (function attributes) and
 * the vector type xv with the operations listed in ifma_vec.h.
 *
 * Field elements: radix 2^52, five limbs, in Montgomery form with R = 2^260 (a is held as
 * a·2^260 mod p, not reduced: any value below 16p = 2^260 - 2^228 + ... fits the five limbs).
 * A vector fe holds limb i of four elements (one per lane) in vector i. A point is one such
 * vector fe with the lanes (X, Y, Z, 0), Jacobian coordinates.
 *
 * "Carried" means limbs 0..3 below 2^52 and limb 4 holding the rest, so the value's size
 * bounds limb 4; every input of a product is carried and below 16p (the multiplier reads only
 * the low 52 bits of each limb). Bounds below are in units of p: a product of inputs below
 * a·p and b·p is below (a·b/16 + 1)·p (Montgomery: (x·y + q·p) / 2^260 with q < 2^260).
 */

#define PI_M52 ((UINT64_C(1) << 52) - 1)

/* r[i + 1] += r[i] >> 52, r[i] &= 2^52 - 1, from the bottom up (a sequential pass: each limb
 * must take the carry from the one below before it gives its own). Limbs below 2^63. */
static PI_ATTR ALWAYS_INLINE void PI_NAME(carry)(xv r[5])
{
    xv m = XV_SET1(PI_M52);
    UNROLL
    for (int i = 0; i < 4; i++) {
        r[i + 1] = XV_ADD(r[i + 1], XV_SRL(r[i], 52));
        r[i] = XV_AND(r[i], m);
    }
}

/*
 * r = a·b·2^-260 mod p in each lane, below (a·b/16 + 1)·p and carried, for carried a, b below
 * 16p. The 25 limb products gather in ten columns t_k (lo halves in column i + j, hi halves
 * in i + j + 1; each column below 10·2^52). Montgomery reduction, one 52-bit digit at a time:
 * p = -1 mod 2^52, so the quotient digit q is the low limb t_0 mod 2^52 itself, and
 * (t + q·p) / 2^52 = (t >> 52) + q·p' with p' = (p + 1) / 2^52 = 2^44 + 2^140 + 2^204 - 2^172:
 * limb 0 of q·p' is (q mod 2^8)·2^44 (shifts), limb 1 gets q >> 8, 2^140 = 2^36 at limb 2,
 * and q·(2^48 - 2^16) at limb 3 by the multiplier (lo to limb 3, hi to limb 4). r may alias
 * a or b.
 */
static PI_ATTR ALWAYS_INLINE void PI_NAME(mul)(xv r[5], const xv a[5], const xv b[5])
{
    xv t[10];
    UNROLL
    for (int k = 0; k < 10; k++)
        t[k] = XV_SET1(0);
    UNROLL
    for (int i = 0; i < 5; i++) {
        UNROLL
        for (int j = 0; j < 5; j++) {
            t[i + j] = XV_MADDLO(t[i + j], a[i], b[j]);
            t[i + j + 1] = XV_MADDHI(t[i + j + 1], a[i], b[j]);
        }
    }
    xv m = XV_SET1(PI_M52), m8 = XV_SET1(0xff), c3 = XV_SET1((UINT64_C(1) << 48) - (1 << 16));
    UNROLL
    for (int i = 0; i < 5; i++) {
        xv q = XV_AND(t[i], m);
        t[i + 1] = XV_ADD(t[i + 1], XV_ADD(XV_SRL(t[i], 52), XV_SLL(XV_AND(t[i], m8), 44)));
        t[i + 2] = XV_ADD(t[i + 2], XV_SRL(q, 8));
        t[i + 3] = XV_ADD(t[i + 3], XV_AND(XV_SLL(q, 36), m));
        t[i + 4] = XV_ADD(t[i + 4], XV_SRL(q, 16));
        t[i + 4] = XV_MADDLO(t[i + 4], q, c3);
        t[i + 5] = XV_MADDHI(t[i + 5], q, c3);
    }
    UNROLL
    for (int i = 0; i < 5; i++)
        r[i] = t[i + 5];
    PI_NAME(carry)(r);
}

/*
 * Brings a carried value below 16p under 2^256 + 2^228 (< 2p, so 0 and p are its only
 * multiples of p): the bits from 2^256 up (h < 16, in limb 4 from bit 48) are replaced by
 * h·(2^256 mod p), limb by limb through the multiplier (h·c_i < 2^56: lo and hi halves).
 */
static PI_ATTR ALWAYS_INLINE void PI_NAME(fold)(xv r[5])
{
    static const uint64_t c[5] = {UINT64_C(0x1), UINT64_C(0xff00000000000),
                                  UINT64_C(0xfffffffffffff), UINT64_C(0xfffefffffffff),
                                  UINT64_C(0xffff)};
    xv h = XV_SRL(r[4], 48);
    r[4] = XV_AND(r[4], XV_SET1((UINT64_C(1) << 48) - 1));
    UNROLL
    for (int i = 0; i < 5; i++) {
        r[i] = XV_MADDLO(r[i], h, XV_SET1(c[i]));
        if (i < 4)
            r[i + 1] = XV_MADDHI(r[i + 1], h, XV_SET1(c[i]));
    }
    PI_NAME(carry)(r);
}

/* K·p for K = 2, 4, 8 with limbs 0..3 at least 2^54 - 4 (borrowed from the limb above), so
 * k - b is non-negative limb by limb for any b with limbs 0..3 below 2^54 (a sum of up to four
 * carried values) and a value below (K - 2^-28)·p (which bounds limb 4). */
static PI_ATTR ALWAYS_INLINE xv PI_NAME(kp)(int k, int i)
{
    static const uint64_t t[3][5] = {
        {UINT64_C(0x4ffffffffffffe), UINT64_C(0x401ffffffffffb), UINT64_C(0x3ffffffffffffc),
         UINT64_C(0x40001ffffffffc), UINT64_C(0x1fffffffdfffc)},
        {UINT64_C(0x4ffffffffffffc), UINT64_C(0x403ffffffffffb), UINT64_C(0x3ffffffffffffc),
         UINT64_C(0x40003ffffffffc), UINT64_C(0x3fffffffbfffc)},
        {UINT64_C(0x4ffffffffffff8), UINT64_C(0x407ffffffffffb), UINT64_C(0x3ffffffffffffc),
         UINT64_C(0x40007ffffffffc), UINT64_C(0x7fffffff7fffc)}};
    return XV_SET1(t[k == 2 ? 0 : k == 4 ? 1 : 2][i]);
}

/* Mask (all-ones in every lane) of: lane l of carried a is zero. */
static PI_ATTR ALWAYS_INLINE xv PI_NAME(lane_zero)(const xv a[5], int l)
{
    xv o = XV_OR(XV_OR(a[0], a[1]), XV_OR(XV_OR(a[2], a[3]), a[4]));
    /* The lane broadcast by an index vector, not XV_PERM's immediate: an unoptimised build
     * does not see l as a constant. */
    return XV_CMPEQ(XV_PERMV(o, XV_SET1((uint64_t)l)), XV_SET1(0));
}

/* Mask of: lane l of a, carried and below 2^256 + 2^228 (after fold), is 0 mod p, that is 0
 * or p. */
static PI_ATTR ALWAYS_INLINE xv PI_NAME(lane_zero_modp)(const xv a[5], int l)
{
    static const uint64_t p[5] = {UINT64_C(0xfffffffffffff), UINT64_C(0xfffffffffff), 0,
                                  UINT64_C(0x1000000000), UINT64_C(0xffffffff0000)};
    xv o = XV_SET1(0);
    UNROLL
    for (int i = 0; i < 5; i++)
        o = XV_OR(o, XV_XOR(a[i], XV_SET1(p[i])));
    return XV_OR(PI_NAME(lane_zero)(a, l), XV_CMPEQ(XV_PERMV(o, XV_SET1((uint64_t)l)), XV_SET1(0)));
}

/* The exceptional case of an addition, the same point twice: H = 0 and t = 0 mod p (t: R, or
 * S2 - Y1 for the mixed addition) with no input infinite (inf: all ones in the lanes where one
 * is). h and t are folded. */
static PI_ATTR ALWAYS_INLINE xv PI_NAME(same_point)(xv h[5], xv t[5], xv inf)
{
    PI_NAME(fold)(h);
    PI_NAME(fold)(t);
    xv same = XV_AND(PI_NAME(lane_zero_modp)(h, 0), PI_NAME(lane_zero_modp)(t, 0));
    return XV_AND(same, XV_XOR(inf, XV_SET1(~UINT64_C(0))));
}

/* The last step of both additions: m5 = (X3, Y3, Z3, 0) folded, from x3 (X3 in lane 0), m5
 * (R (V - X3) in lane 0, the product to subtract in lane 1) and Z3 in lane zl of m3 (a lane
 * number the permutation takes as an immediate, hence a macro). */
#ifndef PI_ADD_XYZ
#define PI_ADD_XYZ(m5, x3, m3, zl)                                                                 \
    do {                                                                                           \
        UNROLL                                                                                     \
        for (int i_ = 0; i_ < 5; i_++) {                                                           \
            xv y3_ = XV_SUB(XV_ADD(m5[i_], PI_NAME(kp)(2, i_)), XV_PERM(m5[i_], 1, 1, 1, 1));      \
            m5[i_] = XV_BLEND(XV_BLEND(x3[i_], XV_PERM(y3_, 0, 0, 0, 0), 0x2),                     \
                              XV_PERM(m3[i_], zl, zl, zl, zl), 0x4);                               \
            m5[i_] = XV_BLEND(m5[i_], XV_SET1(0), 0x8);                                            \
        }                                                                                          \
        PI_NAME(carry)(m5);                                                                        \
        PI_NAME(fold)(m5);                                                                         \
    } while (0)
#endif

/*
 * Doubling (the formulas of EC(jdbl) in ec_curve_impl.h: "dbl-2001-b", 3M + 5S here 8
 * products) in four rounds of products done side by side; v = (X, Y, Z, 0) below 2p on entry,
 * below 2^256 + 2^228 on exit (folded). Bounds in units of p on the right.
 */
static PI_ATTR ALWAYS_INLINE void PI_NAME(dbl)(xv v[5])
{
    xv l[5], r[5], m1[5], m2[5], m3[5], m4[5];
    /* (delta, gamma, YZ) = (Z, Y, Y)·(Z, Y, Z): each < 4/16 + 1 = 1.25 */
    UNROLL
    for (int i = 0; i < 5; i++) {
        l[i] = XV_PERM(v[i], 2, 1, 1, 3);
        r[i] = XV_PERM(v[i], 2, 1, 2, 3);
    }
    PI_NAME(mul)(m1, l, r);
    /* (4 beta, alpha, 8 gamma^2) = (4X, X - delta + 2p, 2 gamma)·(gamma, 3 (X + delta), 4 gamma):
     * 4X < 8, X - delta + 2p < 4, 2 gamma < 2.5; 3 (X + delta) < 9.75, 4 gamma < 5; products
     * 4 beta < 8·1.25/16 + 1 = 1.63, alpha < 4·9.75/16 + 1 = 3.44, 8 gamma^2 < 1.79. */
    UNROLL
    for (int i = 0; i < 5; i++) {
        xv x = XV_PERM(v[i], 0, 0, 0, 0), d = XV_PERM(m1[i], 0, 0, 0, 0);
        xv g = XV_PERM(m1[i], 1, 1, 1, 1);
        xv s = XV_ADD(x, d);
        l[i] = XV_BLEND(XV_SLL(x, 2), XV_SLL(g, 1), 0xC);
        l[i] = XV_BLEND(l[i], XV_SUB(XV_ADD(x, PI_NAME(kp)(2, i)), d), 0x2);
        r[i] = XV_BLEND(XV_SLL(g, 2), XV_ADD(s, XV_SLL(s, 1)), 0x2);
        r[i] = XV_BLEND(r[i], g, 0x1);
    }
    PI_NAME(carry)(l);
    PI_NAME(carry)(r);
    PI_NAME(mul)(m2, l, r);
    /* alpha^2 < 3.44^2/16 + 1 = 1.74 (all lanes: one vector of alpha). */
    UNROLL
    for (int i = 0; i < 5; i++)
        l[i] = XV_PERM(m2[i], 1, 1, 1, 1);
    PI_NAME(mul)(m3, l, l);
    /* X3 = alpha^2 - 8 beta: 1.74 + 4 - 2·(4 beta) < 5.74; W = 4 beta - X3 = 3 (4 beta) -
     * alpha^2, + 2p: < 4.89 + 2 = 6.89. */
    xv x3[5], w[5];
    UNROLL
    for (int i = 0; i < 5; i++) {
        xv b4 = m2[i], a2 = m3[i];
        x3[i] = XV_SUB(XV_ADD(a2, PI_NAME(kp)(4, i)), XV_SLL(b4, 1));
        w[i] = XV_SUB(XV_ADD(XV_ADD(b4, XV_SLL(b4, 1)), PI_NAME(kp)(2, i)), a2);
    }
    PI_NAME(carry)(w);
    /* alpha·W < 3.44·6.89/16 + 1 = 2.49 (lane 0). */
    PI_NAME(mul)(m4, l, w);
    /* Y3 = alpha W - 8 gamma^2 + 2p < 4.49; Z3 = 2 YZ < 2.5; then all lanes folded. */
    UNROLL
    for (int i = 0; i < 5; i++) {
        xv y3 = XV_SUB(XV_ADD(XV_PERM(m4[i], 0, 0, 0, 0), PI_NAME(kp)(2, i)),
                       XV_PERM(m2[i], 2, 2, 2, 2));
        xv z3 = XV_SLL(XV_PERM(m1[i], 2, 2, 2, 2), 1);
        v[i] = XV_BLEND(XV_BLEND(x3[i], y3, 0x2), z3, 0x4);
        v[i] = XV_BLEND(v[i], XV_SET1(0), 0x8);
    }
    PI_NAME(carry)(v);
    PI_NAME(fold)(v);
}

/*
 * The main loop's doublings run three rounds each instead of four: alpha = 3 (X - delta)
 * (X + delta) of the next doubling is computed in the last round of the one before, beside
 * alpha·W, from X3 and delta' = Z3^2 = (2 YZ)^2 (itself computed a round earlier). The first
 * doubling after an addition has no alpha ready and takes four rounds (dbl_first). Below, al is
 * the vector of alpha in every lane; v = (X, Y, Z, 0) below 2^256 + 2^228 (folded) on entry and
 * exit, alpha below 2.3p. Bounds in units of p.
 *
 * The common last round, from alpha^2 (a2), 4 beta (b4), 8 gamma^2 (g8), delta' (dn), YZ (yz),
 * alpha (al), each in every lane, with a2 < 1.33, b4 < 1.27, g8 < 1.57, dn < 1.29, yz < 1.07,
 * al < 2.3: X3 = alpha^2 - 2·(4 beta) + 4p < 5.3, folded; W = 4 beta - X3 + 2p < 3.27;
 * (alpha W, alpha') = (alpha, X3 - delta' + 2p)·(W, 3 (X3 + delta')): X3 - delta' + 2p < 3.01,
 * 3 (X3 + delta') < 6.9, alpha W < 1.47, alpha' < 3.01·6.9/16 + 1 = 2.3; Y3 = alpha W -
 * 8 gamma^2 + 2p < 3.47, Z3 = 2 YZ < 2.13, then all folded.
 */
static PI_ATTR ALWAYS_INLINE void PI_NAME(dbl_tail)(xv v[5], xv al[5], const xv a2[5],
                                                    const xv b4[5], const xv g8[5], const xv dn[5],
                                                    const xv yz[5])
{
    xv x3[5], w[5], l[5], r[5], m[5];
    UNROLL
    for (int i = 0; i < 5; i++)
        x3[i] = XV_SUB(XV_ADD(a2[i], PI_NAME(kp)(4, i)), XV_SLL(b4[i], 1));
    PI_NAME(carry)(x3);
    PI_NAME(fold)(x3);
    UNROLL
    for (int i = 0; i < 5; i++) {
        w[i] = XV_SUB(XV_ADD(b4[i], PI_NAME(kp)(2, i)), x3[i]);
        xv s = XV_ADD(x3[i], dn[i]);
        l[i] = XV_BLEND(al[i], XV_SUB(XV_ADD(x3[i], PI_NAME(kp)(2, i)), dn[i]), 0x2);
        r[i] = XV_BLEND(w[i], XV_ADD(s, XV_SLL(s, 1)), 0x2);
    }
    PI_NAME(carry)(l);
    PI_NAME(carry)(r);
    PI_NAME(mul)(m, l, r);
    UNROLL
    for (int i = 0; i < 5; i++) {
        xv y3 = XV_SUB(XV_ADD(XV_PERM(m[i], 0, 0, 0, 0), PI_NAME(kp)(2, i)), g8[i]);
        v[i] = XV_BLEND(XV_BLEND(x3[i], y3, 0x2), XV_SLL(yz[i], 1), 0x4);
        v[i] = XV_BLEND(v[i], XV_SET1(0), 0x8);
        al[i] = XV_PERM(m[i], 1, 1, 1, 1);
    }
    PI_NAME(carry)(v);
    PI_NAME(fold)(v);
}

/* Doubling with alpha given (three rounds); sets al to the next doubling's alpha.
 *   (gamma, YZ, alpha^2, XY) = (Y, Y, alpha, X)·(Y, Z, alpha, Y): < 1.07, 1.07, 1.33, 1.07
 *   (4 beta, 8 gamma^2, delta') = (4 XY, 2 gamma, 2 YZ)·(Y, 4 gamma, 2 YZ): < 1.27, 1.57, 1.29
 * and the last round (dbl_tail). */
static PI_ATTR ALWAYS_INLINE void PI_NAME(dbl3)(xv v[5], xv al[5])
{
    xv l[5], r[5], m1[5], m2[5], a2[5], b4[5], g8[5], dn[5], yz[5];
    UNROLL
    for (int i = 0; i < 5; i++) {
        xv y = XV_PERM(v[i], 1, 1, 1, 1);
        l[i] = XV_BLEND(XV_BLEND(y, al[i], 0x4), XV_PERM(v[i], 0, 0, 0, 0), 0x8);
        r[i] = XV_BLEND(XV_BLEND(y, XV_PERM(v[i], 2, 2, 2, 2), 0x2), al[i], 0x4);
    }
    PI_NAME(mul)(m1, l, r);
    UNROLL
    for (int i = 0; i < 5; i++) {
        xv g = XV_PERM(m1[i], 0, 0, 0, 0);
        yz[i] = XV_PERM(m1[i], 1, 1, 1, 1);
        a2[i] = XV_PERM(m1[i], 2, 2, 2, 2);
        xv t = XV_BLEND(XV_SLL(XV_PERM(m1[i], 3, 3, 3, 3), 2), XV_SLL(g, 1), 0x2);
        l[i] = XV_BLEND(t, XV_SLL(yz[i], 1), 0xC);
        t = XV_BLEND(XV_PERM(v[i], 1, 1, 1, 1), XV_SLL(g, 2), 0x2);
        r[i] = XV_BLEND(t, XV_SLL(yz[i], 1), 0xC);
    }
    PI_NAME(carry)(l);
    PI_NAME(carry)(r);
    PI_NAME(mul)(m2, l, r);
    UNROLL
    for (int i = 0; i < 5; i++) {
        b4[i] = XV_PERM(m2[i], 0, 0, 0, 0);
        g8[i] = XV_PERM(m2[i], 1, 1, 1, 1);
        dn[i] = XV_PERM(m2[i], 2, 2, 2, 2);
    }
    PI_NAME(dbl_tail)(v, al, a2, b4, g8, dn, yz);
}

/* Doubling without alpha (four rounds); sets al to the next doubling's alpha.
 *   (delta, gamma, YZ, XY) = (Z, Y, Y, X)·(Z, Y, Z, Y): each < 1.07
 *   (alpha, 4 beta, 8 gamma^2, delta') = (X - delta + 2p, 4 XY, 2 gamma, 2 YZ)·(3 (X + delta), Y,
 *     4 gamma, 2 YZ): X - delta + 2p < 3.01, 3 (X + delta) < 6.24, alpha < 2.17, the rest as in
 *     dbl3
 *   alpha^2 < 1.3 (every lane), and the last round (dbl_tail). */
static PI_ATTR ALWAYS_INLINE void PI_NAME(dbl_first)(xv v[5], xv al[5])
{
    xv l[5], r[5], m1[5], m2[5], a2[5], b4[5], g8[5], dn[5], yz[5];
    UNROLL
    for (int i = 0; i < 5; i++) {
        l[i] = XV_PERM(v[i], 2, 1, 1, 0);
        r[i] = XV_PERM(v[i], 2, 1, 2, 1);
    }
    PI_NAME(mul)(m1, l, r);
    UNROLL
    for (int i = 0; i < 5; i++) {
        xv x = XV_PERM(v[i], 0, 0, 0, 0), d = XV_PERM(m1[i], 0, 0, 0, 0);
        xv g = XV_PERM(m1[i], 1, 1, 1, 1), s = XV_ADD(x, d);
        yz[i] = XV_PERM(m1[i], 2, 2, 2, 2);
        xv t = XV_BLEND(XV_SUB(XV_ADD(x, PI_NAME(kp)(2, i)), d),
                        XV_SLL(XV_PERM(m1[i], 3, 3, 3, 3), 2), 0x2);
        t = XV_BLEND(t, XV_SLL(g, 1), 0x4);
        l[i] = XV_BLEND(t, XV_SLL(yz[i], 1), 0x8);
        t = XV_BLEND(XV_ADD(s, XV_SLL(s, 1)), XV_PERM(v[i], 1, 1, 1, 1), 0x2);
        t = XV_BLEND(t, XV_SLL(g, 2), 0x4);
        r[i] = XV_BLEND(t, XV_SLL(yz[i], 1), 0x8);
    }
    PI_NAME(carry)(l);
    PI_NAME(carry)(r);
    PI_NAME(mul)(m2, l, r);
    UNROLL
    for (int i = 0; i < 5; i++) {
        al[i] = XV_PERM(m2[i], 0, 0, 0, 0);
        b4[i] = XV_PERM(m2[i], 1, 1, 1, 1);
        g8[i] = XV_PERM(m2[i], 2, 2, 2, 2);
        dn[i] = XV_PERM(m2[i], 3, 3, 3, 3);
    }
    PI_NAME(mul)(a2, al, al);
    PI_NAME(dbl_tail)(v, al, a2, b4, g8, dn, yz);
}

/*
 * Addition (the formulas of EC(jadd): "add-2007-bl", 11M + 5S here 14 products) in five rounds;
 * p and q below 2p with Z folded (below 2^256 + 2^228), the result folded. Infinity (Z = 0 mod p)
 * on either side is selected around. Returns the
 * mask (all-ones in every lane) of p = q, both finite, the one case the formulas get wrong.
 * r may alias p or q.
 */
static PI_ATTR ALWAYS_INLINE xv PI_NAME(add)(xv r[5], const xv p[5], const xv q[5])
{
    xv l[5], s[5], m1[5], m2[5], m3[5], m4[5], m5[5], pq[5];
    /* (Z1Z1, Z2Z2, Z1Z2) = (Z1, Z2, Z1)·(Z1, Z2, Z2) < 1.25. pq = (Z1, Z2, Y1, Y2). */
    UNROLL
    for (int i = 0; i < 5; i++) {
        pq[i] = XV_BLEND(XV_PERM(p[i], 2, 2, 1, 1), XV_PERM(q[i], 2, 2, 1, 1), 0xA);
        l[i] = XV_PERM(pq[i], 0, 1, 0, 0);
        s[i] = XV_PERM(pq[i], 0, 1, 1, 1);
    }
    PI_NAME(mul)(m1, l, s);
    /* (U1, U2, Y1 Z2, Y2 Z1) = (X1, X2, Y1, Y2)·(Z2Z2, Z1Z1, Z2, Z1) < 2·1.25/16 + 1 = 1.16 */
    UNROLL
    for (int i = 0; i < 5; i++) {
        xv x12 = XV_BLEND(XV_PERM(p[i], 0, 0, 0, 0), XV_PERM(q[i], 0, 0, 0, 0), 0x2);
        l[i] = XV_BLEND(x12, pq[i], 0xC);
        s[i] = XV_BLEND(XV_PERM(m1[i], 1, 0, 0, 0), XV_PERM(pq[i], 0, 0, 1, 0), 0xC);
    }
    PI_NAME(mul)(m2, l, s);
    /* H = U2 - U1 + 2p < 3.16; (S1, S2, HH, Z3) = (Y1Z2, Y2Z1, H, Z1Z2)·(Z2Z2, Z1Z1, H, H):
     * S < 1.1, HH < 3.16^2/16 + 1 = 1.63, Z3 < 1.25·3.16/16 + 1 = 1.25. */
    xv h[5];
    UNROLL
    for (int i = 0; i < 5; i++) {
        h[i] = XV_SUB(XV_ADD(XV_PERM(m2[i], 1, 1, 1, 1), PI_NAME(kp)(2, i)),
                      XV_PERM(m2[i], 0, 0, 0, 0));
        l[i] = XV_BLEND(XV_PERM(m2[i], 2, 3, 0, 0), XV_PERM(m1[i], 2, 2, 2, 2), 0x8);
        s[i] = XV_PERM(m1[i], 1, 0, 0, 0);
    }
    PI_NAME(carry)(h);
    UNROLL
    for (int i = 0; i < 5; i++) {
        l[i] = XV_BLEND(l[i], h[i], 0x4);
        s[i] = XV_BLEND(s[i], h[i], 0xC);
    }
    PI_NAME(mul)(m3, l, s);
    /* R = S2 - S1 + 2p < 3.1; (R^2, V, HHH) = (R, U1, H)·(R, HH, HH): R^2 < 1.61,
     * V < 1.16·1.63/16 + 1 = 1.12, HHH < 3.16·1.63/16 + 1 = 1.33. */
    xv rr[5];
    UNROLL
    for (int i = 0; i < 5; i++)
        rr[i] = XV_SUB(XV_ADD(XV_PERM(m3[i], 1, 1, 1, 1), PI_NAME(kp)(2, i)),
                       XV_PERM(m3[i], 0, 0, 0, 0));
    PI_NAME(carry)(rr);
    UNROLL
    for (int i = 0; i < 5; i++) {
        l[i] = XV_BLEND(XV_BLEND(rr[i], XV_PERM(m2[i], 0, 0, 0, 0), 0x2), h[i], 0x4);
        s[i] = XV_BLEND(rr[i], XV_PERM(m3[i], 2, 2, 2, 2), 0x6);
    }
    PI_NAME(mul)(m4, l, s);
    /* X3 = R^2 - HHH - 2V + 4p < 5.61; (R (V - X3), S1 HHH) = (R, S1)·(V - X3 + 8p, HHH):
     * V - X3 + 8p < 9.12, R (V - X3) < 3.1·9.12/16 + 1 = 2.77, S1 HHH < 1.1. */
    xv x3[5];
    UNROLL
    for (int i = 0; i < 5; i++) {
        xv v2 = XV_PERM(m4[i], 1, 1, 1, 1), hhh = XV_PERM(m4[i], 2, 2, 2, 2);
        x3[i] = XV_SUB(XV_ADD(m4[i], PI_NAME(kp)(4, i)), XV_ADD(hhh, XV_SLL(v2, 1)));
    }
    PI_NAME(carry)(x3);
    UNROLL
    for (int i = 0; i < 5; i++) {
        s[i] = XV_SUB(XV_ADD(XV_PERM(m4[i], 1, 1, 1, 1), PI_NAME(kp)(8, i)), x3[i]);
        s[i] = XV_BLEND(s[i], XV_PERM(m4[i], 2, 2, 2, 2), 0x2);
        l[i] = XV_BLEND(rr[i], XV_PERM(m3[i], 0, 0, 0, 0), 0x2);
    }
    PI_NAME(carry)(s);
    PI_NAME(mul)(m5, l, s);
    /* Y3 = R (V - X3) - S1 HHH + 2p < 4.77; (X3, Y3, Z3) folded. */
    PI_ADD_XYZ(m5, x3, m3, 3);
    /* Exceptional: H = 0 and R = 0 mod p with both finite. */
    xv pinf = PI_NAME(lane_zero_modp)(p, 2), qinf = PI_NAME(lane_zero_modp)(q, 2);
    xv same = PI_NAME(same_point)(h, rr, XV_OR(pinf, qinf));
    /* p infinite: q; q infinite: p. */
    UNROLL
    for (int i = 0; i < 5; i++) {
        xv o = XV_XOR(m5[i], XV_AND(pinf, XV_XOR(m5[i], q[i])));
        r[i] = XV_XOR(o, XV_AND(qinf, XV_XOR(o, p[i])));
    }
    return same;
}

/* out = entry idx - 1 of the 16 points of tab (infinity (0 : 1 : 0) for idx 0), reading every
 * entry and combining them with masks; idx is secret. */
static PI_ATTR ALWAYS_INLINE void PI_NAME(lookup)(xv out[5], const xv tab[16][5], uint64_t idx)
{
    static const uint64_t one[5] = {UINT64_C(0x10), UINT64_C(0xf000000000000),
                                    UINT64_C(0xfffffffffffff), UINT64_C(0xffeffffffffff),
                                    UINT64_C(0xfffff)};
    xv vi = XV_SET1(idx);
    xv z = XV_AND(XV_CMPEQ(vi, XV_SET1(0)), XV_SET4(0, ~UINT64_C(0), 0, 0));
    UNROLL
    for (int i = 0; i < 5; i++)
        out[i] = XV_AND(z, XV_SET1(one[i]));
    for (uint64_t j = 0; j < 16; j++) {
        xv m = XV_CMPEQ(vi, XV_SET1(j + 1));
        UNROLL
        for (int i = 0; i < 5; i++)
            out[i] = XV_OR(out[i], XV_AND(m, tab[j][i]));
    }
}

/* Y = -Y (2p - Y, below 2p once carried) where neg (0 or 1, secret) is 1. */
static PI_ATTR ALWAYS_INLINE void PI_NAME(cond_neg)(xv v[5], uint64_t neg)
{
    xv m = XV_AND(XV_SET1(0 - neg), XV_SET4(0, ~UINT64_C(0), 0, 0));
    UNROLL
    for (int i = 0; i < 5; i++) {
        xv n = XV_SUB(PI_NAME(kp)(2, i), XV_PERM(v[i], 1, 1, 1, 1));
        v[i] = XV_XOR(v[i], XV_AND(m, XV_XOR(v[i], n)));
    }
    PI_NAME(carry)(v);
}

/*
 * r = k·p (Jacobian, radix 2^52 Montgomery form as above), constant-time in k and p: the same
 * table of 1p .. 16p and signed 5-bit windows as EC(mul_point_jac) (ec_curve_impl.h), whose
 * argument says why a scalar in [1, n-1] never meets the exceptional addition; returns the
 * mask of exceptional additions anyway (the caller redoes the computation with the complete
 * formulas if it is ever set). d[w] is window w's digit (EC(digit)): |d| | (d < 0) << 5.
 */
static PI_ATTR ALWAYS_INLINE uint64_t PI_NAME(mul_point)(xv r[5], const uint8_t *d, const xv p[5])
{
    xv tab[16][5], t[5], bad = XV_SET1(0);
    UNROLL
    for (int i = 0; i < 5; i++)
        tab[0][i] = p[i];
    for (int j = 2; j <= 16; j++) {
        if (j % 2 == 0) {
            UNROLL
            for (int i = 0; i < 5; i++)
                tab[j - 1][i] = tab[j / 2 - 1][i];
            PI_NAME(dbl)(tab[j - 1]);
        } else
            bad = XV_OR(bad, PI_NAME(add)(tab[j - 1], tab[j - 2], p));
    }
    PI_NAME(lookup)(r, (const xv(*)[5])tab, d[51] & 31);
    for (int w = 50; w >= 0; w--) {
        xv al[5];
        PI_NAME(dbl_first)(r, al);
        for (int i = 0; i < 4; i++)
            PI_NAME(dbl3)(r, al);
        PI_NAME(lookup)(t, (const xv(*)[5])tab, d[w] & 31);
        PI_NAME(cond_neg)(t, (uint64_t)(d[w] >> 5));
        bad = XV_OR(bad, PI_NAME(add)(r, r, t));
    }
    uint64_t lanes[4];
    XV_STORE(lanes, bad);
    tenon_wipe(tab, sizeof tab);
    tenon_wipe(t, sizeof t);
    return lanes[0];
}

/* 4 x 64 bits (below p) to 5 x 52: c coordinates at in, one per lane 0 .. c - 1. */
static PI_ATTR ALWAYS_INLINE void PI_NAME(load)(xv v[5], const uint64_t (*in)[4], int c)
{
    uint64_t l[4][5] = {{0}};
    for (int j = 0; j < c; j++) {
        l[j][0] = in[j][0] & PI_M52;
        l[j][1] = (in[j][0] >> 52 | in[j][1] << 12) & PI_M52;
        l[j][2] = (in[j][1] >> 40 | in[j][2] << 24) & PI_M52;
        l[j][3] = (in[j][2] >> 28 | in[j][3] << 36) & PI_M52;
        l[j][4] = in[j][3] >> 16;
    }
    UNROLL
    for (int i = 0; i < 5; i++)
        v[i] = XV_SET4(l[0][i], l[1][i], l[2][i], l[3][i]);
    tenon_wipe(l, sizeof l);
}

/* Lanes 0..2 of v (carried, below 2^256 + 2^228) to 4 x 64 bits and a top word (0 or 1). */
static PI_ATTR ALWAYS_INLINE void PI_NAME(store)(uint64_t out[3][5], const xv v[5])
{
    uint64_t l[3][5], lanes[4];
    UNROLL
    for (int i = 0; i < 5; i++) {
        XV_STORE(lanes, v[i]);
        for (int c = 0; c < 3; c++)
            l[c][i] = lanes[c];
    }
    for (int c = 0; c < 3; c++) {
        out[c][0] = l[c][0] | l[c][1] << 52;
        out[c][1] = l[c][1] >> 12 | l[c][2] << 40;
        out[c][2] = l[c][2] >> 24 | l[c][3] << 28;
        out[c][3] = l[c][3] >> 36 | l[c][4] << 16;
        out[c][4] = l[c][4] >> 48;
    }
    tenon_wipe(l, sizeof l);
    tenon_wipe(lanes, sizeof lanes);
}

/* r = p + t for verification (public inputs, variable time): the one case the addition gets
 * wrong, p = t, is doubled instead. */
static PI_ATTR ALWAYS_INLINE void PI_NAME(add_vartime)(xv r[5], const xv t[5])
{
    uint64_t lanes[4];
    xv o[5];
    XV_STORE(lanes, PI_NAME(add)(o, r, t));
    UNROLL
    for (int i = 0; i < 5; i++)
        r[i] = o[i];
    if (lanes[0]) {
        UNROLL
        for (int i = 0; i < 5; i++)
            r[i] = t[i];
        PI_NAME(dbl)(r);
    }
}

/* p256_ifma_mul_double (p256_ifma.h) on this instance: Shamir's trick over the two width-5
 * NAFs, as EC(mul_double_vartime), with the products four at a time. */
static PI_ATTR ALWAYS_INLINE void PI_NAME(mul_double)(uint64_t out[3][5], const int8_t *n1,
                                                      const int8_t *n2, int len,
                                                      const uint64_t g[8][3][4],
                                                      const uint64_t q[3][4])
{
    xv gt[8][5], qt[8][5], q2[5], r[5], t[5];
    for (int j = 0; j < 8; j++)
        PI_NAME(load)(gt[j], g[j], 3);
    PI_NAME(load)(qt[0], q, 3);
    UNROLL
    for (int i = 0; i < 5; i++)
        q2[i] = qt[0][i];
    PI_NAME(dbl)(q2);
    for (int j = 1; j < 8; j++) {
        UNROLL
        for (int i = 0; i < 5; i++)
            qt[j][i] = qt[j - 1][i];
        PI_NAME(add_vartime)(qt[j], q2);
    }
    UNROLL
    for (int i = 0; i < 5; i++)
        r[i] = XV_SET1(0); /* Z = 0: infinity */
    for (int k = len - 1; k >= 0; k--) {
        PI_NAME(dbl)(r);
        for (int s = 0; s < 2; s++) {
            int d = s == 0 ? n1[k] : n2[k];
            if (d == 0)
                continue;
            const xv *e = s == 0 ? gt[(d < 0 ? -d : d) / 2] : qt[(d < 0 ? -d : d) / 2];
            UNROLL
            for (int i = 0; i < 5; i++)
                t[i] = e[i];
            if (d < 0)
                PI_NAME(cond_neg)(t, 1);
            PI_NAME(add_vartime)(r, t);
        }
    }
    PI_NAME(store)(out, r);
}

/*
 * Mixed addition r = p + (x, y) (Jacobian plus affine: the formulas of EC(jmadd), "madd-2007-bl")
 * in five rounds, for p below 2p with Z folded and a = (x~, y~, -, -) straight from the base
 * table: Montgomery form with R = 2^256, not 2^260, so each stands for a sixteenth of the
 * coordinate. Where they are multiplied, the other factor carries the 16 (16 Z1^2 and
 * 16 Z1^3); the first round also brings them to R = 2^260 (times 2^264 mod p) in idle lanes,
 * for the case p = infinity, where the result is (x, y, 1). The result is folded; returns the
 * mask of p = (x, y) (finite), the case the formulas get wrong. r may alias p.
 */
static PI_ATTR ALWAYS_INLINE xv PI_NAME(madd)(xv r[5], const xv p[5], const xv a[5])
{
    static const uint64_t c264[5] = {0x100, 0, UINT64_C(0xfffffffffffff), UINT64_C(0xfefffffffffff),
                                     UINT64_C(0xffffff)};
    static const uint64_t one[5] = {UINT64_C(0x10), UINT64_C(0xf000000000000),
                                    UINT64_C(0xfffffffffffff), UINT64_C(0xffeffffffffff),
                                    UINT64_C(0xfffff)};
    xv l[5], s[5], m1[5], m2[5], m3[5], m4[5], m5[5], h[5], sy[5], rr[5], x3[5];
    /* (x, y, 16 Z1^2) = (x~, y~, 4 Z1)·(2^264, 2^264, 4 Z1): < 1.07, 1.07, 4.04^2/16 + 1 = 2.02 */
    UNROLL
    for (int i = 0; i < 5; i++) {
        xv z4 = XV_SLL(XV_PERM(p[i], 2, 2, 2, 2), 2);
        l[i] = XV_BLEND(a[i], z4, 0xC);
        s[i] = XV_BLEND(XV_SET1(c264[i]), z4, 0xC);
    }
    PI_NAME(carry)(l);
    PI_NAME(carry)(s);
    PI_NAME(mul)(m1, l, s);
    /* (U2, 16 Z1^3) = (x~, Z1)·(16 Z1^2, 16 Z1^2): < 1.13 */
    UNROLL
    for (int i = 0; i < 5; i++) {
        l[i] = XV_BLEND(a[i], XV_PERM(p[i], 2, 2, 2, 2), 0xE);
        s[i] = XV_PERM(m1[i], 2, 2, 2, 2);
    }
    PI_NAME(mul)(m2, l, s);
    /* H = U2 - X1 + 2p < 3.13; (S2, HH, Z3) = (y~, H, 2 Z1)·(16 Z1^3, H, H): S2 < 1.13,
     * HH < 3.13^2/16 + 1 = 1.62, Z3 < 2.02·3.13/16 + 1 = 1.4 */
    UNROLL
    for (int i = 0; i < 5; i++)
        h[i] = XV_SUB(XV_ADD(XV_PERM(m2[i], 0, 0, 0, 0), PI_NAME(kp)(2, i)),
                      XV_PERM(p[i], 0, 0, 0, 0));
    PI_NAME(carry)(h);
    UNROLL
    for (int i = 0; i < 5; i++) {
        l[i] = XV_BLEND(XV_BLEND(XV_PERM(a[i], 1, 1, 1, 1), h[i], 0x2),
                        XV_SLL(XV_PERM(p[i], 2, 2, 2, 2), 1), 0xC);
        s[i] = XV_BLEND(XV_PERM(m2[i], 1, 1, 1, 1), h[i], 0xE);
    }
    PI_NAME(carry)(l);
    PI_NAME(mul)(m3, l, s);
    /* S2 - Y1 + 2p < 3.13, R = twice that < 6.26; (R^2, J, V) = (R, 4H, 4 X1)·(R, HH, HH):
     * R^2 < 3.45, J < 12.52·1.62/16 + 1 = 2.27, V < 4.04·1.62/16 + 1 = 1.41 */
    UNROLL
    for (int i = 0; i < 5; i++)
        sy[i] = XV_SUB(XV_ADD(m3[i], PI_NAME(kp)(2, i)), XV_PERM(p[i], 1, 1, 1, 1));
    PI_NAME(carry)(sy);
    UNROLL
    for (int i = 0; i < 5; i++)
        rr[i] = XV_SLL(XV_PERM(sy[i], 0, 0, 0, 0), 1);
    PI_NAME(carry)(rr);
    UNROLL
    for (int i = 0; i < 5; i++) {
        l[i] = XV_BLEND(XV_BLEND(rr[i], XV_SLL(h[i], 2), 0x2), XV_SLL(XV_PERM(p[i], 0, 0, 0, 0), 2),
                        0xC);
        s[i] = XV_BLEND(rr[i], XV_PERM(m3[i], 1, 1, 1, 1), 0xE);
    }
    PI_NAME(carry)(l);
    PI_NAME(mul)(m4, l, s);
    /* X3 = R^2 - J - 2V + 8p < 11.45, folded: < 1.01; (R (V - X3), 2 Y1 J) =
     * (R, 2 Y1)·(V - X3 + 2p, J): V - X3 + 2p < 3.42, R (V - X3) < 2.34, 2 Y1 J < 1.29 */
    UNROLL
    for (int i = 0; i < 5; i++)
        x3[i] = XV_SUB(XV_ADD(m4[i], PI_NAME(kp)(8, i)),
                       XV_ADD(XV_PERM(m4[i], 1, 1, 1, 1), XV_SLL(XV_PERM(m4[i], 2, 2, 2, 2), 1)));
    PI_NAME(carry)(x3);
    PI_NAME(fold)(x3);
    UNROLL
    for (int i = 0; i < 5; i++) {
        s[i] = XV_SUB(XV_ADD(XV_PERM(m4[i], 2, 2, 2, 2), PI_NAME(kp)(2, i)), x3[i]);
        s[i] = XV_BLEND(s[i], XV_PERM(m4[i], 1, 1, 1, 1), 0x2);
        l[i] = XV_BLEND(rr[i], XV_SLL(XV_PERM(p[i], 1, 1, 1, 1), 1), 0x2);
    }
    PI_NAME(carry)(s);
    PI_NAME(carry)(l);
    PI_NAME(mul)(m5, l, s);
    /* Y3 = R (V - X3) - 2 Y1 J + 2p < 4.34; (X3, Y3, Z3) folded. */
    PI_ADD_XYZ(m5, x3, m3, 2);
    /* Exceptional: H = 0 and S2 - Y1 = 0 mod p with p finite. */
    xv pinf = PI_NAME(lane_zero_modp)(p, 2);
    xv same = PI_NAME(same_point)(h, sy, pinf);
    /* p infinite: (x, y, 1), from the first round. */
    UNROLL
    for (int i = 0; i < 5; i++) {
        xv q = XV_BLEND(XV_BLEND(m1[i], XV_SET1(one[i]), 0x4), XV_SET1(0), 0x8);
        r[i] = XV_XOR(m5[i], XV_AND(pinf, XV_XOR(m5[i], q)));
    }
    return same;
}

/* a = (x~, y~, 0, 0) of entry idx - 1 of a base-table row (16 affine points, 8 words each,
 * Montgomery form with R = 2^256), reading every entry; zero for idx 0. idx is secret. */
static PI_ATTR ALWAYS_INLINE void PI_NAME(lookup_affine)(xv a[5], const uint64_t *row, uint64_t idx)
{
    xv vi = XV_SET1(idx), ax = XV_SET1(0), ay = XV_SET1(0);
    for (uint64_t j = 0; j < 16; j++) {
        xv m = XV_CMPEQ(vi, XV_SET1(j + 1));
        ax = XV_OR(ax, XV_AND(m, XV_LOAD(row + 8 * j)));
        ay = XV_OR(ay, XV_AND(m, XV_LOAD(row + 8 * j + 4)));
    }
    uint64_t w[2][4];
    XV_STORE(w[0], ax);
    XV_STORE(w[1], ay);
    PI_NAME(load)(a, (const uint64_t(*)[4])w, 2);
    tenon_wipe(w, sizeof w);
}

/* p256_ifma_mul_base_jac (p256_ifma.h) on this instance: as EC(mul_base_jac), one window per
 * table row, no doubling. */
static PI_ATTR ALWAYS_INLINE uint64_t PI_NAME(mul_base_jac)(uint64_t out[3][5], const uint8_t *d,
                                                            const uint64_t *table)
{
    xv r[5], a[5], t[5], bad = XV_SET1(0);
    UNROLL
    for (int i = 0; i < 5; i++)
        r[i] = XV_SET1(0); /* Z = 0: infinity */
    for (int w = 0; w < 52; w++) {
        uint64_t idx = d[w] & 31;
        PI_NAME(lookup_affine)(a, table + (size_t)w * 16 * 8, idx);
        PI_NAME(cond_neg)(a, (uint64_t)(d[w] >> 5));
        xv z = XV_CMPEQ(XV_SET1(idx), XV_SET1(0));
        bad = XV_OR(bad, XV_AND(PI_NAME(madd)(t, r, a), XV_XOR(z, XV_SET1(~UINT64_C(0)))));
        /* A zero digit adds nothing (the affine formula cannot take infinity). */
        UNROLL
        for (int i = 0; i < 5; i++)
            r[i] = XV_XOR(t[i], XV_AND(z, XV_XOR(t[i], r[i])));
    }
    PI_NAME(store)(out, r);
    uint64_t lanes[4];
    XV_STORE(lanes, bad);
    tenon_wipe(r, sizeof r);
    tenon_wipe(a, sizeof a);
    tenon_wipe(t, sizeof t);
    return lanes[0];
}

/* p256_ifma_mul_jac (p256_ifma.h) on this instance. */
static PI_ATTR ALWAYS_INLINE uint64_t PI_NAME(mul_jac)(uint64_t out[3][5], const uint8_t *d,
                                                       const uint64_t in[3][4])
{
    xv p[5], r[5];
    PI_NAME(load)(p, in, 3);
    uint64_t bad = PI_NAME(mul_point)(r, d, p);
    PI_NAME(store)(out, r);
    tenon_wipe(p, sizeof p);
    tenon_wipe(r, sizeof r);
    return bad;
}
