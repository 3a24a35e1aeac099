/*
 * Key files as OpenSSL writes them: PKCS#8 (RFC 5208 / RFC 5958), PKCS#1 RSAPrivateKey
 * (RFC 8017 §A.1.2), SEC 1 ECPrivateKey (RFC 5915), Ed25519 keys (RFC 8410) and
 * SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
 * The parsers follow the ASN.1 of those documents one function per structure; the key material
 * is checked by the rsa/ec loaders.
 */
#include "x509_internal.h"

int x509_map_err(int rc, int err)
{
    if (rc == TENON_ERR_MALFORMED || rc == TENON_ERR_DER_TOO_DEEP)
        return err;
    return rc;
}

/* AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL } */
static int read_alg_id(der_cursor *c, der_tlv *oid, der_tlv *params, int *has_params)
{
    der_cursor a;
    GUARD(der_enter(c, DER_SEQUENCE, &a));
    GUARD(der_read_oid(&a, oid));
    *has_params = !der_at_end(&a);
    if (*has_params)
        GUARD(der_read_tlv(&a, params));
    return der_finish(&a);
}

/* ECParameters ::= CHOICE { namedCurve OID, ... } (RFC 5480 §2.1.1: only namedCurve). */
static int named_curve(const der_tlv *params, tenon_ec_curve *curve)
{
    ENSURE(params->tag == DER_OID, TENON_ERR_KEY_UNSUPPORTED);
    if (OID_IS(params, OID_P256))
        *curve = TENON_EC_P256;
    else if (OID_IS(params, OID_P384))
        *curve = TENON_EC_P384;
    else
        return TENON_ERR_KEY_UNSUPPORTED;
    return 0;
}

static int is_null_params(int has, const der_tlv *params)
{
    return !has || (params->tag == DER_NULL && params->len == 0);
}

int x509_parse_spki(der_cursor *c, x509_spki *out)
{
    der_cursor s;
    der_tlv oid, params;
    int has;
    const uint8_t *bits;
    size_t nbits;
    unsigned unused;
    memset(out, 0, sizeof *out);
    /* SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier,
     *                                     subjectPublicKey BIT STRING } */
    GUARD(der_enter(c, DER_SEQUENCE, &s));
    GUARD(read_alg_id(&s, &oid, &params, &has));
    GUARD(der_read_bit_string(&s, &bits, &nbits, &unused));
    GUARD(der_finish(&s));
    ENSURE(unused == 0, TENON_ERR_MALFORMED);
    if (OID_IS(&oid, OID_RSA_ENCRYPTION)) {
        /* RFC 3279 §2.3.1: parameters NULL; RSAPublicKey ::= SEQUENCE { modulus INTEGER,
         * publicExponent INTEGER } in the BIT STRING. */
        ENSURE(is_null_params(has, &params), TENON_ERR_MALFORMED);
        der_cursor k, r;
        der_init(&k, bits, nbits);
        k.depth = s.depth;
        GUARD(der_enter(&k, DER_SEQUENCE, &r));
        GUARD(der_read_uint(&r, &out->n.ptr, &out->n.len));
        GUARD(der_read_uint(&r, &out->e.ptr, &out->e.len));
        GUARD(der_finish(&r));
        GUARD(der_finish(&k));
        out->alg = TENON_X509_KEY_RSA;
    } else if (OID_IS(&oid, OID_EC_PUBLIC_KEY)) {
        /* RFC 5480 §2.1.1: ECParameters is required; only namedCurve is used in PKIX. */
        ENSURE(has, TENON_ERR_MALFORMED);
        tenon_ec_curve curve;
        if (named_curve(&params, &curve) == 0)
            out->alg = curve == TENON_EC_P256 ? TENON_X509_KEY_EC_P256 : TENON_X509_KEY_EC_P384;
        out->point.ptr = bits;
        out->point.len = nbits;
    } else if (OID_IS(&oid, OID_ED25519)) {
        /* RFC 8410 §3: parameters absent. */
        ENSURE(!has && nbits == 32, TENON_ERR_MALFORMED);
        out->alg = TENON_X509_KEY_ED25519;
        out->point.ptr = bits;
        out->point.len = nbits;
    }
    return 0;
}

int x509_spki_load(const x509_spki *spki, tenon_public_key *key)
{
    memset(key, 0, sizeof *key);
    switch (spki->alg) {
    case TENON_X509_KEY_RSA:
        GUARD(tenon_rsa_public_key_load(&key->u.rsa, spki->n.ptr, spki->n.len, spki->e.ptr,
                                        spki->e.len));
        key->type = TENON_KEY_RSA;
        return 0;
    case TENON_X509_KEY_EC_P256:
    case TENON_X509_KEY_EC_P384:
        GUARD(tenon_ec_public_key_load(spki->alg == TENON_X509_KEY_EC_P256 ? TENON_EC_P256
                                                                           : TENON_EC_P384,
                                       &key->u.ec, spki->point.ptr, spki->point.len));
        key->type = TENON_KEY_EC;
        return 0;
    case TENON_X509_KEY_ED25519:
        GUARD(tenon_ed25519_public_key_load(&key->u.ed25519, spki->point.ptr, spki->point.len));
        key->type = TENON_KEY_ED25519;
        return 0;
    default:
        return TENON_ERR_CERT_UNSUPPORTED_ALG;
    }
}

TENON_API int tenon_public_key_parse_spki(tenon_public_key *key, const uint8_t *der, size_t len)
{
    ENSURE(key && der, TENON_ERR_INVALID_ARGUMENT);
    der_cursor c;
    x509_spki spki;
    der_init(&c, der, len);
    int rc = x509_parse_spki(&c, &spki);
    if (rc == 0)
        rc = der_finish(&c);
    GUARD(x509_map_err(rc, TENON_ERR_KEY_MALFORMED));
    rc = x509_spki_load(&spki, key);
    return rc == TENON_ERR_CERT_UNSUPPORTED_ALG ? TENON_ERR_KEY_UNSUPPORTED : rc;
}

/* RSAPrivateKey ::= SEQUENCE { version 0, modulus, publicExponent, privateExponent, prime1,
 *   prime2, exponent1, exponent2, coefficient, otherPrimeInfos OPTIONAL }  (RFC 8017 §A.1.2;
 * version 1 is the multi-prime form, which tenon does not support). */
static int parse_rsa_private(der_cursor *c, tenon_private_key *key)
{
    der_cursor s;
    uint32_t version;
    const uint8_t *v[8];
    size_t l[8];
    GUARD(der_enter(c, DER_SEQUENCE, &s));
    GUARD(der_read_small_uint(&s, 1, &version));
    ENSURE(version == 0, TENON_ERR_KEY_UNSUPPORTED);
    for (size_t i = 0; i < 8; i++)
        GUARD(der_read_uint(&s, &v[i], &l[i]));
    GUARD(der_finish(&s));
    /* v: n, e, d, p, q, dp, dq, qinv. d is implied by the CRT values and not kept. */
    GUARD(tenon_rsa_private_key_load(&key->u.rsa, v[0], l[0], v[1], l[1], v[3], l[3], v[4], l[4],
                                     v[5], l[5], v[6], l[6], v[7], l[7]));
    key->type = TENON_KEY_RSA;
    return 0;
}

/* ECPrivateKey ::= SEQUENCE { version INTEGER { ecPrivkeyVer1(1) }, privateKey OCTET STRING,
 *   parameters [0] ECParameters OPTIONAL, publicKey [1] BIT STRING OPTIONAL }  (RFC 5915 §3).
 * outer_curve is the curve named by a PKCS#8 wrapper, or 0. */
static int parse_ec_private(der_cursor *c, tenon_private_key *key, int outer_curve)
{
    der_cursor s, p0, p1;
    der_tlv priv, params;
    uint32_t version;
    int has0, has1;
    const uint8_t *pub = NULL;
    size_t pub_len = 0;
    tenon_ec_curve curve = (tenon_ec_curve)outer_curve;
    GUARD(der_enter(c, DER_SEQUENCE, &s));
    GUARD(der_read_small_uint(&s, 1, &version));
    ENSURE(version == 1, TENON_ERR_MALFORMED);
    GUARD(der_read_octet_string(&s, &priv));
    GUARD(der_enter_optional(&s, DER_CTX_CONS(0), &p0, &has0));
    if (has0) {
        tenon_ec_curve named;
        GUARD(der_read_tlv(&p0, &params));
        GUARD(der_finish(&p0));
        GUARD(named_curve(&params, &named));
        /* RFC 5915 §3: when both are present they must agree. */
        ENSURE(outer_curve == 0 || (int)named == outer_curve, TENON_ERR_MALFORMED);
        curve = named;
    }
    GUARD(der_enter_optional(&s, DER_CTX_CONS(1), &p1, &has1));
    if (has1) {
        unsigned unused;
        GUARD(der_read_bit_string(&p1, &pub, &pub_len, &unused));
        GUARD(der_finish(&p1));
        ENSURE(unused == 0, TENON_ERR_MALFORMED);
    }
    GUARD(der_finish(&s));
    ENSURE(curve != 0, TENON_ERR_MALFORMED);

    /* SEC 1 §C.4: the private key is an octet string of the order's length; shorter strings
     * (leading zeros dropped by some writers) are padded back. */
    size_t sl = tenon_ec_scalar_len(curve);
    ENSURE(priv.len >= 1 && priv.len <= sl, TENON_ERR_MALFORMED);
    uint8_t scalar[TENON_EC_MAX_SCALAR_LEN] = {0};
    memcpy(scalar + sl - priv.len, priv.val, priv.len);
    int rc = tenon_ec_private_key_load(curve, &key->u.ec, scalar, sl);
    tenon_wipe(scalar, sizeof scalar);
    GUARD(rc);
    key->type = TENON_KEY_EC;
    if (has1 &&
        (pub_len != key->u.ec.pub.point_len || memcmp(pub, key->u.ec.pub.point, pub_len) != 0))
        return TENON_ERR_KEY_MISMATCH;
    return 0;
}

/* OneAsymmetricKey ::= SEQUENCE { version INTEGER (v1(0), v2(1)), privateKeyAlgorithm
 *   AlgorithmIdentifier, privateKey OCTET STRING, attributes [0] IMPLICIT Attributes OPTIONAL,
 *   ..., [[2: publicKey [1] IMPLICIT BIT STRING OPTIONAL ]] }  (RFC 5958 §2). */
static int parse_pkcs8(der_cursor *c, tenon_private_key *key)
{
    der_cursor s, inner;
    der_tlv oid, params, priv, attr, pub = {0};
    uint32_t version;
    int has;
    GUARD(der_enter(c, DER_SEQUENCE, &s));
    GUARD(der_read_small_uint(&s, 1, &version));
    GUARD(read_alg_id(&s, &oid, &params, &has));
    GUARD(der_read_octet_string(&s, &priv));
    if (der_peek(&s) == DER_CTX_CONS(0))
        GUARD(der_read_tlv(&s, &attr));
    if (version == 1 && der_peek(&s) == DER_CTX(1))
        GUARD(der_read_tlv(&s, &pub));
    GUARD(der_finish(&s));
    der_init(&inner, priv.val, priv.len);
    inner.depth = s.depth;
    if (OID_IS(&oid, OID_RSA_ENCRYPTION)) {
        ENSURE(is_null_params(has, &params), TENON_ERR_MALFORMED);
        GUARD(parse_rsa_private(&inner, key));
    } else if (OID_IS(&oid, OID_EC_PUBLIC_KEY)) {
        tenon_ec_curve curve;
        ENSURE(has, TENON_ERR_MALFORMED);
        GUARD(named_curve(&params, &curve));
        GUARD(parse_ec_private(&inner, key, (int)curve));
    } else if (OID_IS(&oid, OID_ED25519)) {
        /* RFC 8410 §7: "the parameters MUST be absent"; privateKey holds CurvePrivateKey ::=
         * OCTET STRING, the 32-byte seed of RFC 8032 §5.1.5. */
        ENSURE(!has, TENON_ERR_MALFORMED);
        der_tlv seed;
        GUARD(der_read_octet_string(&inner, &seed));
        ENSURE(seed.len == TENON_ED25519_SEED_LEN, TENON_ERR_MALFORMED);
        GUARD(tenon_ed25519_private_key_load(&key->u.ed25519, seed.val, seed.len));
        key->type = TENON_KEY_ED25519;
        /* RFC 5958 §2 publicKey [1] IMPLICIT BIT STRING: when present it must be this key's. */
        if (pub.tag != 0) {
            ENSURE(pub.len == 1 + TENON_ED25519_PUBLIC_LEN && pub.val[0] == 0, TENON_ERR_MALFORMED);
            ENSURE(memcmp(pub.val + 1, key->u.ed25519.pub.bytes, TENON_ED25519_PUBLIC_LEN) == 0,
                   TENON_ERR_KEY_MISMATCH);
        }
    } else {
        return TENON_ERR_KEY_UNSUPPORTED;
    }
    return der_finish(&inner);
}

static int parse_private_der(tenon_private_key *key, const uint8_t *der, size_t len)
{
    der_cursor c, s;
    der_tlv first, second;
    der_init(&c, der, len);
    /* Look inside the outer SEQUENCE to tell the formats apart, then parse from the start. */
    GUARD(der_enter(&c, DER_SEQUENCE, &s));
    GUARD(der_finish(&c));
    GUARD(der_read_tlv(&s, &first));
    GUARD(der_read_tlv(&s, &second));
    der_init(&c, der, len);
    if (first.tag == DER_SEQUENCE && second.tag == DER_OCTET_STRING)
        /* EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm, encryptedData } */
        return TENON_ERR_KEY_ENCRYPTED;
    ENSURE(first.tag == DER_INTEGER, TENON_ERR_MALFORMED);
    if (second.tag == DER_SEQUENCE)
        return parse_pkcs8(&c, key);
    if (second.tag == DER_INTEGER)
        return parse_rsa_private(&c, key);
    if (second.tag == DER_OCTET_STRING)
        return parse_ec_private(&c, key, 0);
    return TENON_ERR_MALFORMED;
}

TENON_API int tenon_private_key_parse_der(tenon_private_key *key, const uint8_t *der, size_t len)
{
    ENSURE(key && der, TENON_ERR_INVALID_ARGUMENT);
    memset(key, 0, sizeof *key);
    int rc = x509_map_err(parse_private_der(key, der, len), TENON_ERR_KEY_MALFORMED);
    if (rc < 0)
        tenon_private_key_wipe(key);
    return rc;
}

static int label_is(const char *label, size_t n, const char *want)
{
    return n == strlen(want) && memcmp(label, want, n) == 0;
}

TENON_API int tenon_private_key_parse_pem(tenon_private_key *key, const char *pem, size_t len,
                                          uint8_t *scratch, size_t cap)
{
    ENSURE(key && pem && scratch, TENON_ERR_INVALID_ARGUMENT);
    size_t off = 0;
    int rc;
    for (;;) {
        const char *label;
        size_t ll, der_len;
        rc = tenon_pem_next(pem, len, &off, &label, &ll, scratch, cap, &der_len);
        if (rc < 0)
            break;
        if (label_is(label, ll, "ENCRYPTED PRIVATE KEY")) {
            rc = TENON_ERR_KEY_ENCRYPTED;
            break;
        }
        if (label_is(label, ll, "PRIVATE KEY") || label_is(label, ll, "RSA PRIVATE KEY") ||
            label_is(label, ll, "EC PRIVATE KEY")) {
            rc = tenon_private_key_parse_der(key, scratch, der_len);
            break;
        }
    }
    tenon_wipe(scratch, cap);
    return rc;
}

TENON_API int tenon_private_key_load_file(tenon_private_key *key, const char *path, uint8_t *buf,
                                          size_t cap)
{
    ENSURE(key && path && buf && cap >= 2, TENON_ERR_INVALID_ARGUMENT);
    size_t half = cap / 2, n;
    int rc = tenon_read_file(path, buf, half, &n);
    if (rc == 0) {
        /* DER starts with a SEQUENCE; anything else is taken as PEM text. */
        if (n > 0 && buf[0] == DER_SEQUENCE)
            rc = tenon_private_key_parse_der(key, buf, n);
        else
            rc = tenon_private_key_parse_pem(key, (const char *)buf, n, buf + half, cap - half);
    }
    tenon_wipe(buf, cap);
    return rc;
}

TENON_API void tenon_private_key_wipe(tenon_private_key *key)
{
    if (key)
        tenon_wipe(key, sizeof *key);
}

TENON_API int tenon_private_key_matches(const tenon_private_key *key, const tenon_public_key *pub)
{
    ENSURE(key && pub, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(key->type == pub->type, TENON_ERR_KEY_MISMATCH);
    if (key->type == TENON_KEY_RSA) {
        const tenon_rsa_public_key *a = &key->u.rsa.pub, *b = &pub->u.rsa;
        ENSURE(a->n_len == b->n_len && a->e_len == b->e_len, TENON_ERR_KEY_MISMATCH);
        ENSURE(memcmp(a->n, b->n, a->n_len) == 0 && memcmp(a->e, b->e, a->e_len) == 0,
               TENON_ERR_KEY_MISMATCH);
        return 0;
    }
    if (key->type == TENON_KEY_EC) {
        const tenon_ec_public_key *a = &key->u.ec.pub, *b = &pub->u.ec;
        ENSURE(a->curve == b->curve && a->point_len == b->point_len, TENON_ERR_KEY_MISMATCH);
        ENSURE(memcmp(a->point, b->point, a->point_len) == 0, TENON_ERR_KEY_MISMATCH);
        return 0;
    }
    if (key->type == TENON_KEY_ED25519) {
        ENSURE(memcmp(key->u.ed25519.pub.bytes, pub->u.ed25519.bytes, TENON_ED25519_PUBLIC_LEN) ==
                   0,
               TENON_ERR_KEY_MISMATCH);
        return 0;
    }
    return TENON_ERR_KEY_MISMATCH;
}
