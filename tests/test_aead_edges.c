/*
 * Edge lengths of every AEAD implementation this CPU runs against the portable class of the
 * same algorithm (review of the one-pass / stitched opens): plaintext lengths around every
 * unit the implementations work in (16, 64, 256 bytes, ChaCha20-Poly1305's 1 KiB in-place
 * keystream buffer and 8 KiB pieces, a 16 KiB record + 1), AAD lengths around 16, in place and
 * out of place at odd addresses. Checked: the seal equals the portable one; the open gives the
 * plaintext back, writes nothing past out[len) and leaves the ciphertext alone (out of place);
 * a wrong tag or a flipped ciphertext bit gives TENON_ERR_AUTH_FAILED with out all zero.
 */
#include <stdlib.h>
#include <string.h>

#include "tenon/crypto.h"
#include "testutil.h"

#define GUARD_LEN 48

static const size_t lens[] = {0,    1,    15,   16,    17,    63,    64,    65,    255,  256,
                              257,  1023, 1024, 1025,  1088,  2047,  8191,  8192,  8193, 9215,
                              9216, 9217, 9279, 16383, 16384, 16385, 17408, 17409, 24577};
static const size_t aad_lens[] = {0, 1, 13, 16, 17, 255, 256, 1025};

static const tenon_aead_class *portable_of(const tenon_aead_class *cls)
{
    const tenon_aead_class *const *all = tenon_aead_implementations();
    for (size_t i = 0; all[i] != NULL; i++)
        if (all[i]->cpu_needs == 0 && strcmp(all[i]->family, cls->family) == 0)
            return all[i];
    return NULL;
}

/* One case: returns 1 if every check held. */
static int one(const tenon_aead_class *cls, const tenon_aead_class *ref, size_t len, size_t aad_len,
               int in_place, size_t misalign)
{
    uint8_t key[32], nonce[12], aad[1100], tag[16], rtag[16], bad_tag[16];
    size_t cap = len + GUARD_LEN + 64;
    uint8_t *pt = malloc(cap), *rct = malloc(cap), *ct_buf = malloc(cap), *out_buf = malloc(cap);
    uint8_t *ct = ct_buf + misalign, *out = in_place ? ct : out_buf + ((misalign * 7) & 31);
    tenon_aead_ctx a, r;
    int ok = 1;
    tu_rand(key, sizeof key);
    tu_rand(nonce, sizeof nonce);
    tu_rand(aad, sizeof aad);
    tu_rand(pt, len);
    ok &= tenon_aead_init(&a, cls, key, 32) == TENON_OK;
    ok &= tenon_aead_init(&r, ref, key, 32) == TENON_OK;
    ok &= tenon_aead_seal(&r, nonce, 12, aad, aad_len, pt, len, rct, rtag) == TENON_OK;
    ok &= tenon_aead_seal(&a, nonce, 12, aad, aad_len, pt, len, ct, tag) == TENON_OK;
    ok &= memcmp(ct, rct, len) == 0 && memcmp(tag, rtag, 16) == 0;

    /* A good open. */
    memset(out + (in_place ? len : 0), 0xa5, in_place ? GUARD_LEN : len + GUARD_LEN);
    ok &= tenon_aead_open(&a, nonce, 12, aad, aad_len, ct, len, tag, out) == TENON_OK;
    ok &= memcmp(out, pt, len) == 0;
    for (size_t i = 0; i < GUARD_LEN; i++)
        ok &= out[len + i] == 0xa5;
    if (!in_place)
        ok &= memcmp(ct, rct, len) == 0;

    /* A bad tag, then (len > 0) a flipped bit in the last ciphertext byte: out all zero. */
    for (int k = 0; k < 2; k++) {
        if (k == 1 && len == 0)
            break;
        memcpy(ct, rct, len);
        memcpy(bad_tag, rtag, 16);
        if (k == 0)
            bad_tag[15] ^= 1;
        else
            ct[len - 1] ^= 0x80;
        if (!in_place)
            memset(out, 0xa5, len + GUARD_LEN);
        ok &= tenon_aead_open(&a, nonce, 12, aad, aad_len, ct, len, bad_tag, out) ==
              TENON_ERR_AUTH_FAILED;
        for (size_t i = 0; i < len; i++)
            ok &= out[i] == 0;
        for (size_t i = 0; i < GUARD_LEN; i++)
            ok &= out[len + i] == 0xa5;
        /* the in-place guard was set by the good open above */
    }
    if (!ok)
        fprintf(stderr, "  %s: len %zu aad %zu %s misalign %zu\n", cls->name, len, aad_len,
                in_place ? "in place" : "out of place", misalign);
    tenon_aead_wipe(&a);
    tenon_aead_wipe(&r);
    free(pt), free(rct), free(ct_buf), free(out_buf);
    return ok;
}

int main(void)
{
    const tenon_aead_class *const *all = tenon_aead_implementations();
    uint32_t have = tenon_cpu_features();
    for (size_t i = 0; all[i] != NULL; i++) {
        const tenon_aead_class *cls = all[i], *ref = portable_of(cls);
        if ((have & cls->cpu_needs) != cls->cpu_needs) {
            printf("test_aead_edges: %s skipped (CPU features missing)\n", cls->name);
            continue;
        }
        CHECK(ref != NULL);
        if (ref == NULL)
            continue;
        unsigned long bad = 0, n = 0;
        for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++)
            for (size_t a = 0; a < sizeof aad_lens / sizeof aad_lens[0]; a++)
                for (int ip = 0; ip < 2; ip++, n++)
                    bad += !one(cls, ref, lens[l], aad_lens[a], ip, 1 + (l + a) % 15);
        CHECK(bad == 0);
        printf("test_aead_edges: %s: %lu of %lu cases wrong\n", cls->name, bad, n);
    }
    return tu_finish("test_aead_edges");
}
