/*
 * Internal: ECDSA signing with randomness the caller has drawn. Not part of the public API.
 */
#ifndef TENON_CRYPTO_ECDSA_RANDOM_H
#define TENON_CRYPTO_ECDSA_RANDOM_H

#include <stddef.h>
#include <stdint.h>

#include "tenon/crypto.h"
#include "tenon/ec.h"

/* The fresh random bytes a hedged signature takes for a scalar of scalar_len bytes: 32 for the
 * RFC 6979 §3.6 hedge, then the blinds of the two inversions (2 · scalar_len). */
#define ECDSA_RANDOM_LEN(scalar_len) (32 + 2 * (scalar_len))

/* tenon_ecdsa_sign with its random bytes supplied: random is NULL (not hedged: RFC 6979 alone)
 * or ECDSA_RANDOM_LEN(key->scalar_len) bytes fresh from the system's generator, used for this
 * one signature and then wiped by the caller. A TLS handshake draws them from its pool
 * (tls_random), saving a system call per signature. */
TENON_MUST_CHECK int ecdsa_sign_with_random(const tenon_ec_private_key *key,
                                            const tenon_hash_class *h, const uint8_t *digest,
                                            size_t digest_len, tenon_ecdsa_format format,
                                            const uint8_t *random, uint8_t *sig, size_t sig_cap,
                                            size_t *sig_len);

#endif
