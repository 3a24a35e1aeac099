/*
 * Issue 11, hello and extension hardening: each case is a deviation found by independent
 * testing, fed to an engine as the wire would bring it, and must end with the alert the RFC
 * names (or, where the RFC says to ignore something, with a handshake that goes on).
 *
 *   duplicates     any extension twice in one block, known or not: decode_error, before any
 *                  other check of the block (RFC 8446 §4.2), in every message;
 *   tickets        unknown NewSessionTicket extensions ignored (§4.6.1); psk_key_exchange_modes
 *                  announced by a client that keeps tickets, and tickets only for clients that
 *                  announce psk_dhe_ke (§4.2.9);
 *   solicited      a TLS 1.2 server answers only extensions the client sent (RFC 5246
 *                  §7.4.1.4, RFC 8422 §5.2); a client refuses unsolicited ones;
 *   versions       legacy_version 0x0300 or below: protocol_version (RFC 8446 §D.5);
 *   long lists     key shares, groups and signature schemes beyond any fixed count (§4.2.8);
 *   certificates   extensions on the leaf CertificateEntry that nobody asked for (§4.4.2);
 *   cookies        HelloRetryRequest cookies of any length the buffers hold (§4.2.2);
 *   stapling       status_request, CertificateStatus and signed_certificate_timestamp: only
 *                  what was asked, well-formed (decode_error otherwise), CertificateStatus only
 *                  after an acknowledged request (unexpected_message) and optional even then
 *                  (RFC 6066 §8, RFC 6962 §3.3.1, RFC 8446 §4.4.2.1).
 *
 * Hellos are real ones from the engines, taken apart and rebuilt with the library's own cursor
 * and writer; encrypted messages are sealed with a copy of the receiver's read keys.
 */
#include "test_tls13_harness.h"

#include "tls/tls13.h"

#define OK(expr) CHECK((expr) == TENON_OK)

/* ---- Hello messages taken apart ---- */

typedef struct hello {
    uint8_t type;      /* HS_CLIENT_HELLO or HS_SERVER_HELLO */
    uint8_t head[320]; /* legacy_version .. compression method(s) */
    size_t head_len;
    uint8_t exts[65536]; /* the extensions, without the vector's length */
    size_t exts_len;
} hello;

static hello H;
static uint8_t MSG[1 << 17], RECS[1 << 17];

/* The next record of a stream: its type and body; 0 at the end (or a cut record). */
static int next_record(cursor *c, uint8_t *type, cursor *body)
{
    uint16_t version;
    return cur_u8(c, type) == 0 && cur_u16(c, &version) == 0 && cur_vec(c, 2, 0, 0xffff, body) == 0;
}

/* The handshake payload of a stream of plaintext records (other record types skipped). */
static size_t unframe(const uint8_t *p, size_t n, uint8_t *out)
{
    size_t o = 0;
    cursor c = cur_init(p, n), body = {0};
    uint8_t type;
    while (next_record(&c, &type, &body))
        if (type == TLS_CT_HANDSHAKE)
            memcpy(out + o, body.p, body.len), o += body.len;
    return o;
}

/* Handshake messages into plaintext records of at most 2^14 bytes. */
static size_t frame(const uint8_t *msgs, size_t len, uint8_t *out)
{
    writer w = wr_init(out, sizeof RECS);
    for (size_t off = 0; off < len;) {
        size_t n = len - off > TLS_MAX_PLAINTEXT ? TLS_MAX_PLAINTEXT : len - off;
        wr_vec v = {0, 0};
        OK(wr_u8(&w, TLS_CT_HANDSHAKE));
        OK(wr_u16(&w, TENON_TLS12));
        OK(wr_open_vec(&w, 2, &v));
        OK(wr_bytes(&w, msgs + off, n));
        OK(wr_close_vec(&w, &v));
        off += n;
    }
    return w.len;
}

/* Takes apart the first handshake message of msg (a ClientHello or ServerHello). */
static void hello_take(hello *h, const uint8_t *msg, size_t len)
{
    cursor c = cur_init(msg, len), body = {0}, v = {0};
    const uint8_t *skip;
    uint8_t type = 0;
    OK(cur_u8(&c, &type));
    OK(cur_vec(&c, 3, 0, 0xffffff, &body));
    h->type = type;
    const uint8_t *start = body.p;
    OK(cur_bytes(&body, 34, &skip)); /* legacy_version, random */
    OK(cur_vec(&body, 1, 0, 32, &v));
    if (type == HS_CLIENT_HELLO) {
        OK(cur_vec(&body, 2, 2, 0xfffe, &v));
        OK(cur_vec(&body, 1, 1, 255, &v));
    } else {
        OK(cur_bytes(&body, 3, &skip)); /* cipher_suite, compression */
    }
    h->head_len = (size_t)(body.p - start);
    memcpy(h->head, start, h->head_len);
    OK(cur_vec(&body, 2, 0, 0xffff, &v));
    memcpy(h->exts, v.p, v.len);
    h->exts_len = v.len;
}

/* The first Hello in an engine's output (after any change_cipher_spec), taken apart. */
static void hello_of_output(tenon_conn *conn, hello *h)
{
    const uint8_t *p;
    size_t n;
    tenon_conn_output(conn, &p, &n);
    hello_take(h, MSG, unframe(p, n, MSG));
}

/* The hello as a handshake message. */
static size_t hello_msg(const hello *h, uint8_t *out)
{
    writer w = wr_init(out, sizeof MSG);
    wr_vec body = {0, 0}, exts = {0, 0};
    OK(wr_u8(&w, h->type));
    OK(wr_open_vec(&w, 3, &body));
    OK(wr_bytes(&w, h->head, h->head_len));
    OK(wr_open_vec(&w, 2, &exts));
    OK(wr_bytes(&w, h->exts, h->exts_len));
    OK(wr_close_vec(&w, &exts));
    OK(wr_close_vec(&w, &body));
    return w.len;
}

/* The body of extension type in the hello; 0 if absent. at: its offset in exts (header). */
static int hello_ext(const hello *h, uint16_t type, cursor *out, size_t *at)
{
    cursor c = cur_init(h->exts, h->exts_len);
    while (cur_remaining(&c) > 0) {
        size_t here = h->exts_len - cur_remaining(&c);
        uint16_t t;
        cursor body = {0};
        if (cur_u16(&c, &t) != 0 || cur_vec(&c, 2, 0, 0xffff, &body) != 0)
            return 0;
        if (t == type) {
            *out = body;
            if (at != NULL)
                *at = here;
            return 1;
        }
    }
    return 0;
}

static void hello_drop(hello *h, uint16_t type)
{
    cursor body = {0};
    size_t at;
    if (!hello_ext(h, type, &body, &at))
        return;
    size_t end = (size_t)(body.p - h->exts) + body.len;
    memmove(h->exts + at, h->exts + end, h->exts_len - end);
    h->exts_len -= end - at;
}

static void hello_add(hello *h, uint16_t type, const uint8_t *body, size_t len)
{
    writer w = wr_init(h->exts + h->exts_len, sizeof h->exts - h->exts_len);
    OK(wr_u16(&w, type));
    OK(wr_u16(&w, (uint16_t)len));
    OK(wr_bytes(&w, body, len));
    h->exts_len += w.len;
}

static void hello_replace(hello *h, uint16_t type, const uint8_t *body, size_t len)
{
    hello_drop(h, type);
    hello_add(h, type, body, len);
}

/* The description of the last plaintext alert in an engine's output, or -1. */
static int plain_alert(tenon_conn *conn)
{
    const uint8_t *p;
    size_t n;
    int alert = -1;
    tenon_conn_output(conn, &p, &n);
    cursor c = cur_init(p, n), body = {0};
    uint8_t type;
    while (next_record(&c, &type, &body))
        if (type == TLS_CT_ALERT && body.len == 2)
            alert = body.p[1];
    return alert;
}

#define EXPECT(rc_expr, err, alert_expr, alert_desc)                                               \
    do {                                                                                           \
        CHECK_RC((rc_expr), (err));                                                                \
        int a_ = (alert_expr);                                                                     \
        if (!CHECK(a_ == (alert_desc)))                                                            \
            fprintf(stderr, "    alert %d, expected %d\n", a_, (alert_desc));                      \
    } while (0)

/* ---- a server fed a ClientHello ---- */

/* The ClientHello of a client with cfg, taken apart into H. */
static void client_hello_of(const tenon_config *cfg)
{
    CLIENT.cfg = *cfg;
    OK(tenon_conn_init(&CLIENT.conn, &CLIENT.cfg, CLIENT.in, sizeof CLIENT.in, CLIENT.out,
                       sizeof CLIENT.out));
    hello_of_output(&CLIENT.conn, &H);
}

static void default_client_hello(void)
{
    tenon_config cfg;
    client_config(&cfg);
    classical_groups(&cfg);
    client_hello_of(&cfg);
}

/* A fresh server (SERVER.cfg as set) fed H; its error. */
static int server_fed_hello(void)
{
    size_t m = hello_msg(&H, MSG), r = frame(MSG, m, RECS), used;
    OK(tenon_conn_init(&SERVER.conn, &SERVER.cfg, SERVER.in, sizeof SERVER.in, SERVER.out,
                       sizeof SERVER.out));
    return tenon_conn_feed(&SERVER.conn, RECS, r, &used);
}

#define EXPECT_SERVER(err, alert_desc)                                                             \
    EXPECT(server_fed_hello(), err, plain_alert(&SERVER.conn), alert_desc)

/* The server keeps serving: a normal handshake with its configuration. */
static void serve_again(void)
{
    client_config(&CLIENT.cfg);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(both_done(&CLIENT, &SERVER));
}

/* ---- a client fed a ServerHello ---- */

static uint8_t SID[32];
static size_t sid_len;

static void fresh_client(const tenon_config *cfg, size_t out_len)
{
    CLIENT.cfg = *cfg;
    OK(tenon_conn_init(&CLIENT.conn, &CLIENT.cfg, CLIENT.in, sizeof CLIENT.in, CLIENT.out,
                       out_len));
    hello h;
    hello_of_output(&CLIENT.conn, &h);
    sid_len = h.head[34];
    memcpy(SID, h.head + 35, sid_len);
    tenon_conn_output_consume(&CLIENT.conn, out_len);
}

/* A ServerHello (or HelloRetryRequest) into H: version, random, our session ID, suite. */
static void server_hello(uint16_t version, const uint8_t *random, uint16_t suite)
{
    writer w = wr_init(H.head, sizeof H.head);
    wr_vec v = {0, 0};
    H.type = HS_SERVER_HELLO;
    OK(wr_u16(&w, version));
    OK(wr_bytes(&w, random, 32));
    OK(wr_open_vec(&w, 1, &v));
    OK(wr_bytes(&w, SID, sid_len));
    OK(wr_close_vec(&w, &v));
    OK(wr_u16(&w, suite));
    OK(wr_u8(&w, 0));
    H.head_len = w.len;
    H.exts_len = 0;
}

static int client_fed_hello(void)
{
    size_t m = hello_msg(&H, MSG), r = frame(MSG, m, RECS), used;
    return tenon_conn_feed(&CLIENT.conn, RECS, r, &used);
}

#define EXPECT_CLIENT(err, alert_desc)                                                             \
    EXPECT(client_fed_hello(), err, plain_alert(&CLIENT.conn), alert_desc)

static const uint8_t RANDOM[32] = {0x5a, 0x5a, 0x5a, 1, 2, 3};
static const uint8_t HRR_RANDOM[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
static const uint8_t SV13[] = {3, 4};
/* An X25519 share (the base point: any valid public key will do for parsing). */
static const uint8_t SHARE_X25519[4 + 32] = {0, 29, 0, 32, 9};

/* ---- encrypted messages ---- */

/* Seals handshake messages with a copy of keys (the receiver's read keys: same sequence). */
static size_t seal(const tls_record_keys *keys, const uint8_t *msgs, size_t len, uint8_t *out)
{
    static tls_record_keys k;
    k = *keys;
    size_t o = 0;
    for (size_t off = 0; off < len;) {
        size_t n = len - off > TLS_MAX_PLAINTEXT ? TLS_MAX_PLAINTEXT : len - off, rec;
        OK(tls13_seal_record(&k, TLS_CT_HANDSHAKE, msgs + off, n, 0, out + o, sizeof RECS - o,
                             &rec));
        o += rec;
        off += n;
    }
    return o;
}

/* Client and server started; the ClientHello given to the server. The client has not seen the
 * server's answer, which stays in SERVER's output. */
static void start_to_server(void)
{
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    CHECK(transfer(&CLIENT.conn, &SERVER.conn) > 0);
}

/* The client right after the ServerHello: only the ServerHello record of the server's flight
 * is given to it; the rest is dropped. */
static void client_after_server_hello(void)
{
    start_to_server();
    const uint8_t *p;
    size_t n, used;
    tenon_conn_output(&SERVER.conn, &p, &n);
    size_t sh = 5 + (((size_t)p[3] << 8) | p[4]);
    OK(tenon_conn_feed(&CLIENT.conn, p, sh, &used));
    tenon_conn_output_consume(&SERVER.conn, n);
    CHECK(tls_conn_of(&CLIENT.conn)->state == ST_C_WAIT_EE);
}

/* The same, with what the client sent after the ServerHello (the compatibility
 * change_cipher_spec) delivered, so that it takes the next records at once. */
static void client_after_server_hello_sent(void)
{
    client_after_server_hello();
    (void)transfer(&CLIENT.conn, &SERVER.conn);
}

/* Feeds to conn handshake messages sealed with its read keys; its error. The alert it sends
 * goes to peer (tenon_conn_peer_alert(peer) tells it). */
static int sealed_to(endpoint *e, endpoint *peer, const uint8_t *msgs, size_t len)
{
    size_t r = seal(&tls_conn_of(&e->conn)->rd, msgs, len, RECS), used;
    int rc = tenon_conn_feed(&e->conn, RECS, r, &used);
    (void)transfer(&e->conn, &peer->conn);
    return rc;
}

/* A Certificate message: entries (DER, extensions) into out. */
typedef struct cert_entry {
    const uint8_t *der;
    size_t der_len;
    const uint8_t *exts; /* the extensions vector's body */
    size_t exts_len;
} cert_entry;

static size_t certificate_msg(const cert_entry *e, size_t n, uint8_t *out, size_t cap)
{
    writer w = wr_init(out, cap);
    wr_vec body = {0, 0}, list = {0, 0}, v = {0, 0};
    OK(wr_u8(&w, HS_CERTIFICATE));
    OK(wr_open_vec(&w, 3, &body));
    OK(wr_u8(&w, 0));
    OK(wr_open_vec(&w, 3, &list));
    for (size_t i = 0; i < n; i++) {
        OK(wr_open_vec(&w, 3, &v));
        OK(wr_bytes(&w, e[i].der, e[i].der_len));
        OK(wr_close_vec(&w, &v));
        OK(wr_open_vec(&w, 2, &v));
        OK(wr_bytes(&w, e[i].exts, e[i].exts_len));
        OK(wr_close_vec(&w, &v));
    }
    OK(wr_close_vec(&w, &list));
    OK(wr_close_vec(&w, &body));
    return w.len;
}

static const uint8_t EMPTY_EE[] = {HS_ENCRYPTED_EXTENSIONS, 0, 0, 2, 0, 0};

/* ==========================================================================================
 * Item 11: duplicate extensions
 * ========================================================================================== */

static void test_duplicates(void)
{
    static const uint8_t grease[] = {'a', 'b'};
    cursor body = {0};

    /* An unknown extension twice in a ClientHello (the server ignores unknown ones otherwise). */
    server_config(&SERVER.cfg, CERT_P256);
    default_client_hello();
    hello_add(&H, 0x7a7a, grease, 2);
    hello_add(&H, 0x7a7a, grease, 2);
    EXPECT_SERVER(TENON_ERR_TLS_DECODE, TENON_ALERT_DECODE_ERROR);
    /* A known one twice, TLS 1.3 and TLS 1.2. */
    default_client_hello();
    CHECK(hello_ext(&H, EXT_SUPPORTED_GROUPS, &body, NULL));
    hello_add(&H, EXT_SUPPORTED_GROUPS, body.p, body.len);
    EXPECT_SERVER(TENON_ERR_TLS_DECODE, TENON_ALERT_DECODE_ERROR);
    hello_drop(&H, EXT_SUPPORTED_VERSIONS);
    EXPECT_SERVER(TENON_ERR_TLS_DECODE, TENON_ALERT_DECODE_ERROR);
    /* Before any other check of the block: a misplaced pre_shared_key first. */
    default_client_hello();
    {
        uint8_t psk[2 + 2 + 1 + 4 + 2 + 1 + 32] = {0, 7, 0, 1, 'x', 0, 0, 0, 0, 0, 33, 32};
        static const uint8_t modes[] = {1, 1};
        hello_add(&H, EXT_PSK_KEY_EXCHANGE_MODES, modes, 2);
        hello_add(&H, EXT_PRE_SHARED_KEY, psk, sizeof psk);
        hello_add(&H, 0x7a7a, NULL, 0);
        hello_add(&H, 0x7a7a, NULL, 0);
    }
    EXPECT_SERVER(TENON_ERR_TLS_DECODE, TENON_ALERT_DECODE_ERROR);
    serve_again();

    /* ServerHellos: a known extension twice; an unknown one (unsupported_extension on its own)
     * before a duplicate; TLS 1.2. */
    tenon_config cfg;
    client_config(&cfg);
    uint8_t ks[2 + 2 + 32] = {0, 29, 0, 32, 9};
    fresh_client(&cfg, sizeof CLIENT.out);
    server_hello(TENON_TLS12, RANDOM, TENON_TLS_AES_128_GCM_SHA256);
    hello_add(&H, EXT_SUPPORTED_VERSIONS, SV13, 2);
    hello_add(&H, EXT_KEY_SHARE, ks, sizeof ks);
    hello_add(&H, EXT_SUPPORTED_VERSIONS, SV13, 2);
    EXPECT_CLIENT(TENON_ERR_TLS_DECODE, TENON_ALERT_DECODE_ERROR);
    fresh_client(&cfg, sizeof CLIENT.out);
    server_hello(TENON_TLS12, RANDOM, TENON_TLS_AES_128_GCM_SHA256);
    hello_add(&H, 0x7777, NULL, 0);
    hello_add(&H, EXT_SUPPORTED_VERSIONS, SV13, 2);
    hello_add(&H, EXT_KEY_SHARE, ks, sizeof ks);
    hello_add(&H, 0x7777, NULL, 0);
    EXPECT_CLIENT(TENON_ERR_TLS_DECODE, TENON_ALERT_DECODE_ERROR);
    cfg.max_version = TENON_TLS12;
    fresh_client(&cfg, sizeof CLIENT.out);
    server_hello(TENON_TLS12, RANDOM, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    static const uint8_t reneg[] = {0};
    hello_add(&H, EXT_RENEGOTIATION_INFO, reneg, 1);
    hello_add(&H, EXT_EXTENDED_MASTER_SECRET, NULL, 0);
    hello_add(&H, EXT_RENEGOTIATION_INFO, reneg, 1);
    EXPECT_CLIENT(TENON_ERR_TLS_DECODE, TENON_ALERT_DECODE_ERROR);

    /* EncryptedExtensions: server_name twice (the client sent one). */
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    client_after_server_hello_sent();
    static const uint8_t ee_dup[] = {
        HS_ENCRYPTED_EXTENSIONS, 0, 0, 10, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0};
    CHECK_RC(sealed_to(&CLIENT, &SERVER, ee_dup, sizeof ee_dup), TENON_ERR_TLS_DECODE);
    CHECK(tenon_conn_peer_alert(&SERVER.conn) == TENON_ALERT_DECODE_ERROR);

    /* A certificate entry with an unknown extension twice (on the second entry, where one
     * alone is ignored). */
    client_after_server_hello_sent();
    {
        static const uint8_t twice[] = {0x7a, 0x7a, 0, 0, 0x7a, 0x7a, 0, 0};
        cert_entry e[2] = {{PKI.p256_der, PKI.p256_len, NULL, 0},
                           {PKI.ca_der, PKI.ca_len, twice, sizeof twice}};
        size_t n = sizeof EMPTY_EE;
        memcpy(MSG, EMPTY_EE, n);
        n += certificate_msg(e, 2, MSG + n, sizeof MSG - n);
        CHECK_RC(sealed_to(&CLIENT, &SERVER, MSG, n), TENON_ERR_TLS_DECODE);
        CHECK(tenon_conn_peer_alert(&SERVER.conn) == TENON_ALERT_DECODE_ERROR);
    }
}

/* ==========================================================================================
 * Item 2 and item 3: NewSessionTicket extensions, psk_key_exchange_modes
 * ========================================================================================== */

static tenon_ticket SLOTS[2];
static tenon_ticket_store STORE;

static void ticket_keys(tenon_config *cfg)
{
    memset(cfg->ticket_keys[0].name, 0xaa, 16);
    memset(cfg->ticket_keys[0].key, 0x42, 32);
    cfg->ticket_key_count = 1;
}

/* A NewSessionTicket with the given extensions block body. */
static size_t nst_msg(const uint8_t *exts, size_t exts_len, uint8_t *out)
{
    writer w = wr_init(out, sizeof MSG);
    wr_vec body = {0, 0}, v = {0, 0};
    static const uint8_t nonce[8] = {1}, ticket[40] = {0xab, 0xcd};
    OK(wr_u8(&w, HS_NEW_SESSION_TICKET));
    OK(wr_open_vec(&w, 3, &body));
    OK(wr_u32(&w, 7200));
    OK(wr_u32(&w, 0x01020304));
    OK(wr_open_vec(&w, 1, &v));
    OK(wr_bytes(&w, nonce, sizeof nonce));
    OK(wr_close_vec(&w, &v));
    OK(wr_open_vec(&w, 2, &v));
    OK(wr_bytes(&w, ticket, sizeof ticket));
    OK(wr_close_vec(&w, &v));
    OK(wr_open_vec(&w, 2, &v));
    OK(wr_bytes(&w, exts, exts_len));
    OK(wr_close_vec(&w, &v));
    OK(wr_close_vec(&w, &body));
    return w.len;
}

/* A client with a ticket store, connected to a server that issues no tickets of its own. */
static void connected_ticket_client(void)
{
    tenon_ticket_store_init(&STORE, SLOTS, 2);
    client_config(&CLIENT.cfg);
    CLIENT.cfg.ticket_store = &STORE;
    server_config(&SERVER.cfg, CERT_P256);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK(!SLOTS[0].in_use && !SLOTS[1].in_use);
}

static void test_ticket_extensions(void)
{
    /* RFC 8446 §4.6.1: "Clients MUST ignore unrecognized extensions": a GREASE one (as
     * BoringSSL sends in every ticket) and early_data (max_early_data_size). */
    static const uint8_t grease[] = {0x1a, 0x1a, 0, 0, 0, 42, 0, 4, 0, 0, 0x40, 0};
    connected_ticket_client();
    size_t n = nst_msg(grease, sizeof grease, MSG);
    CHECK_RC(sealed_to(&CLIENT, &SERVER, MSG, n), 0);
    CHECK(SLOTS[0].in_use == 1 && SLOTS[0].ticket_len == 40 && SLOTS[0].ticket[0] == 0xab);
    CHECK(!(tenon_conn_status(&CLIENT.conn) & TENON_FAILED));
    /* (The server's own records would now be out of sequence: the ticket took one.) */
    CHECK(exchange(&CLIENT.conn, &SERVER.conn, (const uint8_t *)"still here", 10));

    /* A known extension a NewSessionTicket may not carry: illegal_parameter (§4.2). */
    static const uint8_t ks[] = {0, 51, 0, 2, 0, 29};
    connected_ticket_client();
    n = nst_msg(ks, sizeof ks, MSG);
    CHECK_RC(sealed_to(&CLIENT, &SERVER, MSG, n), TENON_ERR_TLS_ILLEGAL_PARAMETER);
    CHECK(tenon_conn_peer_alert(&SERVER.conn) == TENON_ALERT_ILLEGAL_PARAMETER);
    /* An unknown one twice: decode_error. */
    static const uint8_t twice[] = {0x1a, 0x1a, 0, 0, 0x1a, 0x1a, 0, 0};
    connected_ticket_client();
    n = nst_msg(twice, sizeof twice, MSG);
    CHECK_RC(sealed_to(&CLIENT, &SERVER, MSG, n), TENON_ERR_TLS_DECODE);
    CHECK(tenon_conn_peer_alert(&SERVER.conn) == TENON_ALERT_DECODE_ERROR);
    CHECK(!SLOTS[0].in_use);
    /* early_data whose body is not a uint32. */
    static const uint8_t early_short[] = {0, 42, 0, 2, 0, 0};
    connected_ticket_client();
    n = nst_msg(early_short, sizeof early_short, MSG);
    CHECK_RC(sealed_to(&CLIENT, &SERVER, MSG, n), TENON_ERR_TLS_DECODE);
}

/* 1 if the ClientHello in H lists psk_dhe_ke in psk_key_exchange_modes. */
static int offers_psk_dhe(void)
{
    cursor body = {0};
    int dhe = 0;
    return hello_ext(&H, EXT_PSK_KEY_EXCHANGE_MODES, &body, NULL) &&
           ext_psk_modes_parse(body, &dhe) == TENON_OK && dhe;
}

static void test_psk_modes(void)
{
    /* RFC 8446 §4.2.9: a client that keeps tickets announces psk_dhe_ke even without a ticket
     * to offer, so that servers issue it one. */
    tenon_config cfg;
    tenon_ticket_store_init(&STORE, SLOTS, 2);
    client_config(&cfg);
    cfg.ticket_store = &STORE;
    client_hello_of(&cfg);
    CHECK(offers_psk_dhe());
    CHECK(!hello_ext(&H, EXT_PRE_SHARED_KEY, &(cursor){0}, NULL));
    /* Not without a store (or a name to file tickets under), nor for TLS 1.2 alone. */
    client_config(&cfg);
    client_hello_of(&cfg);
    CHECK(!offers_psk_dhe());
    cfg.ticket_store = &STORE;
    cfg.server_name = NULL;
    cfg.trust = NULL;
    cfg.insecure_skip_verify = 1;
    client_hello_of(&cfg);
    CHECK(!offers_psk_dhe());
    client_config(&cfg);
    cfg.ticket_store = &STORE;
    cfg.max_version = TENON_TLS12;
    client_hello_of(&cfg);
    CHECK(!hello_ext(&H, EXT_PSK_KEY_EXCHANGE_MODES, &(cursor){0}, NULL));

    /* The server issues tickets only to clients that announce psk_dhe_ke (§4.2.9: "Servers
     * SHOULD NOT send NewSessionTicket with tickets that are not compatible with the advertised
     * modes"); tenon resumes with psk_dhe_ke only. */
    server_config(&SERVER.cfg, CERT_P256);
    ticket_keys(&SERVER.cfg);
    serve_again(); /* the client keeps no tickets */
    CHECK(tls_conn_of(&SERVER.conn)->tickets_sent == 0);
    tenon_ticket_store_init(&STORE, SLOTS, 2);
    client_config(&CLIENT.cfg);
    CLIENT.cfg.ticket_store = &STORE;
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK(tls_conn_of(&SERVER.conn)->tickets_sent == 1 && SLOTS[0].in_use == 1);
    /* ... and the next connection resumes with it. */
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    tenon_conn_info ci;
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK(ci.resumed);

    /* Modes listing psk_ke only: no ticket is promised. */
    client_config(&cfg);
    cfg.ticket_store = &STORE;
    tenon_ticket_store_init(&STORE, SLOTS, 2);
    client_hello_of(&cfg);
    static const uint8_t ke_only[] = {1, 0};
    hello_replace(&H, EXT_PSK_KEY_EXCHANGE_MODES, ke_only, 2);
    CHECK_RC(server_fed_hello(), 0);
    CHECK(!tls_conn_of(&SERVER.conn)->hs->client_psk_dhe);
    /* Malformed modes: decode_error even without a pre_shared_key. */
    static const uint8_t empty_modes[] = {0};
    hello_replace(&H, EXT_PSK_KEY_EXCHANGE_MODES, empty_modes, 1);
    EXPECT_SERVER(TENON_ERR_TLS_DECODE, TENON_ALERT_DECODE_ERROR);
    serve_again();
}

/* ==========================================================================================
 * Item 6: solicited extensions only (TLS 1.2)
 * ========================================================================================== */

static void tls12_client(tenon_config *cfg)
{
    client_config(cfg);
    cfg->max_version = TENON_TLS12;
}

static void test_solicited12(void)
{
    tenon_config cfg;
    cursor body = {0};
    /* RFC 8422 §5.2: ec_point_formats answers the client's; RFC 5246 §7.4.1.4: an extension
     * the client did not send must not be in the ServerHello. */
    server_config(&SERVER.cfg, CERT_P256);
    tls12_client(&cfg);
    client_hello_of(&cfg);
    hello_drop(&H, EXT_EC_POINT_FORMATS);
    CHECK_RC(server_fed_hello(), 0);
    hello_of_output(&SERVER.conn, &H);
    CHECK(!hello_ext(&H, EXT_EC_POINT_FORMATS, &body, NULL));
    CHECK(hello_ext(&H, EXT_RENEGOTIATION_INFO, &body, NULL));
    client_hello_of(&cfg);
    CHECK_RC(server_fed_hello(), 0);
    hello_of_output(&SERVER.conn, &H);
    CHECK(hello_ext(&H, EXT_EC_POINT_FORMATS, &body, NULL));
    /* Nothing the client did not send: without ALPN, EMS and renegotiation_info (the SCSV
     * asks for the last), only the SCSV's answer. */
    client_hello_of(&cfg);
    hello_drop(&H, EXT_EC_POINT_FORMATS);
    hello_drop(&H, EXT_EXTENDED_MASTER_SECRET);
    hello_drop(&H, EXT_RENEGOTIATION_INFO);
    hello_drop(&H, EXT_SERVER_NAME);
    hello_drop(&H, EXT_RECORD_SIZE_LIMIT); /* RFC 8449: answered only when sent */
    SERVER.cfg.require_extended_master_secret = 0;
    CHECK_RC(server_fed_hello(), 0);
    hello_of_output(&SERVER.conn, &H);
    CHECK(!hello_ext(&H, EXT_EC_POINT_FORMATS, &body, NULL));
    CHECK(!hello_ext(&H, EXT_EXTENDED_MASTER_SECRET, &body, NULL));
    CHECK(!hello_ext(&H, EXT_RENEGOTIATION_INFO, &body, NULL)); /* no SCSV from tenon */
    CHECK(H.exts_len == 0);

    /* Both versions end to end: a server with ALPN configured and a client that sends
     * neither ALPN nor SNI (an IP address) connect, the client refusing any unsolicited answer
     * (RFC 8446 §4.2, RFC 5246 §7.4.1.4). */
    for (int v12 = 0; v12 <= 1; v12++) {
        server_config(&SERVER.cfg, CERT_P256);
        SERVER.cfg.alpn[0] = "h2";
        SERVER.cfg.alpn_count = 1;
        client_config(&CLIENT.cfg);
        CLIENT.cfg.server_name = "127.0.0.1";
        if (v12)
            CLIENT.cfg.max_version = TENON_TLS12;
        CHECK_RC(start(&CLIENT, &SERVER), 0);
        pump(&CLIENT.conn, &SERVER.conn);
        CHECK(both_done(&CLIENT, &SERVER));
    }

    /* The client refuses what it did not ask for (§7.4.1.4: unsupported_extension). */
    static const uint8_t reneg[] = {0};
    static const struct {
        uint16_t type;
        uint8_t body[8];
        size_t len;
    } UNASKED[] = {
        {EXT_ENCRYPT_THEN_MAC, {0}, 0}, /* AEAD suites only offered */
        {EXT_SESSION_TICKET, {0}, 0},   /* no ticket store */
        {EXT_ALPN, {0, 3, 2, 'h', '2'}, 5},
        {EXT_SERVER_NAME, {0}, 0}, /* no SNI for an IP address below */
        {0x7777, {0}, 0},
        {EXT_KEY_SHARE, {0, 29, 0, 1, 9}, 5},
    };
    for (size_t i = 0; i < ARRAY_LEN(UNASKED); i++) {
        tls12_client(&cfg);
        if (UNASKED[i].type == EXT_SERVER_NAME)
            cfg.server_name = "127.0.0.1";
        fresh_client(&cfg, sizeof CLIENT.out);
        server_hello(TENON_TLS12, RANDOM, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        hello_add(&H, EXT_RENEGOTIATION_INFO, reneg, 1);
        hello_add(&H, EXT_EXTENDED_MASTER_SECRET, NULL, 0);
        hello_add(&H, UNASKED[i].type, UNASKED[i].body, UNASKED[i].len);
        int a;
        int rc = client_fed_hello();
        a = plain_alert(&CLIENT.conn);
        if (!CHECK(rc == TENON_ERR_TLS_UNSUPPORTED_EXTENSION &&
                   a == TENON_ALERT_UNSUPPORTED_EXTENSION))
            fprintf(stderr, "    extension %u: %d, alert %d\n", UNASKED[i].type, rc, a);
    }
    /* extended_master_secret to a client that did not offer it. */
    tls_test_client_omit = TLS_TEST_OMIT_EMS;
    tls12_client(&cfg);
    cfg.require_extended_master_secret = 0;
    fresh_client(&cfg, sizeof CLIENT.out);
    tls_test_client_omit = 0;
    server_hello(TENON_TLS12, RANDOM, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    hello_add(&H, EXT_RENEGOTIATION_INFO, reneg, 1);
    hello_add(&H, EXT_EXTENDED_MASTER_SECRET, NULL, 0);
    EXPECT_CLIENT(TENON_ERR_TLS_UNSUPPORTED_EXTENSION, TENON_ALERT_UNSUPPORTED_EXTENSION);
    /* The same ServerHello with only what was asked for is accepted. */
    tls12_client(&cfg);
    fresh_client(&cfg, sizeof CLIENT.out);
    server_hello(TENON_TLS12, RANDOM, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    hello_add(&H, EXT_RENEGOTIATION_INFO, reneg, 1);
    hello_add(&H, EXT_EXTENDED_MASTER_SECRET, NULL, 0);
    static const uint8_t formats[] = {1, 0};
    hello_add(&H, EXT_EC_POINT_FORMATS, formats, 2);
    CHECK_RC(client_fed_hello(), 0);
}

/* ==========================================================================================
 * Item 8: legacy_version 0x0300 and below
 * ========================================================================================== */

static void test_legacy_version(void)
{
    static const uint16_t OLD[] = {0x0300, 0x0200, 0x0002};
    server_config(&SERVER.cfg, CERT_P256);
    for (size_t i = 0; i < ARRAY_LEN(OLD); i++) {
        /* RFC 8446 §D.5: "Any endpoint receiving a Hello message with ClientHello.legacy_version
         * or ServerHello.legacy_version set to 0x0300 MUST abort the handshake with a
         * "protocol_version" alert." With TLS 1.3 offered, and with TLS 1.2 only. */
        default_client_hello();
        H.head[0] = (uint8_t)(OLD[i] >> 8), H.head[1] = (uint8_t)OLD[i];
        EXPECT_SERVER(TENON_ERR_TLS_PROTOCOL_VERSION, TENON_ALERT_PROTOCOL_VERSION);
        static const uint8_t only12[] = {2, 3, 3};
        hello_replace(&H, EXT_SUPPORTED_VERSIONS, only12, 3);
        EXPECT_SERVER(TENON_ERR_TLS_PROTOCOL_VERSION, TENON_ALERT_PROTOCOL_VERSION);
    }
    serve_again();
    /* RFC 8446 §4.2.1: with supported_versions, "servers MUST NOT use the
     * ClientHello.legacy_version value for version negotiation": 0x0301 and 0x0302 (older
     * clients' record-layer habit) still negotiate TLS 1.3. */
    static const uint16_t TLS10_11[] = {0x0301, 0x0302};
    for (size_t i = 0; i < ARRAY_LEN(TLS10_11); i++) {
        default_client_hello();
        H.head[0] = (uint8_t)(TLS10_11[i] >> 8), H.head[1] = (uint8_t)TLS10_11[i];
        CHECK_RC(server_fed_hello(), 0);
        CHECK(tls_conn_of(&SERVER.conn)->version == TENON_TLS13);
    }

    /* A TLS 1.3 ServerHello (and HelloRetryRequest) with legacy_version 0x0300. */
    tenon_config cfg;
    client_config(&cfg);
    fresh_client(&cfg, sizeof CLIENT.out);
    server_hello(0x0300, RANDOM, TENON_TLS_AES_128_GCM_SHA256);
    hello_add(&H, EXT_SUPPORTED_VERSIONS, SV13, 2);
    hello_add(&H, EXT_KEY_SHARE, SHARE_X25519, sizeof SHARE_X25519);
    EXPECT_CLIENT(TENON_ERR_TLS_PROTOCOL_VERSION, TENON_ALERT_PROTOCOL_VERSION);
    fresh_client(&cfg, sizeof CLIENT.out);
    server_hello(0x0300, HRR_RANDOM, TENON_TLS_AES_128_GCM_SHA256);
    static const uint8_t p256[] = {0, 23};
    hello_add(&H, EXT_SUPPORTED_VERSIONS, SV13, 2);
    hello_add(&H, EXT_KEY_SHARE, p256, 2);
    EXPECT_CLIENT(TENON_ERR_TLS_PROTOCOL_VERSION, TENON_ALERT_PROTOCOL_VERSION);
}

/* ==========================================================================================
 * Item 10: long key_share, supported_groups and signature_algorithms lists
 * ========================================================================================== */

/* H's key_share replaced by n unknown-group shares of key_len bytes, then (last) the client's
 * own X25519 share; supported_groups by the n unknown groups, then the client's. */
static void many_shares(size_t n, size_t key_len, size_t extra_groups)
{
    static uint8_t ks[65536], groups[65536];
    cursor old_ks = {0}, old_groups = {0}, list = {0}, entry = {0};
    CHECK(hello_ext(&H, EXT_KEY_SHARE, &old_ks, NULL));
    CHECK(hello_ext(&H, EXT_SUPPORTED_GROUPS, &old_groups, NULL));
    OK(cur_vec(&old_ks, 2, 0, 0xffff, &entry));
    OK(cur_vec(&old_groups, 2, 0, 0xffff, &list));
    writer w = wr_init(ks, sizeof ks), g = wr_init(groups, sizeof groups);
    wr_vec v = {0, 0}, gv = {0, 0};
    OK(wr_open_vec(&w, 2, &v));
    OK(wr_open_vec(&g, 2, &gv));
    for (size_t i = 0; i < n + extra_groups; i++) {
        uint16_t group = (uint16_t)(0x6000 + i);
        OK(wr_u16(&g, group));
        if (i >= n)
            continue;
        OK(wr_u16(&w, group));
        OK(wr_u16(&w, (uint16_t)key_len));
        for (size_t k = 0; k < key_len; k++)
            OK(wr_u8(&w, (uint8_t)(i + k)));
    }
    OK(wr_bytes(&w, entry.p, entry.len));
    OK(wr_bytes(&g, list.p, list.len));
    OK(wr_close_vec(&w, &v));
    OK(wr_close_vec(&g, &gv));
    /* Copy out before the block moves under the views. */
    static uint8_t ks_copy[65536], g_copy[65536];
    memcpy(ks_copy, ks, w.len);
    memcpy(g_copy, groups, g.len);
    hello_replace(&H, EXT_SUPPORTED_GROUPS, g_copy, g.len);
    hello_replace(&H, EXT_KEY_SHARE, ks_copy, w.len);
}

/* H's key_share: the three entries given, in this order. */
static void set_shares(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
                       const uint8_t *c, size_t c_len)
{
    uint8_t ks[512];
    writer w = wr_init(ks, sizeof ks);
    wr_vec v = {0, 0};
    OK(wr_open_vec(&w, 2, &v));
    OK(wr_bytes(&w, a, a_len));
    OK(wr_bytes(&w, b, b_len));
    OK(wr_bytes(&w, c, c_len));
    OK(wr_close_vec(&w, &v));
    hello_replace(&H, EXT_KEY_SHARE, ks, w.len);
}

/* The server answered H with a ServerHello in X25519, no HelloRetryRequest. */
static void expect_x25519(void)
{
    int rc = server_fed_hello();
    CHECK_RC(rc, 0);
    tls_conn *s = tls_conn_of(&SERVER.conn);
    CHECK(rc == 0 && !s->hrr && s->kex != NULL && s->kex->tls_group == 29);
}

static void test_long_lists(void)
{
    server_config(&SERVER.cfg, CERT_P256);
    classical_groups(&SERVER.cfg);
    /* RFC 8446 §4.2.8: shares for groups the server does not know are skipped. 20 shares, 40
     * unknown groups; a thousand tiny shares; shares filling a 40 KB ClientHello (three
     * records). */
    default_client_hello();
    many_shares(19, 32, 21);
    expect_x25519();
    default_client_hello();
    many_shares(1000, 1, 1000);
    expect_x25519();
    default_client_hello();
    many_shares(300, 100, 0);
    expect_x25519();
    CHECK(H.exts_len > 30000);
    /* The same group twice among the unknown ones is not ours to police; a known group twice
     * is illegal_parameter; so is a known group's share that supported_groups does not list. */
    default_client_hello();
    {
        static const uint8_t unknown[5] = {0x60, 0x01, 0, 1, 7};
        cursor ks = {0};
        CHECK(hello_ext(&H, EXT_KEY_SHARE, &ks, NULL));
        uint8_t own[36];
        memcpy(own, ks.p + 2, 36);
        set_shares(unknown, sizeof unknown, unknown, sizeof unknown, own, sizeof own);
        expect_x25519();
        set_shares(own, sizeof own, unknown, sizeof unknown, own, sizeof own);
        EXPECT_SERVER(TENON_ERR_TLS_ILLEGAL_PARAMETER, TENON_ALERT_ILLEGAL_PARAMETER);
    }
    default_client_hello();
    many_shares(40, 8, 0);
    {
        static const uint8_t no_x25519[] = {0, 4, 0, 23, 0, 24};
        hello_replace(&H, EXT_SUPPORTED_GROUPS, no_x25519, sizeof no_x25519);
        EXPECT_SERVER(TENON_ERR_TLS_ILLEGAL_PARAMETER, TENON_ALERT_ILLEGAL_PARAMETER);
    }
    /* Every share is checked for its form, known or not: an empty key_exchange, a truncated
     * entry. */
    default_client_hello();
    many_shares(40, 0, 0);
    EXPECT_SERVER(TENON_ERR_TLS_DECODE, TENON_ALERT_DECODE_ERROR);
    default_client_hello();
    {
        static const uint8_t cut[] = {0, 5, 0x60, 0, 0, 4, 1};
        hello_replace(&H, EXT_KEY_SHARE, cut, sizeof cut);
        EXPECT_SERVER(TENON_ERR_TLS_DECODE, TENON_ALERT_DECODE_ERROR);
    }
    /* After a HelloRetryRequest the second ClientHello holds one share: unknown ones count. */

    /* signature_algorithms: the schemes we know, wherever they are and however often the
     * others repeat (40 times rsa_pss_rsae_sha256 before ecdsa_secp256r1_sha256). */
    default_client_hello();
    {
        static uint8_t sigs[2 + 2 * 80];
        size_t o = 2;
        for (int i = 0; i < 40; i++)
            sigs[o++] = 0x08, sigs[o++] = 0x04;
        for (int i = 0; i < 38; i++)
            sigs[o++] = 0xfe, sigs[o++] = (uint8_t)i;
        sigs[o++] = 0x04, sigs[o++] = 0x03;
        sigs[0] = (uint8_t)((o - 2) >> 8), sigs[1] = (uint8_t)(o - 2);
        hello_replace(&H, EXT_SIGNATURE_ALGORITHMS, sigs, o);
    }
    expect_x25519();
    CHECK(tls_conn_of(&SERVER.conn)->hs->our_sig_scheme == TENON_SIG_ECDSA_SECP256R1_SHA256);
    serve_again();

    /* TLS 1.2: the server's group among 40 unknown ones and its scheme after repeats. */
    tenon_config cfg;
    tls12_client(&cfg);
    client_hello_of(&cfg);
    {
        static uint8_t groups[2 + 2 * 43];
        size_t o = 2;
        for (int i = 0; i < 40; i++)
            groups[o++] = 0x60, groups[o++] = (uint8_t)i;
        groups[o++] = 0, groups[o++] = 29;
        /* The certificate's curve (RFC 8422 §4: in TLS 1.2 the list binds the ECDSA key). */
        groups[o++] = 0, groups[o++] = 23;
        groups[0] = 0, groups[1] = (uint8_t)(o - 2);
        hello_replace(&H, EXT_SUPPORTED_GROUPS, groups, o);
    }
    CHECK_RC(server_fed_hello(), 0);
    CHECK(tls_conn_of(&SERVER.conn)->version == TENON_TLS12 &&
          tls_conn_of(&SERVER.conn)->kex != NULL &&
          tls_conn_of(&SERVER.conn)->kex->tls_group == 29);
}

/* A client with a certificate (TLS 1.2 only if tls12) and a server that asks for one. */
static void client_auth_configs(int tls12)
{
    tenon_bytes chain[1] = {{PKI.client_der, PKI.client_len}};
    client_config(&CLIENT.cfg);
    if (tls12)
        CLIENT.cfg.max_version = TENON_TLS12;
    CHECK_RC(tenon_config_add_cert(&CLIENT.cfg, chain, 1, &PKI.client_key, NULL), 0);
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.client_auth = TENON_CLIENT_AUTH_REQUEST;
    SERVER.cfg.trust = &PKI.store;
}

/* TLS 1.2 CertificateRequest: supported_signature_algorithms longer than any fixed list. */
static void test_long_lists12(void)
{
    client_auth_configs(1);
    start_to_server();
    const uint8_t *p;
    size_t n, used;
    tenon_conn_output(&SERVER.conn, &p, &n);
    static uint8_t flight[16384], edited[16384];
    size_t len = unframe(p, n, flight), o = 0;
    tenon_conn_output_consume(&SERVER.conn, n);
    /* The flight with our CertificateRequest in place of the server's. */
    cursor c = cur_init(flight, len);
    while (cur_remaining(&c) > 0) {
        const uint8_t *m = c.p;
        uint8_t type;
        cursor body = {0};
        OK(cur_u8(&c, &type));
        OK(cur_vec(&c, 3, 0, 0xffffff, &body));
        if (type != HS_CERTIFICATE_REQUEST) {
            memcpy(edited + o, m, 4 + body.len), o += 4 + body.len;
            continue;
        }
        writer w = wr_init(edited + o, sizeof edited - o);
        wr_vec b = {0, 0}, v = {0, 0};
        OK(wr_u8(&w, HS_CERTIFICATE_REQUEST));
        OK(wr_open_vec(&w, 3, &b));
        OK(wr_open_vec(&w, 1, &v));
        OK(wr_u8(&w, 64));
        OK(wr_close_vec(&w, &v));
        OK(wr_open_vec(&w, 2, &v));
        for (int i = 0; i < 40; i++)
            OK(wr_u16(&w, (uint16_t)(0xfe00 + i)));
        OK(wr_u16(&w, TENON_SIG_ECDSA_SECP256R1_SHA256));
        OK(wr_close_vec(&w, &v));
        OK(wr_u16(&w, 0));
        OK(wr_close_vec(&w, &b));
        o += w.len;
    }
    size_t r = frame(edited, o, RECS);
    OK(tenon_conn_feed(&CLIENT.conn, RECS, r, &used));
    tls_conn *cl = tls_conn_of(&CLIENT.conn);
    CHECK(cl->cert != NULL && cl->client_cert_sent);
}

/* ==========================================================================================
 * Item 12: extensions on the leaf CertificateEntry
 * ========================================================================================== */

static void test_certificate_entries(void)
{
    static const uint8_t status_request[] = {0, 5, 0, 5, 1, 0, 0, 0, 0};
    static const uint8_t sct[] = {0, 18, 0, 0};
    static const uint8_t sni[] = {0, 0, 0, 0};
    size_t n;

    /* The client: the server's leaf carries status_request / SCT it never asked for
     * (RFC 8446 §4.4.2: extensions "MUST correspond to ones from the client's ClientHello"). */
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    const uint8_t *const LEAF_EXTS[] = {status_request, sct};
    const size_t LEAF_LENS[] = {sizeof status_request, sizeof sct};
    for (size_t i = 0; i < 2; i++) {
        client_after_server_hello_sent();
        cert_entry e[1] = {{PKI.p256_der, PKI.p256_len, LEAF_EXTS[i], LEAF_LENS[i]}};
        memcpy(MSG, EMPTY_EE, sizeof EMPTY_EE);
        n = sizeof EMPTY_EE + certificate_msg(e, 1, MSG + sizeof EMPTY_EE, 8192);
        CHECK_RC(sealed_to(&CLIENT, &SERVER, MSG, n), TENON_ERR_TLS_UNSUPPORTED_EXTENSION);
        CHECK(tenon_conn_peer_alert(&SERVER.conn) == TENON_ALERT_UNSUPPORTED_EXTENSION);
    }
    /* A known extension no Certificate may carry: illegal_parameter (§4.2). */
    client_after_server_hello_sent();
    {
        cert_entry e[1] = {{PKI.p256_der, PKI.p256_len, sni, sizeof sni}};
        memcpy(MSG, EMPTY_EE, sizeof EMPTY_EE);
        n = sizeof EMPTY_EE + certificate_msg(e, 1, MSG + sizeof EMPTY_EE, 8192);
        CHECK_RC(sealed_to(&CLIENT, &SERVER, MSG, n), TENON_ERR_TLS_ILLEGAL_PARAMETER);
    }
    /* On another entry, an unknown extension is ignored: the client waits for the
     * CertificateVerify. */
    client_after_server_hello_sent();
    {
        cert_entry e[2] = {{PKI.p256_der, PKI.p256_len, NULL, 0},
                           {PKI.ca_der, PKI.ca_len, status_request, sizeof status_request}};
        memcpy(MSG, EMPTY_EE, sizeof EMPTY_EE);
        n = sizeof EMPTY_EE + certificate_msg(e, 2, MSG + sizeof EMPTY_EE, 8192);
        CHECK_RC(sealed_to(&CLIENT, &SERVER, MSG, n), 0);
        CHECK(tls_conn_of(&CLIENT.conn)->state == ST_C_WAIT_CV);
    }

    /* The server: the client's leaf, after a CertificateRequest without such extensions. */
    for (size_t i = 0; i < 3; i++) {
        client_auth_configs(0);
        start_to_server();
        CHECK(transfer(&SERVER.conn, &CLIENT.conn) > 0);
        const uint8_t *p;
        size_t out;
        tenon_conn_output(&CLIENT.conn, &p, &out);
        tenon_conn_output_consume(&CLIENT.conn, out); /* the client's own flight: dropped */
        CHECK(tls_conn_of(&SERVER.conn)->state == ST_S_WAIT_CERT);
        cert_entry e[2] = {{PKI.client_der, PKI.client_len, status_request, sizeof status_request},
                           {PKI.ca_der, PKI.ca_len, NULL, 0}};
        if (i == 1)
            e[0].exts = sct, e[0].exts_len = sizeof sct;
        if (i == 2) {
            e[1].exts = e[0].exts, e[1].exts_len = e[0].exts_len;
            e[0].exts = NULL, e[0].exts_len = 0;
        }
        n = certificate_msg(e, 2, MSG, sizeof MSG);
        if (i < 2) {
            CHECK_RC(sealed_to(&SERVER, &CLIENT, MSG, n), TENON_ERR_TLS_UNSUPPORTED_EXTENSION);
            CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_UNSUPPORTED_EXTENSION);
        } else {
            CHECK_RC(sealed_to(&SERVER, &CLIENT, MSG, n), 0);
            CHECK(tls_conn_of(&SERVER.conn)->state == ST_S_WAIT_CV);
        }
    }
    serve_again();
}

/* ==========================================================================================
 * Item 19: HelloRetryRequest cookies
 * ========================================================================================== */

static uint8_t COOKIE[40000];

/* A client (out buffer out_len) fed a HelloRetryRequest for P-256 with a cookie of len bytes;
 * its error. */
static int client_fed_cookie(size_t len, size_t out_len)
{
    tenon_config cfg;
    client_config(&cfg);
    fresh_client(&cfg, out_len);
    server_hello(TENON_TLS12, HRR_RANDOM, TENON_TLS_AES_128_GCM_SHA256);
    static const uint8_t p256[] = {0, 23};
    static uint8_t cookie[2 + sizeof COOKIE];
    cookie[0] = (uint8_t)(len >> 8), cookie[1] = (uint8_t)len;
    memcpy(cookie + 2, COOKIE, len);
    hello_add(&H, EXT_SUPPORTED_VERSIONS, SV13, 2);
    hello_add(&H, EXT_KEY_SHARE, p256, 2);
    hello_add(&H, EXT_COOKIE, cookie, 2 + len);
    return client_fed_hello();
}

/* The cookie in the client's second ClientHello is the one sent. */
static void expect_echo(size_t len)
{
    hello_of_output(&CLIENT.conn, &H);
    cursor body = {0}, v = {0};
    CHECK(H.type == HS_CLIENT_HELLO);
    CHECK(hello_ext(&H, EXT_COOKIE, &body, NULL));
    CHECK(ext_cookie_parse(body, &v.p, &v.len) == TENON_OK && v.len == len &&
          memcmp(v.p, COOKIE, len) == 0);
    CHECK(hello_ext(&H, EXT_KEY_SHARE, &body, NULL) && body.len > 4 && body.p[2] == 0 &&
          body.p[3] == 23);
}

static void test_cookies(void)
{
    tu_rand(COOKIE, sizeof COOKIE);
    /* RFC 8446 §4.2.2: opaque cookie<1..2^16-1>; "the client MUST copy the contents of the
     * extension received in the HelloRetryRequest into a "cookie" extension in the new
     * ClientHello". 256 (the old limit), 300, ~5000 and (split over two records, in the
     * reassembly area) 20000 bytes. */
    static const size_t LENS[] = {1, 256, 300, 4999, 20000};
    for (size_t i = 0; i < ARRAY_LEN(LENS); i++) {
        CHECK_RC(client_fed_cookie(LENS[i], sizeof CLIENT.out), 0);
        expect_echo(LENS[i]);
        CHECK(tls_conn_of(&CLIENT.conn)->state == ST_C_WAIT_SH);
    }
    /* A cookie the output buffer cannot hold in the new ClientHello. */
    CHECK_RC(client_fed_cookie(4999, TENON_CONN_OUT_MIN), TENON_ERR_BUFFER_TOO_SMALL);
    CHECK(tenon_conn_status(&CLIENT.conn) & TENON_FAILED);
    /* An empty cookie is malformed (cookie<1..2^16-1>). */
    CHECK_RC(client_fed_cookie(0, sizeof CLIENT.out), TENON_ERR_TLS_DECODE);
}

/* ==========================================================================================
 * A client's alert about the server's encrypted flight is protected (RFC 8446 §A.1: after the
 * ServerHello the server reads with the client handshake keys)
 * ========================================================================================== */

/* The types of the records in conn's output, in order (at most cap); their count. */
static size_t output_record_types(tenon_conn *conn, uint8_t *types, size_t cap)
{
    const uint8_t *p;
    size_t n, k = 0;
    tenon_conn_output(conn, &p, &n);
    for (size_t off = 0; off + 5 <= n && k < cap; k++) {
        types[k] = p[off];
        off += 5 + (((size_t)p[off + 3] << 8) | p[off + 4]);
    }
    return k;
}

static void test_encrypted_client_alert(void)
{
    static const uint8_t BAD_EE[] = {HS_ENCRYPTED_EXTENSIONS, 0, 0, 6, 0, 4, 0x12, 0x34, 0, 0};
    for (int compat = 0; compat <= 1; compat++) {
        client_config(&CLIENT.cfg);
        CLIENT.cfg.middlebox_compat = compat;
        server_config(&SERVER.cfg, CERT_P256);
        client_after_server_hello();
        /* The compatibility change_cipher_spec goes right after the ServerHello (§D.4). */
        uint8_t types[8];
        size_t k = output_record_types(&CLIENT.conn, types, 8);
        CHECK(k == (size_t)compat && (!compat || types[0] == TLS_CT_CHANGE_CIPHER_SPEC));
        (void)transfer(&CLIENT.conn, &SERVER.conn);
        size_t r = seal(&tls_conn_of(&CLIENT.conn)->rd, BAD_EE, sizeof BAD_EE, RECS), used;
        CHECK_RC(tenon_conn_feed(&CLIENT.conn, RECS, r, &used),
                 TENON_ERR_TLS_UNSUPPORTED_EXTENSION);
        /* On the wire: the alert inside an application_data record, never in the clear. */
        k = output_record_types(&CLIENT.conn, types, 8);
        CHECK(k == 1 && types[0] == TLS_CT_APPLICATION_DATA);
        /* The server decrypts it with the client handshake keys and reads the alert. */
        (void)transfer(&CLIENT.conn, &SERVER.conn);
        CHECK(tenon_conn_peer_alert(&SERVER.conn) == TENON_ALERT_UNSUPPORTED_EXTENSION);
        CHECK_RC(tenon_conn_error(&SERVER.conn), TENON_ERR_TLS_PEER_ALERT);
    }
    serve_again();
}

/* ==========================================================================================
 * OCSP stapling and SCTs on the wire (RFC 6066 §8, RFC 8446 §4.4.2.1, RFC 6962 §3.3.1)
 * ========================================================================================== */

static const uint8_t STAPLE[] = {1, 2, 3, 4};

/* A TLS 1.2 Certificate message with one certificate. */
static size_t certificate12_msg(const uint8_t *der, size_t len, uint8_t *out)
{
    writer w = wr_init(out, 8192);
    wr_vec body = {0, 0}, list = {0, 0}, v = {0, 0};
    OK(wr_u8(&w, HS_CERTIFICATE));
    OK(wr_open_vec(&w, 3, &body));
    OK(wr_open_vec(&w, 3, &list));
    OK(wr_open_vec(&w, 3, &v));
    OK(wr_bytes(&w, der, len));
    OK(wr_close_vec(&w, &v));
    OK(wr_close_vec(&w, &list));
    OK(wr_close_vec(&w, &body));
    return w.len;
}

/* The ServerHello in H followed by more messages, in one record, to the client; its error. */
static int client_fed_flight(const uint8_t *more, size_t more_len)
{
    size_t m = hello_msg(&H, MSG);
    memcpy(MSG + m, more, more_len);
    size_t r = frame(MSG, m + more_len, RECS), used;
    return tenon_conn_feed(&CLIENT.conn, RECS, r, &used);
}

/* A fresh TLS 1.2 client asking for ocsp / sct, and a ServerHello for it in H with the
 * extensions it needs. */
static void client12_asking(int ocsp, int sct)
{
    static const uint8_t reneg[] = {0};
    tenon_config cfg;
    client_config(&cfg);
    cfg.max_version = TENON_TLS12;
    cfg.ocsp_stapling = ocsp;
    cfg.signed_cert_timestamps = sct;
    fresh_client(&cfg, sizeof CLIENT.out);
    server_hello(TENON_TLS12, RANDOM, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    hello_add(&H, EXT_RENEGOTIATION_INFO, reneg, 1);
    hello_add(&H, EXT_EXTENDED_MASTER_SECRET, NULL, 0);
}

static void test_stapling12_client(void)
{
    static const uint8_t status[] = {HS_CERTIFICATE_STATUS, 0, 0, 8, 1, 0, 0, 4, 1, 2, 3, 4};
    static const uint8_t empty_status[] = {HS_CERTIFICATE_STATUS, 0, 0, 4, 1, 0, 0, 0};
    static const uint8_t other_type[] = {HS_CERTIFICATE_STATUS, 0, 0, 8, 2, 0, 0, 4, 1, 2, 3, 4};
    static const uint8_t bad_ske[] = {HS_SERVER_KEY_EXCHANGE, 0, 0, 1, 3};
    static uint8_t flight[8192];
    size_t n = certificate12_msg(PKI.p256_der, PKI.p256_len, flight);
    tls_conn *cl;

    /* Acknowledged (an empty status_request), then CertificateStatus: the response is kept. */
    client12_asking(1, 0);
    hello_add(&H, EXT_STATUS_REQUEST, NULL, 0);
    memcpy(flight + n, status, sizeof status);
    CHECK_RC(client_fed_flight(flight, n + sizeof status), 0);
    cl = tls_conn_of(&CLIENT.conn);
    CHECK(cl->state == ST_C12_WAIT_SKE);
    CHECK(cl->peer->peer_ocsp.len == 4 && memcmp(cl->peer->peer_ocsp.ptr, STAPLE, 4) == 0);
    /* §8: "a server MAY also choose not to send a "CertificateStatus" message": the next
     * message is taken as what follows Certificate (a malformed ServerKeyExchange here, a
     * decode_error of its own, not unexpected_message). */
    client12_asking(1, 0);
    hello_add(&H, EXT_STATUS_REQUEST, NULL, 0);
    CHECK_RC(client_fed_flight(flight, n), 0);
    CHECK(tls_conn_of(&CLIENT.conn)->state == ST_C12_WAIT_STATUS);
    client12_asking(1, 0);
    hello_add(&H, EXT_STATUS_REQUEST, NULL, 0);
    memcpy(flight + n, bad_ske, sizeof bad_ske);
    EXPECT(client_fed_flight(flight, n + sizeof bad_ske), TENON_ERR_TLS_DECODE,
           plain_alert(&CLIENT.conn), TENON_ALERT_DECODE_ERROR);
    /* CertificateStatus without status_request in the ServerHello: unexpected_message. */
    client12_asking(1, 0);
    memcpy(flight + n, status, sizeof status);
    EXPECT(client_fed_flight(flight, n + sizeof status), TENON_ERR_TLS_UNEXPECTED_MESSAGE,
           plain_alert(&CLIENT.conn), TENON_ALERT_UNEXPECTED_MESSAGE);
    /* An empty response (OCSPResponse<1..2^24-1>) or another status_type: decode_error. */
    const uint8_t *const BAD[] = {empty_status, other_type};
    const size_t BAD_LEN[] = {sizeof empty_status, sizeof other_type};
    for (size_t i = 0; i < 2; i++) {
        client12_asking(1, 0);
        hello_add(&H, EXT_STATUS_REQUEST, NULL, 0);
        memcpy(flight + n, BAD[i], BAD_LEN[i]);
        EXPECT(client_fed_flight(flight, n + BAD_LEN[i]), TENON_ERR_TLS_DECODE,
               plain_alert(&CLIENT.conn), TENON_ALERT_DECODE_ERROR);
    }
    /* The ServerHello: status_request and SCTs only if asked (RFC 5246 §7.4.1.4), the first
     * empty, the second a well-formed list. */
    static const uint8_t one = 0, empty_list[] = {0, 0}, scts[] = {0, 6, 0, 4, 5, 6, 7, 8};
    client12_asking(0, 1);
    hello_add(&H, EXT_STATUS_REQUEST, NULL, 0);
    EXPECT_CLIENT(TENON_ERR_TLS_UNSUPPORTED_EXTENSION, TENON_ALERT_UNSUPPORTED_EXTENSION);
    client12_asking(1, 0);
    hello_add(&H, EXT_SIGNED_CERTIFICATE_TIMESTAMP, scts, sizeof scts);
    EXPECT_CLIENT(TENON_ERR_TLS_UNSUPPORTED_EXTENSION, TENON_ALERT_UNSUPPORTED_EXTENSION);
    client12_asking(1, 1);
    hello_add(&H, EXT_STATUS_REQUEST, &one, 1);
    EXPECT_CLIENT(TENON_ERR_TLS_DECODE, TENON_ALERT_DECODE_ERROR);
    client12_asking(1, 1);
    hello_add(&H, EXT_SIGNED_CERTIFICATE_TIMESTAMP, empty_list, sizeof empty_list);
    EXPECT_CLIENT(TENON_ERR_TLS_DECODE, TENON_ALERT_DECODE_ERROR);
    client12_asking(1, 1);
    hello_add(&H, EXT_SIGNED_CERTIFICATE_TIMESTAMP, scts, sizeof scts);
    CHECK_RC(client_fed_hello(), 0);
    cl = tls_conn_of(&CLIENT.conn);
    CHECK(cl->state == ST_C12_WAIT_CERT && cl->peer->peer_scts.len == sizeof scts &&
          memcmp(cl->peer->peer_scts.ptr, scts, sizeof scts) == 0);
}

static void test_stapling13_client(void)
{
    static const uint8_t ocsp[] = {0, 5, 0, 8, 1, 0, 0, 4, 1, 2, 3, 4};
    static const uint8_t scts[] = {0, 18, 0, 8, 0, 6, 0, 4, 5, 6, 7, 8};
    static const uint8_t both[] = {0, 5,  0, 8, 1, 0, 0, 4, 1, 2, 3, 4,
                                   0, 18, 0, 8, 0, 6, 0, 4, 5, 6, 7, 8};
    static const uint8_t twice[] = {0, 5, 0, 8, 1, 0, 0, 4, 1, 2, 3, 4,
                                    0, 5, 0, 8, 1, 0, 0, 4, 1, 2, 3, 4};
    static const struct {
        uint8_t b[16];
        size_t len;
    } BAD[] = {
        {{0, 5, 0, 4, 1, 0, 0, 0}, 8},                 /* empty response */
        {{0, 5, 0, 8, 2, 0, 0, 4, 1, 2, 3, 4}, 12},    /* status_type 2 */
        {{0, 5, 0, 9, 1, 0, 0, 4, 1, 2, 3, 4, 9}, 13}, /* trailing byte */
        {{0, 5, 0, 8, 1, 0, 0, 5, 1, 2, 3, 4}, 12},    /* cut response */
        {{0, 18, 0, 2, 0, 0}, 6},                      /* empty SCT list */
        {{0, 18, 0, 8, 0, 6, 0, 2, 1, 2, 0, 0}, 12},   /* an empty SCT */
        {{0, 5, 0, 0}, 4},                             /* empty extension */
    };
    size_t n;
    client_config(&CLIENT.cfg);
    CLIENT.cfg.ocsp_stapling = CLIENT.cfg.signed_cert_timestamps = 1;
    server_config(&SERVER.cfg, CERT_P256);
    /* Both on the leaf: kept (views into the kept Certificate); an intermediate's ignored. */
    const uint8_t *const GOOD[] = {ocsp, scts, both};
    const size_t GOOD_LEN[] = {sizeof ocsp, sizeof scts, sizeof both};
    for (size_t i = 0; i < 3; i++) {
        client_after_server_hello_sent();
        cert_entry e[2] = {{PKI.p256_der, PKI.p256_len, GOOD[i], GOOD_LEN[i]},
                           {PKI.ca_der, PKI.ca_len, twice, 12}};
        memcpy(MSG, EMPTY_EE, sizeof EMPTY_EE);
        n = sizeof EMPTY_EE + certificate_msg(e, 2, MSG + sizeof EMPTY_EE, 8192);
        CHECK_RC(sealed_to(&CLIENT, &SERVER, MSG, n), 0);
        tls_conn *cl = tls_conn_of(&CLIENT.conn);
        CHECK(cl->state == ST_C_WAIT_CV);
        CHECK(cl->peer->peer_ocsp.len == (i != 1 ? 4u : 0u));
        CHECK(i == 1 || memcmp(cl->peer->peer_ocsp.ptr, STAPLE, 4) == 0);
        CHECK(cl->peer->peer_scts.len == (i != 0 ? 8u : 0u));
        CHECK(i == 0 || memcmp(cl->peer->peer_scts.ptr, scts + 4, 8) == 0);
    }
    /* Malformed ones: decode_error; twice on the leaf: decode_error (§4.2). */
    for (size_t i = 0; i <= ARRAY_LEN(BAD); i++) {
        client_after_server_hello_sent();
        cert_entry e[1] = {{PKI.p256_der, PKI.p256_len, twice, sizeof twice}};
        if (i < ARRAY_LEN(BAD))
            e[0].exts = BAD[i].b, e[0].exts_len = BAD[i].len;
        memcpy(MSG, EMPTY_EE, sizeof EMPTY_EE);
        n = sizeof EMPTY_EE + certificate_msg(e, 1, MSG + sizeof EMPTY_EE, 8192);
        int rc = sealed_to(&CLIENT, &SERVER, MSG, n);
        if (!CHECK(rc == TENON_ERR_TLS_DECODE &&
                   tenon_conn_peer_alert(&SERVER.conn) == TENON_ALERT_DECODE_ERROR))
            fprintf(stderr, "    case %zu: %d\n", i, rc);
    }
    /* Asked for the response only: SCTs on the leaf are unsolicited. */
    CLIENT.cfg.signed_cert_timestamps = 0;
    client_after_server_hello_sent();
    {
        cert_entry e[1] = {{PKI.p256_der, PKI.p256_len, both, sizeof both}};
        memcpy(MSG, EMPTY_EE, sizeof EMPTY_EE);
        n = sizeof EMPTY_EE + certificate_msg(e, 1, MSG + sizeof EMPTY_EE, 8192);
        CHECK_RC(sealed_to(&CLIENT, &SERVER, MSG, n), TENON_ERR_TLS_UNSUPPORTED_EXTENSION);
        CHECK(tenon_conn_peer_alert(&SERVER.conn) == TENON_ALERT_UNSUPPORTED_EXTENSION);
    }
    /* status_request in EncryptedExtensions: RFC 8446 §4.2's table has it in CH, CR and CT
     * only: illegal_parameter. */
    CLIENT.cfg.signed_cert_timestamps = 1;
    client_after_server_hello_sent();
    {
        static const uint8_t ee[] = {HS_ENCRYPTED_EXTENSIONS, 0, 0, 6, 0, 4, 0, 5, 0, 0};
        CHECK_RC(sealed_to(&CLIENT, &SERVER, ee, sizeof ee), TENON_ERR_TLS_ILLEGAL_PARAMETER);
        CHECK(tenon_conn_peer_alert(&SERVER.conn) == TENON_ALERT_ILLEGAL_PARAMETER);
    }
}

static void test_stapling_server(void)
{
    static const uint8_t scts[] = {0, 6, 0, 4, 5, 6, 7, 8};
    tenon_config cfg;
    cursor body = {0};
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.certs[0].ocsp_response.ptr = STAPLE;
    SERVER.cfg.certs[0].ocsp_response.len = sizeof STAPLE;
    SERVER.cfg.certs[0].sct_list.ptr = scts;
    SERVER.cfg.certs[0].sct_list.len = sizeof scts;
    for (int v12 = 0; v12 <= 1; v12++) {
        client_config(&cfg);
        cfg.ocsp_stapling = cfg.signed_cert_timestamps = 1;
        if (v12)
            cfg.max_version = TENON_TLS12;
        /* Malformed requests: decode_error. */
        static const struct {
            uint16_t type;
            uint8_t b[8];
            size_t len;
        } BAD[] = {
            {EXT_STATUS_REQUEST, {1, 0, 0}, 3},             /* no request_extensions */
            {EXT_STATUS_REQUEST, {1, 0, 2, 0, 0, 0, 0}, 7}, /* an empty ResponderID */
            {EXT_STATUS_REQUEST, {1, 0, 0, 0, 0, 7}, 6},    /* trailing byte */
            {EXT_STATUS_REQUEST, {0}, 0},                   /* no status_type */
            {EXT_SIGNED_CERTIFICATE_TIMESTAMP, {0}, 1},     /* not empty */
        };
        for (size_t i = 0; i < ARRAY_LEN(BAD); i++) {
            client_hello_of(&cfg);
            hello_replace(&H, BAD[i].type, BAD[i].b, BAD[i].len);
            EXPECT_SERVER(TENON_ERR_TLS_DECODE, TENON_ALERT_DECODE_ERROR);
        }
        if (!v12)
            continue;
        /* TLS 1.2: the ServerHello acknowledges what was asked (status_request empty, the SCT
         * list), and CertificateStatus follows Certificate. */
        client_hello_of(&cfg);
        CHECK_RC(server_fed_hello(), 0);
        hello_of_output(&SERVER.conn, &H);
        CHECK(hello_ext(&H, EXT_STATUS_REQUEST, &body, NULL) && body.len == 0);
        CHECK(hello_ext(&H, EXT_SIGNED_CERTIFICATE_TIMESTAMP, &body, NULL) &&
              body.len == sizeof scts && memcmp(body.p, scts, sizeof scts) == 0);
        const uint8_t *p;
        size_t out;
        tenon_conn_output(&SERVER.conn, &p, &out);
        size_t hs = unframe(p, out, MSG), at = 0;
        int seen_status = 0;
        while (at + 4 <= hs) {
            size_t len = ((size_t)MSG[at + 1] << 16) | ((size_t)MSG[at + 2] << 8) | MSG[at + 3];
            if (MSG[at] == HS_CERTIFICATE_STATUS)
                seen_status = len == 8 && MSG[at + 4] == 1 && memcmp(MSG + at + 8, STAPLE, 4) == 0;
            at += 4 + len;
        }
        CHECK(seen_status);
        /* Another status_type asks for nothing tenon has: no status_request, no
         * CertificateStatus. Not asked: neither extension. */
        static const uint8_t other[] = {2, 9, 9};
        client_hello_of(&cfg);
        hello_replace(&H, EXT_STATUS_REQUEST, other, sizeof other);
        hello_drop(&H, EXT_SIGNED_CERTIFICATE_TIMESTAMP);
        CHECK_RC(server_fed_hello(), 0);
        hello_of_output(&SERVER.conn, &H);
        CHECK(!hello_ext(&H, EXT_STATUS_REQUEST, &body, NULL));
        CHECK(!hello_ext(&H, EXT_SIGNED_CERTIFICATE_TIMESTAMP, &body, NULL));
    }
}

int main(void)
{
    tu_seed(11);
    if (!CHECK(pki_setup() == 0))
        return tu_finish("test_hardening_hello");
    test_duplicates();
    test_ticket_extensions();
    test_psk_modes();
    test_solicited12();
    test_legacy_version();
    test_long_lists();
    test_long_lists12();
    test_certificate_entries();
    test_cookies();
    test_encrypted_client_alert();
    test_stapling12_client();
    test_stapling13_client();
    test_stapling_server();
    return tu_finish("test_hardening_hello");
}
