/*
 * X25519 (RFC 7748 §5) with the Montgomery ladder over radix-2^51 field elements, and the
 * tenon_kex_x25519 key exchange group for TLS (RFC 8446 §7.4.2).
 *
 * The ladder runs the same 255 steps for every scalar; the scalar bits only feed a
 * mask-based swap, so neither a branch nor an address depends on the private key.
 */
#include "../common.h"
#include "cpu.h"
#include "ct.h"
#include "edwards25519.h"
#include "tenon/crypto.h"
#include "tenon/kex.h"
#include "tenon/x25519.h"
#include "x25519_field.h"

/* z^(2^250 - 1) and z^11: the common start of the addition chains of z^(p-2) here and of
 * z^((p-5)/8) in Ed25519's square root (ed25519.c). Each line notes the exponent reached. */
static inline __attribute__((always_inline)) void fe_pow250_with(fe *h, fe *z11, const fe *z)
{
    fe z2, a, b, c;
    fe_sq(&z2, z);        /* 2 */
    fe_sq_n(&a, &z2, 2);  /* 8 */
    fe_mul(&a, &a, z);    /* 9 */
    fe_mul(z11, &z2, &a); /* 11 */
    fe_sq(&b, z11);       /* 22 */
    fe_mul(&a, &a, &b);   /* 31 = 2^5 - 1 */
    fe_sq_n(&b, &a, 5);   /* 2^10 - 2^5 */
    fe_mul(&a, &b, &a);   /* 2^10 - 1 */
    fe_sq_n(&b, &a, 10);  /* 2^20 - 2^10 */
    fe_mul(&b, &b, &a);   /* 2^20 - 1 */
    fe_sq_n(&c, &b, 20);  /* 2^40 - 2^20 */
    fe_mul(&b, &c, &b);   /* 2^40 - 1 */
    fe_sq_n(&b, &b, 10);  /* 2^50 - 2^10 */
    fe_mul(&a, &b, &a);   /* 2^50 - 1 */
    fe_sq_n(&b, &a, 50);  /* 2^100 - 2^50 */
    fe_mul(&b, &b, &a);   /* 2^100 - 1 */
    fe_sq_n(&c, &b, 100); /* 2^200 - 2^100 */
    fe_mul(&b, &c, &b);   /* 2^200 - 1 */
    fe_sq_n(&b, &b, 50);  /* 2^250 - 2^50 */
    fe_mul(h, &b, &a);    /* 2^250 - 1 */
    tenon_wipe(&z2, sizeof z2);
    tenon_wipe(&a, sizeof a);
    tenon_wipe(&b, sizeof b);
    tenon_wipe(&c, sizeof c);
}

__attribute__((noinline)) static void fe_pow250_portable(fe *h, fe *z11, const fe *z)
{
    fe_pow250_with(h, z11, z);
}

#if TENON_X86_64
/* With mulx for the products and squares (as x25519_base.c's comb): Ed25519's point
 * decoding. */
TENON_TARGET("bmi2")
__attribute__((noinline)) static void fe_pow250_bmi2(fe *h, fe *z11, const fe *z)
{
    fe_pow250_with(h, z11, z);
}
#endif

void x25519_fe_pow250(fe *h, fe *z11, const fe *z)
{
#if TENON_X86_64
    if (cpu_has(TENON_CPU_BMI2)) {
        fe_pow250_bmi2(h, z11, z);
        return;
    }
#endif
    fe_pow250_portable(h, z11, z);
}

/* RFC 7748 §5: the output is the canonical encoding, the unique representative in [0, p).
 * Two carry passes bring every limb below 2^51 and the value below 2^255 < 2p; then
 * q = 1 exactly when f >= p, found as the carry out of bit 255 of f + 19, and f + 19q
 * truncated to 255 bits is f - qp. */
void x25519_fe_tobytes(uint8_t s[32], const fe *f)
{
    uint64_t h0 = f->l[0], h1 = f->l[1], h2 = f->l[2], h3 = f->l[3], h4 = f->l[4], c;
    for (int pass = 0; pass < 2; pass++) {
        h1 += h0 >> 51;
        h0 &= FE_MASK51;
        h2 += h1 >> 51;
        h1 &= FE_MASK51;
        h3 += h2 >> 51;
        h2 &= FE_MASK51;
        h4 += h3 >> 51;
        h3 &= FE_MASK51;
        c = h4 >> 51;
        h4 &= FE_MASK51;
        h0 += 19 * c;
    }
    uint64_t q = (h0 + 19) >> 51;
    q = (h1 + q) >> 51;
    q = (h2 + q) >> 51;
    q = (h3 + q) >> 51;
    q = (h4 + q) >> 51;
    h0 += 19 * q;
    h1 += h0 >> 51;
    h0 &= FE_MASK51;
    h2 += h1 >> 51;
    h1 &= FE_MASK51;
    h3 += h2 >> 51;
    h2 &= FE_MASK51;
    h4 += h3 >> 51;
    h3 &= FE_MASK51;
    h4 &= FE_MASK51;
    store_le64(s, h0 | (h1 << 51));
    store_le64(s + 8, (h1 >> 13) | (h2 << 38));
    store_le64(s + 16, (h2 >> 26) | (h3 << 25));
    store_le64(s + 24, (h3 >> 39) | (h4 << 12));
}

/* RFC 7748 §5: "return x_2 * (z_2^(p - 2))" — the inverse, however it is computed. */
void x25519_finish(uint8_t out[32], fe *x2, fe *z2)
{
    x25519_fe_invert(z2, z2);
    fe_mul(x2, x2, z2);
    x25519_fe_tobytes(out, x2);
    tenon_wipe(x2, sizeof *x2);
    tenon_wipe(z2, sizeof *z2);
}

/* RFC 7748 §5: decodeScalar25519 — clear the three low bits (a multiple of the cofactor 8),
 * clear bit 255 and set bit 254 (a fixed ladder length). */
static inline void clamp(uint8_t k[32], const uint8_t scalar[32])
{
    memcpy(k, scalar, 32);
    k[0] &= 248;
    k[31] &= 127;
    k[31] |= 64;
}

/* RFC 7748 §5: the Montgomery ladder on x-coordinates, (x2:z2) = k·(u:1), with the formulas
 * of the RFC verbatim (a24 = 121665 for curve25519). The swap is deferred as in the RFC: the
 * pair is exchanged when the current bit differs from the previous one. The division x2/z2 is
 * the caller's. */
void x25519_ladder_portable_xz(fe *px2, fe *pz2, const uint8_t k[32], const uint8_t u[32])
{
    fe x1, x2, z2, x3, z3, a, aa, b, bb, e, c, d, da, cb;
    fe_frombytes(&x1, u);
    fe_1(&x2);
    fe_0(&z2);
    x3 = x1;
    fe_1(&z3);
    uint64_t swap = 0;
    for (int t = 254; t >= 0; t--) {
        uint64_t kt = (uint64_t)(k[t >> 3] >> (t & 7)) & 1;
        swap ^= kt;
        uint64_t mask = ct_value_barrier_u64(0 - swap);
        fe_cswap(mask, &x2, &x3);
        fe_cswap(mask, &z2, &z3);
        swap = kt;

        fe_add(&a, &x2, &z2);  /* A = x_2 + z_2 */
        fe_sq(&aa, &a);        /* AA = A^2 */
        fe_sub(&b, &x2, &z2);  /* B = x_2 - z_2 */
        fe_sq(&bb, &b);        /* BB = B^2 */
        fe_sub(&e, &aa, &bb);  /* E = AA - BB */
        fe_add(&c, &x3, &z3);  /* C = x_3 + z_3 */
        fe_sub(&d, &x3, &z3);  /* D = x_3 - z_3 */
        fe_mul(&da, &d, &a);   /* DA = D * A */
        fe_mul(&cb, &c, &b);   /* CB = C * B */
        fe_add(&x3, &da, &cb); /* x_3 = (DA + CB)^2 */
        fe_sq(&x3, &x3);
        fe_sub(&z3, &da, &cb); /* z_3 = x_1 * (DA - CB)^2 */
        fe_sq(&z3, &z3);
        fe_mul(&z3, &z3, &x1);
        fe_mul(&x2, &aa, &bb);        /* x_2 = AA * BB */
        fe_mul_small(&a, &e, 121665); /* z_2 = E * (AA + a24 * E) */
        fe_add(&a, &a, &aa);
        fe_mul(&z2, &e, &a);
    }
    uint64_t mask = ct_value_barrier_u64(0 - swap);
    fe_cswap(mask, &x2, &x3);
    fe_cswap(mask, &z2, &z3);

    *px2 = x2;
    *pz2 = z2;
    tenon_wipe(&x1, sizeof x1);
    tenon_wipe(&x2, sizeof x2);
    tenon_wipe(&z2, sizeof z2);
    tenon_wipe(&x3, sizeof x3);
    tenon_wipe(&z3, sizeof z3);
    tenon_wipe(&a, sizeof a);
    tenon_wipe(&aa, sizeof aa);
    tenon_wipe(&b, sizeof b);
    tenon_wipe(&bb, sizeof bb);
    tenon_wipe(&e, sizeof e);
    tenon_wipe(&c, sizeof c);
    tenon_wipe(&d, sizeof d);
    tenon_wipe(&da, sizeof da);
    tenon_wipe(&cb, sizeof cb);
}

static void ladder_portable(uint8_t out[32], const uint8_t k[32], const uint8_t u[32])
{
    fe x2, z2;
    x25519_ladder_portable_xz(&x2, &z2, k, u);
    x25519_finish(out, &x2, &z2);
}

TENON_API void tenon_x25519(uint8_t out[32], const uint8_t scalar[32], const uint8_t u[32])
{
    uint8_t k[32];
    clamp(k, scalar);
#if TENON_X86_64
    if (cpu_has(TENON_CPU_AVX512F | TENON_CPU_AVX512VL | TENON_CPU_AVX512IFMA))
        x25519_ladder_ifma(out, k, u);
    else if (cpu_has(TENON_CPU_BMI2 | TENON_CPU_ADX))
        x25519_ladder_adx(out, k, u);
    else
#endif
        ladder_portable(out, k, u);
    tenon_wipe(k, sizeof k);
}

/*
 * Our public key and the shared secret with u in one go, with one inversion (Montgomery's
 * trick): the public key is num/den = (Z + Y)/(Z - Y) of the comb's k·B (RFC 7748 §4.1) and
 * the secret x2/z2 of the ladder's k·u (§5), so with inv = 1/(den·z2),
 *   public = num·z2·inv,   shared = x2·den·inv,
 * one inversion (about 1 us, x25519_fe_invert_blinded) and five products in place of two.
 *
 * z2 = 0 exactly when k·u is the neutral element (u of small order, RFC 7748 §6.1), where the
 * separate ladder gives x2·0 = 0: then z2 is replaced by 1 and x2 by 0 (with masks: z2 depends
 * on k), which keeps den·z2 invertible, the public key right and the secret all-zero. den is
 * never 0 (x25519_base.c). The inversion is blinded as the separate ones are, by a beta that
 * is SHA-256 of a label of its own, the clamped scalar and u: secret and uniform to anyone who
 * does not know k, so den·z2·beta may go to the variable-time inversion.
 */
void x25519_keypair_and_shared_with(uint8_t pub[32], uint8_t shared[32], const uint8_t scalar[32],
                                    const uint8_t u[32], x25519_ladder_xz_fn ladder,
                                    void (*base_mul)(struct ge_ext *, const uint8_t *))
{
    static const char label[] = "tenon x25519 pair blind";
    uint8_t k[32], beta[32], zb[32];
    clamp(k, scalar);

    ge_ext p;
    fe num, den, x2, z2, one, zero, t;
    base_mul(&p, k);
    fe_add(&num, &p.Z, &p.Y);
    fe_sub(&den, &p.Z, &p.Y);
    ladder(&x2, &z2, k, u);

    x25519_fe_tobytes(zb, &z2);
    uint8_t acc = 0;
    for (size_t i = 0; i < 32; i++)
        acc |= zb[i];
    uint64_t z2_zero = (uint64_t)0 - (uint64_t)(ct_mask_zero_u32(acc) & 1u);
    z2_zero = ct_value_barrier_u64(z2_zero);
    fe_1(&one);
    fe_0(&zero);
    fe_cmov(z2_zero, &z2, &one);
    fe_cmov(z2_zero, &x2, &zero);

    x25519_blind_labelled(beta, label, sizeof label, k, u);

    fe_mul(&t, &den, &z2);
    x25519_fe_invert_blinded(&t, &t, beta); /* 1/(den·z2) */
    fe_mul(&num, &num, &z2);
    fe_mul(&num, &num, &t);
    x25519_fe_tobytes(pub, &num);
    fe_mul(&x2, &x2, &den);
    fe_mul(&x2, &x2, &t);
    x25519_fe_tobytes(shared, &x2);

    tenon_wipe(k, sizeof k);
    tenon_wipe(beta, sizeof beta);
    tenon_wipe(zb, sizeof zb);
    tenon_wipe(&acc, sizeof acc);
    tenon_wipe(&z2_zero, sizeof z2_zero);
    tenon_wipe(&p, sizeof p);
    tenon_wipe(&num, sizeof num);
    tenon_wipe(&den, sizeof den);
    tenon_wipe(&x2, sizeof x2);
    tenon_wipe(&z2, sizeof z2);
    tenon_wipe(&t, sizeof t);
}

/* The same ladder and comb as tenon_x25519 and tenon_x25519_base pick (the comb dispatches in
 * edwards25519_base_mul). */
void x25519_keypair_and_shared(uint8_t pub[32], uint8_t shared[32], const uint8_t scalar[32],
                               const uint8_t u[32])
{
    x25519_ladder_xz_fn ladder = x25519_ladder_portable_xz;
#if TENON_X86_64
    if (cpu_has(TENON_CPU_AVX512F | TENON_CPU_AVX512VL | TENON_CPU_AVX512IFMA))
        ladder = x25519_ladder_ifma_xz;
    else if (cpu_has(TENON_CPU_BMI2 | TENON_CPU_ADX))
        ladder = x25519_ladder_adx_xz;
#endif
    x25519_keypair_and_shared_with(pub, shared, scalar, u, ladder, edwards25519_base_mul);
}

/* ------------------------------------------------------------------------------------------
 * The key exchange group (RFC 8446 §4.2.7 NamedGroup x25519 = 0x001D).
 * ------------------------------------------------------------------------------------------ */

/* RFC 8446 §7.4.2 (and RFC 7748 §6.1): a peer key of small order makes the result all zeros
 * whatever our key is; such a share MUST be refused. The verdict is public (the handshake
 * fails), but it is computed without a branch so that the secret result never steers one: the
 * output is cleared and the error code formed with a mask. */
static int refuse_zero(uint8_t shared[32])
{
    uint8_t acc = 0;
    for (size_t i = 0; i < 32; i++)
        acc |= shared[i];
    uint32_t zero = ct_mask_zero_u32(acc);
    for (size_t i = 0; i < 32; i++)
        shared[i] = ct_select_u8(zero, 0, shared[i]);
    return -(int)(zero & (uint32_t)-TENON_ERR_BAD_PUBLIC_KEY);
}

static int kex_public_from_private(const uint8_t *private_key, uint8_t *public_key)
{
    ENSURE(private_key != NULL && public_key != NULL, TENON_ERR_INVALID_ARGUMENT);
    /* RFC 7748 §6.1: every 32-byte string is a private key (clamping makes it one). */
    tenon_x25519_base(public_key, private_key);
    return TENON_OK;
}

static int kex_keygen(uint8_t *private_key, uint8_t *public_key)
{
    ENSURE(private_key != NULL && public_key != NULL, TENON_ERR_INVALID_ARGUMENT);
    /* RFC 7748 §6.1: 32 random bytes; 32 more, drawn by the same call, blind the inversion
     * of the public key's computation (x25519_fe_invert_blinded) and are then wiped. */
    uint8_t r[64];
    int rc = tenon_random(r, sizeof r);
    if (rc == TENON_OK) {
        memcpy(private_key, r, 32);
        x25519_base_blinded(public_key, private_key, r + 32);
    } else {
        tenon_wipe(private_key, 32);
    }
    tenon_wipe(r, sizeof r);
    return rc;
}

static int kex_shared_secret(const uint8_t *private_key, const uint8_t *peer_public,
                             size_t peer_public_len, uint8_t *shared)
{
    ENSURE(private_key != NULL && shared != NULL, TENON_ERR_INVALID_ARGUMENT);
    /* RFC 8446 §4.2.8.2: an X25519 key_exchange is exactly 32 bytes. */
    ENSURE(peer_public != NULL && peer_public_len == TENON_X25519_LEN, TENON_ERR_BAD_PUBLIC_KEY);
    tenon_x25519(shared, private_key, peer_public);
    return refuse_zero(shared);
}

/* Server: a given private key's public key and its shared secret with the peer's, with one
 * inversion for both (x25519_keypair_and_shared). As public_from_private then shared_secret,
 * except that a peer key of the wrong length leaves public_key unwritten. */
static int kex_keypair_and_shared(const uint8_t *private_key, const uint8_t *peer_public,
                                  size_t peer_public_len, uint8_t *public_key, uint8_t *shared)
{
    ENSURE(private_key != NULL && public_key != NULL && shared != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(peer_public != NULL && peer_public_len == TENON_X25519_LEN, TENON_ERR_BAD_PUBLIC_KEY);
    /* RFC 7748 §6.1: every 32-byte string is a private key (clamping makes it one). */
    x25519_keypair_and_shared(public_key, shared, private_key, peer_public);
    return refuse_zero(shared);
}

/* The server's side of a Diffie-Hellman group: a key pair of its own and the secret with the
 * client's key, with one inversion (kex_keypair_and_shared); the private key lives only here.
 * RFC 7748 §6.1: 32 random bytes are a private key. */
static int kex_encapsulate(const uint8_t *client_share, size_t client_share_len,
                           uint8_t *server_share, uint8_t *shared)
{
    ENSURE(server_share != NULL && shared != NULL, TENON_ERR_INVALID_ARGUMENT);
    uint8_t priv[32];
    int rc = tenon_random(priv, sizeof priv);
    if (rc == TENON_OK)
        rc = kex_keypair_and_shared(priv, client_share, client_share_len, server_share, shared);
    tenon_wipe(priv, sizeof priv);
    return rc;
}

TENON_API const tenon_kex_class tenon_kex_x25519 = {
    .name = "x25519",
    .tls_group = 0x001D,
    .private_len = 32,
    .client_share_len = 32,
    .server_share_len = 32,
    .shared_len = 32,
    .dh = 1,
    .keygen = kex_keygen,
    .public_from_private = kex_public_from_private,
    .encapsulate = kex_encapsulate,
    .shared_secret = kex_shared_secret,
    .keypair_and_shared = kex_keypair_and_shared,
};
