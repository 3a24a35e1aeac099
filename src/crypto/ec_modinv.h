/*
 * Internal: inversion modulo an odd modulus M < 2^256 by Bernstein–Yang divsteps ("Fast
 * constant-time gcd computation and modular inversion", TCHES 2019), for P-256's field and
 * group order (p256.c, through ec_field_impl.h's FE_MODINV) and X25519's field (the blinded final
 * inversion of x25519_adx.c).
 *
 * Values are plain (not Montgomery) little-endian 64-bit limbs, a in [0, M); the result is
 * a^-1 mod M in [0, M), and 0 for a = 0 (or, for a composite M, garbage when a has no inverse).
 * Variable-time: it branches on a and stops as soon as the gcd is found, so a must be public
 * (ECDSA verification's s) or blinded by a uniform secret factor (signing's k·b and Z^2·beta,
 * ec_curve_impl.h; X25519's z_2·beta).
 */
#ifndef TENON_EC_MODINV_H
#define TENON_EC_MODINV_H

#include <stdint.h>

/* The modulus in the inversion's own form: five signed limbs of 62 bits (the top one holding
 * bits 248 and up) and M^-1 mod 2^62. */
typedef struct ec_modinv_mod {
    int64_t m[5];
    uint64_t minv62;
} ec_modinv_mod;

void ec_modinv256_var(uint64_t r[4], const uint64_t a[4], const ec_modinv_mod *mod);

#endif
