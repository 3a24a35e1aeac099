/*
 * tenon — Ed25519 signatures (RFC 8032 §5.1: pure EdDSA on edwards25519 with SHA-512).
 *
 * Keys are plain structs of raw encodings: the private key is the 32-byte seed of RFC 8032
 * §5.1.5 (what PKCS#8 files carry, RFC 8410 §7) with its public key, the public key the 32-byte
 * encoded point A. Signatures are 64 bytes, R || S. The message is signed whole (no pre-hash):
 * Ed25519 hashes it twice when signing and once when verifying.
 *
 * Signing is constant-time in the seed, the secret scalar and the nonce (a fixed-base table with
 * masked lookups, constant-time scalar arithmetic). Verification is strict:
 *   - the signature is exactly 64 bytes and S < L, the group order (RFC 8032 §5.1.7), so a
 *     signature is not malleable by adding L to S;
 *   - the public key must decode (RFC 8032 §5.1.3): its y below p, x recoverable, no "negative
 *     zero"; R is checked by recomputing R' = [S]B - [k]A and comparing its canonical encoding
 *     with the signature's bytes, so a non-canonical or off-curve R never verifies;
 *   - the cofactorless equation [S]B = R + [k]A, which RFC 8032 §5.1.7 allows ("sufficient,
 *     but not required") and which OpenSSL and BoringSSL use too: they, Wycheproof's vectors
 *     and tenon agree on every signature. Public keys and R of small order are not refused
 *     beyond that equation.
 */
#ifndef TENON_ED25519_H
#define TENON_ED25519_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TENON_ED25519_SEED_LEN 32
#define TENON_ED25519_PUBLIC_LEN 32
#define TENON_ED25519_SIG_LEN 64

typedef struct tenon_ed25519_public_key {
    uint8_t bytes[TENON_ED25519_PUBLIC_LEN]; /* the encoded point A (RFC 8032 §5.1.2) */
} tenon_ed25519_public_key;

typedef struct tenon_ed25519_private_key {
    uint8_t seed[TENON_ED25519_SEED_LEN]; /* the private key of RFC 8032 §5.1.5 */
    tenon_ed25519_public_key pub;
} tenon_ed25519_private_key;

/* A fresh key pair: 32 random bytes from tenon_random() as the seed. */
TENON_API TENON_MUST_CHECK int tenon_ed25519_keygen(tenon_ed25519_private_key *key);

/* Loads a private key from its 32-byte seed (len must be 32) and computes its public key
 * (RFC 8032 §5.1.5). Every 32-byte string is a seed. */
TENON_API TENON_MUST_CHECK int tenon_ed25519_private_key_load(tenon_ed25519_private_key *key,
                                                              const uint8_t *seed, size_t len);

/* Loads a public key from its 32-byte encoding, which must decode to a point of the curve
 * (RFC 8032 §5.1.3: y < p, x^2 a square, not x = 0 with the sign bit set);
 * TENON_ERR_BAD_PUBLIC_KEY otherwise. */
TENON_API TENON_MUST_CHECK int tenon_ed25519_public_key_load(tenon_ed25519_public_key *key,
                                                             const uint8_t *pub, size_t len);

/* The signature of msg[0 .. len) (RFC 8032 §5.1.6), deterministic: 64 bytes into sig. */
TENON_API TENON_MUST_CHECK int tenon_ed25519_sign(const tenon_ed25519_private_key *key,
                                                  const uint8_t *msg, size_t len,
                                                  uint8_t sig[TENON_ED25519_SIG_LEN]);

/* 0 if sig is a valid signature of msg under key (RFC 8032 §5.1.7, with the choices above),
 * TENON_ERR_BAD_SIGNATURE otherwise (including a length other than 64, S >= L, and a key
 * that does not decode). Variable time: everything it reads is public. */
TENON_API TENON_MUST_CHECK int tenon_ed25519_verify(const tenon_ed25519_public_key *key,
                                                    const uint8_t *msg, size_t len,
                                                    const uint8_t *sig, size_t sig_len);

TENON_API void tenon_ed25519_private_key_wipe(tenon_ed25519_private_key *key);

#ifdef __cplusplus
}
#endif

#endif
