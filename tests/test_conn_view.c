/*
 * The zero-copy record path: tenon_conn_write seals from the caller's buffer (the data must
 * arrive intact in every suite, the caller's buffer untouched), and tenon_conn_read_view /
 * tenon_conn_read_consume let the caller read the plaintext where it was decrypted: data intact
 * through views and partial consumes, mixed with tenon_conn_read, the view held while a
 * KeyUpdate and close_notify wait behind it, no input taken and the buffers not released while a
 * view's bytes are unread, consume past the view refused.
 */
#include "test_tls13_harness.h"

static uint8_t DATA[70000];
static uint8_t COPY[sizeof DATA];
static uint8_t GOT[sizeof DATA];
/* Everything the client sends, gathered, so that the server gets it all at once. */
static uint8_t WIRE[1 << 18];
static size_t wire_len;

static void drain_client(void)
{
    const uint8_t *p;
    size_t n;
    tenon_conn_output(&CLIENT.conn, &p, &n);
    CHECK(wire_len + n <= sizeof WIRE);
    if (wire_len + n > sizeof WIRE)
        return;
    memcpy(WIRE + wire_len, p, n);
    wire_len += n;
    tenon_conn_output_consume(&CLIENT.conn, n);
}

/* Client writes all of data[0, len) (draining its output to WIRE as it fills). */
static void client_write_all(const uint8_t *data, size_t len)
{
    size_t sent = 0;
    for (int i = 0; i < 1000 && sent < len; i++) {
        size_t w = 0;
        CHECK_RC(tenon_conn_write(&CLIENT.conn, data + sent, len - sent, &w), 0);
        sent += w;
        drain_client();
    }
    CHECK(sent == len);
}

static void connect_pair(uint16_t version, uint16_t suite)
{
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    CLIENT.cfg.min_version = CLIENT.cfg.max_version = version;
    if (suite != 0) {
        CLIENT.cfg.suites[0] = suite;
        CLIENT.cfg.suite_count = 1;
    }
    tenon_conn_wipe(&CLIENT.conn);
    tenon_conn_wipe(&SERVER.conn);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(both_done(&CLIENT, &SERVER));
    tenon_conn_info info;
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &info), 0);
    CHECK(info.version == version);
    if (suite != 0)
        CHECK(info.suite == suite);
    wire_len = 0;
}

/* Feeds WIRE from *off to the server, reading every byte through views consumed step bytes at a
 * time (0: all at once) into GOT + *have, until the wire is used up or the peer closes. Checks
 * at each view that no input is taken and the buffers cannot be released while it is unread. */
static int read_views(size_t *off, size_t *have, size_t step)
{
    int rc = 0;
    for (int i = 0; i < 100000; i++) {
        const uint8_t *p;
        size_t n, used = 0;
        rc = tenon_conn_read_view(&SERVER.conn, &p, &n);
        if (rc != 0)
            return rc;
        if (n > 0) {
            CHECK(p != NULL);
            CHECK(tenon_conn_status(&SERVER.conn) & TENON_READABLE);
            /* Held: no input over the view, no buffers given back. */
            CHECK(!tenon_conn_can_release(&SERVER.conn));
            uint8_t *in, *out;
            size_t in_len, out_len;
            CHECK_RC(tenon_conn_release_buffers(&SERVER.conn, &in, &in_len, &out, &out_len),
                     TENON_ERR_BUFFERS_BUSY);
            if (*off < wire_len) {
                CHECK_RC(tenon_conn_feed(&SERVER.conn, WIRE + *off, wire_len - *off, &used), 0);
                CHECK(used == 0);
            }
            /* A consume past the view changes nothing. */
            CHECK_RC(tenon_conn_read_consume(&SERVER.conn, n + 1), TENON_ERR_INVALID_ARGUMENT);
            const uint8_t *p2;
            size_t n2;
            CHECK_RC(tenon_conn_read_view(&SERVER.conn, &p2, &n2), 0);
            CHECK(p2 == p && n2 == n);
            size_t k = step == 0 || step > n ? n : step;
            CHECK(*have + k <= sizeof GOT);
            if (*have + k > sizeof GOT)
                return -1;
            memcpy(GOT + *have, p, k);
            *have += k;
            CHECK_RC(tenon_conn_read_consume(&SERVER.conn, k), 0);
            continue;
        }
        if (*off >= wire_len)
            return 0;
        CHECK_RC(tenon_conn_feed(&SERVER.conn, WIRE + *off, wire_len - *off, &used), 0);
        *off += used;
        /* The server may answer (its KeyUpdate): send nothing back, just drop it. */
        const uint8_t *o;
        size_t on;
        tenon_conn_output(&SERVER.conn, &o, &on);
        tenon_conn_output_consume(&SERVER.conn, on);
    }
    return -1;
}

/* Data through the zero-copy write and the view, in one suite and version. */
static void test_suite(uint16_t version, uint16_t suite)
{
    connect_pair(version, suite);
    /* Record sizes around the AEAD units (1, 255, 256, 257 bytes, whole and cut records). */
    static const size_t lens[] = {1, 255, 256, 257, 1024, 1100, 16383, 16384, 16385, 10000};
    size_t total = 0;
    memcpy(COPY, DATA, sizeof DATA);
    for (size_t i = 0; i < ARRAY_LEN(lens); i++) {
        client_write_all(DATA + total, lens[i]);
        total += lens[i];
    }
    /* The caller's buffer is only read. */
    CHECK(memcmp(DATA, COPY, sizeof DATA) == 0);
    size_t off = 0, have = 0;
    CHECK_RC(read_views(&off, &have, 1000), 0);
    CHECK(have == total && memcmp(GOT, DATA, total) == 0);
    if (have != total || memcmp(GOT, DATA, total) != 0)
        fprintf(stderr, "    version %04x suite %04x: %zu of %zu bytes\n", version, suite, have,
                total);
}

/* Data, KeyUpdate, data, close_notify in one flight: the view of the first data stays intact
 * while the rest waits; each is processed once the view is consumed; then the end. */
static void test_key_update_close(void)
{
    connect_pair(TENON_TLS13, 0);
    client_write_all(DATA, 5000);
    CHECK_RC(tenon_conn_key_update(&CLIENT.conn, 1), 0);
    client_write_all(DATA + 5000, 3000);
    CHECK_RC(tenon_conn_close(&CLIENT.conn), 0);
    drain_client();

    size_t off = 0, used = 0;
    CHECK_RC(tenon_conn_feed(&SERVER.conn, WIRE, wire_len, &used), 0);
    off += used;
    CHECK(off < wire_len); /* the KeyUpdate and what follows wait behind the view */
    const uint8_t *p;
    size_t n;
    CHECK_RC(tenon_conn_read_view(&SERVER.conn, &p, &n), 0);
    CHECK(n == 5000 && memcmp(p, DATA, 5000) == 0);
    /* Part by the view, part by tenon_conn_read: both take from the same bytes. */
    CHECK_RC(tenon_conn_read_consume(&SERVER.conn, 1234), 0);
    uint8_t buf[100];
    size_t got;
    CHECK_RC(tenon_conn_read(&SERVER.conn, buf, sizeof buf, &got), 0);
    CHECK(got == 100 && memcmp(buf, DATA + 1234, 100) == 0);
    CHECK_RC(tenon_conn_read_view(&SERVER.conn, &p, &n), 0);
    CHECK(n == 5000 - 1334 && memcmp(p, DATA + 1334, n) == 0);
    CHECK_RC(tenon_conn_read_consume(&SERVER.conn, 0), 0);
    CHECK_RC(tenon_conn_read_consume(&SERVER.conn, n), 0);
    CHECK_RC(tenon_conn_read_view(&SERVER.conn, &p, &n), 0);
    CHECK(n == 0 && p == NULL);
    CHECK(!(tenon_conn_status(&SERVER.conn) & TENON_PEER_CLOSED));

    /* Now the KeyUpdate is processed and the next data shows. */
    CHECK_RC(tenon_conn_feed(&SERVER.conn, WIRE + off, wire_len - off, &used), 0);
    off += used;
    CHECK_RC(tenon_conn_read_view(&SERVER.conn, &p, &n), 0);
    CHECK(n == 3000 && memcmp(p, DATA + 5000, 3000) == 0);
    CHECK(!(tenon_conn_status(&SERVER.conn) & TENON_PEER_CLOSED));
    CHECK_RC(tenon_conn_read_consume(&SERVER.conn, 3000), 0);

    /* close_notify: after it, the view reports the end. */
    CHECK_RC(tenon_conn_feed(&SERVER.conn, WIRE + off, wire_len - off, &used), 0);
    off += used;
    CHECK(off == wire_len);
    CHECK(tenon_conn_status(&SERVER.conn) & TENON_PEER_CLOSED);
    CHECK_RC(tenon_conn_read_view(&SERVER.conn, &p, &n), TENON_ERR_TLS_CLOSED);
    CHECK(n == 0 && p == NULL);
    CHECK_RC(tenon_conn_read_consume(&SERVER.conn, 1), TENON_ERR_INVALID_ARGUMENT);
}

/* Data then close_notify: the data is read through the view before the end shows. */
static void test_close_behind_view(void)
{
    connect_pair(TENON_TLS13, 0);
    client_write_all(DATA, 700);
    CHECK_RC(tenon_conn_close(&CLIENT.conn), 0);
    drain_client();
    size_t off = 0, have = 0;
    CHECK_RC(read_views(&off, &have, 0), TENON_ERR_TLS_CLOSED);
    CHECK(have == 700 && memcmp(GOT, DATA, 700) == 0);
    CHECK(off == wire_len);
}

static void test_args(void)
{
    const uint8_t *p;
    size_t n;
    CHECK_RC(tenon_conn_read_view(NULL, &p, &n), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tenon_conn_read_view(&SERVER.conn, NULL, &n), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tenon_conn_read_view(&SERVER.conn, &p, NULL), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tenon_conn_read_consume(NULL, 0), TENON_ERR_INVALID_ARGUMENT);
    /* A failed connection: the sticky error, no view. */
    connect_pair(TENON_TLS13, 0);
    uint8_t junk[5] = {23, 3, 3, 0, 17};
    uint8_t zeros[17] = {0};
    size_t used;
    CHECK_RC(tenon_conn_feed(&SERVER.conn, junk, sizeof junk, &used), 0);
    CHECK_RC(tenon_conn_feed(&SERVER.conn, zeros, sizeof zeros, &used),
             TENON_ERR_TLS_BAD_RECORD_MAC);
    CHECK_RC(tenon_conn_read_view(&SERVER.conn, &p, &n), TENON_ERR_TLS_BAD_RECORD_MAC);
    CHECK(n == 0 && p == NULL);
    CHECK_RC(tenon_conn_read_consume(&SERVER.conn, 0), TENON_ERR_TLS_BAD_RECORD_MAC);
}

int main(void)
{
    for (size_t i = 0; i < sizeof DATA; i++)
        DATA[i] = (uint8_t)(i * 131 + (i >> 9));
    CHECK_RC(pki_setup(), 0);
    test_suite(TENON_TLS13, TENON_TLS_AES_128_GCM_SHA256);
    test_suite(TENON_TLS13, TENON_TLS_AES_256_GCM_SHA384);
    test_suite(TENON_TLS13, TENON_TLS_CHACHA20_POLY1305_SHA256);
    test_suite(TENON_TLS12, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    test_suite(TENON_TLS12, TENON_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384);
    test_suite(TENON_TLS12, TENON_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256);
    test_key_update_close();
    test_close_behind_view();
    test_args();
    return tu_finish("conn_view");
}
