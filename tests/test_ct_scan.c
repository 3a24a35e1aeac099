/*
 * ct_last_nonzero (src/crypto/ct_scan.c), which finds TLS 1.3's content type (RFC 8446 §5.4),
 * against a plain backward scan: every length 0..2200 and lengths around 1 KiB chunks up to a
 * 16 KiB record + 256 bytes, with the last non-zero byte at every interesting position (none,
 * first, last, chunk/block/word edges, random), an earlier non-zero byte, from odd addresses;
 * with the CPU's best path (AVX-512BW where the CPU has it: valgrind cannot run that one, so
 * this native cross-check at every length and position is its check), with AVX2 alone (the
 * AVX-512 bits masked off) and with the portable OR (tenon_cpu_set_mask(0)).
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/ct.h"
#include "tenon/crypto.h"
#include "testutil.h"

static size_t naive(const uint8_t *p, size_t len, uint32_t *found)
{
    for (size_t i = len; i-- > 0;)
        if (p[i] != 0) {
            *found = 1;
            return i;
        }
    *found = 0;
    return 0;
}

static uint8_t buf[16384 + 256 + 64];

/* p[0..len) zero but for p[pos] (pos < len; pos == len: all zero) and, if early < pos, p[early]. */
static int check(size_t off, size_t len, size_t pos, size_t early)
{
    uint8_t *p = buf + off;
    memset(buf, 0x5a, sizeof buf); /* bytes outside p[0..len) must not count */
    memset(p, 0, len);
    if (early < pos && early < len)
        p[early] = (uint8_t)(1 + (early & 0x7f));
    if (pos < len)
        p[pos] = (uint8_t)(0x80 | (pos & 0x7f));
    uint32_t f1, f2;
    size_t want = naive(p, len, &f1), got = ct_last_nonzero(p, len, &f2);
    int ok = (f1 != 0) == (f2 != 0) && (f1 == 0 || want == got);
    if (!ok)
        fprintf(stderr, "  len %zu pos %zu early %zu off %zu: want %zu/%u got %zu/%u\n", len, pos,
                early, off, want, f1, got, f2);
    return ok;
}

static unsigned long run(void)
{
    unsigned long bad = 0;
    for (size_t len = 0; len <= 2200; len++) {
        size_t cand[] = {0,   1,   7,    8,    63,   64,      65,      255,
                         256, 257, 1023, 1024, 1025, len / 2, len - 1, len};
        for (size_t c = 0; c < sizeof cand / sizeof cand[0]; c++)
            if (cand[c] <= len)
                bad += !check(len % 7, len, cand[c], cand[c] / 3);
    }
    static const size_t big[] = {4095, 4096, 4097, 8191, 8192, 8193, 16383, 16384, 16385, 16640};
    for (size_t b = 0; b < sizeof big / sizeof big[0]; b++) {
        size_t len = big[b];
        for (size_t i = 0; i < 300; i++) {
            size_t pos = i < 20 ? len - i : (size_t)(tu_rand_u64() % (len + 1));
            bad += !check(i % 5, len, pos, (size_t)(tu_rand_u64() % (len + 1)));
        }
    }
    return bad;
}

int main(void)
{
    unsigned long bad = run();
    CHECK(bad == 0);
    printf("test_ct_scan: default CPU features (0x%x): %lu wrong\n", tenon_cpu_features(), bad);
    tenon_cpu_set_mask(~(uint32_t)(TENON_CPU_AVX512F | TENON_CPU_AVX512BW));
    bad = run();
    CHECK(bad == 0);
    printf("test_ct_scan: without AVX-512 (0x%x): %lu wrong\n", tenon_cpu_features(), bad);
    tenon_cpu_set_mask(0);
    bad = run();
    CHECK(bad == 0);
    printf("test_ct_scan: portable: %lu wrong\n", bad);
    tenon_cpu_set_mask(~(uint32_t)0);
    return tu_finish("test_ct_scan");
}
