/*
 * Buffers that come and go (tenon_conn_release_buffers / tenon_conn_give_buffers): an idle
 * established connection hands its buffers back, refuses to while they hold bytes, and carries
 * on with other buffers, in both versions, through data, KeyUpdate, tickets and resumption.
 */
#include "test_tls13_harness.h"

#include "tls/tls13.h"

/* An idle established connection with its buffers released holds its tenon_conn only. */
_Static_assert(sizeof(tenon_conn) <= 2048, "an idle connection holds more than 2 KB");

static uint8_t DATA[40000];
static tenon_ticket SLOTS[2];
static tenon_ticket_store STORE;
/* A second pair of buffers per side, to show the connection carries on in other memory. */
static uint8_t IN2[2][TENON_CONN_IN_SIZE], OUT2[2][TENON_CONN_OUT_SIZE];

/* Buffers given to a connection may be pre-filled with this byte: a release wipes what tenon
 * wrote (to zero) and leaves the rest. */
#define SENTINEL 0xA5

/* 1 if every byte is zero or SENTINEL (nothing tenon wrote survived the release). */
static int wiped(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0 && p[i] != SENTINEL)
            return 0;
    return 1;
}

static size_t sentinels(const uint8_t *p, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += p[i] == SENTINEL;
    return k;
}

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

static void configure(uint16_t version)
{
    tenon_ticket_store_init(&STORE, SLOTS, 2);
    client_config(&CLIENT.cfg);
    CLIENT.cfg.ticket_store = &STORE;
    server_config(&SERVER.cfg, CERT_P256);
    memset(SERVER.cfg.ticket_keys[0].name, 0x5a, 16);
    memset(SERVER.cfg.ticket_keys[0].key, 0x33, 32);
    SERVER.cfg.ticket_key_count = 1;
    CLIENT.cfg.min_version = CLIENT.cfg.max_version = version;
}

/* Releases e's buffers (they come back wiped and are the ones it had) and checks what an
 * idle connection without buffers does. */
static void release(endpoint *e, uint8_t *had_in, uint8_t *had_out)
{
    uint8_t *in, *out;
    size_t in_len, out_len;
    CHECK(tenon_conn_can_release(&e->conn));
    CHECK_RC(tenon_conn_release_buffers(&e->conn, &in, &in_len, &out, &out_len), 0);
    CHECK(in == had_in && out == had_out);
    CHECK(in_len == TENON_CONN_IN_SIZE && out_len == TENON_CONN_OUT_SIZE);
    CHECK(wiped(in, in_len) && wiped(out, out_len));

    unsigned st = tenon_conn_status(&e->conn);
    CHECK((st & TENON_NO_BUFFERS) && (st & TENON_HANDSHAKE_DONE) && (st & TENON_WANT_INPUT));
    CHECK(!(st & TENON_FAILED) && !(st & TENON_HAS_OUTPUT));
    CHECK(!tenon_conn_can_release(&e->conn));
    CHECK_RC(tenon_conn_release_buffers(&e->conn, &in, &in_len, &out, &out_len),
             TENON_ERR_NO_BUFFERS);
    size_t n = 1;
    uint8_t b[4] = {23, 3, 3, 0};
    CHECK_RC(tenon_conn_feed(&e->conn, b, sizeof b, &n), TENON_ERR_NO_BUFFERS);
    CHECK(n == 0);
    CHECK_RC(tenon_conn_write(&e->conn, DATA, 10, &n), TENON_ERR_NO_BUFFERS);
    CHECK_RC(tenon_conn_read(&e->conn, b, sizeof b, &n), 0);
    CHECK(n == 0);
    CHECK_RC(tenon_conn_close(&e->conn), TENON_ERR_NO_BUFFERS);
    const uint8_t *p;
    tenon_conn_output(&e->conn, &p, &n);
    CHECK(n == 0);
    /* Not a failure: the connection is as healthy as before. */
    CHECK_RC(tenon_conn_error(&e->conn), 0);
}

static void give(endpoint *e, uint8_t *in, uint8_t *out)
{
    CHECK_RC(tenon_conn_give_buffers(&e->conn, in, TENON_CONN_IN_MIN - 1, out, TENON_CONN_OUT_SIZE),
             TENON_ERR_BUFFER_TOO_SMALL);
    CHECK_RC(tenon_conn_give_buffers(&e->conn, in, TENON_CONN_IN_SIZE, out, TENON_CONN_OUT_SIZE),
             0);
    CHECK(!(tenon_conn_status(&e->conn) & TENON_NO_BUFFERS));
    CHECK_RC(tenon_conn_give_buffers(&e->conn, in, TENON_CONN_IN_SIZE, out, TENON_CONN_OUT_SIZE),
             TENON_ERR_INVALID_ARGUMENT);
}

static void test_idle_cycles(uint16_t version)
{
    configure(version);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    /* Not before the handshake is complete. */
    uint8_t *in, *out;
    size_t in_len, out_len;
    CHECK(!tenon_conn_can_release(&CLIENT.conn));
    CHECK_RC(tenon_conn_release_buffers(&CLIENT.conn, &in, &in_len, &out, &out_len),
             TENON_ERR_BUFFERS_BUSY);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK(SLOTS[0].in_use == 1);

    tenon_conn_info before, after;
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &before), 0);
    CHECK(before.peer_chain_count == 1 && before.has_peer_leaf_hash);
    uint8_t ekm[2][32], ekm2[2][32];
    CHECK_RC(tenon_conn_export(&CLIENT.conn, "EXPORTER-test", NULL, 0, ekm[0], 32), 0);
    CHECK_RC(tenon_conn_export(&SERVER.conn, "EXPORTER-test", NULL, 0, ekm[1], 32), 0);

    release(&CLIENT, CLIENT.in, CLIENT.out);
    release(&SERVER, SERVER.in, SERVER.out);

    /* What stays: everything but the chain. */
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &after), 0);
    CHECK(after.peer_chain_count == 0 && after.has_peer_leaf_hash);
    CHECK(memcmp(after.peer_leaf_sha256, before.peer_leaf_sha256, 32) == 0);
    CHECK(after.version == version && after.suite == before.suite && after.group == before.group);
    CHECK(after.server_name.len == 9 && memcmp(after.server_name.ptr, "localhost", 9) == 0);
    CHECK_RC(tenon_conn_export(&CLIENT.conn, "EXPORTER-test", NULL, 0, ekm2[0], 32), 0);
    CHECK_RC(tenon_conn_export(&SERVER.conn, "EXPORTER-test", NULL, 0, ekm2[1], 32), 0);
    CHECK(memcmp(ekm, ekm2, sizeof ekm) == 0);

    /* Wake in other buffers, talk, go idle again: many times, alternating buffer pairs. */
    for (int i = 0; i < 40; i++) {
        int k = i & 1;
        uint8_t *cin = k ? CLIENT.in : IN2[0], *cout = k ? CLIENT.out : OUT2[0];
        uint8_t *sin = k ? SERVER.in : IN2[1], *sout = k ? SERVER.out : OUT2[1];
        if (!k) {
            /* What the connection never touches must survive its release. */
            memset(cin, SENTINEL, TENON_CONN_IN_SIZE);
            memset(cout, SENTINEL, TENON_CONN_OUT_SIZE);
        }
        give(&CLIENT, cin, cout);
        give(&SERVER, sin, sout);
        size_t len = (size_t)(1 + i * 997) % sizeof DATA;
        CHECK(exchange(&CLIENT.conn, &SERVER.conn, DATA + i, len));
        CHECK(exchange(&SERVER.conn, &CLIENT.conn, DATA, len + 1));
        if (version == TENON_TLS13 && i % 7 == 3) {
            CHECK_RC(tenon_conn_key_update(&CLIENT.conn, 1), 0);
            CHECK(exchange(&CLIENT.conn, &SERVER.conn, DATA, 100));
            CHECK(exchange(&SERVER.conn, &CLIENT.conn, DATA, 100));
        }
        release(&CLIENT, cin, cout);
        release(&SERVER, sin, sout);
        /* Only what was used was wiped: the handshake-message area was not. */
        if (!k)
            CHECK(sentinels(cin, TENON_CONN_IN_SIZE) >= 30000);
    }

    /* Busy buffers are never let go: unsent output, unread data, a partial record. */
    give(&CLIENT, CLIENT.in, CLIENT.out);
    give(&SERVER, SERVER.in, SERVER.out);
    size_t w;
    CHECK_RC(tenon_conn_write(&SERVER.conn, DATA, 3000, &w), 0);
    CHECK(w == 3000 && !tenon_conn_can_release(&SERVER.conn));
    CHECK_RC(tenon_conn_release_buffers(&SERVER.conn, &in, &in_len, &out, &out_len),
             TENON_ERR_BUFFERS_BUSY);
    CHECK(tenon_conn_status(&SERVER.conn) & TENON_HAS_OUTPUT);
    const uint8_t *p;
    size_t n, used;
    tenon_conn_output(&SERVER.conn, &p, &n);
    CHECK_RC(tenon_conn_feed(&CLIENT.conn, p, 3, &used), 0);
    CHECK(used == 3 && !tenon_conn_can_release(&CLIENT.conn)); /* a partial record */
    CHECK_RC(tenon_conn_release_buffers(&CLIENT.conn, &in, &in_len, &out, &out_len),
             TENON_ERR_BUFFERS_BUSY);
    CHECK_RC(tenon_conn_feed(&CLIENT.conn, p + 3, n - 3, &used), 0);
    tenon_conn_output_consume(&SERVER.conn, n);
    CHECK(tenon_conn_can_release(&SERVER.conn));
    CHECK(!tenon_conn_can_release(&CLIENT.conn)); /* unread data */
    static uint8_t got[4000];
    size_t have = 0;
    for (int i = 0; i < 10 && have < 3000; i++) {
        CHECK_RC(tenon_conn_read(&CLIENT.conn, got + have, sizeof got - have, &n), 0);
        have += n;
    }
    CHECK(have == 3000 && memcmp(got, DATA, 3000) == 0);
    CHECK(tenon_conn_can_release(&CLIENT.conn));
    release(&CLIENT, CLIENT.in, CLIENT.out);
    release(&SERVER, SERVER.in, SERVER.out);

    /* A connection without buffers still ends cleanly: given them back, it closes. */
    give(&CLIENT, CLIENT.in, CLIENT.out);
    give(&SERVER, SERVER.in, SERVER.out);
    CHECK_RC(tenon_conn_close(&CLIENT.conn), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(tenon_conn_status(&SERVER.conn) & TENON_PEER_CLOSED);

    /* The ticket taken before the first release resumes, naming the same peer. */
    reconnect();
    CHECK(resume_outcome(version) == 1);
    tenon_conn_info ri;
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ri), 0);
    CHECK(ri.has_peer_leaf_hash && memcmp(ri.peer_leaf_sha256, before.peer_leaf_sha256, 32) == 0);
    release(&CLIENT, CLIENT.in, CLIENT.out);
    release(&SERVER, SERVER.in, SERVER.out);
    tenon_conn_wipe(&CLIENT.conn);
    tenon_conn_wipe(&SERVER.conn);
}

/* Wipes stay wiped: the handshake state (the first bytes of the input buffer's work area) is
 * all zero once the handshake is over, with the buffers still held. */
static void check_hs_wiped(endpoint *e)
{
    tls_conn *c = tls_conn_of(&e->conn);
    CHECK(c->hs == NULL && c->peer != NULL);
    uint8_t *work = tls_work_align(e->in);
    CHECK(all_zero(e->in, (size_t)(work - e->in) + TLS_WORK_PEER));
}

/* Release and give across versions and suites: after each wake (in swapped buffers, with the
 * client's tenon_conn moved to another address while it had none) data flows both ways, then
 * a KeyUpdate (TLS 1.3) and more data; the expanded keys are recomputed from the raw ones. */
static tenon_conn MOVED;

static void test_suites_wake(void)
{
    static const struct {
        uint16_t version, suite;
        test_cert cert;
        int omit_etm;
    } CASES[] = {
        {TENON_TLS13, TENON_TLS_AES_128_GCM_SHA256, CERT_P256, 0},
        {TENON_TLS13, TENON_TLS_AES_256_GCM_SHA384, CERT_P256, 0},
        {TENON_TLS13, TENON_TLS_CHACHA20_POLY1305_SHA256, CERT_P256, 0},
        {TENON_TLS12, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, CERT_P256, 0},
        {TENON_TLS12, TENON_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, CERT_P256, 0},
        {TENON_TLS12, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, CERT_P256, 0},
        {TENON_TLS12, TENON_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, CERT_P256, 1},
        {TENON_TLS12, TENON_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, CERT_RSA, 0},
    };
    for (size_t i = 0; i < ARRAY_LEN(CASES); i++) {
        client_config(&CLIENT.cfg);
        server_config(&SERVER.cfg, CASES[i].cert);
        CLIENT.cfg.min_version = CLIENT.cfg.max_version = CASES[i].version;
        CLIENT.cfg.suites[0] = SERVER.cfg.suites[0] = CASES[i].suite;
        CLIENT.cfg.suite_count = SERVER.cfg.suite_count = 1;
        tls_test_client_omit = CASES[i].omit_etm ? TLS_TEST_OMIT_ETM : 0;
        CHECK_RC(start(&CLIENT, &SERVER), 0);
        CHECK(tls_conn_of(&CLIENT.conn)->hs != NULL && tls_conn_of(&SERVER.conn)->hs != NULL);
        pump(&CLIENT.conn, &SERVER.conn);
        tls_test_client_omit = 0;
        if (!CHECK(both_done(&CLIENT, &SERVER))) {
            fprintf(stderr, "    suite %04x\n", CASES[i].suite);
            continue;
        }
        tenon_conn_info ci;
        CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
        CHECK(ci.suite == CASES[i].suite);
        int cbc = CASES[i].suite == TENON_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA ||
                  CASES[i].suite == TENON_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256;
        CHECK(ci.encrypt_then_mac == (cbc && !CASES[i].omit_etm));
        check_hs_wiped(&CLIENT);
        check_hs_wiped(&SERVER);
        /* The peer's hello is there until the buffers go, then not. */
        tenon_peer_offer o;
        CHECK_RC(tenon_conn_peer_offer(&SERVER.conn, &o), 0);
        CHECK(ci.peer_chain_count == 1);

        tenon_conn *cl = &CLIENT.conn;
        for (int round = 0; round < 6; round++) {
            uint8_t *cin = (round & 1) ? CLIENT.in : IN2[0],
                    *cout = (round & 1) ? CLIENT.out : OUT2[0];
            uint8_t *sin = (round & 1) ? SERVER.in : IN2[1],
                    *sout = (round & 1) ? SERVER.out : OUT2[1];
            uint8_t *had_cin = (round & 1) ? IN2[0] : CLIENT.in;
            uint8_t *had_cout = (round & 1) ? OUT2[0] : CLIENT.out;
            uint8_t *had_sin = (round & 1) ? IN2[1] : SERVER.in;
            uint8_t *had_sout = (round & 1) ? OUT2[1] : SERVER.out;
            uint8_t *in, *out;
            size_t in_len, out_len;
            CHECK_RC(tenon_conn_release_buffers(cl, &in, &in_len, &out, &out_len), 0);
            CHECK(in == had_cin && out == had_cout && wiped(in, in_len));
            CHECK_RC(tenon_conn_release_buffers(&SERVER.conn, &in, &in_len, &out, &out_len), 0);
            CHECK(in == had_sin && out == had_sout && wiped(out, out_len));
            CHECK_RC(tenon_conn_peer_offer(&SERVER.conn, &o), TENON_ERR_INVALID_ARGUMENT);
            /* The released client moves: everything it needs is in its tenon_conn. */
            tenon_conn *to = cl == &CLIENT.conn ? &MOVED : &CLIENT.conn;
            memcpy(to, cl, sizeof *to);
            memset(cl, 0xa5, sizeof *cl);
            cl = to;
            CHECK_RC(
                tenon_conn_give_buffers(cl, cin, TENON_CONN_IN_SIZE, cout, TENON_CONN_OUT_SIZE), 0);
            CHECK_RC(tenon_conn_give_buffers(&SERVER.conn, sin, TENON_CONN_IN_SIZE, sout,
                                             TENON_CONN_OUT_SIZE),
                     0);
            /* Only the server writes first: the client's write keys wake later, on its own. */
            size_t len = 1000 + (size_t)round * 3001;
            CHECK(exchange(&SERVER.conn, cl, DATA + round, len));
            CHECK(exchange(cl, &SERVER.conn, DATA, len + 7));
            if (CASES[i].version == TENON_TLS13) {
                CHECK_RC(tenon_conn_key_update(round & 1 ? cl : &SERVER.conn, 1), 0);
                CHECK(exchange(cl, &SERVER.conn, DATA, 300));
                CHECK(exchange(&SERVER.conn, cl, DATA + 5, 300));
            }
            CHECK(tenon_conn_can_release(cl) && tenon_conn_can_release(&SERVER.conn));
        }
        if (cl != &CLIENT.conn)
            memcpy(&CLIENT.conn, cl, sizeof CLIENT.conn);
        /* Back in their first buffers (round 5 gave those): a clean close. */
        CHECK_RC(tenon_conn_close(&CLIENT.conn), 0);
        pump(&CLIENT.conn, &SERVER.conn);
        CHECK(tenon_conn_status(&SERVER.conn) & TENON_PEER_CLOSED);
        tenon_conn_wipe(&CLIENT.conn);
        tenon_conn_wipe(&SERVER.conn);
    }
}

/* A connection released while the peer's transport ends learns of it without buffers. */
static void test_eof_while_released(void)
{
    configure(TENON_TLS13);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(both_done(&CLIENT, &SERVER));
    release(&SERVER, SERVER.in, SERVER.out);
    CHECK_RC(tenon_conn_transport_eof(&SERVER.conn), TENON_ERR_TLS_TRUNCATED);
    CHECK(tenon_conn_status(&SERVER.conn) & TENON_FAILED);
    CHECK_RC(tenon_conn_give_buffers(&SERVER.conn, SERVER.in, sizeof SERVER.in, SERVER.out,
                                     sizeof SERVER.out),
             TENON_ERR_TLS_TRUNCATED);
    tenon_conn_wipe(&SERVER.conn);
    tenon_conn_wipe(&CLIENT.conn);
}

static int all_byte(const uint8_t *p, size_t n, uint8_t v)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= (uint8_t)(p[i] ^ v);
    return acc == 0;
}

/* A wake recomputes a direction's expanded keys only when that direction is used: the read
 * keys (in the input buffer's work area) at the first record fed, the write keys (at the start
 * of the output buffer) at the first write; buffers given and taken back without traffic cost
 * no key set-up at all. The buffers come filled with a marker byte, so any key expanded into
 * them shows. */
static void test_lazy_wake(uint16_t version)
{
    configure(version);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(both_done(&CLIENT, &SERVER));
    release(&SERVER, SERVER.in, SERVER.out);
    uint8_t *sin = IN2[1], *sout = OUT2[1], *in, *out;
    size_t in_len, out_len;

    /* Given and taken back with no traffic: the output buffer is untouched and the input
     * buffer's work area (where the read keys go) only wiped. */
    memset(sin, 0xa5, TENON_CONN_IN_SIZE);
    memset(sout, 0xa5, TENON_CONN_OUT_SIZE);
    give(&SERVER, sin, sout);
    CHECK(all_zero(sin, TENON_CONN_HS_SIZE));
    CHECK(all_byte(sout, TENON_CONN_OUT_SIZE, 0xa5));
    CHECK_RC(tenon_conn_release_buffers(&SERVER.conn, &in, &in_len, &out, &out_len), 0);
    CHECK(in == sin && out == sout && wiped(in, in_len) && wiped(out, out_len));

    /* Reading wakes the read direction only. */
    memset(sout, 0xa5, TENON_CONN_OUT_SIZE);
    give(&SERVER, sin, sout);
    CHECK(exchange(&CLIENT.conn, &SERVER.conn, DATA, 100));
    CHECK(!all_zero(sin, TENON_CONN_HS_SIZE));
    CHECK(all_byte(sout, TENON_CONN_OUT_SIZE, 0xa5));

    /* Writing wakes the other. */
    CHECK(exchange(&SERVER.conn, &CLIENT.conn, DATA, 100));
    CHECK(!all_byte(sout, TENON_CONN_KEYS_SIZE, 0xa5));
    tenon_conn_wipe(&SERVER.conn);
    tenon_conn_wipe(&CLIENT.conn);
}

int main(void)
{
    for (size_t i = 0; i < sizeof DATA; i++)
        DATA[i] = (uint8_t)(i * 31 + 7);
    CHECK_RC(pki_setup(), 0);
    test_idle_cycles(TENON_TLS13);
    test_idle_cycles(TENON_TLS12);
    test_eof_while_released();
    test_suites_wake();
    test_lazy_wake(TENON_TLS13);
    test_lazy_wake(TENON_TLS12);
    return tu_finish("conn_buffers");
}
