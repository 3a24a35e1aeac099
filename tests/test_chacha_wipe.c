/*
 * ChaCha20-Poly1305 leaves no keystream on the stack: after a seal or an open (in place and out
 * of place) of each class the CPU runs, the stack below the caller's frame holds no 16-byte run
 * of the message's keystream, neither the blocks used (block 0, the one-time key's) nor the
 * rest of the last batch's blocks past the message that the vector code computes into its
 * buffers (the AVX2 code's partial batch, the AVX-512 code's rows, its tail rows and its partial
 * batch, all through stack buffers). The stack is zeroed first, so a buffer of keystream XORed
 * onto stale bytes holds the keystream itself. Lengths: every path of the row layouts and the
 * batches (block 0 with the rows alone, a partial batch, a batch and its tail rows, a batch
 * and a partial one) and the in-place open's 1,280-byte buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/chacha20.h"
#include "tenon/crypto.h"
#include "testutil.h"

enum { PROBE = 48 * 1024, KS_BLOCKS = 48 };

/* Under AddressSanitizer the instrumented code spills vector registers that hold keystream (16
 * bytes at a time, scattered) into frames no C code of ours can wipe: there the check reports
 * and does not fail. WIPE_DEBUG=1 prints where each run was found. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

/* The keystream of counters 0 .. KS_BLOCKS - 1, sorted 8-byte prefixes of every offset for a
 * lookup. */
static uint8_t ks[KS_BLOCKS * 64];
static uint64_t keys[KS_BLOCKS * 64];
static size_t nkeys;

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static __attribute__((noinline)) void stack_zero(void)
{
    volatile uint8_t area[PROBE];
    for (size_t i = 0; i < sizeof area; i++)
        area[i] = 0;
}

/* The number of 16-byte runs of the keystream in the stack that calls below this frame used. */
static __attribute__((noinline)) size_t stack_hits(size_t *first_at)
{
    uint8_t area[PROBE]; /* deliberately not written: what the callee left */
    const volatile uint8_t *p = area;
    /* The compiler no longer knows what p points at: its loads are made as written. */
    __asm__ volatile("" : "+r"(p) : : "memory");
    static uint8_t copy[PROBE];
    for (size_t i = 0; i < sizeof copy; i++)
        copy[i] = p[i];
    size_t hits = 0;
    for (size_t i = 0; i + 16 <= sizeof copy; i++) {
        uint64_t k;
        memcpy(&k, copy + i, 8);
        if (k == 0 || bsearch(&k, keys, nkeys, sizeof k, cmp_u64) == NULL)
            continue;
        for (size_t j = 0; j + 16 <= sizeof ks; j++)
            if (memcmp(copy + i, ks + j, 16) == 0) {
                if (getenv("WIPE_DEBUG"))
                    printf("  stack %zu: keystream %zu\n", i, j);
                if (hits++ == 0)
                    *first_at = j;
                i += 15;
                break;
            }
    }
    return hits;
}

static size_t checked;

/* One message of len bytes: seal out of place, open out of place and in place; after each,
 * no keystream on the stack. */
static int one_len(const tenon_aead_class *cls, size_t len)
{
    uint8_t key[32], nonce[12], aad[13], tag[16];
    tu_rand(key, sizeof key);
    tu_rand(nonce, sizeof nonce);
    tu_rand(aad, sizeof aad);
    uint8_t *pt = malloc(len + 1), *ct = malloc(len + 1), *x = malloc(len + 1);
    tu_rand(pt, len);
    memset(ks, 0, sizeof ks);
    chacha20_xor_portable(key, nonce, 0, ks, ks, sizeof ks);
    nkeys = 0;
    for (size_t j = 0; j + 16 <= sizeof ks; j++)
        memcpy(&keys[nkeys++], ks + j, 8);
    qsort(keys, nkeys, sizeof keys[0], cmp_u64);

    tenon_aead_ctx ctx;
    int ok = CHECK(tenon_aead_init(&ctx, cls, key, 32) == TENON_OK);
    static const char *const what[] = {"seal", "open", "open in place"};
    for (int op = 0; op < 3; op++) {
        stack_zero();
        int rc;
        if (op == 0) {
            rc = tenon_aead_seal(&ctx, nonce, 12, aad, 13, pt, len, ct, tag);
        } else if (op == 1) {
            rc = tenon_aead_open(&ctx, nonce, 12, aad, 13, ct, len, tag, x);
        } else {
            memcpy(x, ct, len);
            rc = tenon_aead_open(&ctx, nonce, 12, aad, 13, x, len, tag, x);
        }
        size_t at = 0, hits = stack_hits(&at);
        ok &= CHECK(rc == TENON_OK);
        if (!SANITIZED)
            ok &= CHECK(hits == 0);
        if (hits != 0)
            printf("test_chacha_wipe: %s len %zu %s: %zu runs of keystream left, first at "
                   "keystream byte %zu (block %zu)\n",
                   cls->name, len, what[op], hits, at, at / 64);
        checked++;
    }
    tenon_aead_wipe(&ctx);
    free(pt), free(ct), free(x);
    return ok;
}

int main(void)
{
    static const size_t lens[] = {1,    17,   64,   100,  191,  192,  193,  300,  448,
                                  449,  500,  511,  513,  700,  1023, 1024, 1025, 1100,
                                  1279, 1280, 1281, 1300, 1536, 1600, 2047, 2100};
    const tenon_aead_class *const *all = tenon_aead_implementations();
    size_t ran = 0, failed = 0;
    for (size_t i = 0; all[i] != NULL; i++) {
        const tenon_aead_class *cls = all[i];
        if (strcmp(cls->family, "ChaCha20-Poly1305") != 0)
            continue;
        if ((tenon_cpu_features() & cls->cpu_needs) != cls->cpu_needs) {
            printf("test_chacha_wipe: %s skipped (CPU features missing)\n", cls->name);
            continue;
        }
        for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++)
            failed += !one_len(cls, lens[l]);
        ran++;
    }
    CHECK(ran >= 1);
    printf("test_chacha_wipe: %zu classes, %zu checks, %zu lengths failed\n", ran, checked, failed);
    return tu_finish("test_chacha_wipe");
}
