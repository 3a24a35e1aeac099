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
static int expand_label(const tenon_hash_class *h, const uint8_t *secret, const char *label,
                        size_t label_len, const uint8_t *context, size_t context_len, uint8_t *out,
                        size_t out_len)
{
    ENSURE(hash_ok(h) && secret != NULL && label != NULL, TENON_ERR_INVALID_ARGUMENT);
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
        rc = tenon_hkdf_expand(h, secret, h->digest_len, info, w.len, out, out_len);
    /* The context may be a ticket nonce or an exporter context: not secret, but not ours to
     * leave on the stack either. */
    tenon_wipe(info, sizeof info);
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
static int derive_secret(const tenon_hash_class *h, const uint8_t *secret, const char *label,
                         const uint8_t *transcript_hash, uint8_t *out, const tls_trace *tr)
{
    ENSURE(hash_ok(h) && label != NULL && transcript_hash != NULL, TENON_ERR_INVALID_ARGUMENT);
    GUARD(expand_label(h, secret, label, strlen(label), transcript_hash, h->digest_len, out,
                       h->digest_len));
    trace3(tr, TENON_TRACE_DERIVE_SECRET, label, "secret", secret, h->digest_len, 1,
           "transcript hash", transcript_hash, h->digest_len, 0, out, h->digest_len);
    return TENON_OK;
}

int tls13_derive_secret(const tenon_hash_class *h, const uint8_t *secret, const char *label,
                        const uint8_t *transcript_hash, uint8_t *out, const tls_trace *tr)
{
    return derive_secret(h, secret, label, transcript_hash, out, tr);
}

/* Derive-Secret(secret, label, "") : the Messages are empty, so the context is Hash(""). */
static int derive_secret_empty(const tenon_hash_class *h, const uint8_t *secret, const char *label,
                               uint8_t *out, const tls_trace *tr)
{
    uint8_t empty_hash[TLS13_MAX_HASH];
    tenon_hash(h, "", 0, empty_hash);
    return derive_secret(h, secret, label, empty_hash, out, tr);
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
    if (psk == NULL)
        extract(h, "early_secret", zeros, 0, zeros, h->digest_len, 0, ks->early_secret, tr);
    else
        extract(h, "early_secret", zeros, 0, psk, psk_len, 1, ks->early_secret, tr);
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
    int rc = derive_secret_empty(h, ks->early_secret, "derived", salt, tr);
    if (rc == TENON_OK) {
        /* A PSK-only handshake (psk_ke) has no (EC)DHE input: the 0-value stands in. */
        if (ecdhe == NULL)
            extract(h, "handshake_secret", salt, 1, zeros, h->digest_len, 0, ks->handshake_secret,
                    tr);
        else
            extract(h, "handshake_secret", salt, 1, ecdhe, ecdhe_len, 1, ks->handshake_secret, tr);
    }
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
    int rc = derive_secret_empty(h, ks->handshake_secret, "derived", salt, tr);
    if (rc == TENON_OK)
        extract(h, "master_secret", salt, 1, zeros, h->digest_len, 0, ks->master_secret, tr);
    tenon_wipe(salt, sizeof salt);
    return rc;
}

/* RFC 8446 §7.1:
 *              +-----> Derive-Secret(., "ext binder" | "res binder", "")
 *              |                     = binder_key */
int tls13_binder_key(const tls13_schedule *ks, int external, uint8_t *out, const tls_trace *tr)
{
    ENSURE(ks != NULL && hash_ok(ks->hash) && out != NULL, TENON_ERR_INVALID_ARGUMENT);
    return derive_secret_empty(ks->hash, ks->early_secret, external ? "ext binder" : "res binder",
                               out, tr);
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
    if (rc == TENON_OK) {
        tenon_hmac(h, finished_key, h->digest_len, transcript_hash, h->digest_len, verify_data);
        if (tls_trace_on(tr)) {
            /* verify_data travels (encrypted) in the Finished message; it is a MAC, not key
             * material, but a received one is compared against it, so it is shown only with
             * the secrets. */
            tenon_trace_value v[3] = {
                {"finished_key", finished_key, h->digest_len, 1},
                {"transcript hash", transcript_hash, h->digest_len, 0},
                {"verify_data", verify_data, h->digest_len, 1},
            };
            tls_trace_emit(tr, TENON_TRACE_FINISHED, 0, "verify_data", v, 3);
        }
    }
    tenon_wipe(finished_key, sizeof finished_key);
    return rc;
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
int tls13_traffic_keys(const tenon_hash_class *h, const uint8_t *secret, size_t key_len,
                       uint8_t *key, uint8_t iv[TLS13_IV_LEN], const tls_trace *tr)
{
    ENSURE(hash_ok(h) && secret != NULL && key != NULL && iv != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(key_len > 0 && key_len <= TLS13_MAX_KEY, TENON_ERR_BAD_KEY_LENGTH);
    int rc = tls13_hkdf_expand_label(h, secret, "key", NULL, 0, key, key_len, tr);
    if (rc == TENON_OK)
        rc = tls13_hkdf_expand_label(h, secret, "iv", NULL, 0, iv, TLS13_IV_LEN, tr);
    if (rc != TENON_OK) {
        tenon_wipe(key, key_len);
        tenon_wipe(iv, TLS13_IV_LEN);
    }
    return rc;
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
