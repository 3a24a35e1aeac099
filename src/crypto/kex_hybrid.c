/*
 * The hybrid post-quantum key exchange groups of draft-ietf-tls-ecdhe-mlkem: ML-KEM (FIPS 203)
 * beside an elliptic-curve Diffie-Hellman group, composed into one kex class per TLS named
 * group, so that TLS sees a group like any other.
 *
 * Why it is built this way:
 * - The private key a client keeps is the 64-byte ML-KEM seed d || z and the ECDH private key,
 *   not the 2400- or 3168-byte decapsulation key: decaps_seed re-derives what it needs. A
 *   connection then holds at most 112 secret bytes per share; the price is a KeyGen_internal
 *   inside each decapsulation (and in public_from_private).
 * - Each half keeps its own checks: the ML-KEM encapsulation key its FIPS 203 §7.2 modulus
 *   check (in encaps), the ECDH share its point validation (in the ECDH class). The draft asks
 *   for exact lengths of the whole shares (a share of another length is illegal_parameter),
 *   which are checked here before the halves are split.
 * - The secret is the two secrets concatenated in the draft's order; a failure of either half
 *   clears the whole output.
 */
#include "../common.h"
#include "tenon/crypto.h"
#include "tenon/kem.h"
#include "tenon/kex.h"

_Static_assert(TENON_KEM_SEED_LEN + 48 <= TENON_KEX_MAX_PRIVATE_LEN, "hybrid private key");
_Static_assert(97 + TENON_MLKEM1024_EK_LEN <= TENON_KEX_MAX_SHARE_LEN, "hybrid client share");
_Static_assert(97 + TENON_MLKEM1024_CT_LEN <= TENON_KEX_MAX_SHARE_LEN, "hybrid server share");
_Static_assert(TENON_KEM_SS_LEN + 48 <= TENON_KEX_MAX_SHARED_LEN, "hybrid shared secret");

/* Where the ML-KEM part and the ECDH part of a concatenation start. */
typedef struct parts {
    size_t kem, ecdh;
} parts;

static parts split(const tenon_kex_hybrid *h, size_t kem_len, size_t ecdh_len)
{
    parts p;
    p.kem = h->kem_first ? 0 : ecdh_len;
    p.ecdh = h->kem_first ? kem_len : 0;
    return p;
}

static int hybrid_public(const tenon_kex_hybrid *h, const uint8_t *priv, uint8_t *share)
{
    ENSURE(priv != NULL && share != NULL, TENON_ERR_INVALID_ARGUMENT);
    parts at = split(h, h->kem->ek_len, h->ecdh->client_share_len);
    uint8_t dk[TENON_KEM_MAX_DK_LEN];
    int rc = h->kem->keygen_seed(priv, share + at.kem, dk);
    tenon_wipe(dk, sizeof dk);
    if (rc == TENON_OK)
        rc = h->ecdh->public_from_private(priv + TENON_KEM_SEED_LEN, share + at.ecdh);
    return rc;
}

static int hybrid_keygen(const tenon_kex_hybrid *h, uint8_t *priv, uint8_t *share)
{
    ENSURE(priv != NULL && share != NULL, TENON_ERR_INVALID_ARGUMENT);
    parts at = split(h, h->kem->ek_len, h->ecdh->client_share_len);
    int rc = tenon_random(priv, TENON_KEM_SEED_LEN);
    if (rc == TENON_OK)
        rc = h->ecdh->keygen(priv + TENON_KEM_SEED_LEN, share + at.ecdh);
    if (rc == TENON_OK) {
        uint8_t dk[TENON_KEM_MAX_DK_LEN];
        rc = h->kem->keygen_seed(priv, share + at.kem, dk);
        tenon_wipe(dk, sizeof dk);
    }
    if (rc != TENON_OK)
        tenon_wipe(priv, TENON_KEM_SEED_LEN + h->ecdh->private_len);
    return rc;
}

static int hybrid_encapsulate(const tenon_kex_hybrid *h, const uint8_t *client_share,
                              size_t client_share_len, uint8_t *server_share, uint8_t *shared)
{
    const tenon_kem_class *kem = h->kem;
    const tenon_kex_class *ecdh = h->ecdh;
    ENSURE(server_share != NULL && shared != NULL, TENON_ERR_INVALID_ARGUMENT);
    /* draft-ietf-tls-ecdhe-mlkem: the client share is exactly ek and the ECDH key. */
    ENSURE(client_share != NULL && client_share_len == kem->ek_len + ecdh->client_share_len,
           TENON_ERR_BAD_PUBLIC_KEY);
    parts in = split(h, kem->ek_len, ecdh->client_share_len);
    parts out = split(h, kem->ct_len, ecdh->server_share_len);
    parts ss = split(h, kem->ss_len, ecdh->shared_len);
    int rc =
        kem->encaps(client_share + in.kem, kem->ek_len, server_share + out.kem, shared + ss.kem);
    if (rc == TENON_OK)
        rc = ecdh->encapsulate(client_share + in.ecdh, ecdh->client_share_len,
                               server_share + out.ecdh, shared + ss.ecdh);
    if (rc != TENON_OK)
        tenon_wipe(shared, kem->ss_len + ecdh->shared_len);
    return rc;
}

static int hybrid_shared(const tenon_kex_hybrid *h, const uint8_t *priv,
                         const uint8_t *server_share, size_t server_share_len, uint8_t *shared)
{
    const tenon_kem_class *kem = h->kem;
    const tenon_kex_class *ecdh = h->ecdh;
    ENSURE(priv != NULL && shared != NULL, TENON_ERR_INVALID_ARGUMENT);
    /* draft-ietf-tls-ecdhe-mlkem: the server share is exactly ct and the ECDH key. */
    ENSURE(server_share != NULL && server_share_len == kem->ct_len + ecdh->server_share_len,
           TENON_ERR_BAD_PUBLIC_KEY);
    parts in = split(h, kem->ct_len, ecdh->server_share_len);
    parts ss = split(h, kem->ss_len, ecdh->shared_len);
    int rc = kem->decaps_seed(priv, server_share + in.kem, kem->ct_len, shared + ss.kem);
    if (rc == TENON_OK)
        rc = ecdh->shared_secret(priv + TENON_KEM_SEED_LEN, server_share + in.ecdh,
                                 ecdh->server_share_len, shared + ss.ecdh);
    if (rc != TENON_OK)
        tenon_wipe(shared, kem->ss_len + ecdh->shared_len);
    return rc;
}

/* One class per named group: the class's operations carry no context, so each group has its
 * four entry points bound to its composition. */
#define HYBRID_GROUP(id, H)                                                                        \
    static int id##_keygen(uint8_t *priv, uint8_t *share)                                          \
    {                                                                                              \
        return hybrid_keygen(&H, priv, share);                                                     \
    }                                                                                              \
    static int id##_public(const uint8_t *priv, uint8_t *share)                                    \
    {                                                                                              \
        return hybrid_public(&H, priv, share);                                                     \
    }                                                                                              \
    static int id##_encapsulate(const uint8_t *cs, size_t cs_len, uint8_t *ss_out,                 \
                                uint8_t *shared)                                                   \
    {                                                                                              \
        return hybrid_encapsulate(&H, cs, cs_len, ss_out, shared);                                 \
    }                                                                                              \
    static int id##_shared(const uint8_t *priv, const uint8_t *ss_in, size_t ss_len,               \
                           uint8_t *shared)                                                        \
    {                                                                                              \
        return hybrid_shared(&H, priv, ss_in, ss_len, shared);                                     \
    }

/* The draft's layouts: X25519MLKEM768 puts ML-KEM first, the NIST-curve groups the curve. */
static const tenon_kex_hybrid X25519_768 = {&tenon_kem_mlkem768, &tenon_kex_x25519, 1};
static const tenon_kex_hybrid P256_768 = {&tenon_kem_mlkem768, &tenon_kex_secp256r1, 0};
static const tenon_kex_hybrid P384_1024 = {&tenon_kem_mlkem1024, &tenon_kex_secp384r1, 0};

HYBRID_GROUP(x25519_768, X25519_768)
HYBRID_GROUP(p256_768, P256_768)
HYBRID_GROUP(p384_1024, P384_1024)

TENON_API const tenon_kex_class tenon_kex_x25519mlkem768 = {
    .name = "X25519MLKEM768",
    .tls_group = 0x11EC,
    .private_len = TENON_KEM_SEED_LEN + 32,
    .client_share_len = TENON_MLKEM768_EK_LEN + 32,
    .server_share_len = TENON_MLKEM768_CT_LEN + 32,
    .shared_len = TENON_KEM_SS_LEN + 32,
    .post_quantum = 1,
    .hybrid = &X25519_768,
    .keygen = x25519_768_keygen,
    .public_from_private = x25519_768_public,
    .encapsulate = x25519_768_encapsulate,
    .shared_secret = x25519_768_shared,
};

TENON_API const tenon_kex_class tenon_kex_secp256r1mlkem768 = {
    .name = "SecP256r1MLKEM768",
    .tls_group = 0x11EB,
    .private_len = TENON_KEM_SEED_LEN + 32,
    .client_share_len = 65 + TENON_MLKEM768_EK_LEN,
    .server_share_len = 65 + TENON_MLKEM768_CT_LEN,
    .shared_len = 32 + TENON_KEM_SS_LEN,
    .post_quantum = 1,
    .hybrid = &P256_768,
    .keygen = p256_768_keygen,
    .public_from_private = p256_768_public,
    .encapsulate = p256_768_encapsulate,
    .shared_secret = p256_768_shared,
};

TENON_API const tenon_kex_class tenon_kex_secp384r1mlkem1024 = {
    .name = "SecP384r1MLKEM1024",
    .tls_group = 0x11ED,
    .private_len = TENON_KEM_SEED_LEN + 48,
    .client_share_len = 97 + TENON_MLKEM1024_EK_LEN,
    .server_share_len = 97 + TENON_MLKEM1024_CT_LEN,
    .shared_len = 48 + TENON_KEM_SS_LEN,
    .post_quantum = 1,
    .hybrid = &P384_1024,
    .keygen = p384_1024_keygen,
    .public_from_private = p384_1024_public,
    .encapsulate = p384_1024_encapsulate,
    .shared_secret = p384_1024_shared,
};
