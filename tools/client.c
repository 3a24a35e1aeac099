/*
 * tenon client HOST:PORT and tenon trace HOST:PORT.
 *
 * The handshake runs through the library's blocking adapter (tenon_io_handshake); after it the
 * client waits on stdin and the socket at once with poll(2), driving the engine itself.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netio.h"

typedef struct client {
    cli_opts o;
    cli_tls t;
    recorder rec;
    keylog kl;
    tenon_ticket tickets[2];
    tenon_ticket_store store;
    char host[256], port[16];
    const char *prog;
    FILE *trace_out;
} client;

static void summary_line(client *c, const tenon_conn_info *ci, int n)
{
    char subject[256] = "none";
    if (ci->peer_chain_count > 0) {
        tenon_x509_cert cert;
        if (tenon_x509_parse(&cert, ci->peer_chain[0].ptr, ci->peer_chain[0].len) == 0)
            tenon_x509_name_string(cert.subject, subject, sizeof subject);
    }
    char alpn[64] = "none";
    if (ci->alpn.len > 0)
        snprintf(alpn, sizeof alpn, "%.*s", (int)ci->alpn.len, (const char *)ci->alpn.ptr);
    char sig[64];
    snprintf(sig, sizeof sig, "%s", ci->sig_scheme ? sig_scheme_name(ci->sig_scheme) : "none");
    char kx[48], extra[96] = "";
    if (ci->group)
        snprintf(kx, sizeof kx, "group %s", group_name(ci->group));
    else
        snprintf(kx, sizeof kx, "%s",
                 ci->version == TENON_TLS12 && !ci->resumed ? "RSA key transport" : "group none");
    if (ci->version == TENON_TLS12)
        snprintf(extra, sizeof extra, ", master secret %s%s",
                 ci->ext_master_secret ? "extended (RFC 7627)"
                                       : "NOT extended (the peer lacks RFC 7627)",
                 ci->encrypt_then_mac ? ", encrypt-then-MAC" : "");
    char ocsp[96] = "";
    if (ci->ocsp_response.len > 0)
        snprintf(ocsp, sizeof ocsp, ", OCSP response stapled (%zu bytes, not checked)",
                 ci->ocsp_response.len);
    char rsl[64];
    rsl_note(rsl, sizeof rsl, ci);
    fprintf(stderr,
            "%s: %sconnected to %s:%s: %s, %s, %s, signature %s, ALPN %s, server "
            "certificate %s, %s%s%s%s%s\n",
            c->prog, n > 1 ? "re" : "", c->host, c->port, version_name(ci->version),
            suite_name(ci->suite), kx, sig, alpn, ci->resumed ? "(none: resumed)" : subject,
            ci->resumed ? "resumed with a session ticket" : "new session",
            ci->hello_retry ? " (after a HelloRetryRequest)" : "", extra, ocsp, rsl);
}

/* Reads and forwards (or drops) application data; 1 once the peer closed, <0 on error. */
static int drain(client *c, netconn *n, int forward)
{
    for (;;) {
        int rc = net_feed(n);
        if (rc == TENON_ERR_TLS_CLOSED)
            return 1;
        if (rc != 0)
            return rc;
        uint8_t buf[16384];
        size_t got = 0;
        rc = tenon_conn_read(n->conn, buf, sizeof buf, &got);
        if (rc == TENON_ERR_TLS_CLOSED)
            return 1;
        if (rc != 0)
            return rc;
        if (got == 0)
            return 0;
        rec_appdata(&c->rec, 1, 0, got);
        if (forward && fwrite(buf, 1, got, stdout) != got)
            return TENON_ERR_FILE_IO;
        if (forward)
            fflush(stdout);
    }
}

/* Waits up to ms for the peer (to collect a NewSessionTicket), or until a ticket arrived when
 * want_ticket. */
static int linger(client *c, netconn *n, int ms, int want_ticket)
{
    int64_t end = now_ms() + ms;
    for (;;) {
        int rc = drain(c, n, 0);
        if (rc != 0)
            return rc < 0 ? rc : 0;
        if (want_ticket && (c->tickets[0].in_use || c->tickets[1].in_use))
            return 0;
        if (net_send(n) != 0)
            return TENON_ERR_FILE_IO;
        int64_t left = end - now_ms();
        if (left <= 0 || n->eof)
            return 0;
        struct pollfd p = {n->fd, net_events(n), 0};
        if (poll(&p, 1, (int)left) > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)))
            if (net_recv(n) != 0)
                return TENON_ERR_FILE_IO;
    }
}

/* The end of a connection, however it went: close_notify if it is still healthy (after the
 * output drained, if it had no room), then everything queued — the alert of a failure too —
 * is sent before the socket closes, within the timeout. */
static void end_connection(client *c, netconn *n)
{
    if (n->conn == NULL || n->fd < 0)
        return;
    int rc = tenon_conn_close(n->conn);
    if (rc == TENON_ERR_BUFFER_TOO_SMALL && net_flush(n, c->o.timeout_ms) == 0)
        rc = tenon_conn_close(n->conn);
    /* rc: a failed connection has no close_notify to send, only its alert. */
    (void)rc;
    (void)net_flush(n, c->o.timeout_ms);
    /* A failed handshake leaves the rest of the peer's flight unread: wait (briefly) for the
     * peer to take the alert and close, so that our close does not reset it away. */
    int failed = (tenon_conn_status(n->conn) & TENON_FAILED) != 0;
    int linger = c->o.timeout_ms < NET_LINGER_MS ? c->o.timeout_ms : NET_LINGER_MS;
    net_linger(n, failed ? linger : 0);
}

static int handshake(client *c, netconn *n, int index, tenon_conn_info *ci)
{
    char why[300];
    c->rec.conn = index;
    int fd = net_connect(c->host, c->port, c->o.timeout_ms, why, sizeof why);
    if (fd < 0) {
        fprintf(stderr, "%s: %s\n", c->prog, why);
        return -1;
    }
    int rc = net_init(n, &c->t.cfg, fd);
    if (rc != 0) {
        fprintf(stderr, "%s: cannot start the connection: %s\n", c->prog, tenon_strerror(rc));
        return -1;
    }
    rc = tenon_io_handshake(n->conn, fd, c->o.timeout_ms);
    if (rc == 0)
        rc = tenon_conn_info_get(n->conn, ci);
    if (rc != 0) {
        char what[320];
        snprintf(what, sizeof what, "the TLS handshake with %s:%s", c->host, c->port);
        if (rc == TENON_ERR_FILE_IO && tenon_conn_error(n->conn) == 0)
            fprintf(stderr, "%s: %s failed: the connection broke or timed out (%d s)\n", c->prog,
                    what, c->o.timeout_ms / 1000);
        else
            describe_failure(c->prog, what, rc, n->conn);
        describe_ours(c->prog, tenon_conn_error(n->conn), &c->t.cfg);
        if (tenon_conn_peer_alert(n->conn) == TENON_ALERT_HANDSHAKE_FAILURE)
            fprintf(stderr,
                    "%s: (the server found nothing it accepts in our offer: --tls1.2/--tls1.3, "
                    "--suites and --groups change it; RSA key transport and CBC suites are "
                    "offered only when named in --suites or with --enable-legacy)\n",
                    c->prog);
        return -1;
    }
    if (!c->o.quiet)
        summary_line(c, ci, index);
    return 0;
}

/* Copies stdin to the connection and the connection to stdout until both sides closed. Nothing
 * here blocks: stdin bytes the engine cannot take yet wait in buf (and stdin is not read until
 * they are gone), so a peer that echoes while we write can never deadlock us. */
static int copy_loop(client *c, netconn *n)
{
    int stdin_open = 1, closed = 0, peer_closed = 0;
    int64_t close_deadline = 0;
    uint8_t buf[16384];
    size_t off = 0, len = 0;
    for (;;) {
        int rc = drain(c, n, 1);
        if (rc == 1)
            peer_closed = 1;
        else if (rc == TENON_ERR_TLS_TRUNCATED) {
            fprintf(stderr,
                    "%s: the server closed the connection without close_notify: the "
                    "data may be truncated\n",
                    c->prog);
            return EXIT_TLS;
        } else if (rc != 0) {
            describe_failure(c->prog, "the connection", rc, n->conn);
            return EXIT_TLS;
        }
        while (off < len && !closed && !peer_closed) {
            size_t w = 0;
            rc = tenon_conn_write(n->conn, buf + off, len - off, &w);
            if (rc != 0) {
                describe_failure(c->prog, "writing", rc, n->conn);
                return EXIT_TLS;
            }
            if (w == 0)
                break;
            rec_appdata(&c->rec, 1, 1, w);
            off += w;
        }
        if (!stdin_open && off == len && !closed) {
            if (tenon_conn_close(n->conn) == 0) {
                closed = 1;
                close_deadline = now_ms() + c->o.timeout_ms;
            }
        }
        if (peer_closed && !closed) {
            /* RFC 8446 §6.1: answer close_notify with ours. */
            if (tenon_conn_close(n->conn) == 0)
                closed = 1;
            stdin_open = 0;
        }
        if (net_send(n) != 0) {
            fprintf(stderr, "%s: sending failed: %s\n", c->prog, strerror(n->sock_error));
            return EXIT_TLS;
        }
        unsigned st = tenon_conn_status(n->conn);
        if (peer_closed && !(st & TENON_HAS_OUTPUT))
            return 0;
        if (closed && close_deadline != 0 && now_ms() > close_deadline) {
            fprintf(stderr, "%s: the server did not answer close_notify within %d s\n", c->prog,
                    c->o.timeout_ms / 1000);
            return 0;
        }
        if (n->eof && n->rlen == 0 && n->eof_told)
            return closed ? 0 : EXIT_TLS;
        struct pollfd p[2] = {{n->fd, net_events(n), 0}, {0, POLLIN, 0}};
        int nfds = stdin_open && off == len ? 2 : 1;
        int timeout = -1;
        if (closed)
            timeout = 200;
        else if (off < len && !(st & TENON_HAS_OUTPUT))
            timeout = 0; /* the engine can take more now */
        int pr = poll(p, (nfds_t)nfds, timeout);
        if (pr < 0 && errno != EINTR)
            return EXIT_TLS;
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
            if (net_recv(n) != 0) {
                fprintf(stderr, "%s: receiving failed: %s\n", c->prog, strerror(n->sock_error));
                return EXIT_TLS;
            }
        if (nfds == 2 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t r = read(0, buf, sizeof buf);
            if (r < 0 && errno == EINTR)
                continue;
            off = 0;
            len = r > 0 ? (size_t)r : 0;
            if (r <= 0)
                stdin_open = 0;
        }
    }
}

/* Each connection (two with --resume) is rendered on its own: a tree or a diagram mixing two
 * handshakes would be neither. JSON lines carry their connection number. */
static void show_trace(client *c, int trace_mode)
{
    render_opts ro = {c->trace_out, c->o.show_secrets};
    trace_format fmt = c->o.trace == TRACE_NONE ? TRACE_TREE : c->o.trace;
    if (fmt == TRACE_JSON) {
        render_json(&c->rec, 0, &ro);
        return;
    }
    if (fmt == TRACE_HTML) {
        render_html(&c->rec,
                    trace_mode ? "tenon trace: the client's view of a server."
                               : "tenon client: the client's view of a server.",
                    &ro);
        return;
    }
    int last = c->rec.n > 0 ? c->rec.ev[c->rec.n - 1].conn : 1;
    for (int conn = 1; conn <= last; conn++) {
        if (last > 1 && fmt == TRACE_TREE)
            fprintf(c->trace_out, "%s=== Connection %d ===\n", conn > 1 ? "\n" : "", conn);
        render(&c->rec, conn, fmt, &ro);
        if (last > 1 && (fmt == TRACE_MERMAID || fmt == TRACE_KEYSCHED))
            fprintf(c->trace_out, "%%%% connection %d\n\n", conn);
    }
    if (trace_mode && fmt == TRACE_TREE) {
        fprintf(c->trace_out, "\nMermaid sequence diagram%s:\n\n", last > 1 ? "s" : "");
        for (int conn = 1; conn <= last; conn++) {
            render_mermaid(&c->rec, conn, &ro);
            if (last > 1)
                fprintf(c->trace_out, "%%%% connection %d\n\n", conn);
        }
    }
}

int cmd_client(int argc, char **argv, int trace_mode)
{
    client *c = calloc(1, sizeof *c);
    if (c == NULL)
        return EXIT_TLS;
    c->prog = trace_mode ? "tenon trace" : "tenon client";
    int status = opts_parse(&c->o, trace_mode ? "trace" : "client", argc, argv);
    if (status != 0) {
        free(c);
        return status == 1 ? 0 : status;
    }
    rec_init(&c->rec);
    c->trace_out = trace_mode ? stdout : stderr;
    netconn n;
    memset(&n, 0, sizeof n);
    n.fd = -1;
    status = EXIT_USAGE;
    if (split_host_port(c->o.target, c->host, sizeof c->host, c->port, sizeof c->port) != 0) {
        fprintf(stderr, "%s: '%s' is not HOST:PORT\n", c->prog, c->o.target);
        goto out;
    }
    status = cli_tls_setup(&c->t, &c->o, TENON_CLIENT, c->o.servername ? c->o.servername : c->host,
                           c->prog);
    if (status != 0)
        goto out;
    status = EXIT_USAGE;
    const char *kl = c->o.keylog ? c->o.keylog : getenv("SSLKEYLOGFILE");
    if (keylog_open(&c->kl, kl, c->prog) != 0)
        goto out;
    tenon_config *cfg = &c->t.cfg;
    tenon_ticket_store_init(&c->store, c->tickets, 2);
    cfg->ticket_store = &c->store;
    if (trace_mode || c->o.trace != TRACE_NONE) {
        cfg->trace_fn = rec_trace_fn;
        cfg->trace_user = &c->rec;
        /* Values are needed to fingerprint secrets and draw the tree; only --show-secrets
         * prints them. */
        cfg->trace_secrets = 1;
    }
    if (c->kl.f != NULL) {
        cfg->keylog_fn = keylog_fn;
        cfg->keylog_user = &c->kl;
    }
    status = EXIT_TLS;
    tenon_conn_info ci;
    if (handshake(c, &n, 1, &ci) != 0)
        goto out;
    if (c->o.resume) {
        int rc = linger(c, &n, 2000, 1);
        end_connection(c, &n);
        net_free(&n);
        if (rc != 0 || (!c->tickets[0].in_use && !c->tickets[1].in_use)) {
            fprintf(stderr, "%s: --resume: the server sent no session ticket%s\n", c->prog,
                    rc != 0 ? " (the connection failed first)" : "");
            goto out;
        }
        if (handshake(c, &n, 2, &ci) != 0)
            goto out;
        if (!ci.resumed)
            fprintf(stderr, "%s: the server did not accept the ticket: full handshake\n", c->prog);
    }
    if (trace_mode) {
        /* A server's NewSessionTicket follows its Finished: give it a moment to arrive. What
         * goes wrong meanwhile (a ticket refused, the server's alert) is a failure of the
         * connection traced: said, and the exit status; a server that just hangs up (no data
         * was to come) is said only. */
        int rc = linger(c, &n, 500, 0);
        status = 0;
        if (rc == TENON_ERR_TLS_TRUNCATED) {
            fprintf(stderr, "%s: the server closed the connection without close_notify\n", c->prog);
        } else if (rc != 0) {
            describe_failure(c->prog, "the connection after the handshake", rc, n.conn);
            status = EXIT_TLS;
        }
    } else {
        status = copy_loop(c, &n);
    }
out:
    end_connection(c, &n);
    if (trace_mode || c->o.trace != TRACE_NONE)
        if (c->rec.n > 0)
            show_trace(c, trace_mode);
    if (n.conn != NULL || n.fd >= 0)
        net_free(&n);
    keylog_close(&c->kl);
    cli_tls_free(&c->t);
    rec_free(&c->rec);
    tenon_wipe(c->tickets, sizeof c->tickets);
    free(c);
    return status;
}
