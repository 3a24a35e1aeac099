/*
 * Hardening (issue 11), certificates and verification settings:
 *   14. the peer's end-entity keyUsage binds the use of its key (TLS 1.3 and 1.2, both sides,
 *       with and without insecure_skip_verify), and a server's own certificate is held to it;
 *   15. a wildcard dNSName is checked against excluded name-constraint subtrees as every name
 *       it can match (and its siblings: case, leading dots, trailing dots, IPv4-mapped IPv6);
 *   17. contradictory verification settings are refused at set-up, in words.
 * Certificates with keyUsage and nameConstraints come from tenon_x509_issue and, where it has
 * no field for them, from OpenSSL's libcrypto.
 */
#include "test_tls13_harness.h"

#include <openssl/ec.h>

/* ---- certificates ---- */

/* An ECDSA leaf under the harness CA with the given keyUsage (0: no extension). */
static int issue_leaf_ku(const char *cn, uint32_t eku, uint32_t ku, tenon_private_key *key,
                         uint8_t *der, size_t cap, size_t *len)
{
    tenon_x509_cert ca;
    if (tenon_x509_parse(&ca, PKI.ca_der, PKI.ca_len) != 0)
        return -1;
    int64_t now = (int64_t)time(NULL);
    tenon_x509_issue_params lp;
    memset(&lp, 0, sizeof lp);
    lp.subject_cn = cn;
    lp.not_before = now - 3600;
    lp.not_after = now + 86400;
    lp.path_len = -1;
    lp.key_usage = ku;
    lp.ext_key_usage = eku;
    lp.dns_names[0] = cn;
    key->type = TENON_KEY_EC;
    if (tenon_ec_keygen(TENON_EC_P256, &key->u.ec) != 0)
        return -1;
    return tenon_x509_issue(&lp, &key->u.ec.pub, &ca, &PKI.ca_key, der, cap, len);
}

/* A certificate made by libcrypto: subject CN=cn, signed by issuer_key (self-signed when issuer
 * is NULL), with the extensions given as name/value pairs in OpenSSL's configuration syntax. */
static int ossl_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
                     const char *const *exts, size_t n_exts, X509 **out, uint8_t *der, size_t cap,
                     size_t *len)
{
    X509 *x = X509_new();
    if (x == NULL)
        return -1;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1000 + (long)(tu_rand_u64() % 100000));
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L);
    X509_set_pubkey(x, key);
    X509_NAME *n = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : n);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
    for (size_t i = 0; i < 2 * n_exts; i += 2) {
        X509_EXTENSION *e = X509V3_EXT_nconf(NULL, &ctx, exts[i], exts[i + 1]);
        if (e == NULL) {
            fprintf(stderr, "    openssl refused %s = %s\n", exts[i], exts[i + 1]);
            X509_free(x);
            return -1;
        }
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
    }
    if (X509_sign(x, issuer_key, EVP_sha256()) <= 0) {
        X509_free(x);
        return -1;
    }
    int l = i2d_X509(x, NULL);
    if (l <= 0 || (size_t)l > cap) {
        X509_free(x);
        return -1;
    }
    unsigned char *p = der;
    *len = (size_t)i2d_X509(x, &p);
    if (out != NULL)
        *out = x;
    else
        X509_free(x);
    return 0;
}

static int ossl_private_key(EVP_PKEY *pk, tenon_private_key *key)
{
    unsigned char *kd = NULL;
    int klen = i2d_PrivateKey(pk, &kd);
    int rc = klen > 0 ? tenon_private_key_parse_der(key, kd, (size_t)klen) : -1;
    OPENSSL_clear_free(kd, klen > 0 ? (size_t)klen : 0);
    return rc;
}

/* ---- handshakes ---- */

static void use_cert(tenon_config *cfg, const uint8_t *der, size_t len,
                     const tenon_private_key *key)
{
    /* Set directly, as a peer that does not check its own certificate would: the handshake
     * code, not tenon_config_add_cert, is under test here. */
    tenon_cert_key *ck = &cfg->certs[cfg->cert_count++];
    memset(ck, 0, sizeof *ck);
    ck->chain[0].ptr = der;
    ck->chain[0].len = len;
    ck->chain_count = 1;
    ck->key = key;
}

static void only_tls12(tenon_config *cfg, uint16_t suite)
{
    cfg->max_version = TENON_TLS12;
    cfg->suites[0] = suite;
    cfg->suite_count = 1;
}

static void run(void)
{
    int rc = start(&CLIENT, &SERVER);
    if (rc != 0) {
        CHECK_RC(rc, 0);
        return;
    }
    pump(&CLIENT.conn, &SERVER.conn);
}

/* The handshake failed on the client with err, and the server got alert. */
static void client_refused(int err, int alert)
{
    CHECK_RC(tenon_conn_error(&CLIENT.conn), err);
    CHECK(tenon_conn_peer_alert(&SERVER.conn) == alert);
    CHECK(!(tenon_conn_status(&SERVER.conn) & TENON_HANDSHAKE_DONE));
}

static void server_refused(int err, int alert)
{
    CHECK_RC(tenon_conn_error(&SERVER.conn), err);
    CHECK(tenon_conn_peer_alert(&CLIENT.conn) == alert);
}

static void succeeded(void)
{
    CHECK(both_done(&CLIENT, &SERVER));
    static const uint8_t msg[] = "data after the handshake";
    CHECK(exchange(&CLIENT.conn, &SERVER.conn, msg, sizeof msg));
}

static uint8_t LEAF_SIG[2048], LEAF_ENC[2048], LEAF_NONE[2048], LEAF_BOTH[2048];
static size_t LEAF_SIG_LEN, LEAF_ENC_LEN, LEAF_NONE_LEN, LEAF_BOTH_LEN;
static tenon_private_key KEY_SIG, KEY_ENC, KEY_NONE, KEY_BOTH;
static uint8_t CL_SIG[2048], CL_ENC[2048];
static size_t CL_SIG_LEN, CL_ENC_LEN;
static tenon_private_key CLKEY_SIG, CLKEY_ENC;

static void server_with(const uint8_t *der, size_t len, const tenon_private_key *key)
{
    tenon_config_init(&SERVER.cfg, TENON_SERVER);
    use_cert(&SERVER.cfg, der, len, key);
}

/* 14: TLS 1.3 and TLS 1.2 ECDHE server certificates. */
static void test_server_key_usage(void)
{
    const uint32_t both = TENON_EKU_SERVER_AUTH | TENON_EKU_CLIENT_AUTH;
    CHECK_RC(issue_leaf_ku("localhost", both, TENON_KU_DIGITAL_SIGNATURE, &KEY_SIG, LEAF_SIG,
                           sizeof LEAF_SIG, &LEAF_SIG_LEN),
             0);
    CHECK_RC(issue_leaf_ku("localhost", both, TENON_KU_KEY_ENCIPHERMENT, &KEY_ENC, LEAF_ENC,
                           sizeof LEAF_ENC, &LEAF_ENC_LEN),
             0);
    CHECK_RC(
        issue_leaf_ku("localhost", both, 0, &KEY_NONE, LEAF_NONE, sizeof LEAF_NONE, &LEAF_NONE_LEN),
        0);
    CHECK_RC(issue_leaf_ku("localhost", both,
                           TENON_KU_DIGITAL_SIGNATURE | TENON_KU_KEY_ENCIPHERMENT, &KEY_BOTH,
                           LEAF_BOTH, sizeof LEAF_BOTH, &LEAF_BOTH_LEN),
             0);

    /* The x509 layer's answer. */
    tenon_x509_cert c;
    CHECK_RC(tenon_x509_parse(&c, LEAF_ENC, LEAF_ENC_LEN), 0);
    CHECK(!tenon_x509_key_usage_allows(&c, TENON_KU_DIGITAL_SIGNATURE));
    CHECK(tenon_x509_key_usage_allows(&c, TENON_KU_KEY_ENCIPHERMENT));
    CHECK_RC(tenon_x509_parse(&c, LEAF_NONE, LEAF_NONE_LEN), 0);
    CHECK(tenon_x509_key_usage_allows(&c, TENON_KU_DIGITAL_SIGNATURE | TENON_KU_KEY_ENCIPHERMENT));
    CHECK(!tenon_x509_key_usage_allows(NULL, 0));

    for (int v12 = 0; v12 < 2; v12++) {
        for (int insecure = 0; insecure < 2; insecure++) {
            /* keyEncipherment only: refused, whether the chain is verified or not. */
            client_config(&CLIENT.cfg);
            if (insecure) {
                CLIENT.cfg.trust = NULL;
                CLIENT.cfg.insecure_skip_verify = 1;
            }
            server_with(LEAF_ENC, LEAF_ENC_LEN, &KEY_ENC);
            if (v12) {
                only_tls12(&CLIENT.cfg, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
                only_tls12(&SERVER.cfg, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
            }
            run();
            client_refused(TENON_ERR_TLS_KEY_USAGE, TENON_ALERT_UNSUPPORTED_CERTIFICATE);

            /* digitalSignature, or no keyUsage at all: accepted. */
            static const struct {
                const uint8_t *der;
                const size_t *len;
                const tenon_private_key *key;
            } good[] = {{LEAF_SIG, &LEAF_SIG_LEN, &KEY_SIG},
                        {LEAF_NONE, &LEAF_NONE_LEN, &KEY_NONE},
                        {LEAF_BOTH, &LEAF_BOTH_LEN, &KEY_BOTH}};
            for (size_t i = 0; i < ARRAY_LEN(good); i++) {
                SERVER.cfg.cert_count = 0;
                use_cert(&SERVER.cfg, good[i].der, *good[i].len, good[i].key);
                run();
                succeeded();
            }
        }
    }
}

/* 14: client certificates (TLS 1.3 and 1.2), and the server goes on serving. */
static void test_client_key_usage(void)
{
    CHECK_RC(issue_leaf_ku("client.test", TENON_EKU_CLIENT_AUTH, TENON_KU_DIGITAL_SIGNATURE,
                           &CLKEY_SIG, CL_SIG, sizeof CL_SIG, &CL_SIG_LEN),
             0);
    CHECK_RC(issue_leaf_ku("client.test", TENON_EKU_CLIENT_AUTH, TENON_KU_KEY_ENCIPHERMENT,
                           &CLKEY_ENC, CL_ENC, sizeof CL_ENC, &CL_ENC_LEN),
             0);
    for (int v12 = 0; v12 < 2; v12++) {
        for (int insecure = 0; insecure < 2; insecure++) {
            server_config(&SERVER.cfg, CERT_P256);
            SERVER.cfg.client_auth = TENON_CLIENT_AUTH_REQUIRE;
            if (insecure)
                SERVER.cfg.insecure_skip_verify = 1;
            else
                SERVER.cfg.trust = &PKI.store;
            client_config(&CLIENT.cfg);
            use_cert(&CLIENT.cfg, CL_ENC, CL_ENC_LEN, &CLKEY_ENC);
            if (v12) {
                only_tls12(&CLIENT.cfg, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
                only_tls12(&SERVER.cfg, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
            }
            run();
            server_refused(TENON_ERR_TLS_KEY_USAGE, TENON_ALERT_UNSUPPORTED_CERTIFICATE);
            CHECK(!(tenon_conn_status(&SERVER.conn) & TENON_HANDSHAKE_DONE));

            /* The same server configuration serves the next client. */
            CLIENT.cfg.certs[0].chain[0].ptr = CL_SIG;
            CLIENT.cfg.certs[0].chain[0].len = CL_SIG_LEN;
            CLIENT.cfg.certs[0].key = &CLKEY_SIG;
            run();
            succeeded();
            tenon_conn_info si;
            CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
            CHECK(si.client_authenticated);
        }
    }
}

/* Replaces every occurrence of from by to (same length) in the bytes a connection has to send:
 * a man in the middle editing the TLS 1.2 Certificate, which travels in the clear. */
static int patch_output(tenon_conn *conn, const uint8_t *from, const uint8_t *to, size_t n)
{
    const uint8_t *p;
    size_t len;
    int hits = 0;
    tenon_conn_output(conn, &p, &len);
    uint8_t *w = (uint8_t *)(uintptr_t)p;
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(w + i, from, n) == 0) {
            memcpy(w + i, to, n);
            hits++;
        }
    return hits;
}

/* 14: TLS 1.2 RSA key transport wants keyEncipherment; ECDHE_RSA wants digitalSignature. */
static void test_rsa_key_usage(void)
{
    static uint8_t rsa_both[2048], rsa_sig[2048];
    size_t both_len = 0, sig_len = 0;
    static tenon_private_key kboth, ksig;
    EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    CHECK(pk != NULL);
    if (pk == NULL)
        return;
    const char *ext_both[] = {"subjectAltName", "DNS:localhost", "keyUsage",
                              "critical,digitalSignature,keyEncipherment"};
    const char *ext_sig[] = {"subjectAltName", "DNS:localhost", "keyUsage",
                             "critical,digitalSignature"};
    CHECK_RC(ossl_cert("localhost", pk, NULL, pk, ext_both, 2, NULL, rsa_both, sizeof rsa_both,
                       &both_len),
             0);
    CHECK_RC(
        ossl_cert("localhost", pk, NULL, pk, ext_sig, 2, NULL, rsa_sig, sizeof rsa_sig, &sig_len),
        0);
    CHECK_RC(ossl_private_key(pk, &kboth), 0);
    CHECK_RC(ossl_private_key(pk, &ksig), 0);
    EVP_PKEY_free(pk);
    tenon_x509_cert roots[2];
    tenon_x509_store store;
    tenon_x509_store_init(&store, roots, 2);
    CHECK_RC(tenon_x509_store_add_der(&store, rsa_both, both_len), 0);

    /* KeyUsage BIT STRINGs: digitalSignature + keyEncipherment, digitalSignature alone,
     * keyEncipherment alone (same length, so a man in the middle can swap them). */
    static const uint8_t ku_both[] = {0x03, 0x02, 0x05, 0xa0};
    static const uint8_t ku_sig[] = {0x03, 0x02, 0x07, 0x80};
    static const uint8_t ku_enc[] = {0x03, 0x02, 0x05, 0x20};

    for (int kx = 0; kx < 2; kx++) {
        uint16_t suite = kx == 0 ? TENON_TLS_RSA_WITH_AES_128_GCM_SHA256
                                 : TENON_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
        for (int insecure = 0; insecure < 2; insecure++) {
            /* Untouched: the certificate allows both uses. */
            client_config(&CLIENT.cfg);
            if (insecure) {
                CLIENT.cfg.trust = NULL;
                CLIENT.cfg.insecure_skip_verify = 1;
            } else {
                CLIENT.cfg.trust = &store;
            }
            only_tls12(&CLIENT.cfg, suite);
            server_with(rsa_both, both_len, &kboth);
            only_tls12(&SERVER.cfg, suite);
            run();
            succeeded();

            /* The certificate edited on the way to allow only the use the suite does not
             * make: the client refuses it before anything else (an insecure client does not
             * check the signature the edit broke). */
            CHECK_RC(start(&CLIENT, &SERVER), 0);
            transfer(&CLIENT.conn, &SERVER.conn);
            CHECK(patch_output(&SERVER.conn, ku_both, kx == 0 ? ku_sig : ku_enc, 4) == 1);
            pump(&CLIENT.conn, &SERVER.conn);
            client_refused(TENON_ERR_TLS_KEY_USAGE, TENON_ALERT_UNSUPPORTED_CERTIFICATE);
        }
    }

    /* A server holds its own certificate to it: with RSA key transport only, a certificate
     * without keyEncipherment is not chosen (handshake_failure, not a refusal by the client). */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.trust = NULL;
    CLIENT.cfg.insecure_skip_verify = 1;
    only_tls12(&CLIENT.cfg, TENON_TLS_RSA_WITH_AES_128_GCM_SHA256);
    tenon_config_init(&SERVER.cfg, TENON_SERVER);
    const char *why = NULL;
    tenon_bytes chain[1] = {{rsa_sig, sig_len}};
    CHECK_RC(tenon_config_add_cert(&SERVER.cfg, chain, 1, &ksig, &why), 0);
    only_tls12(&SERVER.cfg, TENON_TLS_RSA_WITH_AES_128_GCM_SHA256);
    run();
    server_refused(TENON_ERR_TLS_NO_CERT_FOR_PEER, TENON_ALERT_HANDSHAKE_FAILURE);
    tenon_private_key_wipe(&kboth);
    tenon_private_key_wipe(&ksig);
}

/* 14: tenon_config_add_cert refuses a certificate whose keyUsage forbids signing. */
static void test_own_cert(void)
{
    tenon_config cfg;
    tenon_config_init(&cfg, TENON_SERVER);
    const char *why = NULL;
    tenon_bytes enc[1] = {{LEAF_ENC, LEAF_ENC_LEN}};
    CHECK_RC(tenon_config_add_cert(&cfg, enc, 1, &KEY_ENC, &why), TENON_ERR_TLS_CONFIG);
    CHECK(why != NULL && strstr(why, "keyUsage") != NULL);
    CHECK(cfg.cert_count == 0);
    tenon_bytes sig[1] = {{LEAF_SIG, LEAF_SIG_LEN}};
    CHECK_RC(tenon_config_add_cert(&cfg, sig, 1, &KEY_SIG, &why), 0);
    tenon_bytes none[1] = {{LEAF_NONE, LEAF_NONE_LEN}};
    CHECK_RC(tenon_config_add_cert(&cfg, none, 1, &KEY_NONE, &why), 0);
    tenon_config_init(&cfg, TENON_CLIENT);
    tenon_bytes cl[1] = {{CL_ENC, CL_ENC_LEN}};
    CHECK_RC(tenon_config_add_cert(&cfg, cl, 1, &CLKEY_ENC, &why), TENON_ERR_TLS_CONFIG);
}

/* ---- 15: name constraints ---- */

typedef struct nc_case {
    const char *constraints; /* the CA's nameConstraints (OpenSSL syntax) */
    const char *san;         /* the leaf's subjectAltName */
    const char *host;        /* reference name, or NULL */
    int expect;
} nc_case;

static void test_name_constraints(void)
{
    static const nc_case cases[] = {
        /* The finding: *.example.com can be secret.example.com. */
        {"critical,excluded;DNS:secret.example.com", "DNS:*.example.com", "secret.example.com",
         TENON_ERR_CERT_NAME_CONSTRAINTS},
        /* The certificate is invalid as a whole, whatever name it is used for. */
        {"critical,excluded;DNS:secret.example.com", "DNS:*.example.com", "www.example.com",
         TENON_ERR_CERT_NAME_CONSTRAINTS},
        {"critical,excluded;DNS:secret.example.com", "DNS:*.example.com", NULL,
         TENON_ERR_CERT_NAME_CONSTRAINTS},
        /* Case does not matter, on either side. */
        {"critical,excluded;DNS:SECRET.Example.COM", "DNS:*.example.com", "secret.example.com",
         TENON_ERR_CERT_NAME_CONSTRAINTS},
        {"critical,excluded;DNS:secret.example.com", "DNS:*.EXAMPLE.com", "secret.example.com",
         TENON_ERR_CERT_NAME_CONSTRAINTS},
        /* A trailing dot on the constraint changes nothing. */
        {"critical,excluded;DNS:secret.example.com.", "DNS:*.example.com", "www.example.com",
         TENON_ERR_CERT_NAME_CONSTRAINTS},
        {"critical,excluded;DNS:secret.example.com.", "DNS:secret.example.com",
         "secret.example.com", TENON_ERR_CERT_NAME_CONSTRAINTS},
        /* The whole domain, or a parent, excluded (with or without a leading dot). */
        {"critical,excluded;DNS:example.com", "DNS:*.example.com", "a.example.com",
         TENON_ERR_CERT_NAME_CONSTRAINTS},
        {"critical,excluded;DNS:.example.com", "DNS:*.example.com", "a.example.com",
         TENON_ERR_CERT_NAME_CONSTRAINTS},
        {"critical,excluded;DNS:com", "DNS:*.example.com", "a.example.com",
         TENON_ERR_CERT_NAME_CONSTRAINTS},
        /* What the wildcard cannot match: names two labels down, names only below a label
         * (leading dot), another domain. */
        {"critical,excluded;DNS:deep.secret.example.com", "DNS:*.example.com", "a.example.com", 0},
        {"critical,excluded;DNS:.secret.example.com", "DNS:*.example.com", "a.example.com", 0},
        {"critical,excluded;DNS:secret.example.org", "DNS:*.example.com", "a.example.com", 0},
        {"critical,excluded;DNS:xexample.com", "DNS:*.example.com", "a.example.com", 0},
        /* A wildcard two labels below the excluded name is within it. */
        {"critical,excluded;DNS:secret.example.com", "DNS:*.x.secret.example.com",
         "a.x.secret.example.com", TENON_ERR_CERT_NAME_CONSTRAINTS},
        /* Permitted subtrees must hold the wildcard whole. */
        {"critical,permitted;DNS:example.com", "DNS:*.example.com", "a.example.com", 0},
        {"critical,permitted;DNS:.example.com", "DNS:*.example.com", "a.example.com", 0},
        {"critical,permitted;DNS:www.example.com", "DNS:*.example.com", "www.example.com",
         TENON_ERR_CERT_NAME_CONSTRAINTS},
        /* IP: an IPv4-mapped IPv6 address is the IPv4 address for an excluded IPv4 range. */
        {"critical,excluded;IP:10.0.0.0/255.0.0.0", "IP:10.1.2.3", "10.1.2.3",
         TENON_ERR_CERT_NAME_CONSTRAINTS},
        {"critical,excluded;IP:10.0.0.0/255.0.0.0", "IP:::ffff:10.1.2.3", "::ffff:10.1.2.3",
         TENON_ERR_CERT_NAME_CONSTRAINTS},
        {"critical,excluded;IP:10.0.0.0/255.0.0.0", "IP:::ffff:11.1.2.3", "::ffff:11.1.2.3", 0},
        /* Exact names still behave. */
        {"critical,excluded;DNS:secret.example.com", "DNS:www.example.com", "www.example.com", 0},
        {"critical,excluded;DNS:secret.example.com", "DNS:a.secret.example.com",
         "a.secret.example.com", TENON_ERR_CERT_NAME_CONSTRAINTS},
    };
    EVP_PKEY *cak = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    EVP_PKEY *lk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    CHECK(cak != NULL && lk != NULL);
    if (cak == NULL || lk == NULL)
        return;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        const nc_case *t = &cases[i];
        static uint8_t ca_der[2048], leaf_der[2048];
        size_t ca_len = 0, leaf_len = 0;
        X509 *ca = NULL;
        const char *ca_ext[] = {"basicConstraints",     "critical,CA:TRUE", "keyUsage",
                                "critical,keyCertSign", "nameConstraints",  t->constraints};
        const char *leaf_ext[] = {"subjectAltName", t->san, "extendedKeyUsage", "serverAuth"};
        if (ossl_cert("nc test CA", cak, NULL, cak, ca_ext, 3, &ca, ca_der, sizeof ca_der,
                      &ca_len) != 0 ||
            ossl_cert("leaf", lk, ca, cak, leaf_ext, 2, NULL, leaf_der, sizeof leaf_der,
                      &leaf_len) != 0) {
            CHECK(!"certificates made");
            X509_free(ca);
            continue;
        }
        X509_free(ca);
        tenon_x509_cert root, leaf;
        tenon_x509_store store;
        tenon_x509_store_init(&store, &root, 1);
        CHECK_RC(tenon_x509_store_add_der(&store, ca_der, ca_len), 0);
        CHECK_RC(tenon_x509_parse(&leaf, leaf_der, leaf_len), 0);
        tenon_x509_verify_params p;
        memset(&p, 0, sizeof p);
        p.now = (int64_t)time(NULL);
        p.hostname = t->host;
        p.purpose = TENON_X509_PURPOSE_SERVER;
        int rc = tenon_x509_verify(&store, &leaf, 1, &p);
        if (!CHECK(rc == t->expect))
            fprintf(stderr, "    case %zu: %s / %s / %s: got %d (%s), want %d\n", i, t->constraints,
                    t->san, t->host ? t->host : "-", rc, tenon_strerror(rc), t->expect);
    }
    EVP_PKEY_free(cak);
    EVP_PKEY_free(lk);
}

/* ---- 17: verification settings ---- */

static int verify_calls;
static const char *verify_name;

static int accept_all(void *user, const tenon_bytes *chain, size_t count, const char *server_name)
{
    (void)user, (void)chain, (void)count;
    verify_calls++;
    verify_name = server_name;
    return 0;
}

static int config_refused(const tenon_config *cfg, const char *word)
{
    const char *why = NULL;
    int rc = tenon_config_check(cfg, &why);
    if (rc != TENON_ERR_TLS_CONFIG || why == NULL) {
        fprintf(stderr, "    tenon_config_check gave %d, why %s\n", rc, why ? why : "(null)");
        return 0;
    }
    if (word != NULL && strstr(why, word) == NULL) {
        fprintf(stderr, "    why \"%s\" does not mention %s\n", why, word);
        return 0;
    }
    return 1;
}

static void test_config(void)
{
    tenon_config cfg;
    const char *why = NULL;

    /* insecure_skip_verify would silently disable a trust store or a callback. */
    client_config(&cfg);
    cfg.insecure_skip_verify = 1;
    CHECK(config_refused(&cfg, "insecure_skip_verify"));
    client_config(&cfg);
    cfg.trust = NULL;
    cfg.verify_fn = accept_all;
    cfg.insecure_skip_verify = 1;
    CHECK(config_refused(&cfg, "insecure_skip_verify"));
    server_config(&cfg, CERT_P256);
    cfg.client_auth = TENON_CLIENT_AUTH_REQUIRE;
    cfg.trust = &PKI.store;
    cfg.insecure_skip_verify = 1;
    CHECK(config_refused(&cfg, "insecure_skip_verify"));

    /* A verifying client without a name checks no name: refused unless said so. */
    client_config(&cfg);
    cfg.server_name = NULL;
    CHECK(config_refused(&cfg, "server_name"));
    cfg.verify_fn = accept_all;
    CHECK(config_refused(&cfg, "server_name"));
    cfg.trust = NULL;
    CHECK(config_refused(&cfg, "server_name"));
    cfg.skip_hostname_check = 1;
    CHECK_RC(tenon_config_check(&cfg, &why), 0);
    cfg.trust = &PKI.store;
    cfg.verify_fn = NULL;
    CHECK_RC(tenon_config_check(&cfg, &why), 0);

    /* skip_hostname_check means something only where a certificate is verified, and only on
     * a client. */
    client_config(&cfg);
    cfg.trust = NULL;
    cfg.insecure_skip_verify = 1;
    CHECK_RC(tenon_config_check(&cfg, &why), 0);
    cfg.skip_hostname_check = 1;
    CHECK(config_refused(&cfg, "skip_hostname_check"));
    server_config(&cfg, CERT_P256);
    cfg.skip_hostname_check = 1;
    CHECK(config_refused(&cfg, "skip_hostname_check"));

    /* A server with a trust store that asks for no client certificate would never use it. */
    server_config(&cfg, CERT_P256);
    cfg.trust = &PKI.store;
    CHECK(config_refused(&cfg, "client_auth"));
    cfg.client_auth = TENON_CLIENT_AUTH_REQUEST;
    CHECK_RC(tenon_config_check(&cfg, &why), 0);

    /* skip_hostname_check: the chain is still verified, the name is not; the callback gets
     * the configured name (here none, then one tenon does not match). */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.server_name = NULL;
    CLIENT.cfg.skip_hostname_check = 1;
    CLIENT.cfg.verify_fn = accept_all;
    server_config(&SERVER.cfg, CERT_P256);
    verify_calls = 0;
    verify_name = "unset";
    run();
    succeeded();
    CHECK(verify_calls == 1 && verify_name == NULL);
    CLIENT.cfg.server_name = "other.example";
    run();
    succeeded();
    CHECK(verify_calls == 2 && verify_name != NULL && strcmp(verify_name, "other.example") == 0);
    /* ... but not the chain's trust. */
    tenon_x509_cert none[1];
    tenon_x509_store empty;
    tenon_x509_store_init(&empty, none, 1);
    CLIENT.cfg.trust = &empty;
    run();
    client_refused(TENON_ERR_CERT_UNKNOWN_ISSUER, TENON_ALERT_UNKNOWN_CA);
    CHECK(verify_calls == 2);

    /* Without skip_hostname_check the name is matched: an IP literal against the iPAddress
     * SANs (the harness's leaves carry 127.0.0.1). */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.server_name = "127.0.0.1";
    run();
    succeeded();
    CLIENT.cfg.server_name = "127.0.0.2";
    run();
    client_refused(TENON_ERR_CERT_NAME_MISMATCH, TENON_ALERT_BAD_CERTIFICATE);
    CLIENT.cfg.server_name = "other.example";
    CLIENT.cfg.verify_fn = accept_all;
    run();
    client_refused(TENON_ERR_CERT_NAME_MISMATCH, TENON_ALERT_BAD_CERTIFICATE);
}

int main(void)
{
    tu_seed(11);
    if (pki_setup() != 0) {
        CHECK(!"pki_setup");
        return tu_finish("test_hardening_x509");
    }
    test_server_key_usage();
    test_client_key_usage();
    test_rsa_key_usage();
    test_own_cert();
    test_name_constraints();
    test_config();
    tenon_private_key_wipe(&KEY_SIG);
    tenon_private_key_wipe(&KEY_ENC);
    tenon_private_key_wipe(&KEY_NONE);
    tenon_private_key_wipe(&KEY_BOTH);
    tenon_private_key_wipe(&CLKEY_SIG);
    tenon_private_key_wipe(&CLKEY_ENC);
    return tu_finish("test_hardening_x509");
}
