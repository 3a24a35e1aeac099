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
    /* Key generation found no prime within the candidates FIPS 186-5 B.3.3 allows (probability
     * about 2^-20 per key): calling again is the remedy. */
    TENON_ERR_KEYGEN_FAILED = -26,
    /* tenon_conn_release_buffers: the buffers still hold bytes (a partial record or handshake
     * message, unread data, unsent output) or the handshake is not complete; nothing changed. */
    TENON_ERR_BUFFERS_BUSY = -27,
    /* The connection's buffers were released: give them back (tenon_conn_give_buffers) first. */
    TENON_ERR_NO_BUFFERS = -28,
    /* TLS protocol failures (-50 to -79). Each maps to the alert RFC 8446 §6.2 names, which is
     * sent to the peer before the connection closes (tenon_error_alert in tenon/tls.h). */
    /* A message or record could not be parsed (decode_error). */
    TENON_ERR_TLS_DECODE = -50,
    /* A field has a value the protocol forbids here (illegal_parameter). */
    TENON_ERR_TLS_ILLEGAL_PARAMETER = -51,
    /* A message arrived that is not allowed in this state (unexpected_message). */
    TENON_ERR_TLS_UNEXPECTED_MESSAGE = -52,
    /* A record is longer than the protocol allows (record_overflow). */
    TENON_ERR_TLS_RECORD_OVERFLOW = -53,
    /* A record failed authentication (bad_record_mac). */
    TENON_ERR_TLS_BAD_RECORD_MAC = -54,
    /* No acceptable set of parameters could be agreed (handshake_failure). */
    TENON_ERR_TLS_HANDSHAKE_FAILURE = -55,
    /* A mandatory extension is missing (missing_extension). */
    TENON_ERR_TLS_MISSING_EXTENSION = -56,
    /* An extension appeared where it is not allowed (unsupported_extension). */
    TENON_ERR_TLS_UNSUPPORTED_EXTENSION = -57,
    /* No protocol version in common (protocol_version). */
    TENON_ERR_TLS_PROTOCOL_VERSION = -58,
    /* A Finished, CertificateVerify or PSK binder did not verify (decrypt_error). */
    TENON_ERR_TLS_DECRYPT_ERROR = -59,
    /* The peer's certificate was refused (bad_certificate; the X.509 error is kept too). */
    TENON_ERR_TLS_BAD_CERTIFICATE = -60,
    /* A client certificate was required and none was sent (certificate_required). */
    TENON_ERR_TLS_CERTIFICATE_REQUIRED = -61,
    /* No application protocol in common (no_application_protocol). */
    TENON_ERR_TLS_NO_APPLICATION_PROTOCOL = -62,
    /* The peer sent a fatal alert; tenon_conn_peer_alert() tells which. */
    TENON_ERR_TLS_PEER_ALERT = -63,
    /* The connection was closed cleanly (close_notify) and can carry no more data. */
    TENON_ERR_TLS_CLOSED = -64,
    /* The transport ended without close_notify: the data may have been truncated. */
    TENON_ERR_TLS_TRUNCATED = -65,
    /* A TLS 1.3 downgrade sentinel was found in a lower version's ServerHello.random. */
    TENON_ERR_TLS_DOWNGRADE = -66,
    /* The configuration cannot work (no suite, a key that does not match its certificate...). */
    TENON_ERR_TLS_CONFIG = -67,
    /* The peer asked for renegotiation, which tenon refuses (no_renegotiation). */
    TENON_ERR_TLS_RENEGOTIATION = -68,
    /* The peer sent close_notify before the handshake completed: the connection failed, and no
     * alert is sent back (the peer has closed). tenon_conn_peer_alert() gives close_notify. */
    TENON_ERR_TLS_HANDSHAKE_CLOSED = -69,
    /* The peer's end-entity certificate has a keyUsage extension without the bit TLS needs for
     * its key: digitalSignature to sign (TLS 1.3, ECDHE, CertificateVerify), keyEncipherment
     * for RSA key transport (unsupported_certificate). */
    TENON_ERR_TLS_KEY_USAGE = -72,
    /* Negotiation failures (-75 to -84): each names what the two sides lack in common; the
     * alert stays the one the RFC names (protocol_version or handshake_failure), and
     * tenon_conn_peer_offer() shows what the peer offered. */
    /* No protocol version both sides have enabled (protocol_version). */
    TENON_ERR_TLS_NO_COMMON_VERSION = -75,
    /* No cipher suite of ours that the peer offers, for the version agreed (handshake_failure). */
    TENON_ERR_TLS_NO_COMMON_SUITE = -76,
    /* No key exchange group of ours in the peer's supported_groups (handshake_failure). */
    TENON_ERR_TLS_NO_COMMON_GROUP = -77,
    /* No signature scheme of ours in the peer's signature_algorithms (handshake_failure). */
    TENON_ERR_TLS_NO_COMMON_SIG_SCHEME = -78,
    /* Signature schemes in common, but none that a certificate of ours can sign with (e.g. the
     * peer takes only ECDSA and we have an RSA certificate) (handshake_failure). */
    TENON_ERR_TLS_NO_CERT_FOR_PEER = -79,
    /* TLS 1.2: the peer does not use the extended master secret (RFC 7627), which is required
     * (tenon_config.require_extended_master_secret) or was the resumed session's
     * (handshake_failure). */
    TENON_ERR_TLS_EMS_REQUIRED = -80,
    /* TLS 1.2: the peer's secure renegotiation indication (RFC 5746) is missing or not empty
     * on an initial handshake (handshake_failure). */
    TENON_ERR_TLS_RENEGOTIATION_INFO = -81,
    /* TLS 1.2: a client certificate is required and the client sent none (handshake_failure,
     * RFC 5246 §7.4.6; TLS 1.3 has TENON_ERR_TLS_CERTIFICATE_REQUIRED). */
    TENON_ERR_TLS_NO_CLIENT_CERT = -82,
    /* The client's status callback (tenon_config.status_fn) refused what the server stapled,
     * or its absence (bad_certificate_status_response, RFC 6066 §8, RFC 8446 §6.2). */
    TENON_ERR_TLS_BAD_CERT_STATUS = -83,
    /* The server's stapling callback (tenon_config.staple_fn) failed the handshake
     * (internal_error, RFC 8446 §6.2). */
    TENON_ERR_TLS_STAPLE_CALLBACK = -84,
    /* A post-quantum key exchange is required (tenon_config.require_post_quantum) and the peer
     * offers none: only classical groups, or only TLS 1.2 (insufficient_security, RFC 8446
     * §6.2). */
    TENON_ERR_TLS_PQ_REQUIRED = -85,
    /* The client's certificate callback (tenon_config.client_cert_fn) failed the handshake
     * with a positive return (handshake_failure, RFC 8446 §6.2). */
    TENON_ERR_TLS_CLIENT_CERT_REFUSED = -86,
    /* A certificate (or a certificate extension) is not well-formed DER X.509. */
    TENON_ERR_CERT_MALFORMED = -100,
    /* A certificate of the path has expired at the verification time. */
    TENON_ERR_CERT_EXPIRED = -101,
    /* A certificate of the path is not valid yet at the verification time. */
    TENON_ERR_CERT_NOT_YET_VALID = -102,
    /* No path from the certificate to a trust anchor: an issuer is missing. */
    TENON_ERR_CERT_UNKNOWN_ISSUER = -103,
    /* A certificate's signature does not verify with its issuer's key. */
    TENON_ERR_CERT_BAD_SIGNATURE = -104,
    /* An issuing certificate is not a CA (basicConstraints cA absent or false). */
    TENON_ERR_CERT_NOT_CA = -105,
    /* A CA's pathLenConstraint allows fewer intermediates than the path has. */
    TENON_ERR_CERT_PATH_LEN = -106,
    /* The path would be longer than the verification depth limit. */
    TENON_ERR_CERT_PATH_TOO_LONG = -107,
    /* The certificate is not valid for the requested host name or IP address. */
    TENON_ERR_CERT_NAME_MISMATCH = -108,
    /* extendedKeyUsage of a certificate excludes the requested purpose. */
    TENON_ERR_CERT_WRONG_EKU = -109,
    /* A certificate carries a critical extension tenon does not process. */
    TENON_ERR_CERT_CRITICAL_EXT = -110,
    /* A name in the path violates a CA's nameConstraints. */
    TENON_ERR_CERT_NAME_CONSTRAINTS = -111,
    /* A signature or public-key algorithm tenon does not verify (SHA-1, Ed25519, ...). */
    TENON_ERR_CERT_UNSUPPORTED_ALG = -112,
    /* An issuing CA's keyUsage does not include keyCertSign. */
    TENON_ERR_CERT_KEY_USAGE = -113,
    /* Path building gave up: too many candidate issuers were tried. */
    TENON_ERR_CERT_PATH_BUDGET = -114,
    /* DER nested deeper than tenon's limit. */
    TENON_ERR_DER_TOO_DEEP = -115,
    /* No (further) PEM block with the wanted label in the text. */
    TENON_ERR_PEM_NOT_FOUND = -116,
    /* A PEM block is malformed: bad base64, missing END line, unexpected headers. */
    TENON_ERR_PEM_MALFORMED = -117,
    /* The key file is encrypted (PKCS#8 EncryptedPrivateKeyInfo or Proc-Type ENCRYPTED). */
    TENON_ERR_KEY_ENCRYPTED = -118,
    /* A key type, curve or key-file format tenon does not support. */
    TENON_ERR_KEY_UNSUPPORTED = -119,
    /* A key file (PKCS#8, PKCS#1, SEC1, SubjectPublicKeyInfo) is malformed. */
    TENON_ERR_KEY_MALFORMED = -120,
    /* A private key does not match the public key it was checked against. */
    TENON_ERR_KEY_MISMATCH = -121,
    /* The caller-sized trust store has no room left. */
    TENON_ERR_STORE_FULL = -122,
    /* A file or directory could not be opened or read. */
    TENON_ERR_FILE_IO = -123,
    /* A verify callback (tenon_config.verify_fn) refused a well-formed chain for a reason of its
     * own (a pin that does not match, a policy): certificate_unknown, RFC 8446 §6.2 "Some other
     * (unspecified) issue arose in processing the certificate, rendering it unacceptable". */
    TENON_ERR_CERT_REJECTED = -124,
} tenon_err;

/* A static, human-readable description of an error code (never NULL). */
TENON_API const char *tenon_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif
