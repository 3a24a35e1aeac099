/*
 * AES, portable and constant-time: bitsliced over 64-bit words, four blocks at a time
 * (FIPS 197; modes of SP 800-38A).
 *
 * A table-driven AES leaks its key through the cache, because the table index is key-dependent.
 * Here no memory address and no branch depends on secret data. The four blocks (64 bytes, 512
 * bits) are held as eight 64-bit words q[0..7]: q[b] gathers bit b of all 64 bytes, so one
 * bitwise instruction acts on that bit of every byte at once (the bitslicing of Käsper and
 * Schwabe). SubBytes then becomes a Boolean circuit evaluated on whole words, and the other
 * round steps become shifts, rotations and XORs.
 *
 * The byte of block k (0..3) at row r, column c of the state (FIPS 197 §3.4: state byte
 * index 4c + r) sits at bit 16r + 4c + k of every q[b]. Each row is then one 16-bit lane of
 * the word, so the row rotation that MixColumns needs is a 64-bit rotation by 16, and the
 * column shift of ShiftRows is a rotation of 4-bit groups inside a lane.
 */
#include "../common.h"
#include "aes.h"
#include "cpu.h"
#include "ct.h"

/* The encryption rounds (CTR, and with it GCM, use nothing else) run much faster with the
 * S-box circuit and MixColumns inlined into one loop, where the compiler keeps the state in
 * registers across the steps; the decryption rounds, with their extra linear layers, were
 * slower that way (measured with gcc 12 on x86-64) and call out-of-line copies instead. */
#define ALWAYS_INLINE static inline __attribute__((always_inline))
#define NOINLINE static __attribute__((noinline))

/* ------------------------------------------------------------------------------------------
 * Conversion between four blocks and the bitsliced form
 * ------------------------------------------------------------------------------------------ */

/* Exchanges the bits of b selected by mask with the bits of a selected by mask << n. */
static inline void swap_bits(uint64_t *a, uint64_t *b, uint64_t mask, unsigned n)
{
    uint64_t t = ((*a >> n) ^ *b) & mask;
    *b ^= t;
    *a ^= t << n;
}

/* Within one word, exchanges the bits selected by mask with those n places above them. */
static inline uint64_t swap_within(uint64_t x, uint64_t mask, unsigned n)
{
    uint64_t t = ((x >> n) ^ x) & mask;
    return x ^ t ^ (t << n);
}

/*
 * An 8x8 bit-matrix transpose in each byte position: afterwards bit 8i + j of w[b] is what
 * bit b of byte i of w[j] was. Three rounds of exchanges, each one swapping one bit of the
 * word index with the same bit of the bit index. It is its own inverse.
 */
static void transpose8(uint64_t w[8])
{
    for (int j = 0; j < 8; j += 2)
        swap_bits(&w[j], &w[j + 1], 0x5555555555555555u, 1);
    for (int j = 0; j < 8; j += 4) {
        swap_bits(&w[j], &w[j + 2], 0x3333333333333333u, 2);
        swap_bits(&w[j + 1], &w[j + 3], 0x3333333333333333u, 2);
    }
    for (int j = 0; j < 4; j++)
        swap_bits(&w[j], &w[j + 4], 0x0f0f0f0f0f0f0f0fu, 4);
}

/*
 * Byte i = 4h + r of x (two columns h = 0, 1 of four rows) moves to byte 2r + h: the rows of
 * the two columns become interleaved. Exchanging the index bits 2 and 1, then 1 and 0, rotates
 * the index (h, r1, r0) into (r1, r0, h).
 */
static inline uint64_t interleave_cols(uint64_t x)
{
    x = swap_within(x, 0x00000000ffff0000u, 16);
    return swap_within(x, 0x0000ff000000ff00u, 8);
}

static inline uint64_t deinterleave_cols(uint64_t x)
{
    x = swap_within(x, 0x0000ff000000ff00u, 8);
    return swap_within(x, 0x00000000ffff0000u, 16);
}

/*
 * Four blocks (64 bytes) into bitsliced form. For block k, word k collects columns 0 and 2 and
 * word 4 + k columns 1 and 3, with the rows interleaved (byte 2r + (c >> 1)); the transpose
 * then puts bit b of that byte at bit 8 * (2r + (c >> 1)) + 4 * (c & 1) + k = 16r + 4c + k
 * of q[b].
 */
static void load4(uint64_t q[8], const uint8_t *in)
{
    for (int k = 0; k < 4; k++) {
        uint64_t lo = load_le64(in + 16 * k), hi = load_le64(in + 16 * k + 8);
        q[k] = interleave_cols((lo & 0xffffffffu) | (hi << 32));
        q[k + 4] = interleave_cols((lo >> 32) | (hi & 0xffffffff00000000u));
    }
    transpose8(q);
}

/* The inverse of load4. q is destroyed. */
static void store4(uint8_t *out, uint64_t q[8])
{
    transpose8(q);
    for (int k = 0; k < 4; k++) {
        uint64_t even = deinterleave_cols(q[k]), odd = deinterleave_cols(q[k + 4]);
        store_le64(out + 16 * k, (even & 0xffffffffu) | (odd << 32));
        store_le64(out + 16 * k + 8, (even >> 32) | (odd & 0xffffffff00000000u));
    }
}

/* ------------------------------------------------------------------------------------------
 * The round functions on bitsliced state
 * ------------------------------------------------------------------------------------------ */

/*
 * The multiplicative inverse in GF(2^8) followed by the linear part of the S-box affine map,
 * as a circuit of 34 ANDs and 94 XORs: the top linear layer, shared non-linear middle and
 * bottom linear layer of Boyar and Peralta ("A depth-16 circuit for the AES S-box", 2011). Bit
 * 7 of the byte is the circuit's input u0, bit 0 its input u7. The constant 0x63 is left out
 * here and added by the callers (see sub_bytes and inv_sub_bytes).
 */
ALWAYS_INLINE void sbox_linear(uint64_t q[8])
{
    const uint64_t u0 = q[7], u1 = q[6], u2 = q[5], u3 = q[4];
    const uint64_t u4 = q[3], u5 = q[2], u6 = q[1], u7 = q[0];

    /* Top linear layer. */
    uint64_t t1 = u0 ^ u3;
    uint64_t t2 = u0 ^ u5;
    uint64_t t3 = u0 ^ u6;
    uint64_t t4 = u3 ^ u5;
    uint64_t t5 = u4 ^ u6;
    uint64_t t6 = t1 ^ t5;
    uint64_t t7 = u1 ^ u2;
    uint64_t t8 = u7 ^ t6;
    uint64_t t9 = u7 ^ t7;
    uint64_t t10 = t6 ^ t7;
    uint64_t t11 = u1 ^ u5;
    uint64_t t12 = u2 ^ u5;
    uint64_t t13 = t3 ^ t4;
    uint64_t t14 = t6 ^ t11;
    uint64_t t15 = t5 ^ t11;
    uint64_t t16 = t5 ^ t12;
    uint64_t t17 = t9 ^ t16;
    uint64_t t18 = u3 ^ u7;
    uint64_t t19 = t7 ^ t18;
    uint64_t t20 = t1 ^ t19;
    uint64_t t21 = u6 ^ u7;
    uint64_t t22 = t7 ^ t21;
    uint64_t t23 = t2 ^ t22;
    uint64_t t24 = t2 ^ t10;
    uint64_t t25 = t20 ^ t17;
    uint64_t t26 = t3 ^ t16;
    uint64_t t27 = t1 ^ t12;

    /* Non-linear middle: the inversion, over a tower of subfields. */
    uint64_t m1 = t13 & t6;
    uint64_t m2 = t23 & t8;
    uint64_t m3 = t14 ^ m1;
    uint64_t m4 = t19 & u7;
    uint64_t m5 = m4 ^ m1;
    uint64_t m6 = t3 & t16;
    uint64_t m7 = t22 & t9;
    uint64_t m8 = t26 ^ m6;
    uint64_t m9 = t20 & t17;
    uint64_t m10 = m9 ^ m6;
    uint64_t m11 = t1 & t15;
    uint64_t m12 = t4 & t27;
    uint64_t m13 = m12 ^ m11;
    uint64_t m14 = t2 & t10;
    uint64_t m15 = m14 ^ m11;
    uint64_t m16 = m3 ^ m2;
    uint64_t m17 = m5 ^ t24;
    uint64_t m18 = m8 ^ m7;
    uint64_t m19 = m10 ^ m15;
    uint64_t m20 = m16 ^ m13;
    uint64_t m21 = m17 ^ m15;
    uint64_t m22 = m18 ^ m13;
    uint64_t m23 = m19 ^ t25;
    uint64_t m24 = m22 ^ m23;
    uint64_t m25 = m22 & m20;
    uint64_t m26 = m21 ^ m25;
    uint64_t m27 = m20 ^ m21;
    uint64_t m28 = m23 ^ m25;
    uint64_t m29 = m28 & m27;
    uint64_t m30 = m26 & m24;
    uint64_t m31 = m20 & m23;
    uint64_t m32 = m27 & m31;
    uint64_t m33 = m27 ^ m25;
    uint64_t m34 = m21 & m22;
    uint64_t m35 = m24 & m34;
    uint64_t m36 = m24 ^ m25;
    uint64_t m37 = m21 ^ m29;
    uint64_t m38 = m32 ^ m33;
    uint64_t m39 = m23 ^ m30;
    uint64_t m40 = m35 ^ m36;
    uint64_t m41 = m38 ^ m40;
    uint64_t m42 = m37 ^ m39;
    uint64_t m43 = m37 ^ m38;
    uint64_t m44 = m39 ^ m40;
    uint64_t m45 = m42 ^ m41;
    uint64_t m46 = m44 & t6;
    uint64_t m47 = m40 & t8;
    uint64_t m48 = m39 & u7;
    uint64_t m49 = m43 & t16;
    uint64_t m50 = m38 & t9;
    uint64_t m51 = m37 & t17;
    uint64_t m52 = m42 & t15;
    uint64_t m53 = m45 & t27;
    uint64_t m54 = m41 & t10;
    uint64_t m55 = m44 & t13;
    uint64_t m56 = m40 & t23;
    uint64_t m57 = m39 & t19;
    uint64_t m58 = m43 & t3;
    uint64_t m59 = m38 & t22;
    uint64_t m60 = m37 & t20;
    uint64_t m61 = m42 & t1;
    uint64_t m62 = m45 & t4;
    uint64_t m63 = m41 & t2;

    /* Bottom linear layer: back to the polynomial basis, through the affine matrix. */
    uint64_t l0 = m61 ^ m62;
    uint64_t l1 = m50 ^ m56;
    uint64_t l2 = m46 ^ m48;
    uint64_t l3 = m47 ^ m55;
    uint64_t l4 = m54 ^ m58;
    uint64_t l5 = m49 ^ m61;
    uint64_t l6 = m62 ^ l5;
    uint64_t l7 = m46 ^ l3;
    uint64_t l8 = m51 ^ m59;
    uint64_t l9 = m52 ^ m53;
    uint64_t l10 = m53 ^ l4;
    uint64_t l11 = m60 ^ l2;
    uint64_t l12 = m48 ^ m51;
    uint64_t l13 = m50 ^ l0;
    uint64_t l14 = m52 ^ m61;
    uint64_t l15 = m55 ^ l1;
    uint64_t l16 = m56 ^ l0;
    uint64_t l17 = m57 ^ l1;
    uint64_t l18 = m58 ^ l8;
    uint64_t l19 = m63 ^ l4;
    uint64_t l20 = l0 ^ l1;
    uint64_t l21 = l1 ^ l7;
    uint64_t l22 = l3 ^ l12;
    uint64_t l23 = l18 ^ l2;
    uint64_t l24 = l15 ^ l9;
    uint64_t l25 = l6 ^ l10;
    uint64_t l26 = l7 ^ l9;
    uint64_t l27 = l8 ^ l10;
    uint64_t l28 = l11 ^ l14;
    uint64_t l29 = l11 ^ l17;
    q[7] = l6 ^ l24;
    q[6] = l16 ^ l26;
    q[5] = l19 ^ l28;
    q[4] = l6 ^ l21;
    q[3] = l20 ^ l22;
    q[2] = l25 ^ l29;
    q[1] = l13 ^ l27;
    q[0] = l6 ^ l23;
}

/* FIPS 197 §5.1.1 SubBytes: the circuit plus the constant 0x63 (bits 0, 1, 5 and 6). */
static void sub_bytes(uint64_t q[8])
{
    sbox_linear(q);
    q[0] = ~q[0];
    q[1] = ~q[1];
    q[5] = ~q[5];
    q[6] = ~q[6];
}

/* The out-of-line circuit for the decryption rounds (see ALWAYS_INLINE above). */
NOINLINE void sbox_linear_call(uint64_t q[8])
{
    sbox_linear(q);
}

/* The inverse of the S-box's affine matrix (FIPS 197 §5.3.2): bit i of the result is
 * b[i + 2] ^ b[i + 5] ^ b[i + 7], indices mod 8. */
static void inv_affine_linear(uint64_t q[8])
{
    uint64_t a[8];
    for (int i = 0; i < 8; i++)
        a[i] = q[(i + 2) & 7] ^ q[(i + 5) & 7] ^ q[(i + 7) & 7];
    memcpy(q, a, sizeof a);
}

/*
 * FIPS 197 §5.3.2 InvSubBytes, through the forward circuit. With S(x) = M * inv(x) + 0x63 and
 * M^-1 * 0x63 = 0x05: inv(x) = M^-1 * S(x) + 0x05 and InvS(y) = inv(M^-1 * y + 0x05). The
 * circuit computes M * inv(.) without the constant, so InvS(y) = M^-1 * circuit(M^-1 * y +
 * 0x05), the constants cancelling: 0x05 is bits 0 and 2.
 */
static void inv_sub_bytes(uint64_t q[8])
{
    inv_affine_linear(q);
    q[0] = ~q[0];
    q[2] = ~q[2];
    sbox_linear_call(q);
    inv_affine_linear(q);
}

/*
 * FIPS 197 §5.1.2 ShiftRows: in row r (bits 16r..16r+15) column c receives column c + r. The
 * shift by r is done as a shift by one in the odd rows, then a shift by two (a swap of the two
 * bytes of the lane) in rows 2 and 3: fewer operations than moving each row on its own.
 */
static inline uint64_t shift_rows1(uint64_t x)
{
    x = (x & 0x0000ffff0000ffffu) | ((x >> 4) & 0x0fff00000fff0000u) |
        ((x << 12) & 0xf0000000f0000000u);
    return swap_within(x, 0x00ff00ff00000000u, 8);
}

/* FIPS 197 §5.3.1 InvShiftRows: column c receives column c - r. */
static inline uint64_t inv_shift_rows1(uint64_t x)
{
    x = (x & 0x0000ffff0000ffffu) | ((x << 4) & 0xfff00000fff00000u) |
        ((x >> 12) & 0x000f0000000f0000u);
    return swap_within(x, 0x00ff00ff00000000u, 8);
}

static inline void shift_rows(uint64_t q[8])
{
    for (int b = 0; b < 8; b++)
        q[b] = shift_rows1(q[b]);
}

static inline void inv_shift_rows(uint64_t q[8])
{
    for (int b = 0; b < 8; b++)
        q[b] = inv_shift_rows1(q[b]);
}

static inline uint64_t rotr64(uint64_t x, unsigned n)
{
    return (x >> n) | (x << (64 - n));
}

/* Multiplication by x (FIPS 197 §4.2.1 xtime) of every byte: the bit planes shift up by one
 * and the bit that leaves, bit 7, re-enters as x^8 = x^4 + x^3 + x + 1. */
static inline void xtime(uint64_t o[8], const uint64_t a[8])
{
    o[0] = a[7];
    o[1] = a[0] ^ a[7];
    o[2] = a[1];
    o[3] = a[2] ^ a[7];
    o[4] = a[3] ^ a[7];
    o[5] = a[4];
    o[6] = a[5];
    o[7] = a[6];
}

/*
 * FIPS 197 §5.1.3 MixColumns: s'_r = 2 s_r + 3 s_{r+1} + s_{r+2} + s_{r+3} for each column,
 * written as 2 (s_r + s_{r+1}) + s_{r+1} + (s_{r+2} + s_{r+3}). Rotating a word right by 16
 * brings row r + 1 to row r in every column at once.
 */
ALWAYS_INLINE void mix_columns(uint64_t q[8])
{
    uint64_t r1[8], t[8], x[8];
    for (int b = 0; b < 8; b++) {
        r1[b] = rotr64(q[b], 16);
        t[b] = q[b] ^ r1[b];
    }
    xtime(x, t);
    for (int b = 0; b < 8; b++)
        q[b] = x[b] ^ r1[b] ^ rotr64(t[b], 32);
}

/* The out-of-line MixColumns for the decryption rounds. */
NOINLINE void mix_columns_call(uint64_t q[8])
{
    mix_columns(q);
}

/*
 * FIPS 197 §5.3.3 InvMixColumns multiplies each column by 0b x^3 + 0d x^2 + 09 x + 0e, which
 * equals the MixColumns polynomial 03 x^3 + 01 x^2 + 01 x + 02 times 04 x^2 + 05 (mod x^4 + 1).
 * Multiplying by the latter, s_r + 4 (s_r + s_{r+2}), is cheap; MixColumns does the rest.
 */
static void inv_mix_columns(uint64_t q[8])
{
    uint64_t s[8], x2[8], x4[8];
    for (int b = 0; b < 8; b++)
        s[b] = q[b] ^ rotr64(q[b], 32);
    xtime(x2, s);
    xtime(x4, x2);
    for (int b = 0; b < 8; b++)
        q[b] ^= x4[b];
    mix_columns_call(q);
}

static inline void add_round_key(uint64_t q[8], const uint64_t *rk)
{
    for (int b = 0; b < 8; b++)
        q[b] ^= rk[b];
}

/* FIPS 197 §5.1 Cipher, on four blocks in bitsliced form. */
static void encrypt_bs(const aes_key *k, uint64_t q[8])
{
    add_round_key(q, k->sched);
    for (unsigned r = 1; r < k->rounds; r++) {
        sub_bytes(q);
        shift_rows(q);
        mix_columns(q);
        add_round_key(q, k->sched + 8 * r);
    }
    sub_bytes(q);
    shift_rows(q);
    add_round_key(q, k->sched + 8 * k->rounds);
}

/* FIPS 197 §5.3 InvCipher (the straightforward form: the same round keys in reverse). */
static void decrypt_bs(const aes_key *k, uint64_t q[8])
{
    add_round_key(q, k->sched + 8 * k->rounds);
    for (unsigned r = k->rounds - 1; r > 0; r--) {
        inv_shift_rows(q);
        inv_sub_bytes(q);
        add_round_key(q, k->sched + 8 * r);
        inv_mix_columns(q);
    }
    inv_shift_rows(q);
    inv_sub_bytes(q);
    add_round_key(q, k->sched);
}

/* ------------------------------------------------------------------------------------------
 * Key schedule
 * ------------------------------------------------------------------------------------------ */

/* FIPS 197 §5.2 SubWord through the same circuit: the four bytes go to four rows of one
 * column of one block; the rest of the state is unused. */
static uint32_t sub_word(uint32_t w)
{
    uint64_t q[8];
    uint32_t r = 0;
    for (unsigned b = 0; b < 8; b++) {
        q[b] = 0;
        for (unsigned i = 0; i < 4; i++)
            q[b] |= (uint64_t)((w >> (8 * i + b)) & 1) << (16 * i);
    }
    sub_bytes(q);
    for (unsigned b = 0; b < 8; b++) {
        for (unsigned i = 0; i < 4; i++)
            r |= (uint32_t)((q[b] >> (16 * i)) & 1) << (8 * i + b);
    }
    tenon_wipe(q, sizeof q);
    return r;
}

/*
 * FIPS 197 §5.2 KeyExpansion. Words are little-endian, so RotWord is a right rotation by 8
 * and Rcon lands in the first byte. Each round key is then stored in bitsliced form, four
 * copies side by side (one per block lane): 8 words per round, 120 for AES-256.
 */
static void ct64_set_key(aes_key *k, const uint8_t *key, size_t key_len)
{
    static const uint8_t rcon[10] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36};
    const size_t nk = key_len / 4;
    const unsigned rounds = (unsigned)nk + 6;
    const size_t nwords = 4 * (size_t)(rounds + 1);
    uint32_t w[60];
    uint8_t rk4[64];

    for (size_t i = 0; i < nk; i++)
        w[i] = load_le32(key + 4 * i);
    for (size_t i = nk; i < nwords; i++) {
        uint32_t t = w[i - 1];
        if (i % nk == 0)
            t = sub_word((t >> 8) | (t << 24)) ^ rcon[i / nk - 1];
        else if (nk > 6 && i % nk == 4)
            t = sub_word(t); /* the extra SubWord of 256-bit keys */
        w[i] = w[i - nk] ^ t;
    }
    for (unsigned r = 0; r <= rounds; r++) {
        for (int lane = 0; lane < 4; lane++) {
            for (int j = 0; j < 4; j++)
                store_le32(rk4 + 16 * lane + 4 * j, w[4 * r + (unsigned)j]);
        }
        load4(k->sched + 8 * r, rk4);
    }
    k->rounds = rounds;
    tenon_wipe(w, sizeof w);
    tenon_wipe(rk4, sizeof rk4);
}

/* ------------------------------------------------------------------------------------------
 * Bulk operations: four blocks per pass through the core
 * ------------------------------------------------------------------------------------------ */

static inline void xor_bytes(uint8_t *out, const uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)(a[i] ^ b[i]);
}

/* nblocks <= 4 blocks through the cipher (encrypt or decrypt); unused lanes are zero. */
static void crypt_upto4(const aes_key *k, int decrypt, const uint8_t *in, uint8_t *out,
                        size_t nblocks, uint8_t tmp[64])
{
    uint64_t q[8];
    memset(tmp, 0, 64);
    memcpy(tmp, in, 16 * nblocks);
    load4(q, tmp);
    if (decrypt)
        decrypt_bs(k, q);
    else
        encrypt_bs(k, q);
    store4(tmp, q);
    memcpy(out, tmp, 16 * nblocks);
    tenon_wipe(q, sizeof q);
}

static void ecb_crypt(const aes_key *k, int decrypt, const uint8_t *in, uint8_t *out,
                      size_t nblocks)
{
    uint64_t q[8];
    uint8_t tmp[64];
    for (; nblocks >= 4; nblocks -= 4, in += 64, out += 64) {
        load4(q, in);
        if (decrypt)
            decrypt_bs(k, q);
        else
            encrypt_bs(k, q);
        store4(out, q);
    }
    if (nblocks > 0)
        crypt_upto4(k, decrypt, in, out, nblocks, tmp);
    tenon_wipe(q, sizeof q);
    tenon_wipe(tmp, sizeof tmp);
}

static void ct64_ecb_encrypt(const aes_key *k, const uint8_t *in, uint8_t *out, size_t nblocks)
{
    ecb_crypt(k, 0, in, out, nblocks);
}

static void ct64_ecb_decrypt(const aes_key *k, const uint8_t *in, uint8_t *out, size_t nblocks)
{
    ecb_crypt(k, 1, in, out, nblocks);
}

/* SP 800-38A §6.2. Each block depends on the previous ciphertext, so only one of the four
 * lanes carries data. */
static void ct64_cbc_encrypt(const aes_key *k, uint8_t iv[16], const uint8_t *in, uint8_t *out,
                             size_t nblocks)
{
    uint8_t tmp[64], x[16];
    for (; nblocks > 0; nblocks--, in += 16, out += 16) {
        xor_bytes(x, in, iv, 16);
        crypt_upto4(k, 0, x, iv, 1, tmp);
        memcpy(out, iv, 16);
    }
    tenon_wipe(tmp, sizeof tmp);
    tenon_wipe(x, sizeof x);
}

/* SP 800-38A §6.2. The ciphertext is copied before the output is written (in == out). */
static void ct64_cbc_decrypt(const aes_key *k, uint8_t iv[16], const uint8_t *in, uint8_t *out,
                             size_t nblocks)
{
    uint8_t c[80], p[64], tmp[64];
    memcpy(c, iv, 16); /* c[0..15]: the previous ciphertext block */
    while (nblocks > 0) {
        size_t n = nblocks < 4 ? nblocks : 4;
        memcpy(c + 16, in, 16 * n);
        crypt_upto4(k, 1, c + 16, p, n, tmp);
        xor_bytes(out, p, c, 16 * n);
        memcpy(c, c + 16 * n, 16);
        nblocks -= n;
        in += 16 * n;
        out += 16 * n;
    }
    memcpy(iv, c, 16);
    tenon_wipe(p, sizeof p);
    tenon_wipe(tmp, sizeof tmp);
}

/* CTR with the 32-bit big-endian counter of GCM in the last four bytes, modulo 2^32. */
static void ct64_ctr32(const aes_key *k, uint8_t ctr[16], const uint8_t *in, uint8_t *out,
                       size_t len)
{
    uint64_t q[8];
    uint8_t ks[64];
    uint32_t c = load_be32(ctr + 12);
    while (len > 0) {
        for (uint32_t i = 0; i < 4; i++) {
            memcpy(ks + 16 * i, ctr, 12);
            store_be32(ks + 16 * i + 12, c + i);
        }
        load4(q, ks);
        encrypt_bs(k, q);
        store4(ks, q);
        size_t n = len < 64 ? len : 64;
        xor_bytes(out, in, ks, n);
        c += (uint32_t)((n + 15) / 16);
        len -= n;
        in += n;
        out += n;
    }
    store_be32(ctr + 12, c);
    tenon_wipe(q, sizeof q);
    tenon_wipe(ks, sizeof ks);
}

const aes_impl aes_ct64_impl = {
    "ct64",           0,
    ct64_set_key,     ct64_ecb_encrypt,
    ct64_ecb_decrypt, ct64_cbc_encrypt,
    ct64_cbc_decrypt, ct64_ctr32,
};
