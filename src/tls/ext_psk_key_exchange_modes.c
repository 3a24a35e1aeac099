/*
 * psk_key_exchange_modes (RFC 8446 §4.2.9):
 *   enum { psk_ke(0), psk_dhe_ke(1), (255) } PskKeyExchangeMode;
 *   struct { PskKeyExchangeMode ke_modes<1..255>; } PskKeyExchangeModes;
 * tenon only resumes with psk_dhe_ke: every resumed session has forward secrecy.
 */
#include "tls13.h"

int ext_psk_modes_write(writer *w)
{
    GUARD(wr_u16(w, EXT_PSK_KEY_EXCHANGE_MODES));
    GUARD(wr_u16(w, 2));
    GUARD(wr_u8(w, 1));
    return wr_u8(w, 1); /* psk_dhe_ke */
}

int ext_psk_modes_parse(cursor body, int *psk_dhe_ke)
{
    cursor modes;
    *psk_dhe_ke = 0;
    GUARD(cur_vec(&body, 1, 1, 255, &modes));
    GUARD(cur_finish(&body));
    while (cur_remaining(&modes) > 0) {
        uint8_t m;
        GUARD(cur_u8(&modes, &m));
        if (m == 1)
            *psk_dhe_ke = 1;
    }
    return TENON_OK;
}
