/*
 * Test helpers for certificates issued by tenon_x509_issue_key: the public half of a private
 * key, a CA and leaf issued and parsed in one call, and OpenSSL's verdict on both signatures.
 * Header-only (static functions) for the tests that issue certificates.
 */
#ifndef TENON_X509_ISSUE_UTIL_H
#define TENON_X509_ISSUE_UTIL_H

#include <openssl/x509.h>
#include <string.h>
#include <time.h>

#include "tenon/x509.h"
#include "testutil.h"

/* Parameters valid for a day from an hour ago: a CA (keyCertSign, no names) or a server leaf
 * for dns_name with leaf_ku. */
static tenon_x509_issue_params iu_params(const char *cn, int is_ca, const char *dns_name,
                                         uint32_t leaf_ku)
{
    tenon_x509_issue_params p;
    memset(&p, 0, sizeof p);
    p.subject_cn = cn;
    p.not_before = (int64_t)time(NULL) - 3600;
    p.not_after = (int64_t)time(NULL) + 86400;
    p.is_ca = is_ca;
    p.path_len = -1;
    p.key_usage = is_ca ? TENON_KU_KEY_CERT_SIGN : leaf_ku;
    p.ext_key_usage = is_ca ? 0 : TENON_EKU_SERVER_AUTH;
    p.dns_names[0] = is_ca ? NULL : dns_name;
    return p;
}

static void iu_pub_of(tenon_public_key *pub, const tenon_private_key *key)
{
    memset(pub, 0, sizeof *pub);
    pub->type = key->type;
    if (key->type == TENON_KEY_ED25519)
        pub->u.ed25519 = key->u.ed25519.pub;
    else if (key->type == TENON_KEY_RSA)
        pub->u.rsa = key->u.rsa.pub;
    else
        pub->u.ec = key->u.ec.pub;
}

/* A self-signed CA certificate for ca (ca_p) and a leaf for leaf (leaf_p) signed by it, each
 * into a cap-byte buffer and parsed into ca_cert / leaf_cert. */
static void iu_issue_chain(tenon_x509_issue_params ca_p, tenon_x509_issue_params leaf_p,
                           const tenon_private_key *ca, const tenon_private_key *leaf,
                           uint8_t *ca_der, size_t *ca_len, uint8_t *leaf_der, size_t *leaf_len,
                           size_t cap, tenon_x509_cert *ca_cert, tenon_x509_cert *leaf_cert)
{
    tenon_public_key ca_pub, leaf_pub;
    iu_pub_of(&ca_pub, ca);
    iu_pub_of(&leaf_pub, leaf);
    CHECK_RC(tenon_x509_issue_key(&ca_p, &ca_pub, NULL, ca, ca_der, cap, ca_len), TENON_OK);
    CHECK_RC(tenon_x509_parse(ca_cert, ca_der, *ca_len), TENON_OK);
    CHECK_RC(tenon_x509_issue_key(&leaf_p, &leaf_pub, ca_cert, ca, leaf_der, cap, leaf_len),
             TENON_OK);
    CHECK_RC(tenon_x509_parse(leaf_cert, leaf_der, *leaf_len), TENON_OK);
}

/* OpenSSL parses both certificates whole and verifies each signature with the CA's key. */
static void iu_openssl_verify(const uint8_t *ca_der, size_t ca_len, const uint8_t *leaf_der,
                              size_t leaf_len)
{
    const uint8_t *p = leaf_der;
    X509 *ox = d2i_X509(NULL, &p, (long)leaf_len);
    CHECK(ox != NULL && p == leaf_der + leaf_len);
    p = ca_der;
    X509 *oca = d2i_X509(NULL, &p, (long)ca_len);
    CHECK(oca != NULL && p == ca_der + ca_len);
    if (ox != NULL && oca != NULL) {
        EVP_PKEY *ik = X509_get0_pubkey(oca);
        CHECK(X509_verify(ox, ik) == 1);
        CHECK(X509_verify(oca, ik) == 1);
    }
    X509_free(ox);
    X509_free(oca);
}

#endif
