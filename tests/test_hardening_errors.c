/*
 * Issue 11, hardening of errors:
 *
 * - Each cause of a failed negotiation has its own error (no version, suite, group or signature
 *   scheme in common, no certificate for the peer's schemes, no extended master secret, no
 *   secure renegotiation, no client certificate in TLS 1.2), still with the alert the RFC
 *   names, on both versions and both roles where it applies; tenon_conn_peer_offer shows what
 *   the peer offered.
 * - The key log of a TLS 1.3 server carries the client's random (it was all zeros), so its
 *   lines are the client's: full, HelloRetryRequest and resumed handshakes, and TLS 1.2.
 */
#include "test_tls13_harness.h"

#include "tls/tls13.h"

/* The random of the client's first ClientHello, read from its record (5-byte record header,
 * 4-byte handshake header, legacy_version): the key log lines must carry it. */
static uint8_t CLIENT_RANDOM[32];

static void connect(void)
{
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    const uint8_t *ch = NULL;
    size_t n = 0;
    tenon_conn_output(&CLIENT.conn, &ch, &n);
    if (CHECK(ch != NULL && n >= 11 + 32 && ch[0] == 22 && ch[5] == 1))
        memcpy(CLIENT_RANDOM, ch + 11, 32);
    pump(&CLIENT.conn, &SERVER.conn);
}

/* failer ends with err (sticky), and the other side received err's alert, which is alert. */
static int expect(endpoint *failer, int err, int alert)
{
    endpoint *other = failer == &CLIENT ? &SERVER : &CLIENT;
    int ok = CHECK(tenon_error_alert(err) == alert);
    int got = tenon_conn_error(&failer->conn);
    ok &= CHECK(got == err);
    ok &= CHECK(tenon_conn_peer_alert(&other->conn) == alert);
    ok &= CHECK(tenon_conn_error(&other->conn) == TENON_ERR_TLS_PEER_ALERT);
    if (!ok)
        fprintf(stderr, "    %s: got %d (%s), want %d (%s); peer alert %d\n",
                failer == &CLIENT ? "client" : "server", got, tenon_strerror(got), err,
                tenon_strerror(err), tenon_conn_peer_alert(&other->conn));
    /* A distinct sentence, not the old catch-all one. */
    ok &= CHECK(strcmp(tenon_strerror(err), "unknown error") != 0);
    return ok;
}

static int offer_of(endpoint *e, tenon_peer_offer *o)
{
    int rc = tenon_conn_peer_offer(&e->conn, o);
    return CHECK(rc == 0);
}

static int list_is(const uint16_t *l, size_t count, const uint16_t *want, size_t n)
{
    if (count != n)
        return 0;
    for (size_t i = 0; i < n && i < TENON_OFFER_MAX; i++)
        if (l[i] != want[i])
            return 0;
    return 1;
}

static int has16(const uint16_t *l, size_t count, uint16_t v)
{
    for (size_t i = 0; i < count && i < TENON_OFFER_MAX; i++)
        if (l[i] == v)
            return 1;
    return 0;
}

/* Replaces, in e's pending output (its own buffer, plaintext hellos), the first occurrence of
 * find with repl (same length). */
static void only12(tenon_config *cfg)
{
    cfg->min_version = cfg->max_version = TENON_TLS12;
}

static void only13(tenon_config *cfg)
{
    cfg->min_version = cfg->max_version = TENON_TLS13;
}

static void set_list16(uint16_t *dst, size_t *count, const uint16_t *v, size_t n)
{
    memcpy(dst, v, n * sizeof *v);
    *count = n;
}

/* ---- versions ---- */

static void test_no_common_version(void)
{
    tenon_peer_offer o;
    /* Server: a TLS 1.3-only client, a TLS 1.2-only server. */
    client_config(&CLIENT.cfg);
    only13(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    only12(&SERVER.cfg);
    connect();
    expect(&SERVER, TENON_ERR_TLS_NO_COMMON_VERSION, TENON_ALERT_PROTOCOL_VERSION);
    if (offer_of(&SERVER, &o)) {
        static const uint16_t v13[] = {TENON_TLS13};
        CHECK(list_is(o.versions, o.version_count, v13, 1));
        CHECK(o.legacy_version == TENON_TLS12);
        CHECK(has16(o.suites, o.suite_count, TENON_TLS_AES_128_GCM_SHA256));
        CHECK(!has16(o.suites, o.suite_count, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256));
        CHECK(o.group_count == 6 && o.key_share_count == 2 && o.key_shares[0] == 0x11ec &&
              o.key_shares[1] == 29);
    }

    /* Server: a TLS 1.2-only client (no supported_versions), a TLS 1.3-only server. */
    client_config(&CLIENT.cfg);
    only12(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    only13(&SERVER.cfg);
    connect();
    expect(&SERVER, TENON_ERR_TLS_NO_COMMON_VERSION, TENON_ALERT_PROTOCOL_VERSION);
    if (offer_of(&SERVER, &o)) {
        CHECK(o.version_count == 0 && o.legacy_version == TENON_TLS12);
        CHECK(o.ext_master_secret && o.secure_renegotiation && o.key_share_count == 0);
        CHECK(has16(o.suites, o.suite_count, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256));
    }

    /* Client: a TLS 1.2 ServerHello (from a TLS 1.2-only server, so without the downgrade
     * sentinel) to a TLS 1.3-only client. */
    client_config(&CLIENT.cfg);
    only12(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    only12(&SERVER.cfg);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    transfer(&CLIENT.conn, &SERVER.conn);
    static endpoint C13;
    client_config(&C13.cfg);
    only13(&C13.cfg);
    CHECK_RC(tenon_conn_init(&C13.conn, &C13.cfg, C13.in, sizeof C13.in, C13.out, sizeof C13.out),
             0);
    tenon_conn_output_consume(&C13.conn, 1 << 20); /* its ClientHello is not sent */
    CHECK(tenon_conn_peer_offer(&C13.conn, &o) == TENON_ERR_INVALID_ARGUMENT);
    transfer(&SERVER.conn, &C13.conn);
    CHECK_RC(tenon_conn_error(&C13.conn), TENON_ERR_TLS_NO_COMMON_VERSION);
    {
        const uint8_t *p;
        size_t n;
        tenon_conn_output(&C13.conn, &p, &n);
        CHECK(n == 7 && p[0] == 21 && p[5] == 2 && p[6] == TENON_ALERT_PROTOCOL_VERSION);
    }
    if (offer_of(&C13, &o)) {
        CHECK(o.version_count == 1 && o.versions[0] == TENON_TLS12);
        CHECK(o.suite_count == 1 && o.suites[0] == TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        CHECK(o.ext_master_secret && o.secure_renegotiation && o.sig_scheme_count == 0);
    }
}

/* ---- suites ---- */

static void test_no_common_suite(void)
{
    tenon_peer_offer o;
    static const struct {
        int v12;
        uint16_t client, server;
    } cases[] = {
        {0, TENON_TLS_AES_256_GCM_SHA384, TENON_TLS_AES_128_GCM_SHA256},
        {1, TENON_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
         TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        client_config(&CLIENT.cfg);
        if (cases[i].v12)
            only12(&CLIENT.cfg);
        else
            only13(&CLIENT.cfg);
        set_list16(CLIENT.cfg.suites, &CLIENT.cfg.suite_count, &cases[i].client, 1);
        server_config(&SERVER.cfg, CERT_P256);
        set_list16(SERVER.cfg.suites, &SERVER.cfg.suite_count, &cases[i].server, 1);
        connect();
        expect(&SERVER, TENON_ERR_TLS_NO_COMMON_SUITE, TENON_ALERT_HANDSHAKE_FAILURE);
        if (offer_of(&SERVER, &o))
            CHECK(list_is(o.suites, o.suite_count, &cases[i].client, 1));
    }
    /* TLS 1.2: legacy suites are not used unless configured (RSA key transport only). */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.suites[0] = TENON_TLS_RSA_WITH_AES_128_GCM_SHA256;
    CLIENT.cfg.suite_count = 1;
    server_config(&SERVER.cfg, CERT_RSA);
    connect();
    expect(&SERVER, TENON_ERR_TLS_NO_COMMON_SUITE, TENON_ALERT_HANDSHAKE_FAILURE);
}

/* ---- groups ---- */

static void test_no_common_group(void)
{
    tenon_peer_offer o;
    /* TLS 1.3: secp384r1 against x25519. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.groups[0] = &tenon_kex_secp384r1;
    CLIENT.cfg.group_count = 1;
    server_config(&SERVER.cfg, CERT_P256);
    classical_groups(&SERVER.cfg);
    SERVER.cfg.group_count = 1; /* x25519 */
    connect();
    expect(&SERVER, TENON_ERR_TLS_NO_COMMON_GROUP, TENON_ALERT_HANDSHAKE_FAILURE);
    if (offer_of(&SERVER, &o)) {
        static const uint16_t g[] = {24};
        CHECK(list_is(o.groups, o.group_count, g, 1));
        CHECK(list_is(o.key_shares, o.key_share_count, g, 1));
    }
    /* TLS 1.2. */
    client_config(&CLIENT.cfg);
    only12(&CLIENT.cfg);
    CLIENT.cfg.groups[0] = &tenon_kex_secp384r1;
    CLIENT.cfg.group_count = 1;
    server_config(&SERVER.cfg, CERT_P256);
    classical_groups(&SERVER.cfg);
    SERVER.cfg.group_count = 1;
    connect();
    expect(&SERVER, TENON_ERR_TLS_NO_COMMON_GROUP, TENON_ALERT_HANDSHAKE_FAILURE);

    /* A client offering only a group tenon does not have (x448, 30): the x25519 code point in
     * its ClientHello (supported_groups and key_share) rewritten. TLS 1.3 then TLS 1.2. */
    static const uint8_t sg[] = {0, 10, 0, 4, 0, 2, 0, 29}, sg448[] = {0, 10, 0, 4, 0, 2, 0, 30};
    static const uint8_t ks[] = {0, 51, 0, 38, 0, 36, 0, 29, 0, 32};
    static const uint8_t ks448[] = {0, 51, 0, 38, 0, 36, 0, 30, 0, 32};
    for (int v12 = 0; v12 <= 1; v12++) {
        client_config(&CLIENT.cfg);
        classical_groups(&CLIENT.cfg);
        CLIENT.cfg.group_count = 1;
        if (v12)
            only12(&CLIENT.cfg);
        server_config(&SERVER.cfg, CERT_P256);
        CHECK_RC(start(&CLIENT, &SERVER), 0);
        CHECK(patch_pending(&CLIENT, sg, sg448, sizeof sg));
        CHECK(v12 || patch_pending(&CLIENT, ks, ks448, sizeof ks));
        pump(&CLIENT.conn, &SERVER.conn);
        expect(&SERVER, TENON_ERR_TLS_NO_COMMON_GROUP, TENON_ALERT_HANDSHAKE_FAILURE);
        if (offer_of(&SERVER, &o)) {
            CHECK(o.group_count == 1 && o.groups[0] == 30);
            CHECK(o.key_share_count == (v12 ? 0u : 1u) && (v12 || o.key_shares[0] == 30));
        }
    }
}

/* ---- signature schemes and certificates ---- */

static void test_sig_schemes_and_certs(void)
{
    tenon_peer_offer o;
    static const uint16_t pss[] = {TENON_SIG_RSA_PSS_RSAE_SHA256};
    static const uint16_t p256[] = {TENON_SIG_ECDSA_SECP256R1_SHA256};
    for (int v12 = 0; v12 <= 1; v12++) {
        /* No scheme of the server's in the client's list. */
        client_config(&CLIENT.cfg);
        if (v12)
            only12(&CLIENT.cfg);
        set_list16(CLIENT.cfg.sig_schemes, &CLIENT.cfg.sig_scheme_count, pss, 1);
        server_config(&SERVER.cfg, CERT_P256);
        set_list16(SERVER.cfg.sig_schemes, &SERVER.cfg.sig_scheme_count, p256, 1);
        connect();
        expect(&SERVER, TENON_ERR_TLS_NO_COMMON_SIG_SCHEME, TENON_ALERT_HANDSHAKE_FAILURE);
        if (offer_of(&SERVER, &o))
            CHECK(list_is(o.sig_schemes, o.sig_scheme_count, pss, 1));

        /* Schemes in common (the server has them all), but its only key is ECDSA. */
        client_config(&CLIENT.cfg);
        if (v12)
            only12(&CLIENT.cfg);
        set_list16(CLIENT.cfg.sig_schemes, &CLIENT.cfg.sig_scheme_count, pss, 1);
        server_config(&SERVER.cfg, CERT_P256);
        connect();
        expect(&SERVER, TENON_ERR_TLS_NO_CERT_FOR_PEER, TENON_ALERT_HANDSHAKE_FAILURE);
    }
    /* TLS 1.3 binds the curve: a P-384 certificate for a client that takes P-256 only. */
    client_config(&CLIENT.cfg);
    set_list16(CLIENT.cfg.sig_schemes, &CLIENT.cfg.sig_scheme_count, p256, 1);
    server_config(&SERVER.cfg, CERT_P384);
    connect();
    expect(&SERVER, TENON_ERR_TLS_NO_CERT_FOR_PEER, TENON_ALERT_HANDSHAKE_FAILURE);
    /* TLS 1.2: only ECDHE_RSA suites offered to a server with an ECDSA certificate. */
    client_config(&CLIENT.cfg);
    only12(&CLIENT.cfg);
    CLIENT.cfg.suites[0] = TENON_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
    CLIENT.cfg.suite_count = 1;
    server_config(&SERVER.cfg, CERT_P256);
    connect();
    expect(&SERVER, TENON_ERR_TLS_NO_CERT_FOR_PEER, TENON_ALERT_HANDSHAKE_FAILURE);
    /* ... and RSA key transport to one without an RSA certificate. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.suites[0] = TENON_TLS_RSA_WITH_AES_128_GCM_SHA256;
    CLIENT.cfg.suite_count = 1;
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.suites[0] = TENON_TLS_RSA_WITH_AES_128_GCM_SHA256;
    SERVER.cfg.suite_count = 1;
    connect();
    expect(&SERVER, TENON_ERR_TLS_NO_CERT_FOR_PEER, TENON_ALERT_HANDSHAKE_FAILURE);
}

/* ---- TLS 1.2 extensions and client certificates ---- */

static void test_tls12_causes(void)
{
    tenon_peer_offer o;
    /* Server: a client without the extended master secret (Debian's Go 1.19, say). */
    client_config(&CLIENT.cfg);
    only12(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    tls_test_client_omit = TLS_TEST_OMIT_EMS;
    connect();
    expect(&SERVER, TENON_ERR_TLS_EMS_REQUIRED, TENON_ALERT_HANDSHAKE_FAILURE);
    if (offer_of(&SERVER, &o))
        CHECK(!o.ext_master_secret && o.secure_renegotiation);
    /* Client: a server that answers without it (it was not offered). */
    SERVER.cfg.require_extended_master_secret = 0;
    connect();
    expect(&CLIENT, TENON_ERR_TLS_EMS_REQUIRED, TENON_ALERT_HANDSHAKE_FAILURE);
    if (offer_of(&CLIENT, &o))
        CHECK(!o.ext_master_secret && o.secure_renegotiation && o.versions[0] == TENON_TLS12);

    /* Client: a server without renegotiation_info (it was not offered either). */
    tls_test_client_omit = TLS_TEST_OMIT_RENEG;
    server_config(&SERVER.cfg, CERT_P256);
    connect();
    expect(&CLIENT, TENON_ERR_TLS_RENEGOTIATION_INFO, TENON_ALERT_HANDSHAKE_FAILURE);
    if (offer_of(&CLIENT, &o))
        CHECK(o.ext_master_secret && !o.secure_renegotiation);
    if (offer_of(&SERVER, &o))
        CHECK(o.ext_master_secret && !o.secure_renegotiation);
    tls_test_client_omit = 0;

    /* Server: a ticket of a session with the extended master secret, offered without it
     * (RFC 7627 §5.3: abort), by a client and to a server that both allow its absence. */
    static tenon_ticket slots[2];
    static tenon_ticket_store store;
    tenon_ticket_store_init(&store, slots, 2);
    client_config(&CLIENT.cfg);
    only12(&CLIENT.cfg);
    CLIENT.cfg.ticket_store = &store;
    CLIENT.cfg.require_extended_master_secret = 0;
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.require_extended_master_secret = 0;
    memset(SERVER.cfg.ticket_keys[0].key, 0x42, 32);
    SERVER.cfg.ticket_key_count = 1;
    connect();
    CHECK(both_done(&CLIENT, &SERVER) && slots[0].in_use && slots[0].ext_master_secret);
    tls_test_client_omit = TLS_TEST_OMIT_EMS;
    connect();
    tls_test_client_omit = 0;
    expect(&SERVER, TENON_ERR_TLS_EMS_REQUIRED, TENON_ALERT_HANDSHAKE_FAILURE);

    /* Server: a required client certificate not sent. */
    client_config(&CLIENT.cfg);
    only12(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.client_auth = TENON_CLIENT_AUTH_REQUIRE;
    SERVER.cfg.trust = &PKI.store;
    connect();
    expect(&SERVER, TENON_ERR_TLS_NO_CLIENT_CERT, TENON_ALERT_HANDSHAKE_FAILURE);
}

/* An old TLS 1.2 ClientHello without extensions and with 20 suites: the offer keeps the first
 * 16 and counts all; the server wants the extended master secret. */
static void test_offer_limits(void)
{
    uint8_t rec[5 + 4 + 2 + 32 + 1 + 2 + 40 + 2];
    size_t body = sizeof rec - 9;
    size_t o = 0;
    rec[o++] = 22, rec[o++] = 3, rec[o++] = 1, rec[o++] = 0, rec[o++] = (uint8_t)(body + 4);
    rec[o++] = 1, rec[o++] = 0, rec[o++] = 0, rec[o++] = (uint8_t)body;
    rec[o++] = 3, rec[o++] = 3;
    memset(rec + o, 0x5a, 32);
    o += 32;
    rec[o++] = 0;                /* session id */
    rec[o++] = 0, rec[o++] = 40; /* 20 suites */
    for (unsigned i = 0; i < 19; i++)
        rec[o++] = 0x13, rec[o++] = (uint8_t)(0x40 + i); /* unknown ones */
    rec[o++] = 0xc0, rec[o++] = 0x2b;
    rec[o++] = 1, rec[o++] = 0; /* compression: null */
    CHECK(o == sizeof rec);
    server_config(&SERVER.cfg, CERT_P256);
    CHECK_RC(tenon_conn_init(&SERVER.conn, &SERVER.cfg, SERVER.in, sizeof SERVER.in, SERVER.out,
                             sizeof SERVER.out),
             0);
    tenon_peer_offer off;
    CHECK(tenon_conn_peer_offer(&SERVER.conn, &off) == TENON_ERR_INVALID_ARGUMENT);
    size_t used;
    CHECK_RC(tenon_conn_feed(&SERVER.conn, rec, sizeof rec, &used), TENON_ERR_TLS_EMS_REQUIRED);
    const uint8_t *p;
    size_t n;
    tenon_conn_output(&SERVER.conn, &p, &n);
    CHECK(n == 7 && p[0] == 21 && p[6] == TENON_ALERT_HANDSHAKE_FAILURE);
    if (CHECK(tenon_conn_peer_offer(&SERVER.conn, &off) == 0)) {
        CHECK(off.suite_count == 20 && off.suites[0] == 0x1340 && off.suites[15] == 0x134f);
        CHECK(off.version_count == 0 && off.group_count == 0 && off.sig_scheme_count == 0);
        CHECK(!off.ext_master_secret && !off.secure_renegotiation);
        CHECK(off.legacy_version == TENON_TLS12);
    }
    /* Same hello, but TLS 1.0: no version in common. */
    rec[9] = 3, rec[10] = 1;
    CHECK_RC(tenon_conn_init(&SERVER.conn, &SERVER.cfg, SERVER.in, sizeof SERVER.in, SERVER.out,
                             sizeof SERVER.out),
             0);
    CHECK_RC(tenon_conn_feed(&SERVER.conn, rec, sizeof rec, &used),
             TENON_ERR_TLS_NO_COMMON_VERSION);
    tenon_conn_output(&SERVER.conn, &p, &n);
    CHECK(n == 7 && p[0] == 21 && p[6] == TENON_ALERT_PROTOCOL_VERSION);
    CHECK(tenon_conn_peer_offer(&SERVER.conn, &off) == 0 && off.legacy_version == 0x0301);
    CHECK(tenon_conn_peer_offer(NULL, &off) == TENON_ERR_INVALID_ARGUMENT);
    CHECK(tenon_conn_peer_offer(&SERVER.conn, NULL) == TENON_ERR_INVALID_ARGUMENT);
}

/* ---- item 5: the server's key log ---- */

typedef struct keylines {
    char line[16][256];
    size_t n;
} keylines;

static keylines KL_CLIENT, KL_SERVER;

static void keylog_cb(void *user, const char *line)
{
    keylines *k = user;
    if (k->n < 16)
        snprintf(k->line[k->n++], sizeof k->line[0], "%s", line);
}

static int cmp_line(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Both key logs hold the same lines (in any order), and each carries the ClientHello's
 * random. */
static int same_keylog(size_t want_lines)
{
    keylines *c = &KL_CLIENT, *s = &KL_SERVER;
    int ok = CHECK(both_done(&CLIENT, &SERVER));
    ok &= CHECK(c->n == want_lines && s->n == want_lines);
    qsort(c->line, c->n, sizeof c->line[0], cmp_line);
    qsort(s->line, s->n, sizeof s->line[0], cmp_line);
    char cr[65];
    const uint8_t *r = CLIENT_RANDOM;
    for (int i = 0; i < 32; i++)
        snprintf(cr + 2 * i, 3, "%02x", r[i]);
    for (size_t i = 0; i < c->n && i < s->n; i++) {
        if (!CHECK(strcmp(c->line[i], s->line[i]) == 0))
            fprintf(stderr, "    client: %s\n    server: %s\n", c->line[i], s->line[i]);
        const char *sp = strchr(s->line[i], ' ');
        ok &= CHECK(sp != NULL && strncmp(sp + 1, cr, 64) == 0);
    }
    ok &= CHECK(strspn(cr, "0") != 64);
    memset(c, 0, sizeof *c);
    memset(s, 0, sizeof *s);
    return ok;
}

static tenon_ticket SLOTS[2];
static tenon_ticket_store STORE;

static void keylog_configs(int v12)
{
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    if (v12)
        only12(&CLIENT.cfg);
    CLIENT.cfg.keylog_fn = keylog_cb;
    CLIENT.cfg.keylog_user = &KL_CLIENT;
    SERVER.cfg.keylog_fn = keylog_cb;
    SERVER.cfg.keylog_user = &KL_SERVER;
    tenon_ticket_store_init(&STORE, SLOTS, 2);
    CLIENT.cfg.ticket_store = &STORE;
    memset(SERVER.cfg.ticket_keys[0].name, 0xaa, 16);
    memset(SERVER.cfg.ticket_keys[0].key, 0x42, 32);
    SERVER.cfg.ticket_key_count = 1;
}

static void test_server_keylog(void)
{
    /* TLS 1.3: CLIENT_/SERVER_HANDSHAKE_TRAFFIC_SECRET, CLIENT_/SERVER_TRAFFIC_SECRET_0,
     * EXPORTER_SECRET. */
    keylog_configs(0);
    connect();
    CHECK(same_keylog(5));
    /* Resumed with the ticket just received. */
    connect();
    tenon_conn_info ci;
    CHECK(tenon_conn_info_get(&CLIENT.conn, &ci) == 0 && ci.resumed);
    CHECK(same_keylog(5));
    /* After a HelloRetryRequest (the server wants P-256), resumed too. */
    SERVER.cfg.groups[0] = &tenon_kex_secp256r1;
    SERVER.cfg.group_count = 1;
    connect();
    CHECK(tenon_conn_info_get(&CLIENT.conn, &ci) == 0 && ci.hello_retry && ci.resumed);
    CHECK(same_keylog(5));
    /* ... and a full one. */
    keylog_configs(0);
    SERVER.cfg.groups[0] = &tenon_kex_secp256r1;
    SERVER.cfg.group_count = 1;
    connect();
    CHECK(tenon_conn_info_get(&CLIENT.conn, &ci) == 0 && ci.hello_retry && !ci.resumed);
    CHECK(same_keylog(5));
    /* TLS 1.2: one CLIENT_RANDOM line, full and abbreviated. */
    keylog_configs(1);
    connect();
    CHECK(same_keylog(1));
    connect();
    CHECK(tenon_conn_info_get(&CLIENT.conn, &ci) == 0 && ci.resumed && ci.version == TENON_TLS12);
    CHECK(same_keylog(1));
}

int main(void)
{
    if (!CHECK(pki_setup() == 0))
        return tu_finish("test_hardening_errors");
    test_no_common_version();
    test_no_common_suite();
    test_no_common_group();
    test_sig_schemes_and_certs();
    test_tls12_causes();
    test_offer_limits();
    test_server_keylog();
    return tu_finish("test_hardening_errors");
}
