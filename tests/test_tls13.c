/*
 * The TLS 1.3 engine, client and server back to back in memory: every group x suite x
 * signature scheme, ALPN, certificate checking, proof flags, data both ways, close_notify.
 */
#include "test_tls13_harness.h"

#include "tls/tls13.h"

static const tenon_kex_class *const GROUPS[] = {&tenon_kex_x25519, &tenon_kex_secp256r1,
                                                &tenon_kex_secp384r1};
static const uint16_t SUITES[] = {TENON_TLS_AES_128_GCM_SHA256, TENON_TLS_AES_256_GCM_SHA384,
                                  TENON_TLS_CHACHA20_POLY1305_SHA256};
static const struct {
    uint16_t scheme;
    test_cert cert;
} SCHEMES[] = {
    {TENON_SIG_ECDSA_SECP256R1_SHA256, CERT_P256}, {TENON_SIG_ECDSA_SECP384R1_SHA384, CERT_P384},
    {TENON_SIG_RSA_PSS_RSAE_SHA256, CERT_RSA},     {TENON_SIG_RSA_PSS_RSAE_SHA384, CERT_RSA},
    {TENON_SIG_RSA_PSS_RSAE_SHA512, CERT_RSA},
};

static uint8_t DATA[70000];

/* A full handshake with one group, suite and scheme, then data and close_notify. */
static void test_matrix(void)
{
    unsigned ok = 0, total = 0;
    for (size_t g = 0; g < ARRAY_LEN(GROUPS); g++)
        for (size_t s = 0; s < ARRAY_LEN(SUITES); s++)
            for (size_t k = 0; k < ARRAY_LEN(SCHEMES); k++) {
                total++;
                client_config(&CLIENT.cfg);
                CLIENT.cfg.groups[0] = GROUPS[g];
                CLIENT.cfg.group_count = 1;
                CLIENT.cfg.suites[0] = SUITES[s];
                CLIENT.cfg.suite_count = 1;
                server_config(&SERVER.cfg, SCHEMES[k].cert);
                SERVER.cfg.sig_schemes[0] = SCHEMES[k].scheme;
                SERVER.cfg.sig_scheme_count = 1;
                if (!CHECK(start(&CLIENT, &SERVER) == 0))
                    continue;
                pump(&CLIENT.conn, &SERVER.conn);
                if (!CHECK(both_done(&CLIENT, &SERVER))) {
                    fprintf(stderr, "    group %s suite %04x scheme %04x: client %s, server %s\n",
                            GROUPS[g]->name, SUITES[s], SCHEMES[k].scheme,
                            tenon_strerror(tenon_conn_error(&CLIENT.conn)),
                            tenon_strerror(tenon_conn_error(&SERVER.conn)));
                    continue;
                }
                tenon_conn_info ci, si;
                CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
                CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
                CHECK(ci.suite == SUITES[s] && si.suite == SUITES[s]);
                CHECK(ci.group == GROUPS[g]->tls_group && si.group == GROUPS[g]->tls_group);
                CHECK(ci.sig_scheme == SCHEMES[k].scheme);
                CHECK(ci.peer_chain_count == 1 && !ci.resumed && !ci.hello_retry);
                CHECK(si.server_name.len == 9 && memcmp(si.server_name.ptr, "localhost", 9) == 0);
                size_t n = (k == 0 && s == 0) ? sizeof DATA : 1000 + g * 7 + s;
                if (CHECK(exchange(&CLIENT.conn, &SERVER.conn, DATA, n)) &&
                    CHECK(exchange(&SERVER.conn, &CLIENT.conn, DATA + 1, n - 1)))
                    ok++;
                /* close_notify both ways. */
                CHECK_RC(tenon_conn_close(&CLIENT.conn), 0);
                pump(&CLIENT.conn, &SERVER.conn);
                CHECK(tenon_conn_status(&SERVER.conn) & TENON_PEER_CLOSED);
                size_t r;
                uint8_t b[4];
                CHECK_RC(tenon_conn_read(&SERVER.conn, b, sizeof b, &r), TENON_ERR_TLS_CLOSED);
                CHECK_RC(tenon_conn_close(&SERVER.conn), 0);
                pump(&CLIENT.conn, &SERVER.conn);
                CHECK(tenon_conn_status(&CLIENT.conn) & TENON_PEER_CLOSED);
                CHECK_RC(tenon_conn_transport_eof(&CLIENT.conn), 0);
                size_t w;
                CHECK_RC(tenon_conn_write(&CLIENT.conn, "x", 1, &w), TENON_ERR_TLS_CLOSED);
            }
    printf("matrix: %u of %u group x suite x scheme combinations passed\n", ok, total);
}

static void test_defaults_and_alpn(void)
{
    client_config(&CLIENT.cfg);
    CLIENT.cfg.alpn[0] = "http/1.1";
    CLIENT.cfg.alpn[1] = "h2";
    CLIENT.cfg.alpn_count = 2;
    server_config(&SERVER.cfg, CERT_P256);
    CHECK(add_cert(&SERVER.cfg, CERT_RSA) == 0);
    SERVER.cfg.alpn[0] = "h2";
    SERVER.cfg.alpn[1] = "http/1.1";
    SERVER.cfg.alpn_count = 2;
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(both_done(&CLIENT, &SERVER));
    tenon_conn_info ci;
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK(ci.alpn.len == 2 && memcmp(ci.alpn.ptr, "h2", 2) == 0);
    /* Both ends show the entry of their own configuration (tls_conn keeps its index only). */
    CHECK(ci.alpn.ptr == (const uint8_t *)CLIENT.cfg.alpn[1]);
    tenon_conn_info si;
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(si.alpn.ptr == (const uint8_t *)SERVER.cfg.alpn[0]);
    CHECK(ci.group == 0x11EC); /* X25519MLKEM768, the default */
    CHECK(ci.sig_scheme == TENON_SIG_ECDSA_SECP256R1_SHA256);

    /* A client whose only scheme is RSA-PSS gets the RSA certificate. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.sig_schemes[0] = TENON_SIG_RSA_PSS_RSAE_SHA256;
    CLIENT.cfg.sig_scheme_count = 1;
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK(ci.sig_scheme == TENON_SIG_RSA_PSS_RSAE_SHA256 && ci.alpn.len == 0);

    /* No protocol in common: no_application_protocol. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.alpn[0] = "spdy/1";
    CLIENT.cfg.alpn_count = 1;
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK_RC(tenon_conn_error(&SERVER.conn), TENON_ERR_TLS_NO_APPLICATION_PROTOCOL);
    CHECK_RC(tenon_conn_error(&CLIENT.conn), TENON_ERR_TLS_PEER_ALERT);
    CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_NO_APPLICATION_PROTOCOL);
}

static int reject_all(void *user, const tenon_bytes *chain, size_t n, const char *name)
{
    (void)chain;
    (void)name;
    *(size_t *)user = n;
    return TENON_ERR_CERT_UNKNOWN_ISSUER;
}

static void test_certificate_checks(void)
{
    /* The wrong host name: the client refuses the chain with bad_certificate. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.server_name = "other.example";
    server_config(&SERVER.cfg, CERT_P256);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK_RC(tenon_conn_error(&CLIENT.conn), TENON_ERR_CERT_NAME_MISMATCH);
    CHECK(tenon_conn_peer_alert(&SERVER.conn) == TENON_ALERT_BAD_CERTIFICATE);
    CHECK(!(tenon_conn_status(&CLIENT.conn) & TENON_HANDSHAKE_DONE));

    /* An empty trust store: unknown_ca. */
    tenon_x509_cert none[1];
    tenon_x509_store empty;
    tenon_x509_store_init(&empty, none, 1);
    client_config(&CLIENT.cfg);
    CLIENT.cfg.trust = &empty;
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK_RC(tenon_conn_error(&CLIENT.conn), TENON_ERR_CERT_UNKNOWN_ISSUER);
    CHECK(tenon_conn_peer_alert(&SERVER.conn) == TENON_ALERT_UNKNOWN_CA);

    /* The callback has the last word. */
    size_t seen = 0;
    client_config(&CLIENT.cfg);
    CLIENT.cfg.verify_fn = reject_all;
    CLIENT.cfg.verify_user = &seen;
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(seen == 1);
    CHECK_RC(tenon_conn_error(&CLIENT.conn), TENON_ERR_CERT_UNKNOWN_ISSUER);

    /* A server whose key does not match its certificate is refused at set-up ... */
    tenon_config bad;
    tenon_config_init(&bad, TENON_SERVER);
    tenon_bytes chain[1] = {{PKI.p256_der, PKI.p256_len}};
    const char *why = NULL;
    CHECK_RC(tenon_config_add_cert(&bad, chain, 1, &PKI.p384_key, &why), TENON_ERR_TLS_CONFIG);
    CHECK(why != NULL && strstr(why, "does not match") != NULL);
    CHECK_RC(tenon_config_check(&bad, &why), TENON_ERR_TLS_CONFIG);
    CHECK(why != NULL && strstr(why, "certificate") != NULL);
    tenon_config nosuite;
    client_config(&nosuite);
    nosuite.suite_count = 0;
    CHECK_RC(tenon_config_check(&nosuite, &why), TENON_ERR_TLS_CONFIG);
    CHECK(why != NULL && strstr(why, "suite") != NULL);
    tenon_conn c;
    CHECK_RC(
        tenon_conn_init(&c, &nosuite, CLIENT.in, sizeof CLIENT.in, CLIENT.out, sizeof CLIENT.out),
        TENON_ERR_TLS_CONFIG);
    CHECK_RC(tenon_conn_init(&c, &CLIENT.cfg, CLIENT.in, 100, CLIENT.out, sizeof CLIENT.out),
             TENON_ERR_BUFFER_TOO_SMALL);

    /* ... and one that signs with the wrong key anyway fails CertificateVerify:
     * decrypt_error (signature_verified never set). */
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.certs[0].key = &PKI.client_key;
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK_RC(tenon_conn_error(&CLIENT.conn), TENON_ERR_TLS_DECRYPT_ERROR);
    CHECK(tenon_conn_peer_alert(&SERVER.conn) == TENON_ALERT_DECRYPT_ERROR);
}

/* Feeds the first record of from's output to to, leaving the rest. */
static void feed_first_record(tenon_conn *from, tenon_conn *to)
{
    const uint8_t *p;
    size_t n, used;
    tenon_conn_output(from, &p, &n);
    size_t rec = 5 + (((size_t)p[3] << 8) | p[4]);
    CHECK(tenon_conn_feed(to, p, rec, &used) == 0 && used == rec);
    tenon_conn_output_consume(from, used);
}

/* STYLE.md 9: a wrong Finished never reaches traffic; the gate refuses missing proofs. */
static void test_proof_flags(void)
{
    /* The client's copy of the server handshake secret is damaged after its keys are in use:
     * the records still decrypt, the server's Finished does not verify. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.middlebox_compat = 0;
    server_config(&SERVER.cfg, CERT_P256);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    transfer(&CLIENT.conn, &SERVER.conn);
    feed_first_record(&SERVER.conn, &CLIENT.conn); /* ServerHello */
    tls_conn_of(&CLIENT.conn)->hs->s_hs[0] ^= 1;
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK_RC(tenon_conn_error(&CLIENT.conn), TENON_ERR_TLS_DECRYPT_ERROR);
    CHECK(tenon_conn_peer_alert(&SERVER.conn) == TENON_ALERT_DECRYPT_ERROR);
    CHECK(!tls_conn_of(&CLIENT.conn)->finished_verified);

    /* The same on the server for the client's Finished. */
    client_config(&CLIENT.cfg);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    transfer(&CLIENT.conn, &SERVER.conn);
    tls_conn_of(&SERVER.conn)->hs->c_hs[0] ^= 1;
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK_RC(tenon_conn_error(&SERVER.conn), TENON_ERR_TLS_DECRYPT_ERROR);
    CHECK(!(tenon_conn_status(&SERVER.conn) & TENON_HANDSHAKE_DONE));

    /* The gate itself. */
    client_config(&CLIENT.cfg);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    tls_conn *c = tls_conn_of(&CLIENT.conn);
    CHECK_RC(tls_enter_traffic(c), TENON_ERR_INTERNAL); /* nothing proven */
    c->finished_verified = 1;
    CHECK_RC(tls_enter_traffic(c), TENON_ERR_INTERNAL); /* no certificate proof */
    c->cert_verified = 1;
    CHECK_RC(tls_enter_traffic(c), TENON_ERR_INTERNAL); /* no signature proof */
    c->signature_verified = 1;
    c->finished_verified = 0;
    CHECK_RC(tls_enter_traffic(c), TENON_ERR_INTERNAL); /* no Finished proof */
    c->finished_verified = 1;
    CHECK_RC(tls_enter_traffic(c), 0);
    tls_conn *s = tls_conn_of(&SERVER.conn);
    s->finished_verified = 1;
    s->peer_sent_cert = 1;
    CHECK_RC(tls_enter_traffic(s), TENON_ERR_INTERNAL); /* a client certificate, unproven */
}

static int64_t time_plus(void *user)
{
    return (int64_t)time(NULL) * 1000 + *(int64_t *)user;
}

static void test_middlebox_and_trace(void)
{
    /* With compatibility mode off on both sides no change_cipher_spec is sent. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.middlebox_compat = 0;
    server_config(&SERVER.cfg, CERT_P256);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    const uint8_t *p;
    size_t n;
    tenon_conn_output(&CLIENT.conn, &p, &n);
    CHECK(n > 44 && p[5 + 4 + 2 + 32] == 0); /* empty legacy_session_id */
    transfer(&CLIENT.conn, &SERVER.conn);
    tenon_conn_output(&SERVER.conn, &p, &n);
    size_t first = 5 + (((size_t)p[3] << 8) | p[4]);
    CHECK(n > first && p[first] == TLS_CT_APPLICATION_DATA);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(both_done(&CLIENT, &SERVER));

    /* On: the server's ServerHello is followed by change_cipher_spec. */
    client_config(&CLIENT.cfg);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    transfer(&CLIENT.conn, &SERVER.conn);
    tenon_conn_output(&SERVER.conn, &p, &n);
    first = 5 + (((size_t)p[3] << 8) | p[4]);
    CHECK(n > first + 6 && p[first] == TLS_CT_CHANGE_CIPHER_SPEC && p[first + 5] == 1);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(both_done(&CLIENT, &SERVER));

    /* Expired certificates (the clock a year ahead). */
    int64_t ahead = 400LL * 86400 * 1000;
    client_config(&CLIENT.cfg);
    CLIENT.cfg.time_fn = time_plus;
    CLIENT.cfg.time_user = &ahead;
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK_RC(tenon_conn_error(&CLIENT.conn), TENON_ERR_CERT_EXPIRED);
    CHECK(tenon_conn_peer_alert(&SERVER.conn) == TENON_ALERT_CERTIFICATE_EXPIRED);
}

typedef struct trace_log {
    unsigned messages_sent, messages_received, verified, secrets_shown, secrets_hidden;
    unsigned keylog_lines, keylog_ok;
    int saw_chain, saw_cv, saw_finished;
} trace_log;

static void count_trace(void *user, const tenon_trace_event *ev)
{
    trace_log *t = user;
    if (ev->type == TENON_TRACE_MESSAGE && ev->sent)
        t->messages_sent++;
    if (ev->type == TENON_TRACE_MESSAGE && !ev->sent)
        t->messages_received++;
    if (ev->type == TENON_TRACE_VERIFIED) {
        t->verified++;
        t->saw_chain |= strcmp(ev->label, "certificate chain") == 0;
        t->saw_cv |= strcmp(ev->label, "certificate verify") == 0;
        t->saw_finished |= strcmp(ev->label, "finished") == 0;
    }
    for (size_t i = 0; i < ev->nvalues; i++)
        if (ev->values[i].secret) {
            if (ev->values[i].data)
                t->secrets_shown++;
            else
                t->secrets_hidden++;
        }
}

static trace_log KEYLOG;

static void keylog(void *user, const char *line)
{
    trace_log *t = user;
    t->keylog_lines++;
    /* "LABEL <64 hex client random> <64 hex secret>" for SHA-256 suites. */
    const char *sp = strchr(line, ' ');
    if (sp != NULL && strlen(sp + 1) == 64 + 1 + 64)
        t->keylog_ok++;
    tls_conn *c = tls_conn_of(&CLIENT.conn);
    if (strncmp(line, "CLIENT_HANDSHAKE_TRAFFIC_SECRET ", 32) == 0) {
        char hex[65];
        for (int i = 0; i < 32; i++)
            snprintf(hex + 2 * i, 3, "%02x", c->hs->c_hs[i]);
        if (strcmp(line + 32 + 65, hex) == 0)
            t->keylog_ok += 100;
    }
}

static void test_trace_and_keylog(void)
{
    trace_log ct, st;
    memset(&ct, 0, sizeof ct);
    memset(&st, 0, sizeof st);
    memset(&KEYLOG, 0, sizeof KEYLOG);
    client_config(&CLIENT.cfg);
    CLIENT.cfg.trace_fn = count_trace;
    CLIENT.cfg.trace_user = &ct;
    CLIENT.cfg.keylog_fn = keylog;
    CLIENT.cfg.keylog_user = &KEYLOG;
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.trace_fn = count_trace;
    SERVER.cfg.trace_user = &st;
    SERVER.cfg.trace_secrets = 1;
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(both_done(&CLIENT, &SERVER));
    /* ClientHello, Finished sent; ServerHello, EncryptedExtensions, Certificate,
     * CertificateVerify, Finished received. */
    CHECK(ct.messages_sent == 2 && ct.messages_received == 5);
    CHECK(st.messages_sent == 5 && st.messages_received == 2);
    CHECK(ct.saw_chain && ct.saw_cv && ct.saw_finished && st.saw_finished);
    CHECK(ct.secrets_shown == 0 && ct.secrets_hidden > 10);
    CHECK(st.secrets_hidden == 0 && st.secrets_shown > 10);
    /* Five key log lines, well formed, the handshake secret the one in use. */
    CHECK(KEYLOG.keylog_lines == 5);
    CHECK(KEYLOG.keylog_ok == 5 + 100);
}

int main(void)
{
    tu_seed(1);
    tu_rand(DATA, sizeof DATA);
    if (!CHECK(pki_setup() == 0))
        return tu_finish("test_tls13");
    test_matrix();
    test_defaults_and_alpn();
    test_certificate_checks();
    test_proof_flags();
    test_middlebox_and_trace();
    test_trace_and_keylog();
    return tu_finish("test_tls13");
}
