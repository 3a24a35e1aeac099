/*
 * The shape of the TLS 1.3 handshake (RFC 8446 §2, figure 1) on both sides: which secrets are
 * derived when, which keys protect which flight, and the order of the messages of each flight.
 * The messages themselves live in hs_*.c.
 */
#include "tls13.h"

/*
 * RFC 8446 §7.1:
 *   early_secret = HKDF-Extract(0, PSK)  (0 when no PSK is in use)
 *   handshake_secret = HKDF-Extract(Derive-Secret(early_secret, "derived", ""), (EC)DHE)
 *   client_handshake_traffic_secret = Derive-Secret(., "c hs traffic", ClientHello...ServerHello)
 *   server_handshake_traffic_secret = Derive-Secret(., "s hs traffic", ClientHello...ServerHello)
 */
int hs_derive_handshake_secrets(tls_conn *c, const uint8_t *shared, size_t shared_len)
{
    const tenon_hash_class *h = c->suite->hash;
    uint8_t th[TLS13_MAX_HASH];
    tls_kex_trace_secret(c, shared, shared_len);
    /* Resumed: the binder (made or checked with this PSK) left the early secret in the
     * schedule. */
    if (c->resumed && !(c->hs->ks.psk_early && c->hs->ks.hash == h))
        GUARD(tls13_early_secret(&c->hs->ks, h, c->hs->psk, c->hs->psk_len, &c->trace));
    else if (!c->resumed)
        GUARD(tls13_early_secret(&c->hs->ks, h, NULL, 0, &c->trace));
    GUARD(tls13_handshake_secret(&c->hs->ks, shared, shared_len, &c->trace));
    GUARD(tls_transcript_hash(&c->hs->tx, th, NULL));
    GUARD(tls13_handshake_traffic(&c->hs->ks, th, c->hs->c_hs, c->hs->s_hs, &c->trace));
    tls_keylog(c, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", c->hs->c_hs);
    tls_keylog(c, "SERVER_HANDSHAKE_TRAFFIC_SECRET", c->hs->s_hs);
    return TENON_OK;
}

/*
 * RFC 8446 §7.1:
 *   master_secret = HKDF-Extract(Derive-Secret(handshake_secret, "derived", ""), 0)
 *   client_application_traffic_secret_0 = Derive-Secret(., "c ap traffic",
 *                                                       ClientHello...server Finished)
 *   server_application_traffic_secret_0 = Derive-Secret(., "s ap traffic", ...)
 *   exporter_master_secret = Derive-Secret(., "exp master", ClientHello...server Finished)
 */
int hs_derive_application_secrets(tls_conn *c)
{
    const tenon_hash_class *h = c->suite->hash;
    uint8_t th[TLS13_MAX_HASH];
    GUARD(tls13_master_secret(&c->hs->ks, &c->trace));
    GUARD(tls_transcript_hash(&c->hs->tx, th, NULL));
    static const char *const labels[3] = {"c ap traffic", "s ap traffic", "exp master"};
    uint8_t *const outs[3] = {c->c_ap, c->s_ap, c->exporter};
    GUARD(tls13_derive_secrets(h, c->hs->ks.master_secret, th, 3, labels, outs, &c->trace));
    tls_keylog(c, "CLIENT_TRAFFIC_SECRET_0", c->c_ap);
    tls_keylog(c, "SERVER_TRAFFIC_SECRET_0", c->s_ap);
    tls_keylog(c, "EXPORTER_SECRET", c->exporter);
    return TENON_OK;
}

/* resumption_master_secret = Derive-Secret(master_secret, "res master",
 *                                          ClientHello...client Finished) */
static int derive_resumption(tls_conn *c)
{
    uint8_t th[TLS13_MAX_HASH];
    GUARD(tls_transcript_hash(&c->hs->tx, th, NULL));
    return tls13_derive_secret(c->suite->hash, c->hs->ks.master_secret, "res master", th,
                               c->resumption, &c->trace);
}

/*
 * The server's flight after ServerHello (RFC 8446 §2):
 *   {EncryptedExtensions} {CertificateRequest*} {Certificate*} {CertificateVerify*} {Finished}
 * under the server handshake keys; the client's answer is read with the client handshake keys.
 */
int hs_server_flight(tls_conn *c)
{
    GUARD(tls_install_handshake_write(c, c->hs->s_hs, "server handshake"));
    GUARD(tls_install_handshake_read(c, c->hs->c_hs, "client handshake"));
    if (c->hs->test_server_msgs != NULL) {
        GUARD(tls_hs_raw(c, c->hs->test_server_msgs, c->hs->test_server_msgs_len));
    } else {
        GUARD(hs_encrypted_extensions_send(c));
    }
    if (!c->resumed && c->hs->test_server_msgs == NULL) {
        /* §4.3.2: "Servers which are authenticating with a PSK MUST NOT send the
         * CertificateRequest message in the main handshake". */
        if (c->cfg->client_auth != TENON_CLIENT_AUTH_NONE)
            GUARD(hs_certificate_request_send(c));
        GUARD(hs_certificate_send(c));
        GUARD(hs_certificate_verify_send(c));
    }
    GUARD(hs_finished_send(c));
    GUARD(hs_derive_application_secrets(c));
    GUARD(tls_install_write(c, c->s_ap, "server application"));
    c->state = c->cert_requested ? ST_S_WAIT_CERT : ST_S_WAIT_FINISHED;
    return TENON_OK;
}

/*
 * The client's second flight, once the server's Finished is verified:
 *   {Certificate*} {CertificateVerify*} {Finished}
 * then application keys both ways.
 */
int hs_client_flight(tls_conn *c)
{
    GUARD(hs_derive_application_secrets(c));
    /* The change_cipher_spec and the client handshake write keys came with the ServerHello
     * (hs_server_hello_recv). */
    if (c->cert_requested) {
        GUARD(hs_certificate_send(c));
        if (c->cert != NULL)
            GUARD(hs_certificate_verify_send(c));
    }
    GUARD(hs_finished_send(c));
    GUARD(derive_resumption(c));
    GUARD(tls_install_write(c, c->c_ap, "client application"));
    GUARD(tls_install_read(c, c->s_ap, "server application"));
    return tls_enter_traffic(c);
}

/* The server, once the client's Finished is verified. */
int hs_server_after_client_finished(tls_conn *c)
{
    GUARD(derive_resumption(c));
    GUARD(tls_install_read(c, c->c_ap, "client application"));
    GUARD(tls_enter_traffic(c));
    /* §4.6.1: tickets go after the client's Finished, so the resumption secret covers it.
     * §4.2.9: "Servers SHOULD NOT send NewSessionTicket with tickets that are not compatible
     * with the advertised modes": tenon resumes with psk_dhe_ke only. */
    if (c->cfg->ticket_key_count > 0 && c->hs->client_psk_dhe)
        for (unsigned i = 0; i < c->cfg->tickets_per_handshake; i++)
            GUARD(hs_new_session_ticket_send(c));
    return TENON_OK;
}

void tls_test_set_server_messages(tenon_conn *conn, const uint8_t *msgs, size_t len)
{
    tls_conn *c = tls_conn_of(conn);
    c->hs->test_server_msgs = msgs;
    c->hs->test_server_msgs_len = len;
}
