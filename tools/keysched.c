/*
 * The key schedule of one connection as a graph, rebuilt from the trace alone: a node is a
 * value (a secret, a key, an input), an edge is the step that made one value from another
 * (HKDF-Extract, Derive-Secret, HKDF-Expand-Label, the TLS 1.2 PRF, the key_block split), and
 * an edge joins two nodes when the later step's input holds the earlier step's output bytes.
 * Nothing is drawn from a template: a step the engine did not report has no node, and a value
 * both sides derived is one node marked with both.
 *
 * RFC 8446 §7.1 (TLS 1.3) and RFC 5246 §8.1, §6.3 with RFC 7627 §4 (TLS 1.2) give the shapes
 * this reproduces.
 */
#include <string.h>

#include "cli.h"

/* The node holding value v (zeros are never shared: each all-zero input is its own node, or
 * the picture would tie unrelated steps to one "0"). */
static int find(const ks_graph *g, const rec_value *v)
{
    if (v == NULL || v->data == NULL || rec_all_zero(v))
        return -1;
    for (size_t i = 0; i < g->nn; i++)
        if (rec_same(g->n[i].v, v))
            return (int)i;
    return -1;
}

static int add_node(ks_graph *g, const rec_value *v, int kind, const char *name, int client,
                    size_t ev)
{
    int at = find(g, v);
    if (at < 0) {
        if (g->nn == KS_MAX_NODES || v == NULL)
            return -1;
        at = (int)g->nn++;
        ks_node *n = &g->n[at];
        memset(n, 0, sizeof *n);
        n->v = v;
        n->kind = kind;
        n->first = ev;
        snprintf(n->name, sizeof n->name, "%s", name);
    }
    if (client)
        g->n[at].by_client = 1;
    else
        g->n[at].by_server = 1;
    return at;
}

/* An input no earlier step produced: zeros, or a secret brought in from outside this
 * connection (the PSK of a ticket, a TLS 1.2 session's master secret). */
static int input_node(ks_graph *g, const rec_value *v, const char *outside, int client, size_t ev)
{
    int at = find(g, v);
    if (at >= 0) {
        g->n[at].by_client |= client;
        g->n[at].by_server |= !client;
        return at;
    }
    return add_node(g, v, KS_INPUT, rec_all_zero(v) ? "0 (zeros)" : outside, client, ev);
}

static void add_edge(ks_graph *g, int from, int to, const char *label)
{
    if (from < 0 || to < 0 || from == to)
        return;
    for (size_t i = 0; i < g->ne; i++)
        if (g->e[i].from == from && g->e[i].to == to)
            return;
    if (g->ne == KS_MAX_EDGES)
        return;
    ks_edge *e = &g->e[g->ne++];
    e->from = from;
    e->to = to;
    snprintf(e->label, sizeof e->label, "%s", label);
}

/* An input of HKDF-Extract: zeros are one node per use (found again through the edge to the
 * same step, so both sides' zeros meet in one node). */
static void extract_input(ks_graph *g, const rec_value *v, const char *outside, int to,
                          const char *label, int client, size_t ev)
{
    if (rec_all_zero(v) && to >= 0)
        for (size_t k = 0; k < g->ne; k++)
            if (g->e[k].to == to && strcmp(g->e[k].label, label) == 0) {
                g->n[g->e[k].from].by_client |= client;
                g->n[g->e[k].from].by_server |= !client;
                return;
            }
    add_edge(g, input_node(g, v, outside, client, ev), to, label);
}

/* The name of what HKDF-Expand-Label with label made from the secret named parent. */
static void expand_name(const char *parent, const char *label, char *out, size_t cap)
{
    if (strcmp(label, "resumption") == 0)
        snprintf(out, cap, "PSK for resumption");
    else if (strcmp(label, "finished") == 0)
        snprintf(out, cap, "finished_key (%s)", parent);
    else if (strcmp(label, "traffic upd") == 0)
        snprintf(out, cap, "%s (next)", parent);
    else
        snprintf(out, cap, "%s %s", parent, label);
}

static void step(ks_graph *g, const recorder *r, size_t i)
{
    const rec_event *e = &r->ev[i];
    int c = e->from_client;
    char name[64], label[96];
    switch (e->type) {
    case TENON_TRACE_SHARED_SECRET: {
        int pms = strncmp(e->label, "pre-master", 10) == 0;
        snprintf(name, sizeof name, "%s", pms ? "pre_master_secret" : "shared secret");
        int to = add_node(g, rec_val(e, "value"), KS_SHARED, name, c, i);
        /* RFC 8422 §5.10: in TLS 1.2 the ECDH shared secret is the pre-master secret. */
        if (to >= 0 && !pms)
            snprintf(g->n[to].name, sizeof g->n[to].name, "%s%s shared secret",
                     g->tls12 ? "pre_master_secret = " : "", e->label);
        /* A hybrid's two halves, concatenated into the one secret (the engine traces both). */
        for (size_t k = 0; k < e->nvalues; k++) {
            const rec_value *v = &e->v[k];
            if (strcmp(v->name, "value") == 0 || !v->secret)
                continue;
            add_edge(g, add_node(g, v, KS_SHARED, v->name, c, i), to, "concatenated");
        }
        break;
    }
    case TENON_TRACE_HKDF_EXTRACT: {
        int to = add_node(g, rec_val(e, "out"), KS_SECRET, e->label, c, i);
        extract_input(g, rec_val(e, "salt"), "salt", to, "HKDF-Extract: salt", c, i);
        extract_input(g, rec_val(e, "ikm"), "PSK (from the ticket)", to, "HKDF-Extract: IKM", c, i);
        break;
    }
    case TENON_TRACE_DERIVE_SECRET: {
        int from = input_node(g, rec_val(e, "secret"), "secret", c, i);
        int to = add_node(g, rec_val(e, "out"), KS_SECRET, e->label, c, i);
        const char *th = ks_transcript_of(e->label);
        snprintf(label, sizeof label, "Derive-Secret '%s', %s", e->label,
                 strcmp(th, "\"\"") == 0 ? "empty transcript" : th);
        add_edge(g, from, to, label);
        break;
    }
    case TENON_TRACE_HKDF_EXPAND_LABEL: {
        int from = input_node(g, rec_val(e, "secret"), "secret", c, i);
        expand_name(from >= 0 ? g->n[from].name : "?", e->label, name, sizeof name);
        int to = add_node(g, rec_val(e, "out"),
                          strcmp(e->label, "resumption") == 0 ? KS_SECRET : KS_KEY, name, c, i);
        snprintf(label, sizeof label, "HKDF-Expand-Label '%s'", e->label);
        add_edge(g, from, to, label);
        break;
    }
    case TENON_TRACE_FINISHED: {
        int from = input_node(g, rec_val(e, "finished_key"), "finished_key", c, i);
        int binder = from >= 0 && strstr(g->n[from].name, "binder") != NULL;
        const char *what = binder                                        ? "PSK binder"
                           : from >= 0 && strstr(g->n[from].name, "(s ") ? "server Finished"
                           : from >= 0 && strstr(g->n[from].name, "(c ") ? "client Finished"
                                                                         : "Finished";
        int to = add_node(g, rec_val(e, "verify_data"), KS_KEY, what, c, i);
        add_edge(g, from, to, "HMAC(finished_key, transcript)");
        break;
    }
    case TENON_TRACE_PRF: {
        const char *outside = strcmp(e->label, "key expansion") == 0
                                  ? "master_secret (from the session)"
                                  : "pre_master_secret";
        int from = input_node(g, rec_val(e, "secret"), outside, c, i);
        int to = add_node(
            g, rec_val(e, "out"), strstr(e->label, "finished") != NULL ? KS_KEY : KS_SECRET,
            strcmp(e->label, "extended master secret") == 0 ? "master_secret (extended)"
                                                            : ks_prf_product(e->label),
            c, i);
        snprintf(label, sizeof label, "PRF '%s'%s", e->label,
                 strcmp(e->label, "extended master secret") == 0 ? ", session_hash"
                 : strcmp(e->label, "master secret") == 0        ? ", randoms"
                 : strcmp(e->label, "key expansion") == 0        ? ", randoms"
                                                                 : ", transcript");
        add_edge(g, from, to, label);
        break;
    }
    case TENON_TRACE_TRAFFIC_KEYS:
        if (strcmp(e->label, "key block") == 0) {
            /* RFC 5246 §6.3: the key_block is cut in this order; the last key_block node of
             * this side is the one cut. */
            int from = -1;
            for (size_t k = g->nn; k-- > 0;)
                if (strcmp(g->n[k].name, "key_block") == 0 &&
                    (c ? g->n[k].by_client : g->n[k].by_server)) {
                    from = (int)k;
                    break;
                }
            for (size_t k = 0; k < e->nvalues; k++)
                if (e->v[k].len > 0)
                    add_edge(g, from, add_node(g, &e->v[k], KS_KEY, e->v[k].name, c, i), "split");
        } else {
            /* TLS 1.3: the key and IV already are nodes; say where they went. */
            for (size_t k = 0; k < e->nvalues; k++) {
                int at = find(g, &e->v[k]);
                if (at >= 0)
                    snprintf(g->n[at].use, sizeof g->n[at].use, "%s %s", e->label, e->v[k].name);
            }
        }
        break;
    default:
        break;
    }
}

void ks_build(ks_graph *g, const recorder *r, int conn)
{
    memset(g, 0, sizeof *g);
    g->tls12 = rec_is_tls12(r, conn);
    g->both_sides = r->both_sides;
    for (size_t i = 0; i < r->n; i++)
        if (in_conn(&r->ev[i], conn))
            step(g, r, i);
    /* Ranks for a top-down layout: one below the lowest of a node's inputs (the graph has no
     * cycle: a step's output is new bytes, so the passes stop). */
    for (int changed = 1, pass = 0; changed && pass < KS_MAX_NODES; pass++) {
        changed = 0;
        for (size_t k = 0; k < g->ne; k++) {
            ks_node *a = &g->n[g->e[k].from], *b = &g->n[g->e[k].to];
            if (b->rank < a->rank + 1) {
                b->rank = a->rank + 1;
                changed = 1;
            }
        }
    }
    /* An input (no step made it) sits just above the first step that uses it, not at the
     * top: the zeros of master_secret beside the "derived" secret they meet. */
    for (size_t i = 0; i < g->nn; i++) {
        int has_in = 0, min_child = -1;
        for (size_t k = 0; k < g->ne; k++) {
            has_in |= g->e[k].to == (int)i;
            if (g->e[k].from == (int)i && (min_child < 0 || g->n[g->e[k].to].rank < min_child))
                min_child = g->n[g->e[k].to].rank;
        }
        if (!has_in && min_child > 0)
            g->n[i].rank = min_child - 1;
    }
}

void ks_value_text(const ks_node *n, int show_secrets, char *out, size_t cap)
{
    const rec_value *v = n->v;
    if (v == NULL || v->data == NULL) {
        snprintf(out, cap, "%zu bytes, hidden", v != NULL ? v->len : 0);
    } else if (n->kind == KS_INPUT && rec_all_zero(v)) {
        snprintf(out, cap, "%zu zero bytes", v->len);
    } else if (show_secrets || !v->secret) {
        size_t len = 0;
        out[0] = 0;
        for (size_t i = 0; i < v->len && len + 40 < cap; i += 16) {
            char hex[33];
            size_t m = v->len - i < 16 ? v->len - i : 16;
            hex_encode(hex, v->data + i, m);
            len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? "\n" : "", hex);
        }
    } else {
        char fp[9];
        fingerprint(fp, v->data, v->len);
        snprintf(out, cap, "fp %s", fp);
    }
}

const char *ks_agreement(const ks_graph *g, const ks_node *n)
{
    if (!g->both_sides)
        return n->by_client ? "client" : "server";
    if (n->by_client && n->by_server)
        return "client = server";
    return n->by_client ? "client only (server differs)" : "server only (client differs)";
}
