/*
 * tenon — the TLS engine, TLS 1.3 (RFC 8446) and TLS 1.2 (RFC 5246), client and server, sans-I/O.
 *
 * The engine never reads a socket, never sleeps and never allocates. The caller owns:
 *   - a tenon_config (fixed-size arrays, no pointers kept to temporaries), shared read-only by
 *     any number of connections once set up;
 *   - a tenon_conn and its two buffers (incoming records and handshake messages; outgoing
 *     records), of at least the sizes published below;
 *   - the transport. Bytes from the network go in with tenon_conn_feed(); bytes to send come
 *     out with tenon_conn_output() / tenon_conn_output_consume(); application data goes through
 *     tenon_conn_write() / tenon_conn_read(). tenon_conn_status() says what the engine wants.
 *
 * A minimal loop (see src/io for a blocking one):
 *
 *   tenon_config cfg;
 *   tenon_config_init(&cfg, TENON_CLIENT);
 *   cfg.server_name = "example.com";
 *   cfg.trust = &store;                        // tenon_x509_store with the roots
 *   static uint8_t in[TENON_CONN_IN_SIZE], out[TENON_CONN_OUT_SIZE];
 *   tenon_conn c;
 *   tenon_conn_init(&c, &cfg, in, sizeof in, out, sizeof out);
 *   for (;;) {
 *       unsigned st = tenon_conn_status(&c);
 *       if (st & TENON_FAILED) break;                       // tenon_conn_error(&c)
 *       if (st & TENON_HAS_OUTPUT) { send what tenon_conn_output() gives; consume it; continue; }
 *       if (st & TENON_HANDSHAKE_DONE) break;               // now write and read data
 *       if (st & TENON_WANT_INPUT) { recv(); tenon_conn_feed(); }  // 0 bytes: transport_eof
 *   }
 *
 * Randomness: getrandom(2). Handshakes draw it from a process-wide reserve, one page of the
 * library's static data that one getrandom call fills for about 21 handshakes, wiped as it is
 * taken, advised MADV_WIPEONFORK so that a child of fork() refills its own (where the kernel
 * cannot, each handshake calls getrandom itself; see docs/memory.md). Like any user-space
 * random state it is duplicated by a VM snapshot restored twice.
 *
 * Errors: every fallible call returns 0 or a negative tenon_err. A protocol error is sticky:
 * the engine queues the alert RFC 8446 names (tenon_error_alert) for the peer, and every later
 * call returns the same error. The peer's transport ending without close_notify is
 * TENON_ERR_TLS_TRUNCATED, never a clean end.
 *
 * What is implemented: TLS 1.3 — groups x25519, secp256r1, secp384r1; the three TLS 1.3 AEAD
 * suites; ECDSA P-256/P-384, Ed25519 and RSA-PSS (rsae) signatures; HelloRetryRequest; ALPN; SNI;
 * client certificates; session tickets and PSK-DHE resumption (no 0-RTT); KeyUpdate; exporters.
 * TLS 1.2 in the same engine — ECDHE-ECDSA and ECDHE-RSA with AES-GCM and ChaCha20-Poly1305 by
 * default; RSA key transport and AES-CBC + HMAC suites only when configured by name; extended
 * master secret (RFC 7627, required by default), secure renegotiation indication (RFC 5746;
 * renegotiation itself is refused), encrypt-then-MAC (RFC 7366), session tickets (RFC 5077) and
 * session IDs (a client's ticket store, a server's session_cache), client certificates, SNI,
 * ALPN, exporters (RFC 5705). Both versions are enabled by default; a
 * server that could do TLS 1.3 but negotiates TLS 1.2 marks its random (RFC 8446 §4.1.3) and a
 * client that offered TLS 1.3 checks the mark.
 * Both versions: OCSP stapling (RFC 6066 §8, RFC 8446 §4.4.2.1) and Certificate Transparency
 * SCTs (RFC 6962 §3.3.1), served from tenon_cert_key and asked for by tenon_config.ocsp_stapling
 * and signed_cert_timestamps (the response is handed to the application, not validated).
 */
#ifndef TENON_TLS_H
#define TENON_TLS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "export.h"
#include "kex.h"
#include "trace.h"
#include "x509.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------
 * Code points
 * ------------------------------------------------------------------------------------------ */

#define TENON_TLS13 0x0304
#define TENON_TLS12 0x0303

/* Cipher suites (RFC 8446 §B.4). */
#define TENON_TLS_AES_128_GCM_SHA256 0x1301
#define TENON_TLS_AES_256_GCM_SHA384 0x1302
#define TENON_TLS_CHACHA20_POLY1305_SHA256 0x1303

/* TLS 1.2 cipher suites, default set (RFC 5289, RFC 7905). */
#define TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 0xc02b
#define TENON_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 0xc02c
#define TENON_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 0xcca9
#define TENON_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 0xc02f
#define TENON_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 0xc030
#define TENON_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 0xcca8
/* TLS 1.2 legacy suites (RSA key transport, no forward secrecy; CBC + HMAC): never in the
 * defaults, used only when named in tenon_config.suites (RFC 5246, 5288, 5289). */
#define TENON_TLS_RSA_WITH_AES_128_GCM_SHA256 0x009c
#define TENON_TLS_RSA_WITH_AES_256_GCM_SHA384 0x009d
#define TENON_TLS_RSA_WITH_AES_128_CBC_SHA256 0x003c
#define TENON_TLS_RSA_WITH_AES_256_CBC_SHA256 0x003d
#define TENON_TLS_RSA_WITH_AES_128_CBC_SHA 0x002f
#define TENON_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 0xc027
/* TLS 1.2 AES-CBC + HMAC-SHA1 suites (RFC 5246, RFC 8422 §6): never in the defaults either
 * (docs/tls-policy.md); for peers that have nothing newer. */
#define TENON_TLS_RSA_WITH_AES_256_CBC_SHA 0x0035
#define TENON_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA 0xc009
#define TENON_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA 0xc00a
#define TENON_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA 0xc013
#define TENON_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA 0xc014

/* Signature schemes (RFC 8446 §4.2.3). The rsa_pkcs1_* ones are used in certificates and in
 * TLS 1.2 (ServerKeyExchange, CertificateVerify), never for a TLS 1.3 CertificateVerify. In
 * TLS 1.2 the ecdsa_* schemes name only the hash (RFC 5246 §7.4.1.4.1): any curve goes. */
#define TENON_SIG_RSA_PKCS1_SHA256 0x0401
#define TENON_SIG_RSA_PKCS1_SHA384 0x0501
#define TENON_SIG_RSA_PKCS1_SHA512 0x0601
#define TENON_SIG_ECDSA_SECP256R1_SHA256 0x0403
#define TENON_SIG_ECDSA_SECP384R1_SHA384 0x0503
#define TENON_SIG_RSA_PSS_RSAE_SHA256 0x0804
#define TENON_SIG_RSA_PSS_RSAE_SHA384 0x0805
#define TENON_SIG_RSA_PSS_RSAE_SHA512 0x0806
/* RFC 8446 §4.2.3, RFC 8422 §5.1.3: PureEdDSA over the signed content itself. In TLS 1.2 it
 * signs ServerKeyExchange with the ECDHE_ECDSA suites (RFC 8422 §2: an "ECDSA- or
 * EdDSA-capable" key), not a TLS 1.2 CertificateVerify (that would need the whole transcript,
 * and tenon keeps only its running hash). */
#define TENON_SIG_ED25519 0x0807
/* SHA-1 schemes, RFC 5246 §7.4.1.4.1's (sha1, rsa) and (sha1, ecdsa) pairs (RFC 8446 §4.2.3
 * "legacy algorithms"): TLS 1.2 only, never in the defaults (RFC 9155 deprecates them; see
 * docs/tls-policy.md). Configure them, after every other scheme, only for a peer that has
 * nothing newer; a TLS 1.3 handshake never signs or accepts them. */
#define TENON_SIG_RSA_PKCS1_SHA1 0x0201
#define TENON_SIG_ECDSA_SHA1 0x0203

/* AlertDescription (RFC 8446 §6). */
enum {
    TENON_ALERT_CLOSE_NOTIFY = 0,
    TENON_ALERT_UNEXPECTED_MESSAGE = 10,
    TENON_ALERT_BAD_RECORD_MAC = 20,
    TENON_ALERT_RECORD_OVERFLOW = 22,
    TENON_ALERT_DECOMPRESSION_FAILURE = 30, /* TLS 1.2 only (RFC 5246 §7.2.2) */
    TENON_ALERT_HANDSHAKE_FAILURE = 40,
    TENON_ALERT_BAD_CERTIFICATE = 42,
    TENON_ALERT_UNSUPPORTED_CERTIFICATE = 43,
    TENON_ALERT_CERTIFICATE_REVOKED = 44,
    TENON_ALERT_CERTIFICATE_EXPIRED = 45,
    TENON_ALERT_CERTIFICATE_UNKNOWN = 46,
    TENON_ALERT_ILLEGAL_PARAMETER = 47,
    TENON_ALERT_UNKNOWN_CA = 48,
    TENON_ALERT_ACCESS_DENIED = 49,
    TENON_ALERT_DECODE_ERROR = 50,
    TENON_ALERT_DECRYPT_ERROR = 51,
    TENON_ALERT_PROTOCOL_VERSION = 70,
    TENON_ALERT_INSUFFICIENT_SECURITY = 71,
    TENON_ALERT_INTERNAL_ERROR = 80,
    TENON_ALERT_INAPPROPRIATE_FALLBACK = 86,
    TENON_ALERT_USER_CANCELED = 90,
    TENON_ALERT_NO_RENEGOTIATION = 100,
    TENON_ALERT_MISSING_EXTENSION = 109,
    TENON_ALERT_UNSUPPORTED_EXTENSION = 110,
    TENON_ALERT_UNRECOGNIZED_NAME = 112,
    TENON_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE = 113,
    TENON_ALERT_UNKNOWN_PSK_IDENTITY = 115,
    TENON_ALERT_CERTIFICATE_REQUIRED = 116,
    TENON_ALERT_NO_APPLICATION_PROTOCOL = 120,
};

/* The AlertDescription an error is reported to the peer with (decode_error for
 * TENON_ERR_TLS_DECODE, bad_certificate for a refused chain, internal_error for errors that are
 * not the peer's doing, ...), or -1 for errors that send no alert (TENON_ERR_TLS_PEER_ALERT,
 * TENON_ERR_TLS_CLOSED, TENON_ERR_TLS_TRUNCATED). */
TENON_API int tenon_error_alert(int err);

/* A printable name for an AlertDescription ("decode_error"), "unknown" otherwise. */
TENON_API const char *tenon_alert_name(int alert);

/* ------------------------------------------------------------------------------------------
 * Limits
 * ------------------------------------------------------------------------------------------ */

#define TENON_MAX_GROUPS 8
#define TENON_MAX_KEY_SHARES 3 /* key shares in a client's first ClientHello */
#define TENON_MAX_SUITES 24    /* room for every suite tenon has (20) */
#define TENON_MAX_SIG_SCHEMES 12
#define TENON_MAX_ALPN 8
#define TENON_MAX_ALPN_LEN 255
#define TENON_MAX_CERT_KEYS 4
#define TENON_MAX_CHAIN 8
#define TENON_MAX_SERVER_NAME 255
#define TENON_MAX_TICKET_KEYS 8 /* the sealing key and older ones that still open */
#define TENON_MAX_TICKET_LEN 1024
#define TENON_MAX_TICKETS_PER_HANDSHAKE 16

/* Buffer sizes. The incoming buffer holds one record (2^14 bytes of content, the protection's
 * expansion and the 5-byte header: TENON_CONN_RECORD_SIZE) followed by the handshake-message
 * area: the largest handshake message that will be received (the peer's Certificate chain is
 * kept there for tenon_conn_info_get) plus room for the messages that follow it. The outgoing
 * buffer must hold one whole flight (the server's ServerHello ... Finished, certificate chain
 * included); application data goes out in records that fit it, so a small outgoing buffer
 * costs only smaller records. The defaults fit certificate chains of up to about 28 KiB and send
 * full 16 KiB records; the minimums fit a chain of a few KiB (one or two certificates: a flight
 * that does not fit fails with TENON_ERR_BUFFER_TOO_SMALL). Smaller than the minimum is
 * TENON_ERR_BUFFER_TOO_SMALL at tenon_conn_init. */
/* The ClientHello a server accepts: up to 16384 bytes (2^14, a record's content) when it comes
 * in one record, as clients send it; split over several records, up to the handshake-message
 * area: 4096 bytes with TENON_CONN_IN_MIN (the default buffer: 32 KiB). That holds two hybrid
 * post-quantum shares (X25519MLKEM768 and SecP384r1MLKEM1024: 2,889 bytes of key_share, a
 * ClientHello of about 3.3 KB); tenon's default ClientHello (X25519MLKEM768 and x25519 shares)
 * is about 1.5 KB. A client's ClientHello must fit its outgoing buffer. */
#define TENON_CONN_RECORD_SIZE (5 + 16384 + 304) /* TLS 1.2 CBC at most; TLS 1.3: 256 */
/* The work area at the start of each buffer (included in the sizes below): the input's
 * (TENON_CONN_HS_SIZE) holds the handshake state (transcript, key schedule, ephemeral keys, the
 * peer's key and signature schemes; wiped when the handshake completes), the views of the peer's
 * hello and chain (until the buffers are released) and the read direction's expanded record
 * keys; the output's (TENON_CONN_KEYS_SIZE) the write direction's expanded keys. See "Memory"
 * at TENON_CONN_SIZE. */
#define TENON_CONN_HS_SIZE 5376
#define TENON_CONN_KEYS_SIZE 2080
#define TENON_CONN_IN_SIZE (TENON_CONN_HS_SIZE + TENON_CONN_RECORD_SIZE + 32768)
#define TENON_CONN_OUT_SIZE (TENON_CONN_KEYS_SIZE + 2 * TENON_CONN_RECORD_SIZE)
#define TENON_CONN_IN_MIN (TENON_CONN_HS_SIZE + TENON_CONN_RECORD_SIZE + 4096)
#define TENON_CONN_OUT_MIN (TENON_CONN_KEYS_SIZE + 4096)
/* With tenon_config.record_size_limit set (RFC 8449), the incoming buffer may be smaller: its
 * record area need hold only a record of that much plaintext (TENON_CONN_RECORD_SIZE_FOR: the
 * header and the largest expansion of a TLS 1.2 CBC record added), so TENON_CONN_IN_MIN_FOR
 * (limit) bytes are enough; TENON_CONN_IN_MIN_FOR(512) is 10,293 bytes against
 * TENON_CONN_IN_MIN's 26,165. An input buffer below TENON_CONN_IN_MIN gives its record area
 * in_len - 4096 bytes (the rest is the handshake-message area, as at TENON_CONN_IN_MIN); from
 * TENON_CONN_IN_MIN up it holds a whole record of any size. A record longer than the record
 * area is record_overflow: the peer's limit binds only protected records (RFC 8449 §4:
 * "Unprotected messages are not subject to this limit"), so a small area also needs the
 * peer's unprotected records to fit it: a ClientHello in one record (a server's), a TLS 1.2
 * server's Certificate flight (tenon servers cut it to the client's limit; others may not),
 * and a peer that does not negotiate the extension at all may send records of 2^14 bytes,
 * which fail so. */
#define TENON_CONN_RECORD_SIZE_FOR(limit) (5 + (limit) + 304)
#define TENON_CONN_IN_MIN_FOR(limit) (TENON_CONN_HS_SIZE + TENON_CONN_RECORD_SIZE_FOR(limit) + 4096)

/* ------------------------------------------------------------------------------------------
 * Configuration
 * ------------------------------------------------------------------------------------------ */

typedef enum tenon_role {
    TENON_CLIENT = 0,
    TENON_SERVER = 1,
} tenon_role;

/* A certificate chain (leaf first, DER, views into caller memory) and its private key; both
 * must outlive the config. */
typedef struct tenon_cert_key {
    tenon_bytes chain[TENON_MAX_CHAIN];
    size_t chain_count;
    const tenon_private_key *key;
    /* The signature schemes this certificate's key signs with, in preference order, when they
     * should differ from the configuration's (tenon_config.sign_schemes, else sig_schemes);
     * each must be one tenon has (tenon_config_check). Empty, as tenon_config_add_cert leaves
     * it: the configuration's. Set it after tenon_config_add_cert. Certificates are still
     * tried in order, each with its own list: a server takes the first that can sign with a
     * scheme the client offers, a client asked for a certificate the first that can sign with
     * one the server accepts. */
    uint16_t sign_schemes[TENON_MAX_SIG_SCHEMES];
    size_t sign_scheme_count;
    /* Server: what is stapled to this chain for clients that ask (empty: nothing), as the
     * application supplies it (views that must outlive the config; set them after
     * tenon_config_add_cert, and swap in a fresh response the same way before it expires):
     * - ocsp_response: a DER OCSPResponse (RFC 6960) for the leaf, at most 2^24-1 bytes, sent
     *   unchanged and uninterpreted to a client whose ClientHello has status_request (ocsp):
     *   TLS 1.3 in the leaf's CertificateEntry (RFC 8446 §4.4.2.1), TLS 1.2 as a
     *   CertificateStatus message after Certificate, announced by an empty status_request in
     *   the ServerHello (RFC 6066 §8);
     * - sct_list: a SignedCertificateTimestampList (RFC 6962 §3.3: a 2-byte length, then each
     *   SCT with its 2-byte length, none empty; tenon_config_check refuses one that is not),
     *   sent to a client whose ClientHello has signed_certificate_timestamp: TLS 1.3 in the
     *   leaf's CertificateEntry, TLS 1.2 in the ServerHello (RFC 6962 §3.3.1).
     * Neither is sent on a resumed handshake (no certificate is sent then), nor on a client's
     * certificate (tenon's server never asks for them). */
    tenon_bytes ocsp_response;
    tenon_bytes sct_list;
} tenon_cert_key;

/* The caller's check of a peer's certificate chain (tenon_config.verify_fn).
 *
 * When: once per full handshake, when the peer's Certificate message arrives (a client: the
 * server's chain; a server: a client certificate it asked for, never an empty one), after
 * tenon has parsed the chain, loaded the leaf's key and checked its keyUsage, and, if
 * tenon_config.trust is set, after tenon_x509_verify accepted the chain (so the callback adds
 * to the trust store's verdict and cannot overrule a refusal). A resumed handshake (session
 * ticket) sends no certificate and does not call it. Never called with insecure_skip_verify.
 *
 * chain: the peer's certificates as sent, leaf first, DER views valid during the call only;
 * count >= 1.
 * server_name: on a client, tenon_config.server_name as configured (NULL if none), also when
 * skip_hostname_check is set: then tenon has matched the certificate against no name, and the
 * callback may check the name (or a pinned key) itself. On a server, NULL.
 *
 * Return: 0 accepts the chain. A negative tenon_err refuses it: the handshake fails with that
 * error and the alert tenon_error_alert(rc) gives (a TENON_ERR_CERT_* code gives
 * bad_certificate, unknown_ca, certificate_expired or unsupported_certificate as the RFC names
 * them; other codes may give internal_error). TENON_ERR_CERT_REJECTED, for a chain refused for
 * a reason of the callback's own (a pin, a policy), gives certificate_unknown (RFC 8446 §6.2).
 * A positive value also refuses it, as TENON_ERR_TLS_BAD_CERTIFICATE (bad_certificate). */
typedef int (*tenon_verify_fn)(void *user, const tenon_bytes *chain, size_t count,
                               const char *server_name);

/* What the server stapled to its certificate (tenon_config.status_fn). */
typedef struct tenon_peer_status {
    const tenon_bytes *chain; /* the server's chain as sent, leaf first (as for verify_fn) */
    size_t chain_count;
    tenon_bytes ocsp_response; /* the OCSPResponse as stapled (DER, not checked by tenon),
                                * empty if none: not asked for, or the server sent none */
    tenon_bytes sct_list;      /* the SignedCertificateTimestampList (well-formed: checked),
                                * empty if none */
    const char *server_name;   /* tenon_config.server_name */
} tenon_peer_status;

/* The client's check of what the server stapled (tenon_config.status_fn): RFC 6066 §8 has a
 * client that asked for an OCSP response "check the OCSP response and abort the handshake if
 * the response is not satisfactory". tenon does not interpret the response (its signature,
 * responder, certificate ID, thisUpdate/nextUpdate): this callback does, with the chain at
 * hand (the issuer is chain[1] or a trust anchor), and so do SCT checks.
 *
 * When: once per full handshake of a client that has status_fn set, whether or not anything
 * was stapled (a client that requires a staple refuses its absence here), after the chain was
 * accepted (trust store and verify_fn, or insecure_skip_verify): in TLS 1.3 right after the
 * server's Certificate, in TLS 1.2 at its ServerHelloDone (after the optional
 * CertificateStatus), before anything of ours that depends on the server's key is sent. A
 * resumed handshake has no certificate and does not call it. Views valid during the call only.
 *
 * Return: 0 accepts; a negative tenon_err fails the handshake with that error and its alert; a
 * positive value fails it as TENON_ERR_TLS_BAD_CERT_STATUS (bad_certificate_status_response,
 * RFC 8446 §6.2), which is also the code to return for an unsatisfactory response. */
typedef int (*tenon_status_fn)(void *user, const tenon_peer_status *status);

/* The server's choice of what to staple for one handshake (tenon_config.staple_fn). */
typedef struct tenon_staple_request {
    int cert_index;            /* the certificate chosen for this handshake (tenon_config.certs) */
    tenon_bytes server_name;   /* the SNI the client sent (empty: none), as in tenon_conn_info */
    tenon_bytes ocsp_response; /* in: that certificate's configured ocsp_response (maybe empty);
                                * out: what to staple (empty: nothing) */
} tenon_staple_request;

/* A server's per-connection stapling callback (tenon_config.staple_fn), as OpenSSL's server
 * use of SSL_CTX_set_tlsext_status_cb (nginx's ssl_stapling) and BoringSSL's legacy OCSP
 * callback: it decides, handshake by handshake, which OCSP response goes with the certificate.
 *
 * When: once per full handshake whose ClientHello has status_request (ocsp), after the
 * certificate was chosen and before the ServerHello is written (so a TLS 1.2 server knows
 * whether to acknowledge status_request). Not on a resumption (no certificate is sent, RFC
 * 6066 §8), nor for a client that did not ask. Without staple_fn, the configured response is
 * stapled (tenon_cert_key.ocsp_response).
 *
 * req->ocsp_response starts as the chosen certificate's ocsp_response; the callback may leave
 * it (staple the configured response), point it at another DER OCSPResponse of at most
 * 2^24-1 bytes, or empty it (decline: nothing is stapled, and a TLS 1.2 ServerHello does not
 * acknowledge status_request, as if the client had not asked). A response the callback
 * supplies is read when the server's flight is written, and must stay valid until the
 * handshake is complete or has failed (tenon_conn_status() says TENON_HANDSHAKE_DONE or
 * TENON_FAILED), or the connection is dropped before that: keep it
 * in the application's own storage for at least that long (e.g. a refcounted buffer released
 * after the handshake), never on the callback's stack.
 *
 * Return: 0 goes on with req->ocsp_response; a negative tenon_err fails the handshake with it
 * and its alert; a positive value fails it as TENON_ERR_TLS_STAPLE_CALLBACK (internal_error,
 * as BoringSSL's SSL_TLSEXT_ERR_ALERT_FATAL: RFC 8446 §6.2 "an internal error unrelated to the
 * peer"). */
typedef int (*tenon_staple_fn)(void *user, tenon_staple_request *req);

/* What a server's CertificateRequest asks of the client (tenon_config.client_cert_fn); views
 * into the message, valid during the call only. */
#define TENON_MAX_CA_NAMES 16
typedef struct tenon_cert_request {
    uint16_t version; /* TENON_TLS13 or TENON_TLS12 */
    /* signature_algorithms (TLS 1.3, RFC 8446 §4.3.2) or supported_signature_algorithms
     * (TLS 1.2, RFC 5246 §7.4.4): the schemes tenon has, in the server's order, once each
     * (code points tenon does not know are left out). */
    const uint16_t *sig_schemes;
    size_t sig_scheme_count;
    /* TLS 1.2: certificate_types as sent (ClientCertificateType bytes: rsa_sign 1, ecdsa_sign
     * 64, ...); empty in TLS 1.3, which has no such field. */
    tenon_bytes certificate_types;
    /* certificate_authorities (TLS 1.3: the extension, RFC 8446 §4.2.4; TLS 1.2: the field):
     * the DER Names (RFC 5280 Name, each the whole SEQUENCE) as sent, the first
     * TENON_MAX_CA_NAMES of them; ca_name_count counts them all (0: the server names none). */
    tenon_bytes ca_names[TENON_MAX_CA_NAMES];
    size_t ca_name_count;
} tenon_cert_request;

/* The client's choice of certificate when a server asks for one (tenon_config.client_cert_fn),
 * as OpenSSL's client_cert_cb or rustls' ResolvesClientCert.
 *
 * When: on a full handshake, when the server's CertificateRequest arrives (never on a resumed
 * one: the server asks for nothing then), before any of our certificate goes out.
 *
 * *cert_index arrives holding tenon's own choice (the first of tenon_config.certs that signs
 * with a scheme the server lists and, in TLS 1.2, has a key type in certificate_types; -1 if
 * none does): leave it for that choice, set another index into certs, or -1 to send an empty
 * Certificate (RFC 8446 §4.4.2, RFC 5246 §7.4.6; a server that requires a certificate then
 * fails the handshake).
 *
 * A chosen certificate must still fit the request: RFC 8446 §4.4.2.3 and RFC 5246 §7.4.6 have
 * the client send one that signs with a scheme the server listed ("If the client cannot
 * construct an acceptable chain ... it SHOULD send an empty Certificate"; TLS 1.2: a key
 * compatible with certificate_types too). tenon signs with the certificate's first own scheme
 * (tenon_cert_key.sign_schemes, else the configuration's) in the server's list; a chosen
 * certificate with none, or with a key type certificate_types leaves out, is replaced by an
 * empty Certificate, as the RFCs have a client do. (certificate_authorities is the
 * application's to weigh: tenon does not compare names.)
 *
 * Return: 0 with *cert_index set. A negative tenon_err fails the handshake with that error and
 * its alert (tenon_error_alert); a positive value fails it as TENON_ERR_TLS_CLIENT_CERT_REFUSED
 * (handshake_failure). An index out of range (not -1, not below cert_count) fails it as
 * TENON_ERR_INVALID_ARGUMENT (internal_error). */
typedef int (*tenon_client_cert_fn)(void *user, const tenon_cert_request *request, int *cert_index);

/* NSS key log lines ("CLIENT_HANDSHAKE_TRAFFIC_SECRET <client_random> <secret>", no newline),
 * the format SSLKEYLOGFILE files and Wireshark use. */
typedef void (*tenon_keylog_fn)(void *user, const char *line);

/* Milliseconds since the Unix epoch: certificate validity and ticket ages. */
typedef int64_t (*tenon_time_fn)(void *user);

/* A session ticket key of the server (RFC 8446 §4.6.1 leaves the format to the server): tickets
 * are sealed with AES-256-GCM under key and carry name so the server finds the key again. */
typedef struct tenon_ticket_key {
    uint8_t name[16];
    uint8_t key[32];
} tenon_ticket_key;

/* A ticket the client keeps for resumption (RFC 8446 §4.6.1; RFC 5077 for TLS 1.2, where psk
 * holds the session's master secret). in_use: 0 free, 1 holds a ticket, 2 held by a connection
 * (being offered, or received and waiting for the handshake to finish). */
typedef struct tenon_ticket {
    int in_use;
    uint16_t version;          /* TENON_TLS13 or TENON_TLS12 */
    uint8_t ext_master_secret; /* TLS 1.2: the session used the extended master secret */
    char server_name[TENON_MAX_SERVER_NAME + 1];
    uint16_t suite;
    uint32_t lifetime_s;
    uint32_t age_add;
    int64_t received_ms;
    size_t psk_len;
    uint8_t psk[48];
    size_t ticket_len;
    uint8_t ticket[TENON_MAX_TICKET_LEN];
    /* The verification policy the server's certificate was checked under (a SHA-256 digest of
     * the client configuration's trust anchors, host-name check, insecure_skip_verify, verify_fn
     * and verify_id; see tenon_config.verify_id): a connection offers the ticket only if its
     * own configuration's digest is the same. */
    uint8_t policy_sha256[32];
    /* When the session's full handshake took place (ms): tickets received on resumed sessions
     * keep the original time, and none is offered once session_max_age_s has passed. */
    int64_t auth_ms;
    /* SHA-256 of the server's leaf certificate (DER), reported again when the ticket resumes. */
    uint8_t peer_leaf_sha256[32];
    /* TLS 1.2 session-ID resumption (RFC 5246 §7.4.1.2): a session whose server sent no ticket
     * but a non-empty session_id in its ServerHello is kept with that ID and ticket_len 0, and
     * offered by sending the ID again. A session ID may be resumed more than once: it is kept
     * again after each resumption that brings no ticket. */
    uint8_t session_id[32];
    size_t session_id_len;
} tenon_ticket;

/* The client's caller-owned ticket store: an array of slots. A new ticket replaces the one for
 * the same server name, else a free slot, else the oldest. A ticket is used once. The store may
 * be shared by connections used one thread at a time; it has no lock. A connection holds the
 * slot of the ticket it offers until the ServerHello, and of a TLS 1.2 ticket it received until
 * the handshake ends; a failed connection gives it back, and so does tenon_conn_wipe (call it
 * on a connection abandoned mid-handshake). */
typedef struct tenon_ticket_store {
    tenon_ticket *slots;
    size_t cap;
} tenon_ticket_store;

TENON_API void tenon_ticket_store_init(tenon_ticket_store *store, tenon_ticket *slots, size_t cap);

/* A TLS 1.2 server's session cache, for resumption by session ID (RFC 5246 §7.4.1.2-7.4.1.3)
 * with clients that take no tickets: caller-owned slots, no malloc. A full TLS 1.2 handshake
 * that sends no ticket gives the client a fresh 32-byte session ID and, once the handshake is
 * done, keeps the session under it: in the slot of the same ID, else a free one, else the
 * oldest. A ClientHello naming a kept ID resumes the session if it is bound as a ticket would
 * be (the same server_name, suite and extended master secret, the client-certificate policy,
 * ticket_lifetime_s since it was kept and session_max_age_s since its full handshake);
 * otherwise a full handshake follows. An entry may be resumed any number of times while it
 * lasts. session holds the session's master secret: keep the slots as private as the server's
 * key (tenon_session_cache_wipe). The cache may be shared by connections used one thread at a
 * time; it has no lock. */
#define TENON_SESSION_MAX 192
typedef struct tenon_session_entry {
    int in_use;
    uint8_t id[32]; /* the session ID (RFC 5246 §7.4.1.3: 32 bytes here) */
    int64_t stored_ms;
    size_t session_len;
    uint8_t session[TENON_SESSION_MAX]; /* opaque to the caller */
} tenon_session_entry;

typedef struct tenon_session_cache {
    tenon_session_entry *slots;
    size_t cap;
} tenon_session_cache;

TENON_API void tenon_session_cache_init(tenon_session_cache *cache, tenon_session_entry *slots,
                                        size_t cap);
/* Forgets every session (slots wiped). */
TENON_API void tenon_session_cache_wipe(tenon_session_cache *cache);

/* Client certificate policy of a server. */
typedef enum tenon_client_auth {
    TENON_CLIENT_AUTH_NONE = 0,
    TENON_CLIENT_AUTH_REQUEST = 1, /* CertificateRequest; an empty Certificate is accepted */
    TENON_CLIENT_AUTH_REQUIRE = 2, /* an empty Certificate is certificate_required */
} tenon_client_auth;

typedef struct tenon_config {
    tenon_role role;
    /* Key exchange groups in order of preference. A client lists all in supported_groups and
     * sends key shares for those in share_groups; a server picks its most preferred group the
     * client supports, asking with HelloRetryRequest when the client sent no share for it.
     * Defaults: a client X25519MLKEM768, x25519, secp256r1, SecP256r1MLKEM768, secp384r1,
     * SecP384r1MLKEM1024; a server the hybrid post-quantum groups first: X25519MLKEM768,
     * SecP256r1MLKEM768, SecP384r1MLKEM1024, x25519, secp256r1, secp384r1. The hybrid groups
     * (dh = 0 in their class) are TLS 1.3 only: TLS 1.2 uses the others. */
    const tenon_kex_class *groups[TENON_MAX_GROUPS];
    size_t group_count;
    /* Client: the groups that get a key share in the first ClientHello (RFC 8446 §4.2.8), in
     * any order; the shares go in the order of groups, and one that is not in groups (or not
     * usable: see require_post_quantum) gets none. Default X25519MLKEM768 and x25519. When
     * none is left (share_group_count 0, or groups changed), groups[0]'s usable first entry
     * gets the one share. After a HelloRetryRequest the one share is for the group asked for.
     * Each share costs the ClientHello its size (X25519MLKEM768: 1216 bytes) and keygen time;
     * the private keys are kept until the ServerHello and wiped then. */
    const tenon_kex_class *share_groups[TENON_MAX_KEY_SHARES];
    size_t share_group_count;
    /* Both roles, default 0: only post-quantum groups (those with post_quantum = 1 in their
     * class, the ML-KEM hybrids) are used. A client lists and shares only them and does not
     * offer TLS 1.2 (which has no post-quantum key exchange); a server picks only among them
     * and refuses a client that offers none, or only TLS 1.2, with
     * TENON_ERR_TLS_PQ_REQUIRED (insufficient_security, RFC 8446 §6.2). groups must hold one. */
    int require_post_quantum;
    /* Protocol versions enabled: TENON_TLS12 .. TENON_TLS13 by default. */
    uint16_t min_version, max_version;
    /* Cipher suites in order of preference (TENON_TLS_*), TLS 1.3 and TLS 1.2 ones in one list;
     * each version uses its own. */
    uint16_t suites[TENON_MAX_SUITES];
    size_t suite_count;
    /* TLS 1.2: require the extended master secret (RFC 7627) of the peer, default 1. With 0, a
     * peer without it gets the RFC 5246 master secret (weaker: RFC 7627 §1). */
    int require_extended_master_secret;
    /* Signature schemes for CertificateVerify (signature_algorithms), in preference order. */
    uint16_t sig_schemes[TENON_MAX_SIG_SCHEMES];
    size_t sig_scheme_count;
    /* Signature schemes this side signs with (its CertificateVerify, TLS 1.2
     * ServerKeyExchange), in preference order, when they should differ from sig_schemes; each
     * must be one tenon has. Empty (the default): sig_schemes. sig_schemes remains what is
     * advertised (signature_algorithms) and accepted from the peer. A peer that accepts none of
     * them gets no signature: a server fails the handshake (TENON_ERR_TLS_NO_CERT_FOR_PEER or
     * TENON_ERR_TLS_NO_COMMON_SIG_SCHEME, handshake_failure); a client asked for a certificate
     * sends none (RFC 8446 §4.4.2, RFC 5246 §7.4.6). */
    uint16_t sign_schemes[TENON_MAX_SIG_SCHEMES];
    size_t sign_scheme_count;
    /* Signature schemes accepted in certificates (signature_algorithms_cert). */
    uint16_t cert_sig_schemes[TENON_MAX_SIG_SCHEMES];
    size_t cert_sig_scheme_count;
    /* ALPN protocol names in preference order (RFC 7301); a server with a list and a client
     * with a disjoint one fails with no_application_protocol. The strings must outlive the
     * connections (tenon_conn_info's alpn points at the one agreed). */
    const char *alpn[TENON_MAX_ALPN];
    size_t alpn_count;

    /* Client: the server's name, sent as SNI (unless it is an IP literal), matched against the
     * certificate (a DNS name against its dNSName SANs, an IP literal against its iPAddress
     * SANs) unless skip_hostname_check is set, and the key of the client's ticket store. */
    const char *server_name;

    /* Peer certificate verification (the client always; the server for client certificates).
     * The peer's chain is accepted in one of these ways, chosen here and checked by
     * tenon_config_check, which refuses contradictory settings in words:
     *   - trust: tenon_x509_verify checks the path to one of its anchors, validity at the time
     *     below, the purpose (serverAuth / clientAuth) and, on a client, the host name
     *     server_name; then verify_fn, if also set, must accept too (see tenon_verify_fn);
     *   - verify_fn alone: the callback decides (certificate pinning, a private PKI ...);
     *   - insecure_skip_verify alone: any chain is accepted (tests and debugging only). It may
     *     not be combined with trust or verify_fn: they would silently be ignored. On a server
     *     any of the three needs client_auth, and client_auth needs one of them.
     * A client with trust or verify_fn needs server_name, unless skip_hostname_check says, on
     * purpose, that no host name is to be checked by tenon (a pinning callback that checks
     * the key instead). server_name may still be set with it, for SNI and tickets; the
     * certificate is then not matched against it, and verify_fn receives it to check itself.
     * skip_hostname_check is a client setting, only with trust or verify_fn.
     * Whatever the mode, the leaf's keyUsage, when present, must allow the use tenon makes of
     * its key: digitalSignature to sign (TLS 1.3, TLS 1.2 ECDHE, client certificates),
     * keyEncipherment for TLS 1.2 RSA key transport; otherwise TENON_ERR_TLS_KEY_USAGE
     * (unsupported_certificate), also with insecure_skip_verify. */
    const tenon_x509_store *trust;
    tenon_verify_fn verify_fn;
    void *verify_user;
    int insecure_skip_verify; /* accept any chain: for tests and debugging only */
    int skip_hostname_check;  /* client: tenon matches no host name (see above) */
    /* Identifies your verify_fn's policy (any bytes, e.g. "pinning-v2"; the view must outlive
     * the config); tickets are only reused under the same id. A session ticket is bound to the
     * verification policy it was obtained under: on a client, the trust anchors (their
     * certificates, DER, in store order: a store reordered or an anchor re-issued, even with
     * the same key, is another policy), whether the host name is checked,
     * insecure_skip_verify, whether verify_fn is set and verify_id; on a server, the same for
     * client certificates. A client offers a ticket only to a configuration with the same
     * policy; a server resumes a client-authenticated session only under the same policy
     * (else both do a full handshake). Nothing that differs between processes (an address) is
     * part of it, so processes sharing ticket keys or a ticket store resume each other's
     * sessions. Give each verify_fn with its own rules its own id: callbacks with the same id
     * (or none) count as one policy. */
    tenon_bytes verify_id;

    /* Certificates and keys. A server needs at least one and picks the first whose key can
     * sign with a scheme the client offers; a client sends the first compatible one when
     * asked. Add them with tenon_config_add_cert, which checks the key matches. */
    tenon_cert_key certs[TENON_MAX_CERT_KEYS];
    size_t cert_count;

    tenon_client_auth client_auth; /* server */

    /* Server: session ticket keys; the first seals new tickets, every one opens. No keys: no
     * tickets. tickets_per_handshake (default 1, at most TENON_MAX_TICKETS_PER_HANDSHAKE)
     * NewSessionTickets are sent after the handshake; ticket_lifetime_s defaults to 7200 and is
     * capped at 604800 (RFC 8446 §4.6.1). TLS 1.3 tickets go only to clients whose
     * psk_key_exchange_modes list psk_dhe_ke, the one mode tenon resumes with (RFC 8446
     * §4.2.9). A ticket is resumed only with the server_name (SNI, compared in any ASCII
     * case; none is a value of its own) of the session it was issued in (RFC 6066 §3); another
     * name gets a full handshake. */
    tenon_ticket_key ticket_keys[TENON_MAX_TICKET_KEYS];
    size_t ticket_key_count;
    unsigned tickets_per_handshake;
    uint32_t ticket_lifetime_s;
    /* Both roles: a session (a full handshake and the resumptions that follow it, each on a
     * ticket of the one before) is resumed only within session_max_age_s seconds of its full
     * handshake (default 604800, 7 days, the cap RFC 8446 §4.6.1 puts on one ticket; 0: never
     * resumed). A server's tickets carry the full handshake's time and their lifetime never
     * outlasts the session; later, a full handshake authenticates the peer again. */
    uint32_t session_max_age_s;

    /* Client: where received tickets go and resumption tickets come from (NULL: none). */
    /* With a store and a server_name, every TLS 1.3 ClientHello announces psk_dhe_ke in
     * psk_key_exchange_modes, ticket or not, so that servers issue tickets (RFC 8446 §4.2.9). */
    tenon_ticket_store *ticket_store;
    /* Server: a TLS 1.2 session cache for resumption by session ID (NULL: none, the default:
     * a full handshake sends an empty session ID). */
    tenon_session_cache *session_cache;

    /* Middlebox compatibility mode (RFC 8446 §D.4), default on. */
    int middlebox_compat;

    /* record_size_limit (RFC 8449): the largest protected record plaintext this side will
     * receive, 64 .. 16385 (TLS 1.3 counts the content type byte: 2^14 + 1 is its maximum,
     * 2^14 TLS 1.2's), or 0 (the default) for none. A client always sends the extension, with
     * this value or, when 0, the protocol's maximum (16385, or 16384 when TLS 1.3 is off), as
     * GnuTLS and Firefox do: so a server with small buffers can ask for small records. A
     * server answers only a client that sent it (in EncryptedExtensions, in a TLS 1.2
     * ServerHello), with this value, or the version's maximum when 0. Once both sent it, each
     * side sends the other records of at most the other's limit (TLS 1.3: limit - 1 bytes of
     * content), and a protected record over our own limit is record_overflow; a limit below
     * 64 is illegal_parameter, and so is a server's above the version's maximum (RFC 8449 §4
     * lets a client refuse it; a client's is taken as the maximum). tenon also cuts its
     * unprotected records (a TLS 1.2 server's first flight, a TLS 1.3 ServerHello) to a
     * client's limit. With a limit set, the incoming buffer may be as small as
     * TENON_CONN_IN_MIN_FOR(limit) (see there for what a small one cannot take). */
    size_t record_size_limit;

    /* Trace and key log (both optional). */
    tenon_trace_fn trace_fn;
    void *trace_user;
    int trace_secrets; /* show secret values in the trace: a knowing choice */
    tenon_keylog_fn keylog_fn;
    void *keylog_user;

    /* Time source; NULL: the system's real-time clock. */
    tenon_time_fn time_fn;
    void *time_user;

    /* Client: ask the server to staple an OCSP response for its certificate (status_request,
     * RFC 6066 §8 / RFC 8446 §4.4.2.1) and its Certificate Transparency SCTs
     * (signed_certificate_timestamp, RFC 6962 §3.3.1). Default 0. What arrives is handed to
     * status_fn and shown in tenon_conn_info; tenon itself does not validate an OCSP response
     * (see tenon_status_fn). A server that staples what was not asked for, sends an empty
     * response or list, or a malformed one fails the handshake (unsupported_extension,
     * decode_error); in TLS 1.2 a CertificateStatus without status_request in the ServerHello
     * is unexpected_message. A server may always leave them out. Client settings: a server
     * with them (or status_fn) set is refused by tenon_config_check; a server staples what
     * its tenon_cert_key holds (the OCSP response: or what its staple_fn chooses). */
    int ocsp_stapling;
    int signed_cert_timestamps;
    tenon_status_fn status_fn; /* client, optional (tenon_status_fn) */
    void *status_user;

    /* Server: the per-connection stapling callback (tenon_staple_fn), optional; a client with
     * it set is refused by tenon_config_check. */
    tenon_staple_fn staple_fn;
    void *staple_user;

    /* Client, optional: chooses the certificate sent when a server asks for one
     * (tenon_client_cert_fn); NULL: tenon's own choice (the first that fits the request). */
    tenon_client_cert_fn client_cert_fn;
    void *client_cert_user;
    /* Server that asks for client certificates: the certificate authorities its
     * CertificateRequest names (TLS 1.3: the certificate_authorities extension, RFC 8446
     * §4.2.4; TLS 1.2: the certificate_authorities field, RFC 5246 §7.4.4), each a DER Name
     * (RFC 5280: the whole SEQUENCE, as a certificate's subject; views that must outlive the
     * config), in order. None, the default: TLS 1.3 sends no extension, TLS 1.2 an empty
     * list. A hint for the client's choice (tenon_cert_request.ca_names): the chain is still
     * checked by trust / verify_fn alone. tenon_config_check refuses empty names, more than
     * TENON_MAX_CA_NAMES, a list over 2^16-1 bytes, and the setting on a client. */
    tenon_bytes client_ca_names[TENON_MAX_CA_NAMES];
    size_t client_ca_name_count;
} tenon_config;

/* Defaults for a role: TLS 1.2 and 1.3; the groups of tenon_config.groups (hybrid
 * post-quantum first: X25519MLKEM768, with a client's first flight sharing X25519MLKEM768 and
 * x25519); TLS 1.3 suites
 * AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305, then the six TLS 1.2 ECDHE AEAD suites; every
 * signature scheme tenon has; extended master secret required; middlebox compatibility on. */
TENON_API void tenon_config_init(tenon_config *cfg, tenon_role role);

/* Adds a certificate chain (leaf first, DER views that must outlive the config) with its
 * private key. TENON_ERR_TLS_CONFIG with *why set if the leaf does not parse, its key is not
 * one tenon signs with, the private key does not match it, or its keyUsage forbids signing
 * (present without digitalSignature: every TLS 1.3 and TLS 1.2 ECDHE peer, and every server
 * a client certificate goes to, would refuse it). why may be NULL. */
TENON_API TENON_MUST_CHECK int tenon_config_add_cert(tenon_config *cfg, const tenon_bytes *chain,
                                                     size_t count, const tenon_private_key *key,
                                                     const char **why);

/* Checks the whole configuration: 0, or TENON_ERR_TLS_CONFIG with a sentence in *why ("no
 * cipher suite configured", "a server needs a certificate", ...). tenon_conn_init calls it. */
TENON_API TENON_MUST_CHECK int tenon_config_check(const tenon_config *cfg, const char **why);

/* ------------------------------------------------------------------------------------------
 * Connection
 * ------------------------------------------------------------------------------------------ */

/* Memory. A connection is its tenon_conn (TENON_CONN_SIZE bytes, exactly sizeof(tenon_conn):
 * 1,152) and the two buffers given to it; tenon allocates nothing. tenon_conn holds the traffic
 * state only: version, suite, each direction's raw key, IV and sequence number (TLS 1.2 CBC: also
 * its MAC key), the application traffic secrets (KeyUpdate), the exporter and resumption
 * secrets or the TLS 1.2 master secret and randoms (one version's, same bytes), the ALPN
 * protocol's index in the config, SNI, the SHA-256 of the peer's leaf,
 * session and ticket bits, flags and counters. Everything only the handshake needs lives in the
 * input buffer's work area (TENON_CONN_HS_SIZE) and is wiped when the handshake completes; the
 * expanded record keys (AES round keys and GHASH tables, about 1 KB per direction) live in the
 * work areas of the two buffers and are recomputed from the raw keys (a few hundred ns per
 * direction) the first time a direction is used after tenon_conn_give_buffers. So an
 * established, idle connection whose buffers were released (tenon_conn_release_buffers) holds
 * exactly TENON_CONN_SIZE bytes of tenon memory. docs/memory.md has the table. */
#define TENON_CONN_SIZE 1152 /* = sizeof(tenon_conn); src/tls/engine.c asserts the figure */

/* Caller-owned; its contents are private to tenon. It needs 16-byte alignment, which any
 * address malloc() returns has; a copy (memcpy, struct assignment) to another such address
 * carries the connection on. */
typedef struct tenon_conn {
    _Alignas(16) uint8_t opaque[TENON_CONN_SIZE];
} tenon_conn;

/* tenon_conn_status() flags. */
#define TENON_WANT_INPUT 0x01u     /* feed network bytes */
#define TENON_HAS_OUTPUT 0x02u     /* tenon_conn_output() has bytes to send */
#define TENON_HANDSHAKE_DONE 0x04u /* application data can flow */
#define TENON_READABLE 0x08u       /* tenon_conn_read() has data */
#define TENON_PEER_CLOSED 0x10u    /* the peer sent close_notify: no more data will come */
#define TENON_CLOSED 0x20u         /* close_notify sent: no more data can be written */
#define TENON_FAILED 0x40u         /* a fatal error: tenon_conn_error() */
#define TENON_NO_BUFFERS 0x80u     /* the buffers were released: give them before feeding */

/* Starts a connection. in/out are the caller's buffers (see TENON_CONN_IN_SIZE), which must
 * outlive the connection; cfg is read, not copied, and must outlive it too. A client's
 * ClientHello is ready in the output at once. Configuration errors: TENON_ERR_TLS_CONFIG (see
 * tenon_config_check). */
TENON_API TENON_MUST_CHECK int tenon_conn_init(tenon_conn *conn, const tenon_config *cfg,
                                               uint8_t *in, size_t in_len, uint8_t *out,
                                               size_t out_len);

/* Bytes from the network. *consumed receives how many were taken (possibly fewer than len:
 * feed the rest later, once tenon_conn_status() asks for input again). Returns 0 or the
 * connection's (sticky) error. The engine holds one record at a time: a record that would make
 * it answer while earlier output is still unsent (a handshake record during the handshake)
 * waits, and is processed once tenon_conn_output_consume() has emptied the output (or at the
 * next call here, len may be 0). Received application data must be read before more input is
 * taken.
 *
 * A close_notify before the handshake is complete fails it with
 * TENON_ERR_TLS_HANDSHAKE_CLOSED (no alert is sent back; tenon_conn_peer_alert() gives
 * close_notify). Records and messages that carry nothing are allowed a limited number of times
 * in a row, then the connection fails with unexpected_message: 32 empty application_data
 * records, 32 TLS 1.3 change_cipher_spec records during the handshake, 32 KeyUpdates,
 * NewSessionTickets, TLS 1.2 HelloRequests and renegotiating ClientHellos (together;
 * tenon_config_check keeps tickets_per_handshake well below), 4 warning alerts (TLS 1.2; TLS 1.3
 * user_canceled). A run ends with a non-empty application_data record, or a handshake message
 * that moves the handshake on. A server that did not accept the client's early data skips at
 * most 16,384 bytes of records it cannot decrypt (RFC 8446 §4.2.10), and none after the first
 * that decrypts or after a second ClientHello: then bad_record_mac. */
TENON_API TENON_MUST_CHECK int tenon_conn_feed(tenon_conn *conn, const uint8_t *data, size_t len,
                                               size_t *consumed);

/* Zero-copy input: network bytes received straight into the engine's input buffer (for example
 * recv(fd, p, cap, 0)) instead of into a buffer of the caller's that tenon_conn_feed then copies.
 *
 * tenon_conn_input_space: *p and *cap receive where the next network bytes go and how many the
 * engine takes now: the rest of the current record's 5-byte header, then the rest of that record
 * (the engine holds one record at a time, so a record takes at least two receives: its header,
 * then its body). *p = NULL and *cap = 0 when it takes none (whenever tenon_conn_status() has no
 * TENON_WANT_INPUT: unread application data, a record waiting for the output to be sent, after
 * the peer's close_notify). Returns 0, the sticky error (with *cap = 0) or TENON_ERR_NO_BUFFERS
 * after tenon_conn_release_buffers. The space is valid until the next call on conn (other than
 * tenon_conn_status); the caller may write anything into it (it is authenticated as a record).
 *
 * tenon_conn_input_commit: the first n bytes of that space now hold network bytes; they are
 * processed as tenon_conn_feed would process them (a record made whole is opened at once, or waits
 * as there). n = 0 is fine (it processes a waiting record, as tenon_conn_feed with len 0 does).
 * n over the *cap just given: TENON_ERR_INVALID_ARGUMENT and nothing changes (not a failure of
 * the connection). Returns 0 or the connection's (sticky) error. Input may go in through either
 * way, mixed at any byte: both put it in the same record buffer. */
TENON_API TENON_MUST_CHECK int tenon_conn_input_space(tenon_conn *conn, uint8_t **p, size_t *cap);
TENON_API TENON_MUST_CHECK int tenon_conn_input_commit(tenon_conn *conn, size_t n);

/* The peer's transport has ended (recv returned 0). Without a prior close_notify this is
 * TENON_ERR_TLS_TRUNCATED (and becomes the sticky error); after one, 0. */
TENON_API TENON_MUST_CHECK int tenon_conn_transport_eof(tenon_conn *conn);

/* The bytes waiting to be sent (*len = 0 if none); valid until the next call on conn. */
TENON_API void tenon_conn_output(tenon_conn *conn, const uint8_t **data, size_t *len);
/* n bytes of the output have been sent. A fatal alert that found the output full when the
 * connection failed is queued here, as soon as there is room for it: keep sending the output
 * of a failed connection until there is none before closing the transport. */
TENON_API void tenon_conn_output_consume(tenon_conn *conn, size_t n);

/* Application data to send, once the handshake is done (TENON_ERR_INVALID_ARGUMENT before):
 * *written receives how many bytes were taken (fewer when the output buffer is full: send the
 * output and call again). Records carry at most 2^14 bytes each. While earlier output is still
 * unsent, data goes only into records as large as they would be in the empty output buffer
 * (2^14 bytes, less in a small buffer or for the last of the data), never into smaller ones cut to
 * the room left, so a transport that takes a few bytes at a time costs no extra records. Some room
 * is always left free for an alert, close_notify or KeyUpdate; a KeyUpdate owed to the peer is sent
 * first, and without room for it *written is 0. */
TENON_API TENON_MUST_CHECK int tenon_conn_write(tenon_conn *conn, const void *data, size_t len,
                                                size_t *written);

/* Application data received: up to cap bytes into buf, *n receives the count (0 if none is
 * ready). After the peer's close_notify and once everything is read, TENON_ERR_TLS_CLOSED;
 * after an error, that error (unread data is not released: it may be truncated). */
TENON_API TENON_MUST_CHECK int tenon_conn_read(tenon_conn *conn, void *buf, size_t cap, size_t *n);

/* Zero-copy reading: the application data received, read in place where the record was
 * decrypted (in the input buffer) instead of copied out by tenon_conn_read.
 *
 * tenon_conn_read_view: *p and *n receive the unread bytes of the current record (*p = NULL,
 * *n = 0 when none is ready); returns what tenon_conn_read would (TENON_ERR_TLS_CLOSED after the
 * peer's close_notify once everything is read; the sticky error after an error, with *n = 0).
 * The view is valid until the next call on conn (other than tenon_conn_status); call again
 * after tenon_conn_read_consume for what is left.
 *
 * tenon_conn_read_consume: n bytes of the view have been read (n = 0 is fine;
 * TENON_ERR_INVALID_ARGUMENT and nothing changes if n is more than *n; the sticky error after an
 * error). While bytes of the view are unread the engine takes no more input over them
 * (tenon_conn_feed consumes nothing) and the buffers cannot be released
 * (tenon_conn_can_release is 0, tenon_conn_release_buffers is TENON_ERR_BUFFERS_BUSY); once
 * all are consumed, the next record is processed at the next tenon_conn_feed (len may be 0).
 * tenon_conn_read and the view may be mixed: both take from the same unread bytes. */
TENON_API TENON_MUST_CHECK int tenon_conn_read_view(tenon_conn *conn, const uint8_t **p,
                                                    size_t *n);
TENON_API TENON_MUST_CHECK int tenon_conn_read_consume(tenon_conn *conn, size_t n);

/* Queues close_notify (RFC 8446 §6.1); nothing more can be written. Without room for it in
 * the output, TENON_ERR_BUFFER_TOO_SMALL and nothing changes (not a failure of the connection):
 * send the output and call again. After an error, that (sticky) error. */
TENON_API TENON_MUST_CHECK int tenon_conn_close(tenon_conn *conn);

/* TENON_* status flags. */
TENON_API unsigned tenon_conn_status(const tenon_conn *conn);

/* The sticky error (0 if none). */
TENON_API int tenon_conn_error(const tenon_conn *conn);

/* The alert the peer sent (AlertDescription) that ended the connection (a fatal one, or
 * close_notify during the handshake), or -1. */
TENON_API int tenon_conn_peer_alert(const tenon_conn *conn);

/* What was negotiated. Valid once the handshake is done; views point into the connection's
 * buffers and stay valid while the connection lives. */
typedef struct tenon_conn_info {
    uint16_t version;    /* TENON_TLS13 or TENON_TLS12 */
    uint16_t suite;      /* TENON_TLS_* */
    uint16_t group;      /* NamedGroup (0 when resumed without (EC)DHE: never, psk_dhe_ke) */
    uint16_t sig_scheme; /* the peer's CertificateVerify (TLS 1.2 server: ServerKeyExchange)
                          * scheme, 0 if it sent none */
    const char *suite_name, *group_name;
    tenon_bytes alpn;        /* the protocol agreed, empty if none (points into the
                              * tenon_config's alpn list) */
    tenon_bytes server_name; /* server: the SNI the client sent; client: what it asked for */
    tenon_bytes peer_chain[TENON_MAX_CHAIN];
    size_t peer_chain_count;
    int resumed;     /* 1 if the handshake resumed a session (a ticket; TLS 1.2: or a session ID) */
    int hello_retry; /* 1 if a HelloRetryRequest took place */
    int client_authenticated; /* server: 1 if the client proved a certificate */
    int ext_master_secret;    /* TLS 1.2: 1 if the extended master secret was used */
    int encrypt_then_mac;     /* TLS 1.2 CBC suites: 1 if encrypt-then-MAC was negotiated */
    /* SHA-256 of the peer's leaf certificate (DER) when has_peer_leaf_hash: the chain's on a
     * full handshake, the session's on a resumed one (carried in the ticket), so a resumed
     * connection names the same peer. Server: only for a client that authenticated
     * (client_authenticated); client: the server's. */
    uint8_t peer_leaf_sha256[32];
    int has_peer_leaf_hash;
    /* Which of this side's certificates (tenon_config.certs, in the order added) it sent and
     * signed with: -1 when it sent none (a resumption, a client not asked or with none that
     * fits the server's request). */
    int cert_index;
    /* Client: what the server stapled in this handshake (tenon_config.ocsp_stapling,
     * signed_cert_timestamps): the OCSPResponse (DER, as received: tenon does not validate it,
     * tenon_status_fn does) and the SignedCertificateTimestampList (RFC 6962 §3.3, checked
     * well-formed). Empty when none was sent, and on a resumed handshake (no certificate, no
     * staple; a TLS 1.2 server's status_request or SCTs on a resumption are ignored, RFC 6962
     * §3.3.1). They are kept with peer_chain, in the connection's input buffer (the
     * handshake-message area, so count them in its size), and stay valid as long as it. */
    tenon_bytes ocsp_response;
    tenon_bytes sct_list;
    /* record_size_limit (RFC 8449), when both sides sent the extension (else both 0):
     * record_size_limit_peer is the peer's limit, which the records this side sends obey (a
     * client's above the version's maximum is taken as the maximum: TLS 1.3 2^14 + 1, counting
     * the content type byte, TLS 1.2 2^14); record_size_limit_ours the limit this side announced
     * (tenon_config.record_size_limit, or the version's maximum when that is 0; a client's
     * above the version's maximum counts as the maximum), over which a protected record from
     * the peer is record_overflow. */
    uint16_t record_size_limit_peer, record_size_limit_ours;
} tenon_conn_info;

TENON_API TENON_MUST_CHECK int tenon_conn_info_get(const tenon_conn *conn, tenon_conn_info *info);

/* What the peer offered in its hello, to explain a failed negotiation (TENON_ERR_TLS_NO_COMMON_*,
 * TENON_ERR_TLS_EMS_REQUIRED, ...) without a packet capture. Each list holds the first
 * TENON_OFFER_MAX entries in the peer's order, code points as sent (GREASE and ones tenon does
 * not know included); its count is of all the entries, so count > TENON_OFFER_MAX means the
 * list was cut.
 * - A server sees the client's ClientHello (the second one after a HelloRetryRequest):
 *   versions from supported_versions (empty without it: then legacy_version is the client's
 *   version), suites, groups (supported_groups), key_shares (the groups of its key_share
 *   entries), sig_schemes (signature_algorithms), ext_master_secret and
 *   secure_renegotiation (renegotiation_info or the SCSV).
 * - A client sees the server's choice in its ServerHello (or HelloRetryRequest): the one version
 *   (supported_versions, else legacy_version), the one suite, groups: the group of its key share
 *   or the HelloRetryRequest's selected group, key_shares: the key share's group, and for
 *   TLS 1.2 ext_master_secret and secure_renegotiation; sig_schemes stays empty. */
#define TENON_OFFER_MAX 16
#define TENON_OFFER_ALPN_MAX 48
typedef struct tenon_peer_offer {
    uint16_t legacy_version; /* legacy_version (client_version / server_version) */
    uint16_t versions[TENON_OFFER_MAX];
    size_t version_count;
    uint16_t suites[TENON_OFFER_MAX];
    size_t suite_count;
    uint16_t groups[TENON_OFFER_MAX];
    size_t group_count;
    uint16_t key_shares[TENON_OFFER_MAX];
    size_t key_share_count;
    uint16_t sig_schemes[TENON_OFFER_MAX];
    size_t sig_scheme_count;
    int ext_master_secret;    /* extended_master_secret (RFC 7627) was in the hello */
    int secure_renegotiation; /* renegotiation_info (or the SCSV) was (RFC 5746) */
    /* Server: the client's ALPN offer (RFC 7301 §3.1), its ProtocolNameList as sent: the
     * protocol names, each with its 1-byte length, without the list's own 2-byte length (the
     * bytes OpenSSL's and BoringSSL's ALPN select callbacks get). alpn_len is the whole list's
     * length, of which the first TENON_OFFER_ALPN_MAX bytes are kept (alpn_len >
     * TENON_OFFER_ALPN_MAX: cut). 0 without the extension, and on a client. */
    uint8_t alpn[TENON_OFFER_ALPN_MAX];
    size_t alpn_len;
} tenon_peer_offer;

/* Fills offer once the peer's hello has been parsed (also, and mainly, after the handshake
 * failed); TENON_ERR_INVALID_ARGUMENT before that (nothing received yet, or a hello too
 * malformed to read), and once the buffers were released (tenon_conn_release_buffers): the
 * offer is kept in the input buffer's work area. */
TENON_API TENON_MUST_CHECK int tenon_conn_peer_offer(const tenon_conn *conn,
                                                     tenon_peer_offer *offer);

/* Sends a KeyUpdate (RFC 8446 §4.6.3) and switches to the next sending key; with
 * request_peer_update the peer is asked to update its own. TLS 1.3 only (a TLS 1.2 connection
 * gets TENON_ERR_INVALID_ARGUMENT). Without room for it in the output,
 * TENON_ERR_BUFFER_TOO_SMALL and nothing changes: send the output and call again. */
TENON_API TENON_MUST_CHECK int tenon_conn_key_update(tenon_conn *conn, int request_peer_update);

/* TLS-Exporter(label, context, len) (RFC 8446 §7.5); context may be NULL for an empty one. On
 * TLS 1.2, the RFC 5705 exporter, where NULL (no context) and an empty context differ; refused
 * (TENON_ERR_INVALID_ARGUMENT) on a TLS 1.2 connection without the extended master secret,
 * whose exported values a man in the middle can make equal on two connections (RFC 7627). */
TENON_API TENON_MUST_CHECK int tenon_conn_export(const tenon_conn *conn, const char *label,
                                                 const uint8_t *context, size_t context_len,
                                                 uint8_t *out, size_t len);

/* The tls-unique channel binding (RFC 5929 §3.1) of a TLS 1.2 connection: "the first Finished
 * message sent ... in the most recent TLS handshake", its verify_data (12 bytes): the client's
 * on a full handshake, the server's on a resumption (tenon never renegotiates, so the
 * handshake is the connection's only one). Writes it to out (cap >= 12) and sets *len = 12.
 * TENON_ERR_INVALID_ARGUMENT before the handshake is complete; on TLS 1.3, which has no
 * tls-unique (RFC 9266 binds TLS 1.3 with the exporter instead: tenon_conn_export with label
 * "EXPORTER-Channel-Binding", no context, 32 bytes); and on a resumption without the extended
 * master secret, where a man in the middle can give two connections the same master secret
 * and then the same Finished (RFC 7627's triple handshake), as BoringSSL refuses it.
 * TENON_ERR_BUFFER_TOO_SMALL if cap < 12. */
TENON_API TENON_MUST_CHECK int tenon_conn_tls_unique(const tenon_conn *conn, uint8_t *out,
                                                     size_t cap, size_t *len);

/* Buffers that come and go. An established connection that holds no bytes in its buffers (no
 * partial record or handshake message received, no unread application data, no unsent output,
 * no alert owed) can give both of them back to the caller, who gives them (or others of at least
 * the minimum sizes) again before the next tenon_conn_feed, tenon_conn_write, tenon_conn_close or
 * tenon_conn_key_update. A server so keeps a pool of buffers sized to its active connections, not
 * its open ones: an idle connection costs only its tenon_conn.
 *
 * tenon_conn_can_release: 1 when tenon_conn_release_buffers would succeed now, else 0.
 *
 * tenon_conn_release_buffers: *in, *in_len, *out, *out_len receive the buffers given to
 * tenon_conn_init or tenon_conn_give_buffers, wiped: every byte tenon wrote into them since they
 * were given is zero again (bytes it never touched are left as they were, so a large pooled
 * buffer costs a release only what the connection used of it). The connection then holds none: its status
 * has TENON_NO_BUFFERS (and TENON_WANT_INPUT while it expects data: watch the transport, and
 * give buffers when it is readable); feed, write, close and key_update return
 * TENON_ERR_NO_BUFFERS (not a failure of the connection), read gives 0 bytes, output is empty;
 * info, export and tls_unique work as before. The engine refuses to let go of buffers that hold
 * bytes, or before the handshake is complete: TENON_ERR_BUFFERS_BUSY, and nothing changes. The
 * handshake's state, wiped when the handshake completed, was in the input buffer; the expanded
 * record keys go with both buffers (tenon_conn keeps the raw ones and expands them again after
 * tenon_conn_give_buffers); the peer's certificate chain (and what it stapled) and its hello
 * (tenon_conn_peer_offer) go with the input buffer: from then on tenon_conn_info's peer_chain,
 * ocsp_response and sct_list are empty and tenon_conn_peer_offer fails, while peer_leaf_sha256
 * and everything else stay. Releasing buffers that were already released is
 * TENON_ERR_NO_BUFFERS.
 *
 * tenon_conn_give_buffers: hands buffers to a connection that has none (TENON_ERR_INVALID_ARGUMENT
 * if it holds some; TENON_ERR_BUFFER_TOO_SMALL below TENON_CONN_IN_MIN / TENON_CONN_OUT_MIN; the
 * sticky error of a failed connection). They must outlive the connection or the next release. */
TENON_API int tenon_conn_can_release(const tenon_conn *conn);
TENON_API TENON_MUST_CHECK int tenon_conn_release_buffers(tenon_conn *conn, uint8_t **in,
                                                          size_t *in_len, uint8_t **out,
                                                          size_t *out_len);
TENON_API TENON_MUST_CHECK int tenon_conn_give_buffers(tenon_conn *conn, uint8_t *in, size_t in_len,
                                                       uint8_t *out, size_t out_len);

/* Wipes every secret the connection holds, and its two buffers (they hold plaintext). */
TENON_API void tenon_conn_wipe(tenon_conn *conn);

/* ------------------------------------------------------------------------------------------
 * Blocking socket adapter (src/io): drives an engine over a connected socket fd with poll(2).
 * timeout_ms bounds each call as a whole (a negative value: no bound), however the peer paces
 * its bytes; a timeout or a socket error is TENON_ERR_FILE_IO, the peer's EOF without
 * close_notify TENON_ERR_TLS_TRUNCATED, and TLS errors are the engine's. Whenever a call
 * fails, what the engine queued (its alert) is sent before it returns, within the same
 * timeout; close the socket after that. (A socket closed with input still unread, such as the
 * rest of the peer's flight after a failure, makes TCP reset the connection, which can destroy
 * the alert before the peer reads it: shutdown(fd, SHUT_WR) and read until EOF for a short,
 * bounded while first, as the tenon tool does.) Nothing is buffered outside the engine (input
 * is read with MSG_PEEK and removed only once the engine took it).
 * ------------------------------------------------------------------------------------------ */

/* Runs the handshake to completion. Calling it is optional: tenon_io_write and tenon_io_read
 * on a connection whose handshake is unfinished complete it first, within their own timeout, as
 * SSL_write and SSL_read do (a handshake that fails makes them return its error). */
TENON_API TENON_MUST_CHECK int tenon_io_handshake(tenon_conn *conn, int fd, int timeout_ms);
/* Writes all len bytes (and flushes them), after completing an unfinished handshake. */
TENON_API TENON_MUST_CHECK int tenon_io_write(tenon_conn *conn, int fd, const void *data,
                                              size_t len, int timeout_ms);
/* Reads at least 1 byte, at most cap (*n), completing an unfinished handshake on the way;
 * after the peer's close_notify, TENON_ERR_TLS_CLOSED. */
TENON_API TENON_MUST_CHECK int tenon_io_read(tenon_conn *conn, int fd, void *buf, size_t cap,
                                             size_t *n, int timeout_ms);
/* Sends close_notify and flushes it (first the output queued before, if close_notify needed
 * its room). */
TENON_API TENON_MUST_CHECK int tenon_io_close(tenon_conn *conn, int fd, int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif
