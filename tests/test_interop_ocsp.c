/*
 * OCSP stapling interop over 127.0.0.1, TLS 1.3 and TLS 1.2:
 *   - tenon client (ocsp_stapling) of `openssl s_server -status_file` and of
 *     `gnutls-serv --ocsp-response`: tenon_conn_info.ocsp_response is the file's bytes;
 *   - tenon server (tenon_cert_key.ocsp_response) for `openssl s_client -status`, which prints
 *     the response it parsed.
 * The response is a minimal DER OCSPResponse (responseStatus tryLater, no responseBytes): the
 * peers parse it, tenon passes it through. Without openssl the test is skipped unless CI=true;
 * without gnutls-serv only that part is (likewise).
 */
#include "test_interop_util.h"

static const uint8_t RESP[] = {0x30, 0x03, 0x0a, 0x01, 0x03};

/* A tenon client's handshake with the server on port; its info. */
static int client_handshake(int port, uint16_t version, tenon_conn_info *info)
{
    static uint8_t in[TENON_CONN_IN_SIZE], out[TENON_CONN_OUT_SIZE];
    static tenon_conn conn;
    static tenon_config cfg;
    client_config(&cfg);
    cfg.min_version = cfg.max_version = version;
    cfg.ocsp_stapling = 1;
    int s = connect_port(port, 3000);
    if (s < 0)
        return -1;
    int rc = tenon_conn_init(&conn, &cfg, in, sizeof in, out, sizeof out);
    if (rc == 0)
        rc = tenon_io_handshake(&conn, s, TIMEOUT_MS);
    if (rc == 0)
        rc = tenon_conn_info_get(&conn, info);
    if (rc == 0)
        rc = tenon_io_close(&conn, s, TIMEOUT_MS);
    if (rc != 0)
        fprintf(stderr, "    client: %s (alert %d)\n", tenon_strerror(rc),
                tenon_conn_peer_alert(&conn));
    close(s);
    return rc;
}

/* Starts argv (a server on port) and waits until it accepts; 0 or -1. */
static int start_server(char **argv, const char *log, int port, pid_t *pid)
{
    *pid = spawn(argv, NULL, NULL, log);
    int s = connect_port(port, 5000);
    if (s < 0) {
        stop(*pid);
        return -1;
    }
    close(s); /* a probe the server drops */
    return 0;
}

static int stapled(const tenon_conn_info *info)
{
    return info->ocsp_response.len == sizeof RESP &&
           memcmp(info->ocsp_response.ptr, RESP, sizeof RESP) == 0;
}

static void test_openssl_server(void)
{
    static const char *const PROTOS[] = {"-tls1_3", "-tls1_2"};
    static const uint16_t VERSIONS[] = {TENON_TLS13, TENON_TLS12};
    char cp[256], kp[256], rp[256], accept_arg[64];
    path_of(cp, sizeof cp, "p256.pem");
    path_of(kp, sizeof kp, "p256.key");
    path_of(rp, sizeof rp, "resp.der");
    for (size_t v = 0; v < 2; v++) {
        int port = free_port();
        snprintf(accept_arg, sizeof accept_arg, "127.0.0.1:%d", port);
        char *argv[] = {
            "openssl",      "s_server", "-accept", accept_arg, "-cert",           cp,  "-key", kp,
            "-status_file", rp,         "-rev",    "-quiet",   (char *)PROTOS[v], NULL};
        pid_t pid;
        if (!CHECK(start_server(argv, "s_server.log", port, &pid) == 0))
            continue;
        tenon_conn_info info;
        CHECK(client_handshake(port, VERSIONS[v], &info) == 0 && stapled(&info));
        stop(pid);
    }
}

static void test_gnutls_server(void)
{
    static const char *const PRIOS[] = {"--priority=NORMAL:-VERS-ALL:+VERS-TLS1.3",
                                        "--priority=NORMAL:-VERS-ALL:+VERS-TLS1.2"};
    static const uint16_t VERSIONS[] = {TENON_TLS13, TENON_TLS12};
    char cp[256], kp[256], rp[256], port_arg[32];
    path_of(cp, sizeof cp, "p256.pem");
    path_of(kp, sizeof kp, "p256.key");
    path_of(rp, sizeof rp, "resp.der");
    for (size_t v = 0; v < 2; v++) {
        int port = free_port();
        snprintf(port_arg, sizeof port_arg, "--port=%d", port);
        /* gnutls-serv checks a response against the certificate; this one has no content. */
        char *argv[] = {"gnutls-serv",
                        port_arg,
                        "--echo",
                        "--x509certfile",
                        cp,
                        "--x509keyfile",
                        kp,
                        "--ocsp-response",
                        rp,
                        "--ignore-ocsp-response-errors",
                        (char *)PRIOS[v],
                        NULL};
        pid_t pid;
        if (!CHECK(start_server(argv, "gnutls-serv.log", port, &pid) == 0))
            continue;
        tenon_conn_info info;
        CHECK(client_handshake(port, VERSIONS[v], &info) == 0 && stapled(&info));
        stop(pid);
    }
}

/* openssl s_client -status against one tenon server connection: 1 if it printed the
 * response's status. */
static int s_client_sees_staple(const char *proto, tenon_config *cfg)
{
    static uint8_t in[TENON_CONN_IN_SIZE], out[TENON_CONN_OUT_SIZE];
    static tenon_conn conn;
    int port = 0, ls = listen_any(&port);
    if (ls < 0)
        return 0;
    char connect_arg[64], ca[256];
    snprintf(connect_arg, sizeof connect_arg, "127.0.0.1:%d", port);
    path_of(ca, sizeof ca, "ca.pem");
    char *argv[] = {"openssl",     "s_client",  "-connect", connect_arg,   "-CAfile", ca,
                    "-servername", "localhost", "-status",  (char *)proto, NULL};
    int to_client = -1, from_client = -1;
    pid_t pid = spawn(argv, &to_client, &from_client, "s_client.log");
    int rc = -1, s = -1;
    struct pollfd p = {ls, POLLIN, 0};
    if (poll(&p, 1, TIMEOUT_MS) == 1)
        s = accept(ls, NULL, NULL);
    if (s >= 0 && tenon_conn_init(&conn, cfg, in, sizeof in, out, sizeof out) == 0)
        rc = tenon_io_handshake(&conn, s, TIMEOUT_MS);
    if (rc != 0)
        fprintf(stderr, "    server: %s\n", tenon_strerror(rc));
    /* Its report, up to the end of its output (stdin closed: it leaves). */
    close(to_client);
    /* s_client may be gone already: how the close goes does not matter here. */
    if (rc == 0 && tenon_io_close(&conn, s, TIMEOUT_MS) != 0)
        fprintf(stderr, "    (s_client left before our close_notify)\n");
    static char text[65536];
    size_t have = 0;
    for (;;) {
        struct pollfd q = {from_client, POLLIN, 0};
        if (poll(&q, 1, TIMEOUT_MS) != 1)
            break;
        ssize_t r = read(from_client, text + have, sizeof text - 1 - have);
        if (r <= 0)
            break;
        have += (size_t)r;
    }
    text[have] = 0;
    if (s >= 0)
        close(s);
    close(ls);
    close(from_client);
    stop(pid);
    int ok = rc == 0 && strstr(text, "OCSP Response Status: trylater") != NULL &&
             strstr(text, "no response sent") == NULL;
    if (!ok)
        fprintf(stderr, "    s_client %s said:\n%.2000s\n", proto, text);
    return ok;
}

static void test_openssl_client(void)
{
    tenon_config cfg;
    server_config(&cfg, CERT_P256);
    cfg.certs[0].ocsp_response.ptr = RESP;
    cfg.certs[0].ocsp_response.len = sizeof RESP;
    CHECK(s_client_sees_staple("-tls1_3", &cfg));
    CHECK(s_client_sees_staple("-tls1_2", &cfg));
}

int main(void)
{
    const char *ci = getenv("CI");
    int under_ci = ci != NULL && strcmp(ci, "true") == 0;
    if (!find_program("openssl")) {
        if (under_ci) {
            CHECK(!"openssl binary missing under CI");
            return tu_finish("test_interop_ocsp");
        }
        printf("test_interop_ocsp: skipped (no openssl binary; CI is not set)\n");
        return 0;
    }
    signal(SIGPIPE, SIG_IGN);
    if (!CHECK(pki_setup() == 0))
        return tu_finish("test_interop_ocsp");
    CHECK(interop_files() == 0);
    CHECK(write_file("resp.der", RESP, sizeof RESP) == 0);
    test_openssl_server();
    test_openssl_client();
    if (find_program("gnutls-serv"))
        test_gnutls_server();
    else if (under_ci)
        CHECK(!"gnutls-serv missing under CI");
    else
        printf("test_interop_ocsp: gnutls-serv part skipped (not installed; CI is not set)\n");
    char rp[256];
    path_of(rp, sizeof rp, "resp.der");
    unlink(rp);
    interop_cleanup();
    return tu_finish("test_interop_ocsp");
}
