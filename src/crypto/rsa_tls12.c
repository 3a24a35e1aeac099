/*
 * The TLS 1.2 RSA key exchange, server side (RFC 5246 §7.4.7.1).
 *
 * RFC 5246 §7.4.7.1: "In any case, a TLS server MUST NOT generate an alert if processing an
 * RSA-encrypted premaster secret message fails, or the version number is not as expected.
 * Instead, it MUST continue the handshake with a randomly generated premaster secret." The
 * RFC's steps are followed in order: generate 48 random bytes R, decrypt, and replace R by the
 * decrypted value only if the padding, the length and the version are all right. The choice is a
 * mask, so neither timing, nor branches, nor memory addresses, nor the return value tell a
 * padding failure (Bleichenbacher 1998) from a version mismatch (Klima, Pokorny, Rosa 2003) or
 * from success.
 */
#include "../common.h"
#include "ct.h"
#include "rsa_internal.h"
#include "tenon/crypto.h"
#include "tenon/rsa.h"

TENON_API int tenon_rsa_tls12_premaster_decrypt(const tenon_rsa_private_key *key, const uint8_t *ct,
                                                size_t ct_len, uint8_t client_version_major,
                                                uint8_t client_version_minor,
                                                uint8_t out[TENON_RSA_PREMASTER_LEN])
{
    ENSURE(key != NULL && ct != NULL && out != NULL, TENON_ERR_INVALID_ARGUMENT);
    size_t k = key->pub.n_len;
    /* The length of the ciphertext is public (it is on the wire). */
    ENSURE(ct_len == k, TENON_ERR_BAD_LENGTH);
    /* 1. Generate a string R of 48 random bytes. */
    GUARD(tenon_random(out, TENON_RSA_PREMASTER_LEN));

    /* 2. Decrypt the message to recover the plaintext M. */
    uint8_t em[TENON_RSA_MAX_LEN];
    uint64_t in_range, check_ok;
    int rc = rsa_private_op(key, ct, em, &in_range, &check_ok);
    if (rc < 0) {
        tenon_wipe(em, sizeof em);
        return rc;
    }

    /* 3. If the PKCS#1 padding is not correct, or the length of message M is not exactly 48
     * bytes: pre_master_secret = R, else if ClientHello.client_version <= TLS 1.0 and the
     * version number is explicitly allowed (never: tenon is strict), else
     * pre_master_secret = ClientHello.client_version || M[2..47].
     * EM = 0x00 || 0x02 || PS (k - 51 non-zero octets) || 0x00 || major || minor || 46 bytes. */
    size_t z = k - TENON_RSA_PREMASTER_LEN - 1;
    uint32_t good = (uint32_t)(in_range & check_ok);
    good &= ct_mask_eq_u32(em[0], 0x00) & ct_mask_eq_u32(em[1], 0x02);
    uint32_t zeros = 0;
    for (size_t i = 2; i < z; i++)
        zeros |= ct_mask_eq_u32(em[i], 0);
    good &= ~zeros & ct_mask_eq_u32(em[z], 0x00);
    good &= ct_mask_eq_u32(em[z + 1], client_version_major);
    good &= ct_mask_eq_u32(em[z + 2], client_version_minor);
    ct_cond_copy(good, out, em + z + 1, TENON_RSA_PREMASTER_LEN);
    tenon_wipe(em, sizeof em);
    /* A failed fault check is the only error left; it keeps R as well. */
    return (int)(int64_t)ct_select_u64(check_ok, 0, (uint64_t)(int64_t)TENON_ERR_INTERNAL);
}
