/*
 * The NSS key log (--keylog FILE, SSLKEYLOGFILE): the engine formats each line
 * ("CLIENT_HANDSHAKE_TRAFFIC_SECRET <client_random> <secret>") and the tool appends it, flushed
 * at once so Wireshark or a test can read the file while the connection is still open.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

int keylog_open(keylog *k, const char *path, const char *prog)
{
    k->f = NULL;
    if (path == NULL || path[0] == 0)
        return 0;
    /* The file holds secrets: readable by its owner only when tenon creates it. */
    mode_t old = umask(077);
    k->f = fopen(path, "a");
    umask(old);
    if (k->f == NULL) {
        fprintf(stderr, "%s: cannot open the key log file %s: %s\n", prog, path, strerror(errno));
        return -1;
    }
    return 0;
}

void keylog_fn(void *user, const char *line)
{
    keylog *k = user;
    if (k == NULL || k->f == NULL)
        return;
    fprintf(k->f, "%s\n", line);
    fflush(k->f);
}

void keylog_close(keylog *k)
{
    if (k->f != NULL)
        fclose(k->f);
    k->f = NULL;
}

void describe_failure(const char *prog, const char *what, int err, const tenon_conn *conn)
{
    int cert = err <= TENON_ERR_CERT_MALFORMED && err >= TENON_ERR_DER_TOO_DEEP;
    fprintf(stderr, "%s: %s failed: %s%s\n", prog, what,
            cert ? "the peer's certificate did not verify: " : "", tenon_strerror(err));
    if (conn == NULL)
        return;
    int peer = tenon_conn_peer_alert(conn);
    if (err == TENON_ERR_TLS_PEER_ALERT && peer >= 0)
        fprintf(stderr, "%s: the peer sent the fatal alert %s (%d)\n", prog, tenon_alert_name(peer),
                peer);
    int sticky = tenon_conn_error(conn);
    if (sticky != 0 && sticky != err)
        fprintf(stderr, "%s: the connection's error: %s\n", prog, tenon_strerror(sticky));
    /* Only an engine error has an alert: a socket error or a timeout sends nothing. */
    int alert = sticky != 0 ? tenon_error_alert(sticky) : -1;
    if (alert >= 0)
        fprintf(stderr, "%s: tenon sent the alert %s (%d) to the peer\n", prog,
                tenon_alert_name(alert), alert);
    /* A failed negotiation (the alerts RFC 8446 §4.1.1 and §6.2 name for it): what the peer
     * offered. */
    if (alert == TENON_ALERT_HANDSHAKE_FAILURE || alert == TENON_ALERT_PROTOCOL_VERSION)
        describe_offer(prog, conn);
}
