/*
 * Our side of the key exchange (RFC 8446 §4.2.8, §7.4): the ephemeral keys a client offers and
 * keeps until the ServerHello, the server's encapsulation to the client's share, and the trace
 * of both. The groups themselves are crypto classes (tenon/kex.h): this file only decides where
 * their keys live and how long.
 */
#include "tls13.h"

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

int tls_kex_keygen(tls_conn *c, const tenon_kex_class *g, size_t slot, uint8_t *share)
{
    ENSURE(slot < TENON_MAX_KEY_SHARES && g->private_len <= TENON_KEX_MAX_PRIVATE_LEN,
           TENON_ERR_INTERNAL);
    uint8_t *priv = c->kex_priv[slot];
    if (c->test_kex_priv != NULL) {
        memcpy(priv, c->test_kex_priv, g->private_len);
        GUARD(g->public_from_private(priv, share));
    } else {
        GUARD(g->keygen(priv, share));
    }
    if (tls_trace_on(&c->trace)) {
        tenon_trace_value v[2] = {{"private", priv, g->private_len, 1},
                                  {"public", share, g->client_share_len, 0}};
        tls_trace_emit(&c->trace, TENON_TRACE_KEY_SHARE, 1, g->name, v, 2);
    }
    return TENON_OK;
}

int tls_kex_encapsulate(tls_conn *c, const tenon_kex_class *g, const uint8_t *client_share,
                        size_t client_share_len, uint8_t *server_share, uint8_t *shared)
{
    c->kex = g;
    if (c->test_kex_priv != NULL && g->dh) {
        /* RFC 8448 reproduction: the server's key pair is given. */
        uint8_t *priv = c->kex_priv[0];
        memcpy(priv, c->test_kex_priv, g->private_len);
        int rc = g->public_from_private(priv, server_share);
        if (rc == TENON_OK)
            rc = g->shared_secret(priv, client_share, client_share_len, shared);
        tenon_wipe(priv, TENON_KEX_MAX_PRIVATE_LEN);
        GUARD(rc);
    } else {
        GUARD(g->encapsulate(client_share, client_share_len, server_share, shared));
    }
    if (tls_trace_on(&c->trace)) {
        tenon_trace_value v = {"public", server_share, g->server_share_len, 0};
        tls_trace_emit(&c->trace, TENON_TRACE_KEY_SHARE, 1, g->name, &v, 1);
    }
    return TENON_OK;
}

int tls_kex_finish(tls_conn *c, size_t slot, const uint8_t *server_share, size_t server_share_len,
                   uint8_t *shared)
{
    ENSURE(slot < c->kex_offer_count, TENON_ERR_INTERNAL);
    const tenon_kex_class *g = c->kex_offer[slot];
    c->kex = g;
    return g->shared_secret(c->kex_priv[slot], server_share, server_share_len, shared);
}

void tls_kex_forget(tls_conn *c)
{
    tenon_wipe(c->kex_priv, sizeof c->kex_priv);
    c->kex_offer_count = 0;
}
