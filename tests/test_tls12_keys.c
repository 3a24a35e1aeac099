/*
 * TLS 1.2 key derivation and AEAD record protection, each checked against an independent
 * computation with OpenSSL: the master secret, extended master secret, key_block split and
 * Finished against EVP_KDF "TLS1-PRF"; sealed records opened with EVP AES-GCM /
 * ChaCha20-Poly1305 using the RFC 5288 / RFC 7905 nonce and the RFC 5246 additional data built
 * here byte by byte, and records sealed by OpenSSL opened by tenon. Plus the negative cases of
 * the record layer: tampered, truncated, overlong records.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "testutil.h"
#include "tls/keyschedule12.h"
#include "tls/record12.h"

/* OpenSSL's TLS1-PRF: out = PRF(secret, label || seed). */
static void ossl_prf(const char *md, const uint8_t *secret, size_t secret_len, const char *label,
                     const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
    EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(kdf);
    uint8_t full_seed[256];
    size_t ll = strlen(label);
    memcpy(full_seed, label, ll);
    memcpy(full_seed + ll, seed, seed_len);
    OSSL_PARAM p[4];
    p[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md, 0);
    p[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret, secret_len);
    p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, full_seed, ll + seed_len);
    p[3] = OSSL_PARAM_construct_end();
    CHECK(EVP_KDF_derive(kctx, out, out_len, p) == 1);
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
}

typedef struct recorder {
    int prf, keys, keys_values, secrets_shown;
    char labels[8][32];
} recorder;

static void on_event(void *user, const tenon_trace_event *ev)
{
    recorder *r = user;
    if (ev->type == TENON_TRACE_PRF) {
        if (r->prf < 8)
            snprintf(r->labels[r->prf], sizeof r->labels[0], "%s", ev->label);
        r->prf++;
        CHECK(ev->nvalues == 3);
        if (ev->values[0].data != NULL)
            r->secrets_shown++;
    } else if (ev->type == TENON_TRACE_TRAFFIC_KEYS) {
        r->keys++;
        r->keys_values = (int)ev->nvalues;
    }
}

static void test_schedule(const tenon_hash_class *h, const char *md)
{
    uint8_t pms[48], cr[32], sr[32], sh[48], th[48];
    tu_rand(pms, sizeof pms);
    tu_rand(cr, sizeof cr);
    tu_rand(sr, sizeof sr);
    tu_rand(sh, sizeof sh);
    tu_rand(th, sizeof th);
    recorder rec;
    memset(&rec, 0, sizeof rec);
    tls_trace tr = {on_event, &rec, 1, 1};

    /* master secret */
    uint8_t ms[48], want[256], seed[64];
    CHECK_RC(tls12_master_secret(h, pms, sizeof pms, cr, sr, ms, &tr), TENON_OK);
    memcpy(seed, cr, 32);
    memcpy(seed + 32, sr, 32);
    ossl_prf(md, pms, sizeof pms, "master secret", seed, 64, want, 48);
    CHECK_MEM(ms, want, 48, "master secret");

    /* extended master secret over a session hash */
    uint8_t ems[48];
    CHECK_RC(tls12_extended_master_secret(h, pms, sizeof pms, sh, h->digest_len, ems, &tr),
             TENON_OK);
    ossl_prf(md, pms, sizeof pms, "extended master secret", sh, h->digest_len, want, 48);
    CHECK_MEM(ems, want, 48, "extended master secret");
    CHECK(memcmp(ems, ms, 48) != 0);
    /* a session hash of the wrong length is refused */
    CHECK_RC(tls12_extended_master_secret(h, pms, sizeof pms, sh, h->digest_len - 1, ems, NULL),
             TENON_ERR_INVALID_ARGUMENT);

    /* key block: an AEAD split (GCM: 4-byte IVs) and a CBC split (MAC keys, 16-byte IVs) */
    static const size_t shapes[][3] = {{0, 16, 4},   {0, 32, 4},   {0, 32, 12},
                                       {32, 16, 16}, {20, 16, 16}, {48, 32, 16}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t m = shapes[s][0], k = shapes[s][1], v = shapes[s][2];
        tls12_key_block kb;
        CHECK_RC(tls12_key_block_derive(h, ms, cr, sr, m, k, v, &kb, &tr), TENON_OK);
        memcpy(seed, sr, 32);
        memcpy(seed + 32, cr, 32);
        ossl_prf(md, ms, 48, "key expansion", seed, 64, want, 2 * (m + k + v));
        const uint8_t *p = want;
        CHECK_MEM(kb.client_mac, p, m, "client_write_MAC_key");
        p += m;
        CHECK_MEM(kb.server_mac, p, m, "server_write_MAC_key");
        p += m;
        CHECK_MEM(kb.client_key, p, k, "client_write_key");
        p += k;
        CHECK_MEM(kb.server_key, p, k, "server_write_key");
        p += k;
        CHECK_MEM(kb.client_iv, p, v, "client_write_IV");
        p += v;
        CHECK_MEM(kb.server_iv, p, v, "server_write_IV");
        CHECK(kb.mac_key_len == m && kb.enc_key_len == k && kb.fixed_iv_len == v);
        tls12_key_block_wipe(&kb);
    }
    tls12_key_block kb;
    CHECK_RC(tls12_key_block_derive(h, ms, cr, sr, 49, 16, 4, &kb, NULL),
             TENON_ERR_INVALID_ARGUMENT);

    /* Finished, both labels; the check in constant time, decrypt_error when wrong */
    for (int from_client = 0; from_client <= 1; from_client++) {
        uint8_t vd[12];
        const char *label = from_client ? "client finished" : "server finished";
        CHECK_RC(tls12_finished(h, ms, from_client, th, h->digest_len, vd, &tr), TENON_OK);
        ossl_prf(md, ms, 48, label, th, h->digest_len, want, 12);
        CHECK_MEM(vd, want, 12, label);
        CHECK_RC(tls12_finished_check(h, ms, from_client, th, h->digest_len, vd, 12, NULL),
                 TENON_OK);
        CHECK_RC(tls12_finished_check(h, ms, !from_client, th, h->digest_len, vd, 12, NULL),
                 TENON_ERR_TLS_DECRYPT_ERROR);
        for (int i = 0; i < 12; i++) {
            vd[i] ^= 0x01;
            CHECK_RC(tls12_finished_check(h, ms, from_client, th, h->digest_len, vd, 12, NULL),
                     TENON_ERR_TLS_DECRYPT_ERROR);
            vd[i] ^= 0x01;
        }
        CHECK_RC(tls12_finished_check(h, ms, from_client, th, h->digest_len, vd, 11, NULL),
                 TENON_ERR_TLS_DECRYPT_ERROR);
    }

    /* the trace: one PRF event per call (2 + 6 + 2), the key_block split reported each time */
    CHECK(rec.prf == 10);
    CHECK(strcmp(rec.labels[0], "master secret") == 0);
    CHECK(strcmp(rec.labels[1], "extended master secret") == 0);
    CHECK(strcmp(rec.labels[2], "key expansion") == 0);
    CHECK(strcmp(rec.labels[7], "key expansion") == 0);
    CHECK(rec.keys == 6 && rec.keys_values == 6);
    CHECK(rec.secrets_shown == 10);
    /* with secrets hidden, the PRF secret values are blanked */
    memset(&rec, 0, sizeof rec);
    tr.show_secrets = 0;
    CHECK_RC(tls12_master_secret(h, pms, sizeof pms, cr, sr, ms, &tr), TENON_OK);
    CHECK(rec.prf == 1 && rec.secrets_shown == 0);

    /* a hash that is not a TLS 1.2 PRF hash */
    CHECK_RC(tls12_master_secret(&tenon_sha1, pms, sizeof pms, cr, sr, ms, NULL),
             TENON_ERR_INVALID_ARGUMENT);
}

static void test_keylog(void)
{
    uint8_t cr[32], ms[48];
    for (int i = 0; i < 32; i++)
        cr[i] = (uint8_t)i;
    for (int i = 0; i < 48; i++)
        ms[i] = (uint8_t)(0xa0 + i);
    char line[TLS12_KEYLOG_LINE_LEN];
    tls12_keylog_line(cr, ms, line);
    CHECK(strlen(line) == 13 + 1 + 64 + 1 + 96);
    CHECK(strncmp(line, "CLIENT_RANDOM 000102030405", 26) == 0);
    CHECK(strncmp(line + 13 + 1 + 64, " a0a1a2", 7) == 0);
    CHECK(strcmp(line + strlen(line) - 2, "cf") == 0);
}

/* ---- records ---- */

typedef struct suite {
    const char *name;
    tls12_aead_kind kind;
    size_t key_len, iv_len;
} suite;

static const suite SUITES[] = {
    {"AES-128-GCM", TLS12_AEAD_GCM, 16, 4},
    {"AES-256-GCM", TLS12_AEAD_GCM, 32, 4},
    {"ChaCha20-Poly1305", TLS12_AEAD_CHACHA, 32, 12},
};

static const EVP_CIPHER *ossl_cipher(const suite *s)
{
    if (s->kind == TLS12_AEAD_CHACHA)
        return EVP_chacha20_poly1305();
    return s->key_len == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
}

static const tenon_aead_class *tenon_cls(const suite *s)
{
    return s->kind == TLS12_AEAD_CHACHA ? tenon_aead_chacha20_poly1305() : tenon_aead_aes_gcm();
}

/* The nonce as RFC 5288 §3 / RFC 7905 §2 define it, computed here independently. */
static void ref_nonce(const suite *s, const uint8_t *iv, uint64_t seq, const uint8_t *explicit_part,
                      uint8_t nonce[12])
{
    if (s->kind == TLS12_AEAD_GCM) {
        memcpy(nonce, iv, 4);
        memcpy(nonce + 4, explicit_part, 8);
    } else {
        memcpy(nonce, iv, 12);
        for (int i = 0; i < 8; i++)
            nonce[11 - i] ^= (uint8_t)(seq >> (8 * i));
    }
}

static void ref_aad(uint64_t seq, uint8_t type, size_t len, uint8_t aad[13])
{
    for (int i = 0; i < 8; i++)
        aad[7 - i] = (uint8_t)(seq >> (8 * i));
    aad[8] = type;
    aad[9] = 3;
    aad[10] = 3;
    aad[11] = (uint8_t)(len >> 8);
    aad[12] = (uint8_t)len;
}

/* OpenSSL AEAD: encrypt (enc = 1) or decrypt+verify (enc = 0; returns 1 when the tag verifies). */
static int ossl_aead(const suite *s, int enc, const uint8_t *key, const uint8_t nonce[12],
                     const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                     uint8_t *out, uint8_t tag[16])
{
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int ok = EVP_CipherInit_ex(x, ossl_cipher(s), NULL, NULL, NULL, enc) == 1;
    ok = ok && EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) == 1;
    ok = ok && EVP_CipherInit_ex(x, NULL, NULL, key, nonce, enc) == 1;
    int n = 0;
    ok = ok && EVP_CipherUpdate(x, NULL, &n, aad, (int)aad_len) == 1;
    if (len > 0)
        ok = ok && EVP_CipherUpdate(x, out, &n, in, (int)len) == 1;
    if (!enc)
        ok = ok && EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, 16, tag) == 1;
    ok = ok && EVP_CipherFinal_ex(x, out + (len > 0 ? n : 0), &n) == 1;
    if (enc)
        ok = ok && EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, 16, tag) == 1;
    EVP_CIPHER_CTX_free(x);
    return ok;
}

static uint8_t rec[TLS_MAX_RECORD + 64], plain[TLS_MAX_PLAINTEXT + 64], dec[TLS_MAX_RECORD];

static void test_records(const suite *s)
{
    uint8_t key[32], iv[12];
    tu_rand(key, sizeof key);
    tu_rand(iv, sizeof iv);
    tls12_record_keys wr, rd;
    static tenon_aead_ctx wctx, rctx;
    memset(&wr, 0, sizeof wr);
    memset(&rd, 0, sizeof rd);
    CHECK_RC(tls12_record_keys_install(&wr, &wctx, s->kind, tenon_cls(s), key, s->key_len, iv,
                                       s->iv_len),
             TENON_OK);
    CHECK_RC(tls12_record_keys_install(&rd, &rctx, s->kind, tenon_cls(s), key, s->key_len, iv,
                                       s->iv_len),
             TENON_OK);
    size_t ex = s->kind == TLS12_AEAD_GCM ? 8 : 0;
    CHECK(tls12_record_overhead(&wr) == ex + 16);

    static const size_t lens[] = {0, 1, 15, 16, 17, 100, 1000, TLS_MAX_PLAINTEXT};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        size_t len = lens[i];
        uint8_t type = (uint8_t)(i % 2 ? TLS_CT_APPLICATION_DATA : TLS_CT_HANDSHAKE);
        tu_rand(plain, len);
        size_t rl = 0;
        CHECK_RC(tls12_seal_record(&wr, type, plain, len, rec, sizeof rec, &rl), TENON_OK);
        CHECK(rl == 5 + ex + len + 16);
        CHECK(rec[0] == type && rec[1] == 3 && rec[2] == 3);
        CHECK(((size_t)rec[3] << 8 | rec[4]) == rl - 5);
        uint64_t seq = (uint64_t)i;
        if (ex) {
            /* tenon's explicit nonce is the sequence number */
            uint8_t want_ex[8];
            for (int b = 0; b < 8; b++)
                want_ex[7 - b] = (uint8_t)(seq >> (8 * b));
            CHECK_MEM(rec + 5, want_ex, 8, "explicit nonce");
        }
        /* independent open with OpenSSL */
        uint8_t nonce[12], aad[13];
        ref_nonce(s, iv, seq, rec + 5, nonce);
        ref_aad(seq, type, len, aad);
        CHECK(ossl_aead(s, 0, key, nonce, aad, 13, rec + 5 + ex, len, dec, rec + 5 + ex + len));
        CHECK_MEM(dec, plain, len, "OpenSSL-opened plaintext");
        /* and tenon's own open */
        uint8_t t = 0, *content = NULL;
        size_t cl = 0;
        CHECK_RC(tls12_open_record(&rd, rec, rl, &t, &content, &cl), TENON_OK);
        CHECK(t == type && cl == len && content == rec + 5 + ex);
        CHECK_MEM(content, plain, len, "tenon-opened plaintext");
    }
    CHECK(wr.seq == 8 && rd.seq == 8);

    /* A record sealed by OpenSSL (GCM: with a random explicit nonce) opened by tenon. */
    {
        size_t len = 333;
        tu_rand(plain, len);
        uint8_t explicit_part[8], nonce[12], aad[13];
        tu_rand(explicit_part, 8);
        ref_nonce(s, iv, rd.seq, explicit_part, nonce);
        ref_aad(rd.seq, TLS_CT_APPLICATION_DATA, len, aad);
        rec[0] = TLS_CT_APPLICATION_DATA;
        rec[1] = rec[2] = 3;
        rec[3] = (uint8_t)((ex + len + 16) >> 8);
        rec[4] = (uint8_t)(ex + len + 16);
        memcpy(rec + 5, explicit_part, ex);
        CHECK(ossl_aead(s, 1, key, nonce, aad, 13, plain, len, rec + 5 + ex, rec + 5 + ex + len));
        uint8_t t = 0, *content = NULL;
        size_t cl = 0;
        CHECK_RC(tls12_open_record(&rd, rec, 5 + ex + len + 16, &t, &content, &cl), TENON_OK);
        CHECK(cl == len);
        CHECK_MEM(content, plain, len, "OpenSSL-sealed record");
        wr.seq++; /* keep both directions in step */
    }

    /* A plaintext over 2^14 that authenticates: record_overflow (RFC 5246 §6.2.3). */
    {
        size_t len = TLS_MAX_PLAINTEXT + 1;
        tu_rand(plain, len);
        uint8_t explicit_part[8] = {0}, nonce[12], aad[13];
        ref_nonce(s, iv, rd.seq, explicit_part, nonce);
        ref_aad(rd.seq, TLS_CT_APPLICATION_DATA, len, aad);
        rec[0] = TLS_CT_APPLICATION_DATA;
        rec[1] = rec[2] = 3;
        rec[3] = (uint8_t)((ex + len + 16) >> 8);
        rec[4] = (uint8_t)(ex + len + 16);
        memset(rec + 5, 0, ex);
        CHECK(ossl_aead(s, 1, key, nonce, aad, 13, plain, len, rec + 5 + ex, rec + 5 + ex + len));
        uint8_t t = 0, *content = NULL;
        size_t cl = 0;
        CHECK_RC(tls12_open_record(&rd, rec, 5 + ex + len + 16, &t, &content, &cl),
                 TENON_ERR_TLS_RECORD_OVERFLOW);
        wr.seq++;
    }

    /* Tampering anywhere (header type, version, length-bearing AAD, explicit nonce, body, tag)
     * is bad_record_mac and does not advance the sequence number. */
    {
        size_t len = 64, rl = 0;
        tu_rand(plain, len);
        CHECK_RC(tls12_seal_record(&wr, TLS_CT_APPLICATION_DATA, plain, len, rec, sizeof rec, &rl),
                 TENON_OK);
        size_t positions[] = {0, 1, 2, 5, 5 + ex, rl - 17, rl - 1};
        for (size_t i = 0; i < sizeof positions / sizeof positions[0]; i++) {
            memcpy(dec, rec, rl);
            dec[positions[i]] ^= 0x04;
            uint64_t before = rd.seq;
            uint8_t t = 0, *content = NULL;
            size_t cl = 0;
            CHECK_RC(tls12_open_record(&rd, dec, rl, &t, &content, &cl),
                     TENON_ERR_TLS_BAD_RECORD_MAC);
            CHECK(rd.seq == before);
        }
        /* a record from the wrong sequence position also fails */
        rd.seq++;
        memcpy(dec, rec, rl);
        uint8_t t = 0, *content = NULL;
        size_t cl = 0;
        CHECK_RC(tls12_open_record(&rd, dec, rl, &t, &content, &cl), TENON_ERR_TLS_BAD_RECORD_MAC);
        rd.seq--;
        CHECK_RC(tls12_open_record(&rd, rec, rl, &t, &content, &cl), TENON_OK);
        CHECK(cl == len);
    }

    /* Truncated: shorter than explicit nonce + tag is bad_record_mac; a header length that does
     * not match the record is decode_error; over 2^14 + 2048 is record_overflow. */
    {
        uint8_t t = 0, *content = NULL;
        size_t cl = 0;
        size_t body = ex + 15;
        rec[0] = TLS_CT_APPLICATION_DATA;
        rec[1] = rec[2] = 3;
        rec[3] = 0;
        rec[4] = (uint8_t)body;
        CHECK_RC(tls12_open_record(&rd, rec, 5 + body, &t, &content, &cl),
                 TENON_ERR_TLS_BAD_RECORD_MAC);
        CHECK_RC(tls12_open_record(&rd, rec, 5 + body + 1, &t, &content, &cl),
                 TENON_ERR_TLS_DECODE);
        CHECK_RC(tls12_open_record(&rd, rec, 4, &t, &content, &cl), TENON_ERR_TLS_DECODE);
        body = TLS12_MAX_CIPHERTEXT + 1;
        rec[3] = (uint8_t)(body >> 8);
        rec[4] = (uint8_t)body;
        CHECK_RC(tls12_open_record(&rd, rec, 5 + body, &t, &content, &cl),
                 TENON_ERR_TLS_RECORD_OVERFLOW);
    }

    /* Sealing: too much content, too small a buffer, no keys, seq exhausted. */
    {
        size_t rl = 0;
        CHECK_RC(tls12_seal_record(&wr, TLS_CT_APPLICATION_DATA, plain, TLS_MAX_PLAINTEXT + 1, rec,
                                   sizeof rec, &rl),
                 TENON_ERR_INVALID_ARGUMENT);
        CHECK_RC(
            tls12_seal_record(&wr, TLS_CT_APPLICATION_DATA, plain, 10, rec, 5 + ex + 10 + 15, &rl),
            TENON_ERR_BUFFER_TOO_SMALL);
        wr.seq = UINT64_MAX;
        CHECK_RC(tls12_seal_record(&wr, TLS_CT_APPLICATION_DATA, plain, 10, rec, sizeof rec, &rl),
                 TENON_ERR_INTERNAL);
        /* the last usable sequence number still works and reaches OpenSSL correctly */
        wr.seq = UINT64_MAX - 1;
        CHECK_RC(tls12_seal_record(&wr, TLS_CT_APPLICATION_DATA, plain, 10, rec, sizeof rec, &rl),
                 TENON_OK);
        uint8_t nonce[12], aad[13];
        ref_nonce(s, iv, UINT64_MAX - 1, rec + 5, nonce);
        ref_aad(UINT64_MAX - 1, TLS_CT_APPLICATION_DATA, 10, aad);
        CHECK(ossl_aead(s, 0, key, nonce, aad, 13, rec + 5 + ex, 10, dec, rec + 5 + ex + 10));
        CHECK_MEM(dec, plain, 10, "last sequence number");
        tls12_record_keys_wipe(&wr);
        CHECK_RC(tls12_seal_record(&wr, TLS_CT_APPLICATION_DATA, plain, 10, rec, sizeof rec, &rl),
                 TENON_ERR_NOT_INITIALISED);
    }

    /* Install: a wrong IV length for the kind is refused. */
    CHECK_RC(tls12_record_keys_install(&wr, &wctx, s->kind, tenon_cls(s), key, s->key_len, iv,
                                       s->iv_len == 4 ? 12 : 4),
             TENON_ERR_INVALID_ARGUMENT);
    tls12_record_keys_wipe(&wr);
    tls12_record_keys_wipe(&rd);
}

int main(void)
{
    tu_seed(0x7125);
    test_schedule(&tenon_sha256, "SHA256");
    test_schedule(&tenon_sha384, "SHA384");
    test_keylog();
    /* every AEAD implementation the CPU allows, and the portable ones */
    for (int pass = 0; pass < 2; pass++) {
        tenon_cpu_set_mask(pass == 0 ? UINT32_MAX : 0);
        for (size_t i = 0; i < sizeof SUITES / sizeof SUITES[0]; i++)
            test_records(&SUITES[i]);
    }
    tenon_cpu_set_mask(UINT32_MAX);
    return tu_finish("test_tls12_keys");
}
