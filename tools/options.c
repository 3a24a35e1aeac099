/*
 * Option parsing for every command: long options only ("--name value" or "--name=value"), each
 * command accepting the ones its help lists. Anything else is refused with the reason and exit
 * status 2, before any network or file activity.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Which commands take an option. */
#define C_CLIENT 1u
#define C_SERVER 2u
#define C_TRACE 4u
#define C_DEMO 8u
#define C_CONNECT (C_CLIENT | C_TRACE)
#define C_TLS (C_CLIENT | C_SERVER | C_TRACE)
#define C_ALL (C_TLS | C_DEMO)

typedef enum {
    O_SERVERNAME,
    O_ALPN,
    O_TLS12,
    O_TLS13,
    O_ENABLE_LEGACY,
    O_NO_EMS,
    O_GROUPS,
    O_SUITES,
    O_CERT,
    O_KEY,
    O_CA,
    O_KEYLOG,
    O_RESUME,
    O_TRACE,
    O_SHOW_SECRETS,
    O_INSECURE,
    O_LISTEN,
    O_ECHO,
    O_HTTP,
    O_VERIFY_CLIENT,
    O_MAX_CONN,
    O_TIMEOUT,
    O_QUIET,
    O_OCSP,
    O_HTML,
    O_EXIT_AFTER,
    O_MAX_ACTIVE,
    O_IDLE_TIMEOUT,
    O_WRITE_TIMEOUT,
    O_SHUTDOWN_TIMEOUT,
    O_WORKERS,
    O_TICKET_KEYS,
    O_TICKET_KEYS_NEW,
    O_STATUS,
    O_RECORD_SIZE_LIMIT,
} opt_id;

typedef struct opt_def {
    const char *name;
    opt_id id;
    int has_arg;
    unsigned commands;
} opt_def;

static const opt_def OPTS[] = {
    {"servername", O_SERVERNAME, 1, C_CONNECT},
    {"alpn", O_ALPN, 1, C_TLS},
    {"tls1.2", O_TLS12, 0, C_ALL},
    {"tls1.3", O_TLS13, 0, C_ALL},
    {"enable-legacy", O_ENABLE_LEGACY, 0, C_ALL},
    {"no-ems", O_NO_EMS, 0, C_ALL},
    {"groups", O_GROUPS, 1, C_ALL},
    {"suites", O_SUITES, 1, C_ALL},
    {"cert", O_CERT, 1, C_TLS},
    {"key", O_KEY, 1, C_TLS},
    {"ca", O_CA, 1, C_TLS},
    {"keylog", O_KEYLOG, 1, C_ALL},
    {"resume", O_RESUME, 0, C_CONNECT},
    {"trace", O_TRACE, 1, C_ALL},
    {"show-secrets", O_SHOW_SECRETS, 0, C_ALL},
    {"insecure", O_INSECURE, 0, C_CONNECT},
    {"listen", O_LISTEN, 1, C_SERVER},
    {"echo", O_ECHO, 0, C_SERVER},
    {"http", O_HTTP, 0, C_SERVER},
    {"verify-client", O_VERIFY_CLIENT, 0, C_SERVER},
    {"max-connections", O_MAX_CONN, 1, C_SERVER},
    {"timeout", O_TIMEOUT, 1, C_TLS},
    {"quiet", O_QUIET, 0, C_ALL},
    {"ocsp", O_OCSP, 1, C_SERVER},
    {"html", O_HTML, 1, C_DEMO},
    {"exit-after", O_EXIT_AFTER, 1, C_SERVER},
    {"max-active", O_MAX_ACTIVE, 1, C_SERVER},
    {"idle-timeout", O_IDLE_TIMEOUT, 1, C_SERVER},
    {"write-timeout", O_WRITE_TIMEOUT, 1, C_SERVER},
    {"shutdown-timeout", O_SHUTDOWN_TIMEOUT, 1, C_SERVER},
    {"workers", O_WORKERS, 1, C_SERVER},
    {"ticket-keys", O_TICKET_KEYS, 1, C_SERVER},
    {"ticket-keys-generate", O_TICKET_KEYS_NEW, 1, C_SERVER},
    {"status", O_STATUS, 1, C_SERVER},
    {"record-size-limit", O_RECORD_SIZE_LIMIT, 1, C_TLS},
};

static unsigned command_bit(const char *command)
{
    if (strcmp(command, "client") == 0)
        return C_CLIENT;
    if (strcmp(command, "server") == 0)
        return C_SERVER;
    if (strcmp(command, "trace") == 0)
        return C_TRACE;
    return C_DEMO;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == 0 || *end != 0 || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int opts_parse(cli_opts *o, const char *command, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->command = command;
    o->timeout_ms = 10000;
    o->idle_timeout_ms = 120000;
    o->write_timeout_ms = 30000;
    o->shutdown_timeout_ms = 5000;
    unsigned bit = command_bit(command);
    int positional = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return 1;
        if (strncmp(a, "--", 2) != 0 || a[2] == 0) {
            if ((bit & C_CONNECT) && positional == 0) {
                o->target = a;
                positional++;
                continue;
            }
            fprintf(stderr, "tenon %s: unexpected argument '%s' (see tenon %s --help)\n", command,
                    a, command);
            return EXIT_USAGE;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        const opt_def *d = NULL;
        for (size_t k = 0; k < sizeof OPTS / sizeof OPTS[0]; k++)
            if (strlen(OPTS[k].name) == nlen && strncmp(OPTS[k].name, name, nlen) == 0)
                d = &OPTS[k];
        if (d == NULL || !(d->commands & bit)) {
            fprintf(stderr, "tenon %s: unknown option '%.*s' (see tenon %s --help)\n", command,
                    (int)(nlen + 2), a, command);
            return EXIT_USAGE;
        }
        const char *arg = NULL;
        if (d->has_arg) {
            if (eq != NULL)
                arg = eq + 1;
            else if (i + 1 < argc)
                arg = argv[++i];
            else {
                fprintf(stderr, "tenon %s: option --%s needs a value\n", command, d->name);
                return EXIT_USAGE;
            }
        } else if (eq != NULL) {
            fprintf(stderr, "tenon %s: option --%s takes no value\n", command, d->name);
            return EXIT_USAGE;
        }
        long v;
        switch (d->id) {
        case O_SERVERNAME:
            o->servername = arg;
            break;
        case O_ALPN:
            o->alpn = arg;
            break;
        case O_TLS12:
            o->tls12_only = 1;
            break;
        case O_TLS13:
            o->tls13_only = 1;
            break;
        case O_ENABLE_LEGACY:
            o->enable_legacy = 1;
            break;
        case O_NO_EMS:
            o->no_ems = 1;
            break;
        case O_GROUPS:
            o->groups = arg;
            break;
        case O_SUITES:
            o->suites = arg;
            break;
        case O_CERT:
        case O_KEY: {
            int *n = d->id == O_CERT ? &o->ncerts : &o->nkeys;
            if (*n >= CLI_MAX_CERTS) {
                fprintf(stderr, "tenon %s: at most %d --%s options\n", command, CLI_MAX_CERTS,
                        d->name);
                return EXIT_USAGE;
            }
            (d->id == O_CERT ? o->certs : o->keys)[(*n)++] = arg;
            break;
        }
        case O_CA:
            o->ca = arg;
            break;
        case O_KEYLOG:
            o->keylog = arg;
            break;
        case O_RESUME:
            o->resume = 1;
            break;
        case O_TRACE:
            if (strcmp(arg, "tree") == 0)
                o->trace = TRACE_TREE;
            else if (strcmp(arg, "mermaid") == 0)
                o->trace = TRACE_MERMAID;
            else if (strcmp(arg, "json") == 0)
                o->trace = TRACE_JSON;
            else if (strcmp(arg, "keysched") == 0)
                o->trace = TRACE_KEYSCHED;
            else if (strcmp(arg, "html") == 0)
                o->trace = TRACE_HTML;
            else {
                fprintf(
                    stderr,
                    "tenon %s: unknown trace format '%s' (tree, mermaid, keysched, html or json)\n",
                    command, arg);
                return EXIT_USAGE;
            }
            break;
        case O_HTML:
            o->html = arg;
            break;
        case O_SHOW_SECRETS:
            o->show_secrets = 1;
            break;
        case O_INSECURE:
            o->insecure = 1;
            break;
        case O_LISTEN:
            o->listen = arg;
            break;
        case O_ECHO:
            o->http = 0;
            break;
        case O_HTTP:
            o->http = 1;
            break;
        case O_VERIFY_CLIENT:
            o->verify_client = 1;
            break;
        case O_MAX_CONN:
            if (parse_long(arg, 1, 1000000, &v) != 0) {
                fprintf(stderr, "tenon %s: --max-connections needs a number from 1, got '%s'\n",
                        command, arg);
                return EXIT_USAGE;
            }
            o->max_connections = v;
            break;
        case O_EXIT_AFTER:
        case O_MAX_ACTIVE:
        case O_WORKERS:
            if (parse_long(arg, 1, d->id == O_WORKERS ? 64 : 1000000, &v) != 0) {
                fprintf(stderr, "tenon %s: --%s needs a number from 1 to %d, got '%s'\n", command,
                        d->name, d->id == O_WORKERS ? 64 : 1000000, arg);
                return EXIT_USAGE;
            }
            if (d->id == O_EXIT_AFTER)
                o->exit_after = v;
            else if (d->id == O_MAX_ACTIVE)
                o->max_active = v;
            else
                o->workers = (int)v;
            break;
        case O_IDLE_TIMEOUT:
        case O_WRITE_TIMEOUT:
        case O_SHUTDOWN_TIMEOUT:
            if (parse_long(arg, 1, 86400, &v) != 0) {
                fprintf(stderr, "tenon %s: --%s needs seconds (1 to 86400), got '%s'\n", command,
                        d->name, arg);
                return EXIT_USAGE;
            }
            *(d->id == O_IDLE_TIMEOUT    ? &o->idle_timeout_ms
              : d->id == O_WRITE_TIMEOUT ? &o->write_timeout_ms
                                         : &o->shutdown_timeout_ms) = (int)(v * 1000);
            break;
        case O_TICKET_KEYS:
            o->ticket_keys = arg;
            break;
        case O_TICKET_KEYS_NEW:
            o->ticket_keys_new = arg;
            break;
        case O_STATUS:
            o->status = arg;
            break;
        case O_TIMEOUT:
            if (parse_long(arg, 1, 3600, &v) != 0) {
                fprintf(stderr, "tenon %s: --timeout needs seconds (1 to 3600), got '%s'\n",
                        command, arg);
                return EXIT_USAGE;
            }
            o->timeout_ms = (int)(v * 1000);
            break;
        case O_OCSP:
            o->ocsp = arg;
            break;
        case O_QUIET:
            o->quiet = 1;
            break;
        case O_RECORD_SIZE_LIMIT:
            /* RFC 8449 §4: "Endpoints MUST NOT send a "record_size_limit" extension with a
             * value smaller than 64"; 2^14 + 1 is TLS 1.3's largest (the type byte). */
            if (parse_long(arg, 64, 16385, &v) != 0) {
                fprintf(stderr,
                        "tenon %s: --record-size-limit needs a number from 64 to 16385, got '%s'\n",
                        command, arg);
                return EXIT_USAGE;
            }
            o->record_size_limit = v;
            break;
        }
    }
    if ((bit & C_CONNECT) && o->target == NULL) {
        fprintf(stderr, "tenon %s: which server? give HOST:PORT (see tenon %s --help)\n", command,
                command);
        return EXIT_USAGE;
    }
    if (o->ncerts != o->nkeys) {
        fprintf(stderr, "tenon %s: each --cert needs its --key (%d certificates, %d keys)\n",
                command, o->ncerts, o->nkeys);
        return EXIT_USAGE;
    }
    if (o->tls12_only && o->tls13_only) {
        fprintf(stderr, "tenon %s: --tls1.2 and --tls1.3 exclude each other\n", command);
        return EXIT_USAGE;
    }
    return 0;
}

/* "host:port", "[v6]:port"; the host may be empty for a server ("":8443 = 127.0.0.1). */
int split_host_port(const char *s, char *host, size_t host_cap, char *port, size_t port_cap)
{
    const char *colon;
    const char *h = s;
    size_t hlen;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (close == NULL || close[1] != ':')
            return -1;
        h = s + 1;
        hlen = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL)
            return -1;
        hlen = (size_t)(colon - s);
    }
    const char *p = colon + 1;
    long v;
    if (parse_long(p, 1, 65535, &v) != 0 || hlen >= host_cap || strlen(p) >= port_cap)
        return -1;
    memcpy(host, h, hlen);
    host[hlen] = 0;
    strcpy(port, p);
    return 0;
}
