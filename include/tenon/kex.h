/*
 * tenon — key exchange groups (the TLS "named groups": x25519, secp256r1, secp384r1).
 *
 * A group is a const class: sizes, its TLS code point, and three operations on raw encodings
 * (X25519: 32-byte little-endian strings, RFC 7748; the NIST curves: a big-endian scalar and the
 * uncompressed point 0x04 || X || Y, SEC 1 §2.3.3), which is exactly what TLS key_share carries.
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

#define TENON_KEX_MAX_PRIVATE_LEN 48
#define TENON_KEX_MAX_PUBLIC_LEN 97
#define TENON_KEX_MAX_SHARED_LEN 48

typedef struct tenon_kex_class {
    const char *name;    /* the TLS name: "x25519", "secp256r1", "secp384r1" */
    uint16_t tls_group;  /* RFC 8446 §4.2.7 NamedGroup code point */
    size_t private_len;  /* bytes */
    size_t public_len;   /* bytes of the key_share encoding */
    size_t shared_len;   /* bytes of the shared secret */
    /* A fresh key pair from tenon_random(). */
    int (*keygen)(uint8_t *private_key, uint8_t *public_key);
    /* The public key of a given private key (TENON_ERR_BAD_PRIVATE_KEY if out of range). */
    int (*public_from_private)(const uint8_t *private_key, uint8_t *public_key);
    /* The shared secret with a peer's public key, which is fully validated first
     * (TENON_ERR_BAD_PUBLIC_KEY: wrong length, not on the curve, infinity, X25519 all-zero
     * result — RFC 8446 §7.4.2). For the NIST curves the secret is the X coordinate. */
    int (*shared_secret)(const uint8_t *private_key, const uint8_t *peer_public,
                         size_t peer_public_len, uint8_t *shared);
} tenon_kex_class;

TENON_API extern const tenon_kex_class tenon_kex_x25519;
TENON_API extern const tenon_kex_class tenon_kex_secp256r1;
TENON_API extern const tenon_kex_class tenon_kex_secp384r1;

#ifdef __cplusplus
}
#endif

#endif
