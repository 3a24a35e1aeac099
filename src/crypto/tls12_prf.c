/*
 * The TLS 1.2 pseudorandom function (RFC 5246 §5). TLS 1.2 derives the master secret, the key
 * block and the Finished values with it; the hash is the cipher suite's PRF hash (SHA-256
 * unless the suite says SHA-384), but any class works.
 */
#include "../common.h"
#include "tenon/crypto.h"

TENON_API int tenon_tls12_prf(const tenon_hash_class *h, const void *secret, size_t secret_len,
                              const char *label, const void *seed, size_t seed_len, uint8_t *out,
                              size_t out_len)
{
    ENSURE(label != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(seed != NULL || seed_len == 0, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(out != NULL || out_len == 0, TENON_ERR_INVALID_ARGUMENT);

    size_t hash_len = h->digest_len;
    size_t label_len = strlen(label);
    tenon_hmac_ctx keyed, blk;
    uint8_t a[TENON_HASH_MAX_LEN], t[TENON_HASH_MAX_LEN];

    /* The secret is absorbed before any output is written, so out may overlap it (a master
     * secret derived over the pre-master secret's buffer); it must not overlap the seed. */
    tenon_hmac_init(&keyed, h, secret, secret_len);

    /* RFC 5246 §5: PRF(secret, label, seed) = P_<hash>(secret, label + seed), where
     *   P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) +
     *                          HMAC_hash(secret, A(2) + seed) + ...
     *   A(0) = seed
     *   A(i) = HMAC_hash(secret, A(i-1))
     * "P_hash can be iterated as many times as necessary to produce the required quantity of
     * data"; the excess of the last iteration is discarded. */
    blk = keyed;
    tenon_hmac_update(&blk, label, label_len);
    tenon_hmac_update(&blk, seed, seed_len);
    tenon_hmac_final(&blk, a); /* A(1) */

    size_t done = 0;
    while (done < out_len) {
        blk = keyed;
        tenon_hmac_update(&blk, a, hash_len);
        tenon_hmac_update(&blk, label, label_len);
        tenon_hmac_update(&blk, seed, seed_len);
        tenon_hmac_final(&blk, t);
        size_t n = out_len - done < hash_len ? out_len - done : hash_len;
        memcpy(out + done, t, n);
        done += n;
        if (done < out_len) {
            blk = keyed;
            tenon_hmac_update(&blk, a, hash_len);
            tenon_hmac_final(&blk, a); /* A(i+1) */
        }
    }
    tenon_hmac_wipe(&blk);
    tenon_hmac_wipe(&keyed);
    tenon_wipe(a, sizeof a);
    tenon_wipe(t, sizeof t);
    return TENON_OK;
}
