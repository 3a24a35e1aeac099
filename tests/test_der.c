/*
 * DER reader/writer and PEM edge cases: non-minimal and indefinite lengths, truncation,
 * trailing bytes, bad primitive encodings, bad base64, nesting overflow, and certificates
 * built by hand with structural flaws (duplicate extensions, mismatched algorithms, ...).
 * Every case must give an error, never a crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "x509/der.h"

static int read_hex(const char *hex, int (*fn)(der_cursor *, void *), void *arg)
{
    size_t n;
    uint8_t *b = tu_hex(hex, &n);
    der_cursor c;
    der_init(&c, b, n);
    int rc = fn(&c, arg);
    /* A failed read leaves the cursor where it was. */
    if (rc < 0)
        CHECK(c.pos == 0);
    else if (rc == 0)
        rc = der_finish(&c);
    free(b);
    return rc;
}

static int f_tlv(der_cursor *c, void *a)
{
    return der_read_tlv(c, (der_tlv *)a);
}
static int f_int(der_cursor *c, void *a)
{
    return der_read_integer(c, (der_tlv *)a);
}
static int f_uint(der_cursor *c, void *a)
{
    const uint8_t *m;
    size_t n;
    (void)a;
    return der_read_uint(c, &m, &n);
}
static int f_bool(der_cursor *c, void *a)
{
    return der_read_bool(c, (int *)a);
}
static int f_null(der_cursor *c, void *a)
{
    (void)a;
    return der_read_null(c);
}
static int f_oid(der_cursor *c, void *a)
{
    return der_read_oid(c, (der_tlv *)a);
}
static int f_bits(der_cursor *c, void *a)
{
    const uint8_t *b;
    size_t n;
    unsigned u;
    (void)a;
    return der_read_bit_string(c, &b, &n, &u);
}
static int f_time(der_cursor *c, void *a)
{
    return der_read_time(c, (int64_t *)a);
}
static int f_seq(der_cursor *c, void *a)
{
    der_cursor s, save = *c;
    der_tlv t;
    int rc;
    (void)a;
    GUARD(der_enter(c, DER_SEQUENCE, &s));
    while (!der_at_end(&s))
        if ((rc = der_read_tlv(&s, &t)) < 0)
            break;
    rc = der_finish(&s);
    if (rc < 0)
        *c = save;
    return rc;
}

static void test_reader(void)
{
    der_tlv t;
    const int M = TENON_ERR_MALFORMED;
    CHECK_RC(read_hex("", f_tlv, &t), M);
    CHECK_RC(read_hex("30", f_tlv, &t), M); /* truncated header */
    CHECK_RC(read_hex("3000", f_tlv, &t), 0);
    CHECK_RC(read_hex("300200", f_tlv, &t), M);         /* truncated contents */
    CHECK_RC(read_hex("30800000", f_tlv, &t), M);       /* indefinite length */
    CHECK_RC(read_hex("30810100", f_tlv, &t), M);       /* long form for a short length */
    CHECK_RC(read_hex("3082000100", f_tlv, &t), M);     /* leading zero length octet */
    CHECK_RC(read_hex("3085ffffffffff", f_tlv, &t), M); /* absurd length */
    CHECK_RC(read_hex("1f0100", f_tlv, &t), M);         /* high tag number form */
    CHECK_RC(read_hex("30ff", f_tlv, &t), M);
    CHECK_RC(read_hex("02010100", f_tlv, &t), M); /* trailing byte */
    CHECK_RC(read_hex("3003020101", f_seq, NULL), 0);
    CHECK_RC(read_hex("300402010100", f_seq, NULL), M); /* element overruns */
    CHECK_RC(read_hex("3004020101", f_seq, NULL), M);   /* length beyond the data */
    CHECK_RC(read_hex("3003020101"
                      "00",
                      f_seq, NULL),
             M);                                      /* trailing after the SEQUENCE */
    CHECK_RC(read_hex("3103020101", f_seq, NULL), M); /* wrong tag */

    CHECK_RC(read_hex("0200", f_int, &t), M);
    CHECK_RC(read_hex("0201ff", f_int, &t), 0);
    CHECK_RC(read_hex("0202007f", f_int, &t), M); /* non-minimal positive */
    CHECK_RC(read_hex("0202ff80", f_int, &t), M); /* non-minimal negative */
    CHECK_RC(read_hex("02020080", f_int, &t), 0);
    CHECK_RC(read_hex("020180", f_uint, NULL), M); /* negative */
    CHECK_RC(read_hex("02020080", f_uint, NULL), 0);

    int b = 7;
    CHECK_RC(read_hex("0101ff", f_bool, &b), 0);
    CHECK(b == 1);
    CHECK_RC(read_hex("010100", f_bool, &b), 0);
    CHECK(b == 0);
    CHECK_RC(read_hex("010101", f_bool, &b), M); /* DER: TRUE is 0xFF only */
    CHECK_RC(read_hex("0102ffff", f_bool, &b), M);
    CHECK_RC(read_hex("0100", f_bool, &b), M);
    CHECK_RC(read_hex("0500", f_null, NULL), 0);
    CHECK_RC(read_hex("050100", f_null, NULL), M);

    CHECK_RC(read_hex("0600", f_oid, &t), M);
    CHECK_RC(read_hex("06022a86", f_oid, &t), M);   /* unterminated sub-identifier */
    CHECK_RC(read_hex("0603808101", f_oid, &t), M); /* leading 0x80 */
    CHECK_RC(read_hex("06032a8648", f_oid, &t), 0);

    CHECK_RC(read_hex("0300", f_bits, NULL), M);
    CHECK_RC(read_hex("030100", f_bits, NULL), 0);
    CHECK_RC(read_hex("030101", f_bits, NULL), M);   /* unused bits with no octets */
    CHECK_RC(read_hex("03020800", f_bits, NULL), M); /* more than 7 unused bits */
    CHECK_RC(read_hex("03020101", f_bits, NULL), M); /* an unused bit set */
    CHECK_RC(read_hex("03020102", f_bits, NULL), 0);

    struct {
        const char *hex;
        int rc;
        int64_t t;
    } times[] = {
        {"170d3233303130313030303030305a", 0, 1672531200},     /* 230101000000Z */
        {"170d3530303130313030303030305a", 0, -631152000},     /* 1950 */
        {"170d3439313233313233353935395a", 0, 2524607999},     /* 2049-12-31 23:59:59 */
        {"180f32303530303130313030303030305a", 0, 2524608000}, /* 20500101000000Z */
        {"180f32303234303232393030303030305a", 0, 1709164800}, /* 2024-02-29 */
        {"180f32303030303232393030303030305a", 0, 951782400},  /* 2000-02-29 */
        {"180f32303233303232393030303030305a", M, 0},          /* 2023-02-29 */
        {"180f31393030303232393030303030305a", M, 0},          /* 1900-02-29 */
        {"170d3233303233303030303030305a", M, 0},              /* Feb 30 */
        {"170d3233313330313030303030305a", M, 0},              /* month 13 */
        {"170d3233303130313234303030305a", M, 0},              /* hour 24 */
        {"170d3233303130313030363030305a", M, 0},              /* minute 60 */
        {"170d3233303130313030303036305a", M, 0},              /* second 60 */
        {"170b323330313031303030305a", M, 0},                  /* no seconds */
        {"17113233303130313030303030302b30303030", M, 0},      /* +0000 */
        {"170d32333031303130303030303030", M, 0},              /* no Z */
        {"1811323032333031303130303030303030302e355a", M, 0},  /* fraction */
        {"170d3233303130313030303030305a", 0, 1672531200},
        {"170d32333031303130303030303a5a", M, 0}, /* non-digit */
        {"0c0d3233303130313030303030305a", M, 0}, /* not a time */
    };
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        int64_t v = 0;
        int rc = read_hex(times[i].hex, f_time, &v);
        if (!CHECK(rc == times[i].rc && (rc != 0 || v == times[i].t)))
            fprintf(stderr, "  time case %zu: rc %d value %lld\n", i, rc, (long long)v);
    }
    /* Calendar conversions agree both ways over a long range. */
    int ok = 1;
    for (int64_t d = -800000; d < 3000000 && ok; d += 37) {
        int64_t y;
        unsigned m, dd;
        der_civil_from_days(d, &y, &m, &dd);
        ok = der_days_from_civil(y, m, dd) == d;
    }
    CHECK(ok);
}

static void test_nesting(void)
{
    static uint8_t buf[4096];
    for (size_t depth = 1; depth <= 64; depth++) {
        /* depth nested empty-ended SEQUENCEs: 30 L 30 L ... 30 00 */
        size_t n = 2 * depth;
        for (size_t i = 0; i < depth; i++) {
            buf[2 * i] = 0x30;
            buf[2 * i + 1] = (uint8_t)(n - 2 * i - 2);
        }
        int rc = der_validate(buf, n);
        if (depth < DER_MAX_DEPTH)
            CHECK_RC(rc, 0);
        else
            CHECK_RC(rc, TENON_ERR_DER_TOO_DEEP);
    }
    /* A certificate nested too deeply inside a Name is refused, not overflowed. */
    tenon_x509_cert cert;
    size_t n = 0;
    for (size_t i = 0; i < 200; i++)
        buf[n++] = 0x30, buf[n++] = 0x81, buf[n++] = 0; /* lengths patched below */
    for (size_t i = 0; i < 200; i++)
        buf[3 * i + 2] = (uint8_t)(n - 3 * i - 3 > 255 ? 255 : n - 3 * i - 3);
    CHECK(tenon_x509_parse(&cert, buf, n) < 0);
}

static void test_writer(void)
{
    static uint8_t buf[2048], body[400];
    for (size_t i = 0; i < sizeof body; i++)
        body[i] = (uint8_t)i;
    size_t sizes[] = {0, 1, 127, 128, 255, 256, 300, 400};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        der_writer w;
        size_t len;
        derw_init(&w, buf, sizeof buf);
        derw_begin(&w, DER_SEQUENCE);
        derw_begin(&w, DER_SEQUENCE);
        derw_prim(&w, DER_OCTET_STRING, body, sizes[k]);
        derw_end(&w);
        derw_small_uint(&w, 65535);
        derw_end(&w);
        CHECK_RC(derw_finish(&w, &len), 0);
        /* Reads back exactly. */
        der_cursor c, s, s2;
        der_tlv t;
        uint32_t v;
        der_init(&c, buf, len);
        CHECK_RC(der_enter(&c, DER_SEQUENCE, &s), 0);
        CHECK_RC(der_enter(&s, DER_SEQUENCE, &s2), 0);
        CHECK_RC(der_read_octet_string(&s2, &t), 0);
        CHECK(t.len == sizes[k] && memcmp(t.val, body, t.len) == 0);
        CHECK_RC(der_finish(&s2), 0);
        CHECK_RC(der_read_small_uint(&s, 70000, &v), 0);
        CHECK(v == 65535);
        CHECK_RC(der_finish(&s), 0);
        CHECK_RC(der_finish(&c), 0);
        /* Too small a buffer is an error at every size. */
        size_t full;
        derw_init(&w, buf, sizeof buf);
        derw_begin(&w, DER_SEQUENCE);
        derw_prim(&w, DER_OCTET_STRING, body, sizes[k]);
        derw_small_uint(&w, 65535);
        derw_end(&w);
        CHECK_RC(derw_finish(&w, &full), 0);
        for (size_t cap = 0; cap < full; cap += 7) {
            derw_init(&w, buf, cap);
            derw_begin(&w, DER_SEQUENCE);
            derw_prim(&w, DER_OCTET_STRING, body, sizes[k]);
            derw_small_uint(&w, 65535);
            derw_end(&w);
            if (!CHECK(derw_finish(&w, &len) == TENON_ERR_BUFFER_TOO_SMALL)) {
                fprintf(stderr, "  size %zu cap %zu full %zu\n", sizes[k], cap, full);
                break;
            }
        }
    }
    /* Times round-trip through the writer and the reader. */
    tu_seed(7);
    int ok = 1;
    for (int i = 0; i < 2000 && ok; i++) {
        int64_t t = (int64_t)(tu_rand_u64() % (253402300799ULL + 631152000ULL)) - 631152000;
        der_writer w;
        size_t len;
        derw_init(&w, buf, sizeof buf);
        derw_time(&w, t);
        int64_t back;
        der_cursor c;
        ok = derw_finish(&w, &len) == 0;
        der_init(&c, buf, len);
        ok = ok && der_read_time(&c, &back) == 0 && back == t;
        ok = ok && (buf[0] == (t < 2524608000 ? DER_UTC_TIME : DER_GENERALIZED_TIME));
    }
    CHECK(ok);
    /* INTEGER encoding: sign octet added, leading zeros dropped. */
    der_writer w;
    size_t len;
    uint8_t mag[] = {0, 0, 0x80, 1};
    derw_init(&w, buf, sizeof buf);
    derw_uint(&w, mag, sizeof mag);
    CHECK_RC(derw_finish(&w, &len), 0);
    CHECK(len == 5 && memcmp(buf, "\x02\x03\x00\x80\x01", 5) == 0);
}

/* ---- PEM ---- */

static int pem1(const char *text, uint8_t *out, size_t cap, size_t *n)
{
    return tenon_pem_decode(text, strlen(text), "TEST", out, cap, n);
}

static void test_pem(void)
{
    uint8_t out[256];
    size_t n;
    const int PM = TENON_ERR_PEM_MALFORMED;
    CHECK_RC(pem1("-----BEGIN TEST-----\nAAEC\n-----END TEST-----\n", out, sizeof out, &n), 0);
    CHECK(n == 3 && out[0] == 0 && out[1] == 1 && out[2] == 2);
    CHECK_RC(pem1("junk before\n-----BEGIN TEST-----\r\nAA EC\r\n\tAw==\r\n-----END TEST-----"
                  "\njunk after",
                  out, sizeof out, &n),
             0);
    CHECK(n == 4 && out[3] == 3);
    CHECK_RC(pem1("-----BEGIN OTHER-----\nAAEC\n-----END OTHER-----\n"
                  "-----BEGIN TEST-----\nAQ==\n-----END TEST-----\n",
                  out, sizeof out, &n),
             0);
    CHECK(n == 1 && out[0] == 1);
    CHECK_RC(pem1("no pem here", out, sizeof out, &n), TENON_ERR_PEM_NOT_FOUND);
    CHECK_RC(pem1("", out, sizeof out, &n), TENON_ERR_PEM_NOT_FOUND);
    CHECK_RC(pem1("-----BEGIN TEST-----\nAAEC\n-----END TEXT-----\n", out, sizeof out, &n), PM);
    CHECK_RC(pem1("-----BEGIN TEST-----\nAAEC\n", out, sizeof out, &n), PM);
    CHECK_RC(pem1("-----BEGIN TEST-----\nAAEC\n-----END TEST", out, sizeof out, &n), PM);
    CHECK_RC(pem1("-----BEGIN TEST\nAAEC\n-----END TEST-----\n", out, sizeof out, &n), PM);
    CHECK_RC(pem1("-----BEGIN TEST-----\nAA!C\n-----END TEST-----\n", out, sizeof out, &n), PM);
    CHECK_RC(pem1("-----BEGIN TEST-----\nAAE\n-----END TEST-----\n", out, sizeof out, &n), PM);
    CHECK_RC(pem1("-----BEGIN TEST-----\nA===\n-----END TEST-----\n", out, sizeof out, &n), PM);
    CHECK_RC(pem1("-----BEGIN TEST-----\nAA=A\n-----END TEST-----\n", out, sizeof out, &n), PM);
    CHECK_RC(pem1("-----BEGIN TEST-----\nAB==\n-----END TEST-----\n", out, sizeof out, &n), PM);
    CHECK_RC(pem1("-----BEGIN TEST-----\nAAB=\n-----END TEST-----\n", out, sizeof out, &n), PM);
    CHECK_RC(pem1("-----BEGIN TEST-----\nAA==AA==\n-----END TEST-----\n", out, sizeof out, &n), PM);
    CHECK_RC(pem1("-----BEGIN TEST-----\nAAEC\n-----END TEST-----\n", out, 2, &n),
             TENON_ERR_BUFFER_TOO_SMALL);
    CHECK_RC(pem1("-----BEGIN TEST-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n"
                  "AAEC\n-----END TEST-----\n",
                  out, sizeof out, &n),
             TENON_ERR_KEY_ENCRYPTED);
    CHECK_RC(pem1("-----BEGIN TEST-----\nComment: hello\n\nAAEC\n-----END TEST-----\n", out,
                  sizeof out, &n),
             PM);
    /* Encoder and decoder agree on every length. */
    static char text[1024];
    uint8_t data[300], back[300];
    tu_seed(3);
    tu_rand(data, sizeof data);
    int ok = 1;
    for (size_t len = 0; len <= sizeof data && ok; len++) {
        size_t tl, bl;
        ok = tenon_pem_encode("TEST", data, len, text, sizeof text, &tl) == 0 &&
             strlen(text) == tl &&
             tenon_pem_decode(text, tl, "TEST", back, sizeof back, &bl) == 0 && bl == len &&
             memcmp(back, data, len) == 0;
    }
    CHECK(ok);
    size_t tl;
    CHECK_RC(tenon_pem_encode("TEST", data, sizeof data, text, 100, &tl),
             TENON_ERR_BUFFER_TOO_SMALL);
    /* Every truncation of a valid block is an error, never a crash. */
    const char *good = "-----BEGIN TEST-----\nAAECAwQFBgcICQ==\n-----END TEST-----\n";
    for (size_t cut = 0; cut < strlen(good) - 1; cut++) {
        int rc = tenon_pem_decode(good, cut, "TEST", out, sizeof out, &n);
        CHECK(rc < 0);
    }
}

/* ---- certificates built by hand ---- */

/* A v3 certificate with the given extensions (each a full Extension DER), a dummy key and
 * signature. outer_alg chooses a different outer signatureAlgorithm when set. */
static size_t build_cert(uint8_t *buf, size_t cap, int version, const char *const *exts,
                         size_t nexts, int outer_alg)
{
    static const uint8_t ecdsa256[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
    static const uint8_t ecdsa384[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03};
    static const uint8_t ecpub[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
    static const uint8_t p256[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
    static const uint8_t cn[] = {0x55, 0x04, 0x03};
    uint8_t point[65] = {4};
    der_writer w;
    size_t len;
    derw_init(&w, buf, cap);
    derw_begin(&w, DER_SEQUENCE);
    derw_begin(&w, DER_SEQUENCE);
    if (version > 1) {
        derw_begin(&w, DER_CTX_CONS(0));
        derw_small_uint(&w, (uint32_t)version - 1);
        derw_end(&w);
    }
    derw_small_uint(&w, 1234);
    derw_begin(&w, DER_SEQUENCE);
    derw_prim(&w, DER_OID, ecdsa256, sizeof ecdsa256);
    derw_end(&w);
    for (int k = 0; k < 3; k++) {
        if (k == 1) {
            derw_begin(&w, DER_SEQUENCE);
            derw_time(&w, 1700000000);
            derw_time(&w, 1800000000);
            derw_end(&w);
            continue;
        }
        derw_begin(&w, DER_SEQUENCE);
        derw_begin(&w, DER_SET);
        derw_begin(&w, DER_SEQUENCE);
        derw_prim(&w, DER_OID, cn, sizeof cn);
        derw_prim(&w, DER_UTF8_STRING, "test", 4);
        derw_end(&w);
        derw_end(&w);
        derw_end(&w);
    }
    derw_begin(&w, DER_SEQUENCE);
    derw_begin(&w, DER_SEQUENCE);
    derw_prim(&w, DER_OID, ecpub, sizeof ecpub);
    derw_prim(&w, DER_OID, p256, sizeof p256);
    derw_end(&w);
    derw_bit_string(&w, point, sizeof point);
    derw_end(&w);
    if (nexts) {
        derw_begin(&w, DER_CTX_CONS(3));
        derw_begin(&w, DER_SEQUENCE);
        for (size_t i = 0; i < nexts; i++) {
            size_t n;
            uint8_t *e = tu_hex(exts[i], &n);
            derw_raw(&w, e, n);
            free(e);
        }
        derw_end(&w);
        derw_end(&w);
    }
    derw_end(&w);
    derw_begin(&w, DER_SEQUENCE);
    if (outer_alg)
        derw_prim(&w, DER_OID, ecdsa384, sizeof ecdsa384);
    else
        derw_prim(&w, DER_OID, ecdsa256, sizeof ecdsa256);
    derw_end(&w);
    derw_bit_string(&w, (const uint8_t *)"\x30\x06\x02\x01\x01\x02\x01\x01", 8);
    derw_end(&w);
    return derw_finish(&w, &len) == 0 ? len : 0;
}

static void test_certs(void)
{
    static uint8_t buf[4096];
    tenon_x509_cert c;
    const int CM = TENON_ERR_CERT_MALFORMED;
    /* basicConstraints cA, pathLen 1 (critical); SAN dNSName; an unknown non-critical one. */
    const char *bc = "300f0603551d130101ff040530030101ff";
    const char *bc_pl = "30120603551d130101ff040830060101ff020101";
    const char *san = "30160603551d11040f300d820b7777772e6578616d706c65";
    const char *unknown = "300a06032a0304040330010a";
    const char *unknown_crit = "300d06032a03040101ff040330010a";
    const char *bc_false_explicit = "300f0603551d13010100040530030101ff";
    const char *san_bad_ip = "30100603551d110409300787050a00000101"; /* 5-byte IP */
    const char *san_empty = "30090603551d1104023000";
    const char *ku_bad = "300e0603551d0f0101ff040403020103"; /* BIT STRING with unused bits set */

    size_t n = build_cert(buf, sizeof buf, 3, (const char *[]){bc_pl, san, unknown}, 3, 0);
    CHECK(n > 0);
    CHECK_RC(tenon_x509_parse(&c, buf, n), 0);
    CHECK(c.version == 3 && c.is_ca == 1 && c.path_len == 1 && !c.unknown_critical);
    CHECK(c.san_dns_count == 1 && c.sig_alg == TENON_X509_SIG_ECDSA_SHA256);
    CHECK(c.not_before == 1700000000 && c.not_after == 1800000000);
    char name[64];
    tenon_x509_name_string(c.subject, name, sizeof name);
    CHECK(strcmp(name, "CN=test") == 0);
    CHECK_RC(tenon_x509_check_host(&c, "www.example"), 0);
    CHECK_RC(tenon_x509_check_host(&c, "WWW.EXAMPLE."), 0);
    CHECK_RC(tenon_x509_check_host(&c, "test"), TENON_ERR_CERT_NAME_MISMATCH); /* no CN */
    /* Trailing byte after the certificate; every truncation. */
    buf[n] = 0;
    CHECK_RC(tenon_x509_parse(&c, buf, n + 1), CM);
    int all = 1;
    for (size_t k = 0; k < n; k++)
        all &= tenon_x509_parse(&c, buf, k) == CM;
    CHECK(all);

    n = build_cert(buf, sizeof buf, 3, (const char *[]){bc, san, bc}, 3, 0);
    CHECK_RC(tenon_x509_parse(&c, buf, n), CM); /* duplicate basicConstraints */
    n = build_cert(buf, sizeof buf, 3, (const char *[]){unknown, san, unknown}, 3, 0);
    CHECK_RC(tenon_x509_parse(&c, buf, n), CM); /* duplicate unknown extension */
    n = build_cert(buf, sizeof buf, 3, (const char *[]){unknown_crit}, 1, 0);
    CHECK_RC(tenon_x509_parse(&c, buf, n), 0);
    CHECK(c.unknown_critical == 1);
    n = build_cert(buf, sizeof buf, 3, (const char *[]){bc_false_explicit}, 1, 0);
    CHECK_RC(tenon_x509_parse(&c, buf, n), 0);
    n = build_cert(buf, sizeof buf, 3, (const char *[]){san_bad_ip}, 1, 0);
    CHECK_RC(tenon_x509_parse(&c, buf, n), CM);
    n = build_cert(buf, sizeof buf, 3, (const char *[]){san_empty}, 1, 0);
    CHECK_RC(tenon_x509_parse(&c, buf, n), CM);
    n = build_cert(buf, sizeof buf, 3, (const char *[]){ku_bad}, 1, 0);
    CHECK_RC(tenon_x509_parse(&c, buf, n), CM);
    n = build_cert(buf, sizeof buf, 1, (const char *[]){bc}, 1, 0);
    CHECK_RC(tenon_x509_parse(&c, buf, n), CM); /* extensions in a v1 certificate */
    n = build_cert(buf, sizeof buf, 1, NULL, 0, 0);
    CHECK_RC(tenon_x509_parse(&c, buf, n), 0);
    CHECK(c.version == 1 && c.path_len == -1);
    n = build_cert(buf, sizeof buf, 3, (const char *[]){bc}, 1, 1);
    CHECK_RC(tenon_x509_parse(&c, buf, n), CM); /* outer algorithm differs from the TBS one */

    /* IP literal parsing. */
    uint8_t ip[16];
    CHECK(tenon_ip_parse("192.0.2.1", ip) == 4 && ip[0] == 192 && ip[3] == 1);
    CHECK(tenon_ip_parse("192.0.2.01", ip) == 0);
    CHECK(tenon_ip_parse("192.0.2", ip) == 0);
    CHECK(tenon_ip_parse("192.0.2.256", ip) == 0);
    CHECK(tenon_ip_parse("::1", ip) == 16 && ip[15] == 1 && ip[0] == 0);
    CHECK(tenon_ip_parse("2001:db8::", ip) == 16 && ip[0] == 0x20 && ip[3] == 0xb8);
    CHECK(tenon_ip_parse("::ffff:192.0.2.1", ip) == 16 && ip[10] == 0xff && ip[12] == 192);
    CHECK(tenon_ip_parse("1:2:3:4:5:6:7:8", ip) == 16 && ip[15] == 8);
    CHECK(tenon_ip_parse("1:2:3:4:5:6:7:8:9", ip) == 0);
    CHECK(tenon_ip_parse("1::2::3", ip) == 0);
    CHECK(tenon_ip_parse("1:2:3:4:5:6:7::8", ip) == 0);
    CHECK(tenon_ip_parse(":1::", ip) == 0);
    CHECK(tenon_ip_parse("12345::", ip) == 0);
    CHECK(tenon_ip_parse("example.com", ip) == 0);
}

int main(void)
{
    test_reader();
    test_nesting();
    test_writer();
    test_pem();
    test_certs();
    return tu_finish("test_der");
}
