/*
 * The record size limit (RFC 8449), both sides and both versions: what this side announces,
 * the peer's limit taken from its hello, and the bounds the engine applies to the records it
 * sends and receives.
 *
 * RFC 8449 §4: "The value of RecordSizeLimit is the maximum size of record in octets that the
 * endpoint is willing to receive." ... "This value is the length of the plaintext of a
 * protected record. The value includes the content type and padding added in TLS 1.3 (that is,
 * the complete length of TLSInnerPlaintext). In TLS 1.2 and earlier, the limit covers all input
 * to compression and encryption".
 *
 * A client always announces one (the configured limit, or the protocol's maximum), as GnuTLS
 * and Firefox do, so that a server with small buffers can ask for small records; a server
 * answers only a client that sent it (RFC 8446 §4.2 and RFC 5246 §7.4.1.4 forbid unsolicited
 * answers), with its own limit, so that the extension is negotiated and the client's limit
 * binds it.
 */
#include "tls13.h"

/* RFC 8449 §4: "For TLS 1.2 and earlier, that limit is 2^14 octets. TLS 1.3 uses a limit of
 * 2^14+1 octets." */
static uint16_t version_max(uint16_t version)
{
    return version == TENON_TLS12 ? TLS_MAX_PLAINTEXT : TLS_MAX_PLAINTEXT + 1;
}

uint16_t tls_rsl_ours(const tls_conn *c, uint16_t version)
{
    /* What the record area of the input buffer holds: a TLS 1.3 record's inner plaintext
     * beside the header and tag, and a TLS 1.2 record's plaintext at its largest expansion
     * (TENON_CONN_RECORD_SIZE_FOR), which binds only when the area is short of a whole record
     * (2^14 of TLS 1.2 plaintext). A client's value (version 0) must suit both. */
    size_t holds13 = c->rec_cap - TLS_RECORD_HEADER_LEN - TENON_AEAD_TAG_LEN;
    size_t holds12 = c->rec_cap - TENON_CONN_RECORD_SIZE_FOR(0);
    size_t v = c->cfg->record_size_limit != 0 ? c->cfg->record_size_limit : 0xffff;
    if (v > holds13)
        v = holds13;
    if (holds12 < TLS_MAX_PLAINTEXT && v > holds12)
        v = holds12;
    if (version == 0)
        version = tls_version_on(c->cfg, TENON_TLS13) ? TENON_TLS13 : TENON_TLS12;
    if (v > version_max(version))
        v = version_max(version);
    return (uint16_t)v;
}

/* RFC 8449 §4: "A TLS endpoint MUST NOT send a "record_size_limit" extension with a value
 * smaller than 64. An endpoint MUST treat receipt of a smaller value as a fatal error and
 * generate an "illegal_parameter" alert." */
static int take_peer(cursor body, uint16_t *v)
{
    GUARD(ext_record_size_limit_parse(body, v));
    ENSURE(*v >= 64, TENON_ERR_TLS_ILLEGAL_PARAMETER);
    return TENON_OK;
}

int tls_rsl_client_hello(tls_conn *c, const tls_exts *exts)
{
    c->rsl_peer = 0;
    c->rsl_recv = 0;
    if (!((exts->seen >> X_RECORD_SIZE_LIMIT) & 1u))
        return TENON_OK;
    uint16_t v;
    GUARD(take_peer(exts->body[X_RECORD_SIZE_LIMIT], &v));
    /* §4: "A server MUST NOT enforce this restriction; a client might advertise a higher limit
     * that is enabled by an extension or version the server does not understand": above the
     * version's maximum it is the maximum (records never exceed it anyway). */
    c->rsl_peer = v < version_max(c->version) ? v : version_max(c->version);
    c->rsl_recv = tls_rsl_ours(c, c->version);
    return TENON_OK;
}

int tls_rsl_write_answer(tls_conn *c, writer *w)
{
    if (c->rsl_recv == 0)
        return TENON_OK;
    return ext_record_size_limit_write(w, c->rsl_recv);
}

int tls_rsl_server_answer(tls_conn *c, const tls_exts *exts)
{
    if (!((exts->seen >> X_RECORD_SIZE_LIMIT) & 1u))
        return TENON_OK;
    /* RFC 8446 §4.2: an answer to an extension we did not send is unsupported_extension. */
    ENSURE(c->rsl_sent != 0, TENON_ERR_TLS_UNSUPPORTED_EXTENSION);
    uint16_t v;
    GUARD(take_peer(exts->body[X_RECORD_SIZE_LIMIT], &v));
    /* §4: "A client MAY abort the handshake with an "illegal_parameter" alert if the
     * record_size_limit extension includes a value greater than the maximum record size
     * permitted by the negotiated protocol version and extensions." A server that names more
     * than the version allows is one that does not follow §4: refused. */
    ENSURE(v <= version_max(c->version), TENON_ERR_TLS_ILLEGAL_PARAMETER);
    c->rsl_peer = v;
    c->rsl_recv = c->rsl_sent < version_max(c->version) ? c->rsl_sent : version_max(c->version);
    return TENON_OK;
}

size_t tls_rsl_send_max(const tls_conn *c)
{
    if (c->rsl_peer == 0)
        return TLS_MAX_PLAINTEXT;
    /* TLS 1.3: the content type byte counts (tenon adds no padding). TLS 1.2 CBC: tenon pads
     * to the block and no more, which §4.1 says keeps a record within the limit's bound ("An
     * implementation that always adds the minimum amount of padding will always comply"). */
    size_t n = c->version == TENON_TLS12 ? c->rsl_peer : (size_t)c->rsl_peer - 1;
    return n < TLS_MAX_PLAINTEXT ? n : TLS_MAX_PLAINTEXT;
}
