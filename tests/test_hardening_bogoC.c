/*
 * Hello and resumption deviations found by BoringSSL's test runner (BoGo), each fed to an
 * engine as the wire would bring it:
 *
 *   hrr_cookie     a HelloRetryRequest with a cookie and no key_share: the second ClientHello
 *                  keeps its key share (RFC 8446 §4.1.2).
 *   hrr_psk        a second ClientHello that drops a PSK fitting the server's suite is
 *                  illegal_parameter (RFC 8446 §4.1.2; BoGo: Resume-Server-OmitPSKsOnSecond...).
 */
#include "test_tls13_harness.h"

#include "tls/tls13.h"

#define OK(expr) CHECK((expr) == TENON_OK)

static uint8_t MSG[1 << 17], RECS[1 << 17];

/* The handshake bytes in conn's output (plaintext records; others skipped), consumed. */
static size_t take_handshake(tenon_conn *conn, uint8_t *out, size_t cap)
{
    const uint8_t *p;
    size_t n, o = 0;
    tenon_conn_output(conn, &p, &n);
    cursor c = cur_init(p, n), body = {0};
    uint8_t type;
    uint16_t version;
    while (cur_u8(&c, &type) == 0 && cur_u16(&c, &version) == 0 &&
           cur_vec(&c, 2, 0, 0xffff, &body) == 0)
        if (type == TLS_CT_HANDSHAKE && o + body.len <= cap)
            memcpy(out + o, body.p, body.len), o += body.len;
    tenon_conn_output_consume(conn, n);
    return o;
}

/* A ClientHello's legacy_session_id and the body of its extension type (0 if absent). */
static int client_hello_ext(const uint8_t *msg, size_t len, uint16_t type, cursor *sid, cursor *ext)
{
    cursor c = cur_init(msg, len), body = {0}, v = {0}, exts = {0};
    const uint8_t *skip;
    uint8_t t;
    uint16_t u;
    if (cur_u8(&c, &t) != 0 || t != HS_CLIENT_HELLO || cur_vec(&c, 3, 0, 0xffffff, &body) != 0 ||
        cur_u16(&body, &u) != 0 || cur_bytes(&body, 32, &skip) != 0 ||
        cur_vec(&body, 1, 0, 32, sid) != 0 || cur_vec(&body, 2, 0, 0xffff, &v) != 0 ||
        cur_vec(&body, 1, 0, 0xff, &v) != 0 || cur_vec(&body, 2, 0, 0xffff, &exts) != 0)
        return 0;
    while (cur_u16(&exts, &u) == 0 && cur_vec(&exts, 2, 0, 0xffff, &v) == 0)
        if (u == type) {
            *ext = v;
            return 1;
        }
    return 0;
}

/* Handshake messages into one plaintext record. */
static size_t frame(const uint8_t *msgs, size_t len, uint8_t *out)
{
    writer w = wr_init(out, sizeof RECS);
    wr_vec v = {0, 0};
    OK(wr_u8(&w, TLS_CT_HANDSHAKE));
    OK(wr_u16(&w, TENON_TLS12));
    OK(wr_open_vec(&w, 2, &v));
    OK(wr_bytes(&w, msgs, len));
    OK(wr_close_vec(&w, &v));
    return w.len;
}

static const uint8_t HRR_RANDOM[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

/* A TLS 1.3 HelloRetryRequest echoing sid, for AES-128-GCM, with just a cookie. */
static size_t cookie_hrr(cursor sid, const uint8_t *cookie, size_t cookie_len, uint8_t *out)
{
    writer w = wr_init(out, sizeof MSG);
    wr_vec body = {0, 0}, v = {0, 0}, exts = {0, 0}, ext = {0, 0};
    OK(wr_u8(&w, HS_SERVER_HELLO));
    OK(wr_open_vec(&w, 3, &body));
    OK(wr_u16(&w, TENON_TLS12));
    OK(wr_bytes(&w, HRR_RANDOM, 32));
    OK(wr_open_vec(&w, 1, &v));
    OK(wr_bytes(&w, sid.p, sid.len));
    OK(wr_close_vec(&w, &v));
    OK(wr_u16(&w, TENON_TLS_AES_128_GCM_SHA256));
    OK(wr_u8(&w, 0));
    OK(wr_open_vec(&w, 2, &exts));
    OK(wr_u16(&w, EXT_SUPPORTED_VERSIONS));
    OK(wr_open_vec(&w, 2, &ext));
    OK(wr_u16(&w, TENON_TLS13));
    OK(wr_close_vec(&w, &ext));
    OK(wr_u16(&w, EXT_COOKIE));
    OK(wr_open_vec(&w, 2, &ext));
    OK(wr_open_vec(&w, 2, &v));
    OK(wr_bytes(&w, cookie, cookie_len));
    OK(wr_close_vec(&w, &v));
    OK(wr_close_vec(&w, &ext));
    OK(wr_close_vec(&w, &exts));
    OK(wr_close_vec(&w, &body));
    return w.len;
}

/* RFC 8446 §4.1.2: after a HelloRetryRequest the client sends "the same ClientHello" but for
 * the listed changes; the key shares change only "If a "key_share" extension was supplied in
 * the HelloRetryRequest". With a cookie alone the share must be the same (BoGo:
 * HelloRetryRequest-Cookie-TLS13). */
static void test_hrr_cookie_keeps_share(void)
{
    static uint8_t ch1[4096], share1[2048];
    static const uint8_t cookie[] = {'c', 'o', 'o', 'k', 'i', 'e'};
    tenon_config ccfg;
    client_config(&ccfg);
    CLIENT.cfg = ccfg;
    OK(tenon_conn_init(&CLIENT.conn, &CLIENT.cfg, CLIENT.in, sizeof CLIENT.in, CLIENT.out,
                       sizeof CLIENT.out));
    size_t n1 = take_handshake(&CLIENT.conn, ch1, sizeof ch1);
    cursor sid = {0}, ks1 = {0}, ks2 = {0}, ck = {0};
    CHECK(client_hello_ext(ch1, n1, EXT_KEY_SHARE, &sid, &ks1) && ks1.len <= sizeof share1);
    memcpy(share1, ks1.p, ks1.len);

    size_t m = cookie_hrr(sid, cookie, sizeof cookie, MSG), r = frame(MSG, m, RECS), used = 0;
    CHECK_RC(tenon_conn_feed(&CLIENT.conn, RECS, r, &used), 0);
    size_t n2 = take_handshake(&CLIENT.conn, MSG, sizeof MSG);
    CHECK(client_hello_ext(MSG, n2, EXT_COOKIE, &sid, &ck) && ck.len == 2 + sizeof cookie &&
          memcmp(ck.p + 2, cookie, sizeof cookie) == 0);
    CHECK(client_hello_ext(MSG, n2, EXT_KEY_SHARE, &sid, &ks2));
    if (!CHECK(ks2.len == ks1.len && memcmp(ks2.p, share1, ks1.len) == 0))
        fprintf(stderr, "    the second ClientHello changed its key_share\n");
    tenon_conn_wipe(&CLIENT.conn);
}

/* The ClientHello msg (len bytes) without its last extension, which must be of type type:
 * the new length, or 0. */
static size_t drop_last_ext(uint8_t *msg, size_t len, uint16_t type)
{
    cursor sid = {0}, ext = {0};
    if (!client_hello_ext(msg, len, type, &sid, &ext) || ext.p + ext.len != msg + len)
        return 0;
    size_t cut = 4 + ext.len;
    /* The extensions' length: after the fixed fields and the three vectors before it. */
    size_t at = 4 + 2 + 32;
    at += 1 + msg[at];                                /* legacy_session_id */
    at += 2 + (((size_t)msg[at] << 8) | msg[at + 1]); /* cipher_suites */
    at += 1 + msg[at];                                /* compression methods */
    size_t exts = (((size_t)msg[at] << 8) | msg[at + 1]) - cut;
    msg[at] = (uint8_t)(exts >> 8), msg[at + 1] = (uint8_t)exts;
    size_t body = len - 4 - cut;
    msg[1] = (uint8_t)(body >> 16), msg[2] = (uint8_t)(body >> 8), msg[3] = (uint8_t)body;
    return len - cut;
}

static void test_hrr_psk(void)
{
    static tenon_ticket slots[2];
    static tenon_ticket_store store;
    for (int drop = 0; drop <= 1; drop++) {
        tenon_ticket_store_init(&store, slots, 2);
        client_config(&CLIENT.cfg);
        CLIENT.cfg.ticket_store = &store;
        server_config(&SERVER.cfg, CERT_P256);
        memset(SERVER.cfg.ticket_keys[0].key, 0x3c, 32);
        SERVER.cfg.ticket_key_count = 1;
        CHECK_RC(start(&CLIENT, &SERVER), 0);
        pump(&CLIENT.conn, &SERVER.conn);
        CHECK(both_done(&CLIENT, &SERVER) && slots[0].in_use == 1);
        /* The server now wants P-256, the client's share is X25519: HelloRetryRequest. */
        SERVER.cfg.groups[0] = &tenon_kex_secp256r1;
        SERVER.cfg.group_count = 1;
        CHECK_RC(start(&CLIENT, &SERVER), 0);
        (void)transfer(&CLIENT.conn, &SERVER.conn);
        (void)transfer(&SERVER.conn, &CLIENT.conn);
        CHECK(tls_conn_of(&SERVER.conn)->state == ST_S_WAIT_CH2);
        size_t n = take_handshake(&CLIENT.conn, MSG, sizeof MSG), used = 0;
        cursor sid = {0}, psk = {0};
        CHECK(client_hello_ext(MSG, n, EXT_PRE_SHARED_KEY, &sid, &psk));
        if (drop)
            n = drop_last_ext(MSG, n, EXT_PRE_SHARED_KEY);
        size_t r = frame(MSG, n, RECS);
        int rc = tenon_conn_feed(&SERVER.conn, RECS, r, &used);
        if (drop) {
            CHECK_RC(rc, TENON_ERR_TLS_ILLEGAL_PARAMETER);
        } else {
            /* Unchanged, it resumes after the HelloRetryRequest. */
            CHECK_RC(rc, 0);
            pump(&CLIENT.conn, &SERVER.conn);
            tenon_conn_info ci;
            CHECK(both_done(&CLIENT, &SERVER) && tenon_conn_info_get(&SERVER.conn, &ci) == 0 &&
                  ci.resumed && ci.hello_retry);
        }
    }
}

int main(void)
{
    CHECK_RC(pki_setup(), 0);
    test_hrr_cookie_keeps_share();
    test_hrr_psk();
    return tu_finish("test_hardening_bogoC");
}
