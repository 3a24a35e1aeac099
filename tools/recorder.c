/*
 * The trace recorder: the engine's events live only during its callback, and the renderers
 * need the whole handshake (a tree needs every node's parent, the comparison needs both
 * sides), so each event is copied. Secret values are wiped before they are freed.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void rec_init(recorder *r)
{
    memset(r, 0, sizeof *r);
    r->conn = 1;
}

static void event_free(rec_event *e)
{
    free(e->label);
    for (size_t i = 0; i < e->nvalues; i++) {
        free(e->v[i].name);
        if (e->v[i].data != NULL) {
            tenon_wipe(e->v[i].data, e->v[i].len);
            free(e->v[i].data);
        }
    }
}

void rec_free(recorder *r)
{
    for (size_t i = 0; i < r->n; i++)
        event_free(&r->ev[i]);
    free(r->ev);
    memset(r, 0, sizeof *r);
}

static char *dup_str(const char *s)
{
    if (s == NULL)
        s = "";
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

static rec_event *append(recorder *r)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 64;
        rec_event *ev = realloc(r->ev, cap * sizeof *ev);
        if (ev == NULL) {
            r->failed = 1;
            return NULL;
        }
        r->ev = ev;
        r->cap = cap;
    }
    rec_event *e = &r->ev[r->n];
    memset(e, 0, sizeof *e);
    e->conn = r->conn;
    return e;
}

void rec_trace_fn(void *user, const tenon_trace_event *ev)
{
    recorder *r = user;
    rec_event *e = append(r);
    if (e == NULL)
        return;
    e->type = (int)ev->type;
    e->from_client = ev->from_client;
    e->sent = ev->sent;
    e->label = dup_str(ev->label);
    int ok = e->label != NULL;
    size_t n = ev->nvalues < REC_MAX_VALUES ? ev->nvalues : REC_MAX_VALUES;
    for (size_t i = 0; i < n && ok; i++) {
        const tenon_trace_value *v = &ev->values[i];
        rec_value *d = &e->v[i];
        e->nvalues = i + 1;
        d->name = dup_str(v->name);
        d->len = v->len;
        d->secret = v->secret;
        ok = d->name != NULL;
        if (ok && v->data != NULL) {
            d->data = malloc(v->len ? v->len : 1);
            ok = d->data != NULL;
            if (ok)
                memcpy(d->data, v->data, v->len);
        }
    }
    if (!ok) {
        event_free(e);
        r->failed = 1;
        return;
    }
    r->n++;
}

void rec_appdata(recorder *r, int from_client, int sent, size_t len)
{
    rec_event *e = append(r);
    if (e == NULL)
        return;
    e->type = REC_APPDATA;
    e->from_client = from_client;
    e->sent = sent;
    e->label = dup_str("application data");
    e->nvalues = 1;
    e->v[0].name = dup_str("data"); /* only its length is kept */
    e->v[0].len = len;
    if (e->label == NULL || e->v[0].name == NULL) {
        event_free(e);
        r->failed = 1;
        return;
    }
    r->n++;
}

int rec_is_tls12(const recorder *r, int conn)
{
    for (size_t i = 0; i < r->n; i++) {
        const rec_event *e = &r->ev[i];
        if (conn != 0 && e->conn != conn)
            continue;
        if (e->type == TENON_TRACE_PRF ||
            (e->type == TENON_TRACE_NOTE && strcmp(e->label, "TLS 1.2 negotiated") == 0))
            return 1;
    }
    return 0;
}

const rec_value *rec_val(const rec_event *e, const char *name)
{
    for (size_t i = 0; i < e->nvalues; i++)
        if (strcmp(e->v[i].name, name) == 0)
            return &e->v[i];
    return NULL;
}

int rec_same(const rec_value *a, const rec_value *b)
{
    return a != NULL && b != NULL && a->data != NULL && b->data != NULL && a->len == b->len &&
           memcmp(a->data, b->data, a->len) == 0;
}

int rec_all_zero(const rec_value *v)
{
    if (v == NULL || v->data == NULL)
        return 0;
    for (size_t i = 0; i < v->len; i++)
        if (v->data[i] != 0)
            return 0;
    return 1;
}
