/*
 * Internal: what the tests need of mlkem.c beyond the public classes (tenon/kem.h).
 */
#ifndef TENON_MLKEM_H
#define TENON_MLKEM_H

#include <stdint.h>

#include "tenon/kem.h"

/* ML-KEM.KeyGen_internal as the initial public draft of FIPS 203 (August 2023) defined it:
 * step 1 of K-PKE.KeyGen is G(d) there, G(d || k) in the final standard; nothing else differs.
 * Only for the C2SP CCTV vectors that still follow the draft (unluckysample/ and the
 * accumulated hashes). kem is tenon_kem_mlkem768 or tenon_kem_mlkem1024. */
int mlkem_keygen_seed_draft(const tenon_kem_class *kem, const uint8_t seed[TENON_KEM_SEED_LEN],
                            uint8_t *ek, uint8_t *dk);

#endif
