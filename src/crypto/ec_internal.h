/*
 * Internal: the NIST prime curves P-256 and P-384 behind tenon/ec.h and the secp*r1 kex classes.
 *
 * Each curve file (p256.c, p384.c) instantiates the field template (ec_field_impl.h) twice —
 * once modulo p, once modulo the group order n — and the point template (ec_curve_impl.h), and
 * exports one ec_curve descriptor. Everything above it (keys, ECDH, ECDSA and its DER codec,
 * RFC 6979 nonces) is curve-independent and works on big-endian byte strings of the curve's
 * length only, so no limb representation leaks out of the curve files.
 *
 * Masks are 0xFFFFFFFF (true) or 0 (false), as in ct.h.
 */
#ifndef TENON_EC_INTERNAL_H
#define TENON_EC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "tenon/ec.h"

typedef struct ec_curve {
    tenon_ec_curve id;
    size_t len; /* bytes of a scalar, of a coordinate, and of n and p (256 or 384 bits) */
    /* Mask: the len-byte big-endian k is in [1, n-1]. Constant-time. */
    uint32_t (*scalar_in_range)(const uint8_t *k);
    /* out = in mod n for a len-byte big-endian in (in < 2^bits < 2n: one conditional
     * subtraction). Constant-time. */
    void (*scalar_reduce)(uint8_t *out, const uint8_t *in);
    /* Mask: xy = X || Y (2 * len bytes) are both below p and satisfy the curve equation
     * (SEC 1 §3.2.2.1 steps 2-3; infinity has no affine encoding). Constant-time. */
    uint32_t (*point_valid)(const uint8_t *xy);
    /* out = X || Y of k·P for a valid point P; mask 0 (and out zeroed) if k·P is infinity.
     * Constant-time in k and P. blind is NULL or len secret bytes that no attacker can predict
     * or influence (uniform, or a PRF output keyed by k): the final inversion is then blinded
     * by it and runs in variable time (ec_curve_impl.h, EC(inv_blinded)), which is faster. */
    uint32_t (*mul)(uint8_t *out, const uint8_t *k, const uint8_t *xy, const uint8_t *blind);
    /* out = X || Y of k·G; as mul. */
    uint32_t (*mul_base)(uint8_t *out, const uint8_t *k, const uint8_t *blind);
    /* FIPS 186-5 §6.4.1 steps 5-11 for a private key d in [1, n-1], a nonce k in [1, n-1] and
     * e = bits2int(H(M)) (len bytes, not yet reduced): r = x(k·G) mod n,
     * s = k^-1 (e + r·d) mod n. blind is 2 * len secret bytes as uniform and as unpredictable
     * as k (further output of the nonce DRBG): they blind the two inversions, which may then
     * run in variable time. Mask 0 if r or s is 0 (the caller takes another k).
     * Constant-time in d, k and blind. */
    uint32_t (*ecdsa_sign)(uint8_t *r, uint8_t *s, const uint8_t *d, const uint8_t *k,
                           const uint8_t *e, const uint8_t *blind);
    /* FIPS 186-5 §6.4.2 steps 3-8 for a valid public point, r and s already checked to be in
     * [1, n-1], e as above: 1 if the signature verifies. Variable-time (public data only). */
    int (*ecdsa_verify)(const uint8_t *xy, const uint8_t *e, const uint8_t *r, const uint8_t *s);
    /* 1 if mul and mul_base should be given a blind (their variable-time inversion is faster
     * than the constant-time one: P-256); 0 if a blind buys nothing (P-384). */
    int blind_inv;
    /* The static base-point table and a function recomputing it from scratch, so a test can
     * check the table and print it again (ec_table_print). */
    const uint64_t *base_table;
    size_t base_table_words;
    void (*base_table_compute)(uint64_t *out);
    /* The same for verification's static odd multiples of G, where the curve has them (P-256;
     * NULL otherwise). */
    const uint64_t *g_odd_table;
    size_t g_odd_words;
    void (*g_odd_compute)(uint64_t *out);
} ec_curve;

extern const ec_curve ec_p256;
extern const ec_curve ec_p384;

/* The curve for an id, or NULL. */
const ec_curve *ec_curve_get(tenon_ec_curve id);

/*
 * Values that are public by design (whether an RFC 6979 or key-generation candidate was out of
 * range, whether a result is the point at infinity, the verdict on a loaded private key) are
 * marked with ct_declassify() from ct.h before the code branches on them, each with a comment
 * saying why, so that only these audited branches are exempt from the constant-flow test.
 */

#endif
