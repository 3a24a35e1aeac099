/*
 * RSA key generation (tenon_rsa_generate, tenon_rsa_private_exponent): each generated key is
 * handed to OpenSSL with all its components (n, e, d, p, q, dp, dq, qinv) and must pass its full
 * key check (EVP_PKEY_check: p and q prime, n = p q, d e = 1 mod lcm(p - 1, q - 1), the CRT
 * values); then signatures and PKCS#1 v1.5 encryption cross between tenon and OpenSSL both
 * ways, and the FIPS 186-5 B.3.3 properties are checked on the numbers themselves.
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tenon/crypto.h"
#include "tenon/rsa.h"
#include "testutil.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static EVP_PKEY *evp_of(const tenon_rsa_private_key *key, const uint8_t *d, size_t d_len)
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *bn[8] = {
        BN_bin2bn(key->pub.n, (int)key->pub.n_len, NULL),
        BN_bin2bn(key->pub.e, (int)key->pub.e_len, NULL),
        BN_bin2bn(d, (int)d_len, NULL),
        BN_bin2bn(key->p, (int)key->p_len, NULL),
        BN_bin2bn(key->q, (int)key->q_len, NULL),
        BN_bin2bn(key->dp, (int)key->dp_len, NULL),
        BN_bin2bn(key->dq, (int)key->dq_len, NULL),
        BN_bin2bn(key->qinv, (int)key->qinv_len, NULL),
    };
    const char *names[8] = {OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
                            OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
                            OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
                            OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    for (int i = 0; i < 8; i++)
        OSSL_PARAM_BLD_push_BN(bld, names[i], bn[i]);
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY *pk = NULL;
    if (EVP_PKEY_fromdata_init(pctx) <= 0 ||
        EVP_PKEY_fromdata(pctx, &pk, EVP_PKEY_KEYPAIR, params) <= 0)
        pk = NULL;
    EVP_PKEY_CTX_free(pctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    for (int i = 0; i < 8; i++)
        BN_clear_free(bn[i]);
    return pk;
}

/* OpenSSL's own key check: public, private and pairwise (primality of p and q included). */
static void check_with_openssl(EVP_PKEY *pk)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
    CHECK(EVP_PKEY_check(c) == 1);
    CHECK(EVP_PKEY_pairwise_check(c) == 1);
    CHECK(EVP_PKEY_private_check(c) == 1);
    EVP_PKEY_CTX_free(c);
}

/* The B.3.3 properties, recomputed with OpenSSL's bignums. */
static void check_properties(const tenon_rsa_private_key *key, size_t bits, const uint8_t *d,
                             size_t d_len)
{
    BN_CTX *bctx = BN_CTX_new();
    BIGNUM *p = BN_bin2bn(key->p, (int)key->p_len, NULL);
    BIGNUM *q = BN_bin2bn(key->q, (int)key->q_len, NULL);
    BIGNUM *dd = BN_bin2bn(d, (int)d_len, NULL);
    BIGNUM *diff = BN_new(), *bound = BN_new(), *pm1 = BN_new(), *qm1 = BN_new();
    BIGNUM *g = BN_new(), *lam = BN_new(), *e = BN_new(), *t = BN_new();
    CHECK(key->pub.n_bits == bits);
    CHECK(key->pub.n_len == bits / 8);
    CHECK(key->pub.e_len == 3 && memcmp(key->pub.e, "\x01\x00\x01", 3) == 0);
    /* top two bits set, bits/2 bits each */
    CHECK((size_t)BN_num_bits(p) == bits / 2 && (size_t)BN_num_bits(q) == bits / 2);
    CHECK(key->p[0] >= 0xc0 && key->q[0] >= 0xc0);
    /* |p - q| > 2^(nlen/2 - 100) */
    BN_sub(diff, p, q);
    BN_set_negative(diff, 0);
    BN_set_bit(bound, (int)(bits / 2 - 100));
    CHECK(BN_cmp(diff, bound) > 0);
    /* d = e^-1 mod lcm(p-1, q-1) exactly (not merely mod phi), and d > 2^(nlen/2) */
    BN_sub(pm1, p, BN_value_one());
    BN_sub(qm1, q, BN_value_one());
    BN_gcd(g, pm1, qm1, bctx);
    BN_mul(lam, pm1, qm1, bctx);
    BN_div(lam, NULL, lam, g, bctx);
    BN_set_word(e, 65537);
    BN_mod_inverse(t, e, lam, bctx);
    CHECK(BN_cmp(t, dd) == 0);
    BN_zero(bound);
    BN_set_bit(bound, (int)(bits / 2));
    CHECK(BN_cmp(dd, bound) > 0);
    /* gcd(p - 1, e) = gcd(q - 1, e) = 1 */
    BN_gcd(t, pm1, e, bctx);
    CHECK(BN_is_one(t));
    BN_gcd(t, qm1, e, bctx);
    CHECK(BN_is_one(t));
    BIGNUM *all[] = {p, q, dd, diff, bound, pm1, qm1, g, lam, e, t};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        BN_clear_free(all[i]);
    BN_CTX_free(bctx);
}

static void round_trips(const tenon_rsa_private_key *key, EVP_PKEY *pk)
{
    uint8_t digest[32], sig[TENON_RSA_MAX_LEN], ct[TENON_RSA_MAX_LEN], pt[TENON_RSA_MAX_LEN];
    size_t sig_len, ct_len, pt_len;
    const size_t k = key->pub.n_len;
    tu_rand(digest, sizeof digest);

    /* tenon signs (PKCS#1 v1.5 and PSS), OpenSSL verifies */
    CHECK_RC(tenon_rsa_pkcs1_sign(key, &tenon_sha256, digest, 32, sig, sizeof sig, &sig_len), 0);
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
    CHECK(EVP_PKEY_verify_init(c) == 1);
    CHECK(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) == 1);
    CHECK(EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) == 1);
    CHECK(EVP_PKEY_verify(c, sig, sig_len, digest, 32) == 1);
    EVP_PKEY_CTX_free(c);
    CHECK_RC(tenon_rsa_pss_sign(key, &tenon_sha256, digest, 32, sig, sizeof sig, &sig_len), 0);
    c = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
    CHECK(EVP_PKEY_verify_init(c) == 1);
    CHECK(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PSS_PADDING) == 1);
    CHECK(EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) == 1);
    CHECK(EVP_PKEY_CTX_set_rsa_pss_saltlen(c, 32) == 1);
    CHECK(EVP_PKEY_verify(c, sig, sig_len, digest, 32) == 1);
    EVP_PKEY_CTX_free(c);

    /* OpenSSL signs, tenon verifies */
    c = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
    CHECK(EVP_PKEY_sign_init(c) == 1);
    CHECK(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) == 1);
    CHECK(EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) == 1);
    sig_len = sizeof sig;
    CHECK(EVP_PKEY_sign(c, sig, &sig_len, digest, 32) == 1);
    EVP_PKEY_CTX_free(c);
    CHECK_RC(tenon_rsa_pkcs1_verify(&key->pub, &tenon_sha256, digest, 32, sig, sig_len), 0);

    /* tenon encrypts a pre-master secret, OpenSSL decrypts it; and back */
    uint8_t pms[TENON_RSA_PREMASTER_LEN];
    tu_rand(pms, sizeof pms);
    pms[0] = 3;
    pms[1] = 3;
    CHECK_RC(tenon_rsa_pkcs1_encrypt(&key->pub, pms, sizeof pms, ct, sizeof ct, &ct_len), 0);
    CHECK(ct_len == k);
    c = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
    CHECK(EVP_PKEY_decrypt_init(c) == 1);
    CHECK(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) == 1);
    pt_len = sizeof pt;
    CHECK(EVP_PKEY_decrypt(c, pt, &pt_len, ct, ct_len) == 1);
    CHECK(pt_len == sizeof pms && memcmp(pt, pms, sizeof pms) == 0);
    EVP_PKEY_CTX_free(c);

    c = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
    CHECK(EVP_PKEY_encrypt_init(c) == 1);
    CHECK(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) == 1);
    ct_len = sizeof ct;
    CHECK(EVP_PKEY_encrypt(c, ct, &ct_len, pms, sizeof pms) == 1);
    EVP_PKEY_CTX_free(c);
    uint8_t out[TENON_RSA_PREMASTER_LEN];
    CHECK_RC(tenon_rsa_tls12_premaster_decrypt(key, ct, ct_len, 3, 3, out), 0);
    CHECK_MEM(out, pms, sizeof pms, "pre-master secret decrypted by tenon");
    CHECK_RC(tenon_rsa_pkcs1_decrypt(key, ct, ct_len, pt, sizeof pt, &pt_len), 0);
    CHECK(pt_len == sizeof pms && memcmp(pt, pms, sizeof pms) == 0);
}

static void one_size(size_t bits, int reps)
{
    for (int r = 0; r < reps; r++) {
        tenon_rsa_private_key key;
        uint8_t d[TENON_RSA_MAX_LEN];
        size_t d_len = 0;
        double t0 = now_ms();
        int rc = tenon_rsa_generate(&key, bits);
        double t1 = now_ms();
        CHECK_RC(rc, 0);
        if (rc != 0)
            continue;
        printf("RSA-%zu keygen: %.0f ms\n", bits, t1 - t0);
        CHECK_RC(tenon_rsa_private_exponent(&key, d, sizeof d, &d_len), 0);
        EVP_PKEY *pk = evp_of(&key, d, d_len);
        CHECK(pk != NULL);
        if (pk != NULL) {
            check_with_openssl(pk);
            round_trips(&key, pk);
            EVP_PKEY_free(pk);
        }
        check_properties(&key, bits, d, d_len);
        tenon_rsa_private_key_wipe(&key);
    }
}

/* tenon_rsa_private_exponent on keys OpenSSL generated (its d is the lcm one as well). */
static void exponent_matches_openssl(void)
{
    for (int i = 0; i < 2; i++) {
        EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)(i == 0 ? 2048 : 3072));
        CHECK(pk != NULL);
        if (pk == NULL)
            return;
        uint8_t buf[8][TENON_RSA_MAX_LEN];
        size_t len[8];
        const char *names[8] = {OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
                                OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
                                OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
                                OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
        for (int j = 0; j < 8; j++) {
            BIGNUM *b = NULL;
            CHECK(EVP_PKEY_get_bn_param(pk, names[j], &b) == 1);
            len[j] = (size_t)BN_bn2bin(b, buf[j]);
            BN_clear_free(b);
        }
        tenon_rsa_private_key key;
        CHECK_RC(tenon_rsa_private_key_load(&key, buf[0], len[0], buf[1], len[1], buf[3], len[3],
                                            buf[4], len[4], buf[5], len[5], buf[6], len[6], buf[7],
                                            len[7]),
                 0);
        uint8_t d[TENON_RSA_MAX_LEN];
        size_t d_len = 0;
        CHECK_RC(tenon_rsa_private_exponent(&key, d, sizeof d, &d_len), 0);
        CHECK(d_len == key.pub.n_len && len[2] <= d_len);
        CHECK_MEM(d + d_len - len[2], buf[2], len[2], "d from OpenSSL's key");
        for (size_t j = 0; j < d_len - len[2]; j++)
            CHECK(d[j] == 0);
        CHECK_RC(tenon_rsa_private_exponent(&key, d, key.pub.n_len - 1, &d_len),
                 TENON_ERR_BUFFER_TOO_SMALL);
        tenon_rsa_private_key_wipe(&key);
        EVP_PKEY_free(pk);
    }
}

int main(void)
{
    tenon_rsa_private_key key;
    CHECK_RC(tenon_rsa_generate(&key, 1024), TENON_ERR_KEY_SIZE);
    CHECK_RC(tenon_rsa_generate(&key, 2000), TENON_ERR_KEY_SIZE);
    CHECK_RC(tenon_rsa_generate(&key, 4224), TENON_ERR_KEY_SIZE);
    CHECK_RC(tenon_rsa_generate(NULL, 2048), TENON_ERR_INVALID_ARGUMENT);
    exponent_matches_openssl();
    one_size(2048, 3);
    one_size(3072, 1);
    one_size(2176, 1); /* a size that is a multiple of 128 but not of 1024 */
    one_size(4096, 1);
    return tu_finish("rsa_keygen");
}
