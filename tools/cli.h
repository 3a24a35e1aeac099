/*
 * The tenon command-line tool: what its parts share.
 *
 * The tool is a user of the public API only (tenon/tls.h and the headers it includes): it is
 * the library's first customer, so anything it has to work around is a gap in that API.
 */
#ifndef TENON_CLI_H
#define TENON_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "tenon/tenon.h"
#include "tenon/tls.h"

#define CLI_MAX_CERTS TENON_MAX_CERT_KEYS

/* Exit codes: 0 success, 1 a TLS or I/O failure, 2 bad use (options, files). */
#define EXIT_TLS 1
#define EXIT_USAGE 2

typedef enum trace_format {
    TRACE_NONE = 0,
    TRACE_TREE,
    TRACE_MERMAID,
    TRACE_JSON,
    TRACE_KEYSCHED, /* the key schedule as a Mermaid flowchart */
    TRACE_HTML,     /* the self-contained HTML report */
} trace_format;

/* Every option of every command; each command reads the ones it documents. */
typedef struct cli_opts {
    const char *command;
    const char *target; /* HOST:PORT of client / trace */
    const char *listen; /* server */
    const char *servername;
    const char *alpn;
    const char *groups;
    const char *suites;
    const char *certs[CLI_MAX_CERTS];
    const char *keys[CLI_MAX_CERTS];
    int ncerts, nkeys;
    const char *ca;
    const char *keylog;
    trace_format trace;
    int tls12_only, tls13_only;
    int enable_legacy; /* --enable-legacy: the legacy TLS 1.2 suites after the defaults */
    int no_ems;        /* --no-ems: do not require the extended master secret (TLS 1.2) */
    int resume;
    int show_secrets;
    int insecure;
    int verify_client;
    int http;                /* server: --http (else --echo) */
    long max_connections;    /* server: at most this many at once (0: as the fd limit allows) */
    long exit_after;         /* server: exit once N connections have ended (tests) */
    long max_active;         /* server: buffer pairs in the pool at most (0: the default) */
    int timeout_ms;          /* handshake timeout (server), connect/handshake timeout (client) */
    int idle_timeout_ms;     /* server: an established connection with nothing to do */
    int write_timeout_ms;    /* server: output that the client does not take */
    int shutdown_timeout_ms; /* server: SIGTERM to exit, at most */
    int workers;             /* server: processes sharing the port (0: no supervisor) */
    const char *ticket_keys; /* server: --ticket-keys FILE */
    const char *ticket_keys_new; /* server: --ticket-keys-generate FILE */
    const char *status;          /* server: --status FILE, the counters on SIGUSR1 and exit */
    int quiet;
    /* client, server, trace: --record-size-limit N (RFC 8449; tenon_config.record_size_limit,
     * 64 .. 16385), 0: none; with it the input buffers are TENON_CONN_IN_MIN_FOR(N) bytes */
    long record_size_limit;
    const char *ocsp; /* server: --ocsp FILE, a DER OCSP response stapled to the first cert */
    const char *html; /* demo: --html FILE, the HTML report written there */
} cli_opts;

/* options.c */
int opts_parse(cli_opts *o, const char *command, int argc, char **argv);
int split_host_port(const char *s, char *host, size_t host_cap, char *port, size_t port_cap);

/* Everything a tenon_config points to, owned by the tool (the config keeps views). */
typedef struct cli_tls {
    tenon_config cfg;
    tenon_x509_cert *roots;
    tenon_x509_store store;
    uint8_t *trust_der;
    uint8_t *cert_der[CLI_MAX_CERTS];
    tenon_private_key *keys[CLI_MAX_CERTS];
    const char *alpn_list[TENON_MAX_ALPN];
    char *alpn_text;
    uint8_t ephemeral_fp[32]; /* SHA-256 of the ephemeral certificate, if one was made */
    int has_ephemeral;
    uint8_t ephemeral_rsa_fp[32]; /* and of the ephemeral RSA one, made for RSA suites */
    int has_ephemeral_rsa;
    uint8_t *ocsp_der; /* --ocsp */
} cli_tls;

/* Builds the configuration of role from the options. On failure prints why (prefixed by
 * prog) and returns EXIT_USAGE or EXIT_TLS; 0 on success. Free with cli_tls_free. */
int cli_tls_setup(cli_tls *t, const cli_opts *o, tenon_role role, const char *server_name,
                  const char *prog);
void cli_tls_free(cli_tls *t);
/* --groups and --suites lists into a config; print why and return -1 if refused. */
int cfg_set_groups(tenon_config *cfg, const char *list, const char *prog);
/* The group --groups names name (any case), NULL if tenon has none of that name. */
const tenon_kex_class *group_by_name(const char *name);
int cfg_set_suites(tenon_config *cfg, const char *list, const char *prog);
/* --tls1.2/--tls1.3, --suites, --enable-legacy, --groups and --no-ems into a config (the
 * protocol choices every command shares); print why and return -1 if refused. */
int cfg_set_protocol(tenon_config *cfg, const cli_opts *o, const char *prog);

/* pki.c: issues a certificate for name (and 127.0.0.1, ::1), signed by ca/ca_key or
 * self-signed when ca is NULL, with a fresh key of key->type: TENON_KEY_RSA (PKI_RSA_BITS,
 * keyEncipherment as well for RSA key transport) or else ECDSA P-256. */
#define PKI_RSA_BITS 2048
int pki_issue(const char *cn, const char *dns, int is_ca, const tenon_x509_cert *ca,
              const tenon_private_key *ca_key, tenon_private_key *key, uint8_t *der, size_t cap,
              size_t *len);
/* Whether cfg's suites (for its versions) need an RSA certificate: 0 no, 1 some do and others
 * take ECDSA, 2 only RSA suites (TLS_RSA_*, TLS_ECDHE_RSA_*) are configured. */
int pki_suites_need_rsa(const tenon_config *cfg);

/* names.c */
typedef struct suite_info {
    uint16_t id;
    const char *iana;    /* TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 */
    const char *openssl; /* ECDHE-ECDSA-AES128-GCM-SHA256, NULL when the same as iana */
    uint16_t version;    /* TENON_TLS13 or TENON_TLS12 */
    int legacy;          /* RSA key transport or CBC: used only when asked for */
} suite_info;
const suite_info *suite_table(size_t *count);
const suite_info *suite_by_id(uint16_t suite);
const suite_info *suite_by_name(const char *name);
const char *suite_name(uint16_t suite);
const char *version_name(uint16_t version);
/* ", record_size_limit ours N, peer's M" (RFC 8449) when the limits were negotiated and one is
 * below the version's maximum (a --record-size-limit on either side), else "". */
void rsl_note(char *out, size_t cap, const tenon_conn_info *ci);
const char *group_name(uint16_t group);
const char *sig_scheme_name(uint16_t scheme);
const char *ext_name(uint16_t ext);
void hex_encode(char *out, const uint8_t *p, size_t n);
/* First 4 bytes of SHA-256(p): an 8-digit fingerprint that names a secret without revealing
 * it. */
void fingerprint(char out[9], const uint8_t *p, size_t n);

/* msginfo.c: a one-line summary of a handshake message's key parameters. */
void msg_summary(const char *name, const uint8_t *msg, size_t len, int tls12, char *out,
                 size_t cap);

/* ------------------------------------------------------------------------------------------
 * trace.c: events are copied as they come (the engine's are valid only during the callback)
 * and rendered afterwards, so both sides of a demo can be compared.
 * ------------------------------------------------------------------------------------------ */

/* A pseudo-event type of the tool: application data written or read (the engine does not
 * trace records). */
#define REC_APPDATA 100

#define REC_MAX_VALUES 8

typedef struct rec_value {
    char *name;
    uint8_t *data; /* NULL when the engine hid it */
    size_t len;
    int secret;
} rec_value;

typedef struct rec_event {
    int type;
    int from_client;
    int sent;
    int conn; /* which connection of a run (1, 2, ...) */
    char *label;
    size_t nvalues;
    rec_value v[REC_MAX_VALUES];
} rec_event;

typedef struct recorder {
    rec_event *ev;
    size_t n, cap;
    int conn;       /* stamped on new events */
    int both_sides; /* events of the client and the server are both recorded */
    int failed;     /* out of memory: the trace is incomplete */
} recorder;

void rec_init(recorder *r);
void rec_free(recorder *r);
void rec_trace_fn(void *user, const tenon_trace_event *ev);
void rec_appdata(recorder *r, int from_client, int sent, size_t len);
/* Whether connection conn (0: any) negotiated TLS 1.2, as its events say. */
int rec_is_tls12(const recorder *r, int conn);
/* The value of e named name, NULL if it has none. */
const rec_value *rec_val(const rec_event *e, const char *name);
/* Whether a and b are both known and hold the same bytes. */
int rec_same(const rec_value *a, const rec_value *b);
/* Whether v is known and all its bytes are zero. */
int rec_all_zero(const rec_value *v);

typedef struct render_opts {
    FILE *out;
    int show_secrets;
} render_opts;

/* render.c: what the renderers share about an event. */
int in_conn(const rec_event *e, int conn);               /* e belongs to connection conn (0: any) */
int draw_message(const recorder *r, const rec_event *e); /* drawn once, from its sender */
int client_to_server(const rec_event *e);                /* the client sent it */
int is_ccs(const rec_event *e, int tls12);               /* TLS 1.2's ChangeCipherSpec record */
void summary_of(const rec_event *e, int tls12, char *out, size_t cap); /* msg_summary & co. */
/* render_mermaid.c: the sequence of one connection as the diagrams draw it, told to a sink:
 * each message once (a short label whose brackets say the keys it travelled under, its
 * details) and each line of a side's steps, or across both sides (a mark that both hold the
 * same keys, or where the connection failed). Mermaid and the HTML report are two sinks. */
enum { SEQ_C, SEQ_S, SEQ_BOTH, SEQ_AGREE, SEQ_FAIL };
typedef struct seq_sink {
    void (*message)(void *user, int to_server, const char *label, const char *details, int alert);
    void (*line)(void *user, int who, const char *text); /* who: SEQ_* */
    void *user;
} seq_sink;
void seq_walk(const recorder *r, int conn, const seq_sink *k);
/* Appends text to out (cap bytes, NUL-terminated at *len) in lines of at most width
 * characters joined by sep, breaking after a comma or at a space where it can. */
void text_wrap(char *out, size_t cap, size_t *len, const char *text, size_t width, const char *sep);
/* What the brackets of the labels mean in connection conn ({} and [] in TLS 1.3). */
const char *seq_legend(const recorder *r, int conn);

/* render_tree.c: the messages a TLS 1.3 Derive-Secret's transcript hash covers (§7.1). */
const char *ks_transcript_of(const char *label);
/* The secret a TLS 1.2 PRF call with label makes ("master_secret", "key_block"). */
const char *ks_prf_product(const char *label);

/* Renders the events of connection conn (0: all). */
void render_tree(const recorder *r, int conn, const render_opts *ro);
void render_mermaid(const recorder *r, int conn, const render_opts *ro);
void render_json(const recorder *r, int conn, const render_opts *ro);
void render_flights(const recorder *r, int conn, const render_opts *ro);
void render(const recorder *r, int conn, trace_format f, const render_opts *ro);

/* keysched.c: the key schedule of one connection as a graph rebuilt from its trace events
 * (a node per value, an edge per derivation step whose input is an earlier step's output). */
#define KS_MAX_NODES 128
#define KS_MAX_EDGES 192
enum { KS_INPUT, KS_SHARED, KS_SECRET, KS_KEY };
typedef struct ks_node {
    const rec_value *v; /* the value, owned by the recorder */
    char name[64];      /* "handshake_secret", "s hs traffic key", "0 (zeros)" */
    char use[48];       /* TLS 1.3 keys and IVs: "server handshake key" */
    int kind;           /* KS_* */
    int by_client, by_server;
    int rank;     /* depth below the inputs, for a top-down layout */
    size_t first; /* the event that first produced or used it */
} ks_node;
typedef struct ks_edge {
    int from, to;
    char label[96]; /* "Derive-Secret 'c hs traffic', ClientHello..ServerHello" */
} ks_edge;
typedef struct ks_graph {
    ks_node n[KS_MAX_NODES];
    ks_edge e[KS_MAX_EDGES];
    size_t nn, ne;
    int tls12, both_sides;
} ks_graph;
void ks_build(ks_graph *g, const recorder *r, int conn);
/* A node's value in words: "fp 1a2b3c4d", the hex in lines of 32 digits (--show-secrets or a
 * public value), "32 zero bytes". */
void ks_value_text(const ks_node *n, int show_secrets, char *out, size_t cap);
/* "client = server" when both sides derived it; with one side recorded, that side. */
const char *ks_agreement(const ks_graph *g, const ks_node *n);
/* render_html.c: the HTML report (inline SVG and CSS only): begin with what the run was, a
 * section per connection, end; render_html does all three for every connection of r. */
void render_html_begin(FILE *f, const char *what);
void render_html_conn(const recorder *r, int conn, const char *title, const render_opts *ro);
void render_html_end(FILE *f);
void render_html(const recorder *r, const char *what, const render_opts *ro);
/* render_keysched.c: the graph as a Mermaid flowchart (top-down). */
void render_keysched(const recorder *r, int conn, const render_opts *ro);

/* Compares every secret both sides derived in connection conn; prints a table when ro->out
 * is not NULL. Returns the number compared, and *mismatches. */
size_t compare_sides(const recorder *r, int conn, const render_opts *ro, size_t *mismatches);

/* keylog.c: --keylog FILE and SSLKEYLOGFILE. */
typedef struct keylog {
    FILE *f;
} keylog;
int keylog_open(keylog *k, const char *path, const char *prog);
void keylog_fn(void *user, const char *line);
void keylog_close(keylog *k);

/* Describes a failed connection in words: the error, the alert sent or received; for a failed
 * negotiation also what the peer offered. */
void describe_failure(const char *prog, const char *what, int err, const tenon_conn *conn);

/* negotiation.c: a failed negotiation (TENON_ERR_TLS_NO_COMMON_* ...): what the peer offered,
 * and what this side has for the error's cause (with the option that changes it). */
void describe_offer(const char *prog, const tenon_conn *conn);
void describe_ours(const char *prog, int err, const tenon_config *cfg);

/* Commands. */
int cmd_client(int argc, char **argv, int trace_mode);
int cmd_server(int argc, char **argv);

/* ticketkeys.c: --ticket-keys FILE (format in `tenon server --help`). Loads at most
 * TENON_MAX_TICKET_KEYS keys, newest (the sealing one) first; refuses a file that others can
 * read or write. Prints why and returns -1 on failure (keys then wiped, *count 0). */
int ticket_keys_load(const char *path, tenon_ticket_key *keys, size_t *count, const char *prog);
/* Writes path (mode 0600, atomically) with a new key first and the keys it held after it
 * (the oldest dropped beyond TENON_MAX_TICKET_KEYS). 0 or an exit status. */
int ticket_keys_generate(const char *path, const char *prog);
int cmd_demo(int argc, char **argv);
int cmd_render(int argc, char **argv);
/* trace_load.c: the events of a `--trace json` trace into r; prints why and returns -1 when a
 * line is not one (the events before it are kept). */
int rec_load_json(recorder *r, FILE *in, const char *prog);

#endif
