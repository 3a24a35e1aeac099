/* Constant-flow test of X25519 under valgrind memcheck (tests/ctgrind.h): the scalar and the
 * peer's point are marked secret, so a branch or a memory index that depends on them is
 * reported. Run for the default (accelerated) implementation and the portable one. */
#include <stdlib.h>
#include <string.h>

#include "crypto/edwards25519.h"
#include "crypto/x25519_field.h"
#include "ctgrind.h"
#include "testutil.h"

static void hex32(uint8_t out[32], const char *hex)
{
    size_t n;
    uint8_t *b = tu_hex(hex, &n);
    memcpy(out, b, n < 32 ? n : 32);
    free(b);
}

static void run(const char *label)
{
    uint8_t k[32], u[32], want[32], out[32], a[32], a_pub[32], b_pub[32], shared[32];
    printf("%s (cpu features 0x%x)\n", label, (unsigned)tenon_cpu_features());

    /* RFC 7748 §5.2, first vector. */
    hex32(k, "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
    hex32(u, "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
    hex32(want, "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
    SECRET(k, 32);
    SECRET(u, 32);
    tenon_x25519(out, k, u);
    PUBLIC(out, 32);
    CHECK_MEM(out, want, 32, "tenon_x25519");

    /* RFC 7748 §6.1: Alice's key pair and the shared secret with Bob. */
    hex32(a, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    hex32(want, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    SECRET(a, 32);
    tenon_x25519_base(a_pub, a);
    PUBLIC(a_pub, 32);
    CHECK_MEM(a_pub, want, 32, "tenon_x25519_base");
    uint8_t want_pub[32];
    memcpy(want_pub, want, 32);

    hex32(b_pub, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    hex32(want, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    SECRET(b_pub, 32);
    int rc = tenon_kex_x25519.shared_secret(a, b_pub, 32, shared);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(shared, 32);
    CHECK_RC(rc, TENON_OK);
    CHECK_MEM(shared, want, 32, "kex shared_secret");

    /* A small-order point: the all-zero result is refused without a secret branch. */
    memset(u, 0, 32);
    u[0] = 1;
    SECRET(u, 32);
    rc = tenon_kex_x25519.shared_secret(a, u, 32, shared);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(shared, 32);
    CHECK_RC(rc, TENON_ERR_BAD_PUBLIC_KEY);

    /* The server's key pair and secret with one inversion (keypair_and_shared), on Alice's
     * key and Bob's, then a small-order point: both secret. */
    uint8_t pair_pub[32];
    SECRET(a, 32);
    SECRET(b_pub, 32);
    rc = tenon_kex_x25519.keypair_and_shared(a, b_pub, 32, pair_pub, shared);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(pair_pub, 32);
    PUBLIC(shared, 32);
    CHECK_RC(rc, TENON_OK);
    CHECK_MEM(pair_pub, want_pub, 32, "kex keypair_and_shared: public key");
    CHECK_MEM(shared, want, 32, "kex keypair_and_shared: shared secret");
    SECRET(a, 32);
    SECRET(u, 32);
    rc = tenon_kex_x25519.keypair_and_shared(a, u, 32, pair_pub, shared);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(pair_pub, 32);
    PUBLIC(shared, 32);
    CHECK_RC(rc, TENON_ERR_BAD_PUBLIC_KEY);
    CHECK_MEM(pair_pub, want_pub, 32, "kex keypair_and_shared, small-order u: public key");

    /* The fixed-base path with its inversion blinded (keygen's): scalar and blind secret. */
    uint8_t beta[32];
    memset(beta, 0xa7, 32);
    SECRET(a, 32);
    SECRET(beta, 32);
    x25519_base_blinded(a_pub, a, beta);
    PUBLIC(a_pub, 32);
    CHECK_MEM(a_pub, want_pub, 32, "x25519_base_blinded");
    /* keygen: the fresh private key is secret as soon as it exists; only the public key is
     * looked at. */
    uint8_t priv[32], pub[32], pub2[32];
    rc = tenon_kex_x25519.keygen(priv, pub);
    CHECK_RC(rc, TENON_OK);
    PUBLIC(priv, 32);
    tenon_x25519_base(pub2, priv);
    CHECK_MEM(pub, pub2, 32, "keygen");
}

/* One ladder implementation (it takes a clamped scalar) on RFC 7748 §5.2's first vector, with
 * the scalar and the point secret. */
static void run_ladder(const char *name,
                       void (*ladder)(uint8_t *, const uint8_t *, const uint8_t *))
{
    uint8_t k[32], u[32], want[32], out[32];
    hex32(k, "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
    hex32(u, "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
    hex32(want, "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
    k[0] &= 248; /* RFC 7748 §5: decodeScalar25519 */
    k[31] &= 127;
    k[31] |= 64;
    SECRET(k, 32);
    SECRET(u, 32);
    ladder(out, k, u);
    PUBLIC(out, 32);
    CHECK_MEM(out, want, 32, name);
    printf("%s checked\n", name);
}

#if defined(__x86_64__)
/* The radix-2^64 mulx/adx comb (x25519_base_adx.c), called directly as run_ladder calls the
 * adx ladder: on RFC 7748 §6.1's Alice (clamped), the scalar secret; u = (Z + Y)/(Z - Y) by
 * the constant-time inversion, and only u is looked at. */
static void run_base_adx(void)
{
    uint8_t k[32], want[32], out[32];
    hex32(k, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    hex32(want, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    k[0] &= 248; /* RFC 7748 §5: decodeScalar25519 */
    k[31] &= 127;
    k[31] |= 64;
    SECRET(k, 32);
    ge_ext p;
    edwards25519_base_mul_adx(&p, k);
    fe num, den;
    fe_add(&num, &p.Z, &p.Y);
    fe_sub(&den, &p.Z, &p.Y);
    x25519_fe_invert(&den, &den);
    fe_mul(&num, &num, &den);
    x25519_fe_tobytes(out, &num);
    PUBLIC(out, 32);
    CHECK_MEM(out, want, 32, "edwards25519_base_mul_adx");
    printf("edwards25519_base_mul_adx checked\n");
}
#endif

/* x25519_keypair_and_shared_with one ladder's projective form and one comb, on RFC 7748
 * §6.1 (Alice's key and Bob's public key, then a small-order u), scalar and point secret:
 * the zero test of z_2 and its fix-up are masks, and only the blinded product reaches the
 * variable-time inversion. */
static void run_pair(const char *name, x25519_ladder_xz_fn ladder,
                     void (*comb)(ge_ext *, const uint8_t *))
{
    uint8_t a[32], a_pub[32], b_pub[32], k[32], pub[32], s[32], zero[32] = {0};
    hex32(a, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    hex32(a_pub, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    hex32(b_pub, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    hex32(k, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    SECRET(a, 32);
    SECRET(b_pub, 32);
    x25519_keypair_and_shared_with(pub, s, a, b_pub, ladder, comb);
    PUBLIC(pub, 32);
    PUBLIC(s, 32);
    CHECK_MEM(pub, a_pub, 32, name);
    CHECK_MEM(s, k, 32, name);
    uint8_t u[32] = {1};
    SECRET(a, 32);
    SECRET(u, 32);
    x25519_keypair_and_shared_with(pub, s, a, u, ladder, comb);
    PUBLIC(pub, 32);
    PUBLIC(s, 32);
    CHECK_MEM(pub, a_pub, 32, name);
    CHECK_MEM(s, zero, 32, name);
    printf("%s checked\n", name);
}

int main(void)
{
    /* The AVX-512 IFMA ladder (x25519_ifma.c): valgrind cannot run AVX-512, so it runs the
     * portable model, which performs the same steps as the IFMA instance (one source,
     * x25519_ifma_impl.h) with each vector operation spelled out lane by lane; the IFMA
     * instance itself runs natively where the CPU has it (test_x25519 cross-checks both). */
    run_ladder("x25519_ladder_ifma_model", x25519_ladder_ifma_model);
#if defined(__x86_64__)
    uint32_t ifma = TENON_CPU_AVX512F | TENON_CPU_AVX512VL | TENON_CPU_AVX512IFMA;
    if (!RUNNING_ON_VALGRIND && (tenon_cpu_features() & ifma) == ifma)
        run_ladder("x25519_ladder_ifma", x25519_ladder_ifma);
    /* valgrind runs mulx/adcx/adox but its virtual CPU does not report ADX, so the
     * accelerated ladder is called directly here (when the real CPU has it, or under
     * valgrind). */
    uint32_t adx = TENON_CPU_BMI2 | TENON_CPU_ADX;
    if (RUNNING_ON_VALGRIND || (tenon_cpu_features() & adx) == adx)
        run_ladder("x25519_ladder_adx", x25519_ladder_adx);
    uint32_t comb = TENON_CPU_AVX2 | TENON_CPU_BMI2 | TENON_CPU_ADX;
    if (RUNNING_ON_VALGRIND || (tenon_cpu_features() & comb) == comb)
        run_base_adx();
    /* The server's combined key pair and secret with the adx ladder and comb, the pair a
     * Zen or Ice Lake without AVX-512 runs. */
    if (RUNNING_ON_VALGRIND || (tenon_cpu_features() & (adx | comb)) == (adx | comb))
        run_pair("keypair_and_shared (adx ladder, adx comb)", x25519_ladder_adx_xz,
                 edwards25519_base_mul_adx);
#endif
    run_pair("keypair_and_shared (ifma model ladder, dispatched comb)", x25519_ladder_ifma_model_xz,
             edwards25519_base_mul);
    run_pair("keypair_and_shared (portable ladder, dispatched comb)", x25519_ladder_portable_xz,
             edwards25519_base_mul);
    run("default");
    tenon_cpu_set_mask(0);
    run("portable");
    return tu_finish("ct_x25519");
}
