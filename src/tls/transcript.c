/*
 * The running transcript hash (RFC 8446 §4.4.1): one context per candidate hash until the
 * suite is known (see transcript.h for why not buffer the ClientHello).
 */
#include "transcript.h"

#include "../common.h"

/* RFC 8446 §4: HandshakeType message_hash(254). */
#define HS_MESSAGE_HASH 254

static const tenon_hash_class *const candidates[TLS_TRANSCRIPT_CANDIDATES] = {
    &tenon_sha256,
    &tenon_sha384,
    &tenon_sha512,
    &tenon_sha1,
};

static int candidate_index(const tenon_hash_class *h)
{
    for (int i = 0; i < TLS_TRANSCRIPT_CANDIDATES; i++)
        if (candidates[i] == h)
            return i;
    return -1;
}

/* The selected hash is one a suite can have (the TLS 1.2 PRF's or TLS 1.3's): SHA-256 or
 * SHA-384, never the CertificateVerify-only SHA-512 and SHA-1. */
static int suite_hash(const tenon_hash_class *h)
{
    return h == &tenon_sha256 || h == &tenon_sha384;
}

int tls_transcript_runs(const tls_transcript *t, const tenon_hash_class *h)
{
    int i = candidate_index(h);
    return i >= 0 && (t->running >> i & 1u) != 0;
}

/* The context of the selected hash (t->hash != NULL). */
static const tenon_hash_ctx *selected(const tls_transcript *t)
{
    return &t->ctx[candidate_index(t->hash)];
}

void tls_transcript_init(tls_transcript *t)
{
    memset(t, 0, sizeof *t);
    for (int i = 0; i < 2; i++) {
        candidates[i]->init(&t->ctx[i]);
        t->running |= 1u << i;
    }
}

int tls_transcript_also(tls_transcript *t, const tenon_hash_class *h)
{
    int i = candidate_index(h);
    ENSURE(t != NULL && i >= 0 && t->len == 0 && t->hash == NULL, TENON_ERR_INVALID_ARGUMENT);
    if ((t->running >> i & 1u) == 0)
        h->init(&t->ctx[i]);
    t->running |= 1u << i;
    return TENON_OK;
}

int tls_transcript_not(tls_transcript *t, const tenon_hash_class *h)
{
    int i = candidate_index(h);
    ENSURE(t != NULL && i >= 0 && t->len == 0 && t->hash == NULL, TENON_ERR_INVALID_ARGUMENT);
    tenon_wipe(&t->ctx[i], sizeof t->ctx[i]);
    t->running &= ~(1u << i);
    return TENON_OK;
}

int tls_transcript_init_hash(tls_transcript *t, const tenon_hash_class *h)
{
    int i = candidate_index(h);
    ENSURE(t != NULL && suite_hash(h), TENON_ERR_INVALID_ARGUMENT);
    memset(t, 0, sizeof *t);
    t->hash = h;
    t->running = 1u << i;
    h->init(&t->ctx[i]);
    return TENON_OK;
}

void tls_transcript_update(tls_transcript *t, const void *data, size_t len)
{
    if (len == 0)
        return;
    for (int i = 0; i < TLS_TRANSCRIPT_CANDIDATES; i++)
        if (t->running >> i & 1u)
            candidates[i]->update(&t->ctx[i], data, len);
    t->len += len;
}

void tls_transcript_keep_only(tls_transcript *t, const tenon_hash_class *keep)
{
    for (int i = 0; i < TLS_TRANSCRIPT_CANDIDATES; i++) {
        if (candidates[i] == t->hash || candidates[i] == keep || (t->running >> i & 1u) == 0)
            continue;
        tenon_wipe(&t->ctx[i], sizeof t->ctx[i]);
        t->running &= ~(1u << i);
    }
}

int tls_transcript_select_keep(tls_transcript *t, const tenon_hash_class *h)
{
    ENSURE(t != NULL, TENON_ERR_INVALID_ARGUMENT);
    if (t->hash != NULL)
        return t->hash == h ? TENON_OK : TENON_ERR_INVALID_ARGUMENT;
    ENSURE(suite_hash(h) && tls_transcript_runs(t, h), TENON_ERR_INVALID_ARGUMENT);
    t->hash = h;
    return TENON_OK;
}

int tls_transcript_select(tls_transcript *t, const tenon_hash_class *h)
{
    GUARD(tls_transcript_select_keep(t, h));
    tls_transcript_keep_only(t, NULL);
    return TENON_OK;
}

int tls_transcript_hash(const tls_transcript *t, uint8_t *out, size_t *out_len)
{
    ENSURE(t != NULL && out != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(t->hash != NULL, TENON_ERR_NOT_INITIALISED);
    /* The class's final leaves the context as it was: the transcript goes on. */
    t->hash->final(selected(t), out);
    if (out_len != NULL)
        *out_len = t->hash->digest_len;
    return TENON_OK;
}

int tls_transcript_hash_with(const tls_transcript *t, const tenon_hash_class *h,
                             const uint8_t *extra, size_t extra_len, uint8_t *out)
{
    ENSURE(t != NULL && out != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(extra != NULL || extra_len == 0, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(tls_transcript_runs(t, h), TENON_ERR_INVALID_ARGUMENT);
    tenon_hash_ctx tmp = t->ctx[candidate_index(h)];
    if (extra_len > 0)
        h->update(&tmp, extra, extra_len);
    h->final(&tmp, out);
    tenon_wipe(&tmp, sizeof tmp);
    return TENON_OK;
}

int tls_transcript_update_hash(tls_transcript *t, const tenon_hash_class *h, const uint8_t *msg,
                               size_t prefix_len, uint8_t *out)
{
    ENSURE(t != NULL && out != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(msg != NULL || prefix_len == 0, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(tls_transcript_runs(t, h), TENON_ERR_INVALID_ARGUMENT);
    tls_transcript_update(t, msg, prefix_len);
    /* The class's final leaves the context as it was: the rest of the message follows. */
    h->final(&t->ctx[candidate_index(h)], out);
    return TENON_OK;
}

/*
 * RFC 8446 §4.4.1: "When the server responds to a ClientHello with a HelloRetryRequest, the
 * value of ClientHello1 is replaced with a special synthetic handshake message of handshake
 * type "message_hash" containing Hash(ClientHello1). I.e.,
 *
 *   Transcript-Hash(ClientHello1, HelloRetryRequest, ... Mn) =
 *       Hash(message_hash ||        // Handshake type
 *            00 00 Hash.length  ||  // Handshake message length (bytes)
 *            Hash(ClientHello1) ||  // Hash of ClientHello1
 *            HelloRetryRequest  || ... || Mn)"
 */
/* The synthetic message of RFC 8446 §4.4.1 as the transcript's only content. */
static void start_with_message_hash(tls_transcript *t, const uint8_t *ch1_hash)
{
    const tenon_hash_class *h = t->hash;
    uint8_t synthetic[4 + TENON_HASH_MAX_LEN];
    synthetic[0] = HS_MESSAGE_HASH;
    synthetic[1] = 0;
    synthetic[2] = 0;
    synthetic[3] = (uint8_t)h->digest_len;
    memcpy(synthetic + 4, ch1_hash, h->digest_len);
    tls_transcript_keep_only(t, NULL);
    h->init(&t->ctx[candidate_index(h)]);
    t->len = 0;
    tls_transcript_update(t, synthetic, 4 + h->digest_len);
}

int tls_transcript_hrr_rewrite(tls_transcript *t)
{
    ENSURE(t != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(t->hash != NULL, TENON_ERR_NOT_INITIALISED);
    uint8_t ch1_hash[TENON_HASH_MAX_LEN];
    t->hash->final(selected(t), ch1_hash);
    start_with_message_hash(t, ch1_hash);
    return TENON_OK;
}

int tls_transcript_init_message_hash(tls_transcript *t, const tenon_hash_class *h,
                                     const uint8_t *ch1_hash)
{
    ENSURE(ch1_hash != NULL, TENON_ERR_INVALID_ARGUMENT);
    GUARD(tls_transcript_init_hash(t, h));
    start_with_message_hash(t, ch1_hash);
    return TENON_OK;
}

void tls_transcript_wipe(tls_transcript *t)
{
    if (t != NULL)
        tenon_wipe(t, sizeof *t);
}
