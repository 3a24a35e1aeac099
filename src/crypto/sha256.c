/*
 * SHA-256 (FIPS 180-4 §6.2): the portable compression function, the tenon_sha256 class, and
 * the choice of compression function.
 *
 * The portable rounds are fully unrolled with the eight working variables renamed from round
 * to round instead of shifted, and the message schedule lives in a 16-word ring whose indices
 * are constants after unrolling, so it can stay in registers. There are no table lookups and
 * no data-dependent branches: the time depends only on the length.
 */
#include "../common.h"
#include "cpu.h"
#include "ct.h"
#include "sha2.h"

/* FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first
 * 64 primes. */
_Alignas(16) const uint32_t sha256_k[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u,
    0xab1c5ed5u, 0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu,
    0x9bdc06a7u, 0xc19bf174u, 0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu,
    0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau, 0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u,
    0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u, 0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu,
    0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u, 0xa2bfe8a1u, 0xa81a664bu,
    0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u, 0x19a4c116u,
    0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u,
    0xc67178f2u,
};

/* FIPS 180-4 §5.3.3: the first 32 bits of the fractional parts of the square roots of the
 * first 8 primes. */
static const uint32_t sha256_iv[8] = {
    0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
    0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u,
};

static inline uint32_t ror32(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32 - n));
}

/* FIPS 180-4 §4.1.2 (4.2)-(4.7). Ch and Maj are written with one operation fewer than in the
 * standard; they compute the same bits. */
#define CH(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define MAJ(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))
#define BSIG0(x) (ror32((x), 2) ^ ror32((x), 13) ^ ror32((x), 22))
#define BSIG1(x) (ror32((x), 6) ^ ror32((x), 11) ^ ror32((x), 25))
#define SSIG0(x) (ror32((x), 7) ^ ror32((x), 18) ^ ((x) >> 3))
#define SSIG1(x) (ror32((x), 17) ^ ror32((x), 19) ^ ((x) >> 10))

/* FIPS 180-4 §6.2.2 step 1: W(t) = SSIG1(W(t-2)) + W(t-7) + SSIG0(W(t-15)) + W(t-16) for
 * t >= 16. W(t-16) is the word being overwritten in the ring. t is a constant after
 * unrolling, so the test and the indices fold away. */
#define W(t)                                                                                       \
    ((t) < 16 ? w[(t)&15]                                                                          \
              : (w[(t)&15] += SSIG1(w[((t)-2) & 15]) + w[((t)-7) & 15] + SSIG0(w[((t)-15) & 15])))

/* FIPS 180-4 §6.2.2 step 3, with the renaming: the new e is d + T1 (stored in d) and the new a
 * is T1 + T2 (stored in h); the caller rotates the names by one for the next round. */
#define ROUND(a, b, c, d, e, f, g, h, t)                                                           \
    do {                                                                                           \
        uint32_t t1_ = (h) + BSIG1(e) + CH((e), (f), (g)) + sha256_k[t] + W(t);                    \
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

/* The rounds are written once and compiled twice: for the baseline ISA, and with BMI2 where
 * RORX (a rotate with a separate destination that leaves the flags alone) saves a move per
 * rotation; measured about 1.2x as fast on an AMD EPYC (Zen), for SHA-512 as well. The
 * variant is selected at run time like any other (STYLE.md 12); it matters only where SHA-NI
 * is absent. */
static inline __attribute__((always_inline)) void sha256_compress(uint32_t st[8], const uint8_t *p,
                                                                  size_t nblocks)
{
    uint32_t w[16];
    while (nblocks-- > 0) {
        for (int i = 0; i < 16; i++)
            w[i] = load_be32(p + 4 * i);
        uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
        uint32_t e = st[4], f = st[5], g = st[6], h = st[7];
        ROUND8(0);
        ROUND8(8);
        ROUND8(16);
        ROUND8(24);
        ROUND8(32);
        ROUND8(40);
        ROUND8(48);
        ROUND8(56);
        st[0] += a;
        st[1] += b;
        st[2] += c;
        st[3] += d;
        st[4] += e;
        st[5] += f;
        st[6] += g;
        st[7] += h;
        p += 64;
    }
    /* The schedule is a function of the message, which may be secret (an HMAC key block). */
    tenon_wipe(w, sizeof w);
}

static void sha256_blocks_portable(uint32_t st[8], const uint8_t *p, size_t nblocks)
{
    sha256_compress(st, p, nblocks);
}

const sha256_impl sha256_portable_impl = {"portable", 0, sha256_blocks_portable, NULL};

#if TENON_X86_64
TENON_TARGET("bmi2")
static void sha256_blocks_bmi2(uint32_t st[8], const uint8_t *p, size_t nblocks)
{
    sha256_compress(st, p, nblocks);
}

const sha256_impl sha256_x86bmi2_impl = {"x86-bmi2", TENON_CPU_BMI2, sha256_blocks_bmi2, NULL};
#endif

const sha256_impl *const sha256_all_impls[] = {
#if TENON_X86_64
    &sha256_x86shani_impl,
    &sha256_x86bmi2_impl,
#endif
    &sha256_portable_impl,
    NULL,
};

const sha256_impl *sha256_best_impl(void)
{
    for (size_t i = 0; sha256_all_impls[i] != NULL; i++)
        if (cpu_has(sha256_all_impls[i]->cpu_needs))
            return sha256_all_impls[i];
    return &sha256_portable_impl;
}

void sha256_update_with(const sha256_impl *impl, tenon_sha256_ctx *ctx, const void *data,
                        size_t len)
{
    const uint8_t *p = data;
    size_t used = (size_t)(ctx->count & 63);
    if (len == 0)
        return;
    ctx->count += len;
    if (used != 0) {
        size_t take = 64 - used;
        if (len < take) {
            memcpy(ctx->buf + used, p, len);
            return;
        }
        memcpy(ctx->buf + used, p, take);
        impl->blocks(ctx->h, ctx->buf, 1);
        p += take;
        len -= take;
    }
    if (len >= 64) {
        impl->blocks(ctx->h, p, len / 64);
        p += len & ~(size_t)63;
        len &= 63;
    }
    if (len != 0)
        memcpy(ctx->buf, p, len);
}

static inline __attribute__((always_inline)) void final_core(const sha256_impl *impl,
                                                             const tenon_sha256_ctx *ctx,
                                                             const uint8_t *tail, size_t tail_len,
                                                             uint8_t out[TENON_SHA256_LEN])
{
    /* The context stays as it is (a transcript hash goes on after a final): pad a copy. Every
     * HMAC and HKDF step ends here (some 60 times per TLS 1.3 handshake side), so the padding
     * block is cleared and wiped with fixed-size stores (no rep stos, no wipe call) and the
     * digest is written a word at a time (byte stores gathered into a vector made the loads of
     * the next step wait on store forwarding). */
    uint32_t h[8];
    uint8_t last[128];
    size_t used = (size_t)(ctx->count & 63);
    memcpy(h, ctx->h, sizeof h);
    memset(last, 0, sizeof last);
    memcpy(last, ctx->buf, used);
    if (tail_len > 0)
        memcpy(last + used, tail, tail_len);
    used += tail_len;
    /* FIPS 180-4 §5.1.1: append the bit "1", then k zero bits with l + 1 + k = 448 mod 512,
     * then the 64-bit big-endian message length l in bits. */
    size_t n = used < 56 ? 64 : 128;
    last[used] = 0x80;
    store_be64(last + n - 8, (ctx->count + tail_len) << 3);
    impl->blocks(h, last, n / 64);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    for (int i = 0; i < 8; i++) {
        uint32_t v = __builtin_bswap32(h[i]);
        memcpy(out + 4 * i, &v, 4);
    }
#else
    for (int i = 0; i < 8; i++)
        store_be32(out + 4 * i, h[i]);
#endif
    /* The state and the block may be secret (an HMAC key's): cleared, and the barrier keeps
     * the stores (as tenon_wipe does). */
    memset(h, 0, sizeof h);
    memset(last, 0, sizeof last);
    __asm__ __volatile__("" : : "r"(h), "r"(last) : "memory");
}

void sha256_final_with(const sha256_impl *impl, const tenon_sha256_ctx *ctx,
                       uint8_t out[TENON_SHA256_LEN])
{
    final_core(impl, ctx, NULL, 0, out);
}

/* An HMAC's outer hash and an HKDF-Expand block are a keyed state and a short message: hashing
 * the message into the padding block of a copy saves copying, updating and wiping a whole
 * context (some 40 times per TLS 1.3 handshake side). */
void sha256_final_tail_with(const sha256_impl *impl, const tenon_sha256_ctx *ctx, const void *tail,
                            size_t tail_len, uint8_t out[TENON_SHA256_LEN])
{
    if ((size_t)(ctx->count & 63) + tail_len > SHA256_TAIL_MAX) {
        /* Longer than the padding area: the long way. */
        tenon_sha256_ctx copy = *ctx;
        sha256_update_with(impl, &copy, tail, tail_len);
        final_core(impl, &copy, NULL, 0, out);
        tenon_wipe(&copy, sizeof copy);
        return;
    }
    final_core(impl, ctx, tail, tail_len, out);
}

static void sha256_init(tenon_hash_ctx *c)
{
    c->sha256.vtable = &tenon_sha256;
    memcpy(c->sha256.h, sha256_iv, sizeof sha256_iv);
    c->sha256.count = 0;
}

/* The implementation is chosen at every update, not stored: the public context has no field
 * for it, and the cpuid result is cached, so the check costs a load and a compare. */
static void sha256_update(tenon_hash_ctx *c, const void *data, size_t len)
{
    sha256_update_with(sha256_best_impl(), &c->sha256, data, len);
}

static void sha256_final(const tenon_hash_ctx *c, uint8_t *out)
{
    sha256_final_with(sha256_best_impl(), &c->sha256, out);
}

TENON_API const tenon_hash_class tenon_sha256 = {
    "SHA-256", TENON_SHA256_LEN, 64, sha256_init, sha256_update, sha256_final,
};

/* FIPS 180-4 §5.3.2: SHA-224 is SHA-256 from another IV (the second 32 bits of the fractional
 * parts of the square roots of the 9th to 16th primes), truncated to 224 bits (§6.3). */
static const uint32_t sha224_iv[8] = {
    0xc1059ed8u, 0x367cd507u, 0x3070dd17u, 0xf70e5939u,
    0xffc00b31u, 0x68581511u, 0x64f98fa7u, 0xbefa4fa4u,
};

static void sha224_init(tenon_hash_ctx *c)
{
    c->sha256.vtable = &tenon_sha224;
    memcpy(c->sha256.h, sha224_iv, sizeof sha224_iv);
    c->sha256.count = 0;
}

static void sha224_final(const tenon_hash_ctx *c, uint8_t *out)
{
    uint8_t full[TENON_SHA256_LEN];
    sha256_final_with(sha256_best_impl(), &c->sha256, full);
    memcpy(out, full, TENON_SHA224_LEN);
    tenon_wipe(full, sizeof full);
}

TENON_API const tenon_hash_class tenon_sha224 = {
    "SHA-224", TENON_SHA224_LEN, 64, sha224_init, sha256_update, sha224_final,
};
