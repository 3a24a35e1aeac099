/*
 * ML-KEM-768 and ML-KEM-1024 (FIPS 203): K-PKE (§5) and the KEM around it (§6, §7), on the
 * ring arithmetic of mlkem_poly.c and the hash functions of sha3.c.
 *
 * Why it is built this way:
 * - One set of functions serves both parameter sets; k, du and dv come from mlkem_params.
 * - The matrix A^ is expanded whole into the work area (k^2 polynomials) rather than an entry
 *   at a time: decaps_seed computes t^ = A^ s^ + e^ and then re-encrypts with the same A^, so
 *   it expands the matrix once instead of twice, and the 4-way Keccak (AVX2) fills four
 *   entries at a time. The noise polynomials are sampled four at a time for the same reason.
 * - All secrets of an operation (s, e, y, e1, e2, m, r, K, the decrypted message and the
 *   unrounded u and v) live in one work struct on the stack, wiped before returning. Its public
 *   part (A^ and t^, both from ek) is not wiped. The largest struct (ML-KEM-1024 decapsulation)
 *   is about 23 KB.
 * - Decaps re-encrypts and compares in constant time; the implicit-rejection key replaces K'
 *   through a mask (FIPS 203 Algorithm 18 steps 9-10), so neither the compare's outcome nor
 *   the position of a difference reaches a branch or an address.
 */
#include "../common.h"
#include "ct.h"
#include "mlkem.h"
#include "mlkem_poly.h"
#include "sha3.h"
#include "tenon/crypto.h"
#include "tenon/kem.h"

typedef struct mlkem_params {
    unsigned k, du, dv;
    size_t ek_len, dk_len, ct_len;
} mlkem_params;

/* FIPS 203 §8 Table 2. eta1 = eta2 = 2 for both, so it is not a parameter here. */
static const mlkem_params mlkem768_params = {
    3, 10, 4, TENON_MLKEM768_EK_LEN, TENON_MLKEM768_DK_LEN, TENON_MLKEM768_CT_LEN};
static const mlkem_params mlkem1024_params = {
    4, 11, 5, TENON_MLKEM1024_EK_LEN, TENON_MLKEM1024_DK_LEN, TENON_MLKEM1024_CT_LEN};

typedef struct mlkem_work {
    /* Public: the matrix (entry [i][j] at i k + j) and t^ (both derive from ek). */
    mlkem_poly a[MLKEM_MAX_K * MLKEM_MAX_K];
    mlkem_poly t[MLKEM_MAX_K];
    /* Secret: everything below is wiped. */
    mlkem_poly s[MLKEM_MAX_K]; /* s^ (KeyGen, Decaps) */
    mlkem_poly y[MLKEM_MAX_K]; /* e^ in KeyGen; y^ in Encrypt */
    mlkem_poly u[MLKEM_MAX_K];
    mlkem_poly e[MLKEM_MAX_K + 1]; /* e1 and e2 (Encrypt) */
    mlkem_poly v, tmp;
    uint8_t seeds[64];                     /* rho || sigma (KeyGen) or K || r (Encaps, Decaps) */
    uint8_t hm[64];                        /* m || H(ek) (Encaps, Decaps) */
    uint8_t kbar[32];                      /* the implicit-rejection key (Decaps) */
    uint8_t zc[32 + TENON_KEM_MAX_CT_LEN]; /* z || c for J (Decaps) */
    uint8_t ct2[TENON_KEM_MAX_CT_LEN];     /* the re-encryption c' (Decaps) */
} mlkem_work;

static void work_wipe(mlkem_work *w)
{
    tenon_wipe(&w->s, sizeof *w - offsetof(mlkem_work, s));
}

/* FIPS 203 Algorithm 13 steps 3-7 and Algorithm 14 steps 3-8: A^[i, j] = SampleNTT(rho || j ||
 * i), four entries at a time (one 4-way Keccak where the CPU has AVX2). */
static void gen_matrix(mlkem_work *w, const mlkem_params *p, const uint8_t rho[32])
{
    unsigned total = p->k * p->k;
    /* A lone last entry (ML-KEM-768's ninth) costs less on the one-way Keccak than in a
     * four-way permutation that computes three unused states. */
    if (total % 4 == 1) {
        total--;
        mlkem_poly_sample_ntt(&w->a[total], rho, (uint8_t)(total % p->k), (uint8_t)(total / p->k));
    }
    for (unsigned e = 0; e < total; e += 4) {
        mlkem_poly *dst[4];
        uint8_t jj[4], ii[4];
        for (unsigned n = 0; n < 4; n++) {
            unsigned idx = e + n;
            dst[n] = idx < total ? &w->a[idx] : NULL;
            ii[n] = (uint8_t)(idx / p->k);
            jj[n] = (uint8_t)(idx % p->k);
        }
        mlkem_poly_sample_ntt_x4(dst, rho, jj, ii);
    }
}

/* dst[n] = CBD_2(PRF(seed, first_nonce + n)) for n < count, four at a time. */
static void sample_noise(mlkem_poly *const *dst, unsigned count, const uint8_t seed[32],
                         unsigned first_nonce)
{
    for (unsigned e = 0; e < count; e += 4) {
        mlkem_poly *d4[4];
        uint8_t nonce[4];
        for (unsigned n = 0; n < 4; n++) {
            d4[n] = e + n < count ? dst[e + n] : NULL;
            nonce[n] = (uint8_t)(first_nonce + e + n);
        }
        mlkem_poly_sample_cbd2_x4(d4, seed, nonce);
    }
}

/* r[i] = sum_j M[i][j] o v[j] (or M[j][i] when transposed), times R^-1, reduced. */
static void mat_vec(mlkem_poly *r, const mlkem_poly *m, const mlkem_poly *v, unsigned k,
                    int transposed)
{
    for (unsigned i = 0; i < k; i++) {
        memset(&r[i], 0, sizeof r[i]);
        for (unsigned j = 0; j < k; j++)
            mlkem_poly_basemul_acc(&r[i], &m[transposed ? j * k + i : i * k + j], &v[j]);
        mlkem_poly_reduce(&r[i]);
    }
}

/* r = sum_j a[j] o b[j], times R^-1, reduced. */
static void inner(mlkem_poly *r, const mlkem_poly *a, const mlkem_poly *b, unsigned k)
{
    memset(r, 0, sizeof *r);
    for (unsigned j = 0; j < k; j++)
        mlkem_poly_basemul_acc(r, &a[j], &b[j]);
    mlkem_poly_reduce(r);
}

/* K-PKE.KeyGen (FIPS 203 Algorithm 13) up to the encoding: w->a = A^, w->s = s^, w->t = t^,
 * rho copied out. draft: step 1 as in the initial public draft (mlkem.h). */
static void pke_keygen(mlkem_work *w, const mlkem_params *p, const uint8_t d[32], uint8_t rho[32],
                       int draft)
{
    uint8_t g_in[33];
    /* Step 1: (rho, sigma) = G(d || k). */
    memcpy(g_in, d, 32);
    g_in[32] = (uint8_t)p->k;
    sha3_512(w->seeds, g_in, draft ? 32 : sizeof g_in);
    tenon_wipe(g_in, sizeof g_in);
    memcpy(rho, w->seeds, 32);
    /* rho is public (the last 32 bytes of ek), and SampleNTT branches on the XOF output it
     * seeds; sigma stays secret. */
    ct_declassify(rho, 32);
    const uint8_t *sigma = w->seeds + 32;
    gen_matrix(w, p, rho);
    /* Steps 8-15: s and e from CBD_eta1(PRF(sigma, N)), N = 0 .. 2k - 1; steps 16-17. */
    mlkem_poly *noise[2 * MLKEM_MAX_K];
    for (unsigned i = 0; i < p->k; i++) {
        noise[i] = &w->s[i];
        noise[p->k + i] = &w->y[i];
    }
    sample_noise(noise, 2 * p->k, sigma, 0);
    for (unsigned i = 0; i < p->k; i++) {
        mlkem_poly_ntt(&w->s[i]);
        mlkem_poly_ntt(&w->y[i]);
    }
    /* Step 18: t^ = A^ o s^ + e^ (tomont cancels basemul's R^-1). */
    mat_vec(w->t, w->a, w->s, p->k, 0);
    for (unsigned i = 0; i < p->k; i++) {
        mlkem_poly_tomont(&w->t[i]);
        mlkem_poly_add(&w->t[i], &w->t[i], &w->y[i]);
        mlkem_poly_reduce(&w->t[i]);
    }
}

/* Algorithm 13 step 19: ek = ByteEncode12(t^) || rho. */
static void encode_ek(const mlkem_work *w, const mlkem_params *p, uint8_t *ek,
                      const uint8_t rho[32])
{
    for (unsigned i = 0; i < p->k; i++)
        mlkem_poly_encode12(ek + MLKEM_POLY_BYTES * i, &w->t[i]);
    memcpy(ek + MLKEM_POLY_BYTES * p->k, rho, 32);
}

/* K-PKE.Encrypt (FIPS 203 Algorithm 14) from step 9, with A^ in w->a and t^ in w->t. */
static void pke_encrypt(mlkem_work *w, const mlkem_params *p, uint8_t *ct, const uint8_t m[32],
                        const uint8_t r[32])
{
    unsigned k = p->k;
    /* Steps 9-17: y from N = 0 .. k - 1, e1 from k .. 2k - 1, e2 from 2k; step 18. */
    mlkem_poly *noise[2 * MLKEM_MAX_K + 1];
    for (unsigned i = 0; i < k; i++) {
        noise[i] = &w->y[i];
        noise[k + i] = &w->e[i];
    }
    noise[2 * k] = &w->e[k];
    sample_noise(noise, 2 * k + 1, r, 0);
    for (unsigned i = 0; i < k; i++)
        mlkem_poly_ntt(&w->y[i]);
    /* Step 19: u = NTT^-1(A^T o y^) + e1, then c1 = ByteEncode_du(Compress_du(u)). */
    mat_vec(w->u, w->a, w->y, k, 1);
    for (unsigned i = 0; i < k; i++) {
        mlkem_poly_invntt(&w->u[i]);
        mlkem_poly_add(&w->u[i], &w->u[i], &w->e[i]);
        mlkem_poly_compress(ct + 32 * p->du * i, &w->u[i], p->du);
    }
    /* Steps 20-21: v = NTT^-1(t^T o y^) + e2 + mu, c2 = ByteEncode_dv(Compress_dv(v)). */
    inner(&w->v, w->t, w->y, k);
    mlkem_poly_invntt(&w->v);
    mlkem_poly_add(&w->v, &w->v, &w->e[k]);
    mlkem_poly_from_msg(&w->tmp, m);
    mlkem_poly_add(&w->v, &w->v, &w->tmp);
    mlkem_poly_compress(ct + 32 * p->du * k, &w->v, p->dv);
}

/* K-PKE.Decrypt (FIPS 203 Algorithm 15) with s^ in w->s. */
static void pke_decrypt(mlkem_work *w, const mlkem_params *p, uint8_t m[32], const uint8_t *ct)
{
    unsigned k = p->k;
    /* Steps 3-4: u' and v' decompressed. */
    for (unsigned i = 0; i < k; i++) {
        mlkem_poly_decompress(&w->u[i], ct + 32 * p->du * i, p->du);
        mlkem_poly_ntt(&w->u[i]);
    }
    mlkem_poly_decompress(&w->v, ct + 32 * p->du * k, p->dv);
    /* Steps 6-7: w = v' - NTT^-1(s^T o NTT(u')), m = ByteEncode1(Compress1(w)). */
    inner(&w->tmp, w->s, w->u, k);
    mlkem_poly_invntt(&w->tmp);
    mlkem_poly_sub(&w->tmp, &w->v, &w->tmp);
    mlkem_poly_to_msg(m, &w->tmp);
}

/* ML-KEM.KeyGen_internal (FIPS 203 Algorithm 16). */
static void keygen_internal(const mlkem_params *p, const uint8_t seed[TENON_KEM_SEED_LEN],
                            uint8_t *ek, uint8_t *dk, int draft)
{
    mlkem_work w;
    uint8_t rho[32];
    pke_keygen(&w, p, seed, rho, draft);
    encode_ek(&w, p, ek, rho);
    /* dk = dk_PKE || ek || H(ek) || z */
    size_t off = 0;
    for (unsigned i = 0; i < p->k; i++, off += MLKEM_POLY_BYTES)
        mlkem_poly_encode12(dk + off, &w.s[i]);
    memcpy(dk + off, ek, p->ek_len);
    off += p->ek_len;
    sha3_256(dk + off, ek, p->ek_len);
    off += 32;
    memcpy(dk + off, seed + 32, 32);
    work_wipe(&w);
}

/* FIPS 203 §7.2 modulus check, decoding t^ into w->t on the way. ek is public. */
static int parse_ek(mlkem_work *w, const mlkem_params *p, const uint8_t *ek, size_t ek_len)
{
    /* §7.2 "1. (Type check) If ek is not an array of bytes of length 384k + 32 ..." */
    ENSURE(ek != NULL && ek_len == p->ek_len, TENON_ERR_BAD_PUBLIC_KEY);
    /* "2. (Modulus check) ... ek' = ByteEncode12(ByteDecode12(ek[0 : 384k])) ... If ek' != ek,
     * the input is invalid": equivalently, no 12-bit value is q or more. */
    int bad = 0;
    for (unsigned i = 0; i < p->k; i++)
        bad |= mlkem_poly_decode12_check(&w->t[i], ek + MLKEM_POLY_BYTES * i);
    return bad == 0 ? TENON_OK : TENON_ERR_BAD_PUBLIC_KEY;
}

/* ML-KEM.Encaps_internal (FIPS 203 Algorithm 17) after the input check. */
static int encaps_internal(const mlkem_params *p, const uint8_t *ek, size_t ek_len,
                           const uint8_t m[32], uint8_t *ct, uint8_t *ss)
{
    mlkem_work w;
    int rc = parse_ek(&w, p, ek, ek_len);
    if (rc == TENON_OK) {
        /* Step 1: (K, r) = G(m || H(ek)). */
        memcpy(w.hm, m, 32);
        sha3_256(w.hm + 32, ek, p->ek_len);
        sha3_512(w.seeds, w.hm, 64);
        gen_matrix(&w, p, ek + MLKEM_POLY_BYTES * p->k);
        pke_encrypt(&w, p, ct, m, w.seeds + 32);
        memcpy(ss, w.seeds, 32);
    }
    work_wipe(&w);
    return rc;
}

/* ML-KEM.Decaps_internal (FIPS 203 Algorithm 18) from step 4, with s^, t^ and A^ in w. h is
 * H(ek), z the implicit-rejection seed. */
static void decaps_core(mlkem_work *w, const mlkem_params *p, const uint8_t h[32],
                        const uint8_t z[32], const uint8_t *ct, uint8_t *ss)
{
    /* Step 7: m' = K-PKE.Decrypt(dk_PKE, c). */
    pke_decrypt(w, p, w->hm, ct);
    /* Step 8: (K', r') = G(m' || h). */
    memcpy(w->hm + 32, h, 32);
    sha3_512(w->seeds, w->hm, 64);
    /* Step 9: K_bar = J(z || c) = SHAKE256(z || c, 32). */
    memcpy(w->zc, z, 32);
    memcpy(w->zc + 32, ct, p->ct_len);
    shake256(w->kbar, 32, w->zc, 32 + p->ct_len);
    /* Steps 10-12: c' = K-PKE.Encrypt(ek_PKE, m', r'); if c != c', K' = K_bar. */
    pke_encrypt(w, p, w->ct2, w->hm, w->seeds + 32);
    uint32_t same = ct_mask_memeq(ct, w->ct2, p->ct_len);
    ct_cond_copy(~same, w->seeds, w->kbar, 32);
    memcpy(ss, w->seeds, 32);
}

/* ML-KEM.Decaps (FIPS 203 §7.3) with its input checks. */
static int decaps(const mlkem_params *p, const uint8_t *dk, size_t dk_len, const uint8_t *ct,
                  size_t ct_len, uint8_t *ss)
{
    /* §7.3 "1. (Ciphertext type check) If c is not a byte array of length 32(du k + dv) ..." */
    ENSURE(ct != NULL && ct_len == p->ct_len, TENON_ERR_BAD_PUBLIC_KEY);
    /* "2. (Decapsulation key type check) If dk is not a byte array of length 768k + 96 ..." */
    ENSURE(dk != NULL && dk_len == p->dk_len, TENON_ERR_BAD_PRIVATE_KEY);
    const uint8_t *ek = dk + MLKEM_POLY_BYTES * p->k;
    const uint8_t *h = ek + p->ek_len;
    const uint8_t *z = h + 32;
    /* "3. (Hash check) Perform the computation test = H(dk[384k : 768k + 32]). If test !=
     * dk[768k + 32 : 768k + 64], then input checking has failed." */
    uint8_t test[32];
    sha3_256(test, ek, p->ek_len);
    uint32_t ok = ct_mask_memeq(test, h, 32);
    /* The verdict is public: it is returned. */
    ct_declassify(&ok, sizeof ok);
    ENSURE(ok != 0, TENON_ERR_BAD_PRIVATE_KEY);

    mlkem_work w;
    for (unsigned i = 0; i < p->k; i++) {
        mlkem_poly_decode12(&w.s[i], dk + MLKEM_POLY_BYTES * i);
        /* ek inside dk is not modulus-checked by §7.3; ByteDecode12 reduces modulo q. */
        mlkem_poly_decode12(&w.t[i], ek + MLKEM_POLY_BYTES * i);
    }
    gen_matrix(&w, p, ek + MLKEM_POLY_BYTES * p->k);
    decaps_core(&w, p, h, z, ct, ss);
    work_wipe(&w);
    return TENON_OK;
}

/* Decaps from d || z: KeyGen_internal's s^, t^ and A^ stay in the work area and serve the
 * re-encryption directly (no dk, and one matrix expansion instead of two). */
static int decaps_seed(const mlkem_params *p, const uint8_t seed[TENON_KEM_SEED_LEN],
                       const uint8_t *ct, size_t ct_len, uint8_t *ss)
{
    ENSURE(ct != NULL && ct_len == p->ct_len, TENON_ERR_BAD_PUBLIC_KEY);
    ENSURE(seed != NULL, TENON_ERR_INVALID_ARGUMENT);
    mlkem_work w;
    uint8_t rho[32], ek[TENON_KEM_MAX_EK_LEN], h[32];
    pke_keygen(&w, p, seed, rho, 0);
    /* t^ is kept unreduced to canonical form, as decoding ek would give it modulo q: the
     * re-encryption result is the same. */
    encode_ek(&w, p, ek, rho);
    sha3_256(h, ek, p->ek_len);
    decaps_core(&w, p, h, seed + 32, ct, ss);
    work_wipe(&w);
    return TENON_OK;
}

static int keygen(const mlkem_params *p, uint8_t *ek, uint8_t *dk)
{
    uint8_t seed[TENON_KEM_SEED_LEN];
    /* FIPS 203 Algorithm 19: d and z from the approved RBG. */
    int rc = tenon_random(seed, sizeof seed);
    if (rc == TENON_OK)
        keygen_internal(p, seed, ek, dk, 0);
    tenon_wipe(seed, sizeof seed);
    return rc;
}

static int keygen_seed(const mlkem_params *p, const uint8_t seed[TENON_KEM_SEED_LEN], uint8_t *ek,
                       uint8_t *dk)
{
    ENSURE(seed != NULL && ek != NULL && dk != NULL, TENON_ERR_INVALID_ARGUMENT);
    keygen_internal(p, seed, ek, dk, 0);
    return TENON_OK;
}

static int check_ek(const mlkem_params *p, const uint8_t *ek, size_t ek_len)
{
    mlkem_poly t;
    ENSURE(ek != NULL && ek_len == p->ek_len, TENON_ERR_BAD_PUBLIC_KEY);
    for (unsigned i = 0; i < p->k; i++)
        ENSURE(mlkem_poly_decode12_check(&t, ek + MLKEM_POLY_BYTES * i) == 0,
               TENON_ERR_BAD_PUBLIC_KEY);
    return TENON_OK;
}

static int encaps(const mlkem_params *p, const uint8_t *ek, size_t ek_len, uint8_t *ct, uint8_t *ss)
{
    uint8_t m[32];
    /* FIPS 203 Algorithm 20 step 1: m from the approved RBG. */
    int rc = tenon_random(m, sizeof m);
    if (rc == TENON_OK)
        rc = encaps_internal(p, ek, ek_len, m, ct, ss);
    tenon_wipe(m, sizeof m);
    return rc;
}

static int encaps_m(const mlkem_params *p, const uint8_t *ek, size_t ek_len, const uint8_t m[32],
                    uint8_t *ct, uint8_t *ss)
{
    ENSURE(m != NULL, TENON_ERR_INVALID_ARGUMENT);
    return encaps_internal(p, ek, ek_len, m, ct, ss);
}

/* The class entry points of one parameter set. */
#define MLKEM_CLASS(NAME, PARAMS, LABEL, EK_LEN, DK_LEN, CT_LEN)                                   \
    static int NAME##_keygen(uint8_t *ek, uint8_t *dk)                                             \
    {                                                                                              \
        return keygen(&PARAMS, ek, dk);                                                            \
    }                                                                                              \
    static int NAME##_keygen_seed(const uint8_t seed[TENON_KEM_SEED_LEN], uint8_t *ek,             \
                                  uint8_t *dk)                                                     \
    {                                                                                              \
        return keygen_seed(&PARAMS, seed, ek, dk);                                                 \
    }                                                                                              \
    static int NAME##_check_ek(const uint8_t *ek, size_t ek_len)                                   \
    {                                                                                              \
        return check_ek(&PARAMS, ek, ek_len);                                                      \
    }                                                                                              \
    static int NAME##_encaps(const uint8_t *ek, size_t ek_len, uint8_t *ct, uint8_t *ss)           \
    {                                                                                              \
        return encaps(&PARAMS, ek, ek_len, ct, ss);                                                \
    }                                                                                              \
    static int NAME##_encaps_m(const uint8_t *ek, size_t ek_len, const uint8_t m[32], uint8_t *ct, \
                               uint8_t *ss)                                                        \
    {                                                                                              \
        return encaps_m(&PARAMS, ek, ek_len, m, ct, ss);                                           \
    }                                                                                              \
    static int NAME##_decaps(const uint8_t *dk, size_t dk_len, const uint8_t *ct, size_t ct_len,   \
                             uint8_t *ss)                                                          \
    {                                                                                              \
        return decaps(&PARAMS, dk, dk_len, ct, ct_len, ss);                                        \
    }                                                                                              \
    static int NAME##_decaps_seed(const uint8_t seed[TENON_KEM_SEED_LEN], const uint8_t *ct,       \
                                  size_t ct_len, uint8_t *ss)                                      \
    {                                                                                              \
        return decaps_seed(&PARAMS, seed, ct, ct_len, ss);                                         \
    }                                                                                              \
    TENON_API const tenon_kem_class tenon_kem_##NAME = {                                           \
        LABEL,                                                                                     \
        EK_LEN,                                                                                    \
        DK_LEN,                                                                                    \
        CT_LEN,                                                                                    \
        TENON_KEM_SS_LEN,                                                                          \
        NAME##_keygen,                                                                             \
        NAME##_keygen_seed,                                                                        \
        NAME##_check_ek,                                                                           \
        NAME##_encaps,                                                                             \
        NAME##_encaps_m,                                                                           \
        NAME##_decaps,                                                                             \
        NAME##_decaps_seed,                                                                        \
    };

MLKEM_CLASS(mlkem768, mlkem768_params, "ML-KEM-768", TENON_MLKEM768_EK_LEN, TENON_MLKEM768_DK_LEN,
            TENON_MLKEM768_CT_LEN)
MLKEM_CLASS(mlkem1024, mlkem1024_params, "ML-KEM-1024", TENON_MLKEM1024_EK_LEN,
            TENON_MLKEM1024_DK_LEN, TENON_MLKEM1024_CT_LEN)

int mlkem_keygen_seed_draft(const tenon_kem_class *kem, const uint8_t seed[TENON_KEM_SEED_LEN],
                            uint8_t *ek, uint8_t *dk)
{
    const mlkem_params *p = kem == &tenon_kem_mlkem768    ? &mlkem768_params
                            : kem == &tenon_kem_mlkem1024 ? &mlkem1024_params
                                                          : NULL;
    ENSURE(p != NULL, TENON_ERR_INVALID_ARGUMENT);
    keygen_internal(p, seed, ek, dk, 1);
    return TENON_OK;
}
