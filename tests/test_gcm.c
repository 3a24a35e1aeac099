/*
 * AES-GCM (SP 800-38D): every vector against every implementation this CPU can run.
 *
 *   - the test cases of the GCM specification (McGrew & Viega, cases 1-18);
 *   - Wycheproof aes_gcm_test.json, once per implementation;
 *   - each accelerated implementation against the portable one on random inputs (every length
 *     0..1024, AAD 0..300, multi-megabyte messages, unaligned buffers, in place);
 *   - OpenSSL's EVP AES-GCM on random inputs, both directions;
 *   - the 32-bit counter wrapping inside a message (nonces solved for a chosen J0);
 *   - tampering: every bit of tag, ciphertext and AAD, with the output zeroed on failure;
 *   - argument checks.
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "tenon/crypto.h"
#include "testutil.h"

static const tenon_aead_class *impls[8];
static size_t nimpls;
static const tenon_aead_class *portable;

static int cpu_ok(const tenon_aead_class *c)
{
    return (tenon_cpu_features() & c->cpu_needs) == c->cpu_needs;
}

static void find_impls(void)
{
    const tenon_aead_class *const *all = tenon_aead_implementations();
    for (size_t i = 0; all[i] != NULL; i++) {
        if (strcmp(all[i]->family, "AES-GCM") != 0)
            continue;
        if (all[i]->cpu_needs == 0)
            portable = all[i];
        if (!cpu_ok(all[i])) {
            printf("test_gcm: %s skipped (CPU features missing)\n", all[i]->name);
            continue;
        }
        impls[nimpls++] = all[i];
    }
    CHECK(portable != NULL);
    CHECK(nimpls >= 1);
}

/* ------------------------------------------------------------------------------------------
 * OpenSSL as the reference.
 * ------------------------------------------------------------------------------------------ */

static const EVP_CIPHER *evp_gcm(size_t key_len)
{
    return key_len == 16   ? EVP_aes_128_gcm()
           : key_len == 24 ? EVP_aes_192_gcm()
                           : EVP_aes_256_gcm();
}

static int ossl_seal(const uint8_t *key, size_t key_len, const uint8_t *iv, size_t iv_len,
                     const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                     uint8_t *out, uint8_t tag[16])
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int l, ok = c != NULL;
    ok = ok && EVP_EncryptInit_ex(c, evp_gcm(key_len), NULL, NULL, NULL) == 1;
    ok = ok && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, (int)iv_len, NULL) == 1;
    ok = ok && EVP_EncryptInit_ex(c, NULL, NULL, key, iv) == 1;
    ok = ok && (aad_len == 0 || EVP_EncryptUpdate(c, NULL, &l, aad, (int)aad_len) == 1);
    ok = ok && (len == 0 || EVP_EncryptUpdate(c, out, &l, in, (int)len) == 1);
    ok = ok && EVP_EncryptFinal_ex(c, out + len, &l) == 1;
    ok = ok && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
    EVP_CIPHER_CTX_free(c);
    return ok;
}

static int ossl_open(const uint8_t *key, size_t key_len, const uint8_t *iv, size_t iv_len,
                     const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                     const uint8_t tag[16], uint8_t *out)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int l, ok = c != NULL;
    ok = ok && EVP_DecryptInit_ex(c, evp_gcm(key_len), NULL, NULL, NULL) == 1;
    ok = ok && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, (int)iv_len, NULL) == 1;
    ok = ok && EVP_DecryptInit_ex(c, NULL, NULL, key, iv) == 1;
    ok = ok && (aad_len == 0 || EVP_DecryptUpdate(c, NULL, &l, aad, (int)aad_len) == 1);
    ok = ok && (len == 0 || EVP_DecryptUpdate(c, out, &l, in, (int)len) == 1);
    ok = ok && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, (void *)(uintptr_t)tag) == 1;
    ok = ok && EVP_DecryptFinal_ex(c, out + len, &l) == 1;
    EVP_CIPHER_CTX_free(c);
    return ok;
}

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* ------------------------------------------------------------------------------------------
 * The GCM specification's test cases (McGrew & Viega, "The Galois/Counter Mode of Operation",
 * Appendix B, cases 1-18).
 * ------------------------------------------------------------------------------------------ */

#define K_128 "feffe9928665731c6d6a8f9467308308"
#define K_192 "feffe9928665731c6d6a8f9467308308feffe9928665731c"
#define K_256 "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"
#define P_60                                                                                       \
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e24"     \
    "49a6b525b16aedf5aa0de657ba637b39"
#define P_64 P_60 "1aafd255"
#define A_20 "feedfacedeadbeeffeedfacedeadbeefabaddad2"
#define IV_96 "cafebabefacedbaddecaf888"
#define IV_64 "cafebabefacedbad"
#define IV_480                                                                                     \
    "9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728c3c0c95156809539fcf0e242"     \
    "9a6b525416aedbf5a0de6a57a637b39b"
#define Z_96 "000000000000000000000000"
#define Z_128 "00000000000000000000000000000000"

static const struct mv_case {
    int n;
    const char *key, *iv, *aad, *pt, *ct, *tag;
} mv_cases[] = {
    {1, Z_128, Z_96, "", "", "", "58e2fccefa7e3061367f1d57a4e7455a"},
    {2, Z_128, Z_96, "", Z_128, "0388dace60b6a392f328c2b971b2fe78",
     "ab6e47d42cec13bdf53a67b21257bddf"},
    {3, K_128, IV_96, "", P_64,
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84"
     "aa051ba30b396a0aac973d58e091473f5985",
     "4d5c2af327cd64a62cf35abd2ba6fab4"},
    {4, K_128, IV_96, A_20, P_60,
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84"
     "aa051ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
    {5, K_128, IV_64, A_20, P_60,
     "61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c742373806900e49f24b22b097544d489"
     "6b424989b5e1ebac0f07c23f4598",
     "3612d2e79e3b0785561be14aaca2fccb"},
    {6, K_128, IV_480, A_20, P_60,
     "8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca701e4a9a4fba43c90ccdcb281d48c"
     "7c6fd62875d2aca417034c34aee5",
     "619cc5aefffe0bfa462af43c1699d050"},
    {7, Z_128 "0000000000000000", Z_96, "", "", "", "cd33b28ac773f74ba00ed1f312572435"},
    {8, Z_128 "0000000000000000", Z_96, "", Z_128, "98e7247c07f0fe411c267e4384b0f600",
     "2ff58d80033927ab8ef4d4587514f0fb"},
    {9, K_192, IV_96, "", P_64,
     "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c7d773d00c144c525ac619d18c84a"
     "3f4718e2448b2fe324d9ccda2710acade256",
     "9924a7c8587336bfb118024db8674a14"},
    {10, K_192, IV_96, A_20, P_60,
     "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c7d773d00c144c525ac619d18c84a"
     "3f4718e2448b2fe324d9ccda2710",
     "2519498e80f1478f37ba55bd6d27618c"},
    {11, K_192, IV_64, A_20, P_60,
     "0f10f599ae14a154ed24b36e25324db8c566632ef2bbb34f8347280fc4507057fddc29df9a471f75c66541d4d4da"
     "d1c9e93a19a58e8b473fa0f062f7",
     "65dcc57fcf623a24094fcca40d3533f8"},
    {12, K_192, IV_480, A_20, P_60,
     "d27e88681ce3243c4830165a8fdcf9ff1de9a1d8e6b447ef6ef7b79828666e4581e79012af34ddd9e2f037589b29"
     "2db3e67c036745fa22e7e9b7373b",
     "dcf566ff291c25bbb8568fc3d376a6d9"},
    {13, Z_128 Z_128, Z_96, "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {14, Z_128 Z_128, Z_96, "", Z_128, "cea7403d4d606b6e074ec5d3baf39d18",
     "d0d1c8a799996bf0265b98b5d48ab919"},
    {15, K_256, IV_96, "", P_64,
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b105682"
     "8838c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {16, K_256, IV_96, A_20, P_60,
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b105682"
     "8838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
    {17, K_256, IV_64, A_20, P_60,
     "c3762df1ca787d32ae47c13bf19844cbaf1ae14d0b976afac52ff7d79bba9de0feb582d33934a4f0954cc2363bc7"
     "3f7862ac430e64abe499f47c9b1f",
     "3a337dbf46a792c45e454913fe2ea8f2"},
    {18, K_256, IV_480, A_20, P_60,
     "5a8def2f0c9e53f1f75d7853659e2a20eeb2b22aafde6419a058ab4f6f746bf40fc0c3b780f244452da3ebf1c5d8"
     "2cdea2418997200ef82e44ae7e3f",
     "a44a8266ee1c8eb0c8b5d4cf5ae9f19a"},
};

static void test_spec_vectors(const tenon_aead_class *cls)
{
    for (size_t i = 0; i < sizeof mv_cases / sizeof mv_cases[0]; i++) {
        const struct mv_case *tc = &mv_cases[i];
        size_t kl, nl, al, pl, cl, tl;
        uint8_t *key = tu_hex(tc->key, &kl), *iv = tu_hex(tc->iv, &nl), *aad = tu_hex(tc->aad, &al);
        uint8_t *pt = tu_hex(tc->pt, &pl), *ct = tu_hex(tc->ct, &cl), *tag = tu_hex(tc->tag, &tl);
        uint8_t out[64], back[64], t[16];
        tenon_aead_ctx ctx;
        CHECK(pl == cl && tl == 16);
        CHECK_RC(tenon_aead_init(&ctx, cls, key, kl), TENON_OK);
        CHECK_RC(tenon_aead_seal(&ctx, iv, nl, aad, al, pt, pl, out, t), TENON_OK);
        if (!CHECK_MEM(out, ct, cl, "spec vector ciphertext") || !CHECK_MEM(t, tag, 16, "spec tag"))
            fprintf(stderr, "    %s, test case %d\n", cls->name, tc->n);
        CHECK_RC(tenon_aead_open(&ctx, iv, nl, aad, al, ct, cl, tag, back), TENON_OK);
        CHECK_MEM(back, pt, pl, "spec vector plaintext");
        /* In place, both directions. */
        memcpy(out, pt, pl);
        CHECK_RC(tenon_aead_seal(&ctx, iv, nl, aad, al, out, pl, out, t), TENON_OK);
        CHECK_MEM(out, ct, cl, "spec vector in place");
        CHECK_RC(tenon_aead_open(&ctx, iv, nl, aad, al, out, cl, t, out), TENON_OK);
        CHECK_MEM(out, pt, pl, "spec vector in place open");
        /* The gather seal at every split point: head from pt, the rest already in out. */
        for (size_t h = 0; h <= pl; h++) {
            memset(out, 0xa5, sizeof out);
            memcpy(out + h, pt + h, pl - h);
            CHECK_RC(tenon_aead_seal_split(&ctx, iv, nl, aad, al, pt, h, out, pl, t), TENON_OK);
            if (!CHECK_MEM(out, ct, cl, "spec vector split") ||
                !CHECK_MEM(t, tag, 16, "spec vector split tag"))
                fprintf(stderr, "    %s, test case %d, head %zu\n", cls->name, tc->n, h);
        }
        tenon_aead_wipe(&ctx);
        free(key), free(iv), free(aad), free(pt), free(ct), free(tag);
    }
}

/* ------------------------------------------------------------------------------------------
 * Wycheproof.
 * ------------------------------------------------------------------------------------------ */

static int wycheproof_case(const cJSON *group, const cJSON *test, void *arg)
{
    const tenon_aead_class *cls = arg;
    (void)group;
    size_t kl, nl, al, ml, cl, tl;
    uint8_t *key = tu_json_hex(test, "key", &kl), *iv = tu_json_hex(test, "iv", &nl);
    uint8_t *aad = tu_json_hex(test, "aad", &al), *msg = tu_json_hex(test, "msg", &ml);
    uint8_t *ct = tu_json_hex(test, "ct", &cl), *tag = tu_json_hex(test, "tag", &tl);
    uint8_t *out = malloc(ml + 1), *pt = malloc(cl + 1), t[16];
    int result = 0;
    tenon_aead_ctx ctx;
    if (tenon_aead_init(&ctx, cls, key, kl) == TENON_OK && tl == 16 && ml == cl) {
        int seal_ok = tenon_aead_seal(&ctx, iv, nl, aad, al, msg, ml, out, t) == TENON_OK &&
                      memcmp(out, ct, cl) == 0 && memcmp(t, tag, 16) == 0;
        memset(pt, 0xA5, cl);
        int rc = tenon_aead_open(&ctx, iv, nl, aad, al, ct, cl, tag, pt);
        int open_ok = rc == TENON_OK && memcmp(pt, msg, ml) == 0;
        if (rc == TENON_ERR_AUTH_FAILED)
            CHECK(all_zero(pt, cl)); /* nothing unauthenticated released */
        result = seal_ok && open_ok;
        tenon_aead_wipe(&ctx);
    }
    free(key), free(iv), free(aad), free(msg), free(ct), free(tag), free(out), free(pt);
    return result;
}

/* ------------------------------------------------------------------------------------------
 * Random inputs: accelerated vs portable, and everything vs OpenSSL.
 * ------------------------------------------------------------------------------------------ */

static size_t rand_below(size_t n)
{
    return (size_t)(tu_rand_u64() % n);
}

static size_t rand_key_len(void)
{
    static const size_t lens[3] = {16, 24, 32};
    return lens[rand_below(3)];
}

static size_t rand_nonce_len(void)
{
    return rand_below(4) != 0 ? 12 : 1 + rand_below(80);
}

/* Seals and opens with cls and with the portable class at the given buffer offsets; the
 * results must be identical. Also in place. Returns 1 if all agreed. */
static int compare_one(const tenon_aead_class *cls, size_t key_len, size_t nonce_len,
                       size_t aad_len, size_t len, size_t misalign)
{
    uint8_t key[32], nonce[80], aad_buf[320], t1[16], t2[16];
    uint8_t *pt_buf = malloc(len + 64), *c1_buf = malloc(len + 64), *c2_buf = malloc(len + 64);
    uint8_t *pt = pt_buf + (misalign & 31), *c1 = c1_buf + ((misalign >> 5) & 31);
    uint8_t *c2 = c2_buf + 7, *aad = aad_buf + (misalign % 13);
    tu_rand(key, sizeof key);
    tu_rand(nonce, sizeof nonce);
    tu_rand(aad_buf, sizeof aad_buf);
    tu_rand(pt, len);
    tenon_aead_ctx a, p;
    int ok = 1;
    ok &= CHECK(tenon_aead_init(&a, cls, key, key_len) == TENON_OK);
    ok &= CHECK(tenon_aead_init(&p, portable, key, key_len) == TENON_OK);
    ok &= CHECK(tenon_aead_seal(&a, nonce, nonce_len, aad, aad_len, pt, len, c1, t1) == TENON_OK);
    ok &= CHECK(tenon_aead_seal(&p, nonce, nonce_len, aad, aad_len, pt, len, c2, t2) == TENON_OK);
    ok &= memcmp(c1, c2, len) == 0 && memcmp(t1, t2, 16) == 0;
    /* Open the portable output with cls, in place. */
    ok &= tenon_aead_open(&a, nonce, nonce_len, aad, aad_len, c2, len, t2, c2) == TENON_OK;
    ok &= memcmp(c2, pt, len) == 0;
    /* Seal in place with cls. */
    ok &= tenon_aead_seal(&a, nonce, nonce_len, aad, aad_len, c2, len, c2, t2) == TENON_OK;
    ok &= memcmp(c1, c2, len) == 0 && memcmp(t1, t2, 16) == 0;
    if (!ok)
        fprintf(stderr, "    %s vs portable: key %zu nonce %zu aad %zu len %zu misalign %zu\n",
                cls->name, key_len, nonce_len, aad_len, len, misalign);
    free(pt_buf), free(c1_buf), free(c2_buf);
    return ok;
}

static void test_vs_portable(const tenon_aead_class *cls)
{
    unsigned long bad = 0;
    for (size_t len = 0; len <= 1024; len++)
        bad += !compare_one(cls, rand_key_len(), rand_nonce_len(), rand_below(40), len,
                            rand_below(1024));
    for (size_t aad_len = 0; aad_len <= 300; aad_len++)
        bad += !compare_one(cls, rand_key_len(), rand_nonce_len(), aad_len, rand_below(600),
                            rand_below(1024));
    /* Long messages: several megabytes, odd tails. */
    bad += !compare_one(cls, 16, 12, 13, (3u << 20) + 77, 3);
    bad += !compare_one(cls, 32, 12, 0, (2u << 20) + 256, 0);
    bad += !compare_one(cls, 24, 31, 301, (1u << 20) + 15, 40);
    CHECK(bad == 0);
    printf("test_gcm: %s vs portable: %lu mismatches\n", cls->name, bad);
}

static void test_vs_openssl(const tenon_aead_class *cls)
{
    unsigned long bad = 0;
    for (int i = 0; i < 400; i++) {
        size_t key_len = rand_key_len(), nonce_len = i % 2 ? 12 : 1 + rand_below(100);
        size_t aad_len = rand_below(100), len = i < 300 ? rand_below(2100) : rand_below(70000);
        uint8_t key[32], nonce[100], aad[100], t1[16], t2[16];
        uint8_t *pt = malloc(len + 1), *c1 = malloc(len + 16), *c2 = malloc(len + 16);
        uint8_t *back = malloc(len + 16);
        tu_rand(key, sizeof key);
        tu_rand(nonce, sizeof nonce);
        tu_rand(aad, sizeof aad);
        tu_rand(pt, len);
        tenon_aead_ctx ctx;
        int ok = tenon_aead_init(&ctx, cls, key, key_len) == TENON_OK;
        ok &= tenon_aead_seal(&ctx, nonce, nonce_len, aad, aad_len, pt, len, c1, t1) == TENON_OK;
        ok &= ossl_seal(key, key_len, nonce, nonce_len, aad, aad_len, pt, len, c2, t2);
        ok &= memcmp(c1, c2, len) == 0 && memcmp(t1, t2, 16) == 0;
        /* OpenSSL opens tenon's output and tenon opens OpenSSL's. */
        ok &= ossl_open(key, key_len, nonce, nonce_len, aad, aad_len, c1, len, t1, back);
        ok &= memcmp(back, pt, len) == 0;
        memset(back, 0, len);
        ok &= tenon_aead_open(&ctx, nonce, nonce_len, aad, aad_len, c2, len, t2, back) == 0;
        ok &= memcmp(back, pt, len) == 0;
        if (!ok) {
            bad++;
            fprintf(stderr, "    %s vs OpenSSL: key %zu nonce %zu aad %zu len %zu\n", cls->name,
                    key_len, nonce_len, aad_len, len);
        }
        free(pt), free(c1), free(c2), free(back);
    }
    CHECK(bad == 0);
    printf("test_gcm: %s vs OpenSSL: 400 random cases, %lu mismatches\n", cls->name, bad);
}

/* Every length 0..2000 against OpenSSL, sealed and opened in place (the buffer is the input
 * and the output), with AAD of 0..40 bytes and 96-bit nonces (the VAES classes' block-form
 * counters), each message starting at an odd offset of its buffer, then a few long ones
 * (TLS records among them): every batch and tail boundary of each implementation. */
static void test_vs_openssl_every_length(const tenon_aead_class *cls)
{
    enum { MAXLEN = 2000, LONGEST = 70000 };
    /* Past 4 KiB the counter's last byte carries inside some batches (CTR_SET_BE's limit). */
    static const size_t longs[] = {4096, 4099, 16384, 16384 + 1, 16384 + 256, LONGEST};
    static uint8_t pt[LONGEST + 1], buf[LONGEST + 8], ref[LONGEST + 16];
    unsigned long bad = 0;
    uint8_t key[32], nonce[12], aad[40], t1[16], t2[16];
    for (size_t i = 0; i <= MAXLEN + sizeof longs / sizeof longs[0]; i++) {
        const size_t len = i <= MAXLEN ? i : longs[i - MAXLEN - 1];
        const size_t key_len = rand_key_len(), aad_len = len % 41;
        tu_rand(key, sizeof key);
        tu_rand(nonce, sizeof nonce);
        tu_rand(aad, sizeof aad);
        tu_rand(pt, len);
        uint8_t *io = buf + 1 + len % 7;
        memcpy(io, pt, len);
        tenon_aead_ctx ctx;
        int ok = tenon_aead_init(&ctx, cls, key, key_len) == TENON_OK;
        ok &= tenon_aead_seal(&ctx, nonce, 12, aad, aad_len, io, len, io, t1) == TENON_OK;
        ok &= ossl_seal(key, key_len, nonce, 12, aad, aad_len, pt, len, ref, t2);
        ok &= memcmp(io, ref, len) == 0 && memcmp(t1, t2, 16) == 0;
        ok &= tenon_aead_open(&ctx, nonce, 12, aad, aad_len, io, len, t2, io) == TENON_OK;
        ok &= memcmp(io, pt, len) == 0;
        tenon_aead_wipe(&ctx);
        if (!ok) {
            bad++;
            fprintf(stderr, "    %s vs OpenSSL in place: key %zu aad %zu len %zu\n", cls->name,
                    key_len, aad_len, len);
        }
    }
    CHECK(bad == 0);
    printf("test_gcm: %s vs OpenSSL in place, every length 0..%d and 6 long: %lu mismatches\n",
           cls->name, MAXLEN, bad);
}

/* ------------------------------------------------------------------------------------------
 * The 32-bit counter wrapping inside a message (§6.2 inc32). J0 for a 16-byte nonce N is
 * GHASH_H(N || [128]_128) = N*H^2 ^ L*H, which is linear in N: pick J0 with its counter field
 * just below 2^32 and solve N = (J0 ^ L*H) * H^-2, with a bit-serial multiplication written
 * from §6.3 (Algorithm 1) and the inverse as H^(2^128 - 2).
 * ------------------------------------------------------------------------------------------ */

static void ref_mul(uint8_t z[16], const uint8_t x[16], const uint8_t y[16])
{
    uint8_t v[16], r[16] = {0};
    memcpy(v, y, 16);
    for (int i = 0; i < 128; i++) {
        if ((x[i / 8] >> (7 - i % 8)) & 1) {
            for (int j = 0; j < 16; j++)
                r[j] ^= v[j];
        }
        int lsb = v[15] & 1;
        for (int j = 15; j > 0; j--)
            v[j] = (uint8_t)((v[j] >> 1) | (v[j - 1] << 7));
        v[0] >>= 1;
        if (lsb)
            v[0] ^= 0xE1; /* R = 11100001 || 0^120 */
    }
    memcpy(z, r, 16);
}

static void ref_inv(uint8_t z[16], const uint8_t a[16])
{
    /* a^(2^128 - 2) = a^2 * a^4 * ... * a^(2^127). */
    uint8_t sq[16], acc[16] = {0x80}; /* the field's 1 */
    memcpy(sq, a, 16);
    for (int i = 1; i < 128; i++) {
        ref_mul(sq, sq, sq);
        ref_mul(acc, acc, sq);
    }
    memcpy(z, acc, 16);
}

static void test_counter_wrap(const tenon_aead_class *cls)
{
    /* Then the wrap at and just before the blocks of a last partial batch of 1..48 bytes, whose
     * keystream an implementation may compute early (gcm_vaes_avx512.c: with E(K, J0)): block
     * b takes counter c + 1 + b, so the wrap is at block below[i]; 256-byte batches. */
    static const uint32_t below[] = {0, 1, 2, 7, 14, 15, 16, 17, 31, 100, 63, 64, 32, 33, 34, 35};
    static const size_t fixed_len[] = {0, 0, 0,    0,    0,   0,   0,   0,
                                       0, 0, 1025, 1025, 560, 560, 560, 560};
    unsigned long bad = 0;
    for (size_t i = 0; i < sizeof below / sizeof below[0]; i++) {
        size_t key_len = rand_key_len(), len = fixed_len[i] ? fixed_len[i] : 300 + rand_below(800);
        uint8_t key[32], h[16] = {0}, j0[16], l[16] = {0}, nonce[16], t[16];
        tu_rand(key, sizeof key);
        EVP_CIPHER_CTX *e = EVP_CIPHER_CTX_new();
        const EVP_CIPHER *ecb = key_len == 16   ? EVP_aes_128_ecb()
                                : key_len == 24 ? EVP_aes_192_ecb()
                                                : EVP_aes_256_ecb();
        int n;
        CHECK(EVP_EncryptInit_ex(e, ecb, NULL, key, NULL) == 1);
        CHECK(EVP_EncryptUpdate(e, h, &n, h, 16) == 1);
        EVP_CIPHER_CTX_free(e);
        /* J0 = random || counter; the first data block uses counter + 1. */
        tu_rand(j0, 12);
        uint32_t c = 0xFFFFFFFFu - below[i];
        j0[12] = (uint8_t)(c >> 24), j0[13] = (uint8_t)(c >> 16);
        j0[14] = (uint8_t)(c >> 8), j0[15] = (uint8_t)c;
        l[15] = 128; /* [0]_64 || [len(N) = 128 bits]_64 */
        uint8_t lh[16], h2[16], h2inv[16];
        ref_mul(lh, l, h);
        for (int j = 0; j < 16; j++)
            j0[j] ^= lh[j];
        ref_mul(h2, h, h);
        ref_inv(h2inv, h2);
        ref_mul(nonce, j0, h2inv);
        /* Forward check: GHASH_H(N || L) computed from §6.4 must give the chosen counter. */
        uint8_t y[16];
        ref_mul(y, nonce, h);
        for (int j = 0; j < 16; j++)
            y[j] ^= l[j];
        ref_mul(y, y, h);
        CHECK(((uint32_t)y[12] << 24 | (uint32_t)y[13] << 16 | (uint32_t)y[14] << 8 | y[15]) == c);

        uint8_t *pt = malloc(len), *c1 = malloc(len + 16), *c2 = malloc(len + 16);
        uint8_t t2[16];
        tu_rand(pt, len);
        tenon_aead_ctx ctx;
        int ok = tenon_aead_init(&ctx, cls, key, key_len) == TENON_OK;
        ok &= tenon_aead_seal(&ctx, nonce, 16, NULL, 0, pt, len, c1, t) == TENON_OK;
        ok &= ossl_seal(key, key_len, nonce, 16, NULL, 0, pt, len, c2, t2);
        ok &= memcmp(c1, c2, len) == 0 && memcmp(t, t2, 16) == 0;
        ok &= tenon_aead_open(&ctx, nonce, 16, NULL, 0, c1, len, t, c1) == TENON_OK;
        ok &= memcmp(c1, pt, len) == 0;
        if (!ok) {
            bad++;
            fprintf(stderr, "    %s: counter wrap %u blocks in, len %zu\n", cls->name, below[i] + 1,
                    len);
        }
        free(pt), free(c1), free(c2);
    }
    CHECK(bad == 0);
}

/* ------------------------------------------------------------------------------------------
 * Tampering: one flipped bit anywhere makes open fail and leaves the output all zero.
 * ------------------------------------------------------------------------------------------ */

static int open_fails_zeroed(const tenon_aead_ctx *ctx, const uint8_t *nonce, const uint8_t *aad,
                             size_t aad_len, const uint8_t *ct, size_t len, const uint8_t *tag,
                             uint8_t *out)
{
    memset(out, 0x5A, len);
    int rc = tenon_aead_open(ctx, nonce, 12, aad, aad_len, ct, len, tag, out);
    return rc == TENON_ERR_AUTH_FAILED && all_zero(out, len);
}

static void test_tamper(const tenon_aead_class *cls)
{
    static const size_t lens[] = {1, 16, 61, 300};
    unsigned long bad = 0, tries = 0;
    for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
        size_t len = lens[li], aad_len = 21;
        uint8_t key[32], nonce[12], aad[21], tag[16], pt[300], ct[300], out[300];
        tu_rand(key, 32);
        tu_rand(nonce, 12);
        tu_rand(aad, aad_len);
        tu_rand(pt, len);
        tenon_aead_ctx ctx;
        CHECK_RC(tenon_aead_init(&ctx, cls, key, 16 + 8 * (li % 3)), TENON_OK);
        CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, aad, aad_len, pt, len, ct, tag), TENON_OK);
        for (size_t bit = 0; bit < 128; bit++, tries++) {
            tag[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            bad += !open_fails_zeroed(&ctx, nonce, aad, aad_len, ct, len, tag, out);
            tag[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        for (size_t bit = 0; bit < 8 * len; bit += (len > 64 ? 7 : 1), tries++) {
            ct[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            bad += !open_fails_zeroed(&ctx, nonce, aad, aad_len, ct, len, tag, out);
            ct[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        for (size_t bit = 0; bit < 8 * aad_len; bit++, tries++) {
            aad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            bad += !open_fails_zeroed(&ctx, nonce, aad, aad_len, ct, len, tag, out);
            aad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        /* A wrong nonce, a truncated AAD, and in place. */
        nonce[0] ^= 1;
        bad += !open_fails_zeroed(&ctx, nonce, aad, aad_len, ct, len, tag, out);
        nonce[0] ^= 1;
        bad += !open_fails_zeroed(&ctx, nonce, aad, aad_len - 1, ct, len, tag, out);
        tag[15] ^= 0x80;
        memcpy(out, ct, len);
        bad += tenon_aead_open(&ctx, nonce, 12, aad, aad_len, out, len, tag, out) !=
                   TENON_ERR_AUTH_FAILED ||
               !all_zero(out, len);
        tag[15] ^= 0x80;
        tries += 3;
        /* And the untouched message still opens. */
        CHECK_RC(tenon_aead_open(&ctx, nonce, 12, aad, aad_len, ct, len, tag, out), TENON_OK);
        CHECK_MEM(out, pt, len, "untampered open");
    }
    CHECK(bad == 0);
    printf("test_gcm: %s tampering: %lu forgeries tried, %lu accepted or not zeroed\n", cls->name,
           tries, bad);
}

/* ------------------------------------------------------------------------------------------
 * Arguments.
 * ------------------------------------------------------------------------------------------ */

static void test_args(const tenon_aead_class *cls)
{
    uint8_t key[33] = {1}, nonce[12] = {2}, buf[32] = {0}, tag[16];
    tenon_aead_ctx ctx;
    static const size_t bad_keys[] = {0, 1, 15, 17, 23, 25, 31, 33};
    for (size_t i = 0; i < sizeof bad_keys / sizeof bad_keys[0]; i++)
        CHECK_RC(tenon_aead_init(&ctx, cls, key, bad_keys[i]), TENON_ERR_BAD_KEY_LENGTH);
    CHECK_RC(tenon_aead_init(&ctx, cls, key, 16), TENON_OK);
    CHECK_RC(tenon_aead_seal(&ctx, nonce, 0, NULL, 0, buf, 16, buf, tag),
             TENON_ERR_BAD_NONCE_LENGTH);
    CHECK_RC(tenon_aead_open(&ctx, nonce, 0, NULL, 0, buf, 16, tag, buf),
             TENON_ERR_BAD_NONCE_LENGTH);
    CHECK_RC(tenon_aead_seal(&ctx, NULL, 12, NULL, 0, buf, 16, buf, tag),
             TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, NULL, 5, buf, 16, buf, tag),
             TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, NULL, 0, NULL, 16, buf, tag),
             TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, NULL, 0, buf, 16, buf, NULL),
             TENON_ERR_INVALID_ARGUMENT);
    /* Empty message and AAD with NULL pointers: a bare GMAC tag. */
    CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, NULL, 0, NULL, 0, NULL, tag), TENON_OK);
    CHECK_RC(tenon_aead_open(&ctx, nonce, 12, NULL, 0, NULL, 0, tag, NULL), TENON_OK);
    tag[3] ^= 1;
    CHECK_RC(tenon_aead_open(&ctx, nonce, 12, NULL, 0, NULL, 0, tag, NULL), TENON_ERR_AUTH_FAILED);
    tenon_aead_wipe(&ctx);
    CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, NULL, 0, buf, 16, buf, tag),
             TENON_ERR_NOT_INITIALISED);
}

int main(void)
{
    tu_seed(0x6763d1u);
    find_impls();
    for (size_t i = 0; i < nimpls; i++) {
        const tenon_aead_class *cls = impls[i];
        printf("test_gcm: %s\n", cls->name);
        test_spec_vectors(cls);
        tu_wycheproof("aes_gcm_test.json", cls->name, wycheproof_case, (void *)(uintptr_t)cls);
        test_vs_openssl(cls);
        test_vs_openssl_every_length(cls);
        test_counter_wrap(cls);
        test_tamper(cls);
        test_args(cls);
        if (cls != portable)
            test_vs_portable(cls);
    }
    /* With every feature masked off, the choice is the portable class. */
    tenon_cpu_set_mask(0);
    CHECK(tenon_aead_aes_gcm() == portable);
    tenon_cpu_set_mask(UINT32_MAX);
    CHECK(nimpls == 0 || tenon_aead_aes_gcm() == impls[0]);
    return tu_finish("test_gcm");
}
