/*
 * The Mermaid sequence diagram of one connection, drawn to be read at a glance: each arrow
 * carries a short label ("ClientHello + key_share x25519", "{Certificate}") whose brackets say
 * under which keys it travelled (RFC 8446 §2's notation: {} handshake traffic keys, []
 * application traffic keys; in TLS 1.2, {} the key_block's write keys after ChangeCipherSpec),
 * the message's parameters follow in a note wrapped to short lines, and each side's
 * computations are notes on its own lifeline in the order the engine did them. Where both
 * sides were recorded, the point at which they hold identical keys is marked across both.
 *
 * Width is what makes a sequence diagram unreadable (Mermaid spaces the lifelines for the
 * widest label and never wraps), so every line is kept short here rather than scaled later.
 */
#include <string.h>

#include "cli.h"

#define MM_WIDTH 46 /* characters per note line: about 350 px at Mermaid's 14 px note font */

/* Mermaid reads ';' as a statement end and '#' as an entity start, and angle brackets as
 * HTML: they are replaced so that any text stays one well-formed line. */
static void mm_clean(char *s)
{
    for (; *s; s++) {
        if (*s == ';')
            *s = ',';
        else if (*s == '#' || *s == '\n' || *s == '\r' || *s == '\t')
            *s = ' ';
        else if (*s == '<')
            *s = '(';
        else if (*s == '>')
            *s = ')';
    }
}

void text_wrap(char *out, size_t cap, size_t *len, const char *text, size_t width, const char *sep)
{
    const char *p = text;
    while (*p == ' ')
        p++;
    while (*p) {
        size_t n = strlen(p);
        if (n > width) {
            size_t cut = 0;
            for (size_t i = width; i > width / 4; i--)
                if (p[i] == ' ' || p[i - 1] == ',') {
                    cut = i;
                    break;
                }
            n = cut ? cut : width;
        }
        int w = snprintf(out + *len, cap - *len, "%s%.*s", *len ? sep : "", (int)n, p);
        if (w < 0 || (size_t)w >= cap - *len) {
            out[*len] = 0;
            return;
        }
        *len += (size_t)w;
        p += n;
        while (*p == ' ')
            p++;
    }
}

/* Consecutive lines of one lifeline (or of both, for the marks) become one note. */
typedef struct note {
    char text[3072];
    size_t len;
    int who;
    int open;
} note;

static void note_flush(FILE *f, note *n)
{
    if (n->open && n->len > 0) {
        if (n->who >= SEQ_AGREE)
            fprintf(f, "    rect %s\n",
                    n->who == SEQ_AGREE ? "rgb(200, 240, 200)" : "rgb(255, 205, 205)");
        fprintf(f, "    Note over %s: %s\n",
                n->who >= SEQ_BOTH ? "C,S"
                : n->who == SEQ_C  ? "C"
                                   : "S",
                n->text);
        if (n->who >= SEQ_AGREE)
            fprintf(f, "    end\n");
    }
    n->open = 0;
    n->len = 0;
    n->text[0] = 0;
}

static void note_add(FILE *f, note *n, int who, const char *text)
{
    if (n->open && (n->who != who || n->len + strlen(text) + 64 >= sizeof n->text))
        note_flush(f, n);
    n->open = 1;
    n->who = who;
    char clean[1024];
    snprintf(clean, sizeof clean, "%s", text);
    mm_clean(clean);
    text_wrap(n->text, sizeof n->text, &n->len, clean, MM_WIDTH, "<br/>");
}

/* The groups of a hello's key_share as msg_summary wrote them ("key_share A (..) + B (..)"),
 * as "A, B"; "retry with G" for a HelloRetryRequest. */
static void key_share_groups(const char *summary, char *out, size_t cap)
{
    out[0] = 0;
    const char *p = strstr(summary, ", key_share");
    if (p == NULL)
        return;
    p += strlen(", key_share");
    if (strncmp(p, ": retry with ", 13) == 0) {
        snprintf(out, cap, "retry with %.*s", (int)strcspn(p + 13, ", "), p + 13);
        return;
    }
    size_t len = 0;
    while (*p == ' ') {
        p++;
        size_t n = strcspn(p, " (,");
        int w = snprintf(out + len, cap - len, "%s%.*s", len ? ", " : "", (int)n, p);
        if (w < 0 || (size_t)w >= cap - len)
            return;
        len += (size_t)w;
        const char *close = strchr(p, ')');
        if (close == NULL || strncmp(close + 1, " + ", 3) != 0)
            return;
        p = close + 3;
    }
}

/* Keys in force per direction: 0 none, 1 handshake (TLS 1.2: the key_block's), 2 application. */
typedef struct epochs {
    int to_server, to_client;
} epochs;

static void arrow_label(const rec_event *e, const char *summary, const epochs *ep, char *out,
                        size_t cap)
{
    char core[256], groups[160];
    if (e->type == REC_APPDATA) {
        snprintf(core, sizeof core, "application data (%zu bytes)", e->v[0].len);
    } else {
        key_share_groups(summary, groups, sizeof groups);
        int hrr = strncmp(summary, "HelloRetryRequest", 17) == 0;
        int psk = strstr(summary, "pre_shared_key") != NULL;
        if (hrr)
            snprintf(core, sizeof core, "HelloRetryRequest%s%s", groups[0] ? ": " : "", groups);
        else
            snprintf(core, sizeof core, "%s%s%s%s", e->label, groups[0] ? " + key_share " : "",
                     groups, psk ? " + pre_shared_key" : "");
    }
    int epoch = client_to_server(e) ? ep->to_server : ep->to_client;
    snprintf(out, cap, "%s%s%s",
             epoch == 1   ? "{"
             : epoch == 2 ? "["
                          : "",
             core,
             epoch == 1   ? "}"
             : epoch == 2 ? "]"
                          : "");
    mm_clean(out);
}

/* The message's parameters for its note: the summary without what the arrow already says. */
static const char *details_of(const rec_event *e, const char *summary)
{
    if (e->type == REC_APPDATA)
        return "";
    if (strncmp(summary, "HelloRetryRequest, ", 19) == 0)
        return summary + 19;
    return summary;
}

static void epoch_update(epochs *ep, const rec_event *e, int tls12)
{
    if (is_ccs(e, tls12)) {
        if (client_to_server(e))
            ep->to_server = 1;
        else
            ep->to_client = 1;
        return;
    }
    if (e->type != TENON_TRACE_TRAFFIC_KEYS)
        return;
    int level = strstr(e->label, "application") != NULL ? 2
                : strstr(e->label, "handshake") != NULL ? 1
                                                        : 0;
    if (level == 0)
        return;
    if (strncmp(e->label, "client", 6) == 0)
        ep->to_server = level;
    else if (strncmp(e->label, "server", 6) == 0)
        ep->to_client = level;
}

/* With both sides recorded: whether the other side installed the same keys of this name
 * before; -1 when it has not (yet), 0 when they differ, 1 when identical. */
static int keys_agree(const recorder *r, size_t i, int conn)
{
    const rec_event *e = &r->ev[i];
    const char *name = strcmp(e->label, "key block") == 0 ? "client_write_key" : "key";
    for (size_t j = 0; j < i; j++) {
        const rec_event *o = &r->ev[j];
        if (!in_conn(o, conn) || o->type != TENON_TRACE_TRAFFIC_KEYS ||
            o->from_client == e->from_client || strcmp(o->label, e->label) != 0)
            continue;
        return rec_same(rec_val(o, name), rec_val(e, name));
    }
    return -1;
}

/* The line a side's computation adds to its lifeline, or "" for steps only the key-schedule
 * graph shows (HKDF-Expand-Label of keys and IVs, the "derived" steps, Finished MACs). */
static void step_line(const rec_event *e, char *line, size_t cap)
{
    line[0] = 0;
    const rec_value *o = rec_val(e, "out");
    char fp[9] = "";
    switch (e->type) {
    case TENON_TRACE_KEY_SHARE: {
        /* A hybrid: which half is which (the engine traces them beside the whole). */
        const tenon_kex_class *g = group_by_name(e->label);
        const tenon_kex_hybrid *h = g != NULL ? g->hybrid : NULL;
        if (h != NULL && rec_val(e, "ML-KEM ciphertext") != NULL)
            snprintf(line, cap, "%s: %s encapsulated to the client's ek, %s key share", e->label,
                     h->kem->name, h->ecdh->name);
        else if (h != NULL)
            snprintf(line, cap, "%s key share generated (%s ek + %s)", e->label, h->kem->name,
                     h->ecdh->name);
        else
            snprintf(line, cap, "%s key share generated", e->label);
        break;
    }
    case TENON_TRACE_SHARED_SECRET:
        o = rec_val(e, "value");
        if (o != NULL && o->data != NULL)
            fingerprint(fp, o->data, o->len);
        if (strncmp(e->label, "pre-master", 10) == 0)
            snprintf(line, cap, "pre_master_secret (RSA key transport)%s%s", fp[0] ? ", fp " : "",
                     fp);
        else
            snprintf(line, cap, "%s shared secret computed%s%s%s", e->label,
                     rec_val(e, "ML-KEM shared secret") != NULL
                         ? " (ML-KEM and ECDH secrets concatenated)"
                         : "",
                     fp[0] ? ", fp " : "", fp);
        break;
    case TENON_TRACE_PRF: {
        const char *what = strcmp(e->label, "extended master secret") == 0
                               ? "master_secret (extended, RFC 7627)"
                           : strcmp(e->label, "master secret") == 0 ? "master_secret"
                           : strcmp(e->label, "key expansion") == 0
                               ? "key_block, split into the write keys and IVs"
                               : NULL;
        if (what == NULL)
            break;
        if (o != NULL && o->data != NULL)
            fingerprint(fp, o->data, o->len);
        snprintf(line, cap, "%s%s%s", what, fp[0] ? ", fp " : "", fp);
        break;
    }
    case TENON_TRACE_HKDF_EXTRACT:
    case TENON_TRACE_DERIVE_SECRET:
        if (strcmp(e->label, "derived") == 0)
            break;
        if (o != NULL && o->data != NULL)
            fingerprint(fp, o->data, o->len);
        snprintf(line, cap, "%s%s%s", e->label, fp[0] ? ", fp " : "", fp);
        break;
    case TENON_TRACE_TRAFFIC_KEYS:
        if (strcmp(e->label, "key block") != 0)
            snprintf(line, cap, "%s keys installed (%s)", e->label, e->sent ? "write" : "read");
        break;
    case TENON_TRACE_NOTE:
        /* The engine's decisions (suite, group, resumption) and failures in words; a bare
         * name (a suite, a group) is the engine's choice. */
        snprintf(line, cap, "%s%s", strchr(e->label, ' ') == NULL ? "selected " : "", e->label);
        break;
    case TENON_TRACE_VERIFIED:
        snprintf(line, cap, "%s verified", e->label);
        break;
    case TENON_TRACE_HKDF_EXPAND_LABEL:
        if (strcmp(e->label, "resumption") == 0)
            snprintf(line, cap, "resumption PSK derived from the ticket");
        break;
    default:
        break;
    }
}

/* A fatal alert ends the diagram with a note saying where and why the handshake stopped. */
static void failure_mark(const seq_sink *k, const rec_event *alert, int complete)
{
    if (alert == NULL)
        return;
    char line[200];
    snprintf(line, sizeof line, "%s failed here: the %s sent the alert %s",
             complete ? "the connection" : "the handshake",
             client_to_server(alert) ? "client" : "server", alert->label);
    k->line(k->user, SEQ_FAIL, line);
}

/* The moment the second side installs keys the first already has: marked across both. */
static void agreement_mark(const recorder *r, size_t i, int conn, const seq_sink *k)
{
    const rec_event *e = &r->ev[i];
    int agree = r->both_sides ? keys_agree(r, i, conn) : -1;
    if (agree < 0)
        return;
    const rec_value *v =
        rec_val(e, strcmp(e->label, "key block") == 0 ? "client_write_key" : "key");
    char fp[9] = "", line[200];
    if (v != NULL && v->data != NULL)
        fingerprint(fp, v->data, v->len);
    snprintf(line, sizeof line, "%s both sides hold the same %s keys%s%s%s",
             agree ? "\xe2\x9c\x94" : "\xe2\x9c\x98 NOT:", e->label, fp[0] ? " (key fp " : "", fp,
             fp[0] ? ")" : "");
    k->line(k->user, agree ? SEQ_AGREE : SEQ_FAIL, line);
}

const char *seq_legend(const recorder *r, int conn)
{
    return rec_is_tls12(r, conn)
               ? "{...} = encrypted with the key_block's write keys (after ChangeCipherSpec)"
               : "{...} = encrypted with handshake traffic keys, [...] = encrypted with "
                 "application traffic keys";
}

void seq_walk(const recorder *r, int conn, const seq_sink *k)
{
    int tls12 = rec_is_tls12(r, conn);
    epochs ep = {0, 0};
    const rec_event *fatal = NULL;
    int complete = 0;
    for (size_t i = 0; i < r->n; i++) {
        const rec_event *e = &r->ev[i];
        if (!in_conn(e, conn))
            continue;
        char s[512], line[700];
        if (is_ccs(e, tls12)) {
            if (draw_message(r, e))
                k->message(k->user, client_to_server(e), "ChangeCipherSpec", "", 0);
            epoch_update(&ep, e, tls12);
            continue;
        }
        switch (e->type) {
        case TENON_TRACE_MESSAGE:
        case REC_APPDATA:
            if (!draw_message(r, e))
                break;
            summary_of(e, tls12, s, sizeof s);
            arrow_label(e, s, &ep, line, sizeof line);
            k->message(k->user, client_to_server(e), line, details_of(e, s), 0);
            break;
        case TENON_TRACE_ALERT:
            if (strcmp(e->label, "close_notify") != 0 && fatal == NULL)
                fatal = e;
            if (!draw_message(r, e))
                break;
            snprintf(line, sizeof line, "Alert: %s", e->label);
            k->message(k->user, client_to_server(e), line, "", 1);
            break;
        default:
            if (e->type == TENON_TRACE_NOTE && strncmp(e->label, "handshake complete", 18) == 0)
                complete = 1;
            epoch_update(&ep, e, tls12);
            step_line(e, line, sizeof line);
            if (line[0])
                k->line(k->user, e->from_client ? SEQ_C : SEQ_S, line);
            if (e->type == TENON_TRACE_TRAFFIC_KEYS)
                agreement_mark(r, i, conn, k);
            break;
        }
    }
    failure_mark(k, fatal, complete);
}

/* The Mermaid sink: notes gathered line by line, flushed by the next message. */
typedef struct mm_sink {
    FILE *f;
    note n;
} mm_sink;

static void mm_message(void *user, int to_server, const char *label, const char *details, int alert)
{
    mm_sink *m = user;
    char line[700];
    note_flush(m->f, &m->n);
    snprintf(line, sizeof line, "%s", label);
    mm_clean(line);
    fprintf(m->f, "    %s%s%s: %s\n", to_server ? "C" : "S", alert ? "-x" : "->>",
            to_server ? "S" : "C", line);
    if (details[0] != 0) {
        note_add(m->f, &m->n, SEQ_BOTH, details);
        note_flush(m->f, &m->n);
    }
}

static void mm_line(void *user, int who, const char *text)
{
    mm_sink *m = user;
    note_add(m->f, &m->n, who, text);
}

void render_mermaid(const recorder *r, int conn, const render_opts *ro)
{
    static mm_sink m; /* 3 KiB of note */
    memset(&m, 0, sizeof m);
    m.f = ro->out;
    seq_sink k = {mm_message, mm_line, &m};
    fprintf(m.f, "sequenceDiagram\n");
    fprintf(m.f, "    participant C as Client\n");
    fprintf(m.f, "    participant S as Server\n");
    note_add(m.f, &m.n, SEQ_BOTH, seq_legend(r, conn));
    note_flush(m.f, &m.n);
    seq_walk(r, conn, &k);
    note_flush(m.f, &m.n);
}
