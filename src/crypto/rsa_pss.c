/*
 * RSASSA-PSS (RFC 8017 §8.1) with EMSA-PSS (§9.1) and MGF1 (§B.2.1).
 */
#include "../common.h"
#include "ct.h"
#include "rsa_internal.h"
#include "tenon/crypto.h"
#include "tenon/rsa.h"

void rsa_mgf1_xor(const tenon_hash_class *h, const uint8_t *seed, size_t seed_len, uint8_t *out,
                  size_t mask_len)
{
    uint8_t t[TENON_HASH_MAX_LEN];
    tenon_hash_ctx ctx;
    /* T = Hash(mgfSeed || C) for counter C = 0, 1, ... as 4 octets (RFC 8017 §B.2.1 step 3). */
    for (uint32_t c = 0; mask_len > 0; c++) {
        uint8_t cb[4];
        store_be32(cb, c);
        h->init(&ctx);
        h->update(&ctx, seed, seed_len);
        h->update(&ctx, cb, 4);
        h->final(&ctx, t);
        size_t n = mask_len < h->digest_len ? mask_len : h->digest_len;
        for (size_t i = 0; i < n; i++)
            out[i] ^= t[i];
        out += n;
        mask_len -= n;
    }
    tenon_wipe(&ctx, sizeof ctx);
    tenon_wipe(t, sizeof t);
}

/* H = Hash(0x00 x 8 || mHash || salt) (RFC 8017 §9.1.1 steps 5-6, §9.1.2 steps 12-13). */
static void pss_hash(const tenon_hash_class *h, const uint8_t *mhash, const uint8_t *salt,
                     size_t salt_len, uint8_t *out)
{
    static const uint8_t zeros[8] = {0};
    tenon_hash_ctx ctx;
    h->init(&ctx);
    h->update(&ctx, zeros, 8);
    h->update(&ctx, mhash, h->digest_len);
    if (salt_len > 0)
        h->update(&ctx, salt, salt_len);
    h->final(&ctx, out);
}

TENON_API int tenon_rsa_pss_sign(const tenon_rsa_private_key *key, const tenon_hash_class *h,
                                 const uint8_t *digest, size_t digest_len, uint8_t *sig,
                                 size_t sig_cap, size_t *sig_len)
{
    ENSURE(key != NULL && h != NULL && digest != NULL && sig != NULL && sig_len != NULL,
           TENON_ERR_INVALID_ARGUMENT);
    ENSURE(h->digest_len > 0 && h->digest_len <= TENON_HASH_MAX_LEN && digest_len == h->digest_len,
           TENON_ERR_INVALID_ARGUMENT);
    size_t k = key->pub.n_len;
    ENSURE(sig_cap >= k, TENON_ERR_BUFFER_TOO_SMALL);
    size_t h_len = h->digest_len, s_len = h_len;
    /* emBits = modBits - 1; EM is emLen octets, right-aligned in the k-octet input. */
    size_t em_bits = key->pub.n_bits - 1, em_len = (em_bits + 7) / 8;
    ENSURE(em_len >= h_len + s_len + 2, TENON_ERR_KEY_SIZE);
    uint8_t buf[TENON_RSA_MAX_LEN] = {0};
    uint8_t *em = buf + (k - em_len);
    size_t db_len = em_len - h_len - 1;
    uint8_t salt[TENON_HASH_MAX_LEN];
    /* Step 4: a random salt of sLen = hLen octets. */
    GUARD(tenon_random(salt, s_len));
    /* Steps 5-6: H. */
    pss_hash(h, digest, salt, s_len, em + db_len);
    /* Steps 7-10: DB = PS || 0x01 || salt, masked with MGF1(H). */
    em[db_len - s_len - 1] = 0x01;
    memcpy(em + db_len - s_len, salt, s_len);
    rsa_mgf1_xor(h, em + db_len, h_len, em, db_len);
    /* Step 11: clear the leftmost 8 emLen - emBits bits. */
    em[0] &= (uint8_t)(0xff >> (8 * em_len - em_bits));
    /* Step 12: EM = maskedDB || H || 0xbc. */
    em[em_len - 1] = 0xbc;
    uint64_t in_range, check_ok;
    int rc = rsa_private_op(key, buf, sig, &in_range, &check_ok);
    tenon_wipe(buf, sizeof buf);
    tenon_wipe(salt, sizeof salt);
    GUARD(rc);
    *sig_len = k;
    return (int)(int64_t)ct_select_u64(check_ok, 0, (uint64_t)(int64_t)TENON_ERR_INTERNAL);
}

TENON_API int tenon_rsa_pss_verify_mgf1(const tenon_rsa_public_key *key, const tenon_hash_class *h,
                                        const tenon_hash_class *mgf1_h, const uint8_t *digest,
                                        size_t digest_len, size_t salt_len, const uint8_t *sig,
                                        size_t sig_len)
{
    ENSURE(key != NULL && h != NULL && mgf1_h != NULL && digest != NULL &&
               (sig != NULL || sig_len == 0),
           TENON_ERR_INVALID_ARGUMENT);
    ENSURE(h->digest_len > 0 && h->digest_len <= TENON_HASH_MAX_LEN &&
               mgf1_h->digest_len <= TENON_HASH_MAX_LEN && digest_len == h->digest_len,
           TENON_ERR_INVALID_ARGUMENT);
    size_t k = key->n_len, h_len = h->digest_len;
    uint8_t buf[TENON_RSA_MAX_LEN], hh[TENON_HASH_MAX_LEN];
    /* RFC 8017 §8.1.2 step 1: the signature is k octets; step 2: s < n, m = s^e mod n. */
    ENSURE(sig_len == k, TENON_ERR_BAD_SIGNATURE);
    ENSURE(rsa_verify_op(key, sig, buf) == TENON_OK, TENON_ERR_BAD_SIGNATURE);
    /* Step 2.c: EM = I2OSP(m, emLen); m must fit in emLen octets. */
    size_t em_bits = key->n_bits - 1, em_len = (em_bits + 7) / 8;
    for (size_t i = 0; i < k - em_len; i++)
        ENSURE(buf[i] == 0, TENON_ERR_BAD_SIGNATURE);
    uint8_t *em = buf + (k - em_len);
    /* EMSA-PSS-VERIFY (§9.1.2). Step 3: emLen >= hLen + sLen + 2. */
    ENSURE(em_len >= h_len + 2, TENON_ERR_BAD_SIGNATURE);
    ENSURE(salt_len == TENON_RSA_PSS_SALT_ANY || em_len - h_len - 2 >= salt_len,
           TENON_ERR_BAD_SIGNATURE);
    /* Step 4: the rightmost octet is 0xbc. */
    ENSURE(em[em_len - 1] == 0xbc, TENON_ERR_BAD_SIGNATURE);
    size_t db_len = em_len - h_len - 1;
    const uint8_t *H = em + db_len;
    /* Step 6: the leftmost 8 emLen - emBits bits of maskedDB are zero. */
    uint8_t top_mask = (uint8_t)(0xff >> (8 * em_len - em_bits));
    ENSURE((em[0] & ~top_mask) == 0, TENON_ERR_BAD_SIGNATURE);
    /* Steps 7-9: DB = maskedDB xor MGF(H), leftmost bits cleared. */
    rsa_mgf1_xor(mgf1_h, H, h_len, em, db_len);
    em[0] &= top_mask;
    /* Step 10: DB = 0x00 ... 0x00 || 0x01 || salt. */
    size_t i = 0;
    while (i < db_len && em[i] == 0)
        i++;
    ENSURE(i < db_len && em[i] == 0x01, TENON_ERR_BAD_SIGNATURE);
    size_t found_salt = db_len - i - 1;
    ENSURE(salt_len == TENON_RSA_PSS_SALT_ANY || found_salt == salt_len, TENON_ERR_BAD_SIGNATURE);
    /* Steps 11-14: H' = Hash(0x00 x 8 || mHash || salt) = H. */
    pss_hash(h, digest, em + db_len - found_salt, found_salt, hh);
    ENSURE(tenon_ct_memeq(hh, H, h_len), TENON_ERR_BAD_SIGNATURE);
    return TENON_OK;
}

TENON_API int tenon_rsa_pss_verify(const tenon_rsa_public_key *key, const tenon_hash_class *h,
                                   const uint8_t *digest, size_t digest_len, size_t salt_len,
                                   const uint8_t *sig, size_t sig_len)
{
    return tenon_rsa_pss_verify_mgf1(key, h, h, digest, digest_len, salt_len, sig, sig_len);
}
