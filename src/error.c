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
    case TENON_ERR_KEYGEN_FAILED: return "key generation found no prime within its attempts";
    case TENON_ERR_BUFFERS_BUSY: return "the connection's buffers still hold bytes";
    case TENON_ERR_NO_BUFFERS: return "the connection's buffers were released: give them first";
    case TENON_ERR_TLS_DECODE: return "TLS: malformed message (decode_error)";
    case TENON_ERR_TLS_ILLEGAL_PARAMETER: return "TLS: illegal parameter";
    case TENON_ERR_TLS_UNEXPECTED_MESSAGE: return "TLS: unexpected message";
    case TENON_ERR_TLS_RECORD_OVERFLOW: return "TLS: record too long (record_overflow)";
    case TENON_ERR_TLS_BAD_RECORD_MAC: return "TLS: record failed authentication (bad_record_mac)";
    case TENON_ERR_TLS_HANDSHAKE_FAILURE: return "TLS: no acceptable parameters in common";
    case TENON_ERR_TLS_MISSING_EXTENSION: return "TLS: mandatory extension missing";
    case TENON_ERR_TLS_UNSUPPORTED_EXTENSION: return "TLS: extension not allowed here";
    case TENON_ERR_TLS_PROTOCOL_VERSION: return "TLS: no protocol version in common";
    case TENON_ERR_TLS_DECRYPT_ERROR: return "TLS: Finished, signature or binder did not verify";
    case TENON_ERR_TLS_BAD_CERTIFICATE: return "TLS: peer certificate refused";
    case TENON_ERR_TLS_CERTIFICATE_REQUIRED: return "TLS: client certificate required";
    case TENON_ERR_TLS_NO_APPLICATION_PROTOCOL: return "TLS: no application protocol in common";
    case TENON_ERR_TLS_PEER_ALERT: return "TLS: the peer sent a fatal alert";
    case TENON_ERR_TLS_CLOSED: return "TLS: connection closed (close_notify)";
    case TENON_ERR_TLS_TRUNCATED: return "TLS: transport closed without close_notify (truncation)";
    case TENON_ERR_TLS_DOWNGRADE: return "TLS: downgrade detected (RFC 8446 4.1.3 sentinel)";
    case TENON_ERR_TLS_CONFIG: return "TLS: invalid configuration";
    case TENON_ERR_TLS_RENEGOTIATION: return "TLS: renegotiation refused";
    case TENON_ERR_TLS_HANDSHAKE_CLOSED: return "TLS: the peer closed (close_notify) during the handshake";
    case TENON_ERR_TLS_KEY_USAGE: return "TLS: the peer certificate's keyUsage forbids this use of its key";
    case TENON_ERR_TLS_NO_COMMON_VERSION: return "TLS: no protocol version in common";
    case TENON_ERR_TLS_NO_COMMON_SUITE: return "TLS: no cipher suite in common";
    case TENON_ERR_TLS_NO_COMMON_GROUP: return "TLS: no key exchange group in common";
    case TENON_ERR_TLS_NO_COMMON_SIG_SCHEME: return "TLS: no signature scheme in common";
    case TENON_ERR_TLS_NO_CERT_FOR_PEER:
        return "TLS: no certificate of ours can sign with a signature scheme the peer accepts";
    case TENON_ERR_TLS_EMS_REQUIRED:
        return "TLS 1.2: the peer lacks the extended master secret (RFC 7627), which is required";
    case TENON_ERR_TLS_RENEGOTIATION_INFO:
        return "TLS 1.2: the peer's secure renegotiation indication (RFC 5746) is missing or wrong";
    case TENON_ERR_TLS_NO_CLIENT_CERT:
        return "TLS 1.2: client certificate required, and the client sent none";
    case TENON_ERR_TLS_PQ_REQUIRED:
        return "TLS: a post-quantum key exchange is required, and the peer offers none";
    case TENON_ERR_TLS_CLIENT_CERT_REFUSED:
        return "TLS: the client certificate callback failed the handshake";
    case TENON_ERR_TLS_BAD_CERT_STATUS:
        return "TLS: the server's stapled certificate status (OCSP) was refused";
    case TENON_ERR_TLS_STAPLE_CALLBACK:
        return "TLS: the server's stapling callback for the certificate status (OCSP) failed";
    case TENON_ERR_CERT_MALFORMED: return "malformed certificate";
    case TENON_ERR_CERT_EXPIRED: return "certificate has expired";
    case TENON_ERR_CERT_NOT_YET_VALID: return "certificate is not yet valid";
    case TENON_ERR_CERT_UNKNOWN_ISSUER: return "unknown issuer: no path to a trust anchor";
    case TENON_ERR_CERT_BAD_SIGNATURE: return "certificate signature does not verify";
    case TENON_ERR_CERT_NOT_CA: return "issuer is not a CA certificate";
    case TENON_ERR_CERT_PATH_LEN: return "pathLenConstraint exceeded";
    case TENON_ERR_CERT_PATH_TOO_LONG: return "certificate path longer than the depth limit";
    case TENON_ERR_CERT_NAME_MISMATCH: return "certificate does not match the host name";
    case TENON_ERR_CERT_WRONG_EKU: return "certificate extended key usage excludes this purpose";
    case TENON_ERR_CERT_CRITICAL_EXT: return "unsupported critical certificate extension";
    case TENON_ERR_CERT_NAME_CONSTRAINTS: return "certificate name violates name constraints";
    case TENON_ERR_CERT_UNSUPPORTED_ALG: return "unsupported certificate algorithm";
    case TENON_ERR_CERT_KEY_USAGE: return "issuer key usage does not allow certificate signing";
    case TENON_ERR_CERT_PATH_BUDGET: return "too many candidate paths tried";
    case TENON_ERR_DER_TOO_DEEP: return "DER nesting too deep";
    case TENON_ERR_PEM_NOT_FOUND: return "no PEM block found";
    case TENON_ERR_PEM_MALFORMED: return "malformed PEM";
    case TENON_ERR_KEY_ENCRYPTED: return "key file is encrypted (not supported: decrypt it first)";
    case TENON_ERR_KEY_UNSUPPORTED: return "unsupported key type, curve or format";
    case TENON_ERR_KEY_MALFORMED: return "malformed key file";
    case TENON_ERR_KEY_MISMATCH: return "private key does not match the public key";
    case TENON_ERR_STORE_FULL: return "trust store is full";
    case TENON_ERR_FILE_IO: return "file could not be read";
    case TENON_ERR_CERT_REJECTED: return "TLS: peer certificate refused by the verify callback";
    }
    return "unknown error";
}

TENON_API const char *tenon_version(void)
{
#ifdef TENON_FUZZING
    /* A fuzzing build (src/tls/fuzzing.h) must never pass for a real library. */
    return TENON_VERSION_STRING "-FUZZING-UNSAFE";
#else
    return TENON_VERSION_STRING;
#endif
}
