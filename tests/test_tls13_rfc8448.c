/*
 * RFC 8448 §3 ("Simple 1-RTT Handshake") reproduced by the tenon server engine: with the
 * server's random and X25519 key injected (tls_conn_init_with_hooks) and its
 * EncryptedExtensions, Certificate and CertificateVerify given verbatim (the RFC's RSA-1024 key
 * is below what tenon signs with), the RFC's ClientHello in gives the RFC's ServerHello, the
 * RFC's encrypted server flight byte for byte (so the server Finished too), every secret of the
 * key schedule, the client's Finished accepted, and the RFC's application data and
 * close_notify records.
 */
#include "test_tls13_harness.h"

#include "tls/tls13.h"

static cJSON *V;

static uint8_t *hex_of(const char *section, const char *key, size_t *len)
{
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(V, section);
    return tu_json_hex(obj, key, len);
}

static void check_secret(const char *name, const uint8_t *got, size_t n)
{
    size_t len;
    uint8_t *want = hex_of("derived", name, &len);
    if (CHECK(len == n))
        CHECK_MEM(got, want, n, name);
    free(want);
}

static uint8_t SERVER_FIN[64];
static size_t server_fin_len;
/* The handshake traffic secrets as derived (the trace shows secrets: trace_secrets): once their
 * keys are installed, tls_hs keeps their finished keys in their place. */
static uint8_t C_HS[32], S_HS[32];
static int c_hs_seen, s_hs_seen;

static void trace(void *user, const tenon_trace_event *ev)
{
    (void)user;
    if (ev->type == TENON_TRACE_DERIVE_SECRET && ev->nvalues == 3 && ev->values[2].len == 32 &&
        ev->values[2].data != NULL) {
        if (strcmp(ev->label, "c hs traffic") == 0)
            memcpy(C_HS, ev->values[2].data, 32), c_hs_seen++;
        if (strcmp(ev->label, "s hs traffic") == 0)
            memcpy(S_HS, ev->values[2].data, 32), s_hs_seen++;
    }
    if (ev->type == TENON_TRACE_MESSAGE && ev->sent && strcmp(ev->label, "Finished") == 0 &&
        ev->values[0].len <= sizeof SERVER_FIN) {
        memcpy(SERVER_FIN, ev->values[0].data, ev->values[0].len);
        server_fin_len = ev->values[0].len;
    }
}

/* The next record of the server's output. */
static size_t next_record(const uint8_t **rec)
{
    size_t n;
    tenon_conn_output(&SERVER.conn, rec, &n);
    if (n < 5)
        return 0;
    size_t len = 5 + (((size_t)(*rec)[3] << 8) | (*rec)[4]);
    return len <= n ? len : 0;
}

static void feed_hex(const char *section, const char *key, int expect_rc)
{
    size_t len, used;
    uint8_t *b = hex_of(section, key, &len);
    CHECK_RC(tenon_conn_feed(&SERVER.conn, b, len, &used), expect_rc);
    CHECK(expect_rc != 0 || used == len);
    free(b);
}

int main(void)
{
    V = tu_load_json("rfc/rfc8448_simple_1rtt.json");
    if (V == NULL || !CHECK(pki_setup() == 0))
        return tu_finish("test_tls13_rfc8448");
    size_t ch_len, sh_len, ee_len, cert_len, cv_len, priv_len;
    uint8_t *ch = hex_of("inputs", "client_hello", &ch_len);
    uint8_t *sh = hex_of("inputs", "server_hello", &sh_len);
    uint8_t *ee = hex_of("inputs", "encrypted_extensions", &ee_len);
    uint8_t *cert = hex_of("inputs", "certificate", &cert_len);
    uint8_t *cv = hex_of("inputs", "certificate_verify", &cv_len);
    uint8_t *priv = hex_of("inputs", "server_x25519_private", &priv_len);
    static uint8_t msgs[4096], rec[4096];
    memcpy(msgs, ee, ee_len);
    memcpy(msgs + ee_len, cert, cert_len);
    memcpy(msgs + ee_len + cert_len, cv, cv_len);

    /* A server with a ticket key, so that it sends one NewSessionTicket (record 0 of the
     * application keys) as the RFC's server does. */
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.ticket_key_count = 1;
    SERVER.cfg.trace_fn = trace;
    SERVER.cfg.trace_secrets = 1;
    CHECK_RC(tls_conn_init_with_hooks(&SERVER.conn, &SERVER.cfg, SERVER.in, sizeof SERVER.in,
                                      SERVER.out, sizeof SERVER.out, sh + 6, priv),
             0);
    tls_test_set_server_messages(&SERVER.conn, msgs, ee_len + cert_len + cv_len);
    rec[0] = 22, rec[1] = 3, rec[2] = 1, rec[3] = (uint8_t)(ch_len >> 8);
    rec[4] = (uint8_t)ch_len;
    memcpy(rec + 5, ch, ch_len);
    size_t used;
    CHECK_RC(tenon_conn_feed(&SERVER.conn, rec, 5 + ch_len, &used), 0);

    /* ServerHello, in the clear. */
    const uint8_t *r;
    size_t n = next_record(&r);
    CHECK(n == 5 + sh_len && r[0] == 22);
    if (n == 5 + sh_len)
        CHECK_MEM(r + 5, sh, sh_len, "ServerHello");
    tenon_conn_output_consume(&SERVER.conn, n);

    /* The encrypted flight: EncryptedExtensions .. Finished in one record. */
    size_t fl_len;
    uint8_t *fl = hex_of("records", "server_handshake_flight", &fl_len);
    n = next_record(&r);
    CHECK(n == fl_len);
    if (n == fl_len)
        CHECK_MEM(r, fl, fl_len, "server handshake flight record");
    tenon_conn_output_consume(&SERVER.conn, n);
    size_t sf_len;
    uint8_t *sf =
        tu_json_hex(cJSON_GetObjectItemCaseSensitive(V, "messages"), "server_finished", &sf_len);
    CHECK(server_fin_len == sf_len);
    CHECK_MEM(SERVER_FIN, sf, sf_len, "server Finished");

    /* The key schedule, secret by secret. */
    tls_conn *c = tls_conn_of(&SERVER.conn);
    check_secret("early_secret", c->hs->ks.early_secret, 32);
    check_secret("handshake_secret", c->hs->ks.handshake_secret, 32);
    CHECK(c_hs_seen == 1 && s_hs_seen == 1);
    check_secret("client_handshake_traffic_secret", C_HS, 32);
    check_secret("server_handshake_traffic_secret", S_HS, 32);
    check_secret("client_finished_key", c->hs->c_hs, 32);
    check_secret("server_finished_key", c->hs->s_hs, 32);
    check_secret("master_secret", c->hs->ks.master_secret, 32);
    check_secret("client_application_traffic_secret_0", c->c_ap, 32);
    check_secret("server_application_traffic_secret_0", c->s_ap, 32);
    check_secret("exporter_master_secret", c->exporter, 32);

    /* The RFC client's Finished is accepted; the resumption secret follows. */
    feed_hex("records", "client_finished", 0);
    CHECK(tenon_conn_status(&SERVER.conn) & TENON_HANDSHAKE_DONE);
    check_secret("resumption_master_secret", c->resumption, 32);
    n = next_record(&r); /* our own NewSessionTicket (the ticket's contents are ours) */
    CHECK(n > 0 && r[0] == 23);
    tenon_conn_output_consume(&SERVER.conn, n);

    /* Application data both ways and close_notify, record for record. */
    size_t pt_len;
    uint8_t *pt = tu_json_hex(V, "app_data_plaintext", &pt_len);
    feed_hex("records", "client_app_data", 0);
    uint8_t got[128];
    CHECK_RC(tenon_conn_read(&SERVER.conn, got, sizeof got, &n), 0);
    CHECK(n == pt_len);
    CHECK_MEM(got, pt, pt_len, "client application data");
    size_t w;
    CHECK_RC(tenon_conn_write(&SERVER.conn, pt, pt_len, &w), 0);
    size_t sad_len;
    uint8_t *sad = hex_of("records", "server_app_data", &sad_len);
    n = next_record(&r);
    CHECK(n == sad_len);
    if (n == sad_len)
        CHECK_MEM(r, sad, sad_len, "server application data record");
    tenon_conn_output_consume(&SERVER.conn, n);
    feed_hex("records", "client_close_notify", 0);
    CHECK(tenon_conn_status(&SERVER.conn) & TENON_PEER_CLOSED);
    CHECK_RC(tenon_conn_close(&SERVER.conn), 0);
    size_t scn_len;
    uint8_t *scn = hex_of("records", "server_close_notify", &scn_len);
    n = next_record(&r);
    CHECK(n == scn_len);
    if (n == scn_len)
        CHECK_MEM(r, scn, scn_len, "server close_notify record");

    free(ch), free(sh), free(ee), free(cert), free(cv), free(priv), free(fl), free(sf), free(pt);
    free(sad), free(scn);
    cJSON_Delete(V);
    return tu_finish("test_tls13_rfc8448");
}
