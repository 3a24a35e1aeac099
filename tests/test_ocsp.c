/*
 * OCSP stapling and Certificate Transparency SCTs (RFC 6066 §8, RFC 8446 §4.4.2.1, RFC 6962
 * §3.3.1), in memory, both versions:
 *
 *   stapled       a server with a response and an SCT list staples what each client asked
 *                 for (both, one, none); the client sees exactly those bytes in
 *                 tenon_conn_info and in its status_fn (called once, with the chain); the
 *                 server reports none of its own; TLS 1.2 with RSA key transport too, and
 *                 TLS 1.3 after a HelloRetryRequest.
 *   refused       status_fn refusing (a positive value: bad_certificate_status_response; a
 *                 negative tenon_err: that error), also when nothing was stapled.
 *   resumed       a resumption staples nothing and does not call status_fn.
 *   client_cert   a client's certificate with a response configured goes without it.
 *   large         a 6000-byte response fits the default buffers (TLS 1.3 and TLS 1.2).
 *   config        tenon_config_check: client settings on a server, a malformed SCT list, an
 *                 OCSP view without bytes.
 */
#include "test_tls13_harness.h"

static const uint8_t OCSP[] = {0x30, 0x03, 0x0a, 0x01, 0x00}; /* any bytes: tenon sends them */
static const uint8_t SCTS[] = {0, 6, 0, 4, 5, 6, 7, 8};       /* one 4-byte SCT */
static uint8_t BIG[6000];

/* What the client's status_fn saw. */
static struct {
    int calls, verdict;
    size_t chain_count;
    uint8_t ocsp[8192], scts[64];
    size_t ocsp_len, scts_len;
} SEEN;

static int status_cb(void *user, const tenon_peer_status *st)
{
    (void)user;
    SEEN.calls++;
    SEEN.chain_count = st->chain_count;
    SEEN.ocsp_len = st->ocsp_response.len;
    SEEN.scts_len = st->sct_list.len;
    if (st->ocsp_response.len > 0 && st->ocsp_response.len <= sizeof SEEN.ocsp)
        memcpy(SEEN.ocsp, st->ocsp_response.ptr, st->ocsp_response.len);
    if (st->sct_list.len > 0 && st->sct_list.len <= sizeof SEEN.scts)
        memcpy(SEEN.scts, st->sct_list.ptr, st->sct_list.len);
    return SEEN.verdict;
}

/* A server with cert which staples OCSP and SCTS, a client asking for ocsp/sct at version. */
static void pair(uint16_t version, test_cert cert, int ocsp, int sct)
{
    server_config(&SERVER.cfg, cert);
    SERVER.cfg.certs[0].ocsp_response.ptr = OCSP;
    SERVER.cfg.certs[0].ocsp_response.len = sizeof OCSP;
    SERVER.cfg.certs[0].sct_list.ptr = SCTS;
    SERVER.cfg.certs[0].sct_list.len = sizeof SCTS;
    client_config(&CLIENT.cfg);
    CLIENT.cfg.min_version = CLIENT.cfg.max_version = version;
    CLIENT.cfg.ocsp_stapling = ocsp;
    CLIENT.cfg.signed_cert_timestamps = sct;
    CLIENT.cfg.status_fn = status_cb;
    memset(&SEEN, 0, sizeof SEEN);
}

static int same(tenon_bytes b, const uint8_t *want, size_t len)
{
    return b.len == len && (len == 0 || memcmp(b.ptr, want, len) == 0);
}

/* Both ends connected; the client's view checked against what was asked for. */
static void check_stapled(int ocsp, int sct)
{
    tenon_conn_info ci, si;
    if (!CHECK(both_done(&CLIENT, &SERVER)))
        return;
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(same(ci.ocsp_response, OCSP, ocsp ? sizeof OCSP : 0));
    CHECK(same(ci.sct_list, SCTS, sct ? sizeof SCTS : 0));
    CHECK(si.ocsp_response.len == 0 && si.sct_list.len == 0);
    CHECK(SEEN.calls == 1 && SEEN.chain_count == 1);
    CHECK(SEEN.ocsp_len == (ocsp ? sizeof OCSP : 0) && SEEN.scts_len == (sct ? sizeof SCTS : 0));
    CHECK(!ocsp || memcmp(SEEN.ocsp, OCSP, sizeof OCSP) == 0);
    CHECK(!sct || memcmp(SEEN.scts, SCTS, sizeof SCTS) == 0);
}

static const uint16_t VERSIONS[] = {TENON_TLS13, TENON_TLS12};

static void test_stapled(void)
{
    for (size_t v = 0; v < 2; v++)
        for (int ocsp = 0; ocsp <= 1; ocsp++)
            for (int sct = 0; sct <= 1; sct++) {
                pair(VERSIONS[v], CERT_P256, ocsp, sct);
                reconnect();
                check_stapled(ocsp, sct);
            }
    /* TLS 1.2 RSA key transport: CertificateStatus, then ServerHelloDone (no
     * ServerKeyExchange). */
    pair(TENON_TLS12, CERT_RSA, 1, 1);
    SERVER.cfg.suites[0] = CLIENT.cfg.suites[0] = TENON_TLS_RSA_WITH_AES_128_GCM_SHA256;
    SERVER.cfg.suite_count = CLIENT.cfg.suite_count = 1;
    reconnect();
    check_stapled(1, 1);
    /* TLS 1.3 after a HelloRetryRequest: the second ClientHello asks again. */
    pair(TENON_TLS13, CERT_P256, 1, 1);
    SERVER.cfg.groups[0] = &tenon_kex_secp384r1;
    SERVER.cfg.group_count = 1;
    reconnect();
    check_stapled(1, 1);
    tenon_conn_info ci;
    CHECK(tenon_conn_info_get(&CLIENT.conn, &ci) == 0 && ci.hello_retry);
    /* A server without anything to staple sends nothing; status_fn is still called. */
    for (size_t v = 0; v < 2; v++) {
        pair(VERSIONS[v], CERT_P256, 1, 1);
        memset(&SERVER.cfg.certs[0].ocsp_response, 0, sizeof(tenon_bytes));
        memset(&SERVER.cfg.certs[0].sct_list, 0, sizeof(tenon_bytes));
        reconnect();
        check_stapled(0, 0);
    }
}

static void test_refused(void)
{
    for (size_t v = 0; v < 2; v++) {
        /* A positive verdict: bad_certificate_status_response (RFC 6066 §8). */
        pair(VERSIONS[v], CERT_P256, 1, 0);
        SEEN.verdict = 1;
        reconnect();
        CHECK(SEEN.calls == 1 && SEEN.ocsp_len == sizeof OCSP);
        CHECK_RC(tenon_conn_error(&CLIENT.conn), TENON_ERR_TLS_BAD_CERT_STATUS);
        CHECK(tenon_conn_peer_alert(&SERVER.conn) == TENON_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE);
        CHECK(tenon_error_alert(TENON_ERR_TLS_BAD_CERT_STATUS) ==
              TENON_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE);
        /* A negative one is the error, with its alert; here nothing was stapled (a client that
         * requires a staple). */
        pair(VERSIONS[v], CERT_P256, 0, 0);
        SEEN.verdict = TENON_ERR_CERT_REJECTED;
        reconnect();
        CHECK(SEEN.calls == 1 && SEEN.ocsp_len == 0);
        CHECK_RC(tenon_conn_error(&CLIENT.conn), TENON_ERR_CERT_REJECTED);
        CHECK(tenon_conn_peer_alert(&SERVER.conn) == TENON_ALERT_CERTIFICATE_UNKNOWN);
    }
}

static void test_resumed(void)
{
    static tenon_ticket slots[2];
    static tenon_ticket_store store;
    for (size_t v = 0; v < 2; v++) {
        tenon_ticket_store_init(&store, slots, 2);
        pair(VERSIONS[v], CERT_P256, 1, 1);
        CLIENT.cfg.ticket_store = &store;
        CHECK_RC(tenon_random(&SERVER.cfg.ticket_keys[0], sizeof SERVER.cfg.ticket_keys[0]), 0);
        SERVER.cfg.ticket_key_count = 1;
        reconnect();
        CHECK(resume_outcome(VERSIONS[v]) == 0);
        check_stapled(1, 1);
        /* TLS 1.3 delivers its ticket after the handshake. */
        uint8_t b = 0x42;
        CHECK(exchange(&SERVER.conn, &CLIENT.conn, &b, 1));
        memset(&SEEN, 0, sizeof SEEN);
        reconnect();
        CHECK(resume_outcome(VERSIONS[v]) == 1);
        tenon_conn_info ci;
        CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
        CHECK(ci.ocsp_response.len == 0 && ci.sct_list.len == 0);
        CHECK(SEEN.calls == 0);
    }
}

static void test_client_cert(void)
{
    /* tenon's server asks for no status on client certificates and refuses any extension on
     * the client's leaf (RFC 8446 §4.4.2): the handshake succeeding shows none was sent. */
    for (size_t v = 0; v < 2; v++) {
        pair(VERSIONS[v], CERT_P256, 0, 0);
        CHECK_RC(add_cert(&CLIENT.cfg, CERT_P384), 0);
        CLIENT.cfg.certs[0].ocsp_response.ptr = OCSP;
        CLIENT.cfg.certs[0].ocsp_response.len = sizeof OCSP;
        CLIENT.cfg.certs[0].sct_list.ptr = SCTS;
        CLIENT.cfg.certs[0].sct_list.len = sizeof SCTS;
        SERVER.cfg.client_auth = TENON_CLIENT_AUTH_REQUIRE;
        SERVER.cfg.trust = &PKI.store;
        reconnect();
        tenon_conn_info si;
        CHECK(both_done(&CLIENT, &SERVER));
        CHECK(tenon_conn_info_get(&SERVER.conn, &si) == 0 && si.client_authenticated);
        CHECK(si.ocsp_response.len == 0 && si.sct_list.len == 0);
    }
}

static void test_large(void)
{
    for (size_t i = 0; i < sizeof BIG; i++)
        BIG[i] = (uint8_t)(i * 7);
    for (size_t v = 0; v < 2; v++) {
        pair(VERSIONS[v], CERT_P256, 1, 0);
        SERVER.cfg.certs[0].ocsp_response.ptr = BIG;
        SERVER.cfg.certs[0].ocsp_response.len = sizeof BIG;
        reconnect();
        tenon_conn_info ci;
        CHECK(both_done(&CLIENT, &SERVER));
        CHECK(tenon_conn_info_get(&CLIENT.conn, &ci) == 0 &&
              same(ci.ocsp_response, BIG, sizeof BIG));
        /* Still valid after data flowed (the chain's lifetime). */
        uint8_t data[3000];
        memset(data, 0x17, sizeof data);
        CHECK(exchange(&SERVER.conn, &CLIENT.conn, data, sizeof data));
        CHECK(tenon_conn_info_get(&CLIENT.conn, &ci) == 0 &&
              same(ci.ocsp_response, BIG, sizeof BIG));
    }
}

static void test_config(void)
{
    tenon_config cfg;
    const char *why = NULL;
    server_config(&cfg, CERT_P256);
    CHECK_RC(tenon_config_check(&cfg, &why), 0);
    cfg.ocsp_stapling = 1;
    CHECK_RC(tenon_config_check(&cfg, &why), TENON_ERR_TLS_CONFIG);
    CHECK(why != NULL && strstr(why, "client settings") != NULL);
    cfg.ocsp_stapling = 0;
    cfg.signed_cert_timestamps = 1;
    CHECK_RC(tenon_config_check(&cfg, &why), TENON_ERR_TLS_CONFIG);
    cfg.signed_cert_timestamps = 0;
    cfg.status_fn = status_cb;
    CHECK_RC(tenon_config_check(&cfg, &why), TENON_ERR_TLS_CONFIG);
    cfg.status_fn = NULL;
    /* SCT lists: RFC 6962 §3.3's SignedCertificateTimestampList, nothing else. */
    static const struct {
        uint8_t b[10];
        size_t len;
        int ok;
    } LISTS[] = {
        {{0, 6, 0, 4, 5, 6, 7, 8}, 8, 1},
        {{0, 7, 0, 1, 9, 0, 2, 1, 2}, 9, 1},
        {{0, 0}, 2, 0},                   /* empty list */
        {{0, 6, 0, 2, 1, 2, 0, 0}, 8, 0}, /* an empty SCT */
        {{0, 6, 0, 4, 5, 6, 7}, 7, 0},    /* cut */
        {{0, 3, 0, 1, 9, 0}, 6, 0},       /* trailing byte */
        {{4, 5, 6, 7}, 4, 0},             /* no list */
    };
    for (size_t i = 0; i < ARRAY_LEN(LISTS); i++) {
        cfg.certs[0].sct_list.ptr = LISTS[i].b;
        cfg.certs[0].sct_list.len = LISTS[i].len;
        int rc = tenon_config_check(&cfg, &why);
        if (!CHECK(rc == (LISTS[i].ok ? 0 : TENON_ERR_TLS_CONFIG)))
            fprintf(stderr, "    SCT list %zu: %d\n", i, rc);
    }
    memset(&cfg.certs[0].sct_list, 0, sizeof(tenon_bytes));
    cfg.certs[0].ocsp_response.len = 5;
    CHECK_RC(tenon_config_check(&cfg, &why), TENON_ERR_TLS_CONFIG);
    cfg.certs[0].ocsp_response.ptr = OCSP;
    CHECK_RC(tenon_config_check(&cfg, &why), 0);
}

int main(void)
{
    CHECK_RC(pki_setup(), 0);
    test_stapled();
    test_refused();
    test_resumed();
    test_client_cert();
    test_large();
    test_config();
    return tu_finish("test_ocsp");
}
