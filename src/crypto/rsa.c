/*
 * RSA keys and the raw RSA operations (RFC 8017 §3, §5).
 *
 * The private operation (RFC 8017 §5.1.2 step 2.b, §5.2.1) is, for input c:
 *   1. blinding, per prime: random r_p, r_q and c_p = c r_p^e mod p, c_q = c r_q^e mod q
 *      (so the exponentiations never see an input the caller chose; Kocher 1996), with the
 *      pair (r^e, r^-1) from the key's cache (below), or made from a fresh r: the two r^e side
 *      by side (bn_mont_pow2_u64), and the two inverses r^-1 (bn_mod_inv2);
 *   2. m1' = c_p^dp mod p, m2' = c_q^dq mod q (constant-time fixed-window exponentiations);
 *   4. unblinding, per prime: m1 = m1' r_p^-1 mod p, m2 = m2' r_q^-1 mod q;
 *   3. h = (m1 - m2) qinv mod p, s = m2 + q h (Garner);
 *   5. the check s^e = c mod p and mod q (so mod n) before anything is released: a fault in
 *      step 2 or 3 would otherwise give a result right mod one prime only, and gcd(s^e - c, n)
 *      would factor n (Boneh, DeMillo, Lipton 1997).
 *
 * The blinding pair is kept in the key (blinding, tenon/rsa.h) and squared at each use, r
 * becoming r^2 (two Montgomery squarings per prime instead of an inversion and r^e: RSA-2048
 * signing 7% faster on the ADX code, 14% with IFMA, docs/crypto.md), with a fresh r every
 * BLIND_USES uses, as OpenSSL and BoringSSL do. The key is const in the API; the cache is written
 * through a cast, which is defined since the object is not const: tenon_rsa_private_key_load wrote
 * all of it (C11 6.7.3p6 forbids modifying only objects defined const). So that calls never share a
 * pair and never wait:
 *  - the cache serves only the key at the address it was loaded at (owner): a copy by value, a
 *    key filled by other means or one in read-only memory is only read, and blinds afresh;
 *  - a lock word taken by one atomic exchange, never waited for: a call that finds it held
 *    blinds afresh, as one in a child process after fork() (pid: parent and child would
 *    otherwise go on from the same pair) or after BLIND_USES uses, and stores its fresh pair
 *    when it holds the lock. The holder copies the pair out and stores its squares (four
 *    Montgomery squarings, well under 1% of the operation's time) before it lets go, so
 *    a pair is never handed out twice; taking the pair and returning it squared after the
 *    operation would leave the cache empty for the whole of it, and concurrent calls would then
 *    renew it every time. (__atomic_test_and_set is specified on a byte, hence the exchange on
 *    the uint32_t word the public header holds.) A child forked while another thread held
 *    the lock finds it held for good, and so always blinds afresh, as before this cache;
 *  - a failed check (step 5) drops the pair if the lock is free (else the next failing call
 *    does): a corrupted pair would otherwise make every call fail until the renewal, and a
 *    fault in making it, too.
 * Everything stored is computed in constant time (squarings of secret values); the branches are
 * on the owner, the pid, the count and the lock, none of them secret.
 *
 * What depends on the key alone is kept in it: R^2 and R^3 mod p and q (mont_crt, made at
 * load). Each operation checks them against the primes first (three Montgomery reductions per
 * prime, which use only the prime and n0, recomputed) and makes them anew where they are wrong:
 * the check of step 5 could not catch bad constants, as it converts with them too (zeroed
 * constants turn every value into 0, and 0^e = 0 passes it).
 *
 * The public key keeps nothing: TLS and X.509 load a public key for one verification each
 * (the peer's key, an issuer's key), so a cache would only move the work to the load and add
 * n_len bytes to every copy (the handshake state holds one). A verification instead gets
 * x R mod n by one long division of the public signature (bn_shl_mod_vartime), without
 * R^2 mod n.
 */
#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#define BLIND_CACHE 1 /* getpid() to tell a child of fork() from its parent */
#else
#define BLIND_CACHE 0 /* no getpid(): every call blinds afresh */
#endif

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

/* The uses of one random r (squared between uses) before a fresh one, as OpenSSL's
 * BN_BLINDING_COUNTER. */
#define BLIND_USES 32

/* Ties the blinding cache to the key at this address, empty (the first operation fills it). */
static void blind_init(tenon_rsa_private_key *key)
{
    memset(&key->blinding, 0, sizeof key->blinding);
    key->blinding.owner = key;
    key->blinding.uses = BLIND_USES;
}

/* The key's blinding cache, locked, if this call may use it: the key is the one loaded at
 * this address and no other call holds the lock. NULL otherwise (then nothing is written). */
static struct tenon_rsa_blinding *blind_lock(const tenon_rsa_private_key *key)
{
#if BLIND_CACHE
    /* owner is written only by the loader, before the key is shared: a plain read */
    const void *owner = key->blinding.owner;
    ct_declassify(&owner, sizeof owner);
    if (owner != (const void *)key)
        return NULL;
    struct tenon_rsa_blinding *b = (struct tenon_rsa_blinding *)&key->blinding;
    if (__atomic_exchange_n(&b->lock, 1u, __ATOMIC_ACQUIRE) != 0)
        return NULL;
    return b;
#else
    (void)key;
    return NULL;
#endif
}

static void blind_unlock(struct tenon_rsa_blinding *b)
{
    __atomic_store_n(&b->lock, 0u, __ATOMIC_RELEASE);
}

static int64_t blind_pid(void)
{
#if BLIND_CACHE
    return (int64_t)getpid();
#else
    return 0;
#endif
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

/* The key's cached Montgomery constants (tenon/rsa.h, mont_crt): R^2 and R^3 mod p and mod q,
 * so that each private operation need not make them (it checks them instead). */
static void key_consts(tenon_rsa_private_key *key)
{
    bn_mont ctx;
    uint64_t m[BN_MAX_LIMBS / 2];
    for (int i = 0; i < 2; i++) {
        const uint8_t *prime = i == 0 ? key->p : key->q;
        size_t len = i == 0 ? key->p_len : key->q_len, pl = limbs(len);
        bn_from_be(m, pl, prime, len);
        bn_mont_init(&ctx, m, pl, NULL);
        memcpy(key->mont_crt[2 * i], ctx.rr, pl * 8);
        bn_mont_sqr(&ctx, key->mont_crt[2 * i + 1], ctx.rr);
    }
    tenon_wipe(&ctx, sizeof ctx);
    tenon_wipe(m, sizeof m);
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
        key_consts(key);
        blind_init(key);
    }
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

/* in^e mod n; in_public: the input is public (a signature), so it may steer the time too. */
static int public_op(const tenon_rsa_public_key *key, const uint8_t *in, uint8_t *out,
                     int in_public)
{
    size_t k = key->n_len, nn = limbs(k);
    uint64_t n[BN_MAX_LIMBS], x[BN_MAX_LIMBS], t[BN_MAX_LIMBS];
    bn_mont ctx;
    bn_from_be(n, nn, key->n, k);
    bn_from_be(x, nn, in, k);
    ENSURE(bn_lt_mask(x, n, nn) & 1, TENON_ERR_MALFORMED);
    uint64_t e = pub_exponent(key);
    if (!bn_r52_pow_u64_vartime(0, x, x, n, nn, e)) {
        if (in_public) {
            /* x R mod n by one long division: no R^2 mod n, no conversion product */
            bn_mont_init_with_rr(&ctx, n, nn, NULL);
            bn_shl_mod_vartime(t, x, nn, nn, n, nn);
        } else {
            bn_mont_init_vartime(&ctx, n, nn, NULL);
            bn_mont_to(&ctx, t, x);
        }
        /* e is odd: M(x^(e-1)) times plain x is plain x^e, which saves the conversion out */
        bn_mont_pow_u64(&ctx, t, t, e - 1);
        bn_mont_mul(&ctx, x, t, x);
    }
    bn_to_be(out, k, x, nn);
    /* x and t held the input, which for an encryption is the secret padded message */
    tenon_wipe(x, sizeof x);
    tenon_wipe(t, sizeof t);
    return TENON_OK;
}

int rsa_public_op(const tenon_rsa_public_key *key, const uint8_t *in, uint8_t *out)
{
    return public_op(key, in, out, 0);
}

int rsa_verify_op(const tenon_rsa_public_key *key, const uint8_t *sig, uint8_t *out)
{
    return public_op(key, sig, out, 1);
}

/* One CRT half: the prime, its Montgomery context, and the blinding pair. */
typedef struct rsa_half {
    bn_mont ctx;
    uint64_t prime[BN_MAX_LIMBS / 2];
    uint64_t cm[BN_MAX_LIMBS / 2];   /* M(c mod prime) */
    uint64_t a[BN_MAX_LIMBS / 2];    /* M(r^e) */
    uint64_t ai[BN_MAX_LIMBS / 2];   /* M(r^-1) */
    uint64_t rinv[BN_MAX_LIMBS / 2]; /* r^-1 mod prime, plain */
    uint64_t x[BN_MAX_LIMBS / 2], t[BN_MAX_LIMBS / 2], ex[BN_MAX_LIMBS / 2];
    uint64_t rnd[BN_MAX_LIMBS / 2 + 2];
    bn_r52_pre pre; /* ctx's radix-2^52 constants, once for the three exponentiations */
    uint64_t r3[BN_MAX_LIMBS / 2]; /* R^3 mod prime, for the conversions of c, r and s */
} rsa_half;

/* The working state of one private operation (kept together so it is wiped at once). */
typedef struct rsa_priv_state {
    rsa_half hp, hq;
    uint64_t c[BN_MAX_LIMBS];
    uint64_t prod[BN_MAX_LIMBS + 1];
    uint64_t y[BN_MAX_LIMBS]; /* R^3 mod n, R = 2^(64 pl) (see private_op) */
    uint64_t m1[BN_MAX_LIMBS / 2], m2[BN_MAX_LIMBS / 2], h[BN_MAX_LIMBS / 2];
} rsa_priv_state;

/* The Montgomery constants of one prime (h->ctx, h->r3) from the key's cache rr, r3: all-ones
 * if they are right for the prime (a key filled by other means than tenon_rsa_private_key_load
 * may have them zero, or stale), 0 otherwise. Constant-time. */
static uint64_t half_cached(rsa_half *h, const uint8_t *prime, size_t prime_len, const uint64_t *rr,
                            const uint64_t *r3)
{
    size_t pl = limbs(prime_len);
    bn_from_be(h->prime, pl, prime, prime_len);
    bn_mont_init_with_rr(&h->ctx, h->prime, pl, rr);
    for (size_t i = 0; i < pl; i++)
        h->r3[i] = r3[i];
    return bn_mont_consts_check(&h->ctx, h->r3);
}

/* The same computed (h->prime loaded): from y = R^3 mod n if given (bn_mont_init_rr). */
static void half_consts(rsa_half *h, const uint64_t *y)
{
    size_t pl = h->ctx.nl;
    if (y != NULL)
        bn_mont_init_rr(&h->ctx, h->prime, pl, y);
    else
        bn_mont_init(&h->ctx, h->prime, pl, NULL);
    bn_mont_sqr(&h->ctx, h->r3, h->ctx.rr);
}

/* Step 1 for one prime (its constants made): M(c) for c (nn limbs, plain), d, and with fresh
 * a fresh random r (h->x, plain). With the pair h->a = M(r^e), h->ai = M(r^-1) (from the cache
 * or blind_finish), x = M(c r^e mod prime); the exponentiation (step 2) then gives M(c^d r),
 * because e d = 1 mod (prime - 1), and step 4 multiplies by r^-1. Blinding each half on its own
 * prime rather than on n costs two half-size inversions instead of one full-size one (the
 * inversion is quadratic in the size), and every step runs on the half-size Montgomery code. */
static int half_blind(rsa_half *h, const uint8_t *d, size_t d_len, const uint64_t *c, size_t nn,
                      int fresh)
{
    size_t pl = h->ctx.nl;
    bn_r52_prep(&h->ctx, &h->pre);
    bn_mont_to_wide_r3(&h->ctx, h->r3, h->cm, c, nn);
    bn_from_be(h->ex, pl, d, d_len);
    if (fresh) {
        /* r = (random pl+2 limbs) R mod prime is uniform to within 2^-128, as the random
         * number mod prime is and R is invertible (h->x, plain) */
        GUARD(tenon_random(h->rnd, (pl + 2) * 8));
        bn_mont_to_wide_r3(&h->ctx, h->r3, h->x, h->rnd, pl + 2);
    }
    return TENON_OK;
}

/* A fresh pair for both primes from r (h->x): a = M(r^e) and ai = M(r^-1), both inversions and
 * both r^e at once. Whether r is invertible depends on the prime, so it is not branched on:
 * r = 0 mod prime (probability below 2^-1000) is replaced by 1, which leaves the operations
 * until the next fresh r unblinded on that prime. The inversions are constant-time
 * (bn_mod_inv2): a variable-time one, even of a blinded r s, would branch on the prime. */
static void blind_finish(rsa_half *hp, rsa_half *hq, uint64_t e)
{
    uint64_t one[BN_MAX_LIMBS / 2] = {1}, ok[2];
    bn_mod_inv2(&hp->ctx, hp->rinv, hp->x, &hq->ctx, hq->rinv, hq->x, ok);
    rsa_half *h[2] = {hp, hq};
    for (int i = 0; i < 2; i++) {
        size_t pl = h[i]->ctx.nl;
        bn_select(h[i]->x, ok[i], h[i]->x, one, pl);
        bn_select(h[i]->rinv, ok[i], h[i]->rinv, one, pl);
        bn_mont_to(&h[i]->ctx, h[i]->a, h[i]->x);
        bn_mont_to(&h[i]->ctx, h[i]->ai, h[i]->rinv);
    }
    bn_mont_pow2_u64(&hp->ctx, hp->a, hp->a, &hq->ctx, hq->a, hq->a, e);
}

/* The cached pair of one prime into h, and its square ((r^2)^e, (r^2)^-1) back into the
 * cache for the next call (the lock held). */
static void half_take(rsa_half *h, uint64_t pair[2][TENON_RSA_MAX_PRIME_LEN / 8])
{
    size_t pl = h->ctx.nl;
    memcpy(h->a, pair[0], pl * 8);
    memcpy(h->ai, pair[1], pl * 8);
    bn_mont_sqr(&h->ctx, pair[0], h->a);
    bn_mont_sqr(&h->ctx, pair[1], h->ai);
}

/* A fresh pair's square into the cache (the lock held). */
static void half_store(const rsa_half *h, uint64_t pair[2][TENON_RSA_MAX_PRIME_LEN / 8])
{
    bn_mont_sqr(&h->ctx, pair[0], h->a);
    bn_mont_sqr(&h->ctx, pair[1], h->ai);
}

/* Step 1's end and step 4 for one prime: M(c) times M(r^e) is M(c r^e); M(c^d r) times
 * M(r^-1) is M(c^d). */
static void half_apply(rsa_half *h)
{
    bn_mont_mul(&h->ctx, h->x, h->cm, h->a);
}

static void half_unblind(rsa_half *h)
{
    bn_mont_mul(&h->ctx, h->x, h->x, h->ai);
}

/* Step 5: all-ones if s^e = c mod p and mod q (both s^e side by side; s of nn limbs,
 * plain). */
static uint64_t check(rsa_half *hp, rsa_half *hq, const uint64_t *s, size_t nn, uint64_t e)
{
    bn_mont_to_wide_r3(&hp->ctx, hp->r3, hp->t, s, nn);
    bn_mont_to_wide_r3(&hq->ctx, hq->r3, hq->t, s, nn);
    bn_mont_pow2_u64(&hp->ctx, hp->t, hp->t, &hq->ctx, hq->t, hq->t, e);
    uint64_t diff = 0;
    for (size_t i = 0; i < hp->ctx.nl; i++)
        diff |= hp->t[i] ^ hp->cm[i];
    for (size_t i = 0; i < hq->ctx.nl; i++)
        diff |= hq->t[i] ^ hq->cm[i];
    return ~ct_mask_nonzero_u64(diff);
}

static int private_op(const tenon_rsa_private_key *key, rsa_priv_state *st, const uint8_t *in,
                      uint8_t *out, uint64_t *in_range, uint64_t *check_ok)
{
    const tenon_rsa_public_key *pub = &key->pub;
    size_t k = pub->n_len, nn = limbs(k), pl = limbs(key->p_len), ql = limbs(key->q_len);
    uint64_t e = pub_exponent(pub);

    bn_from_be(st->prod, nn, pub->n, k);
    bn_from_be(st->c, nn, in, k);
    /* An input not below n is replaced by 0 (and reported), without a branch. */
    uint64_t range = bn_lt_mask(st->c, st->prod, nn);
    for (size_t i = 0; i < nn; i++)
        st->c[i] &= range;
    *in_range = range;

    /* 1, 2, 4. M(m1) = M(c^dp mod p), M(m2) = M(c^dq mod q), each blinded on its own prime. */
    uint64_t cached = half_cached(&st->hp, key->p, key->p_len, key->mont_crt[0], key->mont_crt[1]) &
                      half_cached(&st->hq, key->q, key->q_len, key->mont_crt[2], key->mont_crt[3]);
    /* whether the key's cache is intact says nothing about p and q */
    ct_declassify(&cached, sizeof cached);
    if (!(cached & 1)) {
        /* With primes of equal limb counts (each below R = 2^(64 pl)), R^2 mod each prime
         * comes from y = R^3 mod n, which only depends on the public n (bn_mont_init_rr). */
        const uint64_t *y = NULL;
        if (pl == ql && nn == 2 * pl) {
            bn_pow2_mod_vartime(st->y, st->prod, nn, 3 * pl);
            y = st->y;
        }
        half_consts(&st->hp, y);
        half_consts(&st->hq, y);
    }
    /* The pair: the key's, if this call may use it and it is current (the pid and the count
     * are public), squared back for the next call; else a fresh one, stored if the lock is
     * held. The lock is let go before the exponentiations. */
    struct tenon_rsa_blinding *b = blind_lock(key);
    int64_t pid = 0;
    int fresh = 1;
    if (b != NULL) {
        int64_t b_pid = b->pid;
        uint32_t uses = b->uses;
        ct_declassify(&b_pid, sizeof b_pid);
        ct_declassify(&uses, sizeof uses);
        pid = blind_pid();
        if (b_pid == pid && uses < BLIND_USES) {
            half_take(&st->hp, b->pair[0]);
            half_take(&st->hq, b->pair[1]);
            b->uses = uses + 1;
            blind_unlock(b);
            b = NULL;
            fresh = 0;
        }
    }
    int rc = half_blind(&st->hp, key->dp, key->dp_len, st->c, nn, fresh);
    if (rc == TENON_OK)
        rc = half_blind(&st->hq, key->dq, key->dq_len, st->c, nn, fresh);
    if (rc == TENON_OK && fresh) {
        blind_finish(&st->hp, &st->hq, e);
        if (b != NULL) {
            half_store(&st->hp, b->pair[0]);
            half_store(&st->hq, b->pair[1]);
            b->pid = pid;
            b->uses = 1;
        }
    }
    if (b != NULL)
        blind_unlock(b);
    if (rc != TENON_OK)
        return rc;
    half_apply(&st->hp);
    half_apply(&st->hq);
    /* 2. Both exponentiations in one call: with AVX-512 IFMA they run side by side. */
    bn_mont_pow2_ct(&st->hp.ctx, st->hp.x, st->hp.x, st->hp.ex, pl, &st->hq.ctx, st->hq.x, st->hq.x,
                    st->hq.ex, ql);
    half_unblind(&st->hp);
    half_unblind(&st->hq);
    for (size_t i = 0; i < pl; i++)
        st->m1[i] = st->hp.x[i];
    bn_mont_from(&st->hq.ctx, st->m2, st->hq.x);

    /* 3. Garner: h = (m1 - m2) qinv mod p. With M(m1) - M(m2 mod p) = (m1 - m2) R, one
     * Montgomery product with plain qinv gives plain h. */
    bn_mont_to_wide(&st->hp.ctx, st->hp.t, st->m2, ql);
    bn_mod_sub(&st->hp.ctx, st->h, st->m1, st->hp.t);
    bn_from_be(st->hp.ex, pl, key->qinv, key->qinv_len);
    bn_mont_mul(&st->hp.ctx, st->h, st->h, st->hp.ex);
    /* s = m2 + q h < n */
    bn_mul(st->prod, st->hq.prime, ql, st->h, pl);
    uint64_t carry = 0;
    for (size_t i = 0; i < pl + ql; i++) {
        unsigned __int128 z = (unsigned __int128)st->prod[i] + (i < ql ? st->m2[i] : 0) + carry;
        st->prod[i] = (uint64_t)z;
        carry = (uint64_t)(z >> 64);
    }

    /* 5. The check s^e = c mod n, as s^e = c mod p and mod q (n = p q was checked when the key
     * was loaded): it runs on the recombined s, so it also covers a fault in step 3. */
    uint64_t ok = check(&st->hp, &st->hq, st->prod, nn, e);
    for (size_t i = 0; i < nn; i++)
        st->prod[i] &= ok;
    *check_ok = ok;
    /* The callers act on the verdict at once; a failure drops the cached pair. */
    uint64_t failed = ~ok & 1;
    ct_declassify(&failed, sizeof failed);
    if (failed && (b = blind_lock(key)) != NULL) {
        tenon_wipe(b->pair, sizeof b->pair);
        b->uses = BLIND_USES;
        blind_unlock(b);
    }
    bn_to_be(out, k, st->prod, nn);
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
