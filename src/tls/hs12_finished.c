/*
 * Finished for TLS 1.2 (RFC 5246 §7.4.9), both sides:
 *   struct { opaque verify_data[verify_data_length]; } Finished;
 *   verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))[0..11]
 * and what follows the peer's Finished: the end of the handshake, or our own
 * change_cipher_spec and Finished when the peer spoke first.
 */
#include "tls13.h"

#include "fuzzing.h"

/* RFC 5929 §3.1: tls-unique is "the first Finished message sent (note: the Finished struct,
 * not the TLS record layer message containing it) in the most recent TLS handshake": whichever
 * side spoke first, ours or the peer's. */
static void tls12_note_first_finished(tls_conn *c, const uint8_t *verify_data)
{
    if (c->tls_unique_len != 0)
        return;
    memcpy(c->tls_unique, verify_data, TLS12_VERIFY_DATA_LEN);
    c->tls_unique_len = TLS12_VERIFY_DATA_LEN;
}

int hs12_finished_send(tls_conn *c)
{
    const tenon_hash_class *h = c->suite12->prf;
    uint8_t th[64];
    writer w;
    wr_vec body;
    uint8_t *vd;
    GUARD(tls_transcript_hash(&c->hs->tx, th, NULL));
    GUARD(tls_hs_begin(c, HS_FINISHED, &w, &body));
    GUARD(wr_reserve(&w, TLS12_VERIFY_DATA_LEN, &vd));
    GUARD(tls12_finished(h, c->master, c->is_client, th, h->digest_len, vd, &c->trace));
    tls12_note_first_finished(c, vd);
    GUARD(tls_hs_finish(&w, &body));
    GUARD(tls_hs_commit(c, &w, NULL));
    /* Finished goes out under the new write keys, now: nothing is coalesced after it. */
    return tls_flush_handshake(c);
}

/* STYLE.md 9: the one function that sets finished_verified in TLS 1.2. */
int tls12_proof_finished(tls_conn *c, const uint8_t *verify_data, size_t len)
{
    const tenon_hash_class *h = c->suite12->prf;
    uint8_t th[64];
    GUARD(tls_transcript_hash(&c->hs->tx, th, NULL));
    /* A wrong verify_data is decrypt_error (§7.2.2), compared in constant time. */
    int rc = tls12_finished_check(h, c->master, !c->is_client, th, h->digest_len, verify_data, len,
                                  &c->trace);
#ifdef TENON_FUZZING
    rc = fuzzing_finished_ok(len, TLS12_VERIFY_DATA_LEN) ? TENON_OK : rc;
#endif
    GUARD(rc);
    c->finished_verified = 1;
    tls_trace_emit(&c->trace, TENON_TRACE_VERIFIED, 0, "Finished", NULL, 0);
    return TENON_OK;
}

int hs12_finished_recv(tls_conn *c, const uint8_t *msg, size_t len)
{
    /* §7.4.9: verify_data_length is 12 for every suite tenon has; another length cannot be
     * right (decode_error). */
    ENSURE(len == 4 + TLS12_VERIFY_DATA_LEN, TENON_ERR_TLS_DECODE);
    GUARD(tls12_proof_finished(c, msg + 4, TLS12_VERIFY_DATA_LEN));
    tls12_note_first_finished(c, msg + 4);
    tls_transcript_update(&c->hs->tx, msg, len);
    /* Who spoke first: in a full handshake the client (§7.3), in an abbreviated one the
     * server (RFC 5077 §3.1); the other answers now. */
    int answer = c->is_client ? c->resumed : !c->resumed;
    if (answer) {
        if (!c->is_client && c->ticket12_ok)
            GUARD(hs12_new_session_ticket_send(c));
        GUARD(hs12_change_cipher_spec_send(c));
        GUARD(hs12_finished_send(c));
    }
    return tls_enter_traffic(c);
}
