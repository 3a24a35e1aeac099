/*
 * Internal: the pieces of GCM (SP 800-38D) shared by the three implementations.
 *
 * Representation of GF(2^128) used by every implementation here. SP 800-38D §6.3 numbers the
 * bits of a block from the most significant bit of its first byte (x^0) to the least
 * significant bit of its last byte (x^127). Read as a big-endian 128-bit integer, a block A
 * therefore has the coefficient of x^(127 - i) at integer bit i. Write y = 1/x: the integer,
 * read as a polynomial in y, is y^127 * a(1/y), and y is a root of the reciprocal modulus
 * P*(y) = y^128 + y^127 + y^126 + y^121 + 1. So an ordinary (non-reflected) carry-less product
 * of two such integers, reduced modulo P*, is a multiplication in the same field, up to a
 * constant power of x. We reduce by Montgomery's method (divide by y^128, which needs no shift of
 * the 256-bit product) and absorb the constant into the key: with H' = H * y (the integer H
 * shifted left by one, reduced), mont(A, H') = A * H' * y^-128 is exactly the GHASH product
 * A • H of §6.3 in this representation.
 *
 * Montgomery reduction of a 256-bit product W in two 64-bit steps: P* is 1 modulo y^64, so with
 * q the low 64 bits of W, W + q * P* is divisible by y^64, and
 *     (W + q * P*) / y^64 = W / y^64 + q * y^64 + q * (y^63 + y^62 + y^57).
 * The last term is the carry-less product of q by the constant 0xC200000000000000. Two such steps
 * divide by y^128 and leave 128 bits; no final subtraction is needed in characteristic 2.
 */
#ifndef TENON_GCM_H
#define TENON_GCM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../common.h"
#include "ct.h"
#include "tenon/crypto.h"

/* The low 64 bits of y^-64 * P* - y^64, as used by each reduction step (see above). */
#define GCM_RED_CONST 0xC200000000000000u

/* SP 800-38D §5.2.1.1: len(P) <= 2^39 - 256 bits, i.e. 2^36 - 32 bytes; len(A) and len(IV) at
 * most 2^64 - 1 bits (we stop at 2^61 - 1 bytes so that the bit length fits in 64 bits). */
#define GCM_MAX_TEXT_LEN (((uint64_t)1 << 36) - 32u)
#define GCM_MAX_AD_LEN (((uint64_t)1 << 61) - 1u)

static inline int gcm_check_key_len(size_t key_len)
{
    ENSURE(key_len == 16 || key_len == 24 || key_len == 32, TENON_ERR_BAD_KEY_LENGTH);
    return TENON_OK;
}

/* The argument checks shared by seal and open (tag is the tag written or read). */
static inline int gcm_check_args(const uint8_t *nonce, size_t nonce_len, const uint8_t *aad,
                                 size_t aad_len, const uint8_t *in, size_t in_len,
                                 const uint8_t *out, const uint8_t *tag)
{
    /* §5.2.1.1: 1 <= len(IV) <= 2^64 - 1 bits. */
    ENSURE(nonce_len >= 1 && (uint64_t)nonce_len <= GCM_MAX_AD_LEN, TENON_ERR_BAD_NONCE_LENGTH);
    ENSURE(nonce != NULL && tag != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(aad_len == 0 || aad != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE((uint64_t)aad_len <= GCM_MAX_AD_LEN, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(in_len == 0 || (in != NULL && out != NULL), TENON_ERR_INVALID_ARGUMENT);
    ENSURE((uint64_t)in_len <= GCM_MAX_TEXT_LEN, TENON_ERR_INVALID_ARGUMENT);
    return TENON_OK;
}

/* §7.1 step 5: the block [len(A)]_64 || [len(C)]_64, lengths in bits. */
static inline void gcm_length_block(uint8_t b[16], size_t aad_len, size_t text_len)
{
    store_be64(b, (uint64_t)aad_len << 3);
    store_be64(b + 8, (uint64_t)text_len << 3);
}

/* The len < 16 bytes at p as the low bytes of a block, the others zero, in two little-endian
 * words (w[0]: bytes 0..7). Read in pieces of 8, 4, 2 and 1 bytes by the bits of len (public):
 * the x86 classes' partial blocks, where a copy into a zeroed stack block read back whole would
 * wait for the store forwarding to fail (one wide load after several narrow stores). */
static inline void gcm_load_partial(uint64_t w[2], const uint8_t *p, size_t len)
{
    uint64_t lo = 0, v = 0;
    const size_t off = len & 8;
    unsigned sh = 0;
    if (len & 8)
        memcpy(&lo, p, 8);
    if (len & 4) {
        uint32_t t;
        memcpy(&t, p + off, 4);
        v = t;
        sh = 32;
    }
    if (len & 2) {
        uint16_t t;
        memcpy(&t, p + off + (len & 4), 2);
        v |= (uint64_t)t << sh;
        sh += 16;
    }
    if (len & 1)
        v |= (uint64_t)p[off + (len & 6)] << sh;
    w[0] = (len & 8) ? lo : v;
    w[1] = (len & 8) ? v : 0;
}

/* Stores the low len < 16 bytes of the block w (as gcm_load_partial's) at p, in the same
 * pieces. */
static inline void gcm_store_partial(uint8_t *p, const uint64_t w[2], size_t len)
{
    uint64_t v = w[0];
    const size_t off = len & 8;
    if (len & 8) {
        memcpy(p, &v, 8);
        v = w[1];
    }
    if (len & 4) {
        const uint32_t t = (uint32_t)v;
        memcpy(p + off, &t, 4);
        v >>= 32;
    }
    if (len & 2) {
        const uint16_t t = (uint16_t)v;
        memcpy(p + off + (len & 4), &t, 2);
        v >>= 16;
    }
    if (len & 1)
        p[off + (len & 6)] = (uint8_t)v;
}

/* A GHASH over len bytes, the last partial block padded with zeros (§6.4 over the padded
 * string). y is the running value in block (byte) form. */
typedef void (*gcm_ghash_fn)(const void *key, uint8_t y[16], const uint8_t *data, size_t len);

/* §7.1 step 2, the pre-counter block J0. A 96-bit IV gives IV || 0^31 || 1; any other length
 * gives GHASH_H(IV || 0^(s+64) || [len(IV)]_64), where the 0^s pads IV to a whole block. */
static inline void gcm_derive_j0(uint8_t j0[16], const uint8_t *nonce, size_t nonce_len,
                                 gcm_ghash_fn ghash, const void *key)
{
    if (nonce_len == 12) {
        memcpy(j0, nonce, 12);
        store_be32(j0 + 12, 1);
        return;
    }
    uint8_t lb[16] = {0};
    store_be64(lb + 8, (uint64_t)nonce_len << 3);
    memset(j0, 0, 16);
    ghash(key, j0, nonce, nonce_len);
    ghash(key, j0, lb, 16);
}

/* Keeps the len bytes at out when ok_mask is all ones and zeroes them when it is zero (open's
 * failure path, without a branch on the verdict). */
static inline void gcm_mask_output(uint8_t *out, size_t len, uint32_t ok_mask)
{
    uint8_t m = (uint8_t)ct_value_barrier_u32(ok_mask);
    for (size_t i = 0; i < len; i++)
        out[i] &= m;
}

/* Turns a tag comparison into the result of open: 0 when ok_mask is all ones,
 * TENON_ERR_AUTH_FAILED when it is zero. No branch on the verdict. */
static inline int gcm_open_result(uint32_t ok_mask)
{
    return (int)TENON_ERR_AUTH_FAILED & (int)~ok_mask;
}

/* The end of the VAES opens (§7.2 steps 7-8): the computed tag want against tag in constant
 * time, want wiped; on a mismatch the len bytes at out are zeroed. The verdict is public by
 * design (it is the result), so this failure path may branch on it (ct.h): a pass that masked
 * the output without a branch cost the successful open 10-20%. No unauthenticated plaintext
 * is released. */
static inline int gcm_open_verdict(uint8_t want[16], const uint8_t *tag, uint8_t *out, size_t len)
{
    uint32_t ok = ct_mask_memeq(want, tag, 16);
    tenon_wipe(want, 16);
    ct_declassify(&ok, sizeof ok);
    if (ok == 0)
        tenon_wipe(out, len);
    return gcm_open_result(ok);
}

/* ------------------------------------------------------------------------------------------
 * ghash_ct.c: portable constant-time GHASH (integer multiplications with holes).
 * ------------------------------------------------------------------------------------------ */

typedef struct ghash_ct_key {
    /* H' = H * y in the integer representation (hi, lo words), and the bit-reversed words
     * (and their XOR) that the upper halves of the 64x64 products use. */
    uint64_t h1, h0, h2;    /* h2 = h1 ^ h0, the Karatsuba middle operand */
    uint64_t rh1, rh0, rh2; /* bit reversals of the three */
} ghash_ct_key;

/* Prepares the key from H = E(K, 0^128) (§6.4), in block form. */
void ghash_ct_init(ghash_ct_key *k, const uint8_t h[16]);

/* y <- GHASH over data (len bytes, zero-padded to whole blocks), continuing from y (block
 * form). Matches gcm_ghash_fn with key = a ghash_ct_key. */
void ghash_ct_update(const void *key, uint8_t y[16], const uint8_t *data, size_t len);

/* ------------------------------------------------------------------------------------------
 * x86-64 (gcm_aesni.c, gcm_vaes_avx2.c): the shared key context.
 * ------------------------------------------------------------------------------------------ */
#if TENON_X86_64

/* Powers of H kept for the aggregated reduction: the 16 blocks of one VAES iteration (and 8 for
 * the SSE path, which uses the last 8 entries). */
#define GCM_X86_POWERS 16

typedef struct gcm_x86_key {
    /* AES encryption round keys, each stored twice (both 128-bit lanes) so that the VAES code
     * can use them as 256-bit memory operands; the SSE code reads the first 16 bytes. No
     * _Alignas: this struct lives in the caller's tenon_aead_ctx, which may sit at any 8-byte
     * aligned address (malloc), so every vector access to it is an unaligned one. */
    uint8_t rk[15][32];
    /* hpow[i] = H'^(16 - i) in the integer representation (as an __m128i: low qword = low 64
     * bits). Descending order, so that block j of an n-block group (0 first) takes
     * hpow[16 - n + j], and a 256-bit load at hpow[2m] gives the powers of two consecutive
     * blocks. */
    uint8_t hpow[GCM_X86_POWERS][16];
    /* hkar[i]: both qwords = the XOR of hpow[i]'s two qwords (Karatsuba middle operand). */
    uint8_t hkar[GCM_X86_POWERS][16];
    unsigned rounds;
} gcm_x86_key;

/* gcm_aesni.c: expands the AES key (aes_x86ni) and precomputes the powers of H. */
void gcm_x86_set_key(gcm_x86_key *k, const uint8_t *key, size_t key_len);

/* gcm_aesni.c: the init of every x86 class: checks the arguments, sets the key context up in
 * ctx->state and ctx->vtable to cls. */
int gcm_x86_init(tenon_aead_ctx *ctx, const tenon_aead_class *cls, const uint8_t *key,
                 size_t key_len);

#endif

#endif
