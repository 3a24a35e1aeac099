/*
 * tenon — X.509 certificates, PEM, key files, path validation and hostname verification.
 *
 * Nothing here allocates. A parsed certificate is a fixed-size struct of views (pointer and
 * length) into the caller's DER buffer, which must outlive it. Times are seconds since the Unix
 * epoch (UTC) as int64_t.
 *
 * Typical use (a TLS client):
 *
 *   tenon_x509_cert roots[256];
 *   tenon_x509_store store;
 *   tenon_x509_store_init(&store, roots, 256);
 *   tenon_x509_store_add_pem(&store, bundle_text, bundle_len, der_buf, sizeof der_buf, &used,
 *                            &skipped);
 *   tenon_x509_cert chain[4];          // parsed from the peer's Certificate message
 *   tenon_x509_verify_params vp = { .now = time(NULL), .hostname = "example.com",
 *                                   .purpose = TENON_X509_PURPOSE_SERVER };
 *   int rc = tenon_x509_verify(&store, chain, 4, &vp);
 */
#ifndef TENON_X509_H
#define TENON_X509_H

#include <stddef.h>
#include <stdint.h>

#include "ec.h"
#include "ed25519.h"
#include "error.h"
#include "export.h"
#include "rsa.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A view into caller-owned bytes. */
typedef struct tenon_bytes {
    const uint8_t *ptr;
    size_t len;
} tenon_bytes;

/* ------------------------------------------------------------------------------------------ */
/* PEM (RFC 7468)                                                                              */

/*
 * Finds the next PEM block in text[*offset .. len) and decodes its base64 body into out.
 * Text outside blocks is ignored. Whitespace (space, tab, CR, LF) inside the body is allowed;
 * anything else that is not base64 is TENON_ERR_PEM_MALFORMED, and so are bad padding, a missing
 * or mismatched END line, and header lines other than the legacy encryption headers. A block
 * with "Proc-Type: 4,ENCRYPTED" is TENON_ERR_KEY_ENCRYPTED (the caller may skip it by calling
 * again: *offset is advanced past every block examined).
 *
 * On success *label / *label_len point into text at the block's label ("CERTIFICATE", ...),
 * *out_len is the decoded length and *offset is past the END line. TENON_ERR_PEM_NOT_FOUND when
 * no further block exists; TENON_ERR_BUFFER_TOO_SMALL if out cannot hold the body.
 */
TENON_API TENON_MUST_CHECK int tenon_pem_next(const char *text, size_t len, size_t *offset,
                                              const char **label, size_t *label_len, uint8_t *out,
                                              size_t cap, size_t *out_len);

/* The first block whose label is exactly label, decoded into out (other blocks are skipped;
 * a malformed block before it is still an error). */
TENON_API TENON_MUST_CHECK int tenon_pem_decode(const char *text, size_t len, const char *label,
                                                uint8_t *out, size_t cap, size_t *out_len);

/* Encodes der as one PEM block with label (64-column base64, LF line ends) into out, NUL
 * terminated; *out_len excludes the NUL. */
TENON_API TENON_MUST_CHECK int tenon_pem_encode(const char *label, const uint8_t *der,
                                                size_t der_len, char *out, size_t cap,
                                                size_t *out_len);

/* ------------------------------------------------------------------------------------------ */
/* Keys                                                                                        */

typedef enum tenon_key_type {
    TENON_KEY_NONE = 0,
    TENON_KEY_RSA = 1,
    TENON_KEY_EC = 2, /* P-256 or P-384 */
    TENON_KEY_ED25519 = 3,
} tenon_key_type;

typedef struct tenon_public_key {
    tenon_key_type type;
    union {
        tenon_rsa_public_key rsa;
        tenon_ec_public_key ec;
        tenon_ed25519_public_key ed25519;
    } u;
} tenon_public_key;

typedef struct tenon_private_key {
    tenon_key_type type;
    union {
        tenon_rsa_private_key rsa;
        tenon_ec_private_key ec;
        tenon_ed25519_private_key ed25519;
    } u;
} tenon_private_key;

/*
 * A private key from DER: PKCS#8 PrivateKeyInfo / OneAsymmetricKey (RFC 5958) holding an RSA,
 * EC or Ed25519 key (RFC 8410 §7: id-Ed25519 without parameters, the 32-byte seed as
 * CurvePrivateKey; a publicKey included must match it), PKCS#1 RSAPrivateKey (RFC 8017 §A.1.2) or
 * SEC 1 ECPrivateKey (RFC 5915) with namedCurve P-256 or P-384. The format is recognised from the
 * structure. An EncryptedPrivateKeyInfo is TENON_ERR_KEY_ENCRYPTED; another algorithm or curve
 * TENON_ERR_KEY_UNSUPPORTED; a structural error TENON_ERR_KEY_MALFORMED; RSA sizes and
 * consistency as tenon_rsa_private_key_load. When an EC key file includes its public key, it
 * must match the scalar (TENON_ERR_KEY_MISMATCH).
 */
TENON_API TENON_MUST_CHECK int tenon_private_key_parse_der(tenon_private_key *key,
                                                           const uint8_t *der, size_t len);

/* A private key from PEM text: the first block labelled "PRIVATE KEY", "RSA PRIVATE KEY" or
 * "EC PRIVATE KEY" ("EC PARAMETERS" blocks and other text are skipped). "ENCRYPTED PRIVATE KEY"
 * or a Proc-Type ENCRYPTED header is TENON_ERR_KEY_ENCRYPTED. scratch receives the DER and is
 * wiped before returning. */
TENON_API TENON_MUST_CHECK int tenon_private_key_parse_pem(tenon_private_key *key, const char *pem,
                                                           size_t len, uint8_t *scratch,
                                                           size_t scratch_cap);

/* Reads a key file (PEM or DER, recognised by content) with stdio into buf, which is wiped
 * afterwards. TENON_ERR_FILE_IO if it cannot be read, TENON_ERR_BUFFER_TOO_SMALL if it does not
 * fit in buf (half of buf is used for the file, half for the decoded DER). */
TENON_API TENON_MUST_CHECK int tenon_private_key_load_file(tenon_private_key *key, const char *path,
                                                           uint8_t *buf, size_t cap);

TENON_API void tenon_private_key_wipe(tenon_private_key *key);

/* A public key from a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7): rsaEncryption,
 * id-ecPublicKey with namedCurve P-256/P-384 and an uncompressed point, or id-Ed25519 (RFC 8410
 * §3-4: no parameters, the 32-byte key, which must decode). */
TENON_API TENON_MUST_CHECK int tenon_public_key_parse_spki(tenon_public_key *key,
                                                           const uint8_t *der, size_t len);

/* 0 if the private key's public half equals pub, TENON_ERR_KEY_MISMATCH otherwise. */
TENON_API TENON_MUST_CHECK int tenon_private_key_matches(const tenon_private_key *key,
                                                         const tenon_public_key *pub);

/* ------------------------------------------------------------------------------------------ */
/* Certificates (RFC 5280 §4)                                                                  */

/* Signature algorithms (RFC 4055, RFC 5758, RFC 8410). */
typedef enum tenon_x509_sig_alg {
    TENON_X509_SIG_UNKNOWN = 0,
    TENON_X509_SIG_RSA_PKCS1_SHA1, /* parsed, refused for verification */
    TENON_X509_SIG_RSA_PKCS1_SHA256,
    TENON_X509_SIG_RSA_PKCS1_SHA384,
    TENON_X509_SIG_RSA_PKCS1_SHA512,
    TENON_X509_SIG_RSA_PSS,    /* see pss_hash, pss_mgf1_hash, pss_salt_len */
    TENON_X509_SIG_ECDSA_SHA1, /* parsed, refused for verification */
    TENON_X509_SIG_ECDSA_SHA256,
    TENON_X509_SIG_ECDSA_SHA384,
    TENON_X509_SIG_ECDSA_SHA512,
    TENON_X509_SIG_ED25519, /* RFC 8410 §6: PureEdDSA over the TBSCertificate */
} tenon_x509_sig_alg;

/* Hashes named in RSASSA-PSS parameters. */
typedef enum tenon_x509_hash {
    TENON_X509_HASH_UNKNOWN = 0,
    TENON_X509_HASH_SHA1,
    TENON_X509_HASH_SHA256,
    TENON_X509_HASH_SHA384,
    TENON_X509_HASH_SHA512,
} tenon_x509_hash;

/* Subject public key types. */
typedef enum tenon_x509_key_alg {
    TENON_X509_KEY_UNKNOWN = 0, /* parsed certificate, key not usable by tenon */
    TENON_X509_KEY_RSA,
    TENON_X509_KEY_EC_P256,
    TENON_X509_KEY_EC_P384,
    TENON_X509_KEY_ED25519,
} tenon_x509_key_alg;

/* keyUsage bits (RFC 5280 §4.2.1.3), numbered as in the BIT STRING. */
#define TENON_KU_DIGITAL_SIGNATURE (1u << 0)
#define TENON_KU_NON_REPUDIATION (1u << 1)
#define TENON_KU_KEY_ENCIPHERMENT (1u << 2)
#define TENON_KU_DATA_ENCIPHERMENT (1u << 3)
#define TENON_KU_KEY_AGREEMENT (1u << 4)
#define TENON_KU_KEY_CERT_SIGN (1u << 5)
#define TENON_KU_CRL_SIGN (1u << 6)
#define TENON_KU_ENCIPHER_ONLY (1u << 7)
#define TENON_KU_DECIPHER_ONLY (1u << 8)

/* extendedKeyUsage purposes (RFC 5280 §4.2.1.12). */
#define TENON_EKU_SERVER_AUTH (1u << 0)
#define TENON_EKU_CLIENT_AUTH (1u << 1)
#define TENON_EKU_ANY (1u << 2)
#define TENON_EKU_OTHER (1u << 3)

/* Extensions seen (tenon_x509_cert.ext_present). */
#define TENON_X509_EXT_BASIC_CONSTRAINTS (1u << 0)
#define TENON_X509_EXT_KEY_USAGE (1u << 1)
#define TENON_X509_EXT_EXT_KEY_USAGE (1u << 2)
#define TENON_X509_EXT_SUBJECT_ALT_NAME (1u << 3)
#define TENON_X509_EXT_SUBJECT_KEY_ID (1u << 4)
#define TENON_X509_EXT_AUTHORITY_KEY_ID (1u << 5)
#define TENON_X509_EXT_NAME_CONSTRAINTS (1u << 6)

/*
 * A parsed certificate. Every tenon_bytes points into the DER given to tenon_x509_parse.
 * Lists (SANs, name-constraint subtrees) are kept as the validated DER of their SEQUENCE and
 * walked with tenon_x509_general_name_next, so no count limit applies; the counts are given
 * for convenience.
 */
typedef struct tenon_x509_cert {
    tenon_bytes der;            /* the whole Certificate */
    tenon_bytes tbs;            /* TBSCertificate, tag and length included: the signed bytes */
    int version;                /* 1, 2 or 3 */
    tenon_bytes serial;         /* INTEGER contents (two's complement, as encoded) */
    tenon_x509_sig_alg sig_alg; /* signatureAlgorithm (equal to the TBS signature field) */
    tenon_x509_hash pss_hash, pss_mgf1_hash; /* RSASSA-PSS parameters */
    size_t pss_salt_len;
    tenon_bytes signature; /* signatureValue, without the unused-bits octet */
    tenon_bytes issuer;    /* Name, tag and length included (compare bytewise) */
    tenon_bytes subject;
    int64_t not_before, not_after;
    tenon_bytes spki; /* SubjectPublicKeyInfo, tag and length included */
    tenon_x509_key_alg key_alg;
    tenon_bytes rsa_n, rsa_e; /* RSA: INTEGER contents */
    tenon_bytes ec_point;     /* EC: the point as encoded (0x04 || X || Y); Ed25519: the key */
    /* extensions (RFC 5280 §4.2) */
    uint32_t ext_present;   /* TENON_X509_EXT_* */
    int is_ca;              /* basicConstraints cA */
    int path_len;           /* pathLenConstraint, -1 if absent */
    uint32_t key_usage;     /* TENON_KU_*, meaningful when TENON_X509_EXT_KEY_USAGE is set */
    uint32_t ext_key_usage; /* TENON_EKU_*, meaningful when TENON_X509_EXT_EXT_KEY_USAGE */
    tenon_bytes subject_key_id;
    tenon_bytes authority_key_id; /* keyIdentifier of the AKI, empty if absent */
    tenon_bytes san;              /* GeneralNames contents */
    size_t san_dns_count, san_ip_count;
    tenon_bytes nc_permitted, nc_excluded; /* GeneralSubtrees contents, empty if absent */
    int nc_other_forms;   /* constraints on forms other than dNSName and iPAddress */
    int unknown_critical; /* a critical extension tenon does not process: unusable */
} tenon_x509_cert;

/* Parses one DER certificate that fills exactly der[0 .. len). TENON_ERR_CERT_MALFORMED for
 * anything that is not DER X.509 v1-v3 (duplicate extensions, bad time, trailing bytes, ...).
 * Unknown algorithms are not an error here (key_alg / sig_alg are UNKNOWN). */
TENON_API TENON_MUST_CHECK int tenon_x509_parse(tenon_x509_cert *cert, const uint8_t *der,
                                                size_t len);

/* Parses the certificate at der[*offset] (a DER SEQUENCE followed by more data) and advances
 * *offset past it: for lists of certificates. */
TENON_API TENON_MUST_CHECK int tenon_x509_parse_next(tenon_x509_cert *cert, const uint8_t *der,
                                                     size_t len, size_t *offset);

/* GeneralName tags (RFC 5280 §4.2.1.6), context-specific numbers. */
#define TENON_GN_DNS 2
#define TENON_GN_DIRNAME 4
#define TENON_GN_IP 7

/* Iterates a GeneralNames list (cert->san, subtrees = 0) or a GeneralSubtrees list
 * (cert->nc_permitted / nc_excluded, subtrees = 1), starting with *offset = 0: returns 0 with
 * *tag (the GeneralName's context tag number) and *value (its contents; for a subtree, those of
 * the base name) and advances *offset; returns 1 at the end of the list, and
 * TENON_ERR_CERT_MALFORMED for a list that is not well-formed. */
TENON_API TENON_MUST_CHECK int tenon_x509_general_name_next(tenon_bytes list, int subtrees,
                                                            size_t *offset, int *tag,
                                                            tenon_bytes *value);

/* A one-line rendering of a Name such as "CN=example.com, O=Example, C=US" (CN, O, OU, C, L,
 * ST, emailAddress, serialNumber, DC; other attributes as their dotted OID; non-printable bytes
 * as \xNN). Truncated names end with "..."; always NUL-terminated; returns the length. */
TENON_API size_t tenon_x509_name_string(tenon_bytes name, char *out, size_t cap);

/* The certificate's subject public key, loaded and validated. TENON_ERR_CERT_UNSUPPORTED_ALG
 * for keys tenon does not use; RSA size errors as tenon_rsa_public_key_load. */
TENON_API TENON_MUST_CHECK int tenon_x509_public_key(const tenon_x509_cert *cert,
                                                     tenon_public_key *key);

/* RFC 5280 §4.2.1.3: 1 if cert's key may be put to every use in ku (TENON_KU_* bits), that is
 * if the certificate has no keyUsage extension or its keyUsage has all those bits; 0 if not.
 * (A TLS peer's end-entity key signs with digitalSignature; RSA key transport encrypts to it
 * with keyEncipherment.) */
TENON_API int tenon_x509_key_usage_allows(const tenon_x509_cert *cert, uint32_t ku);

/* Verifies cert's signature with issuer's public key: 0, TENON_ERR_CERT_BAD_SIGNATURE, or
 * TENON_ERR_CERT_UNSUPPORTED_ALG (SHA-1, a key type that cannot make the signature,
 * an RSA key outside 2048..4096 bits). */
TENON_API TENON_MUST_CHECK int tenon_x509_check_signature(const tenon_x509_cert *cert,
                                                          const tenon_x509_cert *issuer);

/* As tenon_x509_check_signature with a loaded key. */
TENON_API TENON_MUST_CHECK int tenon_x509_check_signature_key(const tenon_x509_cert *cert,
                                                              const tenon_public_key *key);

/* ------------------------------------------------------------------------------------------ */
/* Trust store and path validation (RFC 5280 §6)                                               */

typedef struct tenon_x509_store {
    tenon_x509_cert *certs; /* caller's array */
    size_t count, cap;
} tenon_x509_store;

TENON_API void tenon_x509_store_init(tenon_x509_store *store, tenon_x509_cert *array, size_t cap);

/* Adds one DER certificate (a view: der must outlive the store). TENON_ERR_STORE_FULL,
 * TENON_ERR_CERT_MALFORMED. */
TENON_API TENON_MUST_CHECK int tenon_x509_store_add_der(tenon_x509_store *store, const uint8_t *der,
                                                        size_t len);

/* Adds every "CERTIFICATE" block of a PEM bundle. The DER of each is written to buf at
 * buf[*used ..], *used is advanced (so several bundles can share one buffer) and the store keeps
 * views into buf. Certificates tenon cannot parse are skipped and counted in *skipped (may be
 * NULL). TENON_ERR_BUFFER_TOO_SMALL / TENON_ERR_STORE_FULL when space runs out. */
TENON_API TENON_MUST_CHECK int tenon_x509_store_add_pem(tenon_x509_store *store, const char *pem,
                                                        size_t len, uint8_t *buf, size_t cap,
                                                        size_t *used, size_t *skipped);

/* Adds every certificate of every regular file in directory dir whose name ends in ".pem" or
 * ".crt" (file I/O with opendir/stdio: the one place of this module that touches the file
 * system). Each file is read into buf[*used ..] and decoded in place; the DER stays there.
 * Files without PEM blocks are ignored; a file with a malformed block is skipped and counted
 * in *skipped, as are certificates that do not parse. */
TENON_API TENON_MUST_CHECK int tenon_x509_store_add_dir(tenon_x509_store *store, const char *dir,
                                                        uint8_t *buf, size_t cap, size_t *used,
                                                        size_t *skipped);

/* Reads a whole file into buf (TENON_ERR_FILE_IO, TENON_ERR_BUFFER_TOO_SMALL). */
TENON_API TENON_MUST_CHECK int tenon_read_file(const char *path, uint8_t *buf, size_t cap,
                                               size_t *len);

typedef enum tenon_x509_purpose {
    TENON_X509_PURPOSE_ANY = 0, /* no extendedKeyUsage check */
    TENON_X509_PURPOSE_SERVER = 1,
    TENON_X509_PURPOSE_CLIENT = 2,
} tenon_x509_purpose;

#define TENON_X509_DEFAULT_DEPTH 8
#define TENON_X509_MAX_DEPTH 16

typedef struct tenon_x509_verify_params {
    int64_t now;          /* verification time */
    const char *hostname; /* DNS name or IP literal to match, or NULL for no name check */
    tenon_x509_purpose purpose;
    size_t max_depth; /* certificates in the path, anchor included; 0: default (8) */
} tenon_x509_verify_params;

/*
 * Verifies chain[0] (the end-entity certificate) against the trust anchors in store, using
 * chain[1 .. n) as candidate intermediates in any order (extra certificates are ignored).
 * Path building backtracks over candidate issuers (subject = issuer name, and key identifiers
 * when both are present), without loops, within a bounded number of tries.
 *
 * Along the path: every signature; validity at params->now; issuers are CAs
 * (basicConstraints cA) with keyCertSign when keyUsage is present and within their
 * pathLenConstraint; extendedKeyUsage (when present, on every certificate but the anchor)
 * includes the purpose (or anyExtendedKeyUsage); no unknown critical extension; nameConstraints
 * hold for the names below each CA (dNSName, iPAddress and directoryName subtrees are enforced;
 * a constraint on another form, such as rfc822Name or URI, rejects any certificate below that
 * has a name of that form); the depth limit. Trust
 * anchors are full certificates and are checked like the others (validity, CA, pathLen), as
 * OpenSSL does. The end-entity certificate may itself be a trust anchor.
 *
 * With params->hostname, the leaf must match it (tenon_x509_check_host).
 * Returns 0 or the most specific error found (TENON_ERR_CERT_*).
 */
TENON_API TENON_MUST_CHECK int tenon_x509_verify(const tenon_x509_store *store,
                                                 const tenon_x509_cert *chain, size_t n,
                                                 const tenon_x509_verify_params *params);

/*
 * RFC 9525 §6.3: 0 if cert is valid for the reference identity name, TENON_ERR_CERT_NAME_MISMATCH
 * otherwise. An IPv4 (dotted quad) or IPv6 text address is compared with iPAddress SANs; any
 * other name with dNSName SANs, ASCII case-insensitively, a single trailing dot ignored. A
 * presented wildcard is honoured only as the whole left-most label ("*.example.com"), matches
 * exactly one non-empty label, and only with at least two labels after it. The subject common
 * name is never used.
 */
TENON_API TENON_MUST_CHECK int tenon_x509_check_host(const tenon_x509_cert *cert, const char *name);

/* Parses an IPv4 dotted quad (4 bytes) or an IPv6 text address (16 bytes, "::" and an embedded
 * dotted quad allowed, no zone). Returns the length, or 0 if name is not an IP literal. */
TENON_API size_t tenon_ip_parse(const char *name, uint8_t out[16]);

/* ------------------------------------------------------------------------------------------ */
/* Issuance (ECDSA, Ed25519 and RSA certificates for tests and local use)                    */

#define TENON_X509_ISSUE_MAX_NAMES 16

typedef struct tenon_x509_issue_params {
    const char *subject_cn; /* subject commonName (required) */
    const char *subject_o;  /* subject organizationName, or NULL */
    int64_t not_before, not_after;
    int is_ca;
    int path_len;           /* for a CA: pathLenConstraint, -1 for none */
    uint32_t key_usage;     /* TENON_KU_*; 0: none */
    uint32_t ext_key_usage; /* TENON_EKU_SERVER_AUTH / CLIENT_AUTH; 0: none */
    const char *dns_names[TENON_X509_ISSUE_MAX_NAMES]; /* NULL-terminated if fewer */
    const char *ip_addrs[TENON_X509_ISSUE_MAX_NAMES];  /* IP literals, NULL-terminated */
} tenon_x509_issue_params;

/*
 * Issues a certificate for subject_key (its public half), signed by issuer_key with ECDSA
 * P-256 / SHA-256. With issuer == NULL the certificate is self-signed (issuer name = subject
 * name, issuer_key must be subject_key's private key). The serial is 16 random bytes. The
 * subjectKeyIdentifier is SHA-1-free: the first 20 bytes of SHA-256 of the public key
 * (RFC 7093 §2 method 1); the authorityKeyIdentifier is the issuer's. Writes DER into out.
 */
TENON_API TENON_MUST_CHECK int tenon_x509_issue(const tenon_x509_issue_params *params,
                                                const tenon_ec_public_key *subject_key,
                                                const tenon_x509_cert *issuer,
                                                const tenon_ec_private_key *issuer_key,
                                                uint8_t *out, size_t cap, size_t *out_len);

/* As tenon_x509_issue for keys of any type it issues for: EC P-256/P-384 (signed with ECDSA,
 * SHA-256 or for a P-384 issuer SHA-384), Ed25519 (RFC 8410: the subject's key as id-Ed25519,
 * and an Ed25519 issuer signs with PureEdDSA over the TBSCertificate, RFC 8410 §6) and RSA
 * (the subject's key as rsaEncryption with NULL parameters, RFC 3279 §2.3.1; an RSA issuer
 * signs with sha256WithRSAEncryption, RSASSA-PKCS1-v1_5 with SHA-256, RFC 4055 §5; keys from
 * tenon_rsa_generate or loaded, 2048 to 4096 bits). An RSA leaf for TLS 1.2 RSA key transport
 * needs TENON_KU_KEY_ENCIPHERMENT in key_usage (RFC 5246 §7.4.2). The issuing
 * key must match issuer's certificate, or subject_key when issuer is NULL
 * (TENON_ERR_KEY_MISMATCH); another key type is TENON_ERR_INVALID_ARGUMENT. */
TENON_API TENON_MUST_CHECK int tenon_x509_issue_key(const tenon_x509_issue_params *params,
                                                    const tenon_public_key *subject_key,
                                                    const tenon_x509_cert *issuer,
                                                    const tenon_private_key *issuer_key,
                                                    uint8_t *out, size_t cap, size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif
