/*
 * Ed25519 (RFC 8032 §5.1) on the field arithmetic of X25519 (x25519_field.h) and the group
 * operations and fixed-base table shared with it (edwards25519.h, x25519_base.c).
 *
 * Signing touches secrets in three places, each constant-time: [r]B goes through the fixed-base
 * table, whose lookups read every entry of a row and keep one with masks; the scalars modulo L
 * (the reduction of the 512-bit hashes and S = r + k·a) use the Montgomery arithmetic of
 * bignum.h, which has no secret branch or index; the encoding of R inverts Z by a fixed
 * exponentiation. Verification sees only public values and takes shortcuts (4-bit windows with
 * direct table indexes, early returns).
 */
#include "../common.h"
#include "bignum.h"
#include "cpu.h"
#include "ct.h"
#include "edwards25519.h"
#include "tenon/crypto.h"
#include "tenon/ed25519.h"
#include "x25519_field.h"

/* d = -121665/121666, 2d, and sqrt(-1) = 2^((p-1)/4) (RFC 8032 §5.1), in radix-2^51 limbs. */
static const fe ED_D = {
    {0x34dca135978a3, 0x1a8283b156ebd, 0x5e7a26001c029, 0x739c663a03cbb, 0x52036cee2b6ff}};
static const fe ED_D2 = {
    {0x69b9426b2f159, 0x35050762add7a, 0x3cf44c0038052, 0x6738cc7407977, 0x2406d9dc56dff}};
static const fe SQRT_M1 = {
    {0x61b274a0ea0b0, 0x0d5a5fc8f189d, 0x7ef5e9cbd0c60, 0x78595a6804c9e, 0x2b8324804fc1d}};

/* RFC 8032 §5.1: L = 2^252 + 27742317777372353535851937790883648493, little-endian limbs. */
static const uint64_t ORDER_L[4] = {0x5812631a5cf5d3ed, 0x14def9dea2f79cd6, 0, 0x1000000000000000};

/* ------------------------------------------------------------------------------------------
 * Scalars modulo L
 * ------------------------------------------------------------------------------------------ */

static void sc_from_le(uint64_t *x, const uint8_t *in, size_t limbs)
{
    for (size_t i = 0; i < limbs; i++)
        x[i] = load_le64(in + 8 * i);
}

static void sc_to_le(uint8_t out[32], const uint64_t x[4])
{
    for (size_t i = 0; i < 4; i++)
        store_le64(out + 8 * i, x[i]);
}

/* out = the 64-byte little-endian integer in, modulo L. Montgomery reduction brings in into
 * [0, L) as in·R mod L, and multiplying by 1 takes R out again; constant-time in in. */
static void sc_reduce64(const bn_mont *ctx, uint64_t out[4], const uint8_t in[64])
{
    uint64_t x[8];
    sc_from_le(x, in, 8);
    bn_mont_to_wide(ctx, out, x, 8);
    bn_mont_from(ctx, out, out);
    tenon_wipe(x, sizeof x);
}

/* 1 if the 32-byte little-endian s is below L (public s: RFC 8032 §5.1.7 rejects S >= L). */
static int sc_is_canonical(const uint8_t s[32])
{
    uint64_t x[4];
    sc_from_le(x, s, 4);
    return bn_lt_mask(x, ORDER_L, 4) != 0;
}

/* ------------------------------------------------------------------------------------------
 * Points
 * ------------------------------------------------------------------------------------------ */

/* A point ready to be added: Y + X, Y - X, Z and 2·d·T. */
typedef struct ge_cached {
    fe ypx, ymx, z, t2d;
} ge_cached;

static void ge_identity(ge_ext *p)
{
    fe_0(&p->X);
    fe_1(&p->Y);
    fe_1(&p->Z);
    fe_0(&p->T);
}

static void ge_to_cached(ge_cached *c, const ge_ext *p)
{
    fe_add(&c->ypx, &p->Y, &p->X);
    fe_sub(&c->ymx, &p->Y, &p->X);
    c->z = p->Z;
    fe_mul(&c->t2d, &p->T, &ED_D2);
}

/* P + Q for Q in cached form (edwards25519.h's formulas with zz = Z1·Z2). */
static void ge_add(ge_ext *r, const ge_ext *p, const ge_cached *q)
{
    fe zz;
    fe_mul(&zz, &p->Z, &q->z);
    ge_add_core(r, p, &q->ypx, &q->ymx, &q->t2d, &zz);
}

/* z^(2^252 - 3) = z^((p - 5)/8), the exponent of the square-root step of RFC 8032 §5.1.3. */
static void fe_pow22523(fe *out, const fe *z)
{
    fe t, z11;
    x25519_fe_pow250(&t, &z11, z);
    fe_sq_n(&t, &t, 2); /* 2^252 - 4 */
    fe_mul(out, &t, z); /* 2^252 - 3 */
}

/* RFC 8032 §5.1.2: y, with the low bit of x in the top bit. Constant-time. */
static void ge_tobytes(uint8_t s[32], const ge_ext *p)
{
    fe zi, x, y;
    uint8_t xb[32];
    x25519_fe_invert(&zi, &p->Z);
    fe_mul(&x, &p->X, &zi);
    fe_mul(&y, &p->Y, &zi);
    x25519_fe_tobytes(s, &y);
    x25519_fe_tobytes(xb, &x);
    s[31] = (uint8_t)(s[31] | ((xb[0] & 1) << 7));
    tenon_wipe(&zi, sizeof zi);
    tenon_wipe(&x, sizeof x);
    tenon_wipe(&y, sizeof y);
    tenon_wipe(xb, sizeof xb);
}

/* 1 if f = 0 modulo p (public f). */
static int fe_is_zero_vartime(const fe *f)
{
    static const uint8_t zero[32];
    uint8_t b[32];
    x25519_fe_tobytes(b, f);
    return memcmp(b, zero, 32) == 0;
}

/* RFC 8032 §5.1.3 decoding of a public point; 0 when s is not the encoding of a point. */
static int ge_frombytes_vartime(ge_ext *p, const uint8_t s[32])
{
    uint8_t canon[32];
    int sign = s[31] >> 7;
    fe y, one, y2, u, v, v3, uv7, x, t;
    fe_frombytes(&y, s);
    /* §5.1.3 step 1: "If the resulting value is >= p, decoding fails." */
    x25519_fe_tobytes(canon, &y);
    canon[31] = (uint8_t)(canon[31] | (s[31] & 0x80));
    if (memcmp(canon, s, 32) != 0)
        return 0;
    /* Step 2: x^2 = u/v with u = y^2 - 1, v = d·y^2 + 1; the candidate x = u·v^3·(u·v^7)^((p-5)/8).
     */
    fe_1(&one);
    fe_sq(&y2, &y);
    fe_sub(&u, &y2, &one);
    fe_mul(&v, &y2, &ED_D);
    fe_add(&v, &v, &one);
    fe_sq(&t, &v);
    fe_mul(&v3, &t, &v);
    fe_sq(&t, &v3);
    fe_mul(&uv7, &t, &v);
    fe_mul(&uv7, &uv7, &u);
    fe_pow22523(&t, &uv7);
    fe_mul(&x, &u, &v3);
    fe_mul(&x, &x, &t);
    /* Step 3: v·x^2 = u keeps x; v·x^2 = -u takes x·sqrt(-1); otherwise no square root. */
    fe vx2, diff;
    fe_sq(&t, &x);
    fe_mul(&vx2, &v, &t);
    fe_sub(&diff, &vx2, &u);
    if (!fe_is_zero_vartime(&diff)) {
        fe_add(&diff, &vx2, &u);
        if (!fe_is_zero_vartime(&diff))
            return 0;
        fe_mul(&x, &x, &SQRT_M1);
    }
    /* Step 4: "If x = 0, and x_0 = 1, decoding fails"; else take the root whose low bit is x_0. */
    uint8_t xb[32];
    x25519_fe_tobytes(xb, &x);
    if (fe_is_zero_vartime(&x) && sign)
        return 0;
    if ((xb[0] & 1) != sign) {
        fe_neg(&t, &x);
        fe_mul_small(&x, &t, 1); /* back to reduced limbs */
    }
    p->X = x;
    p->Y = y;
    fe_1(&p->Z);
    fe_mul(&p->T, &x, &y);
    return 1;
}

/* r = k·P for a public 256-bit little-endian k: 4-bit windows over a table of 0..15 ·P. The
 * group operations are inlined (one copy of each) so that the BMI2 instance below gets mulx
 * in every field product. */
static inline __attribute__((always_inline)) void
ge_scalarmult_vartime_with(ge_ext *r, const uint8_t k[32], const ge_ext *p)
{
    ge_cached table[16];
    ge_ext acc = *p;
    fe zz;
    ge_to_cached(&table[1], p);
    for (int i = 1; i < 16; i++) {
        if (i > 1)
            ge_to_cached(&table[i], &acc);
        if (i < 15) {
            fe_mul(&zz, &acc.Z, &table[1].z);
            ge_add_core(&acc, &acc, &table[1].ypx, &table[1].ymx, &table[1].t2d, &zz);
        }
    }
    ge_identity(r);
    for (int i = 63; i >= 0; i--) {
        for (int j = 0; j < 4; j++)
            ge_dbl(r, r, j == 3);
        unsigned nib = (unsigned)(k[i / 2] >> (4 * (i & 1))) & 15u;
        if (nib != 0) {
            const ge_cached *q = &table[nib];
            fe_mul(&zz, &r->Z, &q->z);
            ge_add_core(r, r, &q->ypx, &q->ymx, &q->t2d, &zz);
        }
    }
}

__attribute__((noinline)) static void ge_scalarmult_vartime_portable(ge_ext *r, const uint8_t k[32],
                                                                     const ge_ext *p)
{
    ge_scalarmult_vartime_with(r, k, p);
}

#if TENON_X86_64
/* With mulx for the field products (as x25519_base.c's base_mul_avx2): GCC's `mul` needs rax
 * and rdx and the moves around them. */
TENON_TARGET("bmi2")
__attribute__((noinline)) static void ge_scalarmult_vartime_bmi2(ge_ext *r, const uint8_t k[32],
                                                                 const ge_ext *p)
{
    ge_scalarmult_vartime_with(r, k, p);
}
#endif

static void ge_scalarmult_vartime(ge_ext *r, const uint8_t k[32], const ge_ext *p)
{
#if TENON_X86_64
    if (cpu_has(TENON_CPU_BMI2)) {
        ge_scalarmult_vartime_bmi2(r, k, p);
        return;
    }
#endif
    ge_scalarmult_vartime_portable(r, k, p);
}

/* ------------------------------------------------------------------------------------------
 * The scheme
 * ------------------------------------------------------------------------------------------ */

/* RFC 8032 §5.1.5 steps 1-3: h = SHA-512(seed); the scalar a is h[0..32) with the three low
 * bits cleared, bit 255 cleared and bit 254 set; h[32..64) is the nonce prefix. */
static void expand_seed(const uint8_t seed[32], uint8_t h[64])
{
    tenon_hash(&tenon_sha512, seed, 32, h);
    h[0] &= 248;
    h[31] &= 127;
    h[31] |= 64;
}

TENON_API int tenon_ed25519_private_key_load(tenon_ed25519_private_key *key, const uint8_t *seed,
                                             size_t len)
{
    ENSURE(key != NULL && seed != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(len == TENON_ED25519_SEED_LEN, TENON_ERR_BAD_PRIVATE_KEY);
    uint8_t h[64];
    ge_ext a;
    expand_seed(seed, h);
    memmove(key->seed, seed, 32);
    /* Step 4: A = [a]B, encoded. */
    edwards25519_base_mul(&a, h);
    ge_tobytes(key->pub.bytes, &a);
    tenon_wipe(h, sizeof h);
    tenon_wipe(&a, sizeof a);
    return TENON_OK;
}

TENON_API int tenon_ed25519_keygen(tenon_ed25519_private_key *key)
{
    ENSURE(key != NULL, TENON_ERR_INVALID_ARGUMENT);
    uint8_t seed[32];
    GUARD(tenon_random(seed, sizeof seed));
    int rc = tenon_ed25519_private_key_load(key, seed, sizeof seed);
    tenon_wipe(seed, sizeof seed);
    return rc;
}

TENON_API int tenon_ed25519_public_key_load(tenon_ed25519_public_key *key, const uint8_t *pub,
                                            size_t len)
{
    ENSURE(key != NULL && pub != NULL, TENON_ERR_INVALID_ARGUMENT);
    ge_ext p;
    ENSURE(len == TENON_ED25519_PUBLIC_LEN && ge_frombytes_vartime(&p, pub),
           TENON_ERR_BAD_PUBLIC_KEY);
    memcpy(key->bytes, pub, 32);
    return TENON_OK;
}

/* k = SHA-512(dom2(F, C) || R || A || M) mod L; dom2 is empty for Ed25519 (RFC 8032 §5.1). */
static void challenge(const bn_mont *ctx, uint64_t k[4], const uint8_t r[32], const uint8_t a[32],
                      const uint8_t *msg, size_t len)
{
    tenon_hash_ctx h;
    uint8_t digest[64];
    tenon_sha512.init(&h);
    tenon_sha512.update(&h, r, 32);
    tenon_sha512.update(&h, a, 32);
    tenon_sha512.update(&h, msg, len);
    tenon_sha512.final(&h, digest);
    sc_reduce64(ctx, k, digest);
}

TENON_API int tenon_ed25519_sign(const tenon_ed25519_private_key *key, const uint8_t *msg,
                                 size_t len, uint8_t sig[TENON_ED25519_SIG_LEN])
{
    ENSURE(key != NULL && sig != NULL && (msg != NULL || len == 0), TENON_ERR_INVALID_ARGUMENT);
    bn_mont ctx;
    bn_mont_init_vartime(&ctx, ORDER_L, 4, NULL); /* L is public */
    uint8_t h[64], digest[64], rb[32];
    uint64_t r[4], k[4], a[4], s[4];
    tenon_hash_ctx hc;
    ge_ext rp;
    expand_seed(key->seed, h);

    /* RFC 8032 §5.1.6 step 2: r = SHA-512(prefix || M) mod L. */
    tenon_sha512.init(&hc);
    tenon_sha512.update(&hc, h + 32, 32);
    tenon_sha512.update(&hc, msg, len);
    tenon_sha512.final(&hc, digest);
    sc_reduce64(&ctx, r, digest);

    /* Step 3: R = [r]B (r < L < 2^253, within the table's range). */
    sc_to_le(rb, r);
    edwards25519_base_mul(&rp, rb);
    ge_tobytes(sig, &rp);

    /* Step 4: k = SHA-512(R || A || M) mod L. */
    challenge(&ctx, k, sig, key->pub.bytes, msg, len);

    /* Step 5: S = (r + k·a) mod L. a may exceed L, so it enters Montgomery form by the wide
     * reduction; the Montgomery product of k (plain) and a·R (Montgomery) is k·a in plain form. */
    sc_from_le(a, h, 4);
    bn_mont_to_wide(&ctx, a, a, 4);
    bn_mont_mul(&ctx, s, k, a);
    bn_mod_add(&ctx, s, s, r);
    sc_to_le(sig + 32, s);

    tenon_wipe(h, sizeof h);
    tenon_wipe(digest, sizeof digest);
    tenon_wipe(rb, sizeof rb);
    tenon_wipe(r, sizeof r);
    tenon_wipe(a, sizeof a);
    tenon_wipe(s, sizeof s);
    tenon_wipe(&hc, sizeof hc);
    tenon_wipe(&rp, sizeof rp);
    return TENON_OK;
}

TENON_API int tenon_ed25519_verify(const tenon_ed25519_public_key *key, const uint8_t *msg,
                                   size_t len, const uint8_t *sig, size_t sig_len)
{
    ENSURE(key != NULL && (msg != NULL || len == 0) && (sig != NULL || sig_len == 0),
           TENON_ERR_INVALID_ARGUMENT);
    /* RFC 8032 §5.1.7 step 1: a 64-byte R || S with "0 <= s < L" and a decodable A. */
    ENSURE(sig_len == TENON_ED25519_SIG_LEN, TENON_ERR_BAD_SIGNATURE);
    ENSURE(sc_is_canonical(sig + 32), TENON_ERR_BAD_SIGNATURE);
    ge_ext a;
    ENSURE(ge_frombytes_vartime(&a, key->bytes), TENON_ERR_BAD_SIGNATURE);

    /* Step 2: k = SHA-512(R || A || M) mod L. */
    bn_mont ctx;
    bn_mont_init_vartime(&ctx, ORDER_L, 4, NULL);
    uint64_t k[4];
    uint8_t kb[32];
    challenge(&ctx, k, sig, key->bytes, msg, len);
    sc_to_le(kb, k);

    /* Step 3, cofactorless: R' = [S]B + [k](-A), and R' must encode to the signature's R. */
    fe t;
    fe_neg(&t, &a.X);
    fe_mul_small(&a.X, &t, 1); /* reduced limbs, as ge_to_cached's fe_sub needs */
    fe_neg(&t, &a.T);
    fe_mul_small(&a.T, &t, 1);
    ge_ext sb, ka;
    ge_cached c;
    edwards25519_base_mul(&sb, sig + 32);
    ge_scalarmult_vartime(&ka, kb, &a);
    ge_to_cached(&c, &ka);
    ge_add(&sb, &sb, &c);
    uint8_t rcheck[32];
    ge_tobytes(rcheck, &sb);
    return memcmp(rcheck, sig, 32) == 0 ? TENON_OK : TENON_ERR_BAD_SIGNATURE;
}

TENON_API void tenon_ed25519_private_key_wipe(tenon_ed25519_private_key *key)
{
    if (key != NULL)
        tenon_wipe(key, sizeof *key);
}
