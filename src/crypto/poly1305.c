/*
 * Poly1305, portable 64-bit C (RFC 8439 §2.5).
 *
 * The 130-bit numbers are held in radix 2^44: limbs of 44, 44 and 42 bits. Multiplying two
 * such numbers gives nine limb products below 2^92 each; the products that land at 2^132 or
 * above are folded back with 2^130 = 5 (mod p), i.e. 2^132 = 20, so every column sum stays
 * well below 2^128. Carries are propagated lazily (limbs may exceed their width by a few
 * bits between blocks) and only poly1305_final reduces completely, with a mask rather than
 * a branch.
 */
#include "poly1305.h"

#include "ct.h"
#include "poly1305_mulx.h"
#include "tenon/crypto.h"

typedef unsigned __int128 u128;

#define M44 ((uint64_t)0xfffffffffff)
#define M42 ((uint64_t)0x3ffffffffff)

void poly1305_init(poly1305_ctx *ctx, const uint8_t key[32])
{
    /* RFC 8439 §2.5: r &= 0x0ffffffc0ffffffc0ffffffc0fffffff. */
    uint64_t t0 = load_le64(key) & 0x0ffffffc0fffffffull;
    uint64_t t1 = load_le64(key + 8) & 0x0ffffffc0ffffffcull;

    ctx->r[0] = t0 & M44;
    ctx->r[1] = ((t0 >> 44) | (t1 << 20)) & M44;
    ctx->r[2] = (t1 >> 24) & M42;
    ctx->h[0] = ctx->h[1] = ctx->h[2] = 0;
    ctx->s[0] = load_le64(key + 16);
    ctx->s[1] = load_le64(key + 24);
    ctx->rpow_ready = 0;
    ctx->rpow44_ready = 0;
    ctx->buf_len = 0;
}

/* out = h * r, folded with 2^132 = 20 (mod p). The carry chain leaves h0 < 2^44, h1 < 2^44 + 2^11
 * and h2 < 2^42. */
static inline void mul44(uint64_t out[3], uint64_t h0, uint64_t h1, uint64_t h2, uint64_t r0,
                         uint64_t r1, uint64_t r2)
{
    uint64_t s1 = r1 * 20, s2 = r2 * 20;
    u128 d0 = (u128)h0 * r0 + (u128)h1 * s2 + (u128)h2 * s1;
    u128 d1 = (u128)h0 * r1 + (u128)h1 * r0 + (u128)h2 * s2;
    u128 d2 = (u128)h0 * r2 + (u128)h1 * r1 + (u128)h2 * r0;
    uint64_t c;

    c = (uint64_t)(d0 >> 44);
    h0 = (uint64_t)d0 & M44;
    d1 += c;
    c = (uint64_t)(d1 >> 44);
    h1 = (uint64_t)d1 & M44;
    d2 += c;
    c = (uint64_t)(d2 >> 42);
    h2 = (uint64_t)d2 & M42;
    h0 += c * 5;
    c = h0 >> 44;
    h0 &= M44;
    h1 += c;
    out[0] = h0;
    out[1] = h1;
    out[2] = h2;
}

void poly1305_mul44(uint64_t out[3], const uint64_t a[3], const uint64_t b[3])
{
    mul44(out, a[0], a[1], a[2], b[0], b[1], b[2]);
}

void poly1305_powers44(uint64_t p[9][3], const uint64_t r[3])
{
    /* A tree four multiplications deep rather than a chain of eight, the independent products
     * of each level in one function so that they overlap: on a 1 KiB AEAD message the powers'
     * latency, with nothing else to run beside it, is a tenth of the MAC's time. */
    memcpy(p[0], r, sizeof p[0]);
    mul44(p[1], r[0], r[1], r[2], r[0], r[1], r[2]);                   /* r^2 */
    mul44(p[2], p[1][0], p[1][1], p[1][2], r[0], r[1], r[2]);          /* r^3 */
    mul44(p[3], p[1][0], p[1][1], p[1][2], p[1][0], p[1][1], p[1][2]); /* r^4 */
    mul44(p[4], p[3][0], p[3][1], p[3][2], r[0], r[1], r[2]);          /* r^5 */
    mul44(p[5], p[3][0], p[3][1], p[3][2], p[1][0], p[1][1], p[1][2]); /* r^6 */
    mul44(p[6], p[3][0], p[3][1], p[3][2], p[2][0], p[2][1], p[2][2]); /* r^7 */
    mul44(p[7], p[3][0], p[3][1], p[3][2], p[3][0], p[3][1], p[3][2]); /* r^8 */
    mul44(p[8], p[7][0], p[7][1], p[7][2], p[7][0], p[7][1], p[7][2]); /* r^16 */
}

/* RFC 8439 §2.5: for each block, Acc = ((Acc + block) * r) % p; hibit is the bit just above
 * the block's bytes, at limb 2 position 40 (2^128) for a whole block. */
static void blocks44(poly1305_ctx *ctx, const uint8_t *in, size_t nblocks, uint64_t hibit)
{
    const uint64_t r0 = ctx->r[0], r1 = ctx->r[1], r2 = ctx->r[2];
    uint64_t h[3] = {ctx->h[0], ctx->h[1], ctx->h[2]};

    for (size_t i = 0; i < nblocks; i++, in += POLY1305_BLOCK_LEN) {
        uint64_t t0 = load_le64(in), t1 = load_le64(in + 8);
        h[0] += t0 & M44;
        h[1] += ((t0 >> 44) | (t1 << 20)) & M44;
        h[2] += (t1 >> 24) | hibit;
        mul44(h, h[0], h[1], h[2], r0, r1, r2);
    }
    ctx->h[0] = h[0];
    ctx->h[1] = h[1];
    ctx->h[2] = h[2];
}

void poly1305_blocks_portable(poly1305_ctx *ctx, const uint8_t *in, size_t nblocks)
{
    blocks44(ctx, in, nblocks, (uint64_t)1 << 40);
}

void poly1305_update(poly1305_ctx *ctx, poly1305_blocks_fn blocks, const uint8_t *msg, size_t len)
{
    if (ctx->buf_len > 0) {
        size_t n = POLY1305_BLOCK_LEN - ctx->buf_len;
        if (n > len)
            n = len;
        memcpy(ctx->buf + ctx->buf_len, msg, n);
        ctx->buf_len += n;
        msg += n;
        len -= n;
        if (ctx->buf_len < POLY1305_BLOCK_LEN)
            return;
        blocks(ctx, ctx->buf, 1);
        ctx->buf_len = 0;
    }
    size_t nblocks = len / POLY1305_BLOCK_LEN;
    if (nblocks > 0)
        blocks(ctx, msg, nblocks);
    msg += nblocks * POLY1305_BLOCK_LEN;
    len -= nblocks * POLY1305_BLOCK_LEN;
    if (len > 0) {
        memcpy(ctx->buf, msg, len);
        ctx->buf_len = len;
    }
}

void poly1305_final(poly1305_ctx *ctx, uint8_t tag[16])
{
    if (ctx->buf_len > 0) {
        /* RFC 8439 §2.5: a short last block gets a 1 byte after its data (2^(8*len)) and is
         * zero-padded; it has no 2^128 bit. */
        memset(ctx->buf + ctx->buf_len, 0, POLY1305_BLOCK_LEN - ctx->buf_len);
        ctx->buf[ctx->buf_len] = 1;
        blocks44(ctx, ctx->buf, 1, 0);
    }

    uint64_t h0 = ctx->h[0], h1 = ctx->h[1], h2 = ctx->h[2], c;

    /* Full carry: afterwards h0, h1 < 2^44 and h2 <= 2^42, so h < 2^130 + 2^88 < 2p and one
     * conditional subtraction of p reduces it. */
    c = h1 >> 44;
    h1 &= M44;
    h2 += c;
    c = h2 >> 42;
    h2 &= M42;
    h0 += c * 5;
    c = h0 >> 44;
    h0 &= M44;
    h1 += c;
    c = h1 >> 44;
    h1 &= M44;
    h2 += c;

    /* h mod p is h - p = h + 5 - 2^130 when that is non-negative: compute g = h + 5 - 2^130
     * and keep it when its top limb did not go negative. Selected with a mask, no branch. */
    uint64_t g0 = h0 + 5;
    c = g0 >> 44;
    g0 &= M44;
    uint64_t g1 = h1 + c;
    c = g1 >> 44;
    g1 &= M44;
    uint64_t g2 = h2 + c - ((uint64_t)1 << 42);
    uint64_t keep_g = (g2 >> 63) - 1; /* all-ones when g2 >= 0 */
    keep_g = ct_value_barrier_u64(keep_g);
    h0 = ct_select_u64(keep_g, g0, h0);
    h1 = ct_select_u64(keep_g, g1, h1);
    h2 = ct_select_u64(keep_g, g2, h2);

    /* RFC 8439 §2.5: tag = (Acc + s) mod 2^128, little-endian. */
    uint64_t lo = h0 | (h1 << 44);
    uint64_t hi = (h1 >> 20) | (h2 << 24);
    u128 sum = (u128)lo + ctx->s[0];
    lo = (uint64_t)sum;
    hi = hi + ctx->s[1] + (uint64_t)(sum >> 64);
    store_le64(tag, lo);
    store_le64(tag + 8, hi);

    tenon_wipe(ctx, sizeof *ctx);
}

/* ---- radix 2^64, for the code stitched into the AVX2 ChaCha20 ---- */

void poly1305_to_r64(const poly1305_ctx *ctx, poly1305_r64 *p)
{
    uint64_t h0 = ctx->h[0], h1 = ctx->h[1], h2 = ctx->h[2], c;
    /* Carry fully, folding 2^130 = 5, so that h0, h1 < 2^44 and h2 < 2^42 + 2: the top word
     * below is then at most 4, as the radix-2^64 code keeps it. */
    h1 += h0 >> 44;
    h0 &= M44;
    h2 += h1 >> 44;
    h1 &= M44;
    c = h2 >> 42;
    h2 &= M42;
    h0 += c * 5;
    h1 += h0 >> 44;
    h0 &= M44;
    h2 += h1 >> 44;
    h1 &= M44;
    p->h[0] = h0 | (h1 << 44);
    p->h[1] = (h1 >> 20) | (h2 << 24);
    p->h[2] = h2 >> 40;
    p->r0 = ctx->r[0] | (ctx->r[1] << 44);
    p->r1 = (ctx->r[1] >> 20) | (ctx->r[2] << 24);
    /* RFC 8439 §2.5's clamp clears the low two bits of r1, so r1 / 4 is exact. */
    p->s1 = p->r1 + (p->r1 >> 2);
}

void poly1305_from_r64(poly1305_ctx *ctx, const poly1305_r64 *p)
{
    uint64_t h0 = p->h[0] & M44;
    uint64_t h1 = ((p->h[0] >> 44) | (p->h[1] << 20)) & M44;
    uint64_t h2 = (p->h[1] >> 24) | (p->h[2] << 40);
    /* h[2] <= 4 leaves h2 below 2^43: fold its bits from 2^130 up, for mul44's bounds. */
    h0 += (h2 >> 42) * 5;
    h2 &= M42;
    h1 += h0 >> 44;
    h0 &= M44;
    ctx->h[0] = h0;
    ctx->h[1] = h1;
    ctx->h[2] = h2;
}

void poly1305_r64_key(poly1305_r64 *p, uint64_t s[2], const uint8_t key[32])
{
    /* RFC 8439 §2.5: r &= 0x0ffffffc0ffffffc0ffffffc0fffffff; the accumulator starts at 0. */
    p->r0 = load_le64(key) & 0x0ffffffc0fffffffull;
    p->r1 = load_le64(key + 8) & 0x0ffffffc0ffffffcull;
    p->s1 = p->r1 + (p->r1 >> 2);
    p->h[0] = p->h[1] = p->h[2] = 0;
    s[0] = load_le64(key + 16);
    s[1] = load_le64(key + 24);
}

void poly1305_r64_tag(poly1305_r64 *p, const uint64_t s[2], uint8_t tag[16])
{
    uint64_t h0 = p->h[0], h1 = p->h[1], h2 = p->h[2];
    /* The bits from 2^130 up, times 5: with h2 <= 4, h < 5 * 2^128 becomes h < 2^130 + 5, less
     * than 2p, so one conditional subtraction of p reduces it. */
    u128 t = (u128)h0 + 5 * (h2 >> 2);
    h0 = (uint64_t)t;
    t = (u128)h1 + (uint64_t)(t >> 64);
    h1 = (uint64_t)t;
    h2 = (h2 & 3) + (uint64_t)(t >> 64);
    /* h mod p is h - p = h + 5 - 2^130 when h + 5 reaches 2^130 (bit 2 of its top word): its
     * low 128 bits are all the tag needs. Selected with a mask, no branch. */
    t = (u128)h0 + 5;
    uint64_t g0 = (uint64_t)t;
    t = (u128)h1 + (uint64_t)(t >> 64);
    uint64_t g1 = (uint64_t)t;
    uint64_t g2 = h2 + (uint64_t)(t >> 64);
    uint64_t keep_g = 0 - ((g2 >> 2) & 1);
    keep_g = ct_value_barrier_u64(keep_g);
    h0 = ct_select_u64(keep_g, g0, h0);
    h1 = ct_select_u64(keep_g, g1, h1);
    /* RFC 8439 §2.5: tag = (Acc + s) mod 2^128, little-endian. */
    t = (u128)h0 + s[0];
    store_le64(tag, (uint64_t)t);
    store_le64(tag + 8, h1 + s[1] + (uint64_t)(t >> 64));
    tenon_wipe(p, sizeof *p);
}

#if TENON_X86_64
void poly1305_blocks_r64(poly1305_r64 *p, const uint8_t *in, size_t nblocks)
{
    /* RFC 8439 §2.5: Acc += block + 2^128, then Acc *= r (poly1305_mulx.h): an odd block
     * first, then pairs. */
    uint64_t h0 = p->h[0], h1 = p->h[1], h2 = p->h[2], t0, t1, t2, t3;
    size_t pairs = nblocks / 2;
    if (nblocks % 2 != 0) {
        __asm__ volatile(ASM_POLY_BLOCK(0)
                         : [h0] "+r"(h0), [h1] "+r"(h1), [h2] "+r"(h2), [t0] "=&r"(t0),
                           [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3)
                         : [m] "r"(in), [r0] "r"(p->r0), [r1] "r"(p->r1), [s1] "r"(p->s1)
                         : "memory", "cc", "rdx");
        in += POLY1305_BLOCK_LEN;
    }
    if (pairs > 0) {
        __asm__ volatile(
            "1:\n\t" ASM_POLY_PAIR(0, 16) "add $32, %[m]\n\t"
                                          "dec %[n]\n\t"
                                          "jnz 1b\n\t"
            : [m] "+r"(in), [n] "+r"(pairs), [h0] "+r"(h0), [h1] "+r"(h1), [h2] "+r"(h2),
              [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3)
            : [r0] "r"(p->r0), [r1] "r"(p->r1), [s1] "r"(p->s1)
            : "memory", "cc", "rdx");
    }
    p->h[0] = h0;
    p->h[1] = h1;
    p->h[2] = h2;
}

void poly1305_blocks_mulx(poly1305_ctx *ctx, const uint8_t *in, size_t nblocks)
{
    poly1305_r64 p;
    poly1305_to_r64(ctx, &p);
    poly1305_blocks_r64(&p, in, nblocks);
    poly1305_from_r64(ctx, &p);
    tenon_wipe(&p, sizeof p);
}
#endif
