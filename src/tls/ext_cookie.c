/*
 * cookie (RFC 8446 §4.2.2):
 *   struct { opaque cookie<1..2^16-1>; } Cookie;
 * A HelloRetryRequest may carry one; the client echoes it in its second ClientHello.
 */
#include "tls13.h"

int ext_cookie_write(writer *w, const uint8_t *cookie, size_t len)
{
    wr_vec ext, v;
    GUARD(wr_u16(w, EXT_COOKIE));
    GUARD(wr_open_vec(w, 2, &ext));
    GUARD(wr_open_vec(w, 2, &v));
    GUARD(wr_bytes(w, cookie, len));
    GUARD(wr_close_vec(w, &v));
    return wr_close_vec(w, &ext);
}

int ext_cookie_parse(cursor body, const uint8_t **cookie, size_t *len)
{
    cursor v;
    GUARD(cur_vec(&body, 2, 1, 0xffff, &v));
    GUARD(cur_finish(&body));
    *cookie = v.p;
    *len = v.len;
    return TENON_OK;
}
