/*
 * Partial I/O and the handshake driven by data calls.
 *
 *   The engines back to back in memory, every byte of every flight moved on its own with the
 *   status asked again in between (what BoGo's -async mode does over a socket): TLS 1.3 with a
 *   HelloRetryRequest, client certificates and resumption, TLS 1.2 full and resumed, a failed
 *   handshake whose alert arrives in pieces, and application data in both directions.
 *   tenon_io_write and tenon_io_read complete an unfinished handshake (as SSL_write and
 *   SSL_read do), within their timeout, on either side, in TLS 1.3 and 1.2, and return the
 *   handshake's error when it fails.
 */
#include "test_interop_util.h"

#include <pthread.h>
#include <time.h>

static uint8_t DATA[40000];

/* ---- one byte at a time, in memory ---- */

/* Bytes move_byte moved out of CLIENT and out of SERVER. */
static size_t MOVED_FROM_CLIENT, MOVED_FROM_SERVER;

/* Moves one byte of from's output into to, if to asks for input; returns the bytes moved. */
static size_t move_byte(tenon_conn *from, tenon_conn *to)
{
    const uint8_t *p;
    size_t n, used = 0;
    tenon_conn_output(from, &p, &n);
    if (n == 0 || !(tenon_conn_status(to) & TENON_WANT_INPUT))
        return 0;
    int rc = tenon_conn_feed(to, p, 1, &used);
    /* A receiver that asked for input takes the byte; a failed one drops it, as a closed
     * socket would. */
    if (rc == 0 && used != 1)
        CHECK(!"a receiver that asked for input took no byte");
    tenon_conn_output_consume(from, 1);
    *(from == &CLIENT.conn ? &MOVED_FROM_CLIENT : &MOVED_FROM_SERVER) += 1;
    return 1;
}

/* Runs both engines, a byte at a time, until neither makes progress. */
static void pump_bytes(void)
{
    for (long i = 0; i < 4000000; i++) {
        size_t moved = move_byte(&CLIENT.conn, &SERVER.conn);
        moved += move_byte(&SERVER.conn, &CLIENT.conn);
        if (moved == 0)
            return;
    }
    CHECK(!"pump_bytes: no end");
}

static void connect_bytes(void)
{
    tenon_conn_wipe(&CLIENT.conn);
    tenon_conn_wipe(&SERVER.conn);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump_bytes();
}

/* len bytes of DATA written on from arrive, a byte at a time, intact on to, in as few records
 * as the output buffer allows: however little of the output the transport takes at a time, the
 * engine does not cut the data into smaller records (each costs a header and a tag or MAC, at
 * most 69 bytes with AES-CBC + HMAC-SHA256 here). */
static int exchange_bytes(tenon_conn *from, tenon_conn *to, size_t len)
{
    size_t *counter = from == &CLIENT.conn ? &MOVED_FROM_CLIENT : &MOVED_FROM_SERVER;
    size_t before = *counter;
    int ok = exchange_by(from, to, DATA, len, move_byte);
    size_t records = (len + 16383) / 16384, wire = *counter - before;
    if (!ok || wire > len + records * 69) {
        fprintf(stderr, "    %zu bytes of data: %s, %zu bytes on the wire\n", len,
                ok ? "arrived" : "did not arrive (in 100000 steps)", wire);
        return 0;
    }
    return 1;
}

static tenon_ticket SLOTS[2];
static tenon_ticket_store STORE;

static void ticket_configs(uint16_t max_version)
{
    client_config(&CLIENT.cfg);
    CLIENT.cfg.max_version = max_version;
    tenon_ticket_store_init(&STORE, SLOTS, 2);
    CLIENT.cfg.ticket_store = &STORE;
    server_config(&SERVER.cfg, CERT_P256);
    memset(SERVER.cfg.ticket_keys[0].name, 0x5a, 16);
    memset(SERVER.cfg.ticket_keys[0].key, 0x17, 32);
    SERVER.cfg.ticket_key_count = 1;
}

static void test_bytewise_tls13(void)
{
    tenon_conn_info ci, si;
    /* A HelloRetryRequest (the server wants P-256, the client's share is X25519), a client
     * certificate, data both ways (a record of 2^14 bytes and more), then a resumption. */
    ticket_configs(TENON_TLS13);
    SERVER.cfg.groups[0] = &tenon_kex_secp256r1;
    SERVER.cfg.group_count = 1;
    tenon_bytes chain[1] = {{PKI.client_der, PKI.client_len}};
    CHECK_RC(tenon_config_add_cert(&CLIENT.cfg, chain, 1, &PKI.client_key, NULL), 0);
    SERVER.cfg.client_auth = TENON_CLIENT_AUTH_REQUIRE;
    SERVER.cfg.trust = &PKI.store;
    connect_bytes();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(ci.version == TENON_TLS13 && ci.hello_retry && !ci.resumed && ci.group == 23);
    CHECK(si.client_authenticated);
    CHECK(exchange_bytes(&CLIENT.conn, &SERVER.conn, sizeof DATA));
    CHECK(exchange_bytes(&SERVER.conn, &CLIENT.conn, 1000));
    /* The ticket came after the handshake, in pieces too. */
    CHECK(SLOTS[0].in_use == 1 && SLOTS[0].version == TENON_TLS13);

    connect_bytes();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK(ci.resumed && ci.hello_retry);
    CHECK(exchange_bytes(&SERVER.conn, &CLIENT.conn, 3000));

    /* A KeyUpdate asking for the peer's, in pieces. */
    CHECK_RC(tenon_conn_key_update(&CLIENT.conn, 1), 0);
    CHECK(exchange_bytes(&CLIENT.conn, &SERVER.conn, 100));
    CHECK(exchange_bytes(&SERVER.conn, &CLIENT.conn, 100));

    /* Required and not given: certificate_required reaches the client byte by byte. */
    client_config(&CLIENT.cfg);
    connect_bytes();
    CHECK_RC(tenon_conn_error(&SERVER.conn), TENON_ERR_TLS_CERTIFICATE_REQUIRED);
    CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_CERTIFICATE_REQUIRED);
}

/* The smallest output buffer: records as large as it holds, not cut to the room left. */
static void test_bytewise_small_buffer(void)
{
    static uint8_t small_out[TENON_CONN_OUT_MIN];
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    tenon_conn_wipe(&CLIENT.conn);
    tenon_conn_wipe(&SERVER.conn);
    CHECK_RC(tenon_conn_init(&SERVER.conn, &SERVER.cfg, SERVER.in, sizeof SERVER.in, SERVER.out,
                             sizeof SERVER.out),
             0);
    CHECK_RC(tenon_conn_init(&CLIENT.conn, &CLIENT.cfg, CLIENT.in, sizeof CLIENT.in, small_out,
                             sizeof small_out),
             0);
    pump_bytes();
    CHECK(both_done(&CLIENT, &SERVER));
    size_t before = MOVED_FROM_CLIENT, len = 20000;
    CHECK(exchange_by(&CLIENT.conn, &SERVER.conn, DATA, len, move_byte));
    /* Records of at least 4096 - 96 (the room kept for alerts) - 22 bytes of data. */
    size_t records = (len + 3977) / 3978;
    CHECK(MOVED_FROM_CLIENT - before <= len + records * 22);
}

static void test_bytewise_tls12(void)
{
    tenon_conn_info ci;
    ticket_configs(TENON_TLS12);
    connect_bytes();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK(ci.version == TENON_TLS12 && !ci.resumed && ci.ext_master_secret);
    CHECK(exchange_bytes(&CLIENT.conn, &SERVER.conn, sizeof DATA));
    CHECK(exchange_bytes(&SERVER.conn, &CLIENT.conn, 1000));
    CHECK(SLOTS[0].in_use == 1 && SLOTS[0].version == TENON_TLS12);

    /* Resumed with the ticket (the server's Finished comes first). */
    connect_bytes();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK(ci.resumed);
    CHECK(exchange_bytes(&CLIENT.conn, &SERVER.conn, 500));

    /* An AES-CBC suite (encrypt-then-MAC), whose records are longer than their data. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.max_version = TENON_TLS12;
    server_config(&SERVER.cfg, CERT_RSA);
    SERVER.cfg.suites[0] = TENON_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256;
    SERVER.cfg.suite_count = 1;
    CLIENT.cfg.suites[0] = TENON_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256;
    CLIENT.cfg.suite_count = 1;
    connect_bytes();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK(ci.suite == TENON_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 && ci.encrypt_then_mac);
    CHECK(exchange_bytes(&SERVER.conn, &CLIENT.conn, 20000));
}

/* ---- the socket adapter: the handshake driven by the first write or read ---- */

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "FAIL - a blocking call did not return in time (spin or hang)\n";
    (void)!write(2, msg, sizeof msg - 1);
    _exit(1);
}

static int accept_within(int lfd, int ms)
{
    struct pollfd p = {lfd, POLLIN, 0};
    if (poll(&p, 1, ms) <= 0)
        return -1;
    return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
}

/* The server's side on a thread: write first (or read first), then the other; no handshake
 * call. */
typedef struct server_job {
    int fd, write_first;
    int rc_first, rc_second;
    uint8_t got[16];
    size_t got_len;
} server_job;

static void *server_thread(void *arg)
{
    server_job *j = arg;
    if (j->write_first) {
        j->rc_first = tenon_io_write(&SERVER.conn, j->fd, "hello", 5, 5000);
        j->rc_second = tenon_io_read(&SERVER.conn, j->fd, j->got, sizeof j->got, &j->got_len, 5000);
    } else {
        j->rc_first = tenon_io_read(&SERVER.conn, j->fd, j->got, sizeof j->got, &j->got_len, 5000);
        j->rc_second =
            j->rc_first != 0 ? j->rc_first : tenon_io_write(&SERVER.conn, j->fd, "pong", 4, 5000);
    }
    return NULL;
}

static void implicit_pair(int *cfd, int *sfd)
{
    int port = 0, lfd = listen_any(&port);
    CHECK(lfd >= 0);
    *cfd = connect_port(port, 5000);
    *sfd = accept_within(lfd, 5000);
    close(lfd);
    CHECK(*cfd >= 0 && *sfd >= 0);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
}

static void implicit_case(uint16_t version)
{
    int cfd, sfd;
    uint8_t buf[16];
    size_t n = 0;
    pthread_t t;

    /* The client writes first: tenon_io_write completes the handshake, then sends; the
     * server's first tenon_io_read completes its side and returns the data. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.max_version = version;
    server_config(&SERVER.cfg, CERT_P256);
    implicit_pair(&cfd, &sfd);
    server_job j = {sfd, 0, -1, -1, {0}, 0};
    CHECK(pthread_create(&t, NULL, server_thread, &j) == 0);
    alarm(20);
    CHECK_RC(tenon_io_write(&CLIENT.conn, cfd, "ping", 4, 5000), 0);
    CHECK_RC(tenon_io_read(&CLIENT.conn, cfd, buf, sizeof buf, &n, 5000), 0);
    pthread_join(t, NULL);
    alarm(0);
    CHECK(n == 4 && memcmp(buf, "pong", 4) == 0);
    CHECK_RC(j.rc_first, 0);
    CHECK_RC(j.rc_second, 0);
    CHECK(j.got_len == 4 && memcmp(j.got, "ping", 4) == 0);
    tenon_conn_info ci;
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK(ci.version == version);
    close(cfd);
    close(sfd);

    /* The server writes first (its handshake ends after the client's Finished). */
    implicit_pair(&cfd, &sfd);
    server_job k = {sfd, 1, -1, -1, {0}, 0};
    CHECK(pthread_create(&t, NULL, server_thread, &k) == 0);
    alarm(20);
    n = 0;
    CHECK_RC(tenon_io_read(&CLIENT.conn, cfd, buf, sizeof buf, &n, 5000), 0);
    CHECK(n == 5 && memcmp(buf, "hello", 5) == 0);
    CHECK_RC(tenon_io_write(&CLIENT.conn, cfd, "ok", 2, 5000), 0);
    pthread_join(t, NULL);
    alarm(0);
    CHECK_RC(k.rc_first, 0);
    CHECK_RC(k.rc_second, 0);
    CHECK(k.got_len == 2 && memcmp(k.got, "ok", 2) == 0);
    close(cfd);
    close(sfd);

    /* A handshake that fails (no group in common): tenon_io_write returns its error, with the
     * server's alert. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.max_version = version;
    CLIENT.cfg.groups[0] = &tenon_kex_x25519;
    CLIENT.cfg.group_count = 1;
    SERVER.cfg.groups[0] = &tenon_kex_secp384r1;
    SERVER.cfg.group_count = 1;
    implicit_pair(&cfd, &sfd);
    server_job f = {sfd, 0, -1, -1, {0}, 0};
    CHECK(pthread_create(&t, NULL, server_thread, &f) == 0);
    alarm(20);
    CHECK_RC(tenon_io_write(&CLIENT.conn, cfd, "ping", 4, 5000), TENON_ERR_TLS_PEER_ALERT);
    pthread_join(t, NULL);
    alarm(0);
    CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_HANDSHAKE_FAILURE);
    CHECK_RC(f.rc_first, TENON_ERR_TLS_NO_COMMON_GROUP);
    close(cfd);
    close(sfd);
}

static void test_implicit_handshake(void)
{
    implicit_case(TENON_TLS13);
    implicit_case(TENON_TLS12);
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
    test_bytewise_tls13();
    test_bytewise_small_buffer();
    test_bytewise_tls12();
    test_implicit_handshake();
    return tu_finish("test_partial_io");
}
