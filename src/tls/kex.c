/*
 * Our side of the key exchange (RFC 8446 §4.2.8, §7.4): the ephemeral keys a client offers and
 * keeps until the ServerHello, the server's encapsulation to the client's share, and the trace
 * of both. The groups themselves are crypto classes (tenon/kex.h): this file only decides where
 * their keys live and how long.
 */
#include "tls13.h"

#include "tenon/kem.h"

/* The trace shows a hybrid group's halves beside the whole (tenon_kex_hybrid's layout): the
 * ML-KEM part of p (kem_len bytes) and the ECDH part (ecdh_len bytes), into v[0] and v[1]. */
static void hybrid_parts(const tenon_kex_hybrid *h, const uint8_t *p, size_t kem_len,
                         size_t ecdh_len, const char *kem_name, const char *ecdh_name, int secret,
                         tenon_trace_value v[2])
{
    size_t kem_at = h->kem_first ? 0 : ecdh_len, ecdh_at = h->kem_first ? kem_len : 0;
    v[0] = (tenon_trace_value){kem_name, p + kem_at, kem_len, secret};
    v[1] = (tenon_trace_value){ecdh_name, p + ecdh_at, ecdh_len, secret};
}

int tls_group_usable(const tenon_config *cfg, const tenon_kex_class *g, uint16_t version)
{
    if (g == NULL)
        return 0;
    if (cfg->require_post_quantum && !g->post_quantum)
        return 0;
    /* TLS 1.2 ECDHE (RFC 8422 §5.4): the server's key comes first, so only a group whose two
     * sides are alike can serve. */
    return version == TENON_TLS13 || g->dh;
}

/* A fresh key pair of group g: private_len bytes from the handshake's random pool (tls_random)
 * made a key by public_from_private. Where not every string is a private key (a P-256 scalar
 * must be below the order: a random one fails with probability about 2^-32), the group's own
 * keygen draws one instead. */
static int pooled_keygen(tls_conn *c, const tenon_kex_class *g, uint8_t *priv, uint8_t *share)
{
    if (g->public_from_private == NULL)
        return g->keygen(priv, share);
    GUARD(tls_random(c, priv, g->private_len));
    if (g->public_from_private(priv, share) == TENON_OK)
        return TENON_OK;
    tenon_wipe(priv, g->private_len);
    return g->keygen(priv, share);
}

/* The trace of our new key pair: the private key, the share, and a hybrid's halves. */
static void trace_keygen(tls_conn *c, const tenon_kex_class *g, const uint8_t *priv,
                         const uint8_t *share)
{
    if (tls_trace_on(&c->trace)) {
        tenon_trace_value v[6] = {{"private", priv, g->private_len, 1},
                                  {"public", share, g->client_share_len, 0}};
        size_t n = 2;
        const tenon_kex_hybrid *h = g->hybrid;
        if (h != NULL) {
            /* The private key is the ML-KEM seed, then the ECDH key (tenon/kex.h). */
            v[n++] = (tenon_trace_value){"ML-KEM seed", priv, TENON_KEM_SEED_LEN, 1};
            v[n++] = (tenon_trace_value){"ECDH private", priv + TENON_KEM_SEED_LEN,
                                         h->ecdh->private_len, 1};
            hybrid_parts(h, share, h->kem->ek_len, h->ecdh->client_share_len,
                         "ML-KEM encapsulation key", "ECDH public", 0, v + n);
            n += 2;
        }
        tls_trace_emit(&c->trace, TENON_TRACE_KEY_SHARE, 1, g->name, v, n);
    }
}

int tls_kex_keygen(tls_conn *c, const tenon_kex_class *g, size_t slot, uint8_t *share)
{
    ENSURE(slot < TENON_MAX_KEY_SHARES && g->private_len <= TENON_KEX_MAX_PRIVATE_LEN,
           TENON_ERR_INTERNAL);
    uint8_t *priv = c->hs->kex_priv[slot];
    if (c->hs->test_kex_priv != NULL) {
        memcpy(priv, c->hs->test_kex_priv, g->private_len);
        GUARD(g->public_from_private(priv, share));
    } else {
        GUARD(pooled_keygen(c, g, priv, share));
    }
    trace_keygen(c, g, priv, share);
    return TENON_OK;
}

int tls_kex_keygen_shared(tls_conn *c, const tenon_kex_class *g, size_t slot, const uint8_t *peer,
                          size_t peer_len, uint8_t *share, uint8_t *shared)
{
    /* A peer key of the wrong length takes the separate path, which writes our share first. */
    if (g->keypair_and_shared == NULL || peer_len != g->client_share_len) {
        GUARD(tls_kex_keygen(c, g, slot, share));
        return g->shared_secret(c->hs->kex_priv[slot], peer, peer_len, shared);
    }
    ENSURE(slot < TENON_MAX_KEY_SHARES && g->private_len <= TENON_KEX_MAX_PRIVATE_LEN,
           TENON_ERR_INTERNAL);
    /* keypair_and_shared is only offered where every private_len-byte string is a private key
     * (tenon/kex.h), so the pool's bytes need no check. */
    uint8_t *priv = c->hs->kex_priv[slot];
    if (c->hs->test_kex_priv != NULL)
        memcpy(priv, c->hs->test_kex_priv, g->private_len);
    else
        GUARD(tls_random(c, priv, g->private_len));
    int rc = g->keypair_and_shared(priv, peer, peer_len, share, shared);
    if (rc == TENON_OK || rc == TENON_ERR_BAD_PUBLIC_KEY) /* our share is written */
        trace_keygen(c, g, priv, share);
    return rc;
}

/* Our public key of a given private key and the secret with the peer's: together where the
 * group can (keypair_and_shared), else one after the other. */
static int dh_pair(const tenon_kex_class *g, const uint8_t *priv, const uint8_t *peer,
                   size_t peer_len, uint8_t *pub, uint8_t *shared)
{
    if (g->keypair_and_shared != NULL)
        return g->keypair_and_shared(priv, peer, peer_len, pub, shared);
    int rc = g->public_from_private(priv, pub);
    if (rc == TENON_OK)
        rc = g->shared_secret(priv, peer, peer_len, shared);
    return rc;
}

int tls_kex_encapsulate(tls_conn *c, const tenon_kex_class *g, const uint8_t *client_share,
                        size_t client_share_len, uint8_t *server_share, uint8_t *shared)
{
    c->kex = g;
    if (c->hs->test_kex_priv != NULL && g->dh) {
        /* RFC 8448 reproduction: the server's key pair is given. */
        uint8_t *priv = c->hs->kex_priv[0];
        memcpy(priv, c->hs->test_kex_priv, g->private_len);
        int rc = dh_pair(g, priv, client_share, client_share_len, server_share, shared);
        tenon_wipe(priv, TENON_KEX_MAX_PRIVATE_LEN);
        GUARD(rc);
    } else if (g->dh && g->keypair_and_shared != NULL) {
        /* A group whose every private_len-byte string is a private key (x25519, RFC 7748
         * §6.1), so no draw is refused: the key from the handshake's random pool, the public
         * key and the secret computed together. */
        uint8_t *priv = c->hs->kex_priv[0];
        int rc = tls_random(c, priv, g->private_len);
        if (rc == TENON_OK)
            rc = g->keypair_and_shared(priv, client_share, client_share_len, server_share, shared);
        tenon_wipe(priv, TENON_KEX_MAX_PRIVATE_LEN);
        GUARD(rc);
    } else if (g->dh && g->public_from_private != NULL) {
        /* A Diffie-Hellman group's encapsulation is a fresh key pair and the shared secret;
         * done here so that the key comes from the handshake's random pool. */
        uint8_t *priv = c->hs->kex_priv[0];
        int rc = pooled_keygen(c, g, priv, server_share);
        if (rc == TENON_OK)
            rc = g->shared_secret(priv, client_share, client_share_len, shared);
        tenon_wipe(priv, TENON_KEX_MAX_PRIVATE_LEN);
        GUARD(rc);
    } else {
        GUARD(g->encapsulate(client_share, client_share_len, server_share, shared));
    }
    if (tls_trace_on(&c->trace)) {
        tenon_trace_value v[3] = {{"public", server_share, g->server_share_len, 0}};
        size_t n = 1;
        const tenon_kex_hybrid *h = g->hybrid;
        if (h != NULL) {
            hybrid_parts(h, server_share, h->kem->ct_len, h->ecdh->server_share_len,
                         "ML-KEM ciphertext", "ECDH public", 0, v + n);
            n += 2;
        }
        tls_trace_emit(&c->trace, TENON_TRACE_KEY_SHARE, 1, g->name, v, n);
    }
    return TENON_OK;
}

int tls_kex_finish(tls_conn *c, size_t slot, const uint8_t *server_share, size_t server_share_len,
                   uint8_t *shared)
{
    ENSURE(slot < c->hs->kex_offer_count, TENON_ERR_INTERNAL);
    const tenon_kex_class *g = c->hs->kex_offer[slot];
    c->kex = g;
    return g->shared_secret(c->hs->kex_priv[slot], server_share, server_share_len, shared);
}

void tls_kex_forget(tls_conn *c)
{
    tenon_wipe(c->hs->kex_priv, sizeof c->hs->kex_priv);
    c->hs->kex_offer_count = 0;
}

void tls_kex_trace_secret(tls_conn *c, const uint8_t *shared, size_t len)
{
    if (!tls_trace_on(&c->trace))
        return;
    const tenon_kex_class *g = c->kex;
    tenon_trace_value v[3] = {{"value", shared, len, 1}};
    size_t n = 1;
    if (g->hybrid != NULL && len == g->shared_len) {
        /* RFC 8446 §7.1's (EC)DHE input is the concatenation (draft-ietf-tls-ecdhe-mlkem):
         * both halves are shown, and "value" is what HKDF-Extract takes. */
        hybrid_parts(g->hybrid, shared, g->hybrid->kem->ss_len, g->hybrid->ecdh->shared_len,
                     "ML-KEM shared secret", "ECDH shared secret", 1, v + n);
        n += 2;
    }
    tls_trace_emit(&c->trace, TENON_TRACE_SHARED_SECRET, 1, g->name, v, n);
}
