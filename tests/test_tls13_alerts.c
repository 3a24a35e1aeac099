/*
 * Strict parsing and alerts (RFC 8446 §6.2): malformed, misplaced or out-of-order messages and
 * records each get the alert the RFC names, sent before the connection closes; the error is
 * sticky; fragmented input is reassembled; EOF without close_notify is truncation.
 *
 * ClientHellos are real ones from the client engine, edited (with every length fixed up) and
 * fed to a server; ServerHellos are built here and fed to a client that sent its ClientHello.
 */
#include "test_tls13_harness.h"

#include "tls/tls13.h"

/* ---- a ClientHello taken apart ---- */

typedef struct ch_parts {
    uint8_t head[512]; /* legacy_version .. compression methods */
    size_t head_len;
    uint8_t exts[2048]; /* the extensions, without their vector length */
    size_t exts_len;
    uint8_t trailing[8];
    size_t trailing_len;
} ch_parts;

static void get_client_hello(ch_parts *ch)
{
    client_config(&CLIENT.cfg);
    CHECK_RC(tenon_conn_init(&CLIENT.conn, &CLIENT.cfg, CLIENT.in, sizeof CLIENT.in, CLIENT.out,
                             sizeof CLIENT.out),
             0);
    const uint8_t *p;
    size_t n;
    tenon_conn_output(&CLIENT.conn, &p, &n);
    const uint8_t *body = p + 9;
    size_t off = 2 + 32;
    off += 1 + body[off];                                  /* session id */
    off += 2 + (((size_t)body[off] << 8) | body[off + 1]); /* suites */
    off += 1 + body[off];                                  /* compression */
    memset(ch, 0, sizeof *ch);
    memcpy(ch->head, body, off);
    ch->head_len = off;
    ch->exts_len = ((size_t)body[off] << 8) | body[off + 1];
    memcpy(ch->exts, body + off + 2, ch->exts_len);
}

/* Reassembles a record: 22 0301 len { 01 len24 head extlen exts trailing }. */
static size_t build_client_hello(const ch_parts *ch, uint8_t *out)
{
    size_t body = ch->head_len + 2 + ch->exts_len + ch->trailing_len;
    size_t hs = 4 + body;
    out[0] = 22, out[1] = 3, out[2] = 1, out[3] = (uint8_t)(hs >> 8), out[4] = (uint8_t)hs;
    out[5] = 1, out[6] = (uint8_t)(body >> 16), out[7] = (uint8_t)(body >> 8);
    out[8] = (uint8_t)body;
    memcpy(out + 9, ch->head, ch->head_len);
    size_t o = 9 + ch->head_len;
    out[o] = (uint8_t)(ch->exts_len >> 8), out[o + 1] = (uint8_t)ch->exts_len;
    memcpy(out + o + 2, ch->exts, ch->exts_len);
    memcpy(out + o + 2 + ch->exts_len, ch->trailing, ch->trailing_len);
    return 5 + hs;
}

/* Offset and total length (header included) of extension type in the list, or 0 length. */
static size_t find_ext(const ch_parts *ch, uint16_t type, size_t *at)
{
    size_t o = 0;
    while (o + 4 <= ch->exts_len) {
        uint16_t t = (uint16_t)((ch->exts[o] << 8) | ch->exts[o + 1]);
        size_t l = 4 + (((size_t)ch->exts[o + 2] << 8) | ch->exts[o + 3]);
        if (t == type) {
            *at = o;
            return l;
        }
        o += l;
    }
    return 0;
}

static void remove_ext(ch_parts *ch, uint16_t type)
{
    size_t at, l = find_ext(ch, type, &at);
    if (!l)
        return;
    memmove(ch->exts + at, ch->exts + at + l, ch->exts_len - at - l);
    ch->exts_len -= l;
}

static void append_ext(ch_parts *ch, uint16_t type, const uint8_t *body, size_t len)
{
    uint8_t *p = ch->exts + ch->exts_len;
    p[0] = (uint8_t)(type >> 8), p[1] = (uint8_t)type, p[2] = (uint8_t)(len >> 8);
    p[3] = (uint8_t)len;
    if (len > 0)
        memcpy(p + 4, body, len);
    ch->exts_len += 4 + len;
}

static void duplicate_ext(ch_parts *ch, uint16_t type)
{
    size_t at, l = find_ext(ch, type, &at);
    uint8_t copy[512];
    memcpy(copy, ch->exts + at, l);
    memcpy(ch->exts + ch->exts_len, copy, l);
    ch->exts_len += l;
}

/* Feeds bytes to a fresh server; returns its error and the alert it queued (-1: none). */
static uint16_t server_min_version = TENON_TLS12;

static int server_verdict(const uint8_t *rec, size_t len, int *alert)
{
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.min_version = server_min_version;
    CHECK_RC(tenon_conn_init(&SERVER.conn, &SERVER.cfg, SERVER.in, sizeof SERVER.in, SERVER.out,
                             sizeof SERVER.out),
             0);
    size_t used;
    int rc = tenon_conn_feed(&SERVER.conn, rec, len, &used);
    const uint8_t *p;
    size_t n;
    tenon_conn_output(&SERVER.conn, &p, &n);
    *alert = -1;
    /* The alert is the last record, in the clear here: 21 0303 0002 02 desc. */
    if (n >= 7 && p[n - 7] == 21 && p[n - 2] == 2)
        *alert = p[n - 1];
    return rc;
}

#define EXPECT_SERVER(rec, len, err, alert_desc)                                                   \
    do {                                                                                           \
        int a_;                                                                                    \
        CHECK_RC(server_verdict((rec), (len), &a_), (err));                                        \
        if (!CHECK(a_ == (alert_desc)))                                                            \
            fprintf(stderr, "    alert %d, expected %d\n", a_, (alert_desc));                      \
    } while (0)

static void test_client_hello_parsing(void)
{
    static uint8_t rec[4096];
    ch_parts ch;
    size_t n;

    /* The unedited ClientHello is accepted. */
    get_client_hello(&ch);
    n = build_client_hello(&ch, rec);
    int a;
    CHECK_RC(server_verdict(rec, n, &a), 0);
    CHECK(a == -1);

    /* An unknown extension in a ClientHello is ignored. */
    get_client_hello(&ch);
    remove_ext(&ch, EXT_PRE_SHARED_KEY);
    append_ext(&ch, 0x7a7a, (const uint8_t *)"ab", 2);
    n = build_client_hello(&ch, rec);
    CHECK_RC(server_verdict(rec, n, &a), 0);

    get_client_hello(&ch);
    duplicate_ext(&ch, EXT_SUPPORTED_GROUPS);
    n = build_client_hello(&ch, rec);
    EXPECT_SERVER(rec, n, TENON_ERR_TLS_DECODE, TENON_ALERT_DECODE_ERROR); /* §4.2 */

    get_client_hello(&ch);
    remove_ext(&ch, EXT_KEY_SHARE);
    n = build_client_hello(&ch, rec);
    EXPECT_SERVER(rec, n, TENON_ERR_TLS_MISSING_EXTENSION, TENON_ALERT_MISSING_EXTENSION);

    get_client_hello(&ch);
    remove_ext(&ch, EXT_SIGNATURE_ALGORITHMS);
    n = build_client_hello(&ch, rec);
    EXPECT_SERVER(rec, n, TENON_ERR_TLS_MISSING_EXTENSION, TENON_ALERT_MISSING_EXTENSION);

    /* No supported_versions: a TLS 1.2 ClientHello. A server with TLS 1.3 only refuses it
     * (protocol_version); one with TLS 1.2 too answers it as TLS 1.2. */
    get_client_hello(&ch);
    remove_ext(&ch, EXT_SUPPORTED_VERSIONS);
    n = build_client_hello(&ch, rec);
    server_min_version = TENON_TLS13;
    EXPECT_SERVER(rec, n, TENON_ERR_TLS_NO_COMMON_VERSION, TENON_ALERT_PROTOCOL_VERSION);
    server_min_version = TENON_TLS12;
    EXPECT_SERVER(rec, n, TENON_OK, -1);
    {
        const uint8_t *p;
        size_t pn;
        tenon_conn_output(&SERVER.conn, &p, &pn);
        /* A TLS 1.2 ServerHello (no supported_versions) with the downgrade sentinel. */
        CHECK(pn > 5 + 4 + 34 && p[5] == 2 && p[9] == 3 && p[10] == 3);
        CHECK(pn > 5 + 4 + 34 && memcmp(p + 5 + 4 + 2 + 24, "DOWNGRD\x01", 8) == 0);
    }

    /* Trailing bytes after the extensions. */
    get_client_hello(&ch);
    ch.trailing[0] = 0;
    ch.trailing_len = 1;
    n = build_client_hello(&ch, rec);
    EXPECT_SERVER(rec, n, TENON_ERR_TLS_DECODE, TENON_ALERT_DECODE_ERROR);

    /* An extension whose length runs past the block. */
    get_client_hello(&ch);
    {
        size_t at;
        CHECK(find_ext(&ch, EXT_SUPPORTED_GROUPS, &at) > 0);
        ch.exts[at + 3] += 40;
    }
    n = build_client_hello(&ch, rec);
    EXPECT_SERVER(rec, n, TENON_ERR_TLS_DECODE, TENON_ALERT_DECODE_ERROR);

    /* A handshake length one short: the message's own fields run past it. */
    get_client_hello(&ch);
    n = build_client_hello(&ch, rec);
    rec[8] = (uint8_t)(rec[8] - 1);
    EXPECT_SERVER(rec, n, TENON_ERR_TLS_DECODE, TENON_ALERT_DECODE_ERROR);

    /* Compression methods other than exactly { null }. */
    get_client_hello(&ch);
    ch.head[ch.head_len - 1] = 1;
    n = build_client_hello(&ch, rec);
    EXPECT_SERVER(rec, n, TENON_ERR_TLS_ILLEGAL_PARAMETER, TENON_ALERT_ILLEGAL_PARAMETER);

    /* A share for a group not in supported_groups. */
    get_client_hello(&ch);
    remove_ext(&ch, EXT_SUPPORTED_GROUPS);
    {
        static const uint8_t only_p256[] = {0, 2, 0, 23};
        append_ext(&ch, EXT_SUPPORTED_GROUPS, only_p256, sizeof only_p256);
    }
    n = build_client_hello(&ch, rec);
    EXPECT_SERVER(rec, n, TENON_ERR_TLS_ILLEGAL_PARAMETER, TENON_ALERT_ILLEGAL_PARAMETER);

    /* An X25519 share that is all zeros (§7.4.2: the shared secret would be zero). */
    get_client_hello(&ch);
    remove_ext(&ch, EXT_KEY_SHARE);
    remove_ext(&ch, EXT_SUPPORTED_GROUPS);
    {
        static const uint8_t only_x25519[] = {0, 2, 0, 29};
        append_ext(&ch, EXT_SUPPORTED_GROUPS, only_x25519, sizeof only_x25519);
        uint8_t ks[2 + 4 + 32] = {0, 36, 0, 29, 0, 32};
        append_ext(&ch, EXT_KEY_SHARE, ks, sizeof ks);
    }
    n = build_client_hello(&ch, rec);
    EXPECT_SERVER(rec, n, TENON_ERR_BAD_PUBLIC_KEY, TENON_ALERT_ILLEGAL_PARAMETER);

    /* No suite in common. */
    get_client_hello(&ch);
    {
        size_t sid = ch.head[34];
        uint8_t *suites = ch.head + 35 + sid + 2;
        size_t nsuites = ((size_t)ch.head[35 + sid] << 8 | ch.head[36 + sid]) / 2;
        for (size_t i = 0; i < nsuites; i++)
            suites[2 * i] = 0xc0, suites[2 * i + 1] = 0x2f;
    }
    n = build_client_hello(&ch, rec);
    EXPECT_SERVER(rec, n, TENON_ERR_TLS_NO_COMMON_SUITE, TENON_ALERT_HANDSHAKE_FAILURE);

    /* pre_shared_key not last, and without psk_key_exchange_modes. */
    get_client_hello(&ch);
    {
        uint8_t psk[2 + 2 + 1 + 4 + 2 + 1 + 32] = {0, 7, 0, 1, 'x', 0, 0, 0, 0, 0, 33, 32};
        append_ext(&ch, EXT_PRE_SHARED_KEY, psk, sizeof psk);
        append_ext(&ch, 0x7a7a, NULL, 0);
        static const uint8_t modes[] = {1, 1};
        append_ext(&ch, EXT_PSK_KEY_EXCHANGE_MODES, modes, 2);
        n = build_client_hello(&ch, rec);
        EXPECT_SERVER(rec, n, TENON_ERR_TLS_ILLEGAL_PARAMETER, TENON_ALERT_ILLEGAL_PARAMETER);
        get_client_hello(&ch);
        append_ext(&ch, EXT_PRE_SHARED_KEY, psk, sizeof psk);
        n = build_client_hello(&ch, rec);
        EXPECT_SERVER(rec, n, TENON_ERR_TLS_MISSING_EXTENSION, TENON_ALERT_MISSING_EXTENSION);
    }
}

static void test_records(void)
{
    static uint8_t rec[4096];
    ch_parts ch;
    int a;

    static const uint8_t unknown_type[] = {99, 3, 3, 0, 1, 0};
    EXPECT_SERVER(unknown_type, sizeof unknown_type, TENON_ERR_TLS_UNEXPECTED_MESSAGE,
                  TENON_ALERT_UNEXPECTED_MESSAGE);
    static const uint8_t too_long[] = {22, 3, 3, 0x40, 0x01};
    EXPECT_SERVER(too_long, sizeof too_long, TENON_ERR_TLS_RECORD_OVERFLOW,
                  TENON_ALERT_RECORD_OVERFLOW);
    static const uint8_t early_app[] = {23, 3, 3, 0, 1, 0};
    EXPECT_SERVER(early_app, sizeof early_app, TENON_ERR_TLS_UNEXPECTED_MESSAGE,
                  TENON_ALERT_UNEXPECTED_MESSAGE);
    /* §5: change_cipher_spec before the first ClientHello is unexpected. */
    static const uint8_t ccs[] = {20, 3, 3, 0, 1, 1};
    EXPECT_SERVER(ccs, sizeof ccs, TENON_ERR_TLS_UNEXPECTED_MESSAGE,
                  TENON_ALERT_UNEXPECTED_MESSAGE);
    /* A Finished where a ClientHello must come. */
    static const uint8_t fin[] = {22, 3, 3, 0, 36, 20, 0, 0, 32};
    static uint8_t fin_rec[5 + 36];
    memcpy(fin_rec, fin, sizeof fin);
    EXPECT_SERVER(fin_rec, sizeof fin_rec, TENON_ERR_TLS_UNEXPECTED_MESSAGE,
                  TENON_ALERT_UNEXPECTED_MESSAGE);
    static const uint8_t empty_hs[] = {22, 3, 3, 0, 0};
    EXPECT_SERVER(empty_hs, sizeof empty_hs, TENON_ERR_TLS_UNEXPECTED_MESSAGE,
                  TENON_ALERT_UNEXPECTED_MESSAGE);
    static const uint8_t long_alert[] = {21, 3, 3, 0, 3, 2, 40, 0};
    EXPECT_SERVER(long_alert, sizeof long_alert, TENON_ERR_TLS_DECODE, TENON_ALERT_DECODE_ERROR);

    /* A ClientHello cut into three records, and the records fed one byte at a time. */
    get_client_hello(&ch);
    size_t n = build_client_hello(&ch, rec);
    static uint8_t split[4096 + 15];
    size_t hs_len = n - 5, cut1 = 3, cut2 = hs_len / 2, o = 0;
    const size_t cuts[4] = {0, cut1, cut2, hs_len};
    for (int i = 0; i < 3; i++) {
        size_t l = cuts[i + 1] - cuts[i];
        split[o] = 22, split[o + 1] = 3, split[o + 2] = 1, split[o + 3] = (uint8_t)(l >> 8);
        split[o + 4] = (uint8_t)l;
        memcpy(split + o + 5, rec + 5 + cuts[i], l);
        o += 5 + l;
    }
    server_config(&SERVER.cfg, CERT_P256);
    CHECK_RC(tenon_conn_init(&SERVER.conn, &SERVER.cfg, SERVER.in, sizeof SERVER.in, SERVER.out,
                             sizeof SERVER.out),
             0);
    tenon_conn_output_consume(&CLIENT.conn, n);
    for (size_t i = 0; i < o; i++) {
        size_t used;
        CHECK_RC(tenon_conn_feed(&SERVER.conn, split + i, 1, &used), 0);
        CHECK(used == 1);
    }
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(both_done(&CLIENT, &SERVER));

    /* Handshake messages must not be interleaved with other records (§5.1). */
    server_config(&SERVER.cfg, CERT_P256);
    CHECK_RC(tenon_conn_init(&SERVER.conn, &SERVER.cfg, SERVER.in, sizeof SERVER.in, SERVER.out,
                             sizeof SERVER.out),
             0);
    {
        size_t used, first = 5 + cut1 + 5 + (cut2 - cut1);
        CHECK_RC(tenon_conn_feed(&SERVER.conn, split, first, &used), 0);
        static const uint8_t warn[] = {21, 3, 3, 0, 2, 1, 90};
        CHECK_RC(tenon_conn_feed(&SERVER.conn, warn, sizeof warn, &used),
                 TENON_ERR_TLS_UNEXPECTED_MESSAGE);
    }
    (void)a;
}

static void connect_default(void)
{
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(both_done(&CLIENT, &SERVER));
}

static void test_after_handshake(void)
{
    /* A flipped bit in a protected record: bad_record_mac, and the error is sticky. */
    connect_default();
    size_t w, used;
    CHECK_RC(tenon_conn_write(&CLIENT.conn, "hello", 5, &w), 0);
    const uint8_t *p;
    size_t n;
    tenon_conn_output(&CLIENT.conn, &p, &n);
    static uint8_t rec[64];
    memcpy(rec, p, n);
    rec[n - 1] ^= 0x80;
    tenon_conn_output_consume(&CLIENT.conn, n);
    CHECK_RC(tenon_conn_feed(&SERVER.conn, rec, n, &used), TENON_ERR_TLS_BAD_RECORD_MAC);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_BAD_RECORD_MAC);
    CHECK_RC(tenon_conn_error(&CLIENT.conn), TENON_ERR_TLS_PEER_ALERT);
    uint8_t buf[8];
    CHECK_RC(tenon_conn_feed(&SERVER.conn, rec, n, &used), TENON_ERR_TLS_BAD_RECORD_MAC);
    CHECK_RC(tenon_conn_write(&SERVER.conn, "x", 1, &w), TENON_ERR_TLS_BAD_RECORD_MAC);
    CHECK_RC(tenon_conn_read(&SERVER.conn, buf, sizeof buf, &n), TENON_ERR_TLS_BAD_RECORD_MAC);
    CHECK_RC(tenon_conn_close(&SERVER.conn), TENON_ERR_TLS_BAD_RECORD_MAC);
    CHECK_RC(tenon_conn_key_update(&SERVER.conn, 0), TENON_ERR_TLS_BAD_RECORD_MAC);
    CHECK(tenon_conn_status(&SERVER.conn) & TENON_FAILED);

    /* A change_cipher_spec after the handshake is unexpected (§5). */
    connect_default();
    static const uint8_t ccs[] = {20, 3, 3, 0, 1, 1};
    CHECK_RC(tenon_conn_feed(&SERVER.conn, ccs, sizeof ccs, &used),
             TENON_ERR_TLS_UNEXPECTED_MESSAGE);

    /* The transport ends without close_notify: truncation, sticky. */
    connect_default();
    CHECK_RC(tenon_conn_transport_eof(&CLIENT.conn), TENON_ERR_TLS_TRUNCATED);
    CHECK_RC(tenon_conn_read(&CLIENT.conn, buf, sizeof buf, &n), TENON_ERR_TLS_TRUNCATED);
    CHECK(tenon_conn_status(&CLIENT.conn) & TENON_FAILED);

    /* An alert from the peer is reported with its description; none is sent back. */
    connect_default();
    CHECK_RC(tenon_conn_close(&CLIENT.conn), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK_RC(tenon_conn_transport_eof(&SERVER.conn), 0);
    CHECK_RC(tenon_error_alert(TENON_ERR_TLS_PEER_ALERT), -1);
    CHECK(strcmp(tenon_alert_name(TENON_ALERT_MISSING_EXTENSION), "missing_extension") == 0);
}

/* ---- ServerHellos built here ---- */

static size_t build_server_hello(uint8_t *out, const uint8_t *random, const uint8_t *sid,
                                 size_t sid_len, uint16_t suite, const uint8_t *exts,
                                 size_t exts_len, int with_exts)
{
    size_t body = 2 + 32 + 1 + sid_len + 2 + 1 + (with_exts ? 2 + exts_len : 0);
    size_t o = 0;
    out[o++] = 22, out[o++] = 3, out[o++] = 3, out[o++] = (uint8_t)((body + 4) >> 8);
    out[o++] = (uint8_t)(body + 4);
    out[o++] = 2, out[o++] = 0, out[o++] = (uint8_t)(body >> 8), out[o++] = (uint8_t)body;
    out[o++] = 3, out[o++] = 3;
    memcpy(out + o, random, 32), o += 32;
    out[o++] = (uint8_t)sid_len;
    memcpy(out + o, sid, sid_len), o += sid_len;
    out[o++] = (uint8_t)(suite >> 8), out[o++] = (uint8_t)suite, out[o++] = 0;
    if (with_exts) {
        out[o++] = (uint8_t)(exts_len >> 8), out[o++] = (uint8_t)exts_len;
        memcpy(out + o, exts, exts_len), o += exts_len;
    }
    return o;
}

/* A client that has sent its ClientHello, fed one ServerHello; its error and alert. */
static int client_verdict(const uint8_t *sh, size_t len, int *alert)
{
    const uint8_t *p;
    size_t n, used;
    tenon_conn_output(&CLIENT.conn, &p, &n);
    tenon_conn_output_consume(&CLIENT.conn, n);
    int rc = tenon_conn_feed(&CLIENT.conn, sh, len, &used);
    tenon_conn_output(&CLIENT.conn, &p, &n);
    *alert = (n >= 7 && p[n - 7] == 21) ? p[n - 1] : -1;
    return rc;
}

#define EXPECT_CLIENT(sh, len, err, alert_desc)                                                    \
    do {                                                                                           \
        int a_;                                                                                    \
        CHECK_RC(client_verdict((sh), (len), &a_), (err));                                         \
        if (!CHECK(a_ == (alert_desc)))                                                            \
            fprintf(stderr, "    alert %d, expected %d\n", a_, (alert_desc));                      \
    } while (0)

static void fresh_client(uint8_t *sid)
{
    client_config(&CLIENT.cfg);
    CLIENT.cfg.suites[0] = TENON_TLS_AES_128_GCM_SHA256;
    CLIENT.cfg.suite_count = 1;
    CHECK_RC(tenon_conn_init(&CLIENT.conn, &CLIENT.cfg, CLIENT.in, sizeof CLIENT.in, CLIENT.out,
                             sizeof CLIENT.out),
             0);
    const uint8_t *p;
    size_t n;
    tenon_conn_output(&CLIENT.conn, &p, &n);
    memcpy(sid, p + 5 + 4 + 2 + 32 + 1, 32);
}

static void test_server_hello_parsing(void)
{
    static uint8_t sh[512];
    uint8_t sid[32], random[32], other[32];
    memset(random, 0x5a, 32);
    memset(other, 0x11, 32);
    /* supported_versions(0304) + key_share(x25519, the base point 9) */
    uint8_t good[6 + 4 + 4 + 32] = {0, 43, 0, 2, 3, 4, 0, 51, 0, 36, 0, 29, 0, 32, 9};
    size_t n;

    fresh_client(sid);
    n = build_server_hello(sh, random, sid, 32, 0x1301, good, sizeof good, 1);
    int a;
    CHECK_RC(client_verdict(sh, n, &a), 0); /* accepted: now waiting for EncryptedExtensions */

    /* §4.1.3: a TLS 1.2 answer carrying the downgrade sentinel. */
    fresh_client(sid);
    uint8_t down[32];
    memset(down, 0x33, 32);
    memcpy(down + 24, "DOWNGRD\x01", 8);
    n = build_server_hello(sh, down, sid, 32, 0xc02f, NULL, 0, 0);
    EXPECT_CLIENT(sh, n, TENON_ERR_TLS_DOWNGRADE, TENON_ALERT_ILLEGAL_PARAMETER);
    fresh_client(sid);
    memcpy(down + 24, "DOWNGRD\x00", 8);
    n = build_server_hello(sh, down, sid, 32, 0xc02f, NULL, 0, 0);
    EXPECT_CLIENT(sh, n, TENON_ERR_TLS_DOWNGRADE, TENON_ALERT_ILLEGAL_PARAMETER);
    fresh_client(sid);
    n = build_server_hello(sh, random, sid, 32, 0xc02f, NULL, 0, 0);
    EXPECT_CLIENT(sh, n, TENON_ERR_TLS_NO_COMMON_VERSION, TENON_ALERT_PROTOCOL_VERSION);

    fresh_client(sid);
    n = build_server_hello(sh, random, other, 32, 0x1301, good, sizeof good, 1);
    EXPECT_CLIENT(sh, n, TENON_ERR_TLS_ILLEGAL_PARAMETER, TENON_ALERT_ILLEGAL_PARAMETER);

    fresh_client(sid);
    n = build_server_hello(sh, random, sid, 32, 0x1302, good, sizeof good, 1);
    EXPECT_CLIENT(sh, n, TENON_ERR_TLS_ILLEGAL_PARAMETER, TENON_ALERT_ILLEGAL_PARAMETER);

    /* server_name is known but not allowed in a ServerHello; an unknown one was not asked. */
    uint8_t exts[128];
    memcpy(exts, good, sizeof good);
    memcpy(exts + sizeof good, "\x00\x00\x00\x00", 4);
    fresh_client(sid);
    n = build_server_hello(sh, random, sid, 32, 0x1301, exts, sizeof good + 4, 1);
    EXPECT_CLIENT(sh, n, TENON_ERR_TLS_ILLEGAL_PARAMETER, TENON_ALERT_ILLEGAL_PARAMETER);
    memcpy(exts + sizeof good, "\x77\x77\x00\x00", 4);
    fresh_client(sid);
    n = build_server_hello(sh, random, sid, 32, 0x1301, exts, sizeof good + 4, 1);
    EXPECT_CLIENT(sh, n, TENON_ERR_TLS_UNSUPPORTED_EXTENSION, TENON_ALERT_UNSUPPORTED_EXTENSION);
    /* A pre_shared_key answer to no offer. */
    memcpy(exts + sizeof good, "\x00\x29\x00\x02\x00\x00", 6);
    fresh_client(sid);
    n = build_server_hello(sh, random, sid, 32, 0x1301, exts, sizeof good + 6, 1);
    EXPECT_CLIENT(sh, n, TENON_ERR_TLS_UNSUPPORTED_EXTENSION, TENON_ALERT_UNSUPPORTED_EXTENSION);
    /* The same extension twice (§4.2; decode_error). */
    memcpy(exts + sizeof good, good, 6);
    fresh_client(sid);
    n = build_server_hello(sh, random, sid, 32, 0x1301, exts, sizeof good + 6, 1);
    EXPECT_CLIENT(sh, n, TENON_ERR_TLS_DECODE, TENON_ALERT_DECODE_ERROR);

    /* A share in a group we did not send one for; a version we did not offer. */
    uint8_t wrong_group[sizeof good];
    memcpy(wrong_group, good, sizeof good);
    wrong_group[11] = 23;
    fresh_client(sid);
    n = build_server_hello(sh, random, sid, 32, 0x1301, wrong_group, sizeof good, 1);
    EXPECT_CLIENT(sh, n, TENON_ERR_TLS_ILLEGAL_PARAMETER, TENON_ALERT_ILLEGAL_PARAMETER);
    uint8_t wrong_version[sizeof good];
    memcpy(wrong_version, good, sizeof good);
    wrong_version[5] = 3;
    fresh_client(sid);
    n = build_server_hello(sh, random, sid, 32, 0x1301, wrong_version, sizeof good, 1);
    EXPECT_CLIENT(sh, n, TENON_ERR_TLS_ILLEGAL_PARAMETER, TENON_ALERT_ILLEGAL_PARAMETER);

    /* Missing key_share. */
    fresh_client(sid);
    n = build_server_hello(sh, random, sid, 32, 0x1301, good, 6, 1);
    EXPECT_CLIENT(sh, n, TENON_ERR_TLS_MISSING_EXTENSION, TENON_ALERT_MISSING_EXTENSION);

    /* HelloRetryRequests: one that changes nothing, and a second one. */
    static const uint8_t HRR[32] = {0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
                                    0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
                                    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
                                    0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
    uint8_t hrr_x25519[] = {0, 43, 0, 2, 3, 4, 0, 51, 0, 2, 0, 29};
    fresh_client(sid);
    n = build_server_hello(sh, HRR, sid, 32, 0x1301, hrr_x25519, sizeof hrr_x25519, 1);
    EXPECT_CLIENT(sh, n, TENON_ERR_TLS_ILLEGAL_PARAMETER, TENON_ALERT_ILLEGAL_PARAMETER);
    uint8_t hrr_p256[] = {0, 43, 0, 2, 3, 4, 0, 51, 0, 2, 0, 23};
    fresh_client(sid);
    n = build_server_hello(sh, HRR, sid, 32, 0x1301, hrr_p256, sizeof hrr_p256, 1);
    CHECK_RC(client_verdict(sh, n, &a), 0);
    /* The client answered with a second ClientHello (after its change_cipher_spec). */
    const uint8_t *p;
    size_t out;
    tenon_conn_output(&CLIENT.conn, &p, &out);
    CHECK(out > 12 && p[0] == 20 && p[6] == 22 && p[11] == 1);
    EXPECT_CLIENT(sh, n, TENON_ERR_TLS_UNEXPECTED_MESSAGE, TENON_ALERT_UNEXPECTED_MESSAGE);
    /* Trailing bytes after a ServerHello's extensions. */
    fresh_client(sid);
    uint8_t trail[sizeof good + 1];
    memcpy(trail, good, sizeof good);
    trail[sizeof good] = 0;
    n = build_server_hello(sh, random, sid, 32, 0x1301, good, sizeof good, 1);
    sh[n] = 0;
    sh[4]++, sh[8]++;
    EXPECT_CLIENT(sh, n + 1, TENON_ERR_TLS_DECODE, TENON_ALERT_DECODE_ERROR);
}

/* §4.2.10: a server ignores 0-RTT it did not accept, within a bound. */
static void test_early_data_skipped(void)
{
    static uint8_t rec[4096];
    ch_parts ch;
    get_client_hello(&ch);
    remove_ext(&ch, EXT_PRE_SHARED_KEY);
    append_ext(&ch, EXT_EARLY_DATA, NULL, 0);
    size_t n = build_client_hello(&ch, rec);
    int a;
    CHECK_RC(server_verdict(rec, n, &a), 0);
    const uint8_t *p;
    size_t out, used;
    tenon_conn_output(&SERVER.conn, &p, &out);
    /* No early_data in the answer: the server's flight has no such extension to find, and
     * "early records" (garbage under the handshake key) are dropped. */
    tenon_conn_output_consume(&SERVER.conn, out);
    static uint8_t junk[5 + 200];
    junk[0] = 23, junk[1] = 3, junk[2] = 3, junk[3] = 0, junk[4] = 200;
    tu_rand(junk + 5, 200);
    for (int i = 0; i < 5; i++)
        CHECK_RC(tenon_conn_feed(&SERVER.conn, junk, sizeof junk, &used), 0);
    CHECK_RC(tenon_conn_error(&SERVER.conn), 0);
    /* Past the bound, it is bad_record_mac. */
    int rc = 0;
    for (int i = 0; i < 2000 && rc == 0; i++)
        rc = tenon_conn_feed(&SERVER.conn, junk, sizeof junk, &used);
    CHECK_RC(rc, TENON_ERR_TLS_BAD_RECORD_MAC);
}

/* A Certificate message over 2^14 bytes: fragmented by the server, reassembled by the client. */
static void test_large_certificate(void)
{
    EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 9);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L);
    X509_set_pubkey(x, pk);
    X509_NAME *nm = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1,
                               0);
    X509_set_issuer_name(x, nm);
    static char san[40000];
    size_t o = (size_t)snprintf(san, sizeof san, "DNS:localhost");
    for (int i = 0; i < 900; i++)
        o += (size_t)snprintf(san + o, sizeof san - o, ",DNS:host%04d.example.com", i);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name, san);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    CHECK(X509_sign(x, pk, EVP_sha256()) > 0);
    static uint8_t der[40000];
    unsigned char *p = der;
    int len = i2d_X509(x, &p);
    CHECK(len > 17000 && len < 30000);
    unsigned char *kd = NULL;
    int klen = i2d_PrivateKey(pk, &kd);
    static tenon_private_key key;
    CHECK_RC(tenon_private_key_parse_der(&key, kd, (size_t)klen), 0);
    OPENSSL_free(kd);
    X509_free(x);
    EVP_PKEY_free(pk);

    tenon_x509_cert roots[1];
    tenon_x509_store store;
    tenon_x509_store_init(&store, roots, 1);
    CHECK_RC(tenon_x509_store_add_der(&store, der, (size_t)len), 0);
    client_config(&CLIENT.cfg);
    CLIENT.cfg.trust = &store;
    tenon_config_init(&SERVER.cfg, TENON_SERVER);
    tenon_bytes chain[1] = {{der, (size_t)len}};
    CHECK_RC(tenon_config_add_cert(&SERVER.cfg, chain, 1, &key, NULL), 0);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(both_done(&CLIENT, &SERVER));
    tenon_conn_info ci;
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK(ci.peer_chain_count == 1 && ci.peer_chain[0].len == (size_t)len &&
          memcmp(ci.peer_chain[0].ptr, der, (size_t)len) == 0);
    static uint8_t data[3000];
    CHECK(exchange(&SERVER.conn, &CLIENT.conn, data, sizeof data));
}

int main(void)
{
    tu_seed(2);
    if (!CHECK(pki_setup() == 0))
        return tu_finish("test_tls13_alerts");
    test_client_hello_parsing();
    test_records();
    test_after_handshake();
    test_server_hello_parsing();
    test_early_data_skipped();
    test_large_certificate();
    return tu_finish("test_tls13_alerts");
}
