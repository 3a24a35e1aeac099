/*
 * TLS 1.3 record protection: the records of RFC 8448 §3 sealed byte for byte and opened back,
 * sequence numbers, tampering, padding, the content-type scan's errors, length limits, and
 * every AEAD of TLS 1.3 cross-checked against OpenSSL.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "testutil.h"
#include "tls/record.h"

#define ARRAY_LEN_T(a) (sizeof(a) / sizeof((a)[0]))

static cJSON *root;
static const cJSON *derived, *inputs, *messages, *records, *seqs;

static uint8_t rec_buf[TLS_MAX_RECORD + 64];
static uint8_t rec_buf2[TLS_MAX_RECORD + 64];

/* The expanded keys live apart from tls_record_keys (in the engine: its buffers): a pool. */
static tenon_aead_ctx CTX_POOL[16];
static size_t ctx_next;
static tenon_aead_ctx *ctx_for(void)
{
    return &CTX_POOL[ctx_next++ % 16];
}

static void install(tls_record_keys *k, const char *key_name, const char *iv_name)
{
    size_t kl, il;
    uint8_t *key = tu_json_hex(derived, key_name, &kl);
    uint8_t *iv = tu_json_hex(derived, iv_name, &il);
    CHECK(il == 12);
    memset(k, 0, sizeof *k);
    CHECK_RC(tls13_record_keys_install(k, ctx_for(), tenon_aead_aes_gcm(), key, kl, iv), TENON_OK);
    CHECK(k->active && k->seq == 0);
    free(key);
    free(iv);
}

/* The concatenation of handshake messages named in inputs/messages. */
static size_t concat(const char *const *names, size_t count, uint8_t *out)
{
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        const cJSON *where = cJSON_GetObjectItemCaseSensitive(inputs, names[i]) ? inputs : messages;
        size_t n;
        uint8_t *m = tu_json_hex(where, names[i], &n);
        memcpy(out + total, m, n);
        total += n;
        free(m);
    }
    return total;
}

/* Seals content as the record named rec_name of the JSON (at the sequence number the JSON
 * gives), compares, then opens the RFC's record with fresh keys and compares the content. */
static void rfc_record(tls_record_keys *seal_keys, const char *key_name, const char *iv_name,
                       const char *rec_name, uint8_t type, const uint8_t *content,
                       size_t content_len)
{
    size_t want_len;
    uint8_t *want = tu_json_hex(records, rec_name, &want_len);
    long seq = tu_json_int(seqs, rec_name);
    CHECK(seal_keys->seq == (uint64_t)seq);

    size_t out_len = 0;
    CHECK_RC(tls13_seal_record(seal_keys, type, content, content_len, 0, rec_buf, sizeof rec_buf,
                               &out_len),
             TENON_OK);
    CHECK(out_len == want_len);
    CHECK_MEM(rec_buf, want, want_len, rec_name);
    CHECK(seal_keys->seq == (uint64_t)seq + 1);

    /* Open the RFC's own record, with keys brought to the same sequence number. */
    tls_record_keys ok;
    install(&ok, key_name, iv_name);
    ok.seq = (uint64_t)seq;
    memcpy(rec_buf2, want, want_len);
    uint8_t got_type = 0, *got = NULL;
    size_t got_len = 0;
    CHECK_RC(tls13_open_record(&ok, rec_buf2, want_len, &got_type, &got, &got_len), TENON_OK);
    CHECK(got_type == type);
    CHECK(got_len == content_len);
    CHECK(got == rec_buf2 + TLS_RECORD_HEADER_LEN);
    CHECK_MEM(got, content, content_len, rec_name);
    CHECK(ok.seq == (uint64_t)seq + 1);
    tls_record_keys_wipe(&ok);
    free(want);
}

static void test_rfc8448(void)
{
    static uint8_t content[8192];
    size_t n;
    tls_record_keys srv_hs, cli_hs, srv_ap, cli_ap;

    /* {server} EncryptedExtensions, Certificate, CertificateVerify, Finished: one record. */
    static const char *const flight[] = {"encrypted_extensions", "certificate",
                                         "certificate_verify", "server_finished"};
    install(&srv_hs, "server_handshake_write_key", "server_handshake_write_iv");
    n = concat(flight, 4, content);
    rfc_record(&srv_hs, "server_handshake_write_key", "server_handshake_write_iv",
               "server_handshake_flight", TLS_CT_HANDSHAKE, content, n);

    /* {client} Finished. */
    static const char *const cfin[] = {"client_finished"};
    install(&cli_hs, "client_handshake_write_key", "client_handshake_write_iv");
    n = concat(cfin, 1, content);
    rfc_record(&cli_hs, "client_handshake_write_key", "client_handshake_write_iv",
               "client_finished", TLS_CT_HANDSHAKE, content, n);

    /* {server} NewSessionTicket: the server's first application-key record (seq 0). */
    static const char *const nst[] = {"new_session_ticket"};
    install(&srv_ap, "server_application_write_key", "server_application_write_iv");
    n = concat(nst, 1, content);
    rfc_record(&srv_ap, "server_application_write_key", "server_application_write_iv",
               "server_new_session_ticket", TLS_CT_HANDSHAKE, content, n);

    /* Application data both ways (client seq 0, server seq 1). */
    install(&cli_ap, "client_application_write_key", "client_application_write_iv");
    uint8_t *app = tu_json_hex(root, "app_data_plaintext", &n);
    rfc_record(&cli_ap, "client_application_write_key", "client_application_write_iv",
               "client_app_data", TLS_CT_APPLICATION_DATA, app, n);
    rfc_record(&srv_ap, "server_application_write_key", "server_application_write_iv",
               "server_app_data", TLS_CT_APPLICATION_DATA, app, n);
    free(app);

    /* close_notify alerts: warning(1), close_notify(0). */
    static const uint8_t close_notify[2] = {1, 0};
    rfc_record(&cli_ap, "client_application_write_key", "client_application_write_iv",
               "client_close_notify", TLS_CT_ALERT, close_notify, 2);
    rfc_record(&srv_ap, "server_application_write_key", "server_application_write_iv",
               "server_close_notify", TLS_CT_ALERT, close_notify, 2);
    CHECK(srv_ap.seq == 3 && cli_ap.seq == 2);

    /* A sequence of records opened in order: each advances the sequence number, and the RFC's
     * server records open one after the other with one set of keys. */
    tls_record_keys rd;
    install(&rd, "server_application_write_key", "server_application_write_iv");
    static const char *const srv_recs[] = {"server_new_session_ticket", "server_app_data",
                                           "server_close_notify"};
    for (size_t i = 0; i < 3; i++) {
        size_t rl;
        uint8_t *r = tu_json_hex(records, srv_recs[i], &rl);
        uint8_t t, *c;
        size_t cl;
        CHECK_RC(tls13_open_record(&rd, r, rl, &t, &c, &cl), TENON_OK);
        CHECK(rd.seq == i + 1);
        free(r);
    }
    /* Out of order (the close_notify again, now at seq 3) fails. */
    {
        size_t rl;
        uint8_t *r = tu_json_hex(records, "server_close_notify", &rl);
        uint8_t t, *c;
        size_t cl;
        CHECK_RC(tls13_open_record(&rd, r, rl, &t, &c, &cl), TENON_ERR_TLS_BAD_RECORD_MAC);
        CHECK(rd.seq == 3);
        free(r);
    }

    tls_record_keys_wipe(&srv_hs);
    tls_record_keys_wipe(&cli_hs);
    tls_record_keys_wipe(&srv_ap);
    tls_record_keys_wipe(&cli_ap);
    tls_record_keys_wipe(&rd);
    CHECK(rd.active == 0 && rd.seq == 0 && rd.ctx == NULL);
}

/* Every byte of an RFC record flipped: the header's type is unexpected, its length no longer
 * describes the record, everything else (version, ciphertext, tag) fails authentication. */
static void test_tamper(void)
{
    size_t rl;
    uint8_t *r = tu_json_hex(records, "client_app_data", &rl);
    tls_record_keys k;
    install(&k, "client_application_write_key", "client_application_write_iv");
    for (size_t i = 0; i < rl; i++) {
        for (int bit = 0; bit < 8; bit += 7) {
            memcpy(rec_buf, r, rl);
            rec_buf[i] ^= (uint8_t)(1u << bit);
            k.seq = 0;
            uint8_t t = 0xee, *c = NULL;
            size_t cl = 999;
            int rc = tls13_open_record(&k, rec_buf, rl, &t, &c, &cl);
            int want = i == 0             ? TENON_ERR_TLS_UNEXPECTED_MESSAGE
                       : i == 3 || i == 4 ? TENON_ERR_TLS_DECODE
                                          : TENON_ERR_TLS_BAD_RECORD_MAC;
            if (!CHECK(rc == want))
                fprintf(stderr, "    byte %zu bit %d: got %d\n", i, bit, rc);
            CHECK(k.seq == 0);
            /* Nothing is handed out on failure. */
            CHECK(t == 0xee && c == NULL && cl == 999);
            if (want == TENON_ERR_TLS_BAD_RECORD_MAC) {
                /* no unauthenticated plaintext is left in the buffer */
                static const uint8_t zero[64];
                CHECK(memcmp(rec_buf + 5, zero, rl - 5 - 16) == 0);
            }
        }
    }
    /* Wrong sequence number: the same record at seq 1. */
    memcpy(rec_buf, r, rl);
    k.seq = 1;
    uint8_t t, *c;
    size_t cl;
    CHECK_RC(tls13_open_record(&k, rec_buf, rl, &t, &c, &cl), TENON_ERR_TLS_BAD_RECORD_MAC);
    /* Truncated records. */
    memcpy(rec_buf, r, rl);
    k.seq = 0;
    CHECK_RC(tls13_open_record(&k, rec_buf, rl - 1, &t, &c, &cl), TENON_ERR_TLS_DECODE);
    CHECK_RC(tls13_open_record(&k, rec_buf, 4, &t, &c, &cl), TENON_ERR_TLS_DECODE);
    tls_record_keys_wipe(&k);
    free(r);
}

/* Test keys of our own for one AEAD class. */
static void own_keys(tls_record_keys *k, const tenon_aead_class *cls, size_t key_len)
{
    uint8_t key[32], iv[12];
    for (size_t i = 0; i < 32; i++)
        key[i] = (uint8_t)(i * 11 + 3);
    for (size_t i = 0; i < 12; i++)
        iv[i] = (uint8_t)(0xa0 + i);
    CHECK_RC(tls13_record_keys_install(k, ctx_for(), cls, key, key_len, iv), TENON_OK);
}

/* A record whose inner plaintext is exactly `inner` (any bytes, any length), sealed with the
 * AEAD directly at the keys' sequence number: what a misbehaving peer could send. */
static size_t raw_seal(const tls_record_keys *k, const uint8_t *inner, size_t inner_len,
                       uint8_t *out)
{
    uint8_t nonce[12];
    memcpy(nonce, k->iv, 12);
    for (int i = 0; i < 8; i++)
        nonce[4 + i] ^= (uint8_t)(k->seq >> (56 - 8 * i));
    size_t body = inner_len + 16;
    out[0] = 23, out[1] = 3, out[2] = 3, out[3] = (uint8_t)(body >> 8), out[4] = (uint8_t)body;
    memcpy(out + 5, inner, inner_len);
    CHECK_RC(tenon_aead_seal(k->ctx, nonce, 12, out, 5, out + 5, inner_len, out + 5,
                             out + 5 + inner_len),
             TENON_OK);
    return 5 + body;
}

static void test_padding_and_limits(void)
{
    tls_record_keys w, r;
    own_keys(&w, tenon_aead_aes_gcm(), 16);
    own_keys(&r, tenon_aead_aes_gcm(), 16);
    static uint8_t content[TLS_MAX_PLAINTEXT + 2];
    tu_seed(8446);
    tu_rand(content, sizeof content);
    uint8_t t, *c;
    size_t cl, len;

    /* Padding round-trips; the record length shows it. */
    static const size_t pads[] = {0, 1, 2, 15, 16, 255, 256, 1000, 16384};
    static const size_t lens[] = {0, 1, 17, 100, 0, 2, 40, 300, 0};
    for (size_t i = 0; i < ARRAY_LEN_T(pads); i++) {
        CHECK_RC(tls13_seal_record(&w, TLS_CT_APPLICATION_DATA, content, lens[i], pads[i], rec_buf,
                                   sizeof rec_buf, &len),
                 TENON_OK);
        CHECK(len == 5 + lens[i] + 1 + pads[i] + 16);
        CHECK_RC(tls13_open_record(&r, rec_buf, len, &t, &c, &cl), TENON_OK);
        CHECK(t == TLS_CT_APPLICATION_DATA && cl == lens[i]);
        CHECK_MEM(c, content, cl, "padded record content");
    }
    /* Every content length and padding around the scan's 64-byte blocks, with zero bytes at
     * the content's end and a content type of every non-zero value's kind. */
    static uint8_t zc[300];
    for (size_t n = 0; n < 200; n++)
        for (size_t pad = 0; pad < 140; pad += 13) {
            memcpy(zc, content, n);
            if (n > 2)
                zc[n - 1] = zc[n - 2] = 0;
            uint8_t type = (uint8_t)(n % 3 == 0 ? TLS_CT_ALERT : TLS_CT_APPLICATION_DATA);
            CHECK_RC(tls13_seal_record(&w, type, zc, n, pad, rec_buf, sizeof rec_buf, &len),
                     TENON_OK);
            CHECK_RC(tls13_open_record(&r, rec_buf, len, &t, &c, &cl), TENON_OK);
            CHECK(t == type && cl == n && memcmp(c, zc, n) == 0);
        }
    /* The same around the scan's 1 KiB chunks: content ending just before, on and after a
     * chunk's end, padding that crosses one or several chunks. */
    static uint8_t zk[4200];
    static const size_t pads_k[] = {0, 1, 24, 63, 64, 65, 1023, 1024, 1025, 2100};
    for (size_t n = 1010; n < 3100; n += (n % 1024 > 1000 || n % 1024 < 30) ? 3 : 331)
        for (size_t pi = 0; pi < ARRAY_LEN_T(pads_k); pi++) {
            memcpy(zk, content, n);
            zk[n - 1] = 0;
            uint8_t type = (uint8_t)(n % 2 == 0 ? TLS_CT_HANDSHAKE : TLS_CT_APPLICATION_DATA);
            CHECK_RC(tls13_seal_record(&w, type, zk, n, pads_k[pi], rec_buf, sizeof rec_buf, &len),
                     TENON_OK);
            CHECK_RC(tls13_open_record(&r, rec_buf, len, &t, &c, &cl), TENON_OK);
            CHECK(t == type && cl == n && memcmp(c, zk, n) == 0);
        }
    /* Content ending in zero bytes is not eaten by the padding scan. */
    uint8_t zeros_content[5] = {7, 0, 0, 0, 0};
    CHECK_RC(
        tls13_seal_record(&w, TLS_CT_HANDSHAKE, zeros_content, 5, 3, rec_buf, sizeof rec_buf, &len),
        TENON_OK);
    CHECK_RC(tls13_open_record(&r, rec_buf, len, &t, &c, &cl), TENON_OK);
    CHECK(t == TLS_CT_HANDSHAKE && cl == 5 && memcmp(c, zeros_content, 5) == 0);

    /* Largest record: 2^14 content, no padding; and 2^14 + 1 bytes of inner plaintext as pure
     * padding. */
    CHECK_RC(tls13_seal_record(&w, TLS_CT_APPLICATION_DATA, content, TLS_MAX_PLAINTEXT, 0, rec_buf,
                               sizeof rec_buf, &len),
             TENON_OK);
    CHECK(len == 5 + TLS_MAX_PLAINTEXT + 1 + 16);
    CHECK_RC(tls13_open_record(&r, rec_buf, len, &t, &c, &cl), TENON_OK);
    CHECK(cl == TLS_MAX_PLAINTEXT);
    CHECK_MEM(c, content, cl, "2^14 record");

    /* In place: the content already at out + 5. */
    memcpy(rec_buf + 5, content, 300);
    CHECK_RC(tls13_seal_record(&w, TLS_CT_APPLICATION_DATA, rec_buf + 5, 300, 7, rec_buf,
                               sizeof rec_buf, &len),
             TENON_OK);
    CHECK_RC(tls13_open_record(&r, rec_buf, len, &t, &c, &cl), TENON_OK);
    CHECK(cl == 300);
    CHECK_MEM(c, content, 300, "in-place seal");

    /* Seal's limits. */
    CHECK_RC(tls13_seal_record(&w, TLS_CT_APPLICATION_DATA, content, TLS_MAX_PLAINTEXT + 1, 0,
                               rec_buf, sizeof rec_buf, &len),
             TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tls13_seal_record(&w, TLS_CT_APPLICATION_DATA, content, 10, TLS_MAX_PLAINTEXT - 9,
                               rec_buf, sizeof rec_buf, &len),
             TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tls13_seal_record(&w, TLS_CT_APPLICATION_DATA, content, 10, TLS_MAX_PLAINTEXT - 10,
                               rec_buf, sizeof rec_buf, &len),
             TENON_OK);
    CHECK_RC(tls13_open_record(&r, rec_buf, len, &t, &c, &cl), TENON_OK);
    CHECK(cl == 10);
    CHECK_RC(tls13_seal_record(&w, 0, content, 10, 0, rec_buf, sizeof rec_buf, &len),
             TENON_ERR_INVALID_ARGUMENT);
    uint64_t seq_before = w.seq;
    CHECK_RC(tls13_seal_record(&w, TLS_CT_APPLICATION_DATA, content, 10, 0, rec_buf,
                               5 + 10 + 1 + 15, &len),
             TENON_ERR_BUFFER_TOO_SMALL);
    CHECK_RC(tls13_seal_record(&w, TLS_CT_APPLICATION_DATA, content, 10, 0, rec_buf, 3, &len),
             TENON_ERR_BUFFER_TOO_SMALL);
    CHECK(w.seq == seq_before);
    CHECK_RC(tls13_seal_record(&w, TLS_CT_APPLICATION_DATA, content, 10, 0, rec_buf,
                               5 + 10 + 1 + 16, &len),
             TENON_OK);
    CHECK_RC(tls13_open_record(&r, rec_buf, len, &t, &c, &cl), TENON_OK);

    /* An inner plaintext with no non-zero byte: unexpected_message (RFC 8446 §5.4), at several
     * lengths including none at all. */
    static uint8_t inner[TLS_MAX_PLAINTEXT + 300];
    memset(inner, 0, sizeof inner);
    static const size_t zlens[] = {0, 1, 33, 1000};
    for (size_t i = 0; i < ARRAY_LEN_T(zlens); i++) {
        len = raw_seal(&r, inner, zlens[i], rec_buf);
        uint64_t s = r.seq;
        CHECK_RC(tls13_open_record(&r, rec_buf, len, &t, &c, &cl),
                 TENON_ERR_TLS_UNEXPECTED_MESSAGE);
        CHECK(r.seq == s + 1); /* it did authenticate */
    }

    /* Inner plaintext of 2^14 + 1 bytes is the most allowed; 2^14 + 2 is record_overflow even
     * though the ciphertext is within 2^14 + 256. */
    memcpy(inner, content, TLS_MAX_PLAINTEXT);
    inner[TLS_MAX_PLAINTEXT] = TLS_CT_APPLICATION_DATA;
    len = raw_seal(&r, inner, TLS_MAX_PLAINTEXT + 1, rec_buf);
    CHECK_RC(tls13_open_record(&r, rec_buf, len, &t, &c, &cl), TENON_OK);
    CHECK(cl == TLS_MAX_PLAINTEXT);
    inner[TLS_MAX_PLAINTEXT + 1] = 0;
    len = raw_seal(&r, inner, TLS_MAX_PLAINTEXT + 2, rec_buf);
    CHECK_RC(tls13_open_record(&r, rec_buf, len, &t, &c, &cl), TENON_ERR_TLS_RECORD_OVERFLOW);
    /* The refused plaintext is not left behind. */
    static const uint8_t zero64[64];
    CHECK(memcmp(rec_buf + 5, zero64, 64) == 0);
    /* Content of 2^14 + 1 bytes with its type: also over. */
    inner[TLS_MAX_PLAINTEXT] = 1;
    inner[TLS_MAX_PLAINTEXT + 1] = TLS_CT_APPLICATION_DATA;
    len = raw_seal(&r, inner, TLS_MAX_PLAINTEXT + 2, rec_buf);
    CHECK_RC(tls13_open_record(&r, rec_buf, len, &t, &c, &cl), TENON_ERR_TLS_RECORD_OVERFLOW);
    /* A ciphertext over 2^14 + 256 is refused before any decryption. */
    memset(inner, 0, sizeof inner);
    inner[0] = TLS_CT_APPLICATION_DATA;
    len = raw_seal(&r, inner, TLS_MAX_PLAINTEXT + 241, rec_buf);
    CHECK(len == 5 + TLS13_MAX_CIPHERTEXT + 1);
    uint64_t s = r.seq;
    CHECK_RC(tls13_open_record(&r, rec_buf, len, &t, &c, &cl), TENON_ERR_TLS_RECORD_OVERFLOW);
    CHECK(r.seq == s);
    /* Shorter than a tag: it cannot be deprotected (bad_record_mac, RFC 8446 §5.2). */
    uint8_t tiny[5 + 15] = {23, 3, 3, 0, 15};
    CHECK_RC(tls13_open_record(&r, tiny, sizeof tiny, &t, &c, &cl), TENON_ERR_TLS_BAD_RECORD_MAC);

    /* No keys. */
    tls_record_keys none;
    memset(&none, 0, sizeof none);
    CHECK_RC(tls13_seal_record(&none, 23, content, 1, 0, rec_buf, sizeof rec_buf, &len),
             TENON_ERR_NOT_INITIALISED);
    CHECK_RC(tls13_open_record(&none, tiny, sizeof tiny, &t, &c, &cl), TENON_ERR_NOT_INITIALISED);

    /* Sequence numbers: the nonce of a large one is iv XOR seq (checked against OpenSSL
     * AES-128-GCM below); the last value, 2^64 - 1, is never used. */
    w.seq = r.seq = UINT64_MAX - 1;
    CHECK_RC(tls13_seal_record(&w, 23, content, 9, 0, rec_buf, sizeof rec_buf, &len), TENON_OK);
    CHECK_RC(tls13_open_record(&r, rec_buf, len, &t, &c, &cl), TENON_OK);
    CHECK(w.seq == UINT64_MAX && r.seq == UINT64_MAX);
    CHECK_RC(tls13_seal_record(&w, 23, content, 9, 0, rec_buf, sizeof rec_buf, &len),
             TENON_ERR_INTERNAL);
    CHECK(w.seq == UINT64_MAX);
    r.seq = UINT64_MAX - 1;
    uint8_t t2;
    CHECK_RC(tls13_open_record(&r, rec_buf, len, &t2, &c, &cl), TENON_ERR_TLS_BAD_RECORD_MAC);
    r.seq = UINT64_MAX;
    CHECK_RC(tls13_open_record(&r, rec_buf, len, &t2, &c, &cl), TENON_ERR_INTERNAL);

    tls_record_keys_wipe(&w);
    tls_record_keys_wipe(&r);
}

/* OpenSSL seals the same record: nonce = iv XOR seq, AAD = the header. */
static void ossl_seal(const EVP_CIPHER *cipher, const uint8_t *key, const uint8_t iv[12],
                      uint64_t seq, const uint8_t *inner, size_t inner_len, uint8_t *out)
{
    uint8_t nonce[12];
    memcpy(nonce, iv, 12);
    for (int i = 0; i < 8; i++)
        nonce[4 + i] ^= (uint8_t)(seq >> (56 - 8 * i));
    size_t body = inner_len + 16;
    out[0] = 23, out[1] = 3, out[2] = 3, out[3] = (uint8_t)(body >> 8), out[4] = (uint8_t)body;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int l = 0;
    CHECK(EVP_EncryptInit_ex(ctx, cipher, NULL, NULL, NULL) == 1);
    CHECK(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) == 1);
    CHECK(EVP_EncryptInit_ex(ctx, NULL, NULL, key, nonce) == 1);
    CHECK(EVP_EncryptUpdate(ctx, NULL, &l, out, 5) == 1);
    CHECK(EVP_EncryptUpdate(ctx, out + 5, &l, inner, (int)inner_len) == 1);
    CHECK(EVP_EncryptFinal_ex(ctx, out + 5 + l, &l) == 1);
    CHECK(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, out + 5 + inner_len) == 1);
    EVP_CIPHER_CTX_free(ctx);
}

/* Every AEAD implementation of TLS 1.3's three suites, against OpenSSL, at a few sequence
 * numbers (including one that uses all eight bytes). */
static void test_suites(void)
{
    const tenon_aead_class *const *impls = tenon_aead_implementations();
    uint8_t key[32], iv[12];
    for (size_t i = 0; i < 32; i++)
        key[i] = (uint8_t)(i * 11 + 3);
    for (size_t i = 0; i < 12; i++)
        iv[i] = (uint8_t)(0xa0 + i);
    static uint8_t content[2000], inner[2100];
    tu_rand(content, sizeof content);
    static const uint64_t seqs_to_try[] = {0, 1, 255, 0x0102030405060708ull, UINT64_MAX - 1};
    int ran = 0;
    for (size_t ii = 0; impls[ii] != NULL; ii++) {
        const tenon_aead_class *cls = impls[ii];
        if ((cls->cpu_needs & ~tenon_cpu_features()) != 0)
            continue;
        int is_chacha = strcmp(cls->family, "ChaCha20-Poly1305") == 0;
        static const size_t gcm_keys[] = {16, 32};
        for (size_t kk = 0; kk < (is_chacha ? 1u : 2u); kk++) {
            size_t kl = is_chacha ? 32 : gcm_keys[kk];
            const EVP_CIPHER *ossl = is_chacha  ? EVP_chacha20_poly1305()
                                     : kl == 16 ? EVP_aes_128_gcm()
                                                : EVP_aes_256_gcm();
            tls_record_keys w, r;
            CHECK_RC(tls13_record_keys_install(&w, ctx_for(), cls, key, kl, iv), TENON_OK);
            CHECK_RC(tls13_record_keys_install(&r, ctx_for(), cls, key, kl, iv), TENON_OK);
            for (size_t si = 0; si < ARRAY_LEN_T(seqs_to_try); si++) {
                size_t cl = 100 + 317 * si, pad = 3 * si, len;
                w.seq = r.seq = seqs_to_try[si];
                CHECK_RC(tls13_seal_record(&w, TLS_CT_APPLICATION_DATA, content, cl, pad, rec_buf,
                                           sizeof rec_buf, &len),
                         TENON_OK);
                memcpy(inner, content, cl);
                inner[cl] = TLS_CT_APPLICATION_DATA;
                memset(inner + cl + 1, 0, pad);
                ossl_seal(ossl, key, iv, seqs_to_try[si], inner, cl + 1 + pad, rec_buf2);
                CHECK(len == 5 + cl + 1 + pad + 16);
                CHECK_MEM(rec_buf, rec_buf2, len, cls->name);
                uint8_t t, *c;
                size_t got;
                CHECK_RC(tls13_open_record(&r, rec_buf, len, &t, &c, &got), TENON_OK);
                CHECK(t == TLS_CT_APPLICATION_DATA && got == cl);
                CHECK_MEM(c, content, cl, cls->name);
                ran++;
            }
            tls_record_keys_wipe(&w);
            tls_record_keys_wipe(&r);
        }
    }
    CHECK(ran >= 3 * 5); /* at least the portable AES-128, AES-256 and ChaCha20 */

    /* Bad key lengths are the AEAD's errors. */
    tls_record_keys k;
    memset(&k, 0, sizeof k);
    CHECK(tls13_record_keys_install(&k, ctx_for(), tenon_aead_chacha20_poly1305(), key, 16, iv) <
          0);
    CHECK(k.active == 0);
}

/* The content is sealed from wherever it is (no staging copy into the record first): from
 * the caller's buffer, in place at out + 5, or from elsewhere inside the record (moved first),
 * every record equals the reference one built by gathering the inner plaintext and sealing it
 * in place, in both AEAD families, at lengths around the AEADs' units, with padding. */
static void test_seal_sources(void)
{
    static const size_t lens[] = {0, 1, 15, 255, 256, 257, 1000, 4097, TLS_MAX_PLAINTEXT - 3};
    static const size_t pads[] = {0, 3};
    static uint8_t content[TLS_MAX_PLAINTEXT], copy[TLS_MAX_PLAINTEXT],
        inner[TLS_MAX_PLAINTEXT + 8];
    static uint8_t want[TLS_MAX_RECORD], got[TLS_MAX_RECORD];
    tu_rand(content, sizeof content);
    memcpy(copy, content, sizeof copy);
    for (int fam = 0; fam < 2; fam++) {
        const tenon_aead_class *cls = fam ? tenon_aead_chacha20_poly1305() : tenon_aead_aes_gcm();
        tls_record_keys w, ref;
        own_keys(&w, cls, 32);
        own_keys(&ref, cls, 32);
        for (size_t i = 0; i < ARRAY_LEN_T(lens); i++) {
            for (size_t j = 0; j < ARRAY_LEN_T(pads); j++) {
                size_t len = lens[i], pad = pads[j], n = 0;
                memcpy(inner, content, len);
                inner[len] = TLS_CT_APPLICATION_DATA;
                memset(inner + len + 1, 0, pad);
                /* where: 0 the caller's buffer, 1 in place, 2 over the header, 3 further in. */
                for (int where = 0; where < 4; where++) {
                    size_t wl = raw_seal(&ref, inner, len + 1 + pad, want);
                    ref.seq++;
                    static const size_t at[] = {0, 5, 2, 40};
                    const uint8_t *src = content;
                    if (where > 0) {
                        memset(got, 0x5c, sizeof got);
                        memcpy(got + at[where], content, len);
                        src = got + at[where];
                    }
                    CHECK_RC(tls13_seal_record(&w, TLS_CT_APPLICATION_DATA, src, len, pad, got,
                                               sizeof got, &n),
                             TENON_OK);
                    if (!CHECK(n == wl) || !CHECK_MEM(got, want, wl, "record sealed from place"))
                        fprintf(stderr, "    %s, len %zu pad %zu where %d\n", cls->name, len, pad,
                                where);
                }
            }
        }
        CHECK(memcmp(content, copy, sizeof copy) == 0); /* the caller's content only read */
        tls_record_keys_wipe(&w);
        tls_record_keys_wipe(&ref);
    }
}

/* The padding scan finds the type byte wherever it falls against the 64-byte blocks it works
 * in (whole blocks, the zero-padded tail block), behind content of zeros and with any padding. */
static void test_scan_positions(void)
{
    tls_record_keys w, r;
    own_keys(&w, tenon_aead_aes_gcm(), 16);
    own_keys(&r, tenon_aead_aes_gcm(), 16);
    static const size_t pads[] = {0, 1, 62, 63, 64, 65, 200};
    static uint8_t content[300], rec[600];
    size_t bad = 0;
    for (size_t len = 0; len <= 260; len++) {
        for (size_t j = 0; j < ARRAY_LEN_T(pads); j++) {
            for (int first = 0; first < 2; first++) {
                memset(content, 0, sizeof content);
                content[0] = (uint8_t)first; /* all zeros, or a non-zero byte far ahead */
                size_t n = 0, cl = 0;
                uint8_t t = 0, *c = NULL;
                uint8_t type = (uint8_t)(len % 2 ? TLS_CT_APPLICATION_DATA : TLS_CT_HANDSHAKE);
                if (tls13_seal_record(&w, type, content, len, pads[j], rec, sizeof rec, &n) != 0 ||
                    tls13_open_record(&r, rec, n, &t, &c, &cl) != 0 || t != type || cl != len ||
                    memcmp(c, content, len) != 0) {
                    if (bad++ < 3)
                        fprintf(stderr, "    len %zu pad %zu first %d: n %zu t %u cl %zu\n", len,
                                pads[j], first, n, t, cl);
                }
            }
        }
    }
    CHECK(bad == 0);
    tls_record_keys_wipe(&w);
    tls_record_keys_wipe(&r);
}

int main(void)
{
    root = tu_load_json("rfc/rfc8448_simple_1rtt.json");
    if (root == NULL)
        return tu_finish("test_record");
    derived = cJSON_GetObjectItemCaseSensitive(root, "derived");
    inputs = cJSON_GetObjectItemCaseSensitive(root, "inputs");
    messages = cJSON_GetObjectItemCaseSensitive(root, "messages");
    records = cJSON_GetObjectItemCaseSensitive(root, "records");
    seqs = cJSON_GetObjectItemCaseSensitive(root, "record_sequence_numbers");
    test_rfc8448();
    test_tamper();
    test_padding_and_limits();
    /* again without CPU extensions: the scan's portable OR reduction (ct_scan.c) */
    tenon_cpu_set_mask(0);
    test_padding_and_limits();
    tenon_cpu_set_mask(UINT32_MAX);
    test_suites();
    test_seal_sources();
    test_scan_positions();
    cJSON_Delete(root);
    return tu_finish("test_record");
}
