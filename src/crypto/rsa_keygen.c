/*
 * RSA key generation: FIPS 186-5 Appendix A.1.1 with the probable primes of Appendix B.3.3, and
 * the private exponent d = e^-1 mod lcm(p - 1, q - 1).
 *
 * Why the work is arranged as it is:
 *   - Every candidate is fresh random bits with the top two bits set (so p, q >= 3/4 2^(nlen/2),
 *     above the sqrt(2) 2^(nlen/2 - 1) bound of B.3.3, and n has exactly nlen bits) and the
 *     low bit set. A candidate is first divided by the odd primes below SIEVE_LIMIT, which
 *     rejects about seven in eight composites for the price of a few hundred multiplications;
 *     only the survivors reach Miller-Rabin (the test of FIPS 186-4 Appendix C.3.1).
 *   - Rejecting a candidate is the one place where a secret-derived value is branched on: what
 *     leaks is that a discarded number was composite (or too close to p, or 1 mod e). The
 *     prime that is kept went through every test in full, and each test computes its verdict
 *     without branches or secret memory indexes: the residues by multiplication with a
 *     reciprocal (a division instruction's latency can depend on its operands), Miller-Rabin
 *     with the constant-time exponentiation and a fixed tail (below).
 *   - Miller-Rabin with w - 1 = 2^a m needs b^m and its a successive squares, and a is secret.
 *     The tail is therefore fixed: b^((w-1) >> 64) by the fixed-window exponentiation, then the
 *     low 64 bits of w - 1 one at a time (square, and multiply selected by a mask), and after
 *     bit i the value is b^((w-1) >> i); positions i <= a are recognised by masks. That needs
 *     a < 64: a candidate with w = 1 mod 2^64 (probability 2^-63) is rejected.
 *   - lcm(p - 1, q - 1) = (p - 1)(q - 1) / gcd needs a gcd and a division by secret numbers:
 *     both are done bit by bit with a fixed number of steps (a binary gcd of 3 (nlen / 2) steps
 *     and restoring division), cheap next to the prime search. With lambda in hand and e a
 *     small prime, d = (1 + k lambda) / e where k = -lambda^-1 mod e (so e divides 1 + k
 *     lambda): an inversion modulo the public e by Fermat, and an exact division by e.
 */
#include "../common.h"
#include "bignum.h"
#include "ct.h"
#include "rsa_internal.h"
#include "tenon/crypto.h"
#include "tenon/rsa.h"

typedef unsigned __int128 u128;

#define HALF_MAX (BN_MAX_LIMBS / 2)
/* Trial division by the odd primes below this bound (264 of them). */
#define SIEVE_LIMIT 1700
#define SMALL_MAX 300

typedef struct small_primes {
    size_t n;
    uint64_t p[SMALL_MAX];
    uint64_t recip[SMALL_MAX]; /* floor((2^64 - 1) / p) */
} small_primes;

static void small_primes_init(small_primes *sp)
{
    uint8_t composite[SIEVE_LIMIT] = {0};
    sp->n = 0;
    for (uint32_t i = 3; i < SIEVE_LIMIT; i += 2) {
        if (composite[i])
            continue;
        sp->p[sp->n] = i;
        sp->recip[sp->n] = UINT64_MAX / i;
        sp->n++;
        for (uint32_t j = i * i; j < SIEVE_LIMIT; j += 2 * i)
            composite[j] = 1;
    }
}

/* x mod s for odd s < 2^32 with recip = floor((2^64 - 1) / s) = floor(2^64 / s): the quotient
 * estimate is low by at most one, so one masked subtraction finishes. */
static uint64_t mod_small(uint64_t x, uint64_t s, uint64_t recip)
{
    uint64_t q = (uint64_t)(((u128)x * recip) >> 64);
    uint64_t r = x - q * s; /* below 2s < 2^33 */
    uint64_t lt = 0 - ((r - s) >> 63);
    return r - (s & ~lt);
}

/* x (nl limbs) mod s, 32 bits at a time. */
static uint64_t bn_mod_small(const uint64_t *x, size_t nl, uint64_t s, uint64_t recip)
{
    uint64_t r = 0;
    for (size_t i = nl; i-- > 0;) {
        r = mod_small((r << 32) | (x[i] >> 32), s, recip);
        r = mod_small((r << 32) | (x[i] & 0xffffffffu), s, recip);
    }
    return r;
}

static uint64_t limbs_eq_mask(const uint64_t *a, const uint64_t *b, size_t n)
{
    uint64_t diff = 0;
    for (size_t i = 0; i < n; i++)
        diff |= a[i] ^ b[i];
    return ~ct_mask_nonzero_u64(diff);
}

/* x >>= 1 where mask is all-ones. */
static void shr1_masked(uint64_t *x, size_t n, uint64_t mask)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t v = (x[i] >> 1) | (i + 1 < n ? x[i + 1] << 63 : 0);
        x[i] = ct_select_u64(mask, v, x[i]);
    }
}

/* The working state of one key generation, kept together so it is wiped at once. */
typedef struct keygen_ws {
    small_primes sp;
    bn_mont ctx;
    uint64_t p[HALF_MAX], q[HALF_MAX], cand[HALF_MAX], z[HALF_MAX], t[HALF_MAX];
    uint64_t pm1[HALF_MAX], qm1[HALF_MAX], ga[HALF_MAX], gb[HALF_MAX], g[HALF_MAX];
    uint64_t phi[BN_MAX_LIMBS], lambda[BN_MAX_LIMBS], d[BN_MAX_LIMBS + 1];
    uint64_t rem[BN_MAX_LIMBS + 1], sub[BN_MAX_LIMBS + 1];
    uint64_t dp[HALF_MAX], dq[HALF_MAX], qinv[HALF_MAX], n[BN_MAX_LIMBS];
    uint8_t bytes[6][TENON_RSA_MAX_LEN];
} keygen_ws;

/* The state of a Miller-Rabin test (rsa_miller_rabin), wiped at its end. */
typedef struct mr_ws {
    bn_mont ctx;
    uint64_t wm1[HALF_MAX], one[HALF_MAX], mone[HALF_MAX], b[HALF_MAX], z[HALF_MAX], t[HALF_MAX];
    uint64_t rnd[HALF_MAX + 2];
} mr_ws;

/* One Miller-Rabin round on w (ws->ctx set up for it, ws->wm1 = w - 1 with a nonzero low limb,
 * ws->one = M(1), ws->mone = M(w - 1)): all-ones if w passes for a random base. */
static int mr_round(mr_ws *ws, size_t pl, uint64_t *pass_out)
{
    /* Miller-Rabin (FIPS 186-4 C.3.1): a random base 1 < b < w - 1; b = rnd mod w is uniform
     * to within 2^-128. Drawing again when b is 0, 1 or w - 1 would branch on b, which depends
     * on w; such a b (probability below 2^-1000) is replaced by 2 instead, under a mask. */
    GUARD(tenon_random(ws->rnd, (pl + 2) * 8));
    bn_mont_to_wide(&ws->ctx, ws->b, ws->rnd, pl + 2); /* M(b) */
    uint64_t bad = bn_zero_mask(ws->b, pl) | limbs_eq_mask(ws->b, ws->one, pl) |
                   limbs_eq_mask(ws->b, ws->mone, pl);
    bn_mod_add(&ws->ctx, ws->t, ws->one, ws->one); /* M(2) */
    bn_select(ws->b, bad, ws->t, ws->b, pl);
    bn_mont_pow_ct(&ws->ctx, ws->z, ws->b, ws->wm1 + 1, pl - 1);
    uint64_t low = ws->wm1[0], pass = 0;
    for (int i = 63; i >= 0; i--) {
        bn_mont_sqr(&ws->ctx, ws->z, ws->z);
        bn_mont_mul(&ws->ctx, ws->t, ws->z, ws->b);
        uint64_t bit = 0 - ((low >> i) & 1);
        bn_select(ws->z, bit, ws->t, ws->z, pl);
        /* z = b^((w-1) >> i); i <= a when the bits of w - 1 below i are zero, and i = a at the
         * lowest set bit. w passes if b^m = 1 (i = a) or
         * b^(m 2^j) = -1 for some 0 <= j < a (1 <= i <= a). */
        uint64_t le = ~ct_mask_nonzero_u64(low & ((1ull << i) - 1));
        uint64_t at_a = le & bit;
        uint64_t above_zero = i > 0 ? ~(uint64_t)0 : 0;
        pass |= (at_a & limbs_eq_mask(ws->z, ws->one, pl)) |
                (le & above_zero & limbs_eq_mask(ws->z, ws->mone, pl));
    }
    *pass_out = ct_value_barrier_u64(pass);
    return TENON_OK;
}

int rsa_miller_rabin(const uint64_t *w, size_t pl, int rounds, uint64_t *pass)
{
    mr_ws st, *ws = &st;
    uint64_t all = ~(uint64_t)0;
    int rc = TENON_OK;
    bn_mont_init(&ws->ctx, w, pl, NULL);
    for (size_t j = 0; j < pl; j++) {
        ws->wm1[j] = w[j];
        ws->one[j] = j == 0;
    }
    ws->wm1[0] &= ~(uint64_t)1;
    /* w = 1 mod 2^64 (a >= 64, probability 2^-63) is beyond the fixed tail: it fails. */
    all &= ct_mask_nonzero_u64(ws->wm1[0]);
    bn_mont_to(&ws->ctx, ws->one, ws->one);
    bn_sub(ws->mone, w, ws->one, pl);
    for (int r = 0; r < rounds && rc == TENON_OK; r++) {
        uint64_t round_pass = 0;
        rc = mr_round(ws, pl, &round_pass);
        all &= round_pass;
    }
    *pass = rc == TENON_OK ? ct_value_barrier_u64(all) : 0;
    tenon_wipe(ws, sizeof *ws);
    return rc;
}

/* FIPS 186-5 Table B.1, the column of the security strength of nlen (2^-112 for 2048 bits,
 * 2^-128 for 3072, 2^-144 for 4096): 5 rounds for 1024-bit primes, 4 from 1536 bits on. */
static int mr_rounds(size_t prime_bits)
{
    return prime_bits < 1536 ? 5 : 4;
}

/* 1 if ws->cand survives trial division and is not 1 mod e (so gcd(cand - 1, e) = 1 for the
 * prime e); 0 to reject it. */
static int sieve_ok(const keygen_ws *ws, size_t pl, uint64_t e, uint64_t e_recip)
{
    for (size_t i = 0; i < ws->sp.n; i++)
        if (bn_mod_small(ws->cand, pl, ws->sp.p[i], ws->sp.recip[i]) == 0)
            return 0;
    return bn_mod_small(ws->cand, pl, e, e_recip) != 1;
}

/* |cand - p| > 2^(nlen/2 - 100), B.3.3: the top 100 bits of |cand - p| - 1 (pl
 * limbs, nlen/2 = 64 pl bits) are not all zero. */
static int far_enough(keygen_ws *ws, size_t pl)
{
    uint64_t *d = ws->t, *d2 = ws->z;
    uint64_t bw = bn_sub(d, ws->cand, ws->p, pl);
    bn_sub(d2, ws->p, ws->cand, pl);
    bn_select(d, 0 - bw, d2, d, pl);
    uint64_t one[HALF_MAX] = {1};
    bn_sub(d, d, one, pl); /* |cand - p| = 0 gives all-ones: rejected below anyway */
    uint64_t top = d[pl - 1] | (d[pl - 2] >> 28);
    uint64_t is_zero_diff = limbs_eq_mask(ws->cand, ws->p, pl);
    return (int)(ct_mask_nonzero_u64(top) & ~is_zero_diff & 1);
}

/* Generates a probable prime into ws->cand, of 64 pl bits; with check_p, also at distance
 * from ws->p. B.3.3 steps 4 / 5, at most 5 (nlen / 2) candidates. */
static int gen_prime(keygen_ws *ws, size_t pl, int check_p)
{
    uint64_t e = TENON_RSA_KEYGEN_E, e_recip = UINT64_MAX / e;
    size_t tries = 5 * 64 * pl;
    int rounds = mr_rounds(64 * pl);
    for (size_t i = 0; i < tries; i++) {
        GUARD(tenon_random(ws->cand, pl * 8));
        ws->cand[pl - 1] |= (uint64_t)3 << 62;
        ws->cand[0] |= 1;
        if (check_p && !far_enough(ws, pl))
            continue;
        if (!sieve_ok(ws, pl, e, e_recip))
            continue;
        /* One round rejects nearly every composite that trial division let through; the prime
         * kept then takes the other rounds, each run in full. */
        uint64_t pass;
        GUARD(rsa_miller_rabin(ws->cand, pl, 1, &pass));
        if (!(pass & 1))
            continue;
        GUARD(rsa_miller_rabin(ws->cand, pl, rounds - 1, &pass));
        if (pass & 1)
            return TENON_OK;
    }
    return TENON_ERR_KEYGEN_FAILED;
}

/* gcd(a, b) of two non-zero numbers of n limbs into g, by Stein's binary algorithm with a fixed
 * number of steps: 64 n to take out the common factors of 2 (counted in s), then 2 (64 n)
 * steps, each of which shortens a or b by a bit until one is 0; finally g = (a | b) 2^s. */
static void gcd_ct(uint64_t *g, uint64_t *a, uint64_t *b, uint64_t *t, size_t n)
{
    size_t bits = 64 * n;
    uint64_t s = 0;
    for (size_t i = 0; i < bits; i++) {
        uint64_t both_even = 0 - (~(a[0] | b[0]) & 1);
        shr1_masked(a, n, both_even);
        shr1_masked(b, n, both_even);
        s += both_even & 1;
    }
    for (size_t i = 0; i < 2 * bits; i++) {
        uint64_t a_odd = 0 - (a[0] & 1), b_odd = 0 - (b[0] & 1), both = a_odd & b_odd;
        uint64_t bw = 0 - bn_sub(t, a, b, n); /* all-ones if a < b */
        uint64_t a_sub = both & ~bw, b_sub = both & bw;
        bn_select(a, a_sub, t, a, n);
        bn_sub(t, b, a, n); /* b - a, read only where a < b (a unchanged then) */
        bn_select(b, b_sub, t, b, n);
        shr1_masked(a, n, ~a_odd | a_sub);
        shr1_masked(b, n, (a_odd & ~b_odd) | b_sub);
    }
    for (size_t j = 0; j < n; j++)
        g[j] = a[j] | b[j];
    for (uint64_t i = 0; i < bits; i++) {
        uint64_t lt = 0 - (uint64_t)(ct_mask_lt_u32((uint32_t)i, (uint32_t)s) & 1); /* i < s */
        uint64_t carry = 0;
        for (size_t j = 0; j < n; j++) {
            uint64_t v = (g[j] << 1) | carry;
            carry = g[j] >> 63;
            g[j] = ct_select_u64(lt, v, g[j]);
        }
    }
}

/* q = x / m (xl limbs; q may be NULL) and r = x mod m (ml limbs), m > 0, by restoring
 * division one bit at a time; rem and sub hold ml + 1 limbs. */
static void divmod_ct(uint64_t *q, uint64_t *r, const uint64_t *x, size_t xl, const uint64_t *m,
                      size_t ml, uint64_t *rem, uint64_t *sub)
{
    for (size_t j = 0; j <= ml; j++)
        rem[j] = 0;
    if (q != NULL)
        for (size_t j = 0; j < xl; j++)
            q[j] = 0;
    for (size_t i = 64 * xl; i-- > 0;) {
        uint64_t carry = (x[i / 64] >> (i % 64)) & 1;
        for (size_t j = 0; j <= ml; j++) {
            uint64_t v = (rem[j] << 1) | carry;
            carry = rem[j] >> 63;
            rem[j] = v;
        }
        uint64_t borrow = 0;
        for (size_t j = 0; j <= ml; j++) {
            u128 dv = (u128)rem[j] - (j < ml ? m[j] : 0) - borrow;
            sub[j] = (uint64_t)dv;
            borrow = (uint64_t)(dv >> 127);
        }
        uint64_t ge = borrow - 1; /* all-ones if rem >= m */
        bn_select(rem, ge, sub, rem, ml + 1);
        if (q != NULL)
            q[i / 64] |= (ge & 1) << (i % 64);
    }
    for (size_t j = 0; j < ml; j++)
        r[j] = rem[j];
}

/* t^(e-2) mod e = t^-1 mod e for the prime e and t not divisible by it (Fermat). */
static uint64_t inv_mod_prime(uint64_t t, uint64_t e)
{
    uint64_t recip = UINT64_MAX / e, acc = 1; /* the exponent's bits are public */
    for (int i = 63; i >= 0; i--) {
        acc = mod_small(acc * acc, e, recip);
        if (((e - 2) >> i) & 1)
            acc = mod_small(acc * t, e, recip);
    }
    return acc;
}

/* d (nn limbs) = e^-1 mod lambda (lambda of nn limbs, e a prime below 2^32 not dividing
 * lambda), as (1 + k lambda) / e with k = -lambda^-1 mod e. The division is exact, so it runs
 * from the low limb up with e^-1 mod 2^64 (Jebelean's exact division). */
static void inverse_e(uint64_t *d, const uint64_t *lambda, size_t nn, uint64_t e, uint64_t *x)
{
    uint64_t t = bn_mod_small(lambda, nn, e, UINT64_MAX / e);
    uint64_t k = e - inv_mod_prime(t, e);
    uint64_t carry = 1;
    for (size_t i = 0; i < nn; i++) {
        u128 v = (u128)lambda[i] * k + carry;
        x[i] = (uint64_t)v;
        carry = (uint64_t)(v >> 64);
    }
    x[nn] = carry;
    uint64_t einv = e;
    for (int i = 0; i < 5; i++)
        einv *= 2 - e * einv;
    uint64_t pending = 0;
    for (size_t i = 0; i <= nn; i++) {
        uint64_t y = x[i] - pending;
        uint64_t borrow = (uint64_t)(((u128)x[i] - pending) >> 127);
        uint64_t qi = y * einv;
        if (i < nn)
            d[i] = qi;
        pending = (uint64_t)(((u128)qi * e) >> 64) + borrow;
    }
}

/* lambda = lcm(p - 1, q - 1) and d = e^-1 mod lambda from ws->pm1, ws->qm1 (pl limbs each). */
static void private_exponent(keygen_ws *ws, size_t pl, uint64_t e)
{
    size_t nn = 2 * pl;
    bn_mul(ws->phi, ws->pm1, pl, ws->qm1, pl);
    for (size_t j = 0; j < pl; j++) {
        ws->ga[j] = ws->pm1[j];
        ws->gb[j] = ws->qm1[j];
    }
    gcd_ct(ws->g, ws->ga, ws->gb, ws->t, pl);
    divmod_ct(ws->lambda, ws->ga, ws->phi, nn, ws->g, pl, ws->rem, ws->sub);
    inverse_e(ws->d, ws->lambda, nn, e, ws->rem);
}

static size_t limbs(size_t bytes)
{
    return (bytes + 7) / 8;
}

TENON_API int tenon_rsa_private_exponent(const tenon_rsa_private_key *key, uint8_t *d, size_t d_cap,
                                         size_t *d_len)
{
    ENSURE(key != NULL && d != NULL && d_len != NULL, TENON_ERR_INVALID_ARGUMENT);
    size_t k = key->pub.n_len, nn = limbs(k);
    ENSURE(k >= TENON_RSA_MIN_BITS / 8 && k <= TENON_RSA_MAX_LEN, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(d_cap >= k, TENON_ERR_BUFFER_TOO_SMALL);
    uint64_t e = 0;
    for (size_t i = 0; i < key->pub.e_len; i++)
        e = (e << 8) | key->pub.e[i];
    /* e is public: a plain trial division decides whether it is a prime below 2^32. */
    int prime = e >= 3 && e < ((uint64_t)1 << 32) && (e & 1);
    for (uint64_t f = 3; prime && f * f <= e; f += 2)
        if (e % f == 0)
            prime = 0;
    ENSURE(prime, TENON_ERR_UNSUPPORTED);
    /* p and q of up to 256 bytes each: the halves use nn limbs here so that unequal primes
     * fit. */
    size_t pl = limbs(key->p_len) > limbs(key->q_len) ? limbs(key->p_len) : limbs(key->q_len);
    ENSURE(2 * pl <= BN_MAX_LIMBS, TENON_ERR_INVALID_ARGUMENT);
    keygen_ws st, *ws = &st;
    memset(ws, 0, sizeof *ws);
    bn_from_be(ws->pm1, pl, key->p, key->p_len);
    bn_from_be(ws->qm1, pl, key->q, key->q_len);
    ws->pm1[0] &= ~(uint64_t)1;
    ws->qm1[0] &= ~(uint64_t)1;
    private_exponent(ws, pl, e);
    /* d < lambda < n, on k bytes: its leading zeros are kept, since their number would tell
     * something about d. */
    bn_to_be(d, k, ws->d, nn);
    *d_len = k;
    tenon_wipe(ws, sizeof *ws);
    return TENON_OK;
}

TENON_API int tenon_rsa_generate(tenon_rsa_private_key *key, size_t bits)
{
    ENSURE(key != NULL, TENON_ERR_INVALID_ARGUMENT);
    memset(key, 0, sizeof *key);
    ENSURE(bits >= TENON_RSA_MIN_BITS && bits <= TENON_RSA_MAX_BITS && bits % 128 == 0,
           TENON_ERR_KEY_SIZE);
    size_t pl = bits / 128, nn = 2 * pl, k = bits / 8, hk = k / 2;
    uint64_t e = TENON_RSA_KEYGEN_E;
    keygen_ws st, *ws = &st;
    memset(ws, 0, sizeof *ws);
    small_primes_init(&ws->sp);
    int rc;
    for (;;) {
        /* B.3.3: p, then q at distance from p. */
        rc = gen_prime(ws, pl, 0);
        if (rc != TENON_OK)
            break;
        memcpy(ws->p, ws->cand, pl * 8);
        rc = gen_prime(ws, pl, 1);
        if (rc != TENON_OK)
            break;
        memcpy(ws->q, ws->cand, pl * 8);
        memcpy(ws->pm1, ws->p, pl * 8);
        memcpy(ws->qm1, ws->q, pl * 8);
        ws->pm1[0] &= ~(uint64_t)1;
        ws->qm1[0] &= ~(uint64_t)1;
        private_exponent(ws, pl, e);
        /* FIPS 186-5 A.1.1: 2^(nlen/2) < d; d is odd, so it is enough that a limb
         * above the low pl is non-zero. Otherwise (probability near 2^-(nlen/2)) both primes are
         * drawn again. */
        uint64_t high = 0;
        for (size_t j = pl; j < nn; j++)
            high |= ws->d[j];
        if (ct_mask_nonzero_u64(high) & 1)
            break;
    }
    if (rc == TENON_OK) {
        /* dp = d mod (p - 1), dq = d mod (q - 1), qinv = q^-1 mod p (RFC 8017 §3.2). */
        divmod_ct(NULL, ws->dp, ws->d, nn, ws->pm1, pl, ws->rem, ws->sub);
        divmod_ct(NULL, ws->dq, ws->d, nn, ws->qm1, pl, ws->rem, ws->sub);
        bn_mont_init(&ws->ctx, ws->p, pl, NULL);
        bn_mont_to_wide(&ws->ctx, ws->t, ws->q, pl);
        bn_mont_from(&ws->ctx, ws->t, ws->t); /* q mod p */
        uint64_t ok = bn_mod_inv(&ws->ctx, ws->qinv, ws->t);
        bn_mul(ws->n, ws->p, pl, ws->q, pl);
        if (!(ok & 1))
            rc = TENON_ERR_INTERNAL; /* p, q distinct primes: q is invertible mod p */
    }
    if (rc == TENON_OK) {
        static const uint8_t e_be[3] = {0x01, 0x00, 0x01};
        bn_to_be(ws->bytes[0], k, ws->n, nn);
        bn_to_be(ws->bytes[1], hk, ws->p, pl);
        bn_to_be(ws->bytes[2], hk, ws->q, pl);
        bn_to_be(ws->bytes[3], hk, ws->dp, pl);
        bn_to_be(ws->bytes[4], hk, ws->dq, pl);
        bn_to_be(ws->bytes[5], hk, ws->qinv, pl);
        /* The load checks n = p q, q qinv = 1 mod p and one private operation against e. */
        rc = tenon_rsa_private_key_load(key, ws->bytes[0], k, e_be, sizeof e_be, ws->bytes[1], hk,
                                        ws->bytes[2], hk, ws->bytes[3], hk, ws->bytes[4], hk,
                                        ws->bytes[5], hk);
        if (rc != TENON_OK)
            rc = TENON_ERR_INTERNAL;
    }
    tenon_wipe(ws, sizeof *ws);
    if (rc != TENON_OK)
        tenon_rsa_private_key_wipe(key);
    return rc;
}
