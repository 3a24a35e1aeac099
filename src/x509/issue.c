/*
 * Certificate issuance with ECDSA, Ed25519 or RSA (RFC 5280 §4.1 structures, RFC 5758 §3.2,
 * RFC 8410 §6 and RFC 4055 §5 signatures): enough
 * to make a CA and leaves for tests and local servers. The DER writer fills in each length when
 * its element is closed, so the certificate is written front to back into the caller's buffer.
 */
#include "x509_internal.h"

#define OID_AT_CN "\x55\x04\x03"
#define OID_AT_O "\x55\x04\x0a"

static void write_oid(der_writer *w, const char *oid, size_t len)
{
    derw_prim(w, DER_OID, oid, len);
}
#define WRITE_OID(w, oid) write_oid((w), (oid), sizeof(oid) - 1)

static void write_attr(der_writer *w, const char *oid, const char *value)
{
    derw_begin(w, DER_SET);
    derw_begin(w, DER_SEQUENCE);
    write_oid(w, oid, 3);
    derw_prim(w, DER_UTF8_STRING, value, strlen(value));
    derw_end(w);
    derw_end(w);
}

/* Name: O (if any), then CN, each in its own RDN. */
static void write_name(der_writer *w, const tenon_x509_issue_params *p)
{
    derw_begin(w, DER_SEQUENCE);
    if (p->subject_o)
        write_attr(w, OID_AT_O, p->subject_o);
    write_attr(w, OID_AT_CN, p->subject_cn);
    derw_end(w);
}

/* Extension ::= SEQUENCE { extnID, critical (only when TRUE: DER omits the default), extnValue } */
static void ext_begin(der_writer *w, const char *oid, int critical)
{
    derw_begin(w, DER_SEQUENCE);
    write_oid(w, oid, 3);
    if (critical)
        derw_bool(w, 1);
    derw_begin(w, DER_OCTET_STRING);
}

static void ext_end(der_writer *w)
{
    derw_end(w);
    derw_end(w);
}

/* KeyUsage as a DER named-bit list: trailing zero bits removed (X.690 §11.2.2). */
static void write_key_usage(der_writer *w, uint32_t ku)
{
    unsigned top = 0;
    for (unsigned i = 0; i < 9; i++)
        if (ku & (1u << i))
            top = i;
    size_t nbytes = top / 8 + 1;
    uint8_t b[3] = {(uint8_t)(8 * nbytes - (top + 1)), 0, 0};
    for (unsigned i = 0; i <= top; i++)
        if (ku & (1u << i))
            b[1 + i / 8] |= (uint8_t)(0x80u >> (i % 8));
    derw_prim(w, DER_BIT_STRING, b, 1 + nbytes);
}

static size_t count_names(const char *const *names)
{
    size_t n = 0;
    while (n < TENON_X509_ISSUE_MAX_NAMES && names[n])
        n++;
    return n;
}

static void write_extensions(der_writer *w, const tenon_x509_issue_params *p, const uint8_t ski[20],
                             tenon_bytes aki, const uint8_t ips[][16], const size_t *ip_lens,
                             size_t nip)
{
    derw_begin(w, DER_CTX_CONS(3));
    derw_begin(w, DER_SEQUENCE);
    /* basicConstraints, critical in CA certificates (RFC 5280 §4.2.1.9). */
    ext_begin(w, OID_CE_BASIC_CONSTRAINTS, p->is_ca);
    derw_begin(w, DER_SEQUENCE);
    if (p->is_ca) {
        derw_bool(w, 1);
        if (p->path_len >= 0)
            derw_small_uint(w, (uint32_t)p->path_len);
    }
    derw_end(w);
    ext_end(w);
    if (p->key_usage) {
        ext_begin(w, OID_CE_KEY_USAGE, 1); /* §4.2.1.3: SHOULD be critical */
        write_key_usage(w, p->key_usage);
        ext_end(w);
    }
    if (p->ext_key_usage & (TENON_EKU_SERVER_AUTH | TENON_EKU_CLIENT_AUTH)) {
        ext_begin(w, OID_CE_EKU, 0);
        derw_begin(w, DER_SEQUENCE);
        if (p->ext_key_usage & TENON_EKU_SERVER_AUTH)
            WRITE_OID(w, OID_KP_SERVER_AUTH);
        if (p->ext_key_usage & TENON_EKU_CLIENT_AUTH)
            WRITE_OID(w, OID_KP_CLIENT_AUTH);
        derw_end(w);
        ext_end(w);
    }
    size_t ndns = count_names(p->dns_names);
    if (ndns || nip) {
        ext_begin(w, OID_CE_SAN, 0);
        derw_begin(w, DER_SEQUENCE);
        for (size_t i = 0; i < ndns; i++)
            derw_prim(w, DER_CTX(TENON_GN_DNS), p->dns_names[i], strlen(p->dns_names[i]));
        for (size_t i = 0; i < nip; i++)
            derw_prim(w, DER_CTX(TENON_GN_IP), ips[i], ip_lens[i]);
        derw_end(w);
        ext_end(w);
    }
    ext_begin(w, OID_CE_SKI, 0);
    derw_prim(w, DER_OCTET_STRING, ski, 20);
    ext_end(w);
    if (aki.len) {
        ext_begin(w, OID_CE_AKI, 0);
        derw_begin(w, DER_SEQUENCE);
        derw_prim(w, DER_CTX(0), aki.ptr, aki.len);
        derw_end(w);
        ext_end(w);
    }
    derw_end(w);
    derw_end(w);
}

static void write_sig_alg(der_writer *w, const tenon_private_key *key)
{
    derw_begin(w, DER_SEQUENCE);
    if (key->type == TENON_KEY_RSA) {
        /* RFC 4055 §5: "When any of these four object identifiers appears within an
         * AlgorithmIdentifier, the parameters MUST be NULL." */
        WRITE_OID(w, OID_SHA256_RSA);
        derw_prim(w, DER_NULL, NULL, 0);
    } else if (key->type == TENON_KEY_ED25519)
        WRITE_OID(w, OID_ED25519); /* RFC 8410 §3: parameters absent */
    else if (key->u.ec.curve == TENON_EC_P384)
        WRITE_OID(w, OID_ECDSA_SHA384);
    else
        WRITE_OID(w, OID_ECDSA_SHA256);
    derw_end(w);
}

/* The subjectPublicKey bits of a key tenon issues for; an RSA key's are the DER
 * RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 §A.1.1),
 * written into buf. */
static tenon_bytes key_bits(const tenon_public_key *key, uint8_t *buf, size_t cap)
{
    if (key->type == TENON_KEY_RSA) {
        der_writer w;
        size_t len = 0;
        derw_init(&w, buf, cap);
        derw_begin(&w, DER_SEQUENCE);
        derw_uint(&w, key->u.rsa.n, key->u.rsa.n_len);
        derw_uint(&w, key->u.rsa.e, key->u.rsa.e_len);
        derw_end(&w);
        if (derw_finish(&w, &len) != TENON_OK)
            len = 0; /* cannot happen: cap is RSA_SPKI_BITS_MAX */
        return (tenon_bytes){buf, len};
    }
    if (key->type == TENON_KEY_ED25519)
        return (tenon_bytes){key->u.ed25519.bytes, TENON_ED25519_PUBLIC_LEN};
    return (tenon_bytes){key->u.ec.point, key->u.ec.point_len};
}

/* RSAPublicKey of the largest modulus: two INTEGER headers, a sign octet each, and 8 bytes of
 * exponent, inside a SEQUENCE. */
#define RSA_SPKI_BITS_MAX (TENON_RSA_MAX_LEN + 32)

static int key_ok(tenon_key_type type, tenon_ec_curve curve)
{
    return type == TENON_KEY_ED25519 || type == TENON_KEY_RSA ||
           (type == TENON_KEY_EC && (curve == TENON_EC_P256 || curve == TENON_EC_P384));
}

/* The signature of the TBSCertificate: ECDSA over its hash (SHA-384 for P-384 keys), or
 * Ed25519 over the TBSCertificate itself (RFC 8410 §6). */
static int sign_tbs(const tenon_private_key *key, const uint8_t *tbs, size_t len, uint8_t *sig,
                    size_t cap, size_t *sig_len)
{
    if (key->type == TENON_KEY_RSA) {
        /* sha256WithRSAEncryption: RSASSA-PKCS1-v1_5 with SHA-256 (RFC 4055 §5) */
        uint8_t digest[TENON_SHA256_LEN];
        tenon_hash(&tenon_sha256, tbs, len, digest);
        return tenon_rsa_pkcs1_sign(&key->u.rsa, &tenon_sha256, digest, sizeof digest, sig, cap,
                                    sig_len);
    }
    if (key->type == TENON_KEY_ED25519) {
        ENSURE(cap >= TENON_ED25519_SIG_LEN, TENON_ERR_BUFFER_TOO_SMALL);
        *sig_len = TENON_ED25519_SIG_LEN;
        return tenon_ed25519_sign(&key->u.ed25519, tbs, len, sig);
    }
    const tenon_hash_class *hc = key->u.ec.curve == TENON_EC_P384 ? &tenon_sha384 : &tenon_sha256;
    uint8_t digest[TENON_HASH_MAX_LEN];
    tenon_hash(hc, tbs, len, digest);
    return tenon_ecdsa_sign(&key->u.ec, hc, digest, hc->digest_len, TENON_ECDSA_DER, 1, sig, cap,
                            sig_len);
}

TENON_API int tenon_x509_issue_key(const tenon_x509_issue_params *p,
                                   const tenon_public_key *subject_key,
                                   const tenon_x509_cert *issuer,
                                   const tenon_private_key *issuer_key, uint8_t *out, size_t cap,
                                   size_t *out_len)
{
    ENSURE(p && p->subject_cn && subject_key && issuer_key && out && out_len,
           TENON_ERR_INVALID_ARGUMENT);
    ENSURE(p->not_before <= p->not_after, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(key_ok(subject_key->type, subject_key->u.ec.curve) &&
               key_ok(issuer_key->type, issuer_key->u.ec.curve),
           TENON_ERR_INVALID_ARGUMENT);
    if (issuer) {
        /* The issuing key must be the one the issuer certificate certifies. */
        tenon_public_key ik;
        GUARD(tenon_x509_public_key(issuer, &ik));
        GUARD(tenon_private_key_matches(issuer_key, &ik));
    } else {
        GUARD(tenon_private_key_matches(issuer_key, subject_key));
    }
    uint8_t ips[TENON_X509_ISSUE_MAX_NAMES][16];
    size_t ip_lens[TENON_X509_ISSUE_MAX_NAMES];
    size_t nip = count_names(p->ip_addrs);
    for (size_t i = 0; i < nip; i++) {
        ip_lens[i] = tenon_ip_parse(p->ip_addrs[i], ips[i]);
        ENSURE(ip_lens[i], TENON_ERR_INVALID_ARGUMENT);
    }

    /* RFC 7093 §2 method 1: the leftmost 160 bits of SHA-256 of the subjectPublicKey. */
    uint8_t rsa_bits[RSA_SPKI_BITS_MAX];
    tenon_bytes bits = key_bits(subject_key, rsa_bits, sizeof rsa_bits);
    ENSURE(bits.len > 0, TENON_ERR_INTERNAL);
    uint8_t h[TENON_SHA256_LEN], ski[20];
    tenon_hash(&tenon_sha256, bits.ptr, bits.len, h);
    memcpy(ski, h, 20);
    tenon_bytes aki = {ski, 20};
    if (issuer)
        aki = issuer->subject_key_id;

    /* §4.1.2.2: a positive serial of at most 20 octets, here 16 random ones (the top bit
     * cleared so no sign octet is needed, the next one set so none is dropped). */
    uint8_t serial[16];
    GUARD(tenon_random(serial, sizeof serial));
    serial[0] = (uint8_t)((serial[0] & 0x7f) | 0x40);

    der_writer w;
    derw_init(&w, out, cap);
    derw_begin(&w, DER_SEQUENCE);
    size_t tbs_start = w.pos;
    derw_begin(&w, DER_SEQUENCE);
    derw_begin(&w, DER_CTX_CONS(0));
    derw_small_uint(&w, 2); /* v3 */
    derw_end(&w);
    derw_uint(&w, serial, sizeof serial);
    write_sig_alg(&w, issuer_key);
    if (issuer)
        derw_raw(&w, issuer->subject.ptr, issuer->subject.len);
    else
        write_name(&w, p);
    derw_begin(&w, DER_SEQUENCE);
    derw_time(&w, p->not_before);
    derw_time(&w, p->not_after);
    derw_end(&w);
    write_name(&w, p);
    derw_begin(&w, DER_SEQUENCE); /* SubjectPublicKeyInfo (RFC 5480 §2, RFC 8410 §4) */
    derw_begin(&w, DER_SEQUENCE);
    if (subject_key->type == TENON_KEY_RSA) {
        /* RFC 3279 §2.3.1: rsaEncryption "SHALL have ASN.1 type NULL" parameters */
        WRITE_OID(&w, OID_RSA_ENCRYPTION);
        derw_prim(&w, DER_NULL, NULL, 0);
    } else if (subject_key->type == TENON_KEY_ED25519) {
        WRITE_OID(&w, OID_ED25519);
    } else {
        WRITE_OID(&w, OID_EC_PUBLIC_KEY);
        if (subject_key->u.ec.curve == TENON_EC_P384)
            WRITE_OID(&w, OID_P384);
        else
            WRITE_OID(&w, OID_P256);
    }
    derw_end(&w);
    derw_bit_string(&w, bits.ptr, bits.len);
    derw_end(&w);
    write_extensions(&w, p, ski, aki, (const uint8_t(*)[16])ips, ip_lens, nip);
    derw_end(&w); /* TBSCertificate: its encoding is final from here on */
    GUARD(w.err);

    uint8_t sig[TENON_RSA_MAX_LEN > TENON_ECDSA_MAX_SIG_LEN ? TENON_RSA_MAX_LEN
                                                            : TENON_ECDSA_MAX_SIG_LEN];
    size_t sig_len;
    GUARD(sign_tbs(issuer_key, out + tbs_start, w.pos - tbs_start, sig, sizeof sig, &sig_len));
    write_sig_alg(&w, issuer_key);
    derw_bit_string(&w, sig, sig_len);
    derw_end(&w);
    return derw_finish(&w, out_len);
}

TENON_API int tenon_x509_issue(const tenon_x509_issue_params *p,
                               const tenon_ec_public_key *subject_key,
                               const tenon_x509_cert *issuer,
                               const tenon_ec_private_key *issuer_key, uint8_t *out, size_t cap,
                               size_t *out_len)
{
    ENSURE(subject_key && issuer_key, TENON_ERR_INVALID_ARGUMENT);
    tenon_public_key sk = {.type = TENON_KEY_EC, .u.ec = *subject_key};
    tenon_private_key ik = {.type = TENON_KEY_EC, .u.ec = *issuer_key};
    int rc = tenon_x509_issue_key(p, &sk, issuer, &ik, out, cap, out_len);
    tenon_private_key_wipe(&ik);
    return rc;
}
