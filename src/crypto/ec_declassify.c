/* The default ec_ct_declassify (ec_internal.h): nothing to do outside constant-flow tests. It is
 * weak and alone in its file so that the test's strong definition replaces it and no caller can
 * inline the empty body. */
#include "ec_internal.h"

__attribute__((weak, noinline)) void ec_ct_declassify(const void *p, size_t len)
{
    (void)p;
    (void)len;
}
