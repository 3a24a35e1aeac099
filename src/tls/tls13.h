/*
 * Internal: the TLS 1.3 engine's connection state and the interfaces between its files.
 *
 *   engine.c          the public connection API, record framing, alerts, the state table
 *   provider.c        cipher suites, signature schemes and groups as data; error → alert
 *   config.c          configuration defaults and checks
 *   extensions.c      the extension table (which message may carry what) and block parser
 *   ext_*.c           one file per extension: its struct, writer and parser
 *   hs_*.c            one file per handshake message: send and receive sides together
 *   ticket.c          sealing and opening session tickets (server); what binds a session to
 *                     a verification policy and limits its age (both sides)
 *   client_cert.c     the client's certificate for a CertificateRequest (tenon's choice or
 *                     tenon_config.client_cert_fn's) and its certificate_authorities list
 *                     (parsed by the client, written by the server), both versions
 *
 * Parsers (hs_*_parse, ext_*_parse) read the RFC's structs into views and decide nothing; the
 * handlers (hs_*_recv) hold the policy.
 */
#ifndef TENON_TLS_TLS13_H
#define TENON_TLS_TLS13_H

#include <stddef.h>
#include <stdint.h>

#include "tenon/crypto.h"
#include "tenon/tls.h"
#include "tenon/x509.h"

#include "../common.h"
#include "codec.h"
#include "hs_reassembly.h"
#include "hs12.h"
#include "keyschedule.h"
#include "keyschedule12.h"
#include "record.h"
#include "record12.h"
#include "trace.h"
#include "transcript.h"

/* HandshakeType (RFC 8446 §4; RFC 5246 §7.4 for the TLS 1.2 ones). */
enum {
    HS_HELLO_REQUEST = 0,
    HS_CLIENT_HELLO = 1,
    HS_SERVER_HELLO = 2,
    HS_NEW_SESSION_TICKET = 4,
    HS_END_OF_EARLY_DATA = 5,
    HS_ENCRYPTED_EXTENSIONS = 8,
    HS_CERTIFICATE = 11,
    HS_SERVER_KEY_EXCHANGE = 12,
    HS_CERTIFICATE_REQUEST = 13,
    HS_SERVER_HELLO_DONE = 14,
    HS_CERTIFICATE_VERIFY = 15,
    HS_CLIENT_KEY_EXCHANGE = 16,
    HS_FINISHED = 20,
    HS_CERTIFICATE_STATUS = 22, /* TLS 1.2 (RFC 6066 §8) */
    HS_KEY_UPDATE = 24,
    HS_MESSAGE_HASH = 254,
};

/* ExtensionType (RFC 8446 §4.2). */
enum {
    EXT_SERVER_NAME = 0,
    EXT_SUPPORTED_GROUPS = 10,
    EXT_SIGNATURE_ALGORITHMS = 13,
    EXT_ALPN = 16,
    EXT_PRE_SHARED_KEY = 41,
    EXT_EARLY_DATA = 42,
    EXT_SUPPORTED_VERSIONS = 43,
    EXT_COOKIE = 44,
    EXT_PSK_KEY_EXCHANGE_MODES = 45,
    EXT_CERTIFICATE_AUTHORITIES = 47,
    EXT_SIGNATURE_ALGORITHMS_CERT = 50,
    EXT_KEY_SHARE = 51,
    /* TLS 1.2 */
    EXT_EC_POINT_FORMATS = 11,
    EXT_ENCRYPT_THEN_MAC = 22,
    EXT_EXTENDED_MASTER_SECRET = 23,
    EXT_SESSION_TICKET = 35,
    EXT_RENEGOTIATION_INFO = 0xff01,
    /* Certificate status: RFC 6066 §8 / RFC 8446 §4.4.2.1, and RFC 6962 §3.3.1 */
    EXT_STATUS_REQUEST = 5,
    EXT_SIGNED_CERTIFICATE_TIMESTAMP = 18,
    EXT_RECORD_SIZE_LIMIT = 28, /* RFC 8449 §4, both versions */
};

/* The extensions tenon knows, as bit indexes (tls_exts.seen). */
enum {
    X_SERVER_NAME,
    X_SUPPORTED_GROUPS,
    X_SIGNATURE_ALGORITHMS,
    X_ALPN,
    X_PRE_SHARED_KEY,
    X_EARLY_DATA,
    X_SUPPORTED_VERSIONS,
    X_COOKIE,
    X_PSK_KEY_EXCHANGE_MODES,
    X_CERTIFICATE_AUTHORITIES,
    X_SIGNATURE_ALGORITHMS_CERT,
    X_KEY_SHARE,
    X_EC_POINT_FORMATS, /* TLS 1.2 from here */
    X_ENCRYPT_THEN_MAC,
    X_EXTENDED_MASTER_SECRET,
    X_SESSION_TICKET,
    X_RENEGOTIATION_INFO,
    X_STATUS_REQUEST, /* both versions (stapling.c) */
    X_SCT,
    X_RECORD_SIZE_LIMIT, /* both versions (record_limit.c) */
    X_COUNT
};

/* Messages that carry extensions (RFC 8446 §4.2's table columns). */
enum {
    M_CH = 1u << 0,
    M_SH = 1u << 1,
    M_HRR = 1u << 2,
    M_EE = 1u << 3,
    M_CT = 1u << 4,
    M_CR = 1u << 5,
    M_NST = 1u << 6,
    M_SH12 = 1u << 7, /* a TLS 1.2 ServerHello */
};

/* A parsed extension block: the body of each known extension present. */
typedef struct tls_exts {
    uint32_t seen; /* 1u << X_* */
    cursor body[X_COUNT];
    size_t count;    /* extensions in the block, known or not */
    int psk_is_last; /* pre_shared_key was the last extension (RFC 8446 §4.2.11) */
} tls_exts;

/* Parses Extension extensions<..> for message msg (M_*): any type twice (known or not) is
 * decode_error before anything else is checked, a known one the message may not carry is
 * illegal_parameter, an unknown one is ignored in a ClientHello, CertificateRequest,
 * Certificate entry and NewSessionTicket (§4.2, §4.6.1) and unsupported_extension elsewhere.
 * The whole block must be consumed. */
TENON_MUST_CHECK int tls_exts_parse(cursor *c, unsigned msg, size_t min_len, tls_exts *out);
/* After a parse with several M_* bits (a ServerHello before its version is known): every
 * extension seen must be allowed in msg, else err. */
TENON_MUST_CHECK int tls_exts_allowed(const tls_exts *e, unsigned msg, int err);

/* A cipher suite: AEAD, key length and the transcript hash. */
typedef struct tls_suite {
    uint16_t id;
    const char *name;
    const tenon_hash_class *hash;
    const tenon_aead_class *(*aead)(void);
    size_t key_len;
} tls_suite;

/* A signature scheme: the hash and the key type it binds (TLS 1.3 binds the curve too). */
typedef struct tls_sig_scheme {
    uint16_t id;
    const char *name;
    const tenon_hash_class *hash; /* NULL for Ed25519, which signs the content itself */
    tenon_key_type key_type;
    tenon_ec_curve curve; /* EC only */
    int rsa_pss;          /* 1: RSASSA-PSS, 0: PKCS#1 v1.5 (certificates only) */
} tls_sig_scheme;

const tls_suite *tls_suite_find(uint16_t id);
const tls_sig_scheme *tls_sig_scheme_find(uint16_t id);
const tenon_kex_class *tls_group_find(uint16_t id);
/* 1 if the private key can make signatures of scheme s (RFC 8446 §4.2.3). */
int tls_sig_scheme_fits(const tls_sig_scheme *s, const tenon_private_key *key);
/* The schemes this side signs with, in preference order: cfg->sign_schemes, or cfg->sig_schemes
 * when that list is empty. */
const uint16_t *tls_sign_schemes(const tenon_config *cfg, size_t *count);
/* The schemes certificate ck signs with: its own sign_schemes, or tls_sign_schemes(cfg). */
const uint16_t *tls_cert_sign_schemes(const tenon_config *cfg, const tenon_cert_key *ck,
                                      size_t *count);

/* A TLS 1.2 cipher suite (RFC 5246 §A.5). */
typedef enum tls12_kx {
    TLS12_KX_ECDHE_ECDSA = 1,
    TLS12_KX_ECDHE_RSA,
    TLS12_KX_RSA, /* RSA key transport: no forward secrecy, legacy */
} tls12_kx;
typedef enum tls12_rec { TLS12_REC_GCM = 1, TLS12_REC_CHACHA, TLS12_REC_CBC } tls12_rec;
typedef struct tls12_suite {
    uint16_t id;
    const char *name;
    tls12_kx kx;
    const tenon_hash_class *prf; /* PRF and Finished hash (RFC 5246 §5) */
    tls12_rec rec;
    const tenon_aead_class *(*aead)(void); /* AEAD suites */
    size_t key_len;
    const tenon_hash_class *mac; /* CBC suites: the HMAC hash */
    size_t fixed_iv_len;
    int legacy; /* never in the defaults */
} tls12_suite;

const tls12_suite *tls12_suite_find(uint16_t id);
/* The certificate key type a suite authenticates with (RSA for RSA key transport too). */
tenon_key_type tls12_suite_key_type(const tls12_suite *s);
/* 1 if signature scheme id has key type t (TLS 1.2: ECDSA schemes fit any curve). */
int tls12_scheme_fits_key(uint16_t id, tenon_key_type t);
/* 1 if a certificate key of type key serves a suite authenticated by auth
 * (tls12_suite_key_type): the same type, or Ed25519 for ECDHE_ECDSA. */
int tls12_auth_takes_key(tenon_key_type auth, tenon_key_type key);

/* 1 if version (TENON_TLS13 or TENON_TLS12) is enabled and has a suite configured. */
int tls_version_on(const tenon_config *cfg, uint16_t version);
/* 1 if the certificate's leaf allows its key every use in ku (TENON_KU_*; config.c). */
int tls_cert_key_usage_allows(const tenon_cert_key *ck, uint32_t ku);

/* Connection states: what the engine waits for. */
typedef enum tls_state {
    ST_C_WAIT_SH = 1,
    ST_C_WAIT_EE,
    ST_C_WAIT_CERT_CR,
    ST_C_WAIT_CERT,
    ST_C_WAIT_CV,
    ST_C_WAIT_FINISHED,
    ST_S_WAIT_CH,
    ST_S_WAIT_CH2, /* after HelloRetryRequest */
    ST_S_WAIT_CERT,
    ST_S_WAIT_CV,
    ST_S_WAIT_FINISHED,
    /* TLS 1.2 (RFC 5246 §7.3) */
    ST_C12_WAIT_CERT,
    ST_C12_WAIT_STATUS, /* CertificateStatus, which the server may leave out (RFC 6066 §8) */
    ST_C12_WAIT_SKE,
    ST_C12_WAIT_CR_SHD, /* CertificateRequest or ServerHelloDone */
    ST_C12_WAIT_SHD,
    ST_C12_WAIT_NST,
    ST_C12_WAIT_CCS,
    ST_C12_WAIT_FINISHED,
    ST_S12_WAIT_CERT,
    ST_S12_WAIT_CKE,
    ST_S12_WAIT_CV,
    ST_S12_WAIT_CCS,
    ST_S12_WAIT_FINISHED,
    ST_CONNECTED,
} tls_state;

/* TLS 1.2 record protection of one direction: AEAD or CBC + HMAC. on: keys in force (set at
 * change_cipher_spec; the keys are installed when the key block is derived). */
typedef struct tls12_dir {
    uint8_t on, cbc;
    union {
        tls12_record_keys aead;
        tls12_cbc_keys cbc;
    } u;
} tls12_dir;

#define TLS_MAX_PEER_SIGS 32

/* What the peer offered in its hello (tenon_conn_peer_offer; peer_offer.c): the first
 * TENON_OFFER_MAX code points of each list and the count of all. */
enum { OFFER_VERSIONS, OFFER_SUITES, OFFER_GROUPS, OFFER_SHARES, OFFER_SIGS, OFFER_LISTS };
typedef struct tls_offer {
    uint8_t seen, ems, reneg;
    uint16_t legacy_version;
    uint16_t count[OFFER_LISTS];
    uint16_t list[OFFER_LISTS][TENON_OFFER_MAX];
    uint16_t alpn_len; /* the client's ProtocolNameList: its length, its first bytes */
    uint8_t alpn[TENON_OFFER_ALPN_MAX];
} tls_offer;
#define TLS_SESSION_ID_LEN 32
/* Bytes of records (headers included) a server skips as rejected early data (RFC 8446
 * §4.2.10: "up to the configured max_early_data_size"; tenon never accepts early data). */
#define TLS_EARLY_DATA_SKIP_LIMIT 16384

/* The largest share of a Diffie-Hellman group (secp384r1's point): TLS 1.2 ECDHE. */
#define TLS_DH_MAX_SHARE 97

/* What only the handshake needs (moved out of tls_conn, field for field): it lives in the work
 * area at the start of the input buffer (tls_conn.hs) and is wiped when the handshake ends. */
typedef struct tls_hs {
    tls_transcript tx;
    tls13_schedule ks;
    /* client_ and server_handshake_traffic_secret; once a direction's keys are installed
     * (tls_install_handshake_read/write), that secret's finished_key in its place. */
    uint8_t c_hs[TLS13_MAX_HASH];
    uint8_t s_hs[TLS13_MAX_HASH];
    const tenon_kex_class *kex_offer[TENON_MAX_KEY_SHARES];
    size_t kex_offer_count;
    union {
        uint8_t kex_priv[TENON_MAX_KEY_SHARES][TENON_KEX_MAX_PRIVATE_LEN];
        uint8_t kex_pub12[TLS_DH_MAX_SHARE];
    };
    const tenon_kex_class *hrr_group; /* the group a HelloRetryRequest asked for */
    const uint8_t *cookie;            /* client: the HelloRetryRequest's cookie, a view into
                                       * the input valid while ClientHello2 is written */
    size_t cookie_len;
    uint16_t our_sig_scheme;
    uint16_t peer_sigs[TLS_MAX_PEER_SIGS]; /* the peer's signature_algorithms */
    size_t peer_sig_count;
    tenon_public_key peer_key;
    uint8_t cr_context[255]; /* client: the CertificateRequest's context */
    size_t cr_context_len;
    uint8_t psk[TLS13_MAX_HASH];
    size_t psk_len;
    const tls_suite *psk_suite; /* client: the suite of the ticket offered */
    tenon_ticket *ticket;       /* client: the ticket offered */
    uint8_t resume_has_leaf;
    uint8_t resume_leaf[32];
    uint8_t client_psk_dhe;  /* server: the client's psk_key_exchange_modes list psk_dhe_ke */
    uint8_t ch1_psk_fits;    /* server: the first ClientHello offered one of our tickets of the
                              * suite's hash (before a HelloRetryRequest) */
    uint16_t client_version; /* server: the ClientHello's legacy_version */
    /* Server: the OCSP response this full handshake staples (tls_choose_ocsp), empty: none. */
    tenon_bytes our_ocsp;
    /* Test-only injection (tls_test_inject): random and ephemeral private key. */
    const uint8_t *test_random;
    const uint8_t *test_kex_priv;
    const uint8_t *test_server_msgs; /* EncryptedExtensions .. CertificateVerify, verbatim */
    size_t test_server_msgs_len;
    uint8_t client_random[32], server_random[32];
    /* Client: what the ClientHello sent, then (TLS 1.2) what the ServerHello named. Server
     * (TLS 1.2): the session's ID (tls12_session_cache_keep). */
    uint8_t session_id[TLS_SESSION_ID_LEN];
    size_t session_id_len;
    /* Randomness drawn ahead (tls_random), from the process's reserve (tls_random_reserve):
     * a handshake's random, session ID and ephemeral keys take bytes from its end, which are
     * wiped as they go, so a handshake makes no getrandom call of its own (one in 21 refills
     * the reserve) instead of one per item. (A process that
     * forks in the middle of a handshake duplicates the pool with the rest of the handshake's
     * state, its ephemeral keys included: a connection must not go on in both copies.) */
    uint8_t rnd_pool[192];
    size_t rnd_left;
} tls_hs;

/* What the peer showed in its handshake (tenon_conn_peer_offer, tenon_conn_info's chain and
 * staples): views into the input buffer, kept in its work area after tls_hs (tls_conn.peer)
 * until the buffers are released. */
typedef struct tls_peer {
    tenon_bytes peer_chain[TENON_MAX_CHAIN];
    size_t peer_chain_count;
    tls_offer offer; /* the peer's hello, for explaining a failed negotiation */
    tenon_bytes peer_ocsp, peer_scts;
} tls_peer;

typedef struct tls_conn {
    uint32_t magic;
    const tenon_config *cfg;
    int is_client;
    tls_state state;
    int error;      /* sticky; 0 while healthy */
    int peer_alert; /* -1 none */
    tls_trace trace;
    tls_hs *hs;     /* the handshake state (input work area); NULL once the handshake ended */
    tls_peer *peer; /* the peer's hello and chain views (input work area); NULL once released */

    /* Incoming: in[0, rec_cap) gathers one record; in[rec_cap, in_cap) is the reassembly
     * buffer for handshake messages split over records, whose last peer_cert_len bytes keep
     * the peer's Certificate message once received (tenon_conn_info shows the chain), and
     * below it a TLS 1.2 server's SCT list and OCSP response (tls_keep_peer_bytes). */
    uint8_t *in;
    size_t in_cap, rec_cap, rec_len;
    tls_hs_reasm reasm;
    size_t peer_cert_len;
    const uint8_t *app; /* decrypted application data not yet read */
    size_t app_len;
    /* Outgoing: out[out_sent, out_len) waits to be sent. */
    uint8_t *out;
    size_t out_cap, out_len, out_sent;
    size_t hs_open;     /* handshake bytes written after out_len + 5, not yet framed */
    uint16_t hs_legacy; /* their records' legacy_record_version */

    /* The version: 0 until the ServerHello, then TENON_TLS13 or TENON_TLS12. Record protection
     * is TLS 1.3's rd/wr or TLS 1.2's rd12/wr12, never both: they share memory. */
    uint16_t version;
    union {
        struct {
            tls_record_keys rd, wr;
        };
        struct {
            tls12_dir rd12, wr12;
        };
    };
    const tls_suite *suite;
    const tls12_suite *suite12;
    /* The secrets kept after the handshake: TLS 1.3's or TLS 1.2's, never both (the version
     * decides; neither is written before the ServerHello). */
    union {
        struct {
            uint8_t c_ap[TLS13_MAX_HASH]; /* client_application_traffic_secret_N */
            uint8_t s_ap[TLS13_MAX_HASH];
            uint8_t exporter[TLS13_MAX_HASH];
            uint8_t resumption[TLS13_MAX_HASH];
        };
        struct {
            uint8_t master[TLS12_MASTER_LEN]; /* also the RFC 5705 exporter's secret */
            /* client_random + server_random, copied from tls_hs as the handshake completes
             * (tls_enter_traffic): the RFC 5705 exporter's seed. */
            uint8_t randoms12[64];
        };
    };

    /* Key exchange. kex: the group negotiated (a client: once the ServerHello names it).
     * A TLS 1.3 client keeps the private keys of the shares its ClientHello offered
     * (kex_offer[i]: kex_priv[i]) until the ServerHello, and wipes them all then; the shares
     * themselves went into the ClientHello and are not kept (a HelloRetryRequest with a cookie
     * alone has them recomputed). A TLS 1.3 server keeps nothing (encapsulate). TLS 1.2: slot 0
     * holds the ECDHE private key (a server's, until the ClientKeyExchange), and a client's
     * public key waits in kex_pub12 for its ClientKeyExchange. */
    const tenon_kex_class *kex;

    /* Authentication. */
    const tenon_cert_key *cert; /* ours, when we sign */
    uint16_t peer_sig_scheme;

    /* Negotiated. alpn: 0 none, else 1 + the index in cfg->alpn of the protocol agreed (a
     * server picks from its list, a client accepts only one it offered; tls_alpn). */
    uint8_t alpn;
    char sni[TENON_MAX_SERVER_NAME + 1];
    size_t sni_len;

    /* Resumption. */
    unsigned tickets_sent;
    /* The session across resumptions (ticket.c). resume_*: what the resumed session's ticket
     * (client: the one offered) says of its full handshake's time and the peer's leaf. */
    uint8_t policy[32]; /* tls_policy: our verification policy's digest, once computed */
    uint8_t policy_set;
    int64_t start_ms; /* when this handshake began (its first ClientHello) */
    int64_t resume_auth_ms;

    /* TLS 1.2. */
    uint8_t ems, etm;             /* extended master secret, encrypt-then-MAC negotiated */
    uint8_t offered_ticket12;     /* client: a TLS 1.2 ticket was offered */
    uint8_t offered_session_id12; /* client: a TLS 1.2 session ID was offered */
    uint8_t ticket12_ok;          /* client sent session_ticket / server promised a ticket */
    uint8_t reneg_ok;             /* the peer sent renegotiation_info or the SCSV */
    uint8_t peer_point_formats;   /* server: the client sent ec_point_formats */
    uint8_t sent_etm, sent_ems;   /* client: offered */
    uint8_t warnings;             /* TLS 1.2 warning alerts received */
    tenon_ticket *held_ticket;    /* client: a store slot held (in_use 2) by this conn */
    uint8_t resumed_auth;         /* resumed a session whose client had authenticated */
    uint8_t pending_ticket12;     /* client: held_ticket is a new ticket, usable once the
                                   * server's Finished is verified */

    /* Flags. */
    uint8_t hrr, resumed, ccs_sent, cert_requested, client_cert_sent, peer_sent_cert;
    uint8_t sent_sni, sent_alpn, sent_psk;
    uint8_t read_key_changed; /* a handler changed the read keys: the record must end here */
    uint8_t skip_early_data;  /* server: the client offered 0-RTT, which is ignored */
    size_t early_data_budget;
    uint8_t sent_close, peer_closed;
    uint8_t key_update_pending; /* owe the peer a KeyUpdate (update_not_requested) */
    /* Flood limits (engine.c, note_progress): records and messages that carry nothing, in a
     * row. */
    uint8_t empty_run;  /* empty application_data records */
    uint8_t ccs_run;    /* TLS 1.3 change_cipher_spec records dropped */
    uint8_t idle_run;   /* KeyUpdate, HelloRequest, refused renegotiation */
    uint8_t alert_owed; /* a fatal alert found no room: sent once the output drains */
    uint8_t owed_desc;

    /* Proof flags (STYLE.md 9): each set by exactly one function, checked by
     * tls_enter_traffic. */
    uint8_t cert_verified;      /* proof_cert_chain */
    uint8_t signature_verified; /* proof_certificate_verify */
    uint8_t finished_verified;  /* proof_finished */

    /* OCSP stapling and SCTs (stapling.c). Server: what the client's hello asked for; client:
     * what our ClientHello asked for, whether a TLS 1.2 server acknowledged status_request, and
     * the views of what the server stapled (kept with the peer's chain in the input buffer). */
    uint8_t ocsp_asked, sct_asked, ocsp_acked;

    /* TLS 1.2: the verify_data of the handshake's first Finished, sent or received
     * (tenon_conn_tls_unique, RFC 5929 §3.1); tls_unique_len 0 until then. */
    uint8_t tls_unique[12];
    uint8_t tls_unique_len;

    /* The peer's leaf hash (tls_peer_leaf), kept once the handshake is complete: the chain it
     * comes from goes with the input buffer (tenon_conn_release_buffers). */
    uint8_t peer_leaf[32];
    uint8_t peer_leaf_kept, has_peer_leaf;

    /* record_size_limit (RFC 8449; record_limit.c). rsl_sent: client, the limit its ClientHello
     * announced. Once negotiated, rsl_peer is the peer's limit (records we send obey it) and
     * rsl_recv ours (a protected record above it is record_overflow); 0 before and without. */
    uint16_t rsl_sent, rsl_peer, rsl_recv;

    /* What tenon_conn_release_buffers wipes besides the work areas: the extent of the record
     * area and of the output written since the buffers were given (high-water marks), and
     * whether the reassembly area held a message split over records. */
    uint32_t in_used, out_used;
    uint8_t reasm_used;
    /* The record being gathered starts at in + rec_off (0..15, chosen as it starts: rec_start
     * in engine.c puts a TLS 1.3 protected record's body on a 16-byte boundary). */
    uint8_t rec_off;
} tls_conn;

#define TLS_CONN_MAGIC 0x544e4f4eu

/* The input buffer's work area (TENON_CONN_HS_SIZE bytes at its start; engine.c): from its first
 * 16-byte boundary, tls_hs, tls_peer and the read direction's expanded keys, each 16-byte
 * aligned. The output buffer's (TENON_CONN_KEYS_SIZE bytes) holds the write direction's. */
#define TLS_ALIGN16(n) (((n) + 15u) & ~(size_t)15u)
#define TLS_WORK_HS 0
#define TLS_WORK_PEER TLS_ALIGN16(sizeof(tls_hs))
#define TLS_WORK_RD_KEYS (TLS_WORK_PEER + TLS_ALIGN16(sizeof(tls_peer)))
#define TLS_WORK_END (TLS_WORK_RD_KEYS + TLS_ALIGN16(sizeof(tls_keys_ctx)))
static inline uint8_t *tls_work_align(uint8_t *p)
{
    return p + ((16u - ((uintptr_t)p & 15u)) & 15u);
}

static inline tls_conn *tls_conn_of(tenon_conn *c)
{
    return (tls_conn *)(void *)c->opaque;
}
static inline const tls_conn *tls_conn_of_const(const tenon_conn *c)
{
    return (const tls_conn *)(const void *)c->opaque;
}
/* The ALPN protocol agreed, NULL if none: an entry of the configuration, which outlives the
 * connection. */
static inline const char *tls_alpn(const tls_conn *c)
{
    return c->alpn > 0 ? c->cfg->alpn[c->alpn - 1] : NULL;
}

/* ---- engine.c: services to the message files ---- */

/* Keeps the peer's Certificate message (msg, len) at the end of the reassembly area so its
 * chain outlives the handshake; *kept receives the copy. */
TENON_MUST_CHECK int tls_keep_peer_certificate(tls_conn *c, const uint8_t *msg, size_t len,
                                               const uint8_t **kept);
/* The same for other bytes the peer's authentication brought (a TLS 1.2 OCSP response or SCT
 * list): kept below what is already kept, for as long as the chain. */
TENON_MUST_CHECK int tls_keep_peer_bytes(tls_conn *c, const uint8_t *p, size_t len,
                                         tenon_bytes *kept);

/* Building a handshake message into the output: tls_hs_begin gives a writer at the message's
 * place (type and 24-bit length reserved), tls_hs_finish closes the length, tls_hs_commit adds
 * the message to the transcript and traces it; the messages of a flight are then framed
 * together into records under the current write keys by tls_flush_handshake. */
TENON_MUST_CHECK int tls_hs_begin(tls_conn *c, uint8_t type, writer *w, wr_vec *body);
TENON_MUST_CHECK int tls_hs_finish(writer *w, const wr_vec *body);
TENON_MUST_CHECK int tls_hs_commit(tls_conn *c, const writer *w, const char *name);
/* tls_hs_commit for a message whose first `hashed` bytes are already in the transcript (a
 * ClientHello whose binder hashed its truncated part: tls_transcript_update_hash). */
TENON_MUST_CHECK int tls_hs_commit_hashed(tls_conn *c, const writer *w, const char *name,
                                          size_t hashed);
/* Writes and commits a whole message given as bytes (the RFC 8448 test hook). */
TENON_MUST_CHECK int tls_hs_raw(tls_conn *c, const uint8_t *msg, size_t len);
/* Frames the committed handshake messages into records (they are coalesced until then). */
TENON_MUST_CHECK int tls_flush_handshake(tls_conn *c);
/* The middlebox-compatibility change_cipher_spec (RFC 8446 §D.4), sent once. */
TENON_MUST_CHECK int tls_send_ccs(tls_conn *c);

/* Where each direction's expanded record keys live: in the input buffer's work area (read) and
 * at the start of the output buffer (write). */
tls_keys_ctx *tls_rd_ctx(tls_conn *c);
tls_keys_ctx *tls_wr_ctx(tls_conn *c);
/* Key installation with trace and key log. name: "client handshake" ... */
TENON_MUST_CHECK int tls_install_read(tls_conn *c, const uint8_t *secret, const char *name);
TENON_MUST_CHECK int tls_install_write(tls_conn *c, const uint8_t *secret, const char *name);
/* The same for a handshake traffic secret, which is then replaced by its finished_key (RFC 8446
 * §4.4.4; tls_hs.c_hs, s_hs). */
TENON_MUST_CHECK int tls_install_handshake_read(tls_conn *c, uint8_t *secret, const char *name);
TENON_MUST_CHECK int tls_install_handshake_write(tls_conn *c, uint8_t *secret, const char *name);
void tls_keylog(tls_conn *c, const char *label, const uint8_t *secret);
void tls_note(tls_conn *c, const char *text);
void tls_trace_message(tls_conn *c, int sent, const char *name, const uint8_t *msg, size_t len);
void tls_trace_secret(tls_conn *c, tenon_trace_type type, const char *label, const uint8_t *v,
                      size_t len);
int64_t tls_now_ms(const tls_conn *c);
TENON_MUST_CHECK int tls_random(tls_conn *c, uint8_t *out, size_t len);
/* len bytes of getrandom(2) output from the process's reserve (random_reserve.c), which one
 * call fills for several handshakes' pools and a child of fork() finds empty; straight from
 * tenon_random where there is no reserve, it is busy, or len exceeds it. */
TENON_MUST_CHECK int tls_random_reserve(uint8_t *out, size_t len);
/* An ECDSA signature (DER) of digest (h's digest_len bytes), hedged with random bytes from the
 * handshake's pool (tls_random). */
TENON_MUST_CHECK int tls_ecdsa_sign(tls_conn *c, const tenon_ec_private_key *key,
                                    const tenon_hash_class *h, const uint8_t *digest, uint8_t *sig,
                                    size_t sig_cap, size_t *sig_len);
/* A fresh ephemeral key pair for group g: the private key into c->hs->kex_priv[slot], the client
 * share into share (g->client_share_len bytes); traced. The test hook's private key, if set,
 * replaces the random one. */
TENON_MUST_CHECK int tls_kex_keygen(tls_conn *c, const tenon_kex_class *g, size_t slot,
                                    uint8_t *share);
/* TLS 1.2 client (RFC 8422 §5.10): tls_kex_keygen for slot, then the shared secret with the
 * server's key (g->shared_secret's verdict), both at once where g can (keypair_and_shared). */
TENON_MUST_CHECK int tls_kex_keygen_shared(tls_conn *c, const tenon_kex_class *g, size_t slot,
                                           const uint8_t *peer, size_t peer_len, uint8_t *share,
                                           uint8_t *shared);
/* TLS 1.3 server: c->kex = g, our server share (g->server_share_len bytes) and the shared
 * secret for the client's share; traced. TENON_ERR_BAD_PUBLIC_KEY for a share that fails
 * g's checks (illegal_parameter). */
TENON_MUST_CHECK int tls_kex_encapsulate(tls_conn *c, const tenon_kex_class *g,
                                         const uint8_t *client_share, size_t client_share_len,
                                         uint8_t *server_share, uint8_t *shared);
/* Client: the shared secret of our offered share in slot with the server's share; traced. */
TENON_MUST_CHECK int tls_kex_finish(tls_conn *c, size_t slot, const uint8_t *server_share,
                                    size_t server_share_len, uint8_t *shared);
/* Traces the shared secret of c->kex (a hybrid's: its halves too). */
void tls_kex_trace_secret(tls_conn *c, const uint8_t *shared, size_t len);
/* Wipes every private key kept and forgets the shares offered. */
void tls_kex_forget(tls_conn *c);
/* 1 if group g may be used by this configuration for version (TENON_TLS13 or TENON_TLS12):
 * TLS 1.2 takes only Diffie-Hellman groups, require_post_quantum only post-quantum ones. */
int tls_group_usable(const tenon_config *cfg, const tenon_kex_class *g, uint16_t version);

/* After the handshake: asserts the proof flags (STYLE.md 9) and enters ST_CONNECTED. */
TENON_MUST_CHECK int tls_enter_traffic(tls_conn *c);

/* ---- the audited proof setters (one per flag) ---- */
TENON_MUST_CHECK int tls_proof_cert_chain(tls_conn *c); /* hs_certificate.c */
TENON_MUST_CHECK int tls_proof_certificate_verify(tls_conn *c, const uint8_t *sig,
                                                  size_t sig_len); /* hs_certificate_verify.c */
TENON_MUST_CHECK int tls_proof_finished(tls_conn *c, const uint8_t *verify_data,
                                        size_t len); /* hs_finished.c */

/* ---- extensions: writers and parsers (ext_*.c) ---- */

/* supported_versions */
TENON_MUST_CHECK int ext_supported_versions_write_ch(writer *w, int with_tls12);
TENON_MUST_CHECK int ext_supported_versions_write_sh(writer *w);
/* ClientHello: whether the list contains TLS 1.3 and TLS 1.2; decode errors otherwise. */
TENON_MUST_CHECK int ext_supported_versions_parse_ch(cursor body, int *has_tls13, int *has_tls12);
TENON_MUST_CHECK int ext_supported_versions_parse_sh(cursor body, uint16_t *version);

/* supported_groups */
/* The groups of cfg usable in version (tls_group_usable). */
TENON_MUST_CHECK int ext_supported_groups_write(writer *w, const tenon_config *cfg,
                                                uint16_t version);
/* The NamedGroup list as a view (checked: an even length of 2..2^16-1 bytes). */
TENON_MUST_CHECK int ext_supported_groups_parse(cursor body, cursor *list);
/* 1 if a list from ext_supported_groups_parse holds group. */
int ext_supported_groups_has(cursor list, uint16_t group);

/* key_share */
typedef struct ks_entry {
    uint16_t group;
    const uint8_t *key;
    size_t key_len;
} ks_entry;
/* A ClientHello's key_share: open, then one entry per share (its key_exchange reserved, *key
 * to be filled with len bytes), then close. */
TENON_MUST_CHECK int ext_key_share_open_ch(writer *w, wr_vec *ext, wr_vec *list);
TENON_MUST_CHECK int ext_key_share_entry(writer *w, uint16_t group, size_t len, uint8_t **key);
TENON_MUST_CHECK int ext_key_share_close_ch(writer *w, const wr_vec *ext, const wr_vec *list);
TENON_MUST_CHECK int ext_key_share_write_sh(writer *w, uint16_t group, const uint8_t *pub,
                                            size_t pub_len);
TENON_MUST_CHECK int ext_key_share_write_hrr(writer *w, uint16_t group);
/* The client_shares as a view, every entry checked well-formed; *count: how many. */
TENON_MUST_CHECK int ext_key_share_parse_ch(cursor body, cursor *list, size_t *count);
/* The next entry of a list from ext_key_share_parse_ch. */
TENON_MUST_CHECK int ext_key_share_next(cursor *list, ks_entry *e);
TENON_MUST_CHECK int ext_key_share_parse_sh(cursor body, ks_entry *entry);
TENON_MUST_CHECK int ext_key_share_parse_hrr(cursor body, uint16_t *group);

/* signature_algorithms and signature_algorithms_cert (same struct) */
TENON_MUST_CHECK int ext_sig_algs_write(writer *w, uint16_t ext_type, const uint16_t *schemes,
                                        size_t n);
TENON_MUST_CHECK int ext_sig_algs_parse(cursor body, uint16_t *out, size_t cap, size_t *count);

/* server_name */
TENON_MUST_CHECK int ext_server_name_write_ch(writer *w, const char *name);
TENON_MUST_CHECK int ext_server_name_write_empty(writer *w);
/* The host_name (if any) as a view; an empty body (the server's answer) gives len 0. */
TENON_MUST_CHECK int ext_server_name_parse_ch(cursor body, const uint8_t **name, size_t *len);

/* application_layer_protocol_negotiation */
TENON_MUST_CHECK int ext_alpn_write_list(writer *w, const char *const *names, size_t n);
TENON_MUST_CHECK int ext_alpn_write_one(writer *w, const uint8_t *name, size_t len);
/* The list as a cursor over ProtocolName entries (each checked non-empty). */
TENON_MUST_CHECK int ext_alpn_parse(cursor body, cursor *list, size_t *count);

/* psk_key_exchange_modes */
TENON_MUST_CHECK int ext_psk_modes_write(writer *w);
TENON_MUST_CHECK int ext_psk_modes_parse(cursor body, int *psk_dhe_ke);

/* pre_shared_key */
typedef struct psk_offer {
    cursor identities; /* PskIdentity entries */
    cursor binders;    /* PskBinderEntry entries */
    size_t count;      /* identities (= binders, checked) */
    size_t binders_at; /* offset of the binders vector from the start of the extension body */
} psk_offer;
TENON_MUST_CHECK int ext_psk_parse_ch(cursor body, psk_offer *offer);
/* The next identity: its ticket and obfuscated age. */
TENON_MUST_CHECK int ext_psk_next_identity(cursor *ids, const uint8_t **id, size_t *id_len,
                                           uint32_t *age);
TENON_MUST_CHECK int ext_psk_next_binder(cursor *binders, const uint8_t **b, size_t *len);
TENON_MUST_CHECK int ext_psk_parse_sh(cursor body, uint16_t *selected);
TENON_MUST_CHECK int ext_psk_write_sh(writer *w, uint16_t selected);

/* cookie */
TENON_MUST_CHECK int ext_cookie_write(writer *w, const uint8_t *cookie, size_t len);
TENON_MUST_CHECK int ext_cookie_parse(cursor body, const uint8_t **cookie, size_t *len);

/* status_request (RFC 6066 §8; RFC 8446 §4.4.2.1) and its CertificateStatus body:
 *   struct { CertificateStatusType status_type; select (status_type) {
 *       case ocsp: OCSPStatusRequest; } request; } CertificateStatusRequest;
 *   struct { ResponderID responder_id_list<0..2^16-1>; Extensions request_extensions; }
 *       OCSPStatusRequest;
 *   struct { CertificateStatusType status_type; select (status_type) {
 *       case ocsp: OCSPResponse; } response; } CertificateStatus;
 *   opaque OCSPResponse<1..2^24-1>; */
TENON_MUST_CHECK int ext_status_request_write_ch(writer *w);
/* *ocsp: the request is for an OCSP response (status_type ocsp, its body well-formed); other
 * status types are not read (RFC 6066 §8 defines only ocsp). */
TENON_MUST_CHECK int ext_status_request_parse_ch(cursor body, int *ocsp);
/* The empty answer of a TLS 1.2 ServerHello; its parser wants it empty. */
TENON_MUST_CHECK int ext_status_request_write_empty(writer *w);
TENON_MUST_CHECK int ext_status_request_parse_empty(cursor body);
/* The extension of a TLS 1.3 CertificateEntry: a CertificateStatus. */
TENON_MUST_CHECK int ext_status_request_write_cert(writer *w, const uint8_t *resp, size_t len);
/* A CertificateStatus (status_type ocsp, a non-empty response), consumed exactly. */
TENON_MUST_CHECK int tls_cert_status_write(writer *w, const uint8_t *resp, size_t len);
TENON_MUST_CHECK int tls_cert_status_parse(cursor body, cursor *response);

/* signed_certificate_timestamp (RFC 6962 §3.3.1): empty in a ClientHello; in a TLS 1.2
 * ServerHello and a TLS 1.3 CertificateEntry a SignedCertificateTimestampList:
 *   opaque SerializedSCT<1..2^16-1>;
 *   struct { SerializedSCT sct_list <1..2^16-1>; } SignedCertificateTimestampList; */
TENON_MUST_CHECK int ext_sct_write_ch(writer *w);
TENON_MUST_CHECK int ext_sct_parse_ch(cursor body);
TENON_MUST_CHECK int ext_sct_write_list(writer *w, const uint8_t *list, size_t len);
/* The whole body is one well-formed list (every SCT non-empty); decode errors otherwise. */
TENON_MUST_CHECK int ext_sct_parse_list(cursor body);

/* record_size_limit (RFC 8449 §4): uint16 RecordSizeLimit, any value (the policy is
 * record_limit.c's). */
TENON_MUST_CHECK int ext_record_size_limit_write(writer *w, uint16_t limit);
TENON_MUST_CHECK int ext_record_size_limit_parse(cursor body, uint16_t *limit);

/* ---- record_limit.c: the record size limit (RFC 8449) ---- */
/* The limit this side announces for version (0: not yet known, a client's hello): the
 * configured record_size_limit or, without one, the protocol's maximum, never more than the
 * input buffer's record area holds nor than the version allows. */
uint16_t tls_rsl_ours(const tls_conn *c, uint16_t version);
/* Server, version chosen: the client's extension (if any) taken; illegal_parameter below 64. */
TENON_MUST_CHECK int tls_rsl_client_hello(tls_conn *c, const tls_exts *exts);
/* Server: our answer in EncryptedExtensions / the TLS 1.2 ServerHello, if the client sent one. */
TENON_MUST_CHECK int tls_rsl_write_answer(tls_conn *c, writer *w);
/* Client: the server's answer (EncryptedExtensions / TLS 1.2 ServerHello), if any. */
TENON_MUST_CHECK int tls_rsl_server_answer(tls_conn *c, const tls_exts *exts);
/* The most content one record we send now may carry: 2^14, or less under the peer's limit. */
size_t tls_rsl_send_max(const tls_conn *c);

/* early_data (recognised only: tenon never offers or accepts 0-RTT) */
TENON_MUST_CHECK int ext_early_data_parse_ch(cursor body);
TENON_MUST_CHECK int ext_early_data_parse_nst(cursor body, uint32_t *max_early_data_size);

/* ---- handshake messages (hs_*.c) ---- */
TENON_MUST_CHECK int hs_client_hello_send(tls_conn *c);
/* The client's transcript: only the hashes of the suites it offers (before the ClientHello). */
TENON_MUST_CHECK int hs_client_transcript_init(tls_conn *c);
TENON_MUST_CHECK int hs_client_hello_recv(tls_conn *c, const uint8_t *msg, size_t len);
/* share: our server share for c->kex. */
TENON_MUST_CHECK int hs_server_hello_send(tls_conn *c, int selected_psk, const uint8_t *share);
TENON_MUST_CHECK int hs_hello_retry_request_send(tls_conn *c);
TENON_MUST_CHECK int hs_server_hello_recv(tls_conn *c, const uint8_t *msg, size_t len);
TENON_MUST_CHECK int hs_encrypted_extensions_send(tls_conn *c);
TENON_MUST_CHECK int hs_encrypted_extensions_recv(tls_conn *c, const uint8_t *msg, size_t len);
TENON_MUST_CHECK int hs_certificate_request_send(tls_conn *c);
TENON_MUST_CHECK int hs_certificate_request_recv(tls_conn *c, const uint8_t *msg, size_t len);
TENON_MUST_CHECK int hs_certificate_send(tls_conn *c);
TENON_MUST_CHECK int hs_certificate_recv(tls_conn *c, const uint8_t *msg, size_t len);
TENON_MUST_CHECK int hs_certificate_verify_send(tls_conn *c);
TENON_MUST_CHECK int hs_certificate_verify_recv(tls_conn *c, const uint8_t *msg, size_t len);
TENON_MUST_CHECK int hs_finished_send(tls_conn *c);
TENON_MUST_CHECK int hs_finished_recv(tls_conn *c, const uint8_t *msg, size_t len);
TENON_MUST_CHECK int hs_new_session_ticket_send(tls_conn *c);
TENON_MUST_CHECK int hs_new_session_ticket_recv(tls_conn *c, const uint8_t *msg, size_t len);
TENON_MUST_CHECK int hs_key_update_send(tls_conn *c, int request_update);
TENON_MUST_CHECK int hs_key_update_recv(tls_conn *c, const uint8_t *msg, size_t len);

/* The server's flight after the ServerHello (EE ... Finished) and its key changes. */
TENON_MUST_CHECK int hs_server_flight(tls_conn *c);
/* The client's second flight ([Certificate, CertificateVerify,] Finished). */
TENON_MUST_CHECK int hs_client_flight(tls_conn *c);
/* The handshake secrets after (EC)DHE and the ServerHello (both sides). */
TENON_MUST_CHECK int hs_derive_handshake_secrets(tls_conn *c, const uint8_t *shared,
                                                 size_t shared_len);
/* The server, once the client's Finished is verified: resumption secret, traffic, tickets. */
TENON_MUST_CHECK int hs_server_after_client_finished(tls_conn *c);
/* Master secret and application secrets at the server Finished (both sides). */
TENON_MUST_CHECK int hs_derive_application_secrets(tls_conn *c);

/* ---- stapling.c: OCSP stapling and SCTs ---- */
struct client_hello;
/* Server: what the ClientHello asks for (status_request, signed_certificate_timestamp). */
TENON_MUST_CHECK int tls_take_status_requests(tls_conn *c, const struct client_hello *ch);
/* Server, full handshake with the certificate chosen: the OCSP response to staple, from
 * tenon_config.staple_fn or the certificate, into c->hs->our_ocsp. */
TENON_MUST_CHECK int tls_choose_ocsp(tls_conn *c);
/* Server: 1 if this handshake staples an OCSP response (c->hs->our_ocsp) / our SCT list. */
int tls_staple_ocsp(const tls_conn *c);
int tls_staple_scts(const tls_conn *c);
/* Client: the extensions of the server's TLS 1.3 leaf CertificateEntry (RFC 8446 §4.4.2),
 * views into the message; a server receiving a client's: none may be there. */
TENON_MUST_CHECK int tls13_leaf_status(tls_conn *c, const tls_exts *leaf);
/* Client: the status callback (tenon_config.status_fn), once the stapled data is known. */
TENON_MUST_CHECK int tls_check_peer_status(tls_conn *c);
/* TLS 1.2 client: the state after the server's Certificate (and CertificateStatus). */
tls_state tls12_state_after_certificate(const tls_conn *c);
TENON_MUST_CHECK int hs12_certificate_status_send(tls_conn *c);
TENON_MUST_CHECK int hs12_certificate_status_recv(tls_conn *c, const uint8_t *msg, size_t len);

/* ---- ticket.c (server) ---- */
typedef struct tls_ticket_plain {
    uint16_t version;    /* TENON_TLS13, or TENON_TLS12 with psk = the master secret */
    uint8_t ems;         /* TLS 1.2: the session used the extended master secret */
    uint8_t client_auth; /* the client authenticated with a certificate */
    uint16_t suite;
    uint64_t issued_ms;
    uint32_t lifetime_s;
    uint32_t age_add;
    uint8_t psk[TLS13_MAX_HASH];
    size_t psk_len;
    uint64_t auth_ms;      /* the session's full handshake (kept by tickets of resumptions) */
    uint8_t policy[32];    /* the server's client-certificate policy (tls_policy) */
    uint8_t peer_leaf[32]; /* client_auth: SHA-256 of the client's leaf certificate */
    uint8_t sni[32];       /* the session's server_name (RFC 6066 §3), as a digest */
} tls_ticket_plain;
TENON_MUST_CHECK int tls_ticket_seal(tls_conn *c, const tls_ticket_plain *t, uint8_t *out,
                                     size_t cap, size_t *out_len);
/* A session as bytes (the plaintext a ticket seals: ticket.c), at most TLS_SESSION_MAX_LEN, and
 * back: TENON_ERR_AUTH_FAILED for bytes that are not a session of the current format. */
#define TLS_SESSION_MAX_LEN (1 + 2 + 1 + 2 + 8 + 8 + 4 + 4 + 32 + 32 + 32 + 1 + TLS13_MAX_HASH)
TENON_MUST_CHECK int tls_session_serialize(const tls_ticket_plain *t, uint8_t *out, size_t cap,
                                           size_t *out_len);
TENON_MUST_CHECK int tls_session_parse(const uint8_t *in, size_t len, tls_ticket_plain *t);
/* 0 and t filled, or TENON_ERR_AUTH_FAILED for a ticket that is not ours or not intact. */
TENON_MUST_CHECK int tls_ticket_open(const tenon_config *cfg, const uint8_t *ticket, size_t len,
                                     tls_ticket_plain *t);
/* The digest of our configuration's verification policy (tenon_config.verify_id), computed
 * at the first call of a connection. */
const uint8_t *tls_policy(tls_conn *c);
/* 1 with out = SHA-256 of the peer's proven leaf certificate (this handshake's, or the resumed
 * session's), 0 if there is none. */
int tls_peer_leaf(const tls_conn *c, uint8_t out[32]);
/* When the current session's full handshake began: this handshake's start, or the resumed
 * ticket's time. */
int64_t tls_session_auth_ms(const tls_conn *c);
/* The seconds a session whose full handshake was at auth_ms may still be resumed
 * (session_max_age_s), 0 if it may not. */
uint32_t tls_session_remaining_s(const tls_conn *c, int64_t auth_ms);
/* Server: may a ticket's session be resumed here? Its server_name against the client's SNI
 * (RFC 6066 §3), its client-certificate state against our client_auth and policy, and its age
 * against session_max_age_s. */
int tls_ticket_session_ok(tls_conn *c, const tls_ticket_plain *t);
/* Server: the ticket_lifetime for a new ticket: ticket_lifetime_s, at most 604800, at most the
 * session's remaining time (0: send none). */
uint32_t tls_ticket_lifetime(const tls_conn *c);
/* Server: fills t's session fields (auth_ms, policy, client_auth, peer_leaf, sni) for a new
 * ticket. */
void tls_ticket_fill_session(tls_conn *c, tls_ticket_plain *t);
/* Server: takes over the session of an accepted ticket (resumed_auth, resume_*). */
void tls_ticket_take_session(tls_conn *c, const tls_ticket_plain *t);
/* Client: 1 if a stored ticket may be offered under our policy and session_max_age_s. */
int tls_ticket_offerable(tls_conn *c, const tenon_ticket *t);
/* Client: remembers the session of the ticket offered (resume_*), for when it resumes. */
void tls_ticket_offer_session(tls_conn *c, const tenon_ticket *t);
/* Client: the session fields (policy, auth_ms, the server's leaf) of a ticket received; 0 if
 * the session has no proven server certificate (the ticket is then not kept). */
int tls_ticket_store_session(tls_conn *c, tenon_ticket *t);

/* ---- TLS 1.2 (hs12_*.c) ---- */

/* A parsed ClientHello (shared by the TLS 1.3 and 1.2 server paths). */
typedef struct client_hello {
    uint16_t legacy_version;
    const uint8_t *random;
    cursor session_id;
    cursor suites;
    cursor compression;
    tls_exts exts;
} client_hello;

static inline int ch_has(const client_hello *ch, unsigned x)
{
    return (ch->exts.seen >> x) & 1u;
}
/* Records what the peer's hello offered (peer_offer.c): before any decision on it. */
void tls_offer_client_hello(tls_conn *c, const client_hello *ch);
void tls_offer_server_hello(tls_conn *c, uint16_t legacy_version, uint16_t suite,
                            const tls_exts *exts, int is_hrr);
/* 1 if the ClientHello lists cipher suite id. */
int ch_offers_suite(const client_hello *ch, uint16_t id);
/* RFC 7301 §3.2: the server's ALPN choice (hs_client_hello.c). */
TENON_MUST_CHECK int tls_select_alpn(tls_conn *c, const client_hello *ch);
/* The SNI of the ClientHello into c->sni (hs_client_hello.c). */
TENON_MUST_CHECK int tls_take_sni(tls_conn *c, const client_hello *ch);

/* Server: the whole TLS 1.2 answer to a ClientHello (hs12_client_hello.c). */
TENON_MUST_CHECK int hs12_client_hello_recv(tls_conn *c, const client_hello *ch, const uint8_t *msg,
                                            size_t len);
/* Client: the TLS 1.2 ClientHello extensions (hs12_client_hello.c). */
TENON_MUST_CHECK int hs12_client_hello_exts(tls_conn *c, writer *w);
/* Client: a ServerHello without supported_versions (hs12_server_hello.c). */
TENON_MUST_CHECK int hs12_server_hello_recv(tls_conn *c, uint16_t legacy_version,
                                            const uint8_t *random, cursor session_id,
                                            uint16_t suite, const tls_exts *exts,
                                            const uint8_t *msg, size_t len);
TENON_MUST_CHECK int hs12_server_hello_send(tls_conn *c);
TENON_MUST_CHECK int hs12_certificate_send(tls_conn *c);
TENON_MUST_CHECK int hs12_certificate_recv(tls_conn *c, const uint8_t *msg, size_t len);
TENON_MUST_CHECK int hs12_server_key_exchange_send(tls_conn *c);
TENON_MUST_CHECK int hs12_server_key_exchange_recv(tls_conn *c, const uint8_t *msg, size_t len);
TENON_MUST_CHECK int hs12_certificate_request_send(tls_conn *c);
TENON_MUST_CHECK int hs12_certificate_request_recv(tls_conn *c, const uint8_t *msg, size_t len);
TENON_MUST_CHECK int hs12_server_hello_done_send(tls_conn *c);
TENON_MUST_CHECK int hs12_server_hello_done_recv(tls_conn *c, const uint8_t *msg, size_t len);
TENON_MUST_CHECK int hs12_client_key_exchange_recv(tls_conn *c, const uint8_t *msg, size_t len);
TENON_MUST_CHECK int hs12_certificate_verify_recv(tls_conn *c, const uint8_t *msg, size_t len);
TENON_MUST_CHECK int hs12_finished_recv(tls_conn *c, const uint8_t *msg, size_t len);
TENON_MUST_CHECK int hs12_new_session_ticket_send(tls_conn *c);
TENON_MUST_CHECK int hs12_new_session_ticket_recv(tls_conn *c, const uint8_t *msg, size_t len);
TENON_MUST_CHECK int hs12_hello_request_recv(tls_conn *c, const uint8_t *msg, size_t len);
/* Server, connected: a renegotiating ClientHello is refused (RFC 5746 §4.4 / RFC 5246 §7.2.2). */
TENON_MUST_CHECK int hs12_renegotiation_refuse(tls_conn *c, const uint8_t *msg, size_t len);
/* A change_cipher_spec record (RFC 5246 §7.1): read keys switch, Finished comes next. */
TENON_MUST_CHECK int hs12_change_cipher_spec_recv(tls_conn *c);
/* Sends change_cipher_spec and switches the write keys. */
TENON_MUST_CHECK int hs12_change_cipher_spec_send(tls_conn *c);
/* Sends our Finished (after our change_cipher_spec). */
TENON_MUST_CHECK int hs12_finished_send(tls_conn *c);
/* The client's second flight after ServerHelloDone. */
TENON_MUST_CHECK int hs12_client_flight(tls_conn *c);

/* hs12_keys.c: master secret from the pre-master secret (EMS: over the transcript so far), the
 * key block installed into rd12/wr12 (not yet on), the key log line. */
TENON_MUST_CHECK int tls12_derive_master(tls_conn *c, const uint8_t *pms, size_t pms_len);
TENON_MUST_CHECK int tls12_install_keys(tls_conn *c);
/* The audited proof setters of TLS 1.2 (STYLE.md 9): the ServerKeyExchange signature (client),
 * the CertificateVerify (server) and the peer's Finished. */
TENON_MUST_CHECK int tls12_proof_server_key_exchange(tls_conn *c, const tls12_ske_view *v);
TENON_MUST_CHECK int tls12_proof_certificate_verify(tls_conn *c, uint16_t scheme,
                                                    const uint8_t *sig, size_t sig_len);
TENON_MUST_CHECK int tls12_proof_finished(tls_conn *c, const uint8_t *verify_data, size_t len);
/* Record protection of TLS 1.2 for the engine. */
TENON_MUST_CHECK int tls12_seal(tls12_dir *d, uint8_t type, const uint8_t *content, size_t len,
                                uint8_t *out, size_t cap, size_t *out_len);
TENON_MUST_CHECK int tls12_open(tls12_dir *d, uint8_t *rec, size_t rec_len, uint8_t *type,
                                uint8_t **content, size_t *content_len);
/* Largest expansion of a record under d (header included). */
size_t tls12_overhead(const tls12_dir *d);
void tls12_dir_wipe(tls12_dir *d);
/* The expanded keys dropped (the buffers go) and recomputed into ctx (they came back). */
void tls12_dir_sleep(tls12_dir *d);
TENON_MUST_CHECK int tls12_dir_wake(tls12_dir *d, tls_keys_ctx *ctx);
/* RFC 5705 §4: PRF(master_secret, label, client_random + server_random [+ uint16 context
 * length + context]); context NULL: none (unlike an empty one). */
TENON_MUST_CHECK int tls12_export(const tenon_hash_class *h, const uint8_t *master,
                                  const uint8_t *client_random, const uint8_t *server_random,
                                  const char *label, const uint8_t *context, size_t context_len,
                                  uint8_t *out, size_t len);
/* Writes a digitally-signed element: our scheme and the signature of digest (the scheme's
 * hash) with our certificate's key. */
TENON_MUST_CHECK int tls12_write_signed(tls_conn *c, writer *w, const uint8_t *digest,
                                        const uint8_t *content, size_t content_len);
/* The certificate and signature scheme a TLS 1.2 server or client signs with: the first of
 * ours of key type t with a scheme of ours the peer offers (peer_sigs); if hash is not NULL the
 * scheme's hash must be it; if curves (a supported_groups list) is not NULL an EC key's curve
 * must be in it. When none: TENON_ERR_TLS_NO_CERT_FOR_PEER (no certificate of type
 * t, or no scheme of its in peer_sigs while others of ours are) or
 * TENON_ERR_TLS_NO_COMMON_SIG_SCHEME (no scheme of ours in peer_sigs). */
TENON_MUST_CHECK int tls12_pick_cert(tls_conn *c, tenon_key_type t, const tenon_hash_class *hash,
                                     const cursor *curves);
/* The scheme certificate ck signs with under tls12_pick_cert's rules (key type t, hash,
 * curves, peer_sigs), 0 if none; *type_ok is 1 when its key suits t (and curves). */
uint16_t tls12_cert_scheme(const tls_conn *c, const tenon_cert_key *ck, tenon_key_type t,
                           const tenon_hash_class *hash, const cursor *curves, int *type_ok);
/* The client's certificate for a CertificateRequest (client_cert.c): tenon's choice or
 * tenon_config.client_cert_fn's, checked against the request (sig_schemes are peer_sigs);
 * sets c->cert (NULL: an empty Certificate) and our_sig_scheme. */
TENON_MUST_CHECK int tls_client_cert_choose(tls_conn *c, const tenon_cert_request *req);
/* A certificate_authorities list (DistinguishedName <..2^16-1>, the vector's contents) into
 * req->ca_names / ca_name_count; TENON_ERR_TLS_DECODE if malformed or a name is empty. */
TENON_MUST_CHECK int tls_ca_names_parse(cursor list, tenon_cert_request *req);
/* Writes cfg->client_ca_names as a DistinguishedName list with its 2-byte length. */
TENON_MUST_CHECK int tls_ca_names_write(writer *w, const tenon_config *cfg);
/* Before the first handshake message: makes the transcript also run the hashes of the TLS 1.2
 * CertificateVerify schemes this side may sign (a client with certificates) or accept (a
 * server that asks for them) that it does not run already (conn12.c). */
TENON_MUST_CHECK int tls12_transcript_for_client_auth(tls_conn *c);
/* Client, TLS 1.2 handshake done without a ticket: keeps the session under the session ID the
 * ServerHello named, if any, in the ticket store (hs12_new_session_ticket.c). */
void tls12_session_id_keep(tls_conn *c);
/* Server, full TLS 1.2 handshake done with a session ID sent: keeps the session in
 * cfg->session_cache (session_cache.c). */
void tls12_session_cache_keep(tls_conn *c);
/* The TLS 1.2 session of c as a ticket holds it, issued now (hs12_new_session_ticket.c). */
void tls12_session_plain(tls_conn *c, tls_ticket_plain *t);
/* Server: 1 with t filled if the cache holds a session under id, else 0. */
int tls12_session_cache_find(tls_conn *c, cursor id, tls_ticket_plain *t);
/* Why no certificate fits peer_sigs (hs_client_hello.c): TENON_ERR_TLS_NO_COMMON_SIG_SCHEME if
 * none of our schemes is in it, else TENON_ERR_TLS_NO_CERT_FOR_PEER. */
TENON_MUST_CHECK int tls_no_cert_cause(const tls_conn *c);
/* The ticket store's slot for a new ticket (hs_new_session_ticket.c). */
tenon_ticket *tls_ticket_store_slot(tenon_ticket_store *st, const char *name);
/* Gives back the store slot this connection holds, wiped. */
void tls_release_held_ticket(tls_conn *c);
/* The server's server_name and ALPN answers checked against what we sent (RFC 6066, 7301). */
TENON_MUST_CHECK int tls_check_server_answers(tls_conn *c, const tls_exts *exts);
/* The TLS 1.2 downgrade sentinel in a server random (hs_server_hello.c). */
void tls_mark_downgrade(uint8_t random[32]);
/* Warning alert (level 1). */
void tls_send_warning(tls_conn *c, uint8_t desc);

/* ---- test hook (tests only) ---- */
/* Extensions TLS 1.2 clients leave out, to play older clients in tests (0 in the library). */
extern int tls_test_client_omit;
#define TLS_TEST_OMIT_EMS 1
#define TLS_TEST_OMIT_ETM 2
#define TLS_TEST_OMIT_RENEG 4
#define TLS_TEST_OMIT_RSL 8 /* record_size_limit, both versions */
/* Makes the next random (32 bytes, for the Hello) and ephemeral private key of c the given
 * ones: RFC 8448 reproduction. Call after tenon_conn_init for a server, and for a client
 * before it (the ClientHello is built there): see tls_conn_init_with_hooks. kex_priv is read
 * for the private_len of each group used (a hybrid's is its ML-KEM seed and ECDH key), so it
 * must hold TENON_KEX_MAX_PRIVATE_LEN bytes. */
TENON_MUST_CHECK int tls_conn_init_with_hooks(tenon_conn *conn, const tenon_config *cfg,
                                              uint8_t *in, size_t in_len, uint8_t *out,
                                              size_t out_len, const uint8_t *random32,
                                              const uint8_t *kex_priv);

/* Makes a server send msgs (whole handshake messages, EncryptedExtensions through
 * CertificateVerify) verbatim in place of its own: RFC 8448 reproduction only. */
void tls_test_set_server_messages(tenon_conn *conn, const uint8_t *msgs, size_t len);

#endif
