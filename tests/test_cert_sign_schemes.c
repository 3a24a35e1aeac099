/*
 * Per-certificate signing schemes (tenon_cert_key.sign_schemes): certificates are tried in
 * order, each with its own list, on a server (against the client's signature_algorithms) and
 * on a client asked for a certificate (against the CertificateRequest's), TLS 1.3 and 1.2;
 * an empty list is the configuration's; tenon_config_check refuses unknown schemes and a list
 * that does not fit the certificate's key.
 */
#include "test_tls13_harness.h"

static void add_rsa(tenon_config *cfg, uint16_t scheme)
{
    tenon_bytes chain[1] = {{PKI.rsa_der, PKI.rsa_len}};
    CHECK_RC(tenon_config_add_cert(cfg, chain, 1, &PKI.rsa_key, NULL), 0);
    tenon_cert_key *ck = &cfg->certs[cfg->cert_count - 1];
    CHECK(ck->sign_scheme_count == 0); /* left empty: the configuration's */
    if (scheme != 0) {
        ck->sign_schemes[0] = scheme;
        ck->sign_scheme_count = 1;
    }
}

/* The peer accepts only this scheme (what it advertises). */
static void accept_only(tenon_config *cfg, uint16_t scheme)
{
    cfg->sig_schemes[0] = scheme;
    cfg->sig_scheme_count = 1;
}

static void connect(void)
{
    tenon_conn_wipe(&CLIENT.conn);
    tenon_conn_wipe(&SERVER.conn);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
}

static void server_case(uint16_t version)
{
    tenon_conn_info ci, si;
    /* Two certificates (the same RSA one twice), PSS-SHA384 first, PSS-SHA256 second; the
     * client accepts only PSS-SHA256: the second is sent. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.max_version = version;
    accept_only(&CLIENT.cfg, TENON_SIG_RSA_PSS_RSAE_SHA256);
    /* TLS 1.2: an RSA suite only (an ECDSA one first would make "no certificate for the
     * peer" the cause of a failure, RSA or not). */
    CLIENT.cfg.suites[0] = TENON_TLS_AES_128_GCM_SHA256;
    CLIENT.cfg.suites[1] = TENON_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
    CLIENT.cfg.suite_count = 2;
    tenon_config_init(&SERVER.cfg, TENON_SERVER);
    add_rsa(&SERVER.cfg, TENON_SIG_RSA_PSS_RSAE_SHA384);
    add_rsa(&SERVER.cfg, TENON_SIG_RSA_PSS_RSAE_SHA256);
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK(si.cert_index == 1 && ci.sig_scheme == TENON_SIG_RSA_PSS_RSAE_SHA256);
    CHECK(ci.version == version);

    /* Swapped: the first is sent. */
    SERVER.cfg.certs[0].sign_schemes[0] = TENON_SIG_RSA_PSS_RSAE_SHA256;
    SERVER.cfg.certs[1].sign_schemes[0] = TENON_SIG_RSA_PSS_RSAE_SHA384;
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(si.cert_index == 0);

    /* A certificate without a list of its own uses the configuration's (sign_schemes): the
     * second, after a first whose own list the client does not accept. */
    SERVER.cfg.certs[0].sign_schemes[0] = TENON_SIG_RSA_PSS_RSAE_SHA512;
    SERVER.cfg.certs[1].sign_scheme_count = 0;
    SERVER.cfg.sign_schemes[0] = TENON_SIG_RSA_PSS_RSAE_SHA256;
    SERVER.cfg.sign_scheme_count = 1;
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(si.cert_index == 1);

    /* None of them signs with the client's scheme: handshake_failure, not a signature with
     * another scheme than the certificate's own. The configuration's list has the client's
     * scheme, but no certificate signs with that list: no scheme in common. */
    SERVER.cfg.sign_scheme_count = 0;
    SERVER.cfg.certs[1].sign_schemes[0] = TENON_SIG_RSA_PSS_RSAE_SHA384;
    SERVER.cfg.certs[1].sign_scheme_count = 1;
    connect();
    CHECK_RC(tenon_conn_error(&SERVER.conn), TENON_ERR_TLS_NO_COMMON_SIG_SCHEME);
    CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_HANDSHAKE_FAILURE);

    /* The client accepts only ECDSA P-256, which the configuration's list (the second
     * certificate's) has but no RSA key signs with: no certificate for the peer. */
    accept_only(&CLIENT.cfg, TENON_SIG_ECDSA_SECP256R1_SHA256);
    SERVER.cfg.certs[1].sign_scheme_count = 0;
    connect();
    CHECK_RC(tenon_conn_error(&SERVER.conn), TENON_ERR_TLS_NO_CERT_FOR_PEER);
    CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_HANDSHAKE_FAILURE);
}

static void client_case(uint16_t version)
{
    tenon_conn_info ci, si;
    /* The server asks for a certificate and accepts only PSS-SHA256: the client sends the
     * second of its two, the one whose list has it. */
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.client_auth = TENON_CLIENT_AUTH_REQUIRE;
    SERVER.cfg.insecure_skip_verify = 1;
    accept_only(&SERVER.cfg, TENON_SIG_RSA_PSS_RSAE_SHA256);
    SERVER.cfg.sign_schemes[0] = TENON_SIG_ECDSA_SECP256R1_SHA256; /* its own P-256 key */
    SERVER.cfg.sign_scheme_count = 1;
    client_config(&CLIENT.cfg);
    CLIENT.cfg.max_version = version;
    add_rsa(&CLIENT.cfg, TENON_SIG_RSA_PSS_RSAE_SHA384);
    add_rsa(&CLIENT.cfg, TENON_SIG_RSA_PSS_RSAE_SHA256);
    /* The server's ECDSA signature must still be accepted by the client. */
    CHECK(CLIENT.cfg.sig_scheme_count > 1);
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(ci.cert_index == 1 && si.client_authenticated);
    CHECK(si.sig_scheme == TENON_SIG_RSA_PSS_RSAE_SHA256);

    /* Neither fits: an empty Certificate (RFC 8446 §4.4.2, RFC 5246 §7.4.6), which a server
     * that requires one refuses. */
    CLIENT.cfg.certs[1].sign_schemes[0] = TENON_SIG_RSA_PSS_RSAE_SHA512;
    connect();
    CHECK_RC(tenon_conn_error(&SERVER.conn), version == TENON_TLS13
                                                 ? TENON_ERR_TLS_CERTIFICATE_REQUIRED
                                                 : TENON_ERR_TLS_NO_CLIENT_CERT);
}

static void test_config_check(void)
{
    const char *why = NULL;
    tenon_config_init(&SERVER.cfg, TENON_SERVER);
    add_rsa(&SERVER.cfg, TENON_SIG_RSA_PSS_RSAE_SHA256);
    CHECK_RC(tenon_config_check(&SERVER.cfg, &why), 0);
    /* A scheme tenon does not have (ed25519). */
    SERVER.cfg.certs[0].sign_schemes[0] = 0x0807;
    CHECK_RC(tenon_config_check(&SERVER.cfg, &why), TENON_ERR_TLS_CONFIG);
    CHECK(why != NULL && strstr(why, "certificate") != NULL);
    /* A list that does not fit the key (ECDSA for an RSA key). */
    SERVER.cfg.certs[0].sign_schemes[0] = TENON_SIG_ECDSA_SECP256R1_SHA256;
    CHECK_RC(tenon_config_check(&SERVER.cfg, &why), TENON_ERR_TLS_CONFIG);
    /* Too long a list. */
    SERVER.cfg.certs[0].sign_schemes[0] = TENON_SIG_RSA_PSS_RSAE_SHA256;
    SERVER.cfg.certs[0].sign_scheme_count = TENON_MAX_SIG_SCHEMES + 1;
    CHECK_RC(tenon_config_check(&SERVER.cfg, &why), TENON_ERR_TLS_CONFIG);
}

int main(void)
{
    if (pki_setup() != 0) {
        fprintf(stderr, "pki_setup failed\n");
        return 1;
    }
    server_case(TENON_TLS13);
    server_case(TENON_TLS12);
    client_case(TENON_TLS13);
    client_case(TENON_TLS12);
    test_config_check();
    return tu_finish("test_cert_sign_schemes");
}
