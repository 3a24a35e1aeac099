/*
 * Shared by the TLS engine tests: test certificates and keys, and an in-memory harness that
 * wires a client and a server engine back to back (STYLE.md 18).
 *
 * Certificates: a P-256 CA and P-256 / P-384 leaves for "localhost" issued with tenon's own
 * issuance API; an RSA-2048 self-signed leaf made with OpenSSL's libcrypto (tenon issues ECDSA
 * only). The trust store holds the CA and the RSA certificate.
 */
#ifndef TENON_TEST_TLS13_HARNESS_H
#define TENON_TEST_TLS13_HARNESS_H

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "testutil.h"
#include "tenon/tls.h"

#ifndef ARRAY_LEN
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#endif

typedef struct test_pki {
    uint8_t ca_der[2048], p256_der[2048], p384_der[2048], rsa_der[2048], client_der[2048];
    size_t ca_len, p256_len, p384_len, rsa_len, client_len;
    uint8_t rsa_key_der[2048]; /* as OpenSSL wrote it (for tests that hand it to OpenSSL) */
    size_t rsa_key_len;
    tenon_ec_private_key ca_key;
    tenon_private_key p256_key, p384_key, rsa_key, client_key;
    tenon_x509_cert roots[4];
    tenon_x509_store store;
} test_pki;

static test_pki PKI;

/* A leaf's parameters: cn as commonName and DNS name, 127.0.0.1, 30 days, digitalSignature. */
static inline void leaf_params(tenon_x509_issue_params *lp, const char *cn, uint32_t eku)
{
    int64_t now = (int64_t)time(NULL);
    memset(lp, 0, sizeof *lp);
    lp->subject_cn = cn;
    lp->not_before = now - 3600;
    lp->not_after = now + 86400 * 30;
    lp->path_len = -1;
    lp->key_usage = TENON_KU_DIGITAL_SIGNATURE;
    lp->ext_key_usage = eku;
    lp->dns_names[0] = cn;
    lp->ip_addrs[0] = "127.0.0.1";
}

static inline int issue_ec_leaf(const tenon_x509_cert *ca, tenon_ec_curve curve, const char *cn,
                                uint32_t eku, tenon_private_key *key, uint8_t *der, size_t cap,
                                size_t *len)
{
    tenon_x509_issue_params lp;
    leaf_params(&lp, cn, eku);
    key->type = TENON_KEY_EC;
    if (tenon_ec_keygen(curve, &key->u.ec) != 0)
        return -1;
    return tenon_x509_issue(&lp, &key->u.ec.pub, ca, &PKI.ca_key, der, cap, len);
}

/* An Ed25519 leaf for cn (and 127.0.0.1) from the CA of pki_setup (tenon_x509_issue_key). */
static inline int issue_ed25519_leaf(const char *cn, uint32_t eku, tenon_private_key *key,
                                     uint8_t *der, size_t cap, size_t *len)
{
    tenon_x509_cert ca;
    if (tenon_x509_parse(&ca, PKI.ca_der, PKI.ca_len) != 0)
        return -1;
    tenon_x509_issue_params lp;
    leaf_params(&lp, cn, eku);
    memset(key, 0, sizeof *key);
    key->type = TENON_KEY_ED25519;
    if (tenon_ed25519_keygen(&key->u.ed25519) != 0)
        return -1;
    tenon_public_key pub = {.type = TENON_KEY_ED25519, .u.ed25519 = key->u.ed25519.pub};
    tenon_private_key issuer = {.type = TENON_KEY_EC, .u.ec = PKI.ca_key};
    int rc = tenon_x509_issue_key(&lp, &pub, &ca, &issuer, der, cap, len);
    tenon_private_key_wipe(&issuer);
    return rc;
}

static inline int make_rsa_leaf(void)
{
    EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    X509 *x = X509_new();
    if (pk == NULL || x == NULL)
        return -1;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 30);
    X509_set_pubkey(x, pk);
    X509_NAME *n = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1,
                               0);
    X509_set_issuer_name(x, n);
    X509_EXTENSION *ext =
        X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    if (X509_sign(x, pk, EVP_sha256()) <= 0)
        return -1;
    unsigned char *p = PKI.rsa_der;
    int len = i2d_X509(x, NULL);
    if (len <= 0 || (size_t)len > sizeof PKI.rsa_der)
        return -1;
    PKI.rsa_len = (size_t)i2d_X509(x, &p);
    unsigned char *kd = NULL;
    int klen = i2d_PrivateKey(pk, &kd);
    int rc = klen > 0 ? tenon_private_key_parse_der(&PKI.rsa_key, kd, (size_t)klen) : -1;
    if (rc == 0 && (size_t)klen <= sizeof PKI.rsa_key_der) {
        memcpy(PKI.rsa_key_der, kd, (size_t)klen);
        PKI.rsa_key_len = (size_t)klen;
    }
    OPENSSL_clear_free(kd, klen > 0 ? (size_t)klen : 0);
    X509_free(x);
    EVP_PKEY_free(pk);
    return rc;
}

static inline int pki_setup(void)
{
    int64_t now = (int64_t)time(NULL);
    tenon_x509_issue_params cp;
    memset(&cp, 0, sizeof cp);
    cp.subject_cn = "tenon test CA";
    cp.not_before = now - 3600;
    cp.not_after = now + 86400 * 365;
    cp.is_ca = 1;
    cp.path_len = 0;
    cp.key_usage = TENON_KU_KEY_CERT_SIGN | TENON_KU_CRL_SIGN;
    if (tenon_ec_keygen(TENON_EC_P256, &PKI.ca_key) != 0 ||
        tenon_x509_issue(&cp, &PKI.ca_key.pub, NULL, &PKI.ca_key, PKI.ca_der, sizeof PKI.ca_der,
                         &PKI.ca_len) != 0)
        return -1;
    tenon_x509_cert ca;
    if (tenon_x509_parse(&ca, PKI.ca_der, PKI.ca_len) != 0)
        return -1;
    uint32_t both = TENON_EKU_SERVER_AUTH | TENON_EKU_CLIENT_AUTH;
    if (issue_ec_leaf(&ca, TENON_EC_P256, "localhost", both, &PKI.p256_key, PKI.p256_der,
                      sizeof PKI.p256_der, &PKI.p256_len) != 0 ||
        issue_ec_leaf(&ca, TENON_EC_P384, "localhost", both, &PKI.p384_key, PKI.p384_der,
                      sizeof PKI.p384_der, &PKI.p384_len) != 0 ||
        issue_ec_leaf(&ca, TENON_EC_P256, "client.test", TENON_EKU_CLIENT_AUTH, &PKI.client_key,
                      PKI.client_der, sizeof PKI.client_der, &PKI.client_len) != 0)
        return -1;
    if (make_rsa_leaf() != 0)
        return -1;
    tenon_x509_store_init(&PKI.store, PKI.roots, 4);
    if (tenon_x509_store_add_der(&PKI.store, PKI.ca_der, PKI.ca_len) != 0 ||
        tenon_x509_store_add_der(&PKI.store, PKI.rsa_der, PKI.rsa_len) != 0)
        return -1;
    return 0;
}

/* Which server certificate a test wants. */
typedef enum { CERT_P256, CERT_P384, CERT_RSA } test_cert;

static inline int add_cert(tenon_config *cfg, test_cert which)
{
    tenon_bytes chain[1];
    const tenon_private_key *key;
    switch (which) {
    case CERT_P256:
        chain[0].ptr = PKI.p256_der, chain[0].len = PKI.p256_len, key = &PKI.p256_key;
        break;
    case CERT_P384:
        chain[0].ptr = PKI.p384_der, chain[0].len = PKI.p384_len, key = &PKI.p384_key;
        break;
    default:
        chain[0].ptr = PKI.rsa_der, chain[0].len = PKI.rsa_len, key = &PKI.rsa_key;
        break;
    }
    const char *why = NULL;
    int rc = tenon_config_add_cert(cfg, chain, 1, key, &why);
    if (rc != 0)
        fprintf(stderr, "    add_cert: %s\n", why ? why : "?");
    return rc;
}

/* One side of an in-memory connection. */
typedef struct endpoint {
    tenon_config cfg;
    tenon_conn conn;
    uint8_t in[TENON_CONN_IN_SIZE];
    uint8_t out[TENON_CONN_OUT_SIZE];
} endpoint;

static endpoint CLIENT __attribute__((unused)), SERVER __attribute__((unused));

static inline void client_config(tenon_config *cfg)
{
    tenon_config_init(cfg, TENON_CLIENT);
    cfg->server_name = "localhost";
    cfg->trust = &PKI.store;
}

static inline void server_config(tenon_config *cfg, test_cert which)
{
    tenon_config_init(cfg, TENON_SERVER);
    if (add_cert(cfg, which) != 0)
        abort();
}

/* The classical groups only (tenon's defaults before the hybrid post-quantum groups): x25519,
 * secp256r1, secp384r1, a client's one share x25519. For tests that take a ClientHello apart
 * byte by byte. */
static inline void classical_groups(tenon_config *cfg)
{
    cfg->groups[0] = &tenon_kex_x25519;
    cfg->groups[1] = &tenon_kex_secp256r1;
    cfg->groups[2] = &tenon_kex_secp384r1;
    cfg->group_count = 3;
    cfg->share_groups[0] = &tenon_kex_x25519;
    cfg->share_group_count = 1;
}

/* Moves what from has to send into to; returns the bytes moved. */
static inline size_t transfer(tenon_conn *from, tenon_conn *to)
{
    const uint8_t *p;
    size_t n, used = 0;
    tenon_conn_output(from, &p, &n);
    if (n == 0)
        return 0;
    int rc = tenon_conn_feed(to, p, n, &used);
    /* A failed receiver drops the rest, as a closed socket would. */
    if (rc != 0)
        used = n;
    tenon_conn_output_consume(from, used);
    return used;
}

/* Replaces the first n bytes equal to find in what e has to send by repl; 1 if found. */
static inline int patch_pending(endpoint *e, const uint8_t *find, const uint8_t *repl, size_t n)
{
    const uint8_t *p;
    size_t len;
    tenon_conn_output(&e->conn, &p, &len);
    uint8_t *q = e->out + (p - e->out);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(q + i, find, n) == 0) {
            memcpy(q + i, repl, n);
            return 1;
        }
    return 0;
}

/* Runs both engines until neither makes progress. */
static inline void pump(tenon_conn *c, tenon_conn *s)
{
    for (int i = 0; i < 10000; i++) {
        size_t moved = transfer(c, s);
        moved += transfer(s, c);
        if (moved == 0)
            break;
    }
}

/* The offsets of the records in p[0, n) (at most cap). */
static inline size_t record_offsets(const uint8_t *p, size_t n, size_t *at, size_t cap)
{
    size_t k = 0;
    for (size_t o = 0; o + 5 <= n && k < cap;) {
        at[k++] = o;
        o += 5 + (((size_t)p[o + 3] << 8) | p[o + 4]);
    }
    return k;
}

/* Starts both ends from their configs. */
static inline int start(endpoint *c, endpoint *s)
{
    int rc = tenon_conn_init(&s->conn, &s->cfg, s->in, sizeof s->in, s->out, sizeof s->out);
    if (rc != 0)
        return rc;
    return tenon_conn_init(&c->conn, &c->cfg, c->in, sizeof c->in, c->out, sizeof c->out);
}

static inline int both_done(endpoint *c, endpoint *s)
{
    return (tenon_conn_status(&c->conn) & TENON_HANDSHAKE_DONE) &&
           (tenon_conn_status(&s->conn) & TENON_HANDSHAKE_DONE);
}

/* Sends len bytes from one side and reads them on the other, the bytes moved by move (transfer
 * or a mover of its own); 1 if they arrive intact. */
static inline int exchange_by(tenon_conn *from, tenon_conn *to, const uint8_t *data, size_t len,
                              size_t (*move)(tenon_conn *, tenon_conn *))
{
    static uint8_t got[1 << 17];
    size_t sent = 0, have = 0;
    for (int i = 0; i < 100000 && have < len; i++) {
        if (sent < len) {
            size_t w = 0;
            if (tenon_conn_write(from, data + sent, len - sent, &w) != 0)
                return 0;
            sent += w;
        }
        size_t moved = move(from, to) + move(to, from);
        size_t n = 0;
        if (tenon_conn_read(to, got + have, sizeof got - have, &n) != 0)
            return 0;
        have += n;
        if (moved == 0 && n == 0 && sent == len && !(tenon_conn_status(from) & TENON_HAS_OUTPUT))
            break;
    }
    return have == len && memcmp(got, data, len) == 0;
}

static inline int exchange(tenon_conn *from, tenon_conn *to, const uint8_t *data, size_t len)
{
    return exchange_by(from, to, data, len, transfer);
}

/* A new connection between CLIENT and SERVER with their configurations as set (the previous
 * ones wiped), run to its end. */
static inline void reconnect(void)
{
    tenon_conn_wipe(&CLIENT.conn);
    tenon_conn_wipe(&SERVER.conn);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
}

/* How the last connection went: 1 resumed, 0 full handshake, -1 failed. Both sides must agree
 * on resumption and have negotiated version. */
static inline int resume_outcome(uint16_t version)
{
    tenon_conn_info ci, si;
    if (!both_done(&CLIENT, &SERVER) || tenon_conn_info_get(&CLIENT.conn, &ci) != 0 ||
        tenon_conn_info_get(&SERVER.conn, &si) != 0)
        return -1;
    CHECK(ci.resumed == si.resumed && ci.version == version);
    return ci.resumed;
}

#endif
