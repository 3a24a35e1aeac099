/*
 * tenon — key encapsulation mechanisms: ML-KEM-768 and ML-KEM-1024 (FIPS 203).
 *
 * A KEM is a const class, like the key-exchange groups of tenon/kex.h: sizes and operations on
 * the raw FIPS 203 encodings (encapsulation key ek, decapsulation key dk, ciphertext ct, shared
 * secret ss), which is what the TLS hybrid groups carry.
 *
 * All operations return 0 or a negative tenon_err. They are constant-time with respect to their
 * secrets (dk, the seed, m, ss and every intermediate value: no secret-dependent branch, memory
 * index or division), allocate nothing, and wipe the secrets they computed before returning.
 * ek and ct are public. Output buffers must hold ek_len, dk_len, ct_len and ss_len bytes.
 * Each operation uses at most about 25 KB of stack (its secrets wiped before it returns).
 * Where the CPU has AVX2 (and tenon_cpu_set_mask allows it), the hashing and the ring
 * arithmetic use it; the results are the same.
 */
#ifndef TENON_KEM_H
#define TENON_KEM_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TENON_MLKEM768_EK_LEN 1184
#define TENON_MLKEM768_DK_LEN 2400
#define TENON_MLKEM768_CT_LEN 1088
#define TENON_MLKEM1024_EK_LEN 1568
#define TENON_MLKEM1024_DK_LEN 3168
#define TENON_MLKEM1024_CT_LEN 1568
#define TENON_KEM_SS_LEN 32   /* ML-KEM shared secret */
#define TENON_KEM_SEED_LEN 64 /* d || z (FIPS 203 §7.1 ML-KEM.KeyGen_internal) */
#define TENON_KEM_MAX_EK_LEN 1568
#define TENON_KEM_MAX_DK_LEN 3168
#define TENON_KEM_MAX_CT_LEN 1568

typedef struct tenon_kem_class {
    const char *name; /* "ML-KEM-768", "ML-KEM-1024" */
    size_t ek_len, dk_len, ct_len, ss_len;
    /* FIPS 203 §7.1 ML-KEM.KeyGen: a fresh key pair from tenon_random(); ek (encapsulation
     * key, public) and dk (decapsulation key, secret). TENON_ERR_RANDOM if the CSPRNG fails. */
    int (*keygen)(uint8_t *ek, uint8_t *dk);
    /* FIPS 203 Algorithm 16 ML-KEM.KeyGen_internal(d, z) from a 64-byte seed d || z: the same
     * seed always gives the same keys (this is the seed format of FIPS 203 §7.1 / §3.3). */
    int (*keygen_seed)(const uint8_t seed[TENON_KEM_SEED_LEN], uint8_t *ek, uint8_t *dk);
    /* FIPS 203 §7.2 input check of ek: ek_len must be exactly the class's ek_len and every
     * coefficient must be below q = 3329, i.e. ByteEncode12(ByteDecode12(ek)) == ek; 0 or
     * TENON_ERR_BAD_PUBLIC_KEY (for either reason). */
    int (*check_ek)(const uint8_t *ek, size_t ek_len);
    /* FIPS 203 §7.2 ML-KEM.Encaps with m from tenon_random(): checks ek first (as check_ek),
     * then writes the ciphertext ct and the shared secret ss. */
    int (*encaps)(const uint8_t *ek, size_t ek_len, uint8_t *ct, uint8_t *ss);
    /* ML-KEM.Encaps_internal (FIPS 203 Algorithm 17) with a given 32-byte m (tests, known
     * answers). Checks ek as check_ek. m is secret: a caller that draws it must wipe it. */
    int (*encaps_m)(const uint8_t *ek, size_t ek_len, const uint8_t m[32], uint8_t *ct,
                    uint8_t *ss);
    /* FIPS 203 §7.3 ML-KEM.Decaps with implicit rejection. Input checks: ct_len must equal the
     * class's ct_len (TENON_ERR_BAD_PUBLIC_KEY: the ciphertext is the peer's share), dk_len its
     * dk_len and the hash check of dk, H(ek) == the copy of H(ek) stored in dk, must hold
     * (TENON_ERR_BAD_PRIVATE_KEY). A
     * ciphertext that does not re-encrypt to itself is NOT an error: ss is then the implicit
     * rejection key J(z || ct), chosen in constant time, and the call returns 0. */
    int (*decaps)(const uint8_t *dk, size_t dk_len, const uint8_t *ct, size_t ct_len, uint8_t *ss);
    /* Decaps from the 64-byte seed d || z instead of dk: re-derives the key pair internally
     * (KeyGen_internal) and wipes it. Same result as keygen_seed followed by decaps, without
     * the caller holding the 2400/3168-byte dk: a TLS connection keeps only 64 secret bytes per
     * ML-KEM share. ct_len must equal the class's ct_len (TENON_ERR_BAD_PUBLIC_KEY). */
    int (*decaps_seed)(const uint8_t seed[TENON_KEM_SEED_LEN], const uint8_t *ct, size_t ct_len,
                       uint8_t *ss);
} tenon_kem_class;

TENON_API extern const tenon_kem_class tenon_kem_mlkem768;
TENON_API extern const tenon_kem_class tenon_kem_mlkem1024;

#ifdef __cplusplus
}
#endif

#endif
