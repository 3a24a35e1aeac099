/*
 * The key schedule as it was derived, rebuilt from the trace: every HKDF-Extract,
 * Derive-Secret and HKDF-Expand-Label event is a node, and its parent is the earlier node
 * whose output is its input secret (the salt, for an Extract). Matching on the values rather
 * than on label names keeps the tree true to what the engine did, resumption and key updates
 * included. That needs the values: the tool asks the engine for them (trace_secrets) and shows
 * only fingerprints unless --show-secrets.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int is_ks(const rec_event *e)
{
    return e->type == TENON_TRACE_HKDF_EXTRACT || e->type == TENON_TRACE_DERIVE_SECRET ||
           e->type == TENON_TRACE_HKDF_EXPAND_LABEL;
}

static const rec_value *val(const rec_event *e, const char *name)
{
    for (size_t i = 0; i < e->nvalues; i++)
        if (strcmp(e->v[i].name, name) == 0)
            return &e->v[i];
    return NULL;
}

static int same(const rec_value *a, const rec_value *b)
{
    return a != NULL && b != NULL && a->data != NULL && b->data != NULL && a->len == b->len &&
           memcmp(a->data, b->data, a->len) == 0;
}

static int all_zero(const rec_value *v)
{
    if (v == NULL || v->data == NULL)
        return 0;
    for (size_t i = 0; i < v->len; i++)
        if (v->data[i] != 0)
            return 0;
    return 1;
}

static int in_scope(const rec_event *e, int conn, int client)
{
    return (conn == 0 || e->conn == conn) && e->from_client == client;
}

/* The input secret a node was derived from. */
static const rec_value *input_of(const rec_event *e)
{
    return val(e, e->type == TENON_TRACE_HKDF_EXTRACT ? "salt" : "secret");
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
        if (all_zero(in))
            continue;
        for (size_t j = i; j-- > 0;) {
            const rec_event *p = &r->ev[j];
            if (is_ks(p) && in_scope(p, conn, client) && same(val(p, "out"), in)) {
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
    if (e->type == TENON_TRACE_HKDF_EXPAND_LABEL && parent[i] >= 0)
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
static const char *transcript_of(const char *label)
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

static void describe_step(const recorder *r, int conn, int client, size_t i, char *out, size_t cap)
{
    const rec_event *e = &r->ev[i];
    if (e->type == TENON_TRACE_HKDF_EXTRACT) {
        const rec_value *salt = val(e, "salt"), *ikm = val(e, "ikm");
        const char *salt_s = all_zero(salt) ? "0" : "derived";
        char ikm_s[96];
        if (all_zero(ikm)) {
            snprintf(ikm_s, sizeof ikm_s, "0");
        } else {
            snprintf(ikm_s, sizeof ikm_s, "PSK");
            for (size_t j = 0; j < r->n; j++) {
                const rec_event *s = &r->ev[j];
                if (s->type == TENON_TRACE_SHARED_SECRET && in_scope(s, conn, client) &&
                    same(val(s, "value"), ikm))
                    snprintf(ikm_s, sizeof ikm_s, "(EC)DHE shared secret, %s", s->label);
            }
        }
        snprintf(out, cap, "%s = HKDF-Extract(salt: %s, IKM: %s)", e->label, salt_s, ikm_s);
    } else if (e->type == TENON_TRACE_DERIVE_SECRET) {
        const rec_value *th = val(e, "transcript hash");
        char h[20] = "?";
        if (th != NULL && th->data != NULL && th->len >= 6) {
            hex_encode(h, th->data, 6);
            strcat(h, "..");
        }
        snprintf(out, cap, "%s = Derive-Secret(., \"%s\", H(%s) = %s)", e->label, e->label,
                 transcript_of(e->label), h);
    } else {
        const rec_value *ctx = val(e, "context"), *o = val(e, "out");
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

static void print_node(const tree_ctx *t, size_t i, const char *prefix, int last)
{
    const recorder *r = t->r;
    FILE *f = t->ro->out;
    const rec_event *e = &r->ev[i];
    char step[256], v[256];
    describe_step(r, t->conn, t->client, i, step, sizeof step);
    const rec_value *o = val(e, "out");
    fprintf(f, "%s%s%s\n", prefix, last ? "`-- " : "|-- ", step);
    char sub[256];
    snprintf(sub, sizeof sub, "%s%s", prefix, last ? "    " : "|   ");
    value_text(o, t->ro->show_secrets, v, sizeof v);
    if (t->have_other) {
        long j = counterpart(r, t->conn, t->client, t->parent, t->oparent, i);
        const rec_value *oo = j >= 0 ? val(&r->ev[j], "out") : NULL;
        char ov[256];
        value_text(oo, t->ro->show_secrets, ov, sizeof ov);
        const char *verdict = oo == NULL    ? "(server: not derived)"
                              : same(o, oo) ? "= server (identical)"
                                            : "!= server: DIFFERENT";
        if (t->ro->show_secrets && same(o, oo))
            fprintf(f, "%s     client = server = %s\n", sub, v);
        else
            fprintf(f, "%s     client %s  %s%s%s\n", sub, v, verdict,
                    oo != NULL && !same(o, oo) ? " " : "", oo != NULL && !same(o, oo) ? ov : "");
    } else {
        fprintf(f, "%s     = %s\n", sub, v);
    }
    /* Keys installed from this output, and Finished MACs keyed by it. */
    for (size_t j = i + 1; j < r->n; j++) {
        const rec_event *k = &r->ev[j];
        if (!in_scope(k, t->conn, t->client))
            continue;
        if (k->type == TENON_TRACE_TRAFFIC_KEYS &&
            (strcmp(e->label, "key") == 0 || strcmp(e->label, "iv") == 0) &&
            same(val(k, e->label), o)) {
            fprintf(f, "%s     installed: %s %s %s\n", sub, k->label, k->sent ? "write" : "read",
                    e->label);
            break;
        }
        if (k->type == TENON_TRACE_FINISHED && same(val(k, "finished_key"), o)) {
            const rec_value *th = val(k, "transcript hash");
            char h[20] = "?";
            if (th != NULL && th->data != NULL && th->len >= 6) {
                hex_encode(h, th->data, 6);
                strcat(h, "..");
            }
            value_text(val(k, "verify_data"), t->ro->show_secrets, v, sizeof v);
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

static void print_inputs(const recorder *r, int conn, int client, const render_opts *ro)
{
    FILE *f = ro->out;
    for (size_t i = 0; i < r->n; i++) {
        const rec_event *e = &r->ev[i];
        if (!in_scope(e, conn, client))
            continue;
        char v[256];
        if (e->type == TENON_TRACE_KEY_SHARE) {
            value_text(val(e, "public"), 1, v, sizeof v);
            fprintf(f, "  %s key share (%s): public %s\n", client ? "client" : "server", e->label,
                    v);
            value_text(val(e, "private"), ro->show_secrets, v, sizeof v);
            fprintf(f, "                          private %s\n", v);
        } else if (e->type == TENON_TRACE_SHARED_SECRET) {
            value_text(val(e, "value"), ro->show_secrets, v, sizeof v);
            fprintf(f, "  %s (EC)DHE shared secret (%s): %s\n", client ? "client" : "server",
                    e->label, v);
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
    fprintf(f, "Key schedule (%s side%s, RFC 8446 section 7.1):\n", client ? "client" : "server",
            t.have_other ? ", each secret compared with the server's" : "");
    print_inputs(r, conn, client, ro);
    if (t.have_other)
        print_inputs(r, conn, !client, ro);
    size_t last_root = 0;
    int any = 0;
    for (size_t i = 0; i < r->n; i++)
        if (is_ks(&r->ev[i]) && in_scope(&r->ev[i], conn, client) && parent[i] < 0)
            last_root = i, any = 1;
    if (!any)
        fprintf(f, "  (no key schedule steps were traced)\n");
    for (size_t i = 0; any && i < r->n; i++)
        if (is_ks(&r->ev[i]) && in_scope(&r->ev[i], conn, client) && parent[i] < 0)
            print_node(&t, i, "  ", i == last_root);
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
        const rec_value *a = val(e, "out"), *b = val(&r->ev[j], "out");
        int eq = same(a, b);
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
    }
    free(cp);
    free(sp);
    return compared;
}
