/*
 * signature_algorithms and signature_algorithms_cert (RFC 8446 §4.2.3), one struct for both:
 *   struct { SignatureScheme supported_signature_algorithms<2..2^16-2>; } SignatureSchemeList;
 */
#include "tls13.h"

int ext_sig_algs_write(writer *w, uint16_t ext_type, const uint16_t *schemes, size_t n)
{
    wr_vec ext, list;
    GUARD(wr_u16(w, ext_type));
    GUARD(wr_open_vec(w, 2, &ext));
    GUARD(wr_open_vec(w, 2, &list));
    for (size_t i = 0; i < n; i++)
        GUARD(wr_u16(w, schemes[i]));
    GUARD(wr_close_vec(w, &list));
    return wr_close_vec(w, &ext);
}

/* Keeps the schemes tenon knows, once each, in the peer's order: a peer may list any number of
 * schemes and repeat them, while tenon knows fewer than TLS_MAX_PEER_SIGS, so the list kept is
 * never cut short of one we could use. */
int ext_sig_algs_parse(cursor body, uint16_t *out, size_t cap, size_t *count)
{
    cursor list;
    *count = 0;
    GUARD(cur_vec(&body, 2, 2, 0xfffe, &list));
    GUARD(cur_finish(&body));
    ENSURE(cur_remaining(&list) % 2 == 0, TENON_ERR_MALFORMED);
    while (cur_remaining(&list) > 0) {
        uint16_t s;
        GUARD(cur_u16(&list, &s));
        if (tls_sig_scheme_find(s) == NULL)
            continue;
        int again = 0;
        for (size_t i = 0; i < *count; i++)
            again |= out[i] == s;
        if (!again && *count < cap)
            out[(*count)++] = s;
    }
    return TENON_OK;
}
