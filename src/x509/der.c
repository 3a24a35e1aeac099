/* The DER reader and writer: see der.h. */
#include "der.h"

void der_init(der_cursor *c, const uint8_t *p, size_t len)
{
    c->p = p;
    c->len = p ? len : 0;
    c->pos = 0;
    c->depth = 0;
}

int der_at_end(const der_cursor *c)
{
    return c->pos >= c->len;
}

int der_peek(const der_cursor *c)
{
    return c->pos < c->len ? c->p[c->pos] : -1;
}

int der_finish(const der_cursor *c)
{
    ENSURE(c->pos == c->len, TENON_ERR_MALFORMED);
    return 0;
}

int der_read_tlv(der_cursor *c, der_tlv *t)
{
    size_t pos = c->pos, rem = c->len - c->pos, len;
    ENSURE(rem >= 2, TENON_ERR_MALFORMED);
    uint8_t id = c->p[pos];
    /* X.690 §8.1.2.4: number 31 announces the high-tag-number form. X.509 never uses it, so it
     * is refused rather than parsed. */
    ENSURE((id & 0x1f) != 0x1f, TENON_ERR_MALFORMED);
    uint8_t l0 = c->p[pos + 1];
    size_t hdr = 2;
    if (l0 < 0x80) {
        len = l0;
    } else {
        /* X.690 §10.1: definite form only (0x80 is the indefinite form), in the fewest octets:
         * the long form only for 128 and more, and no leading zero octet. */
        size_t n = l0 & 0x7f;
        ENSURE(n != 0, TENON_ERR_MALFORMED);
        ENSURE(n <= sizeof(size_t) && n <= 4, TENON_ERR_MALFORMED);
        ENSURE(rem - 2 >= n, TENON_ERR_MALFORMED);
        ENSURE(c->p[pos + 2] != 0, TENON_ERR_MALFORMED);
        len = 0;
        for (size_t i = 0; i < n; i++)
            len = (len << 8) | c->p[pos + 2 + i];
        ENSURE(len >= 0x80, TENON_ERR_MALFORMED);
        hdr += n;
    }
    ENSURE(len <= rem - hdr, TENON_ERR_MALFORMED);
    t->tag = id;
    t->raw = c->p + pos;
    t->raw_len = hdr + len;
    t->val = c->p + pos + hdr;
    t->len = len;
    c->pos = pos + hdr + len;
    return 0;
}

int der_expect(der_cursor *c, uint8_t tag, der_tlv *t)
{
    ENSURE(der_peek(c) == tag, TENON_ERR_MALFORMED);
    return der_read_tlv(c, t);
}

int der_sub(const der_cursor *parent, const der_tlv *t, der_cursor *sub)
{
    ENSURE(t->tag & DER_CONSTRUCTED, TENON_ERR_MALFORMED);
    ENSURE(parent->depth + 1 < DER_MAX_DEPTH, TENON_ERR_DER_TOO_DEEP);
    der_init(sub, t->val, t->len);
    sub->depth = parent->depth + 1;
    return 0;
}

int der_enter(der_cursor *c, uint8_t tag, der_cursor *sub)
{
    der_cursor save = *c;
    der_tlv t;
    GUARD(der_expect(c, tag, &t));
    int rc = der_sub(c, &t, sub);
    if (rc < 0)
        *c = save;
    return rc;
}

int der_enter_optional(der_cursor *c, uint8_t tag, der_cursor *sub, int *present)
{
    *present = 0;
    if (der_peek(c) != tag)
        return 0;
    GUARD(der_enter(c, tag, sub));
    *present = 1;
    return 0;
}

static int check_integer(const der_tlv *t)
{
    ENSURE(t->len >= 1, TENON_ERR_MALFORMED);
    /* X.690 §8.3.2: the first nine bits are neither all zeros nor all ones. */
    if (t->len >= 2) {
        ENSURE(!(t->val[0] == 0x00 && !(t->val[1] & 0x80)), TENON_ERR_MALFORMED);
        ENSURE(!(t->val[0] == 0xff && (t->val[1] & 0x80)), TENON_ERR_MALFORMED);
    }
    return 0;
}

int der_read_integer(der_cursor *c, der_tlv *t)
{
    der_cursor save = *c;
    GUARD(der_expect(c, DER_INTEGER, t));
    int rc = check_integer(t);
    if (rc < 0)
        *c = save;
    return rc;
}

int der_read_uint(der_cursor *c, const uint8_t **mag, size_t *mag_len)
{
    der_cursor save = *c;
    der_tlv t;
    GUARD(der_read_integer(c, &t));
    if (t.val[0] & 0x80) {
        *c = save;
        return TENON_ERR_MALFORMED;
    }
    *mag = t.val;
    *mag_len = t.len;
    if (t.len > 1 && t.val[0] == 0) {
        (*mag)++;
        (*mag_len)--;
    }
    return 0;
}

int der_read_small_uint(der_cursor *c, uint32_t max, uint32_t *v)
{
    der_cursor save = *c;
    const uint8_t *m;
    size_t n;
    GUARD(der_read_uint(c, &m, &n));
    uint64_t x = 0;
    int ok = n <= 4;
    for (size_t i = 0; ok && i < n; i++)
        x = (x << 8) | m[i];
    if (!ok || x > max) {
        *c = save;
        return TENON_ERR_MALFORMED;
    }
    *v = (uint32_t)x;
    return 0;
}

int der_read_bool(der_cursor *c, int *v)
{
    der_cursor save = *c;
    der_tlv t;
    GUARD(der_expect(c, DER_BOOLEAN, &t));
    if (t.len != 1 || (t.val[0] != 0x00 && t.val[0] != 0xff)) {
        *c = save;
        return TENON_ERR_MALFORMED;
    }
    *v = t.val[0] != 0;
    return 0;
}

int der_read_null(der_cursor *c)
{
    der_cursor save = *c;
    der_tlv t;
    GUARD(der_expect(c, DER_NULL, &t));
    if (t.len != 0) {
        *c = save;
        return TENON_ERR_MALFORMED;
    }
    return 0;
}

int der_read_oid(der_cursor *c, der_tlv *t)
{
    der_cursor save = *c;
    GUARD(der_expect(c, DER_OID, t));
    /* X.690 §8.19.2: each sub-identifier in base 128, the last octet of each with bit 8 clear,
     * and no leading 0x80 octet. */
    int ok = t->len >= 1 && !(t->val[t->len - 1] & 0x80);
    for (size_t i = 0; ok && i < t->len; i++)
        if (t->val[i] == 0x80 && (i == 0 || !(t->val[i - 1] & 0x80)))
            ok = 0;
    if (!ok) {
        *c = save;
        return TENON_ERR_MALFORMED;
    }
    return 0;
}

int der_read_bit_string(der_cursor *c, const uint8_t **bits, size_t *len, unsigned *unused)
{
    der_cursor save = *c;
    der_tlv t;
    GUARD(der_expect(c, DER_BIT_STRING, &t));
    /* X.690 §8.6.2 and §11.2.1: the initial octet counts unused bits (0..7, 0 when there is no
     * further octet) and DER sets those bits to zero. */
    int ok = t.len >= 1 && t.val[0] <= 7 && !(t.len == 1 && t.val[0] != 0);
    if (ok && t.len > 1)
        ok = (t.val[t.len - 1] & ((1u << t.val[0]) - 1)) == 0;
    if (!ok) {
        *c = save;
        return TENON_ERR_MALFORMED;
    }
    *bits = t.val + 1;
    *len = t.len - 1;
    *unused = t.val[0];
    return 0;
}

int der_read_octet_string(der_cursor *c, der_tlv *t)
{
    return der_expect(c, DER_OCTET_STRING, t);
}

int64_t der_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* Count in 400-year eras starting on 1 March, so the leap day is the era's last day. */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (m + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void der_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int digits(const uint8_t *p, size_t n, unsigned *v)
{
    unsigned x = 0;
    for (size_t i = 0; i < n; i++) {
        ENSURE(p[i] >= '0' && p[i] <= '9', TENON_ERR_MALFORMED);
        x = x * 10 + (unsigned)(p[i] - '0');
    }
    *v = x;
    return 0;
}

int der_parse_time(const der_tlv *t, int64_t *out)
{
    unsigned year, mon, day, hh, mm, ss;
    const uint8_t *p = t->val;
    if (t->tag == DER_UTC_TIME) {
        /* RFC 5280 §4.1.2.5.1: YYMMDDHHMMSSZ; YY >= 50 is 19YY, otherwise 20YY. */
        ENSURE(t->len == 13, TENON_ERR_MALFORMED);
        GUARD(digits(p, 2, &year));
        year += year >= 50 ? 1900 : 2000;
        p += 2;
    } else if (t->tag == DER_GENERALIZED_TIME) {
        /* RFC 5280 §4.1.2.5.2: YYYYMMDDHHMMSSZ, no fractional seconds. */
        ENSURE(t->len == 15, TENON_ERR_MALFORMED);
        GUARD(digits(p, 4, &year));
        p += 4;
    } else {
        return TENON_ERR_MALFORMED;
    }
    GUARD(digits(p, 2, &mon));
    GUARD(digits(p + 2, 2, &day));
    GUARD(digits(p + 4, 2, &hh));
    GUARD(digits(p + 6, 2, &mm));
    GUARD(digits(p + 8, 2, &ss));
    ENSURE(p[10] == 'Z', TENON_ERR_MALFORMED);
    static const uint8_t mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    ENSURE(mon >= 1 && mon <= 12 && day >= 1 && day <= mdays[mon - 1], TENON_ERR_MALFORMED);
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    ENSURE(!(mon == 2 && day == 29 && !leap), TENON_ERR_MALFORMED);
    ENSURE(hh <= 23 && mm <= 59 && ss <= 59, TENON_ERR_MALFORMED);
    *out = der_days_from_civil(year, mon, day) * 86400 + hh * 3600 + mm * 60 + ss;
    return 0;
}

int der_read_time(der_cursor *c, int64_t *out)
{
    der_cursor save = *c;
    der_tlv t;
    int tag = der_peek(c);
    ENSURE(tag == DER_UTC_TIME || tag == DER_GENERALIZED_TIME, TENON_ERR_MALFORMED);
    GUARD(der_read_tlv(c, &t));
    int rc = der_parse_time(&t, out);
    if (rc < 0)
        *c = save;
    return rc;
}

int der_oid_eq(const der_tlv *t, const uint8_t *oid, size_t len)
{
    return t->len == len && memcmp(t->val, oid, len) == 0;
}

static int validate(der_cursor *c)
{
    while (!der_at_end(c)) {
        der_tlv t;
        GUARD(der_read_tlv(c, &t));
        if (t.tag & DER_CONSTRUCTED) {
            der_cursor sub;
            GUARD(der_sub(c, &t, &sub));
            GUARD(validate(&sub));
        }
    }
    return 0;
}

int der_validate(const uint8_t *p, size_t len)
{
    der_cursor c;
    der_init(&c, p, len);
    return validate(&c);
}

/* ---- writer ---- */

void derw_init(der_writer *w, uint8_t *buf, size_t cap)
{
    w->buf = buf;
    w->cap = buf ? cap : 0;
    w->pos = 0;
    w->depth = 0;
    w->err = 0;
}

static int room(der_writer *w, size_t n)
{
    if (w->err)
        return 0;
    if (w->cap - w->pos < n) {
        w->err = TENON_ERR_BUFFER_TOO_SMALL;
        return 0;
    }
    return 1;
}

void derw_raw(der_writer *w, const void *p, size_t len)
{
    if (!room(w, len))
        return;
    if (len)
        memcpy(w->buf + w->pos, p, len);
    w->pos += len;
}

void derw_begin(der_writer *w, uint8_t tag)
{
    if (!w->err && w->depth >= DERW_MAX_DEPTH)
        w->err = TENON_ERR_INTERNAL;
    if (!room(w, 2))
        return;
    w->buf[w->pos] = tag;
    w->open[w->depth++] = w->pos + 1;
    w->buf[w->pos + 1] = 0;
    w->pos += 2;
}

void derw_end(der_writer *w)
{
    if (w->err)
        return;
    if (w->depth == 0) {
        w->err = TENON_ERR_INTERNAL;
        return;
    }
    size_t at = w->open[--w->depth];
    size_t body = w->pos - (at + 1);
    if (body < 0x80) {
        w->buf[at] = (uint8_t)body;
        return;
    }
    /* X.690 §10.1: the long form in as few octets as possible; the contents move right to make
     * room for the extra length octets. */
    size_t n = 0;
    for (size_t v = body; v; v >>= 8)
        n++;
    if (!room(w, n))
        return;
    memmove(w->buf + at + 1 + n, w->buf + at + 1, body);
    w->buf[at] = (uint8_t)(0x80 | n);
    for (size_t i = 0; i < n; i++)
        w->buf[at + n - i] = (uint8_t)(body >> (8 * i));
    w->pos += n;
}

void derw_prim(der_writer *w, uint8_t tag, const void *p, size_t len)
{
    derw_begin(w, tag);
    derw_raw(w, p, len);
    derw_end(w);
}

void derw_uint(der_writer *w, const uint8_t *mag, size_t len)
{
    while (len > 1 && mag[0] == 0) {
        mag++;
        len--;
    }
    derw_begin(w, DER_INTEGER);
    if (len == 0 || (mag[0] & 0x80)) {
        uint8_t z = 0;
        derw_raw(w, &z, 1);
    }
    derw_raw(w, mag, len);
    derw_end(w);
}

void derw_small_uint(der_writer *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    derw_uint(w, b, 4);
}

void derw_bool(der_writer *w, int v)
{
    uint8_t b = v ? 0xff : 0x00;
    derw_prim(w, DER_BOOLEAN, &b, 1);
}

static void put2(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

void derw_time(der_writer *w, int64_t t)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    int64_t y;
    unsigned m, d;
    der_civil_from_days(days, &y, &m, &d);
    if (y < 1950 || y > 9999) {
        if (!w->err)
            w->err = TENON_ERR_INVALID_ARGUMENT;
        return;
    }
    char s[15];
    size_t n = 0;
    if (y >= 2050) {
        put2(s, (unsigned)(y / 100));
        n = 2;
    }
    put2(s + n, (unsigned)(y % 100));
    put2(s + n + 2, m);
    put2(s + n + 4, d);
    put2(s + n + 6, (unsigned)(secs / 3600));
    put2(s + n + 8, (unsigned)(secs / 60 % 60));
    put2(s + n + 10, (unsigned)(secs % 60));
    s[n + 12] = 'Z';
    derw_prim(w, y >= 2050 ? DER_GENERALIZED_TIME : DER_UTC_TIME, s, n + 13);
}

void derw_bit_string(der_writer *w, const uint8_t *p, size_t len)
{
    uint8_t z = 0;
    derw_begin(w, DER_BIT_STRING);
    derw_raw(w, &z, 1);
    derw_raw(w, p, len);
    derw_end(w);
}

int derw_finish(const der_writer *w, size_t *len)
{
    GUARD(w->err);
    ENSURE(w->depth == 0, TENON_ERR_INTERNAL);
    *len = w->pos;
    return 0;
}
