/*
 * Finished (RFC 8446 §4.4.4), both sides:
 *   struct { opaque verify_data[Hash.length]; } Finished;
 *   verify_data = HMAC(finished_key, Transcript-Hash(Handshake Context, Certificate*,
 *                                                    CertificateVerify*))
 * with finished_key from the sender's handshake traffic secret.
 */
#include "tls13.h"

#include "fuzzing.h"

int hs_finished_send(tls_conn *c)
{
    const tenon_hash_class *h = c->suite->hash;
    uint8_t th[TLS13_MAX_HASH];
    writer w;
    wr_vec body;
    uint8_t *vd;
    GUARD(tls_transcript_hash(&c->hs->tx, th, NULL));
    GUARD(tls_hs_begin(c, HS_FINISHED, &w, &body));
    GUARD(wr_reserve(&w, h->digest_len, &vd));
    /* c_hs and s_hs hold the finished keys by now (tls_install_handshake_write). */
    GUARD(tls13_finished_mac(h, c->is_client ? c->hs->c_hs : c->hs->s_hs, th, vd, &c->trace));
    GUARD(tls_hs_finish(&w, &body));
    return tls_hs_commit(c, &w, NULL);
}

/* STYLE.md 9: the one function that sets finished_verified; the comparison is constant-time. */
int tls_proof_finished(tls_conn *c, const uint8_t *verify_data, size_t len)
{
    const tenon_hash_class *h = c->suite->hash;
    uint8_t th[TLS13_MAX_HASH], expect[TLS13_MAX_HASH];
    GUARD(tls_transcript_hash(&c->hs->tx, th, NULL));
    GUARD(tls13_finished_mac(h, c->is_client ? c->hs->s_hs : c->hs->c_hs, th, expect, &c->trace));
    int ok = len == h->digest_len && tenon_ct_memeq(expect, verify_data, len);
#ifdef TENON_FUZZING
    ok = fuzzing_finished_ok(len, h->digest_len);
#endif
    tenon_wipe(expect, sizeof expect);
    /* §4.4.4: "Recipients of Finished messages MUST verify that the contents are correct and
     * if incorrect MUST terminate the connection with a "decrypt_error" alert." */
    ENSURE(ok, TENON_ERR_TLS_DECRYPT_ERROR);
    c->finished_verified = 1;
    tls_trace_emit(&c->trace, TENON_TRACE_VERIFIED, 0, "finished", NULL, 0);
    return TENON_OK;
}

int hs_finished_recv(tls_conn *c, const uint8_t *msg, size_t len)
{
    /* The length is fixed by the suite's hash: anything else is a decode error. */
    ENSURE(len - 4 == c->suite->hash->digest_len, TENON_ERR_TLS_DECODE);
    GUARD(tls_proof_finished(c, msg + 4, len - 4));
    tls_transcript_update(&c->hs->tx, msg, len);
    if (c->is_client)
        return hs_client_flight(c);
    return hs_server_after_client_finished(c);
}
