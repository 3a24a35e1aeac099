/* Printable names for TLS code points, and the hex and fingerprint helpers of the renderers. */
#include <string.h>
#include <strings.h>

#include "cli.h"

/* Every suite tenon has, with its IANA name (RFC 8446 §B.4, RFC 5246, 5288, 5289, 7905) and the
 * name OpenSSL gives it, so either spelling works in --suites. */
static const suite_info SUITES[] = {
    {TENON_TLS_AES_128_GCM_SHA256, "TLS_AES_128_GCM_SHA256", NULL, TENON_TLS13, 0},
    {TENON_TLS_AES_256_GCM_SHA384, "TLS_AES_256_GCM_SHA384", NULL, TENON_TLS13, 0},
    {TENON_TLS_CHACHA20_POLY1305_SHA256, "TLS_CHACHA20_POLY1305_SHA256", NULL, TENON_TLS13, 0},
    {TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
     "ECDHE-ECDSA-AES128-GCM-SHA256", TENON_TLS12, 0},
    {TENON_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
     "ECDHE-ECDSA-AES256-GCM-SHA384", TENON_TLS12, 0},
    {TENON_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
     "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305", TENON_TLS12,
     0},
    {TENON_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
     "ECDHE-RSA-AES128-GCM-SHA256", TENON_TLS12, 0},
    {TENON_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
     "ECDHE-RSA-AES256-GCM-SHA384", TENON_TLS12, 0},
    {TENON_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
     "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", TENON_TLS12, 0},
    {TENON_TLS_RSA_WITH_AES_128_GCM_SHA256, "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256",
     TENON_TLS12, 1},
    {TENON_TLS_RSA_WITH_AES_256_GCM_SHA384, "TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384",
     TENON_TLS12, 1},
    {TENON_TLS_RSA_WITH_AES_128_CBC_SHA256, "TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256",
     TENON_TLS12, 1},
    {TENON_TLS_RSA_WITH_AES_256_CBC_SHA256, "TLS_RSA_WITH_AES_256_CBC_SHA256", "AES256-SHA256",
     TENON_TLS12, 1},
    {TENON_TLS_RSA_WITH_AES_128_CBC_SHA, "TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA", TENON_TLS12,
     1},
    {TENON_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
     "ECDHE-RSA-AES128-SHA256", TENON_TLS12, 1},
    {TENON_TLS_RSA_WITH_AES_256_CBC_SHA, "TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA", TENON_TLS12,
     1},
    {TENON_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
     "ECDHE-ECDSA-AES128-SHA", TENON_TLS12, 1},
    {TENON_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
     "ECDHE-ECDSA-AES256-SHA", TENON_TLS12, 1},
    {TENON_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
     "ECDHE-RSA-AES128-SHA", TENON_TLS12, 1},
    {TENON_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
     "ECDHE-RSA-AES256-SHA", TENON_TLS12, 1},
};

const suite_info *suite_table(size_t *count)
{
    *count = sizeof SUITES / sizeof SUITES[0];
    return SUITES;
}

const suite_info *suite_by_id(uint16_t suite)
{
    for (size_t i = 0; i < sizeof SUITES / sizeof SUITES[0]; i++)
        if (SUITES[i].id == suite)
            return &SUITES[i];
    return NULL;
}

/* Names are matched without regard to case: "ecdhe-ecdsa-aes128-gcm-sha256" is fine. */
const suite_info *suite_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof SUITES / sizeof SUITES[0]; i++)
        if (strcasecmp(name, SUITES[i].iana) == 0 ||
            (SUITES[i].openssl != NULL && strcasecmp(name, SUITES[i].openssl) == 0))
            return &SUITES[i];
    return NULL;
}

const char *suite_name(uint16_t suite)
{
    const suite_info *s = suite_by_id(suite);
    return s != NULL ? s->iana : "unknown suite";
}

const char *version_name(uint16_t version)
{
    switch (version) {
    case TENON_TLS13:
        return "TLS 1.3";
    case TENON_TLS12:
        return "TLS 1.2";
    case 0x0302:
        return "TLS 1.1";
    case 0x0301:
        return "TLS 1.0";
    case 0x0300:
        return "SSL 3.0";
    default:
        return "unknown version";
    }
}

void rsl_note(char *out, size_t cap, const tenon_conn_info *ci)
{
    /* RFC 8449 §4: TLS 1.3's maximum is 2^14 + 1 (the content type byte), TLS 1.2's 2^14. */
    unsigned max = ci->version == TENON_TLS13 ? 16385u : 16384u;
    if (ci->record_size_limit_ours == 0 ||
        (ci->record_size_limit_ours >= max && ci->record_size_limit_peer >= max))
        out[0] = 0;
    else
        snprintf(out, cap, ", record_size_limit ours %u, peer's %u", ci->record_size_limit_ours,
                 ci->record_size_limit_peer);
}

const char *group_name(uint16_t group)
{
    switch (group) {
    case 0x001d:
        return "x25519";
    case 0x0017:
        return "secp256r1";
    case 0x0018:
        return "secp384r1";
    case 0x0019:
        return "secp521r1";
    case 0x001e:
        return "x448";
    case 0x11ec:
        return "X25519MLKEM768";
    case 0x11eb:
        return "SecP256r1MLKEM768";
    case 0x11ed:
        return "SecP384r1MLKEM1024";
    case 0x0100:
        return "ffdhe2048";
    case 0x0101:
        return "ffdhe3072";
    default:
        return "unknown group";
    }
}

const char *sig_scheme_name(uint16_t scheme)
{
    switch (scheme) {
    case TENON_SIG_RSA_PKCS1_SHA256:
        return "rsa_pkcs1_sha256";
    case TENON_SIG_RSA_PKCS1_SHA384:
        return "rsa_pkcs1_sha384";
    case TENON_SIG_RSA_PKCS1_SHA512:
        return "rsa_pkcs1_sha512";
    case TENON_SIG_ECDSA_SECP256R1_SHA256:
        return "ecdsa_secp256r1_sha256";
    case TENON_SIG_ECDSA_SECP384R1_SHA384:
        return "ecdsa_secp384r1_sha384";
    case TENON_SIG_RSA_PSS_RSAE_SHA256:
        return "rsa_pss_rsae_sha256";
    case TENON_SIG_RSA_PSS_RSAE_SHA384:
        return "rsa_pss_rsae_sha384";
    case TENON_SIG_RSA_PSS_RSAE_SHA512:
        return "rsa_pss_rsae_sha512";
    case 0x0807:
        return "ed25519";
    case 0x0808:
        return "ed448";
    case 0x0809:
        return "rsa_pss_pss_sha256";
    case 0x080a:
        return "rsa_pss_pss_sha384";
    case 0x080b:
        return "rsa_pss_pss_sha512";
    case 0x0603:
        return "ecdsa_secp521r1_sha512";
    case 0x0201:
        return "rsa_pkcs1_sha1";
    case 0x0203:
        return "ecdsa_sha1";
    default:
        return "unknown scheme";
    }
}

/* RFC 8446 §4.2 and the IANA registry, for the extensions a TLS 1.3 hello commonly carries. */
const char *ext_name(uint16_t ext)
{
    switch (ext) {
    case 0:
        return "server_name";
    case 5:
        return "status_request";
    case 18:
        return "signed_certificate_timestamp";
    case 10:
        return "supported_groups";
    case 11:
        return "ec_point_formats";
    case 13:
        return "signature_algorithms";
    case 16:
        return "alpn";
    case 22:
        return "encrypt_then_mac";
    case 28:
        return "record_size_limit";
    case 23:
        return "extended_master_secret";
    case 35:
        return "session_ticket";
    case 41:
        return "pre_shared_key";
    case 42:
        return "early_data";
    case 43:
        return "supported_versions";
    case 44:
        return "cookie";
    case 45:
        return "psk_key_exchange_modes";
    case 47:
        return "certificate_authorities";
    case 50:
        return "signature_algorithms_cert";
    case 51:
        return "key_share";
    case 0xff01:
        return "renegotiation_info";
    default:
        return NULL;
    }
}

void hex_encode(char *out, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = 0;
}

void fingerprint(char out[9], const uint8_t *p, size_t n)
{
    uint8_t h[TENON_SHA256_LEN];
    tenon_hash(&tenon_sha256, p, n, h);
    hex_encode(out, h, 4);
}
