/* synthea.c — Synthea's CSV export (patients, organizations, encounters,
 * conditions, observations, procedures, medications, immunizations).
 *
 * Each row becomes the record its FHIR twin would give (fhir.c), so that the
 * two forms of one Synthea population load the same facts (the agreement
 * test in tests/ingest/). Rows without an id of their own (conditions,
 * observations, ...) get a stable one built from what identifies them —
 * "synthea:<kind>:<patient>:<encounter>:<code>:<date>", with "#n" for the
 * n-th repeat — so that loading the same file again replaces, not adds.
 * Synthea writes instants in UTC ("2014-05-06T08:34:30Z"): the dates stored
 * are their UTC dates, and observation times are exact.
 */
#include "ingest/import_impl.h"

#include "core/arena.h"
#include "core/codes.h"
#include "core/mem.h"
#include "core/money.h"
#include "core/str.h"
#include "core/value.h"
#include "core/csvread.h"

#include <math.h>
#include <string.h>

typedef struct srow {
    import_ctx_t *c;
    csvr_t *rd;
    const char *const *hdr; /* header names, trimmed */
    size_t ncols;
    arena_t *a;
    hmap_t repeats; /* id-less row base -> times seen */
    err_t *e;
} srow_t;

static int col_index(const srow_t *r, const char *name)
{
    for (size_t i = 0; i < r->ncols; i++)
        if (strcmp(r->hdr[i], name) == 0)
            return (int)i;
    return -1;
}

/* The trimmed value of a column, or NULL when absent or empty. */
static const char *val(const srow_t *r, const char *name)
{
    int i = col_index(r, name);
    if (i < 0)
        return NULL;
    csvr_field_t *f = &r->rd->fields[i];
    const char *s = f->s;
    size_t n = f->n;
    str_trim(&s, &n);
    if (n == 0)
        return NULL;
    return arena_strndup(r->a, s, n);
}

static const csvr_field_t *field(const srow_t *r, const char *name)
{
    int i = col_index(r, name);
    return i < 0 ? NULL : &r->rd->fields[i];
}

static int fail(const srow_t *r, const char *col, const char *fmt, const char *v)
{
    const csvr_field_t *f = field(r, col);
    return err_at(r->e, ERR_INPUT, r->c->name, f ? f->line : r->rd->rec_line, f ? f->col : 0, col,
                  fmt, v ? v : "");
}

static int req(const srow_t *r, const char *col, const char **out)
{
    *out = val(r, col);
    if (!*out)
        return fail(r, col, "required value missing%s", "");
    return 0;
}

static int date_of(const srow_t *r, const char *col, bool required, date_t *out)
{
    const char *v = val(r, col);
    *out = DATE_NONE;
    if (!v)
        return required ? fail(r, col, "required value missing%s", "") : 0;
    if (import_parse_date(v, strlen(v), out) != 0)
        return fail(r, col, "invalid date '%.60s'", v);
    return 0;
}

/* Stable id for id-less rows (see the top of this file). */
static const char *make_id(srow_t *r, const char *kind, const char *patient, const char *enc,
                           const char *code, const char *date)
{
    const char *base = arena_printf(r->a, "synthea:%s:%s:%s:%s:%s", kind, patient, enc ? enc : "",
                                    code ? code : "", date ? date : "");
    uint64_t n = ++*hmap_str_put(&r->repeats, base, strlen(base), NULL);
    return n == 1 ? base : arena_printf(r->a, "%s#%llu", base, (unsigned long long)n);
}

/* Code normalised for its system; codes that do not validate are kept as
 * given (only ICD-10-CM, NDC and HCPCS are strict, in claims). */
static const char *norm(srow_t *r, code_system_t sys, const char *code)
{
    if (!code)
        return NULL;
    char out[CODE_MAX];
    if (code_norm(sys, code, strlen(code), out, sizeof out) == 0)
        return arena_strdup(r->a, out);
    return code;
}

static const char *encounter_class(const char *v)
{
    static const struct {
        const char *synthea, *act;
    } map[] = {
        { "ambulatory", "AMB" }, { "wellness", "AMB" },   { "outpatient", "AMB" },
        { "urgentcare", "AMB" }, { "emergency", "EMER" }, { "inpatient", "IMP" },
        { "snf", "IMP" },        { "home", "HH" },        { "virtual", "VR" },
        { "hospice", "HH" },
    };
    if (!v)
        return NULL;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (str_ieq(v, strlen(v), map[i].synthea))
            return map[i].act;
    return v;
}

static int put_rc(srow_t *r, int rc, import_kind_t k)
{
    if (rc != 0 && r->e->code == ERR_DB && r->e->constraint == ERR_CONSTRAINT_FOREIGN_KEY &&
        field(r, "PATIENT")) {
        /* The store buffers puts: this row or an earlier one is at fault. */
        return err_at(r->e, ERR_INPUT, r->c->name, r->rd->rec_line, 0, NULL,
                      "a row at or before this one names a patient that is neither stored nor "
                      "in this file (load patients.csv first)");
    }
    if (rc != 0) {
        err_where(r->e, r->c->name, r->rd->rec_line, 0, NULL);
        return rc;
    }
    r->c->r->counts[k]++;
    return 0;
}

static int row_patient(srow_t *r)
{
    store_patient_t p;
    store_patient_init(&p);
    int rc;
    if ((rc = req(r, "Id", &p.person_id)) != 0 ||
        (rc = date_of(r, "BIRTHDATE", true, &p.birth_date)) != 0 ||
        (rc = date_of(r, "DEATHDATE", false, &p.death_date)) != 0)
        return rc;
    p.death_flag = p.death_date != DATE_NONE ? 1 : 0;
    p.first_name = val(r, "FIRST");
    p.last_name = val(r, "LAST");
    p.name_suffix = val(r, "SUFFIX");
    const char *g = val(r, "GENDER");
    value_sex_t sex;
    if (g && value_sex(g, strlen(g), &sex) != 0)
        return fail(r, "GENDER", "invalid gender '%.60s'", g);
    if (g)
        p.gender = value_sex_name(sex);
    p.race = val(r, "RACE");
    p.ethnicity = val(r, "ETHNICITY");
    p.address = val(r, "ADDRESS");
    p.city = val(r, "CITY");
    p.state = val(r, "STATE");
    p.zip_code = val(r, "ZIP");
    p.data_source = "synthea";
    return put_rc(r, store_put_patient(r->c->s, &p, r->e), IK_PATIENT);
}

static int row_organization(srow_t *r)
{
    store_organization_t o;
    store_organization_init(&o);
    int rc;
    if ((rc = req(r, "Id", &o.organization_id)) != 0)
        return rc;
    o.name = val(r, "NAME");
    o.address = val(r, "ADDRESS");
    o.city = val(r, "CITY");
    o.state = val(r, "STATE");
    o.zip_code = val(r, "ZIP");
    o.phone = val(r, "PHONE");
    o.organization_type = "prov";
    o.data_source = "synthea";
    if ((rc = store_put_organization(r->c->s, &o, r->e)) == 0)
        import_org_add(r->c, o.organization_id);
    return put_rc(r, rc, IK_ORGANIZATION);
}

static int row_encounter(srow_t *r)
{
    store_encounter_t en;
    store_encounter_init(&en);
    int rc;
    if ((rc = req(r, "Id", &en.encounter_id)) != 0 || (rc = req(r, "PATIENT", &en.person_id)) ||
        (rc = date_of(r, "START", true, &en.start_date)) != 0 ||
        (rc = date_of(r, "STOP", false, &en.end_date)) != 0)
        return rc;
    en.status = "finished";
    en.class_code = encounter_class(val(r, "ENCOUNTERCLASS"));
    const char *code = val(r, "CODE");
    if (code) {
        en.type_system = code_system_name(CODE_SNOMED);
        en.type_code = norm(r, CODE_SNOMED, code);
    }
    en.organization_id = val(r, "ORGANIZATION");
    const char *reason = val(r, "REASONCODE");
    if (reason) {
        en.reason_system = code_system_name(CODE_SNOMED);
        en.reason_code = norm(r, CODE_SNOMED, reason);
    }
    en.data_source = "synthea";
    return put_rc(r, store_put_encounter(r->c->s, &en, r->e), IK_ENCOUNTER);
}

/* Synthea 3.x adds a SYSTEM column; older exports are SNOMED CT only. */
static code_system_t row_system(srow_t *r, code_system_t dflt)
{
    const char *sys = val(r, "SYSTEM");
    if (!sys)
        return dflt;
    if (str_ieq(sys, strlen(sys), "SNOMED-CT") || str_ieq(sys, strlen(sys), "SNOMED"))
        return CODE_SNOMED;
    code_system_t s = code_system_from_uri(sys);
    return s != CODE_UNKNOWN ? s : dflt;
}

static int row_condition(srow_t *r)
{
    store_condition_t cd;
    store_condition_init(&cd);
    int rc;
    const char *code, *start;
    if ((rc = req(r, "PATIENT", &cd.person_id)) != 0 || (rc = req(r, "CODE", &code)) != 0 ||
        (rc = req(r, "START", &start)) != 0 ||
        (rc = date_of(r, "START", true, &cd.onset_date)) != 0 ||
        (rc = date_of(r, "STOP", false, &cd.abatement_date)) != 0)
        return rc;
    cd.encounter_id = val(r, "ENCOUNTER");
    code_system_t sys = row_system(r, CODE_SNOMED);
    cd.code_system = code_system_name(sys);
    cd.code = norm(r, sys, code);
    cd.clinical_status = cd.abatement_date != DATE_NONE ? "resolved" : "active";
    cd.condition_id = make_id(r, "condition", cd.person_id, cd.encounter_id, cd.code, start);
    cd.data_source = "synthea";
    return put_rc(r, store_put_condition(r->c->s, &cd, r->e), IK_CONDITION);
}

static int row_observation(srow_t *r)
{
    store_observation_t o;
    store_observation_init(&o);
    int rc;
    const char *code, *date;
    if ((rc = req(r, "PATIENT", &o.person_id)) != 0 || (rc = req(r, "CODE", &code)) != 0 ||
        (rc = req(r, "DATE", &date)) != 0 ||
        (rc = date_of(r, "DATE", true, &o.effective_date)) != 0)
        return rc;
    if (strlen(date) > 10 && store_time_parse(date, strlen(date), &o.effective_time) != 0)
        return fail(r, "DATE", "invalid date-time '%.60s'", date);
    o.encounter_id = val(r, "ENCOUNTER");
    o.status = "final";
    o.category = val(r, "CATEGORY");
    o.code_system = code_system_name(CODE_LOINC);
    o.code = norm(r, CODE_LOINC, code);
    const char *v = val(r, "VALUE"), *type = val(r, "TYPE"), *units = val(r, "UNITS");
    double num;
    if (v && type && strcmp(type, "numeric") == 0) {
        if (str_to_double(v, strlen(v), &o.value_num) != 0)
            return fail(r, "VALUE", "invalid number '%.60s'", v);
        o.value_unit = units;
    } else if (v && units && str_to_double(v, strlen(v), &num) == 0) {
        /* Synthea marks some quantities "text" (survey answers with a unit);
         * their FHIR twins are valueQuantity. */
        o.value_num = num;
        o.value_unit = units;
    } else if (v) {
        o.value_text = v;
    }
    o.observation_id = make_id(r, "observation", o.person_id, o.encounter_id, o.code, date);
    o.data_source = "synthea";
    return put_rc(r, store_put_observation(r->c->s, &o, r->e), IK_OBSERVATION);
}

static int row_procedure(srow_t *r)
{
    store_procedure_t p;
    store_procedure_init(&p);
    int rc;
    const char *code;
    const char *when = field(r, "START") ? "START" : "DATE";
    const char *start;
    if ((rc = req(r, "PATIENT", &p.person_id)) != 0 || (rc = req(r, "CODE", &code)) != 0 ||
        (rc = req(r, when, &start)) != 0 || (rc = date_of(r, when, true, &p.performed_date)) != 0)
        return rc;
    p.encounter_id = val(r, "ENCOUNTER");
    code_system_t sys = row_system(r, CODE_SNOMED);
    p.code_system = code_system_name(sys);
    p.code = norm(r, sys, code);
    p.status = "completed";
    p.procedure_id = make_id(r, "procedure", p.person_id, p.encounter_id, p.code, start);
    p.data_source = "synthea";
    return put_rc(r, store_put_procedure(r->c->s, &p, r->e), IK_PROCEDURE);
}

static int row_medication(srow_t *r)
{
    store_medication_t m;
    store_medication_init(&m);
    int rc;
    const char *code, *start;
    if ((rc = req(r, "PATIENT", &m.person_id)) != 0 || (rc = req(r, "CODE", &code)) != 0 ||
        (rc = req(r, "START", &start)) != 0 ||
        (rc = date_of(r, "START", true, &m.start_date)) != 0 ||
        (rc = date_of(r, "STOP", false, &m.end_date)) != 0)
        return rc;
    m.encounter_id = val(r, "ENCOUNTER");
    m.kind = "request";
    m.status = m.end_date != DATE_NONE ? "stopped" : "active";
    m.code_system = code_system_name(CODE_RXNORM);
    m.code = norm(r, CODE_RXNORM, code);
    m.medication_id = make_id(r, "medication", m.person_id, m.encounter_id, m.code, start);
    m.data_source = "synthea";
    return put_rc(r, store_put_medication(r->c->s, &m, r->e), IK_MEDICATION);
}

static int row_immunization(srow_t *r)
{
    store_immunization_t im;
    store_immunization_init(&im);
    int rc;
    const char *code, *date;
    if ((rc = req(r, "PATIENT", &im.person_id)) != 0 || (rc = req(r, "CODE", &code)) != 0 ||
        (rc = req(r, "DATE", &date)) != 0 ||
        (rc = date_of(r, "DATE", true, &im.occurrence_date)) != 0)
        return rc;
    im.encounter_id = val(r, "ENCOUNTER");
    im.status = "completed";
    im.code_system = code_system_name(CODE_CVX);
    im.code = norm(r, CODE_CVX, code);
    im.immunization_id = make_id(r, "immunization", im.person_id, im.encounter_id, im.code, date);
    im.data_source = "synthea";
    return put_rc(r, store_put_immunization(r->c->s, &im, r->e), IK_IMMUNIZATION);
}

int synthea_load(import_ctx_t *c, import_format_t fmt, err_t *e)
{
    int (*row)(srow_t *) = NULL;
    switch (fmt) {
    case IMPORT_FMT_SYNTHEA_PATIENTS:
        row = row_patient;
        break;
    case IMPORT_FMT_SYNTHEA_ORGANIZATIONS:
        row = row_organization;
        break;
    case IMPORT_FMT_SYNTHEA_ENCOUNTERS:
        row = row_encounter;
        break;
    case IMPORT_FMT_SYNTHEA_CONDITIONS:
        row = row_condition;
        break;
    case IMPORT_FMT_SYNTHEA_OBSERVATIONS:
        row = row_observation;
        break;
    case IMPORT_FMT_SYNTHEA_PROCEDURES:
        row = row_procedure;
        break;
    case IMPORT_FMT_SYNTHEA_MEDICATIONS:
        row = row_medication;
        break;
    case IMPORT_FMT_SYNTHEA_IMMUNIZATIONS:
        row = row_immunization;
        break;
    default:
        return err_set(e, ERR_INTERNAL, "synthea_load: format %s", import_format_name(fmt));
    }
    csvr_t rd;
    csvr_init(&rd, c->name, c->buf, c->len);
    srow_t r = { .c = c, .rd = &rd, .e = e };
    r.a = arena_new(0);
    hmap_init_str(&r.repeats, 0, true);
    const char **hdr = NULL;
    int rc = csvr_next(&rd, e);
    if (rc != 1) {
        rc = rc == 0 ? err_at(e, ERR_INPUT, c->name, 1, 1, NULL, "empty file: no header row")
                     : ERR_INPUT;
        goto done;
    }
    rc = 0;
    r.ncols = rd.nfields;
    hdr = mem_calloc(r.ncols, sizeof *hdr);
    for (size_t i = 0; i < r.ncols; i++) {
        const char *s = rd.fields[i].s;
        size_t n = rd.fields[i].n;
        str_trim(&s, &n);
        hdr[i] = mem_strndup(s, n);
    }
    r.hdr = hdr;
    for (;;) {
        if ((rc = csvr_next(&rd, e)) <= 0) {
            rc = rc < 0 ? ERR_INPUT : 0;
            break;
        }
        c->r->records++;
        if (rd.nfields != r.ncols) {
            rc = err_at(e, ERR_INPUT, c->name, rd.rec_line, 0, NULL,
                        "row has %zu fields, the header has %zu", rd.nfields, r.ncols);
            goto done;
        }
        arena_reset(r.a);
        if ((rc = row(&r)) != 0)
            goto done;
        if ((c->r->records & 1023) == 0 && (rc = import_tick(c, csvr_offset(&rd), e)) != 0)
            goto done;
    }
done:
    if (hdr)
        for (size_t i = 0; i < r.ncols; i++)
            mem_free((void *)hdr[i]);
    mem_free(hdr);
    hmap_free(&r.repeats);
    arena_free(r.a);
    csvr_free(&rd);
    return rc;
}
