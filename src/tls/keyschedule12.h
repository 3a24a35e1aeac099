/*
 * Internal: the TLS 1.2 key derivation (RFC 5246 §6.3, §7.4.9, §8.1; RFC 7627 §4), a pure
 * module with no connection state. Every PRF call is reported to the trace (TENON_TRACE_PRF:
 * label, secret, seed, out) and the key_block split as TENON_TRACE_TRAFFIC_KEYS.
 *
 * The PRF hash is SHA-256, or SHA-384 for the SHA-384 suites (RFC 5246 §5, RFC 5288 §3).
 */
#ifndef TENON_TLS_KEYSCHEDULE12_H
#define TENON_TLS_KEYSCHEDULE12_H

#include <stddef.h>
#include <stdint.h>

#include "tenon/crypto.h"
#include "trace.h"

#define TLS12_MASTER_LEN 48 /* RFC 5246 §8.1: master_secret[0..47] */
#define TLS12_RANDOM_LEN 32
#define TLS12_VERIFY_DATA_LEN 12 /* RFC 5246 §7.4.9: verify_data_length 12 */
#define TLS12_MAX_MAC_KEY 48     /* HMAC-SHA384 at most */
#define TLS12_MAX_ENC_KEY 32
#define TLS12_MAX_FIXED_IV 16 /* CBC IV; AEAD: 4 (GCM) or 12 (ChaCha20-Poly1305) */

/* master_secret = PRF(pre_master_secret, "master secret",
 *                     ClientHello.random + ServerHello.random)[0..47]      (RFC 5246 §8.1) */
TENON_MUST_CHECK int tls12_master_secret(const tenon_hash_class *h, const uint8_t *pms,
                                         size_t pms_len,
                                         const uint8_t client_random[TLS12_RANDOM_LEN],
                                         const uint8_t server_random[TLS12_RANDOM_LEN],
                                         uint8_t master[TLS12_MASTER_LEN], const tls_trace *tr);

/* master_secret = PRF(pre_master_secret, "extended master secret", session_hash)[0..47]
 * (RFC 7627 §4), session_hash = Hash(handshake messages up to ClientKeyExchange). */
TENON_MUST_CHECK int tls12_extended_master_secret(const tenon_hash_class *h, const uint8_t *pms,
                                                  size_t pms_len, const uint8_t *session_hash,
                                                  size_t session_hash_len,
                                                  uint8_t master[TLS12_MASTER_LEN],
                                                  const tls_trace *tr);

/* The key_block split (RFC 5246 §6.3). Lengths 0 for what a suite does not use (AEAD: no MAC
 * keys). */
typedef struct tls12_key_block {
    size_t mac_key_len, enc_key_len, fixed_iv_len;
    uint8_t client_mac[TLS12_MAX_MAC_KEY];
    uint8_t server_mac[TLS12_MAX_MAC_KEY];
    uint8_t client_key[TLS12_MAX_ENC_KEY];
    uint8_t server_key[TLS12_MAX_ENC_KEY];
    uint8_t client_iv[TLS12_MAX_FIXED_IV];
    uint8_t server_iv[TLS12_MAX_FIXED_IV];
} tls12_key_block;

/* key_block = PRF(master_secret, "key expansion", server_random + client_random), split into
 * client_write_MAC_key, server_write_MAC_key, client_write_key, server_write_key,
 * client_write_IV, server_write_IV in that order. */
TENON_MUST_CHECK int tls12_key_block_derive(const tenon_hash_class *h,
                                            const uint8_t master[TLS12_MASTER_LEN],
                                            const uint8_t client_random[TLS12_RANDOM_LEN],
                                            const uint8_t server_random[TLS12_RANDOM_LEN],
                                            size_t mac_key_len, size_t enc_key_len,
                                            size_t fixed_iv_len, tls12_key_block *kb,
                                            const tls_trace *tr);

/* verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))[0..11], with
 * finished_label "client finished" (from_client) or "server finished" (RFC 5246 §7.4.9). */
TENON_MUST_CHECK int tls12_finished(const tenon_hash_class *h,
                                    const uint8_t master[TLS12_MASTER_LEN], int from_client,
                                    const uint8_t *transcript_hash, size_t transcript_hash_len,
                                    uint8_t verify_data[TLS12_VERIFY_DATA_LEN],
                                    const tls_trace *tr);

/* Computes the expected verify_data and compares it with received in constant time:
 * TENON_OK or TENON_ERR_TLS_DECRYPT_ERROR (RFC 5246 §7.4.9: "Recipients of Finished messages
 * MUST verify that the contents are correct"; a wrong one is a decrypt_error, §7.2.2). */
TENON_MUST_CHECK int tls12_finished_check(const tenon_hash_class *h,
                                          const uint8_t master[TLS12_MASTER_LEN], int from_client,
                                          const uint8_t *transcript_hash,
                                          size_t transcript_hash_len, const uint8_t *received,
                                          size_t received_len, const tls_trace *tr);

/* The NSS key log line "CLIENT_RANDOM <client_random hex> <master_secret hex>" (no newline),
 * NUL-terminated in out (TLS12_KEYLOG_LINE_LEN bytes). */
#define TLS12_KEYLOG_LINE_LEN (13 + 1 + 2 * TLS12_RANDOM_LEN + 1 + 2 * TLS12_MASTER_LEN + 1)
void tls12_keylog_line(const uint8_t client_random[TLS12_RANDOM_LEN],
                       const uint8_t master[TLS12_MASTER_LEN], char out[TLS12_KEYLOG_LINE_LEN]);

void tls12_key_block_wipe(tls12_key_block *kb);

#endif
