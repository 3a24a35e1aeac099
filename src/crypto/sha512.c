/*
 * SHA-512 and SHA-384 (FIPS 180-4 §6.4, §6.5): one compression function, two classes that
 * differ in the initial value and the output length.
 *
 * Same shape as sha256.c: 80 unrolled rounds with renamed variables, a 16-word schedule ring,
 * no table lookups and no data-dependent branches.
 */
#include "../common.h"
#include "cpu.h"
#include "ct.h"
#include "sha2.h"

/* FIPS 180-4 §4.2.3: the first 64 bits of the fractional parts of the cube roots of the first
 * 80 primes. */
_Alignas(16) const uint64_t sha512_k[80] = {
    0x428a2f98d728ae22ull, 0x7137449123ef65cdull, 0xb5c0fbcfec4d3b2full, 0xe9b5dba58189dbbcull,
    0x3956c25bf348b538ull, 0x59f111f1b605d019ull, 0x923f82a4af194f9bull, 0xab1c5ed5da6d8118ull,
    0xd807aa98a3030242ull, 0x12835b0145706fbeull, 0x243185be4ee4b28cull, 0x550c7dc3d5ffb4e2ull,
    0x72be5d74f27b896full, 0x80deb1fe3b1696b1ull, 0x9bdc06a725c71235ull, 0xc19bf174cf692694ull,
    0xe49b69c19ef14ad2ull, 0xefbe4786384f25e3ull, 0x0fc19dc68b8cd5b5ull, 0x240ca1cc77ac9c65ull,
    0x2de92c6f592b0275ull, 0x4a7484aa6ea6e483ull, 0x5cb0a9dcbd41fbd4ull, 0x76f988da831153b5ull,
    0x983e5152ee66dfabull, 0xa831c66d2db43210ull, 0xb00327c898fb213full, 0xbf597fc7beef0ee4ull,
    0xc6e00bf33da88fc2ull, 0xd5a79147930aa725ull, 0x06ca6351e003826full, 0x142929670a0e6e70ull,
    0x27b70a8546d22ffcull, 0x2e1b21385c26c926ull, 0x4d2c6dfc5ac42aedull, 0x53380d139d95b3dfull,
    0x650a73548baf63deull, 0x766a0abb3c77b2a8ull, 0x81c2c92e47edaee6ull, 0x92722c851482353bull,
    0xa2bfe8a14cf10364ull, 0xa81a664bbc423001ull, 0xc24b8b70d0f89791ull, 0xc76c51a30654be30ull,
    0xd192e819d6ef5218ull, 0xd69906245565a910ull, 0xf40e35855771202aull, 0x106aa07032bbd1b8ull,
    0x19a4c116b8d2d0c8ull, 0x1e376c085141ab53ull, 0x2748774cdf8eeb99ull, 0x34b0bcb5e19b48a8ull,
    0x391c0cb3c5c95a63ull, 0x4ed8aa4ae3418acbull, 0x5b9cca4f7763e373ull, 0x682e6ff3d6b2b8a3ull,
    0x748f82ee5defb2fcull, 0x78a5636f43172f60ull, 0x84c87814a1f0ab72ull, 0x8cc702081a6439ecull,
    0x90befffa23631e28ull, 0xa4506cebde82bde9ull, 0xbef9a3f7b2c67915ull, 0xc67178f2e372532bull,
    0xca273eceea26619cull, 0xd186b8c721c0c207ull, 0xeada7dd6cde0eb1eull, 0xf57d4f7fee6ed178ull,
    0x06f067aa72176fbaull, 0x0a637dc5a2c898a6ull, 0x113f9804bef90daeull, 0x1b710b35131c471bull,
    0x28db77f523047d84ull, 0x32caab7b40c72493ull, 0x3c9ebe0a15c9bebcull, 0x431d67c49c100d4cull,
    0x4cc5d4becb3e42b6ull, 0x597f299cfc657e2aull, 0x5fcb6fab3ad6faecull, 0x6c44198c4a475817ull,
};

/* FIPS 180-4 §5.3.5: square roots of the first 8 primes. */
static const uint64_t sha512_iv[8] = {
    0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull, 0xa54ff53a5f1d36f1ull,
    0x510e527fade682d1ull, 0x9b05688c2b3e6c1full, 0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull,
};

/* FIPS 180-4 §5.3.4: square roots of the 9th to 16th primes. */
static const uint64_t sha384_iv[8] = {
    0xcbbb9d5dc1059ed8ull, 0x629a292a367cd507ull, 0x9159015a3070dd17ull, 0x152fecd8f70e5939ull,
    0x67332667ffc00b31ull, 0x8eb44a8768581511ull, 0xdb0c2e0d64f98fa7ull, 0x47b5481dbefa4fa4ull,
};

static inline uint64_t ror64(uint64_t x, unsigned n)
{
    return (x >> n) | (x << (64 - n));
}

/* FIPS 180-4 §4.1.3 (4.8)-(4.13); Ch and Maj with one operation fewer. */
#define CH(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define MAJ(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))
#define BSIG0(x) (ror64((x), 28) ^ ror64((x), 34) ^ ror64((x), 39))
#define BSIG1(x) (ror64((x), 14) ^ ror64((x), 18) ^ ror64((x), 41))
#define SSIG0(x) (ror64((x), 1) ^ ror64((x), 8) ^ ((x) >> 7))
#define SSIG1(x) (ror64((x), 19) ^ ror64((x), 61) ^ ((x) >> 6))

/* FIPS 180-4 §6.4.2 step 1, in a 16-word ring (t is a constant after unrolling). */
#define W(t)                                                                                       \
    ((t) < 16 ? w[(t)&15]                                                                          \
              : (w[(t)&15] += SSIG1(w[((t)-2) & 15]) + w[((t)-7) & 15] + SSIG0(w[((t)-15) & 15])))

/* FIPS 180-4 §6.4.2 step 3, renamed: the new e is stored in d, the new a in h. */
#define ROUND(a, b, c, d, e, f, g, h, t)                                                           \
    do {                                                                                           \
        uint64_t t1_ = (h) + BSIG1(e) + CH((e), (f), (g)) + sha512_k[t] + W(t);                    \
        (d) += t1_;                                                                                \
        (h) = t1_ + BSIG0(a) + MAJ((a), (b), (c));                                                 \
    } while (0)

#define ROUND8(t)                                                                                  \
    do {                                                                                           \
        ROUND(a, b, c, d, e, f, g, h, (t) + 0);                                                    \
        ROUND(h, a, b, c, d, e, f, g, (t) + 1);                                                    \
        ROUND(g, h, a, b, c, d, e, f, (t) + 2);                                                    \
        ROUND(f, g, h, a, b, c, d, e, (t) + 3);                                                    \
        ROUND(e, f, g, h, a, b, c, d, (t) + 4);                                                    \
        ROUND(d, e, f, g, h, a, b, c, (t) + 5);                                                    \
        ROUND(c, d, e, f, g, h, a, b, (t) + 6);                                                    \
        ROUND(b, c, d, e, f, g, h, a, (t) + 7);                                                    \
    } while (0)

/* Written once, compiled twice (baseline and BMI2, whose RORX saves a move per rotation): see
 * sha256.c. */
static inline __attribute__((always_inline)) void sha512_compress(uint64_t st[8], const uint8_t *p,
                                                                  size_t nblocks)
{
    uint64_t w[16];
    while (nblocks-- > 0) {
        for (int i = 0; i < 16; i++)
            w[i] = load_be64(p + 8 * i);
        uint64_t a = st[0], b = st[1], c = st[2], d = st[3];
        uint64_t e = st[4], f = st[5], g = st[6], h = st[7];
        ROUND8(0);
        ROUND8(8);
        ROUND8(16);
        ROUND8(24);
        ROUND8(32);
        ROUND8(40);
        ROUND8(48);
        ROUND8(56);
        ROUND8(64);
        ROUND8(72);
        st[0] += a;
        st[1] += b;
        st[2] += c;
        st[3] += d;
        st[4] += e;
        st[5] += f;
        st[6] += g;
        st[7] += h;
        p += 128;
    }
    tenon_wipe(w, sizeof w);
}

static void sha512_blocks_portable(uint64_t st[8], const uint8_t *p, size_t nblocks)
{
    sha512_compress(st, p, nblocks);
}

const sha512_impl sha512_portable_impl = {"portable", 0, sha512_blocks_portable};

#if TENON_X86_64
TENON_TARGET("bmi2")
static void sha512_blocks_bmi2(uint64_t st[8], const uint8_t *p, size_t nblocks)
{
    sha512_compress(st, p, nblocks);
}

const sha512_impl sha512_x86bmi2_impl = {"x86-bmi2", TENON_CPU_BMI2, sha512_blocks_bmi2};
#endif

const sha512_impl *const sha512_all_impls[] = {
#if TENON_X86_64
    &sha512_x86avx512_impl,
    &sha512_x86avx2x4_impl,
    &sha512_x86avx2_impl,
    &sha512_x86avx_impl,
    &sha512_x86bmi2_impl,
#endif
    &sha512_portable_impl,
    NULL,
};

const sha512_impl *sha512_best_impl(void)
{
    for (size_t i = 0; sha512_all_impls[i] != NULL; i++)
        if (cpu_has(sha512_all_impls[i]->cpu_needs))
            return sha512_all_impls[i];
    return &sha512_portable_impl;
}

void sha512_update_with(const sha512_impl *impl, tenon_sha512_ctx *ctx, const void *data,
                        size_t len)
{
    const uint8_t *p = data;
    size_t used = (size_t)(ctx->count & 127);
    if (len == 0)
        return;
    ctx->count += len;
    if (used != 0) {
        size_t take = 128 - used;
        if (len < take) {
            memcpy(ctx->buf + used, p, len);
            return;
        }
        memcpy(ctx->buf + used, p, take);
        impl->blocks(ctx->h, ctx->buf, 1);
        p += take;
        len -= take;
    }
    if (len >= 128) {
        impl->blocks(ctx->h, p, len / 128);
        p += len & ~(size_t)127;
        len &= 127;
    }
    if (len != 0)
        memcpy(ctx->buf, p, len);
}

void sha512_final_with(const sha512_impl *impl, const tenon_sha512_ctx *ctx, uint8_t *out,
                       size_t out_len)
{
    /* The context stays as it is (a transcript hash goes on after a final): pad a copy. */
    uint64_t h[8];
    uint8_t last[256];
    size_t used = (size_t)(ctx->count & 127);
    memcpy(h, ctx->h, sizeof h);
    memcpy(last, ctx->buf, used);
    /* FIPS 180-4 §5.1.2: "1", zeros up to 896 mod 1024 bits, then the message length in bits
     * as a 128-bit big-endian integer. */
    size_t n = used < 112 ? 128 : 256;
    last[used] = 0x80;
    memset(last + used + 1, 0, n - 16 - (used + 1));
    store_be64(last + n - 16, ctx->count >> 61);
    store_be64(last + n - 8, ctx->count << 3);
    impl->blocks(h, last, n / 128);
    /* FIPS 180-4 §6.5: SHA-384 is the leftmost 384 bits (six words) of the final state. */
    for (size_t i = 0; i < out_len / 8; i++)
        store_be64(out + 8 * i, h[i]);
    tenon_wipe(h, sizeof h);
    tenon_wipe(last, n); /* what was written of it */
}

static void sha512_init(tenon_hash_ctx *c)
{
    c->sha512.vtable = &tenon_sha512;
    memcpy(c->sha512.h, sha512_iv, sizeof sha512_iv);
    c->sha512.count = 0;
}

/* As for SHA-256, the implementation is chosen at each call rather than stored. */
static void sha512_update(tenon_hash_ctx *c, const void *data, size_t len)
{
    sha512_update_with(sha512_best_impl(), &c->sha512, data, len);
}

static void sha512_final(const tenon_hash_ctx *c, uint8_t *out)
{
    sha512_final_with(sha512_best_impl(), &c->sha512, out, TENON_SHA512_LEN);
}

static void sha384_init(tenon_hash_ctx *c)
{
    c->sha512.vtable = &tenon_sha384;
    memcpy(c->sha512.h, sha384_iv, sizeof sha384_iv);
    c->sha512.count = 0;
}

static void sha384_final(const tenon_hash_ctx *c, uint8_t *out)
{
    sha512_final_with(sha512_best_impl(), &c->sha512, out, TENON_SHA384_LEN);
}

TENON_API const tenon_hash_class tenon_sha512 = {
    "SHA-512", TENON_SHA512_LEN, 128, sha512_init, sha512_update, sha512_final,
};

TENON_API const tenon_hash_class tenon_sha384 = {
    "SHA-384", TENON_SHA384_LEN, 128, sha384_init, sha512_update, sha384_final,
};
