/* buf.h — growable byte buffers with a cap.
 *
 * The data is always NUL-terminated so it can be used as a C string. A buffer
 * never grows past its cap: appends that would exceed it fail with -1 and
 * leave the buffer unchanged, so a hostile input cannot exhaust memory.
 */
#ifndef TRIPOD_CORE_BUF_H
#define TRIPOD_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct buf {
    char *data; /* NUL-terminated; NULL until the first append */
    size_t len; /* bytes in use, not counting the NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* the cap on len; 0 means BUF_DEFAULT_MAX */
} buf_t;

#define BUF_DEFAULT_MAX ((size_t)1 << 30) /* 1 GiB */
/* (clang-format 14 would split this braced macro body over four lines.) */
/* clang-format off */
#define BUF_INIT { NULL, 0, 0, 0 }
/* clang-format on */

void buf_init(buf_t *b, size_t max);
void buf_free(buf_t *b);
void buf_reset(buf_t *b); /* len = 0, keeps the memory */

/* Each returns 0, or -1 when the cap would be exceeded. */
int buf_reserve(buf_t *b, size_t extra);
int buf_append(buf_t *b, const void *p, size_t n);
int buf_puts(buf_t *b, const char *s);
int buf_putc(buf_t *b, char c);
int buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(buf_t *b, const char *fmt, va_list ap);
/* Appends s as a JSON string literal, quotes included, escaping as RFC 8259. */
int buf_json_str(buf_t *b, const char *s, size_t n);
/* Appends a CSV field, quoted only when it holds a comma, quote, CR or LF. */
int buf_csv_field(buf_t *b, const char *s, size_t n);

/* The contents as a C string ("" when empty, never NULL). */
const char *buf_cstr(const buf_t *b);
/* Hands the contents to the caller (free with mem_free) and empties b. */
char *buf_take(buf_t *b);

#endif
