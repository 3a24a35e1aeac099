/*
 * HKDF (RFC 5869) and the TLS 1.2 PRF (RFC 5246 §5): the RFC 5869 test cases, the PRF known
 * answers, Wycheproof's HKDF files, the 255 * HashLen limit, in-place derivation, and
 * differentials against OpenSSL's EVP_KDF "HKDF" and "TLS1-PRF".
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/hmac.h>
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "common.h"
#include "testutil.h"

static const tenon_hash_class *const classes[] = {&tenon_sha1, &tenon_sha256, &tenon_sha384,
                                                  &tenon_sha512};

/* "SHA256" or "SHA-256" to the class. */
static const tenon_hash_class *class_by_name(const char *name)
{
    char compact[16];
    size_t n = 0;
    for (const char *p = name; *p != '\0' && n + 1 < sizeof compact; p++)
        if (*p != '-')
            compact[n++] = *p;
    compact[n] = '\0';
    if (strcmp(compact, "SHA1") == 0)
        return &tenon_sha1;
    if (strcmp(compact, "SHA256") == 0)
        return &tenon_sha256;
    if (strcmp(compact, "SHA384") == 0)
        return &tenon_sha384;
    if (strcmp(compact, "SHA512") == 0)
        return &tenon_sha512;
    return NULL;
}

static const char *openssl_name(const tenon_hash_class *h)
{
    if (h == &tenon_sha1)
        return "SHA1";
    if (h == &tenon_sha256)
        return "SHA256";
    if (h == &tenon_sha384)
        return "SHA384";
    return "SHA512";
}

/* Full HKDF (extract then expand) or extract only, through OpenSSL. */
static void openssl_hkdf(const tenon_hash_class *h, int mode, const uint8_t *salt, size_t salt_len,
                         const uint8_t *ikm, size_t ikm_len, const uint8_t *info, size_t info_len,
                         uint8_t *out, size_t out_len)
{
    static const uint8_t empty[1];
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM params[6], *p = params;
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)openssl_name(h), 0);
    *p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)(ikm_len ? ikm : empty),
                                             ikm_len);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)(salt_len ? salt : empty),
                                             salt_len);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)(info_len ? info : empty),
                                             info_len);
    *p = OSSL_PARAM_construct_end();
    if (kctx == NULL || EVP_KDF_derive(kctx, out, out_len, params) <= 0) {
        fprintf(stderr, "OpenSSL HKDF failed\n");
        abort();
    }
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
}

static void openssl_tls12_prf(const tenon_hash_class *h, const uint8_t *secret, size_t secret_len,
                              const char *label, const uint8_t *seed, size_t seed_len, uint8_t *out,
                              size_t out_len)
{
    /* OpenSSL takes label || seed as one seed. */
    size_t label_len = strlen(label);
    uint8_t *ls = malloc(label_len + seed_len + 1);
    if (ls == NULL)
        abort();
    memcpy(ls, label, label_len);
    if (seed_len)
        memcpy(ls + label_len, seed, seed_len);
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
    EVP_KDF_CTX *kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM params[4], *p = params;
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)openssl_name(h), 0);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret, secret_len);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, ls, label_len + seed_len);
    *p = OSSL_PARAM_construct_end();
    if (kctx == NULL || EVP_KDF_derive(kctx, out, out_len, params) <= 0) {
        fprintf(stderr, "OpenSSL TLS1-PRF failed\n");
        abort();
    }
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
    free(ls);
}

static void test_rfc5869(void)
{
    cJSON *root = tu_load_json("rfc/rfc5869_hkdf.json");
    if (root == NULL)
        return;
    int n = 0;
    const cJSON *tc;
    cJSON_ArrayForEach(tc, root)
    {
        const tenon_hash_class *h = class_by_name(tu_json_str(tc, "hash"));
        if (!CHECK(h != NULL))
            continue;
        size_t ikm_len, salt_len, info_len, prk_len, okm_len;
        uint8_t *ikm = tu_json_hex(tc, "ikm", &ikm_len);
        uint8_t *salt = tu_json_hex(tc, "salt", &salt_len);
        uint8_t *info = tu_json_hex(tc, "info", &info_len);
        uint8_t *prk_want = tu_json_hex(tc, "prk", &prk_len);
        uint8_t *okm_want = tu_json_hex(tc, "okm", &okm_len);
        size_t L = (size_t)tu_json_int(tc, "L");
        uint8_t prk[TENON_HASH_MAX_LEN];
        uint8_t *okm = malloc(L + 1);
        CHECK(okm_len == L && prk_len == h->digest_len);
        tenon_hkdf_extract(h, salt, salt_len, ikm, ikm_len, prk);
        CHECK_MEM(prk, prk_want, prk_len, "RFC 5869 PRK");
        CHECK_RC(tenon_hkdf_expand(h, prk, prk_len, info, info_len, okm, L), TENON_OK);
        CHECK_MEM(okm, okm_want, L, "RFC 5869 OKM");
        /* In place: the output overwrites the PRK it is derived from. */
        uint8_t *inplace = malloc(L > prk_len ? L : prk_len);
        memcpy(inplace, prk, prk_len);
        CHECK_RC(tenon_hkdf_expand(h, inplace, prk_len, info, info_len, inplace, L), TENON_OK);
        CHECK_MEM(inplace, okm_want, L, "RFC 5869 OKM, in place");
        free(inplace);
        /* The same PRK keyed once and expanded twice: both expansions give the OKM, and the
         * keyed context is left as it was. */
        tenon_hmac_ctx keyed, copy;
        tenon_hmac_init(&keyed, h, prk, prk_len);
        copy = keyed;
        for (int rep = 0; rep < 2; rep++) {
            memset(okm, 0, L);
            CHECK_RC(tenon_hkdf_expand_keyed(&keyed, info, info_len, okm, L), TENON_OK);
            CHECK_MEM(okm, okm_want, L, "RFC 5869 OKM, keyed PRK");
        }
        CHECK(memcmp(&keyed, &copy, sizeof keyed) == 0);
        CHECK_RC(tenon_hkdf_expand_keyed(&keyed, info, info_len, okm, 255 * h->digest_len + 1),
                 TENON_ERR_OUTPUT_TOO_LONG);
        tenon_hmac_wipe(&keyed);
        free(okm);
        free(ikm);
        free(salt);
        free(info);
        free(prk_want);
        free(okm_want);
        n++;
    }
    cJSON_Delete(root);
    printf("RFC 5869 test cases: %d run\n", n);
}

static void test_prf_vectors(void)
{
    cJSON *root = tu_load_json("rfc/tls12_prf.json");
    if (root == NULL)
        return;
    int n = 0;
    const cJSON *tc;
    cJSON_ArrayForEach(tc, root)
    {
        const tenon_hash_class *h = class_by_name(tu_json_str(tc, "hash"));
        if (!CHECK(h != NULL))
            continue;
        size_t secret_len, seed_len, want_len;
        uint8_t *secret = tu_json_hex(tc, "secret", &secret_len);
        uint8_t *seed = tu_json_hex(tc, "seed", &seed_len);
        uint8_t *want = tu_json_hex(tc, "output", &want_len);
        const char *label = tu_json_str(tc, "label");
        size_t len = (size_t)tu_json_int(tc, "length");
        uint8_t *out = malloc(len + 1);
        CHECK(want_len == len);
        CHECK_RC(tenon_tls12_prf(h, secret, secret_len, label, seed, seed_len, out, len), TENON_OK);
        CHECK_MEM(out, want, len, "TLS 1.2 PRF known answer");
        /* Every shorter output is a prefix of the longer one. */
        int ok = 1;
        for (size_t k = 0; k < len; k += 7) {
            memset(out, 0, len);
            ok &=
                tenon_tls12_prf(h, secret, secret_len, label, seed, seed_len, out, k) == TENON_OK &&
                memcmp(out, want, k) == 0 && out[k] == 0;
        }
        CHECK(ok);
        free(out);
        free(secret);
        free(seed);
        free(want);
        n++;
    }
    cJSON_Delete(root);
    printf("TLS 1.2 PRF known answers: %d run\n", n);
}

/* Wycheproof HkdfTest: a valid case gives exactly okm; the invalid ones ask for more than
 * 255 * HashLen bytes and must be refused with TENON_ERR_OUTPUT_TOO_LONG. */
static int wycheproof_hkdf(const cJSON *group, const cJSON *test, void *arg)
{
    (void)group;
    const tenon_hash_class *h = arg;
    size_t ikm_len, salt_len, info_len, okm_len;
    uint8_t *ikm = tu_json_hex(test, "ikm", &ikm_len);
    uint8_t *salt = tu_json_hex(test, "salt", &salt_len);
    uint8_t *info = tu_json_hex(test, "info", &info_len);
    uint8_t *want = tu_json_hex(test, "okm", &okm_len);
    size_t size = (size_t)tu_json_int(test, "size");
    uint8_t *out = malloc(size + 1);
    uint8_t prk[TENON_HASH_MAX_LEN];
    tenon_hkdf_extract(h, salt, salt_len, ikm, ikm_len, prk);
    int rc = tenon_hkdf_expand(h, prk, h->digest_len, info, info_len, out, size);
    int ok = rc == TENON_OK && okm_len == size && memcmp(out, want, size) == 0;
    if (strcmp(tu_json_str(test, "result"), "invalid") == 0)
        CHECK_RC(rc, TENON_ERR_OUTPUT_TOO_LONG);
    free(out);
    free(ikm);
    free(salt);
    free(info);
    free(want);
    return ok;
}

static void test_wycheproof(void)
{
    tu_wycheproof("hkdf_sha1_test.json", "HKDF-SHA-1", wycheproof_hkdf, (void *)&tenon_sha1);
    tu_wycheproof("hkdf_sha256_test.json", "HKDF-SHA-256", wycheproof_hkdf, (void *)&tenon_sha256);
    tu_wycheproof("hkdf_sha384_test.json", "HKDF-SHA-384", wycheproof_hkdf, (void *)&tenon_sha384);
    tu_wycheproof("hkdf_sha512_test.json", "HKDF-SHA-512", wycheproof_hkdf, (void *)&tenon_sha512);
}

/* RFC 5869 §2.3: L <= 255 * HashLen. Exactly the limit works (and matches OpenSSL), one more
 * byte is refused; zero bytes is fine; a NULL output with a length is an invalid argument. */
/* OpenSSL's expand-only HKDF from a HashLen-byte PRK. */
static void openssl_expand(const tenon_hash_class *h, const uint8_t *prk, const void *info,
                           size_t info_len, uint8_t *out, size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(kdf);
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    OSSL_PARAM params[5], *p = params;
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)openssl_name(h), 0);
    *p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)prk, h->digest_len);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    *p = OSSL_PARAM_construct_end();
    CHECK(kctx != NULL && EVP_KDF_derive(kctx, out, out_len, params) > 0);
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
}

static void test_hkdf_limits(void)
{
    static uint8_t out[255 * 64 + 1], want[255 * 64];
    const uint8_t prk[64] = {1, 2, 3};
    for (size_t c = 0; c < ARRAY_LEN(classes); c++) {
        const tenon_hash_class *h = classes[c];
        size_t max = 255 * h->digest_len;
        memset(out, 0xee, sizeof out);
        CHECK_RC(tenon_hkdf_expand(h, prk, h->digest_len, "info", 4, out, max), TENON_OK);
        CHECK(out[max] == 0xee);
        /* OpenSSL's expand-only mode with the same PRK. */
        openssl_expand(h, prk, "info", 4, want, max);
        CHECK_MEM(out, want, max, "HKDF-Expand at 255 * HashLen vs OpenSSL");

        CHECK_RC(tenon_hkdf_expand(h, prk, h->digest_len, "info", 4, out, max + 1),
                 TENON_ERR_OUTPUT_TOO_LONG);
        CHECK_RC(tenon_hkdf_expand(h, prk, h->digest_len, "info", 4, out, SIZE_MAX),
                 TENON_ERR_OUTPUT_TOO_LONG);
        CHECK_RC(tenon_hkdf_expand(h, prk, h->digest_len, NULL, 0, NULL, 0), TENON_OK);
        CHECK_RC(tenon_hkdf_expand(h, prk, h->digest_len, NULL, 0, NULL, 1),
                 TENON_ERR_INVALID_ARGUMENT);
        CHECK_RC(tenon_tls12_prf(h, prk, 8, "x", NULL, 0, NULL, 1), TENON_ERR_INVALID_ARGUMENT);
        CHECK_RC(tenon_tls12_prf(h, prk, 8, NULL, NULL, 0, out, 1), TENON_ERR_INVALID_ARGUMENT);
        CHECK_RC(tenon_tls12_prf(h, prk, 8, "x", NULL, 0, NULL, 0), TENON_OK);
    }
}

/* HKDF-Expand with SHA-256 and one output block takes a short path (the message hashed into the
 * padding block of the keyed states): every info length around the one- and two-block padding
 * limits (55 and 119 bytes with the counter) and every output length up to one block against
 * OpenSSL's expand-only HKDF, with the portable code forced and with the default choice; and a
 * keyed state that has already absorbed some bytes (not at a block boundary) against HMAC(). */
static void test_expand_one_block(void)
{
    uint8_t prk[32], info[200], out[40], want[40], pre[70];
    static const size_t outs[] = {0, 1, 16, 31, 32, 33};
    tu_seed(86);
    tu_rand(prk, sizeof prk);
    tu_rand(info, sizeof info);
    tu_rand(pre, sizeof pre);
    for (int pass = 0; pass < 2; pass++) {
        tenon_cpu_set_mask(pass == 0 ? 0 : UINT32_MAX);
        unsigned long fails = tu_failed;
        for (size_t info_len = 0; info_len <= 140; info_len++) {
            for (size_t o = 0; o < ARRAY_LEN(outs); o++) {
                size_t L = outs[o];
                memset(out, 0xee, sizeof out);
                CHECK_RC(tenon_hkdf_expand(&tenon_sha256, prk, 32, info, info_len, out, L),
                         TENON_OK);
                CHECK(out[L] == 0xee);
                if (L == 0)
                    continue;
                openssl_expand(&tenon_sha256, prk, info, info_len, want, L);
                CHECK_MEM(out, want, L, "one-block HKDF-Expand vs OpenSSL");
            }
            /* A keyed state with pre_len bytes in already: T(1) = HMAC(prk, pre | info | 1). */
            for (size_t pre_len = 1; pre_len < sizeof pre; pre_len += 13) {
                tenon_hmac_ctx keyed;
                tenon_hmac_init(&keyed, &tenon_sha256, prk, 32);
                tenon_hmac_update(&keyed, pre, pre_len);
                CHECK_RC(tenon_hkdf_expand_keyed(&keyed, info, info_len, out, 32), TENON_OK);
                tenon_hmac_wipe(&keyed);
                uint8_t msg[sizeof pre + sizeof info + 1];
                memcpy(msg, pre, pre_len);
                memcpy(msg + pre_len, info, info_len);
                msg[pre_len + info_len] = 1;
                unsigned wlen = 0;
                CHECK(HMAC(EVP_sha256(), prk, 32, msg, pre_len + info_len + 1, want, &wlen) !=
                          NULL &&
                      wlen == 32);
                CHECK_MEM(out, want, 32, "one-block HKDF-Expand from a state with bytes in");
            }
        }
        if (tu_failed != fails)
            fprintf(stderr, "test_expand_one_block: pass %d failed\n", pass);
    }
    tenon_cpu_set_mask(UINT32_MAX);
}

static void test_hkdf_vs_openssl(void)
{
    uint8_t salt[200], ikm[200], info[200], prk[TENON_HASH_MAX_LEN], prk_want[TENON_HASH_MAX_LEN];
    static uint8_t out[1200], want[1200];
    for (int pass = 0; pass < 2; pass++) {
        tenon_cpu_set_mask(pass == 0 ? 0 : UINT32_MAX);
        for (size_t c = 0; c < ARRAY_LEN(classes); c++) {
            const tenon_hash_class *h = classes[c];
            unsigned long fails = tu_failed;
            int cases = 0;
            tu_seed(5869 + c);
            for (int t = 0; t < 250; t++, cases++) {
                size_t salt_len = (size_t)(tu_rand_u64() % (sizeof salt + 1));
                size_t ikm_len = 1 + (size_t)(tu_rand_u64() % sizeof ikm);
                size_t info_len = (size_t)(tu_rand_u64() % (sizeof info + 1));
                size_t out_len = 1 + (size_t)(tu_rand_u64() % sizeof out);
                if (t % 10 == 0)
                    salt_len = 0;
                tu_rand(salt, salt_len);
                tu_rand(ikm, ikm_len);
                tu_rand(info, info_len);
                tenon_hkdf_extract(h, salt, salt_len, ikm, ikm_len, prk);
                openssl_hkdf(h, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, salt, salt_len, ikm, ikm_len, info,
                             info_len, prk_want, h->digest_len);
                CHECK_MEM(prk, prk_want, h->digest_len, "HKDF-Extract vs OpenSSL");
                CHECK_RC(tenon_hkdf_expand(h, prk, h->digest_len, info, info_len, out, out_len),
                         TENON_OK);
                openssl_hkdf(h, EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND, salt, salt_len, ikm, ikm_len,
                             info, info_len, want, out_len);
                CHECK_MEM(out, want, out_len, "HKDF vs OpenSSL");
            }
            printf("HKDF-%s (%s) vs OpenSSL: %d cases, %s\n", h->name,
                   pass == 0 ? "portable forced" : "default", cases,
                   tu_failed == fails ? "identical" : "MISMATCH");
        }
    }
    tenon_cpu_set_mask(UINT32_MAX);
}

static void test_prf_vs_openssl(void)
{
    uint8_t secret[200], seed[200];
    char label[40];
    static uint8_t out[800], want[800];
    for (int pass = 0; pass < 2; pass++) {
        tenon_cpu_set_mask(pass == 0 ? 0 : UINT32_MAX);
        for (size_t c = 0; c < ARRAY_LEN(classes); c++) {
            const tenon_hash_class *h = classes[c];
            unsigned long fails = tu_failed;
            int cases = 0;
            tu_seed(5246 + c);
            for (int t = 0; t < 250; t++, cases++) {
                size_t secret_len = 1 + (size_t)(tu_rand_u64() % sizeof secret);
                size_t seed_len = (size_t)(tu_rand_u64() % (sizeof seed + 1));
                size_t label_len = 1 + (size_t)(tu_rand_u64() % (sizeof label - 1));
                size_t out_len = 1 + (size_t)(tu_rand_u64() % sizeof out);
                tu_rand(secret, secret_len);
                tu_rand(seed, seed_len);
                for (size_t i = 0; i < label_len; i++)
                    label[i] = (char)('a' + tu_rand_u64() % 26);
                label[label_len] = '\0';
                CHECK_RC(
                    tenon_tls12_prf(h, secret, secret_len, label, seed, seed_len, out, out_len),
                    TENON_OK);
                openssl_tls12_prf(h, secret, secret_len, label, seed, seed_len, want, out_len);
                CHECK_MEM(out, want, out_len, "TLS 1.2 PRF vs OpenSSL");
            }
            printf("TLS 1.2 PRF with %s (%s) vs OpenSSL: %d cases, %s\n", h->name,
                   pass == 0 ? "portable forced" : "default", cases,
                   tu_failed == fails ? "identical" : "MISMATCH");
        }
    }
    tenon_cpu_set_mask(UINT32_MAX);
}

/* TLS 1.2's master secret may be derived over the pre-master secret's buffer. */
static void test_prf_in_place(void)
{
    uint8_t secret[48], seed[64], want[48];
    tu_seed(7627);
    tu_rand(secret, sizeof secret);
    tu_rand(seed, sizeof seed);
    for (size_t c = 0; c < ARRAY_LEN(classes); c++) {
        uint8_t buf[48];
        memcpy(buf, secret, sizeof buf);
        CHECK_RC(tenon_tls12_prf(classes[c], secret, sizeof secret, "master secret", seed,
                                 sizeof seed, want, sizeof want),
                 TENON_OK);
        CHECK_RC(tenon_tls12_prf(classes[c], buf, sizeof buf, "master secret", seed, sizeof seed,
                                 buf, sizeof buf),
                 TENON_OK);
        CHECK_MEM(buf, want, sizeof want, "PRF in place");
    }
}

int main(void)
{
    test_rfc5869();
    test_prf_vectors();
    test_wycheproof();
    test_hkdf_limits();
    test_expand_one_block();
    test_hkdf_vs_openssl();
    test_prf_vs_openssl();
    test_prf_in_place();
    return tu_finish("test_kdf");
}
