/*
 * The key schedule as it was derived, rebuilt from the trace: every HKDF-Extract,
 * Derive-Secret and HKDF-Expand-Label event (TLS 1.3) and every PRF call (TLS 1.2) is a node,
 * and its parent is the earlier node whose output is its input secret (the salt, for an
 * Extract). Matching on the values rather than on label names keeps the tree true to what the
 * engine did, resumption and key updates included. That needs the values: the tool asks the
 * engine for them (trace_secrets) and shows only fingerprints unless --show-secrets.
 *
 * TLS 1.2 has a chain rather than a tree: pre-master secret -> master secret (RFC 5246 §8.1,
 * or RFC 7627 §4's extended one) -> key_block, cut into six keys (§6.3), with the Finished
 * verify_data (§7.4.9) also made from the master secret.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int is_ks(const rec_event *e)
{
    return e->type == TENON_TRACE_HKDF_EXTRACT || e->type == TENON_TRACE_DERIVE_SECRET ||
           e->type == TENON_TRACE_HKDF_EXPAND_LABEL || e->type == TENON_TRACE_PRF;
}

static int is_master_prf(const rec_event *e)
{
    return e->type == TENON_TRACE_PRF && (strcmp(e->label, "extended master secret") == 0 ||
                                          strcmp(e->label, "master secret") == 0);
}

/* The secret a TLS 1.2 PRF call makes, named as RFC 5246 names it. */
const char *ks_prf_product(const char *label)
{
    if (strcmp(label, "extended master secret") == 0 || strcmp(label, "master secret") == 0)
        return "master_secret";
    if (strcmp(label, "key expansion") == 0)
        return "key_block";
    if (strcmp(label, "client finished") == 0)
        return "client verify_data";
    if (strcmp(label, "server finished") == 0)
        return "server verify_data";
    return label;
}

static int in_scope(const rec_event *e, int conn, int client)
{
    return (conn == 0 || e->conn == conn) && e->from_client == client;
}

/* The input secret a node was derived from. */
static const rec_value *input_of(const rec_event *e)
{
    return rec_val(e, e->type == TENON_TRACE_HKDF_EXTRACT ? "salt" : "secret");
}

/* parent[i] for the key-schedule events of one side, -1 for roots and other events. */
static void find_parents(const recorder *r, int conn, int client, long *parent)
{
    for (size_t i = 0; i < r->n; i++) {
        parent[i] = -1;
        const rec_event *e = &r->ev[i];
        if (!is_ks(e) || !in_scope(e, conn, client))
            continue;
        const rec_value *in = input_of(e);
        if (rec_all_zero(in))
            continue;
        for (size_t j = i; j-- > 0;) {
            const rec_event *p = &r->ev[j];
            if (is_ks(p) && in_scope(p, conn, client) && rec_same(rec_val(p, "out"), in)) {
                parent[i] = (long)j;
                break;
            }
        }
    }
}

/* A node's path from its root ("early_secret/derived/handshake_secret/c hs traffic/key"):
 * the same step on both sides has the same path. */
static void node_path(const recorder *r, const long *parent, size_t i, char *out, size_t cap)
{
    size_t chain[32], n = 0;
    long at = (long)i;
    while (at >= 0 && n < 32) {
        chain[n++] = (size_t)at;
        at = parent[at];
    }
    size_t len = 0;
    out[0] = 0;
    while (n-- > 0) {
        int w = snprintf(out + len, cap - len, "%s%s", len ? "/" : "", r->ev[chain[n]].label);
        if (w < 0 || (size_t)w >= cap - len)
            break;
        len += (size_t)w;
    }
}

/* A short human name for a node: the secret it produces. */
static void node_name(const recorder *r, const long *parent, size_t i, char *out, size_t cap)
{
    const rec_event *e = &r->ev[i];
    if (e->type == TENON_TRACE_PRF)
        snprintf(out, cap, "%s%s", ks_prf_product(e->label),
                 strcmp(e->label, "extended master secret") == 0 ? " (extended)" : "");
    else if (e->type == TENON_TRACE_HKDF_EXPAND_LABEL && parent[i] >= 0)
        snprintf(out, cap, "%s: %s", r->ev[parent[i]].label, e->label);
    else
        snprintf(out, cap, "%s", e->label);
}

/* The k-th node (in order) of the other side with the same path, or -1. */
static long counterpart(const recorder *r, int conn, int client, const long *parent,
                        const long *oparent, size_t i)
{
    char path[512], other[512];
    node_path(r, parent, i, path, sizeof path);
    size_t k = 0;
    for (size_t j = 0; j < i; j++) {
        if (!is_ks(&r->ev[j]) || !in_scope(&r->ev[j], conn, client))
            continue;
        node_path(r, parent, j, other, sizeof other);
        if (strcmp(other, path) == 0)
            k++;
    }
    for (size_t j = 0; j < r->n; j++) {
        if (!is_ks(&r->ev[j]) || !in_scope(&r->ev[j], conn, !client))
            continue;
        node_path(r, oparent, j, other, sizeof other);
        if (strcmp(other, path) == 0 && k-- == 0)
            return (long)j;
    }
    return -1;
}

/* "fp 1a2b3c4d (32 bytes)", the hex with --show-secrets, or what little is known. */
static void value_text(const rec_value *v, int show, char *out, size_t cap)
{
    if (v == NULL) {
        snprintf(out, cap, "?");
        return;
    }
    if (v->data == NULL) {
        snprintf(out, cap, "(secret, %zu bytes)", v->len);
        return;
    }
    if (show || !v->secret) {
        if (cap < 2 * v->len + 1) {
            snprintf(out, cap, "(%zu bytes)", v->len);
            return;
        }
        hex_encode(out, v->data, v->len);
        return;
    }
    char fp[9];
    fingerprint(fp, v->data, v->len);
    snprintf(out, cap, "fp %s (secret, %zu bytes)", fp, v->len);
}

/* The messages a Derive-Secret's transcript hash covers (RFC 8446 §7.1). */
const char *ks_transcript_of(const char *label)
{
    if (strcmp(label, "c hs traffic") == 0 || strcmp(label, "s hs traffic") == 0)
        return "ClientHello..ServerHello";
    if (strcmp(label, "c ap traffic") == 0 || strcmp(label, "s ap traffic") == 0 ||
        strcmp(label, "exp master") == 0)
        return "ClientHello..server Finished";
    if (strcmp(label, "res master") == 0)
        return "ClientHello..client Finished";
    if (strcmp(label, "c e traffic") == 0 || strcmp(label, "e exp master") == 0)
        return "ClientHello";
    return "\"\"";
}

/* "1a2b3c4d5e6f.." : the first 6 bytes of a public value. */
static void short_hex(const uint8_t *p, size_t n, char out[20])
{
    if (p == NULL || n == 0) {
        snprintf(out, 20, "?");
        return;
    }
    size_t k = n < 6 ? n : 6;
    hex_encode(out, p, k);
    if (n > k)
        strcat(out, "..");
}

/* What a TLS 1.2 PRF call took as its secret, in words. */
static void prf_secret_words(const recorder *r, int conn, int client, const rec_event *e, char *out,
                             size_t cap)
{
    if (!is_master_prf(e)) {
        snprintf(out, cap, "master_secret");
        return;
    }
    const rec_value *sec = rec_val(e, "secret");
    for (size_t j = 0; j < r->n; j++) {
        const rec_event *s = &r->ev[j];
        if (s->type != TENON_TRACE_SHARED_SECRET || !in_scope(s, conn, client) ||
            !rec_same(rec_val(s, "value"), sec))
            continue;
        if (strncmp(s->label, "pre-master", 10) == 0)
            snprintf(out, cap, "pre_master_secret: RSA, the client's random 48 bytes");
        else
            snprintf(out, cap, "pre_master_secret: ECDHE shared secret, %s", s->label);
        return;
    }
    /* The server of an RSA key exchange decrypts the pre-master secret and (RFC 5246
     * §7.4.7.1) never says whether that worked: the engine does not trace it. */
    snprintf(out, cap, "pre_master_secret: from the ClientKeyExchange, %zu bytes",
             sec != NULL ? sec->len : (size_t)0);
}

static void describe_prf(const recorder *r, int conn, int client, size_t i, char *out, size_t cap)
{
    const rec_event *e = &r->ev[i];
    const rec_value *seed = rec_val(e, "seed"), *o = rec_val(e, "out");
    char sec[128], sd[96], a[20], b[20];
    prf_secret_words(r, conn, client, e, sec, sizeof sec);
    const uint8_t *sp = seed != NULL ? seed->data : NULL;
    size_t sl = seed != NULL ? seed->len : 0;
    if (strcmp(e->label, "extended master secret") == 0) {
        short_hex(sp, sl, a);
        snprintf(sd, sizeof sd, "session_hash = H(ClientHello..ClientKeyExchange) = %s", a);
    } else if ((strcmp(e->label, "master secret") == 0 || strcmp(e->label, "key expansion") == 0) &&
               sp != NULL && sl == 64) {
        short_hex(sp, 32, a);
        short_hex(sp + 32, 32, b);
        snprintf(sd, sizeof sd, "%s = %s + %s",
                 e->label[0] == 'm' ? "client_random + server_random"
                                    : "server_random + client_random",
                 a, b);
    } else {
        short_hex(sp, sl, a);
        snprintf(sd, sizeof sd, "H(handshake messages) = %s", a);
    }
    snprintf(out, cap, "%s = PRF(%s, \"%s\", %s)[%zu]", ks_prf_product(e->label), sec, e->label, sd,
             o != NULL ? o->len : 0);
}

static void describe_step(const recorder *r, int conn, int client, size_t i, char *out, size_t cap)
{
    const rec_event *e = &r->ev[i];
    if (e->type == TENON_TRACE_PRF) {
        describe_prf(r, conn, client, i, out, cap);
    } else if (e->type == TENON_TRACE_HKDF_EXTRACT) {
        const rec_value *salt = rec_val(e, "salt"), *ikm = rec_val(e, "ikm");
        const char *salt_s = rec_all_zero(salt) ? "0" : "derived";
        char ikm_s[96];
        if (rec_all_zero(ikm)) {
            snprintf(ikm_s, sizeof ikm_s, "0");
        } else {
            snprintf(ikm_s, sizeof ikm_s, "PSK");
            for (size_t j = 0; j < r->n; j++) {
                const rec_event *s = &r->ev[j];
                if (s->type != TENON_TRACE_SHARED_SECRET || !in_scope(s, conn, client) ||
                    !rec_same(rec_val(s, "value"), ikm))
                    continue;
                const tenon_kex_class *g = group_by_name(s->label);
                if (g != NULL && g->hybrid != NULL)
                    snprintf(ikm_s, sizeof ikm_s, "hybrid shared secret, %s: %s || %s", s->label,
                             g->hybrid->kem_first ? "ML-KEM" : g->hybrid->ecdh->name,
                             g->hybrid->kem_first ? g->hybrid->ecdh->name : "ML-KEM");
                else
                    snprintf(ikm_s, sizeof ikm_s, "(EC)DHE shared secret, %s", s->label);
            }
        }
        snprintf(out, cap, "%s = HKDF-Extract(salt: %s, IKM: %s)", e->label, salt_s, ikm_s);
    } else if (e->type == TENON_TRACE_DERIVE_SECRET) {
        const rec_value *th = rec_val(e, "transcript hash");
        char h[20] = "?";
        if (th != NULL && th->data != NULL && th->len >= 6) {
            hex_encode(h, th->data, 6);
            strcat(h, "..");
        }
        snprintf(out, cap, "%s = Derive-Secret(., \"%s\", H(%s) = %s)", e->label, e->label,
                 ks_transcript_of(e->label), h);
    } else {
        const rec_value *ctx = rec_val(e, "context"), *o = rec_val(e, "out");
        char c[40] = "\"\"";
        if (ctx != NULL && ctx->len > 0 && ctx->data != NULL && ctx->len <= 16)
            hex_encode(c, ctx->data, ctx->len);
        else if (ctx != NULL && ctx->len > 0)
            snprintf(c, sizeof c, "(%zu bytes)", ctx->len);
        snprintf(out, cap, "%s = HKDF-Expand-Label(., \"%s\", %s, %zu)", e->label, e->label, c,
                 o ? o->len : 0);
    }
}

typedef struct tree_ctx {
    const recorder *r;
    int conn, client, have_other;
    const long *parent, *oparent;
    const render_opts *ro;
} tree_ctx;

static FILE *f_of(const tree_ctx *t)
{
    return t->ro->out;
}

/* The first event of type/label after index from, of one side. */
static long next_event(const recorder *r, int conn, int client, size_t from, int type,
                       const char *label)
{
    for (size_t j = from; j < r->n; j++) {
        const rec_event *k = &r->ev[j];
        if (k->type == type && in_scope(k, conn, client) && strcmp(k->label, label) == 0)
            return (long)j;
        /* The next PRF of the same kind starts another derivation. */
        if (j > from && k->type == TENON_TRACE_PRF && in_scope(k, conn, client) &&
            strcmp(k->label, "key expansion") == 0)
            break;
    }
    return -1;
}

/* RFC 5246 §6.3: the key_block cut into its six parts, each compared with the other side's. */
static void print_key_block(const tree_ctx *t, size_t i, const char *sub)
{
    const recorder *r = t->r;
    FILE *f = t->ro->out;
    long k = next_event(r, t->conn, t->client, i, TENON_TRACE_TRAFFIC_KEYS, "key block");
    if (k < 0)
        return;
    long ok = -1;
    if (t->have_other) {
        long j = counterpart(r, t->conn, t->client, t->parent, t->oparent, i);
        if (j >= 0)
            ok = next_event(r, t->conn, !t->client, (size_t)j, TENON_TRACE_TRAFFIC_KEYS,
                            "key block");
    }
    const rec_event *kb = &r->ev[k];
    int cbc = 0;
    for (size_t n = 0; n < kb->nvalues; n++)
        cbc |= strstr(kb->v[n].name, "MAC_key") != NULL && kb->v[n].len > 0;
    fprintf(f, "%s     split in this order (RFC 5246 section 6.3):\n", sub);
    fprintf(f, "%s       %-21s %5s  %s\n", sub, "part", "bytes", "value");
    for (size_t n = 0; n < kb->nvalues; n++) {
        const rec_value *v = &kb->v[n];
        char text[256] = "";
        if (v->len == 0) {
            snprintf(text, sizeof text, "%s",
                     strstr(v->name, "MAC") != NULL ? "(none: the AEAD authenticates)"
                                                    : "(none: each record carries its IV)");
        } else {
            value_text(v, t->ro->show_secrets, text, sizeof text);
            if (ok >= 0) {
                const rec_value *w = rec_val(&r->ev[ok], v->name);
                size_t l = strlen(text);
                snprintf(text + l, sizeof text - l, "  %s",
                         w == NULL        ? "(server: none)"
                         : rec_same(v, w) ? "= server"
                                          : "!= server: DIFFERENT");
            }
        }
        fprintf(f, "%s       %-21s %5zu  %s\n", sub, v->name, v->len, text);
    }
    if (!cbc)
        fprintf(f,
                "%s       (an AEAD suite: the write IVs are the implicit part of each "
                "record's nonce)\n",
                sub);
}

/* Where a Finished verify_data went: sent by its side, checked by the other. */
static void print_finished_use(const tree_ctx *t, size_t i, const char *sub)
{
    const rec_event *e = &t->r->ev[i];
    int mine = (strcmp(e->label, "client finished") == 0) == (t->client != 0);
    const char *me = t->client ? "client" : "server", *peer = t->client ? "server" : "client";
    if (mine) {
        fprintf(f_of(t), "%s     sent in the %s's Finished\n", sub, me);
        return;
    }
    long v = -1;
    for (size_t j = i + 1; j < t->r->n && v < 0; j++) {
        const rec_event *k = &t->r->ev[j];
        if (!in_scope(k, t->conn, t->client))
            continue;
        if (k->type == TENON_TRACE_VERIFIED && strcmp(k->label, "Finished") == 0)
            v = (long)j;
        if (k->type == TENON_TRACE_PRF)
            break;
    }
    fprintf(f_of(t), "%s     the %s's Finished checked against it: %s\n", sub, peer,
            v >= 0 ? "verified" : "not verified");
}

static void print_node(const tree_ctx *t, size_t i, const char *prefix, int last)
{
    const recorder *r = t->r;
    FILE *f = t->ro->out;
    const rec_event *e = &r->ev[i];
    char step[256], v[256];
    describe_step(r, t->conn, t->client, i, step, sizeof step);
    const rec_value *o = rec_val(e, "out");
    fprintf(f, "%s%s%s\n", prefix, last ? "`-- " : "|-- ", step);
    char sub[256];
    snprintf(sub, sizeof sub, "%s%s", prefix, last ? "    " : "|   ");
    value_text(o, t->ro->show_secrets, v, sizeof v);
    if (t->have_other) {
        long j = counterpart(r, t->conn, t->client, t->parent, t->oparent, i);
        const rec_value *oo = j >= 0 ? rec_val(&r->ev[j], "out") : NULL;
        char ov[256];
        value_text(oo, t->ro->show_secrets, ov, sizeof ov);
        const char *verdict = oo == NULL        ? "(server: not derived)"
                              : rec_same(o, oo) ? "= server (identical)"
                                                : "!= server: DIFFERENT";
        if (t->ro->show_secrets && rec_same(o, oo))
            fprintf(f, "%s     client = server = %s\n", sub, v);
        else
            fprintf(f, "%s     client %s  %s%s%s\n", sub, v, verdict,
                    oo != NULL && !rec_same(o, oo) ? " " : "",
                    oo != NULL && !rec_same(o, oo) ? ov : "");
    } else {
        fprintf(f, "%s     = %s\n", sub, v);
    }
    if (e->type == TENON_TRACE_PRF && strcmp(e->label, "key expansion") == 0)
        print_key_block(t, i, sub);
    if (e->type == TENON_TRACE_PRF && strstr(e->label, "finished") != NULL)
        print_finished_use(t, i, sub);
    /* Keys installed from this output, and Finished MACs keyed by it. */
    for (size_t j = i + 1; e->type != TENON_TRACE_PRF && j < r->n; j++) {
        const rec_event *k = &r->ev[j];
        if (!in_scope(k, t->conn, t->client))
            continue;
        if (k->type == TENON_TRACE_TRAFFIC_KEYS &&
            (strcmp(e->label, "key") == 0 || strcmp(e->label, "iv") == 0) &&
            rec_same(rec_val(k, e->label), o)) {
            fprintf(f, "%s     installed: %s %s %s\n", sub, k->label, k->sent ? "write" : "read",
                    e->label);
            break;
        }
        if (k->type == TENON_TRACE_FINISHED && rec_same(rec_val(k, "finished_key"), o)) {
            const rec_value *th = rec_val(k, "transcript hash");
            char h[20] = "?";
            if (th != NULL && th->data != NULL && th->len >= 6) {
                hex_encode(h, th->data, 6);
                strcat(h, "..");
            }
            value_text(rec_val(k, "verify_data"), t->ro->show_secrets, v, sizeof v);
            fprintf(f, "%s     verify_data = HMAC(finished_key, H = %s) = %s\n", sub, h, v);
        }
    }
    /* Children, in the order they were derived. */
    size_t last_child = 0;
    int any = 0;
    for (size_t j = i + 1; j < r->n; j++)
        if (t->parent[j] == (long)i)
            last_child = j, any = 1;
    if (!any)
        return;
    for (size_t j = i + 1; j < r->n; j++)
        if (t->parent[j] == (long)i)
            print_node(t, j, sub, j == last_child);
}

static int side_present(const recorder *r, int conn, int client)
{
    for (size_t i = 0; i < r->n; i++)
        if (in_scope(&r->ev[i], conn, client))
            return 1;
    return 0;
}

/* A hybrid group's key share, half by half (the engine traces them beside the whole). */
static void print_hybrid_share(FILE *f, const rec_event *e, int show)
{
    static const char *const parts[] = {"ML-KEM encapsulation key", "ML-KEM ciphertext",
                                        "ECDH public", "ML-KEM seed", "ECDH private"};
    static const char *const shown[] = {"encapsulation key (ek)", "ciphertext", "public",
                                        "seed d || z", "private"};
    const tenon_kex_class *g = group_by_name(e->label);
    char v[256];
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        const rec_value *p = rec_val(e, parts[i]);
        if (p == NULL || g == NULL || g->hybrid == NULL)
            continue;
        value_text(p, show, v, sizeof v);
        fprintf(f, "                            %s %s: %s\n",
                i < 2 || i == 3 ? g->hybrid->kem->name : g->hybrid->ecdh->name, shown[i], v);
    }
}

/* A hybrid group's shared secret: the two secrets whose concatenation, in the group's order,
 * HKDF-Extract takes. */
static void print_hybrid_secret(FILE *f, const rec_event *e, int show)
{
    const rec_value *kem = rec_val(e, "ML-KEM shared secret"),
                    *ecdh = rec_val(e, "ECDH shared secret");
    const tenon_kex_class *g = group_by_name(e->label);
    if (kem == NULL || ecdh == NULL || g == NULL || g->hybrid == NULL)
        return;
    char a[256], b[256];
    value_text(kem, show, a, sizeof a);
    value_text(ecdh, show, b, sizeof b);
    const tenon_kex_hybrid *h = g->hybrid;
    fprintf(f, "                            = %s shared secret %s\n",
            h->kem_first ? h->kem->name : h->ecdh->name, h->kem_first ? a : b);
    fprintf(f, "                              || %s shared secret %s\n",
            h->kem_first ? h->ecdh->name : h->kem->name, h->kem_first ? b : a);
    fprintf(f,
            "                            the (EC)DHE input of HKDF-Extract (handshake_secret)\n");
}

static void print_inputs(const recorder *r, int conn, int client, int tls12, const render_opts *ro)
{
    FILE *f = ro->out;
    for (size_t i = 0; i < r->n; i++) {
        const rec_event *e = &r->ev[i];
        if (!in_scope(e, conn, client))
            continue;
        char v[256];
        if (e->type == TENON_TRACE_KEY_SHARE) {
            value_text(rec_val(e, "public"), 1, v, sizeof v);
            fprintf(f, "  %s key share (%s): public %s\n", client ? "client" : "server", e->label,
                    v);
            print_hybrid_share(f, e, ro->show_secrets);
            if (rec_val(e, "private") != NULL) {
                value_text(rec_val(e, "private"), ro->show_secrets, v, sizeof v);
                fprintf(f, "                          private %s\n", v);
            } else {
                fprintf(f, "                          private: none kept (the server's answer "
                           "to the client's share)\n");
            }
        } else if (e->type == TENON_TRACE_SHARED_SECRET) {
            value_text(rec_val(e, "value"), ro->show_secrets, v, sizeof v);
            if (strncmp(e->label, "pre-master", 10) == 0)
                fprintf(f,
                        "  %s pre_master_secret (RSA key transport: random, encrypted to the "
                        "server's key): %s\n",
                        client ? "client" : "server", v);
            else
                fprintf(f, "  %s (EC)DHE shared secret (%s)%s: %s\n", client ? "client" : "server",
                        e->label, tls12 ? " = pre_master_secret" : "", v);
            print_hybrid_secret(f, e, ro->show_secrets);
        }
    }
}

void render_tree(const recorder *r, int conn, const render_opts *ro)
{
    long *parent = calloc(r->n + 1, sizeof *parent);
    long *oparent = calloc(r->n + 1, sizeof *oparent);
    if (parent == NULL || oparent == NULL) {
        free(parent);
        free(oparent);
        fprintf(ro->out, "(out of memory rendering the tree)\n");
        return;
    }
    int has_client = side_present(r, conn, 1), has_server = side_present(r, conn, 0);
    /* With both sides, the client's tree is drawn and each node compared with the server's. */
    int client = has_client ? 1 : 0;
    find_parents(r, conn, client, parent);
    find_parents(r, conn, !client, oparent);
    tree_ctx t = {r, conn, client, has_client && has_server, parent, oparent, ro};
    FILE *f = ro->out;
    int tls12 = 0;
    for (size_t i = 0; i < r->n; i++)
        tls12 |= r->ev[i].type == TENON_TRACE_PRF && in_scope(&r->ev[i], conn, client);
    if (tls12)
        fprintf(f,
                "Key derivation, TLS 1.2 (%s side%s; RFC 5246 sections 6.3, 7.4.9, 8.1, RFC "
                "7627 section 4):\n",
                client ? "client" : "server",
                t.have_other ? ", each secret compared with the server's" : "");
    else
        fprintf(f, "Key schedule (%s side%s, RFC 8446 section 7.1):\n",
                client ? "client" : "server",
                t.have_other ? ", each secret compared with the server's" : "");
    print_inputs(r, conn, client, tls12, ro);
    if (t.have_other)
        print_inputs(r, conn, !client, tls12, ro);
    /* Roots: the TLS 1.3 Extracts, the TLS 1.2 master secret. A TLS 1.2 PRF keyed by a master
     * secret no event made (an abbreviated handshake: it came with the session ticket) hangs
     * under one pseudo-node for that master secret. */
    size_t last_root = 0;
    int any = 0;
    long resumed_first = -1;
    for (size_t i = 0; i < r->n; i++) {
        const rec_event *e = &r->ev[i];
        if (!is_ks(e) || !in_scope(e, conn, client) || parent[i] >= 0)
            continue;
        if (e->type == TENON_TRACE_PRF && !is_master_prf(e)) {
            if (resumed_first < 0)
                resumed_first = (long)i;
            continue;
        }
        last_root = i, any = 1;
    }
    if (!any && resumed_first < 0)
        fprintf(f, "  (no key schedule steps were traced)\n");
    for (size_t i = 0; any && i < r->n; i++)
        if (is_ks(&r->ev[i]) && in_scope(&r->ev[i], conn, client) && parent[i] < 0 &&
            !(r->ev[i].type == TENON_TRACE_PRF && !is_master_prf(&r->ev[i])))
            print_node(&t, i, "  ", i == last_root && resumed_first < 0);
    if (resumed_first >= 0) {
        const rec_value *ms = rec_val(&r->ev[resumed_first], "secret");
        char v[256];
        value_text(ms, ro->show_secrets, v, sizeof v);
        fprintf(f, "  `-- master_secret of the resumed session (it came with the session ticket, "
                   "RFC 5077 section 3.4)\n");
        if (t.have_other) {
            const rec_value *oms = NULL;
            for (size_t j = 0; j < r->n && oms == NULL; j++)
                if (r->ev[j].type == TENON_TRACE_PRF && in_scope(&r->ev[j], conn, !client) &&
                    oparent[j] < 0 && !is_master_prf(&r->ev[j]))
                    oms = rec_val(&r->ev[j], "secret");
            fprintf(f, "           client %s  %s\n", v,
                    oms == NULL         ? "(server: not used)"
                    : rec_same(ms, oms) ? "= server (identical)"
                                        : "!= server: DIFFERENT");
        } else {
            fprintf(f, "           = %s\n", v);
        }
        size_t last = 0;
        for (size_t i = 0; i < r->n; i++)
            if (r->ev[i].type == TENON_TRACE_PRF && in_scope(&r->ev[i], conn, client) &&
                parent[i] < 0 && !is_master_prf(&r->ev[i]))
                last = i;
        for (size_t i = 0; i < r->n; i++)
            if (r->ev[i].type == TENON_TRACE_PRF && in_scope(&r->ev[i], conn, client) &&
                parent[i] < 0 && !is_master_prf(&r->ev[i]))
                print_node(&t, i, "      ", i == last);
    }
    free(parent);
    free(oparent);
}

size_t compare_sides(const recorder *r, int conn, const render_opts *ro, size_t *mismatches)
{
    *mismatches = 0;
    long *cp = calloc(r->n + 1, sizeof *cp), *sp = calloc(r->n + 1, sizeof *sp);
    if (cp == NULL || sp == NULL) {
        free(cp);
        free(sp);
        *mismatches = 1;
        return 0;
    }
    find_parents(r, conn, 1, cp);
    find_parents(r, conn, 0, sp);
    size_t compared = 0;
    FILE *f = ro != NULL ? ro->out : NULL;
    if (f != NULL)
        fprintf(f, "  %-34s %-10s %-10s %s\n", "secret", "client", "server", "match");
    for (size_t i = 0; i < r->n; i++) {
        const rec_event *e = &r->ev[i];
        if (!is_ks(e) || !in_scope(e, conn, 1))
            continue;
        long j = counterpart(r, conn, 1, cp, sp, i);
        if (j < 0)
            continue;
        const rec_value *a = rec_val(e, "out"), *b = rec_val(&r->ev[j], "out");
        int eq = rec_same(a, b);
        compared++;
        if (!eq)
            (*mismatches)++;
        if (f != NULL) {
            char name[128], fa[9] = "hidden", fb[9] = "hidden";
            node_name(r, cp, i, name, sizeof name);
            if (a != NULL && a->data != NULL)
                fingerprint(fa, a->data, a->len);
            if (b != NULL && b->data != NULL)
                fingerprint(fb, b->data, b->len);
            fprintf(f, "  %-34s %-10s %-10s %s\n", name, fa, fb, eq ? "same" : "DIFFERENT");
        }
        /* TLS 1.2: the six parts of the key_block are the keys the records use. */
        if (e->type != TENON_TRACE_PRF || strcmp(e->label, "key expansion") != 0)
            continue;
        long ka = next_event(r, conn, 1, i, TENON_TRACE_TRAFFIC_KEYS, "key block");
        long kb = next_event(r, conn, 0, (size_t)j, TENON_TRACE_TRAFFIC_KEYS, "key block");
        if (ka < 0 || kb < 0)
            continue;
        for (size_t n = 0; n < r->ev[ka].nvalues; n++) {
            const rec_value *pa = &r->ev[ka].v[n], *pb = rec_val(&r->ev[kb], pa->name);
            if (pa->len == 0)
                continue;
            int peq = rec_same(pa, pb);
            compared++;
            if (!peq)
                (*mismatches)++;
            if (f != NULL) {
                char name[128], fa[9] = "hidden", fb[9] = "hidden";
                snprintf(name, sizeof name, "  %s", pa->name);
                if (pa->data != NULL)
                    fingerprint(fa, pa->data, pa->len);
                if (pb != NULL && pb->data != NULL)
                    fingerprint(fb, pb->data, pb->len);
                fprintf(f, "  %-34s %-10s %-10s %s\n", name, fa, fb, peq ? "same" : "DIFFERENT");
            }
        }
    }
    free(cp);
    free(sp);
    return compared;
}
