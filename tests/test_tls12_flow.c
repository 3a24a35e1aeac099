/*
 * The TLS 1.2 pieces composed into the full-handshake key flow, client and server side by side
 * in memory (no engine yet): ServerKeyExchange signed and verified, ClientKeyExchange (ECDHE
 * over x25519, secp256r1, secp384r1, or RSA key transport), the (extended) master secret from
 * the transcript, the key_block split into each side's record keys, Finished both ways (and a
 * wrong one: decrypt_error), application data both ways under every default AEAD suite. Both
 * sides must reach the same keys without sending them.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "testutil.h"
#include "tls/hs12.h"
#include "tls/keyschedule12.h"
#include "tls/record12.h"

typedef struct suite12 {
    const char *name;
    const tenon_hash_class *hash;
    tls12_aead_kind kind;
    size_t key_len, iv_len;
} suite12;

static const suite12 SUITES[] = {
    {"AES_128_GCM_SHA256", &tenon_sha256, TLS12_AEAD_GCM, 16, 4},
    {"AES_256_GCM_SHA384", &tenon_sha384, TLS12_AEAD_GCM, 32, 4},
    {"CHACHA20_POLY1305_SHA256", &tenon_sha256, TLS12_AEAD_CHACHA, 32, 12},
};

static const tenon_kex_class *const GROUPS[] = {&tenon_kex_x25519, &tenon_kex_secp256r1,
                                                &tenon_kex_secp384r1};

static tenon_private_key priv[2]; /* 0: ECDSA P-256, 1: RSA-2048 */
static tenon_public_key pub[2];

static void load(int i, EVP_PKEY *k)
{
    unsigned char *der = NULL;
    int n = i2d_PrivateKey(k, &der);
    CHECK(n > 0);
    CHECK_RC(tenon_private_key_parse_der(&priv[i], der, (size_t)n), TENON_OK);
    OPENSSL_free(der);
    der = NULL;
    n = i2d_PUBKEY(k, &der);
    CHECK_RC(tenon_public_key_parse_spki(&pub[i], der, (size_t)n), TENON_OK);
    OPENSSL_free(der);
    EVP_PKEY_free(k);
}

static const tenon_aead_class *aead(const suite12 *s)
{
    return s->kind == TLS12_AEAD_CHACHA ? tenon_aead_chacha20_poly1305() : tenon_aead_aes_gcm();
}

/* One side's view: its master secret and its two record directions. */
typedef struct side {
    uint8_t master[48];
    tls12_record_keys wr, rd;
    tenon_aead_ctx wctx, rctx; /* their expanded keys (the engine keeps them in its buffers) */
} side;

static void install(const suite12 *s, side *sd, const uint8_t cr[32], const uint8_t sr[32],
                    int is_client)
{
    tls12_key_block kb;
    CHECK_RC(
        tls12_key_block_derive(s->hash, sd->master, cr, sr, 0, s->key_len, s->iv_len, &kb, NULL),
        TENON_OK);
    /* RFC 5246 §6.3: the client writes with client_write_*, the server with server_write_* */
    const uint8_t *wk = is_client ? kb.client_key : kb.server_key;
    const uint8_t *wi = is_client ? kb.client_iv : kb.server_iv;
    const uint8_t *rk = is_client ? kb.server_key : kb.client_key;
    const uint8_t *ri = is_client ? kb.server_iv : kb.client_iv;
    CHECK_RC(tls12_record_keys_install(&sd->wr, &sd->wctx, s->kind, aead(s), wk, s->key_len, wi,
                                       s->iv_len),
             TENON_OK);
    CHECK_RC(tls12_record_keys_install(&sd->rd, &sd->rctx, s->kind, aead(s), rk, s->key_len, ri,
                                       s->iv_len),
             TENON_OK);
    tls12_key_block_wipe(&kb);
}

static uint8_t rec[TLS_MAX_RECORD];

/* from seals a record of msg; to opens it; the content must come out unchanged. */
static void send_record(side *from, side *to, uint8_t type, const uint8_t *msg, size_t len)
{
    size_t rl = 0;
    CHECK_RC(tls12_seal_record(&from->wr, type, msg, len, rec, sizeof rec, &rl), TENON_OK);
    uint8_t t = 0, *content = NULL;
    size_t cl = 0;
    CHECK_RC(tls12_open_record(&to->rd, rec, rl, &t, &content, &cl), TENON_OK);
    CHECK(t == type && cl == len && (len == 0 || memcmp(content, msg, len) == 0));
}

/* rsa_kx: RSA key transport (key 1) instead of ECDHE with group g signed by key sig_key. */
static void flow(const suite12 *s, const tenon_kex_class *g, int sig_key, uint16_t scheme,
                 int rsa_kx, int ems)
{
    uint8_t cr[32], sr[32], transcript[4096], pms_c[48], pms_s[48];
    size_t tl = 0;
    tu_rand(cr, 32);
    tu_rand(sr, 32);
    /* stand-ins for ClientHello, ServerHello, Certificate in the transcript */
    tu_rand(transcript, 300);
    memcpy(transcript + 10, cr, 32);
    memcpy(transcript + 150, sr, 32);
    tl = 300;
    size_t pms_len = 0;

    if (!rsa_kx) {
        /* server: ephemeral key, ServerKeyExchange */
        uint8_t s_priv[TENON_KEX_MAX_PRIVATE_LEN], s_pub[TENON_KEX_MAX_SHARE_LEN];
        CHECK_RC(g->keygen(s_priv, s_pub), TENON_OK);
        writer w = wr_init(transcript + tl, sizeof transcript - tl);
        CHECK_RC(tls12_ske_write_params(&w, g->tls_group, s_pub, g->client_share_len), TENON_OK);
        const tenon_hash_class *sh = tls12_sig_hash(scheme);
        uint8_t digest[64];
        tls12_ske_digest(sh, cr, sr, w.buf, w.len, digest);
        CHECK_RC(wr_u16(&w, scheme), TENON_OK);
        wr_vec v = {0, 0};
        CHECK_RC(wr_open_vec(&w, 2, &v), TENON_OK);
        size_t n = 0;
        CHECK_RC(tls12_sign(NULL, scheme, &priv[sig_key], digest, NULL, 0, w.buf + w.len,
                            w.cap - w.len, &n),
                 TENON_OK);
        w.len += n;
        CHECK_RC(wr_close_vec(&w, &v), TENON_OK);
        /* client: parse and verify it */
        tls12_ske_view sv;
        CHECK_RC(tls12_ske_parse(transcript + tl, w.len, &sv), TENON_OK);
        CHECK(sv.group == g->tls_group);
        tls12_ske_digest(tls12_sig_hash(sv.sig_scheme), cr, sr, sv.params, sv.params_len, digest);
        CHECK_RC(tls12_verify(sv.sig_scheme, &pub[sig_key], digest, NULL, 0, sv.sig.p, sv.sig.len),
                 TENON_OK);
        tl += w.len;
        /* client: its key, ClientKeyExchange, the shared secret */
        uint8_t c_priv[TENON_KEX_MAX_PRIVATE_LEN], c_pub[TENON_KEX_MAX_SHARE_LEN];
        CHECK_RC(g->keygen(c_priv, c_pub), TENON_OK);
        CHECK_RC(g->shared_secret(c_priv, sv.point.p, sv.point.len, pms_c), TENON_OK);
        w = wr_init(transcript + tl, sizeof transcript - tl);
        CHECK_RC(tls12_cke_write_ecdhe(&w, c_pub, g->client_share_len), TENON_OK);
        /* server: parse it, the same shared secret */
        cursor point;
        CHECK_RC(tls12_cke_parse_ecdhe(transcript + tl, w.len, &point), TENON_OK);
        CHECK_RC(g->shared_secret(s_priv, point.p, point.len, pms_s), TENON_OK);
        tl += w.len;
        pms_len = g->shared_len;
    } else {
        writer w = wr_init(transcript + tl, sizeof transcript - tl);
        CHECK_RC(tls12_cke_write_rsa(&w, &pub[1].u.rsa, 0x0303, pms_c), TENON_OK);
        cursor enc;
        CHECK_RC(tls12_cke_parse_rsa(transcript + tl, w.len, &enc), TENON_OK);
        CHECK_RC(tls12_rsa_premaster(&priv[1].u.rsa, enc.p, enc.len, 0x0303, pms_s), TENON_OK);
        tl += w.len;
        pms_len = 48;
    }
    CHECK_MEM(pms_c, pms_s, pms_len, "pre-master secret");

    side c, sv_;
    memset(&c, 0, sizeof c);
    memset(&sv_, 0, sizeof sv_);
    uint8_t th[64];
    tenon_hash(s->hash, transcript, tl, th); /* RFC 7627 §3: session_hash up to CKE */
    if (ems) {
        CHECK_RC(tls12_extended_master_secret(s->hash, pms_c, pms_len, th, s->hash->digest_len,
                                              c.master, NULL),
                 TENON_OK);
        CHECK_RC(tls12_extended_master_secret(s->hash, pms_s, pms_len, th, s->hash->digest_len,
                                              sv_.master, NULL),
                 TENON_OK);
    } else {
        CHECK_RC(tls12_master_secret(s->hash, pms_c, pms_len, cr, sr, c.master, NULL), TENON_OK);
        CHECK_RC(tls12_master_secret(s->hash, pms_s, pms_len, cr, sr, sv_.master, NULL), TENON_OK);
    }
    CHECK_MEM(c.master, sv_.master, 48, "master secret");
    install(s, &c, cr, sr, 1);
    install(s, &sv_, cr, sr, 0);

    /* client Finished (over everything so far), sent encrypted after its ChangeCipherSpec */
    uint8_t fin[16] = {20, 0, 0, 12};
    tenon_hash(s->hash, transcript, tl, th);
    CHECK_RC(tls12_finished(s->hash, c.master, 1, th, s->hash->digest_len, fin + 4, NULL),
             TENON_OK);
    send_record(&c, &sv_, TLS_CT_HANDSHAKE, fin, 16);
    CHECK_RC(
        tls12_finished_check(s->hash, sv_.master, 1, th, s->hash->digest_len, fin + 4, 12, NULL),
        TENON_OK);
    memcpy(transcript + tl, fin, 16);
    tl += 16;
    /* server Finished includes the client's */
    tenon_hash(s->hash, transcript, tl, th);
    CHECK_RC(tls12_finished(s->hash, sv_.master, 0, th, s->hash->digest_len, fin + 4, NULL),
             TENON_OK);
    send_record(&sv_, &c, TLS_CT_HANDSHAKE, fin, 16);
    CHECK_RC(tls12_finished_check(s->hash, c.master, 0, th, s->hash->digest_len, fin + 4, 12, NULL),
             TENON_OK);
    /* a wrong Finished */
    fin[9] ^= 0x80;
    CHECK_RC(tls12_finished_check(s->hash, c.master, 0, th, s->hash->digest_len, fin + 4, 12, NULL),
             TENON_ERR_TLS_DECRYPT_ERROR);

    /* application data both ways */
    static uint8_t data[5000];
    tu_rand(data, sizeof data);
    send_record(&c, &sv_, TLS_CT_APPLICATION_DATA, data, sizeof data);
    send_record(&sv_, &c, TLS_CT_APPLICATION_DATA, data, 1);
    send_record(&c, &sv_, TLS_CT_APPLICATION_DATA, data, 0);
    CHECK(c.wr.seq == 3 && sv_.rd.seq == 3 && sv_.wr.seq == 2 && c.rd.seq == 2);
    tls12_record_keys_wipe(&c.wr);
    tls12_record_keys_wipe(&c.rd);
    tls12_record_keys_wipe(&sv_.wr);
    tls12_record_keys_wipe(&sv_.rd);
}

int main(void)
{
    tu_seed(0xf10);
    load(0, EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
    load(1, EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048));
    static const struct {
        int key;
        uint16_t scheme;
    } SIGS[] = {{0, TENON_SIG_ECDSA_SECP256R1_SHA256},
                {1, TENON_SIG_RSA_PSS_RSAE_SHA256},
                {1, TENON_SIG_RSA_PKCS1_SHA256}};
    for (size_t s = 0; s < 3; s++)
        for (size_t g = 0; g < 3; g++)
            for (size_t k = 0; k < 3; k++)
                for (int ems = 0; ems <= 1; ems++)
                    flow(&SUITES[s], GROUPS[g], SIGS[k].key, SIGS[k].scheme, 0, ems);
    /* RSA key transport (legacy), EMS on and off */
    for (size_t s = 0; s < 3; s++)
        for (int ems = 0; ems <= 1; ems++)
            flow(&SUITES[s], NULL, 1, 0, 1, ems);
    tenon_private_key_wipe(&priv[0]);
    tenon_private_key_wipe(&priv[1]);
    return tu_finish("test_tls12_flow");
}
