/*
 * Arithmetic in R_q for ML-KEM (FIPS 203 §4.3): see mlkem_poly.h for the data layout and the
 * ranges.
 *
 * Why it is built this way:
 * - Reductions are Montgomery (R = 2^16) after a product and Barrett after a sum: both are a
 *   multiply, a shift and a subtract, so their time does not depend on the value. Nothing
 *   divides by q: KyberSlash (2024) showed that the compiler's division of a secret coefficient
 *   by q takes a value-dependent time on many CPUs. Compress_d computes round(2^d x / q) as
 *   (2^d x + q/2) * ceil(2^29 / q) >> 29, which equals the division for every x < q and every
 *   d <= 11 (checked exhaustively in test_mlkem.c).
 * - The byte encodings walk the bits in an order fixed by d alone.
 * - The NTT tables hold zeta^BitRev7(i) times R mod q, centred, so a Montgomery product with
 *   them is a plain product modulo q.
 */
#include "mlkem_poly.h"

#include "../common.h"
#include "cpu.h"
#include "ct.h"
#include "sha3.h"
#include "tenon/crypto.h"

/* q^-1 mod 2^16 */
#define MLKEM_QINV 62209u
/* R^2 mod q (Montgomery form of R): mont(x * MLKEM_R2) = x R. */
#define MLKEM_R2 1353
/* R^2 / 128 mod q: the last step of the inverse NTT multiplies by 1/128 (FIPS 203 Algorithm 10
 * step 14, with 3303 = 128^-1 mod q) and by R to undo basemul's R^-1. */
#define MLKEM_INVNTT_F 1441
/* Barrett: round(2^26 / q). */
#define MLKEM_BARRETT_V 20159
/* Compress_d: ceil(2^29 / q). */
#define MLKEM_COMPRESS_M 161271u

/* zetas[i] = 17^BitRev7(i) R mod q, centred (FIPS 203 §4.3, Appendix A's table times R).
 * zetas[0] is not used. */
const int16_t mlkem_zetas[128] = {
    -1044, -758,  -359,  -1517, 1493,  1422,  287,   202,   -171,  622,   1577,  182,   962,
    -1202, -1474, 1468,  573,   -1325, 264,   383,   -829,  1458,  -1602, -130,  -681,  1017,
    732,   608,   -1542, 411,   -205,  -1571, 1223,  652,   -552,  1015,  -1293, 1491,  -282,
    -1544, 516,   -8,    -320,  -666,  -1618, -1162, 126,   1469,  -853,  -90,   -271,  830,
    107,   -1421, -247,  -951,  -398,  961,   -1508, -725,  448,   -1065, 677,   -1275, -1103,
    430,   555,   843,   -1251, 871,   1550,  105,   422,   587,   177,   -235,  -291,  -460,
    1574,  1653,  -246,  778,   1159,  -147,  -777,  1483,  -602,  1119,  -1590, 644,   -872,
    349,   418,   329,   -156,  -75,   817,   1097,  603,   610,   1322,  -1285, -1465, 384,
    -1215, -136,  1218,  -1335, -874,  220,   -1187, -1659, -1185, -1530, -1278, 794,   -1510,
    -854,  -870,  478,   -108,  -308,  996,   991,   958,   -1460, 1522,  1628,
};

/* a R^-1 mod q for |a| < q 2^15, result in (-q, q). a - t q is a multiple of 2^16 with
 * t = a q^-1 mod 2^16 taken as a signed 16-bit value. */
static inline int16_t mont_reduce(int32_t a)
{
    int16_t t = (int16_t)(uint16_t)((uint32_t)a * MLKEM_QINV);
    return (int16_t)((a - (int32_t)t * MLKEM_Q) >> 16);
}

static inline int16_t fqmul(int16_t a, int16_t b)
{
    return mont_reduce((int32_t)a * b);
}

/* a mod q in [-(q-1)/2, (q-1)/2] for any int16 a. */
static inline int16_t barrett_reduce(int16_t a)
{
    int32_t t = (MLKEM_BARRETT_V * (int32_t)a + (1 << 25)) >> 26;
    return (int16_t)(a - t * MLKEM_Q);
}

/* Canonical representative 0 <= x < q of any int16: Barrett, then add q to a negative value
 * through a mask of the sign bit. */
static inline uint16_t to_canonical(int16_t a)
{
    int16_t r = barrett_reduce(a);
    r = (int16_t)(r + ((r >> 15) & MLKEM_Q));
    return (uint16_t)r;
}

void mlkem_poly_reduce(mlkem_poly *p)
{
    for (int i = 0; i < MLKEM_N; i++)
        p->c[i] = barrett_reduce(p->c[i]);
}

void mlkem_poly_ntt(mlkem_poly *p)
{
#if TENON_X86_64
    if (cpu_has(TENON_CPU_AVX2)) {
        mlkem_ntt_avx2(p->c);
        return;
    }
#endif
    unsigned k = 1;
    for (unsigned len = 128; len >= 2; len >>= 1) {
        for (unsigned start = 0; start < MLKEM_N; start += 2 * len) {
            int16_t z = mlkem_zetas[k++];
            for (unsigned j = start; j < start + len; j++) {
                int16_t t = fqmul(z, p->c[j + len]);
                p->c[j + len] = (int16_t)(p->c[j] - t);
                p->c[j] = (int16_t)(p->c[j] + t);
            }
        }
    }
    /* Each of the seven layers adds less than q: |c| < 8q here. */
    mlkem_poly_reduce(p);
}

void mlkem_poly_invntt(mlkem_poly *p)
{
#if TENON_X86_64
    if (cpu_has(TENON_CPU_AVX2)) {
        mlkem_invntt_avx2(p->c);
        return;
    }
#endif
    unsigned k = 127;
    for (unsigned len = 2; len <= 128; len <<= 1) {
        for (unsigned start = 0; start < MLKEM_N; start += 2 * len) {
            int16_t z = mlkem_zetas[k--];
            for (unsigned j = start; j < start + len; j++) {
                int16_t t = p->c[j];
                p->c[j] = barrett_reduce((int16_t)(t + p->c[j + len]));
                p->c[j + len] = fqmul(z, (int16_t)(p->c[j + len] - t));
            }
        }
    }
    for (int j = 0; j < MLKEM_N; j++)
        p->c[j] = fqmul(p->c[j], MLKEM_INVNTT_F);
}

/* FIPS 203 Algorithm 12 BaseCaseMultiply on one pair, modulo X^2 - gamma (gamma in
 * Montgomery form), accumulated into r. */
static inline void basemul_pair(int16_t r[2], const int16_t a[2], const int16_t b[2], int16_t gamma)
{
    r[0] = (int16_t)(r[0] + fqmul(fqmul(a[1], b[1]), gamma) + fqmul(a[0], b[0]));
    r[1] = (int16_t)(r[1] + fqmul(a[0], b[1]) + fqmul(a[1], b[0]));
}

void mlkem_poly_basemul_acc(mlkem_poly *r, const mlkem_poly *a, const mlkem_poly *b)
{
#if TENON_X86_64
    if (cpu_has(TENON_CPU_AVX2)) {
        mlkem_basemul_acc_avx2(r->c, a->c, b->c);
        return;
    }
#endif
    /* FIPS 203 Algorithm 11: pair i is taken modulo X^2 - zeta^(2 BitRev7(i) + 1). For pairs
     * 2m and 2m + 1 these are zeta^BitRev7(64 + m) and its negative. */
    for (int m = 0; m < 64; m++) {
        int16_t z = mlkem_zetas[64 + m];
        basemul_pair(&r->c[4 * m], &a->c[4 * m], &b->c[4 * m], z);
        basemul_pair(&r->c[4 * m + 2], &a->c[4 * m + 2], &b->c[4 * m + 2], (int16_t)-z);
    }
}

void mlkem_poly_tomont(mlkem_poly *p)
{
    for (int i = 0; i < MLKEM_N; i++)
        p->c[i] = fqmul(p->c[i], MLKEM_R2);
}

void mlkem_poly_add(mlkem_poly *r, const mlkem_poly *a, const mlkem_poly *b)
{
    for (int i = 0; i < MLKEM_N; i++)
        r->c[i] = (int16_t)(a->c[i] + b->c[i]);
}

void mlkem_poly_sub(mlkem_poly *r, const mlkem_poly *a, const mlkem_poly *b)
{
    for (int i = 0; i < MLKEM_N; i++)
        r->c[i] = (int16_t)(a->c[i] - b->c[i]);
}

/* FIPS 203 Algorithms 5 and 6 for d in {4, 5, 10, 11, 12}: value i occupies bits d i .. d i +
 * d - 1 of the little-endian bit string. Eight values make exactly d bytes, so each group of
 * eight goes through one 128-bit accumulator (at most 96 bits used). The switch gives the
 * compiler a constant d to unroll each group with. */
static inline __attribute__((always_inline)) void pack_d(uint8_t *out, const uint16_t *v,
                                                         const unsigned d)
{
    for (int g = 0; g < MLKEM_N; g += 8, out += d) {
        unsigned __int128 acc = 0;
        for (unsigned i = 0; i < 8; i++)
            acc |= (unsigned __int128)v[g + (int)i] << (d * i);
        for (unsigned i = 0; i < d; i++)
            out[i] = (uint8_t)(acc >> (8 * i));
    }
}

static inline __attribute__((always_inline)) void unpack_d(uint16_t *v, const uint8_t *in,
                                                           const unsigned d)
{
    for (int g = 0; g < MLKEM_N; g += 8, in += d) {
        unsigned __int128 acc = 0;
        for (unsigned i = 0; i < d; i++)
            acc |= (unsigned __int128)in[i] << (8 * i);
        for (unsigned i = 0; i < 8; i++)
            v[g + (int)i] = (uint16_t)((uint16_t)(acc >> (d * i)) & ((1u << d) - 1));
    }
}

static void pack_bits(uint8_t *out, const uint16_t v[MLKEM_N], unsigned d)
{
    switch (d) {
    case 4:
        pack_d(out, v, 4);
        break;
    case 5:
        pack_d(out, v, 5);
        break;
    case 10:
        pack_d(out, v, 10);
        break;
    case 11:
        pack_d(out, v, 11);
        break;
    default:
        pack_d(out, v, 12);
        break;
    }
}

static void unpack_bits(uint16_t v[MLKEM_N], const uint8_t *in, unsigned d)
{
    switch (d) {
    case 4:
        unpack_d(v, in, 4);
        break;
    case 5:
        unpack_d(v, in, 5);
        break;
    case 10:
        unpack_d(v, in, 10);
        break;
    case 11:
        unpack_d(v, in, 11);
        break;
    default:
        unpack_d(v, in, 12);
        break;
    }
}

void mlkem_poly_encode12(uint8_t out[MLKEM_POLY_BYTES], const mlkem_poly *p)
{
#if TENON_X86_64
    if (cpu_has(TENON_CPU_AVX2)) {
        mlkem_compress_avx2(out, p->c, 12);
        return;
    }
#endif
    uint16_t v[MLKEM_N];
    for (int i = 0; i < MLKEM_N; i++)
        v[i] = to_canonical(p->c[i]);
    pack_bits(out, v, 12);
    tenon_wipe(v, sizeof v);
}

void mlkem_poly_decode12(mlkem_poly *p, const uint8_t in[MLKEM_POLY_BYTES])
{
#if TENON_X86_64
    if (cpu_has(TENON_CPU_AVX2)) {
        mlkem_decode12_avx2(p->c, in);
        return;
    }
#endif
    uint16_t v[MLKEM_N];
    unpack_bits(v, in, 12);
    /* A 12-bit value is below 2q: one conditional subtraction by mask. */
    for (int i = 0; i < MLKEM_N; i++) {
        int16_t x = (int16_t)(v[i] - MLKEM_Q);
        p->c[i] = (int16_t)(x + ((x >> 15) & MLKEM_Q));
    }
    tenon_wipe(v, sizeof v);
}

int mlkem_poly_decode12_check(mlkem_poly *p, const uint8_t in[MLKEM_POLY_BYTES])
{
#if TENON_X86_64
    if (cpu_has(TENON_CPU_AVX2))
        return mlkem_decode12_check_avx2(p->c, in);
#endif
    uint16_t v[MLKEM_N];
    unpack_bits(v, in, 12);
    uint16_t max = 0;
    for (int i = 0; i < MLKEM_N; i++) {
        p->c[i] = (int16_t)v[i];
        max = v[i] > max ? v[i] : max;
    }
    return max < MLKEM_Q ? 0 : -1;
}

uint16_t mlkem_compress_coeff(uint16_t x, unsigned d)
{
    uint64_t n = ((uint64_t)x << d) + MLKEM_Q / 2;
    return (uint16_t)(((n * MLKEM_COMPRESS_M) >> 29) & ((1u << d) - 1));
}

void mlkem_poly_compress(uint8_t *out, const mlkem_poly *p, unsigned d)
{
#if TENON_X86_64
    if (cpu_has(TENON_CPU_AVX2)) {
        mlkem_compress_avx2(out, p->c, d);
        return;
    }
#endif
    uint16_t v[MLKEM_N];
    for (int i = 0; i < MLKEM_N; i++)
        v[i] = mlkem_compress_coeff(to_canonical(p->c[i]), d);
    pack_bits(out, v, d);
    tenon_wipe(v, sizeof v);
}

void mlkem_poly_decompress(mlkem_poly *p, const uint8_t *in, unsigned d)
{
#if TENON_X86_64
    if (cpu_has(TENON_CPU_AVX2)) {
        mlkem_decompress_avx2(p->c, in, d);
        return;
    }
#endif
    uint16_t v[MLKEM_N];
    unpack_bits(v, in, d);
    /* FIPS 203 §4.2.1: Decompress_d(y) = round(q y / 2^d). */
    for (int i = 0; i < MLKEM_N; i++)
        p->c[i] = (int16_t)(((uint32_t)v[i] * MLKEM_Q + (1u << (d - 1))) >> d);
}

void mlkem_poly_from_msg(mlkem_poly *p, const uint8_t m[32])
{
#if TENON_X86_64
    if (cpu_has(TENON_CPU_AVX2)) {
        mlkem_from_msg_avx2(p->c, m);
        return;
    }
#endif
    for (int i = 0; i < MLKEM_N; i++) {
        uint16_t bit = (uint16_t)((m[i / 8] >> (i % 8)) & 1);
        p->c[i] = (int16_t)((0u - bit) & ((MLKEM_Q + 1) / 2));
    }
}

void mlkem_poly_to_msg(uint8_t m[32], const mlkem_poly *p)
{
#if TENON_X86_64
    if (cpu_has(TENON_CPU_AVX2)) {
        mlkem_to_msg_avx2(m, p->c);
        return;
    }
#endif
    memset(m, 0, 32);
    for (int i = 0; i < MLKEM_N; i++)
        m[i / 8] =
            (uint8_t)(m[i / 8] | (mlkem_compress_coeff(to_canonical(p->c[i]), 1) << (i % 8)));
}

/* FIPS 203 Algorithm 7 steps 4-14 on a buffer of XOF output: appends the accepted 12-bit
 * values to c[n..]; returns the new n (at most MLKEM_N). c must have room for MLKEM_N + 2
 * values: each candidate is stored unconditionally and kept by advancing n by the comparison,
 * which avoids a mispredicted branch per candidate (about one in five is rejected); a store
 * past the 256th value is scratch. rho is public, so the count may steer the loop. */
typedef struct sample_buf {
    int16_t c[MLKEM_N + 16]; /* the AVX2 step stores 8 values at a time */
} sample_buf;

static unsigned reject_sample(sample_buf *out, unsigned n, const uint8_t *buf, size_t len)
{
#if TENON_X86_64
    /* Every length here (3 or 1 SHAKE128 blocks) is a multiple of 24, and every buffer has 8
     * spare bytes. */
    if (cpu_has(TENON_CPU_AVX2))
        return mlkem_reject_avx2(out->c, n, buf, len);
#endif
    for (size_t pos = 0; pos + 3 <= len && n < MLKEM_N; pos += 3) {
        uint16_t d1 = (uint16_t)(buf[pos] | ((buf[pos + 1] & 0x0f) << 8));
        uint16_t d2 = (uint16_t)((buf[pos + 1] >> 4) | (buf[pos + 2] << 4));
        out->c[n] = (int16_t)d1;
        n += d1 < MLKEM_Q;
        out->c[n] = (int16_t)d2;
        n += d2 < MLKEM_Q;
    }
    return n < MLKEM_N ? n : MLKEM_N;
}

void mlkem_poly_sample_ntt(mlkem_poly *p, const uint8_t rho[32], uint8_t j, uint8_t i)
{
    uint8_t seed[34], buf[3 * SHAKE128_RATE + 8];
    memset(buf + 3 * SHAKE128_RATE, 0, 8);
    memcpy(seed, rho, 32);
    seed[32] = j;
    seed[33] = i;
    sha3_ctx ctx;
    shake128_init(&ctx);
    sha3_absorb(&ctx, seed, sizeof seed);
    /* Three blocks give 336 candidates, each accepted with probability q / 4096: enough for
     * 256 all but rarely; then one block (56 candidates) at a time. */
    shake_squeeze_blocks(&ctx, buf, 3);
    sample_buf out;
    unsigned n = reject_sample(&out, 0, buf, 3 * SHAKE128_RATE);
    while (n < MLKEM_N) {
        shake_squeeze_blocks(&ctx, buf, 1);
        n = reject_sample(&out, n, buf, SHAKE128_RATE);
    }
    memcpy(p->c, out.c, sizeof p->c);
}

/* FIPS 203 Algorithm 8 for eta = 2 on 128 bytes of PRF output. Coefficient i is
 * (b_4i + b_4i+1) - (b_4i+2 + b_4i+3) over the bits of buf: summing the bit pairs of a 32-bit
 * word at once gives eight 2-bit sums a and b per word. */
static void cbd2(mlkem_poly *p, const uint8_t buf[128])
{
    for (int w = 0; w < 32; w++) {
        uint32_t t = load_le32(buf + 4 * w);
        uint32_t s = (t & 0x55555555u) + ((t >> 1) & 0x55555555u);
        for (int j = 0; j < 8; j++) {
            int16_t a = (int16_t)((s >> (4 * j)) & 3);
            int16_t b = (int16_t)((s >> (4 * j + 2)) & 3);
            p->c[8 * w + j] = (int16_t)(a - b);
        }
    }
}

void mlkem_poly_sample_cbd2(mlkem_poly *p, const uint8_t sigma[32], uint8_t nonce)
{
    uint8_t seed[33], buf[128];
    memcpy(seed, sigma, 32);
    seed[32] = nonce;
    /* FIPS 203 §4.1 (4.3): PRF_eta(s, b) = SHAKE256(s || b, 64 eta). */
    shake256(buf, sizeof buf, seed, sizeof seed);
    cbd2(p, buf);
    tenon_wipe(seed, sizeof seed);
    tenon_wipe(buf, sizeof buf);
}

void mlkem_poly_sample_ntt_x4(mlkem_poly *const p[4], const uint8_t rho[32], const uint8_t j[4],
                              const uint8_t i[4])
{
#if TENON_X86_64
    if (cpu_has(TENON_CPU_AVX2)) {
        uint8_t seeds[4][34], buf[4][3 * SHAKE128_RATE + 8];
        const uint8_t *in[4];
        uint8_t *out[4];
        unsigned n[4];
        for (int k = 0; k < 4; k++) {
            memset(buf[k] + 3 * SHAKE128_RATE, 0, 8);
            memcpy(seeds[k], rho, 32);
            seeds[k][32] = j[k];
            seeds[k][33] = i[k];
            in[k] = seeds[k];
            out[k] = buf[k];
        }
        keccak_x4 s;
        keccak_x4_absorb_shake(&s, SHAKE128_RATE, in, sizeof seeds[0]);
        keccak_x4_squeeze_blocks_avx2(&s, SHAKE128_RATE, out, 3);
        int more = 0;
        sample_buf res[4];
        for (int k = 0; k < 4; k++) {
            n[k] = p[k] != NULL ? reject_sample(&res[k], 0, buf[k], 3 * SHAKE128_RATE) : MLKEM_N;
            more |= n[k] < MLKEM_N;
        }
        /* Rarely: one more block of all four until each has its 256 values. */
        while (more) {
            keccak_x4_squeeze_blocks_avx2(&s, SHAKE128_RATE, out, 1);
            more = 0;
            for (int k = 0; k < 4; k++) {
                if (n[k] < MLKEM_N)
                    n[k] = reject_sample(&res[k], n[k], buf[k], SHAKE128_RATE);
                more |= n[k] < MLKEM_N;
            }
        }
        for (int k = 0; k < 4; k++)
            if (p[k] != NULL)
                memcpy(p[k]->c, res[k].c, sizeof p[k]->c);
        return;
    }
#endif
    for (int k = 0; k < 4; k++)
        if (p[k] != NULL)
            mlkem_poly_sample_ntt(p[k], rho, j[k], i[k]);
}

void mlkem_poly_sample_cbd2_x4(mlkem_poly *const p[4], const uint8_t sigma[32],
                               const uint8_t nonce[4])
{
#if TENON_X86_64
    if (cpu_has(TENON_CPU_AVX2)) {
        uint8_t seeds[4][33], buf[4][SHAKE256_RATE];
        const uint8_t *in[4];
        uint8_t *out[4];
        for (int k = 0; k < 4; k++) {
            memcpy(seeds[k], sigma, 32);
            seeds[k][32] = nonce[k];
            in[k] = seeds[k];
            out[k] = buf[k];
        }
        keccak_x4 s;
        keccak_x4_absorb_shake(&s, SHAKE256_RATE, in, sizeof seeds[0]);
        /* One block of 136 bytes holds the 128 that CBD_2 takes. */
        keccak_x4_squeeze_blocks_avx2(&s, SHAKE256_RATE, out, 1);
        for (int k = 0; k < 4; k++)
            if (p[k] != NULL)
                cbd2(p[k], buf[k]);
        tenon_wipe(seeds, sizeof seeds);
        tenon_wipe(buf, sizeof buf);
        tenon_wipe(&s, sizeof s);
        return;
    }
#endif
    for (int k = 0; k < 4; k++)
        if (p[k] != NULL)
            mlkem_poly_sample_cbd2(p[k], sigma, nonce[k]);
}
