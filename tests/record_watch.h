/*
 * A record stream watched in one direction, byte by byte as it crosses (in any pieces): the
 * number of records and the largest body of the protected ones (TLS 1.3: outer type 23; TLS
 * 1.2: everything after change_cipher_spec) and of the plaintext handshake ones. For the
 * record_size_limit tests (RFC 8449), which need no keys to check record sizes.
 */
#ifndef TENON_TEST_RECORD_WATCH_H
#define TENON_TEST_RECORD_WATCH_H

#include <stddef.h>
#include <stdint.h>

typedef struct record_watch {
    uint8_t hdr[5];
    size_t hdr_have, body_left;
    size_t max_protected, max_plain, records;
    int ccs; /* TLS 1.2: change_cipher_spec seen, records protected from here */
} record_watch;

static inline void record_watch_bytes(record_watch *w, const uint8_t *p, size_t n)
{
    while (n > 0) {
        if (w->body_left > 0) {
            size_t k = n < w->body_left ? n : w->body_left;
            w->body_left -= k;
            p += k;
            n -= k;
            continue;
        }
        w->hdr[w->hdr_have++] = *p++;
        n--;
        if (w->hdr_have < 5)
            continue;
        w->hdr_have = 0;
        size_t len = ((size_t)w->hdr[3] << 8) | w->hdr[4];
        w->body_left = len;
        w->records++;
        int prot = w->hdr[0] == 23 || (w->ccs && w->hdr[0] != 20);
        if (w->hdr[0] == 20)
            w->ccs = 1;
        if (prot && len > w->max_protected)
            w->max_protected = len;
        if (!prot && w->hdr[0] == 22 && len > w->max_plain)
            w->max_plain = len;
    }
}

#endif
