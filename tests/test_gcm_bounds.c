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
 *   - a forged tag: TENON_ERR_AUTH_FAILED and the output zeroed;
 *   - AES-GCM against OpenSSL (run_dense), for every class the CPU runs and the class picked,
 *     with all of the CPU's features, with AVX-512 masked and with VAES masked: every text
 *     length 0..300 with 18 AAD lengths (0..40 at block edges, 63..65), both ends of a page;
 *     the split seal with every head length; the 32-bit counter (inc32, SP 800-38D §6.2)
 *     wrapping in the bulk and in the tail, from 16-byte nonces solved for J0.
 * ChaCha20-Poly1305 (key 32, nonce 12 bytes) adds its own edges: the AVX2/AVX-512 row-layout
 * tails after a batch, open in place through its 1,280-byte buffer, the 8 KiB seal pieces, the
 * IFMA one-pass MAC's AAD up to 128 bytes (and 129, where it declines).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/evp.h>

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

/* AES-GCM by OpenSSL's EVP (any nonce length), the independent reference of the sweeps below. */
static int ossl_gcm_seal(const uint8_t *key, size_t key_len, const uint8_t *nonce, size_t nonce_len,
                         const uint8_t *aad, size_t aad_len, const uint8_t *pt, size_t len,
                         uint8_t *ct, uint8_t tag[16])
{
    const EVP_CIPHER *c = key_len == 16   ? EVP_aes_128_gcm()
                          : key_len == 24 ? EVP_aes_192_gcm()
                                          : EVP_aes_256_gcm();
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int n = 0, ok = x != NULL && EVP_EncryptInit_ex(x, c, NULL, NULL, NULL) == 1 &&
                    EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_IVLEN, (int)nonce_len, NULL) == 1 &&
                    EVP_EncryptInit_ex(x, NULL, NULL, key, nonce) == 1 &&
                    (aad_len == 0 || EVP_EncryptUpdate(x, NULL, &n, aad, (int)aad_len) == 1) &&
                    (len == 0 || EVP_EncryptUpdate(x, ct, &n, pt, (int)len) == 1) &&
                    EVP_EncryptFinal_ex(x, ct + (len == 0 ? 0 : n), &n) == 1 &&
                    EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
    EVP_CIPHER_CTX_free(x);
    return ok;
}

/* Pages with guards on both sides for the dense sweeps (texts up to a page). */
static guarded dense_g[4];

/* Every text length 0..300 with the AAD lengths at block and 256-bit edges (0..40 and around 64),
 * against OpenSSL: each buffer ending at an unmapped page, then starting after one; sealing out
 * of place and in place; opening out of place and in place; a forged tag. AES-GCM only. */
static size_t dense_sweep(const tenon_aead_class *cls)
{
    static const size_t aads[] = {0,  1,  2,  7,  8,  12, 13, 15, 16,
                                  17, 23, 31, 32, 33, 40, 63, 64, 65};
    size_t failed = 0;
    for (size_t len = 0; len <= 300; len++)
        for (size_t a = 0; a < sizeof aads / sizeof aads[0]; a++) {
            const size_t aad_len = aads[a], key_len = 16 + 8 * ((len + a) % 3);
            const int at_end = (int)((len + a) & 1);
            uint8_t key[32], nonce[12], pt[300], rct[300], rtag[16];
            tu_rand(key, sizeof key);
            tu_rand(nonce, sizeof nonce);
            tu_rand(pt, len);
            uint8_t *bufs[4];
            for (int b = 0; b < 4; b++) {
                const size_t want = b == 0 ? aad_len : b == 3 ? 16 : len;
                bufs[b] = at_end ? dense_g[b].p + page - want : dense_g[b].p;
            }
            uint8_t *aad = bufs[0], *p = bufs[1], *c = bufs[2], *tag = bufs[3];
            tu_rand(aad, aad_len);
            int ok =
                CHECK(ossl_gcm_seal(key, key_len, nonce, 12, aad, aad_len, pt, len, rct, rtag));
            tenon_aead_ctx ctx;
            ok &= CHECK(tenon_aead_init(&ctx, cls, key, key_len) == TENON_OK);
            memcpy(p, pt, len);
            ok &= CHECK(tenon_aead_seal(&ctx, nonce, 12, aad, aad_len, p, len, c, tag) == TENON_OK);
            ok &= CHECK(memcmp(c, rct, len) == 0 && memcmp(tag, rtag, 16) == 0);
            ok &= CHECK(tenon_aead_seal(&ctx, nonce, 12, aad, aad_len, p, len, p, tag) == TENON_OK);
            ok &= CHECK(memcmp(p, rct, len) == 0 && memcmp(tag, rtag, 16) == 0);
            memset(p, 0xa5, len);
            ok &= CHECK(tenon_aead_open(&ctx, nonce, 12, aad, aad_len, c, len, tag, p) == TENON_OK);
            ok &= CHECK(memcmp(p, pt, len) == 0);
            ok &= CHECK(tenon_aead_open(&ctx, nonce, 12, aad, aad_len, c, len, tag, c) == TENON_OK);
            ok &= CHECK(memcmp(c, pt, len) == 0);
            memcpy(c, rct, len);
            tag[(len + aad_len) % 16] ^= (uint8_t)(1u << (len % 8));
            ok &= CHECK(tenon_aead_open(&ctx, nonce, 12, aad, aad_len, c, len, tag, c) ==
                        TENON_ERR_AUTH_FAILED);
            ok &= CHECK(is_zero(c, len));
            tenon_aead_wipe(&ctx);
            if (!ok) {
                failed++;
                printf("test_gcm_bounds: %s dense: key %zu, len %zu, aad %zu, %s\n", cls->name,
                       key_len, len, aad_len, at_end ? "at end" : "at start");
            }
        }
    return failed;
}

/* The split seal with every head length, the head ending at an unmapped page and the output
 * flush against one, against OpenSSL. */
static size_t split_sweep(const tenon_aead_class *cls)
{
    static const size_t lens[] = {1,   15,  16,  17,  31,  32,  33,  63,  64,  65,  127,
                                  128, 129, 255, 256, 257, 271, 300, 511, 512, 513, 545};
    size_t failed = 0;
    for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
        const size_t len = lens[l];
        uint8_t key[32], nonce[12], aad[13], pt[545], rct[545], rtag[16];
        const size_t key_len = 16 + 8 * (l % 3);
        tu_rand(key, sizeof key);
        tu_rand(nonce, sizeof nonce);
        tu_rand(aad, sizeof aad);
        tu_rand(pt, len);
        int ok = CHECK(ossl_gcm_seal(key, key_len, nonce, 12, aad, sizeof aad, pt, len, rct, rtag));
        tenon_aead_ctx ctx;
        ok &= CHECK(tenon_aead_init(&ctx, cls, key, key_len) == TENON_OK);
        for (size_t head_len = 0; head_len <= len; head_len++) {
            uint8_t *head = dense_g[0].p + page - head_len, *c = dense_g[1].p + page - len;
            uint8_t *tag = dense_g[3].p + page - 16;
            memcpy(head, pt, head_len);
            memset(c, 0, head_len);
            memcpy(c + head_len, pt + head_len, len - head_len);
            int r = tenon_aead_seal_split(&ctx, nonce, 12, aad, sizeof aad, head, head_len, c, len,
                                          tag) == TENON_OK &&
                    memcmp(c, rct, len) == 0 && memcmp(tag, rtag, 16) == 0;
            if (!CHECK(r))
                printf("test_gcm_bounds: %s split: len %zu, head %zu\n", cls->name, len, head_len);
            ok &= r;
        }
        tenon_aead_wipe(&ctx);
        failed += !ok;
    }
    return failed;
}

/* GF(2^128) multiplication in GCM's bit order (SP 800-38D §6.3, Algorithm 1). */
static void gf_mul(uint8_t r[16], const uint8_t x[16], const uint8_t y[16])
{
    uint8_t z[16] = {0}, v[16];
    memcpy(v, y, 16);
    for (int i = 0; i < 128; i++) {
        if ((x[i / 8] >> (7 - i % 8)) & 1)
            for (int j = 0; j < 16; j++)
                z[j] ^= v[j];
        const int lsb = v[15] & 1;
        for (int j = 15; j > 0; j--)
            v[j] = (uint8_t)((v[j] >> 1) | (v[j - 1] << 7));
        v[0] >>= 1;
        if (lsb)
            v[0] ^= 0xe1;
    }
    memcpy(r, z, 16);
}

/* A 16-byte nonce N with J0 = GHASH(N || [0]_64 || [128]_64) = N H^2 ^ L H equal to j0 (§7.1
 * step 2), so that the 32-bit counter starts where wanted: N = (j0 ^ L H) H^-2. */
static void nonce_for_j0(uint8_t n[16], const uint8_t h[16], const uint8_t j0[16])
{
    uint8_t h2[16], inv[16] = {0x80}, l[16] = {0}, t[16];
    gf_mul(h2, h, h);
    /* h2^-1 = h2^(2^128 - 2): 127 rounds of square-and-multiply, then a square. */
    for (int i = 0; i < 127; i++) {
        gf_mul(inv, inv, inv);
        gf_mul(inv, inv, h2);
    }
    gf_mul(inv, inv, inv);
    gf_mul(t, inv, h2);
    static const uint8_t one[16] = {0x80};
    CHECK(memcmp(t, one, 16) == 0);
    l[15] = 128;
    gf_mul(t, l, h);
    for (int j = 0; j < 16; j++)
        t[j] ^= j0[j];
    gf_mul(n, t, inv);
}

/* The 32-bit counter wrapping (inc32, §6.2) in the bulk and in the tail: J0's counter word at
 * 2^32 - d for d around the batch and tail edges, lengths over the tail's cases, against OpenSSL
 * (and the nonce's J0 checked by it: a wrap carried into the nonce part would differ). */
static size_t wrap_sweep(const tenon_aead_class *cls)
{
    static const size_t ds[] = {1, 2, 3, 4, 5, 8, 9, 15, 16, 17, 18, 20, 24, 31, 32, 33};
    static const size_t lens[] = {1,  15,  16,  17,  33,  48,  49,  64,
                                  65, 100, 129, 255, 256, 257, 300, 520};
    size_t failed = 0;
    for (size_t key_len = 16; key_len <= 32; key_len += 8) {
        uint8_t key[32], h[16] = {0}, iv[16] = {0};
        tu_rand(key, sizeof key);
        tenon_aes_cbc_ctx aes;
        CHECK(tenon_aes_cbc_init(&aes, key, key_len) == TENON_OK);
        CHECK(tenon_aes_cbc_encrypt(&aes, iv, h, h, 16) == TENON_OK); /* H = E(K, 0^128) */
        tenon_aes_cbc_wipe(&aes);
        tenon_aead_ctx ctx;
        CHECK(tenon_aead_init(&ctx, cls, key, key_len) == TENON_OK);
        for (size_t d = 0; d < sizeof ds / sizeof ds[0]; d++) {
            uint8_t j0[16], nonce[16];
            tu_rand(j0, 12);
            const uint32_t w = (uint32_t)(0 - (uint32_t)ds[d]);
            j0[12] = (uint8_t)(w >> 24), j0[13] = (uint8_t)(w >> 16);
            j0[14] = (uint8_t)(w >> 8), j0[15] = (uint8_t)w;
            nonce_for_j0(nonce, h, j0);
            {
                /* The wrap is really there: OpenSSL's first keystream block is E(K, inc32(J0)). */
                uint8_t zeros[16] = {0}, ks[16], t[16], ctr[16], iv0[16] = {0};
                memcpy(ctr, j0, 16);
                ctr[15] = (uint8_t)(ctr[15] + 1); /* 2^32 - d + 1: no carry out of byte 15 ... */
                if (ctr[15] == 0)                 /* ... but for d = 1, where the word wraps */
                    memset(ctr + 12, 0, 4);
                CHECK(ossl_gcm_seal(key, key_len, nonce, 16, NULL, 0, zeros, 16, ks, t));
                CHECK(tenon_aes_cbc_init(&aes, key, key_len) == TENON_OK);
                CHECK(tenon_aes_cbc_encrypt(&aes, iv0, ctr, ctr, 16) == TENON_OK);
                tenon_aes_cbc_wipe(&aes);
                CHECK(memcmp(ks, ctr, 16) == 0);
            }
            for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
                const size_t len = lens[l];
                uint8_t pt[520], rct[520], c[520], rtag[16], tag[16], aad[5] = {23, 3, 3};
                tu_rand(pt, len);
                int ok = CHECK(ossl_gcm_seal(key, key_len, nonce, 16, aad, 5, pt, len, rct, rtag));
                ok &= CHECK(tenon_aead_seal(&ctx, nonce, 16, aad, 5, pt, len, c, tag) == TENON_OK);
                ok &= CHECK(memcmp(c, rct, len) == 0 && memcmp(tag, rtag, 16) == 0);
                ok &= CHECK(tenon_aead_open(&ctx, nonce, 16, aad, 5, c, len, tag, c) == TENON_OK);
                ok &= CHECK(memcmp(c, pt, len) == 0);
                if (!ok) {
                    failed++;
                    printf("test_gcm_bounds: %s wrap: key %zu, 2^32 - %zu, len %zu\n", cls->name,
                           key_len, ds[d], len);
                }
            }
        }
        tenon_aead_wipe(&ctx);
    }
    return failed;
}

/* The dense sweeps for every AES-GCM class the CPU runs, then again under CPU masks: AVX-512
 * off (the AVX2 paths of whatever the classes dispatch inside), and VAES off. */
static void run_dense(const tenon_aead_class *const *all)
{
    for (int b = 0; b < 4; b++)
        guarded_new(&dense_g[b], page, 1);
    static const uint32_t masks[] = {~(uint32_t)0,
                                     ~(uint32_t)(TENON_CPU_AVX512F | TENON_CPU_AVX512BW |
                                                 TENON_CPU_AVX512VL | TENON_CPU_AVX512IFMA),
                                     ~(uint32_t)(TENON_CPU_VAES | TENON_CPU_VPCLMUL)};
    for (size_t m = 0; m < sizeof masks / sizeof masks[0]; m++) {
        tenon_cpu_set_mask(masks[m]);
        for (size_t i = 0; all[i] != NULL; i++) {
            const tenon_aead_class *cls = all[i];
            if (strcmp(cls->family, "AES-GCM") != 0 ||
                (tenon_cpu_features() & cls->cpu_needs) != cls->cpu_needs)
                continue;
            size_t failed = dense_sweep(cls) + split_sweep(cls) + wrap_sweep(cls);
            printf("test_gcm_bounds: %s (mask 0x%x): dense, split and wrap sweeps, %zu failed\n",
                   cls->name, masks[m], failed);
        }
        /* The class the library picks under this mask. */
        const tenon_aead_class *best = tenon_aead_aes_gcm();
        size_t failed = dense_sweep(best) + wrap_sweep(best);
        printf("test_gcm_bounds: picked %s (mask 0x%x): %zu failed\n", best->name, masks[m],
               failed);
    }
    tenon_cpu_set_mask(~(uint32_t)0);
    for (int b = 0; b < 4; b++)
        guarded_free(&dense_g[b]);
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
    run_dense(all);
    return tu_finish("test_gcm_bounds");
}
