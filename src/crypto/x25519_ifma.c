/*
 * The X25519 ladder (RFC 7748 §5) with AVX-512 IFMA on 256-bit vectors: the four field
 * elements of the ladder state (x_2, z_2, x_3, z_3) sit in the four lanes, and each step is
 * three rounds of four products at once (VPMADD52LUQ / VPMADD52HUQ, radix 2^51), where the
 * scalar code does nine products one or two at a time. The algorithm is in x25519_ifma_impl.h,
 * instantiated here with intrinsics and with a portable model of the same vector operations,
 * which valgrind can run: tests/ct_x25519.c checks the model's flow, tests/test_x25519.c checks
 * both instances against each other and the other paths.
 *
 * The final inversion is a scalar one (x25519_inv.c; four lanes would not shorten its serial
 * chain), blinded as the mulx/adx ladder's is (ifma_finish).
 *
 * The IFMA instance is only called after cpu_has(TENON_CPU_AVX512F | TENON_CPU_AVX512VL |
 * TENON_CPU_AVX512IFMA) (x25519.c).
 */
#include "../common.h"
#include "ct.h"
#include "tenon/crypto.h"
#include "x25519_field.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))
#define UNROLL _Pragma("GCC unroll 25")

/*
 * RFC 7748 §5: out = x_2 / z_2, with the inversion blinded as in x25519_adx.c: beta is SHA-256
 * of a label, the clamped scalar and u, secret and uniform to anyone who does not know k, so
 * z_2·beta may go to the variable-time divsteps (x25519_fe_invert_blinded), which costs less
 * than half of the constant-time x25519_fe_invert (on Zen 5, about 1.9k TSC ticks with the
 * hash against 3.8k). z_2 = 0 (u of small order) gives 0, as z_2^(p - 2) does. Both instances
 * end here, so ct_x25519 runs this under valgrind through the model. x2 and z2 are wiped.
 */
static void ifma_finish(uint8_t out[32], fe *x2, fe *z2, const uint8_t k[32], const uint8_t u[32])
{
    uint8_t beta[32];
    x25519_inversion_blind(beta, k, u);
    x25519_fe_invert_blinded(z2, z2, beta);
    fe_mul(x2, x2, z2);
    x25519_fe_tobytes(out, x2);
    tenon_wipe(beta, sizeof beta);
    tenon_wipe(x2, sizeof *x2);
    tenon_wipe(z2, sizeof *z2);
}

#if TENON_X86_64
#define IFMA_VEC_NATIVE 1
#include "ifma_vec.h"
#define XI_NAME(x) xi_##x##_ifma
#define XI_ATTR TENON_TARGET("avx2,avx512f,avx512vl,avx512ifma")
#include "x25519_ifma_impl.h"

XI_ATTR void x25519_ladder_ifma(uint8_t out[32], const uint8_t k[32], const uint8_t u[32])
{
    fe x1, x2, z2;
    fe_frombytes(&x1, u);
    xi_ladder_ifma(&x2, &z2, k, &x1);
    /* The vector registers held the ladder state. */
    ifma_clear_vector_regs();
    ifma_finish(out, &x2, &z2, k, u);
    tenon_wipe(&x1, sizeof x1);
}

/* The ladder without its division (x25519_keypair_and_shared, x25519.c). */
XI_ATTR void x25519_ladder_ifma_xz(fe *x2, fe *z2, const uint8_t k[32], const uint8_t u[32])
{
    fe x1;
    fe_frombytes(&x1, u);
    xi_ladder_ifma(x2, z2, k, &x1);
    ifma_clear_vector_regs();
    tenon_wipe(&x1, sizeof x1);
}

#undef XI_NAME
#undef XI_ATTR
#undef IFMA_VEC_NATIVE
#endif

/* The portable model: each vector operation lane by lane, branch-free (ifma_vec.h). */
#include "ifma_vec.h"
#define XI_NAME(x) xi_##x##_model
#define XI_ATTR
#include "x25519_ifma_impl.h"

void x25519_ladder_ifma_model(uint8_t out[32], const uint8_t k[32], const uint8_t u[32])
{
    fe x1, x2, z2;
    fe_frombytes(&x1, u);
    xi_ladder_model(&x2, &z2, k, &x1);
    ifma_finish(out, &x2, &z2, k, u);
    tenon_wipe(&x1, sizeof x1);
}

void x25519_ladder_ifma_model_xz(fe *x2, fe *z2, const uint8_t k[32], const uint8_t u[32])
{
    fe x1;
    fe_frombytes(&x1, u);
    xi_ladder_model(x2, z2, k, &x1);
    tenon_wipe(&x1, sizeof x1);
}
