/* Error strings and the library version. */
#include "common.h"
#include "tenon/tenon.h"

TENON_API const char *tenon_strerror(int err)
{
    switch ((tenon_err)err) {
    case TENON_OK: return "success";
    case TENON_ERR_INVALID_ARGUMENT: return "invalid argument";
    case TENON_ERR_BAD_KEY_LENGTH: return "key length not supported by this algorithm";
    case TENON_ERR_BAD_NONCE_LENGTH: return "nonce length not supported by this algorithm";
    case TENON_ERR_BUFFER_TOO_SMALL: return "output buffer too small";
    case TENON_ERR_AUTH_FAILED: return "authentication failed (bad tag or MAC)";
    case TENON_ERR_OUTPUT_TOO_LONG: return "requested output too long for this function";
    case TENON_ERR_RANDOM: return "operating system random source failed";
    case TENON_ERR_UNSUPPORTED: return "algorithm or implementation not supported here";
    case TENON_ERR_BAD_LENGTH: return "length is not a multiple of the block size";
    case TENON_ERR_NOT_INITIALISED: return "context not initialised";
    case TENON_ERR_INTERNAL: return "internal error";
    case TENON_ERR_BAD_PUBLIC_KEY: return "invalid public key";
    case TENON_ERR_BAD_PRIVATE_KEY: return "invalid private key";
    case TENON_ERR_BAD_SIGNATURE: return "signature verification failed";
    case TENON_ERR_MALFORMED: return "malformed encoding";
    case TENON_ERR_DECRYPTION_FAILED: return "decryption failed";
    case TENON_ERR_KEY_SIZE: return "key size not supported";
    }
    return "unknown error";
}

TENON_API const char *tenon_version(void)
{
    return TENON_VERSION_STRING;
}
