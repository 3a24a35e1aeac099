/*
 * ML-KEM (src/crypto/mlkem.c, mlkem_poly.c): the ring arithmetic on its own, the C2SP CCTV
 * vectors (../shared/vectors/cctv-mlkem: intermediate values of every step, the invalid
 * encapsulation keys of modulus/, the unlucky-sampling seeds, the strcmp traps, and the
 * accumulated pq-crystals hash over 10,000 deterministic tests), and the API's behaviour
 * (round trips, implicit rejection equal to J(z || c), decaps_seed equal to decaps, the §7.2
 * and §7.3 input checks, argument errors).
 *
 * `test_mlkem --million` runs only the 1,000,000-test accumulated hash of the CCTV README for
 * both parameter sets (slow: `make check-slow`).
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/mlkem.h"
#include "crypto/mlkem_poly.h"
#include "crypto/sha3.h"
#include "testutil.h"

static const tenon_kem_class *const kems[] = {&tenon_kem_mlkem768, &tenon_kem_mlkem1024};

static const char *vectors_dir(void)
{
    const char *dir = getenv("TENON_VECTORS");
    return dir != NULL && *dir != '\0' ? dir : TENON_VECTORS_DIR;
}

static int16_t canon(int32_t x)
{
    x %= MLKEM_Q;
    return (int16_t)(x < 0 ? x + MLKEM_Q : x);
}

/* ------------------------------------------------------------------------------------------
 * Ring arithmetic
 * ------------------------------------------------------------------------------------------ */

static void random_poly(mlkem_poly *p, int bound)
{
    for (int i = 0; i < MLKEM_N; i++)
        p->c[i] = (int16_t)((int)(tu_rand_u64() % (uint64_t)(2 * bound - 1)) - (bound - 1));
}

static void test_arith(void)
{
    /* Compress_d by multiply-shift equals the division for every input (KyberSlash fix). */
    unsigned long bad = 0;
    static const unsigned ds[] = {1, 4, 5, 10, 11};
    for (size_t k = 0; k < sizeof ds / sizeof ds[0]; k++)
        for (uint32_t x = 0; x < MLKEM_Q; x++) {
            uint32_t want = (((x << ds[k]) + MLKEM_Q / 2) / MLKEM_Q) & ((1u << ds[k]) - 1);
            bad += mlkem_compress_coeff((uint16_t)x, ds[k]) != want;
        }
    CHECK(bad == 0);

    /* ByteDecode12 reduces every 12-bit value modulo q; the checking decoder flags exactly the
     * values >= q. */
    uint8_t enc[MLKEM_POLY_BYTES];
    mlkem_poly p, r;
    for (uint32_t base = 0; base < 4096; base += 256) {
        for (int i = 0; i < MLKEM_N; i++) {
            uint32_t v = base + (uint32_t)i;
            if (i % 2 == 0) {
                enc[3 * (i / 2)] = (uint8_t)v;
                enc[3 * (i / 2) + 1] = (uint8_t)(v >> 8);
            } else {
                enc[3 * (i / 2) + 1] = (uint8_t)(enc[3 * (i / 2) + 1] | (v << 4));
                enc[3 * (i / 2) + 2] = (uint8_t)(v >> 4);
            }
        }
        mlkem_poly_decode12(&p, enc);
        int okd = 1;
        for (int i = 0; i < MLKEM_N; i++)
            okd &= p.c[i] == (int16_t)((base + (uint32_t)i) % MLKEM_Q);
        CHECK(okd);
        CHECK((mlkem_poly_decode12_check(&r, enc) == 0) == (base + 255 < MLKEM_Q));
    }

    tu_seed(0xc0ffee);
    for (int iter = 0; iter < 50; iter++) {
        /* NTT then inverse NTT multiplies by R = 2^16 mod q. */
        random_poly(&p, MLKEM_Q);
        r = p;
        mlkem_poly_ntt(&r);
        mlkem_poly_invntt(&r);
        int ok = 1;
        for (int i = 0; i < MLKEM_N; i++)
            ok &= canon(r.c[i]) == canon((int32_t)p.c[i] * 65536);
        CHECK(ok);

        /* Multiplication in the NTT domain equals the schoolbook product mod X^256 + 1. */
        mlkem_poly a, b, c;
        random_poly(&a, MLKEM_Q);
        random_poly(&b, MLKEM_Q);
        int64_t want[MLKEM_N] = {0};
        for (int i = 0; i < MLKEM_N; i++)
            for (int j = 0; j < MLKEM_N; j++) {
                int64_t t = (int64_t)a.c[i] * b.c[j];
                if (i + j < MLKEM_N)
                    want[i + j] += t;
                else
                    want[i + j - MLKEM_N] -= t;
            }
        mlkem_poly_ntt(&a);
        mlkem_poly_ntt(&b);
        memset(&c, 0, sizeof c);
        mlkem_poly_basemul_acc(&c, &a, &b);
        mlkem_poly_reduce(&c);
        mlkem_poly_invntt(&c);
        ok = 1;
        for (int i = 0; i < MLKEM_N; i++)
            ok &= canon(c.c[i]) == canon((int32_t)(want[i] % MLKEM_Q));
        CHECK(ok);

        /* Compress then Decompress stays within round(q / 2^(d+1)) (FIPS 203 §4.2.1). */
        for (unsigned d = 4; d <= 11; d++) {
            if (d != 4 && d != 5 && d != 10 && d != 11)
                continue;
            uint8_t buf[32 * 11];
            random_poly(&p, MLKEM_Q);
            mlkem_poly_compress(buf, &p, d);
            mlkem_poly_decompress(&r, buf, d);
            int32_t bound = (MLKEM_Q + (1 << (d + 1)) - 1) >> (d + 1);
            ok = 1;
            for (int i = 0; i < MLKEM_N; i++) {
                int32_t diff = canon(r.c[i] - p.c[i]);
                if (diff > MLKEM_Q / 2)
                    diff = MLKEM_Q - diff;
                ok &= diff <= bound;
            }
            CHECK(ok);
        }

        /* The message round trip. */
        uint8_t m[32], m2[32];
        tu_rand(m, 32);
        mlkem_poly_from_msg(&p, m);
        mlkem_poly_to_msg(m2, &p);
        CHECK_MEM(m, m2, 32, "message round trip");
    }

    /* CBD_2 against the bitwise definition of FIPS 203 Algorithm 8. */
    uint8_t sigma[32], in[33], buf[128];
    tu_rand(sigma, 32);
    memcpy(in, sigma, 32);
    in[32] = 7;
    shake256(buf, sizeof buf, in, sizeof in);
    mlkem_poly_sample_cbd2(&p, sigma, 7);
    int ok = 1;
    for (int i = 0; i < MLKEM_N; i++) {
        int bits[4];
        for (int j = 0; j < 4; j++)
            bits[j] = (buf[(4 * i + j) / 8] >> ((4 * i + j) % 8)) & 1;
        ok &= p.c[i] == bits[0] + bits[1] - bits[2] - bits[3];
    }
    CHECK(ok);
}

/* Each accelerated ring function (AVX2) against the portable one on random inputs in its
 * documented input range: the same values modulo q, and outputs in the documented range. */
static void test_impls(void)
{
    unsigned long before = tu_failed;
    mlkem_poly a, b, out[2];
    for (int iter = 0; iter < 300; iter++) {
        int ok = 1;
        for (int f = 0; f < 3; f++) {
            /* NTT: |c| < q in; inverse NTT: |c| < 2^14 (a reduced basemul sum is less);
             * basemul: |c| < 2^12. */
            random_poly(&a, f == 0 ? MLKEM_Q : f == 1 ? 16384 : 4096);
            random_poly(&b, 4096);
            for (int m = 0; m < 2; m++) {
                tenon_cpu_set_mask(m == 0 ? 0 : UINT32_MAX);
                out[m] = f == 2 ? b : a;
                if (f == 0)
                    mlkem_poly_ntt(&out[m]);
                else if (f == 1)
                    mlkem_poly_invntt(&out[m]);
                else
                    mlkem_poly_basemul_acc(&out[m], &a, &b);
            }
            for (int i = 0; i < MLKEM_N; i++) {
                ok &= canon(out[0].c[i]) == canon(out[1].c[i]);
                if (f < 2)
                    ok &= out[1].c[i] > -MLKEM_Q && out[1].c[i] < MLKEM_Q;
            }
        }
        CHECK(ok);
    }
    tenon_cpu_set_mask(UINT32_MAX);
    printf("ring functions, accelerated (cpu features 0x%x) vs portable: %s\n",
           (unsigned)tenon_cpu_features(), tu_failed == before ? "same" : "MISMATCH");
}

/* The AVX2 compression and byte encodings against the portable ones, byte for byte: Compress_d
 * and ByteEncode (d = 1, 4, 5, 10, 11, 12) over every int16 coefficient value in every position
 * of a 16-lane group, Decompress_d and ByteDecode over random and extreme byte strings, the
 * modulus check with one value >= q at each position, Decompress_1 on random messages. */
static void test_encode_impls(void)
{
    unsigned long before = tu_failed;
    static const unsigned ds[] = {1, 4, 5, 10, 11, 12};
    static mlkem_poly p, r[2];
    uint8_t out[2][MLKEM_POLY_BYTES + 1];
    int ok = 1;
    for (int base = 0; base < 65536; base += MLKEM_N) {
        for (int i = 0; i < MLKEM_N; i++)
            /* every value, and each value in a different lane from one pass to the next */
            p.c[i] = (int16_t)(uint16_t)(base + ((i + base / MLKEM_N) % MLKEM_N));
        for (size_t k = 0; k < sizeof ds / sizeof ds[0]; k++) {
            unsigned d = ds[k];
            for (int m = 0; m < 2; m++) {
                tenon_cpu_set_mask(m == 0 ? 0 : UINT32_MAX);
                memset(out[m], 0xa5, sizeof out[m]);
                if (d == 1)
                    mlkem_poly_to_msg(out[m], &p);
                else if (d == 12)
                    mlkem_poly_encode12(out[m], &p);
                else
                    mlkem_poly_compress(out[m], &p, d);
            }
            ok &= memcmp(out[0], out[1], sizeof out[0]) == 0;
        }
    }
    CHECK(ok);
    for (int iter = 0; iter < 3000; iter++) {
        uint8_t in[MLKEM_POLY_BYTES];
        tu_rand(in, sizeof in);
        if (iter < 2)
            memset(in, iter == 0 ? 0x00 : 0xff, sizeof in);
        for (size_t k = 0; k < sizeof ds / sizeof ds[0]; k++) {
            unsigned d = ds[k];
            int rc[2] = {0, 0};
            if (d == 12 && iter >= 2 && iter % 2 == 0) {
                /* a valid ek polynomial, or one with a single value >= q at a random place */
                for (int i = 0; i < MLKEM_N; i++)
                    p.c[i] = (int16_t)(tu_rand_u64() % MLKEM_Q);
                if (iter % 4 == 0)
                    p.c[tu_rand_u64() % MLKEM_N] = (int16_t)(MLKEM_Q + tu_rand_u64() % 767);
                tenon_cpu_set_mask(0);
                uint16_t v[MLKEM_N];
                for (int i = 0; i < MLKEM_N; i++)
                    v[i] = (uint16_t)p.c[i];
                for (int i = 0; i < MLKEM_N; i += 2) {
                    in[3 * i / 2] = (uint8_t)v[i];
                    in[3 * i / 2 + 1] = (uint8_t)((v[i] >> 8) | (v[i + 1] << 4));
                    in[3 * i / 2 + 2] = (uint8_t)(v[i + 1] >> 4);
                }
            }
            for (int m = 0; m < 2; m++) {
                tenon_cpu_set_mask(m == 0 ? 0 : UINT32_MAX);
                memset(&r[m], 0x5a, sizeof r[m]);
                if (d == 1)
                    mlkem_poly_from_msg(&r[m], in);
                else if (d == 12) {
                    mlkem_poly_decode12(&r[m], in);
                    mlkem_poly r2;
                    rc[m] = mlkem_poly_decode12_check(&r2, in);
                    for (int i = 0; i < MLKEM_N; i++)
                        ok &= r2.c[i] ==
                              (int16_t)((in[3 * (i / 2) + i % 2] >> (4 * (i % 2)) |
                                         in[3 * (i / 2) + i % 2 + 1] << (8 - 4 * (i % 2))) &
                                        0xfff);
                } else
                    mlkem_poly_decompress(&r[m], in, d);
            }
            ok &= memcmp(&r[0], &r[1], sizeof r[0]) == 0 && rc[0] == rc[1];
        }
    }
    CHECK(ok);
    tenon_cpu_set_mask(UINT32_MAX);
    printf("compression and encodings, accelerated (cpu features 0x%x) vs portable: %s\n",
           (unsigned)tenon_cpu_features(), tu_failed == before ? "same" : "MISMATCH");
}

/* The four-at-a-time samplers (4-way Keccak with AVX2) give what the single ones give, NULL
 * entries included, on random seeds; and the unlucky rho of CCTV needs extra blocks. */
static void test_x4(void)
{
    unsigned long before = tu_failed;
    static mlkem_poly a[4], b[4];
    for (int iter = 0; iter < 200; iter++) {
        uint8_t seed[32], j[4], i[4], nonce[4];
        tu_rand(seed, 32);
        tu_rand(j, 4);
        tu_rand(i, 4);
        tu_rand(nonce, 4);
        mlkem_poly *dst[4] = {&a[0], &a[1], iter % 2 ? NULL : &a[2], &a[3]};
        memset(a, 0, sizeof a);
        mlkem_poly_sample_ntt_x4(dst, seed, j, i);
        for (int n = 0; n < 4; n++) {
            memset(&b[n], 0, sizeof b[n]);
            if (dst[n] != NULL)
                mlkem_poly_sample_ntt(&b[n], seed, j[n], i[n]);
        }
        CHECK(memcmp(a, b, sizeof a) == 0);
        memset(a, 0, sizeof a);
        mlkem_poly_sample_cbd2_x4(dst, seed, nonce);
        for (int n = 0; n < 4; n++) {
            memset(&b[n], 0, sizeof b[n]);
            if (dst[n] != NULL)
                mlkem_poly_sample_cbd2(&b[n], seed, nonce[n]);
        }
        CHECK(memcmp(a, b, sizeof a) == 0);
    }
    printf("4-way samplers (cpu features 0x%x): %s\n", (unsigned)tenon_cpu_features(),
           tu_failed == before ? "same as single" : "MISMATCH");
}

/* ------------------------------------------------------------------------------------------
 * CCTV files
 * ------------------------------------------------------------------------------------------ */

/* A "name = value" text file: the values of each name, in order. */
struct kv {
    char *name, *value;
};
struct kvfile {
    struct kv *items;
    size_t n;
};

static int read_kv(const char *rel, struct kvfile *f)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", vectors_dir(), rel);
    FILE *fp = fopen(path, "r");
    memset(f, 0, sizeof *f);
    if (fp == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        CHECK(0);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, fp)) > 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        char *eq = strstr(line, " = ");
        if (eq == NULL)
            continue;
        *eq = '\0';
        /* "dkPKE = NTT(s) = ...": the value follows the last " = ". */
        for (char *more; (more = strstr(eq + 3, " = ")) != NULL;)
            eq = more;
        f->items = realloc(f->items, (f->n + 1) * sizeof *f->items);
        if (f->items == NULL)
            abort();
        f->items[f->n].name = strdup(line);
        f->items[f->n].value = strdup(eq + 3);
        f->n++;
    }
    free(line);
    fclose(fp);
    return 0;
}

/* The nth (0-based) value of name, hex-decoded (aborts the test if missing). */
static uint8_t *kv_hex(const struct kvfile *f, const char *name, int nth, size_t *len)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->items[i].name, name) == 0 && nth-- == 0)
            return tu_hex(f->items[i].value, len);
    fprintf(stderr, "vector value %s missing\n", name);
    abort();
}

static void free_kv(struct kvfile *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->items[i].name);
        free(f->items[i].value);
    }
    free(f->items);
}

/* CHECK_MEM of an encoded vector of polynomials against the named value. */
static void check_polys(const struct kvfile *f, const char *name, int nth, const mlkem_poly *v,
                        unsigned n)
{
    size_t len;
    uint8_t *want = kv_hex(f, name, nth, &len);
    uint8_t got[MLKEM_MAX_K * MLKEM_MAX_K * MLKEM_POLY_BYTES];
    for (unsigned i = 0; i < n; i++)
        mlkem_poly_encode12(got + MLKEM_POLY_BYTES * i, &v[i]);
    if (CHECK(len == n * MLKEM_POLY_BYTES))
        CHECK_MEM(got, want, len, name);
    free(want);
}

static void check_bytes(const struct kvfile *f, const char *name, int nth, const uint8_t *got,
                        size_t got_len)
{
    size_t len;
    uint8_t *want = kv_hex(f, name, nth, &len);
    if (CHECK(len == got_len))
        CHECK_MEM(got, want, len, name);
    free(want);
}

/* Every intermediate value of KeyGen, Encaps and Decaps, recomputed step by step with the ring
 * functions, then the same keys and ciphertext through the API. */
static void test_intermediate(const tenon_kem_class *kem)
{
    unsigned k = kem == &tenon_kem_mlkem768 ? 3 : 4, du = k == 3 ? 10 : 11, dv = k == 3 ? 4 : 5;
    char rel[128];
    snprintf(rel, sizeof rel, "cctv-mlkem/intermediate/%s.txt", kem->name);
    struct kvfile f;
    if (read_kv(rel, &f) != 0)
        return;
    unsigned long before = tu_failed;
    size_t len;
    uint8_t *d = kv_hex(&f, "d", 0, &len), *z = kv_hex(&f, "z", 0, &len),
            *m = kv_hex(&f, "m", 0, &len);

    /* K-PKE.KeyGen. The file follows the FIPS 203 initial public draft, whose step 1 is
     * G(d); the final standard's is G(d || k) (Algorithm 13), which the Wycheproof keygen
     * vectors check. Every later step is the same in both. */
    uint8_t rs[64];
    sha3_512(rs, d, 32);
    check_bytes(&f, "ρ", 0, rs, 32);
    check_bytes(&f, "σ", 0, rs + 32, 32);
    static mlkem_poly a[16], s[4], e[4], t[4], y[4], e1[4], u[4], tmp[4];
    mlkem_poly e2, v, mu, w;
    for (unsigned i = 0; i < k; i++)
        for (unsigned j = 0; j < k; j++)
            mlkem_poly_sample_ntt(&a[i * k + j], rs, (uint8_t)j, (uint8_t)i);
    check_polys(&f, "A", 0, a, k * k);
    for (unsigned i = 0; i < k; i++) {
        mlkem_poly_sample_cbd2(&s[i], rs + 32, (uint8_t)i);
        mlkem_poly_sample_cbd2(&e[i], rs + 32, (uint8_t)(k + i));
    }
    check_polys(&f, "s", 0, s, k);
    check_polys(&f, "e", 0, e, k);
    for (unsigned i = 0; i < k; i++) {
        mlkem_poly_ntt(&s[i]);
        mlkem_poly_ntt(&e[i]);
    }
    check_polys(&f, "NTT(e)", 0, e, k);
    check_polys(&f, "dkPKE", 0, s, k);
    for (unsigned i = 0; i < k; i++) {
        memset(&t[i], 0, sizeof t[i]);
        for (unsigned j = 0; j < k; j++)
            mlkem_poly_basemul_acc(&t[i], &a[i * k + j], &s[j]);
        mlkem_poly_reduce(&t[i]);
        mlkem_poly_tomont(&t[i]);
        mlkem_poly_add(&t[i], &t[i], &e[i]);
    }
    check_polys(&f, "t", 0, t, k);

    /* ek = ByteEncode12(t^) || rho; dk = dk_PKE || ek || H(ek) || z. */
    uint8_t ek[TENON_KEM_MAX_EK_LEN], hm[64], kr[64];
    for (unsigned i = 0; i < k; i++)
        mlkem_poly_encode12(ek + MLKEM_POLY_BYTES * i, &t[i]);
    memcpy(ek + MLKEM_POLY_BYTES * k, rs, 32);
    check_bytes(&f, "ek", 0, ek, kem->ek_len);
    size_t dl;
    uint8_t *dk = kv_hex(&f, "dk", 0, &dl);
    CHECK(dl == kem->dk_len);
    CHECK_MEM(dk + MLKEM_POLY_BYTES * k, ek, kem->ek_len, "ek in dk");
    CHECK_MEM(dk + dl - 32, z, 32, "z in dk");

    /* K-PKE.Encrypt with (K, r) = G(m || H(ek)) */
    memcpy(hm, m, 32);
    sha3_256(hm + 32, ek, kem->ek_len);
    check_bytes(&f, "H(ek)", 0, hm + 32, 32);
    sha3_512(kr, hm, 64);
    check_bytes(&f, "K", 0, kr, 32);
    check_bytes(&f, "r", 0, kr + 32, 32);
    mlkem_poly_from_msg(&mu, m);
    check_polys(&f, "μ", 0, &mu, 1);
    for (unsigned i = 0; i < k; i++) {
        mlkem_poly_sample_cbd2(&y[i], kr + 32, (uint8_t)i);
        mlkem_poly_sample_cbd2(&e1[i], kr + 32, (uint8_t)(k + i));
    }
    mlkem_poly_sample_cbd2(&e2, kr + 32, (uint8_t)(2 * k));
    check_polys(&f, "r", 1, y, k);
    check_polys(&f, "e1", 0, e1, k);
    check_polys(&f, "e2", 0, &e2, 1);
    for (unsigned i = 0; i < k; i++)
        mlkem_poly_ntt(&y[i]);
    check_polys(&f, "NTT(r)", 0, y, k);
    uint8_t c[TENON_KEM_MAX_CT_LEN];
    for (unsigned i = 0; i < k; i++) {
        memset(&u[i], 0, sizeof u[i]);
        for (unsigned j = 0; j < k; j++)
            mlkem_poly_basemul_acc(&u[i], &a[j * k + i], &y[j]);
        mlkem_poly_reduce(&u[i]);
        mlkem_poly_invntt(&u[i]);
        mlkem_poly_add(&u[i], &u[i], &e1[i]);
        mlkem_poly_compress(c + 32 * du * i, &u[i], du);
    }
    check_polys(&f, "u", 0, u, k);
    check_bytes(&f, "c1", 0, c, 32 * du * k);
    memset(&v, 0, sizeof v);
    for (unsigned j = 0; j < k; j++)
        mlkem_poly_basemul_acc(&v, &t[j], &y[j]);
    mlkem_poly_reduce(&v);
    mlkem_poly_invntt(&v);
    mlkem_poly_add(&v, &v, &e2);
    mlkem_poly_add(&v, &v, &mu);
    check_polys(&f, "v", 0, &v, 1);
    mlkem_poly_compress(c + 32 * du * k, &v, dv);
    check_bytes(&f, "c2", 0, c + 32 * du * k, 32 * dv);
    check_bytes(&f, "c", 0, c, kem->ct_len);

    /* K-PKE.Decrypt */
    for (unsigned i = 0; i < k; i++)
        mlkem_poly_decompress(&tmp[i], c + 32 * du * i, du);
    check_polys(&f, "uᵈ", 0, tmp, k);
    for (unsigned i = 0; i < k; i++)
        mlkem_poly_ntt(&tmp[i]);
    check_polys(&f, "NTT(uᵈ)", 0, tmp, k);
    mlkem_poly_decompress(&v, c + 32 * du * k, dv);
    check_polys(&f, "vᵈ", 0, &v, 1);
    memset(&w, 0, sizeof w);
    for (unsigned j = 0; j < k; j++)
        mlkem_poly_basemul_acc(&w, &s[j], &tmp[j]);
    mlkem_poly_reduce(&w);
    mlkem_poly_invntt(&w);
    mlkem_poly_sub(&w, &v, &w);
    check_polys(&f, "w", 0, &w, 1);
    uint8_t m2[32];
    mlkem_poly_to_msg(m2, &w);
    CHECK_MEM(m2, m, 32, "decrypted m");

    /* The API on the same ek, m and dk; KBar is J(z || c). */
    uint8_t c2[TENON_KEM_MAX_CT_LEN], ss[32], ss2[32], zc[32 + TENON_KEM_MAX_CT_LEN];
    CHECK_RC(kem->encaps_m(ek, kem->ek_len, m, c2, ss), TENON_OK);
    CHECK_MEM(c2, c, kem->ct_len, "encaps_m c");
    check_bytes(&f, "K", 0, ss, 32);
    CHECK_RC(kem->decaps(dk, kem->dk_len, c, kem->ct_len, ss2), TENON_OK);
    CHECK_MEM(ss2, ss, 32, "decaps K");
    memcpy(zc, z, 32);
    memcpy(zc + 32, c, kem->ct_len);
    shake256(ss2, 32, zc, 32 + kem->ct_len);
    check_bytes(&f, "KBar", 0, ss2, 32);

    printf("cctv intermediate %s: %s\n", kem->name,
           tu_failed == before ? "all steps match" : "MISMATCH");
    free(d);
    free(z);
    free(m);
    free(dk);
    free_kv(&f);
}

/* modulus/: every line an ek with one coefficient in [q, 2^12): refused by check_ek, encaps
 * and encaps_m. */
static void test_modulus(const tenon_kem_class *kem)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "gzip -dc '%s/cctv-mlkem/modulus/%s.txt.gz'", vectors_dir(),
             kem->name);
    FILE *p = popen(cmd, "r");
    if (!CHECK(p != NULL))
        return;
    char *line = NULL;
    size_t cap = 0, n = 0, refused = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, p)) > 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        size_t el;
        uint8_t *ek = tu_hex(line, &el), ct[TENON_KEM_MAX_CT_LEN], ss[32], m[32] = {1};
        n++;
        int r1 = kem->check_ek(ek, el), r2 = kem->encaps_m(ek, el, m, ct, ss),
            r3 = kem->encaps(ek, el, ct, ss);
        refused += el == kem->ek_len && r1 == TENON_ERR_BAD_PUBLIC_KEY &&
                   r2 == TENON_ERR_BAD_PUBLIC_KEY && r3 == TENON_ERR_BAD_PUBLIC_KEY;
        free(ek);
    }
    free(line);
    CHECK(pclose(p) == 0);
    CHECK(n > 0 && refused == n);
    tu_passed += refused;
    printf("cctv modulus %s: %zu invalid keys, %zu refused\n", kem->name, n, refused);
}

/* unluckysample/ (d, z, ek, dk, m, K, c: SampleNTT needs many XOF blocks) and strcmp/ (dk, c,
 * K: the re-encryption differs from c after a zero byte). */
static void test_unlucky_strcmp(const tenon_kem_class *kem)
{
    char rel[128];
    struct kvfile f;
    size_t len;
    unsigned long before = tu_failed;
    snprintf(rel, sizeof rel, "cctv-mlkem/unluckysample/%s.txt", kem->name);
    if (read_kv(rel, &f) == 0) {
        uint8_t *d = kv_hex(&f, "d", 0, &len), *z = kv_hex(&f, "z", 0, &len),
                *m = kv_hex(&f, "m", 0, &len);
        uint8_t seed[64], ek[TENON_KEM_MAX_EK_LEN], dk[TENON_KEM_MAX_DK_LEN],
            c[TENON_KEM_MAX_CT_LEN], ss[32];
        memcpy(seed, d, 32);
        memcpy(seed + 32, z, 32);
        /* Like the intermediate values, these follow the draft's KeyGen (G(d)); Encaps and
         * Decaps are the final standard's, and they expand the same unlucky matrix. */
        CHECK_RC(mlkem_keygen_seed_draft(kem, seed, ek, dk), TENON_OK);
        check_bytes(&f, "ek", 0, ek, kem->ek_len);
        check_bytes(&f, "dk", 0, dk, kem->dk_len);
        CHECK_RC(kem->encaps_m(ek, kem->ek_len, m, c, ss), TENON_OK);
        check_bytes(&f, "c", 0, c, kem->ct_len);
        check_bytes(&f, "K", 0, ss, 32);
        CHECK_RC(kem->decaps(dk, kem->dk_len, c, kem->ct_len, ss), TENON_OK);
        check_bytes(&f, "K", 0, ss, 32);
        free(d);
        free(z);
        free(m);
        free_kv(&f);
    }
    snprintf(rel, sizeof rel, "cctv-mlkem/strcmp/%s.txt", kem->name);
    if (read_kv(rel, &f) == 0) {
        size_t dl, cl;
        uint8_t *dk = kv_hex(&f, "dk", 0, &dl), *c = kv_hex(&f, "c", 0, &cl), ss[32];
        CHECK_RC(kem->decaps(dk, dl, c, cl, ss), TENON_OK);
        check_bytes(&f, "K", 0, ss, 32);
        free(dk);
        free(c);
        free_kv(&f);
    }
    printf("cctv unluckysample + strcmp %s: %s\n", kem->name,
           tu_failed == before ? "match" : "MISMATCH");
}

/* The accumulated pq-crystals vectors (CCTV README): inputs from one SHAKE-128 stream with an
 * empty input, outputs into another SHAKE-128, whose first 32 bytes are the hash. */
static void accumulated(const tenon_kem_class *kem, unsigned long count, const char *want_hex)
{
    sha3_ctx rng, acc;
    shake128_init(&rng);
    shake128_init(&acc);
    uint8_t seed[64], m[32], ct[TENON_KEM_MAX_CT_LEN], ct2[TENON_KEM_MAX_CT_LEN], ss[32], ss2[32],
        ek[TENON_KEM_MAX_EK_LEN], dk[TENON_KEM_MAX_DK_LEN];
    unsigned long bad = 0;
    for (unsigned long i = 0; i < count; i++) {
        sha3_squeeze(&rng, seed, 64); /* d, then z */
        sha3_squeeze(&rng, m, 32);
        sha3_squeeze(&rng, ct2, kem->ct_len);
        /* The draft's KeyGen, as the README's hashes were computed with it (pq-crystals
         * before FIPS 203 added k to G's input). */
        bad += mlkem_keygen_seed_draft(kem, seed, ek, dk) != 0;
        bad += kem->encaps_m(ek, kem->ek_len, m, ct, ss) != 0;
        bad += kem->decaps(dk, kem->dk_len, ct, kem->ct_len, ss2) != 0;
        bad += memcmp(ss, ss2, 32) != 0;
        sha3_absorb(&acc, ek, kem->ek_len);
        sha3_absorb(&acc, dk, kem->dk_len);
        sha3_absorb(&acc, ct, kem->ct_len);
        sha3_absorb(&acc, ss, 32);
        bad += kem->decaps(dk, kem->dk_len, ct2, kem->ct_len, ss2) != 0;
        sha3_absorb(&acc, ss2, 32);
    }
    uint8_t got[32];
    sha3_squeeze(&acc, got, 32);
    size_t n;
    uint8_t *want = tu_hex(want_hex, &n);
    CHECK(bad == 0);
    CHECK_MEM(got, want, 32, "accumulated hash");
    printf("cctv accumulated %s, %lu tests: %s\n", kem->name, count,
           bad == 0 && memcmp(got, want, 32) == 0 ? "hash matches" : "MISMATCH");
    free(want);
}

/* ------------------------------------------------------------------------------------------
 * API behaviour
 * ------------------------------------------------------------------------------------------ */

static void test_api(const tenon_kem_class *kem)
{
    uint8_t ek[TENON_KEM_MAX_EK_LEN], dk[TENON_KEM_MAX_DK_LEN], ct[TENON_KEM_MAX_CT_LEN], ss[32],
        ss2[32], seed[64], zc[32 + TENON_KEM_MAX_CT_LEN];
    unsigned long before = tu_failed;
    CHECK(kem->ss_len == TENON_KEM_SS_LEN);
    CHECK(kem->ek_len <= TENON_KEM_MAX_EK_LEN && kem->dk_len <= TENON_KEM_MAX_DK_LEN &&
          kem->ct_len <= TENON_KEM_MAX_CT_LEN);
    for (int iter = 0; iter < 20; iter++) {
        /* Random keys, both encapsulations, both decapsulations. */
        CHECK_RC(kem->keygen(ek, dk), TENON_OK);
        CHECK_RC(kem->check_ek(ek, kem->ek_len), TENON_OK);
        CHECK_RC(kem->encaps(ek, kem->ek_len, ct, ss), TENON_OK);
        CHECK_RC(kem->decaps(dk, kem->dk_len, ct, kem->ct_len, ss2), TENON_OK);
        CHECK_MEM(ss, ss2, 32, "keygen/encaps/decaps");
        tu_rand(seed, 64);
        CHECK_RC(kem->keygen_seed(seed, ek, dk), TENON_OK);
        CHECK_RC(kem->encaps(ek, kem->ek_len, ct, ss), TENON_OK);
        CHECK_RC(kem->decaps_seed(seed, ct, kem->ct_len, ss2), TENON_OK);
        CHECK_MEM(ss, ss2, 32, "decaps_seed");
        /* dk ends with z. */
        CHECK_MEM(dk + kem->dk_len - 32, seed + 32, 32, "z in dk");
        /* ek alone (dk NULL) is the same ek. */
        uint8_t ek2[TENON_KEM_MAX_EK_LEN];
        CHECK_RC(kem->keygen_seed(seed, ek2, NULL), TENON_OK);
        CHECK_MEM(ek2, ek, kem->ek_len, "keygen_seed without dk");

        /* A changed ciphertext decapsulates to J(z || c') through both paths. */
        ct[tu_rand_u64() % kem->ct_len] ^= (uint8_t)(1u << (tu_rand_u64() % 8));
        memcpy(zc, seed + 32, 32);
        memcpy(zc + 32, ct, kem->ct_len);
        uint8_t kbar[32];
        shake256(kbar, 32, zc, 32 + kem->ct_len);
        CHECK_RC(kem->decaps(dk, kem->dk_len, ct, kem->ct_len, ss2), TENON_OK);
        CHECK_MEM(ss2, kbar, 32, "implicit rejection (decaps)");
        CHECK_RC(kem->decaps_seed(seed, ct, kem->ct_len, ss2), TENON_OK);
        CHECK_MEM(ss2, kbar, 32, "implicit rejection (decaps_seed)");
    }

    /* §7.2: lengths and the modulus check. */
    CHECK_RC(kem->check_ek(ek, kem->ek_len - 1), TENON_ERR_BAD_PUBLIC_KEY);
    CHECK_RC(kem->check_ek(ek, kem->ek_len + 1), TENON_ERR_BAD_PUBLIC_KEY);
    CHECK_RC(kem->check_ek(NULL, kem->ek_len), TENON_ERR_BAD_PUBLIC_KEY);
    CHECK_RC(kem->encaps(ek, kem->ek_len + 1, ct, ss), TENON_ERR_BAD_PUBLIC_KEY);
    uint8_t bad_ek[TENON_KEM_MAX_EK_LEN];
    memcpy(bad_ek, ek, kem->ek_len);
    bad_ek[0] = 0x01; /* coefficient 0 = 0xd01 = 3329 = q */
    bad_ek[1] = (uint8_t)((bad_ek[1] & 0xf0) | 0x0d);
    CHECK_RC(kem->check_ek(bad_ek, kem->ek_len), TENON_ERR_BAD_PUBLIC_KEY);
    bad_ek[0] = 0x00; /* 0xd00 = q - 1 is fine */
    CHECK_RC(kem->check_ek(bad_ek, kem->ek_len), TENON_OK);
    /* rho (the last 32 bytes) is not range-checked. */
    memcpy(bad_ek, ek, kem->ek_len);
    memset(bad_ek + kem->ek_len - 32, 0xff, 32);
    CHECK_RC(kem->check_ek(bad_ek, kem->ek_len), TENON_OK);

    /* §7.3: lengths and the hash check (a changed ek or H(ek) inside dk). */
    CHECK_RC(kem->decaps(dk, kem->dk_len, ct, kem->ct_len - 1, ss), TENON_ERR_BAD_PUBLIC_KEY);
    CHECK_RC(kem->decaps(dk, kem->dk_len, ct, kem->ct_len + 1, ss), TENON_ERR_BAD_PUBLIC_KEY);
    CHECK_RC(kem->decaps(dk, kem->dk_len - 1, ct, kem->ct_len, ss), TENON_ERR_BAD_PRIVATE_KEY);
    CHECK_RC(kem->decaps_seed(seed, ct, kem->ct_len + 1, ss), TENON_ERR_BAD_PUBLIC_KEY);
    size_t dk_ek = 384 * (kem->dk_len - 96) / 768, dk_h = dk_ek + kem->ek_len;
    dk[dk_ek + 5] ^= 1;
    CHECK_RC(kem->decaps(dk, kem->dk_len, ct, kem->ct_len, ss), TENON_ERR_BAD_PRIVATE_KEY);
    dk[dk_ek + 5] ^= 1;
    dk[dk_h + 31] ^= 0x80;
    CHECK_RC(kem->decaps(dk, kem->dk_len, ct, kem->ct_len, ss), TENON_ERR_BAD_PRIVATE_KEY);
    dk[dk_h + 31] ^= 0x80;
    CHECK_RC(kem->decaps(dk, kem->dk_len, ct, kem->ct_len, ss), TENON_OK);
    CHECK_RC(kem->encaps_m(ek, kem->ek_len, NULL, ct, ss), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(kem->keygen_seed(NULL, ek, dk), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(kem->keygen_seed(seed, NULL, dk), TENON_ERR_INVALID_ARGUMENT);
    printf("api %s: %s\n", kem->name, tu_failed == before ? "ok" : "FAILED");
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--million") == 0) {
        accumulated(&tenon_kem_mlkem768, 1000000,
                    "70090cc5842aad0ec43d5042c783fae9bc320c047b5dafcb6e134821db02384d");
        accumulated(&tenon_kem_mlkem1024, 1000000,
                    "7ccc6d803739d3db3c5ce39c7130f459db32a199c6605e3be210e5a89d4c4b95");
        return tu_finish("test_mlkem --million");
    }
    CHECK(strcmp(tenon_kem_mlkem768.name, "ML-KEM-768") == 0 &&
          tenon_kem_mlkem768.ek_len == TENON_MLKEM768_EK_LEN &&
          tenon_kem_mlkem768.dk_len == TENON_MLKEM768_DK_LEN &&
          tenon_kem_mlkem768.ct_len == TENON_MLKEM768_CT_LEN);
    CHECK(strcmp(tenon_kem_mlkem1024.name, "ML-KEM-1024") == 0 &&
          tenon_kem_mlkem1024.ek_len == TENON_MLKEM1024_EK_LEN &&
          tenon_kem_mlkem1024.dk_len == TENON_MLKEM1024_DK_LEN &&
          tenon_kem_mlkem1024.ct_len == TENON_MLKEM1024_CT_LEN);
    test_arith();
    for (size_t i = 0; i < 2; i++) {
        test_intermediate(kems[i]);
        test_modulus(kems[i]);
        test_unlucky_strcmp(kems[i]);
        test_api(kems[i]);
    }
    test_impls();
    test_encode_impls();
    test_x4();
    /* CCTV README: 10,000 tests, with the portable code forced and with the accelerated paths
     * the CPU allows. */
    static const uint32_t masks[] = {0, UINT32_MAX};
    for (size_t m = 0; m < 2; m++) {
        tenon_cpu_set_mask(masks[m]);
        printf("cpu features 0x%x\n", (unsigned)tenon_cpu_features());
        accumulated(&tenon_kem_mlkem768, 10000,
                    "f7db260e1137a742e05fe0db9525012812b004d29040a5b606aad3d134b548d3");
        accumulated(&tenon_kem_mlkem1024, 10000,
                    "47ac888fe61544efc0518f46094b4f8a600965fc89822acb06dc7169d24f3543");
    }
    return tu_finish("test_mlkem");
}
