/*
 * Internal: the Poly1305 one-time authenticator (RFC 8439 §2.5).
 *
 * The accumulator and r live in radix 2^44 (three limbs of 44, 44 and 42 bits) so that a
 * product of limbs fits an unsigned __int128 with room for the sums. The AVX2 code converts to
 * radix 2^26 internally and hands the accumulator back in radix 2^44, so the two block
 * functions can be mixed freely on one context.
 *
 * Two layers:
 *   - block functions: whole 16-byte blocks, each with the 2^128 bit (what the AEAD of
 *     RFC 8439 §2.8 needs, since it pads everything to 16 bytes);
 *   - poly1305_update/poly1305_final: any message length, for the stand-alone MAC.
 */
#ifndef TENON_POLY1305_H
#define TENON_POLY1305_H

#include <stddef.h>
#include <stdint.h>

#include "../common.h"

#define POLY1305_KEY_LEN 32
#define POLY1305_TAG_LEN 16
#define POLY1305_BLOCK_LEN 16

typedef struct poly1305_ctx {
    uint64_t r[3]; /* clamped r, radix 2^44 */
    uint64_t h[3]; /* accumulator, radix 2^44, partially reduced */
    uint64_t s[2]; /* s as two little-endian 64-bit words */
    /* For the vector block functions: rpow[k] = r^(k+1) for k < 8 and rpow[8] = r^16, in radix
     * 2^26 (five 26-bit limbs each), computed on first use: rpow_ready = 1 when r^1..r^4 and
     * r^8 are there (AVX2), 2 when all are (AVX-512). rpow_ready depends only on message
     * lengths, never on secrets. */
    uint32_t rpow[9][5];
    int rpow_ready;
    /* For the IFMA block function: the same powers in radix 2^44, rpow44_ready = 1 once they
     * are there (again a function of lengths only). */
    uint64_t rpow44[9][3];
    int rpow44_ready;
    /* poly1305_update's pending partial block. */
    uint8_t buf[POLY1305_BLOCK_LEN];
    size_t buf_len;
} poly1305_ctx;

/* Processes nblocks whole 16-byte blocks (each with the 2^128 bit, RFC 8439 §2.5). */
typedef void (*poly1305_blocks_fn)(poly1305_ctx *ctx, const uint8_t *in, size_t nblocks);

/* Clamps r and stores r and s (RFC 8439 §2.5); the accumulator starts at 0. */
void poly1305_init(poly1305_ctx *ctx, const uint8_t key[32]);

void poly1305_blocks_portable(poly1305_ctx *ctx, const uint8_t *in, size_t nblocks);
#if TENON_X86_64
/* AVX2, eight blocks per step; call only when cpu_has(TENON_CPU_AVX2). Short inputs go to the
 * portable code. */
void poly1305_blocks_avx2(poly1305_ctx *ctx, const uint8_t *in, size_t nblocks);
/* AVX-512F, sixteen blocks per step; call only when cpu_has(TENON_CPU_AVX512F |
 * TENON_CPU_AVX2). Shorter inputs go to the AVX2 code. */
void poly1305_blocks_avx512(poly1305_ctx *ctx, const uint8_t *in, size_t nblocks);
/* AVX-512 IFMA, radix 2^44, sixteen blocks per step; call only when
 * cpu_has(TENON_CPU_AVX512F | TENON_CPU_AVX512IFMA). Short inputs go to the portable code. */
void poly1305_blocks_ifma(poly1305_ctx *ctx, const uint8_t *in, size_t nblocks);
/* The whole MAC input of the AEAD (RFC 8439 §2.8: aad, padding1, ciphertext, padding2 and the
 * two lengths) in one pass of the IFMA code, padding and lengths included, into a context
 * fresh from poly1305_init (its accumulator must still be 0); poly1305_final then gives the
 * tag. Returns 1, or 0 without touching ctx when the lengths do not suit it (a short message,
 * an AAD over 128 bytes), a decision made from the lengths alone. Same CPU needs as
 * poly1305_blocks_ifma. */
int poly1305_aead_ifma(poly1305_ctx *ctx, const uint8_t *aad, size_t aad_len, const uint8_t *ct,
                       size_t ct_len);
#endif

/* The accumulator and key in radix 2^64, for the scalar code stitched into the AVX2 ChaCha20
 * (chacha20_batch_mac_avx2): h = h[0] + h[1] 2^64 + h[2] 2^128 with h[2] <= 4 between blocks,
 * r = r0 + r1 2^64 and s1 = 5 (r1 / 4). */
typedef struct poly1305_r64 {
    uint64_t h[3];
    uint64_t r0, r1, s1;
} poly1305_r64;

/* A fresh p from the one-time key (RFC 8439 §2.5: r clamped, the accumulator 0), and s. For the
 * stitched AEAD, which needs no poly1305_ctx. */
void poly1305_r64_key(poly1305_r64 *p, uint64_t s[2], const uint8_t key[32]);
/* The tag from p (as the radix-2^64 code leaves it) and s: reduced modulo 2^130 - 5 in constant
 * time, s added modulo 2^128. Wipes p. */
void poly1305_r64_tag(poly1305_r64 *p, const uint64_t s[2], uint8_t tag[16]);
/* ctx's accumulator and r in radix 2^64, into p. */
void poly1305_to_r64(const poly1305_ctx *ctx, poly1305_r64 *p);
/* p's accumulator back into ctx (radix 2^44, partially reduced as mul44 leaves it). */
void poly1305_from_r64(poly1305_ctx *ctx, const poly1305_r64 *p);
#if TENON_X86_64
/* nblocks whole blocks (each with the 2^128 bit) into p, one at a time with MULX, the step the
 * stitched code uses (poly1305_mulx.h): what it leaves. Call only when cpu_has(TENON_CPU_BMI2). */
void poly1305_blocks_r64(poly1305_r64 *p, const uint8_t *in, size_t nblocks);
/* poly1305_blocks_r64 behind the block-function interface, the accumulator converted to radix
 * 2^64 and back on each call (for the tests: the stitched code's arithmetic against the
 * others). Same CPU needs. */
void poly1305_blocks_mulx(poly1305_ctx *ctx, const uint8_t *in, size_t nblocks);
#endif

/* Any length: buffers a partial block until more data or poly1305_final. */
void poly1305_update(poly1305_ctx *ctx, poly1305_blocks_fn blocks, const uint8_t *msg, size_t len);
/* Pads a pending partial block (RFC 8439 §2.5: the 0x01 byte, no 2^128 bit), reduces modulo
 * 2^130 - 5 in constant time, adds s and writes the tag. Wipes the context. */
void poly1305_final(poly1305_ctx *ctx, uint8_t tag[16]);

/* out = a * b mod 2^130 - 5 (partially reduced), radix 2^44; out may alias a or b. For the
 * AVX2 code's powers of r. */
void poly1305_mul44(uint64_t out[3], const uint64_t a[3], const uint64_t b[3]);
/* p[k] = r^(k+1) for k < 8 and p[8] = r^16, radix 2^44, partially reduced as mul44 leaves
 * them: the IFMA code's powers. */
void poly1305_powers44(uint64_t p[9][3], const uint64_t r[3]);

#endif
