/*
 * Constant-flow test of ChaCha20, Poly1305 and ChaCha20-Poly1305 under valgrind memcheck.
 *
 * Keys, nonces, plaintexts (and, for open, ciphertexts and tags) are marked secret, so any
 * branch or memory index that depends on them is reported. Covers the portable and AVX2
 * ChaCha20 and Poly1305 and both AEAD classes, at lengths that reach the multi-block paths,
 * their tails and the AEAD's chunking. The only value the library itself declares public is
 * open's verdict (see chacha20poly1305.c). Outputs are declared public here and compared with
 * OpenSSL's results, computed before anything is marked, so the test also checks correctness.
 */
#include <string.h>

#include <openssl/evp.h>

#include "ctgrind.h"
#include "testutil.h"
#include "crypto/chacha20.h"
#include "crypto/cpu.h"
#include "crypto/poly1305.h"

enum { MAXLEN = 4500, AAD_LEN = 13 };
/* 77: the one-time key's block with the message in the row layout; 1025 (a TLS 1.3 record of
 * 1 KiB of data): batches, then block 0 with the last block in the rows; 4500: batches and a
 * partial batch. The stitched AVX2 seal (batches at 448 + 512 k): 77 in one call, 1025 two
 * batches and the rows beside the MAC, 4500 a partial batch beside it, 960 no rest at all;
 * 300: the AVX2 one-time key's block in lane 0 of one batch with the message in the others. */
static const size_t lens[] = {77, 1025, MAXLEN, 960, 300};

typedef void (*chacha_fn)(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter,
                          const uint8_t *in, uint8_t *out, size_t len);

static void ossl_chacha(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter,
                        const uint8_t *in, uint8_t *out, size_t len)
{
    uint8_t iv[16] = {(uint8_t)counter, (uint8_t)(counter >> 8), (uint8_t)(counter >> 16),
                      (uint8_t)(counter >> 24)};
    memcpy(iv + 4, nonce, 12);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0;
    CHECK(c != NULL && EVP_EncryptInit_ex(c, EVP_chacha20(), NULL, key, iv) &&
          EVP_EncryptUpdate(c, out, &n, in, (int)len) && (size_t)n == len);
    EVP_CIPHER_CTX_free(c);
}

static void ossl_poly(const uint8_t key[32], const uint8_t *msg, size_t len, uint8_t tag[16])
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "POLY1305", NULL);
    EVP_MAC_CTX *mc = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
    size_t olen = 0;
    CHECK(mc != NULL && EVP_MAC_init(mc, key, 32, NULL) && EVP_MAC_update(mc, msg, len) &&
          EVP_MAC_final(mc, tag, &olen, 16) && olen == 16);
    EVP_MAC_CTX_free(mc);
    EVP_MAC_free(mac);
}

static void ossl_seal(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad,
                      const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16])
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0;
    CHECK(c != NULL && EVP_EncryptInit_ex(c, EVP_chacha20_poly1305(), NULL, key, nonce) &&
          EVP_EncryptUpdate(c, NULL, &n, aad, AAD_LEN) &&
          EVP_EncryptUpdate(c, out, &n, in, (int)len) && EVP_EncryptFinal_ex(c, out + n, &n) &&
          EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, tag));
    EVP_CIPHER_CTX_free(c);
}

static void run_chacha(const char *name, chacha_fn fn, size_t len)
{
    uint8_t key[32], nonce[12], pt[MAXLEN], want[MAXLEN], out[MAXLEN];
    tu_rand(key, 32);
    tu_rand(nonce, 12);
    tu_rand(pt, len);
    ossl_chacha(key, nonce, 1, pt, want, len);
    SECRET(key, 32);
    SECRET(nonce, 12);
    SECRET(pt, len);
    fn(key, nonce, 1, pt, out, len);
    PUBLIC(out, len);
    CHECK_MEM(out, want, len, name);
}

static void run_poly(const char *name, poly1305_blocks_fn blocks, size_t len)
{
    uint8_t key[32], msg[MAXLEN], want[16], tag[16];
    tu_rand(key, 32);
    tu_rand(msg, len);
    ossl_poly(key, msg, len, want);
    SECRET(key, 32);
    SECRET(msg, len);
    poly1305_ctx pc;
    poly1305_init(&pc, key);
    poly1305_update(&pc, blocks, msg, len);
    poly1305_final(&pc, tag);
    PUBLIC(tag, 16);
    CHECK_MEM(tag, want, 16, name);
}

static void run_aead(const tenon_aead_class *cls, size_t len)
{
    uint8_t key[32], nonce[12], aad[AAD_LEN], pt[MAXLEN], ct[MAXLEN], out[MAXLEN];
    uint8_t want_ct[MAXLEN], want_tag[16], tag[16];
    tu_rand(key, 32);
    tu_rand(nonce, 12);
    tu_rand(aad, AAD_LEN);
    tu_rand(pt, len);
    ossl_seal(key, nonce, aad, pt, len, want_ct, want_tag);

    tenon_aead_ctx ctx;
    SECRET(key, 32);
    CHECK_RC(tenon_aead_init(&ctx, cls, key, 32), TENON_OK);

    /* Seal: secret key (in the context), nonce and plaintext. */
    SECRET(nonce, 12);
    SECRET(pt, len);
    CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, aad, AAD_LEN, pt, len, ct, tag), TENON_OK);
    PUBLIC(ct, len);
    PUBLIC(tag, 16);
    CHECK_MEM(ct, want_ct, len, cls->name);
    CHECK_MEM(tag, want_tag, 16, cls->name);

    /* The gather seal (the TLS record layer's): the head from pt, the last bytes (e.g. the
     * content type) already in out; head and tail both secret. A head of all but 5 bytes, and
     * one of 100 (the stitched AVX2 seal's first batch then crosses the split and goes through
     * a buffer rather than straight from the head). */
    const size_t heads[2] = {len - 5, len > 100 ? 100 : len};
    for (size_t k = 0; k < 2; k++) {
        size_t h = heads[k];
        PUBLIC(pt, len);
        memcpy(out + h, pt + h, len - h);
        SECRET(pt, len);
        SECRET(out + h, len - h);
        CHECK_RC(tenon_aead_seal_split(&ctx, nonce, 12, aad, AAD_LEN, pt, h, out, len, tag),
                 TENON_OK);
        PUBLIC(out, len);
        PUBLIC(tag, 16);
        CHECK_MEM(out, want_ct, len, cls->name);
        CHECK_MEM(tag, want_tag, 16, cls->name);
    }

    /* Open: ciphertext and tag secret as well; a good tag, then a bad one. */
    SECRET(ct, len);
    SECRET(tag, 16);
    int rc = tenon_aead_open(&ctx, nonce, 12, aad, AAD_LEN, ct, len, tag, out);
    PUBLIC(&rc, sizeof rc);
    CHECK_RC(rc, TENON_OK);
    PUBLIC(out, len);
    PUBLIC(pt, len);
    CHECK_MEM(out, pt, len, cls->name);

    /* In place: the keystream of the first piece goes through a buffer (open_first). */
    memcpy(out, ct, len);
    SECRET(out, len);
    rc = tenon_aead_open(&ctx, nonce, 12, aad, AAD_LEN, out, len, tag, out);
    PUBLIC(&rc, sizeof rc);
    CHECK_RC(rc, TENON_OK);
    PUBLIC(out, len);
    CHECK_MEM(out, pt, len, cls->name);

    PUBLIC(tag, 16);
    tag[len % 16] ^= 0x10;
    SECRET(tag, 16);
    rc = tenon_aead_open(&ctx, nonce, 12, aad, AAD_LEN, ct, len, tag, out);
    PUBLIC(&rc, sizeof rc);
    CHECK_RC(rc, TENON_ERR_AUTH_FAILED);
    PUBLIC(out, len);
    uint8_t acc = 0;
    for (size_t i = 0; i < len; i++)
        acc |= out[i];
    CHECK(acc == 0);

    tenon_aead_wipe(&ctx);
}

int main(void)
{
    tu_seed(0xc7c7);
    for (size_t l = 0; l < ARRAY_LEN(lens); l++) {
        size_t len = lens[l];
        run_chacha("ChaCha20 portable", chacha20_xor_portable, len);
        run_poly("Poly1305 portable", poly1305_blocks_portable, len);
#if TENON_X86_64
        if (cpu_has(TENON_CPU_AVX2)) {
            run_chacha("ChaCha20 avx2", chacha20_xor_avx2, len);
            run_poly("Poly1305 avx2", poly1305_blocks_avx2, len);
        }
        if (cpu_has(TENON_CPU_BMI2))
            run_poly("Poly1305 mulx", poly1305_blocks_mulx, len);
        /* Valgrind (3.19 to 3.24) emulates no AVX-512: its CPUID hides the feature, so under
         * valgrind this branch is not taken. It runs when the test runs natively. */
        if (cpu_has(TENON_CPU_AVX512F | TENON_CPU_AVX2)) {
            run_chacha("ChaCha20 avx512", chacha20_xor_avx512, len);
            run_poly("Poly1305 avx512", poly1305_blocks_avx512, len);
        }
        if (cpu_has(TENON_CPU_AVX512F | TENON_CPU_AVX512IFMA))
            run_poly("Poly1305 avx512ifma", poly1305_blocks_ifma, len);
#endif
        const tenon_aead_class *const *all = tenon_aead_implementations();
        for (size_t i = 0; all[i] != NULL; i++) {
            if (strcmp(all[i]->family, "ChaCha20-Poly1305") == 0 && cpu_has(all[i]->cpu_needs))
                run_aead(all[i], len);
        }
    }
    return tu_finish("ct_chacha");
}
