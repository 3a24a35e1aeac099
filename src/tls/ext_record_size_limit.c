/*
 * record_size_limit (RFC 8449 §4):
 *   uint16 RecordSizeLimit;
 * In a ClientHello, a TLS 1.3 EncryptedExtensions or a TLS 1.2 ServerHello: the largest
 * protected record plaintext the sender is willing to receive. Parsed as it is; what a value
 * means (and what is illegal) is record_limit.c's business.
 */
#include "tls13.h"

int ext_record_size_limit_write(writer *w, uint16_t limit)
{
    GUARD(wr_u16(w, EXT_RECORD_SIZE_LIMIT));
    GUARD(wr_u16(w, 2));
    return wr_u16(w, limit);
}

int ext_record_size_limit_parse(cursor body, uint16_t *limit)
{
    GUARD(cur_u16(&body, limit));
    return cur_finish(&body);
}
