/*
 * The engine: the public connection API, record framing in both directions, alerts, the sticky
 * error and the table of legal handshake messages per state (STYLE.md 7, 8), for TLS 1.3 and
 * TLS 1.2 (whose record protection and change_cipher_spec differ; the rest is shared).
 *
 * Input: tenon_conn_feed gathers one record at a time in in[0, rec_cap) and processes it as
 * soon as it is whole. Handshake payloads go to the reassembler, whose messages are dispatched
 * through the state table; application data stays in the record buffer until read, and no more
 * input is taken meanwhile. Output: handshake messages are built in place in the output buffer
 * and framed (fragmented if over 2^14 bytes) into records under the current write keys.
 */
#include "../crypto/ecdsa_random.h"
#include "tls13.h"

#include <stdio.h>
#include <time.h>

_Static_assert(sizeof(tls_conn) <= TENON_CONN_SIZE, "TENON_CONN_SIZE is too small");
_Static_assert(sizeof(tls_conn) + 16 > TENON_CONN_SIZE,
               "TENON_CONN_SIZE is not the figure: update it");
_Static_assert(TLS_WORK_END + 15 <= TENON_CONN_HS_SIZE, "TENON_CONN_HS_SIZE is too small");
_Static_assert(TLS_ALIGN16(sizeof(tls_keys_ctx)) + 15 <= TENON_CONN_KEYS_SIZE,
               "TENON_CONN_KEYS_SIZE is too small");
_Static_assert(_Alignof(tls_hs) <= 16 && _Alignof(tls_peer) <= 16,
               "the work area is 16-byte aligned");
_Static_assert(TENON_CONN_RECORD_SIZE >=
                   TLS_RECORD_HEADER_LEN + TLS_MAX_PLAINTEXT + TLS12_MAX_EXPANSION,
               "the record buffer does not hold a TLS 1.2 record");
_Static_assert(_Alignof(tls_conn) <= _Alignof(tenon_conn), "tenon_conn is not aligned enough");

/* Room kept free in the output for alerts and KeyUpdates once data flows: the longest such
 * record is a TLS 1.2 CBC alert with HMAC-SHA256, 5 + 16 (IV) + 48 (2 + 32 + padding) = 69
 * bytes; a TLS 1.3 KeyUpdate takes 27. */
#define OUT_RESERVE 96

/* ------------------------------------------------------------------------------------------
 * Output
 * ------------------------------------------------------------------------------------------ */

/* Before the output's extent shrinks: how far it reached (what a release must wipe). */
static void note_out_used(tls_conn *c)
{
    if (c->out_len > c->out_used)
        c->out_used = (uint32_t)c->out_len;
}

/* Moves the unsent bytes to the start of the output buffer. */
static void out_compact(tls_conn *c)
{
    if (c->out_sent == 0)
        return;
    note_out_used(c);
    memmove(c->out, c->out + c->out_sent, c->out_len - c->out_sent);
    c->out_len -= c->out_sent;
    c->out_sent = 0;
}

static const char *record_type_name(uint8_t type)
{
    switch (type) {
    case TLS_CT_CHANGE_CIPHER_SPEC:
        return "change_cipher_spec";
    case TLS_CT_ALERT:
        return "alert";
    case TLS_CT_HANDSHAKE:
        return "handshake";
    case TLS_CT_APPLICATION_DATA:
        return "application_data";
    default:
        return "unknown";
    }
}

/* A record sent or received: its (outer) header and, for a protected one, the inner type as
 * the label. */
static void trace_record(tls_conn *c, int sent, uint8_t inner_type, const uint8_t *header,
                         size_t content_len)
{
    if (!tls_trace_on(&c->trace))
        return;
    uint8_t len[2] = {(uint8_t)(content_len >> 8), (uint8_t)content_len};
    tenon_trace_value v[2] = {{"header", header, TLS_RECORD_HEADER_LEN, 0}, {"length", len, 2, 0}};
    tls_trace_emit(&c->trace, TENON_TRACE_RECORD, sent, record_type_name(inner_type), v, 2);
}

static uint8_t *in_base(const tls_conn *c);
static uint8_t *out_base(const tls_conn *c);

tls_keys_ctx *tls_rd_ctx(tls_conn *c)
{
    return (tls_keys_ctx *)(void *)(tls_work_align(in_base(c)) + TLS_WORK_RD_KEYS);
}

tls_keys_ctx *tls_wr_ctx(tls_conn *c)
{
    return (tls_keys_ctx *)(void *)tls_work_align(out_base(c));
}

/* After tenon_conn_give_buffers the expanded keys of each direction are recomputed from the raw
 * ones when the direction is next used (a connection woken by one request may never write). */
static int rd_wake(tls_conn *c)
{
    if (c->version == TENON_TLS12)
        return tls12_dir_wake(&c->rd12, tls_rd_ctx(c));
    /* Awake (or without keys), the usual case: nothing to do, and no call to find that out. */
    if (c->rd.ctx != NULL || !c->rd.active)
        return TENON_OK;
    return tls_record_keys_wake(&c->rd, &tls_rd_ctx(c)->aead);
}
static int wr_wake(tls_conn *c)
{
    if (c->version == TENON_TLS12)
        return tls12_dir_wake(&c->wr12, tls_wr_ctx(c));
    if (c->wr.ctx != NULL || !c->wr.active)
        return TENON_OK;
    return tls_record_keys_wake(&c->wr, &tls_wr_ctx(c)->aead);
}

/* Is record protection on in each direction? */
static int rd_on(const tls_conn *c)
{
    return c->version == TENON_TLS12 ? c->rd12.on : c->rd.active;
}
static int wr_on(const tls_conn *c)
{
    return c->version == TENON_TLS12 ? c->wr12.on : c->wr.active;
}

/* Appends one record of content (which may already sit at out + out_len + 5). */
static int out_record(tls_conn *c, uint8_t type, const uint8_t *content, size_t len,
                      uint16_t legacy_version)
{
    uint8_t *at = c->out + c->out_len;
    size_t room = c->out_cap - c->out_len, n;
    GUARD(wr_wake(c));
    if (c->version == TENON_TLS12 && c->wr12.on) {
        /* TLS 1.2 protects only Finished, alerts and data this way: small contents, copied
         * out of the way of the explicit nonce or IV the record starts with. */
        uint8_t tmp[64];
        ENSURE(len <= sizeof tmp, TENON_ERR_INTERNAL);
        memcpy(tmp, content, len);
        int rc = tls12_seal(&c->wr12, type, tmp, len, at, room, &n);
        tenon_wipe(tmp, sizeof tmp);
        GUARD(rc);
    } else if (c->version != TENON_TLS12 && c->wr.active) {
        GUARD(tls13_seal_record(&c->wr, type, content, len, 0, at, room, &n));
    } else {
        ENSURE(room >= TLS_RECORD_HEADER_LEN + len, TENON_ERR_BUFFER_TOO_SMALL);
        memmove(at + TLS_RECORD_HEADER_LEN, content, len);
        at[0] = type;
        at[1] = (uint8_t)(legacy_version >> 8);
        at[2] = (uint8_t)legacy_version;
        at[3] = (uint8_t)(len >> 8);
        at[4] = (uint8_t)len;
        n = TLS_RECORD_HEADER_LEN + len;
    }
    trace_record(c, 1, type, at, len);
    c->out_len += n;
    return TENON_OK;
}

static void trace_alert(tls_conn *c, int sent, uint8_t desc)
{
    tls_trace_emit(&c->trace, TENON_TRACE_ALERT, sent, tenon_alert_name(desc), NULL, 0);
}

static int send_alert(tls_conn *c, uint8_t level, uint8_t desc);
static int in_handshake(const tls_conn *c);

void tls_send_warning(tls_conn *c, uint8_t desc)
{
    /* Only ever after a record was processed, which needs room for it (may_process). */
    (void)send_alert(c, 1, desc);
}

/* Queues an alert; TENON_ERR_BUFFER_TOO_SMALL (nothing queued) if the output has no room. */
static int send_alert(tls_conn *c, uint8_t level, uint8_t desc)
{
    uint8_t a[2] = {level, desc};
    if (tls_flush_handshake(c) != TENON_OK)
        c->hs_open = 0;
    out_compact(c);
    GUARD(out_record(c, TLS_CT_ALERT, a, 2, TENON_TLS12));
    trace_alert(c, 1, desc);
    return TENON_OK;
}

/* Makes err the connection's sticky error and queues its alert (RFC 8446 §6.2: "the
 * implementation ... MUST send an alert ... and close the connection"). An alert that finds
 * the output full is owed: tenon_conn_output_consume queues it once there is room, so it still
 * goes out, after what was already queued. */
static int fail(tls_conn *c, int err)
{
    if (c->error != 0)
        return c->error;
    if (err == TENON_ERR_MALFORMED)
        err = TENON_ERR_TLS_DECODE;
    c->error = err;
    tls_release_held_ticket(c); /* a ticket offered to a failed handshake is spent */
    int alert = tenon_error_alert(err);
    if (alert >= 0 && !c->sent_close && send_alert(c, 2, (uint8_t)alert) != TENON_OK) {
        c->alert_owed = 1;
        c->owed_desc = (uint8_t)alert;
    }
    tls_note(c, tenon_strerror(err));
    return err;
}

static const char *ct_name(uint8_t type)
{
    switch (type) {
    case HS_HELLO_REQUEST:
        return "HelloRequest";
    case HS_SERVER_KEY_EXCHANGE:
        return "ServerKeyExchange";
    case HS_SERVER_HELLO_DONE:
        return "ServerHelloDone";
    case HS_CLIENT_KEY_EXCHANGE:
        return "ClientKeyExchange";
    case HS_CLIENT_HELLO:
        return "ClientHello";
    case HS_SERVER_HELLO:
        return "ServerHello";
    case HS_NEW_SESSION_TICKET:
        return "NewSessionTicket";
    case HS_END_OF_EARLY_DATA:
        return "EndOfEarlyData";
    case HS_ENCRYPTED_EXTENSIONS:
        return "EncryptedExtensions";
    case HS_CERTIFICATE:
        return "Certificate";
    case HS_CERTIFICATE_REQUEST:
        return "CertificateRequest";
    case HS_CERTIFICATE_VERIFY:
        return "CertificateVerify";
    case HS_FINISHED:
        return "Finished";
    case HS_CERTIFICATE_STATUS:
        return "CertificateStatus";
    case HS_KEY_UPDATE:
        return "KeyUpdate";
    default:
        return "unknown";
    }
}

/*
 * Handshake messages of one flight are coalesced (RFC 8446 §5.1: "Handshake messages MAY be
 * coalesced into a single TLSPlaintext record"): each is written after the ones still open at
 * out + out_len + 5, and tls_flush_handshake frames them all into records before anything else
 * is written, before the write keys change, and before control returns to the caller.
 */
/* The name of a received message: a renegotiating ClientHello is named as such. */
static const char *msg_name(const tls_conn *c, uint8_t type)
{
    if (type == HS_CLIENT_HELLO && c->state == ST_CONNECTED)
        return "ClientHello (renegotiation)";
    return ct_name(type);
}

int tls_hs_begin(tls_conn *c, uint8_t type, writer *w, wr_vec *body)
{
    /* During the handshake we write only to answer the peer's flight (a ClientHello, a
     * HelloRetryRequest, a TLS 1.2 ServerHelloDone or Finished), whose sender waits for our
     * answer before its next message (RFC 8446 §2, RFC 5246 §7.3): bytes after the message just
     * read are none it could have sent. unexpected_message, as at a key change (RFC 8446 §5.1),
     * before a byte of the answer is written. */
    if (in_handshake(c))
        GUARD(tls_hs_reasm_key_change(&c->reasm));
    if (c->hs_open == 0)
        out_compact(c);
    size_t start = c->out_len + TLS_RECORD_HEADER_LEN + c->hs_open;
    ENSURE(c->out_cap > start + 32, TENON_ERR_BUFFER_TOO_SMALL);
    *w = wr_init(c->out + start, c->out_cap - start);
    GUARD(wr_u8(w, type));
    return wr_open_vec(w, 3, body);
}

int tls_hs_finish(writer *w, const wr_vec *body)
{
    return wr_close_vec(w, body);
}

int tls_hs_commit(tls_conn *c, const writer *w, const char *name)
{
    return tls_hs_commit_hashed(c, w, name, 0);
}

int tls_hs_commit_hashed(tls_conn *c, const writer *w, const char *name, size_t hashed)
{
    const uint8_t *msg = w->buf;
    ENSURE(hashed <= w->len && (hashed == 0 || c->hs != NULL), TENON_ERR_INTERNAL);
    if (c->hs_open == 0)
        /* RFC 8446 §5.1: legacy_record_version "MAY also be 0x0301" for an initial
         * ClientHello, as many implementations send it. */
        c->hs_legacy = (msg[0] == HS_CLIENT_HELLO && !c->hrr) ? 0x0301 : TENON_TLS12;
    if (c->hs != NULL) /* messages after the handshake are in no transcript */
        tls_transcript_update(&c->hs->tx, msg + hashed, w->len - hashed);
    tls_trace_message(c, 1, name != NULL ? name : ct_name(msg[0]), msg, w->len);
    c->hs_open += w->len;
    return TENON_OK;
}

int tls_hs_raw(tls_conn *c, const uint8_t *msg, size_t len)
{
    writer w;
    if (c->hs_open == 0)
        out_compact(c);
    size_t start = c->out_len + TLS_RECORD_HEADER_LEN + c->hs_open;
    ENSURE(c->out_cap > start, TENON_ERR_BUFFER_TOO_SMALL);
    w = wr_init(c->out + start, c->out_cap - start);
    GUARD(wr_bytes(&w, msg, len));
    return tls_hs_commit(c, &w, NULL);
}

/* Frames the open handshake bytes into records of at most 2^14 bytes, or of the peer's record
 * size limit (tls_rsl_send_max: RFC 8449 §4 binds the protected ones; tenon cuts unprotected
 * ones to it too, for a peer whose buffer is small). The records are laid out from the last
 * fragment back so every move goes right, over bytes already moved. */
int tls_flush_handshake(tls_conn *c)
{
    size_t len = c->hs_open;
    if (len == 0)
        return TENON_OK;
    c->hs_open = 0;
    uint8_t *msg = c->out + c->out_len + TLS_RECORD_HEADER_LEN;
    size_t frag = tls_rsl_send_max(c);
    if (len <= frag)
        return out_record(c, TLS_CT_HANDSHAKE, msg, len, c->hs_legacy);
    /* Only TLS 1.3 protects long handshake messages (TLS 1.2 encrypts only Finished, shorter
     * than any limit). */
    size_t per = TLS_RECORD_HEADER_LEN + (wr_on(c) ? 1 + TENON_AEAD_TAG_LEN : 0);
    ENSURE(!(c->version == TENON_TLS12 && wr_on(c)), TENON_ERR_INTERNAL);
    size_t nfrag = (len + frag - 1) / frag;
    ENSURE(c->out_len + len + nfrag * per <= c->out_cap, TENON_ERR_BUFFER_TOO_SMALL);
    size_t base = c->out_len;
    for (size_t i = nfrag; i-- > 0;) {
        size_t off = i * frag;
        size_t n = len - off < frag ? len - off : frag;
        memmove(c->out + base + i * (frag + per) + TLS_RECORD_HEADER_LEN, msg + off, n);
    }
    for (size_t i = 0; i < nfrag; i++) {
        size_t off = i * frag;
        size_t n = len - off < frag ? len - off : frag;
        GUARD(out_record(c, TLS_CT_HANDSHAKE, c->out + c->out_len + TLS_RECORD_HEADER_LEN, n,
                         c->hs_legacy));
    }
    return TENON_OK;
}

/* RFC 8446 §D.4: "the client ... sends a dummy change_cipher_spec record immediately before its
 * second flight ... The server sends a dummy change_cipher_spec record immediately after its
 * first handshake message." Sent in the clear, once. */
int tls_send_ccs(tls_conn *c)
{
    if (c->ccs_sent || !c->cfg->middlebox_compat || c->version == TENON_TLS12)
        return TENON_OK;
    GUARD(tls_flush_handshake(c));
    static const uint8_t one = 1;
    /* The record is never protected, whatever keys are installed. */
    uint8_t active = c->wr.active;
    c->wr.active = 0;
    out_compact(c);
    int rc = out_record(c, TLS_CT_CHANGE_CIPHER_SPEC, &one, 1, TENON_TLS12);
    c->wr.active = active;
    GUARD(rc);
    c->ccs_sent = 1;
    return TENON_OK;
}

/* RFC 5246 §7.1: change_cipher_spec, in the clear under the old (null) state; the write keys
 * of the key block are in force from the next record on. */
int hs12_change_cipher_spec_send(tls_conn *c)
{
    GUARD(tls_flush_handshake(c));
    static const uint8_t one = 1;
    out_compact(c);
    GUARD(out_record(c, TLS_CT_CHANGE_CIPHER_SPEC, &one, 1, TENON_TLS12));
    c->wr12.on = 1;
    tls_note(c, c->is_client ? "client write keys in force" : "server write keys in force");
    return TENON_OK;
}

int hs12_change_cipher_spec_recv(tls_conn *c)
{
    /* §7.4.9: "It is a fatal error if a Finished message is not preceded by a
     * ChangeCipherSpec message at the appropriate point in the handshake" — and a
     * change_cipher_spec anywhere else is unexpected. */
    if (c->state == ST_C12_WAIT_CCS)
        c->state = ST_C12_WAIT_FINISHED;
    else if (c->state == ST_S12_WAIT_CCS)
        c->state = ST_S12_WAIT_FINISHED;
    else
        return TENON_ERR_TLS_UNEXPECTED_MESSAGE;
    c->rd12.on = 1;
    tls_note(c, c->is_client ? "server write keys in force" : "client write keys in force");
    return TENON_OK;
}

/* ------------------------------------------------------------------------------------------
 * Trace, key log, keys
 * ------------------------------------------------------------------------------------------ */

void tls_note(tls_conn *c, const char *text)
{
    tls_trace_emit(&c->trace, TENON_TRACE_NOTE, 0, text, NULL, 0);
}

void tls_trace_message(tls_conn *c, int sent, const char *name, const uint8_t *msg, size_t len)
{
    tenon_trace_value v = {"bytes", msg, len, 0};
    tls_trace_emit(&c->trace, TENON_TRACE_MESSAGE, sent, name, &v, 1);
}

void tls_trace_secret(tls_conn *c, tenon_trace_type type, const char *label, const uint8_t *val,
                      size_t len)
{
    tenon_trace_value v = {"value", val, len, type == TENON_TRACE_SHARED_SECRET};
    tls_trace_emit(&c->trace, type, 1, label, &v, 1);
}

static void hex(char *out, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = 0;
}

void tls_keylog(tls_conn *c, const char *label, const uint8_t *secret)
{
    if (c->cfg->keylog_fn == NULL || c->suite == NULL)
        return;
    char line[64 + 1 + 64 + 1 + 2 * TLS13_MAX_HASH + 1];
    size_t n = strlen(label);
    if (n > 63)
        return;
    memcpy(line, label, n);
    line[n++] = ' ';
    hex(line + n, c->hs->client_random, 32);
    n += 64;
    line[n++] = ' ';
    hex(line + n, secret, c->suite->hash->digest_len);
    c->cfg->keylog_fn(c->cfg->keylog_user, line);
    tenon_wipe(line, sizeof line);
}

/* finished_key: NULL, or where the finished_key of a handshake traffic secret goes. */
static int install(tls_conn *c, tls_record_keys *k, const uint8_t *secret, const char *name,
                   uint8_t *finished_key)
{
    uint8_t key[TLS13_MAX_KEY], iv[TLS13_IV_LEN];
    const tls_suite *s = c->suite;
    int rc = finished_key != NULL
                 ? tls13_handshake_traffic_keys(s->hash, secret, s->key_len, key, iv, finished_key,
                                                &c->trace)
                 : tls13_traffic_keys(s->hash, secret, s->key_len, key, iv, &c->trace);
    tenon_aead_ctx *ctx = k == &c->wr ? &tls_wr_ctx(c)->aead : &tls_rd_ctx(c)->aead;
    if (rc == TENON_OK)
        rc = tls13_record_keys_install(k, ctx, s->aead(), key, s->key_len, iv);
    if (rc == TENON_OK && tls_trace_on(&c->trace)) {
        tenon_trace_value v[2] = {{"key", key, s->key_len, 1}, {"iv", iv, TLS13_IV_LEN, 1}};
        tls_trace_emit(&c->trace, TENON_TRACE_TRAFFIC_KEYS, k == &c->wr, name, v, 2);
    }
    tenon_wipe(key, sizeof key);
    tenon_wipe(iv, sizeof iv);
    return rc;
}

int tls_install_read(tls_conn *c, const uint8_t *secret, const char *name)
{
    c->read_key_changed = 1;
    return install(c, &c->rd, secret, name, NULL);
}

int tls_install_write(tls_conn *c, const uint8_t *secret, const char *name)
{
    /* Messages written under the old keys go out under them. */
    GUARD(tls_flush_handshake(c));
    return install(c, &c->wr, secret, name, NULL);
}

/* The finished_key is expanded while the secret is keyed for its key and IV (two compressions
 * fewer than keying it again at Finished), and takes the secret's place: nothing else reads a
 * handshake traffic secret once its keys are installed (the key log has had it). */
static int install_handshake(tls_conn *c, tls_record_keys *k, uint8_t *secret, const char *name)
{
    uint8_t finished_key[TLS13_MAX_HASH];
    int rc = install(c, k, secret, name, finished_key);
    if (rc == TENON_OK)
        memcpy(secret, finished_key, c->suite->hash->digest_len);
    tenon_wipe(finished_key, sizeof finished_key);
    return rc;
}

int tls_install_handshake_read(tls_conn *c, uint8_t *secret, const char *name)
{
    c->read_key_changed = 1;
    return install_handshake(c, &c->rd, secret, name);
}

int tls_install_handshake_write(tls_conn *c, uint8_t *secret, const char *name)
{
    GUARD(tls_flush_handshake(c));
    return install_handshake(c, &c->wr, secret, name);
}

int64_t tls_now_ms(const tls_conn *c)
{
    if (c->cfg->time_fn != NULL)
        return c->cfg->time_fn(c->cfg->time_user);
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int tls_random(tls_conn *c, uint8_t *out, size_t len)
{
    tls_hs *hs = c != NULL ? c->hs : NULL;
    /* A system call costs about as much as a few kilobytes of hashing: during a handshake the
     * bytes come from the pool in tls_hs, refilled whole when a request does not fit, from the
     * process's reserve (random_reserve.c: one getrandom call for 21 pools). */
    if (hs == NULL || len > sizeof hs->rnd_pool)
        return tenon_random(out, len);
    if (len > hs->rnd_left) {
        GUARD(tls_random_reserve(hs->rnd_pool, sizeof hs->rnd_pool));
        hs->rnd_left = sizeof hs->rnd_pool;
    }
    hs->rnd_left -= len;
    memcpy(out, hs->rnd_pool + hs->rnd_left, len);
    tenon_wipe(hs->rnd_pool + hs->rnd_left, len);
    return TENON_OK;
}

int tls_ecdsa_sign(tls_conn *c, const tenon_ec_private_key *key, const tenon_hash_class *h,
                   const uint8_t *digest, uint8_t *sig, size_t sig_cap, size_t *sig_len)
{
    /* Hedged as tenon_ecdsa_sign hedges, with the bytes from the handshake's pool: the server's
     * signature then costs no system call of its own. */
    ENSURE(key->scalar_len <= TENON_EC_MAX_SCALAR_LEN, TENON_ERR_BAD_PRIVATE_KEY);
    uint8_t rnd[ECDSA_RANDOM_LEN(TENON_EC_MAX_SCALAR_LEN)];
    size_t n = ECDSA_RANDOM_LEN(key->scalar_len);
    GUARD(tls_random(c, rnd, n));
    int rc = ecdsa_sign_with_random(key, h, digest, h->digest_len, TENON_ECDSA_DER, rnd, sig,
                                    sig_cap, sig_len);
    tenon_wipe(rnd, n);
    return rc;
}

int tls_keep_peer_bytes(tls_conn *c, const uint8_t *p, size_t len, tenon_bytes *kept)
{
    /* The reassembler has handed the message being handled out whole, so nothing of a later
     * message sits in its buffer yet; its tail becomes the bytes' home and its capacity
     * shrinks. */
    ENSURE(c->reasm.have == 0, TENON_ERR_INTERNAL);
    ENSURE(len + 1024 <= c->reasm.cap, TENON_ERR_BUFFER_TOO_SMALL);
    uint8_t *home = c->reasm.buf + c->reasm.cap - len;
    memmove(home, p, len);
    c->reasm.cap -= len;
    c->peer_cert_len += len;
    kept->ptr = home;
    kept->len = len;
    return TENON_OK;
}

int tls_keep_peer_certificate(tls_conn *c, const uint8_t *msg, size_t len, const uint8_t **kept)
{
    tenon_bytes b;
    ENSURE(c->peer->peer_chain_count > 0, TENON_ERR_INTERNAL);
    GUARD(tls_keep_peer_bytes(c, msg, len, &b));
    *kept = b.ptr;
    return TENON_OK;
}

/* STYLE.md 9: the one gate into application data. Each flag is set only by its proof function
 * (tls_proof_cert_chain, tls_proof_certificate_verify, tls_proof_finished). */
int tls_enter_traffic(tls_conn *c)
{
    ENSURE(c->finished_verified, TENON_ERR_INTERNAL);
    if (c->is_client) {
        /* RFC 8446 §4.4: the server authenticates with a certificate and CertificateVerify,
         * unless a PSK (whose binder and Finished prove it) is in use. TLS 1.2: with a
         * certificate and the ServerKeyExchange signature, or for RSA key transport by
         * decrypting the pre-master secret (which its Finished proves), or by a ticket. */
        int rsa_kx = c->version == TENON_TLS12 && c->suite12->kx == TLS12_KX_RSA;
        if (!c->resumed)
            ENSURE(c->cert_verified && (c->signature_verified || rsa_kx), TENON_ERR_INTERNAL);
    } else {
        if (c->peer_sent_cert)
            ENSURE(c->cert_verified && c->signature_verified, TENON_ERR_INTERNAL);
        if (c->cfg->client_auth == TENON_CLIENT_AUTH_REQUIRE && !c->resumed)
            ENSURE(c->peer_sent_cert && c->cert_verified, TENON_ERR_INTERNAL);
    }
    c->state = ST_CONNECTED;
    if (c->version == TENON_TLS12) {
        /* The RFC 5705 exporter's seed outlives the handshake state. */
        memcpy(c->randoms12, c->hs->client_random, 32);
        memcpy(c->randoms12 + 32, c->hs->server_random, 32);
    }
    c->has_peer_leaf = (uint8_t)tls_peer_leaf(c, c->peer_leaf);
    c->peer_leaf_kept = 1;
    /* What the handshake needed and traffic does not: the extracted secrets, the handshake
     * traffic secrets, the PSK and the ephemeral key. The application secrets (KeyUpdate), the
     * exporter and resumption secrets stay until tenon_conn_wipe. */
    tls13_schedule_wipe(&c->hs->ks);
    tenon_wipe(c->hs->c_hs, sizeof c->hs->c_hs);
    tenon_wipe(c->hs->s_hs, sizeof c->hs->s_hs);
    tenon_wipe(c->hs->psk, sizeof c->hs->psk);
    tenon_wipe(c->hs->kex_priv, sizeof c->hs->kex_priv);
    if (c->pending_ticket12 && c->held_ticket != NULL) {
        /* A TLS 1.2 ticket received before the server's Finished becomes usable now. */
        c->held_ticket->in_use = 1;
        c->held_ticket = NULL;
        c->pending_ticket12 = 0;
        tls_note(c, "session ticket stored");
    } else if (c->is_client && c->version == TENON_TLS12) {
        tls12_session_id_keep(c);
    } else if (!c->is_client && c->version == TENON_TLS12 && !c->resumed) {
        tls12_session_cache_keep(c);
    }
    tls_note(c, "handshake complete: application data may flow");
    return TENON_OK;
}

/* ------------------------------------------------------------------------------------------
 * Input
 * ------------------------------------------------------------------------------------------ */

static int in_handshake(const tls_conn *c)
{
    return c->state != ST_CONNECTED;
}

/*
 * Flood limits. A peer can send records and messages that cost us work and carry nothing:
 * empty application_data records (RFC 8446 §5.1 and RFC 5246 §6.2.1 allow them), TLS 1.3
 * change_cipher_spec records during the handshake (§5: dropped), KeyUpdates (§4.6.3),
 * TLS 1.2 HelloRequests and renegotiating ClientHellos (each refused with a warning), TLS 1.3
 * NewSessionTickets (stored, but a server has no reason to send more than a few), and
 * warning alerts (TLS 1.2; user_canceled in TLS 1.3, where other warnings are fatal, §6).
 * Empty records, change_cipher_spec records, warnings and the no-progress handshake messages
 * (together) are counted apart, each allowed MAX_IDLE_RUN times in a row (MAX_WARNINGS_RUN for
 * warnings, as BoringSSL does); one more is unexpected_message. "In a row" ends at progress:
 * a record of application data that is not empty, or a handshake message that the state
 * table takes before the handshake is done. During the handshake that progress is bounded by
 * the handshake itself; after it, only data resets the counts, so no mix of the kinds goes on
 * for ever.
 */
#define MAX_IDLE_RUN 32
#define MAX_WARNINGS_RUN 4

static void note_progress(tls_conn *c)
{
    c->empty_run = 0;
    c->ccs_run = 0;
    c->idle_run = 0;
    c->warnings = 0;
}

/* A handshake message that changes nothing. */
static int idle_message(tls_conn *c)
{
    ENSURE(++c->idle_run <= MAX_IDLE_RUN, TENON_ERR_TLS_UNEXPECTED_MESSAGE);
    return TENON_OK;
}

typedef int (*hs_handler)(tls_conn *c, const uint8_t *msg, size_t len);

/* STYLE.md 8: the legal messages of each state; anything else is unexpected_message. */
static const struct {
    tls_state state;
    uint8_t type;
    hs_handler fn;
    uint16_t version; /* for ST_CONNECTED, whose messages differ by version */
} HS_TABLE[] = {
    {ST_C_WAIT_SH, HS_SERVER_HELLO, hs_server_hello_recv, 0},
    {ST_C_WAIT_EE, HS_ENCRYPTED_EXTENSIONS, hs_encrypted_extensions_recv, 0},
    {ST_C_WAIT_CERT_CR, HS_CERTIFICATE_REQUEST, hs_certificate_request_recv, 0},
    {ST_C_WAIT_CERT_CR, HS_CERTIFICATE, hs_certificate_recv, 0},
    {ST_C_WAIT_CERT, HS_CERTIFICATE, hs_certificate_recv, 0},
    {ST_C_WAIT_CV, HS_CERTIFICATE_VERIFY, hs_certificate_verify_recv, 0},
    {ST_C_WAIT_FINISHED, HS_FINISHED, hs_finished_recv, 0},
    {ST_S_WAIT_CH, HS_CLIENT_HELLO, hs_client_hello_recv, 0},
    {ST_S_WAIT_CH2, HS_CLIENT_HELLO, hs_client_hello_recv, 0},
    {ST_S_WAIT_CERT, HS_CERTIFICATE, hs_certificate_recv, 0},
    {ST_S_WAIT_CV, HS_CERTIFICATE_VERIFY, hs_certificate_verify_recv, 0},
    {ST_S_WAIT_FINISHED, HS_FINISHED, hs_finished_recv, 0},
    {ST_CONNECTED, HS_NEW_SESSION_TICKET, hs_new_session_ticket_recv, TENON_TLS13},
    {ST_CONNECTED, HS_KEY_UPDATE, hs_key_update_recv, TENON_TLS13},
    /* TLS 1.2, RFC 5246 §7.3 */
    {ST_C12_WAIT_CERT, HS_CERTIFICATE, hs12_certificate_recv, 0},
    {ST_C12_WAIT_STATUS, HS_CERTIFICATE_STATUS, hs12_certificate_status_recv, 0},
    {ST_C12_WAIT_SKE, HS_SERVER_KEY_EXCHANGE, hs12_server_key_exchange_recv, 0},
    {ST_C12_WAIT_CR_SHD, HS_CERTIFICATE_REQUEST, hs12_certificate_request_recv, 0},
    {ST_C12_WAIT_CR_SHD, HS_SERVER_HELLO_DONE, hs12_server_hello_done_recv, 0},
    {ST_C12_WAIT_SHD, HS_SERVER_HELLO_DONE, hs12_server_hello_done_recv, 0},
    {ST_C12_WAIT_NST, HS_NEW_SESSION_TICKET, hs12_new_session_ticket_recv, 0},
    {ST_C12_WAIT_FINISHED, HS_FINISHED, hs12_finished_recv, 0},
    {ST_S12_WAIT_CERT, HS_CERTIFICATE, hs12_certificate_recv, 0},
    {ST_S12_WAIT_CKE, HS_CLIENT_KEY_EXCHANGE, hs12_client_key_exchange_recv, 0},
    {ST_S12_WAIT_CV, HS_CERTIFICATE_VERIFY, hs12_certificate_verify_recv, 0},
    {ST_S12_WAIT_FINISHED, HS_FINISHED, hs12_finished_recv, 0},
    {ST_CONNECTED, HS_HELLO_REQUEST, hs12_hello_request_recv, TENON_TLS12},
    {ST_CONNECTED, HS_CLIENT_HELLO, hs12_renegotiation_refuse, TENON_TLS12},
};

static int dispatch(tls_conn *c, const tls_hs_msg *m)
{
    hs_handler fn = NULL;
    /* RFC 5246 §7.4.1.1: "This message will be ignored by the client if the client is currently
     * negotiating a session" — nor is it part of the transcript. */
    if (m->type == HS_HELLO_REQUEST && c->is_client && m->msg_len == 4 && in_handshake(c) &&
        (c->version == TENON_TLS12 || (c->version == 0 && tls_version_on(c->cfg, TENON_TLS12)))) {
        tls_note(c, "HelloRequest ignored during the handshake");
        return idle_message(c);
    }
    /* RFC 6066 §8: a server that acknowledged status_request "MAY also choose not to send a
     * "CertificateStatus" message": any other message moves on past it. */
    if (c->state == ST_C12_WAIT_STATUS && m->type != HS_CERTIFICATE_STATUS)
        c->state = tls12_state_after_certificate(c);
    for (size_t i = 0; i < ARRAY_LEN(HS_TABLE); i++)
        if (HS_TABLE[i].state == c->state && HS_TABLE[i].type == m->type &&
            (HS_TABLE[i].version == 0 || HS_TABLE[i].version == c->version))
            fn = HS_TABLE[i].fn;
    /* Only a server sends NewSessionTicket (RFC 8446 §4.6.1) and HelloRequest (RFC 5246
     * §7.4.1.1); only a client sends ClientHello. */
    if ((m->type == HS_NEW_SESSION_TICKET || m->type == HS_HELLO_REQUEST) && !c->is_client)
        fn = NULL;
    if (m->type == HS_CLIENT_HELLO && c->is_client)
        fn = NULL;
    if (fn == NULL)
        return TENON_ERR_TLS_UNEXPECTED_MESSAGE;
    /* A message of the handshake moves it on; after it, only data does (a KeyUpdate, a
     * HelloRequest, a renegotiating ClientHello or a NewSessionTicket changes nothing the peer
     * could not repeat forever: a server that sends tickets without end would keep a reader
     * busy, and the socket readable, without a byte of data). Servers send one to a few
     * tickets at a time (RFC 8446 §4.6.1), far below the limit. */
    if (in_handshake(c))
        note_progress(c);
    else
        GUARD(idle_message(c));
    /* RFC 8446 §4.2.10: early data is skipped "until [the server] receives the second
     * ClientHello" after a HelloRetryRequest; none comes after it. */
    if (c->state == ST_S_WAIT_CH2)
        c->skip_early_data = 0;
    tls_trace_message(c, 0, msg_name(c, m->type), m->msg, m->msg_len);
    c->read_key_changed = 0;
    int rc = fn(c, m->msg, m->msg_len);
    if (rc == TENON_ERR_MALFORMED)
        rc = TENON_ERR_TLS_DECODE;
    GUARD(rc);
    /* RFC 8446 §5.1: "Handshake messages MUST NOT span key changes." */
    if (c->read_key_changed)
        GUARD(tls_hs_reasm_key_change(&c->reasm));
    return TENON_OK;
}

static int handle_handshake(tls_conn *c, const uint8_t *p, size_t len)
{
    GUARD(tls_hs_reasm_add(&c->reasm, p, len));
    for (;;) {
        tls_hs_msg m;
        int rc = tls_hs_reasm_next(&c->reasm, &m);
        GUARD(rc);
        if (rc == TLS_HS_NEED_MORE) {
            /* A message split over records is copied into the reassembly area. */
            if (c->reasm.have > 0)
                c->reasm_used = 1;
            return TENON_OK;
        }
        GUARD(dispatch(c, &m));
        if (c->error != 0)
            return c->error;
    }
}

/* RFC 8446 §6: struct { AlertLevel level; AlertDescription description; } Alert. */
static int handle_alert(tls_conn *c, const uint8_t *p, size_t len)
{
    ENSURE(len == 2, TENON_ERR_TLS_DECODE);
    trace_alert(c, 0, p[1]);
    if (p[1] == TENON_ALERT_CLOSE_NOTIFY && in_handshake(c)) {
        /* RFC 8446 §6.1: close_notify says the sender "will not send any more messages on this
         * connection": a handshake cut short cannot complete. It fails, without an alert back
         * (the peer has closed; BoringSSL and OpenSSL answer none either). */
        c->peer_alert = p[1];
        c->error = TENON_ERR_TLS_HANDSHAKE_CLOSED;
        tls_release_held_ticket(c);
        tls_note(c, tenon_strerror(c->error));
        return c->error;
    }
    if (p[1] == TENON_ALERT_CLOSE_NOTIFY) {
        c->peer_closed = 1;
        return TENON_OK;
    }
    /* RFC 5246 §7.2: "If an alert with a level of warning is sent and received, generally the
     * connection can continue normally" — no_renegotiation, say, after a HelloRequest. Also
     * before the version is known, if TLS 1.2 may be the one: a TLS 1.2 server's
     * unrecognized_name warning (RFC 6066 §3; OpenSSL's SNI callback sends it) comes before its
     * ServerHello. */
    int may_be12 =
        c->version == TENON_TLS12 || (c->version == 0 && tls_version_on(c->cfg, TENON_TLS12));
    if (may_be12 && p[0] == 1) {
        ENSURE(++c->warnings <= MAX_WARNINGS_RUN, TENON_ERR_TLS_UNEXPECTED_MESSAGE);
        return TENON_OK;
    }
    /* §6.1: user_canceled is followed by close_notify; §6: every other alert is fatal,
     * whatever its level says. */
    if (p[1] == TENON_ALERT_USER_CANCELED) {
        ENSURE(++c->warnings <= MAX_WARNINGS_RUN, TENON_ERR_TLS_UNEXPECTED_MESSAGE);
        return TENON_OK;
    }
    c->peer_alert = p[1];
    c->error = TENON_ERR_TLS_PEER_ALERT; /* no alert is sent back */
    tls_release_held_ticket(c);
    return TENON_ERR_TLS_PEER_ALERT;
}

/* The record being gathered (rec_start). */
static uint8_t *rec_buf(const tls_conn *c)
{
    return c->in + c->rec_off;
}

static int process_record(tls_conn *c)
{
    uint8_t *rec = rec_buf(c);
    uint8_t type = rec[0];
    size_t blen = c->rec_len - TLS_RECORD_HEADER_LEN;
    uint8_t *body = rec + TLS_RECORD_HEADER_LEN;
    GUARD(rd_wake(c));

    /* RFC 8446 §5: "An implementation may receive an unencrypted record of type
     * change_cipher_spec consisting of the single byte value 0x01 at any time after the first
     * ClientHello message has been sent or received and before the peer's Finished message has
     * been received and MUST simply drop it without further processing." */
    if (type == TLS_CT_CHANGE_CIPHER_SPEC && c->version != TENON_TLS12 &&
        tls_version_on(c->cfg, TENON_TLS13)) {
        ENSURE(in_handshake(c) && c->state != ST_S_WAIT_CH, TENON_ERR_TLS_UNEXPECTED_MESSAGE);
        ENSURE(blen == 1 && body[0] == 1, TENON_ERR_TLS_UNEXPECTED_MESSAGE);
        ENSURE(++c->ccs_run <= MAX_IDLE_RUN, TENON_ERR_TLS_UNEXPECTED_MESSAGE);
        return TENON_OK;
    }
    if (rd_on(c) && type == TLS_CT_ALERT && in_handshake(c) && blen == 2 && body[0] == 2 &&
        body[1] != TENON_ALERT_CLOSE_NOTIFY && body[1] != TENON_ALERT_USER_CANCELED) {
        /* A peer that failed before it had our keys alerts in the clear (a client refusing
         * our ServerHello). Only a fatal alert is taken so: it ends the connection, as cutting
         * the transport would; a plaintext close_notify or warning is someone else's
         * (unexpected_message below), never a reason to stall the handshake. */
        return handle_alert(c, body, blen);
    }
    if (rd_on(c) && c->version == TENON_TLS12) {
        uint8_t *content;
        size_t clen;
        GUARD(tls12_open(&c->rd12, rec, c->rec_len, &type, &content, &clen));
        /* RFC 8449 §4: in TLS 1.2 the limit is on the plaintext (record_overflow above it). */
        ENSURE(c->rsl_recv == 0 || clen <= c->rsl_recv, TENON_ERR_TLS_RECORD_OVERFLOW);
        body = content;
        blen = clen;
    } else if (rd_on(c)) {
        ENSURE(type == TLS_CT_APPLICATION_DATA, TENON_ERR_TLS_UNEXPECTED_MESSAGE);
        uint8_t *content;
        size_t clen;
        int rc = tls13_open_record(&c->rd, rec, c->rec_len, &type, &content, &clen);
        /* RFC 8446 §4.2.10: a server that rejects early data "skip[s] past early data by
         * attempting to deprotect received records using the handshake traffic key, discarding
         * records which fail deprotection (up to the configured max_early_data_size)": only
         * after a first ClientHello that offered it (skip_early_data), until the first record
         * that decrypts, TLS_EARLY_DATA_SKIP_LIMIT bytes at most; then bad_record_mac. */
        if (rc == TENON_ERR_TLS_BAD_RECORD_MAC && c->skip_early_data &&
            c->early_data_budget >= c->rec_len) {
            c->early_data_budget -= c->rec_len;
            return TENON_OK;
        }
        GUARD(rc);
        c->skip_early_data = 0;
        body = content;
        blen = clen;
        /* §5.4: "Implementations MUST NOT send Handshake and Alert records that have a
         * zero-length TLSInnerPlaintext.content; if such a message is received, the receiving
         * implementation MUST terminate the connection with an "unexpected_message" alert." */
        ENSURE(blen > 0 || type == TLS_CT_APPLICATION_DATA, TENON_ERR_TLS_UNEXPECTED_MESSAGE);
    } else if (type == TLS_CT_APPLICATION_DATA) {
        /* After a HelloRetryRequest, the client's early data arrives before ClientHello2
         * (§4.2.10: "skip all records with an external content type of application_data"),
         * within the same bound; past it, the record is one we cannot deprotect. */
        /* Not inside ClientHello2 once part of it came: §5.1, "Handshake messages MUST NOT be
         * interleaved with other record types" (unexpected_message below). */
        if (c->skip_early_data && c->state == ST_S_WAIT_CH2 && !tls_hs_reasm_pending(&c->reasm)) {
            ENSURE(c->early_data_budget >= c->rec_len, TENON_ERR_TLS_BAD_RECORD_MAC);
            c->early_data_budget -= c->rec_len;
            return TENON_OK;
        }
        return TENON_ERR_TLS_UNEXPECTED_MESSAGE;
    }

    trace_record(c, 0, type, rec, blen);
    if (type == TLS_CT_CHANGE_CIPHER_SPEC) {
        /* TLS 1.2 (RFC 5246 §7.1): struct { enum { change_cipher_spec(1), (255) } type; },
         * legal only where the state machine expects it, never inside a handshake message
         * (§7.4: "no intervening handshake messages" — the next one is Finished). */
        ENSURE(blen == 1 && body[0] == 1, TENON_ERR_TLS_UNEXPECTED_MESSAGE);
        ENSURE(!tls_hs_reasm_pending(&c->reasm), TENON_ERR_TLS_UNEXPECTED_MESSAGE);
        return hs12_change_cipher_spec_recv(c);
    }
    /* §5.1: "Handshake messages MUST NOT be interleaved with other record types." */
    if (type != TLS_CT_HANDSHAKE && tls_hs_reasm_pending(&c->reasm))
        return TENON_ERR_TLS_UNEXPECTED_MESSAGE;
    switch (type) {
    case TLS_CT_HANDSHAKE: {
        ENSURE(blen > 0, TENON_ERR_TLS_UNEXPECTED_MESSAGE);
        int limited = c->rsl_recv != 0;
        GUARD(handle_handshake(c, body, blen));
        /* A TLS 1.3 client learns that its limit is in force from EncryptedExtensions, inside
         * the first protected record: that record is held to it too (RFC 8449 §4). */
        if (!limited && c->rsl_recv != 0 && c->is_client && c->version == TENON_TLS13)
            ENSURE(c->rec_len - TLS_RECORD_HEADER_LEN <= (size_t)c->rsl_recv + TENON_AEAD_TAG_LEN,
                   TENON_ERR_TLS_RECORD_OVERFLOW);
        return TENON_OK;
    }
    case TLS_CT_ALERT:
        return handle_alert(c, body, blen);
    case TLS_CT_APPLICATION_DATA:
        ENSURE(c->state == ST_CONNECTED, TENON_ERR_TLS_UNEXPECTED_MESSAGE);
        if (blen == 0) {
            ENSURE(++c->empty_run <= MAX_IDLE_RUN, TENON_ERR_TLS_UNEXPECTED_MESSAGE);
            return TENON_OK;
        }
        note_progress(c);
        c->app = body;
        c->app_len = blen;
        return TENON_OK;
    default:
        /* Includes change_cipher_spec inside protection (§5). */
        return TENON_ERR_TLS_UNEXPECTED_MESSAGE;
    }
}

/* §5.1, §5.2: the header's type must be known and its length within the limits. */
static int check_header(const tls_conn *c, const uint8_t *h)
{
    size_t n = ((size_t)h[3] << 8) | h[4];
    switch (h[0]) {
    case TLS_CT_CHANGE_CIPHER_SPEC:
    case TLS_CT_ALERT:
    case TLS_CT_HANDSHAKE:
    case TLS_CT_APPLICATION_DATA:
        break;
    default:
        return TENON_ERR_TLS_UNEXPECTED_MESSAGE;
    }
    /* The record's version: RFC 5246 §E.1, "TLS servers ... MUST accept any value {03,XX} as
     * the record layer version number for ClientHello", and until the version is known any
     * record may carry another TLS version (an alert of a peer refusing ours), but never one of
     * another major version; TLS 1.2 records under protection carry the version negotiated
     * (§6.2.1: "The version of the protocol being employed"). Once TLS 1.3 is negotiated,
     * legacy_record_version "MUST be ignored for all purposes" (RFC 8446 §5.1). */
    if (c->version != TENON_TLS13)
        ENSURE(h[1] == 3, TENON_ERR_TLS_UNEXPECTED_MESSAGE);
    if (c->version == TENON_TLS12 && rd_on(c))
        ENSURE(h[2] == 3, TENON_ERR_TLS_UNEXPECTED_MESSAGE);
    /* §5.1: "The length MUST NOT exceed 2^14 bytes" (plaintext); §5.2: 2^14 + 256 for a
     * TLSCiphertext. */
    /* RFC 5246 §6.2.3 allows TLS 1.2 ciphertexts up to 2^14 + 2048 bytes, room for
     * compression, which TLS 1.2 without it never uses: with the suites tenon has a record
     * grows by at most 16 (IV) + 32 (HMAC-SHA256) + 256 (padding) bytes, so a longer one cannot
     * be genuine. */
    size_t max =
        (rd_on(c) || h[0] == TLS_CT_APPLICATION_DATA) ? TLS13_MAX_CIPHERTEXT : TLS_MAX_PLAINTEXT;
    if (c->version == TENON_TLS12 && rd_on(c))
        max = TLS_MAX_PLAINTEXT + TLS12_MAX_EXPANSION;
    ENSURE(n <= max, TENON_ERR_TLS_RECORD_OVERFLOW);
    /* A record the record area cannot hold (a small input buffer: record_area). rec_start
     * moves a record only where every record this check lets through still fits. */
    ENSURE(TLS_RECORD_HEADER_LEN + n <= c->rec_cap - c->rec_off, TENON_ERR_TLS_RECORD_OVERFLOW);
    /* RFC 8449 §4: "A TLS endpoint that receives a record larger than its advertised limit MUST
     * generate a fatal "record_overflow" alert." TLS 1.3 knows from the header: the
     * TLSInnerPlaintext is the body less the tag (TLS 1.2: after decryption, process_record).
     * Not while a server skips rejected early data: "Records are subject to the limits that were
     * set in the handshake that produces the keys that are used to protect those records", and
     * 0-RTT keys come from an earlier one. */
    if (c->version == TENON_TLS13 && rd_on(c) && c->rsl_recv != 0 && !c->skip_early_data)
        ENSURE(n <= (size_t)c->rsl_recv + TENON_AEAD_TAG_LEN, TENON_ERR_TLS_RECORD_OVERFLOW);
    return TENON_OK;
}

/* ------------------------------------------------------------------------------------------
 * Public API
 * ------------------------------------------------------------------------------------------ */

static tls_conn *get(tenon_conn *conn)
{
    if (conn == NULL)
        return NULL;
    tls_conn *c = tls_conn_of(conn);
    return c->magic == TLS_CONN_MAGIC ? c : NULL;
}

static const tls_conn *get_const(const tenon_conn *conn)
{
    if (conn == NULL)
        return NULL;
    const tls_conn *c = tls_conn_of_const(conn);
    return c->magic == TLS_CONN_MAGIC ? c : NULL;
}

/* The layout of the input buffer, in one place: the smallest one a configuration takes, and
 * the size of its record area (in[0, rec_cap)); the rest is the handshake-message area. A
 * whole record of the largest size, or, in a buffer below TENON_CONN_IN_MIN (allowed with a
 * record_size_limit: TENON_CONN_IN_MIN_FOR), what is left beside the minimum handshake-message
 * area, which still holds a record of the limit (tls_rsl_ours announces what it holds). */
static size_t in_min(const tenon_config *cfg)
{
    return cfg->record_size_limit != 0 ? TENON_CONN_IN_MIN_FOR(cfg->record_size_limit)
                                       : TENON_CONN_IN_MIN;
}

static size_t record_area(size_t in_len)
{
    if (in_len >= TENON_CONN_IN_MIN)
        return TENON_CONN_RECORD_SIZE;
    return in_len - (TENON_CONN_IN_MIN - TENON_CONN_RECORD_SIZE);
}

/* The caller's buffers: each starts with its work area (TENON_CONN_HS_SIZE, TENON_CONN_KEYS_SIZE
 * bytes), then the records. */
static void take_buffers(tls_conn *c, uint8_t *in, size_t in_len, uint8_t *out, size_t out_len)
{
    c->in = in + TENON_CONN_HS_SIZE;
    c->in_cap = in_len - TENON_CONN_HS_SIZE;
    c->out = out + TENON_CONN_KEYS_SIZE;
    c->out_cap = out_len - TENON_CONN_KEYS_SIZE;
}
static uint8_t *in_base(const tls_conn *c)
{
    return c->in - TENON_CONN_HS_SIZE;
}
static uint8_t *out_base(const tls_conn *c)
{
    return c->out - TENON_CONN_KEYS_SIZE;
}

/* The input's work area, 16-byte aligned inside its TENON_CONN_HS_SIZE bytes: tls_hs, then
 * tls_peer (TLS_WORK_* in tls13.h); the read keys follow them (tls_rd_ctx). */
static void tls_work_init(tls_conn *c, uint8_t *in)
{
    uint8_t *work = tls_work_align(in);
    memset(in, 0, TENON_CONN_HS_SIZE);
    c->hs = (tls_hs *)(void *)(work + TLS_WORK_HS);
    c->peer = (tls_peer *)(void *)(work + TLS_WORK_PEER);
}

/* The handshake is over (and a server's tickets written): its state is wiped and gone. */
static void hs_end(tls_conn *c)
{
    tls_transcript_wipe(&c->hs->tx);
    tenon_wipe(c->hs, sizeof *c->hs);
    c->hs = NULL;
}

int tls_conn_init_with_hooks(tenon_conn *conn, const tenon_config *cfg, uint8_t *in, size_t in_len,
                             uint8_t *out, size_t out_len, const uint8_t *random32,
                             const uint8_t *kex_priv)
{
    ENSURE(conn != NULL, TENON_ERR_INVALID_ARGUMENT);
    memset(conn, 0, sizeof *conn);
    GUARD(tenon_config_check(cfg, NULL));
    ENSURE(in != NULL && out != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(in_len >= in_min(cfg) && out_len >= TENON_CONN_OUT_MIN, TENON_ERR_BUFFER_TOO_SMALL);
    tls_conn *c = tls_conn_of(conn);
    take_buffers(c, in, in_len, out, out_len);
    tls_work_init(c, in);
    c->cfg = cfg;
    c->is_client = cfg->role == TENON_CLIENT;
    c->peer_alert = -1;
    c->trace.fn = cfg->trace_fn;
    c->trace.user = cfg->trace_user;
    c->trace.show_secrets = cfg->trace_secrets;
    c->trace.is_client = c->is_client;
    c->rec_cap = record_area(in_len);
    c->hs->test_random = random32;
    c->hs->test_kex_priv = kex_priv;
    tls_transcript_init(&c->hs->tx);
    if (c->is_client)
        GUARD(hs_client_transcript_init(c));
    GUARD(tls12_transcript_for_client_auth(c));
    GUARD(tls_hs_reasm_init(&c->reasm, c->in + c->rec_cap, c->in_cap - c->rec_cap));
    c->magic = TLS_CONN_MAGIC;
    if (c->is_client) {
        c->state = ST_C_WAIT_SH;
        int rc = hs_client_hello_send(c);
        if (rc == TENON_OK)
            rc = tls_flush_handshake(c);
        if (rc != TENON_OK) {
            c->error = rc;
            return rc;
        }
    } else {
        c->state = ST_S_WAIT_CH;
    }
    return TENON_OK;
}

TENON_API int tenon_conn_init(tenon_conn *conn, const tenon_config *cfg, uint8_t *in, size_t in_len,
                              uint8_t *out, size_t out_len)
{
    return tls_conn_init_with_hooks(conn, cfg, in, in_len, out, out_len, NULL, NULL);
}

/* May the engine take more bytes (into its one record buffer)? */
static int may_gather(const tls_conn *c)
{
    return c->error == 0 && !c->peer_closed && c->app_len == 0;
}

static size_t record_total(const tls_conn *c)
{
    const uint8_t *h = rec_buf(c);
    return TLS_RECORD_HEADER_LEN + (((size_t)h[3] << 8) | h[4]);
}

static int record_complete(const tls_conn *c)
{
    return c->rec_len >= TLS_RECORD_HEADER_LEN && c->rec_len == record_total(c);
}

/* May the record gathered be processed now? A handshake record may make us answer with a
 * whole flight, so during the handshake it waits until the output has been sent; once data
 * flows, a record needs only room for a KeyUpdate or an alert. Records that cause no output
 * (change_cipher_spec, alerts) never wait. */
static int may_process(const tls_conn *c)
{
    uint8_t type = rec_buf(c)[0];
    if ((type == TLS_CT_CHANGE_CIPHER_SPEC && c->version != TENON_TLS12 &&
         tls_version_on(c->cfg, TENON_TLS13)) ||
        (type == TLS_CT_ALERT && !rd_on(c)))
        return 1;
    if (in_handshake(c))
        return c->out_len == c->out_sent;
    return c->out_cap - (c->out_len - c->out_sent) >= OUT_RESERVE + 64;
}

static int wants_input(const tls_conn *c)
{
    return may_gather(c) && !record_complete(c);
}

/* How many more bytes the record buffer takes now: the rest of the header, then the rest of the
 * record (one record at a time); 0 when the engine takes none. */
static size_t gather_want(const tls_conn *c)
{
    if (!may_gather(c) || record_complete(c))
        return 0;
    return c->rec_len < TLS_RECORD_HEADER_LEN ? TLS_RECORD_HEADER_LEN - c->rec_len
                                              : record_total(c) - c->rec_len;
}

/* Where the next record goes, before its first byte is gathered. A TLS 1.3 protected record is
 * opened in place, and its body (in + rec_off + 5) on a 16-byte boundary spares the AEAD loads
 * and stores that straddle cache lines: ChaCha20-Poly1305 opens a 1 KiB record some 200 TSC
 * ticks faster. Only where the record area still holds the longest record check_header admits
 * (2^14 + 256 bytes of body, §5.2) at that offset: no record is refused that would otherwise
 * fit, and TLS 1.2 and unprotected records keep offset 0. */
static void rec_start(tls_conn *c)
{
    if (c->rec_len != 0)
        return;
    size_t off = 0;
    if (c->version == TENON_TLS13 && c->rd.active) {
        off = (size_t)(-(uintptr_t)(c->in + TLS_RECORD_HEADER_LEN) & 15);
        if (c->rec_cap < off + TLS_RECORD_HEADER_LEN + TLS13_MAX_CIPHERTEXT)
            off = 0;
    }
    c->rec_off = (uint8_t)off;
}

/* n bytes (at most gather_want) have been put at rec_buf + rec_len: by tenon_conn_feed's copy or by
 * the caller straight into the space tenon_conn_input_space gave. */
static int gathered(tls_conn *c, size_t n)
{
    c->rec_len += n;
    if (c->rec_off + c->rec_len > c->in_used)
        c->in_used = (uint32_t)(c->rec_off + c->rec_len);
    if (n > 0 && c->rec_len == TLS_RECORD_HEADER_LEN) {
        int rc = check_header(c, rec_buf(c));
        if (rc != TENON_OK)
            return fail(c, rc);
    }
    return TENON_OK;
}

/* Processes the record gathered, if it is whole and may be processed. */
static int run_record(tls_conn *c, int *done)
{
    *done = 0;
    if (!record_complete(c) || !may_process(c))
        return TENON_OK;
    int rc = process_record(c);
    if (rc == TENON_OK)
        rc = tls_flush_handshake(c);
    if (rc == TENON_OK && c->state == ST_CONNECTED && c->hs != NULL)
        hs_end(c);
    c->rec_len = 0;
    *done = 1;
    if (rc != TENON_OK)
        return fail(c, rc);
    return c->error;
}

TENON_API int tenon_conn_feed(tenon_conn *conn, const uint8_t *data, size_t len, size_t *consumed)
{
    tls_conn *c = get(conn);
    ENSURE(c != NULL && consumed != NULL && (data != NULL || len == 0), TENON_ERR_INVALID_ARGUMENT);
    *consumed = 0;
    if (c->error != 0)
        return c->error;
    ENSURE(c->in != NULL, TENON_ERR_NO_BUFFERS);
    for (;;) {
        int done;
        GUARD(run_record(c, &done));
        if (c->peer_closed && *consumed < len) {
            /* RFC 8446 §6.1: data after close_notify is ignored. */
            *consumed = len;
            break;
        }
        size_t want = gather_want(c);
        if (*consumed == len || want == 0)
            break;
        size_t n = len - *consumed < want ? len - *consumed : want;
        rec_start(c);
        memcpy(rec_buf(c) + c->rec_len, data + *consumed, n);
        *consumed += n;
        GUARD(gathered(c, n));
    }
    return TENON_OK;
}

TENON_API int tenon_conn_input_space(tenon_conn *conn, uint8_t **p, size_t *cap)
{
    tls_conn *c = get(conn);
    ENSURE(c != NULL && p != NULL && cap != NULL, TENON_ERR_INVALID_ARGUMENT);
    *p = NULL;
    *cap = 0;
    if (c->error != 0)
        return c->error;
    ENSURE(c->in != NULL, TENON_ERR_NO_BUFFERS);
    size_t want = gather_want(c);
    if (want > 0) {
        rec_start(c);
        *p = rec_buf(c) + c->rec_len;
        *cap = want;
    }
    return TENON_OK;
}

TENON_API int tenon_conn_input_commit(tenon_conn *conn, size_t n)
{
    tls_conn *c = get(conn);
    ENSURE(c != NULL, TENON_ERR_INVALID_ARGUMENT);
    if (c->error != 0)
        return c->error;
    ENSURE(c->in != NULL, TENON_ERR_NO_BUFFERS);
    /* The space tenon_conn_input_space gave is exactly what gather_want allows now: more than
     * that was never the caller's to write. */
    ENSURE(n <= gather_want(c), TENON_ERR_INVALID_ARGUMENT);
    if (n > 0)
        GUARD(gathered(c, n));
    /* As tenon_conn_feed: a record made whole is processed at once (or waits, as there). */
    int done;
    return run_record(c, &done);
}

TENON_API int tenon_conn_transport_eof(tenon_conn *conn)
{
    tls_conn *c = get(conn);
    ENSURE(c != NULL, TENON_ERR_INVALID_ARGUMENT);
    if (c->error != 0)
        return c->error;
    if (c->peer_closed)
        return TENON_OK;
    /* RFC 8446 §6.1: without close_notify the data may have been truncated; the transport is
     * gone, so no alert is sent. */
    c->error = TENON_ERR_TLS_TRUNCATED;
    tls_release_held_ticket(c);
    tls_note(c, "transport closed without close_notify: truncation");
    return c->error;
}

TENON_API void tenon_conn_output(tenon_conn *conn, const uint8_t **data, size_t *len)
{
    tls_conn *c = get(conn);
    if (data == NULL || len == NULL)
        return;
    if (c == NULL || c->out == NULL) {
        *data = NULL;
        *len = 0;
        return;
    }
    *data = c->out + c->out_sent;
    *len = c->out_len - c->out_sent;
}

TENON_API void tenon_conn_output_consume(tenon_conn *conn, size_t n)
{
    tls_conn *c = get(conn);
    if (c == NULL)
        return;
    size_t pending = c->out_len - c->out_sent;
    c->out_sent += n < pending ? n : pending;
    if (c->out_sent == c->out_len) {
        note_out_used(c);
        c->out_sent = c->out_len = 0;
    }
    if (c->alert_owed && send_alert(c, 2, c->owed_desc) == TENON_OK)
        c->alert_owed = 0;
    /* A record that waited for the output to drain is processed now; an error becomes the
     * sticky one and shows in tenon_conn_status. */
    int done;
    if (c->error == 0)
        (void)run_record(c, &done);
}

/* Into an empty output, a TLS 1.3 write starts where its first record's body (out + 5) is on a
 * 16-byte boundary: the AEAD stores the ciphertext without straddling cache lines (ChaCha20-
 * Poly1305 seals a 1 KiB record some 40 TSC ticks faster). The bytes skipped are never sent
 * (out_sent starts past them). Only when all of len fits either way, so the records written and
 * the bytes taken are those of an unmoved output. */
static void out_align(tls_conn *c, size_t len, size_t overhead, size_t frag)
{
    if (c->out_len != 0 || len == 0)
        return;
    size_t pad = (size_t)(-(uintptr_t)(c->out + TLS_RECORD_HEADER_LEN) & 15);
    size_t per = overhead - OUT_RESERVE; /* header, type and tag of one record */
    if (len > c->out_cap)                /* more than fits: so the count below cannot overflow */
        return;
    /* One record, the usual case, without a division. */
    size_t records = len <= frag ? 1 : (len + frag - 1) / frag;
    if (pad + len + records * per + OUT_RESERVE > c->out_cap)
        return;
    c->out_len = c->out_sent = pad;
}

static int send_owed_key_update(tls_conn *c)
{
    if (!c->key_update_pending)
        return TENON_OK;
    c->key_update_pending = 0;
    return hs_key_update_send(c, 0);
}

TENON_API int tenon_conn_write(tenon_conn *conn, const void *data, size_t len, size_t *written)
{
    tls_conn *c = get(conn);
    ENSURE(c != NULL && written != NULL && (data != NULL || len == 0), TENON_ERR_INVALID_ARGUMENT);
    *written = 0;
    if (c->error != 0)
        return c->error;
    ENSURE(c->state == ST_CONNECTED, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(!c->sent_close, TENON_ERR_TLS_CLOSED);
    ENSURE(c->out != NULL, TENON_ERR_NO_BUFFERS);
    out_compact(c);
    /* The KeyUpdate owed goes before any data: without room for it, nothing is taken yet. */
    if (c->key_update_pending && c->out_cap - c->out_len < OUT_RESERVE)
        return TENON_OK;
    int rc = send_owed_key_update(c);
    if (rc != TENON_OK)
        return fail(c, rc);
    rc = wr_wake(c);
    if (rc != TENON_OK)
        return fail(c, rc);
    const uint8_t *p = data;
    int v12 = c->version == TENON_TLS12;
    size_t overhead = OUT_RESERVE + (v12 ? tls12_overhead(&c->wr12)
                                         : TLS_RECORD_HEADER_LEN + 1 + TENON_AEAD_TAG_LEN);
    /* 2^14, or the peer's record size limit (RFC 8449 §4). */
    size_t frag = tls_rsl_send_max(c);
    if (!v12)
        out_align(c, len, overhead, frag);
    while (*written < len) {
        size_t room = c->out_cap - c->out_len;
        if (room <= overhead)
            break;
        size_t n = len - *written;
        if (n > frag)
            n = frag;
        /* While earlier output is unsent, a record waits until it fits whole, as it would in
         * the empty buffer, instead of being cut to the room left: a transport that takes a
         * few bytes at a time would otherwise get a record (header, tag or MAC) for every few
         * bytes of data. */
        size_t whole = n < c->out_cap - overhead ? n : c->out_cap - overhead;
        if (room - overhead < whole && c->out_len > 0)
            break;
        if (n > room - overhead)
            n = room - overhead;
        size_t rec;
        if (v12)
            rc = tls12_seal(&c->wr12, TLS_CT_APPLICATION_DATA, p + *written, n, c->out + c->out_len,
                            room, &rec);
        else
            rc = tls13_seal_record(&c->wr, TLS_CT_APPLICATION_DATA, p + *written, n, 0,
                                   c->out + c->out_len, room, &rec);
        if (rc != TENON_OK)
            return fail(c, rc);
        c->out_len += rec;
        *written += n;
    }
    return TENON_OK;
}

TENON_API int tenon_conn_read(tenon_conn *conn, void *buf, size_t cap, size_t *n)
{
    tls_conn *c = get(conn);
    ENSURE(c != NULL && n != NULL && (buf != NULL || cap == 0), TENON_ERR_INVALID_ARGUMENT);
    *n = 0;
    if (c->error != 0)
        return c->error;
    if (c->app_len > 0) {
        size_t k = cap < c->app_len ? cap : c->app_len;
        memcpy(buf, c->app, k);
        c->app += k;
        c->app_len -= k;
        *n = k;
        return TENON_OK;
    }
    if (c->peer_closed)
        return TENON_ERR_TLS_CLOSED;
    return TENON_OK;
}

TENON_API int tenon_conn_read_view(tenon_conn *conn, const uint8_t **p, size_t *n)
{
    tls_conn *c = get(conn);
    ENSURE(c != NULL && p != NULL && n != NULL, TENON_ERR_INVALID_ARGUMENT);
    *p = NULL;
    *n = 0;
    if (c->error != 0)
        return c->error;
    if (c->app_len > 0) {
        /* The plaintext where the record was opened, in the input buffer: while app_len is
         * non-zero no input is gathered over it (may_gather) and the buffers are not released
         * (tenon_conn_can_release). */
        *p = c->app;
        *n = c->app_len;
        return TENON_OK;
    }
    if (c->peer_closed)
        return TENON_ERR_TLS_CLOSED;
    return TENON_OK;
}

TENON_API int tenon_conn_read_consume(tenon_conn *conn, size_t n)
{
    tls_conn *c = get(conn);
    ENSURE(c != NULL, TENON_ERR_INVALID_ARGUMENT);
    if (c->error != 0)
        return c->error;
    ENSURE(n <= c->app_len, TENON_ERR_INVALID_ARGUMENT);
    c->app += n;
    c->app_len -= n;
    return TENON_OK;
}

TENON_API int tenon_conn_close(tenon_conn *conn)
{
    tls_conn *c = get(conn);
    ENSURE(c != NULL, TENON_ERR_INVALID_ARGUMENT);
    if (c->error != 0)
        return c->error;
    if (c->sent_close)
        return TENON_OK;
    ENSURE(c->out != NULL, TENON_ERR_NO_BUFFERS);
    /* Without room for close_notify nothing changes: the caller sends the output and calls
     * again (the connection has not failed). */
    GUARD(send_alert(c, 1, TENON_ALERT_CLOSE_NOTIFY));
    c->sent_close = 1;
    return TENON_OK;
}

TENON_API unsigned tenon_conn_status(const tenon_conn *conn)
{
    const tls_conn *c = get_const(conn);
    if (c == NULL)
        return TENON_FAILED;
    unsigned st = 0;
    if (c->out_len > c->out_sent)
        st |= TENON_HAS_OUTPUT;
    if (c->app_len > 0)
        st |= TENON_READABLE;
    if (c->error != 0)
        return st | TENON_FAILED;
    if (c->state == ST_CONNECTED)
        st |= TENON_HANDSHAKE_DONE;
    if (c->peer_closed)
        st |= TENON_PEER_CLOSED;
    if (c->sent_close)
        st |= TENON_CLOSED;
    if (wants_input(c))
        st |= TENON_WANT_INPUT;
    if (c->in == NULL)
        st |= TENON_NO_BUFFERS;
    return st;
}

TENON_API int tenon_conn_error(const tenon_conn *conn)
{
    const tls_conn *c = get_const(conn);
    return c == NULL ? TENON_ERR_INVALID_ARGUMENT : c->error;
}

TENON_API int tenon_conn_peer_alert(const tenon_conn *conn)
{
    const tls_conn *c = get_const(conn);
    return c == NULL ? -1 : c->peer_alert;
}

TENON_API int tenon_conn_info_get(const tenon_conn *conn, tenon_conn_info *info)
{
    const tls_conn *c = get_const(conn);
    ENSURE(c != NULL && info != NULL, TENON_ERR_INVALID_ARGUMENT);
    memset(info, 0, sizeof *info);
    ENSURE(c->state == ST_CONNECTED, TENON_ERR_INVALID_ARGUMENT);
    info->version = c->version;
    info->suite = c->version == TENON_TLS12 ? c->suite12->id : c->suite->id;
    info->suite_name = c->version == TENON_TLS12 ? c->suite12->name : c->suite->name;
    info->ext_master_secret = c->version == TENON_TLS12 && c->ems;
    info->encrypt_then_mac = c->version == TENON_TLS12 && c->etm;
    info->group = c->kex != NULL ? c->kex->tls_group : 0;
    info->group_name = c->kex != NULL ? c->kex->name : NULL;
    info->sig_scheme = c->peer_sig_scheme;
    /* The configuration's entry: it outlives the connection. */
    info->alpn.ptr = (const uint8_t *)tls_alpn(c);
    info->alpn.len = c->alpn > 0 ? strlen(tls_alpn(c)) : 0;
    info->server_name.ptr = c->sni_len ? (const uint8_t *)c->sni : NULL;
    info->server_name.len = c->sni_len;
    /* The chain (and the staples) went with the input buffer if it was released. */
    for (size_t i = 0; c->peer != NULL && i < c->peer->peer_chain_count; i++)
        info->peer_chain[i] = c->peer->peer_chain[i];
    info->peer_chain_count = c->peer != NULL ? c->peer->peer_chain_count : 0;
    info->resumed = c->resumed;
    info->hello_retry = c->hrr;
    info->client_authenticated =
        !c->is_client &&
        ((c->peer_sent_cert && c->cert_verified && c->signature_verified) || c->resumed_auth);
    info->has_peer_leaf_hash = tls_peer_leaf(c, info->peer_leaf_sha256);
    info->record_size_limit_peer = c->rsl_peer;
    info->record_size_limit_ours = c->rsl_recv;
    /* c->cert points into the caller's config; a resumption authenticates with the session
     * and sends no certificate, whatever was picked before the PSK was accepted. */
    info->cert_index = c->resumed || c->cert == NULL ? -1 : (int)(c->cert - c->cfg->certs);
    if (c->peer != NULL) {
        info->ocsp_response = c->peer->peer_ocsp;
        info->sct_list = c->peer->peer_scts;
    }
    return TENON_OK;
}

/* ------------------------------------------------------------------------------------------
 * Buffers that come and go
 * ------------------------------------------------------------------------------------------ */

/* Bytes the engine still needs from its buffers: a record being gathered, a handshake message
 * split over records, application data not yet read, output not yet sent, an alert owed. */
static int buffers_hold_bytes(const tls_conn *c)
{
    return c->rec_len != 0 || c->app_len != 0 || c->out_len != c->out_sent || c->hs_open != 0 ||
           c->alert_owed || tls_hs_reasm_pending(&c->reasm);
}

TENON_API int tenon_conn_can_release(const tenon_conn *conn)
{
    const tls_conn *c = get_const(conn);
    return c != NULL && c->in != NULL && c->state == ST_CONNECTED && !buffers_hold_bytes(c);
}

TENON_API int tenon_conn_release_buffers(tenon_conn *conn, uint8_t **in, size_t *in_len,
                                         uint8_t **out, size_t *out_len)
{
    tls_conn *c = get(conn);
    ENSURE(c != NULL && in != NULL && in_len != NULL && out != NULL && out_len != NULL,
           TENON_ERR_INVALID_ARGUMENT);
    ENSURE(c->in != NULL, TENON_ERR_NO_BUFFERS);
    ENSURE(c->state == ST_CONNECTED && !buffers_hold_bytes(c), TENON_ERR_BUFFERS_BUSY);
    /* They held plaintext, handshake messages, the peer's chain and the expanded keys (the
     * raw ones stay here: tenon_conn_give_buffers's buffers get them again, lazily). */
    if (c->version == TENON_TLS12) {
        tls12_dir_sleep(&c->rd12);
        tls12_dir_sleep(&c->wr12);
    } else {
        tls_record_keys_sleep(&c->rd);
        tls_record_keys_sleep(&c->wr);
    }
    *in = in_base(c);
    *in_len = c->in_cap + TENON_CONN_HS_SIZE;
    *out = out_base(c);
    *out_len = c->out_cap + TENON_CONN_KEYS_SIZE;
    /* Every byte written since the buffers were given, and no more (a server's pool holds
     * buffers of tens of KB that a request/response touches only the start of): the work
     * areas, the records received and sent, the reassembly area if a split message or the
     * peer's chain used it. */
    note_out_used(c);
    if (c->error != 0) {
        /* A failure may have left bytes anywhere (a record half sealed): all of it. */
        c->in_used = (uint32_t)c->in_cap;
        c->out_used = (uint32_t)c->out_cap;
    }
    tenon_wipe(*in, TENON_CONN_HS_SIZE);
    tenon_wipe(*out, TENON_CONN_KEYS_SIZE);
    tenon_wipe(c->in, c->in_used);
    tenon_wipe(c->out, c->out_used);
    if (c->reasm_used)
        tenon_wipe(c->in + c->rec_cap, c->in_cap - c->rec_cap);
    else
        tenon_wipe(c->in + c->in_cap - c->peer_cert_len, c->peer_cert_len);
    c->in_used = c->out_used = 0;
    c->reasm_used = 0;
    memset(&c->reasm, 0, sizeof c->reasm);
    c->peer = NULL;
    c->peer_cert_len = 0;
    c->app = NULL;
    c->in = c->out = NULL;
    c->in_cap = c->out_cap = c->out_len = c->out_sent = 0;
    return TENON_OK;
}

TENON_API int tenon_conn_give_buffers(tenon_conn *conn, uint8_t *in, size_t in_len, uint8_t *out,
                                      size_t out_len)
{
    tls_conn *c = get(conn);
    ENSURE(c != NULL && in != NULL && out != NULL, TENON_ERR_INVALID_ARGUMENT);
    if (c->error != 0)
        return c->error;
    ENSURE(c->in == NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(in_len >= in_min(c->cfg) && out_len >= TENON_CONN_OUT_MIN, TENON_ERR_BUFFER_TOO_SMALL);
    c->rec_cap = record_area(in_len);
    GUARD(tls_hs_reasm_init(&c->reasm, in + TENON_CONN_HS_SIZE + c->rec_cap,
                            in_len - TENON_CONN_HS_SIZE - c->rec_cap));
    take_buffers(c, in, in_len, out, out_len);
    /* The work area's handshake part stays unused: the handshake is over. */
    tenon_wipe(in, TENON_CONN_HS_SIZE);
    return TENON_OK;
}

TENON_API int tenon_conn_key_update(tenon_conn *conn, int request_peer_update)
{
    tls_conn *c = get(conn);
    ENSURE(c != NULL, TENON_ERR_INVALID_ARGUMENT);
    if (c->error != 0)
        return c->error;
    ENSURE(c->state == ST_CONNECTED && c->version == TENON_TLS13, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(!c->sent_close, TENON_ERR_TLS_CLOSED);
    ENSURE(c->out != NULL, TENON_ERR_NO_BUFFERS);
    /* Without room for the KeyUpdate nothing changes (not a failure): send the output, call
     * again. */
    out_compact(c);
    ENSURE(c->out_cap - c->out_len >= OUT_RESERVE, TENON_ERR_BUFFER_TOO_SMALL);
    c->key_update_pending = 0; /* this update answers any request too */
    int rc = hs_key_update_send(c, request_peer_update != 0);
    return rc == TENON_OK ? rc : fail(c, rc);
}

TENON_API int tenon_conn_export(const tenon_conn *conn, const char *label, const uint8_t *context,
                                size_t context_len, uint8_t *out, size_t len)
{
    const tls_conn *c = get_const(conn);
    ENSURE(c != NULL && label != NULL && out != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(context != NULL || context_len == 0, TENON_ERR_INVALID_ARGUMENT);
    if (c->error != 0)
        return c->error;
    ENSURE(c->state == ST_CONNECTED, TENON_ERR_INVALID_ARGUMENT);
    /* RFC 7627 §5.4 / RFC 5705: without the extended master secret, the exported keys of two
     * connections can be made equal by a man in the middle (the triple handshake): refused. */
    if (c->version == TENON_TLS12)
        ENSURE(c->ems, TENON_ERR_INVALID_ARGUMENT);
    if (c->version == TENON_TLS12)
        return tls12_export(c->suite12->prf, c->master, c->randoms12, c->randoms12 + 32, label,
                            context, context_len, out, len);
    /* RFC 8446 §7.5: an absent context and an empty one are the same in TLS 1.3. */
    static const uint8_t empty[1] = {0};
    return tls13_export(c->suite->hash, c->exporter, label, strlen(label),
                        context != NULL ? context : empty, context_len, out, len);
}

TENON_API int tenon_conn_tls_unique(const tenon_conn *conn, uint8_t *out, size_t cap, size_t *len)
{
    const tls_conn *c = get_const(conn);
    ENSURE(c != NULL && out != NULL && len != NULL, TENON_ERR_INVALID_ARGUMENT);
    *len = 0;
    if (c->error != 0)
        return c->error;
    ENSURE(c->state == ST_CONNECTED && c->version == TENON_TLS12 && c->tls_unique_len > 0,
           TENON_ERR_INVALID_ARGUMENT);
    /* RFC 7627 (abstract): without the extended master secret an attacker can "set up two
     * sessions ... such that the master secrets on the two sessions are the same"; an
     * abbreviated handshake then gives both the same Finished. */
    ENSURE(c->ems || !c->resumed, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(cap >= c->tls_unique_len, TENON_ERR_BUFFER_TOO_SMALL);
    memcpy(out, c->tls_unique, c->tls_unique_len);
    *len = c->tls_unique_len;
    return TENON_OK;
}

TENON_API void tenon_conn_wipe(tenon_conn *conn)
{
    if (conn == NULL)
        return;
    tls_conn *c = tls_conn_of(conn);
    if (c->magic == TLS_CONN_MAGIC) {
        if (c->version == TENON_TLS12) {
            tls12_dir_wipe(&c->rd12);
            tls12_dir_wipe(&c->wr12);
        } else {
            tls_record_keys_wipe(&c->rd);
            tls_record_keys_wipe(&c->wr);
        }
        /* A ticket slot this connection still holds goes back to the store, wiped. */
        tls_release_held_ticket(c);
        tls_hs_reasm_reset(&c->reasm);
        if (c->hs != NULL)
            tls_transcript_wipe(&c->hs->tx);
        /* The buffers hold plaintext (application data, handshake messages), the handshake
         * state and the expanded keys. */
        if (c->in != NULL)
            tenon_wipe(in_base(c), c->in_cap + TENON_CONN_HS_SIZE);
        if (c->out != NULL)
            tenon_wipe(out_base(c), c->out_cap + TENON_CONN_KEYS_SIZE);
    }
    tenon_wipe(conn, sizeof *conn);
}
