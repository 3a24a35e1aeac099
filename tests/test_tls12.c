/*
 * TLS 1.2 in the engine, client and server back to back in memory: version negotiation and
 * the downgrade sentinel, every suite (ECDHE over each group and RSA key transport; GCM,
 * ChaCha20-Poly1305, CBC with and without encrypt-then-MAC), the extended master secret on
 * and off, tickets and abbreviated handshakes, client certificates, exporters and the key log,
 * renegotiation refused, and the failures the RFC names: a wrong Finished, a bad record MAC,
 * bad CBC padding, truncated records, a pre-master secret of the wrong version or length.
 */
#include "test_tls13_harness.h"

#include "tls/tls13.h"

static uint8_t DATA[40000];

static void connect(void)
{
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
}

static tls_conn *C(endpoint *e)
{
    return tls_conn_of(&e->conn);
}

/* Both ends connected with TLS 1.2 and suite, data both ways, the same exporter values. */
static int check_connected(uint16_t suite)
{
    tenon_conn_info ci, si;
    if (!CHECK(both_done(&CLIENT, &SERVER))) {
        fprintf(stderr, "    client %d server %d\n", tenon_conn_error(&CLIENT.conn),
                tenon_conn_error(&SERVER.conn));
        return 0;
    }
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    int ok = CHECK(ci.version == TENON_TLS12 && si.version == TENON_TLS12);
    ok &= CHECK(ci.suite == suite && si.suite == suite);
    ok &= CHECK(ci.suite_name != NULL && strcmp(ci.suite_name, si.suite_name) == 0);
    ok &= CHECK(exchange(&CLIENT.conn, &SERVER.conn, DATA, sizeof DATA));
    ok &= CHECK(exchange(&SERVER.conn, &CLIENT.conn, DATA, 3000));
    uint8_t e1[40], e2[40], e3[40];
    if (!ci.ext_master_secret) {
        /* RFC 7627 §5.4: no exporter without the extended master secret. */
        ok &= CHECK(tenon_conn_export(&CLIENT.conn, "EXPERIMENTAL test", NULL, 0, e1, sizeof e1) ==
                    TENON_ERR_INVALID_ARGUMENT);
        return ok;
    }
    CHECK_RC(tenon_conn_export(&CLIENT.conn, "EXPERIMENTAL test", (const uint8_t *)"ctx", 3, e1,
                               sizeof e1),
             0);
    CHECK_RC(tenon_conn_export(&SERVER.conn, "EXPERIMENTAL test", (const uint8_t *)"ctx", 3, e2,
                               sizeof e2),
             0);
    /* RFC 5705: no context differs from an empty one. */
    CHECK_RC(tenon_conn_export(&SERVER.conn, "EXPERIMENTAL test", NULL, 0, e3, sizeof e3), 0);
    ok &= CHECK(memcmp(e1, e2, sizeof e1) == 0 && memcmp(e2, e3, sizeof e2) != 0);
    ok &= CHECK(tenon_conn_key_update(&CLIENT.conn, 0) == TENON_ERR_INVALID_ARGUMENT);
    return ok;
}

static void config12(test_cert cert, uint16_t suite)
{
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, cert);
    CLIENT.cfg.suites[0] = suite;
    CLIENT.cfg.suite_count = 1;
    CLIENT.cfg.min_version = CLIENT.cfg.max_version = TENON_TLS12;
    SERVER.cfg.suites[0] = suite;
    SERVER.cfg.suite_count = 1;
}

/* config12 with a server that requires a client certificate and a client that has one of
 * type client, signing only with scheme (0: its defaults). */
static void config12_client_auth(test_cert server, uint16_t suite, test_cert client,
                                 uint16_t scheme)
{
    config12(server, suite);
    SERVER.cfg.client_auth = TENON_CLIENT_AUTH_REQUIRE;
    SERVER.cfg.trust = &PKI.store;
    CHECK_RC(add_cert(&CLIENT.cfg, client), 0);
    if (scheme != 0) {
        CLIENT.cfg.sign_schemes[0] = scheme;
        CLIENT.cfg.sign_scheme_count = 1;
    }
}

static const struct {
    uint16_t suite;
    test_cert cert;
    int cbc;
} SUITES[] = {
    {TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, CERT_P256, 0},
    {TENON_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, CERT_P384, 0},
    {TENON_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, CERT_P256, 0},
    {TENON_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, CERT_RSA, 0},
    {TENON_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, CERT_RSA, 0},
    {TENON_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, CERT_RSA, 0},
    {TENON_TLS_RSA_WITH_AES_128_GCM_SHA256, CERT_RSA, 0},
    {TENON_TLS_RSA_WITH_AES_256_GCM_SHA384, CERT_RSA, 0},
    {TENON_TLS_RSA_WITH_AES_128_CBC_SHA256, CERT_RSA, 1},
    {TENON_TLS_RSA_WITH_AES_256_CBC_SHA256, CERT_RSA, 1},
    {TENON_TLS_RSA_WITH_AES_128_CBC_SHA, CERT_RSA, 1},
    {TENON_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, CERT_RSA, 1},
    {TENON_TLS_RSA_WITH_AES_256_CBC_SHA, CERT_RSA, 1},
    {TENON_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, CERT_P256, 1},
    {TENON_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, CERT_P384, 1},
    {TENON_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, CERT_RSA, 1},
    {TENON_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, CERT_RSA, 1},
};

static const tenon_kex_class *const GROUPS[] = {&tenon_kex_x25519, &tenon_kex_secp256r1,
                                                &tenon_kex_secp384r1};

static void test_every_suite(void)
{
    for (size_t i = 0; i < ARRAY_LEN(SUITES); i++) {
        int ecdhe = tls12_suite_find(SUITES[i].suite)->kx != TLS12_KX_RSA;
        for (size_t g = 0; g < (ecdhe ? ARRAY_LEN(GROUPS) : 1); g++)
            for (int etm = 0; etm <= SUITES[i].cbc; etm++) {
                config12(SUITES[i].cert, SUITES[i].suite);
                CLIENT.cfg.groups[0] = GROUPS[g];
                CLIENT.cfg.group_count = 1;
                /* RFC 8422 §4: the client's groups also bind an ECDSA certificate's curve in
                 * TLS 1.2, so it lists that curve too; the server exchanges keys with GROUPS[g]. */
                if (SUITES[i].cert != CERT_RSA) {
                    const tenon_kex_class *curve =
                        SUITES[i].cert == CERT_P256 ? &tenon_kex_secp256r1 : &tenon_kex_secp384r1;
                    if (curve != GROUPS[g])
                        CLIENT.cfg.groups[CLIENT.cfg.group_count++] = curve;
                    SERVER.cfg.groups[0] = GROUPS[g];
                    SERVER.cfg.group_count = 1;
                }
                /* MAC-then-encrypt: a client that does not offer encrypt-then-MAC. */
                tls_test_client_omit = (SUITES[i].cbc && !etm) ? TLS_TEST_OMIT_ETM : 0;
                connect();
                tls_test_client_omit = 0;
                if (!check_connected(SUITES[i].suite))
                    fprintf(stderr, "    suite %04x group %zu\n", SUITES[i].suite, g);
                tenon_conn_info ci;
                CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
                CHECK(ci.ext_master_secret);
                CHECK(ci.encrypt_then_mac == etm);
                CHECK(ci.group == (ecdhe ? GROUPS[g]->tls_group : 0));
                CHECK(!ecdhe || ci.sig_scheme != 0);
            }
    }
}

/* docs/tls-policy.md: the CBC and RSA key transport suites are used only when named; a default
 * client offers none of them, so a server that has only one of them finds no suite in common. */
static void test_legacy_not_default(void)
{
    for (size_t i = 0; i < ARRAY_LEN(SUITES); i++) {
        const tls12_suite *s = tls12_suite_find(SUITES[i].suite);
        if (!SUITES[i].cbc && s->kx != TLS12_KX_RSA)
            continue;
        tenon_config def;
        tenon_config_init(&def, TENON_CLIENT);
        for (size_t k = 0; k < def.suite_count; k++)
            CHECK(def.suites[k] != SUITES[i].suite);
        config12(SUITES[i].cert, SUITES[i].suite);
        client_config(&CLIENT.cfg);
        CLIENT.cfg.min_version = CLIENT.cfg.max_version = TENON_TLS12;
        connect();
        CHECK(!both_done(&CLIENT, &SERVER));
        CHECK(tenon_conn_error(&SERVER.conn) == TENON_ERR_TLS_NO_COMMON_SUITE);
    }
}

static void test_versions(void)
{
    tenon_conn_info ci;
    /* Both ends with both versions: TLS 1.3. */
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK(ci.version == TENON_TLS13);

    /* A TLS 1.2-only server: a default client settles on TLS 1.2 with the first TLS 1.2
     * suite of the server's list it offers; the server's random carries no sentinel. */
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.max_version = TENON_TLS12;
    connect();
    CHECK(check_connected(TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256));
    CHECK(memcmp(C(&CLIENT)->randoms12 + 32 + 24, "DOWNGRD", 7) != 0);

    /* A TLS 1.2-only client and a server with both: TLS 1.2, and the server's random carries
     * the sentinel (RFC 8446 §4.1.3), which this client does not check. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.max_version = TENON_TLS12;
    server_config(&SERVER.cfg, CERT_RSA);
    connect();
    CHECK(check_connected(TENON_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256));
    CHECK(memcmp(C(&CLIENT)->randoms12 + 32 + 24, "DOWNGRD\x01", 8) == 0);

    /* A client that offers TLS 1.3 receiving that ServerHello (an attacker stripped its
     * supported_versions): illegal_parameter. Replay the server's first flight to a fresh
     * default client whose ClientHello the attacker rewrote. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.max_version = TENON_TLS12;
    server_config(&SERVER.cfg, CERT_RSA);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    CHECK(transfer(&CLIENT.conn, &SERVER.conn) > 0);
    const uint8_t *p;
    size_t n, used;
    tenon_conn_output(&SERVER.conn, &p, &n);
    static endpoint victim;
    client_config(&victim.cfg);
    CHECK_RC(tenon_conn_init(&victim.conn, &victim.cfg, victim.in, sizeof victim.in, victim.out,
                             sizeof victim.out),
             0);
    tenon_conn_output(&victim.conn, &p, &n);
    tenon_conn_output_consume(&victim.conn, n);
    tenon_conn_output(&SERVER.conn, &p, &n);
    CHECK_RC(tenon_conn_feed(&victim.conn, p, n, &used), TENON_ERR_TLS_DOWNGRADE);
    tenon_conn_output(&victim.conn, &p, &n);
    CHECK(n == 7 && p[0] == 21 && p[6] == TENON_ALERT_ILLEGAL_PARAMETER);

    /* TLS 1.3-only client, TLS 1.2-only server: protocol_version. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.min_version = TENON_TLS13;
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.max_version = TENON_TLS12;
    connect();
    CHECK_RC(tenon_conn_error(&SERVER.conn), TENON_ERR_TLS_NO_COMMON_VERSION);
    CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_PROTOCOL_VERSION);

    /* Legacy suites are used only when configured: a client asking for RSA key transport
     * alone gets handshake_failure from a default server. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.suites[0] = TENON_TLS_RSA_WITH_AES_128_GCM_SHA256;
    CLIENT.cfg.suite_count = 1;
    server_config(&SERVER.cfg, CERT_RSA);
    connect();
    CHECK_RC(tenon_conn_error(&SERVER.conn), TENON_ERR_TLS_NO_COMMON_SUITE);

    /* Configuration: no suite for the enabled version. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.min_version = CLIENT.cfg.max_version = TENON_TLS12;
    CLIENT.cfg.suites[0] = TENON_TLS_AES_128_GCM_SHA256;
    CLIENT.cfg.suite_count = 1;
    const char *why = NULL;
    CHECK_RC(tenon_config_check(&CLIENT.cfg, &why), TENON_ERR_TLS_CONFIG);
    CHECK(why != NULL && strstr(why, "version") != NULL);
}

static void test_extended_master_secret(void)
{
    tenon_conn_info ci, si;
    /* An old client without the extension: a default server refuses (RFC 7627 §5.2 lets it). */
    config12(CERT_P256, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    tls_test_client_omit = TLS_TEST_OMIT_EMS;
    connect();
    CHECK_RC(tenon_conn_error(&SERVER.conn), TENON_ERR_TLS_EMS_REQUIRED);
    CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_HANDSHAKE_FAILURE);
    /* A server configured to allow it: the RFC 5246 master secret, and both agree. */
    config12(CERT_P256, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    SERVER.cfg.require_extended_master_secret = 0;
    CLIENT.cfg.require_extended_master_secret = 0;
    connect();
    CHECK(check_connected(TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256));
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(!ci.ext_master_secret && !si.ext_master_secret);
    /* ... but a client that requires it refuses a server without it: played by a client whose
     * offer was not sent (the server then answers without). */
    config12(CERT_P256, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    SERVER.cfg.require_extended_master_secret = 0;
    connect();
    CHECK_RC(tenon_conn_error(&CLIENT.conn), TENON_ERR_TLS_EMS_REQUIRED);
    /* Without secure renegotiation indication, a tenon client refuses the server (played by
     * a client that did not send it: the server then sends none). */
    tls_test_client_omit = TLS_TEST_OMIT_RENEG;
    config12(CERT_P256, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    connect();
    CHECK_RC(tenon_conn_error(&CLIENT.conn), TENON_ERR_TLS_RENEGOTIATION_INFO);
    tls_test_client_omit = 0;
}

static tenon_ticket SLOTS[2];
static tenon_ticket_store STORE;

static void ticket_server(tenon_config *cfg)
{
    cfg->ticket_key_count = 1;
    memset(cfg->ticket_keys[0].name, 0x42, 16);
    memset(cfg->ticket_keys[0].key, 0x17, 32);
}

static void test_tickets(void)
{
    tenon_conn_info ci, si;
    tenon_ticket_store_init(&STORE, SLOTS, 2);
    for (size_t i = 0; i < 4; i++) {
        uint16_t suite = i < 2 ? TENON_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
                               : TENON_TLS_RSA_WITH_AES_128_CBC_SHA256;
        config12(i < 2 ? CERT_P256 : CERT_RSA, suite);
        CLIENT.cfg.ticket_store = &STORE;
        ticket_server(&SERVER.cfg);
        if (i % 2) /* client certificates: the ticket remembers them */
            SERVER.cfg.client_auth = TENON_CLIENT_AUTH_REQUIRE, SERVER.cfg.trust = &PKI.store,
            add_cert(&CLIENT.cfg, CERT_P256);
        connect();
        CHECK(check_connected(suite));
        CHECK(SLOTS[0].in_use == 1 && SLOTS[0].version == TENON_TLS12);
        CHECK(SLOTS[0].ext_master_secret && SLOTS[0].psk_len == 48);
        /* The abbreviated handshake: the same master secret, a new ticket. */
        uint8_t old_ticket[16]; /* its nonce: the key name comes first */
        memcpy(old_ticket, SLOTS[0].ticket + 16, 16);
        connect();
        CHECK(check_connected(suite));
        CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
        CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
        CHECK(ci.resumed && si.resumed);
        CHECK(ci.group == 0); /* an abbreviated handshake has no key exchange */
        CHECK(si.client_authenticated == (int)(i % 2));
        CHECK(SLOTS[0].in_use == 1 && memcmp(old_ticket, SLOTS[0].ticket + 16, 16) != 0);
    }
    /* A ticket the server cannot open: a full handshake. */
    config12(CERT_P256, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    CLIENT.cfg.ticket_store = &STORE;
    ticket_server(&SERVER.cfg);
    connect();
    CHECK(SLOTS[0].in_use == 1);
    SLOTS[0].ticket[20] ^= 1;
    connect();
    CHECK(check_connected(TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256));
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK(!ci.resumed);
    /* A server requiring client certificates does not resume a session without one. */
    connect();
    CHECK(SLOTS[0].in_use == 1);
    SERVER.cfg.client_auth = TENON_CLIENT_AUTH_REQUIRE;
    SERVER.cfg.trust = &PKI.store;
    add_cert(&CLIENT.cfg, CERT_P256);
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(!si.resumed && si.client_authenticated);
    /* A TLS 1.2 ticket is not offered to a TLS 1.3-only configuration, nor a TLS 1.3 one as
     * TLS 1.2's; a client with both versions offers its TLS 1.2 ticket in the one ClientHello
     * and resumes when the server is TLS 1.2. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.ticket_store = &STORE;
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.max_version = TENON_TLS12;
    ticket_server(&SERVER.cfg);
    connect();
    CHECK(both_done(&CLIENT, &SERVER) && SLOTS[0].version == TENON_TLS12);
    connect();
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK(ci.resumed && ci.version == TENON_TLS12);
    SERVER.cfg.max_version = TENON_TLS13;
    connect(); /* the server now speaks TLS 1.3: a full handshake, the TLS 1.2 ticket spent */
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK(!ci.resumed && ci.version == TENON_TLS13);
    tenon_ticket_store_init(&STORE, SLOTS, 2);
}

static tenon_session_entry CACHE_SLOTS[2];
static tenon_session_cache CACHE;

/* RFC 5246 §7.4.1.2-7.4.1.3: resumption by session ID, a tenon client (its ticket store) with a
 * tenon server (its session cache); bound as tickets are. */
static void test_session_id(void)
{
    tenon_conn_info ci, si;
    const char *why = NULL;
    const uint16_t suite = TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
    tenon_ticket_store_init(&STORE, SLOTS, 2);
    tenon_session_cache_init(&CACHE, CACHE_SLOTS, 2);
    /* A server without tickets: a new 32-byte session ID, kept once the handshake is done. */
    config12(CERT_P256, suite);
    CLIENT.cfg.ticket_store = &STORE;
    SERVER.cfg.session_cache = &CACHE;
    connect();
    CHECK(check_connected(suite));
    /* (the server's ID lives in its handshake state, gone now: the client's copy is checked) */
    CHECK(CACHE_SLOTS[0].in_use && !CACHE_SLOTS[1].in_use);
    CHECK(SLOTS[0].in_use == 1 && SLOTS[0].version == TENON_TLS12 && SLOTS[0].ticket_len == 0);
    CHECK(SLOTS[0].session_id_len == 32 && memcmp(SLOTS[0].session_id, CACHE_SLOTS[0].id, 32) == 0);
    uint8_t id[32];
    memcpy(id, CACHE_SLOTS[0].id, 32);
    /* Resumed by that ID, and again: an entry serves any number of resumptions. */
    for (int k = 0; k < 2; k++) {
        connect();
        CHECK(check_connected(suite));
        CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
        CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
        CHECK(ci.resumed && si.resumed && ci.group == 0);
        CHECK(SLOTS[0].in_use == 1 && memcmp(SLOTS[0].session_id, id, 32) == 0);
        CHECK(!CACHE_SLOTS[1].in_use);
    }
    /* A stored session whose ID length cannot be sent is not offered. */
    SLOTS[0].session_id_len = 33;
    connect();
    CHECK(check_connected(suite));
    CHECK(!C(&CLIENT)->offered_session_id12);
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(!si.resumed && CACHE_SLOTS[0].in_use && CACHE_SLOTS[1].in_use);
    /* An ID the cache does not hold: a full handshake under a new one, in the oldest slot. */
    SLOTS[0].session_id[0] ^= 1;
    connect();
    CHECK(check_connected(suite));
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(!si.resumed && memcmp(CACHE_SLOTS[0].id, id, 32) != 0);
    CHECK(memcmp(SLOTS[0].session_id, CACHE_SLOTS[0].id, 32) == 0);
    /* Bound to the suite: a server that no longer has it does a full handshake (the client
     * still offers the ID). */
    CLIENT.cfg.suites[1] = SERVER.cfg.suites[0] = TENON_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384;
    CLIENT.cfg.suite_count = 2;
    connect();
    CHECK(C(&CLIENT)->offered_session_id12);
    CHECK(check_connected(TENON_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384));
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(!si.resumed);
    /* Bound to the client-certificate policy: a server that now requires a certificate does not
     * resume a session without one. */
    config12(CERT_P256, suite);
    CLIENT.cfg.ticket_store = &STORE;
    SERVER.cfg.session_cache = &CACHE;
    connect();
    SERVER.cfg.client_auth = TENON_CLIENT_AUTH_REQUIRE;
    SERVER.cfg.trust = &PKI.store;
    CHECK_RC(add_cert(&CLIENT.cfg, CERT_P256), 0);
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(!si.resumed && si.client_authenticated);

    /* A client that takes tickets gets one and an empty session ID: nothing is cached (RFC
     * 5077 §3.3: the ticket stands in for it). */
    tenon_ticket_store_init(&STORE, SLOTS, 2);
    tenon_session_cache_init(&CACHE, CACHE_SLOTS, 2);
    config12(CERT_P256, suite);
    CLIENT.cfg.ticket_store = &STORE;
    SERVER.cfg.session_cache = &CACHE;
    ticket_server(&SERVER.cfg);
    connect();
    CHECK(check_connected(suite));
    CHECK(!CACHE_SLOTS[0].in_use && !CACHE_SLOTS[1].in_use);
    CHECK(SLOTS[0].in_use == 1 && SLOTS[0].ticket_len > 0 && SLOTS[0].session_id_len == 0);
    connect();
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(si.resumed);
    /* A server without a cache sends an empty session ID, and the client keeps nothing. */
    tenon_ticket_store_init(&STORE, SLOTS, 2);
    config12(CERT_P256, suite);
    CLIENT.cfg.ticket_store = &STORE;
    connect();
    CHECK(check_connected(suite));
    CHECK(SLOTS[0].in_use == 0 && SLOTS[1].in_use == 0);
    /* The cache is a server's. */
    CLIENT.cfg.session_cache = &CACHE;
    CHECK_RC(tenon_config_check(&CLIENT.cfg, &why), TENON_ERR_TLS_CONFIG);
    tenon_session_cache_wipe(&CACHE);
    CHECK(!CACHE_SLOTS[0].in_use && CACHE_SLOTS[0].session_len == 0);
}

static void test_client_auth(void)
{
    tenon_conn_info si;
    const struct {
        test_cert server, client;
        uint16_t suite;
    } cases[] = {
        {CERT_P256, CERT_P256, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
        {CERT_P384, CERT_RSA, TENON_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384},
        {CERT_RSA, CERT_P384, TENON_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256},
        {CERT_RSA, CERT_RSA, TENON_TLS_RSA_WITH_AES_256_CBC_SHA256},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        config12_client_auth(cases[i].server, cases[i].suite, cases[i].client, 0);
        connect();
        CHECK(check_connected(cases[i].suite));
        CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
        CHECK(si.client_authenticated && si.peer_chain_count == 1);
    }
    /* Requested, none given: fine when only requested, handshake_failure when required. */
    config12(CERT_P256, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    SERVER.cfg.client_auth = TENON_CLIENT_AUTH_REQUEST;
    SERVER.cfg.trust = &PKI.store;
    connect();
    CHECK(check_connected(TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256));
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(!si.client_authenticated);
    SERVER.cfg.client_auth = TENON_CLIENT_AUTH_REQUIRE;
    connect();
    CHECK_RC(tenon_conn_error(&SERVER.conn), TENON_ERR_TLS_NO_CLIENT_CERT);
    CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_HANDSHAKE_FAILURE);
}

/* RFC 5246 §7.4.8: the client signs its CertificateVerify with any scheme the
 * CertificateRequest lists, whatever the PRF's hash; the server verifies it under that
 * scheme's hash (the transcript keeps SHA-256, SHA-384 and SHA-512 running until then). */
static void test_client_auth_any_hash(void)
{
    tenon_conn_info si, ci;
    const uint16_t suites[] = {TENON_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                               TENON_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                               TENON_TLS_RSA_WITH_AES_128_CBC_SHA};
    const struct {
        uint16_t scheme;
        test_cert cert;
    } schemes[] = {
        {TENON_SIG_RSA_PKCS1_SHA256, CERT_RSA},
        {TENON_SIG_RSA_PKCS1_SHA384, CERT_RSA},
        {TENON_SIG_RSA_PKCS1_SHA512, CERT_RSA},
        {TENON_SIG_RSA_PSS_RSAE_SHA256, CERT_RSA},
        {TENON_SIG_RSA_PSS_RSAE_SHA384, CERT_RSA},
        {TENON_SIG_RSA_PSS_RSAE_SHA512, CERT_RSA},
        {TENON_SIG_ECDSA_SECP256R1_SHA256, CERT_P256},
        {TENON_SIG_ECDSA_SECP384R1_SHA384, CERT_P384},
    };
    for (size_t i = 0; i < ARRAY_LEN(suites); i++)
        for (size_t k = 0; k < ARRAY_LEN(schemes); k++) {
            config12_client_auth(CERT_RSA, suites[i], schemes[k].cert, schemes[k].scheme);
            connect();
            if (!check_connected(suites[i]))
                fprintf(stderr, "    suite %04x client scheme %04x\n", suites[i],
                        schemes[k].scheme);
            CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
            CHECK(si.client_authenticated && si.sig_scheme == schemes[k].scheme);
            /* The server's own ServerKeyExchange is unaffected. */
            CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
            CHECK(suites[i] == TENON_TLS_RSA_WITH_AES_128_CBC_SHA || ci.sig_scheme != 0);
            /* No transcript runs once the handshake is done: its state is gone. */
            CHECK(C(&CLIENT)->hs == NULL && C(&SERVER)->hs == NULL);
        }

    /* The server accepts only a scheme the client does not sign with: the client sends no
     * certificate (RFC 5246 §7.4.6), and a server that requires one fails. */
    config12_client_auth(CERT_RSA, TENON_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, CERT_RSA,
                         TENON_SIG_RSA_PKCS1_SHA384);
    SERVER.cfg.sig_schemes[0] = TENON_SIG_RSA_PSS_RSAE_SHA512;
    SERVER.cfg.sig_schemes[1] = TENON_SIG_RSA_PSS_RSAE_SHA256; /* for the server's own key */
    SERVER.cfg.sig_scheme_count = 2;
    SERVER.cfg.sign_schemes[0] = TENON_SIG_RSA_PSS_RSAE_SHA256;
    SERVER.cfg.sign_scheme_count = 1;
    connect();
    CHECK_RC(tenon_conn_error(&SERVER.conn), TENON_ERR_TLS_NO_CLIENT_CERT);
    /* ... and with SHA-512 among what it signs with, it uses that. */
    CLIENT.cfg.sign_schemes[1] = TENON_SIG_RSA_PSS_RSAE_SHA512;
    CLIENT.cfg.sign_scheme_count = 2;
    connect();
    CHECK(check_connected(TENON_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256));
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(si.client_authenticated && si.sig_scheme == TENON_SIG_RSA_PSS_RSAE_SHA512);
}

/* Appends scheme to a configuration's sig_schemes (after the others: RFC 8446 §4.2.3). */
static void accept_scheme(tenon_config *cfg, uint16_t scheme)
{
    cfg->sig_schemes[cfg->sig_scheme_count++] = scheme;
}

/* rsa_pkcs1_sha1 and ecdsa_sha1 (RFC 5246 §7.4.1.4.1): TLS 1.2 only, and only when configured
 * (docs/tls-policy.md, RFC 9155). */
static void test_sha1_schemes(void)
{
    tenon_conn_info ci, si;
    const char *why = NULL;
    tenon_config def;
    tenon_config_init(&def, TENON_CLIENT);
    for (size_t i = 0; i < def.sig_scheme_count; i++)
        CHECK(def.sig_schemes[i] != TENON_SIG_RSA_PKCS1_SHA1 &&
              def.sig_schemes[i] != TENON_SIG_ECDSA_SHA1);
    /* RFC 8446 §4.2.3: SHA-1 schemes go last. */
    def.sig_schemes[0] = TENON_SIG_ECDSA_SHA1;
    CHECK_RC(tenon_config_check(&def, &why), TENON_ERR_TLS_CONFIG);
    CHECK(why != NULL && strstr(why, "SHA-1") != NULL);

    const struct {
        uint16_t suite, scheme;
        test_cert cert;
    } cases[] = {
        {TENON_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TENON_SIG_RSA_PKCS1_SHA1, CERT_RSA},
        {TENON_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TENON_SIG_ECDSA_SHA1, CERT_P384},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        /* A server that signs only with SHA-1 and a default client: nothing in common. */
        config12(cases[i].cert, cases[i].suite);
        SERVER.cfg.sign_schemes[0] = cases[i].scheme;
        SERVER.cfg.sign_scheme_count = 1;
        connect();
        CHECK(!both_done(&CLIENT, &SERVER));
        CHECK(tenon_conn_error(&SERVER.conn) == TENON_ERR_TLS_NO_COMMON_SIG_SCHEME);
        /* The client accepts SHA-1 too: the ServerKeyExchange is signed with it. */
        accept_scheme(&CLIENT.cfg, cases[i].scheme);
        connect();
        CHECK(check_connected(cases[i].suite));
        CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
        CHECK(ci.sig_scheme == cases[i].scheme);

        /* Client authentication with SHA-1 (the transcript runs SHA-1 for it). */
        config12_client_auth(cases[i].cert, cases[i].suite, cases[i].cert, cases[i].scheme);
        connect();
        CHECK_RC(tenon_conn_error(&SERVER.conn), TENON_ERR_TLS_NO_CLIENT_CERT);
        accept_scheme(&SERVER.cfg, cases[i].scheme);
        connect();
        CHECK(check_connected(cases[i].suite));
        CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
        CHECK(si.client_authenticated && si.sig_scheme == cases[i].scheme);
        CHECK(C(&CLIENT)->hs == NULL && C(&SERVER)->hs == NULL);
    }

    /* TLS 1.3 never signs with them (RFC 8446 §4.2.3: "not defined for use in signed TLS
     * handshake messages"), even when both sides list them. */
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    accept_scheme(&CLIENT.cfg, TENON_SIG_ECDSA_SHA1);
    SERVER.cfg.sign_schemes[0] = TENON_SIG_ECDSA_SHA1;
    SERVER.cfg.sign_scheme_count = 1;
    CLIENT.cfg.min_version = TENON_TLS13;
    connect();
    CHECK(tenon_conn_error(&SERVER.conn) == TENON_ERR_TLS_NO_COMMON_SIG_SCHEME);
    /* A server with TLS 1.3 only and nothing else to sign with is refused at set-up. */
    SERVER.cfg.min_version = TENON_TLS13;
    CHECK_RC(tenon_config_check(&SERVER.cfg, &why), TENON_ERR_TLS_CONFIG);
}

/* Runs the handshake up to the point where the client's second flight sits in its output. */
static void to_client_flight(void)
{
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    transfer(&CLIENT.conn, &SERVER.conn);
    transfer(&SERVER.conn, &CLIENT.conn);
}

/* The records of a buffer: offsets of each. */
static void test_failures(void)
{
    const uint8_t *p;
    size_t n, used, at[16];
    static uint8_t buf[4096];

    /* A damaged encrypted Finished: bad_record_mac (GCM and CBC, both MAC orders). */
    const uint16_t suites[] = {TENON_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                               TENON_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
                               TENON_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256};
    for (size_t i = 0; i < 3; i++) {
        config12(CERT_RSA, suites[i]);
        tls_test_client_omit = i == 2 ? TLS_TEST_OMIT_ETM : 0;
        to_client_flight();
        tls_test_client_omit = 0;
        tenon_conn_output(&CLIENT.conn, &p, &n);
        size_t k = record_offsets(p, n, at, 16);
        CHECK(k == 3 && p[at[1]] == 20); /* CKE, CCS, Finished */
        memcpy(buf, p, n);
        buf[n - 1] ^= 1; /* the tag, or the last block (padding) */
        CHECK_RC(tenon_conn_feed(&SERVER.conn, buf, n, &used), TENON_ERR_TLS_BAD_RECORD_MAC);
        tenon_conn_output(&SERVER.conn, &p, &n);
        CHECK(n == 7 && p[6] == TENON_ALERT_BAD_RECORD_MAC);
    }

    /* A Finished whose verify_data is wrong: decrypt_error. The client's write keys are
     * reachable here, so seal a wrong Finished with them. */
    config12(CERT_P256, TENON_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256);
    to_client_flight();
    tenon_conn_output(&CLIENT.conn, &p, &n);
    record_offsets(p, n, at, 16);
    memcpy(buf, p, at[2]);
    {
        uint8_t fin[16] = {20, 0, 0, 12};
        memset(fin + 4, 0x5a, 12);
        tls12_dir d = C(&CLIENT)->wr12;
        d.u.aead.seq = 0;
        size_t rl;
        CHECK_RC(tls12_seal(&d, 22, fin, 16, buf + at[2], sizeof buf - at[2], &rl), 0);
        CHECK_RC(tenon_conn_feed(&SERVER.conn, buf, at[2] + rl, &used),
                 TENON_ERR_TLS_DECRYPT_ERROR);
        tenon_conn_output(&SERVER.conn, &p, &n);
        CHECK(n >= 7 && p[n - 1] == TENON_ALERT_DECRYPT_ERROR);
    }

    /* A truncated record (shorter than a tag): bad_record_mac. */
    config12(CERT_P256, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    uint8_t shortrec[5 + 10] = {23, 3, 3, 0, 10};
    CHECK_RC(tenon_conn_feed(&SERVER.conn, shortrec, sizeof shortrec, &used),
             TENON_ERR_TLS_BAD_RECORD_MAC);
    config12(CERT_RSA, TENON_TLS_RSA_WITH_AES_128_CBC_SHA);
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    uint8_t cbcrec[5 + 40] = {23, 3, 3, 0, 40};
    CHECK_RC(tenon_conn_feed(&SERVER.conn, cbcrec, sizeof cbcrec, &used),
             TENON_ERR_TLS_BAD_RECORD_MAC);

    /* RSA key transport: a pre-master secret with a wrong version, a wrong length or bad
     * padding. The server goes on with a random one (RFC 5246 §7.4.7.1), so its keys are not
     * the client's and the client's encrypted Finished fails to authenticate: bad_record_mac,
     * the same way each time. */
    for (int kind = 0; kind < 4; kind++) {
        config12(CERT_RSA, TENON_TLS_RSA_WITH_AES_128_GCM_SHA256);
        to_client_flight();
        tenon_conn_output(&CLIENT.conn, &p, &n);
        record_offsets(p, n, at, 16);
        memcpy(buf, p, n);
        /* The CKE body: 2-byte length then the 256-byte ciphertext, after 5 + 4 bytes. */
        uint8_t pms[48];
        memset(pms, 0x11, sizeof pms);
        pms[0] = 3, pms[1] = kind == 0 ? 2 : 3;
        size_t pms_len = kind == 1 ? 47 : 48, ct_len = 0;
        uint8_t *ct = buf + 5 + 4 + 2;
        if (kind == 2) {
            memset(ct, 0x33, 256); /* not a PKCS#1 v1.5 block at all (bad padding) */
        } else if (kind == 3) {
            /* the client's own ciphertext, untouched: only the Finished is wrong below */
        } else {
            CHECK_RC(
                tenon_rsa_pkcs1_encrypt(&PKI.rsa_key.u.rsa.pub, pms, pms_len, ct, 256, &ct_len), 0);
        }
        if (kind == 3) {
            /* control: an intact flight completes. */
            CHECK_RC(tenon_conn_feed(&SERVER.conn, buf, n, &used), 0);
            continue;
        }
        int rc = tenon_conn_feed(&SERVER.conn, buf, n, &used);
        CHECK_RC(rc, TENON_ERR_TLS_BAD_RECORD_MAC);
        tenon_conn_output(&SERVER.conn, &p, &n);
        CHECK(n == 7 && p[6] == TENON_ALERT_BAD_RECORD_MAC);
    }

    /* A change_cipher_spec where none belongs, and Finished without one. */
    config12(CERT_P256, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    transfer(&CLIENT.conn, &SERVER.conn);
    uint8_t ccs[6] = {20, 3, 3, 0, 1, 1};
    CHECK_RC(tenon_conn_feed(&CLIENT.conn, ccs, 6, &used), TENON_ERR_TLS_UNEXPECTED_MESSAGE);
    config12(CERT_P256, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    to_client_flight();
    tenon_conn_output(&CLIENT.conn, &p, &n);
    record_offsets(p, n, at, 16);
    memcpy(buf, p, at[1]); /* CKE only: then a plaintext Finished */
    uint8_t fin[5 + 16] = {22, 3, 3, 0, 16, 20, 0, 0, 12};
    memcpy(buf + at[1], fin, sizeof fin);
    CHECK_RC(tenon_conn_feed(&SERVER.conn, buf, at[1] + sizeof fin, &used),
             TENON_ERR_TLS_UNEXPECTED_MESSAGE);
}

static void test_renegotiation_refused(void)
{
    size_t used, n, rl;
    const uint8_t *p;
    uint8_t rec[128];
    config12(CERT_P256, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    /* The server asks (HelloRequest): the client answers no_renegotiation, a warning. */
    uint8_t hr[4] = {0, 0, 0, 0};
    CHECK_RC(tls12_seal(&C(&SERVER)->wr12, 22, hr, 4, rec, sizeof rec, &rl), 0);
    CHECK_RC(tenon_conn_feed(&CLIENT.conn, rec, rl, &used), 0);
    tenon_conn_output(&CLIENT.conn, &p, &n);
    CHECK(n > 5 && p[0] == 21);
    CHECK_RC(tenon_conn_feed(&SERVER.conn, p, n, &used), 0); /* the warning is taken */
    tenon_conn_output_consume(&CLIENT.conn, n);
    CHECK(exchange(&CLIENT.conn, &SERVER.conn, DATA, 1000));
    /* A ClientHello on the established connection: the server refuses with the warning too. */
    uint8_t ch[40] = {1, 0, 0, 36, 3, 3};
    CHECK_RC(tls12_seal(&C(&CLIENT)->wr12, 22, ch, 40, rec, sizeof rec, &rl), 0);
    CHECK_RC(tenon_conn_feed(&SERVER.conn, rec, rl, &used), 0);
    tenon_conn_output(&SERVER.conn, &p, &n);
    CHECK(n > 5 && p[0] == 21);
    CHECK_RC(tenon_conn_feed(&CLIENT.conn, p, n, &used), 0);
    tenon_conn_output_consume(&SERVER.conn, n);
    CHECK(exchange(&SERVER.conn, &CLIENT.conn, DATA, 1000));
    CHECK(tenon_conn_status(&SERVER.conn) & TENON_HANDSHAKE_DONE);
}

static void test_alpn_sni(void)
{
    tenon_conn_info ci, si;
    config12(CERT_P256, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    static const char *const c_alpn[] = {"h2", "http/1.1"}, *const s_alpn[] = {"http/1.1"};
    CLIENT.cfg.alpn[0] = c_alpn[0], CLIENT.cfg.alpn[1] = c_alpn[1], CLIENT.cfg.alpn_count = 2;
    SERVER.cfg.alpn[0] = s_alpn[0], SERVER.cfg.alpn_count = 1;
    connect();
    CHECK(check_connected(TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256));
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(ci.alpn.len == 8 && memcmp(ci.alpn.ptr, "http/1.1", 8) == 0);
    CHECK(si.alpn.len == 8 && memcmp(si.alpn.ptr, "http/1.1", 8) == 0);
    /* The protocol agreed is the configuration's entry (tls_conn keeps its index only). */
    CHECK(ci.alpn.ptr == (const uint8_t *)c_alpn[1] && si.alpn.ptr == (const uint8_t *)s_alpn[0]);
    CHECK(si.server_name.len == 9 && memcmp(si.server_name.ptr, "localhost", 9) == 0);
    /* No protocol in common: no_application_protocol (RFC 7301 §3.2). */
    SERVER.cfg.alpn[0] = "spdy/3";
    connect();
    CHECK_RC(tenon_conn_error(&SERVER.conn), TENON_ERR_TLS_NO_APPLICATION_PROTOCOL);
    CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_NO_APPLICATION_PROTOCOL);
}

static void test_review_fixes(void)
{
    tenon_conn_info ci;
    size_t used, rl;
    uint8_t rec[64];
    /* A two-version client whose server picks RSA key transport, or resumes: no group. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.suites[CLIENT.cfg.suite_count++] = TENON_TLS_RSA_WITH_AES_128_GCM_SHA256;
    server_config(&SERVER.cfg, CERT_RSA);
    SERVER.cfg.max_version = TENON_TLS12;
    SERVER.cfg.suites[0] = TENON_TLS_RSA_WITH_AES_128_GCM_SHA256;
    SERVER.cfg.suite_count = 1;
    connect();
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK(ci.version == TENON_TLS12 && ci.suite == TENON_TLS_RSA_WITH_AES_128_GCM_SHA256);
    CHECK(ci.group == 0 && ci.group_name == NULL);

    /* A peer streaming user_canceled warnings is cut off like any other warning stream. */
    config12(CERT_P256, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    int rc = 0, sent = 0;
    for (; sent < 100 && rc == 0; sent++) {
        uint8_t a[2] = {1, TENON_ALERT_USER_CANCELED};
        CHECK_RC(tls12_seal(&C(&CLIENT)->wr12, 21, a, 2, rec, sizeof rec, &rl), 0);
        rc = tenon_conn_feed(&SERVER.conn, rec, rl, &used);
    }
    CHECK(rc == TENON_ERR_TLS_UNEXPECTED_MESSAGE && sent == 5);

    /* A HelloRequest while the client negotiates is ignored (RFC 5246 §7.4.1.1). */
    config12(CERT_P256, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    uint8_t hr[9] = {22, 3, 3, 0, 4, 0, 0, 0, 0};
    CHECK_RC(tenon_conn_feed(&CLIENT.conn, hr, sizeof hr, &used), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(both_done(&CLIENT, &SERVER));

    /* Record sizes: a TLS 1.2 ciphertext of 2^14 + 304 bytes (a CBC record with the longest
     * padding) is taken in and fails only its MAC; one byte more is record_overflow. */
    config12(CERT_RSA, TENON_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256);
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    static uint8_t big[5 + 16384 + 305];
    memset(big, 0x41, sizeof big);
    big[0] = 23, big[1] = 3, big[2] = 3;
    size_t len = 16384 + 304;
    big[3] = (uint8_t)(len >> 8), big[4] = (uint8_t)len;
    CHECK_RC(tenon_conn_feed(&SERVER.conn, big, 5 + len, &used), TENON_ERR_TLS_BAD_RECORD_MAC);
    connect();
    len++;
    big[3] = (uint8_t)(len >> 8), big[4] = (uint8_t)len;
    CHECK_RC(tenon_conn_feed(&SERVER.conn, big, 5 + len, &used), TENON_ERR_TLS_RECORD_OVERFLOW);
    transfer(&SERVER.conn, &CLIENT.conn); /* the alert, encrypted */
    CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_RECORD_OVERFLOW);
}

static char KEYLOG[2][256];
static void keylog(void *user, const char *line)
{
    char *dst = user;
    snprintf(dst, 256, "%s", line);
}
static int PRF_EVENTS;
static void trace(void *user, const tenon_trace_event *ev)
{
    (void)user;
    if (ev->type == TENON_TRACE_PRF)
        PRF_EVENTS++;
}

static void test_keylog_and_trace(void)
{
    config12(CERT_P256, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    CLIENT.cfg.keylog_fn = keylog;
    CLIENT.cfg.keylog_user = KEYLOG[0];
    SERVER.cfg.keylog_fn = keylog;
    SERVER.cfg.keylog_user = KEYLOG[1];
    CLIENT.cfg.trace_fn = trace;
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK(strncmp(KEYLOG[0], "CLIENT_RANDOM ", 14) == 0 &&
          strlen(KEYLOG[0]) == 13 + 1 + 64 + 1 + 96);
    CHECK(strcmp(KEYLOG[0], KEYLOG[1]) == 0);
    /* extended master secret, key expansion, client and server finished. */
    CHECK(PRF_EVENTS == 4);
    /* An abbreviated handshake logs its own client random with the session's master secret. */
    tenon_ticket_store_init(&STORE, SLOTS, 2);
    CLIENT.cfg.ticket_store = &STORE;
    ticket_server(&SERVER.cfg);
    connect();
    char first[256];
    memcpy(first, KEYLOG[0], sizeof first);
    memset(KEYLOG, 0, sizeof KEYLOG);
    connect();
    CHECK(C(&CLIENT)->resumed);
    CHECK(strcmp(KEYLOG[0], KEYLOG[1]) == 0 && strlen(KEYLOG[0]) == strlen(first));
    CHECK(memcmp(KEYLOG[0], first, 14 + 64) != 0);            /* a new client random */
    CHECK(strcmp(KEYLOG[0] + 14 + 64, first + 14 + 64) == 0); /* the same master secret */
    tenon_ticket_store_init(&STORE, SLOTS, 2);
}

int main(void)
{
    for (size_t i = 0; i < sizeof DATA; i++)
        DATA[i] = (uint8_t)(i * 7 + 3);
    if (pki_setup() != 0)
        return 1;
    test_every_suite();
    test_legacy_not_default();
    test_versions();
    test_extended_master_secret();
    test_tickets();
    test_session_id();
    test_client_auth();
    test_client_auth_any_hash();
    test_sha1_schemes();
    test_failures();
    test_renegotiation_refused();
    test_keylog_and_trace();
    test_alpn_sni();
    test_review_fixes();
    return tu_finish("test_tls12");
}
