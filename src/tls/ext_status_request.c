/*
 * status_request (RFC 6066 §8, RFC 8446 §4.4.2.1): the client's CertificateStatusRequest, the
 * TLS 1.2 server's empty acknowledgement, and the CertificateStatus that carries the OCSP
 * response (in a TLS 1.3 CertificateEntry, or as TLS 1.2's own handshake message).
 */
#include "tls13.h"

/* RFC 6066 §8: enum { ocsp(1), (255) } CertificateStatusType; */
#define STATUS_TYPE_OCSP 1

int ext_status_request_write_ch(writer *w)
{
    wr_vec ext;
    GUARD(wr_u16(w, EXT_STATUS_REQUEST));
    GUARD(wr_open_vec(w, 2, &ext));
    GUARD(wr_u8(w, STATUS_TYPE_OCSP));
    /* No responders named ("A zero-length "responder_id_list" sequence has the special meaning
     * that the responders are implicitly known to the server") and no request extensions. */
    GUARD(wr_u16(w, 0));
    GUARD(wr_u16(w, 0));
    return wr_close_vec(w, &ext);
}

int ext_status_request_parse_ch(cursor body, int *ocsp)
{
    uint8_t type;
    *ocsp = 0;
    GUARD(cur_u8(&body, &type));
    /* Only ocsp has a request body this side can read; another type asks for nothing tenon
     * gives, and the server "MAY return a suitable certificate status response" or none. */
    if (type != STATUS_TYPE_OCSP)
        return TENON_OK;
    cursor ids, exts;
    GUARD(cur_vec(&body, 2, 0, 0xffff, &ids));
    while (cur_remaining(&ids) > 0) {
        cursor id; /* opaque ResponderID<1..2^16-1>; */
        GUARD(cur_vec(&ids, 2, 1, 0xffff, &id));
    }
    /* opaque Extensions<0..2^16-1>: DER, which the server does not interpret. */
    GUARD(cur_vec(&body, 2, 0, 0xffff, &exts));
    GUARD(cur_finish(&body));
    *ocsp = 1;
    return TENON_OK;
}

int ext_status_request_write_empty(writer *w)
{
    GUARD(wr_u16(w, EXT_STATUS_REQUEST));
    return wr_u16(w, 0);
}

int ext_status_request_parse_empty(cursor body)
{
    /* §8: the server's "extension_data" is empty. */
    return cur_finish(&body);
}

int tls_cert_status_write(writer *w, const uint8_t *resp, size_t len)
{
    wr_vec v;
    ENSURE(len > 0 && len <= 0xffffff, TENON_ERR_INTERNAL);
    GUARD(wr_u8(w, STATUS_TYPE_OCSP));
    GUARD(wr_open_vec(w, 3, &v));
    GUARD(wr_bytes(w, resp, len));
    return wr_close_vec(w, &v);
}

int tls_cert_status_parse(cursor body, cursor *response)
{
    uint8_t type;
    GUARD(cur_u8(&body, &type));
    /* We asked for ocsp, the one type there is: another is not an answer to our request. */
    ENSURE(type == STATUS_TYPE_OCSP, TENON_ERR_MALFORMED);
    /* opaque OCSPResponse<1..2^24-1>: an empty one is malformed. */
    GUARD(cur_vec(&body, 3, 1, 0xffffff, response));
    return cur_finish(&body);
}

int ext_status_request_write_cert(writer *w, const uint8_t *resp, size_t len)
{
    wr_vec ext;
    GUARD(wr_u16(w, EXT_STATUS_REQUEST));
    GUARD(wr_open_vec(w, 2, &ext));
    GUARD(tls_cert_status_write(w, resp, len));
    return wr_close_vec(w, &ext);
}
