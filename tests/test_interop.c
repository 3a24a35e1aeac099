/*
 * Interop over 127.0.0.1 with Debian's OpenSSL: tenon as a client of `openssl s_server` and as
 * a server for `openssl s_client`, through the blocking adapter (src/io). Groups, suites,
 * certificate types (ECDSA P-256, ECDSA P-384, RSA-2048 with PSS, Ed25519), HelloRetryRequest,
 * resumption, client certificates and KeyUpdate; data both ways and compared.
 *
 * Ports are picked free at run time, every wait is bounded, every process started is stopped by
 * its PID. Without an openssl binary the test is skipped, unless CI=true, where it fails.
 */
#include "test_interop_util.h"

static const char *OPENSSL = "openssl";
/* The version both openssl commands are held to. */
static const char *PROTO = "-tls1_3";

/* ---- tenon client, openssl s_server ---- */

typedef struct server_run {
    pid_t pid;
    int port;
} server_run;

static int start_s_server(server_run *r, const char *cert, const char *key, const char *extra1,
                          const char *extra2, const char *extra3, const char *extra4)
{
    char cp[256], kp[256], accept_arg[64];
    path_of(cp, sizeof cp, cert);
    path_of(kp, sizeof kp, key);
    for (int attempt = 0; attempt < 5; attempt++) {
        r->port = free_port();
        snprintf(accept_arg, sizeof accept_arg, "127.0.0.1:%d", r->port);
        char *argv[20] = {(char *)OPENSSL, "s_server", "-accept",     accept_arg, "-cert", cp,
                          "-key",          kp,         (char *)PROTO, "-rev",     "-quiet"};
        int n = 11;
        const char *extra[4] = {extra1, extra2, extra3, extra4};
        for (int i = 0; i < 4; i++)
            if (extra[i])
                argv[n++] = (char *)extra[i];
        argv[n] = NULL;
        r->pid = spawn(argv, NULL, NULL, "s_server.log");
        int s = connect_port(r->port, 3000);
        if (s >= 0) {
            close(s); /* s_server serves connections one after the other */
            return 0;
        }
        stop(r->pid);
    }
    return -1;
}

/* One connection: handshake, a line out, its reversal back. Returns the info. */
static int client_session(int port, tenon_config *cfg, tenon_conn_info *info, int key_update)
{
    static uint8_t in[TENON_CONN_IN_SIZE], out[TENON_CONN_OUT_SIZE];
    static tenon_conn conn;
    int s = connect_port(port, 3000);
    if (s < 0)
        return -1;
    int rc = tenon_conn_init(&conn, cfg, in, sizeof in, out, sizeof out);
    if (rc == 0)
        rc = tenon_io_handshake(&conn, s, TIMEOUT_MS);
    if (rc == 0 && key_update)
        rc = tenon_conn_key_update(&conn, 1);
    const char line[] = "hello tenon\n";
    if (rc == 0)
        rc = tenon_io_write(&conn, s, line, sizeof line - 1, TIMEOUT_MS);
    char got[64];
    size_t have = 0;
    while (rc == 0 && have < 11) {
        size_t n = 0;
        rc = tenon_io_read(&conn, s, got + have, sizeof got - have, &n, TIMEOUT_MS);
        have += n;
    }
    if (rc == 0 && !(have >= 11 && memcmp(got, "nonet olleh", 11) == 0))
        rc = -1000;
    if (rc == 0 && key_update) {
        /* Again after the update both ways. */
        rc = tenon_io_write(&conn, s, line, sizeof line - 1, TIMEOUT_MS);
        have = 0;
        while (rc == 0 && have < 12) {
            size_t n = 0;
            rc = tenon_io_read(&conn, s, got + have, sizeof got - have, &n, TIMEOUT_MS);
            have += n;
        }
    }
    if (rc == 0)
        rc = tenon_conn_info_get(&conn, info);
    if (rc == 0)
        rc = tenon_io_close(&conn, s, TIMEOUT_MS);
    if (rc != 0)
        fprintf(stderr, "    client session: %s (alert %d)\n", tenon_strerror(rc),
                tenon_conn_peer_alert(&conn));
    close(s);
    return rc;
}

static tenon_ticket SLOTS[2];
static tenon_ticket_store STORE;

static void test_tenon_client(void)
{
    static const struct {
        const char *cert, *key;
        uint16_t scheme;
    } certs[] = {{"p256.pem", "p256.key", TENON_SIG_ECDSA_SECP256R1_SHA256},
                 {"p384.pem", "p384.key", TENON_SIG_ECDSA_SECP384R1_SHA384},
                 {"rsa.pem", "rsa.key", TENON_SIG_RSA_PSS_RSAE_SHA256}};
    static const tenon_kex_class *const groups[] = {&tenon_kex_x25519, &tenon_kex_secp256r1,
                                                    &tenon_kex_secp384r1};
    static const uint16_t suites[] = {TENON_TLS_AES_128_GCM_SHA256, TENON_TLS_AES_256_GCM_SHA384,
                                      TENON_TLS_CHACHA20_POLY1305_SHA256};
    unsigned ok = 0, total = 0;
    for (size_t c = 0; c < ARRAY_LEN(certs); c++) {
        server_run r;
        if (!CHECK(start_s_server(&r, certs[c].cert, certs[c].key, NULL, NULL, NULL, NULL) == 0))
            continue;
        for (size_t g = 0; g < ARRAY_LEN(groups); g++)
            for (size_t s = 0; s < ARRAY_LEN(suites); s++) {
                tenon_config cfg;
                client_config(&cfg);
                cfg.groups[0] = groups[g];
                cfg.group_count = 1;
                cfg.suites[0] = suites[s];
                cfg.suite_count = 1;
                cfg.sig_schemes[0] = certs[c].scheme;
                cfg.sig_scheme_count = 1;
                tenon_conn_info info;
                total++;
                if (CHECK(client_session(r.port, &cfg, &info, 0) == 0) &&
                    CHECK(info.suite == suites[s] && info.group == groups[g]->tls_group &&
                          info.sig_scheme == certs[c].scheme))
                    ok++;
            }
        stop(r.pid);
    }
    printf("tenon client -> openssl s_server: %u of %u cert x group x suite passed\n", ok, total);

    /* HelloRetryRequest (the server takes P-256 only), KeyUpdate, resumption. */
    server_run r;
    if (CHECK(start_s_server(&r, "p256.pem", "p256.key", "-groups", "P-256", NULL, NULL) == 0)) {
        tenon_config cfg;
        client_config(&cfg);
        tenon_ticket_store_init(&STORE, SLOTS, 2);
        cfg.ticket_store = &STORE;
        tenon_conn_info info;
        CHECK(client_session(r.port, &cfg, &info, 1) == 0 && info.hello_retry && info.group == 23 &&
              !info.resumed);
        CHECK(SLOTS[0].in_use || SLOTS[1].in_use);
        CHECK(client_session(r.port, &cfg, &info, 0) == 0 && info.resumed);
        stop(r.pid);
    }
    /* Client certificates (s_server -Verify). */
    char ca[256];
    path_of(ca, sizeof ca, "ca.pem");
    if (CHECK(start_s_server(&r, "rsa.pem", "rsa.key", "-Verify", "1", "-CAfile", ca) == 0)) {
        tenon_config cfg;
        client_config(&cfg);
        tenon_bytes chain[1] = {{PKI.client_der, PKI.client_len}};
        CHECK_RC(tenon_config_add_cert(&cfg, chain, 1, &PKI.client_key, NULL), 0);
        tenon_conn_info info;
        CHECK(client_session(r.port, &cfg, &info, 0) == 0);
        stop(r.pid);
    }
}

/* ---- tenon server, openssl s_client ---- */

/* Runs s_client with extra arguments against one tenon server connection: it sends "ping",
 * we answer "pong"; 0 if both sides saw what they should. */
static int s_client_session(tenon_config *cfg, const char *const *extra, int key_update,
                            tenon_conn_info *info)
{
    static uint8_t in[TENON_CONN_IN_SIZE], out[TENON_CONN_OUT_SIZE];
    static tenon_conn conn;
    int port = 0, ls = listen_any(&port);
    if (ls < 0)
        return -1;
    char connect_arg[64], ca[256];
    snprintf(connect_arg, sizeof connect_arg, "127.0.0.1:%d", port);
    path_of(ca, sizeof ca, "ca.pem");
    char *argv[32] = {(char *)OPENSSL, "s_client",  "-connect",
                      connect_arg,     "-CAfile",   ca,
                      "-servername",   "localhost", "-verify_return_error",
                      (char *)PROTO,   "-quiet"};
    int n = 11;
    for (int i = 0; extra && extra[i] && n < 30; i++)
        argv[n++] = (char *)extra[i];
    argv[n] = NULL;
    int to_client = -1, from_client = -1;
    pid_t pid = spawn(argv, &to_client, &from_client, "s_client.log");
    int rc = -1, s = -1;
    if (write(to_client, "ping\n", 5) != 5)
        goto done;
    struct pollfd p = {ls, POLLIN, 0};
    if (poll(&p, 1, TIMEOUT_MS) != 1)
        goto done;
    s = accept(ls, NULL, NULL);
    rc = tenon_conn_init(&conn, cfg, in, sizeof in, out, sizeof out);
    if (rc == 0)
        rc = tenon_io_handshake(&conn, s, TIMEOUT_MS);
    char got[16];
    size_t have = 0;
    while (rc == 0 && have < 5) {
        size_t k = 0;
        rc = tenon_io_read(&conn, s, got + have, sizeof got - have, &k, TIMEOUT_MS);
        have += k;
    }
    if (rc == 0 && memcmp(got, "ping\n", 5) != 0)
        rc = -1001;
    if (rc == 0 && key_update)
        rc = tenon_conn_key_update(&conn, 1);
    if (rc == 0)
        rc = tenon_io_write(&conn, s, "pong\n", 5, TIMEOUT_MS);
    /* s_client prints what it receives. */
    char echo[64];
    size_t e = 0;
    while (rc == 0 && e < 5) {
        struct pollfd q = {from_client, POLLIN, 0};
        if (poll(&q, 1, TIMEOUT_MS) != 1) {
            rc = -1002;
            break;
        }
        ssize_t r = read(from_client, echo + e, sizeof echo - e);
        if (r <= 0) {
            rc = -1003;
            break;
        }
        e += (size_t)r;
    }
    if (rc == 0 && memcmp(echo, "pong\n", 5) != 0)
        rc = -1004;
    if (rc == 0 && key_update) {
        /* After our update (and the one we asked for), a second line each way. */
        if (write(to_client, "ping\n", 5) != 5)
            rc = -1005;
        have = 0;
        while (rc == 0 && have < 5) {
            size_t k = 0;
            rc = tenon_io_read(&conn, s, got + have, sizeof got - have, &k, TIMEOUT_MS);
            have += k;
        }
    }
    if (rc == 0)
        rc = tenon_conn_info_get(&conn, info);
    if (rc == 0)
        rc = tenon_io_close(&conn, s, TIMEOUT_MS);
done:
    if (rc != 0)
        fprintf(stderr, "    s_client session: %d %s (alert %d)\n", rc, tenon_strerror(rc),
                tenon_conn_peer_alert(&conn));
    if (s >= 0)
        close(s);
    close(ls);
    close(to_client);
    close(from_client);
    stop(pid);
    return rc;
}

/* A client that sends garbage gets its alert; the server's next connection is unaffected. */
static void garbage_session(tenon_config *cfg)
{
    static uint8_t in[TENON_CONN_IN_SIZE], out[TENON_CONN_OUT_SIZE];
    static tenon_conn conn;
    int port = 0, ls = listen_any(&port);
    if (!CHECK(ls >= 0))
        return;
    int cs = connect_port(port, 3000);
    struct pollfd p = {ls, POLLIN, 0};
    int s = poll(&p, 1, TIMEOUT_MS) == 1 ? accept(ls, NULL, NULL) : -1;
    static const char junk[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    CHECK(cs >= 0 && s >= 0 && write(cs, junk, sizeof junk - 1) == (ssize_t)(sizeof junk - 1));
    CHECK_RC(tenon_conn_init(&conn, cfg, in, sizeof in, out, sizeof out), 0);
    int rc = tenon_io_handshake(&conn, s, TIMEOUT_MS);
    CHECK(rc == TENON_ERR_TLS_RECORD_OVERFLOW || rc == TENON_ERR_TLS_UNEXPECTED_MESSAGE);
    /* The alert reached the garbage client. */
    uint8_t alert[7];
    CHECK(read(cs, alert, sizeof alert) == 7 && alert[0] == 21 && alert[5] == 2);
    close(cs);
    close(s);
    close(ls);
}

static void test_tenon_server(void)
{
    tenon_config cfg;
    server_config(&cfg, CERT_P256);
    CHECK(add_cert(&cfg, CERT_P384) == 0);
    CHECK(add_cert(&cfg, CERT_RSA) == 0);
    memset(cfg.ticket_keys[0].name, 1, 16);
    memset(cfg.ticket_keys[0].key, 2, 32);
    cfg.ticket_key_count = 1;
    tenon_conn_info info;
    static const struct {
        const char *sigalgs;
        uint16_t scheme;
    } sig[] = {{"ECDSA+SHA256", TENON_SIG_ECDSA_SECP256R1_SHA256},
               {"ECDSA+SHA384", TENON_SIG_ECDSA_SECP384R1_SHA384},
               {"rsa_pss_rsae_sha256", TENON_SIG_RSA_PSS_RSAE_SHA256},
               {"rsa_pss_rsae_sha512", TENON_SIG_RSA_PSS_RSAE_SHA512}};
    static const char *const groups[] = {"X25519", "P-256", "P-384"};
    static const char *const suites[] = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                         "TLS_CHACHA20_POLY1305_SHA256"};
    unsigned ok = 0, total = 0;
    for (size_t k = 0; k < ARRAY_LEN(sig); k++)
        for (size_t g = 0; g < ARRAY_LEN(groups); g++) {
            size_t s = (k + g) % 3;
            const char *extra[] = {"-sigalgs",      sig[k].sigalgs, "-groups", groups[g],
                                   "-ciphersuites", suites[s],      NULL};
            total++;
            if (CHECK(s_client_session(&cfg, extra, 0, &info) == 0) &&
                CHECK(info.sig_scheme == 0 && info.suite == 0x1301 + s))
                ok++;
        }
    printf("openssl s_client -> tenon server: %u of %u scheme x group passed\n", ok, total);

    garbage_session(&cfg);
    CHECK(s_client_session(&cfg, NULL, 0, &info) == 0);

    /* HelloRetryRequest: we prefer P-384; s_client's first share is X25519. */
    tenon_config hrr = cfg;
    hrr.groups[0] = &tenon_kex_secp384r1;
    hrr.groups[1] = &tenon_kex_x25519;
    hrr.group_count = 2;
    const char *hrr_args[] = {"-groups", "X25519:P-384", NULL};
    CHECK(s_client_session(&hrr, hrr_args, 0, &info) == 0 && info.hello_retry && info.group == 24);

    /* Resumption with -sess_out / -sess_in, and KeyUpdate from our side. */
    char sess[256];
    path_of(sess, sizeof sess, "sess.pem");
    const char *out_args[] = {"-sess_out", sess, NULL};
    CHECK(s_client_session(&cfg, out_args, 1, &info) == 0 && !info.resumed);
    const char *in_args[] = {"-sess_in", sess, NULL};
    CHECK(s_client_session(&cfg, in_args, 0, &info) == 0 && info.resumed);
    /* RFC 6066 §3: the session offered with another server_name (s_client offers it) is not
     * resumed: a full handshake. */
    CHECK(s_client_session(&cfg, out_args, 0, &info) == 0 && !info.resumed);
    const char *other_args[] = {"-sess_in", sess, "-servername", "other.test", NULL};
    CHECK(s_client_session(&cfg, other_args, 0, &info) == 0 && !info.resumed);

    /* Client certificates. */
    tenon_config auth = cfg;
    auth.client_auth = TENON_CLIENT_AUTH_REQUIRE;
    auth.trust = &PKI.store;
    char cc[256], ck[256];
    path_of(cc, sizeof cc, "client.pem");
    path_of(ck, sizeof ck, "client.key");
    const char *cert_args[] = {"-cert", cc, "-key", ck, NULL};
    CHECK(s_client_session(&auth, cert_args, 0, &info) == 0 && info.client_authenticated);
}

/* ---- TLS 1.2: every suite both ways, encrypt-then-MAC and MAC-then-encrypt, tickets,
 * client certificates ---- */

static void test_tls12(void)
{
    PROTO = "-tls1_2";
    tenon_conn_info info;
    unsigned ok = 0, total = 0;
    /* tenon client -> s_server, each suite; CBC suites with and without EtM. */
    for (int rsa = 0; rsa <= 1; rsa++)
        for (int no_etm = 0; no_etm <= rsa; no_etm++) {
            server_run r;
            if (!CHECK(start_s_server(&r, rsa ? "rsa.pem" : "p256.pem",
                                      rsa ? "rsa.key" : "p256.key", no_etm ? "-no_etm" : NULL, NULL,
                                      NULL, NULL) == 0))
                continue;
            for (size_t i = 0; i < ARRAY_LEN(SUITES12); i++) {
                if (SUITES12[i].rsa != rsa || (no_etm && !SUITES12[i].cbc))
                    continue;
                tenon_config cfg;
                client_config(&cfg);
                cfg.min_version = cfg.max_version = TENON_TLS12;
                cfg.suites[0] = SUITES12[i].id;
                cfg.suite_count = 1;
                total++;
                if (CHECK(client_session(r.port, &cfg, &info, 0) == 0) &&
                    CHECK(info.version == TENON_TLS12 && info.suite == SUITES12[i].id &&
                          info.ext_master_secret &&
                          info.encrypt_then_mac == (SUITES12[i].cbc && !no_etm)))
                    ok++;
            }
            stop(r.pid);
        }
    printf("TLS 1.2 tenon client -> openssl s_server: %u of %u suites passed\n", ok, total);

    /* A default tenon client (TLS 1.3 and 1.2) with a TLS 1.2 server; tickets; a client
     * certificate. */
    server_run r;
    char ca[256];
    path_of(ca, sizeof ca, "ca.pem");
    /* Resumption with tickets, then (-no_ticket) by session ID (RFC 5246 §7.4.1.2). */
    for (int no_ticket = 0; no_ticket <= 1; no_ticket++)
        if (CHECK(start_s_server(&r, "p256.pem", "p256.key", no_ticket ? "-no_ticket" : NULL, NULL,
                                 NULL, NULL) == 0)) {
            check_client_resumption(client_session, r.port, no_ticket, &STORE, SLOTS);
            stop(r.pid);
        }
    if (CHECK(start_s_server(&r, "rsa.pem", "rsa.key", "-Verify", "1", "-CAfile", ca) == 0)) {
        tenon_config cfg;
        client_config(&cfg);
        tenon_bytes chain[1] = {{PKI.client_der, PKI.client_len}};
        CHECK_RC(tenon_config_add_cert(&cfg, chain, 1, &PKI.client_key, NULL), 0);
        CHECK(client_session(r.port, &cfg, &info, 0) == 0 && info.version == TENON_TLS12);
        /* RFC 5246 §7.4.8: a CertificateVerify under a hash that is not the PRF's (the client
         * key is P-256; TLS 1.2's ecdsa_* schemes name only the hash). */
        const struct {
            uint16_t suite, scheme;
        } cv[] = {{TENON_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TENON_SIG_ECDSA_SECP384R1_SHA384},
                  {TENON_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TENON_SIG_ECDSA_SECP256R1_SHA256}};
        for (size_t i = 0; i < ARRAY_LEN(cv); i++) {
            cfg.suites[0] = cv[i].suite;
            cfg.suite_count = 1;
            cfg.sign_schemes[0] = cv[i].scheme;
            cfg.sign_scheme_count = 1;
            CHECK(client_session(r.port, &cfg, &info, 0) == 0 && info.version == TENON_TLS12 &&
                  info.suite == cv[i].suite);
        }
        stop(r.pid);
    }

    /* s_client -> tenon server, each suite; CBC suites with and without EtM. */
    tenon_config cfg;
    server12_config(&cfg);
    memset(cfg.ticket_keys[0].name, 5, 16);
    memset(cfg.ticket_keys[0].key, 6, 32);
    cfg.ticket_key_count = 1;
    ok = total = 0;
    for (size_t i = 0; i < ARRAY_LEN(SUITES12); i++)
        for (int no_etm = 0; no_etm <= SUITES12[i].cbc; no_etm++) {
            const char *extra[] = {"-cipher", SUITES12[i].openssl, no_etm ? "-no_etm" : NULL, NULL};
            total++;
            if (CHECK(s_client_session(&cfg, extra, 0, &info) == 0) &&
                CHECK(info.version == TENON_TLS12 && info.suite == SUITES12[i].id &&
                      info.encrypt_then_mac == (SUITES12[i].cbc && !no_etm)))
                ok++;
        }
    printf("TLS 1.2 openssl s_client -> tenon server: %u of %u suites passed\n", ok, total);
    /* A default tenon server (both versions) with a TLS 1.2 client; resumption; client
     * certificates. */
    tenon_config both;
    server_config(&both, CERT_RSA);
    both.ticket_keys[0] = cfg.ticket_keys[0];
    both.ticket_key_count = 1;
    char sess[256];
    path_of(sess, sizeof sess, "sess12.pem");
    const char *out_args[] = {"-sess_out", sess, NULL};
    CHECK(s_client_session(&both, out_args, 0, &info) == 0 && info.version == TENON_TLS12 &&
          !info.resumed);
    const char *in_args[] = {"-sess_in", sess, NULL};
    CHECK(s_client_session(&both, in_args, 0, &info) == 0 && info.resumed);
    /* RFC 6066 §3: not for another server_name (RFC 5077 tickets too). */
    CHECK(s_client_session(&both, out_args, 0, &info) == 0 && !info.resumed);
    const char *other_args[] = {"-sess_in", sess, "-servername", "other.test", NULL};
    CHECK(s_client_session(&both, other_args, 0, &info) == 0 && info.version == TENON_TLS12 &&
          !info.resumed);
    /* s_client without tickets and a tenon server with a session cache: by session ID. */
    static tenon_session_entry cache_slots[2];
    static tenon_session_cache cache;
    tenon_session_cache_init(&cache, cache_slots, 2);
    tenon_config cached = both;
    cached.ticket_key_count = 0;
    cached.session_cache = &cache;
    const char *id_out[] = {"-no_ticket", "-sess_out", sess, NULL};
    CHECK(s_client_session(&cached, id_out, 0, &info) == 0 && info.version == TENON_TLS12 &&
          !info.resumed && cache_slots[0].in_use);
    const char *id_in[] = {"-no_ticket", "-sess_in", sess, NULL};
    CHECK(s_client_session(&cached, id_in, 0, &info) == 0 && info.resumed);
    CHECK(s_client_session(&cached, id_in, 0, &info) == 0 && info.resumed);
    tenon_config auth = both;
    auth.client_auth = TENON_CLIENT_AUTH_REQUIRE;
    auth.trust = &PKI.store;
    char cc[256], ck[256];
    path_of(cc, sizeof cc, "client.pem");
    path_of(ck, sizeof ck, "client.key");
    const char *cert_args[] = {"-cert", cc, "-key", ck, NULL};
    CHECK(s_client_session(&auth, cert_args, 0, &info) == 0 && info.client_authenticated &&
          info.version == TENON_TLS12);
    /* s_client signing its CertificateVerify under a hash that is not the PRF's. */
    const struct {
        const char *cipher, *sigalgs;
        uint16_t suite, scheme;
    } cv[] = {{"ECDHE-RSA-AES128-GCM-SHA256", "ECDSA+SHA384",
               TENON_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TENON_SIG_ECDSA_SECP384R1_SHA384},
              {"ECDHE-RSA-AES256-GCM-SHA384", "ECDSA+SHA256",
               TENON_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TENON_SIG_ECDSA_SECP256R1_SHA256}};
    for (size_t i = 0; i < ARRAY_LEN(cv); i++) {
        const char *args[] = {
            "-cert",       cc,  "-key", ck, "-cipher", cv[i].cipher, "-client_sigalgs",
            cv[i].sigalgs, NULL};
        CHECK(s_client_session(&auth, args, 0, &info) == 0 && info.client_authenticated &&
              info.suite == cv[i].suite && info.sig_scheme == cv[i].scheme);
    }
    PROTO = "-tls1_3";
}

/* ---- Ed25519 (RFC 8410 certificates, scheme ed25519) with OpenSSL, both versions ---- */

static tenon_private_key ED_KEY, ED_CLIENT_KEY;
static uint8_t ED_DER[2048], ED_CLIENT_DER[2048];
static size_t ED_LEN, ED_CLIENT_LEN;

/* An Ed25519 leaf from the test CA, and its key as PKCS#8 PEM (RFC 8410 §7) for OpenSSL. */
static int ed_files(const char *name, const char *cn, uint32_t eku, tenon_private_key *key,
                    uint8_t *der, size_t cap, size_t *len)
{
    if (issue_ed25519_leaf(cn, eku, key, der, cap, len) != 0)
        return -1;
    uint8_t p8[48];
    memcpy(p8, "\x30\x2e\x02\x01\x00\x30\x05\x06\x03\x2b\x65\x70\x04\x22\x04\x20", 16);
    memcpy(p8 + 16, key->u.ed25519.seed, 32);
    char pem[256], file[64];
    size_t n;
    if (tenon_pem_encode("PRIVATE KEY", p8, sizeof p8, pem, sizeof pem, &n) != 0)
        return -1;
    snprintf(file, sizeof file, "%s.key", name);
    if (write_file(file, pem, n) != 0)
        return -1;
    snprintf(file, sizeof file, "%s.pem", name);
    return write_cert_pem(file, der, *len);
}

static void test_ed25519(void)
{
    if (!CHECK(ed_files("ed", "localhost", TENON_EKU_SERVER_AUTH, &ED_KEY, ED_DER, sizeof ED_DER,
                        &ED_LEN) == 0 &&
               ed_files("edclient", "client.test", TENON_EKU_CLIENT_AUTH, &ED_CLIENT_KEY,
                        ED_CLIENT_DER, sizeof ED_CLIENT_DER, &ED_CLIENT_LEN) == 0))
        return;
    char ca[256], cc[256], ck[256];
    path_of(ca, sizeof ca, "ca.pem");
    path_of(cc, sizeof cc, "edclient.pem");
    path_of(ck, sizeof ck, "edclient.key");
    tenon_bytes ed_chain[1] = {{ED_DER, ED_LEN}},
                client_chain[1] = {{ED_CLIENT_DER, ED_CLIENT_LEN}};
    static const char *const protos[] = {"-tls1_3", "-tls1_2"};
    for (int v = 0; v < 2; v++) {
        PROTO = protos[v];
        uint16_t version = v == 0 ? TENON_TLS13 : TENON_TLS12;
        tenon_conn_info info;
        /* tenon client -> s_server with the Ed25519 certificate (TLS 1.2: ECDHE_ECDSA). */
        server_run r;
        if (CHECK(start_s_server(&r, "ed.pem", "ed.key", NULL, NULL, NULL, NULL) == 0)) {
            tenon_config cfg;
            client_config(&cfg);
            CHECK(client_session(r.port, &cfg, &info, 0) == 0 && info.version == version &&
                  info.sig_scheme == TENON_SIG_ED25519);
            stop(r.pid);
        }
        /* s_client -> tenon server with the Ed25519 certificate. */
        tenon_config srv;
        tenon_config_init(&srv, TENON_SERVER);
        CHECK_RC(tenon_config_add_cert(&srv, ed_chain, 1, &ED_KEY, NULL), 0);
        const char *sig_args[] = {"-sigalgs", "ed25519", NULL};
        CHECK(s_client_session(&srv, sig_args, 0, &info) == 0 && info.version == version);
        if (v == 1)
            continue; /* TLS 1.2 client certificates are not Ed25519 in tenon (tls-policy.md) */
        /* TLS 1.3 client certificates: s_client's to a tenon server, tenon's to s_server. */
        tenon_config auth = srv;
        auth.client_auth = TENON_CLIENT_AUTH_REQUIRE;
        auth.trust = &PKI.store;
        const char *cert_args[] = {"-cert", cc, "-key", ck, NULL};
        CHECK(s_client_session(&auth, cert_args, 0, &info) == 0 && info.client_authenticated &&
              info.sig_scheme == TENON_SIG_ED25519);
        if (CHECK(start_s_server(&r, "p256.pem", "p256.key", "-Verify", "1", "-CAfile", ca) == 0)) {
            tenon_config cfg;
            client_config(&cfg);
            CHECK_RC(tenon_config_add_cert(&cfg, client_chain, 1, &ED_CLIENT_KEY, NULL), 0);
            CHECK(client_session(r.port, &cfg, &info, 0) == 0 && info.version == TENON_TLS13);
            stop(r.pid);
        }
    }
    PROTO = "-tls1_3";
    printf("Ed25519 with openssl s_server and s_client: TLS 1.3 and 1.2 checked\n");
    static const char *const files[] = {"ed.pem", "ed.key", "edclient.pem", "edclient.key"};
    for (size_t i = 0; i < ARRAY_LEN(files); i++) {
        char p[256];
        path_of(p, sizeof p, files[i]);
        unlink(p);
    }
}

int main(void)
{
    const char *ci = getenv("CI");
    if (!find_program(OPENSSL)) {
        if (ci != NULL && strcmp(ci, "true") == 0) {
            CHECK(!"openssl binary missing under CI");
            return tu_finish("test_interop");
        }
        printf("test_interop: skipped (no openssl binary; CI is not set)\n");
        return 0;
    }
    signal(SIGPIPE, SIG_IGN);
    if (!CHECK(pki_setup() == 0))
        return tu_finish("test_interop");
    CHECK(interop_files() == 0);
    test_tenon_client();
    test_tenon_server();
    test_tls12();
    test_ed25519();
    interop_cleanup();
    return tu_finish("test_interop");
}
