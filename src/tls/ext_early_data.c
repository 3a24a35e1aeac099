/*
 * early_data (RFC 8446 §4.2.10): in a ClientHello, struct {} Empty; in a NewSessionTicket,
 * uint32 max_early_data_size. tenon never offers 0-RTT,
 * and a tenon server never accepts it: it answers without the extension and skips the early
 * records it cannot decrypt, as §4.2.10 requires.
 */
#include "tls13.h"

int ext_early_data_parse_ch(cursor body)
{
    return cur_finish(&body);
}

int ext_early_data_parse_nst(cursor body, uint32_t *max_early_data_size)
{
    GUARD(cur_u32(&body, max_early_data_size));
    return cur_finish(&body);
}
