/*
 * Which of its certificates a side used, reported by tenon_conn_info.cert_index (BoGo's
 * CertificateSelection-* tests ask the shim which credential a connection used):
 *
 *   server_index   a server with a P-256 and an RSA certificate reports the one whose key signs
 *                  with a scheme the client offers (TLS 1.3 and 1.2), and -1 on a resumption
 *                  (no Certificate sent).
 *   client_index   a client asked for a certificate reports the one it sent; -1 when not asked.
 */
#include "test_tls13_harness.h"

static void pair(uint16_t version, const uint16_t *schemes, size_t n)
{
    client_config(&CLIENT.cfg);
    CLIENT.cfg.min_version = CLIENT.cfg.max_version = version;
    if (n != 0) {
        memcpy(CLIENT.cfg.sig_schemes, schemes, n * sizeof schemes[0]);
        CLIENT.cfg.sig_scheme_count = n;
    }
    server_config(&SERVER.cfg, CERT_P256);
    CHECK_RC(add_cert(&SERVER.cfg, CERT_RSA), 0);
}

/* The cert_index of both sides after a handshake (-2 if it failed). */
static void indexes(int *client, int *server)
{
    tenon_conn_info ci, si;
    *client = *server = -2;
    if (both_done(&CLIENT, &SERVER) && tenon_conn_info_get(&CLIENT.conn, &ci) == 0 &&
        tenon_conn_info_get(&SERVER.conn, &si) == 0) {
        *client = ci.cert_index;
        *server = si.cert_index;
    }
}

static void test_server_index(void)
{
    static const uint16_t rsa_only[] = {TENON_SIG_RSA_PSS_RSAE_SHA256, TENON_SIG_RSA_PKCS1_SHA256};
    static const uint16_t versions[] = {TENON_TLS13, TENON_TLS12};
    for (size_t v = 0; v < 2; v++) {
        int ci, si;
        pair(versions[v], NULL, 0);
        reconnect();
        indexes(&ci, &si);
        CHECK(si == 0 && ci == -1);
        pair(versions[v], rsa_only, 2);
        reconnect();
        indexes(&ci, &si);
        CHECK(si == 1 && ci == -1);
    }
    /* A resumption sends no certificate. */
    static tenon_ticket slots[2];
    static tenon_ticket_store store;
    tenon_ticket_store_init(&store, slots, 2);
    pair(TENON_TLS13, rsa_only, 2);
    CLIENT.cfg.ticket_store = &store;
    CHECK_RC(tenon_random(&SERVER.cfg.ticket_keys[0], sizeof SERVER.cfg.ticket_keys[0]), 0);
    SERVER.cfg.ticket_key_count = 1;
    reconnect();
    int ci, si;
    indexes(&ci, &si);
    CHECK(si == 1);
    /* The client takes the ticket when it reads. */
    CHECK(exchange(&SERVER.conn, &CLIENT.conn, (const uint8_t *)"x", 1));
    reconnect();
    CHECK(resume_outcome(TENON_TLS13) == 1);
    indexes(&ci, &si);
    CHECK(si == -1 && ci == -1);
}

static void test_client_index(void)
{
    static const uint16_t rsa_only[] = {TENON_SIG_RSA_PSS_RSAE_SHA256, TENON_SIG_RSA_PKCS1_SHA256};
    static const uint16_t versions[] = {TENON_TLS13, TENON_TLS12};
    for (size_t v = 0; v < 2; v++) {
        client_config(&CLIENT.cfg);
        CLIENT.cfg.min_version = CLIENT.cfg.max_version = versions[v];
        CHECK_RC(add_cert(&CLIENT.cfg, CERT_P256), 0);
        CHECK_RC(add_cert(&CLIENT.cfg, CERT_RSA), 0);
        server_config(&SERVER.cfg, CERT_P256);
        SERVER.cfg.client_auth = TENON_CLIENT_AUTH_REQUIRE;
        SERVER.cfg.trust = &PKI.store;
        memcpy(SERVER.cfg.sig_schemes, rsa_only, sizeof rsa_only);
        SERVER.cfg.sig_scheme_count = 2;
        /* The server signs with its P-256 key still. */
        SERVER.cfg.sign_schemes[0] = TENON_SIG_ECDSA_SECP256R1_SHA256;
        SERVER.cfg.sign_scheme_count = 1;
        reconnect();
        int ci, si;
        indexes(&ci, &si);
        CHECK(ci == 1 && si == 0);
    }
}

int main(void)
{
    CHECK_RC(pki_setup(), 0);
    test_server_index();
    test_client_index();
    return tu_finish("test_hardening_bogoE");
}
