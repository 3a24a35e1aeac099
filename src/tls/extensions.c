/*
 * The extension table of RFC 8446 §4.2 and the parser of an extension block.
 *
 * RFC 8446 §4.2: "If an implementation receives an extension which it recognizes and which is
 * not specified for the message in which it appears, it MUST abort the handshake with an
 * "illegal_parameter" alert." ... "There MUST NOT be more than one extension of the same type
 * in a given extension block."
 */
#include "tls13.h"

static const struct {
    uint16_t type;
    unsigned allowed; /* M_* where it may appear */
} KNOWN[X_COUNT] = {
    [X_SERVER_NAME] = {EXT_SERVER_NAME, M_CH | M_EE},
    [X_SUPPORTED_GROUPS] = {EXT_SUPPORTED_GROUPS, M_CH | M_EE},
    [X_SIGNATURE_ALGORITHMS] = {EXT_SIGNATURE_ALGORITHMS, M_CH | M_CR},
    [X_ALPN] = {EXT_ALPN, M_CH | M_EE},
    [X_PRE_SHARED_KEY] = {EXT_PRE_SHARED_KEY, M_CH | M_SH},
    [X_EARLY_DATA] = {EXT_EARLY_DATA, M_CH | M_EE | M_NST},
    [X_SUPPORTED_VERSIONS] = {EXT_SUPPORTED_VERSIONS, M_CH | M_SH | M_HRR},
    [X_COOKIE] = {EXT_COOKIE, M_CH | M_HRR},
    [X_PSK_KEY_EXCHANGE_MODES] = {EXT_PSK_KEY_EXCHANGE_MODES, M_CH},
    [X_CERTIFICATE_AUTHORITIES] = {EXT_CERTIFICATE_AUTHORITIES, M_CH | M_CR},
    [X_SIGNATURE_ALGORITHMS_CERT] = {EXT_SIGNATURE_ALGORITHMS_CERT, M_CH | M_CR},
    [X_KEY_SHARE] = {EXT_KEY_SHARE, M_CH | M_SH | M_HRR},
};

int tls_exts_parse(cursor *c, unsigned msg, size_t min_len, tls_exts *out)
{
    cursor block;
    memset(out, 0, sizeof *out);
    if (cur_vec(c, 2, min_len, 0xffff, &block) != 0)
        return TENON_ERR_TLS_DECODE;
    while (cur_remaining(&block) > 0) {
        uint16_t type;
        cursor body;
        if (cur_u16(&block, &type) != 0 || cur_vec(&block, 2, 0, 0xffff, &body) != 0)
            return TENON_ERR_TLS_DECODE;
        out->count++;
        out->psk_is_last = 0;
        size_t x = X_COUNT;
        for (size_t i = 0; i < X_COUNT; i++)
            if (KNOWN[i].type == type)
                x = i;
        if (x == X_COUNT) {
            /* Unknown extensions: a ClientHello, CertificateRequest or Certificate may carry
             * ones we never asked for; elsewhere the peer answers something we did not send
             * (§4.2: unsupported_extension). */
            if (msg & (M_CH | M_CR | M_CT))
                continue;
            return TENON_ERR_TLS_UNSUPPORTED_EXTENSION;
        }
        if (!(KNOWN[x].allowed & msg))
            return TENON_ERR_TLS_ILLEGAL_PARAMETER;
        if (out->seen & (1u << x))
            return TENON_ERR_TLS_ILLEGAL_PARAMETER;
        out->seen |= 1u << x;
        out->body[x] = body;
        if (x == X_PRE_SHARED_KEY)
            out->psk_is_last = 1;
    }
    return TENON_OK;
}
