/*
 * Driving an engine over a non-blocking socket, for loops that wait on several things at once
 * (the client's stdin and socket, the server's many clients). Bytes received and not yet taken
 * by the engine stay in rbuf; the engine's output is sent as the socket accepts it.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "netio.h"

size_t net_in_len(size_t record_size_limit)
{
    if (record_size_limit == 0)
        return TENON_CONN_IN_SIZE;
    /* RFC 8449 §4: "Unprotected messages are not subject to this limit": a ClientHello with an
     * X25519MLKEM768 key share (tenon's, browsers'), a ServerHello with its ciphertext, are
     * over 1 KB in one record whatever the limit. */
    size_t room = record_size_limit > NET_HELLO_ROOM ? record_size_limit : NET_HELLO_ROOM;
    return (TENON_CONN_IN_MIN_FOR(room) + 63) & ~(size_t)63;
}

int net_init(netconn *n, const tenon_config *cfg, int fd)
{
    memset(n, 0, sizeof *n);
    n->fd = fd;
    size_t in_len = net_in_len(cfg->record_size_limit);
    n->in = malloc(in_len);
    n->out = malloc(TENON_CONN_OUT_SIZE);
    /* tenon_conn needs 16-byte alignment, which malloc gives. */
    n->conn = malloc(sizeof *n->conn);
    if (n->in == NULL || n->out == NULL || n->conn == NULL)
        return TENON_ERR_BUFFER_TOO_SMALL;
    return tenon_conn_init(n->conn, cfg, n->in, in_len, n->out, TENON_CONN_OUT_SIZE);
}

void net_free(netconn *n)
{
    if (n->conn != NULL)
        tenon_conn_wipe(n->conn);
    free(n->conn);
    free(n->in);
    free(n->out);
    if (n->fd >= 0)
        close(n->fd);
    memset(n, 0, sizeof *n);
    n->fd = -1;
}

int net_feed(netconn *n)
{
    /* Also with nothing buffered: a record held back while output was pending is processed
     * by a call with len 0. */
    size_t used = 0;
    int rc = tenon_conn_feed(n->conn, n->rbuf, n->rlen, &used);
    if (rc != 0)
        return rc;
    if (used > 0) {
        memmove(n->rbuf, n->rbuf + used, n->rlen - used);
        n->rlen -= used;
    }
    if (n->eof && n->rlen == 0 && !n->eof_told) {
        n->eof_told = 1;
        return tenon_conn_transport_eof(n->conn);
    }
    return 0;
}

int net_send_conn(tenon_conn *conn, int fd, int *progress)
{
    for (;;) {
        const uint8_t *p;
        size_t len;
        tenon_conn_output(conn, &p, &len);
        if (len == 0)
            return 0;
        ssize_t w = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        }
        tenon_conn_output_consume(conn, (size_t)w);
        if (progress != NULL)
            *progress = 1;
    }
}

int net_send(netconn *n)
{
    if (net_send_conn(n->conn, n->fd, NULL) == 0)
        return 0;
    n->sock_error = errno;
    return TENON_ERR_FILE_IO;
}

int net_flush(netconn *n, int timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    for (;;) {
        if (n->conn == NULL || n->fd < 0 || net_send(n) != 0)
            return TENON_ERR_FILE_IO;
        if (!(tenon_conn_status(n->conn) & TENON_HAS_OUTPUT))
            return 0;
        int64_t left = end - now_ms();
        struct pollfd p = {n->fd, POLLOUT, 0};
        if (left <= 0 || (poll(&p, 1, (int)left) < 0 && errno != EINTR))
            return TENON_ERR_FILE_IO;
    }
}

int net_discard_input(netconn *n)
{
    uint8_t scratch[4096];
    /* Bounded: a peer that sends without end is cut off by the caller's deadline. */
    for (int i = 0; i < 64; i++) {
        ssize_t r = recv(n->fd, scratch, sizeof scratch, MSG_DONTWAIT);
        if (r == 0)
            return 1;
        if (r < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : 1;
    }
    return 0;
}

void net_linger(netconn *n, int linger_ms)
{
    if (n->fd < 0)
        return;
    (void)shutdown(n->fd, SHUT_WR);
    int64_t end = now_ms() + linger_ms;
    while (!net_discard_input(n)) {
        int64_t left = end - now_ms();
        if (left <= 0)
            return;
        struct pollfd p = {n->fd, POLLIN, 0};
        int pr = poll(&p, 1, (int)left);
        if (pr == 0 || (pr < 0 && errno != EINTR))
            return;
    }
}

int net_recv(netconn *n)
{
    if (n->eof || n->rlen == sizeof n->rbuf)
        return 0;
    ssize_t r = recv(n->fd, n->rbuf + n->rlen, sizeof n->rbuf - n->rlen, MSG_DONTWAIT);
    if (r < 0) {
        if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        n->sock_error = errno;
        return TENON_ERR_FILE_IO;
    }
    if (r == 0)
        n->eof = 1;
    n->rlen += (size_t)r;
    return 0;
}

short net_events(const netconn *n)
{
    unsigned st = tenon_conn_status(n->conn);
    short ev = 0;
    if (!n->eof && n->rlen < sizeof n->rbuf)
        ev |= POLLIN;
    if (st & TENON_HAS_OUTPUT)
        ev |= POLLOUT;
    return ev;
}

int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int net_connect(const char *host, const char *port, int timeout_ms, char *why, size_t why_cap)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int g = getaddrinfo(host, port, &hints, &res);
    if (g != 0) {
        snprintf(why, why_cap, "cannot resolve %s: %s", host, gai_strerror(g));
        return -1;
    }
    int fd = -1, err = 0;
    for (struct addrinfo *a = res; a != NULL && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int fl = fcntl(fd, F_GETFL);
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
        if (connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
            err = errno;
            close(fd);
            fd = -1;
            continue;
        }
        struct pollfd p = {fd, POLLOUT, 0};
        int pr;
        do
            pr = poll(&p, 1, timeout_ms);
        while (pr < 0 && errno == EINTR);
        socklen_t len = sizeof err;
        if (pr == 0)
            err = ETIMEDOUT;
        else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
            err = errno;
        if (err != 0) {
            close(fd);
            fd = -1;
            continue;
        }
        /* The blocking adapter (tenon_io_*) expects a blocking socket. */
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    }
    freeaddrinfo(res);
    if (fd < 0)
        snprintf(why, why_cap, "cannot connect to %s port %s: %s", host, port,
                 strerror(err ? err : ECONNREFUSED));
    return fd;
}
