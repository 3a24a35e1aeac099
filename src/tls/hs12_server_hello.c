/*
 * ServerHello for TLS 1.2 (RFC 5246 §7.4.1.3), both sides:
 *   struct {
 *       ProtocolVersion server_version;
 *       Random random;
 *       SessionID session_id;
 *       CipherSuite cipher_suite;
 *       CompressionMethod compression_method;
 *       select (extensions_present) { case true: Extension extensions<0..2^16-1>; };
 *   } ServerHello;
 */
#include "tls13.h"

int hs12_server_hello_send(tls_conn *c)
{
    writer w;
    wr_vec body, v, exts;
    if (c->hs->test_random != NULL)
        memcpy(c->hs->server_random, c->hs->test_random, 32);
    else
        GUARD(tls_random(c, c->hs->server_random, 32));
    /* RFC 8446 §4.1.3: a server that could have negotiated TLS 1.3 marks its random. */
    if (tls_version_on(c->cfg, TENON_TLS13))
        tls_mark_downgrade(c->hs->server_random);
    GUARD(tls_hs_begin(c, HS_SERVER_HELLO, &w, &body));
    GUARD(wr_u16(&w, TENON_TLS12));
    GUARD(wr_bytes(&w, c->hs->server_random, 32));
    GUARD(wr_open_vec(&w, 1, &v));
    GUARD(wr_bytes(&w, c->hs->session_id, c->hs->session_id_len));
    GUARD(wr_close_vec(&w, &v));
    GUARD(wr_u16(&w, c->suite12->id));
    GUARD(wr_u8(&w, 0));
    GUARD(wr_open_vec(&w, 2, &exts));
    if (c->reneg_ok) {
        /* RFC 5746 §3.6: "the server MUST include an empty "renegotiation_info" extension". */
        GUARD(wr_u16(&w, EXT_RENEGOTIATION_INFO));
        GUARD(wr_open_vec(&w, 2, &v));
        GUARD(tls12_ext_reneg_write_initial(&w));
        GUARD(wr_close_vec(&w, &v));
    }
    if (c->ems) {
        GUARD(wr_u16(&w, EXT_EXTENDED_MASTER_SECRET));
        GUARD(wr_u16(&w, 0));
    }
    if (c->etm) {
        GUARD(wr_u16(&w, EXT_ENCRYPT_THEN_MAC));
        GUARD(wr_u16(&w, 0));
    }
    if (c->ticket12_ok) {
        /* RFC 5077 §3.2: an empty SessionTicket extension promises a NewSessionTicket. */
        GUARD(wr_u16(&w, EXT_SESSION_TICKET));
        GUARD(wr_u16(&w, 0));
    }
    /* RFC 8422 §5.2: the server's ec_point_formats answers the client's ("in response to a
     * Supported Point Formats Extension in the ClientHello message"); RFC 5246 §7.4.1.4: "An
     * extension type MUST NOT appear in the ServerHello unless the same extension type
     * appeared in the corresponding ClientHello." */
    if (c->peer_point_formats && c->suite12->kx != TLS12_KX_RSA && !c->resumed) {
        GUARD(wr_u16(&w, EXT_EC_POINT_FORMATS));
        GUARD(wr_open_vec(&w, 2, &v));
        GUARD(tls12_ext_point_formats_write(&w));
        GUARD(wr_close_vec(&w, &v));
    }
    if (c->alpn > 0) {
        const char *alpn = tls_alpn(c);
        GUARD(ext_alpn_write_one(&w, (const uint8_t *)alpn, strlen(alpn)));
    }
    /* RFC 6066 §8: an empty status_request announces the CertificateStatus; RFC 6962 §3.3.1:
     * the SCTs travel in the ServerHello. Full handshakes only (tls_staple_*). */
    if (tls_staple_ocsp(c))
        GUARD(ext_status_request_write_empty(&w));
    if (tls_staple_scts(c))
        GUARD(ext_sct_write_list(&w, c->cert->sct_list.ptr, c->cert->sct_list.len));
    GUARD(tls_rsl_write_answer(c, &w));
    GUARD(wr_close_vec(&w, &exts));
    GUARD(tls_hs_finish(&w, &body));
    return tls_hs_commit(c, &w, NULL);
}

static int has(const tls_exts *e, unsigned x)
{
    return (e->seen >> x) & 1u;
}

int hs12_server_hello_recv(tls_conn *c, uint16_t legacy_version, const uint8_t *random,
                           cursor session_id, uint16_t suite, const tls_exts *exts,
                           const uint8_t *msg, size_t len)
{
    const tenon_config *cfg = c->cfg;
    (void)legacy_version;
    /* The TLS 1.3 key share our ClientHello carried is of no use now: ECDHE in TLS 1.2 makes
     * a fresh key pair for the ServerKeyExchange's group. */
    tenon_wipe(c->hs->kex_priv, sizeof c->hs->kex_priv);
    c->kex = NULL;
    /* §7.4.1.3: a suite we did not offer is illegal_parameter. */
    const tls12_suite *s = NULL;
    for (size_t i = 0; i < cfg->suite_count; i++)
        if (cfg->suites[i] == suite)
            s = tls12_suite_find(suite);
    ENSURE(s != NULL, TENON_ERR_TLS_ILLEGAL_PARAMETER);
    c->suite12 = s;
    memcpy(c->hs->server_random, random, 32);

    /* RFC 5746 §3.4: without renegotiation_info the server may be one that renegotiates
     * insecurely; tenon does not talk to such servers. */
    if (!has(exts, X_RENEGOTIATION_INFO)) {
        tls_note(c, "the server does not support secure renegotiation (RFC 5746)");
        return TENON_ERR_TLS_RENEGOTIATION_INFO;
    }
    cursor b = exts->body[X_RENEGOTIATION_INFO];
    GUARD(tls12_ext_reneg_parse_initial(b.p, b.len));
    if (has(exts, X_EXTENDED_MASTER_SECRET)) {
        ENSURE(c->sent_ems, TENON_ERR_TLS_UNSUPPORTED_EXTENSION);
        b = exts->body[X_EXTENDED_MASTER_SECRET];
        GUARD(tls12_ext_ems_parse(b.p, b.len));
        c->ems = 1;
    }
    if (!c->ems && cfg->require_extended_master_secret) {
        tls_note(c, "the server does not support the extended master secret (RFC 7627)");
        return TENON_ERR_TLS_EMS_REQUIRED;
    }
    /* RFC 5246 §7.4.1.4: "If a client receives an extension type in ServerHello that it did
     * not request in the associated ClientHello, it MUST abort the handshake with an
     * unsupported_extension fatal alert." */
    if (has(exts, X_ENCRYPT_THEN_MAC)) {
        ENSURE(c->sent_etm, TENON_ERR_TLS_UNSUPPORTED_EXTENSION);
        ENSURE(exts->body[X_ENCRYPT_THEN_MAC].len == 0, TENON_ERR_TLS_DECODE);
        /* RFC 7366 §3: for an AEAD suite the server "MUST NOT" send it back. */
        ENSURE(s->rec == TLS12_REC_CBC, TENON_ERR_TLS_ILLEGAL_PARAMETER);
        c->etm = 1;
    }
    if (has(exts, X_SESSION_TICKET)) {
        ENSURE(cfg->ticket_store != NULL && cfg->server_name != NULL,
               TENON_ERR_TLS_UNSUPPORTED_EXTENSION);
        ENSURE(exts->body[X_SESSION_TICKET].len == 0, TENON_ERR_TLS_DECODE);
        c->ticket12_ok = 1;
    }
    if (has(exts, X_EC_POINT_FORMATS)) {
        b = exts->body[X_EC_POINT_FORMATS];
        GUARD(tls12_ext_point_formats_parse(b.p, b.len));
    }
    /* RFC 6066 §8: the server's status_request is empty; RFC 6962 §3.3.1: its SCT list is a
     * well-formed SignedCertificateTimestampList. Each only if we asked (§7.4.1.4 above). */
    if (has(exts, X_STATUS_REQUEST)) {
        ENSURE(c->ocsp_asked, TENON_ERR_TLS_UNSUPPORTED_EXTENSION);
        GUARD(ext_status_request_parse_empty(exts->body[X_STATUS_REQUEST]));
    }
    if (has(exts, X_SCT)) {
        ENSURE(c->sct_asked, TENON_ERR_TLS_UNSUPPORTED_EXTENSION);
        GUARD(ext_sct_parse_list(exts->body[X_SCT]));
    }
    GUARD(tls_check_server_answers(c, exts));
    /* With a certificate of ours, a CertificateRequest may come: keep the hashes our
     * CertificateVerify could use running (RFC 5246 §7.4.8; tls12_transcript_for_client_auth). */
    if (cfg->cert_count > 0)
        GUARD(tls_transcript_select_keep(&c->hs->tx, s->prf));
    else
        GUARD(tls_transcript_select(&c->hs->tx, s->prf));
    tls_transcript_update(&c->hs->tx, msg, len);
    if (tls_trace_on(&c->trace)) {
        tls_note(c, "TLS 1.2 negotiated");
        tls_note(c, s->name);
    }

    /* RFC 5077 §3.4: the server accepted our ticket if it echoes our session ID; RFC 5246
     * §7.4.1.3: it resumes the session we named by ID if it sends that ID back. */
    int echoed = session_id.len > 0 && session_id.len == c->hs->session_id_len &&
                 memcmp(session_id.p, c->hs->session_id, c->hs->session_id_len) == 0;
    /* The ID the server names is the session's, kept if no ticket comes
     * (tls12_session_id_keep). */
    memcpy(c->hs->session_id, session_id.p, session_id.len);
    c->hs->session_id_len = session_id.len;
    if (echoed) {
        ENSURE((c->offered_ticket12 || c->offered_session_id12) && c->held_ticket != NULL,
               TENON_ERR_TLS_ILLEGAL_PARAMETER);
        /* The session's suite and extended master secret must be the ticket's (RFC 5246
         * §7.4.1.3, RFC 7627 §5.3). */
        ENSURE(c->held_ticket->suite == s->id, TENON_ERR_TLS_ILLEGAL_PARAMETER);
        ENSURE(!c->held_ticket->ext_master_secret || c->ems, TENON_ERR_TLS_EMS_REQUIRED);
        ENSURE(c->held_ticket->ext_master_secret == c->ems, TENON_ERR_TLS_HANDSHAKE_FAILURE);
        memcpy(c->master, c->held_ticket->psk, TLS12_MASTER_LEN);
        c->resumed = 1;
        tls_transcript_keep_only(&c->hs->tx, NULL); /* no CertificateVerify when resuming */
        tls_release_held_ticket(c);
        tls_note(c, "the server resumes our TLS 1.2 session (abbreviated handshake)");
        GUARD(tls12_install_keys(c));
        c->state = c->ticket12_ok ? ST_C12_WAIT_NST : ST_C12_WAIT_CCS;
        return TENON_OK;
    }
    /* Not resumed: the ticket offered, if any, is spent. RFC 6962 §3.3.1: "if the session is
     * resumed, the server is not expected to process it or include the extension in the
     * ServerHello": on a resumption (above) both are ignored, here they count. The SCTs are
     * kept now, the ServerHello's bytes used up. */
    c->ocsp_acked = (uint8_t)has(exts, X_STATUS_REQUEST);
    if (has(exts, X_SCT))
        GUARD(tls_keep_peer_bytes(c, exts->body[X_SCT].p, exts->body[X_SCT].len,
                                  &c->peer->peer_scts));
    tls_release_held_ticket(c);
    tenon_wipe(c->hs->psk, sizeof c->hs->psk);
    c->hs->psk_len = 0;
    c->state = ST_C12_WAIT_CERT;
    return TENON_OK;
}
