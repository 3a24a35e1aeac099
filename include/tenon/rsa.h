/*
 * tenon — RSA (PKCS #1 v2.2, RFC 8017): PKCS#1 v1.5 and PSS signatures, PKCS#1 v1.5 encryption
 * and the TLS 1.2 pre-master-secret decryption of RFC 5246 §7.4.7.1.
 *
 * Keys are plain caller-owned structs holding big-endian byte strings; nothing is allocated.
 * Moduli of 2048 to 4096 bits are accepted, for public and private keys alike (TENON_ERR_KEY_SIZE
 * otherwise): tenon neither signs with nor trusts smaller keys, and larger ones are beyond what
 * TLS deployments use. Public exponents are odd, at least 3 and at most 2^64 - 1.
 *
 * Every operation on a private key is constant-time with respect to the key and the secret data:
 * the private operation uses the CRT with fixed-window exponentiation and constant-time table
 * access, blinds its input with r^e for a random r, and checks its result with the public key
 * before releasing it (a fault during the computation would otherwise leak the factors of n); a
 * failed check is TENON_ERR_INTERNAL, and the output then holds zeros, never the faulty result.
 *
 * The blinding pair (r^e and r^-1 mod p and mod q) is kept in the key between calls, squared at
 * each use (r becomes r^2), and made from a fresh random r every 32 uses, as OpenSSL and
 * BoringSSL do: it saves each call two inversions and two exponentiations to e. The key stays
 * const in the API; a private operation writes that cache (only that) under a lock it only tries:
 * a call that finds it held, a key copied by value or filled by other means than
 * tenon_rsa_private_key_load (which ties the cache to the key's address), and the first call in
 * a child process after fork() (the cache records the process id) blind with a fresh r of their
 * own, so calls never wait, and no two calls or processes use the same pair. (As with OpenSSL's
 * process-id check, a descendant that inherits an unused cache and happens to get the process
 * id of the process that made it, after that one has exited, would go on from its pair.) So a
 * loaded key must stay in writable memory, and copying it while another thread uses it is a data
 * race on the cache (the copy itself never uses that cache).
 *
 * Signing and verification take a message digest together with the hash class that produced it
 * (tenon_sha1, tenon_sha256, tenon_sha384 or tenon_sha512).
 */
#ifndef TENON_RSA_H
#define TENON_RSA_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "error.h"
#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TENON_RSA_MIN_BITS 2048
#define TENON_RSA_MAX_BITS 4096
/* The largest modulus, signature and ciphertext, in bytes. */
#define TENON_RSA_MAX_LEN 512
/* The largest CRT component (p, q, dp, dq, qinv), in bytes. */
#define TENON_RSA_MAX_PRIME_LEN 256
#define TENON_RSA_MAX_PUBEXP_LEN 8
/* The TLS 1.2 pre-master secret (RFC 5246 §7.4.7.1). */
#define TENON_RSA_PREMASTER_LEN 48
/* For tenon_rsa_pss_verify: recover the salt length from the signature instead of requiring
 * one (RFC 8017 §9.1.2 allows either). */
#define TENON_RSA_PSS_SALT_ANY ((size_t)-1)

/* A public key: n and e big-endian without leading zero bytes. */
typedef struct tenon_rsa_public_key {
    size_t n_len; /* k, the modulus length in bytes: also that of signatures and ciphertexts */
    size_t n_bits;
    uint8_t n[TENON_RSA_MAX_LEN];
    size_t e_len;
    uint8_t e[TENON_RSA_MAX_PUBEXP_LEN];
} tenon_rsa_public_key;

/* A private key in CRT form (RFC 8017 §3.2, second representation with u = 2 primes):
 * p, q, dp = d mod (p-1), dq = d mod (q-1), qinv = q^-1 mod p, each big-endian without leading
 * zero bytes, and the public key (used to check every result). */
typedef struct tenon_rsa_private_key {
    tenon_rsa_public_key pub;
    size_t p_len, q_len, dp_len, dq_len, qinv_len;
    uint8_t p[TENON_RSA_MAX_PRIME_LEN];
    uint8_t q[TENON_RSA_MAX_PRIME_LEN];
    uint8_t dp[TENON_RSA_MAX_PRIME_LEN];
    uint8_t dq[TENON_RSA_MAX_PRIME_LEN];
    uint8_t qinv[TENON_RSA_MAX_PRIME_LEN];
    /* Private to tenon, not part of the API, and as secret as p and q: the Montgomery constants
     * R^2 and R^3 mod p, then mod q (R = 2^(64 ceil(p_len / 8)), and the same with q_len), in
     * 64-bit limbs, least significant first, made by tenon_rsa_private_key_load. Each private
     * operation checks them against p and q (in constant time) before use and computes them
     * anew if they are absent or wrong; only read, never written on use.
     * tenon_rsa_private_key_wipe wipes them with the rest. */
    uint64_t mont_crt[4][TENON_RSA_MAX_PRIME_LEN / 8];
    /* Private to tenon, not part of the API, and as secret as p and q: the blinding pair and its
     * state (see above and rsa.c). tenon_rsa_private_key_wipe wipes it with the rest. */
    struct tenon_rsa_blinding {
        /* mod p, then mod q: M(r^e) and M(r^-1), M(x) = x R as in mont_crt, 64-bit limbs */
        uint64_t pair[2][2][TENON_RSA_MAX_PRIME_LEN / 8];
        const void *owner; /* the key's own address, set by tenon_rsa_private_key_load */
        int64_t pid;       /* the process that made the pair */
        uint32_t uses;     /* of the current r; 32 or more: none kept */
        uint32_t lock;     /* nonzero while a call reads or writes the above (try-lock) */
    } blinding;
} tenon_rsa_private_key;

/* Loads a public key from big-endian n and e (leading zero bytes are allowed and dropped).
 * TENON_ERR_KEY_SIZE if n is not 2048..4096 bits; TENON_ERR_BAD_PUBLIC_KEY if n is even or e is
 * even, below 3, longer than 8 bytes or not below n. */
TENON_API TENON_MUST_CHECK int tenon_rsa_public_key_load(tenon_rsa_public_key *key,
                                                         const uint8_t *n, size_t n_len,
                                                         const uint8_t *e, size_t e_len);

/* Loads a private key from its public part and CRT components (big-endian; leading zero bytes
 * allowed). Checks sizes and consistency: n = p * q, p and q odd and of at most 256 bytes,
 * dp < p, dq < q, qinv < p, and q * qinv = 1 mod p. TENON_ERR_KEY_SIZE for a modulus outside
 * 2048..4096 bits, TENON_ERR_BAD_PRIVATE_KEY for an inconsistent key. On error the key is
 * wiped. */
TENON_API TENON_MUST_CHECK int
tenon_rsa_private_key_load(tenon_rsa_private_key *key, const uint8_t *n, size_t n_len,
                           const uint8_t *e, size_t e_len, const uint8_t *p, size_t p_len,
                           const uint8_t *q, size_t q_len, const uint8_t *dp, size_t dp_len,
                           const uint8_t *dq, size_t dq_len, const uint8_t *qinv, size_t qinv_len);

TENON_API void tenon_rsa_private_key_wipe(tenon_rsa_private_key *key);

/* RSASSA-PKCS1-v1_5 (RFC 8017 §8.2) over a digest: EMSA-PKCS1-v1_5 with the DigestInfo of h
 * (SHA-1, SHA-256, SHA-384 or SHA-512; TENON_ERR_UNSUPPORTED for other classes). digest_len must
 * be h->digest_len. The signature is key->pub.n_len bytes (TENON_ERR_BUFFER_TOO_SMALL if
 * sig_cap is less); *sig_len receives its length. Deterministic. */
TENON_API TENON_MUST_CHECK int tenon_rsa_pkcs1_sign(const tenon_rsa_private_key *key,
                                                    const tenon_hash_class *h,
                                                    const uint8_t *digest, size_t digest_len,
                                                    uint8_t *sig, size_t sig_cap, size_t *sig_len);

/* 0 if sig is a valid RSASSA-PKCS1-v1_5 signature of digest under key, TENON_ERR_BAD_SIGNATURE
 * otherwise: a signature not exactly n_len bytes or not below n, or an encoding other than the
 * one tenon would produce (the DigestInfo with its NULL parameters: the encoding is compared
 * whole, as RFC 8017 §8.2.2 step 4 prescribes, never parsed). */
TENON_API TENON_MUST_CHECK int tenon_rsa_pkcs1_verify(const tenon_rsa_public_key *key,
                                                      const tenon_hash_class *h,
                                                      const uint8_t *digest, size_t digest_len,
                                                      const uint8_t *sig, size_t sig_len);

/* RSASSA-PSS (RFC 8017 §8.1) over a digest, MGF1 with the same hash h, a random salt of
 * h->digest_len bytes (as TLS 1.3 requires, RFC 8446 §4.2.3). h may be any hash class. */
TENON_API TENON_MUST_CHECK int tenon_rsa_pss_sign(const tenon_rsa_private_key *key,
                                                  const tenon_hash_class *h, const uint8_t *digest,
                                                  size_t digest_len, uint8_t *sig, size_t sig_cap,
                                                  size_t *sig_len);

/* 0 if sig is a valid RSASSA-PSS signature of digest with hash h, MGF1 with h and a salt of
 * salt_len bytes (TENON_RSA_PSS_SALT_ANY: any length); TENON_ERR_BAD_SIGNATURE otherwise. */
TENON_API TENON_MUST_CHECK int tenon_rsa_pss_verify(const tenon_rsa_public_key *key,
                                                    const tenon_hash_class *h,
                                                    const uint8_t *digest, size_t digest_len,
                                                    size_t salt_len, const uint8_t *sig,
                                                    size_t sig_len);

/* As tenon_rsa_pss_verify, with a mask generation function MGF1 over its own hash mgf1_h (RFC
 * 8017 §B.2.1 lets it differ from h; X.509 RSASSA-PSS-params can say so). */
TENON_API TENON_MUST_CHECK int
tenon_rsa_pss_verify_mgf1(const tenon_rsa_public_key *key, const tenon_hash_class *h,
                          const tenon_hash_class *mgf1_h, const uint8_t *digest, size_t digest_len,
                          size_t salt_len, const uint8_t *sig, size_t sig_len);

/* RSAES-PKCS1-v1_5 encryption (RFC 8017 §7.2.1) of msg_len <= n_len - 11 bytes
 * (TENON_ERR_OUTPUT_TOO_LONG beyond). The ciphertext is n_len bytes. */
TENON_API TENON_MUST_CHECK int tenon_rsa_pkcs1_encrypt(const tenon_rsa_public_key *key,
                                                       const uint8_t *msg, size_t msg_len,
                                                       uint8_t *out, size_t out_cap,
                                                       size_t *out_len);

/* RSAES-PKCS1-v1_5 decryption (RFC 8017 §7.2.2). ct_len must be n_len (TENON_ERR_BAD_LENGTH)
 * and the ciphertext below n (TENON_ERR_DECRYPTION_FAILED). The padding is checked in constant
 * time, but the result cannot be: TENON_ERR_DECRYPTION_FAILED for bad padding, otherwise the
 * message length in *out_len, both visible to the caller and so to whoever sees how it reacts.
 * That is Bleichenbacher's oracle: a protocol must not let a peer learn the outcome. TLS 1.2
 * uses tenon_rsa_tls12_premaster_decrypt, which hides it. out_cap must be at least the message
 * length (TENON_ERR_BUFFER_TOO_SMALL). */
TENON_API TENON_MUST_CHECK int tenon_rsa_pkcs1_decrypt(const tenon_rsa_private_key *key,
                                                       const uint8_t *ct, size_t ct_len,
                                                       uint8_t *out, size_t out_cap,
                                                       size_t *out_len);

/* The server side of the TLS 1.2 RSA key exchange (RFC 5246 §7.4.7.1), in constant time: out
 * first receives 48 random bytes; the ciphertext is decrypted, and out takes the decrypted value
 * only if the PKCS#1 v1.5 padding is right, the message is exactly 48 bytes and begins with
 * client_version_major, client_version_minor (the version the client offered in its
 * ClientHello). Every failure, a ciphertext not below n included, leaves the random value, with
 * no difference in return value, branches or memory accesses: the handshake then fails at
 * Finished. Returns 0 in all those cases; an error only for a NULL argument or a ct_len other than
 * n_len (public facts), TENON_ERR_RANDOM, or TENON_ERR_INTERNAL (a fault detected). */
TENON_API TENON_MUST_CHECK int
tenon_rsa_tls12_premaster_decrypt(const tenon_rsa_private_key *key, const uint8_t *ct,
                                  size_t ct_len, uint8_t client_version_major,
                                  uint8_t client_version_minor,
                                  uint8_t out[TENON_RSA_PREMASTER_LEN]);

/* The public exponent of every key tenon_rsa_generate makes (FIPS 186-5 §A.1.1 allows any odd
 * 2^16 < e < 2^256; 65537 is what everyone uses). */
#define TENON_RSA_KEYGEN_E 65537

/* Generates a key pair of bits bits (2048 to 4096, a multiple of 128: TENON_ERR_KEY_SIZE
 * otherwise) with e = TENON_RSA_KEYGEN_E, by FIPS 186-5 Appendix A.1.1 with the probable primes
 * of Appendix B.3.3: p and q are random odd numbers of bits / 2 bits with their top two bits set
 * (so n has exactly bits bits), with gcd(p - 1, e) = gcd(q - 1, e) = 1 and
 * |p - q| > 2^(bits/2 - 100), each passing trial division by small primes and the Miller-Rabin
 * rounds of FIPS 186-5 Table B.1 for the security strength of the size (5 rounds on 1024-bit
 * primes, 4 on 1536- and 2048-bit ones) with random bases. The CRT values are derived from
 * d = e^-1 mod lcm(p - 1, q - 1), which FIPS 186-5 requires to exceed 2^(bits/2) (otherwise
 * the primes are drawn again); tenon_rsa_private_exponent recomputes d.
 *
 * Constant-time: the only branches on secret-derived values are the rejections of prime
 * candidates (composite by trial division or Miller-Rabin, 1 mod e, too close to p, or
 * 1 mod 2^64) and of a pair whose d is too small: they reveal that a discarded number failed.
 * The primes kept went through every test in full, and trial division, Miller-Rabin, the gcd,
 * the divisions and the inversions run without secret-dependent branches or memory indexes.
 * Every intermediate value is wiped; on error the key is wiped.
 *
 * Randomness from tenon_random (TENON_ERR_RANDOM if it fails). TENON_ERR_KEYGEN_FAILED if
 * 5 (bits / 2) candidates in a row failed for one prime (the bound of B.3.3; probability
 * about 2^-20): call again. Slow by nature: tens of milliseconds to seconds (the time is
 * random; 4096 bits takes the longest). */
TENON_API TENON_MUST_CHECK int tenon_rsa_generate(tenon_rsa_private_key *key, size_t bits);

/* The private exponent d = e^-1 mod lcm(p - 1, q - 1) of key (the key struct keeps only the CRT
 * form; a PKCS#1 RSAPrivateKey also carries d), big-endian on exactly key->pub.n_len bytes,
 * leading zero bytes kept (*d_len = n_len; d_cap must be at least that:
 * TENON_ERR_BUFFER_TOO_SMALL). e must be a
 * prime below 2^32 (3, 17 and 65537 are): TENON_ERR_UNSUPPORTED otherwise. Constant-time in p
 * and q, as tenon_rsa_generate. */
TENON_API TENON_MUST_CHECK int tenon_rsa_private_exponent(const tenon_rsa_private_key *key,
                                                          uint8_t *d, size_t d_cap, size_t *d_len);

#ifdef __cplusplus
}
#endif

#endif
