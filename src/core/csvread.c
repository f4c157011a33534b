/* csvread.c — the in-place CSV reader (see csvread.h). */
#include "core/csvread.h"

#include "core/mem.h"

#include <string.h>

/* Bytes that end or complicate an unquoted field. */
static const unsigned char special[256] = {
    [','] = 1, ['\n'] = 1, ['\r'] = 1, ['"'] = 1, ['\0'] = 1,
};

void csvr_init(csvr_t *r, const char *name, char *buf, size_t len)
{
    memset(r, 0, sizeof *r);
    r->buf = buf;
    r->len = len;
    r->name = name;
    r->line = 1;
    if (len >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB &&
        (unsigned char)buf[2] == 0xBF) {
        r->pos = 3;
        r->line_start = 3;
    }
}

void csvr_free(csvr_t *r)
{
    mem_free(r->fields);
    r->fields = NULL;
    r->cap = r->nfields = 0;
}

static int push(csvr_t *r, char *s, size_t n, long line, long col, err_t *e)
{
    if (r->nfields == r->cap) {
        if (r->cap >= CSVR_MAX_FIELDS)
            return -err_at(e, ERR_INPUT, r->name, line, col, NULL,
                           "more than %d fields in one record", CSVR_MAX_FIELDS);
        r->cap = r->cap ? r->cap * 2 : 64;
        r->fields = mem_realloc(r->fields, r->cap * sizeof *r->fields);
    }
    csvr_field_t *f = &r->fields[r->nfields++];
    f->s = s;
    f->n = n;
    f->line = line;
    f->col = col;
    return 0;
}

/* Consumes a line end at pos (CR, LF or CRLF). */
static void eat_eol(csvr_t *r)
{
    if (r->pos < r->len && r->buf[r->pos] == '\r')
        r->pos++;
    if (r->pos < r->len && r->buf[r->pos] == '\n')
        r->pos++;
    r->line++;
    r->line_start = r->pos;
}

int csvr_next(csvr_t *r, err_t *e)
{
    char *b = r->buf;
    size_t len = r->len;
    r->nfields = 0;
    /* Blank lines between records are skipped. */
    while (r->pos < len && (b[r->pos] == '\n' || b[r->pos] == '\r'))
        eat_eol(r);
    if (r->pos >= len)
        return 0;
    r->rec_line = r->line;
    for (;;) {
        size_t start = r->pos;
        long line = r->line;
        long col = (long)(start - r->line_start) + 1;
        char term;
        if (start < len && b[start] == '"') {
            /* Quoted: unescape "" in place, count line breaks inside. */
            size_t in = start + 1, out = start;
            for (;;) {
                if (in >= len)
                    return -err_at(e, ERR_INPUT, r->name, line, col, NULL,
                                   "unterminated quoted field");
                char c = b[in];
                if (c == '"') {
                    if (in + 1 < len && b[in + 1] == '"') {
                        b[out++] = '"';
                        in += 2;
                        continue;
                    }
                    in++;
                    break;
                }
                if (c == '\0')
                    return -err_at(e, ERR_INPUT, r->name, r->line, (long)(in - r->line_start) + 1,
                                   NULL, "NUL byte in CSV");
                if (c == '\n' || (c == '\r' && !(in + 1 < len && b[in + 1] == '\n'))) {
                    r->line++;
                    r->line_start = in + 1;
                }
                b[out++] = c;
                in++;
            }
            r->pos = in;
            term = r->pos < len ? b[r->pos] : '\n';
            if (term != ',' && term != '\n' && term != '\r')
                return -err_at(e, ERR_INPUT, r->name, r->line, (long)(r->pos - r->line_start) + 1,
                               NULL, "unexpected text after a closing quote");
            b[out] = '\0';
            if (push(r, b + start, out - start, line, col, e) != 0)
                return -1;
        } else {
            size_t p = start;
            while (p < len && !special[(unsigned char)b[p]])
                p++;
            if (p < len && b[p] == '"')
                return -err_at(e, ERR_INPUT, r->name, line, (long)(p - r->line_start) + 1, NULL,
                               "quote inside an unquoted field");
            if (p < len && b[p] == '\0')
                return -err_at(e, ERR_INPUT, r->name, line, (long)(p - r->line_start) + 1, NULL,
                               "NUL byte in CSV");
            r->pos = p;
            term = p < len ? b[p] : '\n';
            b[p] = '\0'; /* the spare byte when p == len */
            if (push(r, b + start, p - start, line, col, e) != 0)
                return -1;
        }
        if (term == ',') {
            r->pos++;
            continue;
        }
        /* Line end (or end of input): the record is complete. A CR that we
         * overwrote with NUL for an unquoted field still counts as a CR. */
        if (r->pos < len) {
            r->pos++; /* the CR or LF (already overwritten when unquoted) */
            if (term == '\r' && r->pos < len && b[r->pos] == '\n')
                r->pos++;
            r->line++;
            r->line_start = r->pos;
        }
        return 1;
    }
}
