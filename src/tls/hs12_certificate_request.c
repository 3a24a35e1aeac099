/*
 * CertificateRequest for TLS 1.2 (RFC 5246 §7.4.4), both sides:
 *   enum { rsa_sign(1), ..., ecdsa_sign(64), (255) } ClientCertificateType;
 *   struct {
 *       ClientCertificateType certificate_types<1..2^8-1>;
 *       SignatureAndHashAlgorithm supported_signature_algorithms<2^16-1>;
 *       DistinguishedName certificate_authorities<0..2^16-1>;
 *   } CertificateRequest;
 */
#include "tls13.h"

#define CT_RSA_SIGN 1
#define CT_ECDSA_SIGN 64 /* RFC 8422 §5.5 */

int hs12_certificate_request_send(tls_conn *c)
{
    writer w;
    wr_vec body, v;
    GUARD(tls_hs_begin(c, HS_CERTIFICATE_REQUEST, &w, &body));
    GUARD(wr_open_vec(&w, 1, &v));
    GUARD(wr_u8(&w, CT_ECDSA_SIGN));
    GUARD(wr_u8(&w, CT_RSA_SIGN));
    GUARD(wr_close_vec(&w, &v));
    /* The client signs the handshake messages themselves (§7.4.8), under the scheme's hash:
     * every scheme we accept whose hash the transcript runs (all of them, by
     * tls12_transcript_for_client_auth). */
    GUARD(wr_open_vec(&w, 2, &v));
    for (size_t i = 0; i < c->cfg->sig_scheme_count; i++) {
        const tenon_hash_class *h = tls12_sig_hash(c->cfg->sig_schemes[i]);
        if (h != NULL && tls_transcript_runs(&c->hs->tx, h))
            GUARD(wr_u16(&w, c->cfg->sig_schemes[i]));
    }
    GUARD(wr_close_vec(&w, &v));
    GUARD(tls_ca_names_write(&w, c->cfg)); /* none: any authority */
    GUARD(tls_hs_finish(&w, &body));
    return tls_hs_commit(c, &w, NULL);
}

int hs12_certificate_request_recv(tls_conn *c, const uint8_t *msg, size_t len)
{
    cursor cur = cur_init(msg + 4, len - 4), types, algs, cas;
    GUARD(cur_vec(&cur, 1, 1, 255, &types));
    const uint8_t *algs_at = cur.p;
    GUARD(cur_vec(&cur, 2, 2, 0xfffe, &algs));
    ENSURE(algs.len % 2 == 0, TENON_ERR_TLS_DECODE);
    GUARD(cur_vec(&cur, 2, 0, 0xffff, &cas));
    GUARD(cur_finish(&cur));
    /* The same SignatureScheme list as TLS 1.3's signature_algorithms (RFC 8446 §4.2.3 names
     * the TLS 1.2 pairs by these code points): the schemes we know, once each, however many
     * others come first. */
    GUARD(ext_sig_algs_parse(cur_init(algs_at, 2 + algs.len), c->hs->peer_sigs, TLS_MAX_PEER_SIGS,
                             &c->hs->peer_sig_count));
    c->cert_requested = 1;
    /* Our certificate: one whose key type the server names and which can sign with a scheme
     * it lists (§7.4.8: "MUST be one of those present in the supported_signature_algorithms
     * field"), under whatever hash: the transcript runs every hash our schemes have
     * (tls12_transcript_for_client_auth); tenon's choice or client_cert_fn's; none: an empty
     * Certificate (§7.4.6). */
    tenon_cert_request req = {.version = TENON_TLS12,
                              .sig_schemes = c->hs->peer_sigs,
                              .sig_scheme_count = c->hs->peer_sig_count,
                              .certificate_types = {types.p, types.len}};
    GUARD(tls_ca_names_parse(cas, &req));
    GUARD(tls_client_cert_choose(c, &req));
    /* Only the chosen scheme's hash is needed beside the PRF's from here on. */
    tls_transcript_keep_only(&c->hs->tx,
                             c->cert != NULL ? tls12_sig_hash(c->hs->our_sig_scheme) : NULL);
    tls_transcript_update(&c->hs->tx, msg, len);
    c->state = ST_C12_WAIT_SHD;
    return TENON_OK;
}
