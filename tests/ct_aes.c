/*
 * Constant-flow test of AES under valgrind memcheck: keys and plaintexts are marked secret, so
 * a branch or a memory index that depends on them (a table-driven S-box, say) is reported.
 * Covers set_key, ECB, CBC and ctr32 of every implementation the CPU runs. Outputs are
 * declared public and compared with OpenSSL's results (computed before anything is marked),
 * so the test also checks that the right thing was computed.
 */
#include <string.h>

#include <openssl/evp.h>

#include "ctgrind.h"
#include "testutil.h"
#include "crypto/aes.h"
#include "crypto/cpu.h"

/* 9 blocks and a partial one: the multi-block paths (four and eight at a time), their tails
 * and a partial CTR block. */
enum { NB = 9, LEN = 16 * NB, CTR_LEN = LEN + 7 };

static void openssl_crypt(const EVP_CIPHER *cipher, int enc, const uint8_t *key, const uint8_t *iv,
                          const uint8_t *in, uint8_t *out, size_t len)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n1 = 0, n2 = 0;
    CHECK(c != NULL && EVP_CipherInit_ex(c, cipher, NULL, key, iv, enc));
    EVP_CIPHER_CTX_set_padding(c, 0);
    CHECK(EVP_CipherUpdate(c, out, &n1, in, (int)len) && EVP_CipherFinal_ex(c, out + n1, &n2));
    CHECK((size_t)(n1 + n2) == len);
    EVP_CIPHER_CTX_free(c);
}

static void run(const aes_impl *im, size_t kl, const EVP_CIPHER *ecb, const EVP_CIPHER *cbc,
                const EVP_CIPHER *ctr)
{
    uint8_t key[32], pt[CTR_LEN], iv0[16], ctr0[16];
    uint8_t e_ecb[LEN], e_cbc[LEN], e_ctr[CTR_LEN];
    uint8_t out[CTR_LEN], back[LEN], iv[16];
    tu_rand(key, sizeof key);
    tu_rand(pt, sizeof pt);
    tu_rand(iv0, sizeof iv0);
    tu_rand(ctr0, sizeof ctr0);
    ctr0[12] = 0x00; /* OpenSSL's CTR carries past 32 bits; stay clear of the wrap */
    openssl_crypt(ecb, 1, key, NULL, pt, e_ecb, LEN);
    openssl_crypt(cbc, 1, key, iv0, pt, e_cbc, LEN);
    openssl_crypt(ctr, 1, key, ctr0, pt, e_ctr, CTR_LEN);

    SECRET(key, sizeof key);
    SECRET(pt, sizeof pt);
    aes_key k;
    im->set_key(&k, key, kl);

    im->ecb_encrypt(&k, pt, out, NB);
    PUBLIC(out, LEN);
    CHECK_MEM(out, e_ecb, LEN, "ECB encrypt");
    im->ecb_decrypt(&k, out, back, NB);
    PUBLIC(back, LEN);
    PUBLIC(pt, sizeof pt);
    CHECK_MEM(back, pt, LEN, "ECB decrypt");
    SECRET(pt, sizeof pt);

    memcpy(iv, iv0, 16);
    im->cbc_encrypt(&k, iv, pt, out, NB);
    PUBLIC(out, LEN);
    PUBLIC(iv, 16);
    CHECK_MEM(out, e_cbc, LEN, "CBC encrypt");
    memcpy(iv, iv0, 16);
    im->cbc_decrypt(&k, iv, out, back, NB);
    PUBLIC(back, LEN);
    PUBLIC(pt, sizeof pt);
    CHECK_MEM(back, pt, LEN, "CBC decrypt");
    SECRET(pt, sizeof pt);

    memcpy(iv, ctr0, 16);
    im->ctr32(&k, iv, pt, out, CTR_LEN);
    PUBLIC(out, CTR_LEN);
    CHECK_MEM(out, e_ctr, CTR_LEN, "ctr32");
    CHECK(iv[15] == (uint8_t)(ctr0[15] + NB + 1));

    PUBLIC(&k, sizeof k);
    PUBLIC(key, sizeof key);
    PUBLIC(pt, sizeof pt);
}

int main(void)
{
    tu_seed(0xc7ae5);
    for (size_t i = 0; aes_all_impls[i] != NULL; i++) {
        const aes_impl *im = aes_all_impls[i];
        if (!cpu_has(im->cpu_needs)) {
            printf("ct_aes: %s not run (CPU lacks features)\n", im->name);
            continue;
        }
        printf("ct_aes: %s\n", im->name);
        run(im, 16, EVP_aes_128_ecb(), EVP_aes_128_cbc(), EVP_aes_128_ctr());
        run(im, 24, EVP_aes_192_ecb(), EVP_aes_192_cbc(), EVP_aes_192_ctr());
        run(im, 32, EVP_aes_256_ecb(), EVP_aes_256_cbc(), EVP_aes_256_ctr());
    }
    return tu_finish("ct_aes");
}
