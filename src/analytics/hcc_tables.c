/* hcc_tables.c — loading the CMS-HCC tables into hash maps.
 *
 * Every file is read whole, split into lines and parsed with a small RFC 4180
 * reader that keeps exact line numbers, so that any malformed row is reported
 * as file:line with what is wrong. Everything is built once; afterwards the
 * object is only read (see the header on threads).
 */
#include "analytics/hcc_tables.h"
#include "core/csvread.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/codes.h"
#include "core/hmap.h"
#include "core/mem.h"
#include "core/str.h"
#include "refdata/refdata.h"

/* ------------------------------------------------------------------------ */
/* The tables' maps (core/hmap.h) borrow their keys: they live in the tables'
 * arena. Values are indices into the tables' arrays. */

/* Adds key -> val and returns true; when key is already there, leaves the
 * map unchanged, stores the existing value in *old and returns false. */
static bool map_put(hmap_t *m, const char *key, uint32_t val, uint32_t *old)
{
    bool added;
    uint64_t *v = hmap_str_put(m, key, strlen(key), &added);
    if (added)
        *v = val;
    else if (old)
        *old = (uint32_t)*v;
    return added;
}

static bool map_get(const hmap_t *m, const char *key, uint32_t *val)
{
    const uint64_t *v = hmap_str_getz(m, key);
    if (v && val)
        *val = (uint32_t)*v;
    return v != NULL;
}

/* Grows a heap array to hold at least n + 1 elements. */
static void *grow(void *p, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return p;
    *cap = *cap ? *cap * 2 : 256;
    return mem_realloc(p, *cap * elem);
}

/* ------------------------------------------------------------------------ */
/* The tables. */

typedef struct hcc_dx {
    const char *code;
    int n;
    int cc[HCC_DX_MAX_CC];
} hcc_dx_t;

typedef struct hcc_pair {
    int parent, child;
} hcc_pair_t;

typedef struct model_tables {
    hcc_dx_t *dx; /* ICD-10-CM -> CCs */
    size_t ndx, dx_cap;
    hmap_t dx_map;
    hcc_coef_t *coefs; /* every coefficient of the model */
    size_t ncoef, coef_cap;
    hmap_t coef_map;
    int32_t hcc_idx[HCC_SEGMENT_COUNT][HCC_CC_MAX]; /* "<SEG>_HCC<cc>" in coefs, or -1 */
    bool payment[HCC_CC_MAX];
    hcc_pair_t *hier;
    size_t nhier, hier_cap;
    int child_off[HCC_CC_MAX + 1]; /* children of parent p: child[child_off[p] .. [p+1]) */
    int *child;
    hcc_edit_t *edits;
    size_t nedit, edit_cap;
    hmap_t edit_map;
    const char *label[HCC_CC_MAX];
    int8_t chronic[HCC_CC_MAX];
} model_tables_t;

struct hcc_tables {
    int year;
    arena_t *arena; /* every key and label */
    model_tables_t m[HCC_MODEL_COUNT];
    hmap_t cpt;       /* eligible CPT/HCPCS codes */
    hmap_t all_dx;    /* every code of the year's mapping file, any model */
    hmap_t dx_prefix; /* every proper prefix (3+ characters) of those */
};

static const char *const model_names[HCC_MODEL_COUNT] = { "V24", "V28" };
/* How each file names the models. */
static const char *const model_dx_names[HCC_MODEL_COUNT] = { "CMS-HCC Model V24",
                                                             "CMS-HCC Model V28" };
static const char *const model_coef_names[HCC_MODEL_COUNT] = { "C24", "C28" };
static const char *const segment_names[HCC_SEGMENT_COUNT] = { "CNA", "CND", "CFA", "CFD",  "CPA",
                                                              "CPD", "INS", "NE",  "SNPNE" };

const char *hcc_model_name(hcc_model_t m)
{
    return (unsigned)m < HCC_MODEL_COUNT ? model_names[m] : "?";
}

int hcc_model_parse(const char *s, hcc_model_t *out)
{
    for (int i = 0; s && i < HCC_MODEL_COUNT; i++)
        if (str_ieq(s, strlen(s), model_names[i])) {
            *out = (hcc_model_t)i;
            return 0;
        }
    return -1;
}

const char *hcc_segment_name(hcc_segment_t s)
{
    return (unsigned)s < HCC_SEGMENT_COUNT ? segment_names[s] : "?";
}

int hcc_segment_parse(const char *s, hcc_segment_t *out)
{
    for (int i = 0; s && i < HCC_SEGMENT_COUNT; i++)
        if (str_ieq(s, strlen(s), segment_names[i])) {
            *out = (hcc_segment_t)i;
            return 0;
        }
    return -1;
}

static int model_by_name(const char *const names[HCC_MODEL_COUNT], const char *s)
{
    for (int i = 0; i < HCC_MODEL_COUNT; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

/* ------------------------------------------------------------------------ */
/* A table file held in memory, its records read by core/csvread.h. */

#define TAB_MAX_FIELDS 12
#define TAB_MAX_BYTES  ((size_t)64 << 20)

typedef struct tab_reader {
    char path[1024];
    char *data;
    size_t len;
    csvr_t csv;
    long line; /* the line where the record last read starts */
    char *f[TAB_MAX_FIELDS];
    int nf;
} tab_reader_t;

static int tab_open(tab_reader_t *r, const char *dir, const char *name, err_t *e)
{
    memset(r, 0, sizeof *r);
    char rel[128];
    snprintf(rel, sizeof rel, "hcc/%s", name);
    if (!dir) {
        int rc = refdata_path(rel, r->path, sizeof r->path, e);
        if (rc)
            return rc;
    } else {
        int n = snprintf(r->path, sizeof r->path, "%s/%s", dir, rel);
        if (n < 0 || (size_t)n >= sizeof r->path)
            return err_at(e, ERR_IO, rel, 0, 0, NULL, "reference-data path too long");
    }
    FILE *fp = fopen(r->path, "rb");
    if (!fp)
        return err_at(e, ERR_IO, r->path, 0, 0, NULL, "cannot open the HCC table");
    size_t cap = 1 << 16;
    r->data = mem_alloc(cap);
    for (;;) {
        if (r->len + 1 >= cap) {
            if (cap >= TAB_MAX_BYTES) {
                fclose(fp);
                return err_at(e, ERR_INPUT, r->path, 0, 0, NULL, "file larger than %zu bytes",
                              TAB_MAX_BYTES);
            }
            cap *= 2;
            r->data = mem_realloc(r->data, cap);
        }
        size_t got = fread(r->data + r->len, 1, cap - 1 - r->len, fp);
        r->len += got;
        if (got == 0)
            break;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad)
        return err_at(e, ERR_IO, r->path, 0, 0, NULL, "read error");
    r->data[r->len] = '\0';
    csvr_init(&r->csv, r->path, r->data, r->len);
    return 0;
}

static void tab_close(tab_reader_t *r)
{
    if (r->data)
        csvr_free(&r->csv);
    mem_free(r->data);
    r->data = NULL;
}

/* Reads the next record into r->f[0..nf-1] (NUL-terminated, in place; blank
 * lines skipped). Returns 1 for a row, 0 at the end, -1 on error (e filled). */
static int tab_next(tab_reader_t *r, err_t *e)
{
    int rc = csvr_next(&r->csv, e);
    if (rc <= 0)
        return rc;
    r->line = r->csv.rec_line;
    if (r->csv.nfields > TAB_MAX_FIELDS) {
        err_at(e, ERR_INPUT, r->path, r->line, 0, NULL, "too many fields");
        return -1;
    }
    r->nf = (int)r->csv.nfields;
    for (int i = 0; i < r->nf; i++)
        r->f[i] = r->csv.fields[i].s;
    return 1;
}

/* Reads the header and checks it names exactly the expected columns.
 * Returns 0 or an ERR_* code. */
static int tab_header(tab_reader_t *r, const char *const *cols, int ncols, err_t *e)
{
    int rc = tab_next(r, e);
    if (rc < 0)
        return e->code;
    if (rc == 0)
        return err_at(e, ERR_INPUT, r->path, 1, 0, NULL, "empty file: no header");
    bool ok = r->nf == ncols;
    for (int i = 0; ok && i < ncols; i++)
        ok = strcmp(r->f[i], cols[i]) == 0;
    if (!ok)
        return err_at(e, ERR_INPUT, r->path, r->line, 0, NULL,
                      "unexpected header (expected %d columns starting '%s')", ncols, cols[0]);
    return 0;
}

/* The next data row, which must have ncols fields: 1 for a row, 0 at the
 * end, -1 on error (e filled; the loaders then return e->code). */
static int tab_row(tab_reader_t *r, int ncols, err_t *e)
{
    int rc = tab_next(r, e);
    if (rc == 1 && r->nf != ncols) {
        err_at(e, ERR_INPUT, r->path, r->line, 0, NULL, "%d fields, expected %d", r->nf, ncols);
        return -1;
    }
    return rc;
}

/* What a loader returns: 0, its own error code, or the reader's. */
static int tab_done(tab_reader_t *r, int rc, const err_t *e)
{
    tab_close(r);
    return rc < 0 ? (int)e->code : rc;
}

static int bad_field(tab_reader_t *r, err_t *e, const char *field, const char *what)
{
    return err_at(e, ERR_INPUT, r->path, r->line, 0, field, "%s", what);
}

/* A CC number, 1..HCC_CC_MAX-1, optionally written "HCC<n>". */
static int parse_cc(const char *s, bool prefixed, int *out)
{
    if (prefixed) {
        if (strncmp(s, "HCC", 3) != 0)
            return -1;
        s += 3;
    }
    int v;
    if (str_to_intz(s, &v) != 0 || v < 1 || v >= HCC_CC_MAX)
        return -1;
    *out = v;
    return 0;
}

/* Canonical ICD-10-CM only: the tables are canonical, anything else is a
 * damaged file. */
static bool is_canonical_icd(const char *s)
{
    char c[CODE_MAX];
    return code_norm_icd10cm(s, strlen(s), c, sizeof c) == 0 && strcmp(c, s) == 0;
}

/* ------------------------------------------------------------------------ */
/* ra_dx_to_cc_<year>.csv: diagnosis_code,cc,model_name */

static int load_dx(hcc_tables_t *t, const char *dir, err_t *e)
{
    static const char *const cols[] = { "diagnosis_code", "cc", "model_name" };
    char name[64];
    snprintf(name, sizeof name, "ra_dx_to_cc_%d.csv", t->year);
    tab_reader_t r;
    int rc = tab_open(&r, dir, name, e);
    if (rc == 0)
        rc = tab_header(&r, cols, 3, e);
    while (rc == 0 && (rc = tab_row(&r, 3, e)) == 1) {
        rc = 0;
        const char *code = r.f[0];
        if (!is_canonical_icd(code)) {
            rc = bad_field(&r, e, "diagnosis_code", "not a canonical ICD-10-CM code");
            break;
        }
        int cc;
        if (str_to_intz(r.f[1], &cc) != 0 || cc < 1) {
            rc = bad_field(&r, e, "cc", "not a condition category number");
            break;
        }
        const char *key = NULL;
        uint32_t idx;
        if (!map_get(&t->all_dx, code, NULL)) {
            key = arena_strdup(t->arena, code);
            map_put(&t->all_dx, key, 1, NULL);
            for (size_t k = 3; k < strlen(key); k++) {
                const char *pre = arena_strndup(t->arena, key, k);
                map_put(&t->dx_prefix, pre, 1, NULL);
            }
        }
        int m = model_by_name(model_dx_names, r.f[2]);
        if (m < 0)
            continue; /* another model (V22, ESRD, RxHCC): kept for dx_status only */
        if (cc >= HCC_CC_MAX) {
            rc = bad_field(&r, e, "cc", "condition category out of range");
            break;
        }
        model_tables_t *mt = &t->m[m];
        if (map_get(&mt->dx_map, code, &idx)) {
            hcc_dx_t *d = &mt->dx[idx];
            bool dup = false;
            for (int i = 0; i < d->n; i++)
                dup = dup || d->cc[i] == cc;
            if (dup)
                continue;
            if (d->n == HCC_DX_MAX_CC) {
                rc = bad_field(&r, e, "cc", "too many condition categories for one code");
                break;
            }
            d->cc[d->n++] = cc;
            continue;
        }
        if (!key)
            key = arena_strdup(t->arena, code);
        mt->dx = grow(mt->dx, &mt->dx_cap, mt->ndx, sizeof *mt->dx);
        mt->dx[mt->ndx] = (hcc_dx_t){ key, 1, { cc } };
        map_put(&mt->dx_map, key, (uint32_t)mt->ndx, NULL);
        mt->ndx++;
    }
    return tab_done(&r, rc, e);
}

/* ra_coefficients_<year>.csv: coefficient,value,model_domain,model_version.
 * Every variable of C24/C28 must start with a segment prefix. */
static int load_coefficients(hcc_tables_t *t, const char *dir, err_t *e)
{
    static const char *const cols[] = { "coefficient", "value", "model_domain", "model_version" };
    char name[64];
    snprintf(name, sizeof name, "ra_coefficients_%d.csv", t->year);
    tab_reader_t r;
    int rc = tab_open(&r, dir, name, e);
    if (rc == 0)
        rc = tab_header(&r, cols, 4, e);
    while (rc == 0 && (rc = tab_row(&r, 4, e)) == 1) {
        rc = 0;
        double v;
        if (str_to_double(r.f[1], strlen(r.f[1]), &v) != 0) {
            rc = bad_field(&r, e, "value", "not a number");
            break;
        }
        int m = model_by_name(model_coef_names, r.f[3]);
        if (m < 0)
            continue;
        if (strcmp(r.f[2], "CMS-HCC") != 0) {
            rc = bad_field(&r, e, "model_domain", "expected CMS-HCC for C24/C28");
            break;
        }
        const char *var = r.f[0];
        const char *us = strchr(var, '_');
        hcc_segment_t seg = HCC_SEGMENT_COUNT;
        char pre[8];
        if (us && (size_t)(us - var) < sizeof pre) {
            memcpy(pre, var, (size_t)(us - var));
            pre[us - var] = '\0';
            if (hcc_segment_parse(pre, &seg) != 0 || strcmp(pre, segment_names[seg]) != 0)
                seg = HCC_SEGMENT_COUNT;
        }
        if (seg == HCC_SEGMENT_COUNT || us[1] == '\0') {
            rc = bad_field(&r, e, "coefficient", "variable without a segment prefix (CNA_...)");
            break;
        }
        model_tables_t *mt = &t->m[m];
        if (map_get(&mt->coef_map, var, NULL)) {
            rc = bad_field(&r, e, "coefficient", "duplicate variable");
            break;
        }
        const char *key = arena_strdup(t->arena, var);
        mt->coefs = grow(mt->coefs, &mt->coef_cap, mt->ncoef, sizeof *mt->coefs);
        mt->coefs[mt->ncoef] = (hcc_coef_t){ key, v };
        map_put(&mt->coef_map, key, (uint32_t)mt->ncoef, NULL);
        int cc;
        if (parse_cc(us + 1, true, &cc) == 0) {
            mt->hcc_idx[seg][cc] = (int32_t)mt->ncoef;
            mt->payment[cc] = true;
        }
        mt->ncoef++;
    }
    return tab_done(&r, rc, e);
}

/* ra_hierarchies_2026.csv: cc_parent,cc_child,model_domain,model_version,model_fullname */
static int load_hierarchies(hcc_tables_t *t, const char *dir, err_t *e)
{
    static const char *const cols[] = { "cc_parent", "cc_child", "model_domain", "model_version",
                                        "model_fullname" };
    tab_reader_t r;
    int rc = tab_open(&r, dir, "ra_hierarchies_2026.csv", e);
    if (rc == 0)
        rc = tab_header(&r, cols, 5, e);
    while (rc == 0 && (rc = tab_row(&r, 5, e)) == 1) {
        rc = 0;
        int m = model_by_name(model_names, r.f[3]);
        if (m < 0 || strcmp(r.f[2], "CMS-HCC") != 0)
            continue; /* other models, and ESRD's V24 */
        int parent, child;
        if (parse_cc(r.f[0], false, &parent) != 0) {
            rc = bad_field(&r, e, "cc_parent", "not a condition category number");
            break;
        }
        if (parse_cc(r.f[1], false, &child) != 0 || child == parent) {
            rc = bad_field(&r, e, "cc_child", "not a condition category number");
            break;
        }
        model_tables_t *mt = &t->m[m];
        mt->hier = grow(mt->hier, &mt->hier_cap, mt->nhier, sizeof *mt->hier);
        mt->hier[mt->nhier++] = (hcc_pair_t){ parent, child };
    }
    return tab_done(&r, rc, e);
}

static int add_edit(hcc_tables_t *t, hcc_model_t m, const char *code, const hcc_edit_t *ed,
                    bool *dup)
{
    model_tables_t *mt = &t->m[m];
    *dup = map_get(&mt->edit_map, code, NULL);
    if (*dup)
        return 0;
    mt->edits = grow(mt->edits, &mt->edit_cap, mt->nedit, sizeof *mt->edits);
    mt->edits[mt->nedit] = *ed;
    map_put(&mt->edit_map, arena_strdup(t->arena, code), (uint32_t)mt->nedit, NULL);
    mt->nedit++;
    return 0;
}

/* The V24 age/sex edits, which ra_dx_edits.csv does not carry (it has V28's
 * only). From CMS's V24 software, macro V24I0ED1 (the same three edits as
 * V22I0ED2): Factor VIII/IX deficiency in a female goes to HCC 48 (other
 * coagulation defects) instead of 46; chronic bronchitis, emphysema and COPD
 * under 18 go to HCC 112 (fibrosis of lung and other chronic lung disorders)
 * instead of 111; disruptive mood dysregulation disorder (F34.81) is invalid
 * outside ages 6-18. J44.81 and J44.89 (FY2024 children of J44.8) are added
 * as in the V28 list of the same release. */
static const struct builtin_edit {
    const char *codes;
    hcc_edit_t edit;
} v24_edits[] = {
    { "D66 D67", { 'F', -1, -1, HCC_EDIT_OVERRIDE, 48 } },
    { "J410 J411 J418 J42 J430 J431 J432 J438 J439 J440 J441 J4481 J4489 J449 J982 J983",
      { 0, -1, 17, HCC_EDIT_OVERRIDE, 112 } },
    { "F3481", { 0, 19, 5, HCC_EDIT_INVALID, 0 } },
};

/* ra_dx_edits.csv: icd10,edit_type,sex,age_min,age_max,action,cc_override,model_name,description */
static int load_edits(hcc_tables_t *t, const char *dir, err_t *e)
{
    static const char *const cols[] = { "icd10",       "edit_type",  "sex",
                                        "age_min",     "age_max",    "action",
                                        "cc_override", "model_name", "description" };
    tab_reader_t r;
    int rc = tab_open(&r, dir, "ra_dx_edits.csv", e);
    if (rc == 0)
        rc = tab_header(&r, cols, 9, e);
    while (rc == 0 && (rc = tab_row(&r, 9, e)) == 1) {
        rc = 0;
        int m = model_by_name(model_dx_names, r.f[7]);
        if (m < 0)
            continue;
        if (!is_canonical_icd(r.f[0])) {
            rc = bad_field(&r, e, "icd10", "not a canonical ICD-10-CM code");
            break;
        }
        hcc_edit_t ed = { 0, -1, -1, HCC_EDIT_INVALID, 0 };
        if (strcmp(r.f[1], "sex") == 0) {
            if (strcmp(r.f[2], "1") == 0)
                ed.sex = 'M';
            else if (strcmp(r.f[2], "2") == 0)
                ed.sex = 'F';
            else {
                rc = bad_field(&r, e, "sex", "expected 1 (male) or 2 (female)");
                break;
            }
        } else if (strcmp(r.f[1], "age") == 0) {
            if ((r.f[3][0] && (str_to_intz(r.f[3], &ed.age_min) != 0 || ed.age_min < 0)) ||
                (r.f[4][0] && (str_to_intz(r.f[4], &ed.age_max) != 0 || ed.age_max < 0)) ||
                (!r.f[3][0] && !r.f[4][0])) {
                rc = bad_field(&r, e, "age_min", "an age edit needs age_min or age_max (years)");
                break;
            }
        } else {
            rc = bad_field(&r, e, "edit_type", "expected sex or age");
            break;
        }
        if (strcmp(r.f[5], "invalid") == 0) {
            ed.action = HCC_EDIT_INVALID;
        } else if (strcmp(r.f[5], "override") == 0) {
            ed.action = HCC_EDIT_OVERRIDE;
            if (parse_cc(r.f[6], false, &ed.cc) != 0) {
                rc = bad_field(&r, e, "cc_override", "not a condition category number");
                break;
            }
        } else {
            rc = bad_field(&r, e, "action", "expected invalid or override");
            break;
        }
        bool dup;
        add_edit(t, (hcc_model_t)m, r.f[0], &ed, &dup);
        if (dup) {
            rc = bad_field(&r, e, "icd10", "a second edit for the same code and model");
            break;
        }
    }
    rc = tab_done(&r, rc, e);
    if (rc != 0)
        return rc;
    /* The built-in V24 edits, unless the file already has an edit for a code. */
    for (size_t i = 0; i < sizeof v24_edits / sizeof v24_edits[0]; i++) {
        const char *p = v24_edits[i].codes;
        while (*p) {
            char code[CODE_MAX];
            size_t n = strcspn(p, " ");
            snprintf(code, sizeof code, "%.*s", (int)n, p);
            bool dup;
            add_edit(t, HCC_V24, code, &v24_edits[i].edit, &dup);
            p += n;
            p += strspn(p, " ");
        }
    }
    return 0;
}

/* ra_eligible_cpt_hcpcs_2026.csv: cpt_hcpcs_code */
static int load_cpt(hcc_tables_t *t, const char *dir, err_t *e)
{
    static const char *const cols[] = { "cpt_hcpcs_code" };
    tab_reader_t r;
    int rc = tab_open(&r, dir, "ra_eligible_cpt_hcpcs_2026.csv", e);
    if (rc == 0)
        rc = tab_header(&r, cols, 1, e);
    while (rc == 0 && (rc = tab_row(&r, 1, e)) == 1) {
        rc = 0;
        char c[CODE_MAX];
        if (code_norm_hcpcs(r.f[0], strlen(r.f[0]), c, sizeof c) != 0) {
            rc = bad_field(&r, e, "cpt_hcpcs_code", "not a CPT/HCPCS code");
            break;
        }
        if (!map_get(&t->cpt, c, NULL))
            map_put(&t->cpt, arena_strdup(t->arena, c), 1, NULL);
    }
    return tab_done(&r, rc, e);
}

/* hcc_is_chronic.csv: hcc,is_chronic,model_version,model_domain. Y or N; an
 * empty flag is unknown. Anything else is an error for a payment HCC of the
 * model; the published file has one such row ("1,981,142" for V24 HCC203,
 * which V24 does not have), which is skipped. */
static int load_chronic(hcc_tables_t *t, const char *dir, err_t *e)
{
    static const char *const cols[] = { "hcc", "is_chronic", "model_version", "model_domain" };
    tab_reader_t r;
    int rc = tab_open(&r, dir, "hcc_is_chronic.csv", e);
    if (rc == 0)
        rc = tab_header(&r, cols, 4, e);
    while (rc == 0 && (rc = tab_row(&r, 4, e)) == 1) {
        rc = 0;
        int m = model_by_name(model_names, r.f[2]);
        if (m < 0 || strcmp(r.f[3], "CMS-HCC") != 0)
            continue;
        int cc;
        if (parse_cc(r.f[0], true, &cc) != 0) {
            rc = bad_field(&r, e, "hcc", "expected HCC<number>");
            break;
        }
        model_tables_t *mt = &t->m[m];
        if (strcmp(r.f[1], "Y") == 0 || strcmp(r.f[1], "N") == 0)
            mt->chronic[cc] = r.f[1][0] == 'Y';
        else if (r.f[1][0] != '\0' && mt->payment[cc]) {
            rc = bad_field(&r, e, "is_chronic", "expected Y or N");
            break;
        }
    }
    return tab_done(&r, rc, e);
}

/* ra_labels_2026.csv: cc,label,model_domain,model_version,model_fullname */
static int load_labels(hcc_tables_t *t, const char *dir, err_t *e)
{
    static const char *const cols[] = { "cc", "label", "model_domain", "model_version",
                                        "model_fullname" };
    tab_reader_t r;
    int rc = tab_open(&r, dir, "ra_labels_2026.csv", e);
    if (rc == 0)
        rc = tab_header(&r, cols, 5, e);
    while (rc == 0 && (rc = tab_row(&r, 5, e)) == 1) {
        rc = 0;
        int m = model_by_name(model_names, r.f[3]);
        if (m < 0 || strcmp(r.f[2], "CMS-HCC") != 0)
            continue;
        int cc;
        if (parse_cc(r.f[0], true, &cc) != 0) {
            rc = bad_field(&r, e, "cc", "expected HCC<number>");
            break;
        }
        t->m[m].label[cc] = arena_strdup(t->arena, r.f[1]);
    }
    return tab_done(&r, rc, e);
}

/* Groups the hierarchy pairs by parent (a counting sort), so that scoring
 * visits only the children of the CCs present. */
static void index_children(model_tables_t *mt)
{
    memset(mt->child_off, 0, sizeof mt->child_off);
    for (size_t i = 0; i < mt->nhier; i++)
        mt->child_off[mt->hier[i].parent + 1]++;
    for (int p = 0; p < HCC_CC_MAX; p++)
        mt->child_off[p + 1] += mt->child_off[p];
    mt->child = mem_calloc(mt->nhier ? mt->nhier : 1, sizeof *mt->child);
    int fill[HCC_CC_MAX];
    memcpy(fill, mt->child_off, sizeof fill);
    for (size_t i = 0; i < mt->nhier; i++)
        mt->child[fill[mt->hier[i].parent]++] = mt->hier[i].child;
}

int hcc_tables_load(const char *dir, int year, hcc_tables_t **out, err_t *e)
{
    *out = NULL;
    if (year < 2000 || year > 2100)
        return err_set(e, ERR_USAGE, "HCC table year %d out of range", year);
    hcc_tables_t *t = mem_calloc(1, sizeof *t);
    t->year = year;
    t->arena = arena_new(0);
    for (int m = 0; m < HCC_MODEL_COUNT; m++) {
        memset(t->m[m].hcc_idx, 0xff, sizeof t->m[m].hcc_idx); /* -1 */
        memset(t->m[m].chronic, 0xff, sizeof t->m[m].chronic);
        hmap_init_str(&t->m[m].dx_map, 0, false);
        hmap_init_str(&t->m[m].coef_map, 0, false);
        hmap_init_str(&t->m[m].edit_map, 0, false);
    }
    hmap_init_str(&t->cpt, 0, false);
    hmap_init_str(&t->all_dx, 0, false);
    hmap_init_str(&t->dx_prefix, 0, false);
    int rc = load_dx(t, dir, e);
    if (rc == 0)
        rc = load_coefficients(t, dir, e);
    if (rc == 0)
        rc = load_hierarchies(t, dir, e);
    if (rc == 0)
        rc = load_edits(t, dir, e);
    if (rc == 0)
        rc = load_cpt(t, dir, e);
    if (rc == 0)
        rc = load_chronic(t, dir, e);
    if (rc == 0)
        rc = load_labels(t, dir, e);
    for (int m = 0; rc == 0 && m < HCC_MODEL_COUNT; m++)
        index_children(&t->m[m]);
    for (int m = 0; rc == 0 && m < HCC_MODEL_COUNT; m++)
        if (t->m[m].ndx == 0 || t->m[m].ncoef == 0)
            rc = err_set(e, ERR_INPUT, "the HCC tables of %d have no %s mappings or coefficients",
                         year, model_names[m]);
    if (rc != 0) {
        hcc_tables_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

void hcc_tables_free(hcc_tables_t *t)
{
    if (!t)
        return;
    for (int m = 0; m < HCC_MODEL_COUNT; m++) {
        model_tables_t *mt = &t->m[m];
        mem_free(mt->dx);
        hmap_free(&mt->dx_map);
        mem_free(mt->coefs);
        hmap_free(&mt->coef_map);
        mem_free(mt->hier);
        mem_free(mt->child);
        mem_free(mt->edits);
        hmap_free(&mt->edit_map);
    }
    hmap_free(&t->cpt);
    hmap_free(&t->all_dx);
    hmap_free(&t->dx_prefix);
    arena_free(t->arena);
    mem_free(t);
}

/* ------------------------------------------------------------------------ */
/* Reading. */

int hcc_tables_year(const hcc_tables_t *t)
{
    return t->year;
}

static bool valid_model(hcc_model_t m)
{
    return (unsigned)m < HCC_MODEL_COUNT;
}

static bool valid_cc(int cc)
{
    return cc > 0 && cc < HCC_CC_MAX;
}

int hcc_tables_dx_ccs(const hcc_tables_t *t, hcc_model_t m, const char *icd, int *ccs, int cap)
{
    uint32_t i;
    if (!valid_model(m) || !icd || !map_get(&t->m[m].dx_map, icd, &i))
        return 0;
    const hcc_dx_t *d = &t->m[m].dx[i];
    for (int k = 0; k < d->n && k < cap; k++)
        ccs[k] = d->cc[k];
    return d->n;
}

hcc_dx_status_t hcc_tables_dx_status(const hcc_tables_t *t, const char *icd)
{
    if (map_get(&t->all_dx, icd, NULL))
        return HCC_DX_MAPPED;
    char pre[CODE_MAX];
    size_t n = strlen(icd);
    for (size_t k = n > 0 ? n - 1 : 0; k >= 3 && k < sizeof pre; k--) {
        memcpy(pre, icd, k);
        pre[k] = '\0';
        /* A mapped code that no mapped code extends is a billable leaf. */
        if (map_get(&t->all_dx, pre, NULL) && !map_get(&t->dx_prefix, pre, NULL))
            return HCC_DX_INVALID;
    }
    return HCC_DX_UNMAPPED;
}

const hcc_edit_t *hcc_tables_edit(const hcc_tables_t *t, hcc_model_t m, const char *icd)
{
    uint32_t i;
    if (!valid_model(m) || !icd || !map_get(&t->m[m].edit_map, icd, &i))
        return NULL;
    return &t->m[m].edits[i];
}

bool hcc_edit_applies(const hcc_edit_t *ed, int age, char sex)
{
    if (ed->sex)
        return ed->sex == sex;
    return (ed->age_max >= 0 && age <= ed->age_max) || (ed->age_min >= 0 && age >= ed->age_min);
}

const hcc_coef_t *hcc_tables_coef(const hcc_tables_t *t, hcc_model_t m, const char *name)
{
    uint32_t i;
    if (!valid_model(m) || !name || !map_get(&t->m[m].coef_map, name, &i))
        return NULL;
    return &t->m[m].coefs[i];
}

const hcc_coef_t *hcc_tables_hcc_coef(const hcc_tables_t *t, hcc_model_t m, hcc_segment_t s, int cc)
{
    if (!valid_model(m) || (unsigned)s >= HCC_SEGMENT_COUNT || !valid_cc(cc))
        return NULL;
    int32_t i = t->m[m].hcc_idx[s][cc];
    return i < 0 ? NULL : &t->m[m].coefs[i];
}

bool hcc_tables_is_payment_hcc(const hcc_tables_t *t, hcc_model_t m, int cc)
{
    return valid_model(m) && valid_cc(cc) && t->m[m].payment[cc];
}

size_t hcc_tables_coef_count(const hcc_tables_t *t, hcc_model_t m)
{
    return valid_model(m) ? t->m[m].ncoef : 0;
}

const hcc_coef_t *hcc_tables_coef_at(const hcc_tables_t *t, hcc_model_t m, size_t i)
{
    return valid_model(m) && i < t->m[m].ncoef ? &t->m[m].coefs[i] : NULL;
}

size_t hcc_tables_hierarchy_count(const hcc_tables_t *t, hcc_model_t m)
{
    return valid_model(m) ? t->m[m].nhier : 0;
}

void hcc_tables_hierarchy_at(const hcc_tables_t *t, hcc_model_t m, size_t i, int *parent,
                             int *child)
{
    *parent = *child = 0;
    if (valid_model(m) && i < t->m[m].nhier) {
        *parent = t->m[m].hier[i].parent;
        *child = t->m[m].hier[i].child;
    }
}

int hcc_tables_children(const hcc_tables_t *t, hcc_model_t m, int parent, const int **children)
{
    *children = NULL;
    if (!valid_model(m) || !valid_cc(parent) || !t->m[m].child)
        return 0;
    const model_tables_t *mt = &t->m[m];
    int n = mt->child_off[parent + 1] - mt->child_off[parent];
    if (n > 0)
        *children = mt->child + mt->child_off[parent];
    return n;
}

bool hcc_tables_cpt_eligible(const hcc_tables_t *t, const char *hcpcs)
{
    return hcpcs && map_get(&t->cpt, hcpcs, NULL);
}

const char *hcc_tables_label(const hcc_tables_t *t, hcc_model_t m, int cc)
{
    return valid_model(m) && valid_cc(cc) ? t->m[m].label[cc] : NULL;
}

int hcc_tables_is_chronic(const hcc_tables_t *t, hcc_model_t m, int cc)
{
    return valid_model(m) && valid_cc(cc) ? t->m[m].chronic[cc] : -1;
}
