/* PLACEHOLDER: replaced by the real implementation. */
#include "../common.h"
#include "aead_impls.h"
#if TENON_X86_64
static int ph_init(tenon_aead_ctx *ctx, const uint8_t *key, size_t key_len)
{
    (void)ctx; (void)key; (void)key_len;
    return TENON_ERR_UNSUPPORTED;
}
static int ph_seal(const tenon_aead_ctx *ctx, const uint8_t *nonce, size_t nonce_len, const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t in_len, uint8_t *out, uint8_t *tag)
{
    (void)ctx; (void)nonce; (void)nonce_len; (void)aad; (void)aad_len; (void)in; (void)in_len; (void)out; (void)tag;
    return TENON_ERR_UNSUPPORTED;
}
static int ph_open(const tenon_aead_ctx *ctx, const uint8_t *nonce, size_t nonce_len, const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t in_len, const uint8_t *tag, uint8_t *out)
{
    (void)ctx; (void)nonce; (void)nonce_len; (void)aad; (void)aad_len; (void)in; (void)in_len; (void)out; (void)tag;
    return TENON_ERR_UNSUPPORTED;
}
const tenon_aead_class aes_gcm_aesni_class = {"AES-GCM/placeholder", "AES-GCM", 0, 16, ph_init, ph_seal, ph_open};
#endif
