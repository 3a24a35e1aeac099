/*
 * Internal: record protection (RFC 8446 §5). Pure functions over one record at a time; the
 * engine owns the buffers and the stream framing.
 *
 * A direction's protection state is the raw key, the static IV and the 64-bit sequence number,
 * small enough for a connection to keep while idle; installing new keys resets the sequence
 * number to 0 (§5.3). The expanded AEAD context (round keys, GHASH powers: about 1 KB for
 * AES-GCM) lives in caller memory (the engine's buffers), is dropped with them (sleep) and is
 * recomputed from the raw key when they come back (wake).
 */
#ifndef TENON_TLS_RECORD_H
#define TENON_TLS_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tenon/crypto.h"

/* ContentType (RFC 8446 §5.1). */
enum {
    TLS_CT_CHANGE_CIPHER_SPEC = 20,
    TLS_CT_ALERT = 21,
    TLS_CT_HANDSHAKE = 22,
    TLS_CT_APPLICATION_DATA = 23,
};

#define TLS_RECORD_HEADER_LEN 5
#define TLS_MAX_PLAINTEXT 16384                        /* 2^14 */
#define TLS13_MAX_CIPHERTEXT (TLS_MAX_PLAINTEXT + 256) /* 2^14 + 256 */
/* A buffer for one whole record of either version, header included. */
#define TLS_MAX_RECORD (TLS_RECORD_HEADER_LEN + TLS_MAX_PLAINTEXT + 2048)

#define TLS_RECORD_MAX_KEY 32 /* the longest AEAD key (AES-256, ChaCha20) */

/* Where a direction's expanded keys live: an AEAD context, or TLS 1.2 CBC's AES context. */
typedef union tls_keys_ctx {
    tenon_aead_ctx aead;
    tenon_aes_cbc_ctx cbc;
} tls_keys_ctx;

typedef struct tls_record_keys {
    uint8_t active; /* 0: records are plaintext (before the first keys) */
    uint8_t key_len;
    uint8_t iv[12];
    uint64_t seq;
    const tenon_aead_class *cls;
    tenon_aead_ctx *ctx; /* the expanded key (caller memory); NULL while asleep */
    uint8_t key[TLS_RECORD_MAX_KEY];
} tls_record_keys;

/* A record's 12-byte AEAD nonce in nonce[0..12) (nonce has 16 bytes): iv XOR x as 8 big-endian
 * bytes behind 4 zeros (RFC 8446 §5.3, RFC 7905 §2), or with whole_iv 0 the first 4 bytes of iv
 * followed by x as 8 big-endian bytes (RFC 5288 §3's salt || nonce_explicit). Formed in two
 * 64-bit words and written with one 16-byte store: the AEADs load the nonce as one block or in
 * words, and a load that spans several narrower stores (a byte-wise or 8 + 4 byte build) is not
 * forwarded from them but waits for them to retire, some 20 cycles on every record. */
typedef uint64_t tls_nonce_words __attribute__((vector_size(16)));

static inline void tls_nonce16(uint8_t nonce[16], const uint8_t iv[12], int whole_iv, uint64_t x)
{
    uint64_t lo = 0, hi = 0;
    if (whole_iv) {
        memcpy(&lo, iv, 8);
        memcpy(&hi, iv + 8, 4);
    } else {
        memcpy(&lo, iv, 4);
    }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t be = __builtin_bswap64(x); /* byte i of be is byte i of the encoding */
    lo ^= be << 32;
    hi ^= be >> 32;
#else
    lo ^= x >> 32;
    hi ^= (x & 0xffffffffu) << 32;
#endif
    tls_nonce_words w = {lo, hi};
    memcpy(nonce, &w, sizeof w);
}

/* Installs key and iv for the given AEAD class, expanded into ctx; seq = 0. */
TENON_MUST_CHECK int tls13_record_keys_install(tls_record_keys *k, tenon_aead_ctx *ctx,
                                               const tenon_aead_class *cls, const uint8_t *key,
                                               size_t key_len, const uint8_t iv[12]);
/* Wipes the expanded key (k->ctx = NULL); the raw key, IV and seq stay. */
void tls_record_keys_sleep(tls_record_keys *k);
/* Expands the raw key into ctx again, if keys are installed and asleep. */
TENON_MUST_CHECK int tls_record_keys_wake(tls_record_keys *k, tenon_aead_ctx *ctx);
void tls_record_keys_wipe(tls_record_keys *k);

/* Seals one TLSInnerPlaintext (content || type || pad_len zeros) into a whole TLSCiphertext
 * record (header included) in out; *out_len receives its length (5 + content_len + 1 + pad_len
 * + 16). content is read where it is, without a staging copy (it may be at out + 5 already:
 * in place; elsewhere inside out it is moved to out + 5 first). type must be non-zero, content_len
 * at most 2^14 and content_len + 1 + pad_len at most 2^14 + 1 (§5.4), else
 * TENON_ERR_INVALID_ARGUMENT; TENON_ERR_BUFFER_TOO_SMALL if out_cap is short;
 * TENON_ERR_NOT_INITIALISED without keys. seq is incremented; TENON_ERR_INTERNAL once it would
 * wrap (§5.3: rekey before 2^64 - 1 records). */
TENON_MUST_CHECK int tls13_seal_record(tls_record_keys *k, uint8_t type, const uint8_t *content,
                                       size_t content_len, size_t pad_len, uint8_t *out,
                                       size_t out_cap, size_t *out_len);

/* Opens one whole TLSCiphertext record (header included): decrypts in place, strips the zero
 * padding (with a scan whose flow does not depend on the plaintext), finds the real type.
 * *content points into the record buffer (record + 5). Errors, each with the alert RFC 8446
 * names:
 *   TENON_ERR_TLS_DECODE             record_len < 5, a header length that is not record_len - 5,
 *                                    or a body shorter than the AEAD tag (decode_error);
 *   TENON_ERR_TLS_UNEXPECTED_MESSAGE outer type is not 23, or the inner plaintext has no
 *                                    non-zero byte (§5.4; unexpected_message);
 *   TENON_ERR_TLS_RECORD_OVERFLOW    body over 2^14 + 256 bytes (§5.2) or inner plaintext over
 *                                    2^14 + 1 bytes (§5.4; record_overflow);
 *   TENON_ERR_TLS_BAD_RECORD_MAC     the AEAD tag did not verify (bad_record_mac); the inner
 *                                    bytes are zeroed;
 *   TENON_ERR_INTERNAL               the sequence number would wrap;
 *   TENON_ERR_NOT_INITIALISED        no keys installed.
 * seq advances on every record that authenticates (including those then refused for their
 * content), not on one that does not. */
TENON_MUST_CHECK int tls13_open_record(tls_record_keys *k, uint8_t *record, size_t record_len,
                                       uint8_t *type, uint8_t **content, size_t *content_len);

#endif
