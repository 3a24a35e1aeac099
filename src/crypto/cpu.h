/* Internal: run-time CPU feature checks for implementation dispatch. */
#ifndef TENON_CPU_H
#define TENON_CPU_H

#include <stdint.h>

#include "tenon/crypto.h"

/* 1 if every feature bit in needs is detected and allowed. */
static inline int cpu_has(uint32_t needs)
{
    return (tenon_cpu_features() & needs) == needs;
}

/* 1 on an AMD CPU (cpuid vendor "AuthenticAMD"), where some dispatch choices differ: a feature
 * present there is not always the faster path (P-256's IFMA code against its mulx/adx field on
 * Zen 5, p256.c). Not affected by the mask. */
int cpu_is_amd(void);

#endif
