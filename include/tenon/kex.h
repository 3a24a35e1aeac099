/*
 * tenon — key exchange groups (the TLS "named groups": x25519, secp256r1, secp384r1, and the
 * hybrid post-quantum groups X25519MLKEM768, SecP256r1MLKEM768, SecP384r1MLKEM1024).
 *
 * A group is a const class: sizes, its TLS code point, and four operations on raw encodings,
 * which is exactly what TLS key_share carries (X25519: 32-byte little-endian strings, RFC 7748;
 * the NIST curves: a big-endian scalar and the uncompressed point 0x04 || X || Y, SEC 1 §2.3.3;
 * the hybrids: the layouts of draft-ietf-tls-ecdhe-mlkem, see tenon_kex_hybrid).
 *
 * The exchange has the shape of a KEM, which a Diffie-Hellman group is a special case of:
 *   client: keygen()            -> private key, client share      (ClientHello key_share)
 *   server: encapsulate(share)  -> server share, shared secret    (ServerHello key_share)
 *   client: shared_secret(private key, server share) -> shared secret
 * For x25519 and the NIST curves, encapsulate is a fresh key pair plus the Diffie-Hellman
 * secret, and both shares have the same form. For the hybrids, the client share carries an
 * ML-KEM encapsulation key and the server share an ML-KEM ciphertext beside the ECDH keys.
 *
 * API change (2026-12): the class was { name, tls_group, private_len, public_len, shared_len,
 * keygen, public_from_private, shared_secret }. public_len became client_share_len and
 * server_share_len; encapsulate is new (the server side of TLS 1.3); dh, post_quantum and
 * hybrid describe the group; TENON_KEX_MAX_PUBLIC_LEN became TENON_KEX_MAX_SHARE_LEN, and the
 * private and shared limits grew. Code that used keygen + shared_secret on both sides still
 * works for the groups with dh = 1. Later (2026-12): keypair_and_shared, optional, appended.
 */
#ifndef TENON_KEX_H
#define TENON_KEX_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits over every group tenon has: a private key a client keeps between its ClientHello and
 * the ServerHello (SecP384r1MLKEM1024: the 64-byte ML-KEM seed and a P-384 scalar), a share on
 * the wire (SecP384r1MLKEM1024: 1665 bytes either way) and a shared secret (80 bytes). */
#define TENON_KEX_MAX_PRIVATE_LEN 112
#define TENON_KEX_MAX_SHARE_LEN 1665
#define TENON_KEX_MAX_SHARED_LEN 80

struct tenon_kem_class;
struct tenon_kex_class;

/* How a hybrid group is composed (draft-ietf-tls-ecdhe-mlkem): each share and the shared
 * secret are the concatenation of an ML-KEM part and an ECDH part, ML-KEM first when kem_first
 * (X25519MLKEM768), else the ECDH part first (SecP256r1MLKEM768, SecP384r1MLKEM1024):
 *   client share:  ek (kem->ek_len)  and the ECDH public key (ecdh->client_share_len)
 *   server share:  ct (kem->ct_len)  and the ECDH public key
 *   shared secret: ss (32 bytes)     and the ECDH secret (ecdh->shared_len)
 * The private key is the 64-byte ML-KEM seed d || z (FIPS 203 §7.1) followed by the ECDH
 * private key, whatever the order on the wire. */
typedef struct tenon_kex_hybrid {
    const struct tenon_kem_class *kem;
    const struct tenon_kex_class *ecdh;
    int kem_first;
} tenon_kex_hybrid;

typedef struct tenon_kex_class {
    const char *name;        /* the TLS name: "x25519", "X25519MLKEM768", ... */
    uint16_t tls_group;      /* RFC 8446 §4.2.7 NamedGroup code point */
    size_t private_len;      /* bytes of the private key keygen makes */
    size_t client_share_len; /* bytes of the client's key_share (keygen's output) */
    size_t server_share_len; /* bytes of the server's key_share (encapsulate's output) */
    size_t shared_len;       /* bytes of the shared secret */
    /* 1: a Diffie-Hellman group (both shares are public keys of one form; keygen and
     * shared_secret serve both sides, which TLS 1.2 ECDHE needs, where the server speaks
     * first). 0: a KEM-shaped group, TLS 1.3 only. */
    int dh;
    /* 1: the secret stays secret against an attacker with a quantum computer (ML-KEM). */
    int post_quantum;
    /* The halves of a hybrid group, NULL for the others. */
    const tenon_kex_hybrid *hybrid;
    /* Client: a fresh key pair from tenon_random(): the private key and the client share. */
    int (*keygen)(uint8_t *private_key, uint8_t *client_share);
    /* The client share of a given private key (TENON_ERR_BAD_PRIVATE_KEY if out of range). */
    int (*public_from_private)(const uint8_t *private_key, uint8_t *client_share);
    /* Server: answers a client share, which is fully validated first: exact length, point on
     * the curve and not infinity, X25519 not an all-zero result (RFC 8446 §7.4.2), ML-KEM
     * encapsulation key passing FIPS 203 §7.2's modulus check; TENON_ERR_BAD_PUBLIC_KEY
     * otherwise. Writes the server share (server_share_len bytes) and the shared secret
     * (shared_len bytes); nothing secret is left behind. */
    int (*encapsulate)(const uint8_t *client_share, size_t client_share_len, uint8_t *server_share,
                       uint8_t *shared);
    /* Client: the shared secret from our private key and the peer's share (the server share;
     * for dh groups any peer public key), validated first (TENON_ERR_BAD_PUBLIC_KEY: wrong
     * length, not on the curve, infinity, X25519 all-zero result). For the NIST curves the
     * secret is the X coordinate. */
    int (*shared_secret)(const uint8_t *private_key, const uint8_t *peer_share,
                         size_t peer_share_len, uint8_t *shared);
    /* Optional (NULL where absent; only x25519 has it): for a dh group, a given private key's
     * public key and its shared secret with a peer's, as public_from_private then
     * shared_secret would give them, computed together (x25519: one field inversion for both,
     * Montgomery's trick). The TLS server calls it on a private key from its random pool.
     * Writes our public key (client_share_len bytes) and the shared secret; returns
     * TENON_ERR_BAD_PUBLIC_KEY as shared_secret does, with the public key still written and
     * the secret zeroed, except for a peer key of the wrong length, where nothing is written. */
    int (*keypair_and_shared)(const uint8_t *private_key, const uint8_t *peer_share,
                              size_t peer_share_len, uint8_t *our_public, uint8_t *shared);
} tenon_kex_class;

TENON_API extern const tenon_kex_class tenon_kex_x25519;
TENON_API extern const tenon_kex_class tenon_kex_secp256r1;
TENON_API extern const tenon_kex_class tenon_kex_secp384r1;
/* The hybrids (draft-ietf-tls-ecdhe-mlkem), post_quantum = 1, dh = 0:
 *   group               code    client share             server share            secret
 *   X25519MLKEM768      0x11EC  ek(1184) || X25519(32)   ct(1088) || X25519(32)  ss || X25519
 *   SecP256r1MLKEM768   0x11EB  P-256(65) || ek(1184)    P-256(65) || ct(1088)   P-256 || ss
 *   SecP384r1MLKEM1024  0x11ED  P-384(97) || ek(1568)    P-384(97) || ct(1568)   P-384 || ss
 * Private key: the ML-KEM seed d || z (64 bytes), then the ECDH private key. */
TENON_API extern const tenon_kex_class tenon_kex_x25519mlkem768;
TENON_API extern const tenon_kex_class tenon_kex_secp256r1mlkem768;
TENON_API extern const tenon_kex_class tenon_kex_secp384r1mlkem1024;

#ifdef __cplusplus
}
#endif

#endif
