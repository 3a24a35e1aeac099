/*
 * TLS 1.2 key exchange messages: ServerKeyExchange for ECDHE with its signature (RFC 8422 §5.4,
 * RFC 5246 §7.4.3) and ClientKeyExchange for ECDHE (RFC 8422 §5.7) and RSA (RFC 5246 §7.4.7.1).
 */
#include "hs12.h"
#include "tls13.h"

#include "tenon/ec.h"
#include "tenon/ed25519.h"
#include "tenon/tls.h"

#include "../common.h"

int tls12_ske_parse(const uint8_t *body, size_t len, tls12_ske_view *out)
{
    ENSURE(body != NULL && out != NULL, TENON_ERR_INVALID_ARGUMENT);
    cursor c = cur_init(body, len);
    uint8_t curve_type;
    /* RFC 8422 §5.4:
     *   struct {
     *       ECCurveType    curve_type;
     *       select (curve_type) {
     *           case named_curve:
     *               NamedCurve namedcurve;
     *       };
     *   } ECParameters; */
    GUARD(cur_u8(&c, &curve_type));
    /* RFC 8422 §5.4: "explicit_prime and explicit_char2 are deprecated"; only named_curve is
     * defined now. */
    ENSURE(curve_type == TLS12_CURVE_TYPE_NAMED, TENON_ERR_TLS_ILLEGAL_PARAMETER);
    GUARD(cur_u16(&c, &out->group));
    /* struct { opaque point <1..2^8-1>; } ECPoint; */
    GUARD(cur_vec(&c, 1, 1, 255, &out->point));
    out->params = body;
    out->params_len = len - c.len;
    /* RFC 5246 §4.7 digitally-signed: SignatureAndHashAlgorithm algorithm; opaque
     * signature<0..2^16-1>. */
    GUARD(cur_u16(&c, &out->sig_scheme));
    GUARD(cur_vec(&c, 2, 0, 0xffff, &out->sig));
    return cur_finish(&c);
}

int tls12_ske_write_params(writer *w, uint16_t group, const uint8_t *pub, size_t pub_len)
{
    ENSURE(w != NULL && pub != NULL && pub_len >= 1 && pub_len <= 255, TENON_ERR_INVALID_ARGUMENT);
    wr_vec v = {0, 0};
    GUARD(wr_u8(w, TLS12_CURVE_TYPE_NAMED));
    GUARD(wr_u16(w, group));
    GUARD(wr_open_vec(w, 1, &v));
    GUARD(wr_bytes(w, pub, pub_len));
    return wr_close_vec(w, &v);
}

int tls12_ske_content(const uint8_t client_random[32], const uint8_t server_random[32],
                      const uint8_t *params, size_t params_len, uint8_t out[TLS12_SKE_SIGNED_MAX],
                      size_t *out_len)
{
    /* RFC 8422 §5.4:
     *   digitally-signed struct {
     *       opaque client_random[32];
     *       opaque server_random[32];
     *       ServerECDHParams params;
     *   } signed_params; */
    ENSURE(params_len <= TLS12_SKE_SIGNED_MAX - 64, TENON_ERR_INTERNAL);
    memcpy(out, client_random, 32);
    memcpy(out + 32, server_random, 32);
    memcpy(out + 64, params, params_len);
    *out_len = 64 + params_len;
    return TENON_OK;
}

void tls12_ske_digest(const tenon_hash_class *h, const uint8_t client_random[32],
                      const uint8_t server_random[32], const uint8_t *params, size_t params_len,
                      uint8_t *digest)
{
    tenon_hash_ctx ctx;
    h->init(&ctx);
    h->update(&ctx, client_random, 32);
    h->update(&ctx, server_random, 32);
    h->update(&ctx, params, params_len);
    h->final(&ctx, digest);
}

typedef struct scheme12 {
    uint16_t id;
    const tenon_hash_class *hash;
    tenon_key_type key_type;
    int pss;
} scheme12;

/* RFC 5246 §7.4.1.4.1 (hash, signature) pairs, and RFC 8446 §4.2.3's PSS code points, which
 * RFC 8446 §1.3 makes usable in TLS 1.2 too. */
static const scheme12 SCHEMES12[] = {
    {TENON_SIG_ECDSA_SECP256R1_SHA256, &tenon_sha256, TENON_KEY_EC, 0},
    {TENON_SIG_ECDSA_SECP384R1_SHA384, &tenon_sha384, TENON_KEY_EC, 0},
    {TENON_SIG_RSA_PSS_RSAE_SHA256, &tenon_sha256, TENON_KEY_RSA, 1},
    {TENON_SIG_RSA_PSS_RSAE_SHA384, &tenon_sha384, TENON_KEY_RSA, 1},
    {TENON_SIG_RSA_PSS_RSAE_SHA512, &tenon_sha512, TENON_KEY_RSA, 1},
    {TENON_SIG_RSA_PKCS1_SHA256, &tenon_sha256, TENON_KEY_RSA, 0},
    {TENON_SIG_RSA_PKCS1_SHA384, &tenon_sha384, TENON_KEY_RSA, 0},
    {TENON_SIG_RSA_PKCS1_SHA512, &tenon_sha512, TENON_KEY_RSA, 0},
    /* RFC 8422 §5.1.3: "ed25519" in signature_algorithms; no hash, the content is signed. */
    {TENON_SIG_ED25519, NULL, TENON_KEY_ED25519, 0},
    /* §7.4.1.4.1's SHA-1 pairs, used only when configured (docs/tls-policy.md). */
    {TENON_SIG_RSA_PKCS1_SHA1, &tenon_sha1, TENON_KEY_RSA, 0},
    {TENON_SIG_ECDSA_SHA1, &tenon_sha1, TENON_KEY_EC, 0},
};

static const scheme12 *scheme_find(uint16_t id)
{
    for (size_t i = 0; i < ARRAY_LEN(SCHEMES12); i++)
        if (SCHEMES12[i].id == id)
            return &SCHEMES12[i];
    return NULL;
}

const tenon_hash_class *tls12_sig_hash(uint16_t sig_scheme)
{
    const scheme12 *s = scheme_find(sig_scheme);
    return s != NULL ? s->hash : NULL;
}

int tls12_scheme_known(uint16_t sig_scheme)
{
    return scheme_find(sig_scheme) != NULL;
}

int tls12_sign(struct tls_conn *c, uint16_t sig_scheme, const tenon_private_key *key,
               const uint8_t *digest, const uint8_t *content, size_t content_len, uint8_t *sig,
               size_t sig_cap, size_t *sig_len)
{
    ENSURE(key != NULL && sig != NULL && sig_len != NULL, TENON_ERR_INVALID_ARGUMENT);
    const scheme12 *s = scheme_find(sig_scheme);
    ENSURE(s != NULL && s->key_type == key->type, TENON_ERR_TLS_HANDSHAKE_FAILURE);
    if (s->key_type == TENON_KEY_ED25519) {
        ENSURE(content != NULL && sig_cap >= TENON_ED25519_SIG_LEN, TENON_ERR_INTERNAL);
        *sig_len = TENON_ED25519_SIG_LEN;
        return tenon_ed25519_sign(&key->u.ed25519, content, content_len, sig);
    }
    ENSURE(digest != NULL, TENON_ERR_INVALID_ARGUMENT);
    size_t dl = s->hash->digest_len;
    if (s->key_type == TENON_KEY_EC)
        return tls_ecdsa_sign(c, &key->u.ec, s->hash, digest, sig, sig_cap, sig_len);
    if (s->pss)
        return tenon_rsa_pss_sign(&key->u.rsa, s->hash, digest, dl, sig, sig_cap, sig_len);
    return tenon_rsa_pkcs1_sign(&key->u.rsa, s->hash, digest, dl, sig, sig_cap, sig_len);
}

int tls12_verify(uint16_t sig_scheme, const tenon_public_key *key, const uint8_t *digest,
                 const uint8_t *content, size_t content_len, const uint8_t *sig, size_t sig_len)
{
    ENSURE(key != NULL && (sig != NULL || sig_len == 0), TENON_ERR_INVALID_ARGUMENT);
    const scheme12 *s = scheme_find(sig_scheme);
    ENSURE(s != NULL && s->key_type == key->type, TENON_ERR_TLS_ILLEGAL_PARAMETER);
    ENSURE(s->hash != NULL ? digest != NULL : content != NULL, TENON_ERR_TLS_ILLEGAL_PARAMETER);
    size_t dl = s->hash != NULL ? s->hash->digest_len : 0;
    int rc;
    if (s->key_type == TENON_KEY_ED25519)
        rc = tenon_ed25519_verify(&key->u.ed25519, content, content_len, sig, sig_len);
    else if (s->key_type == TENON_KEY_EC)
        rc = tenon_ecdsa_verify(&key->u.ec, digest, dl, TENON_ECDSA_DER, sig, sig_len);
    else if (s->pss)
        rc = tenon_rsa_pss_verify(&key->u.rsa, s->hash, digest, dl, dl, sig, sig_len);
    else
        rc = tenon_rsa_pkcs1_verify(&key->u.rsa, s->hash, digest, dl, sig, sig_len);
    return rc == TENON_OK ? TENON_OK : TENON_ERR_TLS_DECRYPT_ERROR;
}

int tls12_cke_parse_ecdhe(const uint8_t *body, size_t len, cursor *point)
{
    ENSURE(body != NULL && point != NULL, TENON_ERR_INVALID_ARGUMENT);
    cursor c = cur_init(body, len);
    /* RFC 8422 §5.7: struct { select (KeyExchangeAlgorithm) { case ec_diffie_hellman: ECPoint
     * ecdh_Yc; } exchange_keys; } ClientKeyExchange; */
    GUARD(cur_vec(&c, 1, 1, 255, point));
    return cur_finish(&c);
}

int tls12_cke_write_ecdhe(writer *w, const uint8_t *pub, size_t pub_len)
{
    ENSURE(w != NULL && pub != NULL && pub_len >= 1 && pub_len <= 255, TENON_ERR_INVALID_ARGUMENT);
    wr_vec v = {0, 0};
    GUARD(wr_open_vec(w, 1, &v));
    GUARD(wr_bytes(w, pub, pub_len));
    return wr_close_vec(w, &v);
}

int tls12_cke_parse_rsa(const uint8_t *body, size_t len, cursor *encrypted)
{
    ENSURE(body != NULL && encrypted != NULL, TENON_ERR_INVALID_ARGUMENT);
    cursor c = cur_init(body, len);
    /* RFC 5246 §7.4.7.1: struct { public-key-encrypted PreMasterSecret pre_master_secret; }
     * EncryptedPreMasterSecret; — a vector with a 2-byte length (§4.7). */
    GUARD(cur_vec(&c, 2, 0, 0xffff, encrypted));
    return cur_finish(&c);
}

int tls12_cke_write_rsa(writer *w, const tenon_rsa_public_key *server_key, uint16_t client_version,
                        uint8_t pms[TLS12_PREMASTER_LEN])
{
    ENSURE(w != NULL && server_key != NULL && pms != NULL, TENON_ERR_INVALID_ARGUMENT);
    /* RFC 5246 §7.4.7.1:
     *   struct {
     *       ProtocolVersion client_version;
     *       opaque random[46];
     *   } PreMasterSecret;
     * "client_version: The latest (newest) version supported by the client." */
    GUARD(tenon_random(pms + 2, TLS12_PREMASTER_LEN - 2));
    pms[0] = (uint8_t)(client_version >> 8);
    pms[1] = (uint8_t)client_version;
    wr_vec v = {0, 0};
    GUARD(wr_open_vec(w, 2, &v));
    size_t n = 0;
    int rc = tenon_rsa_pkcs1_encrypt(server_key, pms, TLS12_PREMASTER_LEN, w->buf + w->len,
                                     w->cap - w->len, &n);
    if (rc != TENON_OK) {
        tenon_wipe(pms, TLS12_PREMASTER_LEN);
        return rc;
    }
    w->len += n;
    return wr_close_vec(w, &v);
}

int tls12_rsa_premaster(const tenon_rsa_private_key *key, const uint8_t *enc, size_t enc_len,
                        uint16_t client_version, uint8_t pms[TLS12_PREMASTER_LEN])
{
    ENSURE(key != NULL && pms != NULL && (enc != NULL || enc_len == 0), TENON_ERR_INVALID_ARGUMENT);
    /* RFC 5246 §7.4.7.1: "In any case, a TLS server MUST NOT generate an alert if processing an
     * RSA-encrypted premaster secret message fails, or the version number is not as expected.
     * Instead, it MUST continue the handshake with a randomly generated premaster secret." A
     * ciphertext whose length is not the modulus length is public, but it too only leads to a
     * random pre-master secret. */
    if (enc_len != key->pub.n_len)
        return tenon_random(pms, TLS12_PREMASTER_LEN);
    return tenon_rsa_tls12_premaster_decrypt(key, enc, enc_len, (uint8_t)(client_version >> 8),
                                             (uint8_t)client_version, pms);
}
