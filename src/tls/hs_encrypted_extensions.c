/*
 * EncryptedExtensions (RFC 8446 §4.3.1), both sides:
 *   struct { Extension extensions<0..2^16-1>; } EncryptedExtensions;
 * The server's answers that need no key exchange: ALPN, an empty server_name when it used
 * the client's, and its record_size_limit (RFC 8449 §4).
 */
#include "tls13.h"

int hs_encrypted_extensions_send(tls_conn *c)
{
    writer w;
    wr_vec body, exts;
    GUARD(tls_hs_begin(c, HS_ENCRYPTED_EXTENSIONS, &w, &body));
    GUARD(wr_open_vec(&w, 2, &exts));
    if (c->sni_len > 0)
        GUARD(ext_server_name_write_empty(&w));
    if (c->alpn > 0) {
        const char *alpn = tls_alpn(c);
        GUARD(ext_alpn_write_one(&w, (const uint8_t *)alpn, strlen(alpn)));
    }
    GUARD(tls_rsl_write_answer(c, &w));
    GUARD(wr_close_vec(&w, &exts));
    GUARD(tls_hs_finish(&w, &body));
    return tls_hs_commit(c, &w, NULL);
}

/* The server's answers to SNI and ALPN, in EncryptedExtensions or a TLS 1.2 ServerHello. */
int tls_check_server_answers(tls_conn *c, const tls_exts *exts)
{
    /* §4.2: "Implementations MUST NOT send extension responses if the remote endpoint did not
     * send the corresponding extension requests ... unsupported_extension". */
    if (exts->seen & (1u << X_SERVER_NAME)) {
        ENSURE(c->sent_sni, TENON_ERR_TLS_UNSUPPORTED_EXTENSION);
        /* RFC 6066 §3: the server's extension_data "SHALL be empty". */
        ENSURE(exts->body[X_SERVER_NAME].len == 0, TENON_ERR_TLS_DECODE);
    }
    if (exts->seen & (1u << X_ALPN)) {
        ENSURE(c->sent_alpn, TENON_ERR_TLS_UNSUPPORTED_EXTENSION);
        cursor list, name;
        size_t count;
        GUARD(ext_alpn_parse(exts->body[X_ALPN], &list, &count));
        /* RFC 7301 §3.1: "the "ProtocolNameList" MUST contain exactly one "ProtocolName"",
         * and it must be one we offered. */
        ENSURE(count == 1, TENON_ERR_TLS_ILLEGAL_PARAMETER);
        GUARD(cur_vec(&list, 1, 1, 255, &name));
        size_t offered = 0; /* 1 + its index in our list */
        for (size_t i = c->cfg->alpn_count; i > 0; i--)
            if (strlen(c->cfg->alpn[i - 1]) == name.len &&
                memcmp(c->cfg->alpn[i - 1], name.p, name.len) == 0)
                offered = i;
        ENSURE(offered > 0, TENON_ERR_TLS_ILLEGAL_PARAMETER);
        c->alpn = (uint8_t)offered;
    }
    return tls_rsl_server_answer(c, exts);
}

int hs_encrypted_extensions_recv(tls_conn *c, const uint8_t *msg, size_t len)
{
    cursor cur = cur_init(msg + 4, len - 4);
    tls_exts exts;
    GUARD(tls_exts_parse(&cur, M_EE, 0, &exts));
    GUARD(cur_finish(&cur));
    /* tenon never offers 0-RTT. */
    ENSURE(!(exts.seen & (1u << X_EARLY_DATA)), TENON_ERR_TLS_UNSUPPORTED_EXTENSION);
    GUARD(tls_check_server_answers(c, &exts));
    tls_transcript_update(&c->hs->tx, msg, len);
    c->state = c->resumed ? ST_C_WAIT_FINISHED : ST_C_WAIT_CERT_CR;
    return TENON_OK;
}
