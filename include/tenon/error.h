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
} tenon_err;

/* A static, human-readable description of an error code (never NULL). */
TENON_API const char *tenon_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif
