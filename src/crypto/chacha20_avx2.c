/*
 * ChaCha20 with AVX2: eight blocks at a time (RFC 8439 §2.3-§2.4).
 *
 * The state is kept "transposed": register v[i] holds state word i of eight consecutive
 * blocks, one block per 32-bit lane, so each quarter round of RFC 8439 §2.1 is eight
 * quarter rounds at once and needs no shuffling between the column and diagonal rounds. The
 * rotations by 16 and 8 are byte shuffles; those by 12 and 7 are two shifts and an OR. At the
 * end the 16 x 8 words are transposed back into eight serialised blocks. The rounds
 * themselves are inline assembly (see rounds8), the rest intrinsics.
 */
#include "chacha20.h"

#if TENON_X86_64

#include <immintrin.h>

#include "poly1305.h"
#include "poly1305_mulx.h"
#include "tenon/crypto.h"

/* The 20 rounds in inline assembly, so that the register allocation is ours.
 *
 * The four quarter rounds of a half round run in lock step: each is a chain of dependent
 * single-cycle steps, and the out-of-order window is too small to overlap two pairs of them
 * issued one after the other, so interleaving all four is what keeps the vector units busy.
 * That needs the 16 state words plus a temporary for the shift-based rotations, one register
 * more than there are. The word that goes to memory is word 3, the "a" word of the fourth
 * quarter round in both the column and the diagonal round (the diagonals are taken in the
 * order that makes it so): a is idle from d ^= a until the next a += b, which is exactly when
 * the rotations of b by 12 and 7 need the temporary. So word 3 is stored before the
 * rotations, its register serves as the temporary, and the next a += b reads it back from
 * memory: the store and the load are off the chains of dependent steps, where the old scheme
 * (word 11, a "c" word, in memory) had a store-to-load round trip on one of them twice per
 * half round.
 *
 * Registers: ymm0-15 = words 0-15, ymm3 being word 3 from a += b to d ^= a and the temporary
 * otherwise; x[3] (%[w3]) holds word 3 in between. */
#define ASM_OP4(op, x0, y0, x1, y1, x2, y2, x3, y3)                                                \
    op " %%ymm" #y0 ", %%ymm" #x0 ", %%ymm" #x0 "\n\t" op " %%ymm" #y1 ", %%ymm" #x1 ", %%ymm" #x1 \
       "\n\t" op " %%ymm" #y2 ", %%ymm" #x2 ", %%ymm" #x2 "\n\t" op " %%ymm" #y3 ", %%ymm" #x3     \
       ", %%ymm" #x3 "\n\t"
#define ASM_SHUF4(mask, d0, d1, d2, d3)                                                            \
    "vpshufb %[" mask "], %%ymm" #d0 ", %%ymm" #d0 "\n\t"                                          \
    "vpshufb %[" mask "], %%ymm" #d1 ", %%ymm" #d1 "\n\t"                                          \
    "vpshufb %[" mask "], %%ymm" #d2 ", %%ymm" #d2 "\n\t"                                          \
    "vpshufb %[" mask "], %%ymm" #d3 ", %%ymm" #d3 "\n\t"
#define ASM_ROTL(b, n, m)                                                                          \
    "vpsrld $" #m ", %%ymm" #b ", %%ymm3\n\t"                                                      \
    "vpslld $" #n ", %%ymm" #b ", %%ymm" #b "\n\t"                                                 \
    "vpor %%ymm3, %%ymm" #b ", %%ymm" #b "\n\t"
/* One half of the quarter round of RFC 8439 §2.1 on four quartets, the fourth's a being word 3
 * (read back from memory): a += b; d ^= a; d <<<= 16 or 8 (a byte shuffle by mask); c += d;
 * b ^= c; b <<<= n (= 32 - m) with word 3 set aside. */
#define ASM_HALF(a0, b0, c0, d0, a1, b1, c1, d1, a2, b2, c2, d2, b3, c3, d3, mask, n, m)           \
    "vpaddd %%ymm" #b0 ", %%ymm" #a0 ", %%ymm" #a0 "\n\t"                                          \
    "vpaddd %%ymm" #b1 ", %%ymm" #a1 ", %%ymm" #a1 "\n\t"                                          \
    "vpaddd %%ymm" #b2 ", %%ymm" #a2 ", %%ymm" #a2 "\n\t"                                          \
    "vpaddd %[w3], %%ymm" #b3 ", %%ymm3\n\t" ASM_OP4("vpxor", d0, a0, d1, a1, d2, a2, d3, 3)       \
        ASM_SHUF4(mask, d0, d1, d2, d3) "vmovdqa %%ymm3, %[w3]\n\t" ASM_OP4("vpaddd", c0, d0, c1,  \
                                                                            d1, c2, d2, c3, d3)    \
            ASM_OP4("vpxor", b0, c0, b1, c1, b2, c2, b3, c3) ASM_ROTL(b0, n, m) ASM_ROTL(b1, n, m) \
                ASM_ROTL(b2, n, m) ASM_ROTL(b3, n, m)
/* The quarter round of RFC 8439 §2.1 on four quartets; the fourth's a is word 3. */
#define ASM_QR4(a0, b0, c0, d0, a1, b1, c1, d1, a2, b2, c2, d2, b3, c3, d3)                        \
    ASM_HALF(a0, b0, c0, d0, a1, b1, c1, d1, a2, b2, c2, d2, b3, c3, d3, "r16", 12, 20)            \
    ASM_HALF(a0, b0, c0, d0, a1, b1, c1, d1, a2, b2, c2, d2, b3, c3, d3, "r8", 7, 25)
/* Columns (0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15). */
#define ASM_COLUMNS ASM_QR4(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 7, 11, 15)
/* Diagonals (0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14). */
#define ASM_DIAGONALS ASM_QR4(0, 5, 10, 15, 1, 6, 11, 12, 2, 7, 8, 13, 4, 9, 14)
/* The state words but word 3 between x and the registers. */
#define ASM_LOAD_STATE                                                                             \
    "vmovdqa 0(%[x]), %%ymm0\n\t"                                                                  \
    "vmovdqa 32(%[x]), %%ymm1\n\t"                                                                 \
    "vmovdqa 64(%[x]), %%ymm2\n\t"                                                                 \
    "vmovdqa 128(%[x]), %%ymm4\n\t"                                                                \
    "vmovdqa 160(%[x]), %%ymm5\n\t"                                                                \
    "vmovdqa 192(%[x]), %%ymm6\n\t"                                                                \
    "vmovdqa 224(%[x]), %%ymm7\n\t"                                                                \
    "vmovdqa 256(%[x]), %%ymm8\n\t"                                                                \
    "vmovdqa 288(%[x]), %%ymm9\n\t"                                                                \
    "vmovdqa 320(%[x]), %%ymm10\n\t"                                                               \
    "vmovdqa 352(%[x]), %%ymm11\n\t"                                                               \
    "vmovdqa 384(%[x]), %%ymm12\n\t"                                                               \
    "vmovdqa 416(%[x]), %%ymm13\n\t"                                                               \
    "vmovdqa 448(%[x]), %%ymm14\n\t"                                                               \
    "vmovdqa 480(%[x]), %%ymm15\n\t"
#define ASM_STORE_STATE                                                                            \
    "vmovdqa %%ymm0, 0(%[x])\n\t"                                                                  \
    "vmovdqa %%ymm1, 32(%[x])\n\t"                                                                 \
    "vmovdqa %%ymm2, 64(%[x])\n\t"                                                                 \
    "vmovdqa %%ymm4, 128(%[x])\n\t"                                                                \
    "vmovdqa %%ymm5, 160(%[x])\n\t"                                                                \
    "vmovdqa %%ymm6, 192(%[x])\n\t"                                                                \
    "vmovdqa %%ymm7, 224(%[x])\n\t"                                                                \
    "vmovdqa %%ymm8, 256(%[x])\n\t"                                                                \
    "vmovdqa %%ymm9, 288(%[x])\n\t"                                                                \
    "vmovdqa %%ymm10, 320(%[x])\n\t"                                                               \
    "vmovdqa %%ymm11, 352(%[x])\n\t"                                                               \
    "vmovdqa %%ymm12, 384(%[x])\n\t"                                                               \
    "vmovdqa %%ymm13, 416(%[x])\n\t"                                                               \
    "vmovdqa %%ymm14, 448(%[x])\n\t"                                                               \
    "vmovdqa %%ymm15, 480(%[x])\n\t"

/* x[0..15]: the state words of eight blocks, one block per lane; replaced by the result of
 * the ten double rounds of RFC 8439 §2.3 (without the final addition). */
TENON_TARGET("avx2")
static void rounds8(__m256i x[16], const __m256i *rot16, const __m256i *rot8)
{
    int n = 10;
    __asm__ volatile(ASM_LOAD_STATE "1:\n\t" ASM_COLUMNS ASM_DIAGONALS "dec %[n]\n\t"
                                    "jnz 1b\n\t" ASM_STORE_STATE
                     : [n] "+r"(n), [w3] "+m"(x[3])
                     : [x] "r"(x), [r16] "m"(*rot16), [r8] "m"(*rot8)
                     : "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
                       "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
                       "xmm15");
}

/* One half round: the columns' first half (c0) ... the diagonals' second half (d1). */
#define ASM_C0 ASM_HALF(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 7, 11, 15, "r16", 12, 20)
#define ASM_C1 ASM_HALF(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 7, 11, 15, "r8", 7, 25)
#define ASM_D0 ASM_HALF(0, 5, 10, 15, 1, 6, 11, 12, 2, 7, 8, 13, 4, 9, 14, "r16", 12, 20)
#define ASM_D1 ASM_HALF(0, 5, 10, 15, 1, 6, 11, 12, 2, 7, 8, 13, 4, 9, 14, "r8", 7, 25)

/* The Poly1305 step after each half round: the accumulator from h to t and back (see
 * ASM_POLY_PAIR). */
#define ASM_POLY_HT(off) ASM_POLY_STEP(off, h0, h1, h2, t0, t1, t2, t3)
#define ASM_POLY_TH(off) ASM_POLY_STEP(off, t0, t1, h2, h0, h1, t2, t3)

/* rounds8 with nmac Poly1305 blocks at mac (nmac a multiple of 4, from 4 to 32) absorbed into
 * p->h along the way: one after each half round of the first nmac / 4 double rounds. */
TENON_TARGET("avx2")
static void rounds8_mac(__m256i x[16], const __m256i *rot16, const __m256i *rot8, poly1305_r64 *p,
                        const uint8_t *mac, size_t nmac)
{
    uint64_t h0 = p->h[0], h1 = p->h[1], h2 = p->h[2], t0, t1, t2, t3;
    size_t n = nmac / 4, rest = 10 - nmac / 4;
    /* Local copies: their memory operands address the frame, so an unoptimised build (clang
     * -O0 forms every pointer-based operand's address in a register of its own) still has
     * registers enough for the asm's eleven. */
    const __m256i r16 = *rot16, r8 = *rot8;
    const uint64_t r0 = p->r0, r1 = p->r1, s1 = p->s1;
    __asm__ volatile(
        ASM_LOAD_STATE "1:\n\t" ASM_C0 ASM_POLY_HT(0) ASM_C1 ASM_POLY_TH(16) ASM_D0 ASM_POLY_HT(32)
            ASM_D1 ASM_POLY_TH(48) "add $64, %[m]\n\t"
                                   "dec %[n]\n\t"
                                   "jnz 1b\n\t"
                                   "2:\n\t" ASM_C0 ASM_C1 ASM_D0 ASM_D1 "dec %[rest]\n\t"
                                   "jnz 2b\n\t" ASM_STORE_STATE
        : [n] "+r"(n), [rest] "+r"(rest), [w3] "+m"(x[3]), [m] "+r"(mac), [h0] "+r"(h0),
          [h1] "+r"(h1), [h2] "+r"(h2), [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2),
          [t3] "=&r"(t3)
        : [x] "r"(x), [r16] "m"(r16), [r8] "m"(r8), [r0] "m"(r0), [r1] "m"(r1), [s1] "m"(s1)
        : "memory", "cc", "rdx", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
          "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
    p->h[0] = h0;
    p->h[1] = h1;
    p->h[2] = h2;
}

/* 8x8 transpose of 32-bit words: on entry r_k holds word k of blocks 0..7 (one per lane); on
 * exit o_j holds words 0..7 of block j. The unpacks work within 128-bit halves, so blocks j
 * and j + 4 travel together until the final cross-half permutes. */
#define TRANSPOSE8(r0, r1, r2, r3, r4, r5, r6, r7, o0, o1, o2, o3, o4, o5, o6, o7)                 \
    do {                                                                                           \
        __m256i t0 = _mm256_unpacklo_epi32(r0, r1); /* w0 w1 of blocks 0,1 | 4,5 */                \
        __m256i t1 = _mm256_unpackhi_epi32(r0, r1); /* w0 w1 of blocks 2,3 | 6,7 */                \
        __m256i t2 = _mm256_unpacklo_epi32(r2, r3);                                                \
        __m256i t3 = _mm256_unpackhi_epi32(r2, r3);                                                \
        __m256i t4 = _mm256_unpacklo_epi32(r4, r5);                                                \
        __m256i t5 = _mm256_unpackhi_epi32(r4, r5);                                                \
        __m256i t6 = _mm256_unpacklo_epi32(r6, r7);                                                \
        __m256i t7 = _mm256_unpackhi_epi32(r6, r7);                                                \
        __m256i u0 = _mm256_unpacklo_epi64(t0, t2); /* w0..w3 of block 0 | block 4 */              \
        __m256i u1 = _mm256_unpackhi_epi64(t0, t2); /* block 1 | block 5 */                        \
        __m256i u2 = _mm256_unpacklo_epi64(t1, t3); /* block 2 | block 6 */                        \
        __m256i u3 = _mm256_unpackhi_epi64(t1, t3); /* block 3 | block 7 */                        \
        __m256i u4 = _mm256_unpacklo_epi64(t4, t6); /* w4..w7 likewise */                          \
        __m256i u5 = _mm256_unpackhi_epi64(t4, t6);                                                \
        __m256i u6 = _mm256_unpacklo_epi64(t5, t7);                                                \
        __m256i u7 = _mm256_unpackhi_epi64(t5, t7);                                                \
        o0 = _mm256_permute2x128_si256(u0, u4, 0x20);                                              \
        o4 = _mm256_permute2x128_si256(u0, u4, 0x31);                                              \
        o1 = _mm256_permute2x128_si256(u1, u5, 0x20);                                              \
        o5 = _mm256_permute2x128_si256(u1, u5, 0x31);                                              \
        o2 = _mm256_permute2x128_si256(u2, u6, 0x20);                                              \
        o6 = _mm256_permute2x128_si256(u2, u6, 0x31);                                              \
        o3 = _mm256_permute2x128_si256(u3, u7, 0x20);                                              \
        o7 = _mm256_permute2x128_si256(u3, u7, 0x31);                                              \
    } while (0)

/* Half `half` (0 or 1) of block j's keystream v: XORed from in to out, or with raw0 block 0 raw
 * to ks0 and the blocks after it XORed from in to out as if block 1 were the first. */
#define XOR_STORE(j, half, v)                                                                      \
    do {                                                                                           \
        if (raw0 && (j) == 0) {                                                                    \
            _mm256_storeu_si256((__m256i *)(void *)(ks0 + 32 * (half)), (v));                      \
        } else {                                                                                   \
            size_t o_ = ((size_t)(j) - (size_t)raw0) * 64 + 32 * (half);                           \
            _mm256_storeu_si256(                                                                   \
                (__m256i *)(void *)(out + o_),                                                     \
                _mm256_xor_si256((v),                                                              \
                                 _mm256_loadu_si256((const __m256i *)(const void *)(in + o_))));   \
        }                                                                                          \
    } while (0)

/* Half `half` of the eight blocks in b0..b7. */
#define XOR_STORE8(half)                                                                           \
    do {                                                                                           \
        XOR_STORE(0, half, b0);                                                                    \
        XOR_STORE(1, half, b1);                                                                    \
        XOR_STORE(2, half, b2);                                                                    \
        XOR_STORE(3, half, b3);                                                                    \
        XOR_STORE(4, half, b4);                                                                    \
        XOR_STORE(5, half, b5);                                                                    \
        XOR_STORE(6, half, b6);                                                                    \
        XOR_STORE(7, half, b7);                                                                    \
    } while (0)

/* Eight keystream blocks for the counters in the lanes of ctr (the blocks' order in memory),
 * XORed into 512 bytes, or with raw0 (a constant) the first raw to ks0 (64 bytes) and the other
 * seven XORed into 448; with p, nmac Poly1305 blocks at mac absorbed alongside (rounds8_mac). */
TENON_TARGET("avx2")
static inline __attribute__((always_inline)) void
blocks8_ctr(const uint32_t st[16], __m256i ctr, int raw0, uint8_t *ks0, const uint8_t *in,
            uint8_t *out, poly1305_r64 *p, const uint8_t *mac, size_t nmac)
{
    static const uint8_t rot_masks[2][32] __attribute__((aligned(32))) = {
        {2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13,
         2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13},
        {3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14,
         3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14},
    };
    __m256i x[16];

    for (int i = 0; i < 16; i++)
        x[i] = _mm256_set1_epi32((int)st[i]);
    x[12] = ctr;
    /* RFC 8439 §2.3: ten double rounds (column round, then diagonal round). */
    if (p != NULL)
        rounds8_mac(x, (const __m256i *)(const void *)rot_masks[0],
                    (const __m256i *)(const void *)rot_masks[1], p, mac, nmac);
    else
        rounds8(x, (const __m256i *)(const void *)rot_masks[0],
                (const __m256i *)(const void *)rot_masks[1]);
    __m256i v0 = x[0], v1 = x[1], v2 = x[2], v3 = x[3], v4 = x[4], v5 = x[5], v6 = x[6];
    __m256i v7 = x[7], v8 = x[8], v9 = x[9], v10 = x[10], v11 = x[11], v12 = x[12];
    __m256i v13 = x[13], v14 = x[14], v15 = x[15];

    /* Add the input words back (RFC 8439 §2.3), then serialise: blocks j's first 32 bytes are
     * words 0..7 of lane j, its last 32 bytes words 8..15. */
    v0 = _mm256_add_epi32(v0, _mm256_set1_epi32((int)st[0]));
    v1 = _mm256_add_epi32(v1, _mm256_set1_epi32((int)st[1]));
    v2 = _mm256_add_epi32(v2, _mm256_set1_epi32((int)st[2]));
    v3 = _mm256_add_epi32(v3, _mm256_set1_epi32((int)st[3]));
    v4 = _mm256_add_epi32(v4, _mm256_set1_epi32((int)st[4]));
    v5 = _mm256_add_epi32(v5, _mm256_set1_epi32((int)st[5]));
    v6 = _mm256_add_epi32(v6, _mm256_set1_epi32((int)st[6]));
    v7 = _mm256_add_epi32(v7, _mm256_set1_epi32((int)st[7]));
    v8 = _mm256_add_epi32(v8, _mm256_set1_epi32((int)st[8]));
    v9 = _mm256_add_epi32(v9, _mm256_set1_epi32((int)st[9]));
    v10 = _mm256_add_epi32(v10, _mm256_set1_epi32((int)st[10]));
    v11 = _mm256_add_epi32(v11, _mm256_set1_epi32((int)st[11]));
    v12 = _mm256_add_epi32(v12, ctr);
    v13 = _mm256_add_epi32(v13, _mm256_set1_epi32((int)st[13]));
    v14 = _mm256_add_epi32(v14, _mm256_set1_epi32((int)st[14]));
    v15 = _mm256_add_epi32(v15, _mm256_set1_epi32((int)st[15]));

    __m256i b0, b1, b2, b3, b4, b5, b6, b7;
    TRANSPOSE8(v0, v1, v2, v3, v4, v5, v6, v7, b0, b1, b2, b3, b4, b5, b6, b7);
    XOR_STORE8(0);
    TRANSPOSE8(v8, v9, v10, v11, v12, v13, v14, v15, b0, b1, b2, b3, b4, b5, b6, b7);
    XOR_STORE8(1);
}

/* blocks8_ctr for counters st[12] .. st[12] + 7 (mod 2^32). */
TENON_TARGET("avx2")
static inline __attribute__((always_inline)) void blocks8_with(const uint32_t st[16],
                                                               const uint8_t *in, uint8_t *out,
                                                               poly1305_r64 *p, const uint8_t *mac,
                                                               size_t nmac)
{
    const __m256i lane_ctr = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    blocks8_ctr(st, _mm256_add_epi32(_mm256_set1_epi32((int)st[12]), lane_ctr), 0, NULL, in, out, p,
                mac, nmac);
}

TENON_TARGET("avx2")
static void blocks8(const uint32_t st[16], const uint8_t *in, uint8_t *out)
{
    blocks8_with(st, in, out, NULL, NULL, 0);
}

/* Block 0 (the one-time key's) raw to ks0 and seven blocks from the counter st[12] on XORed from
 * in to out (448 bytes). */
TENON_TARGET("avx2")
static void blocks8_otk(const uint32_t st[16], const uint8_t *in, uint8_t *out, uint8_t ks0[64])
{
    const __m256i lane_ctr = _mm256_setr_epi32(0, 0, 1, 2, 3, 4, 5, 6);
    const __m256i ctr = _mm256_add_epi32(_mm256_set1_epi32((int)st[12]), lane_ctr);
    blocks8_ctr(st, _mm256_blend_epi32(ctr, _mm256_setzero_si256(), 1), 1, ks0, in, out, NULL, NULL,
                0);
}

TENON_TARGET("avx2")
void chacha20_batch_otk_avx2(const uint32_t st[16], const uint8_t *in, uint8_t *out,
                             uint8_t ks0[64])
{
    const __m256i lane_ctr = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    blocks8_ctr(st, _mm256_add_epi32(_mm256_set1_epi32((int)st[12]), lane_ctr), 1, ks0, in, out,
                NULL, NULL, 0);
}

TENON_TARGET("avx2")
void chacha20_batch_mac_avx2(const uint32_t st[16], const uint8_t *in, uint8_t *out,
                             poly1305_r64 *p, const uint8_t *mac, size_t nmac)
{
    if (nmac == 0)
        blocks8_with(st, in, out, NULL, NULL, 0);
    else
        blocks8_with(st, in, out, p, mac, nmac);
}

void chacha20_xor_avx2(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter,
                       const uint8_t *in, uint8_t *out, size_t len)
{
    uint32_t st[16];
    chacha20_setup(st, key, nonce, counter);
    chacha20_xor_batches(st, in, out, len, blocks8, 8);
}

/* ---- the row layout, for the one-time key's block with the last few ----
 *
 * As in chacha20_avx512.c: register a (b, c, d) holds row 0 (1, 2, 3) of the 4 x 4 state of two
 * blocks, one per 128-bit lane, the diagonal round by rotating the words of b, c and d within
 * their lanes. Two such sets side by side give four blocks, each of its own counter, in about
 * the time the portable code takes for one: the AEAD's block 0 and up to three blocks after the
 * last batch of eight in one call. */

/* x <<<= n on each 32-bit word, by shifts (12, 7) or a byte shuffle (16, 8). */
#define ROTL_SHIFT(x, n)                                                                           \
    _mm256_or_si256(_mm256_slli_epi32((x), (n)), _mm256_srli_epi32((x), 32 - (n)))

/* The quarter round of RFC 8439 §2.1 on rows. */
#define ROW_QR(a, b, c, d)                                                                         \
    do {                                                                                           \
        a = _mm256_add_epi32(a, b);                                                                \
        d = _mm256_shuffle_epi8(_mm256_xor_si256(d, a), r16);                                      \
        c = _mm256_add_epi32(c, d);                                                                \
        b = ROTL_SHIFT(_mm256_xor_si256(b, c), 12);                                                \
        a = _mm256_add_epi32(a, b);                                                                \
        d = _mm256_shuffle_epi8(_mm256_xor_si256(d, a), r8);                                       \
        c = _mm256_add_epi32(c, d);                                                                \
        b = ROTL_SHIFT(_mm256_xor_si256(b, c), 7);                                                 \
    } while (0)

/* The column round (diag 0) or the diagonal round (diag 1), then the words rotated for the
 * other. */
#define ROW_HALF(a, b, c, d, diag)                                                                 \
    do {                                                                                           \
        ROW_QR(a, b, c, d);                                                                        \
        b = _mm256_shuffle_epi32(b, (diag) ? 0x93 : 0x39);                                         \
        c = _mm256_shuffle_epi32(c, 0x4e);                                                         \
        d = _mm256_shuffle_epi32(d, (diag) ? 0x39 : 0x93);                                         \
    } while (0)

/* Row 3 of two blocks: counters c0 (low lane) and c1 (high lane), then the nonce words. */
#define ROW3(st, c0, c1)                                                                           \
    _mm256_setr_epi32((int)(c0), (int)(st)[13], (int)(st)[14], (int)(st)[15], (int)(c1),           \
                      (int)(st)[13], (int)(st)[14], (int)(st)[15])

/* k Poly1305 blocks at *mac into the accumulator h0 h1 h2, advancing *mac (poly1305_mulx.h). */
#define MAC_BLOCKS(k, mac, h0, h1, h2, p)                                                          \
    do {                                                                                           \
        size_t k_ = (k);                                                                           \
        uint64_t t0_, t1_, t2_, t3_;                                                               \
        if (k_ > 0)                                                                                \
            __asm__ volatile(                                                                      \
                "1:\n\t" ASM_POLY_BLOCK(0) "add $16, %[m]\n\t"                                     \
                                           "dec %[n]\n\t"                                          \
                                           "jnz 1b\n\t"                                            \
                : [m] "+r"(mac), [n] "+r"(k_), [h0] "+r"(h0), [h1] "+r"(h1), [h2] "+r"(h2),        \
                  [t0] "=&r"(t0_), [t1] "=&r"(t1_), [t2] "=&r"(t2_), [t3] "=&r"(t3_)               \
                : [r0] "m"((p)->r0), [r1] "m"((p)->r1), [s1] "m"((p)->s1)                          \
                : "memory", "cc", "rdx");                                                          \
    } while (0)

/* The keystream blocks of counters ctr[0..3] (RFC 8439 §2.3) into ks, all four with pairs = 2,
 * the first two (ks[0..128)) with pairs = 1: one pair of rows is a chain of dependent steps with
 * room beside it, so a second pair costs little, but where only two blocks are wanted it is
 * left out. With p, nmac Poly1305 blocks at mac are absorbed along the way (nmac / 10 in each
 * double round, the rest after). */
TENON_TARGET("avx2")
static inline __attribute__((always_inline)) void
rows4_keystream_with(const uint32_t st[16], const uint32_t ctr[4], uint8_t ks[256], int pairs,
                     poly1305_r64 *p, const uint8_t *mac, size_t nmac)
{
    uint64_t h0 = 0, h1 = 0, h2 = 0;
    if (p != NULL) {
        h0 = p->h[0];
        h1 = p->h[1];
        h2 = p->h[2];
    }
    const __m256i r16 = _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3,
                                         0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
    const __m256i r8 = _mm256_setr_epi8(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14, 3, 0,
                                        1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14);
    const __m256i i0 = _mm256_broadcastsi128_si256(_mm_loadu_si128((const void *)st));
    const __m256i i1 = _mm256_broadcastsi128_si256(_mm_loadu_si128((const void *)(st + 4)));
    const __m256i i2 = _mm256_broadcastsi128_si256(_mm_loadu_si128((const void *)(st + 8)));
    const __m256i i3 = ROW3(st, ctr[0], ctr[1]), j3 = ROW3(st, ctr[2], ctr[3]);
    __m256i a0 = i0, b0 = i1, c0 = i2, d0 = i3, a1 = i0, b1 = i1, c1 = i2, d1 = j3;
    for (int i = 0; i < 10; i++) {
        ROW_HALF(a0, b0, c0, d0, 0);
        if (pairs > 1)
            ROW_HALF(a1, b1, c1, d1, 0);
        if (p != NULL)
            MAC_BLOCKS(nmac / 10, mac, h0, h1, h2, p);
        ROW_HALF(a0, b0, c0, d0, 1);
        if (pairs > 1)
            ROW_HALF(a1, b1, c1, d1, 1);
    }
    if (p != NULL) {
        MAC_BLOCKS(nmac % 10, mac, h0, h1, h2, p);
        p->h[0] = h0;
        p->h[1] = h1;
        p->h[2] = h2;
    }
    /* Add the input (RFC 8439 §2.3); block k's bytes 0..31 are rows 0 and 1 of its lane,
     * bytes 32..63 rows 2 and 3. */
    a0 = _mm256_add_epi32(a0, i0);
    b0 = _mm256_add_epi32(b0, i1);
    c0 = _mm256_add_epi32(c0, i2);
    d0 = _mm256_add_epi32(d0, i3);
    a1 = _mm256_add_epi32(a1, i0);
    b1 = _mm256_add_epi32(b1, i1);
    c1 = _mm256_add_epi32(c1, i2);
    d1 = _mm256_add_epi32(d1, j3);
    _mm256_storeu_si256((void *)(ks + 0), _mm256_permute2x128_si256(a0, b0, 0x20));
    _mm256_storeu_si256((void *)(ks + 32), _mm256_permute2x128_si256(c0, d0, 0x20));
    _mm256_storeu_si256((void *)(ks + 64), _mm256_permute2x128_si256(a0, b0, 0x31));
    _mm256_storeu_si256((void *)(ks + 96), _mm256_permute2x128_si256(c0, d0, 0x31));
    if (pairs < 2)
        return;
    _mm256_storeu_si256((void *)(ks + 128), _mm256_permute2x128_si256(a1, b1, 0x20));
    _mm256_storeu_si256((void *)(ks + 160), _mm256_permute2x128_si256(c1, d1, 0x20));
    _mm256_storeu_si256((void *)(ks + 192), _mm256_permute2x128_si256(a1, b1, 0x31));
    _mm256_storeu_si256((void *)(ks + 224), _mm256_permute2x128_si256(c1, d1, 0x31));
}

TENON_TARGET("avx2")
static void rows4_keystream(const uint32_t st[16], const uint32_t ctr[4], uint8_t ks[256])
{
    rows4_keystream_with(st, ctr, ks, 2, NULL, NULL, 0);
}

/* The first two blocks of rows4_keystream into ks[0..128). */
TENON_TARGET("avx2")
static void rows2_keystream(const uint32_t st[16], const uint32_t ctr[4], uint8_t ks[256])
{
    rows4_keystream_with(st, ctr, ks, 1, NULL, NULL, 0);
}

TENON_TARGET("avx2")
void chacha20_rows_mac_avx2(const uint32_t st[16], uint8_t *buf, size_t n, poly1305_r64 *p,
                            const uint8_t *mac, size_t nmac)
{
    uint8_t ks[4 * CHACHA20_BLOCK_LEN];
    const uint32_t ctr[4] = {st[12], st[12] + 1, st[12] + 2, st[12] + 3};
    if (n <= 2 * CHACHA20_BLOCK_LEN)
        rows4_keystream_with(st, ctr, ks, 1, p, mac, nmac);
    else
        rows4_keystream_with(st, ctr, ks, 2, p, mac, nmac);
    for (size_t i = 0; i < n; i++)
        buf[i] ^= ks[i];
    tenon_wipe(ks, sizeof ks);
}

/* Bytes off..len (fewer than a batch) from the counter in st[12] on, read as chacha20_gather
 * does, to dst[0 .. len - off), with block 0's first 32 bytes to otk: block 0 with up to three
 * blocks in the rows, with up to seven in one batch through buf, or a partial batch through buf
 * and block 0 alone in the rows. Which path runs depends on the lengths only. Returns how much of
 * buf holds data to wipe. */
TENON_TARGET("avx2")
static size_t tail_otk(const uint32_t st[16], const uint8_t *head, size_t split, const uint8_t *in,
                       uint8_t *dst, size_t off, size_t len, uint8_t otk[32],
                       uint8_t buf[8 * CHACHA20_BLOCK_LEN])
{
    uint8_t ks[4 * CHACHA20_BLOCK_LEN];
    size_t n = len - off, used = n;
    if (n <= 3 * CHACHA20_BLOCK_LEN) {
        const uint32_t ctr[4] = {0, st[12], st[12] + 1, st[12] + 2};
        if (n <= CHACHA20_BLOCK_LEN)
            rows2_keystream(st, ctr, ks);
        else
            rows4_keystream(st, ctr, ks);
        chacha20_gather(buf, head, split, in, off, n);
        for (size_t i = 0; i < n; i++)
            dst[i] = (uint8_t)(buf[i] ^ ks[CHACHA20_BLOCK_LEN + i]);
    } else if (n <= 7 * CHACHA20_BLOCK_LEN) {
        /* Block 0 in lane 0 of a batch, the data in the other seven: one batch where block 0
         * in the rows and then a batch took 1.4 times as long (Ice Lake, least TSC ticks: this
         * function at 300 bytes 868 -> 638, a 256-byte seal 1,250 -> 1,004). */
        chacha20_gather(buf, head, split, in, off, n);
        blocks8_otk(st, buf, buf, ks);
        memcpy(dst, buf, n);
        /* Past n, keystream XORed onto stale stack bytes. */
        used = 7 * CHACHA20_BLOCK_LEN;
    } else {
        const uint32_t ctr[4] = {0, 0, 0, 0};
        rows2_keystream(st, ctr, ks);
        chacha20_gather(buf, head, split, in, off, n);
        blocks8(st, buf, buf);
        memcpy(dst, buf, n);
        /* All of it: past n, keystream XORed onto stale stack bytes. */
        used = 8 * CHACHA20_BLOCK_LEN;
    }
    memcpy(otk, ks, 32);
    tenon_wipe(ks, sizeof ks);
    return used;
}

void chacha20_xor_avx2_otk(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *head,
                           size_t split, const uint8_t *in, uint8_t *out, size_t len,
                           uint8_t otk[32])
{
    const size_t batch = 8 * CHACHA20_BLOCK_LEN;
    uint32_t st[16];
    uint8_t buf[8 * CHACHA20_BLOCK_LEN];
    chacha20_setup(st, key, nonce, 1);
    /* Whole batches, each read in place from its part or gathered across the split. */
    size_t off = 0, used = 0;
    for (; len - off >= batch; off += batch, st[12] += 8) {
        const uint8_t *src = off + batch <= split ? head + off : off >= split ? in + off : NULL;
        if (src == NULL) {
            chacha20_gather(buf, head, split, in, off, batch);
            src = buf;
            used = batch;
        }
        blocks8(st, src, out + off);
    }
    size_t t = tail_otk(st, head, split, in, out + off, off, len, otk, buf);
    used = t > used ? t : used;
    tenon_wipe(buf, used);
    tenon_wipe(st, sizeof st);
}

void chacha20_xor_avx2_otk_tail(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *head,
                                size_t split, const uint8_t *in, uint8_t *dst, size_t off,
                                size_t len, uint8_t otk[32])
{
    uint32_t st[16];
    uint8_t buf[8 * CHACHA20_BLOCK_LEN];
    chacha20_setup(st, key, nonce, (uint32_t)(1 + off / CHACHA20_BLOCK_LEN));
    tenon_wipe(buf, tail_otk(st, head, split, in, dst, off, len, otk, buf));
    tenon_wipe(st, sizeof st);
}

#endif
