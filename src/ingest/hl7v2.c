/* hl7v2.c — the HL7 v2 ER7 parser (see hl7v2.h).
 *
 * Parsing splits the message into segments and each segment into fields,
 * keeping (pointer, length) spans into the caller's bytes. Repetitions,
 * components and subcomponents are found by scanning a field's span when a
 * value is asked for, and only then is it unescaped into the arena: a feed
 * reads a dozen values from messages of a hundred fields.
 */
#include "ingest/hl7v2.h"

#include "core/str.h"

#include <stdio.h>
#include <string.h>

typedef struct span {
    const char *p;
    size_t n;
} span_t;

typedef struct hl7_seg {
    char name[4];
    long line;
    size_t nfields; /* fields[0] is the name; fields[k] is field k */
    span_t *fields;
} hl7_seg_t;

struct hl7_msg {
    arena_t *arena;
    hl7_delims_t d;
    const char *raw;
    size_t len;
    size_t nseg;
    hl7_seg_t *segs;
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == 0x0B || c == 0x1C;
}

static bool is_upper_or_digit(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c)
{
    return is_upper_or_digit(c) || (c >= 'a' && c <= 'z');
}

/* Length of the line starting at p (up to CR or LF), and in *next the offset
 * of the line after it (past CR, LF or CRLF). */
static size_t line_len(const char *p, size_t n, size_t *next)
{
    size_t i = 0;
    while (i < n && p[i] != '\r' && p[i] != '\n')
        i++;
    size_t after = i;
    if (after < n && p[after] == '\r')
        after++;
    if (after < n && p[after] == '\n' && (after == i || p[after - 1] == '\r'))
        after++;
    *next = after;
    return i;
}

static bool line_is_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_blank(p[i]))
            return false;
    return true;
}

/* Skips a UTF-8 byte-order mark and MLLP start bytes at the start of a line. */
static size_t skip_lead(const char *p, size_t n)
{
    size_t i = 0;
    if (n >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
        (unsigned char)p[2] == 0xBF)
        i = 3;
    while (i < n && p[i] == 0x0B)
        i++;
    return i;
}

/* Is the line a segment named name ("MSH" followed by a delimiter or end)? */
static bool line_is_segment(const char *p, size_t n, const char *name)
{
    if (n < 3 || memcmp(p, name, 3) != 0)
        return false;
    return n == 3 || !is_alnum(p[3]);
}

static bool line_is_envelope(const char *p, size_t n)
{
    return line_is_segment(p, n, "FHS") || line_is_segment(p, n, "BHS") ||
           line_is_segment(p, n, "BTS") || line_is_segment(p, n, "FTS");
}

int hl7_next_message(const char *buf, size_t n, size_t *pos, long *cur_line, const char **msg,
                     size_t *msg_len, long *line, err_t *e)
{
    size_t i = *pos;
    long ln = *cur_line;
    *msg = NULL;
    *msg_len = 0;
    /* Find the MSH that starts the next message. */
    for (;;) {
        if (i >= n) {
            *pos = i;
            *cur_line = ln;
            return 0;
        }
        size_t next;
        size_t len = line_len(buf + i, n - i, &next);
        size_t lead = skip_lead(buf + i, len);
        const char *p = buf + i + lead;
        size_t pl = len - lead;
        if (line_is_segment(p, pl, "MSH")) {
            *msg = buf + i;
            *line = ln;
            break;
        }
        if (!line_is_blank(p, pl) && !line_is_envelope(p, pl)) {
            char name[4] = { 0 };
            for (size_t k = 0; k < 3 && k < pl; k++)
                name[k] = is_upper_or_digit(p[k]) ? p[k] : '?';
            return err_at(e, ERR_INPUT, NULL, ln, 1, "MSH",
                          "expected an MSH segment to start a message, found '%s'", name);
        }
        i += next;
        ln++;
    }
    /* It runs to the next MSH or batch envelope segment, or the end. */
    size_t start = i;
    size_t next;
    line_len(buf + i, n - i, &next);
    i += next;
    ln++;
    while (i < n) {
        size_t len = line_len(buf + i, n - i, &next);
        size_t lead = skip_lead(buf + i, len);
        if (line_is_segment(buf + i + lead, len - lead, "MSH") ||
            line_is_envelope(buf + i + lead, len - lead))
            break;
        i += next;
        ln++;
    }
    *msg_len = i - start;
    *pos = i;
    *cur_line = ln;
    return 0;
}

/* --- Parsing ----------------------------------------------------------------- */

static int parse_delims(const char *p, size_t n, long line, hl7_delims_t *d, err_t *e)
{
    /* p points at "MSH" and n covers the MSH segment. */
    if (n < 4)
        return err_at(e, ERR_INPUT, NULL, line, 4, "MSH-1", "missing field separator");
    memset(d, 0, sizeof *d);
    d->field = p[3];
    if (is_alnum(d->field) || d->field == ' ' || d->field == 0)
        return err_at(e, ERR_INPUT, NULL, line, 4, "MSH-1", "invalid field separator");
    char enc[5] = { 0 };
    size_t k = 0;
    for (size_t i = 4; i < n && p[i] != d->field; i++) {
        if (k == 5)
            return err_at(e, ERR_INPUT, NULL, line, (long)i + 1, "MSH-2",
                          "more than 5 encoding characters");
        enc[k++] = p[i];
    }
    if (k < 2)
        return err_at(e, ERR_INPUT, NULL, line, 5, "MSH-2",
                      "encoding characters must declare at least the component and repetition "
                      "separators");
    d->comp = enc[0];
    d->rep = enc[1];
    d->esc = enc[2];
    d->sub = enc[3];
    d->trunc = enc[4];
    char all[6] = { d->field, d->comp, d->rep, d->esc, d->sub, d->trunc };
    for (size_t i = 0; i < 6; i++) {
        if (i > 0 && all[i] == 0)
            continue;
        if (is_alnum(all[i]) || all[i] == ' ' || all[i] == '\t' || (unsigned char)all[i] < 0x20 ||
            (unsigned char)all[i] >= 0x7F)
            return err_at(e, ERR_INPUT, NULL, line, 5, i == 0 ? "MSH-1" : "MSH-2",
                          "delimiter 0x%02X is not a printable punctuation character",
                          (unsigned char)all[i]);
        for (size_t j = 0; j < i; j++)
            if (all[j] != 0 && all[j] == all[i])
                return err_at(e, ERR_INPUT, NULL, line, 5, "MSH-2",
                              "delimiter '%c' is declared twice", all[i]);
    }
    return 0;
}

/* Splits one segment's bytes into fields. */
static int parse_segment(hl7_msg_t *m, hl7_seg_t *s, const char *p, size_t n, long line, err_t *e)
{
    /* Trailing blanks after the last field are noise from hand-edited files. */
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    if (n < 3 || !is_upper_or_digit(p[0]) || !is_upper_or_digit(p[1]) || !is_upper_or_digit(p[2]) ||
        (n > 3 && p[3] != m->d.field)) {
        char name[4] = { 0 };
        for (size_t k = 0; k < 3 && k < n; k++)
            name[k] = is_upper_or_digit(p[k]) ? p[k] : '?';
        return err_at(e, ERR_INPUT, NULL, line, 1, NULL,
                      "invalid segment '%s' (a segment is 3 capital letters or digits and "
                      "its fields)",
                      name);
    }
    memcpy(s->name, p, 3);
    s->name[3] = 0;
    s->line = line;
    bool msh = memcmp(s->name, "MSH", 3) == 0;
    size_t count = 1;
    for (size_t i = 3; i < n; i++)
        if (p[i] == m->d.field)
            count++;
    if (msh)
        count++; /* MSH-1 is the separator itself */
    if (count > HL7_MAX_FIELDS + 1)
        return err_at(e, ERR_INPUT, NULL, line, 1, s->name, "more than %d fields", HL7_MAX_FIELDS);
    s->fields = arena_alloc(m->arena, count * sizeof *s->fields);
    s->fields[0] = (span_t){ p, 3 };
    size_t k = 1;
    size_t start = 4;
    if (msh) {
        s->fields[1] = (span_t){ p + 3, 1 };
        k = 2;
    }
    if (n > 3) {
        for (size_t i = 4; i <= n; i++) {
            if (i == n || p[i] == m->d.field) {
                s->fields[k++] = (span_t){ p + start, i - start };
                start = i + 1;
            }
        }
    }
    s->nfields = k;
    return 0;
}

int hl7_parse(arena_t *a, const char *data, size_t n, long first_line, hl7_msg_t **out, err_t *e)
{
    *out = NULL;
    hl7_msg_t *m = arena_calloc(a, 1, sizeof *m);
    m->arena = a;
    m->raw = data;
    m->len = n;

    /* First pass: count the segments and find the MSH. */
    size_t i = 0, next;
    long line = first_line > 0 ? first_line : 1;
    size_t nseg = 0;
    bool seen_msh = false;
    while (i < n) {
        size_t len = line_len(data + i, n - i, &next);
        size_t lead = seen_msh ? 0 : skip_lead(data + i, len);
        const char *p = data + i + lead;
        size_t pl = len - lead;
        if (!line_is_blank(p, pl)) {
            if (!seen_msh) {
                if (!line_is_segment(p, pl, "MSH"))
                    return err_at(e, ERR_INPUT, NULL, line, 1, "MSH",
                                  "a message must start with an MSH segment");
                int rc = parse_delims(p, pl, line, &m->d, e);
                if (rc)
                    return rc;
                seen_msh = true;
            }
            if (++nseg > HL7_MAX_SEGMENTS)
                return err_at(e, ERR_INPUT, NULL, line, 1, NULL, "more than %d segments",
                              HL7_MAX_SEGMENTS);
        }
        i += next;
        line++;
    }
    if (!seen_msh)
        return err_at(e, ERR_INPUT, NULL, first_line > 0 ? first_line : 1, 1, "MSH",
                      "empty message: no MSH segment");

    /* Second pass: split each segment. */
    m->segs = arena_calloc(a, nseg, sizeof *m->segs);
    i = 0;
    line = first_line > 0 ? first_line : 1;
    bool first = true;
    while (i < n) {
        size_t len = line_len(data + i, n - i, &next);
        size_t lead = first ? skip_lead(data + i, len) : 0;
        const char *p = data + i + lead;
        size_t pl = len - lead;
        if (!line_is_blank(p, pl)) {
            hl7_seg_t *s = &m->segs[m->nseg];
            int rc = parse_segment(m, s, p, pl, line, e);
            if (rc)
                return rc;
            if (!first && memcmp(s->name, "MSH", 3) == 0)
                return err_at(e, ERR_INPUT, NULL, line, 1, "MSH",
                              "a second MSH segment: one message expected");
            m->nseg++;
            first = false;
        }
        i += next;
        line++;
    }

    /* What every consumer relies on: the message type and the control id. */
    long msh_line = m->segs[0].line;
    const char *code = hl7_message_code(m);
    if (!*code)
        return err_at(e, ERR_INPUT, NULL, msh_line, 1, "MSH-9", "missing message type");
    if (strlen(code) != 3 || !is_upper_or_digit(code[0]) || !is_upper_or_digit(code[1]) ||
        !is_upper_or_digit(code[2]))
        return err_at(e, ERR_INPUT, NULL, msh_line, 1, "MSH-9",
                      "invalid message type '%.20s' (3 letters expected)", code);
    if (!*hl7_control_id(m))
        return err_at(e, ERR_INPUT, NULL, msh_line, 1, "MSH-10", "missing message control id");
    *out = m;
    return 0;
}

/* --- Accessors ----------------------------------------------------------------- */

const hl7_delims_t *hl7_delims(const hl7_msg_t *m)
{
    return &m->d;
}

size_t hl7_segment_count(const hl7_msg_t *m)
{
    return m->nseg;
}

const char *hl7_segment_name(const hl7_msg_t *m, size_t i)
{
    return i < m->nseg ? m->segs[i].name : NULL;
}

long hl7_segment_line(const hl7_msg_t *m, size_t i)
{
    return i < m->nseg ? m->segs[i].line : 0;
}

size_t hl7_count(const hl7_msg_t *m, const char *seg)
{
    size_t c = 0;
    for (size_t i = 0; i < m->nseg; i++)
        if (strcmp(m->segs[i].name, seg) == 0)
            c++;
    return c;
}

const char *hl7_raw(const hl7_msg_t *m, size_t *len)
{
    if (len)
        *len = m->len;
    return m->raw;
}

static const hl7_seg_t *find_seg(const hl7_msg_t *m, const char *seg, size_t occ)
{
    for (size_t i = 0; i < m->nseg; i++)
        if (strcmp(m->segs[i].name, seg) == 0 && occ-- == 0)
            return &m->segs[i];
    return NULL;
}

/* The k-th (0-based) piece of s split on c; false when there are fewer. A
 * delimiter 0 (undeclared) never splits. */
static bool piece(span_t s, char c, size_t k, span_t *out)
{
    size_t start = 0;
    for (size_t i = 0; i <= s.n; i++) {
        if (i == s.n || (c != 0 && s.p[i] == c)) {
            if (k == 0) {
                *out = (span_t){ s.p + start, i - start };
                return true;
            }
            k--;
            start = i + 1;
        }
    }
    return false;
}

static size_t pieces(span_t s, char c)
{
    if (s.n == 0)
        return 0;
    size_t k = 1;
    if (c != 0)
        for (size_t i = 0; i < s.n; i++)
            if (s.p[i] == c)
                k++;
    return k;
}

/* The raw (escaped) span at the given coordinates; false when absent. *lit is
 * set for MSH-1 and MSH-2, which are not split nor unescaped. */
static bool locate(const hl7_msg_t *m, const char *seg, size_t occ, int field, size_t rep, int comp,
                   int sub, span_t *out, bool *lit)
{
    *lit = false;
    if (field < 1 || comp < 0 || sub < 0)
        return false;
    const hl7_seg_t *s = find_seg(m, seg, occ);
    if (!s || (size_t)field >= s->nfields)
        return false;
    span_t v = s->fields[field];
    if (memcmp(s->name, "MSH", 3) == 0 && field <= 2) {
        *lit = true;
        if (rep > 0 || comp > 1 || sub > 1)
            return false;
        *out = v;
        return true;
    }
    if (!piece(v, m->d.rep, rep, &v))
        return false;
    if (comp == 0) {
        *out = v;
        return true;
    }
    if (!piece(v, m->d.comp, (size_t)comp - 1, &v))
        return false;
    if (sub == 0) {
        *out = v;
        return true;
    }
    if (!piece(v, m->d.sub, (size_t)sub - 1, &v))
        return false;
    *out = v;
    return true;
}

const char *hl7_get(const hl7_msg_t *m, const char *seg, size_t seg_occ, int field, size_t rep,
                    int comp, int sub)
{
    span_t v;
    bool lit;
    if (!m || !seg || !locate(m, seg, seg_occ, field, rep, comp, sub, &v, &lit) || v.n == 0)
        return "";
    if (lit)
        return arena_strndup(m->arena, v.p, v.n);
    return hl7_unescape(m->arena, &m->d, v.p, v.n);
}

bool hl7_present(const hl7_msg_t *m, const char *seg, size_t seg_occ, int field, size_t rep,
                 int comp, int sub)
{
    span_t v;
    bool lit;
    return m && seg && locate(m, seg, seg_occ, field, rep, comp, sub, &v, &lit) && v.n > 0;
}

const char *hl7_get_raw(const hl7_msg_t *m, const char *seg, size_t seg_occ, int field)
{
    const hl7_seg_t *s = m && seg ? find_seg(m, seg, seg_occ) : NULL;
    if (!s || field < 1 || (size_t)field >= s->nfields)
        return "";
    return arena_strndup(m->arena, s->fields[field].p, s->fields[field].n);
}

size_t hl7_rep_count(const hl7_msg_t *m, const char *seg, size_t seg_occ, int field)
{
    span_t v;
    bool lit;
    if (!locate(m, seg, seg_occ, field, 0, 0, 0, &v, &lit))
        return 0;
    const hl7_seg_t *s = find_seg(m, seg, seg_occ);
    if (lit)
        return 1;
    return pieces(s->fields[field], m->d.rep);
}

size_t hl7_comp_count(const hl7_msg_t *m, const char *seg, size_t seg_occ, int field, size_t rep)
{
    span_t v;
    bool lit;
    if (!locate(m, seg, seg_occ, field, rep, 0, 0, &v, &lit))
        return 0;
    return lit ? (v.n > 0) : pieces(v, m->d.comp);
}

int hl7_field_count(const hl7_msg_t *m, const char *seg, size_t seg_occ)
{
    const hl7_seg_t *s = find_seg(m, seg, seg_occ);
    return s ? (int)s->nfields - 1 : 0;
}

static bool read_uint(const char **p, int *out)
{
    const char *q = *p;
    int v = 0;
    if (*q < '0' || *q > '9')
        return false;
    while (*q >= '0' && *q <= '9') {
        if (v > 100000)
            return false;
        v = v * 10 + (*q - '0');
        q++;
    }
    *p = q;
    *out = v;
    return true;
}

const char *hl7_get_path(const hl7_msg_t *m, const char *path)
{
    /* SEG[(occ)]-field[[rep]][.comp[.sub]]; occ is 1-based in the path, as
     * people write "the second DG1" as DG1(2). */
    if (!m || !path || strlen(path) < 5)
        return NULL;
    char seg[4] = { path[0], path[1], path[2], 0 };
    const char *p = path + 3;
    int occ = 1, field = 0, rep = 0, comp = 0, sub = 0;
    if (*p == '(') {
        p++;
        if (!read_uint(&p, &occ) || occ < 1 || *p != ')')
            return NULL;
        p++;
    }
    if (*p != '-')
        return NULL;
    p++;
    if (!read_uint(&p, &field) || field < 1)
        return NULL;
    if (*p == '[') {
        p++;
        if (!read_uint(&p, &rep) || *p != ']')
            return NULL;
        p++;
    }
    if (*p == '.') {
        p++;
        if (!read_uint(&p, &comp) || comp < 1)
            return NULL;
        if (*p == '.') {
            p++;
            if (!read_uint(&p, &sub) || sub < 1)
                return NULL;
        }
    }
    if (*p != 0)
        return NULL;
    return hl7_get(m, seg, (size_t)occ - 1, field, (size_t)rep, comp, sub);
}

const char *hl7_message_code(const hl7_msg_t *m)
{
    return hl7_get(m, "MSH", 0, 9, 0, 1, 1);
}

const char *hl7_trigger(const hl7_msg_t *m)
{
    return hl7_get(m, "MSH", 0, 9, 0, 2, 1);
}

const char *hl7_control_id(const hl7_msg_t *m)
{
    return hl7_get(m, "MSH", 0, 10, 0, 1, 1);
}

const char *hl7_version(const hl7_msg_t *m)
{
    return hl7_get(m, "MSH", 0, 12, 0, 1, 1);
}

/* --- Escapes ---------------------------------------------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes the escape body b[0..n) (between the escape characters) into out;
 * returns false when it is not a known sequence (then kept literally). */
static bool decode_escape(const hl7_delims_t *d, const char *b, size_t n, char *out, size_t *o)
{
    if (n == 1) {
        char c = 0;
        switch (b[0]) {
        case 'F':
            c = d->field;
            break;
        case 'S':
            c = d->comp;
            break;
        case 'T':
            c = d->sub;
            break;
        case 'R':
            c = d->rep;
            break;
        case 'E':
            c = d->esc;
            break;
        case 'P':
            c = d->trunc;
            break;
        case 'H': /* start highlighting */
        case 'N': /* normal text */
            return true;
        default:
            return false;
        }
        if (c == 0)
            return false;
        out[(*o)++] = c;
        return true;
    }
    if (n >= 1 && b[0] == 'X') {
        if (n < 3 || (n - 1) % 2 != 0)
            return false;
        for (size_t i = 1; i < n; i++)
            if (hexval(b[i]) < 0)
                return false;
        for (size_t i = 1; i < n; i += 2) {
            char c = (char)(hexval(b[i]) * 16 + hexval(b[i + 1]));
            if (c != 0) /* a NUL would end the C string: dropped */
                out[(*o)++] = c;
        }
        return true;
    }
    if (n >= 3 && b[0] == '.') {
        /* Formatted text (FT): line breaks become newlines, other commands
         * (.fi .nf .in .ti .sk .ce) only shape the layout and are dropped. */
        if (n == 3 && b[1] == 'b' && b[2] == 'r') {
            out[(*o)++] = '\n';
            return true;
        }
        if (b[1] == 's' && b[2] == 'p') {
            out[(*o)++] = '\n';
            return true;
        }
        for (size_t i = 1; i < n; i++)
            if (!is_alnum(b[i]) && b[i] != '+' && b[i] != '-')
                return false;
        return true;
    }
    if (n >= 1 && (b[0] == 'C' || b[0] == 'M' || b[0] == 'Z')) {
        /* Character-set switches and locally defined escapes: dropped. */
        for (size_t i = 1; i < n; i++)
            if (!is_alnum(b[i]))
                return false;
        return true;
    }
    return false;
}

char *hl7_unescape(arena_t *a, const hl7_delims_t *d, const char *raw, size_t n)
{
    /* Every escape decodes to no more bytes than it takes. */
    char *out = arena_alloc(a, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (d->esc != 0 && raw[i] == d->esc) {
            size_t j = i + 1;
            while (j < n && raw[j] != d->esc)
                j++;
            if (j < n && j > i + 1 && decode_escape(d, raw + i + 1, j - i - 1, out, &o)) {
                i = j + 1;
                continue;
            }
        }
        if (raw[i] != 0)
            out[o++] = raw[i];
        i++;
    }
    out[o] = 0;
    return out;
}

size_t hl7_escape(const hl7_delims_t *d, const char *s, char *out, size_t cap)
{
    size_t o = 0;
    if (cap == 0)
        return 0;
    for (; *s; s++) {
        char code = 0;
        if (*s == d->field)
            code = 'F';
        else if (*s == d->comp)
            code = 'S';
        else if (d->sub && *s == d->sub)
            code = 'T';
        else if (*s == d->rep)
            code = 'R';
        else if (d->esc && *s == d->esc)
            code = 'E';
        else if (d->trunc && *s == d->trunc)
            code = 'P';
        const char *put;
        char tmp[8];
        size_t k;
        if (code && d->esc) {
            tmp[0] = d->esc;
            tmp[1] = code;
            tmp[2] = d->esc;
            put = tmp;
            k = 3;
        } else if ((*s == '\r' || *s == '\n') && d->esc) {
            tmp[0] = d->esc;
            tmp[1] = '.';
            tmp[2] = 'b';
            tmp[3] = 'r';
            tmp[4] = d->esc;
            put = tmp;
            k = 5;
        } else if (code || *s == '\r' || *s == '\n') {
            tmp[0] = ' '; /* no escape character declared: blank it out */
            put = tmp;
            k = 1;
        } else {
            put = s;
            k = 1;
        }
        if (o + k >= cap)
            break;
        memcpy(out + o, put, k);
        o += k;
    }
    out[o] = 0;
    return o;
}

/* --- Time stamps ------------------------------------------------------------- */

static int digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int hl7_ts_parse(const char *s, size_t n, hl7_ts_t *out)
{
    str_trim(&s, &n);
    memset(out, 0, sizeof *out);
    out->date = DATE_NONE;
    size_t nd = 0;
    while (nd < n && s[nd] >= '0' && s[nd] <= '9')
        nd++;
    if (nd != 4 && nd != 6 && nd != 8 && nd != 10 && nd != 12 && nd != 14)
        return -1;
    int y = digits(s, 4), mo = 1, d = 1, h = 0, mi = 0, se = 0;
    if (nd >= 6)
        mo = digits(s + 4, 2);
    if (nd >= 8)
        d = digits(s + 6, 2);
    if (nd >= 10)
        h = digits(s + 8, 2);
    if (nd >= 12)
        mi = digits(s + 10, 2);
    if (nd >= 14)
        se = digits(s + 12, 2);
    if (y < 1 || !date_is_valid_ymd(y, mo, d) || h > 23 || mi > 59 || se > 59)
        return -1;
    size_t i = nd;
    if (i < n && s[i] == '.') {
        if (nd != 14)
            return -1;
        i++;
        size_t f0 = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        size_t nf = i - f0;
        if (nf < 1 || nf > 4)
            return -1;
        int ms = digits(s + f0, nf > 3 ? 3 : nf);
        for (size_t k = nf; k < 3; k++)
            ms *= 10;
        out->millis = ms;
    }
    if (i < n && (s[i] == '+' || s[i] == '-')) {
        if (n - i != 5)
            return -1;
        int tz = digits(s + i + 1, 4);
        if (tz < 0 || tz / 100 > 14 || tz % 100 > 59)
            return -1;
        out->has_tz = true;
        out->tz_minutes = (tz / 100 * 60 + tz % 100) * (s[i] == '-' ? -1 : 1);
        i = n;
    }
    if (i != n)
        return -1;
    out->date = date_from_ymd(y, mo, d);
    if (out->date == DATE_NONE)
        return -1;
    out->precision = (int)nd;
    out->second = h * 3600 + mi * 60 + se;
    return 0;
}

int64_t hl7_ts_epoch(const hl7_ts_t *t)
{
    return (int64_t)t->date * 86400 + t->second - (t->has_tz ? (int64_t)t->tz_minutes * 60 : 0);
}

void hl7_ts_iso(const hl7_ts_t *t, char *out, size_t cap)
{
    if (cap == 0)
        return;
    out[0] = 0;
    if (t->date == DATE_NONE)
        return;
    int y, mo, d;
    date_to_ymd(t->date, &y, &mo, &d);
    int h = t->second / 3600, mi = t->second / 60 % 60, se = t->second % 60;
    int len;
    if (t->precision <= 4)
        len = snprintf(out, cap, "%04d", y);
    else if (t->precision <= 6)
        len = snprintf(out, cap, "%04d-%02d", y, mo);
    else if (t->precision <= 8)
        len = snprintf(out, cap, "%04d-%02d-%02d", y, mo, d);
    else if (t->precision <= 10)
        len = snprintf(out, cap, "%04d-%02d-%02dT%02d:00", y, mo, d, h);
    else if (t->precision <= 12)
        len = snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d", y, mo, d, h, mi);
    else if (t->millis)
        len = snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03d", y, mo, d, h, mi, se,
                       (int)t->millis);
    else
        len = snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, h, mi, se);
    if (len < 0 || (size_t)len >= cap || t->precision <= 8 || !t->has_tz)
        return;
    int tz = t->tz_minutes < 0 ? -t->tz_minutes : t->tz_minutes;
    snprintf(out + len, cap - (size_t)len, "%c%02d:%02d", t->tz_minutes < 0 ? '-' : '+', tz / 60,
             tz % 60);
}
