/*
 * X.509: the system CA bundle (every certificate parses, every self-signed root verifies its
 * own signature), key files written by the openssl CLI in every supported format, and
 * certificates issued by tenon checked by `openssl verify` and `openssl x509 -text`.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define BUNDLE "/etc/ssl/certs/ca-certificates.crt"

static char tmpdir[256];

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    return rc == -1 ? -1 : WEXITSTATUS(rc);
}

static uint8_t *read_all(const char *path, size_t *len)
{
    static uint8_t buf[1 << 20];
    uint8_t *p = malloc(sizeof buf);
    if (!p || tenon_read_file(path, buf, sizeof buf, len) != 0) {
        free(p);
        return NULL;
    }
    memcpy(p, buf, *len);
    return p;
}

static void test_bundle(void)
{
    size_t len;
    uint8_t *pem = read_all(BUNDLE, &len);
    CHECK(pem != NULL);
    if (!pem)
        return;
    /* Parse every block individually, counting failures. */
    static uint8_t der[1 << 20];
    static tenon_x509_cert certs[512];
    size_t off = 0, used = 0, n = 0, parse_fail = 0;
    const char *label;
    size_t ll, dl;
    while (tenon_pem_next((const char *)pem, len, &off, &label, &ll, der + used, sizeof der - used,
                          &dl) == 0) {
        int rc = tenon_x509_parse(&certs[n], der + used, dl);
        if (rc != 0) {
            parse_fail++;
            fprintf(stderr, "  bundle cert %zu: %s\n", n, tenon_strerror(rc));
            continue;
        }
        used += dl;
        n++;
    }
    printf("bundle: %zu certificates parsed, %zu failed\n", n, parse_fail);
    CHECK(n >= 100);
    CHECK(parse_fail == 0);

    unsigned ok[16] = {0}, bad[16] = {0}, unsup[16] = {0};
    size_t self_issued = 0;
    int isrg = 0;
    for (size_t i = 0; i < n; i++) {
        const tenon_x509_cert *c = &certs[i];
        int rc = tenon_x509_check_signature(c, c);
        unsigned a = (unsigned)c->sig_alg;
        if (rc == 0)
            ok[a]++;
        else if (rc == TENON_ERR_CERT_UNSUPPORTED_ALG)
            unsup[a]++;
        else
            bad[a]++;
        if (rc != 0 && rc != TENON_ERR_CERT_UNSUPPORTED_ALG) {
            char name[200];
            tenon_x509_name_string(c->subject, name, sizeof name);
            fprintf(stderr, "  root %s: %s\n", name, tenon_strerror(rc));
        }
        if (c->subject.len == c->issuer.len &&
            memcmp(c->subject.ptr, c->issuer.ptr, c->subject.len) == 0)
            self_issued++;
        char full[256];
        tenon_x509_name_string(c->subject, full, sizeof full);
        if (strcmp(full, "C=US, O=Internet Security Research Group, CN=ISRG Root X1") == 0)
            isrg = 1;
        /* Names render without overflowing. */
        char small[16];
        size_t sl = tenon_x509_name_string(c->subject, small, sizeof small);
        CHECK(sl < sizeof small && small[sl] == 0);
    }
    static const char *names[] = {"unknown",      "rsa-sha1",     "rsa-sha256", "rsa-sha384",
                                  "rsa-sha512",   "rsa-pss",      "ecdsa-sha1", "ecdsa-sha256",
                                  "ecdsa-sha384", "ecdsa-sha512", "ed25519"};
    unsigned total_bad = 0, total_ok = 0;
    for (unsigned a = 0; a < 11; a++) {
        if (ok[a] + bad[a] + unsup[a] == 0)
            continue;
        printf("bundle self-signatures %-13s: %u verified, %u failed, %u unsupported\n", names[a],
               ok[a], bad[a], unsup[a]);
        total_bad += bad[a];
        total_ok += ok[a];
    }
    printf("bundle: %zu self-issued roots\n", self_issued);
    CHECK(self_issued == n);
    CHECK(isrg); /* the one-line rendering of a well-known name */
    CHECK(total_bad == 0);
    CHECK(total_ok >= 100);

    /* The store loader over the same bundle. */
    static tenon_x509_cert roots[512];
    tenon_x509_store store;
    tenon_x509_store_init(&store, roots, 512);
    size_t sused = 0, skipped = 0;
    CHECK_RC(
        tenon_x509_store_add_pem(&store, (const char *)pem, len, der, sizeof der, &sused, &skipped),
        0);
    CHECK(store.count == n && skipped == 0);
    /* A store too small for it. */
    tenon_x509_store_init(&store, roots, 10);
    sused = 0;
    CHECK_RC(
        tenon_x509_store_add_pem(&store, (const char *)pem, len, der, sizeof der, &sused, NULL),
        TENON_ERR_STORE_FULL);
    /* A DER buffer too small for it. */
    tenon_x509_store_init(&store, roots, 512);
    sused = 0;
    CHECK_RC(tenon_x509_store_add_pem(&store, (const char *)pem, len, der, 4000, &sused, NULL),
             TENON_ERR_BUFFER_TOO_SMALL);
    free(pem);

    /* A directory of PEM files (one file per root, as written here). */
    char dir[300];
    snprintf(dir, sizeof dir, "%s/certdir", tmpdir);
    /* One file per root, plus a broken PEM file (skipped) and a text file (ignored). */
    CHECK(sh("mkdir -p %s && cd %s && awk '/BEGIN CERT/{n++} {print > (\"c\" n \".pem\")}' %s"
             " && printf '%%s\\n' '-----BEGIN CERTIFICATE-----' '!!' '-----END CERTIFICATE-----'"
             " > broken.pem && echo text > notes.crt",
             dir, dir, BUNDLE) == 0);
    static uint8_t dirbuf[1 << 20];
    tenon_x509_store_init(&store, roots, 512);
    sused = 0;
    skipped = 0;
    CHECK_RC(tenon_x509_store_add_dir(&store, dir, dirbuf, sizeof dirbuf, &sused, &skipped), 0);
    printf("directory store: %zu certificates, %zu skipped\n", store.count, skipped);
    CHECK(store.count == n && skipped == 1);
    CHECK_RC(tenon_x509_store_add_dir(&store, "/nonexistent/dir", dirbuf, sizeof dirbuf, &sused,
                                      &skipped),
             TENON_ERR_FILE_IO);
}

/* ---- key files ---- */

static int load_cert_file(const char *path, uint8_t *der, size_t cap, tenon_x509_cert *cert)
{
    size_t len, dl;
    uint8_t *pem = read_all(path, &len);
    if (!pem)
        return -1;
    int rc = tenon_pem_decode((const char *)pem, len, "CERTIFICATE", der, cap, &dl);
    free(pem);
    if (rc == 0)
        rc = tenon_x509_parse(cert, der, dl);
    return rc;
}

static void key_case(const char *file, const char *certfile, tenon_key_type type)
{
    char path[400];
    static uint8_t buf[32768], der[8192];
    tenon_private_key key;
    tenon_x509_cert cert;
    tenon_public_key pub;
    snprintf(path, sizeof path, "%s/%s", tmpdir, file);
    int rc = tenon_private_key_load_file(&key, path, buf, sizeof buf);
    if (rc != 0)
        fprintf(stderr, "  %s: %s\n", file, tenon_strerror(rc));
    CHECK(rc == 0);
    CHECK(key.type == type);
    snprintf(path, sizeof path, "%s/%s", tmpdir, certfile);
    CHECK_RC(load_cert_file(path, der, sizeof der, &cert), 0);
    CHECK_RC(tenon_x509_public_key(&cert, &pub), 0);
    CHECK_RC(tenon_private_key_matches(&key, &pub), 0);
    tenon_private_key_wipe(&key);
}

static void test_keys(void)
{
    const char *d = tmpdir;
    /* Keys in every format OpenSSL writes, and a self-signed certificate for each key. */
    int rc = sh("cd %s && set -e; exec 2>/dev/null >/dev/null;"
                "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.p8.pem;"
                "openssl rsa -in rsa.p8.pem -traditional -out rsa.p1.pem;"
                "openssl rsa -in rsa.p8.pem -traditional -outform DER -out rsa.p1.der;"
                "openssl pkcs8 -topk8 -nocrypt -in rsa.p8.pem -outform DER -out rsa.p8.der;"
                "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec256.p8.pem;"
                "openssl ec -in ec256.p8.pem -out ec256.sec1.pem;"
                "openssl ec -in ec256.p8.pem -outform DER -out ec256.sec1.der;"
                "openssl pkcs8 -topk8 -nocrypt -in ec256.p8.pem -outform DER -out ec256.p8.der;"
                "openssl ecparam -name secp384r1 -genkey -out ec384.params.pem;"
                "openssl pkcs8 -topk8 -nocrypt -in ec384.params.pem -out ec384.p8.pem;"
                "openssl ec -in ec384.params.pem -out ec384.sec1.pem;"
                "openssl ec -in ec384.params.pem -no_public -out ec384.nopub.pem;"
                "openssl pkcs8 -topk8 -in ec256.p8.pem -passout pass:secret -out ec256.enc.pem;"
                "openssl ec -in ec256.p8.pem -aes128 -passout pass:secret -out ec256.encleg.pem;"
                "openssl genpkey -algorithm ED25519 -out ed.pem;"
                "openssl req -new -x509 -key ed.pem -subj /CN=ed -days 30 -out ed.crt;"
                "openssl genpkey -algorithm ED448 -out ed448.pem;"
                "openssl req -new -x509 -key ed448.pem -subj /CN=ed448 -days 30 -out ed448.crt;"
                "for k in rsa.p8 ec256.p8 ec384.p8; do openssl req -new -x509 -key $k.pem "
                "-subj /CN=$k -days 30 -out $k.crt; done",
                d);
    CHECK(rc == 0);
    if (rc != 0)
        return;
    key_case("rsa.p8.pem", "rsa.p8.crt", TENON_KEY_RSA);
    key_case("rsa.p8.der", "rsa.p8.crt", TENON_KEY_RSA);
    key_case("rsa.p1.pem", "rsa.p8.crt", TENON_KEY_RSA);
    key_case("rsa.p1.der", "rsa.p8.crt", TENON_KEY_RSA);
    key_case("ec256.p8.pem", "ec256.p8.crt", TENON_KEY_EC);
    key_case("ec256.p8.der", "ec256.p8.crt", TENON_KEY_EC);
    key_case("ec256.sec1.pem", "ec256.p8.crt", TENON_KEY_EC);
    key_case("ec256.sec1.der", "ec256.p8.crt", TENON_KEY_EC);
    key_case("ec384.params.pem", "ec384.p8.crt", TENON_KEY_EC);
    key_case("ec384.p8.pem", "ec384.p8.crt", TENON_KEY_EC);
    key_case("ec384.sec1.pem", "ec384.p8.crt", TENON_KEY_EC);
    key_case("ec384.nopub.pem", "ec384.p8.crt", TENON_KEY_EC);

    /* Mismatched key and certificate. */
    {
        static uint8_t buf[32768], der[8192];
        char path[400];
        tenon_private_key key;
        tenon_x509_cert cert;
        tenon_public_key pub;
        snprintf(path, sizeof path, "%s/ec256.p8.pem", d);
        CHECK_RC(tenon_private_key_load_file(&key, path, buf, sizeof buf), 0);
        snprintf(path, sizeof path, "%s/ec384.p8.crt", d);
        CHECK_RC(load_cert_file(path, der, sizeof der, &cert), 0);
        CHECK_RC(tenon_x509_public_key(&cert, &pub), 0);
        CHECK_RC(tenon_private_key_matches(&key, &pub), TENON_ERR_KEY_MISMATCH);
        /* The SPKI alone. */
        tenon_public_key p2;
        CHECK_RC(tenon_public_key_parse_spki(&p2, cert.spki.ptr, cert.spki.len), 0);
        CHECK(p2.type == TENON_KEY_EC && p2.u.ec.curve == TENON_EC_P384);
        CHECK_RC(tenon_public_key_parse_spki(&p2, cert.spki.ptr, cert.spki.len - 1),
                 TENON_ERR_KEY_MALFORMED);
    }
    /* Encrypted keys and unsupported types are refused with their own errors. */
    static uint8_t buf[32768];
    char path[400];
    tenon_private_key key;
    snprintf(path, sizeof path, "%s/ec256.enc.pem", d);
    CHECK_RC(tenon_private_key_load_file(&key, path, buf, sizeof buf), TENON_ERR_KEY_ENCRYPTED);
    snprintf(path, sizeof path, "%s/ec256.encleg.pem", d);
    CHECK_RC(tenon_private_key_load_file(&key, path, buf, sizeof buf), TENON_ERR_KEY_ENCRYPTED);
    snprintf(path, sizeof path, "%s/ed448.pem", d);
    CHECK_RC(tenon_private_key_load_file(&key, path, buf, sizeof buf), TENON_ERR_KEY_UNSUPPORTED);
    snprintf(path, sizeof path, "%s/missing.pem", d);
    CHECK_RC(tenon_private_key_load_file(&key, path, buf, sizeof buf), TENON_ERR_FILE_IO);
    snprintf(path, sizeof path, "%s/rsa.p8.crt", d);
    CHECK_RC(tenon_private_key_load_file(&key, path, buf, sizeof buf), TENON_ERR_PEM_NOT_FOUND);
    snprintf(path, sizeof path, "%s/rsa.p8.pem", d);
    CHECK_RC(tenon_private_key_load_file(&key, path, buf, 1000), TENON_ERR_BUFFER_TOO_SMALL);
    /* Ed25519 (RFC 8410): the key file loads, the certificate's key matches it and its
     * self-signature verifies. Ed448 certificates parse, and are refused cleanly. */
    {
        static uint8_t der[4096];
        tenon_x509_cert cert;
        tenon_public_key pub;
        snprintf(path, sizeof path, "%s/ed.pem", d);
        CHECK_RC(tenon_private_key_load_file(&key, path, buf, sizeof buf), TENON_OK);
        CHECK(key.type == TENON_KEY_ED25519);
        snprintf(path, sizeof path, "%s/ed.crt", d);
        CHECK_RC(load_cert_file(path, der, sizeof der, &cert), 0);
        CHECK(cert.sig_alg == TENON_X509_SIG_ED25519 && cert.key_alg == TENON_X509_KEY_ED25519);
        CHECK_RC(tenon_x509_check_signature(&cert, &cert), TENON_OK);
        CHECK_RC(tenon_x509_public_key(&cert, &pub), TENON_OK);
        CHECK_RC(tenon_private_key_matches(&key, &pub), TENON_OK);
        CHECK_RC(tenon_public_key_parse_spki(&pub, cert.spki.ptr, cert.spki.len), TENON_OK);
        CHECK(pub.type == TENON_KEY_ED25519);
        snprintf(path, sizeof path, "%s/ed448.crt", d);
        CHECK_RC(load_cert_file(path, der, sizeof der, &cert), 0);
        CHECK(cert.sig_alg == TENON_X509_SIG_UNKNOWN && cert.key_alg == TENON_X509_KEY_UNKNOWN);
        CHECK_RC(tenon_x509_check_signature(&cert, &cert), TENON_ERR_CERT_UNSUPPORTED_ALG);
        CHECK_RC(tenon_x509_public_key(&cert, &pub), TENON_ERR_CERT_UNSUPPORTED_ALG);
        CHECK_RC(tenon_public_key_parse_spki(&pub, cert.spki.ptr, cert.spki.len),
                 TENON_ERR_KEY_UNSUPPORTED);
    }
    printf("key files: 12 formats loaded and matched\n");
}

/* ---- issuance ---- */

static int write_file(const char *name, const void *p, size_t n)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(p, 1, n, f);
    fclose(f);
    return w == n ? 0 : -1;
}

static void test_issue(void)
{
    tenon_ec_private_key ca_key, leaf_key;
    CHECK_RC(tenon_ec_keygen(TENON_EC_P256, &ca_key), 0);
    CHECK_RC(tenon_ec_keygen(TENON_EC_P256, &leaf_key), 0);
    int64_t now = (int64_t)time(NULL);
    tenon_x509_issue_params cp = {0};
    cp.subject_cn = "tenon test CA";
    cp.subject_o = "tenon";
    cp.not_before = now - 3600;
    cp.not_after = now + 86400 * 365;
    cp.is_ca = 1;
    cp.path_len = 0;
    cp.key_usage = TENON_KU_KEY_CERT_SIGN | TENON_KU_CRL_SIGN;
    static uint8_t ca_der[4096], leaf_der[4096];
    size_t ca_len, leaf_len;
    CHECK_RC(tenon_x509_issue(&cp, &ca_key.pub, NULL, &ca_key, ca_der, sizeof ca_der, &ca_len), 0);
    tenon_x509_cert ca;
    CHECK_RC(tenon_x509_parse(&ca, ca_der, ca_len), 0);
    CHECK(ca.is_ca && ca.path_len == 0 && ca.key_alg == TENON_X509_KEY_EC_P256);
    CHECK_RC(tenon_x509_check_signature(&ca, &ca), 0);

    tenon_x509_issue_params lp = {0};
    lp.subject_cn = "localhost";
    lp.not_before = now - 3600;
    lp.not_after = now + 86400 * 30;
    lp.path_len = -1;
    lp.key_usage = TENON_KU_DIGITAL_SIGNATURE;
    lp.ext_key_usage = TENON_EKU_SERVER_AUTH | TENON_EKU_CLIENT_AUTH;
    lp.dns_names[0] = "localhost";
    lp.dns_names[1] = "*.test.example";
    lp.ip_addrs[0] = "127.0.0.1";
    lp.ip_addrs[1] = "::1";
    CHECK_RC(
        tenon_x509_issue(&lp, &leaf_key.pub, &ca, &ca_key, leaf_der, sizeof leaf_der, &leaf_len),
        0);
    /* The wrong issuing key is refused; a small buffer is an error, not a truncation. */
    CHECK_RC(
        tenon_x509_issue(&lp, &leaf_key.pub, &ca, &leaf_key, leaf_der, sizeof leaf_der, &leaf_len),
        TENON_ERR_KEY_MISMATCH);
    size_t tmp;
    CHECK_RC(tenon_x509_issue(&lp, &leaf_key.pub, &ca, &ca_key, leaf_der, 200, &tmp),
             TENON_ERR_BUFFER_TOO_SMALL);
    CHECK_RC(
        tenon_x509_issue(&lp, &leaf_key.pub, &ca, &ca_key, leaf_der, sizeof leaf_der, &leaf_len),
        0);
    tenon_x509_cert leaf;
    CHECK_RC(tenon_x509_parse(&leaf, leaf_der, leaf_len), 0);
    CHECK(leaf.san_dns_count == 2 && leaf.san_ip_count == 2);
    CHECK(leaf.authority_key_id.len == 20 &&
          memcmp(leaf.authority_key_id.ptr, ca.subject_key_id.ptr, 20) == 0);

    /* tenon's own verification. */
    tenon_x509_cert roots[1];
    tenon_x509_store store;
    tenon_x509_store_init(&store, roots, 1);
    CHECK_RC(tenon_x509_store_add_der(&store, ca_der, ca_len), 0);
    tenon_x509_verify_params vp = {now, "localhost", TENON_X509_PURPOSE_SERVER, 0};
    CHECK_RC(tenon_x509_verify(&store, &leaf, 1, &vp), 0);
    vp.hostname = "a.test.example";
    CHECK_RC(tenon_x509_verify(&store, &leaf, 1, &vp), 0);
    vp.hostname = "::1";
    CHECK_RC(tenon_x509_verify(&store, &leaf, 1, &vp), 0);
    vp.hostname = "127.0.0.2";
    CHECK_RC(tenon_x509_verify(&store, &leaf, 1, &vp), TENON_ERR_CERT_NAME_MISMATCH);

    /* PEM round trip, then OpenSSL's opinion. */
    static char ca_pem[8192], leaf_pem[8192];
    size_t ca_pem_len, leaf_pem_len;
    CHECK_RC(tenon_pem_encode("CERTIFICATE", ca_der, ca_len, ca_pem, sizeof ca_pem, &ca_pem_len),
             0);
    CHECK_RC(tenon_pem_encode("CERTIFICATE", leaf_der, leaf_len, leaf_pem, sizeof leaf_pem,
                              &leaf_pem_len),
             0);
    static uint8_t back[4096];
    size_t back_len;
    CHECK_RC(tenon_pem_decode(leaf_pem, leaf_pem_len, "CERTIFICATE", back, sizeof back, &back_len),
             0);
    CHECK(back_len == leaf_len && memcmp(back, leaf_der, leaf_len) == 0);
    CHECK(write_file("tenon_ca.pem", ca_pem, ca_pem_len) == 0);
    CHECK(write_file("tenon_leaf.pem", leaf_pem, leaf_pem_len) == 0);
    CHECK(sh("cd %s && openssl verify -x509_strict -purpose sslserver -verify_hostname localhost "
             "-CAfile tenon_ca.pem tenon_leaf.pem >/dev/null",
             tmpdir) == 0);
    CHECK(sh("cd %s && openssl verify -x509_strict -verify_ip ::1 -CAfile tenon_ca.pem "
             "tenon_leaf.pem >/dev/null",
             tmpdir) == 0);
    CHECK(sh("cd %s && openssl x509 -in tenon_leaf.pem -noout -text > leaf.txt && "
             "grep -q 'DNS:localhost, DNS:\\*.test.example, IP Address:127.0.0.1, IP "
             "Address:0:0:0:0:0:0:0:1' leaf.txt && grep -q 'CA:FALSE' leaf.txt && "
             "grep -q 'TLS Web Server Authentication, TLS Web Client Authentication' leaf.txt",
             tmpdir) == 0);
    CHECK(sh("cd %s && openssl x509 -in tenon_ca.pem -noout -text | grep -q 'CA:TRUE, "
             "pathlen:0'",
             tmpdir) == 0);
    /* A P-384 subject key under the P-256 CA. */
    tenon_ec_private_key k384;
    CHECK_RC(tenon_ec_keygen(TENON_EC_P384, &k384), 0);
    CHECK_RC(tenon_x509_issue(&lp, &k384.pub, &ca, &ca_key, leaf_der, sizeof leaf_der, &leaf_len),
             0);
    CHECK_RC(tenon_x509_parse(&leaf, leaf_der, leaf_len), 0);
    CHECK(leaf.key_alg == TENON_X509_KEY_EC_P384);
    CHECK_RC(tenon_x509_check_signature(&leaf, &ca), 0);
    CHECK_RC(tenon_pem_encode("CERTIFICATE", leaf_der, leaf_len, leaf_pem, sizeof leaf_pem,
                              &leaf_pem_len),
             0);
    CHECK(write_file("tenon_leaf384.pem", leaf_pem, leaf_pem_len) == 0);
    CHECK(sh("cd %s && openssl verify -x509_strict -CAfile tenon_ca.pem tenon_leaf384.pem "
             ">/dev/null",
             tmpdir) == 0);
    /* Far-future validity uses GeneralizedTime (RFC 5280 §4.1.2.5). */
    cp.not_after = 4102444800LL + 86400; /* 2100-01-02 */
    CHECK_RC(tenon_x509_issue(&cp, &ca_key.pub, NULL, &ca_key, ca_der, sizeof ca_der, &ca_len), 0);
    CHECK_RC(tenon_x509_parse(&ca, ca_der, ca_len), 0);
    CHECK(ca.not_after == 4102444800LL + 86400);
    tenon_ec_private_key_wipe(&ca_key);
    tenon_ec_private_key_wipe(&leaf_key);
    printf("issuance: CA and leaves accepted by openssl verify\n");
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tenon_x509_XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_bundle();
    test_keys();
    test_issue();
    sh("rm -rf %s", tmpdir);
    return tu_finish("test_x509");
}
