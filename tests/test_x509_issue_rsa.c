/*
 * RSA certificates issued by tenon (tenon_x509_issue_key with keys from tenon_rsa_generate):
 * an RSA root and RSA leaf, an RSA root over a P-256 leaf and a P-256 root over an RSA leaf.
 * Each is parsed by tenon (algorithms, key, keyUsage), its chain verified by tenon, and each
 * signature verified by OpenSSL against the issuer (X509_verify), which also parses the RSA
 * SubjectPublicKeyInfo and must find the very key tenon generated.
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <string.h>
#include <time.h>

#include "tenon/rsa.h"
#include "tenon/x509.h"
#include "testutil.h"
#include "x509_issue_util.h"

static const tenon_x509_issue_params *params(const char *cn, int is_ca)
{
    static tenon_x509_issue_params p;
    p = iu_params(cn, is_ca, "rsa.example", TENON_KU_DIGITAL_SIGNATURE | TENON_KU_KEY_ENCIPHERMENT);
    return &p;
}

/* OpenSSL reads the same modulus and exponent out of the certificate. */
static void check_openssl_key(X509 *x, const tenon_private_key *key)
{
    EVP_PKEY *pk = X509_get0_pubkey(x);
    CHECK(pk != NULL && EVP_PKEY_is_a(pk, "RSA"));
    BIGNUM *n = NULL, *e = NULL;
    CHECK(EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &n) == 1);
    CHECK(EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &e) == 1);
    uint8_t buf[TENON_RSA_MAX_LEN];
    CHECK((size_t)BN_bn2bin(n, buf) == key->u.rsa.pub.n_len);
    CHECK_MEM(buf, key->u.rsa.pub.n, key->u.rsa.pub.n_len, "modulus in the certificate");
    CHECK(BN_get_word(e) == 65537);
    CHECK(EVP_PKEY_get_bits(pk) == (int)key->u.rsa.pub.n_bits);
    BN_free(n);
    BN_free(e);
}

int main(void)
{
    static tenon_private_key rsa_ca, rsa_leaf, ec_ca, ec_leaf;
    rsa_ca.type = rsa_leaf.type = TENON_KEY_RSA;
    ec_ca.type = ec_leaf.type = TENON_KEY_EC;
    CHECK_RC(tenon_rsa_generate(&rsa_ca.u.rsa, 3072), TENON_OK);
    CHECK_RC(tenon_rsa_generate(&rsa_leaf.u.rsa, 2048), TENON_OK);
    CHECK_RC(tenon_ec_keygen(TENON_EC_P256, &ec_ca.u.ec), TENON_OK);
    CHECK_RC(tenon_ec_keygen(TENON_EC_P256, &ec_leaf.u.ec), TENON_OK);

    struct {
        tenon_private_key *ca, *leaf;
    } combos[] = {{&rsa_ca, &rsa_leaf}, {&rsa_ca, &ec_leaf}, {&ec_ca, &rsa_leaf}};
    for (size_t i = 0; i < 3; i++) {
        static uint8_t ca_der[4096], leaf_der[4096];
        size_t ca_len, leaf_len;
        tenon_x509_cert ca, chain[1], roots[1];
        tenon_x509_issue_params ca_p = *params("RSA test CA", 1),
                                leaf_p = *params("rsa.example", 0);
        iu_issue_chain(ca_p, leaf_p, combos[i].ca, combos[i].leaf, ca_der, &ca_len, leaf_der,
                       &leaf_len, sizeof ca_der, &ca, &chain[0]);
        int ca_rsa = combos[i].ca->type == TENON_KEY_RSA;
        int leaf_rsa = combos[i].leaf->type == TENON_KEY_RSA;
        CHECK(chain[0].sig_alg ==
              (ca_rsa ? TENON_X509_SIG_RSA_PKCS1_SHA256 : TENON_X509_SIG_ECDSA_SHA256));
        CHECK(ca.sig_alg ==
              (ca_rsa ? TENON_X509_SIG_RSA_PKCS1_SHA256 : TENON_X509_SIG_ECDSA_SHA256));
        CHECK(chain[0].key_alg == (leaf_rsa ? TENON_X509_KEY_RSA : TENON_X509_KEY_EC_P256));
        CHECK(chain[0].key_usage & TENON_KU_KEY_ENCIPHERMENT);
        tenon_public_key got;
        CHECK_RC(tenon_x509_public_key(&chain[0], &got), TENON_OK);
        CHECK_RC(tenon_private_key_matches(combos[i].leaf, &got), TENON_OK);
        CHECK_RC(tenon_x509_check_signature(&ca, &ca), TENON_OK);
        tenon_x509_store store;
        tenon_x509_store_init(&store, roots, 1);
        CHECK_RC(tenon_x509_store_add_der(&store, ca_der, ca_len), TENON_OK);
        tenon_x509_verify_params vp = {(int64_t)time(NULL), "rsa.example",
                                       TENON_X509_PURPOSE_SERVER, 0};
        CHECK_RC(tenon_x509_verify(&store, chain, 1, &vp), TENON_OK);

        /* OpenSSL parses both and verifies each signature with the issuer's key; it reads the
         * signature algorithm and the very RSA keys tenon generated. */
        iu_openssl_verify(ca_der, ca_len, leaf_der, leaf_len);
        const uint8_t *p = leaf_der;
        X509 *ox = d2i_X509(NULL, &p, (long)leaf_len);
        p = ca_der;
        X509 *oca = d2i_X509(NULL, &p, (long)ca_len);
        if (ox != NULL && oca != NULL) {
            CHECK(X509_get_signature_nid(ox) ==
                  (ca_rsa ? NID_sha256WithRSAEncryption : NID_ecdsa_with_SHA256));
            if (leaf_rsa)
                check_openssl_key(ox, combos[i].leaf);
            if (ca_rsa)
                check_openssl_key(oca, combos[i].ca);
        }
        X509_free(ox);
        X509_free(oca);

        /* A flipped bit in the signature breaks the chain for tenon. */
        leaf_der[leaf_len - 5] ^= 0x10;
        CHECK_RC(tenon_x509_parse(&chain[0], leaf_der, leaf_len), TENON_OK);
        CHECK_RC(tenon_x509_verify(&store, chain, 1, &vp), TENON_ERR_CERT_BAD_SIGNATURE);
    }

    /* The issuing key must match the subject of a self-signed certificate. */
    tenon_public_key leaf_pub;
    iu_pub_of(&leaf_pub, &rsa_leaf);
    static uint8_t der[4096];
    size_t len;
    CHECK_RC(tenon_x509_issue_key(params("x", 1), &leaf_pub, NULL, &rsa_ca, der, sizeof der, &len),
             TENON_ERR_KEY_MISMATCH);
    /* A buffer too small for the RSA certificate is an error, not a truncation. */
    iu_pub_of(&leaf_pub, &rsa_ca);
    CHECK(tenon_x509_issue_key(params("x", 1), &leaf_pub, NULL, &rsa_ca, der, 600, &len) < 0);
    tenon_private_key_wipe(&rsa_ca);
    tenon_private_key_wipe(&rsa_leaf);
    tenon_private_key_wipe(&ec_ca);
    tenon_private_key_wipe(&ec_leaf);
    return tu_finish("x509_issue_rsa");
}
