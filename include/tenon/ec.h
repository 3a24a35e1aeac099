/*
 * tenon — the NIST curves P-256 and P-384 (SEC 1, FIPS 186-5): keys, ECDH and ECDSA.
 *
 * Keys are plain structs holding raw encodings: the private scalar big-endian, the public key as
 * the uncompressed point 0x04 || X || Y. ECDH for TLS is the tenon_kex_secp256r1/384r1 classes
 * (tenon/kex.h). Every operation on a private key is constant-time.
 */
#ifndef TENON_EC_H
#define TENON_EC_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "error.h"
#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Curves, numbered by their TLS NamedGroup code points. */
typedef enum tenon_ec_curve {
    TENON_EC_P256 = 23, /* secp256r1 */
    TENON_EC_P384 = 24, /* secp384r1 */
} tenon_ec_curve;

#define TENON_EC_MAX_SCALAR_LEN 48
#define TENON_EC_MAX_POINT_LEN 97
/* A DER ECDSA-Sig-Value for P-384: SEQUENCE { INTEGER r, INTEGER s } at most 2 + 2 * (2 + 49). */
#define TENON_ECDSA_MAX_SIG_LEN 104

typedef struct tenon_ec_public_key {
    tenon_ec_curve curve;
    size_t point_len; /* 65 or 97 */
    uint8_t point[TENON_EC_MAX_POINT_LEN];
} tenon_ec_public_key;

typedef struct tenon_ec_private_key {
    tenon_ec_curve curve;
    size_t scalar_len; /* 32 or 48 */
    uint8_t scalar[TENON_EC_MAX_SCALAR_LEN];
    tenon_ec_public_key pub;
} tenon_ec_private_key;

/* Signature encodings. */
typedef enum tenon_ecdsa_format {
    TENON_ECDSA_DER = 0, /* ECDSA-Sig-Value, RFC 3279 §2.2.3: what TLS and X.509 carry */
    TENON_ECDSA_RAW = 1, /* r || s, each the size of the group order (IEEE P1363) */
} tenon_ecdsa_format;

/* Scalar length and point length of a curve (0 for an unknown curve). */
TENON_API size_t tenon_ec_scalar_len(tenon_ec_curve curve);
TENON_API size_t tenon_ec_point_len(tenon_ec_curve curve);

/* A fresh key pair (the scalar uniform in [1, n-1], from tenon_random()). */
TENON_API TENON_MUST_CHECK int tenon_ec_keygen(tenon_ec_curve curve, tenon_ec_private_key *key);

/* Loads a private key from its big-endian scalar (exactly scalar_len bytes, in [1, n-1]) and
 * computes its public key. */
TENON_API TENON_MUST_CHECK int tenon_ec_private_key_load(tenon_ec_curve curve,
                                                         tenon_ec_private_key *key,
                                                         const uint8_t *scalar, size_t len);

/* Loads and fully validates a public key from an uncompressed point (on the curve, coordinates
 * below p, not infinity). TENON_ERR_BAD_PUBLIC_KEY otherwise. */
TENON_API TENON_MUST_CHECK int tenon_ec_public_key_load(tenon_ec_curve curve,
                                                        tenon_ec_public_key *key,
                                                        const uint8_t *point, size_t len);

/* ECDH: the X coordinate of d · Q (scalar_len bytes). */
TENON_API TENON_MUST_CHECK int tenon_ecdh(const tenon_ec_private_key *key,
                                          const tenon_ec_public_key *peer, uint8_t *shared);

/* ECDSA signature of a message digest (FIPS 186-5 §6.4.1). The nonce is derived as in RFC 6979
 * (HMAC-DRBG with hash h over the key and the digest); with hedged != 0, 32 fresh random bytes
 * are mixed into the DRBG seed as RFC 6979 §3.6 allows. h must be the hash that produced the
 * digest (it sets the DRBG). *sig_len receives the length written. */
TENON_API TENON_MUST_CHECK int tenon_ecdsa_sign(const tenon_ec_private_key *key,
                                                const tenon_hash_class *h, const uint8_t *digest,
                                                size_t digest_len, tenon_ecdsa_format format,
                                                int hedged, uint8_t *sig, size_t sig_cap,
                                                size_t *sig_len);

/* 0 if sig is a valid signature of digest under key, TENON_ERR_BAD_SIGNATURE otherwise
 * (including malformed or non-minimal DER and r, s outside [1, n-1]). */
TENON_API TENON_MUST_CHECK int tenon_ecdsa_verify(const tenon_ec_public_key *key,
                                                  const uint8_t *digest, size_t digest_len,
                                                  tenon_ecdsa_format format, const uint8_t *sig,
                                                  size_t sig_len);

TENON_API void tenon_ec_private_key_wipe(tenon_ec_private_key *key);

#ifdef __cplusplus
}
#endif

#endif
