/* err.c — error values that say where bad input is. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/str.h"

void err_clear(err_t *e)
{
    if (!e)
        return;
    e->code = ERR_OK;
    e->constraint = ERR_CONSTRAINT_NONE;
    e->file[0] = '\0';
    e->line = 0;
    e->col = 0;
    e->field[0] = '\0';
    e->msg[0] = '\0';
}

static void err_vset_msg(err_t *e, const char *fmt, va_list ap)
{
    if (!fmt) {
        e->msg[0] = '\0';
        return;
    }
    /* vsnprintf truncates safely; a cut message is better than none. */
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
}

int err_set(err_t *e, err_code_t code, const char *fmt, ...)
{
    if (!e)
        return (int)code;
    e->code = code;
    va_list ap;
    va_start(ap, fmt);
    err_vset_msg(e, fmt, ap);
    va_end(ap);
    return (int)code;
}

int err_at(err_t *e, err_code_t code, const char *file, long line, long col, const char *field,
           const char *fmt, ...)
{
    if (!e)
        return (int)code;
    e->code = code;
    e->constraint = ERR_CONSTRAINT_NONE;
    str_copy(e->file, file ? file : "", sizeof e->file);
    e->line = line > 0 ? line : 0;
    e->col = col > 0 ? col : 0;
    str_copy(e->field, field ? field : "", sizeof e->field);
    va_list ap;
    va_start(ap, fmt);
    err_vset_msg(e, fmt, ap);
    va_end(ap);
    return (int)code;
}

/* Each part is filled only when still empty: the innermost layer knows the
 * most precise place (a column), outer layers add what it could not know. */
void err_where(err_t *e, const char *file, long line, long col, const char *field)
{
    if (!e)
        return;
    if (e->file[0] == '\0' && file)
        str_copy(e->file, file, sizeof e->file);
    if (e->line == 0 && line > 0)
        e->line = line;
    if (e->col == 0 && col > 0)
        e->col = col;
    if (e->field[0] == '\0' && field)
        str_copy(e->field, field, sizeof e->field);
}

/* Appends to out at *pos, tracking the would-be length like snprintf so the
 * caller can tell truncation from the return value. */
static void fmt_part(char *out, size_t n, size_t *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void fmt_part(char *out, size_t n, size_t *pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *dst = (*pos < n) ? out + *pos : NULL;
    size_t room = (*pos < n) ? n - *pos : 0;
    int w = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    if (w > 0)
        *pos += (size_t)w;
}

size_t err_format(const err_t *e, char *out, size_t n)
{
    size_t pos = 0;
    if (out && n > 0)
        out[0] = '\0';
    if (!e)
        return 0;
    if (!out)
        n = 0;
    /* "file:line:col: " — a line or column is only meaningful after what it
     * is a line of, but a bare line number (stdin) is still worth printing. */
    int have_place = 0;
    if (e->file[0]) {
        fmt_part(out, n, &pos, "%s", e->file);
        have_place = 1;
    }
    if (e->line > 0) {
        fmt_part(out, n, &pos, have_place ? ":%ld" : "%ld", e->line);
        have_place = 1;
        if (e->col > 0)
            fmt_part(out, n, &pos, ":%ld", e->col);
    }
    if (have_place)
        fmt_part(out, n, &pos, ": ");
    if (e->field[0])
        fmt_part(out, n, &pos, "%s: ", e->field);
    if (e->msg[0])
        fmt_part(out, n, &pos, "%s", e->msg);
    else
        fmt_part(out, n, &pos, "%s", err_code_name(e->code));
    return pos;
}

/* DESIGN.md, "Contract of the command line": 0 success, 2 misuse, 1 for bad
 * input and every other failure (I/O, store, internal). */
int err_exit_code(const err_t *e)
{
    if (!e || e->code == ERR_OK)
        return 0;
    if (e->code == ERR_USAGE)
        return 2;
    return 1;
}

const char *err_code_name(err_code_t code)
{
    switch (code) {
    case ERR_OK:
        return "ok";
    case ERR_INPUT:
        return "input";
    case ERR_USAGE:
        return "usage";
    case ERR_IO:
        return "io";
    case ERR_NOMEM:
        return "nomem";
    case ERR_DB:
        return "db";
    case ERR_NOTFOUND:
        return "notfound";
    case ERR_INTERNAL:
        return "internal";
    }
    return "unknown";
}
