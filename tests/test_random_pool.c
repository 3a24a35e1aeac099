/*
 * The handshake's random pool (tls_random, tls_hs.rnd_pool): one tenon_random call fills it,
 * requests take distinct bytes from its end and leave zeros behind, a request that does not fit
 * refills it, one larger than the pool or outside a handshake goes straight to tenon_random; and
 * the ephemeral key made from pooled bytes (tls_kex_keygen) falls back to the group's own keygen
 * when the bytes are not a valid private key. The pools are filled from the process's reserve
 * (tls_random_reserve): distinct bytes, whatever the request's size, and a child of fork() that
 * never hands out what its parent hands out next.
 */
#include "test_tls13_harness.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

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
    int fd[2];
    CHECK(pipe(fd) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        uint8_t child[32];
        int ok = tls_random_reserve(child, sizeof child) == TENON_OK;
        ok = ok && write(fd[1], child, sizeof child) == (ssize_t)sizeof child;
        _exit(ok ? 0 : 1);
    }
    close(fd[1]);
    CHECK_RC(tls_random_reserve(mine, sizeof mine), TENON_OK);
    CHECK(read(fd[0], theirs, sizeof theirs) == (ssize_t)sizeof theirs);
    close(fd[0]);
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
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

int main(void)
{
    test_pool();
    test_reserve();
    test_reserve_threads();
    test_keygen_fallback();
    return tu_finish("test_random_pool");
}
