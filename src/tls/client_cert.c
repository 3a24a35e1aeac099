/*
 * The client's certificate for a server's CertificateRequest, both versions: tenon's own
 * choice, or the application's (tenon_config.client_cert_fn), held to what the server asked
 * (RFC 8446 §4.4.2.3, RFC 5246 §7.4.6); and the certificate_authorities list both versions'
 * CertificateRequest carries (RFC 8446 §4.2.4, RFC 5246 §7.4.4).
 */
#include "tls13.h"

#define CT_RSA_SIGN 1
#define CT_ECDSA_SIGN 64 /* RFC 8422 §5.5 */

int tls_ca_names_parse(cursor list, tenon_cert_request *req)
{
    /* RFC 8446 §4.2.4 / RFC 5246 §7.4.4: opaque DistinguishedName<1..2^16-1>, each a DER
     * Name. */
    req->ca_name_count = 0;
    while (cur_remaining(&list) > 0) {
        cursor name;
        GUARD(cur_vec(&list, 2, 1, 0xffff, &name));
        if (req->ca_name_count < TENON_MAX_CA_NAMES)
            req->ca_names[req->ca_name_count] = (tenon_bytes){name.p, name.len};
        req->ca_name_count++;
    }
    return TENON_OK;
}

int tls_ca_names_write(writer *w, const tenon_config *cfg)
{
    wr_vec list, name;
    GUARD(wr_open_vec(w, 2, &list));
    for (size_t i = 0; i < cfg->client_ca_name_count; i++) {
        GUARD(wr_open_vec(w, 2, &name));
        GUARD(wr_bytes(w, cfg->client_ca_names[i].ptr, cfg->client_ca_names[i].len));
        GUARD(wr_close_vec(w, &name));
    }
    return wr_close_vec(w, &list);
}

static int type_listed(const tenon_cert_request *req, uint8_t type)
{
    for (size_t i = 0; i < req->certificate_types.len; i++)
        if (req->certificate_types.ptr[i] == type)
            return 1;
    return 0;
}

/* TLS 1.3: the first of the certificate's own schemes that fits its key and that the server
 * lists (§4.4.2.3: "MUST be signed using an acceptable signature algorithm"), 0 if none. */
static uint16_t tls13_scheme(const tls_conn *c, const tenon_cert_key *ck)
{
    size_t n;
    const uint16_t *ours = tls_cert_sign_schemes(c->cfg, ck, &n);
    for (size_t j = 0; j < n; j++) {
        const tls_sig_scheme *s = tls_sig_scheme_find(ours[j]);
        if (!tls_sig_scheme_fits(s, ck->key))
            continue;
        for (size_t k = 0; k < c->hs->peer_sig_count; k++)
            if (c->hs->peer_sigs[k] == s->id)
                return s->id;
    }
    return 0;
}

/* TLS 1.2: RFC 5246 §7.4.6, the certificate's key "MUST be compatible with the certificate
 * types listed in CertificateRequest", and §7.4.8, the scheme "MUST be one of those present in
 * the supported_signature_algorithms field"; ECDSA is tried before RSA, as tenon always has. */
static uint16_t tls12_scheme(const tls_conn *c, const tenon_cert_key *ck,
                             const tenon_cert_request *req, tenon_key_type t)
{
    int type_ok;
    uint8_t type = t == TENON_KEY_EC ? CT_ECDSA_SIGN : CT_RSA_SIGN;
    if (!type_listed(req, type))
        return 0;
    return tls12_cert_scheme(c, ck, t, NULL, NULL, &type_ok);
}

static uint16_t cert_scheme(const tls_conn *c, const tenon_cert_key *ck,
                            const tenon_cert_request *req)
{
    if (req->version == TENON_TLS13)
        return tls13_scheme(c, ck);
    uint16_t s = tls12_scheme(c, ck, req, TENON_KEY_EC);
    return s != 0 ? s : tls12_scheme(c, ck, req, TENON_KEY_RSA);
}

/* tenon's own choice: TLS 1.3 the first certificate that fits; TLS 1.2 the first with an ECDSA
 * key that fits, else the first with an RSA key. -1 if none. */
static int default_index(const tls_conn *c, const tenon_cert_request *req)
{
    const tenon_config *cfg = c->cfg;
    if (req->version == TENON_TLS13) {
        for (size_t i = 0; i < cfg->cert_count; i++)
            if (tls13_scheme(c, &cfg->certs[i]) != 0)
                return (int)i;
        return -1;
    }
    static const tenon_key_type order[] = {TENON_KEY_EC, TENON_KEY_RSA};
    for (size_t t = 0; t < ARRAY_LEN(order); t++)
        for (size_t i = 0; i < cfg->cert_count; i++)
            if (tls12_scheme(c, &cfg->certs[i], req, order[t]) != 0)
                return (int)i;
    return -1;
}

int tls_client_cert_choose(tls_conn *c, const tenon_cert_request *req)
{
    const tenon_config *cfg = c->cfg;
    int index = default_index(c, req);
    c->cert = NULL;
    c->hs->our_sig_scheme = 0;
    if (cfg->client_cert_fn != NULL) {
        int rc = cfg->client_cert_fn(cfg->client_cert_user, req, &index);
        if (rc > 0)
            return TENON_ERR_TLS_CLIENT_CERT_REFUSED;
        GUARD(rc);
        ENSURE(index >= -1 && index < (int)cfg->cert_count, TENON_ERR_INVALID_ARGUMENT);
    }
    if (index < 0) {
        tls_note(c, "client certificate requested: none sent");
        return TENON_OK;
    }
    uint16_t scheme = cert_scheme(c, &cfg->certs[index], req);
    /* RFC 8446 §4.4.2.3: "If the client cannot construct an acceptable chain using the
     * provided certificates and decides to abort the handshake, then it MUST abort ... with an
     * appropriate certificate-related alert"; otherwise it sends an empty Certificate (§4.4.2),
     * as RFC 5246 §7.4.6 has a TLS 1.2 client do: "If no suitable certificate is available, the
     * client MUST send a certificate message containing no certificates". A certificate the
     * callback chose that the server cannot accept is no suitable one. */
    if (scheme == 0) {
        tls_note(c, "the certificate chosen does not fit the server's request: none sent");
        return TENON_OK;
    }
    c->cert = &cfg->certs[index];
    c->hs->our_sig_scheme = scheme;
    tls_note(c, "client certificate requested and available");
    return TENON_OK;
}
