/*
 * Internal: cutting handshake messages out of handshake record payloads (RFC 8446 §5.1).
 *
 * "Handshake messages MAY be coalesced into a single TLSPlaintext record or fragmented across
 * several records". The reassembler takes the (decrypted) payload of one handshake record at a
 * time and hands out whole messages, each with its 4-byte header (msg_type, uint24 length):
 *
 *   tls_hs_reasm_add(r, payload, len);        // one record's payload
 *   while ((rc = tls_hs_reasm_next(r, &msg)) == TLS_HS_MSG) { ... }
 *   if (rc < 0) fail; else (TLS_HS_NEED_MORE) read the next record;
 *
 * A message that lies whole inside the current record is handed out in place (a view into the
 * caller's record buffer); only one split over records is copied into the caller-provided
 * buffer, whose size is the largest message accepted. No allocation. The views handed out stay
 * valid until the next call to tls_hs_reasm_add() or tls_hs_reasm_next(), and only as long as
 * the record buffer given to tls_hs_reasm_add() is left alone.
 *
 * RFC 8446 §5.1: "Handshake messages MUST NOT span key changes. Implementations MUST verify that
 * all messages immediately preceding a key change align with a record boundary; if not, then
 * they MUST terminate the connection with an "unexpected_message" alert." The engine calls
 * tls_hs_reasm_key_change() after processing each message that changes the read keys
 * (ServerHello, EndOfEarlyData, Finished, KeyUpdate, ...).
 */
#ifndef TENON_TLS_HS_REASSEMBLY_H
#define TENON_TLS_HS_REASSEMBLY_H

#include <stddef.h>
#include <stdint.h>

#include "../common.h"

#define TLS_HS_HEADER_LEN 4

/* Results of tls_hs_reasm_next besides the negative errors. */
enum {
    TLS_HS_NEED_MORE = 0, /* the current record is used up: feed the next one */
    TLS_HS_MSG = 1,       /* a whole message was handed out */
};

typedef struct tls_hs_msg {
    uint8_t type;        /* HandshakeType */
    const uint8_t *msg;  /* the whole message, header included (what the transcript hashes) */
    size_t msg_len;      /* 4 + body_len */
    const uint8_t *body; /* msg + 4 */
    size_t body_len;
} tls_hs_msg;

typedef struct tls_hs_reasm {
    uint8_t *buf;       /* caller's buffer for a message split over records */
    size_t cap;         /* its size: the largest whole message (header included) accepted */
    size_t have;        /* bytes of a split message held in buf (0: none pending) */
    const uint8_t *rec; /* the current record payload (not owned) */
    size_t rec_len;
    size_t rec_off; /* bytes of it consumed */
} tls_hs_reasm;

/* buf/cap: cap is the largest message accepted, header included; at least 4. */
TENON_MUST_CHECK int tls_hs_reasm_init(tls_hs_reasm *r, uint8_t *buf, size_t cap);

/* Hands over the payload of the next handshake record. The previous record must be used up
 * (tls_hs_reasm_next returned TLS_HS_NEED_MORE), else TENON_ERR_INTERNAL. An empty payload is
 * TENON_ERR_TLS_DECODE: RFC 8446 §5.1 "Implementations MUST NOT send zero-length fragments of
 * Handshake types". */
TENON_MUST_CHECK int tls_hs_reasm_add(tls_hs_reasm *r, const uint8_t *payload, size_t len);

/* TLS_HS_MSG with *msg filled, TLS_HS_NEED_MORE once the record is used up (a partial message
 * is then kept in the buffer), or TENON_ERR_TLS_DECODE for a message longer than cap (a limit
 * of ours; the alert is decode_error). */
TENON_MUST_CHECK int tls_hs_reasm_next(tls_hs_reasm *r, tls_hs_msg *msg);

/* 1 if any handshake byte is waiting: part of a message in the buffer, or unread bytes of the
 * current record. */
int tls_hs_reasm_pending(const tls_hs_reasm *r);

/* At a key change: TENON_ERR_TLS_UNEXPECTED_MESSAGE if a handshake byte is pending (RFC 8446
 * §5.1), else TENON_OK. */
TENON_MUST_CHECK int tls_hs_reasm_key_change(const tls_hs_reasm *r);

/* Forgets everything pending and wipes the buffer (handshake messages can carry secrets, e.g.
 * a NewSessionTicket's ticket). */
void tls_hs_reasm_reset(tls_hs_reasm *r);

#endif
