/*
 * AES-GCM and ChaCha20-Poly1305 at the edges, for every implementation the CPU can run:
 *   - text lengths at and around 16, 64, 256 and 512 bytes (a block, a 512-bit group, a bulk
 *     batch, two batches), 1 KiB and 16 KiB records, with AAD lengths around the same edges;
 *   - every buffer (plaintext, ciphertext, AAD, nonce, tag) placed so that it ends where an
 *     unmapped page begins, then so that it starts where one ends: a read or a write past either
 *     end of any buffer faults (the 512-bit class reads and writes tails with byte masks);
 *     the placements make the buffers unaligned in every way the lengths allow;
 *   - sealing out of place and in place, compared with the portable class; opening both ways;
 *   - the split seal, its head ending at an unmapped page;
 *   - a forged tag: TENON_ERR_AUTH_FAILED and the output zeroed.
 * ChaCha20-Poly1305 (key 32, nonce 12 bytes) adds its own edges: the AVX2/AVX-512 row-layout
 * tails after a batch, open in place through its 1,280-byte buffer, the 8 KiB seal pieces, the
 * IFMA one-pass MAC's AAD up to 128 bytes (and 129, where it declines).
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
/* ChaCha20-Poly1305's edges beside those: rows after a batch, open's 1,280-byte in-place buffer,
 * seal's 8 KiB pieces, a TLS 1.3 record of 16 KiB + 256. */
static const size_t chacha_lens[] = {1087, 1088, 1089, 1151, 1215, 1279, 1280, 1281, 1343,
                                     2047, 2049, 2100, 8191, 8192, 8193, 8257, 16640};
static const size_t chacha_aad_lens[] = {1, 12, 95, 96, 97, 112, 113, 127, 128, 129};
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

/* Every case of text_lens (and extra) for one class, the buffers at both ends of their pages;
 * then every AAD length of aads with a short text. */
static void run_class(const tenon_aead_class *cls, const tenon_aead_class *portable,
                      const size_t *key_lens, size_t nkeys, const size_t *nonces, size_t nnonces,
                      const size_t *extra, size_t nextra, const size_t *aads, size_t naads)
{
    size_t cases = 0, failed = 0;
    size_t nlens = sizeof text_lens / sizeof text_lens[0];
    for (size_t l = 0; l < nlens + nextra; l++) {
        size_t len = l < nlens ? text_lens[l] : extra[l - nlens];
        for (int at_end = 0; at_end < 2; at_end++) {
            size_t n = l + (size_t)at_end;
            failed += !one_case(cls, portable, key_lens[n % nkeys], len, aads[n % naads],
                                nonces[n % nnonces], 1 + n % 17, at_end);
            cases++;
        }
    }
    /* Every AAD length with a short text and one past a batch, the AAD ending at the guard page. */
    for (size_t a = 0; a < naads; a++, cases += 2) {
        failed += !one_case(cls, portable, key_lens[0], 17, aads[a], 12, 1, 1);
        failed += !one_case(cls, portable, key_lens[0], 1025, aads[a], 12, 1 + a % 17, 1);
    }
    printf("test_gcm_bounds: %s, %zu cases, %zu failed\n", cls->name, cases, failed);
}

static const tenon_aead_class *portable_of(const tenon_aead_class *const *all, const char *family)
{
    for (size_t i = 0; all[i] != NULL; i++)
        if (strcmp(all[i]->family, family) == 0 && all[i]->cpu_needs == 0)
            return all[i];
    return NULL;
}

int main(void)
{
    page = (size_t)sysconf(_SC_PAGESIZE);
    const tenon_aead_class *const *all = tenon_aead_implementations();
    const tenon_aead_class *gcm = portable_of(all, "AES-GCM");
    const tenon_aead_class *chapoly = portable_of(all, "ChaCha20-Poly1305");
    CHECK(gcm != NULL && chapoly != NULL);
    if (gcm == NULL || chapoly == NULL)
        return tu_finish("test_gcm_bounds");

    static const size_t key_lens[] = {16, 24, 32}, key32[] = {32}, nonce12[] = {12};
    size_t ran = 0;
    for (size_t i = 0; all[i] != NULL; i++) {
        const tenon_aead_class *cls = all[i];
        int is_gcm = strcmp(cls->family, "AES-GCM") == 0;
        if (!is_gcm && strcmp(cls->family, "ChaCha20-Poly1305") != 0)
            continue;
        if ((tenon_cpu_features() & cls->cpu_needs) != cls->cpu_needs) {
            printf("test_gcm_bounds: %s skipped (CPU features missing)\n", cls->name);
            continue;
        }
        if (is_gcm)
            run_class(cls, gcm, key_lens, 3, nonce_lens, sizeof nonce_lens / sizeof nonce_lens[0],
                      NULL, 0, aad_lens, sizeof aad_lens / sizeof aad_lens[0]);
        else
            run_class(cls, chapoly, key32, 1, nonce12, 1, chacha_lens,
                      sizeof chacha_lens / sizeof chacha_lens[0], chacha_aad_lens,
                      sizeof chacha_aad_lens / sizeof chacha_aad_lens[0]);
        ran++;
    }
    CHECK(ran >= 2);
    return tu_finish("test_gcm_bounds");
}
