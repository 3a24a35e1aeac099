/*
 * Ed25519 (signature scheme ed25519, 0x0807) in the engine, client and server back to back in
 * memory: a TLS 1.3 server and client certificate (CertificateVerify, RFC 8446 §4.4.3), a
 * TLS 1.2 ECDHE_ECDSA server (ServerKeyExchange, RFC 8422 §5.4 with an EdDSA key, §2), a
 * corrupted ServerKeyExchange signature (decrypt_error), the default lists offering ed25519,
 * and the policy for TLS 1.2 client certificates: tenon's CertificateRequest does not list
 * ed25519 and an Ed25519-only client sends an empty Certificate (RFC 5246 §7.4.6).
 */
#include "test_tls13_harness.h"

#include "tls/tls13.h"

static uint8_t ED_LEAF_DER[2048], ED_CLIENT_DER[2048];
static size_t ED_LEAF_LEN, ED_CLIENT_LEN;
static tenon_private_key ED_LEAF_KEY, ED_CLIENT_KEY;

static void add_ed(tenon_config *cfg, const uint8_t *der, size_t len, const tenon_private_key *k)
{
    tenon_bytes chain[1] = {{der, len}};
    const char *why = NULL;
    if (tenon_config_add_cert(cfg, chain, 1, k, &why) != 0) {
        fprintf(stderr, "add_cert: %s\n", why ? why : "?");
        abort();
    }
}

static void ed_server(uint16_t max_version)
{
    client_config(&CLIENT.cfg);
    tenon_config_init(&SERVER.cfg, TENON_SERVER);
    add_ed(&SERVER.cfg, ED_LEAF_DER, ED_LEAF_LEN, &ED_LEAF_KEY);
    SERVER.cfg.max_version = max_version;
    CLIENT.cfg.max_version = max_version;
}

static int connected(void)
{
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    int ok = CHECK(both_done(&CLIENT, &SERVER));
    if (!ok)
        fprintf(stderr, "    client %d server %d\n", tenon_conn_error(&CLIENT.conn),
                tenon_conn_error(&SERVER.conn));
    return ok;
}

static void test_defaults(void)
{
    tenon_config cfg;
    tenon_config_init(&cfg, TENON_CLIENT);
    int in_sig = 0, in_cert = 0;
    for (size_t i = 0; i < cfg.sig_scheme_count; i++)
        in_sig |= cfg.sig_schemes[i] == TENON_SIG_ED25519;
    for (size_t i = 0; i < cfg.cert_sig_scheme_count; i++)
        in_cert |= cfg.cert_sig_schemes[i] == TENON_SIG_ED25519;
    CHECK(in_sig && in_cert);
}

static void test_tls13_server(void)
{
    static const uint8_t data[] = "over an Ed25519-authenticated channel";
    ed_server(TENON_TLS13);
    if (!connected())
        return;
    tenon_conn_info ci;
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK(ci.version == TENON_TLS13 && ci.sig_scheme == TENON_SIG_ED25519);
    CHECK(ci.peer_chain_count == 1 && ci.peer_chain[0].len == ED_LEAF_LEN);
    CHECK(exchange(&CLIENT.conn, &SERVER.conn, data, sizeof data));
    CHECK(exchange(&SERVER.conn, &CLIENT.conn, data, sizeof data));

    /* A client that does not offer ed25519 gets no signature from an Ed25519-only server. */
    ed_server(TENON_TLS13);
    CLIENT.cfg.sig_scheme_count = 2; /* the two ECDSA schemes */
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    int se = tenon_conn_error(&SERVER.conn);
    CHECK(se == TENON_ERR_TLS_NO_CERT_FOR_PEER || se == TENON_ERR_TLS_NO_COMMON_SIG_SCHEME);
    CHECK(tenon_conn_peer_alert(&CLIENT.conn) == TENON_ALERT_HANDSHAKE_FAILURE);
}

static void test_tls13_client_auth(void)
{
    for (int v = 0; v < 2; v++) {
        client_config(&CLIENT.cfg);
        server_config(&SERVER.cfg, CERT_P256);
        add_ed(&CLIENT.cfg, ED_CLIENT_DER, ED_CLIENT_LEN, &ED_CLIENT_KEY);
        SERVER.cfg.client_auth = v == 0 ? TENON_CLIENT_AUTH_REQUIRE : TENON_CLIENT_AUTH_REQUEST;
        SERVER.cfg.trust = &PKI.store;
        if (!connected())
            continue;
        tenon_conn_info si;
        CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
        CHECK(si.client_authenticated && si.sig_scheme == TENON_SIG_ED25519);
    }
}

/* The server's first TLS 1.2 flight is plaintext: find ServerKeyExchange (type 12) in it. */
static uint8_t *find_ske(uint8_t *p, size_t n, size_t *msg_len)
{
    size_t at[16];
    size_t k = record_offsets(p, n, at, 16);
    for (size_t r = 0; r < k; r++) {
        if (p[at[r]] != 22)
            continue;
        size_t rl = ((size_t)p[at[r] + 3] << 8) | p[at[r] + 4];
        for (size_t o = at[r] + 5; o + 4 <= at[r] + 5 + rl;) {
            size_t ml = ((size_t)p[o + 1] << 16) | ((size_t)p[o + 2] << 8) | p[o + 3];
            if (p[o] == 12) {
                *msg_len = 4 + ml;
                return p + o;
            }
            o += 4 + ml;
        }
    }
    return NULL;
}

static void test_tls12_server(void)
{
    static const uint8_t data[] = "TLS 1.2, ECDHE_ECDSA with an EdDSA key";
    ed_server(TENON_TLS12);
    if (!connected())
        return;
    tenon_conn_info ci;
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK(ci.version == TENON_TLS12 && ci.sig_scheme == TENON_SIG_ED25519);
    CHECK(tls12_suite_find(ci.suite) != NULL &&
          tls12_suite_find(ci.suite)->kx == TLS12_KX_ECDHE_ECDSA);
    CHECK(exchange(&CLIENT.conn, &SERVER.conn, data, sizeof data));

    /* The same handshake with one bit of the ServerKeyExchange signature flipped in flight. */
    ed_server(TENON_TLS12);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    transfer(&CLIENT.conn, &SERVER.conn); /* ClientHello */
    const uint8_t *out;
    size_t n, used = 0;
    tenon_conn_output(&SERVER.conn, &out, &n);
    static uint8_t flight[16384];
    CHECK(n > 0 && n <= sizeof flight);
    memcpy(flight, out, n);
    tenon_conn_output_consume(&SERVER.conn, n);
    size_t ml = 0;
    uint8_t *ske = find_ske(flight, n, &ml);
    CHECK(ske != NULL && ml > 4 + 64);
    if (ske == NULL)
        return;
    /* digitally-signed: ... scheme (2) || length (2) || the 64-byte signature, at the end. */
    CHECK(ske[ml - 68] == 0x08 && ske[ml - 67] == 0x07 && ske[ml - 66] == 0 && ske[ml - 65] == 64);
    ske[ml - 10] ^= 0x04;
    CHECK(tenon_conn_feed(&CLIENT.conn, flight, n, &used) == TENON_ERR_TLS_DECRYPT_ERROR);
    CHECK(tenon_conn_error(&CLIENT.conn) == TENON_ERR_TLS_DECRYPT_ERROR);
}

static void test_tls12_client_auth_policy(void)
{
    /* REQUEST: the Ed25519-only client answers with an empty Certificate and the handshake
     * goes on unauthenticated; REQUIRE: the server refuses that. */
    for (int v = 0; v < 2; v++) {
        client_config(&CLIENT.cfg);
        server_config(&SERVER.cfg, CERT_P256);
        CLIENT.cfg.max_version = SERVER.cfg.max_version = TENON_TLS12;
        add_ed(&CLIENT.cfg, ED_CLIENT_DER, ED_CLIENT_LEN, &ED_CLIENT_KEY);
        SERVER.cfg.client_auth = v == 0 ? TENON_CLIENT_AUTH_REQUEST : TENON_CLIENT_AUTH_REQUIRE;
        SERVER.cfg.trust = &PKI.store;
        CHECK_RC(start(&CLIENT, &SERVER), 0);
        transfer(&CLIENT.conn, &SERVER.conn);
        transfer(&SERVER.conn, &CLIENT.conn);
        /* The CertificateRequest listed no ed25519 (the client saw the server's list; its
         * handshake state holds it until the handshake ends). */
        tls_conn *c = tls_conn_of(&CLIENT.conn);
        int listed = 0;
        CHECK(c->hs != NULL);
        for (size_t i = 0; c->hs != NULL && i < c->hs->peer_sig_count; i++)
            listed |= c->hs->peer_sigs[i] == TENON_SIG_ED25519;
        CHECK(c->cert_requested && !listed);
        pump(&CLIENT.conn, &SERVER.conn);
        if (v == 0) {
            CHECK(both_done(&CLIENT, &SERVER));
            tenon_conn_info si;
            CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
            CHECK(!si.client_authenticated);
        } else {
            CHECK(!both_done(&CLIENT, &SERVER));
            CHECK(tenon_conn_error(&SERVER.conn) != 0);
        }
    }
}

/* A server whose TLS 1.2 CertificateRequest lists ed25519 (tenon's never does; another's may):
 * the Ed25519-only client still answers with an empty Certificate, since its CertificateVerify
 * would have to sign the handshake messages themselves (RFC 8422 §5.8), which tenon keeps only
 * as running hashes; it must not pick the key and then fail. */
static void test_tls12_client_auth_listed(void)
{
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    CLIENT.cfg.max_version = SERVER.cfg.max_version = TENON_TLS12;
    add_ed(&CLIENT.cfg, ED_CLIENT_DER, ED_CLIENT_LEN, &ED_CLIENT_KEY);
    SERVER.cfg.client_auth = TENON_CLIENT_AUTH_REQUEST;
    SERVER.cfg.trust = &PKI.store;
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    transfer(&CLIENT.conn, &SERVER.conn); /* ClientHello */
    /* CertificateRequest: type 13, 3-byte length, certificate_types <02 40 01>, then the
     * schemes' 2-byte length and the first scheme, which becomes ed25519. */
    const uint8_t *p;
    size_t len;
    tenon_conn_output(&SERVER.conn, &p, &len);
    uint8_t *q = SERVER.out + (p - SERVER.out);
    int patched = 0;
    for (size_t i = 0; i + 10 <= len && !patched; i++)
        if (q[i] == 13 && q[i + 1] == 0 && q[i + 4] == 2 && q[i + 5] == 0x40 && q[i + 6] == 1) {
            q[i + 9] = 0x08;
            q[i + 10] = 0x07;
            patched = 1;
        }
    CHECK(patched);
    pump(&CLIENT.conn, &SERVER.conn);
    tls_conn *c = tls_conn_of(&CLIENT.conn);
    int listed = 0;
    CHECK(c->hs != NULL); /* the handshake failed: its state stays for tenon_conn_wipe */
    for (size_t i = 0; c->hs != NULL && i < c->hs->peer_sig_count; i++)
        listed |= c->hs->peer_sigs[i] == TENON_SIG_ED25519;
    CHECK(c->cert_requested && listed);
    CHECK(c->cert == NULL);
    /* The patched message breaks the transcripts' agreement, so the handshake ends at Finished;
     * the client's failure is that, not an internal error from an impossible signature. */
    CHECK(tenon_conn_error(&CLIENT.conn) != TENON_ERR_INTERNAL);
    CHECK(tenon_conn_error(&SERVER.conn) != TENON_ERR_INTERNAL);
}

int main(void)
{
    if (!CHECK(pki_setup() == 0))
        return tu_finish("test_tls_ed25519");
    CHECK_RC(issue_ed25519_leaf("localhost", TENON_EKU_SERVER_AUTH, &ED_LEAF_KEY, ED_LEAF_DER,
                                sizeof ED_LEAF_DER, &ED_LEAF_LEN),
             0);
    CHECK_RC(issue_ed25519_leaf("client.test", TENON_EKU_CLIENT_AUTH, &ED_CLIENT_KEY, ED_CLIENT_DER,
                                sizeof ED_CLIENT_DER, &ED_CLIENT_LEN),
             0);
    test_defaults();
    test_tls13_server();
    test_tls13_client_auth();
    test_tls12_server();
    test_tls12_client_auth_policy();
    test_tls12_client_auth_listed();
    return tu_finish("test_tls_ed25519");
}
