/*
 * The key-schedule graph (keysched.c) as a Mermaid flowchart, top-down: inputs (zeros, the
 * PSK, the shared secret) at the top, the traffic keys, IVs and Finished values at the bottom.
 * Every node shows its fingerprint (its value with --show-secrets) and whether client and
 * server derived the same bytes; every edge names the operation, its label and transcript.
 */
#include <string.h>

#include "cli.h"

/* Mermaid's quoted labels end at '"'; '#' starts an entity; angle brackets are HTML. Line
 * breaks become <br/>, and a long line is broken at a space after width characters. */
static void mm_label(FILE *f, const char *s, size_t width)
{
    size_t col = 0;
    for (; *s; s++) {
        char c = *s;
        if (c == '\n' || (c == ' ' && col >= width)) {
            fputs("<br/>", f);
            col = 0;
            continue;
        }
        fputc(c == '"' ? '\'' : c == '#' ? ' ' : c == '<' ? '(' : c == '>' ? ')' : c, f);
        col++;
    }
}

static const char *class_of(const ks_graph *g, const ks_node *n)
{
    if (g->both_sides && !(n->by_client && n->by_server))
        return "differ";
    static const char *const names[] = {"input", "shared", "secret", "key"};
    return names[n->kind];
}

void render_keysched(const recorder *r, int conn, const render_opts *ro)
{
    FILE *f = ro->out;
    static ks_graph g; /* about 40 KiB */
    ks_build(&g, r, conn);
    fprintf(f, "flowchart TD\n");
    fprintf(f, "    classDef input fill:#eeeeee,stroke:#777777,color:#000000\n");
    fprintf(f, "    classDef shared fill:#ffe2b8,stroke:#b86e00,color:#000000\n");
    fprintf(f, "    classDef secret fill:#d9e6ff,stroke:#3366cc,color:#000000\n");
    fprintf(f, "    classDef key fill:#fff4a8,stroke:#a68a00,color:#000000\n");
    fprintf(f, "    classDef differ fill:#ffc4c4,stroke:#cc0000,color:#000000\n");
    for (size_t i = 0; i < g.nn; i++) {
        const ks_node *n = &g.n[i];
        char value[400];
        ks_value_text(n, ro->show_secrets, value, sizeof value);
        fprintf(f, "    n%zu[\"", i);
        mm_label(f, n->name, 40);
        if (n->use[0]) {
            fputs("<br/>(", f);
            mm_label(f, n->use, 40);
            fputc(')', f);
        }
        fputs("<br/>", f);
        mm_label(f, value, 40);
        fputs("<br/>", f);
        mm_label(f, ks_agreement(&g, n), 40);
        fprintf(f, "\"]:::%s\n", class_of(&g, n));
    }
    for (size_t i = 0; i < g.ne; i++) {
        fprintf(f, "    n%d -->|\"", g.e[i].from);
        mm_label(f, g.e[i].label, 24);
        fprintf(f, "\"| n%d\n", g.e[i].to);
    }
}
