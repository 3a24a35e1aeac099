/*
 * ct_last_nonzero (src/crypto/ct_scan.c), which finds TLS 1.3's content type (RFC 8446 §5.4),
 * against a plain backward scan: every length 0..2200 and lengths around 1 KiB chunks up to a
 * 16 KiB record + 256 bytes, with the last non-zero byte at every interesting position (none,
 * first, last, chunk/block/word edges, random; every one at the lengths around the AVX2 last
 * level's 32-byte pieces, the 256-byte groups and 1 KiB chunks), an earlier non-zero byte, from
 * odd addresses;
 * with the CPU's best path (AVX-512BW where the CPU has it: valgrind cannot run that one, so
 * this native cross-check at every length and position is its check), with AVX2 alone (the
 * AVX-512 bits masked off) and with the portable OR (tenon_cpu_set_mask(0)).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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
    /* Every position at the lengths where the AVX2 last level (32-byte pieces, then the short
     * end byte by byte) and the 256-byte groups and 1 KiB chunks end, the earlier bytes zero
     * (all-zero groups and pieces before the end) or with one more non-zero byte before. */
    static const size_t every[] = {31,  32,  33,  63,  64,  65,  255,  256,  257,  287,  288, 289,
                                   300, 319, 511, 512, 513, 767, 1024, 1025, 1100, 1279, 1281};
    for (size_t e = 0; e < sizeof every / sizeof every[0]; e++)
        for (size_t pos = 0; pos <= every[e]; pos++)
            bad += !check(pos % 3, every[e], pos, pos % 2 ? pos : pos / 5);
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

/* aead_open_last_nonzero (the open that scans as it decrypts where the class can: AES-GCM with
 * VAES on AVX-512 and on AVX2) against tenon_aead_open and the plain backward scan, with every AEAD
 * class the CPU runs, AES-128/192/256 (10, 12, 14 rounds), in place as the record layer opens and
 * out of place: every length 0..1100 and lengths around 4 and 16 KiB, the last non-zero byte at the
 * end, at batch edges and at random, none at all; a forged tag: AUTH_FAILED, the output zeroed,
 * *pos and *found untouched. Returns the number of wrong results. */
static uint8_t pt[16640], ct[16640 + 16], out[16640 + 16];

static unsigned long open_case(const tenon_aead_ctx *ctx, size_t len, size_t pos, int in_place)
{
    static const uint8_t nonce[12] = {1, 2, 3}, aad[5] = {23, 3, 3};
    memset(pt, 0, len);
    tu_rand(pt, pos < len ? pos : len);
    if (pos < len)
        pt[pos] = (uint8_t)(1 + (pos & 0x7f));
    uint8_t tag[16];
    if (tenon_aead_seal(ctx, nonce, 12, aad, 5, pt, len, ct, tag) != 0)
        return 1;
    uint8_t *dst = in_place ? ct : out;
    const uint8_t *src = ct;
    uint32_t f1, f2 = 0x55;
    size_t want = naive(pt, len, &f1), got = 0x5555;
    int rc = aead_open_last_nonzero(ctx, nonce, 12, aad, 5, src, len, tag, dst, &got, &f2);
    unsigned long bad =
        rc != 0 || memcmp(dst, pt, len) != 0 || (f1 != 0) != (f2 != 0) || (f1 != 0 && got != want);
    if (bad)
        fprintf(stderr, "  %s len %zu pos %zu in place %d: rc %d want %zu/%u got %zu/%u\n",
                ctx->vtable->name, len, pos, in_place, rc, want, f1, got, f2);
    /* A forged tag. */
    if (len > 0 && pos % 7 == 0) {
        if (tenon_aead_seal(ctx, nonce, 12, aad, 5, pt, len, ct, tag) != 0)
            return bad + 1;
        tag[pos % 16] ^= 0x40;
        got = 0x5555;
        f2 = 0x55;
        rc = aead_open_last_nonzero(ctx, nonce, 12, aad, 5, ct, len, tag, dst, &got, &f2);
        int zero = 1;
        for (size_t i = 0; i < len; i++)
            zero &= dst[i] == 0;
        if (rc != TENON_ERR_AUTH_FAILED || !zero || got != 0x5555 || f2 != 0x55) {
            fprintf(stderr, "  %s len %zu forged: rc %d\n", ctx->vtable->name, len, rc);
            bad++;
        }
    }
    return bad;
}

static unsigned long run_open(void)
{
    unsigned long bad = 0, classes = 0;
    const tenon_aead_class *const *impl = tenon_aead_implementations();
    for (; *impl != NULL; impl++) {
        if ((tenon_cpu_features() & (*impl)->cpu_needs) != (*impl)->cpu_needs)
            continue;
        static const size_t key_lens[] = {16, 24, 32};
        for (size_t kl = 0; kl < 3; kl++) {
            if (strcmp((*impl)->family, "AES-GCM") != 0 && key_lens[kl] != 32)
                continue;
            uint8_t key[32];
            tu_rand(key, sizeof key);
            tenon_aead_ctx ctx;
            if (!CHECK(tenon_aead_init(&ctx, *impl, key, key_lens[kl]) == 0))
                continue;
            classes++;
            for (size_t len = 0; len <= 1100; len++) {
                size_t cand[] = {
                    len, len - 1, 0, 255, 256, 257, (size_t)(tu_rand_u64() % (len + 1))};
                for (size_t c = 0; c < sizeof cand / sizeof cand[0]; c++)
                    if (cand[c] <= len)
                        bad += open_case(&ctx, len, cand[c], (int)(c & 1));
            }
            static const size_t big[] = {4095, 4096, 4097, 16383, 16384, 16385, 16640};
            for (size_t b = 0; b < sizeof big / sizeof big[0]; b++)
                for (size_t i = 0; i < 40; i++) {
                    size_t len = big[b];
                    size_t pos = i < 10 ? len - i : (size_t)(tu_rand_u64() % (len + 1));
                    bad += open_case(&ctx, len, pos, (int)(i & 1));
                }
            tenon_aead_wipe(&ctx);
        }
    }
    CHECK(classes > 0);
    return bad;
}

/* The record layer's open (in place) with the padding at every length: for lengths at the edges
 * of the scan's 256-byte groups and of AES-GCM/VAES's short tail (1..48 bytes past the last
 * batch: keystream from E(K, J0)'s chain, 49 on: its own), every position of the last non-zero
 * byte (every 5th before the last 600 bytes of the longer ones) and none (all-zero plaintext:
 * *found 0, for unexpected_message), every AEAD class, AES-GCM's three key sizes taking every third
 * position in turn; the ciphertext and plaintext flush against an unmapped page (after it, then
 * before it), so that a load of the scan past either end of the record faults. Returns the wrong
 * results. */
static unsigned long open_every_pos(const tenon_aead_ctx *ctx, uint8_t *area, size_t area_len,
                                    size_t phase, size_t step)
{
    static const size_t lens[] = {0,    1,    2,    15,   16,   17,   48,   49,
                                  63,   64,   65,   255,  256,  257,  303,  304,
                                  305,  511,  512,  513,  767,  1024, 1025, 1073,
                                  1074, 1279, 1281, 2048, 2096, 2097, 2303, 4096 + 48};
    static const uint8_t nonce[12] = {9, 8, 7}, aad[5] = {23, 3, 3, 0, 0};
    unsigned long bad = 0;
    for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
        size_t len = lens[l];
        /* Past 1,100 bytes: every position of the last 600 bytes, every 5th before; of those,
         * the ones this key size takes (phase mod step), at either end of the area. */
        for (size_t pos = 0; pos <= len; pos += len > 1100 && pos + 600 < len ? 5 : 1) {
            if (pos % step != phase)
                continue;
            int at_end = (int)((pos / step) & 1);
            uint8_t *rec = at_end ? area + area_len - len : area;
            memset(pt, 0, len);
            if (pos < len)
                pt[pos] = (uint8_t)(1 + (pos % 255));
            if (pos > 0 && pos % 4 == 1)
                pt[pos / 2] = 0x17; /* an earlier non-zero byte */
            uint8_t tag[16];
            uint32_t f1, f2 = 0x55;
            size_t want = naive(pt, len, &f1), got = 0x5555;
            int rc = tenon_aead_seal(ctx, nonce, 12, aad, 5, pt, len, rec, tag);
            rc |= aead_open_last_nonzero(ctx, nonce, 12, aad, 5, rec, len, tag, rec, &got, &f2);
            if (rc != 0 || memcmp(rec, pt, len) != 0 || (f1 != 0) != (f2 != 0) ||
                (f1 != 0 && got != want)) {
                if (bad++ < 5)
                    fprintf(stderr, "  %s len %zu pos %zu at end %d: rc %d %zu/%u %zu/%u\n",
                            ctx->vtable->name, len, pos, at_end, rc, want, f1, got, f2);
            }
        }
    }
    return bad;
}

/* Every class the CPU runs, or only the one named only. */
static unsigned long run_open_every_pos(const char *only)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), area_len = 2 * page;
    /* [guard][area: two pages][guard] */
    uint8_t *map =
        mmap(NULL, area_len + 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(map != MAP_FAILED))
        return 1;
    CHECK(mprotect(map, page, PROT_NONE) == 0);
    CHECK(mprotect(map + page + area_len, page, PROT_NONE) == 0);
    unsigned long bad = 0;
    const tenon_aead_class *const *impl = tenon_aead_implementations();
    for (; *impl != NULL; impl++) {
        if ((tenon_cpu_features() & (*impl)->cpu_needs) != (*impl)->cpu_needs ||
            (only != NULL && strcmp((*impl)->name, only) != 0))
            continue;
        int gcm = strcmp((*impl)->family, "AES-GCM") == 0;
        for (size_t key_len = gcm ? 16 : 32; key_len <= 32; key_len += 8) {
            uint8_t key[32];
            tu_rand(key, sizeof key);
            tenon_aead_ctx ctx;
            if (!CHECK(tenon_aead_init(&ctx, *impl, key, key_len) == 0))
                continue;
            /* AES-GCM: each key size takes every third position. */
            bad += open_every_pos(&ctx, map + page, area_len, gcm ? (key_len - 16) / 8 : 0,
                                  gcm ? 3 : 1);
            tenon_aead_wipe(&ctx);
        }
    }
    munmap(map, area_len + 2 * page);
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
    bad = run_open();
    CHECK(bad == 0);
    printf("test_ct_scan: aead_open_last_nonzero, every AEAD class: %lu wrong\n", bad);
    tenon_cpu_set_mask(~(uint32_t)(TENON_CPU_AVX512F | TENON_CPU_AVX512BW));
    bad = run_open();
    CHECK(bad == 0);
    printf("test_ct_scan: aead_open_last_nonzero without AVX-512: %lu wrong\n", bad);
    tenon_cpu_set_mask(~(uint32_t)0);
    bad = run_open_every_pos(NULL);
    CHECK(bad == 0);
    printf("test_ct_scan: open in place, every padding position, at unmapped pages: %lu wrong\n",
           bad);
    tenon_cpu_set_mask(~(uint32_t)(TENON_CPU_AVX512F | TENON_CPU_AVX512BW));
    /* The class whose scan runs in its open without AVX-512 (the scan's AVX2 rest). */
    bad = run_open_every_pos("AES-GCM/vaes-avx2");
    CHECK(bad == 0);
    printf("test_ct_scan: the same, AES-GCM/vaes-avx2 without AVX-512: %lu wrong\n", bad);
    tenon_cpu_set_mask(~(uint32_t)0);
    return tu_finish("test_ct_scan");
}
