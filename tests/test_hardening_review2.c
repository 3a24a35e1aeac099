/*
 * Issue 11, second review of items 13, 18 (tickets), 14, 15, 17 (x509 and configuration), 21
 * and 5 (negotiation errors, key log): what the first pass left open, each check failing
 * before its fix.
 *
 * - A server resumes a session only for the server_name it was established for (RFC 6066 §3:
 *   "A server that implements this extension MUST NOT accept the request to resume the session
 *   if the server_name extension contains a different name"), TLS 1.3 and TLS 1.2.
 * - A client's ticket is bound to its trust anchors as certificates, not only their keys: an
 *   anchor's own validity and constraints are part of the verification (RFC 5280 §6.1 takes
 *   them from the anchor certificate tenon is given), so two stores whose anchors share a key
 *   are two policies.
 * - tenon_config_check refuses the settings of the other role that nothing would read: a
 *   server's insecure_skip_verify without client_auth (as its trust store already was), a
 *   client's client_auth (as a server's skip_hostname_check already was).
 * - tenon_conn_peer_offer before any hello and around a HelloRetryRequest (correct already).
 */
#include "test_tls13_harness.h"

static uint16_t VERSION;
static tenon_ticket SLOTS[4];
static tenon_ticket_store STORE;

static void versions(tenon_config *cfg)
{
    cfg->min_version = cfg->max_version = VERSION;
}

static void client(const char *name)
{
    client_config(&CLIENT.cfg);
    versions(&CLIENT.cfg);
    CLIENT.cfg.server_name = name;
    CLIENT.cfg.ticket_store = &STORE;
}

static void server(void)
{
    server_config(&SERVER.cfg, CERT_P256);
    versions(&SERVER.cfg);
    memset(SERVER.cfg.ticket_keys[0].name, 0x5e, 16);
    memset(SERVER.cfg.ticket_keys[0].key, 0x17, 32);
    SERVER.cfg.ticket_key_count = 1;
}

/* The one stored ticket. */
static tenon_ticket *stored(void)
{
    for (size_t i = 0; i < ARRAY_LEN(SLOTS); i++)
        if (SLOTS[i].in_use == 1)
            return &SLOTS[i];
    return NULL;
}

/* Accepts any chain: the client then checks no name and the SNI alone decides. */
static int accept_any(void *user, const tenon_bytes *chain, size_t count, const char *name)
{
    (void)user, (void)chain, (void)count, (void)name;
    return 0;
}

/* ---- RFC 6066 §3: a session belongs to its server_name ---- */

static void test_sni_binding(void)
{
    /* A session established for "localhost", its ticket then offered (by a client whose
     * policy matches: a callback that checks no name) with SNI "other.test". */
    tenon_ticket_store_init(&STORE, SLOTS, ARRAY_LEN(SLOTS));
    client("localhost");
    CLIENT.cfg.trust = NULL;
    CLIENT.cfg.verify_fn = accept_any;
    CLIENT.cfg.skip_hostname_check = 1;
    server();
    reconnect();
    CHECK(resume_outcome(VERSION) == 0);
    tenon_ticket *t = stored();
    if (!CHECK(t != NULL))
        return;
    /* The same name resumes (no regression), and so does its own next ticket. */
    reconnect();
    CHECK(resume_outcome(VERSION) == 1);
    t = stored();
    if (!CHECK(t != NULL))
        return;
    tenon_ticket keep = *t;
    snprintf(t->server_name, sizeof t->server_name, "%s", "other.test");
    CLIENT.cfg.server_name = "other.test";
    reconnect();
    CHECK(resume_outcome(VERSION) ==
          0); /* was 1: the server resumed "localhost"'s session for "other.test" */
    tenon_conn_info si;
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(si.server_name.len == 10 && memcmp(si.server_name.ptr, "other.test", 10) == 0);
    /* The name compares as DNS names do: in any case. */
    *t = keep;
    snprintf(t->server_name, sizeof t->server_name, "%s", "LocalHost");
    CLIENT.cfg.server_name = "LocalHost";
    reconnect();
    CHECK(resume_outcome(VERSION) == 1);
    /* A session without SNI (an IP literal) is not resumed with one, nor the reverse. */
    t = stored();
    if (!CHECK(t != NULL))
        return;
    snprintf(t->server_name, sizeof t->server_name, "%s", "127.0.0.1");
    CLIENT.cfg.server_name = "127.0.0.1";
    reconnect();
    CHECK(resume_outcome(VERSION) == 0);
    reconnect();
    CHECK(resume_outcome(VERSION) == 1); /* its own ticket, without SNI */
    t = stored();
    if (!CHECK(t != NULL))
        return;
    snprintf(t->server_name, sizeof t->server_name, "%s", "localhost");
    CLIENT.cfg.server_name = "localhost";
    reconnect();
    CHECK(resume_outcome(VERSION) == 0);
}

/* ---- the trust anchors are certificates ---- */

static void test_anchor_certificates(void)
{
    /* The test CA again, same key and name, but expired: an application that replaced its
     * anchor, or a store another process loaded. */
    static uint8_t old_der[1024];
    size_t old_len = 0;
    int64_t now = (int64_t)time(NULL);
    tenon_x509_issue_params cp;
    memset(&cp, 0, sizeof cp);
    cp.subject_cn = "tenon test CA";
    cp.not_before = now - 86400 * 30;
    cp.not_after = now - 86400;
    cp.is_ca = 1;
    cp.path_len = 0;
    cp.key_usage = TENON_KU_KEY_CERT_SIGN | TENON_KU_CRL_SIGN;
    CHECK_RC(tenon_x509_issue(&cp, &PKI.ca_key.pub, NULL, &PKI.ca_key, old_der, sizeof old_der,
                              &old_len),
             0);
    static tenon_x509_cert roots_now[1], roots_old[1];
    static tenon_x509_store store_now, store_old;
    tenon_x509_store_init(&store_now, roots_now, 1);
    tenon_x509_store_init(&store_old, roots_old, 1);
    CHECK_RC(tenon_x509_store_add_der(&store_now, PKI.ca_der, PKI.ca_len), 0);
    CHECK_RC(tenon_x509_store_add_der(&store_old, old_der, old_len), 0);
    CHECK(roots_now[0].spki.len == roots_old[0].spki.len &&
          memcmp(roots_now[0].spki.ptr, roots_old[0].spki.ptr, roots_now[0].spki.len) == 0);

    /* Under the expired anchor the server is refused. */
    tenon_ticket_store_init(&STORE, SLOTS, ARRAY_LEN(SLOTS));
    client("localhost");
    CLIENT.cfg.trust = &store_old;
    server();
    reconnect();
    CHECK(resume_outcome(VERSION) == -1);
    CHECK_RC(tenon_conn_error(&CLIENT.conn), TENON_ERR_CERT_EXPIRED);
    /* A ticket obtained under the valid one resumes under it (no regression) ... */
    CLIENT.cfg.trust = &store_now;
    reconnect();
    CHECK(resume_outcome(VERSION) == 0);
    reconnect();
    CHECK(resume_outcome(VERSION) == 1);
    /* ... and is not offered under the expired one: its full handshake fails as above. */
    CLIENT.cfg.trust = &store_old;
    reconnect();
    CHECK(resume_outcome(VERSION) == -1); /* was 1: resumed on the strength of the other anchor */
    CHECK_RC(tenon_conn_error(&CLIENT.conn), TENON_ERR_CERT_EXPIRED);
}

/* ---- tenon_config_check: every contradiction ---- */

static void test_config(void)
{
    /* A server's insecure_skip_verify is about client certificates: without client_auth it
     * would be ignored, as a trust store would (which was already refused). */
    tenon_config cfg;
    const char *why = NULL;
    server_config(&cfg, CERT_P256);
    cfg.insecure_skip_verify = 1;
    CHECK_RC(tenon_config_check(&cfg, &why), TENON_ERR_TLS_CONFIG);
    CHECK(why != NULL && strstr(why, "insecure_skip_verify") != NULL &&
          strstr(why, "client_auth") != NULL);
    cfg.client_auth = TENON_CLIENT_AUTH_REQUEST;
    CHECK_RC(tenon_config_check(&cfg, &why), 0);
    /* client_auth on a client, as skip_hostname_check on a server: a setting of the other
     * role, which nothing would read. */
    client_config(&cfg);
    cfg.client_auth = TENON_CLIENT_AUTH_REQUIRE;
    CHECK_RC(tenon_config_check(&cfg, &why), TENON_ERR_TLS_CONFIG);
    CHECK(why != NULL && strstr(why, "client_auth") != NULL);
    cfg.client_auth = TENON_CLIENT_AUTH_NONE;
    CHECK_RC(tenon_config_check(&cfg, &why), 0);
}

/* ---- tenon_conn_peer_offer around a HelloRetryRequest ---- */

static void test_offer_after_hrr(void)
{
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.groups[0] = &tenon_kex_secp256r1;
    SERVER.cfg.group_count = 1;
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    tenon_peer_offer o;
    /* Nothing received yet, on either side. */
    CHECK_RC(tenon_conn_peer_offer(&SERVER.conn, &o), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tenon_conn_peer_offer(&CLIENT.conn, &o), TENON_ERR_INVALID_ARGUMENT);
    /* ClientHello1 in, HelloRetryRequest out: the server has the first offer (X25519MLKEM768
     * and X25519 shares), the client the HelloRetryRequest's selected group (no share). */
    transfer(&CLIENT.conn, &SERVER.conn);
    CHECK_RC(tenon_conn_peer_offer(&SERVER.conn, &o), 0);
    CHECK(o.key_share_count == 2 && o.key_shares[0] == 0x11ec && o.key_shares[1] == 0x001d);
    transfer(&SERVER.conn, &CLIENT.conn);
    CHECK_RC(tenon_conn_peer_offer(&CLIENT.conn, &o), 0);
    CHECK(o.group_count == 1 && o.groups[0] == 0x0017 && o.key_share_count == 0);
    /* Then the second ClientHello and the ServerHello replace them. */
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK_RC(tenon_conn_peer_offer(&SERVER.conn, &o), 0);
    CHECK(o.key_share_count == 1 && o.key_shares[0] == 0x0017);
    CHECK_RC(tenon_conn_peer_offer(&CLIENT.conn, &o), 0);
    CHECK(o.group_count == 1 && o.groups[0] == 0x0017 && o.key_share_count == 1 &&
          o.key_shares[0] == 0x0017 && o.suite_count == 1);
}

int main(void)
{
    tu_seed(0x2e72);
    if (!CHECK(pki_setup() == 0))
        return tu_finish("test_hardening_review2");
    test_config();
    test_offer_after_hrr();
    const uint16_t versions_tested[] = {TENON_TLS13, TENON_TLS12};
    for (size_t i = 0; i < ARRAY_LEN(versions_tested); i++) {
        VERSION = versions_tested[i];
        printf("  TLS %s\n", VERSION == TENON_TLS13 ? "1.3" : "1.2");
        test_sni_binding();
        test_anchor_certificates();
    }
    return tu_finish("test_hardening_review2");
}
