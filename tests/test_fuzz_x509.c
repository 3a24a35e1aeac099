/*
 * Fuzz target for the x509 layer (DER walker, PEM, certificates, key files, path validation),
 * and a replay driver: main() runs it over thousands of deterministic mutations of real
 * certificates (the system CA bundle and a chain issued by tenon) and of their PEM text. Built
 * with -DTENON_LIBFUZZER and -fsanitize=fuzzer, the same target runs under libFuzzer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "x509/der.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CHAIN 6

static uint8_t scratch[1 << 16];
static unsigned long odd_results;

/* Every result is 0 or a negative error code that tenon_strerror knows. */
static void note(int rc)
{
    if (rc > 0 || (rc < 0 && strcmp(tenon_strerror(rc), "unknown error") == 0))
        odd_results++;
}

static void fuzz_cert(const tenon_x509_cert *c)
{
    char name[128];
    tenon_x509_name_string(c->subject, name, sizeof name);
    tenon_x509_name_string(c->issuer, name, 8);
    size_t off = 0;
    int tag;
    tenon_bytes v;
    while (tenon_x509_general_name_next(c->san, 0, &off, &tag, &v) == 0)
        ;
    off = 0;
    while (tenon_x509_general_name_next(c->nc_permitted, 1, &off, &tag, &v) == 0)
        ;
    note(tenon_x509_check_host(c, "www.example.com"));
    note(tenon_x509_check_host(c, "a.b.example.com"));
    note(tenon_x509_check_host(c, "192.0.2.1"));
    note(tenon_x509_check_host(c, "2001:db8::1"));
    tenon_public_key key;
    note(tenon_x509_public_key(c, &key));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* DER structure. */
    note(der_validate(data, size));

    /* PEM: every block of the text. */
    size_t off = 0;
    const char *label;
    size_t ll, n;
    for (int i = 0; i < 8; i++) {
        int rc = tenon_pem_next((const char *)data, size, &off, &label, &ll, scratch,
                                sizeof scratch, &n);
        if (rc == TENON_ERR_PEM_NOT_FOUND)
            break;
        if (rc == 0) {
            tenon_x509_cert c;
            if (tenon_x509_parse(&c, scratch, n) == 0)
                fuzz_cert(&c);
        }
    }

    /* Key files. */
    tenon_private_key pk;
    note(tenon_private_key_parse_der(&pk, data, size));
    tenon_private_key_wipe(&pk);
    tenon_public_key pub;
    note(tenon_public_key_parse_spki(&pub, data, size));

    /* Certificates: a sequence of DER certificates is a chain, leaf first; the last one parsed
     * is also the trust anchor, so the whole path builder runs. */
    tenon_x509_cert chain[MAX_CHAIN];
    size_t nc = 0;
    off = 0;
    while (nc < MAX_CHAIN && off < size && tenon_x509_parse_next(&chain[nc], data, size, &off) == 0)
        fuzz_cert(&chain[nc++]);
    if (nc > 0) {
        note(tenon_x509_check_signature(&chain[0], &chain[nc - 1]));
        tenon_x509_store store;
        tenon_x509_store_init(&store, &chain[nc - 1], 1);
        store.count = 1;
        tenon_x509_verify_params vp = {1700000000, "www.example.com", TENON_X509_PURPOSE_SERVER, 0};
        note(tenon_x509_verify(&store, chain, nc, &vp));
        vp.hostname = NULL;
        vp.now = 1900000000;
        note(tenon_x509_verify(&store, chain, nc, &vp));
    }
    return 0;
}

#ifndef TENON_LIBFUZZER

static void mutate(uint8_t *p, size_t *len, size_t cap)
{
    unsigned kind = (unsigned)(tu_rand_u64() % 8);
    size_t n = *len;
    if (n == 0)
        return;
    size_t at = (size_t)(tu_rand_u64() % n);
    switch (kind) {
    case 0:
        p[at] ^= (uint8_t)(1u << (tu_rand_u64() % 8));
        break; /* bit flip */
    case 1:
        p[at] = (uint8_t)tu_rand_u64();
        break; /* random byte */
    case 2:
        *len = at;
        break; /* truncation */
    case 3: {  /* length-ish values */
        static const uint8_t v[] = {0x00, 0x7f, 0x80, 0x81, 0x82, 0x84, 0xff, 0x30, 0xa3};
        p[at] = v[tu_rand_u64() % sizeof v];
        break;
    }
    case 4: /* insert a byte */
        if (n < cap) {
            memmove(p + at + 1, p + at, n - at);
            p[at] = (uint8_t)tu_rand_u64();
            (*len)++;
        }
        break;
    case 5: /* delete a run */
    {
        size_t k = 1 + (size_t)(tu_rand_u64() % 16);
        if (k > n - at)
            k = n - at;
        memmove(p + at, p + at + k, n - at - k);
        *len -= k;
        break;
    }
    case 6: /* duplicate a run (e.g. an extension) */
    {
        size_t k = 1 + (size_t)(tu_rand_u64() % 64);
        if (k > n - at)
            k = n - at;
        if (n + k <= cap) {
            memmove(p + at + k, p + at, n - at);
            (*len) += k;
        }
        break;
    }
    default: /* a few random flips */
        for (int i = 0; i < 4; i++)
            p[tu_rand_u64() % n] ^= (uint8_t)tu_rand_u64();
        break;
    }
}

int main(void)
{
    static uint8_t seeds[64][4096];
    static size_t seed_len[64];
    size_t nseeds = 0;

    /* A chain issued by tenon: leaf || CA, and each alone. */
    tenon_ec_private_key ca_key, leaf_key;
    CHECK_RC(tenon_ec_keygen(TENON_EC_P256, &ca_key), 0);
    CHECK_RC(tenon_ec_keygen(TENON_EC_P256, &leaf_key), 0);
    tenon_x509_issue_params cp = {0};
    cp.subject_cn = "fuzz CA";
    cp.not_before = 1600000000;
    cp.not_after = 2000000000;
    cp.is_ca = 1;
    cp.path_len = 1;
    cp.key_usage = TENON_KU_KEY_CERT_SIGN;
    tenon_x509_cert ca;
    size_t ca_len, leaf_len;
    static uint8_t ca_der[2048];
    CHECK_RC(tenon_x509_issue(&cp, &ca_key.pub, NULL, &ca_key, ca_der, sizeof ca_der, &ca_len), 0);
    CHECK_RC(tenon_x509_parse(&ca, ca_der, ca_len), 0);
    tenon_x509_issue_params lp = {0};
    lp.subject_cn = "www.example.com";
    lp.not_before = 1600000000;
    lp.not_after = 2000000000;
    lp.path_len = -1;
    lp.ext_key_usage = TENON_EKU_SERVER_AUTH;
    lp.dns_names[0] = "www.example.com";
    lp.dns_names[1] = "*.example.com";
    lp.ip_addrs[0] = "192.0.2.1";
    CHECK_RC(
        tenon_x509_issue(&lp, &leaf_key.pub, &ca, &ca_key, seeds[0], sizeof seeds[0], &leaf_len),
        0);
    memcpy(seeds[0] + leaf_len, ca_der, ca_len);
    seed_len[0] = leaf_len + ca_len;
    memcpy(seeds[1], ca_der, ca_len);
    seed_len[1] = ca_len;
    nseeds = 2;

    /* Certificates from the system bundle: every fourth one, up to the seed table's size. */
    static uint8_t bundle[1 << 20];
    size_t blen, off = 0, k = 0;
    if (tenon_read_file("/etc/ssl/certs/ca-certificates.crt", bundle, sizeof bundle, &blen) == 0) {
        const char *label;
        size_t ll, dl;
        while (nseeds < 48 && tenon_pem_next((const char *)bundle, blen, &off, &label, &ll,
                                             seeds[nseeds], sizeof seeds[nseeds], &dl) == 0) {
            if (k++ % 4)
                continue;
            seed_len[nseeds++] = dl;
        }
    }
    CHECK(nseeds >= 20);
    /* Seeds in PEM form too, for the PEM decoder. */
    size_t nder = nseeds;
    for (size_t i = 0; i < 8 && nseeds < 64; i++) {
        size_t tl;
        if (tenon_pem_encode("CERTIFICATE", seeds[i], seed_len[i], (char *)seeds[nseeds],
                             sizeof seeds[nseeds], &tl) == 0)
            seed_len[nseeds++] = tl;
    }

    /* The seeds themselves first. */
    for (size_t i = 0; i < nseeds; i++)
        LLVMFuzzerTestOneInput(seeds[i], seed_len[i]);

    static uint8_t buf[8192];
    size_t runs = 0;
    tu_seed(0x5eed);
    for (size_t i = 0; i < nseeds; i++) {
        unsigned per = i < 2 ? 1500 : 120;
        for (unsigned r = 0; r < per; r++) {
            size_t len = seed_len[i];
            memcpy(buf, seeds[i], len);
            unsigned muts = 1 + (unsigned)(tu_rand_u64() % 3);
            for (unsigned m = 0; m < muts; m++)
                mutate(buf, &len, sizeof buf);
            LLVMFuzzerTestOneInput(buf, len);
            runs++;
        }
    }
    printf("fuzz replay: %zu seeds (%zu DER, %zu PEM), %zu mutated inputs, no crash\n", nseeds,
           nder, nseeds - nder, runs);
    CHECK(runs >= 5000);
    CHECK(odd_results == 0);
    tenon_ec_private_key_wipe(&ca_key);
    tenon_ec_private_key_wipe(&leaf_key);
    return tu_finish("test_fuzz_x509");
}

#endif
