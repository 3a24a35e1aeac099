/*
 * SHA-384 and SHA-512 through every SHA-512 implementation against OpenSSL: every message
 * length 0..600 and a few long ones (so the four-, two- and one-block paths, the AVX-512
 * code's pipelined loop, the four-block AVX2 code's first group and pipeline, and their 1-3
 * block tails all run), in one update and split at an odd offset (the second part then starts
 * at an unaligned address). The x86 vector code is also built here a second time with its rounds in
 * C (TENON_SHA512_C_ROUNDS, the fallback for a compiler without GNU inline assembly) and checked
 * the same way, so both forms of the rounds stay tested.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "crypto/cpu.h"
#include "crypto/sha2.h"
#include "testutil.h"

#if TENON_X86_64
/* The library's sha512_x86avx.c once more, with the C rounds and the four tables renamed. */
#define TENON_SHA512_C_ROUNDS 1
#define sha512_x86avx_impl c_rounds_avx_impl
#define sha512_x86avx2_impl c_rounds_avx2_impl
#define sha512_x86avx512_impl c_rounds_avx512_impl
#define sha512_x86avx2x4_impl c_rounds_avx2x4_impl
#include "crypto/sha512_x86avx.c"
#undef sha512_x86avx_impl
#undef sha512_x86avx2_impl
#undef sha512_x86avx512_impl
#undef sha512_x86avx2x4_impl
#endif

#define LONGEST (1u << 20)

static void digest_openssl(const tenon_hash_class *h, const uint8_t *m, size_t n, uint8_t *out)
{
    unsigned int olen = 0;
    const EVP_MD *md = h == &tenon_sha384 ? EVP_sha384() : EVP_sha512();
    if (!EVP_Digest(m, n, out, &olen, md, NULL) || olen != h->digest_len) {
        fprintf(stderr, "EVP_Digest failed\n");
        abort();
    }
}

/* h (SHA-384 or SHA-512) of m through impl, fed as m[0..split) then the rest. */
static void digest_impl(const sha512_impl *impl, const tenon_hash_class *h, const uint8_t *m,
                        size_t n, size_t split, uint8_t *out)
{
    tenon_hash_ctx c;
    h->init(&c);
    sha512_update_with(impl, &c.sha512, m, split);
    sha512_update_with(impl, &c.sha512, m + split, n - split);
    sha512_final_with(impl, &c.sha512, out, h->digest_len);
}

static void check_impl(const sha512_impl *impl, const char *label, const uint8_t *buf)
{
    /* 8, 12 and 15 blocks: one and two turns of the AVX-512 code's pipelined loop and the
     * longest tail behind it. */
    static const size_t longs[] = {
        1023, 1024, 1024 + 128 * 4 + 5, 2047, 4096, 16384 + 17, 65536 + 128 * 3, LONGEST,
        /* The four-block AVX2 code from 24 blocks on: its first
         * group alone, with and without a second, and 0..7
         * blocks after whole groups. */
        128 * 23 + 9, 128 * 24, 128 * 25 + 1, 128 * 26 + 64, 128 * 27 + 127, 128 * 28 + 3,
        128 * 29 + 100, 128 * 30, 128 * 31 + 50, 128 * 32 + 77, 128 * 35 + 11, 128 * 39 + 5};
    unsigned long before = 0, bad = 0;
    uint8_t want[64], got[64];
    if (!cpu_has(impl->cpu_needs)) {
        printf("%s %s: skipped, CPU features missing on this machine\n", label, impl->name);
        return;
    }
    for (size_t j = 0; j < 2; j++) {
        const tenon_hash_class *h = j == 0 ? &tenon_sha384 : &tenon_sha512;
        for (size_t n = 0; n <= 600 + sizeof longs / sizeof longs[0]; n++) {
            size_t len = n <= 600 ? n : longs[n - 601];
            digest_openssl(h, buf, len, want);
            digest_impl(impl, h, buf, len, len, got);
            bad += memcmp(want, got, h->digest_len) != 0;
            CHECK_MEM(want, got, h->digest_len, impl->name);
            digest_impl(impl, h, buf, len, len / 3 + (len > 0), got);
            bad += memcmp(want, got, h->digest_len) != 0;
            CHECK_MEM(want, got, h->digest_len, impl->name);
            before += 2;
        }
    }
    printf("%s %s: SHA-384/512 of lengths 0..600 and 20 long ones vs OpenSSL, %lu digests, "
           "%lu differ\n",
           label, impl->name, before, bad);
}

int main(void)
{
    uint8_t *buf = malloc(LONGEST);
    CHECK(buf != NULL);
    if (buf == NULL)
        return tu_finish("test_sha512_impls");
    /* A fixed pseudo-random message (xorshift64). */
    uint64_t s = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < LONGEST; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        buf[i] = (uint8_t)(s >> 32);
    }
    for (size_t i = 0; sha512_all_impls[i] != NULL; i++)
        check_impl(sha512_all_impls[i], "library", buf);
#if TENON_X86_64
    check_impl(&c_rounds_avx512_impl, "C rounds", buf);
    check_impl(&c_rounds_avx2x4_impl, "C rounds", buf);
    check_impl(&c_rounds_avx2_impl, "C rounds", buf);
    check_impl(&c_rounds_avx_impl, "C rounds", buf);
#endif
    free(buf);
    return tu_finish("test_sha512_impls");
}
