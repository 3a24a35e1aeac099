/*
 * ChaCha20, portable C (RFC 8439 §2.1-§2.4).
 *
 * Only additions, XORs and fixed rotations on 32-bit words: no branch or memory index depends
 * on the key, the nonce or the data, so the code is constant-time by construction.
 */
#include "chacha20.h"

#include "tenon/crypto.h"

void chacha20_block_portable(const uint32_t st[16], uint8_t out[64])
{
    /* Sixteen named locals rather than an array, so the compiler keeps them in registers. */
    uint32_t x0 = st[0], x1 = st[1], x2 = st[2], x3 = st[3];
    uint32_t x4 = st[4], x5 = st[5], x6 = st[6], x7 = st[7];
    uint32_t x8 = st[8], x9 = st[9], x10 = st[10], x11 = st[11];
    uint32_t x12 = st[12], x13 = st[13], x14 = st[14], x15 = st[15];

    /* RFC 8439 §2.3: 20 rounds = 10 iterations of a column round and a diagonal round. */
    for (int i = 0; i < 10; i++) {
        QUARTERROUND(x0, x4, x8, x12);
        QUARTERROUND(x1, x5, x9, x13);
        QUARTERROUND(x2, x6, x10, x14);
        QUARTERROUND(x3, x7, x11, x15);
        QUARTERROUND(x0, x5, x10, x15);
        QUARTERROUND(x1, x6, x11, x12);
        QUARTERROUND(x2, x7, x8, x13);
        QUARTERROUND(x3, x4, x9, x14);
    }

    /* ... then add the original input words and serialise little-endian. */
    store_le32(out + 0, x0 + st[0]);
    store_le32(out + 4, x1 + st[1]);
    store_le32(out + 8, x2 + st[2]);
    store_le32(out + 12, x3 + st[3]);
    store_le32(out + 16, x4 + st[4]);
    store_le32(out + 20, x5 + st[5]);
    store_le32(out + 24, x6 + st[6]);
    store_le32(out + 28, x7 + st[7]);
    store_le32(out + 32, x8 + st[8]);
    store_le32(out + 36, x9 + st[9]);
    store_le32(out + 40, x10 + st[10]);
    store_le32(out + 44, x11 + st[11]);
    store_le32(out + 48, x12 + st[12]);
    store_le32(out + 52, x13 + st[13]);
    store_le32(out + 56, x14 + st[14]);
    store_le32(out + 60, x15 + st[15]);
}

void chacha20_xor_portable(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter,
                           const uint8_t *in, uint8_t *out, size_t len)
{
    uint32_t st[16];
    uint8_t ks[CHACHA20_BLOCK_LEN];

    chacha20_setup(st, key, nonce, counter);
    /* RFC 8439 §2.4: successive blocks use counter, counter + 1, ...; the keystream of the
     * last, partial block is truncated. */
    while (len > 0) {
        size_t n = len < CHACHA20_BLOCK_LEN ? len : CHACHA20_BLOCK_LEN;
        chacha20_block_portable(st, ks);
        for (size_t i = 0; i < n; i++)
            out[i] = (uint8_t)(in[i] ^ ks[i]);
        st[12]++;
        in += n;
        out += n;
        len -= n;
    }
    tenon_wipe(st, sizeof st);
    tenon_wipe(ks, sizeof ks);
}

void chacha20_xor_portable_otk(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *head,
                               size_t split, const uint8_t *in, uint8_t *out, size_t len,
                               uint8_t otk[32])
{
    chacha20_otk_portable(key, nonce, otk);
    size_t h = split < len ? split : len;
    chacha20_xor_portable(key, nonce, 1, head, out, h);
    chacha20_xor_portable(key, nonce, (uint32_t)(1 + h / CHACHA20_BLOCK_LEN), in + h, out + h,
                          len - h);
}
