/*
 * The flights, Mermaid and JSON renderings of a recorded trace. Mermaid draws the messages as
 * they crossed the wire with a note wherever a side derived or installed secrets, so the
 * diagram of RFC 8446 §2 is drawn from this connection rather than from the RFC; JSON is one
 * object per event with stable field names (docs/trace-json.md).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const rec_value *val(const rec_event *e, const char *name)
{
    for (size_t i = 0; i < e->nvalues; i++)
        if (strcmp(e->v[i].name, name) == 0)
            return &e->v[i];
    return NULL;
}

static int in_conn(const rec_event *e, int conn)
{
    return conn == 0 || e->conn == conn;
}

/* With both sides recorded, a message is drawn once, from its sender's event. */
static int draw_message(const recorder *r, const rec_event *e)
{
    return !r->both_sides || e->sent;
}

/* Whether the client sent it (a received event of the server is the client's message). */
static int client_to_server(const rec_event *e)
{
    return e->from_client ? e->sent : !e->sent;
}

static void summary_of(const rec_event *e, int tls12, char *out, size_t cap)
{
    out[0] = 0;
    if (e->type == TENON_TRACE_MESSAGE) {
        const rec_value *b = val(e, "bytes");
        if (b != NULL && b->data != NULL)
            msg_summary(e->label, b->data, b->len, tls12, out, cap);
    } else if (e->type == REC_APPDATA && tls12) {
        snprintf(out, cap, "%zu bytes, protected with the %s_write_key", e->v[0].len,
                 client_to_server(e) ? "client" : "server");
    } else if (e->type == REC_APPDATA) {
        snprintf(out, cap, "%zu bytes, AEAD-protected with the %s application traffic key",
                 e->v[0].len, client_to_server(e) ? "client" : "server");
    }
}

/* TLS 1.2's ChangeCipherSpec is a record of its own, not a handshake message, but it is part
 * of the flights: the sender's write keys start after it (RFC 5246 §7.1). In TLS 1.3 it is
 * only the middlebox-compatibility dummy (RFC 8446 §D.4) and is left out. */
static int is_ccs(const rec_event *e, int tls12)
{
    return tls12 && e->type == TENON_TRACE_RECORD && strcmp(e->label, "change_cipher_spec") == 0;
}

void render_flights(const recorder *r, int conn, const render_opts *ro)
{
    FILE *f = ro->out;
    fprintf(f, "Flights:\n");
    int tls12 = rec_is_tls12(r, conn);
    for (size_t i = 0; i < r->n; i++) {
        const rec_event *e = &r->ev[i];
        if (!in_conn(e, conn))
            continue;
        char s[512];
        if (is_ccs(e, tls12)) {
            if (!draw_message(r, e))
                continue;
            fprintf(f, "  %s  %-20s the %s's write keys are used from here\n",
                    client_to_server(e) ? "client -> server" : "server -> client",
                    "ChangeCipherSpec", client_to_server(e) ? "client" : "server");
        } else if (e->type == TENON_TRACE_MESSAGE || e->type == REC_APPDATA) {
            if (!draw_message(r, e))
                continue;
            summary_of(e, tls12, s, sizeof s);
            fprintf(f, "  %s  %-20s %s\n",
                    client_to_server(e) ? "client -> server" : "server -> client",
                    e->type == REC_APPDATA ? "[application data]" : e->label, s);
        } else if (e->type == TENON_TRACE_ALERT) {
            if (!draw_message(r, e))
                continue;
            fprintf(f, "  %s  %-20s %s\n",
                    client_to_server(e) ? "client -> server" : "server -> client", "Alert",
                    e->label);
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Mermaid                                                                                     */

/* Mermaid reads ';' as a statement end and '#' as an entity start in older versions, and
 * angle brackets as HTML: they are replaced so that any label is one well-formed line. */
static void mm_clean(char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case ';':
            *s = ',';
            break;
        case '#':
            *s = ' ';
            break;
        case '<':
            *s = '(';
            break;
        case '>':
            *s = ')';
            break;
        case '\n':
        case '\r':
        case '\t':
            *s = ' ';
            break;
        default:
            break;
        }
    }
}

typedef struct note {
    char text[1024];
    size_t len;
    int client;
    int open;
} note;

static void note_flush(FILE *f, note *n)
{
    if (!n->open)
        return;
    fprintf(f, "    Note over %s: %s\n", n->client ? "C" : "S", n->text);
    n->open = 0;
    n->len = 0;
    n->text[0] = 0;
}

/* Consecutive steps of one side become one note (the lines joined by <br/>, which Mermaid
 * renders as line breaks and which mm_clean is not applied to). */
static void note_add(FILE *f, note *n, int client, const char *text)
{
    if (n->open && n->client != client)
        note_flush(f, n);
    char clean[256];
    snprintf(clean, sizeof clean, "%s", text);
    mm_clean(clean);
    if (n->open && n->len + strlen(clean) + 8 >= sizeof n->text)
        note_flush(f, n);
    int w =
        snprintf(n->text + n->len, sizeof n->text - n->len, "%s%s", n->open ? "<br/>" : "", clean);
    if (w > 0)
        n->len += (size_t)w;
    if (n->len >= sizeof n->text)
        n->len = sizeof n->text - 1;
    n->open = 1;
    n->client = client;
}

void render_mermaid(const recorder *r, int conn, const render_opts *ro)
{
    FILE *f = ro->out;
    note n = {{0}, 0, 0, 0};
    fprintf(f, "sequenceDiagram\n");
    fprintf(f, "    participant C as Client\n");
    fprintf(f, "    participant S as Server\n");
    int tls12 = rec_is_tls12(r, conn);
    for (size_t i = 0; i < r->n; i++) {
        const rec_event *e = &r->ev[i];
        if (!in_conn(e, conn))
            continue;
        char s[512], line[700];
        if (is_ccs(e, tls12)) {
            if (draw_message(r, e)) {
                note_flush(f, &n);
                fprintf(f, "    %s->>%s: ChangeCipherSpec\n", client_to_server(e) ? "C" : "S",
                        client_to_server(e) ? "S" : "C");
            }
            continue;
        }
        switch (e->type) {
        case TENON_TRACE_MESSAGE:
        case REC_APPDATA:
            if (!draw_message(r, e))
                break;
            note_flush(f, &n);
            summary_of(e, tls12, s, sizeof s);
            snprintf(line, sizeof line, "%s%s%s",
                     e->type == REC_APPDATA ? "application data" : e->label, s[0] ? ": " : "", s);
            mm_clean(line);
            fprintf(f, "    %s->>%s: %s\n", client_to_server(e) ? "C" : "S",
                    client_to_server(e) ? "S" : "C", line);
            break;
        case TENON_TRACE_ALERT:
            if (!draw_message(r, e))
                break;
            note_flush(f, &n);
            snprintf(line, sizeof line, "Alert %s", e->label);
            mm_clean(line);
            fprintf(f, "    %s-x%s: %s\n", client_to_server(e) ? "C" : "S",
                    client_to_server(e) ? "S" : "C", line);
            break;
        case TENON_TRACE_KEY_SHARE: {
            /* A hybrid: which half is which (the engine traces them beside the whole). */
            const tenon_kex_class *g = group_by_name(e->label);
            const tenon_kex_hybrid *h = g != NULL ? g->hybrid : NULL;
            if (h != NULL && val(e, "ML-KEM ciphertext") != NULL)
                snprintf(line, sizeof line, "%s: %s encapsulated to the client's ek, %s key share",
                         e->label, h->kem->name, h->ecdh->name);
            else if (h != NULL)
                snprintf(line, sizeof line, "%s key share generated (%s ek + %s)", e->label,
                         h->kem->name, h->ecdh->name);
            else
                snprintf(line, sizeof line, "%s key share generated", e->label);
            note_add(f, &n, e->from_client, line);
            break;
        }
        case TENON_TRACE_SHARED_SECRET:
            if (strncmp(e->label, "pre-master", 10) == 0)
                snprintf(line, sizeof line, "pre_master_secret chosen (RSA key transport)");
            else if (val(e, "ML-KEM shared secret") != NULL)
                snprintf(line, sizeof line,
                         "%s shared secret computed (ML-KEM and ECDH secrets "
                         "concatenated)",
                         e->label);
            else
                snprintf(line, sizeof line, "%s shared secret computed", e->label);
            note_add(f, &n, e->from_client, line);
            break;
        case TENON_TRACE_PRF: {
            /* TLS 1.2: the master secret and key_block; Finished shows as "verified". */
            const rec_value *o = val(e, "out");
            char fp[9] = "";
            if (o != NULL && o->data != NULL)
                fingerprint(fp, o->data, o->len);
            const char *what = strcmp(e->label, "extended master secret") == 0
                                   ? "master_secret (extended, RFC 7627)"
                               : strcmp(e->label, "master secret") == 0 ? "master_secret"
                               : strcmp(e->label, "key expansion") == 0
                                   ? "key_block, split into the write keys and IVs"
                                   : NULL;
            if (what == NULL)
                break;
            snprintf(line, sizeof line, "%s%s%s%s", what, fp[0] ? " (fp " : "", fp,
                     fp[0] ? ")" : "");
            note_add(f, &n, e->from_client, line);
            break;
        }
        case TENON_TRACE_HKDF_EXTRACT:
        case TENON_TRACE_DERIVE_SECRET:
            if (strcmp(e->label, "derived") == 0)
                break;
            {
                const rec_value *o = val(e, "out");
                char fp[9] = "";
                if (o != NULL && o->data != NULL)
                    fingerprint(fp, o->data, o->len);
                snprintf(line, sizeof line, "%s%s%s%s", e->label, fp[0] ? " (fp " : "", fp,
                         fp[0] ? ")" : "");
                note_add(f, &n, e->from_client, line);
            }
            break;
        case TENON_TRACE_TRAFFIC_KEYS:
            if (strcmp(e->label, "key block") == 0)
                break; /* the key_block note says it */
            snprintf(line, sizeof line, "%s keys installed (%s)", e->label,
                     e->sent ? "write" : "read");
            note_add(f, &n, e->from_client, line);
            break;
        case TENON_TRACE_NOTE:
            /* The engine's decisions (suite, group, resumption) and failures in words. */
            /* A bare name (a suite, a group) is the engine's choice. */
            if (strchr(e->label, ' ') == NULL) {
                snprintf(line, sizeof line, "selected %s", e->label);
                note_add(f, &n, e->from_client, line);
            } else {
                note_add(f, &n, e->from_client, e->label);
            }
            break;
        case TENON_TRACE_VERIFIED:
            snprintf(line, sizeof line, "%s verified", e->label);
            note_add(f, &n, e->from_client, line);
            break;
        case TENON_TRACE_HKDF_EXPAND_LABEL:
            if (strcmp(e->label, "resumption") == 0) {
                note_add(f, &n, e->from_client, "resumption PSK derived from the ticket");
            }
            break;
        default:
            break;
        }
    }
    note_flush(f, &n);
}

/* ------------------------------------------------------------------------------------------ */
/* JSON                                                                                        */

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static const char *type_name(int type)
{
    if (type == REC_APPDATA)
        return "application-data";
    return tenon_trace_type_name((tenon_trace_type)type);
}

void render_json(const recorder *r, int conn, const render_opts *ro)
{
    FILE *f = ro->out;
    size_t seq = 0;
    int seq_conn = -1;
    for (size_t i = 0; i < r->n; i++) {
        const rec_event *e = &r->ev[i];
        if (!in_conn(e, conn))
            continue;
        /* seq counts within a connection: events are recorded one connection after another. */
        if (e->conn != seq_conn) {
            seq_conn = e->conn;
            seq = 0;
        }
        fprintf(f, "{\"conn\":%d,\"seq\":%zu,\"side\":\"%s\",\"type\":", e->conn, seq++,
                e->from_client ? "client" : "server");
        json_str(f, type_name(e->type));
        if (e->type == TENON_TRACE_MESSAGE || e->type == TENON_TRACE_ALERT ||
            e->type == TENON_TRACE_RECORD || e->type == REC_APPDATA)
            fprintf(f, ",\"direction\":\"%s\"", e->sent ? "sent" : "received");
        else if (e->type == TENON_TRACE_TRAFFIC_KEYS && strcmp(e->label, "key block") != 0)
            fprintf(f, ",\"direction\":\"%s\"", e->sent ? "write" : "read");
        fprintf(f, ",\"label\":");
        json_str(f, e->label);
        char s[512];
        summary_of(e, rec_is_tls12(r, e->conn), s, sizeof s);
        if (s[0] != 0) {
            fprintf(f, ",\"summary\":");
            json_str(f, s);
        }
        fprintf(f, ",\"values\":[");
        for (size_t k = 0; k < e->nvalues; k++) {
            const rec_value *v = &e->v[k];
            fprintf(f, "%s{\"name\":", k ? "," : "");
            json_str(f, v->name);
            fprintf(f, ",\"length\":%zu,\"secret\":%s", v->len, v->secret ? "true" : "false");
            if (e->type == REC_APPDATA) {
                /* only the length is known */
            } else if (v->data == NULL) {
                fprintf(f, ",\"hidden\":true");
            } else {
                if (v->secret) {
                    char fp[9];
                    fingerprint(fp, v->data, v->len);
                    fprintf(f, ",\"fingerprint\":\"%s\"", fp);
                }
                if (!v->secret || ro->show_secrets) {
                    char *h = malloc(2 * v->len + 1);
                    if (h != NULL) {
                        hex_encode(h, v->data, v->len);
                        fprintf(f, ",\"hex\":\"%s\"", h);
                        free(h);
                    }
                }
            }
            fputc('}', f);
        }
        fprintf(f, "]}\n");
    }
}

void render(const recorder *r, int conn, trace_format fmt, const render_opts *ro)
{
    switch (fmt) {
    case TRACE_TREE:
        render_flights(r, conn, ro);
        fputc('\n', ro->out);
        render_tree(r, conn, ro);
        break;
    case TRACE_MERMAID:
        render_mermaid(r, conn, ro);
        break;
    case TRACE_JSON:
        render_json(r, conn, ro);
        break;
    default:
        break;
    }
    if (r->failed)
        fprintf(ro->out, "%s(the trace is incomplete: out of memory)\n",
                fmt == TRACE_JSON ? "// " : "");
}
