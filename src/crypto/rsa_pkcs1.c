/*
 * PKCS #1 v1.5: RSASSA-PKCS1-v1_5 signatures (RFC 8017 §8.2, §9.2) and RSAES-PKCS1-v1_5
 * encryption (RFC 8017 §7.2).
 */
#include "../common.h"
#include "ct.h"
#include "rsa_internal.h"
#include "tenon/crypto.h"
#include "tenon/rsa.h"

/* RFC 8017 §9.2 note 1: the DER encodings of DigestInfo up to the digest itself. */
static const uint8_t di_sha1[] = {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e,
                                  0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14};
static const uint8_t di_sha224[] = {0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                    0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c};
static const uint8_t di_sha256[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                    0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
static const uint8_t di_sha384[] = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                    0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30};
static const uint8_t di_sha512[] = {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                    0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40};

static const uint8_t *digest_info(const tenon_hash_class *h, size_t *len)
{
    if (h == &tenon_sha1) {
        *len = sizeof di_sha1;
        return di_sha1;
    }
    if (h == &tenon_sha224) {
        *len = sizeof di_sha224;
        return di_sha224;
    }
    if (h == &tenon_sha256) {
        *len = sizeof di_sha256;
        return di_sha256;
    }
    if (h == &tenon_sha384) {
        *len = sizeof di_sha384;
        return di_sha384;
    }
    if (h == &tenon_sha512) {
        *len = sizeof di_sha512;
        return di_sha512;
    }
    return NULL;
}

/* EMSA-PKCS1-v1_5-ENCODE (RFC 8017 §9.2): 0x00 0x01 PS(0xFF...) 0x00 DigestInfo, k bytes. */
static int emsa_pkcs1_encode(const tenon_hash_class *h, const uint8_t *digest, size_t digest_len,
                             uint8_t *em, size_t k)
{
    size_t di_len;
    const uint8_t *di = digest_info(h, &di_len);
    ENSURE(di != NULL, TENON_ERR_UNSUPPORTED);
    ENSURE(digest != NULL && digest_len == h->digest_len, TENON_ERR_INVALID_ARGUMENT);
    size_t t_len = di_len + digest_len;
    /* step 3: emLen >= tLen + 11 (always true for k >= 256) */
    ENSURE(k >= t_len + 11, TENON_ERR_KEY_SIZE);
    em[0] = 0x00;
    em[1] = 0x01;
    memset(em + 2, 0xff, k - t_len - 3);
    em[k - t_len - 1] = 0x00;
    memcpy(em + k - t_len, di, di_len);
    memcpy(em + k - digest_len, digest, digest_len);
    return TENON_OK;
}

TENON_API int tenon_rsa_pkcs1_sign(const tenon_rsa_private_key *key, const tenon_hash_class *h,
                                   const uint8_t *digest, size_t digest_len, uint8_t *sig,
                                   size_t sig_cap, size_t *sig_len)
{
    ENSURE(key != NULL && h != NULL && sig != NULL && sig_len != NULL, TENON_ERR_INVALID_ARGUMENT);
    size_t k = key->pub.n_len;
    ENSURE(sig_cap >= k, TENON_ERR_BUFFER_TOO_SMALL);
    uint8_t em[TENON_RSA_MAX_LEN];
    GUARD(emsa_pkcs1_encode(h, digest, digest_len, em, k));
    uint64_t in_range, check_ok;
    int rc = rsa_private_op(key, em, sig, &in_range, &check_ok);
    tenon_wipe(em, sizeof em);
    GUARD(rc);
    /* The encoded message starts with 0x00, so it is below n. The check's verdict is turned
     * into the return value without a branch: it is public, but it is the caller that makes it
     * so. */
    *sig_len = k;
    return (int)(int64_t)ct_select_u64(check_ok, 0, (uint64_t)(int64_t)TENON_ERR_INTERNAL);
}

TENON_API int tenon_rsa_pkcs1_verify(const tenon_rsa_public_key *key, const tenon_hash_class *h,
                                     const uint8_t *digest, size_t digest_len, const uint8_t *sig,
                                     size_t sig_len)
{
    ENSURE(key != NULL && h != NULL && (sig != NULL || sig_len == 0), TENON_ERR_INVALID_ARGUMENT);
    size_t k = key->n_len;
    uint8_t em[TENON_RSA_MAX_LEN], em2[TENON_RSA_MAX_LEN];
    /* RFC 8017 §8.2.2 step 1: the signature is exactly k octets. */
    ENSURE(sig_len == k, TENON_ERR_BAD_SIGNATURE);
    /* Step 2: s < n, then m = s^e mod n. */
    ENSURE(rsa_verify_op(key, sig, em) == TENON_OK, TENON_ERR_BAD_SIGNATURE);
    /* Steps 3-4: encode the expected message and compare whole (never parse the DigestInfo:
     * parsing is how signature forgeries with e = 3 were made possible). */
    GUARD(emsa_pkcs1_encode(h, digest, digest_len, em2, k));
    ENSURE(tenon_ct_memeq(em, em2, k), TENON_ERR_BAD_SIGNATURE);
    return TENON_OK;
}

TENON_API int tenon_rsa_pkcs1_encrypt(const tenon_rsa_public_key *key, const uint8_t *msg,
                                      size_t msg_len, uint8_t *out, size_t out_cap, size_t *out_len)
{
    ENSURE(key != NULL && (msg != NULL || msg_len == 0) && out != NULL && out_len != NULL,
           TENON_ERR_INVALID_ARGUMENT);
    size_t k = key->n_len;
    /* RFC 8017 §7.2.1 step 1: mLen <= k - 11. */
    ENSURE(msg_len + 11 <= k, TENON_ERR_OUTPUT_TOO_LONG);
    ENSURE(out_cap >= k, TENON_ERR_BUFFER_TOO_SMALL);
    uint8_t em[TENON_RSA_MAX_LEN];
    size_t ps_len = k - msg_len - 3;
    /* Step 2: EM = 0x00 || 0x02 || PS || 0x00 || M, PS random non-zero octets. */
    em[0] = 0x00;
    em[1] = 0x02;
    GUARD(tenon_random(em + 2, ps_len));
    for (size_t i = 0; i < ps_len; i++) {
        while (em[2 + i] == 0)
            GUARD(tenon_random(em + 2 + i, 1));
    }
    em[2 + ps_len] = 0x00;
    if (msg_len > 0)
        memcpy(em + 3 + ps_len, msg, msg_len);
    int rc = rsa_public_op(key, em, out);
    tenon_wipe(em, sizeof em);
    GUARD(rc);
    *out_len = k;
    return TENON_OK;
}

TENON_API int tenon_rsa_pkcs1_decrypt(const tenon_rsa_private_key *key, const uint8_t *ct,
                                      size_t ct_len, uint8_t *out, size_t out_cap, size_t *out_len)
{
    ENSURE(key != NULL && (ct != NULL || ct_len == 0) && (out != NULL || out_cap == 0) &&
               out_len != NULL,
           TENON_ERR_INVALID_ARGUMENT);
    size_t k = key->pub.n_len;
    /* RFC 8017 §7.2.2 step 1: the ciphertext is exactly k octets. */
    ENSURE(ct_len == k, TENON_ERR_BAD_LENGTH);
    uint8_t em[TENON_RSA_MAX_LEN];
    uint64_t in_range, check_ok;
    GUARD(rsa_private_op(key, ct, em, &in_range, &check_ok));

    /* Step 3, in constant time: EM = 0x00 || 0x02 || PS || 0x00 || M with at least 8 octets
     * of PS. `idx` is the position of the first zero octet after the 0x02. */
    uint32_t good = ct_mask_eq_u32(em[0], 0) & ct_mask_eq_u32(em[1], 2) & (uint32_t)in_range;
    uint32_t found = 0, idx = 0;
    for (size_t i = 2; i < k; i++) {
        uint32_t z = ct_mask_eq_u32(em[i], 0) & ~found;
        idx = ct_select_u32(z, (uint32_t)i, idx);
        found |= z;
    }
    good &= found & ct_mask_ge_u32(idx, 10);
    /* Only now are the outcomes branched on: they are what this function returns. */
    size_t msg_len = k - 1 - idx;
    int rc;
    if (!(check_ok & 1))
        rc = TENON_ERR_INTERNAL;
    else if (!(good & 1))
        rc = TENON_ERR_DECRYPTION_FAILED;
    else if (out_cap < msg_len)
        rc = TENON_ERR_BUFFER_TOO_SMALL;
    else {
        if (msg_len > 0)
            memcpy(out, em + idx + 1, msg_len);
        *out_len = msg_len;
        rc = TENON_OK;
    }
    tenon_wipe(em, sizeof em);
    return rc;
}
