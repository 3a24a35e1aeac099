/*
 * Contexts work wherever the caller puts them. malloc on x86-64 glibc promises only 16-byte
 * alignment, and contexts are copied with memcpy or struct assignment to other addresses, so
 * no implementation may rely on the _Alignas(64) of the public context types: every vector
 * access to caller-owned state must be an unaligned one.
 *
 * Every AEAD implementation the CPU runs, AES-CBC, every hash and HMAC is placed at each offset
 * 0, 8, ..., 56 modulo 64 inside a malloc'd and an aligned_alloc'd buffer, used there, then
 * copied with memcpy to another offset (the original poisoned) and used again; every output is
 * compared with that of a naturally aligned context. A TLS client and server whose tenon_conn
 * sit at 16 modulo 64 in plain malloc'd memory complete a handshake with each suite and
 * exchange data, and go on after the client's connection is copied to 48 modulo 64.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "test_tls13_harness.h"

/* The offsets tried, modulo 64. */
#define NOFFSETS 8
#define OFFSET(i) ((size_t)(i)*8u)

typedef enum { ALLOC_MALLOC, ALLOC_ALIGNED } alloc_kind;
static const char *const ALLOC_NAME[] = {"malloc", "aligned_alloc"};

/* A buffer from the given allocator with room for size bytes at any offset modulo 64. */
static uint8_t *arena_new(alloc_kind kind, size_t size)
{
    size_t total = (size + 128 + 63) & ~(size_t)63;
    uint8_t *p = kind == ALLOC_MALLOC ? malloc(total) : aligned_alloc(64, total);
    if (p == NULL) {
        fprintf(stderr, "out of memory\n");
        abort();
    }
    return p;
}

/* The address inside raw that is off modulo 64. */
static void *place(uint8_t *raw, size_t off)
{
    uintptr_t a = ((uintptr_t)raw + 63) & ~(uintptr_t)63;
    void *p = (void *)(a + off);
    CHECK(((uintptr_t)p & 63) == off);
    return p;
}

/* The other offset a context is copied to: never the same one modulo 64. */
static size_t other_offset(size_t off)
{
    return (off + 24) % 64;
}

static int cpu_runs(uint32_t needs)
{
    return (needs & tenon_cpu_features()) == needs;
}

static uint8_t MSG[5000], AAD[300], KEY[200];

/* ---- AEAD ---------------------------------------------------------------------------------- */

/* Lengths around the block and batch sizes of every implementation (16, 128, 256 bytes), and
 * one over several batches. */
static const size_t AEAD_LENS[] = {0,   1,   15,  16,  17,  63,  64,   127,
                                   128, 129, 255, 256, 257, 511, 1000, 4099};
/* GCM takes any nonce length; other than 12 goes through GHASH (the ghash_fn paths). */
static const size_t GCM_NONCE_LENS[] = {12, 1, 8, 16, 60};

/* Seals and opens every length with ctx and compares with ref; also a forged tag. The data
 * pointers are misaligned too. */
static void aead_compare(const tenon_aead_ctx *ref, const tenon_aead_ctx *ctx, int gcm,
                         const char *what)
{
    static uint8_t ct_ref[sizeof MSG], ct[sizeof MSG + 8], pt[sizeof MSG + 8];
    uint8_t tag_ref[16], tag[16], nonce[64];
    for (size_t i = 0; i < ARRAY_LEN(AEAD_LENS); i++) {
        size_t n = AEAD_LENS[i], al = (i * 37) % sizeof AAD;
        size_t nl = gcm ? GCM_NONCE_LENS[i % ARRAY_LEN(GCM_NONCE_LENS)] : 12;
        uint8_t *o = ct + (i & 7), *p = pt + ((3 * i) & 7);
        tu_rand(nonce, nl);
        CHECK_RC(tenon_aead_seal(ref, nonce, nl, AAD, al, MSG, n, ct_ref, tag_ref), 0);
        CHECK_RC(tenon_aead_seal(ctx, nonce, nl, AAD, al, MSG, n, o, tag), 0);
        CHECK_MEM(o, ct_ref, n, what);
        CHECK_MEM(tag, tag_ref, 16, what);
        CHECK_RC(tenon_aead_open(ctx, nonce, nl, AAD, al, o, n, tag, p), 0);
        CHECK_MEM(p, MSG, n, what);
        tag[i % 16] ^= 0x40;
        CHECK_RC(tenon_aead_open(ctx, nonce, nl, AAD, al, o, n, tag, p), TENON_ERR_AUTH_FAILED);
    }
}

static void test_aead(void)
{
    static tenon_aead_ctx ref; /* naturally aligned */
    const tenon_aead_class *const *impls = tenon_aead_implementations();
    unsigned tested = 0;
    for (size_t c = 0; impls[c] != NULL; c++) {
        const tenon_aead_class *cls = impls[c];
        if (!cpu_runs(cls->cpu_needs)) {
            printf("  %s: not on this CPU\n", cls->name);
            continue;
        }
        tested++;
        int gcm = strcmp(cls->family, "AES-GCM") == 0;
        static const size_t gcm_keys[] = {16, 24, 32}, chacha_keys[] = {32};
        const size_t *keys = gcm ? gcm_keys : chacha_keys;
        size_t nkeys = gcm ? ARRAY_LEN(gcm_keys) : ARRAY_LEN(chacha_keys);
        for (size_t k = 0; k < nkeys; k++) {
            CHECK_RC(tenon_aead_init(&ref, cls, KEY, keys[k]), 0);
            for (int a = 0; a < 2; a++) {
                uint8_t *raw = arena_new((alloc_kind)a, sizeof(tenon_aead_ctx));
                uint8_t *raw2 = arena_new((alloc_kind)(1 - a), sizeof(tenon_aead_ctx));
                for (size_t i = 0; i < NOFFSETS; i++) {
                    char what[128];
                    snprintf(what, sizeof what, "%s key %zu %s+%zu", cls->name, keys[k],
                             ALLOC_NAME[a], OFFSET(i));
                    tenon_aead_ctx *ctx = place(raw, OFFSET(i));
                    CHECK_RC(tenon_aead_init(ctx, cls, KEY, keys[k]), 0);
                    aead_compare(&ref, ctx, gcm, what);
                    /* A keyed context copied to another alignment works on its own. */
                    tenon_aead_ctx *copy = place(raw2, other_offset(OFFSET(i)));
                    memcpy(copy, ctx, sizeof *copy);
                    memset(ctx, 0x5a, sizeof *ctx);
                    strcat(what, " copied");
                    aead_compare(&ref, copy, gcm, what);
                    tenon_aead_wipe(copy);
                }
                free(raw);
                free(raw2);
            }
        }
    }
    CHECK(tested >= 2);
}

/* ---- AES-CBC ------------------------------------------------------------------------------- */

static void cbc_compare(const tenon_aes_cbc_ctx *ref, const tenon_aes_cbc_ctx *ctx,
                        const char *what)
{
    static const size_t lens[] = {16, 32, 48, 112, 128, 144, 256, 4096};
    static uint8_t ct_ref[4096], ct[4096 + 8], pt[4096 + 8];
    for (size_t i = 0; i < ARRAY_LEN(lens); i++) {
        uint8_t iv0[16], iv_ref[16], iv[16];
        size_t n = lens[i];
        uint8_t *o = ct + (i & 7), *p = pt + ((5 * i) & 7);
        tu_rand(iv0, sizeof iv0);
        memcpy(iv_ref, iv0, 16);
        memcpy(iv, iv0, 16);
        CHECK_RC(tenon_aes_cbc_encrypt(ref, iv_ref, MSG, ct_ref, n), 0);
        CHECK_RC(tenon_aes_cbc_encrypt(ctx, iv, MSG, o, n), 0);
        CHECK_MEM(o, ct_ref, n, what);
        CHECK_MEM(iv, iv_ref, 16, what);
        memcpy(iv, iv0, 16);
        CHECK_RC(tenon_aes_cbc_decrypt(ctx, iv, o, p, n), 0);
        CHECK_MEM(p, MSG, n, what);
        CHECK_MEM(iv, iv_ref, 16, what);
    }
}

static void test_cbc(const char *mode)
{
    static tenon_aes_cbc_ctx ref;
    static const size_t keys[] = {16, 24, 32};
    for (size_t k = 0; k < ARRAY_LEN(keys); k++) {
        CHECK_RC(tenon_aes_cbc_init(&ref, KEY, keys[k]), 0);
        for (int a = 0; a < 2; a++) {
            uint8_t *raw = arena_new((alloc_kind)a, sizeof(tenon_aes_cbc_ctx));
            uint8_t *raw2 = arena_new((alloc_kind)(1 - a), sizeof(tenon_aes_cbc_ctx));
            for (size_t i = 0; i < NOFFSETS; i++) {
                char what[128];
                snprintf(what, sizeof what, "AES-CBC (%s) key %zu %s+%zu", mode, keys[k],
                         ALLOC_NAME[a], OFFSET(i));
                tenon_aes_cbc_ctx *ctx = place(raw, OFFSET(i));
                CHECK_RC(tenon_aes_cbc_init(ctx, KEY, keys[k]), 0);
                cbc_compare(&ref, ctx, what);
                tenon_aes_cbc_ctx *copy = place(raw2, other_offset(OFFSET(i)));
                memcpy(copy, ctx, sizeof *copy);
                memset(ctx, 0x5a, sizeof *ctx);
                strcat(what, " copied");
                cbc_compare(&ref, copy, what);
                tenon_aes_cbc_wipe(copy);
            }
            free(raw);
            free(raw2);
        }
    }
}

/* ---- Hashes and HMAC ----------------------------------------------------------------------- */

/* Pieces that cross block boundaries in every way (blocks of 64 and 128 bytes). */
static const size_t PIECES[] = {1, 63, 64, 65, 127, 128, 129, 200, 1000, 3000};
#define PIECES_TOTAL 4777u
#define COPY_AFTER 4 /* the context is copied after this many pieces */

static const tenon_hash_class *const HASHES[] = {&tenon_sha1, &tenon_sha224, &tenon_sha256,
                                                 &tenon_sha384, &tenon_sha512};

static void test_hash(const char *mode)
{
    for (size_t h = 0; h < ARRAY_LEN(HASHES); h++) {
        const tenon_hash_class *hc = HASHES[h];
        uint8_t want[TENON_HASH_MAX_LEN], got[TENON_HASH_MAX_LEN];
        tenon_hash(hc, MSG, PIECES_TOTAL, want);
        for (int a = 0; a < 2; a++) {
            uint8_t *raw = arena_new((alloc_kind)a, sizeof(tenon_hash_ctx));
            uint8_t *raw2 = arena_new((alloc_kind)(1 - a), sizeof(tenon_hash_ctx));
            for (size_t i = 0; i < NOFFSETS; i++) {
                char what[128];
                snprintf(what, sizeof what, "%s (%s) %s+%zu", hc->name, mode, ALLOC_NAME[a],
                         OFFSET(i));
                tenon_hash_ctx *ctx = place(raw, OFFSET(i));
                tenon_hash_ctx *copy = place(raw2, other_offset(OFFSET(i)));
                /* Straight through at this offset. */
                hc->init(ctx);
                size_t done = 0;
                for (size_t p = 0; p < ARRAY_LEN(PIECES); done += PIECES[p], p++)
                    hc->update(ctx, MSG + done, PIECES[p]);
                CHECK(done == PIECES_TOTAL);
                hc->final(ctx, got);
                CHECK_MEM(got, want, hc->digest_len, what);
                /* Copied mid-stream to another offset and finished there. */
                hc->init(ctx);
                done = 0;
                for (size_t p = 0; p < ARRAY_LEN(PIECES); done += PIECES[p], p++) {
                    if (p == COPY_AFTER) {
                        memcpy(copy, ctx, sizeof *copy);
                        memset(ctx, 0x5a, sizeof *ctx);
                    }
                    tenon_hash_ctx *cur = p < COPY_AFTER ? ctx : copy;
                    cur->vtable->update(cur, MSG + done, PIECES[p]);
                }
                copy->vtable->final(copy, got);
                strcat(what, " copied");
                CHECK_MEM(got, want, hc->digest_len, what);
            }
            free(raw);
            free(raw2);
        }
    }
}

static void test_hmac(const char *mode)
{
    static const size_t key_lens[] = {0, 16, 64, 200}; /* 200: longer than any block, hashed */
    for (size_t h = 0; h < ARRAY_LEN(HASHES); h++) {
        const tenon_hash_class *hc = HASHES[h];
        for (size_t k = 0; k < ARRAY_LEN(key_lens); k++) {
            uint8_t want[TENON_HASH_MAX_LEN], got[TENON_HASH_MAX_LEN];
            tenon_hmac(hc, KEY, key_lens[k], MSG, PIECES_TOTAL, want);
            for (int a = 0; a < 2; a++) {
                uint8_t *raw = arena_new((alloc_kind)a, sizeof(tenon_hmac_ctx));
                uint8_t *raw2 = arena_new((alloc_kind)(1 - a), sizeof(tenon_hmac_ctx));
                for (size_t i = 0; i < NOFFSETS; i++) {
                    char what[128];
                    snprintf(what, sizeof what, "HMAC-%s (%s) key %zu %s+%zu", hc->name, mode,
                             key_lens[k], ALLOC_NAME[a], OFFSET(i));
                    tenon_hmac_ctx *ctx = place(raw, OFFSET(i));
                    tenon_hmac_ctx *copy = place(raw2, other_offset(OFFSET(i)));
                    tenon_hmac_init(ctx, hc, KEY, key_lens[k]);
                    size_t done = 0;
                    for (size_t p = 0; p < ARRAY_LEN(PIECES); done += PIECES[p], p++)
                        tenon_hmac_update(ctx, MSG + done, PIECES[p]);
                    tenon_hmac_final(ctx, got);
                    CHECK_MEM(got, want, hc->digest_len, what);
                    /* A keyed context copied before any data, and one copied mid-stream. */
                    tenon_hmac_init(ctx, hc, KEY, key_lens[k]);
                    memcpy(copy, ctx, sizeof *copy);
                    memset(ctx, 0x5a, sizeof *ctx);
                    done = 0;
                    for (size_t p = 0; p < ARRAY_LEN(PIECES); done += PIECES[p], p++) {
                        if (p == COPY_AFTER) {
                            memcpy(ctx, copy, sizeof *ctx);
                            memset(copy, 0xa5, sizeof *copy);
                        }
                        tenon_hmac_update(p < COPY_AFTER ? copy : ctx, MSG + done, PIECES[p]);
                    }
                    tenon_hmac_final(ctx, got);
                    strcat(what, " copied");
                    CHECK_MEM(got, want, hc->digest_len, what);
                    tenon_hmac_wipe(ctx);
                }
                free(raw);
                free(raw2);
            }
        }
    }
}

/* ---- TLS connections in malloc'd memory ---------------------------------------------------- */

static uint8_t DATA[70000];

static void test_tls(void)
{
    static const uint16_t suites[] = {TENON_TLS_AES_128_GCM_SHA256, TENON_TLS_AES_256_GCM_SHA384,
                                      TENON_TLS_CHACHA20_POLY1305_SHA256};
    for (size_t s = 0; s < ARRAY_LEN(suites); s++) {
        /* Plain malloc for everything, as a C user would do it. */
        uint8_t *raw_c = arena_new(ALLOC_MALLOC, sizeof(tenon_conn));
        uint8_t *raw_s = arena_new(ALLOC_MALLOC, sizeof(tenon_conn));
        uint8_t *raw_copy = arena_new(ALLOC_MALLOC, sizeof(tenon_conn));
        tenon_config *ccfg = malloc(sizeof *ccfg), *scfg = malloc(sizeof *scfg);
        uint8_t *cin = malloc(TENON_CONN_IN_SIZE), *cout = malloc(TENON_CONN_OUT_SIZE);
        uint8_t *sin = malloc(TENON_CONN_IN_SIZE), *sout = malloc(TENON_CONN_OUT_SIZE);
        if (ccfg == NULL || scfg == NULL || cin == NULL || cout == NULL || sin == NULL ||
            sout == NULL)
            abort();
        tenon_conn *client = place(raw_c, 16), *server = place(raw_s, 16);

        client_config(ccfg);
        ccfg->suites[0] = suites[s];
        ccfg->suite_count = 1;
        server_config(scfg, CERT_P256);
        CHECK_RC(tenon_conn_init(server, scfg, sin, TENON_CONN_IN_SIZE, sout, TENON_CONN_OUT_SIZE),
                 0);
        CHECK_RC(tenon_conn_init(client, ccfg, cin, TENON_CONN_IN_SIZE, cout, TENON_CONN_OUT_SIZE),
                 0);
        pump(client, server);
        int done = (tenon_conn_status(client) & TENON_HANDSHAKE_DONE) &&
                   (tenon_conn_status(server) & TENON_HANDSHAKE_DONE);
        if (!CHECK(done)) {
            fprintf(stderr, "    suite %04x: client %s, server %s\n", suites[s],
                    tenon_strerror(tenon_conn_error(client)),
                    tenon_strerror(tenon_conn_error(server)));
        } else {
            tenon_conn_info ci;
            CHECK_RC(tenon_conn_info_get(client, &ci), 0);
            CHECK(ci.suite == suites[s]);
            CHECK(exchange(client, server, DATA, sizeof DATA));
            CHECK(exchange(server, client, DATA + 1, 20000));
            /* The client's connection copied to 48 modulo 64 carries on; the original is
             * poisoned so nothing can still be read from it. */
            tenon_conn *moved = place(raw_copy, 48);
            memcpy(moved, client, sizeof *moved);
            memset(client, 0x5a, sizeof *client);
            CHECK(exchange(moved, server, DATA + 2, 30000));
            CHECK(exchange(server, moved, DATA + 3, 30000));
            /* New traffic keys installed in the moved context (both directions). */
            CHECK_RC(tenon_conn_key_update(moved, 1), 0);
            CHECK(exchange(moved, server, DATA + 4, 17000));
            CHECK(exchange(server, moved, DATA + 5, 17000));
            tenon_conn_wipe(moved);
        }
        tenon_conn_wipe(server);
        free(raw_c);
        free(raw_s);
        free(raw_copy);
        free(ccfg);
        free(scfg);
        free(cin);
        free(cout);
        free(sin);
        free(sout);
    }
}

int main(void)
{
    tu_seed(0xa119e5u);
    tu_rand(MSG, sizeof MSG);
    tu_rand(AAD, sizeof AAD);
    tu_rand(KEY, sizeof KEY);
    tu_rand(DATA, sizeof DATA);

    test_aead();
    /* AES-CBC and the hashes pick their implementation from the CPU mask: the accelerated
     * ones (AES-NI, SHA-NI, AVX) first, then the portable ones. */
    test_cbc("best");
    test_hash("best");
    test_hmac("best");
    tenon_cpu_set_mask(0);
    test_cbc("portable");
    test_hash("portable");
    test_hmac("portable");
    tenon_cpu_set_mask(UINT32_MAX);

    if (CHECK(pki_setup() == 0))
        test_tls();
    return tu_finish("test_alignment");
}
