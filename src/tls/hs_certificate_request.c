/*
 * CertificateRequest (RFC 8446 §4.3.2), both sides:
 *   struct {
 *       opaque certificate_request_context<0..2^8-1>;
 *       Extension extensions<2..2^16-1>;
 *   } CertificateRequest;
 */
#include "tls13.h"

int hs_certificate_request_send(tls_conn *c)
{
    writer w;
    wr_vec body, exts;
    const tenon_config *cfg = c->cfg;
    GUARD(tls_hs_begin(c, HS_CERTIFICATE_REQUEST, &w, &body));
    /* §4.3.2: in the main handshake the context is empty. */
    GUARD(wr_u8(&w, 0));
    GUARD(wr_open_vec(&w, 2, &exts));
    GUARD(
        ext_sig_algs_write(&w, EXT_SIGNATURE_ALGORITHMS, cfg->sig_schemes, cfg->sig_scheme_count));
    if (cfg->cert_sig_scheme_count > 0)
        GUARD(ext_sig_algs_write(&w, EXT_SIGNATURE_ALGORITHMS_CERT, cfg->cert_sig_schemes,
                                 cfg->cert_sig_scheme_count));
    /* §4.2.4: certificate_authorities, "DistinguishedName authorities<3..2^16-1>": only
     * when there are names. */
    if (cfg->client_ca_name_count > 0) {
        wr_vec ext;
        GUARD(wr_u16(&w, EXT_CERTIFICATE_AUTHORITIES));
        GUARD(wr_open_vec(&w, 2, &ext));
        GUARD(tls_ca_names_write(&w, cfg));
        GUARD(wr_close_vec(&w, &ext));
    }
    GUARD(wr_close_vec(&w, &exts));
    GUARD(tls_hs_finish(&w, &body));
    GUARD(tls_hs_commit(c, &w, NULL));
    c->cert_requested = 1;
    return TENON_OK;
}

int hs_certificate_request_recv(tls_conn *c, const uint8_t *msg, size_t len)
{
    cursor cur = cur_init(msg + 4, len - 4), context;
    tls_exts exts;
    GUARD(cur_vec(&cur, 1, 0, 255, &context));
    GUARD(tls_exts_parse(&cur, M_CR, 2, &exts));
    GUARD(cur_finish(&cur));
    /* §4.3.2: "certificate_request_context ... SHALL be zero length unless used for the
     * post-handshake authentication exchanges". */
    ENSURE(context.len == 0, TENON_ERR_TLS_ILLEGAL_PARAMETER);
    /* "The "signature_algorithms" extension MUST be specified". */
    ENSURE(exts.seen & (1u << X_SIGNATURE_ALGORITHMS), TENON_ERR_TLS_MISSING_EXTENSION);
    GUARD(ext_sig_algs_parse(exts.body[X_SIGNATURE_ALGORITHMS], c->hs->peer_sigs, TLS_MAX_PEER_SIGS,
                             &c->hs->peer_sig_count));
    c->hs->cr_context_len = 0;
    c->cert_requested = 1;
    /* The certificate we will send: the first whose key signs with a scheme the server
     * accepts, or the one client_cert_fn chooses; none means an empty Certificate (§4.4.2). */
    tenon_cert_request req = {.version = TENON_TLS13,
                              .sig_schemes = c->hs->peer_sigs,
                              .sig_scheme_count = c->hs->peer_sig_count};
    if (exts.seen & (1u << X_CERTIFICATE_AUTHORITIES)) {
        /* §4.2.4: DistinguishedName authorities<3..2^16-1>. */
        cursor body = exts.body[X_CERTIFICATE_AUTHORITIES], list;
        GUARD(cur_vec(&body, 2, 3, 0xffff, &list));
        GUARD(cur_finish(&body));
        GUARD(tls_ca_names_parse(list, &req));
    }
    GUARD(tls_client_cert_choose(c, &req));
    tls_transcript_update(&c->hs->tx, msg, len);
    c->state = ST_C_WAIT_CERT;
    return TENON_OK;
}
