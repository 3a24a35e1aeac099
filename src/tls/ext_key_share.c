/*
 * key_share (RFC 8446 §4.2.8):
 *   struct { NamedGroup group; opaque key_exchange<1..2^16-1>; } KeyShareEntry;
 *   struct { KeyShareEntry client_shares<0..2^16-1>; } KeyShareClientHello;
 *   struct { NamedGroup selected_group; } KeyShareHelloRetryRequest;
 *   struct { KeyShareEntry server_share; } KeyShareServerHello;
 */
#include "tls13.h"

static int write_entry(writer *w, uint16_t group, const uint8_t *pub, size_t pub_len)
{
    wr_vec key;
    GUARD(wr_u16(w, group));
    GUARD(wr_open_vec(w, 2, &key));
    GUARD(wr_bytes(w, pub, pub_len));
    return wr_close_vec(w, &key);
}

int ext_key_share_open_ch(writer *w, wr_vec *ext, wr_vec *list)
{
    GUARD(wr_u16(w, EXT_KEY_SHARE));
    GUARD(wr_open_vec(w, 2, ext));
    return wr_open_vec(w, 2, list);
}

/* The key_exchange is reserved, not copied: a share (up to TENON_KEX_MAX_SHARE_LEN bytes) is
 * made where it is sent. */
int ext_key_share_entry(writer *w, uint16_t group, size_t len, uint8_t **key)
{
    ENSURE(len >= 1 && len <= 0xffff, TENON_ERR_INTERNAL);
    GUARD(wr_u16(w, group));
    GUARD(wr_u16(w, (uint16_t)len));
    return wr_reserve(w, len, key);
}

int ext_key_share_close_ch(writer *w, const wr_vec *ext, const wr_vec *list)
{
    GUARD(wr_close_vec(w, list));
    return wr_close_vec(w, ext);
}

int ext_key_share_write_sh(writer *w, uint16_t group, const uint8_t *pub, size_t pub_len)
{
    wr_vec ext;
    GUARD(wr_u16(w, EXT_KEY_SHARE));
    GUARD(wr_open_vec(w, 2, &ext));
    GUARD(write_entry(w, group, pub, pub_len));
    return wr_close_vec(w, &ext);
}

int ext_key_share_write_hrr(writer *w, uint16_t group)
{
    GUARD(wr_u16(w, EXT_KEY_SHARE));
    GUARD(wr_u16(w, 2));
    return wr_u16(w, group);
}

static int parse_entry(cursor *c, ks_entry *e)
{
    cursor key;
    GUARD(cur_u16(c, &e->group));
    GUARD(cur_vec(c, 2, 1, 0xffff, &key));
    e->key = key.p;
    e->key_len = key.len;
    return TENON_OK;
}

/* Every entry is checked for its form here, whatever its group; which groups may appear, and
 * how often, is the handler's business (RFC 8446 §4.2.8). The list stays a view: clients may
 * offer shares for many groups we do not know. */
int ext_key_share_parse_ch(cursor body, cursor *list, size_t *count)
{
    *count = 0;
    GUARD(cur_vec(&body, 2, 0, 0xffff, list));
    GUARD(cur_finish(&body));
    cursor walk = *list;
    while (cur_remaining(&walk) > 0) {
        ks_entry e;
        GUARD(parse_entry(&walk, &e));
        (*count)++;
    }
    return TENON_OK;
}

int ext_key_share_next(cursor *list, ks_entry *e)
{
    return parse_entry(list, e);
}

int ext_key_share_parse_sh(cursor body, ks_entry *entry)
{
    GUARD(parse_entry(&body, entry));
    return cur_finish(&body);
}

int ext_key_share_parse_hrr(cursor body, uint16_t *group)
{
    GUARD(cur_u16(&body, group));
    return cur_finish(&body);
}
