/*
 * ECDSA over P-256 / P-384: RFC 6979 deterministic known answers, the Wycheproof ECDSA files
 * (DER and P1363, with hash/curve mixing as TLS 1.2 allows), differential tests against
 * OpenSSL's libcrypto (sign with one, verify with the other), and malformed signatures.
 */
#define OPENSSL_API_COMPAT 0x10100000L
#define OPENSSL_SUPPRESS_DEPRECATED
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>

#include "crypto/ec_internal.h"
#include "crypto/ecdsa_random.h"
#include "crypto/p256_ifma.h"
#include "testutil.h"

static const tenon_hash_class *hash_by_name(const char *name)
{
    if (strcmp(name, "SHA-256") == 0)
        return &tenon_sha256;
    if (strcmp(name, "SHA-384") == 0)
        return &tenon_sha384;
    if (strcmp(name, "SHA-512") == 0)
        return &tenon_sha512;
    return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* RFC 6979 A.2.5 (P-256) and A.2.6 (P-384). */

typedef struct {
    tenon_ec_curve curve;
    const char *hash, *msg, *r, *s;
} rfc6979_case;

static const char *const rfc_key256 =
    "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721";
static const char *const rfc_pub256 =
    "0460FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6"
    "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299";
static const char *const rfc_key384 = "6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA477407871"
                                      "37D896D5724E4C70A825F872C9EA60D2EDF5";
static const char *const rfc_pub384 = "04EC3A4E415B4E19A4568618029F427FA5DA9A8BC4AE92E02E06AAE5286B"
                                      "300C64DEF8F0EA9055866064A254515480BC13"
                                      "8015D9B72D7D57244EA8EF9AC0C621896708A59367F9DFB9F54CA84B3F1C"
                                      "9DB1288B231C3AE0D4FE7344FD2533264720";

static const rfc6979_case rfc_cases[] = {
    {TENON_EC_P256, "SHA-256", "sample",
     "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
     "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8"},
    {TENON_EC_P256, "SHA-384", "sample",
     "0EAFEA039B20E9B42309FB1D89E213057CBF973DC0CFC8F129EDDDC800EF7719",
     "4861F0491E6998B9455193E34E7B0D284DDD7149A74B95B9261F13ABDE940954"},
    {TENON_EC_P256, "SHA-512", "sample",
     "8496A60B5E9B47C825488827E0495B0E3FA109EC4568FD3F8D1097678EB97F00",
     "2362AB1ADBE2B8ADF9CB9EDAB740EA6049C028114F2460F96554F61FAE3302FE"},
    {TENON_EC_P256, "SHA-256", "test",
     "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367",
     "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083"},
    {TENON_EC_P256, "SHA-384", "test",
     "83910E8B48BB0C74244EBDF7F07A1C5413D61472BD941EF3920E623FBCCEBEB6",
     "8DDBEC54CF8CD5874883841D712142A56A8D0F218F5003CB0296B6B509619F2C"},
    {TENON_EC_P256, "SHA-512", "test",
     "461D93F31B6540894788FD206C07CFA0CC35F46FA3C91816FFF1040AD1581A04",
     "39AF9F15DE0DB8D97E72719C74820D304CE5226E32DEDAE67519E840D1194E55"},
    {TENON_EC_P384, "SHA-256", "sample",
     "21B13D1E013C7FA1392D03C5F99AF8B30C570C6F98D4EA8E354B63A21D3DAA33BDE1E888E63355D92FA2B3C36D8FB"
     "2CD",
     "F3AA443FB107745BF4BD77CB3891674632068A10CA67E3D45DB2266FA7D1FEEBEFDC63ECCD1AC42EC0CB8668A4FA0"
     "AB0"},
    {TENON_EC_P384, "SHA-384", "sample",
     "94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C81A648152E44ACF96E36DD1E80FAB"
     "E46",
     "99EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94FA329C145786E679E7B82C71A38628"
     "AC8"},
    {TENON_EC_P384, "SHA-256", "test",
     "6D6DEFAC9AB64DABAFE36C6BF510352A4CC27001263638E5B16D9BB51D451559F918EEDAF2293BE5B475CC8F01886"
     "36B",
     "2D46F3BECBCC523D5F1A1256BF0C9B024D879BA9E838144C8BA6BAEB4B53B47D51AB373F9845C0514EEFB14024787"
     "265"},
    {TENON_EC_P384, "SHA-384", "test",
     "8203B63D3C853E8D77227FB377BCF7B7B772E97892A80F36AB775D509D7A5FEB0542A7F0812998DA8F1DD3CA3CF02"
     "3DB",
     "DDD0760448D42D8A43AF45AF836FCE4DE8BE06B485E9B61B827C2F13173923E06A739F040649A667BF3B828246BAA"
     "5A5"},
    {TENON_EC_P384, "SHA-512", "test",
     "A0D5D090C9980FAF3C2CE57B7AE951D31977DD11C775D314AF55F76C676447D06FB6495CD21B4B6E340FC236584FB"
     "277",
     "976984E59B4C77B0E8E4460DCA3D9F20E07B9BB1F63BEEFAF576F6B2E8B224634A2092CD3792E0159AD9CEE37659C"
     "736"},
};

static void test_rfc6979(void)
{
    unsigned ok = 0;
    for (size_t i = 0; i < sizeof rfc_cases / sizeof rfc_cases[0]; i++) {
        const rfc6979_case *tc = &rfc_cases[i];
        size_t len = tenon_ec_scalar_len(tc->curve), dl, pl, rl, sl;
        uint8_t *d = tu_hex(tc->curve == TENON_EC_P256 ? rfc_key256 : rfc_key384, &dl);
        uint8_t *pub = tu_hex(tc->curve == TENON_EC_P256 ? rfc_pub256 : rfc_pub384, &pl);
        uint8_t *r = tu_hex(tc->r, &rl), *s = tu_hex(tc->s, &sl);
        const tenon_hash_class *h = hash_by_name(tc->hash);
        uint8_t digest[64], sig[TENON_ECDSA_MAX_SIG_LEN], sig2[TENON_ECDSA_MAX_SIG_LEN];
        size_t sig_len = 0, sig2_len = 0;
        tenon_ec_private_key key;
        tenon_hash(h, tc->msg, strlen(tc->msg), digest);
        CHECK_RC(tenon_ec_private_key_load(tc->curve, &key, d, dl), TENON_OK);
        CHECK_MEM(key.pub.point, pub, pl, "RFC 6979 public key");
        CHECK_RC(tenon_ecdsa_sign(&key, h, digest, h->digest_len, TENON_ECDSA_RAW, 0, sig,
                                  sizeof sig, &sig_len),
                 TENON_OK);
        CHECK(sig_len == 2 * len);
        int good =
            CHECK_MEM(sig, r, len, "RFC 6979 r") & CHECK_MEM(sig + len, s, len, "RFC 6979 s");
        if (!good)
            fprintf(stderr, "  (RFC 6979 %s %s \"%s\")\n", len == 32 ? "P-256" : "P-384", tc->hash,
                    tc->msg);
        ok += good;
        CHECK_RC(tenon_ecdsa_verify(&key.pub, digest, h->digest_len, TENON_ECDSA_RAW, sig, sig_len),
                 TENON_OK);
        /* The same signature in DER; the hedged one differs but verifies. */
        CHECK_RC(tenon_ecdsa_sign(&key, h, digest, h->digest_len, TENON_ECDSA_DER, 0, sig2,
                                  sizeof sig2, &sig2_len),
                 TENON_OK);
        CHECK_RC(
            tenon_ecdsa_verify(&key.pub, digest, h->digest_len, TENON_ECDSA_DER, sig2, sig2_len),
            TENON_OK);
        CHECK_RC(tenon_ecdsa_sign(&key, h, digest, h->digest_len, TENON_ECDSA_RAW, 1, sig2,
                                  sizeof sig2, &sig2_len),
                 TENON_OK);
        CHECK(sig2_len == 2 * len && memcmp(sig2, sig, 2 * len) != 0);
        CHECK_RC(
            tenon_ecdsa_verify(&key.pub, digest, h->digest_len, TENON_ECDSA_RAW, sig2, sig2_len),
            TENON_OK);
        /* The caller's randomness (a TLS handshake's pool): none is RFC 6979's signature; the
         * same bytes give the same signature, other bytes another, and both verify. */
        uint8_t rnd[ECDSA_RANDOM_LEN(TENON_EC_MAX_SCALAR_LEN)], sig3[TENON_ECDSA_MAX_SIG_LEN];
        size_t sig3_len = 0;
        CHECK_RC(ecdsa_sign_with_random(&key, h, digest, h->digest_len, TENON_ECDSA_RAW, NULL, sig3,
                                        sizeof sig3, &sig3_len),
                 TENON_OK);
        CHECK(sig3_len == 2 * len && memcmp(sig3, sig, 2 * len) == 0);
        tu_rand(rnd, sizeof rnd);
        CHECK_RC(ecdsa_sign_with_random(&key, h, digest, h->digest_len, TENON_ECDSA_RAW, rnd, sig2,
                                        sizeof sig2, &sig2_len),
                 TENON_OK);
        CHECK_RC(ecdsa_sign_with_random(&key, h, digest, h->digest_len, TENON_ECDSA_RAW, rnd, sig3,
                                        sizeof sig3, &sig3_len),
                 TENON_OK);
        CHECK(sig2_len == 2 * len && sig3_len == sig2_len && memcmp(sig2, sig3, sig2_len) == 0);
        CHECK(memcmp(sig2, sig, 2 * len) != 0);
        CHECK_RC(
            tenon_ecdsa_verify(&key.pub, digest, h->digest_len, TENON_ECDSA_RAW, sig2, sig2_len),
            TENON_OK);
        rnd[0] ^= 1; /* the hedge */
        CHECK_RC(ecdsa_sign_with_random(&key, h, digest, h->digest_len, TENON_ECDSA_RAW, rnd, sig3,
                                        sizeof sig3, &sig3_len),
                 TENON_OK);
        CHECK(memcmp(sig2, sig3, sig2_len) != 0);
        CHECK_RC(
            tenon_ecdsa_verify(&key.pub, digest, h->digest_len, TENON_ECDSA_RAW, sig3, sig3_len),
            TENON_OK);
        tenon_ec_private_key_wipe(&key);
        free(d);
        free(pub);
        free(r);
        free(s);
    }
    printf("RFC 6979 A.2.5/A.2.6: %zu vectors, %u exact\n", sizeof rfc_cases / sizeof rfc_cases[0],
           ok);
}

/* ---------------------------------------------------------------------------------------- */
/* Wycheproof */

static int wy_ecdsa(const cJSON *group, const cJSON *test, void *arg)
{
    tenon_ecdsa_format format = *(const tenon_ecdsa_format *)arg;
    const cJSON *pk = cJSON_GetObjectItemCaseSensitive(group, "publicKey");
    const char *curve_name = tu_json_str(pk, "curve");
    tenon_ec_curve curve = strcmp(curve_name, "secp256r1") == 0   ? TENON_EC_P256
                           : strcmp(curve_name, "secp384r1") == 0 ? TENON_EC_P384
                                                                  : (tenon_ec_curve)0;
    const tenon_hash_class *h = hash_by_name(tu_json_str(group, "sha"));
    if (curve == 0 || h == NULL)
        return -1;
    size_t pl, ml, sl;
    uint8_t *pt = tu_json_hex(pk, "uncompressed", &pl);
    uint8_t *msg = tu_json_hex(test, "msg", &ml);
    uint8_t *sig = tu_json_hex(test, "sig", &sl);
    uint8_t digest[64];
    tenon_ec_public_key pub;
    int got = 0;
    tenon_hash(h, msg, ml, digest);
    if (tenon_ec_public_key_load(curve, &pub, pt, pl) == TENON_OK) {
        int rc = tenon_ecdsa_verify(&pub, digest, h->digest_len, format, sig, sl);
        got = rc == TENON_OK;
        if (rc != TENON_OK && rc != TENON_ERR_BAD_SIGNATURE) {
            fprintf(stderr, "unexpected error %d\n", rc);
            got = -2;
        }
    }
    free(pt);
    free(msg);
    free(sig);
    return got == -2 ? !strcmp(tu_json_str(test, "result"), "valid") ? 0 : 1 : got;
}

static void test_wycheproof(void)
{
    static const tenon_ecdsa_format der = TENON_ECDSA_DER, raw = TENON_ECDSA_RAW;
    static const struct {
        const char *file, *label;
        const tenon_ecdsa_format *fmt;
    } files[] = {
        {"ecdsa_secp256r1_sha256_test.json", "ECDSA P-256 SHA-256 DER", &der},
        {"ecdsa_secp256r1_sha256_p1363_test.json", "ECDSA P-256 SHA-256 P1363", &raw},
        {"ecdsa_secp256r1_sha512_test.json", "ECDSA P-256 SHA-512 DER", &der},
        {"ecdsa_secp384r1_sha384_test.json", "ECDSA P-384 SHA-384 DER", &der},
        {"ecdsa_secp384r1_sha384_p1363_test.json", "ECDSA P-384 SHA-384 P1363", &raw},
        {"ecdsa_secp384r1_sha256_test.json", "ECDSA P-384 SHA-256 DER", &der},
        {"ecdsa_secp384r1_sha512_test.json", "ECDSA P-384 SHA-512 DER", &der},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        tu_wycheproof(files[i].file, files[i].label, wy_ecdsa, (void *)files[i].fmt);
}

/* ---------------------------------------------------------------------------------------- */
/* Differential against OpenSSL */

static EC_KEY *ossl_key_from(int nid, const uint8_t *d, size_t len)
{
    EC_KEY *k = EC_KEY_new_by_curve_name(nid);
    BIGNUM *bd = BN_bin2bn(d, (int)len, NULL);
    const EC_GROUP *g = EC_KEY_get0_group(k);
    EC_POINT *pub = EC_POINT_new(g);
    if (!EC_KEY_set_private_key(k, bd) || !EC_POINT_mul(g, pub, bd, NULL, NULL, NULL) ||
        !EC_KEY_set_public_key(k, pub))
        abort();
    EC_POINT_free(pub);
    BN_clear_free(bd);
    return k;
}

static void test_vs_openssl(tenon_ec_curve curve, unsigned iters)
{
    int nid = curve == TENON_EC_P256 ? NID_X9_62_prime256v1 : NID_secp384r1;
    size_t len = tenon_ec_scalar_len(curve);
    const tenon_hash_class *hashes[3] = {&tenon_sha256, &tenon_sha384, &tenon_sha512};
    unsigned t2o = 0, o2t = 0;
    for (unsigned it = 0; it < iters; it++) {
        const tenon_hash_class *h = hashes[it % 3];
        tenon_ec_private_key key;
        tenon_ec_public_key pub;
        uint8_t digest[64], sig[TENON_ECDSA_MAX_SIG_LEN], raw[96], d[48], pt[97];
        size_t sig_len, raw_len;
        tu_rand(digest, sizeof digest);
        if (it % 11 == 0)
            memset(digest, 0xff, sizeof digest); /* e >= n */
        if (it % 13 == 0)
            memset(digest, 0, 8);

        /* tenon signs (DER and raw), OpenSSL verifies. */
        CHECK_RC(tenon_ec_keygen(curve, &key), TENON_OK);
        CHECK_RC(tenon_ecdsa_sign(&key, h, digest, h->digest_len, TENON_ECDSA_DER, it & 1, sig,
                                  sizeof sig, &sig_len),
                 TENON_OK);
        EC_KEY *ok = ossl_key_from(nid, key.scalar, len);
        int v = ECDSA_verify(0, digest, (int)h->digest_len, sig, (int)sig_len, ok);
        t2o += CHECK(v == 1);
        CHECK_RC(tenon_ecdsa_sign(&key, h, digest, h->digest_len, TENON_ECDSA_RAW, 0, raw,
                                  sizeof raw, &raw_len),
                 TENON_OK);
        ECDSA_SIG *es = ECDSA_SIG_new();
        ECDSA_SIG_set0(es, BN_bin2bn(raw, (int)len, NULL), BN_bin2bn(raw + len, (int)len, NULL));
        CHECK(ECDSA_do_verify(digest, (int)h->digest_len, es, ok) == 1);
        ECDSA_SIG_free(es);
        EC_KEY_free(ok);

        /* OpenSSL makes the key and signs, tenon verifies (DER and raw). */
        EC_KEY *ok2 = EC_KEY_new_by_curve_name(nid);
        if (!EC_KEY_generate_key(ok2))
            abort();
        BN_bn2binpad(EC_KEY_get0_private_key(ok2), d, (int)len);
        EC_POINT_point2oct(EC_KEY_get0_group(ok2), EC_KEY_get0_public_key(ok2),
                           POINT_CONVERSION_UNCOMPRESSED, pt, 1 + 2 * len, NULL);
        unsigned int osl = 0;
        CHECK(ECDSA_sign(0, digest, (int)h->digest_len, sig, &osl, ok2) == 1);
        CHECK_RC(tenon_ec_public_key_load(curve, &pub, pt, 1 + 2 * len), TENON_OK);
        int rc = tenon_ecdsa_verify(&pub, digest, h->digest_len, TENON_ECDSA_DER, sig, osl);
        o2t += CHECK(rc == TENON_OK);
        ECDSA_SIG *es2 = ECDSA_do_sign(digest, (int)h->digest_len, ok2);
        BN_bn2binpad(ECDSA_SIG_get0_r(es2), raw, (int)len);
        BN_bn2binpad(ECDSA_SIG_get0_s(es2), raw + len, (int)len);
        CHECK_RC(tenon_ecdsa_verify(&pub, digest, h->digest_len, TENON_ECDSA_RAW, raw, 2 * len),
                 TENON_OK);
        /* A wrong digest or a flipped bit in s fails. */
        digest[3] ^= 0x10;
        CHECK_RC(tenon_ecdsa_verify(&pub, digest, h->digest_len, TENON_ECDSA_RAW, raw, 2 * len),
                 TENON_ERR_BAD_SIGNATURE);
        digest[3] ^= 0x10;
        raw[2 * len - 1] ^= 1;
        CHECK_RC(tenon_ecdsa_verify(&pub, digest, h->digest_len, TENON_ECDSA_RAW, raw, 2 * len),
                 TENON_ERR_BAD_SIGNATURE);
        ECDSA_SIG_free(es2);
        /* The OpenSSL key signs with tenon, verified by tenon with the OpenSSL public key. */
        tenon_ec_private_key k2;
        CHECK_RC(tenon_ec_private_key_load(curve, &k2, d, len), TENON_OK);
        CHECK_MEM(k2.pub.point, pt, 1 + 2 * len, "public key from OpenSSL scalar");
        CHECK_RC(tenon_ecdsa_sign(&k2, h, digest, h->digest_len, TENON_ECDSA_DER, 1, sig,
                                  sizeof sig, &sig_len),
                 TENON_OK);
        CHECK_RC(tenon_ecdsa_verify(&pub, digest, h->digest_len, TENON_ECDSA_DER, sig, sig_len),
                 TENON_OK);
        CHECK(ECDSA_verify(0, digest, (int)h->digest_len, sig, (int)sig_len, ok2) == 1);
        EC_KEY_free(ok2);
        tenon_ec_private_key_wipe(&key);
        tenon_ec_private_key_wipe(&k2);
    }
    printf("%s ECDSA vs OpenSSL: %u tenon->OpenSSL verified, %u OpenSSL->tenon verified (of %u)\n",
           len == 32 ? "P-256" : "P-384", t2o, o2t, iters);
}

/* ---------------------------------------------------------------------------------------- */
/* Malformed signatures and bad arguments */

static size_t der_int(uint8_t *out, const uint8_t *v, size_t n)
{
    out[0] = 0x02;
    out[1] = (uint8_t)n;
    memcpy(out + 2, v, n);
    return n + 2;
}

static void test_bad_signatures(tenon_ec_curve curve)
{
    size_t len = tenon_ec_scalar_len(curve);
    const tenon_hash_class *h = len == 32 ? &tenon_sha256 : &tenon_sha384;
    tenon_ec_private_key key;
    uint8_t digest[64], raw[96], sig[TENON_ECDSA_MAX_SIG_LEN], bad[300], r[50], s[50];
    size_t raw_len, sig_len;
    CHECK_RC(tenon_ec_keygen(curve, &key), TENON_OK);
    tenon_hash(h, "message", 7, digest);
    CHECK_RC(tenon_ecdsa_sign(&key, h, digest, h->digest_len, TENON_ECDSA_RAW, 0, raw, sizeof raw,
                              &raw_len),
             TENON_OK);
    CHECK_RC(tenon_ecdsa_sign(&key, h, digest, h->digest_len, TENON_ECDSA_DER, 0, sig, sizeof sig,
                              &sig_len),
             TENON_OK);
    const tenon_ec_public_key *pub = &key.pub;
#define VERIFY_DER(buf, n)                                                                         \
    tenon_ecdsa_verify(pub, digest, h->digest_len, TENON_ECDSA_DER, (buf), (n))
    CHECK_RC(VERIFY_DER(sig, sig_len), TENON_OK);

    /* Build DER by hand from r and s (with a leading 00 if the top bit is set). */
    memcpy(r + 1, raw, len);
    memcpy(s + 1, raw + len, len);
    r[0] = s[0] = 0;
    const uint8_t *rp = r + 1, *sp = s + 1;
    size_t rn = len, sn = len;
    while (rn > 1 && rp[0] == 0)
        rp++, rn--;
    while (sn > 1 && sp[0] == 0)
        sp++, sn--;
    if (rp[0] & 0x80)
        rp--, rn++;
    if (sp[0] & 0x80)
        sp--, sn++;
    size_t n = 2;
    n += der_int(bad + n, rp, rn);
    n += der_int(bad + n, sp, sn);
    bad[0] = 0x30;
    bad[1] = (uint8_t)(n - 2);
    CHECK(n == sig_len && memcmp(bad, sig, n) == 0);

    /* Trailing bytes, truncation, every length. */
    memcpy(bad, sig, sig_len);
    bad[sig_len] = 0;
    CHECK_RC(VERIFY_DER(bad, sig_len + 1), TENON_ERR_BAD_SIGNATURE);
    for (size_t l = 0; l < sig_len; l++)
        CHECK_RC(VERIFY_DER(sig, l), TENON_ERR_BAD_SIGNATURE);
    CHECK_RC(VERIFY_DER(NULL, 0), TENON_ERR_BAD_SIGNATURE);
    /* Wrong tags. */
    static const uint8_t tags[] = {0x31, 0x10, 0x00, 0xa0, 0x04};
    for (size_t i = 0; i < sizeof tags; i++) {
        memcpy(bad, sig, sig_len);
        bad[0] = tags[i];
        CHECK_RC(VERIFY_DER(bad, sig_len), TENON_ERR_BAD_SIGNATURE);
        memcpy(bad, sig, sig_len);
        bad[2] = tags[i]; /* r's tag */
        CHECK_RC(VERIFY_DER(bad, sig_len), TENON_ERR_BAD_SIGNATURE);
    }
    /* Long-form (non-minimal) SEQUENCE length; huge lengths. */
    bad[0] = 0x30;
    bad[1] = 0x81;
    bad[2] = (uint8_t)(sig_len - 2);
    memcpy(bad + 3, sig + 2, sig_len - 2);
    CHECK_RC(VERIFY_DER(bad, sig_len + 1), TENON_ERR_BAD_SIGNATURE);
    static const uint8_t huge[][6] = {{0x30, 0x84, 0xff, 0xff, 0xff, 0xff},
                                      {0x30, 0x89, 0x01, 0x00, 0x00, 0x00},
                                      {0x30, 0x80, 0x02, 0x01, 0x01, 0x00}};
    for (size_t i = 0; i < 3; i++) {
        memcpy(bad, huge[i], 6);
        memcpy(bad + 6, sig + 2, sig_len - 2);
        CHECK_RC(VERIFY_DER(bad, sig_len + 4), TENON_ERR_BAD_SIGNATURE);
    }
    /* Non-minimal INTEGER: an extra leading zero on r. */
    n = 2;
    bad[n++] = 0x02;
    bad[n++] = (uint8_t)(rn + 1);
    bad[n++] = 0x00;
    memcpy(bad + n, rp, rn);
    n += rn;
    n += der_int(bad + n, sp, sn);
    bad[0] = 0x30;
    bad[1] = (uint8_t)(n - 2);
    CHECK_RC(VERIFY_DER(bad, n), TENON_ERR_BAD_SIGNATURE);
    /* Long-form INTEGER length. */
    n = 2;
    bad[n++] = 0x02;
    bad[n++] = 0x81;
    bad[n++] = (uint8_t)rn;
    memcpy(bad + n, rp, rn);
    n += rn;
    n += der_int(bad + n, sp, sn);
    bad[1] = (uint8_t)(n - 2);
    CHECK_RC(VERIFY_DER(bad, n), TENON_ERR_BAD_SIGNATURE);
    /* Negative r (top bit set without the 00), and r = -r's encoding. */
    uint8_t neg[50];
    memcpy(neg, rp, rn);
    if (neg[0] == 0) {
        n = 2 + der_int(bad + 2, neg + 1, rn - 1); /* drops the sign byte */
    } else {
        neg[0] |= 0x80;
        n = 2 + der_int(bad + 2, neg, rn);
    }
    n += der_int(bad + n, sp, sn);
    bad[1] = (uint8_t)(n - 2);
    CHECK_RC(VERIFY_DER(bad, n), TENON_ERR_BAD_SIGNATURE);
    /* Empty INTEGER, zero, n, and a value one byte too wide. */
    n = 2;
    bad[n++] = 0x02;
    bad[n++] = 0x00;
    n += der_int(bad + n, sp, sn);
    bad[1] = (uint8_t)(n - 2);
    CHECK_RC(VERIFY_DER(bad, n), TENON_ERR_BAD_SIGNATURE);
    uint8_t zero = 0;
    n = 2 + der_int(bad + 2, &zero, 1);
    n += der_int(bad + n, sp, sn);
    bad[1] = (uint8_t)(n - 2);
    CHECK_RC(VERIFY_DER(bad, n), TENON_ERR_BAD_SIGNATURE);
    n = 2 + der_int(bad + 2, rp, rn);
    n += der_int(bad + n, &zero, 1);
    bad[1] = (uint8_t)(n - 2);
    CHECK_RC(VERIFY_DER(bad, n), TENON_ERR_BAD_SIGNATURE);
    uint8_t wide[50];
    wide[0] = 0x01;
    memset(wide + 1, 0, len);
    n = 2 + der_int(bad + 2, wide, len + 1);
    n += der_int(bad + n, sp, sn);
    bad[1] = (uint8_t)(n - 2);
    CHECK_RC(VERIFY_DER(bad, n), TENON_ERR_BAD_SIGNATURE);
    /* A third INTEGER inside the SEQUENCE. */
    memcpy(bad, sig, sig_len);
    n = sig_len + der_int(bad + sig_len, &zero, 1);
    bad[1] = (uint8_t)(n - 2);
    CHECK_RC(VERIFY_DER(bad, n), TENON_ERR_BAD_SIGNATURE);

    /* Raw: wrong lengths, r or s zero, equal to n, above n, and s replaced by n - s (valid:
     * ECDSA signatures are malleable; tenon does not enforce low-s). */
#define VERIFY_RAW(buf, n)                                                                         \
    tenon_ecdsa_verify(pub, digest, h->digest_len, TENON_ECDSA_RAW, (buf), (n))
    CHECK_RC(VERIFY_RAW(raw, 2 * len), TENON_OK);
    CHECK_RC(VERIFY_RAW(raw, 2 * len - 1), TENON_ERR_BAD_SIGNATURE);
    CHECK_RC(VERIFY_RAW(raw, 2 * len + 1), TENON_ERR_BAD_SIGNATURE);
    CHECK_RC(VERIFY_RAW(sig, sig_len), TENON_ERR_BAD_SIGNATURE);
    memcpy(bad, raw, 2 * len);
    memset(bad, 0, len);
    CHECK_RC(VERIFY_RAW(bad, 2 * len), TENON_ERR_BAD_SIGNATURE);
    memcpy(bad, raw, 2 * len);
    memset(bad + len, 0, len);
    CHECK_RC(VERIFY_RAW(bad, 2 * len), TENON_ERR_BAD_SIGNATURE);
    BIGNUM *order = BN_new(), *bs = BN_bin2bn(raw + len, (int)len, NULL), *t = BN_new();
    EC_GROUP *g = EC_GROUP_new_by_curve_name(len == 32 ? NID_X9_62_prime256v1 : NID_secp384r1);
    EC_GROUP_get_order(g, order, NULL);
    memcpy(bad, raw, 2 * len);
    BN_bn2binpad(order, bad + len, (int)len); /* s = n */
    CHECK_RC(VERIFY_RAW(bad, 2 * len), TENON_ERR_BAD_SIGNATURE);
    BN_add(t, bs, order); /* s + n, if it fits */
    if (BN_num_bytes(t) <= (int)len) {
        BN_bn2binpad(t, bad + len, (int)len);
        CHECK_RC(VERIFY_RAW(bad, 2 * len), TENON_ERR_BAD_SIGNATURE);
    }
    memcpy(bad, raw, 2 * len);
    BN_bn2binpad(order, bad, (int)len); /* r = n */
    CHECK_RC(VERIFY_RAW(bad, 2 * len), TENON_ERR_BAD_SIGNATURE);
    memset(bad, 0xff, len); /* r = 2^bits - 1 > n */
    CHECK_RC(VERIFY_RAW(bad, 2 * len), TENON_ERR_BAD_SIGNATURE);
    BN_sub(t, order, bs); /* n - s */
    memcpy(bad, raw, 2 * len);
    BN_bn2binpad(t, bad + len, (int)len);
    CHECK_RC(VERIFY_RAW(bad, 2 * len), TENON_OK);
    BN_free(order);
    BN_free(bs);
    BN_free(t);
    EC_GROUP_free(g);

    /* Arguments. */
    CHECK_RC(tenon_ecdsa_sign(&key, h, digest, h->digest_len, TENON_ECDSA_RAW, 0, raw, 2 * len - 1,
                              &raw_len),
             TENON_ERR_BUFFER_TOO_SMALL);
    CHECK_RC(tenon_ecdsa_sign(&key, h, digest, h->digest_len, TENON_ECDSA_DER, 0, sig, 8, &sig_len),
             TENON_ERR_BUFFER_TOO_SMALL);
    CHECK_RC(tenon_ecdsa_sign(&key, h, digest, h->digest_len - 1, TENON_ECDSA_DER, 0, sig,
                              sizeof sig, &sig_len),
             TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tenon_ecdsa_sign(&key, NULL, digest, h->digest_len, TENON_ECDSA_DER, 0, sig,
                              sizeof sig, &sig_len),
             TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tenon_ecdsa_sign(&key, h, digest, h->digest_len, (tenon_ecdsa_format)7, 0, sig,
                              sizeof sig, &sig_len),
             TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tenon_ecdsa_verify(pub, digest, h->digest_len, (tenon_ecdsa_format)7, sig, sig_len),
             TENON_ERR_INVALID_ARGUMENT);
    /* The public key of another curve, or a tampered one. */
    tenon_ec_public_key other = *pub;
    other.point[9] ^= 4;
    CHECK_RC(tenon_ecdsa_verify(&other, digest, h->digest_len, TENON_ECDSA_DER, sig, sig_len),
             TENON_ERR_BAD_PUBLIC_KEY);
    other = *pub;
    other.curve = len == 32 ? TENON_EC_P384 : TENON_EC_P256;
    CHECK_RC(tenon_ecdsa_verify(&other, digest, h->digest_len, TENON_ECDSA_DER, sig, sig_len),
             TENON_ERR_BAD_PUBLIC_KEY);
    tenon_ec_private_key zk = key;
    memset(zk.scalar, 0, sizeof zk.scalar);
    CHECK_RC(tenon_ecdsa_sign(&zk, h, digest, h->digest_len, TENON_ECDSA_DER, 0, sig, sizeof sig,
                              &sig_len),
             TENON_ERR_BAD_PRIVATE_KEY);
    tenon_ec_private_key_wipe(&key);
#undef VERIFY_DER
#undef VERIFY_RAW
}

/* P-256 signing and verification by every path this machine has (portable field, BMI2/ADX
 * field, AVX-512 IFMA vectors and their portable model): the same signature from each, and the
 * same verdict on valid signatures and on ones with r, s or the digest changed, over random
 * keys, nonces and digests, and with e = 0 (u1 = 0: no multiple of G at all) and e = n - 1. */
static void test_p256_verify_paths(unsigned iters)
{
    static const char *names[] = {"default", "portable", "BMI2/ADX", "AVX-512 IFMA", "IFMA model"};
    const ec_curve *c = &ec_p256;
    unsigned compared[5] = {0}, signed_by[5] = {0}, valid = 0;
    for (unsigned it = 0; it < iters; it++) {
        tenon_ec_private_key key;
        uint8_t e[32], k[32], blind[64], r[32], s[32];
        CHECK_RC(tenon_ec_keygen(TENON_EC_P256, &key), TENON_OK);
        tu_rand(e, sizeof e);
        if (it == 0)
            memset(e, 0, sizeof e);
        if (it == 1) {
            static const uint8_t n1[32] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
                                           0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                           0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
                                           0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x50};
            memcpy(e, n1, 32);
        }
        do
            tu_rand(k, sizeof k);
        while (!c->scalar_in_range(k));
        tu_rand(blind, sizeof blind);
        if (!CHECK(c->ecdsa_sign(r, s, key.scalar, k, e, blind) == 0xFFFFFFFFu))
            continue;
        /* Signing by each path: the same (r, s). */
        for (int path = P256_PATH_DEFAULT; path <= P256_PATH_IFMA_MODEL; path++) {
            uint8_t r2[32], s2[32];
            if (p256_sign_path(path, r2, s2, key.scalar, k, e, blind) == 0)
                continue; /* unavailable here */
            signed_by[path]++;
            CHECK_MEM(r2, r, 32, names[path]);
            CHECK_MEM(s2, s, 32, names[path]);
        }
        /* variant 0: as signed; 1: r changed; 2: s changed; 3: the digest changed */
        for (int v = 0; v < 4; v++) {
            uint8_t r2[32], s2[32], e2[32];
            memcpy(r2, r, 32);
            memcpy(s2, s, 32);
            memcpy(e2, e, 32);
            if (v == 1)
                r2[31 - it % 8] ^= 1;
            if (v == 2)
                s2[it % 32] ^= 0x10;
            if (v == 3)
                e2[it % 32] ^= 0x80;
            if (!c->scalar_in_range(r2) || !c->scalar_in_range(s2))
                continue;
            int want = p256_verify_path(P256_PATH_PORTABLE, key.pub.point + 1, e2, r2, s2);
            CHECK(want == (v == 0));
            valid += want == 1;
            for (int path = P256_PATH_DEFAULT; path <= P256_PATH_IFMA_MODEL; path++) {
                int got = p256_verify_path(path, key.pub.point + 1, e2, r2, s2);
                if (got < 0)
                    continue; /* unavailable here */
                compared[path]++;
                if (!CHECK(got == want))
                    printf("  path %s, variant %d\n", names[path], v);
            }
        }
        tenon_ec_private_key_wipe(&key);
    }
    for (int path = 0; path <= P256_PATH_IFMA_MODEL; path++)
        printf("P-256 verify path %s: %u verdicts compared with the portable one\n", names[path],
               compared[path]);
    for (int path = 0; path <= P256_PATH_IFMA_MODEL; path++)
        printf("P-256 sign path %s: %u signatures compared\n", names[path], signed_by[path]);
    CHECK(compared[P256_PATH_IFMA_MODEL] == compared[P256_PATH_PORTABLE]);
    CHECK(signed_by[P256_PATH_IFMA_MODEL] == iters);
    CHECK(valid == iters);
}

int main(void)
{
    tu_seed(0xec05a);
    test_rfc6979();
    test_wycheproof();
    test_vs_openssl(TENON_EC_P256, 1000);
    test_vs_openssl(TENON_EC_P384, 300);
    test_bad_signatures(TENON_EC_P256);
    test_bad_signatures(TENON_EC_P384);
    test_p256_verify_paths(200);
    /* The BMI2/ADX field without the IFMA vectors (the default on a CPU with AVX-512 IFMA). */
    tenon_cpu_set_mask(~(uint32_t)TENON_CPU_AVX512IFMA);
    test_wycheproof();
    test_vs_openssl(TENON_EC_P256, 100);
    tenon_cpu_set_mask(UINT32_MAX);
    /* The portable field arithmetic (no BMI2/ADX), whatever this CPU offers. */
    tenon_cpu_set_mask(0);
    test_rfc6979();
    test_wycheproof();
    test_vs_openssl(TENON_EC_P256, 100);
    test_vs_openssl(TENON_EC_P384, 50);
    /* The other two mixes of field (BMI2/ADX or portable) and table scan (AVX2 or SSE2). */
    tenon_cpu_set_mask(~(uint32_t)TENON_CPU_AVX2);
    test_wycheproof();
    test_vs_openssl(TENON_EC_P256, 50);
    tenon_cpu_set_mask(TENON_CPU_AVX2);
    test_wycheproof();
    test_vs_openssl(TENON_EC_P256, 50);
    tenon_cpu_set_mask(UINT32_MAX);
    return tu_finish("test_ecdsa");
}
