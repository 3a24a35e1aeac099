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

#endif
