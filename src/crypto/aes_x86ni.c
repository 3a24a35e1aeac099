/*
 * AES with the AES-NI instructions (FIPS 197; modes of SP 800-38A).
 *
 * AESENC/AESDEC perform a whole round in the execution unit, in constant time and without any
 * table in memory, so this implementation is both the fastest and free of cache-timing leaks.
 * An AESENC has a latency of several cycles but a throughput of one or two per cycle: the modes
 * without a dependency between blocks (ECB, CBC decryption, CTR) therefore keep eight blocks in
 * flight. CBC encryption chains every block on the previous one and stays serial.
 *
 * Round keys live in aes_key.sched in the layout documented in aes.h (the AES-NI and VAES GCM
 * code reads them directly): encryption keys at byte 0, AESDEC keys at byte 240.
 */
#include "../common.h"
#include "aes.h"
#include "cpu.h"
#include "ct.h"

#if TENON_X86_64
#include <immintrin.h>

#define NI TENON_TARGET("aes,sse2,ssse3,sse4.1")

/* Byte offset of the decryption round keys in sched (aes.h). */
#define DEC_OFFSET 240

/* aes_key lives in caller memory of any 8-byte alignment (aes.h): unaligned loads only. */
NI static inline __m128i enc_rk(const aes_key *k, unsigned r)
{
    return _mm_loadu_si128((const __m128i *)(const void *)((const uint8_t *)k->sched + 16 * r));
}

NI static inline __m128i dec_rk(const aes_key *k, unsigned r)
{
    return _mm_loadu_si128(
        (const __m128i *)(const void *)((const uint8_t *)k->sched + DEC_OFFSET + 16 * r));
}

/* FIPS 197 §5.2 SubWord. A state whose four columns all hold w is unchanged by ShiftRows, so
 * AESENCLAST with a zero round key leaves SubBytes of w in every column. */
NI static inline uint32_t sub_word(uint32_t w)
{
    __m128i v = _mm_set1_epi32((int)w);
    v = _mm_aesenclast_si128(v, _mm_setzero_si128());
    return (uint32_t)_mm_cvtsi128_si32(v);
}

/* The four words of a round key from those of the one nk words before: word j is the XOR of
 * words 0..j of prev, to which the caller adds the transformed word T of FIPS 197 §5.2
 * (w[i] = w[i - nk] ^ w[i - 1] unrolled over a row: w[i + j] = w[i - nk] ^ ... ^ w[i - nk + j] ^
 * T). */
NI static inline __m128i xor_prefix(__m128i prev)
{
    prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
    return _mm_xor_si128(prev, _mm_slli_si128(prev, 8));
}

/* T = SubWord(RotWord(word 3 of v)) ^ Rcon in all four columns: PSHUFB copies the rotated word
 * into every column, so that ShiftRows changes nothing and AESENCLAST with the round key
 * {rcon, rcon, rcon, rcon} adds Rcon to the SubBytes of each. */
NI static inline __m128i rot_sub_rcon(__m128i v, uint32_t rcon)
{
    v = _mm_shuffle_epi8(v, _mm_set1_epi32(0x0c0f0e0d));
    return _mm_aesenclast_si128(v, _mm_set1_epi32((int)rcon));
}

/* T = SubWord(word 3 of v) in all four columns (the extra step of 256-bit keys). */
NI static inline __m128i sub_bcast(__m128i v)
{
    v = _mm_shuffle_epi8(v, _mm_set1_epi32(0x0f0e0d0c));
    return _mm_aesenclast_si128(v, _mm_setzero_si128());
}

NI static inline __m128i loadu(const uint8_t *p)
{
    return _mm_loadu_si128((const __m128i *)(const void *)p);
}

NI static inline void storeu(uint8_t *p, __m128i v)
{
    _mm_storeu_si128((__m128i *)(void *)p, v);
}

/*
 * FIPS 197 §5.2 KeyExpansion. Words are read little-endian so that the bytes land in memory in
 * the order AESENC expects; RotWord (the first byte moves to the end) is then a right rotation
 * by 8 and Rcon goes into the low byte. 128- and 256-bit keys go a whole round key (four words)
 * per step in a vector register, with no scalar round trip and no division: a connection that
 * wakes from idle recomputes its keys (docs/memory.md). 192-bit keys, whose rows straddle round
 * keys, go word by word.
 */
NI unsigned aes_x86ni_expand_enc(uint8_t *rk, size_t stride, const uint8_t *key, size_t key_len)
{
    static const uint8_t rcon[10] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36};
    if (key_len == 16) {
        __m128i v = loadu(key);
        storeu(rk, v);
        for (unsigned r = 1; r <= 10; r++) {
            v = _mm_xor_si128(xor_prefix(v), rot_sub_rcon(v, rcon[r - 1]));
            storeu(rk + stride * r, v);
        }
        return 10;
    }
    if (key_len == 32) {
        __m128i a = loadu(key), b = loadu(key + 16);
        storeu(rk, a);
        storeu(rk + stride, b);
        for (unsigned r = 2; r <= 14; r += 2) {
            a = _mm_xor_si128(xor_prefix(a), rot_sub_rcon(b, rcon[r / 2 - 1]));
            storeu(rk + stride * r, a);
            if (r == 14)
                break;
            b = _mm_xor_si128(xor_prefix(b), sub_bcast(a));
            storeu(rk + stride * (r + 1), b);
        }
        return 14;
    }
    /* 192 bits: nk = 6, 52 words. */
    uint32_t w[52];
    for (size_t i = 0; i < 6; i++)
        w[i] = load_le32(key + 4 * i);
    for (size_t i = 6, row = 0; i < 52; i += 6, row++) {
        w[i] = w[i - 6] ^ sub_word((w[i - 1] >> 8) | (w[i - 1] << 24)) ^ rcon[row];
        for (size_t j = 1; j < 6 && i + j < 52; j++)
            w[i + j] = w[i + j - 6] ^ w[i + j - 1];
    }
    for (unsigned r = 0; r <= 12; r++)
        for (unsigned j = 0; j < 4; j++)
            store_le32(rk + stride * r + 4 * j, w[4 * r + j]);
    tenon_wipe(w, sizeof w);
    return 12;
}

/* Both directions: the encryption round keys, then the equivalent inverse cipher's. */
NI static void ni_set_key(aes_key *k, const uint8_t *key, size_t key_len)
{
    const unsigned rounds = aes_x86ni_expand_enc((uint8_t *)k->sched, 16, key, key_len);

    /* FIPS 197 §5.3.5 equivalent inverse cipher, the form AESDEC computes: the round keys in
     * reverse order, InvMixColumns (AESIMC) applied to all but the first and last. */
    uint8_t *dk = (uint8_t *)k->sched + DEC_OFFSET;
    k->rounds = rounds;
    _mm_storeu_si128((__m128i *)(void *)dk, enc_rk(k, rounds));
    for (unsigned r = 1; r < rounds; r++)
        _mm_storeu_si128((__m128i *)(void *)(dk + 16 * r), _mm_aesimc_si128(enc_rk(k, rounds - r)));
    _mm_storeu_si128((__m128i *)(void *)(dk + 16 * rounds), enc_rk(k, 0));
}

NI static inline __m128i encrypt1(const aes_key *k, __m128i b)
{
    b = _mm_xor_si128(b, enc_rk(k, 0));
    for (unsigned r = 1; r < k->rounds; r++)
        b = _mm_aesenc_si128(b, enc_rk(k, r));
    return _mm_aesenclast_si128(b, enc_rk(k, k->rounds));
}

NI static inline __m128i decrypt1(const aes_key *k, __m128i b)
{
    b = _mm_xor_si128(b, dec_rk(k, 0));
    for (unsigned r = 1; r < k->rounds; r++)
        b = _mm_aesdec_si128(b, dec_rk(k, r));
    return _mm_aesdeclast_si128(b, dec_rk(k, k->rounds));
}

/* Eight independent blocks through all rounds, interleaved so the AES unit stays busy. */
NI static inline void encrypt8(const aes_key *k, __m128i b[8])
{
    __m128i rk = enc_rk(k, 0);
    for (int i = 0; i < 8; i++)
        b[i] = _mm_xor_si128(b[i], rk);
    for (unsigned r = 1; r < k->rounds; r++) {
        rk = enc_rk(k, r);
        for (int i = 0; i < 8; i++)
            b[i] = _mm_aesenc_si128(b[i], rk);
    }
    rk = enc_rk(k, k->rounds);
    for (int i = 0; i < 8; i++)
        b[i] = _mm_aesenclast_si128(b[i], rk);
}

NI static inline void decrypt8(const aes_key *k, __m128i b[8])
{
    __m128i rk = dec_rk(k, 0);
    for (int i = 0; i < 8; i++)
        b[i] = _mm_xor_si128(b[i], rk);
    for (unsigned r = 1; r < k->rounds; r++) {
        rk = dec_rk(k, r);
        for (int i = 0; i < 8; i++)
            b[i] = _mm_aesdec_si128(b[i], rk);
    }
    rk = dec_rk(k, k->rounds);
    for (int i = 0; i < 8; i++)
        b[i] = _mm_aesdeclast_si128(b[i], rk);
}

NI static void ni_ecb_encrypt(const aes_key *k, const uint8_t *in, uint8_t *out, size_t nblocks)
{
    __m128i b[8];
    for (; nblocks >= 8; nblocks -= 8, in += 128, out += 128) {
        for (int i = 0; i < 8; i++)
            b[i] = loadu(in + 16 * i);
        encrypt8(k, b);
        for (int i = 0; i < 8; i++)
            storeu(out + 16 * i, b[i]);
    }
    for (; nblocks > 0; nblocks--, in += 16, out += 16)
        storeu(out, encrypt1(k, loadu(in)));
}

NI static void ni_ecb_decrypt(const aes_key *k, const uint8_t *in, uint8_t *out, size_t nblocks)
{
    __m128i b[8];
    for (; nblocks >= 8; nblocks -= 8, in += 128, out += 128) {
        for (int i = 0; i < 8; i++)
            b[i] = loadu(in + 16 * i);
        decrypt8(k, b);
        for (int i = 0; i < 8; i++)
            storeu(out + 16 * i, b[i]);
    }
    for (; nblocks > 0; nblocks--, in += 16, out += 16)
        storeu(out, decrypt1(k, loadu(in)));
}

/* SP 800-38A §6.2: C_i = E(P_i ^ C_{i-1}); each block needs the previous result. */
NI static void ni_cbc_encrypt(const aes_key *k, uint8_t iv[16], const uint8_t *in, uint8_t *out,
                              size_t nblocks)
{
    __m128i c = loadu(iv);
    for (; nblocks > 0; nblocks--, in += 16, out += 16) {
        c = encrypt1(k, _mm_xor_si128(loadu(in), c));
        storeu(out, c);
    }
    storeu(iv, c);
}

/* SP 800-38A §6.2: P_i = D(C_i) ^ C_{i-1}; the decryptions are independent. All eight
 * ciphertext blocks are read before any output is written, which makes in == out safe. */
NI static void ni_cbc_decrypt(const aes_key *k, uint8_t iv[16], const uint8_t *in, uint8_t *out,
                              size_t nblocks)
{
    __m128i prev = loadu(iv);
    __m128i b[8], c[8];
    for (; nblocks >= 8; nblocks -= 8, in += 128, out += 128) {
        for (int i = 0; i < 8; i++)
            b[i] = c[i] = loadu(in + 16 * i);
        decrypt8(k, b);
        storeu(out, _mm_xor_si128(b[0], prev));
        for (int i = 1; i < 8; i++)
            storeu(out + 16 * i, _mm_xor_si128(b[i], c[i - 1]));
        prev = c[7];
    }
    for (; nblocks > 0; nblocks--, in += 16, out += 16) {
        __m128i ci = loadu(in);
        storeu(out, _mm_xor_si128(decrypt1(k, ci), prev));
        prev = ci;
    }
    storeu(iv, prev);
}

/*
 * CTR with a 32-bit big-endian counter in the last four bytes (as GCM uses it). The counter
 * block is kept byte-reversed, which puts the counter in lane 0 as a little-endian integer:
 * PADDD then increments it modulo 2^32 without any carry into the other 96 bits, and PSHUFB
 * turns it back into a counter block.
 */
NI static void ni_ctr32(const aes_key *k, uint8_t ctr[16], const uint8_t *in, uint8_t *out,
                        size_t len)
{
    const __m128i rev = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m128i one = _mm_set_epi32(0, 0, 0, 1);
    const __m128i eight = _mm_set_epi32(0, 0, 0, 8);
    __m128i c = _mm_shuffle_epi8(loadu(ctr), rev);
    __m128i b[8];

    for (; len >= 128; len -= 128, in += 128, out += 128) {
        __m128i ci = c;
        for (int i = 0; i < 8; i++) {
            b[i] = _mm_shuffle_epi8(ci, rev);
            ci = _mm_add_epi32(ci, one);
        }
        c = _mm_add_epi32(c, eight);
        encrypt8(k, b);
        for (int i = 0; i < 8; i++)
            storeu(out + 16 * i, _mm_xor_si128(b[i], loadu(in + 16 * i)));
    }
    for (; len >= 16; len -= 16, in += 16, out += 16) {
        __m128i ks = encrypt1(k, _mm_shuffle_epi8(c, rev));
        c = _mm_add_epi32(c, one);
        storeu(out, _mm_xor_si128(ks, loadu(in)));
    }
    if (len > 0) {
        /* A final partial block: only len bytes of in may be read and of out written. */
        uint8_t buf[16];
        memset(buf, 0, sizeof buf);
        memcpy(buf, in, len);
        __m128i ks = encrypt1(k, _mm_shuffle_epi8(c, rev));
        c = _mm_add_epi32(c, one);
        storeu(buf, _mm_xor_si128(ks, loadu(buf)));
        memcpy(out, buf, len);
        tenon_wipe(buf, sizeof buf);
    }
    storeu(ctr, _mm_shuffle_epi8(c, rev));
}

const aes_impl aes_x86ni_impl = {
    "aesni",        TENON_CPU_AESNI | TENON_CPU_SSSE3 | TENON_CPU_SSE41,
    ni_set_key,     ni_ecb_encrypt,
    ni_ecb_decrypt, ni_cbc_encrypt,
    ni_cbc_decrypt, ni_ctr32,
};
#endif
