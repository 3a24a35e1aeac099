/*
 * X.509 v3 certificate parsing (RFC 5280 §4). One function per ASN.1 structure; the parser
 * records what the certificate says and decides nothing: policy is in verify.c.
 */
#include <stdio.h>

#include "x509_internal.h"

/* Extensions per certificate; real ones carry about ten. */
#define MAX_EXTENSIONS 64

/* AlgorithmIdentifier for a hash, with NULL or absent parameters (RFC 4055 §2.1). */
static int parse_hash_alg(der_cursor *c, tenon_x509_hash *h)
{
    der_cursor a;
    der_tlv oid;
    GUARD(der_enter(c, DER_SEQUENCE, &a));
    GUARD(der_read_oid(&a, &oid));
    if (!der_at_end(&a))
        GUARD(der_read_null(&a));
    GUARD(der_finish(&a));
    if (OID_IS(&oid, OID_SHA1))
        *h = TENON_X509_HASH_SHA1;
    else if (OID_IS(&oid, OID_SHA256))
        *h = TENON_X509_HASH_SHA256;
    else if (OID_IS(&oid, OID_SHA384))
        *h = TENON_X509_HASH_SHA384;
    else if (OID_IS(&oid, OID_SHA512))
        *h = TENON_X509_HASH_SHA512;
    else
        *h = TENON_X509_HASH_UNKNOWN;
    return 0;
}

/* RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] HashAlgorithm DEFAULT sha1,
 *   maskGenAlgorithm [1] MaskGenAlgorithm DEFAULT mgf1SHA1, saltLength [2] INTEGER DEFAULT 20,
 *   trailerField [3] TrailerField DEFAULT trailerFieldBC }  (RFC 4055 §3.1) */
static int parse_pss_params(der_cursor *c, tenon_x509_cert *cert)
{
    der_cursor p, f;
    int has;
    cert->pss_hash = TENON_X509_HASH_SHA1;
    cert->pss_mgf1_hash = TENON_X509_HASH_SHA1;
    cert->pss_salt_len = 20;
    GUARD(der_enter(c, DER_SEQUENCE, &p));
    GUARD(der_enter_optional(&p, DER_CTX_CONS(0), &f, &has));
    if (has) {
        GUARD(parse_hash_alg(&f, &cert->pss_hash));
        GUARD(der_finish(&f));
    }
    GUARD(der_enter_optional(&p, DER_CTX_CONS(1), &f, &has));
    if (has) {
        der_cursor mgf;
        der_tlv oid;
        GUARD(der_enter(&f, DER_SEQUENCE, &mgf));
        GUARD(der_read_oid(&mgf, &oid));
        if (OID_IS(&oid, OID_MGF1))
            GUARD(parse_hash_alg(&mgf, &cert->pss_mgf1_hash));
        else
            cert->pss_mgf1_hash = TENON_X509_HASH_UNKNOWN;
        if (!der_at_end(&mgf) && !OID_IS(&oid, OID_MGF1)) {
            der_tlv skip;
            GUARD(der_read_tlv(&mgf, &skip));
        }
        GUARD(der_finish(&mgf));
        GUARD(der_finish(&f));
    }
    GUARD(der_enter_optional(&p, DER_CTX_CONS(2), &f, &has));
    if (has) {
        uint32_t salt;
        GUARD(der_read_small_uint(&f, 1024, &salt));
        GUARD(der_finish(&f));
        cert->pss_salt_len = salt;
    }
    GUARD(der_enter_optional(&p, DER_CTX_CONS(3), &f, &has));
    if (has) {
        uint32_t trailer;
        GUARD(der_read_small_uint(&f, 1, &trailer)); /* trailerFieldBC(1) only */
        ENSURE(trailer == 1, TENON_ERR_MALFORMED);
        GUARD(der_finish(&f));
    }
    return der_finish(&p);
}

/* The signature AlgorithmIdentifier (RFC 5280 §4.1.1.2, RFC 4055, RFC 5758, RFC 8410). */
static int parse_sig_alg(der_cursor *c, tenon_x509_cert *cert)
{
    der_cursor a;
    der_tlv oid;
    GUARD(der_enter(c, DER_SEQUENCE, &a));
    GUARD(der_read_oid(&a, &oid));
    static const struct {
        const char *oid;
        size_t len;
        tenon_x509_sig_alg alg;
        int null_params; /* 1: NULL (or absent), 0: absent */
    } algs[] = {
        {OID_SHA1_RSA, sizeof OID_SHA1_RSA - 1, TENON_X509_SIG_RSA_PKCS1_SHA1, 1},
        {OID_SHA256_RSA, sizeof OID_SHA256_RSA - 1, TENON_X509_SIG_RSA_PKCS1_SHA256, 1},
        {OID_SHA384_RSA, sizeof OID_SHA384_RSA - 1, TENON_X509_SIG_RSA_PKCS1_SHA384, 1},
        {OID_SHA512_RSA, sizeof OID_SHA512_RSA - 1, TENON_X509_SIG_RSA_PKCS1_SHA512, 1},
        {OID_ECDSA_SHA1, sizeof OID_ECDSA_SHA1 - 1, TENON_X509_SIG_ECDSA_SHA1, 0},
        {OID_ECDSA_SHA256, sizeof OID_ECDSA_SHA256 - 1, TENON_X509_SIG_ECDSA_SHA256, 0},
        {OID_ECDSA_SHA384, sizeof OID_ECDSA_SHA384 - 1, TENON_X509_SIG_ECDSA_SHA384, 0},
        {OID_ECDSA_SHA512, sizeof OID_ECDSA_SHA512 - 1, TENON_X509_SIG_ECDSA_SHA512, 0},
        {OID_ED25519, sizeof OID_ED25519 - 1, TENON_X509_SIG_ED25519, 0},
    };
    cert->sig_alg = TENON_X509_SIG_UNKNOWN;
    for (size_t i = 0; i < ARRAY_LEN(algs); i++) {
        if (der_oid_eq(&oid, (const uint8_t *)algs[i].oid, algs[i].len)) {
            cert->sig_alg = algs[i].alg;
            /* RFC 4055 §5: the PKCS #1 v1.5 OIDs take NULL parameters; RFC 5758 §3.2 and
             * RFC 8410 §3: ECDSA and Ed25519 take none. */
            if (algs[i].null_params && !der_at_end(&a))
                GUARD(der_read_null(&a));
            return der_finish(&a);
        }
    }
    if (OID_IS(&oid, OID_RSASSA_PSS)) {
        cert->sig_alg = TENON_X509_SIG_RSA_PSS;
        GUARD(parse_pss_params(&a, cert));
        return der_finish(&a);
    }
    if (!der_at_end(&a)) {
        der_tlv params;
        GUARD(der_read_tlv(&a, &params));
    }
    return der_finish(&a);
}

/* Name ::= SEQUENCE OF RelativeDistinguishedName; RDN ::= SET SIZE (1..MAX) OF
 * AttributeTypeAndValue; AttributeTypeAndValue ::= SEQUENCE { type OID, value ANY }
 * (RFC 5280 §4.1.2.4). The structure is checked; the bytes are kept whole for comparison. */
static int parse_name(der_cursor *c, tenon_bytes *out)
{
    der_cursor name, rdn, atv;
    der_tlv t;
    size_t start = c->pos;
    GUARD(der_enter(c, DER_SEQUENCE, &name));
    while (!der_at_end(&name)) {
        GUARD(der_enter(&name, DER_SET, &rdn));
        ENSURE(!der_at_end(&rdn), TENON_ERR_MALFORMED);
        while (!der_at_end(&rdn)) {
            GUARD(der_enter(&rdn, DER_SEQUENCE, &atv));
            GUARD(der_read_oid(&atv, &t));
            GUARD(der_read_tlv(&atv, &t));
            GUARD(der_finish(&atv));
        }
    }
    out->ptr = c->p + start;
    out->len = c->pos - start;
    return 0;
}

static int parse_general_name(der_cursor *c, int in_subtree, size_t *dns, size_t *ip, int *other)
{
    der_tlv t;
    GUARD(der_read_tlv(c, &t));
    /* GeneralName (RFC 5280 §4.2.1.6): context-specific tags 0..8; directoryName [4] is
     * explicit (constructed), otherName [0], x400Address [3] and ediPartyName [5] are
     * constructed, the others primitive. */
    ENSURE((t.tag & 0xc0) == DER_CONTEXT, TENON_ERR_MALFORMED);
    unsigned n = t.tag & 0x1f;
    ENSURE(n <= 8, TENON_ERR_MALFORMED);
    int cons = (t.tag & DER_CONSTRUCTED) != 0;
    int want_cons = n == 0 || n == 3 || n == 4 || n == 5;
    ENSURE(cons == want_cons, TENON_ERR_MALFORMED);
    if (cons) {
        der_cursor sub;
        GUARD(der_sub(c, &t, &sub));
        GUARD(der_validate(sub.p, sub.len));
    }
    if (n == TENON_GN_DNS) {
        for (size_t i = 0; i < t.len; i++)
            ENSURE(t.val[i] >= 0x20 && t.val[i] < 0x7f, TENON_ERR_MALFORMED); /* IA5String */
        (*dns)++;
    } else if (n == TENON_GN_IP) {
        /* §4.2.1.6: 4 or 16 octets; §4.2.1.10: in name constraints, address and mask. */
        if (in_subtree)
            ENSURE(t.len == 8 || t.len == 32, TENON_ERR_MALFORMED);
        else
            ENSURE(t.len == 4 || t.len == 16, TENON_ERR_MALFORMED);
        (*ip)++;
    } else {
        *other = 1;
    }
    return 0;
}

/* GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName */
static int parse_general_names(der_cursor *c, tenon_x509_cert *cert)
{
    der_cursor s;
    int other = 0;
    GUARD(der_enter(c, DER_SEQUENCE, &s));
    ENSURE(!der_at_end(&s), TENON_ERR_MALFORMED);
    cert->san.ptr = s.p;
    cert->san.len = s.len;
    while (!der_at_end(&s))
        GUARD(parse_general_name(&s, 0, &cert->san_dns_count, &cert->san_ip_count, &other));
    return 0;
}

/* GeneralSubtrees ::= SEQUENCE SIZE (1..MAX) OF GeneralSubtree; GeneralSubtree ::= SEQUENCE {
 *   base GeneralName, minimum [0] BaseDistance DEFAULT 0, maximum [1] BaseDistance OPTIONAL }
 * (RFC 5280 §4.2.1.10: minimum MUST be zero and maximum MUST be absent). */
static int parse_subtrees(der_cursor *s, tenon_bytes *out, int *other)
{
    ENSURE(!der_at_end(s), TENON_ERR_MALFORMED);
    out->ptr = s->p;
    out->len = s->len;
    size_t dns = 0, ip = 0;
    while (!der_at_end(s)) {
        der_cursor st;
        GUARD(der_enter(s, DER_SEQUENCE, &st));
        GUARD(parse_general_name(&st, 1, &dns, &ip, other));
        GUARD(der_finish(&st));
    }
    return 0;
}

static int parse_name_constraints(der_cursor *c, tenon_x509_cert *cert)
{
    der_cursor s, sub;
    int has;
    GUARD(der_enter(c, DER_SEQUENCE, &s));
    GUARD(der_enter_optional(&s, DER_CTX_CONS(0), &sub, &has));
    if (has)
        GUARD(parse_subtrees(&sub, &cert->nc_permitted, &cert->nc_other_forms));
    GUARD(der_enter_optional(&s, DER_CTX_CONS(1), &sub, &has));
    if (has)
        GUARD(parse_subtrees(&sub, &cert->nc_excluded, &cert->nc_other_forms));
    /* §4.2.1.10: an empty NameConstraints is not allowed. */
    ENSURE(cert->nc_permitted.len || cert->nc_excluded.len, TENON_ERR_MALFORMED);
    return der_finish(&s);
}

/* BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE,
 *                                 pathLenConstraint INTEGER (0..MAX) OPTIONAL } (§4.2.1.9) */
static int parse_basic_constraints(der_cursor *c, tenon_x509_cert *cert)
{
    der_cursor s;
    GUARD(der_enter(c, DER_SEQUENCE, &s));
    if (der_peek(&s) == DER_BOOLEAN)
        GUARD(der_read_bool(&s, &cert->is_ca));
    if (der_peek(&s) == DER_INTEGER) {
        uint32_t pl;
        GUARD(der_read_small_uint(&s, 0x7fffffff, &pl));
        cert->path_len = (int)pl;
    }
    return der_finish(&s);
}

/* KeyUsage ::= BIT STRING (§4.2.1.3); bit 0 is the first (most significant) bit. */
static int parse_key_usage(der_cursor *c, tenon_x509_cert *cert)
{
    const uint8_t *bits;
    size_t n;
    unsigned unused;
    GUARD(der_read_bit_string(c, &bits, &n, &unused));
    ENSURE(n >= 1, TENON_ERR_MALFORMED);
    for (unsigned i = 0; i < 9 && i / 8 < n; i++)
        if (bits[i / 8] & (0x80u >> (i % 8)))
            cert->key_usage |= 1u << i;
    return 0;
}

/* ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId (§4.2.1.12) */
static int parse_ext_key_usage(der_cursor *c, tenon_x509_cert *cert)
{
    der_cursor s;
    GUARD(der_enter(c, DER_SEQUENCE, &s));
    ENSURE(!der_at_end(&s), TENON_ERR_MALFORMED);
    while (!der_at_end(&s)) {
        der_tlv oid;
        GUARD(der_read_oid(&s, &oid));
        if (OID_IS(&oid, OID_KP_SERVER_AUTH))
            cert->ext_key_usage |= TENON_EKU_SERVER_AUTH;
        else if (OID_IS(&oid, OID_KP_CLIENT_AUTH))
            cert->ext_key_usage |= TENON_EKU_CLIENT_AUTH;
        else if (OID_IS(&oid, OID_ANY_EKU))
            cert->ext_key_usage |= TENON_EKU_ANY;
        else
            cert->ext_key_usage |= TENON_EKU_OTHER;
    }
    return 0;
}

/* AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] KeyIdentifier OPTIONAL,
 *   authorityCertIssuer [1] GeneralNames OPTIONAL,
 *   authorityCertSerialNumber [2] CertificateSerialNumber OPTIONAL }  (§4.2.1.1) */
static int parse_aki(der_cursor *c, tenon_x509_cert *cert)
{
    der_cursor s;
    der_tlv t;
    GUARD(der_enter(c, DER_SEQUENCE, &s));
    if (der_peek(&s) == DER_CTX(0)) {
        GUARD(der_read_tlv(&s, &t));
        cert->authority_key_id.ptr = t.val;
        cert->authority_key_id.len = t.len;
    }
    if (der_peek(&s) == DER_CTX_CONS(1)) {
        der_cursor gn;
        GUARD(der_enter(&s, DER_CTX_CONS(1), &gn));
        GUARD(der_validate(gn.p, gn.len));
    }
    if (der_peek(&s) == DER_CTX(2))
        GUARD(der_read_tlv(&s, &t));
    return der_finish(&s);
}

/* Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
 * (§4.2). The extnValue is parsed as a sub-cursor that must be consumed exactly. */
static int parse_extension(der_cursor *c, tenon_x509_cert *cert, der_tlv *oid)
{
    der_cursor e, v;
    der_tlv val;
    int critical = 0;
    GUARD(der_enter(c, DER_SEQUENCE, &e));
    GUARD(der_read_oid(&e, oid));
    if (der_peek(&e) == DER_BOOLEAN)
        GUARD(der_read_bool(&e, &critical));
    GUARD(der_read_octet_string(&e, &val));
    GUARD(der_finish(&e));
    der_init(&v, val.val, val.len);
    v.depth = e.depth;

    static const struct {
        const char *oid;
        size_t len;
        uint32_t flag;
    } known[] = {
        {OID_CE_BASIC_CONSTRAINTS, 3, TENON_X509_EXT_BASIC_CONSTRAINTS},
        {OID_CE_KEY_USAGE, 3, TENON_X509_EXT_KEY_USAGE},
        {OID_CE_EKU, 3, TENON_X509_EXT_EXT_KEY_USAGE},
        {OID_CE_SAN, 3, TENON_X509_EXT_SUBJECT_ALT_NAME},
        {OID_CE_SKI, 3, TENON_X509_EXT_SUBJECT_KEY_ID},
        {OID_CE_AKI, 3, TENON_X509_EXT_AUTHORITY_KEY_ID},
        {OID_CE_NAME_CONSTRAINTS, 3, TENON_X509_EXT_NAME_CONSTRAINTS},
    };
    uint32_t flag = 0;
    for (size_t i = 0; i < ARRAY_LEN(known); i++)
        if (der_oid_eq(oid, (const uint8_t *)known[i].oid, known[i].len))
            flag = known[i].flag;
    cert->ext_present |= flag;
    switch (flag) {
    case TENON_X509_EXT_BASIC_CONSTRAINTS:
        GUARD(parse_basic_constraints(&v, cert));
        break;
    case TENON_X509_EXT_KEY_USAGE:
        GUARD(parse_key_usage(&v, cert));
        break;
    case TENON_X509_EXT_EXT_KEY_USAGE:
        GUARD(parse_ext_key_usage(&v, cert));
        break;
    case TENON_X509_EXT_SUBJECT_ALT_NAME:
        GUARD(parse_general_names(&v, cert));
        break;
    case TENON_X509_EXT_SUBJECT_KEY_ID: {
        der_tlv ski;
        GUARD(der_read_octet_string(&v, &ski));
        cert->subject_key_id.ptr = ski.val;
        cert->subject_key_id.len = ski.len;
        break;
    }
    case TENON_X509_EXT_AUTHORITY_KEY_ID:
        GUARD(parse_aki(&v, cert));
        break;
    case TENON_X509_EXT_NAME_CONSTRAINTS:
        GUARD(parse_name_constraints(&v, cert));
        break;
    default:
        /* certificatePolicies is understood in the sense browsers give it: no policy is
         * required, so its content never changes the decision (RFC 5280 §6.1 with an
         * initial-policy-set of anyPolicy and no explicit policy required). Anything else
         * that is critical makes the certificate unusable (§4.2). */
        if (critical && !OID_IS(oid, OID_CE_CERT_POLICIES))
            cert->unknown_critical = 1;
        return 0;
    }
    return der_finish(&v);
}

/* Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension; each extnID at most once (§4.2). */
static int parse_extensions(der_cursor *c, tenon_x509_cert *cert)
{
    der_cursor s;
    der_tlv seen[MAX_EXTENSIONS];
    size_t n = 0;
    GUARD(der_enter(c, DER_SEQUENCE, &s));
    ENSURE(!der_at_end(&s), TENON_ERR_MALFORMED);
    while (!der_at_end(&s)) {
        ENSURE(n < MAX_EXTENSIONS, TENON_ERR_MALFORMED);
        GUARD(parse_extension(&s, cert, &seen[n]));
        for (size_t i = 0; i < n; i++)
            ENSURE(!der_oid_eq(&seen[i], seen[n].val, seen[n].len), TENON_ERR_MALFORMED);
        n++;
    }
    return 0;
}

static int parse_tbs(der_cursor *c, tenon_x509_cert *cert, der_tlv *tbs_sig)
{
    der_cursor tbs, f, validity;
    der_tlv t;
    int has;
    size_t start = c->pos;
    /* TBSCertificate (RFC 5280 §4.1). */
    GUARD(der_enter(c, DER_SEQUENCE, &tbs));
    cert->tbs.ptr = c->p + start;
    cert->tbs.len = c->pos - start;

    /* version [0] EXPLICIT Version DEFAULT v1: DER omits a default value (X.690 §11.5). */
    cert->version = 1;
    GUARD(der_enter_optional(&tbs, DER_CTX_CONS(0), &f, &has));
    if (has) {
        uint32_t v;
        GUARD(der_read_small_uint(&f, 2, &v));
        GUARD(der_finish(&f));
        ENSURE(v != 0, TENON_ERR_MALFORMED);
        cert->version = (int)v + 1;
    }
    /* serialNumber: §4.1.2.2 allows up to 20 octets; a sign octet may come on top. */
    GUARD(der_read_integer(&tbs, &t));
    ENSURE(t.len <= 21, TENON_ERR_MALFORMED);
    cert->serial.ptr = t.val;
    cert->serial.len = t.len;
    /* signature: must equal signatureAlgorithm (§4.1.2.3), compared by the caller. */
    size_t sig_start = tbs.pos;
    GUARD(parse_sig_alg(&tbs, cert));
    tbs_sig->raw = tbs.p + sig_start;
    tbs_sig->raw_len = tbs.pos - sig_start;
    GUARD(parse_name(&tbs, &cert->issuer));
    /* Validity ::= SEQUENCE { notBefore Time, notAfter Time } (§4.1.2.5) */
    GUARD(der_enter(&tbs, DER_SEQUENCE, &validity));
    GUARD(der_read_time(&validity, &cert->not_before));
    GUARD(der_read_time(&validity, &cert->not_after));
    GUARD(der_finish(&validity));
    GUARD(parse_name(&tbs, &cert->subject));

    size_t spki_start = tbs.pos;
    x509_spki spki;
    GUARD(x509_parse_spki(&tbs, &spki));
    cert->spki.ptr = tbs.p + spki_start;
    cert->spki.len = tbs.pos - spki_start;
    cert->key_alg = spki.alg;
    cert->rsa_n = spki.n;
    cert->rsa_e = spki.e;
    cert->ec_point = spki.point;

    /* issuerUniqueID [1], subjectUniqueID [2]: v2 and v3 only (§4.1.2.8). */
    if (der_peek(&tbs) == DER_CTX(1) || der_peek(&tbs) == DER_CTX_CONS(1)) {
        ENSURE(cert->version >= 2, TENON_ERR_MALFORMED);
        GUARD(der_read_tlv(&tbs, &t));
    }
    if (der_peek(&tbs) == DER_CTX(2) || der_peek(&tbs) == DER_CTX_CONS(2)) {
        ENSURE(cert->version >= 2, TENON_ERR_MALFORMED);
        GUARD(der_read_tlv(&tbs, &t));
    }
    /* extensions [3] EXPLICIT Extensions: v3 only (§4.1.2.9). */
    GUARD(der_enter_optional(&tbs, DER_CTX_CONS(3), &f, &has));
    if (has) {
        ENSURE(cert->version == 3, TENON_ERR_MALFORMED);
        GUARD(parse_extensions(&f, cert));
        GUARD(der_finish(&f));
    }
    return der_finish(&tbs);
}

static int parse_certificate(der_cursor *c, tenon_x509_cert *cert)
{
    der_cursor s;
    der_tlv tbs_sig;
    size_t start = c->pos;
    memset(cert, 0, sizeof *cert);
    cert->path_len = -1;
    /* Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue } */
    GUARD(der_enter(c, DER_SEQUENCE, &s));
    cert->der.ptr = c->p + start;
    cert->der.len = c->pos - start;
    GUARD(parse_tbs(&s, cert, &tbs_sig));
    size_t alg_start = s.pos;
    tenon_x509_sig_alg tbs_alg = cert->sig_alg;
    GUARD(parse_sig_alg(&s, cert));
    /* §4.1.1.2: signatureAlgorithm MUST be the same as the TBS signature field. */
    ENSURE(s.pos - alg_start == tbs_sig.raw_len &&
               memcmp(s.p + alg_start, tbs_sig.raw, tbs_sig.raw_len) == 0 &&
               tbs_alg == cert->sig_alg,
           TENON_ERR_MALFORMED);
    unsigned unused;
    GUARD(der_read_bit_string(&s, &cert->signature.ptr, &cert->signature.len, &unused));
    ENSURE(unused == 0, TENON_ERR_MALFORMED);
    return der_finish(&s);
}

TENON_API int tenon_x509_parse_next(tenon_x509_cert *cert, const uint8_t *der, size_t len,
                                    size_t *offset)
{
    ENSURE(cert && der && offset && *offset <= len, TENON_ERR_INVALID_ARGUMENT);
    der_cursor c;
    der_init(&c, der, len);
    c.pos = *offset;
    int rc = parse_certificate(&c, cert);
    if (rc < 0) {
        memset(cert, 0, sizeof *cert);
        return x509_map_err(rc, TENON_ERR_CERT_MALFORMED);
    }
    *offset = c.pos;
    return 0;
}

TENON_API int tenon_x509_parse(tenon_x509_cert *cert, const uint8_t *der, size_t len)
{
    size_t off = 0;
    GUARD(tenon_x509_parse_next(cert, der, len, &off));
    if (off != len) {
        memset(cert, 0, sizeof *cert);
        return TENON_ERR_CERT_MALFORMED;
    }
    return 0;
}

TENON_API int tenon_x509_general_name_next(tenon_bytes list, int subtrees, size_t *offset, int *tag,
                                           tenon_bytes *value)
{
    ENSURE(offset && tag && value, TENON_ERR_INVALID_ARGUMENT);
    der_cursor c;
    der_tlv t;
    der_init(&c, list.ptr, list.len);
    ENSURE(*offset <= c.len, TENON_ERR_INVALID_ARGUMENT);
    c.pos = *offset;
    if (der_at_end(&c))
        return 1;
    int rc;
    if (subtrees) {
        der_cursor st;
        rc = der_enter(&c, DER_SEQUENCE, &st);
        if (rc == 0)
            rc = der_read_tlv(&st, &t);
    } else {
        rc = der_read_tlv(&c, &t);
    }
    ENSURE(rc == 0 && (t.tag & 0xc0) == DER_CONTEXT, TENON_ERR_CERT_MALFORMED);
    *tag = t.tag & 0x1f;
    value->ptr = t.val;
    value->len = t.len;
    *offset = c.pos;
    return 0;
}

/* ---- one-line Name rendering ---- */

typedef struct out_buf {
    char *p;
    size_t cap, len;
    int truncated;
} out_buf;

static void put_char(out_buf *o, char ch)
{
    if (o->len + 1 < o->cap)
        o->p[o->len++] = ch;
    else
        o->truncated = 1;
}

static void put_str(out_buf *o, const char *s)
{
    while (*s)
        put_char(o, *s++);
}

static void attr_name(out_buf *o, const der_tlv *oid)
{
    static const struct {
        const char *oid;
        const char *name;
    } names[] = {
        {"\x55\x04\x03", "CN"},           {"\x55\x04\x06", "C"}, {"\x55\x04\x07", "L"},
        {"\x55\x04\x08", "ST"},           {"\x55\x04\x0a", "O"}, {"\x55\x04\x0b", "OU"},
        {"\x55\x04\x05", "serialNumber"},
    };
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        if (der_oid_eq(oid, (const uint8_t *)names[i].oid, 3)) {
            put_str(o, names[i].name);
            return;
        }
    if (OID_IS(oid, "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x01")) {
        put_str(o, "emailAddress");
        return;
    }
    if (OID_IS(oid, "\x09\x92\x26\x89\x93\xf2\x2c\x64\x01\x19")) {
        put_str(o, "DC");
        return;
    }
    /* Dotted decimal (X.690 §8.19.4: the first octet group holds 40 * X + Y). */
    uint64_t v = 0;
    int first = 1;
    char num[24];
    for (size_t i = 0; i < oid->len; i++) {
        v = (v << 7) | (oid->val[i] & 0x7f);
        if (oid->val[i] & 0x80)
            continue;
        if (first) {
            uint64_t x = v < 80 ? v / 40 : 2;
            snprintf(num, sizeof num, "%llu.%llu", (unsigned long long)x,
                     (unsigned long long)(v - 40 * x));
            first = 0;
        } else {
            snprintf(num, sizeof num, ".%llu", (unsigned long long)v);
        }
        put_str(o, num);
        v = 0;
    }
}

static void attr_value(out_buf *o, const der_tlv *t)
{
    static const char hex[] = "0123456789abcdef";
    /* BMPString is UCS-2: show its ASCII characters, escape the rest. */
    size_t step = t->tag == DER_BMP_STRING ? 2 : t->tag == DER_UNIVERSAL_STRING ? 4 : 1;
    for (size_t i = 0; i + step <= t->len; i += step) {
        uint32_t ch = 0;
        for (size_t k = 0; k < step; k++)
            ch = (ch << 8) | t->val[i + k];
        int utf8 = t->tag == DER_UTF8_STRING && ch >= 0x80;
        if ((ch >= 0x20 && ch < 0x7f && ch != '\\') || utf8) {
            put_char(o, (char)ch);
        } else {
            put_str(o, "\\x");
            put_char(o, hex[(ch >> 4) & 15]);
            put_char(o, hex[ch & 15]);
        }
    }
}

TENON_API size_t tenon_x509_name_string(tenon_bytes name, char *out, size_t cap)
{
    if (!out || cap == 0)
        return 0;
    out_buf o = {out, cap, 0, 0};
    der_cursor c, n, rdn, atv;
    der_init(&c, name.ptr, name.len);
    int first = 1;
    if (der_enter(&c, DER_SEQUENCE, &n) == 0) {
        while (!der_at_end(&n) && der_enter(&n, DER_SET, &rdn) == 0) {
            while (!der_at_end(&rdn) && der_enter(&rdn, DER_SEQUENCE, &atv) == 0) {
                der_tlv oid, val;
                if (der_read_oid(&atv, &oid) < 0 || der_read_tlv(&atv, &val) < 0)
                    break;
                if (!first)
                    put_str(&o, ", ");
                first = 0;
                attr_name(&o, &oid);
                put_char(&o, '=');
                attr_value(&o, &val);
            }
        }
    }
    if (o.truncated && cap >= 4) {
        o.len = o.len > cap - 4 ? cap - 4 : o.len;
        memcpy(out + o.len, "...", 3);
        o.len += 3;
    }
    out[o.len] = 0;
    return o.len;
}

/* ---- signatures ---- */

static const tenon_hash_class *hash_class(tenon_x509_hash h)
{
    switch (h) {
    case TENON_X509_HASH_SHA256:
        return &tenon_sha256;
    case TENON_X509_HASH_SHA384:
        return &tenon_sha384;
    case TENON_X509_HASH_SHA512:
        return &tenon_sha512;
    default:
        return NULL; /* SHA-1 is not accepted for signatures on certificates */
    }
}

TENON_API int tenon_x509_public_key(const tenon_x509_cert *cert, tenon_public_key *key)
{
    ENSURE(cert && key, TENON_ERR_INVALID_ARGUMENT);
    x509_spki spki = {cert->key_alg, cert->rsa_n, cert->rsa_e, cert->ec_point};
    return x509_spki_load(&spki, key);
}

TENON_API int tenon_x509_key_usage_allows(const tenon_x509_cert *cert, uint32_t ku)
{
    /* §4.2.1.3: without the extension the key's uses are not restricted. */
    if (cert == NULL)
        return 0;
    if (!(cert->ext_present & TENON_X509_EXT_KEY_USAGE))
        return 1;
    return (cert->key_usage & ku) == ku;
}

TENON_API int tenon_x509_check_signature_key(const tenon_x509_cert *cert,
                                             const tenon_public_key *key)
{
    ENSURE(cert && key, TENON_ERR_INVALID_ARGUMENT);
    const tenon_hash_class *h = NULL, *mgf1 = NULL;
    tenon_key_type need = TENON_KEY_NONE;
    switch (cert->sig_alg) {
    case TENON_X509_SIG_RSA_PKCS1_SHA256:
        h = &tenon_sha256;
        need = TENON_KEY_RSA;
        break;
    case TENON_X509_SIG_RSA_PKCS1_SHA384:
        h = &tenon_sha384;
        need = TENON_KEY_RSA;
        break;
    case TENON_X509_SIG_RSA_PKCS1_SHA512:
        h = &tenon_sha512;
        need = TENON_KEY_RSA;
        break;
    case TENON_X509_SIG_RSA_PSS:
        h = hash_class(cert->pss_hash);
        mgf1 = hash_class(cert->pss_mgf1_hash);
        need = TENON_KEY_RSA;
        break;
    case TENON_X509_SIG_ECDSA_SHA256:
        h = &tenon_sha256;
        need = TENON_KEY_EC;
        break;
    case TENON_X509_SIG_ECDSA_SHA384:
        h = &tenon_sha384;
        need = TENON_KEY_EC;
        break;
    case TENON_X509_SIG_ECDSA_SHA512:
        h = &tenon_sha512;
        need = TENON_KEY_EC;
        break;
    case TENON_X509_SIG_ED25519:
        /* RFC 8410 §6: PureEdDSA over the whole TBSCertificate, the 64-byte signature in the
         * BIT STRING. */
        ENSURE(key->type == TENON_KEY_ED25519, TENON_ERR_CERT_UNSUPPORTED_ALG);
        return tenon_ed25519_verify(&key->u.ed25519, cert->tbs.ptr, cert->tbs.len,
                                    cert->signature.ptr, cert->signature.len) == 0
                   ? 0
                   : TENON_ERR_CERT_BAD_SIGNATURE;
    default:
        return TENON_ERR_CERT_UNSUPPORTED_ALG; /* SHA-1, unknown */
    }
    ENSURE(h && (cert->sig_alg != TENON_X509_SIG_RSA_PSS || mgf1), TENON_ERR_CERT_UNSUPPORTED_ALG);
    ENSURE(key->type == need, TENON_ERR_CERT_UNSUPPORTED_ALG);
    uint8_t digest[TENON_HASH_MAX_LEN];
    tenon_hash(h, cert->tbs.ptr, cert->tbs.len, digest);
    int rc;
    if (need == TENON_KEY_EC)
        rc = tenon_ecdsa_verify(&key->u.ec, digest, h->digest_len, TENON_ECDSA_DER,
                                cert->signature.ptr, cert->signature.len);
    else if (mgf1)
        rc =
            tenon_rsa_pss_verify_mgf1(&key->u.rsa, h, mgf1, digest, h->digest_len,
                                      cert->pss_salt_len, cert->signature.ptr, cert->signature.len);
    else
        rc = tenon_rsa_pkcs1_verify(&key->u.rsa, h, digest, h->digest_len, cert->signature.ptr,
                                    cert->signature.len);
    return rc == 0 ? 0 : TENON_ERR_CERT_BAD_SIGNATURE;
}

TENON_API int tenon_x509_check_signature(const tenon_x509_cert *cert, const tenon_x509_cert *issuer)
{
    ENSURE(cert && issuer, TENON_ERR_INVALID_ARGUMENT);
    tenon_public_key key;
    int rc = tenon_x509_public_key(issuer, &key);
    if (rc == TENON_ERR_KEY_SIZE || rc == TENON_ERR_BAD_PUBLIC_KEY)
        return TENON_ERR_CERT_UNSUPPORTED_ALG;
    GUARD(rc);
    return tenon_x509_check_signature_key(cert, &key);
}
