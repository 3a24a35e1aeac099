/*
 * CertificateVerify (RFC 8446 §4.4.3), both sides:
 *   struct { SignatureScheme algorithm; opaque signature<0..2^16-1>; } CertificateVerify;
 * The signature covers
 *   64 spaces || "TLS 1.3, server CertificateVerify" (or client) || 0x00 || Transcript-Hash
 * with the transcript up to the Certificate message.
 */
#include "tls13.h"

#include "tenon/ec.h"
#include "tenon/ed25519.h"
#include "tenon/rsa.h"

#include "fuzzing.h"

#define CV_MAX_SIG TENON_RSA_MAX_LEN

static const char server_ctx[] = "TLS 1.3, server CertificateVerify";
static const char client_ctx[] = "TLS 1.3, client CertificateVerify";
#define CV_CONTENT_MAX (64 + sizeof server_ctx + TLS13_MAX_HASH)

/* The signed content; and its digest under the scheme's hash, or for Ed25519 (no hash: RFC 8446
 * §4.2.3 "EdDSA algorithms", it signs the content itself) nothing more. */
static int signed_content(tls_conn *c, int by_server, const tls_sig_scheme *s,
                          uint8_t content[CV_CONTENT_MAX], size_t *len, uint8_t *digest)
{
    const char *ctx = by_server ? server_ctx : client_ctx;
    size_t th_len;
    memset(content, 0x20, 64);
    memcpy(content + 64, ctx, sizeof server_ctx); /* with its terminating 0x00 */
    GUARD(tls_transcript_hash(&c->hs->tx, content + 64 + sizeof server_ctx, &th_len));
    *len = 64 + sizeof server_ctx + th_len;
    if (s->hash != NULL)
        tenon_hash(s->hash, content, *len, digest);
    return TENON_OK;
}

int hs_certificate_verify_send(tls_conn *c)
{
    const tls_sig_scheme *s = tls_sig_scheme_find(c->hs->our_sig_scheme);
    const tenon_private_key *key = c->cert->key;
    ENSURE(tls_sig_scheme_fits(s, key), TENON_ERR_INTERNAL);
    uint8_t content[CV_CONTENT_MAX], digest[TENON_HASH_MAX_LEN];
    size_t content_len;
    GUARD(signed_content(c, !c->is_client, s, content, &content_len, digest));
    writer w;
    wr_vec body, sig;
    GUARD(tls_hs_begin(c, HS_CERTIFICATE_VERIFY, &w, &body));
    GUARD(wr_u16(&w, s->id));
    GUARD(wr_open_vec(&w, 2, &sig));
    ENSURE(w.cap - w.len >= CV_MAX_SIG, TENON_ERR_BUFFER_TOO_SMALL);
    uint8_t *out = w.buf + w.len;
    size_t n;
    if (s->key_type == TENON_KEY_ED25519) {
        GUARD(tenon_ed25519_sign(&key->u.ed25519, content, content_len, out));
        n = TENON_ED25519_SIG_LEN;
    } else if (s->key_type == TENON_KEY_EC)
        GUARD(tls_ecdsa_sign(c, &key->u.ec, s->hash, digest, out, CV_MAX_SIG, &n));
    else
        /* §4.2.3: RSASSA-PSS "with the salt length equal to the length of the digest". */
        GUARD(tenon_rsa_pss_sign(&key->u.rsa, s->hash, digest, s->hash->digest_len, out, CV_MAX_SIG,
                                 &n));
    w.len += n;
    GUARD(wr_close_vec(&w, &sig));
    GUARD(tls_hs_finish(&w, &body));
    return tls_hs_commit(c, &w, NULL);
}

/* STYLE.md 9: the one function that sets signature_verified. */
int tls_proof_certificate_verify(tls_conn *c, const uint8_t *sig, size_t sig_len)
{
    const tls_sig_scheme *s = tls_sig_scheme_find(c->peer_sig_scheme);
    uint8_t content[CV_CONTENT_MAX], digest[TENON_HASH_MAX_LEN];
    size_t content_len;
    ENSURE(c->cert_verified && s != NULL, TENON_ERR_INTERNAL);
    GUARD(signed_content(c, c->is_client, s, content, &content_len, digest));
    int rc;
    if (s->key_type == TENON_KEY_ED25519)
        rc = tenon_ed25519_verify(&c->hs->peer_key.u.ed25519, content, content_len, sig, sig_len);
    else if (s->key_type == TENON_KEY_EC)
        rc = tenon_ecdsa_verify(&c->hs->peer_key.u.ec, digest, s->hash->digest_len, TENON_ECDSA_DER,
                                sig, sig_len);
    else
        rc = tenon_rsa_pss_verify(&c->hs->peer_key.u.rsa, s->hash, digest, s->hash->digest_len,
                                  s->hash->digest_len, sig, sig_len);
#ifdef TENON_FUZZING
    rc = fuzzing_signature_result(rc);
#endif
    /* §4.4.3: "If the verification fails, the receiver MUST terminate the handshake with a
     * "decrypt_error" alert." */
    ENSURE(rc == TENON_OK, TENON_ERR_TLS_DECRYPT_ERROR);
    c->signature_verified = 1;
    tls_trace_emit(&c->trace, TENON_TRACE_VERIFIED, 0, "certificate verify", NULL, 0);
    return TENON_OK;
}

int hs_certificate_verify_recv(tls_conn *c, const uint8_t *msg, size_t len)
{
    cursor cur = cur_init(msg + 4, len - 4), sig;
    uint16_t scheme;
    GUARD(cur_u16(&cur, &scheme));
    GUARD(cur_vec(&cur, 2, 0, 0xffff, &sig));
    GUARD(cur_finish(&cur));
    /* §4.4.3: the scheme must be one we offered, and fit the certificate's key (for ECDSA its
     * curve too): else illegal_parameter. */
    const tls_sig_scheme *s = tls_sig_scheme_find(scheme);
    int offered = 0;
    for (size_t i = 0; i < c->cfg->sig_scheme_count; i++)
        offered |= c->cfg->sig_schemes[i] == scheme;
    ENSURE(offered && s != NULL && s->key_type == c->hs->peer_key.type,
           TENON_ERR_TLS_ILLEGAL_PARAMETER);
    ENSURE(s->key_type != TENON_KEY_EC || s->curve == c->hs->peer_key.u.ec.curve,
           TENON_ERR_TLS_ILLEGAL_PARAMETER);
    /* §4.4.3: "RSA signatures MUST use an RSASSA-PSS algorithm" (rsa_pkcs1_* are offered for
     * TLS 1.2 only). */
    ENSURE(s->key_type != TENON_KEY_RSA || s->rsa_pss, TENON_ERR_TLS_ILLEGAL_PARAMETER);
    c->peer_sig_scheme = scheme;
    GUARD(tls_proof_certificate_verify(c, sig.p, sig.len));
    tls_transcript_update(&c->hs->tx, msg, len);
    c->state = c->is_client ? ST_C_WAIT_FINISHED : ST_S_WAIT_FINISHED;
    return TENON_OK;
}
