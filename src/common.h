/*
 * Internal: the one error idiom shared by every layer.
 *
 *   GUARD(expr)        evaluate a call returning a tenon_err; return its error if negative.
 *   ENSURE(cond, err)  return err unless cond holds.
 */
#ifndef TENON_COMMON_H
#define TENON_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tenon/error.h"
#include "tenon/export.h"

#define GUARD(expr)                                                                                \
    do {                                                                                           \
        int guard_rc_ = (expr);                                                                    \
        if (guard_rc_ < 0)                                                                         \
            return guard_rc_;                                                                      \
    } while (0)

#define ENSURE(cond, err)                                                                          \
    do {                                                                                           \
        if (!(cond))                                                                               \
            return (err);                                                                          \
    } while (0)

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__x86_64__) || defined(_M_X64)
#define TENON_X86_64 1
#else
#define TENON_X86_64 0
#endif

/* Per-function instruction-set attributes (STYLE.md 12): accelerated code is compiled for its
 * target inside an otherwise baseline build and only called after a cpuid check. */
#define TENON_TARGET(isa) __attribute__((target(isa)))

#endif
