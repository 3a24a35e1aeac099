/*
 * CPU feature detection (cpuid + xgetbv), done once, and the user's mask over it.
 *
 * A feature counts only when the OS also saves the registers it uses (XCR0), so AVX2 code never
 * runs on a kernel that would lose the upper halves of the ymm registers.
 */
#include "../common.h"
#include "cpu.h"
#include "tenon/crypto.h"

#if TENON_X86_64
#include <cpuid.h>
#endif

static uint32_t detected;
static int detected_done;
static int amd_done, amd;
static uint32_t allowed_mask = UINT32_MAX;

#if TENON_X86_64
static uint64_t read_xcr0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static uint32_t detect(void)
{
    unsigned a, b, c, d;
    uint32_t f = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    unsigned ecx1 = c, edx1 = d;
    if (edx1 & (1u << 26))
        f |= TENON_CPU_SSE2;
    if (ecx1 & (1u << 9))
        f |= TENON_CPU_SSSE3;
    if (ecx1 & (1u << 19))
        f |= TENON_CPU_SSE41;
    if (ecx1 & (1u << 25))
        f |= TENON_CPU_AESNI;
    if (ecx1 & (1u << 1))
        f |= TENON_CPU_PCLMUL;

    int osxsave = (ecx1 >> 27) & 1;
    uint64_t xcr0 = osxsave ? read_xcr0() : 0;
    int ymm_ok = (xcr0 & 0x6) == 0x6;
    int zmm_ok = ymm_ok && (xcr0 & 0xe0) == 0xe0;
    if (ymm_ok && (ecx1 & (1u << 28)))
        f |= TENON_CPU_AVX;

    unsigned max_leaf = __get_cpuid_max(0, NULL);
    if (max_leaf >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        if (ymm_ok && (b & (1u << 5)))
            f |= TENON_CPU_AVX2;
        /* BMI2 with BMI1 (bit 3): sha3.c's andn needs the latter; no CPU has one alone. */
        if ((b & (1u << 8)) && (b & (1u << 3)))
            f |= TENON_CPU_BMI2;
        if (b & (1u << 19))
            f |= TENON_CPU_ADX;
        if (b & (1u << 29))
            f |= TENON_CPU_SHANI;
        if (ymm_ok && (c & (1u << 9)))
            f |= TENON_CPU_VAES;
        if (ymm_ok && (c & (1u << 10)))
            f |= TENON_CPU_VPCLMUL;
        if (zmm_ok && (b & (1u << 16)))
            f |= TENON_CPU_AVX512F;
        if (zmm_ok && (b & (1u << 31)))
            f |= TENON_CPU_AVX512VL;
        if (zmm_ok && (b & (1u << 30)))
            f |= TENON_CPU_AVX512BW;
        if (zmm_ok && (b & (1u << 21)))
            f |= TENON_CPU_AVX512IFMA;
    }
    return f;
}
#else
static uint32_t detect(void)
{
    return 0;
}
#endif

TENON_API uint32_t tenon_cpu_features(void)
{
    /* Detection is idempotent, so a race between two first callers is harmless. */
    if (!__atomic_load_n(&detected_done, __ATOMIC_ACQUIRE)) {
        __atomic_store_n(&detected, detect(), __ATOMIC_RELAXED);
        __atomic_store_n(&detected_done, 1, __ATOMIC_RELEASE);
    }
    return __atomic_load_n(&detected, __ATOMIC_RELAXED) &
           __atomic_load_n(&allowed_mask, __ATOMIC_RELAXED);
}

int cpu_is_amd(void)
{
    /* Idempotent, as tenon_cpu_features' detection. */
    if (!__atomic_load_n(&amd_done, __ATOMIC_ACQUIRE)) {
        int v = 0;
#if TENON_X86_64
        unsigned a, b, c, d;
        /* cpuid leaf 0: the vendor string "AuthenticAMD" in ebx, edx, ecx. */
        if (__get_cpuid(0, &a, &b, &c, &d))
            v = b == 0x68747541u && d == 0x69746e65u && c == 0x444d4163u;
#endif
        __atomic_store_n(&amd, v, __ATOMIC_RELAXED);
        __atomic_store_n(&amd_done, 1, __ATOMIC_RELEASE);
    }
    return __atomic_load_n(&amd, __ATOMIC_RELAXED);
}

TENON_API void tenon_cpu_set_mask(uint32_t allowed)
{
    __atomic_store_n(&allowed_mask, allowed, __ATOMIC_RELAXED);
}
