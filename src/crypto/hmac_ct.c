/*
 * HMAC over a secret-length message (see hmac_ct.h).
 *
 * The inner hash is driven one block at a time through the hash class: each block is built
 * byte by byte with masks from the header, the data, the 0x80 terminator, zeros, and (in the
 * block where the real message ends) the bit length, as FIPS 180-4 §5.1 pads it. After each
 * block the chaining value is read from the context and kept, with a mask, if that block was
 * the real last one. Blocks past the real end are hashed all the same, so the work is that of
 * the longest message. The outer hash is over a fixed-length value and needs no care.
 */
#include "hmac_ct.h"

#include "../common.h"
#include "ct.h"

/* Reads the chaining value of the inner context as the big-endian digest bytes it would give. */
static void chaining_value(const tenon_hash_class *h, const tenon_hash_ctx *ctx, uint8_t *out)
{
    if (h == &tenon_sha1) {
        for (int i = 0; i < 5; i++)
            store_be32(out + 4 * i, ctx->sha1.h[i]);
    } else if (h == &tenon_sha256) {
        for (int i = 0; i < 8; i++)
            store_be32(out + 4 * i, ctx->sha256.h[i]);
    } else {
        for (int i = 0; i < 6; i++)
            store_be64(out + 8 * i, ctx->sha512.h[i]);
    }
}

int hmac_ct_secret_len(const tenon_hash_class *h, const uint8_t *key, size_t key_len,
                       const uint8_t *header, size_t header_len, const uint8_t *data,
                       size_t data_len, size_t max_len, uint8_t *out)
{
    ENSURE(h == &tenon_sha1 || h == &tenon_sha256 || h == &tenon_sha384,
           TENON_ERR_INVALID_ARGUMENT);
    ENSURE(out != NULL && (key != NULL || key_len == 0), TENON_ERR_INVALID_ARGUMENT);
    ENSURE(header != NULL || header_len == 0, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(data != NULL || max_len == 0, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(header_len + max_len < (1u << 24), TENON_ERR_INVALID_ARGUMENT);
    /* data_len is secret: no branch on it. A value over max_len is taken as max_len. */
    data_len = (size_t)ct_select_u32(ct_mask_lt_u32((uint32_t)max_len, (uint32_t)data_len),
                                     (uint32_t)max_len, (uint32_t)data_len);

    const size_t bl = h->block_len, dl = h->digest_len;
    /* FIPS 180-4 §5.1.1 / §5.1.2: a 64-bit length field for 64-byte blocks, 128-bit for
     * 128-byte blocks (whose top half is zero here). */
    const size_t len_field = bl == 128 ? 16 : 8;

    tenon_hmac_ctx hm;
    tenon_hmac_init(&hm, h, key, key_len); /* inner: K ^ ipad hashed, one block */

    const uint32_t total = (uint32_t)(header_len + data_len); /* secret */
    const size_t max_total = header_len + max_len;
    const size_t nblocks = (max_total + 1 + len_field + bl - 1) / bl;
    /* The block holding the 0x80 byte and the length: index (total + len_field) / bl. */
    /* bl is 64 or 128: a shift by its (public) log, never a division, whose time may depend on
     * the secret operand on many processors. */
    const unsigned bl_shift = bl == 128 ? 7 : 6;
    ENSURE(bl == 64 || bl == 128, TENON_ERR_INVALID_ARGUMENT);
    const uint32_t last = (total + (uint32_t)len_field) >> bl_shift;
    /* The bit length of the whole inner message, the ipad block included. */
    const uint64_t bits = ((uint64_t)bl + total) << 3;

    uint8_t block[TENON_HASH_MAX_BLOCK], cv[TENON_HASH_MAX_LEN], inner[TENON_HASH_MAX_LEN];
    memset(inner, 0, sizeof inner);
    for (size_t b = 0; b < nblocks; b++) {
        uint32_t is_last = ct_mask_eq_u32((uint32_t)b, last);
        for (size_t j = 0; j < bl; j++) {
            size_t p = b * bl + j;
            uint8_t v;
            if (p < header_len) {
                v = header[p];
            } else {
                size_t q = p - header_len;
                uint8_t d = q < max_len ? data[q] : 0; /* bounds: public */
                uint32_t in = ct_mask_lt_u32((uint32_t)q, (uint32_t)data_len);
                uint32_t at = ct_mask_eq_u32((uint32_t)q, (uint32_t)data_len);
                v = ct_select_u8(in, d, ct_select_u8(at, 0x80, 0));
            }
            if (j >= bl - len_field) {
                size_t k = bl - 1 - j; /* byte k of the big-endian length, from the end */
                uint8_t lb = (uint8_t)(k < 8 ? bits >> (8 * k) : 0);
                v = ct_select_u8(is_last, lb, v);
            }
            block[j] = v;
        }
        h->update(&hm.inner, block, bl); /* the buffer is empty: one compression */
        chaining_value(h, &hm.inner, cv);
        ct_cond_copy(is_last, inner, cv, dl);
    }

    /* outer: H(K ^ opad || inner) */
    tenon_hash_ctx outer = hm.outer;
    h->update(&outer, inner, dl);
    h->final(&outer, out);

    tenon_wipe(&outer, sizeof outer);
    tenon_hmac_wipe(&hm);
    tenon_wipe(block, sizeof block);
    tenon_wipe(cv, sizeof cv);
    tenon_wipe(inner, sizeof inner);
    return TENON_OK;
}
