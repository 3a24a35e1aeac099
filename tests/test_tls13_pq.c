/*
 * The hybrid post-quantum groups (issue 13): the kex classes composed from ML-KEM and ECDH
 * (draft-ietf-tls-ecdhe-mlkem layouts, checks, the Diffie-Hellman groups' encapsulate), then
 * TLS 1.3 in memory: each hybrid group, the defaults (X25519MLKEM768 with an x25519 share
 * beside it), HelloRetryRequest to a hybrid group, resumption (psk_dhe_ke), classical-only
 * peers, bad shares (illegal_parameter), require_post_quantum, TLS 1.2 never hybrid, private
 * keys wiped at the ServerHello, and a ClientHello with two hybrid shares split over records
 * into a server with the minimum buffers.
 */
#include "test_tls13_harness.h"

#include "tenon/kem.h"
#include "tls/tls13.h"

static const tenon_kex_class *const HYBRIDS[] = {
    &tenon_kex_x25519mlkem768, &tenon_kex_secp256r1mlkem768, &tenon_kex_secp384r1mlkem1024};

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* ---- the classes ---- */

static void test_class_data(void)
{
    static const struct {
        const char *name;
        uint16_t code;
        size_t priv, cs, ss, shared;
    } want[] = {{"X25519MLKEM768", 0x11EC, 96, 1216, 1120, 64},
                {"SecP256r1MLKEM768", 0x11EB, 96, 1249, 1153, 64},
                {"SecP384r1MLKEM1024", 0x11ED, 112, 1665, 1665, 80}};
    for (size_t i = 0; i < ARRAY_LEN(HYBRIDS); i++) {
        const tenon_kex_class *k = HYBRIDS[i];
        CHECK(strcmp(k->name, want[i].name) == 0 && k->tls_group == want[i].code);
        CHECK(k->private_len == want[i].priv && k->client_share_len == want[i].cs &&
              k->server_share_len == want[i].ss && k->shared_len == want[i].shared);
        CHECK(k->post_quantum && !k->dh && k->hybrid != NULL);
        CHECK(k->private_len <= TENON_KEX_MAX_PRIVATE_LEN &&
              k->client_share_len <= TENON_KEX_MAX_SHARE_LEN &&
              k->server_share_len <= TENON_KEX_MAX_SHARE_LEN &&
              k->shared_len <= TENON_KEX_MAX_SHARED_LEN);
        CHECK(tls_group_find(k->tls_group) == k);
    }
    const tenon_kex_class *dh[] = {&tenon_kex_x25519, &tenon_kex_secp256r1, &tenon_kex_secp384r1};
    for (size_t i = 0; i < ARRAY_LEN(dh); i++)
        CHECK(dh[i]->dh && !dh[i]->post_quantum && dh[i]->hybrid == NULL &&
              dh[i]->client_share_len == dh[i]->server_share_len);
}

/* Every group: client keygen, server encapsulate, client shared_secret agree; the DH groups'
 * encapsulate is a key pair plus the secret. */
static void test_round_trips(void)
{
    const tenon_kex_class *all[] = {
        &tenon_kex_x25519,         &tenon_kex_secp256r1,         &tenon_kex_secp384r1,
        &tenon_kex_x25519mlkem768, &tenon_kex_secp256r1mlkem768, &tenon_kex_secp384r1mlkem1024};
    for (size_t i = 0; i < ARRAY_LEN(all); i++) {
        const tenon_kex_class *k = all[i];
        for (int round = 0; round < 5; round++) {
            uint8_t priv[TENON_KEX_MAX_PRIVATE_LEN], cs[TENON_KEX_MAX_SHARE_LEN],
                cs2[TENON_KEX_MAX_SHARE_LEN], ss[TENON_KEX_MAX_SHARE_LEN];
            uint8_t k1[TENON_KEX_MAX_SHARED_LEN], k2[TENON_KEX_MAX_SHARED_LEN];
            CHECK_RC(k->keygen(priv, cs), 0);
            CHECK_RC(k->public_from_private(priv, cs2), 0);
            CHECK_MEM(cs2, cs, k->client_share_len, "public_from_private = keygen's share");
            CHECK_RC(k->encapsulate(cs, k->client_share_len, ss, k1), 0);
            CHECK_RC(k->shared_secret(priv, ss, k->server_share_len, k2), 0);
            CHECK_MEM(k2, k1, k->shared_len, "both sides' secret");
            CHECK(!all_zero(k1, k->shared_len));
        }
    }
}

/* The draft's layouts: each part where the draft puts it, computed by the halves alone. */
static void test_layouts(void)
{
    for (size_t i = 0; i < ARRAY_LEN(HYBRIDS); i++) {
        const tenon_kex_class *k = HYBRIDS[i];
        const tenon_kex_hybrid *h = k->hybrid;
        const tenon_kem_class *kem = h->kem;
        const tenon_kex_class *ecdh = h->ecdh;
        CHECK(h->kem_first == (k == &tenon_kex_x25519mlkem768));
        uint8_t priv[TENON_KEX_MAX_PRIVATE_LEN], cs[TENON_KEX_MAX_SHARE_LEN],
            ss[TENON_KEX_MAX_SHARE_LEN], k1[TENON_KEX_MAX_SHARED_LEN];
        CHECK_RC(k->keygen(priv, cs), 0);
        CHECK_RC(k->encapsulate(cs, k->client_share_len, ss, k1), 0);
        size_t ek_at = h->kem_first ? 0 : ecdh->client_share_len;
        size_t pt_at = h->kem_first ? kem->ek_len : 0;
        size_t ct_at = h->kem_first ? 0 : ecdh->server_share_len;
        size_t spt_at = h->kem_first ? kem->ct_len : 0;
        size_t kss_at = h->kem_first ? 0 : ecdh->shared_len;
        size_t ess_at = h->kem_first ? kem->ss_len : 0;
        /* The client share: ek from the seed, the ECDH public key of the ECDH private key. */
        static uint8_t ek[TENON_KEM_MAX_EK_LEN], dk[TENON_KEM_MAX_DK_LEN];
        uint8_t pub[TENON_KEX_MAX_SHARE_LEN], part[TENON_KEX_MAX_SHARED_LEN];
        CHECK_RC(kem->keygen_seed(priv, ek, dk), 0);
        CHECK_MEM(cs + ek_at, ek, kem->ek_len, "ek part");
        CHECK_RC(ecdh->public_from_private(priv + TENON_KEM_SEED_LEN, pub), 0);
        CHECK_MEM(cs + pt_at, pub, ecdh->client_share_len, "ECDH part of the client share");
        /* The secret: ML-KEM's and the ECDH one, each where the draft puts it. */
        CHECK_RC(kem->decaps(dk, kem->dk_len, ss + ct_at, kem->ct_len, part), 0);
        CHECK_MEM(k1 + kss_at, part, kem->ss_len, "ML-KEM part of the secret");
        CHECK_RC(ecdh->shared_secret(priv + TENON_KEM_SEED_LEN, ss + spt_at, ecdh->server_share_len,
                                     part),
                 0);
        CHECK_MEM(k1 + ess_at, part, ecdh->shared_len, "ECDH part of the secret");
        CHECK(k->client_share_len == kem->ek_len + ecdh->client_share_len &&
              k->server_share_len == kem->ct_len + ecdh->server_share_len &&
              k->shared_len == kem->ss_len + ecdh->shared_len);
    }
}

/* Bad shares: wrong lengths, an ek failing the modulus check (FIPS 203 §7.2), a bad ECDH part;
 * each TENON_ERR_BAD_PUBLIC_KEY with the secret output cleared. */
static void test_bad_shares(void)
{
    for (size_t i = 0; i < ARRAY_LEN(HYBRIDS); i++) {
        const tenon_kex_class *k = HYBRIDS[i];
        const tenon_kex_hybrid *h = k->hybrid;
        uint8_t priv[TENON_KEX_MAX_PRIVATE_LEN], cs[TENON_KEX_MAX_SHARE_LEN + 1],
            ss[TENON_KEX_MAX_SHARE_LEN + 1], out[TENON_KEX_MAX_SHARED_LEN];
        uint8_t bad[TENON_KEX_MAX_SHARE_LEN];
        CHECK_RC(k->keygen(priv, cs), 0);
        CHECK_RC(k->encapsulate(cs, k->client_share_len, ss, out), 0);
        size_t lens[] = {0, 1, k->client_share_len - 1, k->client_share_len + 1, 32, 65, 97};
        for (size_t j = 0; j < ARRAY_LEN(lens); j++) {
            memset(out, 0xaa, sizeof out);
            CHECK_RC(k->encapsulate(cs, lens[j], bad, out), TENON_ERR_BAD_PUBLIC_KEY);
            CHECK(all_zero(out, k->shared_len) || lens[j] != k->client_share_len);
        }
        CHECK_RC(k->encapsulate(NULL, k->client_share_len, bad, out), TENON_ERR_BAD_PUBLIC_KEY);
        size_t slens[] = {0, k->server_share_len - 1, k->server_share_len + 1, 32};
        for (size_t j = 0; j < ARRAY_LEN(slens); j++)
            CHECK_RC(k->shared_secret(priv, ss, slens[j], out), TENON_ERR_BAD_PUBLIC_KEY);
        /* The first coefficient of ek set to 4095 >= q. */
        size_t ek_at = h->kem_first ? 0 : h->ecdh->client_share_len;
        memcpy(bad, cs, k->client_share_len);
        bad[ek_at] = 0xff;
        bad[ek_at + 1] |= 0x0f;
        memset(out, 0xaa, sizeof out);
        CHECK_RC(k->encapsulate(bad, k->client_share_len, ss, out), TENON_ERR_BAD_PUBLIC_KEY);
        CHECK(all_zero(out, k->shared_len));
        /* The ECDH part broken: x25519 all zeros (small order), a NIST point off the curve. */
        size_t pt_at = h->kem_first ? h->kem->ek_len : 0;
        memcpy(bad, cs, k->client_share_len);
        if (h->ecdh == &tenon_kex_x25519)
            memset(bad + pt_at, 0, 32);
        else
            bad[pt_at + h->ecdh->client_share_len - 1] ^= 1;
        memset(out, 0xaa, sizeof out);
        CHECK_RC(k->encapsulate(bad, k->client_share_len, ss, out), TENON_ERR_BAD_PUBLIC_KEY);
        CHECK(all_zero(out, k->shared_len));
        /* The same for the server share's ECDH part at the client. */
        size_t spt_at = h->kem_first ? h->kem->ct_len : 0;
        memcpy(bad, ss, k->server_share_len);
        if (h->ecdh == &tenon_kex_x25519)
            memset(bad + spt_at, 0, 32);
        else
            bad[spt_at + h->ecdh->server_share_len - 1] ^= 1;
        memset(out, 0xaa, sizeof out);
        CHECK_RC(k->shared_secret(priv, bad, k->server_share_len, out), TENON_ERR_BAD_PUBLIC_KEY);
        CHECK(all_zero(out, k->shared_len));
    }
}

/* ---- TLS 1.3 in memory ---- */

static const uint8_t DATA[3000] = {1, 2, 3};

static void info_both(tenon_conn_info *ci, tenon_conn_info *si)
{
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, ci), 0);
    CHECK_RC(tenon_conn_info_get(&SERVER.conn, si), 0);
}

/* A handshake with the configurations as set; 1 if both sides finished in group, both
 * agreeing on it and on hrr, and data made it both ways. */
static int handshake_in(uint16_t group, int hrr)
{
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    if (!CHECK(both_done(&CLIENT, &SERVER))) {
        fprintf(stderr, "    client %s, server %s\n",
                tenon_strerror(tenon_conn_error(&CLIENT.conn)),
                tenon_strerror(tenon_conn_error(&SERVER.conn)));
        return 0;
    }
    tenon_conn_info ci, si;
    info_both(&ci, &si);
    int ok = CHECK(ci.group == group && si.group == group && ci.version == TENON_TLS13) &&
             CHECK(ci.hello_retry == hrr && si.hello_retry == hrr) &&
             CHECK(strcmp(ci.group_name, si.group_name) == 0) &&
             CHECK(exchange(&CLIENT.conn, &SERVER.conn, DATA, sizeof DATA)) &&
             CHECK(exchange(&SERVER.conn, &CLIENT.conn, DATA, sizeof DATA));
    if (!ok)
        fprintf(stderr, "    want 0x%04x hrr %d: client 0x%04x hrr %d, server 0x%04x hrr %d\n",
                group, hrr, ci.group, ci.hello_retry, si.group, si.hello_retry);
    return ok;
}

static void test_each_group(void)
{
    for (size_t i = 0; i < ARRAY_LEN(HYBRIDS); i++) {
        client_config(&CLIENT.cfg);
        CLIENT.cfg.groups[0] = HYBRIDS[i];
        CLIENT.cfg.group_count = 1;
        server_config(&SERVER.cfg, CERT_P256);
        SERVER.cfg.groups[0] = HYBRIDS[i];
        SERVER.cfg.group_count = 1;
        CHECK(handshake_in(HYBRIDS[i]->tls_group, 0));
    }
}

/* Defaults: the client shares X25519MLKEM768 and x25519 and lists the six groups in the issue's
 * order; the server takes X25519MLKEM768 without a HelloRetryRequest. */
static void test_defaults(void)
{
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    CHECK(handshake_in(0x11EC, 0));
    tenon_peer_offer o;
    CHECK_RC(tenon_conn_peer_offer(&SERVER.conn, &o), 0);
    static const uint16_t groups[] = {0x11EC, 29, 23, 0x11EB, 24, 0x11ED};
    CHECK(o.group_count == ARRAY_LEN(groups) && memcmp(o.groups, groups, sizeof groups) == 0);
    CHECK(o.key_share_count == 2 && o.key_shares[0] == 0x11EC && o.key_shares[1] == 29);
    /* The server's preference: every hybrid first. */
    static const uint16_t server_groups[] = {0x11EC, 0x11EB, 0x11ED, 29, 23, 24};
    for (size_t i = 0; i < ARRAY_LEN(server_groups); i++)
        CHECK(SERVER.cfg.groups[i]->tls_group == server_groups[i]);
    /* A client whose share_groups are not among its groups: one share, for its first group. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.groups[0] = &tenon_kex_secp256r1mlkem768;
    CLIENT.cfg.groups[1] = &tenon_kex_secp256r1;
    CLIENT.cfg.group_count = 2;
    CHECK(handshake_in(0x11EB, 0));
    CHECK_RC(tenon_conn_peer_offer(&SERVER.conn, &o), 0);
    CHECK(o.key_share_count == 1 && o.key_shares[0] == 0x11EB);
    /* Three shares, in the order of groups whatever share_groups' order. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.share_groups[0] = &tenon_kex_secp384r1mlkem1024;
    CLIENT.cfg.share_groups[1] = &tenon_kex_secp256r1;
    CLIENT.cfg.share_groups[2] = &tenon_kex_x25519mlkem768;
    CLIENT.cfg.share_group_count = 3;
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.groups[0] = &tenon_kex_secp384r1mlkem1024;
    CHECK(handshake_in(0x11ED, 0));
    CHECK_RC(tenon_conn_peer_offer(&SERVER.conn, &o), 0);
    CHECK(o.key_share_count == 3 && o.key_shares[0] == 0x11EC && o.key_shares[1] == 23 &&
          o.key_shares[2] == 0x11ED);
}

/* §4.1.4: the server prefers a hybrid group the client supports without a share. */
static void test_hrr(void)
{
    client_config(&CLIENT.cfg);
    CLIENT.cfg.share_groups[0] = &tenon_kex_x25519;
    CLIENT.cfg.share_group_count = 1;
    server_config(&SERVER.cfg, CERT_P256);
    CHECK(handshake_in(0x11EC, 1));
    /* To SecP384r1MLKEM1024, the client's last group. */
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.groups[0] = &tenon_kex_secp384r1mlkem1024;
    SERVER.cfg.group_count = 1;
    CHECK(handshake_in(0x11ED, 1));
    /* The client refuses a HelloRetryRequest for a group it sent a share for (§4.2.8): its
     * shares are X25519MLKEM768 and x25519, the server asks for x25519 (patched). */
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.groups[0] = &tenon_kex_secp256r1;
    SERVER.cfg.group_count = 1;
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    transfer(&CLIENT.conn, &SERVER.conn);
    static const uint8_t ask_p256[] = {0, 51, 0, 2, 0, 23}, ask_x25519[] = {0, 51, 0, 2, 0, 29};
    CHECK(patch_pending(&SERVER, ask_p256, ask_x25519, sizeof ask_p256));
    transfer(&SERVER.conn, &CLIENT.conn);
    CHECK_RC(tenon_conn_error(&CLIENT.conn), TENON_ERR_TLS_ILLEGAL_PARAMETER);
    tenon_conn_wipe(&CLIENT.conn);
    tenon_conn_wipe(&SERVER.conn);
}

static tenon_ticket SLOTS[2];
static tenon_ticket_store STORE;

/* psk_dhe_ke resumption with a hybrid (EC)DHE part, the default and a forced one. */
static void test_resumption(void)
{
    for (int forced = 0; forced <= 1; forced++) {
        memset(SLOTS, 0, sizeof SLOTS);
        tenon_ticket_store_init(&STORE, SLOTS, ARRAY_LEN(SLOTS));
        client_config(&CLIENT.cfg);
        CLIENT.cfg.ticket_store = &STORE;
        server_config(&SERVER.cfg, CERT_P256);
        memset(SERVER.cfg.ticket_keys[0].name, 5, 16);
        memset(SERVER.cfg.ticket_keys[0].key, 6, 32);
        SERVER.cfg.ticket_key_count = 1;
        uint16_t g = 0x11EC;
        if (forced) {
            SERVER.cfg.groups[0] = &tenon_kex_secp256r1mlkem768;
            SERVER.cfg.group_count = 1;
            g = 0x11EB; /* after a HelloRetryRequest each time */
        }
        CHECK(handshake_in(g, forced));
        CHECK(resume_outcome(TENON_TLS13) == 0);
        CHECK(handshake_in(g, forced));
        CHECK(resume_outcome(TENON_TLS13) == 1);
    }
    tenon_conn_wipe(&CLIENT.conn);
    tenon_conn_wipe(&SERVER.conn);
}

/* Peers without the hybrids: x25519 and no HelloRetryRequest either way. */
static void test_classical_peers(void)
{
    client_config(&CLIENT.cfg);
    classical_groups(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    CHECK(handshake_in(29, 0));
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    classical_groups(&SERVER.cfg);
    CHECK(handshake_in(29, 0));
}

/* A server whose fault or a client's: each side's verdict. */
static void expect_fail(endpoint *e, int err, endpoint *other, int alert)
{
    CHECK_RC(tenon_conn_error(&e->conn), err);
    transfer(&e->conn, &other->conn); /* the alert */
    CHECK(tenon_conn_peer_alert(&other->conn) == alert);
    tenon_conn_wipe(&CLIENT.conn);
    tenon_conn_wipe(&SERVER.conn);
}

/* Bad shares on the wire: illegal_parameter (draft-ietf-tls-ecdhe-mlkem, FIPS 203 §7.2). */
static void test_bad_shares_tls(void)
{
    /* A 32-byte "X25519MLKEM768" share: the client's x25519 share relabelled. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.share_groups[0] = &tenon_kex_x25519;
    CLIENT.cfg.share_group_count = 1;
    server_config(&SERVER.cfg, CERT_P256);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    static const uint8_t x25519_entry[] = {0, 0x1d, 0, 32}, relabelled[] = {0x11, 0xec, 0, 32};
    CHECK(patch_pending(&CLIENT, x25519_entry, relabelled, sizeof x25519_entry));
    pump(&CLIENT.conn, &SERVER.conn);
    expect_fail(&SERVER, TENON_ERR_BAD_PUBLIC_KEY, &CLIENT, TENON_ALERT_ILLEGAL_PARAMETER);

    /* An ek whose first coefficient is 4095 (>= q). */
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    {
        const uint8_t *p;
        size_t n;
        tenon_conn_output(&CLIENT.conn, &p, &n);
        static const uint8_t entry[] = {0x11, 0xec, 0x04, 0xc0}; /* group, length 1216 */
        uint8_t *q = CLIENT.out + (p - CLIENT.out);
        size_t at = 0;
        for (size_t i = 0; i + 4 <= n && at == 0; i++)
            if (memcmp(q + i, entry, 4) == 0)
                at = i + 4;
        if (CHECK(at != 0)) {
            q[at] = 0xff;
            q[at + 1] |= 0x0f;
        }
    }
    pump(&CLIENT.conn, &SERVER.conn);
    expect_fail(&SERVER, TENON_ERR_BAD_PUBLIC_KEY, &CLIENT, TENON_ALERT_ILLEGAL_PARAMETER);

    /* The server's x25519 share relabelled X25519MLKEM768 (a group the client shared too): the
     * client checks the length. */
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    classical_groups(&SERVER.cfg);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    transfer(&CLIENT.conn, &SERVER.conn);
    static const uint8_t sh_x25519[] = {0, 51, 0, 36, 0, 0x1d, 0, 32};
    static const uint8_t sh_hybrid[] = {0, 51, 0, 36, 0x11, 0xec, 0, 32};
    CHECK(patch_pending(&SERVER, sh_x25519, sh_hybrid, sizeof sh_x25519));
    transfer(&SERVER.conn, &CLIENT.conn);
    expect_fail(&CLIENT, TENON_ERR_BAD_PUBLIC_KEY, &SERVER, TENON_ALERT_ILLEGAL_PARAMETER);
}

/* tenon_config.require_post_quantum. */
static void test_require_pq(void)
{
    /* Server: a classical client, a TLS 1.2-only client: insufficient_security. */
    client_config(&CLIENT.cfg);
    classical_groups(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.require_post_quantum = 1;
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    expect_fail(&SERVER, TENON_ERR_TLS_PQ_REQUIRED, &CLIENT, TENON_ALERT_INSUFFICIENT_SECURITY);
    CHECK(tenon_error_alert(TENON_ERR_TLS_PQ_REQUIRED) == TENON_ALERT_INSUFFICIENT_SECURITY);
    CHECK(strstr(tenon_strerror(TENON_ERR_TLS_PQ_REQUIRED), "post-quantum") != NULL);
    client_config(&CLIENT.cfg);
    CLIENT.cfg.min_version = CLIENT.cfg.max_version = TENON_TLS12;
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    expect_fail(&SERVER, TENON_ERR_TLS_PQ_REQUIRED, &CLIENT, TENON_ALERT_INSUFFICIENT_SECURITY);
    /* A default client: X25519MLKEM768. A client with the hybrid only after x25519 in its
     * shares: the hybrid, via HelloRetryRequest. */
    client_config(&CLIENT.cfg);
    CHECK(handshake_in(0x11EC, 0));
    client_config(&CLIENT.cfg);
    CLIENT.cfg.share_groups[0] = &tenon_kex_x25519;
    CLIENT.cfg.share_group_count = 1;
    CHECK(handshake_in(0x11EC, 1));

    /* Client: it lists and shares only the hybrids, and no TLS 1.2. */
    client_config(&CLIENT.cfg);
    CLIENT.cfg.require_post_quantum = 1;
    server_config(&SERVER.cfg, CERT_P256);
    CHECK(handshake_in(0x11EC, 0));
    tenon_peer_offer o;
    CHECK_RC(tenon_conn_peer_offer(&SERVER.conn, &o), 0);
    CHECK(o.group_count == 3 && o.groups[0] == 0x11EC && o.groups[1] == 0x11EB &&
          o.groups[2] == 0x11ED);
    CHECK(o.key_share_count == 1 && o.key_shares[0] == 0x11EC);
    CHECK(o.version_count == 1 && o.versions[0] == TENON_TLS13);
    /* ... and fails against a classical server, which finds no group in common. */
    classical_groups(&SERVER.cfg);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    expect_fail(&SERVER, TENON_ERR_TLS_NO_COMMON_GROUP, &CLIENT, TENON_ALERT_HANDSHAKE_FAILURE);

    /* Configurations that cannot work. */
    const char *why = NULL;
    client_config(&CLIENT.cfg);
    classical_groups(&CLIENT.cfg);
    CLIENT.cfg.require_post_quantum = 1;
    CHECK_RC(tenon_config_check(&CLIENT.cfg, &why), TENON_ERR_TLS_CONFIG);
    CHECK(why != NULL && strstr(why, "post-quantum") != NULL);
    client_config(&CLIENT.cfg);
    CLIENT.cfg.require_post_quantum = 1;
    CLIENT.cfg.max_version = TENON_TLS12;
    CHECK_RC(tenon_config_check(&CLIENT.cfg, &why), TENON_ERR_TLS_CONFIG);
    client_config(&CLIENT.cfg);
    CLIENT.cfg.share_group_count = TENON_MAX_KEY_SHARES + 1;
    CHECK_RC(tenon_config_check(&CLIENT.cfg, &why), TENON_ERR_TLS_CONFIG);
}

/* TLS 1.2 never negotiates a hybrid: the default client and a TLS 1.2 server whose first
 * groups are the hybrids land on x25519; a TLS 1.2-only client does not list them. */
static void test_tls12(void)
{
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.min_version = SERVER.cfg.max_version = TENON_TLS12;
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    tenon_conn_info ci, si;
    if (CHECK(both_done(&CLIENT, &SERVER))) {
        info_both(&ci, &si);
        CHECK(ci.version == TENON_TLS12 && ci.group == 29 && si.group == 29);
    }
    /* Its TLS 1.3 private keys are gone, with the whole handshake state. */
    CHECK(tls_conn_of(&CLIENT.conn)->hs == NULL);
    client_config(&CLIENT.cfg);
    CLIENT.cfg.min_version = CLIENT.cfg.max_version = TENON_TLS12;
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    pump(&CLIENT.conn, &SERVER.conn);
    tenon_peer_offer o;
    CHECK(both_done(&CLIENT, &SERVER));
    CHECK_RC(tenon_conn_peer_offer(&SERVER.conn, &o), 0);
    CHECK(o.group_count == 3 && o.groups[0] == 29 && o.groups[1] == 23 && o.groups[2] == 24);
    /* A TLS 1.2 server naming a hybrid in its ServerKeyExchange: illegal_parameter. */
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.min_version = SERVER.cfg.max_version = TENON_TLS12;
    classical_groups(&SERVER.cfg);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    transfer(&CLIENT.conn, &SERVER.conn);
    static const uint8_t params[] = {3, 0, 0x1d, 32}, hybrid[] = {3, 0x11, 0xec, 32};
    CHECK(patch_pending(&SERVER, params, hybrid, sizeof params));
    transfer(&SERVER.conn, &CLIENT.conn);
    expect_fail(&CLIENT, TENON_ERR_TLS_ILLEGAL_PARAMETER, &SERVER, TENON_ALERT_ILLEGAL_PARAMETER);
}

/* The private keys (ML-KEM seeds among them) live until the ServerHello and are wiped then; a
 * HelloRetryRequest replaces them. */
static void test_keys_wiped(void)
{
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    CHECK_RC(start(&CLIENT, &SERVER), 0);
    tls_conn *c = tls_conn_of(&CLIENT.conn);
    CHECK(c->hs->kex_offer_count == 2 && c->hs->kex_offer[0] == &tenon_kex_x25519mlkem768 &&
          c->hs->kex_offer[1] == &tenon_kex_x25519);
    CHECK(!all_zero(c->hs->kex_priv[0], 96) && !all_zero(c->hs->kex_priv[1], 32));
    transfer(&CLIENT.conn, &SERVER.conn);
    transfer(&SERVER.conn, &CLIENT.conn);
    CHECK(c->state == ST_C_WAIT_EE || c->state == ST_C_WAIT_CERT_CR ||
          both_done(&CLIENT, &SERVER) || c->state == ST_C_WAIT_CERT);
    CHECK(c->hs == NULL || (c->hs->kex_offer_count == 0 &&
                            all_zero(&c->hs->kex_priv[0][0], sizeof c->hs->kex_priv)));
    CHECK(c->kex == &tenon_kex_x25519mlkem768);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(both_done(&CLIENT, &SERVER));
    /* The server keeps none at all (and its handshake state is gone). */
    CHECK(tls_conn_of(&SERVER.conn)->hs == NULL);
    tenon_conn_wipe(&CLIENT.conn);
    tenon_conn_wipe(&SERVER.conn);
}

/* tls.h: a server with the minimum buffers takes a ClientHello with two hybrid shares
 * (X25519MLKEM768 and SecP384r1MLKEM1024) even split over records of 700 bytes. */
static void test_min_buffers(void)
{
    static uint8_t sin[TENON_CONN_IN_MIN], sout[TENON_CONN_OUT_MIN];
    static uint8_t cin[TENON_CONN_IN_MIN], cout[TENON_CONN_OUT_MIN];
    static uint8_t recs[8192];
    client_config(&CLIENT.cfg);
    CLIENT.cfg.share_groups[1] = &tenon_kex_secp384r1mlkem1024;
    server_config(&SERVER.cfg, CERT_P256);
    SERVER.cfg.groups[0] = &tenon_kex_secp384r1mlkem1024;
    CHECK_RC(tenon_conn_init(&SERVER.conn, &SERVER.cfg, sin, sizeof sin, sout, sizeof sout), 0);
    CHECK_RC(tenon_conn_init(&CLIENT.conn, &CLIENT.cfg, cin, sizeof cin, cout, sizeof cout), 0);
    const uint8_t *p;
    size_t n, used = 0, k = 0;
    tenon_conn_output(&CLIENT.conn, &p, &n);
    CHECK(n > 5 + 2889 && n < 4096);
    for (size_t at = 5; at < n; at += 700) {
        size_t len = n - at < 700 ? n - at : 700;
        recs[k++] = 22, recs[k++] = 3, recs[k++] = 1;
        recs[k++] = (uint8_t)(len >> 8), recs[k++] = (uint8_t)len;
        memcpy(recs + k, p + at, len);
        k += len;
    }
    tenon_conn_output_consume(&CLIENT.conn, n);
    CHECK_RC(tenon_conn_feed(&SERVER.conn, recs, k, &used), 0);
    CHECK(used == k);
    pump(&CLIENT.conn, &SERVER.conn);
    tenon_conn_info ci;
    if (CHECK(both_done(&CLIENT, &SERVER)))
        CHECK(tenon_conn_info_get(&CLIENT.conn, &ci) == 0 && ci.group == 0x11ED);
    tenon_conn_wipe(&CLIENT.conn);
    tenon_conn_wipe(&SERVER.conn);
}

int main(void)
{
    if (!CHECK(pki_setup() == 0))
        return tu_finish("test_tls13_pq");
    test_class_data();
    test_round_trips();
    test_layouts();
    test_bad_shares();
    test_each_group();
    test_defaults();
    test_hrr();
    test_resumption();
    test_classical_peers();
    test_bad_shares_tls();
    test_require_pq();
    test_tls12();
    test_keys_wiped();
    test_min_buffers();
    return tu_finish("test_tls13_pq");
}
