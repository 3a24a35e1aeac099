/*
 * ClientKeyExchange, server side (RFC 5246 §7.4.7; the client's is in hs12_server_hello_done.c
 * with the rest of its flight): the pre-master secret, then the master secret and key block.
 */
#include "tls13.h"

int hs12_client_key_exchange_recv(tls_conn *c, const uint8_t *msg, size_t len)
{
    uint8_t pms[TLS12_PREMASTER_LEN > TENON_KEX_MAX_SHARED_LEN ? TLS12_PREMASTER_LEN
                                                               : TENON_KEX_MAX_SHARED_LEN];
    size_t pms_len;
    if (c->suite12->kx == TLS12_KX_RSA) {
        cursor enc;
        GUARD(tls12_cke_parse_rsa(msg + 4, len - 4, &enc));
        ENSURE(c->cert->key->type == TENON_KEY_RSA, TENON_ERR_INTERNAL);
        /* §7.4.7.1: every failure — padding, length, version — gives a random pre-master
         * secret, so the handshake fails at Finished (decrypt_error) and nothing earlier
         * tells the cases apart. The version checked is the ClientHello's. */
        GUARD(
            tls12_rsa_premaster(&c->cert->key->u.rsa, enc.p, enc.len, c->hs->client_version, pms));
        pms_len = TLS12_PREMASTER_LEN;
        tls_trace_secret(c, TENON_TRACE_SHARED_SECRET, "pre-master secret (RSA)", pms, pms_len);
    } else {
        cursor point;
        GUARD(tls12_cke_parse_ecdhe(msg + 4, len - 4, &point));
        int rc = c->kex->shared_secret(c->hs->kex_priv[0], point.p, point.len, pms);
        tls_kex_forget(c);
        /* RFC 8422 §5.11: a point not on the curve is illegal_parameter (the kex class
         * returns TENON_ERR_BAD_PUBLIC_KEY). */
        GUARD(rc);
        pms_len = c->kex->shared_len;
        tls_trace_secret(c, TENON_TRACE_SHARED_SECRET, c->kex->name, pms, pms_len);
    }
    tls_transcript_update(&c->hs->tx, msg, len);
    int rc = tls12_derive_master(c, pms, pms_len);
    tenon_wipe(pms, sizeof pms);
    GUARD(rc);
    GUARD(tls12_install_keys(c));
    c->state = c->peer_sent_cert ? ST_S12_WAIT_CV : ST_S12_WAIT_CCS;
    return TENON_OK;
}
