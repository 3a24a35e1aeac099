/*
 * P-384 (secp384r1; FIPS 186-5 / SP 800-186 §3.2.1.4, SEC 2 §2.5.1): the field and scalar
 * arithmetic and the ec_curve descriptor, on the shared templates with 6 x 64-bit limbs.
 */
#include "../common.h"
#include "cpu.h"
#include "ct.h"
#include "ec_internal.h"
#include "tenon/crypto.h"

/* p = 2^384 - 2^128 - 2^96 + 2^32 - 1 */
static const uint64_t P384_P[6] = {UINT64_C(0x00000000ffffffff), UINT64_C(0xffffffff00000000),
                                   UINT64_C(0xfffffffffffffffe), UINT64_C(0xffffffffffffffff),
                                   UINT64_C(0xffffffffffffffff), UINT64_C(0xffffffffffffffff)};
static const uint64_t P384_P_R2[6] = {UINT64_C(0xfffffffe00000001), UINT64_C(0x0000000200000000),
                                      UINT64_C(0xfffffffe00000000), UINT64_C(0x0000000200000000),
                                      UINT64_C(0x0000000000000001), UINT64_C(0x0000000000000000)};
static const uint64_t P384_P_ONE[6] = {UINT64_C(0xffffffff00000001), UINT64_C(0x00000000ffffffff),
                                       UINT64_C(0x0000000000000001), UINT64_C(0x0000000000000000),
                                       UINT64_C(0x0000000000000000), UINT64_C(0x0000000000000000)};
/* b, Gx, Gy times 2^384 mod p. */
static const uint64_t P384_B[6] = {UINT64_C(0x081188719d412dcc), UINT64_C(0xf729add87a4c32ec),
                                   UINT64_C(0x77f2209b1920022e), UINT64_C(0xe3374bee94938ae2),
                                   UINT64_C(0xb62b21f41f022094), UINT64_C(0xcd08114b604fbff9)};
static const uint64_t P384_GX[6] = {UINT64_C(0x3dd0756649c0b528), UINT64_C(0x20e378e2a0d6ce38),
                                    UINT64_C(0x879c3afc541b4d6e), UINT64_C(0x6454868459a30eff),
                                    UINT64_C(0x812ff723614ede2b), UINT64_C(0x4d3aadc2299e1513)};
static const uint64_t P384_GY[6] = {UINT64_C(0x23043dad4b03a4fe), UINT64_C(0xa1bfa8bf7bb4a9ac),
                                    UINT64_C(0x8bade7562e83b050), UINT64_C(0xc6c3521968f4ffd9),
                                    UINT64_C(0xdd8002263969a840), UINT64_C(0x2b78abc25a15c5e9)};
/* n, the order of G. */
static const uint64_t P384_N[6] = {UINT64_C(0xecec196accc52973), UINT64_C(0x581a0db248b0a77a),
                                   UINT64_C(0xc7634d81f4372ddf), UINT64_C(0xffffffffffffffff),
                                   UINT64_C(0xffffffffffffffff), UINT64_C(0xffffffffffffffff)};
static const uint64_t P384_N_R2[6] = {UINT64_C(0x2d319b2419b409a9), UINT64_C(0xff3d81e5df1aa419),
                                      UINT64_C(0xbc3e483afcb82947), UINT64_C(0xd40d49174aab1cc5),
                                      UINT64_C(0x3fb05b7a28266895), UINT64_C(0x0c84ee012b39bf21)};
static const uint64_t P384_N_ONE[6] = {UINT64_C(0x1313e695333ad68d), UINT64_C(0xa7e5f24db74f5885),
                                       UINT64_C(0x389cb27e0bc8d220), UINT64_C(0x0000000000000000),
                                       UINT64_C(0x0000000000000000), UINT64_C(0x0000000000000000)};

#define FE(name) p384_fp_##name
#define FE_LIMBS 6
#define FE_M P384_P
#define FE_M0INV UINT64_C(0x0000000100000001)
#define FE_R2 P384_P_R2
#define FE_ONE P384_P_ONE
#include "ec_field_impl.h"
#undef FE
#undef FE_M
#undef FE_M0INV
#undef FE_R2
#undef FE_ONE

#define FE(name) p384_fn_##name
#define FE_M P384_N
#define FE_M0INV UINT64_C(0x6ed46089e88fdc45)
#define FE_R2 P384_N_R2
#define FE_ONE P384_N_ONE
#include "ec_field_impl.h"
#undef FE
#undef FE_M
#undef FE_M0INV
#undef FE_R2
#undef FE_ONE

/* The same two fields with the BMI2/ADX multiplication (ec_field_impl.h), for the dispatched
 * copy of the point code below. */
#if TENON_X86_64
#define FE_ADX 1
#define FE(name) p384x_fp_##name
#define FE_M P384_P
#define FE_M0INV UINT64_C(0x0000000100000001)
#define FE_R2 P384_P_R2
#define FE_ONE P384_P_ONE
#include "ec_field_impl.h"
#undef FE
#undef FE_M
#undef FE_M0INV
#undef FE_R2
#undef FE_ONE

#define FE(name) p384x_fn_##name
#define FE_M P384_N
#define FE_M0INV UINT64_C(0x6ed46089e88fdc45)
#define FE_R2 P384_N_R2
#define FE_ONE P384_N_ONE
#include "ec_field_impl.h"
#undef FE
#undef FE_M
#undef FE_M0INV
#undef FE_R2
#undef FE_ONE

#undef FE_ADX
#endif
#undef FE_LIMBS

#include "p384_table.h"

#define F(name) p384_fp_##name
#define S(name) p384_fn_##name
#define EC(name) p384_##name
#define F_ONE P384_P_ONE
#define EC_LIMBS 6
#define EC_LEN 48
#define EC_B P384_B
#define EC_GX P384_GX
#define EC_GY P384_GY
#define EC_NWIN 77 /* ceil(385 / 5) */
#define EC_BASE_ROWS 39
#define EC_BASE_CHUNKS 2
#define EC_BASE_TABLE p384_base_table
#define EC_N P384_N
#include "ec_curve_impl.h"
#undef F
#undef S
#undef EC

#if TENON_X86_64
#define F(name) p384x_fp_##name
#define S(name) p384x_fn_##name
#define EC(name) p384x_##name
#include "ec_curve_impl.h"
#undef F
#undef S
#undef EC

/* The point code compiled on the ADX field arithmetic, when cpuid reports BMI2 and ADX. */
static int p384_use_adx(void)
{
    return cpu_has(TENON_CPU_BMI2 | TENON_CPU_ADX);
}
#define EC_DISPATCH(name, ...)                                                                     \
    (p384_use_adx() ? p384x_##name(__VA_ARGS__) : p384_##name(__VA_ARGS__))
#else
#define EC_DISPATCH(name, ...) p384_##name(__VA_ARGS__)
#endif

static uint32_t p384_mul_any(uint8_t *out, const uint8_t *k, const uint8_t *xy,
                             const uint8_t *blind)
{
    return EC_DISPATCH(mul, out, k, xy, blind);
}

static uint32_t p384_mul_base_any(uint8_t *out, const uint8_t *k, const uint8_t *blind)
{
    return EC_DISPATCH(mul_base, out, k, blind);
}

static uint32_t p384_ecdsa_sign_any(uint8_t *r, uint8_t *s, const uint8_t *d, const uint8_t *k,
                                    const uint8_t *e, const uint8_t *blind)
{
    return EC_DISPATCH(ecdsa_sign, r, s, d, k, e, blind);
}

static int p384_ecdsa_verify_any(const uint8_t *xy, const uint8_t *e, const uint8_t *r,
                                 const uint8_t *s)
{
    return EC_DISPATCH(ecdsa_verify, xy, e, r, s);
}

const ec_curve ec_p384 = {
    .id = TENON_EC_P384,
    .len = 48,
    .scalar_in_range = p384_scalar_in_range,
    .scalar_reduce = p384_scalar_reduce,
    .point_valid = p384_point_valid,
    .mul = p384_mul_any,
    .mul_base = p384_mul_base_any,
    .ecdsa_sign = p384_ecdsa_sign_any,
    .ecdsa_verify = p384_ecdsa_verify_any,
    .blind_inv = 0,
    .base_table = p384_base_table,
    .base_table_words = sizeof p384_base_table / sizeof p384_base_table[0],
    .base_table_compute = p384_base_table_compute,
};
