/* Wipe, constant-time compare and random bytes: the few helpers every primitive leans on. */
#include <errno.h>
#include <sys/random.h>

#include "../common.h"
#include "ct.h"
#include "tenon/crypto.h"

TENON_API void tenon_wipe(void *p, size_t len)
{
    /* The barrier tells the compiler the zeroed memory may still be read, so the stores
     * cannot be dropped as dead. */
    if (len == 0)
        return;
    memset(p, 0, len);
    __asm__ __volatile__("" : : "r"(p) : "memory");
}

TENON_API int tenon_ct_memeq(const void *a, const void *b, size_t len)
{
    return (int)(ct_mask_memeq(a, b, len) & 1u);
}

TENON_API int tenon_random(void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len > 0) {
        /* getrandom(2) returns at most 32 MiB - 1 per call from the urandom pool; loop. */
        ssize_t n = getrandom(p, len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return TENON_ERR_RANDOM;
        }
        p += n;
        len -= (size_t)n;
    }
    return TENON_OK;
}
