/*
 * AES-GCM (SP 800-38D), all portable: the bitsliced AES (aes_ct64) in counter mode and the
 * constant-time GHASH of ghash_ct.c. This class is what runs when no CPU acceleration is
 * allowed, and the reference the accelerated classes are tested against.
 */
#include "../common.h"
#include "aead_impls.h"
#include "aes.h"
#include "ct.h"
#include "gcm.h"

typedef struct gcm_portable_ctx {
    aes_key aes;
    ghash_ct_key gh;
} gcm_portable_ctx;

_Static_assert(sizeof(gcm_portable_ctx) <= TENON_AEAD_STATE_SIZE, "GCM context too large");

/* The data is processed in pieces of this size, so that the GHASH pass and the CTR pass over
 * the same bytes both find them in the L1 cache. A multiple of 16. */
#define CHUNK 4096

static gcm_portable_ctx *get_ctx(const tenon_aead_ctx *ctx)
{
    return (gcm_portable_ctx *)(uintptr_t)ctx->state;
}

static int portable_init(tenon_aead_ctx *ctx, const uint8_t *key, size_t key_len)
{
    ENSURE(ctx != NULL && key != NULL, TENON_ERR_INVALID_ARGUMENT);
    GUARD(gcm_check_key_len(key_len));
    gcm_portable_ctx *c = get_ctx(ctx);
    aes_ct64_impl.set_key(&c->aes, key, key_len);
    /* §6.4 / §7.1 step 1: H = CIPH_K(0^128). */
    uint8_t h[16] = {0};
    aes_ct64_impl.ecb_encrypt(&c->aes, h, h, 1);
    ghash_ct_init(&c->gh, h);
    tenon_wipe(h, sizeof h);
    ctx->vtable = &aes_gcm_portable_class;
    return TENON_OK;
}

/* §7.1 steps 1-2 and the start of 3: J0, E(K, J0) (kept for the tag, step 6), the first
 * counter inc32(J0), and the GHASH of the AAD. */
static void start(const gcm_portable_ctx *c, const uint8_t *nonce, size_t nonce_len,
                  const uint8_t *aad, size_t aad_len, uint8_t ctr[16], uint8_t ek0[16],
                  uint8_t y[16])
{
    gcm_derive_j0(ctr, nonce, nonce_len, ghash_ct_update, &c->gh);
    aes_ct64_impl.ecb_encrypt(&c->aes, ctr, ek0, 1);
    store_be32(ctr + 12, load_be32(ctr + 12) + 1);
    memset(y, 0, 16);
    ghash_ct_update(&c->gh, y, aad, aad_len);
}

/* §7.1 steps 5-6: fold in the length block; T = E(K, J0) xor S. */
static void finish(const gcm_portable_ctx *c, size_t aad_len, size_t text_len, uint8_t y[16],
                   const uint8_t ek0[16], uint8_t tag[16])
{
    uint8_t lb[16];
    gcm_length_block(lb, aad_len, text_len);
    ghash_ct_update(&c->gh, y, lb, 16);
    for (int i = 0; i < 16; i++)
        tag[i] = (uint8_t)(y[i] ^ ek0[i]);
}

/* The seal core (aead_impls.h): the plaintext below split is read from head, the rest from out
 * (in place). */
static int seal_core(const tenon_aead_ctx *ctx, const uint8_t *nonce, size_t nonce_len,
                     const uint8_t *aad, size_t aad_len, const uint8_t *head, size_t split,
                     uint8_t *out, size_t len, uint8_t *tag)
{
    GUARD(gcm_check_args(nonce, nonce_len, aad, aad_len, out, len, out, tag));
    ENSURE(split == 0 || head != NULL, TENON_ERR_INVALID_ARGUMENT);
    const gcm_portable_ctx *c = get_ctx(ctx);
    uint8_t ctr[16], ek0[16], y[16];
    start(c, nonce, nonce_len, aad, aad_len, ctr, ek0, y);
    /* §7.1 step 3 (GCTR from inc32(J0)) and step 4 (GHASH of the ciphertext). Every piece but
     * the last is a whole number of blocks (split is a multiple of 16 or the end). */
    for (size_t off = 0, n; off < len; off += n) {
        n = aead_split_piece(off, split, len, CHUNK);
        aes_ct64_impl.ctr32(&c->aes, ctr, aead_split_src(head, split, out, off), out + off, n);
        ghash_ct_update(&c->gh, y, out + off, n);
    }
    finish(c, aad_len, len, y, ek0, tag);
    tenon_wipe(ek0, sizeof ek0);
    tenon_wipe(y, sizeof y);
    tenon_wipe(ctr, sizeof ctr); /* derived from J0, i.e. from H for non-96-bit nonces */
    return TENON_OK;
}

AEAD_SEAL_ENTRIES(, portable_seal, portable_seal_split, seal_core, 16)

static int portable_open(const tenon_aead_ctx *ctx, const uint8_t *nonce, size_t nonce_len,
                         const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t in_len,
                         const uint8_t *tag, uint8_t *out)
{
    GUARD(gcm_check_args(nonce, nonce_len, aad, aad_len, in, in_len, out, tag));
    const gcm_portable_ctx *c = get_ctx(ctx);
    uint8_t ctr[16], ek0[16], y[16], want[16];
    start(c, nonce, nonce_len, aad, aad_len, ctr, ek0, y);
    /* §7.2 steps 5-6: hash each piece of ciphertext before it is overwritten (in == out). */
    for (size_t off = 0; off < in_len; off += CHUNK) {
        size_t n = in_len - off < CHUNK ? in_len - off : CHUNK;
        ghash_ct_update(&c->gh, y, in + off, n);
        aes_ct64_impl.ctr32(&c->aes, ctr, in + off, out + off, n);
    }
    finish(c, aad_len, in_len, y, ek0, want);
    /* §7.2 step 8, compared in constant time; on mismatch no plaintext is released. */
    uint32_t ok = ct_mask_memeq(want, tag, 16);
    gcm_mask_output(out, in_len, ok);
    tenon_wipe(ek0, sizeof ek0);
    tenon_wipe(y, sizeof y);
    tenon_wipe(ctr, sizeof ctr); /* derived from J0, i.e. from H for non-96-bit nonces */
    tenon_wipe(want, sizeof want);
    return gcm_open_result(ok);
}

const tenon_aead_class aes_gcm_portable_class = {
    "AES-GCM/portable", "AES-GCM",           0, TENON_AEAD_TAG_LEN, portable_init, portable_seal,
    portable_open,      portable_seal_split,
};
