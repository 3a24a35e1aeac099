/*
 * pre_shared_key (RFC 8446 §4.2.11):
 *   struct { opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age; } PskIdentity;
 *   opaque PskBinderEntry<32..255>;
 *   struct { PskIdentity identities<7..2^16-1>; PskBinderEntry binders<33..2^16-1>; }
 *       OfferedPsks;
 *   struct { select (Handshake.msg_type) { case client_hello: OfferedPsks;
 *                                          case server_hello: uint16 selected_identity; }; }
 *       PreSharedKeyExtension;
 * The client's writer lives in hs_client_hello.c, where the binders are computed.
 */
#include "tls13.h"

int ext_psk_parse_ch(cursor body, psk_offer *offer)
{
    const uint8_t *start = body.p;
    GUARD(cur_vec(&body, 2, 7, 0xffff, &offer->identities));
    offer->binders_at = (size_t)(body.p - start);
    GUARD(cur_vec(&body, 2, 33, 0xffff, &offer->binders));
    GUARD(cur_finish(&body));
    /* Both lists are walked once here so the handler can trust their shape. */
    cursor ids = offer->identities, binders = offer->binders;
    size_t n_ids = 0, n_binders = 0;
    while (cur_remaining(&ids) > 0) {
        const uint8_t *id;
        size_t id_len;
        uint32_t age;
        GUARD(ext_psk_next_identity(&ids, &id, &id_len, &age));
        n_ids++;
    }
    while (cur_remaining(&binders) > 0) {
        const uint8_t *b;
        size_t b_len;
        GUARD(ext_psk_next_binder(&binders, &b, &b_len));
        n_binders++;
    }
    /* §4.2.11: "the number of binders [must equal] the number of identities": the mismatch is
     * illegal_parameter, decided by the handler. */
    offer->count = n_ids;
    ENSURE(n_ids == n_binders, TENON_ERR_TLS_ILLEGAL_PARAMETER);
    return TENON_OK;
}

int ext_psk_next_identity(cursor *ids, const uint8_t **id, size_t *id_len, uint32_t *age)
{
    cursor v;
    GUARD(cur_vec(ids, 2, 1, 0xffff, &v));
    GUARD(cur_u32(ids, age));
    *id = v.p;
    *id_len = v.len;
    return TENON_OK;
}

int ext_psk_next_binder(cursor *binders, const uint8_t **b, size_t *len)
{
    cursor v;
    GUARD(cur_vec(binders, 1, 32, 255, &v));
    *b = v.p;
    *len = v.len;
    return TENON_OK;
}

int ext_psk_parse_sh(cursor body, uint16_t *selected)
{
    GUARD(cur_u16(&body, selected));
    return cur_finish(&body);
}

int ext_psk_write_sh(writer *w, uint16_t selected)
{
    GUARD(wr_u16(w, EXT_PRE_SHARED_KEY));
    GUARD(wr_u16(w, 2));
    return wr_u16(w, selected);
}
