/*
 * The running transcript hash: RFC 8448 §3's transcript hashes, hash selection after the
 * ClientHello, "hash so far" reads, the binder helper, and the HelloRetryRequest rewrite of
 * RFC 8446 §4.4.1 against OpenSSL's one-shot hashes.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "testutil.h"
#include "tls/transcript.h"

static cJSON *root;
static const cJSON *derived, *inputs, *messages;

static uint8_t *msg(const char *name, size_t *n)
{
    const cJSON *where = cJSON_GetObjectItemCaseSensitive(inputs, name) ? inputs : messages;
    return tu_json_hex(where, name, n);
}

static void ossl_hash(const char *md, const uint8_t *in, size_t len, uint8_t *out)
{
    unsigned int n = 0;
    CHECK(EVP_Digest(in, len, out, &n, EVP_get_digestbyname(md), NULL) == 1);
}

static void test_rfc8448(void)
{
    static const char *const order[] = {
        "client_hello",       "server_hello",    "encrypted_extensions", "certificate",
        "certificate_verify", "server_finished", "client_finished"};
    tls_transcript t;
    uint8_t h[TENON_HASH_MAX_LEN], h2[TENON_HASH_MAX_LEN];
    size_t hl = 0, n;

    /* Client view: ClientHello hashed before the suite is known. */
    tls_transcript_init(&t);
    uint8_t *m = msg(order[0], &n);
    tls_transcript_update(&t, m, n);
    free(m);
    CHECK_RC(tls_transcript_hash(&t, h, &hl), TENON_ERR_NOT_INITIALISED);
    m = msg(order[1], &n);
    tls_transcript_update(&t, m, n);
    free(m);
    CHECK_RC(tls_transcript_select(&t, &tenon_sha256), TENON_OK);
    CHECK_RC(tls_transcript_select(&t, &tenon_sha256), TENON_OK);
    CHECK_RC(tls_transcript_select(&t, &tenon_sha384), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tls_transcript_hash(&t, h, &hl), TENON_OK);
    CHECK(hl == 32);
    size_t wl;
    uint8_t *want = tu_json_hex(derived, "transcript_hash_ch_sh", &wl);
    CHECK_MEM(h, want, 32, "CH..SH");
    free(want);
    /* Reading does not disturb: twice the same. */
    CHECK_RC(tls_transcript_hash(&t, h2, NULL), TENON_OK);
    CHECK_MEM(h, h2, 32, "second read");

    for (size_t i = 2; i < 6; i++) {
        m = msg(order[i], &n);
        tls_transcript_update(&t, m, n);
        free(m);
    }
    CHECK_RC(tls_transcript_hash(&t, h, NULL), TENON_OK);
    want = tu_json_hex(derived, "transcript_hash_ch_server_finished", &wl);
    CHECK_MEM(h, want, 32, "CH..SF");
    free(want);
    m = msg(order[6], &n);
    /* The client Finished fed one byte at a time. */
    for (size_t i = 0; i < n; i++)
        tls_transcript_update(&t, m + i, 1);
    free(m);
    CHECK_RC(tls_transcript_hash(&t, h, NULL), TENON_OK);
    want = tu_json_hex(derived, "transcript_hash_ch_client_finished", &wl);
    CHECK_MEM(h, want, 32, "CH..CF");
    free(want);
    tls_transcript_wipe(&t);

    /* Server view: the hash known from the start. */
    CHECK_RC(tls_transcript_init_hash(&t, &tenon_sha256), TENON_OK);
    for (size_t i = 0; i < 2; i++) {
        m = msg(order[i], &n);
        tls_transcript_update(&t, m, n);
        free(m);
    }
    CHECK_RC(tls_transcript_hash(&t, h, NULL), TENON_OK);
    want = tu_json_hex(derived, "transcript_hash_ch_sh", &wl);
    CHECK_MEM(h, want, 32, "CH..SH (init_hash)");
    free(want);
    CHECK_RC(tls_transcript_init_hash(&t, &tenon_sha1), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tls_transcript_init_hash(&t, &tenon_sha512), TENON_ERR_INVALID_ARGUMENT);
}

static void test_select_and_binder(void)
{
    static uint8_t data[3000];
    tu_seed(4411);
    tu_rand(data, sizeof data);
    uint8_t got[64], want[64], got2[64];
    static const char *const mds[] = {"SHA256", "SHA384"};
    const tenon_hash_class *hs[] = {&tenon_sha256, &tenon_sha384};

    for (int k = 0; k < 2; k++) {
        tls_transcript t;
        tls_transcript_init(&t);
        tls_transcript_update(&t, data, 1000);
        tls_transcript_update(&t, data + 1000, 0);
        CHECK(t.len == 1000);

        /* A binder over a truncated ClientHello, under either candidate, before selection. */
        CHECK_RC(tls_transcript_hash_with(&t, hs[k], data + 1000, 500, got), TENON_OK);
        ossl_hash(mds[k], data, 1500, want);
        CHECK_MEM(got, want, hs[k]->digest_len, "hash_with before select");
        CHECK_RC(tls_transcript_hash_with(&t, hs[k], NULL, 0, got), TENON_OK);
        ossl_hash(mds[k], data, 1000, want);
        CHECK_MEM(got, want, hs[k]->digest_len, "hash_with, nothing extra");
        CHECK_RC(tls_transcript_hash_with(&t, &tenon_sha1, NULL, 0, got),
                 TENON_ERR_INVALID_ARGUMENT);

        CHECK_RC(tls_transcript_select(&t, hs[k]), TENON_OK);
        CHECK(t.hash == hs[k]);
        tls_transcript_update(&t, data + 1000, 2000);
        size_t gl = 0;
        CHECK_RC(tls_transcript_hash(&t, got, &gl), TENON_OK);
        CHECK(gl == hs[k]->digest_len);
        ossl_hash(mds[k], data, 3000, want);
        CHECK_MEM(got, want, gl, "selected after 1000 bytes");
        /* hash_with after selection: only the selected hash. */
        CHECK_RC(tls_transcript_hash_with(&t, hs[k], data, 7, got2), TENON_OK);
        CHECK_RC(tls_transcript_hash_with(&t, hs[1 - k], data, 7, got2),
                 TENON_ERR_INVALID_ARGUMENT);
        /* ... and the transcript is unchanged by it. */
        CHECK_RC(tls_transcript_hash(&t, got2, NULL), TENON_OK);
        CHECK_MEM(got, got2, gl, "unchanged by hash_with");
        tls_transcript_wipe(&t);
    }
    tls_transcript t;
    tls_transcript_init(&t);
    CHECK_RC(tls_transcript_select(&t, &tenon_sha512), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tls_transcript_select(&t, NULL), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tls_transcript_hrr_rewrite(&t), TENON_ERR_NOT_INITIALISED);
}

/* TLS 1.2 client authentication (RFC 5246 §7.4.8): the CertificateVerify's hash may differ
 * from the PRF's, so other candidates (SHA-512 on request) run beside the selected hash until
 * it is known. */
static void test_keep_for_certificate_verify(void)
{
    static uint8_t data[2500];
    tu_seed(4412);
    tu_rand(data, sizeof data);
    static const char *const mds[] = {"SHA256", "SHA384", "SHA512"};
    const tenon_hash_class *hs[] = {&tenon_sha256, &tenon_sha384, &tenon_sha512};
    uint8_t got[64], want[64];

    tls_transcript t;
    tls_transcript_init(&t);
    CHECK(tls_transcript_runs(&t, &tenon_sha256) && tls_transcript_runs(&t, &tenon_sha384));
    CHECK(!tls_transcript_runs(&t, &tenon_sha512) && !tls_transcript_runs(&t, &tenon_sha1));
    CHECK_RC(tls_transcript_also(&t, &tenon_sha512), TENON_OK);
    CHECK_RC(tls_transcript_also(&t, NULL), TENON_ERR_INVALID_ARGUMENT);
    tls_transcript_update(&t, data, 1000);
    /* Too late once something is hashed. */
    tls_transcript t2;
    tls_transcript_init(&t2);
    tls_transcript_update(&t2, data, 1);
    CHECK_RC(tls_transcript_also(&t2, &tenon_sha512), TENON_ERR_INVALID_ARGUMENT);
    tls_transcript_wipe(&t2);

    /* SHA-512 is never a suite's hash. */
    CHECK_RC(tls_transcript_select_keep(&t, &tenon_sha512), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tls_transcript_select(&t, &tenon_sha512), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tls_transcript_select_keep(&t, &tenon_sha256), TENON_OK);
    CHECK_RC(tls_transcript_select_keep(&t, &tenon_sha384), TENON_ERR_INVALID_ARGUMENT);
    tls_transcript_update(&t, data + 1000, 1000);
    for (int k = 0; k < 3; k++) {
        CHECK(tls_transcript_runs(&t, hs[k]));
        CHECK_RC(tls_transcript_hash_with(&t, hs[k], NULL, 0, got), TENON_OK);
        ossl_hash(mds[k], data, 2000, want);
        CHECK_MEM(got, want, hs[k]->digest_len, "kept candidate");
    }
    /* The CertificateVerify's hash is SHA-512: SHA-384 stops. */
    tls_transcript_keep_only(&t, &tenon_sha512);
    CHECK(!tls_transcript_runs(&t, &tenon_sha384) && tls_transcript_runs(&t, &tenon_sha512));
    CHECK_RC(tls_transcript_hash_with(&t, &tenon_sha384, NULL, 0, got), TENON_ERR_INVALID_ARGUMENT);
    tls_transcript_update(&t, data + 2000, 500);
    CHECK_RC(tls_transcript_hash_with(&t, &tenon_sha512, NULL, 0, got), TENON_OK);
    ossl_hash("SHA512", data, 2500, want);
    CHECK_MEM(got, want, 64, "SHA-512 after keep_only");
    /* Signed: only the PRF's hash goes on, unchanged. */
    tls_transcript_keep_only(&t, NULL);
    CHECK(!tls_transcript_runs(&t, &tenon_sha512) && tls_transcript_runs(&t, &tenon_sha256));
    CHECK_RC(tls_transcript_hash(&t, got, NULL), TENON_OK);
    ossl_hash("SHA256", data, 2500, want);
    CHECK_MEM(got, want, 32, "the PRF hash throughout");
    tls_transcript_wipe(&t);

    /* SHA-1 (the rsa_pkcs1_sha1 and ecdsa_sha1 schemes, when configured) likewise. */
    tls_transcript_init(&t);
    CHECK_RC(tls_transcript_also(&t, &tenon_sha1), TENON_OK);
    CHECK_RC(tls_transcript_also(&t, &tenon_sha1), TENON_OK); /* twice: the same */
    tls_transcript_update(&t, data, 777);
    CHECK_RC(tls_transcript_select(&t, &tenon_sha1), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tls_transcript_select_keep(&t, &tenon_sha384), TENON_OK);
    tls_transcript_keep_only(&t, &tenon_sha1);
    tls_transcript_update(&t, data + 777, 100);
    CHECK_RC(tls_transcript_hash_with(&t, &tenon_sha1, NULL, 0, got), TENON_OK);
    ossl_hash("SHA1", data, 877, want);
    CHECK_MEM(got, want, 20, "SHA-1 kept");
    CHECK(!tls_transcript_runs(&t, &tenon_sha256));
    tls_transcript_wipe(&t);

    /* select drops what select_keep kept. */
    tls_transcript_init(&t);
    CHECK_RC(tls_transcript_also(&t, &tenon_sha512), TENON_OK);
    CHECK_RC(tls_transcript_select_keep(&t, &tenon_sha384), TENON_OK);
    CHECK_RC(tls_transcript_select(&t, &tenon_sha384), TENON_OK);
    CHECK(!tls_transcript_runs(&t, &tenon_sha512) && !tls_transcript_runs(&t, &tenon_sha256));
    tls_transcript_wipe(&t);
}

/* RFC 8446 §4.4.1: Hash(message_hash || 00 00 Hash.length || Hash(ClientHello1) ||
 * HelloRetryRequest || ... ). */
static void test_hrr(void)
{
    size_t ch1_len;
    uint8_t *ch1 = msg("client_hello", &ch1_len);
    static uint8_t hrr[200], ch2[600];
    tu_rand(hrr, sizeof hrr);
    tu_rand(ch2, sizeof ch2);
    static const char *const mds[] = {"SHA256", "SHA384"};
    const tenon_hash_class *hs[] = {&tenon_sha256, &tenon_sha384};

    for (int k = 0; k < 2; k++) {
        size_t hl = hs[k]->digest_len;
        static uint8_t expect_in[4 + 64 + sizeof hrr + sizeof ch2];
        expect_in[0] = 254;
        expect_in[1] = 0;
        expect_in[2] = 0;
        expect_in[3] = (uint8_t)hl;
        ossl_hash(mds[k], ch1, ch1_len, expect_in + 4);
        memcpy(expect_in + 4 + hl, hrr, sizeof hrr);
        uint8_t want[64], got[64];

        tls_transcript t;
        tls_transcript_init(&t);
        tls_transcript_update(&t, ch1, ch1_len);
        CHECK_RC(tls_transcript_select(&t, hs[k]), TENON_OK); /* the HRR names the suite */
        CHECK_RC(tls_transcript_hrr_rewrite(&t), TENON_OK);
        CHECK(t.len == 4 + hl);
        /* Just the synthetic message so far. */
        CHECK_RC(tls_transcript_hash(&t, got, NULL), TENON_OK);
        ossl_hash(mds[k], expect_in, 4 + hl, want);
        CHECK_MEM(got, want, hl, "message_hash alone");
        tls_transcript_update(&t, hrr, sizeof hrr);
        CHECK_RC(tls_transcript_hash(&t, got, NULL), TENON_OK);
        ossl_hash(mds[k], expect_in, 4 + hl + sizeof hrr, want);
        CHECK_MEM(got, want, hl, "message_hash || HRR");
        /* The binder of ClientHello2 (truncated) and then the whole ClientHello2. */
        memcpy(expect_in + 4 + hl + sizeof hrr, ch2, sizeof ch2);
        CHECK_RC(tls_transcript_hash_with(&t, hs[k], ch2, 400, got), TENON_OK);
        ossl_hash(mds[k], expect_in, 4 + hl + sizeof hrr + 400, want);
        CHECK_MEM(got, want, hl, "binder over truncated CH2");
        tls_transcript_update(&t, ch2, sizeof ch2);
        CHECK_RC(tls_transcript_hash(&t, got, NULL), TENON_OK);
        ossl_hash(mds[k], expect_in, 4 + hl + sizeof hrr + sizeof ch2, want);
        CHECK_MEM(got, want, hl, "message_hash || HRR || CH2");
        tls_transcript_wipe(&t);
        CHECK(t.hash == NULL);

        /* A stateless server restarts from Hash(ClientHello1) alone (an HRR cookie). */
        CHECK_RC(tls_transcript_init_message_hash(&t, hs[k], expect_in + 4), TENON_OK);
        tls_transcript_update(&t, hrr, sizeof hrr);
        tls_transcript_update(&t, ch2, sizeof ch2);
        CHECK_RC(tls_transcript_hash(&t, got, NULL), TENON_OK);
        CHECK_MEM(got, want, hl, "init_message_hash || HRR || CH2");
        CHECK_RC(tls_transcript_init_message_hash(&t, &tenon_sha1, expect_in + 4),
                 TENON_ERR_INVALID_ARGUMENT);
    }
    free(ch1);
}

int main(void)
{
    root = tu_load_json("rfc/rfc8448_simple_1rtt.json");
    if (root == NULL)
        return tu_finish("test_transcript");
    derived = cJSON_GetObjectItemCaseSensitive(root, "derived");
    inputs = cJSON_GetObjectItemCaseSensitive(root, "inputs");
    messages = cJSON_GetObjectItemCaseSensitive(root, "messages");
    test_rfc8448();
    test_select_and_binder();
    test_hrr();
    test_keep_for_certificate_verify();
    cJSON_Delete(root);
    return tu_finish("test_transcript");
}
