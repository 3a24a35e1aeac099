/*
 * RSA keys and the raw RSA operations (RFC 8017 §3, §5).
 *
 * The private operation (RFC 8017 §5.1.2 step 2.b, §5.2.1) is, for input c:
 *   1. blinding: a fresh random r, c' = c r^e mod n (so the exponentiations never see an input
 *      the caller chose; Kocher 1996);
 *   2. m1 = c'^dp mod p, m2 = c'^dq mod q (constant-time fixed-window exponentiations);
 *   3. h = (m1 - m2) qinv mod p, m = m2 + q h (Garner);
 *   4. unblinding: s = m r^-1 mod n;
 *   5. the check s^e = c mod n before anything is released: a fault in step 2 would otherwise
 *      give a result right mod one prime only, and gcd(s^e - c, n) would factor n (Boneh,
 *      DeMillo, Lipton 1997).
 */
#include "../common.h"
#include "bignum.h"
#include "ct.h"
#include "rsa_internal.h"
#include "tenon/crypto.h"
#include "tenon/rsa.h"

/* Drops leading zero bytes. */
static void strip(const uint8_t **p, size_t *len)
{
    while (*len > 0 && (*p)[0] == 0) {
        (*p)++;
        (*len)--;
    }
}

static size_t limbs(size_t bytes)
{
    return (bytes + 7) / 8;
}

static uint64_t pub_exponent(const tenon_rsa_public_key *key)
{
    uint64_t e = 0;
    for (size_t i = 0; i < key->e_len; i++)
        e = (e << 8) | key->e[i];
    return e;
}

TENON_API int tenon_rsa_public_key_load(tenon_rsa_public_key *key, const uint8_t *n, size_t n_len,
                                        const uint8_t *e, size_t e_len)
{
    ENSURE(key != NULL && (n != NULL || n_len == 0) && (e != NULL || e_len == 0),
           TENON_ERR_INVALID_ARGUMENT);
    strip(&n, &n_len);
    strip(&e, &e_len);
    ENSURE(n_len > 0, TENON_ERR_KEY_SIZE);
    size_t bits = 8 * n_len - (size_t)__builtin_clz(n[0]) + 24;
    ENSURE(bits >= TENON_RSA_MIN_BITS && bits <= TENON_RSA_MAX_BITS, TENON_ERR_KEY_SIZE);
    ENSURE((n[n_len - 1] & 1) == 1, TENON_ERR_BAD_PUBLIC_KEY);
    ENSURE(e_len > 0 && e_len <= TENON_RSA_MAX_PUBEXP_LEN, TENON_ERR_BAD_PUBLIC_KEY);
    ENSURE((e[e_len - 1] & 1) == 1 && !(e_len == 1 && e[0] < 3), TENON_ERR_BAD_PUBLIC_KEY);
    /* e < 2^64 <= n: e is below n. */
    memset(key, 0, sizeof *key);
    key->n_len = n_len;
    key->n_bits = bits;
    memcpy(key->n, n, n_len);
    key->e_len = e_len;
    memcpy(key->e, e, e_len);
    return TENON_OK;
}

TENON_API void tenon_rsa_private_key_wipe(tenon_rsa_private_key *key)
{
    if (key != NULL)
        tenon_wipe(key, sizeof *key);
}

/* Copies a CRT component (leading zeros dropped); 0 if it is empty or too long. */
static int load_part(uint8_t *dst, size_t *dst_len, const uint8_t *src, size_t len)
{
    if (src == NULL && len != 0)
        return 0;
    strip(&src, &len);
    if (len == 0 || len > TENON_RSA_MAX_PRIME_LEN)
        return 0;
    memcpy(dst, src, len);
    *dst_len = len;
    return 1;
}

static int check_private_key(const tenon_rsa_private_key *key)
{
    size_t nn = limbs(key->pub.n_len), pl = limbs(key->p_len), ql = limbs(key->q_len);
    uint64_t n[BN_MAX_LIMBS], p[BN_MAX_LIMBS / 2], q[BN_MAX_LIMBS / 2], x[BN_MAX_LIMBS / 2];
    uint64_t pq[BN_MAX_LIMBS + 1] = {0};
    int ok = 1;
    if (pl + ql < nn || (key->p[key->p_len - 1] & 1) == 0 || (key->q[key->q_len - 1] & 1) == 0)
        return 0;
    bn_from_be(n, nn, key->pub.n, key->pub.n_len);
    bn_from_be(p, pl, key->p, key->p_len);
    bn_from_be(q, ql, key->q, key->q_len);
    /* n = p q (the verdicts on key validity are public) */
    bn_mul(pq, p, pl, q, ql);
    for (size_t i = 0; i < pl + ql; i++)
        ok &= pq[i] == (i < nn ? n[i] : 0);
    /* dp < p, dq < q, qinv < p */
    if (key->dp_len > key->p_len || key->dq_len > key->q_len || key->qinv_len > key->p_len)
        ok = 0;
    if (ok) {
        bn_from_be(x, pl, key->dp, key->dp_len);
        ok &= (int)(bn_lt_mask(x, p, pl) & 1);
        bn_from_be(x, ql, key->dq, key->dq_len);
        ok &= (int)(bn_lt_mask(x, q, ql) & 1);
        bn_from_be(x, pl, key->qinv, key->qinv_len);
        ok &= (int)(bn_lt_mask(x, p, pl) & 1);
    }
    if (ok) {
        /* q qinv = 1 mod p: M(q mod p) times qinv, Montgomery-reduced, is q qinv mod p */
        bn_mont ctx;
        uint64_t t[BN_MAX_LIMBS / 2], one[BN_MAX_LIMBS / 2] = {1};
        bn_mont_init(&ctx, p, pl, NULL);
        bn_mont_to_wide(&ctx, t, q, ql);
        bn_mont_mul(&ctx, t, t, x);
        ok &= (int)(ct_mask_memeq(t, one, pl * 8) & 1);
        tenon_wipe(&ctx, sizeof ctx);
        tenon_wipe(t, sizeof t);
    }
    tenon_wipe(p, sizeof p);
    tenon_wipe(q, sizeof q);
    tenon_wipe(x, sizeof x);
    tenon_wipe(pq, sizeof pq);
    return ok;
}

TENON_API int tenon_rsa_private_key_load(tenon_rsa_private_key *key, const uint8_t *n, size_t n_len,
                                         const uint8_t *e, size_t e_len, const uint8_t *p,
                                         size_t p_len, const uint8_t *q, size_t q_len,
                                         const uint8_t *dp, size_t dp_len, const uint8_t *dq,
                                         size_t dq_len, const uint8_t *qinv, size_t qinv_len)
{
    ENSURE(key != NULL, TENON_ERR_INVALID_ARGUMENT);
    memset(key, 0, sizeof *key);
    int rc = tenon_rsa_public_key_load(&key->pub, n, n_len, e, e_len);
    if (rc == TENON_ERR_BAD_PUBLIC_KEY)
        rc = TENON_ERR_BAD_PRIVATE_KEY;
    if (rc == TENON_OK &&
        !(load_part(key->p, &key->p_len, p, p_len) && load_part(key->q, &key->q_len, q, q_len) &&
          load_part(key->dp, &key->dp_len, dp, dp_len) &&
          load_part(key->dq, &key->dq_len, dq, dq_len) &&
          load_part(key->qinv, &key->qinv_len, qinv, qinv_len) && check_private_key(key)))
        rc = TENON_ERR_BAD_PRIVATE_KEY;
    if (rc == TENON_OK) {
        /* dp and dq cannot be checked against e without d; one private operation on a fixed
         * input, checked with e, catches an inconsistent key now rather than at first use. */
        uint8_t in[TENON_RSA_MAX_LEN] = {0}, out[TENON_RSA_MAX_LEN];
        uint64_t in_range, check_ok;
        in[key->pub.n_len - 1] = 2;
        rc = rsa_private_op(key, in, out, &in_range, &check_ok);
        if (rc == TENON_OK && !(in_range & check_ok & 1))
            rc = TENON_ERR_BAD_PRIVATE_KEY;
        tenon_wipe(out, sizeof out);
    }
    if (rc != TENON_OK)
        tenon_wipe(key, sizeof *key);
    return rc;
}

int rsa_public_op(const tenon_rsa_public_key *key, const uint8_t *in, uint8_t *out)
{
    size_t k = key->n_len, nn = limbs(k);
    uint64_t n[BN_MAX_LIMBS], x[BN_MAX_LIMBS];
    bn_mont ctx;
    bn_from_be(n, nn, key->n, k);
    bn_from_be(x, nn, in, k);
    ENSURE(bn_lt_mask(x, n, nn) & 1, TENON_ERR_MALFORMED);
    bn_mont_init(&ctx, n, nn, NULL);
    bn_mont_to(&ctx, x, x);
    bn_mont_pow_u64(&ctx, x, x, pub_exponent(key));
    bn_mont_from(&ctx, x, x);
    bn_to_be(out, k, x, nn);
    return TENON_OK;
}

/* The working state of one private operation (kept together so it is wiped at once). */
typedef struct rsa_priv_state {
    bn_mont cn, cp, cq;
    uint64_t c[BN_MAX_LIMBS], x[BN_MAX_LIMBS], rinv[BN_MAX_LIMBS], t[BN_MAX_LIMBS];
    uint64_t rnd[BN_MAX_LIMBS + 2];
    uint64_t prod[BN_MAX_LIMBS + 1];
    uint64_t p[BN_MAX_LIMBS / 2], q[BN_MAX_LIMBS / 2], e1[BN_MAX_LIMBS / 2];
    uint64_t m1[BN_MAX_LIMBS / 2], m2[BN_MAX_LIMBS / 2], h[BN_MAX_LIMBS / 2];
} rsa_priv_state;

static int private_op(const tenon_rsa_private_key *key, rsa_priv_state *st, const uint8_t *in,
                      uint8_t *out, uint64_t *in_range, uint64_t *check_ok)
{
    const tenon_rsa_public_key *pub = &key->pub;
    size_t k = pub->n_len, nn = limbs(k), pl = limbs(key->p_len), ql = limbs(key->q_len);
    uint64_t e = pub_exponent(pub);

    bn_from_be(st->x, nn, pub->n, k);
    bn_mont_init(&st->cn, st->x, nn, NULL);
    bn_from_be(st->c, nn, in, k);
    /* An input not below n is replaced by 0 (and reported), without a branch. */
    uint64_t range = bn_lt_mask(st->c, st->cn.m, nn);
    for (size_t i = 0; i < nn; i++)
        st->c[i] &= range;
    *in_range = range;

    /* 1. Blinding. r = (random nn+2 limbs) mod n is uniform to within 2^-128; it comes out in
     * Montgomery form, rM = r R. */
    uint64_t inv_ok = 0;
    for (int tries = 0; tries < 8 && !(inv_ok & 1); tries++) {
        GUARD(tenon_random(st->rnd, (nn + 2) * 8));
        bn_mont_to_wide(&st->cn, st->t, st->rnd, nn + 2);
        /* r^-1: invert plain r, then put r^-1 in Montgomery form for the final product */
        bn_mont_from(&st->cn, st->x, st->t);
        inv_ok = bn_mod_inv(&st->cn, st->rinv, st->x);
    }
    /* r is random and independent of every secret: a non-invertible r (probability below
     * 2^-1000) is simply drawn again, and eight failures can only mean a broken generator. */
    ENSURE(inv_ok & 1, TENON_ERR_RANDOM);
    bn_mont_to(&st->cn, st->rinv, st->rinv);
    /* c' = c r^e mod n: M(r^e) times plain c is plain */
    bn_mont_pow_u64(&st->cn, st->t, st->t, e);
    bn_mont_mul(&st->cn, st->x, st->c, st->t);

    /* 2. m1 = c'^dp mod p, m2 = c'^dq mod q, both kept in Montgomery form. */
    bn_from_be(st->p, pl, key->p, key->p_len);
    bn_from_be(st->q, ql, key->q, key->q_len);
    bn_mont_init(&st->cp, st->p, pl, NULL);
    bn_mont_init(&st->cq, st->q, ql, NULL);
    bn_mont_to_wide(&st->cp, st->t, st->x, nn);
    bn_from_be(st->e1, pl, key->dp, key->dp_len);
    bn_mont_pow_ct(&st->cp, st->m1, st->t, st->e1, pl);
    bn_mont_to_wide(&st->cq, st->t, st->x, nn);
    bn_from_be(st->e1, ql, key->dq, key->dq_len);
    bn_mont_pow_ct(&st->cq, st->m2, st->t, st->e1, ql);
    bn_mont_from(&st->cq, st->m2, st->m2);

    /* 3. Garner: h = (m1 - m2) qinv mod p. With M(m1) - M(m2 mod p) = (m1 - m2) R, one
     * Montgomery product with plain qinv gives plain h. */
    bn_mont_to_wide(&st->cp, st->t, st->m2, ql);
    bn_mod_sub(&st->cp, st->h, st->m1, st->t);
    bn_from_be(st->e1, pl, key->qinv, key->qinv_len);
    bn_mont_mul(&st->cp, st->h, st->h, st->e1);
    /* m = m2 + q h < n */
    bn_mul(st->prod, st->q, ql, st->h, pl);
    uint64_t carry = 0;
    for (size_t i = 0; i < pl + ql; i++) {
        unsigned __int128 z = (unsigned __int128)st->prod[i] + (i < ql ? st->m2[i] : 0) + carry;
        st->prod[i] = (uint64_t)z;
        carry = (uint64_t)(z >> 64);
    }

    /* 4. Unblinding: s = m r^-1 mod n (M(r^-1) times plain m is plain). */
    bn_mont_mul(&st->cn, st->x, st->prod, st->rinv);

    /* 5. The check s^e = c mod n. */
    bn_mont_to(&st->cn, st->t, st->x);
    bn_mont_pow_u64(&st->cn, st->t, st->t, e);
    bn_mont_from(&st->cn, st->t, st->t);
    uint64_t diff = 0;
    for (size_t i = 0; i < nn; i++)
        diff |= st->t[i] ^ st->c[i];
    uint64_t ok = ~ct_mask_nonzero_u64(diff);
    for (size_t i = 0; i < nn; i++)
        st->x[i] &= ok;
    *check_ok = ok;
    bn_to_be(out, k, st->x, nn);
    return TENON_OK;
}

int rsa_private_op(const tenon_rsa_private_key *key, const uint8_t *in, uint8_t *out,
                   uint64_t *in_range, uint64_t *check_ok)
{
    rsa_priv_state st;
    *in_range = 0;
    *check_ok = 0;
    int rc = private_op(key, &st, in, out, in_range, check_ok);
    tenon_wipe(&st, sizeof st);
    return rc;
}
