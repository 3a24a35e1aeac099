/*
 * `tenon render`: a trace saved with `--trace json` read back into a recorder and drawn in
 * any format, so that a picture can be made later, elsewhere, or from an edited trace (a test
 * drops an event and sees its node go). The reader knows only the JSON the tool writes
 * (docs/trace-json.md): one object per line, string, number, boolean and array values; it
 * refuses anything else with the line number.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct jr {
    const char *p;
    int bad;
} jr;

static void ws(jr *j)
{
    while (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n')
        j->p++;
}

static int eat(jr *j, char c)
{
    ws(j);
    if (*j->p != c)
        return 0;
    j->p++;
    return 1;
}

/* A string into out (cap bytes); \uXXXX escapes below 0x100 only, as render_json writes. */
static void str(jr *j, char *out, size_t cap)
{
    size_t n = 0;
    if (!eat(j, '"')) {
        j->bad = 1;
        return;
    }
    while (*j->p && *j->p != '"') {
        char c = *j->p++;
        if (c == '\\') {
            c = *j->p++;
            if (c == 'u') {
                unsigned v = 0;
                for (int k = 0; k < 4 && *j->p; k++, j->p++) {
                    char h = *j->p;
                    v = v * 16 + (unsigned)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
                }
                c = (char)(v & 0xff);
            } else if (c == 'n') {
                c = '\n';
            } else if (c == 0) {
                break;
            }
        }
        if (n + 1 < cap)
            out[n++] = c;
    }
    out[n] = 0;
    if (!eat(j, '"'))
        j->bad = 1;
}

static long num(jr *j)
{
    ws(j);
    char *end;
    long v = strtol(j->p, &end, 10);
    if (end == j->p)
        j->bad = 1;
    j->p = end;
    return v;
}

static int boolean(jr *j)
{
    ws(j);
    if (strncmp(j->p, "true", 4) == 0) {
        j->p += 4;
        return 1;
    }
    if (strncmp(j->p, "false", 5) == 0) {
        j->p += 5;
        return 0;
    }
    j->bad = 1;
    return 0;
}

static int type_of(const char *name)
{
    if (strcmp(name, "application-data") == 0)
        return REC_APPDATA;
    for (int t = 0; t < 64; t++) {
        const char *n = tenon_trace_type_name((tenon_trace_type)t);
        if (n != NULL && strcmp(n, name) == 0)
            return t;
    }
    return -1;
}

static int unhex(uint8_t *out, const char *hex, size_t len)
{
    if (strlen(hex) != 2 * len)
        return -1;
    for (size_t i = 0; i < len; i++) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            char h = hex[2 * i + (size_t)k];
            if (h >= '0' && h <= '9')
                v = v * 16 + (unsigned)(h - '0');
            else if ((h | 0x20) >= 'a' && (h | 0x20) <= 'f')
                v = v * 16 + (unsigned)((h | 0x20) - 'a' + 10);
            else
                return -1;
        }
        out[i] = (uint8_t)v;
    }
    return 0;
}

/* One value object into the event's next slot (the hex, when present, becomes its data). */
static void value(jr *j, tenon_trace_value *v, char *name, size_t name_cap, uint8_t **data,
                  char *hex, size_t hex_cap)
{
    hex[0] = 0;
    v->len = 0;
    v->secret = 0;
    if (!eat(j, '{')) {
        j->bad = 1;
        return;
    }
    do {
        char key[32];
        str(j, key, sizeof key);
        if (!eat(j, ':'))
            j->bad = 1;
        if (j->bad)
            return;
        if (strcmp(key, "name") == 0)
            str(j, name, name_cap);
        else if (strcmp(key, "length") == 0)
            v->len = (size_t)num(j);
        else if (strcmp(key, "secret") == 0)
            v->secret = boolean(j);
        else if (strcmp(key, "hidden") == 0)
            boolean(j);
        else if (strcmp(key, "hex") == 0)
            str(j, hex, hex_cap);
        else {
            char skip[16]; /* "fingerprint": made again from the hex, when there is one */
            str(j, skip, sizeof skip);
        }
    } while (!j->bad && eat(j, ','));
    if (!eat(j, '}'))
        j->bad = 1;
    v->name = name;
    *data = NULL;
    if (!j->bad && hex[0] != 0 && v->len < 1 << 20) {
        *data = malloc(v->len ? v->len : 1);
        if (*data == NULL || unhex(*data, hex, v->len) != 0)
            j->bad = 1;
    }
    v->data = *data;
}

/* Parses one line into ev (names and data in the caller's buffers) and feeds the recorder. */
static int load_line(recorder *r, const char *line, char *hex, size_t hex_cap, int *sides)
{
    jr j = {line, 0};
    tenon_trace_event ev;
    tenon_trace_value vals[REC_MAX_VALUES];
    char names[REC_MAX_VALUES][64], label[256] = "", side[16] = "", type[32] = "", dir[16] = "";
    uint8_t *data[REC_MAX_VALUES] = {0};
    long conn = 1;
    memset(&ev, 0, sizeof ev);
    if (!eat(&j, '{'))
        return -1;
    do {
        char key[32];
        str(&j, key, sizeof key);
        if (!eat(&j, ':') || j.bad)
            break;
        if (strcmp(key, "conn") == 0)
            conn = num(&j);
        else if (strcmp(key, "seq") == 0)
            num(&j);
        else if (strcmp(key, "side") == 0)
            str(&j, side, sizeof side);
        else if (strcmp(key, "type") == 0)
            str(&j, type, sizeof type);
        else if (strcmp(key, "direction") == 0)
            str(&j, dir, sizeof dir);
        else if (strcmp(key, "label") == 0)
            str(&j, label, sizeof label);
        else if (strcmp(key, "summary") == 0)
            str(&j, hex, hex_cap); /* made again from the bytes */
        else if (strcmp(key, "values") == 0) {
            if (!eat(&j, '['))
                j.bad = 1;
            ws(&j);
            while (!j.bad && *j.p != ']' && ev.nvalues < REC_MAX_VALUES) {
                value(&j, &vals[ev.nvalues], names[ev.nvalues], sizeof names[0], &data[ev.nvalues],
                      hex, hex_cap);
                ev.nvalues++;
                if (!eat(&j, ','))
                    break;
            }
            if (!eat(&j, ']'))
                j.bad = 1;
        } else
            j.bad = 1;
    } while (!j.bad && eat(&j, ','));
    if (!eat(&j, '}'))
        j.bad = 1;
    int t = type_of(type);
    int ok = !j.bad && t >= 0 && conn > 0 && conn < 1000;
    if (ok) {
        int client = strcmp(side, "client") == 0;
        int sent = strcmp(dir, "sent") == 0 || strcmp(dir, "write") == 0;
        *sides |= client ? 1 : 2;
        r->conn = (int)conn;
        if (t == REC_APPDATA) {
            rec_appdata(r, client, sent, ev.nvalues ? vals[0].len : 0);
        } else {
            ev.type = (tenon_trace_type)t;
            ev.from_client = client;
            ev.sent = sent;
            ev.label = label;
            ev.values = vals;
            rec_trace_fn(r, &ev);
        }
    }
    for (size_t i = 0; i < REC_MAX_VALUES; i++)
        if (data[i] != NULL) {
            tenon_wipe(data[i], vals[i].len);
            free(data[i]);
        }
    return ok ? 0 : -1;
}

int rec_load_json(recorder *r, FILE *in, const char *prog)
{
    size_t cap = 1 << 16;
    char *line = malloc(cap), *hex = malloc(cap);
    int sides = 0, rc = 0;
    long n = 0;
    if (line == NULL || hex == NULL)
        rc = -1;
    while (rc == 0 && fgets(line, (int)cap, in) != NULL) {
        n++;
        if (strchr(line, '\n') == NULL && !feof(in)) {
            fprintf(stderr, "%s: line %ld is longer than %zu bytes\n", prog, n, cap);
            rc = -1;
        } else if (line[0] == '{' && load_line(r, line, hex, cap, &sides) != 0) {
            fprintf(stderr, "%s: line %ld is not an event of `--trace json`\n", prog, n);
            rc = -1;
        }
    }
    r->both_sides = sides == 3;
    if (line != NULL)
        tenon_wipe(line, cap);
    if (hex != NULL)
        tenon_wipe(hex, cap);
    free(line);
    free(hex);
    return rc;
}

int cmd_render(int argc, char **argv)
{
    const char *prog = "tenon render";
    trace_format fmt = TRACE_NONE;
    render_opts ro = {stdout, 0};
    long only = 0;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--show-secrets") == 0)
            ro.show_secrets = 1;
        else if (strcmp(a, "--conn") == 0 && i + 1 < argc)
            only = strtol(argv[++i], NULL, 10);
        else if (fmt == TRACE_NONE && strcmp(a, "tree") == 0)
            fmt = TRACE_TREE;
        else if (fmt == TRACE_NONE && strcmp(a, "mermaid") == 0)
            fmt = TRACE_MERMAID;
        else if (fmt == TRACE_NONE && strcmp(a, "keysched") == 0)
            fmt = TRACE_KEYSCHED;
        else if (fmt == TRACE_NONE && strcmp(a, "json") == 0)
            fmt = TRACE_JSON;
        else if (fmt == TRACE_NONE && strcmp(a, "html") == 0)
            fmt = TRACE_HTML;
        else if (a[0] != '-' && fmt != TRACE_NONE && path == NULL)
            path = a;
        else {
            fprintf(stderr, "%s: unexpected argument '%s' (see tenon render --help)\n", prog, a);
            return EXIT_USAGE;
        }
    }
    if (fmt == TRACE_NONE) {
        fprintf(stderr, "%s: which format? (tree, mermaid, keysched, html or json)\n", prog);
        return EXIT_USAGE;
    }
    FILE *in = path != NULL ? fopen(path, "r") : stdin;
    if (in == NULL) {
        fprintf(stderr, "%s: cannot read %s\n", prog, path);
        return EXIT_USAGE;
    }
    recorder r;
    rec_init(&r);
    int rc = rec_load_json(&r, in, prog);
    if (in != stdin)
        fclose(in);
    int last = r.n > 0 ? r.ev[r.n - 1].conn : 0;
    if (rc == 0 && (last == 0 || only > last || only < 0)) {
        fprintf(stderr, "%s: no events%s\n", prog, only > 0 ? " of that connection" : "");
        rc = -1;
    }
    if (rc == 0 && fmt == TRACE_HTML)
        render_html_begin(stdout, "tenon render: a saved trace.");
    for (int conn = only ? (int)only : 1; rc == 0 && conn <= (only ? only : last); conn++) {
        if (fmt == TRACE_HTML) {
            render_html_conn(&r, conn, conn > 1 ? "a later handshake" : "the first handshake", &ro);
            continue;
        }
        render(&r, conn, fmt, &ro);
        if (fmt == TRACE_MERMAID || fmt == TRACE_KEYSCHED)
            printf("%%%% connection %d\n\n", conn);
    }
    if (rc == 0 && fmt == TRACE_HTML)
        render_html_end(stdout);
    rec_free(&r);
    return rc == 0 ? 0 : EXIT_USAGE;
}
