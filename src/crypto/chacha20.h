/*
 * Internal: the ChaCha20 stream cipher (RFC 8439 §2.3-§2.4).
 *
 * Every implementation XORs the keystream for (key, nonce) starting at block `counter` into
 * `len` bytes of `in`, writing `out` (out == in allowed, no other overlap). The block counter
 * is the 32-bit word 12 of the state and wraps modulo 2^32, as in RFC 8439 §2.3; callers that
 * must not wrap (the AEAD) limit the length themselves. All implementations give identical
 * output and run in time that depends only on len.
 */
#ifndef TENON_CHACHA20_H
#define TENON_CHACHA20_H

#include <stddef.h>
#include <stdint.h>

#include "../common.h"
#include "ct.h"
#include "poly1305.h"
#include "tenon/crypto.h"

#define CHACHA20_KEY_LEN 32
#define CHACHA20_NONCE_LEN 12
#define CHACHA20_BLOCK_LEN 64

/* RFC 8439 §2.3: the initial state is constants | key | counter | nonce, read as
 * little-endian 32-bit words. */
static inline void chacha20_setup(uint32_t st[16], const uint8_t key[32], const uint8_t nonce[12],
                                  uint32_t counter)
{
    st[0] = 0x61707865u; /* "expa" */
    st[1] = 0x3320646eu; /* "nd 3" */
    st[2] = 0x79622d32u; /* "2-by" */
    st[3] = 0x6b206574u; /* "te k" */
    for (int i = 0; i < 8; i++)
        st[4 + i] = load_le32(key + 4 * i);
    st[12] = counter;
    st[13] = load_le32(nonce);
    st[14] = load_le32(nonce + 4);
    st[15] = load_le32(nonce + 8);
}

#define ROTL32(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

/* RFC 8439 §2.1: the quarter round on four state words. */
#define QUARTERROUND(a, b, c, d)                                                                   \
    do {                                                                                           \
        a += b;                                                                                    \
        d ^= a;                                                                                    \
        d = ROTL32(d, 16);                                                                         \
        c += d;                                                                                    \
        b ^= c;                                                                                    \
        b = ROTL32(b, 12);                                                                         \
        a += b;                                                                                    \
        d ^= a;                                                                                    \
        d = ROTL32(d, 8);                                                                          \
        c += d;                                                                                    \
        b ^= c;                                                                                    \
        b = ROTL32(b, 7);                                                                          \
    } while (0)

/* One keystream block (RFC 8439 §2.3): the 20-round permutation of st plus st, serialised. */
void chacha20_block_portable(const uint32_t st[16], uint8_t out[64]);

/* Portable C, one block at a time. */
void chacha20_xor_portable(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter,
                           const uint8_t *in, uint8_t *out, size_t len);

/* The first 32 bytes of keystream block 0, the Poly1305 key of RFC 8439 §2.6. */
static inline void chacha20_otk_portable(const uint8_t key[32], const uint8_t nonce[12],
                                         uint8_t otk[32])
{
    uint32_t st[16];
    uint8_t b0[CHACHA20_BLOCK_LEN];
    chacha20_setup(st, key, nonce, 0);
    chacha20_block_portable(st, b0);
    memcpy(otk, b0, 32);
    tenon_wipe(st, sizeof st);
    tenon_wipe(b0, sizeof b0);
}

/* The chacha20_xor of every implementation from counter 1 that also writes the one-time
 * Poly1305 key (the first 32 bytes of keystream block 0) to otk: what the AEAD calls. Its input
 * has two parts, as a gather seal's plaintext: the bytes before split (a multiple of 64) are
 * read from head, the rest from in at the same offsets (in + split on; in may be out). The
 * AVX-512 one computes block 0 alongside its first batch and takes a batch across the split
 * through a buffer; the others are block 0 and their chacha20_xor on each part. */
void chacha20_xor_portable_otk(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *head,
                               size_t split, const uint8_t *in, uint8_t *out, size_t len,
                               uint8_t otk[32]);

/* Bytes off..off+n of an *_otk input in two parts (before split at head, the rest at in) to
 * buf. */
static inline void chacha20_gather(uint8_t *buf, const uint8_t *head, size_t split,
                                   const uint8_t *in, size_t off, size_t n)
{
    size_t h = split > off ? split - off : 0;
    h = h < n ? h : n;
    if (h > 0)
        memcpy(buf, head + off, h);
    if (n > h)
        memcpy(buf + h, in + off + h, n - h);
}

/* A vector implementation's batch: `nblocks` (at most 16) keystream blocks from the counter in
 * st[12] on, XORed from in to out. */
typedef void (*chacha20_batch_fn)(const uint32_t st[16], const uint8_t *in, uint8_t *out);

/* The loop of the vector implementations from the state st on: whole batches, a partial batch
 * through a buffer (a batch costs about as much as two or three scalar blocks), a last single
 * block with the portable code. Wipes st. */
static inline __attribute__((always_inline)) void
chacha20_xor_batches(uint32_t st[16], const uint8_t *in, uint8_t *out, size_t len,
                     chacha20_batch_fn batch, unsigned nblocks)
{
    const size_t batch_len = (size_t)nblocks * CHACHA20_BLOCK_LEN;
    while (len >= batch_len) {
        batch(st, in, out);
        st[12] += nblocks;
        in += batch_len;
        out += batch_len;
        len -= batch_len;
    }
    if (len > CHACHA20_BLOCK_LEN) {
        uint8_t buf[16 * CHACHA20_BLOCK_LEN];
        memcpy(buf, in, len);
        batch(st, buf, buf);
        memcpy(out, buf, len);
        tenon_wipe(buf, batch_len);
    } else if (len > 0) {
        uint8_t ks[CHACHA20_BLOCK_LEN];
        chacha20_block_portable(st, ks);
        for (size_t i = 0; i < len; i++)
            out[i] = (uint8_t)(in[i] ^ ks[i]);
        tenon_wipe(ks, sizeof ks);
    }
    tenon_wipe(st, 16 * sizeof st[0]);
}

#if TENON_X86_64
/* AVX2, eight blocks per iteration; call only when cpu_has(TENON_CPU_AVX2). */
void chacha20_xor_avx2(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter,
                       const uint8_t *in, uint8_t *out, size_t len);
void chacha20_xor_avx2_otk(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *head,
                           size_t split, const uint8_t *in, uint8_t *out, size_t len,
                           uint8_t otk[32]);
/* The tail of chacha20_xor_avx2_otk: block 0's first 32 bytes to otk and bytes off..len
 * (off a multiple of 512, len - off < 512) of its output to dst[0 .. len - off), the input
 * read as there (at offsets off..len: head before split, in from split on). */
void chacha20_xor_avx2_otk_tail(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *head,
                                size_t split, const uint8_t *in, uint8_t *dst, size_t off,
                                size_t len, uint8_t otk[32]);
/* For the stitched AEAD (chacha20poly1305.c): one batch of eight keystream blocks from the
 * counter in st[12] on, XORed from in (512 bytes) to out, with nmac (0, or a multiple of 4 up to
 * 32) Poly1305 blocks at mac absorbed into p alongside, in radix 2^64 on the general-purpose
 * registers while the vector units run ChaCha20. The MAC reads all of its blocks before the
 * batch writes out, so mac may overlap in (open, in place too). Call only when
 * cpu_has(TENON_CPU_AVX2 | TENON_CPU_BMI2). */
void chacha20_batch_mac_avx2(const uint32_t st[16], const uint8_t *in, uint8_t *out,
                             poly1305_r64 *p, const uint8_t *mac, size_t nmac);
/* For the stitched seal's first batch: the keystream blocks of counters st[12] .. st[12] + 7,
 * the first (the one-time key's block, st[12] = 0) raw to ks0 and the other seven XORed from in
 * (448 bytes) to out (in == out allowed). Call only when cpu_has(TENON_CPU_AVX2). */
void chacha20_batch_otk_avx2(const uint32_t st[16], const uint8_t *in, uint8_t *out,
                             uint8_t ks0[64]);
/* The same for four blocks (n <= 256 bytes of buf, in place) in the row layout, with any nmac.
 * Same CPU needs. */
void chacha20_rows_mac_avx2(const uint32_t st[16], uint8_t *buf, size_t n, poly1305_r64 *p,
                            const uint8_t *mac, size_t nmac);
/* AVX-512F, sixteen blocks per iteration; call only when cpu_has(TENON_CPU_AVX512F). */
void chacha20_xor_avx512(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter,
                         const uint8_t *in, uint8_t *out, size_t len);
/* chacha20_xor_avx512 from counter 1, also writing the first 32 bytes of keystream block 0
 * (the Poly1305 key of RFC 8439 §2.6) to otk: block 0 is computed with scalar instructions in
 * the first sixteen-block batch, on execution ports the vector code leaves idle. */
void chacha20_xor_avx512_otk(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *head,
                             size_t split, const uint8_t *in, uint8_t *out, size_t len,
                             uint8_t otk[32]);
#endif

#endif
