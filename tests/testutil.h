/*
 * Test harness shared by every test program.
 *
 *   CHECK(cond)                 count a check; report and count a failure when cond is false.
 *   CHECK_MEM(a, b, n, what)    compare two buffers, print both in hex on mismatch.
 *   CHECK_RC(expr, expected)    compare a tenon_err result.
 *   return tu_finish("name");   print "name: N passed, M failed" and return the exit code.
 *
 * Vectors are read with cJSON from TENON_VECTORS_DIR (../shared/vectors), overridable with the
 * TENON_VECTORS environment variable. A missing vector file is a failure, never a skip.
 */
#ifndef TENON_TESTUTIL_H
#define TENON_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "tenon/tenon.h"

extern unsigned long tu_passed, tu_failed;

int tu_check(int ok, const char *expr, const char *file, int line);
int tu_check_mem(const void *a, const void *b, size_t n, const char *what, const char *file,
                 int line);

#define CHECK(cond) tu_check(!!(cond), #cond, __FILE__, __LINE__)
#define CHECK_MEM(a, b, n, what) tu_check_mem((a), (b), (n), (what), __FILE__, __LINE__)
#define CHECK_RC(expr, expected)                                                                   \
    do {                                                                                           \
        int tu_rc_ = (expr);                                                                       \
        if (!tu_check(tu_rc_ == (expected), #expr " == " #expected, __FILE__, __LINE__))          \
            fprintf(stderr, "    got %d (%s)\n", tu_rc_, tenon_strerror(tu_rc_));                \
    } while (0)

/* Prints the summary line and returns the process exit status (0 only if no check failed and at
 * least one ran). */
int tu_finish(const char *name);

/* Hex decoding into a malloc'd buffer (never NULL: an empty string gives a 1-byte buffer with
 * *len = 0). Aborts the test on a malformed string. */
uint8_t *tu_hex(const char *hex, size_t *len);
void tu_print_hex(FILE *f, const char *label, const void *p, size_t n);

/* Deterministic pseudo-random bytes for reproducible random tests (seed with tu_seed). */
void tu_seed(uint64_t seed);
void tu_rand(void *p, size_t n);
uint64_t tu_rand_u64(void);

/* Reads a JSON file below the vectors directory (e.g. "wycheproof/aes_gcm_test.json"). Returns
 * NULL (after counting a failure) if it is missing or malformed. Free with cJSON_Delete. */
cJSON *tu_load_json(const char *relpath);

/* Helpers over cJSON objects: a string member, a hex member decoded, an integer member. */
const char *tu_json_str(const cJSON *obj, const char *key);
uint8_t *tu_json_hex(const cJSON *obj, const char *key, size_t *len);
long tu_json_int(const cJSON *obj, const char *key);

/*
 * Wycheproof runner. For each test of each group it calls run(group, test, arg), which returns
 *   1  the implementation accepted the input and produced exactly the expected output,
 *   0  it rejected the input (or produced a different output),
 *  -1  the case uses a parameter this implementation does not offer (reported as skipped,
 *      never counted as passed).
 * A 'valid' case must give 1, an 'invalid' one 0; an 'acceptable' one may give either, and the
 * test states which way tenon decides. Prints "<label> <file>: N tests, P passed, F failed,
 * S skipped (v valid, i invalid, a acceptable)". Returns the number of failures.
 */
typedef int (*tu_wycheproof_fn)(const cJSON *group, const cJSON *test, void *arg);
unsigned long tu_wycheproof(const char *file, const char *label, tu_wycheproof_fn run, void *arg);

#endif
