/*
 * Constant-flow check of the hashes, HMAC, HKDF, the TLS 1.2 PRF and tenon_ct_memeq: keys and
 * messages are marked secret, so valgrind reports any branch or memory index that depends on
 * them. Results are marked public before they are compared with values computed elsewhere
 * (Python's hashlib/hmac) for the same inputs.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/cpu.h"
#include "crypto/sha2.h"
#include "ctgrind.h"
#include "testutil.h"

static uint8_t msg[200], key[100];
/* Five whole SHA-512 blocks and 120 bytes: the two-block code takes two pairs and one block in
 * the update, and the final's two padding blocks as a pair. */
static uint8_t long_msg[760];
/* 27 whole blocks and 77 bytes: the four-block AVX2 code's first group on its own, five more
 * groups with the next one's schedule beside their rounds, and three blocks after them. */
static uint8_t longer_msg[128 * 27 + 77];

static void fill_inputs(void)
{
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 7 + 1);
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)(i * 13 + 5);
    for (size_t i = 0; i < sizeof long_msg; i++)
        long_msg[i] = (uint8_t)(i * 11 + 3);
    SECRET(msg, sizeof msg);
    SECRET(key, sizeof key);
    for (size_t i = 0; i < sizeof longer_msg; i++)
        longer_msg[i] = (uint8_t)(i * 5 + 9);
    SECRET(long_msg, sizeof long_msg);
    SECRET(longer_msg, sizeof longer_msg);
}

static void expect(uint8_t *got, size_t n, const char *want_hex, const char *what)
{
    size_t wlen;
    uint8_t *want = tu_hex(want_hex, &wlen);
    PUBLIC(got, n);
    CHECK(wlen == n);
    CHECK_MEM(got, want, n, what);
    free(want);
}

/* SHA-384 or SHA-512 (cls) of m through one implementation, fed as m[0..split) then the rest. */
static void sha512_check(const sha512_impl *impl, const tenon_hash_class *cls, const uint8_t *m,
                         size_t n, size_t split, const char *want_hex)
{
    tenon_hash_ctx c;
    uint8_t out[64];
    cls->init(&c);
    sha512_update_with(impl, &c.sha512, m, split);
    sha512_update_with(impl, &c.sha512, m + split, n - split);
    sha512_final_with(impl, &c.sha512, out, cls->digest_len);
    expect(out, cls->digest_len, want_hex, cls->name);
}

int main(void)
{
    uint8_t out[128];
    fill_inputs();

    /* SHA-256 through every implementation this (possibly emulated) CPU offers. */
    for (size_t i = 0; sha256_all_impls[i] != NULL; i++) {
        const sha256_impl *impl = sha256_all_impls[i];
        if (!cpu_has(impl->cpu_needs)) {
            printf("SHA-256 %s: skipped, CPU features missing (or hidden by valgrind)\n",
                   impl->name);
            continue;
        }
        tenon_hash_ctx c;
        tenon_sha256.init(&c);
        sha256_update_with(impl, &c.sha256, msg, 3);
        sha256_update_with(impl, &c.sha256, msg + 3, sizeof msg - 3);
        sha256_final_with(impl, &c.sha256, out);
        expect(out, 32, "397276ea1f65a10cbd90e9d622ab533cf9fc4e14056fc9915feb8f4a52d47dc7",
               impl->name);
        printf("SHA-256 %s: checked\n", impl->name);
    }

    tenon_hash(&tenon_sha1, msg, sizeof msg, out);
    expect(out, 20, "b37f67567e3e7622fa972b6b46f304bcda06097c", "SHA-1");
    /* SHA-384 and SHA-512 through every SHA-512 implementation. */
    for (size_t i = 0; sha512_all_impls[i] != NULL; i++) {
        const sha512_impl *impl = sha512_all_impls[i];
        if (!cpu_has(impl->cpu_needs)) {
            printf("SHA-512 %s: skipped, CPU features missing (or hidden by valgrind)\n",
                   impl->name);
            continue;
        }
        sha512_check(
            impl, &tenon_sha384, msg, sizeof msg, sizeof msg,
            "bc15bdb8bb58fcb4f3aa0d4980b2af27de572045abfe61fb0599f7a4c5b449d88f8612b8ac2492"
            "837637dfc6ed4d6963");
        sha512_check(
            impl, &tenon_sha512, msg, sizeof msg, 130,
            "f406d7af1ebe5b4517bf7d1c1ec07874b5df9ede1495c9450daca8ce37570bc276ba10cca3d468"
            "8108e75cee557ec24e9cc15545243d64378339351e9d12cb5e");
        sha512_check(
            impl, &tenon_sha512, long_msg, sizeof long_msg, sizeof long_msg,
            "a9a03252870e8b5ba5d271932744bacdf772a25ca2ae78a89ba8da71ab4abffb11cffbc7ff8bf4e1"
            "a9b81398511bb486a74af36d9ac7602e79ac31cbd20d7650");
        sha512_check(
            impl, &tenon_sha512, longer_msg, sizeof longer_msg, 1001,
            "6aa14e6d3f2e8a5018c8fc2302c3c124d151882e16abfe4b39806e881b499f0f42129efa858dd067e9"
            "3adbdcd237c652295a1e85b7fc5bd7bd7c99e48e41fc42");
        sha512_check(
            impl, &tenon_sha384, longer_msg, sizeof longer_msg, sizeof longer_msg,
            "26aa125fe6124c6690af6131a8665cb876229a2f554adc5d20dc043585a84a8146b52a742b47e78c7b"
            "72ff3201f104a4");
        printf("SHA-384/512 %s: checked\n", impl->name);
    }

    /* A key longer than the block (hashed first) and a short one. */
    tenon_hmac(&tenon_sha256, key, sizeof key, msg, sizeof msg, out);
    expect(out, 32, "701c0da5cd9aefda6216cbfd0890b1e50a031a10122357daf04d1d011258c3b1",
           "HMAC-SHA-256");
    tenon_hmac(&tenon_sha384, key, 32, msg, sizeof msg, out);
    expect(out, 48,
           "a8e6f23d48a585575973e58da092267d5a350965f359c4d860b86220d336a77a8adb91a688da30442b"
           "e0e98c95e19257",
           "HMAC-SHA-384");

    uint8_t prk[32];
    tenon_hkdf_extract(&tenon_sha256, msg, 16, key, 32, prk);
    CHECK_RC(tenon_hkdf_expand(&tenon_sha256, prk, sizeof prk, "tenon ct", 8, out, 42), TENON_OK);
    expect(prk, 32, "5947e51539ce3fb6e054b5732587a5129976b7a7d690bcdf05eb3b58632b49ee",
           "HKDF-Extract");
    expect(out, 42,
           "8b903388cdbafeff0450d43974e10a4dfbef74f9f2c79c073958664d76a470c5eecb82ee4775efb22f7b",
           "HKDF-Expand");

    CHECK_RC(tenon_tls12_prf(&tenon_sha256, key, 48, "master secret", msg, 64, out, 48), TENON_OK);
    expect(out, 48,
           "2b950657482844413a83efad621d6d17a26bf4bf00dbbbb772d258ff5e6c821c79e246dbb8d5dc14ec"
           "62174b335becc6",
           "PRF-SHA-256");
    CHECK_RC(tenon_tls12_prf(&tenon_sha384, key, 48, "key expansion", msg, 64, out, 72), TENON_OK);
    expect(out, 72,
           "922de57172bfefd7dbd70d3de596de938a6a34eb5bc05178684f956d110130fda1c7eefc89deda2f0f"
           "3ac3510d24e7bf86293890fd50f9cb6c9cbe215404e5aa491716dba744cb8e",
           "PRF-SHA-384");

    /* tenon_ct_memeq on secret buffers: equal, and differing in the last byte only. */
    uint8_t a[64], b[64];
    memcpy(a, msg, sizeof a);
    memcpy(b, msg, sizeof b);
    int eq = tenon_ct_memeq(a, b, sizeof a);
    b[63] ^= 1;
    int ne = tenon_ct_memeq(a, b, sizeof a);
    PUBLIC(&eq, sizeof eq);
    PUBLIC(&ne, sizeof ne);
    CHECK(eq == 1);
    CHECK(ne == 0);

    return tu_finish("ct_hash");
}
