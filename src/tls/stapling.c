/*
 * OCSP stapling (RFC 6066 §8; RFC 8446 §4.4.2.1) and Certificate Transparency SCTs (RFC 6962
 * §3.3.1): the policy of both sides. The wire formats are in ext_status_request.c, ext_sct.c
 * and hs12_certificate_status.c.
 *
 * A server staples what the application put in its tenon_cert_key, to clients that asked, on
 * full handshakes. A client asks when configured, accepts only what it asked for, keeps what
 * arrived beside the peer's chain and hands it to the application's status_fn: judging an
 * OCSP response (its signature, responder, validity window) is the application's, as in
 * OpenSSL's status callback and rustls' certificate verifier.
 */
#include "tls13.h"

int tls_take_status_requests(tls_conn *c, const client_hello *ch)
{
    int ocsp = 0;
    if (ch_has(ch, X_STATUS_REQUEST))
        GUARD(ext_status_request_parse_ch(ch->exts.body[X_STATUS_REQUEST], &ocsp));
    c->ocsp_asked = (uint8_t)ocsp;
    c->sct_asked = 0;
    if (ch_has(ch, X_SCT)) {
        /* RFC 6962 §3.3.1: the client sends it "with ... empty "extension_data"". */
        GUARD(ext_sct_parse_ch(ch->exts.body[X_SCT]));
        c->sct_asked = 1;
    }
    return TENON_OK;
}

/* RFC 6066 §8 and RFC 6962 §3.3.1: only to a client that asked; never on a resumption, which
 * sends no certificate ("the server is not expected to ... include the extension"). */
int tls_staple_ocsp(const tls_conn *c)
{
    return !c->is_client && c->ocsp_asked && !c->resumed && c->cert != NULL &&
           c->hs->our_ocsp.len > 0;
}

int tls_choose_ocsp(tls_conn *c)
{
    const tenon_config *cfg = c->cfg;
    c->hs->our_ocsp.ptr = NULL;
    c->hs->our_ocsp.len = 0;
    if (c->is_client || !c->ocsp_asked || c->resumed || c->cert == NULL)
        return TENON_OK;
    tenon_bytes resp = c->cert->ocsp_response;
    if (cfg->staple_fn != NULL) {
        tenon_staple_request req;
        memset(&req, 0, sizeof req);
        req.cert_index = (int)(c->cert - cfg->certs);
        req.server_name.ptr = c->sni_len > 0 ? (const uint8_t *)c->sni : NULL;
        req.server_name.len = c->sni_len;
        req.ocsp_response = resp;
        int rc = cfg->staple_fn(cfg->staple_user, &req);
        if (rc != 0)
            return rc < 0 ? rc : TENON_ERR_TLS_STAPLE_CALLBACK;
        /* RFC 6066 §8: the response travels in an opaque<1..2^24-1>; an empty one is a
         * decline (nothing stapled, no acknowledgement), a non-empty one needs its bytes. */
        ENSURE(req.ocsp_response.len <= 0xffffff &&
                   (req.ocsp_response.len == 0 || req.ocsp_response.ptr != NULL),
               TENON_ERR_TLS_STAPLE_CALLBACK);
        resp = req.ocsp_response;
    }
    c->hs->our_ocsp = resp;
    return TENON_OK;
}

int tls_staple_scts(const tls_conn *c)
{
    return !c->is_client && c->sct_asked && !c->resumed && c->cert != NULL &&
           c->cert->sct_list.len > 0;
}

int tls13_leaf_status(tls_conn *c, const tls_exts *leaf)
{
    size_t taken = 0;
    c->peer->peer_ocsp.ptr = c->peer->peer_scts.ptr = NULL;
    c->peer->peer_ocsp.len = c->peer->peer_scts.len = 0;
    /* RFC 8446 §4.4.2: the extensions of a CertificateEntry "MUST correspond to ones from the
     * client's ClientHello message" (or the server's CertificateRequest: tenon's asks for
     * none); §4.2: one not asked for is unsupported_extension. */
    if ((leaf->seen >> X_STATUS_REQUEST) & 1u) {
        ENSURE(c->is_client && c->ocsp_asked, TENON_ERR_TLS_UNSUPPORTED_EXTENSION);
        cursor resp;
        /* §4.4.2.1: "the server MAY include a CertificateStatus" (RFC 6066's struct). */
        GUARD(tls_cert_status_parse(leaf->body[X_STATUS_REQUEST], &resp));
        c->peer->peer_ocsp.ptr = resp.p;
        c->peer->peer_ocsp.len = resp.len;
        taken++;
    }
    if ((leaf->seen >> X_SCT) & 1u) {
        ENSURE(c->is_client && c->sct_asked, TENON_ERR_TLS_UNSUPPORTED_EXTENSION);
        GUARD(ext_sct_parse_list(leaf->body[X_SCT]));
        c->peer->peer_scts.ptr = leaf->body[X_SCT].p;
        c->peer->peer_scts.len = leaf->body[X_SCT].len;
        taken++;
    }
    /* Any other (unknown) extension on the leaf was not asked for either. */
    ENSURE(leaf->count == taken, TENON_ERR_TLS_UNSUPPORTED_EXTENSION);
    return TENON_OK;
}

int tls_check_peer_status(tls_conn *c)
{
    const tenon_config *cfg = c->cfg;
    if (c->peer->peer_ocsp.len > 0)
        tls_note(c, "the server stapled an OCSP response");
    if (c->peer->peer_scts.len > 0)
        tls_note(c, "the server sent signed certificate timestamps");
    if (!c->is_client || c->resumed || cfg->status_fn == NULL)
        return TENON_OK;
    tenon_peer_status st;
    memset(&st, 0, sizeof st);
    st.chain = c->peer->peer_chain;
    st.chain_count = c->peer->peer_chain_count;
    st.ocsp_response = c->peer->peer_ocsp;
    st.sct_list = c->peer->peer_scts;
    st.server_name = cfg->server_name;
    int rc = cfg->status_fn(cfg->status_user, &st);
    if (rc != 0)
        return rc < 0 ? rc : TENON_ERR_TLS_BAD_CERT_STATUS;
    return TENON_OK;
}

tls_state tls12_state_after_certificate(const tls_conn *c)
{
    return c->suite12->kx == TLS12_KX_RSA ? ST_C12_WAIT_CR_SHD : ST_C12_WAIT_SKE;
}
