/*
 * P-256 (secp256r1; FIPS 186-5 / SP 800-186 §3.2.1.3, SEC 2 §2.4.2): the field and scalar
 * arithmetic and the ec_curve descriptor. The shared templates do the work; this file supplies
 * the constants and the P-256-specific speed-ups.
 */
#include "../common.h"
#include "cpu.h"
#include "ct.h"
#include "ec_internal.h"
#include "ec_modinv.h"
#include "p256_ifma.h"
#include "tenon/crypto.h"

/* p = 2^256 - 2^224 + 2^192 + 2^96 - 1 */
static const uint64_t P256_P[4] = {UINT64_C(0xffffffffffffffff), UINT64_C(0x00000000ffffffff),
                                   UINT64_C(0x0000000000000000), UINT64_C(0xffffffff00000001)};
static const uint64_t P256_P_R2[4] = {UINT64_C(0x0000000000000003), UINT64_C(0xfffffffbffffffff),
                                      UINT64_C(0xfffffffffffffffe), UINT64_C(0x00000004fffffffd)};
static const uint64_t P256_P_ONE[4] = {UINT64_C(0x0000000000000001), UINT64_C(0xffffffff00000000),
                                       UINT64_C(0xffffffffffffffff), UINT64_C(0x00000000fffffffe)};
/* b, Gx, Gy times 2^256 mod p. */
static const uint64_t P256_B[4] = {UINT64_C(0xd89cdf6229c4bddf), UINT64_C(0xacf005cd78843090),
                                   UINT64_C(0xe5a220abf7212ed6), UINT64_C(0xdc30061d04874834)};
static const uint64_t P256_GX[4] = {UINT64_C(0x79e730d418a9143c), UINT64_C(0x75ba95fc5fedb601),
                                    UINT64_C(0x79fb732b77622510), UINT64_C(0x18905f76a53755c6)};
static const uint64_t P256_GY[4] = {UINT64_C(0xddf25357ce95560a), UINT64_C(0x8b4ab8e4ba19e45c),
                                    UINT64_C(0xd2e88688dd21f325), UINT64_C(0x8571ff1825885d85)};
/* n, the order of G. */
static const uint64_t P256_N[4] = {UINT64_C(0xf3b9cac2fc632551), UINT64_C(0xbce6faada7179e84),
                                   UINT64_C(0xffffffffffffffff), UINT64_C(0xffffffff00000000)};
static const uint64_t P256_N_ONE[4] = {UINT64_C(0x0c46353d039cdaaf), UINT64_C(0x4319055258e8617b),
                                       UINT64_C(0x0000000000000000), UINT64_C(0x00000000ffffffff)};
static const uint64_t P256_N_R2[4] = {UINT64_C(0x83244c95be79eea2), UINT64_C(0x4699799c49bd6fa6),
                                      UINT64_C(0x2845b2392b6bec59), UINT64_C(0x66e12d94f3d95620)};

/* p and n for the variable-time divsteps inversion (ec_modinv.h), used on public and blinded
 * values, and R^3 mod each, which brings its result back to Montgomery form (ec_field_impl.h,
 * FE_MODINV). */
static const ec_modinv_mod P256_P_MODINV = {{INT64_C(0x3fffffffffffffff), INT64_C(0x3ffffffff),
                                             INT64_C(0x0), INT64_C(0x3fffffc000000040),
                                             INT64_C(0xff)},
                                            UINT64_C(0x3fffffffffffffff)};
static const uint64_t P256_P_R3[4] = {UINT64_C(0xfffffffd0000000a), UINT64_C(0xffffffedfffffff7),
                                      UINT64_C(0x00000005fffffffc), UINT64_C(0x0000001800000001)};
static const ec_modinv_mod P256_N_MODINV = {
    {INT64_C(0x33b9cac2fc632551), INT64_C(0x339beab69c5e7a13), INT64_C(0x3ffffffffffffffb),
     INT64_C(0x3fffffc00000003f), INT64_C(0xff)},
    UINT64_C(0x332e375511ff43b1)};
static const uint64_t P256_N_R3[4] = {UINT64_C(0xac8ebec90b65a624), UINT64_C(0x111f28ae0c0555c9),
                                      UINT64_C(0x2543b9246ba5e93f), UINT64_C(0x503a54e76407be65)};

/* Arithmetic modulo p. -p^-1 mod 2^64 = 1, so the Montgomery quotient digit is the low word
 * itself. The inversion uses an addition chain for p - 2 (FE_INV_P256, ec_field_impl.h). */
#define FE_INV_P256 1
#define FE(name) p256_fp_##name
#define FE_LIMBS 4
#define FE_M P256_P
#define FE_M0INV UINT64_C(1)
#define FE_R2 P256_P_R2
#define FE_ONE P256_P_ONE
#define FE_MODINV P256_P_MODINV
#define FE_R3 P256_P_R3
#include "ec_field_impl.h"
#undef FE_MODINV
#undef FE_R3
#undef FE
#undef FE_M
#undef FE_M0INV
#undef FE_R2
#undef FE_ONE
#undef FE_INV_P256

/* Arithmetic modulo n. */
#define FE(name) p256_fn_##name
#define FE_M P256_N
#define FE_M0INV UINT64_C(0xccd1c8aaee00bc4f)
#define FE_R2 P256_N_R2
#define FE_ONE P256_N_ONE
#define FE_MODINV P256_N_MODINV
#define FE_R3 P256_N_R3
#include "ec_field_impl.h"
#undef FE_MODINV
#undef FE_R3
#undef FE
#undef FE_M
#undef FE_M0INV
#undef FE_R2
#undef FE_ONE

/* The same two fields with the BMI2/ADX multiplication (ec_field_impl.h), for the dispatched
 * copy of the point code below. */
#if TENON_X86_64
#define FE_ADX 1
#define FE_M_P256 1 /* the modulus has p256's shape (ec_field_impl.h) */
#define FE_INV_P256 1
#define FE(name) p256x_fp_##name
#define FE_M P256_P
#define FE_M0INV UINT64_C(1)
#define FE_R2 P256_P_R2
#define FE_ONE P256_P_ONE
#define FE_MODINV P256_P_MODINV
#define FE_R3 P256_P_R3
#include "ec_field_impl.h"
#undef FE_MODINV
#undef FE_R3
#undef FE
#undef FE_M
#undef FE_M0INV
#undef FE_R2
#undef FE_ONE

/* Arithmetic modulo n. */
#undef FE_M_P256
#undef FE_INV_P256

#define FE(name) p256x_fn_##name
#define FE_M P256_N
#define FE_M0INV UINT64_C(0xccd1c8aaee00bc4f)
#define FE_R2 P256_N_R2
#define FE_ONE P256_N_ONE
#define FE_MODINV P256_N_MODINV
#define FE_R3 P256_N_R3
#include "ec_field_impl.h"
#undef FE_MODINV
#undef FE_R3
#undef FE
#undef FE_M
#undef FE_M0INV
#undef FE_R2
#undef FE_ONE

#undef FE_ADX
#endif
#undef FE_LIMBS

#include "p256_table.h"
#include "p256_g_odd.h"
/* Verification's u1·G with a width-8 NAF over the odd multiples 1G .. 127G (ec_curve_impl.h,
 * EC(mul_double_vartime)). */
#define EC_G_ODD p256_g_odd_table
#define EC_G_ODD_N 64
#define EC_G_WNAF 8
#define EC_G_ODD_STRIDE 1

/* The vector multiplication (p256_ifma.c) works in Montgomery form with R = 2^260: entering
 * multiplies by 2^4 (a Montgomery product with 16·2^256 mod p), leaving by 2^-4 (with
 * 2^256 / 16 = 2^252). EC(mul_ifma) in ec_curve_impl.h. */
static const uint64_t P256_IFMA_IN[4] = {UINT64_C(0x10), UINT64_C(0xfffffff000000000),
                                         UINT64_C(0xffffffffffffffff), UINT64_C(0xfffffffef)};
static const uint64_t P256_IFMA_OUT[4] = {0, 0, 0, UINT64_C(0x1000000000000000)};
#define EC_IFMA 1
/* F(inv_vartime) is the divsteps inversion (ec_modinv.c): a few products' worth, so verification
 * brings its table of the public key's multiples to affine form (ec_curve_impl.h). */
#define EC_FAST_INV_VARTIME 1

#define F(name) p256_fp_##name
#define S(name) p256_fn_##name
#define EC(name) p256_##name
#define F_ONE P256_P_ONE
#define EC_LIMBS 4
#define EC_LEN 32
#define EC_B P256_B
#define EC_GX P256_GX
#define EC_GY P256_GY
#define EC_NWIN 52 /* ceil(257 / 5) */
#define EC_BASE_ROWS 52
#define EC_BASE_CHUNKS 1
#define EC_BASE_TABLE p256_base_table
#define EC_N P256_N
#include "ec_curve_impl.h"
#undef F
#undef S
#undef EC

#if TENON_X86_64
#define F(name) p256x_fp_##name
#define S(name) p256x_fn_##name
#define EC(name) p256x_##name
#include "ec_curve_impl.h"
#undef F
#undef S
#undef EC

/* The point code compiled on the ADX field arithmetic, when cpuid reports BMI2 and ADX. */
static int p256_use_adx(void)
{
    return cpu_has(TENON_CPU_BMI2 | TENON_CPU_ADX);
}
#define EC_DISPATCH(name, ...)                                                                     \
    (p256_use_adx() ? p256x_##name(__VA_ARGS__) : p256_##name(__VA_ARGS__))

static int p256_use_ifma(void)
{
    return cpu_has(TENON_CPU_AVX512F | TENON_CPU_AVX512VL | TENON_CPU_AVX512IFMA | TENON_CPU_BMI2 |
                   TENON_CPU_ADX);
}

/* The default path takes the IFMA code where it is available, except on AMD CPUs: on Zen 5
 * (AVX-512 at full width) the mulx/adx field is faster at every operation, in TSC ticks (min of
 * 400-500 runs, one process): ECDH 67.9k against 80.6k, k·G 17.5k against 22.3k, signing
 * 20.2k against 25.0k, verification 72.8k against 95.3k. (There a dependent adcx/adox chain
 * retires several steps a cycle, which the 64-bit limbs' carry chains use and the 52-bit lanes,
 * each a chain of multiply-adds with few independent products to overlap, do not.) The named
 * paths (P256_PATH_IFMA) still reach it. */
static int p256_prefer_ifma(void)
{
    return p256_use_ifma() && !cpu_is_amd();
}
#else
#define EC_DISPATCH(name, ...) p256_##name(__VA_ARGS__)
#endif

/* The on-curve check of a peer's point (ECDH, public key loading) on the faster field. */
static uint32_t p256_point_valid_any(const uint8_t *xy)
{
    return EC_DISPATCH(point_valid, xy);
}

static uint32_t p256_mul_any(uint8_t *out, const uint8_t *k, const uint8_t *xy,
                             const uint8_t *blind)
{
#if TENON_X86_64
    if (p256_prefer_ifma())
        return p256x_mul_ifma(out, k, xy, blind, 0);
#endif
    return EC_DISPATCH(mul, out, k, xy, blind);
}

uint32_t p256_mul_path(int path, uint8_t *out, const uint8_t *k, const uint8_t *xy,
                       const uint8_t *blind)
{
    switch (path) {
#if TENON_X86_64
    case P256_PATH_ADX:
        return p256_use_adx() ? p256x_mul(out, k, xy, blind) : 0;
    case P256_PATH_ADX_UNCHECKED:
        return p256x_mul(out, k, xy, blind);
    case P256_PATH_IFMA:
        return p256_use_ifma() ? p256x_mul_ifma(out, k, xy, blind, 0) : 0;
#endif
    case P256_PATH_IFMA_MODEL:
        return EC_DISPATCH(mul_ifma, out, k, xy, blind, 1);
    case P256_PATH_PORTABLE:
        return p256_mul(out, k, xy, blind);
    default:
        return p256_mul_any(out, k, xy, blind);
    }
}

static uint32_t p256_mul_base_any(uint8_t *out, const uint8_t *k, const uint8_t *blind)
{
#if TENON_X86_64
    if (p256_prefer_ifma())
        return p256x_mul_base_with(out, k, blind, 1);
#endif
    return EC_DISPATCH(mul_base, out, k, blind);
}

uint32_t p256_mul_base_path(int path, uint8_t *out, const uint8_t *k, const uint8_t *blind)
{
    switch (path) {
#if TENON_X86_64
    case P256_PATH_ADX:
        return p256_use_adx() ? p256x_mul_base(out, k, blind) : 0;
    case P256_PATH_ADX_UNCHECKED:
        return p256x_mul_base(out, k, blind);
    case P256_PATH_IFMA:
        return p256_use_ifma() ? p256x_mul_base_with(out, k, blind, 1) : 0;
#endif
    case P256_PATH_IFMA_MODEL:
        return EC_DISPATCH(mul_base_with, out, k, blind, 2);
    case P256_PATH_PORTABLE:
        return p256_mul_base(out, k, blind);
    default:
        return p256_mul_base_any(out, k, blind);
    }
}

static uint32_t p256_ecdsa_sign_any(uint8_t *r, uint8_t *s, const uint8_t *d, const uint8_t *k,
                                    const uint8_t *e, const uint8_t *blind)
{
#if TENON_X86_64
    if (p256_prefer_ifma())
        return p256x_ecdsa_sign_with(r, s, d, k, e, blind, 1);
#endif
    return EC_DISPATCH(ecdsa_sign, r, s, d, k, e, blind);
}

uint32_t p256_sign_path(int path, uint8_t *r, uint8_t *s, const uint8_t *d, const uint8_t *k,
                        const uint8_t *e, const uint8_t *blind)
{
    switch (path) {
#if TENON_X86_64
    case P256_PATH_ADX:
        return p256_use_adx() ? p256x_ecdsa_sign(r, s, d, k, e, blind) : 0;
    case P256_PATH_ADX_UNCHECKED:
        return p256x_ecdsa_sign(r, s, d, k, e, blind);
    case P256_PATH_IFMA:
        return p256_use_ifma() ? p256x_ecdsa_sign_with(r, s, d, k, e, blind, 1) : 0;
#endif
    case P256_PATH_IFMA_MODEL:
        return EC_DISPATCH(ecdsa_sign_with, r, s, d, k, e, blind, 2);
    case P256_PATH_PORTABLE:
        return p256_ecdsa_sign(r, s, d, k, e, blind);
    default:
        return p256_ecdsa_sign_any(r, s, d, k, e, blind);
    }
}

static int p256_ecdsa_verify_any(const uint8_t *xy, const uint8_t *e, const uint8_t *r,
                                 const uint8_t *s)
{
#if TENON_X86_64
    if (p256_prefer_ifma())
        return p256x_ecdsa_verify_with(xy, e, r, s, 1);
#endif
    return EC_DISPATCH(ecdsa_verify, xy, e, r, s);
}

int p256_verify_path(int path, const uint8_t *xy, const uint8_t *e, const uint8_t *r,
                     const uint8_t *s)
{
    switch (path) {
#if TENON_X86_64
    case P256_PATH_ADX:
        return p256_use_adx() ? p256x_ecdsa_verify(xy, e, r, s) : -1;
    case P256_PATH_ADX_UNCHECKED:
        return p256x_ecdsa_verify(xy, e, r, s);
    case P256_PATH_IFMA:
        return p256_use_ifma() ? p256x_ecdsa_verify_with(xy, e, r, s, 1) : -1;
#endif
    case P256_PATH_IFMA_MODEL:
        return EC_DISPATCH(ecdsa_verify_with, xy, e, r, s, 2);
    case P256_PATH_PORTABLE:
        return p256_ecdsa_verify(xy, e, r, s);
    default:
        return p256_ecdsa_verify_any(xy, e, r, s);
    }
}

/* One field operation by name, for p256_field_op_path. */
#define P256_FIELD_OP(F)                                                                           \
    do {                                                                                           \
        uint64_t y[4], e[4];                                                                       \
        switch (op) {                                                                              \
        case P256_FOP_HALF:                                                                        \
            F##half(r, a);                                                                         \
            return 1;                                                                              \
        case P256_FOP_ADD_MUL3_HALF:                                                               \
            F##add_mul3_half(r, a, b);                                                             \
            return 1;                                                                              \
        case P256_FOP_SUB_DBL:                                                                     \
            F##sub_dbl2(r, y, a, b);                                                               \
            return 1;                                                                              \
        case P256_FOP_SUB:                                                                         \
            F##sub(r, a, b);                                                                       \
            return 1;                                                                              \
        case P256_FOP_MUL:                                                                         \
            F##mul(r, a, b);                                                                       \
            return 1;                                                                              \
        case P256_FOP_SQR:                                                                         \
            F##sqr(r, a);                                                                          \
            return 1;                                                                              \
        case P256_FOP_MUL_SUB:                                                                     \
            F##mul_sub_inl(r, a, b, b);                                                            \
            return 1;                                                                              \
        case P256_FOP_SQR_SUB_DBL2:                                                                \
            F##sqr_sub_dbl2_inl(r, y, a, b);                                                       \
            return 1;                                                                              \
        case P256_FOP_SQR_SUB_DBL2_Y:                                                              \
            F##sqr_sub_dbl2_inl(y, r, a, b);                                                       \
            return 1;                                                                              \
        case P256_FOP_SQR_SUB_MUL3_HALF:                                                           \
            F##sqr_sub_add_mul3_half_inl(r, y, a, b);                                              \
            return 1;                                                                              \
        case P256_FOP_SQR_SUB_MUL3_HALF_Y:                                                         \
            F##sqr_sub_add_mul3_half_inl(y, r, a, b);                                              \
            return 1;                                                                              \
        case P256_FOP_SUB3:                                                                        \
            F##sub3_inl(r, y, a, b, b);                                                            \
            return 1;                                                                              \
        case P256_FOP_SUB3_Y:                                                                      \
            F##sub3_inl(y, r, a, b, b);                                                            \
            return 1;                                                                              \
        case P256_FOP_MUL_SUB_A:                                                                   \
            F##mul_sub_inl(r, a, b, a);                                                            \
            return 1;                                                                              \
        case P256_FOP_MUL_SUB_PROD:                                                                \
            F##mul(y, a, b);                                                                       \
            F##mul_sub_inl(r, a, b, y);                                                            \
            return 1;                                                                              \
        case P256_FOP_MUL_SUB_PROD_ALIAS:                                                          \
            F##mul(r, a, b);                                                                       \
            F##mul_sub_inl(r, a, b, r);                                                            \
            return 1;                                                                              \
        case P256_FOP_SQR_SUB_DBL2_ZERO:                                                           \
            F##sqr(r, a);                                                                          \
            F##half(e, r);                                                                         \
            F##sqr_sub_dbl2_inl(r, y, a, e);                                                       \
            return 1;                                                                              \
        case P256_FOP_SQR_SUB_MUL3_HALF_ZERO:                                                      \
            F##sqr(e, a);                                                                          \
            F##sqr_sub_add_mul3_half_inl(r, y, a, e);                                              \
            return 1;                                                                              \
        case P256_FOP_SQR_SUB_MUL3_HALF_ZERO_Y:                                                    \
            F##sqr(e, a);                                                                          \
            F##sqr_sub_add_mul3_half_inl(y, r, a, e);                                              \
            return 1;                                                                              \
        case P256_FOP_SUB3_E:                                                                      \
            memcpy(e, a, 32); /* five distinct pointers, unlike the one caller */                  \
            F##sub3_inl(r, y, e, a, b);                                                            \
            return 1;                                                                              \
        case P256_FOP_SUB3_ZERO:                                                                   \
            F##sub_dbl2(e, y, a, b);                                                               \
            memcpy(r, a, 32);                                                                      \
            F##sub3_inl(r, y, r, e, b);                                                            \
            return 1;                                                                              \
        case P256_FOP_SUB3_ZERO_Y:                                                                 \
            F##sub_dbl2(e, y, a, b);                                                               \
            memcpy(y, a, 32);                                                                      \
            F##sub3_inl(y, r, y, e, b);                                                            \
            return 1;                                                                              \
        default:                                                                                   \
            return 0;                                                                              \
        }                                                                                          \
    } while (0)

int p256_field_op_path(int path, int op, uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
    if (path == P256_PATH_PORTABLE)
        P256_FIELD_OP(p256_fp_);
#if TENON_X86_64
    if (path == P256_PATH_ADX_UNCHECKED || (path == P256_PATH_ADX && p256_use_adx()))
        P256_FIELD_OP(p256x_fp_);
#endif
    return 0;
}
#undef P256_FIELD_OP

const ec_curve ec_p256 = {
    .id = TENON_EC_P256,
    .len = 32,
    .scalar_in_range = p256_scalar_in_range,
    .scalar_reduce = p256_scalar_reduce,
    .point_valid = p256_point_valid_any,
    .mul = p256_mul_any,
    .mul_base = p256_mul_base_any,
    .ecdsa_sign = p256_ecdsa_sign_any,
    .ecdsa_verify = p256_ecdsa_verify_any,
    .blind_inv = 1,
    .base_table = p256_base_table,
    .base_table_words = sizeof p256_base_table / sizeof p256_base_table[0],
    .base_table_compute = p256_base_table_compute,
    .g_odd_table = p256_g_odd_table,
    .g_odd_words = sizeof p256_g_odd_table / sizeof p256_g_odd_table[0],
    .g_odd_compute = p256_g_odd_compute,
};
