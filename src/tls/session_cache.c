/*
 * A TLS 1.2 server's session cache (RFC 5246 §7.4.1.2-7.4.1.3): caller-owned slots keyed by
 * session ID, each holding the session as a ticket's plaintext (tls_session_serialize), so that
 * a session resumed by ID is bound and checked exactly as one resumed by ticket is
 * (hs12_client_hello.c).
 */
#include "tls13.h"

_Static_assert(TENON_SESSION_MAX >= TLS_SESSION_MAX_LEN, "TENON_SESSION_MAX is too small");

TENON_API void tenon_session_cache_init(tenon_session_cache *cache, tenon_session_entry *slots,
                                        size_t cap)
{
    if (cache == NULL)
        return;
    cache->slots = slots;
    cache->cap = slots != NULL ? cap : 0;
    tenon_session_cache_wipe(cache);
}

TENON_API void tenon_session_cache_wipe(tenon_session_cache *cache)
{
    if (cache == NULL)
        return;
    for (size_t i = 0; i < cache->cap; i++)
        tenon_wipe(&cache->slots[i], sizeof cache->slots[i]);
}

/* The slot for id: its own, else a free one, else the oldest. */
static tenon_session_entry *slot_for(tenon_session_cache *sc, const uint8_t *id)
{
    tenon_session_entry *oldest = NULL;
    for (size_t i = 0; i < sc->cap; i++)
        if (sc->slots[i].in_use && memcmp(sc->slots[i].id, id, TLS_SESSION_ID_LEN) == 0)
            return &sc->slots[i];
    for (size_t i = 0; i < sc->cap; i++) {
        tenon_session_entry *e = &sc->slots[i];
        if (!e->in_use)
            return e;
        if (oldest == NULL || e->stored_ms < oldest->stored_ms)
            oldest = e;
    }
    return oldest;
}

void tls12_session_cache_keep(tls_conn *c)
{
    tenon_session_cache *sc = c->cfg->session_cache;
    if (sc == NULL || c->hs->session_id_len != TLS_SESSION_ID_LEN || c->suite12 == NULL)
        return;
    /* What a ticket of this session would hold, its lifetime included. */
    tls_ticket_plain t;
    tls12_session_plain(c, &t);
    tenon_session_entry *e = t.lifetime_s > 0 ? slot_for(sc, c->hs->session_id) : NULL;
    if (e != NULL) {
        tenon_wipe(e, sizeof *e);
        if (tls_session_serialize(&t, e->session, sizeof e->session, &e->session_len) == TENON_OK) {
            memcpy(e->id, c->hs->session_id, TLS_SESSION_ID_LEN);
            e->stored_ms = (int64_t)t.issued_ms;
            e->in_use = 1;
            tls_note(c, "TLS 1.2 session kept in the session cache");
        } else {
            tenon_wipe(e, sizeof *e);
        }
    }
    tenon_wipe(&t, sizeof t);
}

int tls12_session_cache_find(tls_conn *c, cursor id, tls_ticket_plain *t)
{
    tenon_session_cache *sc = c->cfg->session_cache;
    if (sc == NULL || id.len != TLS_SESSION_ID_LEN)
        return 0;
    for (size_t i = 0; i < sc->cap; i++) {
        const tenon_session_entry *e = &sc->slots[i];
        if (e->in_use && memcmp(e->id, id.p, TLS_SESSION_ID_LEN) == 0)
            return tls_session_parse(e->session, e->session_len, t) == TENON_OK;
    }
    return 0;
}
