/*
 * --ticket-keys FILE: session ticket keys shared by the processes (and machines) that should
 * resume each other's sessions. The format is documented in `tenon server --help` and
 * docs/cli.md: text, one key a line, "NAME KEY" in hex (16 and 32 bytes), newest first; '#'
 * starts a comment. The file holds secrets, so, as ssh does with its keys, a file that other
 * users could read or write is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static int hex_nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Exactly 2 * n hex digits from *s (leading blanks skipped) into out; *s moves past them. */
static int hex_field(const char **s, uint8_t *out, size_t n)
{
    const char *p = *s;
    while (*p == ' ' || *p == '\t')
        p++;
    for (size_t i = 0; i < n; i++) {
        int hi = hex_nibble(p[2 * i]), lo = hi < 0 ? -1 : hex_nibble(p[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    p += 2 * n;
    if (hex_nibble(*p) >= 0)
        return -1;
    *s = p;
    return 0;
}

int ticket_keys_load(const char *path, tenon_ticket_key *keys, size_t *count, const char *prog)
{
    *count = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        fprintf(stderr, "%s: cannot open the ticket keys file %s: %s\n", prog, path,
                strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "%s: the ticket keys file %s is not a regular file\n", prog, path);
        close(fd);
        return -1;
    }
    /* Secrets readable or writable by others could be stolen or replaced (a planted key lets
     * its author forge tickets that resume as anyone): refused, like ssh's private keys. */
    if ((st.st_mode & 077) != 0 || (st.st_uid != getuid() && st.st_uid != 0)) {
        fprintf(stderr,
                "%s: the ticket keys file %s is accessible by other users (mode %03o, owner %u): "
                "refused (chmod 600 it)\n",
                prog, path, (unsigned)(st.st_mode & 0777), (unsigned)st.st_uid);
        close(fd);
        return -1;
    }
    char text[4096];
    size_t len = 0;
    for (;;) {
        ssize_t r = read(fd, text + len, sizeof text - 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
        if (len == sizeof text - 1)
            break;
    }
    close(fd);
    text[len] = 0;
    int rc = 0, line = 0;
    for (const char *p = text; *p != 0 && rc == 0; line++) {
        const char *end = strchr(p, '\n');
        const char *next = end ? end + 1 : p + strlen(p);
        const char *q = p;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q == '#' || *q == '\n' || *q == '\r' || *q == 0) {
            p = next;
            continue;
        }
        if (*count == TENON_MAX_TICKET_KEYS) {
            fprintf(stderr, "%s: %s: more than %d keys (line %d)\n", prog, path,
                    TENON_MAX_TICKET_KEYS, line + 1);
            rc = -1;
            break;
        }
        tenon_ticket_key *k = &keys[*count];
        if (hex_field(&q, k->name, sizeof k->name) != 0 ||
            hex_field(&q, k->key, sizeof k->key) != 0) {
            fprintf(stderr, "%s: %s line %d: not \"NAME KEY\" (32 and 64 hex digits)\n", prog, path,
                    line + 1);
            rc = -1;
            break;
        }
        while (*q == ' ' || *q == '\t' || *q == '\r')
            q++;
        if (*q != '\n' && *q != 0) {
            fprintf(stderr, "%s: %s line %d: text after the key\n", prog, path, line + 1);
            rc = -1;
            break;
        }
        for (size_t i = 0; i < *count; i++)
            if (memcmp(keys[i].name, k->name, sizeof k->name) == 0) {
                fprintf(stderr, "%s: %s line %d: a key name used twice\n", prog, path, line + 1);
                rc = -1;
            }
        (*count)++;
        p = next;
    }
    tenon_wipe(text, sizeof text);
    if (rc == 0 && *count == 0) {
        fprintf(stderr, "%s: %s holds no key\n", prog, path);
        rc = -1;
    }
    if (rc != 0) {
        tenon_wipe(keys, sizeof *keys * TENON_MAX_TICKET_KEYS);
        *count = 0;
    }
    return rc;
}

int ticket_keys_generate(const char *path, const char *prog)
{
    /* A new key first; the keys already there (if the file is ours and sound) follow, so that
     * tickets they sealed still open: rotating is running this again and reloading. */
    tenon_ticket_key keys[TENON_MAX_TICKET_KEYS];
    size_t old = 0;
    if (access(path, F_OK) == 0 && ticket_keys_load(path, keys + 1, &old, prog) != 0)
        return EXIT_USAGE;
    if (old > TENON_MAX_TICKET_KEYS - 1)
        old = TENON_MAX_TICKET_KEYS - 1;
    if (tenon_random(&keys[0], sizeof keys[0]) != 0)
        return EXIT_TLS;
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return EXIT_USAGE;
    (void)unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        fprintf(stderr, "%s: cannot create %s: %s\n", prog, tmp, strerror(errno));
        return EXIT_USAGE;
    }
    char text[256 + TENON_MAX_TICKET_KEYS * 100];
    size_t len = (size_t)snprintf(text, sizeof text,
                                  "# tenon session ticket keys: NAME (16 bytes) KEY (32 bytes) "
                                  "in hex, newest first.\n");
    for (size_t i = 0; i <= old; i++) {
        hex_encode(text + len, keys[i].name, sizeof keys[i].name);
        len += 2 * sizeof keys[i].name;
        text[len++] = ' ';
        hex_encode(text + len, keys[i].key, sizeof keys[i].key);
        len += 2 * sizeof keys[i].key;
        text[len++] = '\n';
    }
    int ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
    tenon_wipe(text, sizeof text);
    tenon_wipe(keys, sizeof keys);
    if (close(fd) != 0 || !ok || rename(tmp, path) != 0) {
        fprintf(stderr, "%s: cannot write %s: %s\n", prog, path, strerror(errno));
        (void)unlink(tmp);
        return EXIT_USAGE;
    }
    fprintf(stderr, "%s: %s: a new ticket key, %zu older kept\n", prog, path, old);
    return 0;
}
