/*
 * tenon-bench, TLS section: tenon's engine and OpenSSL's libssl side by side, client and server
 * in one process, connected in memory (tenon: the sans-I/O engines back to back; OpenSSL: a
 * BIO pair).
 *
 * TLS 1.3
 *   full handshakes   X25519, TLS_AES_128_GCM_SHA256, with an ECDSA P-256 and with an
 *                     RSA-2048 certificate (rsa_pss_rsae_sha256); no session tickets issued.
 *   hybrid            the same with X25519MLKEM768 on tenon's side, measured in the same run as
 *                     tenon's X25519 one (alternating samples): its rate against OpenSSL 3.0's
 *                     X25519 handshake (OpenSSL 3.0 has no ML-KEM), and its cost against
 *                     tenon's X25519 handshake (X25519 rate / X25519MLKEM768 rate).
 *   resumed           psk_dhe_ke with a ticket from the previous handshake; one ticket issued
 *                     per handshake on both sides.
 *   bulk              16 KiB and 1 KiB records client -> server through the whole stack (tenon:
 *                     zero-copy write and view read), against the raw AEAD (see bulk_figures).
 *   memory            the bytes one established connection holds.
 * TLS 1.2 (both sides limited to TLS 1.2, extended master secret on both)
 *   full handshakes   ECDHE-ECDSA-AES128-GCM-SHA256 (X25519, P-256 certificate,
 *                     ecdsa_secp256r1_sha256), ECDHE-RSA-AES128-GCM-SHA256 (X25519, RSA-2048,
 *                     rsa_pss_rsae_sha256) and AES128-GCM-SHA256 (RSA-2048 key transport); no
 *                     tickets and no server session cache.
 *   resumed           abbreviated handshake with an RFC 5077 ticket (ECDHE-ECDSA suite), the
 *                     server cache off so that only the ticket can resume; the server issues a
 *                     fresh ticket on every resumption on both sides (tenon always does; OpenSSL
 *                     does it here through its ticket key callback).
 *   bulk              16 KiB records with TLS_RSA_WITH_AES_128_CBC_SHA256, encrypt-then-MAC
 *                     (RFC 7366) negotiated on both sides, and ECDHE-RSA-AES128-GCM-SHA256.
 *
 * Handshake cost is CPU time, counted separately for the calls made on the client side and on
 * the server side, and given as handshakes per CPU-second of that side (higher is better) — the
 * ratio is tenon / OpenSSL. Each call is timed by the monotonic clock, and a sample's times are
 * scaled by the share of its wall time the thread ran (CLOCK_THREAD_CPUTIME_ID, read at the
 * sample's ends; see span_now). Both clients skip certificate-chain
 * validation (the certificate is a self-signed test certificate) but check CertificateVerify
 * (TLS 1.2: the ServerKeyExchange signature). After every handshake, both sides of both
 * libraries are checked to have negotiated the version, suite, group, signature scheme,
 * resumption (and in TLS 1.2 the extended master secret and encrypt-then-MAC) the row names:
 * a mismatch stops the run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tenon/tenon.h"

#include "bench.h"

/* ---- OpenSSL allocation accounting (CRYPTO_set_mem_functions) ---- */

/* Which side an allocation is charged to while counting: 0 none, 1 client, 2 server. */
static int mem_side;
static long long mem_live[3];

typedef struct {
    size_t size;
    int side;
    int pad;
} mem_hdr; /* 16 bytes: keeps the user pointer 16-aligned */

static void *mem_malloc(size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    mem_hdr *h = malloc(sizeof(mem_hdr) + n);
    if (h == NULL)
        return NULL;
    h->size = n;
    h->side = mem_side;
    mem_live[mem_side] += (long long)n;
    return h + 1;
}

static void mem_free(void *p, const char *file, int line)
{
    (void)file;
    (void)line;
    if (p == NULL)
        return;
    mem_hdr *h = (mem_hdr *)p - 1;
    mem_live[h->side] -= (long long)h->size;
    free(h);
}

static void *mem_realloc(void *p, size_t n, const char *file, int line)
{
    if (p == NULL)
        return mem_malloc(n, file, line);
    if (n == 0) {
        mem_free(p, file, line);
        return NULL;
    }
    mem_hdr *old = (mem_hdr *)p - 1;
    size_t old_size = old->size;
    int side = old->side;
    mem_hdr *h = realloc(old, sizeof(mem_hdr) + n);
    if (h == NULL)
        return NULL;
    mem_live[side] += (long long)n - (long long)old_size;
    h->size = n;
    return h + 1;
}

void tls_memory_hooks_install(void)
{
    /* Must run before OpenSSL allocates anything. */
    if (!CRYPTO_set_mem_functions(mem_malloc, mem_realloc, mem_free))
        die("CRYPTO_set_mem_functions");
}

/* ---- the test certificates (self-signed, made with libcrypto, used by both sides) ---- */

typedef struct {
    const char *name;
    EVP_PKEY *pkey;
    X509 *x509;
    uint8_t cert_der[4096], key_der[4096];
    size_t cert_len, key_len;
    tenon_private_key tkey;
} bench_cert;

static bench_cert cert_p256, cert_rsa;

static void make_cert(bench_cert *bc, const char *name, EVP_PKEY *pkey)
{
    bc->name = name;
    bc->pkey = pkey;
    X509 *x = X509_new();
    if (x == NULL || !X509_set_version(x, 2) || !ASN1_INTEGER_set(X509_get_serialNumber(x), 1) ||
        !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
        !X509_gmtime_adj(X509_getm_notAfter(x), 86400) || !X509_set_pubkey(x, pkey))
        die("X509 setup");
    X509_NAME *n = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1,
                               0);
    X509_set_issuer_name(x, n);
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, "DNS:localhost");
    if (ext == NULL || !X509_add_ext(x, ext, -1))
        die("subjectAltName");
    X509_EXTENSION_free(ext);
    if (!X509_sign(x, pkey, EVP_sha256()))
        die("X509_sign");
    bc->x509 = x;
    unsigned char *p = bc->cert_der;
    int l = i2d_X509(x, &p);
    if (l <= 0 || (size_t)l > sizeof bc->cert_der)
        die("i2d_X509");
    bc->cert_len = (size_t)l;
    p = bc->key_der;
    l = i2d_PrivateKey(pkey, &p);
    if (l <= 0 || (size_t)l > sizeof bc->key_der)
        die("i2d_PrivateKey");
    bc->key_len = (size_t)l;
    if (tenon_private_key_parse_der(&bc->tkey, bc->key_der, bc->key_len) != 0)
        die("tenon_private_key_parse_der");
}

/* ---- what a row measures, and the check that both libraries negotiated it ---- */

typedef struct {
    const char *label;      /* the row's name */
    uint16_t version;       /* TENON_TLS13 or TENON_TLS12 (for OpenSSL: TLS1_3_VERSION, ...) */
    uint16_t suite;         /* the IANA code point, the same for both libraries */
    const char *ossl_suite; /* TLS 1.3: SSL_CTX_set_ciphersuites; TLS 1.2: set_cipher_list */
    bench_cert *cert;
    uint16_t group;      /* NamedGroup of the full handshake, 0 for RSA key transport */
    uint16_t sig_scheme; /* the server's signature in a full handshake, 0 for none */
    int etm;             /* a CBC suite: encrypt-then-MAC is expected on both sides */
} tls_spec;

static const tls_spec tls13_p256 = {"full handshake X25519+ECDSA-P256",
                                    TENON_TLS13,
                                    TENON_TLS_AES_128_GCM_SHA256,
                                    "TLS_AES_128_GCM_SHA256",
                                    &cert_p256,
                                    0x001d,
                                    TENON_SIG_ECDSA_SECP256R1_SHA256,
                                    0};
static const tls_spec tls13_hybrid = {"full hs X25519MLKEM768+ECDSA-P256",
                                      TENON_TLS13,
                                      TENON_TLS_AES_128_GCM_SHA256,
                                      "TLS_AES_128_GCM_SHA256",
                                      &cert_p256,
                                      0x11ec,
                                      TENON_SIG_ECDSA_SECP256R1_SHA256,
                                      0};
static const tls_spec tls13_rsa = {"full handshake X25519+RSA-2048",
                                   TENON_TLS13,
                                   TENON_TLS_AES_128_GCM_SHA256,
                                   "TLS_AES_128_GCM_SHA256",
                                   &cert_rsa,
                                   0x001d,
                                   TENON_SIG_RSA_PSS_RSAE_SHA256,
                                   0};
static const tls_spec tls13_resumed = {"resumed handshake (psk_dhe_ke)",
                                       TENON_TLS13,
                                       TENON_TLS_AES_128_GCM_SHA256,
                                       "TLS_AES_128_GCM_SHA256",
                                       &cert_p256,
                                       0x001d,
                                       TENON_SIG_ECDSA_SECP256R1_SHA256,
                                       0};
static const tls_spec tls12_ecdsa = {"TLS 1.2 ECDHE-ECDSA X25519+P256",
                                     TENON_TLS12,
                                     TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                                     "ECDHE-ECDSA-AES128-GCM-SHA256",
                                     &cert_p256,
                                     0x001d,
                                     TENON_SIG_ECDSA_SECP256R1_SHA256,
                                     0};
static const tls_spec tls12_ecdhe_rsa = {"TLS 1.2 ECDHE-RSA X25519+RSA2048",
                                         TENON_TLS12,
                                         TENON_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                                         "ECDHE-RSA-AES128-GCM-SHA256",
                                         &cert_rsa,
                                         0x001d,
                                         TENON_SIG_RSA_PSS_RSAE_SHA256,
                                         0};
static const tls_spec tls12_rsa_kx = {"TLS 1.2 RSA-2048 key transport",
                                      TENON_TLS12,
                                      TENON_TLS_RSA_WITH_AES_128_GCM_SHA256,
                                      "AES128-GCM-SHA256",
                                      &cert_rsa,
                                      0,
                                      0,
                                      0};
static const tls_spec tls12_resumed = {"TLS 1.2 resumed (ticket)",
                                       TENON_TLS12,
                                       TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                                       "ECDHE-ECDSA-AES128-GCM-SHA256",
                                       &cert_p256,
                                       0x001d,
                                       TENON_SIG_ECDSA_SECP256R1_SHA256,
                                       0};

/* Reports what a side negotiated that the row did not ask for, and stops. */
static void mismatch(const char *lib, const char *side, const tls_spec *sp, const char *what,
                     unsigned got, unsigned want)
{
    fprintf(stderr, "tenon-bench: %s %s in \"%s\": %s is 0x%04x, expected 0x%04x\n", lib, side,
            sp->label, what, got, want);
    exit(1);
}

/* ---- tenon: two engines back to back ---- */

typedef struct {
    tenon_config ccfg, scfg;
    tenon_conn c, s;
    uint8_t cin[TENON_CONN_IN_SIZE], cout[TENON_CONN_OUT_SIZE];
    uint8_t sin[TENON_CONN_IN_SIZE], sout[TENON_CONN_OUT_SIZE];
    tenon_ticket slots[2];
    tenon_ticket_store store;
    const tls_spec *spec;
    double cpu[2]; /* client, server */
} tpair;

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A handshake is timed in a few dozen spans, each charged to the side whose call it holds.
 * The spans are read from the monotonic clock, not from the thread CPU clock: that one is a
 * system call (1.5 us a read on the machine this was last measured on, against 26 ns for the
 * monotonic clock's), and taking off a calibrated cost of that size from each of about 23 spans
 * per handshake, 35 us for a tenon handshake of 40 us, left an error of the order of the figure
 * being measured, the most for the faster library. What stays of the CPU clock's purpose (not
 * to count other processes' turns on a shared machine) is kept per sample (span_scale): a
 * sample's spans are scaled by the thread's CPU time over the wall time of the whole sample,
 * two reads of each clock per sample. Each span is also less one read of the monotonic clock
 * (the part of the two reads inside it), measured once as the median of back-to-back reads. */
static double span_now(void)
{
    return now();
}

static double clock_cost;

static void clock_calibrate(void)
{
    double d[1001];
    for (int i = 0; i < 1001; i++) {
        double t0 = span_now();
        d[i] = span_now() - t0;
    }
    clock_cost = median(d, 1001);
}

/* The time of a span between two span_now() reads, less the cost of one read. */
static long spans; /* counted for --profile-handshake's report */

static double span(double t0, double t1)
{
    spans++;
    return t1 - t0 - clock_cost;
}

/* A sample's wall and thread CPU clocks at its start (span_sample_start), and the share of its
 * wall time this thread ran (span_scale, at most 1), which its spans are multiplied by. */
typedef struct {
    double wall, cpu;
} span_sample;

static span_sample span_sample_start(void)
{
    span_sample ss = {now(), cpu_now()};
    return ss;
}

static double span_scale(const span_sample *ss)
{
    double dc = cpu_now() - ss->cpu, dw = now() - ss->wall;
    return dw > 0 && dc < dw ? dc / dw : 1.0;
}

/* The group of a row's NamedGroup: both sides get only it (one key share). */
static const tenon_kex_class *row_group(uint16_t id)
{
    static const tenon_kex_class *const groups[] = {&tenon_kex_x25519, &tenon_kex_x25519mlkem768};
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        if (groups[i]->tls_group == id)
            return groups[i];
    return NULL;
}

static void tpair_config(tpair *tp, const tls_spec *sp, int tickets)
{
    const char *why = NULL;
    bench_cert *bc = sp->cert;
    tp->spec = sp;
    tenon_config_init(&tp->scfg, TENON_SERVER);
    tenon_config_init(&tp->ccfg, TENON_CLIENT);
    /* TLS 1.3 rows: only the row's group. TLS 1.2 rows keep the defaults, whose curves also
     * tell the server which ECDSA certificates the client takes (RFC 8422 §4). */
    if (sp->version == TENON_TLS13 && sp->group != 0) {
        tp->scfg.groups[0] = tp->ccfg.groups[0] = row_group(sp->group);
        tp->scfg.group_count = tp->ccfg.group_count = 1;
        if (tp->scfg.groups[0] == NULL)
            die("bench row group");
    }
    /* Only the row's version and suite, on both sides. */
    tp->scfg.min_version = tp->scfg.max_version = sp->version;
    tp->ccfg.min_version = tp->ccfg.max_version = sp->version;
    tp->scfg.suites[0] = sp->suite;
    tp->scfg.suite_count = 1;
    tp->ccfg.suites[0] = sp->suite;
    tp->ccfg.suite_count = 1;
    tenon_bytes chain = {bc->cert_der, bc->cert_len};
    if (tenon_config_add_cert(&tp->scfg, &chain, 1, &bc->tkey, &why) != 0) {
        fprintf(stderr, "tenon_config_add_cert: %s\n", why ? why : "?");
        die("tenon server config");
    }
    tp->ccfg.server_name = "localhost";
    tp->ccfg.insecure_skip_verify = 1;
    if (tickets) {
        if (tenon_random(tp->scfg.ticket_keys[0].name, 16) != 0 ||
            tenon_random(tp->scfg.ticket_keys[0].key, 32) != 0)
            die("tenon_random");
        tp->scfg.ticket_key_count = 1;
        tp->scfg.tickets_per_handshake = 1;
        tenon_ticket_store_init(&tp->store, tp->slots, 2);
        tp->ccfg.ticket_store = &tp->store;
    } else {
        tp->scfg.ticket_key_count = 0;
    }
}

static void t_feed_failed(tpair *tp, tenon_conn *to)
{
    int err = tenon_conn_error(to);
    fprintf(stderr, "tenon-bench: \"%s\": the %s failed: %s (%d), peer alert %d\n", tp->spec->label,
            to == &tp->c ? "client" : "server", tenon_strerror(err), err,
            tenon_conn_peer_alert(to));
    die("tenon_conn_feed");
}

/* Moves from's pending output into to, charging each call to its side. */
static size_t t_transfer(tpair *tp, tenon_conn *from, int from_side, tenon_conn *to, int to_side)
{
    const uint8_t *p;
    size_t n, used = 0;
    double t0 = span_now();
    tenon_conn_output(from, &p, &n);
    double t1 = span_now();
    tp->cpu[from_side] += span(t0, t1);
    if (n == 0) {
        /* A record held back until the output drained is processed on an empty feed. */
        if (tenon_conn_feed(to, NULL, 0, &used) != 0)
            t_feed_failed(tp, to);
        tp->cpu[to_side] += span(t1, span_now());
        return 0;
    }
    if (tenon_conn_feed(to, p, n, &used) != 0)
        t_feed_failed(tp, to);
    double t2 = span_now();
    tp->cpu[to_side] += span(t1, t2);
    tenon_conn_output_consume(from, used);
    tp->cpu[from_side] += span(t2, span_now());
    return used;
}

static void t_pump(tpair *tp)
{
    for (int i = 0; i < 1000; i++) {
        size_t moved = t_transfer(tp, &tp->c, 0, &tp->s, 1);
        moved += t_transfer(tp, &tp->s, 1, &tp->c, 0);
        if (moved == 0)
            break;
    }
}

/* Both engines negotiated what the row asks for. */
static void t_check(tpair *tp, int resumed)
{
    static const char *sides[2] = {"client", "server"};
    const tls_spec *sp = tp->spec;
    for (int side = 0; side < 2; side++) {
        tenon_conn_info info;
        if (tenon_conn_info_get(side ? &tp->s : &tp->c, &info) != 0)
            die("tenon_conn_info_get");
        const char *sd = sides[side];
        if (info.version != sp->version)
            mismatch("tenon", sd, sp, "version", info.version, sp->version);
        if (info.suite != sp->suite)
            mismatch("tenon", sd, sp, "suite", info.suite, sp->suite);
        if (info.resumed != resumed)
            mismatch("tenon", sd, sp, "resumed", (unsigned)info.resumed, (unsigned)resumed);
        if (!resumed && info.group != sp->group)
            mismatch("tenon", sd, sp, "group", info.group, sp->group);
        /* The client saw the server's signature (CertificateVerify / ServerKeyExchange). */
        if (!resumed && side == 0 && info.sig_scheme != sp->sig_scheme)
            mismatch("tenon", sd, sp, "server signature scheme", info.sig_scheme, sp->sig_scheme);
        if (sp->version == TENON_TLS12 && info.ext_master_secret != 1)
            mismatch("tenon", sd, sp, "extended master secret", (unsigned)info.ext_master_secret,
                     1);
        if (sp->version == TENON_TLS12 && info.encrypt_then_mac != sp->etm)
            mismatch("tenon", sd, sp, "encrypt-then-MAC", (unsigned)info.encrypt_then_mac,
                     (unsigned)sp->etm);
    }
}

/* One handshake (full, or resumed when the client's store holds a ticket); resumed says which
 * one is expected. */
static void t_handshake(tpair *tp, int resumed)
{
    double t0 = span_now();
    if (tenon_conn_init(&tp->s, &tp->scfg, tp->sin, sizeof tp->sin, tp->sout, sizeof tp->sout) != 0)
        die("tenon_conn_init server");
    double t1 = span_now();
    if (tenon_conn_init(&tp->c, &tp->ccfg, tp->cin, sizeof tp->cin, tp->cout, sizeof tp->cout) != 0)
        die("tenon_conn_init client");
    double t2 = span_now();
    tp->cpu[1] += span(t0, t1);
    tp->cpu[0] += span(t1, t2);
    t_pump(tp);
    if (!(tenon_conn_status(&tp->c) & TENON_HANDSHAKE_DONE) ||
        !(tenon_conn_status(&tp->s) & TENON_HANDSHAKE_DONE)) {
        fprintf(stderr, "tenon-bench: \"%s\": client error %d, server error %d\n", tp->spec->label,
                tenon_conn_error(&tp->c), tenon_conn_error(&tp->s));
        die("tenon handshake");
    }
    t_check(tp, resumed);
}

/* ---- OpenSSL: two SSL objects over a BIO pair ---- */

typedef struct {
    SSL_CTX *cctx, *sctx;
    SSL *c, *s;
    SSL_SESSION *session; /* for resumption */
    const tls_spec *spec;
    double cpu[2];
} opair;

static void ossl_die(const char *what)
{
    ERR_print_errors_fp(stderr);
    die(what);
}

/* TLS 1.2 session tickets that the server renews on every resumption, as tenon's server
 * does: the same algorithms as OpenSSL's own tickets (AES-256-CBC and HMAC-SHA256), through
 * SSL_CTX_set_tlsext_ticket_key_evp_cb, whose return value 2 asks for a new ticket. */
static uint8_t o_tick_name[16], o_tick_aes[32], o_tick_hmac[32];
static EVP_CIPHER *o_tick_cipher;

static int o_ticket_cb(SSL *s, unsigned char *name, unsigned char *iv, EVP_CIPHER_CTX *ctx,
                       EVP_MAC_CTX *hctx, int enc)
{
    (void)s;
    OSSL_PARAM params[2] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
                            OSSL_PARAM_construct_end()};
    if (enc) {
        memcpy(name, o_tick_name, sizeof o_tick_name);
        if (RAND_bytes(iv, 16) <= 0 ||
            !EVP_EncryptInit_ex(ctx, o_tick_cipher, NULL, o_tick_aes, iv) ||
            !EVP_MAC_init(hctx, o_tick_hmac, sizeof o_tick_hmac, params))
            return -1;
        return 1;
    }
    if (memcmp(name, o_tick_name, sizeof o_tick_name) != 0)
        return 0; /* not ours: a full handshake */
    if (!EVP_MAC_init(hctx, o_tick_hmac, sizeof o_tick_hmac, params) ||
        !EVP_DecryptInit_ex(ctx, o_tick_cipher, NULL, o_tick_aes, iv))
        return -1;
    return 2;
}

/* Encrypt-then-MAC seen in the ServerHello an OpenSSL client receives (OpenSSL has no getter
 * for it): RFC 7366 extension 22. */
static int o_etm_seen;

static void o_msg_cb(int write_p, int version, int content_type, const void *buf, size_t len,
                     SSL *ssl, void *arg)
{
    (void)version;
    (void)ssl;
    (void)arg;
    const uint8_t *p = buf;
    if (write_p || content_type != SSL3_RT_HANDSHAKE || len < 4 + 2 + 32 + 1 || p[0] != 2)
        return;
    size_t off = 4 + 2 + 32;
    off += 1 + (size_t)p[off]; /* session_id */
    off += 2 + 1;              /* cipher_suite, compression_method */
    if (off + 2 > len)
        return;
    size_t end = off + 2 + ((size_t)p[off] << 8 | p[off + 1]);
    for (off += 2; off + 4 <= end && end <= len;) {
        unsigned type = (unsigned)p[off] << 8 | p[off + 1];
        size_t elen = (size_t)p[off + 2] << 8 | p[off + 3];
        if (type == 22)
            o_etm_seen = 1;
        off += 4 + elen;
    }
}

/* Both OpenSSL objects negotiated what the row asks for. */
static void o_check(opair *op, int resumed)
{
    static const char *sides[2] = {"client", "server"};
    const tls_spec *sp = op->spec;
    for (int side = 0; side < 2; side++) {
        SSL *ssl = side ? op->s : op->c;
        const char *sd = sides[side];
        const SSL_CIPHER *ciph = SSL_get_current_cipher(ssl);
        if (SSL_version(ssl) != sp->version)
            mismatch("OpenSSL", sd, sp, "version", (unsigned)SSL_version(ssl), sp->version);
        if (ciph == NULL || SSL_CIPHER_get_protocol_id(ciph) != sp->suite)
            mismatch("OpenSSL", sd, sp, "suite", ciph ? SSL_CIPHER_get_protocol_id(ciph) : 0,
                     sp->suite);
        if (SSL_session_reused(ssl) != resumed)
            mismatch("OpenSSL", sd, sp, "resumed", (unsigned)SSL_session_reused(ssl),
                     (unsigned)resumed);
        if (!resumed && sp->group != 0) {
            /* Only X25519 is used here: NID_X25519 for 0x001d. */
            int nid = (int)SSL_get_negotiated_group(ssl);
            if (sp->group != 0x001d || nid != NID_X25519)
                mismatch("OpenSSL", sd, sp, "group (as NID)", (unsigned)nid, NID_X25519);
        }
        if (!resumed && side == 0 && sp->sig_scheme != 0) {
            int type = 0, hash = 0;
            int want_type = sp->sig_scheme == TENON_SIG_ECDSA_SECP256R1_SHA256 ? EVP_PKEY_EC
                            : sp->sig_scheme == TENON_SIG_RSA_PSS_RSAE_SHA256  ? EVP_PKEY_RSA_PSS
                                                                               : -1;
            if (!SSL_get_peer_signature_type_nid(ssl, &type) ||
                !SSL_get_peer_signature_nid(ssl, &hash) || type != want_type || hash != NID_sha256)
                mismatch("OpenSSL", sd, sp, "server signature (key type NID)", (unsigned)type,
                         (unsigned)want_type);
        }
        if (sp->version == TENON_TLS12 && SSL_get_extms_support(ssl) != 1)
            mismatch("OpenSSL", sd, sp, "extended master secret",
                     (unsigned)SSL_get_extms_support(ssl), 1);
    }
    if (sp->etm && !o_etm_seen)
        mismatch("OpenSSL", "client", sp, "encrypt-then-MAC in ServerHello", 0, 1);
}

static void opair_config(opair *op, const tls_spec *sp, int tickets)
{
    bench_cert *bc = sp->cert;
    memset(op, 0, sizeof *op);
    op->spec = sp;
    op->sctx = SSL_CTX_new(TLS_server_method());
    op->cctx = SSL_CTX_new(TLS_client_method());
    if (op->sctx == NULL || op->cctx == NULL)
        ossl_die("SSL_CTX_new");
    int ver = sp->version == TENON_TLS13 ? TLS1_3_VERSION : TLS1_2_VERSION;
    SSL_CTX *both[2] = {op->cctx, op->sctx};
    for (int i = 0; i < 2; i++) {
        /* TLS 1.2 (RFC 8422 §5.1): the client must list the curve of an ECDSA certificate
         * among its groups, or OpenSSL's server will not use the certificate; X25519 stays the
         * one negotiated. */
        if (!SSL_CTX_set_min_proto_version(both[i], ver) ||
            !SSL_CTX_set_max_proto_version(both[i], ver) ||
            !SSL_CTX_set1_groups_list(both[i], ver == TLS1_3_VERSION ? "X25519" : "X25519:P-256"))
            ossl_die("SSL_CTX settings");
        if (ver == TLS1_3_VERSION ? !SSL_CTX_set_ciphersuites(both[i], sp->ossl_suite)
                                  : !SSL_CTX_set_cipher_list(both[i], sp->ossl_suite))
            ossl_die("SSL_CTX cipher suite");
    }
    if (ver == TLS1_2_VERSION) {
        /* Tickets only for the resumption row, and no server-side session cache: a session
         * is resumed from its ticket or not at all, and a full handshake stores nothing. */
        SSL_CTX_set_session_cache_mode(op->sctx, SSL_SESS_CACHE_OFF);
        if (!tickets) {
            SSL_CTX_set_options(op->sctx, SSL_OP_NO_TICKET);
            SSL_CTX_set_options(op->cctx, SSL_OP_NO_TICKET);
        } else if (!SSL_CTX_set_tlsext_ticket_key_evp_cb(op->sctx, o_ticket_cb)) {
            ossl_die("SSL_CTX_set_tlsext_ticket_key_evp_cb");
        }
    }
    if (!SSL_CTX_use_certificate(op->sctx, bc->x509) || !SSL_CTX_use_PrivateKey(op->sctx, bc->pkey))
        ossl_die("server certificate");
    SSL_CTX_set_verify(op->cctx, SSL_VERIFY_NONE, NULL);
    static const unsigned char sid_ctx[] = "tenon-bench";
    if (!SSL_CTX_set_session_id_context(op->sctx, sid_ctx, sizeof sid_ctx - 1))
        ossl_die("SSL_CTX_set_session_id_context");
    if (!SSL_CTX_set_num_tickets(op->sctx, tickets ? 1 : 0))
        ossl_die("SSL_CTX_set_num_tickets");
    if (tickets)
        SSL_CTX_set_session_cache_mode(op->cctx, SSL_SESS_CACHE_CLIENT);
}

static int ossl_step(opair *op, SSL *ssl, int side)
{
    double t0 = span_now();
    int rc = SSL_do_handshake(ssl);
    op->cpu[side] += span(t0, span_now());
    if (rc == 1)
        return 1;
    int err = SSL_get_error(ssl, rc);
    if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
        ossl_die("SSL_do_handshake");
    return 0;
}

static void o_handshake(opair *op, int resume)
{
    double t0 = span_now();
    op->s = SSL_new(op->sctx);
    double t1 = span_now();
    op->c = SSL_new(op->cctx);
    BIO *bc = NULL, *bs = NULL;
    if (op->c == NULL || op->s == NULL || !BIO_new_bio_pair(&bc, 0, &bs, 0))
        ossl_die("SSL_new");
    SSL_set_bio(op->c, bc, bc);
    SSL_set_connect_state(op->c);
    SSL_set_tlsext_host_name(op->c, "localhost");
    if (op->spec->etm) {
        /* Only where it is checked (the bulk rows): a message callback costs time. */
        o_etm_seen = 0;
        SSL_set_msg_callback(op->c, o_msg_cb);
    }
    if (resume && op->session != NULL && !SSL_set_session(op->c, op->session))
        ossl_die("SSL_set_session");
    double t2 = span_now();
    SSL_set_bio(op->s, bs, bs);
    SSL_set_accept_state(op->s);
    double t3 = span_now();
    op->cpu[1] += span(t0, t1) + span(t2, t3);
    op->cpu[0] += span(t1, t2);
    int cdone = 0, sdone = 0;
    for (int i = 0; i < 100 && !(cdone && sdone); i++) {
        if (!cdone)
            cdone = ossl_step(op, op->c, 0);
        if (!sdone)
            sdone = ossl_step(op, op->s, 1);
    }
    if (!cdone || !sdone)
        die("OpenSSL handshake");
    /* The client takes in what the server sent after its Finished (the tickets). */
    uint8_t b[1];
    t0 = span_now();
    (void)SSL_read(op->c, b, sizeof b);
    op->cpu[0] += span(t0, span_now());
    o_check(op, resume && op->session != NULL);
    if (op->spec->etm)
        SSL_set_msg_callback(op->c, NULL);
    if (resume && op->session != NULL) {
        if (!SSL_session_reused(op->c))
            die("OpenSSL did not resume");
        /* A TLS 1.3 ticket is used once, as tenon's are: keep the new one. */
        t0 = span_now();
        SSL_SESSION_free(op->session);
        op->session = SSL_get1_session(op->c);
        op->cpu[0] += span(t0, span_now());
        if (op->session == NULL || !SSL_SESSION_is_resumable(op->session))
            die("OpenSSL session after resumption");
    }
}

static void o_free(opair *op)
{
    double t0 = span_now();
    /* Marked as shut down (as tenon's connections are simply dropped): without it OpenSSL
     * treats the session as broken and will not resume it. */
    SSL_set_shutdown(op->c, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_set_shutdown(op->s, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(op->c);
    double t1 = span_now();
    SSL_free(op->s);
    op->cpu[0] += span(t0, t1);
    op->cpu[1] += span(t1, span_now());
    op->c = op->s = NULL;
}

/* ---- handshake figures ---- */

/* Runs handshakes for about sample_seconds per side and returns handshakes per CPU-second of
 * the client (rate[0]) and the server (rate[1]). */
static void t_rates(tpair *tp, int resume, double rate[2])
{
    if (resume) {
        /* Prime the store with a ticket. */
        tp->store.slots[0].in_use = 0;
        tp->store.slots[1].in_use = 0;
        t_handshake(tp, 0);
    }
    tp->cpu[0] = tp->cpu[1] = 0;
    long n = 0;
    span_sample ss = span_sample_start();
    do {
        t_handshake(tp, resume);
        n++;
        if (resume && !(tp->slots[0].in_use || tp->slots[1].in_use))
            die("tenon client has no ticket to resume with");
    } while (now() - ss.wall < sample_seconds * 2);
    double k = span_scale(&ss);
    if (resume) {
        tenon_conn_info info;
        if (tenon_conn_info_get(&tp->c, &info) != 0 || !info.resumed)
            die("tenon did not resume");
    }
    rate[0] = (double)n / (tp->cpu[0] * k);
    rate[1] = (double)n / (tp->cpu[1] * k);
}

static void o_rates(opair *op, int resume, double rate[2])
{
    if (resume) {
        o_handshake(op, 0);
        SSL_SESSION_free(op->session);
        op->session = SSL_get1_session(op->c);
        if (op->session == NULL || !SSL_SESSION_is_resumable(op->session))
            die("OpenSSL session");

        o_free(op);
    }
    op->cpu[0] = op->cpu[1] = 0;
    long n = 0;
    span_sample ss = span_sample_start();
    do {
        o_handshake(op, resume);
        o_free(op);
        n++;
    } while (now() - ss.wall < sample_seconds * 2);
    double k = span_scale(&ss);
    rate[0] = (double)n / (op->cpu[0] * k);
    rate[1] = (double)n / (op->cpu[1] * k);
}

static tpair TP;

static void handshake_figures(const tls_spec *sp, int resume)
{
    opair op;
    tpair_config(&TP, sp, resume);
    opair_config(&op, sp, resume);
    double t[2][32], o[2][32];
    for (int i = 0; i < samples; i++) {
        double tr[2], orr[2];
        t_rates(&TP, resume, tr);
        o_rates(&op, resume, orr);
        for (int side = 0; side < 2; side++) {
            t[side][i] = tr[side];
            o[side][i] = orr[side];
        }
    }
    static const char *sides[2] = {"client", "server"};
    for (int side = 0; side < 2; side++) {
        double tm = median(t[side], samples), om = median(o[side], samples);
        char name[96];
        snprintf(name, sizeof name, "%s, %s", sp->label, sides[side]);
        figure_row(name, "hs/CPU-s", tm, om);
        if (!tsv)
            printf("%-40s %9.0f us %9.0f us   (CPU per handshake)\n", "", 1e6 / tm, 1e6 / om);
    }
    SSL_SESSION_free(op.session);
    SSL_CTX_free(op.cctx);
    SSL_CTX_free(op.sctx);
}

static int t_bulk(void *arg, size_t len);

/* The bulk rows' connections (bulk_figures). */
static const tls_spec tls13_bulk_gcm = {"TLS 1.3 bulk AES-128-GCM",
                                        TENON_TLS13,
                                        TENON_TLS_AES_128_GCM_SHA256,
                                        "TLS_AES_128_GCM_SHA256",
                                        &cert_p256,
                                        0x001d,
                                        TENON_SIG_ECDSA_SECP256R1_SHA256,
                                        0};
static const tls_spec tls13_bulk_chacha = {"TLS 1.3 bulk ChaCha20-Poly1305",
                                           TENON_TLS13,
                                           TENON_TLS_CHACHA20_POLY1305_SHA256,
                                           "TLS_CHACHA20_POLY1305_SHA256",
                                           &cert_p256,
                                           0x001d,
                                           TENON_SIG_ECDSA_SECP256R1_SHA256,
                                           0};
/* OpenSSL offers and accepts encrypt-then-MAC by default (no SSL_OP_NO_ENCRYPT_THEN_MAC),
 * tenon too: both connections are checked to have it. */
static const tls_spec tls12_bulk_cbc = {"TLS 1.2 bulk AES128-CBC-SHA256 EtM",
                                        TENON_TLS12,
                                        TENON_TLS_RSA_WITH_AES_128_CBC_SHA256,
                                        "AES128-SHA256",
                                        &cert_rsa,
                                        0,
                                        0,
                                        1};
static const tls_spec tls12_bulk_gcm = {"TLS 1.2 bulk ECDHE-RSA-AES128-GCM",
                                        TENON_TLS12,
                                        TENON_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                                        "ECDHE-RSA-AES128-GCM-SHA256",
                                        &cert_rsa,
                                        0x001d,
                                        TENON_SIG_RSA_PSS_RSAE_SHA256,
                                        0};

static uint64_t bulk_tsc(void);
static uint64_t bulk_raw_least(uint16_t suite, size_t len, long n);

/* TSC ticks per record of a bulk profile run (its first PROFILE_TICKS records). */
#define PROFILE_TICKS 100000
static uint64_t ticks[PROFILE_TICKS];

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The 5th, 10th, ..., 95th percentiles of the first n entries of ticks. */
static void print_percentiles(const char *what, long n)
{
    size_t m = (size_t)(n < PROFILE_TICKS ? n : PROFILE_TICKS);
    qsort(ticks, m, sizeof ticks[0], cmp_u64);
    printf("%s, ticks at percentiles 5, 10, ..., 95:", what);
    for (int q = 5; q < 100; q += 5)
        printf(" %llu", (unsigned long long)ticks[m * (size_t)q / 100]);
    printf("\n");
}

/* --profile-handshake KIND N: only tenon's in-memory handshakes of one row, client and server,
 * N times, so that a profiler attached to the process sees nothing else (OpenSSL is used only
 * to make the certificate before the loop). Returns 0, or 2 for an unknown kind. */
int tls_profile_handshake(const char *kind, long n, long record_bytes)
{
    static const struct {
        const char *name;
        const tls_spec *spec;
        int resume;
    } kinds[] = {
        {"p256", &tls13_p256, 0},
        {"hybrid", &tls13_hybrid, 0},
        {"rsa", &tls13_rsa, 0},
        {"resumed", &tls13_resumed, 1},
        {"tls12-ecdsa", &tls12_ecdsa, 0},
        {"tls12-rsa", &tls12_ecdhe_rsa, 0},
        {"tls12-rsa-kx", &tls12_rsa_kx, 0},
        {"tls12-resumed", &tls12_resumed, 1},
        {"bulk-gcm", &tls13_bulk_gcm, 0},
        {"bulk-chacha", &tls13_bulk_chacha, 0},
        {"bulk12-gcm", &tls12_bulk_gcm, 0},
    };
    size_t k = 0;
    while (k < sizeof kinds / sizeof kinds[0] && strcmp(kinds[k].name, kind) != 0)
        k++;
    if (k == sizeof kinds / sizeof kinds[0]) {
        fprintf(stderr, "tenon-bench: --profile-handshake KIND: one of");
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
            fprintf(stderr, " %s", kinds[i].name);
        fprintf(stderr, "\n");
        return 2;
    }
    EVP_PKEY *pkey = kinds[k].spec->cert == &cert_rsa
                         ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048)
                         : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (pkey == NULL)
        die("keygen");
    make_cert(kinds[k].spec->cert, "profiled", pkey);
    clock_calibrate();
    tpair_config(&TP, kinds[k].spec, kinds[k].resume);
    if (strncmp(kind, "bulk", 4) == 0) {
        /* one handshake, then N records of record_bytes (16 KiB by default): client write +
         * server read (t_bulk) */
        if (record_bytes < 1 || record_bytes > 16384) {
            fprintf(stderr, "tenon-bench: --profile-handshake bulk-*: RECORD_BYTES 1..16384\n");
            return 2;
        }
        t_handshake(&TP, 0);
        double c0 = cpu_now();
        uint64_t least = UINT64_MAX;
        for (long i = 0; i < n; i++) {
            uint64_t t0 = bulk_tsc();
            if (t_bulk(&TP, (size_t)record_bytes) != 0)
                die("bulk");
            uint64_t t = bulk_tsc() - t0;
            least = t < least ? t : least;
            if (i < PROFILE_TICKS)
                ticks[i] = t;
        }
        /* The least TSC ticks of one record: on a shared machine, the figure least disturbed
         * by other processes; then the least of the AEAD's seal plus open alone. */
        printf("%s: %ld records of %ld bytes, %.0f MB/s, least %llu TSC ticks per record "
               "(%.3f per byte)\n",
               kinds[k].spec->label, n, record_bytes,
               (double)record_bytes * (double)n / (cpu_now() - c0) / 1e6, (unsigned long long)least,
               (double)least / (double)record_bytes);
        print_percentiles("bulk", n);
        uint64_t raw = bulk_raw_least(kinds[k].spec->suite, (size_t)record_bytes, n);
        if (raw > 0)
            printf("raw AEAD seal + open: least %llu TSC ticks (%.3f per byte); bulk/raw %.1f%%\n",
                   (unsigned long long)raw, (double)raw / (double)record_bytes,
                   100.0 * (double)raw / (double)least);
        print_percentiles("raw", n);
    } else {
        if (kinds[k].resume)
            t_handshake(&TP, 0); /* a ticket in the client's store */
        TP.cpu[0] = TP.cpu[1] = 0;
        spans = 0;
        span_sample ss = span_sample_start();
        double c0 = ss.cpu;
        for (long i = 0; i < n; i++)
            t_handshake(&TP, kinds[k].resume);
        double loop_cpu = cpu_now() - c0, sc = span_scale(&ss), dn = (double)(n > 0 ? n : 1);
        printf("%s: %ld handshakes, client %.1f us, server %.1f us CPU per handshake\n",
               kinds[k].spec->label, n, 1e6 * TP.cpu[0] * sc / dn, 1e6 * TP.cpu[1] * sc / dn);
        /* The check on the spans: their sum against the loop's thread CPU time, which also
         * holds the bench's own work between them (the pump, the clock reads). */
        printf("(%.1f timed spans per handshake, less %.0f ns of clock read each; the loop's "
               "thread CPU time %.1f us per handshake, %.0f%% of it in the spans)\n",
               (double)spans / dn, clock_cost * 1e9, 1e6 * loop_cpu / dn,
               100.0 * (TP.cpu[0] + TP.cpu[1]) * sc / (loop_cpu > 0 ? loop_cpu : 1));
    }
    X509_free(kinds[k].spec->cert->x509);
    EVP_PKEY_free(kinds[k].spec->cert->pkey);
    tenon_private_key_wipe(&kinds[k].spec->cert->tkey);
    return 0;
}

/* tenon's X25519MLKEM768 handshake, in the same run as its X25519 one and OpenSSL's X25519
 * one (samples alternate): against OpenSSL, and its cost against tenon's X25519. */
static void hybrid_figures(void)
{
    static tpair HP;
    opair op;
    tpair_config(&TP, &tls13_p256, 0);
    tpair_config(&HP, &tls13_hybrid, 0);
    opair_config(&op, &tls13_p256, 0);
    double h[2][32], x[2][32], o[2][32];
    for (int i = 0; i < samples; i++) {
        double hr[2], xr[2], orr[2];
        t_rates(&HP, 0, hr);
        t_rates(&TP, 0, xr);
        o_rates(&op, 0, orr);
        for (int side = 0; side < 2; side++) {
            h[side][i] = hr[side];
            x[side][i] = xr[side];
            o[side][i] = orr[side];
        }
    }
    static const char *sides[2] = {"client", "server"};
    for (int side = 0; side < 2; side++) {
        double hm = median(h[side], samples), xm = median(x[side], samples);
        double om = median(o[side], samples);
        char name[96];
        snprintf(name, sizeof name, "%s, %s", tls13_hybrid.label, sides[side]);
        figure_row(name, "hs/CPU-s", hm, om);
        snprintf(name, sizeof name, "  the same / tenon X25519, %s", sides[side]);
        figure_row(name, "hs/CPU-s", hm, xm);
        if (!tsv)
            printf("%-40s %9.0f us %9.0f us   (CPU per handshake; hybrid costs %.2fx X25519)\n", "",
                   1e6 / hm, 1e6 / xm, xm / hm);
    }
    SSL_SESSION_free(op.session);
    SSL_CTX_free(op.cctx);
    SSL_CTX_free(op.sctx);
}

/* ---- bulk data ----
 * Plaintext bytes per second of a client write plus the server's read of the same bytes, in one
 * thread: tenon through the zero-copy paths (tenon_conn_write seals from the caller's buffer,
 * the server reads through tenon_conn_read_view), OpenSSL through SSL_write and SSL_read over
 * its BIO pair. "raw" is what the AEAD alone allows for the same bytes, measured in the same
 * run: 1 / (1 / seal rate + 1 / open rate), tenon's AEAD with a 5-byte AAD, so bulk / raw is
 * the share of the AEAD's speed the record path keeps. Rows for 16 KiB records (bulk transfer)
 * and for 1 KiB records (interactive traffic). All four are timed in CPU time (bulk_measure),
 * alternating, the medians of the samples kept; c/B = TSC ticks of CPU time per byte. */

static uint8_t bulk_buf[16384], bulk_rx[16384], bulk_sealed[16384], bulk_out[16384];

static uint64_t bulk_tsc(void)
{
#if defined(__x86_64__)
    return __rdtsc();
#else
    return 0;
#endif
}

/* Bytes per CPU-second of op: this thread's CPU time, not the wall clock, because the machines
 * this runs on are shared and wall time would count other processes' turns. *cpb receives the
 * CPU time per byte in TSC ticks (reference cycles), the TSC rate taken from the same loop
 * against the wall clock. */
static double bulk_measure(op_fn op, void *arg, size_t len, double *cpb)
{
    unsigned long batch = 1;
    for (;;) {
        double c0 = cpu_now();
        for (unsigned long i = 0; i < batch; i++)
            if (op(arg, len) != 0)
                die("bulk operation");
        if (cpu_now() - c0 > sample_seconds / 8)
            break;
        batch *= 2;
    }
    unsigned long iters = 0;
    double w0 = now(), c0 = cpu_now(), dc;
    uint64_t t0 = bulk_tsc();
    do {
        for (unsigned long i = 0; i < batch; i++)
            if (op(arg, len) != 0)
                die("bulk operation");
        iters += batch;
        dc = cpu_now() - c0;
    } while (dc < sample_seconds);
    uint64_t t1 = bulk_tsc();
    double dw = now() - w0, bytes = (double)iters * (double)len;
    *cpb = dc * ((double)(t1 - t0) / dw) / bytes;
    return bytes / dc;
}

/* Moves the client's output into the server; no CPU-time accounting (the rows are wall-clock
 * throughput, and the clock reads would cost as much as a 1 KiB record). */
static void t_bulk_transfer(tpair *tp)
{
    const uint8_t *p;
    size_t n, used = 0;
    tenon_conn_output(&tp->c, &p, &n);
    if (tenon_conn_feed(&tp->s, p, n, &used) != 0)
        t_feed_failed(tp, &tp->s);
    tenon_conn_output_consume(&tp->c, used);
}

static int t_bulk(void *arg, size_t len)
{
    tpair *tp = arg;
    size_t w = 0, got = 0;
    if (tenon_conn_write(&tp->c, bulk_buf, len, &w) != 0 || w != len)
        return 1;
    for (int i = 0; i < 16 && got < len; i++) {
        t_bulk_transfer(tp);
        const uint8_t *v;
        size_t n;
        while (got < len && tenon_conn_read_view(&tp->s, &v, &n) == 0 && n > 0) {
            got += n;
            if (tenon_conn_read_consume(&tp->s, n) != 0)
                return 1;
        }
    }
    return got == len ? 0 : 1;
}

static int o_bulk(void *arg, size_t len)
{
    opair *op = arg;
    if (SSL_write(op->c, bulk_buf, (int)len) != (int)len)
        return 1;
    size_t got = 0;
    for (int i = 0; i < 64 && got < len; i++) {
        int r = SSL_read(op->s, bulk_rx, (int)sizeof bulk_rx);
        if (r <= 0)
            return 1;
        got += (size_t)r;
    }
    return got == len ? 0 : 1;
}

/* The AEAD a bulk row's suite uses, for its raw figure (NULL for CBC: no AEAD). */
static const tenon_aead_class *bulk_aead(uint16_t suite, size_t *key_len)
{
    switch (suite) {
    case TENON_TLS_AES_128_GCM_SHA256:
    case TENON_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:
    case TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:
        *key_len = 16;
        return tenon_aead_aes_gcm();
    case TENON_TLS_CHACHA20_POLY1305_SHA256:
    case TENON_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:
    case TENON_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256:
        *key_len = 32;
        return tenon_aead_chacha20_poly1305();
    default:
        return NULL;
    }
}

typedef struct {
    tenon_aead_ctx ctx;
    uint8_t nonce[12], aad[5], tag[16];
} bulk_aead_arg;

static int raw_seal(void *arg, size_t len)
{
    bulk_aead_arg *a = arg;
    return tenon_aead_seal(&a->ctx, a->nonce, 12, a->aad, 5, bulk_buf, len, bulk_out, a->tag);
}

/* Opens bulk_sealed (sealed by the caller for this len, tag in a->tag) into bulk_out. */
static int raw_open(void *arg, size_t len)
{
    bulk_aead_arg *a = arg;
    return tenon_aead_open(&a->ctx, a->nonce, 12, a->aad, 5, bulk_sealed, len, a->tag, bulk_out);
}

/* The least TSC ticks of a raw seal plus a raw open of len bytes over n tries, 0 for a suite
 * without an AEAD (--profile-handshake bulk*). */
static uint64_t bulk_raw_least(uint16_t suite, size_t len, long n)
{
    size_t key_len = 0;
    const tenon_aead_class *cls = bulk_aead(suite, &key_len);
    static bulk_aead_arg aa;
    uint8_t key[32];
    if (cls == NULL)
        return 0;
    if (tenon_random(key, sizeof key) != 0 || tenon_random(aa.nonce, 12) != 0 ||
        tenon_aead_init(&aa.ctx, cls, key, key_len) != 0)
        die("bulk raw AEAD");
    uint64_t least = UINT64_MAX;
    for (long i = 0; i < n; i++) {
        uint64_t t0 = bulk_tsc();
        if (raw_seal(&aa, len) != 0)
            die("raw seal");
        uint64_t t1 = bulk_tsc();
        if (tenon_aead_seal(&aa.ctx, aa.nonce, 12, aa.aad, 5, bulk_buf, len, bulk_sealed, aa.tag) !=
            0)
            die("raw seal");
        uint64_t t2 = bulk_tsc();
        if (raw_open(&aa, len) != 0)
            die("raw open");
        uint64_t t = (t1 - t0) + (bulk_tsc() - t2);
        least = t < least ? t : least;
        if (i < PROFILE_TICKS)
            ticks[i] = t;
    }
    tenon_aead_wipe(&aa.ctx);
    return least;
}

static void bulk_row(const tls_spec *sp, size_t len, tpair *tp, opair *op)
{
    size_t key_len = 0;
    const tenon_aead_class *cls = bulk_aead(sp->suite, &key_len);
    static bulk_aead_arg aa;
    if (cls != NULL) {
        uint8_t key[32];
        if (tenon_random(key, sizeof key) != 0 || tenon_random(aa.nonce, 12) != 0 ||
            tenon_aead_init(&aa.ctx, cls, key, key_len) != 0 ||
            tenon_aead_seal(&aa.ctx, aa.nonce, 12, aa.aad, 5, bulk_buf, len, bulk_sealed, aa.tag) !=
                0)
            die("bulk raw AEAD");
    }
    double t[32], o[32], rs[32], ro[32], tc[32], oc[32], c;
    for (int i = 0; i < samples; i++) {
        t[i] = bulk_measure(t_bulk, tp, len, &tc[i]);
        o[i] = bulk_measure(o_bulk, op, len, &oc[i]);
        rs[i] = cls != NULL ? bulk_measure(raw_seal, &aa, len, &c) : 0;
        ro[i] = cls != NULL ? bulk_measure(raw_open, &aa, len, &c) : 0;
    }
    double tm = median(t, samples) / 1e6, om = median(o, samples) / 1e6;
    double tcm = median(tc, samples), ocm = median(oc, samples);
    double sm = median(rs, samples), opm = median(ro, samples);
    double raw = cls != NULL ? 1.0 / (1.0 / sm + 1.0 / opm) / 1e6 : 0;
    char name[96];
    snprintf(name, sizeof name, "%s %zuKiB", sp->label, len / 1024);
    if (tsv) {
        printf("%s\tMB/s\t%.1f\t%.1f\t%.3f\t%.2f\t%.2f\t%.1f\t%.3f\n", name, tm, om, tm / om, tcm,
               ocm, raw, raw > 0 ? tm / raw : 0);
    } else {
        printf("%-40s %12.1f %12.1f %8.2f %8.2f %8.2f", name, tm, om, tm / om, tcm, ocm);
        if (raw > 0)
            printf(" %9.1f %7.1f%%\n", raw, 100 * tm / raw);
        else
            printf(" %9s %8s\n", "-", "-");
    }
    fflush(stdout);
    if (cls != NULL)
        tenon_aead_wipe(&aa.ctx);
}

static void bulk_figures(const tls_spec *const *specs, size_t count)
{
    if (tenon_random(bulk_buf, sizeof bulk_buf) != 0)
        die("tenon_random");
    if (!tsv)
        printf("%-40s %12s %12s %8s %8s %8s %9s %8s\n", "bulk: client write + server read, MB/s",
               "tenon", "OpenSSL", "ratio", "c/B", "c/B", "raw AEAD", "bulk/raw");
    for (size_t k = 0; k < count; k++) {
        tpair_config(&TP, specs[k], 0);
        t_handshake(&TP, 0);
        opair op;
        opair_config(&op, specs[k], 0);
        o_handshake(&op, 0);
        bulk_row(specs[k], sizeof bulk_buf, &TP, &op);
        bulk_row(specs[k], 1024, &TP, &op);
        o_free(&op);
        SSL_CTX_free(op.cctx);
        SSL_CTX_free(op.sctx);
    }
}

/* ---- memory per established connection ---- */

/* OpenSSL's live bytes per side (through its allocator) after a TLS 1.3 handshake and the
 * client's reading of the ticket; release: SSL_MODE_RELEASE_BUFFERS on both SSL_CTXs, so an
 * idle connection frees its read and write buffers. */
static void o_conn_bytes(int release, double *client, double *server)
{
    opair op;
    opair_config(&op, &tls13_resumed, 1);
    if (release) {
        SSL_CTX_set_mode(op.cctx, SSL_MODE_RELEASE_BUFFERS);
        SSL_CTX_set_mode(op.sctx, SSL_MODE_RELEASE_BUFFERS);
    }
    long long before[3];
    memcpy(before, mem_live, sizeof before);
    /* Charge every allocation made on behalf of one side to it: SSL_new, the handshake steps
     * and the client's processing of the tickets. */
    mem_side = 2;
    op.s = SSL_new(op.sctx);
    mem_side = 1;
    op.c = SSL_new(op.cctx);
    BIO *bc = NULL, *bs = NULL;
    mem_side = 0;
    if (op.c == NULL || op.s == NULL || !BIO_new_bio_pair(&bc, 0, &bs, 0))
        ossl_die("SSL_new");
    SSL_set_bio(op.c, bc, bc);
    SSL_set_bio(op.s, bs, bs);
    SSL_set_connect_state(op.c);
    SSL_set_accept_state(op.s);
    int cdone = 0, sdone = 0;
    for (int i = 0; i < 100 && !(cdone && sdone); i++) {
        mem_side = 1;
        if (!cdone)
            cdone = ossl_step(&op, op.c, 0);
        mem_side = 2;
        if (!sdone)
            sdone = ossl_step(&op, op.s, 1);
    }
    mem_side = 1;
    uint8_t b[1];
    (void)SSL_read(op.c, b, sizeof b);
    mem_side = 0;
    if (!cdone || !sdone)
        die("OpenSSL handshake (memory)");
    *client = (double)(mem_live[1] - before[1]);
    *server = (double)(mem_live[2] - before[2]);
    o_free(&op);
    SSL_CTX_free(op.cctx);
    SSL_CTX_free(op.sctx);
}

/* tenon's server after the same handshake and ticket, idle: it hands its buffers back
 * (tenon_conn_release_buffers) and holds its tenon_conn only. */
static double t_idle_server_bytes(void)
{
    tpair_config(&TP, &tls13_resumed, 1);
    t_handshake(&TP, 0);
    uint8_t *in, *out;
    size_t in_len, out_len;
    if (tenon_conn_release_buffers(&TP.s, &in, &in_len, &out, &out_len) != 0 || in != TP.sin ||
        out != TP.sout)
        die("tenon_conn_release_buffers");
    tenon_conn_wipe(&TP.s);
    tenon_conn_wipe(&TP.c);
    return (double)sizeof(tenon_conn);
}

/* What an idle connection pays when it wakes: tenon_conn_give_buffers's buffers get both
 * directions' expanded AES-128-GCM contexts again, recomputed from the raw keys the connection
 * kept (tls_record_keys_wake: one tenon_aead_init per direction, with the class the engine
 * uses). OpenSSL with SSL_MODE_RELEASE_BUFFERS keeps its cipher contexts; its column is the
 * same key set-up through EVP (EVP_EncryptInit_ex with a new key, twice), for scale. Best of
 * several batches, in ns per wake. */
static double wake_ns(int openssl)
{
    static const uint8_t k[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    static tenon_aead_ctx ctx[2];
    EVP_CIPHER_CTX *oc = EVP_CIPHER_CTX_new();
    if (oc == NULL || !EVP_EncryptInit_ex(oc, EVP_aes_128_gcm(), NULL, NULL, NULL))
        die("EVP_CIPHER_CTX_new");
    const int batch = 20000;
    double best = 1e30;
    for (int b = 0; b < 3 * samples; b++) {
        double t0 = now();
        for (int i = 0; i < batch; i++) {
            for (int d = 0; d < 2; d++) {
                if (openssl ? !EVP_EncryptInit_ex(oc, NULL, NULL, k, NULL)
                            : tenon_aead_init(&ctx[d], tenon_aead_aes_gcm(), k, sizeof k) != 0)
                    die("wake key set-up");
            }
        }
        double ns = (now() - t0) * 1e9 / batch;
        best = ns < best ? ns : best;
    }
    EVP_CIPHER_CTX_free(oc);
    tenon_aead_wipe(&ctx[0]);
    tenon_aead_wipe(&ctx[1]);
    return best;
}

static void memory_figures(void)
{
    double oc, os, oc_idle, os_idle;
    o_conn_bytes(0, &oc, &os);
    o_conn_bytes(1, &oc_idle, &os_idle);
    (void)oc_idle;

    /* tenon allocates nothing: a connection is its struct plus the two buffers given to it.
     * Default buffer sizes, and the smallest the engine accepts. */
    double t_default = (double)(sizeof(tenon_conn) + TENON_CONN_IN_SIZE + TENON_CONN_OUT_SIZE);
    double t_min = (double)(sizeof(tenon_conn) + TENON_CONN_IN_MIN + TENON_CONN_OUT_MIN);
    figure_row("TLS 1.3 bytes per connection, client", "bytes", t_default, oc);
    figure_row("TLS 1.3 bytes per connection, server", "bytes", t_default, os);
    figure_row("  same, tenon's minimum buffers, client", "bytes", t_min, oc);
    figure_row("bytes per idle established connection, server", "bytes", t_idle_server_bytes(),
               os_idle);
    if (!tsv)
        printf("(idle: tenon with its buffers released, OpenSSL with SSL_MODE_RELEASE_BUFFERS)\n");
    figure_row("wake of an idle connection (both directions), AES-128-GCM", "ns", wake_ns(0),
               wake_ns(1));
    if (!tsv)
        printf("(wake: tenon's two tenon_aead_init; OpenSSL keeps its contexts, its column is "
               "the same key set-up through EVP)\n");
    if (!tsv)
        printf("(bytes: lower is better, so a ratio below 1.0 favours tenon)\n");
}

void tls_figures(int bulk_only)
{
    EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    if (ec == NULL || rsa == NULL)
        die("keygen");
    make_cert(&cert_p256, "ECDSA P-256", ec);
    make_cert(&cert_rsa, "RSA-2048", rsa);
    static const tls_spec *const bulk13[] = {&tls13_bulk_gcm, &tls13_bulk_chacha};
    static const tls_spec *const bulk12[] = {&tls12_bulk_cbc, &tls12_bulk_gcm};
    clock_calibrate();
    /* The TLS 1.2 rows' OpenSSL ticket keys. */
    o_tick_cipher = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL);
    if (o_tick_cipher == NULL || RAND_bytes(o_tick_name, sizeof o_tick_name) <= 0 ||
        RAND_bytes(o_tick_aes, sizeof o_tick_aes) <= 0 ||
        RAND_bytes(o_tick_hmac, sizeof o_tick_hmac) <= 0)
        ossl_die("OpenSSL ticket keys");
    if (bulk_only) {
        bulk_figures(bulk13, 2);
        bulk_figures(bulk12, 2);
        goto done;
    }
    if (!tsv) {
        printf("\n%-40s %12s %12s %8s\n", "TLS 1.3 (in memory, one process)", "tenon", "OpenSSL",
               "ratio");
        printf(
            "(handshake rows, both libraries alike: the row's group only (X25519; tenon's hybrid "
            "row\n X25519MLKEM768) and TLS_AES_128_GCM_SHA256 only on both sides; one self-signed "
            "server\n certificate, ECDSA P-256 signing ecdsa_secp256r1_sha256 or RSA-2048 signing "
            "rsa_pss_rsae_sha256;\n no client certificate; the client checks CertificateVerify "
            "but not the chain; full rows:\n no tickets (tenon ticket_key_count 0, OpenSSL "
            "num_tickets 0, no server session cache used);\n resumed: psk_dhe_ke from the ticket "
            "of the previous handshake, one ticket per handshake, each\n used once; every "
            "handshake: a new connection object, fresh key shares on both sides and a\n fresh "
            "server signature (tenon: RFC 6979 nonce hedged with fresh randomness; OpenSSL: random "
            "\n nonce) in both libraries; CPU time per side: each call timed by the monotonic "
            "clock\n "
            "less %.0f ns of clock read, scaled by the thread's CPU share of its sample)\n",
            clock_cost * 1e9);
    }
    handshake_figures(&tls13_p256, 0);
    if (!tsv)
        printf("(X25519MLKEM768 rows: OpenSSL column = OpenSSL 3.0's X25519 handshake, which has "
               "no ML-KEM;\n then tenon's X25519MLKEM768 against tenon's X25519, same run)\n");
    hybrid_figures();
    handshake_figures(&tls13_rsa, 0);
    handshake_figures(&tls13_resumed, 1);
    bulk_figures(bulk13, 2);
    memory_figures();

    if (!tsv) {
        printf("\n%-40s %12s %12s %8s\n", "TLS 1.2 (in memory, one process)", "tenon", "OpenSSL",
               "ratio");
        printf(
            "(ECDHE: X25519, signed ecdsa_secp256r1_sha256 by the P-256 key, rsa_pss_rsae_sha256\n"
            " by the RSA-2048 one; suites ECDHE-ECDSA-AES128-GCM-SHA256, ECDHE-RSA-AES128-GCM-"
            "SHA256,\n AES128-GCM-SHA256; extended master secret; resumed: an ECDHE-ECDSA session, "
            "a new\n ticket each time)\n");
    }
    handshake_figures(&tls12_ecdsa, 0);
    handshake_figures(&tls12_ecdhe_rsa, 0);
    handshake_figures(&tls12_rsa_kx, 0);
    handshake_figures(&tls12_resumed, 1);
    bulk_figures(bulk12, 2);
    EVP_CIPHER_free(o_tick_cipher);
done:
    for (int i = 0; i < 2; i++) {
        bench_cert *bc = i ? &cert_rsa : &cert_p256;
        X509_free(bc->x509);
        EVP_PKEY_free(bc->pkey);
        tenon_private_key_wipe(&bc->tkey);
    }
}
