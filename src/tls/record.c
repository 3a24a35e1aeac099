/*
 * TLS 1.3 record protection (RFC 8446 §5.2-5.4).
 *
 * One record at a time, in the caller's buffers. Opening finds the end of the zero padding with
 * a scan of the whole inner plaintext whose flow does not depend on the bytes it reads: the
 * padding length is not secret in TLS 1.3 as such, but the scan costs almost nothing and keeps
 * the content bytes out of any branch (tests/ct_record.c checks it under valgrind).
 */
#include "record.h"

#include "../common.h"
#include "../crypto/ct.h"
#include "fuzzing.h"

#ifdef TENON_FUZZING
/* Every program that links the record layer of a fuzzing build says so first (fuzzing.h). */
__attribute__((constructor)) static void fuzzing_note(void)
{
    fuzzing_startup_note();
}
#endif

/* RFC 8446 §5.2: TLSCiphertext.opaque_type "The outer opaque_type field of a TLSCiphertext
 * record is always set to the value 23 (application_data)"; legacy_record_version is 0x0303. */
#define OUTER_TYPE TLS_CT_APPLICATION_DATA
#define LEGACY_VERSION 0x0303

/* RFC 8446 §5.4: "the full encoded TLSInnerPlaintext MUST NOT exceed 2^14 + 1 octets". */
#define MAX_INNER (TLS_MAX_PLAINTEXT + 1)

int tls13_record_keys_install(tls_record_keys *k, tenon_aead_ctx *ctx, const tenon_aead_class *cls,
                              const uint8_t *key, size_t key_len, const uint8_t iv[12])
{
    ENSURE(k != NULL && ctx != NULL && cls != NULL && key != NULL && iv != NULL,
           TENON_ERR_INVALID_ARGUMENT);
    /* The record layer forms the tag as the last 16 bytes of every record. */
    ENSURE(cls->tag_len == TENON_AEAD_TAG_LEN, TENON_ERR_UNSUPPORTED);
    ENSURE(key_len <= TLS_RECORD_MAX_KEY, TENON_ERR_INVALID_ARGUMENT);
    /* k may be uninitialised: its earlier context is not touched (the engine keeps one place
     * per direction, which the new keys overwrite). */
    tenon_wipe(k, sizeof *k);
    GUARD(tenon_aead_init(ctx, cls, key, key_len));
    k->ctx = ctx;
    k->cls = cls;
    memcpy(k->key, key, key_len);
    k->key_len = (uint8_t)key_len;
    memcpy(k->iv, iv, sizeof k->iv);
    /* RFC 8446 §5.3: "The sequence number is set to zero at the beginning of a connection and
     * whenever the key is changed". */
    k->seq = 0;
    k->active = 1;
    return TENON_OK;
}

void tls_record_keys_sleep(tls_record_keys *k)
{
    if (k->ctx != NULL)
        tenon_aead_wipe(k->ctx);
    k->ctx = NULL;
}

int tls_record_keys_wake(tls_record_keys *k, tenon_aead_ctx *ctx)
{
    if (!k->active || k->ctx != NULL)
        return TENON_OK;
    GUARD(tenon_aead_init(ctx, k->cls, k->key, k->key_len));
    k->ctx = ctx;
    return TENON_OK;
}

void tls_record_keys_wipe(tls_record_keys *k)
{
    if (k == NULL)
        return;
    tls_record_keys_sleep(k);
    tenon_wipe(k, sizeof *k);
}

/*
 * RFC 8446 §5.3: "The 64-bit record sequence number is encoded in network byte order and
 * padded to the left with zeros to iv_length. The padded sequence number is XORed with either
 * the static client_write_iv or server_write_iv (depending on the role)." (tls_nonce16)
 */
static void record_nonce(const tls_record_keys *k, uint8_t nonce[16])
{
    tls_nonce16(nonce, k->iv, 1, k->seq);
}

/* RFC 8446 §5.3: "Because the size of sequence numbers is 64-bit, they should not wrap. If a
 * TLS implementation would need to wrap a sequence number, it MUST either rekey (Section
 * 4.6.3) or terminate the connection." The last value is never used, so seq + 1 never wraps. */
static int seq_usable(const tls_record_keys *k)
{
    return k->seq != UINT64_MAX;
}

static void write_header(uint8_t *hdr, size_t body_len)
{
    hdr[0] = OUTER_TYPE;
    hdr[1] = (uint8_t)(LEGACY_VERSION >> 8);
    hdr[2] = (uint8_t)LEGACY_VERSION;
    hdr[3] = (uint8_t)(body_len >> 8);
    hdr[4] = (uint8_t)body_len;
}

/* Do the n bytes at a and the m bytes at b share a byte? */
static int overlaps(const uint8_t *a, size_t n, const uint8_t *b, size_t m)
{
    uintptr_t pa = (uintptr_t)a, pb = (uintptr_t)b;
    return pa < pb + m && pb < pa + n;
}

int tls13_seal_record(tls_record_keys *k, uint8_t type, const uint8_t *content, size_t content_len,
                      size_t pad_len, uint8_t *out, size_t out_cap, size_t *out_len)
{
    ENSURE(k != NULL && out != NULL && out_len != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(content != NULL || content_len == 0, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(k->active && k->ctx != NULL, TENON_ERR_NOT_INITIALISED);
    /* RFC 8446 §5.4: content, type and padding together at most 2^14 + 1 bytes; the content
     * alone at most 2^14 (§5.1). The type byte is the non-zero octet the receiver looks for
     * behind the padding, so it cannot be 0. */
    ENSURE(type != 0, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(content_len <= TLS_MAX_PLAINTEXT, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(pad_len <= MAX_INNER - 1 - content_len, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(seq_usable(k), TENON_ERR_INTERNAL);

    size_t inner_len = content_len + 1 + pad_len;
    size_t body_len = inner_len + TENON_AEAD_TAG_LEN;
    ENSURE(out_cap >= TLS_RECORD_HEADER_LEN && out_cap - TLS_RECORD_HEADER_LEN >= body_len,
           TENON_ERR_BUFFER_TOO_SMALL);

    /* RFC 8446 §5.2:
     *   struct {
     *       opaque content[TLSPlaintext.length];
     *       ContentType type;
     *       uint8 zeros[length_of_padding];
     *   } TLSInnerPlaintext;
     * The content is sealed from where it is (the caller's buffer, or out + 5 already): only
     * the type and the padding are written to out first, and the AEAD's gather seal reads the
     * content from its place (tenon_aead_seal_split). Content that overlaps the record (header
     * and tag included) without sitting exactly at out + 5 is moved there first. */
    uint8_t *inner = out + TLS_RECORD_HEADER_LEN;
    if (content_len > 0 && content != inner &&
        overlaps(content, content_len, out, TLS_RECORD_HEADER_LEN + body_len)) {
        memmove(inner, content, content_len);
        content = inner;
    }
    inner[content_len] = type;
    if (pad_len > 0)
        memset(inner + content_len + 1, 0, pad_len);

    /* RFC 8446 §5.2: "additional_data = TLSCiphertext.opaque_type ||
     *   TLSCiphertext.legacy_record_version || TLSCiphertext.length" — the record header. */
    write_header(out, body_len);
    uint8_t nonce[16];
    record_nonce(k, nonce);
#ifdef TENON_FUZZING
    /* The null cipher's record is the plaintext itself. */
    if (content_len > 0 && content != inner)
        memmove(inner, content, content_len);
    int rc = fuzzing_null_seal(inner + inner_len);
#else
    int rc = tenon_aead_seal_split(k->ctx, nonce, 12, out, TLS_RECORD_HEADER_LEN, content,
                                   content_len, inner, inner_len, inner + inner_len);
#endif
    if (rc != TENON_OK) {
        tenon_wipe(inner, inner_len);
        return rc;
    }
    k->seq++;
    *out_len = TLS_RECORD_HEADER_LEN + body_len;
    return TENON_OK;
}

int tls13_open_record(tls_record_keys *k, uint8_t *record, size_t record_len, uint8_t *type,
                      uint8_t **content, size_t *content_len)
{
    ENSURE(k != NULL && record != NULL && type != NULL && content != NULL && content_len != NULL,
           TENON_ERR_INVALID_ARGUMENT);
    ENSURE(k->active && k->ctx != NULL, TENON_ERR_NOT_INITIALISED);
    ENSURE(record_len >= TLS_RECORD_HEADER_LEN, TENON_ERR_TLS_DECODE);
    size_t body_len = record_len - TLS_RECORD_HEADER_LEN;
    /* The header must describe this very record (the framer cut it by this length). */
    ENSURE(((size_t)record[3] << 8 | record[4]) == body_len, TENON_ERR_TLS_DECODE);
    /* RFC 8446 §5.2: protected records carry the outer type 23. A plaintext alert or a
     * change_cipher_spec is the framer's business, not ours. */
    ENSURE(record[0] == OUTER_TYPE, TENON_ERR_TLS_UNEXPECTED_MESSAGE);
    /* legacy_record_version "MUST be ignored for all purposes" (§5.1) — apart from being
     * authenticated as part of the additional data. */

    /* RFC 8446 §5.2: "The length MUST NOT exceed 2^14 + 256 bytes. An endpoint that receives
     * a record that exceeds this length MUST terminate the connection with a
     * "record_overflow" alert." */
    ENSURE(body_len <= TLS13_MAX_CIPHERTEXT, TENON_ERR_TLS_RECORD_OVERFLOW);
    /* Shorter than a tag, a record cannot be deprotected: it fails decryption like any other
     * forgery (§5.2: bad_record_mac), so that a server skipping rejected early data (§4.2.10:
     * "discarding records which fail deprotection") skips a short one too, as TLS 1.2 does. */
    ENSURE(body_len >= TENON_AEAD_TAG_LEN, TENON_ERR_TLS_BAD_RECORD_MAC);
    size_t inner_len = body_len - TENON_AEAD_TAG_LEN;
    ENSURE(seq_usable(k), TENON_ERR_INTERNAL);

    uint8_t nonce[16];
    record_nonce(k, nonce);
    uint8_t *inner = record + TLS_RECORD_HEADER_LEN;
    /* RFC 8446 §5.4: the receiver "decrypts the record and scans the field from the end toward
     * the beginning until it finds a non-zero octet. This non-zero octet is the content type of
     * the message." Here every byte is visited whatever its value (ct_last_nonzero), so the
     * time does not tell how much padding hid the content length; where the AEAD can, the scan
     * runs on the plaintext as it is decrypted (aead_open_last_nonzero). */
    uint32_t found = 0;
    size_t pos = 0;
#ifdef TENON_FUZZING
    int rc = fuzzing_null_open(inner + inner_len);
    if (rc == TENON_OK)
        pos = ct_last_nonzero(inner, inner_len, &found);
#else
    int rc = aead_open_last_nonzero(k->ctx, nonce, 12, record, TLS_RECORD_HEADER_LEN, inner,
                                    inner_len, inner + inner_len, inner, &pos, &found);
#endif
    /* The verdict is public: the peer learns it from our alert. */
    ct_declassify(&rc, sizeof rc);
    /* RFC 8446 §5.2: "If the decryption fails, the receiver MUST terminate the connection with
     * a "bad_record_mac" alert." */
    if (rc == TENON_ERR_AUTH_FAILED)
        return TENON_ERR_TLS_BAD_RECORD_MAC;
    GUARD(rc);
    k->seq++;

    /* RFC 8446 §5.4: "the full encoded TLSInnerPlaintext MUST NOT exceed 2^14 + 1 octets";
     * §5.1: a fragment over 2^14 bytes is a "record_overflow". */
    if (inner_len > MAX_INNER) {
        tenon_wipe(inner, inner_len);
        return TENON_ERR_TLS_RECORD_OVERFLOW;
    }

    /* Where the content ends and what type it has are public from here on: the engine acts on
     * them (and the record length already bounds them). */
    ct_declassify(&found, sizeof found);
    uint8_t ctype = pos < inner_len ? inner[pos] : 0;
    ct_declassify(&ctype, sizeof ctype);

    /* RFC 8446 §5.4: "If a receiving implementation does not find a non-zero octet in the
     * cleartext, it MUST terminate the connection with an "unexpected_message" alert." */
    ENSURE(found != 0, TENON_ERR_TLS_UNEXPECTED_MESSAGE);
    *type = ctype;
    *content = inner;
    *content_len = pos;
    return TENON_OK;
}
