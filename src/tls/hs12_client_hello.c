/*
 * ClientHello for TLS 1.2 (RFC 5246 §7.4.1.2):
 *   struct {
 *       ProtocolVersion client_version;
 *       Random random;
 *       SessionID session_id;
 *       CipherSuite cipher_suites<2..2^16-2>;
 *       CompressionMethod compression_methods<1..2^8-1>;
 *       select (extensions_present) { case true: Extension extensions<0..2^16-1>; };
 *   } ClientHello;
 * The client adds the TLS 1.2 extensions to the one ClientHello it sends for both versions;
 * the server that settles on TLS 1.2 makes every decision here: suite, certificate, group,
 * ticket, and sends its whole first flight.
 */
#include "tls13.h"

/* ---- client ---- */

int tls_test_client_omit;

static int ext_empty(writer *w, uint16_t type)
{
    GUARD(wr_u16(w, type));
    return wr_u16(w, 0);
}

int hs12_client_hello_exts(tls_conn *c, writer *w)
{
    const tenon_config *cfg = c->cfg;
    wr_vec v;
    /* RFC 8422 §5.1.2: uncompressed points only. */
    GUARD(wr_u16(w, EXT_EC_POINT_FORMATS));
    GUARD(wr_open_vec(w, 2, &v));
    GUARD(tls12_ext_point_formats_write(w));
    GUARD(wr_close_vec(w, &v));
    /* RFC 7627 §5.1: offered always (but by a test playing an old client). */
    if (!(tls_test_client_omit & TLS_TEST_OMIT_EMS)) {
        GUARD(ext_empty(w, EXT_EXTENDED_MASTER_SECRET));
        c->sent_ems = 1;
    }
    /* RFC 5746 §3.4: an empty renegotiation_info on the initial handshake. */
    if (!(tls_test_client_omit & TLS_TEST_OMIT_RENEG)) {
        GUARD(wr_u16(w, EXT_RENEGOTIATION_INFO));
        GUARD(wr_open_vec(w, 2, &v));
        GUARD(tls12_ext_reneg_write_initial(w));
        GUARD(wr_close_vec(w, &v));
    }
    /* RFC 7366 §2: encrypt_then_mac, when a CBC suite is offered. */
    int cbc = 0;
    for (size_t i = 0; i < cfg->suite_count; i++) {
        const tls12_suite *s = tls12_suite_find(cfg->suites[i]);
        cbc |= s != NULL && s->rec == TLS12_REC_CBC;
    }
    if (cbc && !(tls_test_client_omit & TLS_TEST_OMIT_ETM)) {
        GUARD(ext_empty(w, EXT_ENCRYPT_THEN_MAC));
        c->sent_etm = 1;
    }
    /* RFC 5077 §3.2: an empty SessionTicket extension asks for a ticket; a non-empty one
     * offers the ticket for resumption. Only with a store to keep tickets in. */
    if (cfg->ticket_store != NULL && cfg->server_name != NULL) {
        GUARD(wr_u16(w, EXT_SESSION_TICKET));
        GUARD(wr_open_vec(w, 2, &v));
        if (c->offered_ticket12 && c->held_ticket != NULL)
            GUARD(wr_bytes(w, c->held_ticket->ticket, c->held_ticket->ticket_len));
        GUARD(wr_close_vec(w, &v));
    }
    return TENON_OK;
}

/* ---- server ---- */

/* RFC 5077 §3.4, RFC 5246 §7.4.1.2 and RFC 7627 §5.3: may the session t (from the client's
 * ticket or our session cache) be resumed? 1 with the master secret in c->master, 0 for a full
 * handshake, or an error. t is wiped. */
static int try_session(tls_conn *c, const client_hello *ch, tls_ticket_plain *tp)
{
    tls_ticket_plain t = *tp;
    tenon_wipe(tp, sizeof *tp);
    const tls12_suite *s = t.version == TENON_TLS12 ? tls12_suite_find(t.suite) : NULL;
    int64_t now = tls_now_ms(c);
    int configured = 0;
    for (size_t i = 0; i < c->cfg->suite_count; i++)
        configured |= s != NULL && c->cfg->suites[i] == s->id;
    /* As TLS 1.3's: client_auth, client certificate policy and session_max_age_s
     * (tls_ticket_session_ok). */
    int usable = configured && ch_offers_suite(ch, t.suite) && t.psk_len == TLS12_MASTER_LEN &&
                 (int64_t)t.issued_ms <= now &&
                 now - (int64_t)t.issued_ms < (int64_t)t.lifetime_s * 1000 &&
                 tls_ticket_session_ok(c, &t);
    /* RFC 7627 §5.3: "If the original session used the "extended_master_secret" extension
     * but the new ClientHello does not contain it, the server MUST abort the abbreviated
     * handshake"; if the original did not, the server "MUST NOT perform the abbreviated
     * handshake" — a full one instead. */
    if (usable && t.ems && !c->ems) {
        tenon_wipe(&t, sizeof t);
        return TENON_ERR_TLS_EMS_REQUIRED;
    }
    if (!usable || !t.ems) {
        tenon_wipe(&t, sizeof t);
        return 0;
    }
    memcpy(c->master, t.psk, TLS12_MASTER_LEN);
    c->suite12 = s;
    tls_ticket_take_session(c, &t);
    tenon_wipe(&t, sizeof t);
    return 1;
}

static int try_ticket(tls_conn *c, const client_hello *ch)
{
    cursor body = ch->exts.body[X_SESSION_TICKET];
    if (body.len == 0 || c->cfg->ticket_key_count == 0)
        return 0;
    tls_ticket_plain t;
    if (tls_ticket_open(c->cfg, body.p, body.len, &t) != TENON_OK)
        return 0; /* §3.4: a ticket we cannot use means a full handshake */
    return try_session(c, ch, &t);
}

/* RFC 5246 §7.4.1.2: a session_id names a session "that the client wishes to resume"; one our
 * cache does not hold means a full handshake (§7.4.1.3: "the server generates a new session
 * ID"). */
static int try_session_id(tls_conn *c, const client_hello *ch)
{
    tls_ticket_plain t;
    if (!tls12_session_cache_find(c, ch->session_id, &t))
        return 0;
    tls_note(c, "the client names a session of our session cache");
    return try_session(c, ch, &t);
}

/* The suite: ours in our order, among the client's, that a certificate of ours and (for
 * ECDHE) a common group can serve. When none can, the cause: no suite in common; else no group
 * in common if an ECDHE suite is among them (every one of those needs it); else why the first
 * suite in common has no certificate. */
static int select_suite(tls_conn *c, const client_hello *ch, const tenon_kex_class *group)
{
    const tenon_config *cfg = c->cfg;
    int cause = TENON_ERR_TLS_NO_COMMON_SUITE;
    cursor curves;
    const cursor *client_curves = NULL;
    if (ch_has(ch, X_SUPPORTED_GROUPS)) {
        GUARD(ext_supported_groups_parse(ch->exts.body[X_SUPPORTED_GROUPS], &curves));
        client_curves = &curves;
    }
    for (size_t i = 0; i < cfg->suite_count; i++) {
        const tls12_suite *s = tls12_suite_find(cfg->suites[i]);
        if (s == NULL || !ch_offers_suite(ch, s->id))
            continue;
        if (s->kx == TLS12_KX_RSA) {
            /* RSA key transport: no signature, an RSA certificate that "MUST allow the key to
             * be used for encryption" (RFC 5246 §7.4.2: keyEncipherment, when keyUsage is
             * present). */
            for (size_t k = 0; k < cfg->cert_count; k++)
                if (cfg->certs[k].key->type == TENON_KEY_RSA &&
                    tls_cert_key_usage_allows(&cfg->certs[k], TENON_KU_KEY_ENCIPHERMENT)) {
                    c->cert = &cfg->certs[k];
                    c->suite12 = s;
                    return TENON_OK;
                }
            if (cause == TENON_ERR_TLS_NO_COMMON_SUITE)
                cause = TENON_ERR_TLS_NO_CERT_FOR_PEER;
            continue;
        }
        if (group == NULL) {
            cause = TENON_ERR_TLS_NO_COMMON_GROUP;
            continue;
        }
        int rc = tls12_pick_cert(c, tls12_suite_key_type(s), NULL, client_curves);
        if (rc == TENON_OK) {
            c->suite12 = s;
            return TENON_OK;
        }
        if (cause == TENON_ERR_TLS_NO_COMMON_SUITE)
            cause = rc;
    }
    /* RFC 5246 §7.4.1.2: "The server will select a cipher suite or, if no acceptable choices
     * are presented, return a handshake failure alert and close the connection." */
    return cause;
}

int hs12_client_hello_recv(tls_conn *c, const client_hello *ch, const uint8_t *msg, size_t len)
{
    const tenon_config *cfg = c->cfg;
    /* §7.4.1.2: "this vector MUST contain, and all implementations MUST support,
     * CompressionMethod.null"; tenon uses only it. */
    ENSURE(memchr(ch->compression.p, 0, ch->compression.len) != NULL,
           TENON_ERR_TLS_ILLEGAL_PARAMETER);
    c->hs->client_version = ch->legacy_version;

    /* RFC 5746 §3.6: the extension or the SCSV signals secure renegotiation support. */
    if (ch_has(ch, X_RENEGOTIATION_INFO)) {
        cursor b = ch->exts.body[X_RENEGOTIATION_INFO];
        GUARD(tls12_ext_reneg_parse_initial(b.p, b.len));
        c->reneg_ok = 1;
    }
    if (ch_offers_suite(ch, TLS12_EMPTY_RENEGOTIATION_INFO_SCSV))
        c->reneg_ok = 1;
    /* RFC 7627 §5.2: the extended master secret, required unless configured otherwise. */
    if (ch_has(ch, X_EXTENDED_MASTER_SECRET)) {
        cursor b = ch->exts.body[X_EXTENDED_MASTER_SECRET];
        GUARD(tls12_ext_ems_parse(b.p, b.len));
        c->ems = 1;
    }
    if (!c->ems && cfg->require_extended_master_secret) {
        tls_note(c, "the client does not offer the extended master secret (RFC 7627)");
        return TENON_ERR_TLS_EMS_REQUIRED;
    }
    if (ch_has(ch, X_EC_POINT_FORMATS)) {
        cursor b = ch->exts.body[X_EC_POINT_FORMATS];
        GUARD(tls12_ext_point_formats_parse(b.p, b.len));
        c->peer_point_formats = 1;
    }
    if (ch_has(ch, X_SIGNATURE_ALGORITHMS))
        GUARD(ext_sig_algs_parse(ch->exts.body[X_SIGNATURE_ALGORITHMS], c->hs->peer_sigs,
                                 TLS_MAX_PEER_SIGS, &c->hs->peer_sig_count));
    GUARD(tls_take_sni(c, ch));
    GUARD(tls_take_status_requests(c, ch));

    /* The group: ours in our order among the client's supported_groups (RFC 8422 §5.1.1);
     * without the extension, our first (RFC 8422 §4 leaves the choice to the server). */
    const tenon_kex_class *group = NULL;
    if (ch_has(ch, X_SUPPORTED_GROUPS)) {
        /* The client's list is walked, however long (RFC 8446 §9.3 asks the same of TLS 1.2
         * servers reading a TLS 1.3 ClientHello). */
        cursor groups;
        GUARD(ext_supported_groups_parse(ch->exts.body[X_SUPPORTED_GROUPS], &groups));
        for (size_t i = 0; i < cfg->group_count && group == NULL; i++)
            if (tls_group_usable(cfg, cfg->groups[i], TENON_TLS12) &&
                ext_supported_groups_has(groups, cfg->groups[i]->tls_group))
                group = cfg->groups[i];
    } else {
        for (size_t i = 0; i < cfg->group_count && group == NULL; i++)
            if (tls_group_usable(cfg, cfg->groups[i], TENON_TLS12))
                group = cfg->groups[i];
    }

    /* Resumption first (RFC 5077 §3.4), else a full handshake. */
    int resumed = 0;
    if (ch_has(ch, X_SESSION_TICKET) && cfg->ticket_key_count > 0) {
        c->ticket12_ok = 1;
        resumed = try_ticket(c, ch);
        GUARD(resumed < 0 ? resumed : TENON_OK);
    }
    if (!resumed && cfg->session_cache != NULL) {
        resumed = try_session_id(c, ch);
        GUARD(resumed < 0 ? resumed : TENON_OK);
    }
    if (!resumed)
        GUARD(select_suite(c, ch, group));
    const tls12_suite *s = c->suite12;
    c->resumed = (uint8_t)resumed;
    GUARD(tls_choose_ocsp(c));
    if (s->rec == TLS12_REC_CBC && ch_has(ch, X_ENCRYPT_THEN_MAC)) {
        ENSURE(ch->exts.body[X_ENCRYPT_THEN_MAC].len == 0, TENON_ERR_TLS_DECODE);
        c->etm = 1;
    }
    GUARD(tls_select_alpn(c, ch));
    GUARD(tls_rsl_client_hello(c, &ch->exts));
    /* A CertificateRequest follows: the client's CertificateVerify may use any hash we run
     * (RFC 5246 §7.4.8; tls12_transcript_for_client_auth). */
    if (!resumed && cfg->client_auth != TENON_CLIENT_AUTH_NONE)
        GUARD(tls_transcript_select_keep(&c->hs->tx, s->prf));
    else
        GUARD(tls_transcript_select(&c->hs->tx, s->prf));
    tls_transcript_update(&c->hs->tx, msg, len);
    if (tls_trace_on(&c->trace)) {
        tls_note(c, "TLS 1.2 negotiated");
        tls_note(c, s->name);
        if (resumed)
            tls_note(c, "resuming with a TLS 1.2 session ticket (abbreviated handshake)");
    }

    /* RFC 5077 §3.4: the server accepting a ticket echoes the client's session ID, and RFC 5246
     * §7.4.1.3 one resuming the session the ID names. A full handshake sends a new ID when the
     * session will go into the session cache: with one, and no ticket to stand in for it (RFC
     * 5077 §3.3); else an empty one. */
    if (resumed) {
        c->hs->session_id_len = ch->session_id.len;
        memcpy(c->hs->session_id, ch->session_id.p, c->hs->session_id_len);
    } else if (cfg->session_cache != NULL && !c->ticket12_ok) {
        c->hs->session_id_len = TLS_SESSION_ID_LEN;
        GUARD(tls_random(c, c->hs->session_id, c->hs->session_id_len));
    } else {
        c->hs->session_id_len = 0;
    }
    GUARD(hs12_server_hello_send(c));
    if (resumed) {
        GUARD(tls12_install_keys(c));
        if (c->ticket12_ok)
            GUARD(hs12_new_session_ticket_send(c));
        GUARD(hs12_change_cipher_spec_send(c));
        GUARD(hs12_finished_send(c));
        c->state = ST_S12_WAIT_CCS;
        return TENON_OK;
    }
    GUARD(hs12_certificate_send(c));
    if (tls_staple_ocsp(c))
        GUARD(hs12_certificate_status_send(c));
    if (s->kx != TLS12_KX_RSA) {
        ENSURE(group != NULL, TENON_ERR_TLS_NO_COMMON_GROUP);
        c->kex = group;
        GUARD(hs12_server_key_exchange_send(c));
    }
    if (cfg->client_auth != TENON_CLIENT_AUTH_NONE)
        GUARD(hs12_certificate_request_send(c));
    GUARD(hs12_server_hello_done_send(c));
    c->state = cfg->client_auth != TENON_CLIENT_AUTH_NONE ? ST_S12_WAIT_CERT : ST_S12_WAIT_CKE;
    return TENON_OK;
}
