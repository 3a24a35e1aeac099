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
    [X_SERVER_NAME] = {EXT_SERVER_NAME, M_CH | M_EE | M_SH12},
    [X_SUPPORTED_GROUPS] = {EXT_SUPPORTED_GROUPS, M_CH | M_EE},
    [X_SIGNATURE_ALGORITHMS] = {EXT_SIGNATURE_ALGORITHMS, M_CH | M_CR},
    [X_ALPN] = {EXT_ALPN, M_CH | M_EE | M_SH12},
    [X_PRE_SHARED_KEY] = {EXT_PRE_SHARED_KEY, M_CH | M_SH},
    [X_EARLY_DATA] = {EXT_EARLY_DATA, M_CH | M_EE | M_NST},
    [X_SUPPORTED_VERSIONS] = {EXT_SUPPORTED_VERSIONS, M_CH | M_SH | M_HRR},
    [X_COOKIE] = {EXT_COOKIE, M_CH | M_HRR},
    [X_PSK_KEY_EXCHANGE_MODES] = {EXT_PSK_KEY_EXCHANGE_MODES, M_CH},
    [X_CERTIFICATE_AUTHORITIES] = {EXT_CERTIFICATE_AUTHORITIES, M_CH | M_CR},
    [X_SIGNATURE_ALGORITHMS_CERT] = {EXT_SIGNATURE_ALGORITHMS_CERT, M_CH | M_CR},
    [X_KEY_SHARE] = {EXT_KEY_SHARE, M_CH | M_SH | M_HRR},
    /* TLS 1.2 only: RFC 8422 §5.1.2, RFC 7366 §2, RFC 7627 §5.1, RFC 5077 §3.2, RFC 5746 §3.2.
     * RFC 8446 §4.2 lists none of them for TLS 1.3 messages, so a TLS 1.3 ServerHello with one
     * is illegal_parameter; a TLS 1.3 ClientHello may carry them for a TLS 1.2 server. */
    [X_EC_POINT_FORMATS] = {EXT_EC_POINT_FORMATS, M_CH | M_SH12},
    [X_ENCRYPT_THEN_MAC] = {EXT_ENCRYPT_THEN_MAC, M_CH | M_SH12},
    [X_EXTENDED_MASTER_SECRET] = {EXT_EXTENDED_MASTER_SECRET, M_CH | M_SH12},
    [X_SESSION_TICKET] = {EXT_SESSION_TICKET, M_CH | M_SH12},
    [X_RENEGOTIATION_INFO] = {EXT_RENEGOTIATION_INFO, M_CH | M_SH12},
    /* RFC 8446 §4.2's table (CH, CR, CT) and, for TLS 1.2, the ServerHello (RFC 6066 §8, RFC
     * 6962 §3.3.1); never in a TLS 1.3 ServerHello or EncryptedExtensions. */
    [X_STATUS_REQUEST] = {EXT_STATUS_REQUEST, M_CH | M_CR | M_CT | M_SH12},
    [X_SCT] = {EXT_SIGNED_CERTIFICATE_TIMESTAMP, M_CH | M_CR | M_CT | M_SH12},
    /* RFC 8449 §4: "In TLS 1.3, the server sends the "record_size_limit" extension in the
     * EncryptedExtensions message"; TLS 1.2 answers in the ServerHello. */
    [X_RECORD_SIZE_LIMIT] = {EXT_RECORD_SIZE_LIMIT, M_CH | M_EE | M_SH12},
};

/* RFC 8446 §4.2: "There MUST NOT be more than one extension of the same type in a given
 * extension block." No alert is named; decode_error is what BoringSSL sends and conformance
 * suites expect. Checked over the whole block, known types or not, before anything else is
 * looked at, with one bit per possible type: a block holds up to 16383 extensions, so a pairwise
 * scan could cost a hundred million steps, while the bitmap costs one pass. */
static int check_block(cursor block)
{
    uint64_t seen[65536 / 64];
    memset(seen, 0, sizeof seen);
    while (cur_remaining(&block) > 0) {
        uint16_t type;
        cursor body;
        if (cur_u16(&block, &type) != 0 || cur_vec(&block, 2, 0, 0xffff, &body) != 0)
            return TENON_ERR_TLS_DECODE;
        uint64_t bit = (uint64_t)1 << (type % 64);
        if (seen[type / 64] & bit)
            return TENON_ERR_TLS_DECODE;
        seen[type / 64] |= bit;
    }
    return TENON_OK;
}

int tls_exts_parse(cursor *c, unsigned msg, size_t min_len, tls_exts *out)
{
    cursor block;
    memset(out, 0, sizeof *out);
    if (cur_vec(c, 2, min_len, 0xffff, &block) != 0)
        return TENON_ERR_TLS_DECODE;
    GUARD(check_block(block));
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
             * ones we never asked for, and §4.6.1: "Clients MUST ignore unrecognized extensions"
             * in a NewSessionTicket (BoringSSL puts a GREASE one in each). Elsewhere the peer
             * answers something we did not send (§4.2: unsupported_extension). Whether a
             * Certificate's are acceptable is its handler's business (§4.4.2). */
            if (msg & (M_CH | M_CR | M_CT | M_NST))
                continue;
            return TENON_ERR_TLS_UNSUPPORTED_EXTENSION;
        }
        if (!(KNOWN[x].allowed & msg))
            return TENON_ERR_TLS_ILLEGAL_PARAMETER;
        out->seen |= 1u << x;
        out->body[x] = body;
        if (x == X_PRE_SHARED_KEY)
            out->psk_is_last = 1;
    }
    return TENON_OK;
}

int tls_exts_allowed(const tls_exts *e, unsigned msg, int err)
{
    for (size_t x = 0; x < X_COUNT; x++)
        if (((e->seen >> x) & 1u) && !(KNOWN[x].allowed & msg))
            return err;
    return TENON_OK;
}
