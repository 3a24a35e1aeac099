/*
 * ML-KEM-768 and ML-KEM-1024 against every ML-KEM file of Wycheproof (../shared/vectors/
 * wycheproof/mlkem_{768,1024}_*.json):
 *   *_keygen_seed_test            keygen_seed(d || z) gives exactly ek and dk;
 *   *_test                        from a seed: ek, then decaps_seed and keygen_seed + decaps of
 *                                 c give K (random and bit-flipped ciphertexts are implicit
 *                                 rejections with a known K); bad seed or ciphertext lengths
 *                                 are refused;
 *   *_encaps_test                 encaps_m(ek, m) gives c and K; keys that fail the §7.2
 *                                 modulus check or have the wrong length are refused by
 *                                 encaps_m and check_ek;
 *   *_semi_expanded_decaps_test   decaps(dk, c) gives K; the §7.3 checks (lengths, hash)
 *                                 refuse the invalid ones.
 * Every case must match its "valid"/"invalid" verdict; the files' test counts are checked. All
 * files run twice: with the portable code forced (tenon_cpu_set_mask(0)) and with every
 * accelerated path the CPU allows.
 */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const tenon_kem_class *kem_of(const cJSON *group)
{
    const char *ps = tu_json_str(group, "parameterSet");
    if (strcmp(ps, "ML-KEM-768") == 0)
        return &tenon_kem_mlkem768;
    if (strcmp(ps, "ML-KEM-1024") == 0)
        return &tenon_kem_mlkem1024;
    return NULL;
}

static int has(const cJSON *test, const char *key)
{
    return cJSON_IsString(cJSON_GetObjectItemCaseSensitive(test, key));
}

/* 1 accepted with exactly the expected outputs, 0 refused or different. */
static int run_keygen_seed(const tenon_kem_class *kem, const cJSON *t)
{
    size_t sl, el, dl;
    uint8_t *seed = tu_json_hex(t, "seed", &sl), *ek = tu_json_hex(t, "ek", &el),
            *dk = tu_json_hex(t, "dk", &dl);
    uint8_t gek[TENON_KEM_MAX_EK_LEN], gdk[TENON_KEM_MAX_DK_LEN];
    int ok = sl == TENON_KEM_SEED_LEN && el == kem->ek_len && dl == kem->dk_len &&
             kem->keygen_seed(seed, gek, gdk) == 0 && memcmp(gek, ek, el) == 0 &&
             memcmp(gdk, dk, dl) == 0;
    free(seed);
    free(ek);
    free(dk);
    return ok;
}

static int run_decaps_from_seed(const tenon_kem_class *kem, const cJSON *t)
{
    size_t sl, cl, kl, el = 0;
    uint8_t *seed = tu_json_hex(t, "seed", &sl), *c = tu_json_hex(t, "c", &cl),
            *k = tu_json_hex(t, "K", &kl);
    uint8_t *ek = has(t, "ek") ? tu_json_hex(t, "ek", &el) : NULL;
    uint8_t gek[TENON_KEM_MAX_EK_LEN], gdk[TENON_KEM_MAX_DK_LEN], ss[32], ss2[32];
    int ok = 0;
    if (sl == TENON_KEM_SEED_LEN) {
        CHECK_RC(kem->keygen_seed(seed, gek, gdk), TENON_OK);
        /* The expected ek (when given) is the seed's. */
        if (ek != NULL && el > 0)
            CHECK(el == kem->ek_len && memcmp(gek, ek, el) == 0);
        int rc1 = kem->decaps_seed(seed, c, cl, ss);
        int rc2 = kem->decaps(gdk, kem->dk_len, c, cl, ss2);
        CHECK(rc1 == rc2);
        if (rc1 == 0) {
            CHECK(kl == 32 && memcmp(ss, ss2, 32) == 0);
            ok = kl == 32 && memcmp(ss, k, 32) == 0;
        } else {
            CHECK_RC(rc1, TENON_ERR_BAD_PUBLIC_KEY); /* only the ciphertext length */
        }
    }
    /* A seed of another length cannot be passed to the API at all (it takes 64 bytes): the
     * caller's length check refuses it, which is what this case tests. */
    free(seed);
    free(c);
    free(k);
    free(ek);
    return ok;
}

static int run_encaps(const tenon_kem_class *kem, const cJSON *t)
{
    size_t ml, el, cl, kl;
    uint8_t *m = tu_json_hex(t, "m", &ml), *ek = tu_json_hex(t, "ek", &el),
            *c = tu_json_hex(t, "c", &cl), *k = tu_json_hex(t, "K", &kl);
    uint8_t gc[TENON_KEM_MAX_CT_LEN], ss[32];
    int rc = kem->encaps_m(ek, el, m, gc, ss);
    int chk = kem->check_ek(ek, el);
    CHECK(rc == chk);
    int ok = rc == 0 && cl == kem->ct_len && kl == 32 && memcmp(gc, c, cl) == 0 &&
             memcmp(ss, k, 32) == 0;
    if (rc != 0) {
        CHECK_RC(rc, TENON_ERR_BAD_PUBLIC_KEY);
        /* Encaps with a random m refuses it too. */
        CHECK_RC(kem->encaps(ek, el, gc, ss), TENON_ERR_BAD_PUBLIC_KEY);
    }
    free(m);
    free(ek);
    free(c);
    free(k);
    return ok;
}

static int run_decaps(const tenon_kem_class *kem, const cJSON *t)
{
    size_t dl, cl, kl = 0;
    uint8_t *dk = tu_json_hex(t, "dk", &dl), *c = tu_json_hex(t, "c", &cl);
    uint8_t *k = has(t, "K") ? tu_json_hex(t, "K", &kl) : NULL;
    uint8_t ss[32];
    int rc = kem->decaps(dk, dl, c, cl, ss);
    int ok = rc == 0 && k != NULL && kl == 32 && memcmp(ss, k, 32) == 0;
    if (rc != 0)
        CHECK(rc == TENON_ERR_BAD_PUBLIC_KEY || rc == TENON_ERR_BAD_PRIVATE_KEY);
    free(dk);
    free(c);
    free(k);
    return ok;
}

static void run_file(const char *file)
{
    char rel[256];
    snprintf(rel, sizeof rel, "wycheproof/%s", file);
    cJSON *root = tu_load_json(rel);
    if (root == NULL)
        return;
    unsigned long total = 0, passed = 0, failed = 0, nvalid = 0;
    const cJSON *group;
    cJSON_ArrayForEach(group, cJSON_GetObjectItemCaseSensitive(root, "testGroups"))
    {
        const tenon_kem_class *kem = kem_of(group);
        const char *type = tu_json_str(group, "type");
        const cJSON *t;
        cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(group, "tests"))
        {
            total++;
            int want = strcmp(tu_json_str(t, "result"), "valid") == 0;
            nvalid += (unsigned long)want;
            int got = -1;
            if (kem == NULL)
                got = -1;
            else if (strcmp(type, "MLKEMKeyGen") == 0)
                got = run_keygen_seed(kem, t);
            else if (strcmp(type, "MLKEMTest") == 0)
                got = run_decaps_from_seed(kem, t);
            else if (strcmp(type, "MLKEMEncapsTest") == 0)
                got = run_encaps(kem, t);
            else if (strcmp(type, "MLKEMDecapsValidationTest") == 0)
                got = run_decaps(kem, t);
            if (got == want) {
                passed++;
                tu_passed++;
            } else {
                failed++;
                tu_failed++;
                const cJSON *id = cJSON_GetObjectItemCaseSensitive(t, "tcId");
                const cJSON *cm = cJSON_GetObjectItemCaseSensitive(t, "comment");
                fprintf(stderr, "FAIL %s %s tcId %s (%s): expected %s, got %d\n", file, type,
                        cJSON_IsString(id) ? id->valuestring : "?",
                        cJSON_IsString(cm) ? cm->valuestring : "", want ? "valid" : "invalid", got);
            }
        }
    }
    if ((long)total != tu_json_int(root, "numberOfTests")) {
        fprintf(stderr, "FAIL %s: read %lu tests, file says %ld\n", file, total,
                tu_json_int(root, "numberOfTests"));
        tu_failed++;
    }
    printf("wycheproof %s: %lu tests, %lu passed, %lu failed (%lu valid, %lu invalid)\n", file,
           total, passed, failed, nvalid, total - nvalid);
    cJSON_Delete(root);
}

int main(void)
{
    static const char *const files[] = {
        "mlkem_768_keygen_seed_test.json",  "mlkem_768_test.json",
        "mlkem_768_encaps_test.json",       "mlkem_768_semi_expanded_decaps_test.json",
        "mlkem_1024_keygen_seed_test.json", "mlkem_1024_test.json",
        "mlkem_1024_encaps_test.json",      "mlkem_1024_semi_expanded_decaps_test.json",
    };
    /* The portable code, then the accelerated paths where the CPU has them. */
    static const uint32_t masks[] = {0, UINT32_MAX};
    for (size_t m = 0; m < 2; m++) {
        tenon_cpu_set_mask(masks[m]);
        printf("cpu features 0x%x\n", (unsigned)tenon_cpu_features());
        for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
            run_file(files[i]);
    }
    return tu_finish("test_mlkem_wycheproof");
}
