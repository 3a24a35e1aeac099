/*
 * Trust anchors, certification path building and validation (RFC 5280 §6), name constraints
 * (§4.2.1.10) and host name verification (RFC 9525 §6).
 *
 * The subset is the one web clients apply: no policy processing (certificatePolicies is
 * accepted and ignored), names compared bytewise, trust anchors given as certificates whose own
 * validity and constraints are enforced as OpenSSL does.
 */
#include <dirent.h>
#include <stdio.h>

#include "x509_internal.h"

/* Signature checks allowed for one verification: enough for any real chain with cross-signed
 * alternatives, small enough to bound the work a hostile peer can cause. */
#define PATH_BUDGET 64

/* ---- trust store ---- */

TENON_API void tenon_x509_store_init(tenon_x509_store *store, tenon_x509_cert *array, size_t cap)
{
    store->certs = array;
    store->count = 0;
    store->cap = array ? cap : 0;
}

TENON_API int tenon_x509_store_add_der(tenon_x509_store *store, const uint8_t *der, size_t len)
{
    ENSURE(store && der, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(store->count < store->cap, TENON_ERR_STORE_FULL);
    GUARD(tenon_x509_parse(&store->certs[store->count], der, len));
    store->count++;
    return 0;
}

/* Decodes each CERTIFICATE block of text into buf[*used ..]. text may lie inside buf above
 * buf + *used (the decoder writes behind where it reads). */
static int add_pem(tenon_x509_store *store, const char *text, size_t len, uint8_t *buf, size_t cap,
                   size_t *used, size_t *skipped)
{
    size_t off = 0;
    for (;;) {
        size_t lo, ll, b64, b64_len, der_len;
        int rc = pem_scan(text, len, &off, &lo, &ll, &b64, &b64_len);
        if (rc == TENON_ERR_PEM_NOT_FOUND)
            return 0;
        if (rc == TENON_ERR_KEY_ENCRYPTED)
            continue;
        GUARD(rc);
        if (!(ll == 11 && memcmp(text + lo, "CERTIFICATE", 11) == 0))
            continue;
        ENSURE(store->count < store->cap, TENON_ERR_STORE_FULL);
        GUARD(pem_b64_decode(text + b64, b64_len, buf + *used, cap - *used, &der_len));
        if (tenon_x509_parse(&store->certs[store->count], buf + *used, der_len) < 0) {
            if (skipped)
                (*skipped)++;
            continue;
        }
        store->count++;
        *used += der_len;
    }
}

TENON_API int tenon_x509_store_add_pem(tenon_x509_store *store, const char *pem, size_t len,
                                       uint8_t *buf, size_t cap, size_t *used, size_t *skipped)
{
    ENSURE(store && pem && buf && used && *used <= cap, TENON_ERR_INVALID_ARGUMENT);
    /* The text must not overlap the output area. */
    ENSURE((const uint8_t *)pem + len <= buf + *used || (const uint8_t *)pem >= buf + cap,
           TENON_ERR_INVALID_ARGUMENT);
    return add_pem(store, pem, len, buf, cap, used, skipped);
}

static int has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), s = strlen(suffix);
    return n > s && strcmp(name + n - s, suffix) == 0;
}

TENON_API int tenon_x509_store_add_dir(tenon_x509_store *store, const char *dir, uint8_t *buf,
                                       size_t cap, size_t *used, size_t *skipped)
{
    ENSURE(store && dir && buf && used && *used <= cap, TENON_ERR_INVALID_ARGUMENT);
    DIR *d = opendir(dir);
    ENSURE(d, TENON_ERR_FILE_IO);
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (!has_suffix(e->d_name, ".pem") && !has_suffix(e->d_name, ".crt"))
            continue;
        char path[4096];
        int pl = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (pl < 0 || (size_t)pl >= sizeof path)
            continue;
        size_t n;
        rc = tenon_read_file(path, buf + *used, cap - *used, &n);
        if (rc == TENON_ERR_FILE_IO) {
            rc = 0; /* a dangling link or a directory named *.pem */
            continue;
        }
        if (rc < 0)
            break;
        /* Move the text to the top of the free space and decode downwards into it. */
        char *text = (char *)buf + cap - n;
        memmove(text, buf + *used, n);
        rc = add_pem(store, text, n, buf, cap, used, skipped);
        if (rc == TENON_ERR_PEM_MALFORMED) {
            /* One broken file does not spoil the directory. */
            if (skipped)
                (*skipped)++;
            rc = 0;
        }
    }
    closedir(d);
    return rc;
}

/* ---- host names and IP addresses (RFC 9525) ---- */

static int parse_ipv4(const char *s, size_t n, uint8_t out[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part) {
            if (i >= n || s[i] != '.')
                return 0;
            i++;
        }
        size_t start = i;
        unsigned v = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < 3)
            v = v * 10 + (unsigned)(s[i++] - '0');
        /* Strict dotted decimal: no empty part, no leading zero (ambiguous with octal). */
        if (i == start || v > 255 || (s[start] == '0' && i - start > 1))
            return 0;
        out[part] = (uint8_t)v;
    }
    return i == n;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* RFC 4291 §2.2 text forms: eight groups, "::" once for a run of zero groups, a dotted quad in
 * the last 32 bits. */
static int parse_ipv6(const char *s, size_t n, uint8_t out[16])
{
    uint8_t a[16] = {0};
    size_t groups = 0, i = 0;
    int gap = -1;
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    } else if (n >= 1 && s[0] == ':') {
        return 0;
    }
    while (i < n) {
        /* An embedded IPv4 address ends the text. */
        size_t j = i;
        while (j < n && s[j] != ':' && s[j] != '.')
            j++;
        if (j < n && s[j] == '.') {
            if (groups > 6 || !parse_ipv4(s + i, n - i, a + 2 * groups))
                return 0;
            groups += 2;
            i = n;
            break;
        }
        if (groups >= 8 || j == i || j - i > 4)
            return 0;
        unsigned v = 0;
        for (size_t k = i; k < j; k++) {
            int h = hexval(s[k]);
            if (h < 0)
                return 0;
            v = (v << 4) | (unsigned)h;
        }
        a[2 * groups] = (uint8_t)(v >> 8);
        a[2 * groups + 1] = (uint8_t)v;
        groups++;
        i = j;
        if (i == n)
            break;
        i++; /* ':' */
        if (i < n && s[i] == ':') {
            if (gap >= 0)
                return 0;
            gap = (int)groups;
            i++;
        } else if (i == n) {
            return 0; /* a trailing single ':' */
        }
    }
    if (gap < 0) {
        if (groups != 8)
            return 0;
    } else {
        if (groups > 7)
            return 0;
        size_t tail = groups - (size_t)gap;
        memmove(a + 16 - 2 * tail, a + 2 * gap, 2 * tail);
        memset(a + 2 * gap, 0, 16 - 2 * (size_t)gap - 2 * tail);
    }
    memcpy(out, a, 16);
    return 1;
}

TENON_API size_t tenon_ip_parse(const char *name, uint8_t out[16])
{
    if (!name || !out)
        return 0;
    size_t n = strlen(name);
    if (parse_ipv4(name, n, out))
        return 4;
    if (memchr(name, ':', n) && parse_ipv6(name, n, out))
        return 16;
    return 0;
}

static char lower(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

static int ieq(const uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lower((char)a[i]) != lower((char)b[i]))
            return 0;
    return 1;
}

/* A reference DNS name fit for matching: non-empty labels of at most 63 characters, at most
 * 253 characters, no wildcard (RFC 9525 §6.3 compares a reference identity, never a pattern). */
static int valid_reference(const char *s, size_t n)
{
    if (n == 0 || n > 253 || s[0] == '.' || s[n - 1] == '.')
        return 0;
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '.') {
            if (label == 0)
                return 0;
            label = 0;
            continue;
        }
        if (ch == '*' || (unsigned char)ch <= 0x20 || (unsigned char)ch >= 0x7f || ++label > 63)
            return 0;
    }
    return 1;
}

/* RFC 9525 §6.3: one presented dNSName against the reference name. */
static int dns_match(const char *ref, size_t rn, const uint8_t *pres, size_t pn)
{
    if (pn > 0 && pres[pn - 1] == '.')
        pn--;
    if (pn == 0)
        return 0;
    if (!memchr(pres, '*', pn))
        return pn == rn && ieq((const uint8_t *)ref, pres, pn);
    /* §6.3: the wildcard only as the complete left-most label ("*.example.com"); no other '*'
     * ("f*o.example.com", "*.*.example.com" never match); at least two labels after it, so
     * that "*.com" covers no public suffix. It matches exactly one non-empty label. */
    if (pn < 2 || pres[0] != '*' || pres[1] != '.')
        return 0;
    const uint8_t *rest = pres + 2;
    size_t restn = pn - 2;
    if (restn == 0 || memchr(rest, '*', restn) || !memchr(rest, '.', restn))
        return 0;
    if (rest[0] == '.' || rest[restn - 1] == '.')
        return 0;
    for (size_t i = 1; i < restn; i++)
        if (rest[i] == '.' && rest[i - 1] == '.')
            return 0;
    const char *dot = memchr(ref, '.', rn);
    if (!dot || dot == ref)
        return 0;
    size_t tail = rn - (size_t)(dot + 1 - ref);
    return tail == restn && ieq((const uint8_t *)dot + 1, rest, restn);
}

TENON_API int tenon_x509_check_host(const tenon_x509_cert *cert, const char *name)
{
    ENSURE(cert && name, TENON_ERR_INVALID_ARGUMENT);
    uint8_t ip[16];
    size_t iplen = tenon_ip_parse(name, ip);
    size_t rn = strlen(name);
    if (!iplen) {
        if (rn > 0 && name[rn - 1] == '.')
            rn--;
        if (!valid_reference(name, rn))
            return TENON_ERR_CERT_NAME_MISMATCH;
    }
    size_t off = 0;
    int tag;
    tenon_bytes v;
    int rc;
    /* RFC 9525 §6.4.4: the subject common name is not consulted. */
    while ((rc = tenon_x509_general_name_next(cert->san, 0, &off, &tag, &v)) == 0) {
        if (iplen && tag == TENON_GN_IP && v.len == iplen && memcmp(v.ptr, ip, iplen) == 0)
            return 0;
        if (!iplen && tag == TENON_GN_DNS && dns_match(name, rn, v.ptr, v.len))
            return 0;
    }
    return rc < 0 ? rc : TENON_ERR_CERT_NAME_MISMATCH;
}

/* ---- name constraints (RFC 5280 §4.2.1.10) ---- */

/* dNSName constraint: "example.com" covers itself and any name with labels added on the
 * left; ".example.com" (a common extension) only the names below it; "" covers all. Both
 * compare ASCII case-insensitively, a single trailing dot on either ignored. */
static int dns_within(const uint8_t *name, size_t n, const uint8_t *base, size_t bn)
{
    if (n > 0 && name[n - 1] == '.')
        n--;
    if (bn > 1 && base[bn - 1] == '.')
        bn--;
    if (bn == 0)
        return 1;
    if (bn > n || !ieq(name + n - bn, base, bn))
        return 0;
    if (base[0] == '.' || bn == n)
        return 1;
    return name[n - bn - 1] == '.';
}

/* A presented wildcard "*.rest" stands for every name "label.rest" it matches (RFC 9525 §6.3,
 * dns_match): it is within an excluded subtree as soon as one of them is. Subtrees that cover
 * "*.rest" as a whole (rest itself, a parent, ".rest", "") are found by dns_within on the
 * pattern; what remains is a base naming one of the matched names, "label.rest" with a single
 * label. (Permitted subtrees must hold the wildcard whole, which dns_within alone decides.) */
static int wildcard_meets(const uint8_t *name, size_t n, const uint8_t *base, size_t bn)
{
    if (dns_within(name, n, base, bn))
        return 1;
    if (n > 0 && name[n - 1] == '.')
        n--;
    if (bn > 1 && base[bn - 1] == '.')
        bn--;
    if (n < 3 || name[0] != '*' || name[1] != '.')
        return 0;
    const uint8_t *rest = name + 1; /* ".rest" */
    size_t rn = n - 1;
    if (bn <= rn || !ieq(base + bn - rn, rest, rn))
        return 0;
    /* base = label + ".rest": one non-empty label, no dot in it. */
    return memchr(base, '.', bn - rn) == NULL;
}

static int ip_within(const uint8_t *ip, size_t n, const uint8_t *base, size_t bn)
{
    /* An IPv4-mapped IPv6 address (::ffff:a.b.c.d, RFC 4291 §2.5.5.2) reaches the IPv4 host:
     * against an IPv4 subtree it is compared as that IPv4 address. */
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (n == 16 && bn == 8 && memcmp(ip, mapped, sizeof mapped) == 0) {
        ip += 12;
        n = 4;
    }
    if (bn != 2 * n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((ip[i] & base[n + i]) != (base[i] & base[n + i]))
            return 0;
    return 1;
}

/* directoryName constraint: the base's RDNs are the first RDNs of the name. Both are Name
 * DER; a byte prefix of the contents made of whole RDNs is exactly an RDN prefix. */
static int dn_within(const tenon_bytes *name, const tenon_bytes *base)
{
    der_cursor nc, bc, n, b;
    der_init(&nc, name->ptr, name->len);
    der_init(&bc, base->ptr, base->len);
    if (der_enter(&nc, DER_SEQUENCE, &n) < 0 || der_enter(&bc, DER_SEQUENCE, &b) < 0)
        return 0;
    return b.len <= n.len && memcmp(n.p, b.p, b.len) == 0;
}

/* 1 if a (name of form tag) falls in one of the subtrees of that form, 0 if in none, and -1
 * if the list has no subtree of that form. Forms tenon does not compare never match. With
 * excluded, a wildcard dNSName falls in a subtree if any name it matches does. */
static int in_subtrees(tenon_bytes subtrees, int tag, const tenon_bytes *name, int excluded)
{
    size_t off = 0;
    int t, any = 0;
    tenon_bytes base;
    while (tenon_x509_general_name_next(subtrees, 1, &off, &t, &base) == 0) {
        if (t != tag)
            continue;
        any = 1;
        if (tag == TENON_GN_DNS &&
            (excluded ? wildcard_meets(name->ptr, name->len, base.ptr, base.len)
                      : dns_within(name->ptr, name->len, base.ptr, base.len)))
            return 1;
        if (tag == TENON_GN_IP && ip_within(name->ptr, name->len, base.ptr, base.len))
            return 1;
        if (tag == TENON_GN_DIRNAME && dn_within(name, &base))
            return 1;
    }
    return any ? 0 : -1;
}

static int check_one_name(const tenon_x509_cert *ca, int tag, const tenon_bytes *v)
{
    int ex = ca->nc_excluded.len ? in_subtrees(ca->nc_excluded, tag, v, 1) : -1;
    int pe = ca->nc_permitted.len ? in_subtrees(ca->nc_permitted, tag, v, 0) : -1;
    if (tag == TENON_GN_DNS || tag == TENON_GN_IP || tag == TENON_GN_DIRNAME) {
        ENSURE(ex != 1 && pe != 0, TENON_ERR_CERT_NAME_CONSTRAINTS);
        return 0;
    }
    /* §4.2.1.10: a constraint on a name form the application does not process, where a name
     * of that form is present, means the certificate must be rejected (rfc822Name, URI,
     * otherName, ...). */
    ENSURE(ex == -1 && pe == -1, TENON_ERR_CERT_NAME_CONSTRAINTS);
    return 0;
}

/* The subject (as a directoryName, when not empty) and every subjectAltName of cert against
 * ca's nameConstraints (§6.1.3 (b), (c)). */
static int check_name_constraints(const tenon_x509_cert *ca, const tenon_x509_cert *cert)
{
    if (cert->subject.len > 2)
        GUARD(check_one_name(ca, TENON_GN_DIRNAME, &cert->subject));
    size_t off = 0;
    int tag;
    tenon_bytes v;
    while (tenon_x509_general_name_next(cert->san, 0, &off, &tag, &v) == 0)
        GUARD(check_one_name(ca, tag, &v));
    return 0;
}

/* ---- path building and validation ---- */

typedef struct vctx {
    const tenon_x509_store *store;
    const tenon_x509_cert *chain;
    size_t n;
    const tenon_x509_verify_params *params;
    size_t max_depth;
    const tenon_x509_cert *path[TENON_X509_MAX_DEPTH];
    size_t len;
    unsigned budget;
    int err;          /* the most specific failure so far */
    size_t err_depth; /* the path length it was found at */
} vctx;

static int same_bytes(tenon_bytes a, tenon_bytes b)
{
    return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
}

static int self_issued(const tenon_x509_cert *c)
{
    return same_bytes(c->subject, c->issuer);
}

/* RFC 5280 §6.1.3 (a)(4) and §4.2.1.1: the issuer's subject is the child's issuer; the key
 * identifiers, when both are present, agree. */
static int issued_by(const tenon_x509_cert *child, const tenon_x509_cert *parent)
{
    if (!same_bytes(child->issuer, parent->subject))
        return 0;
    if (child->authority_key_id.len && parent->subject_key_id.len &&
        !same_bytes(child->authority_key_id, parent->subject_key_id))
        return 0;
    return 1;
}

static void note_error(vctx *v, int err)
{
    /* Prefer errors found deeper in a path (they come from the most promising candidate) and,
     * at one depth, anything over "unknown issuer". */
    if (v->err == 0 || v->len > v->err_depth ||
        (v->len == v->err_depth && v->err == TENON_ERR_CERT_UNKNOWN_ISSUER)) {
        v->err = err;
        v->err_depth = v->len;
    }
}

/* Checks that apply to every certificate of the path, anchor included. */
static int check_common(const vctx *v, const tenon_x509_cert *c, int is_anchor)
{
    /* §6.1.3 (a)(2): the validity period includes the verification time. */
    ENSURE(v->params->now >= c->not_before, TENON_ERR_CERT_NOT_YET_VALID);
    ENSURE(v->params->now <= c->not_after, TENON_ERR_CERT_EXPIRED);
    /* §4.2: a critical extension that is not recognised makes the certificate unusable. */
    ENSURE(!c->unknown_critical, TENON_ERR_CERT_CRITICAL_EXT);
    /* §4.2.1.12, as browsers and OpenSSL apply it to CAs too: an extendedKeyUsage that is
     * present must allow the purpose. Anchors are trusted for every purpose. */
    uint32_t want = v->params->purpose == TENON_X509_PURPOSE_SERVER   ? TENON_EKU_SERVER_AUTH
                    : v->params->purpose == TENON_X509_PURPOSE_CLIENT ? TENON_EKU_CLIENT_AUTH
                                                                      : 0;
    if (want && !is_anchor && (c->ext_present & TENON_X509_EXT_EXT_KEY_USAGE))
        ENSURE(c->ext_key_usage & (want | TENON_EKU_ANY), TENON_ERR_CERT_WRONG_EKU);
    return 0;
}

/* Checks on issuer as the CA at path position v->len (the certificates below it are
 * v->path[0 .. v->len)). */
static int check_issuer(const vctx *v, const tenon_x509_cert *ca, int is_anchor)
{
    GUARD(check_common(v, ca, is_anchor));
    /* §6.1.4 (k): basicConstraints with cA TRUE. A v1 self-signed anchor predates extensions
     * and is accepted as a CA, as OpenSSL does. */
    int v1_root = is_anchor && ca->version == 1 && self_issued(ca);
    ENSURE(ca->is_ca || v1_root, TENON_ERR_CERT_NOT_CA);
    /* §6.1.4 (n): keyCertSign when keyUsage is present. */
    if (ca->ext_present & TENON_X509_EXT_KEY_USAGE)
        ENSURE(ca->key_usage & TENON_KU_KEY_CERT_SIGN, TENON_ERR_CERT_KEY_USAGE);
    /* §6.1.4 (l), (m): pathLenConstraint bounds the non-self-issued intermediates below. */
    if (ca->path_len >= 0) {
        size_t below = 0;
        for (size_t i = 1; i < v->len; i++)
            below += !self_issued(v->path[i]);
        ENSURE(below <= (size_t)ca->path_len, TENON_ERR_CERT_PATH_LEN);
    }
    /* §6.1.4 (g), §6.1.3 (b), (c): nameConstraints apply to every certificate below, except
     * self-issued intermediates. */
    if (ca->ext_present & TENON_X509_EXT_NAME_CONSTRAINTS) {
        for (size_t i = 0; i < v->len; i++)
            if (i == 0 || !self_issued(v->path[i]))
                GUARD(check_name_constraints(ca, v->path[i]));
    }
    return 0;
}

static int in_path(const vctx *v, const tenon_x509_cert *c)
{
    for (size_t i = 0; i < v->len; i++)
        if (v->path[i] == c || same_bytes(v->path[i]->der, c->der))
            return 1;
    return 0;
}

static int is_anchor_der(const vctx *v, const tenon_x509_cert *c)
{
    for (size_t i = 0; i < v->store->count; i++)
        if (same_bytes(v->store->certs[i].der, c->der))
            return 1;
    return 0;
}

static int extend(vctx *v);

/* Tries ca as the issuer of the last certificate of the path. */
static int try_issuer(vctx *v, const tenon_x509_cert *ca, int is_anchor)
{
    if (v->len + 1 > v->max_depth)
        return TENON_ERR_CERT_PATH_TOO_LONG;
    if (v->budget == 0)
        return TENON_ERR_CERT_PATH_BUDGET;
    v->budget--;
    GUARD(tenon_x509_check_signature(v->path[v->len - 1], ca));
    GUARD(check_issuer(v, ca, is_anchor));
    if (is_anchor)
        return 0;
    v->path[v->len++] = ca;
    int rc = extend(v);
    if (rc < 0)
        v->len--;
    return rc;
}

static int extend(vctx *v)
{
    const tenon_x509_cert *cur = v->path[v->len - 1];
    int found = 0;
    /* Anchors first: the shortest path wins and intermediates copied from the store by the
     * peer are not needed. */
    for (size_t i = 0; i < v->store->count; i++) {
        const tenon_x509_cert *a = &v->store->certs[i];
        if (!issued_by(cur, a) || in_path(v, a))
            continue;
        found = 1;
        int rc = try_issuer(v, a, 1);
        if (rc == 0)
            return 0;
        note_error(v, rc);
        if (rc == TENON_ERR_CERT_PATH_BUDGET)
            return rc;
    }
    for (size_t i = 1; i < v->n; i++) {
        const tenon_x509_cert *c = &v->chain[i];
        if (!issued_by(cur, c) || in_path(v, c) || is_anchor_der(v, c))
            continue;
        found = 1;
        int rc = try_issuer(v, c, 0);
        if (rc == 0)
            return 0;
        note_error(v, rc);
        if (rc == TENON_ERR_CERT_PATH_BUDGET)
            return rc;
    }
    if (!found)
        note_error(v, TENON_ERR_CERT_UNKNOWN_ISSUER);
    return v->err ? v->err : TENON_ERR_CERT_UNKNOWN_ISSUER;
}

TENON_API int tenon_x509_verify(const tenon_x509_store *store, const tenon_x509_cert *chain,
                                size_t n, const tenon_x509_verify_params *params)
{
    ENSURE(store && chain && n >= 1 && params, TENON_ERR_INVALID_ARGUMENT);
    vctx v;
    memset(&v, 0, sizeof v);
    v.store = store;
    v.chain = chain;
    v.n = n;
    v.params = params;
    v.max_depth = params->max_depth ? params->max_depth : TENON_X509_DEFAULT_DEPTH;
    if (v.max_depth > TENON_X509_MAX_DEPTH)
        v.max_depth = TENON_X509_MAX_DEPTH;
    v.budget = PATH_BUDGET;
    v.path[0] = &chain[0];
    v.len = 1;

    /* The end entity itself. */
    GUARD(check_common(&v, &chain[0], 0));
    if (params->hostname)
        GUARD(tenon_x509_check_host(&chain[0], params->hostname));
    /* A certificate that is itself a trust anchor needs no path. */
    if (is_anchor_der(&v, &chain[0]))
        return 0;
    int rc = extend(&v);
    return rc < 0 ? rc : 0;
}
