/*
 * Review of the issue 11 hardening (engine, socket adapter, tool): cases the first pass left.
 *
 *   A TLS 1.3 server that sends NewSessionTickets without end: the client allows 32 in a row
 *   (as other no-progress messages), then unexpected_message; data in between resets the run.
 *   tenon_io_read against such a flood returns within its timeout (it never returned: every
 *   ticket kept the socket readable, and only application data ended the call).
 *   `tenon trace` whose connection fails after the handshake reports it and exits 1 (it
 *   printed the trace and exited 0).
 *   A client offering TLS 1.2 takes warning alerts before the ServerHello (a TLS 1.2 server's
 *   unrecognized_name, RFC 6066 §3) as TLS 1.2 warnings (they were fatal).
 */
#include "test_interop_util.h"

#include <pthread.h>
#include <time.h>

#include "tls/tls13.h"

static tls_conn *C(endpoint *e)
{
    return tls_conn_of(&e->conn);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "FAIL - a blocking call did not return in time (spin or hang)\n";
    (void)!write(2, msg, sizeof msg - 1);
    _exit(1);
}

/* A well-formed NewSessionTicket (lifetime 7200 s, a 1-byte nonce and ticket, no
 * extensions), sealed under keys k, whose sequence number moves on. */
static const uint8_t NST[] = {4, 0, 0, 15, 0, 0, 0x1c, 0x20, /* type, length, lifetime */
                              1, 2, 3, 4,                    /* age_add */
                              1, 9,                          /* nonce */
                              0, 1, 7,                       /* ticket */
                              0, 0};                         /* extensions */

static size_t ticket_record(tls_record_keys *k, uint8_t *rec, size_t cap)
{
    size_t n = 0;
    CHECK_RC(tls13_seal_record(k, TLS_CT_HANDSHAKE, NST, sizeof NST, 0, rec, cap, &n), 0);
    return n;
}

static void connected13(void)
{
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(both_done(&CLIENT, &SERVER));
}

/* Feeds count tickets to the client; the first result that is not 0. */
static int feed_tickets(tls_record_keys *k, int count)
{
    uint8_t rec[128];
    for (int i = 0; i < count; i++) {
        size_t n = ticket_record(k, rec, sizeof rec), used = 0;
        int rc = tenon_conn_feed(&CLIENT.conn, rec, n, &used);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ---- NewSessionTicket floods ---- */

static void test_ticket_flood(void)
{
    /* 32 in a row are taken, the 33rd is unexpected_message (as a 33rd KeyUpdate). */
    connected13();
    tls_record_keys k = C(&CLIENT)->rd;
    CHECK_RC(feed_tickets(&k, 32), 0);
    CHECK_RC(feed_tickets(&k, 1), TENON_ERR_TLS_UNEXPECTED_MESSAGE);
    CHECK(tenon_conn_status(&CLIENT.conn) & TENON_FAILED);
    transfer(&CLIENT.conn, &SERVER.conn);
    CHECK(tenon_conn_peer_alert(&SERVER.conn) == TENON_ALERT_UNEXPECTED_MESSAGE);

    /* Application data ends a run: 20 tickets, data, 20 tickets are fine. */
    connected13();
    k = C(&CLIENT)->rd;
    CHECK_RC(feed_tickets(&k, 20), 0);
    uint8_t rec[128], buf[16];
    size_t n = 0, used = 0;
    CHECK_RC(tls13_seal_record(&k, TLS_CT_APPLICATION_DATA, (const uint8_t *)"x", 1, 0, rec,
                               sizeof rec, &n),
             0);
    CHECK_RC(tenon_conn_feed(&CLIENT.conn, rec, n, &used), 0);
    CHECK_RC(tenon_conn_read(&CLIENT.conn, buf, sizeof buf, &n), 0);
    CHECK(n == 1);
    CHECK_RC(feed_tickets(&k, 20), 0);
    CHECK_RC(tenon_conn_error(&CLIENT.conn), 0);

    /* Tickets and KeyUpdates share the run: 31 tickets, then a KeyUpdate is the 32nd, one more
     * ticket (under the new keys) the 33rd. */
    connected13();
    k = C(&CLIENT)->rd;
    CHECK_RC(feed_tickets(&k, 31), 0);
    static const uint8_t ku[] = {24, 0, 0, 1, 0};
    CHECK_RC(tls13_seal_record(&k, TLS_CT_HANDSHAKE, ku, sizeof ku, 0, rec, sizeof rec, &n), 0);
    CHECK_RC(tenon_conn_feed(&CLIENT.conn, rec, n, &used), 0);
    k = C(&CLIENT)->rd;
    CHECK_RC(feed_tickets(&k, 1), TENON_ERR_TLS_UNEXPECTED_MESSAGE);

    /* A real server's tickets (tickets_per_handshake = 2) still arrive and are stored. */
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    static tenon_ticket slots[2];
    static tenon_ticket_store store;
    tenon_ticket_store_init(&store, slots, 2);
    CLIENT.cfg.ticket_store = &store;
    SERVER.cfg.tickets_per_handshake = 2;
    memset(SERVER.cfg.ticket_keys[0].key, 0x5a, 32);
    SERVER.cfg.ticket_key_count = 1;
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK(slots[0].in_use == 1); /* one ticket kept per server name: the second */
    CHECK_RC(tenon_conn_error(&CLIENT.conn), 0);

    /* The most tickets a tenon server may send per handshake all arrive (well under the run
     * limit); more is refused at setup, in words. */
    SERVER.cfg.tickets_per_handshake = TENON_MAX_TICKETS_PER_HANDSHAKE;
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK_RC(tenon_conn_error(&CLIENT.conn), 0);
    const char *why = NULL;
    SERVER.cfg.tickets_per_handshake = TENON_MAX_TICKETS_PER_HANDSHAKE + 1;
    CHECK_RC(tenon_config_check(&SERVER.cfg, &why), TENON_ERR_TLS_CONFIG);
    CHECK(why != NULL && strstr(why, "tickets_per_handshake") != NULL);
}

/* ---- tenon_io_read against a ticket flood ---- */

typedef struct flooder {
    int fd;
    int ms; /* how long to flood */
    int rc; /* the server's handshake */
} flooder;

/* The server: handshake, then tickets as fast as the socket takes them, for f->ms. */
static void *flood_run(void *arg)
{
    flooder *f = arg;
    f->rc = tenon_io_handshake(&SERVER.conn, f->fd, 5000);
    if (f->rc != 0)
        return NULL;
    tls_record_keys *k = &C(&SERVER)->wr;
    uint8_t batch[64 * 64];
    int64_t end = mono_ms() + f->ms;
    while (mono_ms() < end) {
        size_t len = 0;
        for (int i = 0; i < 64; i++) {
            size_t n = 0;
            if (tls13_seal_record(k, TLS_CT_HANDSHAKE, NST, sizeof NST, 0, batch + len,
                                  sizeof batch - len, &n) != 0)
                return NULL;
            len += n;
        }
        if (send(f->fd, batch, len, MSG_NOSIGNAL) != (ssize_t)len)
            break;
    }
    return NULL;
}

static void test_io_read_ticket_flood(void)
{
    int port, lfd = listen_any(&port);
    int cfd = connect_port(port, 5000);
    struct pollfd p = {lfd, POLLIN, 0};
    flooder f = {-1, 4000, -1};
    if (poll(&p, 1, 5000) > 0)
        f.fd = accept(lfd, NULL, NULL);
    close(lfd);
    if (!CHECK(cfd >= 0 && f.fd >= 0))
        return;
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, flood_run, &f) == 0);
    alarm(30);
    CHECK_RC(tenon_io_handshake(&CLIENT.conn, cfd, 5000), 0);
    uint8_t buf[64];
    size_t n = 0;
    int64_t t0 = mono_ms();
    int rc = tenon_io_read(&CLIENT.conn, cfd, buf, sizeof buf, &n, 1000);
    int64_t took = mono_ms() - t0;
    alarm(0);
    if (!CHECK(rc != 0) || !CHECK(took < 2000))
        fprintf(stderr, "    tenon_io_read (timeout 1000 ms) returned %d after %lld ms\n", rc,
                (long long)took);
    close(cfd);
    pthread_join(t, NULL);
    CHECK_RC(f.rc, 0);
    close(f.fd);
}

/* ---- tenon trace after a failure that follows the handshake ---- */

static char TOOL[4200];

/* Runs `tenon trace` against a server that sends a NewSessionTicket with a lifetime over
 * 7 days after the handshake (the client refuses it: illegal_parameter); its exit status, and
 * its stderr in err. */
static int trace_against_bad_ticket(char *err, size_t cap)
{
    int port, lfd = listen_any(&port);
    char target[64], log[] = "/tmp/tenon-review1-XXXXXX";
    snprintf(target, sizeof target, "127.0.0.1:%d", port);
    int lf = mkstemp(log);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        dup2(lf, 2);
        execl(TOOL, "tenon", "trace", target, "--insecure", "--timeout", "5", "--tls1.3",
              (char *)NULL);
        _exit(127);
    }
    struct pollfd p = {lfd, POLLIN, 0};
    int fd = poll(&p, 1, 10000) > 0 ? accept(lfd, NULL, NULL) : -1;
    close(lfd);
    if (CHECK(fd >= 0)) {
        client_config(&CLIENT.cfg);
        server_config(&SERVER.cfg, CERT_P256);
        CHECK_RC(tenon_conn_init(&SERVER.conn, &SERVER.cfg, SERVER.in, sizeof SERVER.in, SERVER.out,
                                 sizeof SERVER.out),
                 0);
        alarm(30);
        CHECK_RC(tenon_io_handshake(&SERVER.conn, fd, 5000), 0);
        static const uint8_t nst[] = {4, 0, 0, 14, 0x00, 0x09, 0x3a, 0x81, /* 604801 s */
                                      0, 0, 0, 0,  0,    0,    1,    7,    0, 0};
        uint8_t rec[128], buf[16];
        size_t n = 0;
        CHECK_RC(tls13_seal_record(&C(&SERVER)->wr, TLS_CT_HANDSHAKE, nst, sizeof nst, 0, rec,
                                   sizeof rec, &n),
                 0);
        CHECK(send(fd, rec, n, MSG_NOSIGNAL) == (ssize_t)n);
        CHECK_RC(tenon_io_read(&SERVER.conn, fd, buf, sizeof buf, &n, 5000),
                 TENON_ERR_TLS_PEER_ALERT);
        alarm(0);
        close(fd);
    }
    int st = -1;
    for (int i = 0; i < 500; i++) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            break;
        sleep_ms(20);
        if (i == 499) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
        }
    }
    ssize_t r = pread(lf, err, cap - 1, 0);
    err[r > 0 ? r : 0] = 0;
    close(lf);
    unlink(log);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_trace_status(void)
{
    if (!tu_tool_path(TOOL, sizeof TOOL)) {
        printf("skip - the tenon tool is not built next to the tests\n");
        return;
    }
    char err[4096];
    int st = trace_against_bad_ticket(err, sizeof err);
    if (!CHECK(st == 1) || !CHECK(strstr(err, "illegal_parameter") != NULL))
        fprintf(stderr, "    tenon trace exited %d, stderr:\n%s\n", st, err);
}

/* ---- warning alerts before the version is known ---- */

static const uint8_t WARN_UNRECOGNIZED_NAME[7] = {21, 3, 3, 0, 2, 1, 112};

/* The client's ClientHello goes to the server; the server's answer waits in its output. */
static void client_hello_sent(int client_min, int server_max)
{
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    CLIENT.cfg.min_version = (uint16_t)client_min;
    SERVER.cfg.max_version = (uint16_t)server_max;
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    transfer(&CLIENT.conn, &SERVER.conn);
}

static int warn_client(int count)
{
    for (int i = 0; i < count; i++) {
        size_t used = 0;
        int rc = tenon_conn_feed(&CLIENT.conn, WARN_UNRECOGNIZED_NAME, 7, &used);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static void test_warning_before_server_hello(void)
{
    /* A client that offers TLS 1.2 takes a TLS 1.2 server's warning before the ServerHello
     * (OpenSSL's SNI callback: unrecognized_name) and completes the handshake. */
    client_hello_sent(TENON_TLS12, TENON_TLS12);
    CHECK_RC(warn_client(1), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(both_done(&CLIENT, &SERVER));
    /* Four in a row at most (as after the version is known). */
    client_hello_sent(TENON_TLS12, TENON_TLS12);
    CHECK_RC(warn_client(4), 0);
    CHECK_RC(warn_client(1), TENON_ERR_TLS_UNEXPECTED_MESSAGE);
    /* A TLS 1.3-only client: every alert is an error (RFC 8446 §6). */
    client_hello_sent(TENON_TLS13, TENON_TLS13);
    CHECK_RC(warn_client(1), TENON_ERR_TLS_PEER_ALERT);
    CHECK(tenon_conn_peer_alert(&CLIENT.conn) == 112);
}

/* ---- tenon server: a burst of small records ---- */

/* `tenon server` (echo) on a fresh port; its PID, the port in *port. */
static pid_t start_tool_server(int *port)
{
    *port = free_port();
    char listen_at[64];
    snprintf(listen_at, sizeof listen_at, "127.0.0.1:%d", *port);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        if (getenv("TENON_TEST_TOOL_STDERR") == NULL)
            dup2(null, 2);
        execl(TOOL, "tenon", "server", "--listen", listen_at, "--exit-after", "1", "--timeout",
              "5", (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* A client sends 300 records of one byte each in one burst, then waits: the server echoes all
 * 300 bytes (it stopped after 64 records, until the client sent more). */
static void test_server_burst(void)
{
    int port;
    pid_t pid = start_tool_server(&port);
    int fd = connect_port(port, 5000);
    if (!CHECK(fd >= 0)) {
        stop(pid);
        return;
    }
    client_config(&CLIENT.cfg);
    CLIENT.cfg.trust = NULL;
    CLIENT.cfg.insecure_skip_verify = 1;
    CHECK_RC(tenon_conn_init(&CLIENT.conn, &CLIENT.cfg, CLIENT.in, sizeof CLIENT.in, CLIENT.out,
                             sizeof CLIENT.out),
             0);
    alarm(30);
    CHECK_RC(tenon_io_handshake(&CLIENT.conn, fd, 5000), 0);
    for (int i = 0; i < 300; i++) {
        size_t w = 0;
        CHECK_RC(tenon_conn_write(&CLIENT.conn, "b", 1, &w), 0);
    }
    const uint8_t *out;
    size_t n;
    tenon_conn_output(&CLIENT.conn, &out, &n);
    CHECK(send(fd, out, n, MSG_NOSIGNAL) == (ssize_t)n);
    tenon_conn_output_consume(&CLIENT.conn, n);
    size_t got = 0;
    uint8_t buf[512];
    while (got < 300) {
        size_t k = 0;
        if (tenon_io_read(&CLIENT.conn, fd, buf, sizeof buf, &k, 3000) != 0)
            break;
        got += k;
    }
    alarm(0);
    if (!CHECK(got == 300))
        fprintf(stderr, "    the server echoed %zu of 300 bytes\n", got);
    CHECK_RC(tenon_io_close(&CLIENT.conn, fd, 3000), 0);
    close(fd);
    stop(pid);
}

/* Checked, correct: a plaintext close_notify after the TLS 1.3 handshake is no close_notify
 * (records are protected by then, RFC 8446 §5): unexpected_message, not a clean close. */
static void test_plaintext_close_notify_after_handshake(void)
{
    static const uint8_t plain[7] = {21, 3, 3, 0, 2, 1, 0};
    connected13();
    size_t used = 0;
    CHECK_RC(tenon_conn_feed(&CLIENT.conn, plain, sizeof plain, &used),
             TENON_ERR_TLS_UNEXPECTED_MESSAGE);
    CHECK(!(tenon_conn_status(&CLIENT.conn) & TENON_PEER_CLOSED));
    transfer(&CLIENT.conn, &SERVER.conn);
    CHECK(tenon_conn_peer_alert(&SERVER.conn) == TENON_ALERT_UNEXPECTED_MESSAGE);
}

int main(void)
{
    signal(SIGALRM, on_alarm);
    signal(SIGPIPE, SIG_IGN);
    if (pki_setup() != 0) {
        fprintf(stderr, "pki_setup failed\n");
        return 1;
    }
    test_ticket_flood();
    test_warning_before_server_hello();
    test_plaintext_close_notify_after_handshake();
    test_io_read_ticket_flood();
    test_trace_status();
    if (tu_tool_path(TOOL, sizeof TOOL))
        test_server_burst();
    return tu_finish("test_hardening_review1");
}
