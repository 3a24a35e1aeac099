/*
 * The mutations and the feeding loop shared by the fuzz replay tests (test_fuzz_tls.c,
 * test_fuzz_tls12.c): deterministic byte-level mutations (tu_rand_u64), and an engine fed in
 * random chunk sizes that must keep any error it reports.
 */
#ifndef TENON_TEST_FUZZ_MUTATE_H
#define TENON_TEST_FUZZ_MUTATE_H

#include "test_tls13_harness.h"

static size_t rnd(size_t n)
{
    return n == 0 ? 0 : (size_t)(tu_rand_u64() % n);
}

static size_t mutate(uint8_t *b, size_t len, size_t cap)
{
    static const uint8_t interesting[] = {0, 1, 0x7f, 0x80, 0xfe, 0xff, 0x20, 0x40};
    size_t ops = 1 + rnd(4);
    for (size_t k = 0; k < ops && len > 0; k++) {
        size_t at = rnd(len);
        switch (rnd(8)) {
        case 0:
            b[at] ^= (uint8_t)(1u << rnd(8));
            break;
        case 1:
            b[at] = (uint8_t)tu_rand_u64();
            break;
        case 2:
            b[at] = interesting[rnd(sizeof interesting)];
            break;
        case 3: /* a length-like pair of bytes */
            if (at + 1 < len) {
                uint16_t v = (uint16_t)(rnd(3) == 0 ? 0 : rnd(2) ? 0xffff : rnd(64));
                b[at] = (uint8_t)(v >> 8), b[at + 1] = (uint8_t)v;
            }
            break;
        case 4: /* insert */
            if (len < cap) {
                memmove(b + at + 1, b + at, len - at);
                b[at] = (uint8_t)tu_rand_u64();
                len++;
            }
            break;
        case 5: { /* delete a range */
            size_t n = 1 + rnd(16);
            if (at + n > len)
                n = len - at;
            memmove(b + at, b + at + n, len - at - n);
            len -= n;
            break;
        }
        case 6: { /* duplicate a range */
            size_t n = 1 + rnd(32);
            if (at + n > len)
                n = len - at;
            if (len + n <= cap) {
                memmove(b + at + n, b + at, len - at);
                len += n;
            }
            break;
        }
        default: /* truncate */
            len = at;
            break;
        }
    }
    return len;
}

/* Feeds data in random chunk sizes, draining the output as a network would; checks that an
 * error, once there, is what every call returns. */
static void feed_all(tenon_conn *conn, const uint8_t *data, size_t len)
{
    size_t off = 0;
    for (int guard = 0; guard < 100000 && off <= len; guard++) {
        const uint8_t *p;
        size_t n, used = 0;
        tenon_conn_output(conn, &p, &n);
        tenon_conn_output_consume(conn, n);
        uint8_t tmp[64];
        size_t r;
        while (tenon_conn_read(conn, tmp, sizeof tmp, &r) == 0 && r > 0) {
        }
        size_t chunk = rnd(4) == 0 ? 1 + rnd(8) : len - off;
        if (chunk > len - off)
            chunk = len - off;
        int rc = tenon_conn_feed(conn, data + off, chunk, &used);
        if (rc != 0) {
            CHECK(tenon_conn_error(conn) == rc);
            CHECK(tenon_conn_status(conn) & TENON_FAILED);
            CHECK(tenon_conn_feed(conn, data, len, &used) == rc);
            return;
        }
        off += used;
        if (off == len && used == 0)
            break;
        if (used == 0 && !(tenon_conn_status(conn) & (TENON_HAS_OUTPUT | TENON_READABLE)))
            break;
    }
}

#endif
