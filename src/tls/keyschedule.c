/*
 * The TLS 1.3 key schedule (RFC 8446 §7.1-7.5).
 *
 * Everything here is HKDF-Extract and HKDF-Expand over the negotiated hash; the only TLS
 * knowledge is the HkdfLabel encoding and which labels and contexts each secret takes. Each
 * step is reported to the trace with its label, inputs and output. A Derive-Secret is reported
 * as one DERIVE_SECRET event (not also as the HKDF-Expand-Label it is made of), so that a
 * key-schedule tree built from the trace has one node per secret of the RFC's figure.
 */
#include "keyschedule.h"

#include "../common.h"
#include "codec.h"

/* RFC 8446 §7.1: "The label is a string of ASCII characters" prefixed with "tls13 ". */
static const char LABEL_PREFIX[] = "tls13 ";
#define LABEL_PREFIX_LEN (sizeof LABEL_PREFIX - 1)

/* HkdfLabel: uint16 length; opaque label<7..255>; opaque context<0..255>. */
#define HKDF_LABEL_MAX (2 + 1 + 255 + 1 + 255)

static int hash_ok(const tenon_hash_class *h)
{
    return h != NULL && h->digest_len > 0 && h->digest_len <= TLS13_MAX_HASH;
}

static void trace3(const tls_trace *tr, tenon_trace_type type, const char *label, const char *n0,
                   const uint8_t *v0, size_t l0, int s0, const char *n1, const uint8_t *v1,
                   size_t l1, int s1, const uint8_t *out, size_t out_len)
{
    if (!tls_trace_on(tr))
        return;
    tenon_trace_value v[3] = {
        {n0, v0, l0, s0},
        {n1, v1, l1, s1},
        {"out", out, out_len, 1},
    };
    tls_trace_emit(tr, type, 0, label, v, 3);
}

/*
 * RFC 8446 §7.1:
 *   HKDF-Expand-Label(Secret, Label, Context, Length) =
 *        HKDF-Expand(Secret, HkdfLabel, Length)
 *   struct {
 *       uint16 length = Length;
 *       opaque label<7..255> = "tls13 " + Label;
 *       opaque context<0..255> = Context;
 *   } HkdfLabel;
 * No trace here: the callers report the step as what it is (expand-label or derive-secret).
 */
static int expand_label_keyed(const tenon_hmac_ctx *keyed, const char *label, size_t label_len,
                              const uint8_t *context, size_t context_len, uint8_t *out,
                              size_t out_len)
{
    ENSURE(label != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(context != NULL || context_len == 0, TENON_ERR_INVALID_ARGUMENT);
    /* The label vector's length must fit <7..255>, the context's <0..255>, the length uint16. */
    ENSURE(label_len <= 255 - LABEL_PREFIX_LEN, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(context_len <= 255, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(out_len <= 0xffff, TENON_ERR_OUTPUT_TOO_LONG);

    uint8_t info[HKDF_LABEL_MAX];
    writer w = wr_init(info, sizeof info);
    wr_vec v;
    int rc = wr_u16(&w, (uint16_t)out_len);
    if (rc == TENON_OK)
        rc = wr_open_vec(&w, 1, &v);
    if (rc == TENON_OK)
        rc = wr_bytes(&w, LABEL_PREFIX, LABEL_PREFIX_LEN);
    if (rc == TENON_OK)
        rc = wr_bytes(&w, label, label_len);
    if (rc == TENON_OK)
        rc = wr_close_vec(&w, &v);
    if (rc == TENON_OK)
        rc = wr_open_vec(&w, 1, &v);
    if (rc == TENON_OK)
        rc = wr_bytes(&w, context, context_len);
    if (rc == TENON_OK)
        rc = wr_close_vec(&w, &v);
    if (rc == TENON_OK)
        rc = tenon_hkdf_expand_keyed(keyed, info, w.len, out, out_len);
    /* The context may be a ticket nonce or an exporter context: not secret, but not ours to
     * leave on the stack either. */
    tenon_wipe(info, w.len);
    return rc;
}

static int expand_label(const tenon_hash_class *h, const uint8_t *secret, const char *label,
                        size_t label_len, const uint8_t *context, size_t context_len, uint8_t *out,
                        size_t out_len)
{
    ENSURE(hash_ok(h) && secret != NULL, TENON_ERR_INVALID_ARGUMENT);
    tenon_hmac_ctx keyed;
    tenon_hmac_init(&keyed, h, secret, h->digest_len);
    int rc = expand_label_keyed(&keyed, label, label_len, context, context_len, out, out_len);
    tenon_hmac_wipe(&keyed);
    return rc;
}

int tls13_hkdf_expand_label(const tenon_hash_class *h, const uint8_t *secret, const char *label,
                            const uint8_t *context, size_t context_len, uint8_t *out,
                            size_t out_len, const tls_trace *tr)
{
    ENSURE(label != NULL, TENON_ERR_INVALID_ARGUMENT);
    GUARD(expand_label(h, secret, label, strlen(label), context, context_len, out, out_len));
    /* An empty context is shown as an empty value, not as NULL (which means "hidden"). */
    static const uint8_t empty[1] = {0};
    trace3(tr, TENON_TRACE_HKDF_EXPAND_LABEL, label, "secret", secret, h->digest_len, 1, "context",
           context_len > 0 ? context : empty, context_len, 0, out, out_len);
    return TENON_OK;
}

/* RFC 8446 §7.1:
 *   Derive-Secret(Secret, Label, Messages) =
 *        HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length) */
static void trace_derive(const tls_trace *tr, const tenon_hash_class *h, const char *label,
                         const uint8_t *secret, const uint8_t *transcript_hash, const uint8_t *out)
{
    trace3(tr, TENON_TRACE_DERIVE_SECRET, label, "secret", secret, h->digest_len, 1,
           "transcript hash", transcript_hash, h->digest_len, 0, out, h->digest_len);
}

static int derive_secret(const tenon_hash_class *h, const uint8_t *secret, const char *label,
                         const uint8_t *transcript_hash, uint8_t *out, const tls_trace *tr)
{
    ENSURE(hash_ok(h) && label != NULL && transcript_hash != NULL, TENON_ERR_INVALID_ARGUMENT);
    GUARD(expand_label(h, secret, label, strlen(label), transcript_hash, h->digest_len, out,
                       h->digest_len));
    trace_derive(tr, h, label, secret, transcript_hash, out);
    return TENON_OK;
}

int tls13_derive_secret(const tenon_hash_class *h, const uint8_t *secret, const char *label,
                        const uint8_t *transcript_hash, uint8_t *out, const tls_trace *tr)
{
    return derive_secret(h, secret, label, transcript_hash, out, tr);
}

int tls13_derive_secrets(const tenon_hash_class *h, const uint8_t *secret,
                         const uint8_t *transcript_hash, size_t n, const char *const labels[],
                         uint8_t *const outs[], const tls_trace *tr)
{
    ENSURE(hash_ok(h) && secret != NULL && transcript_hash != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(labels != NULL && outs != NULL, TENON_ERR_INVALID_ARGUMENT);
    for (size_t i = 0; i < n; i++)
        ENSURE(labels[i] != NULL && outs[i] != NULL, TENON_ERR_INVALID_ARGUMENT);
    tenon_hmac_ctx keyed;
    tenon_hmac_init(&keyed, h, secret, h->digest_len);
    int rc = TENON_OK;
    for (size_t i = 0; i < n && rc == TENON_OK; i++) {
        rc = expand_label_keyed(&keyed, labels[i], strlen(labels[i]), transcript_hash,
                                h->digest_len, outs[i], h->digest_len);
        if (rc == TENON_OK)
            trace_derive(tr, h, labels[i], secret, transcript_hash, outs[i]);
    }
    tenon_hmac_wipe(&keyed);
    return rc;
}

/* What the schedule derives from the hash alone, for the suites' hashes: Hash(""), and with no
 * PSK (every full handshake) early_secret = HKDF-Extract(0, 0) and the salt of the handshake
 * secret, Derive-Secret(early_secret, "derived", ""). Nine compressions of each full handshake
 * were spent recomputing them. The values are public (RFC 8448 §3 prints the SHA-256 ones);
 * test_keyschedule recomputes each from HKDF. */
typedef struct {
    const tenon_hash_class *hash;
    uint8_t empty_hash[TLS13_MAX_HASH];
    uint8_t zero_early[TLS13_MAX_HASH];
    uint8_t zero_early_derived[TLS13_MAX_HASH];
} fixed_secrets;

static const fixed_secrets FIXED[] = {
    {&tenon_sha256,
     {0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
      0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
      0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55},
     {0x33, 0xad, 0x0a, 0x1c, 0x60, 0x7e, 0xc0, 0x3b, 0x09, 0xe6, 0xcd,
      0x98, 0x93, 0x68, 0x0c, 0xe2, 0x10, 0xad, 0xf3, 0x00, 0xaa, 0x1f,
      0x26, 0x60, 0xe1, 0xb2, 0x2e, 0x10, 0xf1, 0x70, 0xf9, 0x2a},
     {0x6f, 0x26, 0x15, 0xa1, 0x08, 0xc7, 0x02, 0xc5, 0x67, 0x8f, 0x54,
      0xfc, 0x9d, 0xba, 0xb6, 0x97, 0x16, 0xc0, 0x76, 0x18, 0x9c, 0x48,
      0x25, 0x0c, 0xeb, 0xea, 0xc3, 0x57, 0x6c, 0x36, 0x11, 0xba}},
    {&tenon_sha384,
     {0x38, 0xb0, 0x60, 0xa7, 0x51, 0xac, 0x96, 0x38, 0x4c, 0xd9, 0x32, 0x7e,
      0xb1, 0xb1, 0xe3, 0x6a, 0x21, 0xfd, 0xb7, 0x11, 0x14, 0xbe, 0x07, 0x43,
      0x4c, 0x0c, 0xc7, 0xbf, 0x63, 0xf6, 0xe1, 0xda, 0x27, 0x4e, 0xde, 0xbf,
      0xe7, 0x6f, 0x65, 0xfb, 0xd5, 0x1a, 0xd2, 0xf1, 0x48, 0x98, 0xb9, 0x5b},
     {0x7e, 0xe8, 0x20, 0x6f, 0x55, 0x70, 0x02, 0x3e, 0x6d, 0xc7, 0x51, 0x9e,
      0xb1, 0x07, 0x3b, 0xc4, 0xe7, 0x91, 0xad, 0x37, 0xb5, 0xc3, 0x82, 0xaa,
      0x10, 0xba, 0x18, 0xe2, 0x35, 0x7e, 0x71, 0x69, 0x71, 0xf9, 0x36, 0x2f,
      0x2c, 0x2f, 0xe2, 0xa7, 0x6b, 0xfd, 0x78, 0xdf, 0xec, 0x4e, 0xa9, 0xb5},
     {0x15, 0x91, 0xda, 0xc5, 0xcb, 0xbf, 0x03, 0x30, 0xa4, 0xa8, 0x4d, 0xe9,
      0xc7, 0x53, 0x33, 0x0e, 0x92, 0xd0, 0x1f, 0x0a, 0x88, 0x21, 0x4b, 0x44,
      0x64, 0x97, 0x2f, 0xd6, 0x68, 0x04, 0x9e, 0x93, 0xe5, 0x2f, 0x2b, 0x16,
      0xfa, 0xd9, 0x22, 0xfd, 0xc0, 0x58, 0x44, 0x78, 0x42, 0x8f, 0x28, 0x2b}},
};

static const fixed_secrets *fixed_for(const tenon_hash_class *h)
{
    for (size_t i = 0; i < sizeof FIXED / sizeof FIXED[0]; i++)
        if (FIXED[i].hash == h)
            return &FIXED[i];
    return NULL;
}

/* Derive-Secret(secret, label, "") : the Messages are empty, so the context is Hash(""). */
static int derive_secret_empty(const tenon_hash_class *h, const uint8_t *secret, const char *label,
                               uint8_t *out, const tls_trace *tr)
{
    const fixed_secrets *f = fixed_for(h);
    if (f != NULL)
        return derive_secret(h, secret, label, f->empty_hash, out, tr);
    uint8_t empty_hash[TLS13_MAX_HASH];
    tenon_hash(h, "", 0, empty_hash);
    return derive_secret(h, secret, label, empty_hash, out, tr);
}

/* HKDF-Extract(0, IKM) = HMAC(0^HashLen, IKM) (RFC 5869 §2.2): with a PSK, the early secret's
 * salt is the zero string, so the HMAC key blocks (0x36 and 0x5c repeated, the zero key
 * padded) are the same for every resumption. These are the SHA-256 and SHA-384 states after
 * absorbing them; test_keyschedule checks them against tenon_hmac_init. */
static const tenon_hmac_ctx ZERO_SALT_SHA256 = {
    .inner = {.sha256 = {&tenon_sha256,
                         {0xf454deadu, 0x9725214fu, 0x90daf2a0u, 0xdf1228eau, 0x64e5750fu,
                          0xa3924181u, 0x824a932bu, 0xf8e04e32u},
                         64,
                         {0}}},
    .outer = {.sha256 = {&tenon_sha256,
                         {0xd385480fu, 0x7abb6477u, 0x37c9c538u, 0x5dd82467u, 0x8e043a72u,
                          0x753434b0u, 0xdeb82818u, 0x361d45a6u},
                         64,
                         {0}}},
};

static const tenon_hmac_ctx ZERO_SALT_SHA384 = {
    .inner = {.sha512 = {&tenon_sha384,
                         {0x53f869327560c3a2ull, 0xc237b05164a5bbe8ull, 0xe581f7394cfa66b8ull,
                          0x846fa61922faad62ull, 0xdd0b37ce462cff5eull, 0x7ee8a4bdc87567f3ull,
                          0x39bda99c75a047f7ull, 0xc7bd628bd3f9a734ull},
                         128,
                         {0}}},
    .outer = {.sha512 = {&tenon_sha384,
                         {0xff6ce3f9ca86c81cull, 0x585559c2ae0fc15cull, 0xcf0d5686fb65a54eull,
                          0xf1d54ee19e8cfd02ull, 0xa5c720ab778ff100ull, 0xdeb3e5f667573e8cull,
                          0xc1bfc7ec16b591f3ull, 0x34d487c1c79d59ebull},
                         128,
                         {0}}},
};

const tenon_hmac_ctx *tls13_zero_salt_hmac(const tenon_hash_class *h)
{
    if (h == &tenon_sha256)
        return &ZERO_SALT_SHA256;
    if (h == &tenon_sha384)
        return &ZERO_SALT_SHA384;
    return NULL;
}

/* HKDF-Extract with its trace event. label names the secret produced. salt and ikm say whether
 * they are secret (a derived secret, a PSK, the (EC)DHE output) or public (the zero strings). */
static void extract(const tenon_hash_class *h, const char *label, const uint8_t *salt,
                    int salt_secret, const uint8_t *ikm, size_t ikm_len, int ikm_secret,
                    uint8_t *prk, const tls_trace *tr)
{
    tenon_hkdf_extract(h, salt, h->digest_len, ikm, ikm_len, prk);
    trace3(tr, TENON_TRACE_HKDF_EXTRACT, label, "salt", salt, h->digest_len, salt_secret, "ikm",
           ikm, ikm_len, ikm_secret, prk, h->digest_len);
}

/*
 * RFC 8446 §7.1 (the figure):
 *
 *              0
 *              |
 *              v
 *    PSK ->  HKDF-Extract = Early Secret
 *
 * "If a given secret is not available, then the 0-value consisting of a string of Hash.length
 * bytes set to zeros is used." The salt "0" is that same zero string.
 */
int tls13_early_secret(tls13_schedule *ks, const tenon_hash_class *h, const uint8_t *psk,
                       size_t psk_len, const tls_trace *tr)
{
    static const uint8_t zeros[TLS13_MAX_HASH];
    ENSURE(ks != NULL && hash_ok(h), TENON_ERR_INVALID_ARGUMENT);
    ENSURE(psk != NULL || psk_len == 0, TENON_ERR_INVALID_ARGUMENT);
    tls13_schedule_wipe(ks);
    ks->hash = h;
    const fixed_secrets *f = fixed_for(h);
    if (psk == NULL && f != NULL) {
        memcpy(ks->early_secret, f->zero_early, h->digest_len);
        ks->zero_early = 1;
        trace3(tr, TENON_TRACE_HKDF_EXTRACT, "early_secret", "salt", zeros, h->digest_len, 0, "ikm",
               zeros, h->digest_len, 0, ks->early_secret, h->digest_len);
    } else if (psk == NULL)
        extract(h, "early_secret", zeros, 0, zeros, h->digest_len, 0, ks->early_secret, tr);
    else if (tls13_zero_salt_hmac(h) != NULL) {
        tenon_hmac_ctx keyed = *tls13_zero_salt_hmac(h);
        tenon_hmac_update(&keyed, psk, psk_len);
        tenon_hmac_final(&keyed, ks->early_secret);
        tenon_hmac_wipe(&keyed);
        trace3(tr, TENON_TRACE_HKDF_EXTRACT, "early_secret", "salt", zeros, h->digest_len, 0, "ikm",
               psk, psk_len, 1, ks->early_secret, h->digest_len);
    } else
        extract(h, "early_secret", zeros, 0, psk, psk_len, 1, ks->early_secret, tr);
    ks->psk_early = psk != NULL;
    return TENON_OK;
}

/*
 * RFC 8446 §7.1:
 *              Derive-Secret(., "derived", "")
 *              |
 *              v
 *    (EC)DHE -> HKDF-Extract = Handshake Secret
 */
int tls13_handshake_secret(tls13_schedule *ks, const uint8_t *ecdhe, size_t ecdhe_len,
                           const tls_trace *tr)
{
    static const uint8_t zeros[TLS13_MAX_HASH];
    ENSURE(ks != NULL && hash_ok(ks->hash), TENON_ERR_INVALID_ARGUMENT);
    ENSURE(ecdhe != NULL || ecdhe_len == 0, TENON_ERR_INVALID_ARGUMENT);
    const tenon_hash_class *h = ks->hash;
    uint8_t salt[TLS13_MAX_HASH];
    const fixed_secrets *f = ks->zero_early ? fixed_for(h) : NULL;
    int rc = TENON_OK;
    if (f != NULL) {
        memcpy(salt, f->zero_early_derived, h->digest_len);
        trace_derive(tr, h, "derived", ks->early_secret, f->empty_hash, salt);
    } else if (ks->early_salt_ready) {
        /* Made by tls13_binder_key, kept in the slot this extract fills. */
        memcpy(salt, ks->handshake_secret, h->digest_len);
        trace_derive(tr, h, "derived", ks->early_secret, fixed_for(h)->empty_hash, salt);
    } else {
        rc = derive_secret_empty(h, ks->early_secret, "derived", salt, tr);
    }
    if (rc == TENON_OK) {
        /* A PSK-only handshake (psk_ke) has no (EC)DHE input: the 0-value stands in. */
        if (ecdhe == NULL)
            extract(h, "handshake_secret", salt, 1, zeros, h->digest_len, 0, ks->handshake_secret,
                    tr);
        else
            extract(h, "handshake_secret", salt, 1, ecdhe, ecdhe_len, 1, ks->handshake_secret, tr);
    }
    ks->early_salt_ready = 0;
    tenon_wipe(salt, sizeof salt);
    return rc;
}

/*
 * RFC 8446 §7.1:
 *              Derive-Secret(., "derived", "")
 *              |
 *              v
 *    0 -> HKDF-Extract = Master Secret
 */
int tls13_master_secret(tls13_schedule *ks, const tls_trace *tr)
{
    static const uint8_t zeros[TLS13_MAX_HASH];
    ENSURE(ks != NULL && hash_ok(ks->hash), TENON_ERR_INVALID_ARGUMENT);
    const tenon_hash_class *h = ks->hash;
    uint8_t salt[TLS13_MAX_HASH];
    int rc = TENON_OK;
    if (ks->hs_salt_ready) {
        /* Made by tls13_handshake_traffic, kept in the slot this extract fills. */
        memcpy(salt, ks->master_secret, h->digest_len);
        trace_derive(tr, h, "derived", ks->handshake_secret, fixed_for(h)->empty_hash, salt);
    } else {
        rc = derive_secret_empty(h, ks->handshake_secret, "derived", salt, tr);
    }
    if (rc == TENON_OK)
        extract(h, "master_secret", salt, 1, zeros, h->digest_len, 0, ks->master_secret, tr);
    ks->hs_salt_ready = 0;
    tenon_wipe(salt, sizeof salt);
    return rc;
}

/* RFC 8446 §7.1: the two handshake traffic secrets and, while the handshake secret is keyed,
 * the master secret's salt Derive-Secret(handshake_secret, "derived", "") (traced when the
 * master secret uses it). */
int tls13_handshake_traffic(tls13_schedule *ks, const uint8_t *transcript_hash, uint8_t *c_hs,
                            uint8_t *s_hs, const tls_trace *tr)
{
    ENSURE(ks != NULL && hash_ok(ks->hash) && transcript_hash != NULL && c_hs != NULL &&
               s_hs != NULL,
           TENON_ERR_INVALID_ARGUMENT);
    const tenon_hash_class *h = ks->hash;
    const fixed_secrets *f = fixed_for(h);
    tenon_hmac_ctx keyed;
    tenon_hmac_init(&keyed, h, ks->handshake_secret, h->digest_len);
    int rc = expand_label_keyed(&keyed, "c hs traffic", 12, transcript_hash, h->digest_len, c_hs,
                                h->digest_len);
    if (rc == TENON_OK) {
        trace_derive(tr, h, "c hs traffic", ks->handshake_secret, transcript_hash, c_hs);
        rc = expand_label_keyed(&keyed, "s hs traffic", 12, transcript_hash, h->digest_len, s_hs,
                                h->digest_len);
    }
    if (rc == TENON_OK) {
        trace_derive(tr, h, "s hs traffic", ks->handshake_secret, transcript_hash, s_hs);
        if (f != NULL && expand_label_keyed(&keyed, "derived", 7, f->empty_hash, h->digest_len,
                                            ks->master_secret, h->digest_len) == TENON_OK)
            ks->hs_salt_ready = 1;
    }
    tenon_hmac_wipe(&keyed);
    return rc;
}

/* RFC 8446 §7.1:
 *              +-----> Derive-Secret(., "ext binder" | "res binder", "")
 *              |                     = binder_key */
int tls13_binder_key(tls13_schedule *ks, int external, uint8_t *out, const tls_trace *tr)
{
    ENSURE(ks != NULL && hash_ok(ks->hash) && out != NULL, TENON_ERR_INVALID_ARGUMENT);
    const tenon_hash_class *h = ks->hash;
    const fixed_secrets *f = fixed_for(h);
    if (f == NULL)
        return derive_secret_empty(h, ks->early_secret, external ? "ext binder" : "res binder", out,
                                   tr);
    /* One keyed early secret for the binder key and, for the handshake secret to come, its
     * salt Derive-Secret(early_secret, "derived", "") (traced when that secret is made). */
    const char *label = external ? "ext binder" : "res binder";
    tenon_hmac_ctx keyed;
    tenon_hmac_init(&keyed, h, ks->early_secret, h->digest_len);
    int rc =
        expand_label_keyed(&keyed, label, 10, f->empty_hash, h->digest_len, out, h->digest_len);
    if (rc == TENON_OK) {
        trace_derive(tr, h, label, ks->early_secret, f->empty_hash, out);
        if (!ks->zero_early &&
            expand_label_keyed(&keyed, "derived", 7, f->empty_hash, h->digest_len,
                               ks->handshake_secret, h->digest_len) == TENON_OK)
            ks->early_salt_ready = 1;
    }
    tenon_hmac_wipe(&keyed);
    return rc;
}

/*
 * RFC 8446 §4.4.4:
 *   finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length)
 *   verify_data = HMAC(finished_key, Transcript-Hash(Handshake Context, Certificate*,
 *                                                    CertificateVerify*))
 * (§4.2.11.2 computes a PSK binder the same way, with the binder key as BaseKey.)
 */
int tls13_finished(const tenon_hash_class *h, const uint8_t *base_key,
                   const uint8_t *transcript_hash, uint8_t *verify_data, const tls_trace *tr)
{
    ENSURE(hash_ok(h) && base_key != NULL && transcript_hash != NULL && verify_data != NULL,
           TENON_ERR_INVALID_ARGUMENT);
    uint8_t finished_key[TLS13_MAX_HASH];
    int rc =
        tls13_hkdf_expand_label(h, base_key, "finished", NULL, 0, finished_key, h->digest_len, tr);
    if (rc == TENON_OK)
        rc = tls13_finished_mac(h, finished_key, transcript_hash, verify_data, tr);
    tenon_wipe(finished_key, sizeof finished_key);
    return rc;
}

int tls13_finished_mac(const tenon_hash_class *h, const uint8_t *finished_key,
                       const uint8_t *transcript_hash, uint8_t *verify_data, const tls_trace *tr)
{
    ENSURE(hash_ok(h) && finished_key != NULL && transcript_hash != NULL && verify_data != NULL,
           TENON_ERR_INVALID_ARGUMENT);
    tenon_hmac(h, finished_key, h->digest_len, transcript_hash, h->digest_len, verify_data);
    if (tls_trace_on(tr)) {
        /* verify_data travels (encrypted) in the Finished message; it is a MAC, not key
         * material, but a received one is compared against it, so it is shown only with the
         * secrets. */
        tenon_trace_value v[3] = {
            {"finished_key", finished_key, h->digest_len, 1},
            {"transcript hash", transcript_hash, h->digest_len, 0},
            {"verify_data", verify_data, h->digest_len, 1},
        };
        tls_trace_emit(tr, TENON_TRACE_FINISHED, 0, "verify_data", v, 3);
    }
    return TENON_OK;
}

/* RFC 8446 §7.2:
 *   application_traffic_secret_N+1 =
 *       HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length)
 * The old secret is replaced (and so forgotten) in place. */
int tls13_update_secret(const tenon_hash_class *h, uint8_t *secret, const tls_trace *tr)
{
    ENSURE(hash_ok(h) && secret != NULL, TENON_ERR_INVALID_ARGUMENT);
    uint8_t next[TLS13_MAX_HASH];
    int rc = tls13_hkdf_expand_label(h, secret, "traffic upd", NULL, 0, next, h->digest_len, tr);
    if (rc == TENON_OK)
        memcpy(secret, next, h->digest_len);
    tenon_wipe(next, sizeof next);
    return rc;
}

/* RFC 8446 §7.3:
 *   [sender]_write_key = HKDF-Expand-Label(Secret, "key", "", key_length)
 *   [sender]_write_iv  = HKDF-Expand-Label(Secret, "iv", "", iv_length) */
static int traffic_keys(const tenon_hash_class *h, const uint8_t *secret, size_t key_len,
                        uint8_t *key, uint8_t iv[TLS13_IV_LEN], uint8_t *finished_key,
                        const tls_trace *tr)
{
    ENSURE(hash_ok(h) && secret != NULL && key != NULL && iv != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(key_len > 0 && key_len <= TLS13_MAX_KEY, TENON_ERR_BAD_KEY_LENGTH);
    /* All from one keyed secret: the HMAC key blocks are compressed once. */
    static const uint8_t empty[1] = {0};
    tenon_hmac_ctx keyed;
    tenon_hmac_init(&keyed, h, secret, h->digest_len);
    int rc = expand_label_keyed(&keyed, "key", 3, NULL, 0, key, key_len);
    if (rc == TENON_OK) {
        trace3(tr, TENON_TRACE_HKDF_EXPAND_LABEL, "key", "secret", secret, h->digest_len, 1,
               "context", empty, 0, 0, key, key_len);
        rc = expand_label_keyed(&keyed, "iv", 2, NULL, 0, iv, TLS13_IV_LEN);
    }
    if (rc == TENON_OK)
        trace3(tr, TENON_TRACE_HKDF_EXPAND_LABEL, "iv", "secret", secret, h->digest_len, 1,
               "context", empty, 0, 0, iv, TLS13_IV_LEN);
    if (rc == TENON_OK && finished_key != NULL) {
        rc = expand_label_keyed(&keyed, "finished", 8, NULL, 0, finished_key, h->digest_len);
        if (rc == TENON_OK)
            trace3(tr, TENON_TRACE_HKDF_EXPAND_LABEL, "finished", "secret", secret, h->digest_len,
                   1, "context", empty, 0, 0, finished_key, h->digest_len);
    }
    tenon_hmac_wipe(&keyed);
    if (rc != TENON_OK) {
        tenon_wipe(key, key_len);
        tenon_wipe(iv, TLS13_IV_LEN);
        if (finished_key != NULL)
            tenon_wipe(finished_key, h->digest_len);
    }
    return rc;
}

int tls13_traffic_keys(const tenon_hash_class *h, const uint8_t *secret, size_t key_len,
                       uint8_t *key, uint8_t iv[TLS13_IV_LEN], const tls_trace *tr)
{
    return traffic_keys(h, secret, key_len, key, iv, NULL, tr);
}

int tls13_handshake_traffic_keys(const tenon_hash_class *h, const uint8_t *secret, size_t key_len,
                                 uint8_t *key, uint8_t iv[TLS13_IV_LEN], uint8_t *finished_key,
                                 const tls_trace *tr)
{
    ENSURE(finished_key != NULL, TENON_ERR_INVALID_ARGUMENT);
    return traffic_keys(h, secret, key_len, key, iv, finished_key, tr);
}

/*
 * RFC 8446 §7.5:
 *   TLS-Exporter(label, context_value, key_length) =
 *       HKDF-Expand-Label(Derive-Secret(Secret, label, ""),
 *                         "exporter", Hash(context_value), key_length)
 * "Secret" is the exporter_master_secret. The label is given with its length, as the exporter
 * API (RFC 5705) takes arbitrary bytes; "tls13 " + label must still fit the HkdfLabel's
 * opaque label<7..255>. Not traced: exported keys belong to the application.
 */
int tls13_export(const tenon_hash_class *h, const uint8_t *exporter_master, const char *label,
                 size_t label_len, const uint8_t *context, size_t context_len, uint8_t *out,
                 size_t out_len)
{
    ENSURE(hash_ok(h) && exporter_master != NULL && out != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(label != NULL || label_len == 0, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(context != NULL || context_len == 0, TENON_ERR_INVALID_ARGUMENT);
    uint8_t empty_hash[TLS13_MAX_HASH], ctx_hash[TLS13_MAX_HASH], derived[TLS13_MAX_HASH];
    tenon_hash(h, "", 0, empty_hash);
    tenon_hash(h, context_len > 0 ? context : (const void *)"", context_len, ctx_hash);
    int rc = expand_label(h, exporter_master, label_len > 0 ? label : "", label_len, empty_hash,
                          h->digest_len, derived, h->digest_len);
    if (rc == TENON_OK)
        rc = expand_label(h, derived, "exporter", 8, ctx_hash, h->digest_len, out, out_len);
    tenon_wipe(derived, sizeof derived);
    return rc;
}

/* RFC 8446 §4.6.1:
 *   HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length) */
int tls13_ticket_psk(const tenon_hash_class *h, const uint8_t *resumption_master,
                     const uint8_t *nonce, size_t nonce_len, uint8_t *psk, const tls_trace *tr)
{
    ENSURE(hash_ok(h) && resumption_master != NULL && psk != NULL, TENON_ERR_INVALID_ARGUMENT);
    return tls13_hkdf_expand_label(h, resumption_master, "resumption", nonce, nonce_len, psk,
                                   h->digest_len, tr);
}

void tls13_schedule_wipe(tls13_schedule *ks)
{
    if (ks == NULL)
        return;
    tenon_wipe(ks, sizeof *ks);
    ks->hash = NULL;
}
