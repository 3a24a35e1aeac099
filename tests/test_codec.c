/*
 * The bounds-checked cursor and writer of src/tls/codec.h: every reader at every truncation
 * (failing without moving the cursor), vectors with their bounds, cur_finish, writer overflow
 * and nested vectors' length back-patching.
 */
#include <string.h>

#include "testutil.h"
#include "tls/codec.h"

static const uint8_t DATA[8] = {0x01, 0x82, 0x03, 0xf4, 0x05, 0x06, 0x07, 0xff};

static int same(const cursor *a, const cursor *b)
{
    return a->p == b->p && a->len == b->len;
}

static void test_fixed_readers(void)
{
    for (size_t avail = 0; avail <= sizeof DATA; avail++) {
        cursor c, before;
        uint8_t v8 = 0;
        uint16_t v16 = 0;
        uint32_t v32 = 0;

        c = before = cur_init(DATA, avail);
        CHECK_RC(cur_u8(&c, &v8), avail >= 1 ? TENON_OK : TENON_ERR_MALFORMED);
        if (avail >= 1)
            CHECK(v8 == 0x01 && c.p == DATA + 1 && c.len == avail - 1);
        else
            CHECK(same(&c, &before));

        c = before;
        CHECK_RC(cur_u16(&c, &v16), avail >= 2 ? TENON_OK : TENON_ERR_MALFORMED);
        if (avail >= 2)
            CHECK(v16 == 0x0182 && c.p == DATA + 2 && c.len == avail - 2);
        else
            CHECK(same(&c, &before));

        c = before;
        CHECK_RC(cur_u24(&c, &v32), avail >= 3 ? TENON_OK : TENON_ERR_MALFORMED);
        if (avail >= 3)
            CHECK(v32 == 0x018203 && c.p == DATA + 3 && c.len == avail - 3);
        else
            CHECK(same(&c, &before));

        c = before;
        CHECK_RC(cur_u32(&c, &v32), avail >= 4 ? TENON_OK : TENON_ERR_MALFORMED);
        if (avail >= 4)
            CHECK(v32 == 0x018203f4u && c.p == DATA + 4 && c.len == avail - 4);
        else
            CHECK(same(&c, &before));

        /* Byte strings, copies and sub-cursors of every length up to one past the end. */
        for (size_t n = 0; n <= avail + 1; n++) {
            const uint8_t *view = NULL;
            uint8_t copy[sizeof DATA + 1];
            memset(copy, 0xcc, sizeof copy);
            cursor sub = {NULL, 12345};
            int want = n <= avail ? TENON_OK : TENON_ERR_MALFORMED;

            c = before;
            CHECK_RC(cur_bytes(&c, n, &view), want);
            CHECK(want == TENON_OK ? view == DATA && c.len == avail - n
                                   : view == NULL && same(&c, &before));
            c = before;
            CHECK_RC(cur_copy(&c, copy, n), want);
            if (want == TENON_OK)
                CHECK(memcmp(copy, DATA, n) == 0 && copy[n] == 0xcc && c.p == DATA + n);
            else
                CHECK(copy[0] == 0xcc && same(&c, &before));
            c = before;
            CHECK_RC(cur_sub(&c, n, &sub), want);
            if (want == TENON_OK)
                CHECK(sub.p == DATA && sub.len == n && c.p == DATA + n && c.len == avail - n);
            else
                CHECK(sub.p == NULL && sub.len == 12345 && same(&c, &before));
        }
        c = before;
        CHECK_RC(cur_finish(&c), avail == 0 ? TENON_OK : TENON_ERR_MALFORMED);
        CHECK(cur_remaining(&c) == avail);
    }

    /* Reading a whole structure field by field, then cur_finish. */
    cursor c = cur_init(DATA, sizeof DATA);
    uint8_t a = 0;
    uint16_t b = 0;
    uint32_t d = 0;
    const uint8_t *e = NULL;
    CHECK_RC(cur_u8(&c, &a), TENON_OK);
    CHECK_RC(cur_u16(&c, &b), TENON_OK);
    CHECK_RC(cur_u24(&c, &d), TENON_OK);
    CHECK(a == 0x01 && b == 0x8203 && d == 0xf40506);
    CHECK_RC(cur_finish(&c), TENON_ERR_MALFORMED); /* two bytes left */
    CHECK_RC(cur_bytes(&c, 2, &e), TENON_OK);
    CHECK(e != NULL && e[0] == 0x07 && e[1] == 0xff);
    CHECK_RC(cur_finish(&c), TENON_OK);
}

/* A vector of body length n with the given prefix size, followed by `tail` extra bytes. */
static size_t make_vec(uint8_t *buf, unsigned prefix, size_t n, size_t tail)
{
    size_t i = 0;
    for (unsigned k = 0; k < prefix; k++)
        buf[i++] = (uint8_t)(n >> (8 * (prefix - 1 - k)));
    for (size_t k = 0; k < n + tail; k++)
        buf[i++] = (uint8_t)(k + 1);
    return i;
}

static void test_vectors(void)
{
    static uint8_t buf[70000];
    for (unsigned prefix = 1; prefix <= 3; prefix++) {
        /* Bodies of length 0..12 against bounds [3, 9]. */
        for (size_t n = 0; n <= 12; n++) {
            size_t total = make_vec(buf, prefix, n, 2);
            cursor c = cur_init(buf, total), before = c, sub = {NULL, 0};
            int want = (n >= 3 && n <= 9) ? TENON_OK : TENON_ERR_MALFORMED;
            CHECK_RC(cur_vec(&c, prefix, 3, 9, &sub), want);
            if (want == TENON_OK) {
                CHECK(sub.p == buf + prefix && sub.len == n);
                CHECK(c.p == buf + prefix + n && c.len == 2);
                CHECK_RC(cur_finish(&sub), n == 0 ? TENON_OK : TENON_ERR_MALFORMED);
            } else {
                CHECK(same(&c, &before));
            }
            /* Every truncation of the vector (prefix and body) fails and leaves the cursor
             * alone, bounds permitting or not. */
            for (size_t cut = 0; cut < prefix + n; cut++) {
                cursor t = cur_init(buf, cut), tb = t;
                cursor s2;
                CHECK_RC(cur_vec(&t, prefix, 0, 1u << 24, &s2), TENON_ERR_MALFORMED);
                CHECK(same(&t, &tb));
            }
        }
        /* The bounds themselves: min == max, and the largest length each prefix can state. */
        size_t total = make_vec(buf, prefix, 5, 0);
        cursor c = cur_init(buf, total), sub = {NULL, 0};
        CHECK_RC(cur_vec(&c, prefix, 5, 5, &sub), TENON_OK);
        CHECK_RC(cur_finish(&c), TENON_OK);
        size_t maxn = prefix == 1 ? 255 : prefix == 2 ? 65535 : 65540;
        total = make_vec(buf, prefix, maxn, 0);
        c = cur_init(buf, total);
        CHECK_RC(cur_vec(&c, prefix, 0, maxn, &sub), TENON_OK);
        CHECK(sub.len == maxn && c.len == 0);
        c = cur_init(buf, total);
        cursor before = c;
        CHECK_RC(cur_vec(&c, prefix, 0, maxn - 1, &sub), TENON_ERR_MALFORMED);
        CHECK(same(&c, &before));
        c = cur_init(buf, total);
        CHECK_RC(cur_vec(&c, prefix, maxn + 1, maxn + 10, &sub), TENON_ERR_MALFORMED);
        CHECK(same(&c, &before));
    }

    /* Nested: an outer <2> vector holding a <1> vector and a u16, read like an RFC struct;
     * trailing bytes inside the outer vector are caught by cur_finish on it. */
    uint8_t nested[] = {0x00, 0x06, 0x03, 0xaa, 0xbb, 0xcc, 0x12, 0x34, 0x99};
    cursor c = cur_init(nested, sizeof nested), outer = {NULL, 0}, inner = {NULL, 0};
    uint16_t v = 0;
    CHECK_RC(cur_vec(&c, 2, 1, 100, &outer), TENON_OK);
    CHECK_RC(cur_vec(&outer, 1, 1, 3, &inner), TENON_OK);
    CHECK(inner.len == 3 && inner.p[0] == 0xaa);
    CHECK_RC(cur_u16(&outer, &v), TENON_OK);
    CHECK(v == 0x1234);
    CHECK_RC(cur_finish(&outer), TENON_OK);
    CHECK_RC(cur_finish(&c), TENON_ERR_MALFORMED); /* the 0x99 after the outer vector */
    nested[1] = 0x07;                              /* now 0x99 is inside the outer vector */
    c = cur_init(nested, sizeof nested);
    CHECK_RC(cur_vec(&c, 2, 1, 100, &outer), TENON_OK);
    CHECK_RC(cur_vec(&outer, 1, 1, 3, &inner), TENON_OK);
    CHECK_RC(cur_u16(&outer, &v), TENON_OK);
    CHECK_RC(cur_finish(&outer), TENON_ERR_MALFORMED);
    CHECK_RC(cur_finish(&c), TENON_OK);
    /* An inner vector claiming more than the outer one holds. */
    nested[1] = 0x03;
    c = cur_init(nested, sizeof nested);
    CHECK_RC(cur_vec(&c, 2, 1, 100, &outer), TENON_OK);
    cursor ob = outer;
    CHECK_RC(cur_vec(&outer, 1, 0, 255, &inner), TENON_ERR_MALFORMED);
    CHECK(same(&outer, &ob));
}

/* What a writer holding `cap` bytes does with one of each write: succeeds exactly when the
 * bytes fit, and on failure leaves the length (and the buffer) as it was. */
static void test_writer_overflow(void)
{
    for (size_t cap = 0; cap <= 16; cap++) {
        uint8_t buf[16];
        memset(buf, 0xee, sizeof buf);
        writer w = wr_init(buf, cap);
        size_t used = 0;
        struct {
            int which;
            size_t n;
        } steps[] = {{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 3}, {6, 2}};
        for (size_t s = 0; s < ARRAY_LEN(steps); s++) {
            size_t n = steps[s].n;
            int want = cap - used >= n ? TENON_OK : TENON_ERR_BUFFER_TOO_SMALL;
            size_t before = w.len;
            uint8_t *res = NULL;
            int rc;
            switch (steps[s].which) {
            case 1:
                rc = wr_u8(&w, 0x11);
                break;
            case 2:
                rc = wr_u16(&w, 0x2233);
                break;
            case 3:
                rc = wr_u24(&w, 0x445566);
                break;
            case 4:
                rc = wr_u32(&w, 0x778899aau);
                break;
            case 5:
                rc = wr_bytes(&w, "\xbb\xcc\xdd", 3);
                break;
            default:
                rc = wr_reserve(&w, 2, &res);
                break;
            }
            CHECK_RC(rc, want);
            if (want == TENON_OK) {
                CHECK(w.len == before + n);
                used += n;
                if (steps[s].which == 6)
                    CHECK(res == buf + before);
            } else {
                CHECK(w.len == before);
                CHECK(before >= cap || buf[before] == 0xee);
            }
        }
        if (cap >= 15) {
            static const uint8_t want[] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                           0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd};
            CHECK_MEM(buf, want, sizeof want, "writes in order");
        }
        /* Nothing ever written past cap. */
        for (size_t i = cap; i < sizeof buf; i++)
            CHECK(buf[i] == 0xee);
    }
    /* Zero-length writes always succeed, even into a full (or empty) buffer. */
    writer w = wr_init(NULL, 0);
    CHECK_RC(wr_bytes(&w, NULL, 0), TENON_OK);
    CHECK(w.len == 0);
}

static void test_writer_vectors(void)
{
    /* struct { opaque a<0..2^16-1> = { uint8 x; opaque b<0..255>; opaque c<0..2^24-1>; } } */
    uint8_t buf[64];
    writer w = wr_init(buf, sizeof buf);
    wr_vec outer, b, c;
    CHECK_RC(wr_open_vec(&w, 2, &outer), TENON_OK);
    CHECK_RC(wr_u8(&w, 0x42), TENON_OK);
    CHECK_RC(wr_open_vec(&w, 1, &b), TENON_OK);
    CHECK_RC(wr_bytes(&w, "abc", 3), TENON_OK);
    CHECK_RC(wr_close_vec(&w, &b), TENON_OK);
    CHECK_RC(wr_open_vec(&w, 3, &c), TENON_OK);
    CHECK_RC(wr_close_vec(&w, &c), TENON_OK); /* empty */
    CHECK_RC(wr_close_vec(&w, &outer), TENON_OK);
    /* length 8 = x (1) + b (1 + 3) + c (3 + 0) */
    static const uint8_t want[] = {0x00, 0x08, 0x42, 0x03, 'a', 'b', 'c', 0x00, 0x00, 0x00};
    CHECK(w.len == sizeof want);
    CHECK_MEM(buf, want, sizeof want, "nested vectors");

    /* Read back with the cursor, exactly. */
    cursor r = cur_init(buf, w.len), o = {NULL, 0}, sb = {NULL, 0}, sc = {NULL, 0};
    uint8_t x = 0;
    CHECK_RC(cur_vec(&r, 2, 0, 65535, &o), TENON_OK);
    CHECK_RC(cur_u8(&o, &x), TENON_OK);
    CHECK_RC(cur_vec(&o, 1, 0, 255, &sb), TENON_OK);
    CHECK_RC(cur_vec(&o, 3, 0, 1u << 24, &sc), TENON_OK);
    CHECK(x == 0x42 && sb.len == 3 && sc.len == 0);
    CHECK_RC(cur_finish(&o), TENON_OK);
    CHECK_RC(cur_finish(&r), TENON_OK);

    /* A body too long for its length field is the caller's bug: internal error. */
    static uint8_t big[70000];
    w = wr_init(big, sizeof big);
    CHECK_RC(wr_open_vec(&w, 1, &b), TENON_OK);
    static const uint8_t z[256];
    CHECK_RC(wr_bytes(&w, z, 255), TENON_OK);
    CHECK_RC(wr_close_vec(&w, &b), TENON_OK);
    CHECK(big[0] == 255);
    w = wr_init(big, sizeof big);
    CHECK_RC(wr_open_vec(&w, 1, &b), TENON_OK);
    CHECK_RC(wr_bytes(&w, z, 256), TENON_OK);
    CHECK_RC(wr_close_vec(&w, &b), TENON_ERR_INTERNAL);
    w = wr_init(big, sizeof big);
    CHECK_RC(wr_open_vec(&w, 2, &b), TENON_OK);
    for (int i = 0; i < 256; i++)
        CHECK_RC(wr_bytes(&w, z, 256), TENON_OK);
    CHECK_RC(wr_close_vec(&w, &b), TENON_ERR_INTERNAL); /* 65536 bytes */
    w.len -= 1;
    CHECK_RC(wr_close_vec(&w, &b), TENON_OK); /* 65535 */
    CHECK(big[0] == 0xff && big[1] == 0xff);

    /* No room for the length field itself. */
    w = wr_init(buf, 2);
    CHECK_RC(wr_open_vec(&w, 3, &c), TENON_ERR_BUFFER_TOO_SMALL);
    CHECK(w.len == 0);
    CHECK_RC(wr_open_vec(&w, 2, &c), TENON_OK);
    CHECK_RC(wr_u8(&w, 1), TENON_ERR_BUFFER_TOO_SMALL);
    CHECK_RC(wr_close_vec(&w, &c), TENON_OK);
    CHECK(buf[0] == 0 && buf[1] == 0);
}

int main(void)
{
    test_fixed_readers();
    test_vectors();
    test_writer_overflow();
    test_writer_vectors();
    return tu_finish("test_codec");
}
