/* X25519 (RFC 7748) and the tenon_kex_x25519 group: RFC vectors, Wycheproof, the fixed-base
 * path against the ladder, OpenSSL differential tests, and bad input. */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>

#include "crypto/edwards25519.h"
#include "crypto/x25519_field.h"
#include "testutil.h"

static const tenon_kex_class *const kex = &tenon_kex_x25519;

static void hex32(uint8_t out[32], const char *hex)
{
    size_t n;
    uint8_t *b = tu_hex(hex, &n);
    if (n != 32) {
        fprintf(stderr, "bad test constant %s\n", hex);
        abort();
    }
    memcpy(out, b, 32);
    free(b);
}

static int is_zero32(const uint8_t b[32])
{
    uint8_t acc = 0;
    for (int i = 0; i < 32; i++)
        acc |= b[i];
    return acc == 0;
}

/*
 * Every implementation of the variable-base ladder (x25519.c dispatches to the first the CPU
 * allows): the AVX-512 IFMA ladder, the mulx/adx ladder, the portable radix-2^51 ladder, and
 * the portable model of the IFMA ladder (x25519_ifma.c; the twin that the constant-flow test
 * checks), which any CPU runs. The masked ones go through tenon_x25519 with the features
 * restricted; a path whose features the CPU lacks is skipped (path_ok).
 */
#define CPU_IFMA (TENON_CPU_AVX512F | TENON_CPU_AVX512VL | TENON_CPU_AVX512IFMA)
#define CPU_ADX (TENON_CPU_BMI2 | TENON_CPU_ADX)
struct x_path {
    const char *name;
    uint32_t needs; /* the features the path runs on (0: any CPU) */
    uint32_t mask;  /* tenon_cpu_set_mask for it; UINT32_MAX with model */
    int model;
};
static const struct x_path paths[] = {
    {"ifma", CPU_IFMA, UINT32_MAX, 0},
    {"mulx/adx", CPU_ADX, UINT32_MAX & ~(uint32_t)TENON_CPU_AVX512IFMA, 0},
    {"portable", 0, 0, 0},
    {"ifma model", 0, UINT32_MAX, 1},
};
#define N_PATHS (sizeof paths / sizeof paths[0])

static int path_ok(const struct x_path *p)
{
    return (tenon_cpu_features() & p->needs) == p->needs;
}

/* X25519 through one path (the model takes a clamped scalar, RFC 7748 §5). */
static void x25519_via(const struct x_path *p, uint8_t out[32], const uint8_t k[32],
                       const uint8_t u[32])
{
    tenon_cpu_set_mask(p->mask);
    if (p->model) {
        uint8_t kc[32];
        memcpy(kc, k, 32);
        kc[0] &= 248;
        kc[31] &= 127;
        kc[31] |= 64;
        x25519_ladder_ifma_model(out, kc, u);
    } else {
        tenon_x25519(out, k, u);
    }
    tenon_cpu_set_mask(UINT32_MAX);
}

/* RFC 7748 §5.2: the two single test vectors. The second u has its top bit set, which
 * X25519 must ignore. */
static void test_rfc7748_vectors(void)
{
    static const char *const v[][3] = {
        {"a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
         "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
         "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
        {"4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
         "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
         "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"},
    };
    for (size_t p = 0; p < N_PATHS; p++) {
        if (!path_ok(&paths[p]))
            continue;
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
            uint8_t k[32], u[32], want[32], got[32];
            hex32(k, v[i][0]);
            hex32(u, v[i][1]);
            hex32(want, v[i][2]);
            x25519_via(&paths[p], got, k, u);
            if (!CHECK_MEM(got, want, 32, "RFC 7748 §5.2 vector"))
                fprintf(stderr, "    path %s\n", paths[p].name);
        }
    }
}

/* RFC 7748 §5.2: k = u = 9, then repeatedly (k, u) = (X25519(k, u), k). */
static void test_rfc7748_iterated(void)
{
    for (size_t p = 0; p < N_PATHS; p++) {
        if (!path_ok(&paths[p])) {
            printf("  %s: skipped (the CPU lacks its features)\n", paths[p].name);
            continue;
        }
        uint8_t k[32] = {9}, u[32] = {9}, r[32], want1[32], want1000[32];
        hex32(want1, "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
        hex32(want1000, "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
        for (int i = 1; i <= 1000; i++) {
            x25519_via(&paths[p], r, k, u);
            memcpy(u, k, 32);
            memcpy(k, r, 32);
            if (i == 1)
                CHECK_MEM(k, want1, 32, "RFC 7748 §5.2 after 1 iteration");
        }
        CHECK_MEM(k, want1000, 32, "RFC 7748 §5.2 after 1,000 iterations");
        printf("  %s: RFC 7748 §5.2 vectors, 1 and 1,000 iterations\n", paths[p].name);
    }
}

/* RFC 7748 §6.1: Alice and Bob, through the kex class. */
static void test_rfc7748_dh(void)
{
    uint8_t a[32], a_pub[32], b[32], b_pub[32], k[32], got[32], s1[32], s2[32];
    hex32(a, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    hex32(a_pub, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    hex32(b, "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    hex32(b_pub, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    hex32(k, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

    CHECK(strcmp(kex->name, "x25519") == 0);
    CHECK(kex->tls_group == 0x001d);
    CHECK(kex->private_len == 32 && kex->client_share_len == 32 && kex->shared_len == 32);

    CHECK_RC(kex->public_from_private(a, got), TENON_OK);
    CHECK_MEM(got, a_pub, 32, "Alice's public key");
    CHECK_RC(kex->public_from_private(b, got), TENON_OK);
    CHECK_MEM(got, b_pub, 32, "Bob's public key");
    CHECK_RC(kex->shared_secret(a, b_pub, 32, s1), TENON_OK);
    CHECK_RC(kex->shared_secret(b, a_pub, 32, s2), TENON_OK);
    CHECK_MEM(s1, k, 32, "shared secret K (Alice)");
    CHECK_MEM(s2, k, 32, "shared secret K (Bob)");
    tenon_x25519(got, a, b_pub);
    CHECK_MEM(got, k, 32, "shared secret K (raw function)");
}

/*
 * Wycheproof x25519_test.json. Every case is 'valid' or 'acceptable'; the acceptable ones are
 * twist points, non-canonical u (>= p, or with the top bit set) and low-order points. tenon
 * decides them as follows:
 *  - the raw tenon_x25519 follows RFC 7748 §5 to the letter: it masks the top bit, takes a
 *    non-canonical u modulo p, works on the twist like on the curve (the ladder never looks
 *    at v), and returns whatever value results, all zeros included. So every case, acceptable
 *    or not, must give exactly Wycheproof's shared value.
 *  - the kex class (what TLS uses) computes the same value and additionally rejects an all-zero
 *    result with TENON_ERR_BAD_PUBLIC_KEY, as RFC 8446 §7.4.2 requires (RFC 7748 §6.1 allows
 *    the check). Twist and non-canonical points that do not give zero are accepted: the
 *    result is still a fixed function of our secret and their input, and TLS needs nothing
 *    more of X25519.
 */
struct wp_counts {
    unsigned long accepted, rejected, acceptable_accepted, acceptable_rejected;
    const struct x_path *path; /* wp_raw: the implementation under test */
};

static int wp_raw(const cJSON *group, const cJSON *test, void *arg)
{
    struct wp_counts *c = arg;
    if (strcmp(tu_json_str(group, "curve"), "curve25519") != 0)
        return -1;
    size_t priv_len, pub_len, shared_len;
    uint8_t *priv = tu_json_hex(test, "private", &priv_len);
    uint8_t *pub = tu_json_hex(test, "public", &pub_len);
    uint8_t *shared = tu_json_hex(test, "shared", &shared_len);
    int ok = 0;
    if (priv_len == 32 && pub_len == 32 && shared_len == 32) {
        uint8_t out[32];
        x25519_via(c->path, out, priv, pub);
        ok = memcmp(out, shared, 32) == 0;
    }
    if (strcmp(tu_json_str(test, "result"), "acceptable") == 0) {
        /* The raw function computes acceptable cases too, as the RFC says. */
        if (!CHECK(ok))
            fprintf(stderr, "    raw tcId %ld differs (%s)\n", tu_json_int(test, "tcId"),
                    c->path->name);
        if (ok)
            c->acceptable_accepted++;
        else
            c->acceptable_rejected++;
    }
    if (ok)
        c->accepted++;
    else
        c->rejected++;
    free(priv);
    free(pub);
    free(shared);
    return ok;
}

static int wp_kex(const cJSON *group, const cJSON *test, void *arg)
{
    struct wp_counts *c = arg;
    if (strcmp(tu_json_str(group, "curve"), "curve25519") != 0)
        return -1;
    size_t priv_len, pub_len, shared_len;
    uint8_t *priv = tu_json_hex(test, "private", &priv_len);
    uint8_t *pub = tu_json_hex(test, "public", &pub_len);
    uint8_t *shared = tu_json_hex(test, "shared", &shared_len);
    int ok = 0;
    if (priv_len == 32 && shared_len == 32) {
        uint8_t out[32];
        memset(out, 0xAA, sizeof out);
        int rc = kex->shared_secret(priv, pub, pub_len, out);
        int zero = is_zero32(shared);
        /* Rejected exactly when the RFC value is all zeros, and then nothing leaks out. */
        if (!CHECK(rc == (zero ? TENON_ERR_BAD_PUBLIC_KEY : TENON_OK)))
            fprintf(stderr, "    kex tcId %ld: rc %d\n", tu_json_int(test, "tcId"), rc);
        if (rc != TENON_OK)
            CHECK(is_zero32(out));
        ok = rc == TENON_OK && memcmp(out, shared, 32) == 0;
        /* The server's combined computation: the same verdict and secret, and our public
         * key as public_from_private gives it. */
        uint8_t out2[32], our[32], our_want[32];
        memset(out2, 0xAA, sizeof out2);
        int rc2 = kex->keypair_and_shared(priv, pub, pub_len, our, out2);
        CHECK_RC(rc2, rc);
        CHECK_MEM(out2, out, 32, "keypair_and_shared on Wycheproof: secret");
        if (pub_len == 32) {
            CHECK_RC(kex->public_from_private(priv, our_want), TENON_OK);
            CHECK_MEM(our, our_want, 32, "keypair_and_shared on Wycheproof: public key");
        }
    }
    if (strcmp(tu_json_str(test, "result"), "acceptable") == 0) {
        if (ok)
            c->acceptable_accepted++;
        else
            c->acceptable_rejected++;
    }
    if (ok)
        c->accepted++;
    else
        c->rejected++;
    free(priv);
    free(pub);
    free(shared);
    return ok;
}

static void test_wycheproof(void)
{
    for (size_t p = 0; p < N_PATHS; p++) {
        if (!path_ok(&paths[p]))
            continue;
        char label[64];
        snprintf(label, sizeof label, "tenon_x25519/%s", paths[p].name);
        struct wp_counts raw = {0, 0, 0, 0, &paths[p]};
        tu_wycheproof("x25519_test.json", label, wp_raw, &raw);
        printf("  %s: %lu computed as expected, %lu differ; acceptable: %lu computed, %lu "
               "not\n",
               label, raw.accepted, raw.rejected, raw.acceptable_accepted, raw.acceptable_rejected);
    }
    /* Every feature, the mulx/adx ladder (IFMA masked), the portable code. */
    static const uint32_t kex_masks[] = {UINT32_MAX, ~(uint32_t)TENON_CPU_AVX512IFMA, 0};
    static const char *const kex_labels[] = {"kex x25519", "kex x25519/no IFMA",
                                             "kex x25519/portable"};
    for (size_t m = 0; m < sizeof kex_masks / sizeof kex_masks[0]; m++) {
        tenon_cpu_set_mask(kex_masks[m]);
        const char *label_kex = kex_labels[m];
        struct wp_counts kx = {0, 0, 0, 0, NULL};
        tu_wycheproof("x25519_test.json", label_kex, wp_kex, &kx);
        printf("  %s: %lu accepted, %lu rejected; acceptable: %lu accepted, %lu rejected "
               "(all-zero shared secret)\n",
               label_kex, kx.accepted, kx.rejected, kx.acceptable_accepted, kx.acceptable_rejected);
    }
    tenon_cpu_set_mask(UINT32_MAX);
}

/*
 * The implementations against each other and against OpenSSL on random scalars and points:
 * arbitrary 32-byte strings (so half have the top bit set, which X25519 ignores), values in
 * [p, 2^255) and their top-bit twins (non-canonical, taken mod p), and small u. Every path
 * must give the portable ladder's bytes; every n-th case also OpenSSL's derive (which
 * refuses an all-zero result, where tenon's is zero).
 */
static int ossl_derive(const uint8_t k[32], const uint8_t peer[32], uint8_t out[32]);

static void test_paths_differential(void)
{
    unsigned long bad = 0, n = 0, ossl = 0;
    const struct x_path *portable = &paths[2];
    tu_seed(0x1f3a);
    for (int i = 0; i < 6000; i++) {
        uint8_t k[32], u[32], want[32], got[32], o[32];
        tu_rand(k, 32);
        tu_rand(u, 32);
        switch (i % 6) {
        case 1: /* p + small, possibly with the top bit */
            memset(u + 1, 0xff, 30);
            u[0] = (uint8_t)(0xed + (u[0] % 19));
            u[31] = (uint8_t)(0x7f | (u[31] & 0x80));
            break;
        case 2: /* 2^255 - small, both top bits */
            memset(u + 1, 0xff, 31);
            u[31] = (uint8_t)(0x7f | (u[31] & 0x80));
            break;
        case 3: /* a small u */
            memset(u + 1, 0, 31);
            break;
        case 4: /* the top bit set */
            u[31] |= 0x80;
            break;
        default:
            break;
        }
        x25519_via(portable, want, k, u);
        for (size_t p = 0; p < N_PATHS; p++) {
            if (p == 2 || !path_ok(&paths[p]))
                continue;
            x25519_via(&paths[p], got, k, u);
            n++;
            if (memcmp(got, want, 32) != 0) {
                bad++;
                if (bad < 4) {
                    fprintf(stderr, "  path %s differs\n", paths[p].name);
                    tu_print_hex(stderr, "scalar", k, 32);
                    tu_print_hex(stderr, "u     ", u, 32);
                }
            }
        }
        if (i % 3 == 0) {
            ossl++;
            if (ossl_derive(k, u, o) ? memcmp(o, want, 32) != 0 : !is_zero32(want))
                bad++;
        }
    }
    CHECK(bad == 0);
    printf("paths differential: 6000 (scalar, u), %lu comparisons with the portable ladder, "
           "%lu with OpenSSL, %lu mismatches\n",
           n, ossl, bad);
}

/* The fixed-base path against the ladder on u = 9, and the accelerated code against the
 * portable one. */
static void test_base_vs_ladder(void)
{
    static const uint8_t nine[32] = {9};
    unsigned long mismatches = 0;
    tu_seed(0x2551);
    for (int i = 0; i < 4000; i++) {
        uint8_t k[32], a[32], b[32], c[32];
        tu_rand(k, sizeof k);
        if (i == 0)
            memset(k, 0, 32);
        if (i == 1)
            memset(k, 0xff, 32);
        tenon_x25519_base(a, k);
        tenon_x25519(b, k, nine);
        tenon_cpu_set_mask(0);
        tenon_x25519_base(c, k);
        if (memcmp(a, b, 32) != 0 || memcmp(a, c, 32) != 0) {
            mismatches++;
            if (mismatches < 4) {
                tu_print_hex(stderr, "scalar", k, 32);
                tu_print_hex(stderr, "base  ", a, 32);
                tu_print_hex(stderr, "ladder", b, 32);
                tu_print_hex(stderr, "base/portable", c, 32);
            }
        }
        /* the radix-2^51 AVX2 comb, which CPUs with ADX do not run by default */
        tenon_cpu_set_mask(~(uint32_t)TENON_CPU_ADX);
        tenon_x25519_base(c, k);
        if (memcmp(a, c, 32) != 0)
            mismatches++;
        tenon_cpu_set_mask(0);
        tenon_x25519(c, k, a); /* a random point for the ladder comparison */
        tenon_cpu_set_mask(UINT32_MAX);
        tenon_x25519(b, k, a);
        if (memcmp(b, c, 32) != 0)
            mismatches++;
    }
    CHECK(mismatches == 0);
    printf("base vs ladder, accelerated vs portable: 4000 scalars, %lu mismatches\n", mismatches);
}

/* The affine coordinates x = X/Z, y = Y/Z of p, encoded (64 bytes), and whether T/Z = x·y. */
static int affine_bytes(uint8_t out[64], const ge_ext *p)
{
    fe zi, x, y, xy, t;
    uint8_t b1[32], b2[32];
    x25519_fe_invert(&zi, &p->Z);
    fe_mul(&x, &p->X, &zi);
    fe_mul(&y, &p->Y, &zi);
    fe_mul(&t, &p->T, &zi);
    fe_mul(&xy, &x, &y);
    x25519_fe_tobytes(out, &x);
    x25519_fe_tobytes(out + 32, &y);
    x25519_fe_tobytes(b1, &t);
    x25519_fe_tobytes(b2, &xy);
    return memcmp(b1, b2, 32) == 0;
}

/* The comb's paths on whole points (x and y, and T consistent with them, which Ed25519
 * reads and the X25519 comparison above does not): the radix-2^64 mulx/adx comb
 * (edwards25519_base_mul_adx) called directly and the radix-2^51 AVX2 one against the
 * portable comb, on random scalars below 2^255 and edge ones (0, 1, 2^255 - 1, all digits
 * -8 or 8); and the radix-2^64 table against the radix-2^51 one, entry by entry. */
static void test_base_points(void)
{
    unsigned long mismatches = 0, n = 0;
    for (int j = 0; j < 32; j++)
        for (int m = 0; m < 8; m++) {
            uint8_t e51[96];
            edwards25519_base_entry(e51, j, m);
#if defined(__x86_64__)
            uint8_t e64[96];
            edwards25519_base_entry64(e64, j, m);
            if (memcmp(e51, e64, 96) != 0)
                mismatches++;
#endif
            n++;
        }
    CHECK(mismatches == 0);
    printf("comb tables: %lu entries compared, %lu differ\n", n, mismatches);
    mismatches = 0;
#if defined(__x86_64__)
    uint32_t adx = TENON_CPU_AVX2 | TENON_CPU_BMI2 | TENON_CPU_ADX;
    int have_adx = (tenon_cpu_features() & adx) == adx;
#endif
    tu_seed(0xc0b5);
    for (int i = 0; i < 2000; i++) {
        uint8_t k[32], want[64], got[64];
        ge_ext p;
        tu_rand(k, sizeof k);
        if (i == 0)
            memset(k, 0, 32);
        if (i == 1)
            memset(k, 0, 32), k[0] = 1;
        if (i == 2)
            memset(k, 0xff, 32);
        if (i == 3)
            memset(k, 0x88, 32); /* every digit -8 */
        if (i == 4)
            memset(k, 0x77, 32);
        k[31] &= 127;
        tenon_cpu_set_mask(0);
        edwards25519_base_mul(&p, k);
        if (!affine_bytes(want, &p))
            mismatches++;
        tenon_cpu_set_mask(~(uint32_t)TENON_CPU_ADX);
        edwards25519_base_mul(&p, k);
        if (!affine_bytes(got, &p) || memcmp(got, want, 64) != 0)
            mismatches++;
        tenon_cpu_set_mask(UINT32_MAX);
#if defined(__x86_64__)
        if (have_adx) {
            edwards25519_base_mul_adx(&p, k);
            if (!affine_bytes(got, &p) || memcmp(got, want, 64) != 0)
                mismatches++;
        }
#endif
    }
    CHECK(mismatches == 0);
    printf("comb points, portable vs AVX2 vs mulx/adx: 2000 scalars, %lu mismatches\n", mismatches);
}

/* The fixed-base path with a given blind (x25519_base_blinded, keygen's) against
 * tenon_x25519_base (its blind derived from the scalar; test_base_vs_ladder checks that one
 * against the ladder) on random scalars and blinds, and on edge blinds: 1, p + 1 (acts as 1),
 * 2^256 - 1 (the top bit dropped: 2^255 - 1 = 18 mod p); beta = 0 and beta = p give 0. Then
 * RFC 7748 §6.1's Alice, and keygen's key pairs against tenon_x25519_base. */
static void test_base_blinded(void)
{
    unsigned long mismatches = 0;
    tu_seed(0x6b1d);
    for (int i = 0; i < 2000; i++) {
        uint8_t k[32], beta[32], a[32], b[32];
        tu_rand(k, sizeof k);
        tu_rand(beta, sizeof beta);
        if (i == 0)
            memset(beta, 0, 32), beta[0] = 1;
        if (i == 1)
            hex32(beta, "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
        if (i == 2)
            memset(beta, 0xff, 32);
        tenon_x25519_base(a, k);
        x25519_base_blinded(b, k, beta);
        if (memcmp(a, b, 32) != 0 && mismatches++ < 4) {
            tu_print_hex(stderr, "scalar ", k, 32);
            tu_print_hex(stderr, "beta   ", beta, 32);
            tu_print_hex(stderr, "ct     ", a, 32);
            tu_print_hex(stderr, "blinded", b, 32);
        }
    }
    CHECK(mismatches == 0);
    uint8_t k[32], beta[32], out[32], zero[32] = {0}, want[32];
    hex32(k, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    hex32(want, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    memset(beta, 0x5c, 32);
    x25519_base_blinded(out, k, beta);
    CHECK_MEM(out, want, 32, "blinded base, RFC 7748 6.1 Alice");
    x25519_base_blinded(out, k, zero);
    CHECK_MEM(out, zero, 32, "beta = 0 gives 0");
    hex32(beta, "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"); /* p */
    x25519_base_blinded(out, k, beta);
    CHECK_MEM(out, zero, 32, "beta = p gives 0");
    for (int i = 0; i < 200; i++) {
        uint8_t priv[32], pub[32], pub2[32];
        CHECK_RC(tenon_kex_x25519.keygen(priv, pub), TENON_OK);
        tenon_x25519_base(pub2, priv);
        if (memcmp(pub, pub2, 32) != 0)
            mismatches++;
    }
    CHECK(mismatches == 0);
    printf("blinded base vs tenon_x25519_base: 2000 scalars, 200 keygens, %lu mismatches\n",
           mismatches);
}

/*
 * The inversion by divsteps (x25519_inv.c) against Fermat's z^(p - 2) (the addition chain
 * x25519_fe_pow250 starts) and z·(1/z) = 1: edge values (0, 1, 2, p - 1, p, p + 1, 2^255 - 1,
 * powers of two), random canonical elements, and unreduced limbs up to 2^54 (the largest that
 * fe_mul takes), which are reduced first.
 */
static void fermat_invert(fe *h, const fe *z)
{
    fe t, z11;
    x25519_fe_pow250(&t, &z11, z);
    fe_sq_n(&t, &t, 5);
    fe_mul(h, &t, &z11);
}

static void test_invert(void)
{
    static const char *const edges[] = {
        "0000000000000000000000000000000000000000000000000000000000000000", /* 0 */
        "0100000000000000000000000000000000000000000000000000000000000000", /* 1 */
        "0200000000000000000000000000000000000000000000000000000000000000", /* 2 */
        "1300000000000000000000000000000000000000000000000000000000000000", /* 19 */
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* p - 1 */
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* p */
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* p + 1 */
        "efffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* p + 2 */
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* 2^255 - 1 */
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff3f", /* 2^254 - 1 */
    };
    unsigned long bad = 0, n = 0;
    tu_seed(0x1417);
    for (int i = 0; i < 20000; i++) {
        uint8_t b[32], e1[32], e2[32], one[32];
        fe z, a, c;
        tu_rand(b, 32);
        if (i < (int)(sizeof edges / sizeof edges[0])) {
            hex32(b, edges[i]);
            fe_frombytes(&z, b);
        } else if (i < 10 + 255) { /* 2^k for k = 0..254 */
            int k = i - 10;
            memset(b, 0, 32);
            b[k / 8] = (uint8_t)(1u << (k % 8));
            fe_frombytes(&z, b);
        } else if (i % 2) {
            for (int j = 0; j < 5; j++) { /* unreduced limbs below 2^54 */
                uint64_t w = load_le64(b) ^ ((uint64_t)j * 0x9e3779b97f4a7c15u);
                z.l[j] = w >> (10 + (i / 2 + j) % 4);
            }
        } else {
            b[31] &= 0x7f;
            fe_frombytes(&z, b);
        }
        x25519_fe_invert(&a, &z);
        fermat_invert(&c, &z);
        x25519_fe_tobytes(e1, &a);
        x25519_fe_tobytes(e2, &c);
        fe_mul(&a, &a, &z);
        x25519_fe_tobytes(one, &a);
        x25519_fe_tobytes(b, &z);
        int zero = is_zero32(b);
        uint8_t want_one[32] = {1};
        n++;
        if (memcmp(e1, e2, 32) != 0 || (zero ? !is_zero32(e1) : memcmp(one, want_one, 32) != 0)) {
            bad++;
            if (bad < 4)
                tu_print_hex(stderr, "invert fails for", b, 32);
        }
    }
    CHECK(bad == 0);
    printf("inversion by divsteps: %lu elements against z^(p-2) and z/z = 1, %lu mismatches\n", n,
           bad);
}

/* ---- OpenSSL differential ---- */

static EVP_PKEY *ossl_priv(const uint8_t k[32])
{
    return EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, k, 32);
}

static int ossl_pub_of(const uint8_t k[32], uint8_t pub[32])
{
    EVP_PKEY *p = ossl_priv(k);
    size_t len = 32;
    int ok = p != NULL && EVP_PKEY_get_raw_public_key(p, pub, &len) == 1 && len == 32;
    EVP_PKEY_free(p);
    return ok;
}

/* 1 and the secret on success, 0 if OpenSSL refuses (it rejects an all-zero result). */
static int ossl_derive(const uint8_t k[32], const uint8_t peer[32], uint8_t out[32])
{
    EVP_PKEY *p = ossl_priv(k);
    EVP_PKEY *q = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, 32);
    EVP_PKEY_CTX *ctx = p ? EVP_PKEY_CTX_new(p, NULL) : NULL;
    size_t len = 32;
    int ok = ctx != NULL && q != NULL && EVP_PKEY_derive_init(ctx) == 1 &&
             EVP_PKEY_derive_set_peer(ctx, q) == 1 && EVP_PKEY_derive(ctx, out, &len) == 1 &&
             len == 32;
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(q);
    EVP_PKEY_free(p);
    return ok;
}

static void test_openssl(void)
{
    unsigned long bad = 0, n = 0, zeros = 0;
    tu_seed(0x7748);
    for (int i = 0; i < 3000; i++) {
        uint8_t a[32], b[32], a_pub[32], b_pub[32], x[32], s_t[32], s_o[32], u[32];
        tu_rand(a, 32);
        tu_rand(b, 32);
        /* Public keys: tenon's fixed-base path and OpenSSL agree. */
        CHECK_RC(kex->public_from_private(a, a_pub), TENON_OK);
        if (!ossl_pub_of(a, x) || memcmp(x, a_pub, 32) != 0)
            bad++;
        if (!ossl_pub_of(b, b_pub))
            bad++;
        /* ECDH both ways: tenon with OpenSSL's key, OpenSSL with tenon's. */
        if (kex->shared_secret(a, b_pub, 32, s_t) != TENON_OK)
            bad++;
        if (!ossl_derive(b, a_pub, s_o) || memcmp(s_t, s_o, 32) != 0)
            bad++;
        /* The raw function on an arbitrary string (top bit and non-canonical values
         * included) against OpenSSL's derive on the same raw public key. */
        tu_rand(u, 32);
        if (i % 4 == 1)
            memset(u + 1, 0xff, 31); /* often >= p */
        tenon_x25519(s_t, a, u);
        if (ossl_derive(a, u, s_o)) {
            if (memcmp(s_t, s_o, 32) != 0)
                bad++;
        } else {
            /* OpenSSL refuses an all-zero result (u = 0, 1 or -1 after reduction). */
            if (!is_zero32(s_t))
                bad++;
            zeros++;
        }
        n += 4;
    }
    /* tenon's keygen, checked by OpenSSL. */
    for (int i = 0; i < 200; i++) {
        uint8_t a[32], a_pub[32], x[32], b[32], b_pub[32], s1[32], s2[32];
        CHECK_RC(kex->keygen(a, a_pub), TENON_OK);
        CHECK_RC(kex->keygen(b, b_pub), TENON_OK);
        if (!ossl_pub_of(a, x) || memcmp(x, a_pub, 32) != 0)
            bad++;
        CHECK_RC(kex->shared_secret(a, b_pub, 32, s1), TENON_OK);
        if (!ossl_derive(b, a_pub, s2) || memcmp(s1, s2, 32) != 0)
            bad++;
        n += 2;
    }
    CHECK(bad == 0);
    printf("OpenSSL differential: %lu comparisons, %lu mismatches (%lu small-order u that both "
           "map to zero)\n",
           n, bad, zeros);
}

/* ---- bad input ---- */

/* Points of small order (on the curve or its twist) and their non-canonical encodings: 0, 1,
 * -1, p, p + 1 (= 0 and 1 again) and the two points of order 8. */
static const char *const small[] = {
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
};

static void test_bad_input(void)
{
    uint8_t k[32], pub[32], s[32], out[96];
    tu_seed(25519);
    tu_rand(k, 32);
    CHECK_RC(kex->public_from_private(k, pub), TENON_OK);

    /* RFC 8446 §4.2.8.2: exactly 32 bytes. */
    static const size_t lens[] = {0, 1, 31, 33, 64, 65, 96};
    uint8_t longpub[96];
    memset(longpub, 0, sizeof longpub);
    memcpy(longpub, pub, 32);
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
        CHECK_RC(kex->shared_secret(k, longpub, lens[i], s), TENON_ERR_BAD_PUBLIC_KEY);
    CHECK_RC(kex->shared_secret(k, NULL, 32, s), TENON_ERR_BAD_PUBLIC_KEY);
    CHECK_RC(kex->shared_secret(NULL, pub, 32, s), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(kex->shared_secret(k, pub, 32, NULL), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(kex->public_from_private(NULL, out), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(kex->keygen(NULL, out), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(kex->keygen(out, NULL), TENON_ERR_INVALID_ARGUMENT);

    /* The points of small order (small): every clamped scalar is a multiple of 8, so X25519
     * gives zero and the kex class must refuse. */
    unsigned long refused = 0;
    for (size_t i = 0; i < sizeof small / sizeof small[0]; i++) {
        for (int top = 0; top < 2; top++) {
            uint8_t u[32];
            hex32(u, small[i]);
            if (top)
                u[31] |= 0x80; /* ignored by X25519 (RFC 7748 §5) */
            for (int j = 0; j < 8; j++) {
                tu_rand(k, 32);
                tenon_x25519(s, k, u);
                CHECK(is_zero32(s));
                memset(s, 0x55, 32);
                int rc = kex->shared_secret(k, u, 32, s);
                CHECK_RC(rc, TENON_ERR_BAD_PUBLIC_KEY);
                CHECK(is_zero32(s)); /* nothing left in the output */
                refused += rc == TENON_ERR_BAD_PUBLIC_KEY;
            }
        }
    }
    printf("small-order public keys: %lu refused by the kex class\n", refused);

    /* RFC 7748 §5: the top bit of u is ignored, and u >= p acts as u mod p. */
    uint8_t u[32], u2[32], r1[32], r2[32];
    tu_rand(k, 32);
    tu_rand(u, 32);
    u[31] &= 0x7f;
    memcpy(u2, u, 32);
    u2[31] |= 0x80;
    tenon_x25519(r1, k, u);
    tenon_x25519(r2, k, u2);
    CHECK_MEM(r1, r2, 32, "top bit of u ignored");
    uint8_t nine[32] = {9}, p9[32];
    hex32(p9, "f6ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"); /* p + 9 */
    tenon_x25519(r1, k, nine);
    tenon_x25519(r2, k, p9);
    CHECK_MEM(r1, r2, 32, "u = p + 9 acts as 9");
    tenon_x25519_base(r2, k);
    CHECK_MEM(r1, r2, 32, "base = ladder on 9");

    /* In-place use: the output may alias the scalar or the point. */
    tenon_x25519(r1, k, u);
    memcpy(r2, u, 32);
    tenon_x25519(r2, k, r2);
    CHECK_MEM(r1, r2, 32, "out aliasing u");
    memcpy(r2, k, 32);
    tenon_x25519(r2, r2, u);
    CHECK_MEM(r1, r2, 32, "out aliasing the scalar");
}

/* The small-order u of test_bad_input (and their top-bit twins) through every path: each gives
 * zero, and the kex class, with the CPU features cut to each path's, refuses it and leaves
 * zeros in its output. */
static void test_small_order_paths(void)
{
    unsigned long checked = 0, bad = 0;
    tu_seed(0x5a11);
    for (size_t p = 0; p < N_PATHS; p++) {
        if (!path_ok(&paths[p]))
            continue;
        for (size_t i = 0; i < sizeof small / sizeof small[0]; i++) {
            for (int top = 0; top < 2; top++) {
                uint8_t u[32], k[32], s[32];
                hex32(u, small[i]);
                u[31] = (uint8_t)(u[31] | (top << 7));
                for (int j = 0; j < 4; j++) {
                    tu_rand(k, 32);
                    memset(s, 0x55, 32);
                    x25519_via(&paths[p], s, k, u);
                    bad += !is_zero32(s);
                    if (!paths[p].model) {
                        tenon_cpu_set_mask(paths[p].mask);
                        memset(s, 0x55, 32);
                        bad += kex->shared_secret(k, u, 32, s) != TENON_ERR_BAD_PUBLIC_KEY;
                        bad += !is_zero32(s);
                        tenon_cpu_set_mask(UINT32_MAX);
                    }
                    checked++;
                }
            }
        }
    }
    CHECK(bad == 0);
    printf("small-order u through every path: %lu (path, u, scalar), %lu wrong\n", checked, bad);
}

/* ---- x25519_keypair_and_shared: public key and shared secret with one inversion ---- */

/*
 * The server's combined computation (kex->keypair_and_shared, x25519_keypair_and_shared)
 * against the separate public_from_private and shared_secret. Through the kex class with the
 * CPU features cut to each pair of ladder and comb it dispatches to, and directly with each
 * ladder's projective form and each comb, against the separate functions with every feature.
 */
struct pair_path {
    const char *name;
    uint32_t needs;             /* the features the path runs on (0: any CPU) */
    uint32_t mask;              /* tenon_cpu_set_mask for the dispatched ones */
    x25519_ladder_xz_fn ladder; /* NULL: through the kex class */
    void (*comb)(ge_ext *, const uint8_t *);
};
static const struct pair_path pair_paths[] = {
    {"kex, every feature (ifma ladder, adx comb)", 0, UINT32_MAX, NULL, NULL},
    {"kex, no IFMA (adx ladder, adx comb)", 0, ~(uint32_t)TENON_CPU_AVX512IFMA, NULL, NULL},
    {"kex, no IFMA nor ADX (portable ladder, AVX2 comb)", 0,
     ~(uint32_t)(TENON_CPU_AVX512IFMA | TENON_CPU_ADX), NULL, NULL},
    {"kex, portable", 0, 0, NULL, NULL},
#if defined(__x86_64__)
    {"ifma ladder, adx comb", CPU_IFMA | CPU_ADX | TENON_CPU_AVX2, UINT32_MAX,
     x25519_ladder_ifma_xz, edwards25519_base_mul_adx},
    {"adx ladder, adx comb", CPU_ADX | TENON_CPU_AVX2, UINT32_MAX, x25519_ladder_adx_xz,
     edwards25519_base_mul_adx},
#endif
    {"ifma model ladder, dispatched comb", 0, UINT32_MAX, x25519_ladder_ifma_model_xz,
     edwards25519_base_mul},
    {"portable ladder, portable comb", 0, 0, x25519_ladder_portable_xz, edwards25519_base_mul},
};
#define N_PAIR_PATHS (sizeof pair_paths / sizeof pair_paths[0])

/* Our public key and the secret with u through path pp, and the separate functions' answer. */
static int pair_via(const struct pair_path *pp, const uint8_t k[32], const uint8_t u[32],
                    uint8_t pub[32], uint8_t s[32], int *want_rc, uint8_t want_pub[32],
                    uint8_t want_s[32])
{
    int rc;
    memset(pub, 0x55, 32);
    memset(s, 0x55, 32);
    tenon_cpu_set_mask(pp->mask);
    if (pp->ladder == NULL) {
        rc = kex->keypair_and_shared(k, u, 32, pub, s);
    } else {
        x25519_keypair_and_shared_with(pub, s, k, u, pp->ladder, pp->comb);
        rc = is_zero32(s) ? TENON_ERR_BAD_PUBLIC_KEY : TENON_OK;
    }
    if (pp->ladder != NULL)
        tenon_cpu_set_mask(UINT32_MAX);
    CHECK_RC(kex->public_from_private(k, want_pub), TENON_OK);
    memset(want_s, 0xaa, 32);
    *want_rc = kex->shared_secret(k, u, 32, want_s);
    tenon_cpu_set_mask(UINT32_MAX);
    return rc;
}

static void test_keypair_and_shared(void)
{
    uint8_t a[32], a_pub[32], b[32], b_pub[32], kk[32];
    hex32(a, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    hex32(a_pub, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    hex32(b, "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    hex32(b_pub, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    hex32(kk, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    CHECK(kex->keypair_and_shared != NULL);
    tu_seed(0xba7c4);
    unsigned long pairs = 0, bad = 0, lows = 0;
    for (size_t p = 0; p < N_PAIR_PATHS; p++) {
        const struct pair_path *pp = &pair_paths[p];
        if ((tenon_cpu_features() & pp->needs) != pp->needs)
            continue;
        uint8_t pub[32], s[32], want_pub[32], want_s[32];
        int want_rc, rc;
        /* RFC 7748 §6.1: Alice's and Bob's key pairs and their shared secret K. */
        rc = pair_via(pp, a, b_pub, pub, s, &want_rc, want_pub, want_s);
        CHECK_RC(rc, TENON_OK);
        CHECK_MEM(pub, a_pub, 32, pp->name);
        CHECK_MEM(s, kk, 32, pp->name);
        rc = pair_via(pp, b, a_pub, pub, s, &want_rc, want_pub, want_s);
        CHECK_RC(rc, TENON_OK);
        CHECK_MEM(pub, b_pub, 32, pp->name);
        CHECK_MEM(s, kk, 32, pp->name);
        /* Random pairs; every 16th peer is p + t for t in [0, 19), non-canonical (p and
         * p + 1 stand for the small-order 0 and 1), and the top bit of u is random. */
        int n = pp->ladder == x25519_ladder_ifma_model_xz ? 300 : 1000;
        for (int i = 0; i < n; i++) {
            uint8_t k[32], u[32];
            tu_rand(k, 32);
            tu_rand(u, 32);
            if (i % 16 == 15) {
                hex32(u, "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
                u[0] = (uint8_t)(u[0] + k[5] % 19);
                u[31] |= (uint8_t)(k[6] & 0x80);
            }
            rc = pair_via(pp, k, u, pub, s, &want_rc, want_pub, want_s);
            bad += rc != want_rc || memcmp(pub, want_pub, 32) != 0 || memcmp(s, want_s, 32) != 0;
            pairs++;
        }
        /* Small-order u (and their top-bit twins): an all-zero secret, refused, and the
         * public key still right. */
        for (size_t i = 0; i < sizeof small / sizeof small[0]; i++) {
            for (int top = 0; top < 2; top++) {
                uint8_t u[32], k[32];
                hex32(u, small[i]);
                u[31] = (uint8_t)(u[31] | (top << 7));
                for (int j = 0; j < 4; j++) {
                    tu_rand(k, 32);
                    rc = pair_via(pp, k, u, pub, s, &want_rc, want_pub, want_s);
                    bad += rc != TENON_ERR_BAD_PUBLIC_KEY || want_rc != TENON_ERR_BAD_PUBLIC_KEY;
                    bad += !is_zero32(s) || memcmp(pub, want_pub, 32) != 0;
                    lows++;
                }
            }
        }
    }
    CHECK(bad == 0);
    printf("keypair_and_shared: %lu random pairs and %lu small-order u over %zu paths, %lu wrong\n",
           pairs, lows, N_PAIR_PATHS, bad);

    /* Bad arguments: as shared_secret, and a peer key of the wrong length writes nothing. */
    uint8_t pub[32], s[32], longpub[96];
    memset(longpub, 0, sizeof longpub);
    memcpy(longpub, b_pub, 32);
    static const size_t lens[] = {0, 1, 31, 33, 64, 65, 96};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
        CHECK_RC(kex->keypair_and_shared(a, longpub, lens[i], pub, s), TENON_ERR_BAD_PUBLIC_KEY);
    CHECK_RC(kex->keypair_and_shared(a, NULL, 32, pub, s), TENON_ERR_BAD_PUBLIC_KEY);
    CHECK_RC(kex->keypair_and_shared(NULL, b_pub, 32, pub, s), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(kex->keypair_and_shared(a, b_pub, 32, NULL, s), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(kex->keypair_and_shared(a, b_pub, 32, pub, NULL), TENON_ERR_INVALID_ARGUMENT);
    /* The server side of the class uses it: a fresh key pair whose secret the peer agrees. */
    uint8_t srv_pub[32], srv_s[32], cli_s[32];
    CHECK_RC(kex->encapsulate(a_pub, 32, srv_pub, srv_s), TENON_OK);
    CHECK_RC(kex->shared_secret(a, srv_pub, 32, cli_s), TENON_OK);
    CHECK_MEM(srv_s, cli_s, 32, "encapsulate");
    CHECK_RC(kex->encapsulate(longpub, 33, srv_pub, srv_s), TENON_ERR_BAD_PUBLIC_KEY);
}

#if defined(__x86_64__)
/* a < 2^255 + 1463, the bound of the mulx/adx products and squares. */
static int adx_reduced(const uint64_t a[4])
{
    return a[3] < (UINT64_C(1) << 63) ||
           (a[3] == UINT64_C(1) << 63 && a[2] == 0 && a[1] == 0 && a[0] < 1463);
}

static BIGNUM *bn_limbs(const uint64_t a[4])
{
    uint8_t b[32];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++)
            b[8 * i + j] = (uint8_t)(a[i] >> (8 * j));
    return BN_lebin2bn(b, 32, NULL);
}

/* The expected value of x25519_adx_field_op mod p. */
static void adx_expect(BIGNUM *r, int op, const BIGNUM *a, const BIGNUM *b, const BIGNUM *p,
                       BN_CTX *ctx)
{
    BIGNUM *t = BN_new();
    switch (op) {
    case X25519_ADX_OP_MUL_P:
    case X25519_ADX_OP_MUL_Q:
    case X25519_ADX_OP_LONE_MUL:
        BN_mod_mul(r, a, b, p, ctx);
        break;
    case X25519_ADX_OP_SQ_P:
    case X25519_ADX_OP_SQ_Q:
        BN_mod_sqr(r, a, p, ctx);
        break;
    case X25519_ADX_OP_SUB_P:
    case X25519_ADX_OP_SUB_Q:
    case X25519_ADX_OP_PROD_SUB:
        BN_mod_sub(r, a, b, p, ctx);
        break;
    case X25519_ADX_OP_SQ_SUB:
        BN_mod_sqr(r, a, p, ctx);
        BN_mod_sqr(t, b, p, ctx);
        BN_mod_sub(r, r, t, p, ctx);
        break;
    case X25519_ADX_OP_LONE_ADD:
    case X25519_ADX_OP_LONE_SUB:
        BN_mod_mul(t, a, b, p, ctx);
        if (op == X25519_ADX_OP_LONE_ADD)
            BN_mod_add(r, b, t, p, ctx);
        else
            BN_mod_sub(r, b, t, p, ctx);
        break;
    case X25519_ADX_OP_A24:
        BN_set_word(t, 121665);
        BN_mod_mul(r, a, t, p, ctx);
        BN_mod_add(r, r, b, p, ctx);
        break;
    default: /* the sums */
        BN_mod_add(r, a, b, p, ctx);
        break;
    }
    BN_free(t);
}

/*
 * The mulx/adx ladder's field operations, each through the ladder's own asm
 * (x25519_adx_field_op), against OpenSSL's BIGNUM mod p: every pair of edge values (0, 1, 19,
 * p - 1, p, p + 1, 2^255 - 1, 2^255, the largest reduced value 2^255 + 1462, 2^256 - 38,
 * 2^256 - 1, limbs all-ones or zero) and random pairs. The products and squares must stay
 * below 2^255 + 1463 (which the sums and differences rely on: they fold once), and some must
 * reach [2^255, 2^255 + 1463) (the carry of the last fold through every word; 1 times
 * 2^256 - 1 gives 2^255 + 18). The sums and differences get only inputs within that bound, as
 * in the ladder; products, squares and a24 get any 256-bit values.
 */
static void test_adx_field(void)
{
    if (!path_ok(&paths[1])) {
        printf("adx field: skipped (no BMI2/ADX)\n");
        return;
    }
    const uint64_t M = UINT64_MAX, T = UINT64_C(1) << 63;
    static uint64_t edges[][4] = {
        {0, 0, 0, 0}, {1, 0, 0, 0}, {19, 0, 0, 0},
        {0, 0, 0, 0},                             /* p - 1, p, p + 1: filled in below */
        {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, /* 2^255 - 1 */
        {0, 0, 0, 0},                             /* 2^255 */
        {0, 0, 0, 0},                             /* 2^255 + 1462 */
        {0, 0, 0, 0},                             /* 2^255 + 1463 */
        {0, 0, 0, 0},                             /* 2^256 - 38 */
        {0, 0, 0, 0},                             /* 2^256 - 1 */
        {0, 0, 0, 0},                             /* 2^192 - 1 */
        {0, 0, 0, 0},                             /* 2^256 - 2^64 */
    };
    const uint64_t fill[][4] = {
        {M - 19, M, M, M >> 1}, {M - 18, M, M, M >> 1}, {M - 17, M, M, M >> 1}, {M, M, M, M >> 1},
        {0, 0, 0, T},           {1462, 0, 0, T},        {1463, 0, 0, T},        {M - 37, M, M, M},
        {M, M, M, M},           {M, M, M, 0},           {0, M, M, M},
    };
    memcpy(edges[3], fill, sizeof fill);
    const size_t n_edges = sizeof edges / sizeof edges[0];
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *p = BN_new(), *want = BN_new(), *gotm = BN_new();
    BN_set_bit(p, 255);
    BN_sub_word(p, 19);
    unsigned long n = 0, bad = 0, big = 0, high = 0;
    tu_seed(0x5eed);
    for (int op = 0; op < X25519_ADX_OP_COUNT; op++) {
        int product = op == X25519_ADX_OP_MUL_P || op == X25519_ADX_OP_MUL_Q ||
                      op == X25519_ADX_OP_SQ_P || op == X25519_ADX_OP_SQ_Q ||
                      op == X25519_ADX_OP_LONE_MUL;
        int any_input = product || op == X25519_ADX_OP_PROD_ADD || op == X25519_ADX_OP_PROD_SUB ||
                        op == X25519_ADX_OP_SQ_SUB || op == X25519_ADX_OP_A24;
        for (size_t i = 0; i < n_edges * n_edges + 3000; i++) {
            uint64_t a[4], b[4], r[4];
            if (i < n_edges * n_edges) {
                memcpy(a, edges[i / n_edges], 32);
                memcpy(b, edges[i % n_edges], 32);
            } else {
                tu_rand((uint8_t *)a, 32);
                tu_rand((uint8_t *)b, 32);
                if (i % 3 == 0)
                    b[3] = M - (i % 4); /* near 2^256 */
            }
            if (!any_input) { /* the sums' inputs are reduced products, as in the ladder */
                if (!adx_reduced(a) || !adx_reduced(b))
                    continue;
            } else if (op >= X25519_ADX_OP_LONE_MUL && !adx_reduced(b)) {
                continue; /* x_2 = b, z_3 = b */
            }
            if (op >= X25519_ADX_OP_LONE_MUL && op != X25519_ADX_OP_A24 && !adx_reduced(a))
                continue; /* x_3 = a */
            x25519_adx_field_op(r, op, a, b);
            BIGNUM *ba = bn_limbs(a), *bb = bn_limbs(b), *br = bn_limbs(r);
            adx_expect(want, op, ba, bb, p, ctx);
            BN_mod(gotm, br, p, ctx);
            n++;
            int ok = BN_cmp(gotm, want) == 0;
            if (product) {
                ok &= adx_reduced(r);
                high += r[3] >> 63;
            }
            if (!ok) {
                bad++;
                if (bad < 4)
                    fprintf(stderr, "  adx field op %d differs at pair %zu\n", op, i);
            }
            big += !adx_reduced(a) || !adx_reduced(b);
            BN_free(ba);
            BN_free(bb);
            BN_free(br);
        }
    }
    CHECK(bad == 0);
    CHECK(n > 10000);
    CHECK(big > 0);
    CHECK(high > 0);
    printf("adx field: %lu operations (%lu with an input >= 2^255 + 1463, %lu products at or "
           "above 2^255), %lu wrong\n",
           n, big, high, bad);
    BN_free(p);
    BN_free(want);
    BN_free(gotm);
    BN_CTX_free(ctx);
}
#endif

int main(void)
{
    test_rfc7748_vectors();
    test_rfc7748_iterated();
    test_rfc7748_dh();
    test_wycheproof();
    test_base_vs_ladder();
    test_base_points();
    test_base_blinded();
    test_invert();
#if defined(__x86_64__)
    test_adx_field();
#endif
    test_paths_differential();
    test_openssl();
    test_bad_input();
    test_small_order_paths();
    test_keypair_and_shared();
    return tu_finish("test_x25519");
}
