/*
 * Connections with the smallest buffers the engine accepts (TENON_CONN_IN_MIN and
 * TENON_CONN_OUT_MIN, allocated to the byte so that AddressSanitizer sees any overrun): full and
 * resumed handshakes in TLS 1.3 and TLS 1.2 with ECDSA and RSA certificates and client
 * certificates, 100 KiB of data each way in records that fit the small output buffer, KeyUpdate,
 * close_notify; one byte less than a minimum is refused at set-up; a flight too large for the
 * output buffer fails cleanly.
 */
#include <stdlib.h>

#include "test_tls13_harness.h"

typedef struct small_end {
    tenon_config cfg;
    tenon_conn conn;
    uint8_t *in, *out;
} small_end;

static small_end SC, SS;
static uint8_t DATA[100 * 1024]; /* the harness receives up to 128 KiB at once */
static tenon_ticket SLOTS[2];
static tenon_ticket_store STORE;

static int small_start(small_end *e, size_t in_len, size_t out_len)
{
    free(e->in);
    free(e->out);
    e->in = malloc(in_len);
    e->out = malloc(out_len);
    if (e->in == NULL || e->out == NULL)
        abort();
    return tenon_conn_init(&e->conn, &e->cfg, e->in, in_len, e->out, out_len);
}

static int small_connect(void)
{
    int rc = small_start(&SS, TENON_CONN_IN_MIN, TENON_CONN_OUT_MIN);
    if (rc == 0)
        rc = small_start(&SC, TENON_CONN_IN_MIN, TENON_CONN_OUT_MIN);
    if (rc != 0)
        return rc;
    pump(&SC.conn, &SS.conn);
    return 0;
}

static void one(uint16_t version, test_cert cert, int client_cert)
{
    tenon_conn_info ci, si;
    client_config(&SC.cfg);
    server_config(&SS.cfg, cert);
    SC.cfg.min_version = SC.cfg.max_version = version;
    SC.cfg.ticket_store = &STORE;
    memset(SS.cfg.ticket_keys[0].key, 0x33, 32);
    SS.cfg.ticket_key_count = 1;
    if (client_cert) {
        CHECK_RC(add_cert(&SC.cfg, client_cert == 1 ? CERT_P256 : CERT_RSA), 0);
        SS.cfg.client_auth = TENON_CLIENT_AUTH_REQUIRE;
        SS.cfg.trust = &PKI.store;
    }
    tenon_ticket_store_init(&STORE, SLOTS, 2);
    for (int resumed = 0; resumed <= 1; resumed++) {
        CHECK_RC(small_connect(), 0);
        int done = (tenon_conn_status(&SC.conn) & TENON_HANDSHAKE_DONE) &&
                   (tenon_conn_status(&SS.conn) & TENON_HANDSHAKE_DONE);
        if (!CHECK(done)) {
            fprintf(stderr, "    version %04x cert %d client cert %d resumed %d: %s / %s\n",
                    version, cert, client_cert, resumed,
                    tenon_strerror(tenon_conn_error(&SC.conn)),
                    tenon_strerror(tenon_conn_error(&SS.conn)));
            return;
        }
        CHECK_RC(tenon_conn_info_get(&SC.conn, &ci), 0);
        CHECK_RC(tenon_conn_info_get(&SS.conn, &si), 0);
        CHECK(ci.version == version && ci.resumed == resumed && si.resumed == resumed);
        CHECK(!client_cert || si.client_authenticated);
        CHECK(exchange(&SC.conn, &SS.conn, DATA, sizeof DATA));
        CHECK(exchange(&SS.conn, &SC.conn, DATA, sizeof DATA));
        if (version == TENON_TLS13) {
            CHECK_RC(tenon_conn_key_update(&SS.conn, 1), 0);
            CHECK(exchange(&SS.conn, &SC.conn, DATA, 5000));
            CHECK(exchange(&SC.conn, &SS.conn, DATA, 5000));
        }
        CHECK_RC(tenon_conn_close(&SC.conn), 0);
        pump(&SC.conn, &SS.conn);
        CHECK(tenon_conn_status(&SS.conn) & TENON_PEER_CLOSED);
        tenon_conn_wipe(&SC.conn);
        tenon_conn_wipe(&SS.conn);
    }
}

int main(void)
{
    for (size_t i = 0; i < sizeof DATA; i++)
        DATA[i] = (uint8_t)(i * 13 + 5);
    if (!CHECK(pki_setup() == 0))
        return tu_finish("test_min_buffers");
    static const uint16_t versions[] = {TENON_TLS13, TENON_TLS12};
    for (size_t v = 0; v < 2; v++) {
        one(versions[v], CERT_P256, 0);
        one(versions[v], CERT_P384, 1);
        one(versions[v], CERT_RSA, 0);
        one(versions[v], CERT_RSA, 2);
    }
    /* One byte short of a minimum: refused at set-up. */
    client_config(&SC.cfg);
    CHECK_RC(small_start(&SC, TENON_CONN_IN_MIN - 1, TENON_CONN_OUT_MIN),
             TENON_ERR_BUFFER_TOO_SMALL);
    CHECK_RC(small_start(&SC, TENON_CONN_IN_MIN, TENON_CONN_OUT_MIN - 1),
             TENON_ERR_BUFFER_TOO_SMALL);
    /* A server whose flight cannot fit its output buffer (a chain of eight RSA certificates):
     * a clean error and an alert, not an overrun. */
    client_config(&SC.cfg);
    tenon_config_init(&SS.cfg, TENON_SERVER);
    tenon_bytes chain[8];
    for (int i = 0; i < 8; i++)
        chain[i].ptr = PKI.rsa_der, chain[i].len = PKI.rsa_len;
    CHECK_RC(tenon_config_add_cert(&SS.cfg, chain, 8, &PKI.rsa_key, NULL), 0);
    CHECK_RC(small_connect(), 0);
    CHECK_RC(tenon_conn_error(&SS.conn), TENON_ERR_BUFFER_TOO_SMALL);
    free(SC.in), free(SC.out), free(SS.in), free(SS.out);
    return tu_finish("test_min_buffers");
}
