/* Internal to src/x509: object identifiers and helpers shared by the certificate and key code. */
#ifndef TENON_X509_INTERNAL_H
#define TENON_X509_INTERNAL_H

#include "../common.h"
#include "der.h"
#include "tenon/x509.h"

/* OBJECT IDENTIFIER contents octets, as string literals (compare with OID_IS). */
#define OID_RSA_ENCRYPTION "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01" /* 1.2.840.113549.1.1.1 */
#define OID_SHA1_RSA "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x05"
#define OID_MGF1 "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x08"
#define OID_RSASSA_PSS "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0a"
#define OID_SHA256_RSA "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b"
#define OID_SHA384_RSA "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0c"
#define OID_SHA512_RSA "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0d"
#define OID_EC_PUBLIC_KEY "\x2a\x86\x48\xce\x3d\x02\x01" /* 1.2.840.10045.2.1 */
#define OID_P256 "\x2a\x86\x48\xce\x3d\x03\x01\x07"      /* 1.2.840.10045.3.1.7 */
#define OID_P384 "\x2b\x81\x04\x00\x22"                  /* 1.3.132.0.34 */
#define OID_ECDSA_SHA1 "\x2a\x86\x48\xce\x3d\x04\x01"
#define OID_ECDSA_SHA256 "\x2a\x86\x48\xce\x3d\x04\x03\x02"
#define OID_ECDSA_SHA384 "\x2a\x86\x48\xce\x3d\x04\x03\x03"
#define OID_ECDSA_SHA512 "\x2a\x86\x48\xce\x3d\x04\x03\x04"
#define OID_ED25519 "\x2b\x65\x70" /* 1.3.101.112 */
#define OID_SHA1 "\x2b\x0e\x03\x02\x1a"
#define OID_SHA256 "\x60\x86\x48\x01\x65\x03\x04\x02\x01"
#define OID_SHA384 "\x60\x86\x48\x01\x65\x03\x04\x02\x02"
#define OID_SHA512 "\x60\x86\x48\x01\x65\x03\x04\x02\x03"
/* id-ce (2.5.29) certificate extensions, RFC 5280 §4.2. */
#define OID_CE_SKI "\x55\x1d\x0e"
#define OID_CE_KEY_USAGE "\x55\x1d\x0f"
#define OID_CE_SAN "\x55\x1d\x11"
#define OID_CE_BASIC_CONSTRAINTS "\x55\x1d\x13"
#define OID_CE_NAME_CONSTRAINTS "\x55\x1d\x1e"
#define OID_CE_CERT_POLICIES "\x55\x1d\x20"
#define OID_CE_AKI "\x55\x1d\x23"
#define OID_CE_EKU "\x55\x1d\x25"
#define OID_ANY_EKU "\x55\x1d\x25\x00"
#define OID_KP_SERVER_AUTH "\x2b\x06\x01\x05\x05\x07\x03\x01"
#define OID_KP_CLIENT_AUTH "\x2b\x06\x01\x05\x05\x07\x03\x02"

#define OID_IS(tlv, oid) der_oid_eq((tlv), (const uint8_t *)(oid), sizeof(oid) - 1)

/* A SubjectPublicKeyInfo, parsed (views into its DER). */
typedef struct x509_spki {
    tenon_x509_key_alg alg;
    tenon_bytes n, e; /* RSA magnitudes */
    tenon_bytes point;
} x509_spki;

/* Parses the SubjectPublicKeyInfo element at c (RFC 5280 §4.1.2.7, RFC 3279 §2.3, RFC 5480).
 * Algorithms tenon does not use give alg = TENON_X509_KEY_UNKNOWN and no error. */
TENON_MUST_CHECK int x509_parse_spki(der_cursor *c, x509_spki *out);

/* Loads a parsed SPKI as a public key (TENON_ERR_CERT_UNSUPPORTED_ALG for unknown keys). */
TENON_MUST_CHECK int x509_spki_load(const x509_spki *spki, tenon_public_key *key);

/* Maps a DER-level error to the caller's layer: TENON_ERR_MALFORMED and TENON_ERR_DER_TOO_DEEP
 * become err, anything else is kept. */
int x509_map_err(int rc, int err);

/* PEM internals (pem.c): locate the next block without decoding it (label and base64 as
 * offsets into text; TENON_ERR_KEY_ENCRYPTED for a Proc-Type ENCRYPTED block, *offset advanced
 * past every block examined), and decode base64. The decoder writes behind its reading
 * position, so out may overlap text as long as out <= text. */
TENON_MUST_CHECK int pem_scan(const char *text, size_t len, size_t *offset, size_t *label_off,
                              size_t *label_len, size_t *b64_off, size_t *b64_len);
TENON_MUST_CHECK int pem_b64_decode(const char *text, size_t len, uint8_t *out, size_t cap,
                                    size_t *out_len);

#endif
