/*
 * SHA3-256, SHA3-512, SHAKE128, SHAKE256 (FIPS 202, src/crypto/sha3.c): known answers for the
 * empty and "abc" messages, then a differential against OpenSSL's libcrypto on every input
 * length 0..600 (across the 168/136/72-byte rate boundaries), absorbed in one piece, byte by
 * byte and in random pieces, and with SHAKE output squeezed whole, in random pieces and in
 * whole blocks, for output lengths across the block boundaries; and the 4-way AVX2 Keccak
 * against one-shot SHAKE.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "crypto/cpu.h"
#include "crypto/sha3.h"
#include "testutil.h"

enum { F_SHA3_256, F_SHA3_512, F_SHAKE128, F_SHAKE256 };
static const char *const fname[] = {"SHA3-256", "SHA3-512", "SHAKE128", "SHAKE256"};

static void init(int f, sha3_ctx *c)
{
    switch (f) {
    case F_SHA3_256:
        sha3_256_init(c);
        break;
    case F_SHA3_512:
        sha3_512_init(c);
        break;
    case F_SHAKE128:
        shake128_init(c);
        break;
    default:
        shake256_init(c);
        break;
    }
}

static void openssl_hash(int f, const uint8_t *m, size_t n, uint8_t *out, size_t out_len)
{
    const EVP_MD *md = f == F_SHA3_256   ? EVP_sha3_256()
                       : f == F_SHA3_512 ? EVP_sha3_512()
                       : f == F_SHAKE128 ? EVP_shake128()
                                         : EVP_shake256();
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c != NULL && EVP_DigestInit_ex(c, md, NULL) == 1 && EVP_DigestUpdate(c, m, n) == 1;
    if (ok && f >= F_SHAKE128)
        ok = EVP_DigestFinalXOF(c, out, out_len) == 1;
    else if (ok)
        ok = EVP_DigestFinal_ex(c, out, NULL) == 1;
    EVP_MD_CTX_free(c);
    if (!ok) {
        fprintf(stderr, "OpenSSL %s failed\n", fname[f]);
        abort();
    }
}

/* One-shot through the tenon API. */
static void tenon_hash3(int f, const uint8_t *m, size_t n, uint8_t *out, size_t out_len)
{
    switch (f) {
    case F_SHA3_256:
        sha3_256(out, m, n);
        break;
    case F_SHA3_512:
        sha3_512(out, m, n);
        break;
    case F_SHAKE128:
        shake128(out, out_len, m, n);
        break;
    default:
        shake256(out, out_len, m, n);
        break;
    }
}

static void test_kats(void)
{
    static const struct {
        int f;
        const char *msg, *hex;
    } kats[] = {
        {F_SHA3_256, "", "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"},
        {F_SHA3_256, "abc", "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"},
        {F_SHA3_512, "abc",
         "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec576"
         "47e3934057340b4cf408d5a56592f8274eec53f0"},
        {F_SHAKE128, "", "7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26"},
        {F_SHAKE256, "",
         "46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762fd75dc4ddd8c0f200cb05019d6"
         "7"
         "b592f6fc821c49479ab48640292eacb3b7c4be"},
    };
    for (size_t i = 0; i < sizeof kats / sizeof kats[0]; i++) {
        size_t n;
        uint8_t *want = tu_hex(kats[i].hex, &n);
        uint8_t got[64];
        tenon_hash3(kats[i].f, (const uint8_t *)kats[i].msg, strlen(kats[i].msg), got, n);
        CHECK_MEM(got, want, n, fname[kats[i].f]);
        free(want);
    }
    /* SHA3-512 of the empty string is a pinned value too (FIPS 202 examples). */
    size_t n;
    uint8_t *want = tu_hex("a69f73cca23a9ac5c8b567dc185a756e97c982164fe25859e0d1dcc1475c80a615b2"
                           "123af1f5f94c11e3e9402c3ac558f500199d95b6d3e301758586281dcd26",
                           &n);
    uint8_t got[64];
    sha3_512(got, "", 0);
    CHECK_MEM(got, want, 64, "SHA3-512('')");
    free(want);
}

/* Feeds m to an initialised context in pieces chosen by mode: 0 whole, 1 byte by byte, 2
 * random pieces (up to 300 bytes). */
static void absorb_pieces(sha3_ctx *c, const uint8_t *m, size_t len, int mode)
{
    if (mode == 0) {
        sha3_absorb(c, m, len);
        return;
    }
    for (size_t off = 0; off < len;) {
        size_t piece = mode == 1 ? 1 : (size_t)(tu_rand_u64() % 301);
        if (piece > len - off)
            piece = len - off;
        sha3_absorb(c, m + off, piece);
        off += piece;
    }
}

static void test_vs_openssl(void)
{
    enum { MAXLEN = 600, OUTMAX = 700 };
    uint8_t m[MAXLEN], got[OUTMAX], want[OUTMAX];
    tu_seed(0x5ba3);
    for (int f = 0; f < 4; f++) {
        unsigned long fails = tu_failed, cases = 0;
        for (size_t len = 0; len <= MAXLEN; len++) {
            tu_rand(m, len);
            /* SHAKE: an output length that walks across the block boundaries too. */
            size_t out_len = f == F_SHA3_256 ? 32 : f == F_SHA3_512 ? 64 : (len * 7 + 1) % OUTMAX;
            openssl_hash(f, m, len, want, out_len);
            tenon_hash3(f, m, len, got, out_len);
            CHECK_MEM(got, want, out_len, "one-shot vs OpenSSL");
            cases++;
            for (int mode = 1; mode < 3; mode++) {
                sha3_ctx c;
                init(f, &c);
                absorb_pieces(&c, m, len, mode);
                memset(got, 0, sizeof got);
                if (f < F_SHAKE128) {
                    sha3_final(&c, got);
                } else {
                    /* Squeeze in random pieces (0 included). */
                    for (size_t off = 0; off < out_len;) {
                        size_t piece = (size_t)(tu_rand_u64() % 200);
                        if (piece > out_len - off)
                            piece = out_len - off;
                        sha3_squeeze(&c, got + off, piece);
                        off += piece;
                    }
                    sha3_wipe(&c);
                }
                CHECK_MEM(got, want, out_len, "incremental vs OpenSSL");
                cases++;
            }
        }
        printf("%s vs OpenSSL: %lu cases, %s\n", fname[f], cases,
               tu_failed == fails ? "identical" : "MISMATCH");
    }
}

/* Whole-block squeezing (the matrix expansion of ML-KEM uses it) agrees with byte squeezing,
 * and a block squeeze after a byte squeeze that ended on a block boundary continues the
 * stream. */
static void test_blocks(void)
{
    uint8_t m[200], a[5 * SHAKE128_RATE], b[5 * SHAKE128_RATE];
    for (int f = F_SHAKE128; f <= F_SHAKE256; f++) {
        unsigned rate = f == F_SHAKE128 ? SHAKE128_RATE : SHAKE256_RATE;
        for (size_t len = 0; len < sizeof m; len += 17) {
            tu_rand(m, len);
            openssl_hash(f, m, len, a, 5 * rate);
            sha3_ctx c;
            init(f, &c);
            sha3_absorb(&c, m, len);
            shake_squeeze_blocks(&c, b, 3);
            sha3_squeeze(&c, b + 3 * rate, rate);
            shake_squeeze_blocks(&c, b + 4 * rate, 1);
            CHECK_MEM(a, b, 5 * rate, "squeeze blocks");
        }
    }
    /* The context is wiped by sha3_final. */
    sha3_ctx c;
    sha3_256_init(&c);
    sha3_absorb(&c, "secret", 6);
    uint8_t d[32];
    sha3_final(&c, d);
    static const sha3_ctx zero;
    CHECK(memcmp(&c, &zero, sizeof c) == 0);
}

/* The four-way sponge (AVX2 where the CPU has it) against one-shot SHAKE, for every input
 * length below the rate and five output blocks. */
static void test_x4(void)
{
#if defined(__x86_64__)
    if (!cpu_has(TENON_CPU_AVX2)) {
        printf("4-way Keccak: skipped (no AVX2)\n");
        return;
    }
    unsigned long before = tu_failed, cases = 0;
    static uint8_t in[4][SHAKE128_RATE], out[4][5 * SHAKE128_RATE], want[5 * SHAKE128_RATE];
    for (int f = F_SHAKE128; f <= F_SHAKE256; f++) {
        unsigned rate = f == F_SHAKE128 ? SHAKE128_RATE : SHAKE256_RATE;
        for (size_t len = 0; len < rate; len++) {
            const uint8_t *ins[4] = {in[0], in[1], in[2], in[3]};
            uint8_t *outs[4] = {out[0], out[1], out[2], out[3]};
            tu_rand(in, sizeof in);
            keccak_x4 s;
            keccak_x4_absorb_shake(&s, rate, ins, len);
            keccak_x4_squeeze_blocks_avx2(&s, rate, outs, 2);
            keccak_x4_squeeze_blocks_avx2(&s, rate, outs, 0);
            for (int j = 0; j < 4; j++)
                outs[j] += 2 * rate;
            keccak_x4_squeeze_blocks_avx2(&s, rate, outs, 3);
            for (int j = 0; j < 4; j++, cases++) {
                tenon_hash3(f, in[j], len, want, 5 * rate);
                CHECK_MEM(out[j], want, 5 * rate, "4-way SHAKE");
            }
        }
    }
    printf("4-way Keccak (AVX2) vs SHAKE: %lu cases, %s\n", cases,
           tu_failed == before ? "identical" : "MISMATCH");
#endif
}

int main(void)
{
    /* Every test with the portable permutation forced, then with the variants the CPU allows
     * (keccak_f1600 with BMI andn, the 4-way AVX2 one). */
    static const uint32_t masks[] = {0, UINT32_MAX};
    for (size_t m = 0; m < 2; m++) {
        tenon_cpu_set_mask(masks[m]);
        printf("cpu features 0x%x\n", (unsigned)tenon_cpu_features());
        test_kats();
        test_vs_openssl();
        test_blocks();
        test_x4();
    }
    return tu_finish("test_sha3");
}
