/*
 * PEM (RFC 7468): "-----BEGIN label-----", base64 (RFC 4648 §4), "-----END label-----".
 *
 * RFC 7468 §2 lets text surround the blocks, so everything outside them is ignored. Inside, the
 * strict grammar of §3 is applied to the base64 (only whitespace besides the alphabet, padding
 * only at the end, zero pad bits) but not to line lengths, which real files vary. Legacy RFC 1421
 * headers are recognised only to refuse encrypted keys with a clear error.
 */
#include <stdio.h>

#include "../common.h"
#include "tenon/x509.h"
#include "x509_internal.h"

#define PEM_MAX_LABEL 64

static const char begin_mark[] = "-----BEGIN ";
static const char end_mark[] = "-----END ";
static const char dashes[] = "-----";

/* The first occurrence of needle in text[from .. len), or len. */
static size_t find(const char *text, size_t len, size_t from, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = from; i + n <= len; i++)
        if (text[i] == needle[0] && memcmp(text + i, needle, n) == 0)
            return i;
    return len;
}

static int is_ws(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static int b64_value(char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+')
        return 62;
    if (ch == '/')
        return 63;
    return -1;
}

/* Strict base64 of text[0 .. len), whitespace skipped. */
static int b64_decode(const char *text, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    uint32_t acc = 0;
    size_t nchars = 0, npad = 0, o = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = text[i];
        if (is_ws(ch))
            continue;
        if (ch == '=') {
            npad++;
            continue;
        }
        int v = b64_value(ch);
        /* RFC 4648 §3.3: characters outside the alphabet are an error; §3.2: padding only at
         * the end. */
        ENSURE(v >= 0 && npad == 0, TENON_ERR_PEM_MALFORMED);
        acc = (acc << 6) | (uint32_t)v;
        nchars++;
        if (nchars % 4 == 0) {
            ENSURE(cap - o >= 3, TENON_ERR_BUFFER_TOO_SMALL);
            out[o++] = (uint8_t)(acc >> 16);
            out[o++] = (uint8_t)(acc >> 8);
            out[o++] = (uint8_t)acc;
            acc = 0;
        }
    }
    size_t rem = nchars % 4;
    /* A final quantum of 2 or 3 characters carries 1 or 2 bytes and needs 2 or 1 '=' (RFC 4648
     * §4); its unused low bits must be zero (§3.5, the canonical encoding). */
    ENSURE(npad == (rem ? 4 - rem : 0) && rem != 1, TENON_ERR_PEM_MALFORMED);
    if (rem == 2) {
        ENSURE((acc & 0xf) == 0, TENON_ERR_PEM_MALFORMED);
        ENSURE(cap - o >= 1, TENON_ERR_BUFFER_TOO_SMALL);
        out[o++] = (uint8_t)(acc >> 4);
    } else if (rem == 3) {
        ENSURE((acc & 0x3) == 0, TENON_ERR_PEM_MALFORMED);
        ENSURE(cap - o >= 2, TENON_ERR_BUFFER_TOO_SMALL);
        out[o++] = (uint8_t)(acc >> 10);
        out[o++] = (uint8_t)(acc >> 2);
    }
    *out_len = o;
    return 0;
}

/* RFC 1421 §4.6 headers ("Name: value" lines, then an empty line) before the base64. Returns
 * the offset where the base64 starts. Only Proc-Type and DEK-Info exist in practice (OpenSSL's
 * traditional encrypted keys); anything else is not PEM as RFC 7468 defines it. */
static int skip_headers(const char *body, size_t len, size_t *start)
{
    size_t i = 0;
    while (i < len && is_ws(body[i]))
        i++;
    size_t eol = i;
    while (eol < len && body[eol] != '\n')
        eol++;
    if (memchr(body + i, ':', eol - i) == NULL) {
        *start = 0;
        return 0;
    }
    int encrypted = 0;
    for (;;) {
        size_t ls = i, le = i;
        while (le < len && body[le] != '\n')
            le++;
        size_t te = le;
        while (te > ls && is_ws(body[te - 1]))
            te--;
        if (te == ls)
            break; /* the empty line ending the headers */
        const char *line = body + ls;
        size_t n = te - ls;
        if (n >= 10 && memcmp(line, "Proc-Type:", 10) == 0) {
            for (size_t k = 10; k + 9 <= n; k++)
                if (memcmp(line + k, "ENCRYPTED", 9) == 0)
                    encrypted = 1;
        } else if (!(n >= 9 && memcmp(line, "DEK-Info:", 9) == 0)) {
            return TENON_ERR_PEM_MALFORMED;
        }
        ENSURE(le < len, TENON_ERR_PEM_MALFORMED);
        i = le + 1;
    }
    ENSURE(!encrypted, TENON_ERR_KEY_ENCRYPTED);
    *start = i;
    return 0;
}

int pem_scan(const char *text, size_t len, size_t *offset, size_t *label_off, size_t *label_len,
             size_t *b64_off, size_t *b64_len)
{
    ENSURE(text && offset && *offset <= len, TENON_ERR_INVALID_ARGUMENT);
    size_t b = find(text, len, *offset, begin_mark);
    if (b == len) {
        *offset = len;
        return TENON_ERR_PEM_NOT_FOUND;
    }
    size_t ls = b + sizeof begin_mark - 1;
    size_t le = find(text, len, ls, dashes);
    /* Whatever happens next, this block has been examined. */
    *offset = ls;
    ENSURE(le < len && le > ls && le - ls <= PEM_MAX_LABEL, TENON_ERR_PEM_MALFORMED);
    ENSURE(memchr(text + ls, '\n', le - ls) == NULL, TENON_ERR_PEM_MALFORMED);
    size_t body = le + 5;
    while (body < len && (text[body] == ' ' || text[body] == '\t' || text[body] == '\r'))
        body++;
    ENSURE(body < len && text[body] == '\n', TENON_ERR_PEM_MALFORMED);
    body++;

    size_t e = find(text, len, body, end_mark);
    ENSURE(e < len, TENON_ERR_PEM_MALFORMED);
    size_t es = e + sizeof end_mark - 1;
    size_t n = le - ls;
    ENSURE(len - es >= n + 5, TENON_ERR_PEM_MALFORMED);
    ENSURE(memcmp(text + es, text + ls, n) == 0, TENON_ERR_PEM_MALFORMED);
    ENSURE(memcmp(text + es + n, dashes, 5) == 0, TENON_ERR_PEM_MALFORMED);
    *offset = es + n + 5;

    size_t start;
    GUARD(skip_headers(text + body, e - body, &start));
    *label_off = ls;
    *label_len = n;
    *b64_off = body + start;
    *b64_len = e - body - start;
    return 0;
}

int pem_b64_decode(const char *text, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    return b64_decode(text, len, out, cap, out_len);
}

TENON_API int tenon_pem_next(const char *text, size_t len, size_t *offset, const char **label,
                             size_t *label_len, uint8_t *out, size_t cap, size_t *out_len)
{
    ENSURE(text && offset && label && label_len && out_len, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(out || cap == 0, TENON_ERR_INVALID_ARGUMENT);
    size_t lo, b64, b64_len;
    GUARD(pem_scan(text, len, offset, &lo, label_len, &b64, &b64_len));
    /* Nothing but base64 and whitespace between the markers; in particular no stray "-". */
    GUARD(b64_decode(text + b64, b64_len, out, cap, out_len));
    *label = text + lo;
    return 0;
}

TENON_API int tenon_pem_decode(const char *text, size_t len, const char *want, uint8_t *out,
                               size_t cap, size_t *out_len)
{
    ENSURE(want, TENON_ERR_INVALID_ARGUMENT);
    size_t off = 0, wl = strlen(want);
    for (;;) {
        const char *label;
        size_t label_len;
        GUARD(tenon_pem_next(text, len, &off, &label, &label_len, out, cap, out_len));
        if (label_len == wl && memcmp(label, want, wl) == 0)
            return 0;
    }
}

TENON_API int tenon_pem_encode(const char *label, const uint8_t *der, size_t der_len, char *out,
                               size_t cap, size_t *out_len)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    ENSURE(label && (der || der_len == 0) && out && out_len, TENON_ERR_INVALID_ARGUMENT);
    size_t ll = strlen(label);
    ENSURE(ll <= PEM_MAX_LABEL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(der_len <= SIZE_MAX / 2, TENON_ERR_INVALID_ARGUMENT);
    size_t b64 = (der_len + 2) / 3 * 4;
    size_t need = 2 * (ll + 16) + b64 + (b64 + 63) / 64 + 1;
    ENSURE(cap >= need, TENON_ERR_BUFFER_TOO_SMALL);
    size_t o = 0;
    memcpy(out + o, begin_mark, 11);
    o += 11;
    memcpy(out + o, label, ll);
    o += ll;
    memcpy(out + o, "-----\n", 6);
    o += 6;
    size_t col = 0;
    for (size_t i = 0; i < der_len; i += 3) {
        uint32_t v = (uint32_t)der[i] << 16;
        size_t k = der_len - i;
        if (k > 1)
            v |= (uint32_t)der[i + 1] << 8;
        if (k > 2)
            v |= der[i + 2];
        out[o++] = alphabet[(v >> 18) & 63];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = k > 1 ? alphabet[(v >> 6) & 63] : '=';
        out[o++] = k > 2 ? alphabet[v & 63] : '=';
        col += 4;
        if (col == 64) {
            out[o++] = '\n';
            col = 0;
        }
    }
    if (col)
        out[o++] = '\n';
    memcpy(out + o, end_mark, 9);
    o += 9;
    memcpy(out + o, label, ll);
    o += ll;
    memcpy(out + o, "-----\n", 6);
    o += 6;
    out[o] = 0;
    *out_len = o;
    return 0;
}

TENON_API int tenon_read_file(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
    ENSURE(path && len && (buf || cap == 0), TENON_ERR_INVALID_ARGUMENT);
    FILE *f = fopen(path, "rb");
    ENSURE(f, TENON_ERR_FILE_IO);
    size_t n = cap ? fread(buf, 1, cap, f) : 0;
    int rc = 0;
    if (ferror(f)) {
        rc = TENON_ERR_FILE_IO;
    } else if (n == cap && fgetc(f) != EOF) {
        rc = TENON_ERR_BUFFER_TOO_SMALL;
    }
    fclose(f);
    GUARD(rc);
    *len = n;
    return 0;
}
