/*
 * tenon — X25519 (RFC 7748). For TLS use the tenon_kex_x25519 class (tenon/kex.h), which adds
 * key generation and the all-zero check.
 */
#ifndef TENON_X25519_H
#define TENON_X25519_H

#include <stdint.h>

#include "error.h"
#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TENON_X25519_LEN 32

/* The X25519 function of RFC 7748 §5: out = scalar · u (the scalar is clamped; the top bit of
 * u is ignored). No check of the result: TLS callers use the kex class. */
TENON_API void tenon_x25519(uint8_t out[32], const uint8_t scalar[32], const uint8_t u[32]);

/* out = scalar · 9, the public key of a private scalar (fixed-base). */
TENON_API void tenon_x25519_base(uint8_t out[32], const uint8_t scalar[32]);

#ifdef __cplusplus
}
#endif

#endif
