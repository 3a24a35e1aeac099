/*
 * The engines (TLS 1.3 and, with settings bit 2, TLS 1.2) fed a whole peer byte stream, for the
 * fuzzing build (TENON_FUZZ_BYPASS:
 * null-cipher records, any Finished and CertificateVerify accepted; see docs/fuzzing.md and
 * src/tls/fuzzing.h). Shared by fuzz_engine_server.c and fuzz_engine_client.c.
 *
 * An input is one settings byte, then the bytes the peer sends, all of them, in order:
 *   server target  settings bits 0-1: the server's client_auth (0 none, 1 request, 2 require,
 *                  3 none); then what a client sends: ClientHello, [change_cipher_spec],
 *                  [ClientHello after HelloRetryRequest], [Certificate, CertificateVerify],
 *                  Finished, then application data, KeyUpdate, alerts;
 *   client target  settings bit 0: the client holds a session ticket (its ClientHello offers a
 *                  PSK); then what a server sends after the client's ClientHello.
 * Bit 2 on either target: TLS 1.2 only (else TLS 1.3 only); the server then also has RSA key
 * transport (AES-128-GCM) after its defaults. Other bits are ignored. The engine's own output is
 * thrown away (a fuzzer plays the peer without listening to it); application data is read as it
 * arrives, and once connected the engine writes a few bytes of its own.
 *
 * In the fuzzing build the peer's records need no keys: a recorded stream replays to a fresh
 * engine, whatever its randoms and ephemeral keys. Only what the engine checks without
 * cryptography has to match, so both sides run with fixed configurations (below), a fixed clock
 * (ticket ages), a fixed ticket key (the server opens the tickets of recorded streams), no
 * middlebox compatibility on the client (its legacy_session_id is random and must be echoed),
 * and insecure_skip_verify (the test PKI is made anew by every process).
 *
 * Seeds (fuzz_write_seeds, the targets' -tenon_seeds=DIR mode): real handshakes between a client
 * and a server engine in memory, in a dozen variations (the hybrid post-quantum groups, which the
 * defaults use, and HelloRetryRequests to them; HelloRetryRequest, resumption, client
 * certificates, every suite, P-384 and RSA certificates, ...), each followed by application
 * data both ways, a KeyUpdate from each side and close_notify. The bytes each side sent are
 * recorded; a side's stream is a seed for the other side's target when that side ran with the
 * target's own configuration. Every handshake must complete, and every seed must replay through
 * the target to the connected state, or the mode fails loudly.
 */
#ifndef TENON_FUZZ_ENGINE_H
#define TENON_FUZZ_ENGINE_H

#include <errno.h>
#include <sys/stat.h>

#include "test_tls13_harness.h"

#ifndef TENON_FUZZING
#error "the fuzz_engine_* targets need the fuzzing build (cmake -DTENON_FUZZ_BYPASS=ON)"
#endif

#define FUZZ_NOW_MS 1700000000000LL
#define FUZZ_MAX_STREAM 65536

static int64_t fuzz_clock(void *user)
{
    (void)user;
    return FUZZ_NOW_MS;
}

static const char *const FUZZ_ALPN[] = {"h2", "http/1.1"};

static void fuzz_die(const char *what)
{
    fprintf(stderr, "fuzz_engine: %s\n", what);
    abort();
}

static void fuzz_set_alpn(tenon_config *cfg)
{
    cfg->alpn[0] = FUZZ_ALPN[0];
    cfg->alpn[1] = FUZZ_ALPN[1];
    cfg->alpn_count = 2;
}

/* Settings bit 2, on both targets: TLS 1.2 only (else TLS 1.3 only). */
#define FUZZ_TLS12 4u

static void fuzz_version(tenon_config *cfg, unsigned settings)
{
    cfg->min_version = cfg->max_version = (settings & FUZZ_TLS12) ? TENON_TLS12 : TENON_TLS13;
}

/* The client target's configuration. Its certificate is sent only when the server asks. */
static void fuzz_client_config(tenon_config *cfg, tenon_ticket_store *store, unsigned settings)
{
    tenon_bytes chain[1] = {{PKI.client_der, PKI.client_len}};
    tenon_config_init(cfg, TENON_CLIENT);
    fuzz_version(cfg, settings);
    cfg->server_name = "localhost";
    cfg->insecure_skip_verify = 1;
    cfg->middlebox_compat = 0;
    fuzz_set_alpn(cfg);
    cfg->ticket_store = store;
    cfg->time_fn = fuzz_clock;
    if (tenon_config_add_cert(cfg, chain, 1, &PKI.client_key, NULL) != 0)
        fuzz_die("client certificate refused");
}

static void fuzz_ticket_key(tenon_config *cfg)
{
    memset(cfg->ticket_keys[0].name, 0x5a, sizeof cfg->ticket_keys[0].name);
    memset(cfg->ticket_keys[0].key, 0x6b, sizeof cfg->ticket_keys[0].key);
    cfg->ticket_key_count = 1;
}

/* The server target's configuration for a settings byte: P-256, P-384 and RSA certificates
 * (the first the client's signature_algorithms allow is used). */
static void fuzz_server_config(tenon_config *cfg, unsigned settings)
{
    tenon_config_init(cfg, TENON_SERVER);
    fuzz_version(cfg, settings);
    /* TLS 1.2: RSA key transport too (after the defaults, so only a client asking gets it). */
    cfg->suites[cfg->suite_count++] = TENON_TLS_RSA_WITH_AES_128_GCM_SHA256;
    if (add_cert(cfg, CERT_P256) != 0 || add_cert(cfg, CERT_P384) != 0 ||
        add_cert(cfg, CERT_RSA) != 0)
        fuzz_die("server certificate refused");
    unsigned auth = settings & 3;
    cfg->client_auth = auth == 1   ? TENON_CLIENT_AUTH_REQUEST
                       : auth == 2 ? TENON_CLIENT_AUTH_REQUIRE
                                   : TENON_CLIENT_AUTH_NONE;
    /* Client certificates, when asked for, are accepted unverified (tenon_config_check
     * refuses the setting without client_auth). */
    cfg->insecure_skip_verify = cfg->client_auth != TENON_CLIENT_AUTH_NONE;
    fuzz_set_alpn(cfg);
    fuzz_ticket_key(cfg);
    cfg->time_fn = fuzz_clock;
}

/* ---- state of the targets, built once ---- */

static tenon_config FUZZ_SERVER_CFG[8], FUZZ_CLIENT_CFG[2];
static tenon_ticket FUZZ_SLOTS[2], FUZZ_TICKET, FUZZ_TICKET12;
static uint16_t fuzz_expect_version;
static tenon_ticket_store FUZZ_STORE;

/* What one input achieved. */
typedef struct fuzz_outcome {
    int connected, resumed, hello_retry, client_auth;
} fuzz_outcome;

static struct {
    unsigned long inputs, connected, resumed, hello_retry, client_auth;
} FUZZ_STATS;

static const char *fuzz_target_name = "fuzz_engine";
static int fuzz_is_server;

static void fuzz_print_stats(void)
{
    char auth[64] = "";
    if (fuzz_is_server)
        snprintf(auth, sizeof auth, ", %lu with a client certificate", FUZZ_STATS.client_auth);
    fprintf(stderr,
            "%s: %lu inputs, %lu reached the connected state (%lu resumed, %lu after "
            "HelloRetryRequest%s)\n",
            fuzz_target_name, FUZZ_STATS.inputs, FUZZ_STATS.connected, FUZZ_STATS.resumed,
            FUZZ_STATS.hello_retry, auth);
}

static void fuzz_count(const fuzz_outcome *o)
{
    FUZZ_STATS.inputs++;
    FUZZ_STATS.connected += (unsigned long)o->connected;
    FUZZ_STATS.resumed += (unsigned long)o->resumed;
    FUZZ_STATS.hello_retry += (unsigned long)o->hello_retry;
    FUZZ_STATS.client_auth += (unsigned long)o->client_auth;
}

/* An error, once there, is what the engine reports and returns from then on. */
static void fuzz_check_sticky(tenon_conn *conn, int rc, const uint8_t *data, size_t len)
{
    size_t used = 0;
    if (tenon_conn_error(conn) != rc || !(tenon_conn_status(conn) & TENON_FAILED))
        fuzz_die("an error that the connection does not report");
    if (tenon_conn_feed(conn, data, len, &used) != rc || used != 0)
        fuzz_die("an error that the connection forgets");
    uint8_t sentinel, *space = &sentinel; /* must come back NULL */
    size_t cap = 1;
    if (tenon_conn_input_space(conn, &space, &cap) != rc || space != NULL || cap != 0 ||
        tenon_conn_input_commit(conn, 0) != rc)
        fuzz_die("an input space after the error");
}

static void fuzz_on_connected(tenon_conn *conn, fuzz_outcome *o)
{
    tenon_conn_info info;
    o->connected = 1;
    if (tenon_conn_info_get(conn, &info) != 0)
        fuzz_die("no connection info once connected");
    if (info.version != fuzz_expect_version)
        fuzz_die("an engine connected with a version it was not configured for");
    o->resumed = info.resumed;
    o->hello_retry = info.hello_retry;
    o->client_auth = info.client_authenticated;
    /* The write side too: one record under the application keys. */
    static const char hello[] = "hello from the fuzzed engine";
    size_t written = 0;
    if (tenon_conn_write(conn, hello, sizeof hello - 1, &written) != 0)
        return; /* e.g. the peer's input already failed the connection: fine */
}

/* Feeds the whole stream as a network would deliver it, throwing the engine's output away. */
static void fuzz_drive(tenon_conn *conn, const uint8_t *data, size_t len, fuzz_outcome *o)
{
    size_t off = 0;
    /* Each round either takes input, or sends or reads what blocks it: far fewer than this. */
    size_t rounds = 2 * len + 64;
    for (size_t round = 0;; round++) {
        if (round == rounds)
            fuzz_die("the engine neither takes the input nor finishes with it");
        const uint8_t *p;
        size_t n;
        tenon_conn_output(conn, &p, &n);
        tenon_conn_output_consume(conn, n);
        uint8_t buf[2048];
        while (tenon_conn_read(conn, buf, sizeof buf, &n) == 0 && n > 0) {
        }
        unsigned st = tenon_conn_status(conn);
        if ((st & TENON_HANDSHAKE_DONE) && !o->connected)
            fuzz_on_connected(conn, o);
        if (st & TENON_FAILED)
            break;
        size_t used = 0;
        int rc;
        if (round & 1) {
            /* Every other round through the zero-copy input (tenon_conn_input_space): the same
             * bytes, as much of them as the space takes. */
            uint8_t *space;
            size_t cap;
            rc = tenon_conn_input_space(conn, &space, &cap);
            if (rc == 0) {
                if ((cap > 0) != ((st & TENON_WANT_INPUT) != 0) || (space == NULL) != (cap == 0))
                    fuzz_die("an input space that disagrees with the status");
                used = len - off < cap ? len - off : cap;
                if (used > 0)
                    memcpy(space, data + off, used);
                rc = tenon_conn_input_commit(conn, used);
            }
        } else {
            rc = tenon_conn_feed(conn, data + off, len - off, &used);
        }
        if (rc != 0) {
            fuzz_check_sticky(conn, rc, data, len);
            break;
        }
        off += used;
        st = tenon_conn_status(conn);
        if (used == 0 && !(st & (TENON_HAS_OUTPUT | TENON_READABLE))) {
            if ((st & TENON_HANDSHAKE_DONE) && !o->connected)
                fuzz_on_connected(conn, o);
            break;
        }
    }
}

/* A fresh server for settings, fed a client's stream. */
static void fuzz_run_server(const uint8_t *data, size_t size, fuzz_outcome *o)
{
    memset(o, 0, sizeof *o);
    if (size < 1)
        return;
    fuzz_expect_version = (data[0] & FUZZ_TLS12) ? TENON_TLS12 : TENON_TLS13;
    if (tenon_conn_init(&SERVER.conn, &FUZZ_SERVER_CFG[data[0] & 7], SERVER.in, sizeof SERVER.in,
                        SERVER.out, sizeof SERVER.out) != 0)
        fuzz_die("server init failed");
    fuzz_drive(&SERVER.conn, data + 1, size - 1, o);
    fuzz_count(o);
}

/* A fresh client (holding a ticket if settings say so) that has sent its ClientHello, fed a
 * server's stream. */
static void fuzz_run_client(const uint8_t *data, size_t size, fuzz_outcome *o)
{
    memset(o, 0, sizeof *o);
    if (size < 1)
        return;
    tenon_ticket_store_init(&FUZZ_STORE, FUZZ_SLOTS, ARRAY_LEN(FUZZ_SLOTS));
    int v12 = (data[0] & FUZZ_TLS12) != 0;
    if (data[0] & 1)
        FUZZ_SLOTS[0] = v12 ? FUZZ_TICKET12 : FUZZ_TICKET;
    fuzz_expect_version = v12 ? TENON_TLS12 : TENON_TLS13;
    if (tenon_conn_init(&CLIENT.conn, &FUZZ_CLIENT_CFG[v12], CLIENT.in, sizeof CLIENT.in,
                        CLIENT.out, sizeof CLIENT.out) != 0)
        fuzz_die("client init failed");
    fuzz_drive(&CLIENT.conn, data + 1, size - 1, o);
    fuzz_count(o);
}

/* ---- recorded handshakes ---- */

static uint8_t C2S[FUZZ_MAX_STREAM], S2C[FUZZ_MAX_STREAM];
static size_t c2s_len, s2c_len;
static uint8_t GOT_C[4096], GOT_S[4096];
static size_t got_c_len, got_s_len;

static const char *gen_scenario = "";

static void gen_fail(const char *what)
{
    fprintf(stderr, "%s -tenon_seeds: FAILED: handshake \"%s\": %s\n", fuzz_target_name,
            gen_scenario, what);
    exit(1);
}

static void gen_read_all(tenon_conn *conn, uint8_t *got, size_t cap, size_t *got_len)
{
    size_t n;
    while (tenon_conn_read(conn, got + *got_len, cap - *got_len, &n) == 0 && n > 0)
        *got_len += n;
}

/* Moves what from has to send into to, appending it to log; returns the bytes moved. */
static size_t gen_transfer(tenon_conn *from, tenon_conn *to, uint8_t *log, size_t *log_len)
{
    const uint8_t *p;
    size_t n, used = 0;
    tenon_conn_output(from, &p, &n);
    if (n == 0)
        return 0;
    if (tenon_conn_feed(to, p, n, &used) != 0)
        gen_fail(tenon_strerror(tenon_conn_error(to)));
    if (used > FUZZ_MAX_STREAM - *log_len)
        gen_fail("stream too long to record");
    memcpy(log + *log_len, p, used);
    *log_len += used;
    tenon_conn_output_consume(from, used);
    return used;
}

static void gen_pump(void)
{
    for (int i = 0; i < 10000; i++) {
        size_t moved = gen_transfer(&CLIENT.conn, &SERVER.conn, C2S, &c2s_len);
        moved += gen_transfer(&SERVER.conn, &CLIENT.conn, S2C, &s2c_len);
        gen_read_all(&SERVER.conn, GOT_S, sizeof GOT_S, &got_s_len);
        gen_read_all(&CLIENT.conn, GOT_C, sizeof GOT_C, &got_c_len);
        if (moved == 0 && !(tenon_conn_status(&CLIENT.conn) & TENON_HAS_OUTPUT) &&
            !(tenon_conn_status(&SERVER.conn) & TENON_HAS_OUTPUT))
            return;
    }
    gen_fail("the engines never settle");
}

static void gen_write(tenon_conn *conn, const char *msg)
{
    size_t written = 0;
    if (tenon_conn_write(conn, msg, strlen(msg), &written) != 0 || written != strlen(msg))
        gen_fail("application data write failed");
    gen_pump();
}

/* Variations of one side's configuration. A handshake in which the client runs a variation
 * gives no client seed (the client target would not behave the same), and likewise. */
typedef void (*gen_tweak)(tenon_config *cfg);

static void tw_groups_p256_first(tenon_config *cfg)
{
    cfg->groups[0] = &tenon_kex_secp256r1;
    cfg->groups[1] = &tenon_kex_x25519;
    cfg->group_count = 2;
    cfg->share_groups[0] = &tenon_kex_secp256r1;
    cfg->share_group_count = 1;
}
/* The hybrid groups (issue 13): the client's x25519 share alone (the server asks for
 * X25519MLKEM768), SecP384r1MLKEM1024 alone, and a server taking only SecP256r1MLKEM768 (a
 * HelloRetryRequest to it). */
static void tw_share_x25519_only(tenon_config *cfg)
{
    cfg->share_groups[0] = &tenon_kex_x25519;
    cfg->share_group_count = 1;
}
static void tw_groups_p384_hybrid_only(tenon_config *cfg)
{
    cfg->groups[0] = &tenon_kex_secp384r1mlkem1024;
    cfg->group_count = 1;
}
static void tw_groups_p256_hybrid_only(tenon_config *cfg)
{
    cfg->groups[0] = &tenon_kex_secp256r1mlkem768;
    cfg->group_count = 1;
}
static void tw_groups_p384_only(tenon_config *cfg)
{
    cfg->groups[0] = &tenon_kex_secp384r1;
    cfg->group_count = 1;
}
static void tw_groups_p256_only(tenon_config *cfg)
{
    cfg->groups[0] = &tenon_kex_secp256r1;
    cfg->group_count = 1;
}
static void tw_aes256(tenon_config *cfg)
{
    cfg->suites[0] = TENON_TLS_AES_256_GCM_SHA384;
    cfg->suite_count = 1;
}
static void tw_chacha(tenon_config *cfg)
{
    cfg->suites[0] = TENON_TLS_CHACHA20_POLY1305_SHA256;
    cfg->suite_count = 1;
}
/* (The client's own P-256 certificate could not sign with it: it goes.) */
static void tw_rsa_pss_only(tenon_config *cfg)
{
    cfg->sig_schemes[0] = TENON_SIG_RSA_PSS_RSAE_SHA256;
    cfg->sig_scheme_count = 1;
    cfg->cert_count = 0;
}
static void tw_no_cert(tenon_config *cfg)
{
    cfg->cert_count = 0;
}
static void tw_middlebox(tenon_config *cfg)
{
    cfg->middlebox_compat = 1;
}
static void tw_no_alpn(tenon_config *cfg)
{
    cfg->alpn_count = 0;
}
static void tw_rsa_cert(tenon_config *cfg)
{
    cfg->cert_count = 0;
    if (add_cert(cfg, CERT_RSA) != 0)
        gen_fail("RSA certificate refused");
}
static void tw_p384_cert(tenon_config *cfg)
{
    cfg->cert_count = 0;
    if (add_cert(cfg, CERT_P384) != 0)
        gen_fail("P-384 certificate refused");
}
static void tw_two_tickets(tenon_config *cfg)
{
    cfg->tickets_per_handshake = 2;
}
static void tw_no_tickets(tenon_config *cfg)
{
    cfg->ticket_key_count = 0;
}
static void tw12_chacha(tenon_config *cfg)
{
    cfg->suites[0] = TENON_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256;
    cfg->suites[1] = TENON_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256;
    cfg->suite_count = 2;
}
static void tw12_aes256(tenon_config *cfg)
{
    cfg->suites[0] = TENON_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384;
    cfg->suite_count = 1;
}
static void tw12_rsa_kx(tenon_config *cfg)
{
    cfg->suites[0] = TENON_TLS_RSA_WITH_AES_128_GCM_SHA256;
    cfg->suite_count = 1;
}

typedef struct gen_case {
    const char *name;
    unsigned client_settings, server_settings;
    gen_tweak client_tweak, server_tweak;  /* NULL: that side is its target's very self */
    int resumed, hello_retry, client_auth; /* what the handshake must do */
} gen_case;

static const gen_case GEN_CASES[] = {
    {"full", 0, 0, NULL, NULL, 0, 0, 0},
    {"client-auth-request", 0, 1, NULL, NULL, 0, 0, 1},
    {"client-auth-require", 0, 2, NULL, NULL, 0, 0, 1},
    {"client-auth-request-no-cert", 0, 1, tw_no_cert, NULL, 0, 0, 0},
    {"resumed", 1, 0, NULL, NULL, 1, 0, 0},
    {"resumed-client-auth", 1, 1, NULL, NULL, 1, 0, 0},
    {"resumed-server-hrr", 1, 0, NULL, tw_groups_p256_only, 1, 1, 0},
    {"resumed-client-hrr", 1, 0, tw_groups_p256_first, NULL, 1, 1, 0},
    {"server-hrr", 0, 0, NULL, tw_groups_p256_only, 0, 1, 0},
    {"client-hrr", 0, 0, tw_groups_p256_first, NULL, 0, 1, 0},
    {"client-p384-group", 0, 0, tw_groups_p384_only, NULL, 0, 0, 0},
    {"client-hrr-to-hybrid", 0, 0, tw_share_x25519_only, NULL, 0, 1, 0},
    {"client-p384-hybrid", 0, 0, tw_groups_p384_hybrid_only, NULL, 0, 0, 0},
    {"server-hrr-p256-hybrid", 0, 0, NULL, tw_groups_p256_hybrid_only, 0, 1, 0},
    {"resumed-server-hrr-p256-hybrid", 1, 0, NULL, tw_groups_p256_hybrid_only, 1, 1, 0},
    {"client-aes256", 0, 0, tw_aes256, NULL, 0, 0, 0},
    {"client-chacha", 0, 0, tw_chacha, NULL, 0, 0, 0},
    {"server-aes256", 0, 0, NULL, tw_aes256, 0, 0, 0},
    {"server-chacha", 0, 0, NULL, tw_chacha, 0, 0, 0},
    {"client-rsa-pss-only", 0, 0, tw_rsa_pss_only, NULL, 0, 0, 0},
    {"server-rsa-cert", 0, 0, NULL, tw_rsa_cert, 0, 0, 0},
    {"server-rsa-cert-client-auth", 0, 2, NULL, tw_rsa_cert, 0, 0, 1},
    {"server-p384-cert", 0, 0, NULL, tw_p384_cert, 0, 0, 0},
    {"client-middlebox-compat", 0, 0, tw_middlebox, NULL, 0, 0, 0},
    {"client-no-alpn", 0, 0, tw_no_alpn, NULL, 0, 0, 0},
    {"server-two-tickets", 0, 0, NULL, tw_two_tickets, 0, 0, 0},
    {"server-no-tickets", 0, 0, NULL, tw_no_tickets, 0, 0, 0},
    /* TLS 1.2 (settings bit 2 on both sides). */
    {"tls12-full", 4, 4, NULL, NULL, 0, 0, 0},
    {"tls12-client-auth-request", 4, 5, NULL, NULL, 0, 0, 1},
    {"tls12-client-auth-require", 4, 6, NULL, NULL, 0, 0, 1},
    {"tls12-client-auth-request-no-cert", 4, 5, tw_no_cert, NULL, 0, 0, 0},
    {"tls12-resumed", 5, 4, NULL, NULL, 1, 0, 0},
    {"tls12-client-chacha", 4, 4, tw12_chacha, NULL, 0, 0, 0},
    {"tls12-client-aes256", 4, 4, tw12_aes256, NULL, 0, 0, 0},
    {"tls12-client-rsa-key-transport", 4, 4, tw12_rsa_kx, NULL, 0, 0, 0},
    {"tls12-server-rsa-cert", 4, 4, NULL, tw_rsa_cert, 0, 0, 0},
    {"tls12-server-p384-cert", 4, 4, NULL, tw_p384_cert, 0, 0, 0},
    {"tls12-server-no-tickets", 4, 4, NULL, tw_no_tickets, 0, 0, 0},
};

static tenon_config GEN_CCFG, GEN_SCFG;

/* Runs one recorded handshake, then data both ways, KeyUpdates and close_notify. */
static void gen_run(const gen_case *gc)
{
    gen_scenario = gc->name;
    fuzz_client_config(&GEN_CCFG, &FUZZ_STORE, gc->client_settings);
    if (gc->client_tweak != NULL)
        gc->client_tweak(&GEN_CCFG);
    fuzz_server_config(&GEN_SCFG, gc->server_settings);
    if (gc->server_tweak != NULL)
        gc->server_tweak(&GEN_SCFG);
    tenon_ticket_store_init(&FUZZ_STORE, FUZZ_SLOTS, ARRAY_LEN(FUZZ_SLOTS));
    int v12 = (gc->client_settings & FUZZ_TLS12) != 0;
    if (gc->client_settings & 1)
        FUZZ_SLOTS[0] = v12 ? FUZZ_TICKET12 : FUZZ_TICKET;
    c2s_len = s2c_len = got_c_len = got_s_len = 0;
    const char *why = NULL;
    if (tenon_config_check(&GEN_CCFG, &why) != 0 || tenon_config_check(&GEN_SCFG, &why) != 0)
        gen_fail(why != NULL ? why : "configuration refused");
    if (tenon_conn_init(&SERVER.conn, &GEN_SCFG, SERVER.in, sizeof SERVER.in, SERVER.out,
                        sizeof SERVER.out) != 0 ||
        tenon_conn_init(&CLIENT.conn, &GEN_CCFG, CLIENT.in, sizeof CLIENT.in, CLIENT.out,
                        sizeof CLIENT.out) != 0)
        gen_fail("init failed");
    gen_pump();
    if (!both_done(&CLIENT, &SERVER))
        gen_fail("the handshake did not finish");
    tenon_conn_info ci, si;
    if (tenon_conn_info_get(&CLIENT.conn, &ci) != 0 || tenon_conn_info_get(&SERVER.conn, &si) != 0)
        gen_fail("no connection info");
    if (ci.resumed != gc->resumed || si.resumed != gc->resumed)
        gen_fail("resumption not as expected");
    if (ci.hello_retry != gc->hello_retry || si.hello_retry != gc->hello_retry)
        gen_fail("HelloRetryRequest not as expected");
    if (si.client_authenticated != gc->client_auth)
        gen_fail("client authentication not as expected");

    static const char from_client[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    static const char from_server[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    gen_write(&CLIENT.conn, from_client);
    gen_write(&SERVER.conn, from_server);
    if (!v12) { /* KeyUpdate is TLS 1.3's */
        if (tenon_conn_key_update(&CLIENT.conn, 1) != 0)
            gen_fail("client KeyUpdate failed");
        gen_pump();
        if (tenon_conn_key_update(&SERVER.conn, 0) != 0)
            gen_fail("server KeyUpdate failed");
        gen_pump();
    }
    gen_write(&CLIENT.conn, from_client);
    gen_write(&SERVER.conn, from_server);
    if (tenon_conn_close(&CLIENT.conn) != 0)
        gen_fail("client close failed");
    gen_pump();
    if (tenon_conn_close(&SERVER.conn) != 0)
        gen_fail("server close failed");
    gen_pump();
    if (tenon_conn_error(&CLIENT.conn) != 0 || tenon_conn_error(&SERVER.conn) != 0)
        gen_fail("an engine failed after the handshake");
    if (!(tenon_conn_status(&SERVER.conn) & TENON_PEER_CLOSED) ||
        !(tenon_conn_status(&CLIENT.conn) & TENON_PEER_CLOSED))
        gen_fail("close_notify did not arrive");
    size_t fc = sizeof from_client - 1, fs = sizeof from_server - 1;
    if (got_s_len != 2 * fc || memcmp(GOT_S, from_client, fc) != 0 ||
        memcmp(GOT_S + fc, from_client, fc) != 0 || got_c_len != 2 * fs ||
        memcmp(GOT_C, from_server, fs) != 0 || memcmp(GOT_C + fs, from_server, fs) != 0)
        gen_fail("application data did not arrive intact");
}

static void gen_mkdirs(const char *dir)
{
    char path[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof path)
        gen_fail("bad seed directory");
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char c = path[i];
        path[i] = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            gen_fail("cannot create the seed directory");
        path[i] = c;
    }
}

static void gen_save(const char *dir, const char *name, const uint8_t *data, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/seed-%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        gen_fail("cannot write a seed file");
}

/* Records every handshake; writes the seeds of one target (for_server: the client streams)
 * into dir after replaying each through that target. Returns the exit status. */
static int fuzz_write_seeds(const char *dir, int for_server)
{
    static uint8_t seed[1 + FUZZ_MAX_STREAM];
    size_t written = 0;
    gen_mkdirs(dir);
    for (size_t i = 0; i < ARRAY_LEN(GEN_CASES); i++) {
        const gen_case *gc = &GEN_CASES[i];
        gen_run(gc);
        const uint8_t *stream = for_server ? C2S : S2C;
        size_t len = for_server ? c2s_len : s2c_len;
        /* The peer's stream replays faithfully only to an engine configured as the one that
         * answered it: the target's side must have run unmodified. */
        if ((for_server ? gc->server_tweak : gc->client_tweak) != NULL)
            continue;
        seed[0] = (uint8_t)(for_server ? gc->server_settings : gc->client_settings);
        memcpy(seed + 1, stream, len);
        fuzz_outcome o;
        if (for_server)
            fuzz_run_server(seed, len + 1, &o);
        else
            fuzz_run_client(seed, len + 1, &o);
        if (!o.connected)
            gen_fail("the recorded stream does not replay to the connected state");
        if (o.resumed != gc->resumed || o.hello_retry != gc->hello_retry ||
            (for_server && o.client_auth != gc->client_auth))
            gen_fail("the replayed handshake differs from the recorded one");
        gen_save(dir, gc->name, seed, len + 1);
        written++;
    }
    printf("%s: %zu handshakes recorded and completed; %zu seeds written to %s, each replayed "
           "to the connected state\n",
           fuzz_target_name, ARRAY_LEN(GEN_CASES), written, dir);
    return 0;
}

/* ---- setup ---- */

/* The PKI, the configurations, and the ticket the client target offers when told to. */
static void fuzz_setup(const char *name, int for_server)
{
    fuzz_target_name = name;
    fuzz_is_server = for_server;
    tu_seed(0x7e40);
    if (pki_setup() != 0)
        fuzz_die("test PKI setup failed");
    for (unsigned s = 0; s < ARRAY_LEN(FUZZ_SERVER_CFG); s++)
        fuzz_server_config(&FUZZ_SERVER_CFG[s], s);
    fuzz_client_config(&FUZZ_CLIENT_CFG[0], &FUZZ_STORE, 0);
    fuzz_client_config(&FUZZ_CLIENT_CFG[1], &FUZZ_STORE, FUZZ_TLS12);
    /* One setup handshake per version gives the ticket the client target offers. */
    for (int v12 = 0; v12 <= 1; v12++) {
        tenon_ticket_store_init(&FUZZ_STORE, FUZZ_SLOTS, ARRAY_LEN(FUZZ_SLOTS));
        if (tenon_conn_init(&SERVER.conn, &FUZZ_SERVER_CFG[v12 ? FUZZ_TLS12 : 0], SERVER.in,
                            sizeof SERVER.in, SERVER.out, sizeof SERVER.out) != 0 ||
            tenon_conn_init(&CLIENT.conn, &FUZZ_CLIENT_CFG[v12], CLIENT.in, sizeof CLIENT.in,
                            CLIENT.out, sizeof CLIENT.out) != 0)
            fuzz_die("init failed");
        pump(&CLIENT.conn, &SERVER.conn);
        if (!both_done(&CLIENT, &SERVER) || FUZZ_SLOTS[0].in_use != 1)
            fuzz_die("the setup handshake gave no ticket (is this the fuzzing build?)");
        if (v12)
            FUZZ_TICKET12 = FUZZ_SLOTS[0];
        else
            FUZZ_TICKET = FUZZ_SLOTS[0];
    }
}

/* The value of -tenon_seeds=DIR among the arguments, or NULL. */
static const char *fuzz_seeds_arg(int argc, char **argv)
{
    static const char flag[] = "-tenon_seeds=";
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], flag, sizeof flag - 1) == 0)
            return argv[i] + sizeof flag - 1;
    return NULL;
}

#ifndef TENON_LIBFUZZER
/* Without libFuzzer: replays the files named (e.g. a crash a fuzzer found), or writes seeds. */
static int fuzz_replay_main(int argc, char **argv, int for_server)
{
    static uint8_t buf[1 << 20];
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (f == NULL) {
            fprintf(stderr, "%s: cannot open %s\n", fuzz_target_name, argv[i]);
            return 1;
        }
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        fuzz_outcome o;
        if (for_server)
            fuzz_run_server(buf, n, &o);
        else
            fuzz_run_client(buf, n, &o);
        printf("%s: %s: %s\n", fuzz_target_name, argv[i],
               o.connected ? "connected" : "not connected");
    }
    fuzz_print_stats();
    return 0;
}
#endif

#endif
