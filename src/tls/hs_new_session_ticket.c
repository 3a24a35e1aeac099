/*
 * NewSessionTicket (RFC 8446 §4.6.1), both sides:
 *   struct {
 *       uint32 ticket_lifetime;
 *       uint32 ticket_age_add;
 *       opaque ticket_nonce<0..255>;
 *       opaque ticket<1..2^16-1>;
 *       Extension extensions<0..2^16-2>;
 *   } NewSessionTicket;
 * PSK = HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length).
 */
#include "tls13.h"

int hs_new_session_ticket_send(tls_conn *c)
{
    const tenon_hash_class *h = c->suite->hash;
    tls_ticket_plain t;
    uint8_t nonce[8], ticket[TENON_MAX_TICKET_LEN];
    size_t ticket_len;
    memset(&t, 0, sizeof t);
    /* At most 7 days (§4.6.1) and no longer than the session may still be resumed: a session
     * past session_max_age_s gets no more tickets (its next connection is a full handshake). */
    t.lifetime_s = tls_ticket_lifetime(c);
    if (t.lifetime_s == 0)
        return TENON_OK;
    uint64_t counter = c->tickets_sent++;
    for (int i = 0; i < 8; i++)
        nonce[i] = (uint8_t)(counter >> (56 - 8 * i));
    t.version = TENON_TLS13;
    /* The session's full handshake time, client identity and policy go on in every ticket of
     * its resumptions. */
    tls_ticket_fill_session(c, &t);
    t.suite = c->suite->id;
    t.issued_ms = (uint64_t)tls_now_ms(c);
    GUARD(tls_random(c, (uint8_t *)&t.age_add, sizeof t.age_add));
    t.psk_len = h->digest_len;
    GUARD(tls13_ticket_psk(h, c->resumption, nonce, sizeof nonce, t.psk, &c->trace));
    int rc = tls_ticket_seal(c, &t, ticket, sizeof ticket, &ticket_len);
    tenon_wipe(t.psk, sizeof t.psk);
    GUARD(rc);

    writer w;
    wr_vec body, v;
    GUARD(tls_hs_begin(c, HS_NEW_SESSION_TICKET, &w, &body));
    GUARD(wr_u32(&w, t.lifetime_s));
    GUARD(wr_u32(&w, t.age_add));
    GUARD(wr_open_vec(&w, 1, &v));
    GUARD(wr_bytes(&w, nonce, sizeof nonce));
    GUARD(wr_close_vec(&w, &v));
    GUARD(wr_open_vec(&w, 2, &v));
    GUARD(wr_bytes(&w, ticket, ticket_len));
    GUARD(wr_close_vec(&w, &v));
    GUARD(wr_u16(&w, 0)); /* no extensions: no early_data, 0-RTT is never offered */
    GUARD(tls_hs_finish(&w, &body));
    return tls_hs_commit(c, &w, NULL);
}

/* The slot for a new ticket: the one for the same server, else a free one, else the oldest.
 * A slot a connection holds (in_use 2) is never taken; NULL if every slot is held. */
tenon_ticket *tls_ticket_store_slot(tenon_ticket_store *st, const char *name)
{
    tenon_ticket *oldest = NULL;
    for (size_t i = 0; i < st->cap; i++) {
        tenon_ticket *t = &st->slots[i];
        if (t->in_use == 1 && strcmp(t->server_name, name) == 0)
            return t;
    }
    for (size_t i = 0; i < st->cap; i++) {
        tenon_ticket *t = &st->slots[i];
        if (t->in_use == 0)
            return t;
        if (t->in_use == 1 && (oldest == NULL || t->received_ms < oldest->received_ms))
            oldest = t;
    }
    return oldest;
}

int hs_new_session_ticket_recv(tls_conn *c, const uint8_t *msg, size_t len)
{
    cursor cur = cur_init(msg + 4, len - 4), nonce, ticket;
    uint32_t lifetime, age_add;
    tls_exts exts;
    GUARD(cur_u32(&cur, &lifetime));
    GUARD(cur_u32(&cur, &age_add));
    GUARD(cur_vec(&cur, 1, 0, 255, &nonce));
    GUARD(cur_vec(&cur, 2, 1, 0xffff, &ticket));
    GUARD(tls_exts_parse(&cur, M_NST, 0, &exts));
    GUARD(cur_finish(&cur));
    /* §4.2.10: early_data here permits 0-RTT with this ticket, which tenon never sends; its
     * body is still checked. Unknown extensions were skipped (§4.6.1). */
    if (exts.seen & (1u << X_EARLY_DATA)) {
        uint32_t max_early;
        GUARD(ext_early_data_parse_nst(exts.body[X_EARLY_DATA], &max_early));
    }
    ENSURE(lifetime <= 604800, TENON_ERR_TLS_ILLEGAL_PARAMETER);
    tenon_ticket_store *st = c->cfg->ticket_store;
    /* §4.6.1: a lifetime of zero means "do not use"; a ticket too big for the store's slots
     * is dropped, not an error. */
    if (st == NULL || st->cap == 0 || c->cfg->server_name == NULL || lifetime == 0 ||
        ticket.len > TENON_MAX_TICKET_LEN)
        return TENON_OK;
    tenon_ticket *t = tls_ticket_store_slot(st, c->cfg->server_name);
    if (t == NULL)
        return TENON_OK;
    memset(t, 0, sizeof *t);
    t->version = TENON_TLS13;
    GUARD(tls13_ticket_psk(c->suite->hash, c->resumption, nonce.p, nonce.len, t->psk, &c->trace));
    t->psk_len = c->suite->hash->digest_len;
    memcpy(t->ticket, ticket.p, ticket.len);
    t->ticket_len = ticket.len;
    t->suite = c->suite->id;
    t->lifetime_s = lifetime;
    t->age_add = age_add;
    t->received_ms = tls_now_ms(c);
    memcpy(t->server_name, c->cfg->server_name, strlen(c->cfg->server_name) + 1);
    if (!tls_ticket_store_session(c, t)) {
        tenon_wipe(t, sizeof *t);
        return TENON_OK;
    }
    t->in_use = 1;
    tls_note(c, "session ticket stored");
    return TENON_OK;
}
