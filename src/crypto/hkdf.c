/*
 * HKDF (RFC 5869) over any tenon_hash_class: the TLS 1.3 key schedule is made of these two
 * calls.
 */
#include "../common.h"
#include "tenon/crypto.h"
#include "sha2.h"

TENON_API void tenon_hkdf_extract(const tenon_hash_class *h, const void *salt, size_t salt_len,
                                  const void *ikm, size_t ikm_len, uint8_t *prk)
{
    /* RFC 5869 §2.2: "salt: optional salt value (a non-secret random value); if not provided,
     * it is set to a string of HashLen zeros." (HMAC would pad an empty key with zeros to the
     * same effect; the zeros are spelled out to follow the text.) */
    static const uint8_t zeros[TENON_HASH_MAX_LEN];
    if (salt_len == 0) {
        salt = zeros;
        salt_len = h->digest_len;
    }
    /* RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM). */
    tenon_hmac(h, salt, salt_len, ikm, ikm_len, prk);
}

TENON_API int tenon_hkdf_expand(const tenon_hash_class *h, const void *prk, size_t prk_len,
                                const void *info, size_t info_len, uint8_t *out, size_t out_len)
{
    /* The key is absorbed before any output is written, so out may overlap prk (deriving a
     * secret in place). */
    tenon_hmac_ctx keyed;
    tenon_hmac_init(&keyed, h, prk, prk_len);
    int rc = tenon_hkdf_expand_keyed(&keyed, info, info_len, out, out_len);
    tenon_hmac_wipe(&keyed);
    return rc;
}

TENON_API int tenon_hkdf_expand_keyed(const tenon_hmac_ctx *prk_hmac, const void *info,
                                      size_t info_len, uint8_t *out, size_t out_len)
{
    size_t hash_len = prk_hmac->inner.vtable->digest_len;
    /* RFC 5869 §2.3: "L: length of output keying material in octets (<= 255*HashLen)". */
    ENSURE(out_len <= 255 * hash_len, TENON_ERR_OUTPUT_TOO_LONG);
    ENSURE(out != NULL || out_len == 0, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(info != NULL || info_len == 0, TENON_ERR_INVALID_ARGUMENT);

    /* SHA-256 and one block (TLS 1.3's every HKDF-Expand-Label: an HkdfLabel is at most 54
     * bytes there): T(1) = HMAC(PRK, info | 0x01) from the keyed states alone, the message
     * hashed into the padding block (sha256_final_tail_with), no context copied or wiped. */
    if (prk_hmac->inner.vtable == &tenon_sha256 && out_len <= TENON_SHA256_LEN &&
        info_len < SHA256_TAIL_MAX) {
        const sha256_impl *impl = sha256_best_impl();
        uint8_t msg[SHA256_TAIL_MAX], digest[TENON_SHA256_LEN];
        if (info_len > 0)
            memcpy(msg, info, info_len);
        msg[info_len] = 1;
        sha256_final_tail_with(impl, &prk_hmac->inner.sha256, msg, info_len + 1, digest);
        sha256_final_tail_with(impl, &prk_hmac->outer.sha256, digest, TENON_SHA256_LEN, digest);
        if (out_len > 0) /* out may be NULL then */
            memcpy(out, digest, out_len);
        tenon_wipe(msg, info_len + 1);
        tenon_wipe(digest, sizeof digest);
        return TENON_OK;
    }

    /* out must not overlap info, which every block reads. */
    tenon_hmac_ctx blk;
    uint8_t t[TENON_HASH_MAX_LEN];

    /* RFC 5869 §2.3:
     *   T(0) = empty string (zero length)
     *   T(i) = HMAC-Hash(PRK, T(i-1) | info | i)   for i = 1 .. N = ceil(L/HashLen)
     *   OKM = first L octets of T(1) | T(2) | ... | T(N) */
    size_t done = 0;
    for (unsigned i = 1; done < out_len; i++) {
        uint8_t counter = (uint8_t)i;
        blk = *prk_hmac;
        if (i > 1)
            tenon_hmac_update(&blk, t, hash_len);
        tenon_hmac_update(&blk, info, info_len);
        tenon_hmac_update(&blk, &counter, 1);
        tenon_hmac_final(&blk, t);
        size_t n = out_len - done < hash_len ? out_len - done : hash_len;
        memcpy(out + done, t, n);
        done += n;
    }
    if (out_len > 0)
        tenon_hmac_wipe(&blk);
    tenon_wipe(t, sizeof t);
    return TENON_OK;
}
