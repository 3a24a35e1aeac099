/*
 * record_size_limit (RFC 8449) in memory, TLS 1.3 and TLS 1.2, either side limited: every
 * protected record toward the limited side is at most the limit (ciphertext body: the limit
 * plus the tag, plus TLS 1.2 GCM's explicit nonce), and the largest is exactly that (the limit
 * is used, not undercut); records toward the other side are full size; data, KeyUpdate,
 * tickets and close_notify go through. Values below 64 (and a TLS 1.2 server's above 2^14) are
 * illegal_parameter, an unsolicited answer unsupported_extension, a protected record above our
 * limit record_overflow; without the extension records are full size; small input buffers
 * (TENON_CONN_IN_MIN_FOR) work with a limit and refuse a record that does not fit.
 */
#include <stdlib.h>

#include "test_tls13_harness.h"

#include "record_watch.h"
#include "tls/tls13.h"

static record_watch TO_CLIENT, TO_SERVER;

static size_t watched_transfer(tenon_conn *from, tenon_conn *to)
{
    const uint8_t *p;
    size_t n, used = 0;
    tenon_conn_output(from, &p, &n);
    if (n == 0)
        return 0;
    if (tenon_conn_feed(to, p, n, &used) != 0)
        used = n;
    record_watch_bytes(from == &CLIENT.conn ? &TO_SERVER : &TO_CLIENT, p, used);
    tenon_conn_output_consume(from, used);
    return used;
}

static void watched_pump(void)
{
    for (int i = 0; i < 100000; i++)
        if (watched_transfer(&CLIENT.conn, &SERVER.conn) +
                watched_transfer(&SERVER.conn, &CLIENT.conn) ==
            0)
            break;
}

static uint8_t DATA[40000];

/* The largest protected body for a limit (0: none) in version: TLS 1.3 inner plaintext plus
 * the tag; TLS 1.2 (AES-GCM) plaintext plus explicit nonce and tag. */
static size_t body_for(uint16_t version, size_t limit)
{
    if (version == TENON_TLS13)
        return (limit == 0 || limit > 16385 ? 16385 : limit) + 16;
    return (limit == 0 || limit > 16384 ? 16384 : limit) + 8 + 16;
}

static void configure(uint16_t version, size_t client_limit, size_t server_limit)
{
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    CLIENT.cfg.min_version = CLIENT.cfg.max_version = version;
    CLIENT.cfg.record_size_limit = client_limit;
    SERVER.cfg.record_size_limit = server_limit;
    memset(SERVER.cfg.ticket_keys[0].key, 0x44, 32);
    SERVER.cfg.ticket_key_count = 1;
    memset(&TO_CLIENT, 0, sizeof TO_CLIENT);
    memset(&TO_SERVER, 0, sizeof TO_SERVER);
}

static void limited(uint16_t version, size_t client_limit, size_t server_limit)
{
    unsigned long failed_before = tu_failed;
    configure(version, client_limit, server_limit);
    tenon_conn_wipe(&CLIENT.conn);
    tenon_conn_wipe(&SERVER.conn);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    watched_pump();
    if (!CHECK(both_done(&CLIENT, &SERVER))) {
        fprintf(stderr, "  version %04x client %zu server %zu: %d / %d\n", version, client_limit,
                server_limit, tenon_conn_error(&CLIENT.conn), tenon_conn_error(&SERVER.conn));
        return;
    }
    /* tenon_conn_info: each side's limit as announced, the version's maximum standing for 0 and
     * capping the others. */
    size_t max = version == TENON_TLS13 ? 16385 : 16384;
    size_t cl = client_limit ? client_limit : max, sl = server_limit ? server_limit : max;
    cl = cl < max ? cl : max;
    sl = sl < max ? sl : max;
    tenon_conn_info ci, si;
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(ci.record_size_limit_ours == cl && si.record_size_limit_peer == cl);
    CHECK(si.record_size_limit_ours == sl && ci.record_size_limit_peer == sl);
    CHECK(exchange_by(&CLIENT.conn, &SERVER.conn, DATA, sizeof DATA, watched_transfer));
    CHECK(exchange_by(&SERVER.conn, &CLIENT.conn, DATA, sizeof DATA, watched_transfer));
    if (version == TENON_TLS13) {
        CHECK_RC(tenon_conn_key_update(&SERVER.conn, 1), 0);
        CHECK(exchange_by(&SERVER.conn, &CLIENT.conn, DATA, 3000, watched_transfer));
        CHECK(exchange_by(&CLIENT.conn, &SERVER.conn, DATA, 3000, watched_transfer));
    }
    CHECK_RC(tenon_conn_close(&CLIENT.conn), 0);
    CHECK_RC(tenon_conn_close(&SERVER.conn), 0);
    watched_pump();
    CHECK(tenon_conn_status(&CLIENT.conn) & TENON_PEER_CLOSED);
    CHECK(tenon_conn_status(&SERVER.conn) & TENON_PEER_CLOSED);
    /* Toward each side: exactly its limit's largest record, or a full one. */
    CHECK(TO_CLIENT.max_protected == body_for(version, client_limit));
    CHECK(TO_SERVER.max_protected == body_for(version, server_limit));
    /* tenon cuts its unprotected handshake records to a client's limit too (a TLS 1.2 server's
     * Certificate flight, a TLS 1.3 ServerHello). */
    if (client_limit != 0)
        CHECK(TO_CLIENT.max_plain <= (version == TENON_TLS13 ? client_limit - 1 : client_limit));
    if (tu_failed != failed_before)
        fprintf(stderr, "  version %04x client %zu server %zu: to client %zu, to server %zu\n",
                version, client_limit, server_limit, TO_CLIENT.max_protected,
                TO_SERVER.max_protected);
}

static void test_limits(void)
{
    static const size_t limits[] = {64, 100, 512, 4096, 16385};
    for (int v = 0; v < 2; v++) {
        uint16_t version = v ? TENON_TLS12 : TENON_TLS13;
        for (size_t i = 0; i < ARRAY_LEN(limits); i++) {
            limited(version, limits[i], 0);
            limited(version, 0, limits[i]);
        }
        limited(version, 100, 4096);
        limited(version, 0, 0);
    }
}

static void test_config(void)
{
    tenon_config cfg;
    client_config(&cfg);
    const char *why;
    cfg.record_size_limit = 63;
    CHECK_RC(tenon_config_check(&cfg, &why), TENON_ERR_TLS_CONFIG);
    cfg.record_size_limit = 16386;
    CHECK_RC(tenon_config_check(&cfg, &why), TENON_ERR_TLS_CONFIG);
    cfg.record_size_limit = 64;
    CHECK_RC(tenon_config_check(&cfg, &why), 0);
}

/* The client's hello with the limit value replaced (the extension found by its bytes). */
static int patch_client_limit(uint16_t from, uint16_t to)
{
    uint8_t f[6] = {0, 28, 0, 2, (uint8_t)(from >> 8), (uint8_t)from};
    uint8_t t[6] = {0, 28, 0, 2, (uint8_t)(to >> 8), (uint8_t)to};
    return patch_pending(&CLIENT, f, t, 6);
}

static void test_illegal(void)
{
    /* A server refuses a client's limit below 64 (RFC 8449 §4), in both versions. */
    for (int v = 0; v < 2; v++) {
        configure(v ? TENON_TLS12 : TENON_TLS13, 0, 0);
        CHECK_RC(start(&CLIENT, &SERVER), 0);
        CHECK(patch_client_limit(v ? 16384 : 16385, 63));
        pump(&CLIENT.conn, &SERVER.conn);
        CHECK_RC(tenon_conn_error(&SERVER.conn), TENON_ERR_TLS_ILLEGAL_PARAMETER);
        CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_ILLEGAL_PARAMETER);
    }
    /* Above the maximum a client's limit is the maximum (RFC 8449 §4: "A server MUST NOT
     * enforce this restriction"); 64 is legal, and the ServerHello already obeys it. */
    configure(TENON_TLS13, 0, 0);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    CHECK(patch_client_limit(16385, 0xffff));
    transfer(&CLIENT.conn, &SERVER.conn);
    CHECK_RC(tenon_conn_error(&SERVER.conn), 0);
    CHECK(tls_conn_of(&SERVER.conn)->rsl_peer == 16385);
    configure(TENON_TLS13, 0, 0);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    CHECK(patch_client_limit(16385, 64));
    transfer(&CLIENT.conn, &SERVER.conn);
    CHECK_RC(tenon_conn_error(&SERVER.conn), 0);
    const uint8_t *p;
    size_t n, at[256];
    tenon_conn_output(&SERVER.conn, &p, &n);
    size_t k = record_offsets(p, n, at, 256);
    CHECK(k > 5);
    for (size_t i = 0; i < k; i++)
        CHECK(((size_t)p[at[i] + 3] << 8 | p[at[i] + 4]) <= (p[at[i]] == 23 ? 64 + 16 : 63));

    /* A TLS 1.2 client refuses a server's limit below 64 or above 2^14 (§4: "A client MAY
     * abort the handshake with an "illegal_parameter" alert"). */
    static const uint16_t bad[] = {63, 0, 16385, 0xffff};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        configure(TENON_TLS12, 0, 0);
        CHECK_RC(start(&CLIENT, &SERVER), 0);
        transfer(&CLIENT.conn, &SERVER.conn);
        uint8_t f[6] = {0, 28, 0, 2, 0x40, 0x00};
        uint8_t t[6] = {0, 28, 0, 2, (uint8_t)(bad[i] >> 8), (uint8_t)bad[i]};
        CHECK(patch_pending(&SERVER, f, t, 6));
        pump(&CLIENT.conn, &SERVER.conn);
        CHECK_RC(tenon_conn_error(&CLIENT.conn), TENON_ERR_TLS_ILLEGAL_PARAMETER);
        CHECK(tenon_conn_peer_alert(&SERVER.conn) == TENON_ALERT_ILLEGAL_PARAMETER);
    }
}

/* Without the extension in the ClientHello: no answer, full records both ways, even with a
 * limit configured on either side (it binds only when negotiated). An answer that was not
 * asked for is unsupported_extension (RFC 8446 §4.2, RFC 5246 §7.4.1.4). */
static void test_absent(void)
{
    tls_test_client_omit = TLS_TEST_OMIT_RSL;
    for (int v = 0; v < 2; v++) {
        uint16_t version = v ? TENON_TLS12 : TENON_TLS13;
        configure(version, 512, 512);
        CHECK_RC(start(&CLIENT, &SERVER), 0);
        watched_pump();
        CHECK(both_done(&CLIENT, &SERVER));
        CHECK(tls_conn_of(&SERVER.conn)->rsl_peer == 0 && tls_conn_of(&CLIENT.conn)->rsl_peer == 0);
        tenon_conn_info ci, si;
        CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
        CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
        CHECK(ci.record_size_limit_ours == 0 && ci.record_size_limit_peer == 0);
        CHECK(si.record_size_limit_ours == 0 && si.record_size_limit_peer == 0);
        CHECK(exchange_by(&CLIENT.conn, &SERVER.conn, DATA, sizeof DATA, watched_transfer));
        CHECK(exchange_by(&SERVER.conn, &CLIENT.conn, DATA, sizeof DATA, watched_transfer));
        CHECK(TO_CLIENT.max_protected == body_for(version, 0));
        CHECK(TO_SERVER.max_protected == body_for(version, 0));
    }
    /* TLS 1.2: the server's ec_point_formats (6 bytes, as our extension) made into a
     * record_size_limit the client never asked for. */
    configure(TENON_TLS12, 0, 0);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    transfer(&CLIENT.conn, &SERVER.conn);
    static const uint8_t f[6] = {0, 11, 0, 2, 1, 0}, t[6] = {0, 28, 0, 2, 1, 0};
    CHECK(patch_pending(&SERVER, f, t, 6));
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK_RC(tenon_conn_error(&CLIENT.conn), TENON_ERR_TLS_UNSUPPORTED_EXTENSION);
    tls_test_client_omit = 0;
}

/* A protected record above our limit is record_overflow (RFC 8449 §4: "MUST generate a fatal
 * "record_overflow" alert"): the client made to forget the server's limit. */
static void test_overflow(void)
{
    for (int v = 0; v < 2; v++) {
        uint16_t version = v ? TENON_TLS12 : TENON_TLS13;
        configure(version, 0, 512);
        CHECK_RC(start(&CLIENT, &SERVER), 0);
        pump(&CLIENT.conn, &SERVER.conn);
        CHECK(both_done(&CLIENT, &SERVER));
        /* One byte over is refused; exactly the limit is taken. */
        tls_conn_of(&CLIENT.conn)->rsl_peer = 513;
        CHECK(exchange(&CLIENT.conn, &SERVER.conn, DATA, v ? 512 : 511));
        CHECK_RC(tenon_conn_error(&SERVER.conn), 0);
        size_t w;
        CHECK_RC(tenon_conn_write(&CLIENT.conn, DATA, 600, &w), 0);
        pump(&CLIENT.conn, &SERVER.conn);
        CHECK_RC(tenon_conn_error(&SERVER.conn), TENON_ERR_TLS_RECORD_OVERFLOW);
        CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_RECORD_OVERFLOW);
    }
}

/* Small input buffers: TENON_CONN_IN_MIN_FOR(limit), allocated to the byte. */
typedef struct small_end {
    tenon_config cfg;
    tenon_conn conn;
    uint8_t *in, *out;
} small_end;

static int small_init(small_end *e, size_t in_len, size_t out_len)
{
    free(e->in);
    free(e->out);
    e->in = malloc(in_len);
    e->out = malloc(out_len);
    if (e->in == NULL || e->out == NULL)
        abort();
    return tenon_conn_init(&e->conn, &e->cfg, e->in, in_len, e->out, out_len);
}

static small_end SC, SS;

static void test_small_buffers(void)
{
    for (int v = 0; v < 2; v++) {
        uint16_t version = v ? TENON_TLS12 : TENON_TLS13;
        static const size_t limits[] = {512, 4096};
        for (size_t i = 0; i < ARRAY_LEN(limits); i++) {
            size_t lim = limits[i];
            /* A small client and a small server (a classical ClientHello fits its record
             * area). */
            client_config(&SC.cfg);
            classical_groups(&SC.cfg);
            server_config(&SS.cfg, CERT_P256);
            SC.cfg.min_version = SC.cfg.max_version = version;
            SC.cfg.record_size_limit = lim;
            SS.cfg.record_size_limit = lim;
            CHECK_RC(small_init(&SS, TENON_CONN_IN_MIN_FOR(lim) - 1, TENON_CONN_OUT_MIN),
                     TENON_ERR_BUFFER_TOO_SMALL);
            CHECK_RC(small_init(&SS, TENON_CONN_IN_MIN_FOR(lim), TENON_CONN_OUT_MIN), 0);
            CHECK_RC(small_init(&SC, TENON_CONN_IN_MIN_FOR(lim), TENON_CONN_OUT_MIN), 0);
            pump(&SC.conn, &SS.conn);
            if (!CHECK((tenon_conn_status(&SC.conn) & TENON_HANDSHAKE_DONE) &&
                       (tenon_conn_status(&SS.conn) & TENON_HANDSHAKE_DONE))) {
                fprintf(stderr, "  small %04x %zu: client %d server %d\n", version, lim,
                        tenon_conn_error(&SC.conn), tenon_conn_error(&SS.conn));
                continue;
            }
            CHECK(exchange(&SC.conn, &SS.conn, DATA, sizeof DATA));
            CHECK(exchange(&SS.conn, &SC.conn, DATA, sizeof DATA));
            tenon_conn_wipe(&SC.conn);
            tenon_conn_wipe(&SS.conn);
        }
        /* Without the limit the minimum is TENON_CONN_IN_MIN, as before. */
        SC.cfg.record_size_limit = 0;
        CHECK_RC(small_init(&SC, TENON_CONN_IN_MIN - 1, TENON_CONN_OUT_MIN),
                 TENON_ERR_BUFFER_TOO_SMALL);
        /* A ClientHello larger than a small server's record area (a post-quantum share: about
         * 1.5 KB against 512 + 309) is record_overflow. */
        client_config(&SC.cfg);
        SC.cfg.min_version = SC.cfg.max_version = version;
        SS.cfg.record_size_limit = 512;
        CHECK_RC(small_init(&SS, TENON_CONN_IN_MIN_FOR(512), TENON_CONN_OUT_MIN), 0);
        CHECK_RC(small_init(&SC, TENON_CONN_IN_SIZE, TENON_CONN_OUT_SIZE), 0);
        pump(&SC.conn, &SS.conn);
        if (version == TENON_TLS13) /* a TLS 1.2-only ClientHello has no shares: it fits */
            CHECK_RC(tenon_conn_error(&SS.conn), TENON_ERR_TLS_RECORD_OVERFLOW);
        tenon_conn_wipe(&SC.conn);
        tenon_conn_wipe(&SS.conn);
    }
    free(SC.in);
    free(SC.out);
    free(SS.in);
    free(SS.out);
}

int main(void)
{
    if (pki_setup() != 0)
        return 1;
    for (size_t i = 0; i < sizeof DATA; i++)
        DATA[i] = (uint8_t)(i * 7 + 1);
    test_config();
    test_limits();
    test_illegal();
    test_absent();
    test_overflow();
    test_small_buffers();
    return tu_finish("test_record_size_limit");
}
