/*
 * Certificate (RFC 8446 §4.4.2), both sides:
 *   struct {
 *       opaque cert_data<1..2^24-1>;
 *       Extension extensions<0..2^16-1>;
 *   } CertificateEntry;
 *   struct {
 *       opaque certificate_request_context<0..2^8-1>;
 *       CertificateEntry certificate_list<0..2^24-1>;
 *   } Certificate;
 * and the proof that the peer's chain is acceptable (tls_proof_cert_chain).
 */
#include "tls13.h"

int hs_certificate_send(tls_conn *c)
{
    writer w;
    wr_vec body, list, entry, exts;
    GUARD(tls_hs_begin(c, HS_CERTIFICATE, &w, &body));
    GUARD(wr_u8(&w, (uint8_t)c->hs->cr_context_len));
    GUARD(wr_bytes(&w, c->hs->cr_context, c->hs->cr_context_len));
    GUARD(wr_open_vec(&w, 3, &list));
    if (c->cert != NULL)
        for (size_t i = 0; i < c->cert->chain_count; i++) {
            GUARD(wr_open_vec(&w, 3, &entry));
            GUARD(wr_bytes(&w, c->cert->chain[i].ptr, c->cert->chain[i].len));
            GUARD(wr_close_vec(&w, &entry));
            GUARD(wr_open_vec(&w, 2, &exts));
            /* §4.4.2: extensions that apply to the chain go on the first entry. */
            if (i == 0 && tls_staple_ocsp(c))
                GUARD(ext_status_request_write_cert(&w, c->hs->our_ocsp.ptr, c->hs->our_ocsp.len));
            if (i == 0 && tls_staple_scts(c))
                GUARD(ext_sct_write_list(&w, c->cert->sct_list.ptr, c->cert->sct_list.len));
            GUARD(wr_close_vec(&w, &exts));
        }
    GUARD(wr_close_vec(&w, &list));
    GUARD(tls_hs_finish(&w, &body));
    GUARD(tls_hs_commit(c, &w, NULL));
    if (c->is_client)
        c->client_cert_sent = c->cert != NULL;
    return TENON_OK;
}

/* Parses the message into chain views; more than TENON_MAX_CHAIN certificates is refused.
 * *leaf: the first entry's extensions. */
static int certificate_parse(const uint8_t *msg, size_t len, cursor *context, tenon_bytes *chain,
                             size_t *count, tls_exts *leaf)
{
    cursor c = cur_init(msg + 4, len - 4), list;
    GUARD(cur_vec(&c, 1, 0, 255, context));
    GUARD(cur_vec(&c, 3, 0, 0xffffff, &list));
    GUARD(cur_finish(&c));
    *count = 0;
    memset(leaf, 0, sizeof *leaf);
    while (cur_remaining(&list) > 0) {
        cursor data, ext_cur;
        tls_exts exts;
        GUARD(cur_vec(&list, 3, 1, 0xffffff, &data));
        ext_cur = list;
        GUARD(tls_exts_parse(&ext_cur, M_CT, 0, &exts));
        list = ext_cur;
        ENSURE(*count < TENON_MAX_CHAIN, TENON_ERR_TLS_BAD_CERTIFICATE);
        if (*count == 0)
            *leaf = exts;
        chain[*count].ptr = data.p;
        chain[*count].len = data.len;
        (*count)++;
    }
    return TENON_OK;
}

/* What tenon does with the peer's end-entity key: sign (a TLS 1.3 or TLS 1.2 CertificateVerify,
 * a TLS 1.2 ServerKeyExchange), or, for a TLS 1.2 server under RSA key transport, receive the
 * pre-master secret encrypted to it. */
static uint32_t leaf_key_use(const tls_conn *c)
{
    /* RFC 5246 §7.4.2: for RSA key transport "the certificate MUST allow the key to be used
     * for encryption (the keyEncipherment bit MUST be set if the key usage extension is
     * present)"; for ECDHE_RSA and ECDHE_ECDSA, and (§7.4.6) every client certificate, it
     * "MUST allow the key to be used for signing". */
    if (c->is_client && c->version == TENON_TLS12 && c->suite12 != NULL &&
        c->suite12->kx == TLS12_KX_RSA)
        return TENON_KU_KEY_ENCIPHERMENT;
    /* RFC 8446 §4.4.2.2: "The certificate MUST allow the key to be used for signing (i.e., the
     * digitalSignature bit MUST be set if the Key Usage extension is present) with a signature
     * scheme indicated in the client's "signature_algorithms"/"signature_algorithms_cert"
     * extensions"; §4.4.2.3 holds client certificates to the same. */
    return TENON_KU_DIGITAL_SIGNATURE;
}

/*
 * STYLE.md 9: the one function that sets cert_verified. The chain is parsed, the leaf's key
 * loaded (for CertificateVerify) and held to its keyUsage, then the trust store (path,
 * validity, purpose, and on a client the host name) and the caller's callback each get their
 * say.
 */
int tls_proof_cert_chain(tls_conn *c)
{
    const tenon_config *cfg = c->cfg;
    tenon_x509_cert certs[TENON_MAX_CHAIN];
    size_t n = c->peer->peer_chain_count;
    ENSURE(n > 0 && n <= TENON_MAX_CHAIN, TENON_ERR_TLS_BAD_CERTIFICATE);
    for (size_t i = 0; i < n; i++)
        GUARD(tenon_x509_parse(&certs[i], c->peer->peer_chain[i].ptr, c->peer->peer_chain[i].len));
    /* A key tenon cannot use (RSA under 2048 bits, Ed25519, ...): unsupported_certificate. */
    if (tenon_x509_public_key(&certs[0], &c->hs->peer_key) != TENON_OK)
        return TENON_ERR_CERT_UNSUPPORTED_ALG;
    /* The key is used below whatever the trust decision, so its keyUsage binds even with
     * insecure_skip_verify (as BoringSSL checks it apart from chain verification). A key the
     * certificate forbids for this use is of no use to the handshake: unsupported_certificate,
     * as for a key tenon cannot use at all. */
    ENSURE(tenon_x509_key_usage_allows(&certs[0], leaf_key_use(c)), TENON_ERR_TLS_KEY_USAGE);
    if (!cfg->insecure_skip_verify) {
        ENSURE(cfg->trust != NULL || cfg->verify_fn != NULL, TENON_ERR_TLS_BAD_CERTIFICATE);
        if (cfg->trust != NULL) {
            tenon_x509_verify_params p;
            memset(&p, 0, sizeof p);
            p.now = tls_now_ms(c) / 1000;
            /* tenon_config_check made sure a client without skip_hostname_check has a name. */
            p.hostname = c->is_client && !cfg->skip_hostname_check ? cfg->server_name : NULL;
            p.purpose = c->is_client ? TENON_X509_PURPOSE_SERVER : TENON_X509_PURPOSE_CLIENT;
            GUARD(tenon_x509_verify(cfg->trust, certs, n, &p));
        }
        if (cfg->verify_fn != NULL) {
            int rc = cfg->verify_fn(cfg->verify_user, c->peer->peer_chain, n,
                                    c->is_client ? cfg->server_name : NULL);
            if (rc != 0)
                return rc < 0 ? rc : TENON_ERR_TLS_BAD_CERTIFICATE;
        }
    } else {
        tls_note(c, "certificate verification skipped (insecure_skip_verify)");
    }
    c->cert_verified = 1;
    tls_trace_emit(&c->trace, TENON_TRACE_VERIFIED, 0, "certificate chain", NULL, 0);
    return TENON_OK;
}

int hs_certificate_recv(tls_conn *c, const uint8_t *msg, size_t len)
{
    cursor context;
    const uint8_t *kept;
    tls_exts leaf;
    GUARD(certificate_parse(msg, len, &context, c->peer->peer_chain, &c->peer->peer_chain_count,
                            &leaf));
    /* §4.4.2: "If an extension applies to the entire chain, it SHOULD be included in the first
     * CertificateEntry" and the extensions "MUST correspond to ones from the client's
     * ClientHello message" (or the server's CertificateRequest): a client takes the
     * status_request and signed_certificate_timestamp it asked for, anything else on the leaf
     * is unsolicited (§4.2, unsupported_extension); a server asks for none. Those of other
     * entries are ignored. */
    GUARD(tls13_leaf_status(c, &leaf));
    /* §4.4.2: the context echoes the CertificateRequest's (empty in the main handshake) and
     * is empty from a server. */
    ENSURE(context.len == 0, TENON_ERR_TLS_ILLEGAL_PARAMETER);
    tls_transcript_update(&c->hs->tx, msg, len);
    if (c->peer->peer_chain_count == 0) {
        c->peer->peer_chain_count = 0;
        /* §4.4.2.4: "If the server supplies an empty Certificate message, the client MUST
         * abort the handshake with a "decode_error" alert." */
        ENSURE(!c->is_client, TENON_ERR_TLS_DECODE);
        /* "If the client does not send any certificates ... the server MAY at its discretion
         * either continue the handshake without client authentication, or abort the handshake
         * with a "certificate_required" alert." */
        ENSURE(c->cfg->client_auth != TENON_CLIENT_AUTH_REQUIRE,
               TENON_ERR_TLS_CERTIFICATE_REQUIRED);
        c->state = ST_S_WAIT_FINISHED;
        return TENON_OK;
    }
    /* Keep the message so the chain outlives the handshake, and point the views at the copy. */
    GUARD(tls_keep_peer_certificate(c, msg, len, &kept));
    GUARD(certificate_parse(kept, len, &context, c->peer->peer_chain, &c->peer->peer_chain_count,
                            &leaf));
    GUARD(tls13_leaf_status(c, &leaf)); /* the views, now into the kept copy */
    c->peer_sent_cert = 1;
    GUARD(tls_proof_cert_chain(c));
    if (c->is_client)
        GUARD(tls_check_peer_status(c));
    c->state = c->is_client ? ST_C_WAIT_CV : ST_S_WAIT_CV;
    return TENON_OK;
}
