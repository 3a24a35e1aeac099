/*
 * tenon demo: the README's main job. No network and no files: a CA and a server certificate
 * are issued in memory, and a client and a server engine are wired back to back in memory
 * (the engine is sans-I/O, so moving bytes from one to the other is all a "network" is). Both
 * record their trace; the tool then shows the flights, the key schedule, and compares every
 * secret the two sides derived, which is the point: they agree without ever sending them.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct endpoint {
    tenon_conn conn;
    uint8_t *in, *out;
} endpoint;

typedef struct demo {
    cli_opts o;
    recorder rec;
    keylog kl;
    tenon_config ccfg, scfg;
    tenon_private_key ca_key, leaf_key;
    int rsa; /* only RSA suites configured: the CA and the server certificate are RSA */
    uint8_t ca_der[2048], leaf_der[2048];
    size_t ca_len, leaf_len;
    tenon_x509_cert roots[1];
    tenon_x509_store store;
    tenon_ticket tickets[2];
    tenon_ticket_store ticket_store;
    endpoint c, s;
    FILE *out; /* the human-readable text: stdout, or stderr when stdout carries JSON */
} demo;

/* Moves what from has to send into to. A receiver that failed drops the rest, as a closed
 * socket would. */
static size_t transfer(tenon_conn *from, tenon_conn *to)
{
    const uint8_t *p;
    size_t n, used = 0;
    tenon_conn_output(from, &p, &n);
    if (n == 0)
        return 0;
    if (tenon_conn_feed(to, p, n, &used) != 0)
        used = n;
    tenon_conn_output_consume(from, used);
    return used;
}

static void pump(demo *d)
{
    for (int i = 0; i < 100000; i++)
        if (transfer(&d->c.conn, &d->s.conn) + transfer(&d->s.conn, &d->c.conn) == 0)
            break;
}

/* Writes msg on from and reads it on to; 0 if it arrived intact. */
static int send_message(demo *d, int from_client, const char *msg)
{
    tenon_conn *from = from_client ? &d->c.conn : &d->s.conn;
    tenon_conn *to = from_client ? &d->s.conn : &d->c.conn;
    size_t len = strlen(msg), w = 0, got = 0;
    char buf[256];
    int rc = tenon_conn_write(from, msg, len, &w);
    if (rc != 0 || w != len)
        return rc != 0 ? rc : TENON_ERR_INTERNAL;
    rec_appdata(&d->rec, from_client, 1, len);
    pump(d);
    while (got < len) {
        size_t n = 0;
        rc = tenon_conn_read(to, buf + got, sizeof buf - got, &n);
        if (rc != 0)
            return rc;
        if (n == 0)
            break;
        got += n;
        pump(d);
    }
    if (got != len || memcmp(buf, msg, len) != 0)
        return TENON_ERR_INTERNAL;
    rec_appdata(&d->rec, !from_client, 0, len);
    fprintf(d->out, "  %s -> %s: \"%.*s\" (%zu bytes, received intact)\n",
            from_client ? "client" : "server", from_client ? "server" : "client", (int)got, buf,
            got);
    return 0;
}

static void print_info(demo *d, const tenon_conn_info *ci)
{
    char alpn[64] = "none";
    if (ci->alpn.len > 0)
        snprintf(alpn, sizeof alpn, "%.*s", (int)ci->alpn.len, (const char *)ci->alpn.ptr);
    char kx[64];
    if (ci->group)
        snprintf(kx, sizeof kx, "group %s", group_name(ci->group));
    else
        snprintf(kx, sizeof kx, "%s",
                 ci->version == TENON_TLS12 && !ci->resumed ? "RSA key transport" : "group none");
    /* RSA key transport has no server signature: the server proves its key by decrypting the
     * pre-master secret, which the Finished messages then confirm. */
    int rsa_kx = ci->version == TENON_TLS12 && !ci->resumed && ci->sig_scheme == 0;
    fprintf(
        d->out, "  negotiated: %s, %s, %s, %s%s, ALPN %s%s", version_name(ci->version),
        suite_name(ci->suite), kx, ci->resumed || rsa_kx ? "no signature: " : "server signature ",
        ci->resumed
            ? (ci->version == TENON_TLS12 ? "resumed with a session ticket" : "resumed with a PSK")
        : rsa_kx ? "the server proves its key by decrypting the pre-master secret"
                 : sig_scheme_name(ci->sig_scheme),
        alpn, ci->hello_retry ? ", after a HelloRetryRequest" : "");
    if (ci->version == TENON_TLS12)
        fprintf(d->out, ", %s master secret%s",
                ci->ext_master_secret ? "extended" : "plain (RFC 5246)",
                ci->encrypt_then_mac ? ", encrypt-then-MAC" : "");
    fputc('\n', d->out);
}

/* The trace of connection n in the chosen format (also for a failed handshake: its picture
 * ends at the failing step). */
static void show_trace(demo *d, int n, const char *title)
{
    FILE *f = d->out;
    render_opts ro = {f, d->o.show_secrets};
    if (d->o.trace == TRACE_TREE) {
        fputc('\n', f);
        render_flights(&d->rec, n, &ro);
        fputc('\n', f);
        render_tree(&d->rec, n, &ro);
    } else if (d->o.trace == TRACE_MERMAID) {
        /* Mermaid's own comment syntax keeps each diagram self-describing. */
        render_mermaid(&d->rec, n, &(render_opts){stdout, d->o.show_secrets});
        fprintf(stdout, "%%%% connection %d: %s\n\n", n, title);
    } else if (d->o.trace == TRACE_JSON) {
        render_json(&d->rec, n, &(render_opts){stdout, d->o.show_secrets});
    } else if (d->o.trace == TRACE_KEYSCHED) {
        render_keysched(&d->rec, n, &(render_opts){stdout, d->o.show_secrets});
        fprintf(stdout, "%%%% connection %d: %s\n\n", n, title);
    }
}

/* The HTML report of every connection run (--trace html: to stdout; --html FILE: there). */
static int write_html(demo *d, const char *ver, const char *const titles[2])
{
    if (d->o.trace != TRACE_HTML && d->o.html == NULL)
        return 0;
    FILE *f = stdout;
    if (d->o.html != NULL && (f = fopen(d->o.html, "w")) == NULL) {
        fprintf(stderr, "tenon demo: cannot write %s\n", d->o.html);
        return -1;
    }
    char what[200];
    snprintf(what, sizeof what,
             "tenon demo: a %s client and server in one process, wired back to back in memory; "
             "both sides recorded, side by side.",
             ver);
    render_opts ro = {f, d->o.show_secrets};
    render_html_begin(f, what);
    int last = d->rec.n > 0 ? d->rec.ev[d->rec.n - 1].conn : 0;
    for (int n = 1; n <= last && n <= 2; n++)
        render_html_conn(&d->rec, n, titles[n - 1], &ro);
    render_html_end(f);
    if (f != stdout && fclose(f) != 0) {
        fprintf(stderr, "tenon demo: cannot write %s\n", d->o.html);
        return -1;
    }
    if (f != stdout)
        fprintf(d->out, "HTML report: %s\n", d->o.html);
    return 0;
}

/* One handshake and a message each way. Returns 0 if it succeeded and the keys matched;
 * *resumed receives whether the engine resumed. */
static int run_connection(demo *d, int n, const char *title, int *resumed)
{
    FILE *f = d->out;
    render_opts ro = {f, d->o.show_secrets};
    d->rec.conn = n;
    fprintf(f, "\n=== Connection %d: %s ===\n", n, title);
    int rc = tenon_conn_init(&d->s.conn, &d->scfg, d->s.in, TENON_CONN_IN_SIZE, d->s.out,
                             TENON_CONN_OUT_SIZE);
    if (rc == 0)
        rc = tenon_conn_init(&d->c.conn, &d->ccfg, d->c.in, TENON_CONN_IN_SIZE, d->c.out,
                             TENON_CONN_OUT_SIZE);
    if (rc != 0) {
        fprintf(stderr, "tenon demo: cannot start the engines: %s\n", tenon_strerror(rc));
        return -1;
    }
    pump(d);
    unsigned cs = tenon_conn_status(&d->c.conn), ss = tenon_conn_status(&d->s.conn);
    int ok = (cs & TENON_HANDSHAKE_DONE) && (ss & TENON_HANDSHAKE_DONE);
    tenon_conn_info ci;
    if (!ok || tenon_conn_info_get(&d->c.conn, &ci) != 0) {
        int ce = tenon_conn_error(&d->c.conn), se = tenon_conn_error(&d->s.conn);
        fprintf(f, "  handshake FAILED\n");
        if (ce != 0)
            describe_failure("tenon demo", "the client's handshake", ce, &d->c.conn);
        if (se != 0)
            describe_failure("tenon demo", "the server's handshake", se, &d->s.conn);
        if (ce == 0 && se == 0)
            fprintf(stderr, "tenon demo: the handshake stalled without an error\n");
        show_trace(d, n, title);
        tenon_conn_wipe(&d->c.conn);
        tenon_conn_wipe(&d->s.conn);
        return -1;
    }
    *resumed = ci.resumed;
    fprintf(f, "  handshake complete\n");
    print_info(d, &ci);
    rc = send_message(d, 1, "hello from the client");
    if (rc == 0)
        rc = send_message(d, 0, "hello from the server");
    if (rc != 0)
        fprintf(stderr, "tenon demo: application data did not arrive intact: %s\n",
                tenon_strerror(rc));
    /* close_notify both ways: the clean end RFC 8446 §6.1 asks for. */
    if (tenon_conn_close(&d->c.conn) == 0 && tenon_conn_close(&d->s.conn) == 0)
        pump(d);

    show_trace(d, n, title);

    size_t mismatches = 0;
    fprintf(f, "\n  Secrets derived by each side (fingerprint = first 4 bytes of SHA-256):\n");
    size_t compared = compare_sides(&d->rec, n, &ro, &mismatches);
    int same = compared > 0 && mismatches == 0 && !d->rec.failed;
    fprintf(f, "  client and server derived identical keys: %s (%zu secrets compared%s)\n",
            same ? "yes" : "NO", compared, mismatches ? ", some differ" : "");
    tenon_conn_wipe(&d->c.conn);
    tenon_conn_wipe(&d->s.conn);
    return rc == 0 && same ? 0 : -1;
}

static int setup(demo *d)
{
    /* The CA and the server's certificate, both only in memory. */
    d->ca_key.type = d->leaf_key.type = d->rsa ? TENON_KEY_RSA : TENON_KEY_EC;
    int rc = pki_issue("tenon demo CA", NULL, 1, NULL, NULL, &d->ca_key, d->ca_der,
                       sizeof d->ca_der, &d->ca_len);
    tenon_x509_cert ca;
    if (rc == 0)
        rc = tenon_x509_parse(&ca, d->ca_der, d->ca_len);
    if (rc == 0)
        rc = pki_issue("localhost", "localhost", 0, &ca, &d->ca_key, &d->leaf_key, d->leaf_der,
                       sizeof d->leaf_der, &d->leaf_len);
    if (rc != 0) {
        fprintf(stderr, "tenon demo: cannot issue the demo certificates: %s\n", tenon_strerror(rc));
        return -1;
    }
    char fp[65];
    uint8_t h[32];
    tenon_hash(&tenon_sha256, d->leaf_der, d->leaf_len, h);
    hex_encode(fp, h, 32);
    fprintf(d->out,
            "Issued in memory: a CA (CN=tenon demo CA, %s) and a server "
            "certificate for localhost signed by it\n  server certificate SHA-256 %s\n",
            d->rsa ? "RSA-2048, keys generated now" : "ECDSA P-256", fp);
    if (d->rsa)
        fprintf(d->out,
                "  server key: RSA-%zu, e = 65537 (FIPS 186-5 probable primes); the "
                "certificate allows keyEncipherment, so a client may encrypt to it\n",
                d->leaf_key.u.rsa.pub.n_bits);

    tenon_x509_store_init(&d->store, d->roots, 1);
    if (tenon_x509_store_add_der(&d->store, d->ca_der, d->ca_len) != 0)
        return -1;
    tenon_ticket_store_init(&d->ticket_store, d->tickets, 2);

    tenon_config_init(&d->scfg, TENON_SERVER);
    tenon_config_init(&d->ccfg, TENON_CLIENT);
    tenon_bytes chain[1] = {{d->leaf_der, d->leaf_len}};
    const char *why = NULL;
    if (tenon_config_add_cert(&d->scfg, chain, 1, &d->leaf_key, &why) != 0) {
        fprintf(stderr, "tenon demo: the server certificate was refused: %s\n", why ? why : "?");
        return -1;
    }
    /* A fresh ticket key: the server can then issue a NewSessionTicket for the resumption. */
    d->scfg.ticket_key_count = 1;
    if (tenon_random(&d->scfg.ticket_keys[0], sizeof d->scfg.ticket_keys[0]) != 0)
        return -1;
    d->ccfg.server_name = "localhost";
    d->ccfg.trust = &d->store;
    d->ccfg.ticket_store = &d->ticket_store;
    tenon_config *both[2] = {&d->ccfg, &d->scfg};
    for (int i = 0; i < 2; i++) {
        if (cfg_set_protocol(both[i], &d->o, "tenon demo") != 0)
            return EXIT_USAGE;
        /* The tool asks for the values so it can fingerprint and compare them; it prints them
         * only with --show-secrets. */
        both[i]->trace_fn = rec_trace_fn;
        both[i]->trace_user = &d->rec;
        both[i]->trace_secrets = 1;
        if (d->kl.f != NULL) {
            both[i]->keylog_fn = keylog_fn;
            both[i]->keylog_user = &d->kl;
        }
    }
    /* The server logs the same lines as the client: only the client's are written. */
    d->scfg.keylog_fn = NULL;
    return 0;
}

int cmd_demo(int argc, char **argv)
{
    /* The engines inside are _Alignas(64): calloc's alignment is not enough. */
    size_t size = (sizeof(demo) + 63) / 64 * 64;
    demo *d = aligned_alloc(64, size);
    if (d != NULL)
        memset(d, 0, size);
    if (d == NULL) {
        fprintf(stderr, "tenon demo: out of memory\n");
        return EXIT_TLS;
    }
    int rc = opts_parse(&d->o, "demo", argc, argv);
    if (rc != 0) {
        free(d);
        return rc == 1 ? 0 : rc;
    }
    if (d->o.trace == TRACE_NONE)
        d->o.trace = TRACE_TREE;
    d->out = d->o.trace == TRACE_TREE ? stdout : stderr;
    rec_init(&d->rec);
    d->rec.both_sides = 1;
    const char *kl = d->o.keylog ? d->o.keylog : getenv("SSLKEYLOGFILE");
    int status = EXIT_TLS;
    d->c.in = malloc(TENON_CONN_IN_SIZE);
    d->c.out = malloc(TENON_CONN_OUT_SIZE);
    d->s.in = malloc(TENON_CONN_IN_SIZE);
    d->s.out = malloc(TENON_CONN_OUT_SIZE);
    if (d->c.in == NULL || d->c.out == NULL || d->s.in == NULL || d->s.out == NULL) {
        fprintf(stderr, "tenon demo: out of memory\n");
        goto done;
    }
    if (keylog_open(&d->kl, kl, "tenon demo") != 0) {
        status = EXIT_USAGE;
        goto done;
    }
    /* The version the demo will show: TLS 1.3 unless it is off or has no suite. The demo's
     * certificates are ECDSA, or RSA when only RSA suites (key transport, ECDHE_RSA) are
     * configured. */
    tenon_config probe;
    tenon_config_init(&probe, TENON_CLIENT);
    if (cfg_set_protocol(&probe, &d->o, "tenon demo") != 0) {
        status = EXIT_USAGE;
        goto done;
    }
    int can13 = 0, can12 = 0;
    const suite_info *first12 = NULL;
    d->rsa = pki_suites_need_rsa(&probe) == 2;
    for (size_t i = 0; i < probe.suite_count; i++) {
        const suite_info *si = suite_by_id(probe.suites[i]);
        can13 |= si != NULL && si->version == TENON_TLS13 && probe.max_version == TENON_TLS13;
        int ok12 = si != NULL && si->version == TENON_TLS12 && probe.min_version == TENON_TLS12 &&
                   (d->rsa || strstr(si->iana, "_ECDSA_") != NULL);
        if (ok12 && first12 == NULL)
            first12 = si;
        can12 |= ok12;
    }
    if (!can13 && !can12) {
        fprintf(stderr, "tenon demo: none of these suites can run: the TLS 1.2 ones need "
                        "--tls1.2 or a TLS 1.2 version range\n");
        status = EXIT_USAGE;
        goto done;
    }
    const char *ver = can13 ? "TLS 1.3" : "TLS 1.2";
    fprintf(d->out,
            "tenon %s demo: a %s client and server in one process, wired back to "
            "back in memory (no network, no files)\n",
            tenon_version(), ver);
    rc = setup(d);
    if (rc != 0) {
        status = rc == EXIT_USAGE ? EXIT_USAGE : EXIT_TLS;
        goto done;
    }
    int resumed = 0;
    char title[128];
    /* The client's first group says which key exchange to expect (a TLS 1.2 server ignores
     * the hybrids). */
    const char *kx = can13 && d->ccfg.group_count > 0 && d->ccfg.groups[0]->post_quantum
                         ? "hybrid ML-KEM + ECDHE"
                     : !can13 && first12 != NULL && strncmp(first12->iana, "TLS_RSA_", 8) == 0
                         ? "RSA key transport"
                         : "ECDHE";
    snprintf(title, sizeof title, "full %s handshake (%s, certificate)", ver, kx);
    const char *titles[2] = {title, !can13
                                        ? "abbreviated TLS 1.2 handshake (session ticket, RFC 5077)"
                                        : "resumed handshake (PSK from the ticket, with (EC)DHE)"};
    int ok1 = run_connection(d, 1, titles[0], &resumed);
    int ok2 = -1;
    if (ok1 == 0) {
        if (!d->tickets[0].in_use && !d->tickets[1].in_use) {
            fprintf(d->out, "\nNo session ticket was received: resumption skipped.\n");
        } else {
            ok2 = run_connection(d, 2, titles[1], &resumed);
            if (ok2 == 0 && !resumed) {
                fprintf(d->out, "  note: the server did not accept the ticket (full handshake)\n");
                ok2 = -1;
            }
        }
    }
    fprintf(d->out, "\nSummary (%s): full handshake %s, resumption %s.\n", ver,
            ok1 == 0 ? "ok" : "FAILED", ok2 == 0 ? "ok" : "FAILED");
    if (can13)
        fprintf(d->out, "(tenon demo --tls1.2 shows the same for TLS 1.2)\n");
    if (!d->o.show_secrets)
        fprintf(d->out, "(secrets are shown as fingerprints; --show-secrets prints them)\n");
    status = ok1 == 0 && ok2 == 0 ? 0 : EXIT_TLS;
    if (write_html(d, ver, titles) != 0)
        status = EXIT_USAGE;
done:
    keylog_close(&d->kl);
    rec_free(&d->rec);
    free(d->c.in);
    free(d->c.out);
    free(d->s.in);
    free(d->s.out);
    tenon_private_key_wipe(&d->ca_key);
    tenon_private_key_wipe(&d->leaf_key);
    tenon_wipe(d, sizeof *d);
    free(d);
    return status;
}
