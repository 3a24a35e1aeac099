/*
 * Where a received record is gathered (engine.c rec_start): a TLS 1.3 protected record's body
 * starts on a 16-byte boundary whatever the input buffer's alignment, so the plaintext a read
 * view shows is 16-byte aligned; a write into an empty output starts its first record's body on
 * one too (out_align), and takes as many bytes as it would unmoved, whatever the output
 * buffer's alignment and size; the data arrives intact whether it comes in one feed, byte by
 * byte or through tenon_conn_input_space; the longest record the header check admits is still
 * admitted at the moved offset; TLS 1.2 records and a record area too small for the move keep
 * offset 0.
 */
#include "test_tls13_harness.h"

#include "tls/tls13.h"

static uint8_t DATA[20000];
/* Input buffers at every offset from a 64-byte boundary. */
static _Alignas(64) uint8_t IN_POOL[2][TENON_CONN_IN_SIZE + 64];
static _Alignas(64) uint8_t OUT_POOL[2][TENON_CONN_OUT_SIZE + 64];

static const uint16_t SUITES[] = {TENON_TLS_AES_128_GCM_SHA256, TENON_TLS_CHACHA20_POLY1305_SHA256};

/* A TLS 1.3 (or 1.2) pair whose buffers start skew bytes past a 64-byte boundary; the client's
 * output buffer has client_out_len bytes. */
static int connect_skewed_out(size_t skew, uint16_t version, uint16_t suite, size_t server_in_len,
                              size_t client_out_len)
{
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    CLIENT.cfg.min_version = CLIENT.cfg.max_version = version;
    SERVER.cfg.min_version = SERVER.cfg.max_version = version;
    if (version == TENON_TLS13) {
        CLIENT.cfg.suites[0] = SERVER.cfg.suites[0] = suite;
        CLIENT.cfg.suite_count = SERVER.cfg.suite_count = 1;
    }
    int rc = tenon_conn_init(&SERVER.conn, &SERVER.cfg, IN_POOL[1] + skew, server_in_len,
                             OUT_POOL[1], sizeof OUT_POOL[1]);
    if (rc != 0)
        return rc;
    rc = tenon_conn_init(&CLIENT.conn, &CLIENT.cfg, IN_POOL[0] + skew, TENON_CONN_IN_SIZE,
                         OUT_POOL[0] + skew, client_out_len);
    if (rc != 0)
        return rc;
    pump(&CLIENT.conn, &SERVER.conn);
    return both_done(&CLIENT, &SERVER) ? 0 : -1;
}

static int connect_skewed(size_t skew, uint16_t version, uint16_t suite, size_t server_in_len)
{
    return connect_skewed_out(skew, version, suite, server_in_len, TENON_CONN_OUT_SIZE);
}

/* Writes len bytes of DATA from `from` and reads them at `to` through read views, moving the
 * output in pieces of `step` bytes (0: all at once; otherwise through input_space/commit).
 * Returns the number of views that were not 16-byte aligned (want_aligned) or -1 on a
 * mismatch. */
static int send_and_view(tenon_conn *from, tenon_conn *to, size_t len, size_t step,
                         int want_aligned)
{
    size_t w = 0, got = 0;
    int misaligned = 0;
    if (tenon_conn_write(from, DATA, len, &w) != 0 || w != len)
        return -1;
    if (want_aligned) {
        /* The output was empty: its first record's body is 16-byte aligned. */
        const uint8_t *o;
        size_t on;
        tenon_conn_output(from, &o, &on);
        if (on < TLS_RECORD_HEADER_LEN || ((uintptr_t)(o + TLS_RECORD_HEADER_LEN) & 15) != 0)
            misaligned++;
    }
    for (int guard = 0; guard < 100000 && got < len; guard++) {
        const uint8_t *p;
        size_t n;
        tenon_conn_output(from, &p, &n);
        if (n > 0) {
            if (step == 0) {
                size_t used = 0;
                if (tenon_conn_feed(to, p, n, &used) != 0)
                    return -1;
                tenon_conn_output_consume(from, used);
            } else {
                uint8_t *space;
                size_t cap;
                if (tenon_conn_input_space(to, &space, &cap) != 0)
                    return -1;
                size_t k = cap < step ? cap : step;
                k = k < n ? k : n;
                if (k > 0) {
                    memcpy(space, p, k);
                    if (tenon_conn_input_commit(to, k) != 0)
                        return -1;
                    tenon_conn_output_consume(from, k);
                }
            }
        }
        const uint8_t *v;
        size_t vn;
        while (tenon_conn_read_view(to, &v, &vn) == 0 && vn > 0) {
            if (got + vn > len || memcmp(v, DATA + got, vn) != 0)
                return -1;
            if (want_aligned && ((uintptr_t)v & 15) != 0)
                misaligned++;
            got += vn;
            if (tenon_conn_read_consume(to, vn) != 0)
                return -1;
        }
    }
    return got == len ? misaligned : -1;
}

static void test_aligned_views(void)
{
    for (size_t s = 0; s < ARRAY_LEN(SUITES); s++) {
        for (size_t skew = 0; skew < 16; skew++) {
            CHECK_RC(connect_skewed(skew, TENON_TLS13, SUITES[s], TENON_CONN_IN_SIZE), 0);
            /* Both directions, short and long records, one feed and byte by byte. */
            CHECK_RC(send_and_view(&CLIENT.conn, &SERVER.conn, 1024, 0, 1), 0);
            CHECK_RC(send_and_view(&SERVER.conn, &CLIENT.conn, 1024, 0, 1), 0);
            CHECK_RC(send_and_view(&CLIENT.conn, &SERVER.conn, sizeof DATA, 0, 1), 0);
            CHECK_RC(send_and_view(&SERVER.conn, &CLIENT.conn, 1, 0, 1), 0);
            if (skew % 5 == 0) {
                CHECK_RC(send_and_view(&CLIENT.conn, &SERVER.conn, 3000, 1, 1), 0);
                CHECK_RC(send_and_view(&SERVER.conn, &CLIENT.conn, 3000, 7, 1), 0);
            }
            CHECK(tls_conn_of(&SERVER.conn)->rec_off < 16);
            tenon_conn_wipe(&CLIENT.conn);
            tenon_conn_wipe(&SERVER.conn);
        }
    }
}

/* The longest body the header check admits (RFC 8446 §5.2: 2^14 + 256 bytes; RFC 8449 §4: our
 * record_size_limit plus the tag, where one is in force) passes it at any offset (it fails
 * later, as a forgery); one byte more is record_overflow at once. */
static void test_longest_header(void)
{
    for (size_t skew = 0; skew < 16; skew += 3) {
        for (int extra = 0; extra < 2; extra++) {
            size_t used = 0;
            CHECK_RC(connect_skewed(skew, TENON_TLS13, SUITES[0], TENON_CONN_IN_SIZE), 0);
            size_t rsl = tls_conn_of(&SERVER.conn)->rsl_recv;
            size_t n = (rsl != 0 ? rsl + TENON_AEAD_TAG_LEN : 16384 + 256) + (size_t)extra;
            const uint8_t hdr[5] = {23, 3, 3, (uint8_t)(n >> 8), (uint8_t)n};
            if (extra == 0) {
                CHECK_RC(tenon_conn_feed(&SERVER.conn, hdr, 5, &used), 0);
                CHECK(used == 5 && tenon_conn_error(&SERVER.conn) == 0);
                CHECK(tenon_conn_status(&SERVER.conn) & TENON_WANT_INPUT);
            } else {
                CHECK_RC(tenon_conn_feed(&SERVER.conn, hdr, 5, &used),
                         TENON_ERR_TLS_RECORD_OVERFLOW);
            }
            tenon_conn_wipe(&CLIENT.conn);
            tenon_conn_wipe(&SERVER.conn);
        }
    }
}

/* TLS 1.2 records, and TLS 1.3 ones in a record area sized for a record_size_limit, stay at
 * offset 0. */
static void test_offset_zero(void)
{
    CHECK_RC(connect_skewed(3, TENON_TLS12, 0, TENON_CONN_IN_SIZE), 0);
    CHECK_RC(send_and_view(&CLIENT.conn, &SERVER.conn, 1024, 0, 0), 0);
    CHECK_RC(send_and_view(&SERVER.conn, &CLIENT.conn, 1024, 3, 0), 0);
    CHECK(tls_conn_of(&SERVER.conn)->rec_off == 0 && tls_conn_of(&CLIENT.conn)->rec_off == 0);
    tenon_conn_wipe(&CLIENT.conn);
    tenon_conn_wipe(&SERVER.conn);

    /* A server with a 512-byte limit in the smallest input buffer it may have. */
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.record_size_limit = 512;
    for (size_t skew = 1; skew < 16; skew += 7) {
        client_config(&CLIENT.cfg);
        CLIENT.cfg.groups[0] = &tenon_kex_x25519; /* a ClientHello that fits 512 + 309 bytes */
        CLIENT.cfg.group_count = 1;
        CLIENT.cfg.share_groups[0] = &tenon_kex_x25519;
        CLIENT.cfg.share_group_count = 1;
        CHECK_RC(tenon_conn_init(&SERVER.conn, &SERVER.cfg, IN_POOL[1] + skew,
                                 TENON_CONN_IN_MIN_FOR(512), OUT_POOL[1], TENON_CONN_OUT_MIN),
                 0);
        CHECK_RC(tenon_conn_init(&CLIENT.conn, &CLIENT.cfg, IN_POOL[0] + skew, TENON_CONN_IN_SIZE,
                                 OUT_POOL[0], sizeof OUT_POOL[0]),
                 0);
        pump(&CLIENT.conn, &SERVER.conn);
        CHECK(both_done(&CLIENT, &SERVER));
        CHECK_RC(send_and_view(&CLIENT.conn, &SERVER.conn, 2000, 0, 0), 0);
        CHECK(tls_conn_of(&SERVER.conn)->rec_off == 0);
        tenon_conn_wipe(&CLIENT.conn);
        tenon_conn_wipe(&SERVER.conn);
    }
}

/* A small output buffer: however it is aligned, a write takes the same number of bytes (out_align
 * moves the output only where all of a write fits either way). */
static void test_small_output(void)
{
    static const size_t lens[] = {1024, 3960, 3970, 3975, 3978, 3979, 10000};
    for (size_t l = 0; l < ARRAY_LEN(lens); l++) {
        size_t first = 0;
        for (size_t skew = 0; skew < 16; skew++) {
            CHECK_RC(connect_skewed_out(skew, TENON_TLS13, SUITES[1], TENON_CONN_IN_SIZE,
                                        TENON_CONN_OUT_MIN),
                     0);
            size_t w = 0;
            CHECK_RC(tenon_conn_write(&CLIENT.conn, DATA, lens[l], &w), 0);
            if (skew == 0)
                first = w;
            CHECK(w == first && w > 0 && w <= lens[l]);
            /* What was taken arrives intact. */
            size_t got = 0;
            for (int i = 0; i < 100 && got < w; i++) {
                transfer(&CLIENT.conn, &SERVER.conn);
                uint8_t buf[4096];
                size_t n = 0;
                CHECK_RC(tenon_conn_read(&SERVER.conn, buf, sizeof buf, &n), 0);
                CHECK(got + n <= w && memcmp(buf, DATA + got, n) == 0);
                got += n;
            }
            CHECK(got == w);
            tenon_conn_wipe(&CLIENT.conn);
            tenon_conn_wipe(&SERVER.conn);
        }
        /* A write that fits takes all of it: 4096 bytes of output less the 96 kept for alerts
         * and KeyUpdates, less a record's 5 + 1 + 16, hold 3978 bytes of data. */
        CHECK(lens[l] > 3978 || first == lens[l]);
        CHECK(lens[l] <= 3978 || first == 3978);
    }
}

int main(void)
{
    if (pki_setup() != 0)
        return 1;
    for (size_t i = 0; i < sizeof DATA; i++)
        DATA[i] = (uint8_t)(i * 13 + 5);
    test_aligned_views();
    test_longest_header();
    test_offset_zero();
    test_small_output();
    return tu_finish("test_record_align");
}
