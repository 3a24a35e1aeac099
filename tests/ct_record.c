/*
 * Constant-flow test of TLS 1.3 record protection under valgrind memcheck. The traffic key and
 * the content are marked secret, so the decrypted inner plaintext is secret too: the padding
 * scan that finds the content type must neither branch on nor index with those bytes. Only the
 * values that are public by design (the AEAD verdict, the content type and length, which
 * record.c declassifies) may steer the flow. Every AEAD class valgrind's CPU can run is tried,
 * with and without the ciphertext itself marked secret.
 */
#include <stdio.h>
#include <string.h>

#include "ctgrind.h"
#include "testutil.h"
#include "tls/record.h"

static uint8_t rec[TLS_MAX_RECORD];

/* A record with an arbitrary inner plaintext (an all-zero one included), sealed with the AEAD
 * directly at the keys' sequence number. */
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
    int rc = tenon_aead_seal(k->ctx, nonce, 12, out, 5, out + 5, inner_len, out + 5,
                             out + 5 + inner_len);
    PUBLIC(&rc, sizeof rc);
    CHECK(rc == TENON_OK);
    PUBLIC(out, 5 + body);
    return 5 + body;
}

static void one_class(const tenon_aead_class *cls, size_t key_len)
{
    uint8_t key[32], iv[12], content[4100];
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)(7 * i + 1);
    for (size_t i = 0; i < sizeof iv; i++)
        iv[i] = (uint8_t)(0x30 + i);
    /* Content with zero runs inside and at its end: the scan must see past them. */
    for (size_t i = 0; i < sizeof content; i++)
        content[i] = (i % 5 == 0 || (i >= 690 && i < 700) || i >= 4090) ? 0 : (uint8_t)(i * 13);

    tls_record_keys w, r;
    static tenon_aead_ctx wctx, rctx;
    SECRET(key, sizeof key);
    int rc1 = tls13_record_keys_install(&w, &wctx, cls, key, key_len, iv);
    int rc2 = tls13_record_keys_install(&r, &rctx, cls, key, key_len, iv);
    PUBLIC(&rc1, sizeof rc1);
    PUBLIC(&rc2, sizeof rc2);
    CHECK(rc1 == TENON_OK && rc2 == TENON_OK);

    /* The last two span several of the scan's 1 KiB chunks (ct_scan.c): the type byte in the
     * first chunk with padding over the next three, then in the fifth with padding after it. */
    static const size_t lens[] = {0, 1, 37, 700, 700, 4100};
    static const size_t pads[] = {0, 5, 200, 1, 3000, 2500};
    for (size_t t = 0; t < sizeof lens / sizeof lens[0]; t++) {
        for (int secret_ct = 0; secret_ct < 2; secret_ct++) {
            size_t len = 0;
            SECRET(content, sizeof content);
            int rc = tls13_seal_record(&w, TLS_CT_APPLICATION_DATA, content, lens[t], pads[t], rec,
                                       sizeof rec, &len);
            PUBLIC(&rc, sizeof rc);
            CHECK(rc == TENON_OK);
            /* A ciphertext is public; optionally keep it secret too (the header stays public:
             * the framer has read it). */
            PUBLIC(rec, len);
            if (secret_ct)
                SECRET(rec + TLS_RECORD_HEADER_LEN, len - TLS_RECORD_HEADER_LEN);

            uint8_t type = 0, *c = NULL;
            size_t cl = 0;
            rc = tls13_open_record(&r, rec, len, &type, &c, &cl);
            PUBLIC(&rc, sizeof rc);
            CHECK(rc == TENON_OK);
            CHECK(type == TLS_CT_APPLICATION_DATA && cl == lens[t]);
            PUBLIC(content, sizeof content);
            if (c != NULL) {
                PUBLIC(c, cl);
                CHECK(memcmp(c, content, cl) == 0);
            }
        }
    }

    /* A forged tag: bad_record_mac without a branch on the plaintext. */
    size_t len = 0;
    SECRET(content, sizeof content);
    int rc = tls13_seal_record(&w, TLS_CT_HANDSHAKE, content, 100, 10, rec, sizeof rec, &len);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(rec, len);
    CHECK(rc == TENON_OK);
    rec[len - 1] ^= 1;
    uint8_t type, *c;
    size_t cl;
    rc = tls13_open_record(&r, rec, len, &type, &c, &cl);
    PUBLIC(&rc, sizeof rc);
    CHECK(rc == TENON_ERR_TLS_BAD_RECORD_MAC);

    /* An all-zero inner plaintext (the secret bytes happen to be zeros). r did not advance on
     * the forgery, so w's next record is at r's sequence number. */
    uint8_t zeros[2100]; /* three of the scan's 1 KiB chunks */
    memset(zeros, 0, sizeof zeros);
    SECRET(zeros, sizeof zeros);
    len = raw_seal(&r, zeros, sizeof zeros, rec);
    rc = tls13_open_record(&r, rec, len, &type, &c, &cl);
    PUBLIC(&rc, sizeof rc);
    CHECK(rc == TENON_ERR_TLS_UNEXPECTED_MESSAGE);

    tls_record_keys_wipe(&w);
    tls_record_keys_wipe(&r);
    PUBLIC(key, sizeof key);
}

int main(void)
{
    const tenon_aead_class *const *impls = tenon_aead_implementations();
    int ran = 0;
    for (size_t i = 0; impls[i] != NULL; i++) {
        if ((impls[i]->cpu_needs & ~tenon_cpu_features()) != 0)
            continue;
        fprintf(stderr, "ct_record: %s\n", impls[i]->name);
        if (strcmp(impls[i]->family, "AES-GCM") == 0) {
            one_class(impls[i], 16);
            one_class(impls[i], 32);
        } else {
            one_class(impls[i], 32);
        }
        ran++;
    }
    CHECK(ran >= 2);
    /* Without CPU extensions: the content-type scan's portable OR reduction (ct_scan.c). */
    tenon_cpu_set_mask(0);
    for (size_t i = 0; impls[i] != NULL; i++)
        if (impls[i]->cpu_needs == 0 && strcmp(impls[i]->family, "ChaCha20-Poly1305") == 0) {
            fprintf(stderr, "ct_record: %s, no CPU extensions\n", impls[i]->name);
            one_class(impls[i], 32);
            ran++;
        }
    tenon_cpu_set_mask(UINT32_MAX);
    CHECK(ran >= 3);
    return tu_finish("ct_record");
}
