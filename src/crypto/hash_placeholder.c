/* PLACEHOLDER: replaced by sha1.c, sha256.c, sha512.c, hash.c. */
#include "../common.h"
#include "tenon/crypto.h"
static void ph_init(tenon_hash_ctx *ctx) { (void)ctx; }
static void ph_update(tenon_hash_ctx *ctx, const void *d, size_t n) { (void)ctx; (void)d; (void)n; }
static void ph_final(const tenon_hash_ctx *ctx, uint8_t *out) { (void)ctx; (void)out; }
TENON_API const tenon_hash_class tenon_sha1 = {"SHA-1", 20, 64, ph_init, ph_update, ph_final};
TENON_API const tenon_hash_class tenon_sha256 = {"SHA-256", 32, 64, ph_init, ph_update, ph_final};
TENON_API const tenon_hash_class tenon_sha384 = {"SHA-384", 48, 128, ph_init, ph_update, ph_final};
TENON_API const tenon_hash_class tenon_sha512 = {"SHA-512", 64, 128, ph_init, ph_update, ph_final};
TENON_API void tenon_hash(const tenon_hash_class *h, const void *data, size_t len, uint8_t *out)
{
    tenon_hash_ctx c;
    h->init(&c);
    h->update(&c, data, len);
    h->final(&c, out);
}
