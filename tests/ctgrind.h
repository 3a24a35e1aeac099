/*
 * Constant-flow checking with valgrind memcheck (the TEST_CF_SECRET idea of Mbed TLS).
 *
 * SECRET(p, n) marks n bytes as undefined: memcheck then reports any conditional jump or
 * memory address that depends on them. PUBLIC(p, n) marks bytes as defined again (for results
 * that are public by design, such as a ciphertext or a verification verdict) before they are
 * inspected. Run under `valgrind --error-exitcode=...`; without valgrind these are no-ops.
 */
#ifndef TENON_CTGRIND_H
#define TENON_CTGRIND_H

#include <valgrind/memcheck.h>

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

#endif
