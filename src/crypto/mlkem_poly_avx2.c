/*
 * ML-KEM ring arithmetic with AVX2: the NTT, its inverse and the NTT-domain multiplication
 * (FIPS 203 Algorithms 9-12) on sixteen 16-bit coefficients per register, for the same natural
 * coefficient order as mlkem_poly.c (no data layout of its own, so results are interchangeable
 * with the portable code's and every caller stays unchanged).
 *
 * Why it is built this way:
 * - A Montgomery product is mullo/mulhi of the operands, then mullo by q^-1 and mulhi by q:
 *   hi(a b) - hi(t q) with t = lo(a b) q^-1 is exactly the portable mont_reduce. Barrett
 *   reduction is mulhi by round(2^26 / q) and a rounding shift by 10 (mulhrs by 2^5): the same
 *   range as the portable one (|r| <= 1664, checked over all of int16). No branch, no table
 *   index, no division depends on a coefficient.
 * - The NTT layers with len >= 16 pair whole registers with one broadcast zeta. The last three
 *   (len 8, 4, 2) pair coefficients inside a register: two neighbouring registers are regrouped
 *   (128-bit halves, then 64-bit interleaves, then 64-bit interleaves of dword-shuffled
 *   registers) so that every "j" coefficient sits in
 *   one register and its "j + len" partner in the same lane of another; the zetas for that
 *   arrangement are the tables below, generated from zetas[] of mlkem_poly.c (FIPS 203
 *   Appendix A times R); the inverse undoes the regrouping the same way.
 * - BaseCaseMultiply keeps the (even, odd) pairs where they are: with S swapping neighbouring
 *   lanes, the even result a0 b0 + gamma a1 b1 is P + S(P gamma) and the odd a0 b1 + a1 b0 is
 *   Q + S(Q) for P = a b and Q = a S(b), blended by lane parity.
 */
#include "mlkem_poly.h"

#include "../common.h"

#if TENON_X86_64

#include <immintrin.h>

/* Zetas (times R, centred) for the regrouped registers of layers 8, 4 and 2 of the NTT (fwd) and
 * the inverse NTT (inv), register pair p = coefficients 32 p .. 32 p + 31; and the basemul
 * gammas, zeta^(2 BitRev7(i) + 1) R on the odd lane of each pair. */
static const int16_t zv_fwd8[8][16] __attribute__((aligned(32))) = {
    {573, 573, 573, 573, 573, 573, 573, 573, -1325, -1325, -1325, -1325, -1325, -1325, -1325,
     -1325},
    {264, 264, 264, 264, 264, 264, 264, 264, 383, 383, 383, 383, 383, 383, 383, 383},
    {-829, -829, -829, -829, -829, -829, -829, -829, 1458, 1458, 1458, 1458, 1458, 1458, 1458,
     1458},
    {-1602, -1602, -1602, -1602, -1602, -1602, -1602, -1602, -130, -130, -130, -130, -130, -130,
     -130, -130},
    {-681, -681, -681, -681, -681, -681, -681, -681, 1017, 1017, 1017, 1017, 1017, 1017, 1017,
     1017},
    {732, 732, 732, 732, 732, 732, 732, 732, 608, 608, 608, 608, 608, 608, 608, 608},
    {-1542, -1542, -1542, -1542, -1542, -1542, -1542, -1542, 411, 411, 411, 411, 411, 411, 411,
     411},
    {-205, -205, -205, -205, -205, -205, -205, -205, -1571, -1571, -1571, -1571, -1571, -1571,
     -1571, -1571},
};
static const int16_t zv_fwd4[8][16] __attribute__((aligned(32))) = {
    {1223, 1223, 1223, 1223, -552, -552, -552, -552, 652, 652, 652, 652, 1015, 1015, 1015, 1015},
    {-1293, -1293, -1293, -1293, -282, -282, -282, -282, 1491, 1491, 1491, 1491, -1544, -1544,
     -1544, -1544},
    {516, 516, 516, 516, -320, -320, -320, -320, -8, -8, -8, -8, -666, -666, -666, -666},
    {-1618, -1618, -1618, -1618, 126, 126, 126, 126, -1162, -1162, -1162, -1162, 1469, 1469, 1469,
     1469},
    {-853, -853, -853, -853, -271, -271, -271, -271, -90, -90, -90, -90, 830, 830, 830, 830},
    {107, 107, 107, 107, -247, -247, -247, -247, -1421, -1421, -1421, -1421, -951, -951, -951,
     -951},
    {-398, -398, -398, -398, -1508, -1508, -1508, -1508, 961, 961, 961, 961, -725, -725, -725,
     -725},
    {448, 448, 448, 448, 677, 677, 677, 677, -1065, -1065, -1065, -1065, -1275, -1275, -1275,
     -1275},
};
static const int16_t zv_fwd2[8][16] __attribute__((aligned(32))) = {
    {-1103, -1103, 430, 430, -1251, -1251, 871, 871, 555, 555, 843, 843, 1550, 1550, 105, 105},
    {422, 422, 587, 587, -291, -291, -460, -460, 177, 177, -235, -235, 1574, 1574, 1653, 1653},
    {-246, -246, 778, 778, -777, -777, 1483, 1483, 1159, 1159, -147, -147, -602, -602, 1119, 1119},
    {-1590, -1590, 644, 644, 418, 418, 329, 329, -872, -872, 349, 349, -156, -156, -75, -75},
    {817, 817, 1097, 1097, 1322, 1322, -1285, -1285, 603, 603, 610, 610, -1465, -1465, 384, 384},
    {-1215, -1215, -136, -136, -874, -874, 220, 220, 1218, 1218, -1335, -1335, -1187, -1187, -1659,
     -1659},
    {-1185, -1185, -1530, -1530, -1510, -1510, -854, -854, -1278, -1278, 794, 794, -870, -870, 478,
     478},
    {-108, -108, -308, -308, 958, 958, -1460, -1460, 996, 996, 991, 991, 1522, 1522, 1628, 1628},
};
static const int16_t zv_inv8[8][16] __attribute__((aligned(32))) = {
    {-1571, -1571, -1571, -1571, -1571, -1571, -1571, -1571, -205, -205, -205, -205, -205, -205,
     -205, -205},
    {411, 411, 411, 411, 411, 411, 411, 411, -1542, -1542, -1542, -1542, -1542, -1542, -1542,
     -1542},
    {608, 608, 608, 608, 608, 608, 608, 608, 732, 732, 732, 732, 732, 732, 732, 732},
    {1017, 1017, 1017, 1017, 1017, 1017, 1017, 1017, -681, -681, -681, -681, -681, -681, -681,
     -681},
    {-130, -130, -130, -130, -130, -130, -130, -130, -1602, -1602, -1602, -1602, -1602, -1602,
     -1602, -1602},
    {1458, 1458, 1458, 1458, 1458, 1458, 1458, 1458, -829, -829, -829, -829, -829, -829, -829,
     -829},
    {383, 383, 383, 383, 383, 383, 383, 383, 264, 264, 264, 264, 264, 264, 264, 264},
    {-1325, -1325, -1325, -1325, -1325, -1325, -1325, -1325, 573, 573, 573, 573, 573, 573, 573,
     573},
};
static const int16_t zv_inv4[8][16] __attribute__((aligned(32))) = {
    {-1275, -1275, -1275, -1275, -1065, -1065, -1065, -1065, 677, 677, 677, 677, 448, 448, 448,
     448},
    {-725, -725, -725, -725, 961, 961, 961, 961, -1508, -1508, -1508, -1508, -398, -398, -398,
     -398},
    {-951, -951, -951, -951, -1421, -1421, -1421, -1421, -247, -247, -247, -247, 107, 107, 107,
     107},
    {830, 830, 830, 830, -90, -90, -90, -90, -271, -271, -271, -271, -853, -853, -853, -853},
    {1469, 1469, 1469, 1469, -1162, -1162, -1162, -1162, 126, 126, 126, 126, -1618, -1618, -1618,
     -1618},
    {-666, -666, -666, -666, -8, -8, -8, -8, -320, -320, -320, -320, 516, 516, 516, 516},
    {-1544, -1544, -1544, -1544, 1491, 1491, 1491, 1491, -282, -282, -282, -282, -1293, -1293,
     -1293, -1293},
    {1015, 1015, 1015, 1015, 652, 652, 652, 652, -552, -552, -552, -552, 1223, 1223, 1223, 1223},
};
static const int16_t zv_inv2[8][16] __attribute__((aligned(32))) = {
    {1628, 1628, 1522, 1522, 991, 991, 996, 996, -1460, -1460, 958, 958, -308, -308, -108, -108},
    {478, 478, -870, -870, 794, 794, -1278, -1278, -854, -854, -1510, -1510, -1530, -1530, -1185,
     -1185},
    {-1659, -1659, -1187, -1187, -1335, -1335, 1218, 1218, 220, 220, -874, -874, -136, -136, -1215,
     -1215},
    {384, 384, -1465, -1465, 610, 610, 603, 603, -1285, -1285, 1322, 1322, 1097, 1097, 817, 817},
    {-75, -75, -156, -156, 349, 349, -872, -872, 329, 329, 418, 418, 644, 644, -1590, -1590},
    {1119, 1119, -602, -602, -147, -147, 1159, 1159, 1483, 1483, -777, -777, 778, 778, -246, -246},
    {1653, 1653, 1574, 1574, -235, -235, 177, 177, -460, -460, -291, -291, 587, 587, 422, 422},
    {105, 105, 1550, 1550, 843, 843, 555, 555, 871, 871, -1251, -1251, 430, 430, -1103, -1103},
};
static const int16_t zv_basemul[16][16] __attribute__((aligned(32))) = {
    {0, -1103, 0, 1103, 0, 430, 0, -430, 0, 555, 0, -555, 0, 843, 0, -843},
    {0, -1251, 0, 1251, 0, 871, 0, -871, 0, 1550, 0, -1550, 0, 105, 0, -105},
    {0, 422, 0, -422, 0, 587, 0, -587, 0, 177, 0, -177, 0, -235, 0, 235},
    {0, -291, 0, 291, 0, -460, 0, 460, 0, 1574, 0, -1574, 0, 1653, 0, -1653},
    {0, -246, 0, 246, 0, 778, 0, -778, 0, 1159, 0, -1159, 0, -147, 0, 147},
    {0, -777, 0, 777, 0, 1483, 0, -1483, 0, -602, 0, 602, 0, 1119, 0, -1119},
    {0, -1590, 0, 1590, 0, 644, 0, -644, 0, -872, 0, 872, 0, 349, 0, -349},
    {0, 418, 0, -418, 0, 329, 0, -329, 0, -156, 0, 156, 0, -75, 0, 75},
    {0, 817, 0, -817, 0, 1097, 0, -1097, 0, 603, 0, -603, 0, 610, 0, -610},
    {0, 1322, 0, -1322, 0, -1285, 0, 1285, 0, -1465, 0, 1465, 0, 384, 0, -384},
    {0, -1215, 0, 1215, 0, -136, 0, 136, 0, 1218, 0, -1218, 0, -1335, 0, 1335},
    {0, -874, 0, 874, 0, 220, 0, -220, 0, -1187, 0, 1187, 0, -1659, 0, 1659},
    {0, -1185, 0, 1185, 0, -1530, 0, 1530, 0, -1278, 0, 1278, 0, 794, 0, -794},
    {0, -1510, 0, 1510, 0, -854, 0, 854, 0, -870, 0, 870, 0, 478, 0, -478},
    {0, -108, 0, 108, 0, -308, 0, 308, 0, 996, 0, -996, 0, 991, 0, -991},
    {0, 958, 0, -958, 0, -1460, 0, 1460, 0, 1522, 0, -1522, 0, 1628, 0, -1628},
};

#define AVX2 TENON_TARGET("avx2")

AVX2 static inline __m256i fqmul_v(__m256i a, __m256i b)
{
    __m256i lo = _mm256_mullo_epi16(a, b), hi = _mm256_mulhi_epi16(a, b);
    __m256i t = _mm256_mullo_epi16(lo, _mm256_set1_epi16((int16_t)62209));
    t = _mm256_mulhi_epi16(t, _mm256_set1_epi16(MLKEM_Q));
    return _mm256_sub_epi16(hi, t);
}

AVX2 static inline __m256i barrett_v(__m256i a)
{
    __m256i t = _mm256_mulhi_epi16(a, _mm256_set1_epi16(20159));
    t = _mm256_mulhrs_epi16(t, _mm256_set1_epi16(1 << 5));
    return _mm256_sub_epi16(a, _mm256_mullo_epi16(t, _mm256_set1_epi16(MLKEM_Q)));
}

AVX2 static inline __m256i load(const int16_t *p)
{
    return _mm256_loadu_si256((const __m256i *)p);
}

AVX2 static inline void store(int16_t *p, __m256i v)
{
    _mm256_storeu_si256((__m256i *)p, v);
}

/* Cooley-Tukey butterfly: a, b = a + z b, a - z b. */
#define CT(a, b, z)                                                                                \
    do {                                                                                           \
        __m256i t_ = fqmul_v((b), (z));                                                            \
        (b) = _mm256_sub_epi16((a), t_);                                                           \
        (a) = _mm256_add_epi16((a), t_);                                                           \
    } while (0)

/* Gentleman-Sande butterfly: a, b = a + b (reduced), z (b - a). */
#define GS(a, b, z)                                                                                \
    do {                                                                                           \
        __m256i t_ = (a);                                                                          \
        (a) = barrett_v(_mm256_add_epi16(t_, (b)));                                                \
        (b) = fqmul_v(_mm256_sub_epi16((b), t_), (z));                                             \
    } while (0)

/* The regroupings of two neighbouring registers x, y (coefficients 32 p .. 32 p + 31) for the
 * layers len = 8, 4, 2: a gets every "j" coefficient and b its "j + len" partner in the same
 * lane; the ungroup functions put them back. len = 2 first puts the dwords of each half in the
 * order 0 2 1 3, so that the 64-bit interleave pairs dword 0 with 1 and 2 with 3. */
AVX2 static inline void group8(__m256i x, __m256i y, __m256i *a, __m256i *b)
{
    *a = _mm256_permute2x128_si256(x, y, 0x20);
    *b = _mm256_permute2x128_si256(x, y, 0x31);
}

AVX2 static inline void group4(__m256i x, __m256i y, __m256i *a, __m256i *b)
{
    *a = _mm256_unpacklo_epi64(x, y);
    *b = _mm256_unpackhi_epi64(x, y);
}

AVX2 static inline void group2(__m256i x, __m256i y, __m256i *a, __m256i *b)
{
    group4(_mm256_shuffle_epi32(x, 0xd8), _mm256_shuffle_epi32(y, 0xd8), a, b);
}

/* group8 and group4 are their own inverses (as functions of the pair). */
AVX2 static inline void ungroup2(__m256i a, __m256i b, __m256i *x, __m256i *y)
{
    group4(a, b, x, y);
    *x = _mm256_shuffle_epi32(*x, 0xd8);
    *y = _mm256_shuffle_epi32(*y, 0xd8);
}

AVX2 void mlkem_ntt_avx2(int16_t c[MLKEM_N])
{
    __m256i v[16];
    for (int i = 0; i < 16; i++)
        v[i] = load(c + 16 * i);
    /* len = 128, 64, 32, 16: whole registers, zetas[1 .. 15]. */
    unsigned k = 1;
    for (int len = 8; len >= 1; len >>= 1)
        for (int start = 0; start < 16; start += 2 * len) {
            __m256i z = _mm256_set1_epi16(mlkem_zetas[k++]);
            for (int j = start; j < start + len; j++)
                CT(v[j], v[j + len], z);
        }
    for (int p = 0; p < 8; p++) {
        __m256i x = v[2 * p], y = v[2 * p + 1], a, b;
        group8(x, y, &a, &b);
        CT(a, b, load(zv_fwd8[p]));
        group8(a, b, &x, &y);
        group4(x, y, &a, &b);
        CT(a, b, load(zv_fwd4[p]));
        group4(a, b, &x, &y);
        group2(x, y, &a, &b);
        CT(a, b, load(zv_fwd2[p]));
        ungroup2(a, b, &x, &y);
        store(c + 32 * p, barrett_v(x));
        store(c + 32 * p + 16, barrett_v(y));
    }
}

AVX2 void mlkem_invntt_avx2(int16_t c[MLKEM_N])
{
    __m256i v[16];
    for (int p = 0; p < 8; p++) {
        __m256i x = load(c + 32 * p), y = load(c + 32 * p + 16), a, b;
        group2(x, y, &a, &b);
        GS(a, b, load(zv_inv2[p]));
        ungroup2(a, b, &x, &y);
        group4(x, y, &a, &b);
        GS(a, b, load(zv_inv4[p]));
        group4(a, b, &x, &y);
        group8(x, y, &a, &b);
        GS(a, b, load(zv_inv8[p]));
        group8(a, b, &v[2 * p], &v[2 * p + 1]);
    }
    /* len = 16, 32, 64, 128: zetas[15 .. 1]. */
    unsigned k = 15;
    for (int len = 1; len <= 8; len <<= 1)
        for (int start = 0; start < 16; start += 2 * len) {
            __m256i z = _mm256_set1_epi16(mlkem_zetas[k--]);
            for (int j = start; j < start + len; j++)
                GS(v[j], v[j + len], z);
        }
    /* Times 1/128 and R (FIPS 203 Algorithm 10 step 14; see mlkem_poly.c). */
    __m256i f = _mm256_set1_epi16(1441);
    for (int i = 0; i < 16; i++)
        store(c + 16 * i, fqmul_v(v[i], f));
}

AVX2 void mlkem_basemul_acc_avx2(int16_t r[MLKEM_N], const int16_t a[MLKEM_N],
                                 const int16_t b[MLKEM_N])
{
    const __m256i swap = _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2,
                                          3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
    for (int i = 0; i < 16; i++) {
        __m256i va = load(a + 16 * i), vb = load(b + 16 * i);
        __m256i p = fqmul_v(va, vb);
        __m256i q = fqmul_v(va, _mm256_shuffle_epi8(vb, swap));
        __m256i pg = fqmul_v(p, load(zv_basemul[i]));
        __m256i even = _mm256_add_epi16(p, _mm256_shuffle_epi8(pg, swap));
        __m256i odd = _mm256_add_epi16(q, _mm256_shuffle_epi8(q, swap));
        __m256i prod = _mm256_blend_epi16(even, odd, 0xAA);
        store(r + 16 * i, _mm256_add_epi16(load(r + 16 * i), prod));
    }
}

#endif
