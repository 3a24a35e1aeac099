/*
 * Session tickets of a tenon server (RFC 8446 §4.6.1 and RFC 5077 §4 leave their content to
 * the server).
 * A ticket is self-contained, so the server keeps no per-session state:
 *   key_name[16] || nonce[12] || AES-256-GCM(plaintext, aad = key_name) || tag[16]
 *   plaintext: uint16 version (0x0304 or 0x0303) || uint8 flags (1: extended master secret,
 *              2: client authenticated) || uint16 suite || uint64 issued_ms || uint32 lifetime_s
 *              || uint32 age_add || opaque psk<0..48> (TLS 1.2: the master secret)
 * The first configured key seals; any configured key opens (rotation: add the new key first,
 * keep the old one until its tickets have expired).
 */
#include "tls13.h"

#define NAME_LEN 16
#define NONCE_LEN 12
#define PLAIN_MAX (2 + 1 + 2 + 8 + 4 + 4 + 1 + TLS13_MAX_HASH)
#define FLAG_EMS 1
#define FLAG_CLIENT_AUTH 2

int tls_ticket_seal(const tenon_config *cfg, const tls_ticket_plain *t, uint8_t *out, size_t cap,
                    size_t *out_len)
{
    ENSURE(cfg->ticket_key_count > 0, TENON_ERR_INTERNAL);
    const tenon_ticket_key *k = &cfg->ticket_keys[0];
    uint8_t plain[PLAIN_MAX];
    writer p = wr_init(plain, sizeof plain);
    wr_vec v;
    ENSURE(t->version == TENON_TLS13 || t->version == TENON_TLS12, TENON_ERR_INTERNAL);
    GUARD(wr_u16(&p, t->version));
    GUARD(wr_u8(&p, (uint8_t)((t->ems ? FLAG_EMS : 0) | (t->client_auth ? FLAG_CLIENT_AUTH : 0))));
    GUARD(wr_u16(&p, t->suite));
    GUARD(wr_u32(&p, (uint32_t)(t->issued_ms >> 32)));
    GUARD(wr_u32(&p, (uint32_t)t->issued_ms));
    GUARD(wr_u32(&p, t->lifetime_s));
    GUARD(wr_u32(&p, t->age_add));
    GUARD(wr_open_vec(&p, 1, &v));
    GUARD(wr_bytes(&p, t->psk, t->psk_len));
    GUARD(wr_close_vec(&p, &v));

    writer w = wr_init(out, cap);
    uint8_t *nonce, *ct, *tag;
    GUARD(wr_bytes(&w, k->name, NAME_LEN));
    GUARD(wr_reserve(&w, NONCE_LEN, &nonce));
    GUARD(wr_reserve(&w, p.len, &ct));
    GUARD(wr_reserve(&w, TENON_AEAD_TAG_LEN, &tag));
    GUARD(tenon_random(nonce, NONCE_LEN));
    tenon_aead_ctx aead;
    int rc = tenon_aead_init(&aead, tenon_aead_aes_gcm(), k->key, sizeof k->key);
    if (rc == TENON_OK)
        rc = tenon_aead_seal(&aead, nonce, NONCE_LEN, k->name, NAME_LEN, plain, p.len, ct, tag);
    tenon_aead_wipe(&aead);
    tenon_wipe(plain, sizeof plain);
    GUARD(rc);
    *out_len = w.len;
    return TENON_OK;
}

int tls_ticket_open(const tenon_config *cfg, const uint8_t *ticket, size_t len, tls_ticket_plain *t)
{
    cursor c = cur_init(ticket, len);
    const uint8_t *name, *nonce, *ct, *tag;
    ENSURE(len >= NAME_LEN + NONCE_LEN + TENON_AEAD_TAG_LEN &&
               len - NAME_LEN - NONCE_LEN - TENON_AEAD_TAG_LEN <= PLAIN_MAX,
           TENON_ERR_AUTH_FAILED);
    size_t ct_len = len - NAME_LEN - NONCE_LEN - TENON_AEAD_TAG_LEN;
    GUARD(cur_bytes(&c, NAME_LEN, &name));
    GUARD(cur_bytes(&c, NONCE_LEN, &nonce));
    GUARD(cur_bytes(&c, ct_len, &ct));
    GUARD(cur_bytes(&c, TENON_AEAD_TAG_LEN, &tag));
    const tenon_ticket_key *k = NULL;
    for (size_t i = 0; i < cfg->ticket_key_count && i < TENON_MAX_TICKET_KEYS; i++)
        if (memcmp(cfg->ticket_keys[i].name, name, NAME_LEN) == 0)
            k = &cfg->ticket_keys[i];
    ENSURE(k != NULL, TENON_ERR_AUTH_FAILED);
    uint8_t plain[PLAIN_MAX];
    tenon_aead_ctx aead;
    int rc = tenon_aead_init(&aead, tenon_aead_aes_gcm(), k->key, sizeof k->key);
    if (rc == TENON_OK)
        rc = tenon_aead_open(&aead, nonce, NONCE_LEN, name, NAME_LEN, ct, ct_len, tag, plain);
    tenon_aead_wipe(&aead);
    if (rc != TENON_OK)
        return TENON_ERR_AUTH_FAILED;
    cursor p = cur_init(plain, ct_len), psk;
    uint16_t version;
    uint8_t flags = 0;
    uint32_t hi, lo;
    memset(t, 0, sizeof *t);
    rc = cur_u16(&p, &version);
    if (rc == TENON_OK)
        rc = cur_u8(&p, &flags);
    if (rc == TENON_OK)
        rc = cur_u16(&p, &t->suite);
    if (rc == TENON_OK)
        rc = cur_u32(&p, &hi);
    if (rc == TENON_OK)
        rc = cur_u32(&p, &lo);
    if (rc == TENON_OK)
        rc = cur_u32(&p, &t->lifetime_s);
    if (rc == TENON_OK)
        rc = cur_u32(&p, &t->age_add);
    if (rc == TENON_OK)
        rc = cur_vec(&p, 1, 0, TLS13_MAX_HASH, &psk);
    if (rc == TENON_OK)
        rc = cur_finish(&p);
    if (rc == TENON_OK && (version == TENON_TLS13 || version == TENON_TLS12)) {
        t->version = version;
        t->ems = (flags & FLAG_EMS) != 0;
        t->client_auth = (flags & FLAG_CLIENT_AUTH) != 0;
        t->issued_ms = ((uint64_t)hi << 32) | lo;
        memcpy(t->psk, psk.p, psk.len);
        t->psk_len = psk.len;
    } else {
        rc = TENON_ERR_AUTH_FAILED;
    }
    tenon_wipe(plain, sizeof plain);
    return rc;
}
