/*
 * Signatures and certificate verdicts found by BoGo: signing schemes apart from the schemes
 * accepted from the peer (tenon_config.sign_schemes), and a verify callback that refuses a chain
 * with certificate_unknown (TENON_ERR_CERT_REJECTED). Client and server engines back to back in
 * memory, TLS 1.3 and TLS 1.2.
 */
#include "test_tls13_harness.h"

static void connect(void)
{
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
}

static const uint16_t VERSIONS[] = {TENON_TLS13, TENON_TLS12};

/* A server signs with its sign_schemes, in their order, whatever sig_schemes says. */
static void test_server_sign_schemes(uint16_t version)
{
    client_config(&CLIENT.cfg);
    CLIENT.cfg.max_version = version;
    server_config(&SERVER.cfg, CERT_RSA);
    SERVER.cfg.max_version = version;
    /* It accepts only ECDSA from peers, and signs with RSA-PSS SHA-512, then SHA-384. */
    SERVER.cfg.sig_schemes[0] = TENON_SIG_ECDSA_SECP256R1_SHA256;
    SERVER.cfg.sig_scheme_count = 1;
    SERVER.cfg.sign_schemes[0] = TENON_SIG_RSA_PSS_RSAE_SHA512;
    SERVER.cfg.sign_schemes[1] = TENON_SIG_RSA_PSS_RSAE_SHA384;
    SERVER.cfg.sign_scheme_count = 2;
    const char *why = NULL;
    CHECK_RC(tenon_config_check(&SERVER.cfg, &why), 0);
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    tenon_conn_info ci;
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK(ci.version == version && ci.sig_scheme == TENON_SIG_RSA_PSS_RSAE_SHA512);

    /* A client that accepts neither: no certificate of the server's can sign for it. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.max_version = version;
    CLIENT.cfg.sig_schemes[0] = TENON_SIG_RSA_PSS_RSAE_SHA256;
    CLIENT.cfg.sig_scheme_count = 1;
    connect();
    /* TLS 1.2: the cause for the first suite in common, ECDHE_ECDSA, which no key of ours
     * serves (docs/tls-policy.md). */
    CHECK_RC(tenon_conn_error(&SERVER.conn), version == TENON_TLS13
                                                 ? TENON_ERR_TLS_NO_COMMON_SIG_SCHEME
                                                 : TENON_ERR_TLS_NO_CERT_FOR_PEER);
    CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_HANDSHAKE_FAILURE);

    /* RFC 8446 §4.2.3: rsa_pkcs1_* in common is no scheme in common for a TLS 1.3
     * CertificateVerify (BoGo's Server-Sign-RSA_PKCS1_SHA256-TLS13). */
    if (version == TENON_TLS13) {
        client_config(&CLIENT.cfg);
        CLIENT.cfg.sig_schemes[0] = TENON_SIG_RSA_PKCS1_SHA256;
        CLIENT.cfg.sig_scheme_count = 1;
        server_config(&SERVER.cfg, CERT_RSA);
        connect();
        CHECK_RC(tenon_conn_error(&SERVER.conn), TENON_ERR_TLS_NO_COMMON_SIG_SCHEME);
        CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_HANDSHAKE_FAILURE);
    }

    /* A scheme tenon does not have is refused at set-up. */
    server_config(&SERVER.cfg, CERT_RSA);
    SERVER.cfg.sign_schemes[0] = 0x0807; /* ed25519 */
    SERVER.cfg.sign_scheme_count = 1;
    CHECK_RC(tenon_config_check(&SERVER.cfg, &why), TENON_ERR_TLS_CONFIG);
}

/* A client signs its CertificateVerify with ECDSA while it accepts only RSA-PSS from the server
 * (BoGo's Client-Sign-ECDSA_P256_SHA256-*: one list could not say both). */
static void test_client_sign_schemes(uint16_t version)
{
    tenon_bytes chain[1] = {{PKI.client_der, PKI.client_len}};
    client_config(&CLIENT.cfg);
    CLIENT.cfg.max_version = version;
    CHECK_RC(tenon_config_add_cert(&CLIENT.cfg, chain, 1, &PKI.client_key, NULL), 0);
    CLIENT.cfg.sig_schemes[0] = TENON_SIG_RSA_PSS_RSAE_SHA256;
    CLIENT.cfg.sig_scheme_count = 1;
    CLIENT.cfg.sign_schemes[0] = TENON_SIG_ECDSA_SECP256R1_SHA256;
    CLIENT.cfg.sign_scheme_count = 1;
    server_config(&SERVER.cfg, CERT_RSA);
    SERVER.cfg.max_version = version;
    SERVER.cfg.client_auth = TENON_CLIENT_AUTH_REQUIRE;
    SERVER.cfg.trust = &PKI.store;
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    tenon_conn_info ci, si;
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(ci.sig_scheme == TENON_SIG_RSA_PSS_RSAE_SHA256);
    CHECK(si.client_authenticated && si.sig_scheme == TENON_SIG_ECDSA_SECP256R1_SHA256);

    /* Signing only with a scheme the server does not ask for: no certificate is sent (RFC 8446
     * §4.4.2, RFC 5246 §7.4.6), and the server that requires one refuses. */
    CLIENT.cfg.sign_schemes[0] = TENON_SIG_ECDSA_SECP384R1_SHA384;
    SERVER.cfg.sig_schemes[0] = TENON_SIG_ECDSA_SECP256R1_SHA256;
    SERVER.cfg.sig_schemes[1] = TENON_SIG_RSA_PSS_RSAE_SHA256;
    SERVER.cfg.sig_scheme_count = 2;
    connect();
    CHECK_RC(tenon_conn_error(&SERVER.conn), version == TENON_TLS13
                                                 ? TENON_ERR_TLS_CERTIFICATE_REQUIRED
                                                 : TENON_ERR_TLS_NO_CLIENT_CERT);
    /* Both versions' messages say so in the same words. */
    CHECK(strstr(tenon_strerror(tenon_conn_error(&SERVER.conn)), "client certificate required") !=
          NULL);
}

static int reject_cb(void *user, const tenon_bytes *chain, size_t count, const char *server_name)
{
    (void)user;
    (void)chain;
    (void)count;
    (void)server_name;
    return TENON_ERR_CERT_REJECTED;
}

/* RFC 8446 §6.2: a chain the application refuses for its own reason is certificate_unknown. */
static void test_cert_rejected(uint16_t version)
{
    CHECK(tenon_error_alert(TENON_ERR_CERT_REJECTED) == TENON_ALERT_CERTIFICATE_UNKNOWN);
    CHECK(strstr(tenon_strerror(TENON_ERR_CERT_REJECTED), "refused") != NULL);

    /* The client's callback refuses the server. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.max_version = version;
    CLIENT.cfg.verify_fn = reject_cb;
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.max_version = version;
    connect();
    CHECK_RC(tenon_conn_error(&CLIENT.conn), TENON_ERR_CERT_REJECTED);
    CHECK(tenon_conn_peer_alert(&SERVER.conn) == TENON_ALERT_CERTIFICATE_UNKNOWN);

    /* The server's callback refuses the client's certificate. */
    tenon_bytes chain[1] = {{PKI.client_der, PKI.client_len}};
    client_config(&CLIENT.cfg);
    CLIENT.cfg.max_version = version;
    CHECK_RC(tenon_config_add_cert(&CLIENT.cfg, chain, 1, &PKI.client_key, NULL), 0);
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.max_version = version;
    SERVER.cfg.client_auth = TENON_CLIENT_AUTH_REQUIRE;
    SERVER.cfg.verify_fn = reject_cb;
    connect();
    CHECK_RC(tenon_conn_error(&SERVER.conn), TENON_ERR_CERT_REJECTED);
    CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_CERTIFICATE_UNKNOWN);
}

/* RFC 8422 §4: in TLS 1.2 the client's supported_groups binds the server's ECDSA key too. */
static void test_tls12_ecdsa_curve(void)
{
    /* A server with only a P-256 key and a client that lists only P-384: no suite it can serve
     * (it used the P-256 key). */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.max_version = TENON_TLS12;
    CLIENT.cfg.groups[0] = &tenon_kex_secp384r1;
    CLIENT.cfg.group_count = 1;
    server_config(&SERVER.cfg, CERT_P256);
    connect();
    CHECK_RC(tenon_conn_error(&SERVER.conn), TENON_ERR_TLS_NO_CERT_FOR_PEER);
    CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_HANDSHAKE_FAILURE);

    /* A server that ignores the list: the client lists x25519 and P-384, and its
     * supported_groups is rewritten on the way (secp384r1 -> secp256r1), so the server uses
     * x25519 and its P-256 certificate; the client refuses the certificate before anything
     * else (the rewrite would only show at the Finished). */
    CLIENT.cfg.groups[0] = &tenon_kex_x25519;
    CLIENT.cfg.groups[1] = &tenon_kex_secp384r1;
    CLIENT.cfg.group_count = 2;
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    const uint8_t *p;
    size_t n, used = 0;
    tenon_conn_output(&CLIENT.conn, &p, &n);
    static uint8_t hello[4096];
    CHECK(n <= sizeof hello);
    memcpy(hello, p, n);
    static const uint8_t ext[] = {0x00, 0x0a, 0x00, 0x06, 0x00, 0x04, 0x00, 0x1d, 0x00, 0x18};
    int found = 0;
    for (size_t i = 0; i + sizeof ext <= n && !found; i++)
        if (memcmp(hello + i, ext, sizeof ext) == 0) {
            hello[i + sizeof ext - 1] = 0x17;
            found = 1;
        }
    CHECK(found);
    tenon_conn_output_consume(&CLIENT.conn, n);
    CHECK_RC(tenon_conn_feed(&SERVER.conn, hello, n, &used), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK_RC(tenon_conn_error(&CLIENT.conn), TENON_ERR_TLS_ILLEGAL_PARAMETER);
    CHECK(tenon_conn_peer_alert(&SERVER.conn) == TENON_ALERT_ILLEGAL_PARAMETER);

    /* Both listed: fine. */
    CLIENT.cfg.groups[2] = &tenon_kex_secp256r1;
    CLIENT.cfg.group_count = 3;
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
}

int main(void)
{
    if (!CHECK(pki_setup() == 0))
        return tu_finish("test_hardening_bogoA");
    for (size_t i = 0; i < ARRAY_LEN(VERSIONS); i++) {
        test_server_sign_schemes(VERSIONS[i]);
        test_client_sign_schemes(VERSIONS[i]);
        test_cert_rejected(VERSIONS[i]);
    }
    test_tls12_ecdsa_curve();
    return tu_finish("test_hardening_bogoA");
}
