/* The library-wide API: errors, version, CPU mask, random bytes, wipe, compare, AEAD dispatch. */
#include <string.h>

#include "testutil.h"

static void test_errors(void)
{
    static const int codes[] = {TENON_OK,
                                TENON_ERR_INVALID_ARGUMENT,
                                TENON_ERR_BAD_KEY_LENGTH,
                                TENON_ERR_BAD_NONCE_LENGTH,
                                TENON_ERR_BUFFER_TOO_SMALL,
                                TENON_ERR_AUTH_FAILED,
                                TENON_ERR_OUTPUT_TOO_LONG,
                                TENON_ERR_RANDOM,
                                TENON_ERR_UNSUPPORTED,
                                TENON_ERR_BAD_LENGTH,
                                TENON_ERR_NOT_INITIALISED,
                                TENON_ERR_INTERNAL,
                                TENON_ERR_BAD_PUBLIC_KEY,
                                TENON_ERR_BAD_PRIVATE_KEY,
                                TENON_ERR_BAD_SIGNATURE,
                                TENON_ERR_MALFORMED,
                                TENON_ERR_DECRYPTION_FAILED,
                                TENON_ERR_KEY_SIZE};
    /* Every code has its own description, and an unknown one says so. */
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *s = tenon_strerror(codes[i]);
        CHECK(s != NULL && strcmp(s, "unknown error") != 0);
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(s, tenon_strerror(codes[j])) != 0);
    }
    CHECK(strcmp(tenon_strerror(-9999), "unknown error") == 0);
    CHECK(strcmp(tenon_version(), TENON_VERSION_STRING) == 0);
}

static void test_cpu_mask(void)
{
    uint32_t all = tenon_cpu_features();
    printf("cpu features: 0x%x\n", (unsigned)all);
    tenon_cpu_set_mask(0);
    CHECK(tenon_cpu_features() == 0);
    /* With no features, both AEAD families fall back to their portable member. */
    CHECK(tenon_aead_aes_gcm()->cpu_needs == 0);
    CHECK(tenon_aead_chacha20_poly1305()->cpu_needs == 0);
    tenon_cpu_set_mask(TENON_CPU_AESNI);
    CHECK((tenon_cpu_features() & ~(uint32_t)TENON_CPU_AESNI) == 0);
    tenon_cpu_set_mask(UINT32_MAX);
    CHECK(tenon_cpu_features() == all);
    /* The default choice needs no more than the CPU has. */
    CHECK((tenon_aead_aes_gcm()->cpu_needs & ~all) == 0);
    CHECK((tenon_aead_chacha20_poly1305()->cpu_needs & ~all) == 0);
}

static void test_random(void)
{
    uint8_t a[64], b[64], zero[64] = {0};
    CHECK_RC(tenon_random(a, sizeof a), TENON_OK);
    CHECK_RC(tenon_random(b, sizeof b), TENON_OK);
    /* 512 random bits equal to zero or to each other: probability 2^-512. */
    CHECK(memcmp(a, zero, sizeof a) != 0);
    CHECK(memcmp(a, b, sizeof a) != 0);
    CHECK_RC(tenon_random(a, 0), TENON_OK);
    /* Larger than one getrandom() call may return. */
    static uint8_t big[1 << 20];
    CHECK_RC(tenon_random(big, sizeof big), TENON_OK);
    CHECK(memcmp(big + sizeof big - 64, zero, 64) != 0);
}

static void test_wipe_and_compare(void)
{
    uint8_t a[33], b[33];
    memset(a, 0xa5, sizeof a);
    tenon_wipe(a, sizeof a);
    memset(b, 0, sizeof b);
    CHECK(memcmp(a, b, sizeof a) == 0);
    tenon_wipe(NULL, 0);
    CHECK(tenon_ct_memeq(a, b, sizeof a) == 1);
    for (size_t i = 0; i < sizeof a; i++) {
        for (int bit = 0; bit < 8; bit++) {
            b[i] ^= (uint8_t)(1u << bit);
            CHECK(tenon_ct_memeq(a, b, sizeof a) == 0);
            b[i] ^= (uint8_t)(1u << bit);
        }
    }
    CHECK(tenon_ct_memeq(a, b, 0) == 1);
}

static void test_aead_dispatch(void)
{
    const tenon_aead_class *const *impls = tenon_aead_implementations();
    size_t n = 0, gcm = 0, chacha = 0;
    for (; impls[n] != NULL; n++) {
        printf("aead implementation: %-32s needs 0x%04x %s\n", impls[n]->name,
               (unsigned)impls[n]->cpu_needs,
               (impls[n]->cpu_needs & ~tenon_cpu_features()) ? "(not on this CPU)" : "");
        gcm += strcmp(impls[n]->family, "AES-GCM") == 0;
        chacha += strcmp(impls[n]->family, "ChaCha20-Poly1305") == 0;
        CHECK(impls[n]->tag_len == TENON_AEAD_TAG_LEN);
    }
    CHECK(gcm >= 1 && chacha >= 1 && gcm + chacha == n);

    uint8_t key[32] = {0}, nonce[12] = {0}, buf[16] = {0}, tag[16];
    tenon_aead_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    CHECK_RC(tenon_aead_init(NULL, tenon_aead_aes_gcm(), key, 16), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tenon_aead_init(&ctx, NULL, key, 16), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tenon_aead_init(&ctx, tenon_aead_aes_gcm(), key, 15), TENON_ERR_BAD_KEY_LENGTH);
    CHECK_RC(tenon_aead_init(&ctx, tenon_aead_chacha20_poly1305(), key, 16),
             TENON_ERR_BAD_KEY_LENGTH);
    /* A context that was never initialised, or was wiped, is refused. */
    memset(&ctx, 0, sizeof ctx);
    CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, NULL, 0, buf, 16, buf, tag),
             TENON_ERR_NOT_INITIALISED);
    CHECK_RC(tenon_aead_init(&ctx, tenon_aead_chacha20_poly1305(), key, 32), TENON_OK);
    CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, NULL, 0, buf, 16, buf, tag), TENON_OK);
    tenon_aead_wipe(&ctx);
    CHECK(ctx.vtable == NULL);
    CHECK_RC(tenon_aead_open(&ctx, nonce, 12, NULL, 0, buf, 16, tag, buf),
             TENON_ERR_NOT_INITIALISED);
    /* An implementation whose CPU features are masked off cannot be initialised. */
    for (size_t i = 0; impls[i] != NULL; i++) {
        if (impls[i]->cpu_needs == 0)
            continue;
        tenon_cpu_set_mask(0);
        CHECK_RC(tenon_aead_init(&ctx, impls[i], key, 32), TENON_ERR_UNSUPPORTED);
        tenon_cpu_set_mask(UINT32_MAX);
    }
}

int main(void)
{
    test_errors();
    test_cpu_mask();
    test_random();
    test_wipe_and_compare();
    test_aead_dispatch();
    return tu_finish("test_api");
}
