/*
 * SHA-1 (FIPS 180-4 §6.1). TLS needs it only for HMAC-SHA1 in the legacy CBC suites and for
 * the HKDF/HMAC vectors; collision attacks on SHA-1 do not affect HMAC.
 *
 * As in sha256.c, the 80 rounds are unrolled with renamed variables and a 16-word schedule
 * ring; no table lookups, no data-dependent branches.
 */
#include "../common.h"
#include "ct.h"
#include "sha2.h"

static inline uint32_t rol32(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

/* FIPS 180-4 §4.1.1: Ch, Parity and Maj (Ch and Maj with one operation fewer). */
#define F_CH(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define F_PAR(x, y, z) ((x) ^ (y) ^ (z))
#define F_MAJ(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))

/* FIPS 180-4 §6.1.2 step 1: W(t) = ROTL1(W(t-3) ^ W(t-8) ^ W(t-14) ^ W(t-16)) for t >= 16. */
#define W(t)                                                                                       \
    ((t) < 16 ? w[(t)&15]                                                                          \
              : (w[(t)&15] =                                                                       \
                     rol32(w[((t)-3) & 15] ^ w[((t)-8) & 15] ^ w[((t)-14) & 15] ^ w[(t)&15], 1)))

/* FIPS 180-4 §6.1.2 step 3, renamed: the new a is stored in e, the new c in b. */
#define ROUND(F, k, a, b, c, d, e, t)                                                              \
    do {                                                                                           \
        (e) += rol32((a), 5) + F((b), (c), (d)) + (k) + W(t);                                      \
        (b) = rol32((b), 30);                                                                      \
    } while (0)

#define ROUND5(F, k, t)                                                                            \
    do {                                                                                           \
        ROUND(F, k, a, b, c, d, e, (t) + 0);                                                       \
        ROUND(F, k, e, a, b, c, d, (t) + 1);                                                       \
        ROUND(F, k, d, e, a, b, c, (t) + 2);                                                       \
        ROUND(F, k, c, d, e, a, b, (t) + 3);                                                       \
        ROUND(F, k, b, c, d, e, a, (t) + 4);                                                       \
    } while (0)

/* FIPS 180-4 §4.2.1: the four round constants. */
#define K0 0x5a827999u
#define K1 0x6ed9eba1u
#define K2 0x8f1bbcdcu
#define K3 0xca62c1d6u

static void sha1_blocks(uint32_t st[5], const uint8_t *p, size_t nblocks)
{
    uint32_t w[16];
    while (nblocks-- > 0) {
        for (int i = 0; i < 16; i++)
            w[i] = load_be32(p + 4 * i);
        uint32_t a = st[0], b = st[1], c = st[2], d = st[3], e = st[4];
        ROUND5(F_CH, K0, 0);
        ROUND5(F_CH, K0, 5);
        ROUND5(F_CH, K0, 10);
        ROUND5(F_CH, K0, 15);
        ROUND5(F_PAR, K1, 20);
        ROUND5(F_PAR, K1, 25);
        ROUND5(F_PAR, K1, 30);
        ROUND5(F_PAR, K1, 35);
        ROUND5(F_MAJ, K2, 40);
        ROUND5(F_MAJ, K2, 45);
        ROUND5(F_MAJ, K2, 50);
        ROUND5(F_MAJ, K2, 55);
        ROUND5(F_PAR, K3, 60);
        ROUND5(F_PAR, K3, 65);
        ROUND5(F_PAR, K3, 70);
        ROUND5(F_PAR, K3, 75);
        st[0] += a;
        st[1] += b;
        st[2] += c;
        st[3] += d;
        st[4] += e;
        p += 64;
    }
    tenon_wipe(w, sizeof w);
}

/* FIPS 180-4 §5.3.1. */
static const uint32_t sha1_iv[5] = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u,
                                    0xc3d2e1f0u};

static void sha1_init(tenon_hash_ctx *c)
{
    c->sha1.vtable = &tenon_sha1;
    memcpy(c->sha1.h, sha1_iv, sizeof sha1_iv);
    c->sha1.count = 0;
}

static void sha1_update(tenon_hash_ctx *c, const void *data, size_t len)
{
    tenon_sha1_ctx *ctx = &c->sha1;
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
        sha1_blocks(ctx->h, ctx->buf, 1);
        p += take;
        len -= take;
    }
    if (len >= 64) {
        sha1_blocks(ctx->h, p, len / 64);
        p += len & ~(size_t)63;
        len &= 63;
    }
    if (len != 0)
        memcpy(ctx->buf, p, len);
}

static void sha1_final(const tenon_hash_ctx *c, uint8_t *out)
{
    const tenon_sha1_ctx *ctx = &c->sha1;
    uint32_t h[5];
    uint8_t last[128];
    size_t used = (size_t)(ctx->count & 63);
    memcpy(h, ctx->h, sizeof h);
    memcpy(last, ctx->buf, used);
    /* FIPS 180-4 §5.1.1: "1", zeros up to 448 mod 512 bits, the 64-bit bit length. The padding
     * goes into a copy so that the context can take more data afterwards. */
    size_t n = used < 56 ? 64 : 128;
    last[used] = 0x80;
    memset(last + used + 1, 0, n - 8 - (used + 1));
    store_be64(last + n - 8, ctx->count << 3);
    sha1_blocks(h, last, n / 64);
    for (int i = 0; i < 5; i++)
        store_be32(out + 4 * i, h[i]);
    tenon_wipe(h, sizeof h);
    tenon_wipe(last, sizeof last);
}

TENON_API const tenon_hash_class tenon_sha1 = {
    "SHA-1", TENON_SHA1_LEN, 64, sha1_init, sha1_update, sha1_final,
};
