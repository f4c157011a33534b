/* buf.c — growable byte buffers with a cap.
 *
 * Invariant: data is NULL (len == cap == 0) or holds len bytes plus a NUL and
 * cap >= len + 1. Every append either succeeds whole or fails with -1 and
 * leaves len and the bytes up to the NUL as they were.
 */
#include "core/buf.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"

static size_t buf_max(const buf_t *b)
{
    return b->max ? b->max : BUF_DEFAULT_MAX;
}

void buf_init(buf_t *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void buf_free(buf_t *b)
{
    if (!b)
        return;
    mem_free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void buf_reset(buf_t *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

/* Grows geometrically (x2) but never allocates more than max + 1 bytes. */
int buf_reserve(buf_t *b, size_t extra)
{
    size_t max = buf_max(b);
    if (max > SIZE_MAX - 1) /* keep max + 1 (the NUL) representable */
        max = SIZE_MAX - 1;
    if (b->len > max || extra > max - b->len)
        return -1;
    size_t need = b->len + extra + 1;
    if (b->data && need <= b->cap)
        return 0;
    size_t ncap = b->cap ? b->cap : 64;
    while (ncap < need)
        ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
    if (ncap > max + 1)
        ncap = max + 1;
    b->data = mem_realloc(b->data, ncap);
    if (b->cap == 0)
        b->data[0] = '\0';
    b->cap = ncap;
    return 0;
}

int buf_append(buf_t *b, const void *p, size_t n)
{
    if (buf_reserve(b, n) != 0)
        return -1;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int buf_puts(buf_t *b, const char *s)
{
    return buf_append(b, s, s ? strlen(s) : 0);
}

int buf_putc(buf_t *b, char c)
{
    return buf_append(b, &c, 1);
}

int buf_printf(buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

int buf_vprintf(buf_t *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    char *dst = b->data ? b->data + b->len : NULL;
    size_t room = b->data ? b->cap - b->len : 0;
    int w = vsnprintf(dst, room, fmt, ap);
    if (w < 0) {
        va_end(ap2);
        if (b->data)
            b->data[b->len] = '\0';
        return -1;
    }
    if ((size_t)w < room) {
        va_end(ap2);
        b->len += (size_t)w;
        return 0;
    }
    /* Did not fit: vsnprintf may have written over our NUL, so restore it
     * before anything can fail. */
    if (b->data)
        b->data[b->len] = '\0';
    if (buf_reserve(b, (size_t)w) != 0) {
        va_end(ap2);
        return -1;
    }
    vsnprintf(b->data + b->len, (size_t)w + 1, fmt, ap2);
    va_end(ap2);
    b->len += (size_t)w;
    return 0;
}

/* Undoes a partial multi-part append so failure leaves b unchanged. */
static int buf_rollback(buf_t *b, size_t len)
{
    b->len = len;
    if (b->data)
        b->data[len] = '\0';
    return -1;
}

/* Length of the valid UTF-8 sequence starting at s[0] (1-4), or 0 when the
 * bytes there are not valid UTF-8 (overlong, surrogate, > U+10FFFF, cut). */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* RFC 8259 section 7: quote, backslash and U+0000..U+001F must be escaped;
 * control characters are written as \u00XX. Bytes that are not valid UTF-8
 * become U+FFFD so that the output is always valid JSON (RFC 8259 section 8.1
 * requires UTF-8), whatever a file we were reading contained. */
int buf_json_str(buf_t *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t start = b->len;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    if (!s)
        n = 0;
    if (buf_putc(b, '"') != 0)
        return -1;
    size_t i = 0;
    while (i < n) {
        /* Copy the longest run needing no escape in one append. */
        size_t j = i;
        while (j < n && p[j] >= 0x20 && p[j] != '"' && p[j] != '\\' && p[j] < 0x80)
            j++;
        if (j > i && buf_append(b, p + i, j - i) != 0)
            return buf_rollback(b, start);
        i = j;
        if (i >= n)
            break;
        unsigned char c = p[i];
        int rc;
        if (c == '"' || c == '\\') {
            char esc[2] = { '\\', (char)c };
            rc = buf_append(b, esc, 2);
            i++;
        } else if (c < 0x20) {
            char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            rc = buf_append(b, esc, 6);
            i++;
        } else {
            size_t k = utf8_seq_len(p + i, n - i);
            if (k == 0) {
                rc = buf_append(b, "\\ufffd", 6);
                i++;
            } else {
                rc = buf_append(b, p + i, k);
                i += k;
            }
        }
        if (rc != 0)
            return buf_rollback(b, start);
    }
    if (buf_putc(b, '"') != 0)
        return buf_rollback(b, start);
    return 0;
}

/* RFC 4180 section 2: a field holding a comma, a double quote, CR or LF is
 * enclosed in double quotes, and a quote inside is doubled. */
int buf_csv_field(buf_t *b, const char *s, size_t n)
{
    if (!s)
        n = 0;
    bool quote = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == ',' || c == '"' || c == '\r' || c == '\n') {
            quote = true;
            break;
        }
    }
    if (!quote)
        return buf_append(b, s, n);
    size_t start = b->len;
    if (buf_putc(b, '"') != 0)
        return -1;
    size_t i = 0;
    while (i < n) {
        const char *q = memchr(s + i, '"', n - i);
        size_t j = q ? (size_t)(q - s) + 1 : n; /* include the quote */
        if (buf_append(b, s + i, j - i) != 0)
            return buf_rollback(b, start);
        if (q && buf_putc(b, '"') != 0)
            return buf_rollback(b, start);
        i = j;
    }
    if (buf_putc(b, '"') != 0)
        return buf_rollback(b, start);
    return 0;
}

const char *buf_cstr(const buf_t *b)
{
    return (b && b->data) ? b->data : "";
}

char *buf_take(buf_t *b)
{
    char *d = b->data;
    if (!d)
        d = mem_strdup("");
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return d;
}
