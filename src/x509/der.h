/*
 * Internal: a bounds-checked DER reader and a DER writer (ITU-T X.690 §8, §10).
 *
 * The reader is a cursor over a byte view. Every read either succeeds completely or fails and
 * leaves the cursor where it was. A constructed element is read into a sub-cursor over its
 * contents that the caller must consume exactly (der_finish). Only what DER allows is accepted:
 * definite lengths in their minimal form, low tag numbers (0..30, all that X.509 uses), minimal
 * INTEGERs, BOOLEAN as 0x00/0xFF, BIT STRINGs with zero unused bits, times ending in Z.
 * Errors are TENON_ERR_MALFORMED, or TENON_ERR_DER_TOO_DEEP past DER_MAX_DEPTH nested levels.
 */
#ifndef TENON_X509_DER_H
#define TENON_X509_DER_H

#include "../common.h"

/* Identifier octets (X.690 §8.1.2): class in bits 8-7, constructed bit 6, number in 5-1. */
#define DER_BOOLEAN 0x01
#define DER_INTEGER 0x02
#define DER_BIT_STRING 0x03
#define DER_OCTET_STRING 0x04
#define DER_NULL 0x05
#define DER_OID 0x06
#define DER_UTF8_STRING 0x0c
#define DER_PRINTABLE_STRING 0x13
#define DER_T61_STRING 0x14
#define DER_IA5_STRING 0x16
#define DER_UTC_TIME 0x17
#define DER_GENERALIZED_TIME 0x18
#define DER_UNIVERSAL_STRING 0x1c
#define DER_BMP_STRING 0x1e
#define DER_SEQUENCE 0x30
#define DER_SET 0x31
#define DER_CONSTRUCTED 0x20
#define DER_CONTEXT 0x80
#define DER_CTX(n) ((uint8_t)(0x80 | (n)))      /* [n] IMPLICIT, primitive */
#define DER_CTX_CONS(n) ((uint8_t)(0xa0 | (n))) /* [n] EXPLICIT or constructed IMPLICIT */

#define DER_MAX_DEPTH 32

typedef struct der_cursor {
    const uint8_t *p;
    size_t len;
    size_t pos;
    unsigned depth; /* nesting level of these contents */
} der_cursor;

/* One element: its identifier octet, its contents, and the whole encoding. */
typedef struct der_tlv {
    uint8_t tag;
    const uint8_t *val;
    size_t len;
    const uint8_t *raw; /* identifier octet onwards */
    size_t raw_len;
} der_tlv;

void der_init(der_cursor *c, const uint8_t *p, size_t len);
int der_at_end(const der_cursor *c);
/* The next identifier octet, or -1 at the end. */
int der_peek(const der_cursor *c);
/* TENON_ERR_MALFORMED unless every byte was consumed (X.690 §10.1 leaves no room for
 * trailing data inside a definite-length element). */
TENON_MUST_CHECK int der_finish(const der_cursor *c);

TENON_MUST_CHECK int der_read_tlv(der_cursor *c, der_tlv *t);
/* The next element, which must have identifier octet tag. */
TENON_MUST_CHECK int der_expect(der_cursor *c, uint8_t tag, der_tlv *t);
/* A constructed element with identifier tag, as a sub-cursor one level deeper. */
TENON_MUST_CHECK int der_enter(der_cursor *c, uint8_t tag, der_cursor *sub);
/* A sub-cursor over an element already read (for a tlv with the constructed bit). */
TENON_MUST_CHECK int der_sub(const der_cursor *parent, const der_tlv *t, der_cursor *sub);
/* As der_enter if the next identifier is tag; otherwise *present = 0 and nothing is read. */
TENON_MUST_CHECK int der_enter_optional(der_cursor *c, uint8_t tag, der_cursor *sub, int *present);

/* INTEGER, minimal (X.690 §8.3.2); t->val holds the two's complement contents. */
TENON_MUST_CHECK int der_read_integer(der_cursor *c, der_tlv *t);
/* A non-negative INTEGER's magnitude: the sign octet dropped (zero is one 0x00 byte). */
TENON_MUST_CHECK int der_read_uint(der_cursor *c, const uint8_t **mag, size_t *mag_len);
/* A non-negative INTEGER no larger than max. */
TENON_MUST_CHECK int der_read_small_uint(der_cursor *c, uint32_t max, uint32_t *v);
/* BOOLEAN, DER form: 0x00 or 0xFF (X.690 §11.1). */
TENON_MUST_CHECK int der_read_bool(der_cursor *c, int *v);
TENON_MUST_CHECK int der_read_null(der_cursor *c);
/* OBJECT IDENTIFIER with well-formed, minimal sub-identifiers (X.690 §8.19.2). */
TENON_MUST_CHECK int der_read_oid(der_cursor *c, der_tlv *t);
/* BIT STRING (X.690 §8.6, §11.2): *unused in 0..7, zero when empty, the unused bits zero. */
TENON_MUST_CHECK int der_read_bit_string(der_cursor *c, const uint8_t **bits, size_t *len,
                                         unsigned *unused);
TENON_MUST_CHECK int der_read_octet_string(der_cursor *c, der_tlv *t);
/* UTCTime or GeneralizedTime in the forms RFC 5280 §4.1.2.5 requires (YYMMDDHHMMSSZ,
 * YYYYMMDDHHMMSSZ) to seconds since the epoch. */
TENON_MUST_CHECK int der_read_time(der_cursor *c, int64_t *t);
/* The same on an element already read (tag UTCTime or GeneralizedTime). */
TENON_MUST_CHECK int der_parse_time(const der_tlv *t, int64_t *out);

/* 1 if t's contents equal the OID contents oid[0 .. len). */
int der_oid_eq(const der_tlv *t, const uint8_t *oid, size_t len);

/* Walks a whole buffer as a sequence of DER elements, descending into every constructed one:
 * 0 if all of it is well-formed DER structure. */
TENON_MUST_CHECK int der_validate(const uint8_t *p, size_t len);

/* Days since 1970-01-01 of a proleptic Gregorian date; and back. */
int64_t der_days_from_civil(int64_t y, unsigned m, unsigned d);
void der_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* ---- writer ---- */

#define DERW_MAX_DEPTH 12

/* Writes into a caller buffer; the first error is sticky and reported by derw_finish. A
 * constructed element is opened with derw_begin and closed with derw_end, which fills in its
 * length (moving the contents when the length needs more than one octet). */
typedef struct der_writer {
    uint8_t *buf;
    size_t cap, pos;
    size_t open[DERW_MAX_DEPTH]; /* positions of the provisional length octets */
    unsigned depth;
    int err;
} der_writer;

void derw_init(der_writer *w, uint8_t *buf, size_t cap);
void derw_begin(der_writer *w, uint8_t tag);
void derw_end(der_writer *w);
void derw_raw(der_writer *w, const void *p, size_t len);
void derw_prim(der_writer *w, uint8_t tag, const void *p, size_t len);
/* A non-negative INTEGER from a big-endian magnitude (leading zeros dropped, sign octet added). */
void derw_uint(der_writer *w, const uint8_t *mag, size_t len);
void derw_small_uint(der_writer *w, uint32_t v);
void derw_bool(der_writer *w, int v);
/* UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5). */
void derw_time(der_writer *w, int64_t t);
/* BIT STRING with zero unused bits. */
void derw_bit_string(der_writer *w, const uint8_t *p, size_t len);
TENON_MUST_CHECK int derw_finish(const der_writer *w, size_t *len);

#endif
