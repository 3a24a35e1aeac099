/*
 * The TLS 1.2 key derivation (RFC 5246 §5, §6.3, §7.4.9, §8.1; RFC 7627 §4).
 *
 * Everything is one PRF (tenon_tls12_prf) with a label and a seed; this module knows which
 * label and seed each secret takes, reports each call to the trace, and splits the key block.
 */
#include "keyschedule12.h"

#include "../common.h"
#include "../crypto/ct.h"

/* The longest key block: two MAC keys, two encryption keys and two IVs at their maxima. */
#define KEY_BLOCK_MAX (2 * (TLS12_MAX_MAC_KEY + TLS12_MAX_ENC_KEY + TLS12_MAX_FIXED_IV))

static int prf_hash_ok(const tenon_hash_class *h)
{
    /* RFC 5246 §5: SHA-256 for the suites of this document; RFC 5288 §3 / RFC 5289 §3.2:
     * SHA-384 for the _SHA384 suites. */
    return h == &tenon_sha256 || h == &tenon_sha384;
}

/* One PRF call, reported as TENON_TRACE_PRF with its label, secret, seed and output. */
static int prf(const tenon_hash_class *h, const uint8_t *secret, size_t secret_len,
               const char *label, const uint8_t *seed, size_t seed_len, uint8_t *out,
               size_t out_len, int out_secret, const tls_trace *tr)
{
    GUARD(tenon_tls12_prf(h, secret, secret_len, label, seed, seed_len, out, out_len));
    if (tls_trace_on(tr)) {
        tenon_trace_value v[3] = {
            {"secret", secret, secret_len, 1},
            {"seed", seed, seed_len, 0},
            {"out", out, out_len, out_secret},
        };
        tls_trace_emit(tr, TENON_TRACE_PRF, 0, label, v, 3);
    }
    return TENON_OK;
}

int tls12_master_secret(const tenon_hash_class *h, const uint8_t *pms, size_t pms_len,
                        const uint8_t client_random[TLS12_RANDOM_LEN],
                        const uint8_t server_random[TLS12_RANDOM_LEN],
                        uint8_t master[TLS12_MASTER_LEN], const tls_trace *tr)
{
    ENSURE(prf_hash_ok(h) && pms != NULL && pms_len > 0, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(client_random != NULL && server_random != NULL && master != NULL,
           TENON_ERR_INVALID_ARGUMENT);
    /* RFC 5246 §8.1:
     *   master_secret = PRF(pre_master_secret, "master secret",
     *                       ClientHello.random + ServerHello.random)
     *                       [0..47]; */
    uint8_t seed[2 * TLS12_RANDOM_LEN];
    memcpy(seed, client_random, TLS12_RANDOM_LEN);
    memcpy(seed + TLS12_RANDOM_LEN, server_random, TLS12_RANDOM_LEN);
    return prf(h, pms, pms_len, "master secret", seed, sizeof seed, master, TLS12_MASTER_LEN, 1,
               tr);
}

int tls12_extended_master_secret(const tenon_hash_class *h, const uint8_t *pms, size_t pms_len,
                                 const uint8_t *session_hash, size_t session_hash_len,
                                 uint8_t master[TLS12_MASTER_LEN], const tls_trace *tr)
{
    ENSURE(prf_hash_ok(h) && pms != NULL && pms_len > 0, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(session_hash != NULL && session_hash_len == h->digest_len && master != NULL,
           TENON_ERR_INVALID_ARGUMENT);
    /* RFC 7627 §4:
     *   master_secret = PRF(pre_master_secret, "extended master secret",
     *                       session_hash)
     *                       [0..47]; */
    return prf(h, pms, pms_len, "extended master secret", session_hash, session_hash_len, master,
               TLS12_MASTER_LEN, 1, tr);
}

static void trace_keys(const tls_trace *tr, const tls12_key_block *kb)
{
    if (!tls_trace_on(tr))
        return;
    tenon_trace_value v[6] = {
        {"client_write_MAC_key", kb->client_mac, kb->mac_key_len, 1},
        {"server_write_MAC_key", kb->server_mac, kb->mac_key_len, 1},
        {"client_write_key", kb->client_key, kb->enc_key_len, 1},
        {"server_write_key", kb->server_key, kb->enc_key_len, 1},
        {"client_write_IV", kb->client_iv, kb->fixed_iv_len, 1},
        {"server_write_IV", kb->server_iv, kb->fixed_iv_len, 1},
    };
    tls_trace_emit(tr, TENON_TRACE_TRAFFIC_KEYS, 0, "key block", v, 6);
}

int tls12_key_block_derive(const tenon_hash_class *h, const uint8_t master[TLS12_MASTER_LEN],
                           const uint8_t client_random[TLS12_RANDOM_LEN],
                           const uint8_t server_random[TLS12_RANDOM_LEN], size_t mac_key_len,
                           size_t enc_key_len, size_t fixed_iv_len, tls12_key_block *kb,
                           const tls_trace *tr)
{
    ENSURE(prf_hash_ok(h) && master != NULL && kb != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(client_random != NULL && server_random != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(mac_key_len <= TLS12_MAX_MAC_KEY && enc_key_len <= TLS12_MAX_ENC_KEY &&
               fixed_iv_len <= TLS12_MAX_FIXED_IV,
           TENON_ERR_INVALID_ARGUMENT);

    /* RFC 5246 §6.3:
     *   key_block = PRF(SecurityParameters.master_secret,
     *                   "key expansion",
     *                   SecurityParameters.server_random +
     *                   SecurityParameters.client_random);
     * (note the order: server random first, unlike the master secret's seed). */
    uint8_t seed[2 * TLS12_RANDOM_LEN];
    memcpy(seed, server_random, TLS12_RANDOM_LEN);
    memcpy(seed + TLS12_RANDOM_LEN, client_random, TLS12_RANDOM_LEN);
    uint8_t block[KEY_BLOCK_MAX];
    size_t total = 2 * (mac_key_len + enc_key_len + fixed_iv_len);
    int rc =
        prf(h, master, TLS12_MASTER_LEN, "key expansion", seed, sizeof seed, block, total, 1, tr);
    if (rc != TENON_OK) {
        tenon_wipe(block, sizeof block);
        return rc;
    }

    /* RFC 5246 §6.3: "the key_block is partitioned as follows:
     *   client_write_MAC_key[SecurityParameters.mac_key_length]
     *   server_write_MAC_key[SecurityParameters.mac_key_length]
     *   client_write_key[SecurityParameters.enc_key_length]
     *   server_write_key[SecurityParameters.enc_key_length]
     *   client_write_IV[SecurityParameters.fixed_iv_length]
     *   server_write_IV[SecurityParameters.fixed_iv_length]" */
    tls12_key_block_wipe(kb);
    kb->mac_key_len = mac_key_len;
    kb->enc_key_len = enc_key_len;
    kb->fixed_iv_len = fixed_iv_len;
    const uint8_t *p = block;
    memcpy(kb->client_mac, p, mac_key_len);
    p += mac_key_len;
    memcpy(kb->server_mac, p, mac_key_len);
    p += mac_key_len;
    memcpy(kb->client_key, p, enc_key_len);
    p += enc_key_len;
    memcpy(kb->server_key, p, enc_key_len);
    p += enc_key_len;
    memcpy(kb->client_iv, p, fixed_iv_len);
    p += fixed_iv_len;
    memcpy(kb->server_iv, p, fixed_iv_len);
    tenon_wipe(block, sizeof block);
    trace_keys(tr, kb);
    return TENON_OK;
}

int tls12_finished(const tenon_hash_class *h, const uint8_t master[TLS12_MASTER_LEN],
                   int from_client, const uint8_t *transcript_hash, size_t transcript_hash_len,
                   uint8_t verify_data[TLS12_VERIFY_DATA_LEN], const tls_trace *tr)
{
    ENSURE(prf_hash_ok(h) && master != NULL && verify_data != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(transcript_hash != NULL && transcript_hash_len == h->digest_len,
           TENON_ERR_INVALID_ARGUMENT);
    /* RFC 5246 §7.4.9:
     *   verify_data
     *      PRF(master_secret, finished_label, Hash(handshake_messages))
     *         [0..verify_data_length-1];
     *   finished_label
     *      For Finished messages sent by the client, the string
     *      "client finished".  For Finished messages sent by the server,
     *      the string "server finished". */
    return prf(h, master, TLS12_MASTER_LEN, from_client ? "client finished" : "server finished",
               transcript_hash, transcript_hash_len, verify_data, TLS12_VERIFY_DATA_LEN, 0, tr);
}

int tls12_finished_check(const tenon_hash_class *h, const uint8_t master[TLS12_MASTER_LEN],
                         int from_client, const uint8_t *transcript_hash,
                         size_t transcript_hash_len, const uint8_t *received, size_t received_len,
                         const tls_trace *tr)
{
    ENSURE(received != NULL || received_len == 0, TENON_ERR_INVALID_ARGUMENT);
    uint8_t expected[TLS12_VERIFY_DATA_LEN];
    GUARD(
        tls12_finished(h, master, from_client, transcript_hash, transcript_hash_len, expected, tr));
    /* The length is public (the message's own); the bytes are compared in constant time. */
    int ok = received_len == TLS12_VERIFY_DATA_LEN &&
             tenon_ct_memeq(expected, received, TLS12_VERIFY_DATA_LEN);
    tenon_wipe(expected, sizeof expected);
    /* The verdict is public (the handshake goes on or fails); nothing before it branched. */
    ct_declassify(&ok, sizeof ok);
    return ok ? TENON_OK : TENON_ERR_TLS_DECRYPT_ERROR;
}

static void hex(char *out, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
}

void tls12_keylog_line(const uint8_t client_random[TLS12_RANDOM_LEN],
                       const uint8_t master[TLS12_MASTER_LEN], char out[TLS12_KEYLOG_LINE_LEN])
{
    /* NSS key log format: "CLIENT_RANDOM <64 hex digits> <96 hex digits>" for TLS 1.2. */
    static const char label[] = "CLIENT_RANDOM";
    size_t n = sizeof label - 1;
    memcpy(out, label, n);
    out[n++] = ' ';
    hex(out + n, client_random, TLS12_RANDOM_LEN);
    n += 2 * TLS12_RANDOM_LEN;
    out[n++] = ' ';
    hex(out + n, master, TLS12_MASTER_LEN);
    n += 2 * TLS12_MASTER_LEN;
    out[n] = 0;
}

void tls12_key_block_wipe(tls12_key_block *kb)
{
    if (kb != NULL)
        tenon_wipe(kb, sizeof *kb);
}
