/*
 * Fuzz replay of the TLS 1.3 engine (thousands of deterministic mutations; run under ASan in
 * CI): never a crash, an out-of-bounds access, or a connection that forgets its error.
 *
 *   framing    the server fed mutated ClientHello records; the client fed the mutated server
 *              flight (records, headers, the plaintext ServerHello);
 *   deep       structure-aware: the handshake messages themselves are mutated in the clear and
 *              then sealed with the right keys, so the parsers behind the AEAD are reached
 *              without a special build: the client's EncryptedExtensions ... Finished, the
 *              server's client Finished / Certificate, and post-handshake NewSessionTicket and
 *              KeyUpdate.
 *
 * Both engines run with fixed randoms and ephemeral keys (tls_conn_init_with_hooks) and without
 * middlebox compatibility, so a recorded flight can be replayed to a fresh peer.
 */
#include "fuzz_mutate.h"

#include "tls/tls13.h"

#define ITERATIONS 2500

static const uint8_t C_RANDOM[32] = {1, 2, 3, 4};
static const uint8_t S_RANDOM[32] = {5, 6, 7, 8};
static const uint8_t C_PRIV[TENON_KEX_MAX_PRIVATE_LEN] = {0x41, 0x42, 0x43, 9};
static const uint8_t S_PRIV[TENON_KEX_MAX_PRIVATE_LEN] = {0x51, 0x52, 0x53, 10};

/* The server's handshake messages in the clear (from the trace), and the client's. */
static uint8_t S_MSGS[16384], C_MSGS[4096], S_POST[4096];
static size_t s_msgs_len, c_msgs_len, s_post_len;
static int recording;

static void record_msgs(void *user, const tenon_trace_event *ev)
{
    (void)user;
    if (!recording || ev->type != TENON_TRACE_MESSAGE || !ev->sent || ev->nvalues < 1)
        return;
    const tenon_trace_value *v = &ev->values[0];
    uint8_t type = v->data[0];
    if (ev->from_client) {
        if (type != HS_CLIENT_HELLO && c_msgs_len + v->len <= sizeof C_MSGS)
            memcpy(C_MSGS + c_msgs_len, v->data, v->len), c_msgs_len += v->len;
    } else if (type == HS_NEW_SESSION_TICKET) {
        if (s_post_len + v->len <= sizeof S_POST)
            memcpy(S_POST + s_post_len, v->data, v->len), s_post_len += v->len;
    } else if (type != HS_SERVER_HELLO && s_msgs_len + v->len <= sizeof S_MSGS) {
        memcpy(S_MSGS + s_msgs_len, v->data, v->len), s_msgs_len += v->len;
    }
}

/* The client keeps tickets (so its ClientHello announces psk_dhe_ke and the server issues it
 * one, RFC 8446 §4.2.9) but starts every connection with none to offer: each ClientHello is the
 * recorded one. */
static tenon_ticket REC_SLOTS[2];
static tenon_ticket_store REC_STORE;

static void configs(void)
{
    client_config(&CLIENT.cfg);
    CLIENT.cfg.middlebox_compat = 0;
    CLIENT.cfg.trace_fn = record_msgs;
    CLIENT.cfg.ticket_store = &REC_STORE;
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.trace_fn = record_msgs;
    memset(SERVER.cfg.ticket_keys[0].key, 7, 32);
    SERVER.cfg.ticket_key_count = 1;
    /* Stapling on, so the mutations reach the leaf entry's status_request and SCT list. */
    enable_stapling(&CLIENT.cfg, &SERVER.cfg);
}

static int init_server(void)
{
    return tls_conn_init_with_hooks(&SERVER.conn, &SERVER.cfg, SERVER.in, sizeof SERVER.in,
                                    SERVER.out, sizeof SERVER.out, S_RANDOM, S_PRIV);
}

static int init_client(void)
{
    tenon_ticket_store_init(&REC_STORE, REC_SLOTS, 2);
    return tls_conn_init_with_hooks(&CLIENT.conn, &CLIENT.cfg, CLIENT.in, sizeof CLIENT.in,
                                    CLIENT.out, sizeof CLIENT.out, C_RANDOM, C_PRIV);
}

/* Seals a plaintext stream of handshake messages into records with a copy of keys. */
static size_t seal_stream(const tls_record_keys *keys, const uint8_t *msgs, size_t len,
                          uint8_t *out, size_t cap)
{
    static tls_record_keys k;
    k = *keys;
    size_t o = 0;
    for (size_t off = 0; off < len;) {
        size_t n = len - off > 16384 ? 16384 : len - off;
        size_t rec;
        if (tls13_seal_record(&k, TLS_CT_HANDSHAKE, msgs + off, n, 0, out + o, cap - o, &rec) != 0)
            break;
        o += rec;
        off += n;
    }
    return o;
}

static uint8_t CH[4096], FLIGHT[32768], CFIN[4096];
static size_t ch_len, flight_len, cfin_len;
static endpoint SNAP, SNAP_SERVER;

/* A real handshake, recorded. */
static int record_handshake(void)
{
    const uint8_t *p;
    size_t n, used;
    configs();
    recording = 1;
    if (init_server() != 0 || init_client() != 0)
        return -1;
    tenon_conn_output(&CLIENT.conn, &p, &n);
    memcpy(CH, p, n), ch_len = n;
    tenon_conn_output_consume(&CLIENT.conn, n);
    if (tenon_conn_feed(&SERVER.conn, CH, ch_len, &used) != 0)
        return -1;
    tenon_conn_output(&SERVER.conn, &p, &n);
    memcpy(FLIGHT, p, n), flight_len = n;
    tenon_conn_output_consume(&SERVER.conn, n);
    /* The server waiting for the client's Finished, kept for the deep fuzzing: its
     * CertificateVerify signature is randomised, so only this very state matches the client's
     * recorded Finished. */
    SNAP_SERVER = SERVER;
    if (tenon_conn_feed(&CLIENT.conn, FLIGHT, flight_len, &used) != 0)
        return -1;
    tenon_conn_output(&CLIENT.conn, &p, &n);
    memcpy(CFIN, p, n), cfin_len = n;
    pump(&CLIENT.conn, &SERVER.conn);
    recording = 0;
    return both_done(&CLIENT, &SERVER) ? 0 : -1;
}

static void fuzz_framing(void)
{
    static uint8_t buf[40000];
    for (int i = 0; i < ITERATIONS; i++) {
        memcpy(buf, CH, ch_len);
        size_t n = mutate(buf, ch_len, sizeof buf);
        CHECK(init_server() == 0);
        feed_all(&SERVER.conn, buf, n);
    }
    for (int i = 0; i < ITERATIONS; i++) {
        memcpy(buf, FLIGHT, flight_len);
        size_t n = mutate(buf, flight_len, sizeof buf);
        CHECK(init_client() == 0);
        const uint8_t *p;
        size_t out;
        tenon_conn_output(&CLIENT.conn, &p, &out);
        tenon_conn_output_consume(&CLIENT.conn, out);
        feed_all(&CLIENT.conn, buf, n);
    }
}

static void fuzz_deep(void)
{
    static uint8_t msgs[40000], recs[48000];
    size_t used;
    /* The client, right after the ServerHello: its read keys are the server's handshake keys
     * at sequence 0. */
    CHECK(init_client() == 0);
    {
        const uint8_t *p;
        size_t out;
        tenon_conn_output(&CLIENT.conn, &p, &out);
        tenon_conn_output_consume(&CLIENT.conn, out);
        size_t sh = 5 + (((size_t)FLIGHT[3] << 8) | FLIGHT[4]);
        CHECK(tenon_conn_feed(&CLIENT.conn, FLIGHT, sh, &used) == 0);
        CHECK(tls_conn_of(&CLIENT.conn)->state == ST_C_WAIT_EE);
    }
    SNAP = CLIENT;
    /* Unmutated, the sealed messages complete the handshake: the replay is faithful. */
    size_t r = seal_stream(&tls_conn_of(&SNAP.conn)->rd, S_MSGS, s_msgs_len, recs, sizeof recs);
    CHECK(tenon_conn_feed(&CLIENT.conn, recs, r, &used) == 0);
    CHECK(tls_conn_of(&CLIENT.conn)->state == ST_CONNECTED);
    for (int i = 0; i < ITERATIONS; i++) {
        memcpy(msgs, S_MSGS, s_msgs_len);
        size_t n = mutate(msgs, s_msgs_len, sizeof msgs);
        CLIENT = SNAP;
        r = seal_stream(&tls_conn_of(&SNAP.conn)->rd, msgs, n, recs, sizeof recs);
        feed_all(&CLIENT.conn, recs, r);
    }

    /* The server, waiting for the client's Finished. */
    SNAP = SNAP_SERVER;
    SERVER = SNAP;
    r = seal_stream(&tls_conn_of(&SNAP.conn)->rd, C_MSGS, c_msgs_len, recs, sizeof recs);
    CHECK(tenon_conn_feed(&SERVER.conn, recs, r, &used) == 0);
    CHECK(tls_conn_of(&SERVER.conn)->state == ST_CONNECTED);
    for (int i = 0; i < ITERATIONS; i++) {
        /* The Finished, or a client Certificate in its place. */
        if (i % 3 == 0) {
            static const uint8_t hdr[] = {HS_CERTIFICATE, 0, 0, 0, 0, 0, 0, 0};
            memcpy(msgs, hdr, sizeof hdr);
            size_t body = 4 + 3 + PKI.client_len + 2;
            msgs[1] = (uint8_t)(body >> 16), msgs[2] = (uint8_t)(body >> 8);
            msgs[3] = (uint8_t)body;
            msgs[4] = 0;
            size_t list = 3 + PKI.client_len + 2;
            msgs[5] = (uint8_t)(list >> 16), msgs[6] = (uint8_t)(list >> 8),
            msgs[7] = (uint8_t)list;
            msgs[8] = (uint8_t)(PKI.client_len >> 16), msgs[9] = (uint8_t)(PKI.client_len >> 8);
            msgs[10] = (uint8_t)PKI.client_len;
            memcpy(msgs + 11, PKI.client_der, PKI.client_len);
            msgs[11 + PKI.client_len] = 0, msgs[12 + PKI.client_len] = 0;
            size_t n = mutate(msgs, 13 + PKI.client_len, sizeof msgs);
            SERVER = SNAP;
            tls_conn_of(&SERVER.conn)->state = ST_S_WAIT_CERT;
            r = seal_stream(&tls_conn_of(&SNAP.conn)->rd, msgs, n, recs, sizeof recs);
        } else {
            memcpy(msgs, C_MSGS, c_msgs_len);
            size_t n = mutate(msgs, c_msgs_len, sizeof msgs);
            SERVER = SNAP;
            r = seal_stream(&tls_conn_of(&SNAP.conn)->rd, msgs, n, recs, sizeof recs);
        }
        feed_all(&SERVER.conn, recs, r);
    }

    /* After the handshake: NewSessionTicket and KeyUpdate to a client. */
    tenon_ticket slots[2];
    tenon_ticket_store store;
    tenon_ticket_store_init(&store, slots, 2);
    configs();
    CLIENT.cfg.ticket_store = &store;
    CHECK(init_server() == 0 && init_client() == 0);
    {
        const uint8_t *p;
        size_t out;
        tenon_conn_output(&CLIENT.conn, &p, &out);
        CHECK(tenon_conn_feed(&SERVER.conn, p, out, &used) == 0);
        tenon_conn_output_consume(&CLIENT.conn, used);
        tenon_conn_output(&SERVER.conn, &p, &out);
        CHECK(tenon_conn_feed(&CLIENT.conn, p, out, &used) == 0);
        tenon_conn_output_consume(&SERVER.conn, used);
    }
    CHECK(tls_conn_of(&CLIENT.conn)->state == ST_CONNECTED);
    SNAP = CLIENT;
    static const uint8_t ku[] = {HS_KEY_UPDATE, 0, 0, 1, 1};
    for (int i = 0; i < ITERATIONS; i++) {
        size_t n;
        if (i % 2 == 0 && s_post_len > 0) {
            memcpy(msgs, S_POST, s_post_len);
            n = mutate(msgs, s_post_len, sizeof msgs);
        } else {
            memcpy(msgs, ku, sizeof ku);
            memcpy(msgs + sizeof ku, ku, sizeof ku);
            n = mutate(msgs, 2 * sizeof ku, sizeof msgs);
        }
        CLIENT = SNAP;
        r = seal_stream(&tls_conn_of(&SNAP.conn)->rd, msgs, n, recs, sizeof recs);
        feed_all(&CLIENT.conn, recs, r);
    }
}

#ifdef TENON_LIBFUZZER
/*
 * libFuzzer entry (make fuzz): the first byte picks the target, the rest is the input.
 *   0  a fresh server fed raw client bytes
 *   1  a client that sent its ClientHello, fed raw server bytes
 *   2  the client right after the ServerHello, fed handshake messages sealed with its keys
 *   3  the server waiting for the client's Finished, fed handshake messages sealed likewise
 * Any broken invariant (a forgotten error, a status that disagrees) aborts, so the fuzzer
 * reports it like a crash.
 */
static endpoint SNAP_CLIENT_EE;

static void fuzz_setup(void)
{
    size_t used;
    const uint8_t *p;
    size_t out;
    tu_seed(0x5eed);
    if (pki_setup() != 0 || record_handshake() != 0 || init_client() != 0)
        abort();
    tenon_conn_output(&CLIENT.conn, &p, &out);
    tenon_conn_output_consume(&CLIENT.conn, out);
    size_t sh = 5 + (((size_t)FLIGHT[3] << 8) | FLIGHT[4]);
    if (tenon_conn_feed(&CLIENT.conn, FLIGHT, sh, &used) != 0)
        abort();
    SNAP_CLIENT_EE = CLIENT;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    static uint8_t recs[48000];
    if (!ready) {
        fuzz_setup();
        ready = 1;
    }
    if (size < 1 || size > 40000)
        return 0;
    const uint8_t *in = data + 1;
    size_t n = size - 1, r;
    switch (data[0] % 4) {
    case 0:
        if (init_server() != 0)
            abort();
        feed_all(&SERVER.conn, in, n);
        break;
    case 1: {
        const uint8_t *p;
        size_t out;
        if (init_client() != 0)
            abort();
        tenon_conn_output(&CLIENT.conn, &p, &out);
        tenon_conn_output_consume(&CLIENT.conn, out);
        feed_all(&CLIENT.conn, in, n);
        break;
    }
    case 2:
        CLIENT = SNAP_CLIENT_EE;
        r = seal_stream(&tls_conn_of(&SNAP_CLIENT_EE.conn)->rd, in, n, recs, sizeof recs);
        feed_all(&CLIENT.conn, recs, r);
        break;
    default:
        SERVER = SNAP_SERVER;
        r = seal_stream(&tls_conn_of(&SNAP_SERVER.conn)->rd, in, n, recs, sizeof recs);
        feed_all(&SERVER.conn, recs, r);
        break;
    }
    if (tu_failed != 0)
        abort();
    return 0;
}
#else
int main(void)
{
    tu_seed(0x5eed);
    if (!CHECK(pki_setup() == 0) || !CHECK(record_handshake() == 0))
        return tu_finish("test_fuzz_tls");
    CHECK(s_msgs_len > 0 && c_msgs_len > 0 && s_post_len > 0);
    fuzz_framing();
    fuzz_deep();
    printf("test_fuzz_tls: %d mutations per target, 7 targets\n", ITERATIONS);
    return tu_finish("test_fuzz_tls");
}
#endif
