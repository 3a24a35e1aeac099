/*
 * TLS 1.2 CBC + HMAC records (RFC 5246 §6.2.3.2, RFC 7366), checked against OpenSSL: records
 * sealed by tenon are decrypted with EVP AES-CBC and their MAC recomputed with OpenSSL's HMAC;
 * records built here with OpenSSL (every padding length a sender may choose, up to 255) are
 * opened by tenon. The constant-time HMAC over a secret length is compared with OpenSSL's HMAC
 * for every length. Negative: bad padding, bad MAC, a pad length running past the record, a
 * body that is not whole blocks or too short — all bad_record_mac.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "crypto/hmac_ct.h"
#include "testutil.h"
#include "tls/record12.h"

static const EVP_MD *ossl_md(const tenon_hash_class *h)
{
    if (h == &tenon_sha1)
        return EVP_sha1();
    return h == &tenon_sha256 ? EVP_sha256() : EVP_sha384();
}

static void test_hmac_ct(const tenon_hash_class *h)
{
    static uint8_t data[700], key[48], hdr[13], got[64], want[64], buf[800];
    tu_rand(data, sizeof data);
    tu_rand(key, sizeof key);
    tu_rand(hdr, sizeof hdr);
    static const size_t maxes[] = {0, 1, 50, 55, 64, 119, 128, 300, 700};
    for (size_t m = 0; m < sizeof maxes / sizeof maxes[0]; m++) {
        size_t max_len = maxes[m];
        size_t step = max_len > 300 ? 7 : 1;
        for (size_t len = 0; len <= max_len; len += step) {
            CHECK_RC(
                hmac_ct_secret_len(h, key, h->digest_len, hdr, sizeof hdr, data, len, max_len, got),
                TENON_OK);
            memcpy(buf, hdr, sizeof hdr);
            memcpy(buf + sizeof hdr, data, len);
            unsigned int wl = 0;
            HMAC(ossl_md(h), key, (int)h->digest_len, buf, sizeof hdr + len, want, &wl);
            if (!CHECK_MEM(got, want, h->digest_len, "constant-time HMAC"))
                fprintf(stderr, "    %s max %zu len %zu\n", h->name, max_len, len);
        }
    }
    /* a length over the maximum is clamped to it */
    CHECK_RC(hmac_ct_secret_len(h, key, h->digest_len, hdr, 13, data, 11, 10, got), TENON_OK);
    CHECK_RC(hmac_ct_secret_len(h, key, h->digest_len, hdr, 13, data, 10, 10, want), TENON_OK);
    CHECK_MEM(got, want, h->digest_len, "clamped length");
    CHECK_RC(hmac_ct_secret_len(&tenon_sha512, key, 20, hdr, 13, data, 1, 10, got),
             TENON_ERR_INVALID_ARGUMENT);
}

typedef struct cbc_suite {
    const char *name;
    const tenon_hash_class *mac;
    size_t key_len;
} cbc_suite;

static const cbc_suite SUITES[] = {
    {"AES-128-CBC-SHA", &tenon_sha1, 16},
    {"AES-128-CBC-SHA256", &tenon_sha256, 16},
    {"AES-256-CBC-SHA256", &tenon_sha256, 32},
    {"AES-256-CBC-SHA384", &tenon_sha384, 32},
};

static const EVP_CIPHER *ossl_cbc(size_t key_len)
{
    return key_len == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
}

static void ossl_cbc_run(int enc, size_t key_len, const uint8_t *key, const uint8_t *iv,
                         const uint8_t *in, size_t len, uint8_t *out)
{
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int n = 0;
    CHECK(EVP_CipherInit_ex(x, ossl_cbc(key_len), NULL, key, iv, enc) == 1);
    EVP_CIPHER_CTX_set_padding(x, 0);
    CHECK(EVP_CipherUpdate(x, out, &n, in, (int)len) == 1);
    CHECK((size_t)n == len);
    EVP_CIPHER_CTX_free(x);
}

static void mac_hdr(uint64_t seq, uint8_t type, size_t len, uint8_t h[13])
{
    for (int i = 0; i < 8; i++)
        h[7 - i] = (uint8_t)(seq >> (8 * i));
    h[8] = type;
    h[9] = h[10] = 3;
    h[11] = (uint8_t)(len >> 8);
    h[12] = (uint8_t)len;
}

static void ossl_mac(const cbc_suite *s, const uint8_t *key, const uint8_t hdr[13],
                     const uint8_t *data, size_t len, uint8_t *out)
{
    static uint8_t buf[TLS_MAX_RECORD + 64];
    memcpy(buf, hdr, 13);
    memcpy(buf + 13, data, len);
    unsigned int wl = 0;
    HMAC(ossl_md(s->mac), key, (int)s->mac->digest_len, buf, 13 + len, out, &wl);
}

static uint8_t rec[TLS_MAX_RECORD + 512], plain[TLS_MAX_PLAINTEXT + 64], dec[TLS_MAX_RECORD + 512];

/* Builds, with OpenSSL, a record of content plain[0..len) with pad_len padding (the caller
 * keeps the total a whole number of blocks); returns the record length. corrupt: 1 flips a
 * padding byte, 2 flips a MAC byte. */
static size_t ossl_record(const cbc_suite *s, int etm, const uint8_t *mk, const uint8_t *ek,
                          uint64_t seq, size_t len, size_t pad, int corrupt)
{
    size_t ml = s->mac->digest_len;
    uint8_t iv[16], hdr[13];
    tu_rand(iv, 16);
    size_t inside = len + (etm ? 0 : ml);
    size_t clen = inside + pad + 1;
    static uint8_t pt[TLS_MAX_RECORD + 512];
    memcpy(pt, plain, len);
    if (!etm) {
        mac_hdr(seq, TLS_CT_APPLICATION_DATA, len, hdr);
        ossl_mac(s, mk, hdr, plain, len, pt + len);
        if (corrupt == 2)
            pt[len] ^= 1;
    }
    memset(pt + inside, (int)pad, pad + 1);
    if (corrupt == 1 && pad > 0)
        pt[inside] ^= 1; /* the first padding byte */
    size_t body = 16 + clen + (etm ? ml : 0);
    rec[0] = TLS_CT_APPLICATION_DATA;
    rec[1] = rec[2] = 3;
    rec[3] = (uint8_t)(body >> 8);
    rec[4] = (uint8_t)body;
    memcpy(rec + 5, iv, 16);
    ossl_cbc_run(1, s->key_len, ek, iv, pt, clen, rec + 21);
    if (etm) {
        mac_hdr(seq, TLS_CT_APPLICATION_DATA, 16 + clen, hdr);
        ossl_mac(s, mk, hdr, rec + 5, 16 + clen, rec + 21 + clen);
        if (corrupt == 2)
            rec[21 + clen] ^= 1;
    }
    return 5 + body;
}

static void test_suite(const cbc_suite *s, int etm)
{
    size_t ml = s->mac->digest_len;
    uint8_t mk[48], ek[32];
    tu_rand(mk, sizeof mk);
    tu_rand(ek, sizeof ek);
    tls12_cbc_keys wr, rd;
    static tenon_aes_cbc_ctx wctx, rctx;
    memset(&wr, 0, sizeof wr);
    memset(&rd, 0, sizeof rd);
    CHECK_RC(tls12_cbc_keys_install(&wr, &wctx, s->mac, mk, ml, ek, s->key_len, etm), TENON_OK);
    CHECK_RC(tls12_cbc_keys_install(&rd, &rctx, s->mac, mk, ml, ek, s->key_len, etm), TENON_OK);

    /* tenon seals, OpenSSL checks, tenon opens */
    static const size_t lens[] = {0, 1, 11, 12, 15, 16, 31, 100, 1000, TLS_MAX_PLAINTEXT};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        size_t len = lens[i], rl = 0;
        tu_rand(plain, len);
        CHECK_RC(
            tls12_cbc_seal_record(&wr, TLS_CT_APPLICATION_DATA, plain, len, rec, sizeof rec, &rl),
            TENON_OK);
        size_t body = rl - 5;
        CHECK(((size_t)rec[3] << 8 | rec[4]) == body);
        size_t clen = body - 16 - (etm ? ml : 0);
        CHECK(clen % 16 == 0);
        ossl_cbc_run(0, s->key_len, ek, rec + 5, rec + 21, clen, dec);
        size_t pad = dec[clen - 1];
        CHECK(pad < 16); /* the least padding */
        size_t inside = clen - 1 - pad;
        for (size_t j = 0; j <= pad; j++)
            CHECK(dec[clen - 1 - j] == pad);
        uint8_t hdr[13], want[64];
        if (etm) {
            CHECK(inside == len);
            mac_hdr(i, TLS_CT_APPLICATION_DATA, 16 + clen, hdr);
            ossl_mac(s, mk, hdr, rec + 5, 16 + clen, want);
            CHECK_MEM(rec + 21 + clen, want, ml, "EtM MAC");
        } else {
            CHECK(inside == len + ml);
            mac_hdr(i, TLS_CT_APPLICATION_DATA, len, hdr);
            ossl_mac(s, mk, hdr, plain, len, want);
            CHECK_MEM(dec + len, want, ml, "MtE MAC");
        }
        CHECK_MEM(dec, plain, len, "OpenSSL-decrypted content");
        uint8_t t = 0, *content = NULL;
        size_t cl = 0;
        CHECK_RC(tls12_cbc_open_record(&rd, rec, rl, &t, &content, &cl), TENON_OK);
        CHECK(t == TLS_CT_APPLICATION_DATA && cl == len);
        CHECK_MEM(content, plain, len, "tenon-opened content");
    }
    /* two records of the same content have different IVs */
    {
        size_t r1 = 0, r2 = 0;
        uint8_t first[64];
        CHECK_RC(tls12_cbc_seal_record(&wr, TLS_CT_HANDSHAKE, plain, 5, rec, sizeof rec, &r1),
                 TENON_OK);
        memcpy(first, rec + 5, 16);
        CHECK_RC(tls12_cbc_seal_record(&wr, TLS_CT_HANDSHAKE, plain, 5, rec, sizeof rec, &r2),
                 TENON_OK);
        CHECK(memcmp(first, rec + 5, 16) != 0);
        rd.seq += 2;
    }

    /* OpenSSL builds, tenon opens: every padding length, and corrupted ones */
    static const size_t clens[] = {0, 1, 7, 16, 33, 500};
    for (size_t ci = 0; ci < sizeof clens / sizeof clens[0]; ci++) {
        size_t len = clens[ci];
        tu_rand(plain, len);
        size_t inside = len + (etm ? 0 : ml);
        for (size_t pad = (15 - inside % 16); pad < 256; pad += 16) {
            for (int corrupt = 0; corrupt <= 2; corrupt++) {
                if (corrupt == 1 && pad == 0)
                    continue;
                size_t rl = ossl_record(s, etm, mk, ek, rd.seq, len, pad, corrupt);
                uint8_t t = 0, *content = NULL;
                size_t cl = 0;
                uint64_t before = rd.seq;
                int rc = tls12_cbc_open_record(&rd, rec, rl, &t, &content, &cl);
                if (corrupt == 0) {
                    CHECK_RC(rc, TENON_OK);
                    CHECK(cl == len && content != NULL && memcmp(content, plain, len) == 0);
                    CHECK(rd.seq == before + 1);
                } else {
                    CHECK_RC(rc, TENON_ERR_TLS_BAD_RECORD_MAC);
                    CHECK(rd.seq == before);
                }
            }
        }
    }

    /* A padding length byte larger than the record can hold (MtE: runs into the MAC). */
    {
        uint8_t t = 0, *content = NULL;
        size_t cl = 0;
        /* one block of ciphertext whose last plaintext byte is 0xff */
        size_t need = etm ? 16 : ((ml + 1 + 15) / 16) * 16;
        memset(dec, 0xff, need);
        uint8_t iv[16];
        tu_rand(iv, 16);
        size_t body = 16 + need + (etm ? ml : 0);
        rec[0] = TLS_CT_APPLICATION_DATA;
        rec[1] = rec[2] = 3;
        rec[3] = (uint8_t)(body >> 8);
        rec[4] = (uint8_t)body;
        memcpy(rec + 5, iv, 16);
        ossl_cbc_run(1, s->key_len, ek, iv, dec, need, rec + 21);
        if (etm) {
            uint8_t hdr[13];
            mac_hdr(rd.seq, TLS_CT_APPLICATION_DATA, 16 + need, hdr);
            ossl_mac(s, mk, hdr, rec + 5, 16 + need, rec + 21 + need);
        }
        CHECK_RC(tls12_cbc_open_record(&rd, rec, 5 + body, &t, &content, &cl),
                 TENON_ERR_TLS_BAD_RECORD_MAC);
    }

    /* Shapes that cannot be records: not whole blocks, too short; a header that lies. */
    {
        uint8_t t = 0, *content = NULL;
        size_t cl = 0;
        size_t bodies[] = {0, 15, 16, 16 + 15, 16 + 17, 16 + 16 + ml - 1};
        for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
            size_t body = bodies[i];
            if (!etm && body == 16 + 16 + ml - 1)
                continue;
            tu_rand(rec + 5, body);
            rec[0] = TLS_CT_APPLICATION_DATA;
            rec[1] = rec[2] = 3;
            rec[3] = (uint8_t)(body >> 8);
            rec[4] = (uint8_t)body;
            CHECK_RC(tls12_cbc_open_record(&rd, rec, 5 + body, &t, &content, &cl),
                     TENON_ERR_TLS_BAD_RECORD_MAC);
        }
        rec[3] = 0;
        rec[4] = 48;
        CHECK_RC(tls12_cbc_open_record(&rd, rec, 5 + 47, &t, &content, &cl), TENON_ERR_TLS_DECODE);
        size_t body = TLS12_MAX_CIPHERTEXT + 16;
        rec[3] = (uint8_t)(body >> 8);
        rec[4] = (uint8_t)body;
        CHECK_RC(tls12_cbc_open_record(&rd, rec, 5 + body, &t, &content, &cl),
                 TENON_ERR_TLS_RECORD_OVERFLOW);
    }
    /* Errors of the API */
    {
        size_t rl = 0;
        CHECK_RC(tls12_cbc_seal_record(&wr, TLS_CT_APPLICATION_DATA, plain, TLS_MAX_PLAINTEXT + 1,
                                       rec, sizeof rec, &rl),
                 TENON_ERR_INVALID_ARGUMENT);
        CHECK_RC(tls12_cbc_seal_record(&wr, TLS_CT_APPLICATION_DATA, plain, 1, rec, 5 + 31, &rl),
                 TENON_ERR_BUFFER_TOO_SMALL);
        CHECK_RC(tls12_cbc_keys_install(&wr, &wctx, s->mac, mk, ml - 1, ek, s->key_len, etm),
                 TENON_ERR_INVALID_ARGUMENT);
        tls12_cbc_keys_wipe(&wr);
        CHECK_RC(
            tls12_cbc_seal_record(&wr, TLS_CT_APPLICATION_DATA, plain, 1, rec, sizeof rec, &rl),
            TENON_ERR_NOT_INITIALISED);
    }
    tls12_cbc_keys_wipe(&rd);
}

int main(void)
{
    tu_seed(0xcbc12);
    test_hmac_ct(&tenon_sha1);
    test_hmac_ct(&tenon_sha256);
    test_hmac_ct(&tenon_sha384);
    for (int pass = 0; pass < 2; pass++) {
        tenon_cpu_set_mask(pass == 0 ? UINT32_MAX : 0);
        for (size_t i = 0; i < sizeof SUITES / sizeof SUITES[0]; i++) {
            test_suite(&SUITES[i], 0);
            test_suite(&SUITES[i], 1);
        }
    }
    tenon_cpu_set_mask(UINT32_MAX);
    return tu_finish("test_tls12_cbc");
}
