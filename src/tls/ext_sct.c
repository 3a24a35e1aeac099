/*
 * signed_certificate_timestamp (RFC 6962 §3.3.1): Certificate Transparency's SCTs, delivered
 * by the TLS extension. "Clients that support the extension SHOULD send a ClientHello
 * extension with the appropriate type and empty "extension_data""; the server answers with a
 * SignedCertificateTimestampList (TLS 1.2: in the ServerHello; TLS 1.3: in the leaf's
 * CertificateEntry, RFC 8446 §4.4.2).
 */
#include "tls13.h"

int ext_sct_write_ch(writer *w)
{
    GUARD(wr_u16(w, EXT_SIGNED_CERTIFICATE_TIMESTAMP));
    return wr_u16(w, 0);
}

int ext_sct_parse_ch(cursor body)
{
    return cur_finish(&body);
}

int ext_sct_write_list(writer *w, const uint8_t *list, size_t len)
{
    wr_vec ext;
    GUARD(wr_u16(w, EXT_SIGNED_CERTIFICATE_TIMESTAMP));
    GUARD(wr_open_vec(w, 2, &ext));
    GUARD(wr_bytes(w, list, len));
    return wr_close_vec(w, &ext);
}

int ext_sct_parse_list(cursor body)
{
    cursor list;
    /* struct { SerializedSCT sct_list <1..2^16-1>; }: neither the list nor an SCT
     * (opaque SerializedSCT<1..2^16-1>) may be empty. */
    GUARD(cur_vec(&body, 2, 1, 0xffff, &list));
    GUARD(cur_finish(&body));
    while (cur_remaining(&list) > 0) {
        cursor sct;
        GUARD(cur_vec(&list, 2, 1, 0xffff, &sct));
    }
    return TENON_OK;
}
