/*
 * tenon: connect, serve, and show how both sides of a TLS connection reach the same keys.
 * This file dispatches to the commands and holds the help texts.
 */
#include <string.h>

#include "cli.h"

static const char MAIN_HELP[] =
    "usage: tenon COMMAND [OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  demo               a TLS 1.3 (or, with --tls1.2, TLS 1.2) handshake between a client\n"
    "                     and a server in this process, with its trace: no network, no files\n"
    "  client HOST:PORT   connect, verify the server, then copy stdin to the connection and\n"
    "                     the connection to stdout\n"
    "  trace HOST:PORT    connect and print the handshake and key schedule of that connection\n"
    "  server             serve TLS clients (echo or a small HTTP page)\n"
    "  render FORMAT [FILE]  draw a trace saved with --trace json (from FILE or stdin) as\n"
    "                     tree, mermaid, keysched, html or json; --conn N for one connection "
    "only,\n"
    "                     --show-secrets for values (a trace saved with --show-secrets links\n"
    "                     the key schedule; one without has only its public values)\n"
    "  help [COMMAND]     this text, or a command's\n"
    "\n"
    "`tenon COMMAND --help` lists a command's options. Exit status: 0 success, 1 a TLS, network\n"
    "or verification failure, 2 bad use (options, files).\n";

static const char TRACE_OPTS[] =
    "  --trace FORMAT       print the handshake trace: tree (the flights and the key schedule),\n"
    "                       mermaid (a sequenceDiagram), keysched (the key schedule as a\n"
    "                       Mermaid flowchart), html (a self-contained report) or json (one\n"
    "                       object per line)\n"
    "  --show-secrets       print secret values in the trace (otherwise length and a fingerprint:\n"
    "                       the first 4 bytes of SHA-256 of the value)\n"
    "  --keylog FILE        append the NSS key log (also: the SSLKEYLOGFILE variable)\n";

static const char TLS_OPTS[] =
    "  --tls1.3             TLS 1.3 only\n"
    "  --tls1.2             TLS 1.2 only (default: both, TLS 1.3 preferred)\n"
    "  --groups LIST        key exchange groups in order: X25519MLKEM768, SecP256r1MLKEM768,\n"
    "                       SecP384r1MLKEM1024, x25519, secp256r1, secp384r1\n"
    "  --suites LIST        cipher suites in order, TLS 1.3 and TLS 1.2 ones in one list, by\n"
    "                       IANA name (TLS_AES_128_GCM_SHA256,\n"
    "                       TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, ...) or OpenSSL name\n"
    "                       (ECDHE-ECDSA-AES128-GCM-SHA256); a legacy suite (RSA key\n"
    "                       transport, CBC) is used only when named here\n"
    "  --enable-legacy      add the legacy TLS 1.2 suites after the others: TLS_RSA_WITH_*\n"
    "                       (no forward secrecy) and the AES-CBC + HMAC ones\n"
    "  --no-ems             TLS 1.2: accept a peer without the extended master secret\n"
    "                       (RFC 7627; required by default)\n"
    "  --alpn LIST          application protocols, comma-separated (h2,http/1.1)\n"
    "  --timeout SECONDS    bound on every network wait (default 10)\n"
    "  --record-size-limit N  RFC 8449: take protected records of at most N bytes of\n"
    "                       plaintext (64 .. 16385; TLS 1.3 counts the content type byte);\n"
    "                       the input buffers shrink to match (a record area of\n"
    "                       max(N, 4096) bytes: the peer's hello is exempt from the limit).\n"
    "                       The summary line gives both sides' limits when one is below\n"
    "                       the maximum; a peer without RFC 8449 sends full records,\n"
    "                       which do not fit when N is small\n";

static void help_client(FILE *f, const char *cmd)
{
    if (strcmp(cmd, "trace") == 0)
        fprintf(f,
                "usage: tenon trace HOST:PORT [OPTIONS]\n\n"
                "Connects like `tenon client`, sends nothing, and prints the handshake and the\n"
                "key schedule of that real connection as a tree, then as a Mermaid diagram.\n\n");
    else
        fprintf(f,
                "usage: tenon client HOST:PORT [OPTIONS]\n\n"
                "Connects, verifies the server (the system trust store, or --ca), prints one\n"
                "summary line to stderr, then copies stdin to the connection and the connection\n"
                "to stdout until both sides have closed.\n\n");
    fprintf(f,
            "Options:\n"
            "  --servername NAME    the name sent as SNI and checked in the certificate\n"
            "                       (default: HOST)\n"
            "  --ca FILE            trust the certificates of this PEM file instead of the\n"
            "                       system store\n"
            "  --insecure           do NOT verify the server's certificate (testing only; not\n"
            "                       with --ca)\n"
            "  --cert FILE --key FILE  a client certificate, if the server asks for one\n"
            "  --resume             connect, keep the session ticket, reconnect with it and\n"
            "                       report both handshakes\n"
            "  --quiet              no summary line\n"
            "%s%s",
            TLS_OPTS, TRACE_OPTS);
}

static void help_server(FILE *f)
{
    fprintf(f,
            "usage: tenon server [OPTIONS]\n\n"
            "Serves TLS clients concurrently: one epoll event loop per process, non-blocking\n"
            "sockets, tens of thousands of connections. An idle established connection holds\n"
            "only its engine state (tenon_conn plus ~100 bytes); buffers come from a pool\n"
            "sized to the active ones. One client's failure never stops the server.\n\n"
            "Options:\n"
            "  --listen HOST:PORT   where to listen (default 127.0.0.1:8443)\n"
            "  --cert FILE --key FILE  certificate chain (PEM) and key; may be given up to 4\n"
            "                       times (say RSA and ECDSA): the engine picks one the client\n"
            "                       can verify. Without them, an ephemeral ECDSA P-256\n"
            "                       certificate for localhost is issued and its SHA-256\n"
            "                       fingerprint printed; and an RSA-2048 one as well when\n"
            "                       --suites or --enable-legacy bring RSA suites.\n"
            "  --echo               echo application data back (the default)\n"
            "  --http               HTTP/1.1 with keep-alive: GET / is a fixed small page,\n"
            "                       GET /tls a page of the negotiated parameters, other paths\n"
            "                       404, other methods 405 (then close); \"Connection: close\"\n"
            "                       and HTTP/1.0 requests are answered, then close_notify\n"
            "  --ca FILE            trust anchors for client certificates\n"
            "  --verify-client      require a client certificate that verifies against --ca\n"
            "  --max-connections N  at most N connections at once (default: the file\n"
            "                       descriptor limit, raised to its hard limit, less 32);\n"
            "                       beyond, new clients wait in the listen backlog\n"
            "  --max-active N       at most N buffer pairs (connections handshaking or moving\n"
            "                       data at once; default 1024, ~120 KB each, allocated on\n"
            "                       demand, freed when idle); beyond, work waits its turn\n"
            "  --idle-timeout S     an established connection with nothing to do gets\n"
            "                       close_notify after S seconds (default 120)\n"
            "  --write-timeout S    a client that takes none of our output for S seconds is\n"
            "                       dropped (default 30)\n"
            "  --shutdown-timeout S SIGTERM/SIGINT: accepting stops, every connection gets\n"
            "                       close_notify, and the server exits 0 within S seconds\n"
            "                       (default 5)\n"
            "  --workers N          N processes on the port (SO_REUSEPORT, one event loop\n"
            "                       each); the parent forwards SIGTERM, SIGHUP and SIGUSR1,\n"
            "                       restarts a worker that dies, exits when all have ended.\n"
            "                       Log lines are prefixed \"tenon server[wN]\"\n"
            "  --ticket-keys FILE   session ticket keys shared by workers and machines: text,\n"
            "                       one key a line, \"NAME KEY\" in hex (16 and 32 bytes: 32\n"
            "                       and 64 digits), NEWEST FIRST: the first line seals new\n"
            "                       tickets, every line (at most 8) opens them; '#' lines are\n"
            "                       comments. Refused if group or others may read or write\n"
            "                       it (chmod 600). Without it, each process makes a random\n"
            "                       key at start: workers then cannot resume each other's\n"
            "                       sessions, nor survive a restart\n"
            "  --ticket-keys-generate FILE  write FILE (mode 0600) with a new key first and\n"
            "                       the keys it held after it (rotation: run it, then SIGHUP),\n"
            "                       then exit\n"
            "  --status FILE        on SIGUSR1 and at exit, also write the counters to FILE\n"
            "                       (FILE.wN for worker N) as \"name value\" lines: pid,\n"
            "                       accepted, handshakes_full, handshakes_resumed, failures,\n"
            "                       timeouts, requests, open, active, pool_pairs, pool_free,\n"
            "                       pool_peak, pair_bytes, conn_bytes, tenon_conn_bytes\n"
            "  --exit-after N       exit once N connections have ended (for tests); the exit\n"
            "                       status is then 1 if any of them failed\n"
            "  --ocsp FILE          a DER OCSP response for the (first) certificate, stapled\n"
            "                       for clients that ask (status_request, RFC 6066 / 8446)\n"
            "  --quiet              log nothing but errors\n"
            "%s%s\n"
            "--timeout bounds each handshake. Signals: SIGHUP re-reads the certificate and\n"
            "key files and the ticket keys file (a bad file keeps the ones in use, and says\n"
            "why; open connections keep the configuration they started with). SIGUSR1\n"
            "prints the counters (accepted, full and resumed handshakes, failures, timeouts,\n"
            "requests, open, active, pool), as the exit does. SIGTERM/SIGINT: the graceful\n"
            "end above.\n",
            TLS_OPTS, TRACE_OPTS);
}

static void help_demo(FILE *f)
{
    fprintf(f, "usage: tenon demo [OPTIONS]\n\n"
               "Issues a CA and a server certificate in memory, runs a TLS 1.3 client and server\n"
               "back to back in this process, sends a message each way, then resumes the session\n"
               "with the ticket the server sent. For each handshake: the flights, the key\n"
               "schedule, and a comparison of every secret the two sides derived. Exits 0 only\n"
               "if both handshakes succeeded and the keys matched. With --tls1.2 the same for\n"
               "TLS 1.2: pre-master secret, master secret, key_block and Finished.\n\n"
               "Options:\n"
               "  --trace FORMAT       tree (the default), mermaid, keysched, html or json\n"
               "  --html FILE          also write the HTML report of both connections to FILE\n"
               "  --show-secrets       print secret values (otherwise fingerprints)\n"
               "  --keylog FILE        append the NSS key log (also: SSLKEYLOGFILE)\n"
               "  --groups LIST        key exchange groups (X25519MLKEM768, SecP256r1MLKEM768,\n"
               "                       SecP384r1MLKEM1024, x25519, secp256r1, secp384r1)\n"
               "  --tls1.2, --tls1.3   that version only (default: TLS 1.3)\n"
               "  --suites LIST        cipher suites (IANA or OpenSSL names); the demo's\n"
               "                       certificate is ECDSA: TLS 1.3 or ECDHE_ECDSA suites\n"
               "  --enable-legacy      add the legacy TLS 1.2 suites (unusable here: all RSA)\n"
               "  --no-ems             TLS 1.2: do not require the extended master secret\n");
}

/* Prints a command's help; 0 if the command exists. */
static int help(const char *cmd, FILE *f)
{
    if (cmd == NULL) {
        fputs(MAIN_HELP, f);
        return 0;
    }
    if (strcmp(cmd, "client") == 0 || strcmp(cmd, "trace") == 0)
        help_client(f, cmd);
    else if (strcmp(cmd, "server") == 0)
        help_server(f);
    else if (strcmp(cmd, "demo") == 0)
        help_demo(f);
    else if (strcmp(cmd, "render") == 0)
        fputs("usage: tenon render FORMAT [FILE] [--conn N] [--show-secrets]\n\n"
              "Reads a trace saved with `--trace json` (from FILE, else stdin) and draws each\n"
              "connection (or connection N) as FORMAT: tree, mermaid, keysched, html or json.\n"
              "Save the trace with --show-secrets for a linked key schedule; secret values\n"
              "are printed only with --show-secrets here too (otherwise fingerprints).\n",
              f);
    else
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(MAIN_HELP, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        if (help(argc > 2 ? argv[2] : NULL, stdout) != 0) {
            fprintf(stderr, "tenon: no command '%s' (see tenon --help)\n", argv[2]);
            return EXIT_USAGE;
        }
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("tenon %s\n", tenon_version());
        return 0;
    }
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return help(cmd, stdout) == 0 ? 0 : EXIT_USAGE;
    if (strcmp(cmd, "demo") == 0)
        return cmd_demo(argc - 1, argv + 1);
    if (strcmp(cmd, "client") == 0)
        return cmd_client(argc - 1, argv + 1, 0);
    if (strcmp(cmd, "trace") == 0)
        return cmd_client(argc - 1, argv + 1, 1);
    if (strcmp(cmd, "server") == 0)
        return cmd_server(argc - 1, argv + 1);
    if (strcmp(cmd, "render") == 0)
        return cmd_render(argc - 1, argv + 1);
    fprintf(stderr, "tenon: unknown command '%s' (see tenon --help)\n", cmd);
    return EXIT_USAGE;
}
