/*
 * TLS 1.2 in the engine: record protection of each direction (AEAD or CBC + HMAC), the master
 * secret and key block of a connection, the key log, the RFC 5705 exporter, and the choice of
 * a certificate and signature scheme. The messages live in hs12_*.c.
 */
#include "tls13.h"

#include <stdio.h>

int tls12_seal(tls12_dir *d, uint8_t type, const uint8_t *content, size_t len, uint8_t *out,
               size_t cap, size_t *out_len)
{
    if (d->cbc)
        return tls12_cbc_seal_record(&d->u.cbc, type, content, len, out, cap, out_len);
    return tls12_seal_record(&d->u.aead, type, content, len, out, cap, out_len);
}

int tls12_open(tls12_dir *d, uint8_t *rec, size_t rec_len, uint8_t *type, uint8_t **content,
               size_t *content_len)
{
    if (d->cbc)
        return tls12_cbc_open_record(&d->u.cbc, rec, rec_len, type, content, content_len);
    return tls12_open_record(&d->u.aead, rec, rec_len, type, content, content_len);
}

size_t tls12_overhead(const tls12_dir *d)
{
    if (d->cbc) /* IV, MAC, up to a block of padding */
        return TLS_RECORD_HEADER_LEN + TLS12_CBC_IV_LEN + d->u.cbc.mac_hash->digest_len + 16;
    return TLS_RECORD_HEADER_LEN + tls12_record_overhead(&d->u.aead);
}

void tls12_dir_sleep(tls12_dir *d)
{
    if (d->cbc)
        tls12_cbc_keys_sleep(&d->u.cbc);
    else
        tls12_record_keys_sleep(&d->u.aead);
}

int tls12_dir_wake(tls12_dir *d, tls_keys_ctx *ctx)
{
    if (d->cbc)
        return tls12_cbc_keys_wake(&d->u.cbc, &ctx->cbc);
    return tls12_record_keys_wake(&d->u.aead, &ctx->aead);
}

void tls12_dir_wipe(tls12_dir *d)
{
    if (d->cbc)
        tls12_cbc_keys_wipe(&d->u.cbc);
    else
        tls12_record_keys_wipe(&d->u.aead);
    tenon_wipe(d, sizeof *d);
}

int tls12_derive_master(tls_conn *c, const uint8_t *pms, size_t pms_len)
{
    const tenon_hash_class *h = c->suite12->prf;
    if (c->ems) {
        /* RFC 7627 §3: session_hash = Hash(handshake_messages) "up to and including the
         * ClientKeyExchange message". */
        uint8_t session_hash[TLS13_MAX_HASH];
        GUARD(tls_transcript_hash(&c->hs->tx, session_hash, NULL));
        GUARD(tls12_extended_master_secret(h, pms, pms_len, session_hash, h->digest_len, c->master,
                                           &c->trace));
    } else {
        GUARD(tls12_master_secret(h, pms, pms_len, c->hs->client_random, c->hs->server_random,
                                  c->master, &c->trace));
    }
    return TENON_OK;
}

static int install_dir(tls12_dir *d, tls_keys_ctx *ctx, const tls12_suite *s, int etm,
                       const uint8_t *mac, const uint8_t *key, const uint8_t *iv, size_t mac_len)
{
    d->on = 0;
    if (s->rec == TLS12_REC_CBC) {
        d->cbc = 1;
        return tls12_cbc_keys_install(&d->u.cbc, &ctx->cbc, s->mac, mac, mac_len, key, s->key_len,
                                      etm);
    }
    d->cbc = 0;
    return tls12_record_keys_install(&d->u.aead, &ctx->aead,
                                     s->rec == TLS12_REC_GCM ? TLS12_AEAD_GCM : TLS12_AEAD_CHACHA,
                                     s->aead(), key, s->key_len, iv, s->fixed_iv_len);
}

int tls12_install_keys(tls_conn *c)
{
    /* The key log line, for full and abbreviated handshakes alike: the master secret with
     * this connection's client random. */
    if (c->cfg->keylog_fn != NULL) {
        char line[TLS12_KEYLOG_LINE_LEN];
        tls12_keylog_line(c->hs->client_random, c->master, line);
        c->cfg->keylog_fn(c->cfg->keylog_user, line);
        tenon_wipe(line, sizeof line);
    }
    const tls12_suite *s = c->suite12;
    size_t mac_len = s->rec == TLS12_REC_CBC ? s->mac->digest_len : 0;
    tls12_key_block kb;
    int rc = tls12_key_block_derive(s->prf, c->master, c->hs->client_random, c->hs->server_random,
                                    mac_len, s->key_len, s->fixed_iv_len, &kb, &c->trace);
    /* RFC 5246 §6.3: the client writes with the client_write_* keys, the server with the
     * server_write_* ones. */
    tls12_dir *cw = c->is_client ? &c->wr12 : &c->rd12;
    tls12_dir *sw = c->is_client ? &c->rd12 : &c->wr12;
    tls_keys_ctx *cx = c->is_client ? tls_wr_ctx(c) : tls_rd_ctx(c);
    tls_keys_ctx *sx = c->is_client ? tls_rd_ctx(c) : tls_wr_ctx(c);
    if (rc == TENON_OK)
        rc = install_dir(cw, cx, s, c->etm, kb.client_mac, kb.client_key, kb.client_iv, mac_len);
    if (rc == TENON_OK)
        rc = install_dir(sw, sx, s, c->etm, kb.server_mac, kb.server_key, kb.server_iv, mac_len);
    tls12_key_block_wipe(&kb);
    return rc;
}

int tls12_export(const tenon_hash_class *h, const uint8_t *master, const uint8_t *client_random,
                 const uint8_t *server_random, const char *label, const uint8_t *context,
                 size_t context_len, uint8_t *out, size_t len)
{
    /* RFC 5705 §4: PRF(SecurityParameters.master_secret, label,
     *                  SecurityParameters.client_random + SecurityParameters.server_random
     *                  [+ context_value_length + context_value])[length] */
    uint8_t seed[64 + 2 + 1024];
    ENSURE(context_len <= 1024 && len > 0, TENON_ERR_INVALID_ARGUMENT);
    /* §4: labels reserved by the TLS specifications may not be used for exporting. */
    ENSURE(strcmp(label, "master secret") != 0 && strcmp(label, "key expansion") != 0 &&
               strcmp(label, "client finished") != 0 && strcmp(label, "server finished") != 0 &&
               strcmp(label, "extended master secret") != 0,
           TENON_ERR_INVALID_ARGUMENT);
    memcpy(seed, client_random, 32);
    memcpy(seed + 32, server_random, 32);
    size_t n = 64;
    if (context != NULL) {
        seed[n++] = (uint8_t)(context_len >> 8);
        seed[n++] = (uint8_t)context_len;
        memcpy(seed + n, context, context_len);
        n += context_len;
    }
    return tenon_tls12_prf(h, master, TLS12_MASTER_LEN, label, seed, n, out, len);
}

int tls12_write_signed(tls_conn *c, writer *w, const uint8_t *digest, const uint8_t *content,
                       size_t content_len)
{
    /* RFC 5246 §4.7: digitally-signed = SignatureAndHashAlgorithm algorithm (2 bytes) || opaque
     * signature<0..2^16-1>. */
    wr_vec v;
    size_t sig_len;
    GUARD(wr_u16(w, c->hs->our_sig_scheme));
    GUARD(wr_open_vec(w, 2, &v));
    GUARD(tls12_sign(c, c->hs->our_sig_scheme, c->cert->key, digest, content, content_len,
                     w->buf + w->len, w->cap - w->len, &sig_len));
    w->len += sig_len;
    return wr_close_vec(w, &v);
}

uint16_t tls12_cert_scheme(const tls_conn *c, const tenon_cert_key *ck, tenon_key_type t,
                           const tenon_hash_class *hash, const cursor *curves, int *type_ok)
{
    const tenon_config *cfg = c->cfg;
    *type_ok = 0;
    if (ck->key == NULL || !tls12_auth_takes_key(t, ck->key->type))
        return 0;
    /* RFC 8422 §4: with the client's supported_groups, the server "MUST NOT negotiate the use
     * of an ECC cipher suite unless [it] can complete the handshake while respecting the
     * choice of curves specified by the client": in TLS 1.2 the ECDSA key's too. */
    if (ck->key->type == TENON_KEY_EC && curves != NULL &&
        !ext_supported_groups_has(*curves, (uint16_t)ck->key->u.ec.curve))
        return 0;
    *type_ok = 1;
    size_t n;
    const uint16_t *ours = tls_cert_sign_schemes(cfg, ck, &n);
    for (size_t j = 0; j < n; j++) {
        const tls_sig_scheme *s = tls_sig_scheme_find(ours[j]);
        if (s == NULL || s->key_type != ck->key->type || (hash != NULL && s->hash != hash) ||
            !tls12_scheme_known(s->id))
            continue;
        /* A client's CertificateVerify signs handshake_messages (RFC 5246 §7.4.8), which tenon
         * keeps only as running hashes: no PureEdDSA there (RFC 8422 §5.8 signs the messages
         * themselves), whatever the CertificateRequest lists. */
        if (c->is_client && s->hash == NULL)
            continue;
        for (size_t k = 0; k < c->hs->peer_sig_count; k++)
            if (c->hs->peer_sigs[k] == s->id)
                return s->id;
    }
    return 0;
}

int tls12_pick_cert(tls_conn *c, tenon_key_type t, const tenon_hash_class *hash,
                    const cursor *curves)
{
    const tenon_config *cfg = c->cfg;
    int have_type = 0;
    for (size_t i = 0; i < cfg->cert_count; i++) {
        int type_ok;
        uint16_t s = tls12_cert_scheme(c, &cfg->certs[i], t, hash, curves, &type_ok);
        have_type |= type_ok;
        if (s != 0) {
            c->cert = &cfg->certs[i];
            c->hs->our_sig_scheme = s;
            return TENON_OK;
        }
    }
    return have_type ? tls_no_cert_cause(c) : TENON_ERR_TLS_NO_CERT_FOR_PEER;
}

/* RFC 5246 §7.4.8: the CertificateVerify signs "handshake_messages", all of them from the
 * ClientHello on, under the hash of a scheme chosen from the CertificateRequest ("MUST be one of
 * those present in the supported_signature_algorithms field"), which need not be the PRF's.
 * Rather than keep the messages (no malloc), a side that may sign or verify one runs the
 * transcript under each hash it could need from the first byte; tls_transcript_keep_only drops
 * them once the scheme is known. */
int tls12_transcript_for_client_auth(tls_conn *c)
{
    const tenon_config *cfg = c->cfg;
    if (!tls_version_on(cfg, TENON_TLS12))
        return TENON_OK;
    size_t n = 0;
    const uint16_t *schemes = NULL;
    if (c->is_client && cfg->cert_count > 0) {
        schemes = tls_sign_schemes(cfg, &n);
    } else if (!c->is_client && cfg->client_auth != TENON_CLIENT_AUTH_NONE) {
        schemes = cfg->sig_schemes;
        n = cfg->sig_scheme_count;
    }
    for (size_t i = 0; i < n; i++) {
        const tenon_hash_class *h = tls12_sig_hash(schemes[i]);
        if (h != NULL && !tls_transcript_runs(&c->hs->tx, h))
            GUARD(tls_transcript_also(&c->hs->tx, h));
    }
    return TENON_OK;
}
