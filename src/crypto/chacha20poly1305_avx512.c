/*
 * ChaCha20-Poly1305 (RFC 8439 §2.8) with the AVX-512 ChaCha20 and, by CPU, one of two vector
 * Poly1305s: the IFMA one (radix 2^44) where the CPU has AVX-512 IFMA, else the eight-lane
 * radix-2^26 one. The construction itself is the shared one in chacha20poly1305.c.
 */
#include "../common.h"
#include "aead_impls.h"

#if TENON_X86_64

#include "chacha20.h"
#include "chacha20poly1305.h"
#include "poly1305.h"

CHACHA20POLY1305_CLASS(chacha20poly1305_avx512ifma_class, "ChaCha20-Poly1305/avx512ifma",
                       TENON_CPU_AVX512F | TENON_CPU_AVX512IFMA, chacha20_xor_avx512,
                       poly1305_blocks_ifma, chacha20_xor_avx512_otk, poly1305_aead_ifma, NULL,
                       NULL, NULL, NULL);

CHACHA20POLY1305_CLASS(chacha20poly1305_avx512_class, "ChaCha20-Poly1305/avx512",
                       TENON_CPU_AVX512F | TENON_CPU_AVX2, chacha20_xor_avx512,
                       poly1305_blocks_avx512, chacha20_xor_avx512_otk, NULL, NULL, NULL, NULL,
                       NULL);

#endif
