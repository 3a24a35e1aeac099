/*
 * The crypto provider of the TLS 1.3 engine (STYLE.md 11): cipher suites, signature schemes and
 * groups as data, and the mapping of errors to the alerts RFC 8446 §6.2 names.
 */
#include "tls13.h"

#include "tenon/ec.h"
#include "tenon/rsa.h"

/* RFC 8446 §B.4. */
static const tls_suite SUITES[] = {
    {TENON_TLS_AES_128_GCM_SHA256, "TLS_AES_128_GCM_SHA256", &tenon_sha256, tenon_aead_aes_gcm, 16},
    {TENON_TLS_AES_256_GCM_SHA384, "TLS_AES_256_GCM_SHA384", &tenon_sha384, tenon_aead_aes_gcm, 32},
    {TENON_TLS_CHACHA20_POLY1305_SHA256, "TLS_CHACHA20_POLY1305_SHA256", &tenon_sha256,
     tenon_aead_chacha20_poly1305, 32},
};

/* RFC 8446 §4.2.3. "ecdsa_secp256r1_sha256 ... indicates ECDSA using the P-256 curve and
 * SHA-256": in TLS 1.3 the scheme fixes the curve. rsa_pkcs1_* are for certificates only. */
static const tls_sig_scheme SCHEMES[] = {
    {TENON_SIG_ECDSA_SECP256R1_SHA256, "ecdsa_secp256r1_sha256", &tenon_sha256, TENON_KEY_EC,
     TENON_EC_P256, 0},
    {TENON_SIG_ECDSA_SECP384R1_SHA384, "ecdsa_secp384r1_sha384", &tenon_sha384, TENON_KEY_EC,
     TENON_EC_P384, 0},
    /* §4.2.3 "EdDSA algorithms": no separate hash (hash NULL), the content is signed whole. */
    {TENON_SIG_ED25519, "ed25519", NULL, TENON_KEY_ED25519, 0, 0},
    {TENON_SIG_RSA_PSS_RSAE_SHA256, "rsa_pss_rsae_sha256", &tenon_sha256, TENON_KEY_RSA, 0, 1},
    {TENON_SIG_RSA_PSS_RSAE_SHA384, "rsa_pss_rsae_sha384", &tenon_sha384, TENON_KEY_RSA, 0, 1},
    {TENON_SIG_RSA_PSS_RSAE_SHA512, "rsa_pss_rsae_sha512", &tenon_sha512, TENON_KEY_RSA, 0, 1},
    {TENON_SIG_RSA_PKCS1_SHA256, "rsa_pkcs1_sha256", &tenon_sha256, TENON_KEY_RSA, 0, 0},
    {TENON_SIG_RSA_PKCS1_SHA384, "rsa_pkcs1_sha384", &tenon_sha384, TENON_KEY_RSA, 0, 0},
    {TENON_SIG_RSA_PKCS1_SHA512, "rsa_pkcs1_sha512", &tenon_sha512, TENON_KEY_RSA, 0, 0},
    /* §4.2.3 legacy algorithms, for TLS 1.2 only: PKCS#1 v1.5, and ECDSA with no curve (none
     * fits in TLS 1.3: tls_sig_scheme_fits). */
    {TENON_SIG_RSA_PKCS1_SHA1, "rsa_pkcs1_sha1", &tenon_sha1, TENON_KEY_RSA, 0, 0},
    {TENON_SIG_ECDSA_SHA1, "ecdsa_sha1", &tenon_sha1, TENON_KEY_EC, 0, 0},
};

const tls_suite *tls_suite_find(uint16_t id)
{
    for (size_t i = 0; i < ARRAY_LEN(SUITES); i++)
        if (SUITES[i].id == id)
            return &SUITES[i];
    return NULL;
}

const tls_sig_scheme *tls_sig_scheme_find(uint16_t id)
{
    for (size_t i = 0; i < ARRAY_LEN(SCHEMES); i++)
        if (SCHEMES[i].id == id)
            return &SCHEMES[i];
    return NULL;
}

const tenon_kex_class *tls_group_find(uint16_t id)
{
    static const tenon_kex_class *const GROUPS[] = {
        &tenon_kex_x25519,         &tenon_kex_secp256r1,         &tenon_kex_secp384r1,
        &tenon_kex_x25519mlkem768, &tenon_kex_secp256r1mlkem768, &tenon_kex_secp384r1mlkem1024};
    for (size_t i = 0; i < ARRAY_LEN(GROUPS); i++)
        if (GROUPS[i]->tls_group == id)
            return GROUPS[i];
    return NULL;
}

int tls_sig_scheme_fits(const tls_sig_scheme *s, const tenon_private_key *key)
{
    if (s == NULL || key == NULL || s->key_type != key->type)
        return 0;
    if (s->key_type == TENON_KEY_EC)
        return key->u.ec.curve == s->curve;
    if (s->key_type == TENON_KEY_RSA)
        return s->rsa_pss; /* RFC 8446 §4.4.3: no PKCS#1 v1.5 in CertificateVerify */
    return 1;              /* Ed25519 */
}

const uint16_t *tls_sign_schemes(const tenon_config *cfg, size_t *count)
{
    if (cfg->sign_scheme_count != 0) {
        *count = cfg->sign_scheme_count;
        return cfg->sign_schemes;
    }
    *count = cfg->sig_scheme_count;
    return cfg->sig_schemes;
}

const uint16_t *tls_cert_sign_schemes(const tenon_config *cfg, const tenon_cert_key *ck,
                                      size_t *count)
{
    if (ck->sign_scheme_count != 0) {
        *count = ck->sign_scheme_count;
        return ck->sign_schemes;
    }
    return tls_sign_schemes(cfg, count);
}

TENON_API int tenon_error_alert(int err)
{
    switch (err) {
    case TENON_OK:
    case TENON_ERR_TLS_PEER_ALERT:
    case TENON_ERR_TLS_CLOSED:
    case TENON_ERR_TLS_TRUNCATED:
    case TENON_ERR_TLS_HANDSHAKE_CLOSED:
        return -1;
    case TENON_ERR_TLS_DECODE:
    case TENON_ERR_MALFORMED:
        return TENON_ALERT_DECODE_ERROR;
    case TENON_ERR_TLS_ILLEGAL_PARAMETER:
    case TENON_ERR_TLS_DOWNGRADE:
    case TENON_ERR_BAD_PUBLIC_KEY:
        return TENON_ALERT_ILLEGAL_PARAMETER;
    case TENON_ERR_TLS_UNEXPECTED_MESSAGE:
        return TENON_ALERT_UNEXPECTED_MESSAGE;
    case TENON_ERR_TLS_RECORD_OVERFLOW:
        return TENON_ALERT_RECORD_OVERFLOW;
    case TENON_ERR_TLS_BAD_RECORD_MAC:
        return TENON_ALERT_BAD_RECORD_MAC;
    case TENON_ERR_TLS_HANDSHAKE_FAILURE:
    case TENON_ERR_TLS_NO_COMMON_SUITE:
    case TENON_ERR_TLS_NO_COMMON_GROUP:
    case TENON_ERR_TLS_NO_COMMON_SIG_SCHEME:
    case TENON_ERR_TLS_NO_CERT_FOR_PEER:
    case TENON_ERR_TLS_EMS_REQUIRED:
    case TENON_ERR_TLS_RENEGOTIATION_INFO:
    case TENON_ERR_TLS_CLIENT_CERT_REFUSED:
    case TENON_ERR_TLS_NO_CLIENT_CERT:
        return TENON_ALERT_HANDSHAKE_FAILURE;
    case TENON_ERR_TLS_PQ_REQUIRED:
        return TENON_ALERT_INSUFFICIENT_SECURITY;
    case TENON_ERR_TLS_MISSING_EXTENSION:
        return TENON_ALERT_MISSING_EXTENSION;
    case TENON_ERR_TLS_UNSUPPORTED_EXTENSION:
        return TENON_ALERT_UNSUPPORTED_EXTENSION;
    case TENON_ERR_TLS_PROTOCOL_VERSION:
    case TENON_ERR_TLS_NO_COMMON_VERSION:
        return TENON_ALERT_PROTOCOL_VERSION;
    case TENON_ERR_TLS_DECRYPT_ERROR:
    case TENON_ERR_BAD_SIGNATURE:
        return TENON_ALERT_DECRYPT_ERROR;
    case TENON_ERR_TLS_BAD_CERTIFICATE:
    case TENON_ERR_CERT_MALFORMED:
    case TENON_ERR_CERT_BAD_SIGNATURE:
    case TENON_ERR_CERT_NOT_CA:
    case TENON_ERR_CERT_PATH_LEN:
    case TENON_ERR_CERT_PATH_TOO_LONG:
    case TENON_ERR_CERT_NAME_MISMATCH:
    case TENON_ERR_CERT_WRONG_EKU:
    case TENON_ERR_CERT_CRITICAL_EXT:
    case TENON_ERR_CERT_NAME_CONSTRAINTS:
    case TENON_ERR_CERT_KEY_USAGE:
    case TENON_ERR_CERT_PATH_BUDGET:
    case TENON_ERR_DER_TOO_DEEP:
        return TENON_ALERT_BAD_CERTIFICATE;
    case TENON_ERR_CERT_EXPIRED:
    case TENON_ERR_CERT_NOT_YET_VALID:
        return TENON_ALERT_CERTIFICATE_EXPIRED;
    case TENON_ERR_CERT_UNKNOWN_ISSUER:
        return TENON_ALERT_UNKNOWN_CA;
    case TENON_ERR_CERT_UNSUPPORTED_ALG:
    case TENON_ERR_TLS_KEY_USAGE:
        return TENON_ALERT_UNSUPPORTED_CERTIFICATE;
    case TENON_ERR_TLS_CERTIFICATE_REQUIRED:
        return TENON_ALERT_CERTIFICATE_REQUIRED;
    case TENON_ERR_CERT_REJECTED:
        return TENON_ALERT_CERTIFICATE_UNKNOWN;
    case TENON_ERR_TLS_NO_APPLICATION_PROTOCOL:
        return TENON_ALERT_NO_APPLICATION_PROTOCOL;
    case TENON_ERR_TLS_RENEGOTIATION:
        return TENON_ALERT_NO_RENEGOTIATION;
    case TENON_ERR_TLS_BAD_CERT_STATUS:
        return TENON_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE;
    case TENON_ERR_TLS_STAPLE_CALLBACK: /* RFC 8446 §6.2: "unrelated to the peer" */
        return TENON_ALERT_INTERNAL_ERROR;
    default:
        return TENON_ALERT_INTERNAL_ERROR;
    }
}

TENON_API const char *tenon_alert_name(int alert)
{
    switch (alert) {
    case TENON_ALERT_CLOSE_NOTIFY:
        return "close_notify";
    case TENON_ALERT_UNEXPECTED_MESSAGE:
        return "unexpected_message";
    case TENON_ALERT_BAD_RECORD_MAC:
        return "bad_record_mac";
    case TENON_ALERT_RECORD_OVERFLOW:
        return "record_overflow";
    case TENON_ALERT_DECOMPRESSION_FAILURE:
        return "decompression_failure";
    case TENON_ALERT_HANDSHAKE_FAILURE:
        return "handshake_failure";
    case TENON_ALERT_BAD_CERTIFICATE:
        return "bad_certificate";
    case TENON_ALERT_UNSUPPORTED_CERTIFICATE:
        return "unsupported_certificate";
    case TENON_ALERT_CERTIFICATE_REVOKED:
        return "certificate_revoked";
    case TENON_ALERT_CERTIFICATE_EXPIRED:
        return "certificate_expired";
    case TENON_ALERT_CERTIFICATE_UNKNOWN:
        return "certificate_unknown";
    case TENON_ALERT_ILLEGAL_PARAMETER:
        return "illegal_parameter";
    case TENON_ALERT_UNKNOWN_CA:
        return "unknown_ca";
    case TENON_ALERT_ACCESS_DENIED:
        return "access_denied";
    case TENON_ALERT_DECODE_ERROR:
        return "decode_error";
    case TENON_ALERT_DECRYPT_ERROR:
        return "decrypt_error";
    case TENON_ALERT_PROTOCOL_VERSION:
        return "protocol_version";
    case TENON_ALERT_INSUFFICIENT_SECURITY:
        return "insufficient_security";
    case TENON_ALERT_INTERNAL_ERROR:
        return "internal_error";
    case TENON_ALERT_INAPPROPRIATE_FALLBACK:
        return "inappropriate_fallback";
    case TENON_ALERT_USER_CANCELED:
        return "user_canceled";
    case TENON_ALERT_NO_RENEGOTIATION:
        return "no_renegotiation";
    case TENON_ALERT_MISSING_EXTENSION:
        return "missing_extension";
    case TENON_ALERT_UNSUPPORTED_EXTENSION:
        return "unsupported_extension";
    case TENON_ALERT_UNRECOGNIZED_NAME:
        return "unrecognized_name";
    case TENON_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE:
        return "bad_certificate_status_response";
    case TENON_ALERT_UNKNOWN_PSK_IDENTITY:
        return "unknown_psk_identity";
    case TENON_ALERT_CERTIFICATE_REQUIRED:
        return "certificate_required";
    case TENON_ALERT_NO_APPLICATION_PROTOCOL:
        return "no_application_protocol";
    default:
        return "unknown";
    }
}
