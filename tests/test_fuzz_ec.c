/*
 * Fuzz target for the P-256 / P-384 decoders: public points (tenon_ec_public_key_load, the kex
 * classes' shared_secret) and ECDSA signatures in DER and raw form (tenon_ecdsa_verify).
 *
 * Built with -DTENON_LIBFUZZER and -fsanitize=fuzzer it is a libFuzzer target; built as a
 * normal test (ctest) its main() replays a few thousand random and mutated inputs — mutations
 * of valid points and signatures, so the decoders' deep paths are reached — and checks that
 * nothing crashes, that every error is one of the documented codes, and that a valid input
 * keeps verifying.
 */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static int fuzz_rc_ok(int rc)
{
    return rc == TENON_OK || rc == TENON_ERR_BAD_PUBLIC_KEY || rc == TENON_ERR_BAD_SIGNATURE ||
           rc == TENON_ERR_BAD_PRIVATE_KEY;
}

static unsigned long fuzz_accepted;

/* Input: byte 0 selects the curve and what to decode; the rest is the encoding. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t d256[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    static const uint8_t d384[48] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    if (size < 1)
        return 0;
    int p384 = data[0] & 1, mode = (data[0] >> 1) & 3;
    tenon_ec_curve curve = p384 ? TENON_EC_P384 : TENON_EC_P256;
    const tenon_kex_class *kex = p384 ? &tenon_kex_secp384r1 : &tenon_kex_secp256r1;
    size_t len = p384 ? 48 : 32;
    data++;
    size--;
    int rc;
    if (mode == 0) {
        /* A peer's key share. */
        uint8_t shared[48];
        rc = kex->shared_secret(p384 ? d384 : d256, data, size, shared);
        if (!fuzz_rc_ok(rc))
            abort();
        tenon_ec_public_key pub;
        int rc2 = tenon_ec_public_key_load(curve, &pub, data, size);
        if (!fuzz_rc_ok(rc2) || (rc == TENON_OK) != (rc2 == TENON_OK))
            abort();
    } else {
        /* A signature (DER for modes 1 and 3, raw for 2) under a fixed key, over a digest taken
         * from the input's first bytes when there are enough. */
        tenon_ec_private_key key;
        if (tenon_ec_private_key_load(curve, &key, p384 ? d384 : d256, len) != TENON_OK)
            abort();
        uint8_t digest[48] = {0};
        size_t dl = size < len ? 0 : len;
        if (mode == 3 && dl) {
            memcpy(digest, data, dl);
            data += dl;
            size -= dl;
        }
        rc = tenon_ecdsa_verify(&key.pub, digest, len,
                                mode == 2 ? TENON_ECDSA_RAW : TENON_ECDSA_DER, data, size);
        if (!fuzz_rc_ok(rc))
            abort();
    }
    fuzz_accepted += rc == TENON_OK;
    return 0;
}

#ifndef TENON_LIBFUZZER
static size_t mutate(uint8_t *buf, size_t n, size_t cap)
{
    unsigned op = (unsigned)(tu_rand_u64() % 6);
    size_t pos = n ? (size_t)(tu_rand_u64() % n) : 0;
    switch (op) {
    case 0: /* flip a bit */
        if (n)
            buf[pos] ^= (uint8_t)(1u << (tu_rand_u64() % 8));
        break;
    case 1: /* set a byte to an interesting value */
        if (n) {
            static const uint8_t vals[] = {0x00, 0x01, 0x02, 0x03, 0x04,
                                           0x30, 0x7f, 0x80, 0x81, 0xff};
            buf[pos] = vals[tu_rand_u64() % sizeof vals];
        }
        break;
    case 2: /* truncate */
        n = pos;
        break;
    case 3: /* append */
        if (n < cap)
            buf[n++] = (uint8_t)tu_rand_u64();
        break;
    case 4: /* delete a byte */
        if (n) {
            memmove(buf + pos, buf + pos + 1, n - pos - 1);
            n--;
        }
        break;
    default: /* insert a byte */
        if (n < cap) {
            memmove(buf + pos + 1, buf + pos, n - pos);
            buf[pos] = (uint8_t)tu_rand_u64();
            n++;
        }
        break;
    }
    return n;
}

int main(void)
{
    static const uint8_t d256[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    static const uint8_t d384[48] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    uint8_t seeds[8][200];
    size_t seed_len[8];
    unsigned runs = 0;
    tu_seed(0xf022ec);
    /* Valid seeds: a point and DER / raw signatures (mode 3 carries the digest) per curve. */
    for (int c = 0; c < 2; c++) {
        tenon_ec_curve curve = c ? TENON_EC_P384 : TENON_EC_P256;
        size_t len = c ? 48 : 32, sl;
        tenon_ec_private_key key, other;
        uint8_t digest[48] = {0}, *s;
        CHECK_RC(tenon_ec_private_key_load(curve, &key, c ? d384 : d256, len), TENON_OK);
        CHECK_RC(tenon_ec_keygen(curve, &other), TENON_OK);
        s = seeds[4 * c];
        s[0] = (uint8_t)(c | 0 << 1);
        memcpy(s + 1, other.pub.point, other.pub.point_len);
        seed_len[4 * c] = 1 + other.pub.point_len;
        s = seeds[4 * c + 1];
        s[0] = (uint8_t)(c | 1 << 1);
        CHECK_RC(tenon_ecdsa_sign(&key, c ? &tenon_sha384 : &tenon_sha256, digest, len,
                                  TENON_ECDSA_DER, 0, s + 1, 150, &sl),
                 TENON_OK);
        seed_len[4 * c + 1] = 1 + sl;
        s = seeds[4 * c + 2];
        s[0] = (uint8_t)(c | 2 << 1);
        CHECK_RC(tenon_ecdsa_sign(&key, c ? &tenon_sha384 : &tenon_sha256, digest, len,
                                  TENON_ECDSA_RAW, 0, s + 1, 150, &sl),
                 TENON_OK);
        seed_len[4 * c + 2] = 1 + sl;
        s = seeds[4 * c + 3];
        s[0] = (uint8_t)(c | 3 << 1);
        tu_rand(digest, len);
        memcpy(s + 1, digest, len);
        CHECK_RC(tenon_ecdsa_sign(&key, c ? &tenon_sha384 : &tenon_sha256, digest, len,
                                  TENON_ECDSA_DER, 1, s + 1 + len, 150, &sl),
                 TENON_OK);
        seed_len[4 * c + 3] = 1 + len + sl;
    }
    /* The seeds themselves are accepted. */
    for (int i = 0; i < 8; i++) {
        unsigned long before = fuzz_accepted;
        LLVMFuzzerTestOneInput(seeds[i], seed_len[i]);
        CHECK(fuzz_accepted == before + 1);
    }
    /* Mutated seeds (1-4 mutations each) and random inputs. */
    uint8_t buf[220];
    for (unsigned it = 0; it < 4000; it++) {
        size_t n;
        if (it % 8 == 7) {
            n = (size_t)(tu_rand_u64() % 120);
            tu_rand(buf, n);
        } else {
            int s = (int)(it % 8);
            memcpy(buf, seeds[s], seed_len[s]);
            n = seed_len[s];
            unsigned k = 1 + (unsigned)(tu_rand_u64() % 4);
            for (unsigned j = 0; j < k; j++)
                n = mutate(buf, n, sizeof buf);
            if (n && it % 3 == 0)
                buf[0] = seeds[s][0]; /* keep the mode */
        }
        LLVMFuzzerTestOneInput(buf, n);
        runs++;
    }
    CHECK(runs == 4000);
    printf("fuzz_ec replay: %u inputs, %lu accepted, no crash\n", runs, fuzz_accepted);
    return tu_finish("test_fuzz_ec");
}
#endif
