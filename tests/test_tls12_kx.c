/*
 * TLS 1.2 key exchange messages against OpenSSL: ServerKeyExchange (ECDHE) signed by tenon with
 * ECDSA (P-256, P-384), RSASSA-PKCS1-v1_5 and RSASSA-PSS, verified by OpenSSL over the signed
 * data built here (client_random + server_random + params) and by tenon; tampered signatures
 * are decrypt_error. ClientKeyExchange for ECDHE and RSA: the RSA pre-master secret encrypted by
 * tenon is decrypted by OpenSSL, one encrypted by OpenSSL with a wrong version, a wrong length
 * or garbage gives the server a random pre-master secret and no error (RFC 5246 §7.4.7.1).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "testutil.h"
#include "tls/hs12.h"

static EVP_PKEY *keys[3]; /* P-256, P-384, RSA-2048 */
static tenon_private_key priv[3];
static tenon_public_key pub[3];

static void load(int i, EVP_PKEY *k)
{
    keys[i] = k;
    CHECK(k != NULL);
    unsigned char *der = NULL;
    int n = i2d_PrivateKey(k, &der);
    CHECK(n > 0);
    CHECK_RC(tenon_private_key_parse_der(&priv[i], der, (size_t)n), TENON_OK);
    OPENSSL_free(der);
    der = NULL;
    n = i2d_PUBKEY(k, &der);
    CHECK(n > 0);
    CHECK_RC(tenon_public_key_parse_spki(&pub[i], der, (size_t)n), TENON_OK);
    OPENSSL_free(der);
}

static int ossl_verify(EVP_PKEY *k, const char *md, int pss, const uint8_t *data, size_t len,
                       const uint8_t *sig, size_t sig_len)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pc = NULL;
    int ok = EVP_DigestVerifyInit_ex(m, &pc, md, NULL, NULL, k, NULL) == 1;
    if (ok && pss) {
        ok = EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, RSA_PSS_SALTLEN_DIGEST) == 1;
    }
    ok = ok && EVP_DigestVerify(m, sig, sig_len, data, len) == 1;
    EVP_MD_CTX_free(m);
    return ok;
}

typedef struct case_ {
    uint16_t scheme;
    int key;
    const char *md;
    int pss;
} case_;

static const case_ CASES[] = {
    {TENON_SIG_ECDSA_SECP256R1_SHA256, 0, "SHA256", 0},
    {TENON_SIG_ECDSA_SECP384R1_SHA384, 1, "SHA384", 0},
    /* TLS 1.2: the ECDSA code point names the hash only, any curve goes */
    {TENON_SIG_ECDSA_SECP384R1_SHA384, 0, "SHA384", 0},
    {TENON_SIG_ECDSA_SECP256R1_SHA256, 1, "SHA256", 0},
    {TENON_SIG_RSA_PKCS1_SHA256, 2, "SHA256", 0},
    {TENON_SIG_RSA_PKCS1_SHA384, 2, "SHA384", 0},
    {TENON_SIG_RSA_PKCS1_SHA512, 2, "SHA512", 0},
    {TENON_SIG_RSA_PSS_RSAE_SHA256, 2, "SHA256", 1},
    {TENON_SIG_RSA_PSS_RSAE_SHA384, 2, "SHA384", 1},
    {TENON_SIG_RSA_PSS_RSAE_SHA512, 2, "SHA512", 1},
};

static void test_ske(const case_ *t)
{
    uint8_t cr[32], sr[32], point[65], body[1024];
    tu_rand(cr, 32);
    tu_rand(sr, 32);
    tu_rand(point, sizeof point);
    size_t point_len = t->key == 1 ? 65 : 32;
    writer w = wr_init(body, sizeof body);
    CHECK_RC(tls12_ske_write_params(&w, 0x001d, point, point_len), TENON_OK);
    size_t params_len = w.len;
    CHECK(params_len == 4 + point_len);
    CHECK(body[0] == 3 && body[1] == 0 && body[2] == 0x1d && body[3] == point_len);
    const tenon_hash_class *h = tls12_sig_hash(t->scheme);
    CHECK(h != NULL);
    uint8_t digest[64];
    tls12_ske_digest(h, cr, sr, body, params_len, digest);
    CHECK_RC(wr_u16(&w, t->scheme), TENON_OK);
    wr_vec v = {0, 0};
    CHECK_RC(wr_open_vec(&w, 2, &v), TENON_OK);
    size_t sig_len = 0;
    CHECK_RC(tls12_sign(NULL, t->scheme, &priv[t->key], digest, NULL, 0, w.buf + w.len,
                        w.cap - w.len, &sig_len),
             TENON_OK);
    w.len += sig_len;
    CHECK_RC(wr_close_vec(&w, &v), TENON_OK);

    tls12_ske_view sv;
    CHECK_RC(tls12_ske_parse(body, w.len, &sv), TENON_OK);
    CHECK(sv.group == 0x001d && sv.point.len == point_len);
    CHECK(sv.params == body && sv.params_len == params_len);
    CHECK(sv.sig_scheme == t->scheme && sv.sig.len == sig_len);

    /* OpenSSL verifies over the signed data built independently */
    uint8_t signed_data[64 + 80];
    memcpy(signed_data, cr, 32);
    memcpy(signed_data + 32, sr, 32);
    memcpy(signed_data + 64, body, params_len);
    CHECK(ossl_verify(keys[t->key], t->md, t->pss, signed_data, 64 + params_len, sv.sig.p,
                      sv.sig.len));
    uint8_t d2[64];
    tls12_ske_digest(h, cr, sr, sv.params, sv.params_len, d2);
    CHECK_RC(tls12_verify(sv.sig_scheme, &pub[t->key], d2, NULL, 0, sv.sig.p, sv.sig.len),
             TENON_OK);
    /* another server_random (a replayed ServerKeyExchange) does not verify */
    sr[0] ^= 1;
    tls12_ske_digest(h, cr, sr, sv.params, sv.params_len, d2);
    CHECK_RC(tls12_verify(sv.sig_scheme, &pub[t->key], d2, NULL, 0, sv.sig.p, sv.sig.len),
             TENON_ERR_TLS_DECRYPT_ERROR);
    sr[0] ^= 1;
    /* a flipped signature byte */
    uint8_t bad[600];
    memcpy(bad, sv.sig.p, sv.sig.len);
    bad[sv.sig.len / 2] ^= 0x10;
    tls12_ske_digest(h, cr, sr, sv.params, sv.params_len, d2);
    CHECK_RC(tls12_verify(sv.sig_scheme, &pub[t->key], d2, NULL, 0, bad, sv.sig.len),
             TENON_ERR_TLS_DECRYPT_ERROR);
    /* a scheme of the other key type */
    int other = t->key == 2 ? 0 : 2;
    CHECK_RC(tls12_verify(sv.sig_scheme, &pub[other], d2, NULL, 0, sv.sig.p, sv.sig.len),
             TENON_ERR_TLS_ILLEGAL_PARAMETER);
    size_t n = 0;
    CHECK_RC(tls12_sign(NULL, t->scheme, &priv[other], digest, NULL, 0, bad, sizeof bad, &n),
             TENON_ERR_TLS_HANDSHAKE_FAILURE);
}

static void test_ske_parse_errors(void)
{
    tls12_ske_view sv;
    /* explicit_prime (1) curve type */
    static const uint8_t explicit_curve[] = {1, 0, 0x17, 1, 4, 4, 3, 0, 0};
    CHECK_RC(tls12_ske_parse(explicit_curve, sizeof explicit_curve, &sv),
             TENON_ERR_TLS_ILLEGAL_PARAMETER);
    /* an empty point */
    static const uint8_t empty_point[] = {3, 0, 0x17, 0, 4, 3, 0, 0};
    CHECK_RC(tls12_ske_parse(empty_point, sizeof empty_point, &sv), TENON_ERR_MALFORMED);
    /* a good one, then truncated at every length, then with a trailing byte */
    static const uint8_t good[] = {3, 0, 0x1d, 2, 0xaa, 0xbb, 4, 3, 0, 2, 0x30, 0x00, 0xff};
    CHECK_RC(tls12_ske_parse(good, sizeof good - 1, &sv), TENON_OK);
    CHECK(sv.sig.len == 2 && sv.params_len == 6);
    for (size_t n = 0; n + 1 < sizeof good - 1; n++)
        CHECK_RC(tls12_ske_parse(good, n, &sv), TENON_ERR_MALFORMED);
    CHECK_RC(tls12_ske_parse(good, sizeof good, &sv), TENON_ERR_MALFORMED);
}

static void test_cke_ecdhe(void)
{
    uint8_t body[300], point[97];
    tu_rand(point, sizeof point);
    writer w = wr_init(body, sizeof body);
    CHECK_RC(tls12_cke_write_ecdhe(&w, point, 97), TENON_OK);
    CHECK(w.len == 98 && body[0] == 97);
    cursor p;
    CHECK_RC(tls12_cke_parse_ecdhe(body, w.len, &p), TENON_OK);
    CHECK(p.len == 97 && memcmp(p.p, point, 97) == 0);
    CHECK_RC(tls12_cke_parse_ecdhe(body, w.len - 1, &p), TENON_ERR_MALFORMED);
    CHECK_RC(tls12_cke_parse_ecdhe(body, w.len + 1, &p), TENON_ERR_MALFORMED);
    static const uint8_t empty[] = {0};
    CHECK_RC(tls12_cke_parse_ecdhe(empty, 1, &p), TENON_ERR_MALFORMED);
    writer small = wr_init(body, 10);
    CHECK_RC(tls12_cke_write_ecdhe(&small, point, 97), TENON_ERR_BUFFER_TOO_SMALL);
}

/* OpenSSL encrypts msg to the RSA key with PKCS#1 v1.5 padding. */
static size_t ossl_encrypt(const uint8_t *msg, size_t len, uint8_t *out)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(keys[2], NULL);
    size_t n = 512;
    CHECK(EVP_PKEY_encrypt_init(c) == 1);
    CHECK(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) == 1);
    CHECK(EVP_PKEY_encrypt(c, out, &n, msg, len) == 1);
    EVP_PKEY_CTX_free(c);
    return n;
}

static void test_cke_rsa(void)
{
    const tenon_rsa_private_key *k = &priv[2].u.rsa;
    uint8_t body[600], pms[48], got[48], got2[48], dec[512];
    writer w = wr_init(body, sizeof body);
    CHECK_RC(tls12_cke_write_rsa(&w, &pub[2].u.rsa, 0x0303, pms), TENON_OK);
    CHECK(pms[0] == 3 && pms[1] == 3);
    CHECK(w.len == 2 + 256 && body[0] == 1 && body[1] == 0);
    cursor enc;
    CHECK_RC(tls12_cke_parse_rsa(body, w.len, &enc), TENON_OK);
    CHECK(enc.len == 256);
    CHECK_RC(tls12_cke_parse_rsa(body, w.len - 1, &enc), TENON_ERR_MALFORMED);

    /* OpenSSL decrypts what tenon encrypted */
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(keys[2], NULL);
    size_t n = sizeof dec;
    CHECK(EVP_PKEY_decrypt_init(c) == 1);
    CHECK(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) == 1);
    CHECK(EVP_PKEY_decrypt(c, dec, &n, enc.p, enc.len) == 1);
    EVP_PKEY_CTX_free(c);
    CHECK(n == 48);
    CHECK_MEM(dec, pms, 48, "pre-master secret decrypted by OpenSSL");

    /* tenon's server side recovers it */
    CHECK_RC(tls12_rsa_premaster(k, enc.p, enc.len, 0x0303, got), TENON_OK);
    CHECK_MEM(got, pms, 48, "pre-master secret decrypted by tenon");

    /* One encrypted by OpenSSL, right and wrong */
    uint8_t ct[512], msg[49];
    tu_rand(msg, sizeof msg);
    msg[0] = 3;
    msg[1] = 3;
    size_t cl = ossl_encrypt(msg, 48, ct);
    CHECK_RC(tls12_rsa_premaster(k, ct, cl, 0x0303, got), TENON_OK);
    CHECK_MEM(got, msg, 48, "OpenSSL-encrypted pre-master secret");
    /* the version the ClientHello offered differs: a random secret, no error */
    CHECK_RC(tls12_rsa_premaster(k, ct, cl, 0x0302, got), TENON_OK);
    CHECK(memcmp(got, msg, 48) != 0);
    CHECK_RC(tls12_rsa_premaster(k, ct, cl, 0x0302, got2), TENON_OK);
    CHECK(memcmp(got, got2, 48) != 0); /* fresh randomness each time */
    /* a wrong version inside */
    msg[1] = 1;
    cl = ossl_encrypt(msg, 48, ct);
    CHECK_RC(tls12_rsa_premaster(k, ct, cl, 0x0303, got), TENON_OK);
    CHECK(memcmp(got, msg, 48) != 0);
    msg[1] = 3;
    /* a wrong length (47 and 49 bytes) */
    cl = ossl_encrypt(msg, 47, ct);
    CHECK_RC(tls12_rsa_premaster(k, ct, cl, 0x0303, got), TENON_OK);
    CHECK(memcmp(got, msg, 47) != 0);
    cl = ossl_encrypt(msg, 49, ct);
    CHECK_RC(tls12_rsa_premaster(k, ct, cl, 0x0303, got), TENON_OK);
    CHECK(memcmp(got, msg, 48) != 0);
    /* garbage, and a ciphertext of the wrong size */
    tu_rand(ct, 256);
    CHECK_RC(tls12_rsa_premaster(k, ct, 256, 0x0303, got), TENON_OK);
    CHECK_RC(tls12_rsa_premaster(k, ct, 255, 0x0303, got), TENON_OK);
    CHECK_RC(tls12_rsa_premaster(k, ct, 0, 0x0303, got), TENON_OK);
}

static void test_hello_exts(void)
{
    uint8_t buf[16];
    writer w = wr_init(buf, sizeof buf);
    CHECK_RC(tls12_ext_point_formats_write(&w), TENON_OK);
    CHECK(w.len == 2 && buf[0] == 1 && buf[1] == 0);
    CHECK_RC(tls12_ext_point_formats_parse(buf, w.len), TENON_OK);
    static const uint8_t three[] = {3, 1, 2, 0};
    CHECK_RC(tls12_ext_point_formats_parse(three, sizeof three), TENON_OK);
    static const uint8_t no_uncompressed[] = {2, 1, 2};
    CHECK_RC(tls12_ext_point_formats_parse(no_uncompressed, sizeof no_uncompressed),
             TENON_ERR_TLS_ILLEGAL_PARAMETER);
    static const uint8_t empty_list[] = {0};
    CHECK_RC(tls12_ext_point_formats_parse(empty_list, 1), TENON_ERR_MALFORMED);
    CHECK_RC(tls12_ext_point_formats_parse(three, 3), TENON_ERR_MALFORMED);

    w = wr_init(buf, sizeof buf);
    CHECK_RC(tls12_ext_reneg_write_initial(&w), TENON_OK);
    CHECK(w.len == 1 && buf[0] == 0);
    CHECK_RC(tls12_ext_reneg_parse_initial(buf, 1), TENON_OK);
    /* a non-empty renegotiated_connection on an initial handshake */
    static const uint8_t reneg[] = {12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    CHECK_RC(tls12_ext_reneg_parse_initial(reneg, sizeof reneg), TENON_ERR_TLS_RENEGOTIATION_INFO);
    CHECK_RC(tls12_ext_reneg_parse_initial(reneg, 5), TENON_ERR_MALFORMED);
    CHECK_RC(tls12_ext_reneg_parse_initial(buf, 0), TENON_ERR_MALFORMED);

    CHECK_RC(tls12_ext_ems_parse(buf, 0), TENON_OK);
    CHECK_RC(tls12_ext_ems_parse(buf, 1), TENON_ERR_MALFORMED);
}

int main(void)
{
    tu_seed(0x12c3);
    load(0, EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
    load(1, EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384"));
    load(2, EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048));
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++)
        test_ske(&CASES[i]);
    test_ske_parse_errors();
    test_cke_ecdhe();
    test_cke_rsa();
    test_hello_exts();
    for (int i = 0; i < 3; i++) {
        tenon_private_key_wipe(&priv[i]);
        EVP_PKEY_free(keys[i]);
    }
    return tu_finish("test_tls12_kx");
}
