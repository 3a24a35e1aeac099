/*
 * The client's certificate callback (tenon_config.client_cert_fn), TLS 1.3 and 1.2: what it is
 * told of the CertificateRequest (version, signature schemes, TLS 1.2 certificate_types,
 * certificate_authorities), tenon's own choice as the preset index, another certificate chosen,
 * none chosen (an empty Certificate), a chosen certificate that does not fit the server's
 * schemes or (TLS 1.2) a key type certificate_types leaves out (none sent: RFC 8446 §4.4.2.3,
 * RFC 5246 §7.4.6), the callback failing the handshake (positive, negative, an index out of
 * range), a server's client_ca_names and their checks. Not called on a resumed handshake.
 */
#include "test_tls13_harness.h"

typedef struct cb_state {
    int calls;
    int preset;             /* *cert_index as tenon set it */
    int choose;             /* what to set; -2: leave it */
    int rc;                 /* what to return */
    tenon_cert_request req; /* a copy (views valid during the call only: only counts kept) */
    uint8_t types[8];
    size_t types_len;
    uint16_t schemes[TENON_MAX_SIG_SCHEMES];
    uint8_t names[2][32]; /* the first two CA names, when they fit */
} cb_state;

static cb_state CB;

static int client_cert_cb(void *user, const tenon_cert_request *req, int *cert_index)
{
    cb_state *st = user;
    st->calls++;
    st->preset = *cert_index;
    st->req = *req;
    st->types_len = req->certificate_types.len < sizeof st->types ? req->certificate_types.len
                                                                  : sizeof st->types;
    if (st->types_len > 0)
        memcpy(st->types, req->certificate_types.ptr, st->types_len);
    for (size_t i = 0; i < req->ca_name_count && i < 2; i++)
        if (req->ca_names[i].len <= sizeof st->names[i])
            memcpy(st->names[i], req->ca_names[i].ptr, req->ca_names[i].len);
    for (size_t i = 0; i < req->sig_scheme_count && i < TENON_MAX_SIG_SCHEMES; i++)
        st->schemes[i] = req->sig_schemes[i];
    if (st->choose != -2)
        *cert_index = st->choose;
    return st->rc;
}

static void add_client_certs(tenon_config *cfg)
{
    tenon_bytes p256[1] = {{PKI.client_der, PKI.client_len}};
    tenon_bytes rsa[1] = {{PKI.rsa_der, PKI.rsa_len}};
    CHECK_RC(tenon_config_add_cert(cfg, p256, 1, &PKI.client_key, NULL), 0); /* index 0 */
    CHECK_RC(tenon_config_add_cert(cfg, rsa, 1, &PKI.rsa_key, NULL), 0);     /* index 1 */
}

static void setup(uint16_t version, tenon_client_auth auth)
{
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.client_auth = auth;
    SERVER.cfg.insecure_skip_verify = 1;
    client_config(&CLIENT.cfg);
    CLIENT.cfg.max_version = version;
    add_client_certs(&CLIENT.cfg);
    CLIENT.cfg.client_cert_fn = client_cert_cb;
    CLIENT.cfg.client_cert_user = &CB;
    memset(&CB, 0, sizeof CB);
    CB.choose = -2;
}

static void connect(void)
{
    CB.calls = 0;
    tenon_conn_wipe(&CLIENT.conn);
    tenon_conn_wipe(&SERVER.conn);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
}

static void request_seen(uint16_t version)
{
    tenon_conn_info ci, si;
    setup(version, TENON_CLIENT_AUTH_REQUIRE);
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK(CB.calls == 1);
    CHECK(CB.req.version == version);
    /* tenon's choice comes preset: the P-256 certificate (the first that fits). */
    CHECK(CB.preset == 0);
    /* The server's signature_algorithms, in its order (tenon's defaults, every scheme tenon
     * has: TLS 1.2 those the transcript can sign, all with a hash). */
    CHECK(CB.req.sig_scheme_count >= 4);
    CHECK(CB.schemes[0] == SERVER.cfg.sig_schemes[0]);
    if (version == TENON_TLS12) {
        /* tenon's server: ecdsa_sign, rsa_sign (RFC 5246 §7.4.4, RFC 8422 §5.5). */
        CHECK(CB.types_len == 2 && CB.types[0] == 64 && CB.types[1] == 1);
    } else {
        CHECK(CB.types_len == 0);
    }
    CHECK(CB.req.ca_name_count == 0); /* tenon's server names no authorities */
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(ci.cert_index == 0 && si.client_authenticated);
    CHECK(si.sig_scheme == TENON_SIG_ECDSA_SECP256R1_SHA256);
}

static void choose_other(uint16_t version)
{
    tenon_conn_info ci, si;
    setup(version, TENON_CLIENT_AUTH_REQUIRE);
    CB.choose = 1; /* the RSA certificate */
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK(CB.calls == 1 && CB.preset == 0);
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(ci.cert_index == 1 && si.client_authenticated);
    CHECK(si.peer_chain_count == 1 && si.peer_chain[0].len == PKI.rsa_len &&
          memcmp(si.peer_chain[0].ptr, PKI.rsa_der, PKI.rsa_len) == 0);
    CHECK(si.sig_scheme == TENON_SIG_RSA_PSS_RSAE_SHA256 ||
          (version == TENON_TLS12 && si.sig_scheme == TENON_SIG_RSA_PKCS1_SHA256));
}

static void choose_none(uint16_t version)
{
    tenon_conn_info ci, si;
    /* A server that only requests: the handshake completes unauthenticated. */
    setup(version, TENON_CLIENT_AUTH_REQUEST);
    CB.choose = -1;
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK(CB.calls == 1);
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(ci.cert_index == -1 && !si.client_authenticated && si.peer_chain_count == 0);

    /* A server that requires one refuses the empty Certificate. */
    setup(version, TENON_CLIENT_AUTH_REQUIRE);
    CB.choose = -1;
    connect();
    CHECK_RC(tenon_conn_error(&SERVER.conn), version == TENON_TLS13
                                                 ? TENON_ERR_TLS_CERTIFICATE_REQUIRED
                                                 : TENON_ERR_TLS_NO_CLIENT_CERT);
}

static void choose_unfit(uint16_t version)
{
    tenon_conn_info ci, si;
    /* The server accepts only RSA-PSS-SHA256 (and signs with its own P-256 key); the callback
     * picks the P-256 certificate, which cannot sign with it: an empty Certificate, not a
     * CertificateVerify the server would refuse. tenon's own choice was the RSA one. */
    setup(version, TENON_CLIENT_AUTH_REQUEST);
    SERVER.cfg.sig_schemes[0] = TENON_SIG_RSA_PSS_RSAE_SHA256;
    SERVER.cfg.sig_scheme_count = 1;
    SERVER.cfg.sign_schemes[0] = TENON_SIG_ECDSA_SECP256R1_SHA256;
    SERVER.cfg.sign_scheme_count = 1;
    CB.choose = 0;
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK(CB.calls == 1 && CB.preset == 1);
    CHECK(CB.req.sig_scheme_count == 1 && CB.schemes[0] == TENON_SIG_RSA_PSS_RSAE_SHA256);
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(ci.cert_index == -1 && !si.client_authenticated);

    /* Left alone, tenon's choice goes out. */
    CB.choose = -2;
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, &si), 0);
    CHECK(ci.cert_index == 1 && si.client_authenticated);
}

static void callback_fails(uint16_t version)
{
    setup(version, TENON_CLIENT_AUTH_REQUEST);
    CB.rc = 1; /* positive: refused */
    connect();
    CHECK_RC(tenon_conn_error(&CLIENT.conn), TENON_ERR_TLS_CLIENT_CERT_REFUSED);
    CHECK(tenon_error_alert(TENON_ERR_TLS_CLIENT_CERT_REFUSED) == TENON_ALERT_HANDSHAKE_FAILURE);
    CHECK(tenon_conn_peer_alert(&SERVER.conn) == TENON_ALERT_HANDSHAKE_FAILURE);
    CHECK(strstr(tenon_strerror(TENON_ERR_TLS_CLIENT_CERT_REFUSED), "callback") != NULL);

    CB.rc = TENON_ERR_TLS_BAD_CERTIFICATE; /* negative: that error and its alert */
    connect();
    CHECK_RC(tenon_conn_error(&CLIENT.conn), TENON_ERR_TLS_BAD_CERTIFICATE);
    CHECK(tenon_conn_peer_alert(&SERVER.conn) == TENON_ALERT_BAD_CERTIFICATE);

    CB.rc = 0;
    CB.choose = 2; /* out of range: two certificates */
    connect();
    CHECK_RC(tenon_conn_error(&CLIENT.conn), TENON_ERR_INVALID_ARGUMENT);
    CB.choose = -3;
    connect();
    CHECK_RC(tenon_conn_error(&CLIENT.conn), TENON_ERR_INVALID_ARGUMENT);
}

/* Two DER Names (a countryName and an organizationName RDN each, minimal but well-formed). */
static const uint8_t NAME_A[] = {0x30, 0x0d, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03,
                                 0x55, 0x04, 0x06, 0x13, 0x02, 0x55, 0x53};
static const uint8_t NAME_B[] = {0x30, 0x0f, 0x31, 0x0d, 0x30, 0x0b, 0x06, 0x03, 0x55,
                                 0x04, 0x0a, 0x13, 0x04, 0x41, 0x43, 0x4d, 0x45};

static void ca_names(uint16_t version)
{
    const char *why = NULL;
    setup(version, TENON_CLIENT_AUTH_REQUIRE);
    SERVER.cfg.client_ca_names[0] = (tenon_bytes){NAME_A, sizeof NAME_A};
    SERVER.cfg.client_ca_names[1] = (tenon_bytes){NAME_B, sizeof NAME_B};
    SERVER.cfg.client_ca_name_count = 2;
    CHECK_RC(tenon_config_check(&SERVER.cfg, &why), 0);
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK(CB.calls == 1 && CB.req.ca_name_count == 2);
    /* In the server's order, byte for byte (copied during the call: the views end with it). */
    CHECK(CB.req.ca_names[0].len == sizeof NAME_A && CB.req.ca_names[1].len == sizeof NAME_B);
    CHECK_MEM(CB.names[0], NAME_A, sizeof NAME_A, "first CA name");
    CHECK_MEM(CB.names[1], NAME_B, sizeof NAME_B, "second CA name");

    /* Refused settings: an empty name, too many, on a client. */
    SERVER.cfg.client_ca_names[1].len = 0;
    CHECK_RC(tenon_config_check(&SERVER.cfg, &why), TENON_ERR_TLS_CONFIG);
    SERVER.cfg.client_ca_names[1].len = sizeof NAME_B;
    SERVER.cfg.client_ca_name_count = TENON_MAX_CA_NAMES + 1;
    CHECK_RC(tenon_config_check(&SERVER.cfg, &why), TENON_ERR_TLS_CONFIG);
    CLIENT.cfg.client_ca_names[0] = (tenon_bytes){NAME_A, sizeof NAME_A};
    CLIENT.cfg.client_ca_name_count = 1;
    CHECK_RC(tenon_config_check(&CLIENT.cfg, &why), TENON_ERR_TLS_CONFIG);
    CHECK(why != NULL && strstr(why, "client_ca_names") != NULL);
}

/* The first offset of n bytes pat in what e has to send, or -1. */
static long find_pending(endpoint *e, const uint8_t *pat, size_t n)
{
    const uint8_t *p;
    size_t len;
    tenon_conn_output(&e->conn, &p, &len);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(p + i, pat, n) == 0)
            return (long)i;
    return -1;
}

/* TLS 1.2: a certificate whose key type certificate_types leaves out is no suitable one
 * (RFC 5246 §7.4.6). The server's CertificateRequest (plaintext in TLS 1.2) is rewritten in
 * flight to list ecdsa_sign only; the callback picks the RSA certificate: the client answers
 * with an empty Certificate (the transcripts then differ, so the handshake fails later). */
static void tls12_types_restrict(void)
{
    setup(TENON_TLS12, TENON_CLIENT_AUTH_REQUEST);
    CB.choose = 1;
    CB.calls = 0;
    tenon_conn_wipe(&CLIENT.conn);
    tenon_conn_wipe(&SERVER.conn);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    transfer(&CLIENT.conn, &SERVER.conn); /* ClientHello; the server's flight is pending */
    const uint8_t *out;
    size_t out_len;
    tenon_conn_output(&SERVER.conn, &out, &out_len);
    int patched = 0;
    for (size_t i = 0; i + 7 <= out_len && !patched; i++)
        if (out[i] == 13 && out[i + 4] == 2 && out[i + 5] == 64 && out[i + 6] == 1) {
            SERVER.out[(out - SERVER.out) + i + 6] = 64; /* rsa_sign -> ecdsa_sign */
            patched = 1;
        }
    CHECK(patched);
    transfer(&SERVER.conn, &CLIENT.conn);
    CHECK(CB.calls == 1 && CB.types_len == 2 && CB.types[0] == 64 && CB.types[1] == 64);
    CHECK(CB.preset == 0); /* tenon's choice: the ECDSA one */
    /* Certificate with an empty certificate_list, and no CertificateVerify. */
    static const uint8_t empty_cert[] = {11, 0, 0, 3, 0, 0, 0};
    CHECK(find_pending(&CLIENT, empty_cert, sizeof empty_cert) >= 0);
    CHECK(find_pending(&CLIENT, PKI.rsa_der, 32) < 0);

    /* The same with the ECDSA certificate chosen: it goes out. */
    setup(TENON_TLS12, TENON_CLIENT_AUTH_REQUEST);
    CB.choose = 0;
    tenon_conn_wipe(&CLIENT.conn);
    tenon_conn_wipe(&SERVER.conn);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    transfer(&CLIENT.conn, &SERVER.conn);
    transfer(&SERVER.conn, &CLIENT.conn);
    CHECK(find_pending(&CLIENT, PKI.client_der, 32) >= 0);
}

static void not_on_resumption(uint16_t version)
{
    static tenon_ticket slots[2];
    static tenon_ticket_store store;
    tenon_conn_info ci;
    setup(version, TENON_CLIENT_AUTH_REQUIRE);
    tenon_ticket_store_init(&store, slots, 2);
    CLIENT.cfg.ticket_store = &store;
    SERVER.cfg.ticket_key_count = 1;
    memset(SERVER.cfg.ticket_keys[0].key, 0x42, 32);
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK(CB.calls == 1);
    /* Read the tickets (TLS 1.3 sends them after the handshake). */
    pump(&CLIENT.conn, &SERVER.conn);
    connect();
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &ci), 0);
    CHECK(ci.resumed);
    CHECK(CB.calls == 0);
}

int main(void)
{
    if (pki_setup() != 0) {
        fprintf(stderr, "pki_setup failed\n");
        return 1;
    }
    static const uint16_t versions[] = {TENON_TLS13, TENON_TLS12};
    for (size_t i = 0; i < ARRAY_LEN(versions); i++) {
        request_seen(versions[i]);
        choose_other(versions[i]);
        choose_none(versions[i]);
        choose_unfit(versions[i]);
        callback_fails(versions[i]);
        ca_names(versions[i]);
        not_on_resumption(versions[i]);
    }
    tls12_types_restrict();
    return tu_finish("test_client_cert_fn");
}
