/*
 * ChaCha20-Poly1305 (RFC 8439 §2.8) with the AVX2 ChaCha20 and Poly1305; the construction
 * itself is the shared one in chacha20poly1305.c.
 */
#include "../common.h"
#include "aead_impls.h"

#if TENON_X86_64

#include "chacha20.h"
#include "chacha20poly1305.h"
#include "poly1305.h"

CHACHA20POLY1305_CLASS(chacha20poly1305_avx2_class, "ChaCha20-Poly1305/avx2", TENON_CPU_AVX2,
                       chacha20_xor_avx2, poly1305_blocks_avx2, chacha20_xor_avx2_otk, NULL);

#endif
