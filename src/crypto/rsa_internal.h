/*
 * Internal: the RSA primitives (RFC 8017 §5) shared by the padding schemes.
 *
 * Inputs and outputs are k = n_len bytes, big-endian. The private operation reports its
 * outcome as masks rather than by branching, so that callers can fold it into their own
 * constant-time decisions (the TLS 1.2 pre-master secret) and so that a verdict derived from
 * secret data is only branched on once the caller has made it public.
 */
#ifndef TENON_RSA_INTERNAL_H
#define TENON_RSA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "tenon/rsa.h"

/* RSAVP1 / RSAEP (RFC 8017 §5.2.2, §5.1.1): out = in^e mod n. TENON_ERR_MALFORMED if the
 * input is not below n (public data only). */
int rsa_public_op(const tenon_rsa_public_key *key, const uint8_t *in, uint8_t *out);

/* RSAVP1 alone (a signature verification): as rsa_public_op, but variable time in the input
 * as well (a signature is public), which saves the set-up of R^2 mod n. */
int rsa_verify_op(const tenon_rsa_public_key *key, const uint8_t *sig, uint8_t *out);

/* RSASP1 / RSADP (RFC 8017 §5.2.1, §5.1.2) with the CRT, blinding and a check of the result
 * with the public exponent. *in_range is all-ones if the input is below n (otherwise the
 * operation runs on 0); *check_ok is all-ones if the result passed the check (otherwise out is
 * zeroed). Returns a negative error only for a failure of the random source. */
int rsa_private_op(const tenon_rsa_private_key *key, const uint8_t *in, uint8_t *out,
                   uint64_t *in_range, uint64_t *check_ok);

/* MGF1 (RFC 8017 §B.2.1): XORs mask_len bytes of MGF1(seed) with hash h into out. */
void rsa_mgf1_xor(const tenon_hash_class *h, const uint8_t *seed, size_t seed_len, uint8_t *out,
                  size_t mask_len);

/* Miller-Rabin (FIPS 186-4 Appendix C.3.1) on the odd w of pl limbs (2 <= pl <= 32, top limb
 * non-zero): rounds rounds with random bases, each run in full with no branch or memory index
 * that depends on w; *pass is all-ones if w passed all of them (a w = 1 mod 2^64 never
 * passes). Negative only for a failure of the random source. rsa_keygen.c. */
int rsa_miller_rabin(const uint64_t *w, size_t pl, int rounds, uint64_t *pass);

#endif
