/*
 * Internal: the SHA-2 implementation lists.
 *
 * The classes tenon_sha256 and tenon_sha512/tenon_sha384 buffer partial blocks and pad; an
 * implementation only compresses whole blocks. Each family has several (portable C; the same
 * C compiled for BMI2; SHA-NI for SHA-256; a vector message schedule for SHA-512); the class
 * picks the fastest one that
 * tenon_cpu_features() allows at each update and final, so tenon_cpu_set_mask(0) takes effect
 * at once. Tests reach every implementation through the *_all_impls lists and the *_with
 * functions. (SHA-1 has only its portable code, in sha1.c.)
 */
#ifndef TENON_SHA2_H
#define TENON_SHA2_H

#include <stddef.h>
#include <stdint.h>

#include "../common.h"
#include "tenon/crypto.h"

/* FIPS 180-4 §4.2.2: the 64 SHA-256 round constants (16-byte aligned for vector loads). */
extern const uint32_t sha256_k[64];

typedef struct sha256_impl {
    const char *name;   /* "portable", "x86-bmi2", "x86-shani" */
    uint32_t cpu_needs; /* TENON_CPU_* bits it requires */
    /* Compresses nblocks consecutive 64-byte blocks at p (any alignment) into h. */
    void (*blocks)(uint32_t h[8], const uint8_t *p, size_t nblocks);
    /* Optional (NULL where absent): one 64-byte block into each of two independent states,
     * computed side by side (ha and hb distinct). */
    void (*block2)(uint32_t ha[8], const uint8_t *pa, uint32_t hb[8], const uint8_t *pb);
} sha256_impl;

extern const sha256_impl sha256_portable_impl;
#if TENON_X86_64
extern const sha256_impl sha256_x86shani_impl;
extern const sha256_impl sha256_x86bmi2_impl; /* the portable rounds compiled for BMI2 */
#endif

/* Every compiled-in implementation, fastest first, NULL-terminated (including those whose CPU
 * features are missing: check cpu_needs with cpu_has()). */
extern const sha256_impl *const sha256_all_impls[];

/* The fastest implementation that tenon_cpu_features() allows. */
const sha256_impl *sha256_best_impl(void);

/* The tenon_sha256 class operations with a given implementation (the class's own update and
 * final are these with sha256_best_impl()). ctx must have been initialised by
 * tenon_sha256.init. */
void sha256_update_with(const sha256_impl *impl, tenon_sha256_ctx *ctx, const void *data,
                        size_t len);
void sha256_final_with(const sha256_impl *impl, const tenon_sha256_ctx *ctx,
                       uint8_t out[TENON_SHA256_LEN]);
/* The digest of ctx's message followed by tail, ctx unchanged: the bytes ctx holds unhashed
 * (count mod 64) plus tail_len must be at most SHA256_TAIL_MAX (they fit the two-block padding
 * area). */
#define SHA256_TAIL_MAX 119
void sha256_final_tail_with(const sha256_impl *impl, const tenon_sha256_ctx *ctx, const void *tail,
                            size_t tail_len, uint8_t out[TENON_SHA256_LEN]);

/* FIPS 180-4 §4.2.3: the 80 SHA-384/512 round constants (16-byte aligned). */
extern const uint64_t sha512_k[80];

/* SHA-512 (and SHA-384, which shares its context and compression function) has the same
 * kind of list: the portable C rounds, and on x86-64 the same rounds compiled for BMI2 and a
 * variant whose message schedule runs in vector registers. */
typedef struct sha512_impl {
    const char *name;
    uint32_t cpu_needs;
    /* Compresses nblocks consecutive 128-byte blocks at p (any alignment) into h. */
    void (*blocks)(uint64_t h[8], const uint8_t *p, size_t nblocks);
} sha512_impl;

extern const sha512_impl sha512_portable_impl;
#if TENON_X86_64
extern const sha512_impl sha512_x86bmi2_impl;
extern const sha512_impl sha512_x86avx_impl; /* vector message schedule, RORX rounds */
/* the same with two blocks' schedules at once in 256-bit registers */
extern const sha512_impl sha512_x86avx2_impl;
/* four blocks' schedules at once in 512-bit registers, with VPRORQ and VPTERNLOGQ */
extern const sha512_impl sha512_x86avx512_impl;
/* four blocks' schedules at once in 256-bit registers, one word of each block per lane */
extern const sha512_impl sha512_x86avx2x4_impl;
#endif
extern const sha512_impl *const sha512_all_impls[];
const sha512_impl *sha512_best_impl(void);

/* The update and final of tenon_sha512 and tenon_sha384 with a given implementation; ctx was
 * initialised by either class, and out_len is its digest length (64 or 48). */
void sha512_update_with(const sha512_impl *impl, tenon_sha512_ctx *ctx, const void *data,
                        size_t len);
void sha512_final_with(const sha512_impl *impl, const tenon_sha512_ctx *ctx, uint8_t *out,
                       size_t out_len);

#endif
