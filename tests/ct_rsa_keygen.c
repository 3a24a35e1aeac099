/*
 * Constant-flow check of RSA key generation's arithmetic. Miller-Rabin (rsa_miller_rabin, the
 * test every prime kept passes in full) on a 1024-bit prime and on a composite, both marked
 * secret: only the verdict is made public. And once the primes are chosen,
 * tenon_rsa_private_exponent runs the binary gcd of p - 1 and q - 1, the division of
 * (p - 1)(q - 1) by it, the inversion of e modulo lambda and the exact division by e, the same
 * code tenon_rsa_generate uses for d (and the division for dp, dq). p and q are marked secret,
 * so valgrind reports any branch or memory index that depends on them; d is marked public only
 * when it is handed to the test, which compares it with the d of Wycheproof's key.
 * (The prime search itself branches on each rejected candidate by design: tenon/rsa.h.)
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/bignum.h"
#include "crypto/rsa_internal.h"
#include "ctgrind.h"
#include "tenon/rsa.h"
#include "testutil.h"

int main(void)
{
    cJSON *root = tu_load_json("wycheproof/rsa_pkcs1_2048_test.json");
    if (root == NULL)
        return 1;
    const cJSON *g = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "testGroups"), 0);
    const cJSON *pk = cJSON_GetObjectItemCaseSensitive(g, "privateKey");
    static const char *names[8] = {"modulus",   "publicExponent", "prime1",      "prime2",
                                   "exponent1", "exponent2",      "coefficient", "privateExponent"};
    uint8_t *v[8];
    size_t l[8];
    for (int i = 0; i < 8; i++)
        v[i] = tu_json_hex(pk, names[i], &l[i]);
    tenon_rsa_private_key key;
    CHECK_RC(tenon_rsa_private_key_load(&key, v[0], l[0], v[1], l[1], v[2], l[2], v[3], l[3], v[4],
                                        l[4], v[5], l[5], v[6], l[6]),
             TENON_OK);
    /* Miller-Rabin, 5 rounds as for RSA-2048, on p; and on p + 2 or p + 4, whichever is a
     * multiple of 3 (p is a prime above 3, so one of them is). */
    size_t pl = (key.p_len + 7) / 8;
    uint64_t w[BN_MAX_LIMBS / 2], pass = 0;
    bn_from_be(w, pl, key.p, key.p_len);
    unsigned r3 = 0;
    for (size_t i = 0; i < key.p_len; i++)
        r3 = (r3 * 256 + key.p[i]) % 3;
    SECRET(w, sizeof w);
    int rc = rsa_miller_rabin(w, pl, 5, &pass);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(&pass, sizeof pass);
    CHECK_RC(rc, TENON_OK);
    CHECK(pass == ~(uint64_t)0);
    PUBLIC(w, sizeof w);
    w[0] += r3 == 1 ? 2 : 4; /* p = 1 mod 3: p + 2; p = 2 mod 3: p + 4 */
    SECRET(w, sizeof w);
    rc = rsa_miller_rabin(w, pl, 5, &pass);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(&pass, sizeof pass);
    CHECK_RC(rc, TENON_OK);
    CHECK(pass == 0);

    SECRET(key.p, sizeof key.p);
    SECRET(key.q, sizeof key.q);
    uint8_t d[TENON_RSA_MAX_LEN];
    size_t d_len = 0;
    rc = tenon_rsa_private_exponent(&key, d, sizeof d, &d_len);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(&d_len, sizeof d_len);
    PUBLIC(d, sizeof d);
    CHECK_RC(rc, TENON_OK);
    /* Wycheproof's d may have a leading zero byte (DER INTEGER); compare the values. */
    const uint8_t *want = v[7];
    size_t want_len = l[7];
    while (want_len > 0 && want[0] == 0) {
        want++;
        want_len--;
    }
    CHECK(d_len == key.pub.n_len && want_len <= d_len);
    if (want_len <= d_len)
        CHECK_MEM(d + d_len - want_len, want, want_len, "d of the Wycheproof key");
    for (int i = 0; i < 8; i++)
        free(v[i]);
    cJSON_Delete(root);
    return tu_finish("ct_rsa_keygen");
}
