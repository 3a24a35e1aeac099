/*
 * P-256 variable-base multiplication (ECDH) with AVX-512 IFMA on 256-bit vectors: the point
 * formulas are arranged in rounds of up to four independent field products, and each round is
 * one vector product (VPMADD52LUQ / VPMADD52HUQ, radix 2^52) where the scalar code (p256.c's
 * mulx/adcx/adox field) does them one after another. The algorithm is in p256_ifma_impl.h,
 * instantiated here with intrinsics and with the portable model of ifma_vec.h, which valgrind
 * can run: tests/ct_ec.c checks the model's flow, tests/test_ec.c checks both instances
 * against each other and the scalar paths.
 *
 * The IFMA instance is only called after cpu_has(TENON_CPU_AVX512F | TENON_CPU_AVX512VL |
 * TENON_CPU_AVX512IFMA) (p256.c).
 */
#include "p256_ifma.h"

#include "../common.h"
#include "ct.h"
#include "tenon/crypto.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))
#define UNROLL _Pragma("GCC unroll 25")

#if TENON_X86_64
#define IFMA_VEC_NATIVE 1
#include "ifma_vec.h"
#define PI_NAME(x) pi_##x##_ifma
#define PI_ATTR TENON_TARGET("avx2,avx512f,avx512vl,avx512ifma")
#include "p256_ifma_impl.h"

PI_ATTR uint64_t p256_ifma_mul_jac(uint64_t out[3][5], const uint8_t d[52], const uint64_t in[3][4])
{
    uint64_t bad = pi_mul_jac_ifma(out, d, in);
    ifma_clear_vector_regs();
    return bad;
}

PI_ATTR uint64_t p256_ifma_mul_base_jac(uint64_t out[3][5], const uint8_t d[52],
                                        const uint64_t *table)
{
    uint64_t bad = pi_mul_base_jac_ifma(out, d, table);
    ifma_clear_vector_regs();
    return bad;
}

PI_ATTR void p256_ifma_mul_double(uint64_t out[3][5], const int8_t *n1, const int8_t *n2, int len,
                                  const uint64_t g[8][3][4], const uint64_t q[3][4])
{
    pi_mul_double_ifma(out, n1, n2, len, g, q);
    _mm256_zeroall(); /* public values only: no need to reach ymm16-31 */
}
#undef PI_NAME
#undef PI_ATTR
#undef IFMA_VEC_NATIVE
#else
uint64_t p256_ifma_mul_jac(uint64_t out[3][5], const uint8_t d[52], const uint64_t in[3][4])
{
    return p256_ifma_mul_jac_model(out, d, in);
}

void p256_ifma_mul_double(uint64_t out[3][5], const int8_t *n1, const int8_t *n2, int len,
                          const uint64_t g[8][3][4], const uint64_t q[3][4])
{
    p256_ifma_mul_double_model(out, n1, n2, len, g, q);
}

uint64_t p256_ifma_mul_base_jac(uint64_t out[3][5], const uint8_t d[52], const uint64_t *table)
{
    return p256_ifma_mul_base_jac_model(out, d, table);
}
#endif

/* The portable model: each vector operation lane by lane, branch-free. It only has to be
 * right and of the same flow (valgrind runs it), not fast, so it is neither force-inlined nor
 * unrolled: that way it compiles in seconds rather than many minutes under the sanitizers. */
#undef UNROLL
#define UNROLL
#undef ALWAYS_INLINE
#define ALWAYS_INLINE inline
#include "ifma_vec.h"
#define PI_NAME(x) pi_##x##_model
#define PI_ATTR
#include "p256_ifma_impl.h"

uint64_t p256_ifma_mul_jac_model(uint64_t out[3][5], const uint8_t d[52], const uint64_t in[3][4])
{
    return pi_mul_jac_model(out, d, in);
}

void p256_ifma_mul_double_model(uint64_t out[3][5], const int8_t *n1, const int8_t *n2, int len,
                                const uint64_t g[8][3][4], const uint64_t q[3][4])
{
    pi_mul_double_model(out, n1, n2, len, g, q);
}

uint64_t p256_ifma_mul_base_jac_model(uint64_t out[3][5], const uint8_t d[52],
                                      const uint64_t *table)
{
    return pi_mul_base_jac_model(out, d, table);
}
