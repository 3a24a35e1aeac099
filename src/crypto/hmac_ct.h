/*
 * Internal: HMAC over a message whose length is secret (the TLS 1.2 MAC-then-encrypt record
 * check, the Lucky Thirteen countermeasure). Not part of the public API.
 */
#ifndef TENON_CRYPTO_HMAC_CT_H
#define TENON_CRYPTO_HMAC_CT_H

#include <stddef.h>
#include <stdint.h>

#include "tenon/crypto.h"

/* out = HMAC-h(key, header || data[0..data_len)), h one of SHA-1, SHA-256, SHA-384. data_len is
 * secret and at most max_len; data must have max_len readable bytes. The sequence of operations
 * and memory accesses depends only on h, key_len, header_len and max_len: as many compression
 * function calls are made as the longest message needs, and the state after the right one is
 * kept with masks. A data_len over max_len is taken as max_len (without a branch: it is
 * secret). TENON_ERR_INVALID_ARGUMENT for another hash. */
TENON_MUST_CHECK int hmac_ct_secret_len(const tenon_hash_class *h, const uint8_t *key,
                                        size_t key_len, const uint8_t *header, size_t header_len,
                                        const uint8_t *data, size_t data_len, size_t max_len,
                                        uint8_t *out);

#endif
