/*
 * Constant-flow test of AES-GCM under valgrind memcheck: the key, the plaintext and (for open)
 * the ciphertext and tag are marked secret, so any branch or memory index that depends on them
 * is reported. Covers ghash_ct directly and every AES-GCM class the CPU (as valgrind presents
 * it) can run. Results are declassified before they are checked.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/gcm.h"
#include "ctgrind.h"
#include "tenon/crypto.h"
#include "testutil.h"

/* 600 bytes: two whole 16-block batches of the VAES loop, then a partial tail. */
#define LEN 600

static void test_ghash_ct(void)
{
    /* GCM specification test case 2: H = E(0^128, 0^128), C = 0388dace..., no AAD;
     * GHASH(H, {}, C) = f38cbb1a... */
    size_t n;
    uint8_t *h = tu_hex("66e94bd4ef8a2c3b884cfa59ca342b2e", &n);
    uint8_t *c = tu_hex("0388dace60b6a392f328c2b971b2fe78", &n);
    uint8_t *want = tu_hex("f38cbb1ad69223dcc3457ae5b6b0f885", &n);
    uint8_t lb[16] = {0}, y[16] = {0};
    lb[15] = 128;
    ghash_ct_key k;
    SECRET(h, 16);
    SECRET(c, 16);
    ghash_ct_init(&k, h);
    ghash_ct_update(&k, y, c, 16);
    ghash_ct_update(&k, y, lb, 16);
    PUBLIC(y, 16);
    CHECK_MEM(y, want, 16, "ghash_ct of test case 2");
    free(h), free(c), free(want);
}

static void test_class(const tenon_aead_class *cls, const uint8_t *ref_ct, const uint8_t *ref_tag)
{
    uint8_t key[32], nonce[12], aad[13], pt[LEN], ct[LEN], out[LEN], tag[16];
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)(3 * i + 1);
    memset(nonce, 0x42, sizeof nonce);
    memset(aad, 0x17, sizeof aad);
    for (int i = 0; i < LEN; i++)
        pt[i] = (uint8_t)(i * 7);

    tenon_aead_ctx ctx;
    SECRET(key, sizeof key);
    CHECK_RC(tenon_aead_init(&ctx, cls, key, 32), TENON_OK);

    SECRET(pt, sizeof pt);
    int rc = tenon_aead_seal(&ctx, nonce, 12, aad, sizeof aad, pt, LEN, ct, tag);
    PUBLIC(ct, sizeof ct);
    PUBLIC(tag, sizeof tag);
    PUBLIC(pt, sizeof pt);
    CHECK(rc == TENON_OK);
    CHECK_MEM(ct, ref_ct, LEN, cls->name);
    CHECK_MEM(tag, ref_tag, 16, cls->name);

    /* The gather seal (the TLS record layer's): the head from pt, the last 5 bytes (e.g. the
     * content type) already in out; head and tail both secret. */
    memcpy(out + LEN - 5, pt + LEN - 5, 5);
    SECRET(pt, sizeof pt);
    SECRET(out + LEN - 5, 5);
    rc = tenon_aead_seal_split(&ctx, nonce, 12, aad, sizeof aad, pt, LEN - 5, out, LEN, tag);
    PUBLIC(out, sizeof out);
    PUBLIC(tag, sizeof tag);
    PUBLIC(pt, sizeof pt);
    CHECK(rc == TENON_OK);
    CHECK_MEM(out, ref_ct, LEN, cls->name);
    CHECK_MEM(tag, ref_tag, 16, cls->name);

    /* A non-96-bit nonce goes through GHASH under the secret H. */
    uint8_t t2[16];
    rc = tenon_aead_seal(&ctx, nonce, 7, aad, sizeof aad, pt, 40, out, t2);
    PUBLIC(out, 40);
    PUBLIC(t2, 16);
    CHECK(rc == TENON_OK);

    /* Open with the ciphertext and tag secret; only the verdict is declassified. */
    SECRET(ct, sizeof ct);
    SECRET(tag, sizeof tag);
    rc = tenon_aead_open(&ctx, nonce, 12, aad, sizeof aad, ct, LEN, tag, out);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(out, sizeof out);
    CHECK(rc == TENON_OK);
    CHECK_MEM(out, pt, LEN, cls->name);

    /* A short open (at most 4 blocks: the two-chain tail of the VAES class), secret input. */
    uint8_t st[16], sct[40], sout[40];
    PUBLIC(pt, sizeof pt);
    CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, aad, sizeof aad, pt, 40, sct, st), TENON_OK);
    PUBLIC(sct, sizeof sct);
    PUBLIC(st, sizeof st);
    SECRET(sct, sizeof sct);
    SECRET(st, sizeof st);
    rc = tenon_aead_open(&ctx, nonce, 12, aad, sizeof aad, sct, 40, st, sout);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(sout, sizeof sout);
    CHECK(rc == TENON_OK);
    CHECK_MEM(sout, pt, 40, cls->name);

    /* A forged tag: the failure path (zeroing the output) must not branch on the verdict. */
    PUBLIC(tag, sizeof tag);
    tag[5] ^= 4;
    SECRET(tag, sizeof tag);
    rc = tenon_aead_open(&ctx, nonce, 12, aad, sizeof aad, ct, LEN, tag, out);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(out, sizeof out);
    CHECK(rc == TENON_ERR_AUTH_FAILED);
    uint8_t acc = 0;
    for (int i = 0; i < LEN; i++)
        acc |= out[i];
    CHECK(acc == 0);
    tenon_aead_wipe(&ctx);
}

int main(void)
{
    test_ghash_ct();

    /* Reference output from the portable class, computed on public inputs. */
    const tenon_aead_class *const *all = tenon_aead_implementations();
    const tenon_aead_class *portable = NULL;
    for (size_t i = 0; all[i] != NULL; i++)
        if (strcmp(all[i]->family, "AES-GCM") == 0 && all[i]->cpu_needs == 0)
            portable = all[i];
    CHECK(portable != NULL);
    if (portable == NULL)
        return tu_finish("ct_gcm");
    uint8_t key[32], nonce[12], aad[13], pt[LEN], ref_ct[LEN], ref_tag[16];
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)(3 * i + 1);
    memset(nonce, 0x42, sizeof nonce);
    memset(aad, 0x17, sizeof aad);
    for (int i = 0; i < LEN; i++)
        pt[i] = (uint8_t)(i * 7);
    tenon_aead_ctx ctx;
    CHECK_RC(tenon_aead_init(&ctx, portable, key, 32), TENON_OK);
    CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, aad, sizeof aad, pt, LEN, ref_ct, ref_tag), TENON_OK);

    for (size_t i = 0; all[i] != NULL; i++) {
        const tenon_aead_class *cls = all[i];
        if (strcmp(cls->family, "AES-GCM") != 0)
            continue;
        if ((tenon_cpu_features() & cls->cpu_needs) != cls->cpu_needs) {
            printf("ct_gcm: %s skipped (CPU features missing)\n", cls->name);
            continue;
        }
        printf("ct_gcm: %s\n", cls->name);
        test_class(cls, ref_ct, ref_tag);
    }
    return tu_finish("ct_gcm");
}
