/*
 * ML-KEM's compression and byte encodings with AVX2 (FIPS 203 §4.2.1, Algorithms 5 and 6):
 * ByteEncode_d(Compress_d(f)) and Decompress_d(ByteDecode_d(b)) for d = 1, 4, 5, 10, 11, and
 * ByteEncode12/ByteDecode12, on the natural coefficient order of mlkem_poly.c, whose functions
 * call these when cpu_has(TENON_CPU_AVX2). Results are byte-for-byte those of the portable code
 * (tests/test_mlkem.c compares them over every coefficient value and on random polynomials).
 *
 * Why it is built this way:
 * - Compress_d(x) = round(2^d x / q) without a division (KyberSlash): an estimate
 *   t0 = round(x M / 2^12) with M = round(2^(12 + d) / q) (one mulhrs) is off from the true
 *   t = floor((2^d x + 1664) / q) by at most one (|x M / 2^12 - 2^d x / q| < 0.38 for x < q);
 *   the remainder r = 2^d x + 1664 - t0 q lies in [-q, 2q), so it is exact in 16 bits even
 *   though 2^d x is not, and t = t0 + [r >= q] - [r < 0] by two comparisons. Exact by
 *   construction, not just on the tested values.
 * - Decompress_d(y) = (q y + 2^(d-1)) >> d is one mulhrs of y 2^(15 - d) by q.
 * - Packing d-bit values: one madd joins neighbouring pairs into 2d-bit dwords, a variable dword
 *   shift and a qword shift join those into 4d-bit qwords, and two qword shifts join the halves
 *   of each 128-bit lane, which then holds its eight values in its first d bytes. Unpacking
 *   gathers the (at most three) bytes of each value into a dword with one byte shuffle and
 *   shifts each dword by its own bit offset.
 * - Every step is a fixed sequence of lane operations: no branch, no table index, no division
 *   depends on a coefficient or a byte. The byte shuffles' controls depend on d alone.
 */
#include "mlkem_poly.h"

#include "../common.h"
#include "ct.h"
#include "tenon/crypto.h"

#if TENON_X86_64

#include <immintrin.h>

#define AVX2 TENON_TARGET("avx2")
#define ALWAYS_INLINE inline __attribute__((always_inline))

/* Canonical representative 0 <= c < q of any int16: the portable Barrett reduction
 * (round(2^26 / q), rounding shift) to the centred range, then q added to a negative value. */
AVX2 static ALWAYS_INLINE __m256i canonical_v(__m256i a)
{
    __m256i t = _mm256_mulhi_epi16(a, _mm256_set1_epi16(20159));
    t = _mm256_mulhrs_epi16(t, _mm256_set1_epi16(1 << 5));
    a = _mm256_sub_epi16(a, _mm256_mullo_epi16(t, _mm256_set1_epi16(MLKEM_Q)));
    return _mm256_add_epi16(a,
                            _mm256_and_si256(_mm256_srai_epi16(a, 15), _mm256_set1_epi16(MLKEM_Q)));
}

/* Compress_d of sixteen canonical coefficients (see the top of the file). */
AVX2 static ALWAYS_INLINE __m256i compress_v(__m256i x, const unsigned d)
{
    const int16_t m = (int16_t)(((1u << (12 + d + 1)) / MLKEM_Q + 1) / 2);
    __m256i t = _mm256_mulhrs_epi16(_mm256_slli_epi16(x, 3), _mm256_set1_epi16(m));
    __m256i r = _mm256_add_epi16(_mm256_slli_epi16(x, (int)d), _mm256_set1_epi16(MLKEM_Q / 2));
    r = _mm256_sub_epi16(r, _mm256_mullo_epi16(t, _mm256_set1_epi16(MLKEM_Q)));
    t = _mm256_sub_epi16(t, _mm256_cmpgt_epi16(r, _mm256_set1_epi16(MLKEM_Q - 1)));
    t = _mm256_add_epi16(t, _mm256_srai_epi16(r, 15));
    return _mm256_and_si256(t, _mm256_set1_epi16((int16_t)((1u << d) - 1)));
}

/* Sixteen d-bit values (d <= 12) packed: bytes 0 .. d-1 of each 128-bit lane hold the eight
 * values of that lane, little-endian bit order (FIPS 203 Algorithm 5). */
AVX2 static ALWAYS_INLINE __m256i pack_v(__m256i t, const unsigned d)
{
    /* dword i = t_2i + t_2i+1 2^d */
    __m256i v = _mm256_madd_epi16(t, _mm256_set1_epi32((int)(1u | (1u << (16 + d)))));
    /* qword i = dword_2i + dword_2i+1 2^(2d): the low dword moved up by 32 - 2d, the qword
     * shifted down by as much. */
    v = _mm256_sllv_epi32(v, _mm256_set1_epi64x((long long)(32 - 2 * d)));
    v = _mm256_srli_epi64(v, (int)(32 - 2 * d));
    /* 128-bit lane = qword_0 + qword_1 2^(4d). */
    __m256i up = _mm256_slli_epi64(_mm256_bsrli_epi128(v, 8), (int)(4 * d));
    __m256i hi = _mm256_srli_epi64(v, (int)(64 - 4 * d));
    return _mm256_or_si256(_mm256_blend_epi32(v, hi, 0xcc), up);
}

/* Eight d-bit values (d <= 12) from the first d bytes of src (which must be readable for 16
 * bytes), one per dword. */
AVX2 static ALWAYS_INLINE __m256i unpack8_v(const uint8_t *src, const unsigned d)
{
#define B(i, k) (char)((d * (i)) / 8 + (k))
#define C(i) B(i, 0), B(i, 1), B(i, 2), (char)0x80
    const __m256i ctl = _mm256_setr_epi8(C(0), C(1), C(2), C(3), C(4), C(5), C(6), C(7));
#undef C
#undef B
    const __m256i sh = _mm256_setr_epi32((int)((d * 0) % 8), (int)((d * 1) % 8), (int)((d * 2) % 8),
                                         (int)((d * 3) % 8), (int)((d * 4) % 8), (int)((d * 5) % 8),
                                         (int)((d * 6) % 8), (int)((d * 7) % 8));
    /* Both lanes see the same 16 bytes; the controls of the upper lane name the bytes of the
     * values 4-7, which lie within the first 12. */
    __m256i v = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)src));
    v = _mm256_shuffle_epi8(v, ctl);
    v = _mm256_srlv_epi32(v, sh);
    return _mm256_and_si256(v, _mm256_set1_epi32((int)((1u << d) - 1)));
}

/* Sixteen d-bit values from 2d bytes (readable for d + 16), one per 16-bit lane in order. */
AVX2 static ALWAYS_INLINE __m256i unpack16_v(const uint8_t *src, const unsigned d)
{
    __m256i a = unpack8_v(src, d), b = unpack8_v(src + d, d);
    /* packus works per 128-bit lane: a0-3 b0-3 | a4-7 b4-7; the qword permute restores the
     * order a0-7 b0-7. */
    return _mm256_permute4x64_epi64(_mm256_packus_epi32(a, b), 0xd8);
}

AVX2 static ALWAYS_INLINE void compress_d(uint8_t *out, const int16_t c[MLKEM_N], const unsigned d)
{
    /* Each register leaves d bytes in each lane; the two 16-byte stores overlap, so the last
     * ones land in a buffer with room to spare. */
    uint8_t buf[32 * 12 + 16];
    for (int g = 0; g < MLKEM_N / 16; g++) {
        __m256i x = canonical_v(_mm256_loadu_si256((const __m256i *)(c + 16 * g)));
        __m256i v = pack_v(d == 12 ? x : compress_v(x, d), d);
        _mm_storeu_si128((__m128i *)(buf + 2 * d * (unsigned)g), _mm256_castsi256_si128(v));
        _mm_storeu_si128((__m128i *)(buf + 2 * d * (unsigned)g + d),
                         _mm256_extracti128_si256(v, 1));
    }
    memcpy(out, buf, 32 * d);
    tenon_wipe(buf, sizeof buf);
}

AVX2 void mlkem_compress_avx2(uint8_t *out, const int16_t c[MLKEM_N], unsigned d)
{
    switch (d) {
    case 4:
        compress_d(out, c, 4);
        break;
    case 5:
        compress_d(out, c, 5);
        break;
    case 10:
        compress_d(out, c, 10);
        break;
    case 11:
        compress_d(out, c, 11);
        break;
    default:
        compress_d(out, c, 12);
        break;
    }
}

/* ByteDecode_d of 32 d bytes into v[0..255] (d-bit values). */
AVX2 static ALWAYS_INLINE void decode_d(int16_t v[MLKEM_N], const uint8_t *in, const unsigned d)
{
    /* The last group reads 16 bytes from its start: a copy with room to spare. */
    uint8_t buf[32 * 12 + 16];
    memcpy(buf, in, 32 * d);
    memset(buf + 32 * d, 0, 16);
    for (int g = 0; g < MLKEM_N / 16; g++) {
        __m256i y = unpack16_v(buf + 2 * d * (unsigned)g, d);
        if (d != 12)
            /* FIPS 203 §4.2.1: Decompress_d(y) = round(q y / 2^d) = (q y + 2^(d-1)) >> d. */
            y = _mm256_mulhrs_epi16(_mm256_slli_epi16(y, (int)(15 - d)),
                                    _mm256_set1_epi16(MLKEM_Q));
        _mm256_storeu_si256((__m256i *)(v + 16 * g), y);
    }
    tenon_wipe(buf, sizeof buf);
}

AVX2 void mlkem_decompress_avx2(int16_t c[MLKEM_N], const uint8_t *in, unsigned d)
{
    switch (d) {
    case 4:
        decode_d(c, in, 4);
        break;
    case 5:
        decode_d(c, in, 5);
        break;
    case 10:
        decode_d(c, in, 10);
        break;
    case 11:
        decode_d(c, in, 11);
        break;
    default:
        decode_d(c, in, 12);
        break;
    }
}

AVX2 void mlkem_decode12_avx2(int16_t c[MLKEM_N], const uint8_t in[MLKEM_POLY_BYTES])
{
    decode_d(c, in, 12);
    /* A 12-bit value is below 2q: one subtraction of q, undone where it went negative. */
    const __m256i q = _mm256_set1_epi16(MLKEM_Q);
    for (int g = 0; g < MLKEM_N / 16; g++) {
        __m256i x = _mm256_sub_epi16(_mm256_loadu_si256((const __m256i *)(c + 16 * g)), q);
        x = _mm256_add_epi16(x, _mm256_and_si256(_mm256_srai_epi16(x, 15), q));
        _mm256_storeu_si256((__m256i *)(c + 16 * g), x);
    }
}

AVX2 int mlkem_decode12_check_avx2(int16_t c[MLKEM_N], const uint8_t in[MLKEM_POLY_BYTES])
{
    decode_d(c, in, 12);
    /* ek is public: the result may be a branch. */
    __m256i bad = _mm256_setzero_si256();
    const __m256i qm1 = _mm256_set1_epi16(MLKEM_Q - 1);
    for (int g = 0; g < MLKEM_N / 16; g++)
        bad = _mm256_or_si256(
            bad, _mm256_cmpgt_epi16(_mm256_loadu_si256((const __m256i *)(c + 16 * g)), qm1));
    return _mm256_testz_si256(bad, bad) ? 0 : -1;
}

AVX2 void mlkem_to_msg_avx2(uint8_t m[32], const int16_t c[MLKEM_N])
{
    /* Compress_1 leaves 0 or 1 in each 16-bit lane; two registers packed to bytes (per-lane
     * order fixed by the qword permute) and shifted to each byte's top bit give 32 message
     * bits to movemask, coefficient i at bit i (ByteEncode_1). */
    for (int g = 0; g < MLKEM_N / 32; g++) {
        __m256i a = compress_v(canonical_v(_mm256_loadu_si256((const __m256i *)(c + 32 * g))), 1);
        __m256i b =
            compress_v(canonical_v(_mm256_loadu_si256((const __m256i *)(c + 32 * g + 16))), 1);
        __m256i v = _mm256_permute4x64_epi64(_mm256_packus_epi16(a, b), 0xd8);
        uint32_t bits = (uint32_t)_mm256_movemask_epi8(_mm256_slli_epi16(v, 7));
        store_le32(m + 4 * g, bits);
    }
}

AVX2 void mlkem_from_msg_avx2(int16_t c[MLKEM_N], const uint8_t m[32])
{
    /* Decompress_1: each bit becomes 0 or 1665, through a mask from comparing the broadcast
     * message bytes, each lane with its own bit. */
    const __m256i sel = _mm256_setr_epi16(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096,
                                          8192, 16384, (short)-32768);
    const __m256i half = _mm256_set1_epi16((MLKEM_Q + 1) / 2);
    for (int g = 0; g < MLKEM_N / 16; g++) {
        __m256i w = _mm256_set1_epi16((short)(m[2 * g] | (m[2 * g + 1] << 8)));
        __m256i on = _mm256_cmpeq_epi16(_mm256_and_si256(w, sel), sel);
        _mm256_storeu_si256((__m256i *)(c + 16 * g), _mm256_and_si256(on, half));
    }
}

#endif
