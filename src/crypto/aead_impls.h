/* Internal: the AEAD implementation classes, one per file, gathered by aead.c. */
#ifndef TENON_AEAD_IMPLS_H
#define TENON_AEAD_IMPLS_H

#include <string.h>

#include "../common.h"
#include "tenon/crypto.h"

/* gcm_portable.c: aes_best_impl()-independent generic GCM over the portable AES (aes_ct64)
 * and the constant-time portable GHASH. */
extern const tenon_aead_class aes_gcm_portable_class;
/* chacha20poly1305.c: portable ChaCha20 and 64-bit Poly1305. */
extern const tenon_aead_class chacha20poly1305_portable_class;

#if defined(__x86_64__)
/* gcm_aesni.c: AES-NI + PCLMULQDQ, several blocks aggregated per reduction. */
extern const tenon_aead_class aes_gcm_aesni_class;
/* gcm_vaes_avx2.c: VAES + VPCLMULQDQ on ymm registers, many blocks per iteration. */
extern const tenon_aead_class aes_gcm_vaes_avx2_class;
/* gcm_vaes_avx2.c: its open, with the content-type scan's 256-byte groups (ct.h
 * ct_scan_groups) taken from each batch of plaintext as it is decrypted, the rest of the scan
 * (ct_last_nonzero_resume) after the tag is checked (only then are *pos and *found set). */
int gcm_vaes_avx2_open_last_nonzero(const tenon_aead_ctx *ctx, const uint8_t *nonce,
                                    size_t nonce_len, const uint8_t *aad, size_t aad_len,
                                    const uint8_t *in, size_t in_len, const uint8_t *tag,
                                    uint8_t *out, size_t *pos, uint32_t *found);
/* gcm_vaes_avx512.c: VAES + VPCLMULQDQ on zmm registers, CTR and GHASH stitched both ways. */
extern const tenon_aead_class aes_gcm_vaes_avx512_class;
/* gcm_vaes_avx512.c: its open, with the first pass of ct_last_nonzero's AVX-512 scan run on
 * each batch of plaintext as it is decrypted, the second after the tag is checked (only then
 * are *pos and *found set); for aead_open_last_nonzero. */
int gcm_v512_open_last_nonzero(const tenon_aead_ctx *ctx, const uint8_t *nonce, size_t nonce_len,
                               const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t in_len,
                               const uint8_t *tag, uint8_t *out, size_t *pos, uint32_t *found);
/* chacha20poly1305_avx2.c: multi-block AVX2 ChaCha20 with a MULX Poly1305 in the same pass. */
extern const tenon_aead_class chacha20poly1305_avx2mulx_class;
/* chacha20poly1305_avx2.c: multi-block AVX2 ChaCha20 and Poly1305. */
extern const tenon_aead_class chacha20poly1305_avx2_class;
/* chacha20poly1305_avx512.c: sixteen-block AVX-512F ChaCha20 and eight-lane Poly1305. */
extern const tenon_aead_class chacha20poly1305_avx512_class;
/* chacha20poly1305_avx512.c: the same ChaCha20 with the AVX-512 IFMA Poly1305. */
extern const tenon_aead_class chacha20poly1305_avx512ifma_class;
#endif

/* The gather seal (tenon_aead_seal_split) in every class: a seal core that reads the plaintext
 * from head for offsets below split and from out (in place) from split on. Its bulk loop works
 * in pieces that start at multiples of the class's unit; split is either a multiple of the
 * unit (so no piece straddles it) or the whole length (the one-shot seal: split = len). */

/* The argument checks of every seal_split before its staging writes to out. */
static inline int aead_split_check(const uint8_t *head, size_t head_len, const uint8_t *out,
                                   size_t total_len)
{
    ENSURE(head_len <= total_len, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(head != NULL || head_len == 0, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(out != NULL || total_len == 0, TENON_ERR_INVALID_ARGUMENT);
    return TENON_OK;
}

/* Where the piece at offset off of the plaintext is read from. */
static inline const uint8_t *aead_split_src(const uint8_t *head, size_t split, const uint8_t *out,
                                            size_t off)
{
    return off < split ? head + off : out + off;
}

/* The length of the piece at offset off: at most max, and not across split. */
static inline size_t aead_split_piece(size_t off, size_t split, size_t total, size_t max)
{
    size_t end = off < split ? split : total;
    return end - off < max ? end - off : max;
}

/* Prepares a split seal: copies the end of the head past its last whole unit to out, at the
 * same offset (at most unit - 1 bytes), so that everything from the returned split on is in
 * place. With head == out nothing moves and all of the plaintext is in place. */
static inline size_t aead_split_stage(const uint8_t *head, size_t head_len, uint8_t *out,
                                      size_t unit)
{
    if (head == out)
        return 0;
    size_t split = head_len - head_len % unit;
    if (head_len > split)
        memcpy(out + split, head + split, head_len - split);
    return split;
}

/* The two seal entry points of a class, seal_fn and seal_split_fn, over its seal core
 * core(ctx, nonce, nonce_len, aad, aad_len, head, split, out, len, tag), whose bulk unit is
 * unit. attr: the class's target attribute (or nothing). */
#define AEAD_SEAL_ENTRIES(attr, seal_fn, seal_split_fn, core, unit)                                \
    attr static int seal_fn(const tenon_aead_ctx *ctx, const uint8_t *nonce, size_t nonce_len,     \
                            const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t in_len,  \
                            uint8_t *out, uint8_t *tag)                                            \
    {                                                                                              \
        ENSURE(in_len == 0 || (in != NULL && out != NULL), TENON_ERR_INVALID_ARGUMENT);            \
        return core(ctx, nonce, nonce_len, aad, aad_len, in, in_len, out, in_len, tag);            \
    }                                                                                              \
    attr static int seal_split_fn(const tenon_aead_ctx *ctx, const uint8_t *nonce,                 \
                                  size_t nonce_len, const uint8_t *aad, size_t aad_len,            \
                                  const uint8_t *head, size_t head_len, uint8_t *out,              \
                                  size_t total_len, uint8_t *tag)                                  \
    {                                                                                              \
        GUARD(aead_split_check(head, head_len, out, total_len));                                   \
        size_t split = aead_split_stage(head, head_len, out, (unit));                              \
        return core(ctx, nonce, nonce_len, aad, aad_len, head, split, out, total_len, tag);        \
    }

#endif
