/* engine_load.c — from CSV files (or rows) to columnar tables grouped by patient.
 *
 * CSV files are split into chunks of whole records that threads parse in
 * parallel into chunk-local tables; eligibility is read first so that claim
 * rows find their patient through a read-only hash table. Then a stable
 * counting sort on the patient index scatters every chunk's rows into one
 * table per file, one column at a time (a column per task), so a patient's
 * rows are contiguous and keep their file order.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analytics/engine_internal.h"
#include "analytics/par.h"
#include "core/csvread.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include "core/value.h"

/* ---- lifecycle ---------------------------------------------------------- */

void engine_settings_default(engine_settings_t *s)
{
    memset(s, 0, sizeof *s);
    s->as_of = DATE_NONE;
    s->window_months = 12;
    s->threads = 0;
    s->readmit_days = 30;
    s->horizon_months = 6;
}

engine_t *engine_new(const engine_settings_t *s)
{
    engine_t *en = mem_calloc(1, sizeof *en);
    if (s)
        en->s = *s;
    else
        engine_settings_default(&en->s);
    if (en->s.window_months <= 0)
        en->s.window_months = 12;
    if (en->s.readmit_days <= 0)
        en->s.readmit_days = 30;
    if (en->s.horizon_months <= 0)
        en->s.horizon_months = 6;
    if (en->s.threads <= 0)
        en->s.threads = par_cpus();
    en->med.max_disch = DATE_NONE;
    en->med.max_date = DATE_NONE;
    hmap_init_str(&en->pp.map, 0, true);
    hmap_init_u64(&en->prac.by_npi, 0);
    return en;
}

#define FREE_COL(t, name) mem_free(tab->name);

static void med_free(med_tab_t *tab)
{
    MED_COLS(FREE_COL)
    mem_free(tab->dx);
    mem_free(tab->px);
    memset(tab, 0, sizeof *tab);
}

static void rx_free(rx_tab_t *tab)
{
    RX_COLS(FREE_COL)
    memset(tab, 0, sizeof *tab);
}

static void lab_free(lab_tab_t *tab)
{
    LAB_COLS(FREE_COL)
    memset(tab, 0, sizeof *tab);
}

static void span_free(span_tab_t *tab)
{
    SPAN_COLS(FREE_COL)
    memset(tab, 0, sizeof *tab);
}

void engine_tables_free(engine_t *en)
{
    people_t *pp = &en->pp;
    mem_free(pp->id);
    mem_free(pp->id_len);
    mem_free(pp->sex);
    mem_free(pp->birth);
    mem_free(pp->death);
    mem_free(pp->orec);
    mem_free(pp->dual);
    hmap_free(&pp->map);
    memset(pp, 0, sizeof *pp);
    span_free(&en->spans);
    med_free(&en->med);
    rx_free(&en->rx);
    lab_free(&en->lab);
    prac_tab_t *pr = &en->prac;
    mem_free(pr->npi);
    mem_free(pr->spec);
    mem_free(pr->innet);
    mem_free(pr->pcp);
    for (size_t i = 0; i < pr->nspecs; i++)
        mem_free(pr->specs[i]);
    mem_free(pr->specs);
    hmap_free(&pr->by_npi);
    memset(pr, 0, sizeof *pr);
    mem_free(en->span_off);
    mem_free(en->med_off);
    mem_free(en->rx_off);
    mem_free(en->lab_off);
    mem_free(en->dx_off);
    mem_free(en->px_off);
    en->span_off = en->med_off = en->rx_off = en->lab_off = en->dx_off = en->px_off = NULL;
}

/* ---- growable tables ---------------------------------------------------- */

#define GROW_COL(t, name) tab->name = mem_realloc(tab->name, cap * sizeof(t));

static size_t next_cap(size_t cap, size_t need)
{
    if (cap >= need)
        return cap;
    cap = cap ? cap : 1024;
    while (cap < need)
        cap += cap / 2 + 1024;
    return cap;
}

/* One reserve function per columnar table: grows every column together. */
#define DEFINE_RESERVE(linkage, name, tab_t, COLS)                                                 \
    linkage void name(tab_t *tab, size_t n)                                                        \
    {                                                                                              \
        if (n <= tab->cap)                                                                         \
            return;                                                                                \
        size_t cap = next_cap(tab->cap, n);                                                        \
        COLS(GROW_COL)                                                                             \
        tab->cap = cap;                                                                            \
    }
DEFINE_RESERVE(, engine_med_reserve, med_tab_t, MED_COLS)
DEFINE_RESERVE(static, rx_reserve, rx_tab_t, RX_COLS)
DEFINE_RESERVE(static, lab_reserve, lab_tab_t, LAB_COLS)
DEFINE_RESERVE(static, span_reserve, span_tab_t, SPAN_COLS)
#undef DEFINE_RESERVE

static void codes_push(uint64_t **a, size_t *n, size_t *cap, uint64_t v)
{
    if (*n == *cap) {
        *cap = next_cap(*cap, *n + 1);
        *a = mem_realloc(*a, *cap * sizeof **a);
    }
    (*a)[(*n)++] = v;
}

/* ---- patients ----------------------------------------------------------- */

const char *engine_person_id(const engine_t *en, size_t p, size_t *len)
{
    if (len)
        *len = en->pp.id_len[p];
    return en->pp.id[p];
}

int engine_people_find(const people_t *pp, const char *s, size_t n)
{
    const uint64_t *v = hmap_str_get(&pp->map, s, n);
    return v ? (int)*v : -1;
}

/* Finds or adds a patient; *added tells which. -1 when the id is unusable. */
static int people_get(people_t *pp, const char *s, size_t n, bool *added)
{
    *added = false;
    str_trim(&s, &n);
    if (n == 0 || n > 65535)
        return -1;
    int idx = engine_people_find(pp, s, n);
    if (idx >= 0)
        return idx;
    if (pp->n >= INT32_MAX - 1)
        return -1;
    if (pp->n == pp->cap) {
        size_t cap = next_cap(pp->cap, pp->n + 1);
        pp->id = mem_realloc(pp->id, cap * sizeof *pp->id);
        pp->id_len = mem_realloc(pp->id_len, cap * sizeof *pp->id_len);
        pp->sex = mem_realloc(pp->sex, cap);
        pp->birth = mem_realloc(pp->birth, cap * sizeof *pp->birth);
        pp->death = mem_realloc(pp->death, cap * sizeof *pp->death);
        pp->orec = mem_realloc(pp->orec, cap);
        pp->dual = mem_realloc(pp->dual, cap);
        pp->cap = cap;
    }
    size_t i = pp->n++;
    uint64_t *v = hmap_str_put(&pp->map, s, n, NULL);
    *v = i;
    pp->id[i] = hmap_str_key(&pp->map, v, NULL);
    pp->id_len[i] = (uint16_t)n;
    pp->sex[i] = 0;
    pp->birth[i] = DATE_NONE;
    pp->death[i] = DATE_NONE;
    pp->orec[i] = 255;
    pp->dual[i] = 0;
    *added = true;
    return (int)i;
}

/* ---- practitioners ------------------------------------------------------ */

int engine_prac_find(const prac_tab_t *pr, uint32_t npi)
{
    const uint64_t *v = npi ? hmap_u64_get(&pr->by_npi, npi) : NULL;
    return v ? (int)*v : -1;
}

/* Primary-care specialties: 42 CFR 425.402(c) step 1 assigns on services by
 * primary care physicians (internal medicine, general practice, geriatric
 * medicine, family practice, pediatric medicine) and, since 2019, nurse
 * practitioners, clinical nurse specialists and physician assistants. */
static bool specialty_is_primary_care(const char *s)
{
    static const char *const pc[] = {
        "internal medicine",         "general practice",   "geriatric",    "family",
        "pediatric medicine",        "pediatrics",         "primary care", "nurse practitioner",
        "clinical nurse specialist", "physician assistant"
    };
    char low[128];
    size_t n = str_copy(low, s, sizeof low);
    for (size_t i = 0; i < n && i < sizeof low; i++)
        if (low[i] >= 'A' && low[i] <= 'Z')
            low[i] = (char)(low[i] - 'A' + 'a');
    for (size_t i = 0; i < sizeof pc / sizeof pc[0]; i++)
        if (strstr(low, pc[i]))
            return true;
    return false;
}

/* 1, 0, or -1 unknown: a value that is no flag word (core/value.h), like an
 * empty one, says nothing. */
static int8_t parse_flag(const char *s, size_t n)
{
    int v;
    return value_flag(s, n, &v) == 0 ? (int8_t)v : -1;
}

static uint32_t parse_npi(const char *s, size_t n)
{
    str_trim(&s, &n);
    if (n != 10)
        return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    return v <= UINT32_MAX ? (uint32_t)v : 0;
}

int engine_add_practitioner(engine_t *en, const char *npi_s, const char *specialty,
                            const char *in_network, err_t *e)
{
    prac_tab_t *pr = &en->prac;
    uint32_t npi = parse_npi(npi_s, strlen(npi_s));
    if (!npi)
        return 0; /* not an NPI: nothing to join on */
    if (engine_prac_find(pr, npi) >= 0)
        return 0;
    const char *spec = specialty && *specialty ? specialty : "Unknown";
    size_t si = 0;
    while (si < pr->nspecs && strcmp(pr->specs[si], spec) != 0)
        si++;
    if (si == pr->nspecs) {
        if (pr->nspecs >= 65000)
            return err_set(e, ERR_INPUT, "too many distinct specialties");
        if (pr->nspecs == pr->specs_cap) {
            pr->specs_cap = next_cap(pr->specs_cap, pr->nspecs + 1);
            pr->specs = mem_realloc(pr->specs, pr->specs_cap * sizeof *pr->specs);
        }
        pr->specs[pr->nspecs++] = mem_strdup(spec);
    }
    if (pr->n == pr->cap) {
        size_t cap = next_cap(pr->cap, pr->n + 1);
        pr->npi = mem_realloc(pr->npi, cap * sizeof *pr->npi);
        pr->spec = mem_realloc(pr->spec, cap * sizeof *pr->spec);
        pr->innet = mem_realloc(pr->innet, cap);
        pr->pcp = mem_realloc(pr->pcp, cap);
        pr->cap = cap;
    }
    size_t k = pr->n++;
    pr->npi[k] = npi;
    pr->spec[k] = (uint16_t)si;
    pr->innet[k] = in_network ? parse_flag(in_network, strlen(in_network)) : -1;
    pr->pcp[k] = specialty_is_primary_care(spec);
    *hmap_u64_put(&pr->by_npi, npi, NULL) = k;
    return 0;
}

/* ---- field parsers (hot path) ------------------------------------------- */

static inline date_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static inline int dig(char c)
{
    return (unsigned)(c - '0') <= 9 ? c - '0' : -100000;
}

/* 0 ok (DATE_NONE for empty), -1 bad. */
static int parse_date(const char *s, size_t n, date_t *out)
{
    int y, m, d;
    if (n == 0) {
        *out = DATE_NONE;
        return 0;
    }
    if (n == 10 && s[4] == '-' && s[7] == '-') {
        y = dig(s[0]) * 1000 + dig(s[1]) * 100 + dig(s[2]) * 10 + dig(s[3]);
        m = dig(s[5]) * 10 + dig(s[6]);
        d = dig(s[8]) * 10 + dig(s[9]);
    } else if (n == 8) {
        y = dig(s[0]) * 1000 + dig(s[1]) * 100 + dig(s[2]) * 10 + dig(s[3]);
        m = dig(s[4]) * 10 + dig(s[5]);
        d = dig(s[6]) * 10 + dig(s[7]);
    } else {
        str_trim(&s, &n);
        if (n == 0) {
            *out = DATE_NONE;
            return 0;
        }
        return date_parse_prefix(s, n, out);
    }
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    if (d > 28 && d > date_days_in_month(y, m))
        return -1;
    *out = days_from_civil(y, m, d);
    return 0;
}

static int parse_money(const char *s, size_t n, money_t *out, bool *present)
{
    *present = n > 0;
    if (n == 0) {
        *out = 0;
        return 0;
    }
    size_t i = 0;
    bool neg = false;
    if (s[0] == '-') {
        neg = true;
        i = 1;
    }
    int64_t v = 0;
    size_t digits = 0;
    for (; i < n && (unsigned)(s[i] - '0') <= 9 && digits < 15; i++, digits++)
        v = v * 10 + (s[i] - '0');
    int frac = 0;
    if (i < n && s[i] == '.') {
        i++;
        for (; i < n && (unsigned)(s[i] - '0') <= 9 && frac < 2; i++, frac++)
            v = v * 10 + (s[i] - '0');
    }
    if (i == n && (digits > 0 || frac > 0)) {
        for (; frac < 2; frac++)
            v *= 10;
        *out = neg ? -v : v;
        return 0;
    }
    str_trim(&s, &n);
    if (n == 0) {
        *present = false;
        *out = 0;
        return 0;
    }
    return money_parse(s, n, out);
}

/* Small non-negative integers such as codes "01", "0450": -1 if empty or not digits. */
static int parse_small(const char *s, size_t n)
{
    str_trim(&s, &n);
    if (n == 0 || n > 6)
        return -1;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned)(s[i] - '0') > 9)
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static uint8_t parse_ctype(const char *s, size_t n)
{
    str_trim(&s, &n);
    if (n == 0)
        return CT_UNKNOWN;
    switch (s[0] | 0x20) {
    case 'i':
        return CT_INST;
    case 'p':
        return CT_PROF;
    case 'd':
        return CT_DME;
    default:
        return CT_UNKNOWN;
    }
}

/* bill_type_code "111" or "0111": the 3 significant digits (type of bill). */
static uint16_t parse_bill(const char *s, size_t n)
{
    str_trim(&s, &n);
    if (n == 4 && s[0] == '0')
        s++, n--;
    if (n < 2)
        return 0;
    int v = 0;
    for (size_t i = 0; i < 3 && i < n; i++) {
        int d = (unsigned)(s[i] - '0') <= 9 ? s[i] - '0' : 0; /* 'X' frequency digit */
        v = v * 10 + d;
    }
    if (n == 2)
        v *= 10;
    return (uint16_t)v;
}

static uint64_t parse_ndc(const char *s, size_t n)
{
    uint64_t v = 0;
    int d = 0;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned)(s[i] - '0') <= 9) {
            v = v * 10 + (uint64_t)(s[i] - '0');
            d++;
        } else if (s[i] != '-' && s[i] != ' ') {
            return 0;
        }
    }
    return d >= 10 && d <= 11 ? v : 0;
}

static uint32_t parse_loinc(const char *s, size_t n)
{
    str_trim(&s, &n);
    uint32_t v = 0;
    int dash = 0, d = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '-') {
            dash++;
        } else if ((unsigned)(s[i] - '0') <= 9 && d < 9) {
            v = v * 10 + (uint32_t)(s[i] - '0');
            d++;
        } else {
            return 0;
        }
    }
    return dash == 1 ? v : 0;
}

/* ---- CSV loading: shared machinery --------------------------------------
 *
 * A file is mapped read-only and its body split into chunks of whole records
 * that threads read in parallel. A boundary is found by quote parity: the
 * quotes before each nominal offset are counted (in parallel), and the
 * boundary moves to the first line break outside quotes. core/csvread reads
 * in place and writes (a NUL after each field), so a reader copies its chunk
 * into its own buffer one window of whole records (about 1 MiB) at a time,
 * found the same way, and reads the window there: a buffer that stays in
 * the cache, and no page of the mapping written (writing them would make
 * every page a private copy: a fault per page and the file's size in memory).
 * A reader keeps only the columns asked for, visiting the record's non-empty
 * fields. */

typedef struct col_spec {
    const char *name;
    const char *alt; /* another accepted header name, or NULL */
    bool required;
} col_spec_t;

/* A field of a wanted column: a span of the reader's window
 * (NUL-terminated), valid until the next record. */
typedef struct efield {
    const char *p;
    uint32_t n;
} efield_t;

/* A chunk of whole records: [begin, end) byte offsets into the file. */
typedef struct echunk {
    size_t begin, end;
    long lines;  /* line ends read in it (set by its reader) */
    char *kept;  /* the chunk's copy, when its records outlive the reader */
    bool quotes; /* it may hold a '"' (else a window ends at any line end) */
} echunk_t;

typedef struct csv_job {
    engine_t *en;
    char path[1024];
    const char *data; /* the mapping */
    size_t size;
    size_t body;    /* offset of the first record after the header */
    long body_line; /* its line */
    int ncols;      /* in the header */
    echunk_t *chunks;
    int nchunks;
    int16_t *slot_of_col; /* [ncols]: the col_spec of each column, or -1 */
    int nslots;
    err_t *errs;  /* per chunk, lines counted from the chunk's first */
    void *tables; /* per chunk */
    long *unknown;
    char **wbuf; /* per worker: the window buffer its readers share */
    size_t *wcap;
    int nworkers;
} csv_job_t;

#define WINDOW ((size_t)1 << 20)

/* Lets the kernel drop this process's pages of [b, e) of the mapping: whole
 * pages inside the range only, since a neighbour may be reading the pages at
 * either edge. A page read again faults back in from the file, so a file
 * larger than memory is not counted whole in the resident set. */
static void release_pages(const char *b, const char *e)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = ((uintptr_t)b + page - 1) & ~(page - 1);
    uintptr_t hi = (uintptr_t)e & ~(page - 1);
    if (b && hi > lo)
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

/* The end of the records from `from` (a record boundary, outside quotes)
 * that reach at least `want` bytes: the byte after the first line break
 * outside quotes at or past from + want, or limit. Without quotes in the
 * range, the first line break. */
static size_t records_end(const char *data, size_t from, size_t want, size_t limit, bool quotes)
{
    if (want >= limit - from)
        return limit;
    const char *p = data + from, *target = p + want, *end = data + limit;
    if (!quotes) {
        p = memchr(target, '\n', (size_t)(end - target));
        return p ? (size_t)(p - data) + 1 : limit;
    }
    bool inq = false;
    while (p < target && (p = memchr(p, '"', (size_t)(target - p))) != NULL) {
        inq = !inq;
        p++;
    }
    p = target;
    while (p < end && (inq || *p != '\n')) {
        if (*p == '"')
            inq = !inq;
        p++;
    }
    return p < end ? (size_t)(p - data) + 1 : limit;
}

static int job_map(csv_job_t *j, err_t *e)
{
    int fd = open(j->path, O_RDONLY);
    if (fd < 0)
        return err_at(e, ERR_IO, j->path, 0, 0, NULL, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return err_at(e, ERR_IO, j->path, 0, 0, NULL, "cannot stat: %s", strerror(err));
    }
    j->size = (size_t)st.st_size;
    if (j->size > 0) {
        void *m = mmap(NULL, j->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            int err = errno;
            close(fd);
            return err_at(e, ERR_IO, j->path, 0, 0, NULL, "cannot map: %s", strerror(err));
        }
        madvise(m, j->size, MADV_WILLNEED);
        j->data = m;
    }
    close(fd);
    if (j->size == 0)
        return err_at(e, ERR_INPUT, j->path, 1, 0, NULL, "empty file: no header");
    return 0;
}

/* Reads the header record (from a copy of the first line) and finds the
 * wanted columns (names trimmed, ASCII case ignored). */
static int job_header(csv_job_t *j, const col_spec_t *cols, int ncols, err_t *e)
{
    size_t hlen = records_end(j->data, 0, 0, j->size, true);
    char *h = mem_alloc(hlen + 1);
    memcpy(h, j->data, hlen);
    csvr_t r;
    csvr_init(&r, j->path, h, hlen);
    int rc = csvr_next(&r, e);
    if (rc <= 0) {
        csvr_free(&r);
        mem_free(h);
        return rc < 0 ? ERR_INPUT
                      : err_at(e, ERR_INPUT, j->path, 1, 0, NULL, "empty file: no header");
    }
    rc = 0;
    j->body = csvr_offset(&r);
    j->body_line = r.line;
    j->ncols = (int)r.nfields;
    j->slot_of_col = mem_alloc((size_t)j->ncols * sizeof *j->slot_of_col);
    for (int c = 0; c < j->ncols; c++)
        j->slot_of_col[c] = -1;
    j->nslots = ncols;
    for (int s = 0; s < ncols && !rc; s++) {
        int found = -1;
        for (int c = 0; c < j->ncols && found < 0; c++) {
            const char *name = r.fields[c].s;
            size_t n = r.fields[c].n;
            str_trim(&name, &n);
            if (str_ieq(name, n, cols[s].name) || (cols[s].alt && str_ieq(name, n, cols[s].alt)))
                found = c;
        }
        if (found < 0 && cols[s].required)
            rc = err_at(e, ERR_INPUT, j->path, 1, 0, cols[s].name, "required column missing");
        else if (found >= 0)
            j->slot_of_col[found] = (int16_t)s;
    }
    csvr_free(&r);
    mem_free(h);
    return rc;
}

typedef struct split_ctx {
    const csv_job_t *j;
    size_t *nominal; /* want+1 offsets */
    size_t *quotes;  /* per nominal segment */
} split_ctx_t;

static void count_quotes(void *vctx, int task, int worker)
{
    split_ctx_t *c = vctx;
    const char *p = c->j->data + c->nominal[task];
    const char *end = c->j->data + c->nominal[task + 1];
    size_t n = 0;
    while (p < end && (p = memchr(p, '"', (size_t)(end - p))) != NULL) {
        n++;
        p++;
    }
    c->quotes[task] = n;
    release_pages(c->j->data + c->nominal[task], end);
}

/* Splits the body into at most `want` chunks of whole records (fewer for
 * small files; none for an empty body). */
static void job_split(csv_job_t *j, int want, int threads)
{
    size_t body = j->body, len = j->size - body;
    const size_t min_chunk = (size_t)1 << 20;
    if (want < 1)
        want = 1;
    if ((size_t)want > len / min_chunk + 1)
        want = (int)(len / min_chunk + 1);
    size_t *nominal = mem_calloc((size_t)want + 1, sizeof *nominal);
    size_t *quotes = mem_calloc((size_t)want, sizeof *quotes);
    for (int k = 0; k <= want; k++)
        nominal[k] = body + (size_t)((double)len * k / want);
    nominal[want] = j->size;
    split_ctx_t ctx = { j, nominal, quotes };
    par_run(threads, want, count_quotes, &ctx);
    j->chunks = mem_calloc((size_t)want, sizeof *j->chunks);
    size_t before = 0; /* quotes in [body, nominal[k + 1]) */
    size_t prev = body;
    for (int k = 0; k < want; k++) {
        size_t b = j->size;
        if (k < want - 1) {
            before += quotes[k];
            bool inq = (before & 1) != 0;
            const char *p = j->data + nominal[k + 1], *end = j->data + j->size;
            while (p < end && (inq || *p != '\n')) {
                if (*p == '"')
                    inq = !inq;
                p++;
            }
            b = p < end ? (size_t)(p - j->data) + 1 : j->size;
        }
        if (b > prev) {
            bool q = false; /* any quote in a nominal segment the chunk overlaps */
            for (int g = 0; g < want && !q; g++)
                q = quotes[g] > 0 && nominal[g] < b && nominal[g + 1] > prev;
            j->chunks[j->nchunks++] = (echunk_t){ prev, b, 0, NULL, q };
            prev = b;
        }
    }
    mem_free(nominal);
    mem_free(quotes);
}

static void job_close(csv_job_t *j)
{
    if (j->data)
        munmap((void *)j->data, j->size);
    for (int c = 0; c < j->nchunks; c++)
        mem_free(j->chunks[c].kept);
    mem_free(j->chunks);
    mem_free(j->slot_of_col);
    mem_free(j->errs);
    mem_free(j->unknown);
    for (int w = 0; w < j->nworkers; w++)
        mem_free(j->wbuf[w]);
    mem_free(j->wbuf);
    mem_free(j->wcap);
    memset(j, 0, sizeof *j);
}

static int job_open(csv_job_t *j, engine_t *en, const char *dir, const char *file,
                    const col_spec_t *cols, int ncols, bool *missing, err_t *e)
{
    memset(j, 0, sizeof *j);
    j->en = en;
    int len = snprintf(j->path, sizeof j->path, "%s/%s", dir, file);
    if (len < 0 || (size_t)len >= sizeof j->path)
        return err_set(e, ERR_USAGE, "path too long: %s", dir);
    if (missing) {
        struct stat st;
        *missing = stat(j->path, &st) != 0;
        if (*missing)
            return 0;
    }
    int rc = job_map(j, e);
    if (!rc)
        rc = job_header(j, cols, ncols, e);
    if (rc) {
        job_close(j);
        return rc;
    }
    job_split(j, en->s.threads * 8, en->s.threads);
    j->nworkers = en->s.threads;
    j->wbuf = mem_calloc((size_t)j->nworkers, sizeof *j->wbuf);
    j->wcap = mem_calloc((size_t)j->nworkers, sizeof *j->wcap);
    j->errs = mem_calloc((size_t)(j->nchunks > 0 ? j->nchunks : 1), sizeof *j->errs);
    j->unknown = mem_calloc((size_t)(j->nchunks > 0 ? j->nchunks : 1), sizeof *j->unknown);
    return rc;
}

/* The first chunk error, if any, into e (its line moved from the chunk's
 * count to the file's); the unknown-person count into the engine. */
static int job_result(csv_job_t *j, err_t *e)
{
    for (int c = 0; c < j->nchunks; c++)
        j->en->unknown_person_rows += j->unknown[c];
    long line = j->body_line;
    for (int c = 0; c < j->nchunks; c++) {
        if (j->errs[c].code != ERR_OK) {
            *e = j->errs[c];
            if (e->line > 0)
                e->line += line - 1;
            return e->code;
        }
        line += j->chunks[c].lines;
    }
    return 0;
}

typedef struct person_cache {
    const char *p;
    uint32_t n;
    int idx;
} person_cache_t;

/* A reader of one chunk, for one thread. */
typedef struct ereader {
    const csv_job_t *j;
    echunk_t *c;
    csvr_t csv;  /* over the current window */
    size_t next; /* the file offset after the window */
    char **buf;  /* the window: the worker's buffer, or the chunk's kept copy */
    size_t *cap; /* of *buf */
    size_t kcap;
    long lines;        /* line ends in the chunk's windows before this one */
    bool keep;         /* one window, the whole chunk, kept until job_close */
    person_cache_t pc; /* the last person_id looked up, in this window */
} ereader_t;

/* keep: the records' bytes are used after the reader (one window, the
 * whole chunk, kept until job_close); else the worker's buffer is used. */
static void reader_init(ereader_t *r, const csv_job_t *j, int chunk, int worker, bool keep)
{
    memset(r, 0, sizeof *r);
    r->j = j;
    r->c = &j->chunks[chunk];
    r->next = r->c->begin;
    r->keep = keep;
    r->buf = keep ? &r->c->kept : &j->wbuf[worker];
    r->cap = keep ? &r->kcap : &j->wcap[worker];
    csvr_init(&r->csv, j->path, NULL, 0);
}

/* Copies the next window of the chunk; false at the end of the chunk. */
static bool reader_window(ereader_t *r)
{
    const echunk_t *c = r->c;
    if (r->next >= c->end)
        return false;
    size_t end = r->keep ? c->end : records_end(r->j->data, r->next, WINDOW, c->end, c->quotes);
    size_t n = end - r->next;
    if (n + 1 > *r->cap) {
        /* Room for a window and a long last line: rarely made again. */
        mem_free(*r->buf);
        *r->cap = r->keep ? n + 1 : n + 1 + WINDOW / 4;
        *r->buf = mem_alloc(*r->cap);
    }
    memcpy(*r->buf, r->j->data + r->next, n);
    release_pages(r->j->data + r->next, r->j->data + end);
    r->lines += r->csv.line - 1;
    csvr_reset(&r->csv, *r->buf, n);
    r->pc.p = NULL; /* it pointed into the last window */
    r->next = end;
    return true;
}

/* Counts the chunk's lines and drops its pages. */
static void reader_free(ereader_t *r)
{
    r->c->lines = r->lines + r->csv.line - 1;
    csvr_free(&r->csv);
    release_pages(r->j->data + r->c->begin, r->j->data + r->c->end);
}

/* Fills f[0..nslots-1] (empty for columns absent from the record) and
 * returns 1, or 0 at the end of the chunk, or -1 on malformed CSV (e set,
 * its line counted from the chunk's first). Blank lines are skipped. */
static int reader_next(ereader_t *r, efield_t *f, err_t *e)
{
    int rc;
    while ((rc = csvr_next(&r->csv, e)) == 0)
        if (!reader_window(r))
            return 0;
    if (rc < 0) {
        if (e->line > 0)
            e->line += r->lines;
        return rc;
    }
    int nslots = r->j->nslots;
    for (int i = 0; i < nslots; i++)
        f[i] = (efield_t){ "", 0 };
    const int16_t *slot_of = r->j->slot_of_col;
    size_t ncols = (size_t)r->j->ncols, nfilled = r->csv.nfilled;
    const csvr_field_t *fields = r->csv.fields;
    const size_t *filled = r->csv.filled;
    for (size_t k = 0; k < nfilled; k++) {
        size_t c = filled[k];
        int s = c < ncols ? slot_of[c] : -1;
        if (s >= 0)
            f[s] = (efield_t){ fields[c].s, (uint32_t)fields[c].n };
    }
    return 1;
}

/* Records a field error at the reader's current record: the field's line
 * and column (in the chunk; job_result makes the line the file's). */
static int field_error(ereader_t *r, err_t *e, const char *field, const efield_t *v)
{
    long line = r->csv.rec_line, col = 0;
    for (size_t k = 0; k < r->csv.nfields; k++)
        if (r->csv.fields[k].s == v->p && v->n) {
            line = r->csv.fields[k].line;
            col = r->csv.fields[k].col;
        }
    return err_at(e, ERR_INPUT, r->j->path, line + r->lines, col, field, "cannot parse '%.*s'",
                  (int)(v->n > 40 ? 40 : v->n), v->p);
}

/* ---- eligibility -------------------------------------------------------- */

enum { EL_PERSON, EL_SEX, EL_BIRTH, EL_DEATH, EL_START, EL_END, EL_OREC, EL_DUAL, EL_N };
static const col_spec_t el_cols[EL_N] = {
    { "person_id", NULL, true },
    { "gender", "sex", false },
    { "birth_date", NULL, false },
    { "death_date", NULL, false },
    { "enrollment_start_date", NULL, true },
    { "enrollment_end_date", NULL, true },
    { "original_reason_entitlement_code", NULL, false },
    { "dual_status_code", NULL, false },
};

typedef struct el_row {
    const char *id;
    uint32_t id_n;
    uint8_t sex, orec, dual;
    date_t birth, death, start, end;
} el_row_t;

typedef struct el_chunk {
    el_row_t *rows;
    size_t n, cap;
} el_chunk_t;

/* 1 male, 2 female, 0 unknown (also for a value that is no sex word). */
static uint8_t parse_sex(const char *s, size_t n)
{
    value_sex_t sex;
    return value_sex(s, n, &sex) == 0 ? (uint8_t)sex : VALUE_SEX_UNKNOWN;
}

/* dual_status_code: 01-08 are full or partial duals (CMS MMA file); 00, 09, 10
 * and NA are not. */
static uint8_t parse_dual(const char *s, size_t n)
{
    int v = parse_small(s, n);
    return v >= 1 && v <= 8;
}

static void el_task(void *vctx, int task, int worker)
{
    csv_job_t *j = vctx;
    el_chunk_t *out = &((el_chunk_t *)j->tables)[task];
    ereader_t r;
    reader_init(&r, j, task, worker, true); /* the rows point at their person_id */
    efield_t f[EL_N];
    err_t *e = &j->errs[task];
    int rc;
    while ((rc = reader_next(&r, f, e)) == 1) {
        if (out->n == out->cap) {
            out->cap = next_cap(out->cap, out->n + 1);
            out->rows = mem_realloc(out->rows, out->cap * sizeof *out->rows);
        }
        el_row_t *row = &out->rows[out->n];
        row->id = f[EL_PERSON].p;
        row->id_n = f[EL_PERSON].n;
        row->sex = parse_sex(f[EL_SEX].p, f[EL_SEX].n);
        int o = parse_small(f[EL_OREC].p, f[EL_OREC].n);
        row->orec = o >= 0 && o <= 3 ? (uint8_t)o : 255;
        row->dual = parse_dual(f[EL_DUAL].p, f[EL_DUAL].n);
        static const int dcols[4] = { EL_BIRTH, EL_DEATH, EL_START, EL_END };
        date_t *dd[4] = { &row->birth, &row->death, &row->start, &row->end };
        for (int k = 0; k < 4; k++)
            if (parse_date(f[dcols[k]].p, f[dcols[k]].n, dd[k]) != 0) {
                field_error(&r, e, el_cols[dcols[k]].name, &f[dcols[k]]);
                goto done;
            }
        if (row->id_n == 0) {
            field_error(&r, e, "person_id", &f[EL_PERSON]);
            goto done;
        }
        out->n++;
    }
done:
    reader_free(&r);
}

static void add_span(engine_t *en, int p, date_t start, date_t end)
{
    if (start == DATE_NONE)
        return;
    span_tab_t *t = &en->spans;
    span_reserve(t, t->n + 1);
    t->person[t->n] = p;
    t->start[t->n] = start;
    t->end[t->n] = end == DATE_NONE ? start + 365 * 100 : end;
    t->n++;
}

static void person_fill(people_t *pp, int p, uint8_t sex, date_t birth, date_t death, uint8_t orec,
                        uint8_t dual)
{
    if (sex)
        pp->sex[p] = sex;
    if (birth != DATE_NONE)
        pp->birth[p] = birth;
    if (death != DATE_NONE)
        pp->death[p] = death;
    if (orec != 255)
        pp->orec[p] = orec;
    if (dual)
        pp->dual[p] = 1;
}

static int load_eligibility(engine_t *en, const char *dir, err_t *e)
{
    csv_job_t j;
    int rc = job_open(&j, en, dir, "eligibility.csv", el_cols, EL_N, NULL, e);
    if (rc)
        return rc;
    el_chunk_t *ch = mem_calloc((size_t)(j.nchunks ? j.nchunks : 1), sizeof *ch);
    j.tables = ch;
    par_run(en->s.threads, j.nchunks, el_task, &j);
    rc = job_result(&j, e);
    for (int c = 0; c < j.nchunks && !rc; c++)
        for (size_t i = 0; i < ch[c].n; i++) {
            el_row_t *row = &ch[c].rows[i];
            bool added;
            int p = people_get(&en->pp, row->id, row->id_n, &added);
            if (p < 0) {
                rc = err_at(e, ERR_INPUT, j.path, 0, 0, "person_id", "unusable person_id");
                break;
            }
            person_fill(&en->pp, p, row->sex, row->birth, row->death, row->orec, row->dual);
            add_span(en, p, row->start, row->end);
        }
    for (int c = 0; c < j.nchunks; c++)
        mem_free(ch[c].rows);
    mem_free(ch);
    job_close(&j);
    return rc;
}

/* ---- medical claims ----------------------------------------------------- */

enum {
    MC_CLAIM,
    MC_LINE,
    MC_TYPE,
    MC_PERSON,
    MC_START,
    MC_END,
    MC_LSTART,
    MC_ADMIT,
    MC_DISCH,
    MC_ATYPE,
    MC_DISP,
    MC_POS,
    MC_BILL,
    MC_REV,
    MC_HCPCS,
    MC_NPI,
    MC_ALLOWED,
    MC_PAID,
    MC_INNET,
    MC_DX1,
    MC_PX1 = MC_DX1 + 25,
    MC_N = MC_PX1 + 25
};

static const col_spec_t mc_cols[MC_N] = { { "claim_id", NULL, true },
                                          { "claim_line_number", NULL, false },
                                          { "claim_type", NULL, false },
                                          { "person_id", NULL, true },
                                          { "claim_start_date", NULL, false },
                                          { "claim_end_date", NULL, false },
                                          { "claim_line_start_date", NULL, false },
                                          { "admission_date", NULL, false },
                                          { "discharge_date", NULL, false },
                                          { "admit_type_code", NULL, false },
                                          { "discharge_disposition_code", NULL, false },
                                          { "place_of_service_code", NULL, false },
                                          { "bill_type_code", NULL, false },
                                          { "revenue_center_code", NULL, false },
                                          { "hcpcs_code", NULL, false },
                                          { "rendering_npi", NULL, false },
                                          { "allowed_amount", NULL, false },
                                          { "paid_amount", NULL, false },
                                          { "in_network_flag", NULL, false },
                                          { "diagnosis_code_1", NULL, false },
                                          { "diagnosis_code_2", NULL, false },
                                          { "diagnosis_code_3", NULL, false },
                                          { "diagnosis_code_4", NULL, false },
                                          { "diagnosis_code_5", NULL, false },
                                          { "diagnosis_code_6", NULL, false },
                                          { "diagnosis_code_7", NULL, false },
                                          { "diagnosis_code_8", NULL, false },
                                          { "diagnosis_code_9", NULL, false },
                                          { "diagnosis_code_10", NULL, false },
                                          { "diagnosis_code_11", NULL, false },
                                          { "diagnosis_code_12", NULL, false },
                                          { "diagnosis_code_13", NULL, false },
                                          { "diagnosis_code_14", NULL, false },
                                          { "diagnosis_code_15", NULL, false },
                                          { "diagnosis_code_16", NULL, false },
                                          { "diagnosis_code_17", NULL, false },
                                          { "diagnosis_code_18", NULL, false },
                                          { "diagnosis_code_19", NULL, false },
                                          { "diagnosis_code_20", NULL, false },
                                          { "diagnosis_code_21", NULL, false },
                                          { "diagnosis_code_22", NULL, false },
                                          { "diagnosis_code_23", NULL, false },
                                          { "diagnosis_code_24", NULL, false },
                                          { "diagnosis_code_25", NULL, false },
                                          { "procedure_code_1", NULL, false },
                                          { "procedure_code_2", NULL, false },
                                          { "procedure_code_3", NULL, false },
                                          { "procedure_code_4", NULL, false },
                                          { "procedure_code_5", NULL, false },
                                          { "procedure_code_6", NULL, false },
                                          { "procedure_code_7", NULL, false },
                                          { "procedure_code_8", NULL, false },
                                          { "procedure_code_9", NULL, false },
                                          { "procedure_code_10", NULL, false },
                                          { "procedure_code_11", NULL, false },
                                          { "procedure_code_12", NULL, false },
                                          { "procedure_code_13", NULL, false },
                                          { "procedure_code_14", NULL, false },
                                          { "procedure_code_15", NULL, false },
                                          { "procedure_code_16", NULL, false },
                                          { "procedure_code_17", NULL, false },
                                          { "procedure_code_18", NULL, false },
                                          { "procedure_code_19", NULL, false },
                                          { "procedure_code_20", NULL, false },
                                          { "procedure_code_21", NULL, false },
                                          { "procedure_code_22", NULL, false },
                                          { "procedure_code_23", NULL, false },
                                          { "procedure_code_24", NULL, false },
                                          { "procedure_code_25", NULL, false } };

static int lookup_person(const engine_t *en, person_cache_t *pc, const char *s, size_t n)
{
    if (pc->p && pc->n == n && memcmp(pc->p, s, n) == 0)
        return pc->idx;
    const char *t = s;
    size_t tn = n;
    str_trim(&t, &tn);
    int idx = engine_people_find(&en->pp, t, tn);
    pc->p = s;
    pc->n = (uint32_t)n;
    pc->idx = idx;
    return idx;
}

/* Appends one line to a chunk table; dx/px are packed codes. Diagnoses equal
 * to the previous line's of the same claim are not stored again (claim-level
 * diagnoses repeat on every line in the Tuva layout). */
typedef struct med_line {
    int32_t person;
    uint64_t claim;
    date_t start, end, admit, disch;
    uint32_t hcpcs, npi;
    money_t amount;
    uint16_t bill, rev;
    uint8_t ctype, atype, disp, pos;
    int8_t innet;
    uint64_t dx[25], px[25];
    int ndx, npx;
} med_line_t;

static void med_push(med_tab_t *t, med_last_t *last, const med_line_t *l)
{
    engine_med_reserve(t, t->n + 1);
    size_t i = t->n++;
    t->person[i] = l->person;
    t->claim[i] = l->claim;
    t->start[i] = l->start;
    t->end[i] = l->end;
    t->admit[i] = l->admit;
    t->disch[i] = l->disch;
    t->hcpcs[i] = l->hcpcs;
    t->npi[i] = l->npi;
    t->amount[i] = l->amount;
    t->bill[i] = l->bill;
    t->rev[i] = l->rev;
    t->ctype[i] = l->ctype;
    t->atype[i] = l->atype;
    t->disp[i] = l->disp;
    t->pos[i] = l->pos;
    t->innet[i] = l->innet;
    bool same = last->valid && last->claim == l->claim && last->ndx == l->ndx &&
                memcmp(t->dx + last->dx_at, l->dx, (size_t)l->ndx * sizeof l->dx[0]) == 0;
    if (same) {
        t->ndx[i] = 0;
    } else {
        last->dx_at = t->dxn;
        for (int k = 0; k < l->ndx; k++)
            codes_push(&t->dx, &t->dxn, &t->dxcap, l->dx[k]);
        t->ndx[i] = (uint8_t)l->ndx;
    }
    last->claim = l->claim;
    last->ndx = l->ndx;
    last->valid = true;
    for (int k = 0; k < l->npx; k++)
        codes_push(&t->px, &t->pxn, &t->pxcap, l->px[k]);
    t->npx[i] = (uint8_t)l->npx;
    date_t svc = l->start;
    if (svc != DATE_NONE && (t->max_date == DATE_NONE || svc > t->max_date))
        t->max_date = svc;
    if (l->ctype == CT_INST && l->bill / 10 == 11 && l->disch != DATE_NONE &&
        (t->max_disch == DATE_NONE || l->disch > t->max_disch))
        t->max_disch = l->disch;
}

static void mc_task(void *vctx, int task, int worker)
{
    csv_job_t *j = vctx;
    med_tab_t *out = &((med_tab_t *)j->tables)[task];
    out->max_disch = out->max_date = DATE_NONE;
    ereader_t r;
    reader_init(&r, j, task, worker, false);
    efield_t *f = mem_calloc(MC_N, sizeof *f);
    err_t *e = &j->errs[task];
    med_last_t last = { 0 };
    med_line_t l;
    int rc;
    while ((rc = reader_next(&r, f, e)) == 1) {
        int p = lookup_person(j->en, &r.pc, f[MC_PERSON].p, f[MC_PERSON].n);
        if (p < 0) {
            j->unknown[task]++;
            continue;
        }
        l.person = p;
        l.claim = str_hash(f[MC_CLAIM].p, f[MC_CLAIM].n);
        static const int dcols[5] = { MC_START, MC_END, MC_ADMIT, MC_DISCH, MC_LSTART };
        date_t d[5];
        for (int k = 0; k < 5; k++)
            if (parse_date(f[dcols[k]].p, f[dcols[k]].n, &d[k]) != 0) {
                field_error(&r, e, mc_cols[dcols[k]].name, &f[dcols[k]]);
                goto done;
            }
        l.start = d[0] != DATE_NONE ? d[0] : d[4];
        l.end = d[1] != DATE_NONE ? d[1] : l.start;
        l.admit = d[2];
        l.disch = d[3];
        if (l.start == DATE_NONE) {
            field_error(&r, e, "claim_start_date", &f[MC_START]);
            goto done;
        }
        bool has_allowed, has_paid;
        money_t allowed, paid;
        if (parse_money(f[MC_ALLOWED].p, f[MC_ALLOWED].n, &allowed, &has_allowed) != 0) {
            field_error(&r, e, "allowed_amount", &f[MC_ALLOWED]);
            goto done;
        }
        if (parse_money(f[MC_PAID].p, f[MC_PAID].n, &paid, &has_paid) != 0) {
            field_error(&r, e, "paid_amount", &f[MC_PAID]);
            goto done;
        }
        l.amount = has_allowed ? allowed : paid;
        l.hcpcs = hcpcs_pack(f[MC_HCPCS].p, f[MC_HCPCS].n);
        l.npi = parse_npi(f[MC_NPI].p, f[MC_NPI].n);
        l.bill = parse_bill(f[MC_BILL].p, f[MC_BILL].n);
        int v = parse_small(f[MC_REV].p, f[MC_REV].n);
        l.rev = v > 0 && v < 65536 ? (uint16_t)v : 0;
        l.ctype = parse_ctype(f[MC_TYPE].p, f[MC_TYPE].n);
        v = parse_small(f[MC_ATYPE].p, f[MC_ATYPE].n);
        l.atype = v > 0 && v < 255 ? (uint8_t)v : 0;
        v = parse_small(f[MC_DISP].p, f[MC_DISP].n);
        l.disp = v >= 0 && v < 255 ? (uint8_t)v : NO_DISP;
        v = parse_small(f[MC_POS].p, f[MC_POS].n);
        l.pos = v > 0 && v < 255 ? (uint8_t)v : 0;
        l.innet = parse_flag(f[MC_INNET].p, f[MC_INNET].n);
        l.ndx = l.npx = 0;
        for (int k = 0; k < 25; k++) {
            const efield_t *x = &f[MC_DX1 + k];
            if (x->n) {
                uint64_t c = code_pack(x->p, x->n);
                if (c)
                    l.dx[l.ndx++] = c;
            }
            const efield_t *y = &f[MC_PX1 + k];
            if (y->n) {
                uint64_t c = code_pack(y->p, y->n);
                if (c)
                    l.px[l.npx++] = c;
            }
        }
        med_push(out, &last, &l);
    }
done:
    mem_free(f);
    reader_free(&r);
}

/* ---- pharmacy ----------------------------------------------------------- */

enum { RX_PERSON, RX_DATE, RX_NDC, RX_ALLOWED, RX_PAID, RX_NPI, RX_DAYS, RX_INNET, RX_N };
static const col_spec_t rx_cols[RX_N] = {
    { "person_id", NULL, true },    { "dispensing_date", NULL, true },
    { "ndc_code", NULL, false },    { "allowed_amount", NULL, false },
    { "paid_amount", NULL, false }, { "prescribing_provider_npi", NULL, false },
    { "days_supply", NULL, false }, { "in_network_flag", NULL, false },
};

static void rx_push(rx_tab_t *t, int32_t p, date_t d, uint64_t ndc, money_t amt, uint32_t npi,
                    int days, int8_t innet)
{
    rx_reserve(t, t->n + 1);
    size_t i = t->n++;
    t->person[i] = p;
    t->date[i] = d;
    t->ndc[i] = ndc;
    t->amount[i] = amt;
    t->npi[i] = npi;
    t->days[i] = (uint16_t)(days < 0 ? 0 : days > 65535 ? 65535 : days);
    t->innet[i] = innet;
}

static void rx_task(void *vctx, int task, int worker)
{
    csv_job_t *j = vctx;
    rx_tab_t *out = &((rx_tab_t *)j->tables)[task];
    ereader_t r;
    reader_init(&r, j, task, worker, false);
    efield_t f[RX_N];
    err_t *e = &j->errs[task];
    while (reader_next(&r, f, e) == 1) {
        int p = lookup_person(j->en, &r.pc, f[RX_PERSON].p, f[RX_PERSON].n);
        if (p < 0) {
            j->unknown[task]++;
            continue;
        }
        date_t d;
        if (parse_date(f[RX_DATE].p, f[RX_DATE].n, &d) != 0 || d == DATE_NONE) {
            field_error(&r, e, "dispensing_date", &f[RX_DATE]);
            break;
        }
        bool ha, hp;
        money_t a, pd;
        if (parse_money(f[RX_ALLOWED].p, f[RX_ALLOWED].n, &a, &ha) != 0) {
            field_error(&r, e, "allowed_amount", &f[RX_ALLOWED]);
            break;
        }
        if (parse_money(f[RX_PAID].p, f[RX_PAID].n, &pd, &hp) != 0) {
            field_error(&r, e, "paid_amount", &f[RX_PAID]);
            break;
        }
        rx_push(out, p, d, parse_ndc(f[RX_NDC].p, f[RX_NDC].n), ha ? a : pd,
                parse_npi(f[RX_NPI].p, f[RX_NPI].n), parse_small(f[RX_DAYS].p, f[RX_DAYS].n),
                parse_flag(f[RX_INNET].p, f[RX_INNET].n));
    }
    reader_free(&r);
}

/* ---- labs (optional, Tuva lab_result) ----------------------------------- */

enum { LB_PERSON, LB_DATE, LB_DATE2, LB_CODE, LB_CODE2, LB_RESULT, LB_N };
static const col_spec_t lb_cols[LB_N] = {
    { "person_id", NULL, true },        { "result_date", NULL, false },
    { "collection_date", NULL, false }, { "normalized_code", NULL, false },
    { "source_code", NULL, false },     { "result", NULL, false },
};

static void lab_push(lab_tab_t *t, int32_t p, date_t d, uint32_t loinc, float v)
{
    lab_reserve(t, t->n + 1);
    size_t i = t->n++;
    t->person[i] = p;
    t->date[i] = d;
    t->loinc[i] = loinc;
    t->value[i] = v;
}

static void lb_task(void *vctx, int task, int worker)
{
    csv_job_t *j = vctx;
    lab_tab_t *out = &((lab_tab_t *)j->tables)[task];
    ereader_t r;
    reader_init(&r, j, task, worker, false);
    efield_t f[LB_N];
    err_t *e = &j->errs[task];
    while (reader_next(&r, f, e) == 1) {
        int p = lookup_person(j->en, &r.pc, f[LB_PERSON].p, f[LB_PERSON].n);
        if (p < 0) {
            j->unknown[task]++;
            continue;
        }
        date_t d = DATE_NONE;
        if (parse_date(f[LB_DATE].p, f[LB_DATE].n, &d) != 0 ||
            (d == DATE_NONE && parse_date(f[LB_DATE2].p, f[LB_DATE2].n, &d) != 0)) {
            field_error(&r, e, "result_date", &f[LB_DATE]);
            break;
        }
        uint32_t loinc = parse_loinc(f[LB_CODE].p, f[LB_CODE].n);
        if (!loinc)
            loinc = parse_loinc(f[LB_CODE2].p, f[LB_CODE2].n);
        const char *s = f[LB_RESULT].p;
        size_t n = f[LB_RESULT].n;
        str_trim(&s, &n);
        double v;
        /* Non-numeric results ("positive", "<5") carry nothing the rules use. */
        if (d == DATE_NONE || !loinc || str_to_double(s, n, &v) != 0)
            continue;
        lab_push(out, p, d, loinc, (float)v);
    }
    reader_free(&r);
}

/* ---- practitioners (optional, Tuva practitioner) ------------------------ */

enum { PR_NPI, PR_ID, PR_SPEC, PR_INNET, PR_PCP, PR_N };
static const col_spec_t pr_cols[PR_N] = {
    { "npi", NULL, false },
    { "practitioner_id", NULL, false },
    { "specialty", "primary_specialty_description", false },
    { "in_network_flag", NULL, false },
    { "primary_care_flag", NULL, false },
};

static int load_practitioners(engine_t *en, const char *dir, err_t *e)
{
    csv_job_t j;
    bool missing = false;
    int rc = job_open(&j, en, dir, "practitioner.csv", pr_cols, PR_N, &missing, e);
    if (rc || missing)
        return rc;
    for (int c = 0; c < j.nchunks && !rc; c++) {
        ereader_t r;
        reader_init(&r, &j, c, 0, false);
        efield_t f[PR_N];
        err_t *ce = &j.errs[c];
        while (!rc && (rc = reader_next(&r, f, ce)) == 1) {
            char npi[16], spec[128], innet[8];
            const efield_t *id = f[PR_NPI].n ? &f[PR_NPI] : &f[PR_ID];
            snprintf(npi, sizeof npi, "%.*s", (int)(id->n < 15 ? id->n : 15), id->p);
            snprintf(spec, sizeof spec, "%.*s", (int)(f[PR_SPEC].n < 127 ? f[PR_SPEC].n : 127),
                     f[PR_SPEC].p);
            snprintf(innet, sizeof innet, "%.*s", (int)(f[PR_INNET].n < 7 ? f[PR_INNET].n : 7),
                     f[PR_INNET].p);
            rc = engine_add_practitioner(en, npi, spec, innet, ce);
            /* An explicit primary_care_flag overrides the specialty rule. */
            int8_t pcp = parse_flag(f[PR_PCP].p, f[PR_PCP].n);
            int k = engine_prac_find(&en->prac, parse_npi(npi, strlen(npi)));
            if (!rc && pcp >= 0 && k >= 0)
                en->prac.pcp[k] = (uint8_t)pcp;
        }
        rc = rc < 0 ? ERR_INPUT : rc == 1 ? 0 : rc;
        reader_free(&r);
    }
    rc = job_result(&j, e);
    job_close(&j);
    return rc;
}

/* ---- grouping by patient ------------------------------------------------ */

typedef struct scatter_ctx {
    engine_t *en;
    med_tab_t *mch;
    int nm;
    rx_tab_t *rch;
    int nr;
    lab_tab_t *lch;
    int nl;
    uint32_t **mdest, **rdest, **ldest; /* per chunk: final row of each row */
} scatter_ctx_t;

/* Computes offsets per patient and, per chunk row, its final position. */
static size_t *group_dest(size_t npeople, int nch, int32_t *const *persons, const size_t *ns,
                          uint32_t **dest)
{
    size_t *off = mem_calloc(npeople + 1, sizeof *off);
    for (int c = 0; c < nch; c++)
        for (size_t i = 0; i < ns[c]; i++)
            off[persons[c][i] + 1]++;
    for (size_t p = 0; p < npeople; p++)
        off[p + 1] += off[p];
    size_t *cur = mem_alloc((npeople + 1) * sizeof *cur);
    memcpy(cur, off, (npeople + 1) * sizeof *cur);
    for (int c = 0; c < nch; c++) {
        dest[c] = mem_alloc((ns[c] ? ns[c] : 1) * sizeof **dest);
        for (size_t i = 0; i < ns[c]; i++)
            dest[c][i] = (uint32_t)cur[persons[c][i]]++;
    }
    mem_free(cur);
    return off;
}

/* One task per column: moves every chunk's column into the final table. */
#define MED_NCOLS 18
#define SCATTER(t, name)                                                                           \
    if (task == k++) {                                                                             \
        t *dst = mem_alloc((total ? total : 1) * sizeof(t));                                       \
        for (int c = 0; c < s->nm; c++) {                                                          \
            const t *src = s->mch[c].name;                                                         \
            const uint32_t *d = s->mdest[c];                                                       \
            for (size_t i = 0; i < s->mch[c].n; i++)                                               \
                dst[d[i]] = src[i];                                                                \
            mem_free(s->mch[c].name);                                                              \
            s->mch[c].name = NULL;                                                                 \
        }                                                                                          \
        s->en->med.name = dst;                                                                     \
    }

static void med_scatter_task(void *vctx, int task, int worker)
{
    scatter_ctx_t *s = vctx;
    size_t total = s->en->med.n;
    int k = 0;
    MED_COLS(SCATTER)
}
#undef SCATTER

#define SCATTER_RX(t, name)                                                                        \
    if (task == k++) {                                                                             \
        t *dst = mem_alloc((total ? total : 1) * sizeof(t));                                       \
        for (int c = 0; c < s->nr; c++) {                                                          \
            for (size_t i = 0; i < s->rch[c].n; i++)                                               \
                dst[s->rdest[c][i]] = s->rch[c].name[i];                                           \
            mem_free(s->rch[c].name);                                                              \
            s->rch[c].name = NULL;                                                                 \
        }                                                                                          \
        s->en->rx.name = dst;                                                                      \
    }

static void rx_scatter_task(void *vctx, int task, int worker)
{
    scatter_ctx_t *s = vctx;
    size_t total = s->en->rx.n;
    int k = 0;
    RX_COLS(SCATTER_RX)
}

#define SCATTER_LAB(t, name)                                                                       \
    if (task == k++) {                                                                             \
        t *dst = mem_alloc((total ? total : 1) * sizeof(t));                                       \
        for (int c = 0; c < s->nl; c++) {                                                          \
            for (size_t i = 0; i < s->lch[c].n; i++)                                               \
                dst[s->ldest[c][i]] = s->lch[c].name[i];                                           \
            mem_free(s->lch[c].name);                                                              \
            s->lch[c].name = NULL;                                                                 \
        }                                                                                          \
        s->en->lab.name = dst;                                                                     \
    }

static void lab_scatter_task(void *vctx, int task, int worker)
{
    scatter_ctx_t *s = vctx;
    size_t total = s->en->lab.n;
    int k = 0;
    LAB_COLS(SCATTER_LAB)
}

/* Moves chunk tables into the engine, grouped by patient. */
static int group_medical(engine_t *en, med_tab_t *ch, int nch, err_t *e)
{
    size_t np = en->pp.n, total = 0, dxt = 0, pxt = 0;
    en->med.max_disch = en->med.max_date = DATE_NONE;
    int32_t **persons = mem_calloc((size_t)nch + 1, sizeof *persons);
    size_t *ns = mem_calloc((size_t)nch + 1, sizeof *ns);
    uint32_t **dest = mem_calloc((size_t)nch + 1, sizeof *dest);
    for (int c = 0; c < nch; c++) {
        persons[c] = ch[c].person;
        ns[c] = ch[c].n;
        total += ch[c].n;
        dxt += ch[c].dxn;
        pxt += ch[c].pxn;
        if (ch[c].max_disch != DATE_NONE &&
            (en->med.max_disch == DATE_NONE || ch[c].max_disch > en->med.max_disch))
            en->med.max_disch = ch[c].max_disch;
        if (ch[c].max_date != DATE_NONE &&
            (en->med.max_date == DATE_NONE || ch[c].max_date > en->med.max_date))
            en->med.max_date = ch[c].max_date;
    }
    if (total >= UINT32_MAX) {
        mem_free(persons);
        mem_free(ns);
        mem_free(dest);
        return err_set(e, ERR_NOMEM, "more than 4 billion claim lines");
    }
    en->med_off = group_dest(np, nch, persons, ns, dest);
    /* Diagnoses and procedures follow their lines: per patient in chunk order,
     * which is the lines' final order. */
    en->dx_off = mem_calloc(np + 1, sizeof *en->dx_off);
    en->px_off = mem_calloc(np + 1, sizeof *en->px_off);
    for (int c = 0; c < nch; c++)
        for (size_t i = 0; i < ch[c].n; i++) {
            en->dx_off[ch[c].person[i] + 1] += ch[c].ndx[i];
            en->px_off[ch[c].person[i] + 1] += ch[c].npx[i];
        }
    for (size_t p = 0; p < np; p++) {
        en->dx_off[p + 1] += en->dx_off[p];
        en->px_off[p + 1] += en->px_off[p];
    }
    med_tab_t *m = &en->med;
    m->dx = mem_alloc((dxt ? dxt : 1) * sizeof *m->dx);
    m->px = mem_alloc((pxt ? pxt : 1) * sizeof *m->px);
    m->dxn = m->dxcap = dxt;
    m->pxn = m->pxcap = pxt;
    size_t *dcur = mem_alloc((np + 1) * sizeof *dcur);
    size_t *pcur = mem_alloc((np + 1) * sizeof *pcur);
    memcpy(dcur, en->dx_off, (np + 1) * sizeof *dcur);
    memcpy(pcur, en->px_off, (np + 1) * sizeof *pcur);
    for (int c = 0; c < nch; c++) {
        size_t dxi = 0, pxi = 0;
        for (size_t i = 0; i < ch[c].n; i++) {
            int32_t p = ch[c].person[i];
            if (ch[c].ndx[i])
                memcpy(m->dx + dcur[p], ch[c].dx + dxi, ch[c].ndx[i] * sizeof *m->dx);
            if (ch[c].npx[i])
                memcpy(m->px + pcur[p], ch[c].px + pxi, ch[c].npx[i] * sizeof *m->px);
            dcur[p] += ch[c].ndx[i];
            pcur[p] += ch[c].npx[i];
            dxi += ch[c].ndx[i];
            pxi += ch[c].npx[i];
        }
        mem_free(ch[c].dx);
        mem_free(ch[c].px);
        ch[c].dx = ch[c].px = NULL;
    }
    mem_free(dcur);
    mem_free(pcur);
    /* The engine's own (staged) columns are replaced by the scattered ones. */
    med_tab_t keep = *m;
    memset(m, 0, sizeof *m);
    m->dx = keep.dx;
    m->px = keep.px;
    m->dxn = m->dxcap = keep.dxn;
    m->pxn = m->pxcap = keep.pxn;
    m->max_disch = keep.max_disch;
    m->max_date = keep.max_date;
    m->n = m->cap = total;
    scatter_ctx_t s = { .en = en, .mch = ch, .nm = nch, .mdest = dest };
    par_run(en->s.threads, MED_NCOLS, med_scatter_task, &s);
    for (int c = 0; c < nch; c++)
        mem_free(dest[c]);
    mem_free(dest);
    mem_free(persons);
    mem_free(ns);
    return 0;
}

static void group_rx(engine_t *en, rx_tab_t *ch, int nch)
{
    size_t total = 0;
    int32_t **persons = mem_calloc((size_t)nch + 1, sizeof *persons);
    size_t *ns = mem_calloc((size_t)nch + 1, sizeof *ns);
    uint32_t **dest = mem_calloc((size_t)nch + 1, sizeof *dest);
    for (int c = 0; c < nch; c++) {
        persons[c] = ch[c].person;
        ns[c] = ch[c].n;
        total += ch[c].n;
    }
    en->rx_off = group_dest(en->pp.n, nch, persons, ns, dest);
    memset(&en->rx, 0, sizeof en->rx);
    en->rx.n = en->rx.cap = total;
    scatter_ctx_t s = { .en = en, .rch = ch, .nr = nch, .rdest = dest };
    par_run(en->s.threads, 7, rx_scatter_task, &s);
    for (int c = 0; c < nch; c++)
        mem_free(dest[c]);
    mem_free(dest);
    mem_free(persons);
    mem_free(ns);
}

static void group_lab(engine_t *en, lab_tab_t *ch, int nch)
{
    size_t total = 0;
    int32_t **persons = mem_calloc((size_t)nch + 1, sizeof *persons);
    size_t *ns = mem_calloc((size_t)nch + 1, sizeof *ns);
    uint32_t **dest = mem_calloc((size_t)nch + 1, sizeof *dest);
    for (int c = 0; c < nch; c++) {
        persons[c] = ch[c].person;
        ns[c] = ch[c].n;
        total += ch[c].n;
    }
    en->lab_off = group_dest(en->pp.n, nch, persons, ns, dest);
    memset(&en->lab, 0, sizeof en->lab);
    en->lab.n = en->lab.cap = total;
    scatter_ctx_t s = { .en = en, .lch = ch, .nl = nch, .ldest = dest };
    par_run(en->s.threads, 4, lab_scatter_task, &s);
    for (int c = 0; c < nch; c++)
        mem_free(dest[c]);
    mem_free(dest);
    mem_free(persons);
    mem_free(ns);
}

static void group_spans(engine_t *en)
{
    span_tab_t *t = &en->spans;
    int32_t *persons[1] = { t->person };
    size_t ns[1] = { t->n };
    uint32_t *dest[1] = { NULL };
    en->span_off = group_dest(en->pp.n, 1, persons, ns, dest);
    span_tab_t g = { 0 };
    span_reserve(&g, t->n ? t->n : 1);
    g.n = t->n;
    for (size_t i = 0; i < t->n; i++) {
        g.person[dest[0][i]] = t->person[i];
        g.start[dest[0][i]] = t->start[i];
        g.end[dest[0][i]] = t->end[i];
    }
    mem_free(dest[0]);
    span_free(t);
    *t = g;
}

/* ---- entry points ------------------------------------------------------- */

int engine_load_csv(engine_t *en, const char *dir, err_t *e)
{
    if (en->loaded || en->staged)
        return err_set(e, ERR_USAGE, "engine already loaded");
    int rc = load_eligibility(en, dir, e);
    if (rc)
        return rc;
    rc = load_practitioners(en, dir, e);
    if (rc)
        return rc;

    /* Medical claims. */
    csv_job_t j;
    rc = job_open(&j, en, dir, "medical_claim.csv", mc_cols, MC_N, NULL, e);
    if (rc)
        return rc;
    med_tab_t *mch = mem_calloc((size_t)(j.nchunks ? j.nchunks : 1), sizeof *mch);
    j.tables = mch;
    par_run(en->s.threads, j.nchunks, mc_task, &j);
    rc = job_result(&j, e);
    int nm = j.nchunks;
    job_close(&j);
    if (!rc)
        rc = group_medical(en, mch, nm, e);
    for (int c = 0; c < nm; c++)
        med_free(&mch[c]);
    mem_free(mch);
    if (rc)
        return rc;

    /* Pharmacy claims. */
    rc = job_open(&j, en, dir, "pharmacy_claim.csv", rx_cols, RX_N, NULL, e);
    if (rc)
        return rc;
    rx_tab_t *rch = mem_calloc((size_t)(j.nchunks ? j.nchunks : 1), sizeof *rch);
    j.tables = rch;
    par_run(en->s.threads, j.nchunks, rx_task, &j);
    rc = job_result(&j, e);
    int nr = j.nchunks;
    job_close(&j);
    if (!rc)
        group_rx(en, rch, nr);
    for (int c = 0; c < nr; c++)
        rx_free(&rch[c]);
    mem_free(rch);
    if (rc)
        return rc;

    /* Labs (optional). */
    bool missing = false;
    rc = job_open(&j, en, dir, "lab_result.csv", lb_cols, LB_N, &missing, e);
    if (rc)
        return rc;
    int nl = missing ? 0 : j.nchunks;
    lab_tab_t *lch = mem_calloc((size_t)(nl ? nl : 1), sizeof *lch);
    if (!missing) {
        j.tables = lch;
        par_run(en->s.threads, j.nchunks, lb_task, &j);
        rc = job_result(&j, e);
        job_close(&j);
    }
    if (!rc)
        group_lab(en, lch, nl);
    for (int c = 0; c < nl; c++)
        lab_free(&lch[c]);
    mem_free(lch);
    if (rc)
        return rc;
    group_spans(en);
    en->loaded = true;
    if (en->unknown_person_rows)
        log_warn("analyze.unknown_person", "%ld claim rows name a person_id not in eligibility",
                 en->unknown_person_rows);
    return 0;
}

/* Row-at-a-time: rows go into the engine's own tables as one chunk, grouped
 * by engine_load_done(). */

int engine_add_person(engine_t *en, const engine_person_row_t *r, err_t *e)
{
    if (en->loaded)
        return err_set(e, ERR_USAGE, "engine already loaded");
    en->staged = true;
    bool added;
    int p = people_get(&en->pp, r->person_id, strlen(r->person_id), &added);
    if (p < 0)
        return err_set(e, ERR_INPUT, "unusable person_id");
    uint8_t orec = 255;
    if (r->orec) {
        int o = parse_small(r->orec, strlen(r->orec));
        orec = o >= 0 && o <= 3 ? (uint8_t)o : 255;
    }
    person_fill(&en->pp, p, r->sex ? parse_sex(r->sex, strlen(r->sex)) : 0, r->birth, r->death,
                orec, r->dual ? parse_dual(r->dual, strlen(r->dual)) : 0);
    add_span(en, p, r->enroll_start, r->enroll_end);
    return 0;
}

int engine_add_medical(engine_t *en, const engine_medical_row_t *r, err_t *e)
{
    if (en->loaded)
        return err_set(e, ERR_USAGE, "engine already loaded");
    en->staged = true;
    int p = engine_people_find(&en->pp, r->person_id, strlen(r->person_id));
    if (p < 0) {
        en->unknown_person_rows++;
        return 0;
    }
    if (en->med.n == 0)
        en->stage_last = (med_last_t){ 0 };
    med_line_t l = { 0 };
    l.person = p;
    l.claim = str_hash(r->claim_id, strlen(r->claim_id));
    l.start = r->start;
    l.end = r->end != DATE_NONE ? r->end : r->start;
    if (l.start == DATE_NONE)
        return err_set(e, ERR_INPUT, "claim %s: no claim_start_date", r->claim_id);
    l.admit = r->admit;
    l.disch = r->discharge;
    l.amount = r->amount;
#define S(x) (x) ? (x) : "", (x) ? strlen(x) : 0
    l.hcpcs = hcpcs_pack(S(r->hcpcs));
    l.npi = parse_npi(S(r->rendering_npi));
    l.bill = parse_bill(S(r->bill_type));
    int v = parse_small(S(r->revenue_code));
    l.rev = v > 0 && v < 65536 ? (uint16_t)v : 0;
    l.ctype = parse_ctype(S(r->claim_type));
    v = parse_small(S(r->admit_type));
    l.atype = v > 0 && v < 255 ? (uint8_t)v : 0;
    v = parse_small(S(r->discharge_disposition));
    l.disp = v >= 0 && v < 255 ? (uint8_t)v : NO_DISP;
    v = parse_small(S(r->place_of_service));
    l.pos = v > 0 && v < 255 ? (uint8_t)v : 0;
    l.innet = parse_flag(S(r->in_network));
    for (int k = 0; k < r->ndx && l.ndx < 25; k++) {
        uint64_t c = r->dx[k] ? code_pack(S(r->dx[k])) : 0;
        if (c)
            l.dx[l.ndx++] = c;
    }
    for (int k = 0; k < r->npx && l.npx < 25; k++) {
        uint64_t c = r->px[k] ? code_pack(S(r->px[k])) : 0;
        if (c)
            l.px[l.npx++] = c;
    }
    med_push(&en->med, &en->stage_last, &l);
    return 0;
}

int engine_add_pharmacy(engine_t *en, const engine_pharmacy_row_t *r, err_t *e)
{
    if (en->loaded)
        return err_set(e, ERR_USAGE, "engine already loaded");
    en->staged = true;
    int p = engine_people_find(&en->pp, r->person_id, strlen(r->person_id));
    if (p < 0) {
        en->unknown_person_rows++;
        return 0;
    }
    if (r->date == DATE_NONE)
        return err_set(e, ERR_INPUT, "pharmacy claim without a dispensing date");
    rx_push(&en->rx, p, r->date, parse_ndc(S(r->ndc)), r->amount, parse_npi(S(r->prescriber_npi)),
            r->days_supply, parse_flag(S(r->in_network)));
    return 0;
}

int engine_add_lab(engine_t *en, const char *person_id, const char *loinc, date_t date,
                   double value, err_t *e)
{
    en->staged = true;
    int p = engine_people_find(&en->pp, person_id, strlen(person_id));
    uint32_t code = parse_loinc(S(loinc));
    if (p < 0 || !code || date == DATE_NONE)
        return 0;
    lab_push(&en->lab, p, date, code, (float)value);
    return 0;
}
#undef S

int engine_load_done(engine_t *en, err_t *e)
{
    if (en->loaded)
        return 0;
    med_tab_t med = en->med;
    memset(&en->med, 0, sizeof en->med);
    int rc = group_medical(en, &med, 1, e);
    med_free(&med);
    if (rc)
        return rc;
    rx_tab_t rx = en->rx;
    group_rx(en, &rx, 1);
    rx_free(&rx);
    lab_tab_t lab = en->lab;
    group_lab(en, &lab, 1);
    lab_free(&lab);
    group_spans(en);
    en->loaded = true;
    return 0;
}

void hcpcs_unpack(uint32_t v, char out[6])
{
    for (int i = 4; i >= 0; i--) {
        uint32_t d = v % 37;
        v /= 37;
        out[i] = d == 0 ? ' ' : d <= 10 ? (char)('0' + d - 1) : (char)('A' + d - 11);
    }
    out[5] = 0;
}
