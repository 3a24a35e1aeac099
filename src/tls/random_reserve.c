/*
 * The process's reserve of getrandom(2) output for handshakes (tls_random_reserve).
 *
 * A getrandom call costs at least 2.9k TSC ticks in the VMs this is measured on (about 4k in
 * the middle of a handshake, with the kernel's cache and TLB traffic), while a resumed TLS 1.3
 * handshake side is about 88k ticks in all: the one call per handshake that the pool in tls_hs
 * left was 4-5% of it. Here one call fills most of a page (static, page-aligned), and each
 * handshake's pool takes its 192 bytes from it: 21 handshakes per call, about 700 ticks each.
 *
 * What is kept, and why it is safe to keep:
 *  - The page is advised MADV_WIPEONFORK (Linux 4.14): a child of fork() finds it zero, its
 *    count of bytes left and its lock included, and refills it with its own getrandom call, so
 *    parent and child never hand out the same bytes. Where the kernel refuses the advice there
 *    is no reserve and every pool is filled by its own getrandom call, as before.
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
#include <unistd.h>

#include "tls13.h"

/* The advice's numbers are Linux's (older C libraries' headers may lack them); elsewhere there
 * is no reserve. */
#if defined(__linux__)
#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif
#ifndef MADV_DONTDUMP
#define MADV_DONTDUMP 16
#endif
#define RESERVE_POSSIBLE 1
#else
#define RESERVE_POSSIBLE 0
#define MADV_WIPEONFORK 0
#define MADV_DONTDUMP 0
#endif

#define RESERVE_PAGE 4096

typedef struct {
    unsigned char lock; /* __atomic_test_and_set's flag: zero is free */
    uint32_t left;      /* bytes of bytes[] not yet handed out (the first ones) */
    uint8_t bytes[21 * 192];
    uint8_t unused[RESERVE_PAGE - 8 - 21 * 192]; /* the rest of the page */
} reserve_page;

_Static_assert(sizeof(reserve_page) == RESERVE_PAGE, "the reserve is one page");

/* In the library's zero-initialised data, on a page of its own (tenon allocates nothing): the
 * advice applies to that page only. */
static _Alignas(RESERVE_PAGE) reserve_page reserve;
static int reserve_state; /* 0: not tried yet; 1: advised, in use; -1: no reserve */

/* The page, once the kernel has agreed to wipe it on fork; NULL where it does not. Two first
 * callers may both give the advice: it is the same advice. */
static reserve_page *reserve_get(void)
{
    int state = __atomic_load_n(&reserve_state, __ATOMIC_ACQUIRE);
    if (state == 0) {
        /* Only where the reserve is exactly one page: advice on a larger page would also
         * wipe whatever else the library keeps on it. */
        state = RESERVE_POSSIBLE && sysconf(_SC_PAGESIZE) == RESERVE_PAGE &&
                        madvise(&reserve, sizeof reserve, MADV_WIPEONFORK) == 0
                    ? 1
                    : -1;
        if (state == 1) /* best effort: the fork rule is the one needed */
            (void)madvise(&reserve, sizeof reserve, MADV_DONTDUMP);
        __atomic_store_n(&reserve_state, state, __ATOMIC_RELEASE);
    }
    return state == 1 ? &reserve : NULL;
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
