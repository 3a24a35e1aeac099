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

int net_init(netconn *n, const tenon_config *cfg, int fd);
void net_free(netconn *n); /* closes fd */
int net_feed(netconn *n);
int net_send(netconn *n);
/* Sends all the engine's output (its alert, after a failure), waiting at most timeout_ms. */
int net_flush(netconn *n, int timeout_ms);
int net_recv(netconn *n);
short net_events(const netconn *n);
int64_t now_ms(void);
/* A connected blocking TCP socket, or -1 with the reason in why. */
int net_connect(const char *host, const char *port, int timeout_ms, char *why, size_t why_cap);

#endif
