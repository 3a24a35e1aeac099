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
#include "cpu.h"
#include "ct.h"
#include "tenon/crypto.h"

/* FIPS 202 §3.2.5: the iota round constants RC[ir] (computed from the rc(t) LFSR). */
const uint64_t keccak_rc[24] = {
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

/* One round from the lanes S##0..S##24 (lane x + 5y) into D##0..D##24; keccak_f1600 alternates
 * between two sets, so no round copies the state. Theta's d comes from the column parities c,
 * then row by row rho and pi (b holds the five lanes of one output row) and chi, iota on lane 0,
 * and the column parities of the new state accumulated on the way for the next round's theta.
 * Written out from the rho and pi tables above. */
#define KECCAK_ROUND(S, D, rc)                                                                     \
    do {                                                                                           \
        d0 = c4 ^ rol64(c1, 1);                                                                    \
        d1 = c0 ^ rol64(c2, 1);                                                                    \
        d2 = c1 ^ rol64(c3, 1);                                                                    \
        d3 = c2 ^ rol64(c4, 1);                                                                    \
        d4 = c3 ^ rol64(c0, 1);                                                                    \
        b0 = S##0 ^ d0;                                                                            \
        b1 = rol64(S##6 ^ d1, 44);                                                                 \
        b2 = rol64(S##12 ^ d2, 43);                                                                \
        b3 = rol64(S##18 ^ d3, 21);                                                                \
        b4 = rol64(S##24 ^ d4, 14);                                                                \
        D##0 = b0 ^ (~b1 & b2);                                                                    \
        D##1 = b1 ^ (~b2 & b3);                                                                    \
        D##2 = b2 ^ (~b3 & b4);                                                                    \
        D##3 = b3 ^ (~b4 & b0);                                                                    \
        D##4 = b4 ^ (~b0 & b1);                                                                    \
        D##0 ^= (rc);                                                                              \
        c0 = D##0;                                                                                 \
        c1 = D##1;                                                                                 \
        c2 = D##2;                                                                                 \
        c3 = D##3;                                                                                 \
        c4 = D##4;                                                                                 \
        b0 = rol64(S##3 ^ d3, 28);                                                                 \
        b1 = rol64(S##9 ^ d4, 20);                                                                 \
        b2 = rol64(S##10 ^ d0, 3);                                                                 \
        b3 = rol64(S##16 ^ d1, 45);                                                                \
        b4 = rol64(S##22 ^ d2, 61);                                                                \
        D##5 = b0 ^ (~b1 & b2);                                                                    \
        D##6 = b1 ^ (~b2 & b3);                                                                    \
        D##7 = b2 ^ (~b3 & b4);                                                                    \
        D##8 = b3 ^ (~b4 & b0);                                                                    \
        D##9 = b4 ^ (~b0 & b1);                                                                    \
        c0 ^= D##5;                                                                                \
        c1 ^= D##6;                                                                                \
        c2 ^= D##7;                                                                                \
        c3 ^= D##8;                                                                                \
        c4 ^= D##9;                                                                                \
        b0 = rol64(S##1 ^ d1, 1);                                                                  \
        b1 = rol64(S##7 ^ d2, 6);                                                                  \
        b2 = rol64(S##13 ^ d3, 25);                                                                \
        b3 = rol64(S##19 ^ d4, 8);                                                                 \
        b4 = rol64(S##20 ^ d0, 18);                                                                \
        D##10 = b0 ^ (~b1 & b2);                                                                   \
        D##11 = b1 ^ (~b2 & b3);                                                                   \
        D##12 = b2 ^ (~b3 & b4);                                                                   \
        D##13 = b3 ^ (~b4 & b0);                                                                   \
        D##14 = b4 ^ (~b0 & b1);                                                                   \
        c0 ^= D##10;                                                                               \
        c1 ^= D##11;                                                                               \
        c2 ^= D##12;                                                                               \
        c3 ^= D##13;                                                                               \
        c4 ^= D##14;                                                                               \
        b0 = rol64(S##4 ^ d4, 27);                                                                 \
        b1 = rol64(S##5 ^ d0, 36);                                                                 \
        b2 = rol64(S##11 ^ d1, 10);                                                                \
        b3 = rol64(S##17 ^ d2, 15);                                                                \
        b4 = rol64(S##23 ^ d3, 56);                                                                \
        D##15 = b0 ^ (~b1 & b2);                                                                   \
        D##16 = b1 ^ (~b2 & b3);                                                                   \
        D##17 = b2 ^ (~b3 & b4);                                                                   \
        D##18 = b3 ^ (~b4 & b0);                                                                   \
        D##19 = b4 ^ (~b0 & b1);                                                                   \
        c0 ^= D##15;                                                                               \
        c1 ^= D##16;                                                                               \
        c2 ^= D##17;                                                                               \
        c3 ^= D##18;                                                                               \
        c4 ^= D##19;                                                                               \
        b0 = rol64(S##2 ^ d2, 62);                                                                 \
        b1 = rol64(S##8 ^ d3, 55);                                                                 \
        b2 = rol64(S##14 ^ d4, 39);                                                                \
        b3 = rol64(S##15 ^ d0, 41);                                                                \
        b4 = rol64(S##21 ^ d1, 2);                                                                 \
        D##20 = b0 ^ (~b1 & b2);                                                                   \
        D##21 = b1 ^ (~b2 & b3);                                                                   \
        D##22 = b2 ^ (~b3 & b4);                                                                   \
        D##23 = b3 ^ (~b4 & b0);                                                                   \
        D##24 = b4 ^ (~b0 & b1);                                                                   \
        c0 ^= D##20;                                                                               \
        c1 ^= D##21;                                                                               \
        c2 ^= D##22;                                                                               \
        c3 ^= D##23;                                                                               \
        c4 ^= D##24;                                                                               \
    } while (0)

/* The permutation, inlined into the two compiled variants below. */
static inline __attribute__((always_inline)) void keccak_f1600_body(uint64_t st[25])
{
    uint64_t a0 = st[0], a1 = st[1], a2 = st[2], a3 = st[3], a4 = st[4], a5 = st[5], a6 = st[6],
             a7 = st[7], a8 = st[8], a9 = st[9], a10 = st[10], a11 = st[11], a12 = st[12],
             a13 = st[13], a14 = st[14], a15 = st[15], a16 = st[16], a17 = st[17], a18 = st[18],
             a19 = st[19], a20 = st[20], a21 = st[21], a22 = st[22], a23 = st[23], a24 = st[24];
    uint64_t e0, e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11, e12, e13, e14, e15, e16, e17, e18,
        e19, e20, e21, e22, e23, e24;
    uint64_t b0, b1, b2, b3, b4, d0, d1, d2, d3, d4;
    uint64_t c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20, c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21,
             c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22, c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23,
             c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;
    for (int round = 0; round < 24; round += 2) {
        KECCAK_ROUND(a, e, keccak_rc[round]);
        KECCAK_ROUND(e, a, keccak_rc[round + 1]);
    }
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

static void keccak_f1600_plain(uint64_t st[25])
{
    keccak_f1600_body(st);
}

#if TENON_X86_64
/* The same code where BMI1 is there: chi's ~a & b is one andn (the rest of x86-64 needs a copy,
 * a not and an and), about 15% off the permutation. cpu.c reports TENON_CPU_BMI2 only with
 * BMI1. */
TENON_TARGET("bmi,bmi2") static void keccak_f1600_bmi(uint64_t st[25])
{
    keccak_f1600_body(st);
}
#endif

void keccak_f1600(uint64_t st[25])
{
#if TENON_X86_64
    if (cpu_has(TENON_CPU_BMI2)) {
        keccak_f1600_bmi(st);
        return;
    }
#endif
    keccak_f1600_plain(st);
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
