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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/opensslv.h>

#include "tenon/tenon.h"

#define AAD_LEN 13 /* a TLS 1.2 record header as AAD, the common case */
#define MAX_MSG 16384

static int samples = 7;
static double sample_seconds = 0.08;

static uint8_t msg[MAX_MSG], out[MAX_MSG], tagbuf[16], aad[AAD_LEN], key[32], nonce[12];

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
    fprintf(stderr, "tenon-bench: %s failed\n", what);
    exit(1);
}

/* One operation under test: run it once on len bytes; nonzero on failure. */
typedef int (*op_fn)(void *arg, size_t len);

/* Bytes per second of op over one sample of about sample_seconds. */
static double measure(op_fn op, void *arg, size_t len)
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
    do {
        for (unsigned long i = 0; i < batch; i++)
            if (op(arg, len) != 0)
                die("operation");
        iters += batch;
        dt = now() - t0;
    } while (dt < sample_seconds);
    return (double)iters * (double)len / dt;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
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
    return tenon_aead_open(&a->ctx, nonce, sizeof nonce, aad, AAD_LEN, a->sealed, len, a->tag,
                           out);
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

static int tsv;

static void figure(const char *name, size_t len, op_fn t_op, void *t_arg, op_fn o_op,
                   void *o_arg)
{
    double t[32], o[32];
    for (int i = 0; i < samples; i++) {
        t[i] = measure(t_op, t_arg, len);
        o[i] = measure(o_op, o_arg, len);
    }
    double tm = median(t, samples), om = median(o, samples);
    char full[96];
    snprintf(full, sizeof full, "%s %zu%s", name, len >= 1024 ? len / 1024 : len,
             len >= 1024 ? "KiB" : "B");
    if (tsv)
        printf("%s\tMB/s\t%.1f\t%.1f\t%.3f\n", full, tm / 1e6, om / 1e6, tm / om);
    else
        printf("%-34s %12.1f %12.1f %8.2f\n", full, tm / 1e6, om / 1e6, tm / om);
    fflush(stdout);
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
        if (tenon_aead_seal(&ta.ctx, nonce, sizeof nonce, aad, AAD_LEN, msg, len, sealed,
                            ta.tag) != 0)
            die("tenon seal");
        ta.sealed = oa.sealed = sealed;
        memcpy(oa.tag, ta.tag, 16);
        if (ossl_open(&oa, len) != 0 || memcmp(out, msg, len) != 0)
            die("OpenSSL opening tenon's ciphertext");
        snprintf(label, sizeof label, "%s seal", name);
        figure(label, len, tenon_seal, &ta, ossl_seal, &oa);
        snprintf(label, sizeof label, "%s open", name);
        figure(label, len, tenon_open, &ta, ossl_open, &oa);
    }
    tenon_aead_wipe(&ta.ctx);
    EVP_CIPHER_CTX_free(oa.enc);
    EVP_CIPHER_CTX_free(oa.dec);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--tsv") == 0)
            tsv = 1;
        else if (strcmp(argv[i], "--quick") == 0) {
            samples = 3;
            sample_seconds = 0.02;
        } else if (strcmp(argv[i], "--portable") == 0)
            tenon_cpu_set_mask(0);
        else {
            fprintf(stderr, "usage: %s [--tsv] [--quick] [--portable]\n", argv[0]);
            return 2;
        }
    }
    if (tenon_random(msg, sizeof msg) != 0 || tenon_random(key, sizeof key) != 0 ||
        tenon_random(nonce, sizeof nonce) != 0 || tenon_random(aad, sizeof aad) != 0)
        die("tenon_random");

    const tenon_aead_class *gcm = tenon_aead_aes_gcm(), *chacha = tenon_aead_chacha20_poly1305();
    if (!tsv) {
        printf("tenon %s (%s, %s; cpu features 0x%x) vs %s\n", tenon_version(), gcm->name,
               chacha->name, (unsigned)tenon_cpu_features(), OpenSSL_version(OPENSSL_VERSION));
        printf("median of %d samples of %.2f s each; MB/s = 10^6 bytes per second\n\n", samples,
               sample_seconds);
        printf("%-34s %12s %12s %8s\n", "figure", "tenon MB/s", "OpenSSL MB/s", "ratio");
    }
    aead_figures("AES-128-GCM", gcm, 16, EVP_aes_128_gcm());
    aead_figures("AES-256-GCM", gcm, 32, EVP_aes_256_gcm());
    aead_figures("ChaCha20-Poly1305", chacha, 32, EVP_chacha20_poly1305());
    figure("SHA-256", 16384, tenon_hash_op, (void *)&tenon_sha256, ossl_hash_op,
           (void *)EVP_sha256());
    figure("SHA-384", 16384, tenon_hash_op, (void *)&tenon_sha384, ossl_hash_op,
           (void *)EVP_sha384());
    figure("HMAC-SHA256", 16384, tenon_hmac_op, (void *)&tenon_sha256, ossl_hmac_op,
           (void *)EVP_sha256());
    return 0;
}
