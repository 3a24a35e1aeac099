/*
 * ChaCha20-Poly1305 (RFC 8439 §2.8) with the AVX-512 ChaCha20 and Poly1305; the construction
 * itself is the shared one in chacha20poly1305.c.
 */
#include "../common.h"
#include "aead_impls.h"

#if TENON_X86_64

#include "chacha20.h"
#include "chacha20poly1305.h"
#include "poly1305.h"

static const chacha20poly1305_ops avx512_ops = {
    chacha20_xor_avx512,
    poly1305_blocks_avx512,
};

static int avx512_init(tenon_aead_ctx *ctx, const uint8_t *key, size_t key_len)
{
    return chacha20poly1305_init(ctx, &chacha20poly1305_avx512_class, key, key_len);
}

static int avx512_seal(const tenon_aead_ctx *ctx, const uint8_t *nonce, size_t nonce_len,
                       const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t in_len,
                       uint8_t *out, uint8_t *tag)
{
    return chacha20poly1305_seal(&avx512_ops, ctx, nonce, nonce_len, aad, aad_len, in, in_len, out,
                                 tag);
}

static int avx512_open(const tenon_aead_ctx *ctx, const uint8_t *nonce, size_t nonce_len,
                       const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t in_len,
                       const uint8_t *tag, uint8_t *out)
{
    return chacha20poly1305_open(&avx512_ops, ctx, nonce, nonce_len, aad, aad_len, in, in_len, tag,
                                 out);
}

const tenon_aead_class chacha20poly1305_avx512_class = {
    "ChaCha20-Poly1305/avx512",
    "ChaCha20-Poly1305",
    TENON_CPU_AVX512F | TENON_CPU_AVX2,
    TENON_AEAD_TAG_LEN,
    avx512_init,
    avx512_seal,
    avx512_open,
};

#endif
