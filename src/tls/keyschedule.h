/*
 * Internal: the TLS 1.3 key schedule (RFC 8446 §7.1-7.5), a pure module with no connection
 * state. Every step can be reported to the trace (see trace.h).
 *
 * Secrets are arrays of TLS13_MAX_HASH bytes of which hash->digest_len are used.
 */
#ifndef TENON_TLS_KEYSCHEDULE_H
#define TENON_TLS_KEYSCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "tenon/crypto.h"
#include "trace.h"

#define TLS13_MAX_HASH 48 /* SHA-384 */
#define TLS13_MAX_KEY 32
#define TLS13_IV_LEN 12

/* RFC 8446 §7.1 HKDF-Expand-Label(secret, label, context, length); label without the "tls13 "
 * prefix, which is added here. */
TENON_MUST_CHECK int tls13_hkdf_expand_label(const tenon_hash_class *h, const uint8_t *secret,
                                             const char *label, const uint8_t *context,
                                             size_t context_len, uint8_t *out, size_t out_len,
                                             const tls_trace *tr);

/* RFC 8446 §7.1 Derive-Secret(secret, label, transcript_hash): context is the transcript hash
 * (h->digest_len bytes) the caller computed. */
TENON_MUST_CHECK int tls13_derive_secret(const tenon_hash_class *h, const uint8_t *secret,
                                         const char *label, const uint8_t *transcript_hash,
                                         uint8_t *out, const tls_trace *tr);

/* Derive-Secret(secret, labels[i], transcript_hash) into outs[i] for i < n, the secret keyed
 * into HMAC once for all of them (RFC 8446 §7.1 derives two or three secrets from the
 * handshake and master secrets with one transcript hash). No out may overlap secret. */
TENON_MUST_CHECK int tls13_derive_secrets(const tenon_hash_class *h, const uint8_t *secret,
                                          const uint8_t *transcript_hash, size_t n,
                                          const char *const labels[], uint8_t *const outs[],
                                          const tls_trace *tr);

/* The chain of extracted secrets, each from the previous one (RFC 8446 §7.1 figure). */
typedef struct tls13_schedule {
    const tenon_hash_class *hash;
    uint8_t early_secret[TLS13_MAX_HASH];
    uint8_t handshake_secret[TLS13_MAX_HASH];
    uint8_t master_secret[TLS13_MAX_HASH];
    int zero_early; /* early_secret is HKDF-Extract(0, 0): its "derived" salt is known */
    /* Salts made ahead from a secret's keyed HMAC while it was at hand (saving that secret's
     * two key-block compressions later), each kept in the slot of the secret it salts until
     * that secret is extracted: Derive-Secret(early, "derived", "") in handshake_secret
     * (tls13_binder_key), Derive-Secret(handshake, "derived", "") in master_secret
     * (tls13_handshake_traffic). */
    unsigned char early_salt_ready, hs_salt_ready;
    unsigned char psk_early; /* early_secret is HKDF-Extract(0, PSK) */
} tls13_schedule;

/* early_secret = HKDF-Extract(0, psk or 0^HashLen). */
TENON_MUST_CHECK int tls13_early_secret(tls13_schedule *ks, const tenon_hash_class *h,
                                        const uint8_t *psk, size_t psk_len, const tls_trace *tr);
/* handshake_secret = HKDF-Extract(Derive-Secret(early, "derived", ""), (EC)DHE). */
TENON_MUST_CHECK int tls13_handshake_secret(tls13_schedule *ks, const uint8_t *ecdhe,
                                            size_t ecdhe_len, const tls_trace *tr);
/* master_secret = HKDF-Extract(Derive-Secret(handshake, "derived", ""), 0). */
TENON_MUST_CHECK int tls13_master_secret(tls13_schedule *ks, const tls_trace *tr);

/* binder_key: Derive-Secret(early, "res binder" or "ext binder", ""); also makes the
 * handshake secret's salt from the same keyed early secret. */
TENON_MUST_CHECK int tls13_binder_key(tls13_schedule *ks, int external, uint8_t *out,
                                      const tls_trace *tr);

/* client/server_handshake_traffic_secret = Derive-Secret(handshake_secret, "c hs traffic" /
 * "s hs traffic", transcript_hash); also makes the master secret's salt from the same keyed
 * handshake secret. */
TENON_MUST_CHECK int tls13_handshake_traffic(tls13_schedule *ks, const uint8_t *transcript_hash,
                                             uint8_t *c_hs, uint8_t *s_hs, const tls_trace *tr);

/* finished_key = HKDF-Expand-Label(base_key, "finished", "", Hash.length) and
 * verify_data = HMAC(finished_key, transcript_hash) (RFC 8446 §4.4.4). */
TENON_MUST_CHECK int tls13_finished(const tenon_hash_class *h, const uint8_t *base_key,
                                    const uint8_t *transcript_hash, uint8_t *verify_data,
                                    const tls_trace *tr);
/* verify_data = HMAC(finished_key, transcript_hash), the finished_key already derived (by
 * tls13_handshake_traffic_keys). */
TENON_MUST_CHECK int tls13_finished_mac(const tenon_hash_class *h, const uint8_t *finished_key,
                                        const uint8_t *transcript_hash, uint8_t *verify_data,
                                        const tls_trace *tr);

/* RFC 8446 §7.2: application_traffic_secret_N+1 = HKDF-Expand-Label(N, "traffic upd", "", L). */
TENON_MUST_CHECK int tls13_update_secret(const tenon_hash_class *h, uint8_t *secret,
                                         const tls_trace *tr);

/* RFC 8446 §7.3: the traffic key and IV of a traffic secret. */
TENON_MUST_CHECK int tls13_traffic_keys(const tenon_hash_class *h, const uint8_t *secret,
                                        size_t key_len, uint8_t *key, uint8_t iv[TLS13_IV_LEN],
                                        const tls_trace *tr);
/* The same for a handshake traffic secret, and its finished_key (RFC 8446 §4.4.4:
 * HKDF-Expand-Label(secret, "finished", "", Hash.length)) from the same keyed secret. */
TENON_MUST_CHECK int tls13_handshake_traffic_keys(const tenon_hash_class *h, const uint8_t *secret,
                                                  size_t key_len, uint8_t *key,
                                                  uint8_t iv[TLS13_IV_LEN], uint8_t *finished_key,
                                                  const tls_trace *tr);

/* RFC 8446 §7.5: TLS-Exporter(label, context, length) from the exporter master secret. */
TENON_MUST_CHECK int tls13_export(const tenon_hash_class *h, const uint8_t *exporter_master,
                                  const char *label, size_t label_len, const uint8_t *context,
                                  size_t context_len, uint8_t *out, size_t out_len);

/* RFC 8446 §4.6.1: the PSK of a ticket, HKDF-Expand-Label(resumption_master, "resumption",
 * ticket_nonce, Hash.length). */
TENON_MUST_CHECK int tls13_ticket_psk(const tenon_hash_class *h, const uint8_t *resumption_master,
                                      const uint8_t *nonce, size_t nonce_len, uint8_t *psk,
                                      const tls_trace *tr);

/* The keyed HMAC of the all-zero salt (HKDF-Extract(0, .)) for SHA-256 and SHA-384, else NULL. */
const tenon_hmac_ctx *tls13_zero_salt_hmac(const tenon_hash_class *h);

void tls13_schedule_wipe(tls13_schedule *ks);

#endif
