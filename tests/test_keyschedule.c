/*
 * The TLS 1.3 key schedule against RFC 8448 §3 (Simple 1-RTT Handshake), value by value; the
 * trace events it reports; and the exporter, KeyUpdate and HkdfLabel encoding cross-checked
 * against OpenSSL's HKDF with HkdfLabel built here byte by byte.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "testutil.h"
#include "tls/keyschedule.h"

#define ARRAY_LEN_T(a) (sizeof(a) / sizeof((a)[0]))

static cJSON *root;
static const cJSON *derived, *inputs, *messages;

/* A hex member of "derived", decoded (freed by the caller). */
static uint8_t *dv(const char *key, size_t *len)
{
    return tu_json_hex(derived, key, len);
}

static void check_derived(const uint8_t *got, size_t got_len, const char *key)
{
    size_t n;
    uint8_t *want = dv(key, &n);
    CHECK(n == got_len);
    CHECK_MEM(got, want, n < got_len ? n : got_len, key);
    free(want);
}

/* SHA-256 over the concatenation of the named handshake messages (inputs or messages). */
static void transcript(const char *const *names, size_t count, uint8_t out[32])
{
    tenon_hash_ctx ctx;
    tenon_sha256.init(&ctx);
    for (size_t i = 0; i < count; i++) {
        const cJSON *where = cJSON_GetObjectItemCaseSensitive(inputs, names[i]) ? inputs : messages;
        size_t n;
        uint8_t *m = tu_json_hex(where, names[i], &n);
        tenon_sha256.update(&ctx, m, n);
        free(m);
    }
    tenon_sha256.final(&ctx, out);
}

static const char *const TH_CH_SH[] = {"client_hello", "server_hello"};
static const char *const TH_CH_CV[] = {"client_hello", "server_hello", "encrypted_extensions",
                                       "certificate", "certificate_verify"};
static const char *const TH_CH_SF[] = {"client_hello", "server_hello",       "encrypted_extensions",
                                       "certificate",  "certificate_verify", "server_finished"};
static const char *const TH_CH_CF[] = {
    "client_hello",       "server_hello",    "encrypted_extensions", "certificate",
    "certificate_verify", "server_finished", "client_finished"};

/* ------------------------------------------------------------------------------------------
 * RFC 8448 §3, value by value
 * ------------------------------------------------------------------------------------------ */

static void test_rfc8448(void)
{
    const tenon_hash_class *h = &tenon_sha256;
    tls13_schedule ks;
    uint8_t th[32], th_cv[32], th_sf[32], th_cf[32];
    uint8_t out[TLS13_MAX_HASH], key[16], iv[12];
    size_t n;

    transcript(TH_CH_SH, 2, th);
    check_derived(th, 32, "transcript_hash_ch_sh");
    transcript(TH_CH_CV, 5, th_cv);
    transcript(TH_CH_SF, 6, th_sf);
    check_derived(th_sf, 32, "transcript_hash_ch_server_finished");
    transcript(TH_CH_CF, 7, th_cf);
    check_derived(th_cf, 32, "transcript_hash_ch_client_finished");

    /* {server} extract secret "early" (no PSK). */
    CHECK_RC(tls13_early_secret(&ks, h, NULL, 0, NULL), TENON_OK);
    CHECK(ks.hash == h);
    check_derived(ks.early_secret, 32, "early_secret");

    /* derive secret for handshake "tls13 derived", checked on its own first. */
    uint8_t empty[32];
    tenon_hash(h, "", 0, empty);
    CHECK_RC(tls13_derive_secret(h, ks.early_secret, "derived", empty, out, NULL), TENON_OK);
    check_derived(out, 32, "derived_for_handshake");

    uint8_t *ecdhe = dv("ecdhe_shared_secret", &n);
    CHECK_RC(tls13_handshake_secret(&ks, ecdhe, n, NULL), TENON_OK);
    free(ecdhe);
    check_derived(ks.handshake_secret, 32, "handshake_secret");

    uint8_t chts[32], shts[32], cats[32], sats[32];
    CHECK_RC(tls13_derive_secret(h, ks.handshake_secret, "c hs traffic", th, chts, NULL), TENON_OK);
    check_derived(chts, 32, "client_handshake_traffic_secret");
    CHECK_RC(tls13_derive_secret(h, ks.handshake_secret, "s hs traffic", th, shts, NULL), TENON_OK);
    check_derived(shts, 32, "server_handshake_traffic_secret");

    CHECK_RC(tls13_derive_secret(h, ks.handshake_secret, "derived", empty, out, NULL), TENON_OK);
    check_derived(out, 32, "derived_for_master");
    CHECK_RC(tls13_master_secret(&ks, NULL), TENON_OK);
    check_derived(ks.master_secret, 32, "master_secret");

    /* Handshake traffic keys. */
    CHECK_RC(tls13_traffic_keys(h, shts, 16, key, iv, NULL), TENON_OK);
    check_derived(key, 16, "server_handshake_write_key");
    check_derived(iv, 12, "server_handshake_write_iv");
    CHECK_RC(tls13_traffic_keys(h, chts, 16, key, iv, NULL), TENON_OK);
    check_derived(key, 16, "client_handshake_write_key");
    check_derived(iv, 12, "client_handshake_write_iv");

    /* Finished keys and verify_data: the finished key on its own through Expand-Label, then the
     * whole of tls13_finished. */
    CHECK_RC(tls13_hkdf_expand_label(h, shts, "finished", NULL, 0, out, 32, NULL), TENON_OK);
    check_derived(out, 32, "server_finished_key");
    CHECK_RC(tls13_finished(h, shts, th_cv, out, NULL), TENON_OK);
    check_derived(out, 32, "server_finished_verify_data");
    CHECK_RC(tls13_hkdf_expand_label(h, chts, "finished", NULL, 0, out, 32, NULL), TENON_OK);
    check_derived(out, 32, "client_finished_key");
    CHECK_RC(tls13_finished(h, chts, th_sf, out, NULL), TENON_OK);
    check_derived(out, 32, "client_finished_verify_data");
    /* The Finished messages of the JSON carry exactly that verify_data. */
    uint8_t *sfin = tu_json_hex(messages, "server_finished", &n);
    CHECK(n == 36);
    CHECK_RC(tls13_finished(h, shts, th_cv, out, NULL), TENON_OK);
    CHECK_MEM(sfin + 4, out, 32, "server Finished message body");
    free(sfin);

    /* The same three, and the two handshake traffic secrets, derived together from one keyed
     * secret. */
    {
        uint8_t c2[32], s2[32], e2[32], ch2[32], sh2[32];
        const char *const ap[3] = {"c ap traffic", "s ap traffic", "exp master"};
        uint8_t *const ap_out[3] = {c2, s2, e2};
        CHECK_RC(tls13_derive_secrets(h, ks.master_secret, th_sf, 3, ap, ap_out, NULL), TENON_OK);
        check_derived(c2, 32, "client_application_traffic_secret_0");
        check_derived(s2, 32, "server_application_traffic_secret_0");
        check_derived(e2, 32, "exporter_master_secret");
        const char *const hs[2] = {"c hs traffic", "s hs traffic"};
        uint8_t *const hs_out[2] = {ch2, sh2};
        CHECK_RC(tls13_derive_secrets(h, ks.handshake_secret, th, 2, hs, hs_out, NULL), TENON_OK);
        check_derived(ch2, 32, "client_handshake_traffic_secret");
        check_derived(sh2, 32, "server_handshake_traffic_secret");
        const char *const bad[2] = {"c hs traffic", NULL};
        CHECK_RC(tls13_derive_secrets(h, ks.handshake_secret, th, 2, bad, hs_out, NULL),
                 TENON_ERR_INVALID_ARGUMENT);
    }

    /* Application traffic secrets (transcript through server Finished), exporter master. */
    CHECK_RC(tls13_derive_secret(h, ks.master_secret, "c ap traffic", th_sf, cats, NULL), TENON_OK);
    check_derived(cats, 32, "client_application_traffic_secret_0");
    CHECK_RC(tls13_derive_secret(h, ks.master_secret, "s ap traffic", th_sf, sats, NULL), TENON_OK);
    check_derived(sats, 32, "server_application_traffic_secret_0");
    CHECK_RC(tls13_derive_secret(h, ks.master_secret, "exp master", th_sf, out, NULL), TENON_OK);
    check_derived(out, 32, "exporter_master_secret");

    CHECK_RC(tls13_traffic_keys(h, sats, 16, key, iv, NULL), TENON_OK);
    check_derived(key, 16, "server_application_write_key");
    check_derived(iv, 12, "server_application_write_iv");
    CHECK_RC(tls13_traffic_keys(h, cats, 16, key, iv, NULL), TENON_OK);
    check_derived(key, 16, "client_application_write_key");
    check_derived(iv, 12, "client_application_write_iv");

    /* Resumption master (transcript through client Finished) and the ticket PSK of the
     * NewSessionTicket (nonce 00 00). */
    uint8_t rms[32];
    CHECK_RC(tls13_derive_secret(h, ks.master_secret, "res master", th_cf, rms, NULL), TENON_OK);
    check_derived(rms, 32, "resumption_master_secret");
    static const uint8_t nonce0[2] = {0, 0};
    CHECK_RC(tls13_ticket_psk(h, rms, nonce0, sizeof nonce0, out, NULL), TENON_OK);
    check_derived(out, 32, "resumption_psk_nonce_0000");

    /* The NewSessionTicket message itself says nonce 00 00: check the JSON agrees with that
     * reading (struct: lifetime(4) age_add(4) nonce<0..255>). */
    uint8_t *nst = tu_json_hex(messages, "new_session_ticket", &n);
    CHECK(n > 13 && nst[12] == 2 && nst[13] == 0 && nst[14] == 0);
    free(nst);

    /* The resumption PSK starts a schedule of its own: its binder key exists and differs for
     * "res binder" and "ext binder". */
    tls13_schedule ks2;
    uint8_t b1[32], b2[32];
    CHECK_RC(tls13_early_secret(&ks2, h, out, 32, NULL), TENON_OK);
    CHECK_RC(tls13_binder_key(&ks2, 0, b1, NULL), TENON_OK);
    CHECK_RC(tls13_binder_key(&ks2, 1, b2, NULL), TENON_OK);
    CHECK(memcmp(b1, b2, 32) != 0);
    tls13_schedule_wipe(&ks2);

    tls13_schedule_wipe(&ks);
    static const uint8_t zero[sizeof ks.master_secret];
    CHECK(ks.hash == NULL && memcmp(ks.master_secret, zero, sizeof zero) == 0);
}

/* ------------------------------------------------------------------------------------------
 * Trace events
 * ------------------------------------------------------------------------------------------ */

#define MAX_EVENTS 64

typedef struct rec_event {
    tenon_trace_type type;
    char label[32];
    size_t nvalues;
    char names[3][24];
    int secret[3];
    int has_data[3];
    size_t len[3];
    uint8_t data[3][48];
} rec_event;

typedef struct recorder {
    rec_event ev[MAX_EVENTS];
    size_t n;
} recorder;

static void on_event(void *user, const tenon_trace_event *ev)
{
    recorder *r = user;
    if (r->n >= MAX_EVENTS)
        return;
    rec_event *e = &r->ev[r->n++];
    memset(e, 0, sizeof *e);
    e->type = ev->type;
    snprintf(e->label, sizeof e->label, "%s", ev->label);
    e->nvalues = ev->nvalues;
    for (size_t i = 0; i < ev->nvalues && i < 3; i++) {
        snprintf(e->names[i], sizeof e->names[i], "%s", ev->values[i].name);
        e->secret[i] = ev->values[i].secret;
        e->has_data[i] = ev->values[i].data != NULL;
        e->len[i] = ev->values[i].len;
        if (ev->values[i].data != NULL && ev->values[i].len <= 48)
            memcpy(e->data[i], ev->values[i].data, ev->values[i].len);
    }
}

static void run_traced(recorder *r, int show_secrets)
{
    const tenon_hash_class *h = &tenon_sha256;
    tls_trace tr = {on_event, r, show_secrets, 1};
    tls13_schedule ks;
    uint8_t th[32], s[32], key[16], iv[12], vd[32];
    size_t n;
    memset(r, 0, sizeof *r);
    transcript(TH_CH_SH, 2, th);
    uint8_t *ecdhe = dv("ecdhe_shared_secret", &n);
    CHECK_RC(tls13_early_secret(&ks, h, NULL, 0, &tr), TENON_OK);
    CHECK_RC(tls13_handshake_secret(&ks, ecdhe, n, &tr), TENON_OK);
    CHECK_RC(tls13_derive_secret(h, ks.handshake_secret, "s hs traffic", th, s, &tr), TENON_OK);
    CHECK_RC(tls13_traffic_keys(h, s, 16, key, iv, &tr), TENON_OK);
    CHECK_RC(tls13_finished(h, s, th, vd, &tr), TENON_OK);
    CHECK_RC(tls13_master_secret(&ks, &tr), TENON_OK);
    CHECK_RC(tls13_update_secret(h, s, &tr), TENON_OK);
    free(ecdhe);
    tls13_schedule_wipe(&ks);
}

/* The expected sequence of (type, label). */
static const struct {
    tenon_trace_type type;
    const char *label;
} EXPECTED[] = {
    {TENON_TRACE_HKDF_EXTRACT, "early_secret"},     {TENON_TRACE_DERIVE_SECRET, "derived"},
    {TENON_TRACE_HKDF_EXTRACT, "handshake_secret"}, {TENON_TRACE_DERIVE_SECRET, "s hs traffic"},
    {TENON_TRACE_HKDF_EXPAND_LABEL, "key"},         {TENON_TRACE_HKDF_EXPAND_LABEL, "iv"},
    {TENON_TRACE_HKDF_EXPAND_LABEL, "finished"},    {TENON_TRACE_FINISHED, "verify_data"},
    {TENON_TRACE_DERIVE_SECRET, "derived"},         {TENON_TRACE_HKDF_EXTRACT, "master_secret"},
    {TENON_TRACE_HKDF_EXPAND_LABEL, "traffic upd"},
};

static void test_trace(void)
{
    static recorder r;
    size_t n;

    /* Secrets hidden: every value marked secret has no data; public ones do. */
    run_traced(&r, 0);
    CHECK(r.n == ARRAY_LEN_T(EXPECTED));
    for (size_t i = 0; i < r.n && i < ARRAY_LEN_T(EXPECTED); i++) {
        if (!CHECK(r.ev[i].type == EXPECTED[i].type &&
                   strcmp(r.ev[i].label, EXPECTED[i].label) == 0))
            fprintf(stderr, "    event %zu: %s '%s'\n", i, tenon_trace_type_name(r.ev[i].type),
                    r.ev[i].label);
        CHECK(r.ev[i].nvalues == 3);
        for (size_t v = 0; v < 3; v++)
            CHECK(r.ev[i].has_data[v] == !r.ev[i].secret[v]);
        /* The output of each step is secret key material. */
        CHECK(r.ev[i].secret[2] == 1 && r.ev[i].len[2] > 0);
    }
    /* Which values are public: the zero salt and zero IKM of the early secret, the transcript
     * hash of a Derive-Secret, the (empty) context of an Expand-Label. */
    CHECK(r.ev[0].secret[0] == 0 && r.ev[0].secret[1] == 0 && r.ev[0].has_data[1]);
    CHECK(strcmp(r.ev[2].names[1], "ikm") == 0 && r.ev[2].secret[1] == 1); /* (EC)DHE */
    CHECK(strcmp(r.ev[2].names[0], "salt") == 0 && r.ev[2].secret[0] == 1);
    CHECK(strcmp(r.ev[3].names[1], "transcript hash") == 0 && r.ev[3].secret[1] == 0);
    uint8_t th[32];
    transcript(TH_CH_SH, 2, th);
    CHECK_MEM(r.ev[3].data[1], th, 32, "traced transcript hash");
    CHECK(strcmp(r.ev[4].names[1], "context") == 0 && r.ev[4].len[1] == 0);
    CHECK(r.ev[4].len[2] == 16 && r.ev[5].len[2] == 12);

    /* Secrets shown: the values are the RFC's. */
    run_traced(&r, 1);
    CHECK(r.n == ARRAY_LEN_T(EXPECTED));
    for (size_t i = 0; i < r.n; i++)
        for (size_t v = 0; v < 3; v++)
            CHECK(r.ev[i].has_data[v]);
    uint8_t *want = dv("early_secret", &n);
    CHECK_MEM(r.ev[0].data[2], want, 32, "traced early secret");
    free(want);
    want = dv("ecdhe_shared_secret", &n);
    CHECK_MEM(r.ev[2].data[1], want, 32, "traced ecdhe");
    free(want);
    want = dv("handshake_secret", &n);
    CHECK_MEM(r.ev[2].data[2], want, 32, "traced handshake secret");
    free(want);
    want = dv("server_handshake_traffic_secret", &n);
    CHECK_MEM(r.ev[3].data[2], want, 32, "traced s hs traffic");
    free(want);
    want = dv("server_handshake_write_key", &n);
    CHECK_MEM(r.ev[4].data[2], want, 16, "traced key");
    free(want);
    want = dv("server_finished_key", &n);
    CHECK_MEM(r.ev[6].data[2], want, 32, "traced finished key");
    free(want);
    want = dv("master_secret", &n);
    CHECK_MEM(r.ev[9].data[2], want, 32, "traced master secret");
    free(want);

    /* A trace with no callback, or no trace at all, is silent and harmless. */
    tls_trace off = {NULL, NULL, 1, 0};
    uint8_t out[32];
    CHECK_RC(tls13_hkdf_expand_label(&tenon_sha256, th, "key", NULL, 0, out, 16, &off), TENON_OK);
}

/* ------------------------------------------------------------------------------------------
 * Independent computation with OpenSSL: HKDF-Expand with an HkdfLabel built by hand.
 * ------------------------------------------------------------------------------------------ */

static size_t hkdf_label(uint8_t *buf, size_t out_len, const char *label, size_t label_len,
                         const uint8_t *ctx, size_t ctx_len)
{
    size_t i = 0;
    buf[i++] = (uint8_t)(out_len >> 8);
    buf[i++] = (uint8_t)out_len;
    buf[i++] = (uint8_t)(6 + label_len);
    memcpy(buf + i, "tls13 ", 6);
    i += 6;
    memcpy(buf + i, label, label_len);
    i += label_len;
    buf[i++] = (uint8_t)ctx_len;
    if (ctx_len > 0)
        memcpy(buf + i, ctx, ctx_len);
    return i + ctx_len;
}

static void ossl_expand(const char *md, const uint8_t *secret, size_t secret_len,
                        const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(kdf);
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md, 0),
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, secret_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len),
        OSSL_PARAM_construct_end(),
    };
    CHECK(kdf != NULL && kctx != NULL && EVP_KDF_derive(kctx, out, out_len, params) == 1);
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
}

static void ossl_hash(const char *md, const uint8_t *in, size_t len, uint8_t *out)
{
    unsigned int n = 0;
    CHECK(EVP_Digest(in, len, out, &n, EVP_get_digestbyname(md), NULL) == 1);
}

/* RFC 8446 §7.5, computed by OpenSSL. */
static void ossl_export(const char *md, size_t hlen, const uint8_t *ems, const char *label,
                        size_t label_len, const uint8_t *ctx, size_t ctx_len, uint8_t *out,
                        size_t out_len)
{
    uint8_t info[600], empty_h[64], ctx_h[64], derived_secret[64];
    ossl_hash(md, (const uint8_t *)"", 0, empty_h);
    ossl_hash(md, ctx, ctx_len, ctx_h);
    size_t n = hkdf_label(info, hlen, label, label_len, empty_h, hlen);
    ossl_expand(md, ems, hlen, info, n, derived_secret, hlen);
    n = hkdf_label(info, out_len, "exporter", 8, ctx_h, hlen);
    ossl_expand(md, derived_secret, hlen, info, n, out, out_len);
}

static void test_exporter(void)
{
    size_t n;
    uint8_t *ems = dv("exporter_master_secret", &n);
    uint8_t got[100], want[100];
    static const uint8_t ctx[] = "some context";

    /* The RFC 8448 exporter master secret, a few labels, contexts and lengths. */
    struct {
        const char *label;
        const uint8_t *ctx;
        size_t ctx_len;
        size_t out_len;
    } cases[] = {
        {"EXPORTER-Channel-Binding", NULL, 0, 32},
        {"EXPORTER-test", ctx, sizeof ctx - 1, 16},
        {"x", ctx, 1, 100},
        {"", NULL, 0, 1},
    };
    for (size_t i = 0; i < ARRAY_LEN_T(cases); i++) {
        size_t ll = strlen(cases[i].label);
        CHECK_RC(tls13_export(&tenon_sha256, ems, cases[i].label, ll, cases[i].ctx,
                              cases[i].ctx_len, got, cases[i].out_len),
                 TENON_OK);
        ossl_export("SHA256", 32, ems, cases[i].label, ll, cases[i].ctx ? cases[i].ctx : ctx,
                    cases[i].ctx_len, want, cases[i].out_len);
        CHECK_MEM(got, want, cases[i].out_len, cases[i].label);
    }
    /* An empty context and a NULL context are the same thing: Hash(""). */
    uint8_t a[32], b[32];
    CHECK_RC(tls13_export(&tenon_sha256, ems, "L", 1, NULL, 0, a, 32), TENON_OK);
    CHECK_RC(tls13_export(&tenon_sha256, ems, "L", 1, ctx, 0, b, 32), TENON_OK);
    CHECK_MEM(a, b, 32, "empty context");

    /* SHA-384 (TLS_AES_256_GCM_SHA384) with a 48-byte secret of our own. */
    uint8_t ems384[48];
    for (int i = 0; i < 48; i++)
        ems384[i] = (uint8_t)(i * 5 + 1);
    CHECK_RC(tls13_export(&tenon_sha384, ems384, "EXPORTER-384", 12, ctx, 4, got, 48), TENON_OK);
    ossl_export("SHA384", 48, ems384, "EXPORTER-384", 12, ctx, 4, want, 48);
    CHECK_MEM(got, want, 48, "SHA-384 exporter");

    /* "tls13 " + label must fit opaque label<7..255>: 249 bytes is the longest label. */
    char longlabel[251];
    memset(longlabel, 'a', sizeof longlabel);
    CHECK_RC(tls13_export(&tenon_sha256, ems, longlabel, 249, NULL, 0, got, 32), TENON_OK);
    ossl_export("SHA256", 32, ems, longlabel, 249, ctx, 0, want, 32);
    CHECK_MEM(got, want, 32, "249-byte label");
    CHECK_RC(tls13_export(&tenon_sha256, ems, longlabel, 250, NULL, 0, got, 32),
             TENON_ERR_INVALID_ARGUMENT);
    free(ems);
}

static void test_key_update(void)
{
    size_t n;
    uint8_t *cats = dv("client_application_traffic_secret_0", &n);
    uint8_t s[TLS13_MAX_HASH], want[48], info[64];
    memcpy(s, cats, 32);
    uint8_t prev[32];
    /* Three updates in a row, each checked against OpenSSL. */
    for (int round = 0; round < 3; round++) {
        memcpy(prev, s, 32);
        CHECK_RC(tls13_update_secret(&tenon_sha256, s, NULL), TENON_OK);
        size_t il = hkdf_label(info, 32, "traffic upd", 11, NULL, 0);
        ossl_expand("SHA256", prev, 32, info, il, want, 32);
        CHECK_MEM(s, want, 32, "traffic upd (SHA-256)");
    }
    /* SHA-384: 48-byte secrets. */
    uint8_t s384[48];
    for (int i = 0; i < 48; i++)
        s384[i] = (uint8_t)(200 - i);
    size_t il = hkdf_label(info, 48, "traffic upd", 11, NULL, 0);
    ossl_expand("SHA384", s384, 48, info, il, want, 48);
    CHECK_RC(tls13_update_secret(&tenon_sha384, s384, NULL), TENON_OK);
    CHECK_MEM(s384, want, 48, "traffic upd (SHA-384)");
    /* AES-256 keys from a SHA-384 secret, against OpenSSL. */
    uint8_t key[32], iv[12], wk[32], wiv[12];
    CHECK_RC(tls13_traffic_keys(&tenon_sha384, s384, 32, key, iv, NULL), TENON_OK);
    il = hkdf_label(info, 32, "key", 3, NULL, 0);
    ossl_expand("SHA384", s384, 48, info, il, wk, 32);
    il = hkdf_label(info, 12, "iv", 2, NULL, 0);
    ossl_expand("SHA384", s384, 48, info, il, wiv, 12);
    CHECK_MEM(key, wk, 32, "SHA-384 key");
    CHECK_MEM(iv, wiv, 12, "SHA-384 iv");
    free(cats);
}

static void test_arguments(void)
{
    uint8_t s[32] = {1}, out[64], th[32] = {0};
    char label[252];
    memset(label, 'b', sizeof label - 1);
    label[sizeof label - 1] = '\0';
    /* 251 bytes of label + "tls13 " does not fit a <7..255> vector. */
    CHECK_RC(tls13_hkdf_expand_label(&tenon_sha256, s, label, NULL, 0, out, 32, NULL),
             TENON_ERR_INVALID_ARGUMENT);
    label[249] = '\0';
    CHECK_RC(tls13_hkdf_expand_label(&tenon_sha256, s, label, NULL, 0, out, 32, NULL), TENON_OK);
    uint8_t big[256] = {0};
    CHECK_RC(tls13_hkdf_expand_label(&tenon_sha256, s, "x", big, 256, out, 32, NULL),
             TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tls13_hkdf_expand_label(&tenon_sha256, s, "x", big, 255, out, 32, NULL), TENON_OK);
    CHECK_RC(tls13_hkdf_expand_label(&tenon_sha256, s, "x", NULL, 3, out, 32, NULL),
             TENON_ERR_INVALID_ARGUMENT);
    /* SHA-512 is not a TLS 1.3 hash (and would not fit TLS13_MAX_HASH). */
    CHECK_RC(tls13_derive_secret(&tenon_sha512, s, "x", th, out, NULL), TENON_ERR_INVALID_ARGUMENT);
    tls13_schedule ks;
    CHECK_RC(tls13_early_secret(&ks, NULL, NULL, 0, NULL), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tls13_traffic_keys(&tenon_sha256, s, 33, out, out + 40, NULL),
             TENON_ERR_BAD_KEY_LENGTH);
    /* A PSK-only handshake: no (EC)DHE, the zero string stands in. It must equal passing 32
     * zero bytes explicitly. */
    uint8_t z[32] = {0}, hs1[32];
    CHECK_RC(tls13_early_secret(&ks, &tenon_sha256, s, 32, NULL), TENON_OK);
    CHECK_RC(tls13_handshake_secret(&ks, NULL, 0, NULL), TENON_OK);
    memcpy(hs1, ks.handshake_secret, 32);
    CHECK_RC(tls13_early_secret(&ks, &tenon_sha256, s, 32, NULL), TENON_OK);
    CHECK_RC(tls13_handshake_secret(&ks, z, 32, NULL), TENON_OK);
    CHECK_MEM(hs1, ks.handshake_secret, 32, "psk_ke handshake secret");
    tls13_schedule_wipe(&ks);
}

/* The no-PSK early secret and its "derived" salt, which the schedule takes from a table for
 * SHA-256 and SHA-384, equal HKDF computed from scratch; a hash outside the table (SHA-224)
 * takes the computed path and agrees with HKDF too. */
static void test_fixed_secrets(void)
{
    static const tenon_hash_class *const hashes[] = {&tenon_sha256, &tenon_sha384, &tenon_sha224};
    static const uint8_t zeros[64];
    for (size_t i = 0; i < sizeof hashes / sizeof hashes[0]; i++) {
        const tenon_hash_class *h = hashes[i];
        size_t L = h->digest_len;
        uint8_t early[64], empty[64], salt[64], hs[64], info[128];
        tenon_hkdf_extract(h, zeros, L, zeros, L, early);
        tenon_hash(h, "", 0, empty);
        /* HkdfLabel: length, "tls13 derived", Hash(""). */
        size_t n = 0;
        info[n++] = (uint8_t)(L >> 8);
        info[n++] = (uint8_t)L;
        info[n++] = 13;
        memcpy(info + n, "tls13 derived", 13);
        n += 13;
        info[n++] = (uint8_t)L;
        memcpy(info + n, empty, L);
        n += L;
        CHECK_RC(tenon_hkdf_expand(h, early, L, info, n, salt, L), TENON_OK);
        static const uint8_t ecdhe[32] = {7, 7, 7};
        tenon_hkdf_extract(h, salt, L, ecdhe, sizeof ecdhe, hs);

        tls13_schedule ks;
        CHECK_RC(tls13_early_secret(&ks, h, NULL, 0, NULL), TENON_OK);
        CHECK_MEM(ks.early_secret, early, L, "early secret with no PSK");
        CHECK_RC(tls13_handshake_secret(&ks, ecdhe, sizeof ecdhe, NULL), TENON_OK);
        CHECK_MEM(ks.handshake_secret, hs, L, "handshake secret after the no-PSK early secret");
        /* With a PSK the table is not used: the same PSK of zeros gives the same secrets. */
        CHECK_RC(tls13_early_secret(&ks, h, zeros, L, NULL), TENON_OK);
        CHECK_MEM(ks.early_secret, early, L, "early secret of a zero PSK");
        CHECK_RC(tls13_handshake_secret(&ks, ecdhe, sizeof ecdhe, NULL), TENON_OK);
        CHECK_MEM(ks.handshake_secret, hs, L, "handshake secret of a zero PSK");
        tls13_schedule_wipe(&ks);
    }
}

/* The schedule's shortcuts for a PSK handshake agree with the secrets computed step by step:
 * the zero-salt HMAC states (tables for SHA-256 and SHA-384) equal tenon_hmac_init of the zero
 * key; the salts tls13_binder_key and tls13_handshake_traffic make ahead give the handshake and
 * master secrets of Derive-Secret(., "derived", "") + HKDF-Extract; SHA-224 (no table) agrees
 * too. */
static void test_made_ahead(void)
{
    static const tenon_hash_class *const hashes[] = {&tenon_sha256, &tenon_sha384, &tenon_sha224};
    static const uint8_t zeros[64];
    for (size_t i = 0; i < sizeof hashes / sizeof hashes[0]; i++) {
        const tenon_hash_class *h = hashes[i];
        size_t L = h->digest_len;
        const tenon_hmac_ctx *z = tls13_zero_salt_hmac(h);
        if (h == &tenon_sha224) {
            CHECK(z == NULL);
        } else {
            tenon_hmac_ctx ref;
            tenon_hmac_init(&ref, h, zeros, L);
            CHECK(z != NULL && z->inner.vtable == h && z->outer.vtable == h);
            if (h == &tenon_sha256) {
                CHECK_MEM(z->inner.sha256.h, ref.inner.sha256.h, 32, "zero-salt inner (SHA-256)");
                CHECK_MEM(z->outer.sha256.h, ref.outer.sha256.h, 32, "zero-salt outer (SHA-256)");
                CHECK(z->inner.sha256.count == 64 && z->outer.sha256.count == 64);
            } else {
                CHECK_MEM(z->inner.sha512.h, ref.inner.sha512.h, 64, "zero-salt inner (SHA-384)");
                CHECK_MEM(z->outer.sha512.h, ref.outer.sha512.h, 64, "zero-salt outer (SHA-384)");
                CHECK(z->inner.sha512.count == 128 && z->outer.sha512.count == 128);
            }
            tenon_hmac_wipe(&ref);
        }
        uint8_t psk[64], ecdhe[32], th[64], empty[64];
        for (size_t k = 0; k < sizeof psk; k++)
            psk[k] = (uint8_t)(3 * k + 1);
        for (size_t k = 0; k < sizeof ecdhe; k++)
            ecdhe[k] = (uint8_t)(5 * k + 2);
        for (size_t k = 0; k < sizeof th; k++)
            th[k] = (uint8_t)(7 * k + 3);
        tenon_hash(h, "", 0, empty);

        /* Step by step, from HKDF and Derive-Secret alone. */
        uint8_t early[64], binder[64], salt[64], hs[64], chts[64], shts[64], ms[64];
        tenon_hkdf_extract(h, zeros, L, psk, L, early);
        CHECK_RC(tls13_derive_secret(h, early, "res binder", empty, binder, NULL), TENON_OK);
        CHECK_RC(tls13_derive_secret(h, early, "derived", empty, salt, NULL), TENON_OK);
        tenon_hkdf_extract(h, salt, L, ecdhe, sizeof ecdhe, hs);
        CHECK_RC(tls13_derive_secret(h, hs, "c hs traffic", th, chts, NULL), TENON_OK);
        CHECK_RC(tls13_derive_secret(h, hs, "s hs traffic", th, shts, NULL), TENON_OK);
        CHECK_RC(tls13_derive_secret(h, hs, "derived", empty, salt, NULL), TENON_OK);
        tenon_hkdf_extract(h, salt, L, zeros, L, ms);

        /* The schedule with its shortcuts. */
        tls13_schedule ks;
        uint8_t got[64], c_hs[64], s_hs[64];
        CHECK_RC(tls13_early_secret(&ks, h, psk, L, NULL), TENON_OK);
        CHECK_MEM(ks.early_secret, early, L, "early secret of a PSK");
        CHECK(ks.psk_early);
        CHECK_RC(tls13_binder_key(&ks, 0, got, NULL), TENON_OK);
        CHECK_MEM(got, binder, L, "binder key");
        CHECK_RC(tls13_handshake_secret(&ks, ecdhe, sizeof ecdhe, NULL), TENON_OK);
        CHECK_MEM(ks.handshake_secret, hs, L, "handshake secret, salt made with the binder key");
        CHECK_RC(tls13_handshake_traffic(&ks, th, c_hs, s_hs, NULL), TENON_OK);
        CHECK_MEM(c_hs, chts, L, "client handshake traffic secret");
        CHECK_MEM(s_hs, shts, L, "server handshake traffic secret");
        CHECK_RC(tls13_master_secret(&ks, NULL), TENON_OK);
        CHECK_MEM(ks.master_secret, ms, L, "master secret, salt made with the traffic secrets");
        /* Without the shortcuts (no binder key, no tls13_handshake_traffic): the same. */
        CHECK_RC(tls13_early_secret(&ks, h, psk, L, NULL), TENON_OK);
        CHECK_RC(tls13_handshake_secret(&ks, ecdhe, sizeof ecdhe, NULL), TENON_OK);
        CHECK_MEM(ks.handshake_secret, hs, L, "handshake secret, salt made on the spot");
        CHECK_RC(tls13_master_secret(&ks, NULL), TENON_OK);
        CHECK_MEM(ks.master_secret, ms, L, "master secret, salt made on the spot");
        tls13_schedule_wipe(&ks);
    }
}

int main(void)
{
    root = tu_load_json("rfc/rfc8448_simple_1rtt.json");
    if (root == NULL)
        return tu_finish("test_keyschedule");
    derived = cJSON_GetObjectItemCaseSensitive(root, "derived");
    inputs = cJSON_GetObjectItemCaseSensitive(root, "inputs");
    messages = cJSON_GetObjectItemCaseSensitive(root, "messages");
    test_rfc8448();
    test_fixed_secrets();
    test_made_ahead();
    test_trace();
    test_exporter();
    test_key_update();
    test_arguments();
    cJSON_Delete(root);
    return tu_finish("test_keyschedule");
}
