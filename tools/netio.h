/* Engines over non-blocking sockets (netio.c). */
#ifndef TENON_CLI_NETIO_H
#define TENON_CLI_NETIO_H

#include <stdint.h>

#include "cli.h"

typedef struct netconn {
    tenon_conn *conn;
    int fd;
    uint8_t *in, *out;   /* the engine's buffers */
    uint8_t rbuf[16384]; /* received, not yet taken by the engine */
    size_t rlen;
    int eof, eof_told;
    int sock_error; /* errno of a failed send or recv */
} netconn;

/* The input buffer for a connection: TENON_CONN_IN_SIZE, or with a record_size_limit (RFC 8449)
 * one whose record area holds a record of that much plaintext, and at least NET_HELLO_ROOM
 * (the peer's hello, an unprotected record, is exempt from the limit); rounded up to 64 so that
 * a buffer placed after it stays aligned. */
#define NET_HELLO_ROOM 4096
size_t net_in_len(size_t record_size_limit);
int net_init(netconn *n, const tenon_config *cfg, int fd);
void net_free(netconn *n); /* closes fd */
int net_feed(netconn *n);
int net_send(netconn *n);
/* Sends what conn's output holds as far as fd (non-blocking) takes it; *progress set to 1 if
 * anything went (progress may be NULL). 0, or -1 with errno on a socket error. */
int net_send_conn(tenon_conn *conn, int fd, int *progress);
/* Sends all the engine's output (its alert, after a failure), waiting at most timeout_ms. */
int net_flush(netconn *n, int timeout_ms);
int net_recv(netconn *n);
/* The end of a connection whose last output has been sent: our direction ends (FIN after the
 * data), and what the peer still sends is read and dropped until its end arrives or linger_ms
 * pass (0: only what is already there). Closing a socket with unread input makes TCP reset the
 * connection, and a reset can destroy the alert just sent before the peer reads it. */
void net_linger(netconn *n, int linger_ms);
/* Reads and drops what the socket has now: 1 once the peer's end came (or the socket failed),
 * 0 while it may send more. */
int net_discard_input(netconn *n);
/* How long a failed connection lingers for its alert, at most. */
#define NET_LINGER_MS 1000
short net_events(const netconn *n);
int64_t now_ms(void);
/* A connected blocking TCP socket, or -1 with the reason in why. */
int net_connect(const char *host, const char *port, int timeout_ms, char *why, size_t why_cap);

#endif
