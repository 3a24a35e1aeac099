/*
 * Hardening of the engine, the socket adapter and the tool (issue 11): bad input from a peer
 * ends each connection with the alert the RFC names, never a spin or a hang.
 *
 *   close_notify during the handshake (plaintext or protected, client and server, TLS 1.3 and
 *   1.2) fails it with TENON_ERR_TLS_HANDSHAKE_CLOSED; tenon_io_handshake and `tenon client`
 *   return within their timeout against such a peer, and the timeout bounds the whole call;
 *   fatal alerts reach the wire before the socket closes (the library and the tool);
 *   empty or odd alert records (RFC 8446 §5.4, §6); early data skipped only while it may be
 *   (§4.2.10: until ClientHello2 after a HelloRetryRequest, until a record decrypts, 16,384
 *   bytes at most); flood limits (empty records, change_cipher_spec, KeyUpdate and other
 *   no-progress handshake messages, warning alerts), each at the limit and one over;
 *   tenon_conn_close and tenon_conn_key_update without room for their record.
 *
 * Records "from the peer" are sealed with a copy of the receiver's read keys (whose sequence
 * number is the receiver's), or with the sender's own write keys where it is a real engine.
 */
#include "test_interop_util.h"

#include <pthread.h>
#include <time.h>

#include "tls/tls13.h"

static uint8_t DATA[4096];

static tls_conn *C(endpoint *e)
{
    return tls_conn_of(&e->conn);
}

static int64_t ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Moves from's output to `to` up to and including its first record of type stop (all of it if
 * none); returns the receiver's result. */
static int move_until(endpoint *from, endpoint *to, uint8_t stop)
{
    const uint8_t *p;
    size_t n, at[32], used = 0;
    tenon_conn_output(&from->conn, &p, &n);
    size_t k = record_offsets(p, n, at, 32), end = n;
    for (size_t i = 0; i < k; i++)
        if (p[at[i]] == stop) {
            end = i + 1 < k ? at[i + 1] : n;
            break;
        }
    int rc = tenon_conn_feed(&to->conn, p, end, &used);
    tenon_conn_output_consume(&from->conn, end);
    return rc;
}

/* A record as the receiver's peer would seal it now. */
static size_t seal_to(endpoint *to, uint8_t type, const uint8_t *content, size_t len, uint8_t *out,
                      size_t cap)
{
    size_t n = 0;
    tls_conn *c = C(to);
    if (c->version == TENON_TLS12) {
        tls12_dir d = c->rd12;
        CHECK_RC(tls12_seal(&d, type, content, len, out, cap, &n), 0);
    } else {
        tls_record_keys k = c->rd;
        CHECK_RC(tls13_seal_record(&k, type, content, len, 0, out, cap, &n), 0);
    }
    return n;
}

static int move_all(endpoint *from, endpoint *to)
{
    return move_until(from, to, 0xff);
}

static int feed_all(endpoint *to, const uint8_t *rec, size_t n)
{
    size_t used = 0;
    int rc = tenon_conn_feed(&to->conn, rec, n, &used);
    if (rc == 0 && !CHECK(used == n))
        fprintf(stderr, "    fed %zu of %zu\n", used, n);
    return rc;
}

static size_t out_len(endpoint *e)
{
    const uint8_t *p;
    size_t n;
    tenon_conn_output(&e->conn, &p, &n);
    return n;
}

static void drop_output(endpoint *e)
{
    tenon_conn_output_consume(&e->conn, out_len(e));
}

static void config13(void)
{
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
}

static void config12(void)
{
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    CLIENT.cfg.max_version = TENON_TLS12;
}

static void connected(void)
{
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(both_done(&CLIENT, &SERVER));
}

static const uint8_t CLOSE_NOTIFY[2] = {1, 0};
static const uint8_t PLAIN_CLOSE_NOTIFY[7] = {21, 3, 3, 0, 2, 1, 0};

/* The receiver failed with TENON_ERR_TLS_HANDSHAKE_CLOSED, sent nothing, names close_notify. */
static void expect_closed(endpoint *e, int rc, size_t out_before, const char *what)
{
    if (rc != TENON_ERR_TLS_HANDSHAKE_CLOSED)
        fprintf(stderr, "    %s\n", what);
    CHECK_RC(rc, TENON_ERR_TLS_HANDSHAKE_CLOSED);
    CHECK(tenon_conn_status(&e->conn) & TENON_FAILED);
    CHECK_RC(tenon_conn_error(&e->conn), TENON_ERR_TLS_HANDSHAKE_CLOSED);
    CHECK(out_len(e) == out_before);
    CHECK(tenon_conn_peer_alert(&e->conn) == TENON_ALERT_CLOSE_NOTIFY);
    size_t used;
    CHECK_RC(tenon_conn_feed(&e->conn, PLAIN_CLOSE_NOTIFY, 7, &used),
             TENON_ERR_TLS_HANDSHAKE_CLOSED);
}

/* ---- 1: close_notify during the handshake ---- */

static void test_close_notify_in_handshake(void)
{
    uint8_t rec[64];
    size_t n;
    int rc;

    for (int v12 = 0; v12 <= 1; v12++) {
        /* Plaintext, client waiting for the ServerHello. */
        v12 ? config12() : config13();
        CHECK_RC(start(&CLIENT, &SERVER), 0);
        drop_output(&CLIENT);
        rc = feed_all(&CLIENT, PLAIN_CLOSE_NOTIFY, 7);
        expect_closed(&CLIENT, rc, 0, "client, plaintext, before the ServerHello");

        /* Plaintext, server waiting for the ClientHello. */
        CHECK_RC(start(&CLIENT, &SERVER), 0);
        rc = feed_all(&SERVER, PLAIN_CLOSE_NOTIFY, 7);
        expect_closed(&SERVER, rc, 0, "server, plaintext, before the ClientHello");

        /* Protected, server waiting for the client's Finished (TLS 1.2: after its
         * change_cipher_spec). */
        CHECK_RC(start(&CLIENT, &SERVER), 0);
        CHECK_RC(move_all(&CLIENT, &SERVER), 0);
        if (v12) {
            CHECK_RC(move_all(&SERVER, &CLIENT), 0);
            CHECK_RC(move_until(&CLIENT, &SERVER, 20), 0);
            CHECK(C(&SERVER)->rd12.on);
        } else {
            CHECK(C(&SERVER)->rd.active);
        }
        drop_output(&SERVER);
        n = seal_to(&SERVER, 21, CLOSE_NOTIFY, 2, rec, sizeof rec);
        rc = feed_all(&SERVER, rec, n);
        expect_closed(&SERVER, rc, 0, "server, protected, before the client's Finished");

        /* Protected, client waiting for the server's protected messages (TLS 1.3) or its
         * Finished (TLS 1.2: after its change_cipher_spec). */
        CHECK_RC(start(&CLIENT, &SERVER), 0);
        CHECK_RC(move_all(&CLIENT, &SERVER), 0);
        if (v12) {
            CHECK_RC(move_all(&SERVER, &CLIENT), 0);
            CHECK_RC(move_all(&CLIENT, &SERVER), 0);
            CHECK_RC(move_until(&SERVER, &CLIENT, 20), 0);
            CHECK(C(&CLIENT)->rd12.on && !(tenon_conn_status(&CLIENT.conn) & TENON_HANDSHAKE_DONE));
        } else {
            CHECK_RC(move_until(&SERVER, &CLIENT, 22), 0); /* the ServerHello */
            CHECK(C(&CLIENT)->rd.active && C(&CLIENT)->state == ST_C_WAIT_EE);
            drop_output(&CLIENT); /* its change_cipher_spec, sent: the next record is taken */
        }
        size_t before = out_len(&CLIENT);
        n = seal_to(&CLIENT, 21, CLOSE_NOTIFY, 2, rec, sizeof rec);
        rc = feed_all(&CLIENT, rec, n);
        expect_closed(&CLIENT, rc, before, "client, protected, before the server's Finished");

        /* Plaintext, TLS 1.2 client after the ServerHello (its messages are in the clear). */
        if (v12) {
            CHECK_RC(start(&CLIENT, &SERVER), 0);
            CHECK_RC(move_all(&CLIENT, &SERVER), 0);
            const uint8_t *p;
            size_t k, at[8], used;
            tenon_conn_output(&SERVER.conn, &p, &k);
            size_t nrec = record_offsets(p, k, at, 8);
            /* The ServerHello alone: cut its record short at the ServerHello's end. */
            size_t sh_len = 4 + (((size_t)p[6] << 16) | ((size_t)p[7] << 8) | p[8]);
            uint8_t sh[512];
            CHECK(nrec >= 1 && sh_len + 5 <= sizeof sh);
            memcpy(sh, p, 5 + sh_len);
            sh[3] = (uint8_t)(sh_len >> 8), sh[4] = (uint8_t)sh_len;
            CHECK_RC(tenon_conn_feed(&CLIENT.conn, sh, 5 + sh_len, &used), 0);
            CHECK(C(&CLIENT)->version == TENON_TLS12 && C(&CLIENT)->state == ST_C12_WAIT_CERT);
            rc = feed_all(&CLIENT, PLAIN_CLOSE_NOTIFY, 7);
            expect_closed(&CLIENT, rc, 0, "TLS 1.2 client, plaintext, after the ServerHello");
        }
    }

    /* After the handshake close_notify is the normal end, as before. */
    config13();
    connected();
    CHECK_RC(tenon_conn_close(&CLIENT.conn), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(tenon_conn_status(&SERVER.conn) & TENON_PEER_CLOSED);
    CHECK_RC(tenon_conn_error(&SERVER.conn), 0);
}

/* ---- sockets ---- */

/* accept, bounded by ms; -1 on timeout. */
static int accept_within(int lfd, int ms)
{
    struct pollfd p = {lfd, POLLIN, 0};
    if (poll(&p, 1, ms) <= 0)
        return -1;
    return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
}

/* A fake peer on a thread: sends `script` (after reading what the other side sends first, if
 * read_first), then `trickle` one byte every 50 ms, then holds the socket open for hold_ms. */
typedef struct fake_peer {
    int fd;
    int read_first;
    const uint8_t *script;
    size_t script_len;
    const uint8_t *trickle;
    size_t trickle_len;
    int hold_ms;
} fake_peer;

static void *fake_peer_run(void *arg)
{
    fake_peer *f = arg;
    uint8_t buf[4096];
    if (f->read_first) {
        struct pollfd p = {f->fd, POLLIN, 0};
        if (poll(&p, 1, 5000) > 0)
            (void)!recv(f->fd, buf, sizeof buf, 0);
    }
    if (f->script_len > 0)
        (void)!send(f->fd, f->script, f->script_len, MSG_NOSIGNAL);
    for (size_t i = 0; i < f->trickle_len; i++) {
        if (send(f->fd, f->trickle + i, 1, MSG_NOSIGNAL) != 1)
            break;
        usleep(50000);
    }
    /* Hold the socket open (no EOF: that would be another error), until the other side goes. */
    int64_t end = ms_now() + f->hold_ms;
    for (;;) {
        int64_t left = end - ms_now();
        struct pollfd p = {f->fd, POLLIN, 0};
        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            break;
        if (recv(f->fd, buf, sizeof buf, 0) <= 0)
            break;
    }
    return NULL;
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "FAIL - a blocking call did not return in time (spin or hang)\n";
    (void)!write(2, msg, sizeof msg - 1);
    _exit(1);
}

/* tenon_io_handshake against a fake peer; returns its result, *ms the time it took. */
static int io_handshake_against(endpoint *e, fake_peer *f, int timeout_ms, int64_t *ms)
{
    int port, lfd = listen_any(&port);
    int fd = connect_port(port, 5000);
    f->fd = accept_within(lfd, 5000);
    close(lfd);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, fake_peer_run, f) == 0);
    CHECK_RC(tenon_conn_init(&e->conn, &e->cfg, e->in, sizeof e->in, e->out, sizeof e->out), 0);
    int64_t t0 = ms_now();
    alarm(20);
    int rc = tenon_io_handshake(&e->conn, fd, timeout_ms);
    alarm(0);
    *ms = ms_now() - t0;
    close(fd);
    pthread_join(t, NULL);
    close(f->fd);
    return rc;
}

static void test_io_handshake_bounded(void)
{
    int64_t ms;
    int rc;
    /* A server that answers the ClientHello with close_notify (and keeps the socket open). */
    fake_peer f = {-1, 1, PLAIN_CLOSE_NOTIFY, 7, NULL, 0, 8000};
    config13();
    rc = io_handshake_against(&CLIENT, &f, 3000, &ms);
    CHECK_RC(rc, TENON_ERR_TLS_HANDSHAKE_CLOSED);
    if (!CHECK(ms < 2000))
        fprintf(stderr, "    tenon_io_handshake took %lld ms\n", (long long)ms);

    /* A client that says close_notify first. */
    fake_peer g = {-1, 0, PLAIN_CLOSE_NOTIFY, 7, NULL, 0, 8000};
    rc = io_handshake_against(&SERVER, &g, 3000, &ms);
    CHECK_RC(rc, TENON_ERR_TLS_HANDSHAKE_CLOSED);
    CHECK(ms < 2000);

    /* A server that trickles a ServerHello record a byte at a time: every wait is short, but
     * the whole handshake is bounded by timeout_ms. */
    static uint8_t slow[120];
    slow[0] = 22, slow[1] = 3, slow[2] = 3, slow[3] = 0x3e, slow[4] = 0x80, slow[5] = 2;
    fake_peer h = {-1, 1, NULL, 0, slow, sizeof slow, 1000};
    rc = io_handshake_against(&CLIENT, &h, 1000, &ms);
    CHECK_RC(rc, TENON_ERR_FILE_IO);
    if (!CHECK(ms >= 900 && ms < 2500))
        fprintf(stderr, "    tenon_io_handshake took %lld ms with a 1000 ms timeout\n",
                (long long)ms);
}

/* Both ends over TCP on 127.0.0.1, the server's handshake on a thread. */
typedef struct io_side {
    endpoint *e;
    int fd;
    int rc;
} io_side;

static void *io_handshake_thread(void *arg)
{
    io_side *s = arg;
    s->rc = tenon_io_handshake(&s->e->conn, s->fd, 5000);
    return NULL;
}

static void io_connect(int *cfd, int *sfd)
{
    int port, lfd = listen_any(&port);
    *cfd = connect_port(port, 5000);
    *sfd = accept_within(lfd, 5000);
    close(lfd);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    io_side s = {&SERVER, *sfd, -1};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, io_handshake_thread, &s) == 0);
    alarm(20);
    CHECK_RC(tenon_io_handshake(&CLIENT.conn, *cfd, 5000), 0);
    pthread_join(t, NULL);
    alarm(0);
    CHECK_RC(s.rc, 0);
}

/* A NewSessionTicket the client refuses (lifetime over 7 days: illegal_parameter), sealed by
 * the server engine's own write keys. */
static size_t bad_ticket(endpoint *server, uint8_t *rec, size_t cap)
{
    static const uint8_t nst[] = {4, 0, 0, 14, 0x00, 0x09, 0x3a, 0x81, /* 604801 */
                                  0, 0, 0, 0,  0,                      /* age_add, nonce */
                                  0, 1, 7,                             /* ticket */
                                  0, 0};                               /* extensions */
    size_t n = 0;
    CHECK_RC(tls13_seal_record(&C(server)->wr, 22, nst, sizeof nst, 0, rec, cap, &n), 0);
    return n;
}

static void test_io_alerts_sent(void)
{
    int cfd, sfd;
    uint8_t rec[256], buf[64];
    size_t n;
    config13();
    io_connect(&cfd, &sfd);
    /* The client refuses the ticket: its alert reaches the server before tenon_io_read
     * returns. */
    n = bad_ticket(&SERVER, rec, sizeof rec);
    CHECK(send(sfd, rec, n, MSG_NOSIGNAL) == (ssize_t)n);
    alarm(20);
    CHECK_RC(tenon_io_read(&CLIENT.conn, cfd, buf, sizeof buf, &n, 3000),
             TENON_ERR_TLS_ILLEGAL_PARAMETER);
    close(cfd);
    CHECK_RC(tenon_io_read(&SERVER.conn, sfd, buf, sizeof buf, &n, 3000), TENON_ERR_TLS_PEER_ALERT);
    alarm(0);
    CHECK(tenon_conn_peer_alert(&SERVER.conn) == TENON_ALERT_ILLEGAL_PARAMETER);
    close(sfd);

    /* tenon_io_close: close_notify reaches the peer, which reads TENON_ERR_TLS_CLOSED. */
    io_connect(&cfd, &sfd);
    alarm(20);
    CHECK_RC(tenon_io_write(&CLIENT.conn, cfd, "ping", 4, 3000), 0);
    CHECK_RC(tenon_io_close(&CLIENT.conn, cfd, 3000), 0);
    CHECK_RC(tenon_io_read(&SERVER.conn, sfd, buf, sizeof buf, &n, 3000), 0);
    CHECK(n == 4 && memcmp(buf, "ping", 4) == 0);
    CHECK_RC(tenon_io_read(&SERVER.conn, sfd, buf, sizeof buf, &n, 3000), TENON_ERR_TLS_CLOSED);
    alarm(0);
    close(cfd);
    close(sfd);
}

/* ---- the tool ---- */

static char TENON_BIN[4200];

static int find_tool(void)
{
    return tu_tool_path(TENON_BIN, sizeof TENON_BIN);
}

/* Starts `tenon ARGV...` with stdin from a pipe (its write end in *in_w) and stdout/stderr to
 * /dev/null; returns its PID. */
static pid_t spawn_tool(char *const argv[], int *in_w)
{
    int pfd[2];
    if (pipe(pfd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pfd[0], 0);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        if (getenv("TENON_TEST_TOOL_STDERR") == NULL)
            dup2(null, 2);
        close(pfd[1]);
        execv(TENON_BIN, argv);
        _exit(127);
    }
    close(pfd[0]);
    *in_w = pfd[1];
    return pid;
}

/* Waits up to ms for pid; its exit status, or -1 after killing it. *took: the time waited. */
static int reap_within(pid_t pid, int ms, int64_t *took)
{
    int64_t t0 = ms_now();
    int st;
    while (ms_now() - t0 < ms) {
        if (waitpid(pid, &st, WNOHANG) == pid) {
            *took = ms_now() - t0;
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
        }
        usleep(20000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    *took = ms_now() - t0;
    return -1;
}

/* `tenon client` (or trace, or client --resume) refuses the server's NewSessionTicket: the
 * illegal_parameter alert must arrive before the tool closes the socket. */
static void tool_alert_case(const char *cmd, int resume)
{
    int port, lfd = listen_any(&port);
    char target[64];
    snprintf(target, sizeof target, "127.0.0.1:%d", port);
    char *argv[] = {"tenon", (char *)cmd, target, "--insecure", "--timeout",
                    "5",     "--tls1.3",  NULL,   NULL};
    if (resume)
        argv[7] = "--resume";
    int in_w;
    pid_t pid = spawn_tool(argv, &in_w);
    int fd = accept_within(lfd, 10000);
    close(lfd);
    if (!CHECK(fd >= 0)) {
        close(in_w);
        int64_t took;
        reap_within(pid, 100, &took);
        return;
    }
    config13();
    CHECK_RC(tenon_conn_init(&SERVER.conn, &SERVER.cfg, SERVER.in, sizeof SERVER.in, SERVER.out,
                             sizeof SERVER.out),
             0);
    alarm(20);
    CHECK_RC(tenon_io_handshake(&SERVER.conn, fd, 5000), 0);
    uint8_t rec[256], buf[64];
    size_t n = bad_ticket(&SERVER, rec, sizeof rec);
    CHECK(send(fd, rec, n, MSG_NOSIGNAL) == (ssize_t)n);
    int rc = tenon_io_read(&SERVER.conn, fd, buf, sizeof buf, &n, 5000);
    alarm(0);
    if (rc != TENON_ERR_TLS_PEER_ALERT)
        fprintf(stderr, "    tenon %s%s: the server read %d (%s)\n", cmd, resume ? " --resume" : "",
                rc, tenon_strerror(rc));
    CHECK_RC(rc, TENON_ERR_TLS_PEER_ALERT);
    CHECK(tenon_conn_peer_alert(&SERVER.conn) == TENON_ALERT_ILLEGAL_PARAMETER);
    close(in_w);
    close(fd);
    int64_t took;
    int st = reap_within(pid, 10000, &took);
    /* tenon trace shows the trace of what happened, and fails as the connection did. */
    CHECK(st == 1);
}

/* `tenon client` against a server that says close_notify instead of a ServerHello: the client
 * fails at once (it used to spin at 100% CPU until killed). */
static void tool_close_notify_case(void)
{
    int port, lfd = listen_any(&port);
    char target[64];
    snprintf(target, sizeof target, "127.0.0.1:%d", port);
    char *argv[] = {"tenon", "client", target, "--insecure", "--timeout", "3", NULL};
    int in_w;
    pid_t pid = spawn_tool(argv, &in_w);
    fake_peer f = {accept_within(lfd, 10000), 1, PLAIN_CLOSE_NOTIFY, 7, NULL, 0, 6000};
    close(lfd);
    pthread_t t;
    int made = f.fd >= 0 && pthread_create(&t, NULL, fake_peer_run, &f) == 0;
    CHECK(made);
    int64_t took;
    int st = reap_within(pid, 8000, &took);
    if (!CHECK(st == 1 && took < 3000))
        fprintf(stderr, "    tenon client: status %d after %lld ms\n", st, (long long)took);
    if (made)
        pthread_join(t, NULL);
    close(f.fd);
    close(in_w);
}

static void test_tool(void)
{
    if (!find_tool()) {
        printf("skip - the tenon tool is not built next to the tests\n");
        return;
    }
    tool_alert_case("client", 0);
    tool_alert_case("trace", 0);
    tool_alert_case("client", 1);
    tool_close_notify_case();
}

/* ---- 7: alert records of the wrong length ---- */

static void test_alert_lengths(void)
{
    uint8_t rec[64], a3[3] = {2, 40, 0};
    size_t n;
    /* RFC 8446 §5.4: protected alert with empty content: unexpected_message. */
    config13();
    connected();
    n = seal_to(&SERVER, 21, (const uint8_t *)"", 0, rec, sizeof rec);
    CHECK_RC(feed_all(&SERVER, rec, n), TENON_ERR_TLS_UNEXPECTED_MESSAGE);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_UNEXPECTED_MESSAGE);
    /* ... also during the handshake (client in WAIT_EE). */
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    CHECK_RC(move_until(&CLIENT, &SERVER, 22), 0);
    CHECK_RC(move_until(&SERVER, &CLIENT, 22), 0);
    drop_output(&CLIENT);
    n = seal_to(&CLIENT, 21, (const uint8_t *)"", 0, rec, sizeof rec);
    CHECK_RC(feed_all(&CLIENT, rec, n), TENON_ERR_TLS_UNEXPECTED_MESSAGE);
    /* Protected alerts of 1 and 3 bytes: decode_error. */
    for (size_t len = 1; len <= 3; len += 2) {
        connected();
        n = seal_to(&SERVER, 21, a3, len, rec, sizeof rec);
        CHECK_RC(feed_all(&SERVER, rec, n), TENON_ERR_TLS_DECODE);
        pump(&CLIENT.conn, &SERVER.conn);
        CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_DECODE_ERROR);
    }
    /* Plaintext alert records whose length is not 2: decode_error, server and client. */
    static const uint8_t plain0[] = {21, 3, 3, 0, 0}, plain1[] = {21, 3, 3, 0, 1, 2},
                         plain3[] = {21, 3, 3, 0, 3, 2, 40, 0};
    const uint8_t *plains[] = {plain0, plain1, plain3};
    const size_t plain_lens[] = {sizeof plain0, sizeof plain1, sizeof plain3};
    for (int i = 0; i < 3; i++) {
        CHECK_RC(start(&CLIENT, &SERVER), 0);
        CHECK_RC(feed_all(&SERVER, plains[i], plain_lens[i]), TENON_ERR_TLS_DECODE);
        drop_output(&CLIENT);
        CHECK_RC(feed_all(&CLIENT, plains[i], plain_lens[i]), TENON_ERR_TLS_DECODE);
        const uint8_t *p;
        size_t k;
        tenon_conn_output(&CLIENT.conn, &p, &k);
        CHECK(k == 7 && p[0] == 21 && p[5] == 2 && p[6] == TENON_ALERT_DECODE_ERROR);
    }
    /* Siblings: an empty protected handshake record is unexpected_message (§5.4); so is a
     * change_cipher_spec that is not the one byte 1 (§5), or any after the handshake. */
    connected();
    n = seal_to(&CLIENT, 22, (const uint8_t *)"", 0, rec, sizeof rec);
    CHECK_RC(feed_all(&CLIENT, rec, n), TENON_ERR_TLS_UNEXPECTED_MESSAGE);
    static const uint8_t ccs0[] = {20, 3, 3, 0, 0}, ccs2[] = {20, 3, 3, 0, 2, 1, 1},
                         ccs_bad[] = {20, 3, 3, 0, 1, 2};
    const uint8_t *ccss[] = {ccs0, ccs2, ccs_bad};
    const size_t ccs_lens[] = {sizeof ccs0, sizeof ccs2, sizeof ccs_bad};
    for (int i = 0; i < 3; i++) {
        CHECK_RC(start(&CLIENT, &SERVER), 0);
        drop_output(&CLIENT);
        CHECK_RC(feed_all(&CLIENT, ccss[i], ccs_lens[i]), TENON_ERR_TLS_UNEXPECTED_MESSAGE);
    }

    /* TLS 1.2: a protected alert whose length is not 2 is decode_error (empty included);
     * an empty handshake record unexpected_message; a change_cipher_spec of the wrong length
     * or value unexpected_message. */
    for (size_t len = 0; len <= 3; len++) {
        if (len == 2)
            continue;
        config12();
        connected();
        n = seal_to(&SERVER, 21, a3, len, rec, sizeof rec);
        CHECK_RC(feed_all(&SERVER, rec, n), TENON_ERR_TLS_DECODE);
        pump(&CLIENT.conn, &SERVER.conn);
        CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_DECODE_ERROR);
    }
    config12();
    connected();
    n = seal_to(&SERVER, 22, (const uint8_t *)"", 0, rec, sizeof rec);
    CHECK_RC(feed_all(&SERVER, rec, n), TENON_ERR_TLS_UNEXPECTED_MESSAGE);
    for (int i = 0; i < 3; i++) {
        CHECK_RC(start(&CLIENT, &SERVER), 0);
        CHECK_RC(move_until(&CLIENT, &SERVER, 22), 0);
        CHECK_RC(move_until(&SERVER, &CLIENT, 22), 0);
        CHECK_RC(move_until(&CLIENT, &SERVER, 22), 0); /* ClientKeyExchange */
        drop_output(&CLIENT);
        CHECK_RC(feed_all(&SERVER, ccss[i], ccs_lens[i]), TENON_ERR_TLS_UNEXPECTED_MESSAGE);
    }
}

/* ---- 9: skipping early data ---- */

/* A ClientHello from a fresh client engine with early_data added (and no PSK). */
static size_t client_hello_with_early_data(uint8_t *out, size_t cap)
{
    const uint8_t *p;
    size_t n;
    tenon_conn_output(&CLIENT.conn, &p, &n);
    CHECK(n > 9 && p[0] == 22 && n + 4 <= cap);
    /* Append the empty early_data extension at the end of the extension block. */
    size_t body = 4 + 2 + 32;
    body += 1 + p[5 + body];
    body += 2 + (((size_t)p[5 + body] << 8) | p[5 + body + 1]);
    body += 1 + p[5 + body];
    size_t ext_at = 5 + body;
    memcpy(out, p, n);
    size_t ext_len = (((size_t)p[ext_at] << 8) | p[ext_at + 1]) + 4;
    out[ext_at] = (uint8_t)(ext_len >> 8), out[ext_at + 1] = (uint8_t)ext_len;
    static const uint8_t early[4] = {0, 42, 0, 0};
    memcpy(out + n, early, 4);
    size_t hs = (((size_t)out[6] << 16) | ((size_t)out[7] << 8) | out[8]) + 4;
    out[6] = (uint8_t)(hs >> 16), out[7] = (uint8_t)(hs >> 8), out[8] = (uint8_t)hs;
    size_t rl = (((size_t)out[3] << 8) | out[4]) + 4;
    out[3] = (uint8_t)(rl >> 8), out[4] = (uint8_t)rl;
    tenon_conn_output_consume(&CLIENT.conn, n);
    return n + 4;
}

/* n bytes (header included) of records that look like early data. */
static int feed_junk(endpoint *to, size_t total, size_t per_record)
{
    static uint8_t junk[5 + 16384];
    int rc = 0;
    while (total > 0 && rc == 0) {
        size_t r = total < per_record ? total : per_record;
        size_t body = r - 5;
        junk[0] = 23, junk[1] = 3, junk[2] = 3;
        junk[3] = (uint8_t)(body >> 8), junk[4] = (uint8_t)body;
        tu_rand(junk + 5, body);
        rc = feed_all(to, junk, r);
        total -= r;
    }
    return rc;
}

static void test_early_data_skipping(void)
{
    static uint8_t ch[4096];
    size_t n;
    /* Without a HelloRetryRequest: up to 16,384 bytes of records that fail deprotection under
     * the handshake key are skipped; one byte more is bad_record_mac. */
    config13();
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    n = client_hello_with_early_data(ch, sizeof ch);
    CHECK_RC(feed_all(&SERVER, ch, n), 0);
    drop_output(&SERVER);
    CHECK(C(&SERVER)->rd.active);
    CHECK_RC(feed_junk(&SERVER, 16384, 4096), 0);
    CHECK_RC(feed_junk(&SERVER, 22, 22), TENON_ERR_TLS_BAD_RECORD_MAC);

    /* With a record_size_limit of ours (RFC 8449 §4): early data is protected by keys of an
     * earlier handshake, whose limits bind it, so records above this one's are still skipped,
     * not record_overflow. */
    config13();
    SERVER.cfg.record_size_limit = 512;
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    n = client_hello_with_early_data(ch, sizeof ch);
    CHECK_RC(feed_all(&SERVER, ch, n), 0);
    drop_output(&SERVER);
    CHECK(C(&SERVER)->rsl_recv == 512);
    CHECK_RC(feed_junk(&SERVER, 8192, 4096), 0);
    CHECK_RC(feed_junk(&SERVER, 16384 - 8192 + 1, 16384 - 8192 + 1), TENON_ERR_TLS_BAD_RECORD_MAC);

    /* The skipping ends at the first record that decrypts (a user_canceled warning here). */
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    n = client_hello_with_early_data(ch, sizeof ch);
    CHECK_RC(feed_all(&SERVER, ch, n), 0);
    drop_output(&SERVER);
    CHECK_RC(feed_junk(&SERVER, 1000, 500), 0);
    /* A record shorter than a tag fails deprotection as any other (BoGo's 4-byte ones). */
    CHECK_RC(feed_junk(&SERVER, 5 + 4, 5 + 4), 0);
    uint8_t rec[64];
    static const uint8_t user_canceled[2] = {1, TENON_ALERT_USER_CANCELED};
    n = seal_to(&SERVER, 21, user_canceled, 2, rec, sizeof rec);
    CHECK_RC(feed_all(&SERVER, rec, n), 0);
    CHECK_RC(feed_junk(&SERVER, 100, 100), TENON_ERR_TLS_BAD_RECORD_MAC);

    /* With a HelloRetryRequest: the records before ClientHello2 are skipped (16,384 bytes at
     * most, without keys), none after it. */
    for (int over = 0; over <= 1; over++) {
        config13();
        SERVER.cfg.groups[0] = &tenon_kex_secp256r1;
        SERVER.cfg.group_count = 1;
        CHECK_RC(start(&CLIENT, &SERVER), 0);
        n = client_hello_with_early_data(ch, sizeof ch);
        CHECK_RC(feed_all(&SERVER, ch, n), 0);
        CHECK(C(&SERVER)->state == ST_S_WAIT_CH2);
        drop_output(&SERVER);
        CHECK_RC(feed_junk(&SERVER, over ? 16385 : 16384, 4000),
                 over ? TENON_ERR_TLS_BAD_RECORD_MAC : 0);
    }
    /* Not inside ClientHello2 (RFC 8446 §5.1: no interleaving; BoGo's
     * SkipEarlyData-HRR-Interleaved). */
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    n = client_hello_with_early_data(ch, sizeof ch);
    CHECK_RC(feed_all(&SERVER, ch, n), 0);
    drop_output(&SERVER);
    static const uint8_t ch2_start[9] = {22, 3, 3, 0, 4, 1, 0, 1, 0};
    CHECK_RC(feed_all(&SERVER, ch2_start, sizeof ch2_start), 0);
    CHECK_RC(feed_junk(&SERVER, 5 + 4, 5 + 4), TENON_ERR_TLS_UNEXPECTED_MESSAGE);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    n = client_hello_with_early_data(ch, sizeof ch);
    CHECK_RC(feed_all(&SERVER, ch, n), 0);
    CHECK_RC(move_all(&SERVER, &CLIENT), 0); /* the HelloRetryRequest */
    CHECK_RC(feed_junk(&SERVER, 1000, 500), 0);
    CHECK_RC(move_all(&CLIENT, &SERVER), 0); /* ClientHello2 */
    CHECK(C(&SERVER)->rd.active && C(&SERVER)->state != ST_S_WAIT_CH2);
    CHECK_RC(tenon_conn_error(&SERVER.conn), 0);
    drop_output(&SERVER);
    CHECK_RC(feed_junk(&SERVER, 100, 100), TENON_ERR_TLS_BAD_RECORD_MAC);

    /* Without early_data in ClientHello1, no record is skipped after a HelloRetryRequest. */
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    CHECK_RC(move_all(&CLIENT, &SERVER), 0);
    CHECK(C(&SERVER)->state == ST_S_WAIT_CH2);
    drop_output(&SERVER);
    CHECK_RC(feed_junk(&SERVER, 100, 100), TENON_ERR_TLS_UNEXPECTED_MESSAGE);
}

/* ---- 16: flood limits ---- */

#define LIMIT 32

/* Feeds `count` copies of what make() seals; returns the first error (0 if none). */
typedef size_t (*maker)(uint8_t *rec, size_t cap);

static size_t empty_data13(uint8_t *rec, size_t cap)
{
    size_t n = 0;
    CHECK_RC(tls13_seal_record(&C(&CLIENT)->wr, 23, (const uint8_t *)"", 0, 0, rec, cap, &n), 0);
    return n;
}

static size_t empty_data12(uint8_t *rec, size_t cap)
{
    size_t n = 0;
    CHECK_RC(tls12_seal(&C(&CLIENT)->wr12, 23, (const uint8_t *)"", 0, rec, cap, &n), 0);
    return n;
}

static size_t data12(uint8_t *rec, size_t cap)
{
    size_t n = 0;
    CHECK_RC(tls12_seal(&C(&CLIENT)->wr12, 23, (const uint8_t *)"d", 1, rec, cap, &n), 0);
    return n;
}

static size_t data13(uint8_t *rec, size_t cap)
{
    size_t n = 0;
    CHECK_RC(tls13_seal_record(&C(&CLIENT)->wr, 23, (const uint8_t *)"d", 1, 0, rec, cap, &n), 0);
    return n;
}

static size_t warning12(uint8_t *rec, size_t cap)
{
    static const uint8_t a[2] = {1, TENON_ALERT_NO_RENEGOTIATION};
    size_t n = 0;
    CHECK_RC(tls12_seal(&C(&CLIENT)->wr12, 21, a, 2, rec, cap, &n), 0);
    return n;
}

static size_t user_canceled13(uint8_t *rec, size_t cap)
{
    static const uint8_t a[2] = {1, TENON_ALERT_USER_CANCELED};
    size_t n = 0;
    CHECK_RC(tls13_seal_record(&C(&CLIENT)->wr, 21, a, 2, 0, rec, cap, &n), 0);
    return n;
}

static size_t key_update13(uint8_t *rec, size_t cap)
{
    static int request;
    /* Alternately requested and not: both count. */
    request ^= 1;
    CHECK_RC(tenon_conn_key_update(&CLIENT.conn, request), 0);
    const uint8_t *p;
    size_t n;
    tenon_conn_output(&CLIENT.conn, &p, &n);
    CHECK(n <= cap);
    memcpy(rec, p, n);
    tenon_conn_output_consume(&CLIENT.conn, n);
    return n;
}

static size_t ccs(uint8_t *rec, size_t cap)
{
    (void)cap;
    static const uint8_t r[6] = {20, 3, 3, 0, 1, 1};
    memcpy(rec, r, 6);
    return 6;
}

static size_t hello_request12(uint8_t *rec, size_t cap)
{
    static const uint8_t hr[4] = {0, 0, 0, 0};
    size_t n = 0;
    CHECK_RC(tls12_seal(&C(&SERVER)->wr12, 22, hr, 4, rec, cap, &n), 0);
    return n;
}

static size_t plain_hello_request(uint8_t *rec, size_t cap)
{
    (void)cap;
    static const uint8_t hr[9] = {22, 3, 3, 0, 4, 0, 0, 0, 0};
    memcpy(rec, hr, 9);
    return 9;
}

/* Feeds count records from make to e (reading any data out, dropping e's answers); the first
 * error. */
static int flood(endpoint *e, maker make, int count)
{
    uint8_t rec[256], buf[16];
    for (int i = 0; i < count; i++) {
        size_t n = make(rec, sizeof rec);
        int rc = feed_all(e, rec, n);
        if (rc != 0)
            return rc;
        size_t got;
        CHECK_RC(tenon_conn_read(&e->conn, buf, sizeof buf, &got), 0);
        drop_output(e);
    }
    return 0;
}

/* At the limit accepted, one over unexpected_message (alert sent); the run restarts after
 * data (reset). */
static void check_limit(const char *what, void (*setup)(void), endpoint *e, maker make, int limit,
                        maker reset)
{
    setup();
    int rc = flood(e, make, limit);
    if (rc != 0)
        fprintf(stderr, "    %s: %d accepted? got %d\n", what, limit, rc);
    CHECK_RC(rc, 0);
    rc = flood(e, make, 1);
    if (rc != TENON_ERR_TLS_UNEXPECTED_MESSAGE)
        fprintf(stderr, "    %s: %d + 1 refused? got %d\n", what, limit, rc);
    CHECK_RC(rc, TENON_ERR_TLS_UNEXPECTED_MESSAGE);
    const uint8_t *p;
    size_t n;
    tenon_conn_output(&e->conn, &p, &n);
    CHECK(n > 0 && p[0] == (C(e)->version == TENON_TLS12 || !C(e)->wr.active ? 21 : 23));
    if (reset != NULL) {
        setup();
        CHECK_RC(flood(e, make, limit), 0);
        CHECK_RC(flood(e, reset, 1), 0);
        CHECK_RC(flood(e, make, limit), 0);
    }
}

static void connected13(void)
{
    config13();
    connected();
}

static void connected12(void)
{
    config12();
    connected();
}

/* Server after the ClientHello (TLS 1.3: change_cipher_spec is dropped until the Finished). */
static void server_after_ch(void)
{
    config13();
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    CHECK_RC(move_until(&CLIENT, &SERVER, 22), 0);
    drop_output(&SERVER);
}

static void client_after_ch(void)
{
    config13();
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    drop_output(&CLIENT);
}

static void client12_after_ch(void)
{
    config12();
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    drop_output(&CLIENT);
}

static void test_flood_limits(void)
{
    check_limit("empty TLS 1.3 records", connected13, &SERVER, empty_data13, LIMIT, data13);
    check_limit("empty TLS 1.2 records", connected12, &SERVER, empty_data12, LIMIT, data12);
    check_limit("TLS 1.3 KeyUpdates", connected13, &SERVER, key_update13, LIMIT, data13);
    check_limit("change_cipher_spec (server)", server_after_ch, &SERVER, ccs, LIMIT, NULL);
    check_limit("change_cipher_spec (client)", client_after_ch, &CLIENT, ccs, LIMIT, NULL);
    check_limit("TLS 1.2 warnings", connected12, &SERVER, warning12, 4, data12);
    check_limit("TLS 1.3 user_canceled", connected13, &SERVER, user_canceled13, 4, data13);
    check_limit("TLS 1.2 HelloRequests", connected12, &CLIENT, hello_request12, LIMIT, NULL);
    check_limit("TLS 1.2 HelloRequests in the handshake", client12_after_ch, &CLIENT,
                plain_hello_request, LIMIT, NULL);

    /* The kinds count apart: a mix of each kind below its limit passes. */
    connected13();
    CHECK_RC(flood(&SERVER, empty_data13, LIMIT), 0);
    CHECK_RC(flood(&SERVER, key_update13, LIMIT), 0);
    CHECK_RC(flood(&SERVER, user_canceled13, 4), 0);
    CHECK_RC(flood(&SERVER, data13, 1), 0);
    CHECK_RC(flood(&SERVER, empty_data13, LIMIT), 0);
    /* ... and the connection still works. */
    CHECK(exchange(&CLIENT.conn, &SERVER.conn, DATA, sizeof DATA));
    CHECK(exchange(&SERVER.conn, &CLIENT.conn, DATA, sizeof DATA));
}

/* ---- 20: close and KeyUpdate without room ---- */

/* Writes until the engine takes no more, then takes the remaining room away (as if the
 * caller's buffer were that small). */
static void fill_output(endpoint *e)
{
    size_t w;
    do
        CHECK_RC(tenon_conn_write(&e->conn, DATA, sizeof DATA, &w), 0);
    while (w > 0);
    C(e)->out_cap = C(e)->out_len + 10;
}

/* Moves everything from -> to, reading the data out. */
static void drain_to(endpoint *from, endpoint *to)
{
    uint8_t buf[4096];
    for (int i = 0; i < 10000; i++) {
        size_t moved = transfer(&from->conn, &to->conn) + transfer(&to->conn, &from->conn), n;
        do
            n = 0;
        while (tenon_conn_read(&to->conn, buf, sizeof buf, &n) == 0 && n > 0);
        if (moved == 0 && out_len(from) == 0)
            break;
    }
}

static void test_close_without_room(void)
{
    for (int v12 = 0; v12 <= 1; v12++) {
        v12 ? connected12() : connected13();
        size_t cap = C(&CLIENT)->out_cap;
        fill_output(&CLIENT);
        /* No room for close_notify: said so, not sticky; after draining, close works. */
        CHECK_RC(tenon_conn_close(&CLIENT.conn), TENON_ERR_BUFFER_TOO_SMALL);
        CHECK_RC(tenon_conn_error(&CLIENT.conn), 0);
        CHECK(!(tenon_conn_status(&CLIENT.conn) & TENON_CLOSED));
        if (!v12) {
            CHECK_RC(tenon_conn_key_update(&CLIENT.conn, 0), TENON_ERR_BUFFER_TOO_SMALL);
            CHECK_RC(tenon_conn_error(&CLIENT.conn), 0);
        }
        C(&CLIENT)->out_cap = cap;
        drain_to(&CLIENT, &SERVER);
        if (!v12) {
            CHECK_RC(tenon_conn_key_update(&CLIENT.conn, 1), 0);
            drain_to(&CLIENT, &SERVER);
        }
        CHECK_RC(tenon_conn_close(&CLIENT.conn), 0);
        CHECK(tenon_conn_status(&CLIENT.conn) & TENON_CLOSED);
        drain_to(&CLIENT, &SERVER);
        CHECK(tenon_conn_status(&SERVER.conn) & TENON_PEER_CLOSED);
        CHECK_RC(tenon_conn_error(&SERVER.conn), 0);
    }

    /* The realistic case: TLS 1.2 CBC with HMAC-SHA256 (a 69-byte alert record), the output
     * filled by writes of many lengths: close_notify must fit in what writes leave free. */
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_RSA);
    CLIENT.cfg.max_version = TENON_TLS12;
    CLIENT.cfg.suites[0] = SERVER.cfg.suites[0] = TENON_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256;
    CLIENT.cfg.suite_count = SERVER.cfg.suite_count = 1;
    int all_ok = 1;
    for (size_t len = 1; len <= 48 && all_ok; len++) {
        connected();
        size_t w;
        do
            CHECK_RC(tenon_conn_write(&CLIENT.conn, DATA, len * 37, &w), 0);
        while (w > 0);
        int rc = tenon_conn_close(&CLIENT.conn);
        if (rc == TENON_ERR_BUFFER_TOO_SMALL) { /* allowed: drain and retry */
            drain_to(&CLIENT, &SERVER);
            rc = tenon_conn_close(&CLIENT.conn);
        }
        all_ok &= CHECK(rc == 0);
        drain_to(&CLIENT, &SERVER);
        all_ok &= CHECK(tenon_conn_status(&SERVER.conn) & TENON_PEER_CLOSED);
        if (!all_ok)
            fprintf(stderr, "    writes of %zu bytes\n", len * 37);
    }

    /* A fatal alert that finds no room (a bad record header while the output is full) is sent
     * once the output has drained, after the data before it. */
    connected13();
    size_t cap = C(&SERVER)->out_cap;
    fill_output(&SERVER);
    static const uint8_t bad_header[5] = {99, 3, 3, 0, 1};
    CHECK_RC(feed_all(&SERVER, bad_header, 5), TENON_ERR_TLS_UNEXPECTED_MESSAGE);
    C(&SERVER)->out_cap = cap;
    drain_to(&SERVER, &CLIENT);
    CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_UNEXPECTED_MESSAGE);
}

int main(void)
{
    signal(SIGALRM, on_alarm);
    signal(SIGPIPE, SIG_IGN);
    tu_rand(DATA, sizeof DATA);
    if (pki_setup() != 0) {
        fprintf(stderr, "pki_setup failed\n");
        return 1;
    }
    test_close_notify_in_handshake();
    test_alert_lengths();
    test_early_data_skipping();
    test_flood_limits();
    test_close_without_room();
    test_io_handshake_bounded();
    test_io_alerts_sent();
    test_tool();
    return tu_finish("test_hardening_engine");
}
