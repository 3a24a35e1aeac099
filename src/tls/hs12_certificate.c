/*
 * Certificate for TLS 1.2 (RFC 5246 §7.4.2, §7.4.6), both sides:
 *   opaque ASN.1Cert<1..2^24-1>;
 *   struct { ASN.1Cert certificate_list<0..2^24-1>; } Certificate;
 * The chain is checked by tls_proof_cert_chain, as in TLS 1.3.
 */
#include "tls13.h"

int hs12_certificate_send(tls_conn *c)
{
    writer w;
    wr_vec body, list, entry;
    GUARD(tls_hs_begin(c, HS_CERTIFICATE, &w, &body));
    GUARD(wr_open_vec(&w, 3, &list));
    if (c->cert != NULL)
        for (size_t i = 0; i < c->cert->chain_count; i++) {
            GUARD(wr_open_vec(&w, 3, &entry));
            GUARD(wr_bytes(&w, c->cert->chain[i].ptr, c->cert->chain[i].len));
            GUARD(wr_close_vec(&w, &entry));
        }
    GUARD(wr_close_vec(&w, &list));
    GUARD(tls_hs_finish(&w, &body));
    GUARD(tls_hs_commit(c, &w, NULL));
    if (c->is_client)
        c->client_cert_sent = c->cert != NULL;
    return TENON_OK;
}

static int certificate_parse(const uint8_t *msg, size_t len, tenon_bytes *chain, size_t *count)
{
    cursor c = cur_init(msg + 4, len - 4), list;
    GUARD(cur_vec(&c, 3, 0, 0xffffff, &list));
    GUARD(cur_finish(&c));
    *count = 0;
    while (cur_remaining(&list) > 0) {
        cursor data;
        GUARD(cur_vec(&list, 3, 1, 0xffffff, &data));
        ENSURE(*count < TENON_MAX_CHAIN, TENON_ERR_TLS_BAD_CERTIFICATE);
        chain[*count].ptr = data.p;
        chain[*count].len = data.len;
        (*count)++;
    }
    return TENON_OK;
}

int hs12_certificate_recv(tls_conn *c, const uint8_t *msg, size_t len)
{
    const uint8_t *kept;
    GUARD(certificate_parse(msg, len, c->peer->peer_chain, &c->peer->peer_chain_count));
    tls_transcript_update(&c->hs->tx, msg, len);
    if (c->peer->peer_chain_count == 0) {
        /* §7.4.2: the server's certificate_list is never empty for the suites tenon has. */
        ENSURE(!c->is_client, TENON_ERR_TLS_DECODE);
        /* §7.4.6: a client without a certificate sends an empty list; "If the client does not
         * send any certificates, the server MAY at its discretion either continue the
         * handshake without client authentication, or respond with a fatal handshake_failure
         * alert." */
        ENSURE(c->cfg->client_auth != TENON_CLIENT_AUTH_REQUIRE, TENON_ERR_TLS_NO_CLIENT_CERT);
        tls_transcript_keep_only(&c->hs->tx, NULL); /* no CertificateVerify will come */
        c->state = ST_S12_WAIT_CKE;
        return TENON_OK;
    }
    GUARD(tls_keep_peer_certificate(c, msg, len, &kept));
    GUARD(certificate_parse(kept, len, c->peer->peer_chain, &c->peer->peer_chain_count));
    c->peer_sent_cert = 1;
    GUARD(tls_proof_cert_chain(c));
    if (!c->is_client) {
        c->state = ST_S12_WAIT_CKE;
        return TENON_OK;
    }
    /* §7.4.2: the key must be the one the suite's key exchange uses (RSA for ECDHE_RSA and
     * RSA key transport, ECDSA or EdDSA for ECDHE_ECDSA, RFC 8422 §2). */
    if (!tls12_auth_takes_key(tls12_suite_key_type(c->suite12), c->hs->peer_key.type))
        return TENON_ERR_CERT_UNSUPPORTED_ALG;
    /* RFC 8422 §4: a server "MUST NOT negotiate the use of an ECC cipher suite unless [it] can
     * complete the handshake while respecting the choice of curves specified by the client";
     * in TLS 1.2 that list (our supported_groups, every configured group) binds the server's
     * ECDSA key too: another curve is an illegal parameter. */
    if (c->hs->peer_key.type == TENON_KEY_EC) {
        int listed = 0;
        for (size_t i = 0; i < c->cfg->group_count; i++)
            listed |= c->cfg->groups[i]->tls_group == (uint16_t)c->hs->peer_key.u.ec.curve;
        ENSURE(listed, TENON_ERR_TLS_ILLEGAL_PARAMETER);
    }
    /* RFC 6066 §8: after an acknowledged status_request, CertificateStatus may come next. */
    c->state = c->ocsp_acked ? ST_C12_WAIT_STATUS : tls12_state_after_certificate(c);
    return TENON_OK;
}
