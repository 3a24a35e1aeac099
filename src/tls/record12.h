/*
 * Internal: TLS 1.2 record protection for the AEAD suites (RFC 5246 §6.2.3.3), with the nonce
 * construction of AES-GCM (RFC 5288 §3) and of ChaCha20-Poly1305 (RFC 7905 §2). Pure functions
 * over one record at a time, like record.h for TLS 1.3; the engine owns buffers and framing.
 *
 * Kept apart from the TLS 1.3 state (tls_record_keys) so that nothing of TLS 1.3 changes.
 */
#ifndef TENON_TLS_RECORD12_H
#define TENON_TLS_RECORD12_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "tenon/crypto.h"

/* RFC 5246 §6.2.3: "The length (in bytes) of the following TLSCiphertext.fragment. The length
 * MUST NOT exceed 2^14 + 2048." */
#define TLS12_MAX_CIPHERTEXT (TLS_MAX_PLAINTEXT + 2048)
/* The most a record of tenon's TLS 1.2 suites adds to its content: CBC's 16-byte IV, a 32-byte
 * HMAC-SHA256 and 256 bytes of padding (RFC 5246 §6.2.3.2); AEAD suites add 24 at most. */
#define TLS12_MAX_EXPANSION (16 + 32 + 256)
/* RFC 5288 §3: the explicit part of the GCM nonce carried in each record. */
#define TLS12_GCM_EXPLICIT_LEN 8
/* RFC 5288 §3: the implicit part (salt) of the GCM nonce, from the key block. */
#define TLS12_GCM_SALT_LEN 4
/* RFC 7905 §2: the ChaCha20-Poly1305 IV from the key block (fixed_iv_length 12). */
#define TLS12_CHACHA_IV_LEN 12

typedef enum tls12_aead_kind {
    TLS12_AEAD_GCM = 1,    /* nonce = salt(4) || explicit(8); explicit part sent in the record */
    TLS12_AEAD_CHACHA = 2, /* nonce = iv(12) XOR padded seq; nothing sent */
} tls12_aead_kind;

/* Like tls_record_keys (record.h): the raw key kept, the expanded context in caller memory. */
typedef struct tls12_record_keys {
    uint8_t active;
    uint8_t kind;   /* tls12_aead_kind */
    uint8_t iv[12]; /* GCM: the 4-byte salt in iv[0..3]; ChaCha: the whole 12-byte IV */
    uint8_t key_len;
    uint64_t seq;
    const tenon_aead_class *cls;
    tenon_aead_ctx *ctx; /* the expanded key (caller memory); NULL while asleep */
    uint8_t key[TLS_RECORD_MAX_KEY];
} tls12_record_keys;

/* Installs key and fixed IV (iv_len 4 for GCM, 12 for ChaCha20-Poly1305), expanded into ctx;
 * seq = 0 (RFC 5246 §6.1: "Sequence numbers ... are set to zero whenever a connection state is
 * made the active state"). TENON_ERR_INVALID_ARGUMENT for a wrong iv_len or kind. */
TENON_MUST_CHECK int tls12_record_keys_install(tls12_record_keys *k, tenon_aead_ctx *ctx,
                                               tls12_aead_kind kind, const tenon_aead_class *cls,
                                               const uint8_t *key, size_t key_len,
                                               const uint8_t *iv, size_t iv_len);
/* Sleep and wake as tls_record_keys_sleep / tls_record_keys_wake. */
void tls12_record_keys_sleep(tls12_record_keys *k);
TENON_MUST_CHECK int tls12_record_keys_wake(tls12_record_keys *k, tenon_aead_ctx *ctx);
void tls12_record_keys_wipe(tls12_record_keys *k);

/* Bytes a record adds to its content: 8 + 16 for GCM, 16 for ChaCha20-Poly1305. */
size_t tls12_record_overhead(const tls12_record_keys *k);

/* Seals content (at most 2^14 bytes; may already sit at out + 5 + 8 for GCM, out + 5 for ChaCha,
 * i.e. at out + 5 + overhead - 16) into one whole TLSCiphertext record with the given type and
 * version 0x0303. *out_len = 5 + overhead + content_len. seq is incremented; TENON_ERR_INTERNAL
 * once it would wrap; TENON_ERR_BUFFER_TOO_SMALL if out_cap is short. */
TENON_MUST_CHECK int tls12_seal_record(tls12_record_keys *k, uint8_t type, const uint8_t *content,
                                       size_t content_len, uint8_t *out, size_t out_cap,
                                       size_t *out_len);

/* Opens one whole TLSCiphertext record in place; *type is the header's type, *content points
 * into record. Errors:
 *   TENON_ERR_TLS_DECODE          record_len < 5 or a header length that is not record_len - 5;
 *   TENON_ERR_TLS_RECORD_OVERFLOW fragment over 2^14 + 2048 bytes (§6.2.3) or plaintext over
 *                                 2^14 (§6.2.1);
 *   TENON_ERR_TLS_BAD_RECORD_MAC  too short to hold nonce and tag, or the tag did not verify
 *                                 (one alert for both, so truncation tells nothing more);
 *   TENON_ERR_INTERNAL            seq would wrap; TENON_ERR_NOT_INITIALISED without keys.
 * seq advances only on a record that authenticates. */
TENON_MUST_CHECK int tls12_open_record(tls12_record_keys *k, uint8_t *record, size_t record_len,
                                       uint8_t *type, uint8_t **content, size_t *content_len);

/* ---- CBC + HMAC (RFC 5246 §6.2.3.2; encrypt-then-MAC RFC 7366) ------------------------- */

#define TLS12_CBC_IV_LEN 16 /* RFC 5246 §6.2.3.2: record_iv_length = block_size */

typedef struct tls12_cbc_keys {
    uint8_t active;
    uint8_t etm; /* 1: encrypt-then-MAC (RFC 7366) was negotiated */
    uint8_t mac_key_len;
    uint8_t enc_key_len;
    uint64_t seq;
    const tenon_hash_class *mac_hash; /* SHA-1 or SHA-256 (or SHA-384) */
    tenon_aes_cbc_ctx *ctx;           /* the expanded AES key (caller memory); NULL: asleep */
    uint8_t mac_key[48];
    uint8_t enc_key[32];
} tls12_cbc_keys;

/* Installs the MAC key (mac_key_len = mac_hash->digest_len, RFC 5246 §6.2.3.1) and the AES key
 * (16 or 32 bytes, expanded into ctx); seq = 0. */
TENON_MUST_CHECK int tls12_cbc_keys_install(tls12_cbc_keys *k, tenon_aes_cbc_ctx *ctx,
                                            const tenon_hash_class *mac_hash,
                                            const uint8_t *mac_key, size_t mac_key_len,
                                            const uint8_t *enc_key, size_t enc_key_len, int etm);
void tls12_cbc_keys_sleep(tls12_cbc_keys *k);
TENON_MUST_CHECK int tls12_cbc_keys_wake(tls12_cbc_keys *k, tenon_aes_cbc_ctx *ctx);
void tls12_cbc_keys_wipe(tls12_cbc_keys *k);

/* Seals content (at most 2^14 bytes) into IV || CBC(content || MAC || padding) (MAC-then-encrypt)
 * or IV || CBC(content || padding) || MAC (RFC 7366), with a fresh random IV and the least
 * padding. content may not overlap out. TENON_ERR_BUFFER_TOO_SMALL, TENON_ERR_INTERNAL (seq),
 * TENON_ERR_RANDOM as the cases are. */
TENON_MUST_CHECK int tls12_cbc_seal_record(tls12_cbc_keys *k, uint8_t type, const uint8_t *content,
                                           size_t content_len, uint8_t *out, size_t out_cap,
                                           size_t *out_len);

/* Opens one whole CBC record in place. Every failure of padding or MAC, and a body whose length
 * cannot be a record of this suite, is TENON_ERR_TLS_BAD_RECORD_MAC (RFC 5246 §6.2.3.2: the same
 * alert for both, and for MAC-then-encrypt the same work whatever the padding: the MAC is
 * computed over the longest possible content in constant time); TENON_ERR_TLS_DECODE for a
 * header length that is not record_len - 5; TENON_ERR_TLS_RECORD_OVERFLOW over 2^14 + 2048 (or
 * a plaintext over 2^14). */
TENON_MUST_CHECK int tls12_cbc_open_record(tls12_cbc_keys *k, uint8_t *record, size_t record_len,
                                           uint8_t *type, uint8_t **content, size_t *content_len);

#endif
