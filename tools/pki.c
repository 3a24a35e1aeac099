/* Certificates the tool makes for itself: the demo's CA and server, the server's ephemeral
 * localhost certificate. ECDSA P-256 by default; RSA-2048 when only RSA suites can use them. */
#include <string.h>
#include <time.h>

#include "cli.h"

int pki_issue(const char *cn, const char *dns, int is_ca, const tenon_x509_cert *ca,
              const tenon_private_key *ca_key, tenon_private_key *key, uint8_t *der, size_t cap,
              size_t *len)
{
    int64_t now = (int64_t)time(NULL);
    tenon_x509_issue_params p;
    memset(&p, 0, sizeof p);
    p.subject_cn = cn;
    p.subject_o = "tenon";
    /* An hour of slack for clocks that disagree a little; a short life because these are
     * made fresh at every run. */
    p.not_before = now - 3600;
    p.not_after = now + (is_ca ? 86400 * 30 : 86400 * 7);
    p.is_ca = is_ca;
    p.path_len = is_ca ? 0 : -1;
    if (is_ca) {
        p.key_usage = TENON_KU_KEY_CERT_SIGN | TENON_KU_CRL_SIGN;
    } else {
        /* RSA key transport encrypts the pre-master secret to the key (RFC 5246 §7.4.2:
         * keyEncipherment); every other use is a signature. */
        p.key_usage = TENON_KU_DIGITAL_SIGNATURE |
                      (key->type == TENON_KEY_RSA ? TENON_KU_KEY_ENCIPHERMENT : 0);
        p.ext_key_usage = TENON_EKU_SERVER_AUTH | TENON_EKU_CLIENT_AUTH;
        p.dns_names[0] = dns;
        p.ip_addrs[0] = "127.0.0.1";
        p.ip_addrs[1] = "::1";
    }
    tenon_public_key pub;
    memset(&pub, 0, sizeof pub);
    pub.type = key->type;
    int rc;
    if (key->type == TENON_KEY_RSA) {
        rc = tenon_rsa_generate(&key->u.rsa, PKI_RSA_BITS);
        pub.u.rsa = key->u.rsa.pub;
    } else {
        key->type = TENON_KEY_EC;
        pub.type = TENON_KEY_EC;
        rc = tenon_ec_keygen(TENON_EC_P256, &key->u.ec);
        pub.u.ec = key->u.ec.pub;
    }
    if (rc != 0)
        return rc;
    return tenon_x509_issue_key(&p, &pub, ca, ca != NULL ? ca_key : key, der, cap, len);
}

int pki_suites_need_rsa(const tenon_config *cfg)
{
    int rsa = 0, other = 0;
    for (size_t i = 0; i < cfg->suite_count; i++) {
        const suite_info *si = suite_by_id(cfg->suites[i]);
        if (si == NULL)
            continue;
        int usable12 = si->version == TENON_TLS12 && cfg->min_version == TENON_TLS12;
        int usable13 = si->version == TENON_TLS13 && cfg->max_version == TENON_TLS13;
        /* TLS_RSA_* (key transport) and TLS_ECDHE_RSA_* need an RSA certificate; TLS 1.3 and
         * ECDHE_ECDSA suites take the ECDSA one. */
        int is_rsa = usable12 && (strncmp(si->iana, "TLS_RSA_", 8) == 0 ||
                                  strncmp(si->iana, "TLS_ECDHE_RSA_", 14) == 0);
        rsa |= is_rsa;
        other |= usable13 || (usable12 && !is_rsa);
    }
    return rsa && !other ? 2 : rsa ? 1 : 0;
}
