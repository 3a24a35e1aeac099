/*
 * ServerKeyExchange for ECDHE (RFC 8422 §5.4, RFC 5246 §7.4.3), both sides: the server's
 * ephemeral public key, signed with its certificate's key over both randoms and the params.
 * The message's structure is in hs12_key_exchange.c.
 */
#include "tls13.h"

#include "fuzzing.h"

int hs12_server_key_exchange_send(tls_conn *c)
{
    writer w;
    wr_vec body;
    GUARD(tls_hs_begin(c, HS_SERVER_KEY_EXCHANGE, &w, &body));
    /* Our key pair: the private key stays for the ClientKeyExchange (slot 0). */
    uint8_t pub[TLS_DH_MAX_SHARE];
    ENSURE(c->kex->dh && c->kex->client_share_len <= sizeof pub, TENON_ERR_INTERNAL);
    GUARD(tls_kex_keygen(c, c->kex, 0, pub));
    size_t params_at = w.len;
    GUARD(tls12_ske_write_params(&w, c->kex->tls_group, pub, c->kex->client_share_len));
    size_t params_len = w.len - params_at;
    const tenon_hash_class *h = tls12_sig_hash(c->hs->our_sig_scheme);
    uint8_t content[TLS12_SKE_SIGNED_MAX], digest[64];
    size_t content_len;
    GUARD(tls12_ske_content(c->hs->client_random, c->hs->server_random, w.buf + params_at,
                            params_len, content, &content_len));
    if (h != NULL) /* Ed25519 has no hash: it signs the content (RFC 8422 §5.4, RFC 8032) */
        tenon_hash(h, content, content_len, digest);
    GUARD(tls12_write_signed(c, &w, h != NULL ? digest : NULL, content, content_len));
    GUARD(tls_hs_finish(&w, &body));
    return tls_hs_commit(c, &w, NULL);
}

/* STYLE.md 9: the one function that sets signature_verified on a TLS 1.2 client. */
int tls12_proof_server_key_exchange(tls_conn *c, const tls12_ske_view *v)
{
    ENSURE(tls12_scheme_known(v->sig_scheme), TENON_ERR_TLS_ILLEGAL_PARAMETER);
    const tenon_hash_class *h = tls12_sig_hash(v->sig_scheme);
    uint8_t content[TLS12_SKE_SIGNED_MAX], digest[64];
    size_t content_len;
    GUARD(tls12_ske_content(c->hs->client_random, c->hs->server_random, v->params, v->params_len,
                            content, &content_len));
    if (h != NULL)
        tenon_hash(h, content, content_len, digest);
    int rc = tls12_verify(v->sig_scheme, &c->hs->peer_key, h != NULL ? digest : NULL, content,
                          content_len, v->sig.p, v->sig.len);
#ifdef TENON_FUZZING
    rc = fuzzing_signature_result(rc);
#endif
    GUARD(rc);
    c->signature_verified = 1;
    c->peer_sig_scheme = v->sig_scheme;
    tls_trace_emit(&c->trace, TENON_TRACE_VERIFIED, 0, "ServerKeyExchange signature", NULL, 0);
    return TENON_OK;
}

int hs12_server_key_exchange_recv(tls_conn *c, const uint8_t *msg, size_t len)
{
    tls12_ske_view v;
    GUARD(tls12_ske_parse(msg + 4, len - 4, &v));
    /* RFC 8422 §5.4: the curve must be one the client offered. */
    const tenon_kex_class *group = NULL;
    for (size_t i = 0; i < c->cfg->group_count; i++)
        if (c->cfg->groups[i]->tls_group == v.group &&
            tls_group_usable(c->cfg, c->cfg->groups[i], TENON_TLS12))
            group = c->cfg->groups[i];
    ENSURE(group != NULL && group->client_share_len <= TLS_DH_MAX_SHARE,
           TENON_ERR_TLS_ILLEGAL_PARAMETER);
    /* RFC 5246 §7.4.1.4.1: the signature algorithm must be one we offered and fit the
     * certificate's key. */
    int offered = 0;
    for (size_t i = 0; i < c->cfg->sig_scheme_count; i++)
        offered |= c->cfg->sig_schemes[i] == v.sig_scheme;
    ENSURE(offered && tls12_scheme_fits_key(v.sig_scheme, c->hs->peer_key.type),
           TENON_ERR_TLS_ILLEGAL_PARAMETER);
    GUARD(tls12_proof_server_key_exchange(c, &v));
    /* Our key pair and the shared secret, the pre-master secret (RFC 8422 §5.10), now: the
     * message is gone once this returns. */
    c->kex = group;
    uint8_t shared[TENON_KEX_MAX_SHARED_LEN], pub[TLS_DH_MAX_SHARE];
    int rc = tls_kex_keygen_shared(c, group, 0, v.point.p, v.point.len, pub, shared);
    if (rc != TENON_OK && rc != TENON_ERR_BAD_PUBLIC_KEY) {
        tls_kex_forget(c);
        return rc; /* our share may not have been written */
    }
    tls_kex_forget(c);
    /* Our public key waits for the ClientKeyExchange, where the private key was. */
    memcpy(c->hs->kex_pub12, pub, group->client_share_len);
    if (rc == TENON_OK) {
        tls_trace_secret(c, TENON_TRACE_SHARED_SECRET, group->name, shared, group->shared_len);
        memcpy(c->hs->psk, shared, group->shared_len);
        c->hs->psk_len = group->shared_len;
    }
    tenon_wipe(shared, sizeof shared);
    GUARD(rc);
    tls_transcript_update(&c->hs->tx, msg, len);
    c->state = ST_C12_WAIT_CR_SHD;
    return TENON_OK;
}
