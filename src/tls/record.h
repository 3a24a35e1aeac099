/*
 * Internal: record protection (RFC 8446 §5). Pure functions over one record at a time; the
 * engine owns the buffers and the stream framing.
 *
 * A direction's protection state is an AEAD context, the static IV and the 64-bit sequence
 * number; installing new keys resets the sequence number to 0 (§5.3).
 */
#ifndef TENON_TLS_RECORD_H
#define TENON_TLS_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "tenon/crypto.h"

/* ContentType (RFC 8446 §5.1). */
enum {
    TLS_CT_CHANGE_CIPHER_SPEC = 20,
    TLS_CT_ALERT = 21,
    TLS_CT_HANDSHAKE = 22,
    TLS_CT_APPLICATION_DATA = 23,
};

#define TLS_RECORD_HEADER_LEN 5
#define TLS_MAX_PLAINTEXT 16384                      /* 2^14 */
#define TLS13_MAX_CIPHERTEXT (TLS_MAX_PLAINTEXT + 256) /* 2^14 + 256 */
/* A buffer for one whole record of either version, header included. */
#define TLS_MAX_RECORD (TLS_RECORD_HEADER_LEN + TLS_MAX_PLAINTEXT + 2048)

typedef struct tls_record_keys {
    int active; /* 0: records are plaintext (before the first keys) */
    tenon_aead_ctx aead;
    uint8_t iv[12];
    uint64_t seq;
} tls_record_keys;

/* Installs key and iv for the given AEAD class; seq = 0. */
TENON_MUST_CHECK int tls13_record_keys_install(tls_record_keys *k, const tenon_aead_class *cls,
                                               const uint8_t *key, size_t key_len,
                                               const uint8_t iv[12]);
void tls_record_keys_wipe(tls_record_keys *k);

/* Seals one TLSInnerPlaintext (content || type || pad zeros) into a whole TLSCiphertext record
 * (header included) in out; *out_len receives its length. content may be at out + 5 already
 * (in place). seq is incremented; TENON_ERR_INTERNAL if it would wrap (§5.3). */
TENON_MUST_CHECK int tls13_seal_record(tls_record_keys *k, uint8_t type, const uint8_t *content,
                                       size_t content_len, size_t pad_len, uint8_t *out,
                                       size_t out_cap, size_t *out_len);

/* Opens one whole TLSCiphertext record (header included, already checked for type 23 and
 * length <= 2^14 + 256 by the framer): decrypts in place, strips the padding, finds the real
 * type. *content points into the record buffer. TENON_ERR_AUTH_FAILED → bad_record_mac; an
 * all-zero inner plaintext → TENON_ERR_MALFORMED (unexpected_message); inner plaintext over
 * 2^14 → record_overflow (TENON_ERR_MALFORMED with the caller mapping). */
TENON_MUST_CHECK int tls13_open_record(tls_record_keys *k, uint8_t *record, size_t record_len,
                                       uint8_t *type, uint8_t **content, size_t *content_len);

#endif
