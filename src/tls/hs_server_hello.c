/*
 * ServerHello and HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4), both sides:
 *   struct {
 *       ProtocolVersion legacy_version = 0x0303;
 *       Random random;
 *       opaque legacy_session_id_echo<0..32>;
 *       CipherSuite cipher_suite;
 *       uint8 legacy_compression_method = 0;
 *       Extension extensions<6..2^16-1>;
 *   } ServerHello;
 * A HelloRetryRequest is a ServerHello whose random is SHA-256("HelloRetryRequest").
 */
#include "tls13.h"

static const uint8_t HRR_RANDOM[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

/* §4.1.3: the last 8 bytes of a TLS 1.2 / 1.1-or-below server's random when it could have
 * done TLS 1.3. */
static const uint8_t DOWNGRADE_12[8] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01};
static const uint8_t DOWNGRADE_11[8] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00};

/* RFC 8446 §4.1.3: a server able to negotiate TLS 1.3 that negotiates TLS 1.2 "MUST set the
 * last 8 bytes of their Random value" to DOWNGRADE_12. */
void tls_mark_downgrade(uint8_t random[32])
{
    memcpy(random + 24, DOWNGRADE_12, 8);
}

static int write_head(tls_conn *c, writer *w, const uint8_t *random)
{
    wr_vec v;
    GUARD(wr_u16(w, TENON_TLS12));
    GUARD(wr_bytes(w, random, 32));
    GUARD(wr_open_vec(w, 1, &v));
    GUARD(wr_bytes(w, c->hs->session_id, c->hs->session_id_len));
    GUARD(wr_close_vec(w, &v));
    GUARD(wr_u16(w, c->suite->id));
    return wr_u8(w, 0);
}

int hs_server_hello_send(tls_conn *c, int selected_psk, const uint8_t *share)
{
    writer w;
    wr_vec body, exts;
    if (c->hs->test_random != NULL)
        memcpy(c->hs->server_random, c->hs->test_random, 32);
    else
        GUARD(tls_random(c, c->hs->server_random, 32));
    GUARD(tls_hs_begin(c, HS_SERVER_HELLO, &w, &body));
    GUARD(write_head(c, &w, c->hs->server_random));
    GUARD(wr_open_vec(&w, 2, &exts));
    GUARD(ext_key_share_write_sh(&w, c->kex->tls_group, share, c->kex->server_share_len));
    GUARD(ext_supported_versions_write_sh(&w));
    if (c->resumed)
        GUARD(ext_psk_write_sh(&w, (uint16_t)selected_psk));
    GUARD(wr_close_vec(&w, &exts));
    GUARD(tls_hs_finish(&w, &body));
    return tls_hs_commit(c, &w, NULL);
}

int hs_hello_retry_request_send(tls_conn *c)
{
    writer w;
    wr_vec body, exts;
    GUARD(tls_hs_begin(c, HS_SERVER_HELLO, &w, &body));
    GUARD(write_head(c, &w, HRR_RANDOM));
    GUARD(wr_open_vec(&w, 2, &exts));
    GUARD(ext_supported_versions_write_sh(&w));
    GUARD(ext_key_share_write_hrr(&w, c->hs->hrr_group->tls_group));
    GUARD(wr_close_vec(&w, &exts));
    GUARD(tls_hs_finish(&w, &body));
    return tls_hs_commit(c, &w, "HelloRetryRequest");
}

typedef struct server_hello {
    uint16_t legacy_version;
    const uint8_t *random;
    cursor session_id;
    uint16_t suite;
    uint8_t compression;
    int is_hrr;
    tls_exts exts;
} server_hello;

static int server_hello_parse(const uint8_t *msg, size_t len, server_hello *sh)
{
    cursor c = cur_init(msg + 4, len - 4);
    GUARD(cur_u16(&c, &sh->legacy_version));
    GUARD(cur_bytes(&c, 32, &sh->random));
    GUARD(cur_vec(&c, 1, 0, 32, &sh->session_id));
    GUARD(cur_u16(&c, &sh->suite));
    GUARD(cur_u8(&c, &sh->compression));
    sh->is_hrr = memcmp(sh->random, HRR_RANDOM, 32) == 0;
    /* A TLS 1.2 ServerHello may have no extensions at all. */
    if (cur_remaining(&c) == 0) {
        memset(&sh->exts, 0, sizeof sh->exts);
        return TENON_OK;
    }
    /* A ServerHello's extensions are checked against its version once that is known
     * (hs_server_hello_recv): TLS 1.3's table or TLS 1.2's. */
    GUARD(tls_exts_parse(&c, sh->is_hrr ? M_HRR : (M_SH | M_SH12), 0, &sh->exts));
    return cur_finish(&c);
}

static int has(const server_hello *sh, unsigned x)
{
    return (sh->exts.seen >> x) & 1u;
}

static int handle_hrr(tls_conn *c, const server_hello *sh, const tls_suite *suite,
                      const uint8_t *msg, size_t len)
{
    /* §4.1.4: "If a client receives a second HelloRetryRequest in the same connection ... it
     * MUST abort the handshake with an "unexpected_message" alert." */
    ENSURE(!c->hrr, TENON_ERR_TLS_UNEXPECTED_MESSAGE);
    /* "Clients MUST abort the handshake with an "illegal_parameter" alert if the
     * HelloRetryRequest would not result in any change in the ClientHello." */
    ENSURE(has(sh, X_KEY_SHARE) || has(sh, X_COOKIE), TENON_ERR_TLS_ILLEGAL_PARAMETER);
    if (has(sh, X_KEY_SHARE)) {
        uint16_t g;
        GUARD(ext_key_share_parse_hrr(sh->exts.body[X_KEY_SHARE], &g));
        const tenon_kex_class *group = NULL;
        for (size_t i = 0; i < c->cfg->group_count; i++)
            if (c->cfg->groups[i]->tls_group == g &&
                tls_group_usable(c->cfg, c->cfg->groups[i], TENON_TLS13))
                group = c->cfg->groups[i];
        /* §4.2.8: "Clients MUST verify that (1) the selected_group field corresponds to a
         * group which was provided in the "supported_groups" extension in the original
         * ClientHello and (2) the selected_group field does not correspond to a group which
         * was provided in the "key_share" extension in the original ClientHello." */
        for (size_t i = 0; i < c->hs->kex_offer_count; i++)
            if (c->hs->kex_offer[i] == group)
                group = NULL;
        ENSURE(group != NULL, TENON_ERR_TLS_ILLEGAL_PARAMETER);
        c->hs->hrr_group = group;
        tls_kex_forget(c);
    } else {
        /* §4.1.2: the new ClientHello replaces the key shares only "If a "key_share" extension
         * was supplied in the HelloRetryRequest": after a cookie alone the same shares (and
         * key pairs) go again. */
        c->hs->hrr_group = NULL;
    }
    /* §4.2.2: the cookie (up to 2^16 - 1 bytes) is echoed from where it arrived: this message,
     * in the input buffer (the record, or the reassembly area if it was split), which nothing
     * overwrites before ClientHello2 is written below, into the output buffer. A cookie too
     * long for the output fails there with TENON_ERR_BUFFER_TOO_SMALL. */
    c->hs->cookie = NULL;
    c->hs->cookie_len = 0;
    if (has(sh, X_COOKIE))
        GUARD(ext_cookie_parse(sh->exts.body[X_COOKIE], &c->hs->cookie, &c->hs->cookie_len));
    c->suite = suite;
    c->hrr = 1;
    GUARD(tls_transcript_select(&c->hs->tx, suite->hash));
    GUARD(tls_transcript_hrr_rewrite(&c->hs->tx));
    tls_transcript_update(&c->hs->tx, msg, len);
    /* A ticket whose hash is not the suite's cannot be offered again (§4.1.4). */
    if (c->hs->ticket != NULL && c->hs->psk_suite->hash != suite->hash) {
        tls_release_held_ticket(c);
        tenon_wipe(c->hs->psk, sizeof c->hs->psk);
        c->hs->psk_len = 0;
    }
    tls_note(c, "HelloRetryRequest received: sending a new ClientHello");
    GUARD(tls_send_ccs(c));
    int rc = hs_client_hello_send(c);
    c->hs->cookie = NULL; /* the view does not outlive this message */
    c->hs->cookie_len = 0;
    return rc;
}

int hs_server_hello_recv(tls_conn *c, const uint8_t *msg, size_t len)
{
    server_hello sh;
    GUARD(server_hello_parse(msg, len, &sh));
    tls_offer_server_hello(c, sh.legacy_version, sh.suite, &sh.exts, sh.is_hrr);
    /* RFC 8446 §D.5: a legacy_version of 0x0300 (or older) is protocol_version, whatever
     * else the message says. */
    ENSURE(sh.legacy_version > 0x0300, TENON_ERR_TLS_PROTOCOL_VERSION);

    if (!has(&sh, X_SUPPORTED_VERSIONS)) {
        /* §4.1.3: "TLS 1.3 clients receiving a ServerHello indicating TLS 1.2 or below MUST
         * check that the last 8 bytes are not equal to either of these values ... If a match
         * is found, the client MUST abort the handshake with an "illegal_parameter" alert." */
        if (tls_version_on(c->cfg, TENON_TLS13) && (memcmp(sh.random + 24, DOWNGRADE_12, 8) == 0 ||
                                                    memcmp(sh.random + 24, DOWNGRADE_11, 8) == 0))
            return TENON_ERR_TLS_DOWNGRADE;
        /* RFC 5246 §7.4.1.3: server_version is the version chosen; a HelloRetryRequest is
         * TLS 1.3's, so what follows one is too. */
        ENSURE(!sh.is_hrr && !c->hrr, TENON_ERR_TLS_ILLEGAL_PARAMETER);
        ENSURE(sh.legacy_version == TENON_TLS12 && tls_version_on(c->cfg, TENON_TLS12),
               TENON_ERR_TLS_NO_COMMON_VERSION);
        GUARD(tls_exts_allowed(&sh.exts, M_SH12, TENON_ERR_TLS_UNSUPPORTED_EXTENSION));
        ENSURE(sh.compression == 0, TENON_ERR_TLS_ILLEGAL_PARAMETER);
        c->version = TENON_TLS12;
        tls_kex_forget(c); /* TLS 1.3's shares are not needed */
        return hs12_server_hello_recv(c, sh.legacy_version, sh.random, sh.session_id, sh.suite,
                                      &sh.exts, msg, len);
    }
    if (!sh.is_hrr)
        GUARD(tls_exts_allowed(&sh.exts, M_SH, TENON_ERR_TLS_ILLEGAL_PARAMETER));
    uint16_t version;
    GUARD(ext_supported_versions_parse_sh(sh.exts.body[X_SUPPORTED_VERSIONS], &version));
    /* §4.2.1: a version we did not offer is illegal_parameter. */
    ENSURE(version == TENON_TLS13 && tls_version_on(c->cfg, TENON_TLS13),
           TENON_ERR_TLS_ILLEGAL_PARAMETER);
    c->version = TENON_TLS13;
    ENSURE(sh.legacy_version == TENON_TLS12, TENON_ERR_TLS_ILLEGAL_PARAMETER);
    /* §4.1.3: "A client which receives a legacy_session_id_echo field that does not match what
     * it sent in the ClientHello MUST abort the handshake with an "illegal_parameter"". */
    ENSURE(sh.session_id.len == c->hs->session_id_len &&
               memcmp(sh.session_id.p, c->hs->session_id, c->hs->session_id_len) == 0,
           TENON_ERR_TLS_ILLEGAL_PARAMETER);
    ENSURE(sh.compression == 0, TENON_ERR_TLS_ILLEGAL_PARAMETER);
    /* "A client which receives a cipher suite that was not offered MUST abort the handshake
     * with an "illegal_parameter" alert." */
    const tls_suite *suite = NULL;
    for (size_t i = 0; i < c->cfg->suite_count; i++)
        if (c->cfg->suites[i] == sh.suite)
            suite = tls_suite_find(sh.suite);
    ENSURE(suite != NULL, TENON_ERR_TLS_ILLEGAL_PARAMETER);
    /* §4.1.4: the ServerHello's suite must be the HelloRetryRequest's. */
    ENSURE(!c->hrr || suite == c->suite, TENON_ERR_TLS_ILLEGAL_PARAMETER);

    if (sh.is_hrr)
        return handle_hrr(c, &sh, suite, msg, len);

    /* tenon offers (EC)DHE in every handshake, so the server must answer with a share. */
    ENSURE(has(&sh, X_KEY_SHARE), TENON_ERR_TLS_MISSING_EXTENSION);
    ks_entry share;
    GUARD(ext_key_share_parse_sh(sh.exts.body[X_KEY_SHARE], &share));
    /* §4.2.8: "If using (EC)DHE key establishment, servers offer exactly one KeyShareEntry
     * in the ServerHello. This value MUST be in the same group as the KeyShareEntry value
     * offered by the client that the server has selected". */
    size_t slot = c->hs->kex_offer_count;
    for (size_t i = 0; i < c->hs->kex_offer_count; i++)
        if (c->hs->kex_offer[i]->tls_group == share.group)
            slot = i;
    ENSURE(slot < c->hs->kex_offer_count, TENON_ERR_TLS_ILLEGAL_PARAMETER);
    if (has(&sh, X_PRE_SHARED_KEY)) {
        /* The table let it through only because it may be in a ServerHello; it must answer
         * an offer of ours (§4.2: else unsupported_extension). */
        ENSURE(c->hs->ticket != NULL, TENON_ERR_TLS_UNSUPPORTED_EXTENSION);
        uint16_t selected;
        GUARD(ext_psk_parse_sh(sh.exts.body[X_PRE_SHARED_KEY], &selected));
        /* §4.2.11: "Clients MUST verify that the server's selected_identity is within the
         * range supplied by the client, that the server selected a cipher suite indicating a
         * Hash associated with the PSK". */
        ENSURE(selected == 0 && c->hs->psk_suite->hash == suite->hash,
               TENON_ERR_TLS_ILLEGAL_PARAMETER);
        c->resumed = 1;
    }
    /* A ticket is used once, accepted or not. */
    tls_release_held_ticket(c);
    c->suite = suite;
    memcpy(c->hs->server_random, sh.random, 32);
    GUARD(tls_transcript_select(&c->hs->tx, suite->hash));
    tls_transcript_update(&c->hs->tx, msg, len);

    /* The server share is checked by the group: its exact length for the hybrids
     * (draft-ietf-tls-ecdhe-mlkem), the point as for (EC)DHE (illegal_parameter). The
     * private keys, ML-KEM seeds among them, are wiped now whatever the outcome: nothing
     * later needs them. */
    uint8_t shared[TENON_KEX_MAX_SHARED_LEN];
    int rc = tls_kex_finish(c, slot, share.key, share.key_len, shared);
    tls_kex_forget(c);
    if (rc == TENON_OK)
        rc = hs_derive_handshake_secrets(c, shared, c->kex->shared_len);
    tenon_wipe(shared, sizeof shared);
    GUARD(rc);
    GUARD(tls_install_handshake_read(c, c->hs->s_hs, "server handshake"));
    /* From here the server reads with the client handshake keys (RFC 8446 §7.3, §A.1): an
     * alert this client sends about the server's encrypted flight must be protected with them,
     * or the server sees only a record it cannot decrypt. So the write keys change now, not at
     * the second flight; the middlebox-compatibility change_cipher_spec (§D.4) still goes
     * first, in the clear. */
    GUARD(tls_send_ccs(c));
    GUARD(tls_install_handshake_write(c, c->hs->c_hs, "client handshake"));
    c->state = ST_C_WAIT_EE;
    return TENON_OK;
}
