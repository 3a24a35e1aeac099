/*
 * Constant-flow test of ML-KEM-768 and ML-KEM-1024 under valgrind memcheck (tests/ctgrind.h):
 * the secrets are marked undefined, so a branch, a memory index or a variable-time division
 * (valgrind reports none of the latter, but the first two are what KyberSlash-style and
 * implicit-rejection leaks look like) that depends on them is reported.
 *   KeyGen_internal   the seed d || z is secret; ek and dk are compared afterwards.
 *   Encaps            m is secret (ek is public).
 *   Decaps            the secret parts of dk (dk_PKE = s^ and z) are secret, and so is the
 *                     ciphertext for the implicit-rejection case (a changed c must not steer
 *                     anything either); a valid and a changed ciphertext.
 *   decaps_seed       the seed is secret.
 * Each result is made public only to compare it with the same operation run before the marking.
 */
#include <string.h>

#include "ctgrind.h"
#include "testutil.h"

static void run(const tenon_kem_class *kem)
{
    uint8_t seed[64], m[32], ek[TENON_KEM_MAX_EK_LEN], dk[TENON_KEM_MAX_DK_LEN],
        ct[TENON_KEM_MAX_CT_LEN], ss[32], ek2[TENON_KEM_MAX_EK_LEN], dk2[TENON_KEM_MAX_DK_LEN],
        ct2[TENON_KEM_MAX_CT_LEN], ss2[32], bad_ss[32];
    size_t k384 = (kem->dk_len - 96) / 2; /* 384 k: the length of dk_PKE */
    tu_seed(kem->ek_len);
    tu_rand(seed, sizeof seed);
    tu_rand(m, sizeof m);

    /* The reference results, nothing marked. */
    CHECK_RC(kem->keygen_seed(seed, ek, dk), TENON_OK);
    CHECK_RC(kem->encaps_m(ek, kem->ek_len, m, ct, ss), TENON_OK);
    memcpy(ct2, ct, kem->ct_len);
    ct2[17] ^= 0x20;
    CHECK_RC(kem->decaps(dk, kem->dk_len, ct2, kem->ct_len, bad_ss), TENON_OK);

    /* KeyGen */
    SECRET(seed, sizeof seed);
    int rc = kem->keygen_seed(seed, ek2, dk2);
    PUBLIC(&rc, sizeof rc);
    CHECK_RC(rc, TENON_OK);
    PUBLIC(ek2, kem->ek_len);
    PUBLIC(dk2, kem->dk_len);
    CHECK_MEM(ek2, ek, kem->ek_len, "keygen ek");
    CHECK_MEM(dk2, dk, kem->dk_len, "keygen dk");

    /* Encaps */
    SECRET(m, sizeof m);
    rc = kem->encaps_m(ek, kem->ek_len, m, ct2, ss2);
    PUBLIC(&rc, sizeof rc);
    CHECK_RC(rc, TENON_OK);
    PUBLIC(ct2, kem->ct_len);
    PUBLIC(ss2, 32);
    CHECK_MEM(ct2, ct, kem->ct_len, "encaps ct");
    CHECK_MEM(ss2, ss, 32, "encaps ss");

    /* Decaps: valid ciphertext, then a changed one (implicit rejection). */
    for (int bad = 0; bad < 2; bad++) {
        memcpy(dk2, dk, kem->dk_len);
        memcpy(ct2, ct, kem->ct_len);
        if (bad)
            ct2[17] ^= 0x20;
        SECRET(dk2, k384);
        SECRET(dk2 + kem->dk_len - 32, 32);
        SECRET(ct2, kem->ct_len);
        rc = kem->decaps(dk2, kem->dk_len, ct2, kem->ct_len, ss2);
        PUBLIC(&rc, sizeof rc);
        CHECK_RC(rc, TENON_OK);
        PUBLIC(ss2, 32);
        CHECK_MEM(ss2, bad ? bad_ss : ss, 32, bad ? "decaps (rejected)" : "decaps");

        memcpy(ct2, ct, kem->ct_len);
        if (bad)
            ct2[17] ^= 0x20;
        SECRET(ct2, kem->ct_len);
        rc = kem->decaps_seed(seed, ct2, kem->ct_len, ss2);
        PUBLIC(&rc, sizeof rc);
        CHECK_RC(rc, TENON_OK);
        PUBLIC(ss2, 32);
        CHECK_MEM(ss2, bad ? bad_ss : ss, 32, bad ? "decaps_seed (rejected)" : "decaps_seed");
    }
    printf("%s: keygen, encaps, decaps, decaps_seed run on secrets\n", kem->name);
}

int main(void)
{
    /* The portable code, then the accelerated paths valgrind's CPU reports. */
    static const uint32_t masks[] = {0, UINT32_MAX};
    for (size_t m = 0; m < 2; m++) {
        tenon_cpu_set_mask(masks[m]);
        printf("cpu features 0x%x\n", (unsigned)tenon_cpu_features());
        run(&tenon_kem_mlkem768);
        run(&tenon_kem_mlkem1024);
    }
    return tu_finish("ct_mlkem");
}
