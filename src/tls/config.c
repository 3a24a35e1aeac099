/*
 * Configuration defaults and checks: a configuration that cannot work is refused at set-up, in
 * words, rather than discovered half-way through a handshake.
 */
#include "tls13.h"

TENON_API void tenon_config_init(tenon_config *cfg, tenon_role role)
{
    if (cfg == NULL)
        return;
    memset(cfg, 0, sizeof *cfg);
    cfg->role = role;
    /* A client lists the hybrid post-quantum group first and each classical group before the
     * hybrid built on it, as browsers do; a server puts every hybrid first, so that it picks
     * (or asks with HelloRetryRequest for) a post-quantum group whenever the client has one. */
    static const tenon_kex_class *const client_groups[] = {
        &tenon_kex_x25519mlkem768,    &tenon_kex_x25519,    &tenon_kex_secp256r1,
        &tenon_kex_secp256r1mlkem768, &tenon_kex_secp384r1, &tenon_kex_secp384r1mlkem1024};
    static const tenon_kex_class *const server_groups[] = {
        &tenon_kex_x25519mlkem768, &tenon_kex_secp256r1mlkem768, &tenon_kex_secp384r1mlkem1024,
        &tenon_kex_x25519,         &tenon_kex_secp256r1,         &tenon_kex_secp384r1};
    _Static_assert(ARRAY_LEN(client_groups) <= TENON_MAX_GROUPS, "TENON_MAX_GROUPS");
    memcpy(cfg->groups, role == TENON_SERVER ? server_groups : client_groups, sizeof client_groups);
    cfg->group_count = ARRAY_LEN(client_groups);
    /* RFC 8446 §4.2.8: the client's first flight shares the hybrid and x25519, so that a
     * server without the hybrid needs no HelloRetryRequest. */
    cfg->share_groups[0] = &tenon_kex_x25519mlkem768;
    cfg->share_groups[1] = &tenon_kex_x25519;
    cfg->share_group_count = 2;
    cfg->min_version = TENON_TLS12;
    cfg->max_version = TENON_TLS13;
    static const uint16_t suites[] = {
        TENON_TLS_AES_128_GCM_SHA256,
        TENON_TLS_AES_256_GCM_SHA384,
        TENON_TLS_CHACHA20_POLY1305_SHA256,
        TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TENON_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TENON_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TENON_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TENON_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TENON_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    };
    memcpy(cfg->suites, suites, sizeof suites);
    cfg->suite_count = ARRAY_LEN(suites);
    cfg->require_extended_master_secret = 1;
    /* rsa_pkcs1_* last: TLS 1.2 only (RFC 8446 §4.2.3 lets a TLS 1.3 ClientHello offer them
     * for TLS 1.2; tenon never uses them in a TLS 1.3 CertificateVerify). ed25519 is accepted
     * by default, as OpenSSL and rustls do. */
    static const uint16_t sigs[] = {
        TENON_SIG_ECDSA_SECP256R1_SHA256, TENON_SIG_ECDSA_SECP384R1_SHA384,
        TENON_SIG_ED25519,                TENON_SIG_RSA_PSS_RSAE_SHA256,
        TENON_SIG_RSA_PSS_RSAE_SHA384,    TENON_SIG_RSA_PSS_RSAE_SHA512,
        TENON_SIG_RSA_PKCS1_SHA256,       TENON_SIG_RSA_PKCS1_SHA384,
        TENON_SIG_RSA_PKCS1_SHA512};
    memcpy(cfg->sig_schemes, sigs, sizeof sigs);
    cfg->sig_scheme_count = ARRAY_LEN(sigs);
    static const uint16_t cert_sigs[] = {
        TENON_SIG_ECDSA_SECP256R1_SHA256, TENON_SIG_ECDSA_SECP384R1_SHA384,
        TENON_SIG_ED25519,                TENON_SIG_RSA_PSS_RSAE_SHA256,
        TENON_SIG_RSA_PSS_RSAE_SHA384,    TENON_SIG_RSA_PSS_RSAE_SHA512,
        TENON_SIG_RSA_PKCS1_SHA256,       TENON_SIG_RSA_PKCS1_SHA384,
        TENON_SIG_RSA_PKCS1_SHA512};
    memcpy(cfg->cert_sig_schemes, cert_sigs, sizeof cert_sigs);
    cfg->cert_sig_scheme_count = ARRAY_LEN(cert_sigs);
    cfg->middlebox_compat = 1;
    cfg->tickets_per_handshake = 1;
    cfg->ticket_lifetime_s = 7200;
    cfg->session_max_age_s = 604800;
}

int tls_version_on(const tenon_config *cfg, uint16_t version)
{
    if (version < cfg->min_version || version > cfg->max_version)
        return 0;
    /* TLS 1.2 has no post-quantum key exchange. */
    if (version == TENON_TLS12 && cfg->require_post_quantum)
        return 0;
    for (size_t i = 0; i < cfg->suite_count && i < TENON_MAX_SUITES; i++)
        if (version == TENON_TLS13 ? tls_suite_find(cfg->suites[i]) != NULL
                                   : tls12_suite_find(cfg->suites[i]) != NULL)
            return 1;
    return 0;
}

static int why_fail(const char **why, const char *text)
{
    if (why != NULL)
        *why = text;
    return TENON_ERR_TLS_CONFIG;
}

TENON_API int tenon_config_add_cert(tenon_config *cfg, const tenon_bytes *chain, size_t count,
                                    const tenon_private_key *key, const char **why)
{
    if (why != NULL)
        *why = NULL;
    if (cfg == NULL || chain == NULL || key == NULL)
        return why_fail(why, "a certificate chain and its key are required");
    if (count == 0 || count > TENON_MAX_CHAIN)
        return why_fail(why, "a certificate chain has 1 to TENON_MAX_CHAIN certificates");
    if (cfg->cert_count >= TENON_MAX_CERT_KEYS)
        return why_fail(why, "too many certificates (TENON_MAX_CERT_KEYS)");
    for (size_t i = 0; i < count; i++) {
        tenon_x509_cert cert;
        if (chain[i].ptr == NULL || tenon_x509_parse(&cert, chain[i].ptr, chain[i].len) != 0)
            return why_fail(why, "a certificate of the chain is not DER X.509");
        if (i > 0)
            continue;
        tenon_public_key pub;
        if (tenon_x509_public_key(&cert, &pub) != 0)
            return why_fail(why, "the certificate's key is not one tenon can sign with");
        if (pub.type != key->type || tenon_private_key_matches(key, &pub) != 0)
            return why_fail(why, "the private key does not match the certificate");
        /* RFC 8446 §4.4.2.2, RFC 5246 §7.4.2 and §7.4.6: a peer holds the key to the
         * certificate's keyUsage; every handshake but RSA key transport signs with it, so a
         * certificate that forbids signing would fail at every peer that checks. */
        if (!tenon_x509_key_usage_allows(&cert, TENON_KU_DIGITAL_SIGNATURE))
            return why_fail(why, "the certificate's keyUsage forbids signing (no "
                                 "digitalSignature), which TLS needs of this key");
    }
    tenon_cert_key *ck = &cfg->certs[cfg->cert_count];
    memset(ck, 0, sizeof *ck);
    for (size_t i = 0; i < count; i++)
        ck->chain[i] = chain[i];
    ck->chain_count = count;
    ck->key = key;
    cfg->cert_count++;
    return TENON_OK;
}

int tls_cert_key_usage_allows(const tenon_cert_key *ck, uint32_t ku)
{
    tenon_x509_cert leaf;
    if (ck == NULL || ck->chain_count == 0 ||
        tenon_x509_parse(&leaf, ck->chain[0].ptr, ck->chain[0].len) != TENON_OK)
        return 0;
    return tenon_x509_key_usage_allows(&leaf, ku);
}

TENON_API int tenon_config_check(const tenon_config *cfg, const char **why)
{
    if (why != NULL)
        *why = NULL;
    if (cfg == NULL)
        return why_fail(why, "no configuration");
    if (cfg->role != TENON_CLIENT && cfg->role != TENON_SERVER)
        return why_fail(why, "the role is neither client nor server");
    if (cfg->min_version > cfg->max_version ||
        (cfg->min_version != TENON_TLS12 && cfg->min_version != TENON_TLS13) ||
        (cfg->max_version != TENON_TLS12 && cfg->max_version != TENON_TLS13))
        return why_fail(why, "the versions must be TLS 1.2 and/or TLS 1.3, min <= max");
    if (cfg->suite_count == 0 || cfg->suite_count > TENON_MAX_SUITES)
        return why_fail(why, "no cipher suite configured");
    int n13 = 0, n12 = 0;
    for (size_t i = 0; i < cfg->suite_count; i++) {
        if (tls_suite_find(cfg->suites[i]) != NULL)
            n13++;
        else if (tls12_suite_find(cfg->suites[i]) != NULL)
            n12++;
        else
            return why_fail(why, "a configured cipher suite is not one tenon has");
    }
    int v13 = cfg->max_version >= TENON_TLS13, v12 = cfg->min_version <= TENON_TLS12;
    if ((v13 && !v12 && n13 == 0) || (v12 && !v13 && n12 == 0) || n13 + n12 == 0 ||
        (!(v13 && n13) && !(v12 && n12)))
        return why_fail(why, "no cipher suite for an enabled protocol version");
    if (cfg->group_count == 0 || cfg->group_count > TENON_MAX_GROUPS)
        return why_fail(why, "no key exchange group configured");
    /* RFC 8449 §4: "A TLS endpoint MUST NOT send a "record_size_limit" extension with a value
     * smaller than 64", nor one above the protocol's maximum (2^14 + 1 in TLS 1.3). */
    if (cfg->record_size_limit != 0 &&
        (cfg->record_size_limit < 64 || cfg->record_size_limit > 16385))
        return why_fail(why, "record_size_limit is 0 (none) or 64 .. 16385 (RFC 8449 §4)");
    int pq = 0;
    for (size_t i = 0; i < cfg->group_count; i++) {
        if (cfg->groups[i] == NULL || tls_group_find(cfg->groups[i]->tls_group) == NULL)
            return why_fail(why, "a configured group is not one tenon has");
        pq |= cfg->groups[i]->post_quantum;
    }
    if (cfg->share_group_count > TENON_MAX_KEY_SHARES)
        return why_fail(why, "too many key share groups");
    if (cfg->require_post_quantum && !(pq && v13 && n13 > 0))
        return why_fail(why, "require_post_quantum needs TLS 1.3 and a post-quantum group");
    if (cfg->sig_scheme_count == 0 || cfg->sig_scheme_count > TENON_MAX_SIG_SCHEMES)
        return why_fail(why, "no signature scheme configured");
    for (size_t i = 0; i < cfg->sig_scheme_count; i++) {
        const tls_sig_scheme *s = tls_sig_scheme_find(cfg->sig_schemes[i]);
        if (s == NULL)
            return why_fail(why, "an unknown signature scheme is configured");
        /* RFC 8446 §4.2.3: "Clients offering these values [the SHA-1 ones] MUST list them as
         * the lowest priority (listed after all other algorithms in SignatureSchemeList)." */
        if (i > 0 && s->hash != &tenon_sha1 &&
            tls_sig_scheme_find(cfg->sig_schemes[i - 1])->hash == &tenon_sha1)
            return why_fail(why, "SHA-1 signature schemes must come after every other one");
    }
    if (cfg->sign_scheme_count > TENON_MAX_SIG_SCHEMES)
        return why_fail(why, "too many signing signature schemes");
    for (size_t i = 0; i < cfg->sign_scheme_count; i++)
        if (tls_sig_scheme_find(cfg->sign_schemes[i]) == NULL)
            return why_fail(why, "an unknown signing signature scheme is configured");
    if (cfg->cert_sig_scheme_count > TENON_MAX_SIG_SCHEMES)
        return why_fail(why, "too many certificate signature schemes");
    for (size_t i = 0; i < cfg->cert_sig_scheme_count; i++)
        if (tls_sig_scheme_find(cfg->cert_sig_schemes[i]) == NULL)
            return why_fail(why, "an unknown certificate signature scheme is configured");
    if (cfg->alpn_count > TENON_MAX_ALPN)
        return why_fail(why, "too many ALPN protocols");
    for (size_t i = 0; i < cfg->alpn_count; i++) {
        size_t n = cfg->alpn[i] != NULL ? strlen(cfg->alpn[i]) : 0;
        if (n == 0 || n > TENON_MAX_ALPN_LEN)
            return why_fail(why, "an ALPN protocol name must have 1 to 255 bytes");
    }
    if (cfg->cert_count > TENON_MAX_CERT_KEYS)
        return why_fail(why, "too many certificates");
    for (size_t i = 0; i < cfg->cert_count; i++) {
        const tenon_cert_key *ck = &cfg->certs[i];
        int usable = 0;
        if (ck->key == NULL || ck->chain_count == 0 || ck->chain_count > TENON_MAX_CHAIN)
            return why_fail(why, "a certificate entry has no key or no chain");
        if (ck->sign_scheme_count > TENON_MAX_SIG_SCHEMES)
            return why_fail(why, "too many signing signature schemes for a certificate");
        for (size_t j = 0; j < ck->sign_scheme_count; j++)
            if (tls_sig_scheme_find(ck->sign_schemes[j]) == NULL)
                return why_fail(why, "an unknown signing signature scheme is configured for a "
                                     "certificate");
        size_t n;
        const uint16_t *ours = tls_cert_sign_schemes(cfg, ck, &n);
        for (size_t j = 0; j < n; j++) {
            usable |= v13 && tls_sig_scheme_fits(tls_sig_scheme_find(ours[j]), ck->key);
            usable |= v12 && tls12_scheme_fits_key(ours[j], ck->key->type);
        }
        if (!usable)
            return why_fail(why, "a certificate's key fits none of the signature schemes");
        /* What a server staples (tenon_cert_key): RFC 6066 §8's opaque OCSPResponse<1..2^24-1>
         * and RFC 6962 §3.3's list, checked here rather than sent malformed. */
        if ((ck->ocsp_response.len > 0 && ck->ocsp_response.ptr == NULL) ||
            ck->ocsp_response.len > 0xffffff)
            return why_fail(why, "a certificate's OCSP response is missing or longer than "
                                 "2^24-1 bytes");
        if (ck->sct_list.len > 0 &&
            (ck->sct_list.ptr == NULL ||
             ext_sct_parse_list(cur_init(ck->sct_list.ptr, ck->sct_list.len)) != TENON_OK))
            return why_fail(why, "a certificate's SCT list is not a well-formed "
                                 "SignedCertificateTimestampList (RFC 6962 3.3)");
    }
    /* Verification: one clear mode (tenon_config in tenon/tls.h). A setting that another one
     * would silently cancel is refused rather than half-honoured. */
    int verifies = cfg->trust != NULL || cfg->verify_fn != NULL;
    if (cfg->insecure_skip_verify && verifies)
        return why_fail(why, "insecure_skip_verify accepts any certificate and would ignore the "
                             "trust store and verify callback: configure one or the other");
    if (cfg->role == TENON_SERVER) {
        if (cfg->cert_count == 0)
            return why_fail(why, "a server needs a certificate and key (tenon_config_add_cert)");
        if (cfg->ticket_key_count > TENON_MAX_TICKET_KEYS)
            return why_fail(why, "too many ticket keys");
    } else if (cfg->session_cache != NULL) {
        return why_fail(why, "session_cache is a server's: a client keeps sessions in its "
                             "ticket_store");
    }
    if (cfg->role == TENON_SERVER) {
        /* Tickets after a handshake are messages that carry no data: a client (tenon's, and
         * BoringSSL's) takes only a bounded run of them, and keeps one per server name. */
        if (cfg->tickets_per_handshake > TENON_MAX_TICKETS_PER_HANDSHAKE)
            return why_fail(why, "tickets_per_handshake is at most TENON_MAX_TICKETS_PER_HANDSHAKE "
                                 "(16): clients refuse long runs of tickets");
        if (cfg->client_auth != TENON_CLIENT_AUTH_NONE && !verifies && !cfg->insecure_skip_verify)
            return why_fail(why, "client certificates are requested but nothing can verify "
                                 "them (trust store or verify callback)");
        if (cfg->client_auth == TENON_CLIENT_AUTH_NONE && verifies)
            return why_fail(why, "a trust store or verify callback for client certificates is "
                                 "set, but client_auth asks for none");
        if (cfg->client_auth == TENON_CLIENT_AUTH_NONE && cfg->insecure_skip_verify)
            return why_fail(why, "insecure_skip_verify is set for client certificates, but "
                                 "client_auth asks for none");
        if (cfg->skip_hostname_check)
            return why_fail(why, "skip_hostname_check is a client setting: a server checks no "
                                 "host name");
        if (cfg->ocsp_stapling || cfg->signed_cert_timestamps || cfg->status_fn != NULL)
            return why_fail(why, "ocsp_stapling, signed_cert_timestamps and status_fn are client "
                                 "settings: a server staples what its tenon_cert_key holds");
        /* RFC 8446 §4.2.4: DistinguishedName<1..2^16-1>, in a list of at most 2^16-1 bytes. */
        size_t ca_bytes = 0;
        if (cfg->client_ca_name_count > TENON_MAX_CA_NAMES)
            return why_fail(why, "more client_ca_names than TENON_MAX_CA_NAMES");
        for (size_t i = 0; i < cfg->client_ca_name_count; i++) {
            const tenon_bytes *n = &cfg->client_ca_names[i];
            if (n->ptr == NULL || n->len == 0 || n->len > 0xffff)
                return why_fail(why, "a client_ca_names entry is empty or too long");
            ca_bytes += 2 + n->len;
        }
        if (ca_bytes > 0xffff)
            return why_fail(why, "client_ca_names take more than 2^16-1 bytes");
    } else {
        if (cfg->staple_fn != NULL)
            return why_fail(why, "staple_fn is a server setting: a client staples nothing");
        if (cfg->server_name != NULL && strlen(cfg->server_name) > TENON_MAX_SERVER_NAME)
            return why_fail(why, "the server name is longer than 255 bytes");
        if (!verifies && !cfg->insecure_skip_verify)
            return why_fail(why, "a client needs a trust store or a verify callback "
                                 "(or insecure_skip_verify, knowingly)");
        /* The mirror of skip_hostname_check on a server: a client setting nothing reads. */
        if (cfg->client_auth != TENON_CLIENT_AUTH_NONE)
            return why_fail(why, "client_auth is a server setting: a client sends its "
                                 "certificate when the server asks (tenon_config_add_cert)");
        if (cfg->client_ca_name_count != 0)
            return why_fail(why, "client_ca_names is a server setting: a client sees the "
                                 "server's in tenon_cert_request (client_cert_fn)");
        if (cfg->skip_hostname_check && !verifies)
            return why_fail(why, "skip_hostname_check applies to certificate verification, "
                                 "and none is configured (trust store or verify callback)");
        /* A verified certificate says nothing about whom it was issued to unless a name is
         * matched: leaving the name out must be said, not implied. */
        if (verifies && cfg->server_name == NULL && !cfg->skip_hostname_check)
            return why_fail(why, "certificate verification needs the server's name "
                                 "(server_name), or skip_hostname_check set on purpose");
    }
    return TENON_OK;
}

TENON_API void tenon_ticket_store_init(tenon_ticket_store *store, tenon_ticket *slots, size_t cap)
{
    if (store == NULL)
        return;
    store->slots = slots;
    store->cap = slots != NULL ? cap : 0;
    for (size_t i = 0; i < store->cap; i++)
        memset(&slots[i], 0, sizeof slots[i]);
}
