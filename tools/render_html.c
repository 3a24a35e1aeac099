/*
 * The HTML report: one self-contained file (inline CSS and SVG, no script, no font, no image,
 * nothing fetched) that opens offline in any browser. Per connection: the sequence diagram
 * (seq_walk, the same steps the Mermaid diagram shows) and the key-schedule graph (ks_build)
 * drawn as SVG here, the flights table and the secrets table.
 *
 * The drawings use a monospace font so that text widths are known without a browser: 0.6 em
 * per character. Nothing is scaled: text is drawn at 12 px and more, and each drawing is at
 * most 1,360 px wide, so the page fits a 1,400 px window.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define PAGE_W 1360
#define CH(px) ((double)(px)*0.6) /* the advance of one monospace character */

static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '&')
            fputs("&amp;", f);
        else if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '>')
            fputs("&gt;", f);
        else if (*s == '"')
            fputs("&quot;", f);
        else
            fputc(*s, f);
    }
}

/* Lines of text (separated by '\n') as <text> elements, centred on x, from baseline y. */
static void svg_lines(FILE *f, double x, double y, int px, const char *cls, const char *text)
{
    double line_h = px + 4;
    const char *p = text;
    for (int k = 0; *p; k++) {
        size_t n = strcspn(p, "\n");
        char buf[512];
        snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf ? n : sizeof buf - 1), p);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"%s\">", x, y + k * line_h, cls);
        esc(f, buf);
        fputs("</text>\n", f);
        p += n;
        if (*p == '\n')
            p++;
    }
}

static size_t count_lines(const char *text, size_t *longest)
{
    size_t n = 0, len = 0;
    *longest = 0;
    for (const char *p = text;; p++) {
        if (*p == '\n' || *p == 0) {
            if (len > *longest)
                *longest = len;
            n++;
            len = 0;
            if (*p == 0)
                break;
        } else if (((unsigned char)*p & 0xc0) != 0x80) {
            len++; /* a UTF-8 character counts once */
        }
    }
    return n;
}

/* ------------------------------------------------------------------------------------------ */
/* The sequence diagram: rows gathered from seq_walk, then drawn.                              */

#define SEQ_X_C 250.0
#define SEQ_X_S 750.0
#define SEQ_W 1000

typedef struct seq_row {
    int message; /* else a note */
    int who, to_server, alert;
    char label[200];
    char text[3072]; /* a note's lines, or a message's details, '\n'-separated */
    size_t len;
} seq_row;

typedef struct html_seq {
    seq_row *rows;
    size_t n, cap;
} html_seq;

static seq_row *new_row(html_seq *h)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 64;
        seq_row *rows = realloc(h->rows, cap * sizeof *rows);
        if (rows == NULL)
            return NULL;
        h->rows = rows;
        h->cap = cap;
    }
    seq_row *r = &h->rows[h->n++];
    memset(r, 0, sizeof *r);
    return r;
}

static void hs_message(void *user, int to_server, const char *label, const char *details, int alert)
{
    html_seq *h = user;
    seq_row *r = new_row(h);
    if (r == NULL)
        return;
    r->message = 1;
    r->to_server = to_server;
    r->alert = alert && strstr(label, "close_notify") == NULL; /* red: a failure */
    snprintf(r->label, sizeof r->label, "%s", label);
    text_wrap(r->text, sizeof r->text, &r->len, details, 64, "\n");
}

static void hs_line(void *user, int who, const char *text)
{
    html_seq *h = user;
    seq_row *r = h->n > 0 ? &h->rows[h->n - 1] : NULL;
    if (r == NULL || r->message || r->who != who || r->len + strlen(text) + 8 >= sizeof r->text) {
        r = new_row(h);
        if (r == NULL)
            return;
        r->who = who;
    }
    text_wrap(r->text, sizeof r->text, &r->len, text, who <= SEQ_S ? 58 : 96, "\n");
}

static double row_height(const seq_row *r)
{
    size_t longest, n = r->len ? count_lines(r->text, &longest) : 0;
    if (r->message)
        return 34 + (n ? (double)n * 16.0 + 6 : 0);
    return (double)n * 17.0 + 22;
}

static void draw_row(FILE *f, const seq_row *r, double y)
{
    size_t longest, n = count_lines(r->text, &longest);
    if (r->message) {
        double x1 = r->to_server ? SEQ_X_C : SEQ_X_S, x2 = r->to_server ? SEQ_X_S : SEQ_X_C;
        double dir = r->to_server ? 1 : -1;
        fprintf(f, "<text x=\"500\" y=\"%.1f\" class=\"msg%s\">", y + 14, r->alert ? " bad" : "");
        esc(f, r->label);
        fputs("</text>\n", f);
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"arrow%s\"/>"
                "<path d=\"M%.1f %.1f l%.1f -5 l0 10 z\" class=\"head%s\"/>\n",
                x1, y + 22, x2 - dir * 10, y + 22, r->alert ? " bad" : "", x2, y + 22, -dir * 10,
                r->alert ? " bad" : "");
        if (r->len)
            svg_lines(f, 500, y + 40, 12, "detail", r->text);
        return;
    }
    double h = (double)n * 17.0 + 12, x, w;
    if (r->who <= SEQ_S) {
        w = CH(13) * (double)longest + 20;
        x = (r->who == SEQ_C ? SEQ_X_C : SEQ_X_S) - w / 2;
        if (x < 4)
            x = 4;
        if (x + w > SEQ_W - 4)
            x = SEQ_W - 4 - w;
    } else {
        w = CH(13) * (double)longest + 30;
        x = 500 - w / 2;
    }
    static const char *const cls[] = {"client", "server", "both", "agree", "fail"};
    fprintf(f,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"5\" class=\"%s\"/>\n",
            x, y + 4, w, h, cls[r->who]);
    svg_lines(f, x + w / 2, y + 20, 13, "note", r->text);
}

static void seq_svg(FILE *f, const html_seq *h)
{
    double height = 60;
    for (size_t i = 0; i < h->n; i++)
        height += row_height(&h->rows[i]);
    height += 50;
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"seq\" width=\"%d\" "
            "height=\"%.0f\" viewBox=\"0 0 %d %.0f\" role=\"img\">\n",
            SEQ_W, height, SEQ_W, height);
    for (int side = 0; side < 2; side++) {
        double x = side ? SEQ_X_S : SEQ_X_C;
        fprintf(f, "<line x1=\"%.1f\" y1=\"40\" x2=\"%.1f\" y2=\"%.0f\" class=\"life\"/>\n", x, x,
                height - 10);
        fprintf(f,
                "<rect x=\"%.1f\" y=\"6\" width=\"120\" height=\"34\" rx=\"6\" class=\"actor\"/>"
                "<text x=\"%.1f\" y=\"29\" class=\"actor\">%s</text>\n",
                x - 60, x, side ? "Server" : "Client");
    }
    double y = 48;
    for (size_t i = 0; i < h->n; i++) {
        draw_row(f, &h->rows[i], y);
        y += row_height(&h->rows[i]);
    }
    fputs("</svg>\n", f);
}

/* ------------------------------------------------------------------------------------------ */
/* The key-schedule graph: ranks from ks_build, packed into rows of at most PAGE_W.            */

typedef struct ks_box {
    char text[600]; /* operation, name, use, value, agreement: '\n'-separated */
    size_t ops;     /* lines of the operation (drawn in grey) */
    size_t names;   /* then lines of the name (bold) */
    double x, y, h;
} ks_box;

static void box_text(const ks_graph *g, size_t i, int show, ks_box *b)
{
    const ks_node *n = &g->n[i];
    size_t len = 0;
    b->text[0] = 0;
    const char *op = NULL;
    for (size_t k = 0; k < g->ne && op == NULL; k++)
        if (g->e[k].to == (int)i)
            op = g->e[k].label;
    if (op != NULL) {
        char buf[128];
        snprintf(buf, sizeof buf, "%s", op);
        char *colon = strstr(buf, ": ");
        if (strncmp(buf, "HKDF-Extract", 12) == 0 && colon != NULL)
            snprintf(buf, sizeof buf, "HKDF-Extract(salt, IKM)");
        text_wrap(b->text, sizeof b->text, &len, buf, 27, "\n");
    }
    size_t dummy;
    b->ops = len ? count_lines(b->text, &dummy) : 0;
    /* The name (bold), wrapped like the rest to the box's 27 characters. */
    text_wrap(b->text, sizeof b->text, &len, n->name, 27, "\n");
    b->names = count_lines(b->text, &dummy) - b->ops;
    char more[480];
    ks_value_text(n, show, more, sizeof more);
    if (n->use[0]) {
        char use[64];
        snprintf(use, sizeof use, "(%s)", n->use);
        text_wrap(b->text, sizeof b->text, &len, use, 27, "\n");
    }
    snprintf(b->text + len, sizeof b->text - len, "\n%s\n%s", more, ks_agreement(g, n));
}

/* Places the nodes rank by rank, each rank's in the order of key, in rows of per_row centred
 * on the page; returns the height used. */
static double place_rows(const ks_graph *g, ks_box *box, const double *key, int max_rank, double bw,
                         double gap, double vgap, size_t per_row)
{
    double y = 10;
    for (int rank = 0; rank <= max_rank; rank++) {
        size_t idx[KS_MAX_NODES], m = 0;
        for (size_t i = 0; i < g->nn; i++)
            if (g->n[i].rank == rank) {
                size_t at = m++;
                while (at > 0 && key[idx[at - 1]] > key[i]) {
                    idx[at] = idx[at - 1];
                    at--;
                }
                idx[at] = i;
            }
        for (size_t start = 0; start < m; start += per_row) {
            size_t cnt = m - start < per_row ? m - start : per_row;
            double row_w = (double)cnt * bw + (double)(cnt - 1) * gap, h = 0;
            for (size_t k = 0; k < cnt; k++) {
                ks_box *b = &box[idx[start + k]];
                b->x = (PAGE_W - row_w) / 2 + (double)k * (bw + gap);
                b->y = y;
                if (b->h > h)
                    h = b->h;
            }
            y += h + vgap;
        }
    }
    return y;
}

static void ks_svg(FILE *f, const ks_graph *g, int show)
{
    static ks_box box[KS_MAX_NODES];
    const double bw = show ? 250 : 212, gap = 12, vgap = 34;
    size_t per_row = (size_t)((PAGE_W + gap) / (bw + gap));
    int max_rank = 0;
    for (size_t i = 0; i < g->nn; i++) {
        box_text(g, i, show, &box[i]);
        size_t longest;
        box[i].h = (double)count_lines(box[i].text, &longest) * 15 + 12;
        if (g->n[i].rank > max_rank)
            max_rank = g->n[i].rank;
    }
    /* Row by row; within a rank, first in the order the values were derived, then twice more
     * under the mean x of each node's inputs (of its outputs, for an input), which keeps
     * edges short and mostly uncrossed. */
    double key[KS_MAX_NODES], y = 0;
    for (size_t i = 0; i < g->nn; i++)
        key[i] = (double)i;
    for (int pass = 0; pass < 3; pass++) {
        y = place_rows(g, box, key, max_rank, bw, gap, vgap, per_row);
        for (size_t i = 0; i < g->nn; i++) {
            double in = 0, out = 0;
            size_t nin = 0, nout = 0;
            for (size_t k = 0; k < g->ne; k++) {
                if (g->e[k].to == (int)i) {
                    in += box[g->e[k].from].x;
                    nin++;
                } else if (g->e[k].from == (int)i) {
                    out += box[g->e[k].to].x;
                    nout++;
                }
            }
            key[i] = nin ? in / (double)nin : nout ? out / (double)nout : box[i].x;
        }
    }
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ks\" width=\"%d\" "
            "height=\"%.0f\" viewBox=\"0 0 %d %.0f\" role=\"img\">\n"
            "<defs><marker id=\"tip\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
            "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0 0 L10 5 L0 10 z\" "
            "class=\"tip\"/></marker></defs>\n",
            PAGE_W, y, PAGE_W, y);
    for (size_t k = 0; k < g->ne; k++) {
        const ks_box *a = &box[g->e[k].from], *b = &box[g->e[k].to];
        double x1 = a->x + bw / 2, y1 = a->y + a->h, x2 = b->x + bw / 2, y2 = b->y;
        fprintf(f,
                "<path d=\"M%.1f %.1f C%.1f %.1f %.1f %.1f %.1f %.1f\" class=\"edge\" "
                "marker-end=\"url(#tip)\"><title>",
                x1, y1, x1, y1 + vgap, x2, y2 - vgap, x2, y2);
        esc(f, g->e[k].label);
        fputs("</title></path>\n", f);
    }
    static const char *const kind[] = {"input", "shared", "secret", "key"};
    for (size_t i = 0; i < g->nn; i++) {
        const ks_node *n = &g->n[i];
        const ks_box *b = &box[i];
        int differ = g->both_sides && !(n->by_client && n->by_server);
        fprintf(f,
                "<g class=\"node %s\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.0f\" height=\"%.0f\" "
                "rx=\"6\"/>\n",
                differ ? "differ" : kind[n->kind], b->x, b->y, bw, b->h);
        /* The operation in grey, then the name in bold, then the rest. */
        const char *p = b->text;
        for (size_t line = 0; *p; line++) {
            size_t len = strcspn(p, "\n");
            char buf[160];
            snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf ? len : sizeof buf - 1), p);
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"%s\">", b->x + bw / 2,
                    b->y + 17 + (double)line * 15,
                    line < b->ops              ? "op"
                    : line < b->ops + b->names ? "name"
                                               : "val");
            esc(f, buf);
            fputs("</text>\n", f);
            p += len;
            if (*p == '\n')
                p++;
        }
        fputs("</g>\n", f);
    }
    fputs("</svg>\n", f);
}

/* ------------------------------------------------------------------------------------------ */
/* Tables and the page.                                                                        */

static void flights_table(FILE *f, const html_seq *h)
{
    fputs("<table class=\"flights\"><tr><th>#</th><th>direction</th><th>message</th>"
          "<th>details</th></tr>\n",
          f);
    size_t k = 0;
    for (size_t i = 0; i < h->n; i++) {
        const seq_row *r = &h->rows[i];
        if (!r->message)
            continue;
        fprintf(f, "<tr%s><td>%zu</td><td>%s</td><td>", r->alert ? " class=\"bad\"" : "", ++k,
                r->to_server ? "client &#8594; server" : "client &#8592; server");
        esc(f, r->label);
        fputs("</td><td>", f);
        char details[sizeof r->text];
        snprintf(details, sizeof details, "%s", r->text);
        for (char *p = details; *p; p++)
            if (*p == '\n')
                *p = ' ';
        esc(f, details);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

static void secrets_table(FILE *f, const ks_graph *g, int show, int has_client, int has_server)
{
    fprintf(f, "<table class=\"secrets\"><tr><th>secret</th>%s%s%s</tr>\n",
            has_client ? "<th>client</th>" : "", has_server ? "<th>server</th>" : "",
            has_client && has_server ? "<th>same?</th>" : "");
    for (size_t i = 0; i < g->nn; i++) {
        const ks_node *n = &g->n[i];
        if (n->v == NULL || !n->v->secret || n->v->len == 0)
            continue;
        char value[400];
        ks_value_text(n, show, value, sizeof value);
        for (char *p = value; *p; p++)
            if (*p == '\n')
                *p = ' ';
        fputs("<tr><td>", f);
        esc(f, n->name);
        if (n->use[0]) {
            fputs(" <small>(", f);
            esc(f, n->use);
            fputs(")</small>", f);
        }
        fputs("</td>", f);
        for (int side = 0; side < 2; side++) {
            if (side == 0 ? !has_client : !has_server)
                continue;
            int by = side == 0 ? n->by_client : n->by_server;
            fputs("<td class=\"v\">", f);
            esc(f, by ? value : "-");
            fputs("</td>", f);
        }
        if (has_client && has_server)
            fprintf(f, "<td class=\"%s\">%s</td>", n->by_client && n->by_server ? "ok" : "bad",
                    n->by_client && n->by_server ? "&#10004; same" : "&#10008; differ");
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

static const char CSS[] =
    "body{font:15px/1.45 system-ui,sans-serif;margin:10px auto;max-width:1370px;color:#111;"
    "padding:0 6px}\n"
    "h1{font-size:24px;margin:8px 0}h2{font-size:20px;margin:26px 0 6px;border-top:2px solid "
    "#ccd;padding-top:10px}h3{font-size:16px;margin:14px 0 4px}\n"
    "svg{display:block;max-width:none;margin:4px auto}svg text{font-family:'DejaVu Sans "
    "Mono',monospace;text-anchor:middle}\n"
    ".legend{color:#444}table{border-collapse:collapse;margin:4px 0;font-size:13px}"
    "td,th{border:1px solid #ccd;padding:2px 6px;text-align:left;vertical-align:top}"
    "th{background:#eef}td.v{font-family:monospace}td.ok{color:#060}td.bad,tr.bad td{color:#b00}"
    "\n"
    "text.msg{font-size:14px;font-weight:bold}text.detail{font-size:12px;fill:#555}"
    "text.note{font-size:13px}text.actor{font-size:15px;font-weight:bold}"
    "text.bad{fill:#b00}\n"
    "line.life{stroke:#999;stroke-width:1.5}rect.actor{fill:#eef;stroke:#557}"
    "line.arrow{stroke:#223;stroke-width:1.6}path.head{fill:#223}line.bad{stroke:#b00}"
    "path.head.bad{fill:#b00}\n"
    "rect.client{fill:#e4efff;stroke:#6b8fd6}rect.server{fill:#fff0dc;stroke:#d69a4b}"
    "rect.both{fill:#f4f4f4;stroke:#bbb}rect.agree{fill:#c8f0c8;stroke:#3a3}"
    "rect.fail{fill:#ffcdcd;stroke:#c33}\n"
    ".node rect{stroke-width:1.3}.input rect{fill:#eee;stroke:#777}.shared rect{fill:#ffe2b8;"
    "stroke:#b86e00}.secret rect{fill:#d9e6ff;stroke:#36c}.key rect{fill:#fff4a8;stroke:#a68a00}"
    ".differ rect{fill:#ffc4c4;stroke:#c00}\n"
    "span.k{padding:0 4px;border-radius:3px}span.client{background:#e4efff}span.server{"
    "background:#fff0dc}span.agree{background:#c8f0c8}span.fail{background:#ffcdcd}"
    "span.input{background:#eee}span.shared{background:#ffe2b8}span.secret{background:#d9e6ff}"
    "span.key{background:#fff4a8}\n"
    "text.op{font-size:12px;fill:#555;font-style:italic}text.name{font-size:12px;"
    "font-weight:bold}text.val{font-size:12px}path.edge{fill:none;stroke:#778;stroke-width:1.3}"
    "path.tip{fill:#778}\n";

void render_html_begin(FILE *f, const char *what)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<title>tenon: how client and server reach the same keys</title>\n<style>\n",
          f);
    fputs(CSS, f);
    fputs("</style></head><body>\n<h1>How client and server reach the same keys</h1>\n<p>", f);
    esc(f, what);
    fputs(" Drawn by tenon from the events of this run. Secrets appear as fingerprints (the "
          "first 4 bytes of SHA-256 of the value) unless --show-secrets was given.</p>\n",
          f);
}

void render_html_conn(const recorder *r, int conn, const char *title, const render_opts *ro)
{
    FILE *f = ro->out;
    html_seq h = {0};
    seq_sink k = {hs_message, hs_line, &h};
    seq_walk(r, conn, &k);
    static ks_graph g;
    ks_build(&g, r, conn);
    int has_client = 0, has_server = 0;
    for (size_t i = 0; i < r->n; i++)
        if (in_conn(&r->ev[i], conn)) {
            has_client |= r->ev[i].from_client;
            has_server |= !r->ev[i].from_client;
        }
    fprintf(f, "<section class=\"conn\" id=\"conn%d\">\n<h2>Connection %d: ", conn, conn);
    esc(f, title);
    fprintf(f, "</h2>\n<p class=\"legend\">%s. ",
            has_client && has_server ? "Both sides recorded"
            : has_client             ? "The client's side only"
                                     : "The server's side only");
    esc(f, seq_legend(r, conn));
    fputs(".</p>\n<h3>The handshake, step by step</h3>\n<p class=\"legend\">Arrows are the "
          "messages; <span class=\"k client\">blue</span> notes are what the client computed, "
          "<span class=\"k server\">orange</span> ones the server, in the order they did it; "
          "<span class=\"k agree\">green</span> marks the moment both sides hold the same "
          "keys, <span class=\"k fail\">red</span> where a connection failed.</p>\n",
          f);
    seq_svg(f, &h);
    fputs("<h3>The key schedule: every value from its inputs</h3>\n<p class=\"legend\">Each "
          "box is a value this run derived, with the step that made it (in grey) from the boxes "
          "above it: <span class=\"k input\">inputs</span>, <span class=\"k shared\">the "
          "key exchange's shared secret</span>, <span class=\"k secret\">secrets</span>, "
          "<span class=\"k key\">keys, IVs and MACs</span>; \"client = server\" when both "
          "sides derived the same bytes.</p>\n",
          f);
    ks_svg(f, &g, ro->show_secrets);
    fputs("<h3>Flights</h3>\n", f);
    flights_table(f, &h);
    fputs("<h3>Secrets</h3>\n", f);
    secrets_table(f, &g, ro->show_secrets, has_client, has_server);
    fputs("</section>\n", f);
    free(h.rows);
}

void render_html_end(FILE *f)
{
    fputs("</body></html>\n", f);
}

void render_html(const recorder *r, const char *what, const render_opts *ro)
{
    render_html_begin(ro->out, what);
    int last = r->n > 0 ? r->ev[r->n - 1].conn : 0;
    for (int conn = 1; conn <= last; conn++) {
        char title[64];
        snprintf(title, sizeof title, "%s", conn > 1 ? "resumed handshake" : "handshake");
        render_html_conn(r, conn, title, ro);
    }
    render_html_end(ro->out);
}
