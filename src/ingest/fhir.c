/* fhir.c — FHIR R4 resources into the store: Bundles (transaction, batch,
 * collection, searchset, ...), single resources and Bulk Data NDJSON.
 *
 * Mapped: Patient, Encounter, Condition, Observation (a panel with
 * components becomes one row per component: blood pressure 85354-9 gives
 * 8480-6 and 8462-4), Procedure, MedicationRequest/Statement/Dispense,
 * Immunization, Organization, Practitioner (+ PractitionerRole in the same
 * Bundle), and ExplanationOfBenefit (Blue Button 2.0 and CARIN) as medical or
 * pharmacy claim lines. Every other resource type is counted as ignored.
 *
 * References: urn:uuid fullUrls of a Bundle are resolved to the resource's
 * id; "Patient/<id>", absolute URLs and "_history" suffixes give the id;
 * conditional references ("Practitioner?identifier=<system>|<npi>") give the
 * identifier's value. Codes are normalised (core/codes.h); an invalid
 * ICD-10-CM code, a missing required element or an impossible date fails the
 * file naming the JSON pointer ("/entry/3/resource/birthDate"), with the line
 * for NDJSON.
 *
 * Order inside a Bundle: organisations, practitioners, patients, then the
 * rest, so that foreign keys hold whatever order the entries come in.
 */
#include "ingest/import_impl.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/codes.h"
#include "core/fastjson.h"
#include "core/mem.h"
#include "core/money.h"
#include "core/str.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct fctx {
    import_ctx_t *c;
    err_t *e;
    long line;     /* NDJSON line, 0 for one document */
    char ptr[128]; /* the pointer of the resource being mapped ("" at the root) */
    arena_t *a;    /* per resource */
    /* A Bundle's maps, string to string (map_put), empty outside one. */
    hmap_t urls;      /* Bundle fullUrl -> "Type/id" */
    hmap_t pract;     /* Practitioner id -> NPI */
    hmap_t role_org;  /* NPI -> organisation id (PractitionerRole) */
    hmap_t role_spec; /* NPI -> specialty code */
    hmap_t role_spec_text;
    const char *person; /* the patient of the resource being mapped */
} fctx_t;

/* Sets key to a copy of val (val may be NULL) in a string-to-string map. */
static void map_put(hmap_t *m, const char *key, const char *val)
{
    *hmap_str_put(m, key, strlen(key), NULL) = (uintptr_t)hmap_strdup(m, val);
}

/* True when key is in m; *val gets its value (may be NULL). */
static bool map_get(const hmap_t *m, const char *key, const char **val)
{
    const uint64_t *v = hmap_str_getz(m, key);
    if (!v)
        return false;
    *val = (const char *)(uintptr_t)*v;
    return true;
}

/* ---- errors and small JSON helpers ------------------------------------- */

static int ferr(fctx_t *fx, const char *sub, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int ferr(fctx_t *fx, const char *sub, const char *fmt, ...)
{
    char ptr[sizeof fx->ptr + 256];
    snprintf(ptr, sizeof ptr, "%s%s", fx->ptr, sub ? sub : "");
    if (!ptr[0])
        snprintf(ptr, sizeof ptr, "/");
    char msg[sizeof fx->e->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_at(fx->e, ERR_INPUT, fx->c->name, fx->line, 0, ptr, "%s", msg);
}

static const char *jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && *s ? s : NULL;
}

static json_t *jidx(const json_t *o, const char *key, size_t i)
{
    return json_array_get(json_object_get(o, key), i);
}

/* A FHIR date or dateTime: "2024", "2024-03", "2024-03-01", a dateTime with
 * time and offset (its date as written). Partial dates take their first day. */
static int parse_fhir_date(const char *s, date_t *out)
{
    size_t n = strlen(s);
    if (n == 4 || n == 7) {
        char full[11];
        snprintf(full, sizeof full, "%.*s%s", (int)n, s, n == 4 ? "-01-01" : "-01");
        return date_parse(full, 10, out);
    }
    if (n == 10 && s[4] == '-')
        return date_parse(s, n, out);
    if (n > 10 && s[4] == '-')
        return date_parse_prefix(s, n, out);
    return -1;
}

/* Reads o[key] as a date into *out (DATE_NONE when absent). */
static int jdate(fctx_t *fx, const json_t *o, const char *key, const char *sub, date_t *out)
{
    *out = DATE_NONE;
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return 0;
    char p[192];
    snprintf(p, sizeof p, "%s/%s", sub, key);
    if (!json_is_string(v))
        return ferr(fx, p, "must be a date string");
    if (parse_fhir_date(json_string_value(v), out) != 0)
        return ferr(fx, p, "invalid date '%.40s'", json_string_value(v));
    return 0;
}

/* The first of o[<prefix>DateTime], o[<prefix>Period].start,
 * o[<prefix>Instant], o[<prefix>Date]; *t gets the instant when a time is given. */
static int jwhen(fctx_t *fx, const json_t *o, const char *prefix, date_t *d, store_time_t *t)
{
    char key[64];
    const char *suffixes[] = { "DateTime", "Instant", "Date", "" };
    *d = DATE_NONE;
    if (t)
        *t = STORE_TIME_NONE;
    for (size_t i = 0; i < 4; i++) {
        snprintf(key, sizeof key, "%s%s", prefix, suffixes[i]);
        const char *s = jstr(o, key);
        if (!s || (i == 3 && !json_is_string(json_object_get(o, key))))
            continue;
        int rc = jdate(fx, o, key, "", d);
        if (rc != 0)
            return rc;
        if (t && strlen(s) > 10 && store_time_parse(s, strlen(s), t) != 0) {
            char p[192];
            snprintf(p, sizeof p, "/%s", key);
            return ferr(fx, p, "invalid date-time '%.40s'", s);
        }
        return 0;
    }
    snprintf(key, sizeof key, "%sPeriod", prefix);
    json_t *per = json_object_get(o, key);
    if (json_is_object(per)) {
        char sub[80];
        snprintf(sub, sizeof sub, "/%s", key);
        int rc = jdate(fx, per, "start", sub, d);
        if (rc != 0)
            return rc;
        const char *s = jstr(per, "start");
        if (t && s && strlen(s) > 10 && store_time_parse(s, strlen(s), t) != 0)
            return ferr(fx, sub, "invalid date-time '%.40s'", s);
    }
    return 0;
}

/* ---- references -------------------------------------------------------- */

/* The id a reference points at, or NULL. want: the resource type expected
 * ("Patient"), or NULL for any. */
static const char *ref_id(fctx_t *fx, const json_t *ref, const char *want)
{
    if (!json_is_object(ref))
        return NULL;
    const char *r = jstr(ref, "reference");
    if (!r) {
        /* A logical reference by identifier. */
        return jstr(json_object_get(ref, "identifier"), "value");
    }
    if (r[0] == '#')
        return NULL;
    const char *mapped;
    if (map_get(&fx->urls, r, &mapped) && mapped)
        r = mapped;
    else if (str_starts_with(r, "urn:uuid:"))
        return arena_strdup(fx->a, r + 9);
    const char *q = strchr(r, '?');
    if (q) {
        /* Conditional: Type?identifier=system|value */
        const char *bar = strchr(q, '|');
        const char *eq = strchr(q, '=');
        const char *v = bar ? bar + 1 : eq ? eq + 1 : NULL;
        return v && *v ? arena_strdup(fx->a, v) : NULL;
    }
    /* [base/]Type/id[/_history/v] */
    char *tmp = arena_strdup(fx->a, r);
    char *h = strstr(tmp, "/_history/");
    if (h)
        *h = '\0';
    char *slash = strrchr(tmp, '/');
    if (!slash)
        return tmp;
    *slash = '\0';
    const char *type = strrchr(tmp, '/');
    type = type ? type + 1 : tmp;
    if (want && strcmp(type, want) != 0 && type[0])
        return NULL;
    return slash[1] ? slash + 1 : NULL;
}

/* The patient of a resource (subject or patient), required. */
static int patient_of(fctx_t *fx, const json_t *res, const char *key, const char **out)
{
    char p[32];
    snprintf(p, sizeof p, "/%s", key);
    json_t *ref = json_object_get(res, key);
    if (!ref)
        return ferr(fx, p, "required reference to the patient missing");
    *out = ref_id(fx, ref, "Patient");
    if (!*out)
        return ferr(fx, p, "reference does not name a Patient");
    fx->person = *out;
    return 0;
}

/* The NPI a practitioner reference names, when it can be known. */
static const char *npi_of(fctx_t *fx, const json_t *ref)
{
    if (!json_is_object(ref))
        return NULL;
    const char *r = jstr(ref, "reference");
    if (r && strchr(r, '?'))
        return strstr(r, "us-npi") ? ref_id(fx, ref, NULL) : NULL;
    if (!r) {
        json_t *id = json_object_get(ref, "identifier");
        const char *sys = jstr(id, "system");
        return sys && strstr(sys, "npi") ? jstr(id, "value") : NULL;
    }
    const char *id = ref_id(fx, ref, "Practitioner");
    const char *npi;
    if (id && map_get(&fx->pract, id, &npi))
        return npi;
    return NULL;
}

/* ---- codes --------------------------------------------------------------- */

static code_system_t system_of(const char *uri)
{
    if (!uri)
        return CODE_UNKNOWN;
    code_system_t s = code_system_from_uri(uri);
    if (s != CODE_UNKNOWN)
        return s;
    /* Beyond the table (core/codes.h), this importer's leniency: WHO ICD-10
     * read as ICD-10-CM (Blue Button sends it so), and any other HCPCS
     * address. */
    if (strcmp(uri, "http://hl7.org/fhir/sid/icd-10") == 0)
        return CODE_ICD10CM;
    if (strstr(uri, "hcpcs") || strstr(uri, "HCPCS"))
        return CODE_CPT_HCPCS;
    return CODE_UNKNOWN;
}

/* Picks a coding of a CodeableConcept (sub: its pointer) in the order of
 * prefs (CODE_UNKNOWN ends the list; then any coding). Strict for ICD-10-CM:
 * an invalid code fails; other systems keep a code that does not validate. */
static int pick_code(fctx_t *fx, const json_t *cc, const char *sub, const code_system_t *prefs,
                     const char **system, const char **code)
{
    *system = *code = NULL;
    json_t *codings = json_object_get(cc, "coding");
    size_t n = json_array_size(codings);
    int best = -1, best_rank = 1000;
    for (size_t i = 0; i < n; i++) {
        json_t *cd = json_array_get(codings, i);
        if (!jstr(cd, "code"))
            continue;
        code_system_t s = system_of(jstr(cd, "system"));
        int rank = 999;
        for (int k = 0; prefs && prefs[k] != CODE_UNKNOWN; k++)
            if (prefs[k] == s) {
                rank = k;
                break;
            }
        if (rank < best_rank) {
            best_rank = rank;
            best = (int)i;
        }
    }
    if (best < 0)
        return 0;
    json_t *cd = json_array_get(codings, (size_t)best);
    const char *raw = jstr(cd, "code");
    const char *uri = jstr(cd, "system");
    code_system_t s = system_of(uri);
    char out[CODE_MAX];
    if (s != CODE_UNKNOWN && code_norm(s, raw, strlen(raw), out, sizeof out) == 0) {
        *code = arena_strdup(fx->a, out);
    } else if (s == CODE_ICD10CM) {
        /* An ICD-10-PCS code sent under an ICD-10 system (Blue Button). */
        if (code_norm_icd10pcs(raw, strlen(raw), out, sizeof out) == 0 && prefs &&
            prefs[0] == CODE_ICD10PCS) {
            *code = arena_strdup(fx->a, out);
            *system = code_system_name(CODE_ICD10PCS);
            return 0;
        }
        char p[192];
        snprintf(p, sizeof p, "%s/coding/%d/code", sub, best);
        return ferr(fx, p, "invalid ICD-10-CM code '%.30s'", raw);
    } else {
        size_t len = strlen(raw);
        const char *t = raw;
        str_trim(&t, &len);
        *code = arena_strndup(fx->a, t, len);
    }
    *system = s != CODE_UNKNOWN ? code_system_name(s) : (uri ? arena_strdup(fx->a, uri) : NULL);
    return 0;
}

static const char *first_code(const json_t *cc)
{
    return jstr(jidx(cc, "coding", 0), "code");
}

/* The codes of every coding of a CodeableConcept or an array of them
 * (Observation.category, MedicationRequest.category) joined with '|' in the
 * order written, each once (store.h); NULL when none. A code holding '|' or
 * past the list's room is left out. */
static const char *all_codes(fctx_t *fx, const json_t *v)
{
    char list[256] = "";
    size_t n = json_is_array(v) ? json_array_size(v) : json_is_object(v) ? 1 : 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *cc = json_is_array(v) ? json_array_get(v, i) : v;
        json_t *codings = json_object_get(cc, "coding");
        for (size_t j = 0; j < json_array_size(codings); j++) {
            const char *code = jstr(json_array_get(codings, j), "code");
            if (code)
                (void)store_list_add(list, sizeof list, code);
        }
    }
    return list[0] ? arena_strdup(fx->a, list) : NULL;
}

/* A Quantity's value into *value and its unit (UCUM code, else the unit
 * text) into *unit; nothing when it has no numeric value. */
static void quantity_of(const json_t *q, double *value, const char **unit)
{
    json_t *v = json_object_get(q, "value");
    if (!json_is_number(v))
        return;
    *value = json_number_value(v);
    *unit = jstr(q, "code") ? jstr(q, "code") : jstr(q, "unit");
}

static int require_code(fctx_t *fx, const json_t *res, const char *key, const code_system_t *prefs,
                        const char **system, const char **code)
{
    char p[192];
    snprintf(p, sizeof p, "/%s", key);
    json_t *cc = json_object_get(res, key);
    if (!cc)
        return ferr(fx, p, "required code missing");
    int rc = pick_code(fx, cc, p, prefs, system, code);
    if (rc == 0 && !*code)
        return ferr(fx, p, "no coding with a code");
    return rc;
}

/* ---- store calls --------------------------------------------------------- */

static int stored(fctx_t *fx, int rc, import_kind_t k, const char *sub)
{
    if (rc != 0 && fx->e->code == ERR_DB && fx->person &&
        fx->e->constraint == ERR_CONSTRAINT_FOREIGN_KEY) {
        /* The store buffers puts: the record at fault is this one or an
         * earlier one of the same batch. */
        err_at(fx->e, ERR_INPUT, fx->c->name, fx->line, 0, NULL,
               "a record at or before this one names a patient that is neither stored nor in "
               "this file (load the Patient resources first)");
        return rc;
    }
    if (rc != 0) {
        /* A store error (a patient not loaded, ...) still names the place. */
        char msg[sizeof fx->e->msg + sizeof fx->e->field + 4];
        char ptr[sizeof fx->ptr + 64];
        snprintf(msg, sizeof msg, "%s%s%s", fx->e->field, fx->e->field[0] ? ": " : "", fx->e->msg);
        snprintf(ptr, sizeof ptr, "%s%s", fx->ptr, sub ? sub : "");
        err_at(fx->e, fx->e->code == ERR_DB ? ERR_INPUT : fx->e->code, fx->c->name, fx->line, 0,
               ptr[0] ? ptr : "/", "%s", msg);
        return rc;
    }
    fx->c->r->counts[k]++;
    return 0;
}

static const char *resource_id(fctx_t *fx, const json_t *res)
{
    return jstr(res, "id");
}

static int need_id(fctx_t *fx, const json_t *res, const char **id)
{
    *id = resource_id(fx, res);
    if (!*id)
        return ferr(fx, "/id", "required resource id missing");
    return 0;
}

/* ---- resources ----------------------------------------------------------- */

static const json_t *pick_name(const json_t *res)
{
    json_t *names = json_object_get(res, "name");
    for (size_t i = 0; i < json_array_size(names); i++) {
        const char *use = jstr(json_array_get(names, i), "use");
        if (use && strcmp(use, "official") == 0)
            return json_array_get(names, i);
    }
    return json_array_get(names, 0);
}

static const char *ext_text(fctx_t *fx, const json_t *res, const char *url_suffix)
{
    json_t *exts = json_object_get(res, "extension");
    for (size_t i = 0; i < json_array_size(exts); i++) {
        json_t *x = json_array_get(exts, i);
        const char *url = jstr(x, "url");
        if (!url || !str_ends_with(url, url_suffix))
            continue;
        json_t *subs = json_object_get(x, "extension");
        const char *omb = NULL;
        for (size_t k = 0; k < json_array_size(subs); k++) {
            json_t *s = json_array_get(subs, k);
            const char *u = jstr(s, "url");
            if (u && strcmp(u, "text") == 0 && jstr(s, "valueString"))
                return jstr(s, "valueString");
            if (u && strcmp(u, "ombCategory") == 0 && !omb)
                omb = jstr(json_object_get(s, "valueCoding"), "display");
        }
        return omb;
    }
    return NULL;
}

static void address_of(fctx_t *fx, const json_t *res, const char **line, const char **city,
                       const char **state, const char **zip)
{
    json_t *ad = jidx(res, "address", 0);
    json_t *lines = json_object_get(ad, "line");
    if (json_array_size(lines) > 0) {
        buf_t b = BUF_INIT;
        for (size_t i = 0; i < json_array_size(lines); i++) {
            const char *l = json_string_value(json_array_get(lines, i));
            if (l)
                buf_printf(&b, "%s%s", b.len ? ", " : "", l);
        }
        *line = arena_strdup(fx->a, buf_cstr(&b));
        buf_free(&b);
    }
    *city = jstr(ad, "city");
    *state = jstr(ad, "state");
    *zip = jstr(ad, "postalCode");
}

static const char *telecom(const json_t *res, const char *system)
{
    json_t *t = json_object_get(res, "telecom");
    for (size_t i = 0; i < json_array_size(t); i++) {
        const char *s = jstr(json_array_get(t, i), "system");
        if (s && strcmp(s, system) == 0)
            return jstr(json_array_get(t, i), "value");
    }
    return NULL;
}

static int map_patient(fctx_t *fx, const json_t *res)
{
    store_patient_t p;
    store_patient_init(&p);
    int rc;
    if ((rc = need_id(fx, res, &p.person_id)) != 0)
        return rc;
    const json_t *nm = pick_name(res);
    p.last_name = jstr(nm, "family");
    p.first_name = json_string_value(jidx(nm, "given", 0));
    p.middle_name = json_string_value(jidx(nm, "given", 1));
    p.name_suffix = json_string_value(jidx(nm, "suffix", 0));
    const char *g = jstr(res, "gender");
    if (g) {
        if (strcmp(g, "male") == 0 || strcmp(g, "female") == 0 || strcmp(g, "unknown") == 0)
            p.gender = g;
        else if (strcmp(g, "other") == 0)
            p.gender = "unknown";
        else
            return ferr(fx, "/gender", "invalid gender '%.20s'", g);
    }
    if ((rc = jdate(fx, res, "birthDate", "", &p.birth_date)) != 0 ||
        (rc = jdate(fx, res, "deceasedDateTime", "", &p.death_date)) != 0)
        return rc;
    json_t *dec = json_object_get(res, "deceasedBoolean");
    if (p.death_date != DATE_NONE)
        p.death_flag = 1;
    else if (json_is_boolean(dec))
        p.death_flag = json_is_true(dec) ? 1 : 0;
    p.race = ext_text(fx, res, "us-core-race");
    p.ethnicity = ext_text(fx, res, "us-core-ethnicity");
    address_of(fx, res, &p.address, &p.city, &p.state, &p.zip_code);
    p.phone = telecom(res, "phone");
    p.email = telecom(res, "email");
    p.data_source = "fhir";
    return stored(fx, store_put_patient(fx->c->s, &p, fx->e), IK_PATIENT, NULL);
}

static const code_system_t PREF_ENC[] = { CODE_CPT_HCPCS, CODE_SNOMED, CODE_UNKNOWN };
static const code_system_t PREF_DX[] = { CODE_ICD10CM, CODE_SNOMED, CODE_UNKNOWN };
static const code_system_t PREF_OBS[] = { CODE_LOINC, CODE_SNOMED, CODE_UNKNOWN };
static const code_system_t PREF_PROC[] = { CODE_CPT_HCPCS, CODE_ICD10PCS, CODE_SNOMED,
                                           CODE_UNKNOWN };
static const code_system_t PREF_MED[] = { CODE_RXNORM, CODE_NDC, CODE_UNKNOWN };
static const code_system_t PREF_VAX[] = { CODE_CVX, CODE_UNKNOWN };

static int map_encounter(fctx_t *fx, const json_t *res)
{
    store_encounter_t en;
    store_encounter_init(&en);
    int rc;
    if ((rc = need_id(fx, res, &en.encounter_id)) != 0 ||
        (rc = patient_of(fx, res, "subject", &en.person_id)) != 0)
        return rc;
    en.status = jstr(res, "status");
    json_t *cls = json_object_get(res, "class");
    en.class_code = jstr(json_is_array(cls) ? json_array_get(cls, 0) : cls, "code");
    json_t *type = jidx(res, "type", 0);
    if (type && (rc = pick_code(fx, type, "/type/0", PREF_ENC, &en.type_system, &en.type_code)))
        return rc;
    json_t *per = json_object_get(res, "period");
    if ((rc = jdate(fx, per, "start", "/period", &en.start_date)) != 0 ||
        (rc = jdate(fx, per, "end", "/period", &en.end_date)) != 0)
        return rc;
    json_t *parts = json_object_get(res, "participant");
    for (size_t i = 0; i < json_array_size(parts) && !en.practitioner_npi; i++)
        en.practitioner_npi = npi_of(fx, json_object_get(json_array_get(parts, i), "individual"));
    en.organization_id = ref_id(fx, json_object_get(res, "serviceProvider"), "Organization");
    json_t *reason = jidx(res, "reasonCode", 0);
    if (reason &&
        (rc = pick_code(fx, reason, "/reasonCode/0", PREF_DX, &en.reason_system, &en.reason_code)))
        return rc;
    en.discharge_disposition = first_code(
        json_object_get(json_object_get(res, "hospitalization"), "dischargeDisposition"));
    en.data_source = "fhir";
    return stored(fx, store_put_encounter(fx->c->s, &en, fx->e), IK_ENCOUNTER, NULL);
}

static int map_condition(fctx_t *fx, const json_t *res)
{
    store_condition_t cd;
    store_condition_init(&cd);
    int rc;
    if ((rc = need_id(fx, res, &cd.condition_id)) != 0 ||
        (rc = patient_of(fx, res, "subject", &cd.person_id)) != 0 ||
        (rc = require_code(fx, res, "code", PREF_DX, &cd.code_system, &cd.code)) != 0)
        return rc;
    cd.encounter_id = ref_id(fx, json_object_get(res, "encounter"), "Encounter");
    cd.category = first_code(jidx(res, "category", 0));
    cd.clinical_status = first_code(json_object_get(res, "clinicalStatus"));
    cd.verification_status = first_code(json_object_get(res, "verificationStatus"));
    if ((rc = jwhen(fx, res, "onset", &cd.onset_date, NULL)) != 0 ||
        (rc = jwhen(fx, res, "abatement", &cd.abatement_date, NULL)) != 0 ||
        (rc = jdate(fx, res, "recordedDate", "", &cd.recorded_date)) != 0)
        return rc;
    cd.data_source = "fhir";
    return stored(fx, store_put_condition(fx->c->s, &cd, fx->e), IK_CONDITION, NULL);
}

/* The value[x] of an observation or component into o; false when none. */
static bool obs_value(fctx_t *fx, const json_t *v, store_observation_t *o)
{
    json_t *q = json_object_get(v, "valueQuantity");
    if (json_is_object(q) && json_is_number(json_object_get(q, "value"))) {
        o->value_num = json_number_value(json_object_get(q, "value"));
        o->value_unit = jstr(q, "code") ? jstr(q, "code") : jstr(q, "unit");
        return true;
    }
    json_t *cc = json_object_get(v, "valueCodeableConcept");
    if (json_is_object(cc)) {
        json_t *cd = jidx(cc, "coding", 0);
        code_system_t s = system_of(jstr(cd, "system"));
        o->value_system = s != CODE_UNKNOWN ? code_system_name(s) : jstr(cd, "system");
        o->value_code = jstr(cd, "code");
        o->value_text = jstr(cd, "display") ? jstr(cd, "display") : jstr(cc, "text");
        return true;
    }
    if (jstr(v, "valueString")) {
        o->value_text = jstr(v, "valueString");
        return true;
    }
    json_t *n = json_object_get(v, "valueInteger");
    if (json_is_integer(n)) {
        o->value_num = (double)json_integer_value(n);
        return true;
    }
    json_t *b = json_object_get(v, "valueBoolean");
    if (json_is_boolean(b)) {
        o->value_text = json_is_true(b) ? "true" : "false";
        return true;
    }
    (void)fx;
    return false;
}

static int map_observation(fctx_t *fx, const json_t *res)
{
    store_observation_t o;
    store_observation_init(&o);
    int rc;
    const char *id;
    if ((rc = need_id(fx, res, &id)) != 0 ||
        (rc = patient_of(fx, res, "subject", &o.person_id)) != 0 ||
        (rc = require_code(fx, res, "code", PREF_OBS, &o.code_system, &o.code)) != 0)
        return rc;
    o.observation_id = id;
    o.encounter_id = ref_id(fx, json_object_get(res, "encounter"), "Encounter");
    o.status = jstr(res, "status");
    o.category = all_codes(fx, json_object_get(res, "category"));
    if ((rc = jwhen(fx, res, "effective", &o.effective_date, &o.effective_time)) != 0)
        return rc;
    o.data_source = "fhir";
    json_t *comps = json_object_get(res, "component");
    bool has_value = obs_value(fx, res, &o);
    if (has_value || json_array_size(comps) == 0) {
        if ((rc = stored(fx, store_put_observation(fx->c->s, &o, fx->e), IK_OBSERVATION, NULL)))
            return rc;
    }
    /* A panel: one row per component, id "<id>/<component code>". */
    for (size_t i = 0; i < json_array_size(comps); i++) {
        json_t *cp = json_array_get(comps, i);
        store_observation_t r = o;
        r.value_num = NAN;
        r.value_unit = r.value_system = r.value_code = r.value_text = NULL;
        char sub[48];
        snprintf(sub, sizeof sub, "/component/%zu/code", i);
        json_t *cc = json_object_get(cp, "code");
        if (!cc)
            return ferr(fx, sub, "required code missing");
        if ((rc = pick_code(fx, cc, sub, PREF_OBS, &r.code_system, &r.code)) != 0)
            return rc;
        if (!r.code)
            return ferr(fx, sub, "no coding with a code");
        if (!obs_value(fx, cp, &r))
            continue;
        r.observation_id = arena_printf(fx->a, "%s/%s", id, r.code);
        snprintf(sub, sizeof sub, "/component/%zu", i);
        if ((rc = stored(fx, store_put_observation(fx->c->s, &r, fx->e), IK_OBSERVATION, sub)))
            return rc;
    }
    return 0;
}

static int map_procedure(fctx_t *fx, const json_t *res)
{
    store_procedure_t p;
    store_procedure_init(&p);
    int rc;
    if ((rc = need_id(fx, res, &p.procedure_id)) != 0 ||
        (rc = patient_of(fx, res, "subject", &p.person_id)) != 0 ||
        (rc = require_code(fx, res, "code", PREF_PROC, &p.code_system, &p.code)) != 0)
        return rc;
    p.encounter_id = ref_id(fx, json_object_get(res, "encounter"), "Encounter");
    p.status = jstr(res, "status");
    if ((rc = jwhen(fx, res, "performed", &p.performed_date, NULL)) != 0)
        return rc;
    p.performer_npi = npi_of(fx, json_object_get(jidx(res, "performer", 0), "actor"));
    p.data_source = "fhir";
    return stored(fx, store_put_procedure(fx->c->s, &p, fx->e), IK_PROCEDURE, NULL);
}

static int map_medication(fctx_t *fx, const json_t *res, const char *kind)
{
    store_medication_t m;
    store_medication_init(&m);
    int rc;
    if ((rc = need_id(fx, res, &m.medication_id)) != 0 ||
        (rc = patient_of(fx, res, "subject", &m.person_id)) != 0)
        return rc;
    m.kind = kind;
    m.status = jstr(res, "status");
    json_t *cc = json_object_get(res, "medicationCodeableConcept");
    if (cc && (rc = pick_code(fx, cc, "/medicationCodeableConcept", PREF_MED, &m.code_system,
                              &m.code)) != 0)
        return rc;
    if (!cc && !json_object_get(res, "medicationReference"))
        return ferr(fx, "/medicationCodeableConcept", "required medication missing");
    m.encounter_id = ref_id(fx, json_object_get(res, "encounter"), "Encounter");
    if (!m.encounter_id)
        m.encounter_id = ref_id(fx, json_object_get(res, "context"), "Encounter");
    if (strcmp(kind, "request") == 0) {
        if ((rc = jdate(fx, res, "authoredOn", "", &m.start_date)) != 0)
            return rc;
        json_t *dur =
            json_object_get(json_object_get(res, "dispenseRequest"), "expectedSupplyDuration");
        if (json_is_number(json_object_get(dur, "value")))
            m.days_supply = (int64_t)llround(json_number_value(json_object_get(dur, "value")));
        m.prescriber_npi = npi_of(fx, json_object_get(res, "requester"));
        m.dosage_text = jstr(jidx(res, "dosageInstruction", 0), "text");
    } else if (strcmp(kind, "statement") == 0) {
        if ((rc = jwhen(fx, res, "effective", &m.start_date, NULL)) != 0)
            return rc;
        json_t *per = json_object_get(res, "effectivePeriod");
        if (per && (rc = jdate(fx, per, "end", "/effectivePeriod", &m.end_date)) != 0)
            return rc;
        m.dosage_text = jstr(jidx(res, "dosage", 0), "text");
    } else {
        if ((rc = jdate(fx, res, "whenHandedOver", "", &m.start_date)) != 0)
            return rc;
        json_t *ds = json_object_get(res, "daysSupply");
        if (json_is_number(json_object_get(ds, "value")))
            m.days_supply = (int64_t)llround(json_number_value(json_object_get(ds, "value")));
        m.dosage_text = jstr(jidx(res, "dosageInstruction", 0), "text");
    }
    /* The order details (migration 3): the first dosage, as the eCQM
     * libraries read it (singleton from dosageInstruction). */
    m.category = all_codes(fx, json_object_get(res, "category"));
    json_t *dosage = jidx(res, strcmp(kind, "statement") == 0 ? "dosage" : "dosageInstruction", 0);
    json_t *dr = jidx(dosage, "doseAndRate", 0);
    quantity_of(json_object_get(dr, "doseQuantity"), &m.dose_value, &m.dose_unit);
    if (!json_object_get(dr, "doseQuantity")) /* a range: its high end (CMD: end of doseRange) */
        quantity_of(json_object_get(json_object_get(dr, "doseRange"), "high"), &m.dose_value,
                    &m.dose_unit);
    json_t *rep = json_object_get(json_object_get(dosage, "timing"), "repeat");
    json_t *freq = json_object_get(rep, "frequency");
    if (json_is_integer(freq))
        m.frequency = json_integer_value(freq);
    if (json_is_number(json_object_get(rep, "period")))
        m.period = json_number_value(json_object_get(rep, "period"));
    m.period_unit = jstr(rep, "periodUnit");
    if (strcmp(kind, "request") == 0) {
        json_t *disp = json_object_get(res, "dispenseRequest");
        m.intent = jstr(res, "intent");
        json_t *rpt = json_object_get(disp, "numberOfRepeatsAllowed");
        if (json_is_integer(rpt))
            m.refills = json_integer_value(rpt);
        quantity_of(json_object_get(disp, "quantity"), &m.quantity, &m.quantity_unit);
    } else if (strcmp(kind, "dispense") == 0) {
        quantity_of(json_object_get(res, "quantity"), &m.quantity, &m.quantity_unit);
    }
    m.data_source = "fhir";
    return stored(fx, store_put_medication(fx->c->s, &m, fx->e), IK_MEDICATION, NULL);
}

static int map_immunization(fctx_t *fx, const json_t *res)
{
    store_immunization_t im;
    store_immunization_init(&im);
    int rc;
    if ((rc = need_id(fx, res, &im.immunization_id)) != 0 ||
        (rc = patient_of(fx, res, "patient", &im.person_id)) != 0 ||
        (rc = require_code(fx, res, "vaccineCode", PREF_VAX, &im.code_system, &im.code)) != 0)
        return rc;
    im.encounter_id = ref_id(fx, json_object_get(res, "encounter"), "Encounter");
    im.status = jstr(res, "status");
    if ((rc = jwhen(fx, res, "occurrence", &im.occurrence_date, NULL)) != 0)
        return rc;
    im.data_source = "fhir";
    return stored(fx, store_put_immunization(fx->c->s, &im, fx->e), IK_IMMUNIZATION, NULL);
}

static const char *identifier(const json_t *res, const char *needle)
{
    json_t *ids = json_object_get(res, "identifier");
    for (size_t i = 0; i < json_array_size(ids); i++) {
        const char *sys = jstr(json_array_get(ids, i), "system");
        if (sys && strstr(sys, needle))
            return jstr(json_array_get(ids, i), "value");
    }
    return NULL;
}

static int map_organization(fctx_t *fx, const json_t *res)
{
    store_organization_t o;
    store_organization_init(&o);
    int rc;
    if ((rc = need_id(fx, res, &o.organization_id)) != 0)
        return rc;
    o.name = jstr(res, "name");
    o.npi = identifier(res, "us-npi");
    o.tin = identifier(res, "2.16.840.1.113883.4.4");
    o.organization_type = first_code(jidx(res, "type", 0));
    address_of(fx, res, &o.address, &o.city, &o.state, &o.zip_code);
    o.phone = telecom(res, "phone");
    o.parent_organization_id = ref_id(fx, json_object_get(res, "partOf"), "Organization");
    o.data_source = "fhir";
    if ((rc = stored(fx, store_put_organization(fx->c->s, &o, fx->e), IK_ORGANIZATION, NULL)))
        return rc;
    import_org_add(fx->c, o.organization_id);
    return 0;
}

static int map_practitioner(fctx_t *fx, const json_t *res)
{
    store_practitioner_t p;
    store_practitioner_init(&p);
    p.npi = identifier(res, "us-npi");
    if (!p.npi) {
        fx->c->r->ignored++; /* the store keys practitioners by NPI */
        return 0;
    }
    const json_t *nm = pick_name(res);
    p.last_name = jstr(nm, "family");
    p.first_name = json_string_value(jidx(nm, "given", 0));
    p.credential = json_string_value(jidx(nm, "suffix", 0));
    const char *org = NULL, *spec = NULL, *spec_text = NULL;
    if (map_get(&fx->role_org, p.npi, &org) && org) {
        int rc = 0;
        bool known = import_org_known(fx->c, org, fx->e);
        if (fx->e->code != ERR_OK)
            return rc = fx->e->code;
        if (known)
            p.organization_id = org;
    }
    map_get(&fx->role_spec, p.npi, &spec);
    map_get(&fx->role_spec_text, p.npi, &spec_text);
    p.specialty_code = spec;
    p.specialty = spec_text;
    p.data_source = "fhir";
    return stored(fx, store_put_practitioner(fx->c->s, &p, fx->e), IK_PRACTITIONER, NULL);
}

/* ---- ExplanationOfBenefit ------------------------------------------------ */

typedef enum { AMT_NONE, AMT_PAID, AMT_ALLOWED, AMT_CHARGE, AMT_COINS, AMT_COPAY, AMT_DED } amt_t;

/* Blue Button adjudication variables and the CARIN/FHIR adjudication codes. */
static amt_t amount_kind(const char *code)
{
    static const struct {
        const char *code;
        amt_t kind;
    } map[] = {
        { "line_nch_pmt_amt", AMT_PAID },
        { "rev_cntr_pmt_amt_amt", AMT_PAID },
        { "cvrd_d_plan_pd_amt", AMT_PAID },
        { "benefit", AMT_PAID },
        { "paidtoprovider", AMT_PAID },
        { "line_alowd_chrg_amt", AMT_ALLOWED },
        { "eligible", AMT_ALLOWED },
        { "line_sbmtd_chrg_amt", AMT_CHARGE },
        { "rev_cntr_tot_chrg_amt", AMT_CHARGE },
        { "tot_rx_cst_amt", AMT_CHARGE },
        { "submitted", AMT_CHARGE },
        { "line_coinsrnc_amt", AMT_COINS },
        { "rev_cntr_coinsrnc_wge_adjstd_c", AMT_COINS },
        { "coinsurance", AMT_COINS },
        { "copay", AMT_COPAY },
        { "ptnt_pay_amt", AMT_COPAY },
        { "line_bene_ptb_ddctbl_amt", AMT_DED },
        { "rev_cntr_cash_ddctbl_amt", AMT_DED },
        { "deductible", AMT_DED },
    };
    if (!code)
        return AMT_NONE;
    const char *slash = strrchr(code, '/');
    const char *k = slash ? slash + 1 : code;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(k, map[i].code) == 0)
            return map[i].kind;
    return AMT_NONE;
}

/* A Money value in dollars to cents. */
static int money_of(fctx_t *fx, const json_t *money, const char *sub, money_t *out)
{
    json_t *v = json_object_get(money, "value");
    char p[256];
    snprintf(p, sizeof p, "%s/value", sub);
    if (!json_is_number(v))
        return ferr(fx, p, "amount must be a number");
    double d = json_number_value(v) * 100.0;
    if (!isfinite(d) || fabs(d) > 9e15)
        return ferr(fx, p, "amount out of range");
    /* FHIR decimals; Synthea writes computed amounts with more than two
     * decimals: rounded half away from zero to the cent. */
    *out = (money_t)llround(d);
    return 0;
}

typedef struct eob_amounts {
    money_t v[AMT_DED + 1];
} eob_amounts_t;

static int item_amounts(fctx_t *fx, const json_t *item, const char *sub, eob_amounts_t *a)
{
    for (int k = 0; k <= AMT_DED; k++)
        a->v[k] = STORE_MONEY_NONE;
    json_t *adj = json_object_get(item, "adjudication");
    for (size_t i = 0; i < json_array_size(adj); i++) {
        json_t *x = json_array_get(adj, i);
        amt_t k = amount_kind(first_code(json_object_get(x, "category")));
        json_t *amount = json_object_get(x, "amount");
        if (k == AMT_NONE || !amount)
            continue;
        char p[192];
        snprintf(p, sizeof p, "%s/adjudication/%zu/amount", sub, i);
        money_t m = 0;
        int rc = money_of(fx, amount, p, &m);
        if (rc != 0)
            return rc;
        if (a->v[k] == STORE_MONEY_NONE)
            a->v[k] = m;
    }
    return 0;
}

static const char *eob_claim_type(const json_t *res, bool *pharmacy)
{
    json_t *codings = json_object_get(json_object_get(res, "type"), "coding");
    const char *type = NULL;
    *pharmacy = false;
    for (size_t i = 0; i < json_array_size(codings); i++) {
        const char *code = jstr(json_array_get(codings, i), "code");
        const char *sys = jstr(json_array_get(codings, i), "system");
        if (!code)
            continue;
        if (strcmp(code, "PDE") == 0 || strcmp(code, "pharmacy") == 0)
            *pharmacy = true;
        else if (strcmp(code, "DME") == 0)
            return "dme";
        else if (sys && (strstr(sys, "claim-type") || strstr(sys, "claimtype")) &&
                 (strcmp(code, "institutional") == 0 || strcmp(code, "professional") == 0))
            type = code;
    }
    return type ? type : "professional";
}

/* The code of the first coding of cc in system sys (a coding without a
 * system counts as sys); codes of other systems (Synthea's SNOMED CT items,
 * RxNorm fills) are not claim codes. Returns NULL when there is none. */
static const char *coded_in(const json_t *cc, code_system_t sys, size_t *idx)
{
    json_t *codings = json_object_get(cc, "coding");
    for (size_t i = 0; i < json_array_size(codings); i++) {
        json_t *cd = json_array_get(codings, i);
        const char *uri = jstr(cd, "system");
        if (jstr(cd, "code") && (!uri || system_of(uri) == sys)) {
            *idx = i;
            return jstr(cd, "code");
        }
    }
    return NULL;
}

/* The NPI of careTeam member with the given sequence (or role "primary"). */
static const char *care_team_npi(const json_t *res, json_int_t seq)
{
    json_t *ct = json_object_get(res, "careTeam");
    for (size_t i = 0; i < json_array_size(ct); i++) {
        json_t *m = json_array_get(ct, i);
        json_t *s = json_object_get(m, "sequence");
        const char *role = first_code(json_object_get(m, "role"));
        bool match = seq > 0 ? json_integer_value(s) == seq : role && strcmp(role, "primary") == 0;
        if (!match)
            continue;
        json_t *id = json_object_get(json_object_get(m, "provider"), "identifier");
        const char *sys = jstr(id, "system");
        if (sys && strstr(sys, "npi"))
            return jstr(id, "value");
    }
    return NULL;
}

static int map_eob(fctx_t *fx, const json_t *res)
{
    int rc;
    const char *claim_id, *person;
    if ((rc = need_id(fx, res, &claim_id)) != 0 ||
        (rc = patient_of(fx, res, "patient", &person)) != 0)
        return rc;
    bool pharmacy;
    const char *ctype = eob_claim_type(res, &pharmacy);
    json_t *bp = json_object_get(res, "billablePeriod");
    date_t start, end;
    if ((rc = jdate(fx, bp, "start", "/billablePeriod", &start)) != 0 ||
        (rc = jdate(fx, bp, "end", "/billablePeriod", &end)) != 0)
        return rc;
    json_t *items = json_object_get(res, "item");
    if (json_array_size(items) == 0)
        return ferr(fx, "/item", "an ExplanationOfBenefit without items has no claim lines");
    const char *facility =
        jstr(json_object_get(json_object_get(res, "facility"), "identifier"), "value");
    const char *billing = npi_of(fx, json_object_get(res, "provider"));
    if (!billing)
        billing =
            jstr(json_object_get(json_object_get(res, "organization"), "identifier"), "value");
    const char *primary = care_team_npi(res, 0);

    if (pharmacy) {
        for (size_t i = 0; i < json_array_size(items); i++) {
            json_t *it = json_array_get(items, i);
            char sub[48];
            snprintf(sub, sizeof sub, "/item/%zu", i);
            store_rx_claim_t x;
            store_rx_claim_init(&x);
            x.claim_id = claim_id;
            x.person_id = person;
            json_t *seq = json_object_get(it, "sequence");
            x.claim_line_number = json_is_integer(seq) ? json_integer_value(seq) : (int64_t)i + 1;
            json_t *svc = json_object_get(it, "productOrService");
            if (!svc)
                svc = json_object_get(it, "service");
            size_t ci = 0;
            const char *ndc = coded_in(svc, CODE_NDC, &ci);
            char out[CODE_MAX];
            if (ndc) {
                if (code_norm_ndc(ndc, strlen(ndc), out, sizeof out) != 0) {
                    char p[192];
                    snprintf(p, sizeof p, "%s/%s/coding/%zu/code", sub,
                             json_object_get(it, "productOrService") ? "productOrService"
                                                                     : "service",
                             ci);
                    return ferr(fx, p, "invalid NDC '%.20s'", ndc);
                }
                x.ndc_code = arena_strdup(fx->a, out);
            }
            json_t *q = json_object_get(it, "quantity");
            if (json_is_number(json_object_get(q, "value")))
                x.quantity = json_number_value(json_object_get(q, "value"));
            json_t *qx = json_object_get(q, "extension");
            for (size_t k = 0; k < json_array_size(qx); k++) {
                const char *url = jstr(json_array_get(qx, k), "url");
                json_t *vq = json_object_get(json_array_get(qx, k), "valueQuantity");
                if (url && strstr(url, "days_suply_num") &&
                    json_is_number(json_object_get(vq, "value")))
                    x.days_supply =
                        (int64_t)llround(json_number_value(json_object_get(vq, "value")));
            }
            if ((rc = jdate(fx, it, "servicedDate", sub, &x.dispensing_date)) != 0)
                return rc;
            if (x.dispensing_date == DATE_NONE)
                x.dispensing_date = start;
            eob_amounts_t a;
            if ((rc = item_amounts(fx, it, sub, &a)) != 0)
                return rc;
            x.paid_amount = a.v[AMT_PAID];
            x.allowed_amount = a.v[AMT_ALLOWED];
            x.charge_amount = a.v[AMT_CHARGE];
            x.coinsurance_amount = a.v[AMT_COINS];
            x.copayment_amount = a.v[AMT_COPAY];
            x.deductible_amount = a.v[AMT_DED];
            x.prescribing_provider_npi = primary;
            x.dispensing_provider_npi = facility;
            x.data_source = "bluebutton";
            if ((rc = stored(fx, store_put_rx_claim(fx->c->s, &x, fx->e), IK_RX_CLAIM_LINE, sub)))
                return rc;
        }
        return 0;
    }

    store_med_claim_t m;
    store_med_claim_init(&m);
    m.claim_id = claim_id;
    m.person_id = person;
    m.claim_type = ctype;
    m.claim_start_date = start;
    m.claim_end_date = end;
    json_t *hosp = json_object_get(res, "hospitalization");
    if ((rc = jdate(fx, hosp, "start", "/hospitalization", &m.admission_date)) != 0 ||
        (rc = jdate(fx, hosp, "end", "/hospitalization", &m.discharge_date)) != 0)
        return rc;
    m.facility_npi = facility;
    m.billing_npi = billing;
    m.diagnosis_code_type = "icd-10-cm";
    json_t *dx = json_object_get(res, "diagnosis");
    int ndx = 0;
    for (size_t i = 0; i < json_array_size(dx) && ndx < STORE_CLAIM_DX; i++) {
        char sub[64];
        snprintf(sub, sizeof sub, "/diagnosis/%zu/diagnosisCodeableConcept", i);
        json_t *cc = json_object_get(json_array_get(dx, i), "diagnosisCodeableConcept");
        const char *sys, *code;
        if (!cc)
            continue;
        if ((rc = pick_code(fx, cc, sub, PREF_DX, &sys, &code)) != 0)
            return rc;
        if (code)
            m.diagnosis_code[ndx++] = code;
    }
    json_t *px = json_object_get(res, "procedure");
    static const code_system_t PREF_PCS[] = { CODE_ICD10PCS, CODE_UNKNOWN };
    int npx = 0;
    for (size_t i = 0; i < json_array_size(px) && npx < STORE_CLAIM_PX; i++) {
        char sub[64];
        snprintf(sub, sizeof sub, "/procedure/%zu", i);
        json_t *p = json_array_get(px, i);
        json_t *cc = json_object_get(p, "procedureCodeableConcept");
        const char *sys, *code;
        char ccp[96];
        snprintf(ccp, sizeof ccp, "%s/procedureCodeableConcept", sub);
        if (!cc)
            continue;
        if ((rc = pick_code(fx, cc, ccp, PREF_PCS, &sys, &code)) != 0)
            return rc;
        if (!code)
            continue;
        if ((rc = jdate(fx, p, "date", sub, &m.procedure_date[npx])) != 0)
            return rc;
        m.procedure_code[npx++] = code;
    }
    if (npx)
        m.procedure_code_type = "icd-10-pcs";
    m.data_source = "bluebutton";
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *it = json_array_get(items, i);
        char sub[48];
        snprintf(sub, sizeof sub, "/item/%zu", i);
        json_t *seq = json_object_get(it, "sequence");
        m.claim_line_number = json_is_integer(seq) ? json_integer_value(seq) : (int64_t)i + 1;
        m.revenue_center_code = first_code(json_object_get(it, "revenue"));
        json_t *svc = json_object_get(it, "productOrService");
        if (!svc)
            svc = json_object_get(it, "service");
        size_t ci = 0;
        const char *hcpcs = coded_in(svc, CODE_CPT_HCPCS, &ci);
        m.hcpcs_code = NULL;
        if (hcpcs) {
            char out[CODE_MAX];
            if (code_norm_hcpcs(hcpcs, strlen(hcpcs), out, sizeof out) != 0) {
                char p[192];
                snprintf(p, sizeof p, "%s/%s/coding/%zu/code", sub,
                         json_object_get(it, "productOrService") ? "productOrService" : "service",
                         ci);
                return ferr(fx, p, "invalid CPT/HCPCS code '%.20s'", hcpcs);
            }
            m.hcpcs_code = arena_strdup(fx->a, out);
        }
        json_t *mods = json_object_get(it, "modifier");
        for (int k = 0; k < STORE_CLAIM_MODS; k++)
            m.hcpcs_modifier[k] = first_code(json_array_get(mods, (size_t)k));
        json_t *q = json_object_get(it, "quantity");
        m.service_unit_quantity = json_is_number(json_object_get(q, "value"))
                                      ? json_number_value(json_object_get(q, "value"))
                                      : NAN;
        json_t *sp = json_object_get(it, "servicedPeriod");
        if ((rc = jdate(fx, sp, "start", sub, &m.claim_line_start_date)) != 0 ||
            (rc = jdate(fx, sp, "end", sub, &m.claim_line_end_date)) != 0)
            return rc;
        if (m.claim_line_start_date == DATE_NONE) {
            if ((rc = jdate(fx, it, "servicedDate", sub, &m.claim_line_start_date)) != 0)
                return rc;
            m.claim_line_end_date = m.claim_line_start_date;
        }
        m.place_of_service_code = first_code(json_object_get(it, "locationCodeableConcept"));
        json_t *link = jidx(it, "careTeamLinkId", 0);
        if (!link)
            link = jidx(it, "careTeamSequence", 0);
        m.rendering_npi =
            json_is_integer(link) ? care_team_npi(res, json_integer_value(link)) : primary;
        eob_amounts_t a;
        if ((rc = item_amounts(fx, it, sub, &a)) != 0)
            return rc;
        m.paid_amount = a.v[AMT_PAID];
        m.allowed_amount = a.v[AMT_ALLOWED];
        m.charge_amount = a.v[AMT_CHARGE];
        m.coinsurance_amount = a.v[AMT_COINS];
        m.copayment_amount = a.v[AMT_COPAY];
        m.deductible_amount = a.v[AMT_DED];
        if ((rc = stored(fx, store_put_med_claim(fx->c->s, &m, fx->e), IK_MED_CLAIM_LINE, sub)))
            return rc;
    }
    return 0;
}

/* ---- dispatch -------------------------------------------------------------- */

/* Load order inside a Bundle: parents first. */
static int rank_of(const char *type)
{
    if (!type)
        return 3;
    if (strcmp(type, "Organization") == 0)
        return 0;
    if (strcmp(type, "Practitioner") == 0)
        return 1;
    if (strcmp(type, "Patient") == 0)
        return 2;
    return 3;
}

static int map_resource(fctx_t *fx, const json_t *res)
{
    if (!json_is_object(res))
        return ferr(fx, NULL, "a resource must be a JSON object");
    const char *type = jstr(res, "resourceType");
    if (!type)
        return ferr(fx, "/resourceType", "required resourceType missing");
    fx->c->r->records++;
    fx->person = NULL;
    arena_reset(fx->a);
    if (strcmp(type, "Patient") == 0)
        return map_patient(fx, res);
    if (strcmp(type, "Encounter") == 0)
        return map_encounter(fx, res);
    if (strcmp(type, "Condition") == 0)
        return map_condition(fx, res);
    if (strcmp(type, "Observation") == 0)
        return map_observation(fx, res);
    if (strcmp(type, "Procedure") == 0)
        return map_procedure(fx, res);
    if (strcmp(type, "MedicationRequest") == 0)
        return map_medication(fx, res, "request");
    if (strcmp(type, "MedicationStatement") == 0)
        return map_medication(fx, res, "statement");
    if (strcmp(type, "MedicationDispense") == 0)
        return map_medication(fx, res, "dispense");
    if (strcmp(type, "Immunization") == 0)
        return map_immunization(fx, res);
    if (strcmp(type, "Organization") == 0)
        return map_organization(fx, res);
    if (strcmp(type, "Practitioner") == 0)
        return map_practitioner(fx, res);
    if (strcmp(type, "ExplanationOfBenefit") == 0)
        return map_eob(fx, res);
    if (strcmp(type, "Bundle") == 0)
        return ferr(fx, NULL, "a Bundle inside a Bundle is not supported");
    fx->c->r->ignored++;
    return 0;
}

static void fctx_init(fctx_t *fx, import_ctx_t *c, err_t *e)
{
    memset(fx, 0, sizeof *fx);
    fx->c = c;
    fx->e = e;
    fx->a = arena_new(0);
}

static void fctx_free(fctx_t *fx)
{
    arena_free(fx->a);
    hmap_free(&fx->urls);
    hmap_free(&fx->pract);
    hmap_free(&fx->role_org);
    hmap_free(&fx->role_spec);
    hmap_free(&fx->role_spec_text);
}

static int load_bundle(fctx_t *fx, json_t *b)
{
    const char *btype = jstr(b, "type");
    if (!btype)
        return ferr(fx, "/type", "required Bundle type missing");
    json_t *entries = json_object_get(b, "entry");
    if (entries && !json_is_array(entries))
        return ferr(fx, "/entry", "must be an array");
    size_t n = json_array_size(entries);
    hmap_init_str(&fx->urls, n, true);
    hmap_init_str(&fx->pract, 0, true);
    hmap_init_str(&fx->role_org, 0, true);
    hmap_init_str(&fx->role_spec, 0, true);
    hmap_init_str(&fx->role_spec_text, 0, true);
    /* Pass 1: what the entries are called, and practitioners' roles. */
    for (size_t i = 0; i < n; i++) {
        json_t *en = json_array_get(entries, i);
        json_t *res = json_object_get(en, "resource");
        const char *type = jstr(res, "resourceType");
        const char *url = jstr(en, "fullUrl");
        if (!type)
            continue;
        const char *id = jstr(res, "id");
        if (!id && url && str_starts_with(url, "urn:uuid:")) {
            /* A transaction entry without an id: its urn:uuid names it. */
            json_object_set_new(res, "id", json_string(url + 9));
            id = jstr(res, "id");
        }
        if (url && id) {
            char *v = arena_printf(fx->a, "%s/%s", type, id);
            map_put(&fx->urls, url, v);
        }
        if (strcmp(type, "Practitioner") == 0 && id) {
            const char *npi = identifier(res, "us-npi");
            if (npi)
                map_put(&fx->pract, id, npi);
        } else if (strcmp(type, "PractitionerRole") == 0) {
            const char *npi = npi_of(fx, json_object_get(res, "practitioner"));
            if (npi) {
                const char *org = ref_id(fx, json_object_get(res, "organization"), "Organization");
                if (org)
                    map_put(&fx->role_org, npi, org);
                json_t *sp = jidx(res, "specialty", 0);
                if (first_code(sp))
                    map_put(&fx->role_spec, npi, first_code(sp));
                const char *txt = jstr(sp, "text");
                if (!txt)
                    txt = jstr(jidx(sp, "coding", 0), "display");
                if (txt)
                    map_put(&fx->role_spec_text, npi, txt);
            }
        }
    }
    /* Pass 2..: parents first. */
    for (int rank = 0; rank <= 3; rank++) {
        for (size_t i = 0; i < n; i++) {
            json_t *en = json_array_get(entries, i);
            if (!json_is_object(en)) {
                snprintf(fx->ptr, sizeof fx->ptr, "/entry/%zu", i);
                return ferr(fx, NULL, "an entry must be a JSON object");
            }
            json_t *res = json_object_get(en, "resource");
            if (!res) {
                /* A DELETE in a transaction, or a search outcome: nothing to load. */
                if (rank == 3)
                    fx->c->r->ignored++;
                continue;
            }
            if (rank_of(jstr(res, "resourceType")) != rank)
                continue;
            const char *method = jstr(json_object_get(en, "request"), "method");
            snprintf(fx->ptr, sizeof fx->ptr, "/entry/%zu/resource", i);
            if (method && strcmp(method, "DELETE") == 0) {
                fx->c->r->ignored++;
                continue;
            }
            int rc = map_resource(fx, res);
            if (rc != 0)
                return rc;
            if ((i & 255) == 0 && (rc = import_tick(fx->c, fx->c->len * i / (n ? n : 1), fx->e)))
                return rc;
        }
    }
    fx->ptr[0] = '\0';
    return 0;
}

int fhir_load_json(import_ctx_t *c, err_t *e)
{
    json_error_t je;
    json_t *root = fastjson_parse_strict(c->buf, c->len, &je);
    if (!root)
        return err_at(e, ERR_INPUT, c->name, je.line > 0 ? je.line : 0,
                      je.column > 0 ? je.column : 0, NULL, "invalid JSON: %s", je.text);
    fctx_t fx;
    fctx_init(&fx, c, e);
    /* A document on one line (one NDJSON resource) is on line 1. */
    const char *nl = memchr(c->buf, '\n', c->len);
    if (!nl || (size_t)(nl - c->buf) + 1 >= c->len)
        fx.line = 1;
    int rc;
    const char *type = json_is_object(root) ? jstr(root, "resourceType") : NULL;
    if (!json_is_object(root))
        rc = ferr(&fx, NULL, "not a FHIR resource: the document is not a JSON object");
    else if (!type)
        rc = ferr(&fx, "/resourceType", "not a FHIR resource: resourceType missing");
    else if (strcmp(type, "Bundle") == 0)
        rc = load_bundle(&fx, root);
    else
        rc = map_resource(&fx, root);
    fctx_free(&fx);
    json_decref(root);
    return rc;
}

int fhir_load_ndjson(import_ctx_t *c, err_t *e)
{
    fctx_t fx;
    fctx_init(&fx, c, e);
    size_t pos = 0;
    long line = 1;
    int rc = 0;
    if (c->len >= 3 && (unsigned char)c->buf[0] == 0xEF && (unsigned char)c->buf[1] == 0xBB &&
        (unsigned char)c->buf[2] == 0xBF)
        pos = 3;
    while (pos < c->len) {
        char *nl = memchr(c->buf + pos, '\n', c->len - pos);
        size_t end = nl ? (size_t)(nl - c->buf) : c->len;
        size_t k = pos;
        while (k < end && (c->buf[k] == ' ' || c->buf[k] == '\t' || c->buf[k] == '\r'))
            k++;
        if (k < end) {
            json_error_t je;
            json_t *res = fastjson_parse_strict(c->buf + pos, end - pos, &je);
            if (!res) {
                rc = err_at(e, ERR_INPUT, c->name, line, je.column > 0 ? je.column : 0, NULL,
                            "invalid JSON: %s", je.text);
                break;
            }
            fx.line = line;
            fx.ptr[0] = '\0';
            rc = map_resource(&fx, res);
            json_decref(res);
            if (rc != 0)
                break;
            if ((line & 255) == 0 && (rc = import_tick(c, end, e)) != 0)
                break;
        }
        pos = end + 1;
        line++;
    }
    fctx_free(&fx);
    return rc;
}
