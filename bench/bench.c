/*
 * tenon-bench: tenon and OpenSSL's libcrypto side by side, in one run.
 *
 * Each figure is the throughput of one operation on one message size, measured for tenon and
 * for OpenSSL (EVP) in alternation, several times; the median of each is printed with the ratio
 * tenon / OpenSSL (above 1.0: tenon is faster).
 *
 *   tenon-bench            the table
 *   tenon-bench --tsv      one line per figure: name, unit, tenon, OpenSSL, ratio
 *   tenon-bench --quick    fewer and shorter samples (a smoke run)
 *   tenon-bench --portable tenon restricted to its portable code (tenon_cpu_set_mask(0))
 *   tenon-bench --no-avx512 both libraries without AVX-512 and IFMA, as on an AVX2-only CPU
 *                          (tenon: tenon_cpu_set_mask; OpenSSL: OPENSSL_ia32cap, set by running
 *                          the bench again)
 *   tenon-bench --symmetric --public --tls   only the sections named (default: all three)
 *   tenon-bench --bulk     only the TLS section's bulk rows (TLS 1.3 and 1.2)
 *   tenon-bench --profile-handshake KIND N   only tenon's handshakes of one row, N times (for
 *                          perf record / callgrind; KIND: p256 hybrid rsa resumed tls12-...)
 *                          bulk-gcm, bulk-chacha, bulk12-gcm take an optional RECORD_BYTES (16384)
 *
 * Symmetric figures are in MB/s (10^6 bytes per second) and cycles per byte (TSC ticks around
 * the timed loop divided by the bytes processed: reference cycles, which match core cycles
 * only when the core runs at its nominal frequency), public-key ones in operations per second.
 * A "cpu:" line names the CPU features tenon was allowed to use and the implementation each
 * symmetric primitive chose.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/opensslv.h>
#include <openssl/rsa.h>

#include "crypto/aes.h"
#include "crypto/sha2.h"
#include "tenon/tenon.h"

#include "bench.h"

#define AAD_LEN 13 /* a TLS 1.2 record header as AAD, the common case */
#define MAX_MSG 16384

int samples = 7;
double sample_seconds = 0.08;

static uint8_t msg[MAX_MSG], out[MAX_MSG], tagbuf[16], aad[AAD_LEN], key[32], nonce[12];

double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void die(const char *what)
{
    fprintf(stderr, "tenon-bench: %s failed\n", what);
    exit(1);
}

static uint64_t tsc(void)
{
#if defined(__x86_64__)
    return __rdtsc();
#else
    return 0;
#endif
}

/* Bytes per second of op over one sample of about sample_seconds, and in *cpb the TSC ticks per
 * byte of the timed loop. */
static double measure_cpb(op_fn op, void *arg, size_t len, double *cpb)
{
    /* Calibrate the batch so that clock reads are a negligible part of the sample. */
    unsigned long batch = 1;
    for (;;) {
        double t0 = now();
        for (unsigned long i = 0; i < batch; i++)
            if (op(arg, len) != 0)
                die("operation");
        double dt = now() - t0;
        if (dt > sample_seconds / 8)
            break;
        batch *= 2;
    }
    unsigned long iters = 0;
    double t0 = now(), dt;
    uint64_t c0 = tsc();
    do {
        for (unsigned long i = 0; i < batch; i++)
            if (op(arg, len) != 0)
                die("operation");
        iters += batch;
        dt = now() - t0;
    } while (dt < sample_seconds);
    uint64_t c1 = tsc();
    *cpb = (double)(c1 - c0) / ((double)iters * (double)len);
    return (double)iters * (double)len / dt;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- tenon operations ---- */

typedef struct {
    tenon_aead_ctx ctx;
    const uint8_t *sealed; /* for open: a valid ciphertext of the same length */
    uint8_t tag[16];
} tenon_aead_arg;

static int tenon_seal(void *arg, size_t len)
{
    tenon_aead_arg *a = arg;
    return tenon_aead_seal(&a->ctx, nonce, sizeof nonce, aad, AAD_LEN, msg, len, out, tagbuf);
}

static int tenon_open(void *arg, size_t len)
{
    tenon_aead_arg *a = arg;
    return tenon_aead_open(&a->ctx, nonce, sizeof nonce, aad, AAD_LEN, a->sealed, len, a->tag, out);
}

static int tenon_hash_op(void *arg, size_t len)
{
    uint8_t d[TENON_HASH_MAX_LEN];
    tenon_hash((const tenon_hash_class *)arg, msg, len, d);
    return 0;
}

static int tenon_hmac_op(void *arg, size_t len)
{
    uint8_t d[TENON_HASH_MAX_LEN];
    tenon_hmac((const tenon_hash_class *)arg, key, 32, msg, len, d);
    return 0;
}

/* ---- OpenSSL operations ---- */

typedef struct {
    EVP_CIPHER_CTX *enc, *dec;
    const uint8_t *sealed;
    uint8_t tag[16];
} ossl_aead_arg;

static int ossl_seal(void *arg, size_t len)
{
    ossl_aead_arg *a = arg;
    int n;
    if (!EVP_EncryptInit_ex(a->enc, NULL, NULL, NULL, nonce) ||
        !EVP_EncryptUpdate(a->enc, NULL, &n, aad, AAD_LEN) ||
        !EVP_EncryptUpdate(a->enc, out, &n, msg, (int)len) ||
        !EVP_EncryptFinal_ex(a->enc, out + n, &n) ||
        !EVP_CIPHER_CTX_ctrl(a->enc, EVP_CTRL_AEAD_GET_TAG, 16, tagbuf))
        return 1;
    return 0;
}

static int ossl_open(void *arg, size_t len)
{
    ossl_aead_arg *a = arg;
    int n;
    if (!EVP_DecryptInit_ex(a->dec, NULL, NULL, NULL, nonce) ||
        !EVP_CIPHER_CTX_ctrl(a->dec, EVP_CTRL_AEAD_SET_TAG, 16, a->tag) ||
        !EVP_DecryptUpdate(a->dec, NULL, &n, aad, AAD_LEN) ||
        !EVP_DecryptUpdate(a->dec, out, &n, a->sealed, (int)len) ||
        EVP_DecryptFinal_ex(a->dec, out + n, &n) <= 0)
        return 1;
    return 0;
}

static int ossl_hash_op(void *arg, size_t len)
{
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned dl;
    return EVP_Digest(msg, len, d, &dl, (const EVP_MD *)arg, NULL) ? 0 : 1;
}

static int ossl_hmac_op(void *arg, size_t len)
{
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned dl;
    return HMAC((const EVP_MD *)arg, key, 32, msg, len, d, &dl) ? 0 : 1;
}

/* ---- figures ---- */

int tsv;

void figure(const char *name, size_t len, op_fn t_op, void *t_arg, op_fn o_op, void *o_arg)
{
    double t[32], o[32], tc[32], oc[32];
    for (int i = 0; i < samples; i++) {
        t[i] = measure_cpb(t_op, t_arg, len, &tc[i]);
        o[i] = measure_cpb(o_op, o_arg, len, &oc[i]);
    }
    double tm = median(t, samples), om = median(o, samples);
    char full[96];
    if (len == OPS) {
        /* operations: op/s, and TSC ticks per operation (the medians of the same samples) */
        double tcm = median(tc, samples), ocm = median(oc, samples);
        if (tsv)
            printf("%s\top/s\t%.1f\t%.1f\t%.3f\t%.0f\t%.0f\n", name, tm, om, tm / om, tcm, ocm);
        else
            printf("%-40s %12.1f %12.1f %8.2f %9.0f %9.0f\n", name, tm, om, tm / om, tcm, ocm);
        fflush(stdout);
        return;
    } else
        snprintf(full, sizeof full, "%s %zu%s", name, len >= 1024 ? len / 1024 : len,
                 len >= 1024 ? "KiB" : "B");
    figure_row(full, len == OPS ? "op/s" : "MB/s", len == OPS ? tm : tm / 1e6,
               len == OPS ? om : om / 1e6);
}

void figure_row(const char *name, const char *unit, double tm, double om)
{
    if (tsv)
        printf("%s\t%s\t%.1f\t%.1f\t%.3f\n", name, unit, tm, om, tm / om);
    else
        printf("%-40s %12.1f %12.1f %8.2f\n", name, tm, om, tm / om);
    fflush(stdout);
}

/* ---- symmetric figures: MB/s and cycles per byte ---- */

/* figure() for a byte-oriented primitive: MB/s and ratio as figure(), then cycles per byte for
 * tenon and OpenSSL (the medians of the same samples). */
void sym_figure(const char *name, size_t len, op_fn t_op, void *t_arg, op_fn o_op, void *o_arg)
{
    double t[32], o[32], tc[32], oc[32];
    for (int i = 0; i < samples; i++) {
        t[i] = measure_cpb(t_op, t_arg, len, &tc[i]);
        o[i] = measure_cpb(o_op, o_arg, len, &oc[i]);
    }
    double tm = median(t, samples) / 1e6, om = median(o, samples) / 1e6;
    double tcm = median(tc, samples), ocm = median(oc, samples);
    char full[96];
    snprintf(full, sizeof full, "%s %zu%s", name, len >= 1024 ? len / 1024 : len,
             len >= 1024 ? "KiB" : "B");
    if (tsv)
        printf("%s\tMB/s\t%.1f\t%.1f\t%.3f\t%.2f\t%.2f\n", full, tm, om, tm / om, tcm, ocm);
    else
        printf("%-40s %12.1f %12.1f %8.2f %8.2f %8.2f\n", full, tm, om, tm / om, tcm, ocm);
    fflush(stdout);
}

/* The "cpu:" line: the features tenon may use and the implementations it picked with them. */
static void print_cpu_line(const tenon_aead_class *gcm, const tenon_aead_class *chacha)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } names[] = {
        {TENON_CPU_SSE2, "sse2"},         {TENON_CPU_SSSE3, "ssse3"},
        {TENON_CPU_SSE41, "sse4.1"},      {TENON_CPU_AVX, "avx"},
        {TENON_CPU_AVX2, "avx2"},         {TENON_CPU_BMI2, "bmi2"},
        {TENON_CPU_ADX, "adx"},           {TENON_CPU_AESNI, "aesni"},
        {TENON_CPU_PCLMUL, "pclmul"},     {TENON_CPU_SHANI, "sha-ni"},
        {TENON_CPU_VAES, "vaes"},         {TENON_CPU_VPCLMUL, "vpclmulqdq"},
        {TENON_CPU_AVX512F, "avx512f"},   {TENON_CPU_AVX512VL, "avx512vl"},
        {TENON_CPU_AVX512BW, "avx512bw"}, {TENON_CPU_AVX512IFMA, "avx512ifma"},
    };
    uint32_t f = tenon_cpu_features();
    printf("%scpu:", tsv ? "# " : "");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (f & names[i].bit)
            printf(" %s", names[i].name);
    if (f == 0)
        printf(" (none: portable code only)");
    printf("; aes: %s, aes-gcm: %s, chacha20-poly1305: %s, sha256: %s, sha512: %s\n",
           aes_best_impl()->name, gcm->name, chacha->name, sha256_best_impl()->name,
           sha512_best_impl()->name);
}

static void aead_figures(const char *name, const tenon_aead_class *cls, size_t key_len,
                         const EVP_CIPHER *cipher)
{
    static const size_t sizes[] = {16384, 1024};
    tenon_aead_arg ta;
    ossl_aead_arg oa;
    static uint8_t sealed[MAX_MSG];
    if (tenon_aead_init(&ta.ctx, cls, key, key_len) != 0)
        die("tenon_aead_init");
    oa.enc = EVP_CIPHER_CTX_new();
    oa.dec = EVP_CIPHER_CTX_new();
    if (!oa.enc || !oa.dec || !EVP_EncryptInit_ex(oa.enc, cipher, NULL, key, nonce) ||
        !EVP_DecryptInit_ex(oa.dec, cipher, NULL, key, nonce))
        die("EVP init");
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t len = sizes[s];
        char label[64];
        /* A valid sealed message for the open figures, checked on both sides. */
        if (tenon_aead_seal(&ta.ctx, nonce, sizeof nonce, aad, AAD_LEN, msg, len, sealed, ta.tag) !=
            0)
            die("tenon seal");
        ta.sealed = oa.sealed = sealed;
        memcpy(oa.tag, ta.tag, 16);
        if (ossl_open(&oa, len) != 0 || memcmp(out, msg, len) != 0)
            die("OpenSSL opening tenon's ciphertext");
        snprintf(label, sizeof label, "%s seal", name);
        sym_figure(label, len, tenon_seal, &ta, ossl_seal, &oa);
        snprintf(label, sizeof label, "%s open", name);
        sym_figure(label, len, tenon_open, &ta, ossl_open, &oa);
    }
    tenon_aead_wipe(&ta.ctx);
    EVP_CIPHER_CTX_free(oa.enc);
    EVP_CIPHER_CTX_free(oa.dec);
}

/* ---- public-key operations ---- */

static uint8_t digest32[32];

static void ossl_check(int ok, const char *what)
{
    if (ok <= 0)
        die(what);
}

/* OpenSSL side of a key exchange: a fixed private key and peer, derive each call. */
typedef struct {
    EVP_PKEY_CTX *derive;
    const char *alg, *group; /* for keygen */
} ossl_kex_arg;

static int ossl_kex_keygen(void *arg, size_t len)
{
    (void)len;
    ossl_kex_arg *a = arg;
    EVP_PKEY *k = a->group ? EVP_PKEY_Q_keygen(NULL, NULL, a->alg, a->group)
                           : EVP_PKEY_Q_keygen(NULL, NULL, a->alg);
    if (k == NULL)
        return 1;
    EVP_PKEY_free(k);
    return 0;
}

static int ossl_kex_derive(void *arg, size_t len)
{
    (void)len;
    ossl_kex_arg *a = arg;
    uint8_t secret[64];
    size_t n = sizeof secret;
    return EVP_PKEY_derive(a->derive, secret, &n) > 0 ? 0 : 1;
}

typedef struct {
    const tenon_kex_class *kex;
    uint8_t priv[TENON_KEX_MAX_PRIVATE_LEN], peer[TENON_KEX_MAX_SHARE_LEN];
} tenon_kex_arg;

static int tenon_kex_keygen(void *arg, size_t len)
{
    (void)len;
    tenon_kex_arg *a = arg;
    uint8_t priv[TENON_KEX_MAX_PRIVATE_LEN], pub[TENON_KEX_MAX_SHARE_LEN];
    int rc = a->kex->keygen(priv, pub);
    tenon_wipe(priv, sizeof priv);
    return rc;
}

static int tenon_kex_derive(void *arg, size_t len)
{
    (void)len;
    tenon_kex_arg *a = arg;
    uint8_t secret[TENON_KEX_MAX_SHARED_LEN];
    return a->kex->shared_secret(a->priv, a->peer, a->kex->client_share_len, secret);
}

static EVP_PKEY *ossl_keygen(const char *alg, const char *group)
{
    EVP_PKEY *k =
        group ? EVP_PKEY_Q_keygen(NULL, NULL, alg, group) : EVP_PKEY_Q_keygen(NULL, NULL, alg);
    if (k == NULL)
        die("EVP_PKEY_Q_keygen");
    return k;
}

/* The raw private key and public key of an OpenSSL key, in TLS key_share encodings. */
static void ossl_export(EVP_PKEY *k, int is_x25519, uint8_t *priv, size_t priv_len, uint8_t *pub,
                        size_t pub_len)
{
    size_t n = priv_len;
    if (is_x25519) {
        ossl_check(EVP_PKEY_get_raw_private_key(k, priv, &n), "raw private key");
        n = pub_len;
        ossl_check(EVP_PKEY_get_raw_public_key(k, pub, &n), "raw public key");
        return;
    }
    BIGNUM *d = NULL;
    ossl_check(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &d), "EC private key");
    ossl_check(BN_bn2binpad(d, priv, (int)priv_len), "BN_bn2binpad");
    BN_clear_free(d);
    ossl_check(EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len, &n),
               "EC public key");
    if (n != pub_len)
        die("EC public key length");
}

static void kex_figures(const char *name, const tenon_kex_class *kex, const char *alg,
                        const char *group, int keygen_figure)
{
    int is_x25519 = group == NULL;
    EVP_PKEY *mine = ossl_keygen(alg, group), *peer = ossl_keygen(alg, group);
    tenon_kex_arg ta = {.kex = kex};
    uint8_t peer_priv[TENON_KEX_MAX_PRIVATE_LEN], my_pub[TENON_KEX_MAX_SHARE_LEN];
    /* The same keys on both sides, so both compute the same secret. */
    ossl_export(mine, is_x25519, ta.priv, kex->private_len, my_pub, kex->client_share_len);
    ossl_export(peer, is_x25519, peer_priv, kex->private_len, ta.peer, kex->client_share_len);
    ossl_kex_arg oa = {.alg = alg, .group = group};
    oa.derive = EVP_PKEY_CTX_new_from_pkey(NULL, mine, NULL);
    ossl_check(oa.derive != NULL && EVP_PKEY_derive_init(oa.derive) > 0 &&
                   EVP_PKEY_derive_set_peer(oa.derive, peer) > 0,
               "EVP_PKEY_derive setup");
    uint8_t t_secret[TENON_KEX_MAX_SHARED_LEN], o_secret[64];
    size_t on = sizeof o_secret;
    if (kex->shared_secret(ta.priv, ta.peer, kex->client_share_len, t_secret) != 0 ||
        EVP_PKEY_derive(oa.derive, o_secret, &on) <= 0 || on != kex->shared_len ||
        memcmp(t_secret, o_secret, on) != 0)
        die("tenon and OpenSSL agreeing on the shared secret");
    char label[64];
    if (keygen_figure) {
        snprintf(label, sizeof label, "%s keygen", name);
        figure(label, OPS, tenon_kex_keygen, &ta, ossl_kex_keygen, &oa);
    }
    snprintf(label, sizeof label, "%s shared secret", name);
    figure(label, OPS, tenon_kex_derive, &ta, ossl_kex_derive, &oa);
    EVP_PKEY_CTX_free(oa.derive);
    EVP_PKEY_free(mine);
    EVP_PKEY_free(peer);
    tenon_wipe(&ta, sizeof ta);
}

/* Signatures: OpenSSL signs and verifies the digest with EVP_PKEY_sign/verify. */
typedef struct {
    EVP_PKEY_CTX *sign, *verify, *decrypt;
    uint8_t sig[512];
    size_t sig_len;
    uint8_t ct[512];
    size_t ct_len;
} ossl_sig_arg;

static int ossl_sign(void *arg, size_t len)
{
    (void)len;
    ossl_sig_arg *a = arg;
    uint8_t sig[512];
    size_t n = sizeof sig;
    return EVP_PKEY_sign(a->sign, sig, &n, digest32, 32) > 0 ? 0 : 1;
}

static int ossl_verify(void *arg, size_t len)
{
    (void)len;
    ossl_sig_arg *a = arg;
    return EVP_PKEY_verify(a->verify, a->sig, a->sig_len, digest32, 32) == 1 ? 0 : 1;
}

static int ossl_decrypt(void *arg, size_t len)
{
    (void)len;
    ossl_sig_arg *a = arg;
    uint8_t pt[512];
    size_t n = sizeof pt;
    return EVP_PKEY_decrypt(a->decrypt, pt, &n, a->ct, a->ct_len) > 0 && n == 48 ? 0 : 1;
}

static EVP_PKEY_CTX *ossl_ctx(EVP_PKEY *k, int (*init)(EVP_PKEY_CTX *), int rsa_padding)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
    ossl_check(c != NULL && init(c) > 0, "EVP_PKEY_CTX init");
    if (rsa_padding)
        ossl_check(EVP_PKEY_CTX_set_rsa_padding(c, rsa_padding), "rsa padding");
    if (init != EVP_PKEY_decrypt_init)
        ossl_check(EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()), "signature md");
    return c;
}

typedef struct {
    tenon_ec_private_key key;
    uint8_t sig[TENON_ECDSA_MAX_SIG_LEN];
    size_t sig_len;
} tenon_ecdsa_arg;

static int tenon_ecdsa_sign_op(void *arg, size_t len)
{
    (void)len;
    tenon_ecdsa_arg *a = arg;
    uint8_t sig[TENON_ECDSA_MAX_SIG_LEN];
    size_t n;
    /* Hedged, as tenon's TLS code signs. */
    return tenon_ecdsa_sign(&a->key, &tenon_sha256, digest32, 32, TENON_ECDSA_DER, 1, sig,
                            sizeof sig, &n);
}

static int tenon_ecdsa_verify_op(void *arg, size_t len)
{
    (void)len;
    tenon_ecdsa_arg *a = arg;
    return tenon_ecdsa_verify(&a->key.pub, digest32, 32, TENON_ECDSA_DER, a->sig, a->sig_len);
}

static void ecdsa_figures(const char *name, tenon_ec_curve curve, const char *group)
{
    EVP_PKEY *k = ossl_keygen("EC", group);
    tenon_ecdsa_arg ta;
    uint8_t priv[TENON_EC_MAX_SCALAR_LEN], pub[TENON_EC_MAX_POINT_LEN];
    size_t sl = tenon_ec_scalar_len(curve), pl = tenon_ec_point_len(curve);
    ossl_export(k, 0, priv, sl, pub, pl);
    if (tenon_ec_private_key_load(curve, &ta.key, priv, sl) != 0)
        die("tenon_ec_private_key_load");
    ossl_sig_arg oa;
    oa.sign = ossl_ctx(k, EVP_PKEY_sign_init, 0);
    oa.verify = ossl_ctx(k, EVP_PKEY_verify_init, 0);
    /* Each side verifies the other's signature before anything is timed. */
    oa.sig_len = sizeof oa.sig;
    ossl_check(EVP_PKEY_sign(oa.sign, oa.sig, &oa.sig_len, digest32, 32), "ECDSA sign");
    if (tenon_ecdsa_verify(&ta.key.pub, digest32, 32, TENON_ECDSA_DER, oa.sig, oa.sig_len) != 0)
        die("tenon verifying OpenSSL's ECDSA signature");
    if (tenon_ecdsa_sign(&ta.key, &tenon_sha256, digest32, 32, TENON_ECDSA_DER, 1, ta.sig,
                         sizeof ta.sig, &ta.sig_len) != 0 ||
        EVP_PKEY_verify(oa.verify, ta.sig, ta.sig_len, digest32, 32) != 1)
        die("OpenSSL verifying tenon's ECDSA signature");
    char label[64];
    snprintf(label, sizeof label, "%s sign", name);
    figure(label, OPS, tenon_ecdsa_sign_op, &ta, ossl_sign, &oa);
    snprintf(label, sizeof label, "%s verify", name);
    figure(label, OPS, tenon_ecdsa_verify_op, &ta, ossl_verify, &oa);
    EVP_PKEY_CTX_free(oa.sign);
    EVP_PKEY_CTX_free(oa.verify);
    EVP_PKEY_free(k);
    tenon_ec_private_key_wipe(&ta.key);
}

typedef struct {
    tenon_rsa_private_key key;
    uint8_t sig[512], ct[512];
    size_t sig_len, ct_len;
} tenon_rsa_arg;

static int tenon_rsa_sign_op(void *arg, size_t len)
{
    (void)len;
    tenon_rsa_arg *a = arg;
    uint8_t sig[512];
    size_t n;
    return tenon_rsa_pkcs1_sign(&a->key, &tenon_sha256, digest32, 32, sig, sizeof sig, &n);
}

static int tenon_rsa_verify_op(void *arg, size_t len)
{
    (void)len;
    tenon_rsa_arg *a = arg;
    return tenon_rsa_pkcs1_verify(&a->key.pub, &tenon_sha256, digest32, 32, a->sig, a->sig_len);
}

static int tenon_rsa_decrypt_op(void *arg, size_t len)
{
    (void)len;
    tenon_rsa_arg *a = arg;
    uint8_t pt[512];
    size_t n;
    int rc = tenon_rsa_pkcs1_decrypt(&a->key, a->ct, a->ct_len, pt, sizeof pt, &n);
    return rc == 0 && n == 48 ? 0 : 1;
}

static size_t bn_param(EVP_PKEY *k, const char *name, uint8_t *dst, size_t cap)
{
    BIGNUM *b = NULL;
    ossl_check(EVP_PKEY_get_bn_param(k, name, &b), name);
    int n = BN_num_bytes(b);
    if (n <= 0 || (size_t)n > cap)
        die(name);
    BN_bn2bin(b, dst);
    BN_clear_free(b);
    return (size_t)n;
}

static void rsa_figures(int bits, int all)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
    if (k == NULL)
        die("RSA keygen");
    uint8_t n[512], e[8], p[256], q[256], dp[256], dq[256], qi[256];
    size_t nl = bn_param(k, OSSL_PKEY_PARAM_RSA_N, n, sizeof n);
    size_t el = bn_param(k, OSSL_PKEY_PARAM_RSA_E, e, sizeof e);
    size_t pl = bn_param(k, OSSL_PKEY_PARAM_RSA_FACTOR1, p, sizeof p);
    size_t ql = bn_param(k, OSSL_PKEY_PARAM_RSA_FACTOR2, q, sizeof q);
    size_t dpl = bn_param(k, OSSL_PKEY_PARAM_RSA_EXPONENT1, dp, sizeof dp);
    size_t dql = bn_param(k, OSSL_PKEY_PARAM_RSA_EXPONENT2, dq, sizeof dq);
    size_t qil = bn_param(k, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qi, sizeof qi);
    static tenon_rsa_arg ta;
    if (tenon_rsa_private_key_load(&ta.key, n, nl, e, el, p, pl, q, ql, dp, dpl, dq, dql, qi,
                                   qil) != 0)
        die("tenon_rsa_private_key_load");
    ossl_sig_arg oa;
    oa.sign = ossl_ctx(k, EVP_PKEY_sign_init, RSA_PKCS1_PADDING);
    oa.verify = ossl_ctx(k, EVP_PKEY_verify_init, RSA_PKCS1_PADDING);
    oa.decrypt = ossl_ctx(k, EVP_PKEY_decrypt_init, RSA_PKCS1_PADDING);
    /* PKCS#1 v1.5 signatures are deterministic: both sides must produce the same bytes. */
    oa.sig_len = sizeof oa.sig;
    ossl_check(EVP_PKEY_sign(oa.sign, oa.sig, &oa.sig_len, digest32, 32), "RSA sign");
    if (tenon_rsa_pkcs1_sign(&ta.key, &tenon_sha256, digest32, 32, ta.sig, sizeof ta.sig,
                             &ta.sig_len) != 0 ||
        ta.sig_len != oa.sig_len || memcmp(ta.sig, oa.sig, ta.sig_len) != 0)
        die("tenon and OpenSSL producing the same RSA signature");
    /* A 48-byte message (a TLS 1.2 pre-master secret) encrypted by tenon, for both to decrypt. */
    uint8_t pms[48];
    memcpy(pms, msg, sizeof pms);
    if (tenon_rsa_pkcs1_encrypt(&ta.key.pub, pms, sizeof pms, ta.ct, sizeof ta.ct, &ta.ct_len) != 0)
        die("tenon_rsa_pkcs1_encrypt");
    memcpy(oa.ct, ta.ct, ta.ct_len);
    oa.ct_len = ta.ct_len;
    if (ossl_decrypt(&oa, 0) != 0 || tenon_rsa_decrypt_op(&ta, 0) != 0)
        die("RSA decryption of tenon's ciphertext");
    char label[64];
    snprintf(label, sizeof label, "RSA-%d sign (PKCS#1 v1.5)", bits);
    figure(label, OPS, tenon_rsa_sign_op, &ta, ossl_sign, &oa);
    if (all) {
        snprintf(label, sizeof label, "RSA-%d verify", bits);
        figure(label, OPS, tenon_rsa_verify_op, &ta, ossl_verify, &oa);
        snprintf(label, sizeof label, "RSA-%d decrypt (PKCS#1 v1.5)", bits);
        figure(label, OPS, tenon_rsa_decrypt_op, &ta, ossl_decrypt, &oa);
    }
    EVP_PKEY_CTX_free(oa.sign);
    EVP_PKEY_CTX_free(oa.verify);
    EVP_PKEY_CTX_free(oa.decrypt);
    EVP_PKEY_free(k);
    tenon_rsa_private_key_wipe(&ta.key);
}

/* OpenSSL's capability mask for --no-avx512 (OPENSSL_ia32cap's second word: CPUID leaf 7 EBX
 * in the low half, ECX in the high half): AVX512F, DQ, IFMA, PF, ER, CD, BW, VL and VBMI,
 * VBMI2, VNNI, BITALG, VPOPCNTDQ cleared; VAES and VPCLMULQDQ kept. */
#define NO_AVX512_IA32CAP ":~0x00005842DC230000"

/* libcrypto reads OPENSSL_ia32cap when it is loaded, before main: with --no-avx512 the bench
 * runs itself again with the mask in its environment, so that both libraries use the same
 * instruction sets. */
static void no_avx512_reexec(int argc, char **argv)
{
    int want = 0;
    for (int i = 1; i < argc; i++)
        want |= strcmp(argv[i], "--no-avx512") == 0;
    if (!want || getenv("OPENSSL_ia32cap") != NULL)
        return;
    if (setenv("OPENSSL_ia32cap", NO_AVX512_IA32CAP, 1) == 0)
        execv("/proc/self/exe", argv);
    fprintf(stderr, "tenon-bench: could not run again with OPENSSL_ia32cap set; OpenSSL keeps "
                    "its AVX-512 code\n");
}

int main(int argc, char **argv)
{
    no_avx512_reexec(argc, argv);
    int want_symmetric = 0, want_public = 0, want_tls = 0, want_bulk = 0;
    /* OpenSSL's allocations are counted for the memory figure: hook before it allocates. */
    tls_memory_hooks_install();
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--tsv") == 0)
            tsv = 1;
        else if (strcmp(argv[i], "--quick") == 0) {
            samples = 3;
            sample_seconds = 0.02;
        } else if (strcmp(argv[i], "--portable") == 0)
            tenon_cpu_set_mask(0);
        else if (strcmp(argv[i], "--no-avx512") == 0)
            /* tenon as on an AVX2-only CPU (the AMD EPYC kind): AVX-512 and IFMA masked off,
             * VAES and VPCLMULQDQ kept (Zen 3 has them on 256-bit vectors). */
            tenon_cpu_set_mask(~(uint32_t)(TENON_CPU_AVX512F | TENON_CPU_AVX512VL |
                                           TENON_CPU_AVX512BW | TENON_CPU_AVX512IFMA));
        else if (strcmp(argv[i], "--symmetric") == 0)
            want_symmetric = 1;
        else if (strcmp(argv[i], "--public") == 0)
            want_public = 1;
        else if (strcmp(argv[i], "--tls") == 0)
            want_tls = 1;
        else if (strcmp(argv[i], "--bulk") == 0)
            want_bulk = 1;
        else if (strcmp(argv[i], "--profile-handshake") == 0 && i + 2 < argc)
            return tls_profile_handshake(argv[i + 1], atol(argv[i + 2]),
                                         i + 3 < argc ? atol(argv[i + 3]) : 16384);
        else {
            fprintf(stderr,
                    "usage: %s [--tsv] [--quick] [--portable] [--no-avx512] [--symmetric] "
                    "[--public] [--tls] [--bulk]\n"
                    "       %s --profile-handshake KIND N [RECORD_BYTES]\n",
                    argv[0], argv[0]);
            return 2;
        }
    }
    if (!want_symmetric && !want_public && !want_tls && !want_bulk)
        want_symmetric = want_public = want_tls = 1;
    if (tenon_random(msg, sizeof msg) != 0 || tenon_random(key, sizeof key) != 0 ||
        tenon_random(nonce, sizeof nonce) != 0 || tenon_random(aad, sizeof aad) != 0)
        die("tenon_random");

    const tenon_aead_class *gcm = tenon_aead_aes_gcm(), *chacha = tenon_aead_chacha20_poly1305();
    if (!tsv) {
        printf("tenon %s (%s, %s; cpu features 0x%x) vs %s\n", tenon_version(), gcm->name,
               chacha->name, (unsigned)tenon_cpu_features(), OpenSSL_version(OPENSSL_VERSION));
        if (getenv("OPENSSL_ia32cap") != NULL)
            printf("OPENSSL_ia32cap=%s\n", getenv("OPENSSL_ia32cap"));
        printf("median of %d samples of %.2f s each, tenon and OpenSSL alternating; "
               "MB/s = 10^6 bytes per second\n",
               samples, sample_seconds);
    }
    if (want_symmetric)
        print_cpu_line(gcm, chacha);
    if (!tsv && want_symmetric)
        printf("%-40s %12s %12s %8s %8s %8s\n", "symmetric (c/B: TSC ticks per byte)", "tenon MB/s",
               "OpenSSL MB/s", "ratio", "tenon", "OpenSSL");
    if (want_symmetric) {
        aead_figures("AES-128-GCM", gcm, 16, EVP_aes_128_gcm());
        aead_figures("AES-256-GCM", gcm, 32, EVP_aes_256_gcm());
        aead_figures("ChaCha20-Poly1305", chacha, 32, EVP_chacha20_poly1305());
        sym_figure("SHA-256", 16384, tenon_hash_op, (void *)&tenon_sha256, ossl_hash_op,
                   (void *)EVP_sha256());
        static const size_t sha384_sizes[] = {16384, 1024, 64};
        for (size_t i = 0; i < sizeof sha384_sizes / sizeof sha384_sizes[0]; i++)
            sym_figure("SHA-384", sha384_sizes[i], tenon_hash_op, (void *)&tenon_sha384,
                       ossl_hash_op, (void *)EVP_sha384());
        sym_figure("SHA-512", 16384, tenon_hash_op, (void *)&tenon_sha512, ossl_hash_op,
                   (void *)EVP_sha512());
        sym_figure("HMAC-SHA256", 16384, tenon_hmac_op, (void *)&tenon_sha256, ossl_hmac_op,
                   (void *)EVP_sha256());
        sha3_figures();
    }
    if (want_public) {
        if (!tsv)
            printf("%s%-40s %12s %12s %8s %9s %9s\n", want_symmetric ? "\n" : "",
                   "public key (ticks: TSC per op)", "tenon op/s", "OpenSSL op/s", "ratio", "tenon",
                   "OpenSSL");
        if (tenon_random(digest32, sizeof digest32) != 0)
            die("tenon_random");
        kex_figures("X25519", &tenon_kex_x25519, "X25519", NULL, 1);
        kex_figures("P-256 ECDH", &tenon_kex_secp256r1, "EC", "P-256", 0);
        ecdsa_figures("ECDSA P-256 SHA-256", TENON_EC_P256, "P-256");
        kex_figures("P-384 ECDH", &tenon_kex_secp384r1, "EC", "P-384", 0);
        ecdsa_figures("ECDSA P-384", TENON_EC_P384, "P-384");
        rsa_figures(2048, 1);
        rsa_figures(3072, 0);
        kem_figures();
    }
    if (want_tls || want_bulk)
        tls_figures(!want_tls);
    return 0;
}
