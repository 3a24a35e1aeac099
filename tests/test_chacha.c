/*
 * ChaCha20, Poly1305 and ChaCha20-Poly1305 (RFC 8439).
 *
 * Every known answer runs against every implementation the CPU can run: the RFC 8439 vectors
 * of §2.3.2-§2.8.2 and Appendix A, Wycheproof's chacha20_poly1305_test.json per AEAD class;
 * then the AVX2 code against the portable code on random inputs (every length 0..1024,
 * multi-megabyte, unaligned, in place, counters near 2^32), OpenSSL's EVP as a differential
 * oracle (AEAD both ways, raw ChaCha20, Poly1305 MAC), tampering, and the argument checks.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "testutil.h"
#include "crypto/chacha20.h"
#include "crypto/chacha20poly1305.h"
#include "crypto/cpu.h"
#include "crypto/poly1305.h"

typedef void (*chacha_fn)(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter,
                          const uint8_t *in, uint8_t *out, size_t len);

typedef struct {
    const char *name;
    chacha_fn xor_fn;
    poly1305_blocks_fn poly_blocks;
} prim_impl;

/* The primitive implementations this CPU can run, portable first. */
static prim_impl prims[5];
static size_t nprims;
/* The AEAD classes this CPU can run. */
static const tenon_aead_class *aeads[8];
static size_t naeads;

static void find_impls(void)
{
    prims[nprims++] = (prim_impl){"portable", chacha20_xor_portable, poly1305_blocks_portable};
#if TENON_X86_64
    if (cpu_has(TENON_CPU_AVX2))
        prims[nprims++] = (prim_impl){"avx2", chacha20_xor_avx2, poly1305_blocks_avx2};
    else
        printf("chacha: avx2 primitives not run (CPU lacks AVX2)\n");
    if (cpu_has(TENON_CPU_AVX2 | TENON_CPU_BMI2))
        prims[nprims++] = (prim_impl){"avx2-mulx", chacha20_xor_avx2, poly1305_blocks_mulx};
    else
        printf("chacha: avx2-mulx primitives not run (CPU lacks AVX2 or BMI2)\n");
    if (cpu_has(TENON_CPU_AVX512F | TENON_CPU_AVX2))
        prims[nprims++] = (prim_impl){"avx512", chacha20_xor_avx512, poly1305_blocks_avx512};
    else
        printf("chacha: avx512 primitives not run (CPU lacks AVX-512F)\n");
    if (cpu_has(TENON_CPU_AVX512F | TENON_CPU_AVX512IFMA))
        prims[nprims++] = (prim_impl){"avx512ifma", chacha20_xor_avx512, poly1305_blocks_ifma};
    else
        printf("chacha: avx512ifma primitives not run (CPU lacks AVX-512 IFMA)\n");
#endif
    const tenon_aead_class *const *all = tenon_aead_implementations();
    for (size_t i = 0; all[i] != NULL; i++) {
        if (strcmp(all[i]->family, "ChaCha20-Poly1305") != 0)
            continue;
        if (!cpu_has(all[i]->cpu_needs)) {
            printf("chacha: %s not run (CPU lacks features)\n", all[i]->name);
            continue;
        }
        printf("chacha: testing %s\n", all[i]->name);
        CHECK(naeads < ARRAY_LEN(aeads));
        aeads[naeads++] = all[i];
    }
    CHECK(naeads >= 1);
    CHECK(tenon_aead_chacha20_poly1305() == aeads[0]);
}

static uint8_t *hex(const char *s, size_t *len)
{
    return tu_hex(s, len);
}

static void poly_mac(const prim_impl *p, const uint8_t key[32], const uint8_t *msg, size_t len,
                     uint8_t tag[16])
{
    poly1305_ctx pc;
    poly1305_init(&pc, key);
    poly1305_update(&pc, p->poly_blocks, msg, len);
    poly1305_final(&pc, tag);
}

/* The plaintexts of RFC 8439, as text. */
static const char sunscreen[] =
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the "
    "future, sunscreen would be it.";
static const char ietf_submission[] =
    "Any submission to the IETF intended by the Contributor for publication as all or part of "
    "an IETF Internet-Draft or RFC and any statement made within the context of an IETF "
    "activity is considered an \"IETF Contribution\". Such statements include oral statements "
    "in IETF sessions, as well as written and electronic communications made at any time or "
    "place, which are addressed to";
static const char jabberwocky[] = "'Twas brillig, and the slithy toves\nDid gyre and gimble in "
                                  "the wabe:\nAll mimsy were the borogoves,\nAnd the mome raths "
                                  "outgrabe.";
static const char internet_drafts[] =
    "Internet-Drafts are draft documents valid for a maximum of six months and may be updated, "
    "replaced, or obsoleted by other documents at any time. It is inappropriate to use "
    "Internet-Drafts as reference material or to cite them other than as /\xe2\x80\x9cwork in "
    "progress./\xe2\x80\x9d";

#define KEY_0_1F "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define KEY_80_9F "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
#define KEY_ZERO "0000000000000000000000000000000000000000000000000000000000000000"
#define KEY_ONE "0000000000000000000000000000000000000000000000000000000000000001"
#define KEY_1C92 "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0"

/* ------------------------------------------------------------------------------------------
 * ChaCha20 known answers
 * ------------------------------------------------------------------------------------------ */

/* ChaCha20 of pt (or of zeros, the bare keystream, when pt is NULL) under every
 * implementation, also in place and from an odd address. */
static void kat_chacha(const char *what, const char *key_hex, const char *nonce_hex,
                       uint32_t counter, const uint8_t *pt, const char *ct_hex)
{
    size_t len;
    uint8_t *key = hex(key_hex, NULL), *nonce = hex(nonce_hex, NULL), *ct = hex(ct_hex, &len);
    uint8_t *in = calloc(1, len + 1), *out = malloc(len + 1);
    if (pt != NULL)
        memcpy(in + 1, pt, len);
    for (size_t i = 0; i < nprims; i++) {
        prims[i].xor_fn(key, nonce, counter, in + 1, out, len);
        if (!CHECK_MEM(out, ct, len, what))
            fprintf(stderr, "    (%s)\n", prims[i].name);
        memcpy(out + 1, in + 1, len);
        prims[i].xor_fn(key, nonce, counter, out + 1, out + 1, len);
        CHECK_MEM(out + 1, ct, len, what);
    }
    free(key);
    free(nonce);
    free(ct);
    free(in);
    free(out);
}

static void test_chacha_kats(void)
{
    /* RFC 8439 §2.3.2: the block function. */
    kat_chacha("RFC 8439 2.3.2", KEY_0_1F, "000000090000004a00000000", 1, NULL,
               "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
               "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e");
    /* RFC 8439 §2.4.2: encryption. */
    kat_chacha("RFC 8439 2.4.2", KEY_0_1F, "000000000000004a00000000", 1,
               (const uint8_t *)sunscreen,
               "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b"
               "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8"
               "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736"
               "5af90bbf74a35be6b40b8eedf2785e42874d");
    /* RFC 8439 A.1: the block function, test vectors #1-#5. */
    kat_chacha("RFC 8439 A.1 #1", KEY_ZERO, "000000000000000000000000", 0, NULL,
               "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
               "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586");
    kat_chacha("RFC 8439 A.1 #2", KEY_ZERO, "000000000000000000000000", 1, NULL,
               "9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed"
               "29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f");
    kat_chacha("RFC 8439 A.1 #3", KEY_ONE, "000000000000000000000000", 1, NULL,
               "3aeb5224ecf849929b9d828db1ced4dd832025e8018b8160b82284f3c949aa5a"
               "8eca00bbb4a73bdad192b5c42f73f2fd4e273644c8b36125a64addeb006c13a0");
    kat_chacha("RFC 8439 A.1 #4",
               "00ff000000000000000000000000000000000000000000000000000000000000",
               "000000000000000000000000", 2, NULL,
               "72d54dfbf12ec44b362692df94137f328fea8da73990265ec1bbbea1ae9af0ca"
               "13b25aa26cb4a648cb9b9d1be65b2c0924a66c54d545ec1b7374f4872e99f096");
    kat_chacha("RFC 8439 A.1 #5", KEY_ZERO, "000000000000000000000002", 0, NULL,
               "c2c64d378cd536374ae204b9ef933fcd1a8b2288b3dfa49672ab765b54ee27c7"
               "8a970e0e955c14f3a88e741b97c286f75f8fc299e8148362fa198a39531bed6d");
    /* RFC 8439 A.2: encryption, test vectors #1-#3. */
    uint8_t zeros[64] = {0};
    kat_chacha("RFC 8439 A.2 #1", KEY_ZERO, "000000000000000000000000", 0, zeros,
               "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
               "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586");
    kat_chacha("RFC 8439 A.2 #2", KEY_ONE, "000000000000000000000002", 1,
               (const uint8_t *)ietf_submission,
               "a3fbf07df3fa2fde4f376ca23e82737041605d9f4f4f57bd8cff2c1d4b7955ec"
               "2a97948bd3722915c8f3d337f7d370050e9e96d647b7c39f56e031ca5eb6250d"
               "4042e02785ececfa4b4bb5e8ead0440e20b6e8db09d881a7c6132f420e527950"
               "42bdfa7773d8a9051447b3291ce1411c680465552aa6c405b7764d5e87bea85a"
               "d00f8449ed8f72d0d662ab052691ca66424bc86d2df80ea41f43abf937d3259d"
               "c4b2d0dfb48a6c9139ddd7f76966e928e635553ba76c5c879d7b35d49eb2e62b"
               "0871cdac638939e25e8a1e0ef9d5280fa8ca328b351c3c765989cbcf3daa8b6c"
               "cc3aaf9f3979c92b3720fc88dc95ed84a1be059c6499b9fda236e7e818b04b0b"
               "c39c1e876b193bfe5569753f88128cc08aaa9b63d1a16f80ef2554d7189c411f"
               "5869ca52c5b83fa36ff216b9c1d30062bebcfd2dc5bce0911934fda79a86f6e6"
               "98ced759c3ff9b6477338f3da4f9cd8514ea9982ccafb341b2384dd902f3d1ab"
               "7ac61dd29c6f21ba5b862f3730e37cfdc4fd806c22f221");
    kat_chacha("RFC 8439 A.2 #3", KEY_1C92, "000000000000000000000002", 42,
               (const uint8_t *)jabberwocky,
               "62e6347f95ed87a45ffae7426f27a1df5fb69110044c0d73118effa95b01e5cf"
               "166d3df2d721caf9b21e5fb14c616871fd84c54f9d65b283196c7fe4f60553eb"
               "f39c6402c42234e32a356b3e764312a61a5532055716ead6962568f87d3f3f77"
               "04c6a8d1bcd1bf4d50d6154b6da731b187b58dfd728afa36757a797ac188d1");
    /* RFC 8439 §2.6.2 and A.4: the Poly1305 key is the first 32 bytes of block 0. */
    kat_chacha("RFC 8439 2.6.2", KEY_80_9F, "000000000001020304050607", 0, NULL,
               "8ad5a08b905f81cc815040274ab29471a833b637e3fd0da508dbb8e2fdd1a646");
    kat_chacha("RFC 8439 A.4 #1", KEY_ZERO, "000000000000000000000000", 0, NULL,
               "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7");
    kat_chacha("RFC 8439 A.4 #2", KEY_ONE, "000000000000000000000002", 0, NULL,
               "ecfa254f845f647473d3cb140da9e87606cb33066c447b87bc2666dde3fbb739");
    kat_chacha("RFC 8439 A.4 #3", KEY_1C92, "000000000000000000000002", 0, NULL,
               "965e3bc6f9ec7ed9560808f4d229f94b137ff275ca9b3fcbdd59deaad23310ae");
}

/* ------------------------------------------------------------------------------------------
 * Poly1305 known answers
 * ------------------------------------------------------------------------------------------ */

static void kat_poly(const char *what, const char *key_hex, const uint8_t *msg, size_t len,
                     const char *tag_hex)
{
    uint8_t *key = hex(key_hex, NULL), *want = hex(tag_hex, NULL), tag[16];
    for (size_t i = 0; i < nprims; i++) {
        poly_mac(&prims[i], key, msg, len, tag);
        if (!CHECK_MEM(tag, want, 16, what))
            fprintf(stderr, "    (%s)\n", prims[i].name);
    }
    free(key);
    free(want);
}

static void kat_poly_hex(const char *what, const char *key_hex, const char *msg_hex,
                         const char *tag_hex)
{
    size_t len;
    uint8_t *msg = hex(msg_hex, &len);
    kat_poly(what, key_hex, msg, len, tag_hex);
    free(msg);
}

static void test_poly_kats(void)
{
    /* RFC 8439 §2.5.2. */
    kat_poly("RFC 8439 2.5.2", "85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b",
             (const uint8_t *)"Cryptographic Forum Research Group", 34,
             "a8061dc1305136c6c22b8baf0c0127a9");
    /* RFC 8439 A.3 #1-#4. */
    uint8_t zeros[64] = {0};
    kat_poly("RFC 8439 A.3 #1", KEY_ZERO, zeros, 64, "00000000000000000000000000000000");
    kat_poly("RFC 8439 A.3 #2", "0000000000000000000000000000000036e5f6b5c5e06070f0efca96227a863e",
             (const uint8_t *)ietf_submission, strlen(ietf_submission),
             "36e5f6b5c5e06070f0efca96227a863e");
    kat_poly("RFC 8439 A.3 #3", "36e5f6b5c5e06070f0efca96227a863e00000000000000000000000000000000",
             (const uint8_t *)ietf_submission, strlen(ietf_submission),
             "f3477e7cd95417af89a6b8794c310cf0");
    kat_poly("RFC 8439 A.3 #4", KEY_1C92, (const uint8_t *)jabberwocky, strlen(jabberwocky),
             "4541669a7eaaee61e708dc7cbcc5eb62");
    /* RFC 8439 A.3 #5-#11: the edge cases of the reduction (key = R || S). */
    kat_poly_hex("RFC 8439 A.3 #5",
                 "0200000000000000000000000000000000000000000000000000000000000000",
                 "ffffffffffffffffffffffffffffffff", "03000000000000000000000000000000");
    kat_poly_hex("RFC 8439 A.3 #6",
                 "02000000000000000000000000000000ffffffffffffffffffffffffffffffff",
                 "02000000000000000000000000000000", "03000000000000000000000000000000");
    kat_poly_hex("RFC 8439 A.3 #7",
                 "0100000000000000000000000000000000000000000000000000000000000000",
                 "ffffffffffffffffffffffffffffffff"
                 "f0ffffffffffffffffffffffffffffff"
                 "11000000000000000000000000000000",
                 "05000000000000000000000000000000");
    kat_poly_hex("RFC 8439 A.3 #8",
                 "0100000000000000000000000000000000000000000000000000000000000000",
                 "ffffffffffffffffffffffffffffffff"
                 "fbfefefefefefefefefefefefefefefe"
                 "01010101010101010101010101010101",
                 "00000000000000000000000000000000");
    kat_poly_hex("RFC 8439 A.3 #9",
                 "0200000000000000000000000000000000000000000000000000000000000000",
                 "fdffffffffffffffffffffffffffffff", "faffffffffffffffffffffffffffffff");
    kat_poly_hex("RFC 8439 A.3 #10",
                 "0100000000000000040000000000000000000000000000000000000000000000",
                 "e33594d7505e43b90000000000000000"
                 "3394d7505e4379cd0100000000000000"
                 "00000000000000000000000000000000"
                 "01000000000000000000000000000000",
                 "14000000000000005500000000000000");
    kat_poly_hex("RFC 8439 A.3 #11",
                 "0100000000000000040000000000000000000000000000000000000000000000",
                 "e33594d7505e43b90000000000000000"
                 "3394d7505e4379cd0100000000000000"
                 "00000000000000000000000000000000",
                 "13000000000000000000000000000000");
}

/* ------------------------------------------------------------------------------------------
 * AEAD known answers: RFC 8439 §2.8.2 (seal) and A.5 (open)
 * ------------------------------------------------------------------------------------------ */

static void kat_aead(const char *what, const char *key_hex, const char *nonce_hex,
                     const char *aad_hex, const uint8_t *pt, const char *ct_hex,
                     const char *tag_hex)
{
    size_t aad_len, len;
    uint8_t *key = hex(key_hex, NULL), *nonce = hex(nonce_hex, NULL);
    uint8_t *aad = hex(aad_hex, &aad_len), *ct = hex(ct_hex, &len), *want = hex(tag_hex, NULL);
    uint8_t *buf = malloc(len + 1), tag[16];
    for (size_t i = 0; i < naeads; i++) {
        tenon_aead_ctx ctx;
        CHECK_RC(tenon_aead_init(&ctx, aeads[i], key, 32), TENON_OK);
        CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, aad, aad_len, pt, len, buf, tag), TENON_OK);
        if (!CHECK_MEM(buf, ct, len, what) || !CHECK_MEM(tag, want, 16, what))
            fprintf(stderr, "    (%s seal)\n", aeads[i]->name);
        memset(buf, 0xa5, len);
        CHECK_RC(tenon_aead_open(&ctx, nonce, 12, aad, aad_len, ct, len, want, buf), TENON_OK);
        if (!CHECK_MEM(buf, pt, len, what))
            fprintf(stderr, "    (%s open)\n", aeads[i]->name);
        /* In place, from an odd address. */
        memcpy(buf + 1, ct, len);
        CHECK_RC(tenon_aead_open(&ctx, nonce, 12, aad, aad_len, buf + 1, len, want, buf + 1),
                 TENON_OK);
        CHECK_MEM(buf + 1, pt, len, what);
        CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, aad, aad_len, buf + 1, len, buf + 1, tag),
                 TENON_OK);
        CHECK_MEM(buf + 1, ct, len, what);
        CHECK_MEM(tag, want, 16, what);
        /* The gather seal at every split point: head from pt, the rest already in buf. */
        for (size_t h = 0; h <= len; h++) {
            memset(buf, 0xa5, len);
            memcpy(buf + h, pt + h, len - h);
            CHECK_RC(tenon_aead_seal_split(&ctx, nonce, 12, aad, aad_len, pt, h, buf, len, tag),
                     TENON_OK);
            if (!CHECK_MEM(buf, ct, len, what) || !CHECK_MEM(tag, want, 16, what))
                fprintf(stderr, "    (%s split seal, head %zu)\n", aeads[i]->name, h);
        }
        tenon_aead_wipe(&ctx);
    }
    free(key);
    free(nonce);
    free(aad);
    free(ct);
    free(want);
    free(buf);
}

static void test_aead_kats(void)
{
    /* RFC 8439 §2.8.2: nonce = 32-bit fixed part 07000000 || IV 4041424344454647. */
    kat_aead("RFC 8439 2.8.2", KEY_80_9F, "070000004041424344454647", "50515253c0c1c2c3c4c5c6c7",
             (const uint8_t *)sunscreen,
             "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
             "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
             "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
             "3ff4def08e4b7a9de576d26586cec64b6116",
             "1ae10b594f09e26a7e902ecbd0600691");
    /* RFC 8439 A.5: decryption. */
    kat_aead("RFC 8439 A.5", KEY_1C92, "000000000102030405060708", "f33388860000000000004e91",
             (const uint8_t *)internet_drafts,
             "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb2"
             "4c6cfc18755d43eea09ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf"
             "332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855"
             "9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4"
             "b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523e"
             "af4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a"
             "0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a10"
             "49e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29"
             "a6ad5cb4022b02709b",
             "eead9d67890cbb22392336fea1851f38");
    CHECK(strlen(internet_drafts) == 265);
    CHECK(strlen(sunscreen) == 114);
}

/* ------------------------------------------------------------------------------------------
 * Wycheproof
 * ------------------------------------------------------------------------------------------ */

static int wycheproof_case(const cJSON *group, const cJSON *test, void *arg)
{
    (void)group;
    const tenon_aead_class *cls = arg;
    size_t key_len, iv_len, aad_len, msg_len, ct_len, tag_len;
    uint8_t *key = tu_json_hex(test, "key", &key_len), *iv = tu_json_hex(test, "iv", &iv_len);
    uint8_t *aad = tu_json_hex(test, "aad", &aad_len), *msg = tu_json_hex(test, "msg", &msg_len);
    uint8_t *ct = tu_json_hex(test, "ct", &ct_len), *tag = tu_json_hex(test, "tag", &tag_len);
    uint8_t *out = malloc(msg_len + ct_len + 1), got_tag[16];
    int result = 0;
    tenon_aead_ctx ctx;

    if (tenon_aead_init(&ctx, cls, key, key_len) != TENON_OK)
        goto done; /* rejected */
    if (iv_len != 12) {
        /* Wycheproof's InvalidNonceSize cases ('invalid'): both directions must refuse with
         * the nonce-length error specifically, which is what counts as "rejected" here. */
        int rc1 = tenon_aead_seal(&ctx, iv, iv_len, aad, aad_len, msg, msg_len, out, got_tag);
        int rc2 = tenon_aead_open(&ctx, iv, iv_len, aad, aad_len, ct, ct_len, tag, out);
        CHECK_RC(rc1, TENON_ERR_BAD_NONCE_LENGTH);
        CHECK_RC(rc2, TENON_ERR_BAD_NONCE_LENGTH);
        result = (rc1 == TENON_OK || rc2 == TENON_OK);
        goto done;
    }
    if (tag_len != 16)
        goto done; /* tenon takes full 16-byte tags only (RFC 8439 §4: no truncation) */

    int sealed_ok =
        tenon_aead_seal(&ctx, iv, 12, aad, aad_len, msg, msg_len, out, got_tag) == TENON_OK &&
        ct_len == msg_len && memcmp(out, ct, ct_len) == 0 && memcmp(got_tag, tag, 16) == 0;
    memset(out, 0xa5, ct_len + 1);
    int rc = tenon_aead_open(&ctx, iv, 12, aad, aad_len, ct, ct_len, tag, out);
    if (rc == TENON_OK) {
        result = sealed_ok && ct_len == msg_len && memcmp(out, msg, msg_len) == 0;
    } else {
        CHECK_RC(rc, TENON_ERR_AUTH_FAILED);
        /* No unauthenticated plaintext: the whole output is zeroed. */
        uint8_t acc = 0;
        for (size_t i = 0; i < ct_len; i++)
            acc |= out[i];
        CHECK(acc == 0);
        CHECK(out[ct_len] == 0xa5);
        result = 0;
    }
done:
    tenon_aead_wipe(&ctx);
    free(key);
    free(iv);
    free(aad);
    free(msg);
    free(ct);
    free(tag);
    free(out);
    return result;
}

static void test_wycheproof(void)
{
    for (size_t i = 0; i < naeads; i++)
        tu_wycheproof("chacha20_poly1305_test.json", aeads[i]->name, wycheproof_case,
                      (void *)(uintptr_t)aeads[i]);
}

/* ------------------------------------------------------------------------------------------
 * Accelerated against portable
 * ------------------------------------------------------------------------------------------ */

static void test_chacha_cross(void)
{
    enum { MAXLEN = 1024 + 600 };
    uint8_t key[32], nonce[12], *in = malloc(MAXLEN + 8), *ref = malloc(MAXLEN + 8),
                                *out = malloc(MAXLEN + 8);
    unsigned long bad = 0;
    for (size_t len = 0; len <= MAXLEN; len++) {
        tu_rand(key, 32);
        tu_rand(nonce, 12);
        size_t off = len % 8;
        tu_rand(in, MAXLEN + 8);
        uint32_t counter = (uint32_t)tu_rand_u64();
        chacha20_xor_portable(key, nonce, counter, in + off, ref, len);
        for (size_t i = 1; i < nprims; i++) {
            prims[i].xor_fn(key, nonce, counter, in + off, out + (7 - off), len);
            bad += memcmp(out + (7 - off), ref, len) != 0;
            memcpy(out + off, in + off, len);
            prims[i].xor_fn(key, nonce, counter, out + off, out + off, len);
            bad += memcmp(out + off, ref, len) != 0;
        }
    }
    CHECK(bad == 0);

    /* Counters near 2^32: the 32-bit block counter wraps to 0 (RFC 8439 §2.3's state has a
     * 32-bit word for it); all implementations must agree, also across the wrap inside a
     * multi-block batch. */
    bad = 0;
    for (uint32_t k = 0; k < 12; k++) {
        uint32_t counter = 0xffffffffu - k;
        size_t len = 64 * (k + 1) + 512 + k;
        tu_rand(key, 32);
        tu_rand(nonce, 12);
        tu_rand(in, len);
        chacha20_xor_portable(key, nonce, counter, in, ref, len);
        /* Block (2^32 - counter) of the stream is the block with counter 0. */
        uint8_t zero_block[64];
        chacha20_xor_portable(key, nonce, 0, in + 64 * (k + 1), zero_block, 64);
        bad += memcmp(zero_block, ref + 64 * (k + 1), 64) != 0;
        for (size_t i = 1; i < nprims; i++) {
            prims[i].xor_fn(key, nonce, counter, in, out, len);
            bad += memcmp(out, ref, len) != 0;
        }
    }
    CHECK(bad == 0);

    /* Several megabytes in one call. */
    size_t big = (3u << 20) + 37;
    uint8_t *bin = malloc(big), *bref = malloc(big), *bout = malloc(big);
    tu_rand(bin, big);
    tu_rand(key, 32);
    tu_rand(nonce, 12);
    chacha20_xor_portable(key, nonce, 7, bin, bref, big);
    for (size_t i = 1; i < nprims; i++) {
        prims[i].xor_fn(key, nonce, 7, bin, bout, big);
        CHECK(memcmp(bout, bref, big) == 0);
    }
    free(bin);
    free(bref);
    free(bout);
    free(in);
    free(ref);
    free(out);
}

static void test_poly_cross(void)
{
    enum { MAXLEN = 1024 };
    uint8_t key[32], ref[16], tag[16], *msg = malloc(MAXLEN + 8);
    unsigned long bad = 0;
    for (size_t len = 0; len <= MAXLEN; len++) {
        tu_rand(key, 32);
        tu_rand(msg, MAXLEN + 8);
        size_t off = len % 8;
        poly_mac(&prims[0], key, msg + off, len, ref);
        for (size_t i = 1; i < nprims; i++) {
            poly_mac(&prims[i], key, msg + off, len, tag);
            bad += memcmp(tag, ref, 16) != 0;
        }
        /* Streaming in random pieces gives the same tag. */
        for (size_t i = 0; i < nprims; i++) {
            poly1305_ctx pc;
            poly1305_init(&pc, key);
            size_t done = 0;
            while (done < len) {
                size_t n = (size_t)(tu_rand_u64() % 300);
                if (n > len - done)
                    n = len - done;
                poly1305_update(&pc, prims[i].poly_blocks, msg + off + done, n);
                done += n;
            }
            poly1305_final(&pc, tag);
            bad += memcmp(tag, ref, 16) != 0;
        }
    }
    CHECK(bad == 0);

    /* Extreme values through the vector code: all-ones messages (maximal limbs), r with every
     * clamp-permitted bit set, s all ones; and the mixing of block functions on one context. */
    static uint8_t ones[4096];
    memset(ones, 0xff, sizeof ones);
    uint8_t kmax[32];
    memset(kmax, 0xff, 32);
    for (size_t len = 0; len <= sizeof ones; len += 61) {
        poly_mac(&prims[0], kmax, ones, len, ref);
        for (size_t i = 1; i < nprims; i++) {
            poly_mac(&prims[i], kmax, ones, len, tag);
            bad += memcmp(tag, ref, 16) != 0;
        }
    }
    CHECK(bad == 0);

    size_t big = (5u << 20) + 3;
    uint8_t *bmsg = malloc(big);
    tu_rand(bmsg, big);
    tu_rand(key, 32);
    poly_mac(&prims[0], key, bmsg, big, ref);
    for (size_t i = 1; i < nprims; i++) {
        poly_mac(&prims[i], key, bmsg, big, tag);
        CHECK_MEM(tag, ref, 16, "poly1305 5 MiB");
    }
    free(bmsg);
    free(msg);
}

static int zeroed(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

static void test_aead_cross(void)
{
    enum { MAXLEN = 1024 };
    uint8_t key[32], nonce[12], aad[80], tag[16], ref_tag[16];
    uint8_t *in = malloc(MAXLEN + 8), *ref = malloc(MAXLEN + 8), *out = malloc(MAXLEN + 8);
    unsigned long bad = 0;
    for (size_t len = 0; len <= MAXLEN; len++) {
        tu_rand(key, 32);
        tu_rand(nonce, 12);
        tu_rand(aad, sizeof aad);
        tu_rand(in, MAXLEN + 8);
        size_t aad_len = (size_t)(tu_rand_u64() % (sizeof aad + 1)), off = len % 8;
        tenon_aead_ctx ctx;
        CHECK_RC(tenon_aead_init(&ctx, aeads[naeads - 1], key, 32), TENON_OK);
        CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, aad, aad_len, in + off, len, ref, ref_tag),
                 TENON_OK);
        for (size_t i = 0; i + 1 < naeads; i++) {
            CHECK_RC(tenon_aead_init(&ctx, aeads[i], key, 32), TENON_OK);
            CHECK_RC(
                tenon_aead_seal(&ctx, nonce, 12, aad, aad_len, in + off, len, out + (7 - off), tag),
                TENON_OK);
            bad += memcmp(out + (7 - off), ref, len) != 0 || memcmp(tag, ref_tag, 16) != 0;
            memcpy(out + off, ref, len);
            CHECK_RC(tenon_aead_open(&ctx, nonce, 12, aad, aad_len, out + off, len, tag, out + off),
                     TENON_OK);
            bad += memcmp(out + off, in + off, len) != 0;
        }
    }
    CHECK(bad == 0);

    /* Multi-megabyte messages cross the seal chunking many times. */
    size_t big = (4u << 20) + 29;
    uint8_t *bin = malloc(big), *bref = malloc(big), *bout = malloc(big);
    tu_rand(bin, big);
    tu_rand(key, 32);
    tu_rand(nonce, 12);
    tenon_aead_ctx ctx;
    /* Lengths around the first vector batch (1 KiB, which the AVX-512 seal and open compute
     * together with the one-time key, and open's keystream buffer in place; up to three blocks
     * past it share a set of rows with the one-time key's block, 1,217 bytes and more do not)
     * and the pieces of seal and open (8 KiB). */
    static const size_t mid_lens[] = {1023, 1024, 1025, 1087, 1088, 1089,  1215,
                                      1216, 1217, 1999, 2048, 4095, 4096,  4097,
                                      5120, 8191, 8192, 8193, 8211, 16384, 16400};
    for (size_t l = 0; l < ARRAY_LEN(mid_lens); l++) {
        size_t len = mid_lens[l];
        CHECK_RC(tenon_aead_init(&ctx, aeads[naeads - 1], key, 32), TENON_OK);
        CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, aad, 13, bin, len, bref, ref_tag), TENON_OK);
        for (size_t i = 0; i + 1 < naeads; i++) {
            CHECK_RC(tenon_aead_init(&ctx, aeads[i], key, 32), TENON_OK);
            CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, aad, 13, bin, len, bout, tag), TENON_OK);
            CHECK_MEM(bout, bref, len, aeads[i]->name);
            CHECK_MEM(tag, ref_tag, 16, aeads[i]->name);
        }
        /* Open in one pass over these pieces, out of place and in place, in every class; a
         * wrong tag leaves every piece zeroed. */
        for (size_t i = 0; i < naeads; i++) {
            CHECK_RC(tenon_aead_init(&ctx, aeads[i], key, 32), TENON_OK);
            memset(bout, 0x5a, len + 1);
            CHECK_RC(tenon_aead_open(&ctx, nonce, 12, aad, 13, bref, len, ref_tag, bout), TENON_OK);
            CHECK_MEM(bout, bin, len, aeads[i]->name);
            CHECK(bout[len] == 0x5a);
            memcpy(bout, bref, len);
            CHECK_RC(tenon_aead_open(&ctx, nonce, 12, aad, 13, bout, len, ref_tag, bout), TENON_OK);
            CHECK_MEM(bout, bin, len, aeads[i]->name);
            ref_tag[l % 16] ^= 1;
            memset(bout, 0x5a, len + 1);
            CHECK_RC(tenon_aead_open(&ctx, nonce, 12, aad, 13, bref, len, ref_tag, bout),
                     TENON_ERR_AUTH_FAILED);
            CHECK(zeroed(bout, len) && bout[len] == 0x5a);
            memcpy(bout, bref, len);
            CHECK_RC(tenon_aead_open(&ctx, nonce, 12, aad, 13, bout, len, ref_tag, bout),
                     TENON_ERR_AUTH_FAILED);
            CHECK(zeroed(bout, len));
            ref_tag[l % 16] ^= 1;
        }
    }
    CHECK_RC(tenon_aead_init(&ctx, aeads[naeads - 1], key, 32), TENON_OK);
    CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, aad, 13, bin, big, bref, ref_tag), TENON_OK);
    for (size_t i = 0; i + 1 < naeads; i++) {
        CHECK_RC(tenon_aead_init(&ctx, aeads[i], key, 32), TENON_OK);
        CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, aad, 13, bin, big, bout, tag), TENON_OK);
        CHECK(memcmp(bout, bref, big) == 0);
        CHECK_MEM(tag, ref_tag, 16, "4 MiB tag");
        CHECK_RC(tenon_aead_open(&ctx, nonce, 12, aad, 13, bout, big, tag, bout), TENON_OK);
        CHECK(memcmp(bout, bin, big) == 0);
    }
    free(bin);
    free(bref);
    free(bout);
    free(in);
    free(ref);
    free(out);
}

/* Every length 0..2100 (the engine's records are 1 + n bytes: 1 KiB + 1 is in range, and every
 * split of the vector code into batches, the rows after a batch, the rows alone, the one-time
 * key's block with them and a partial last block; every way the IFMA class's one-pass MAC
 * gathers its first and last groups, and the lengths where it declines), with the AAD lengths
 * the engine uses (5 in TLS 1.3, 13 in TLS 1.2) and a few others: every class seals as the portable
 * class does, in place and out of place, and opens the result both ways; every ChaCha20 primitive
 * agrees with the portable one from counter 1 and from a counter near the 2^32 wrap. */
static void test_every_length(void)
{
    enum { MAXLEN = 2100 };
    /* 128 and 129: the longest AAD the IFMA class's one-pass MAC takes (8 blocks) and past it. */
    static const size_t aad_lens[] = {0, 5, 13, 16, 33, 128, 129};
    uint8_t key[32], nonce[12], aad[129], tag[16], ref_tag[16];
    uint8_t *in = malloc(MAXLEN + 1), *ref = malloc(MAXLEN + 1), *out = malloc(MAXLEN + 1);
    CHECK(in != NULL && ref != NULL && out != NULL);
    CHECK(strcmp(aeads[naeads - 1]->name, "ChaCha20-Poly1305/portable") == 0);
    tu_rand(key, 32);
    tu_rand(nonce, 12);
    tu_rand(aad, sizeof aad);
    tu_rand(in, MAXLEN);
    unsigned long bad = 0;
    for (size_t len = 0; len <= MAXLEN; len++) {
        for (size_t a = 0; a < ARRAY_LEN(aad_lens); a++) {
            size_t al = aad_lens[a];
            tenon_aead_ctx ctx;
            CHECK_RC(tenon_aead_init(&ctx, aeads[naeads - 1], key, 32), TENON_OK);
            CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, aad, al, in, len, ref, ref_tag), TENON_OK);
            for (size_t i = 0; i + 1 < naeads; i++) {
                CHECK_RC(tenon_aead_init(&ctx, aeads[i], key, 32), TENON_OK);
                out[len] = 0xa5;
                CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, aad, al, in, len, out, tag), TENON_OK);
                bad +=
                    memcmp(out, ref, len) != 0 || memcmp(tag, ref_tag, 16) != 0 || out[len] != 0xa5;
                memcpy(out, in, len);
                CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, aad, al, out, len, out, tag), TENON_OK);
                bad += memcmp(out, ref, len) != 0 || memcmp(tag, ref_tag, 16) != 0;
            }
            for (size_t i = 0; i < naeads; i++) {
                CHECK_RC(tenon_aead_init(&ctx, aeads[i], key, 32), TENON_OK);
                out[len] = 0xa5;
                bad +=
                    tenon_aead_open(&ctx, nonce, 12, aad, al, ref, len, ref_tag, out) != TENON_OK;
                bad += memcmp(out, in, len) != 0 || out[len] != 0xa5;
                memcpy(out, ref, len);
                bad +=
                    tenon_aead_open(&ctx, nonce, 12, aad, al, out, len, ref_tag, out) != TENON_OK;
                bad += memcmp(out, in, len) != 0;
                ref_tag[len % 16] ^= 0x10;
                bad += tenon_aead_open(&ctx, nonce, 12, aad, al, ref, len, ref_tag, out) !=
                       TENON_ERR_AUTH_FAILED;
                bad += !zeroed(out, len);
                ref_tag[len % 16] ^= 0x10;
            }
        }
        static const uint32_t counters[] = {1, 0xfffffff0u};
        for (size_t c = 0; c < ARRAY_LEN(counters); c++) {
            chacha20_xor_portable(key, nonce, counters[c], in, ref, len);
            for (size_t i = 1; i < nprims; i++) {
                out[len] = 0xa5;
                prims[i].xor_fn(key, nonce, counters[c], in, out, len);
                bad += memcmp(out, ref, len) != 0 || out[len] != 0xa5;
            }
        }
    }
    CHECK(bad == 0);
    if (bad != 0)
        printf("chacha: %lu mismatches over lengths 0..%d\n", bad, MAXLEN);
    free(in);
    free(ref);
    free(out);
}

/* ------------------------------------------------------------------------------------------
 * OpenSSL as a differential oracle
 * ------------------------------------------------------------------------------------------ */

static int ossl_seal(const uint8_t *key, const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
                     const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n, ok = c != NULL && EVP_EncryptInit_ex(c, EVP_chacha20_poly1305(), NULL, key, nonce) &&
                EVP_EncryptUpdate(c, NULL, &n, aad, (int)aad_len) &&
                EVP_EncryptUpdate(c, out, &n, in, (int)len) &&
                EVP_EncryptFinal_ex(c, out + n, &n) &&
                EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, tag);
    EVP_CIPHER_CTX_free(c);
    return ok;
}

static int ossl_open(const uint8_t *key, const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
                     const uint8_t *in, size_t len, const uint8_t *tag, uint8_t *out)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n, ok = c != NULL && EVP_DecryptInit_ex(c, EVP_chacha20_poly1305(), NULL, key, nonce) &&
                EVP_DecryptUpdate(c, NULL, &n, aad, (int)aad_len) &&
                EVP_DecryptUpdate(c, out, &n, in, (int)len) &&
                EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16, (void *)tag) &&
                EVP_DecryptFinal_ex(c, out + n, &n) > 0;
    EVP_CIPHER_CTX_free(c);
    return ok;
}

static void test_openssl(void)
{
    enum { MAXLEN = 5000, CASES = 400 };
    uint8_t key[32], nonce[12], aad[100], tag[16], otag[16];
    uint8_t *in = malloc(MAXLEN + 1), *out = malloc(MAXLEN + 1), *oout = malloc(MAXLEN + 1),
            *back = malloc(MAXLEN + 1);
    unsigned long bad = 0, total = 0;

    for (int t = 0; t < CASES; t++) {
        size_t len = t < 64 ? (size_t)t * 17 : (size_t)(tu_rand_u64() % (MAXLEN + 1));
        size_t aad_len = (size_t)(tu_rand_u64() % (sizeof aad + 1));
        tu_rand(key, 32);
        tu_rand(nonce, 12);
        tu_rand(aad, sizeof aad);
        tu_rand(in, len + 1);
        CHECK(ossl_seal(key, nonce, aad, aad_len, in, len, oout, otag));
        for (size_t i = 0; i < naeads; i++) {
            tenon_aead_ctx ctx;
            total++;
            CHECK_RC(tenon_aead_init(&ctx, aeads[i], key, 32), TENON_OK);
            CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, aad, aad_len, in, len, out, tag), TENON_OK);
            bad += memcmp(out, oout, len) != 0 || memcmp(tag, otag, 16) != 0;
            /* Cross-open: OpenSSL opens tenon's output, tenon opens OpenSSL's. */
            bad += !ossl_open(key, nonce, aad, aad_len, out, len, tag, back);
            bad += memcmp(back, in, len) != 0;
            CHECK_RC(tenon_aead_open(&ctx, nonce, 12, aad, aad_len, oout, len, otag, back),
                     TENON_OK);
            bad += memcmp(back, in, len) != 0;
        }
    }
    CHECK(bad == 0);
    printf("chacha: %lu AEAD cases identical to OpenSSL EVP_chacha20_poly1305\n", total - bad);

    /* Raw ChaCha20: OpenSSL's 16-byte IV is the 32-bit counter (little-endian) || nonce. */
    bad = total = 0;
    for (int t = 0; t < CASES; t++) {
        size_t len = (size_t)(tu_rand_u64() % (MAXLEN + 1));
        uint32_t counter = (uint32_t)(tu_rand_u64() % 1000000);
        uint8_t iv[16];
        tu_rand(key, 32);
        tu_rand(iv + 4, 12);
        iv[0] = (uint8_t)counter;
        iv[1] = (uint8_t)(counter >> 8);
        iv[2] = (uint8_t)(counter >> 16);
        iv[3] = (uint8_t)(counter >> 24);
        tu_rand(in, len);
        EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
        int n = 0;
        CHECK(c != NULL && EVP_EncryptInit_ex(c, EVP_chacha20(), NULL, key, iv) &&
              EVP_EncryptUpdate(c, oout, &n, in, (int)len));
        EVP_CIPHER_CTX_free(c);
        for (size_t i = 0; i < nprims; i++) {
            total++;
            prims[i].xor_fn(key, iv + 4, counter, in, out, len);
            bad += memcmp(out, oout, len) != 0;
        }
    }
    CHECK(bad == 0);
    printf("chacha: %lu raw ChaCha20 cases identical to OpenSSL EVP_chacha20\n", total - bad);

    /* Poly1305 through EVP_MAC, where the provider offers it. */
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "POLY1305", NULL);
    if (mac == NULL) {
        printf("chacha: OpenSSL has no POLY1305 EVP_MAC here; MAC differential not run\n");
    } else {
        bad = total = 0;
        for (int t = 0; t < CASES; t++) {
            size_t len = (size_t)(tu_rand_u64() % (MAXLEN + 1)), olen = 0;
            tu_rand(key, 32);
            tu_rand(in, len);
            EVP_MAC_CTX *mc = EVP_MAC_CTX_new(mac);
            CHECK(mc != NULL && EVP_MAC_init(mc, key, 32, NULL) && EVP_MAC_update(mc, in, len) &&
                  EVP_MAC_final(mc, otag, &olen, 16) && olen == 16);
            EVP_MAC_CTX_free(mc);
            for (size_t i = 0; i < nprims; i++) {
                total++;
                poly_mac(&prims[i], key, in, len, tag);
                bad += memcmp(tag, otag, 16) != 0;
            }
        }
        EVP_MAC_free(mac);
        CHECK(bad == 0);
        printf("chacha: %lu Poly1305 cases identical to OpenSSL EVP_MAC POLY1305\n", total - bad);
    }
    free(in);
    free(out);
    free(oout);
    free(back);
}

/* ------------------------------------------------------------------------------------------
 * Tampering and argument checks
 * ------------------------------------------------------------------------------------------ */

static void test_tamper(void)
{
    enum { LEN = 83, AAD = 21 };
    uint8_t key[32], nonce[12], aad[AAD], pt[LEN], ct[LEN], tag[16], out[LEN + 1];
    tu_rand(key, 32);
    tu_rand(nonce, 12);
    tu_rand(aad, AAD);
    tu_rand(pt, LEN);
    for (size_t i = 0; i < naeads; i++) {
        tenon_aead_ctx ctx;
        unsigned long accepted = 0, not_zeroed = 0, wrong_rc = 0;
        CHECK_RC(tenon_aead_init(&ctx, aeads[i], key, 32), TENON_OK);
        CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, aad, AAD, pt, LEN, ct, tag), TENON_OK);
        uint8_t *fields[4] = {ct, tag, aad, nonce};
        size_t sizes[4] = {LEN, 16, AAD, 12};
        for (int f = 0; f < 4; f++) {
            for (size_t bit = 0; bit < 8 * sizes[f]; bit++) {
                fields[f][bit / 8] ^= (uint8_t)(1u << (bit % 8));
                memset(out, 0x5a, sizeof out);
                int rc = tenon_aead_open(&ctx, nonce, 12, aad, AAD, ct, LEN, tag, out);
                accepted += rc == TENON_OK;
                wrong_rc += rc != TENON_OK && rc != TENON_ERR_AUTH_FAILED;
                not_zeroed += !zeroed(out, LEN) || out[LEN] != 0x5a;
                fields[f][bit / 8] ^= (uint8_t)(1u << (bit % 8));
            }
        }
        CHECK(accepted == 0);
        CHECK(wrong_rc == 0);
        CHECK(not_zeroed == 0);
        /* Dropped or added AAD/ciphertext bytes fail too. */
        CHECK_RC(tenon_aead_open(&ctx, nonce, 12, aad, AAD - 1, ct, LEN, tag, out),
                 TENON_ERR_AUTH_FAILED);
        CHECK_RC(tenon_aead_open(&ctx, nonce, 12, aad, AAD, ct, LEN - 1, tag, out),
                 TENON_ERR_AUTH_FAILED);
        /* In place: the ciphertext buffer itself is zeroed on failure. */
        uint8_t buf[LEN];
        memcpy(buf, ct, LEN);
        tag[15] ^= 0x80;
        CHECK_RC(tenon_aead_open(&ctx, nonce, 12, aad, AAD, buf, LEN, tag, buf),
                 TENON_ERR_AUTH_FAILED);
        CHECK(zeroed(buf, LEN));
        tag[15] ^= 0x80;
        /* The untouched message still opens. */
        CHECK_RC(tenon_aead_open(&ctx, nonce, 12, aad, AAD, ct, LEN, tag, out), TENON_OK);
        CHECK_MEM(out, pt, LEN, aeads[i]->name);
        /* A wrong key fails. */
        key[0] ^= 1;
        CHECK_RC(tenon_aead_init(&ctx, aeads[i], key, 32), TENON_OK);
        CHECK_RC(tenon_aead_open(&ctx, nonce, 12, aad, AAD, ct, LEN, tag, out),
                 TENON_ERR_AUTH_FAILED);
        key[0] ^= 1;
        tenon_aead_wipe(&ctx);
    }
}

static void test_args(void)
{
    uint8_t key[33] = {0}, nonce[24] = {0}, buf[64] = {0}, tag[16];
    for (size_t i = 0; i < naeads; i++) {
        const tenon_aead_class *cls = aeads[i];
        tenon_aead_ctx ctx;
        CHECK(strcmp(cls->family, "ChaCha20-Poly1305") == 0 && cls->tag_len == 16);
        static const size_t bad_keys[] = {0, 16, 24, 31, 33};
        for (size_t k = 0; k < ARRAY_LEN(bad_keys); k++)
            CHECK_RC(tenon_aead_init(&ctx, cls, key, bad_keys[k]), TENON_ERR_BAD_KEY_LENGTH);
        CHECK_RC(tenon_aead_init(&ctx, cls, key, 32), TENON_OK);
        CHECK(ctx.vtable == cls);
        static const size_t bad_nonces[] = {0, 8, 11, 13, 16, 24};
        for (size_t k = 0; k < ARRAY_LEN(bad_nonces); k++) {
            CHECK_RC(tenon_aead_seal(&ctx, nonce, bad_nonces[k], NULL, 0, buf, 16, buf, tag),
                     TENON_ERR_BAD_NONCE_LENGTH);
            CHECK_RC(tenon_aead_open(&ctx, nonce, bad_nonces[k], NULL, 0, buf, 16, tag, buf),
                     TENON_ERR_BAD_NONCE_LENGTH);
        }
        /* RFC 8439 §2.8: P_MAX = 274,877,906,880 bytes; one more is refused before any byte
         * is touched (the buffers here are far smaller). */
        if (sizeof(size_t) >= 8) {
            size_t too_long = (size_t)CHACHA20POLY1305_MAX_LEN + 1;
            CHECK(CHACHA20POLY1305_MAX_LEN == 274877906880ull);
            CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, NULL, 0, buf, too_long, buf, tag),
                     TENON_ERR_INVALID_ARGUMENT);
            CHECK_RC(tenon_aead_open(&ctx, nonce, 12, NULL, 0, buf, too_long, tag, buf),
                     TENON_ERR_INVALID_ARGUMENT);
        }
        CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, NULL, 5, buf, 16, buf, tag),
                 TENON_ERR_INVALID_ARGUMENT);
        CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, NULL, 0, NULL, 16, buf, tag),
                 TENON_ERR_INVALID_ARGUMENT);
        CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, NULL, 0, buf, 16, buf, NULL),
                 TENON_ERR_INVALID_ARGUMENT);
        CHECK_RC(tenon_aead_seal(&ctx, NULL, 12, NULL, 0, buf, 16, buf, tag),
                 TENON_ERR_INVALID_ARGUMENT);
        /* Empty message and AAD: NULL buffers are fine, and the tag still authenticates. */
        CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, NULL, 0, NULL, 0, NULL, tag), TENON_OK);
        CHECK_RC(tenon_aead_open(&ctx, nonce, 12, NULL, 0, NULL, 0, tag, NULL), TENON_OK);
        tag[0] ^= 1;
        CHECK_RC(tenon_aead_open(&ctx, nonce, 12, NULL, 0, NULL, 0, tag, NULL),
                 TENON_ERR_AUTH_FAILED);
        tenon_aead_wipe(&ctx);
        CHECK_RC(tenon_aead_seal(&ctx, nonce, 12, NULL, 0, buf, 16, buf, tag),
                 TENON_ERR_NOT_INITIALISED);
    }
}

/* The dispatch on an AVX2 machine (tenon_cpu_set_mask masking AVX-512 off, as tenon-bench
 * --no-avx512 does): the stitched class where BMI2 is there, the two-pass AVX2 class where it is
 * not; the full mask restores the fastest class. */
static void test_dispatch(void)
{
#if TENON_X86_64
    const uint32_t avx512 =
        TENON_CPU_AVX512F | TENON_CPU_AVX512VL | TENON_CPU_AVX512BW | TENON_CPU_AVX512IFMA;
    const tenon_aead_class *best = tenon_aead_chacha20_poly1305();
    if (!cpu_has(TENON_CPU_AVX2 | TENON_CPU_BMI2)) {
        printf("chacha: dispatch check not run (CPU lacks AVX2 or BMI2)\n");
        return;
    }
    tenon_cpu_set_mask(~avx512);
    CHECK(strcmp(tenon_aead_chacha20_poly1305()->name, "ChaCha20-Poly1305/avx2-mulx") == 0);
    tenon_cpu_set_mask(~(avx512 | TENON_CPU_BMI2));
    CHECK(strcmp(tenon_aead_chacha20_poly1305()->name, "ChaCha20-Poly1305/avx2") == 0);
    tenon_cpu_set_mask(~(uint32_t)0);
    CHECK(tenon_aead_chacha20_poly1305() == best);
#endif
}

/* Every length 0..2000 on every class against OpenSSL's EVP_chacha20_poly1305, with an AAD of
 * 0 to 40 bytes: seal out of place and in place, and open OpenSSL's record in place (the
 * in-place paths buffer the first piece, the stitched ones their tail). */
static void test_openssl_every_length(void)
{
    enum { MAXLEN = 2000 };
    uint8_t key[32], nonce[12], aad[40], tag[16], otag[16];
    uint8_t *in = malloc(MAXLEN), *oout = malloc(MAXLEN), *buf = malloc(MAXLEN);
    unsigned long bad = 0, total = 0;
    CHECK(in != NULL && oout != NULL && buf != NULL);
    for (size_t len = 0; len <= MAXLEN && in != NULL && oout != NULL && buf != NULL; len++) {
        size_t aad_len = len % (sizeof aad + 1);
        tu_rand(key, sizeof key);
        tu_rand(nonce, sizeof nonce);
        tu_rand(aad, sizeof aad);
        tu_rand(in, len);
        CHECK(ossl_seal(key, nonce, aad, aad_len, in, len, oout, otag));
        for (size_t i = 0; i < naeads; i++) {
            tenon_aead_ctx ctx;
            total++;
            CHECK_RC(tenon_aead_init(&ctx, aeads[i], key, 32), TENON_OK);
            int ok =
                tenon_aead_seal(&ctx, nonce, 12, aad, aad_len, in, len, buf, tag) == TENON_OK &&
                memcmp(buf, oout, len) == 0 && memcmp(tag, otag, 16) == 0;
            if (len > 0)
                memcpy(buf, in, len);
            ok = ok &&
                 tenon_aead_seal(&ctx, nonce, 12, aad, aad_len, buf, len, buf, tag) == TENON_OK &&
                 memcmp(buf, oout, len) == 0 && memcmp(tag, otag, 16) == 0;
            if (len > 0)
                memcpy(buf, oout, len);
            ok = ok &&
                 tenon_aead_open(&ctx, nonce, 12, aad, aad_len, buf, len, otag, buf) == TENON_OK &&
                 memcmp(buf, in, len) == 0;
            if (!ok && bad++ < 5)
                fprintf(stderr, "    %s: length %zu differs from OpenSSL\n", aeads[i]->name, len);
            tenon_aead_wipe(&ctx);
        }
    }
    CHECK(bad == 0);
    printf("chacha: %lu AEAD seals and opens of every length 0..%d identical to OpenSSL\n",
           total - bad, MAXLEN);
    free(in);
    free(oout);
    free(buf);
}

/* poly1305_r64_tag (the stitched AEAD's final step) against poly1305_final on the same
 * accumulator, at the edges of the reduction: h just below, at and just above p = 2^130 - 5, at
 * and above 2^130, the largest the radix-2^64 code leaves (top word 4), 0, and random values. */
static void test_r64_tag(void)
{
    const uint64_t m = ~(uint64_t)0;
    const uint64_t edges[][3] = {
        {0, 0, 0},     {m - 5, m, 3},  {m - 4, m, 3}, /* p - 1, p */
        {m - 3, m, 3}, {m, m, 3},      {0, 0, 4},     /* p + 1, 2^130 - 1, 2^130 */
        {4, 0, 4},     {5, 0, 4},      {m - 5, m, 4}, /* 2^130 + 4, 2^130 + 5, p + 2^128 */
        {m, m, 4},     {m - 10, m, 3}, {1, 0, 0},
    };
    size_t bad = 0, n = ARRAY_LEN(edges) + 200;
    for (size_t i = 0; i < n; i++) {
        uint8_t key[32], want[16], got[16];
        tu_rand(key, sizeof key);
        poly1305_r64 p;
        uint64_t s[2];
        poly1305_r64_key(&p, s, key);
        if (i < ARRAY_LEN(edges)) {
            memcpy(p.h, edges[i], sizeof p.h);
        } else {
            tu_rand(p.h, sizeof p.h);
            p.h[2] %= 5;
        }
        poly1305_ctx ctx;
        poly1305_init(&ctx, key);
        poly1305_from_r64(&ctx, &p);
        poly1305_final(&ctx, want);
        poly1305_r64_tag(&p, s, got);
        if (memcmp(want, got, 16) != 0 && bad++ < 5)
            fprintf(stderr, "    r64 tag differs at case %zu\n", i);
    }
    CHECK(bad == 0);
}

int main(void)
{
    tu_seed(0x8439);
    test_r64_tag();
    test_dispatch();
    find_impls();
    test_chacha_kats();
    test_poly_kats();
    test_aead_kats();
    test_wycheproof();
    test_chacha_cross();
    test_poly_cross();
    test_aead_cross();
    test_every_length();
    test_openssl();
    test_openssl_every_length();
    test_tamper();
    test_args();
    return tu_finish("test_chacha");
}
