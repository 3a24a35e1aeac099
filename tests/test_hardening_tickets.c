/*
 * Issue 11, items 13 and 18: session tickets bound to the verification policy that
 * authenticated the peer, and resumption chains that end.
 *
 * 13. A ticket obtained under insecure_skip_verify, another trust store or another verify_fn
 *     (verify_id) is not offered by a stricter client configuration: against a server whose
 *     certificate that configuration refuses, the full handshake then fails as it must. On the
 *     server, a ticket carries the client's leaf (its SHA-256, reported again on resumption)
 *     and is resumed as client-authenticated only under the same client-certificate policy; a
 *     session without a client certificate is not resumed by a server requiring one.
 * 18. Every ticket of a resumption chain carries the chain's full handshake time: the advertised
 *     lifetime never outlasts session_max_age_s (default 7 days), neither side resumes past
 *     it, and the next full handshake starts a new chain.
 * Each for TLS 1.3 and TLS 1.2 (RFC 5077 tickets), in memory.
 */
#include "test_tls13_harness.h"

static int64_t NOW_MS;

static int64_t test_clock(void *user)
{
    (void)user;
    return NOW_MS;
}

#define DAY_MS (86400LL * 1000)

static uint16_t VERSION;
static tenon_ticket SLOTS[4];
static tenon_ticket_store STORE;

/* A "rogue" server certificate for localhost: self-signed, in no store but its own. */
static uint8_t ROGUE_DER[1024];
static size_t ROGUE_LEN;
static tenon_private_key ROGUE_KEY;
static tenon_x509_cert ROGUE_ROOT[1], LEGIT_ROOTS[1];
static tenon_x509_store ROGUE_STORE, LEGIT_STORE; /* its own; the test CA alone */

static int make_rogue(void)
{
    int64_t now = NOW_MS / 1000;
    tenon_x509_issue_params p;
    memset(&p, 0, sizeof p);
    p.subject_cn = "tenon rogue server"; /* not the RSA anchor's subject name */
    p.not_before = now - 3600;
    p.not_after = now + 86400 * 60;
    p.path_len = -1;
    p.key_usage = TENON_KU_DIGITAL_SIGNATURE;
    p.ext_key_usage = TENON_EKU_SERVER_AUTH | TENON_EKU_CLIENT_AUTH;
    p.dns_names[0] = "localhost";
    ROGUE_KEY.type = TENON_KEY_EC;
    if (tenon_ec_keygen(TENON_EC_P256, &ROGUE_KEY.u.ec) != 0 ||
        tenon_x509_issue(&p, &ROGUE_KEY.u.ec.pub, NULL, &ROGUE_KEY.u.ec, ROGUE_DER,
                         sizeof ROGUE_DER, &ROGUE_LEN) != 0)
        return -1;
    tenon_x509_store_init(&ROGUE_STORE, ROGUE_ROOT, 1);
    tenon_x509_store_init(&LEGIT_STORE, LEGIT_ROOTS, 1);
    if (tenon_x509_store_add_der(&ROGUE_STORE, ROGUE_DER, ROGUE_LEN) != 0 ||
        tenon_x509_store_add_der(&LEGIT_STORE, PKI.ca_der, PKI.ca_len) != 0)
        return -1;
    return 0;
}

static void versions(tenon_config *cfg)
{
    cfg->min_version = cfg->max_version = VERSION;
    cfg->time_fn = test_clock;
}

/* A client with the ticket store, trusting the test PKI. */
static void client(void)
{
    client_config(&CLIENT.cfg);
    versions(&CLIENT.cfg);
    CLIENT.cfg.ticket_store = &STORE;
}

static void ticket_keys(tenon_config *cfg)
{
    memset(cfg->ticket_keys[0].name, 0x71, 16);
    memset(cfg->ticket_keys[0].key, 0x29, 32);
    cfg->ticket_key_count = 1;
}

/* The test PKI's server (P-256 leaf under the test CA), or the rogue one; same ticket keys. */
static void server(int rogue)
{
    tenon_config_init(&SERVER.cfg, TENON_SERVER);
    if (rogue) {
        tenon_bytes chain[1] = {{ROGUE_DER, ROGUE_LEN}};
        if (tenon_config_add_cert(&SERVER.cfg, chain, 1, &ROGUE_KEY, NULL) != 0)
            abort();
    } else if (add_cert(&SERVER.cfg, CERT_P256) != 0) {
        abort();
    }
    versions(&SERVER.cfg);
    ticket_keys(&SERVER.cfg);
}

static void add_client_cert(const uint8_t *der, size_t len, const tenon_private_key *key)
{
    tenon_bytes chain[1] = {{der, len}};
    if (tenon_config_add_cert(&CLIENT.cfg, chain, 1, key, NULL) != 0)
        abort();
}

/* A connection that fails: side's error is err. */
static void refused(tenon_conn *side, int err)
{
    reconnect();
    CHECK(resume_outcome(VERSION) == -1);
    CHECK_RC(tenon_conn_error(side), err);
}

static int stored(void)
{
    for (size_t i = 0; i < ARRAY_LEN(SLOTS); i++)
        if (SLOTS[i].in_use == 1)
            return 1;
    return 0;
}

/* A full handshake that leaves a ticket in the store. */
static void full_with_ticket(void)
{
    reconnect();
    CHECK(resume_outcome(VERSION) == 0 && stored());
}

static void fresh_store(void)
{
    tenon_ticket_store_init(&STORE, SLOTS, ARRAY_LEN(SLOTS));
}

/* ---- 13: the client's policy ---- */

static int accept_any(void *user, const tenon_bytes *chain, size_t count, const char *name)
{
    (void)user, (void)chain, (void)count, (void)name;
    return 0;
}

/* Pins the test PKI's P-256 leaf. */
static int pin_p256(void *user, const tenon_bytes *chain, size_t count, const char *name)
{
    (void)user, (void)name;
    if (count > 0 && chain[0].len == PKI.p256_len &&
        memcmp(chain[0].ptr, PKI.p256_der, PKI.p256_len) == 0)
        return 0;
    return TENON_ERR_TLS_BAD_CERTIFICATE;
}

static void test_client_policy(void)
{
    /* No regression: a strict ticket resumes a strict connection. */
    fresh_store();
    client();
    server(0);
    full_with_ticket();
    reconnect();
    CHECK(resume_outcome(VERSION) == 1);

    /* A ticket from a connection that skipped verification (to the rogue server) is not
     * offered by a strict client: its full handshake refuses the rogue certificate. */
    fresh_store();
    client();
    CLIENT.cfg.trust = NULL;
    CLIENT.cfg.insecure_skip_verify = 1;
    server(1);
    full_with_ticket();
    client();
    refused(&CLIENT.conn, TENON_ERR_CERT_UNKNOWN_ISSUER);

    /* Another trust store: the rogue server trusted by one store, its ticket not offered under
     * the test PKI's. */
    fresh_store();
    client();
    CLIENT.cfg.trust = &ROGUE_STORE;
    full_with_ticket();
    client();
    refused(&CLIENT.conn, TENON_ERR_CERT_UNKNOWN_ISSUER);
    /* Anchors that differ by one: the test CA alone vs the CA and the RSA certificate. */
    fresh_store();
    client();
    server(0);
    full_with_ticket();
    CLIENT.cfg.trust = &LEGIT_STORE;
    reconnect();
    CHECK(resume_outcome(VERSION) == 0);
    reconnect();
    CHECK(resume_outcome(VERSION) == 1);

    /* Another verify_fn policy: a ticket of an accept-anything callback is not offered under a
     * pinning one, which then refuses the rogue server. */
    fresh_store();
    client();
    CLIENT.cfg.trust = NULL;
    CLIENT.cfg.verify_fn = accept_any;
    CLIENT.cfg.verify_id = (tenon_bytes){(const uint8_t *)"accept-any", 10};
    server(1);
    full_with_ticket();
    CLIENT.cfg.verify_fn = pin_p256;
    CLIENT.cfg.verify_id = (tenon_bytes){(const uint8_t *)"pin-p256", 8};
    refused(&CLIENT.conn, TENON_ERR_TLS_BAD_CERTIFICATE);
    /* The same id resumes, in another "process" too (an equal config, another address). */
    fresh_store();
    server(0);
    full_with_ticket();
    static tenon_config other;
    other = CLIENT.cfg;
    other.verify_id = (tenon_bytes){(const uint8_t *)"pin-p256x", 8}; /* same bytes, new view */
    CLIENT.cfg = other;
    reconnect();
    CHECK(resume_outcome(VERSION) == 1);
    /* A trust store with the callback is another policy than the callback alone. */
    client();
    CLIENT.cfg.trust = &PKI.store;
    CLIENT.cfg.verify_fn = pin_p256;
    reconnect();
    CHECK(resume_outcome(VERSION) == 0);

    /* The client reports the server's leaf on a full and on a resumed handshake. */
    uint8_t want[32];
    tenon_hash(&tenon_sha256, PKI.p256_der, PKI.p256_len, want);
    fresh_store();
    client();
    for (int round = 0; round < 2; round++) {
        reconnect();
        tenon_conn_info ci;
        CHECK(resume_outcome(VERSION) == round);
        CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
        CHECK(ci.has_peer_leaf_hash);
        CHECK_MEM(ci.peer_leaf_sha256, want, 32, "server leaf hash");
    }
}

/* ---- 13: the server's client-certificate policy ---- */

/* A client with the test PKI's client certificate, a server asking for it in mode. */
static void client_auth_setup(tenon_client_auth mode)
{
    fresh_store();
    client();
    add_client_cert(PKI.client_der, PKI.client_len, &PKI.client_key);
    server(0);
    SERVER.cfg.client_auth = mode;
    SERVER.cfg.trust = &PKI.store;
}

static void test_server_client_auth(void)
{
    uint8_t want[32];
    tenon_conn_info si;
    tenon_hash(&tenon_sha256, PKI.client_der, PKI.client_len, want);

    /* REQUEST with a client certificate: the leaf's hash on the full handshake and again on
     * the resumed one, which is client-authenticated. */
    client_auth_setup(TENON_CLIENT_AUTH_REQUEST);
    for (int round = 0; round < 3; round++) {
        reconnect();
        CHECK(resume_outcome(VERSION) == (round > 0));
        CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
        CHECK(si.client_authenticated && si.has_peer_leaf_hash);
        CHECK_MEM(si.peer_leaf_sha256, want, 32, "client leaf hash");
    }
    /* The same policy under REQUIRE resumes the authenticated session. */
    SERVER.cfg.client_auth = TENON_CLIENT_AUTH_REQUIRE;
    reconnect();
    CHECK(resume_outcome(VERSION) == 1);
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(si.client_authenticated && si.has_peer_leaf_hash);

    /* A session without client authentication is not resumed by a REQUIRE server. */
    fresh_store();
    client();
    add_client_cert(PKI.client_der, PKI.client_len, &PKI.client_key);
    server(0);
    full_with_ticket();
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(!si.client_authenticated && !si.has_peer_leaf_hash);
    SERVER.cfg.client_auth = TENON_CLIENT_AUTH_REQUIRE;
    SERVER.cfg.trust = &PKI.store;
    reconnect();
    CHECK(resume_outcome(VERSION) == 0);
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(si.client_authenticated && si.has_peer_leaf_hash);
    CHECK_MEM(si.peer_leaf_sha256, want, 32, "client leaf hash");
    /* ... but by a REQUEST one, unauthenticated (it accepts clients without certificates). */
    fresh_store();
    client();
    server(0);
    full_with_ticket();
    SERVER.cfg.client_auth = TENON_CLIENT_AUTH_REQUEST;
    SERVER.cfg.trust = &PKI.store;
    reconnect();
    CHECK(resume_outcome(VERSION) == 1);
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(!si.client_authenticated && !si.has_peer_leaf_hash);

    /* A client certificate accepted without verification (insecure_skip_verify on the server)
     * does not become authenticated under a server that verifies: a full handshake, where the
     * rogue certificate is refused. */
    fresh_store();
    client();
    add_client_cert(ROGUE_DER, ROGUE_LEN, &ROGUE_KEY);
    server(0);
    SERVER.cfg.client_auth = TENON_CLIENT_AUTH_REQUIRE;
    SERVER.cfg.insecure_skip_verify = 1;
    full_with_ticket();
    SERVER.cfg.insecure_skip_verify = 0;
    SERVER.cfg.trust = &PKI.store;
    refused(&SERVER.conn, TENON_ERR_CERT_UNKNOWN_ISSUER);
    /* Nor under another trust store or verify_id. */
    client_auth_setup(TENON_CLIENT_AUTH_REQUIRE);
    full_with_ticket();
    SERVER.cfg.trust = &LEGIT_STORE;
    reconnect();
    CHECK(resume_outcome(VERSION) == 0); /* the CA is in both: the full handshake succeeds */
    reconnect();
    CHECK(resume_outcome(VERSION) == 1);
    SERVER.cfg.verify_fn = accept_any;
    SERVER.cfg.verify_id = (tenon_bytes){(const uint8_t *)"v2", 2};
    reconnect();
    CHECK(resume_outcome(VERSION) == 0);
}

/* ---- 18: the chain's age ---- */

static void test_chain_expiry(void)
{
    const int64_t t0 = NOW_MS, step = DAY_MS - 60 * 1000; /* just under a ticket's lifetime */
    fresh_store();
    client();
    server(0);
    SERVER.cfg.ticket_lifetime_s = 86400;
    full_with_ticket();
    CHECK(SLOTS[0].lifetime_s == 86400);
    /* Each resumption gets a new ticket; the chain goes on until 7 days after t0. */
    for (int k = 1; k <= 7; k++) {
        NOW_MS = t0 + k * step;
        reconnect();
        CHECK(resume_outcome(VERSION) == 1);
    }
    /* 7 days minus 7 minutes after t0: the last ticket lives only to the chain's end. */
    CHECK(SLOTS[0].in_use == 1 && SLOTS[0].lifetime_s == 420);
    CHECK(SLOTS[0].auth_ms == t0);
    /* One second before the limit: resumed, with a ticket of one second. */
    NOW_MS = t0 + 7 * DAY_MS - 1000;
    reconnect();
    CHECK(resume_outcome(VERSION) == 1);
    CHECK(SLOTS[0].in_use == 1 && SLOTS[0].lifetime_s == 1);
    /* At the limit: a full handshake, which starts a new chain. */
    NOW_MS = t0 + 7 * DAY_MS;
    reconnect();
    CHECK(resume_outcome(VERSION) == 0);
    CHECK(SLOTS[0].in_use == 1 && SLOTS[0].auth_ms == NOW_MS);
    NOW_MS += step;
    reconnect();
    CHECK(resume_outcome(VERSION) == 1);

    /* The server refuses on its own: a chain grown past 7 days under a server (same ticket keys)
     * with a 30-day limit, offered by a client with a 30-day limit, is not resumed by one with
     * the default limit. */
    NOW_MS = t0;
    fresh_store();
    client();
    CLIENT.cfg.session_max_age_s = 30 * 86400;
    server(0);
    SERVER.cfg.ticket_lifetime_s = 86400;
    SERVER.cfg.session_max_age_s = 30 * 86400;
    reconnect();
    CHECK(resume_outcome(VERSION) == 0);
    for (int k = 1; k <= 8; k++) {
        NOW_MS = t0 + k * step;
        reconnect();
        CHECK(resume_outcome(VERSION) == 1);
    }
    tenon_ticket keep = SLOTS[0];
    NOW_MS = t0 + 9 * step;
    SERVER.cfg.session_max_age_s = 604800;
    reconnect();
    CHECK(resume_outcome(VERSION) == 0);
    /* ... nor offered by a client with the default limit (the 30-day server would take it). */
    SLOTS[0] = keep;
    SERVER.cfg.session_max_age_s = 30 * 86400;
    CLIENT.cfg.session_max_age_s = 604800;
    reconnect();
    CHECK(resume_outcome(VERSION) == 0);
    /* A limit of 0: never resumed. */
    SERVER.cfg.session_max_age_s = 0;
    CLIENT.cfg.session_max_age_s = 30 * 86400;
    reconnect();
    CHECK(resume_outcome(VERSION) == 0);
    CHECK(!stored()); /* and no ticket sent (TLS 1.2: an empty one) */

    /* A configured lifetime above 7 days is sent as 7 days (RFC 8446 §4.6.1). */
    NOW_MS = t0;
    fresh_store();
    client();
    server(0);
    SERVER.cfg.ticket_lifetime_s = 30 * 86400;
    full_with_ticket();
    CHECK(SLOTS[0].lifetime_s == (VERSION == TENON_TLS13 ? 604800u : 86400u));
    NOW_MS = t0;
}

/* ---- the ticket format ---- */

/* The ticket of SLOTS[0] resealed in the format before this change (no format byte, no
 * session fields), with the same PSK: the server no longer opens it, and does a full
 * handshake. */
static void test_old_format(void)
{
    fresh_store();
    client();
    server(0);
    full_with_ticket();
    reconnect();
    CHECK(resume_outcome(VERSION) == 1); /* the current format resumes */
    tenon_ticket *t = &SLOTS[0];
    uint8_t plain[80];
    size_t n = 0;
    uint64_t issued = (uint64_t)NOW_MS;
    uint32_t life = 7200;
    plain[n++] = (uint8_t)(VERSION >> 8), plain[n++] = (uint8_t)VERSION;
    plain[n++] = VERSION == TENON_TLS12; /* flags: the extended master secret */
    plain[n++] = (uint8_t)(t->suite >> 8), plain[n++] = (uint8_t)t->suite;
    for (int i = 7; i >= 0; i--)
        plain[n++] = (uint8_t)(issued >> (8 * i));
    for (int i = 3; i >= 0; i--)
        plain[n++] = (uint8_t)(life >> (8 * i));
    for (int i = 3; i >= 0; i--)
        plain[n++] = (uint8_t)(t->age_add >> (8 * i));
    plain[n++] = (uint8_t)t->psk_len;
    memcpy(plain + n, t->psk, t->psk_len);
    n += t->psk_len;
    uint8_t *out = t->ticket;
    memcpy(out, SERVER.cfg.ticket_keys[0].name, 16);
    memset(out + 16, 0x33, 12);
    tenon_aead_ctx aead;
    CHECK_RC(tenon_aead_init(&aead, tenon_aead_aes_gcm(), SERVER.cfg.ticket_keys[0].key, 32), 0);
    CHECK_RC(tenon_aead_seal(&aead, out + 16, 12, out, 16, plain, n, out + 28, out + 28 + n), 0);
    tenon_aead_wipe(&aead);
    t->ticket_len = 28 + n + 16;
    reconnect();
    CHECK(resume_outcome(VERSION) == 0);
}

int main(void)
{
    tu_seed(0x711c);
    NOW_MS = (int64_t)time(NULL) * 1000;
    if (!CHECK(pki_setup() == 0) || !CHECK(make_rogue() == 0))
        return tu_finish("test_hardening_tickets");
    const uint16_t versions_tested[] = {TENON_TLS13, TENON_TLS12};
    for (size_t i = 0; i < ARRAY_LEN(versions_tested); i++) {
        VERSION = versions_tested[i];
        printf("  TLS %s\n", VERSION == TENON_TLS13 ? "1.3" : "1.2");
        test_client_policy();
        test_server_client_auth();
        test_chain_expiry();
        test_old_format();
    }
    tenon_conn_wipe(&CLIENT.conn);
    tenon_conn_wipe(&SERVER.conn);
    return tu_finish("test_hardening_tickets");
}
