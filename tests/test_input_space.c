/*
 * Zero-copy input (tenon_conn_input_space / tenon_conn_input_commit), client and server engines
 * back to back in memory: whole TLS 1.3 and TLS 1.2 connections (handshake, data both ways,
 * KeyUpdate, close_notify) with every byte going in through the space, in whole spaces, one byte
 * at a time and in random partial commits, and mixed with tenon_conn_feed at every chunk; a
 * space offered exactly when the status asks for input; a commit over the space refused with
 * nothing changed; a byte forged in the space failing the record (bad_record_mac, then the
 * sticky error from both calls); no space once the buffers are released. Every space lies in
 * the record area of the buffer given, never over the largest record the side takes; the same
 * after a HelloRetryRequest and with a record_size_limit of 512 in the smallest buffer for it;
 * hostile headers (unknown type, plaintext over 2^14, a record the area cannot hold) fail at
 * their fifth byte with no space for a body.
 */
#include "test_tls13_harness.h"

static uint8_t DATA[40000];

/* How space_move puts bytes in: 0 whole spaces, 1 one byte per commit, 2 random partial
 * commits, 3 random chunks, each through the space or through tenon_conn_feed at random. */
static int MODE;
/* The server's input buffer as given to tenon_conn_init, the largest record a space may hold,
 * a server that prefers P-256 to the client's first share, X25519 (HelloRetryRequest). */
static size_t SERVER_IN_LEN = TENON_CONN_IN_SIZE, RECORD_MAX = TENON_CONN_RECORD_SIZE;
static int HRR;
static unsigned long REFUSED, SPACE_BYTES, FED_BYTES;

/* Moves from's output into to through to's input space (and tenon_conn_feed in mode 3),
 * checking the space against the status and that an over-long commit is refused harmlessly;
 * returns the bytes moved. */
static size_t space_move(tenon_conn *from, tenon_conn *to)
{
    size_t moved = 0;
    for (int round = 0; round < 64; round++) {
        const uint8_t *out;
        size_t n;
        tenon_conn_output(from, &out, &n);
        if (n == 0)
            break;
        unsigned st = tenon_conn_status(to);
        uint8_t *p;
        size_t cap;
        if (tenon_conn_input_space(to, &p, &cap) != 0) {
            /* A failed receiver drops the rest, as a closed socket would. */
            tenon_conn_output_consume(from, n);
            return moved + n;
        }
        CHECK((cap > 0) == ((st & TENON_WANT_INPUT) != 0));
        CHECK((p == NULL) == (cap == 0));
        /* Inside the record area of the buffer given to to (tls.h: after the work area, a
         * whole record, or in a small buffer all but the 4,096-byte handshake-message area),
         * never over the largest record this side takes now. */
        const endpoint *e = to == &CLIENT.conn ? &CLIENT : &SERVER;
        size_t in_len = to == &SERVER.conn ? SERVER_IN_LEN : sizeof e->in;
        size_t area_end = TENON_CONN_HS_SIZE + TENON_CONN_RECORD_SIZE;
        area_end = area_end < in_len - 4096 ? area_end : in_len - 4096;
        CHECK(cap == 0 || (p >= e->in + TENON_CONN_HS_SIZE && p + cap <= e->in + area_end));
        CHECK(cap <= RECORD_MAX);
        if (cap == 0)
            break;
        /* Over the space: refused, and the same space offered again. */
        if (round == 0) {
            CHECK_RC(tenon_conn_input_commit(to, cap + 1), TENON_ERR_INVALID_ARGUMENT);
            uint8_t *p2;
            size_t cap2;
            CHECK_RC(tenon_conn_input_space(to, &p2, &cap2), 0);
            CHECK(p2 == p && cap2 == cap && tenon_conn_status(to) == st);
            REFUSED++;
        }
        size_t k = n < cap ? n : cap;
        if (MODE == 1)
            k = 1;
        else if (MODE >= 2)
            k = 1 + (size_t)(tu_rand_u64() % k);
        if (MODE == 3 && (tu_rand_u64() & 1)) {
            size_t used = 0;
            int rc = tenon_conn_feed(to, out, k, &used);
            FED_BYTES += used;
            if (rc != 0)
                used = n;
            tenon_conn_output_consume(from, used);
            moved += used;
            continue;
        }
        memcpy(p, out, k);
        int rc = tenon_conn_input_commit(to, k);
        SPACE_BYTES += k;
        tenon_conn_output_consume(from, rc != 0 ? n : k);
        moved += rc != 0 ? n : k;
        if (rc != 0)
            break;
    }
    return moved;
}

static void space_pump(void)
{
    for (int i = 0; i < 200000; i++) {
        size_t moved = space_move(&CLIENT.conn, &SERVER.conn);
        moved += space_move(&SERVER.conn, &CLIENT.conn);
        if (moved == 0)
            break;
    }
}

/* A whole connection through the space, in the current MODE; version 0: TLS 1.3. */
static void whole_connection(uint16_t version)
{
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    if (version != 0)
        CLIENT.cfg.min_version = CLIENT.cfg.max_version = version;
    if (HRR) {
        SERVER.cfg.groups[0] = &tenon_kex_secp256r1;
        SERVER.cfg.groups[1] = &tenon_kex_x25519;
        SERVER.cfg.group_count = 2;
    }
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    unsigned long before = SPACE_BYTES;
    space_pump();
    if (!CHECK(both_done(&CLIENT, &SERVER)))
        return;
    tenon_conn_info ci;
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK(ci.version == (version != 0 ? version : TENON_TLS13));
    CHECK(ci.hello_retry == (HRR && version == 0));
    CHECK(exchange_by(&CLIENT.conn, &SERVER.conn, DATA, sizeof DATA, space_move));
    CHECK(exchange_by(&SERVER.conn, &CLIENT.conn, DATA, 3000, space_move));
    if (version == 0) {
        CHECK_RC(tenon_conn_key_update(&CLIENT.conn, 1), 0);
        CHECK(exchange_by(&CLIENT.conn, &SERVER.conn, DATA, 20000, space_move));
        CHECK(exchange_by(&SERVER.conn, &CLIENT.conn, DATA, 20000, space_move));
    }
    CHECK_RC(tenon_conn_close(&CLIENT.conn), 0);
    space_pump();
    CHECK(tenon_conn_status(&SERVER.conn) & TENON_PEER_CLOSED);
    /* After close_notify the engine takes nothing: no space. */
    uint8_t *p;
    size_t cap;
    CHECK_RC(tenon_conn_input_space(&SERVER.conn, &p, &cap), 0);
    CHECK(cap == 0 && p == NULL);
    CHECK(SPACE_BYTES - before > (MODE == 3 ? sizeof DATA / 4 : sizeof DATA));
}

/* A TLS 1.3 connection through the space, then len bytes written by the client. */
static void connected_write(size_t len)
{
    MODE = 0;
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    space_pump();
    size_t w = 0;
    CHECK_RC(tenon_conn_write(&CLIENT.conn, DATA, len, &w), 0);
    CHECK(w == len);
}

/* Application data unread: no space, and any commit but 0 refused. */
static void test_unread_data(void)
{
    connected_write(100);
    space_move(&CLIENT.conn, &SERVER.conn);
    const uint8_t *v;
    size_t n;
    CHECK_RC(tenon_conn_read_view(&SERVER.conn, &v, &n), 0);
    CHECK(n == 100 && memcmp(v, DATA, 100) == 0);
    uint8_t *p;
    size_t cap;
    CHECK_RC(tenon_conn_input_space(&SERVER.conn, &p, &cap), 0);
    CHECK(cap == 0 && p == NULL);
    CHECK_RC(tenon_conn_input_commit(&SERVER.conn, 1), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tenon_conn_input_commit(&SERVER.conn, 0), 0);
    CHECK_RC(tenon_conn_read_view(&SERVER.conn, &v, &n), 0);
    CHECK(n == 100 && memcmp(v, DATA, 100) == 0);
    CHECK_RC(tenon_conn_read_consume(&SERVER.conn, 100), 0);
    CHECK_RC(tenon_conn_input_space(&SERVER.conn, &p, &cap), 0);
    CHECK(cap == 5 && p != NULL);

    /* Buffers released: TENON_ERR_NO_BUFFERS from both, not a failure of the connection. */
    uint8_t *in, *out;
    size_t in_len, out_len;
    CHECK_RC(tenon_conn_release_buffers(&SERVER.conn, &in, &in_len, &out, &out_len), 0);
    CHECK_RC(tenon_conn_input_space(&SERVER.conn, &p, &cap), TENON_ERR_NO_BUFFERS);
    CHECK(cap == 0 && p == NULL);
    CHECK_RC(tenon_conn_input_commit(&SERVER.conn, 0), TENON_ERR_NO_BUFFERS);
    CHECK_RC(tenon_conn_give_buffers(&SERVER.conn, in, in_len, out, out_len), 0);
    CHECK(exchange_by(&CLIENT.conn, &SERVER.conn, DATA, 5000, space_move));
}

/* A byte forged in the space: the record fails (bad_record_mac) and the error sticks. */
static void test_forged(void)
{
    connected_write(1000);
    const uint8_t *out;
    size_t n;
    tenon_conn_output(&CLIENT.conn, &out, &n);
    uint8_t *p;
    size_t cap;
    CHECK_RC(tenon_conn_input_space(&SERVER.conn, &p, &cap), 0);
    if (!CHECK(cap == 5 && n > 100))
        return;
    memcpy(p, out, cap);
    CHECK_RC(tenon_conn_input_commit(&SERVER.conn, cap), 0);
    CHECK_RC(tenon_conn_input_space(&SERVER.conn, &p, &cap), 0);
    CHECK(cap == n - 5);
    memcpy(p, out + 5, cap);
    p[50] ^= 1;
    CHECK_RC(tenon_conn_input_commit(&SERVER.conn, cap), TENON_ERR_TLS_BAD_RECORD_MAC);
    CHECK_RC(tenon_conn_input_space(&SERVER.conn, &p, &cap), TENON_ERR_TLS_BAD_RECORD_MAC);
    CHECK(cap == 0 && p == NULL);
    CHECK_RC(tenon_conn_input_commit(&SERVER.conn, 0), TENON_ERR_TLS_BAD_RECORD_MAC);
    CHECK(tenon_conn_status(&SERVER.conn) & TENON_FAILED);
}

/* Headers a peer may send, through the space (one byte per commit, or whole), into a fresh
 * server: an unknown type fails at the header's fifth byte (unexpected_message), a length over
 * 2^14 for a plaintext record fails there too (record_overflow), before any byte of a body is
 * offered; then the space is none and the error sticks. A server whose input buffer is the
 * smallest for a record_size_limit of 512 refuses a header of 2^14 bytes (its record area
 * cannot hold it: record_overflow), never offering a space past that area. */
static void header_case(const uint8_t h[5], int by_byte, size_t in_len, size_t rsl, int want)
{
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.record_size_limit = rsl;
    CHECK_RC(tenon_conn_init(&SERVER.conn, &SERVER.cfg, SERVER.in, in_len, SERVER.out,
                             sizeof SERVER.out),
             0);
    uint8_t *p;
    size_t cap;
    int rc = 0;
    for (size_t i = 0; i < 5 && rc == 0; i += by_byte ? 1 : 5) {
        CHECK_RC(tenon_conn_input_space(&SERVER.conn, &p, &cap), 0);
        CHECK(cap == 5 - i && p == SERVER.in + TENON_CONN_HS_SIZE + i);
        size_t k = by_byte ? 1 : 5;
        memcpy(p, h + i, k);
        rc = tenon_conn_input_commit(&SERVER.conn, k);
        if (i < 4 && by_byte)
            CHECK_RC(rc, 0);
    }
    CHECK_RC(rc, want);
    CHECK_RC(tenon_conn_input_space(&SERVER.conn, &p, &cap), want);
    CHECK(cap == 0 && p == NULL);
    CHECK(tenon_conn_status(&SERVER.conn) & TENON_FAILED);
}

static void test_bad_headers(void)
{
    static const uint8_t unknown[5] = {0x42, 3, 1, 0, 10}, too_long[5] = {22, 3, 1, 0x40, 0x01},
                         max_plain[5] = {22, 3, 1, 0x40, 0x00};
    for (int by_byte = 0; by_byte < 2; by_byte++) {
        header_case(unknown, by_byte, TENON_CONN_IN_SIZE, 0, TENON_ERR_TLS_UNEXPECTED_MESSAGE);
        header_case(too_long, by_byte, TENON_CONN_IN_SIZE, 0, TENON_ERR_TLS_RECORD_OVERFLOW);
        header_case(max_plain, by_byte, TENON_CONN_IN_MIN_FOR(512), 512,
                    TENON_ERR_TLS_RECORD_OVERFLOW);
    }
}

/* Both sides with a record_size_limit of 512 and the server's input buffer the smallest that
 * takes it: a whole connection through the space (every space inside the record area, no
 * record over the limit offered), in random partial commits; then back to the defaults. */
static void test_small_buffer(void)
{
    MODE = 2;
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    /* A classical ClientHello: a post-quantum share would not fit the record area. */
    classical_groups(&CLIENT.cfg);
    CLIENT.cfg.record_size_limit = SERVER.cfg.record_size_limit = 512;
    SERVER_IN_LEN = TENON_CONN_IN_MIN_FOR(512);
    CHECK_RC(tenon_conn_init(&SERVER.conn, &SERVER.cfg, SERVER.in, SERVER_IN_LEN, SERVER.out,
                             sizeof SERVER.out),
             0);
    CHECK_RC(tenon_conn_init(&CLIENT.conn, &CLIENT.cfg, CLIENT.in, sizeof CLIENT.in, CLIENT.out,
                             sizeof CLIENT.out),
             0);
    space_pump();
    if (!both_done(&CLIENT, &SERVER))
        printf("test_input_space: small buffer: client %d (alert %d), server %d (alert %d)\n",
               tenon_conn_error(&CLIENT.conn), tenon_conn_peer_alert(&CLIENT.conn),
               tenon_conn_error(&SERVER.conn), tenon_conn_peer_alert(&SERVER.conn));
    if (CHECK(both_done(&CLIENT, &SERVER))) {
        /* From here on every record the server takes is of the limit: 512 + 1 + 16 bytes. */
        RECORD_MAX = TENON_CONN_RECORD_SIZE_FOR(512);
        CHECK(exchange_by(&CLIENT.conn, &SERVER.conn, DATA, sizeof DATA, space_move));
        CHECK(exchange_by(&SERVER.conn, &CLIENT.conn, DATA, 3000, space_move));
    }
    SERVER_IN_LEN = TENON_CONN_IN_SIZE;
    RECORD_MAX = TENON_CONN_RECORD_SIZE;
}

int main(void)
{
    tu_seed(16);
    tu_rand(DATA, sizeof DATA);
    if (!CHECK(pki_setup() == 0))
        return tu_finish("test_input_space");
    static const char *modes[] = {"whole spaces", "one byte per commit", "random partial commits",
                                  "space and feed mixed"};
    for (MODE = 0; MODE < 4; MODE++) {
        unsigned long s0 = SPACE_BYTES, f0 = FED_BYTES;
        whole_connection(0);
        whole_connection(TENON_TLS12);
        printf("test_input_space: %s: %lu bytes through the space, %lu fed\n", modes[MODE],
               SPACE_BYTES - s0, FED_BYTES - f0);
    }
    /* A HelloRetryRequest (a second ClientHello after the first flight), in each mode. */
    HRR = 1;
    for (MODE = 0; MODE < 4; MODE++)
        whole_connection(0);
    HRR = 0;
    CHECK(FED_BYTES > 0 && REFUSED > 0);
    test_bad_headers();
    test_small_buffer();
    test_unread_data();
    test_forged();
    return tu_finish("test_input_space");
}
