/*
 * P-256 / P-384 keys and ECDH (tenon/ec.h), and the secp256r1 / secp384r1 key exchange classes
 * (tenon/kex.h). Curve-independent: the arithmetic is behind the ec_curve descriptors.
 */
#include "../common.h"
#include "ct.h"
#include "ec_internal.h"
#include "tenon/crypto.h"
#include "tenon/ec.h"
#include "tenon/kex.h"

const ec_curve *ec_curve_get(tenon_ec_curve id)
{
    switch (id) {
    case TENON_EC_P256:
        return &ec_p256;
    case TENON_EC_P384:
        return &ec_p384;
    }
    return NULL;
}

TENON_API size_t tenon_ec_scalar_len(tenon_ec_curve curve)
{
    const ec_curve *c = ec_curve_get(curve);
    return c ? c->len : 0;
}

TENON_API size_t tenon_ec_point_len(tenon_ec_curve curve)
{
    const ec_curve *c = ec_curve_get(curve);
    return c ? 1 + 2 * c->len : 0;
}

/* A uniform scalar in [1, n-1] by rejection sampling (FIPS 186-5 §A.2.2, "rejection
 * sampling"): draw len random bytes, keep them if they are in range. A rejection happens with
 * probability below 2^-32 for P-256 and 2^-190 for P-384 and reveals only that a discarded
 * candidate was out of range. */
static int random_scalar(const ec_curve *c, uint8_t *k)
{
    for (;;) {
        GUARD(tenon_random(k, c->len));
        uint32_t ok = c->scalar_in_range(k);
        /* Public: only whether a discarded candidate was out of range (see above). */
        ct_declassify(&ok, sizeof ok);
        if (ok)
            return TENON_OK;
    }
}

/*
 * The blind for the final inversion of d·P or d·G (ec_internal.h, mul), for curves that take
 * one: SHA-256 of a label, d and P (if any), a PRF keyed by the secret d, so no attacker can
 * predict or influence it; the same d and P give the same blind and the same (identical)
 * computation, which leaks nothing new. NULL for the others.
 */
static const uint8_t *inv_blind(const ec_curve *c, const uint8_t *d, const uint8_t *xy,
                                uint8_t blind[32])
{
    static const char label[] = "tenon ec inversion blind";
    tenon_hash_ctx h;
    if (!c->blind_inv)
        return NULL;
    tenon_sha256.init(&h);
    tenon_sha256.update(&h, label, sizeof label);
    tenon_sha256.update(&h, d, c->len);
    if (xy != NULL)
        tenon_sha256.update(&h, xy, 2 * c->len);
    tenon_sha256.final(&h, blind);
    tenon_wipe(&h, sizeof h);
    return blind;
}

/* X || Y of d·G (SEC 1 §3.2.1 step 3) into key->pub. d is in range, so d·G is finite. */
static int compute_public(const ec_curve *c, tenon_ec_private_key *key)
{
    uint8_t xy[2 * TENON_EC_MAX_SCALAR_LEN], blind[32];
    uint32_t ok = c->mul_base(xy, key->scalar, inv_blind(c, key->scalar, NULL, blind));
    tenon_wipe(blind, sizeof blind);
    /* Public: d·G is finite for every d in range, so this is a constant 1 for a valid key. */
    ct_declassify(&ok, sizeof ok);
    key->pub.curve = c->id;
    key->pub.point_len = 1 + 2 * c->len;
    key->pub.point[0] = 0x04;
    memcpy(key->pub.point + 1, xy, 2 * c->len);
    ENSURE(ok, TENON_ERR_INTERNAL);
    return TENON_OK;
}

TENON_API int tenon_ec_keygen(tenon_ec_curve curve, tenon_ec_private_key *key)
{
    const ec_curve *c = ec_curve_get(curve);
    ENSURE(c != NULL && key != NULL, TENON_ERR_INVALID_ARGUMENT);
    memset(key, 0, sizeof *key);
    key->curve = curve;
    key->scalar_len = c->len;
    int rc = random_scalar(c, key->scalar);
    if (rc == TENON_OK)
        rc = compute_public(c, key);
    if (rc != TENON_OK)
        tenon_ec_private_key_wipe(key);
    return rc;
}

TENON_API int tenon_ec_private_key_load(tenon_ec_curve curve, tenon_ec_private_key *key,
                                        const uint8_t *scalar, size_t len)
{
    const ec_curve *c = ec_curve_get(curve);
    ENSURE(c != NULL && key != NULL && scalar != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(len == c->len, TENON_ERR_BAD_PRIVATE_KEY);
    uint32_t ok = c->scalar_in_range(scalar);
    /* Public: the verdict on a key being loaded, which the caller learns from the result. */
    ct_declassify(&ok, sizeof ok);
    ENSURE(ok, TENON_ERR_BAD_PRIVATE_KEY);
    memset(key, 0, sizeof *key);
    key->curve = curve;
    key->scalar_len = c->len;
    memcpy(key->scalar, scalar, len);
    int rc = compute_public(c, key);
    if (rc != TENON_OK)
        tenon_ec_private_key_wipe(key);
    return rc;
}

/* SEC 1 §2.3.4 and §3.2.2.1 (full public-key validation): exactly 0x04 || X || Y, both below
 * p, on the curve. The point at infinity (the one-byte 0x00 encoding) and compressed points
 * (0x02 / 0x03) are refused: TLS 1.3 (RFC 8446 §4.2.8.2) and RFC 8422 §5.1.2 as updated by
 * RFC 8446 allow the uncompressed form only. The curve order is prime (cofactor 1), so a point
 * on the curve other than infinity has order n and step 4 (n·Q = infinity) holds. */
static int point_check(const ec_curve *c, const uint8_t *point, size_t len)
{
    ENSURE(point != NULL && len == 1 + 2 * c->len, TENON_ERR_BAD_PUBLIC_KEY);
    ENSURE(point[0] == 0x04, TENON_ERR_BAD_PUBLIC_KEY);
    ENSURE(c->point_valid(point + 1), TENON_ERR_BAD_PUBLIC_KEY);
    return TENON_OK;
}

TENON_API int tenon_ec_public_key_load(tenon_ec_curve curve, tenon_ec_public_key *key,
                                       const uint8_t *point, size_t len)
{
    const ec_curve *c = ec_curve_get(curve);
    ENSURE(c != NULL && key != NULL, TENON_ERR_INVALID_ARGUMENT);
    GUARD(point_check(c, point, len));
    memset(key, 0, sizeof *key);
    key->curve = curve;
    key->point_len = len;
    memcpy(key->point, point, len);
    return TENON_OK;
}

/* The private scalar of a key struct, checked again: the struct is plain data the caller may
 * have filled in. */
static int private_check(const tenon_ec_private_key *key, const ec_curve **cp)
{
    ENSURE(key != NULL, TENON_ERR_INVALID_ARGUMENT);
    const ec_curve *c = ec_curve_get(key->curve);
    ENSURE(c != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(key->scalar_len == c->len, TENON_ERR_BAD_PRIVATE_KEY);
    uint32_t ok = c->scalar_in_range(key->scalar);
    /* Public: whether the stored key is valid at all, reported to the caller. */
    ct_declassify(&ok, sizeof ok);
    ENSURE(ok, TENON_ERR_BAD_PRIVATE_KEY);
    *cp = c;
    return TENON_OK;
}

/* SEC 1 §3.3.1: the shared secret is x(d·Q). With d in [1, n-1] and Q of order n the product
 * is never infinity; the check stays as a guard against misuse. */
static int ecdh(const ec_curve *c, const uint8_t *d, const uint8_t *peer_xy, uint8_t *shared)
{
    uint8_t xy[2 * TENON_EC_MAX_SCALAR_LEN], blind[32];
    uint32_t ok = c->mul(xy, d, peer_xy, inv_blind(c, d, peer_xy, blind));
    tenon_wipe(blind, sizeof blind);
    /* Public: d·Q is never infinity for d in range and a valid Q; the result is reported. */
    ct_declassify(&ok, sizeof ok);
    if (ok)
        memcpy(shared, xy, c->len);
    tenon_wipe(xy, sizeof xy);
    ENSURE(ok, TENON_ERR_BAD_PUBLIC_KEY);
    return TENON_OK;
}

TENON_API int tenon_ecdh(const tenon_ec_private_key *key, const tenon_ec_public_key *peer,
                         uint8_t *shared)
{
    const ec_curve *c;
    GUARD(private_check(key, &c));
    ENSURE(peer != NULL && shared != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(peer->curve == key->curve, TENON_ERR_BAD_PUBLIC_KEY);
    GUARD(point_check(c, peer->point, peer->point_len));
    return ecdh(c, key->scalar, peer->point + 1, shared);
}

TENON_API void tenon_ec_private_key_wipe(tenon_ec_private_key *key)
{
    if (key != NULL)
        tenon_wipe(key, sizeof *key);
}

/* The kex classes: raw big-endian scalar in, uncompressed point out (RFC 8446 §4.2.8.2). */

static int kex_keygen(tenon_ec_curve curve, uint8_t *private_key, uint8_t *public_key)
{
    tenon_ec_private_key key;
    ENSURE(private_key != NULL && public_key != NULL, TENON_ERR_INVALID_ARGUMENT);
    GUARD(tenon_ec_keygen(curve, &key));
    memcpy(private_key, key.scalar, key.scalar_len);
    memcpy(public_key, key.pub.point, key.pub.point_len);
    tenon_ec_private_key_wipe(&key);
    return TENON_OK;
}

static int kex_public(tenon_ec_curve curve, const uint8_t *private_key, uint8_t *public_key)
{
    tenon_ec_private_key key;
    const ec_curve *c = ec_curve_get(curve);
    ENSURE(private_key != NULL && public_key != NULL, TENON_ERR_INVALID_ARGUMENT);
    GUARD(tenon_ec_private_key_load(curve, &key, private_key, c->len));
    memcpy(public_key, key.pub.point, key.pub.point_len);
    tenon_ec_private_key_wipe(&key);
    return TENON_OK;
}

static int kex_shared(tenon_ec_curve curve, const uint8_t *private_key, const uint8_t *peer,
                      size_t peer_len, uint8_t *shared)
{
    const ec_curve *c = ec_curve_get(curve);
    ENSURE(private_key != NULL && shared != NULL, TENON_ERR_INVALID_ARGUMENT);
    uint32_t ok = c->scalar_in_range(private_key);
    /* Public: whether the private key is valid at all, reported to the caller. */
    ct_declassify(&ok, sizeof ok);
    ENSURE(ok, TENON_ERR_BAD_PRIVATE_KEY);
    GUARD(point_check(c, peer, peer_len));
    return ecdh(c, private_key, peer + 1, shared);
}

/* The server's side: a key pair of its own and the secret with the client's point; the
 * private key lives only here. */
static int kex_encapsulate(tenon_ec_curve curve, const uint8_t *client_share,
                           size_t client_share_len, uint8_t *server_share, uint8_t *shared)
{
    uint8_t priv[TENON_EC_MAX_SCALAR_LEN];
    int rc = kex_keygen(curve, priv, server_share);
    if (rc == TENON_OK)
        rc = kex_shared(curve, priv, client_share, client_share_len, shared);
    tenon_wipe(priv, sizeof priv);
    return rc;
}

static int p256_kex_encapsulate(const uint8_t *share, size_t share_len, uint8_t *server_share,
                                uint8_t *shared)
{
    return kex_encapsulate(TENON_EC_P256, share, share_len, server_share, shared);
}

static int p256_kex_keygen(uint8_t *private_key, uint8_t *public_key)
{
    return kex_keygen(TENON_EC_P256, private_key, public_key);
}

static int p256_kex_public(const uint8_t *private_key, uint8_t *public_key)
{
    return kex_public(TENON_EC_P256, private_key, public_key);
}

static int p256_kex_shared(const uint8_t *private_key, const uint8_t *peer, size_t peer_len,
                           uint8_t *shared)
{
    return kex_shared(TENON_EC_P256, private_key, peer, peer_len, shared);
}

static int p384_kex_encapsulate(const uint8_t *share, size_t share_len, uint8_t *server_share,
                                uint8_t *shared)
{
    return kex_encapsulate(TENON_EC_P384, share, share_len, server_share, shared);
}

static int p384_kex_keygen(uint8_t *private_key, uint8_t *public_key)
{
    return kex_keygen(TENON_EC_P384, private_key, public_key);
}

static int p384_kex_public(const uint8_t *private_key, uint8_t *public_key)
{
    return kex_public(TENON_EC_P384, private_key, public_key);
}

static int p384_kex_shared(const uint8_t *private_key, const uint8_t *peer, size_t peer_len,
                           uint8_t *shared)
{
    return kex_shared(TENON_EC_P384, private_key, peer, peer_len, shared);
}

TENON_API const tenon_kex_class tenon_kex_secp256r1 = {
    .name = "secp256r1",
    .tls_group = 23,
    .private_len = 32,
    .client_share_len = 65,
    .server_share_len = 65,
    .shared_len = 32,
    .dh = 1,
    .keygen = p256_kex_keygen,
    .public_from_private = p256_kex_public,
    .encapsulate = p256_kex_encapsulate,
    .shared_secret = p256_kex_shared,
};

TENON_API const tenon_kex_class tenon_kex_secp384r1 = {
    .name = "secp384r1",
    .tls_group = 24,
    .private_len = 48,
    .client_share_len = 97,
    .server_share_len = 97,
    .shared_len = 48,
    .dh = 1,
    .keygen = p384_kex_keygen,
    .public_from_private = p384_kex_public,
    .encapsulate = p384_kex_encapsulate,
    .shared_secret = p384_kex_shared,
};
