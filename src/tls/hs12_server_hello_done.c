/*
 * ServerHelloDone (RFC 5246 §7.4.5): struct { } ServerHelloDone; and the client's answer to
 * it, its second flight (§7.3): [Certificate], ClientKeyExchange, [CertificateVerify],
 * change_cipher_spec, Finished.
 */
#include "tls13.h"

int hs12_server_hello_done_send(tls_conn *c)
{
    writer w;
    wr_vec body;
    GUARD(tls_hs_begin(c, HS_SERVER_HELLO_DONE, &w, &body));
    GUARD(tls_hs_finish(&w, &body));
    return tls_hs_commit(c, &w, NULL);
}

int hs12_server_hello_done_recv(tls_conn *c, const uint8_t *msg, size_t len)
{
    ENSURE(len == 4, TENON_ERR_TLS_DECODE);
    tls_transcript_update(&c->hs->tx, msg, len);
    /* What the server stapled is all in (stapling.c): the application's say, before our key
     * exchange goes to the server's key. */
    GUARD(tls_check_peer_status(c));
    return hs12_client_flight(c);
}

/* ClientKeyExchange (RFC 5246 §7.4.7): the ECDHE public key (RFC 8422 §5.7) or the
 * pre-master secret encrypted to the server's RSA key (§7.4.7.1). */
static int client_key_exchange_send(tls_conn *c)
{
    writer w;
    wr_vec body;
    GUARD(tls_hs_begin(c, HS_CLIENT_KEY_EXCHANGE, &w, &body));
    if (c->suite12->kx == TLS12_KX_RSA) {
        ENSURE(c->hs->peer_key.type == TENON_KEY_RSA, TENON_ERR_INTERNAL);
        /* §7.4.7.1: client_version is "the latest (newest) version supported by the
         * client", the ClientHello's: 0x0303. */
        GUARD(tls12_cke_write_rsa(&w, &c->hs->peer_key.u.rsa, TENON_TLS12, c->hs->psk));
        c->hs->psk_len = TLS12_PREMASTER_LEN;
        tls_trace_secret(c, TENON_TRACE_SHARED_SECRET, "pre-master secret (RSA)", c->hs->psk,
                         c->hs->psk_len);
    } else {
        GUARD(tls12_cke_write_ecdhe(&w, c->hs->kex_pub12, c->kex->client_share_len));
    }
    GUARD(tls_hs_finish(&w, &body));
    return tls_hs_commit(c, &w, NULL);
}

/* CertificateVerify (§7.4.8): digitally-signed struct { opaque handshake_messages[...]; },
 * the handshake messages so far under the scheme's hash, which the transcript kept running
 * beside the PRF's (hs12_certificate_request_recv). */
static int certificate_verify_send(tls_conn *c)
{
    writer w;
    wr_vec body;
    uint8_t digest[TENON_HASH_MAX_LEN];
    GUARD(tls_transcript_hash_with(&c->hs->tx, tls12_sig_hash(c->hs->our_sig_scheme), NULL, 0,
                                   digest));
    GUARD(tls_hs_begin(c, HS_CERTIFICATE_VERIFY, &w, &body));
    GUARD(tls12_write_signed(c, &w, digest, NULL, 0));
    GUARD(tls_hs_finish(&w, &body));
    return tls_hs_commit(c, &w, NULL);
}

int hs12_client_flight(tls_conn *c)
{
    if (c->cert_requested)
        GUARD(hs12_certificate_send(c));
    GUARD(client_key_exchange_send(c));
    /* RFC 7627 §3: the session hash covers the messages up to and including this one. */
    int rc = tls12_derive_master(c, c->hs->psk, c->hs->psk_len);
    tenon_wipe(c->hs->psk, sizeof c->hs->psk);
    GUARD(rc);
    if (c->cert_requested && c->cert != NULL)
        GUARD(certificate_verify_send(c));
    tls_transcript_keep_only(&c->hs->tx, NULL);
    GUARD(tls12_install_keys(c));
    GUARD(hs12_change_cipher_spec_send(c));
    GUARD(hs12_finished_send(c));
    c->state = c->ticket12_ok ? ST_C12_WAIT_NST : ST_C12_WAIT_CCS;
    return TENON_OK;
}
