/*
 * tenon — the cryptographic primitives.
 *
 * Every primitive is constant-time with respect to its secret inputs, allocates nothing, and
 * works on caller-owned contexts. Algorithms are described by small const "class" structs
 * (vtables); a context starts with a pointer to its class, so generic code (HMAC, HKDF, the TLS
 * key schedule) can drive any hash or AEAD through the class alone.
 *
 * Where the CPU offers faster instructions (AES-NI, PCLMULQDQ, VAES, VPCLMULQDQ, SHA-NI, AVX2)
 * an accelerated implementation is chosen at run time. The portable implementation is always
 * built and can be forced with tenon_cpu_set_mask(0).
 */
#ifndef TENON_CRYPTO_H
#define TENON_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------
 * CPU features and implementation choice
 * ------------------------------------------------------------------------------------------ */

enum {
    TENON_CPU_SSE2 = 1u << 0,
    TENON_CPU_SSSE3 = 1u << 1,
    TENON_CPU_SSE41 = 1u << 2,
    TENON_CPU_AVX = 1u << 3,
    TENON_CPU_AVX2 = 1u << 4,
    TENON_CPU_AESNI = 1u << 5,
    TENON_CPU_PCLMUL = 1u << 6,
    TENON_CPU_SHANI = 1u << 7,
    TENON_CPU_VAES = 1u << 8,
    TENON_CPU_VPCLMUL = 1u << 9,
    TENON_CPU_AVX512F = 1u << 10,
    TENON_CPU_AVX512VL = 1u << 11,
    TENON_CPU_AVX512BW = 1u << 12,
    TENON_CPU_BMI2 = 1u << 13,
    TENON_CPU_ADX = 1u << 14,
    /* AVX-512 IFMA (VPMADD52LUQ/HUQ, 52-bit multiply-add on zmm registers): Poly1305 in radix
     * 2^44 and RSA's radix-2^52 exponentiation. */
    TENON_CPU_AVX512IFMA = 1u << 15,
};

/* The CPU features that tenon detected (cpuid, and OS support for the wide registers) and is
 * allowed to use: the detected set AND the mask last given to tenon_cpu_set_mask(). */
TENON_API uint32_t tenon_cpu_features(void);

/* Restricts the features tenon may use. 0 forces the portable implementation of every
 * primitive; UINT32_MAX (the default) allows everything detected. Contexts initialised before
 * the call keep the implementation they were initialised with. Not thread-safe with respect to
 * concurrent initialisations: call it once at start-up (or in tests). */
TENON_API void tenon_cpu_set_mask(uint32_t allowed);

/* ------------------------------------------------------------------------------------------
 * Utilities
 * ------------------------------------------------------------------------------------------ */

/* Fills buf with len bytes from the operating system's CSPRNG (getrandom(2)). */
TENON_API TENON_MUST_CHECK int tenon_random(void *buf, size_t len);

/* Overwrites len bytes at p with zeros in a way the compiler cannot elide. */
TENON_API void tenon_wipe(void *p, size_t len);

/* 1 if the len bytes at a and b are equal, 0 otherwise; time depends only on len. */
TENON_API int tenon_ct_memeq(const void *a, const void *b, size_t len);

/* ------------------------------------------------------------------------------------------
 * Hash functions: SHA-1, SHA-224, SHA-256, SHA-384, SHA-512
 * ------------------------------------------------------------------------------------------ */

#define TENON_SHA1_LEN 20
#define TENON_SHA224_LEN 28
#define TENON_SHA256_LEN 32
#define TENON_SHA384_LEN 48
#define TENON_SHA512_LEN 64
#define TENON_HASH_MAX_LEN 64
#define TENON_HASH_MAX_BLOCK 128

typedef struct tenon_hash_class tenon_hash_class;

typedef struct tenon_sha1_ctx {
    const tenon_hash_class *vtable;
    uint32_t h[5];
    uint64_t count; /* bytes hashed so far */
    uint8_t buf[64];
} tenon_sha1_ctx;

typedef struct tenon_sha256_ctx {
    const tenon_hash_class *vtable;
    uint32_t h[8];
    uint64_t count;
    uint8_t buf[64];
} tenon_sha256_ctx;

/* Also the context of SHA-384 (same compression function, other IV and output length). */
typedef struct tenon_sha512_ctx {
    const tenon_hash_class *vtable;
    uint64_t h[8];
    uint64_t count; /* 2^64 bytes is beyond reach; the 128-bit length field's top half is 0 */
    uint8_t buf[128];
} tenon_sha512_ctx;

/* A context for any of the hashes: its first member is always the class pointer. */
typedef union tenon_hash_ctx {
    const tenon_hash_class *vtable;
    tenon_sha1_ctx sha1;
    tenon_sha256_ctx sha256;
    tenon_sha512_ctx sha512;
} tenon_hash_ctx;

struct tenon_hash_class {
    const char *name;  /* "SHA-256" */
    size_t digest_len; /* bytes */
    size_t block_len;  /* bytes */
    /* Starts a new computation; sets ctx->vtable to this class. */
    void (*init)(tenon_hash_ctx *ctx);
    void (*update)(tenon_hash_ctx *ctx, const void *data, size_t len);
    /* Writes the digest of everything hashed so far. The context is left unchanged, so a
     * running (transcript) hash can go on after it. */
    void (*final)(const tenon_hash_ctx *ctx, uint8_t *out);
};

TENON_API extern const tenon_hash_class tenon_sha1;
TENON_API extern const tenon_hash_class tenon_sha224; /* context: tenon_sha256_ctx */
TENON_API extern const tenon_hash_class tenon_sha256;
TENON_API extern const tenon_hash_class tenon_sha384;
TENON_API extern const tenon_hash_class tenon_sha512;

/* One-shot: out receives h->digest_len bytes. */
TENON_API void tenon_hash(const tenon_hash_class *h, const void *data, size_t len, uint8_t *out);

/* ------------------------------------------------------------------------------------------
 * HMAC (RFC 2104), HKDF (RFC 5869), the TLS 1.2 PRF (RFC 5246 §5)
 * ------------------------------------------------------------------------------------------ */

typedef struct tenon_hmac_ctx {
    tenon_hash_ctx inner; /* keyed with K ^ ipad, then the message */
    tenon_hash_ctx outer; /* keyed with K ^ opad */
} tenon_hmac_ctx;

TENON_API void tenon_hmac_init(tenon_hmac_ctx *ctx, const tenon_hash_class *h, const void *key,
                               size_t key_len);
TENON_API void tenon_hmac_update(tenon_hmac_ctx *ctx, const void *data, size_t len);
/* Writes the full-length tag (h->digest_len bytes); the context is left unchanged. */
TENON_API void tenon_hmac_final(const tenon_hmac_ctx *ctx, uint8_t *out);
TENON_API void tenon_hmac(const tenon_hash_class *h, const void *key, size_t key_len,
                          const void *data, size_t len, uint8_t *out);
/* Wipes the keyed state. */
TENON_API void tenon_hmac_wipe(tenon_hmac_ctx *ctx);

/* HKDF-Extract: prk (h->digest_len bytes) = HMAC(salt, ikm). An empty salt means a string of
 * digest_len zeros (RFC 5869 §2.2). */
TENON_API void tenon_hkdf_extract(const tenon_hash_class *h, const void *salt, size_t salt_len,
                                  const void *ikm, size_t ikm_len, uint8_t *prk);
/* HKDF-Expand: out_len bytes of T(1) | T(2) | ...; TENON_ERR_OUTPUT_TOO_LONG past
 * 255 * digest_len. */
TENON_API TENON_MUST_CHECK int tenon_hkdf_expand(const tenon_hash_class *h, const void *prk,
                                                 size_t prk_len, const void *info,
                                                 size_t info_len, uint8_t *out, size_t out_len);
/* HKDF-Expand with the PRK already keyed into prk_hmac (tenon_hmac_init(prk_hmac, h, prk,
 * prk_len), left unchanged): several expansions of one PRK (the TLS 1.3 key schedule's labels)
 * then compress the two HMAC key blocks once instead of once per expansion. out must not
 * overlap info. */
TENON_API TENON_MUST_CHECK int tenon_hkdf_expand_keyed(const tenon_hmac_ctx *prk_hmac,
                                                       const void *info, size_t info_len,
                                                       uint8_t *out, size_t out_len);

/* TLS 1.2 PRF (RFC 5246 §5): P_hash(secret, label || seed), with h = SHA-256 or SHA-384.
 * label is the ASCII label without a terminating NUL (e.g. "master secret"). */
TENON_API TENON_MUST_CHECK int tenon_tls12_prf(const tenon_hash_class *h, const void *secret,
                                               size_t secret_len, const char *label,
                                               const void *seed, size_t seed_len, uint8_t *out,
                                               size_t out_len);

/* ------------------------------------------------------------------------------------------
 * AEAD: AES-GCM (SP 800-38D) and ChaCha20-Poly1305 (RFC 8439)
 * ------------------------------------------------------------------------------------------ */

#define TENON_AEAD_TAG_LEN 16
#define TENON_AEAD_NONCE_LEN 12
#define TENON_AEAD_STATE_SIZE 2048

typedef struct tenon_aead_class tenon_aead_class;

/* Caller-owned AEAD context: the expanded key and any precomputed tables.
 *
 * Alignment: the natural alignment of the struct (8 bytes) is all it needs, so any address
 * malloc() returns works, and so does a copy made with memcpy or struct assignment. The same
 * holds for tenon_aes_cbc_ctx and the hash and HMAC contexts above. */
typedef struct tenon_aead_ctx {
    const tenon_aead_class *vtable;
    uint8_t state[TENON_AEAD_STATE_SIZE];
} tenon_aead_ctx;

struct tenon_aead_class {
    const char *name;   /* implementation, e.g. "AES-GCM/vaes-avx2" */
    const char *family; /* "AES-GCM" or "ChaCha20-Poly1305" */
    uint32_t cpu_needs; /* TENON_CPU_* bits this implementation requires */
    size_t tag_len;     /* 16 */
    /* AES-GCM takes 16-, 24- or 32-byte keys; ChaCha20-Poly1305 32. Sets ctx->vtable. */
    int (*init)(tenon_aead_ctx *ctx, const uint8_t *key, size_t key_len);
    /* Encrypts in_len bytes into out (out == in allowed, no other overlap) and writes the
     * tag_len-byte tag. AES-GCM takes any nonce length >= 1 (12 is the fast path);
     * ChaCha20-Poly1305 takes 12. */
    int (*seal)(const tenon_aead_ctx *ctx, const uint8_t *nonce, size_t nonce_len,
                const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t in_len, uint8_t *out,
                uint8_t *tag);
    /* Decrypts and verifies in constant time (out == in allowed, no other overlap; tag must
     * not overlap out, which may be written before the tag is checked). On
     * TENON_ERR_AUTH_FAILED the in_len bytes at out are zeroed: no unauthenticated plaintext
     * is released. */
    int (*open)(const tenon_aead_ctx *ctx, const uint8_t *nonce, size_t nonce_len,
                const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t in_len,
                const uint8_t *tag, uint8_t *out);
    /* The gather seal (tenon_aead_seal_split): the plaintext is head_len bytes at head followed
     * by the total_len - head_len bytes already at out + head_len. */
    int (*seal_split)(const tenon_aead_ctx *ctx, const uint8_t *nonce, size_t nonce_len,
                      const uint8_t *aad, size_t aad_len, const uint8_t *head, size_t head_len,
                      uint8_t *out, size_t total_len, uint8_t *tag);
};

/* The fastest implementation that tenon_cpu_features() allows. */
TENON_API const tenon_aead_class *tenon_aead_aes_gcm(void);
TENON_API const tenon_aead_class *tenon_aead_chacha20_poly1305(void);

/* Every implementation compiled in, NULL-terminated, fastest first (including those whose CPU
 * features are missing: check cpu_needs against tenon_cpu_features()). For tests and benches. */
TENON_API const tenon_aead_class *const *tenon_aead_implementations(void);

/* Convenience wrappers that go through ctx->vtable. */
TENON_API TENON_MUST_CHECK int tenon_aead_init(tenon_aead_ctx *ctx, const tenon_aead_class *cls,
                                               const uint8_t *key, size_t key_len);
TENON_API TENON_MUST_CHECK int tenon_aead_seal(const tenon_aead_ctx *ctx, const uint8_t *nonce,
                                               size_t nonce_len, const uint8_t *aad, size_t aad_len,
                                               const uint8_t *in, size_t in_len, uint8_t *out,
                                               uint8_t *tag);
TENON_API TENON_MUST_CHECK int tenon_aead_open(const tenon_aead_ctx *ctx, const uint8_t *nonce,
                                               size_t nonce_len, const uint8_t *aad, size_t aad_len,
                                               const uint8_t *in, size_t in_len, const uint8_t *tag,
                                               uint8_t *out);
/* Seals a plaintext given in two pieces without first gathering it: its first head_len bytes
 * at head (the caller's data), then the total_len - head_len bytes the caller has already put
 * at out + head_len (e.g. TLS 1.3's content type byte and padding). The ciphertext (total_len
 * bytes) goes to out and the tag to tag, exactly as tenon_aead_seal would give for the
 * concatenated plaintext. head == out is the in-place seal; otherwise head must not overlap
 * out[0 .. total_len). Only the short end of the head past the implementation's last whole
 * bulk unit (under 256 bytes; none when head_len is a multiple of 256) is copied to out
 * before sealing; the rest is read from head directly. head_len > total_len:
 * TENON_ERR_INVALID_ARGUMENT. */
TENON_API TENON_MUST_CHECK int tenon_aead_seal_split(const tenon_aead_ctx *ctx,
                                                     const uint8_t *nonce, size_t nonce_len,
                                                     const uint8_t *aad, size_t aad_len,
                                                     const uint8_t *head, size_t head_len,
                                                     uint8_t *out, size_t total_len, uint8_t *tag);
/* Wipes the key material; the context must be initialised again before use. */
TENON_API void tenon_aead_wipe(tenon_aead_ctx *ctx);

/* ------------------------------------------------------------------------------------------
 * AES-CBC (TLS 1.2's legacy CBC suites; the MAC is HMAC above)
 * ------------------------------------------------------------------------------------------ */

#define TENON_AES_BLOCK_LEN 16
#define TENON_AES_CBC_STATE_SIZE 1088

/* Any malloc'd address works, and so does a copy: see tenon_aead_ctx. */
typedef struct tenon_aes_cbc_ctx {
    const void *impl; /* the AES implementation chosen at init */
    uint8_t state[TENON_AES_CBC_STATE_SIZE];
} tenon_aes_cbc_ctx;

/* key_len 16, 24 or 32. The same context encrypts and decrypts. */
TENON_API TENON_MUST_CHECK int tenon_aes_cbc_init(tenon_aes_cbc_ctx *ctx, const uint8_t *key,
                                                  size_t key_len);
/* len must be a multiple of 16 (no padding is added or removed: TLS pads itself). iv is
 * updated to the last ciphertext block, so consecutive calls chain. out == in allowed. */
TENON_API TENON_MUST_CHECK int tenon_aes_cbc_encrypt(const tenon_aes_cbc_ctx *ctx, uint8_t iv[16],
                                                     const uint8_t *in, uint8_t *out, size_t len);
TENON_API TENON_MUST_CHECK int tenon_aes_cbc_decrypt(const tenon_aes_cbc_ctx *ctx, uint8_t iv[16],
                                                     const uint8_t *in, uint8_t *out, size_t len);
TENON_API void tenon_aes_cbc_wipe(tenon_aes_cbc_ctx *ctx);

#ifdef __cplusplus
}
#endif

#endif
