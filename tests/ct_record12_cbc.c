/*
 * Constant-flow test of TLS 1.2 MAC-then-encrypt CBC records under valgrind memcheck (the Lucky
 * Thirteen countermeasure). The encryption and MAC keys are marked secret, so every decrypted
 * byte — the padding length, the padding, the MAC, the content — is secret too: the padding
 * check, the HMAC over the secret-length content and the extraction of the received MAC must
 * neither branch on nor index with them. Only the verdict and the content length, which
 * record12_cbc.c declassifies, may steer the flow. Valid records with every kind of padding,
 * bad padding and a bad MAC are all tried, as is the constant-time HMAC on its own.
 */
#include <stdio.h>
#include <string.h>

#include "crypto/hmac_ct.h"
#include "ctgrind.h"
#include "testutil.h"
#include "tls/record12.h"

static uint8_t rec[TLS_MAX_RECORD], pt[TLS_MAX_RECORD];

/* A MtE record with content[0..len), pad_len padding; corrupt 1: a padding byte, 2: the MAC. */
static size_t build(const tenon_hash_class *h, const uint8_t *mk, const tenon_aes_cbc_ctx *cbc,
                    uint64_t seq, const uint8_t *content, size_t len, size_t pad, int corrupt)
{
    size_t ml = h->digest_len;
    uint8_t hdr[13] = {0};
    for (int i = 0; i < 8; i++)
        hdr[7 - i] = (uint8_t)(seq >> (8 * i));
    hdr[8] = 23, hdr[9] = 3, hdr[10] = 3, hdr[11] = (uint8_t)(len >> 8), hdr[12] = (uint8_t)len;
    tenon_hmac_ctx hm;
    tenon_hmac_init(&hm, h, mk, ml);
    tenon_hmac_update(&hm, hdr, 13);
    tenon_hmac_update(&hm, content, len);
    memcpy(pt, content, len);
    tenon_hmac_final(&hm, pt + len);
    if (corrupt == 2)
        pt[len] ^= 1;
    memset(pt + len + ml, (int)pad, pad + 1);
    if (corrupt == 1)
        pt[len + ml] ^= 1;
    size_t clen = len + ml + pad + 1, body = 16 + clen;
    rec[0] = 23, rec[1] = 3, rec[2] = 3, rec[3] = (uint8_t)(body >> 8), rec[4] = (uint8_t)body;
    uint8_t iv[16];
    memset(iv, 0x5a, 16);
    memcpy(rec + 5, iv, 16);
    int rc = tenon_aes_cbc_encrypt(cbc, iv, pt, rec + 21, clen);
    PUBLIC(&rc, sizeof rc);
    CHECK(rc == TENON_OK);
    PUBLIC(rec, 5 + body); /* a ciphertext is public */
    return 5 + body;
}

static void one(const tenon_hash_class *h, size_t key_len)
{
    uint8_t mk[48], ek[32], content[600];
    for (size_t i = 0; i < sizeof mk; i++)
        mk[i] = (uint8_t)(3 * i + 1);
    for (size_t i = 0; i < sizeof ek; i++)
        ek[i] = (uint8_t)(5 * i + 7);
    for (size_t i = 0; i < sizeof content; i++)
        content[i] = (uint8_t)(i * 11);
    size_t ml = h->digest_len;
    tenon_aes_cbc_ctx enc;
    int rc = tenon_aes_cbc_init(&enc, ek, key_len);
    CHECK(rc == TENON_OK);
    tls12_cbc_keys k;
    static tenon_aes_cbc_ctx kctx;
    SECRET(mk, sizeof mk);
    SECRET(ek, sizeof ek);
    rc = tls12_cbc_keys_install(&k, &kctx, h, mk, ml, ek, key_len, 0);
    PUBLIC(&rc, sizeof rc);
    CHECK(rc == TENON_OK);
    PUBLIC(mk, sizeof mk);

    /* (content length, padding) pairs whose total is whole blocks */
    for (size_t len = 0; len < 80; len += 13) {
        size_t first = 15 - (len + ml) % 16;
        size_t pads[3] = {first, first + 16 * 7, first + 16 * ((255 - first) / 16)};
        for (int p = 0; p < 3; p++) {
            for (int corrupt = 0; corrupt <= 2; corrupt++) {
                if (corrupt == 1 && pads[p] == 0)
                    continue;
                size_t rl = build(h, mk, &enc, k.seq, content, len, pads[p], corrupt);
                uint8_t type = 0, *c = NULL;
                size_t cl = 0;
                rc = tls12_cbc_open_record(&k, rec, rl, &type, &c, &cl);
                PUBLIC(&rc, sizeof rc);
                if (corrupt == 0) {
                    CHECK(rc == TENON_OK && cl == len);
                    if (c != NULL && rc == TENON_OK) {
                        PUBLIC(c, cl);
                        CHECK(memcmp(c, content, cl) == 0);
                    }
                } else {
                    CHECK(rc == TENON_ERR_TLS_BAD_RECORD_MAC);
                }
            }
        }
    }
    tls12_cbc_keys_wipe(&k);
    tenon_aes_cbc_wipe(&enc);
}

int main(void)
{
    /* the constant-time HMAC alone, with a secret length */
    uint8_t key[32] = {1, 2, 3}, hdr[13] = {9}, data[300], out[64];
    memset(data, 0x42, sizeof data);
    for (size_t len = 0; len <= 300; len += 37) {
        size_t secret_len = len;
        SECRET(&secret_len, sizeof secret_len);
        SECRET(data, sizeof data);
        int rc = hmac_ct_secret_len(&tenon_sha256, key, 32, hdr, 13, data, secret_len, 300, out);
        PUBLIC(&rc, sizeof rc);
        CHECK(rc == TENON_OK);
    }
    PUBLIC(data, sizeof data);
    one(&tenon_sha1, 16);
    one(&tenon_sha1, 32); /* AES-256-CBC-SHA */
    one(&tenon_sha256, 16);
    one(&tenon_sha384, 32);
    return tu_finish("ct_record12_cbc");
}
