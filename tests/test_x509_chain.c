/*
 * Path validation and host name checks against a corpus generated at test time by the openssl
 * CLI (tests/x509/gen_chains.sh): chains with one flaw each must fail with their own error,
 * valid ones must verify, and every decision is compared with `openssl verify -x509_strict`.
 * Where tenon decides differently from OpenSSL on purpose, the case says why.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "testutil.h"

static char dir[256];

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    return rc == -1 ? -1 : WEXITSTATUS(rc);
}

typedef struct tcase {
    const char *name;
    const char *anchors; /* space-separated files */
    const char *chain;   /* leaf first, then the peer's other certificates */
    const char *host;    /* DNS name or IP literal, or NULL */
    tenon_x509_purpose purpose;
    size_t max_depth;
    int expect;          /* tenon's result */
    int openssl_accepts; /* what `openssl verify -x509_strict` decides */
    const char *ossl_extra;
    const char *why; /* why tenon and OpenSSL differ, if they do */
} tcase;

#define SRV TENON_X509_PURPOSE_SERVER
#define CLI TENON_X509_PURPOSE_CLIENT
#define OK 0
#define NCASES (sizeof cases / sizeof cases[0])

static const tcase cases[] = {
    {"valid", "root.pem", "leaf.pem int.pem", "www.example.com", SRV, 0, OK, 1, "", NULL},
    {"valid-no-host", "root.pem", "leaf.pem int.pem", NULL, SRV, 0, OK, 1, "", NULL},
    {"valid-case-insensitive", "root.pem", "leaf.pem int.pem", "WWW.Example.COM", SRV, 0, OK, 1, "",
     NULL},
    {"valid-out-of-order-extras", "root.pem", "leaf_intB.pem int.pem intA.pem other.pem intB.pem",
     "example.com", SRV, 0, OK, 1, "", NULL},
    {"valid-several-anchors", "other.pem rsaroot.pem root.pem", "leaf.pem int.pem",
     "www.example.com", SRV, 0, OK, 1, "", NULL},
    {"valid-root-sent-by-peer", "root.pem", "leaf.pem root.pem int.pem", "www.example.com", SRV, 0,
     OK, 1, "", NULL},
    {"valid-wildcard", "root.pem", "leaf_wild.pem int.pem", "foo.example.com", SRV, 0, OK, 1, "",
     NULL},
    {"wildcard-two-labels", "root.pem", "leaf_wild.pem int.pem", "a.b.example.com", SRV, 0,
     TENON_ERR_CERT_NAME_MISMATCH, 0, "", NULL},
    {"wildcard-apex", "root.pem", "leaf_wild.pem int.pem", "example.com", SRV, 0,
     TENON_ERR_CERT_NAME_MISMATCH, 0, "", NULL},
    {"wildcard-double", "root.pem", "leaf_wild2.pem int.pem", "a.b.example.com", SRV, 0,
     TENON_ERR_CERT_NAME_MISMATCH, 0, "", NULL},
    {"wildcard-partial", "root.pem", "leaf_partial.pem int.pem", "foo.example.com", SRV, 0,
     TENON_ERR_CERT_NAME_MISMATCH, 0, "", NULL},
    {"wildcard-tld", "root.pem", "leaf_tld.pem int.pem", "example.com", SRV, 0,
     TENON_ERR_CERT_NAME_MISMATCH, 0, "", NULL},
    {"wrong-host", "root.pem", "leaf.pem int.pem", "www.example.org", SRV, 0,
     TENON_ERR_CERT_NAME_MISMATCH, 0, "", NULL},
    {"ip-v4", "root.pem", "leaf_ip.pem int.pem", "192.0.2.1", SRV, 0, OK, 1, "", NULL},
    {"ip-v6", "root.pem", "leaf_ip.pem int.pem", "2001:db8:0::1", SRV, 0, OK, 1, "", NULL},
    {"ip-wrong", "root.pem", "leaf_ip.pem int.pem", "192.0.2.2", SRV, 0,
     TENON_ERR_CERT_NAME_MISMATCH, 0, "", NULL},
    {"ip-vs-dns-only", "root.pem", "leaf.pem int.pem", "192.0.2.1", SRV, 0,
     TENON_ERR_CERT_NAME_MISMATCH, 0, "", NULL},
    {"expired", "root.pem", "leaf_expired.pem int.pem", "www.example.com", SRV, 0,
     TENON_ERR_CERT_EXPIRED, 0, "", NULL},
    {"not-yet-valid", "root.pem", "leaf_future.pem int.pem", "www.example.com", SRV, 0,
     TENON_ERR_CERT_NOT_YET_VALID, 0, "", NULL},
    {"not-a-ca", "root.pem", "leaf_notca.pem int_notca.pem", "www.example.com", SRV, 0,
     TENON_ERR_CERT_NOT_CA, 0, "", NULL},
    {"ca-without-keycertsign", "root.pem", "leaf_noku.pem int_noku.pem", "www.example.com", SRV, 0,
     TENON_ERR_CERT_KEY_USAGE, 0, "", NULL},
    {"pathlen-exceeded", "root.pem", "leaf_pl.pem int_under_pl0.pem int_pl0.pem", "www.example.com",
     SRV, 0, TENON_ERR_CERT_PATH_LEN, 0, "", NULL},
    {"depth-limit", "root.pem", "leaf_intB.pem intB.pem intA.pem", "www.example.com", SRV, 3,
     TENON_ERR_CERT_PATH_TOO_LONG, 0, "-verify_depth 1", NULL},
    {"depth-limit-fits", "root.pem", "leaf_intB.pem intB.pem intA.pem", "www.example.com", SRV, 4,
     OK, 1, "-verify_depth 2", NULL},
    {"wrong-eku", "root.pem", "leaf_client.pem int.pem", "www.example.com", SRV, 0,
     TENON_ERR_CERT_WRONG_EKU, 0, "", NULL},
    {"client-eku", "root.pem", "leaf_client.pem int.pem", NULL, CLI, 0, OK, 1, "", NULL},
    {"intermediate-eku", "root.pem", "leaf_under_client.pem int_client.pem", "www.example.com", SRV,
     0, TENON_ERR_CERT_WRONG_EKU, 0, "", NULL},
    {"bad-signature", "root.pem", "badsig.pem int.pem", "www.example.com", SRV, 0,
     TENON_ERR_CERT_BAD_SIGNATURE, 0, "", NULL},
    {"unknown-critical-extension", "root.pem", "leaf_crit.pem int.pem", "www.example.com", SRV, 0,
     TENON_ERR_CERT_CRITICAL_EXT, 0, "", NULL},
    {"name-constraints-ok", "root.pem", "leaf_nc_ok.pem int_nc.pem", "www.example.com", SRV, 0, OK,
     1, "", NULL},
    {"name-constraints-permitted", "root.pem", "leaf_nc_bad.pem int_nc.pem", "www.example.org", SRV,
     0, TENON_ERR_CERT_NAME_CONSTRAINTS, 0, "", NULL},
    {"name-constraints-excluded", "root.pem", "leaf_nc_excl.pem int_nc.pem", "host.bad.example.com",
     SRV, 0, TENON_ERR_CERT_NAME_CONSTRAINTS, 0, "", NULL},
    {"name-constraints-ip-ok", "root.pem", "leaf_nc_ip4.pem int_nc.pem", "192.0.2.9", SRV, 0, OK, 1,
     "", NULL},
    {"name-constraints-ip", "root.pem", "leaf_nc_ipbad.pem int_nc.pem", "198.51.100.7", SRV, 0,
     TENON_ERR_CERT_NAME_CONSTRAINTS, 0, "", NULL},
    {"name-constraints-ip-family", "root.pem", "leaf_nc_ip.pem int_nc.pem", "192.0.2.1", SRV, 0,
     TENON_ERR_CERT_NAME_CONSTRAINTS, 0, "", NULL},
    {"name-constraints-dirname-ok", "root.pem", "leaf_nc_dn_ok.pem int_nc_dn.pem",
     "www.example.com", SRV, 0, OK, 1, "", NULL},
    {"name-constraints-dirname", "root.pem", "leaf_nc_dn_bad.pem int_nc_dn.pem", "www.example.com",
     SRV, 0, TENON_ERR_CERT_NAME_CONSTRAINTS, 0, "", NULL},
    {"name-constraints-email", "root.pem", "leaf_nc_email.pem int_nc_email.pem", "www.example.com",
     SRV, 0, TENON_ERR_CERT_NAME_CONSTRAINTS, 1, "",
     "tenon does not process rfc822Name constraints, so (RFC 5280 §4.2.1.10) it rejects a "
     "certificate with an email name under a CA constraining that form; OpenSSL processes them"},
    {"missing-intermediate", "root.pem", "leaf.pem", "www.example.com", SRV, 0,
     TENON_ERR_CERT_UNKNOWN_ISSUER, 0, "", NULL},
    {"unknown-root", "root.pem", "leaf_other.pem int_other.pem", "www.example.com", SRV, 0,
     TENON_ERR_CERT_UNKNOWN_ISSUER, 0, "", NULL},
    {"untrusted-self-signed", "root.pem", "other.pem", NULL, SRV, 0, TENON_ERR_CERT_UNKNOWN_ISSUER,
     0, "", NULL},
    {"sha1-signature", "root.pem", "leaf_sha1.pem int.pem", "www.example.com", SRV, 0,
     TENON_ERR_CERT_UNSUPPORTED_ALG, 1, "",
     "tenon refuses SHA-1 signatures on certificates (chosen-prefix collisions are practical; "
     "the CA/Browser Forum stopped them in 2016); OpenSSL 3.0 at security level 1 accepts them"},
    {"rsa-pkcs1", "rsaroot.pem", "rsaleaf.pem", "www.example.com", SRV, 0, OK, 1, "", NULL},
    {"rsa-pss", "rsaroot.pem", "rsaleaf_pss.pem", "www.example.com", SRV, 0, OK, 1, "", NULL},
    {"p384", "root384.pem", "leaf_384.pem", "www.example.com", SRV, 0, OK, 1, "", NULL},
    /* tenon trusts any certificate in the store, self-signed or not, as rustls and browsers
     * do; OpenSSL does so only with -partial_chain, which these two cases pass to it. */
    {"leaf-is-anchor", "leaf.pem", "leaf.pem", "www.example.com", SRV, 0, OK, 1, "-partial_chain",
     NULL},
    {"intermediate-is-anchor", "int.pem", "leaf.pem", "www.example.com", SRV, 0, OK, 1,
     "-partial_chain", NULL},
};

/* Loads every CERTIFICATE block of the named files (space-separated) into certs. */
static size_t load_files(const char *names, tenon_x509_cert *certs, size_t max, uint8_t *buf,
                         size_t cap, size_t *used)
{
    char list[512], path[512];
    static char text[65536];
    size_t n = 0;
    snprintf(list, sizeof list, "%s", names);
    for (char *tok = strtok(list, " "); tok; tok = strtok(NULL, " ")) {
        size_t len, off = 0, dl, ll;
        const char *label;
        snprintf(path, sizeof path, "%s/%s", dir, tok);
        if (tenon_read_file(path, (uint8_t *)text, sizeof text, &len) != 0) {
            fprintf(stderr, "  cannot read %s\n", path);
            CHECK(0);
            continue;
        }
        while (n < max &&
               tenon_pem_next(text, len, &off, &label, &ll, buf + *used, cap - *used, &dl) == 0) {
            int rc = tenon_x509_parse(&certs[n], buf + *used, dl);
            if (rc != 0) {
                fprintf(stderr, "  %s: %s\n", tok, tenon_strerror(rc));
                CHECK(0);
                continue;
            }
            *used += dl;
            n++;
        }
    }
    return n;
}

static int openssl_verify(const tcase *t)
{
    char anchors[512], rest[512] = "", *sp;
    snprintf(anchors, sizeof anchors, "%s", t->anchors);
    const char *leaf = t->chain;
    sp = strchr(t->chain, ' ');
    char leafname[128];
    if (sp) {
        snprintf(leafname, sizeof leafname, "%.*s", (int)(sp - t->chain), t->chain);
        snprintf(rest, sizeof rest, "%s", sp + 1);
        leaf = leafname;
    }
    char name_opt[300] = "";
    if (t->host) {
        uint8_t ip[16];
        snprintf(name_opt, sizeof name_opt, "%s %s",
                 tenon_ip_parse(t->host, ip) ? "-verify_ip" : "-verify_hostname", t->host);
    }
    const char *purpose = t->purpose == SRV   ? "-purpose sslserver"
                          : t->purpose == CLI ? "-purpose sslclient"
                                              : "";
    char untrusted[600] = "";
    if (rest[0])
        snprintf(untrusted, sizeof untrusted, "-untrusted untrusted.tmp");
    return sh("cd %s && cat %s > anchors.tmp && cat %s > untrusted.tmp && openssl verify "
              "-x509_strict %s %s %s -CAfile anchors.tmp %s %s > ossl.log 2>&1",
              dir, anchors, rest[0] ? rest : "/dev/null", purpose, name_opt, t->ossl_extra,
              untrusted, leaf) == 0;
}

/* badsig.pem: leaf.pem with the last byte of its signature changed (still valid DER). */
static void make_bad_signature(void)
{
    static uint8_t der[8192];
    static char text[16384];
    char path[512];
    size_t len, dl;
    tenon_x509_cert c;
    snprintf(path, sizeof path, "%s/leaf.pem", dir);
    CHECK_RC(tenon_read_file(path, (uint8_t *)text, sizeof text, &len), 0);
    CHECK_RC(tenon_pem_decode(text, len, "CERTIFICATE", der, sizeof der, &dl), 0);
    CHECK_RC(tenon_x509_parse(&c, der, dl), 0);
    der[(size_t)(c.signature.ptr - der) + c.signature.len - 1] ^= 0x01;
    CHECK_RC(tenon_pem_encode("CERTIFICATE", der, dl, text, sizeof text, &len), 0);
    snprintf(path, sizeof path, "%s/badsig.pem", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fwrite(text, 1, len, f);
        fclose(f);
    }
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/tenon_chain_XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    const char *script = __FILE__;
    char gen[600];
    snprintf(gen, sizeof gen, "%.*sx509/gen_chains.sh", (int)(strrchr(script, '/') + 1 - script),
             script);
    if (sh("sh %s %s", gen, dir) != 0) {
        fprintf(stderr, "corpus generation failed (see %s/gen.log)\n", dir);
        CHECK(0);
        return tu_finish("test_x509_chain");
    }
    make_bad_signature();

    static uint8_t buf[1 << 18];
    unsigned agree = 0, explained = 0, unexplained = 0;
    for (size_t i = 0; i < NCASES; i++) {
        const tcase *t = &cases[i];
        tenon_x509_cert anchors[8], chain[8];
        size_t used = 0;
        tenon_x509_store store;
        size_t na = load_files(t->anchors, anchors, 8, buf, sizeof buf, &used);
        size_t nc = load_files(t->chain, chain, 8, buf, sizeof buf, &used);
        tenon_x509_store_init(&store, anchors, 8);
        store.count = na;
        tenon_x509_verify_params vp = {(int64_t)time(NULL), t->host, t->purpose, t->max_depth};
        int rc = tenon_x509_verify(&store, chain, nc, &vp);
        int ossl = openssl_verify(t);
        int ok = rc == t->expect;
        if (!CHECK(ok))
            fprintf(stderr, "  %s: tenon says %d (%s), expected %d (%s)\n", t->name, rc,
                    tenon_strerror(rc), t->expect, tenon_strerror(t->expect));
        if (!CHECK(ossl == t->openssl_accepts))
            fprintf(stderr, "  %s: openssl %s, expected otherwise\n", t->name,
                    ossl ? "accepts" : "rejects");
        int tenon_accepts = rc == 0;
        if (tenon_accepts == ossl) {
            agree++;
        } else if (t->why) {
            explained++;
            printf("  %-28s tenon %s, openssl %s: %s\n", t->name,
                   tenon_accepts ? "accepts" : "rejects", ossl ? "accepts" : "rejects", t->why);
        } else {
            unexplained++;
            CHECK(0);
        }
    }
    printf("chains: %zu cases, %u agree with openssl verify, %u differ as explained, %u "
           "unexplained\n",
           NCASES, agree, explained, unexplained);
    sh("rm -rf %s", dir);
    return tu_finish("test_x509_chain");
}
