/*
 * Shared by the interop tests: temporary PEM files of the test PKI, free ports, processes
 * started and stopped by PID, bounded waits.
 */
#ifndef TENON_TEST_INTEROP_UTIL_H
#define TENON_TEST_INTEROP_UTIL_H

#include "test_tls13_harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TIMEOUT_MS 10000

static char DIR_[128] __attribute__((unused));

/* 1 if name is an executable in PATH. */
static inline int find_program(const char *name)
{
    const char *path = getenv("PATH");
    char buf[512];
    if (path == NULL)
        path = "/usr/bin:/bin";
    while (*path) {
        const char *end = strchr(path, ':');
        size_t n = end ? (size_t)(end - path) : strlen(path);
        if (n > 0 && n < 400) {
            snprintf(buf, sizeof buf, "%.*s/%s", (int)n, path, name);
            if (access(buf, X_OK) == 0)
                return 1;
        }
        path += n + (end ? 1 : 0);
    }
    return 0;
}

static inline void path_of(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", DIR_, name);
}

static inline int write_file(const char *name, const void *data, size_t len)
{
    char p[256];
    path_of(p, sizeof p, name);
    FILE *f = fopen(p, "wb");
    if (f == NULL)
        return -1;
    size_t w = fwrite(data, 1, len, f);
    fclose(f);
    return w == len ? 0 : -1;
}

static inline int write_cert_pem(const char *name, const uint8_t *der, size_t len)
{
    static char pem[8192];
    size_t n;
    if (tenon_pem_encode("CERTIFICATE", der, len, pem, sizeof pem, &n) != 0)
        return -1;
    return write_file(name, pem, n);
}

/* SEC 1 ECPrivateKey DER of a tenon key, handed to OpenSSL to write as PEM. */
static inline int write_key_pem(const char *name, const tenon_private_key *k)
{
    uint8_t der[2048];
    const uint8_t *p = der;
    size_t len = 0;
    if (k->type == TENON_KEY_EC) {
        const tenon_ec_private_key *e = &k->u.ec;
        if (e->curve == TENON_EC_P256) {
            static const uint8_t h[] = {0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20};
            static const uint8_t m[] = {0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d,
                                        0x03, 0x01, 0x07, 0xa1, 0x44, 0x03, 0x42, 0x00};
            memcpy(der, h, sizeof h), len = sizeof h;
            memcpy(der + len, e->scalar, 32), len += 32;
            memcpy(der + len, m, sizeof m), len += sizeof m;
            memcpy(der + len, e->pub.point, 65), len += 65;
        } else {
            static const uint8_t h[] = {0x30, 0x81, 0xa4, 0x02, 0x01, 0x01, 0x04, 0x30};
            static const uint8_t m[] = {0xa0, 0x07, 0x06, 0x05, 0x2b, 0x81, 0x04,
                                        0x00, 0x22, 0xa1, 0x64, 0x03, 0x62, 0x00};
            memcpy(der, h, sizeof h), len = sizeof h;
            memcpy(der + len, e->scalar, 48), len += 48;
            memcpy(der + len, m, sizeof m), len += sizeof m;
            memcpy(der + len, e->pub.point, 97), len += 97;
        }
    } else {
        memcpy(der, PKI.rsa_key_der, PKI.rsa_key_len);
        len = PKI.rsa_key_len;
    }
    EVP_PKEY *pk = d2i_AutoPrivateKey(NULL, &p, (long)len);
    if (pk == NULL)
        return -1;
    char path[256];
    path_of(path, sizeof path, name);
    FILE *f = fopen(path, "w");
    int ok = f != NULL && PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL, NULL) == 1;
    if (f)
        fclose(f);
    EVP_PKEY_free(pk);
    return ok ? 0 : -1;
}

/* The tenon tool built with the tests (BUILD/tools/tenon, next to BUILD/tests): 1 with its
 * path in out, 0 if it is not there. */
static inline int tu_tool_path(char *out, size_t cap)
{
    char self[4000];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return 0;
    self[n] = 0;
    char *slash = strrchr(self, '/');
    if (slash == NULL)
        return 0;
    *slash = 0;
    snprintf(out, cap, "%s/../tools/tenon", self);
    return access(out, X_OK) == 0;
}

/* A port nobody listens on right now. */
static inline int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t l = sizeof a;
    int port = -1;
    if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(s, (struct sockaddr *)&a, &l) == 0)
        port = ntohs(a.sin_port);
    if (s >= 0)
        close(s);
    return port;
}

static inline void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Starts argv with stdin/stdout as pipes (NULL: /dev/null) and stderr to a log. */
static inline pid_t spawn(char *const argv[], int *in_fd, int *out_fd, const char *log)
{
    int in[2] = {-1, -1}, out[2] = {-1, -1};
    if ((in_fd && pipe(in) != 0) || (out_fd && pipe(out) != 0))
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        char lp[256];
        path_of(lp, sizeof lp, log);
        int lf = open(lp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(in_fd ? in[0] : devnull, 0);
        dup2(out_fd ? out[1] : devnull, 1);
        dup2(lf >= 0 ? lf : devnull, 2);
        for (int fd = 3; fd < 256; fd++)
            close(fd);
        execvp(argv[0], argv);
        _exit(127);
    }
    if (in_fd) {
        close(in[0]);
        *in_fd = in[1];
    }
    if (out_fd) {
        close(out[1]);
        *out_fd = out[0];
    }
    return pid;
}

/* Stops one process we started: SIGTERM, a bounded wait, then SIGKILL. */
static inline void stop(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    for (int i = 0; i < 100; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return;
        sleep_ms(20);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* Waits (bounded) for a process we started to exit by itself, then stops it if it has not. */
static inline void wait_stop(pid_t pid)
{
    for (int waited = 0; waited < TIMEOUT_MS && pid > 0; waited += 20) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return;
        sleep_ms(20);
    }
    stop(pid);
}

/* One line from a pipe (bounded wait), newline included: 1 if a whole line came. */
static inline int read_line(int fd, char *line, size_t cap)
{
    size_t n = 0;
    line[0] = 0;
    while (n < cap - 1) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, TIMEOUT_MS) != 1 || read(fd, line + n, 1) != 1)
            break;
        if (line[n++] == '\n') {
            line[n] = 0;
            return 1;
        }
    }
    line[n] = 0;
    return 0;
}

static inline int connect_port(int port, int timeout_ms)
{
    for (int waited = 0; waited < timeout_ms; waited += 50) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a;
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_port = htons((uint16_t)port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(s, (struct sockaddr *)&a, sizeof a) == 0)
            return s;
        close(s);
        sleep_ms(50);
    }
    return -1;
}

static inline int listen_any(int *port)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t l = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 4) != 0 ||
        getsockname(s, (struct sockaddr *)&a, &l) != 0) {
        if (s >= 0)
            close(s);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return s;
}

/* Writes the PKI as PEM files into a fresh temporary directory. */
static inline int interop_files(void)
{
    snprintf(DIR_, sizeof DIR_, "/tmp/tenon-interop-XXXXXX");
    if (mkdtemp(DIR_) == NULL)
        return -1;
    CHECK(write_cert_pem("ca.pem", PKI.ca_der, PKI.ca_len) == 0);
    CHECK(write_cert_pem("p256.pem", PKI.p256_der, PKI.p256_len) == 0);
    CHECK(write_cert_pem("p384.pem", PKI.p384_der, PKI.p384_len) == 0);
    CHECK(write_cert_pem("rsa.pem", PKI.rsa_der, PKI.rsa_len) == 0);
    CHECK(write_cert_pem("client.pem", PKI.client_der, PKI.client_len) == 0);
    CHECK(write_key_pem("p256.key", &PKI.p256_key) == 0);
    CHECK(write_key_pem("p384.key", &PKI.p384_key) == 0);
    CHECK(write_key_pem("rsa.key", &PKI.rsa_key) == 0);
    CHECK(write_key_pem("client.key", &PKI.client_key) == 0);
    /* The RSA certificate is self-signed: s_client trusts it through the same CA file. */
    {
        char p[256], q[256];
        path_of(p, sizeof p, "ca.pem");
        path_of(q, sizeof q, "rsa.pem");
        FILE *a = fopen(p, "a"), *b = fopen(q, "r");
        char buf[4096];
        size_t n;
        while (a && b && (n = fread(buf, 1, sizeof buf, b)) > 0)
            fwrite(buf, 1, n, a);
        if (a)
            fclose(a);
        if (b)
            fclose(b);
    }
    return 0;
}

static inline void interop_cleanup(void)
{
    /* The temporary directory and what we put in it. */
    static const char *const files[] = {
        "ca.pem",       "p256.pem", "p384.pem",        "rsa.pem",        "client.pem",
        "p256.key",     "p384.key", "rsa.key",         "client.key",     "s_server.log",
        "s_client.log", "sess.pem", "gnutls-serv.log", "gnutls-cli.log", "sess12.pem"};
    for (size_t i = 0; i < ARRAY_LEN(files); i++) {
        char p[256];
        path_of(p, sizeof p, files[i]);
        unlink(p);
    }
    CHECK(rmdir(DIR_) == 0);
}

/* The TLS 1.2 suites, with the names OpenSSL and GnuTLS give them. */
typedef struct suite12_case {
    uint16_t id;
    const char *openssl; /* -cipher */
    const char *gnutls;  /* priority additions after -KX-ALL:-CIPHER-ALL:-MAC-ALL */
    int rsa;             /* the certificate is RSA (else ECDSA P-256) */
    int cbc;
} suite12_case;

static const suite12_case SUITES12[] __attribute__((unused)) = {
    {TENON_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ECDHE-ECDSA-AES128-GCM-SHA256",
     "+ECDHE-ECDSA:+AES-128-GCM:+AEAD", 0, 0},
    {TENON_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "ECDHE-ECDSA-AES256-GCM-SHA384",
     "+ECDHE-ECDSA:+AES-256-GCM:+AEAD", 0, 0},
    {TENON_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-ECDSA-CHACHA20-POLY1305",
     "+ECDHE-ECDSA:+CHACHA20-POLY1305:+AEAD", 0, 0},
    {TENON_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "ECDHE-RSA-AES128-GCM-SHA256",
     "+ECDHE-RSA:+AES-128-GCM:+AEAD", 1, 0},
    {TENON_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "ECDHE-RSA-AES256-GCM-SHA384",
     "+ECDHE-RSA:+AES-256-GCM:+AEAD", 1, 0},
    {TENON_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-RSA-CHACHA20-POLY1305",
     "+ECDHE-RSA:+CHACHA20-POLY1305:+AEAD", 1, 0},
    {TENON_TLS_RSA_WITH_AES_128_GCM_SHA256, "AES128-GCM-SHA256", "+RSA:+AES-128-GCM:+AEAD", 1, 0},
    {TENON_TLS_RSA_WITH_AES_256_GCM_SHA384, "AES256-GCM-SHA384", "+RSA:+AES-256-GCM:+AEAD", 1, 0},
    {TENON_TLS_RSA_WITH_AES_128_CBC_SHA256, "AES128-SHA256", "+RSA:+AES-128-CBC:+SHA256", 1, 1},
    {TENON_TLS_RSA_WITH_AES_256_CBC_SHA256, "AES256-SHA256", "+RSA:+AES-256-CBC:+SHA256", 1, 1},
    {TENON_TLS_RSA_WITH_AES_128_CBC_SHA, "AES128-SHA", "+RSA:+AES-128-CBC:+SHA1", 1, 1},
    {TENON_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, "ECDHE-RSA-AES128-SHA256",
     "+ECDHE-RSA:+AES-128-CBC:+SHA256", 1, 1},
};

/* A TLS 1.2 server configuration of tenon: every suite (legacy ones included), every
 * certificate. */
static inline void server12_config(tenon_config *cfg)
{
    server_config(cfg, CERT_P256);
    (void)add_cert(cfg, CERT_RSA);
    cfg->min_version = cfg->max_version = TENON_TLS12;
    cfg->suite_count = 0;
    for (size_t i = 0; i < ARRAY_LEN(SUITES12); i++)
        cfg->suites[cfg->suite_count++] = SUITES12[i].id;
}

#endif
