/*
 * Internal: TLS 1.2 handshake message pieces that do not depend on connection state —
 * ServerKeyExchange for ECDHE (RFC 8422 §5.4, RFC 5246 §7.4.3) and ClientKeyExchange (RFC 8422
 * §5.7, RFC 5246 §7.4.7) — as parsers into views, writers, and the signature and pre-master
 * secret steps. The state machine that uses them decides what they mean.
 *
 * Every function takes the message body (after the 4-byte handshake header).
 */
#ifndef TENON_TLS_HS12_H
#define TENON_TLS_HS12_H

#include <stddef.h>
#include <stdint.h>

#include "tenon/rsa.h"
#include "tenon/x509.h"

#include "codec.h"

#define TLS12_PREMASTER_LEN 48 /* RFC 5246 §7.4.7.1 */

/* RFC 8422 §5.4: ECCurveType named_curve. */
#define TLS12_CURVE_TYPE_NAMED 3

/* A parsed ServerKeyExchange for ECDHE:
 *   struct { ECParameters curve_params; ECPoint public; } ServerECDHParams;
 *   struct { ServerECDHParams params; digitally-signed struct {...} signed_params; }
 * with ECParameters = { ECCurveType curve_type (named_curve); NamedCurve namedcurve; },
 * ECPoint = opaque point<1..2^8-1>, and digitally-signed = SignatureAndHashAlgorithm (2 bytes)
 * || opaque signature<0..2^16-1> (RFC 5246 §4.7). */
typedef struct tls12_ske_view {
    uint16_t group;
    cursor point;
    const uint8_t *params; /* the ServerECDHParams bytes, as signed */
    size_t params_len;
    uint16_t sig_scheme;
    cursor sig;
} tls12_ske_view;

/* TENON_ERR_MALFORMED for a structural error (decode_error); TENON_ERR_TLS_ILLEGAL_PARAMETER for
 * a curve_type other than named_curve (RFC 8422 §5.4: explicit curves are deprecated and tenon
 * never offers them). */
TENON_MUST_CHECK int tls12_ske_parse(const uint8_t *body, size_t len, tls12_ske_view *out);

/* Writes ServerECDHParams for group with the public value pub. */
TENON_MUST_CHECK int tls12_ske_write_params(writer *w, uint16_t group, const uint8_t *pub,
                                            size_t pub_len);

/* What the server signs (RFC 5246 §7.4.3, RFC 8422 §5.4):
 *   ClientHello.random + ServerHello.random + ServerKeyExchange.params
 * into out (params of at most TLS12_SKE_SIGNED_MAX - 64 bytes, as tls12_ske_parse and
 * tls12_ske_write_params allow). */
#define TLS12_SKE_SIGNED_MAX (64 + 1 + 2 + 1 + 255)
TENON_MUST_CHECK int tls12_ske_content(const uint8_t client_random[32],
                                       const uint8_t server_random[32], const uint8_t *params,
                                       size_t params_len, uint8_t out[TLS12_SKE_SIGNED_MAX],
                                       size_t *out_len);

/* Its digest under h. */
void tls12_ske_digest(const tenon_hash_class *h, const uint8_t client_random[32],
                      const uint8_t server_random[32], const uint8_t *params, size_t params_len,
                      uint8_t *digest);

/* Signs for signature scheme sig_scheme with key: digest (the scheme's hash's digest_len bytes)
 * with ECDSA (DER), RSASSA-PKCS1-v1_5 or RSASSA-PSS (salt = digest length), or with Ed25519 the
 * content itself (content_len bytes; NULL where only a digest exists, as for a TLS 1.2
 * CertificateVerify, makes Ed25519 TENON_ERR_INTERNAL). ECDSA's hedge comes from c's handshake
 * pool (tls_ecdsa_sign; c NULL: from the system). In TLS 1.2 an ECDSA scheme names only the hash
 * (RFC 5246 §7.4.1.4.1), so any curve goes with it. TENON_ERR_TLS_HANDSHAKE_FAILURE if the key
 * type does not fit the scheme. */
struct tls_conn;
TENON_MUST_CHECK int tls12_sign(struct tls_conn *c, uint16_t sig_scheme,
                                const tenon_private_key *key, const uint8_t *digest,
                                const uint8_t *content, size_t content_len, uint8_t *sig,
                                size_t sig_cap, size_t *sig_len);

/* Verifies a signature made as tls12_sign makes it: TENON_OK, TENON_ERR_TLS_DECRYPT_ERROR when
 * it does not verify (RFC 5246 §7.2.2: "a signature ... could not be correctly verified"),
 * TENON_ERR_TLS_ILLEGAL_PARAMETER for a scheme that does not fit the key, or Ed25519 without
 * content. */
TENON_MUST_CHECK int tls12_verify(uint16_t sig_scheme, const tenon_public_key *key,
                                  const uint8_t *digest, const uint8_t *content, size_t content_len,
                                  const uint8_t *sig, size_t sig_len);

/* The hash of a TLS 1.2 signature scheme (NULL: not one tenon knows, or Ed25519, which has
 * none). */
const tenon_hash_class *tls12_sig_hash(uint16_t sig_scheme);
/* 1 if tenon can sign or verify with sig_scheme in TLS 1.2 (ServerKeyExchange). */
int tls12_scheme_known(uint16_t sig_scheme);

/* ClientKeyExchange, ECDHE (RFC 8422 §5.7): struct { ECPoint ecdh_Yc; } — opaque <1..2^8-1>. */
TENON_MUST_CHECK int tls12_cke_parse_ecdhe(const uint8_t *body, size_t len, cursor *point);
TENON_MUST_CHECK int tls12_cke_write_ecdhe(writer *w, const uint8_t *pub, size_t pub_len);

/* ClientKeyExchange, RSA (RFC 5246 §7.4.7.1): EncryptedPreMasterSecret, public-key-encrypted
 * opaque <0..2^16-1> (TLS 1.0 and later carry the length). */
TENON_MUST_CHECK int tls12_cke_parse_rsa(const uint8_t *body, size_t len, cursor *encrypted);

/* Client: pre_master = client_version (2 bytes) || 46 random bytes, encrypted to the server's
 * RSA key with RSAES-PKCS1-v1_5 and written as a ClientKeyExchange body. pms receives the
 * 48-byte secret. */
TENON_MUST_CHECK int tls12_cke_write_rsa(writer *w, const tenon_rsa_public_key *server_key,
                                         uint16_t client_version, uint8_t pms[TLS12_PREMASTER_LEN]);

/* Server: the pre-master secret from an EncryptedPreMasterSecret, RFC 5246 §7.4.7.1's
 * countermeasure: on any failure — bad padding, wrong length, wrong version, a ciphertext of the
 * wrong size — pms is 48 random bytes and TENON_OK is returned all the same, so that the
 * handshake fails at Finished and nothing else tells the cases apart. client_version is the
 * version of the ClientHello. Errors only for NULL arguments or a failing RNG. */
TENON_MUST_CHECK int tls12_rsa_premaster(const tenon_rsa_private_key *key, const uint8_t *enc,
                                         size_t enc_len, uint16_t client_version,
                                         uint8_t pms[TLS12_PREMASTER_LEN]);

/* ---- TLS 1.2 hello extensions (bodies only: extension_data of each) ---------------------- */

#define TLS12_EXT_EC_POINT_FORMATS 11              /* RFC 8422 §5.1.2 */
#define TLS12_EXT_EXTENDED_MASTER_SECRET 23        /* RFC 7627 §5.1 */
#define TLS12_EXT_SESSION_TICKET 35                /* RFC 5077 §3.2 */
#define TLS12_EXT_RENEGOTIATION_INFO 0xff01        /* RFC 5746 §3.2 */
#define TLS12_EMPTY_RENEGOTIATION_INFO_SCSV 0x00ff /* RFC 5746 §3.3 */

/* extended_master_secret: "The "extension_data" field of this extension is empty" (RFC 7627
 * §5.1); anything else is a decode_error (TENON_ERR_MALFORMED). */
TENON_MUST_CHECK int tls12_ext_ems_parse(const uint8_t *data, size_t len);

/* ec_point_formats (RFC 8422 §5.1.2): ECPointFormat ec_point_format_list<1..2^8-1>. tenon writes
 * only uncompressed (0); the parser requires the list to contain it (RFC 8422 §5.1.2: "the
 * uncompressed point format MUST be supported"; a peer without it is illegal_parameter). */
TENON_MUST_CHECK int tls12_ext_point_formats_write(writer *w);
TENON_MUST_CHECK int tls12_ext_point_formats_parse(const uint8_t *data, size_t len);

/* renegotiation_info (RFC 5746 §3.2): opaque renegotiated_connection<0..255>. tenon never
 * renegotiates, so on an initial handshake — the only one it does — the field must be empty:
 * RFC 5746 §3.4 (client) / §3.6 (server) "MUST verify that the length of the
 * "renegotiated_connection" field is zero, and if it is not, MUST abort the handshake" with a
 * handshake_failure (TENON_ERR_TLS_HANDSHAKE_FAILURE); a malformed body is a decode_error. */
TENON_MUST_CHECK int tls12_ext_reneg_write_initial(writer *w);
TENON_MUST_CHECK int tls12_ext_reneg_parse_initial(const uint8_t *data, size_t len);

#endif
