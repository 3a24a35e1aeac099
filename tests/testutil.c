#include "testutil.h"

#include <stdlib.h>
#include <string.h>

unsigned long tu_passed, tu_failed;

int tu_check(int ok, const char *expr, const char *file, int line)
{
    if (ok) {
        tu_passed++;
        return 1;
    }
    tu_failed++;
    fprintf(stderr, "FAIL %s:%d: %s\n", file, line, expr);
    return 0;
}

void tu_print_hex(FILE *f, const char *label, const void *p, size_t n)
{
    const uint8_t *b = p;
    fprintf(f, "    %s (%zu): ", label, n);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", b[i]);
    fputc('\n', f);
}

int tu_check_mem(const void *a, const void *b, size_t n, const char *what, const char *file,
                 int line)
{
    if (n == 0 || memcmp(a, b, n) == 0)
        return tu_check(1, what, file, line);
    tu_check(0, what, file, line);
    tu_print_hex(stderr, "got     ", a, n);
    tu_print_hex(stderr, "expected", b, n);
    return 0;
}

int tu_finish(const char *name)
{
    printf("%s: %lu passed, %lu failed\n", name, tu_passed, tu_failed);
    if (tu_passed == 0 && tu_failed == 0) {
        printf("%s: no check ran\n", name);
        return 1;
    }
    return tu_failed == 0 ? 0 : 1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

uint8_t *tu_hex(const char *hex, size_t *len)
{
    size_t n = strlen(hex);
    if (n % 2 != 0) {
        fprintf(stderr, "malformed hex string (odd length): %s\n", hex);
        abort();
    }
    uint8_t *out = malloc(n / 2 + 1);
    if (out == NULL)
        abort();
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            fprintf(stderr, "malformed hex string: %s\n", hex);
            abort();
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    if (len)
        *len = n / 2;
    return out;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

void tu_seed(uint64_t seed)
{
    rng_state = seed ? seed : 0x9e3779b97f4a7c15ull;
}

uint64_t tu_rand_u64(void)
{
    /* splitmix64: fast, reproducible, good enough for test inputs. */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void tu_rand(void *p, size_t n)
{
    uint8_t *b = p;
    while (n > 0) {
        uint64_t r = tu_rand_u64();
        size_t k = n < 8 ? n : 8;
        memcpy(b, &r, k);
        b += k;
        n -= k;
    }
}

cJSON *tu_load_json(const char *relpath)
{
    const char *dir = getenv("TENON_VECTORS");
    if (dir == NULL || *dir == '\0')
        dir = TENON_VECTORS_DIR;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, relpath);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open vector file %s\n", path);
        tu_check(0, "vector file present", __FILE__, __LINE__);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)sz + 1);
    if (text == NULL || fread(text, 1, (size_t)sz, f) != (size_t)sz)
        abort();
    text[sz] = '\0';
    fclose(f);
    cJSON *json = cJSON_Parse(text);
    free(text);
    if (json == NULL) {
        fprintf(stderr, "cannot parse JSON in %s\n", path);
        tu_check(0, "vector file parses", __FILE__, __LINE__);
    }
    return json;
}

const char *tu_json_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(v)) {
        fprintf(stderr, "JSON member '%s' missing or not a string\n", key);
        abort();
    }
    return v->valuestring;
}

uint8_t *tu_json_hex(const cJSON *obj, const char *key, size_t *len)
{
    return tu_hex(tu_json_str(obj, key), len);
}

long tu_json_int(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(v)) {
        fprintf(stderr, "JSON member '%s' missing or not a number\n", key);
        abort();
    }
    return (long)v->valuedouble;
}

unsigned long tu_wycheproof(const char *file, const char *label, tu_wycheproof_fn run, void *arg)
{
    char rel[512];
    snprintf(rel, sizeof rel, "wycheproof/%s", file);
    cJSON *root = tu_load_json(rel);
    if (root == NULL)
        return 1;
    unsigned long total = 0, passed = 0, failed = 0, skipped = 0, nvalid = 0, ninvalid = 0,
                  nacc = 0;
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(root, "testGroups");
    const cJSON *group;
    cJSON_ArrayForEach(group, groups)
    {
        const cJSON *tests = cJSON_GetObjectItemCaseSensitive(group, "tests");
        const cJSON *test;
        cJSON_ArrayForEach(test, tests)
        {
            total++;
            const char *result = tu_json_str(test, "result");
            int want; /* 1 valid, 0 invalid, 2 acceptable */
            if (strcmp(result, "valid") == 0) {
                want = 1;
                nvalid++;
            } else if (strcmp(result, "invalid") == 0) {
                want = 0;
                ninvalid++;
            } else {
                want = 2;
                nacc++;
            }
            int got = run(group, test, arg);
            if (got < 0) {
                skipped++;
                continue;
            }
            if (want == 2 || got == want) {
                passed++;
                tu_passed++;
            } else {
                failed++;
                tu_failed++;
                fprintf(stderr, "FAIL %s %s tcId %ld (%s): expected %s, got %s\n", label, file,
                        tu_json_int(test, "tcId"), tu_json_str(test, "comment"), result,
                        got ? "accepted" : "rejected");
            }
        }
    }
    int expected_total = (int)tu_json_int(root, "numberOfTests");
    if ((unsigned long)expected_total != total) {
        fprintf(stderr, "FAIL %s: read %lu tests, file says %d\n", file, total, expected_total);
        failed++;
        tu_failed++;
    }
    printf("wycheproof %s [%s]: %lu tests, %lu passed, %lu failed, %lu skipped "
           "(%lu valid, %lu invalid, %lu acceptable)\n",
           file, label, total, passed, failed, skipped, nvalid, ninvalid, nacc);
    cJSON_Delete(root);
    return failed;
}
