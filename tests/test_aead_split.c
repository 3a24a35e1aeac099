/*
 * tenon_aead_seal_split, the gather seal the TLS record layer uses to seal from the caller's
 * buffer: for every implementation this CPU can run (portable, AES-NI, VAES-AVX2, ChaCha20 AVX2 /
 * AVX-512 / IFMA), the ciphertext and tag must equal those of the one-piece seal of the
 * concatenated plaintext, at every length 0..1100 and at split points around every unit the
 * implementations work in (16, 64, 128, 256 bytes and the 4096-byte chunks), in place and out of
 * place, with bytes of head past head_len that must not be read and bytes of out past total_len
 * that must not be written. The known-answer vectors through the split seal are in test_gcm.c and
 * test_chacha.c; the constant-flow check in ct_gcm.c and ct_chacha.c.
 */
#include <stdlib.h>
#include <string.h>

#include "tenon/crypto.h"
#include "testutil.h"

#define MAX_LEN 20000
#define GUARD_LEN 64

static const tenon_aead_class *impls[16];
static size_t nimpls;

static void find_impls(void)
{
    const tenon_aead_class *const *all = tenon_aead_implementations();
    uint32_t have = tenon_cpu_features();
    for (size_t i = 0; all[i] != NULL && nimpls < 16; i++) {
        if ((have & all[i]->cpu_needs) == all[i]->cpu_needs)
            impls[nimpls++] = all[i];
        else
            printf("test_aead_split: %s skipped (CPU features missing)\n", all[i]->name);
    }
}

static uint8_t pt[MAX_LEN], ref[MAX_LEN], head[MAX_LEN], out[MAX_LEN + GUARD_LEN];

/* Seals pt[0..len) split at h with cls (out of place, or in place when in_place) and compares
 * with ref/ref_tag. Returns 1 on a match. */
static int split_once(const tenon_aead_ctx *ctx, const uint8_t nonce[12], const uint8_t *aad,
                      size_t aad_len, size_t len, size_t h, int in_place, const uint8_t ref_tag[16])
{
    uint8_t tag[16];
    memset(out, 0xa5, sizeof out);
    const uint8_t *hp = out;
    if (in_place) {
        memcpy(out, pt, len);
    } else {
        /* head holds the first h bytes of pt and garbage after them (which must not be read);
         * out holds the rest of pt from h on and garbage before it. */
        memcpy(head, pt, h);
        for (size_t i = h; i < len; i++)
            head[i] = (uint8_t)~pt[i];
        memcpy(out + h, pt + h, len - h);
        hp = head;
    }
    int rc = tenon_aead_seal_split(ctx, nonce, 12, aad, aad_len, hp, h, out, len, tag);
    int ok = rc == TENON_OK && memcmp(out, ref, len) == 0 && memcmp(tag, ref_tag, 16) == 0;
    for (size_t i = 0; i < GUARD_LEN; i++)
        ok &= out[len + i] == 0xa5;
    return ok;
}

/* Every split point worth trying for len: the unit boundaries and their neighbours, the ends,
 * the middle. */
static size_t split_points(size_t len, size_t *pts)
{
    static const size_t base[] = {0, 1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 255, 256, 257, 511,
                                  512, 513, 1023, 1024, 4095, 4096, 4097, 8191, 8192, 8193, 16384,
                                  /* the stitched AVX2 seal's batches: 448 + 512 k */
                                  447, 448, 449, 959, 960, 961, 1471, 1472};
    size_t n = 0;
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++)
        if (base[i] <= len)
            pts[n++] = base[i];
    pts[n++] = len / 2;
    if (len > 0)
        pts[n++] = len - 1;
    pts[n++] = len;
    pts[n++] = (size_t)(tu_rand_u64() % (len + 1));
    return n;
}

/* ctx with a random key for cls; a random nonce and AAD. */
static void random_ctx(tenon_aead_ctx *ctx, const tenon_aead_class *cls, uint8_t nonce[12],
                       uint8_t aad[13])
{
    uint8_t key[32];
    tu_rand(key, sizeof key);
    tu_rand(nonce, 12);
    tu_rand(aad, 13);
    CHECK_RC(tenon_aead_init(ctx, cls, key, 32), TENON_OK);
}

static void test_class(const tenon_aead_class *cls, const size_t *lens, size_t nlens)
{
    uint8_t nonce[12], aad[13], ref_tag[16];
    tenon_aead_ctx ctx;
    random_ctx(&ctx, cls, nonce, aad);
    unsigned long bad = 0, runs = 0;
    for (size_t li = 0; li < nlens; li++) {
        size_t len = lens[li];
        tu_rand(pt, len);
        if (tenon_aead_seal(&ctx, nonce, 12, aad, sizeof aad, pt, len, ref, ref_tag) != TENON_OK) {
            bad++;
            continue;
        }
        size_t pts[40];
        size_t n = split_points(len, pts);
        for (size_t j = 0; j < n; j++) {
            for (int in_place = 0; in_place < 2; in_place++) {
                runs++;
                if (!split_once(&ctx, nonce, aad, sizeof aad, len, pts[j], in_place, ref_tag)) {
                    if (bad++ < 5)
                        fprintf(stderr, "    %s: len %zu head %zu in_place %d differs\n", cls->name,
                                len, pts[j], in_place);
                }
            }
        }
    }
    printf("test_aead_split: %s, %lu split seals\n", cls->name, runs);
    CHECK(bad == 0);
    tenon_aead_wipe(&ctx);
}

/* The split seal against the portable member of the family: the same key and plaintext give the
 * same record whichever implementation seals it. */
static void test_vs_portable(void)
{
    for (size_t i = 0; i < nimpls; i++) {
        const tenon_aead_class *p = NULL;
        for (size_t j = 0; j < nimpls; j++)
            if (impls[j]->cpu_needs == 0 && strcmp(impls[j]->family, impls[i]->family) == 0)
                p = impls[j];
        CHECK(p != NULL);
        if (p == NULL)
            continue;
        uint8_t key[32], nonce[12], tag[16], ref_tag[16];
        tu_rand(key, sizeof key);
        tu_rand(nonce, sizeof nonce);
        tenon_aead_ctx a, b;
        CHECK_RC(tenon_aead_init(&a, impls[i], key, 32), TENON_OK);
        CHECK_RC(tenon_aead_init(&b, p, key, 32), TENON_OK);
        static const size_t lens[] = {0, 1, 300, 1025, 4097, 16385};
        for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
            size_t len = lens[l], h = len > 0 ? len - 1 : 0;
            tu_rand(pt, len);
            CHECK_RC(tenon_aead_seal(&b, nonce, 12, NULL, 0, pt, len, ref, ref_tag), TENON_OK);
            memcpy(out + h, pt + h, len - h);
            CHECK_RC(tenon_aead_seal_split(&a, nonce, 12, NULL, 0, pt, h, out, len, tag), TENON_OK);
            if (!CHECK_MEM(out, ref, len, "split vs portable") ||
                !CHECK_MEM(tag, ref_tag, 16, "split vs portable tag"))
                fprintf(stderr, "    %s, len %zu\n", impls[i]->name, len);
        }
        tenon_aead_wipe(&a);
        tenon_aead_wipe(&b);
    }
}

static void test_args(void)
{
    uint8_t key[32] = {1}, nonce[12] = {0}, buf[64], tag[16];
    tenon_aead_ctx ctx;
    for (size_t i = 0; i < nimpls; i++) {
        CHECK_RC(tenon_aead_init(&ctx, impls[i], key, 32), TENON_OK);
        /* A head longer than the whole plaintext. */
        CHECK_RC(tenon_aead_seal_split(&ctx, nonce, 12, NULL, 0, buf, 33, buf, 32, tag),
                 TENON_ERR_INVALID_ARGUMENT);
        /* A missing head with a non-zero length; a missing out. */
        CHECK_RC(tenon_aead_seal_split(&ctx, nonce, 12, NULL, 0, NULL, 1, buf, 32, tag),
                 TENON_ERR_INVALID_ARGUMENT);
        CHECK_RC(tenon_aead_seal_split(&ctx, nonce, 12, NULL, 0, buf, 0, NULL, 32, tag),
                 TENON_ERR_INVALID_ARGUMENT);
        /* An empty plaintext with no buffers at all is fine. */
        CHECK_RC(tenon_aead_seal_split(&ctx, nonce, 12, NULL, 0, NULL, 0, NULL, 0, tag), TENON_OK);
        /* The class's nonce rule holds as in the one-piece seal. */
        CHECK_RC(tenon_aead_seal_split(&ctx, nonce, 0, NULL, 0, buf, 16, buf, 32, tag),
                 TENON_ERR_BAD_NONCE_LENGTH);
        tenon_aead_wipe(&ctx);
    }
    CHECK_RC(tenon_aead_seal_split(NULL, nonce, 12, NULL, 0, buf, 0, buf, 0, tag),
             TENON_ERR_INVALID_ARGUMENT);
    memset(&ctx, 0, sizeof ctx);
    CHECK_RC(tenon_aead_seal_split(&ctx, nonce, 12, NULL, 0, buf, 0, buf, 0, tag),
             TENON_ERR_NOT_INITIALISED);
}

/* Past one batch of the wider codes (1,101..2,100 bytes, every 7th): the split at every
 * multiple of 64 and, in turn, 1..63 bytes past it, so that it falls inside the AVX-512
 * ChaCha20's first batch, its tail rows and its partial second batch, and inside AES-GCM's
 * batches of 256 and 512 bytes. */
static void test_splits_past_a_batch(const tenon_aead_class *cls)
{
    uint8_t nonce[12], aad[13], ref_tag[16];
    tenon_aead_ctx ctx;
    random_ctx(&ctx, cls, nonce, aad);
    unsigned long bad = 0, runs = 0;
    for (size_t len = 1101; len <= 2100; len += 7) {
        tu_rand(pt, len);
        CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, aad, sizeof aad, pt, len, ref, ref_tag), 0);
        for (size_t h = 0; h <= len; h += 64) {
            size_t hs[2] = {h, h + 1 + (h / 64 + len) % 63};
            for (size_t k = 0; k < 2; k++, runs++)
                if (hs[k] <= len &&
                    !split_once(&ctx, nonce, aad, sizeof aad, len, hs[k], (int)(k ^ (h / 64 & 1)),
                                ref_tag) &&
                    bad++ < 5)
                    fprintf(stderr, "    %s: len %zu head %zu differs\n", cls->name, len, hs[k]);
        }
    }
    printf("test_aead_split: %s, %lu split seals past a batch\n", cls->name, runs);
    CHECK(bad == 0);
    tenon_aead_wipe(&ctx);
}

int main(void)
{
    tu_seed(0x5e1175u);
    find_impls();
    /* Every length 0..1100, then the lengths around the 4096-byte chunks and a whole record. */
    static size_t lens[1200];
    size_t nlens = 0;
    for (size_t l = 0; l <= 1100; l++)
        lens[nlens++] = l;
    static const size_t big[] = {4095, 4096, 4097, 8191, 8192, 8193, 16383, 16384, 16385, 16401};
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++)
        lens[nlens++] = big[i];
    for (size_t i = 0; i < nimpls; i++) {
        test_class(impls[i], lens, nlens);
        test_splits_past_a_batch(impls[i]);
    }
    test_vs_portable();
    test_args();
    return tu_finish("test_aead_split");
}
