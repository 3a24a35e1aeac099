/*
 * CertificateStatus for TLS 1.2 (RFC 6066 §8), server to client, right after Certificate:
 *   struct { CertificateStatusType status_type; select (status_type) {
 *       case ocsp: OCSPResponse; } response; } CertificateStatus;
 * sent only when the ServerHello acknowledged status_request, and even then optional: "a
 * server MAY also choose not to send a "CertificateStatus" message" (the engine moves past
 * ST_C12_WAIT_STATUS on any other message).
 */
#include "tls13.h"

int hs12_certificate_status_send(tls_conn *c)
{
    writer w;
    wr_vec body;
    ENSURE(c->cert != NULL, TENON_ERR_INTERNAL);
    GUARD(tls_hs_begin(c, HS_CERTIFICATE_STATUS, &w, &body));
    GUARD(tls_cert_status_write(&w, c->hs->our_ocsp.ptr, c->hs->our_ocsp.len));
    GUARD(tls_hs_finish(&w, &body));
    return tls_hs_commit(c, &w, NULL);
}

int hs12_certificate_status_recv(tls_conn *c, const uint8_t *msg, size_t len)
{
    cursor resp;
    GUARD(tls_cert_status_parse(cur_init(msg + 4, len - 4), &resp));
    tls_transcript_update(&c->hs->tx, msg, len);
    /* Kept with the chain (tenon_conn_info), since the message's bytes are not. */
    GUARD(tls_keep_peer_bytes(c, resp.p, resp.len, &c->peer->peer_ocsp));
    c->state = tls12_state_after_certificate(c);
    return TENON_OK;
}
