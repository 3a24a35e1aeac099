/*
 * The blocking socket adapter: drives a tenon engine over a connected socket with poll(2), every
 * call bounded by its timeout. It holds no state of its own: bytes are received straight into the
 * engine's record buffer (tenon_conn_input_space), no more than the engine takes, so nothing is
 * ever buffered here.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "tenon/tls.h"

#include "../common.h"

/* Each call has one deadline, timeout_ms after it starts: a peer that sends a byte now and
 * then cannot keep a call going for ever. A negative timeout_ms waits without end, as poll(2)
 * does. */
#define NO_DEADLINE INT64_MAX

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t deadline_in(int timeout_ms)
{
    return timeout_ms < 0 ? NO_DEADLINE : now_ms() + timeout_ms;
}

/* Waits for events on fd until the deadline; TENON_ERR_FILE_IO on timeout or error. Past the
 * deadline no more input is taken, even if some is waiting: a peer that keeps the socket
 * readable with records that carry no data must not keep a call going. Output still goes out
 * once (poll with no wait): the alert of a failure, after the deadline too. */
static int wait_fd(int fd, short events, int64_t deadline)
{
    struct pollfd p = {fd, events, 0};
    for (;;) {
        int64_t left = deadline == NO_DEADLINE ? -1 : deadline - now_ms();
        if (deadline != NO_DEADLINE && left < 0) {
            if (events & POLLIN)
                return TENON_ERR_FILE_IO;
            left = 0;
        }
        int n = poll(&p, 1, (int)left);
        if (n > 0)
            return TENON_OK;
        if (n == 0)
            return TENON_ERR_FILE_IO;
        if (errno != EINTR)
            return TENON_ERR_FILE_IO;
    }
}

/* Sends everything the engine has queued. */
static int flush(tenon_conn *conn, int fd, int64_t deadline)
{
    for (;;) {
        const uint8_t *p;
        size_t n;
        tenon_conn_output(conn, &p, &n);
        if (n == 0)
            return TENON_OK;
        GUARD(wait_fd(fd, POLLOUT, deadline));
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
                continue;
            return TENON_ERR_FILE_IO;
        }
        tenon_conn_output_consume(conn, (size_t)w);
    }
}

/* A call ends in error: whatever the engine queued (its alert) goes out first, within the
 * same deadline (RFC 8446 §6.2: the alert is sent "and [then] close the connection"). */
static int fail(tenon_conn *conn, int fd, int64_t deadline, int rc)
{
    (void)flush(conn, fd, deadline);
    return rc;
}

/* Gives the engine what the socket has (at least one byte, or the EOF). The bytes are received
 * straight into the engine's record buffer (tenon_conn_input_space): no copy of ours, and the
 * socket gives up only what the engine takes. */
static int pull(tenon_conn *conn, int fd, int64_t deadline)
{
    uint8_t *space;
    size_t cap;
    GUARD(wait_fd(fd, POLLIN, deadline));
    GUARD(tenon_conn_input_space(conn, &space, &cap));
    /* step() pulls only when the engine wants input, and then it has room. */
    ENSURE(cap > 0, TENON_ERR_INTERNAL);
    ssize_t got = recv(fd, space, cap, MSG_DONTWAIT);
    if (got < 0)
        return (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) ? TENON_OK
                                                                           : TENON_ERR_FILE_IO;
    if (got == 0)
        return tenon_conn_transport_eof(conn);
    return tenon_conn_input_commit(conn, (size_t)got);
}

/* One step of progress: send, or take input. A state that asks for neither cannot move on:
 * an error, never a loop. */
static int step(tenon_conn *conn, int fd, int64_t deadline)
{
    unsigned st = tenon_conn_status(conn);
    if (st & TENON_HAS_OUTPUT)
        return flush(conn, fd, deadline);
    if (st & TENON_FAILED)
        return tenon_conn_error(conn);
    if (st & TENON_WANT_INPUT)
        return pull(conn, fd, deadline);
    /* A record held back while output was pending is processed by an empty feed. */
    size_t used;
    GUARD(tenon_conn_feed(conn, NULL, 0, &used));
    if (tenon_conn_status(conn) != st)
        return TENON_OK;
    return (st & TENON_PEER_CLOSED) ? TENON_ERR_TLS_CLOSED : TENON_ERR_INTERNAL;
}

/* Runs the handshake until it is done and its last flight sent. */
static int handshake(tenon_conn *conn, int fd, int64_t deadline)
{
    for (;;) {
        unsigned st = tenon_conn_status(conn);
        if ((st & TENON_HANDSHAKE_DONE) && !(st & TENON_HAS_OUTPUT))
            return TENON_OK;
        GUARD(step(conn, fd, deadline));
    }
}

TENON_API int tenon_io_handshake(tenon_conn *conn, int fd, int timeout_ms)
{
    int64_t deadline = deadline_in(timeout_ms);
    int rc = handshake(conn, fd, deadline);
    return rc == TENON_OK ? rc : fail(conn, fd, deadline, rc);
}

TENON_API int tenon_io_write(tenon_conn *conn, int fd, const void *data, size_t len, int timeout_ms)
{
    int64_t deadline = deadline_in(timeout_ms);
    const uint8_t *p = data;
    size_t done = 0;
    int rc = TENON_OK;
    /* As SSL_write does, a write on a connection still in its handshake completes it first
     * (callers that never call tenon_io_handshake); a failed one reports its error below. */
    if (!(tenon_conn_status(conn) & (TENON_HANDSHAKE_DONE | TENON_FAILED)))
        rc = handshake(conn, fd, deadline);
    while (rc == TENON_OK && done < len) {
        size_t w = 0;
        rc = tenon_conn_write(conn, p + done, len - done, &w);
        done += w;
        if (rc == TENON_OK)
            rc = flush(conn, fd, deadline);
    }
    if (rc == TENON_OK)
        rc = flush(conn, fd, deadline);
    return rc == TENON_OK ? rc : fail(conn, fd, deadline, rc);
}

TENON_API int tenon_io_read(tenon_conn *conn, int fd, void *buf, size_t cap, size_t *n,
                            int timeout_ms)
{
    ENSURE(n != NULL, TENON_ERR_INVALID_ARGUMENT);
    int64_t deadline = deadline_in(timeout_ms);
    *n = 0;
    for (;;) {
        int rc = tenon_conn_read(conn, buf, cap, n);
        if (rc != TENON_OK && rc != TENON_ERR_TLS_CLOSED)
            return fail(conn, fd, deadline, rc);
        if (rc != TENON_OK || *n > 0 || cap == 0)
            return rc;
        rc = step(conn, fd, deadline);
        if (rc != TENON_OK)
            return fail(conn, fd, deadline, rc);
    }
}

TENON_API int tenon_io_close(tenon_conn *conn, int fd, int timeout_ms)
{
    int64_t deadline = deadline_in(timeout_ms);
    int rc = tenon_conn_close(conn);
    if (rc == TENON_ERR_BUFFER_TOO_SMALL) {
        /* No room for close_notify yet: send what is queued, then it fits. */
        rc = flush(conn, fd, deadline);
        if (rc == TENON_OK)
            rc = tenon_conn_close(conn);
    }
    if (rc != TENON_OK)
        return fail(conn, fd, deadline, rc);
    return flush(conn, fd, deadline);
}
