/*
 * Interop over 127.0.0.1 with GnuTLS (gnutls-serv and gnutls-cli, package gnutls-bin): tenon
 * as a client of `gnutls-serv --echo` and as a server for `gnutls-cli`. Groups, suites,
 * certificate types, HelloRetryRequest, resumption, client certificates and KeyUpdate.
 *
 * Ports are picked free at run time, every wait is bounded, every process started is stopped by
 * its PID. Without the binaries the test is skipped, unless CI=true, where it fails.
 */
#include "test_interop_util.h"

#define TLS13_ONLY "NORMAL:-VERS-ALL:+VERS-TLS1.3"
#define TLS12_ONLY "NORMAL:-VERS-ALL:+VERS-TLS1.2"

typedef struct server_run {
    pid_t pid;
    int port;
} server_run;

static int start_gnutls_serv(server_run *r, const char *cert, const char *key, const char *priority,
                             int require_client_cert)
{
    char cp[256], kp[256], ca[256], port_arg[32], prio[256];
    path_of(cp, sizeof cp, cert);
    path_of(kp, sizeof kp, key);
    path_of(ca, sizeof ca, "ca.pem");
    snprintf(prio, sizeof prio, "--priority=%s", priority);
    for (int attempt = 0; attempt < 5; attempt++) {
        r->port = free_port();
        snprintf(port_arg, sizeof port_arg, "--port=%d", r->port);
        char *argv[16] = {
            "gnutls-serv",  port_arg, "--echo", "--x509certfile", cp, "--x509keyfile", kp, prio,
            "--x509cafile", ca,       "-q"};
        int n = 11;
        argv[n++] = require_client_cert ? "--require-client-cert" : "--disable-client-cert";
        argv[n] = NULL;
        r->pid = spawn(argv, NULL, NULL, "gnutls-serv.log");
        int s = connect_port(r->port, 3000);
        if (s >= 0) {
            close(s);
            return 0;
        }
        stop(r->pid);
    }
    return -1;
}

/* One connection: handshake, a line out and echoed back (after a KeyUpdate if asked). */
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
    for (int round = 0; round < 1 + key_update && rc == 0; round++) {
        if (round == 1)
            rc = tenon_conn_key_update(&conn, 1);
        const char line[] = "hello tenon\n";
        if (rc == 0)
            rc = tenon_io_write(&conn, s, line, sizeof line - 1, TIMEOUT_MS);
        char got[64];
        size_t have = 0;
        while (rc == 0 && have < sizeof line - 1) {
            size_t n = 0;
            rc = tenon_io_read(&conn, s, got + have, sizeof got - have, &n, TIMEOUT_MS);
            have += n;
        }
        if (rc == 0 && memcmp(got, line, sizeof line - 1) != 0)
            rc = -1000;
    }
    if (rc == 0)
        rc = tenon_conn_info_get(&conn, info);
    if (rc == 0)
        rc = tenon_io_close(&conn, s, TIMEOUT_MS);
    if (rc != 0)
        fprintf(stderr, "    client session: %d %s (alert %d)\n", rc, tenon_strerror(rc),
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
        if (!CHECK(start_gnutls_serv(&r, certs[c].cert, certs[c].key, TLS13_ONLY, 0) == 0))
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
    printf("tenon client -> gnutls-serv: %u of %u cert x group x suite passed\n", ok, total);

    /* HelloRetryRequest (P-256 only on the server), KeyUpdate, resumption. */
    server_run r;
    if (CHECK(start_gnutls_serv(&r, "p256.pem", "p256.key",
                                TLS13_ONLY ":-GROUP-ALL:+GROUP-SECP256R1", 0) == 0)) {
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
    /* A client certificate, required. */
    if (CHECK(start_gnutls_serv(&r, "rsa.pem", "rsa.key", TLS13_ONLY, 1) == 0)) {
        tenon_config cfg;
        client_config(&cfg);
        tenon_bytes chain[1] = {{PKI.client_der, PKI.client_len}};
        CHECK_RC(tenon_config_add_cert(&cfg, chain, 1, &PKI.client_key, NULL), 0);
        tenon_conn_info info;
        CHECK(client_session(r.port, &cfg, &info, 0) == 0);
        /* Without one, the server refuses. */
        client_config(&cfg);
        CHECK(client_session(r.port, &cfg, &info, 0) != 0);
        stop(r.pid);
    }
}

/* gnutls-cli against one or more tenon server connections (sessions = 2 with --resume): it
 * sends "ping", we answer "pong". */
static int cli_session(tenon_config *cfg, const char *priority, const char *const *extra,
                       int sessions, int key_update, tenon_conn_info *info)
{
    static uint8_t in[TENON_CONN_IN_SIZE], out[TENON_CONN_OUT_SIZE];
    static tenon_conn conn;
    int port = 0, ls = listen_any(&port);
    if (ls < 0)
        return -1;
    char port_arg[32], ca[256], prio[256];
    snprintf(port_arg, sizeof port_arg, "--port=%d", port);
    snprintf(prio, sizeof prio, "--priority=%s", priority);
    path_of(ca, sizeof ca, "ca.pem");
    char *argv[32] = {"gnutls-cli",
                      "127.0.0.1",
                      port_arg,
                      "--x509cafile",
                      ca,
                      "--sni-hostname=localhost",
                      "--verify-hostname=localhost",
                      prio};
    int n = 8;
    for (int i = 0; extra && extra[i] && n < 30; i++)
        argv[n++] = (char *)extra[i];
    argv[n] = NULL;
    int to_client = -1, from_client = -1, rc = 0;
    pid_t pid = spawn(argv, &to_client, &from_client, "gnutls-cli.log");
    if (write(to_client, "ping\n", 5) != 5)
        rc = -1;
    for (int k = 0; k < sessions && rc == 0; k++) {
        struct pollfd p = {ls, POLLIN, 0};
        if (poll(&p, 1, TIMEOUT_MS) != 1) {
            rc = -1006;
            break;
        }
        int s = accept(ls, NULL, NULL);
        rc = tenon_conn_init(&conn, cfg, in, sizeof in, out, sizeof out);
        if (rc == 0)
            rc = tenon_io_handshake(&conn, s, TIMEOUT_MS);
        if (k + 1 < sessions) {
            /* gnutls-cli --resume closes the first connection once it has a ticket. */
            uint8_t b[16];
            size_t got;
            while (rc == 0)
                rc = tenon_io_read(&conn, s, b, sizeof b, &got, TIMEOUT_MS);
            if (rc == TENON_ERR_TLS_CLOSED || rc == TENON_ERR_TLS_TRUNCATED)
                rc = 0;
            close(s);
            continue;
        }
        char got[16];
        size_t have = 0;
        while (rc == 0 && have < 5) {
            size_t m = 0;
            rc = tenon_io_read(&conn, s, got + have, sizeof got - have, &m, TIMEOUT_MS);
            have += m;
        }
        if (rc == 0 && memcmp(got, "ping\n", 5) != 0)
            rc = -1001;
        if (rc == 0 && key_update)
            rc = tenon_conn_key_update(&conn, 1);
        if (rc == 0)
            rc = tenon_io_write(&conn, s, "pong\n", 5, TIMEOUT_MS);
        /* gnutls-cli prints status lines and then what it receives. */
        static char echo[16384];
        size_t e = 0;
        while (rc == 0) {
            echo[e] = 0;
            if (strstr(echo, "pong\n") != NULL)
                break;
            struct pollfd q = {from_client, POLLIN, 0};
            ssize_t r2;
            if (poll(&q, 1, TIMEOUT_MS) != 1 ||
                (r2 = read(from_client, echo + e, sizeof echo - 1 - e)) <= 0) {
                rc = -1002;
                break;
            }
            e += (size_t)r2;
        }
        if (rc == 0)
            rc = tenon_conn_info_get(&conn, info);
        if (rc == 0)
            rc = tenon_io_close(&conn, s, TIMEOUT_MS);
        close(s);
    }
    if (rc != 0)
        fprintf(stderr, "    gnutls-cli session: %d %s (alert %d)\n", rc, tenon_strerror(rc),
                tenon_conn_peer_alert(&conn));
    close(ls);
    close(to_client);
    close(from_client);
    stop(pid);
    return rc;
}

static void test_tenon_server(void)
{
    tenon_config cfg;
    server_config(&cfg, CERT_P256);
    CHECK(add_cert(&cfg, CERT_P384) == 0);
    CHECK(add_cert(&cfg, CERT_RSA) == 0);
    memset(cfg.ticket_keys[0].name, 3, 16);
    memset(cfg.ticket_keys[0].key, 4, 32);
    cfg.ticket_key_count = 1;
    tenon_conn_info info;
    static const char *const sigs[] = {"+SIGN-ECDSA-SECP256R1-SHA256",
                                       "+SIGN-ECDSA-SECP384R1-SHA384", "+SIGN-RSA-PSS-RSAE-SHA256",
                                       "+SIGN-RSA-PSS-RSAE-SHA384"};
    static const char *const groups[] = {"+GROUP-X25519", "+GROUP-SECP256R1", "+GROUP-SECP384R1"};
    static const char *const suites[] = {"+AES-128-GCM", "+AES-256-GCM", "+CHACHA20-POLY1305"};
    static const uint16_t suite_ids[] = {0x1301, 0x1302, 0x1303};
    static const uint16_t group_ids[] = {29, 23, 24};
    unsigned ok = 0, total = 0;
    for (size_t k = 0; k < ARRAY_LEN(sigs); k++)
        for (size_t g = 0; g < ARRAY_LEN(groups); g++) {
            size_t s = (k + g) % 3;
            char prio[256];
            snprintf(prio, sizeof prio, TLS13_ONLY ":-SIGN-ALL:%s:-GROUP-ALL:%s:-CIPHER-ALL:%s",
                     sigs[k], groups[g], suites[s]);
            total++;
            if (CHECK(cli_session(&cfg, prio, NULL, 1, 0, &info) == 0) &&
                CHECK(info.suite == suite_ids[s] && info.group == group_ids[g]))
                ok++;
        }
    printf("gnutls-cli -> tenon server: %u of %u scheme x group passed\n", ok, total);

    /* HelloRetryRequest: we prefer P-384; gnutls-cli sends one share for its first NIST curve,
     * P-256 (with X25519 listed too it would send a share for each kind). */
    tenon_config hrr = cfg;
    hrr.groups[0] = &tenon_kex_secp384r1;
    hrr.groups[1] = &tenon_kex_x25519;
    hrr.group_count = 2;
    CHECK(cli_session(&hrr, TLS13_ONLY ":-GROUP-ALL:+GROUP-SECP256R1:+GROUP-SECP384R1", NULL, 1, 0,
                      &info) == 0 &&
          info.hello_retry && info.group == 24);

    /* Resumption (gnutls-cli --resume: a second connection with the ticket), KeyUpdate. */
    const char *resume[] = {"--resume", NULL};
    CHECK(cli_session(&cfg, TLS13_ONLY, resume, 2, 1, &info) == 0 && info.resumed);

    /* Client certificates. */
    tenon_config auth = cfg;
    auth.client_auth = TENON_CLIENT_AUTH_REQUIRE;
    auth.trust = &PKI.store;
    char cc[256], ck[256];
    path_of(cc, sizeof cc, "client.pem");
    path_of(ck, sizeof ck, "client.key");
    char cert_arg[300], key_arg[300];
    snprintf(cert_arg, sizeof cert_arg, "--x509certfile=%s", cc);
    snprintf(key_arg, sizeof key_arg, "--x509keyfile=%s", ck);
    const char *cert_args[] = {cert_arg, key_arg, NULL};
    CHECK(cli_session(&auth, TLS13_ONLY, cert_args, 1, 0, &info) == 0 && info.client_authenticated);
}

/* ---- TLS 1.2: every suite both ways, EtM on and off, the extended master secret on and
 * off, tickets, client certificates ---- */

static void prio12(char *out, size_t cap, const suite12_case *sc, const char *more)
{
    snprintf(out, cap, TLS12_ONLY ":-KX-ALL:-CIPHER-ALL:-MAC-ALL:%s%s", sc->gnutls, more);
}

static void test_tls12(void)
{
    tenon_conn_info info;
    unsigned ok = 0, total = 0;
    char prio[512];
    /* tenon client -> gnutls-serv: one server per certificate and EtM setting, each suite. */
    for (int rsa = 0; rsa <= 1; rsa++)
        for (int no_etm = 0; no_etm <= rsa; no_etm++) {
            server_run r;
            snprintf(prio, sizeof prio,
                     "NORMAL:-VERS-ALL:+VERS-TLS1.2:+RSA:+AES-128-CBC:"
                     "+AES-256-CBC:+SHA256:+SHA1%s",
                     no_etm ? ":%NO_ETM" : "");
            if (!CHECK(start_gnutls_serv(&r, rsa ? "rsa.pem" : "p256.pem",
                                         rsa ? "rsa.key" : "p256.key", prio, 0) == 0))
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
    printf("TLS 1.2 tenon client -> gnutls-serv: %u of %u suites passed\n", ok, total);

    /* Without the extended master secret (%NO_SESSION_HASH): refused by default, accepted
     * when configured; tickets; a default tenon client. */
    server_run r;
    if (CHECK(start_gnutls_serv(&r, "p256.pem", "p256.key", TLS12_ONLY ":%NO_SESSION_HASH", 0) ==
              0)) {
        tenon_config cfg;
        client_config(&cfg);
        CHECK(client_session(r.port, &cfg, &info, 0) == TENON_ERR_TLS_EMS_REQUIRED);
        cfg.require_extended_master_secret = 0;
        CHECK(client_session(r.port, &cfg, &info, 0) == 0 && info.version == TENON_TLS12 &&
              !info.ext_master_secret);
        stop(r.pid);
    }
    /* Resumption with tickets, then (%NO_TICKETS) by session ID (RFC 5246 §7.4.1.2). */
    for (int no_ticket = 0; no_ticket <= 1; no_ticket++)
        if (CHECK(start_gnutls_serv(&r, "rsa.pem", "rsa.key",
                                    no_ticket ? TLS12_ONLY ":%NO_TICKETS" : TLS12_ONLY, 0) == 0)) {
            check_client_resumption(client_session, r.port, no_ticket, &STORE, SLOTS);
            stop(r.pid);
        }
    if (CHECK(start_gnutls_serv(&r, "p256.pem", "p256.key", TLS12_ONLY, 1) == 0)) {
        tenon_config cfg;
        client_config(&cfg);
        tenon_bytes chain[1] = {{PKI.client_der, PKI.client_len}};
        CHECK_RC(tenon_config_add_cert(&cfg, chain, 1, &PKI.client_key, NULL), 0);
        CHECK(client_session(r.port, &cfg, &info, 0) == 0 && info.version == TENON_TLS12);
        /* A CertificateVerify under SHA-384 in a suite whose PRF is SHA-256. */
        cfg.suites[0] = TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
        cfg.suite_count = 1;
        cfg.sign_schemes[0] = TENON_SIG_ECDSA_SECP384R1_SHA384;
        cfg.sign_scheme_count = 1;
        CHECK(client_session(r.port, &cfg, &info, 0) == 0 &&
              info.suite == TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        stop(r.pid);
    }

    /* gnutls-cli -> tenon server, each suite, EtM on and off. */
    tenon_config cfg;
    server12_config(&cfg);
    memset(cfg.ticket_keys[0].name, 7, 16);
    memset(cfg.ticket_keys[0].key, 8, 32);
    cfg.ticket_key_count = 1;
    ok = total = 0;
    for (size_t i = 0; i < ARRAY_LEN(SUITES12); i++)
        for (int no_etm = 0; no_etm <= SUITES12[i].cbc; no_etm++) {
            prio12(prio, sizeof prio, &SUITES12[i], no_etm ? ":%NO_ETM" : "");
            total++;
            if (CHECK(cli_session(&cfg, prio, NULL, 1, 0, &info) == 0) &&
                CHECK(info.version == TENON_TLS12 && info.suite == SUITES12[i].id &&
                      info.encrypt_then_mac == (SUITES12[i].cbc && !no_etm)))
                ok++;
        }
    printf("TLS 1.2 gnutls-cli -> tenon server: %u of %u suites passed\n", ok, total);
    /* No extended master secret: refused by default, accepted when configured. */
    CHECK(cli_session(&cfg, TLS12_ONLY ":%NO_SESSION_HASH", NULL, 1, 0, &info) != 0);
    tenon_config no_ems = cfg;
    no_ems.require_extended_master_secret = 0;
    CHECK(cli_session(&no_ems, TLS12_ONLY ":%NO_SESSION_HASH", NULL, 1, 0, &info) == 0 &&
          !info.ext_master_secret);
    /* Resumption with a ticket; client certificates. */
    const char *resume[] = {"--resume", NULL};
    CHECK(cli_session(&cfg, TLS12_ONLY, resume, 2, 0, &info) == 0 && info.resumed);
    /* ... and by session ID, with a session cache, for a client without tickets. */
    static tenon_session_entry cache_slots[2];
    static tenon_session_cache cache;
    tenon_session_cache_init(&cache, cache_slots, 2);
    tenon_config cached = cfg;
    cached.session_cache = &cache;
    CHECK(cli_session(&cached, TLS12_ONLY ":%NO_TICKETS", resume, 2, 0, &info) == 0 &&
          info.resumed && cache_slots[0].in_use);
    tenon_config auth = cfg;
    auth.client_auth = TENON_CLIENT_AUTH_REQUIRE;
    auth.trust = &PKI.store;
    char cc[256], ck[256], cert_arg[300], key_arg[300];
    path_of(cc, sizeof cc, "client.pem");
    path_of(ck, sizeof ck, "client.key");
    snprintf(cert_arg, sizeof cert_arg, "--x509certfile=%s", cc);
    snprintf(key_arg, sizeof key_arg, "--x509keyfile=%s", ck);
    const char *cert_args[] = {cert_arg, key_arg, NULL};
    CHECK(cli_session(&auth, TLS12_ONLY, cert_args, 1, 0, &info) == 0 && info.client_authenticated);
    /* RFC 5246 §7.4.8: gnutls-cli signing its CertificateVerify under SHA-384 in a suite whose
     * PRF is SHA-256 (the client key is P-256; TLS 1.2's ecdsa_* schemes name only the hash). */
    CHECK(cli_session(&auth,
                      TLS12_ONLY ":-KX-ALL:+ECDHE-ECDSA:-CIPHER-ALL:+AES-128-GCM:-SIGN-ALL:"
                                 "+SIGN-ECDSA-SHA384",
                      cert_args, 1, 0, &info) == 0 &&
          info.client_authenticated &&
          info.suite == TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 &&
          info.sig_scheme == TENON_SIG_ECDSA_SECP384R1_SHA384);
}

int main(void)
{
    const char *ci = getenv("CI");
    if (!find_program("gnutls-serv") || !find_program("gnutls-cli")) {
        if (ci != NULL && strcmp(ci, "true") == 0) {
            CHECK(!"gnutls-serv / gnutls-cli missing under CI");
            return tu_finish("test_interop_gnutls");
        }
        printf("test_interop_gnutls: skipped (no gnutls-bin; CI is not set)\n");
        return 0;
    }
    signal(SIGPIPE, SIG_IGN);
    if (!CHECK(pki_setup() == 0) || !CHECK(interop_files() == 0))
        return tu_finish("test_interop_gnutls");
    test_tenon_client();
    test_tenon_server();
    test_tls12();
    interop_cleanup();
    return tu_finish("test_interop_gnutls");
}
