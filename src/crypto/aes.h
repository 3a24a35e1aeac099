/*
 * Internal: the AES block cipher, as the modes (GCM, CBC) use it.
 *
 * Each implementation (aes_ct64.c: bitsliced portable; aes_x86ni.c: AES-NI) fills the same
 * aes_key struct with its own layout and provides the bulk operations below. The modes pick an
 * implementation once, at key set-up, and keep the pointer.
 */
#ifndef TENON_AES_H
#define TENON_AES_H

#include <stddef.h>
#include <stdint.h>

/* Large enough for the bitsliced AES-256 expanded schedule (120 x 64-bit words) and for the
 * AES-NI encryption + decryption round keys (2 x 15 x 16 bytes).
 *
 * Layout used by aes_x86ni (and relied on by the AES-NI/VAES GCM code): bytes
 * [0, 16 * (rounds + 1)) of sched hold the encryption round keys in order (round 0 first), each
 * as a 16-byte __m128i; bytes [240, 240 + 16 * (rounds + 1)) hold the decryption round keys for
 * AESDEC (the equivalent inverse cipher: reversed order, AESIMC applied to the middle ones).
 *
 * No _Alignas beyond uint64_t's: an aes_key lives in caller-owned contexts (tenon_aes_cbc_ctx,
 * tenon_aead_ctx) that may sit at any 8-byte aligned address, so vector code reads and writes
 * it with unaligned loads and stores only. */
typedef struct aes_key {
    uint64_t sched[120];
    unsigned rounds; /* 10, 12 or 14 */
} aes_key;

typedef struct aes_impl {
    const char *name;   /* "ct64", "aesni" */
    uint32_t cpu_needs; /* TENON_CPU_* */
    /* key_len is 16, 24 or 32 (checked by the caller). Prepares both directions. */
    void (*set_key)(aes_key *k, const uint8_t *key, size_t key_len);
    void (*ecb_encrypt)(const aes_key *k, const uint8_t *in, uint8_t *out, size_t nblocks);
    void (*ecb_decrypt)(const aes_key *k, const uint8_t *in, uint8_t *out, size_t nblocks);
    /* CBC over nblocks whole blocks; iv is updated to the last ciphertext block. in == out
     * allowed. */
    void (*cbc_encrypt)(const aes_key *k, uint8_t iv[16], const uint8_t *in, uint8_t *out,
                        size_t nblocks);
    void (*cbc_decrypt)(const aes_key *k, uint8_t iv[16], const uint8_t *in, uint8_t *out,
                        size_t nblocks);
    /* CTR as GCM uses it: the keystream blocks are E(ctr), E(ctr+1), ... where only the last
     * 32 bits of ctr (big-endian) are incremented, modulo 2^32. XORs len bytes of keystream
     * into in and writes out (len need not be a multiple of 16). ctr is advanced by the number
     * of blocks used, ceil(len / 16). in == out allowed. */
    void (*ctr32)(const aes_key *k, uint8_t ctr[16], const uint8_t *in, uint8_t *out, size_t len);
} aes_impl;

extern const aes_impl aes_ct64_impl;
#if defined(__x86_64__)
extern const aes_impl aes_x86ni_impl;
/* aes_x86ni.c: the encryption round keys alone (CTR-based modes such as GCM never decrypt a
 * block): round key r (16 bytes) at rk + stride * r for r = 0..rounds, stride >= 16. key_len is
 * 16, 24 or 32 (checked by the caller); returns the number of rounds. Needs AES-NI and SSSE3. */
unsigned aes_x86ni_expand_enc(uint8_t *rk, size_t stride, const uint8_t *key, size_t key_len);
#endif

/* The fastest implementation that tenon_cpu_features() allows. */
const aes_impl *aes_best_impl(void);

/* Every compiled-in implementation, NULL-terminated (for tests). */
extern const aes_impl *const aes_all_impls[];

#endif
