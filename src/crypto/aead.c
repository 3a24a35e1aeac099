/* AEAD dispatch: the implementation list, the best-available choice and thin wrappers. */
#include "../common.h"
#include "aead_impls.h"
#include "cpu.h"
#include "ct.h"

/* Fastest first within each family. */
static const tenon_aead_class *const all_impls[] = {
#if TENON_X86_64
    &aes_gcm_vaes_avx512_class,
    &aes_gcm_vaes_avx2_class,
    &aes_gcm_aesni_class,
#endif
    &aes_gcm_portable_class,
#if TENON_X86_64
    &chacha20poly1305_avx512ifma_class,
    &chacha20poly1305_avx512_class,
    &chacha20poly1305_avx2mulx_class,
    &chacha20poly1305_avx2_class,
#endif
    &chacha20poly1305_portable_class,
    NULL,
};

TENON_API const tenon_aead_class *const *tenon_aead_implementations(void)
{
    return all_impls;
}

static const tenon_aead_class *best_of(const char *family)
{
    for (size_t i = 0; all_impls[i] != NULL; i++) {
        if (strcmp(all_impls[i]->family, family) == 0 && cpu_has(all_impls[i]->cpu_needs))
            return all_impls[i];
    }
    return NULL; /* unreachable: every family has a portable member with cpu_needs == 0 */
}

TENON_API const tenon_aead_class *tenon_aead_aes_gcm(void)
{
    return best_of("AES-GCM");
}

TENON_API const tenon_aead_class *tenon_aead_chacha20_poly1305(void)
{
    return best_of("ChaCha20-Poly1305");
}

TENON_API int tenon_aead_init(tenon_aead_ctx *ctx, const tenon_aead_class *cls, const uint8_t *key,
                              size_t key_len)
{
    ENSURE(ctx != NULL && cls != NULL && key != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(cpu_has(cls->cpu_needs), TENON_ERR_UNSUPPORTED);
    return cls->init(ctx, key, key_len);
}

TENON_API int tenon_aead_seal(const tenon_aead_ctx *ctx, const uint8_t *nonce, size_t nonce_len,
                              const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t in_len,
                              uint8_t *out, uint8_t *tag)
{
    ENSURE(ctx != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(ctx->vtable != NULL, TENON_ERR_NOT_INITIALISED);
    return ctx->vtable->seal(ctx, nonce, nonce_len, aad, aad_len, in, in_len, out, tag);
}

TENON_API int tenon_aead_open(const tenon_aead_ctx *ctx, const uint8_t *nonce, size_t nonce_len,
                              const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t in_len,
                              const uint8_t *tag, uint8_t *out)
{
    ENSURE(ctx != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(ctx->vtable != NULL, TENON_ERR_NOT_INITIALISED);
    return ctx->vtable->open(ctx, nonce, nonce_len, aad, aad_len, in, in_len, tag, out);
}

int aead_open_last_nonzero(const tenon_aead_ctx *ctx, const uint8_t *nonce, size_t nonce_len,
                           const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t in_len,
                           const uint8_t *tag, uint8_t *out, size_t *pos, uint32_t *found)
{
    ENSURE(ctx != NULL && pos != NULL && found != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(ctx->vtable != NULL, TENON_ERR_NOT_INITIALISED);
#if TENON_X86_64
    if (ctx->vtable == &aes_gcm_vaes_avx512_class)
        return gcm_v512_open_last_nonzero(ctx, nonce, nonce_len, aad, aad_len, in, in_len, tag, out,
                                          pos, found);
    if (ctx->vtable == &aes_gcm_vaes_avx2_class)
        return gcm_vaes_avx2_open_last_nonzero(ctx, nonce, nonce_len, aad, aad_len, in, in_len, tag,
                                               out, pos, found);
#endif
    int rc = ctx->vtable->open(ctx, nonce, nonce_len, aad, aad_len, in, in_len, tag, out);
    /* The verdict is public (ct.h): the caller acts on it. */
    ct_declassify(&rc, sizeof rc);
    if (rc == TENON_OK)
        *pos = ct_last_nonzero(out, in_len, found);
    return rc;
}

TENON_API int tenon_aead_seal_split(const tenon_aead_ctx *ctx, const uint8_t *nonce,
                                    size_t nonce_len, const uint8_t *aad, size_t aad_len,
                                    const uint8_t *head, size_t head_len, uint8_t *out,
                                    size_t total_len, uint8_t *tag)
{
    ENSURE(ctx != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(ctx->vtable != NULL, TENON_ERR_NOT_INITIALISED);
    ENSURE(head_len <= total_len, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(head != NULL || head_len == 0, TENON_ERR_INVALID_ARGUMENT);
    return ctx->vtable->seal_split(ctx, nonce, nonce_len, aad, aad_len, head, head_len, out,
                                   total_len, tag);
}

TENON_API void tenon_aead_wipe(tenon_aead_ctx *ctx)
{
    if (ctx == NULL)
        return;
    tenon_wipe(ctx->state, sizeof ctx->state);
    ctx->vtable = NULL;
}
