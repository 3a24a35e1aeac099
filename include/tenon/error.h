/*
 * tenon — error codes.
 *
 * Every fallible call returns 0 (TENON_OK) or one of the negative codes below. The set is
 * shared by every layer of the library; tenon_strerror() gives a one-line description.
 */
#ifndef TENON_ERROR_H
#define TENON_ERROR_H

#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tenon_err {
    TENON_OK = 0,
    /* An argument is out of its documented range (NULL where a buffer is needed, ...). */
    TENON_ERR_INVALID_ARGUMENT = -1,
    /* A key of a length this algorithm does not take. */
    TENON_ERR_BAD_KEY_LENGTH = -2,
    /* A nonce or IV of a length this algorithm does not take. */
    TENON_ERR_BAD_NONCE_LENGTH = -3,
    /* The caller's buffer cannot hold the result; nothing was truncated. */
    TENON_ERR_BUFFER_TOO_SMALL = -4,
    /* AEAD tag or MAC mismatch: the data was not authentic. No plaintext was released. */
    TENON_ERR_AUTH_FAILED = -5,
    /* More output was asked for than the function can give (e.g. HKDF past 255 blocks). */
    TENON_ERR_OUTPUT_TOO_LONG = -6,
    /* The operating system's random source failed. */
    TENON_ERR_RANDOM = -7,
    /* The algorithm or implementation is not available (e.g. its CPU features are absent). */
    TENON_ERR_UNSUPPORTED = -8,
    /* A length that must be a multiple of the block size is not. */
    TENON_ERR_BAD_LENGTH = -9,
    /* A context was used before it was initialised, or after it was wiped. */
    TENON_ERR_NOT_INITIALISED = -10,
    /* A bug in tenon: an internal consistency check failed. */
    TENON_ERR_INTERNAL = -11,
    /* A peer's public key is not valid for its group: wrong length, not on the curve, the
     * point at infinity, a coordinate out of range, or (X25519) an all-zero shared secret. */
    TENON_ERR_BAD_PUBLIC_KEY = -12,
    /* A private key is out of range (zero, or not below the group order) or inconsistent. */
    TENON_ERR_BAD_PRIVATE_KEY = -13,
    /* A signature did not verify (or is malformed, or out of range). */
    TENON_ERR_BAD_SIGNATURE = -14,
    /* An encoding (DER, a padded block, a length-prefixed field) is malformed. */
    TENON_ERR_MALFORMED = -15,
    /* RSA decryption failed (padding). */
    TENON_ERR_DECRYPTION_FAILED = -16,
    /* A key of a size tenon does not accept (e.g. RSA below 2048 or above 4096 bits). */
    TENON_ERR_KEY_SIZE = -17,
} tenon_err;

/* A static, human-readable description of an error code (never NULL). */
TENON_API const char *tenon_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif
