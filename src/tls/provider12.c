/*
 * The TLS 1.2 cipher suites as data (RFC 5246 §A.5, RFC 5288, RFC 5289, RFC 7905): key
 * exchange, authentication, PRF hash and record protection of each.
 */
#include "tls13.h"

/* RFC 5246 §6.3: "The client_write_IV and server_write_IV are only generated for implicit
 * nonce techniques": 4 bytes of salt for GCM (RFC 5288 §3), 12 for ChaCha20-Poly1305 (RFC 7905
 * §2), none for CBC, whose IV travels in each record. */
#define GCM(id, name, kx, hash, klen, legacy)                                                      \
    {                                                                                              \
        id, name, kx, hash, TLS12_REC_GCM, tenon_aead_aes_gcm, klen, NULL, 4, legacy               \
    }
#define CHACHA(id, name, kx)                                                                       \
    {                                                                                              \
        id, name, kx, &tenon_sha256, TLS12_REC_CHACHA, tenon_aead_chacha20_poly1305, 32, NULL, 12, \
            0                                                                                      \
    }
#define CBC(id, name, kx, mac, klen)                                                               \
    {                                                                                              \
        id, name, kx, &tenon_sha256, TLS12_REC_CBC, NULL, klen, mac, 0, 1                          \
    }

static const tls12_suite SUITES12[] = {
    GCM(TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        TLS12_KX_ECDHE_ECDSA, &tenon_sha256, 16, 0),
    GCM(TENON_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        TLS12_KX_ECDHE_ECDSA, &tenon_sha384, 32, 0),
    CHACHA(TENON_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
           "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", TLS12_KX_ECDHE_ECDSA),
    GCM(TENON_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        TLS12_KX_ECDHE_RSA, &tenon_sha256, 16, 0),
    GCM(TENON_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        TLS12_KX_ECDHE_RSA, &tenon_sha384, 32, 0),
    CHACHA(TENON_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
           "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", TLS12_KX_ECDHE_RSA),
    GCM(TENON_TLS_RSA_WITH_AES_128_GCM_SHA256, "TLS_RSA_WITH_AES_128_GCM_SHA256", TLS12_KX_RSA,
        &tenon_sha256, 16, 1),
    GCM(TENON_TLS_RSA_WITH_AES_256_GCM_SHA384, "TLS_RSA_WITH_AES_256_GCM_SHA384", TLS12_KX_RSA,
        &tenon_sha384, 32, 1),
    /* RFC 5246 §5: the CBC suites of TLS 1.2 use the SHA-256 PRF whatever their MAC. */
    CBC(TENON_TLS_RSA_WITH_AES_128_CBC_SHA256, "TLS_RSA_WITH_AES_128_CBC_SHA256", TLS12_KX_RSA,
        &tenon_sha256, 16),
    CBC(TENON_TLS_RSA_WITH_AES_256_CBC_SHA256, "TLS_RSA_WITH_AES_256_CBC_SHA256", TLS12_KX_RSA,
        &tenon_sha256, 32),
    CBC(TENON_TLS_RSA_WITH_AES_128_CBC_SHA, "TLS_RSA_WITH_AES_128_CBC_SHA", TLS12_KX_RSA,
        &tenon_sha1, 16),
    CBC(TENON_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        TLS12_KX_ECDHE_RSA, &tenon_sha256, 16),
};

const tls12_suite *tls12_suite_find(uint16_t id)
{
    for (size_t i = 0; i < ARRAY_LEN(SUITES12); i++)
        if (SUITES12[i].id == id)
            return &SUITES12[i];
    return NULL;
}

tenon_key_type tls12_suite_key_type(const tls12_suite *s)
{
    return s->kx == TLS12_KX_ECDHE_ECDSA ? TENON_KEY_EC : TENON_KEY_RSA;
}

int tls12_auth_takes_key(tenon_key_type auth, tenon_key_type key)
{
    /* RFC 8422 §2: with ECDHE_ECDSA "the server's certificate MUST contain an ECDSA- or
     * EdDSA-capable public key". */
    return key == auth || (auth == TENON_KEY_EC && key == TENON_KEY_ED25519);
}

/* RFC 5246 §7.4.1.4.1 and RFC 8446 §4.2.3 (TLS 1.2 meanings): does a signature with scheme id
 * fit a key of type t (and, for the suite's authentication, suite s)? */
int tls12_scheme_fits_key(uint16_t id, tenon_key_type t)
{
    const tls_sig_scheme *s = tls_sig_scheme_find(id);
    return s != NULL && s->key_type == t;
}
