/*
 * record_size_limit (RFC 8449) against GnuTLS over 127.0.0.1, TLS 1.3 and TLS 1.2: tenon as a
 * client of `gnutls-serv --echo --recordsize=N` and as a server for `gnutls-cli
 * --recordsize=N`, with a small limit of tenon's own. tenon drives its socket itself and walks
 * every record header that crosses it: the records tenon sends obey GnuTLS's limit, the ones
 * GnuTLS sends obey tenon's, and the data arrives intact.
 *
 * Ports are picked free at run time, every wait is bounded, every process started is stopped by
 * its PID. Without the binaries the test is skipped, unless CI=true, where it fails.
 */
#include "test_interop_util.h"

#include "record_watch.h"
#include "tls/tls13.h"

static record_watch SENT, RECEIVED;

typedef struct sock_conn {
    tenon_conn conn;
    int s;
    uint8_t rbuf[32768];
    size_t rlen, roff;
} sock_conn;

/* Sends all output (watched). */
static int flush_out(sock_conn *sc)
{
    const uint8_t *p;
    size_t n;
    tenon_conn_output(&sc->conn, &p, &n);
    while (n > 0) {
        ssize_t w = send(sc->s, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        record_watch_bytes(&SENT, p, (size_t)w);
        tenon_conn_output_consume(&sc->conn, (size_t)w);
        tenon_conn_output(&sc->conn, &p, &n);
    }
    return 0;
}

/* One step: output sent (and watched), plaintext taken, input fed; waits for the socket only
 * when there is nothing else to do. 0, or an error. */
static int step(sock_conn *sc, uint8_t *app, size_t cap, size_t *app_len)
{
    if (flush_out(sc) != 0)
        return -2000;
    size_t k = 0;
    int rc = tenon_conn_read(&sc->conn, app + *app_len, cap - *app_len, &k);
    if (rc != 0)
        return rc;
    *app_len += k;
    if (k > 0)
        return 0;
    if (sc->roff == sc->rlen) {
        struct pollfd q = {sc->s, POLLIN, 0};
        if (poll(&q, 1, TIMEOUT_MS) != 1)
            return -2001;
        ssize_t r = recv(sc->s, sc->rbuf, sizeof sc->rbuf, 0);
        if (r <= 0)
            return -2002;
        record_watch_bytes(&RECEIVED, sc->rbuf, (size_t)r);
        sc->rlen = (size_t)r;
        sc->roff = 0;
    }
    size_t used = 0;
    rc = tenon_conn_feed(&sc->conn, sc->rbuf + sc->roff, sc->rlen - sc->roff, &used);
    sc->roff += used;
    return rc;
}

static int handshake(sock_conn *sc)
{
    size_t none = 0;
    uint8_t dummy[1];
    for (int i = 0; i < 1000; i++) {
        if (tenon_conn_status(&sc->conn) & TENON_HANDSHAKE_DONE)
            return 0;
        int rc = step(sc, dummy, 0, &none);
        if (rc != 0)
            return rc;
    }
    return -2003;
}

static int send_all(sock_conn *sc, const uint8_t *data, size_t len)
{
    size_t sent = 0;
    while (sent < len) {
        size_t w = 0;
        int rc = tenon_conn_write(&sc->conn, data + sent, len - sent, &w);
        if (rc != 0)
            return rc;
        sent += w;
        if (flush_out(sc) != 0)
            return -2004;
    }
    return 0;
}

static uint8_t DATA[20000], GOT[20000];

/* Lines of text: gnutls-serv --echo sends back what it has read once it ends with a newline. */
static void fill_lines(void)
{
    for (size_t i = 0; i < sizeof DATA; i++)
        DATA[i] = i % 64 == 63 ? '\n' : (uint8_t)('A' + (i * 7) % 26);
    DATA[sizeof DATA - 1] = '\n';
}

/* The body of a protected record with limit bytes of plaintext: TLS 1.3 AES-GCM (the limit
 * counts the type byte) or TLS 1.2 AES-GCM (explicit nonce). */
static size_t body_of(uint16_t version, size_t limit)
{
    return version == TENON_TLS13 ? limit + 16 : limit + 8 + 16;
}

static const char *prio_of(uint16_t version)
{
    return version == TENON_TLS13 ? "NORMAL:%ALLOW_SMALL_RECORDS:-VERS-ALL:+VERS-TLS1.3"
                                  : "NORMAL:%ALLOW_SMALL_RECORDS:-VERS-ALL:+VERS-TLS1.2:-CIPHER-"
                                    "ALL:+AES-128-GCM";
}

/* tenon (limit ours) against gnutls-serv --echo --recordsize=theirs. */
static void tenon_client(uint16_t version, size_t ours, int theirs)
{
    char cp[256], kp[256], port_arg[32], prio[256], rs[32];
    path_of(cp, sizeof cp, "p256.pem");
    path_of(kp, sizeof kp, "p256.key");
    snprintf(prio, sizeof prio, "--priority=%s", prio_of(version));
    snprintf(rs, sizeof rs, "--recordsize=%d", theirs);
    pid_t pid = -1;
    int s = -1;
    for (int attempt = 0; attempt < 5 && s < 0; attempt++) {
        int port = free_port();
        snprintf(port_arg, sizeof port_arg, "--port=%d", port);
        char *argv[] = {
            "gnutls-serv", port_arg, "--echo", "--x509certfile", cp, "--x509keyfile", kp, prio, rs,
            "-q",          NULL};
        pid = spawn(argv, NULL, NULL, "gnutls-serv.log");
        s = connect_port(port, 3000);
        if (s < 0)
            stop(pid);
    }
    if (!CHECK(s >= 0))
        return;
    static sock_conn sc;
    static uint8_t in[TENON_CONN_IN_SIZE], out[TENON_CONN_OUT_SIZE];
    tenon_config cfg;
    client_config(&cfg);
    cfg.min_version = cfg.max_version = version;
    cfg.record_size_limit = ours;
    memset(&SENT, 0, sizeof SENT);
    memset(&RECEIVED, 0, sizeof RECEIVED);
    sc.s = s;
    sc.rlen = sc.roff = 0;
    /* The smallest input buffer the limit allows. */
    int rc = tenon_conn_init(&sc.conn, &cfg, in, TENON_CONN_IN_MIN_FOR(ours), out, sizeof out);
    if (rc == 0)
        rc = handshake(&sc);
    uint16_t peer = tls_conn_of(&sc.conn)->rsl_peer;
    if (rc == 0)
        rc = send_all(&sc, DATA, sizeof DATA);
    size_t have = 0;
    while (rc == 0 && have < sizeof DATA)
        rc = step(&sc, GOT, sizeof GOT, &have);
    CHECK_RC(rc, 0);
    CHECK(have == sizeof DATA && memcmp(GOT, DATA, sizeof DATA) == 0);
    /* GnuTLS announced about its --recordsize (TLS 1.3: one more, for the type byte). */
    CHECK(peer >= theirs && peer <= theirs + 1);
    CHECK(SENT.max_protected == body_of(version, peer));
    CHECK(RECEIVED.max_protected > 0 && RECEIVED.max_protected <= body_of(version, ours));
    printf("tenon client (limit %zu) <-> gnutls-serv --recordsize=%d, TLS %s: GnuTLS announced "
           "%u; tenon sent %zu records, largest body %zu; received %zu, largest body %zu\n",
           ours, theirs, version == TENON_TLS13 ? "1.3" : "1.2", peer, SENT.records,
           SENT.max_protected, RECEIVED.records, RECEIVED.max_protected);
    tenon_conn_wipe(&sc.conn);
    close(s);
    stop(pid);
}

/* gnutls-cli --recordsize=theirs against a tenon server (limit ours): it sends a line (short:
 * gnutls-cli sends what one gnutls_record_send takes of it, one record), we answer with DATA and
 * a last line, which it prints. */
static void tenon_server(uint16_t version, size_t ours, int theirs)
{
    int port = 0, ls = listen_any(&port);
    if (!CHECK(ls >= 0))
        return;
    char port_arg[32], ca[256], prio[256], rs[32];
    snprintf(port_arg, sizeof port_arg, "--port=%d", port);
    snprintf(prio, sizeof prio, "--priority=%s", prio_of(version));
    snprintf(rs, sizeof rs, "--recordsize=%d", theirs);
    path_of(ca, sizeof ca, "ca.pem");
    char *argv[] = {"gnutls-cli",
                    "127.0.0.1",
                    port_arg,
                    "--x509cafile",
                    ca,
                    "--sni-hostname=localhost",
                    "--verify-hostname=localhost",
                    prio,
                    rs,
                    NULL};
    int to_cli = -1, from_cli = -1;
    pid_t pid = spawn(argv, &to_cli, &from_cli, "gnutls-cli.log");
    static char line[51];
    memset(line, 'q', sizeof line - 1);
    line[sizeof line - 1] = '\n';
    int rc = write(to_cli, line, sizeof line) == (ssize_t)sizeof line ? 0 : -1;
    struct pollfd q = {ls, POLLIN, 0};
    if (rc == 0 && poll(&q, 1, TIMEOUT_MS) != 1)
        rc = -1;
    static sock_conn sc;
    static uint8_t in[TENON_CONN_IN_SIZE], out[TENON_CONN_OUT_SIZE];
    tenon_config cfg;
    server_config(&cfg, CERT_P256);
    cfg.record_size_limit = ours;
    memset(&SENT, 0, sizeof SENT);
    memset(&RECEIVED, 0, sizeof RECEIVED);
    sc.s = rc == 0 ? accept(ls, NULL, NULL) : -1;
    sc.rlen = sc.roff = 0;
    if (rc == 0)
        rc = tenon_conn_init(&sc.conn, &cfg, in, TENON_CONN_IN_MIN_FOR(ours), out, sizeof out);
    if (rc == 0)
        rc = handshake(&sc);
    uint16_t peer = tls_conn_of(&sc.conn)->rsl_peer;
    size_t have = 0;
    while (rc == 0 && have < sizeof line)
        rc = step(&sc, GOT, sizeof GOT, &have);
    CHECK(have == sizeof line && memcmp(GOT, line, sizeof line) == 0);
    for (size_t i = 0; i < sizeof DATA; i++)
        DATA[i] = (uint8_t)('a' + i % 26);
    DATA[sizeof DATA - 1] = '\n';
    if (rc == 0)
        rc = send_all(&sc, DATA, sizeof DATA);
    if (rc == 0)
        rc = send_all(&sc, (const uint8_t *)"pong\n", 5);
    /* gnutls-cli prints what it receives: all of it, then the last line. */
    static char echo[32768];
    size_t e = 0;
    while (rc == 0) {
        echo[e] = 0;
        if (strstr(echo, "pong\n") != NULL)
            break;
        struct pollfd r = {from_cli, POLLIN, 0};
        ssize_t got;
        if (e + 1 >= sizeof echo || poll(&r, 1, TIMEOUT_MS) != 1 ||
            (got = read(from_cli, echo + e, sizeof echo - 1 - e)) <= 0) {
            rc = -1002;
            break;
        }
        e += (size_t)got;
    }
    CHECK_RC(rc, 0);
    CHECK(memmem(echo, e, DATA + sizeof DATA - 100, 100) != NULL);
    CHECK(peer >= theirs && peer <= theirs + 1);
    CHECK(SENT.max_protected == body_of(version, peer));
    CHECK(RECEIVED.max_protected > 0 && RECEIVED.max_protected <= body_of(version, ours));
    printf("gnutls-cli --recordsize=%d <-> tenon server (limit %zu), TLS %s: GnuTLS announced "
           "%u; tenon sent %zu records, largest body %zu; received %zu, largest body %zu\n",
           theirs, ours, version == TENON_TLS13 ? "1.3" : "1.2", peer, SENT.records,
           SENT.max_protected, RECEIVED.records, RECEIVED.max_protected);
    tenon_conn_wipe(&sc.conn);
    if (sc.s >= 0)
        close(sc.s);
    close(ls);
    close(to_cli);
    close(from_cli);
    stop(pid);
    fill_lines();
}

int main(void)
{
    const char *ci = getenv("CI");
    if (!find_program("gnutls-serv") || !find_program("gnutls-cli")) {
        if (ci != NULL && strcmp(ci, "true") == 0) {
            CHECK(!"gnutls-serv / gnutls-cli missing under CI");
            return tu_finish("test_interop_rsl");
        }
        printf("test_interop_rsl: skipped (no gnutls-bin; CI is not set)\n");
        return 0;
    }
    signal(SIGPIPE, SIG_IGN);
    if (!CHECK(pki_setup() == 0) || !CHECK(interop_files() == 0))
        return tu_finish("test_interop_rsl");
    fill_lines();
    for (int v = 0; v < 2; v++) {
        uint16_t version = v ? TENON_TLS12 : TENON_TLS13;
        int only = getenv("ONLY") ? atoi(getenv("ONLY")) : -1;
        if (only < 0 || only == 4 * v + 0)
            tenon_client(version, 512, 1000);
        if (only < 0 || only == 4 * v + 1)
            tenon_client(version, 100, 64);
        if (only < 0 || only == 4 * v + 2)
            tenon_server(version, 512, 1000);
        if (only < 0 || only == 4 * v + 3)
            tenon_server(version, 100, 512); /* gnutls-cli takes 512 .. 4096 */
    }
    if (getenv("ONLY")) {
        printf("%s\n", DIR_);
        return 1;
    }
    interop_cleanup();
    return tu_finish("test_interop_rsl");
}
