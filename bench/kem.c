/*
 * tenon-bench, post-quantum section: ML-KEM-768 and ML-KEM-1024 (tenon only: the OpenSSL 3.0
 * this benchmark links has no ML-KEM), and SHA-3/SHAKE throughput side by side with OpenSSL.
 *
 * ML-KEM rows give operations per second and TSC ticks per operation (rdtsc around each
 * operation: reference cycles, the unit of issue 13's goals), the median and the minimum. Encaps
 * includes the FIPS 203 §7.2 check of ek (it is part of tenon's encaps); "decaps_seed" is
 * Decaps from the 64-byte seed (KeyGen's expansion plus Decaps, sharing the matrix), what a
 * TLS client keeping only the seed pays after "keygen_seed, ek only" (KeyGen without dk);
 * "keygen + decaps" is the sum a client pays with dk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include <openssl/evp.h>

#include "crypto/sha3.h"
#include "tenon/tenon.h"

#include "bench.h"

static uint64_t ticks(void)
{
#if defined(__x86_64__)
    return __rdtsc();
#else
    return 0;
#endif
}

typedef struct {
    const tenon_kem_class *kem;
    uint8_t seed[TENON_KEM_SEED_LEN], ek[TENON_KEM_MAX_EK_LEN], dk[TENON_KEM_MAX_DK_LEN],
        ct[TENON_KEM_MAX_CT_LEN], ss[TENON_KEM_SS_LEN];
} kem_arg;

static int kem_keygen(void *arg, size_t len)
{
    (void)len;
    kem_arg *a = arg;
    uint8_t ek[TENON_KEM_MAX_EK_LEN], dk[TENON_KEM_MAX_DK_LEN];
    return a->kem->keygen(ek, dk);
}

static int kem_keygen_ek(void *arg, size_t len)
{
    (void)len;
    kem_arg *a = arg;
    uint8_t ek[TENON_KEM_MAX_EK_LEN];
    return a->kem->keygen_seed(a->seed, ek, NULL);
}

static int kem_encaps(void *arg, size_t len)
{
    (void)len;
    kem_arg *a = arg;
    uint8_t ct[TENON_KEM_MAX_CT_LEN], ss[TENON_KEM_SS_LEN];
    return a->kem->encaps(a->ek, a->kem->ek_len, ct, ss);
}

static int kem_decaps(void *arg, size_t len)
{
    (void)len;
    kem_arg *a = arg;
    uint8_t ss[TENON_KEM_SS_LEN];
    return a->kem->decaps(a->dk, a->kem->dk_len, a->ct, a->kem->ct_len, ss);
}

static int kem_decaps_seed(void *arg, size_t len)
{
    (void)len;
    kem_arg *a = arg;
    uint8_t ss[TENON_KEM_SS_LEN];
    return a->kem->decaps_seed(a->seed, a->ct, a->kem->ct_len, ss);
}

static int kem_keygen_decaps(void *arg, size_t len)
{
    return kem_keygen(arg, len) | kem_decaps(arg, len);
}

/* One tenon-only row: op/s (the median over the samples) and TSC ticks of single operations,
 * timed one by one: the median and the minimum. On a busy machine the minimum is the closest
 * to the cost of the code alone. */
static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

static void kem_row(const char *name, op_fn op, void *arg)
{
    enum { MAX_OPS = 1 << 16 };
    static uint64_t each[MAX_OPS];
    double rate[32];
    size_t n = 0;
    for (int s = 0; s < samples; s++) {
        unsigned long iters = 0;
        double t0 = now(), dt;
        do {
            uint64_t c0 = ticks();
            if (op(arg, OPS) != 0)
                die(name);
            uint64_t c1 = ticks();
            if (n < MAX_OPS)
                each[n++] = c1 - c0;
            iters++;
            dt = now() - t0;
        } while (dt < sample_seconds);
        rate[s] = (double)iters / dt;
    }
    qsort(each, n, sizeof each[0], cmp_u64);
    double r = median(rate, samples);
    if (tsv)
        printf("%s\top/s\t%.1f\tticks/op\t%llu\tmin\t%llu\n", name, r,
               (unsigned long long)each[n / 2], (unsigned long long)each[0]);
    else
        printf("%-40s %12.1f %12llu %12llu\n", name, r, (unsigned long long)each[n / 2],
               (unsigned long long)each[0]);
    fflush(stdout);
}

static void kem_set(const tenon_kem_class *kem)
{
    static kem_arg a;
    char label[64];
    a.kem = kem;
    if (tenon_random(a.seed, sizeof a.seed) != 0 || kem->keygen_seed(a.seed, a.ek, a.dk) != 0 ||
        kem->encaps(a.ek, kem->ek_len, a.ct, a.ss) != 0)
        die("ML-KEM setup");
    uint8_t ss[TENON_KEM_SS_LEN];
    if (kem->decaps(a.dk, kem->dk_len, a.ct, kem->ct_len, ss) != 0 || memcmp(ss, a.ss, 32) != 0)
        die("ML-KEM round trip");
    static const struct {
        const char *what;
        op_fn op;
    } ops[] = {{"keygen", kem_keygen},
               {"keygen_seed, ek only", kem_keygen_ek},
               {"encaps (with ek check)", kem_encaps},
               {"decaps", kem_decaps},
               {"decaps_seed", kem_decaps_seed},
               {"keygen + decaps", kem_keygen_decaps}};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        snprintf(label, sizeof label, "%s %s", kem->name, ops[i].what);
        kem_row(label, ops[i].op, &a);
    }
    tenon_wipe(&a, sizeof a);
}

void kem_figures(void)
{
    if (!tsv)
        printf("\n%-40s %12s %12s %12s\n", "ML-KEM (tenon; OpenSSL 3.0 has none)", "tenon op/s",
               "ticks/op", "min ticks");
    kem_set(&tenon_kem_mlkem768);
    kem_set(&tenon_kem_mlkem1024);
}

/* ---- SHA-3 and SHAKE ---- */

static uint8_t sha3_msg[16384];

static int tenon_sha3_op(void *arg, size_t len)
{
    uint8_t d[64];
    if (arg == NULL)
        sha3_256(d, sha3_msg, len);
    else
        shake128(d, 32, sha3_msg, len);
    return 0;
}

static int ossl_sha3_op(void *arg, size_t len)
{
    uint8_t d[64];
    const EVP_MD *md = arg == NULL ? EVP_sha3_256() : EVP_shake128();
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c != NULL && EVP_DigestInit_ex(c, md, NULL) && EVP_DigestUpdate(c, sha3_msg, len) &&
             (arg == NULL ? EVP_DigestFinal_ex(c, d, NULL) : EVP_DigestFinalXOF(c, d, 32));
    EVP_MD_CTX_free(c);
    return ok ? 0 : 1;
}

void sha3_figures(void)
{
    if (tenon_random(sha3_msg, sizeof sha3_msg) != 0)
        die("tenon_random");
    static int shake = 1;
    sym_figure("SHA3-256", sizeof sha3_msg, tenon_sha3_op, NULL, ossl_sha3_op, NULL);
    sym_figure("SHAKE128 (32-byte output)", sizeof sha3_msg, tenon_sha3_op, &shake, ossl_sha3_op,
               &shake);
}
