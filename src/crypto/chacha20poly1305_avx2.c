/*
 * ChaCha20-Poly1305 (RFC 8439 §2.8) with the AVX2 ChaCha20: with BMI2, a scalar MULX Poly1305
 * stitched into the ChaCha20 rounds (one pass over the data, the vector and the scalar units
 * both busy); without, the AVX2 Poly1305 as a second pass over each piece. The construction
 * itself is the shared one in chacha20poly1305.c.
 */
#include "../common.h"
#include "aead_impls.h"

#if TENON_X86_64

#include "chacha20.h"
#include "chacha20poly1305.h"
#include "poly1305.h"

CHACHA20POLY1305_CLASS(chacha20poly1305_avx2mulx_class, "ChaCha20-Poly1305/avx2-mulx",
                       TENON_CPU_AVX2 | TENON_CPU_BMI2, chacha20_xor_avx2, poly1305_blocks_avx2,
                       chacha20_xor_avx2_otk, NULL, chacha20_batch_mac_avx2, chacha20_rows_mac_avx2,
                       chacha20_xor_avx2_otk_tail, chacha20_batch_otk_avx2);

CHACHA20POLY1305_CLASS(chacha20poly1305_avx2_class, "ChaCha20-Poly1305/avx2", TENON_CPU_AVX2,
                       chacha20_xor_avx2, poly1305_blocks_avx2, chacha20_xor_avx2_otk, NULL, NULL,
                       NULL, NULL, NULL);

#endif
