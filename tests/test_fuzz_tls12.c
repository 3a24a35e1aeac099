/*
 * Fuzz replay of the TLS 1.2 states of the engine (thousands of deterministic mutations; run
 * under ASan in CI): never a crash, an out-of-bounds access, or a connection that forgets its
 * error. TLS 1.2 sends most of its handshake in the clear, so mutated records reach the
 * parsers directly:
 *
 *   server/hello     a fresh server fed mutated ClientHellos (with a ticket, or not);
 *   client/flight    a client that sent its ClientHello fed the mutated server flight
 *                    (ServerHello, Certificate, ServerKeyExchange, CertificateRequest,
 *                    ServerHelloDone) — ECDHE and RSA key transport;
 *   server/flight    the server waiting for the client's flight (Certificate,
 *                    ClientKeyExchange, CertificateVerify, change_cipher_spec, Finished);
 *   client/finish    the client waiting for NewSessionTicket, change_cipher_spec, Finished;
 *   client/resume    a client resuming, fed the mutated abbreviated server flight;
 *   post             both ends connected, fed mutated records sealed with the peer's keys
 *                    (HelloRequest, renegotiating ClientHello, alerts, data).
 * The client asks for, and the server staples, an OCSP response and SCTs (CertificateStatus
 * after Certificate in the client/flight records).
 *
 * Both engines run with fixed randoms and ephemeral keys (tls_conn_init_with_hooks).
 */
#include "fuzz_mutate.h"

#include "tls/tls13.h"

#define ITERATIONS 1500

static const uint8_t C_RANDOM[32] = {9, 8, 7, 6};
static const uint8_t S_RANDOM[32] = {5, 4, 3, 2};
static const uint8_t C_PRIV[TENON_KEX_MAX_PRIVATE_LEN] = {0x21, 0x22, 0x23, 9};
static const uint8_t S_PRIV[TENON_KEX_MAX_PRIVATE_LEN] = {0x31, 0x32, 0x33, 10};

static tenon_ticket SLOTS[2];
static tenon_ticket_store STORE;

static void configs(uint16_t suite, test_cert cert)
{
    client_config(&CLIENT.cfg);
    CLIENT.cfg.min_version = CLIENT.cfg.max_version = TENON_TLS12;
    CLIENT.cfg.suites[0] = suite;
    CLIENT.cfg.suite_count = 1;
    CLIENT.cfg.ticket_store = &STORE;
    (void)add_cert(&CLIENT.cfg, CERT_P256);
    server_config(&SERVER.cfg, cert);
    SERVER.cfg.suites[0] = suite;
    SERVER.cfg.suite_count = 1;
    memset(SERVER.cfg.ticket_keys[0].key, 9, 32);
    SERVER.cfg.ticket_key_count = 1;
    SERVER.cfg.client_auth = TENON_CLIENT_AUTH_REQUEST;
    SERVER.cfg.trust = &PKI.store;
    /* Stapling on, so the mutations reach status_request, the SCT list and CertificateStatus. */
    enable_stapling(&CLIENT.cfg, &SERVER.cfg);
}

static int init_server(void)
{
    return tls_conn_init_with_hooks(&SERVER.conn, &SERVER.cfg, SERVER.in, sizeof SERVER.in,
                                    SERVER.out, sizeof SERVER.out, S_RANDOM, S_PRIV);
}

static int init_client(void)
{
    return tls_conn_init_with_hooks(&CLIENT.conn, &CLIENT.cfg, CLIENT.in, sizeof CLIENT.in,
                                    CLIENT.out, sizeof CLIENT.out, C_RANDOM, C_PRIV);
}

/* One recorded handshake: each side's flights and the states between them. */
typedef struct recording {
    uint8_t ch[4096], sflight[16384], cflight[8192], sfinish[4096];
    size_t ch_len, sflight_len, cflight_len, sfinish_len;
    endpoint client_sent_ch, server_wait_client, client_wait_finish;
} recording;

static recording FULL_ECDHE, FULL_RSA, RESUME;

static size_t take(tenon_conn *from, uint8_t *buf, size_t cap)
{
    const uint8_t *p;
    size_t n;
    tenon_conn_output(from, &p, &n);
    if (n > cap)
        n = cap;
    memcpy(buf, p, n);
    tenon_conn_output_consume(from, n);
    return n;
}

/* Runs one handshake step by step (the client already initialised), recording it. */
static int record(recording *r)
{
    size_t used;
    if (init_server() != 0)
        return -1;
    r->client_sent_ch = CLIENT;
    r->ch_len = take(&CLIENT.conn, r->ch, sizeof r->ch);
    r->client_sent_ch.conn = CLIENT.conn; /* output drained: the copy waits for the server */
    if (tenon_conn_feed(&SERVER.conn, r->ch, r->ch_len, &used) != 0)
        return -1;
    r->sflight_len = take(&SERVER.conn, r->sflight, sizeof r->sflight);
    r->server_wait_client = SERVER;
    if (tenon_conn_feed(&CLIENT.conn, r->sflight, r->sflight_len, &used) != 0)
        return -1;
    r->cflight_len = take(&CLIENT.conn, r->cflight, sizeof r->cflight);
    r->client_wait_finish = CLIENT;
    if (r->cflight_len > 0 && tenon_conn_feed(&SERVER.conn, r->cflight, r->cflight_len, &used) != 0)
        return -1;
    r->sfinish_len = take(&SERVER.conn, r->sfinish, sizeof r->sfinish);
    if (r->sfinish_len > 0 && tenon_conn_feed(&CLIENT.conn, r->sfinish, r->sfinish_len, &used) != 0)
        return -1;
    pump(&CLIENT.conn, &SERVER.conn);
    return both_done(&CLIENT, &SERVER) ? 0 : -1;
}

static int record_all(void)
{
    tenon_ticket_store_init(&STORE, SLOTS, 2);
    configs(TENON_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, CERT_RSA);
    if (init_client() != 0 || record(&FULL_ECDHE) != 0)
        return -1;
    /* The ticket just stored makes the next handshake an abbreviated one. */
    if (init_client() != 0 || record(&RESUME) != 0 || !tls_conn_of(&CLIENT.conn)->resumed)
        return -1;
    tenon_ticket_store_init(&STORE, SLOTS, 2);
    configs(TENON_TLS_RSA_WITH_AES_128_GCM_SHA256, CERT_RSA);
    if (init_client() != 0 || record(&FULL_RSA) != 0)
        return -1;
    return 0;
}

static void fuzz_one(const recording *r, int target, const uint8_t *in, size_t n)
{
    switch (target) {
    case 0: /* a fresh server, a ClientHello */
        configs(TENON_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, CERT_RSA);
        if (init_server() != 0)
            abort();
        feed_all(&SERVER.conn, in, n);
        break;
    case 1: /* the client that sent its ClientHello, the server's flight */
        CLIENT = r->client_sent_ch;
        feed_all(&CLIENT.conn, in, n);
        break;
    case 2: /* the server waiting for the client's flight */
        SERVER = r->server_wait_client;
        feed_all(&SERVER.conn, in, n);
        break;
    default: /* the client waiting for the server's last messages */
        CLIENT = r->client_wait_finish;
        feed_all(&CLIENT.conn, in, n);
        break;
    }
}

/* Post-handshake: records sealed with the sender's keys, fed to a connected peer. */
static void fuzz_post(const uint8_t *msg, size_t len, int to_server, endpoint *snap_c,
                      endpoint *snap_s)
{
    static uint8_t rec[20000];
    CLIENT = *snap_c;
    SERVER = *snap_s;
    tls_conn *from = tls_conn_of(to_server ? &CLIENT.conn : &SERVER.conn);
    tls12_dir d = from->wr12;
    uint8_t type = len > 0 ? (uint8_t)(20 + len % 4) : 23;
    size_t rl;
    if (len > 16384 || tls12_seal(&d, type, msg, len, rec, sizeof rec, &rl) != 0)
        return;
    feed_all(to_server ? &SERVER.conn : &CLIENT.conn, rec, rl);
}

#ifdef TENON_LIBFUZZER
static endpoint POST_C, POST_S;
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        tu_seed(0x5eed12);
        if (pki_setup() != 0 || record_all() != 0)
            abort();
        configs(TENON_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, CERT_RSA);
        if (start(&CLIENT, &SERVER) != 0)
            abort();
        pump(&CLIENT.conn, &SERVER.conn);
        POST_C = CLIENT, POST_S = SERVER;
        ready = 1;
    }
    if (size < 1 || size > 40000)
        return 0;
    /* The first byte picks the recording and the state. */
    const recording *recs[3] = {&FULL_ECDHE, &FULL_RSA, &RESUME};
    unsigned pick = data[0] % 14;
    if (pick >= 12)
        fuzz_post(data + 1, size - 1, pick == 12, &POST_C, &POST_S);
    else
        fuzz_one(recs[pick / 4], (int)(pick % 4), data + 1, size - 1);
    if (tu_failed != 0)
        abort();
    return 0;
}
#else
int main(void)
{
    static uint8_t buf[40000];
    tu_seed(0x5eed12);
    if (!CHECK(pki_setup() == 0) || !CHECK(record_all() == 0))
        return tu_finish("test_fuzz_tls12");
    const recording *recs[3] = {&FULL_ECDHE, &FULL_RSA, &RESUME};
    /* Unmutated, each recorded flight replays to its state's next one: the replay is faithful
     * (the client's last step completes the handshake). */
    for (size_t k = 0; k < 3; k++) {
        const recording *r = recs[k];
        size_t used;
        CLIENT = r->client_wait_finish;
        CHECK(tenon_conn_feed(&CLIENT.conn, r->sfinish, r->sfinish_len, &used) == 0);
        CHECK(tenon_conn_status(&CLIENT.conn) & TENON_HANDSHAKE_DONE);
    }
    unsigned targets = 0;
    for (size_t k = 0; k < 3; k++)
        for (int t = 0; t < 4; t++) {
            const recording *r = recs[k];
            const uint8_t *src = t == 0   ? r->ch
                                 : t == 1 ? r->sflight
                                 : t == 2 ? r->cflight
                                          : r->sfinish;
            size_t len = t == 0   ? r->ch_len
                         : t == 1 ? r->sflight_len
                         : t == 2 ? r->cflight_len
                                  : r->sfinish_len;
            if (len == 0)
                continue;
            targets++;
            for (int i = 0; i < ITERATIONS; i++) {
                memcpy(buf, src, len);
                size_t n = mutate(buf, len, sizeof buf);
                fuzz_one(r, t, buf, n);
            }
        }
    /* Connected: a HelloRequest, a renegotiating ClientHello, alerts and data, mutated. */
    configs(TENON_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, CERT_RSA);
    CHECK(start(&CLIENT, &SERVER) == 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(both_done(&CLIENT, &SERVER));
    static endpoint post_c, post_s;
    post_c = CLIENT, post_s = SERVER;
    static const uint8_t seeds[][8] = {
        {0, 0, 0, 0}, {1, 0, 0, 4, 3, 3, 0, 0}, {1, 0}, {2, 100}, {'d', 'a', 't', 'a'}};
    for (int i = 0; i < ITERATIONS; i++) {
        size_t s = rnd(ARRAY_LEN(seeds));
        memcpy(buf, seeds[s], 8);
        size_t n = mutate(buf, s == 2 || s == 3 ? 2 : s == 0 || s == 4 ? 4 : 8, sizeof buf);
        fuzz_post(buf, n, i % 2, &post_c, &post_s);
    }
    targets += 2;
    printf("test_fuzz_tls12: %d mutations per target, %u targets\n", ITERATIONS, targets);
    return tu_finish("test_fuzz_tls12");
}
#endif
