/*
 * Handshake message reassembly (RFC 8446 §5.1, §4): whole messages out of record payloads, in
 * place when a message lies in one record, through the caller's buffer when it is split.
 */
#include "hs_reassembly.h"

#include "codec.h"
#include "tenon/crypto.h"

int tls_hs_reasm_init(tls_hs_reasm *r, uint8_t *buf, size_t cap)
{
    ENSURE(r != NULL && buf != NULL && cap >= TLS_HS_HEADER_LEN, TENON_ERR_INVALID_ARGUMENT);
    memset(r, 0, sizeof *r);
    r->buf = buf;
    r->cap = cap;
    return TENON_OK;
}

int tls_hs_reasm_add(tls_hs_reasm *r, const uint8_t *payload, size_t len)
{
    ENSURE(r != NULL && payload != NULL, TENON_ERR_INVALID_ARGUMENT);
    /* The engine must drain one record before it reads the next. */
    ENSURE(r->rec_off == r->rec_len, TENON_ERR_INTERNAL);
    /* RFC 8446 §5.1: "Implementations MUST NOT send zero-length fragments of Handshake
     * types, even if those fragments contain padding." */
    ENSURE(len > 0, TENON_ERR_TLS_DECODE);
    r->rec = payload;
    r->rec_len = len;
    r->rec_off = 0;
    return TENON_OK;
}

/* RFC 8446 §4: struct { HandshakeType msg_type; uint24 length; ... } Handshake. The whole
 * message's length from its header; a length over the caller's limit is refused as soon as the
 * header is known, before any body is buffered. */
static int message_len(const tls_hs_reasm *r, const uint8_t hdr[TLS_HS_HEADER_LEN], size_t *len)
{
    cursor c = cur_init(hdr + 1, 3);
    uint32_t body;
    GUARD(cur_u24(&c, &body));
    ENSURE((size_t)body <= r->cap - TLS_HS_HEADER_LEN, TENON_ERR_TLS_DECODE);
    *len = TLS_HS_HEADER_LEN + (size_t)body;
    return TENON_OK;
}

static void hand_out(const uint8_t *p, size_t len, tls_hs_msg *msg)
{
    msg->type = p[0];
    msg->msg = p;
    msg->msg_len = len;
    msg->body = p + TLS_HS_HEADER_LEN;
    msg->body_len = len - TLS_HS_HEADER_LEN;
}

/* Moves up to want - have bytes of the record into the buffer. */
static void take(tls_hs_reasm *r, size_t want)
{
    size_t n = want - r->have;
    size_t avail = r->rec_len - r->rec_off;
    if (n > avail)
        n = avail;
    memcpy(r->buf + r->have, r->rec + r->rec_off, n);
    r->have += n;
    r->rec_off += n;
}

int tls_hs_reasm_next(tls_hs_reasm *r, tls_hs_msg *msg)
{
    ENSURE(r != NULL && msg != NULL, TENON_ERR_INVALID_ARGUMENT);
    size_t len;

    if (r->have == 0) {
        /* Fast path: a whole message inside the current record is handed out in place. */
        size_t avail = r->rec_len - r->rec_off;
        if (avail == 0)
            return TLS_HS_NEED_MORE;
        if (avail >= TLS_HS_HEADER_LEN) {
            const uint8_t *p = r->rec + r->rec_off;
            GUARD(message_len(r, p, &len));
            if (avail >= len) {
                r->rec_off += len;
                hand_out(p, len, msg);
                return TLS_HS_MSG;
            }
        }
        /* The message runs past this record: collect it in the buffer. */
    }

    /* The header first (it may itself be split), then the body. */
    if (r->have < TLS_HS_HEADER_LEN) {
        take(r, TLS_HS_HEADER_LEN);
        if (r->have < TLS_HS_HEADER_LEN)
            return TLS_HS_NEED_MORE;
    }
    GUARD(message_len(r, r->buf, &len));
    take(r, len);
    if (r->have < len)
        return TLS_HS_NEED_MORE;
    r->have = 0;
    hand_out(r->buf, len, msg);
    return TLS_HS_MSG;
}

int tls_hs_reasm_pending(const tls_hs_reasm *r)
{
    return r->have != 0 || r->rec_off != r->rec_len;
}

int tls_hs_reasm_key_change(const tls_hs_reasm *r)
{
    /* RFC 8446 §5.1: "Handshake messages MUST NOT span key changes. Implementations MUST verify
     * that all messages immediately preceding a key change align with a record boundary; if
     * not, then they MUST terminate the connection with an "unexpected_message" alert." */
    ENSURE(!tls_hs_reasm_pending(r), TENON_ERR_TLS_UNEXPECTED_MESSAGE);
    return TENON_OK;
}

void tls_hs_reasm_reset(tls_hs_reasm *r)
{
    if (r == NULL)
        return;
    if (r->buf != NULL)
        tenon_wipe(r->buf, r->cap);
    r->have = 0;
    r->rec = NULL;
    r->rec_len = 0;
    r->rec_off = 0;
}
