/*
 * TLS 1.2 CBC + HMAC record protection (RFC 5246 §6.2.3.1-6.2.3.2), MAC-then-encrypt or, when
 * negotiated, encrypt-then-MAC (RFC 7366).
 *
 * MAC-then-encrypt leaks through timing unless the receiver does the same work for every
 * padding (Lucky Thirteen, AlFardan and Paterson 2013). Here the padding is checked with masks
 * over the last 256 bytes whatever its length, the MAC is computed over the content with a
 * secret length by hmac_ct_secret_len (as many compression calls as the longest possible
 * content needs), and the received MAC is read from its secret offset with a masked scan.
 * Only the final verdict becomes public.
 */
#include "record12.h"

#include "../common.h"
#include "../crypto/ct.h"
#include "../crypto/hmac_ct.h"

#define TLS12_VERSION 0x0303
#define MAC_HDR_LEN 13 /* seq_num(8) || type(1) || version(2) || length(2) */
#define BLOCK TENON_AES_BLOCK_LEN

int tls12_cbc_keys_install(tls12_cbc_keys *k, tenon_aes_cbc_ctx *ctx,
                           const tenon_hash_class *mac_hash, const uint8_t *mac_key,
                           size_t mac_key_len, const uint8_t *enc_key, size_t enc_key_len, int etm)
{
    ENSURE(k != NULL && ctx != NULL && mac_key != NULL && enc_key != NULL,
           TENON_ERR_INVALID_ARGUMENT);
    ENSURE(mac_hash == &tenon_sha1 || mac_hash == &tenon_sha256 || mac_hash == &tenon_sha384,
           TENON_ERR_INVALID_ARGUMENT);
    /* RFC 5246 §6.2.3.1: mac_key_length = mac_length = the hash's output length. */
    ENSURE(mac_key_len == mac_hash->digest_len, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(enc_key_len == 16 || enc_key_len == 32, TENON_ERR_INVALID_ARGUMENT);
    tenon_wipe(k, sizeof *k); /* as tls13_record_keys_install */
    GUARD(tenon_aes_cbc_init(ctx, enc_key, enc_key_len));
    k->ctx = ctx;
    memcpy(k->enc_key, enc_key, enc_key_len);
    k->enc_key_len = (uint8_t)enc_key_len;
    memcpy(k->mac_key, mac_key, mac_key_len);
    k->mac_key_len = (uint8_t)mac_key_len;
    k->mac_hash = mac_hash;
    k->etm = etm ? 1 : 0;
    k->seq = 0;
    k->active = 1;
    return TENON_OK;
}

void tls12_cbc_keys_sleep(tls12_cbc_keys *k)
{
    if (k->ctx != NULL)
        tenon_aes_cbc_wipe(k->ctx);
    k->ctx = NULL;
}

int tls12_cbc_keys_wake(tls12_cbc_keys *k, tenon_aes_cbc_ctx *ctx)
{
    if (!k->active || k->ctx != NULL)
        return TENON_OK;
    GUARD(tenon_aes_cbc_init(ctx, k->enc_key, k->enc_key_len));
    k->ctx = ctx;
    return TENON_OK;
}

void tls12_cbc_keys_wipe(tls12_cbc_keys *k)
{
    if (k == NULL)
        return;
    tls12_cbc_keys_sleep(k);
    tenon_wipe(k, sizeof *k);
}

/* RFC 5246 §6.2.3.1: MAC(MAC_write_key, seq_num + TLSCompressed.type + TLSCompressed.version +
 * TLSCompressed.length + TLSCompressed.fragment) — this is the part before the fragment. */
static void mac_header(uint64_t seq, uint8_t type, const uint8_t version[2], size_t len,
                       uint8_t hdr[MAC_HDR_LEN])
{
    store_be64(hdr, seq);
    hdr[8] = type;
    hdr[9] = version[0];
    hdr[10] = version[1];
    hdr[11] = (uint8_t)(len >> 8);
    hdr[12] = (uint8_t)len;
}

static void mac2(const tls12_cbc_keys *k, const uint8_t *a, size_t a_len, const uint8_t *b,
                 size_t b_len, uint8_t *out)
{
    tenon_hmac_ctx hm;
    tenon_hmac_init(&hm, k->mac_hash, k->mac_key, k->mac_key_len);
    tenon_hmac_update(&hm, a, a_len);
    tenon_hmac_update(&hm, b, b_len);
    tenon_hmac_final(&hm, out);
    tenon_hmac_wipe(&hm);
}

int tls12_cbc_seal_record(tls12_cbc_keys *k, uint8_t type, const uint8_t *content,
                          size_t content_len, uint8_t *out, size_t out_cap, size_t *out_len)
{
    ENSURE(k != NULL && out != NULL && out_len != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(content != NULL || content_len == 0, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(k->active && k->ctx != NULL, TENON_ERR_NOT_INITIALISED);
    ENSURE(content_len <= TLS_MAX_PLAINTEXT, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(k->seq != UINT64_MAX, TENON_ERR_INTERNAL);
    size_t ml = k->mac_key_len;
    /* RFC 5246 §6.2.3.2: "The padding length MUST be such that the total size of the
     * GenericBlockCipher structure is a multiple of the cipher's block length." The least
     * padding is used. */
    size_t inside = content_len + (k->etm ? 0 : ml); /* what the padding follows */
    size_t pad = BLOCK - 1 - inside % BLOCK;
    size_t clen = inside + pad + 1;
    size_t body = TLS12_CBC_IV_LEN + clen + (k->etm ? ml : 0);
    ENSURE(out_cap >= TLS_RECORD_HEADER_LEN && out_cap - TLS_RECORD_HEADER_LEN >= body,
           TENON_ERR_BUFFER_TOO_SMALL);

    out[0] = type;
    out[1] = (uint8_t)(TLS12_VERSION >> 8);
    out[2] = (uint8_t)TLS12_VERSION;
    out[3] = (uint8_t)(body >> 8);
    out[4] = (uint8_t)body;
    uint8_t *ivp = out + TLS_RECORD_HEADER_LEN, *c = ivp + TLS12_CBC_IV_LEN;
    /* RFC 5246 §6.2.3.2: "The Initialization Vector (IV) SHOULD be chosen at random, and MUST
     * be unpredictable." */
    GUARD(tenon_random(ivp, TLS12_CBC_IV_LEN));
    if (content_len > 0)
        memmove(c, content, content_len);
    uint8_t hdr[MAC_HDR_LEN];
    if (!k->etm) {
        mac_header(k->seq, type, out + 1, content_len, hdr);
        mac2(k, hdr, sizeof hdr, c, content_len, c + content_len);
    }
    /* RFC 5246 §6.2.3.2: "Each uint8 in the padding data vector MUST be filled with the padding
     * length value." */
    memset(c + inside, (int)pad, pad + 1);
    uint8_t iv[TLS12_CBC_IV_LEN];
    memcpy(iv, ivp, sizeof iv);
    int rc = tenon_aes_cbc_encrypt(k->ctx, iv, c, c, clen);
    if (rc != TENON_OK) {
        tenon_wipe(c, clen);
        return rc;
    }
    if (k->etm) {
        /* RFC 7366 §3: MAC(MAC_write_key, seq_num + type + version + length + IV +
         * ENC(content + padding + padding_length)), length being that of IV + ciphertext. */
        mac_header(k->seq, type, out + 1, TLS12_CBC_IV_LEN + clen, hdr);
        mac2(k, hdr, sizeof hdr, ivp, TLS12_CBC_IV_LEN + clen, c + clen);
    }
    k->seq++;
    *out_len = TLS_RECORD_HEADER_LEN + body;
    return TENON_OK;
}

/* Encrypt-then-MAC: the MAC is checked before anything is decrypted, so the padding check
 * after it only ever sees what the peer's keys produced. */
static int open_etm(tls12_cbc_keys *k, uint8_t *record, size_t body_len, uint8_t **content,
                    size_t *content_len)
{
    size_t ml = k->mac_key_len;
    ENSURE(body_len >= TLS12_CBC_IV_LEN + BLOCK + ml, TENON_ERR_TLS_BAD_RECORD_MAC);
    size_t clen = body_len - TLS12_CBC_IV_LEN - ml;
    ENSURE(clen % BLOCK == 0, TENON_ERR_TLS_BAD_RECORD_MAC);
    uint8_t *ivp = record + TLS_RECORD_HEADER_LEN, *c = ivp + TLS12_CBC_IV_LEN;
    uint8_t hdr[MAC_HDR_LEN], mac[TENON_HASH_MAX_LEN];
    mac_header(k->seq, record[0], record + 1, TLS12_CBC_IV_LEN + clen, hdr);
    mac2(k, hdr, sizeof hdr, ivp, TLS12_CBC_IV_LEN + clen, mac);
    int ok = tenon_ct_memeq(mac, c + clen, ml);
    /* RFC 7366 §3: a record whose MAC fails "MUST" be answered with bad_record_mac. */
    ENSURE(ok, TENON_ERR_TLS_BAD_RECORD_MAC);
    uint8_t iv[TLS12_CBC_IV_LEN];
    memcpy(iv, ivp, sizeof iv);
    GUARD(tenon_aes_cbc_decrypt(k->ctx, iv, c, c, clen));
    uint32_t pad = c[clen - 1];
    uint32_t good = ct_mask_lt_u32(pad, (uint32_t)clen);
    for (size_t i = 0; i < 256 && i < clen; i++)
        good &= ~(ct_mask_ge_u32(pad, (uint32_t)i) & ct_mask_nonzero_u32(c[clen - 1 - i] ^ pad));
    if (!good) {
        tenon_wipe(c, clen);
        return TENON_ERR_TLS_BAD_RECORD_MAC;
    }
    *content = c;
    *content_len = clen - 1 - pad;
    return TENON_OK;
}

/* MAC-then-encrypt, in constant time with respect to the decrypted bytes. */
static int open_mte(tls12_cbc_keys *k, uint8_t *record, size_t body_len, uint8_t **content,
                    size_t *content_len)
{
    size_t ml = k->mac_key_len;
    /* The ciphertext must be whole blocks holding at least the MAC and the padding length. */
    ENSURE(body_len >= TLS12_CBC_IV_LEN + BLOCK, TENON_ERR_TLS_BAD_RECORD_MAC);
    size_t clen = body_len - TLS12_CBC_IV_LEN;
    ENSURE(clen % BLOCK == 0 && clen >= ml + 1, TENON_ERR_TLS_BAD_RECORD_MAC);
    uint8_t *ivp = record + TLS_RECORD_HEADER_LEN, *c = ivp + TLS12_CBC_IV_LEN;
    uint8_t iv[TLS12_CBC_IV_LEN];
    memcpy(iv, ivp, sizeof iv);
    GUARD(tenon_aes_cbc_decrypt(k->ctx, iv, c, c, clen));

    /* RFC 5246 §6.2.3.2: padding_length, then that many bytes of the same value before it. A
     * wrong padding is treated as no padding (pad = 0) so that the MAC is computed all the same
     * ("compute the MAC as if there were a zero-length pad"), and fails. */
    uint32_t pad = c[clen - 1];
    uint32_t good = ct_mask_ge_u32((uint32_t)clen, pad + 1 + (uint32_t)ml);
    for (size_t i = 0; i < 256 && i < clen; i++)
        good &= ~(ct_mask_ge_u32(pad, (uint32_t)i) & ct_mask_nonzero_u32(c[clen - 1 - i] ^ pad));
    pad = ct_select_u32(good, pad, 0);
    const uint32_t max_len = (uint32_t)(clen - 1 - ml); /* public */
    const uint32_t len = max_len - pad;                 /* secret */

    uint8_t hdr[MAC_HDR_LEN], mac[TENON_HASH_MAX_LEN], got[TENON_HASH_MAX_LEN];
    mac_header(k->seq, record[0], record + 1, len, hdr);
    int rc = hmac_ct_secret_len(k->mac_hash, k->mac_key, ml, hdr, sizeof hdr, c, len, max_len, mac);
    if (rc != TENON_OK) {
        tenon_wipe(c, clen);
        return rc;
    }
    /* The received MAC sits at c[len .. len + ml): gather it with a masked scan over every
     * position it can start at (len >= max_len - 255). */
    memset(got, 0, sizeof got);
    size_t lo = max_len > 255 ? max_len - 255 : 0;
    for (size_t j = lo; j < clen - 1; j++) {
        for (size_t i = 0; i < ml; i++) {
            uint32_t m = ct_mask_eq_u32((uint32_t)j, len + (uint32_t)i);
            got[i] |= (uint8_t)(m & c[j]);
        }
    }
    good &= ct_mask_memeq(mac, got, ml);
    tenon_wipe(mac, sizeof mac);
    tenon_wipe(got, sizeof got);
    /* The verdict is public (the alert tells it), and with it the content length. */
    ct_declassify(&good, sizeof good);
    if (!good) {
        tenon_wipe(c, clen);
        return TENON_ERR_TLS_BAD_RECORD_MAC;
    }
    uint32_t out_len = len;
    ct_declassify(&out_len, sizeof out_len);
    *content = c;
    *content_len = out_len;
    return TENON_OK;
}

int tls12_cbc_open_record(tls12_cbc_keys *k, uint8_t *record, size_t record_len, uint8_t *type,
                          uint8_t **content, size_t *content_len)
{
    ENSURE(k != NULL && record != NULL && type != NULL && content != NULL && content_len != NULL,
           TENON_ERR_INVALID_ARGUMENT);
    ENSURE(k->active && k->ctx != NULL, TENON_ERR_NOT_INITIALISED);
    ENSURE(record_len >= TLS_RECORD_HEADER_LEN, TENON_ERR_TLS_DECODE);
    size_t body_len = record_len - TLS_RECORD_HEADER_LEN;
    ENSURE(((size_t)record[3] << 8 | record[4]) == body_len, TENON_ERR_TLS_DECODE);
    /* RFC 5246 §6.2.3: "The length MUST NOT exceed 2^14 + 2048." */
    ENSURE(body_len <= TLS12_MAX_CIPHERTEXT, TENON_ERR_TLS_RECORD_OVERFLOW);
    ENSURE(k->seq != UINT64_MAX, TENON_ERR_INTERNAL);
    uint8_t *c = NULL;
    size_t cl = 0;
    if (k->etm)
        GUARD(open_etm(k, record, body_len, &c, &cl));
    else
        GUARD(open_mte(k, record, body_len, &c, &cl));
    k->seq++;
    /* RFC 5246 §6.2.3: a plaintext over 2^14 is a record_overflow. */
    if (cl > TLS_MAX_PLAINTEXT) {
        tenon_wipe(c, cl);
        return TENON_ERR_TLS_RECORD_OVERFLOW;
    }
    *type = record[0];
    *content = c;
    *content_len = cl;
    return TENON_OK;
}
