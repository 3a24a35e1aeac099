/* AES: implementation choice and the public AES-CBC API over the chosen implementation. */
#include "../common.h"
#include "aes.h"
#include "cpu.h"

_Static_assert(sizeof(aes_key) <= TENON_AES_CBC_STATE_SIZE, "aes_key must fit the CBC context");

const aes_impl *const aes_all_impls[] = {
#if TENON_X86_64
    &aes_x86ni_impl,
#endif
    &aes_ct64_impl,
    NULL,
};

const aes_impl *aes_best_impl(void)
{
    for (size_t i = 0; aes_all_impls[i] != NULL; i++) {
        if (cpu_has(aes_all_impls[i]->cpu_needs))
            return aes_all_impls[i];
    }
    return &aes_ct64_impl;
}

static aes_key *cbc_key(const tenon_aes_cbc_ctx *ctx)
{
    return (aes_key *)(uintptr_t)ctx->state;
}

TENON_API int tenon_aes_cbc_init(tenon_aes_cbc_ctx *ctx, const uint8_t *key, size_t key_len)
{
    ENSURE(ctx != NULL && key != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(key_len == 16 || key_len == 24 || key_len == 32, TENON_ERR_BAD_KEY_LENGTH);
    const aes_impl *impl = aes_best_impl();
    impl->set_key(cbc_key(ctx), key, key_len);
    ctx->impl = impl;
    return TENON_OK;
}

static int cbc_check(const tenon_aes_cbc_ctx *ctx, const uint8_t *iv, const uint8_t *in,
                     const uint8_t *out, size_t len)
{
    ENSURE(ctx != NULL && iv != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(ctx->impl != NULL, TENON_ERR_NOT_INITIALISED);
    ENSURE(len % 16 == 0, TENON_ERR_BAD_LENGTH);
    ENSURE(len == 0 || (in != NULL && out != NULL), TENON_ERR_INVALID_ARGUMENT);
    return TENON_OK;
}

TENON_API int tenon_aes_cbc_encrypt(const tenon_aes_cbc_ctx *ctx, uint8_t iv[16], const uint8_t *in,
                                    uint8_t *out, size_t len)
{
    GUARD(cbc_check(ctx, iv, in, out, len));
    if (len > 0)
        ((const aes_impl *)ctx->impl)->cbc_encrypt(cbc_key(ctx), iv, in, out, len / 16);
    return TENON_OK;
}

TENON_API int tenon_aes_cbc_decrypt(const tenon_aes_cbc_ctx *ctx, uint8_t iv[16], const uint8_t *in,
                                    uint8_t *out, size_t len)
{
    GUARD(cbc_check(ctx, iv, in, out, len));
    if (len > 0)
        ((const aes_impl *)ctx->impl)->cbc_decrypt(cbc_key(ctx), iv, in, out, len / 16);
    return TENON_OK;
}

TENON_API void tenon_aes_cbc_wipe(tenon_aes_cbc_ctx *ctx)
{
    if (ctx == NULL)
        return;
    tenon_wipe(ctx->state, sizeof ctx->state);
    ctx->impl = NULL;
}
