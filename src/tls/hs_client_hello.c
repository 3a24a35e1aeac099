/*
 * ClientHello (RFC 8446 §4.1.2), both sides:
 *   struct {
 *       ProtocolVersion legacy_version = 0x0303;
 *       Random random;
 *       opaque legacy_session_id<0..32>;
 *       CipherSuite cipher_suites<2..2^16-2>;
 *       opaque legacy_compression_methods<1..2^8-1>;
 *       Extension extensions<8..2^16-1>;
 *   } ClientHello;
 * The client builds it (again after a HelloRetryRequest); the server parses it and makes every
 * negotiation decision: suite, group (or HelloRetryRequest), PSK, certificate and scheme, ALPN.
 */
#include "tls13.h"

#include "fuzzing.h"

/* ---- client ---- */

/* A ticket for this server that has not expired and whose suite is still configured and of a
 * version we offer, obtained under our verification policy, of a session still young enough
 * (tls_ticket_offerable). */
static void pick_ticket(tls_conn *c)
{
    tenon_ticket_store *st = c->cfg->ticket_store;
    const char *name = c->cfg->server_name;
    if (st == NULL || name == NULL)
        return;
    int64_t now = tls_now_ms(c);
    for (size_t i = 0; i < st->cap; i++) {
        tenon_ticket *t = &st->slots[i];
        if (t->in_use != 1 || strcmp(t->server_name, name) != 0)
            continue;
        const tls_suite *s = t->version == TENON_TLS13 ? tls_suite_find(t->suite) : NULL;
        const tls12_suite *s12 = t->version == TENON_TLS12 ? tls12_suite_find(t->suite) : NULL;
        int configured = 0;
        for (size_t j = 0; j < c->cfg->suite_count; j++)
            configured |= (s != NULL || s12 != NULL) && c->cfg->suites[j] == t->suite;
        if (s != NULL)
            configured &= tls_version_on(c->cfg, TENON_TLS13) && t->psk_len == s->hash->digest_len;
        if (s12 != NULL)
            configured &= tls_version_on(c->cfg, TENON_TLS12) && t->psk_len == TLS12_MASTER_LEN;
        /* A TLS 1.2 session without a ticket is offered by its session ID (<0..32>). */
        if (s12 != NULL && t->ticket_len == 0)
            configured &= t->session_id_len > 0 && t->session_id_len <= TLS_SESSION_ID_LEN;
        if (now < t->received_ms || now - t->received_ms >= (int64_t)t->lifetime_s * 1000) {
            tenon_wipe(t, sizeof *t); /* expired */
            continue;
        }
        /* Resuming skips the server's certificate: a ticket obtained under another policy
         * (insecure_skip_verify, other anchors or callback) would skip our checks. */
        if (!configured || !tls_ticket_offerable(c, t))
            continue; /* another configuration sharing the store may use it */
        /* A ticket is offered once (RFC 8446 §C.4 advises against reuse; RFC 5077 §3.3 has the
         * server issue a new one): the connection holds its slot (in_use 2, which no other
         * connection takes or replaces) until the ServerHello, then frees it. */
        t->in_use = 2;
        c->held_ticket = t;
        tls_ticket_offer_session(c, t);
        memcpy(c->hs->psk, t->psk, t->psk_len);
        c->hs->psk_len = t->psk_len;
        if (s != NULL) {
            c->hs->ticket = t;
            c->hs->psk_suite = s;
            tls_note(c, "offering a session ticket (psk_dhe_ke)");
        } else if (t->ticket_len > 0) {
            c->offered_ticket12 = 1;
            tls_note(c, "offering a TLS 1.2 session ticket (RFC 5077)");
        } else {
            c->offered_session_id12 = 1;
            tls_note(c, "offering a TLS 1.2 session ID (RFC 5246 §7.4.1.2)");
        }
        return;
    }
}

void tls_release_held_ticket(tls_conn *c)
{
    if (c->held_ticket != NULL)
        tenon_wipe(c->held_ticket, sizeof *c->held_ticket);
    c->held_ticket = NULL;
    if (c->hs != NULL)
        c->hs->ticket = NULL;
}

/* RFC 8446 §4.2.11: the pre_shared_key extension, last, with a zero binder to be filled in by
 * fill_binder once the rest of the message is known. *binders_at receives the offset (from
 * the message start) of the binders vector. */
static int write_psk(tls_conn *c, writer *w, size_t *binders_at, size_t *binder_at)
{
    const tenon_ticket *t = c->hs->ticket;
    size_t hlen = c->hs->psk_suite->hash->digest_len;
    wr_vec ext, ids, id, binders, binder;
    /* §4.2.11.1: obfuscated_ticket_age = (ticket age in ms + ticket_age_add) mod 2^32. */
    uint32_t age = (uint32_t)(tls_now_ms(c) - t->received_ms) + t->age_add;
    GUARD(wr_u16(w, EXT_PRE_SHARED_KEY));
    GUARD(wr_open_vec(w, 2, &ext));
    GUARD(wr_open_vec(w, 2, &ids));
    GUARD(wr_open_vec(w, 2, &id));
    GUARD(wr_bytes(w, t->ticket, t->ticket_len));
    GUARD(wr_close_vec(w, &id));
    GUARD(wr_u32(w, age));
    GUARD(wr_close_vec(w, &ids));
    *binders_at = w->len;
    GUARD(wr_open_vec(w, 2, &binders));
    GUARD(wr_open_vec(w, 1, &binder));
    *binder_at = w->len;
    uint8_t *zero;
    GUARD(wr_reserve(w, hlen, &zero));
    memset(zero, 0, hlen);
    GUARD(wr_close_vec(w, &binder));
    GUARD(wr_close_vec(w, &binders));
    return wr_close_vec(w, &ext);
}

/* §4.2.11.2: binder = HMAC(finished_key(binder_key), Transcript-Hash(Truncate(ClientHello)))
 * where the truncated ClientHello stops before the binders vector; after a HelloRetryRequest
 * the transcript before it (message_hash, HelloRetryRequest) is included. The truncated part
 * goes into the transcript here (the caller commits the rest). */
static int fill_binder(tls_conn *c, uint8_t *msg, size_t binders_at, size_t binder_at)
{
    const tenon_hash_class *h = c->hs->psk_suite->hash;
    uint8_t th[TLS13_MAX_HASH], binder_key[TLS13_MAX_HASH];
    /* In the handshake's schedule: if the server accepts the PSK, the handshake goes on from
     * this early secret (hs_derive_handshake_secrets). */
    tls13_schedule *ks = &c->hs->ks;
    int rc = tls13_early_secret(ks, h, c->hs->psk, c->hs->psk_len, &c->trace);
    if (rc == TENON_OK)
        rc = tls13_binder_key(ks, 0, binder_key, &c->trace);
    if (rc != TENON_OK)
        tls13_schedule_wipe(ks);
    if (rc == TENON_OK)
        rc = tls_transcript_update_hash(&c->hs->tx, h, msg, binders_at, th);
    if (rc == TENON_OK)
        rc = tls13_finished(h, binder_key, th, msg + binder_at, &c->trace);
    tenon_wipe(binder_key, sizeof binder_key);
    return rc;
}

/* Is suite id one this client offers (its version is enabled)? */
static int offer_suite(const tenon_config *cfg, uint16_t id)
{
    if (tls_suite_find(id) != NULL)
        return tls_version_on(cfg, TENON_TLS13);
    return tls12_suite_find(id) != NULL && tls_version_on(cfg, TENON_TLS12);
}

/* RFC 8446 §4.4.1: the transcript runs under the hash of the suite the server selects, one this
 * client offered (hs_server_hello checks). A TLS 1.3 suite's hash or a TLS 1.2 suite's PRF
 * hash, SHA-256 or SHA-384: the transcript stops running whichever of the two no offered suite
 * has, before the ClientHello goes in (a SHA-384 pass over every ClientHello otherwise). */
int hs_client_transcript_init(tls_conn *c)
{
    const tenon_config *cfg = c->cfg;
    static const tenon_hash_class *const hashes[2] = {&tenon_sha256, &tenon_sha384};
    int used[2] = {0, 0};
    for (size_t i = 0; i < cfg->suite_count && i < TENON_MAX_SUITES; i++) {
        if (!offer_suite(cfg, cfg->suites[i]))
            continue;
        const tls_suite *s = tls_suite_find(cfg->suites[i]);
        const tls12_suite *s12 = tls12_suite_find(cfg->suites[i]);
        const tenon_hash_class *h = s != NULL ? s->hash : s12 != NULL ? s12->prf : NULL;
        for (int k = 0; k < 2; k++)
            used[k] |= h == hashes[k];
    }
    if (!used[0] && !used[1])
        return TENON_OK; /* nothing offered: tenon_config_check refuses it; keep both */
    for (int k = 0; k < 2; k++)
        if (!used[k])
            GUARD(tls_transcript_not(&c->hs->tx, hashes[k]));
    return TENON_OK;
}

/* 1 if share_groups names g. */
static int wants_share(const tenon_config *cfg, const tenon_kex_class *g)
{
    for (size_t i = 0; i < cfg->share_group_count && i < TENON_MAX_KEY_SHARES; i++)
        if (cfg->share_groups[i] == g)
            return 1;
    return 0;
}

/* The groups of the first ClientHello's key shares (tenon_config.share_groups): RFC 8446
 * §4.2.8: "Each KeyShareEntry value MUST correspond to a group offered in the
 * "supported_groups" extension and MUST appear in the same order", so they are taken in the
 * order of groups; with none of them usable, the first usable group. */
static void plan_shares(tls_conn *c)
{
    const tenon_config *cfg = c->cfg;
    const tenon_kex_class *first = NULL;
    c->hs->kex_offer_count = 0;
    for (size_t i = 0; i < cfg->group_count; i++) {
        const tenon_kex_class *g = cfg->groups[i];
        if (!tls_group_usable(cfg, g, TENON_TLS13))
            continue;
        if (first == NULL)
            first = g;
        if (wants_share(cfg, g) && c->hs->kex_offer_count < TENON_MAX_KEY_SHARES)
            c->hs->kex_offer[c->hs->kex_offer_count++] = g;
    }
    if (c->hs->kex_offer_count == 0 && first != NULL)
        c->hs->kex_offer[c->hs->kex_offer_count++] = first;
}

/* key_share (§4.2.8). Each share is made in place, in the output: the keys are generated here
 * (the first ClientHello, or the group a HelloRetryRequest asked for) or, after a
 * HelloRetryRequest with a cookie alone, recomputed from the private keys kept (§4.1.2: the
 * shares are replaced only if the HelloRetryRequest has a key_share). */
static int write_key_shares(tls_conn *c, writer *w, int fresh)
{
    wr_vec ext, list;
    GUARD(ext_key_share_open_ch(w, &ext, &list));
    for (size_t i = 0; i < c->hs->kex_offer_count; i++) {
        const tenon_kex_class *g = c->hs->kex_offer[i];
        uint8_t *share;
        GUARD(ext_key_share_entry(w, g->tls_group, g->client_share_len, &share));
        if (fresh)
            GUARD(tls_kex_keygen(c, g, i, share));
        else
            GUARD(g->public_from_private(c->hs->kex_priv[i], share));
    }
    return ext_key_share_close_ch(w, &ext, &list);
}

int hs_client_hello_send(tls_conn *c)
{
    const tenon_config *cfg = c->cfg;
    int fresh = 1;
    int tls13 = tls_version_on(cfg, TENON_TLS13);
    int tls12 = tls_version_on(cfg, TENON_TLS12);
    if (!c->hrr) {
        if (c->hs->test_random != NULL)
            memcpy(c->hs->client_random, c->hs->test_random, 32);
        else
            GUARD(tls_random(c, c->hs->client_random, 32));
        c->start_ms = tls_now_ms(c);
        pick_ticket(c);
        /* §D.4: in compatibility mode "the client ... sets legacy_session_id to a non-empty
         * value"; a fresh random one. RFC 5077 §3.4: with a TLS 1.2 ticket, a session ID the
         * server echoes when it accepts the ticket. RFC 5246 §7.4.1.2: to resume a TLS 1.2
         * session by ID, that ID (which serves TLS 1.3's compatibility mode as well). */
        c->hs->session_id_len =
            ((cfg->middlebox_compat && tls13) || c->offered_ticket12) ? TLS_SESSION_ID_LEN : 0;
        if (c->offered_session_id12) {
            c->hs->session_id_len = c->held_ticket->session_id_len;
            memcpy(c->hs->session_id, c->held_ticket->session_id, c->hs->session_id_len);
        } else if (c->hs->session_id_len) {
            GUARD(tls_random(c, c->hs->session_id, c->hs->session_id_len));
        }
#ifdef TENON_FUZZING
        /* A recorded server stream echoes the session ID it was sent (fuzzing.h). */
        memset(c->hs->session_id, 0x5e, c->hs->session_id_len);
#endif
        if (cfg->server_name != NULL) {
            c->sni_len = strlen(cfg->server_name);
            memcpy(c->sni, cfg->server_name, c->sni_len + 1);
        }
        if (tls13)
            plan_shares(c);
    } else if (c->hs->hrr_group != NULL) {
        /* §4.1.2: "If a "key_share" extension was supplied in the HelloRetryRequest,
         * replacing the list of shares with a list containing a single KeyShareEntry from the
         * indicated group." */
        tls_kex_forget(c);
        c->hs->kex_offer[0] = c->hs->hrr_group;
        c->hs->kex_offer_count = 1;
    } else {
        fresh = 0; /* a cookie alone: the same shares (handle_hrr) */
    }

    writer w;
    wr_vec body, v;
    GUARD(tls_hs_begin(c, HS_CLIENT_HELLO, &w, &body));
    GUARD(wr_u16(&w, TENON_TLS12));
    GUARD(wr_bytes(&w, c->hs->client_random, 32));
    GUARD(wr_open_vec(&w, 1, &v));
    GUARD(wr_bytes(&w, c->hs->session_id, c->hs->session_id_len));
    GUARD(wr_close_vec(&w, &v));
    GUARD(wr_open_vec(&w, 2, &v));
    for (size_t i = 0; i < cfg->suite_count; i++)
        if (offer_suite(cfg, cfg->suites[i]))
            GUARD(wr_u16(&w, cfg->suites[i]));
    GUARD(wr_close_vec(&w, &v));
    GUARD(wr_u8(&w, 1));
    GUARD(wr_u8(&w, 0)); /* legacy_compression_methods: null only */

    GUARD(wr_open_vec(&w, 2, &v));
    uint8_t ip[16];
    /* RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in "HostName"." */
    if (cfg->server_name != NULL && tenon_ip_parse(cfg->server_name, ip) == 0) {
        GUARD(ext_server_name_write_ch(&w, cfg->server_name));
        c->sent_sni = 1;
    }
    if (tls13)
        GUARD(ext_supported_versions_write_ch(&w, tls12));
    GUARD(ext_supported_groups_write(&w, cfg, tls13 ? TENON_TLS13 : TENON_TLS12));
    if (tls13)
        GUARD(write_key_shares(c, &w, fresh));
    if (tls12)
        GUARD(hs12_client_hello_exts(c, &w));
    GUARD(
        ext_sig_algs_write(&w, EXT_SIGNATURE_ALGORITHMS, cfg->sig_schemes, cfg->sig_scheme_count));
    if (cfg->cert_sig_scheme_count > 0)
        GUARD(ext_sig_algs_write(&w, EXT_SIGNATURE_ALGORITHMS_CERT, cfg->cert_sig_schemes,
                                 cfg->cert_sig_scheme_count));
    if (cfg->alpn_count > 0) {
        GUARD(ext_alpn_write_list(&w, cfg->alpn, cfg->alpn_count));
        c->sent_alpn = 1;
    }
    if (cfg->ocsp_stapling) {
        GUARD(ext_status_request_write_ch(&w));
        c->ocsp_asked = 1;
    }
    if (cfg->signed_cert_timestamps) {
        GUARD(ext_sct_write_ch(&w));
        c->sct_asked = 1;
    }
    /* RFC 8449 §4, sent always (record_limit.c). */
    if (!(tls_test_client_omit & TLS_TEST_OMIT_RSL)) {
        c->rsl_sent = tls_rsl_ours(c, 0);
        GUARD(ext_record_size_limit_write(&w, c->rsl_sent));
    }
    if (c->hs->cookie_len > 0)
        GUARD(ext_cookie_write(&w, c->hs->cookie, c->hs->cookie_len));
    size_t binders_at = 0, binder_at = 0;
    /* RFC 8446 §4.2.9: "Servers MUST NOT select a key exchange mode that is not listed by the
     * client. This extension also restricts the modes for use with PSK resumption." Servers
     * that follow it (BoringSSL) issue tickets only to clients that list a mode, so a client
     * that keeps tickets announces psk_dhe_ke even with none to offer yet. */
    int keeps_tickets = cfg->ticket_store != NULL && cfg->server_name != NULL;
    if (tls13 && (keeps_tickets || c->hs->ticket != NULL))
        GUARD(ext_psk_modes_write(&w));
    if (c->hs->ticket != NULL) {
        GUARD(write_psk(c, &w, &binders_at, &binder_at));
        c->sent_psk = 1;
    }
    GUARD(wr_close_vec(&w, &v));
    GUARD(tls_hs_finish(&w, &body));
    if (c->hs->ticket == NULL)
        return tls_hs_commit(c, &w, NULL);
    GUARD(fill_binder(c, w.buf, binders_at, binder_at));
    return tls_hs_commit_hashed(c, &w, NULL, binders_at);
}

/* ---- server ---- */

static int client_hello_parse(const uint8_t *msg, size_t len, client_hello *ch)
{
    cursor c = cur_init(msg + 4, len - 4);
    GUARD(cur_u16(&c, &ch->legacy_version));
    GUARD(cur_bytes(&c, 32, &ch->random));
    GUARD(cur_vec(&c, 1, 0, 32, &ch->session_id));
    GUARD(cur_vec(&c, 2, 2, 0xfffe, &ch->suites));
    ENSURE(cur_remaining(&ch->suites) % 2 == 0, TENON_ERR_MALFORMED);
    GUARD(cur_vec(&c, 1, 1, 255, &ch->compression));
    /* A ClientHello with no extensions at all is from a client older than TLS 1.3 (RFC 5246
     * §7.4.1.2 allows it in TLS 1.2): the version decision is the handler's. */
    if (cur_remaining(&c) == 0) {
        memset(&ch->exts, 0, sizeof ch->exts);
        return TENON_OK;
    }
    GUARD(tls_exts_parse(&c, M_CH, 0, &ch->exts));
    return cur_finish(&c);
}

#define has ch_has

int ch_offers_suite(const client_hello *ch, uint16_t id)
{
    cursor walk = ch->suites;
    uint16_t s;
    while (cur_u16(&walk, &s) == TENON_OK)
        if (s == id)
            return 1;
    return 0;
}

static const tls_suite *select_suite(const tls_conn *c, const client_hello *ch)
{
    for (size_t i = 0; i < c->cfg->suite_count; i++)
        if (tls_suite_find(c->cfg->suites[i]) != NULL && ch_offers_suite(ch, c->cfg->suites[i]))
            return tls_suite_find(c->cfg->suites[i]);
    return NULL;
}

/* 1 if the ClientHello offers, among its PSK identities, one of our TLS 1.3 tickets whose
 * suite has hash h: a PSK the client must keep offering after a HelloRetryRequest (§4.1.2). */
static int offers_fitting_ticket(const tls_conn *c, const client_hello *ch,
                                 const tenon_hash_class *h)
{
    psk_offer offer;
    if (!has(ch, X_PRE_SHARED_KEY) || c->cfg->ticket_key_count == 0 ||
        ext_psk_parse_ch(ch->exts.body[X_PRE_SHARED_KEY], &offer) != TENON_OK)
        return 0;
    cursor ids = offer.identities;
    int fits = 0;
    for (size_t i = 0; i < offer.count && !fits; i++) {
        const uint8_t *id;
        size_t id_len;
        uint32_t age;
        tls_ticket_plain t;
        if (ext_psk_next_identity(&ids, &id, &id_len, &age) != TENON_OK)
            break;
        if (tls_ticket_open(c->cfg, id, id_len, &t) != TENON_OK)
            continue;
        const tls_suite *ts = t.version == TENON_TLS13 ? tls_suite_find(t.suite) : NULL;
        fits = ts != NULL && ts->hash == h;
        tenon_wipe(&t, sizeof t);
    }
    return fits;
}

/* §4.2.11: the first identity that is one of our tickets, for this suite's hash, not expired,
 * with a binder that verifies (checked in constant time; a wrong binder is decrypt_error).
 * The binder's truncated ClientHello goes into the transcript: *hashed receives its length (0
 * when no binder was checked), and the caller adds the rest of the message. */
static int select_psk(tls_conn *c, const client_hello *ch, const uint8_t *msg, int *selected,
                      size_t *hashed)
{
    *selected = -1;
    *hashed = 0;
    if (!has(ch, X_PRE_SHARED_KEY))
        return TENON_OK;
    /* §4.2.9: "If clients offer "pre_shared_key" without a "psk_key_exchange_modes"
     * extension, servers MUST abort the handshake." */
    ENSURE(has(ch, X_PSK_KEY_EXCHANGE_MODES), TENON_ERR_TLS_MISSING_EXTENSION);
    /* §4.2.11: "The "pre_shared_key" extension MUST be the last extension in the
     * ClientHello ... Servers MUST check that it is the last extension and otherwise fail the
     * handshake with an "illegal_parameter" alert." */
    ENSURE(ch->exts.psk_is_last, TENON_ERR_TLS_ILLEGAL_PARAMETER);
    psk_offer offer;
    GUARD(ext_psk_parse_ch(ch->exts.body[X_PRE_SHARED_KEY], &offer));
    if (!c->hs->client_psk_dhe || c->cfg->ticket_key_count == 0)
        return TENON_OK;
    const tenon_hash_class *h = c->suite->hash;
    int64_t now = tls_now_ms(c);
    cursor ids = offer.identities, binders = offer.binders;
    for (size_t i = 0; i < offer.count && i < 0xffff; i++) {
        const uint8_t *id, *binder;
        size_t id_len, binder_len;
        uint32_t age;
        GUARD(ext_psk_next_identity(&ids, &id, &id_len, &age));
        GUARD(ext_psk_next_binder(&binders, &binder, &binder_len));
        tls_ticket_plain t;
        if (tls_ticket_open(c->cfg, id, id_len, &t) != TENON_OK)
            continue;
        const tls_suite *ts = t.version == TENON_TLS13 ? tls_suite_find(t.suite) : NULL;
        /* The ticket's session must fit our client_auth and client certificate policy and be
         * younger than session_max_age_s (tls_ticket_session_ok); otherwise it is skipped. */
        int usable = ts != NULL && ts->hash == h && t.psk_len == h->digest_len &&
                     (int64_t)t.issued_ms <= now &&
                     now - (int64_t)t.issued_ms < (int64_t)t.lifetime_s * 1000 &&
                     tls_ticket_session_ok(c, &t);
        if (!usable) {
            tenon_wipe(&t, sizeof t);
            continue;
        }
        /* The truncated ClientHello ends where the binders vector starts. */
        size_t trunc = (size_t)(ch->exts.body[X_PRE_SHARED_KEY].p - msg) + offer.binders_at;
        uint8_t th[TLS13_MAX_HASH], binder_key[TLS13_MAX_HASH], expect[TLS13_MAX_HASH];
        tls13_schedule ks;
        /* Every exit wipes the ticket's PSK, the binder key and the expected binder. */
        int rc = tls13_early_secret(&ks, h, t.psk, t.psk_len, &c->trace);
        if (rc == TENON_OK)
            rc = tls13_binder_key(&ks, 0, binder_key, &c->trace);
        if (rc == TENON_OK)
            rc = tls_transcript_update_hash(&c->hs->tx, h, msg, trunc, th);
        if (rc == TENON_OK) {
            *hashed = trunc;
            rc = tls13_finished(h, binder_key, th, expect, &c->trace);
        }
        tenon_wipe(binder_key, sizeof binder_key);
        int ok = rc == TENON_OK && binder_len == h->digest_len &&
                 tenon_ct_memeq(expect, binder, binder_len);
#ifdef TENON_FUZZING
        ok = rc == TENON_OK && fuzzing_finished_ok(binder_len, h->digest_len);
#endif
        tenon_wipe(expect, sizeof expect);
        if (rc != TENON_OK) {
            tls13_schedule_wipe(&ks);
            tenon_wipe(&t, sizeof t);
            return rc;
        }
        if (!ok) {
            tls13_schedule_wipe(&ks);
            tenon_wipe(&t, sizeof t);
            return TENON_ERR_TLS_DECRYPT_ERROR;
        }
        /* The handshake goes on from this early secret (hs_derive_handshake_secrets). */
        c->hs->ks = ks;
        tls13_schedule_wipe(&ks);
        memcpy(c->hs->psk, t.psk, t.psk_len);
        c->hs->psk_len = t.psk_len;
        tls_ticket_take_session(c, &t);
        tenon_wipe(&t, sizeof t);
        tls_trace_emit(&c->trace, TENON_TRACE_VERIFIED, 0, "psk binder", NULL, 0);
        *selected = (int)i;
        return TENON_OK;
    }
    return TENON_OK;
}

/* Why no certificate of ours fits the peer's signature_algorithms (c->hs->peer_sigs): none of our
 * schemes is there at all, or some are but no key of ours signs with them. RFC 8446 §4.2.3:
 * rsa_pkcs1_* (and the SHA-1 legacy schemes) "are not defined for use in signed TLS handshake
 * messages", so in TLS 1.3 they are no scheme in common. */
int tls_no_cert_cause(const tls_conn *c)
{
    /* Our schemes: those our certificates sign with, each its own list or the
     * configuration's (which is ours alone when there is no certificate). */
    size_t certs = c->cfg->cert_count;
    for (size_t i = 0; i < certs || (certs == 0 && i == 0); i++) {
        size_t n;
        const uint16_t *ours = certs != 0 ? tls_cert_sign_schemes(c->cfg, &c->cfg->certs[i], &n)
                                          : tls_sign_schemes(c->cfg, &n);
        for (size_t j = 0; j < n; j++) {
            const tls_sig_scheme *s = tls_sig_scheme_find(ours[j]);
            if (c->version == TENON_TLS13 && s != NULL && s->key_type == TENON_KEY_RSA &&
                !s->rsa_pss)
                continue;
            if (c->version == TENON_TLS13 && s != NULL && s->hash == &tenon_sha1)
                continue;
            for (size_t k = 0; k < c->hs->peer_sig_count; k++)
                if (c->hs->peer_sigs[k] == ours[j])
                    return TENON_ERR_TLS_NO_CERT_FOR_PEER;
        }
    }
    return TENON_ERR_TLS_NO_COMMON_SIG_SCHEME;
}

/* §4.2.3 and §4.4.2.2: the first of our certificates whose key can sign with a scheme the
 * client offers, in our order of preference. §4.4.2.2: "If the server cannot produce a
 * certificate chain that is signed only via the indicated supported algorithms, then it SHOULD
 * continue the handshake by sending the client a certificate chain of its choice" applies to
 * the chain's signatures; the CertificateVerify must use an offered scheme (§4.4.3), so without
 * one there is no handshake (handshake_failure, as RFC 8446 §9.2's table has it). */
static int select_certificate(tls_conn *c)
{
    const tenon_config *cfg = c->cfg;
    for (size_t i = 0; i < cfg->cert_count; i++) {
        size_t n;
        const uint16_t *ours = tls_cert_sign_schemes(cfg, &cfg->certs[i], &n);
        for (size_t j = 0; j < n; j++) {
            const tls_sig_scheme *s = tls_sig_scheme_find(ours[j]);
            if (!tls_sig_scheme_fits(s, cfg->certs[i].key))
                continue;
            for (size_t k = 0; k < c->hs->peer_sig_count; k++)
                if (c->hs->peer_sigs[k] == s->id) {
                    c->cert = &cfg->certs[i];
                    c->hs->our_sig_scheme = s->id;
                    return TENON_OK;
                }
        }
    }
    return tls_no_cert_cause(c);
}

/* RFC 7301 §3.2: the server's most preferred protocol that the client offers. */
int tls_select_alpn(tls_conn *c, const client_hello *ch)
{
    if (!has(ch, X_ALPN))
        return TENON_OK;
    cursor list;
    size_t count;
    GUARD(ext_alpn_parse(ch->exts.body[X_ALPN], &list, &count));
    if (c->cfg->alpn_count == 0)
        return TENON_OK;
    for (size_t i = 0; i < c->cfg->alpn_count; i++) {
        size_t n = strlen(c->cfg->alpn[i]);
        cursor walk = list;
        cursor name;
        while (cur_vec(&walk, 1, 1, 255, &name) == TENON_OK)
            if (name.len == n && memcmp(name.p, c->cfg->alpn[i], n) == 0) {
                c->alpn = (uint8_t)(i + 1); /* i < TENON_MAX_ALPN */
                return TENON_OK;
            }
    }
    /* RFC 7301 §3.2: "the server MUST respond with a fatal "no_application_protocol"". */
    return TENON_ERR_TLS_NO_APPLICATION_PROTOCOL;
}

int tls_take_sni(tls_conn *c, const client_hello *ch)
{
    if (!has(ch, X_SERVER_NAME))
        return TENON_OK;
    const uint8_t *name;
    size_t n;
    GUARD(ext_server_name_parse_ch(ch->exts.body[X_SERVER_NAME], &name, &n));
    if (n > 0 && n <= TENON_MAX_SERVER_NAME && memchr(name, 0, n) == NULL) {
        memcpy(c->sni, name, n);
        c->sni[n] = 0;
        c->sni_len = n;
    }
    return TENON_OK;
}

/* §4.2.7, §4.2.8: the group (ours, in our order, among the client's supported_groups), the
 * client's share for it if there is one, and the number of shares. Clients may offer groups and
 * shares we do not know, as many as the message holds (§9.3: "servers MUST ignore unrecognized
 * values"): the lists are walked, not copied. Every share was checked for its form by the
 * parser; for the groups we know, "Clients MUST NOT offer multiple KeyShareEntry values for the
 * same group ... [or] for a group not listed in the client's "supported_groups"" is enforced
 * (illegal_parameter). Such shares are few (one per group we know, or the check fails), so
 * looking back over the list for each costs little. *group is NULL when there is none in
 * common: the caller decides (after choosing the suite) what that means. */
static int select_group(const tls_conn *c, const client_hello *ch, const tenon_kex_class **group,
                        ks_entry *share, int *have_share, size_t *nshares)
{
    const tenon_config *cfg = c->cfg;
    cursor groups, shares;
    GUARD(ext_supported_groups_parse(ch->exts.body[X_SUPPORTED_GROUPS], &groups));
    GUARD(ext_key_share_parse_ch(ch->exts.body[X_KEY_SHARE], &shares, nshares));
    *group = NULL;
    *have_share = 0;
    for (size_t i = 0; i < cfg->group_count && *group == NULL; i++)
        if (tls_group_usable(cfg, cfg->groups[i], TENON_TLS13) &&
            ext_supported_groups_has(groups, cfg->groups[i]->tls_group))
            *group = cfg->groups[i];
    cursor walk = shares;
    while (cur_remaining(&walk) > 0) {
        const uint8_t *at = walk.p;
        ks_entry e, earlier;
        GUARD(ext_key_share_next(&walk, &e));
        int ours = *group != NULL && e.group == (*group)->tls_group;
        if (!ours && tls_group_find(e.group) == NULL)
            continue;
        ENSURE(ext_supported_groups_has(groups, e.group), TENON_ERR_TLS_ILLEGAL_PARAMETER);
        cursor back = cur_init(shares.p, (size_t)(at - shares.p));
        while (cur_remaining(&back) > 0) {
            GUARD(ext_key_share_next(&back, &earlier));
            ENSURE(earlier.group != e.group, TENON_ERR_TLS_ILLEGAL_PARAMETER);
        }
        if (ours) {
            *share = e;
            *have_share = 1;
        }
    }
    return TENON_OK;
}

int hs_client_hello_recv(tls_conn *c, const uint8_t *msg, size_t len)
{
    client_hello ch;
    const tenon_config *cfg = c->cfg;
    int second = c->state == ST_S_WAIT_CH2;
    int we13 = tls_version_on(cfg, TENON_TLS13), we12 = tls_version_on(cfg, TENON_TLS12);
    if (!second)
        c->start_ms = tls_now_ms(c);
    GUARD(client_hello_parse(msg, len, &ch));
    tls_offer_client_hello(c, &ch);
    /* The client's random, for both versions: the TLS 1.2 key derivation and the key log
     * lines (NSS format: keyed by it) of either version. A second ClientHello repeats it
     * (RFC 8446 §4.1.2). */
    memcpy(c->hs->client_random, ch.random, 32);
    /* RFC 8446 §D.5: "Any endpoint receiving a Hello message with ClientHello.legacy_version or
     * ServerHello.legacy_version set to 0x0300 MUST abort the handshake with a
     * "protocol_version" alert" (and so for anything older), whatever supported_versions
     * says. */
    ENSURE(ch.legacy_version > 0x0300, TENON_ERR_TLS_PROTOCOL_VERSION);

    /* RFC 8446 §4.2.1: TLS 1.3 only if supported_versions lists it; without the extension the
     * client's version is legacy_version (RFC 5246 §7.4.1.2). */
    int they13 = 0, they12 = 0;
    if (has(&ch, X_SUPPORTED_VERSIONS))
        GUARD(
            ext_supported_versions_parse_ch(ch.exts.body[X_SUPPORTED_VERSIONS], &they13, &they12));
    else
        they12 = ch.legacy_version >= TENON_TLS12;
    if (!(we13 && they13)) {
        /* A second ClientHello answers a HelloRetryRequest, which is TLS 1.3. */
        ENSURE(!second, TENON_ERR_TLS_PROTOCOL_VERSION);
        /* TLS 1.2 has no post-quantum key exchange (tenon_config.require_post_quantum). */
        ENSURE(!(cfg->require_post_quantum && they12), TENON_ERR_TLS_PQ_REQUIRED);
        /* RFC 8446 §6.2: "protocol_version: The protocol version the peer has attempted to
         * negotiate is recognized but not supported". */
        ENSURE(we12 && they12, TENON_ERR_TLS_NO_COMMON_VERSION);
        c->version = TENON_TLS12;
        return hs12_client_hello_recv(c, &ch, msg, len);
    }
    c->version = TENON_TLS13;
    /* §4.1.2: "For every TLS 1.3 ClientHello, this vector MUST contain exactly one byte, set
     * to zero ... otherwise ... illegal_parameter". */
    ENSURE(ch.compression.len == 1 && ch.compression.p[0] == 0, TENON_ERR_TLS_ILLEGAL_PARAMETER);
    /* §4.2.1: with supported_versions present, "servers MUST NOT use the
     * ClientHello.legacy_version value for version negotiation": 0x0301 or 0x0302 there (which
     * §4.1.2 forbids clients to send) is ignored, as other servers do; 0x0300 and older failed
     * above (§D.5). */

    /* §9.2: supported_groups and key_share come together; tenon requires (EC)DHE. */
    ENSURE(has(&ch, X_SUPPORTED_GROUPS) && has(&ch, X_KEY_SHARE), TENON_ERR_TLS_MISSING_EXTENSION);
    const tenon_kex_class *group;
    ks_entry share = {0, NULL, 0};
    int have_share;
    size_t nshares;
    GUARD(select_group(c, &ch, &group, &share, &have_share, &nshares));
    if (has(&ch, X_SIGNATURE_ALGORITHMS))
        GUARD(ext_sig_algs_parse(ch.exts.body[X_SIGNATURE_ALGORITHMS], c->hs->peer_sigs,
                                 TLS_MAX_PEER_SIGS, &c->hs->peer_sig_count));
    /* §4.2.9: the modes the client announces decide whether it may resume, and whether it is
     * given tickets at all (hs_server_after_client_finished). */
    int dhe = 0;
    if (has(&ch, X_PSK_KEY_EXCHANGE_MODES))
        GUARD(ext_psk_modes_parse(ch.exts.body[X_PSK_KEY_EXCHANGE_MODES], &dhe));
    c->hs->client_psk_dhe = (uint8_t)dhe;
    GUARD(tls_take_sni(c, &ch));
    GUARD(tls_take_status_requests(c, &ch));
    if (has(&ch, X_EARLY_DATA)) {
        GUARD(ext_early_data_parse_ch(ch.exts.body[X_EARLY_DATA]));
        /* §4.2.10: early data is rejected by answering without the extension; the records
         * that follow are skipped. After a HelloRetryRequest there must be none (§4.2.10:
         * "A client MUST NOT include the "early_data" extension in its followup
         * ClientHello"). */
        ENSURE(!second, TENON_ERR_TLS_ILLEGAL_PARAMETER);
        c->skip_early_data = 1;
        c->early_data_budget = TLS_EARLY_DATA_SKIP_LIMIT;
    }

    /* The suite: ours in our order. After a HelloRetryRequest the client must not make us
     * change it (§4.1.4: the ServerHello's suite must be the HelloRetryRequest's). */
    const tls_suite *suite = select_suite(c, &ch);
    ENSURE(suite != NULL, TENON_ERR_TLS_NO_COMMON_SUITE);
    if (second) {
        ENSURE(suite == c->suite, TENON_ERR_TLS_ILLEGAL_PARAMETER);
        ENSURE(ch.session_id.len == c->hs->session_id_len &&
                   memcmp(ch.session_id.p, c->hs->session_id, c->hs->session_id_len) == 0,
               TENON_ERR_TLS_ILLEGAL_PARAMETER);
    } else {
        c->suite = suite;
        GUARD(tls_transcript_select(&c->hs->tx, suite->hash));
        c->hs->session_id_len = ch.session_id.len;
        memcpy(c->hs->session_id, ch.session_id.p, ch.session_id.len);
    }

    /* The group: ours in our order among the client's supported_groups. */
    /* §4.1.1: "If the server is unable to negotiate a supported set of parameters ... it MUST
     * abort the handshake with either a "handshake_failure" or "insufficient_security"". */
    ENSURE(group != NULL,
           cfg->require_post_quantum ? TENON_ERR_TLS_PQ_REQUIRED : TENON_ERR_TLS_NO_COMMON_GROUP);
    if (second) {
        /* §4.1.4: the client's new key_share must be for the group we asked for, alone. */
        ENSURE(group == c->hs->hrr_group && have_share && nshares == 1,
               TENON_ERR_TLS_ILLEGAL_PARAMETER);
    } else if (!have_share) {
        /* §4.1.4: no share for the group we want: ask for it. */
        c->hs->hrr_group = group;
        c->hrr = 1;
        c->hs->ch1_psk_fits = (uint8_t)offers_fitting_ticket(c, &ch, suite->hash);
        tls_note(c, "HelloRetryRequest: the client sent no share for our preferred group");
        tls_transcript_update(&c->hs->tx, msg, len);
        GUARD(tls_transcript_hrr_rewrite(&c->hs->tx));
        GUARD(hs_hello_retry_request_send(c));
        if (c->hs->session_id_len > 0)
            GUARD(tls_send_ccs(c));
        c->state = ST_S_WAIT_CH2;
        return TENON_OK;
    }

    /* Resumption, then (for a full handshake) the certificate. */
    int psk_index = -1;
    size_t hashed = 0;
    GUARD(select_psk(c, &ch, msg, &psk_index, &hashed));
    /* §4.1.2: the second ClientHello may drop only the PSKs "incompatible with the server's
     * indicated cipher suite": one of ours that fits must still be offered (the same
     * consistency the other fields get, illegal_parameter; a malformed offer was decode_error
     * above). */
    ENSURE(!second || !c->hs->ch1_psk_fits || offers_fitting_ticket(c, &ch, c->suite->hash),
           TENON_ERR_TLS_ILLEGAL_PARAMETER);
    c->resumed = psk_index >= 0;
    if (!c->resumed) {
        /* §9.2: "If not containing a "pre_shared_key" extension, it MUST contain ... a
         * "signature_algorithms" extension". */
        ENSURE(has(&ch, X_SIGNATURE_ALGORITHMS), TENON_ERR_TLS_MISSING_EXTENSION);
        GUARD(select_certificate(c));
        GUARD(tls_choose_ocsp(c));
    }
    GUARD(tls_select_alpn(c, &ch));
    GUARD(tls_rsl_client_hello(c, &ch.exts));
    tls_transcript_update(&c->hs->tx, msg + hashed, len - hashed);
    if (tls_trace_on(&c->trace)) {
        tls_note(c, suite->name);
        tls_note(c, group->name);
        if (c->resumed)
            tls_note(c, "resuming with a session ticket (psk_dhe_ke)");
    }

    /* (EC)DHE or a hybrid KEM: our share and the shared secret, from the client's share, which
     * the group checks first (§4.2.8.2 for the curves, FIPS 203 §7.2 for an ML-KEM
     * encapsulation key; illegal_parameter otherwise). */
    uint8_t shared[TENON_KEX_MAX_SHARED_LEN], server_share[TENON_KEX_MAX_SHARE_LEN];
    int rc = tls_kex_encapsulate(c, group, share.key, share.key_len, server_share, shared);
    if (rc == TENON_OK)
        rc = hs_server_hello_send(c, psk_index, server_share);
    if (rc == TENON_OK && c->hs->session_id_len > 0 && !c->hrr)
        rc = tls_send_ccs(c);
    if (rc == TENON_OK)
        rc = hs_derive_handshake_secrets(c, shared, group->shared_len);
    tenon_wipe(shared, sizeof shared);
    GUARD(rc);
    return hs_server_flight(c);
}
