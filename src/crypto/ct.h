/*
 * Internal: constant-time helpers (STYLE.md 13).
 *
 * Masks are all-ones (true) or all-zeros (false). None of these branch or index memory on
 * their arguments; the compiler barrier in ct_value_barrier keeps optimisers from turning a
 * mask back into a branch.
 */
#ifndef TENON_CT_H
#define TENON_CT_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t ct_value_barrier_u32(uint32_t x)
{
    __asm__("" : "+r"(x));
    return x;
}

static inline uint64_t ct_value_barrier_u64(uint64_t x)
{
    __asm__("" : "+r"(x));
    return x;
}

/* 0xFFFFFFFF if x != 0, else 0. */
static inline uint32_t ct_mask_nonzero_u32(uint32_t x)
{
    return ct_value_barrier_u32((uint32_t)(0u - ((x | (0u - x)) >> 31)));
}

static inline uint32_t ct_mask_zero_u32(uint32_t x)
{
    return ~ct_mask_nonzero_u32(x);
}

static inline uint32_t ct_mask_eq_u32(uint32_t a, uint32_t b)
{
    return ct_mask_zero_u32(a ^ b);
}

/* 0xFFFFFFFF if a < b (unsigned), else 0. */
static inline uint32_t ct_mask_lt_u32(uint32_t a, uint32_t b)
{
    uint32_t r = a ^ ((a ^ b) | ((a - b) ^ a));
    return ct_value_barrier_u32((uint32_t)(0u - (r >> 31)));
}

static inline uint32_t ct_mask_ge_u32(uint32_t a, uint32_t b)
{
    return ~ct_mask_lt_u32(a, b);
}

static inline uint64_t ct_mask_nonzero_u64(uint64_t x)
{
    return ct_value_barrier_u64((uint64_t)0 - ((x | ((uint64_t)0 - x)) >> 63));
}

static inline uint64_t ct_mask_eq_u64(uint64_t a, uint64_t b)
{
    return ~ct_mask_nonzero_u64(a ^ b);
}

/* mask ? a : b */
static inline uint32_t ct_select_u32(uint32_t mask, uint32_t a, uint32_t b)
{
    return b ^ (mask & (a ^ b));
}

static inline uint64_t ct_select_u64(uint64_t mask, uint64_t a, uint64_t b)
{
    return b ^ (mask & (a ^ b));
}

static inline uint8_t ct_select_u8(uint32_t mask, uint8_t a, uint8_t b)
{
    return (uint8_t)(b ^ ((uint8_t)mask & (a ^ b)));
}

/* If mask, copy len bytes from src to dst; otherwise leave dst as it is. */
static inline void ct_cond_copy(uint32_t mask, uint8_t *dst, const uint8_t *src, size_t len)
{
    uint8_t m = (uint8_t)ct_value_barrier_u32(mask);
    for (size_t i = 0; i < len; i++)
        dst[i] = (uint8_t)(dst[i] ^ (m & (dst[i] ^ src[i])));
}

/* 0xFFFFFFFF if the buffers are equal, else 0. */
static inline uint32_t ct_mask_memeq(const void *a, const void *b, size_t len)
{
    const uint8_t *pa = a, *pb = b;
    uint32_t acc = 0;
    for (size_t i = 0; i < len; i++)
        acc |= (uint32_t)(pa[i] ^ pb[i]);
    return ct_mask_zero_u32(acc);
}

/*
 * Declassification for the constant-flow tests. A few values are computed from secrets but are
 * public by design — an AEAD verdict, a signature once it is checked — and the code branches on
 * them. ct_declassify() tells valgrind memcheck (tests/ct_*.c mark secrets undefined) that such a
 * value is public; outside valgrind the client request is a handful of no-op instructions, and
 * without valgrind's header at build time it is nothing. Every use says why the value is public.
 */
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define ct_declassify(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#endif
#endif
#ifndef ct_declassify
#define ct_declassify(p, n) ((void)(p), (void)(n))
#endif

/* Big- and little-endian loads and stores (public data and secrets alike: no branches). */
static inline uint32_t load_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline void store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline uint64_t load_be64(const uint8_t *p)
{
    return ((uint64_t)load_be32(p) << 32) | load_be32(p + 4);
}

static inline void store_be64(uint8_t *p, uint64_t v)
{
    store_be32(p, (uint32_t)(v >> 32));
    store_be32(p + 4, (uint32_t)v);
}

static inline uint32_t load_le32(const uint8_t *p)
{
    return ((uint32_t)p[3] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[1] << 8) | p[0];
}

static inline void store_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline uint64_t load_le64(const uint8_t *p)
{
    return ((uint64_t)load_le32(p + 4) << 32) | load_le32(p);
}

static inline void store_le64(uint8_t *p, uint64_t v)
{
    store_le32(p, (uint32_t)v);
    store_le32(p + 4, (uint32_t)(v >> 32));
}

/* The position of the last non-zero byte of p[0..len) (ct_scan.c), every byte read whatever
 * the values; *found is all-ones if there is one (the position is then meaningful), else 0.
 * The position is returned declassified, and so are floor(pos / 1024) and floor(pos / 256) on
 * the way with AVX2 (without it floor(pos / 64) and floor(pos / 8) instead of the second;
 * floor(pos / 256) alone on the AVX-512BW path and in ct_last_nonzero_resume): for callers that make it
 * public anyway (TLS 1.3's content type, RFC 8446 §5.4), whose concern is that the time not tell
 * how many zero bytes follow it. */
size_t ct_last_nonzero(const uint8_t *p, size_t len, uint32_t *found);

/* A scan by 256-byte groups done elsewhere (as AES-GCM/VAES-AVX2 decrypts, on each batch's
 * plaintext in registers): groups 0 .. groups - 1 were ORed; last is the last that was not all
 * zero (0 if none), any is all-ones if one was. Both secret; update them with masks only. */
typedef struct {
    uint32_t groups, last;
    uint64_t any;
} ct_scan_groups;

/* ct_last_nonzero's result for p[0..len) from a scan s of its first s->groups 256-byte groups:
 * the rest is scanned here, then floor(pos / 256) is declassified and that group refined. */
size_t ct_last_nonzero_resume(const uint8_t *p, size_t len, const ct_scan_groups *s,
                              uint32_t *found);

/* tenon_aead_open (aead.c), then, only if it succeeds, *pos = ct_last_nonzero(out, in_len,
 * found) with the same contract; where the class allows it (AES-GCM with VAES on AVX-512BW) the
 * scan's first pass runs on the plaintext as it is decrypted, while it is still in registers. */
struct tenon_aead_ctx;
int aead_open_last_nonzero(const struct tenon_aead_ctx *ctx, const uint8_t *nonce, size_t nonce_len,
                           const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t in_len,
                           const uint8_t *tag, uint8_t *out, size_t *pos, uint32_t *found);

#endif
