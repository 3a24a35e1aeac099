/*
 * HMAC (RFC 2104) over any tenon_hash_class.
 *
 * The context keeps two hash states that have already absorbed K ^ ipad and K ^ opad, so
 * every later use of the key (HKDF-Expand's blocks, the PRF's iterations) starts from a copy
 * of them and skips both key blocks.
 */
#include "../common.h"
#include "tenon/crypto.h"
#include "sha2.h"

TENON_API void tenon_hmac_init(tenon_hmac_ctx *ctx, const tenon_hash_class *h, const void *key,
                               size_t key_len)
{
    uint8_t k0[TENON_HASH_MAX_BLOCK];
    size_t b = h->block_len;

    /* RFC 2104 §2: "Applications that use keys longer than B bytes will first hash the key
     * using H and then use the resultant L byte string as the actual key to HMAC." A shorter
     * key is padded with zeros to B bytes. */
    memset(k0, 0, sizeof k0);
    if (key_len > b)
        tenon_hash(h, key, key_len, k0);
    else if (key_len != 0)
        memcpy(k0, key, key_len);

    /* RFC 2104 §2: H(K XOR opad, H(K XOR ipad, text)), ipad = 0x36 and opad = 0x5C repeated
     * B times. */
    const sha256_impl *impl = h == &tenon_sha256 ? sha256_best_impl() : NULL;
    if (impl != NULL && impl->block2 != NULL) {
        /* The two key blocks side by side (a TLS 1.3 handshake keys about fifteen secrets a
         * side, and each of these compressions is one chain of dependent rounds). */
        uint8_t ko[64];
        for (size_t i = 0; i < 64; i++) {
            ko[i] = k0[i] ^ 0x5c;
            k0[i] ^= 0x36;
        }
        h->init(&ctx->inner);
        h->init(&ctx->outer);
        impl->block2(ctx->inner.sha256.h, k0, ctx->outer.sha256.h, ko);
        ctx->inner.sha256.count = 64;
        ctx->outer.sha256.count = 64;
        tenon_wipe(ko, sizeof ko);
        tenon_wipe(k0, sizeof k0);
        return;
    }
    for (size_t i = 0; i < b; i++)
        k0[i] ^= 0x36;
    h->init(&ctx->inner);
    h->update(&ctx->inner, k0, b);
    for (size_t i = 0; i < b; i++)
        k0[i] ^= 0x36 ^ 0x5c;
    h->init(&ctx->outer);
    h->update(&ctx->outer, k0, b);
    tenon_wipe(k0, sizeof k0);
}

TENON_API void tenon_hmac_update(tenon_hmac_ctx *ctx, const void *data, size_t len)
{
    ctx->inner.vtable->update(&ctx->inner, data, len);
}

TENON_API void tenon_hmac_final(const tenon_hmac_ctx *ctx, uint8_t *out)
{
    const tenon_hash_class *h = ctx->inner.vtable;
    uint8_t inner_digest[TENON_HASH_MAX_LEN];
    tenon_hash_ctx outer;

    if (h == &tenon_sha256) {
        /* SHA-256: the outer hash straight from the keyed state and the inner digest
         * (sha256_final_tail_with), no context copy. */
        const sha256_impl *impl = sha256_best_impl();
        sha256_final_with(impl, &ctx->inner.sha256, inner_digest);
        sha256_final_tail_with(impl, &ctx->outer.sha256, inner_digest, TENON_SHA256_LEN, out);
        tenon_wipe(inner_digest, TENON_SHA256_LEN);
        return;
    }

    /* Both states are used through copies, so the keyed context can go on (a running MAC) or
     * be reused for the next message. */
    h->final(&ctx->inner, inner_digest);
    outer = ctx->outer;
    h->update(&outer, inner_digest, h->digest_len);
    h->final(&outer, out);
    tenon_wipe(&outer, sizeof outer);
    tenon_wipe(inner_digest, sizeof inner_digest);
}

TENON_API void tenon_hmac(const tenon_hash_class *h, const void *key, size_t key_len,
                          const void *data, size_t len, uint8_t *out)
{
    tenon_hmac_ctx ctx;
    tenon_hmac_init(&ctx, h, key, key_len);
    tenon_hmac_update(&ctx, data, len);
    tenon_hmac_final(&ctx, out);
    tenon_hmac_wipe(&ctx);
}

TENON_API void tenon_hmac_wipe(tenon_hmac_ctx *ctx)
{
    tenon_wipe(ctx, sizeof *ctx);
}
