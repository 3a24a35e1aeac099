/*
 * Records and flights as BoringSSL's test runner (BoGo) probes them:
 *
 *   the record version: any {03,XX} until the version is known (RFC 5246 §E.1), never another
 *   major version (0xffff); exactly 0x0303 on protected TLS 1.2 records (§6.2.1);
 *   bytes left in a record after a message we answer with our flight (a ClientHello, a
 *   HelloRetryRequest, a TLS 1.2 ServerHelloDone) are unexpected_message, as at a key change
 *   (RFC 8446 §5.1): the peer cannot have sent them before reading our answer;
 *   tenon_alert_name knows TLS 1.2's decompression_failure.
 *
 * Records come from real engines and are edited here (a version byte, bytes appended to the
 * last record of a flight, with its length fixed up).
 */
#include "test_tls13_harness.h"

/* A copy of what e has to send, consumed from it. */
static size_t take_output(endpoint *e, uint8_t *buf, size_t cap)
{
    const uint8_t *p;
    size_t n;
    tenon_conn_output(&e->conn, &p, &n);
    if (!CHECK(n <= cap))
        return 0;
    memcpy(buf, p, n);
    tenon_conn_output_consume(&e->conn, n);
    return n;
}

static int feed(endpoint *to, const uint8_t *p, size_t n)
{
    size_t used = 0;
    return tenon_conn_feed(&to->conn, p, n, &used);
}

/* Appends extra to the last handshake record of p[0, n) (a change_cipher_spec may follow it);
 * returns the new length. */
static size_t append_to_last_record(uint8_t *p, size_t n, const uint8_t *extra, size_t extra_len)
{
    size_t at[64];
    size_t k = record_offsets(p, n, at, 64);
    while (k > 0 && p[at[k - 1]] != 22)
        k--;
    if (!CHECK(k > 0))
        return n;
    size_t rec = at[k - 1];
    size_t len = ((size_t)p[rec + 3] << 8) | p[rec + 4];
    size_t end = rec + 5 + len;
    memmove(p + end + extra_len, p + end, n - end);
    memcpy(p + end, extra, extra_len);
    len += extra_len;
    p[rec + 3] = (uint8_t)(len >> 8);
    p[rec + 4] = (uint8_t)len;
    return n + extra_len;
}

/* The failed receiver's output is its alert alone: no byte of its answer went out (a TLS 1.3
 * client's compatibility change_cipher_spec may come first, RFC 8446 §D.4). */
static int only_alert(endpoint *e)
{
    const uint8_t *p;
    size_t n;
    tenon_conn_output(&e->conn, &p, &n);
    if (n == 13 && p[0] == 20) {
        p += 6;
        n -= 6;
    }
    return n == 7 && p[0] == 21 && p[5] == 2 && p[6] == TENON_ALERT_UNEXPECTED_MESSAGE;
}

static void configs(uint16_t max_version)
{
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    CLIENT.cfg.max_version = max_version;
}

/* ---- the record version ---- */

static void test_initial_record_version(void)
{
    static uint8_t ch[8192];
    static const uint8_t versions[][2] = {{0x03, 0xff}, {0x03, 0x01}, {0xff, 0xff}, {0x02, 0x00}};
    for (int v12 = 0; v12 <= 1; v12++)
        for (size_t i = 0; i < ARRAY_LEN(versions); i++) {
            configs(v12 ? TENON_TLS12 : TENON_TLS13);
            CHECK_RC(start(&CLIENT, &SERVER), 0);
            size_t n = take_output(&CLIENT, ch, sizeof ch);
            ch[1] = versions[i][0];
            ch[2] = versions[i][1];
            /* {03,XX} is any TLS ClientHello's (RFC 5246 §E.1); another major version is no
             * TLS record at all. */
            int want = versions[i][0] == 3 ? 0 : TENON_ERR_TLS_UNEXPECTED_MESSAGE;
            CHECK_RC(feed(&SERVER, ch, n), want);
            if (want == 0) {
                pump(&CLIENT.conn, &SERVER.conn);
                CHECK(both_done(&CLIENT, &SERVER));
            }
        }
}

static void test_protected_record_version(void)
{
    static uint8_t rec[512];
    static const uint8_t versions[][2] = {{0x03, 0x03}, {0x03, 0xff}, {0x03, 0x01}, {0xff, 0x03}};
    for (size_t i = 0; i < ARRAY_LEN(versions); i++) {
        configs(TENON_TLS12);
        CHECK_RC(start(&CLIENT, &SERVER), 0);
        pump(&CLIENT.conn, &SERVER.conn);
        CHECK(both_done(&CLIENT, &SERVER));
        size_t w = 0;
        CHECK_RC(tenon_conn_write(&SERVER.conn, (const uint8_t *)"data", 4, &w), 0);
        size_t n = take_output(&SERVER, rec, sizeof rec);
        rec[1] = versions[i][0];
        rec[2] = versions[i][1];
        /* RFC 5246 §6.2.1: the version "being employed", checked before any decryption. */
        int ok = versions[i][0] == 3 && versions[i][1] == 3;
        CHECK_RC(feed(&CLIENT, rec, n), ok ? 0 : TENON_ERR_TLS_UNEXPECTED_MESSAGE);
        if (!ok)
            CHECK(tenon_error_alert(tenon_conn_error(&CLIENT.conn)) ==
                  TENON_ALERT_UNEXPECTED_MESSAGE);
    }
}

/* ---- nothing after a message we answer ---- */

/* A handshake header whose body never comes: the start of a next message. */
static const uint8_t PARTIAL[4] = {16 /* client_key_exchange */, 0, 0, 100};

/* A ClientHello with bytes after it in its record: the server answers it with its flight (or
 * a HelloRetryRequest), so nothing may follow. */
static void test_after_client_hello(void)
{
    static uint8_t ch[8192];
    for (int mode = 0; mode < 3; mode++) { /* TLS 1.2, TLS 1.3 HelloRetryRequest, TLS 1.3 */
        configs(mode == 0 ? TENON_TLS12 : TENON_TLS13);
        if (mode == 1) {
            SERVER.cfg.groups[0] = &tenon_kex_secp384r1;
            SERVER.cfg.group_count = 1;
        }
        CHECK_RC(start(&CLIENT, &SERVER), 0);
        size_t n = take_output(&CLIENT, ch, sizeof ch);
        n = append_to_last_record(ch, n, PARTIAL, sizeof PARTIAL);
        CHECK_RC(feed(&SERVER, ch, n), TENON_ERR_TLS_UNEXPECTED_MESSAGE);
        CHECK(only_alert(&SERVER));
    }
    /* After ClientHello2 too (the server's ServerHello changes its read keys there). */
    configs(TENON_TLS13);
    SERVER.cfg.groups[0] = &tenon_kex_secp384r1;
    SERVER.cfg.group_count = 1;
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    CHECK(transfer(&CLIENT.conn, &SERVER.conn) > 0);
    CHECK(transfer(&SERVER.conn, &CLIENT.conn) > 0); /* the HelloRetryRequest */
    size_t n = take_output(&CLIENT, ch, sizeof ch);
    n = append_to_last_record(ch, n, PARTIAL, sizeof PARTIAL);
    CHECK_RC(feed(&SERVER, ch, n), TENON_ERR_TLS_UNEXPECTED_MESSAGE);
}

/* The server's HelloRetryRequest (TLS 1.3) or TLS 1.2 flight ending in ServerHelloDone, with
 * bytes after it: the client answers, so nothing may follow. */
static void test_after_server_flight(void)
{
    static uint8_t flight[16384];
    for (int v12 = 0; v12 <= 1; v12++) {
        configs(v12 ? TENON_TLS12 : TENON_TLS13);
        if (!v12) {
            SERVER.cfg.groups[0] = &tenon_kex_secp384r1;
            SERVER.cfg.group_count = 1;
        }
        CHECK_RC(start(&CLIENT, &SERVER), 0);
        CHECK(transfer(&CLIENT.conn, &SERVER.conn) > 0);
        size_t n = take_output(&SERVER, flight, sizeof flight - sizeof PARTIAL);
        n = append_to_last_record(flight, n, PARTIAL, sizeof PARTIAL);
        CHECK_RC(feed(&CLIENT, flight, n), TENON_ERR_TLS_UNEXPECTED_MESSAGE);
        CHECK(only_alert(&CLIENT));
    }
    /* The same flights without the extra bytes complete. */
    for (int v12 = 0; v12 <= 1; v12++) {
        configs(v12 ? TENON_TLS12 : TENON_TLS13);
        SERVER.cfg.groups[0] = &tenon_kex_secp384r1;
        SERVER.cfg.group_count = 1;
        CHECK_RC(start(&CLIENT, &SERVER), 0);
        pump(&CLIENT.conn, &SERVER.conn);
        CHECK(both_done(&CLIENT, &SERVER));
    }
}

static void test_alert_names(void)
{
    CHECK(strcmp(tenon_alert_name(TENON_ALERT_DECOMPRESSION_FAILURE), "decompression_failure") ==
          0);
    CHECK(strcmp(tenon_alert_name(255), "unknown") == 0);
}

int main(void)
{
    tu_seed(11);
    if (!CHECK(pki_setup() == 0))
        return tu_finish("test_hardening_bogoB");
    test_initial_record_version();
    test_protected_record_version();
    test_after_client_hello();
    test_after_server_flight();
    test_alert_names();
    return tu_finish("test_hardening_bogoB");
}
