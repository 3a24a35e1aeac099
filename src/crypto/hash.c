/* The one-shot hash over any class. */
#include "../common.h"
#include "tenon/crypto.h"

TENON_API void tenon_hash(const tenon_hash_class *h, const void *data, size_t len, uint8_t *out)
{
    tenon_hash_ctx ctx;
    h->init(&ctx);
    h->update(&ctx, data, len);
    h->final(&ctx, out);
    /* The input may be a secret (HMAC hashes long keys this way); so is the state it left. */
    tenon_wipe(&ctx, sizeof ctx);
}
