/* Internal: the AEAD implementation classes, one per file, gathered by aead.c. */
#ifndef TENON_AEAD_IMPLS_H
#define TENON_AEAD_IMPLS_H

#include "tenon/crypto.h"

/* gcm_portable.c: aes_best_impl()-independent generic GCM over the portable AES (aes_ct64)
 * and the constant-time portable GHASH. */
extern const tenon_aead_class aes_gcm_portable_class;
/* chacha20poly1305.c: portable ChaCha20 and 64-bit Poly1305. */
extern const tenon_aead_class chacha20poly1305_portable_class;

#if defined(__x86_64__)
/* gcm_aesni.c: AES-NI + PCLMULQDQ, several blocks aggregated per reduction. */
extern const tenon_aead_class aes_gcm_aesni_class;
/* gcm_vaes_avx2.c: VAES + VPCLMULQDQ on ymm registers, many blocks per iteration. */
extern const tenon_aead_class aes_gcm_vaes_avx2_class;
/* chacha20poly1305_avx2.c: multi-block AVX2 ChaCha20. */
extern const tenon_aead_class chacha20poly1305_avx2_class;
/* chacha20poly1305_avx512.c: sixteen-block AVX-512F ChaCha20 and eight-lane Poly1305. */
extern const tenon_aead_class chacha20poly1305_avx512_class;
/* chacha20poly1305_avx512.c: the same ChaCha20 with the AVX-512 IFMA Poly1305. */
extern const tenon_aead_class chacha20poly1305_avx512ifma_class;
#endif

#endif
