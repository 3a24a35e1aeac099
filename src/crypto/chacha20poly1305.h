/*
 * Internal: the ChaCha20-Poly1305 AEAD construction (RFC 8439 §2.8), written once and driven
 * by a small table of primitives, so that every implementation class (portable, AVX2) shares
 * the same argument checks, key derivation, padding, length block and tag handling.
 */
#ifndef TENON_CHACHA20POLY1305_H
#define TENON_CHACHA20POLY1305_H

#include <stddef.h>
#include <stdint.h>

#include "poly1305.h"
#include "tenon/crypto.h"

/* RFC 8439 §2.8 note 1: P_MAX = (2^32 - 1) blocks of 64 bytes = 274,877,906,880 bytes. */
#define CHACHA20POLY1305_MAX_LEN ((uint64_t)0xffffffffu * 64u)

typedef struct chacha20poly1305_ops {
    void (*chacha20_xor)(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter,
                         const uint8_t *in, uint8_t *out, size_t len);
    poly1305_blocks_fn poly1305_blocks;
    /* chacha20_xor from counter 1 that also writes the first 32 bytes of keystream block 0
     * (the Poly1305 key) to otk; where the implementation can, cheaper than two calls. The
     * input's bytes before split (a multiple of 64) are at head, the rest at in (see
     * chacha20_xor_portable_otk). */
    void (*chacha20_xor_otk)(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *head,
                             size_t split, const uint8_t *in, uint8_t *out, size_t len,
                             uint8_t otk[32]);
    /* Optional (NULL: none): the whole MAC input in one call, as poly1305_aead_ifma; may
     * decline (0) by the lengths, and then the construction feeds poly1305_blocks. */
    int (*poly1305_aead)(poly1305_ctx *ctx, const uint8_t *aad, size_t aad_len, const uint8_t *ct,
                         size_t ct_len);
    /* Optional (NULL: none), together: the stitched seal and open, which MAC with a scalar
     * Poly1305 while ChaCha20 runs on the vector units (chacha20_batch_mac_avx2,
     * chacha20_rows_mac_avx2, chacha20_xor_avx2_otk_tail). */
    void (*chacha20_batch_mac)(const uint32_t st[16], const uint8_t *in, uint8_t *out,
                               poly1305_r64 *p, const uint8_t *mac, size_t nmac);
    void (*chacha20_rows_mac)(const uint32_t st[16], uint8_t *buf, size_t n, poly1305_r64 *p,
                              const uint8_t *mac, size_t nmac);
    void (*chacha20_otk_tail)(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *head,
                              size_t split, const uint8_t *in, uint8_t *dst, size_t off, size_t len,
                              uint8_t otk[32]);
    /* With the stitched ones (chacha20_batch_otk_avx2): the stitched seal's first batch, block
     * 0 apart and seven blocks XORed in place or not. */
    void (*chacha20_batch_otk)(const uint32_t st[16], const uint8_t *in, uint8_t *out,
                               uint8_t ks0[64]);
} chacha20poly1305_ops;

/* What a ChaCha20-Poly1305 context keeps in tenon_aead_ctx.state. */
typedef struct chacha20poly1305_state {
    uint8_t key[32];
} chacha20poly1305_state;

/* The class functions, with the primitives to use. */
int chacha20poly1305_init(tenon_aead_ctx *ctx, const tenon_aead_class *cls, const uint8_t *key,
                          size_t key_len);
int chacha20poly1305_seal(const chacha20poly1305_ops *ops, const tenon_aead_ctx *ctx,
                          const uint8_t *nonce, size_t nonce_len, const uint8_t *aad,
                          size_t aad_len, const uint8_t *in, size_t in_len, uint8_t *out,
                          uint8_t *tag);
int chacha20poly1305_seal_split(const chacha20poly1305_ops *ops, const tenon_aead_ctx *ctx,
                                const uint8_t *nonce, size_t nonce_len, const uint8_t *aad,
                                size_t aad_len, const uint8_t *head, size_t head_len, uint8_t *out,
                                size_t total_len, uint8_t *tag);
int chacha20poly1305_open(const chacha20poly1305_ops *ops, const tenon_aead_ctx *ctx,
                          const uint8_t *nonce, size_t nonce_len, const uint8_t *aad,
                          size_t aad_len, const uint8_t *in, size_t in_len, const uint8_t *tag,
                          uint8_t *out);

/* Defines the implementation class `cls` (a const tenon_aead_class named name, needing the
 * TENON_CPU_* bits needs) whose seal and open are the construction above with the primitives
 * given after needs: the members of its chacha20poly1305_ops, in order. */
#define CHACHA20POLY1305_CLASS(cls, name, needs, ...)                                              \
    static const chacha20poly1305_ops cls##_ops = {__VA_ARGS__};                                   \
    static int cls##_init(tenon_aead_ctx *ctx, const uint8_t *key, size_t key_len)                 \
    {                                                                                              \
        return chacha20poly1305_init(ctx, &cls, key, key_len);                                     \
    }                                                                                              \
    static int cls##_seal(const tenon_aead_ctx *ctx, const uint8_t *nonce, size_t nonce_len,       \
                          const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t in_len,    \
                          uint8_t *out, uint8_t *tag)                                              \
    {                                                                                              \
        return chacha20poly1305_seal(&cls##_ops, ctx, nonce, nonce_len, aad, aad_len, in, in_len,  \
                                     out, tag);                                                    \
    }                                                                                              \
    static int cls##_open(const tenon_aead_ctx *ctx, const uint8_t *nonce, size_t nonce_len,       \
                          const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t in_len,    \
                          const uint8_t *tag, uint8_t *out)                                        \
    {                                                                                              \
        return chacha20poly1305_open(&cls##_ops, ctx, nonce, nonce_len, aad, aad_len, in, in_len,  \
                                     tag, out);                                                    \
    }                                                                                              \
    static int cls##_seal_split(const tenon_aead_ctx *ctx, const uint8_t *nonce, size_t nonce_len, \
                                const uint8_t *aad, size_t aad_len, const uint8_t *head,           \
                                size_t head_len, uint8_t *out, size_t total_len, uint8_t *tag)     \
    {                                                                                              \
        return chacha20poly1305_seal_split(&cls##_ops, ctx, nonce, nonce_len, aad, aad_len, head,  \
                                           head_len, out, total_len, tag);                         \
    }                                                                                              \
    const tenon_aead_class cls = {                                                                 \
        name,       "ChaCha20-Poly1305", needs,      TENON_AEAD_TAG_LEN,                           \
        cls##_init, cls##_seal,          cls##_open, cls##_seal_split,                             \
    }

#endif
