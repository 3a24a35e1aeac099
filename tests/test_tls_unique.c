/*
 * Two small connection-info APIs:
 *
 *   tls_unique   tenon_conn_tls_unique (RFC 5929 §3.1): in memory, both ends of a TLS 1.2
 *                connection agree on 12 bytes, a resumption gives other bytes (again agreed),
 *                two full handshakes differ; refused on TLS 1.3, before the handshake, into
 *                a short buffer. Against Python's ssl module (OpenSSL) over 127.0.0.1: a
 *                tenon client's value equals the server's get_channel_binding("tls-unique"),
 *                on a full handshake (the client's Finished) and on a resumption (the
 *                server's), which checks WHICH Finished is taken.
 *   alpn_offer   tenon_peer_offer.alpn on a server: the client's ProtocolNameList as sent,
 *                cut at TENON_OFFER_ALPN_MAX with the whole length kept; empty without ALPN
 *                and on a client.
 *
 * The Python peer: skipped when python3 is missing and CI is unset (CI=true: a failure).
 */
#include "test_interop_util.h"

static tenon_ticket SLOTS[2];
static tenon_ticket_store STORE;

static void tls12_pair(void)
{
    server_config(&SERVER.cfg, CERT_P256);
    CHECK_RC(tenon_random(&SERVER.cfg.ticket_keys[0], sizeof SERVER.cfg.ticket_keys[0]), 0);
    SERVER.cfg.ticket_key_count = 1;
    client_config(&CLIENT.cfg);
    CLIENT.cfg.min_version = CLIENT.cfg.max_version = TENON_TLS12;
    tenon_ticket_store_init(&STORE, SLOTS, 2);
    CLIENT.cfg.ticket_store = &STORE;
}

/* Both ends' tls-unique, which must agree; into u (12 bytes). */
static int agreed_unique(uint8_t u[12])
{
    uint8_t s[16];
    size_t cn = 0, sn = 0;
    if (!CHECK(both_done(&CLIENT, &SERVER)))
        return 0;
    CHECK_RC(tenon_conn_tls_unique(&CLIENT.conn, u, 12, &cn), 0);
    CHECK_RC(tenon_conn_tls_unique(&SERVER.conn, s, sizeof s, &sn), 0);
    return CHECK(cn == 12 && sn == 12 && memcmp(u, s, 12) == 0);
}

static void test_tls_unique_memory(void)
{
    uint8_t full[12], full2[12], resumed[12], small[11];
    size_t n = 99;
    tls12_pair();
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    /* Before the handshake: nothing yet. */
    CHECK_RC(tenon_conn_tls_unique(&CLIENT.conn, full, sizeof full, &n),
             TENON_ERR_INVALID_ARGUMENT);
    CHECK(n == 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(resume_outcome(TENON_TLS12) == 0);
    CHECK(agreed_unique(full));
    CHECK_RC(tenon_conn_tls_unique(&CLIENT.conn, small, sizeof small, &n),
             TENON_ERR_BUFFER_TOO_SMALL);
    reconnect();
    CHECK(resume_outcome(TENON_TLS12) == 1);
    CHECK(agreed_unique(resumed));
    CHECK(memcmp(full, resumed, 12) != 0);
    /* Another full handshake (no ticket): other Finished, other value. */
    tenon_ticket_store_init(&STORE, SLOTS, 2);
    reconnect();
    CHECK(resume_outcome(TENON_TLS12) == 0);
    CHECK(agreed_unique(full2));
    CHECK(memcmp(full, full2, 12) != 0);
    /* TLS 1.3 has none (RFC 9266: the exporter instead). */
    CLIENT.cfg.min_version = CLIENT.cfg.max_version = TENON_TLS13;
    reconnect();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK_RC(tenon_conn_tls_unique(&CLIENT.conn, full, sizeof full, &n),
             TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tenon_conn_tls_unique(&SERVER.conn, full, sizeof full, &n),
             TENON_ERR_INVALID_ARGUMENT);
}

/* A Python (OpenSSL) TLS 1.2 server for two connections: prints its port, then for each
 * connection its tls-unique in hex and whether the session was reused, and echoes one read. */
static const char PY_SERVER[] =
    "import socket, ssl, sys\n"
    "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
    "ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2\n"
    "ctx.load_cert_chain(sys.argv[1], sys.argv[2])\n"
    "ls = socket.socket()\n"
    "ls.bind(('127.0.0.1', 0))\n"
    "ls.listen(2)\n"
    "ls.settimeout(10)\n"
    "print(ls.getsockname()[1], flush=True)\n"
    "for _ in range(2):\n"
    "    c, _ = ls.accept()\n"
    "    c.settimeout(10)\n"
    "    t = ctx.wrap_socket(c, server_side=True)\n"
    "    print(t.get_channel_binding('tls-unique').hex(), int(t.session_reused), flush=True)\n"
    "    t.sendall(t.recv(64))\n"
    "    t.close()\n";

static void hex12(const uint8_t *u, char out[25])
{
    for (size_t i = 0; i < 12; i++)
        snprintf(out + 2 * i, 3, "%02x", u[i]);
}

/* One tenon client connection to port: its tls-unique in hex, and whether it resumed. */
static int python_session(int port, tenon_config *cfg, char hex[25], int *resumed)
{
    static uint8_t in[TENON_CONN_IN_SIZE], out[TENON_CONN_OUT_SIZE];
    static tenon_conn conn;
    int s = connect_port(port, 3000);
    if (s < 0)
        return -1;
    uint8_t u[12], back = 0;
    size_t n = 0;
    tenon_conn_info info;
    int rc = tenon_conn_init(&conn, cfg, in, sizeof in, out, sizeof out);
    if (rc == 0)
        rc = tenon_io_handshake(&conn, s, TIMEOUT_MS);
    if (rc == 0)
        rc = tenon_conn_tls_unique(&conn, u, sizeof u, &n);
    if (rc == 0)
        rc = tenon_io_write(&conn, s, "x", 1, TIMEOUT_MS);
    while (rc == 0 && n == 12 && back != 'x') {
        size_t got = 0;
        rc = tenon_io_read(&conn, s, &back, 1, &got, TIMEOUT_MS);
    }
    if (rc == 0)
        rc = tenon_conn_info_get(&conn, &info);
    if (rc == 0) {
        hex12(u, hex);
        *resumed = info.resumed;
    }
    close(s);
    tenon_conn_wipe(&conn);
    return rc;
}

static void test_tls_unique_python(void)
{
    if (!find_program("python3")) {
        const char *ci = getenv("CI");
        if (ci != NULL && strcmp(ci, "true") == 0)
            CHECK(!"python3 missing under CI");
        else
            printf("test_tls_unique: Python peer skipped (no python3; CI is not set)\n");
        return;
    }
    if (!CHECK(interop_files() == 0))
        return;
    char cp[256], kp[256];
    path_of(cp, sizeof cp, "p256.pem");
    path_of(kp, sizeof kp, "p256.key");
    char *argv[] = {"python3", "-c", (char *)PY_SERVER, cp, kp, NULL};
    int out_fd = -1;
    pid_t pid = spawn(argv, NULL, &out_fd, "s_server.log");
    char line[128];
    int port = 0;
    if (CHECK(pid > 0 && read_line(out_fd, line, sizeof line)))
        port = atoi(line);
    tenon_config cfg;
    client_config(&cfg);
    cfg.min_version = cfg.max_version = TENON_TLS12;
    tenon_ticket_store_init(&STORE, SLOTS, 2);
    cfg.ticket_store = &STORE;
    for (int want_resumed = 0; port > 0 && want_resumed <= 1; want_resumed++) {
        char ours[25], theirs[64];
        int resumed = -1, reused = -1;
        int rc = python_session(port, &cfg, ours, &resumed);
        CHECK_RC(rc, 0);
        if (rc != 0)
            break;
        if (!CHECK(read_line(out_fd, line, sizeof line) &&
                   sscanf(line, "%63s %d", theirs, &reused) == 2))
            break;
        CHECK(resumed == want_resumed && reused == want_resumed);
        if (!CHECK(strcmp(ours, theirs) == 0))
            fprintf(stderr, "    tls-unique: tenon %s, Python %s (resumed %d)\n", ours, theirs,
                    want_resumed);
    }
    if (out_fd >= 0)
        close(out_fd);
    wait_stop(pid);
    interop_cleanup();
}

static void test_alpn_offer(void)
{
    static const uint8_t LIST[] = "\x02h2\x08http/1.1";
    tenon_peer_offer offer;
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.alpn[0] = "http/1.1";
    SERVER.cfg.alpn_count = 1;
    client_config(&CLIENT.cfg);
    CLIENT.cfg.alpn[0] = "h2";
    CLIENT.cfg.alpn[1] = "http/1.1";
    CLIENT.cfg.alpn_count = 2;
    for (int v = 0; v < 2; v++) {
        CLIENT.cfg.min_version = CLIENT.cfg.max_version = v ? TENON_TLS12 : TENON_TLS13;
        reconnect();
        CHECK(both_done(&CLIENT, &SERVER));
        CHECK_RC(tenon_conn_peer_offer(&SERVER.conn, &offer), 0);
        CHECK(offer.alpn_len == sizeof LIST - 1 && memcmp(offer.alpn, LIST, sizeof LIST - 1) == 0);
        /* A client sees the server's choice in tenon_conn_info.alpn, no list. */
        CHECK_RC(tenon_conn_peer_offer(&CLIENT.conn, &offer), 0);
        CHECK(offer.alpn_len == 0);
    }
    /* A list longer than TENON_OFFER_ALPN_MAX: its first bytes and its whole length. */
    static const char *const NAMES[] = {"protocol-one-xxxxxxxxxxx", "protocol-two-xxxxxxxxxxx",
                                        "http/1.1"};
    CLIENT.cfg.min_version = TENON_TLS12;
    CLIENT.cfg.max_version = TENON_TLS13;
    for (size_t i = 0; i < 3; i++)
        CLIENT.cfg.alpn[i] = NAMES[i];
    CLIENT.cfg.alpn_count = 3;
    reconnect();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK_RC(tenon_conn_peer_offer(&SERVER.conn, &offer), 0);
    CHECK(offer.alpn_len == 25 + 25 + 9 && offer.alpn_len > TENON_OFFER_ALPN_MAX);
    CHECK(offer.alpn[0] == 24 && memcmp(offer.alpn + 1, NAMES[0], 24) == 0);
    CHECK(offer.alpn[25] == 24 &&
          memcmp(offer.alpn + 26, NAMES[1], TENON_OFFER_ALPN_MAX - 26) == 0);
    /* No ALPN offered. */
    CLIENT.cfg.alpn_count = 0;
    reconnect();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK_RC(tenon_conn_peer_offer(&SERVER.conn, &offer), 0);
    CHECK(offer.alpn_len == 0);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    CHECK_RC(pki_setup(), 0);
    test_tls_unique_memory();
    test_tls_unique_python();
    test_alpn_offer();
    return tu_finish("test_tls_unique");
}
