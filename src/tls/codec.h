/*
 * Internal: the bounds-checked cursor and writer through which every TLS byte is read and
 * written (STYLE.md 4-5).
 *
 * A cursor is a view (pointer, remaining length). A read that would run past the end fails with
 * TENON_ERR_MALFORMED and leaves the cursor where it was. A length-prefixed vector is read as a
 * sub-cursor; cur_finish() then insists that a cursor was consumed exactly (trailing bytes are a
 * decode_error in TLS).
 *
 * A writer appends into a caller buffer; running out of room is TENON_ERR_BUFFER_TOO_SMALL,
 * never a truncation. A length-prefixed vector is written by reserving its length field
 * (wr_open_vec), writing the body, then wr_close_vec() fills the length in.
 */
#ifndef TENON_TLS_CODEC_H
#define TENON_TLS_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../common.h"

typedef struct cursor {
    const uint8_t *p;
    size_t len;
} cursor;

static inline cursor cur_init(const uint8_t *p, size_t len)
{
    cursor c = {p, len};
    return c;
}

static inline size_t cur_remaining(const cursor *c)
{
    return c->len;
}

TENON_MUST_CHECK static inline int cur_u8(cursor *c, uint8_t *v)
{
    ENSURE(c->len >= 1, TENON_ERR_MALFORMED);
    *v = c->p[0];
    c->p += 1;
    c->len -= 1;
    return TENON_OK;
}

TENON_MUST_CHECK static inline int cur_u16(cursor *c, uint16_t *v)
{
    ENSURE(c->len >= 2, TENON_ERR_MALFORMED);
    *v = (uint16_t)((c->p[0] << 8) | c->p[1]);
    c->p += 2;
    c->len -= 2;
    return TENON_OK;
}

TENON_MUST_CHECK static inline int cur_u24(cursor *c, uint32_t *v)
{
    ENSURE(c->len >= 3, TENON_ERR_MALFORMED);
    *v = ((uint32_t)c->p[0] << 16) | ((uint32_t)c->p[1] << 8) | c->p[2];
    c->p += 3;
    c->len -= 3;
    return TENON_OK;
}

TENON_MUST_CHECK static inline int cur_u32(cursor *c, uint32_t *v)
{
    ENSURE(c->len >= 4, TENON_ERR_MALFORMED);
    *v = ((uint32_t)c->p[0] << 24) | ((uint32_t)c->p[1] << 16) | ((uint32_t)c->p[2] << 8) |
         c->p[3];
    c->p += 4;
    c->len -= 4;
    return TENON_OK;
}

/* n bytes as a view (no copy). */
TENON_MUST_CHECK static inline int cur_bytes(cursor *c, size_t n, const uint8_t **out)
{
    ENSURE(c->len >= n, TENON_ERR_MALFORMED);
    *out = c->p;
    c->p += n;
    c->len -= n;
    return TENON_OK;
}

/* n bytes copied out. */
TENON_MUST_CHECK static inline int cur_copy(cursor *c, void *out, size_t n)
{
    ENSURE(c->len >= n, TENON_ERR_MALFORMED);
    if (n > 0)
        memcpy(out, c->p, n);
    c->p += n;
    c->len -= n;
    return TENON_OK;
}

/* A sub-cursor over the next n bytes. */
TENON_MUST_CHECK static inline int cur_sub(cursor *c, size_t n, cursor *sub)
{
    ENSURE(c->len >= n, TENON_ERR_MALFORMED);
    *sub = cur_init(c->p, n);
    c->p += n;
    c->len -= n;
    return TENON_OK;
}

/* A vector with a 1-, 2- or 3-byte length prefix (RFC 8446 §3.4), as a sub-cursor whose length
 * must lie in [min, max]. On failure the cursor is left where it was. */
TENON_MUST_CHECK static inline int cur_vec(cursor *c, unsigned prefix_bytes, size_t min, size_t max,
                                           cursor *sub)
{
    cursor save = *c;
    uint32_t n = 0;
    int rc;
    if (prefix_bytes == 1) {
        uint8_t v = 0;
        rc = cur_u8(c, &v);
        n = v;
    } else if (prefix_bytes == 2) {
        uint16_t v = 0;
        rc = cur_u16(c, &v);
        n = v;
    } else {
        rc = cur_u24(c, &n);
    }
    if (rc == TENON_OK && (n < min || n > max))
        rc = TENON_ERR_MALFORMED;
    if (rc == TENON_OK)
        rc = cur_sub(c, n, sub);
    if (rc != TENON_OK)
        *c = save;
    return rc;
}

/* The cursor must be empty: trailing bytes are malformed. */
TENON_MUST_CHECK static inline int cur_finish(const cursor *c)
{
    return c->len == 0 ? TENON_OK : TENON_ERR_MALFORMED;
}

typedef struct writer {
    uint8_t *buf;
    size_t cap;
    size_t len;
} writer;

static inline writer wr_init(uint8_t *buf, size_t cap)
{
    writer w = {buf, cap, 0};
    return w;
}

TENON_MUST_CHECK static inline int wr_bytes(writer *w, const void *p, size_t n)
{
    ENSURE(w->cap - w->len >= n, TENON_ERR_BUFFER_TOO_SMALL);
    if (n > 0)
        memcpy(w->buf + w->len, p, n);
    w->len += n;
    return TENON_OK;
}

TENON_MUST_CHECK static inline int wr_u8(writer *w, uint8_t v)
{
    return wr_bytes(w, &v, 1);
}

TENON_MUST_CHECK static inline int wr_u16(writer *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    return wr_bytes(w, b, 2);
}

TENON_MUST_CHECK static inline int wr_u24(writer *w, uint32_t v)
{
    uint8_t b[3] = {(uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    return wr_bytes(w, b, 3);
}

TENON_MUST_CHECK static inline int wr_u32(writer *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    return wr_bytes(w, b, 4);
}

/* Reserves n bytes and returns a pointer to them (to be filled by the caller). */
TENON_MUST_CHECK static inline int wr_reserve(writer *w, size_t n, uint8_t **out)
{
    ENSURE(w->cap - w->len >= n, TENON_ERR_BUFFER_TOO_SMALL);
    *out = w->buf + w->len;
    w->len += n;
    return TENON_OK;
}

/* A length-prefixed vector being written: remember where its length field is. */
typedef struct wr_vec {
    size_t at;             /* offset of the length field */
    unsigned prefix_bytes; /* 1, 2 or 3 */
} wr_vec;

TENON_MUST_CHECK static inline int wr_open_vec(writer *w, unsigned prefix_bytes, wr_vec *v)
{
    uint8_t *p;
    GUARD(wr_reserve(w, prefix_bytes, &p));
    v->at = w->len - prefix_bytes;
    v->prefix_bytes = prefix_bytes;
    return TENON_OK;
}

/* Fills in the length of the vector opened with wr_open_vec; too long a body for its length
 * field is an internal error (the caller's limits should have prevented it). */
TENON_MUST_CHECK static inline int wr_close_vec(writer *w, const wr_vec *v)
{
    size_t n = w->len - v->at - v->prefix_bytes;
    ENSURE(n < ((size_t)1 << (8 * v->prefix_bytes)), TENON_ERR_INTERNAL);
    for (unsigned i = 0; i < v->prefix_bytes; i++)
        w->buf[v->at + i] = (uint8_t)(n >> (8 * (v->prefix_bytes - 1 - i)));
    return TENON_OK;
}

#endif
