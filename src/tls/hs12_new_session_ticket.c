/*
 * NewSessionTicket for TLS 1.2 (RFC 5077 §3.3), both sides:
 *   struct { uint32 ticket_lifetime_hint; opaque ticket<0..2^16-1>; } NewSessionTicket;
 * sent by the server after the client's Finished, before its change_cipher_spec; sealed with
 * the same machinery as TLS 1.3's tickets (ticket.c), carrying the master secret.
 */
#include "tls13.h"

void tls12_session_plain(tls_conn *c, tls_ticket_plain *t)
{
    memset(t, 0, sizeof *t);
    t->version = TENON_TLS12;
    t->ems = c->ems;
    tls_ticket_fill_session(c, t);
    t->suite = c->suite12->id;
    t->issued_ms = (uint64_t)tls_now_ms(c);
    /* As TLS 1.3's (RFC 8446 §4.6.1's cap, and the session's remaining time). */
    t->lifetime_s = tls_ticket_lifetime(c);
    memcpy(t->psk, c->master, TLS12_MASTER_LEN);
    t->psk_len = TLS12_MASTER_LEN;
}

int hs12_new_session_ticket_send(tls_conn *c)
{
    tls_ticket_plain t;
    uint8_t ticket[TENON_MAX_TICKET_LEN];
    size_t ticket_len;
    tls12_session_plain(c, &t);
    uint32_t lifetime = t.lifetime_s;
    int rc = TENON_OK;
    /* The ServerHello promised a ticket; a session past session_max_age_s gets an empty one
     * (RFC 5077 §3.3: "it sends a zero-length ticket in the NewSessionTicket"). */
    ticket_len = 0;
    if (lifetime > 0)
        rc = tls_ticket_seal(c, &t, ticket, sizeof ticket, &ticket_len);
    tenon_wipe(&t, sizeof t);
    GUARD(rc);
    writer w;
    wr_vec body, v;
    GUARD(tls_hs_begin(c, HS_NEW_SESSION_TICKET, &w, &body));
    GUARD(wr_u32(&w, lifetime));
    GUARD(wr_open_vec(&w, 2, &v));
    GUARD(wr_bytes(&w, ticket, ticket_len));
    GUARD(wr_close_vec(&w, &v));
    GUARD(tls_hs_finish(&w, &body));
    return tls_hs_commit(c, &w, NULL);
}

int hs12_new_session_ticket_recv(tls_conn *c, const uint8_t *msg, size_t len)
{
    cursor cur = cur_init(msg + 4, len - 4), ticket;
    uint32_t lifetime;
    GUARD(cur_u32(&cur, &lifetime));
    GUARD(cur_vec(&cur, 2, 0, 0xffff, &ticket));
    GUARD(cur_finish(&cur));
    tls_transcript_update(&c->hs->tx, msg, len);
    c->state = ST_C12_WAIT_CCS;
    tenon_ticket_store *st = c->cfg->ticket_store;
    /* §3.3: an empty ticket means the server will not issue one after all. A lifetime hint of
     * 0 means unspecified: tenon then keeps it for a day at most. */
    if (st == NULL || c->cfg->server_name == NULL || ticket.len == 0 ||
        ticket.len > TENON_MAX_TICKET_LEN)
        return TENON_OK;
    tenon_ticket *t = tls_ticket_store_slot(st, c->cfg->server_name);
    if (t == NULL)
        return TENON_OK;
    memset(t, 0, sizeof *t);
    t->version = TENON_TLS12;
    t->ext_master_secret = c->ems;
    t->suite = c->suite12->id;
    t->lifetime_s = lifetime == 0 || lifetime > 86400 ? 86400 : lifetime;
    t->received_ms = tls_now_ms(c);
    memcpy(t->psk, c->master, TLS12_MASTER_LEN);
    t->psk_len = TLS12_MASTER_LEN;
    memcpy(t->ticket, ticket.p, ticket.len);
    t->ticket_len = ticket.len;
    memcpy(t->server_name, c->cfg->server_name, strlen(c->cfg->server_name) + 1);
    if (!tls_ticket_store_session(c, t)) {
        tenon_wipe(t, sizeof *t);
        return TENON_OK;
    }
    /* Held until the server's Finished proves the session (tls_enter_traffic). */
    t->in_use = 2;
    c->held_ticket = t;
    c->pending_ticket12 = 1;
    return TENON_OK;
}

/* RFC 5246 §7.4.1.2: "The session_id ... is the ID of a session that the client wishes to
 * resume"; a server that keeps sessions names one in its ServerHello (§7.4.1.3). Without a
 * ticket (which supersedes it, RFC 5077 §3.4) the session goes into the ticket store under that
 * ID, bound as tickets are (server name, verification policy, suite, extended master secret,
 * the full handshake's time). Called once the server's Finished proved the session. */
void tls12_session_id_keep(tls_conn *c)
{
    tenon_ticket_store *st = c->cfg->ticket_store;
    const char *name = c->cfg->server_name;
    if (st == NULL || name == NULL || c->hs->session_id_len == 0 || c->suite12 == NULL)
        return;
    /* A ticket resumed without a new one: the ID echoed was our own (RFC 5077 §3.4), which
     * names nothing the server keeps. */
    if (c->resumed && c->offered_ticket12)
        return;
    tenon_ticket *t = tls_ticket_store_slot(st, name);
    if (t == NULL)
        return;
    memset(t, 0, sizeof *t);
    t->version = TENON_TLS12;
    t->ext_master_secret = c->ems;
    t->suite = c->suite12->id;
    /* No lifetime comes with a session ID: a day at most, as a ticket without a hint (and
     * never beyond session_max_age_s: tls_ticket_offerable). */
    t->lifetime_s = 86400;
    t->received_ms = tls_now_ms(c);
    memcpy(t->psk, c->master, TLS12_MASTER_LEN);
    t->psk_len = TLS12_MASTER_LEN;
    memcpy(t->session_id, c->hs->session_id, c->hs->session_id_len);
    t->session_id_len = c->hs->session_id_len;
    memcpy(t->server_name, name, strlen(name) + 1);
    if (!tls_ticket_store_session(c, t)) {
        tenon_wipe(t, sizeof *t);
        return;
    }
    t->in_use = 1;
    tls_note(c, "TLS 1.2 session stored under its session ID");
}

/* HelloRequest (RFC 5246 §7.4.1.1): struct { } HelloRequest; not part of the transcript.
 * tenon never renegotiates: RFC 5246 §7.2.2, no_renegotiation "Sent by the client in response
 * to a hello request". */
int hs12_hello_request_recv(tls_conn *c, const uint8_t *msg, size_t len)
{
    (void)msg;
    ENSURE(len == 4, TENON_ERR_TLS_DECODE);
    tls_note(c, "HelloRequest refused: tenon does not renegotiate");
    tls_send_warning(c, TENON_ALERT_NO_RENEGOTIATION);
    return TENON_OK;
}

/* A ClientHello on an established TLS 1.2 connection asks to renegotiate: refused with a
 * no_renegotiation warning (RFC 5246 §7.2.2, "by the server in response to a client hello
 * after initial handshaking"); the connection goes on. */
int hs12_renegotiation_refuse(tls_conn *c, const uint8_t *msg, size_t len)
{
    (void)msg;
    (void)len;
    tls_note(c, "renegotiation refused: tenon does not renegotiate");
    tls_send_warning(c, TENON_ALERT_NO_RENEGOTIATION);
    return TENON_OK;
}
