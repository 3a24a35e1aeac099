/*
 * Portable constant-time GHASH (SP 800-38D §6.4).
 *
 * The carry-less products are built from ordinary integer multiplications. Each 64-bit operand
 * is split into four "combs" that keep only every fourth bit (masks 0x1111..., 0x2222..., ...).
 * In the integer product of two combs the partial products land only on bit positions of one
 * residue class mod 4, with three empty positions (holes) between them, so the sums that build
 * up there cannot carry into the next position of the same class as long as each sum stays below
 * 16. Masking that class keeps exactly the parity of each sum, which is the carry-less product.
 * For the low 64 bits of a 64x64 product at most 16 terms meet at a position, and only at bit
 * 60 and above, whose carry leaves the word: the low half is exact. The high half is obtained as
 * the low half of the product of the bit-reversed operands, reversed back.
 *
 * No table, no branch: the time does not depend on H or on the data. See gcm.h for the field
 * representation and the reduction.
 */
#include "../common.h"
#include "ct.h"
#include "gcm.h"

#define COMB0 0x1111111111111111u
#define COMB1 0x2222222222222222u
#define COMB2 0x4444444444444444u
#define COMB3 0x8888888888888888u

/* The low 64 bits of the carry-less product of x and y. */
static uint64_t clmul_lo(uint64_t x, uint64_t y)
{
    uint64_t x0 = x & COMB0, x1 = x & COMB1, x2 = x & COMB2, x3 = x & COMB3;
    uint64_t y0 = y & COMB0, y1 = y & COMB1, y2 = y & COMB2, y3 = y & COMB3;
    /* zk collects the products whose bit positions are congruent to k mod 4. */
    uint64_t z0 = (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
    uint64_t z1 = (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
    uint64_t z2 = (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
    uint64_t z3 = (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
    return (z0 & COMB0) | (z1 & COMB1) | (z2 & COMB2) | (z3 & COMB3);
}

static uint64_t rev64(uint64_t x)
{
    x = ((x & 0x5555555555555555u) << 1) | ((x >> 1) & 0x5555555555555555u);
    x = ((x & 0x3333333333333333u) << 2) | ((x >> 2) & 0x3333333333333333u);
    x = ((x & 0x0F0F0F0F0F0F0F0Fu) << 4) | ((x >> 4) & 0x0F0F0F0F0F0F0F0Fu);
    x = ((x & 0x00FF00FF00FF00FFu) << 8) | ((x >> 8) & 0x00FF00FF00FF00FFu);
    x = ((x & 0x0000FFFF0000FFFFu) << 16) | ((x >> 16) & 0x0000FFFF0000FFFFu);
    return (x << 32) | (x >> 32);
}

/*
 * Montgomery multiplication (gcm.h): returns a * h * y^-128 mod P* for the integers (a1:a0)
 * and the prepared key. Karatsuba: three 64x64 products, each as a low half (direct) and a
 * high half (reversed operands). The reversed low halves of the three products combine
 * linearly, so one reversal per 64-bit word of the 256-bit result suffices.
 */
static void gf_mul(uint64_t *r1, uint64_t *r0, uint64_t a1, uint64_t a0, const ghash_ct_key *k)
{
    uint64_t a2 = a1 ^ a0;
    uint64_t ra1 = rev64(a1), ra0 = rev64(a0), ra2 = ra1 ^ ra0;

    uint64_t lo0 = clmul_lo(a0, k->h0); /* a0*h0, bits 0..63 */
    uint64_t lo1 = clmul_lo(a1, k->h1); /* a1*h1, bits 0..63 */
    uint64_t lo2 = clmul_lo(a2, k->h2); /* (a0^a1)(h0^h1), bits 0..63 */
    uint64_t hi0 = rev64(clmul_lo(ra0, k->rh0)) >> 1;
    uint64_t hi1 = rev64(clmul_lo(ra1, k->rh1)) >> 1;
    uint64_t hi2 = rev64(clmul_lo(ra2, k->rh2)) >> 1;
    /* Karatsuba middle term: a0*h1 ^ a1*h0. */
    lo2 ^= lo0 ^ lo1;
    hi2 ^= hi0 ^ hi1;

    /* The 256-bit product, words w3..w0. */
    uint64_t w0 = lo0;
    uint64_t w1 = hi0 ^ lo2;
    uint64_t w2 = lo1 ^ hi2;
    uint64_t w3 = hi1;

    /* Two Montgomery steps, q * 0xC2000...0 as shifts. */
    uint64_t t1 = (w0 >> 1) ^ (w0 >> 2) ^ (w0 >> 7);
    uint64_t t0 = (w0 << 63) ^ (w0 << 62) ^ (w0 << 57);
    w2 ^= w0 ^ t1;
    w1 ^= t0;
    t1 = (w1 >> 1) ^ (w1 >> 2) ^ (w1 >> 7);
    t0 = (w1 << 63) ^ (w1 << 62) ^ (w1 << 57);
    *r1 = w3 ^ w1 ^ t1;
    *r0 = w2 ^ t0;
}

void ghash_ct_init(ghash_ct_key *k, const uint8_t h[16])
{
    uint64_t h1 = load_be64(h), h0 = load_be64(h + 8);
    /* H' = H * y: shift left by one and reduce by P* (y^128 = y^127 + y^126 + y^121 + 1)
     * when a bit leaves the top, selected by mask. */
    uint64_t carry = (uint64_t)0 - (h1 >> 63);
    h1 = (h1 << 1) | (h0 >> 63);
    h0 <<= 1;
    h1 ^= carry & GCM_RED_CONST;
    h0 ^= carry & 1u;
    k->h1 = h1;
    k->h0 = h0;
    k->h2 = h1 ^ h0;
    k->rh1 = rev64(h1);
    k->rh0 = rev64(h0);
    k->rh2 = k->rh1 ^ k->rh0;
}

void ghash_ct_update(const void *key, uint8_t y[16], const uint8_t *data, size_t len)
{
    const ghash_ct_key *k = key;
    uint64_t y1 = load_be64(y), y0 = load_be64(y + 8);
    while (len >= 16) {
        gf_mul(&y1, &y0, y1 ^ load_be64(data), y0 ^ load_be64(data + 8), k);
        data += 16;
        len -= 16;
    }
    if (len > 0) {
        /* §6.4 works on whole blocks: GCM pads the AAD and the ciphertext with zeros. */
        uint8_t last[16] = {0};
        memcpy(last, data, len);
        gf_mul(&y1, &y0, y1 ^ load_be64(last), y0 ^ load_be64(last + 8), k);
        tenon_wipe(last, sizeof last);
    }
    store_be64(y, y1);
    store_be64(y + 8, y0);
}
