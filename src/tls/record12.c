/*
 * TLS 1.2 AEAD record protection (RFC 5246 §6.2.3.3, RFC 5288 §3, RFC 7905 §2).
 *
 * For AES-GCM the explicit nonce sent in each record is the sequence number: RFC 5288 §3 lets
 * the sender choose it ("The nonce_explicit MAY be the 64-bit sequence number") and the
 * sequence number never repeats under one key, which is all GCM needs. The receiver takes
 * whatever explicit part the peer sent.
 */
#include "record12.h"

#include "../common.h"
#include "../crypto/ct.h"
#include "fuzzing.h"

#define TLS12_VERSION 0x0303
#define AAD_LEN 13 /* seq_num(8) || type(1) || version(2) || length(2) */

int tls12_record_keys_install(tls12_record_keys *k, tenon_aead_ctx *ctx, tls12_aead_kind kind,
                              const tenon_aead_class *cls, const uint8_t *key, size_t key_len,
                              const uint8_t *iv, size_t iv_len)
{
    ENSURE(k != NULL && ctx != NULL && cls != NULL && key != NULL && iv != NULL,
           TENON_ERR_INVALID_ARGUMENT);
    ENSURE(cls->tag_len == TENON_AEAD_TAG_LEN, TENON_ERR_UNSUPPORTED);
    ENSURE(key_len <= TLS_RECORD_MAX_KEY, TENON_ERR_INVALID_ARGUMENT);
    if (kind == TLS12_AEAD_GCM)
        ENSURE(iv_len == TLS12_GCM_SALT_LEN, TENON_ERR_INVALID_ARGUMENT);
    else if (kind == TLS12_AEAD_CHACHA)
        ENSURE(iv_len == TLS12_CHACHA_IV_LEN, TENON_ERR_INVALID_ARGUMENT);
    else
        return TENON_ERR_INVALID_ARGUMENT;
    tenon_wipe(k, sizeof *k); /* as tls13_record_keys_install */
    GUARD(tenon_aead_init(ctx, cls, key, key_len));
    k->ctx = ctx;
    k->cls = cls;
    memcpy(k->key, key, key_len);
    k->key_len = (uint8_t)key_len;
    memcpy(k->iv, iv, iv_len);
    k->kind = (uint8_t)kind;
    k->seq = 0;
    k->active = 1;
    return TENON_OK;
}

void tls12_record_keys_sleep(tls12_record_keys *k)
{
    if (k->ctx != NULL)
        tenon_aead_wipe(k->ctx);
    k->ctx = NULL;
}

int tls12_record_keys_wake(tls12_record_keys *k, tenon_aead_ctx *ctx)
{
    if (!k->active || k->ctx != NULL)
        return TENON_OK;
    GUARD(tenon_aead_init(ctx, k->cls, k->key, k->key_len));
    k->ctx = ctx;
    return TENON_OK;
}

void tls12_record_keys_wipe(tls12_record_keys *k)
{
    if (k == NULL)
        return;
    tls12_record_keys_sleep(k);
    tenon_wipe(k, sizeof *k);
}

static size_t explicit_len(const tls12_record_keys *k)
{
    return k->kind == TLS12_AEAD_GCM ? TLS12_GCM_EXPLICIT_LEN : 0;
}

size_t tls12_record_overhead(const tls12_record_keys *k)
{
    return explicit_len(k) + TENON_AEAD_TAG_LEN;
}

/* RFC 5246 §6.1: "Sequence numbers are of type uint64 and may not exceed 2^64-1. Sequence
 * numbers do not wrap." The last value is never used. */
static int seq_usable(const tls12_record_keys *k)
{
    return k->seq != UINT64_MAX;
}

/*
 * RFC 5246 §6.2.3.3:
 *   additional_data = seq_num + TLSCompressed.type +
 *                     TLSCompressed.version + TLSCompressed.length;
 * with the length of the plaintext (not of the ciphertext).
 */
static void make_aad(const tls12_record_keys *k, uint8_t type, const uint8_t version[2],
                     size_t plain_len, uint8_t aad[AAD_LEN])
{
    store_be64(aad, k->seq);
    aad[8] = type;
    aad[9] = version[0];
    aad[10] = version[1];
    aad[11] = (uint8_t)(plain_len >> 8);
    aad[12] = (uint8_t)plain_len;
}

/*
 * RFC 5288 §3:
 *   struct {
 *      opaque salt[4];
 *      opaque nonce_explicit[8];
 *   } GCMNonce;
 * RFC 7905 §2: "The 64-bit record sequence number is serialized as an 8-byte, big-endian value
 * and padded on the left with four 0x00 bytes. The padded sequence number is XORed with the
 * client_write_IV (when the client is sending) or server_write_IV (when the server is sending)."
 */
static void make_nonce(const tls12_record_keys *k, const uint8_t *explicit_part, uint8_t nonce[16])
{
    if (k->kind == TLS12_AEAD_GCM)
        tls_nonce16(nonce, k->iv, 0, load_be64(explicit_part));
    else
        tls_nonce16(nonce, k->iv, 1, k->seq);
}

int tls12_seal_record(tls12_record_keys *k, uint8_t type, const uint8_t *content,
                      size_t content_len, uint8_t *out, size_t out_cap, size_t *out_len)
{
    ENSURE(k != NULL && out != NULL && out_len != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(content != NULL || content_len == 0, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(k->active && k->ctx != NULL, TENON_ERR_NOT_INITIALISED);
    /* RFC 5246 §6.2.1: "The length MUST NOT exceed 2^14." */
    ENSURE(content_len <= TLS_MAX_PLAINTEXT, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(seq_usable(k), TENON_ERR_INTERNAL);
    size_t ex = explicit_len(k);
    size_t body_len = ex + content_len + TENON_AEAD_TAG_LEN;
    ENSURE(out_cap >= TLS_RECORD_HEADER_LEN && out_cap - TLS_RECORD_HEADER_LEN >= body_len,
           TENON_ERR_BUFFER_TOO_SMALL);

    /* RFC 5246 §6.2.3.3:
     *   struct {
     *      opaque nonce_explicit[SecurityParameters.record_iv_length];
     *      aead-ciphered struct {
     *          opaque content[TLSCompressed.length];
     *      };
     *   } GenericAEADCipher; */
    uint8_t *data = out + TLS_RECORD_HEADER_LEN + ex;
    /* The content is sealed from where it is (one piece: no type byte to append); only content
     * that overlaps the record without sitting exactly at data is moved there first. The
     * explicit nonce and header are written after this, so that content placed in front of
     * data inside out is still whole when it moves. */
    uintptr_t pc = (uintptr_t)content, pd = (uintptr_t)data;
    if (content_len > 0 && content != data && pc < pd + content_len + TENON_AEAD_TAG_LEN &&
        pd < pc + content_len + TLS_RECORD_HEADER_LEN + ex) {
        memmove(data, content, content_len);
        content = data;
    }
    out[0] = type;
    out[1] = (uint8_t)(TLS12_VERSION >> 8);
    out[2] = (uint8_t)TLS12_VERSION;
    out[3] = (uint8_t)(body_len >> 8);
    out[4] = (uint8_t)body_len;
    if (ex > 0)
        store_be64(out + TLS_RECORD_HEADER_LEN, k->seq);

    uint8_t aad[AAD_LEN], nonce[16];
    make_aad(k, type, out + 1, content_len, aad);
    make_nonce(k, out + TLS_RECORD_HEADER_LEN, nonce);
#ifdef TENON_FUZZING
    /* The null cipher's record is the plaintext itself. */
    if (content_len > 0 && content != data)
        memmove(data, content, content_len);
    int rc = fuzzing_null_seal(data + content_len);
#else
    int rc = tenon_aead_seal(k->ctx, nonce, 12, aad, sizeof aad, content, content_len, data,
                             data + content_len);
#endif
    if (rc != TENON_OK) {
        tenon_wipe(data, content_len);
        return rc;
    }
    k->seq++;
    *out_len = TLS_RECORD_HEADER_LEN + body_len;
    return TENON_OK;
}

int tls12_open_record(tls12_record_keys *k, uint8_t *record, size_t record_len, uint8_t *type,
                      uint8_t **content, size_t *content_len)
{
    ENSURE(k != NULL && record != NULL && type != NULL && content != NULL && content_len != NULL,
           TENON_ERR_INVALID_ARGUMENT);
    ENSURE(k->active && k->ctx != NULL, TENON_ERR_NOT_INITIALISED);
    ENSURE(record_len >= TLS_RECORD_HEADER_LEN, TENON_ERR_TLS_DECODE);
    size_t body_len = record_len - TLS_RECORD_HEADER_LEN;
    ENSURE(((size_t)record[3] << 8 | record[4]) == body_len, TENON_ERR_TLS_DECODE);
    /* RFC 5246 §6.2.3: "The length MUST NOT exceed 2^14 + 2048." and §6.2.2 / §6.2.3: "If a
     * TLSCiphertext ... has a length greater than 2^14+2048, [the receiver] MUST send a
     * record_overflow alert". */
    ENSURE(body_len <= TLS12_MAX_CIPHERTEXT, TENON_ERR_TLS_RECORD_OVERFLOW);
    size_t ex = explicit_len(k);
    /* Too short for the explicit nonce and the tag: it cannot authenticate, and it gets the same
     * alert as a record whose tag fails. */
    ENSURE(body_len >= ex + TENON_AEAD_TAG_LEN, TENON_ERR_TLS_BAD_RECORD_MAC);
    ENSURE(seq_usable(k), TENON_ERR_INTERNAL);
    size_t plain_len = body_len - ex - TENON_AEAD_TAG_LEN;

    uint8_t *data = record + TLS_RECORD_HEADER_LEN + ex;
    uint8_t aad[AAD_LEN], nonce[16];
    make_aad(k, record[0], record + 1, plain_len, aad);
    make_nonce(k, record + TLS_RECORD_HEADER_LEN, nonce);
#ifdef TENON_FUZZING
    int rc = fuzzing_null_open(data + plain_len);
#else
    int rc = tenon_aead_open(k->ctx, nonce, 12, aad, sizeof aad, data, plain_len, data + plain_len,
                             data);
#endif
    ct_declassify(&rc, sizeof rc);
    /* RFC 5246 §6.2.3.3: "If the decryption fails, a fatal bad_record_mac alert MUST be
     * generated." */
    if (rc == TENON_ERR_AUTH_FAILED)
        return TENON_ERR_TLS_BAD_RECORD_MAC;
    GUARD(rc);
    k->seq++;
    /* RFC 5246 §6.2.3: "If the decryption function [yields] a TLSCompressed.length greater than
     * 2^14 ... MUST send a record_overflow alert" (the plaintext is 2^14 at most, §6.2.1). */
    if (plain_len > TLS_MAX_PLAINTEXT) {
        tenon_wipe(data, plain_len);
        return TENON_ERR_TLS_RECORD_OVERFLOW;
    }
    *type = record[0];
    *content = data;
    *content_len = plain_len;
    return TENON_OK;
}
