/* Certificates the tool makes for itself: the demo's CA and server, the server's ephemeral
 * localhost certificate. ECDSA P-256, as tenon issues. */
#include <string.h>
#include <time.h>

#include "cli.h"

int pki_issue(const char *cn, const char *dns, int is_ca, const tenon_x509_cert *ca,
              const tenon_ec_private_key *ca_key, tenon_ec_private_key *key, uint8_t *der,
              size_t cap, size_t *len)
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
        p.key_usage = TENON_KU_DIGITAL_SIGNATURE;
        p.ext_key_usage = TENON_EKU_SERVER_AUTH | TENON_EKU_CLIENT_AUTH;
        p.dns_names[0] = dns;
        p.ip_addrs[0] = "127.0.0.1";
        p.ip_addrs[1] = "::1";
    }
    int rc = tenon_ec_keygen(TENON_EC_P256, key);
    if (rc != 0)
        return rc;
    return tenon_x509_issue(&p, &key->pub, ca, ca != NULL ? ca_key : key, der, cap, len);
}
