/*
 * The handshake's random pool (tls_random, tls_hs.rnd_pool): one tenon_random call fills it,
 * requests take distinct bytes from its end and leave zeros behind, a request that does not fit
 * refills it, one larger than the pool or outside a handshake goes straight to tenon_random; and
 * the ephemeral key made from pooled bytes (tls_kex_keygen) falls back to the group's own keygen
 * when the bytes are not a valid private key. The pools are filled from the process's reserve
 * (tls_random_reserve): distinct bytes, whatever the request's size, and a child of fork() that
 * never hands out what its parent hands out next.
 *
 * On Linux the reserve's page is found in /proc/self/smaps by its VmFlags ("wf", wipe on fork):
 * that shows the advice was taken (so that the fork tests test the reserve, not getrandom), and
 * lets the test look at the page itself: bytes handed out leave zeros behind. A child in which
 * seccomp makes madvise(MADV_WIPEONFORK) fail must do without the reserve and still give
 * distinct bytes, in it and in its own children.
 */
#include "test_tls13_harness.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__linux__)
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#include "tls/tls13.h"
#include "tenon/x25519.h"

static tls_conn C;
static tls_hs HS;

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

static void test_pool(void)
{
    memset(&C, 0, sizeof C);
    memset(&HS, 0, sizeof HS);
    C.hs = &HS;
    uint8_t a[32], b[32], d[96], e[64];
    CHECK_RC(tls_random(&C, a, sizeof a), TENON_OK);
    CHECK(HS.rnd_left == sizeof HS.rnd_pool - 32);
    CHECK_RC(tls_random(&C, b, sizeof b), TENON_OK);
    CHECK_RC(tls_random(&C, d, sizeof d), TENON_OK);
    CHECK(HS.rnd_left == sizeof HS.rnd_pool - 160);
    CHECK(!all_zero(a, 32) && !all_zero(b, 32) && !all_zero(d, 96));
    CHECK(memcmp(a, b, 32) != 0 && memcmp(a, d, 32) != 0 && memcmp(b, d + 64, 32) != 0);
    /* what was handed out is wiped from the pool; what is left is not */
    CHECK(all_zero(HS.rnd_pool + HS.rnd_left, sizeof HS.rnd_pool - HS.rnd_left));
    CHECK(!all_zero(HS.rnd_pool, HS.rnd_left));
    /* 64 > 32 left: a refill, then the bytes from its end */
    uint8_t left_before[32];
    memcpy(left_before, HS.rnd_pool, 32);
    CHECK_RC(tls_random(&C, e, sizeof e), TENON_OK);
    CHECK(HS.rnd_left == sizeof HS.rnd_pool - 64);
    CHECK(memcmp(e, left_before, 32) != 0 && memcmp(e + 32, left_before, 32) != 0);
    CHECK(all_zero(HS.rnd_pool + HS.rnd_left, 64));
    /* larger than the pool: straight from tenon_random, the pool untouched */
    static uint8_t big[1000];
    size_t left = HS.rnd_left;
    CHECK_RC(tls_random(&C, big, sizeof big), TENON_OK);
    CHECK(HS.rnd_left == left && !all_zero(big, sizeof big));
    /* outside a handshake */
    C.hs = NULL;
    uint8_t f[32] = {0};
    CHECK_RC(tls_random(&C, f, sizeof f), TENON_OK);
    CHECK(!all_zero(f, 32));
    /* 1000 draws of 16 bytes: never two alike */
    C.hs = &HS;
    static uint8_t many[1000][16];
    for (size_t i = 0; i < 1000; i++)
        CHECK_RC(tls_random(&C, many[i], 16), TENON_OK);
    size_t dup = 0;
    for (size_t i = 0; i < 1000; i++)
        for (size_t j = i + 1; j < 1000; j++)
            dup += memcmp(many[i], many[j], 16) == 0;
    CHECK(dup == 0);
}

/* A group whose public_from_private refuses every key: tls_kex_keygen must use its keygen. */
static int fake_calls_pfp, fake_calls_keygen;
static int fake_pfp(const uint8_t *priv, uint8_t *share)
{
    (void)priv;
    (void)share;
    fake_calls_pfp++;
    return TENON_ERR_BAD_PRIVATE_KEY;
}
static int fake_keygen(uint8_t *priv, uint8_t *share)
{
    fake_calls_keygen++;
    memset(priv, 0x5a, 32);
    memset(share, 0xa5, 32);
    return TENON_OK;
}

static void test_keygen_fallback(void)
{
    memset(&C, 0, sizeof C);
    memset(&HS, 0, sizeof HS);
    C.hs = &HS;
    tenon_kex_class fake = tenon_kex_x25519;
    fake.public_from_private = fake_pfp;
    fake.keygen = fake_keygen;
    uint8_t share[32];
    CHECK_RC(tls_kex_keygen(&C, &fake, 0, share), TENON_OK);
    CHECK(fake_calls_pfp == 1 && fake_calls_keygen == 1);
    uint8_t want_priv[32], want_share[32];
    memset(want_priv, 0x5a, 32);
    memset(want_share, 0xa5, 32);
    CHECK_MEM(HS.kex_priv[0], want_priv, 32, "the keygen's private key");
    CHECK_MEM(share, want_share, 32, "the keygen's share");

    /* X25519 from the pool: the share is the private key's public key */
    uint8_t pub[32];
    CHECK_RC(tls_kex_keygen(&C, &tenon_kex_x25519, 1, share), TENON_OK);
    tenon_x25519_base(pub, HS.kex_priv[1]);
    CHECK_MEM(share, pub, 32, "pooled X25519 key pair");
    CHECK(HS.rnd_left == sizeof HS.rnd_pool - 64);
}

/* Writes n bytes to fd; 1 on success (pipes here hold far more than the tests write). */
static int write_all(int fd, const void *p, size_t n)
{
    return write(fd, p, n) == (ssize_t)n;
}

/* Reads n bytes from fd; 1 on success. */
static int read_all(int fd, void *p, size_t n)
{
    uint8_t *b = p;
    while (n > 0) {
        ssize_t r = read(fd, b, n);
        if (r <= 0)
            return 0;
        b += r;
        n -= (size_t)r;
    }
    return 1;
}

/* Forks a child that draws 32 bytes from the reserve and writes them to a pipe: its pid, and
 * the pipe's read end in *rfd. */
static pid_t fork_drawer(int *rfd)
{
    int fd[2];
    CHECK(pipe(fd) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        uint8_t b[32];
        int ok = tls_random_reserve(b, sizeof b) == TENON_OK;
        _exit(ok && write_all(fd[1], b, sizeof b) ? 0 : 1);
    }
    close(fd[1]);
    *rfd = fd[0];
    return pid;
}

/* The 32 bytes of fork_drawer's child, which must exit with 0. */
static void reap_drawer(pid_t pid, int rfd, uint8_t out[32])
{
    CHECK(read_all(rfd, out, 32));
    close(rfd);
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_reserve(void)
{
    /* More than a reserve's worth in pieces of several sizes: every piece differs. */
    static uint8_t got[64][192];
    for (size_t i = 0; i < 64; i++) {
        CHECK_RC(tls_random_reserve(got[i], 1 + i * 3 % 192), TENON_OK);
        CHECK(all_zero(got[i] + 1 + i * 3 % 192, 192 - (1 + i * 3 % 192)));
    }
    size_t dup = 0;
    for (size_t i = 0; i < 64; i++)
        for (size_t j = i + 1; j < 64; j++)
            dup += (1 + i * 3 % 192) >= 16 && (1 + j * 3 % 192) >= 16 &&
                   memcmp(got[i], got[j], 16) == 0;
    CHECK(dup == 0);
    /* larger than the reserve: straight from tenon_random */
    static uint8_t big[8192];
    CHECK_RC(tls_random_reserve(big, sizeof big), TENON_OK);
    CHECK(!all_zero(big, 64) && !all_zero(big + sizeof big - 64, 64));

    /* fork: the child's next bytes are not the parent's next bytes (the page is wiped in the
     * child, which refills it; without the reserve both call getrandom) */
    uint8_t mine[32], theirs[32];
    CHECK_RC(tls_random_reserve(mine, 8), TENON_OK); /* the reserve is full, with bytes left */
    int rfd;
    pid_t pid = fork_drawer(&rfd);
    CHECK_RC(tls_random_reserve(mine, sizeof mine), TENON_OK);
    reap_drawer(pid, rfd, theirs);
    CHECK(memcmp(mine, theirs, sizeof mine) != 0);
}

/* Threads drawing at once (the reserve's lock; a thread that finds it taken calls getrandom):
 * no two draws alike, none failed. */
#define THREADS 4
#define DRAWS 3000
static uint8_t drawn[THREADS][DRAWS][16];
static int draw_failed;

static void *draw_many(void *arg)
{
    uint8_t(*mine)[16] = drawn[(size_t)arg];
    for (size_t i = 0; i < DRAWS; i++)
        if (tls_random_reserve(mine[i], 16) != TENON_OK)
            __atomic_store_n(&draw_failed, 1, __ATOMIC_RELAXED);
    return NULL;
}

static int cmp16(const void *a, const void *b)
{
    return memcmp(a, b, 16);
}

static void test_reserve_threads(void)
{
    pthread_t t[THREADS];
    for (size_t i = 0; i < THREADS; i++)
        CHECK(pthread_create(&t[i], NULL, draw_many, (void *)i) == 0);
    for (size_t i = 0; i < THREADS; i++)
        CHECK(pthread_join(t[i], NULL) == 0);
    CHECK(!draw_failed);
    qsort(drawn, THREADS * DRAWS, 16, cmp16);
    const uint8_t *all = &drawn[0][0][0]; /* sorted as one array of THREADS * DRAWS */
    size_t dup = 0;
    for (size_t i = 1; i < THREADS * DRAWS; i++)
        dup += memcmp(all + 16 * (i - 1), all + 16 * i, 16) == 0;
    CHECK(dup == 0);
}

#define RESERVE_BYTES (21 * sizeof HS.rnd_pool) /* random_reserve.c: 21 pools */

#if defined(__linux__)
/* The start of the one 4 KiB mapping advised MADV_WIPEONFORK ("wf" in its VmFlags), NULL if
 * there is none; *count is the number of such mappings. */
static uint8_t *wipeonfork_page(int *count)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    uint8_t *found = NULL;
    *count = 0;
    if (f == NULL)
        return NULL;
    char line[512];
    unsigned long start = 0, end = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned long a, b;
        if (sscanf(line, "%lx-%lx ", &a, &b) == 2) {
            start = a;
            end = b;
        } else if (strncmp(line, "VmFlags:", 8) == 0 && strstr(line, " wf") != NULL) {
            (*count)++;
            if (end - start == 4096)
                found = (uint8_t *)start;
        }
    }
    fclose(f);
    return found;
}

/* 1 if this kernel takes MADV_WIPEONFORK on an anonymous page (Linux 4.14 and later). */
static int kernel_wipes_on_fork(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    void *m = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return 0;
    int ok = madvise(m, (size_t)pg, 18 /* MADV_WIPEONFORK */) == 0;
    munmap(m, (size_t)pg);
    return ok;
}

/* The page in use: advised, holding the reserve, wiped where bytes were handed out. */
static void test_reserve_page(void)
{
    uint8_t first[16];
    CHECK_RC(tls_random_reserve(first, sizeof first), TENON_OK);
    int count;
    uint8_t *page = wipeonfork_page(&count);
    if (sysconf(_SC_PAGESIZE) != 4096 || !kernel_wipes_on_fork()) {
        CHECK(page == NULL);
        printf("reserve page: none (no 4 KiB pages or no MADV_WIPEONFORK): getrandom each time\n");
        return;
    }
    CHECK(count == 1 && page != NULL);
    if (page == NULL)
        return;
    CHECK(!all_zero(page, 4096)); /* the reserve, less 16 bytes */
    /* A request of the whole reserve's size takes all of it (after a refill): nothing is left
     * on the page but zeros, the lock and the count of bytes left included. */
    static uint8_t whole[RESERVE_BYTES];
    CHECK_RC(tls_random_reserve(whole, sizeof whole), TENON_OK);
    CHECK(!all_zero(whole, 64) && !all_zero(whole + sizeof whole - 64, 64));
    CHECK(all_zero(page, 4096));
    /* One more pool: refilled, RESERVE_BYTES - 192 left on the page, none of them handed out. */
    uint8_t pool[sizeof HS.rnd_pool];
    CHECK_RC(tls_random_reserve(pool, sizeof pool), TENON_OK);
    size_t nonzero = 0, found = 0;
    for (size_t i = 0; i < 4096; i++)
        nonzero += page[i] != 0;
    for (size_t i = 0; i + 16 <= 4096; i++)
        found += memcmp(page + i, pool, 16) == 0 || memcmp(page + i, pool + 176, 16) == 0;
    CHECK(nonzero > RESERVE_BYTES - sizeof pool - 64 && nonzero <= RESERVE_BYTES);
    CHECK(found == 0);
    /* The advice is kept across fork: a child's own children get a wiped page too. */
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        int c;
        uint8_t *p = wipeonfork_page(&c);
        _exit(p == page && c == 1 && all_zero(p, 4096) ? 0 : 1);
    }
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    printf("reserve page: advised wipe-on-fork, %zu bytes held, wiped as handed out and in a "
           "child\n",
           nonzero);
}

/* madvise(MADV_WIPEONFORK) refused (seccomp, in a child whose reserve was never set up): no
 * page is advised, every draw is its own getrandom call, and a child of that child still draws
 * bytes of its own. Must run before this process's first draw (which sets the reserve up, a
 * state its children inherit). */
static void test_reserve_no_advice(void)
{
#if defined(__NR_madvise) && defined(SECCOMP_MODE_FILTER) &&                                       \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    int fd[2];
    CHECK(pipe(fd) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        /* madvise(_, _, 18) fails with EINVAL; everything else is allowed. args[2]'s low word is
         * at its offset on a little-endian machine. */
        struct sock_filter filter[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_madvise, 0, 3),
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 18, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EINVAL & SECCOMP_RET_DATA)),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = {(unsigned short)(sizeof filter / sizeof filter[0]), filter};
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
            prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
            _exit(77); /* no seccomp here */
        uint8_t a[32], b[32], c[32];
        int ok = tls_random_reserve(a, sizeof a) == TENON_OK;
        int count;
        ok = ok && wipeonfork_page(&count) == NULL && count == 0; /* the advice was refused */
        ok = ok && tls_random_reserve(b, sizeof b) == TENON_OK && memcmp(a, b, 32) != 0;
        int gd[2];
        ok = ok && pipe(gd) == 0;
        pid_t g = ok ? fork() : -1;
        if (g == 0) {
            close(gd[0]);
            _exit(tls_random_reserve(c, sizeof c) == TENON_OK && write_all(gd[1], c, 32) ? 0 : 1);
        }
        close(gd[1]);
        ok = ok && g > 0 && tls_random_reserve(b, sizeof b) == TENON_OK;
        ok = ok && read_all(gd[0], c, 32) && memcmp(b, c, 32) != 0 && !all_zero(c, 32);
        int st = 0;
        ok = ok && waitpid(g, &st, 0) == g && WIFEXITED(st) && WEXITSTATUS(st) == 0;
        _exit(ok && write_all(fd[1], b, 32) ? 0 : 1);
    }
    close(fd[1]);
    uint8_t got[32];
    int status = 0;
    int have = read_all(fd[0], got, 32);
    close(fd[0]);
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
    if (WEXITSTATUS(status) == 77) {
        printf("reserve without the advice: skipped (seccomp unavailable)\n");
        return;
    }
    CHECK(WEXITSTATUS(status) == 0 && have && !all_zero(got, 32));
    printf("reserve without the advice (madvise refused by seccomp): getrandom each time\n");
#endif
}
#else
static void test_reserve_page(void) {}
static void test_reserve_no_advice(void) {}
#endif

/* fork, twice over: parent, child and grandchild each take the same amount right after the
 * forks, as much as the parent's reserve holds; no 16-byte piece is in two of them. */
static void test_reserve_fork_whole(void)
{
    /* the whole reserve, then 16 bytes of a refill: RESERVE_BYTES - 16 left */
    static uint8_t whole[RESERVE_BYTES];
    CHECK_RC(tls_random_reserve(whole, sizeof whole), TENON_OK);
    CHECK_RC(tls_random_reserve(whole, 16), TENON_OK);
    enum { PIECES = (RESERVE_BYTES - 16) / 16 };
    static uint8_t got[3][PIECES][16];
    int fd[2];
    CHECK(pipe(fd) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        pid_t g = fork(); /* the grandchild writes its pieces first, then the child */
        int ok = g >= 0;
        for (size_t i = 0; ok && i < PIECES; i++)
            ok = tls_random_reserve(got[1][i], 16) == TENON_OK;
        if (g == 0)
            _exit(ok && write_all(fd[1], got[1], sizeof got[1]) ? 0 : 1);
        int st = 0;
        ok = ok && waitpid(g, &st, 0) == g && WIFEXITED(st) && WEXITSTATUS(st) == 0;
        _exit(ok && write_all(fd[1], got[1], sizeof got[1]) ? 0 : 1);
    }
    close(fd[1]);
    for (size_t i = 0; i < PIECES; i++)
        CHECK_RC(tls_random_reserve(got[0][i], 16), TENON_OK);
    CHECK(read_all(fd[0], got[2], sizeof got[2]) && read_all(fd[0], got[1], sizeof got[1]));
    close(fd[0]);
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    qsort(got, 3 * PIECES, 16, cmp16);
    const uint8_t *all = &got[0][0][0];
    size_t dup = 0;
    for (size_t i = 1; i < 3 * PIECES; i++)
        dup += memcmp(all + 16 * (i - 1), all + 16 * i, 16) == 0;
    CHECK(dup == 0);
    CHECK(!all_zero(all, 16)); /* the smallest of them */
    printf("reserve across fork: parent, child, grandchild %d pieces each, %zu alike\n", PIECES,
           dup);
}

/* fork while other threads draw: the children (which may start with the lock taken in the
 * parent, and the count of bytes mid-update) draw bytes of their own, all different. */
#define FORKS 16
static volatile int stop_drawing;

static void *draw_until_stopped(void *arg)
{
    (void)arg;
    uint8_t b[48];
    while (!__atomic_load_n(&stop_drawing, __ATOMIC_RELAXED))
        if (tls_random_reserve(b, sizeof b) != TENON_OK)
            __atomic_store_n(&draw_failed, 1, __ATOMIC_RELAXED);
    return NULL;
}

static void test_reserve_fork_threads(void)
{
    pthread_t t[2];
    for (size_t i = 0; i < 2; i++)
        CHECK(pthread_create(&t[i], NULL, draw_until_stopped, NULL) == 0);
    static uint8_t child[FORKS][32];
    for (int f = 0; f < FORKS; f++) {
        int rfd;
        pid_t pid = fork_drawer(&rfd);
        reap_drawer(pid, rfd, child[f]);
    }
    __atomic_store_n(&stop_drawing, 1, __ATOMIC_RELAXED);
    for (size_t i = 0; i < 2; i++)
        CHECK(pthread_join(t[i], NULL) == 0);
    CHECK(!draw_failed);
    size_t dup = 0;
    for (int i = 0; i < FORKS; i++) {
        dup += all_zero(child[i], 32);
        for (int j = i + 1; j < FORKS; j++)
            dup += memcmp(child[i], child[j], 32) == 0;
    }
    CHECK(dup == 0);
}

int main(void)
{
    test_reserve_no_advice(); /* first: before this process sets its reserve up */
    test_pool();
    test_reserve();
    test_reserve_page();
    test_reserve_fork_whole();
    test_reserve_threads();
    test_reserve_fork_threads();
    test_keygen_fallback();
    return tu_finish("test_random_pool");
}
