/*
 * application_layer_protocol_negotiation (RFC 7301 §3.1):
 *   opaque ProtocolName<1..2^8-1>;
 *   struct { ProtocolName protocol_name_list<2..2^16-1> } ProtocolNameList;
 * The server answers with a list of exactly one name.
 */
#include "tls13.h"

int ext_alpn_write_list(writer *w, const char *const *names, size_t n)
{
    wr_vec ext, list, name;
    GUARD(wr_u16(w, EXT_ALPN));
    GUARD(wr_open_vec(w, 2, &ext));
    GUARD(wr_open_vec(w, 2, &list));
    for (size_t i = 0; i < n; i++) {
        GUARD(wr_open_vec(w, 1, &name));
        GUARD(wr_bytes(w, names[i], strlen(names[i])));
        GUARD(wr_close_vec(w, &name));
    }
    GUARD(wr_close_vec(w, &list));
    return wr_close_vec(w, &ext);
}

int ext_alpn_write_one(writer *w, const uint8_t *name, size_t len)
{
    wr_vec ext, list, v;
    GUARD(wr_u16(w, EXT_ALPN));
    GUARD(wr_open_vec(w, 2, &ext));
    GUARD(wr_open_vec(w, 2, &list));
    GUARD(wr_open_vec(w, 1, &v));
    GUARD(wr_bytes(w, name, len));
    GUARD(wr_close_vec(w, &v));
    GUARD(wr_close_vec(w, &list));
    return wr_close_vec(w, &ext);
}

int ext_alpn_parse(cursor body, cursor *list, size_t *count)
{
    GUARD(cur_vec(&body, 2, 2, 0xffff, list));
    GUARD(cur_finish(&body));
    cursor walk = *list;
    *count = 0;
    while (cur_remaining(&walk) > 0) {
        cursor name;
        GUARD(cur_vec(&walk, 1, 1, 255, &name));
        (*count)++;
    }
    return TENON_OK;
}
