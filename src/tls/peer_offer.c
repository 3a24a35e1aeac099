/*
 * What the peer offered in its hello, kept for tenon_conn_peer_offer so a failed negotiation
 * can be explained (which versions, suites, groups, signature schemes the other side had).
 *
 * It is recorded before any decision is made on the hello, so it is there for exactly the
 * failures it explains. Recording decides nothing and fails on nothing: a list that does not
 * parse is kept as far as it reads, and the handlers' own parsers reject the message.
 */
#include "tls13.h"

static void offer_add(tls_offer *o, unsigned list, uint16_t v)
{
    if (o->count[list] < TENON_OFFER_MAX)
        o->list[list][o->count[list]] = v;
    if (o->count[list] < UINT16_MAX)
        o->count[list]++;
}

/* A vector of uint16 (code points) with a prefix_bytes-long length. */
static void offer_add_vec(tls_offer *o, unsigned list, cursor body, unsigned prefix_bytes)
{
    cursor v;
    uint16_t x;
    if (cur_vec(&body, prefix_bytes, 0, prefix_bytes == 1 ? 0xff : 0xffff, &v) != TENON_OK)
        return;
    while (cur_u16(&v, &x) == TENON_OK)
        offer_add(o, list, x);
}

/* RFC 8446 §4.2.8: KeyShareEntry client_shares<0..2^16-1>, each { NamedGroup group; opaque
 * key_exchange<1..2^16-1>; }: the groups only. */
static void offer_add_shares(tls_offer *o, cursor body)
{
    cursor list, key;
    uint16_t g;
    if (cur_vec(&body, 2, 0, 0xffff, &list) != TENON_OK)
        return;
    while (cur_u16(&list, &g) == TENON_OK && cur_vec(&list, 2, 0, 0xffff, &key) == TENON_OK)
        offer_add(o, OFFER_SHARES, g);
}

static int seen(const tls_exts *e, unsigned x)
{
    return (e->seen >> x) & 1u;
}

/* RFC 7301 §3.1: ProtocolName protocol_name_list<2..2^16-1>: its bytes as sent, the first
 * TENON_OFFER_ALPN_MAX of them kept. */
static void offer_add_alpn(tls_offer *o, cursor body)
{
    cursor list;
    if (cur_vec(&body, 2, 0, 0xffff, &list) != TENON_OK)
        return;
    o->alpn_len = (uint16_t)list.len;
    memcpy(o->alpn, list.p, list.len < sizeof o->alpn ? list.len : sizeof o->alpn);
}

void tls_offer_client_hello(tls_conn *c, const client_hello *ch)
{
    tls_offer *o = &c->peer->offer;
    const tls_exts *e = &ch->exts;
    memset(o, 0, sizeof *o);
    o->legacy_version = ch->legacy_version;
    cursor suites = ch->suites;
    uint16_t s;
    while (cur_u16(&suites, &s) == TENON_OK) {
        offer_add(o, OFFER_SUITES, s);
        /* RFC 5746 §3.3: the SCSV signals secure renegotiation like the extension. */
        o->reneg |= s == TLS12_EMPTY_RENEGOTIATION_INFO_SCSV;
    }
    if (seen(e, X_SUPPORTED_VERSIONS))
        offer_add_vec(o, OFFER_VERSIONS, e->body[X_SUPPORTED_VERSIONS], 1);
    if (seen(e, X_SUPPORTED_GROUPS))
        offer_add_vec(o, OFFER_GROUPS, e->body[X_SUPPORTED_GROUPS], 2);
    if (seen(e, X_KEY_SHARE))
        offer_add_shares(o, e->body[X_KEY_SHARE]);
    if (seen(e, X_SIGNATURE_ALGORITHMS))
        offer_add_vec(o, OFFER_SIGS, e->body[X_SIGNATURE_ALGORITHMS], 2);
    if (seen(e, X_ALPN))
        offer_add_alpn(o, e->body[X_ALPN]);
    o->ems = (uint8_t)seen(e, X_EXTENDED_MASTER_SECRET);
    o->reneg |= (uint8_t)seen(e, X_RENEGOTIATION_INFO);
    o->seen = 1;
}

void tls_offer_server_hello(tls_conn *c, uint16_t legacy_version, uint16_t suite, const tls_exts *e,
                            int is_hrr)
{
    tls_offer *o = &c->peer->offer;
    memset(o, 0, sizeof *o);
    o->legacy_version = legacy_version;
    uint16_t v = legacy_version, g;
    if (seen(e, X_SUPPORTED_VERSIONS)) {
        cursor b = e->body[X_SUPPORTED_VERSIONS];
        if (cur_u16(&b, &v) != TENON_OK)
            v = legacy_version;
    }
    offer_add(o, OFFER_VERSIONS, v);
    offer_add(o, OFFER_SUITES, suite);
    if (seen(e, X_KEY_SHARE)) {
        /* A HelloRetryRequest's key_share is the selected_group alone; a ServerHello's a
         * KeyShareEntry. Either way the group comes first. */
        cursor b = e->body[X_KEY_SHARE];
        if (cur_u16(&b, &g) == TENON_OK) {
            offer_add(o, OFFER_GROUPS, g);
            if (!is_hrr)
                offer_add(o, OFFER_SHARES, g);
        }
    }
    o->ems = (uint8_t)seen(e, X_EXTENDED_MASTER_SECRET);
    o->reneg = (uint8_t)seen(e, X_RENEGOTIATION_INFO);
    o->seen = 1;
}

static size_t copy_list(const tls_offer *o, unsigned list, uint16_t *out)
{
    size_t n = o->count[list] < TENON_OFFER_MAX ? o->count[list] : TENON_OFFER_MAX;
    memcpy(out, o->list[list], n * sizeof *out);
    return o->count[list];
}

TENON_API int tenon_conn_peer_offer(const tenon_conn *conn, tenon_peer_offer *offer)
{
    ENSURE(conn != NULL && offer != NULL, TENON_ERR_INVALID_ARGUMENT);
    memset(offer, 0, sizeof *offer);
    const tls_conn *c = tls_conn_of_const(conn);
    ENSURE(c->magic == TLS_CONN_MAGIC && c->peer != NULL && c->peer->offer.seen,
           TENON_ERR_INVALID_ARGUMENT);
    const tls_offer *o = &c->peer->offer;
    offer->legacy_version = o->legacy_version;
    offer->version_count = copy_list(o, OFFER_VERSIONS, offer->versions);
    offer->suite_count = copy_list(o, OFFER_SUITES, offer->suites);
    offer->group_count = copy_list(o, OFFER_GROUPS, offer->groups);
    offer->key_share_count = copy_list(o, OFFER_SHARES, offer->key_shares);
    offer->sig_scheme_count = copy_list(o, OFFER_SIGS, offer->sig_schemes);
    offer->ext_master_secret = o->ems;
    offer->secure_renegotiation = o->reneg;
    offer->alpn_len = o->alpn_len;
    memcpy(offer->alpn, o->alpn, sizeof offer->alpn);
    return TENON_OK;
}
