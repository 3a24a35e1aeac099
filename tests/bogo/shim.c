/*
 * tenon_shim — the shim BoringSSL's TLS test runner ("BoGo") drives (tests/bogo/README.md).
 *
 * The runner starts one process per test with BoringSSL's shim flags
 * (../shared/bogo/reference/ssl/test/test_config.cc). The shim connects to the runner, sends its
 * 8-byte shim id, plays the TLS client or server (-server) with tenon's public API only, echoes
 * every byte it reads XOR 0xff, and exits 0 (success, nothing on stderr), 1 (failure, the reason
 * on stderr; config.json's ErrorMap translates BoringSSL's error names into tenon's) or 89 (a
 * flag, value or feature tenon does not implement: the runner counts the test as skipped).
 *
 * Flags apply to every connection of a test, -on-initial-FLAG to the first, -on-resume-FLAG to
 * the resumption connections (-resume-count), -on-retry-FLAG to the retry after rejected 0-RTT
 * (which tenon never makes: parsed and checked, never used).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tenon/tenon.h"

#define EXIT_UNIMPLEMENTED 89
#define IO_TIMEOUT_MS 30000
#define MAX_LIST 16

/* One -new-x509-credential: its files (-cert-file/-key-file after it) and -signing-prefs. */
typedef struct cred_files {
    const char *cert_file, *key_file;
    int signing_prefs[MAX_LIST];
    size_t signing_pref_count;
    const char *ocsp_response, *sct_list; /* base64: -ocsp-response, -signed-cert-timestamps */
} cred_files;

/* The options of one connection. */
typedef struct opts {
    int server;
    int port;
    uint64_t shim_id;
    int ipv6;
    const char *cert_file, *key_file, *trust_cert;
    int resume_count;
    int min_version, max_version;
    int no_tls13, no_tls12, no_tls11, no_tls1;
    int curves[MAX_LIST];
    size_t curve_count;
    int signing_prefs[MAX_LIST];
    size_t signing_pref_count;
    int verify_prefs[MAX_LIST];
    size_t verify_pref_count;
    int verify_peer, require_any_client_cert, verify_fail;
    int expect_version, expect_curve_id, expect_peer_sig_alg;
    int expect_session_miss;
    int shim_writes_first, shim_shuts_down, check_close_notify;
    const char *advertise_alpn, *expect_alpn, *select_alpn;
    int expect_no_alpn;
    int decline_alpn;
    const char *host_name, *expect_server_name;
    int export_keying_material;
    const char *export_label, *export_context;
    int use_export_context;
    int key_update;
    int expect_hrr, expect_no_hrr;
    int expect_ems, expect_no_ems;
    int no_ticket;
    int expect_session_id, expect_no_session_id;
    int use_custom_verify_callback, expect_verify_result;
    int is_handshaker_supported;
    const char *cipher, *expect_peer_cert_file;
    int async, implicit_handshake;
    int renegotiate_ignore;
    int expect_no_session, expect_ticket_renewal;
    int no_op_extra_handshake, read_with_unfinished_write;
    int expect_peer_verify_prefs[MAX_LIST];
    size_t expect_peer_verify_pref_count;
    /* -new-x509-credential: credentials numbered from 0, tried in that order, before the
     * default one (-cert-file/-key-file before any of them), as BoringSSL's list. */
    cred_files creds[TENON_MAX_CERT_KEYS];
    size_t cred_count;
    int expect_selected_cred, has_expect_selected_cred;
    /* OCSP stapling and SCTs: the default credential's staples (base64), the client's
     * requests and expectations, BoringSSL's OCSP callback (client side only). */
    const char *ocsp_response, *sct_list;
    int enable_ocsp_stapling, enable_sct;
    const char *expect_ocsp_response, *expect_sct_list;

    /* The client certificate callback (tenon_config.client_cert_fn) and what it checks of the
     * CertificateRequest: certificate types (base64), CA names (hex DER, comma-separated). */
    int use_old_client_cert_cb;
    const char *expect_certificate_types, *expect_client_ca_list;
    const char *use_client_ca_list; /* server: tenon_config.client_ca_names */
    int use_ocsp_callback, fail_ocsp_callback, set_ocsp_in_callback, decline_ocsp_callback;
    /* Small info APIs: tenon_conn_tls_unique, tenon_peer_offer.alpn, the SHA-256 of the
     * client's leaf (tenon_conn_info.peer_leaf_sha256). */
    int tls_unique;
    const char *expect_advertised_alpn;
    int retain_only_sha256, expect_sha256_client_cert;
} opts;

/* F_CRED_STR: a default credential's file (offset in opts) or, after -new-x509-credential,
 * the newest credential's (count_offset in cred_files); F_OPT_INT: an int (offset) and its
 * presence (count_offset). */
typedef enum { F_BOOL, F_INT, F_STR, F_INTLIST, F_NEW_CRED, F_CRED_STR, F_OPT_INT } flag_kind;

typedef struct flag {
    const char *name;
    flag_kind kind;
    size_t offset;
    size_t count_offset; /* F_INTLIST: where the count lives */
} flag;

#define BOOL_FLAG(n, f)                                                                            \
    {                                                                                              \
        n, F_BOOL, offsetof(opts, f), 0                                                            \
    }
#define INT_FLAG(n, f)                                                                             \
    {                                                                                              \
        n, F_INT, offsetof(opts, f), 0                                                             \
    }
#define STR_FLAG(n, f)                                                                             \
    {                                                                                              \
        n, F_STR, offsetof(opts, f), 0                                                             \
    }
#define LIST_FLAG(n, f, c)                                                                         \
    {                                                                                              \
        n, F_INTLIST, offsetof(opts, f), offsetof(opts, c)                                         \
    }

/* Every flag the shim implements; any other is unimplemented (exit 89). */
static const flag FLAGS[] = {
    BOOL_FLAG("-server", server),
    INT_FLAG("-port", port),
    BOOL_FLAG("-ipv6", ipv6),
    {"-cert-file", F_CRED_STR, offsetof(opts, cert_file), offsetof(cred_files, cert_file)},
    {"-key-file", F_CRED_STR, offsetof(opts, key_file), offsetof(cred_files, key_file)},
    {"-new-x509-credential", F_NEW_CRED, 0, 0},
    {"-expect-selected-credential", F_OPT_INT, offsetof(opts, expect_selected_cred),
     offsetof(opts, has_expect_selected_cred)},
    STR_FLAG("-trust-cert", trust_cert),
    INT_FLAG("-resume-count", resume_count),
    INT_FLAG("-min-version", min_version),
    INT_FLAG("-max-version", max_version),
    BOOL_FLAG("-no-tls13", no_tls13),
    BOOL_FLAG("-no-tls12", no_tls12),
    BOOL_FLAG("-no-tls11", no_tls11),
    BOOL_FLAG("-no-tls1", no_tls1),
    LIST_FLAG("-curves", curves, curve_count),
    LIST_FLAG("-signing-prefs", signing_prefs, signing_pref_count),
    LIST_FLAG("-verify-prefs", verify_prefs, verify_pref_count),
    BOOL_FLAG("-verify-peer", verify_peer),
    BOOL_FLAG("-require-any-client-certificate", require_any_client_cert),
    BOOL_FLAG("-verify-fail", verify_fail),
    INT_FLAG("-expect-version", expect_version),
    INT_FLAG("-expect-curve-id", expect_curve_id),
    INT_FLAG("-expect-peer-signature-algorithm", expect_peer_sig_alg),
    BOOL_FLAG("-expect-session-miss", expect_session_miss),
    BOOL_FLAG("-shim-writes-first", shim_writes_first),
    BOOL_FLAG("-shim-shuts-down", shim_shuts_down),
    BOOL_FLAG("-check-close-notify", check_close_notify),
    STR_FLAG("-advertise-alpn", advertise_alpn),
    STR_FLAG("-expect-alpn", expect_alpn),
    STR_FLAG("-select-alpn", select_alpn),
    BOOL_FLAG("-expect-no-alpn", expect_no_alpn),
    /* BoringSSL's ALPN callback declining (SSL_TLSEXT_ERR_NOACK): a server without protocols,
     * which ignores the client's offer (RFC 7301 §3.1). */
    BOOL_FLAG("-decline-alpn", decline_alpn),
    STR_FLAG("-host-name", host_name),
    STR_FLAG("-expect-server-name", expect_server_name),
    INT_FLAG("-export-keying-material", export_keying_material),
    STR_FLAG("-export-label", export_label),
    STR_FLAG("-export-context", export_context),
    BOOL_FLAG("-use-export-context", use_export_context),
    BOOL_FLAG("-key-update", key_update),
    BOOL_FLAG("-expect-hrr", expect_hrr),
    BOOL_FLAG("-expect-no-hrr", expect_no_hrr),
    BOOL_FLAG("-expect-extended-master-secret", expect_ems),
    BOOL_FLAG("-expect-no-extended-master-secret", expect_no_ems),
    BOOL_FLAG("-no-ticket", no_ticket),
    BOOL_FLAG("-expect-session-id", expect_session_id),
    BOOL_FLAG("-expect-no-session-id", expect_no_session_id),
    /* BoringSSL's other verification callback and its verdict: the same TLS behaviour as the
     * default one here (accept, or refuse with -verify-fail). */
    BOOL_FLAG("-use-custom-verify-callback", use_custom_verify_callback),
    BOOL_FLAG("-expect-verify-result", expect_verify_result),
    BOOL_FLAG("-is-handshaker-supported", is_handshaker_supported),
    STR_FLAG("-cipher", cipher),
    STR_FLAG("-expect-peer-cert-file", expect_peer_cert_file),
    /* The engine driven directly, one byte at a time (see shim_handshake). */
    BOOL_FLAG("-async", async),
    /* No handshake call: the first write or read completes the handshake (tenon_io_write and
     * tenon_io_read do, as SSL_write and SSL_read), and the -expect-* checks follow it. */
    BOOL_FLAG("-implicit-handshake", implicit_handshake),
    /* A client that does not renegotiate: tenon never does; it answers a HelloRequest with
     * the no_renegotiation warning RFC 5246 §7.4.1.1 allows (BoringSSL's ignore mode sends
     * nothing) and the connection goes on. */
    BOOL_FLAG("-renegotiate-ignore", renegotiate_ignore),
    /* A client that received no new session (ticket) on this connection, or (resumed) a new
     * one: what its ticket store holds afterwards, compared with before. */
    BOOL_FLAG("-expect-no-session", expect_no_session),
    BOOL_FLAG("-expect-ticket-renewal", expect_ticket_renewal),
    /* -async: "hello" is written but only its first byte sent before the reading starts; the
     * rest goes out as the reads drive the engine (before anything the engine queues later,
     * such as a KeyUpdate it owes). */
    BOOL_FLAG("-read-with-unfinished-write", read_with_unfinished_write),
    /* A second handshake call on a finished connection does nothing. */
    BOOL_FLAG("-no-op-extra-handshake", no_op_extra_handshake),
    /* The peer's signature_algorithms as sent: a server's tenon_peer_offer.sig_schemes. */
    LIST_FLAG("-expect-peer-verify-pref", expect_peer_verify_prefs, expect_peer_verify_pref_count),
    /* OCSP stapling and SCTs (tenon_cert_key.ocsp_response/sct_list, tenon_config.ocsp_stapling,
     * signed_cert_timestamps, status_fn; tenon_conn_info.ocsp_response/sct_list). */
    {"-ocsp-response", F_CRED_STR, offsetof(opts, ocsp_response),
     offsetof(cred_files, ocsp_response)},
    {"-signed-cert-timestamps", F_CRED_STR, offsetof(opts, sct_list),
     offsetof(cred_files, sct_list)},
    BOOL_FLAG("-enable-ocsp-stapling", enable_ocsp_stapling),
    BOOL_FLAG("-enable-signed-cert-timestamps", enable_sct),
    STR_FLAG("-expect-ocsp-response", expect_ocsp_response),
    STR_FLAG("-expect-signed-cert-timestamps", expect_sct_list),
    BOOL_FLAG("-use-ocsp-callback", use_ocsp_callback),
    BOOL_FLAG("-fail-ocsp-callback", fail_ocsp_callback),
    BOOL_FLAG("-set-ocsp-in-callback", set_ocsp_in_callback),
    BOOL_FLAG("-decline-ocsp-callback", decline_ocsp_callback),
    /* RFC 5929 tls-unique, written to the runner after the handshake (tenon_conn_tls_unique). */
    BOOL_FLAG("-tls-unique", tls_unique),
    /* A server: the client's ProtocolNameList as sent (tenon_peer_offer.alpn). */
    STR_FLAG("-expect-advertised-alpn", expect_advertised_alpn),
    /* BoringSSL's SSL_set_retain_only_sha256_of_client_certs: tenon's sessions always keep
     * only the SHA-256 of the client's leaf (tenon_conn_info.peer_leaf_sha256), no chain. */
    BOOL_FLAG("-retain-only-sha256-client-cert", retain_only_sha256),
    BOOL_FLAG("-expect-sha256-client-cert", expect_sha256_client_cert),
    /* BoringSSL's SSL_CTX_set_client_cert_cb: tenon_config.client_cert_fn choosing the
     * default credential (or none); -expect-certificate-types and -expect-client-ca-list
     * check tenon_cert_request (BoringSSL checks them in either callback). */
    BOOL_FLAG("-use-old-client-cert-callback", use_old_client_cert_cb),
    STR_FLAG("-expect-certificate-types", expect_certificate_types),
    STR_FLAG("-expect-client-ca-list", expect_client_ca_list),
    /* A server's certificate_authorities (hex DER names, comma-separated; "<NULL>" and
     * "<EMPTY>": none): tenon_config.client_ca_names. */
    STR_FLAG("-use-client-ca-list", use_client_ca_list),
};

static _Noreturn void unimplemented(const char *what)
{
    /* Printed to stdout: stderr is for errors; the runner ignores an 89's output. */
    printf("unimplemented: %s\n", what);
    /* TENON_BOGO_UNIMPLEMENTED=FILE collects the reasons, one line per test, for
     * tests/bogo/README.md's tally of what is left. */
    const char *log = getenv("TENON_BOGO_UNIMPLEMENTED");
    if (log != NULL) {
        FILE *f = fopen(log, "a");
        if (f != NULL) {
            fprintf(f, "%s\n", what);
            fclose(f);
        }
    }
    exit(EXIT_UNIMPLEMENTED);
}

/* Prints "what detail" as the test's error and exits 1. */
static _Noreturn void fail(const char *what, const char *detail)
{
    fprintf(stderr, "%s%s\n", what, detail);
    exit(1);
}

static const flag *find_flag(const char *name)
{
    for (size_t i = 0; i < sizeof FLAGS / sizeof FLAGS[0]; i++)
        if (strcmp(FLAGS[i].name, name) == 0)
            return &FLAGS[i];
    return NULL;
}

static int parse_int(const char *s, long long *out)
{
    char *end;
    *out = strtoll(s, &end, 10);
    return *s != '\0' && *end == '\0';
}

/* Sets one flag (value may be NULL for a boolean) in o. */
static void apply(opts *o, const flag *f, const char *value)
{
    char *base = (char *)o;
    long long v = 0;
    switch (f->kind) {
    case F_BOOL:
        *(int *)(base + f->offset) = 1;
        return;
    case F_STR:
        *(const char **)(base + f->offset) = value;
        return;
    case F_NEW_CRED:
        if (o->cred_count == TENON_MAX_CERT_KEYS)
            unimplemented("more credentials than TENON_MAX_CERT_KEYS");
        o->cred_count++;
        return;
    case F_CRED_STR:
        if (o->cred_count != 0)
            *(const char **)((char *)&o->creds[o->cred_count - 1] + f->count_offset) = value;
        else
            *(const char **)(base + f->offset) = value;
        return;
    case F_OPT_INT:
    case F_INT:
    case F_INTLIST:
        if (!parse_int(value, &v) || v < -2147483647LL || v > 2147483647LL)
            unimplemented(f->name);
        if (f->kind != F_INTLIST) {
            *(int *)(base + f->offset) = (int)v;
            if (f->kind == F_OPT_INT)
                *(int *)(base + f->count_offset) = 1;
            return;
        }
        int *list = (int *)(base + f->offset);
        size_t *count = (size_t *)(base + f->count_offset);
        /* After -new-x509-credential, that credential's (tenon_cert_key.sign_schemes). */
        if (f->offset == offsetof(opts, signing_prefs) && o->cred_count != 0) {
            list = o->creds[o->cred_count - 1].signing_prefs;
            count = &o->creds[o->cred_count - 1].signing_pref_count;
        }
        if (*count == MAX_LIST)
            unimplemented(f->name);
        list[(*count)++] = (int)v;
        return;
    }
}

/* Parses argv into the initial and resumption options (test_config.cc's ParseConfig). */
static void parse_args(int argc, char **argv, opts *initial, opts *resume)
{
    opts retry;
    memset(&retry, 0, sizeof retry);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        opts *targets[2] = {initial, resume};
        size_t ntargets = 2;
        int ignore = 0;
        if (strncmp(arg, "-on-initial-", 12) == 0) {
            arg += 11;
            ntargets = 1;
        } else if (strncmp(arg, "-on-resume-", 11) == 0) {
            arg += 10;
            targets[0] = resume;
            ntargets = 1;
        } else if (strncmp(arg, "-on-retry-", 10) == 0) {
            arg += 9;
            targets[0] = &retry;
            ntargets = 1;
        } else if (strncmp(arg, "-on-shim-", 9) == 0) {
            arg += 8;
        } else if (strncmp(arg, "-on-handshaker-", 15) == 0) {
            arg += 14; /* for BoringSSL's split-handshake process, which tenon has not */
            ignore = 1;
        }
        if (strcmp(arg, "-shim-id") == 0) {
            long long id;
            if (i + 1 >= argc || !parse_int(argv[i + 1], &id))
                unimplemented("-shim-id");
            initial->shim_id = resume->shim_id = (uint64_t)id;
            i++;
            continue;
        }
        const flag *f = find_flag(arg);
        if (f == NULL)
            unimplemented(arg);
        const char *value = NULL;
        if (f->kind != F_BOOL && f->kind != F_NEW_CRED) {
            if (i + 1 >= argc)
                unimplemented(arg);
            value = argv[++i];
        }
        if (ignore)
            continue;
        for (size_t t = 0; t < ntargets; t++)
            apply(targets[t], f, value);
    }
}

/* ---- certificates and keys ---- */

/* Every credential loaded so far (by file names), for the connections that follow. */
#define MAX_LOADED (2 * TENON_MAX_CERT_KEYS)
typedef struct loaded_cred {
    const char *cert_file, *key_file;
    tenon_bytes chain[TENON_MAX_CHAIN];
    size_t chain_count;
    tenon_private_key key;
    uint8_t keybuf[32768];
} loaded_cred;

static uint8_t g_chain_der[65536];
static size_t g_chain_used;
static loaded_cred g_loaded[MAX_LOADED];
static size_t g_loaded_count;

static const loaded_cred *load_credential(const char *cert_file, const char *key_file)
{
    for (size_t i = 0; i < g_loaded_count; i++)
        if (strcmp(g_loaded[i].cert_file, cert_file) == 0 &&
            strcmp(g_loaded[i].key_file, key_file) == 0)
            return &g_loaded[i];
    if (g_loaded_count == MAX_LOADED)
        unimplemented("more distinct credentials than the shim holds");
    loaded_cred *lc = &g_loaded[g_loaded_count];
    static char pem[65536];
    size_t len = 0;
    if (tenon_read_file(cert_file, (uint8_t *)pem, sizeof pem, &len) != 0)
        fail("cannot read certificate file ", cert_file);
    size_t offset = 0;
    for (;;) {
        const char *label;
        size_t label_len, der_len;
        int rc = tenon_pem_next(pem, len, &offset, &label, &label_len, g_chain_der + g_chain_used,
                                sizeof g_chain_der - g_chain_used, &der_len);
        if (rc == TENON_ERR_PEM_NOT_FOUND)
            break;
        if (rc != 0)
            fail("certificate file: ", tenon_strerror(rc));
        if (label_len != 11 || memcmp(label, "CERTIFICATE", 11) != 0)
            continue;
        if (lc->chain_count == TENON_MAX_CHAIN)
            unimplemented("certificate chain longer than TENON_MAX_CHAIN");
        lc->chain[lc->chain_count].ptr = g_chain_der + g_chain_used;
        lc->chain[lc->chain_count].len = der_len;
        lc->chain_count++;
        g_chain_used += der_len;
    }
    int rc = tenon_private_key_load_file(&lc->key, key_file, lc->keybuf, sizeof lc->keybuf);
    if (rc == TENON_ERR_KEY_UNSUPPORTED)
        unimplemented("key type (P-224, P-521)");
    if (rc == TENON_ERR_KEY_SIZE)
        unimplemented("RSA key size (tenon has 2048 to 4096 bits)");
    if (rc != 0)
        fail("key file: ", tenon_strerror(rc));
    lc->cert_file = cert_file;
    lc->key_file = key_file;
    g_loaded_count++;
    return lc;
}

static void set_scheme_list(const int *list, size_t n, uint16_t *out, size_t *count);

/* Adds a credential with its own -signing-prefs (tenon_cert_key.sign_schemes; none: the
 * configuration's). */
static void add_credential(tenon_config *cfg, const char *cert_file, const char *key_file,
                           const int *prefs, size_t pref_count)
{
    const loaded_cred *lc = load_credential(cert_file, key_file);
    const char *why = NULL;
    int rc = tenon_config_add_cert(cfg, lc->chain, lc->chain_count, &lc->key, &why);
    if (rc != 0)
        fail("certificate: ", why != NULL ? why : tenon_strerror(rc));
    tenon_cert_key *ck = &cfg->certs[cfg->cert_count - 1];
    set_scheme_list(prefs, pref_count, ck->sign_schemes, &ck->sign_scheme_count);
}

/* The credentials in BoringSSL's order: the -new-x509-credential ones (tenon_config.certs[0]
 * is credential 0, ...), then the default one. tenon tries them in that order too. The
 * -signing-prefs before any -new-x509-credential are the default one's (BoringSSL's
 * SSL_set_signing_algorithm_prefs); without other credentials, the configuration's
 * (set_sig_schemes), which is the same. */
static void add_credentials(const opts *o, tenon_config *cfg)
{
    for (size_t i = 0; i < o->cred_count; i++) {
        const cred_files *cf = &o->creds[i];
        if (cf->cert_file == NULL || cf->key_file == NULL)
            unimplemented("-new-x509-credential without a certificate and a key");
        add_credential(cfg, cf->cert_file, cf->key_file, cf->signing_prefs, cf->signing_pref_count);
    }
    if (o->cert_file != NULL && o->key_file != NULL) {
        if (cfg->cert_count == TENON_MAX_CERT_KEYS)
            unimplemented("more credentials than TENON_MAX_CERT_KEYS");
        add_credential(cfg, o->cert_file, o->key_file, o->signing_prefs,
                       o->cred_count != 0 ? o->signing_pref_count : 0);
    }
}

/* ---- OCSP stapling and SCTs ---- */

/* Decodes standard base64 (with padding) into out; -1 if it is not base64 or too long. */
static long decode_base64(const char *in, uint8_t *out, size_t cap)
{
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = 0, len = strlen(in);
    uint32_t acc = 0;
    int bits = 0;
    if (len % 4 != 0)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (in[i] == '=') {
            if (i + 2 < len || (i + 1 < len && in[i + 1] != '='))
                return -1;
            break;
        }
        const char *at = strchr(A, in[i]);
        if (at == NULL || in[i] == '\0')
            return -1;
        acc = (acc << 6) | (uint32_t)(at - A);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n == cap)
                return -1;
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    return (long)n;
}

/* A base64 flag value as bytes in its own static slot (slots stay valid for the process). */
static tenon_bytes base64_value(const char *flag_name, const char *b64)
{
    static uint8_t store[4 * (TENON_MAX_CERT_KEYS + 2)][4096];
    static size_t used;
    tenon_bytes b = {NULL, 0};
    if (b64 == NULL)
        return b;
    if (used == sizeof store / sizeof store[0])
        unimplemented("more base64 values than the shim holds");
    long n = decode_base64(b64, store[used], sizeof store[used]);
    if (n < 0)
        unimplemented(flag_name);
    b.ptr = store[used++];
    b.len = (size_t)n;
    return b;
}

/* The staples of each credential, in add_credentials' order (tenon_config.certs). */
static void set_staples(const opts *o, tenon_config *cfg)
{
    for (size_t i = 0; i < cfg->cert_count; i++) {
        const char *ocsp = i < o->cred_count ? o->creds[i].ocsp_response : o->ocsp_response;
        const char *scts = i < o->cred_count ? o->creds[i].sct_list : o->sct_list;
        cfg->certs[i].ocsp_response = base64_value("-ocsp-response", ocsp);
        cfg->certs[i].sct_list = base64_value("-signed-cert-timestamps", scts);
    }
}

/* BoringSSL's client OCSP callback (SSL_CTX_set_tlsext_status_cb), which -fail-ocsp-callback
 * makes refuse: tenon's status_fn. BoringSSL's shim also checks, in its verify callback, that
 * an expected response is there during the handshake: here, in status_fn, which tenon calls
 * right after the chain is verified with what the server stapled. */
static int status_cb(void *user, const tenon_peer_status *st)
{
    const opts *o = user;
    if (o->expect_ocsp_response != NULL && st->ocsp_response.len == 0) {
        fprintf(stderr, "OCSP response not available in the status callback\n");
        return TENON_ERR_TLS_BAD_CERT_STATUS;
    }
    return o->use_ocsp_callback && o->fail_ocsp_callback ? 1 : 0;
}

/* BoringSSL's server OCSP callback (LegacyOCSPCallback in its test_config.cc): tenon's
 * staple_fn. -set-ocsp-in-callback supplies the -ocsp-response here instead of in the
 * credential (a static slot of the shim's, valid for the process), -decline-ocsp-callback
 * staples nothing (SSL_TLSEXT_ERR_NOACK), -fail-ocsp-callback fails the handshake
 * (SSL_TLSEXT_ERR_ALERT_FATAL: TENON_ERR_TLS_STAPLE_CALLBACK, internal_error). */
static tenon_bytes g_callback_ocsp;

static int staple_cb(void *user, tenon_staple_request *req)
{
    const opts *o = user;
    if (o->set_ocsp_in_callback && g_callback_ocsp.len > 0)
        req->ocsp_response = g_callback_ocsp;
    if (o->fail_ocsp_callback)
        return 1;
    if (o->decline_ocsp_callback) {
        req->ocsp_response.ptr = NULL;
        req->ocsp_response.len = 0;
    }
    return 0;
}

/* -expect-client-ca-list: "hex,hex,..." DER names; 1 if they are req's names, in order. */
static int ca_list_matches(const char *want, const tenon_cert_request *req)
{
    size_t n = 0;
    const char *p = want;
    for (;;) {
        size_t len = strcspn(p, ",");
        if (len % 2 != 0 || n >= req->ca_name_count || n >= TENON_MAX_CA_NAMES ||
            req->ca_names[n].len != len / 2)
            return 0;
        for (size_t i = 0; i < len / 2; i++) {
            unsigned v;
            if (sscanf(p + 2 * i, "%2x", &v) != 1 || req->ca_names[n].ptr[i] != v)
                return 0;
        }
        n++;
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
    return n == req->ca_name_count;
}

static int sig_scheme_known(int id);

/* BoringSSL's CheckCertificateRequest, then (-use-old-client-cert-callback) its
 * ClientCertCallback's answer: the default credential (added last), or none. */
static int client_cert_cb(void *user, const tenon_cert_request *req, int *cert_index)
{
    const opts *o = user;
    /* -expect-peer-verify-pref on a client: the CertificateRequest's schemes (set_client_cert_cb
     * made sure tenon has each, as tenon_cert_request lists only those). */
    if (o->expect_peer_verify_pref_count != 0) {
        int same = req->sig_scheme_count == o->expect_peer_verify_pref_count;
        for (size_t i = 0; same && i < req->sig_scheme_count; i++)
            same = req->sig_schemes[i] == o->expect_peer_verify_prefs[i];
        if (!same) {
            fprintf(stderr, "CertificateRequest signature algorithms differ from "
                            "-expect-peer-verify-pref\n");
            return 1;
        }
    }
    if (o->expect_certificate_types != NULL) {
        uint8_t want[256];
        long n = decode_base64(o->expect_certificate_types, want, sizeof want);
        if (n < 0 || (size_t)n != req->certificate_types.len ||
            memcmp(want, req->certificate_types.ptr, (size_t)n) != 0) {
            fprintf(stderr, "certificate types mismatch\n");
            return 1;
        }
    }
    if (o->expect_client_ca_list != NULL && !ca_list_matches(o->expect_client_ca_list, req)) {
        fprintf(stderr, "names in CertificateRequest differ from -expect-client-ca-list\n");
        return 1;
    }
    if (o->use_old_client_cert_cb) {
        int has_default = o->cert_file != NULL && o->key_file != NULL;
        *cert_index = has_default ? (int)o->cred_count : -1;
    }
    return 0;
}

/* -use-client-ca-list: the names into tenon_config.client_ca_names (kept in a static
 * buffer, as the config's views must outlive it). */
static void set_client_ca_list(const char *list, tenon_config *cfg)
{
    static uint8_t names[8192];
    size_t used = 0;
    if (strcmp(list, "<NULL>") == 0 || strcmp(list, "<EMPTY>") == 0)
        return;
    for (const char *p = list;;) {
        size_t len = strcspn(p, ",");
        if (len == 0 || len % 2 != 0 || len / 2 > sizeof names - used ||
            cfg->client_ca_name_count >= TENON_MAX_CA_NAMES)
            unimplemented("-use-client-ca-list: more or longer names than the shim holds");
        for (size_t i = 0; i < len / 2; i++) {
            unsigned v;
            if (sscanf(p + 2 * i, "%2x", &v) != 1)
                fail("-use-client-ca-list: bad hex", p);
            names[used + i] = (uint8_t)v;
        }
        cfg->client_ca_names[cfg->client_ca_name_count++] = (tenon_bytes){names + used, len / 2};
        used += len / 2;
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
}

static void set_client_cert_cb(opts *o, tenon_config *cfg)
{
    if (o->server) {
        if (o->use_old_client_cert_cb || o->expect_certificate_types != NULL ||
            o->expect_client_ca_list != NULL)
            unimplemented("client certificate callback flags on a server");
        if (o->use_client_ca_list != NULL)
            set_client_ca_list(o->use_client_ca_list, cfg);
        return;
    }
    if (o->use_client_ca_list != NULL)
        unimplemented("-use-client-ca-list on a client");
    for (size_t i = 0; i < o->expect_peer_verify_pref_count; i++)
        if (!sig_scheme_known(o->expect_peer_verify_prefs[i]))
            unimplemented("-expect-peer-verify-pref on a client: a scheme tenon does not have");
    cfg->client_cert_fn = client_cert_cb;
    cfg->client_cert_user = o;
}

static void set_stapling(opts *o, tenon_config *cfg)
{
    set_staples(o, cfg);
    if (o->server) {
        /* SSL_enable_ocsp_stapling and SSL_enable_signed_cert_timestamps change nothing on a
         * BoringSSL server: ignored here too (tenon_config_check refuses them on one). */
        if (o->use_ocsp_callback) {
            if (o->set_ocsp_in_callback && cfg->cert_count > 0) {
                /* The default credential (last) holds -ocsp-response: move it. */
                tenon_bytes *r = &cfg->certs[cfg->cert_count - 1].ocsp_response;
                g_callback_ocsp = *r;
                r->ptr = NULL;
                r->len = 0;
            }
            cfg->staple_fn = staple_cb;
            cfg->staple_user = o;
        }
        return;
    }
    cfg->ocsp_stapling = o->enable_ocsp_stapling;
    cfg->signed_cert_timestamps = o->enable_sct;
    if (o->use_ocsp_callback || o->expect_ocsp_response != NULL) {
        cfg->status_fn = status_cb;
        cfg->status_user = o;
    }
}

/* BoringSSL reports the session's staples on resumed connections too (its session keeps
 * them); tenon_conn_info has none on a resumption (tls.h), which is checked, and the shim
 * compares the full handshake's. */
static uint8_t g_session_ocsp[4096], g_session_scts[4096];
static size_t g_session_ocsp_len, g_session_scts_len;

static void check_staple(const char *what, const char *want_b64, tenon_bytes got, int resumed,
                         uint8_t *session, size_t *session_len)
{
    if (resumed && got.len != 0)
        fail(what, " reported on a resumed connection");
    if (!resumed) {
        if (got.len > 4096)
            unimplemented("a staple longer than the shim keeps");
        if (got.len > 0)
            memcpy(session, got.ptr, got.len);
        *session_len = got.len;
    }
    if (want_b64 == NULL)
        return;
    static uint8_t want[4096];
    long n = decode_base64(want_b64, want, sizeof want);
    if (n < 0)
        unimplemented(what);
    if ((size_t)n != *session_len || memcmp(want, session, *session_len) != 0)
        fail(what, " mismatch");
}

/* ---- configuration ---- */

static const tenon_kex_class *group_by_id(int id)
{
    switch (id) {
    case 29:
        return &tenon_kex_x25519;
    case 23:
        return &tenon_kex_secp256r1;
    case 24:
        return &tenon_kex_secp384r1;
    case 0x11EC:
        return &tenon_kex_x25519mlkem768;
    case 0x11EB:
        return &tenon_kex_secp256r1mlkem768;
    case 0x11ED:
        return &tenon_kex_secp384r1mlkem1024;
    default:
        return NULL;
    }
}

static int sig_scheme_known(int id)
{
    switch (id) {
    case TENON_SIG_RSA_PKCS1_SHA256:
    case TENON_SIG_RSA_PKCS1_SHA384:
    case TENON_SIG_RSA_PKCS1_SHA512:
    case TENON_SIG_ECDSA_SECP256R1_SHA256:
    case TENON_SIG_ECDSA_SECP384R1_SHA384:
    case TENON_SIG_RSA_PSS_RSAE_SHA256:
    case TENON_SIG_RSA_PSS_RSAE_SHA384:
    case TENON_SIG_RSA_PSS_RSAE_SHA512:
    case TENON_SIG_ED25519:
    case TENON_SIG_RSA_PKCS1_SHA1:
    case TENON_SIG_ECDSA_SHA1:
        return 1;
    default:
        return 0;
    }
}

/* -signing-prefs: the schemes the shim signs with (tenon_config.sign_schemes); -verify-prefs:
 * the schemes it advertises and accepts (sig_schemes). A scheme tenon lacks in either cannot be
 * honoured. */
static void set_scheme_list(const int *list, size_t n, uint16_t *out, size_t *count)
{
    if (n == 0)
        return;
    *count = 0;
    for (size_t i = 0; i < n; i++) {
        if (!sig_scheme_known(list[i]))
            unimplemented("signature scheme tenon does not have");
        out[(*count)++] = (uint16_t)list[i];
    }
}

static void set_sig_schemes(const opts *o, tenon_config *cfg)
{
    /* BoringSSL's verify preferences leave what it signs with as it was. */
    if ((o->signing_pref_count == 0 || o->cred_count != 0) && o->verify_pref_count != 0) {
        memcpy(cfg->sign_schemes, cfg->sig_schemes, sizeof cfg->sign_schemes);
        cfg->sign_scheme_count = cfg->sig_scheme_count;
    }
    if (o->cred_count == 0)
        set_scheme_list(o->signing_prefs, o->signing_pref_count, cfg->sign_schemes,
                        &cfg->sign_scheme_count);
    set_scheme_list(o->verify_prefs, o->verify_pref_count, cfg->sig_schemes,
                    &cfg->sig_scheme_count);
}

/* Set when verify_cb refused the peer's chain (reported with the error). */
static int g_verify_refused;

static int verify_cb(void *user, const tenon_bytes *chain, size_t count, const char *server_name)
{
    const opts *o = user;
    (void)chain;
    (void)count;
    (void)server_name;
    /* BoringSSL's shim accepts every chain (its callback checks no path), unless -verify-fail;
     * a client without -verify-peer (SSL_VERIFY_NONE) ignores the verdict. */
    if (!o->verify_fail || (!o->server && !o->verify_peer))
        return 0;
    g_verify_refused = 1;
    /* The alert is the callback's choice: BoringSSL's custom callback (ssl_verify_invalid)
     * sends certificate_unknown, its X509 callback (X509_V_ERR_APPLICATION_VERIFICATION)
     * handshake_failure. */
    return o->use_custom_verify_callback ? TENON_ERR_CERT_REJECTED
                                         : TENON_ERR_TLS_HANDSHAKE_FAILURE;
}

/* ---- -cipher: BoringSSL's cipher-list strings (ssl/ssl_cipher.cc) ---- */

enum { C_AES128 = 1, C_AES256 = 2, C_CHACHA = 4, C_ECDHE = 8, C_KRSA = 16, C_GCM = 32 };

/* tenon's TLS 1.2 suites by their IANA names (the names BoringSSL's strings use). BoringSSL
 * lacks the last two (RSA key transport with AES-CBC-SHA256): only their exact names pick them. */
static const struct {
    uint16_t id;
    const char *name;
    unsigned attrs;
} SUITES12[] = {
    {TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
     C_AES128 | C_ECDHE | C_GCM},
    {TENON_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
     C_AES128 | C_ECDHE | C_GCM},
    {TENON_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
     C_AES256 | C_ECDHE | C_GCM},
    {TENON_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
     C_AES256 | C_ECDHE | C_GCM},
    {TENON_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
     "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", C_CHACHA | C_ECDHE},
    {TENON_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
     "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", C_CHACHA | C_ECDHE},
    {TENON_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
     C_AES128 | C_ECDHE},
    {TENON_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
     C_AES128 | C_ECDHE},
    {TENON_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
     C_AES128 | C_ECDHE},
    {TENON_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
     C_AES256 | C_ECDHE},
    {TENON_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
     C_AES256 | C_ECDHE},
    {TENON_TLS_RSA_WITH_AES_128_GCM_SHA256, "TLS_RSA_WITH_AES_128_GCM_SHA256",
     C_AES128 | C_KRSA | C_GCM},
    {TENON_TLS_RSA_WITH_AES_256_GCM_SHA384, "TLS_RSA_WITH_AES_256_GCM_SHA384",
     C_AES256 | C_KRSA | C_GCM},
    {TENON_TLS_RSA_WITH_AES_128_CBC_SHA, "TLS_RSA_WITH_AES_128_CBC_SHA", C_AES128 | C_KRSA},
    {TENON_TLS_RSA_WITH_AES_256_CBC_SHA, "TLS_RSA_WITH_AES_256_CBC_SHA", C_AES256 | C_KRSA},
    {TENON_TLS_RSA_WITH_AES_128_CBC_SHA256, "TLS_RSA_WITH_AES_128_CBC_SHA256", 0},
    {TENON_TLS_RSA_WITH_AES_256_CBC_SHA256, "TLS_RSA_WITH_AES_256_CBC_SHA256", 0},
};
#define SUITE12_COUNT (sizeof SUITES12 / sizeof SUITES12[0])

/* BoringSSL's aliases, restricted to what tenon has. */
static const struct {
    const char *name;
    unsigned mask;
} CIPHER_ALIASES[] = {
    {"AES128", C_AES128}, {"AES256", C_AES256},   {"AES", C_AES128 | C_AES256},
    {"AESGCM", C_GCM},    {"CHACHA20", C_CHACHA}, {"ECDHE", C_ECDHE},
    {"kECDHE", C_ECDHE},  {"kRSA", C_KRSA},       {"RSA", C_KRSA},
};

static int suite_index(uint16_t id)
{
    for (size_t i = 0; i < SUITE12_COUNT; i++)
        if (SUITES12[i].id == id)
            return (int)i;
    return -1;
}

/* Replaces cfg's TLS 1.2 suites with those -cipher selects, keeping the TLS 1.3 ones (BoringSSL's
 * cipher list does not configure TLS 1.3). Supported: rules separated by ':' or ',', each an
 * exact suite name, ALL, DEFAULT or an alias, optionally prefixed with '!' (remove for good),
 * '-' (remove) or '+' (move to the end). Equal-preference groups ("[a|b]"), combined aliases
 * ("ECDHE+AES"), other keywords and suites tenon lacks (3DES, PSK, ...)
 * cannot be honoured. */
static void set_cipher_list(const char *list, tenon_config *cfg)
{
    /* ALL and DEFAULT: the shim's TLS 1.2 defaults (the suites BoringSSL's defaults have). */
    int all[SUITE12_COUNT], enabled[SUITE12_COUNT], banned[SUITE12_COUNT];
    memset(all, 0, sizeof all);
    memset(enabled, 0, sizeof enabled);
    memset(banned, 0, sizeof banned);
    uint16_t v13[TENON_MAX_SUITES];
    size_t n13 = 0;
    for (size_t i = 0; i < cfg->suite_count; i++) {
        int k = suite_index(cfg->suites[i]);
        if (k >= 0)
            all[k] = 1;
        else
            v13[n13++] = cfg->suites[i];
    }
    /* Order: the table's, with each rule appending what it adds (as BoringSSL does). */
    int order[SUITE12_COUNT];
    size_t norder = 0;
    char rule[128];
    const char *p = list;
    while (*p != '\0') {
        size_t len = strcspn(p, ":,");
        if (len == 0 || len >= sizeof rule)
            unimplemented("-cipher: empty or long rule");
        memcpy(rule, p, len);
        rule[len] = '\0';
        p += len + (p[len] != '\0');
        if (strpbrk(rule, "[]|+@") != NULL && rule[0] != '+')
            unimplemented("-cipher: equal-preference groups, combined aliases, @keywords");
        char op = (rule[0] == '!' || rule[0] == '-' || rule[0] == '+') ? rule[0] : 0;
        const char *name = rule + (op != 0);
        int match[SUITE12_COUNT];
        memset(match, 0, sizeof match);
        int known = 0;
        if (strcmp(name, "ALL") == 0 || strcmp(name, "DEFAULT") == 0) {
            memcpy(match, all, sizeof match);
            known = 1;
        }
        for (size_t a = 0; a < sizeof CIPHER_ALIASES / sizeof CIPHER_ALIASES[0]; a++)
            if (strcmp(name, CIPHER_ALIASES[a].name) == 0) {
                for (size_t k = 0; k < SUITE12_COUNT; k++)
                    match[k] = all[k] && (SUITES12[k].attrs & CIPHER_ALIASES[a].mask) != 0;
                known = 1;
            }
        for (size_t k = 0; k < SUITE12_COUNT; k++)
            if (strcmp(name, SUITES12[k].name) == 0) {
                match[k] = 1;
                known = 1;
            }
        if (!known)
            unimplemented("-cipher: a suite or keyword tenon does not have");
        for (size_t k = 0; k < SUITE12_COUNT; k++) {
            if (!match[k])
                continue;
            if (op == '!')
                banned[k] = 1;
            if (op == '!' || op == '-' || op == '+') {
                int was = enabled[k];
                enabled[k] = 0;
                for (size_t j = 0; j < norder; j++)
                    if (order[j] == (int)k) {
                        memmove(order + j, order + j + 1, (norder - j - 1) * sizeof order[0]);
                        norder--;
                        break;
                    }
                if (op != '+' || !was)
                    continue;
            } else if (enabled[k] || banned[k]) {
                continue;
            }
            enabled[k] = 1;
            order[norder++] = (int)k;
        }
    }
    if (norder == 0)
        unimplemented("-cipher: no suite left (BoringSSL refuses the list)");
    cfg->suite_count = 0;
    for (size_t i = 0; i < n13; i++)
        cfg->suites[cfg->suite_count++] = v13[i];
    for (size_t j = 0; j < norder && cfg->suite_count < TENON_MAX_SUITES; j++)
        cfg->suites[cfg->suite_count++] = SUITES12[order[j]].id;
}

static char g_alpn_names[TENON_MAX_ALPN][TENON_MAX_ALPN_LEN + 1];
static tenon_ticket_key g_ticket_key;
static tenon_ticket g_ticket_slots[4];
static tenon_ticket_store g_ticket_store;
/* A server's TLS 1.2 session cache, on as in BoringSSL (SSL_SESS_CACHE_SERVER). */
static tenon_session_entry g_session_slots[4];
static tenon_session_cache g_session_cache;

static void build_config(opts *o, tenon_config *cfg)
{
    tenon_config_init(cfg, o->server ? TENON_SERVER : TENON_CLIENT);
    /* Versions: decimal wire numbers. TLS 1.0 and 1.1 are not in tenon. */
    int min = o->min_version ? o->min_version : TENON_TLS12;
    int max = o->max_version ? o->max_version : TENON_TLS13;
    if (max < TENON_TLS12 || (o->no_tls13 && o->no_tls12))
        unimplemented("TLS 1.0/1.1 only");
    if (min < TENON_TLS12)
        min = TENON_TLS12;
    if (max > TENON_TLS13)
        max = TENON_TLS13;
    if (o->no_tls13 && max == TENON_TLS13)
        max = TENON_TLS12;
    if (o->no_tls12 && min == TENON_TLS12)
        min = TENON_TLS13;
    if (min > max)
        unimplemented("no version tenon has is enabled");
    /* BoringSSL's default cipher list also has RSA key transport and CBC suites, which tenon
     * enables only when named: the suites of both that tenon has. */
    static const uint16_t rsa_kx[] = {
        TENON_TLS_RSA_WITH_AES_128_GCM_SHA256,      TENON_TLS_RSA_WITH_AES_256_GCM_SHA384,
        TENON_TLS_RSA_WITH_AES_128_CBC_SHA,         TENON_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
        TENON_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, TENON_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
        TENON_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, TENON_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
        TENON_TLS_RSA_WITH_AES_256_CBC_SHA};
    for (size_t i = 0; i < sizeof rsa_kx / sizeof rsa_kx[0]; i++)
        if (cfg->suite_count < TENON_MAX_SUITES)
            cfg->suites[cfg->suite_count++] = rsa_kx[i];
    if (o->cipher != NULL)
        set_cipher_list(o->cipher, cfg);
    cfg->min_version = (uint16_t)min;
    cfg->max_version = (uint16_t)max;

    if (o->curve_count != 0) {
        if (o->curve_count > TENON_MAX_GROUPS)
            unimplemented("-curves: more groups than tenon has");
        cfg->group_count = 0;
        for (size_t i = 0; i < o->curve_count; i++) {
            const tenon_kex_class *g = group_by_id(o->curves[i]);
            if (g == NULL)
                unimplemented("-curves: a group tenon does not have");
            cfg->groups[cfg->group_count++] = g;
        }
        /* BoringSSL's clients share the first classical and the first post-quantum group of
         * their list (ssl/test/runner: MLKEMKeyShareIncludedThird): tenon_config.share_groups
         * says the same. */
        const tenon_kex_class *classical = NULL, *pq = NULL;
        for (size_t i = 0; i < cfg->group_count; i++) {
            if (cfg->groups[i]->post_quantum && pq == NULL)
                pq = cfg->groups[i];
            if (!cfg->groups[i]->post_quantum && classical == NULL)
                classical = cfg->groups[i];
        }
        cfg->share_group_count = 0;
        if (classical != NULL)
            cfg->share_groups[cfg->share_group_count++] = classical;
        if (pq != NULL)
            cfg->share_groups[cfg->share_group_count++] = pq;
    }
    set_sig_schemes(o, cfg);

    /* ALPN: -advertise-alpn is the wire list (length-prefixed names). A server selects
     * -select-alpn, so it is its one protocol. */
    if (o->advertise_alpn != NULL && !o->server) {
        const uint8_t *p = (const uint8_t *)o->advertise_alpn;
        size_t len = strlen(o->advertise_alpn), at = 0;
        while (at < len) {
            size_t n = p[at++];
            if (n == 0 || at + n > len || cfg->alpn_count == TENON_MAX_ALPN)
                unimplemented("-advertise-alpn value");
            memcpy(g_alpn_names[cfg->alpn_count], p + at, n);
            g_alpn_names[cfg->alpn_count][n] = '\0';
            cfg->alpn[cfg->alpn_count] = g_alpn_names[cfg->alpn_count];
            cfg->alpn_count++;
            at += n;
        }
    }
    if (o->select_alpn != NULL && o->server && !o->decline_alpn) {
        if (o->select_alpn[0] == '\0')
            unimplemented("-select-alpn with an empty name");
        cfg->alpn[0] = o->select_alpn;
        cfg->alpn_count = 1;
    }

    add_credentials(o, cfg);
    set_stapling(o, cfg);
    set_client_cert_cb(o, cfg);

    if (o->server) {
        if (o->require_any_client_cert)
            cfg->client_auth = TENON_CLIENT_AUTH_REQUIRE;
        else if (o->verify_peer)
            cfg->client_auth = TENON_CLIENT_AUTH_REQUEST;
        if (cfg->client_auth != TENON_CLIENT_AUTH_NONE) {
            cfg->verify_fn = verify_cb;
            cfg->verify_user = o;
        }
        if (!o->no_ticket) {
            cfg->ticket_keys[0] = g_ticket_key;
            cfg->ticket_key_count = 1;
        }
        cfg->session_cache = &g_session_cache;
    } else {
        cfg->verify_fn = verify_cb;
        cfg->verify_user = o;
        cfg->skip_hostname_check = 1;
        /* tenon keys its ticket store by server name; an IP literal keys it without SNI
         * (BoringSSL resumes a session object, whatever the name). */
        cfg->server_name = o->host_name != NULL ? o->host_name : "127.0.0.1";
        if (!o->no_ticket)
            cfg->ticket_store = &g_ticket_store;
    }
}

/* ---- the connection ---- */

static int connect_runner(const opts *o)
{
    int fd;
    if (o->ipv6) {
        struct sockaddr_in6 sa;
        memset(&sa, 0, sizeof sa);
        sa.sin6_family = AF_INET6;
        sa.sin6_port = htons((uint16_t)o->port);
        sa.sin6_addr = in6addr_loopback;
        fd = socket(AF_INET6, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
            fail("cannot connect to [::1]", "");
    } else {
        struct sockaddr_in sa;
        memset(&sa, 0, sizeof sa);
        sa.sin_family = AF_INET;
        sa.sin_port = htons((uint16_t)o->port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
            fail("cannot connect to 127.0.0.1", "");
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    uint8_t id[8];
    for (int i = 0; i < 8; i++)
        id[i] = (uint8_t)(o->shim_id >> (8 * i));
    if (write(fd, id, sizeof id) != (ssize_t)sizeof id)
        fail("cannot send the shim id", "");
    return fd;
}

static tenon_conn g_conn;
static uint8_t g_in[TENON_CONN_IN_SIZE], g_out[TENON_CONN_OUT_SIZE];
static int g_fd = -1;

#define LINGER_MS 1000

/* After a failure (tenon_io_* has sent the alert): closing with the rest of the runner's
 * flight unread would make TCP reset the connection and lose the alert, so the shim stops
 * writing and drops the runner's input until it closes, for at most LINGER_MS (tls.h). */
static void linger_after_failure(void)
{
    if (g_fd < 0)
        return;
    (void)shutdown(g_fd, SHUT_WR);
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        long left =
            LINGER_MS - ((t.tv_sec - t0.tv_sec) * 1000L + (t.tv_nsec - t0.tv_nsec) / 1000000L);
        struct pollfd p = {g_fd, POLLIN, 0};
        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            return;
        uint8_t scratch[4096];
        if (read(g_fd, scratch, sizeof scratch) <= 0)
            return;
    }
}
/* Reports a TLS error and exits: tenon's message, and the alert the peer sent if any. */
static _Noreturn void fail_tls(const char *where, int err)
{
    linger_after_failure();
    int alert = tenon_conn_peer_alert(&g_conn);
    fprintf(stderr, "tenon: %s: %s (error %d)", where, tenon_strerror(err), err);
    if (alert >= 0)
        fprintf(stderr, "; peer alert %s (%d)", tenon_alert_name(alert), alert);
    if (g_verify_refused)
        fprintf(stderr, "; peer certificate refused by the shim's callback (-verify-fail)");
    fputc('\n', stderr);
    exit(1);
}

static void check_int(const char *what, int want, int got)
{
    if (want != 0 && want != got) {
        fprintf(stderr, "%s: want %d (0x%04x), got %d (0x%04x)\n", what, want, want, got, got);
        exit(1);
    }
}

static void check_bytes(const char *what, const char *want, tenon_bytes got)
{
    if (want == NULL)
        return;
    if (strlen(want) != got.len || memcmp(want, got.ptr, got.len) != 0) {
        fprintf(stderr, "%s: want \"%s\", got \"%.*s\"\n", what, want, (int)got.len,
                (const char *)got.ptr);
        exit(1);
    }
}

/* The peer's signature scheme of the session's full handshake: BoringSSL reports it on
 * resumed connections too, tenon_conn_info only for the handshake that saw the signature. */
static int g_session_sig_alg;
/* Likewise the group of the session's full handshake for a TLS 1.2 resumption, which has no
 * key exchange of its own (tenon_conn_info.group is then 0). */
static int g_session_group;

/* -expect-peer-cert-file: the peer's chain as sent must be the file's certificates, in order
 * (BoringSSL compares its leaf and chain; a client's chain includes the leaf, a server's does
 * not, so together they are the whole list). */
static void check_peer_chain(const char *path, const tenon_conn_info *info)
{
    if (info->resumed && info->peer_chain_count == 0)
        unimplemented("-expect-peer-cert-file on a resumed connection (no chain in tickets)");
    static char pem[65536];
    static uint8_t der[65536];
    size_t len = 0, offset = 0, n = 0;
    if (tenon_read_file(path, (uint8_t *)pem, sizeof pem, &len) != 0)
        fail("cannot read certificate file ", path);
    for (;; n++) {
        const char *label;
        size_t label_len, der_len;
        int rc = tenon_pem_next(pem, len, &offset, &label, &label_len, der, sizeof der, &der_len);
        if (rc == TENON_ERR_PEM_NOT_FOUND)
            break;
        if (rc != 0)
            fail("-expect-peer-cert-file: ", tenon_strerror(rc));
        if (label_len != 11 || memcmp(label, "CERTIFICATE", 11) != 0) {
            n--;
            continue;
        }
        if (n >= info->peer_chain_count || info->peer_chain[n].len != der_len ||
            memcmp(info->peer_chain[n].ptr, der, der_len) != 0)
            fail("peer certificate chain differs from ", path);
    }
    if (n != info->peer_chain_count)
        fail("peer certificate chain longer than ", path);
}

/* -expect-session-id / -expect-no-session-id: whether a server's full handshake put its
 * session into the session cache (BoringSSL's new-session callback): a slot in use whose ID no
 * slot held before the connection. */
static uint8_t g_cached_ids[4][32];
static int g_cached_in_use[4];

static void snapshot_session_cache(void)
{
    for (size_t i = 0; i < 4; i++) {
        g_cached_in_use[i] = g_session_slots[i].in_use;
        memcpy(g_cached_ids[i], g_session_slots[i].id, 32);
    }
}

static int session_newly_cached(void)
{
    for (size_t i = 0; i < 4; i++) {
        if (!g_session_slots[i].in_use)
            continue;
        int known = 0;
        for (size_t k = 0; k < 4; k++)
            known |= g_cached_in_use[k] && memcmp(g_cached_ids[k], g_session_slots[i].id, 32) == 0;
        if (!known)
            return 1;
    }
    return 0;
}

static void check_connection(const opts *o, int is_resume)
{
    tenon_conn_info info;
    int rc = tenon_conn_info_get(&g_conn, &info);
    if (rc != 0)
        fail_tls("connection info", rc);
    check_int("version", o->expect_version, info.version);
    if (!info.resumed)
        g_session_group = info.group;
    check_int("curve", o->expect_curve_id,
              info.resumed && info.group == 0 ? g_session_group : info.group);
    if (!info.resumed)
        g_session_sig_alg = info.sig_scheme;
    check_int("peer signature algorithm", o->expect_peer_sig_alg, g_session_sig_alg);
    int expect_resume = is_resume && !o->expect_session_miss;
    if (info.resumed != expect_resume)
        fail("session unexpectedly was", info.resumed ? " reused" : " not reused");
    if (!is_resume && o->expect_session_id && !session_newly_cached())
        fail("session was not cached on the server", "");
    if (!is_resume && o->expect_no_session_id && session_newly_cached())
        fail("session was unexpectedly cached on the server", "");
    check_bytes("ALPN", o->expect_alpn, info.alpn);
    if (o->expect_peer_cert_file != NULL)
        check_peer_chain(o->expect_peer_cert_file, &info);
    if (o->expect_no_alpn && info.alpn.len != 0)
        fail("unexpected ALPN", "");
    check_staple("OCSP response", o->expect_ocsp_response, info.ocsp_response, info.resumed,
                 g_session_ocsp, &g_session_ocsp_len);
    check_staple("SCT list", o->expect_sct_list, info.sct_list, info.resumed, g_session_scts,
                 &g_session_scts_len);
    if (o->server)
        check_bytes("server name", o->expect_server_name, info.server_name);
    if (o->expect_hrr && !info.hello_retry)
        fail("expected a HelloRetryRequest", "");
    /* BoringSSL numbers the -new-x509-credential ones from 0; the default one, or none, is -1. */
    int selected =
        info.cert_index >= 0 && (size_t)info.cert_index < o->cred_count ? info.cert_index : -1;
    if (o->has_expect_selected_cred && selected != o->expect_selected_cred) {
        fprintf(stderr, "credential %d was used, wanted %d\n", selected, o->expect_selected_cred);
        exit(1);
    }
    if (o->expect_peer_verify_pref_count != 0 && o->server) {
        tenon_peer_offer offer;
        /* A client checks the CertificateRequest's schemes in client_cert_cb. */
        if (tenon_conn_peer_offer(&g_conn, &offer) != 0 ||
            offer.sig_scheme_count != o->expect_peer_verify_pref_count)
            fail("peer signature algorithms differ from -expect-peer-verify-pref", "");
        for (size_t i = 0; i < offer.sig_scheme_count; i++)
            if (offer.sig_schemes[i] != o->expect_peer_verify_prefs[i])
                fail("peer signature algorithms differ from -expect-peer-verify-pref", "");
    }
    if (o->expect_no_hrr && info.hello_retry)
        fail("unexpected HelloRetryRequest", "");
    if (o->expect_advertised_alpn != NULL && o->server) {
        /* BoringSSL's ALPN select callback compares the list it is given. */
        tenon_peer_offer offer;
        size_t n = strlen(o->expect_advertised_alpn);
        if (n > TENON_OFFER_ALPN_MAX)
            unimplemented("-expect-advertised-alpn longer than TENON_OFFER_ALPN_MAX");
        if (tenon_conn_peer_offer(&g_conn, &offer) != 0 || offer.alpn_len != n ||
            memcmp(offer.alpn, o->expect_advertised_alpn, n) != 0)
            fail("bad ALPN select callback inputs", "");
    }
    /* BoringSSL compares the session's "has a SHA-256 of the peer's certificate" with
     * -expect-sha256-client-cert; tenon keeps it for every authenticated client, so the
     * comparison is made only where retaining it was asked for. */
    if ((o->retain_only_sha256 || o->expect_sha256_client_cert) &&
        info.has_peer_leaf_hash != o->expect_sha256_client_cert)
        fail("unexpected SHA-256 client certificate state", "");
    /* BoringSSL reports the extended master secret for every TLS 1.3 connection (RFC 8446
     * §7.1 binds the whole transcript). */
    int ems = info.ext_master_secret || info.version == TENON_TLS13;
    if (o->expect_ems && !ems)
        fail("expected the extended master secret", "");
    if (o->expect_no_ems && ems)
        fail("unexpected extended master secret", "");
}

/* ---- the transport: tenon_io_* or, with -async, the engine driven one byte at a time ---- */

/* -async: BoringSSL's shim puts a BIO between the library and the socket that lets one byte
 * through at a time and reports "would block" in between (async_bio.cc). Its counterpart here
 * drives tenon's sans-I/O engine directly (tenon_conn_feed / _output / _output_consume /
 * _status / _read / _write) over a non-blocking socket, moving every byte of the runner's
 * input and of the engine's output on its own: each record and message reaches the engine in
 * pieces, and each flight leaves it in pieces, between which the engine is asked for its
 * status again. Every wait is bounded by IO_TIMEOUT_MS per call, as tenon_io_* are. */
static int g_async;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until fd is ready for events, at most until the deadline. */
static int async_wait(int fd, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0)
            return TENON_ERR_FILE_IO;
        struct pollfd p = {fd, events, 0};
        int n = poll(&p, 1, (int)left);
        if (n > 0)
            return 0;
        if (n == 0 || errno != EINTR)
            return TENON_ERR_FILE_IO;
    }
}

/* Sends the first byte of the engine's output. */
static int async_send_byte(int fd, int64_t deadline)
{
    for (;;) {
        const uint8_t *p;
        size_t len;
        tenon_conn_output(&g_conn, &p, &len);
        if (len == 0)
            return 0;
        ssize_t w = send(fd, p, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w == 1) {
            tenon_conn_output_consume(&g_conn, 1);
            return 0;
        }
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return TENON_ERR_FILE_IO;
        int rc = async_wait(fd, POLLOUT, deadline);
        if (rc != 0)
            return rc;
    }
}

/* Reads one byte from the runner and feeds it to the engine (or reports the end of input). */
static int async_recv_byte(int fd, int64_t deadline)
{
    for (;;) {
        uint8_t b;
        ssize_t r = recv(fd, &b, 1, MSG_DONTWAIT);
        if (r == 0)
            return tenon_conn_transport_eof(&g_conn);
        if (r == 1) {
            size_t used = 0;
            int rc = tenon_conn_feed(&g_conn, &b, 1, &used);
            /* The engine asked for input (TENON_WANT_INPUT), so it takes the byte. */
            if (rc == 0 && used != 1)
                return TENON_ERR_INTERNAL;
            return rc;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return TENON_ERR_FILE_IO;
        int rc = async_wait(fd, POLLIN, deadline);
        if (rc != 0)
            return rc;
    }
}

/* One step: a byte out, a byte in, or (neither asked for) an empty feed that lets the engine
 * process a record that waited for its output to drain. A state that moves on in none of
 * these ways is an error, never a spin. */
static int async_step(int fd, int64_t deadline)
{
    unsigned st = tenon_conn_status(&g_conn);
    if (st & TENON_HAS_OUTPUT)
        return async_send_byte(fd, deadline);
    if (st & TENON_FAILED)
        return tenon_conn_error(&g_conn);
    if (st & TENON_WANT_INPUT)
        return async_recv_byte(fd, deadline);
    size_t used = 0;
    int rc = tenon_conn_feed(&g_conn, NULL, 0, &used);
    if (rc != 0 || tenon_conn_status(&g_conn) != st)
        return rc;
    return (st & TENON_PEER_CLOSED) ? TENON_ERR_TLS_CLOSED : TENON_ERR_INTERNAL;
}

static int async_flush(int fd, int64_t deadline)
{
    while (tenon_conn_status(&g_conn) & TENON_HAS_OUTPUT) {
        int rc = async_send_byte(fd, deadline);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* After an error: the engine's alert goes out (byte by byte) within the same deadline. */
static int async_fail(int fd, int64_t deadline, int err)
{
    (void)async_flush(fd, deadline);
    return err;
}

static int async_handshake(int fd, int64_t deadline)
{
    for (;;) {
        unsigned st = tenon_conn_status(&g_conn);
        if ((st & TENON_HANDSHAKE_DONE) && !(st & TENON_HAS_OUTPUT))
            return 0;
        int rc = async_step(fd, deadline);
        if (rc != 0)
            return async_fail(fd, deadline, rc);
    }
}

static int shim_handshake(int fd)
{
    if (g_async)
        return async_handshake(fd, now_ms() + IO_TIMEOUT_MS);
    return tenon_io_handshake(&g_conn, fd, IO_TIMEOUT_MS);
}

/* Writes all len bytes; an unfinished handshake (-implicit-handshake) is completed first. */
static int shim_write(int fd, const void *data, size_t len)
{
    if (!g_async)
        return tenon_io_write(&g_conn, fd, data, len, IO_TIMEOUT_MS);
    int64_t deadline = now_ms() + IO_TIMEOUT_MS;
    int rc = async_handshake(fd, deadline);
    const uint8_t *p = data;
    size_t done = 0;
    while (rc == 0 && done < len) {
        size_t w = 0;
        rc = tenon_conn_write(&g_conn, p + done, len - done, &w);
        done += w;
        if (rc == 0)
            rc = async_flush(fd, deadline);
    }
    if (rc == 0)
        rc = async_flush(fd, deadline);
    return rc == 0 ? 0 : async_fail(fd, deadline, rc);
}

/* Reads at least one byte (driving an unfinished handshake), or TENON_ERR_TLS_CLOSED. */
static int shim_read(int fd, uint8_t *buf, size_t cap, size_t *n)
{
    if (!g_async)
        return tenon_io_read(&g_conn, fd, buf, cap, n, IO_TIMEOUT_MS);
    int64_t deadline = now_ms() + IO_TIMEOUT_MS;
    for (;;) {
        int rc = tenon_conn_read(&g_conn, buf, cap, n);
        if (rc == TENON_ERR_TLS_CLOSED || (rc == 0 && *n > 0))
            return rc;
        if (rc == 0)
            rc = async_step(fd, deadline);
        if (rc != 0)
            return async_fail(fd, deadline, rc);
    }
}

/* Sends close_notify (after what is queued, if it needs the room). */
static int shim_close(int fd)
{
    if (!g_async)
        return tenon_io_close(&g_conn, fd, IO_TIMEOUT_MS);
    int64_t deadline = now_ms() + IO_TIMEOUT_MS;
    int rc = tenon_conn_close(&g_conn);
    if (rc == TENON_ERR_BUFFER_TOO_SMALL) {
        rc = async_flush(fd, deadline);
        if (rc == 0)
            rc = tenon_conn_close(&g_conn);
    }
    if (rc == 0)
        rc = async_flush(fd, deadline);
    return rc == 0 ? 0 : async_fail(fd, deadline, rc);
}

/* -implicit-handshake: the connection whose checks wait for the first write or read. */
static const opts *g_unchecked;
static int g_unchecked_resume;

static void check_after_implicit_handshake(void)
{
    if (g_unchecked != NULL) {
        const opts *o = g_unchecked;
        g_unchecked = NULL;
        check_connection(o, g_unchecked_resume);
    }
}

/* The client's ticket store before the connection, to tell whether it received a ticket. */
static tenon_ticket g_slots_before[4];

static int got_new_ticket(void)
{
    for (size_t i = 0; i < 4; i++) {
        const tenon_ticket *t = &g_ticket_slots[i];
        if (t->in_use == 0)
            continue;
        int old = 0;
        for (size_t j = 0; j < 4 && !old; j++)
            old = g_slots_before[j].in_use != 0 && g_slots_before[j].ticket_len == t->ticket_len &&
                  memcmp(g_slots_before[j].ticket, t->ticket, t->ticket_len) == 0;
        if (!old)
            return 1;
    }
    return 0;
}

static void write_all(int fd, const void *data, size_t len)
{
    int rc = shim_write(fd, data, len);
    if (rc != 0)
        fail_tls("write", rc);
    check_after_implicit_handshake();
}

static void run_connection(opts *o, int is_resume)
{
    tenon_config cfg;
    build_config(o, &cfg);
    if ((o->expect_session_id || o->expect_no_session_id) && !o->server)
        unimplemented("-expect-session-id on a client (tenon has no new-session callback)");
    snapshot_session_cache();
    int fd = connect_runner(o);
    g_fd = fd;
    const char *why = NULL;
    int rc = tenon_config_check(&cfg, &why);
    if (rc != 0)
        fail("configuration: ", why);
    rc = tenon_conn_init(&g_conn, &cfg, g_in, sizeof g_in, g_out, sizeof g_out);
    if (rc != 0)
        fail_tls("init", rc);
    g_async = o->async;
    memcpy(g_slots_before, g_ticket_slots, sizeof g_slots_before);
    if (o->implicit_handshake) {
        g_unchecked = o;
        g_unchecked_resume = is_resume;
    } else {
        rc = shim_handshake(fd);
        if (rc != 0)
            fail_tls("handshake", rc);
        check_connection(o, is_resume);
        if (o->no_op_extra_handshake) {
            const uint8_t *pending;
            size_t before, after;
            tenon_conn_output(&g_conn, &pending, &before);
            rc = shim_handshake(fd);
            tenon_conn_output(&g_conn, &pending, &after);
            if (rc != 0 || before != 0 || after != 0)
                fail("extra handshake call was not a no-op", "");
        }
    }

    if (o->export_keying_material > 0) {
        static uint8_t km[4096];
        size_t n = (size_t)o->export_keying_material;
        if (n > sizeof km)
            unimplemented("-export-keying-material length");
        const char *ctx = o->export_context != NULL ? o->export_context : "";
        rc = tenon_conn_export(&g_conn, o->export_label != NULL ? o->export_label : "",
                               o->use_export_context ? (const uint8_t *)ctx : NULL,
                               o->use_export_context ? strlen(ctx) : 0, km, n);
        if (rc != 0)
            fail_tls("export", rc);
        write_all(fd, km, n);
    }
    if (o->tls_unique) {
        uint8_t unique[16];
        size_t n = 0;
        rc = tenon_conn_tls_unique(&g_conn, unique, sizeof unique, &n);
        if (rc != 0)
            fail_tls("failed to get tls-unique", rc);
        write_all(fd, unique, n);
    }
    if (o->read_with_unfinished_write) {
        if (!g_async || o->implicit_handshake)
            unimplemented(
                "-read-with-unfinished-write without -async, or with -implicit-handshake");
        size_t w = 0;
        rc = tenon_conn_write(&g_conn, "hello", 5, &w);
        if (rc == 0 && w != 5)
            rc = TENON_ERR_INTERNAL;
        if (rc == 0)
            rc = async_send_byte(fd, now_ms() + IO_TIMEOUT_MS);
        if (rc != 0)
            fail_tls("write", rc);
    } else if (o->shim_writes_first) {
        write_all(fd, "hello", 5);
    }

    int clean = 0;
    if (!o->shim_shuts_down) {
        for (;;) {
            uint8_t buf[512];
            size_t n = 0;
            rc = shim_read(fd, buf, sizeof buf, &n);
            if (rc == TENON_ERR_TLS_CLOSED) {
                clean = 1;
                break;
            }
            /* BoringSSL's shim stops on a clean or an unclean end (of a finished handshake:
             * with -implicit-handshake, one the read was to complete fails). */
            if (rc == TENON_ERR_TLS_TRUNCATED && !o->check_close_notify && g_unchecked == NULL)
                break;
            if (rc != 0)
                fail_tls("read", rc);
            check_after_implicit_handshake();
            if (o->key_update) {
                rc = tenon_conn_key_update(&g_conn, 0);
                if (rc != 0)
                    fail_tls("key update", rc);
            }
            for (size_t i = 0; i < n; i++)
                buf[i] ^= 0xff;
            write_all(fd, buf, n);
        }
    }
    /* A close_notify after a handshake (-implicit-handshake) that carried no data. */
    check_after_implicit_handshake();
    /* BoringSSL checks the new session at the end (TLS 1.3 tickets come after the handshake). */
    if (o->expect_no_session && got_new_ticket())
        fail("new session was cached, but we expected the opposite", "");
    if (o->expect_ticket_renewal && is_resume && !got_new_ticket())
        fail("the resumed session's ticket was not renewed", "");
    /* Without -check-close-notify BoringSSL's shim shuts down quietly (no close_notify). */
    if (o->check_close_notify) {
        rc = shim_close(fd);
        if (rc != 0)
            fail_tls("close", rc);
        if (o->shim_shuts_down && !clean) {
            uint8_t buf[64];
            size_t n = 0;
            rc = shim_read(fd, buf, sizeof buf, &n);
            if (rc != TENON_ERR_TLS_CLOSED)
                fail_tls("waiting for close_notify",
                         rc != 0 ? rc : TENON_ERR_TLS_UNEXPECTED_MESSAGE);
        }
    }
    tenon_conn_wipe(&g_conn);
    close(fd);
    g_fd = -1;
}

int main(int argc, char **argv)
{
    static opts initial, resume;
    parse_args(argc, argv, &initial, &resume);
    if (initial.is_handshaker_supported) {
        printf("No\n");
        return 0;
    }
    if (initial.port <= 0 || initial.port > 65535)
        unimplemented("-port missing");
    if (tenon_random(&g_ticket_key, sizeof g_ticket_key) != 0)
        fail("no randomness", "");
    tenon_ticket_store_init(&g_ticket_store, g_ticket_slots, 4);
    tenon_session_cache_init(&g_session_cache, g_session_slots, 4);
    for (int i = 0; i <= initial.resume_count; i++)
        run_connection(i == 0 ? &initial : &resume, i > 0);
    for (size_t i = 0; i < g_loaded_count; i++)
        tenon_private_key_wipe(&g_loaded[i].key);
    return 0;
}
