/*
 * Internal: the bypasses of a fuzzing build (CMake -DTENON_FUZZ_BYPASS=ON, which defines
 * TENON_FUZZING). Without that macro this header is empty.
 *
 * A fuzzer cannot forge an AEAD tag, a Finished MAC or a signature, so against a normal build it
 * never gets past the first encrypted record: everything behind EncryptedExtensions stays out of
 * reach. A fuzzing build (the same idea as BoringSSL's fuzzer mode) takes those three checks
 * away, and nothing else:
 *   - TLS 1.3 records are "sealed" with a null cipher: the TLSInnerPlaintext (content, type,
 *     padding) goes out in the clear, followed by a tag of 16 zero bytes; a record opens when
 *     its tag is all zero, and its plaintext is taken as it stands (record.c);
 *   - a Finished is accepted whatever its verify_data, if its length is the hash's
 *     (hs_finished.c);
 *   - a CertificateVerify signature is accepted whatever it is (hs_certificate_verify.c). The
 *     real verification still runs, so its parsers are fuzzed; only its verdict is ignored.
 *   - the same for TLS 1.2: AEAD records (GCM, ChaCha20-Poly1305) carry their content in the
 *     clear with a zero tag (record12.c), and the Finished, ServerKeyExchange and
 *     CertificateVerify verdicts are ignored (hs12_finished.c, hs12_server_key_exchange.c,
 *     hs12_certificate_verify.c); CBC records are unchanged (the targets use AEAD suites);
 *   - a PSK binder is accepted whatever it is, if its length is the hash's (hs_client_hello.c),
 *     so mutated resumption ClientHellos go on;
 *   - a client's legacy_session_id is a fixed value, not a random one (hs_client_hello.c), so a
 *     recorded ServerHello's echo — and a TLS 1.2 server's acceptance of a ticket — replays.
 * Certificate chain validation and ticket decryption are unchanged. The key schedule still runs
 * in full (its secrets just protect nothing).
 *
 * Such a library cannot talk to any real peer (nobody else reads a null-ciphered record) and must
 * never be installed or shipped: tenon_version() says FUZZING, every program that links the
 * record layer prints TENON_FUZZING_BANNER on stderr at startup, and CMake warns loudly at
 * configure time and refuses `install`. The hooks below keep each bypass to a line or two at its
 * call site, inside #ifdef TENON_FUZZING, so a normal build compiles exactly the code it always
 * did.
 */
#ifndef TENON_TLS_FUZZING_H
#define TENON_TLS_FUZZING_H

#ifdef TENON_FUZZING

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tenon/crypto.h"
#include "tenon/error.h"

#define TENON_FUZZING_BANNER                                                                       \
    "FUZZING BUILD (TENON_FUZZ_BYPASS): records are not encrypted, Finished, signatures and "      \
    "PSK binders are not checked. NEVER use it for real traffic."

/* Seal: the inner plaintext stays as it is (it is already in place), the tag is zeros. */
static inline int fuzzing_null_seal(uint8_t tag[TENON_AEAD_TAG_LEN])
{
    memset(tag, 0, TENON_AEAD_TAG_LEN);
    return TENON_OK;
}

/* Open: an all-zero tag authenticates, anything else is a bad record MAC (so the fuzzer still
 * meets the failure path, and a real peer's records never open). */
static inline int fuzzing_null_open(const uint8_t tag[TENON_AEAD_TAG_LEN])
{
    uint8_t acc = 0;
    for (size_t i = 0; i < TENON_AEAD_TAG_LEN; i++)
        acc |= tag[i];
    return acc == 0 ? TENON_OK : TENON_ERR_AUTH_FAILED;
}

/* Finished: any verify_data of the right length. */
static inline int fuzzing_finished_ok(size_t len, size_t digest_len)
{
    return len == digest_len;
}

/* CertificateVerify: the verification's result (computed, then ignored) becomes success. */
static inline int fuzzing_signature_result(int real_result)
{
    (void)real_result;
    return TENON_OK;
}

static inline void fuzzing_startup_note(void)
{
    fputs("tenon: " TENON_FUZZING_BANNER "\n", stderr);
}

#endif /* TENON_FUZZING */

#endif
