/*
 * SHA-1, SHA-256, SHA-384, SHA-512: the FIPS 180-4 examples against every SHA-256 and SHA-512
 * implementation present and through the classes (portable forced and default), accelerated
 * against portable on random, long and unaligned inputs, incremental updates at every split,
 * final() followed by more data, and a differential against OpenSSL's EVP_Digest.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "crypto/cpu.h"
#include "crypto/sha2.h"
#include "testutil.h"

/* FIPS 180-4 example messages (the NIST "Examples with Intermediate Values"). */
static const char msg448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const char msg896[] =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmn"
    "opjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

struct kat {
    const char *label;
    const char *msg; /* NULL: one million 'a' */
    const char *sha1, *sha256, *sha384, *sha512;
};

static const struct kat kats[] = {
    {"abc", "abc", "a9993e364706816aba3e25717850c26c9cd0d89d",
     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
     "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c"
     "825a7",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3f"
     "eebbd454d4423643ce80e2a9ac94fa54ca49f"},
    {"448-bit", msg448, "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
     "3391fdddfc8dc7393707a65b1b4709397cf8b1d162af05abfe8f450de5f36bc6b0455a8520bc4e6f5fe95b1fe3c"
     "8452b",
     "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea577"
     "89ca031ad85c7a71dd70354ec631238ca3445"},
    {"896-bit", msg896, "a49b2446a02c645bf419f995b67091253a04a259",
     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
     "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa917"
     "46039",
     "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b"
     "5433ac7d329eeb6dd26545e96e55b874be909"},
    {"empty", "", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f1489"
     "8b95b",
     "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877"
     "eec2f63b931bd47417a81a538327af927da3e"},
    {"million a", NULL, "34aa973cd4c4daa4f61eeb2bdbad27316534016f",
     "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
     "9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b07b8b3dc38ecc4ebae97ddd87f3"
     "d8985",
     "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce57"
     "7c31beb009c5c2c49aa2e4eadb217ad8cc09b"},
};

static uint8_t *million_a;

static const uint8_t *kat_msg(const struct kat *k, size_t *len)
{
    if (k->msg == NULL) {
        *len = 1000000;
        return million_a;
    }
    *len = strlen(k->msg);
    return (const uint8_t *)k->msg;
}

static const tenon_hash_class *const classes[] = {&tenon_sha1, &tenon_sha256, &tenon_sha384,
                                                  &tenon_sha512};

static const char *kat_hex(const struct kat *k, const tenon_hash_class *h)
{
    if (h == &tenon_sha1)
        return k->sha1;
    if (h == &tenon_sha256)
        return k->sha256;
    if (h == &tenon_sha384)
        return k->sha384;
    return k->sha512;
}

static const EVP_MD *evp_of(const tenon_hash_class *h)
{
    if (h == &tenon_sha1)
        return EVP_sha1();
    if (h == &tenon_sha256)
        return EVP_sha256();
    if (h == &tenon_sha384)
        return EVP_sha384();
    return EVP_sha512();
}

static void openssl_digest(const tenon_hash_class *h, const uint8_t *m, size_t n, uint8_t *out)
{
    unsigned int olen = 0;
    if (!EVP_Digest(m, n, out, &olen, evp_of(h), NULL) || olen != h->digest_len) {
        fprintf(stderr, "EVP_Digest failed\n");
        abort();
    }
}

/* SHA-256 of m through one implementation, in chunks of the given size (0: one update). */
static void sha256_impl_digest(const sha256_impl *impl, const uint8_t *m, size_t n, size_t chunk,
                               uint8_t out[32])
{
    tenon_hash_ctx c;
    tenon_sha256.init(&c);
    if (chunk == 0)
        chunk = n ? n : 1;
    for (size_t off = 0; off < n; off += chunk)
        sha256_update_with(impl, &c.sha256, m + off, n - off < chunk ? n - off : chunk);
    sha256_final_with(impl, &c.sha256, out);
}

/* SHA-512 or SHA-384 (h) through one SHA-512 implementation. */
static void sha512_impl_digest(const sha512_impl *impl, const tenon_hash_class *h, const uint8_t *m,
                               size_t n, size_t chunk, uint8_t *out)
{
    tenon_hash_ctx c;
    h->init(&c);
    if (chunk == 0)
        chunk = n ? n : 1;
    for (size_t off = 0; off < n; off += chunk)
        sha512_update_with(impl, &c.sha512, m + off, n - off < chunk ? n - off : chunk);
    sha512_final_with(impl, &c.sha512, out, h->digest_len);
}

static int impl_present(const char *family, const char *name, uint32_t needs)
{
    if (cpu_has(needs))
        return 1;
    printf("%s %s: skipped, CPU features missing on this machine\n", family, name);
    return 0;
}

static void test_kats_per_impl(void)
{
    for (size_t i = 0; sha256_all_impls[i] != NULL; i++) {
        const sha256_impl *impl = sha256_all_impls[i];
        if (!impl_present("SHA-256", impl->name, impl->cpu_needs))
            continue;
        unsigned long before = tu_passed;
        for (size_t k = 0; k < ARRAY_LEN(kats); k++) {
            size_t n, elen;
            const uint8_t *m = kat_msg(&kats[k], &n);
            uint8_t *want = tu_hex(kats[k].sha256, &elen);
            uint8_t got[32];
            sha256_impl_digest(impl, m, n, 0, got);
            CHECK_MEM(got, want, 32, kats[k].label);
            sha256_impl_digest(impl, m, n, 1, got); /* byte by byte */
            CHECK_MEM(got, want, 32, kats[k].label);
            sha256_impl_digest(impl, m, n, 1000, got);
            CHECK_MEM(got, want, 32, kats[k].label);
            free(want);
        }
        printf("SHA-256 %s: FIPS 180-4 examples, %lu checks passed\n", impl->name,
               tu_passed - before);
    }
    for (size_t i = 0; sha512_all_impls[i] != NULL; i++) {
        const sha512_impl *impl = sha512_all_impls[i];
        if (!impl_present("SHA-512", impl->name, impl->cpu_needs))
            continue;
        unsigned long before = tu_passed;
        for (int j = 0; j < 2; j++) {
            const tenon_hash_class *h = j == 0 ? &tenon_sha384 : &tenon_sha512;
            for (size_t k = 0; k < ARRAY_LEN(kats); k++) {
                size_t n, elen;
                const uint8_t *m = kat_msg(&kats[k], &n);
                uint8_t *want = tu_hex(kat_hex(&kats[k], h), &elen);
                uint8_t got[64];
                CHECK(elen == h->digest_len);
                sha512_impl_digest(impl, h, m, n, 0, got);
                CHECK_MEM(got, want, elen, kats[k].label);
                sha512_impl_digest(impl, h, m, n, 1, got);
                CHECK_MEM(got, want, elen, kats[k].label);
                sha512_impl_digest(impl, h, m, n, 1000, got);
                CHECK_MEM(got, want, elen, kats[k].label);
                free(want);
            }
        }
        printf("SHA-384/512 %s: FIPS 180-4 examples, %lu checks passed\n", impl->name,
               tu_passed - before);
    }
}

static void test_kats_classes(uint32_t mask)
{
    tenon_cpu_set_mask(mask);
    printf("mask %#x: SHA-256 class uses %s, SHA-384/512 %s\n", mask, sha256_best_impl()->name,
           sha512_best_impl()->name);
    for (size_t c = 0; c < ARRAY_LEN(classes); c++) {
        const tenon_hash_class *h = classes[c];
        for (size_t k = 0; k < ARRAY_LEN(kats); k++) {
            size_t n, elen;
            const uint8_t *m = kat_msg(&kats[k], &n);
            uint8_t *want = tu_hex(kat_hex(&kats[k], h), &elen);
            uint8_t got[TENON_HASH_MAX_LEN];
            CHECK(elen == h->digest_len);
            tenon_hash(h, m, n, got);
            CHECK_MEM(got, want, elen, h->name);
            /* The same through the class, 7 bytes at a time. */
            tenon_hash_ctx ctx;
            h->init(&ctx);
            CHECK(ctx.vtable == h);
            for (size_t off = 0; off < n; off += 7)
                h->update(&ctx, m + off, n - off < 7 ? n - off : 7);
            h->final(&ctx, got);
            CHECK_MEM(got, want, elen, h->name);
            free(want);
        }
    }
    tenon_cpu_set_mask(UINT32_MAX);
}

static void test_class_fields(void)
{
    CHECK(strcmp(tenon_sha1.name, "SHA-1") == 0 && tenon_sha1.digest_len == 20 &&
          tenon_sha1.block_len == 64);
    CHECK(strcmp(tenon_sha256.name, "SHA-256") == 0 && tenon_sha256.digest_len == 32 &&
          tenon_sha256.block_len == 64);
    CHECK(strcmp(tenon_sha384.name, "SHA-384") == 0 && tenon_sha384.digest_len == 48 &&
          tenon_sha384.block_len == 128);
    CHECK(strcmp(tenon_sha512.name, "SHA-512") == 0 && tenon_sha512.digest_len == 64 &&
          tenon_sha512.block_len == 128);
}

/* Every accelerated implementation against the portable one: every length 0..1024, unaligned
 * buffers, and a 3 MiB message in odd-sized chunks. */
/* An implementation's two-state block2 against its own blocks on each state apart (and so
 * against the portable code, which test_impls_vs_portable checks blocks against): random
 * states and blocks, misaligned, and a block that is all 0x36 then all 0x5c (HMAC's). */
static void test_block2(void)
{
    for (size_t i = 0; sha256_all_impls[i] != NULL; i++) {
        const sha256_impl *impl = sha256_all_impls[i];
        if (impl->block2 == NULL || !impl_present("SHA-256", impl->name, impl->cpu_needs))
            continue;
        unsigned long before = tu_passed;
        uint8_t buf[2 * 64 + 16];
        tu_seed(0xb10c2 + i);
        for (int n = 0; n < 2000; n++) {
            uint32_t ha[8], hb[8], wa[8], wb[8];
            tu_rand(ha, sizeof ha);
            tu_rand(hb, sizeof hb);
            tu_rand(buf, sizeof buf);
            if (n == 0) {
                memset(buf, 0x36, 64);
                memset(buf + 64, 0x5c, 64);
            }
            size_t off = (size_t)n % 16;
            const uint8_t *pa = buf + off, *pb = buf + off + (n % 3 == 0 ? 0 : 64);
            memcpy(wa, ha, sizeof ha);
            memcpy(wb, hb, sizeof hb);
            impl->blocks(wa, pa, 1);
            impl->blocks(wb, pb, 1);
            impl->block2(ha, pa, hb, pb);
            CHECK_MEM(ha, wa, sizeof ha, "block2, first state");
            CHECK_MEM(hb, wb, sizeof hb, "block2, second state");
        }
        printf("SHA-256 %s: block2 against blocks, %lu checks passed\n", impl->name,
               tu_passed - before);
    }
}

static void test_impls_vs_portable(void)
{
    enum { MAXLEN = 1024, BIG = 3 << 20 };
    uint8_t *buf = malloc(MAXLEN + 64);
    uint8_t *big = malloc(BIG + 16);
    if (buf == NULL || big == NULL)
        abort();
    for (size_t i = 0; sha256_all_impls[i] != NULL; i++) {
        const sha256_impl *impl = sha256_all_impls[i];
        if (impl == &sha256_portable_impl || !impl_present("SHA-256", impl->name, impl->cpu_needs))
            continue;
        unsigned long fails = tu_failed;
        uint8_t a[32], b[32];
        tu_seed(0x5a256 + i);
        for (size_t len = 0; len <= MAXLEN; len++) {
            tu_rand(buf, len);
            sha256_impl_digest(impl, buf, len, 0, a);
            sha256_impl_digest(&sha256_portable_impl, buf, len, 0, b);
            CHECK_MEM(a, b, 32, "accelerated vs portable, random length");
        }
        /* Unaligned: the same data at every offset 1..63 from an allocation. */
        tu_rand(buf + 64, 777);
        sha256_impl_digest(&sha256_portable_impl, buf + 64, 777, 0, b);
        for (size_t off = 1; off < 64; off++) {
            memmove(buf + off, buf + 64, 777);
            sha256_impl_digest(impl, buf + off, 777, 0, a);
            CHECK_MEM(a, b, 32, "accelerated, unaligned input");
            memmove(buf + 64, buf + off, 777);
        }
        /* 3 MiB, starting unaligned, fed in odd-sized chunks (so most updates start in the
         * middle of a block), against portable in one call and against OpenSSL. */
        tu_rand(big, BIG + 16);
        const uint8_t *m = big + 3;
        tenon_hash_ctx c;
        tenon_sha256.init(&c);
        size_t off = 0, chunk = 1;
        while (off < BIG) {
            size_t n = BIG - off < chunk ? BIG - off : chunk;
            sha256_update_with(impl, &c.sha256, m + off, n);
            off += n;
            chunk = (chunk * 7 + 4) % 65537 | 1;
        }
        sha256_final_with(impl, &c.sha256, a);
        sha256_impl_digest(&sha256_portable_impl, m, BIG, 0, b);
        CHECK_MEM(a, b, 32, "accelerated vs portable, 3 MiB in odd chunks");
        openssl_digest(&tenon_sha256, m, BIG, b);
        CHECK_MEM(a, b, 32, "accelerated vs OpenSSL, 3 MiB");
        printf("SHA-256 %s vs portable: lengths 0..%d, 63 offsets, 3 MiB: %s\n", impl->name, MAXLEN,
               tu_failed == fails ? "identical" : "MISMATCH");
    }
    for (size_t i = 0; sha512_all_impls[i] != NULL; i++) {
        const sha512_impl *impl = sha512_all_impls[i];
        if (impl == &sha512_portable_impl || !impl_present("SHA-512", impl->name, impl->cpu_needs))
            continue;
        unsigned long fails = tu_failed;
        uint8_t a[64], b[64];
        tu_seed(0x5a512 + i);
        for (size_t len = 0; len <= MAXLEN; len++) {
            const tenon_hash_class *h = len % 2 ? &tenon_sha384 : &tenon_sha512;
            tu_rand(buf + 1, len);
            sha512_impl_digest(impl, h, buf + 1, len, 0, a);
            sha512_impl_digest(&sha512_portable_impl, h, buf + 1, len, 0, b);
            CHECK_MEM(a, b, h->digest_len, "SHA-512 accelerated vs portable, random length");
        }
        tu_rand(big, BIG + 16);
        tenon_hash_ctx c;
        tenon_sha512.init(&c);
        size_t off = 0, chunk = 1;
        while (off < BIG) {
            size_t n = BIG - off < chunk ? BIG - off : chunk;
            sha512_update_with(impl, &c.sha512, big + 5 + off, n);
            off += n;
            chunk = (chunk * 7 + 4) % 65537 | 1;
        }
        sha512_final_with(impl, &c.sha512, a, 64);
        sha512_impl_digest(&sha512_portable_impl, &tenon_sha512, big + 5, BIG, 0, b);
        CHECK_MEM(a, b, 64, "SHA-512 accelerated vs portable, 3 MiB in odd chunks");
        openssl_digest(&tenon_sha512, big + 5, BIG, b);
        CHECK_MEM(a, b, 64, "SHA-512 accelerated vs OpenSSL, 3 MiB");
        printf("SHA-384/512 %s vs portable: lengths 0..%d (unaligned), 3 MiB: %s\n", impl->name,
               MAXLEN, tu_failed == fails ? "identical" : "MISMATCH");
    }
    free(buf);
    free(big);
}

/* Incremental updates split at every offset (and a three-way split) give the one-shot digest. */
static void test_splits(void)
{
    static const size_t lens[] = {0, 1, 55, 56, 63, 64, 65, 111, 112, 119, 127, 128, 129, 200, 300};
    uint8_t m[300];
    tu_seed(77);
    tu_rand(m, sizeof m);
    for (int pass = 0; pass < 2; pass++) {
        tenon_cpu_set_mask(pass == 0 ? 0 : UINT32_MAX);
        for (size_t c = 0; c < ARRAY_LEN(classes); c++) {
            const tenon_hash_class *h = classes[c];
            for (size_t li = 0; li < ARRAY_LEN(lens); li++) {
                size_t n = lens[li];
                uint8_t want[TENON_HASH_MAX_LEN], got[TENON_HASH_MAX_LEN];
                tenon_hash(h, m, n, want);
                int ok = 1;
                for (size_t k = 0; k <= n; k++) {
                    size_t k2 = k + (n - k) / 3;
                    tenon_hash_ctx ctx;
                    h->init(&ctx);
                    h->update(&ctx, m, k);
                    h->update(&ctx, m + k, k2 - k);
                    h->update(&ctx, NULL, 0);
                    h->update(&ctx, m + k2, n - k2);
                    h->final(&ctx, got);
                    ok &= memcmp(got, want, h->digest_len) == 0;
                }
                CHECK(ok);
            }
        }
    }
    tenon_cpu_set_mask(UINT32_MAX);
}

/* final() leaves the context as it was: a second final gives the same digest, and more data
 * continues the running hash (the TLS transcript hash relies on this). */
static void test_final_then_update(void)
{
    uint8_t m[1000];
    tu_seed(99);
    tu_rand(m, sizeof m);
    static const size_t cuts[] = {0, 3, 64, 100, 128, 500, 999};
    for (int pass = 0; pass < 2; pass++) {
        tenon_cpu_set_mask(pass == 0 ? 0 : UINT32_MAX);
        for (size_t c = 0; c < ARRAY_LEN(classes); c++) {
            const tenon_hash_class *h = classes[c];
            tenon_hash_ctx ctx;
            h->init(&ctx);
            size_t prev = 0;
            for (size_t i = 0; i < ARRAY_LEN(cuts); i++) {
                uint8_t got[TENON_HASH_MAX_LEN], again[TENON_HASH_MAX_LEN],
                    want[TENON_HASH_MAX_LEN];
                h->update(&ctx, m + prev, cuts[i] - prev);
                prev = cuts[i];
                h->final(&ctx, got);
                h->final(&ctx, again);
                openssl_digest(h, m, prev, want);
                CHECK_MEM(got, want, h->digest_len, "final then update");
                CHECK_MEM(again, want, h->digest_len, "final twice");
            }
        }
    }
    tenon_cpu_set_mask(UINT32_MAX);
}

/* Every class (portable forced, then default) against OpenSSL on every length 0..1024 and on
 * random lengths up to 20000 fed in random pieces. */
static void test_vs_openssl(void)
{
    enum { N = 20000 };
    uint8_t *m = malloc(N);
    if (m == NULL)
        abort();
    for (int pass = 0; pass < 2; pass++) {
        tenon_cpu_set_mask(pass == 0 ? 0 : UINT32_MAX);
        for (size_t c = 0; c < ARRAY_LEN(classes); c++) {
            const tenon_hash_class *h = classes[c];
            unsigned long fails = tu_failed, cases = 0;
            tu_seed(1234 + c);
            uint8_t got[TENON_HASH_MAX_LEN], want[TENON_HASH_MAX_LEN];
            for (size_t len = 0; len <= 1024; len++, cases++) {
                tu_rand(m, len);
                tenon_hash(h, m, len, got);
                openssl_digest(h, m, len, want);
                CHECK_MEM(got, want, h->digest_len, "vs OpenSSL, every length");
            }
            for (int t = 0; t < 200; t++, cases++) {
                size_t len = (size_t)(tu_rand_u64() % N);
                tu_rand(m, len);
                tenon_hash_ctx ctx;
                h->init(&ctx);
                for (size_t off = 0; off < len;) {
                    size_t piece = (size_t)(tu_rand_u64() % 700);
                    if (piece > len - off)
                        piece = len - off;
                    h->update(&ctx, m + off, piece);
                    off += piece;
                }
                h->final(&ctx, got);
                openssl_digest(h, m, len, want);
                CHECK_MEM(got, want, h->digest_len, "vs OpenSSL, random pieces");
            }
            printf("%s (%s) vs OpenSSL: %lu cases, %s\n", h->name,
                   pass == 0 ? "portable forced" : "default", cases,
                   tu_failed == fails ? "identical" : "MISMATCH");
        }
    }
    tenon_cpu_set_mask(UINT32_MAX);
    free(m);
}

/* SHA-224 (FIPS 180-4 §6.3): the "abc" example, the one-million-'a' example, and random
 * messages against OpenSSL, through every mask so that each SHA-256 implementation runs it. */
static void test_sha224(void)
{
    uint8_t d[TENON_SHA224_LEN], o[EVP_MAX_MD_SIZE];
    size_t n;
    uint8_t *abc = tu_hex("23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7", &n);
    uint8_t *ma = tu_hex("20794655980c91d8bbb4c1ea97618a4bf03f42581948b2ee4ee7ad67", &n);
    static const uint32_t masks[] = {0, UINT32_MAX};
    for (size_t m = 0; m < 2; m++) {
        tenon_cpu_set_mask(masks[m]);
        tenon_hash(&tenon_sha224, "abc", 3, d);
        CHECK_MEM(d, abc, sizeof d, "SHA-224(abc)");
        tenon_hash(&tenon_sha224, million_a, 1000000, d);
        CHECK_MEM(d, ma, sizeof d, "SHA-224(million a)");
        uint8_t buf[700];
        for (int i = 0; i < 100; i++) {
            size_t len = (size_t)(tu_rand_u64() % sizeof buf);
            unsigned ol;
            tu_rand(buf, len);
            tenon_hash(&tenon_sha224, buf, len, d);
            CHECK(EVP_Digest(buf, len, o, &ol, EVP_sha224(), NULL) == 1 && ol == sizeof d);
            CHECK_MEM(d, o, sizeof d, "SHA-224 vs OpenSSL");
        }
    }
    tenon_cpu_set_mask(UINT32_MAX);
    CHECK(tenon_sha224.digest_len == 28 && tenon_sha224.block_len == 64);
    free(abc);
    free(ma);
}

int main(void)
{
    million_a = malloc(1000000);
    if (million_a == NULL)
        abort();
    memset(million_a, 'a', 1000000);

    test_class_fields();
    test_kats_per_impl();
    test_kats_classes(0);
    test_kats_classes(UINT32_MAX);
    test_impls_vs_portable();
    test_block2();
    test_splits();
    test_final_then_update();
    test_vs_openssl();
    test_sha224();

    free(million_a);
    return tu_finish("test_sha");
}
