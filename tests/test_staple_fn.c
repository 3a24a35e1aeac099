/*
 * The server's per-connection stapling callback (tenon_config.staple_fn, tenon_staple_fn), in
 * memory, TLS 1.3 and TLS 1.2:
 *
 *   keep       the callback sees the chosen certificate's index, the SNI and its configured
 *              response, leaves it: the client receives that response.
 *   replace    the callback points at a response of its own (none configured): stapled.
 *   decline    an empty response: nothing stapled, and (TLS 1.2) the ServerHello carries no
 *              status_request acknowledgement.
 *   fail       a positive return: TENON_ERR_TLS_STAPLE_CALLBACK, internal_error at the client;
 *              a negative one: that error; a response with a length and no bytes: the
 *              callback's failure.
 *   not_called a client that does not ask, and a resumption, do not call it; a client config
 *              with staple_fn is refused.
 */
#include "test_tls13_harness.h"

static const uint8_t OCSP[] = {0x30, 0x03, 0x0a, 0x01, 0x00};
static const uint8_t OTHER[] = {0x30, 0x03, 0x0a, 0x01, 0x03, 0x99};

/* What the callback saw and how it answers. */
static struct {
    int calls, cert_index, verdict;
    enum { KEEP, REPLACE, DECLINE, BROKEN } action;
    uint8_t seen[16], sni[64];
    size_t seen_len, sni_len;
} CB;

static int staple_cb(void *user, tenon_staple_request *req)
{
    (void)user;
    CB.calls++;
    CB.cert_index = req->cert_index;
    CB.seen_len = req->ocsp_response.len;
    if (req->ocsp_response.len <= sizeof CB.seen && req->ocsp_response.len > 0)
        memcpy(CB.seen, req->ocsp_response.ptr, req->ocsp_response.len);
    CB.sni_len = req->server_name.len;
    if (req->server_name.len <= sizeof CB.sni && req->server_name.len > 0)
        memcpy(CB.sni, req->server_name.ptr, req->server_name.len);
    if (CB.action == REPLACE) {
        req->ocsp_response.ptr = OTHER;
        req->ocsp_response.len = sizeof OTHER;
    } else if (CB.action == DECLINE) {
        req->ocsp_response.ptr = NULL;
        req->ocsp_response.len = 0;
    } else if (CB.action == BROKEN) {
        req->ocsp_response.ptr = NULL;
        req->ocsp_response.len = 5;
    }
    return CB.verdict;
}

/* A server with two certificates (RSA first, then P-256 with OCSP configured), a client at
 * version that takes only ECDSA (so the second certificate, index 1, is chosen) and asks for
 * OCSP when ask. */
static void pair(uint16_t version, int ask)
{
    server_config(&SERVER.cfg, CERT_RSA);
    CHECK_RC(add_cert(&SERVER.cfg, CERT_P256), 0);
    SERVER.cfg.certs[1].ocsp_response.ptr = OCSP;
    SERVER.cfg.certs[1].ocsp_response.len = sizeof OCSP;
    SERVER.cfg.staple_fn = staple_cb;
    client_config(&CLIENT.cfg);
    CLIENT.cfg.min_version = CLIENT.cfg.max_version = version;
    CLIENT.cfg.sig_schemes[0] = TENON_SIG_ECDSA_SECP256R1_SHA256;
    CLIENT.cfg.sig_scheme_count = 1;
    CLIENT.cfg.ocsp_stapling = ask;
    memset(&CB, 0, sizeof CB);
}

static int same(tenon_bytes b, const uint8_t *want, size_t len)
{
    return b.len == len && (len == 0 || memcmp(b.ptr, want, len) == 0);
}

static const uint16_t VERSIONS[] = {TENON_TLS13, TENON_TLS12};

/* The client's view once both ends are connected. */
static void check_client_got(const uint8_t *want, size_t len)
{
    tenon_conn_info ci, si;
    if (!CHECK(both_done(&CLIENT, &SERVER)))
        return;
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(same(ci.ocsp_response, want, len));
    CHECK(si.cert_index == 1);
}

static void test_keep(void)
{
    for (size_t v = 0; v < 2; v++) {
        pair(VERSIONS[v], 1);
        reconnect();
        check_client_got(OCSP, sizeof OCSP);
        CHECK(CB.calls == 1 && CB.cert_index == 1);
        CHECK(CB.seen_len == sizeof OCSP && memcmp(CB.seen, OCSP, sizeof OCSP) == 0);
        CHECK(CB.sni_len == 9 && memcmp(CB.sni, "localhost", 9) == 0);
    }
}

static void test_replace(void)
{
    for (size_t v = 0; v < 2; v++) {
        pair(VERSIONS[v], 1);
        /* Nothing configured: the callback alone supplies the response. */
        memset(&SERVER.cfg.certs[1].ocsp_response, 0, sizeof(tenon_bytes));
        CB.action = REPLACE;
        reconnect();
        CHECK(CB.calls == 1 && CB.seen_len == 0);
        check_client_got(OTHER, sizeof OTHER);
    }
}

/* 1 if the TLS 1.2 ServerHello at the start of what the server has to send carries extension
 * type ext, 0 if not, -1 if it cannot be read. */
static int server_hello_has(uint16_t ext)
{
    const uint8_t *p;
    size_t n;
    tenon_conn_output(&SERVER.conn, &p, &n);
    /* record header (5), handshake header (4), version (2), random (32), session_id */
    size_t o = 5 + 4 + 2 + 32;
    if (n < o + 1 || p[5] != 2)
        return -1;
    o += 1 + p[o];
    o += 2 + 1; /* cipher_suite, compression_method */
    if (n < o + 2)
        return -1;
    size_t end = o + 2 + (((size_t)p[o] << 8) | p[o + 1]);
    if (end > n)
        return -1;
    for (o += 2; o + 4 <= end;) {
        uint16_t type = (uint16_t)((p[o] << 8) | p[o + 1]);
        if (type == ext)
            return 1;
        o += 4 + (((size_t)p[o + 2] << 8) | p[o + 3]);
    }
    return 0;
}

/* A fresh TLS 1.2 connection: whether the ServerHello acknowledges status_request (extension
 * 5), then the rest of the handshake. */
static int acknowledges_then_connects(void)
{
    tenon_conn_wipe(&CLIENT.conn);
    tenon_conn_wipe(&SERVER.conn);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    transfer(&CLIENT.conn, &SERVER.conn);
    int acked = server_hello_has(5);
    pump(&CLIENT.conn, &SERVER.conn);
    return acked;
}

static void test_decline(void)
{
    for (size_t v = 0; v < 2; v++) {
        pair(VERSIONS[v], 1);
        CB.action = DECLINE;
        if (VERSIONS[v] == TENON_TLS12) {
            /* RFC 6066 §8: the ServerHello's empty status_request promises a
             * CertificateStatus; a decline sends neither. */
            CHECK(acknowledges_then_connects() == 0);
        } else {
            reconnect();
        }
        CHECK(CB.calls == 1);
        check_client_got(NULL, 0);
    }
    /* The same TLS 1.2 handshake without the callback acknowledges (the check above sees it). */
    pair(TENON_TLS12, 1);
    SERVER.cfg.staple_fn = NULL;
    CHECK(acknowledges_then_connects() == 1);
    check_client_got(OCSP, sizeof OCSP);
}

static void test_fail(void)
{
    for (size_t v = 0; v < 2; v++) {
        pair(VERSIONS[v], 1);
        CB.verdict = 1;
        reconnect();
        CHECK(CB.calls == 1);
        CHECK_RC(tenon_conn_error(&SERVER.conn), TENON_ERR_TLS_STAPLE_CALLBACK);
        CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_INTERNAL_ERROR);
        CHECK(tenon_error_alert(TENON_ERR_TLS_STAPLE_CALLBACK) == TENON_ALERT_INTERNAL_ERROR);
        CHECK(strstr(tenon_strerror(TENON_ERR_TLS_STAPLE_CALLBACK), "stapling callback") != NULL);
        pair(VERSIONS[v], 1);
        CB.verdict = TENON_ERR_TLS_HANDSHAKE_FAILURE;
        reconnect();
        CHECK_RC(tenon_conn_error(&SERVER.conn), TENON_ERR_TLS_HANDSHAKE_FAILURE);
        CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_HANDSHAKE_FAILURE);
        /* A response with a length and no bytes is the callback's failure too. */
        pair(VERSIONS[v], 1);
        CB.action = BROKEN;
        reconnect();
        CHECK(CB.calls == 1);
        CHECK_RC(tenon_conn_error(&SERVER.conn), TENON_ERR_TLS_STAPLE_CALLBACK);
    }
}

static void test_not_called(void)
{
    static tenon_ticket slots[2];
    static tenon_ticket_store store;
    for (size_t v = 0; v < 2; v++) {
        /* A client that does not ask. */
        pair(VERSIONS[v], 0);
        reconnect();
        CHECK(CB.calls == 0);
        check_client_got(NULL, 0);
        /* A resumption: called on the full handshake only. */
        tenon_ticket_store_init(&store, slots, 2);
        pair(VERSIONS[v], 1);
        CLIENT.cfg.ticket_store = &store;
        CHECK_RC(tenon_random(&SERVER.cfg.ticket_keys[0], sizeof SERVER.cfg.ticket_keys[0]), 0);
        SERVER.cfg.ticket_key_count = 1;
        reconnect();
        CHECK(resume_outcome(VERSIONS[v]) == 0 && CB.calls == 1);
        uint8_t b = 0x42;
        CHECK(exchange(&SERVER.conn, &CLIENT.conn, &b, 1));
        reconnect();
        CHECK(resume_outcome(VERSIONS[v]) == 1 && CB.calls == 1);
    }
    /* A client setting it is refused. */
    tenon_config cfg;
    const char *why = NULL;
    client_config(&cfg);
    cfg.staple_fn = staple_cb;
    CHECK_RC(tenon_config_check(&cfg, &why), TENON_ERR_TLS_CONFIG);
    CHECK(why != NULL && strstr(why, "staple_fn") != NULL);
}

int main(void)
{
    CHECK_RC(pki_setup(), 0);
    test_keep();
    test_replace();
    test_decline();
    test_fail();
    test_not_called();
    return tu_finish("test_staple_fn");
}
