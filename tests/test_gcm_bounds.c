/*
 * AES-GCM at the edges, for every implementation the CPU can run:
 *   - text lengths at and around 16, 64, 256 and 512 bytes (a block, a 512-bit group, a bulk
 *     batch, two batches), 1 KiB and 16 KiB records, with AAD lengths around the same edges;
 *   - every buffer (plaintext, ciphertext, AAD, nonce, tag) placed so that it ends where an
 *     unmapped page begins, then so that it starts where one ends: a read or a write past either
 *     end of any buffer faults (the 512-bit class reads and writes tails with byte masks);
 *     the placements make the buffers unaligned in every way the lengths allow;
 *   - sealing out of place and in place, compared with the portable class; opening both ways;
 *   - the split seal, its head ending at an unmapped page;
 *   - a forged tag: TENON_ERR_AUTH_FAILED and the output zeroed.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tenon/crypto.h"
#include "testutil.h"

static size_t page;

/* A len-byte buffer between two unmapped pages, flush against the second (at_end) or the first. */
typedef struct guarded {
    uint8_t *map;
    size_t map_len;
    uint8_t *p;
} guarded;

static uint8_t *guarded_new(guarded *g, size_t len, int at_end)
{
    size_t body = (len + page - 1) / page * page;
    if (body == 0)
        body = page;
    g->map_len = body + 2 * page;
    g->map = mmap(NULL, g->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g->map == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    if (mprotect(g->map, page, PROT_NONE) != 0 ||
        mprotect(g->map + page + body, page, PROT_NONE) != 0) {
        perror("mprotect");
        exit(2);
    }
    g->p = at_end ? g->map + page + body - len : g->map + page;
    return g->p;
}

static void guarded_free(guarded *g)
{
    munmap(g->map, g->map_len);
}

static const size_t text_lens[] = {0,    1,    15,   16,   17,    31,    32,   33,  63,  64,
                                   65,   127,  128,  129,  191,   192,   193,  255, 256, 257,
                                   271,  383,  511,  512,  513,   575,   767,  768, 769, 1023,
                                   1024, 1025, 4097, 4351, 16383, 16384, 16385};
static const size_t aad_lens[] = {0, 5, 13, 16, 17, 63, 64, 65, 255, 256, 257};
static const size_t nonce_lens[] = {12, 12, 12, 1, 8, 16, 60};

static int is_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* One case for cls: returns 1 if every check passed. */
static int one_case(const tenon_aead_class *cls, const tenon_aead_class *portable, size_t key_len,
                    size_t len, size_t aad_len, size_t nonce_len, size_t tail, int at_end)
{
    int ok = 1;
    uint8_t key[32], rtag[16];
    tu_rand(key, sizeof key);
    uint8_t *pt = malloc(len + 1), *rct = malloc(len + 1);
    tu_rand(pt, len);

    guarded gn, ga, gt, gp, gc, gx;
    uint8_t *nonce = guarded_new(&gn, nonce_len, at_end);
    uint8_t *aad = guarded_new(&ga, aad_len, at_end);
    uint8_t *tag = guarded_new(&gt, 16, at_end);
    uint8_t *p = guarded_new(&gp, len, at_end);
    uint8_t *c = guarded_new(&gc, len, at_end);
    uint8_t *x = guarded_new(&gx, len, at_end);
    tu_rand(nonce, nonce_len);
    tu_rand(aad, aad_len);

    tenon_aead_ctx ref, ctx;
    ok &= CHECK(tenon_aead_init(&ref, portable, key, key_len) == TENON_OK);
    ok &= CHECK(tenon_aead_init(&ctx, cls, key, key_len) == TENON_OK);
    ok &= CHECK(tenon_aead_seal(&ref, nonce, nonce_len, aad, aad_len, pt, len, rct, rtag) ==
                TENON_OK);

    /* Out of place. */
    memcpy(p, pt, len);
    ok &= CHECK(tenon_aead_seal(&ctx, nonce, nonce_len, aad, aad_len, p, len, c, tag) == TENON_OK);
    ok &= CHECK(memcmp(c, rct, len) == 0 && memcmp(tag, rtag, 16) == 0);
    memset(x, 0xa5, len);
    ok &= CHECK(tenon_aead_open(&ctx, nonce, nonce_len, aad, aad_len, c, len, tag, x) == TENON_OK);
    ok &= CHECK(memcmp(x, pt, len) == 0);

    /* In place, both ways. */
    memcpy(x, pt, len);
    ok &= CHECK(tenon_aead_seal(&ctx, nonce, nonce_len, aad, aad_len, x, len, x, tag) == TENON_OK);
    ok &= CHECK(memcmp(x, rct, len) == 0 && memcmp(tag, rtag, 16) == 0);
    ok &= CHECK(tenon_aead_open(&ctx, nonce, nonce_len, aad, aad_len, x, len, tag, x) == TENON_OK);
    ok &= CHECK(memcmp(x, pt, len) == 0);

    /* The split seal: the head from p (ending at the guard), the last tail bytes already in
     * place at the end of c. */
    size_t head_len = len - (tail < len ? tail : len);
    memset(c, 0, len);
    memcpy(c + head_len, pt + head_len, len - head_len);
    ok &= CHECK(tenon_aead_seal_split(&ctx, nonce, nonce_len, aad, aad_len, p, head_len, c, len,
                                      tag) == TENON_OK);
    ok &= CHECK(memcmp(c, rct, len) == 0 && memcmp(tag, rtag, 16) == 0);

    /* A forged tag: rejected, and nothing of the plaintext released. */
    tag[len % 16] ^= 0x40;
    memset(x, 0xa5, len);
    ok &= CHECK(tenon_aead_open(&ctx, nonce, nonce_len, aad, aad_len, c, len, tag, x) ==
                TENON_ERR_AUTH_FAILED);
    ok &= CHECK(is_zero(x, len));
    memcpy(x, c, len);
    ok &= CHECK(tenon_aead_open(&ctx, nonce, nonce_len, aad, aad_len, x, len, tag, x) ==
                TENON_ERR_AUTH_FAILED);
    ok &= CHECK(is_zero(x, len));

    tenon_aead_wipe(&ref);
    tenon_aead_wipe(&ctx);
    guarded_free(&gn), guarded_free(&ga), guarded_free(&gt);
    guarded_free(&gp), guarded_free(&gc), guarded_free(&gx);
    free(pt), free(rct);
    if (!ok)
        printf("test_gcm_bounds: %s failed: key %zu, len %zu, aad %zu, nonce %zu, tail %zu, %s\n",
               cls->name, key_len, len, aad_len, nonce_len, tail, at_end ? "at end" : "at start");
    return ok;
}

int main(void)
{
    page = (size_t)sysconf(_SC_PAGESIZE);
    const tenon_aead_class *const *all = tenon_aead_implementations();
    const tenon_aead_class *portable = NULL;
    for (size_t i = 0; all[i] != NULL; i++)
        if (strcmp(all[i]->family, "AES-GCM") == 0 && all[i]->cpu_needs == 0)
            portable = all[i];
    CHECK(portable != NULL);
    if (portable == NULL)
        return tu_finish("test_gcm_bounds");

    static const size_t key_lens[] = {16, 24, 32};
    size_t ran = 0;
    for (size_t i = 0; all[i] != NULL; i++) {
        const tenon_aead_class *cls = all[i];
        if (strcmp(cls->family, "AES-GCM") != 0)
            continue;
        if ((tenon_cpu_features() & cls->cpu_needs) != cls->cpu_needs) {
            printf("test_gcm_bounds: %s skipped (CPU features missing)\n", cls->name);
            continue;
        }
        size_t cases = 0, failed = 0;
        for (size_t l = 0; l < sizeof text_lens / sizeof text_lens[0]; l++) {
            for (int at_end = 0; at_end < 2; at_end++) {
                size_t n = l + (size_t)at_end;
                failed += !one_case(cls, portable, key_lens[n % 3], text_lens[l],
                                    aad_lens[n % (sizeof aad_lens / sizeof aad_lens[0])],
                                    nonce_lens[n % (sizeof nonce_lens / sizeof nonce_lens[0])],
                                    1 + n % 17, at_end);
                cases++;
            }
        }
        /* Every AAD length with a short text, the AAD ending at the guard page. */
        for (size_t a = 0; a < sizeof aad_lens / sizeof aad_lens[0]; a++, cases++)
            failed += !one_case(cls, portable, 16, 17, aad_lens[a], 12, 1, 1);
        printf("test_gcm_bounds: %s, %zu cases, %zu failed\n", cls->name, cases, failed);
        ran++;
    }
    CHECK(ran >= 1);
    return tu_finish("test_gcm_bounds");
}
