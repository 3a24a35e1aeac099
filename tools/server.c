/*
 * tenon server: one epoll loop per process over many sans-I/O engines.
 *
 * Memory follows activity, not connections. An open connection is an `evconn` (its tenon_conn
 * and a few words: fd, state, deadline, timer slot, HTTP progress); the bytes it moves live in a
 * `pair` (the engine's input and output buffers, what was received and not yet fed, plaintext
 * not yet echoed, HTTP answers not yet written) taken from a pool while it has work and handed
 * back as soon as it is established and idle (tenon_conn_release_buffers). When the pool is at
 * its limit, work waits its turn: a connection that needs a pair stops being watched for input
 * and queues, and no new connection is accepted, until a pair comes back; nothing fails.
 *
 * epoll is level-triggered: a connection that stops before its socket is drained (its output
 * is full, or its round limit came) is told again, and interest changes (input off while output
 * is blocked or while waiting for a pair) are epoll_ctl calls only when the mask changes.
 * Deadlines (handshake, idle, write stall, closing) sit in one binary min-heap: O(log n) to add,
 * move or remove one; the loop sleeps until the earliest.
 *
 * --workers N forks N such processes, each with its own SO_REUSEPORT socket on the port; the
 * parent supervises them (signals forwarded, a worker that dies restarted).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netio.h"

#define RX_CAP TENON_CONN_RECORD_SIZE /* received, not yet taken by the engine: one record */
#define PT_CAP 16384                  /* plaintext read, not yet echoed or parsed */
#define RESP_CAP 4096                 /* --http answers not yet taken by the engine */
#define RESP_MAX 2048                 /* one answer at most */
#define DEFAULT_MAX_ACTIVE 1024
#define ROUNDS 64 /* per connection and wake-up, then the others get their turn */

/* ---------------------------------------------------------------------------------------- */
/* Configurations: a connection reads its tenon_config for its whole life, so a reload makes a
 * new one and the old stays until its last connection ends. */

typedef struct tls_owner { /* certificates and keys, shared by configs that differ in keys */
    cli_tls t;
    long refs;
} tls_owner;

typedef struct cfg_ref {
    tenon_config cfg;
    tls_owner *owner;
    long refs;
} cfg_ref;

static void owner_put(tls_owner *o)
{
    if (o != NULL && --o->refs == 0) {
        cli_tls_free(&o->t);
        free(o);
    }
}

static void cfg_put(cfg_ref *c)
{
    if (c != NULL && --c->refs == 0) {
        owner_put(c->owner);
        tenon_wipe(c, sizeof *c);
        free(c);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* The pool of buffer pairs. */

typedef struct pair {
    struct pair *next;
    uint8_t *in, *out; /* the engine's, right after this struct in the same allocation */
    size_t rx_len, pt_off, pt_len, resp_off, resp_len;
    uint8_t rx[RX_CAP];
    uint8_t pt[PT_CAP];
    uint8_t resp[RESP_CAP];
} pair;

typedef struct pool {
    pair *free;
    size_t total, nfree, max, peak;
    size_t in_len; /* the engine's input buffer (smaller with --record-size-limit) */
} pool;

#define PAIR_BYTES(p) (sizeof(pair) + (p)->in_len + TENON_CONN_OUT_SIZE)

static int pool_can_give(const pool *p)
{
    return p->nfree > 0 || p->total < p->max;
}

static pair *pool_get(pool *p)
{
    pair *b = p->free;
    if (b != NULL) {
        p->free = b->next;
        p->nfree--;
        return b;
    }
    if (p->total >= p->max)
        return NULL;
    /* mmap, not malloc: a pair freed when the pool shrinks goes back to the system at once
     * (a freed malloc chunk in the middle of the heap would stay in the RSS). */
    void *m = mmap(NULL, PAIR_BYTES(p), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    b = m;
    b->in = (uint8_t *)(b + 1);
    b->out = b->in + p->in_len;
    p->total++;
    if (p->total > p->peak)
        p->peak = p->total;
    return b;
}

/* The engine's buffers come back wiped (release and tenon_conn_wipe wipe them); the tool's
 * own areas held plaintext and are wiped here. The pool shrinks: it keeps at most as many free
 * pairs as are in use, or 16. */
static void pool_put(pool *p, pair *b)
{
    tenon_wipe(b->rx, sizeof b->rx + sizeof b->pt + sizeof b->resp);
    b->rx_len = b->pt_off = b->pt_len = b->resp_off = b->resp_len = 0;
    b->next = p->free;
    p->free = b;
    p->nfree++;
    while (p->nfree > 16 && p->nfree > p->total - p->nfree) {
        b = p->free;
        p->free = b->next;
        p->nfree--;
        p->total--;
        munmap(b, PAIR_BYTES(p));
    }
}

static void pool_free(pool *p)
{
    while (p->free != NULL) {
        pair *b = p->free;
        p->free = b->next;
        munmap(b, PAIR_BYTES(p));
    }
    p->total -= p->nfree;
    p->nfree = 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Connections. */

enum { ST_HANDSHAKE, ST_OPEN, ST_CLOSING, ST_LINGER };
enum { Q_NONE, Q_WAIT, Q_READY };

typedef struct evconn {
    tenon_conn tls; /* first: malloc's alignment is the engine's */
    cfg_ref *cfg;
    pair *pair;    /* NULL while idle */
    recorder *rec; /* --trace only */
    struct evconn *qprev, *qnext;
    int64_t deadline;
    uint32_t heap; /* its slot in the timer heap */
    uint32_t id;
    int fd;
    uint32_t events; /* what epoll watches now */
    uint8_t state, queue;
    uint8_t eof, eof_told, peer_closed, want_close, failed, timed_out;
    /* --http: the request being read (parsed as its bytes come, no request buffer). */
    uint8_t h_line;  /* 0: request line; 1: header lines */
    uint8_t h_match; /* "connection:" matched so far in this header line (12: matched) */
    uint8_t h_close; /* "close" matched so far in its value (5: matched) */
    uint8_t h_flags; /* H_PARTIAL, H_CLOSE */
    uint16_t h_pos;  /* bytes in the current line */
    char h_req[18];  /* the start of the request line: "GET /tls HTTP/1.1" */
} evconn;

#define H_PARTIAL 1u
#define H_CLOSE 2u

typedef struct stats {
    long accepted, full, resumed, failures, timeouts, ended, requests;
} stats;

typedef struct server {
    cli_opts o;
    char prog[48];
    cfg_ref *cfg; /* new connections get this one */
    tls_owner *owner;
    tenon_ticket_key random_key; /* without --ticket-keys: this process's own */
    keylog kl;
    int lfd, ep, accepting;
    pool pool;
    evconn **heap;
    size_t nheap, heap_cap;
    evconn *wait_head, *wait_tail, *ready_head, *ready_tail;
    long nconns, max_conns, emfile;
    stats st;
    int stopping;
    int64_t stop_deadline;
    int worker; /* N of --workers (from 1), else 0 */
} server;

static volatile sig_atomic_t sig_term, sig_hup, sig_usr1, sig_chld;
static evconn *current; /* the connection being driven, for the trace router */
static char LISTENER;   /* epoll's mark for the listening socket */

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        sig_hup = 1;
    else if (sig == SIGUSR1)
        sig_usr1 = 1;
    else if (sig == SIGCHLD)
        sig_chld = 1;
    else
        sig_term = 1;
}

/* The signals the server acts on, added to set (add) or taken out of it; SIGCHLD as well when
 * chld (the supervisor's). */
static void our_signals(sigset_t *set, int add, int chld)
{
    static const int SIGNALS[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGCHLD};
    for (size_t i = 0; i < sizeof SIGNALS / sizeof SIGNALS[0] - (chld ? 0 : 1); i++)
        (void)(add ? sigaddset(set, SIGNALS[i]) : sigdelset(set, SIGNALS[i]));
}

/* --- the timer heap ---------------------------------------------------------------------- */

static void heap_swap(server *s, size_t a, size_t b)
{
    evconn *t = s->heap[a];
    s->heap[a] = s->heap[b];
    s->heap[b] = t;
    s->heap[a]->heap = (uint32_t)a;
    s->heap[b]->heap = (uint32_t)b;
}

static void heap_fix(server *s, size_t i)
{
    while (i > 0 && s->heap[(i - 1) / 2]->deadline > s->heap[i]->deadline) {
        heap_swap(s, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < s->nheap && s->heap[l]->deadline < s->heap[m]->deadline)
            m = l;
        if (r < s->nheap && s->heap[r]->deadline < s->heap[m]->deadline)
            m = r;
        if (m == i)
            return;
        heap_swap(s, i, m);
        i = m;
    }
}

static int heap_add(server *s, evconn *c)
{
    if (s->nheap == s->heap_cap) {
        size_t cap = s->heap_cap ? 2 * s->heap_cap : 1024;
        evconn **h = realloc(s->heap, cap * sizeof *h);
        if (h == NULL)
            return -1;
        s->heap = h;
        s->heap_cap = cap;
    }
    c->heap = (uint32_t)s->nheap;
    s->heap[s->nheap++] = c;
    heap_fix(s, c->heap);
    return 0;
}

static void heap_del(server *s, evconn *c)
{
    size_t i = c->heap, last = --s->nheap;
    if (i != last) {
        heap_swap(s, i, last);
        heap_fix(s, i);
    }
}

static void set_deadline(server *s, evconn *c, int64_t when)
{
    if (c->deadline != when) {
        c->deadline = when;
        heap_fix(s, c->heap);
    }
}

/* --- queues: waiting for a pair, or ready to be driven again ----------------------------- */

static void q_push(server *s, evconn *c, uint8_t which)
{
    evconn **head = which == Q_WAIT ? &s->wait_head : &s->ready_head;
    evconn **tail = which == Q_WAIT ? &s->wait_tail : &s->ready_tail;
    c->queue = which;
    c->qnext = NULL;
    c->qprev = *tail;
    if (*tail != NULL)
        (*tail)->qnext = c;
    else
        *head = c;
    *tail = c;
}

static void q_remove(server *s, evconn *c)
{
    if (c->queue == Q_NONE)
        return;
    evconn **head = c->queue == Q_WAIT ? &s->wait_head : &s->ready_head;
    evconn **tail = c->queue == Q_WAIT ? &s->wait_tail : &s->ready_tail;
    if (c->qprev != NULL)
        c->qprev->qnext = c->qnext;
    else
        *head = c->qnext;
    if (c->qnext != NULL)
        c->qnext->qprev = c->qprev;
    else
        *tail = c->qprev;
    c->qprev = c->qnext = NULL;
    c->queue = Q_NONE;
}

/* --- logging ------------------------------------------------------------------------------ */

static void print_stats(server *s, const char *when)
{
    size_t with_pair = s->pool.total - s->pool.nfree;
    fprintf(stderr,
            "%s: stats%s: accepted %ld, handshakes %ld full %ld resumed, failures %ld, "
            "timeouts %ld, requests %ld, open %ld, active %zu, pool %zu pairs (%zu free, peak "
            "%zu, %zu bytes each), connection state %zu bytes each (tenon_conn %zu, the "
            "tool's %zu)\n",
            s->prog, when, s->st.accepted, s->st.full, s->st.resumed, s->st.failures,
            s->st.timeouts, s->st.requests, s->nconns, with_pair, s->pool.total, s->pool.nfree,
            s->pool.peak, PAIR_BYTES(&s->pool), sizeof(evconn), sizeof(tenon_conn),
            sizeof(evconn) - sizeof(tenon_conn));
    if (s->o.status == NULL)
        return;
    /* --status FILE (FILE.wN for worker N): "name value" lines, replaced whole (rename), for
     * scripts such as a load test. */
    char path[4200], tmp[4300];
    if (s->worker > 0)
        snprintf(path, sizeof path, "%s.w%d", s->o.status, s->worker);
    else
        snprintf(path, sizeof path, "%s", s->o.status);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        fprintf(stderr, "%s: cannot write %s: %s\n", s->prog, tmp, strerror(errno));
        return;
    }
    fprintf(f,
            "pid %d\naccepted %ld\nhandshakes_full %ld\nhandshakes_resumed %ld\nfailures %ld\n"
            "timeouts %ld\nrequests %ld\nopen %ld\nactive %zu\npool_pairs %zu\npool_free %zu\n"
            "pool_peak %zu\npair_bytes %zu\nconn_bytes %zu\ntenon_conn_bytes %zu\n",
            (int)getpid(), s->st.accepted, s->st.full, s->st.resumed, s->st.failures,
            s->st.timeouts, s->st.requests, s->nconns, with_pair, s->pool.total, s->pool.nfree,
            s->pool.peak, PAIR_BYTES(&s->pool), sizeof(evconn), sizeof(tenon_conn));
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        fprintf(stderr, "%s: cannot write %s: %s\n", s->prog, path, strerror(errno));
}

static void on_handshake(server *s, evconn *c)
{
    c->state = ST_OPEN;
    tenon_conn_info ci;
    if (tenon_conn_info_get(&c->tls, &ci) != 0)
        return;
    if (ci.resumed)
        s->st.resumed++;
    else
        s->st.full++;
    if (s->o.quiet)
        return;
    char alpn[64] = "none", sni[128] = "none", addr[80] = "?";
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char host[64] = "?", port[16] = "?";
    if (getpeername(c->fd, (struct sockaddr *)&ss, &len) == 0)
        getnameinfo((struct sockaddr *)&ss, len, host, sizeof host, port, sizeof port,
                    NI_NUMERICHOST | NI_NUMERICSERV);
    snprintf(addr, sizeof addr, "%s:%s", host, port);
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
    char rsl[64];
    rsl_note(rsl, sizeof rsl, &ci);
    fprintf(stderr, "%s: connection %u from %s: %s, %s, %s%s, SNI %s, ALPN %s, %s%s%s%s\n", s->prog,
            c->id, addr, version_name(ci.version), suite_name(ci.suite),
            ci.group || ci.version != TENON_TLS12 || ci.resumed ? "group " : "",
            ci.group                                   ? group_name(ci.group)
            : ci.version == TENON_TLS12 && !ci.resumed ? "RSA key transport"
                                                       : "none",
            sni, alpn, ci.resumed ? "resumed" : "new session",
            ci.client_authenticated ? ", client certificate verified" : "", extra, rsl);
}

/* --- the end of a connection ------------------------------------------------------------- */

static void give_pair_back(server *s, pair *b);
static void make_ready(server *s, evconn *c);

static void finish(server *s, evconn *c)
{
    if (c->rec != NULL) {
        if (s->o.trace != TRACE_NONE && c->rec->n > 0) {
            render_opts ro = {stdout, s->o.show_secrets};
            if (s->o.trace != TRACE_JSON)
                printf("--- trace of connection %u ---\n", c->id);
            render(c->rec, 0, s->o.trace, &ro);
            fflush(stdout);
        }
        rec_free(c->rec);
        free(c->rec);
    }
    if (c->failed || c->state == ST_HANDSHAKE)
        s->st.failures++;
    else if (!s->o.quiet)
        fprintf(stderr, "%s: connection %u closed\n", s->prog, c->id);
    tenon_conn_wipe(&c->tls); /* its buffers too, if it holds some */
    pair *b = c->pair;
    c->pair = NULL;
    q_remove(s, c);
    heap_del(s, c);
    close(c->fd); /* and out of the epoll set */
    cfg_put(c->cfg);
    free(c);
    s->nconns--;
    s->st.ended++;
    s->emfile = 0; /* a descriptor is free again */
    if (b != NULL)
        give_pair_back(s, b);
}

/* The connection's last output is out: our direction ends, and the peer's end is awaited a
 * moment while what it still sends is dropped (closing a socket with unread input resets the
 * connection, and a reset can destroy our alert or close_notify before the peer reads it).
 * The engine is done: its pair goes back now. */
static void start_linger(server *s, evconn *c)
{
    (void)shutdown(c->fd, SHUT_WR);
    c->state = ST_LINGER;
    tenon_conn_wipe(&c->tls);
    pair *b = c->pair;
    c->pair = NULL;
    if (b != NULL)
        give_pair_back(s, b);
    int64_t end = now_ms() + NET_LINGER_MS;
    if (end < c->deadline)
        set_deadline(s, c, end);
}

/* A failed connection: logged; its alert (if the engine queued one) goes out before the end. */
static void fail(server *s, evconn *c, const char *what, int err, int sock_errno)
{
    char prog[96];
    snprintf(prog, sizeof prog, "%s: connection %u", s->prog, c->id);
    if (err == TENON_ERR_FILE_IO && tenon_conn_error(&c->tls) == 0)
        fprintf(stderr, "%s: %s failed: %s\n", prog, what,
                sock_errno ? strerror(sock_errno) : "timed out");
    else
        describe_failure(prog, what, err, &c->tls);
    describe_ours(prog, tenon_conn_error(&c->tls), &c->cfg->cfg);
    c->failed = 1;
    if (err == TENON_ERR_FILE_IO || c->pair == NULL) {
        finish(s, c);
        return;
    }
    c->state = ST_CLOSING;
    int64_t end = now_ms() + s->o.timeout_ms;
    if (end < c->deadline || c->deadline == 0)
        set_deadline(s, c, end);
    make_ready(s, c); /* driven again: the alert out, then the end */
}

/* --- pairs in and out ------------------------------------------------------------------- */

static void make_ready(server *s, evconn *c)
{
    if (c->queue == Q_NONE)
        q_push(s, c, Q_READY);
}

/* A pair for c: at once if the pool has one and nobody waits before it, else c queues (and
 * stops being watched for input: backpressure). 1 when c holds a pair. */
static int take_pair(server *s, evconn *c)
{
    if (c->pair != NULL)
        return 1;
    pair *b = s->wait_head == NULL ? pool_get(&s->pool) : NULL;
    if (b == NULL) {
        if (c->queue != Q_WAIT) {
            q_remove(s, c);
            q_push(s, c, Q_WAIT);
        }
        return 0;
    }
    int rc = tenon_conn_give_buffers(&c->tls, b->in, s->pool.in_len, b->out, TENON_CONN_OUT_SIZE);
    if (rc != 0) {
        pool_put(&s->pool, b);
        return -1;
    }
    c->pair = b;
    return 1;
}

/* A pair comes back: to the first connection waiting for one, else to the pool. */
static void give_pair_back(server *s, pair *b)
{
    while (s->wait_head != NULL) {
        evconn *w = s->wait_head;
        q_remove(s, w);
        if (tenon_conn_give_buffers(&w->tls, b->in, s->pool.in_len, b->out, TENON_CONN_OUT_SIZE) !=
            0)
            continue; /* failed meanwhile: driven once more, it ends */
        w->pair = b;
        q_push(s, w, Q_READY);
        return;
    }
    pool_put(&s->pool, b);
}

/* An established connection with nothing in flight gives its pair back. */
static void maybe_release(server *s, evconn *c)
{
    pair *b = c->pair;
    if (b == NULL || c->state != ST_OPEN || b->rx_len != 0 || b->pt_len != 0 || b->resp_len != 0 ||
        (c->h_flags & H_PARTIAL) || c->want_close || c->eof || !tenon_conn_can_release(&c->tls))
        return;
    uint8_t *in, *out;
    size_t in_len, out_len;
    if (tenon_conn_release_buffers(&c->tls, &in, &in_len, &out, &out_len) != 0)
        return;
    c->pair = NULL;
    give_pair_back(s, b);
}

/* --- --http ----------------------------------------------------------------------------- */

static const char PAGE[] = "<!doctype html>\n<html><head><title>tenon</title></head>"
                           "<body><h1>Hello from tenon</h1></body></html>\n";

/* The answer to the request just read, appended to the pair's resp. */
static void http_answer(evconn *c)
{
    pair *b = c->pair;
    char body[1200];
    const char *status = "200 OK";
    int bl = 0;
    const char *req = c->h_req;
    int get = strncmp(req, "GET ", 4) == 0, head = strncmp(req, "HEAD ", 5) == 0;
    const char *path = get ? req + 4 : head ? req + 5 : "";
    int http10 = strstr(req, "HTTP/1.0") != NULL;
    if (!get && !head) {
        status = "405 Method Not Allowed";
        c->h_flags |= H_CLOSE; /* a body may follow, which is not read */
    } else if (strncmp(path, "/ ", 2) == 0) {
        bl = snprintf(body, sizeof body, "%s", PAGE);
    } else if (strncmp(path, "/tls ", 5) == 0) {
        tenon_conn_info ci;
        char alpn[64] = "none";
        if (tenon_conn_info_get(&c->tls, &ci) != 0)
            memset(&ci, 0, sizeof ci);
        if (ci.alpn.len > 0)
            snprintf(alpn, sizeof alpn, "%.*s", (int)ci.alpn.len, (const char *)ci.alpn.ptr);
        bl = snprintf(body, sizeof body,
                      "<!doctype html>\n<html><head><title>tenon</title></head><body>\n"
                      "<h1>Hello from tenon %s</h1>\n<table>\n"
                      "<tr><td>version</td><td>%s</td></tr>\n"
                      "<tr><td>cipher suite</td><td>%s</td></tr>\n"
                      "<tr><td>key exchange group</td><td>%s</td></tr>\n"
                      "<tr><td>ALPN</td><td>%s</td></tr>\n"
                      "<tr><td>resumed</td><td>%s</td></tr>\n"
                      "<tr><td>client certificate</td><td>%s</td></tr>\n"
                      "<tr><td>record_size_limit (ours / yours)</td><td>%u / %u</td></tr>\n"
                      "</table></body></html>\n",
                      tenon_version(), version_name(ci.version), suite_name(ci.suite),
                      ci.group ? group_name(ci.group) : "none", alpn, ci.resumed ? "yes" : "no",
                      ci.client_authenticated ? "verified" : "none", ci.record_size_limit_ours,
                      ci.record_size_limit_peer);
    } else {
        status = "404 Not Found";
    }
    if (bl < 0 || (size_t)bl >= sizeof body)
        bl = 0;
    /* RFC 9112 §9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 here always closes. */
    if (http10)
        c->h_flags |= H_CLOSE;
    int close = (c->h_flags & H_CLOSE) != 0;
    int n = snprintf((char *)b->resp + b->resp_len, RESP_CAP - b->resp_len,
                     "HTTP/1.1 %s\r\nContent-Type: text/html; charset=utf-8\r\n"
                     "Content-Length: %d\r\nConnection: %s\r\n\r\n%.*s",
                     status, bl, close ? "close" : "keep-alive", head ? 0 : bl, body);
    if (n > 0 && (size_t)n < RESP_CAP - b->resp_len)
        b->resp_len += (size_t)n;
    if (close)
        c->want_close = 1;
}

static int lower(int ch)
{
    return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch;
}

/* Parses the plaintext in the pair (as it comes, a byte at a time: a request split over
 * records needs only the few bytes of state in evconn) and queues the answers; stops while
 * the answers queued leave no room for one more. */
static void http_parse(server *s, evconn *c)
{
    static const char CONN[] = "connection:", CLOSE[] = "close";
    pair *b = c->pair;
    while (b->pt_len > 0 && !c->want_close && b->resp_len + RESP_MAX <= RESP_CAP) {
        int ch = b->pt[b->pt_off++];
        b->pt_len--;
        c->h_flags |= H_PARTIAL;
        if (ch == '\r')
            continue;
        if (ch != '\n') {
            if (c->h_line == 0 && c->h_pos < sizeof c->h_req - 1)
                c->h_req[c->h_pos] = (char)ch;
            else if (c->h_line == 1 && c->h_match < 11) {
                /* h_match == h_pos < 11 first: CONN is read only within its length. */
                c->h_match = c->h_match == c->h_pos && lower(ch) == CONN[c->h_pos]
                                 ? (uint8_t)(c->h_match + 1)
                                 : c->h_match;
            } else if (c->h_line == 1 && c->h_match == 11 && c->h_close < 5) {
                c->h_close = lower(ch) == CLOSE[c->h_close] ? (uint8_t)(c->h_close + 1)
                             : lower(ch) == 'c'             ? 1
                                                            : 0;
                if (c->h_close == 5)
                    c->h_flags |= H_CLOSE;
            }
            if (c->h_pos < UINT16_MAX)
                c->h_pos++;
            continue;
        }
        if (c->h_line == 1 && c->h_pos == 0) { /* the blank line: the request is complete */
            s->st.requests++;
            http_answer(c);
            c->h_line = 0;
            c->h_flags &= (uint8_t)~H_PARTIAL;
            c->h_flags &= (uint8_t)~H_CLOSE;
            memset(c->h_req, 0, sizeof c->h_req);
        } else if (c->h_line == 0 && c->h_pos == 0) {
            c->h_flags &= (uint8_t)~H_PARTIAL; /* RFC 9112 §2.2: empty lines before a request */
        } else {
            c->h_line = 1;
        }
        c->h_pos = 0;
        c->h_match = 0;
        c->h_close = 0;
    }
    if (c->want_close) { /* what follows a "Connection: close" request is not read */
        b->pt_len = 0;
        b->pt_off = 0;
    }
}

/* --- driving one connection -------------------------------------------------------------- */

static void set_events(server *s, evconn *c)
{
    uint32_t ev = 0;
    if (c->state == ST_LINGER || (c->pair == NULL && c->queue != Q_WAIT)) {
        ev = EPOLLIN;
    } else if (c->pair != NULL) {
        unsigned st = tenon_conn_status(&c->tls);
        if (st & TENON_HAS_OUTPUT)
            ev = EPOLLOUT;
        else if (!c->eof && c->state != ST_CLOSING && c->pair->rx_len < RX_CAP)
            ev = EPOLLIN;
    }
    /* Nothing to wait for (a connection queued for a pair, or one with nothing to do until
     * another event): one-shot, so that a hang-up, which epoll always reports, is reported once
     * and not in every turn of the loop. */
    if (ev == 0)
        ev = EPOLLONESHOT;
    if (ev != c->events) {
        struct epoll_event e = {.events = ev, .data.ptr = c};
        if (epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &e) == 0)
            c->events = ev;
    }
}

static void linger_step(server *s, evconn *c)
{
    uint8_t scratch[4096];
    for (int i = 0; i < 16; i++) {
        ssize_t r = recv(c->fd, scratch, sizeof scratch, MSG_DONTWAIT);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            finish(s, c);
            return;
        }
        if (r < 0)
            return;
    }
}

/* Plaintext: read, echoed or answered. 0, or an engine error (what says where). */
static int app_step(server *s, evconn *c, int *progress, const char **what)
{
    pair *b = c->pair;
    if (b->pt_len == 0 && !c->peer_closed && !c->want_close) {
        size_t got = 0;
        int rc = tenon_conn_read(&c->tls, b->pt, PT_CAP, &got);
        *what = "reading";
        if (rc == TENON_ERR_TLS_CLOSED)
            c->peer_closed = 1;
        else if (rc != 0)
            return rc;
        if (got > 0) {
            b->pt_off = 0;
            b->pt_len = got;
            *progress = 1;
            if (c->rec != NULL)
                rec_appdata(c->rec, 0, 0, got);
        }
    }
    if (s->o.http)
        http_parse(s, c);
    uint8_t *src = s->o.http ? b->resp + b->resp_off : b->pt + b->pt_off;
    size_t *off = s->o.http ? &b->resp_off : &b->pt_off;
    size_t *len = s->o.http ? &b->resp_len : &b->pt_len;
    *what = "writing";
    while (*len > 0) {
        size_t w = 0;
        int rc = tenon_conn_write(&c->tls, src, *len, &w);
        if (rc != 0)
            return rc;
        if (w == 0)
            break;
        if (c->rec != NULL)
            rec_appdata(c->rec, 0, 1, w);
        src += w;
        *off += w;
        *len -= w;
        *progress = 1;
    }
    if (*len == 0)
        *off = 0;
    return 0;
}

static void drive(server *s, evconn *c)
{
    current = c;
    if (c->state == ST_LINGER) {
        linger_step(s, c);
        current = NULL;
        return;
    }
    int got = take_pair(s, c);
    if (got <= 0) {
        if (got < 0)
            fail(s, c, "taking buffers", tenon_conn_error(&c->tls), 0);
        else
            set_events(s, c);
        current = NULL;
        return;
    }
    int any = 0;
    for (int round = 0;; round++) {
        if (round == ROUNDS) {
            make_ready(s, c); /* the others get their turn first */
            break;
        }
        int progress = 0;
        pair *b = c->pair;
        if (net_send_conn(&c->tls, c->fd, &progress) != 0) {
            if (c->state == ST_CLOSING) /* already failed or closed: the peer went away */
                finish(s, c);
            else
                fail(s, c, "sending", TENON_ERR_FILE_IO, errno);
            goto out;
        }
        unsigned st = tenon_conn_status(&c->tls);
        if (c->state == ST_CLOSING) {
            if (!(st & TENON_HAS_OUTPUT))
                start_linger(s, c);
            break;
        }
        /* Input only while our output is out: a client that does not read stops being read. */
        if (!c->eof && b->rx_len < RX_CAP && !(st & TENON_HAS_OUTPUT)) {
            ssize_t r = recv(c->fd, b->rx + b->rx_len, RX_CAP - b->rx_len, MSG_DONTWAIT);
            if (r > 0) {
                b->rx_len += (size_t)r;
                progress = 1;
            } else if (r == 0) {
                c->eof = 1;
                progress = 1;
            } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                fail(s, c, "receiving", TENON_ERR_FILE_IO, errno);
                goto out;
            }
        }
        const char *what = c->state == ST_HANDSHAKE ? "the handshake" : "the connection";
        size_t used = 0;
        int rc = tenon_conn_feed(&c->tls, b->rx, b->rx_len, &used);
        if (used > 0) {
            memmove(b->rx, b->rx + used, b->rx_len - used);
            b->rx_len -= used;
            progress = 1;
        }
        if (rc == TENON_ERR_TLS_CLOSED) {
            c->peer_closed = 1;
        } else if (rc != 0) {
            fail(s, c, what, rc, 0);
            goto out;
        }
        if (c->eof && b->rx_len == 0 && !c->eof_told) {
            c->eof_told = 1;
            rc = tenon_conn_transport_eof(&c->tls);
            if (rc != 0) {
                c->failed = 1;
                fail(s, c, what, rc, 0);
                goto out;
            }
        }
        st = tenon_conn_status(&c->tls);
        if (c->state == ST_HANDSHAKE && (st & TENON_HANDSHAKE_DONE)) {
            on_handshake(s, c);
            set_deadline(s, c, now_ms() + s->o.idle_timeout_ms);
        }
        if (c->state == ST_OPEN) {
            rc = app_step(s, c, &progress, &what);
            if (rc != 0) {
                fail(s, c, what, rc, 0);
                goto out;
            }
            st = tenon_conn_status(&c->tls);
            /* RFC 8446 §6.1: close_notify: the answer to the client's, after "Connection:
             * close", at shutdown or after the idle timeout. */
            if ((c->peer_closed || c->want_close) && b->pt_len == 0 && b->resp_len == 0 &&
                !(st & TENON_CLOSED)) {
                rc = tenon_conn_close(&c->tls);
                if (rc == 0) {
                    c->state = ST_CLOSING;
                    int64_t end = now_ms() + s->o.timeout_ms;
                    if (end < c->deadline)
                        set_deadline(s, c, end);
                    progress = 1;
                } else if (rc != TENON_ERR_BUFFER_TOO_SMALL) {
                    fail(s, c, "closing", rc, 0);
                    goto out;
                }
            }
        }
        any |= progress;
        if (!progress)
            break;
    }
    if (c->state == ST_OPEN) {
        maybe_release(s, c);
        if (any) {
            int out = c->pair != NULL && (tenon_conn_status(&c->tls) & TENON_HAS_OUTPUT);
            set_deadline(s, c, now_ms() + (out ? s->o.write_timeout_ms : s->o.idle_timeout_ms));
        }
    }
    if (c->state != ST_LINGER || c->pair == NULL)
        set_events(s, c);
out:
    current = NULL;
}

static void on_timeout(server *s, evconn *c)
{
    if (c->state == ST_CLOSING || c->state == ST_LINGER) {
        finish(s, c);
        return;
    }
    s->st.timeouts++;
    if (c->state == ST_HANDSHAKE || c->timed_out || s->stopping) {
        if (!s->o.quiet || c->state == ST_HANDSHAKE)
            fprintf(stderr, "%s: connection %u: %s timed out\n", s->prog, c->id,
                    c->state == ST_HANDSHAKE ? "the handshake" : "closing");
        c->failed = c->state == ST_HANDSHAKE;
        finish(s, c);
        return;
    }
    if (c->pair != NULL && (tenon_conn_status(&c->tls) & TENON_HAS_OUTPUT)) {
        fprintf(stderr, "%s: connection %u: the client took nothing for %d s: dropped\n", s->prog,
                c->id, s->o.write_timeout_ms / 1000);
        c->failed = 1;
        finish(s, c);
        return;
    }
    /* Idle: close_notify, and a short bound on the rest. */
    if (!s->o.quiet)
        fprintf(stderr, "%s: connection %u: idle for %d s: closing\n", s->prog, c->id,
                s->o.idle_timeout_ms / 1000);
    c->timed_out = 1;
    c->want_close = 1;
    set_deadline(s, c, now_ms() + NET_LINGER_MS);
    make_ready(s, c);
}

/* The trace callback is per config, the recorder per connection: the config's trace_user is
 * this router, which finds the connection being driven. */
static void route_trace(void *user, const tenon_trace_event *ev)
{
    (void)user;
    if (current != NULL && current->rec != NULL)
        rec_trace_fn(current->rec, ev);
}

/* --- accepting --------------------------------------------------------------------------- */

static int can_accept(const server *s)
{
    return !s->stopping && s->lfd >= 0 && s->nconns < s->max_conns && !s->emfile &&
           (s->o.exit_after == 0 || s->st.accepted < s->o.exit_after) && s->wait_head == NULL &&
           pool_can_give(&s->pool);
}

static void set_accepting(server *s, int on)
{
    if (on == s->accepting || s->lfd < 0)
        return;
    struct epoll_event e = {.events = on ? EPOLLIN : 0, .data.ptr = &LISTENER};
    if (epoll_ctl(s->ep, EPOLL_CTL_MOD, s->lfd, &e) == 0)
        s->accepting = on;
}

static void accept_batch(server *s)
{
    for (int i = 0; i < 64 && can_accept(s); i++) {
        int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) {
                fprintf(stderr, "%s: out of file descriptors at %ld connections: %s\n", s->prog,
                        s->nconns, strerror(errno));
                s->emfile = 1; /* until one ends */
            }
            return;
        }
        evconn *c = malloc(sizeof *c);
        pair *b = c != NULL ? pool_get(&s->pool) : NULL;
        if (b == NULL) {
            free(c);
            close(fd);
            return;
        }
        memset(c, 0, sizeof *c);
        c->fd = fd;
        c->id = (uint32_t)++s->st.accepted;
        c->cfg = s->cfg;
        s->cfg->refs++;
        s->nconns++;
        c->pair = b;
        c->deadline = now_ms() + s->o.timeout_ms;
        if (s->o.trace != TRACE_NONE && (c->rec = malloc(sizeof *c->rec)) != NULL)
            rec_init(c->rec);
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
        c->events = EPOLLIN;
        current = c;
        int rc = tenon_conn_init(&c->tls, &c->cfg->cfg, b->in, s->pool.in_len, b->out,
                                 TENON_CONN_OUT_SIZE);
        current = NULL;
        if (heap_add(s, c) != 0) {
            close(fd);
            cfg_put(c->cfg);
            s->nconns--;
            free(c->rec);
            free(c);
            give_pair_back(s, b);
            return;
        }
        if (rc != 0 || epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &e) != 0) {
            fprintf(stderr, "%s: connection %u: cannot start: %s\n", s->prog, c->id,
                    rc ? tenon_strerror(rc) : strerror(errno));
            finish(s, c);
            continue;
        }
        drive(s, c); /* its ClientHello may be there already */
    }
}

/* --- configuration, reload ---------------------------------------------------------------- */

/* A new config: the owner's certificates (a new owner when certs is set: SIGHUP re-reads the
 * files), the ticket keys of --ticket-keys (re-read) or this process's random key. NULL if a
 * file is bad (why printed). */
static cfg_ref *make_cfg(server *s, int reread_certs)
{
    tls_owner *owner = s->owner;
    if (reread_certs && s->o.ncerts > 0) {
        owner = calloc(1, sizeof *owner);
        if (owner == NULL)
            return NULL;
        if (cli_tls_setup(&owner->t, &s->o, TENON_SERVER, NULL, s->prog) != 0) {
            cli_tls_free(&owner->t);
            free(owner);
            return NULL;
        }
    }
    cfg_ref *c = calloc(1, sizeof *c);
    if (c == NULL)
        goto fail;
    c->cfg = owner->t.cfg;
    c->owner = owner;
    c->refs = 1;
    memset(c->cfg.ticket_keys, 0, sizeof c->cfg.ticket_keys);
    if (s->o.ticket_keys != NULL) {
        if (ticket_keys_load(s->o.ticket_keys, c->cfg.ticket_keys, &c->cfg.ticket_key_count,
                             s->prog) != 0)
            goto fail;
    } else {
        c->cfg.ticket_keys[0] = s->random_key;
        c->cfg.ticket_key_count = 1;
    }
    if (s->kl.f != NULL) {
        c->cfg.keylog_fn = keylog_fn;
        c->cfg.keylog_user = &s->kl;
    }
    if (s->o.trace != TRACE_NONE) {
        c->cfg.trace_fn = route_trace;
        c->cfg.trace_secrets = 1;
    }
    owner->refs++;
    return c;
fail:
    if (c != NULL) {
        tenon_wipe(c, sizeof *c);
        free(c);
    }
    if (owner != s->owner) {
        cli_tls_free(&owner->t);
        free(owner);
    }
    return NULL;
}

static void reload(server *s)
{
    cfg_ref *c = make_cfg(s, 1);
    if (c == NULL) {
        fprintf(stderr, "%s: SIGHUP: reload failed, the configuration in use stays\n", s->prog);
        return;
    }
    if (c->owner != s->owner) {
        owner_put(s->owner);
        s->owner = c->owner;
        s->owner->refs++;
    }
    cfg_put(s->cfg);
    s->cfg = c;
    fprintf(stderr, "%s: SIGHUP: reloaded (%s, %zu ticket key%s); open connections keep theirs\n",
            s->prog,
            s->o.ncerts > 0 ? "certificates and keys re-read" : "ephemeral certificate kept",
            c->cfg.ticket_key_count, c->cfg.ticket_key_count == 1 ? "" : "s");
}

/* --- the loop ------------------------------------------------------------------------------ */

static void start_stopping(server *s)
{
    s->stopping = 1;
    s->stop_deadline = now_ms() + s->o.shutdown_timeout_ms;
    if (s->lfd >= 0) {
        close(s->lfd);
        s->lfd = -1;
    }
    if (!s->o.quiet || s->nconns > 0)
        fprintf(stderr, "%s: stopping: close_notify to %ld connection%s\n", s->prog, s->nconns,
                s->nconns == 1 ? "" : "s");
    /* Walk a copy: finishing a connection reorders the heap. */
    size_t n = s->nheap;
    evconn **all = malloc((n ? n : 1) * sizeof *all);
    if (all == NULL)
        return;
    memcpy(all, s->heap, n * sizeof *all);
    for (size_t i = 0; i < n; i++) {
        evconn *c = all[i];
        if (c->state == ST_HANDSHAKE) {
            finish(s, c);
        } else if (c->state == ST_OPEN) {
            c->want_close = 1;
            if (c->queue == Q_NONE)
                make_ready(s, c);
        }
    }
    free(all);
}

static int serve_loop(server *s)
{
    struct epoll_event evs[256];
    sigset_t unblocked;
    sigprocmask(SIG_SETMASK, NULL, &unblocked);
    our_signals(&unblocked, 0, 0);
    for (;;) {
        if (sig_term && !s->stopping)
            start_stopping(s);
        if (sig_hup) {
            sig_hup = 0;
            reload(s);
        }
        if (sig_usr1) {
            sig_usr1 = 0;
            print_stats(s, "");
        }
        if (s->stopping && (s->nconns == 0 || now_ms() >= s->stop_deadline)) {
            while (s->nheap > 0)
                finish(s, s->heap[0]);
            return 0;
        }
        if (s->o.exit_after > 0 && s->st.accepted >= s->o.exit_after && s->nconns == 0)
            return s->st.failures > 0 ? EXIT_TLS : 0;
        set_accepting(s, can_accept(s));
        int64_t now = now_ms(), wait = -1;
        if (s->ready_head != NULL)
            wait = 0;
        else if (s->nheap > 0)
            wait = s->heap[0]->deadline > now ? s->heap[0]->deadline - now : 0;
        if (s->stopping) {
            int64_t left = s->stop_deadline > now ? s->stop_deadline - now : 0;
            if (wait < 0 || left < wait)
                wait = left;
        }
        int n = epoll_pwait(s->ep, evs, 256, (int)(wait > 60000 ? 60000 : wait), &unblocked);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "%s: epoll_wait: %s\n", s->prog, strerror(errno));
            return EXIT_TLS;
        }
        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr == &LISTENER) {
                accept_batch(s);
                continue;
            }
            evconn *c = evs[i].data.ptr;
            if (c->queue != Q_WAIT)
                drive(s, c);
        }
        /* Connections with work left, or that just got a pair: the list as it is now (those
         * queued while it is walked wait for the next turn). */
        evconn *r = s->ready_head, *last = s->ready_tail;
        while (r != NULL) {
            evconn *next = r == last ? NULL : r->qnext;
            q_remove(s, r);
            drive(s, r);
            r = next;
        }
        now = now_ms();
        while (s->nheap > 0 && s->heap[0]->deadline <= now)
            on_timeout(s, s->heap[0]);
    }
}

static int listen_on(const char *spec, int reuseport, char *shown, size_t shown_cap,
                     const char *prog)
{
    char host[256], port[16];
    if (split_host_port(spec, host, sizeof host, port, sizeof port) != 0) {
        fprintf(stderr, "%s: --listen '%s' is not HOST:PORT\n", prog, spec);
        return -1;
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int g = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
    if (g != 0) {
        fprintf(stderr, "%s: cannot resolve %s: %s\n", prog, host, gai_strerror(g));
        return -1;
    }
    int fd =
        socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, res->ai_protocol);
    int one = 1;
    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (reuseport)
            setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    }
    if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
        fprintf(stderr, "%s: cannot listen on %s: %s\n", prog, spec, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    snprintf(shown, shown_cap, "%s:%s", host[0] ? host : "*", port);
    return fd;
}

/* One process's server: listens, tells ready_fd (workers) or prints "listening on", serves. */
static int serve(const cli_opts *o, tls_owner *owner, const char *prog, int worker, int ready_fd)
{
    server *s = calloc(1, sizeof *s);
    if (s == NULL)
        return EXIT_TLS;
    s->o = *o;
    s->worker = worker;
    snprintf(s->prog, sizeof s->prog, "%s", prog);
    s->owner = owner;
    owner->refs++;
    s->lfd = s->ep = -1;
    int status = EXIT_TLS;
    struct rlimit rl;
    long fd_room = 1024;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
        fd_room = rl.rlim_cur == RLIM_INFINITY ? 1000000 : (long)rl.rlim_cur;
    s->max_conns = fd_room - 32;
    if (o->max_connections > 0 && o->max_connections < s->max_conns)
        s->max_conns = o->max_connections;
    else if (o->max_connections > s->max_conns)
        fprintf(stderr, "%s: --max-connections %ld: the file descriptor limit (%ld) allows %ld\n",
                prog, o->max_connections, fd_room, s->max_conns);
    s->pool.max = o->max_active > 0 ? (size_t)o->max_active : DEFAULT_MAX_ACTIVE;
    s->pool.in_len = net_in_len((size_t)o->record_size_limit);
    if (tenon_random(&s->random_key, sizeof s->random_key) != 0)
        goto out;
    const char *kl = o->keylog ? o->keylog : getenv("SSLKEYLOGFILE");
    status = EXIT_USAGE;
    if (keylog_open(&s->kl, kl, prog) != 0)
        goto out;
    s->cfg = make_cfg(s, 0);
    if (s->cfg == NULL)
        goto out;
    status = EXIT_TLS;
    char shown[300];
    s->lfd = listen_on(o->listen ? o->listen : "127.0.0.1:8443", o->workers > 0, shown,
                       sizeof shown, prog);
    s->ep = epoll_create1(EPOLL_CLOEXEC);
    if (s->lfd < 0 || s->ep < 0)
        goto out;
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = &LISTENER};
    if (epoll_ctl(s->ep, EPOLL_CTL_ADD, s->lfd, &e) != 0)
        goto out;
    s->accepting = 1;
    if (ready_fd >= 0) {
        char one = 1;
        if (write(ready_fd, &one, 1) != 1)
            goto out;
        close(ready_fd);
    } else {
        fprintf(stderr, "%s: listening on %s (%s; at most %ld connections, %zu active)\n", prog,
                shown, o->http ? "HTTP page" : "echo", s->max_conns, s->pool.max);
    }
    status = serve_loop(s);
    if (!o->quiet || o->exit_after == 0)
        print_stats(s, " at exit");
    if (!o->quiet)
        fprintf(stderr, "%s: %ld connection%s, %ld failed\n", prog, s->st.accepted,
                s->st.accepted == 1 ? "" : "s", s->st.failures);
out:
    if (s->lfd >= 0)
        close(s->lfd);
    if (s->ep >= 0)
        close(s->ep);
    cfg_put(s->cfg);
    owner_put(s->owner);
    pool_free(&s->pool);
    free(s->heap);
    keylog_close(&s->kl);
    tenon_wipe(&s->random_key, sizeof s->random_key);
    free(s);
    return status;
}

/* --- --workers: the supervisor ----------------------------------------------------------- */

static pid_t start_worker(const cli_opts *o, tls_owner *owner, int i, int ready_fd,
                          const sigset_t *mask)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    char prog[48];
    snprintf(prog, sizeof prog, "tenon server[w%d]", i + 1);
    signal(SIGCHLD, SIG_DFL);
    sigprocmask(SIG_SETMASK, mask, NULL);
    int st = serve(o, owner, prog, i + 1, ready_fd);
    fflush(stdout);
    _exit(st);
}

static int supervise(const cli_opts *o, tls_owner *owner, const sigset_t *mask)
{
    int n = o->workers;
    pid_t pids[64];
    int done[64] = {0}, bad = 0;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return EXIT_TLS;
    for (int i = 0; i < n; i++)
        pids[i] = start_worker(o, owner, i, fds[1], mask);
    close(fds[1]);
    /* Each worker writes one byte once it listens; EOF first means one could not. */
    int ready = 0;
    char c;
    while (ready < n && read(fds[0], &c, 1) == 1)
        ready++;
    close(fds[0]);
    if (ready < n) {
        fprintf(stderr, "tenon server: a worker could not start\n");
        for (int i = 0; i < n; i++)
            kill(pids[i], SIGTERM);
        while (wait(NULL) > 0)
            ;
        return EXIT_TLS;
    }
    fprintf(stderr, "tenon server: listening on %s (%s; %d workers, pids",
            o->listen ? o->listen : "127.0.0.1:8443", o->http ? "HTTP page" : "echo", n);
    for (int i = 0; i < n; i++)
        fprintf(stderr, " %d", (int)pids[i]);
    fprintf(stderr, ")\n");
    sigset_t waitmask;
    sigprocmask(SIG_SETMASK, NULL, &waitmask);
    our_signals(&waitmask, 0, 1);
    int stopping = 0, left = n;
    while (left > 0) {
        if (!sig_term && !sig_hup && !sig_usr1 && !sig_chld)
            sigsuspend(&waitmask);
        volatile sig_atomic_t *flags[] = {&sig_term, &sig_hup, &sig_usr1};
        static const int SIGS[] = {SIGTERM, SIGHUP, SIGUSR1};
        for (int k = 0; k < 3; k++) {
            if (!*flags[k])
                continue;
            *flags[k] = 0;
            stopping |= k == 0;
            for (int i = 0; i < n; i++)
                if (!done[i])
                    kill(pids[i], SIGS[k]);
        }
        sig_chld = 0;
        int ws;
        pid_t pid;
        while ((pid = waitpid(-1, &ws, WNOHANG)) > 0) {
            for (int i = 0; i < n; i++) {
                if (pids[i] != pid || done[i])
                    continue;
                int clean = WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
                if (!stopping && !clean && !(WIFEXITED(ws) && o->exit_after > 0)) {
                    fprintf(stderr, "tenon server: worker %d (pid %d) %s %d: restarted\n", i + 1,
                            (int)pid, WIFSIGNALED(ws) ? "died of signal" : "exited with",
                            WIFSIGNALED(ws) ? WTERMSIG(ws) : WEXITSTATUS(ws));
                    pids[i] = start_worker(o, owner, i, -1, mask);
                    continue;
                }
                if (!clean)
                    bad = 1;
                done[i] = 1;
                left--;
            }
        }
    }
    return bad ? EXIT_TLS : 0;
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
    cli_opts o;
    int status = opts_parse(&o, "server", argc, argv);
    if (status != 0)
        return status == 1 ? 0 : status;
    if (o.ticket_keys_new != NULL)
        return ticket_keys_generate(o.ticket_keys_new, "tenon server");
    /* Each connection is a descriptor: as many as the hard limit allows. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
    tls_owner *owner = calloc(1, sizeof *owner);
    if (owner == NULL)
        return EXIT_TLS;
    owner->refs = 1;
    status = cli_tls_setup(&owner->t, &o, TENON_SERVER, NULL, "tenon server");
    if (status == 0 && o.ticket_keys != NULL) {
        /* Checked now, so that a bad file is a usage error before anything listens. */
        tenon_ticket_key k[TENON_MAX_TICKET_KEYS];
        size_t cnt;
        if (ticket_keys_load(o.ticket_keys, k, &cnt, "tenon server") != 0)
            status = EXIT_USAGE;
        tenon_wipe(k, sizeof k);
    }
    if (status != 0) {
        owner_put(owner);
        return status;
    }
    if (owner->t.has_ephemeral)
        print_ephemeral("no --cert/--key: using an ephemeral ECDSA P-256", owner->t.ephemeral_fp);
    if (owner->t.has_ephemeral_rsa)
        print_ephemeral("and, for the RSA suites, an ephemeral RSA-2048",
                        owner->t.ephemeral_rsa_fp);
    signal(SIGPIPE, SIG_IGN);
    /* The signals are blocked but while the loop waits (epoll_pwait, sigsuspend): a signal
     * never falls between a check of its flag and the wait. */
    sigset_t block, old;
    sigemptyset(&block);
    our_signals(&block, 1, 1);
    sigprocmask(SIG_BLOCK, &block, &old);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    if (o.workers > 0) {
        sigaction(SIGCHLD, &sa, NULL);
        sigset_t worker_mask = old;
        our_signals(&worker_mask, 1, 0);
        status = supervise(&o, owner, &worker_mask);
    } else {
        status = serve(&o, owner, "tenon server", 0, -1);
    }
    owner_put(owner);
    return status;
}
