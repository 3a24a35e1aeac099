/*
 * Internal: the running handshake transcript hash (RFC 8446 §4.4.1).
 *
 * The hash is the cipher suite's, which is known only once ServerHello (or a
 * HelloRetryRequest) is in, after the ClientHello has already gone into the transcript. Rather
 * than buffer the ClientHello (up to 2^24 bytes), the transcript runs one context per
 * candidate hash — SHA-256 and SHA-384, the only hashes of TLS 1.3's suites — until
 * tls_transcript_select() keeps one. Both cost a few hundred bytes and one extra hash pass over
 * the first messages only.
 *
 * Reading the hash ("hash so far") never disturbs the running context: hashes of successive
 * prefixes (ClientHello..ServerHello, ..server Finished, ..client Finished) come from one pass.
 *
 * TLS 1.2 client authentication signs the handshake messages under the hash of a signature
 * scheme chosen from the CertificateRequest (RFC 5246 §7.4.8), which need not be the PRF's. For
 * that, other candidates (SHA-512 and SHA-1 too, asked for before the first message) may keep
 * running beside the selected hash until the CertificateVerify is done (tls_transcript_select_keep,
 * tls_transcript_keep_only); TLS 1.3 never needs them.
 */
#ifndef TENON_TLS_TRANSCRIPT_H
#define TENON_TLS_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "tenon/crypto.h"

#define TLS_TRANSCRIPT_CANDIDATES 4 /* SHA-256, SHA-384; SHA-512 and SHA-1 only when asked for */

typedef struct tls_transcript {
    /* NULL until the suite's hash is selected. */
    const tenon_hash_class *hash;
    unsigned running; /* bit i: ctx[i] runs candidate i (SHA-256, SHA-384, SHA-512, SHA-1) */
    tenon_hash_ctx ctx[TLS_TRANSCRIPT_CANDIDATES];
    uint64_t len; /* bytes hashed so far (the HRR rewrite counts as its synthetic message) */
} tls_transcript;

/* Starts an empty transcript running SHA-256 and SHA-384 (TLS 1.3's suites and the TLS 1.2
 * PRFs). */
void tls_transcript_init(tls_transcript *t);

/* Before the first message: stops running candidate h (a client none of whose offered suites
 * has hash h need not hash its ClientHello under h). */
TENON_MUST_CHECK int tls_transcript_not(tls_transcript *t, const tenon_hash_class *h);

/* Makes a transcript that has hashed nothing yet also run h (SHA-256, SHA-384, SHA-512, SHA-1):
 * for a TLS 1.2 CertificateVerify under h. TENON_ERR_INVALID_ARGUMENT for another hash, after
 * the first byte or after a hash is selected. */
TENON_MUST_CHECK int tls_transcript_also(tls_transcript *t, const tenon_hash_class *h);

/* 1 if the transcript runs h (selected, or a candidate still running). */
int tls_transcript_runs(const tls_transcript *t, const tenon_hash_class *h);

/* Starts an empty transcript with a known hash (a server that has chosen its suite before it
 * hashes the ClientHello, or a resumption whose PSK fixes the hash). SHA-256 or SHA-384, else
 * TENON_ERR_INVALID_ARGUMENT. */
TENON_MUST_CHECK int tls_transcript_init_hash(tls_transcript *t, const tenon_hash_class *h);

/* Adds a whole handshake message (header included) — or any part of one: the hash is over the
 * concatenation of the messages' bytes. */
void tls_transcript_update(tls_transcript *t, const void *data, size_t len);

/* Keeps the candidate h (a running one) and drops the others. Selecting the hash already
 * selected is allowed (and drops what still ran beside it); a different one, or one that is
 * not running, is TENON_ERR_INVALID_ARGUMENT. */
TENON_MUST_CHECK int tls_transcript_select(tls_transcript *t, const tenon_hash_class *h);

/* As tls_transcript_select, but every other running candidate goes on running beside h
 * (TLS 1.2, until the CertificateVerify's hash is known: RFC 5246 §7.4.8). */
TENON_MUST_CHECK int tls_transcript_select_keep(tls_transcript *t, const tenon_hash_class *h);

/* Stops every candidate but the selected hash and keep (NULL: none), wiping their state. */
void tls_transcript_keep_only(tls_transcript *t, const tenon_hash_class *keep);

/* Transcript-Hash of everything so far into out (t->hash->digest_len bytes; *out_len receives
 * it when out_len is not NULL). The transcript goes on unchanged. TENON_ERR_NOT_INITIALISED
 * before a hash is selected. */
TENON_MUST_CHECK int tls_transcript_hash(const tls_transcript *t, uint8_t *out, size_t *out_len);

/* The hash of everything so far followed by extra bytes that are not (yet) in the transcript,
 * under a running candidate h (selected or not): for a PSK binder over a truncated ClientHello
 * (RFC 8446 §4.2.11.2), computed before the suite is known, and for a TLS 1.2 CertificateVerify
 * (no extra bytes). The transcript is unchanged. TENON_ERR_INVALID_ARGUMENT if h is not
 * running. */
TENON_MUST_CHECK int tls_transcript_hash_with(const tls_transcript *t, const tenon_hash_class *h,
                                              const uint8_t *extra, size_t extra_len, uint8_t *out);

/* Adds the first prefix_len bytes of msg to the transcript and writes into out the hash of
 * everything so far under the running candidate h (selected or not). For a PSK binder over a
 * truncated ClientHello (RFC 8446 §4.2.11.2): the caller then adds the rest of the message,
 * msg + prefix_len, so the ClientHello is hashed once, not once for the binder and again for
 * the transcript. TENON_ERR_INVALID_ARGUMENT (and nothing added) if h is not running. */
TENON_MUST_CHECK int tls_transcript_update_hash(tls_transcript *t, const tenon_hash_class *h,
                                                const uint8_t *msg, size_t prefix_len,
                                                uint8_t *out);

/* RFC 8446 §4.4.1: on a HelloRetryRequest, ClientHello1 in the transcript is replaced by the
 * synthetic message_hash message (254, 00 00 Hash.length, Hash(ClientHello1)). Call it with
 * ClientHello1 — and nothing else — hashed and the hash selected (the HRR's suite), before the
 * HelloRetryRequest itself is added. TENON_ERR_NOT_INITIALISED before a hash is selected. */
TENON_MUST_CHECK int tls_transcript_hrr_rewrite(tls_transcript *t);

/* Starts a transcript that holds only the synthetic message_hash message for a ClientHello1
 * whose hash is ch1_hash (h->digest_len bytes): the state tls_transcript_hrr_rewrite() leaves,
 * for a server that kept only Hash(ClientHello1) (e.g. in an HRR cookie, RFC 8446 §4.2.2). */
TENON_MUST_CHECK int tls_transcript_init_message_hash(tls_transcript *t, const tenon_hash_class *h,
                                                      const uint8_t *ch1_hash);

void tls_transcript_wipe(tls_transcript *t);

#endif
