/*
 * The X25519 ladder of x25519_ifma.c, written once over a vector of four 64-bit lanes and
 * included twice: with AVX-512 IFMA intrinsics on 256-bit vectors, and with a portable model
 * of the same vector operations that valgrind can run (it has no AVX-512), so the
 * constant-flow test (tests/ct_x25519.c) checks the very sequence of steps the vector build
 * performs.
 *
 * The includer defines XI_NAME(x) (the instance's names), XI_ATTR (function attributes), and
 * the vector type xv with its operations (ifma_vec.h).
 *
 * Field elements: each lane holds one element of GF(2^255 - 19) in radix 2^51, limb i of all
 * four lanes in vector i (the same radix as x25519_field.h, so the result hands over to fe).
 * The multiplier reads only the low 52 bits of its inputs, so every input to a product has
 * limbs below 2^52: radix 2^51 leaves one bit of room, which lets a single parallel carry pass
 * (no limb waiting for the one below) bring any sum or product back under 2^52.
 */

/* Carries every limb (each below 2^64) into 51 bits plus what comes from the limb below; the
 * carry out of the top limb re-enters at the bottom times 19 (2^255 = 19 mod p). A carry is
 * below 2^13, so 19 times it is exact in 52 bits. Afterwards limbs are below 2^51 + 2^18. */
static XI_ATTR ALWAYS_INLINE void XI_NAME(carry)(xv r[5])
{
    xv m = XV_SET1(FE_MASK51), c[5];
    UNROLL
    for (int i = 0; i < 5; i++) {
        c[i] = XV_SRL(r[i], 51);
        r[i] = XV_AND(r[i], m);
    }
    UNROLL
    for (int i = 1; i < 5; i++)
        r[i] = XV_ADD(r[i], c[i - 1]);
    r[0] = XV_MADDLO(r[0], c[4], XV_SET1(19));
}

/*
 * h = f·g in each lane, for limbs below 2^52. A limb product f_i g_j (below 2^104) is
 * lo + 2^52·hi: lo belongs to column i + j and hi, at 2^52 = 2·2^51, doubled to column
 * i + j + 1. The low and high halves gather in separate columns (lo[k], hi[k]), each a sum of at
 * most five 52-bit values, so z_k = lo_k + 2 hi_k < 15·2^52. Columns 5..9 fold onto 0..4 times
 * 19: r_k = z_k + 19 z_{k+5} < 2^60.3. With carry, one carry pass follows; without, h has
 * limbs below 2^60.3 and is only fit for additions and subtractions followed by a carry pass
 * (the ladder step saves two passes that way). h may alias f or g.
 */
static XI_ATTR ALWAYS_INLINE void XI_NAME(mul)(xv h[5], const xv f[5], const xv g[5], int carry)
{
    xv lo[9], hi[10], z[10];
    UNROLL
    for (int k = 0; k < 10; k++) {
        if (k < 9)
            lo[k] = XV_SET1(0);
        hi[k] = XV_SET1(0);
    }
    UNROLL
    for (int i = 0; i < 5; i++) {
        UNROLL
        for (int j = 0; j < 5; j++) {
            lo[i + j] = XV_MADDLO(lo[i + j], f[i], g[j]);
            hi[i + j + 1] = XV_MADDHI(hi[i + j + 1], f[i], g[j]);
        }
    }
    z[0] = lo[0];
    UNROLL
    for (int k = 1; k < 9; k++)
        z[k] = XV_ADD(lo[k], XV_ADD(hi[k], hi[k]));
    z[9] = XV_ADD(hi[9], hi[9]);
    UNROLL
    for (int k = 0; k < 5; k++) {
        xv t = XV_ADD(z[k + 5], XV_SLL(z[k + 5], 1));
        h[k] = XV_ADD(XV_ADD(z[k], t), XV_SLL(z[k + 5], 4));
    }
    if (carry)
        XI_NAME(carry)(h);
}

/* 2^10·p in radix 2^51: limbs (2^61 - 19·2^10, 2^61 - 2^10, ...), each above any operand limb
 * (below 2^60.3, an uncarried product), so a + 2^10·p - b stays positive limb by limb and below
 * 2^62. */
static XI_ATTR ALWAYS_INLINE xv XI_NAME(pk)(int i)
{
    return XV_SET1(i == 0 ? (UINT64_C(1) << 61) - (19 << 10) : (UINT64_C(1) << 61) - (1 << 10));
}

/*
 * One ladder step of RFC 7748 §5 on v = (x_2, z_2, x_3, z_3) in lanes 0..3, after the
 * conditional swap; v's limbs are below 2^60.3 (uncarried products) on entry and on exit. The
 * products come four at a time:
 *   (A, B, C, D) = (x_2 + z_2, x_2 - z_2, x_3 + z_3, x_3 - z_3)
 *   (AA, BB, CB, DA)                 = (A, B, C, D) · (A, B, B, A)
 *   (x_2, z_2, x_3, (DA - CB)^2)     = (AA, E, DA + CB, DA - CB) · (BB, AA + a24·E, DA + CB, DA -
 * CB) z_3 = x_1 · (DA - CB)^2          = the last lane times (1, 1, 1, x_1) with E = AA - BB and
 * a24 = 121665.
 */
static XI_ATTR ALWAYS_INLINE void XI_NAME(step)(xv v[5], const xv x1v[5], xv idx1, xv idx2)
{
    xv l[5], r[5];
    /* The conditional swap is in the index vectors: (0, 0, 2, 2) and (1, 1, 3, 3), or with the
     * swap (2, 2, 0, 0) and (3, 3, 1, 1). */
    UNROLL
    for (int i = 0; i < 5; i++) {
        xv w1 = XV_PERMV(v[i], idx1), w2 = XV_PERMV(v[i], idx2);
        l[i] = XV_ADD(w1, XV_BLEND(XV_SET1(0), XI_NAME(pk)(i), 0xA));
        l[i] = XV_MASKADD(l[i], w2, 0x5);
        l[i] = XV_MASKSUB(l[i], w2, 0xA); /* A, B, C, D */
    }
    XI_NAME(carry)(l);
    UNROLL
    for (int i = 0; i < 5; i++)
        r[i] = XV_PERM(l[i], 0, 1, 1, 0);
    xv m2[5];
    XI_NAME(mul)(m2, l, r, 0); /* AA, BB, CB, DA */

    UNROLL
    for (int i = 0; i < 5; i++) {
        xv x = XV_PERM(m2[i], 0, 0, 2, 3); /* AA, AA, CB, DA */
        xv y = XV_PERM(m2[i], 1, 1, 3, 2); /* -, BB, DA, CB */
        l[i] = XV_ADD(x, XV_BLEND(XV_SET1(0), XI_NAME(pk)(i), 0xA));
        l[i] = XV_MASKADD(l[i], y, 0x4);
        l[i] = XV_MASKSUB(l[i], y, 0xA);   /* AA, E, DA + CB, DA - CB */
        r[i] = XV_PERM(m2[i], 1, 0, 2, 3); /* BB, AA, -, - */
    }
    XI_NAME(carry)(l);

    /* r = (BB, AA + a24·E, DA + CB, DA - CB): a24·E only in lane 1 (a24 is zero in the
     * others). a24·e_i = lo + 2^52·hi, the lo to limb i and 2·hi to limb i + 1 (times 19 from
     * the top limb back to limb 0). */
    xv a24 = XV_SET4(0, 121665, 0, 0), hs[5];
    UNROLL
    for (int i = 0; i < 5; i++) {
        r[i] = XV_BLEND(r[i], l[i], 0xC);
        r[i] = XV_MADDLO(r[i], l[i], a24);
        hs[i] = XV_MADDHI(XV_SET1(0), l[i], a24);
    }
    UNROLL
    for (int i = 1; i < 5; i++)
        r[i] = XV_ADD(r[i], XV_ADD(hs[i - 1], hs[i - 1]));
    r[0] = XV_MADDLO(r[0], hs[4], XV_SET1(38));
    XI_NAME(carry)(r);

    XI_NAME(mul)(v, l, r, 1);   /* x_2, z_2, x_3, (DA - CB)^2 */
    XI_NAME(mul)(v, v, x1v, 0); /* x_2, z_2, x_3, z_3 (uncarried) */
}

/* RFC 7748 §5: the ladder for a clamped k and x_1 = u (limbs below 2^51); x2 and z2 get
 * lanes 0 and 1 of the final state (limbs below 2^52). The scalar bits only feed the
 * mask of the swap. */
static XI_ATTR ALWAYS_INLINE void XI_NAME(ladder)(fe *x2, fe *z2, const uint8_t k[32], const fe *x1)
{
    xv v[5], x1v[5];
    UNROLL
    for (int i = 0; i < 5; i++) {
        uint64_t one = i == 0 ? 1 : 0;
        v[i] = XV_SET4(one, 0, x1->l[i], one); /* (1, 0, x_1, 1) */
        x1v[i] = XV_SET4(one, one, one, x1->l[i]);
    }
    uint64_t swap = 0;
    xv two = XV_SET1(2);
    for (int t = 254; t >= 0; t--) {
        uint64_t kt = (uint64_t)(k[t >> 3] >> (t & 7)) & 1;
        swap ^= kt;
        xv s2 = XV_AND(XV_SET1(ct_value_barrier_u64(0 - swap)), two);
        swap = kt;
        XI_NAME(step)(v, x1v, XV_XOR(XV_SET4(0, 0, 2, 2), s2), XV_XOR(XV_SET4(1, 1, 3, 3), s2));
    }
    xv s2 = XV_AND(XV_SET1(ct_value_barrier_u64(0 - swap)), two);
    xv idx = XV_XOR(XV_SET4(0, 1, 2, 3), s2);
    uint64_t lanes[4];
    XI_NAME(carry)(v);
    UNROLL
    for (int i = 0; i < 5; i++) {
        v[i] = XV_PERMV(v[i], idx);
        XV_STORE(lanes, v[i]);
        x2->l[i] = lanes[0];
        z2->l[i] = lanes[1];
    }
    tenon_wipe(lanes, sizeof lanes);
    tenon_wipe(v, sizeof v);
}
