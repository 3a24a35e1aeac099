/*
 * tenon server: one poll(2) loop over many sans-I/O engines. Each client is a netconn plus a
 * little state (pending echo bytes, an HTTP request being read). A client's failure is logged
 * and that client dropped; the loop goes on.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netio.h"

#define MAX_CLIENTS 64

typedef struct peer {
    int used;
    long id;
    char addr[80];
    netconn n;
    recorder rec;
    int64_t deadline; /* handshake must finish by then */
    int handshaken;
    int closing;
    int failed;
    int draining;  /* failed: its last output (the alert) goes out before the socket closes */
    int lingering; /* ... then the peer's end is awaited, its input dropped (net_linger) */
    int busy;      /* service stopped at its round limit with work left: poll without waiting */
    uint8_t pending[16384]; /* echo bytes not yet taken by the engine */
    size_t pending_len;
    char request[4096]; /* --http: the request so far */
    size_t request_len;
    int responded;
} peer;

typedef struct server {
    cli_opts o;
    cli_tls t;
    keylog kl;
    int lfd;
    peer *peers;
    long accepted, finished, failures;
} server;

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int listen_on(const char *spec, char *shown, size_t shown_cap)
{
    char host[256], port[16];
    if (split_host_port(spec, host, sizeof host, port, sizeof port) != 0) {
        fprintf(stderr, "tenon server: --listen '%s' is not HOST:PORT\n", spec);
        return -1;
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int g = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
    if (g != 0) {
        fprintf(stderr, "tenon server: cannot resolve %s: %s\n", host, gai_strerror(g));
        return -1;
    }
    int fd =
        socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, res->ai_protocol);
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 64) != 0) {
        fprintf(stderr, "tenon server: cannot listen on %s: %s\n", spec, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    snprintf(shown, shown_cap, "%s:%s", host[0] ? host : "*", port);
    return fd;
}

static void finish(server *s, peer *p)
{
    if (s->o.trace != TRACE_NONE && p->rec.n > 0) {
        render_opts ro = {stdout, s->o.show_secrets};
        if (s->o.trace != TRACE_JSON)
            printf("--- trace of connection %ld ---\n", p->id);
        render(&p->rec, 0, s->o.trace, &ro);
        fflush(stdout);
    }
    if (p->failed || !p->handshaken)
        s->failures++;
    else if (!s->o.quiet)
        fprintf(stderr, "tenon server: connection %ld closed\n", p->id);
    net_free(&p->n);
    rec_free(&p->rec);
    p->used = 0;
    s->finished++;
}

static void drain_failed(server *s, peer *p);

static void drop(server *s, peer *p, const char *what, int err)
{
    char prog[64];
    snprintf(prog, sizeof prog, "tenon server: connection %ld", p->id);
    if (err == TENON_ERR_FILE_IO && tenon_conn_error(p->n.conn) == 0)
        fprintf(stderr, "%s: %s failed: %s\n", prog, what,
                p->n.sock_error ? strerror(p->n.sock_error) : "timed out");
    else
        describe_failure(prog, what, err, p->n.conn);
    describe_ours(prog, tenon_conn_error(p->n.conn), &s->t.cfg);
    p->failed = 1;
    if (err == TENON_ERR_FILE_IO) {
        finish(s, p);
        return;
    }
    /* Whatever alert the engine queued goes out before the socket closes; the peer stays (for
     * that only) until it is sent, or until the timeout. */
    p->draining = 1;
    p->deadline = now_ms() + s->o.timeout_ms;
    drain_failed(s, p);
}

/* A failed peer: its alert on the way out, then its end awaited for a moment while what it
 * still sends is dropped (closing with unread input would reset the connection, and the reset
 * can destroy the alert before the peer reads it: net_linger, without blocking the loop). */
static void drain_failed(server *s, peer *p)
{
    if (!p->lingering) {
        if (net_send(&p->n) != 0 || now_ms() > p->deadline) {
            finish(s, p);
            return;
        }
        if (tenon_conn_status(p->n.conn) & TENON_HAS_OUTPUT)
            return;
        (void)shutdown(p->n.fd, SHUT_WR);
        p->lingering = 1;
        int64_t end = now_ms() + NET_LINGER_MS;
        if (end < p->deadline)
            p->deadline = end;
    }
    if (net_discard_input(&p->n) || now_ms() > p->deadline)
        finish(s, p);
}

static void on_handshake(server *s, peer *p)
{
    p->handshaken = 1;
    tenon_conn_info ci;
    if (s->o.quiet || tenon_conn_info_get(p->n.conn, &ci) != 0)
        return;
    char alpn[64] = "none", sni[128] = "none";
    if (ci.alpn.len > 0)
        snprintf(alpn, sizeof alpn, "%.*s", (int)ci.alpn.len, (const char *)ci.alpn.ptr);
    if (ci.server_name.len > 0)
        snprintf(sni, sizeof sni, "%.*s", (int)ci.server_name.len,
                 (const char *)ci.server_name.ptr);
    char extra[96] = "";
    if (ci.version == TENON_TLS12)
        snprintf(extra, sizeof extra, ", master secret %s%s",
                 ci.ext_master_secret ? "extended (RFC 7627)"
                                      : "NOT extended (the peer lacks RFC 7627)",
                 ci.encrypt_then_mac ? ", encrypt-then-MAC" : "");
    fprintf(stderr, "tenon server: connection %ld from %s: %s, %s, %s%s, SNI %s, ALPN %s, %s%s%s\n",
            p->id, p->addr, version_name(ci.version), suite_name(ci.suite),
            ci.group || ci.version != TENON_TLS12 || ci.resumed ? "group " : "",
            ci.group                                   ? group_name(ci.group)
            : ci.version == TENON_TLS12 && !ci.resumed ? "RSA key transport"
                                                       : "none",
            sni, alpn, ci.resumed ? "resumed" : "new session",
            ci.client_authenticated ? ", client certificate verified" : "", extra);
}

static void http_respond(peer *p)
{
    tenon_conn_info ci;
    char body[2048], resp[3072];
    if (tenon_conn_info_get(p->n.conn, &ci) != 0)
        return;
    char alpn[64] = "none";
    if (ci.alpn.len > 0)
        snprintf(alpn, sizeof alpn, "%.*s", (int)ci.alpn.len, (const char *)ci.alpn.ptr);
    int bl = snprintf(body, sizeof body,
                      "<!doctype html>\n<html><head><title>tenon</title></head><body>\n"
                      "<h1>Hello from tenon %s</h1>\n<table>\n"
                      "<tr><td>version</td><td>%s</td></tr>\n"
                      "<tr><td>cipher suite</td><td>%s</td></tr>\n"
                      "<tr><td>key exchange group</td><td>%s</td></tr>\n"
                      "<tr><td>ALPN</td><td>%s</td></tr>\n"
                      "<tr><td>resumed</td><td>%s</td></tr>\n"
                      "<tr><td>client certificate</td><td>%s</td></tr>\n"
                      "</table></body></html>\n",
                      tenon_version(), version_name(ci.version), suite_name(ci.suite),
                      ci.group ? group_name(ci.group) : "none", alpn, ci.resumed ? "yes" : "no",
                      ci.client_authenticated ? "verified" : "none");
    int rl = snprintf(resp, sizeof resp,
                      "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                      "Content-Length: %d\r\nConnection: close\r\n\r\n%s",
                      bl, body);
    if (rl > 0 && (size_t)rl < sizeof p->pending) {
        memcpy(p->pending, resp, (size_t)rl);
        p->pending_len = (size_t)rl;
    }
    p->responded = 1;
}

/* Moves pending bytes into the engine. */
static int push_pending(peer *p)
{
    while (p->pending_len > 0) {
        size_t w = 0;
        int rc = tenon_conn_write(p->n.conn, p->pending, p->pending_len, &w);
        if (rc != 0)
            return rc;
        if (w == 0)
            return 0;
        rec_appdata(&p->rec, 0, 1, w);
        memmove(p->pending, p->pending + w, p->pending_len - w);
        p->pending_len -= w;
    }
    return 0;
}

/* Everything a peer can do now without blocking. */
static void service(server *s, peer *p)
{
    if (p->draining) {
        drain_failed(s, p);
        return;
    }
    p->busy = 0;
    for (int round = 0; round < 64 && p->used; round++) {
        int rc = net_feed(&p->n);
        int peer_closed = rc == TENON_ERR_TLS_CLOSED;
        if (rc != 0 && !peer_closed) {
            drop(s, p, p->handshaken ? "the connection" : "the handshake", rc);
            return;
        }
        unsigned st = tenon_conn_status(p->n.conn);
        if (!p->handshaken && (st & TENON_HANDSHAKE_DONE))
            on_handshake(s, p);
        if (p->handshaken && p->pending_len == 0 && !p->closing) {
            uint8_t buf[8192];
            size_t got = 0;
            rc = tenon_conn_read(p->n.conn, buf, sizeof buf, &got);
            if (rc == TENON_ERR_TLS_CLOSED)
                peer_closed = 1;
            else if (rc != 0) {
                drop(s, p, "reading", rc);
                return;
            }
            if (got > 0) {
                rec_appdata(&p->rec, 0, 0, got);
                if (!s->o.http) {
                    memcpy(p->pending, buf, got);
                    p->pending_len = got;
                } else if (!p->responded) {
                    size_t room = sizeof p->request - 1 - p->request_len;
                    size_t k = got < room ? got : room;
                    memcpy(p->request + p->request_len, buf, k);
                    p->request_len += k;
                    p->request[p->request_len] = 0;
                    if (strstr(p->request, "\r\n\r\n") != NULL ||
                        strstr(p->request, "\n\n") != NULL || room == k)
                        http_respond(p);
                }
            }
        }
        rc = push_pending(p);
        if (rc != 0) {
            drop(s, p, "writing", rc);
            return;
        }
        if ((peer_closed || (s->o.http && p->responded && p->pending_len == 0)) && !p->closing) {
            /* RFC 8446 §6.1: close_notify (the answer to the client's, or --http's end). */
            if (tenon_conn_close(p->n.conn) == 0)
                p->closing = 1;
        }
        if (net_send(&p->n) != 0) {
            drop(s, p, "sending", TENON_ERR_FILE_IO);
            return;
        }
        st = tenon_conn_status(p->n.conn);
        if (p->closing && !(st & TENON_HAS_OUTPUT)) {
            finish(s, p);
            return;
        }
        if (p->n.eof && p->n.rlen == 0 && p->n.eof_told) {
            /* The client went away: after its close_notify that is the normal end. */
            if (st & TENON_PEER_CLOSED) {
                finish(s, p);
            } else {
                drop(s, p, p->handshaken ? "the connection" : "the handshake",
                     TENON_ERR_TLS_TRUNCATED);
            }
            return;
        }
        /* Go round again only while there is something the engine or the echo can still
         * take without waiting for the socket: buffered input, an EOF to report, data to
         * read, echo bytes to write. With output left unsent the socket is full: POLLOUT. */
        int more = p->n.rlen > 0 || (p->n.eof && !p->n.eof_told) || (st & TENON_READABLE) != 0 ||
                   p->pending_len > 0;
        if (!more || (st & TENON_HAS_OUTPUT))
            return;
    }
    /* Out of rounds (the other clients get their turn) with records still buffered: the
     * socket may have nothing more to say, so the next poll must not wait for it. */
    p->busy = p->used;
}

/* The trace callback is per config, the recorder per connection: the config's trace_user is
 * this router, which finds the connection being driven. */
static peer *current_peer;

static void accept_one(server *s)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int fd = accept4(s->lfd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return;
    peer *p = NULL;
    for (int i = 0; i < MAX_CLIENTS && p == NULL; i++)
        if (!s->peers[i].used)
            p = &s->peers[i];
    if (p == NULL) {
        fprintf(stderr, "tenon server: too many clients (%d): connection refused\n", MAX_CLIENTS);
        close(fd);
        return;
    }
    memset(p, 0, sizeof *p);
    p->used = 1;
    p->id = ++s->accepted;
    char host[64] = "?", port[16] = "?";
    getnameinfo((struct sockaddr *)&ss, len, host, sizeof host, port, sizeof port,
                NI_NUMERICHOST | NI_NUMERICSERV);
    snprintf(p->addr, sizeof p->addr, "%s:%s", host, port);
    rec_init(&p->rec);
    /* All connections share the one read-only config; the trace router (route_trace) files the
     * events under the connection being driven. */
    current_peer = p;
    int rc = net_init(&p->n, &s->t.cfg, fd);
    current_peer = NULL;
    if (rc != 0) {
        fprintf(stderr, "tenon server: connection %ld: cannot start: %s\n", p->id,
                tenon_strerror(rc));
        net_free(&p->n);
        rec_free(&p->rec);
        p->used = 0;
        s->failures++;
        s->finished++;
        return;
    }
    p->deadline = now_ms() + s->o.timeout_ms;
}

static void route_trace(void *user, const tenon_trace_event *ev)
{
    (void)user;
    if (current_peer != NULL)
        rec_trace_fn(&current_peer->rec, ev);
}

/* An ephemeral certificate's line and its fingerprint, for the client to compare. */
static void print_ephemeral(const char *what, const uint8_t sha256[32])
{
    char fp[65];
    hex_encode(fp, sha256, 32);
    fprintf(stderr,
            "tenon server: %s certificate for localhost\ntenon server: its SHA-256 fingerprint: "
            "%s\n",
            what, fp);
}

int cmd_server(int argc, char **argv)
{
    server *s = calloc(1, sizeof *s);
    if (s == NULL)
        return EXIT_TLS;
    int status = opts_parse(&s->o, "server", argc, argv);
    if (status != 0) {
        free(s);
        return status == 1 ? 0 : status;
    }
    s->lfd = -1;
    s->peers = calloc(MAX_CLIENTS, sizeof *s->peers);
    status = EXIT_USAGE;
    if (s->peers == NULL)
        goto out;
    status = cli_tls_setup(&s->t, &s->o, TENON_SERVER, NULL, "tenon server");
    if (status != 0)
        goto out;
    status = EXIT_USAGE;
    const char *kl = s->o.keylog ? s->o.keylog : getenv("SSLKEYLOGFILE");
    if (keylog_open(&s->kl, kl, "tenon server") != 0)
        goto out;
    if (s->kl.f != NULL) {
        s->t.cfg.keylog_fn = keylog_fn;
        s->t.cfg.keylog_user = &s->kl;
    }
    if (s->o.trace != TRACE_NONE) {
        s->t.cfg.trace_fn = route_trace;
        s->t.cfg.trace_secrets = 1;
    }
    char shown[300];
    s->lfd = listen_on(s->o.listen ? s->o.listen : "127.0.0.1:8443", shown, sizeof shown);
    if (s->lfd < 0) {
        status = EXIT_TLS;
        goto out;
    }
    if (s->t.has_ephemeral)
        print_ephemeral("no --cert/--key: using an ephemeral ECDSA P-256", s->t.ephemeral_fp);
    if (s->t.has_ephemeral_rsa)
        print_ephemeral("and, for the RSA suites, an ephemeral RSA-2048", s->t.ephemeral_rsa_fp);
    fprintf(stderr, "tenon server: listening on %s (%s)\n", shown,
            s->o.http ? "HTTP page" : "echo");
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    status = 0;
    while (!stop_requested) {
        if (s->o.max_connections > 0 && s->accepted >= s->o.max_connections &&
            s->finished >= s->accepted)
            break;
        struct pollfd pf[MAX_CLIENTS + 1];
        peer *who[MAX_CLIENTS + 1];
        nfds_t nf = 0;
        int accepting = s->o.max_connections == 0 || s->accepted < s->o.max_connections;
        if (accepting) {
            pf[nf].fd = s->lfd;
            pf[nf].events = POLLIN;
            who[nf++] = NULL;
        }
        int64_t now = now_ms(), wait = -1;
        for (int i = 0; i < MAX_CLIENTS; i++) {
            peer *p = &s->peers[i];
            if (!p->used)
                continue;
            pf[nf].fd = p->n.fd;
            pf[nf].events = p->lingering ? POLLIN : p->draining ? POLLOUT : net_events(&p->n);
            who[nf++] = p;
            if (!p->handshaken || p->draining) {
                int64_t left = p->deadline - now;
                if (wait < 0 || left < wait)
                    wait = left < 0 ? 0 : left;
            }
            if (p->busy)
                wait = 0;
        }
        int pr = poll(pf, nf, (int)wait);
        if (pr < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "tenon server: poll: %s\n", strerror(errno));
            status = EXIT_TLS;
            break;
        }
        for (nfds_t i = 0; i < nf; i++) {
            peer *p = who[i];
            if (p == NULL) {
                if (pf[i].revents & POLLIN)
                    accept_one(s);
                continue;
            }
            current_peer = p;
            if (!p->draining && (pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
                if (net_recv(&p->n) != 0) {
                    drop(s, p, "receiving", TENON_ERR_FILE_IO);
                    current_peer = NULL;
                    continue;
                }
            service(s, p);
            if (p->used && p->draining && now_ms() > p->deadline)
                finish(s, p);
            else if (p->used && !p->handshaken && now_ms() > p->deadline)
                drop(s, p, "the handshake", TENON_ERR_FILE_IO);
            current_peer = NULL;
        }
        /* New clients: their engine may have nothing to say yet (a server waits), but
         * servicing costs nothing. */
    }
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (s->peers[i].used)
            finish(s, &s->peers[i]);
    if (s->o.max_connections > 0 && s->failures > 0)
        status = EXIT_TLS;
    if (!s->o.quiet)
        fprintf(stderr, "tenon server: %ld connection%s, %ld failed\n", s->accepted,
                s->accepted == 1 ? "" : "s", s->failures);
out:
    if (s->lfd >= 0)
        close(s->lfd);
    keylog_close(&s->kl);
    cli_tls_free(&s->t);
    free(s->peers);
    free(s);
    return status;
}
