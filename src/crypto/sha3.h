/*
 * Internal: SHA-3 and SHAKE (FIPS 202), the hash functions ML-KEM is built on.
 *
 * One context type serves all four functions; they differ only in the rate (the bytes of the
 * 1600-bit state that input enters and output leaves by) and the domain-separation bits
 * appended before the padding. A context absorbs any number of pieces, then squeezes any number
 * of pieces (SHAKE) or one digest (SHA3); absorbing after the first squeeze is not allowed.
 *
 * The state is 25 64-bit lanes, lane x + 5y as in FIPS 202 §3.1.2, each lane little-endian in
 * the byte string (§B.1): a later accelerated (4-way AVX2) Keccak can load them as they are.
 */
#ifndef TENON_SHA3_H
#define TENON_SHA3_H

#include <stddef.h>
#include <stdint.h>

#include "../common.h"

#define SHA3_256_LEN 32
#define SHA3_512_LEN 64
#define SHAKE128_RATE 168
#define SHAKE256_RATE 136
#define SHA3_256_RATE 136
#define SHA3_512_RATE 72

typedef struct sha3_ctx {
    uint64_t st[25];
    unsigned rate;  /* bytes */
    unsigned pos;   /* absorbing: bytes taken into the current block; squeezing: bytes
                       of the current block already given out */
    uint8_t suffix; /* the domain bits and the first padding bit: 0x06 SHA3, 0x1f SHAKE */
    uint8_t squeezing;
} sha3_ctx;

/* FIPS 202 §3.3 Keccak-p[1600, 24] on the state (lanes as above). */
void keccak_f1600(uint64_t st[25]);
/* FIPS 202 §3.2.5: the round constants of iota. */
extern const uint64_t keccak_rc[24];

/*
 * Four Keccak states side by side, for the AVX2 permutation that runs them at once (ML-KEM's
 * matrix expansion and noise sampling hash many short inputs of equal length). Lane i of
 * instance j is st[4 i + j], so one 256-bit load gets lane i of all four.
 */
typedef struct keccak_x4 {
    uint64_t st[4 * 25];
} keccak_x4;

/* Starts four sponges of the given rate (SHAKE128_RATE or SHAKE256_RATE; SHAKE's domain bits)
 * on four inputs of the same length, in_len < rate, and pads them: ready to squeeze. */
void keccak_x4_absorb_shake(keccak_x4 *s, unsigned rate, const uint8_t *const in[4], size_t in_len);
#if TENON_X86_64
/* The next nblocks blocks (rate bytes each) of the four sponges into out[0..3] (AVX2: call
 * only when cpu_has(TENON_CPU_AVX2)). Every block starts with a permutation. */
void keccak_x4_squeeze_blocks_avx2(keccak_x4 *s, unsigned rate, uint8_t *const out[4],
                                   size_t nblocks);
#endif

void sha3_256_init(sha3_ctx *ctx);
void sha3_512_init(sha3_ctx *ctx);
void shake128_init(sha3_ctx *ctx);
void shake256_init(sha3_ctx *ctx);

void sha3_absorb(sha3_ctx *ctx, const void *data, size_t len);
/* SHAKE: the next len bytes of output (the first call pads). */
void sha3_squeeze(sha3_ctx *ctx, uint8_t *out, size_t len);
/* SHAKE: the next nblocks whole blocks of output (rate bytes each). Only at a block boundary:
 * right after the absorbing phase, or after earlier whole blocks. */
void shake_squeeze_blocks(sha3_ctx *ctx, uint8_t *out, size_t nblocks);
/* SHA3-256 / SHA3-512: the digest (32 / 64 bytes); the context is wiped. */
void sha3_final(sha3_ctx *ctx, uint8_t *out);

/* Wipes the context (it holds secrets when the input did). */
void sha3_wipe(sha3_ctx *ctx);

/* One-shot forms. */
void sha3_256(uint8_t out[SHA3_256_LEN], const void *in, size_t len);
void sha3_512(uint8_t out[SHA3_512_LEN], const void *in, size_t len);
void shake128(uint8_t *out, size_t out_len, const void *in, size_t len);
void shake256(uint8_t *out, size_t out_len, const void *in, size_t len);

#endif
