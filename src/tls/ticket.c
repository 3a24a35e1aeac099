/*
 * Session tickets of a tenon server (RFC 8446 §4.6.1 and RFC 5077 §4 leave their content to
 * the server), and what binds a session, on both sides, to the verification policy that
 * authenticated its peer and to the age of its full handshake.
 * A ticket is self-contained, so the server keeps no per-session state:
 *   key_name[16] || nonce[12] || AES-256-GCM(plaintext, aad = key_name) || tag[16]
 *   plaintext: uint8 format (2) || uint16 version (0x0304 or 0x0303) || uint8 flags (1:
 *              extended master secret, 2: client authenticated) || uint16 suite ||
 *              uint64 issued_ms || uint64 auth_ms (the session's full handshake) ||
 *              uint32 lifetime_s || uint32 age_add || opaque policy[32] (the client
 *              certificate policy, tls_policy) || opaque peer_leaf[32] (SHA-256 of the
 *              client's leaf, zeros without one) || opaque sni[32] (the session's server_name,
 *              sni_digest) || opaque psk<0..48> (TLS 1.2: the master secret)
 * Formats 1 (no format byte: it began with the version) and 2 (no sni) are no longer opened:
 * such tickets get a full handshake.
 * The first configured key seals; any configured key opens (rotation: add the new key first,
 * keep the old one until its tickets have expired).
 * A TLS 1.2 server's session cache (session_cache.c) keeps the same plaintext, unsealed, under
 * a session ID.
 */
#include "tls13.h"

#define NAME_LEN 16
#define NONCE_LEN 12
#define FORMAT 3
#define PLAIN_MAX TLS_SESSION_MAX_LEN
#define FLAG_EMS 1
#define FLAG_CLIENT_AUTH 2

int tls_session_serialize(const tls_ticket_plain *t, uint8_t *out, size_t cap, size_t *out_len)
{
    writer p = wr_init(out, cap);
    wr_vec v;
    ENSURE(t->version == TENON_TLS13 || t->version == TENON_TLS12, TENON_ERR_INTERNAL);
    GUARD(wr_u8(&p, FORMAT));
    GUARD(wr_u16(&p, t->version));
    GUARD(wr_u8(&p, (uint8_t)((t->ems ? FLAG_EMS : 0) | (t->client_auth ? FLAG_CLIENT_AUTH : 0))));
    GUARD(wr_u16(&p, t->suite));
    GUARD(wr_u32(&p, (uint32_t)(t->issued_ms >> 32)));
    GUARD(wr_u32(&p, (uint32_t)t->issued_ms));
    GUARD(wr_u32(&p, (uint32_t)(t->auth_ms >> 32)));
    GUARD(wr_u32(&p, (uint32_t)t->auth_ms));
    GUARD(wr_u32(&p, t->lifetime_s));
    GUARD(wr_u32(&p, t->age_add));
    GUARD(wr_bytes(&p, t->policy, sizeof t->policy));
    GUARD(wr_bytes(&p, t->peer_leaf, sizeof t->peer_leaf));
    GUARD(wr_bytes(&p, t->sni, sizeof t->sni));
    GUARD(wr_open_vec(&p, 1, &v));
    GUARD(wr_bytes(&p, t->psk, t->psk_len));
    GUARD(wr_close_vec(&p, &v));
    *out_len = p.len;
    return TENON_OK;
}

int tls_ticket_seal(tls_conn *c, const tls_ticket_plain *t, uint8_t *out, size_t cap,
                    size_t *out_len)
{
    const tenon_config *cfg = c->cfg;
    ENSURE(cfg->ticket_key_count > 0, TENON_ERR_INTERNAL);
    const tenon_ticket_key *k = &cfg->ticket_keys[0];
    uint8_t plain[PLAIN_MAX];
    size_t plain_len = 0;
    int rc = tls_session_serialize(t, plain, sizeof plain, &plain_len);
    if (rc != TENON_OK) {
        tenon_wipe(plain, sizeof plain);
        return rc;
    }

    writer w = wr_init(out, cap);
    uint8_t *nonce, *ct, *tag;
    GUARD(wr_bytes(&w, k->name, NAME_LEN));
    GUARD(wr_reserve(&w, NONCE_LEN, &nonce));
    GUARD(wr_reserve(&w, plain_len, &ct));
    GUARD(wr_reserve(&w, TENON_AEAD_TAG_LEN, &tag));
    GUARD(tls_random(c, nonce, NONCE_LEN)); /* public, unique per key: from the pool */
    tenon_aead_ctx aead;
    rc = tenon_aead_init(&aead, tenon_aead_aes_gcm(), k->key, sizeof k->key);
    if (rc == TENON_OK)
        rc = tenon_aead_seal(&aead, nonce, NONCE_LEN, k->name, NAME_LEN, plain, plain_len, ct, tag);
    tenon_aead_wipe(&aead);
    tenon_wipe(plain, sizeof plain);
    GUARD(rc);
    *out_len = w.len;
    return TENON_OK;
}

int tls_session_parse(const uint8_t *in, size_t len, tls_ticket_plain *t)
{
    cursor p = cur_init(in, len), psk;
    uint16_t version;
    uint8_t format = 0, flags = 0;
    uint32_t hi, lo, auth_hi, auth_lo;
    memset(t, 0, sizeof *t);
    int rc = cur_u8(&p, &format);
    if (rc == TENON_OK)
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
        rc = cur_u32(&p, &auth_hi);
    if (rc == TENON_OK)
        rc = cur_u32(&p, &auth_lo);
    if (rc == TENON_OK)
        rc = cur_u32(&p, &t->lifetime_s);
    if (rc == TENON_OK)
        rc = cur_u32(&p, &t->age_add);
    if (rc == TENON_OK)
        rc = cur_copy(&p, t->policy, sizeof t->policy);
    if (rc == TENON_OK)
        rc = cur_copy(&p, t->peer_leaf, sizeof t->peer_leaf);
    if (rc == TENON_OK)
        rc = cur_copy(&p, t->sni, sizeof t->sni);
    if (rc == TENON_OK)
        rc = cur_vec(&p, 1, 0, TLS13_MAX_HASH, &psk);
    if (rc == TENON_OK)
        rc = cur_finish(&p);
    if (rc == TENON_OK && format == FORMAT && (version == TENON_TLS13 || version == TENON_TLS12)) {
        t->version = version;
        t->ems = (flags & FLAG_EMS) != 0;
        t->client_auth = (flags & FLAG_CLIENT_AUTH) != 0;
        t->issued_ms = ((uint64_t)hi << 32) | lo;
        t->auth_ms = ((uint64_t)auth_hi << 32) | auth_lo;
        memcpy(t->psk, psk.p, psk.len);
        t->psk_len = psk.len;
    } else {
        tenon_wipe(t, sizeof *t);
        rc = TENON_ERR_AUTH_FAILED;
    }
    return rc;
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
    rc = tls_session_parse(plain, ct_len, t);
    tenon_wipe(plain, sizeof plain);
    return rc;
}

/* ---- the session's binding, both sides ---- */

static void hash_u32(tenon_hash_ctx *h, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    tenon_sha256.update(h, b, sizeof b);
}

/* A resumed session skips certificate verification, so it may only be resumed under the very
 * policy that verified its peer: a ticket obtained with insecure_skip_verify, another trust
 * store or another callback must not let a stricter configuration skip its checks. What goes
 * in is the configuration's meaning, never an address, so it is the same in every process:
 * the role, insecure_skip_verify (then nothing else is checked), whether the host name is
 * matched (a client with a trust store and a server_name, without skip_hostname_check:
 * tls_proof_cert_chain), whether a
 * verify_fn is set, each trust anchor's certificate (DER) in store order, and verify_id.
 * Everything is length-prefixed so no two policies hash the same input. */
static void policy_digest(const tenon_config *cfg, int is_client, uint8_t out[32])
{
    static const char label[] = "tenon session verification policy 2";
    int skip = cfg->insecure_skip_verify != 0;
    int host =
        is_client && cfg->trust != NULL && cfg->server_name != NULL && !cfg->skip_hostname_check;
    uint8_t head[4] = {(uint8_t)is_client, (uint8_t)skip, (uint8_t)(!skip && host),
                       (uint8_t)(!skip && cfg->verify_fn != NULL)};
    tenon_hash_ctx h;
    tenon_sha256.init(&h);
    tenon_sha256.update(&h, label, sizeof label);
    tenon_sha256.update(&h, head, sizeof head);
    if (!skip) {
        const tenon_x509_store *st = cfg->trust;
        size_t n = st != NULL ? st->count : 0;
        hash_u32(&h, (uint32_t)n);
        /* The anchor's whole certificate, not only its key: its validity, basicConstraints
         * and nameConstraints are checked too (RFC 5280 §6.1 takes them from the anchor as
         * tenon is given it), so stores whose anchors share a key may accept different
         * chains. */
        for (size_t i = 0; i < n; i++) {
            const tenon_bytes *der = &st->certs[i].der;
            hash_u32(&h, (uint32_t)der->len);
            tenon_sha256.update(&h, der->ptr, der->len);
        }
        size_t id_len = cfg->verify_id.ptr != NULL ? cfg->verify_id.len : 0;
        hash_u32(&h, (uint32_t)id_len);
        if (id_len > 0)
            tenon_sha256.update(&h, cfg->verify_id.ptr, id_len);
    }
    tenon_sha256.final(&h, out);
}

const uint8_t *tls_policy(tls_conn *c)
{
    if (!c->policy_set) {
        policy_digest(c->cfg, c->is_client, c->policy);
        c->policy_set = 1;
    }
    return c->policy;
}

int tls_peer_leaf(const tls_conn *c, uint8_t out[32])
{
    if (c->peer_leaf_kept) {
        memcpy(out, c->peer_leaf, 32);
        return c->has_peer_leaf;
    }
    if (c->resumed) {
        memcpy(out, c->hs->resume_leaf, 32);
        return c->hs->resume_has_leaf;
    }
    /* A server's client proves its certificate with CertificateVerify too. */
    if (c->peer->peer_chain_count == 0 || !c->cert_verified ||
        (!c->is_client && !c->signature_verified))
        return 0;
    tenon_hash(&tenon_sha256, c->peer->peer_chain[0].ptr, c->peer->peer_chain[0].len, out);
    return 1;
}

int64_t tls_session_auth_ms(const tls_conn *c)
{
    return c->resumed ? c->resume_auth_ms : c->start_ms;
}

uint32_t tls_session_remaining_s(const tls_conn *c, int64_t auth_ms)
{
    int64_t now = tls_now_ms(c);
    int64_t max_ms = (int64_t)c->cfg->session_max_age_s * 1000;
    /* A session from the future (a clock set back) is not trusted either. */
    if (auth_ms < 0 || auth_ms > now || now - auth_ms >= max_ms)
        return 0;
    return (uint32_t)((max_ms - (now - auth_ms)) / 1000);
}

/* RFC 6066 §3: "A server that implements this extension MUST NOT accept the request to resume
 * the session if the server_name extension contains a different name. Instead, it proceeds
 * with a full handshake to establish a new session." The name the client sent (c->sni, as
 * tenon_conn_info reports it; none is a name of its own), compared as DNS names are, in any
 * ASCII case: its digest goes in the ticket. */
static void sni_digest(const tls_conn *c, uint8_t out[32])
{
    static const char label[] = "tenon session server_name 1";
    uint8_t head[2] = {(uint8_t)(c->sni_len > 0), (uint8_t)c->sni_len};
    tenon_hash_ctx h;
    tenon_sha256.init(&h);
    tenon_sha256.update(&h, label, sizeof label);
    tenon_sha256.update(&h, head, sizeof head);
    for (size_t i = 0; i < c->sni_len && i < TENON_MAX_SERVER_NAME; i++) {
        uint8_t ch = (uint8_t)c->sni[i];
        if (ch >= 'A' && ch <= 'Z')
            ch = (uint8_t)(ch - 'A' + 'a');
        tenon_sha256.update(&h, &ch, 1);
    }
    tenon_sha256.final(&h, out);
}

/* A ticket that is ours but not resumed: why, in the trace, and 0. */
static int not_resumed(tls_conn *c, const char *why)
{
    tls_note(c, why);
    return 0;
}

int tls_ticket_session_ok(tls_conn *c, const tls_ticket_plain *t)
{
    uint8_t sni[32];
    sni_digest(c, sni);
    if (memcmp(t->sni, sni, sizeof sni) != 0)
        return not_resumed(c, "ticket not resumed: its session was for another server_name");
    if (t->auth_ms > (uint64_t)INT64_MAX || tls_session_remaining_s(c, (int64_t)t->auth_ms) == 0)
        return not_resumed(c, "ticket not resumed: its session is older than session_max_age_s");
    /* A session without a client certificate: resumed unless we require one (a full handshake
     * then asks for it). */
    if (!t->client_auth && c->cfg->client_auth == TENON_CLIENT_AUTH_REQUIRE)
        return not_resumed(c, "ticket not resumed: its client sent no certificate");
    /* A client identity counts only under the policy that verified it. */
    if (t->client_auth && memcmp(t->policy, tls_policy(c), sizeof t->policy) != 0)
        return not_resumed(c, "ticket not resumed: its client certificate was verified under "
                              "another policy");
    return 1;
}

uint32_t tls_ticket_lifetime(const tls_conn *c)
{
    uint32_t life = c->cfg->ticket_lifetime_s;
    /* RFC 8446 §4.6.1: "Servers MUST NOT use any value greater than 604800 seconds (7 days)." */
    if (life > 604800)
        life = 604800;
    /* Nor may a ticket outlive its session (session_max_age_s). */
    uint32_t left = tls_session_remaining_s(c, tls_session_auth_ms(c));
    return life < left ? life : left;
}

void tls_ticket_fill_session(tls_conn *c, tls_ticket_plain *t)
{
    t->auth_ms = (uint64_t)tls_session_auth_ms(c);
    memcpy(t->policy, tls_policy(c), sizeof t->policy);
    t->client_auth = (uint8_t)tls_peer_leaf(c, t->peer_leaf);
    sni_digest(c, t->sni);
}

void tls_ticket_take_session(tls_conn *c, const tls_ticket_plain *t)
{
    c->resumed_auth = t->client_auth;
    c->hs->resume_has_leaf = t->client_auth;
    memcpy(c->hs->resume_leaf, t->peer_leaf, sizeof c->hs->resume_leaf);
    c->resume_auth_ms = (int64_t)t->auth_ms;
}

int tls_ticket_offerable(tls_conn *c, const tenon_ticket *t)
{
    if (memcmp(t->policy_sha256, tls_policy(c), sizeof t->policy_sha256) != 0)
        return not_resumed(c, "ticket not offered: obtained under another verification policy");
    if (tls_session_remaining_s(c, t->auth_ms) == 0)
        return not_resumed(c, "ticket not offered: its session is older than session_max_age_s");
    return 1;
}

void tls_ticket_offer_session(tls_conn *c, const tenon_ticket *t)
{
    c->hs->resume_has_leaf = 1; /* tls_ticket_store_session keeps no ticket without one */
    memcpy(c->hs->resume_leaf, t->peer_leaf_sha256, sizeof c->hs->resume_leaf);
    c->resume_auth_ms = t->auth_ms;
}

int tls_ticket_store_session(tls_conn *c, tenon_ticket *t)
{
    memcpy(t->policy_sha256, tls_policy(c), sizeof t->policy_sha256);
    t->auth_ms = tls_session_auth_ms(c);
    return tls_peer_leaf(c, t->peer_leaf_sha256);
}
