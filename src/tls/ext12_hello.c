/*
 * TLS 1.2 hello extensions that TLS 1.3 does not use: extended_master_secret (RFC 7627),
 * ec_point_formats (RFC 8422) and renegotiation_info (RFC 5746). Bodies only; which message
 * carries them and what their absence means is the state machine's business.
 */
#include "hs12.h"

#include "../common.h"

int tls12_ext_ems_parse(const uint8_t *data, size_t len)
{
    (void)data;
    /* RFC 7627 §5.1: "The "extension_data" field of this extension is empty." */
    return len == 0 ? TENON_OK : TENON_ERR_MALFORMED;
}

/* RFC 8422 §5.1.2: enum { uncompressed (0), deprecated (1..2), reserved (248..255) }
 * ECPointFormat; struct { ECPointFormat ec_point_format_list<1..2^8-1> } ECPointFormatList; */
#define POINT_UNCOMPRESSED 0

int tls12_ext_point_formats_write(writer *w)
{
    ENSURE(w != NULL, TENON_ERR_INVALID_ARGUMENT);
    wr_vec v = {0, 0};
    GUARD(wr_open_vec(w, 1, &v));
    GUARD(wr_u8(w, POINT_UNCOMPRESSED));
    return wr_close_vec(w, &v);
}

int tls12_ext_point_formats_parse(const uint8_t *data, size_t len)
{
    ENSURE(data != NULL || len == 0, TENON_ERR_INVALID_ARGUMENT);
    cursor c = cur_init(data, len), list;
    GUARD(cur_vec(&c, 1, 1, 255, &list));
    GUARD(cur_finish(&c));
    int uncompressed = 0;
    while (list.len > 0) {
        uint8_t f;
        GUARD(cur_u8(&list, &f));
        uncompressed |= f == POINT_UNCOMPRESSED;
    }
    /* RFC 8422 §5.1.2: "If the client sends the extension and the extension does not contain
     * the uncompressed point format, and the client has used the Supported Groups extension to
     * indicate support for any of the curves defined in this document, then the server MUST
     * abort the handshake and return an illegal_parameter alert." */
    return uncompressed ? TENON_OK : TENON_ERR_TLS_ILLEGAL_PARAMETER;
}

int tls12_ext_reneg_write_initial(writer *w)
{
    ENSURE(w != NULL, TENON_ERR_INVALID_ARGUMENT);
    /* RFC 5746 §3.4: on the initial handshake the client "MUST include either an empty
     * "renegotiation_info" extension, or the TLS_EMPTY_RENEGOTIATION_INFO_SCSV"; §3.6: the
     * server "MUST include an empty "renegotiation_info" extension in the ServerHello". Empty:
     * renegotiated_connection of length zero. */
    return wr_u8(w, 0);
}

int tls12_ext_reneg_parse_initial(const uint8_t *data, size_t len)
{
    ENSURE(data != NULL || len == 0, TENON_ERR_INVALID_ARGUMENT);
    cursor c = cur_init(data, len), rc;
    /* struct { opaque renegotiated_connection<0..255>; } RenegotiationInfo; */
    GUARD(cur_vec(&c, 1, 0, 255, &rc));
    GUARD(cur_finish(&c));
    /* RFC 5746 §3.4 (client) and §3.6 (server): if it is not empty, "abort the handshake (by
     * sending a fatal handshake_failure alert)". */
    ENSURE(rc.len == 0, TENON_ERR_TLS_RENEGOTIATION_INFO);
    return TENON_OK;
}
