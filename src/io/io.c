/*
 * The blocking socket adapter: drives a tenon engine over a connected socket with poll(2), every
 * wait bounded. It holds no state of its own: bytes are read with MSG_PEEK, fed to the engine,
 * and only what the engine took is removed from the socket, so nothing is ever buffered here.
 */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "tenon/tls.h"

#include "../common.h"

#define IO_CHUNK 16384

/* Waits for events on fd; TENON_ERR_FILE_IO on timeout or error. */
static int wait_fd(int fd, short events, int timeout_ms)
{
    struct pollfd p = {fd, events, 0};
    for (;;) {
        int n = poll(&p, 1, timeout_ms);
        if (n > 0)
            return TENON_OK;
        if (n == 0)
            return TENON_ERR_FILE_IO;
        if (errno != EINTR)
            return TENON_ERR_FILE_IO;
    }
}

/* Sends everything the engine has queued. */
static int flush(tenon_conn *conn, int fd, int timeout_ms)
{
    for (;;) {
        const uint8_t *p;
        size_t n;
        tenon_conn_output(conn, &p, &n);
        if (n == 0)
            return TENON_OK;
        GUARD(wait_fd(fd, POLLOUT, timeout_ms));
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
                continue;
            return TENON_ERR_FILE_IO;
        }
        tenon_conn_output_consume(conn, (size_t)w);
    }
}

/* Gives the engine what the socket has (at least one byte, or the EOF). */
static int pull(tenon_conn *conn, int fd, int timeout_ms)
{
    uint8_t buf[IO_CHUNK];
    GUARD(wait_fd(fd, POLLIN, timeout_ms));
    ssize_t r = recv(fd, buf, sizeof buf, MSG_PEEK);
    if (r < 0)
        return (errno == EINTR || errno == EAGAIN) ? TENON_OK : TENON_ERR_FILE_IO;
    if (r == 0)
        return tenon_conn_transport_eof(conn);
    size_t used = 0;
    int rc = tenon_conn_feed(conn, buf, (size_t)r, &used);
    if (used > 0 && recv(fd, buf, used, 0) != (ssize_t)used)
        return TENON_ERR_FILE_IO;
    return rc;
}

/* One step of progress: send, or take input. */
static int step(tenon_conn *conn, int fd, int timeout_ms)
{
    unsigned st = tenon_conn_status(conn);
    if (st & TENON_HAS_OUTPUT)
        return flush(conn, fd, timeout_ms);
    if (st & TENON_FAILED)
        return tenon_conn_error(conn);
    if (st & TENON_WANT_INPUT)
        return pull(conn, fd, timeout_ms);
    size_t used;
    return tenon_conn_feed(conn, NULL, 0, &used);
}

TENON_API int tenon_io_handshake(tenon_conn *conn, int fd, int timeout_ms)
{
    for (;;) {
        unsigned st = tenon_conn_status(conn);
        if ((st & TENON_HANDSHAKE_DONE) && !(st & TENON_HAS_OUTPUT))
            return TENON_OK;
        int rc = step(conn, fd, timeout_ms);
        if (rc != TENON_OK) {
            (void)flush(conn, fd, timeout_ms); /* the alert, if any */
            return rc;
        }
    }
}

TENON_API int tenon_io_write(tenon_conn *conn, int fd, const void *data, size_t len, int timeout_ms)
{
    const uint8_t *p = data;
    size_t done = 0;
    while (done < len) {
        size_t w = 0;
        GUARD(tenon_conn_write(conn, p + done, len - done, &w));
        done += w;
        GUARD(flush(conn, fd, timeout_ms));
    }
    return flush(conn, fd, timeout_ms);
}

TENON_API int tenon_io_read(tenon_conn *conn, int fd, void *buf, size_t cap, size_t *n,
                            int timeout_ms)
{
    ENSURE(n != NULL, TENON_ERR_INVALID_ARGUMENT);
    *n = 0;
    for (;;) {
        int rc = tenon_conn_read(conn, buf, cap, n);
        if (rc != TENON_OK || *n > 0 || cap == 0)
            return rc;
        rc = step(conn, fd, timeout_ms);
        if (rc != TENON_OK) {
            (void)flush(conn, fd, timeout_ms);
            return rc;
        }
    }
}

TENON_API int tenon_io_close(tenon_conn *conn, int fd, int timeout_ms)
{
    GUARD(tenon_conn_close(conn));
    return flush(conn, fd, timeout_ms);
}
