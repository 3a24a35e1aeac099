/*
 * HMAC (RFC 2104): the RFC 4231 test cases, Wycheproof's HMAC files (full and truncated tags),
 * a differential against OpenSSL's HMAC() on random keys and messages, and the incremental
 * API (split updates, final() then more data, wipe).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common.h"
#include "testutil.h"

static const tenon_hash_class *const classes[] = {&tenon_sha1, &tenon_sha256, &tenon_sha384,
                                                  &tenon_sha512};

static const EVP_MD *evp_of(const tenon_hash_class *h)
{
    if (h == &tenon_sha1)
        return EVP_sha1();
    if (h == &tenon_sha256)
        return EVP_sha256();
    if (h == &tenon_sha384)
        return EVP_sha384();
    return EVP_sha512();
}

/* RFC 4231 §4.2-4.8. Keys and data are given as (byte, count) runs or text, as in the RFC. */
struct rfc4231_case {
    int tc;
    const char *key_hex;
    const char *data;     /* text, or NULL when data_hex is used */
    const char *data_hex; /* hex */
    size_t trunc;         /* output truncated to this many bytes (test case 5), 0: none */
    const char *sha256, *sha384, *sha512;
};

static const char key_aa131[] =
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

static const struct rfc4231_case rfc4231[] = {
    {1, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There", NULL, 0,
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
     "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2f"
     "a9cb6",
     "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea"
     "3f4e4be9d914eeb61f1702e696c203a126854"},
    {2, "4a656665", "what do ya want for nothing?", NULL, 0,
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
     "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab"
     "21649",
     "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f"
     "0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
    {3, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL,
     "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
     "dddddddddddddddddddd",
     0, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
     "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a"
     "34f27",
     "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e6"
     "7c807b946a337bee8942674278859e13292fb"},
    {4, "0102030405060708090a0b0c0d0e0f10111213141516171819", NULL,
     "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
     "cdcdcdcdcdcdcdcdcdcd",
     0, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
     "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c67"
     "4cffb",
     "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc57"
     "88063a5f19741120c4f2de2adebeb10a298dd"},
    {5, "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", "Test With Truncation", NULL, 16,
     "a3b6167473100ee06e0c796c2955552b", "3abf34c3503b2a23a46efc619baef897",
     "415fad6271580a531d4179bc891d87a6"},
    {6, key_aa131, "Test Using Larger Than Block-Size Key - Hash Key First", NULL, 0,
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
     "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f"
     "44952",
     "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6"
     "a1e5295e64f73f63f0aec8b915a985d786598"},
    {7, key_aa131,
     "This is a test using a larger than block-size key and a larger than block-size data. The "
     "key needs to be hashed before being used by the HMAC algorithm.",
     NULL, 0, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
     "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c4"
     "6523e",
     "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e"
     "4de15134676fb6de0446065c97440fa8c6a58"},
};

static void test_rfc4231(void)
{
    unsigned long before = tu_passed;
    for (size_t i = 0; i < ARRAY_LEN(rfc4231); i++) {
        const struct rfc4231_case *t = &rfc4231[i];
        size_t klen, dlen;
        uint8_t *key = tu_hex(t->key_hex, &klen);
        uint8_t *data;
        if (t->data != NULL) {
            dlen = strlen(t->data);
            data = malloc(dlen + 1);
            memcpy(data, t->data, dlen + 1);
        } else {
            data = tu_hex(t->data_hex, &dlen);
        }
        const tenon_hash_class *hs[3] = {&tenon_sha256, &tenon_sha384, &tenon_sha512};
        const char *want_hex[3] = {t->sha256, t->sha384, t->sha512};
        for (int j = 0; j < 3; j++) {
            size_t wlen;
            uint8_t *want = tu_hex(want_hex[j], &wlen);
            uint8_t got[TENON_HASH_MAX_LEN];
            CHECK(wlen == (t->trunc ? t->trunc : hs[j]->digest_len));
            tenon_hmac(hs[j], key, klen, data, dlen, got);
            CHECK_MEM(got, want, wlen, "RFC 4231");
            free(want);
        }
        free(key);
        free(data);
    }
    printf("RFC 4231 test cases 1-7 (HMAC-SHA-256/384/512): %lu checks passed\n",
           tu_passed - before);
}

/* Wycheproof MacTest: the group's tagSize (bits) may truncate the tag; a valid case's tag is the
 * first tagSize/8 bytes of the HMAC, an invalid one's must not match. */
static int wycheproof_hmac(const cJSON *group, const cJSON *test, void *arg)
{
    const tenon_hash_class *h = arg;
    size_t tag_size = (size_t)tu_json_int(group, "tagSize") / 8;
    size_t klen, mlen, tlen;
    uint8_t *key = tu_json_hex(test, "key", &klen);
    uint8_t *msg = tu_json_hex(test, "msg", &mlen);
    uint8_t *tag = tu_json_hex(test, "tag", &tlen);
    uint8_t full[TENON_HASH_MAX_LEN];
    int ok = 0;
    if (tag_size <= h->digest_len && tlen == tag_size) {
        tenon_hmac(h, key, klen, msg, mlen, full);
        ok = tenon_ct_memeq(full, tag, tag_size);
    }
    free(key);
    free(msg);
    free(tag);
    return ok;
}

static void test_wycheproof(void)
{
    tu_wycheproof("hmac_sha1_test.json", "HMAC-SHA-1", wycheproof_hmac, (void *)&tenon_sha1);
    tu_wycheproof("hmac_sha256_test.json", "HMAC-SHA-256", wycheproof_hmac, (void *)&tenon_sha256);
    tu_wycheproof("hmac_sha384_test.json", "HMAC-SHA-384", wycheproof_hmac, (void *)&tenon_sha384);
    tu_wycheproof("hmac_sha512_test.json", "HMAC-SHA-512", wycheproof_hmac, (void *)&tenon_sha512);
}

/* Random keys (0..300 bytes: empty, shorter, equal to and longer than the block) and messages
 * against OpenSSL's HMAC(), with the portable code forced and with the default choice. */
static void test_vs_openssl(void)
{
    uint8_t key[300], msg[3000];
    for (int pass = 0; pass < 2; pass++) {
        tenon_cpu_set_mask(pass == 0 ? 0 : UINT32_MAX);
        for (size_t c = 0; c < ARRAY_LEN(classes); c++) {
            const tenon_hash_class *h = classes[c];
            unsigned long fails = tu_failed;
            int cases = 0;
            tu_seed(4231 + c);
            for (int t = 0; t < 400; t++, cases++) {
                size_t klen = (size_t)(tu_rand_u64() % (sizeof key + 1));
                size_t mlen = (size_t)(tu_rand_u64() % (sizeof msg + 1));
                if (t < 8) /* the edges: empty key, key of exactly one block and one more */
                    klen = (size_t[]){0,
                                      1,
                                      h->block_len - 1,
                                      h->block_len,
                                      h->block_len + 1,
                                      h->digest_len,
                                      2 * h->block_len,
                                      299}[t];
                tu_rand(key, klen);
                tu_rand(msg, mlen);
                uint8_t got[TENON_HASH_MAX_LEN], want[EVP_MAX_MD_SIZE];
                unsigned int wlen = 0;
                tenon_hmac(h, key, klen, msg, mlen, got);
                if (HMAC(evp_of(h), key, (int)klen, msg, mlen, want, &wlen) == NULL)
                    abort();
                CHECK(wlen == h->digest_len);
                CHECK_MEM(got, want, h->digest_len, "HMAC vs OpenSSL");
            }
            printf("HMAC-%s (%s) vs OpenSSL: %d cases, %s\n", h->name,
                   pass == 0 ? "portable forced" : "default", cases,
                   tu_failed == fails ? "identical" : "MISMATCH");
        }
    }
    tenon_cpu_set_mask(UINT32_MAX);
}

/* Split updates, final() twice and final() followed by more data, the wipe. */
static void test_incremental(void)
{
    uint8_t key[80], msg[400];
    tu_seed(2104);
    tu_rand(key, sizeof key);
    tu_rand(msg, sizeof msg);
    for (size_t c = 0; c < ARRAY_LEN(classes); c++) {
        const tenon_hash_class *h = classes[c];
        uint8_t want[TENON_HASH_MAX_LEN], got[TENON_HASH_MAX_LEN];
        tenon_hmac(h, key, sizeof key, msg, sizeof msg, want);
        int ok = 1;
        for (size_t k = 0; k <= sizeof msg; k++) {
            tenon_hmac_ctx ctx;
            tenon_hmac_init(&ctx, h, key, sizeof key);
            tenon_hmac_update(&ctx, msg, k);
            tenon_hmac_update(&ctx, msg + k, sizeof msg - k);
            tenon_hmac_final(&ctx, got);
            ok &= memcmp(got, want, h->digest_len) == 0;
            tenon_hmac_wipe(&ctx);
        }
        CHECK(ok);

        /* A running MAC: the tag of each prefix, then the context goes on. */
        tenon_hmac_ctx ctx;
        tenon_hmac_init(&ctx, h, key, sizeof key);
        for (size_t cut = 0; cut <= sizeof msg; cut += 100) {
            uint8_t prefix[TENON_HASH_MAX_LEN], again[TENON_HASH_MAX_LEN];
            tenon_hmac_final(&ctx, got);
            tenon_hmac_final(&ctx, again);
            tenon_hmac(h, key, sizeof key, msg, cut, prefix);
            CHECK_MEM(got, prefix, h->digest_len, "HMAC final then update");
            CHECK_MEM(again, prefix, h->digest_len, "HMAC final twice");
            tenon_hmac_update(&ctx, msg + cut, cut + 100 <= sizeof msg ? 100 : 0);
        }
        tenon_hmac_wipe(&ctx);
        static const uint8_t zero[sizeof(tenon_hmac_ctx)];
        CHECK(memcmp(&ctx, zero, sizeof ctx) == 0);
    }
}

int main(void)
{
    test_rfc4231();
    test_wycheproof();
    test_vs_openssl();
    test_incremental();
    return tu_finish("test_hmac");
}
