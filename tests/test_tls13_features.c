/*
 * HelloRetryRequest, KeyUpdate, exporters, client certificates and session resumption, client
 * and server engines back to back in memory.
 */
#include "test_tls13_harness.h"

#include "tls/tls13.h"

static uint8_t DATA[20000];

static void connect(void)
{
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
}

static void test_hello_retry(void)
{
    /* The server prefers P-256; the client's first share is X25519. */
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.groups[0] = &tenon_kex_secp256r1;
    SERVER.cfg.groups[1] = &tenon_kex_x25519;
    SERVER.cfg.group_count = 2;
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    tenon_conn_info ci, si;
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(ci.hello_retry && si.hello_retry);
    CHECK(ci.group == 23 && si.group == 23);
    CHECK(exchange(&CLIENT.conn, &SERVER.conn, DATA, 5000));
    CHECK(exchange(&SERVER.conn, &CLIENT.conn, DATA, 5000));

    /* With SHA-384 and without middlebox compatibility too. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.suites[0] = TENON_TLS_AES_256_GCM_SHA384;
    CLIENT.cfg.suite_count = 1;
    CLIENT.cfg.middlebox_compat = 0;
    SERVER.cfg.groups[0] = &tenon_kex_secp384r1;
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK(ci.hello_retry && ci.group == 24 && ci.suite == TENON_TLS_AES_256_GCM_SHA384);

    /* No group in common: handshake_failure. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.group_count = 1;
    SERVER.cfg.groups[0] = &tenon_kex_secp384r1;
    SERVER.cfg.group_count = 1;
    connect();
    CHECK_RC(tenon_conn_error(&SERVER.conn), TENON_ERR_TLS_NO_COMMON_GROUP);
    CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_HANDSHAKE_FAILURE);
}

static void test_key_update_and_export(void)
{
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    tls_conn *c = tls_conn_of(&CLIENT.conn), *s = tls_conn_of(&SERVER.conn);
    uint8_t c_ap[48], s_ap[48];
    memcpy(c_ap, c->c_ap, 48);
    memcpy(s_ap, s->s_ap, 48);

    /* The client updates and asks the server to; the server answers before its next data. */
    CHECK_RC(tenon_conn_key_update(&CLIENT.conn, 1), 0);
    CHECK(exchange(&CLIENT.conn, &SERVER.conn, DATA, 3000));
    CHECK(memcmp(c_ap, c->c_ap, 48) != 0 && memcmp(c->c_ap, s->c_ap, 48) == 0);
    CHECK(exchange(&SERVER.conn, &CLIENT.conn, DATA, 3000));
    CHECK(memcmp(s_ap, s->s_ap, 48) != 0 && memcmp(c->s_ap, s->s_ap, 48) == 0);
    /* Unrequested updates, several in a row, both ways. */
    for (int i = 0; i < 3; i++) {
        CHECK_RC(tenon_conn_key_update(&SERVER.conn, 0), 0);
        CHECK_RC(tenon_conn_key_update(&CLIENT.conn, 0), 0);
    }
    CHECK(exchange(&SERVER.conn, &CLIENT.conn, DATA, 17000));
    CHECK(exchange(&CLIENT.conn, &SERVER.conn, DATA, 17000));

    /* Exporters agree, and depend on label and context. */
    uint8_t a[32], b[32], d[32], e[32];
    CHECK_RC(tenon_conn_export(&CLIENT.conn, "EXPORTER-test", (const uint8_t *)"ctx", 3, a, 32), 0);
    CHECK_RC(tenon_conn_export(&SERVER.conn, "EXPORTER-test", (const uint8_t *)"ctx", 3, b, 32), 0);
    CHECK_MEM(a, b, 32, "exporter");
    CHECK_RC(tenon_conn_export(&SERVER.conn, "EXPORTER-tesT", (const uint8_t *)"ctx", 3, d, 32), 0);
    CHECK(memcmp(a, d, 32) != 0);
    CHECK_RC(tenon_conn_export(&SERVER.conn, "EXPORTER-test", NULL, 0, d, 32), 0);
    CHECK_RC(tenon_conn_export(&CLIENT.conn, "EXPORTER-test", (const uint8_t *)"", 0, e, 32), 0);
    CHECK(memcmp(a, d, 32) != 0);
    CHECK_MEM(d, e, 32, "empty context = no context");

    /* A KeyUpdate with a value other than 0 or 1 is illegal_parameter. */
    tls_conn *sc = tls_conn_of(&SERVER.conn);
    (void)sc;
    uint8_t bad[5] = {24, 0, 0, 1, 2};
    size_t used;
    /* Seal it as the client would: through the internal record layer. */
    static uint8_t rec[64];
    size_t rec_len;
    CHECK_RC(tls13_seal_record(&c->wr, 22, bad, sizeof bad, 0, rec, sizeof rec, &rec_len), 0);
    CHECK_RC(tenon_conn_feed(&SERVER.conn, rec, rec_len, &used), TENON_ERR_TLS_ILLEGAL_PARAMETER);
}

static void test_client_auth(void)
{
    tenon_bytes chain[1] = {{PKI.client_der, PKI.client_len}};

    /* Required, and given. */
    client_config(&CLIENT.cfg);
    CHECK_RC(tenon_config_add_cert(&CLIENT.cfg, chain, 1, &PKI.client_key, NULL), 0);
    server_config(&SERVER.cfg, CERT_RSA);
    SERVER.cfg.client_auth = TENON_CLIENT_AUTH_REQUIRE;
    SERVER.cfg.trust = &PKI.store;
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    tenon_conn_info si;
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(si.client_authenticated && si.peer_chain_count == 1 &&
          si.sig_scheme == TENON_SIG_ECDSA_SECP256R1_SHA256);
    CHECK(exchange(&CLIENT.conn, &SERVER.conn, DATA, 100));

    /* Required, not given: certificate_required. */
    client_config(&CLIENT.cfg);
    connect();
    CHECK_RC(tenon_conn_error(&SERVER.conn), TENON_ERR_TLS_CERTIFICATE_REQUIRED);
    CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_CERTIFICATE_REQUIRED);

    /* Requested, not given: fine, unauthenticated. */
    SERVER.cfg.client_auth = TENON_CLIENT_AUTH_REQUEST;
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(!si.client_authenticated && si.peer_chain_count == 0);

    /* Given, but from an unknown CA. */
    tenon_x509_cert none[1];
    tenon_x509_store empty;
    tenon_x509_store_init(&empty, none, 1);
    client_config(&CLIENT.cfg);
    CHECK_RC(tenon_config_add_cert(&CLIENT.cfg, chain, 1, &PKI.client_key, NULL), 0);
    SERVER.cfg.trust = &empty;
    connect();
    CHECK_RC(tenon_conn_error(&SERVER.conn), TENON_ERR_CERT_UNKNOWN_ISSUER);
    CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_UNKNOWN_CA);

    /* The client's key signs wrongly: decrypt_error on the server. */
    SERVER.cfg.trust = &PKI.store;
    CLIENT.cfg.certs[0].key = &PKI.p256_key;
    connect();
    CHECK_RC(tenon_conn_error(&SERVER.conn), TENON_ERR_TLS_DECRYPT_ERROR);
}

static tenon_ticket SLOTS[2];
static tenon_ticket_store STORE;

static void ticket_server(void)
{
    server_config(&SERVER.cfg, CERT_P256);
    memset(SERVER.cfg.ticket_keys[0].name, 0xaa, 16);
    memset(SERVER.cfg.ticket_keys[0].key, 0x42, 32);
    SERVER.cfg.ticket_key_count = 1;
}

static void test_resumption(void)
{
    tenon_ticket_store_init(&STORE, SLOTS, 2);
    ticket_server();
    client_config(&CLIENT.cfg);
    CLIENT.cfg.ticket_store = &STORE;

    /* A full handshake leaves a ticket in the store. */
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK(SLOTS[0].in_use && strcmp(SLOTS[0].server_name, "localhost") == 0);
    CHECK(SLOTS[0].suite == TENON_TLS_AES_128_GCM_SHA256 && SLOTS[0].psk_len == 32);

    /* The next one resumes (psk_dhe_ke): no certificate, a new ticket. */
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    tenon_conn_info ci, si;
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(ci.resumed && si.resumed && ci.peer_chain_count == 0 && ci.group == 0x11EC);
    CHECK(exchange(&CLIENT.conn, &SERVER.conn, DATA, 2000));
    CHECK(exchange(&SERVER.conn, &CLIENT.conn, DATA, 2000));
    CHECK(SLOTS[0].in_use);

    /* After a HelloRetryRequest too. */
    SERVER.cfg.groups[0] = &tenon_kex_secp256r1;
    SERVER.cfg.group_count = 1;
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK(ci.resumed && ci.hello_retry);

    /* A server with another ticket key does a full handshake. */
    ticket_server();
    SERVER.cfg.ticket_keys[0].name[0] = 0xbb;
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK(!ci.resumed && ci.peer_chain_count == 1);

    /* Key rotation: the old key still opens its tickets. */
    SERVER.cfg.ticket_keys[1] = SERVER.cfg.ticket_keys[0];
    SERVER.cfg.ticket_keys[0].name[0] = 0xcc;
    SERVER.cfg.ticket_key_count = 2;
    connect();
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK(ci.resumed);

    /* A wrong binder (the client's PSK damaged): decrypt_error. */
    CHECK(SLOTS[0].in_use);
    SLOTS[0].psk[0] ^= 1;
    connect();
    CHECK_RC(tenon_conn_error(&SERVER.conn), TENON_ERR_TLS_DECRYPT_ERROR);
    CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_DECRYPT_ERROR);
    CHECK(!SLOTS[0].in_use); /* used once */

    /* A ticket of a suite no longer configured is not offered. */
    ticket_server();
    connect();
    CHECK(SLOTS[0].in_use);
    CLIENT.cfg.suites[0] = TENON_TLS_AES_256_GCM_SHA384;
    CLIENT.cfg.suite_count = 1;
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK(!ci.resumed);

    /* An expired ticket is not offered. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.ticket_store = &STORE;
    connect();
    CHECK(SLOTS[0].in_use);
    SLOTS[0].received_ms -= 7201LL * 1000;
    connect();
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK(both_done(&CLIENT, &SERVER) && !ci.resumed);
}

int main(void)
{
    tu_seed(3);
    tu_rand(DATA, sizeof DATA);
    if (!CHECK(pki_setup() == 0))
        return tu_finish("test_tls13_features");
    test_hello_retry();
    test_key_update_and_export();
    test_client_auth();
    test_resumption();
    return tu_finish("test_tls13_features");
}
