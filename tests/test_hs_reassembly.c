/*
 * Handshake message reassembly: RFC 8448's server flight cut into records of every size and at
 * every pair of split points, several messages per record, the size limit, zero-length
 * fragments, and the key-change-on-a-record-boundary rule of RFC 8446 §5.1.
 */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tls/hs_reassembly.h"

static cJSON *root;
static uint8_t stream[4096];
static size_t stream_len;
static size_t msg_off[8], msg_len[8];
static size_t nmsgs;

static void load_flight(void)
{
    static const char *const names[] = {"encrypted_extensions", "certificate",
                                        "certificate_verify"};
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(root, "inputs");
    const cJSON *messages = cJSON_GetObjectItemCaseSensitive(root, "messages");
    stream_len = nmsgs = 0;
    for (size_t i = 0; i < 4; i++) {
        size_t n;
        uint8_t *m = i < 3 ? tu_json_hex(inputs, names[i], &n)
                           : tu_json_hex(messages, "server_finished", &n);
        msg_off[nmsgs] = stream_len;
        msg_len[nmsgs++] = n;
        memcpy(stream + stream_len, m, n);
        stream_len += n;
        free(m);
    }
}

/* Feeds the stream cut at the given record boundaries (sorted, inside (0, stream_len)), each
 * record copied into a buffer that is scribbled over once it is used up; checks that the four
 * messages come out whole and in order. Returns the number of failures seen. */
static int run_cuts(const size_t *cuts, size_t ncuts, size_t cap)
{
    static uint8_t recbuf[4096];
    static uint8_t buf[4096];
    tls_hs_reasm r;
    int bad = 0;
    if (tls_hs_reasm_init(&r, buf, cap) != TENON_OK)
        return 1;
    size_t got = 0, start = 0;
    for (size_t ci = 0; ci <= ncuts; ci++) {
        size_t end = ci < ncuts ? cuts[ci] : stream_len;
        memcpy(recbuf, stream + start, end - start);
        if (tls_hs_reasm_add(&r, recbuf, end - start) != TENON_OK)
            return 1;
        tls_hs_msg m;
        int rc;
        while ((rc = tls_hs_reasm_next(&r, &m)) == TLS_HS_MSG) {
            if (got >= nmsgs || m.msg_len != msg_len[got] ||
                memcmp(m.msg, stream + msg_off[got], m.msg_len) != 0 ||
                m.type != stream[msg_off[got]] || m.body != m.msg + 4 ||
                m.body_len != m.msg_len - 4)
                bad++;
            got++;
        }
        if (rc != TLS_HS_NEED_MORE)
            bad++;
        memset(recbuf, 0xAA, sizeof recbuf);
        start = end;
    }
    if (got != nmsgs || tls_hs_reasm_pending(&r) || tls_hs_reasm_key_change(&r) != TENON_OK)
        bad++;
    return bad;
}

static void test_splits(void)
{
    load_flight();
    CHECK(nmsgs == 4 && stream[0] == 8 && stream[msg_off[3]] == 20);

    /* One record (as RFC 8448 sends it). */
    CHECK(run_cuts(NULL, 0, 4096) == 0);

    /* Records of every size from 1 to the whole flight. */
    static size_t cuts[4096];
    int bad = 0;
    for (size_t sz = 1; sz <= stream_len; sz++) {
        size_t nc = 0;
        for (size_t at = sz; at < stream_len; at += sz)
            cuts[nc++] = at;
        bad += run_cuts(cuts, nc, 4096);
    }
    CHECK(bad == 0);

    /* Every single split point and every pair of split points. */
    bad = 0;
    for (size_t a = 1; a < stream_len; a++) {
        bad += run_cuts(&a, 1, 4096);
        for (size_t b = a + 1; b < stream_len; b += 7) {
            size_t two[2] = {a, b};
            bad += run_cuts(two, 2, 4096);
        }
    }
    CHECK(bad == 0);

    /* The largest message (Certificate) fits the limit exactly. */
    CHECK(run_cuts(NULL, 0, msg_len[1]) == 0);
    size_t mid = msg_off[1] + 100;
    CHECK(run_cuts(&mid, 1, msg_len[1]) == 0);
}

static void test_limits(void)
{
    static uint8_t buf[64];
    tls_hs_reasm r;
    tls_hs_msg m;
    load_flight();

    /* Certificate is over a limit one byte smaller than it: refused in place ... */
    static uint8_t big[4096];
    CHECK_RC(tls_hs_reasm_init(&r, big, msg_len[1] - 1), TENON_OK);
    CHECK_RC(tls_hs_reasm_add(&r, stream, stream_len), TENON_OK);
    CHECK_RC(tls_hs_reasm_next(&r, &m), TLS_HS_MSG); /* EncryptedExtensions */
    CHECK_RC(tls_hs_reasm_next(&r, &m), TENON_ERR_TLS_DECODE);

    /* ... and as soon as its header is in when split, before its body is buffered. */
    CHECK_RC(tls_hs_reasm_init(&r, buf, sizeof buf), TENON_OK);
    CHECK_RC(tls_hs_reasm_add(&r, stream, msg_len[0] + 2), TENON_OK);
    CHECK_RC(tls_hs_reasm_next(&r, &m), TLS_HS_MSG);
    CHECK_RC(tls_hs_reasm_next(&r, &m), TLS_HS_NEED_MORE);
    CHECK(tls_hs_reasm_pending(&r));
    CHECK_RC(tls_hs_reasm_add(&r, stream + msg_len[0] + 2, 3), TENON_OK);
    CHECK_RC(tls_hs_reasm_next(&r, &m), TENON_ERR_TLS_DECODE);

    /* A 2^24 - 1 body length in the header, with a generous limit, is still refused. */
    uint8_t huge[6] = {11, 0xff, 0xff, 0xff, 0, 0};
    CHECK_RC(tls_hs_reasm_init(&r, buf, sizeof buf), TENON_OK);
    CHECK_RC(tls_hs_reasm_add(&r, huge, sizeof huge), TENON_OK);
    CHECK_RC(tls_hs_reasm_next(&r, &m), TENON_ERR_TLS_DECODE);

    /* Zero-length fragments (RFC 8446 §5.1) and bad arguments. */
    CHECK_RC(tls_hs_reasm_init(&r, buf, sizeof buf), TENON_OK);
    CHECK_RC(tls_hs_reasm_add(&r, huge, 0), TENON_ERR_TLS_DECODE);
    CHECK_RC(tls_hs_reasm_init(&r, buf, 3), TENON_ERR_INVALID_ARGUMENT);
    CHECK_RC(tls_hs_reasm_init(&r, NULL, 10), TENON_ERR_INVALID_ARGUMENT);

    /* A record handed over before the previous one is used up is the engine's bug. */
    uint8_t two[8] = {20, 0, 0, 0, 20, 0, 0, 0}; /* two empty Finished-typed messages */
    CHECK_RC(tls_hs_reasm_init(&r, buf, sizeof buf), TENON_OK);
    CHECK_RC(tls_hs_reasm_add(&r, two, 8), TENON_OK);
    CHECK_RC(tls_hs_reasm_next(&r, &m), TLS_HS_MSG);
    CHECK(m.body_len == 0 && m.msg == two);
    CHECK_RC(tls_hs_reasm_add(&r, two, 8), TENON_ERR_INTERNAL);
    CHECK_RC(tls_hs_reasm_next(&r, &m), TLS_HS_MSG);
    CHECK(m.msg == two + 4);
    CHECK_RC(tls_hs_reasm_next(&r, &m), TLS_HS_NEED_MORE);
    CHECK_RC(tls_hs_reasm_next(&r, &m), TLS_HS_NEED_MORE);
    CHECK_RC(tls_hs_reasm_add(&r, two, 8), TENON_OK);

    /* A zero-length body split right after its header. */
    CHECK_RC(tls_hs_reasm_init(&r, buf, sizeof buf), TENON_OK);
    CHECK_RC(tls_hs_reasm_add(&r, two, 2), TENON_OK);
    CHECK_RC(tls_hs_reasm_next(&r, &m), TLS_HS_NEED_MORE);
    CHECK_RC(tls_hs_reasm_add(&r, two + 2, 2), TENON_OK);
    CHECK_RC(tls_hs_reasm_next(&r, &m), TLS_HS_MSG);
    CHECK(m.type == 20 && m.msg_len == 4 && m.msg == buf);
}

/* RFC 8446 §5.1: a message that changes keys must end its record. */
static void test_key_change(void)
{
    static uint8_t buf[4096];
    tls_hs_reasm r;
    tls_hs_msg m;
    load_flight();

    /* Finished at the end of its record: the key change is allowed. */
    CHECK_RC(tls_hs_reasm_init(&r, buf, sizeof buf), TENON_OK);
    CHECK_RC(tls_hs_reasm_key_change(&r), TENON_OK);
    CHECK_RC(tls_hs_reasm_add(&r, stream, stream_len), TENON_OK);
    for (int i = 0; i < 3; i++)
        CHECK_RC(tls_hs_reasm_next(&r, &m), TLS_HS_MSG);
    CHECK_RC(tls_hs_reasm_key_change(&r), TENON_ERR_TLS_UNEXPECTED_MESSAGE);
    CHECK_RC(tls_hs_reasm_next(&r, &m), TLS_HS_MSG);
    CHECK(m.type == 20);
    CHECK_RC(tls_hs_reasm_key_change(&r), TENON_OK);

    /* A message after the Finished in the same record: the key change is refused. */
    static uint8_t rec[4200];
    memcpy(rec, stream, stream_len);
    memcpy(rec + stream_len, "\x18\x00\x00\x01\x00", 5); /* a KeyUpdate */
    CHECK_RC(tls_hs_reasm_init(&r, buf, sizeof buf), TENON_OK);
    CHECK_RC(tls_hs_reasm_add(&r, rec, stream_len + 5), TENON_OK);
    for (int i = 0; i < 4; i++)
        CHECK_RC(tls_hs_reasm_next(&r, &m), TLS_HS_MSG);
    CHECK(m.type == 20);
    CHECK(tls_hs_reasm_pending(&r));
    CHECK_RC(tls_hs_reasm_key_change(&r), TENON_ERR_TLS_UNEXPECTED_MESSAGE);

    /* Part of a next message in the buffer (the record ended mid-header): refused too. */
    CHECK_RC(tls_hs_reasm_init(&r, buf, sizeof buf), TENON_OK);
    CHECK_RC(tls_hs_reasm_add(&r, rec, stream_len + 2), TENON_OK);
    for (int i = 0; i < 4; i++)
        CHECK_RC(tls_hs_reasm_next(&r, &m), TLS_HS_MSG);
    CHECK_RC(tls_hs_reasm_next(&r, &m), TLS_HS_NEED_MORE);
    CHECK(tls_hs_reasm_pending(&r));
    CHECK_RC(tls_hs_reasm_key_change(&r), TENON_ERR_TLS_UNEXPECTED_MESSAGE);

    /* Reset forgets it and wipes the buffer. */
    tls_hs_reasm_reset(&r);
    CHECK(!tls_hs_reasm_pending(&r));
    CHECK_RC(tls_hs_reasm_key_change(&r), TENON_OK);
    CHECK(buf[0] == 0 && buf[1] == 0);
}

int main(void)
{
    root = tu_load_json("rfc/rfc8448_simple_1rtt.json");
    if (root == NULL)
        return tu_finish("test_hs_reassembly");
    test_splits();
    test_limits();
    test_key_change();
    cJSON_Delete(root);
    return tu_finish("test_hs_reassembly");
}
