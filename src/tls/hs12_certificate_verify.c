/*
 * CertificateVerify for TLS 1.2, server side (RFC 5246 §7.4.8):
 *   struct { digitally-signed struct { opaque handshake_messages[handshake_messages_length]; } }
 * The client's is in hs12_server_hello_done.c.
 */
#include "tls13.h"

#include "fuzzing.h"

/* STYLE.md 9: the one function that sets signature_verified on a TLS 1.2 server. */
int tls12_proof_certificate_verify(tls_conn *c, uint16_t scheme, const uint8_t *sig, size_t sig_len)
{
    /* RFC 5246 §7.4.8: the signature covers handshake_messages under the scheme's hash. */
    uint8_t digest[TENON_HASH_MAX_LEN];
    const tenon_hash_class *h = tls12_sig_hash(scheme);
    ENSURE(h != NULL, TENON_ERR_TLS_ILLEGAL_PARAMETER);
    GUARD(tls_transcript_hash_with(&c->hs->tx, h, NULL, 0, digest));
    int rc = tls12_verify(scheme, &c->hs->peer_key, digest, NULL, 0, sig, sig_len);
#ifdef TENON_FUZZING
    rc = fuzzing_signature_result(rc);
#endif
    GUARD(rc);
    c->signature_verified = 1;
    c->peer_sig_scheme = scheme;
    tls_trace_emit(&c->trace, TENON_TRACE_VERIFIED, 0, "CertificateVerify", NULL, 0);
    return TENON_OK;
}

int hs12_certificate_verify_recv(tls_conn *c, const uint8_t *msg, size_t len)
{
    cursor cur = cur_init(msg + 4, len - 4), sig;
    uint16_t scheme;
    GUARD(cur_u16(&cur, &scheme));
    GUARD(cur_vec(&cur, 2, 0, 0xffff, &sig));
    GUARD(cur_finish(&cur));
    /* §7.4.8: the algorithm "MUST be one of those present in the
     * supported_signature_algorithms field of the CertificateRequest message" — the schemes we
     * accept whose hash the transcript runs — and fit the certificate's key. */
    int listed = 0;
    for (size_t i = 0; i < c->cfg->sig_scheme_count; i++)
        listed |= c->cfg->sig_schemes[i] == scheme;
    const tenon_hash_class *h = tls12_sig_hash(scheme);
    ENSURE(listed && h != NULL && tls_transcript_runs(&c->hs->tx, h) &&
               tls12_scheme_fits_key(scheme, c->hs->peer_key.type),
           TENON_ERR_TLS_ILLEGAL_PARAMETER);
    GUARD(tls12_proof_certificate_verify(c, scheme, sig.p, sig.len));
    tls_transcript_keep_only(&c->hs->tx, NULL);
    tls_transcript_update(&c->hs->tx, msg, len);
    c->state = ST_S12_WAIT_CCS;
    return TENON_OK;
}
