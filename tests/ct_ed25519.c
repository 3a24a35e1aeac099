/* Constant-flow test of Ed25519 under valgrind memcheck (tests/ctgrind.h): the seed is marked
 * secret, so a branch or a memory index that depends on it, on the scalar or nonce derived from
 * it, or on the intermediate points of [a]B and [r]B, is reported. The public key and the
 * signature are public by design and are marked so before they are compared. Run for the
 * default implementations and the portable ones. */
#include <stdlib.h>
#include <string.h>

#include "ctgrind.h"
#include "testutil.h"

static void run(const char *label)
{
    /* RFC 8032 §7.1 TEST 3. */
    size_t n;
    uint8_t *seed = tu_hex("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7", &n);
    uint8_t *pub = tu_hex("fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", &n);
    uint8_t *want = tu_hex("6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
                           "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
                           &n);
    static const uint8_t msg[2] = {0xaf, 0x82};
    printf("%s (cpu features 0x%x)\n", label, (unsigned)tenon_cpu_features());

    tenon_ed25519_private_key key;
    SECRET(seed, 32);
    int rc = tenon_ed25519_private_key_load(&key, seed, 32);
    PUBLIC(&rc, sizeof rc);
    CHECK_RC(rc, TENON_OK);
    PUBLIC(key.pub.bytes, 32);
    CHECK_MEM(key.pub.bytes, pub, 32, "public key");

    uint8_t sig[64];
    rc = tenon_ed25519_sign(&key, msg, sizeof msg, sig);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(sig, 64);
    CHECK_RC(rc, TENON_OK);
    CHECK_MEM(sig, want, 64, "signature");

    /* A fresh key: secret from the start. */
    tenon_ed25519_private_key fresh;
    rc = tenon_ed25519_keygen(&fresh);
    PUBLIC(&rc, sizeof rc);
    CHECK_RC(rc, TENON_OK);
    rc = tenon_ed25519_sign(&fresh, msg, sizeof msg, sig);
    PUBLIC(sig, 64);
    PUBLIC(fresh.pub.bytes, 32);
    CHECK_RC(tenon_ed25519_verify(&fresh.pub, msg, sizeof msg, sig, 64), TENON_OK);
    free(seed);
    free(pub);
    free(want);
}

int main(void)
{
    run("default");
    tenon_cpu_set_mask(0);
    run("portable");
    return tu_finish("ct_ed25519");
}
