/*
 * early_data (RFC 8446 §4.2.10): in a ClientHello, struct {} Empty. tenon never offers 0-RTT,
 * and a tenon server never accepts it: it answers without the extension and skips the early
 * records it cannot decrypt, as §4.2.10 requires.
 */
#include "tls13.h"

int ext_early_data_parse_ch(cursor body)
{
    return cur_finish(&body);
}
