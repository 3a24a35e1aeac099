/*
 * SHA-3 and SHAKE (FIPS 202): the Keccak-p[1600, 24] permutation and the sponge around it.
 *
 * The permutation is written as the five step mappings of FIPS 202 §3.2 over an array of 25
 * lanes, with loops whose bounds are constants so the compiler unrolls them and keeps the lanes
 * in registers. Nothing here branches on or indexes by the data: the sponge's branches depend
 * only on lengths.
 */
#include "sha3.h"

#include "../common.h"
#include "ct.h"
#include "tenon/crypto.h"

/* FIPS 202 §3.2.5: the iota round constants RC[ir] (computed from the rc(t) LFSR). */
static const uint64_t keccak_rc[24] = {
    0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808aull, 0x8000000080008000ull,
    0x000000000000808bull, 0x0000000080000001ull, 0x8000000080008081ull, 0x8000000000008009ull,
    0x000000000000008aull, 0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000aull,
    0x000000008000808bull, 0x800000000000008bull, 0x8000000000008089ull, 0x8000000000008003ull,
    0x8000000000008002ull, 0x8000000000000080ull, 0x000000000000800aull, 0x800000008000000aull,
    0x8000000080008081ull, 0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull,
};

/* FIPS 202 §3.2.2 rho rotates lane x + 5y by
 *     0  1 62 28 27 | 36 44  6 55 20 |  3 10 43 25 39 | 41 45 15 21  8 | 18  2 61 56 14
 * and §3.2.3 pi sets A'[x, y] = A[(x + 3y) mod 5, x], so destination lane i takes source lane
 *     0  6 12 18 24 |  3  9 10 16 22 |  1  7 13 19 20 |  4  5 11 17 23 |  2  8 14 15 21.
 * KECCAK_ROUND below is written out from these two tables. */
static inline uint64_t rol64(uint64_t x, unsigned n)
{
    return (x << (n & 63)) | (x >> ((64 - n) & 63));
}

/* One round, the five step mappings of FIPS 202 §3.2 on 25 named lanes (a0..a24 = lane x + 5y)
 * so they can live in registers: theta (c, d: the column parities), rho and pi together (the pi
 * source of lane i, rotated by its rho offset, becomes b_i), chi along each row back into a, and
 * iota. */
#define KECCAK_ROUND(rc)                                                                           \
    do {                                                                                           \
        c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20;                                                            \
        c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21;                                                            \
        c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;                                                            \
        c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23;                                                            \
        c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;                                                            \
        d0 = c4 ^ rol64(c1, 1);                                                                    \
        d1 = c0 ^ rol64(c2, 1);                                                                    \
        d2 = c1 ^ rol64(c3, 1);                                                                    \
        d3 = c2 ^ rol64(c4, 1);                                                                    \
        d4 = c3 ^ rol64(c0, 1);                                                                    \
        b0 = a0 ^ d0;                                                                              \
        b1 = rol64(a6 ^ d1, 44);                                                                   \
        b2 = rol64(a12 ^ d2, 43);                                                                  \
        b3 = rol64(a18 ^ d3, 21);                                                                  \
        b4 = rol64(a24 ^ d4, 14);                                                                  \
        b5 = rol64(a3 ^ d3, 28);                                                                   \
        b6 = rol64(a9 ^ d4, 20);                                                                   \
        b7 = rol64(a10 ^ d0, 3);                                                                   \
        b8 = rol64(a16 ^ d1, 45);                                                                  \
        b9 = rol64(a22 ^ d2, 61);                                                                  \
        b10 = rol64(a1 ^ d1, 1);                                                                   \
        b11 = rol64(a7 ^ d2, 6);                                                                   \
        b12 = rol64(a13 ^ d3, 25);                                                                 \
        b13 = rol64(a19 ^ d4, 8);                                                                  \
        b14 = rol64(a20 ^ d0, 18);                                                                 \
        b15 = rol64(a4 ^ d4, 27);                                                                  \
        b16 = rol64(a5 ^ d0, 36);                                                                  \
        b17 = rol64(a11 ^ d1, 10);                                                                 \
        b18 = rol64(a17 ^ d2, 15);                                                                 \
        b19 = rol64(a23 ^ d3, 56);                                                                 \
        b20 = rol64(a2 ^ d2, 62);                                                                  \
        b21 = rol64(a8 ^ d3, 55);                                                                  \
        b22 = rol64(a14 ^ d4, 39);                                                                 \
        b23 = rol64(a15 ^ d0, 41);                                                                 \
        b24 = rol64(a21 ^ d1, 2);                                                                  \
        a0 = b0 ^ (~b1 & b2);                                                                      \
        a1 = b1 ^ (~b2 & b3);                                                                      \
        a2 = b2 ^ (~b3 & b4);                                                                      \
        a3 = b3 ^ (~b4 & b0);                                                                      \
        a4 = b4 ^ (~b0 & b1);                                                                      \
        a5 = b5 ^ (~b6 & b7);                                                                      \
        a6 = b6 ^ (~b7 & b8);                                                                      \
        a7 = b7 ^ (~b8 & b9);                                                                      \
        a8 = b8 ^ (~b9 & b5);                                                                      \
        a9 = b9 ^ (~b5 & b6);                                                                      \
        a10 = b10 ^ (~b11 & b12);                                                                  \
        a11 = b11 ^ (~b12 & b13);                                                                  \
        a12 = b12 ^ (~b13 & b14);                                                                  \
        a13 = b13 ^ (~b14 & b10);                                                                  \
        a14 = b14 ^ (~b10 & b11);                                                                  \
        a15 = b15 ^ (~b16 & b17);                                                                  \
        a16 = b16 ^ (~b17 & b18);                                                                  \
        a17 = b17 ^ (~b18 & b19);                                                                  \
        a18 = b18 ^ (~b19 & b15);                                                                  \
        a19 = b19 ^ (~b15 & b16);                                                                  \
        a20 = b20 ^ (~b21 & b22);                                                                  \
        a21 = b21 ^ (~b22 & b23);                                                                  \
        a22 = b22 ^ (~b23 & b24);                                                                  \
        a23 = b23 ^ (~b24 & b20);                                                                  \
        a24 = b24 ^ (~b20 & b21);                                                                  \
        a0 ^= (rc);                                                                                \
    } while (0)

void keccak_f1600(uint64_t st[25])
{
    uint64_t a0 = st[0], a1 = st[1], a2 = st[2], a3 = st[3], a4 = st[4], a5 = st[5], a6 = st[6],
             a7 = st[7], a8 = st[8], a9 = st[9], a10 = st[10], a11 = st[11], a12 = st[12],
             a13 = st[13], a14 = st[14], a15 = st[15], a16 = st[16], a17 = st[17], a18 = st[18],
             a19 = st[19], a20 = st[20], a21 = st[21], a22 = st[22], a23 = st[23], a24 = st[24];
    uint64_t b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15, b16, b17, b18,
        b19, b20, b21, b22, b23, b24;
    uint64_t c0, c1, c2, c3, c4, d0, d1, d2, d3, d4;
    for (int round = 0; round < 24; round++)
        KECCAK_ROUND(keccak_rc[round]);
    st[0] = a0;
    st[1] = a1;
    st[2] = a2;
    st[3] = a3;
    st[4] = a4;
    st[5] = a5;
    st[6] = a6;
    st[7] = a7;
    st[8] = a8;
    st[9] = a9;
    st[10] = a10;
    st[11] = a11;
    st[12] = a12;
    st[13] = a13;
    st[14] = a14;
    st[15] = a15;
    st[16] = a16;
    st[17] = a17;
    st[18] = a18;
    st[19] = a19;
    st[20] = a20;
    st[21] = a21;
    st[22] = a22;
    st[23] = a23;
    st[24] = a24;
}

static void sha3_init(sha3_ctx *ctx, unsigned rate, uint8_t suffix)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->rate = rate;
    ctx->suffix = suffix;
}

/* FIPS 202 §6.1: SHA3-d appends the bits 01 to the message; §6.2: SHAKE appends 1111. With the
 * first bit of pad10*1 after them, and bits numbered from the least significant of each byte
 * (§B.1), that is the byte 0x06 for SHA-3 and 0x1f for SHAKE. */
void sha3_256_init(sha3_ctx *ctx)
{
    sha3_init(ctx, SHA3_256_RATE, 0x06);
}

void sha3_512_init(sha3_ctx *ctx)
{
    sha3_init(ctx, SHA3_512_RATE, 0x06);
}

void shake128_init(sha3_ctx *ctx)
{
    sha3_init(ctx, SHAKE128_RATE, 0x1f);
}

void shake256_init(sha3_ctx *ctx)
{
    sha3_init(ctx, SHAKE256_RATE, 0x1f);
}

static inline void xor_byte(uint64_t st[25], unsigned i, uint8_t v)
{
    st[i / 8] ^= (uint64_t)v << (8 * (i % 8));
}

static inline uint8_t get_byte(const uint64_t st[25], unsigned i)
{
    return (uint8_t)(st[i / 8] >> (8 * (i % 8)));
}

void sha3_absorb(sha3_ctx *ctx, const void *data, size_t len)
{
    const uint8_t *p = data;
    unsigned rate = ctx->rate;
    /* Finish a partial block first. */
    while (len > 0 && ctx->pos != 0) {
        xor_byte(ctx->st, ctx->pos++, *p++);
        len--;
        if (ctx->pos == rate) {
            keccak_f1600(ctx->st);
            ctx->pos = 0;
        }
    }
    /* Whole blocks a lane at a time. */
    while (len >= rate) {
        for (unsigned i = 0; i < rate / 8; i++)
            ctx->st[i] ^= load_le64(p + 8 * i);
        keccak_f1600(ctx->st);
        p += rate;
        len -= rate;
    }
    while (len > 0) {
        xor_byte(ctx->st, ctx->pos++, *p++);
        len--;
    }
}

/* FIPS 202 §5.1 pad10*1 after the suffix bits, then the first permutation of the squeezing
 * phase. */
static void sha3_pad(sha3_ctx *ctx)
{
    xor_byte(ctx->st, ctx->pos, ctx->suffix);
    xor_byte(ctx->st, ctx->rate - 1, 0x80);
    keccak_f1600(ctx->st);
    ctx->pos = 0;
    ctx->squeezing = 1;
}

void sha3_squeeze(sha3_ctx *ctx, uint8_t *out, size_t len)
{
    if (!ctx->squeezing)
        sha3_pad(ctx);
    unsigned rate = ctx->rate;
    while (len > 0) {
        if (ctx->pos == rate) {
            keccak_f1600(ctx->st);
            ctx->pos = 0;
        }
        if (ctx->pos == 0 && len >= rate) {
            for (unsigned i = 0; i < rate / 8; i++)
                store_le64(out + 8 * i, ctx->st[i]);
            out += rate;
            len -= rate;
            ctx->pos = rate;
            continue;
        }
        *out++ = get_byte(ctx->st, ctx->pos++);
        len--;
    }
}

void shake_squeeze_blocks(sha3_ctx *ctx, uint8_t *out, size_t nblocks)
{
    sha3_squeeze(ctx, out, nblocks * ctx->rate);
}

void sha3_final(sha3_ctx *ctx, uint8_t *out)
{
    /* FIPS 202 §6.1: the digest is half the capacity (200 - rate bytes): 32 or 64 bytes. */
    size_t len = (200 - ctx->rate) / 2;
    sha3_squeeze(ctx, out, len);
    sha3_wipe(ctx);
}

void sha3_wipe(sha3_ctx *ctx)
{
    tenon_wipe(ctx, sizeof *ctx);
}

void sha3_256(uint8_t out[SHA3_256_LEN], const void *in, size_t len)
{
    sha3_ctx ctx;
    sha3_256_init(&ctx);
    sha3_absorb(&ctx, in, len);
    sha3_final(&ctx, out);
}

void sha3_512(uint8_t out[SHA3_512_LEN], const void *in, size_t len)
{
    sha3_ctx ctx;
    sha3_512_init(&ctx);
    sha3_absorb(&ctx, in, len);
    sha3_final(&ctx, out);
}

void shake128(uint8_t *out, size_t out_len, const void *in, size_t len)
{
    sha3_ctx ctx;
    shake128_init(&ctx);
    sha3_absorb(&ctx, in, len);
    sha3_squeeze(&ctx, out, out_len);
    sha3_wipe(&ctx);
}

void shake256(uint8_t *out, size_t out_len, const void *in, size_t len)
{
    sha3_ctx ctx;
    shake256_init(&ctx);
    sha3_absorb(&ctx, in, len);
    sha3_squeeze(&ctx, out, out_len);
    sha3_wipe(&ctx);
}
