/*
 * ECDSA over P-256 / P-384 (FIPS 186-5 §6.4) with deterministic nonces (RFC 6979), optionally
 * hedged with fresh randomness (RFC 6979 §3.6), and the two signature encodings: DER
 * ECDSA-Sig-Value (RFC 3279 §2.2.3, X.690 DER) and raw r || s (IEEE P1363).
 */
#include "../common.h"
#include "ct.h"
#include "ec_internal.h"
#include "ecdsa_random.h"
#include "tenon/crypto.h"
#include "tenon/ec.h"

/* bits2int (RFC 6979 §2.3.2, FIPS 186-5 §6.4.1 step 4) for qlen = 8·len: the leftmost qlen bits
 * of the digest, as a len-byte big-endian integer (zero-padded on the left when the digest is
 * shorter). Not reduced. */
static void bits2int(uint8_t *out, size_t len, const uint8_t *digest, size_t digest_len)
{
    if (digest_len >= len) {
        memcpy(out, digest, len);
    } else {
        memset(out, 0, len - digest_len);
        memcpy(out + len - digest_len, digest, digest_len);
    }
}

/* HMAC_K(V || sep || x || h1 || extra) with sep absent when sep < 0 (RFC 6979 §3.2 d, e, f,
 * h.3), from a context already keyed with K (steps e and f share their K, so it is keyed once
 * for both). */
static void drbg_hmac(const tenon_hmac_ctx *keyed, const uint8_t *v, int sep, const uint8_t *x,
                      const uint8_t *h1, size_t len, const uint8_t *extra, size_t extra_len,
                      uint8_t *out)
{
    tenon_hmac_ctx ctx = *keyed;
    tenon_hmac_update(&ctx, v, keyed->inner.vtable->digest_len);
    if (sep >= 0) {
        uint8_t s = (uint8_t)sep;
        tenon_hmac_update(&ctx, &s, 1);
        if (x != NULL) {
            tenon_hmac_update(&ctx, x, len);
            tenon_hmac_update(&ctx, h1, len);
            if (extra_len != 0)
                tenon_hmac_update(&ctx, extra, extra_len);
        }
    }
    tenon_hmac_final(&ctx, out);
    tenon_hmac_wipe(&ctx);
}

/* V = HMAC_K(V) with a context already keyed with K (steps g and h.2): K is keyed once, not
 * for every V. */
static void drbg_next_v(const tenon_hmac_ctx *keyed, uint8_t *v, size_t hl)
{
    tenon_hmac_ctx ctx = *keyed;
    tenon_hmac_update(&ctx, v, hl);
    tenon_hmac_final(&ctx, v);
    tenon_hmac_wipe(&ctx);
}

/* RFC 6979 §3.2 step h.1-h.2: the next candidate T (len bytes from successive V). */
static void drbg_generate(const tenon_hmac_ctx *keyed, size_t hl, uint8_t *v, uint8_t *t,
                          size_t len)
{
    size_t have = 0;
    while (have < len) {
        drbg_next_v(keyed, v, hl);
        size_t n = len - have < hl ? len - have : hl;
        memcpy(t + have, v, n);
        have += n;
    }
}

/* Encodes a len-byte big-endian non-negative integer as a minimal DER INTEGER. */
static size_t der_integer(uint8_t *out, const uint8_t *v, size_t len)
{
    size_t i = 0;
    while (i + 1 < len && v[i] == 0)
        i++;
    size_t n = len - i, pad = (v[i] & 0x80) ? 1 : 0;
    out[0] = 0x02;
    out[1] = (uint8_t)(n + pad);
    out[2] = 0;
    memcpy(out + 2 + pad, v + i, n);
    return 2 + pad + n;
}

int ecdsa_sign_with_random(const tenon_ec_private_key *key, const tenon_hash_class *h,
                           const uint8_t *digest, size_t digest_len, tenon_ecdsa_format format,
                           const uint8_t *random, uint8_t *sig, size_t sig_cap, size_t *sig_len)
{
    ENSURE(key != NULL && h != NULL && sig != NULL && sig_len != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(digest != NULL && digest_len == h->digest_len, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(format == TENON_ECDSA_DER || format == TENON_ECDSA_RAW, TENON_ERR_INVALID_ARGUMENT);
    const ec_curve *c = ec_curve_get(key->curve);
    ENSURE(c != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(key->scalar_len == c->len, TENON_ERR_BAD_PRIVATE_KEY);
    uint32_t ok = c->scalar_in_range(key->scalar);
    /* Public: whether the stored key is valid at all, reported to the caller. */
    ct_declassify(&ok, sizeof ok);
    ENSURE(ok, TENON_ERR_BAD_PRIVATE_KEY);
    size_t len = c->len;
    /* (A DER signature's length is known once it is encoded: checked below.) */
    ENSURE(format == TENON_ECDSA_DER || sig_cap >= 2 * len, TENON_ERR_BUFFER_TOO_SMALL);

    /* RFC 6979 §3.6: the hedge, 32 fresh random bytes mixed into the DRBG's seed. The bytes
     * after them are the blinds of the two inversions (ec_internal.h): as secret and
     * unpredictable as the DRBG's output, and four HMAC calls cheaper. They serve one candidate
     * only; a retry (r or s = 0) takes its blinds from the DRBG (below). */
    const uint8_t *extra = random;
    size_t extra_len = random != NULL ? 32 : 0;
    int random_blinds = random != NULL;

    uint8_t e[TENON_EC_MAX_SCALAR_LEN], h1[TENON_EC_MAX_SCALAR_LEN];
    uint8_t v[TENON_HASH_MAX_LEN], k_drbg[TENON_HASH_MAX_LEN], t[TENON_EC_MAX_SCALAR_LEN];
    uint8_t r[TENON_EC_MAX_SCALAR_LEN], s[TENON_EC_MAX_SCALAR_LEN];
    uint8_t blind[2 * TENON_EC_MAX_SCALAR_LEN];
    size_t hl = h->digest_len;

    /* RFC 6979 §3.2 a-g. e = bits2int(H(m)); h1 = bits2octets(H(m)) = e mod n. */
    bits2int(e, len, digest, digest_len);
    c->scalar_reduce(h1, e);
    memset(v, 0x01, hl);
    memset(k_drbg, 0x00, hl);
    tenon_hmac_ctx keyed;
    tenon_hmac_init(&keyed, h, k_drbg, hl);
    drbg_hmac(&keyed, v, 0x00, key->scalar, h1, len, extra, extra_len, k_drbg); /* d */
    tenon_hmac_init(&keyed, h, k_drbg, hl);
    drbg_hmac(&keyed, v, -1, NULL, NULL, 0, NULL, 0, v);                        /* e */
    drbg_hmac(&keyed, v, 0x01, key->scalar, h1, len, extra, extra_len, k_drbg); /* f */
    tenon_hmac_init(&keyed, h, k_drbg, hl);
    drbg_next_v(&keyed, v, hl); /* g */

    for (;;) {
        /* Step h: k = bits2int(T) (qlen = 8·len, so the first len bytes), used if in
         * [1, n-1] and if it gives r != 0 and s != 0 (FIPS 186-5 §6.4.1 step 11); otherwise
         * the DRBG moves on (step h.3). Whether a candidate failed is public by design: the
         * next candidate is independent of it. */
        drbg_generate(&keyed, hl, v, t, len);
        ok = c->scalar_in_range(t);
        ct_declassify(&ok, sizeof ok); /* public by design: see above */
        if (ok) {
            /* The blinds for the inversions (ec_internal.h): the random ones drawn with the
             * hedge, else the DRBG's next output, as secret and as unpredictable as k.
             * Generated only for an accepted candidate, so the sequence of k is RFC 6979's
             * (unless r or s came out 0). */
            if (random_blinds)
                memcpy(blind, random + 32, 2 * len);
            else
                drbg_generate(&keyed, hl, v, blind, 2 * len);
            random_blinds = 0;
            ok = c->ecdsa_sign(r, s, key->scalar, t, e, blind);
            /* Public: r or s was zero (probability ~2^-256); the retry uses a fresh,
             * independent candidate. */
            ct_declassify(&ok, sizeof ok);
            if (ok)
                break;
        }
        drbg_hmac(&keyed, v, 0x00, NULL, NULL, 0, NULL, 0, k_drbg);
        tenon_hmac_init(&keyed, h, k_drbg, hl);
        drbg_next_v(&keyed, v, hl);
    }
    tenon_hmac_wipe(&keyed);
    tenon_wipe(t, sizeof t);
    tenon_wipe(blind, sizeof blind);
    tenon_wipe(v, sizeof v);
    tenon_wipe(k_drbg, sizeof k_drbg);

    /* r and s are the public output from here on (the DER encoder branches on their leading
     * bytes). */
    ct_declassify(r, len);
    ct_declassify(s, len);
    int rc = TENON_OK;
    if (format == TENON_ECDSA_RAW) {
        memcpy(sig, r, len);
        memcpy(sig + len, s, len);
        *sig_len = 2 * len;
    } else {
        uint8_t der[TENON_ECDSA_MAX_SIG_LEN];
        size_t n = 2;
        n += der_integer(der + n, r, len);
        n += der_integer(der + n, s, len);
        der[0] = 0x30;
        der[1] = (uint8_t)(n - 2);
        if (n > sig_cap) {
            rc = TENON_ERR_BUFFER_TOO_SMALL;
        } else {
            memcpy(sig, der, n);
            *sig_len = n;
        }
    }
    return rc;
}

TENON_API int tenon_ecdsa_sign(const tenon_ec_private_key *key, const tenon_hash_class *h,
                               const uint8_t *digest, size_t digest_len, tenon_ecdsa_format format,
                               int hedged, uint8_t *sig, size_t sig_cap, size_t *sig_len)
{
    ENSURE(key != NULL, TENON_ERR_INVALID_ARGUMENT);
    if (!hedged)
        return ecdsa_sign_with_random(key, h, digest, digest_len, format, NULL, sig, sig_cap,
                                      sig_len);
    ENSURE(key->scalar_len <= TENON_EC_MAX_SCALAR_LEN, TENON_ERR_BAD_PRIVATE_KEY);
    uint8_t rnd[ECDSA_RANDOM_LEN(TENON_EC_MAX_SCALAR_LEN)];
    size_t n = ECDSA_RANDOM_LEN(key->scalar_len);
    GUARD(tenon_random(rnd, n));
    int rc = ecdsa_sign_with_random(key, h, digest, digest_len, format, rnd, sig, sig_cap, sig_len);
    tenon_wipe(rnd, n);
    return rc;
}

/* Reads one DER INTEGER (X.690 §8.3, DER §10.1) at *p into a len-byte big-endian value.
 * Strict: short-form length (the values here are at most 49 bytes, so a long form would be
 * non-minimal), at least one content byte, no superfluous leading zero, not negative, and no
 * wider than len bytes. */
static int der_read_integer(const uint8_t **p, const uint8_t *end, uint8_t *out, size_t len)
{
    const uint8_t *q = *p;
    ENSURE(end - q >= 2 && q[0] == 0x02, TENON_ERR_MALFORMED);
    size_t n = q[1];
    q += 2;
    ENSURE(n < 0x80 && n >= 1 && (size_t)(end - q) >= n, TENON_ERR_MALFORMED);
    ENSURE((q[0] & 0x80) == 0, TENON_ERR_MALFORMED); /* negative */
    if (q[0] == 0x00 && n > 1) {
        ENSURE((q[1] & 0x80) != 0, TENON_ERR_MALFORMED); /* non-minimal */
        q++;
        n--;
    }
    ENSURE(n <= len, TENON_ERR_MALFORMED);
    memset(out, 0, len - n);
    memcpy(out + len - n, q, n);
    *p = q + n;
    return TENON_OK;
}

static int sig_decode(const ec_curve *c, tenon_ecdsa_format format, const uint8_t *sig,
                      size_t sig_len, uint8_t *r, uint8_t *s)
{
    size_t len = c->len;
    ENSURE(sig != NULL, TENON_ERR_MALFORMED);
    if (format == TENON_ECDSA_RAW) {
        ENSURE(sig_len == 2 * len, TENON_ERR_MALFORMED);
        memcpy(r, sig, len);
        memcpy(s, sig + len, len);
        return TENON_OK;
    }
    /* ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } — the SEQUENCE must span the
     * whole input (no trailing bytes) and its contents exactly the two INTEGERs. */
    ENSURE(sig_len >= 2 && sig[0] == 0x30, TENON_ERR_MALFORMED);
    ENSURE(sig[1] < 0x80 && (size_t)sig[1] == sig_len - 2, TENON_ERR_MALFORMED);
    const uint8_t *p = sig + 2, *end = sig + sig_len;
    GUARD(der_read_integer(&p, end, r, len));
    GUARD(der_read_integer(&p, end, s, len));
    ENSURE(p == end, TENON_ERR_MALFORMED);
    return TENON_OK;
}

TENON_API int tenon_ecdsa_verify(const tenon_ec_public_key *key, const uint8_t *digest,
                                 size_t digest_len, tenon_ecdsa_format format, const uint8_t *sig,
                                 size_t sig_len)
{
    ENSURE(key != NULL && (digest != NULL || digest_len == 0), TENON_ERR_INVALID_ARGUMENT);
    ENSURE(format == TENON_ECDSA_DER || format == TENON_ECDSA_RAW, TENON_ERR_INVALID_ARGUMENT);
    const ec_curve *c = ec_curve_get(key->curve);
    ENSURE(c != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(key->point_len == 1 + 2 * c->len && key->point[0] == 0x04, TENON_ERR_BAD_PUBLIC_KEY);
    ENSURE(c->point_valid(key->point + 1), TENON_ERR_BAD_PUBLIC_KEY);

    uint8_t r[TENON_EC_MAX_SCALAR_LEN], s[TENON_EC_MAX_SCALAR_LEN], e[TENON_EC_MAX_SCALAR_LEN];
    /* FIPS 186-5 §6.4.2 step 2: r and s in [1, n-1]. */
    ENSURE(sig_decode(c, format, sig, sig_len, r, s) == TENON_OK, TENON_ERR_BAD_SIGNATURE);
    ENSURE(c->scalar_in_range(r) && c->scalar_in_range(s), TENON_ERR_BAD_SIGNATURE);
    /* Step 3: e = bits2int(H(M)). */
    bits2int(e, c->len, digest, digest_len);
    ENSURE(c->ecdsa_verify(key->point + 1, e, r, s), TENON_ERR_BAD_SIGNATURE);
    return TENON_OK;
}
