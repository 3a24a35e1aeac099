/*
 * One-line summaries of handshake messages for the trace: the parameters a reader of RFC 8446
 * looks for in each flight (key shares, suites, the certificate's subject, the signature
 * scheme). The messages were already accepted or produced by the engine, but a summary must
 * never trust a length: every read is bounds-checked and a short message just ends the
 * summary early.
 */
#include <stdarg.h>
#include <string.h>

#include "cli.h"

typedef struct rd {
    const uint8_t *p;
    size_t left;
    int bad;
} rd;

static unsigned get(rd *r, size_t n)
{
    unsigned v = 0;
    if (r->bad || r->left < n) {
        r->bad = 1;
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | r->p[i];
    r->p += n;
    r->left -= n;
    return v;
}

/* A length-prefixed vector as a sub-reader. */
static rd sub(rd *r, size_t lenlen)
{
    rd s = {NULL, 0, 1};
    size_t n = get(r, lenlen);
    if (r->bad || r->left < n) {
        r->bad = 1;
        return s;
    }
    s.p = r->p;
    s.left = n;
    s.bad = 0;
    r->p += n;
    r->left -= n;
    return s;
}

typedef struct sb {
    char *out;
    size_t cap, len;
} sb;

static void put(sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sb *b, const char *fmt, ...)
{
    if (b->len + 1 >= b->cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->out + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        b->len += (size_t)n;
    if (b->len >= b->cap)
        b->len = b->cap - 1;
}

static const uint8_t HRR_RANDOM[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

/* The extensions of a hello: the ones with parameters worth a word are described. */
static void hello_exts(sb *b, rd *exts, int client)
{
    while (!exts->bad && exts->left > 0) {
        unsigned type = get(exts, 2);
        rd body = sub(exts, 2);
        if (exts->bad)
            break;
        switch (type) {
        case 51: { /* key_share */
            if (client) {
                rd list = sub(&body, 2);
                put(b, ", key_share");
                const char *sep = " ";
                while (!list.bad && list.left > 0) {
                    unsigned g = get(&list, 2);
                    rd k = sub(&list, 2);
                    if (list.bad)
                        break;
                    put(b, "%s%s (%zu-byte public key)", sep, group_name((uint16_t)g), k.left);
                    sep = " + ";
                }
            } else if (body.left == 2) { /* HelloRetryRequest: the selected group */
                put(b, ", key_share: retry with %s", group_name((uint16_t)get(&body, 2)));
            } else {
                unsigned g = get(&body, 2);
                rd k = sub(&body, 2);
                if (!body.bad)
                    put(b, ", key_share %s (%zu-byte public key)", group_name((uint16_t)g), k.left);
            }
            break;
        }
        case 0: { /* server_name: one host_name */
            rd list = sub(&body, 2);
            if (list.left > 3) {
                get(&list, 1);
                rd name = sub(&list, 2);
                if (!list.bad)
                    put(b, ", SNI %.*s", (int)name.left, (const char *)name.p);
            }
            break;
        }
        case 16: { /* ALPN */
            rd list = sub(&body, 2);
            put(b, ", ALPN");
            const char *sep = " ";
            while (!list.bad && list.left > 0) {
                rd name = sub(&list, 1);
                if (list.bad)
                    break;
                put(b, "%s%.*s", sep, (int)name.left, (const char *)name.p);
                sep = ",";
            }
            break;
        }
        case 41: /* pre_shared_key */
            if (client) {
                rd ids = sub(&body, 2);
                size_t n = 0;
                while (!ids.bad && ids.left > 0) {
                    sub(&ids, 2);
                    get(&ids, 4);
                    n++;
                }
                put(b, ", pre_shared_key (%zu ticket%s)", n, n == 1 ? "" : "s");
            } else {
                put(b, ", pre_shared_key: ticket %u accepted", get(&body, 2));
            }
            break;
        case 23:     /* extended_master_secret (RFC 7627) */
        case 22:     /* encrypt_then_mac (RFC 7366) */
        case 35:     /* session_ticket (RFC 5077) */
        case 0xff01: /* renegotiation_info (RFC 5746) */
        case 5:      /* status_request (RFC 6066 §8): a CertificateStatus follows */
        case 18:     /* signed_certificate_timestamp (RFC 6962 §3.3.1) */
            if (!client)
                put(b, ", %s", ext_name((uint16_t)type));
            break;
        case 28: /* record_size_limit (RFC 8449): a TLS 1.2 server's answer */
            if (!client && body.left == 2)
                put(b, ", record_size_limit %u", get(&body, 2));
            break;
        case 43: /* supported_versions */
            if (!client && body.left == 2)
                put(b, ", version %s", get(&body, 2) == TENON_TLS13 ? "TLS 1.3" : "other");
            break;
        default:
            break;
        }
    }
}

static void client_hello(sb *b, rd *r)
{
    get(r, 2);
    const uint8_t *random = r->p;
    get(r, 32);
    sub(r, 1);
    rd suites = sub(r, 2);
    sub(r, 1);
    if (r->bad)
        return;
    char rhex[17];
    hex_encode(rhex, random, 8);
    put(b, "random %s..., suites", rhex);
    const char *sep = " ";
    while (!suites.bad && suites.left > 0) {
        unsigned s = get(&suites, 2);
        const char *n = suite_name((uint16_t)s);
        if (strcmp(n, "unknown suite") == 0)
            put(b, "%s0x%04x", sep, s);
        else
            put(b, "%s%s", sep, n);
        sep = ",";
    }
    if (r->left == 0)
        return;
    rd exts = sub(r, 2);
    hello_exts(b, &exts, 1);
}

static void server_hello(sb *b, rd *r, int tls12)
{
    get(r, 2);
    const uint8_t *random = r->p;
    get(r, 32);
    sub(r, 1);
    unsigned suite = get(r, 2);
    get(r, 1);
    if (r->bad)
        return;
    if (memcmp(random, HRR_RANDOM, 32) == 0)
        put(b, "HelloRetryRequest, ");
    else {
        char rhex[17];
        hex_encode(rhex, random, 8);
        put(b, "random %s..., ", rhex);
    }
    put(b, "%s", suite_name((uint16_t)suite));
    rd exts = sub(r, 2);
    hello_exts(b, &exts, 0);
    if (tls12)
        put(b, ", version TLS 1.2");
}

/* RFC 8422 §5.4: ServerECDHParams (named_curve only) and the signature over it. */
static void server_key_exchange(sb *b, rd *r)
{
    unsigned type = get(r, 1);
    unsigned g = get(r, 2);
    rd point = sub(r, 1);
    unsigned scheme = get(r, 2);
    rd sig = sub(r, 2);
    if (r->bad || type != 3)
        return;
    put(b, "ECDHE %s (%zu-byte public key), signed %s (%zu bytes)", group_name((uint16_t)g),
        point.left, sig_scheme_name((uint16_t)scheme), sig.left);
}

/* RFC 8422 §5.7 (the client's ECDHE public key, 1-byte length) or RFC 5246 §7.4.7.1 (the
 * RSA-encrypted pre-master secret, 2-byte length): the lengths tell which. */
static void client_key_exchange(sb *b, const rd *r)
{
    if (r->left >= 1 && r->p[0] == r->left - 1)
        put(b, "ECDHE public key, %zu bytes", r->left - 1);
    else if (r->left >= 2 && ((size_t)r->p[0] << 8 | r->p[1]) == r->left - 2)
        put(b, "pre_master_secret encrypted to the server's RSA key, %zu bytes", r->left - 2);
}

static void encrypted_extensions(sb *b, rd *r)
{
    rd exts = sub(r, 2);
    const char *sep = "";
    size_t n = 0;
    while (!exts.bad && exts.left > 0) {
        unsigned type = get(&exts, 2);
        rd body = sub(&exts, 2);
        if (exts.bad)
            break;
        n++;
        const char *name = ext_name((uint16_t)type);
        if (type == 16) {
            rd list = sub(&body, 2);
            rd proto = sub(&list, 1);
            if (!list.bad)
                put(b, "%sALPN %.*s", sep, (int)proto.left, (const char *)proto.p);
        } else if (type == 28 && body.left == 2) { /* RFC 8449 §4: uint16 RecordSizeLimit */
            put(b, "%srecord_size_limit %u", sep, get(&body, 2));
        } else if (name != NULL) {
            put(b, "%s%s", sep, name);
        } else {
            put(b, "%sextension %u", sep, type);
        }
        sep = ", ";
    }
    if (n == 0)
        put(b, "no extensions");
}

/* RFC 8446 §4.4.2 (a context, and extensions per certificate) or RFC 5246 §7.4.2. */
static void certificate(sb *b, rd *r, int tls12)
{
    if (!tls12)
        sub(r, 1);
    rd list = sub(r, 3);
    size_t n = 0;
    char subject[160] = "";
    while (!list.bad && list.left > 0) {
        rd der = sub(&list, 3);
        if (!tls12)
            sub(&list, 2);
        if (list.bad)
            break;
        if (n == 0) {
            tenon_x509_cert c;
            if (tenon_x509_parse(&c, der.p, der.left) == 0) {
                tenon_x509_name_string(c.subject, subject, sizeof subject);
                const char *alg = c.key_alg == TENON_X509_KEY_RSA       ? "RSA"
                                  : c.key_alg == TENON_X509_KEY_EC_P256 ? "ECDSA P-256"
                                  : c.key_alg == TENON_X509_KEY_EC_P384 ? "ECDSA P-384"
                                                                        : "other key";
                size_t l = strlen(subject);
                snprintf(subject + l, sizeof subject - l, " (%s)", alg);
            }
        }
        n++;
    }
    if (n == 0)
        put(b, "empty (no certificate)");
    else
        put(b, "%zu certificate%s, leaf %s", n, n == 1 ? "" : "s", subject);
}

void msg_summary(const char *name, const uint8_t *msg, size_t len, int tls12, char *out, size_t cap)
{
    sb b = {out, cap, 0};
    out[0] = 0;
    if (msg == NULL || len < 4)
        return;
    rd r = {msg + 4, len - 4, 0};
    if (strcmp(name, "ClientHello") == 0)
        client_hello(&b, &r);
    else if (strcmp(name, "ServerHello") == 0)
        server_hello(&b, &r, tls12);
    else if (strcmp(name, "EncryptedExtensions") == 0)
        encrypted_extensions(&b, &r);
    else if (strcmp(name, "Certificate") == 0)
        certificate(&b, &r, tls12);
    else if (strcmp(name, "ServerKeyExchange") == 0)
        server_key_exchange(&b, &r);
    else if (strcmp(name, "ClientKeyExchange") == 0)
        client_key_exchange(&b, &r);
    else if (strcmp(name, "ServerHelloDone") == 0)
        put(&b, "the server's flight ends");
    else if (strcmp(name, "CertificateStatus") == 0) {
        get(&r, 1); /* RFC 6066 §8: status_type ocsp, then the OCSPResponse */
        rd resp = sub(&r, 3);
        if (!r.bad)
            put(&b, "a %zu-byte OCSP response stapled to the certificate", resp.left);
    } else if (strcmp(name, "CertificateRequest") == 0)
        put(&b, "the server asks for a client certificate");
    else if (strcmp(name, "CertificateVerify") == 0) {
        unsigned s = get(&r, 2);
        rd sig = sub(&r, 2);
        if (!r.bad)
            put(&b, "%s, %zu-byte signature", sig_scheme_name((uint16_t)s), sig.left);
    } else if (strcmp(name, "Finished") == 0) {
        put(&b, "verify_data %zu bytes", len - 4);
    } else if (strcmp(name, "NewSessionTicket") == 0 && tls12) {
        unsigned life = get(&r, 4); /* RFC 5077 §3.3 */
        rd t = sub(&r, 2);
        if (!r.bad)
            put(&b, "lifetime %u s, %zu-byte ticket (RFC 5077)", life, t.left);
    } else if (strcmp(name, "NewSessionTicket") == 0) {
        unsigned life = get(&r, 4);
        get(&r, 4);
        sub(&r, 1);
        rd t = sub(&r, 2);
        if (!r.bad)
            put(&b, "lifetime %u s, %zu-byte ticket", life, t.left);
    } else if (strcmp(name, "KeyUpdate") == 0) {
        put(&b, get(&r, 1) ? "update_requested" : "update_not_requested");
    }
}
