/*
 * The process's reserve of getrandom(2) output for handshakes (tls_random_reserve).
 *
 * A getrandom call costs at least 2.9k TSC ticks in the VMs this is measured on (about 4k in
 * the middle of a handshake, with the kernel's cache and TLB traffic), while a resumed TLS 1.3
 * handshake side is about 88k ticks in all: the one call per handshake that the pool in tls_hs
 * left was 4-5% of it. Here one call fills a page, and each handshake's pool takes its 192
 * bytes from it: 21 handshakes per call, about 700 ticks each.
 *
 * What is kept, and why it is safe to keep:
 *  - The page is mapped MADV_WIPEONFORK (Linux 4.14): a child of fork() finds it zero, its
 *    count of bytes left and its lock included, and refills it with its own getrandom call, so
 *    parent and child never hand out the same bytes. Where the kernel refuses the advice (or
 *    mmap fails) there is no reserve and every pool is filled by its own getrandom call, as
 *    before.
 *  - MADV_DONTDUMP keeps the bytes, which become private keys, out of core dumps.
 *  - Bytes are taken from the end and wiped as they go, so the page holds only what no one has
 *    used yet.
 *  - Threads: a test-and-set lock held for a copy (and, every 21st time, the getrandom call).
 *    A thread that finds it taken does not wait: it calls getrandom itself.
 * What a reserve cannot know: a VM snapshot restored twice runs both copies with the same
 * page, as it would any user-space DRBG's state; the kernel's own pool reseeds on such an
 * event (vmgenid), the page does not. The handshakes' own pools (192 bytes, in tls_hs) had
 * the same property while a handshake ran.
 */
#include <sys/mman.h>

#include "tls13.h"

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif
#ifndef MADV_DONTDUMP
#define MADV_DONTDUMP 16
#endif

#define RESERVE_PAGE 4096

typedef struct {
    unsigned char lock; /* __atomic_test_and_set's flag: zero is free */
    uint32_t left;      /* bytes of bytes[] not yet handed out (the first ones) */
    uint8_t bytes[21 * 192];
} reserve_page;

_Static_assert(sizeof(reserve_page) <= RESERVE_PAGE, "the reserve is one page");

static reserve_page *reserve;
static int reserve_unavailable;

/* The page, mapped on first use; NULL where the kernel cannot wipe it on fork. Two first
 * callers may both map one: the loser of the exchange unmaps its own. */
static reserve_page *reserve_get(void)
{
    reserve_page *p = __atomic_load_n(&reserve, __ATOMIC_ACQUIRE);
    if (p != NULL || __atomic_load_n(&reserve_unavailable, __ATOMIC_RELAXED))
        return p;
    void *m = mmap(NULL, RESERVE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        __atomic_store_n(&reserve_unavailable, 1, __ATOMIC_RELAXED);
        return NULL;
    }
    if (madvise(m, RESERVE_PAGE, MADV_WIPEONFORK) != 0) {
        munmap(m, RESERVE_PAGE);
        __atomic_store_n(&reserve_unavailable, 1, __ATOMIC_RELAXED);
        return NULL;
    }
    (void)madvise(m, RESERVE_PAGE,
                  MADV_DONTDUMP); /* best effort: the fork rule is the one needed */
    reserve_page *expected = NULL;
    if (!__atomic_compare_exchange_n(&reserve, &expected, (reserve_page *)m, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        munmap(m, RESERVE_PAGE);
        return expected;
    }
    return m;
}

int tls_random_reserve(uint8_t *out, size_t len)
{
    reserve_page *p = len <= sizeof p->bytes ? reserve_get() : NULL;
    if (p == NULL || __atomic_test_and_set(&p->lock, __ATOMIC_ACQUIRE))
        return tenon_random(out, len);
    int rc = TENON_OK;
    if (p->left < len) {
        /* What is left is too short: overwritten whole by the refill. */
        rc = tenon_random(p->bytes, sizeof p->bytes);
        p->left = rc == TENON_OK ? (uint32_t)sizeof p->bytes : 0;
    }
    if (rc == TENON_OK) {
        p->left -= (uint32_t)len;
        memcpy(out, p->bytes + p->left, len);
        tenon_wipe(p->bytes + p->left, len);
    }
    __atomic_clear(&p->lock, __ATOMIC_RELEASE);
    return rc;
}
