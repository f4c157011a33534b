/* fastjson.c — a fast path for parsing JSON (an NDJSON line, a file) into jansson values.
 *
 * Parsing patients' resources is half the cost of a population run, and
 * jansson's lexer reads through a character stream one call per byte. This
 * parser walks the buffer directly and builds the same jansson values
 * (objects, arrays, strings, integers, reals, true/false/null). It handles
 * valid JSON (escapes included); a number jansson would read differently, a
 * NUL escape, a duplicate key or any syntax error makes it give up, and it
 * falls back to json_loadb (which also produces the error message). So the
 * result is always what json_loadb would return.
 */
#include "core/fastjson.h"

#include <errno.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

#define FJ_MAX_DEPTH 64

typedef struct fj {
    const char *p, *end;
    int depth;
} fj_t;

static void ws(fj_t *f)
{
    while (f->p < f->end && (*f->p == ' ' || *f->p == '\t' || *f->p == '\n' || *f->p == '\r'))
        f->p++;
}

/* A string without escapes or control characters: [*s, *s + *n). */
static int str_span(fj_t *f, const char **s, size_t *n)
{
    const char *q = f->p + 1;
    while (q < f->end && *q != '"') {
        unsigned char c = (unsigned char)*q;
        if (c == '\\' || c < 0x20)
            return -1;
        q++;
    }
    if (q >= f->end)
        return -1;
    *s = f->p + 1;
    *n = (size_t)(q - *s);
    f->p = q + 1;
    return 0;
}

static int hex4(const char *q, const char *end, unsigned *out)
{
    if (end - q < 4)
        return -1;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = q[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* A string with escapes, decoded into a new buffer (caller frees *out). */
static int str_escaped(fj_t *f, char **out, size_t *n)
{
    const char *q = f->p + 1;
    size_t cap = 64, len = 0;
    char *b = mem_alloc(cap);
    while (q < f->end && *q != '"') {
        if (len + 4 >= cap) {
            cap *= 2;
            b = mem_realloc(b, cap);
        }
        unsigned char c = (unsigned char)*q;
        if (c < 0x20)
            goto fail;
        if (c != '\\') {
            b[len++] = (char)c;
            q++;
            continue;
        }
        if (++q >= f->end)
            goto fail;
        switch (*q) {
        case '"':
            b[len++] = '"';
            break;
        case '\\':
            b[len++] = '\\';
            break;
        case '/':
            b[len++] = '/';
            break;
        case 'b':
            b[len++] = '\b';
            break;
        case 'f':
            b[len++] = '\f';
            break;
        case 'n':
            b[len++] = '\n';
            break;
        case 'r':
            b[len++] = '\r';
            break;
        case 't':
            b[len++] = '\t';
            break;
        case 'u': {
            unsigned u;
            if (hex4(q + 1, f->end, &u))
                goto fail;
            q += 4;
            if (u >= 0xD800 && u <= 0xDBFF) { /* a surrogate pair */
                unsigned lo;
                if (q + 2 >= f->end || q[1] != '\\' || q[2] != 'u' || hex4(q + 3, f->end, &lo) ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    goto fail;
                q += 6;
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            } else if (u >= 0xDC00 && u <= 0xDFFF) {
                goto fail;
            }
            if (u == 0)
                goto fail; /* jansson refuses NUL in strings without JSON_ALLOW_NUL */
            if (u < 0x80) {
                b[len++] = (char)u;
            } else if (u < 0x800) {
                b[len++] = (char)(0xC0 | (u >> 6));
                b[len++] = (char)(0x80 | (u & 0x3F));
            } else if (u < 0x10000) {
                b[len++] = (char)(0xE0 | (u >> 12));
                b[len++] = (char)(0x80 | ((u >> 6) & 0x3F));
                b[len++] = (char)(0x80 | (u & 0x3F));
            } else {
                b[len++] = (char)(0xF0 | (u >> 18));
                b[len++] = (char)(0x80 | ((u >> 12) & 0x3F));
                b[len++] = (char)(0x80 | ((u >> 6) & 0x3F));
                b[len++] = (char)(0x80 | (u & 0x3F));
            }
            break;
        }
        default:
            goto fail;
        }
        q++;
    }
    if (q >= f->end)
        goto fail;
    f->p = q + 1;
    *out = b;
    *n = len;
    return 0;
fail:
    mem_free(b);
    return -1;
}

/* The string at f->p: a span of the input (*tmp NULL) or a decoded copy. */
static int str_any(fj_t *f, const char **s, size_t *n, char **tmp)
{
    *tmp = NULL;
    const char *save = f->p;
    if (str_span(f, s, n) == 0)
        return 0;
    f->p = save;
    if (str_escaped(f, tmp, n))
        return -1;
    *s = *tmp;
    return 0;
}

static json_t *value(fj_t *f);

static bool ascii(const char *s, size_t n)
{
    unsigned char acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= (unsigned char)s[i];
    return acc < 0x80;
}

/* Whether s is valid UTF-8, as jansson checks keys. */
static bool utf8_ok(const char *s, size_t n)
{
    if (ascii(s, n))
        return true;
    json_t *t = json_stringn(s, n);
    json_decref(t);
    return t != NULL;
}

static json_t *number(fj_t *f)
{
    const char *q = f->p;
    bool real = false;
    if (q < f->end && *q == '-')
        q++;
    if (q >= f->end || *q < '0' || *q > '9')
        return NULL;
    if (*q == '0' && q + 1 < f->end && q[1] >= '0' && q[1] <= '9')
        return NULL; /* leading zero: jansson rejects it */
    while (q < f->end && *q >= '0' && *q <= '9')
        q++;
    if (q < f->end && *q == '.') {
        real = true;
        q++;
        if (q >= f->end || *q < '0' || *q > '9')
            return NULL;
        while (q < f->end && *q >= '0' && *q <= '9')
            q++;
    }
    if (q < f->end && (*q == 'e' || *q == 'E')) {
        real = true;
        q++;
        if (q < f->end && (*q == '+' || *q == '-'))
            q++;
        if (q >= f->end || *q < '0' || *q > '9')
            return NULL;
        while (q < f->end && *q >= '0' && *q <= '9')
            q++;
    }
    char buf[64];
    size_t n = (size_t)(q - f->p);
    if (n >= sizeof buf)
        return NULL;
    memcpy(buf, f->p, n);
    buf[n] = 0;
    f->p = q;
    errno = 0;
    if (!real) {
        char *endp;
        long long v = strtoll(buf, &endp, 10);
        if (errno || *endp)
            return NULL; /* out of range: jansson reports it */
        return json_integer((json_int_t)v);
    }
    char *endp;
    double d = strtod(buf, &endp);
    if (errno || *endp)
        return NULL;
    return json_real(d);
}

static json_t *object(fj_t *f)
{
    json_t *o = json_object();
    f->p++; /* { */
    ws(f);
    if (f->p < f->end && *f->p == '}') {
        f->p++;
        return o;
    }
    for (;;) {
        ws(f);
        const char *k;
        size_t kn;
        char *tmp;
        /* Keys hold no NUL: str_any refuses \u0000. */
        if (f->p >= f->end || *f->p != '"' || str_any(f, &k, &kn, &tmp))
            goto fail;
        ws(f);
        if (f->p >= f->end || *f->p != ':') {
            mem_free(tmp);
            goto fail;
        }
        f->p++;
        json_t *v = value(f);
        if (!v || !utf8_ok(k, kn)) {
            json_decref(v);
            mem_free(tmp);
            goto fail;
        }
        /* A duplicate key replaces the value (jansson keeps the last): the
         * size does not grow, and the slow path decides. */
        size_t before = json_object_size(o);
        json_object_setn_new_nocheck(o, k, kn, v);
        mem_free(tmp);
        if (json_object_size(o) == before)
            goto fail;
        ws(f);
        if (f->p < f->end && *f->p == ',') {
            f->p++;
            continue;
        }
        if (f->p < f->end && *f->p == '}') {
            f->p++;
            return o;
        }
        goto fail;
    }
fail:
    json_decref(o);
    return NULL;
}

static json_t *array(fj_t *f)
{
    json_t *a = json_array();
    f->p++; /* [ */
    ws(f);
    if (f->p < f->end && *f->p == ']') {
        f->p++;
        return a;
    }
    for (;;) {
        json_t *v = value(f);
        if (!v)
            break;
        json_array_append_new(a, v);
        ws(f);
        if (f->p < f->end && *f->p == ',') {
            f->p++;
            continue;
        }
        if (f->p < f->end && *f->p == ']') {
            f->p++;
            return a;
        }
        break;
    }
    json_decref(a);
    return NULL;
}

static json_t *word(fj_t *f, const char *w, json_t *v)
{
    size_t n = strlen(w);
    if ((size_t)(f->end - f->p) < n || memcmp(f->p, w, n) != 0)
        return NULL;
    f->p += n;
    return v;
}

static json_t *value(fj_t *f)
{
    ws(f);
    if (f->p >= f->end)
        return NULL;
    json_t *v = NULL;
    switch (*f->p) {
    case '{':
    case '[':
        if (++f->depth > FJ_MAX_DEPTH)
            return NULL;
        v = *f->p == '{' ? object(f) : array(f);
        f->depth--;
        return v;
    case '"': {
        const char *s;
        size_t n;
        char *tmp;
        if (str_any(f, &s, &n, &tmp))
            return NULL;
        /* jansson validates UTF-8: ASCII needs no check, the rest goes
         * through json_stringn (NULL when invalid) */
        json_t *str = ascii(s, n) ? json_stringn_nocheck(s, n) : json_stringn(s, n);
        mem_free(tmp);
        return str;
    }
    case 't':
        return word(f, "true", json_true());
    case 'f':
        return word(f, "false", json_false());
    case 'n':
        return word(f, "null", json_null());
    default:
        return number(f);
    }
}

json_t *fastjson_load_file(const char *path, json_error_t *je)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return json_load_file(path, 0, je); /* its error names the file */
    size_t cap = 1 << 16, len = 0;
    char *b = mem_alloc(cap);
    size_t got;
    while ((got = fread(b + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            cap *= 2;
            b = mem_realloc(b, cap);
        }
    }
    fclose(f);
    json_t *v = fastjson_parse(b, len, je);
    mem_free(b);
    if (!v)
        snprintf(je->source, sizeof je->source, "%s", path);
    return v;
}

/* The fast path gives up on a duplicate key, so either flag value holds. */
static json_t *parse(const char *s, size_t n, size_t flags, json_error_t *je)
{
    fj_t f = { s, s + n, 0 };
    json_t *v = value(&f);
    if (v) {
        ws(&f);
        if (f.p == f.end && (json_is_object(v) || json_is_array(v)))
            return v;
        json_decref(v);
    }
    return json_loadb(s, n, flags, je); /* the general case, with jansson's messages */
}

json_t *fastjson_parse(const char *s, size_t n, json_error_t *je)
{
    return parse(s, n, 0, je);
}

json_t *fastjson_parse_strict(const char *s, size_t n, json_error_t *je)
{
    return parse(s, n, JSON_REJECT_DUPLICATES, je);
}
