/*
 * supported_versions (RFC 8446 §4.2.1):
 *   struct {
 *       select (Handshake.msg_type) {
 *           case client_hello:
 *                ProtocolVersion versions<2..254>;
 *           case server_hello: (and HelloRetryRequest)
 *                ProtocolVersion selected_version;
 *       };
 *   } SupportedVersions;
 */
#include "tls13.h"

int ext_supported_versions_write_ch(writer *w, int with_tls12)
{
    wr_vec ext, list;
    GUARD(wr_u16(w, EXT_SUPPORTED_VERSIONS));
    GUARD(wr_open_vec(w, 2, &ext));
    GUARD(wr_open_vec(w, 1, &list));
    GUARD(wr_u16(w, TENON_TLS13));
    if (with_tls12)
        GUARD(wr_u16(w, TENON_TLS12));
    GUARD(wr_close_vec(w, &list));
    return wr_close_vec(w, &ext);
}

int ext_supported_versions_write_sh(writer *w)
{
    GUARD(wr_u16(w, EXT_SUPPORTED_VERSIONS));
    GUARD(wr_u16(w, 2));
    return wr_u16(w, TENON_TLS13);
}

int ext_supported_versions_parse_ch(cursor body, int *has_tls13, int *has_tls12)
{
    cursor list;
    *has_tls13 = 0;
    *has_tls12 = 0;
    GUARD(cur_vec(&body, 1, 2, 254, &list));
    GUARD(cur_finish(&body));
    ENSURE(cur_remaining(&list) % 2 == 0, TENON_ERR_MALFORMED);
    while (cur_remaining(&list) > 0) {
        uint16_t v;
        GUARD(cur_u16(&list, &v));
        if (v == TENON_TLS13)
            *has_tls13 = 1;
        if (v == TENON_TLS12)
            *has_tls12 = 1;
    }
    return TENON_OK;
}

int ext_supported_versions_parse_sh(cursor body, uint16_t *version)
{
    GUARD(cur_u16(&body, version));
    return cur_finish(&body);
}
