/*
 * The flights and JSON renderings of a recorded trace (Mermaid: render_mermaid.c and
 * render_keysched.c); JSON is one object per event with stable field names
 * (docs/trace-json.md).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int in_conn(const rec_event *e, int conn)
{
    return conn == 0 || e->conn == conn;
}

/* With both sides recorded, a message is drawn once, from its sender's event. */
int draw_message(const recorder *r, const rec_event *e)
{
    return !r->both_sides || e->sent;
}

/* Whether the client sent it (a received event of the server is the client's message). */
int client_to_server(const rec_event *e)
{
    return e->from_client ? e->sent : !e->sent;
}

void summary_of(const rec_event *e, int tls12, char *out, size_t cap)
{
    out[0] = 0;
    if (e->type == TENON_TRACE_MESSAGE) {
        const rec_value *b = rec_val(e, "bytes");
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
int is_ccs(const rec_event *e, int tls12)
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
    case TRACE_KEYSCHED:
        render_keysched(r, conn, ro);
        break;
    default:
        break;
    }
    if (r->failed)
        fprintf(ro->out, "%s(the trace is incomplete: out of memory)\n",
                fmt == TRACE_JSON ? "// " : "");
}
