/*
 * The client's transcript runs only the hashes of the suites it offers (hs_client_transcript_init):
 * SHA-256 alone for SHA-256 suites, SHA-384 alone for SHA-384 suites, both for tenon's defaults,
 * and a TLS 1.2 suite's PRF hash counts only when TLS 1.2 is on. Each configuration still
 * completes a handshake with the server, and tls_transcript_not refuses to act once a message is
 * hashed.
 */
#include <string.h>

#include "test_tls13_harness.h"
#include "tls/tls13.h"

static unsigned running(endpoint *e)
{
    return tls_conn_of(&e->conn)->hs->tx.running;
}

/* bit 0: SHA-256, bit 1: SHA-384 (transcript.h's candidate order). */
static void run(const char *what, const uint16_t *suites, size_t n, uint16_t max_version,
                unsigned want_running, uint16_t want_suite)
{
    client_config(&CLIENT.cfg);
    server_config(&SERVER.cfg, CERT_P256);
    memcpy(CLIENT.cfg.suites, suites, n * sizeof suites[0]);
    CLIENT.cfg.suite_count = n;
    CLIENT.cfg.max_version = max_version;
    CHECK_RC(start(&CLIENT, &SERVER), TENON_OK);
    unsigned got = running(&CLIENT);
    if (got != want_running)
        fprintf(stderr, "%s: running %#x, want %#x\n", what, got, want_running);
    CHECK(got == want_running);
    pump(&CLIENT.conn, &SERVER.conn);
    CHECK(both_done(&CLIENT, &SERVER));
    tenon_conn_info info;
    CHECK_RC(tenon_conn_info_get(&CLIENT.conn, &info), TENON_OK);
    CHECK(info.suite == want_suite);
    tenon_conn_wipe(&CLIENT.conn);
    tenon_conn_wipe(&SERVER.conn);
}

static void test_offered_hashes(void)
{
    static const uint16_t s256[] = {TENON_TLS_AES_128_GCM_SHA256};
    static const uint16_t s384[] = {TENON_TLS_AES_256_GCM_SHA384};
    static const uint16_t mixed12[] = {TENON_TLS_AES_128_GCM_SHA256,
                                       TENON_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384};
    run("SHA-256 suite", s256, 1, TENON_TLS13, 1u, TENON_TLS_AES_128_GCM_SHA256);
    run("SHA-384 suite", s384, 1, TENON_TLS13, 2u, TENON_TLS_AES_256_GCM_SHA384);
    /* TLS 1.2 on: the SHA-384 PRF suite is offered, both run. */
    run("TLS 1.3 SHA-256 + TLS 1.2 SHA-384", mixed12, 2, TENON_TLS13, 3u,
        TENON_TLS_AES_128_GCM_SHA256);
    /* TLS 1.2 only: only the TLS 1.2 suite is offered, its PRF hash SHA-384 alone. */
    run("TLS 1.2 only, SHA-384 PRF", mixed12, 2, TENON_TLS12, 2u,
        TENON_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384);
    /* tenon's defaults offer suites of both hashes. */
    tenon_config d;
    client_config(&d);
    run("defaults", d.suites, d.suite_count, d.max_version, 3u, TENON_TLS_AES_128_GCM_SHA256);
}

static void test_not_after_first_message(void)
{
    tls_transcript t;
    tls_transcript_init(&t);
    CHECK_RC(tls_transcript_not(&t, &tenon_sha384), TENON_OK);
    CHECK(tls_transcript_runs(&t, &tenon_sha256) && !tls_transcript_runs(&t, &tenon_sha384));
    tls_transcript_update(&t, "x", 1);
    CHECK_RC(tls_transcript_not(&t, &tenon_sha256), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tls_transcript_not(NULL, &tenon_sha256), TENON_ERR_INVALID_ARGUMENT);
    tls_transcript_wipe(&t);
}

int main(void)
{
    if (pki_setup() != 0)
        return 1;
    test_offered_hashes();
    test_not_after_first_message();
    return tu_finish("test_client_transcript");
}
