/*
 * AES: known answers (FIPS 197 Appendix C, SP 800-38A F.2 and F.5) against every
 * implementation the CPU can run, the ctr32 wrap-around, every accelerated implementation
 * against the portable one on random data (all lengths, large, unaligned, in place), the public
 * AES-CBC API with its errors, and a differential test against OpenSSL's EVP.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "testutil.h"
#include "crypto/aes.h"
#include "crypto/cpu.h"

/* The implementations this CPU can run, portable last. */
static const aes_impl *impls[8];
static size_t nimpls;

static void find_impls(void)
{
    for (size_t i = 0; aes_all_impls[i] != NULL; i++) {
        const aes_impl *im = aes_all_impls[i];
        if (!cpu_has(im->cpu_needs)) {
            printf("aes: %s not run (CPU lacks features)\n", im->name);
            continue;
        }
        printf("aes: testing %s\n", im->name);
        impls[nimpls++] = im;
    }
    CHECK(nimpls >= 1);
}

static uint8_t *hex(const char *s)
{
    return tu_hex(s, NULL);
}

/* ------------------------------------------------------------------------------------------
 * Known answers
 * ------------------------------------------------------------------------------------------ */

/* FIPS 197 Appendix C: one block, and the same block repeated (to reach the multi-block code
 * paths of every implementation). */
static void kat_block(const char *key_hex, const char *pt_hex, const char *ct_hex)
{
    size_t key_len;
    uint8_t *key = tu_hex(key_hex, &key_len), *pt = hex(pt_hex), *ct = hex(ct_hex);
    enum { N = 19 };
    uint8_t pts[16 * N], cts[16 * N], buf[16 * N];
    for (int i = 0; i < N; i++) {
        memcpy(pts + 16 * i, pt, 16);
        memcpy(cts + 16 * i, ct, 16);
    }
    for (size_t i = 0; i < nimpls; i++) {
        aes_key k;
        impls[i]->set_key(&k, key, key_len);
        CHECK(k.rounds == key_len / 4 + 6);
        impls[i]->ecb_encrypt(&k, pt, buf, 1);
        CHECK_MEM(buf, ct, 16, impls[i]->name);
        impls[i]->ecb_decrypt(&k, ct, buf, 1);
        CHECK_MEM(buf, pt, 16, impls[i]->name);
        impls[i]->ecb_encrypt(&k, pts, buf, N);
        CHECK_MEM(buf, cts, sizeof buf, impls[i]->name);
        impls[i]->ecb_decrypt(&k, cts, buf, N);
        CHECK_MEM(buf, pts, sizeof buf, impls[i]->name);
    }
    free(key);
    free(pt);
    free(ct);
}

static const char *const sp_pt = "6bc1bee22e409f96e93d7e117393172a"
                                 "ae2d8a571e03ac9c9eb76fac45af8e51"
                                 "30c81c46a35ce411e5fbc1191a0a52ef"
                                 "f69f2445df4f9b17ad2b417be66c3710";

/* SP 800-38A F.2: CBC over four blocks, in one call, block by block, and in place. */
static void kat_cbc(const char *key_hex, const char *ct_hex)
{
    size_t key_len;
    uint8_t *key = tu_hex(key_hex, &key_len), *pt = hex(sp_pt), *ct = hex(ct_hex);
    uint8_t *iv0 = hex("000102030405060708090a0b0c0d0e0f");
    uint8_t iv[16], buf[64];
    for (size_t i = 0; i < nimpls; i++) {
        const aes_impl *im = impls[i];
        aes_key k;
        im->set_key(&k, key, key_len);

        memcpy(iv, iv0, 16);
        im->cbc_encrypt(&k, iv, pt, buf, 4);
        CHECK_MEM(buf, ct, 64, im->name);
        CHECK_MEM(iv, ct + 48, 16, "CBC encrypt updates the IV");
        memcpy(iv, iv0, 16);
        im->cbc_decrypt(&k, iv, ct, buf, 4);
        CHECK_MEM(buf, pt, 64, im->name);
        CHECK_MEM(iv, ct + 48, 16, "CBC decrypt updates the IV");

        memcpy(iv, iv0, 16);
        for (int b = 0; b < 4; b++)
            im->cbc_encrypt(&k, iv, pt + 16 * b, buf + 16 * b, 1);
        CHECK_MEM(buf, ct, 64, "CBC encrypt chained calls");
        memcpy(iv, iv0, 16);
        im->cbc_decrypt(&k, iv, ct, buf, 1);
        im->cbc_decrypt(&k, iv, ct + 16, buf + 16, 3);
        CHECK_MEM(buf, pt, 64, "CBC decrypt chained calls");

        memcpy(iv, iv0, 16);
        memcpy(buf, pt, 64);
        im->cbc_encrypt(&k, iv, buf, buf, 4);
        CHECK_MEM(buf, ct, 64, "CBC encrypt in place");
        memcpy(iv, iv0, 16);
        im->cbc_decrypt(&k, iv, buf, buf, 4);
        CHECK_MEM(buf, pt, 64, "CBC decrypt in place");
    }

    /* The public API, with the default choice and with the portable code forced. */
    for (int pass = 0; pass < 2; pass++) {
        tenon_cpu_set_mask(pass == 0 ? UINT32_MAX : 0);
        tenon_aes_cbc_ctx ctx;
        CHECK_RC(tenon_aes_cbc_init(&ctx, key, key_len), TENON_OK);
        if (pass == 1)
            CHECK(ctx.impl == &aes_ct64_impl);
        memcpy(iv, iv0, 16);
        CHECK_RC(tenon_aes_cbc_encrypt(&ctx, iv, pt, buf, 64), TENON_OK);
        CHECK_MEM(buf, ct, 64, "tenon_aes_cbc_encrypt");
        memcpy(iv, iv0, 16);
        CHECK_RC(tenon_aes_cbc_decrypt(&ctx, iv, buf, buf, 64), TENON_OK);
        CHECK_MEM(buf, pt, 64, "tenon_aes_cbc_decrypt");
        tenon_aes_cbc_wipe(&ctx);
    }
    tenon_cpu_set_mask(UINT32_MAX);
    free(key);
    free(pt);
    free(ct);
    free(iv0);
}

/* SP 800-38A F.5: CTR (the counters there never wrap in their last 32 bits). */
static void kat_ctr(const char *key_hex, const char *ct_hex)
{
    size_t key_len;
    uint8_t *key = tu_hex(key_hex, &key_len), *pt = hex(sp_pt), *ct = hex(ct_hex);
    uint8_t *ctr0 = hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    uint8_t *ctr_end = hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdff03");
    uint8_t ctr[16], buf[64];
    for (size_t i = 0; i < nimpls; i++) {
        const aes_impl *im = impls[i];
        aes_key k;
        im->set_key(&k, key, key_len);
        memcpy(ctr, ctr0, 16);
        im->ctr32(&k, ctr, pt, buf, 64);
        CHECK_MEM(buf, ct, 64, im->name);
        CHECK_MEM(ctr, ctr_end, 16, "ctr32 advances the counter");

        /* Split at block boundaries, and a partial last block. */
        memcpy(ctr, ctr0, 16);
        im->ctr32(&k, ctr, pt, buf, 16);
        im->ctr32(&k, ctr, pt + 16, buf + 16, 33);
        CHECK_MEM(buf, ct, 49, "ctr32 chained calls");
        CHECK_MEM(ctr, ctr_end, 16, "ctr32 counts a partial block");

        memcpy(ctr, ctr0, 16);
        memcpy(buf, pt, 64);
        im->ctr32(&k, ctr, buf, buf, 64);
        CHECK_MEM(buf, ct, 64, "ctr32 in place");
        memcpy(ctr, ctr0, 16);
        im->ctr32(&k, ctr, buf, buf, 0);
        CHECK_MEM(ctr, ctr0, 16, "ctr32 of nothing leaves the counter");
    }
    free(key);
    free(pt);
    free(ct);
    free(ctr0);
    free(ctr_end);
}

/* The counter is the last 32 bits only: ...ffffffff is followed by ...00000000 and byte 11 is
 * never touched. Crosses the wrap inside a run of eight blocks. */
static void test_ctr32_wrap(void)
{
    uint8_t key[32], ctr[16], start[16], blocks[16 * 20], ks[16 * 20], zero[16 * 20];
    tu_rand(key, sizeof key);
    memset(zero, 0, sizeof zero);
    for (int i = 0; i < 12; i++)
        start[i] = (uint8_t)(0xf0 + i);
    start[11] = 0xff;
    start[12] = start[13] = start[14] = 0xff;
    start[15] = 0xfa;
    for (uint32_t b = 0; b < 20; b++) {
        memcpy(blocks + 16 * b, start, 12);
        uint32_t c = 0xfffffffau + b; /* wraps modulo 2^32 */
        blocks[16 * b + 12] = (uint8_t)(c >> 24);
        blocks[16 * b + 13] = (uint8_t)(c >> 16);
        blocks[16 * b + 14] = (uint8_t)(c >> 8);
        blocks[16 * b + 15] = (uint8_t)c;
    }
    uint8_t end[16];
    memcpy(end, start, 12);
    memcpy(end + 12, "\x00\x00\x00\x0e", 4);
    for (size_t i = 0; i < nimpls; i++) {
        const aes_impl *im = impls[i];
        for (size_t kl = 16; kl <= 32; kl += 8) {
            aes_key k;
            uint8_t expect[16 * 20];
            im->set_key(&k, key, kl);
            im->ecb_encrypt(&k, blocks, expect, 20);
            memcpy(ctr, start, 16);
            im->ctr32(&k, ctr, zero, ks, sizeof ks);
            CHECK_MEM(ks, expect, sizeof ks, "ctr32 wraps in 32 bits");
            CHECK_MEM(ctr, end, 16, "ctr32 counter after the wrap");
            /* One block at a time across the wrap. */
            memcpy(ctr, start, 16);
            for (int b = 0; b < 20; b++)
                im->ctr32(&k, ctr, zero, ks + 16 * b, 16);
            CHECK_MEM(ks, expect, sizeof ks, "ctr32 wraps, block by block");
            CHECK_MEM(ctr, end, 16, "ctr32 counter after the wrap, block by block");
        }
    }
}

static void test_known_answers(void)
{
    kat_block("000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff",
              "69c4e0d86a7b0430d8cdb78070b4c55a");
    kat_block("000102030405060708090a0b0c0d0e0f1011121314151617",
              "00112233445566778899aabbccddeeff", "dda97ca4864cdfe06eaf70a0ec0d7191");
    kat_block("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
              "00112233445566778899aabbccddeeff", "8ea2b7ca516745bfeafc49904b496089");

    kat_cbc("2b7e151628aed2a6abf7158809cf4f3c", "7649abac8119b246cee98e9b12e9197d"
                                                "5086cb9b507219ee95db113a917678b2"
                                                "73bed6b8e3c1743b7116e69e22229516"
                                                "3ff1caa1681fac09120eca307586e1a7");
    kat_cbc("8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", "4f021db243bc633d7178183a9fa071e8"
                                                                "b4d9ada9ad7dedf4e5e738763f69145a"
                                                                "571b242012fb7ae07fa9baac3df102e0"
                                                                "08b0e27988598881d920a9e64f5615cd");
    kat_cbc("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
            "f58c4c04d6e5f1ba779eabfb5f7bfbd6"
            "9cfc4e967edb808d679f777bc6702c7d"
            "39f23369a9d9bacfa530e26304231461"
            "b2eb05e2c39be9fcda6c19078c6a9d1b");

    kat_ctr("2b7e151628aed2a6abf7158809cf4f3c", "874d6191b620e3261bef6864990db6ce"
                                                "9806f66b7970fdff8617187bb9fffdff"
                                                "5ae4df3edbd5d35e5b4f09020db03eab"
                                                "1e031dda2fbe03d1792170a0f3009cee");
    kat_ctr("8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", "1abc932417521ca24f2b0459fe7e6e0b"
                                                                "090339ec0aa6faefd5ccc2c6f4ce8e94"
                                                                "1e36b26bd1ebc670d1bd1d665620abf7"
                                                                "4f78a7f6d29809585a97daec58c6b050");
    kat_ctr("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
            "601ec313775789a5b7a7f504bbf3d228"
            "f443e3ca4d62b59aca84e990cacaf5c5"
            "2b0930daa23de94ce87017ba2d84988d"
            "dfc9c58db67aada613c2dd08457941a6");
}

/* ------------------------------------------------------------------------------------------
 * The public AES-CBC API: errors
 * ------------------------------------------------------------------------------------------ */

static void test_cbc_api_errors(void)
{
    uint8_t key[32] = {0}, iv[16] = {0}, buf[48] = {0};
    tenon_aes_cbc_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    CHECK_RC(tenon_aes_cbc_init(&ctx, key, 0), TENON_ERR_BAD_KEY_LENGTH);
    CHECK_RC(tenon_aes_cbc_init(&ctx, key, 15), TENON_ERR_BAD_KEY_LENGTH);
    CHECK_RC(tenon_aes_cbc_init(&ctx, key, 20), TENON_ERR_BAD_KEY_LENGTH);
    CHECK_RC(tenon_aes_cbc_init(&ctx, key, 33), TENON_ERR_BAD_KEY_LENGTH);
    CHECK_RC(tenon_aes_cbc_init(NULL, key, 16), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tenon_aes_cbc_init(&ctx, NULL, 16), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tenon_aes_cbc_encrypt(&ctx, iv, buf, buf, 16), TENON_ERR_NOT_INITIALISED);

    CHECK_RC(tenon_aes_cbc_init(&ctx, key, 32), TENON_OK);
    CHECK_RC(tenon_aes_cbc_encrypt(&ctx, iv, buf, buf, 17), TENON_ERR_BAD_LENGTH);
    CHECK_RC(tenon_aes_cbc_decrypt(&ctx, iv, buf, buf, 15), TENON_ERR_BAD_LENGTH);
    CHECK_RC(tenon_aes_cbc_encrypt(&ctx, NULL, buf, buf, 16), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tenon_aes_cbc_decrypt(&ctx, iv, NULL, buf, 16), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tenon_aes_cbc_encrypt(&ctx, iv, NULL, NULL, 0), TENON_OK);
    CHECK_RC(tenon_aes_cbc_encrypt(&ctx, iv, buf, buf, 48), TENON_OK);
    tenon_aes_cbc_wipe(&ctx);
    CHECK(ctx.impl == NULL);
    CHECK_RC(tenon_aes_cbc_decrypt(&ctx, iv, buf, buf, 16), TENON_ERR_NOT_INITIALISED);
    tenon_aes_cbc_wipe(NULL);
}

/* ------------------------------------------------------------------------------------------
 * Every accelerated implementation against the portable one
 * ------------------------------------------------------------------------------------------ */

/* Runs all five bulk operations of im and ref over len bytes at in (whole blocks for ECB and
 * CBC) and compares. in and out may be unaligned; in == out tests in-place operation. */
static int same_as_ref(const aes_impl *im, const aes_impl *ref, const uint8_t *key, size_t kl,
                       const uint8_t ctr0[16], uint8_t *in, uint8_t *out, size_t len,
                       uint8_t *expect)
{
    aes_key k1, k2;
    uint8_t c1[16], c2[16];
    int ok = 1;
    size_t nb = len / 16;
    uint8_t *src = malloc(len + 1);
    if (src == NULL)
        abort();
    memcpy(src, in, len);
    im->set_key(&k1, key, kl);
    ref->set_key(&k2, key, kl);

    /* ctr32, any length */
    memcpy(c1, ctr0, 16);
    memcpy(c2, ctr0, 16);
    ref->ctr32(&k2, c2, src, expect, len);
    im->ctr32(&k1, c1, in, out, len);
    ok &= memcmp(out, expect, len) == 0 && memcmp(c1, c2, 16) == 0;
    memcpy(in, src, len);

    ref->ecb_encrypt(&k2, src, expect, nb);
    im->ecb_encrypt(&k1, in, out, nb);
    ok &= memcmp(out, expect, 16 * nb) == 0;
    memcpy(in, src, len);

    ref->ecb_decrypt(&k2, src, expect, nb);
    im->ecb_decrypt(&k1, in, out, nb);
    ok &= memcmp(out, expect, 16 * nb) == 0;
    memcpy(in, src, len);

    memcpy(c1, ctr0, 16);
    memcpy(c2, ctr0, 16);
    ref->cbc_encrypt(&k2, c2, src, expect, nb);
    im->cbc_encrypt(&k1, c1, in, out, nb);
    ok &= memcmp(out, expect, 16 * nb) == 0 && memcmp(c1, c2, 16) == 0;
    memcpy(in, src, len);

    memcpy(c1, ctr0, 16);
    memcpy(c2, ctr0, 16);
    ref->cbc_decrypt(&k2, c2, src, expect, nb);
    im->cbc_decrypt(&k1, c1, in, out, nb);
    ok &= memcmp(out, expect, 16 * nb) == 0 && memcmp(c1, c2, 16) == 0;
    memcpy(in, src, len);

    free(src);
    return ok;
}

static void test_against_portable(void)
{
    const aes_impl *ref = &aes_ct64_impl;
    enum { MAXLEN = 1024, BIG = 3 * 1024 * 1024 + 37 };
    uint8_t *in = malloc(BIG + 32), *out = malloc(BIG + 32), *expect = malloc(BIG + 32);
    if (in == NULL || out == NULL || expect == NULL)
        abort();
    for (size_t i = 0; i < nimpls; i++) {
        const aes_impl *im = impls[i];
        /* Unaligned input and output, then in place (for ct64 itself too: against its own
         * aligned, out-of-place result). */
        unsigned long bad = 0;
        for (size_t off = 1; off < 16; off++) {
            uint8_t key[32], ctr[16];
            size_t len = 16 * off + 200 + off;
            tu_rand(key, sizeof key);
            tu_rand(ctr, sizeof ctr);
            tu_rand(in + off, len);
            bad += !same_as_ref(im, ref, key, 16 + 8 * (off % 3), ctr, in + off, out + (16 - off),
                                len, expect);
            bad += !same_as_ref(im, ref, key, 16 + 8 * (off % 3), ctr, in + off, in + off, len,
                                expect);
        }
        CHECK(bad == 0);
        printf("aes: %s = ct64 on unaligned and in-place buffers\n", im->name);

        if (im == ref)
            continue;
        unsigned long runs = 0;
        bad = 0;
        for (size_t len = 0; len <= MAXLEN; len++) {
            uint8_t key[32], ctr[16];
            size_t kl = 16 + 8 * (len % 3);
            tu_rand(key, sizeof key);
            tu_rand(ctr, sizeof ctr);
            if (len % 5 == 0) /* near the 32-bit wrap */
                memset(ctr + 12, 0xff, 3);
            tu_rand(in, len);
            bad += !same_as_ref(im, ref, key, kl, ctr, in, out, len, expect);
            runs++;
        }
        CHECK(bad == 0);
        printf("aes: %s = ct64 on lengths 0..%d: %lu of %lu agree\n", im->name, MAXLEN, runs - bad,
               runs);

        /* Multi-megabyte buffers, unaligned. */
        for (size_t kl = 16; kl <= 32; kl += 8) {
            uint8_t key[32], ctr[16];
            tu_rand(key, sizeof key);
            tu_rand(ctr, sizeof ctr);
            tu_rand(in + 3, BIG);
            CHECK(same_as_ref(im, ref, key, kl, ctr, in + 3, out + 5, BIG, expect));
        }
        printf("aes: %s = ct64 on %d-byte buffers\n", im->name, BIG);
    }
    free(in);
    free(out);
    free(expect);
}

/* ------------------------------------------------------------------------------------------
 * Differential against OpenSSL
 * ------------------------------------------------------------------------------------------ */

static const EVP_CIPHER *evp_cipher(int mode, size_t kl)
{
    switch (mode) {
    case 0:
        return kl == 16 ? EVP_aes_128_ecb() : kl == 24 ? EVP_aes_192_ecb() : EVP_aes_256_ecb();
    case 1:
        return kl == 16 ? EVP_aes_128_cbc() : kl == 24 ? EVP_aes_192_cbc() : EVP_aes_256_cbc();
    default:
        return kl == 16 ? EVP_aes_128_ctr() : kl == 24 ? EVP_aes_192_ctr() : EVP_aes_256_ctr();
    }
}

static void openssl_crypt(int mode, int enc, const uint8_t *key, size_t kl, const uint8_t *iv,
                          const uint8_t *in, uint8_t *out, size_t len)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n1 = 0, n2 = 0;
    if (c == NULL || !EVP_CipherInit_ex(c, evp_cipher(mode, kl), NULL, key, mode ? iv : NULL, enc))
        abort();
    EVP_CIPHER_CTX_set_padding(c, 0);
    if (!EVP_CipherUpdate(c, out, &n1, in, (int)len) || !EVP_CipherFinal_ex(c, out + n1, &n2) ||
        (size_t)(n1 + n2) != len)
        abort();
    EVP_CIPHER_CTX_free(c);
}

static void test_openssl(void)
{
    enum { CASES = 600, MAXB = 70 };
    uint8_t in[16 * MAXB], out[16 * MAXB], ref[16 * MAXB];
    for (size_t i = 0; i < nimpls; i++) {
        const aes_impl *im = impls[i];
        unsigned long bad = 0;
        for (int t = 0; t < CASES; t++) {
            uint8_t key[32], iv[16], iv2[16];
            size_t kl = 16 + 8 * (tu_rand_u64() % 3);
            int mode = (int)(tu_rand_u64() % 3), enc = (int)(tu_rand_u64() % 2);
            size_t nb = tu_rand_u64() % (MAXB + 1);
            size_t len = mode == 2 ? tu_rand_u64() % (16 * MAXB + 1) : 16 * nb;
            nb = (len + 15) / 16;
            tu_rand(key, sizeof key);
            tu_rand(iv, sizeof iv);
            tu_rand(in, len);
            if (mode == 2) /* OpenSSL carries into byte 11; keep clear of the 32-bit wrap */
                iv[12] &= 0x7f;
            memcpy(iv2, iv, 16);
            openssl_crypt(mode, enc, key, kl, iv, in, ref, len);
            aes_key k;
            im->set_key(&k, key, kl);
            if (mode == 0)
                (enc ? im->ecb_encrypt : im->ecb_decrypt)(&k, in, out, nb);
            else if (mode == 1)
                (enc ? im->cbc_encrypt : im->cbc_decrypt)(&k, iv2, in, out, nb);
            else
                im->ctr32(&k, iv2, in, out, len);
            if (memcmp(out, ref, len) != 0) {
                bad++;
                fprintf(stderr, "mismatch with OpenSSL: %s mode %d enc %d key %zu len %zu\n",
                        im->name, mode, enc, kl, len);
            }
        }
        CHECK(bad == 0);
        printf("aes: %s = OpenSSL EVP on %d random ECB/CBC/CTR cases: %lu differ\n", im->name,
               CASES, bad);
    }
}

int main(void)
{
    tu_seed(0x5eed0ae5);
    find_impls();
    test_known_answers();
    test_ctr32_wrap();
    test_cbc_api_errors();
    test_against_portable();
    test_openssl();
    return tu_finish("test_aes");
}
