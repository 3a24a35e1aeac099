/*
 * Ed25519 in X.509 (RFC 8410): SubjectPublicKeyInfo and PKCS#8 keys written by OpenSSL read by
 * tenon, certificates signed with Ed25519 by OpenSSL verified by tenon and the other way round,
 * chains mixing Ed25519 and ECDSA issued by tenon_x509_issue_key and validated by
 * tenon_x509_verify, and the malformed encodings RFC 8410 rules out.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "testutil.h"
#include "x509_issue_util.h"

static const tenon_x509_issue_params *params(const char *cn, int is_ca)
{
    static tenon_x509_issue_params p;
    p = iu_params(cn, is_ca, "ed.example", TENON_KU_DIGITAL_SIGNATURE);
    return &p;
}

/* Keys from OpenSSL: PKCS#8 PEM and SPKI DER. */
static void test_openssl_keys(void)
{
    EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    CHECK(pk != NULL);
    uint8_t raw_pub[32], raw_priv[32];
    size_t n = 32;
    CHECK(EVP_PKEY_get_raw_public_key(pk, raw_pub, &n) == 1);
    n = 32;
    CHECK(EVP_PKEY_get_raw_private_key(pk, raw_priv, &n) == 1);

    BIO *b = BIO_new(BIO_s_mem());
    CHECK(PEM_write_bio_PrivateKey(b, pk, NULL, NULL, 0, NULL, NULL) == 1);
    char *pem;
    long pem_len = BIO_get_mem_data(b, &pem);
    tenon_private_key key;
    uint8_t scratch[512];
    CHECK_RC(tenon_private_key_parse_pem(&key, pem, (size_t)pem_len, scratch, sizeof scratch),
             TENON_OK);
    CHECK(key.type == TENON_KEY_ED25519);
    CHECK_MEM(key.u.ed25519.seed, raw_priv, 32, "PKCS#8 seed");
    CHECK_MEM(key.u.ed25519.pub.bytes, raw_pub, 32, "public key derived from PKCS#8");
    BIO_free(b);

    uint8_t *spki = NULL;
    int spki_len = i2d_PUBKEY(pk, &spki);
    tenon_public_key pub;
    CHECK_RC(tenon_public_key_parse_spki(&pub, spki, (size_t)spki_len), TENON_OK);
    CHECK(pub.type == TENON_KEY_ED25519);
    CHECK_MEM(pub.u.ed25519.bytes, raw_pub, 32, "SPKI");
    CHECK_RC(tenon_private_key_matches(&key, &pub), TENON_OK);
    /* RFC 8410 §3: "the parameters MUST be absent". 30 2a 30 05 06 03 2b 65 70 03 21 00 <32>
     * becomes 30 2c 30 07 06 03 2b 65 70 05 00 03 21 00 <32>. */
    uint8_t with_null[46];
    memcpy(with_null, "\x30\x2c\x30\x07\x06\x03\x2b\x65\x70\x05\x00", 11);
    memcpy(with_null + 11, spki + 9, 35);
    CHECK(spki_len == 44);
    CHECK_RC(tenon_public_key_parse_spki(&pub, with_null, sizeof with_null),
             TENON_ERR_KEY_MALFORMED);
    /* A 31-byte key. */
    spki[1] = 0x29;
    spki[10] = 0x20;
    CHECK_RC(tenon_public_key_parse_spki(&pub, spki, (size_t)spki_len - 1),
             TENON_ERR_KEY_MALFORMED);
    OPENSSL_free(spki);
    EVP_PKEY_free(pk);
    tenon_private_key_wipe(&key);
}

/* PKCS#8 v2 (OneAsymmetricKey with publicKey, RFC 8410 §10.3's example shape). */
static void test_pkcs8_v2(void)
{
    tenon_ed25519_private_key k;
    uint8_t seed[32];
    tu_seed(8410);
    tu_rand(seed, 32);
    CHECK_RC(tenon_ed25519_private_key_load(&k, seed, 32), TENON_OK);
    uint8_t der[83];
    size_t o = 0;
    memcpy(der, "\x30\x51\x02\x01\x01\x30\x05\x06\x03\x2b\x65\x70\x04\x22\x04\x20", 16);
    o = 16;
    memcpy(der + o, seed, 32);
    o += 32;
    memcpy(der + o, "\x81\x21\x00", 3);
    o += 3;
    memcpy(der + o, k.pub.bytes, 32);
    o += 32;
    CHECK(o == sizeof der);
    tenon_private_key key;
    CHECK_RC(tenon_private_key_parse_der(&key, der, sizeof der), TENON_OK);
    CHECK(key.type == TENON_KEY_ED25519);
    CHECK_MEM(key.u.ed25519.pub.bytes, k.pub.bytes, 32, "v2 public key");
    der[sizeof der - 1] ^= 1;
    CHECK_RC(tenon_private_key_parse_der(&key, der, sizeof der), TENON_ERR_KEY_MISMATCH);
    /* v1 with parameters (NULL) in the AlgorithmIdentifier: refused. */
    uint8_t v1[50];
    memcpy(v1, "\x30\x30\x02\x01\x00\x30\x07\x06\x03\x2b\x65\x70\x05\x00\x04\x22\x04\x20", 18);
    memcpy(v1 + 18, seed, 32);
    CHECK_RC(tenon_private_key_parse_der(&key, v1, sizeof v1), TENON_ERR_KEY_MALFORMED);
    /* v1 with a 31-byte seed. */
    memcpy(v1, "\x30\x2d\x02\x01\x00\x30\x05\x06\x03\x2b\x65\x70\x04\x21\x04\x1f", 16);
    memcpy(v1 + 16, seed, 31);
    CHECK_RC(tenon_private_key_parse_der(&key, v1, 47), TENON_ERR_KEY_MALFORMED);
    /* And the good v1. */
    memcpy(v1, "\x30\x2e\x02\x01\x00\x30\x05\x06\x03\x2b\x65\x70\x04\x22\x04\x20", 16);
    memcpy(v1 + 16, seed, 32);
    CHECK_RC(tenon_private_key_parse_der(&key, v1, 48), TENON_OK);
    CHECK_MEM(key.u.ed25519.pub.bytes, k.pub.bytes, 32, "v1 public key");
}

/* Chains issued by tenon: Ed25519 root -> Ed25519 leaf, Ed25519 root -> P-256 leaf, P-256
 * root -> Ed25519 leaf; each verified by tenon, and the Ed25519 signatures by OpenSSL too. */
static void test_issue_and_verify(void)
{
    tenon_private_key ed_ca, ed_leaf, ec_ca, ec_leaf;
    memset(&ed_ca, 0, sizeof ed_ca);
    memset(&ed_leaf, 0, sizeof ed_leaf);
    memset(&ec_ca, 0, sizeof ec_ca);
    memset(&ec_leaf, 0, sizeof ec_leaf);
    ed_ca.type = ed_leaf.type = TENON_KEY_ED25519;
    ec_ca.type = ec_leaf.type = TENON_KEY_EC;
    CHECK_RC(tenon_ed25519_keygen(&ed_ca.u.ed25519), TENON_OK);
    CHECK_RC(tenon_ed25519_keygen(&ed_leaf.u.ed25519), TENON_OK);
    CHECK_RC(tenon_ec_keygen(TENON_EC_P256, &ec_ca.u.ec), TENON_OK);
    CHECK_RC(tenon_ec_keygen(TENON_EC_P256, &ec_leaf.u.ec), TENON_OK);

    struct {
        const char *name;
        tenon_private_key *ca, *leaf;
    } combos[] = {{"ed25519/ed25519", &ed_ca, &ed_leaf},
                  {"ed25519/p256", &ed_ca, &ec_leaf},
                  {"p256/ed25519", &ec_ca, &ed_leaf}};
    for (size_t i = 0; i < 3; i++) {
        static uint8_t ca_der[2048], leaf_der[2048];
        size_t ca_len, leaf_len;
        tenon_x509_cert ca, chain[1], roots[1];
        tenon_x509_issue_params ca_p = *params("Ed CA", 1), leaf_p = *params("ed.example", 0);
        iu_issue_chain(ca_p, leaf_p, combos[i].ca, combos[i].leaf, ca_der, &ca_len, leaf_der,
                       &leaf_len, sizeof ca_der, &ca, &chain[0]);
        CHECK(chain[0].sig_alg == (combos[i].ca->type == TENON_KEY_ED25519
                                       ? TENON_X509_SIG_ED25519
                                       : TENON_X509_SIG_ECDSA_SHA256));
        CHECK(chain[0].key_alg == (combos[i].leaf->type == TENON_KEY_ED25519
                                       ? TENON_X509_KEY_ED25519
                                       : TENON_X509_KEY_EC_P256));
        tenon_public_key got;
        CHECK_RC(tenon_x509_public_key(&chain[0], &got), TENON_OK);
        CHECK_RC(tenon_private_key_matches(combos[i].leaf, &got), TENON_OK);
        tenon_x509_store store;
        tenon_x509_store_init(&store, roots, 1);
        CHECK_RC(tenon_x509_store_add_der(&store, ca_der, ca_len), TENON_OK);
        tenon_x509_verify_params vp = {(int64_t)time(NULL), "ed.example", TENON_X509_PURPOSE_SERVER,
                                       0};
        CHECK_RC(tenon_x509_verify(&store, chain, 1, &vp), TENON_OK);
        CHECK_RC(tenon_x509_check_signature(&ca, &ca), TENON_OK);

        /* OpenSSL agrees that each signature verifies. */
        iu_openssl_verify(ca_der, ca_len, leaf_der, leaf_len);

        /* A flipped bit in the signature or the TBS breaks the chain. */
        leaf_der[leaf_len - 5] ^= 0x10;
        CHECK_RC(tenon_x509_parse(&chain[0], leaf_der, leaf_len), TENON_OK);
        CHECK_RC(tenon_x509_verify(&store, chain, 1, &vp), TENON_ERR_CERT_BAD_SIGNATURE);
        leaf_der[leaf_len - 5] ^= 0x10;
        (void)combos[i].name;
    }

    /* The issuing key must match the issuer (or, self-signed, the subject). */
    tenon_public_key ed_leaf_pub;
    iu_pub_of(&ed_leaf_pub, &ed_leaf);
    uint8_t der[2048];
    size_t len;
    CHECK_RC(
        tenon_x509_issue_key(params("x", 1), &ed_leaf_pub, NULL, &ed_ca, der, sizeof der, &len),
        TENON_ERR_KEY_MISMATCH);
}

/* A certificate made and signed by OpenSSL with Ed25519 keys, verified by tenon. */
static void test_openssl_cert(void)
{
    EVP_PKEY *ca = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    EVP_PKEY *leaf = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                               (const unsigned char *)"openssl ed25519", -1, -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(x));
    X509_set_pubkey(x, leaf);
    CHECK(X509_sign(x, ca, NULL) > 0);
    uint8_t *der = NULL;
    int len = i2d_X509(x, &der);
    tenon_x509_cert c;
    CHECK_RC(tenon_x509_parse(&c, der, (size_t)len), TENON_OK);
    CHECK(c.sig_alg == TENON_X509_SIG_ED25519 && c.key_alg == TENON_X509_KEY_ED25519);
    tenon_public_key ca_pub;
    uint8_t raw[32];
    size_t n = 32;
    CHECK(EVP_PKEY_get_raw_public_key(ca, raw, &n) == 1);
    ca_pub.type = TENON_KEY_ED25519;
    CHECK_RC(tenon_ed25519_public_key_load(&ca_pub.u.ed25519, raw, 32), TENON_OK);
    CHECK_RC(tenon_x509_check_signature_key(&c, &ca_pub), TENON_OK);
    /* Signed by the CA, so the leaf's own key does not verify it. */
    tenon_public_key leaf_pub;
    CHECK_RC(tenon_x509_public_key(&c, &leaf_pub), TENON_OK);
    CHECK_RC(tenon_x509_check_signature_key(&c, &leaf_pub), TENON_ERR_CERT_BAD_SIGNATURE);
    /* An ECDSA key cannot check an Ed25519 signature. */
    tenon_public_key ec = {.type = TENON_KEY_EC};
    CHECK_RC(tenon_x509_check_signature_key(&c, &ec), TENON_ERR_CERT_UNSUPPORTED_ALG);
    OPENSSL_free(der);
    X509_free(x);
    EVP_PKEY_free(ca);
    EVP_PKEY_free(leaf);
}

int main(void)
{
    test_openssl_keys();
    test_pkcs8_v2();
    test_issue_and_verify();
    test_openssl_cert();
    return tu_finish("test_x509_ed25519");
}
