/* store_source.c — the store as a patient source (population.h).
 *
 * Each patient's QI-Core-shaped FHIR is built from the store's rows:
 *   patient       -> Patient (gender, birthDate, deceasedDateTime)
 *   encounter     -> Encounter (class, type, period, status)
 *   condition     -> Condition (category, clinical/verification status, onset,
 *                    abatement, recordedDate)
 *   observation   -> Observation, one category per code of the stored
 *                    '|'-joined list; a blood-pressure panel stored as one row per
 *                    component ("<id>/8480-6", "<id>/8462-4") is re-assembled
 *                    into one 85354-9 Observation with two components
 *   procedure     -> Procedure (performedDateTime)
 *   medication    -> MedicationRequest (intent, category, dosageInstruction,
 *                    dispenseRequest: numberOfRepeatsAllowed, quantity,
 *                    expectedSupplyDuration) / MedicationDispense (RxNorm
 *                    codes)
 *   immunization  -> Immunization (CVX)
 * and from claims (docs/measures.md, "Claims as FHIR"):
 *   medical claim line with a CPT/HCPCS code -> an Encounter whose type is the
 *                    code (class AMB for professional claims, IMP for
 *                    institutional claims with an admission) and a Procedure
 *                    with the same code (procedure value sets hold CPT/HCPCS)
 *   claim diagnoses (once per claim) -> Conditions, category
 *                    encounter-diagnosis, onset the claim's start
 *   ICD-10-PCS procedure codes -> Procedures
 *   pharmacy claims: none — the eCQM medication value sets hold RxNorm codes
 *                    only, never NDC.
 *
 * Windows: the store's scans are per table in natural-key order, not per
 * patient, so the source scans every table once per window of patients
 * (population.h window) and keeps the window's resources as JSON text per
 * patient; workers parse a patient's text when they load it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/codes.h"
#include "core/mem.h"
#include "core/str.h"
#include "core/fastjson.h"
#include "measures/population.h"

typedef struct stsrc {
    mpop_source_t base;
    store_t *st;
    char **ids; /* person_id, sorted (the patient scan's order) */
    size_t n, cap;
    size_t lo, hi; /* the loaded window */
    buf_t *text;   /* [hi - lo]: NDJSON of each patient */
    /* the blood-pressure panel being assembled (observation scan order puts
     * "<id>/8462-4" and "<id>/8480-6" next to each other) */
    char panel_id[256];
    size_t panel_pat;
    buf_t panel; /* the shared fields */
    buf_t comps; /* the components */
    /* claims: the claim whose diagnoses were emitted last */
    char last_claim[256];
} stsrc_t;

/* ---- code systems: store short names to the URIs the eCQM value sets use ---- */

/* A store short name becomes its URI (core/codes.h); a URI, or a name the
 * table does not know, is written as stored. */
static const char *system_uri(const char *sys, const char *code)
{
    if (!sys || !sys[0])
        return NULL;
    code_system_t s = code_system_from_name(sys);
    return s != CODE_UNKNOWN ? code_system_uri_for(s, code) : sys;
}

/* ---- JSON text helpers ---- */

static void jkey(buf_t *b, const char *k)
{
    if (b->len && b->data[b->len - 1] != '{')
        buf_putc(b, ',');
    buf_json_str(b, k, strlen(k));
    buf_putc(b, ':');
}

static void jstr(buf_t *b, const char *k, const char *v)
{
    if (!v || !v[0])
        return;
    jkey(b, k);
    buf_json_str(b, v, strlen(v));
}

static void jdate(buf_t *b, const char *k, date_t d)
{
    if (d == DATE_NONE)
        return;
    char s[DATE_FMT_LEN];
    date_format(d, s);
    jstr(b, k, s);
}

static void jcoding(buf_t *b, const char *sys, const char *code)
{
    char dotted[CODE_MAX + 2];
    if (sys && !strcmp(sys, "ICD10CM") && code_icd10cm_dotted(code, dotted, sizeof dotted) == 0)
        code = dotted; /* the value sets carry ICD-10-CM with its dot */
    buf_puts(b, "{\"coding\":[{");
    size_t mark = b->len;
    const char *uri = system_uri(sys, code);
    if (uri) {
        buf_puts(b, "\"system\":");
        buf_json_str(b, uri, strlen(uri));
    }
    if (b->len > mark)
        buf_putc(b, ',');
    buf_puts(b, "\"code\":");
    buf_json_str(b, code, strlen(code));
    buf_puts(b, "}]}");
}

static void jcc(buf_t *b, const char *k, const char *sys, const char *code)
{
    if (!code || !code[0])
        return;
    jkey(b, k);
    jcoding(b, sys, code);
}

/* "category": one CodeableConcept per code of codes, a '|'-joined list
 * (store.h: observation.category "social-history|survey"). */
static void jcat(buf_t *b, const char *sys, const char *codes)
{
    if (!codes || !codes[0])
        return;
    jkey(b, "category");
    buf_putc(b, '[');
    bool first = true;
    for (const char *p = codes; p;) {
        const char *end = strchr(p, '|');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > 0) {
            buf_puts(b, first ? "{\"coding\":[{\"system\":" : ",{\"coding\":[{\"system\":");
            buf_json_str(b, sys, strlen(sys));
            buf_puts(b, ",\"code\":");
            buf_json_str(b, p, n);
            buf_puts(b, "}]}");
            first = false;
        }
        p = end ? end + 1 : NULL;
    }
    buf_putc(b, ']');
}

/* A UCUM Quantity {"value":v,"unit":u,"system":...,"code":u}; the unit
 * parts only when u is given. */
static void jquantity(buf_t *b, const char *k, double v, const char *unit)
{
    if (isnan(v))
        return;
    jkey(b, k);
    buf_printf(b, "{\"value\":%.15g", v);
    if (unit && unit[0]) {
        jstr(b, "unit", unit);
        jstr(b, "system", "http://unitsofmeasure.org");
        jstr(b, "code", unit);
    }
    buf_putc(b, '}');
}

static void jref(buf_t *b, const char *k, const char *type, const char *id)
{
    if (!id || !id[0])
        return;
    jkey(b, k);
    buf_puts(b, "{\"reference\":\"");
    buf_puts(b, type);
    buf_putc(b, '/');
    buf_t tmp = BUF_INIT; /* escape the id */
    buf_json_str(&tmp, id, strlen(id));
    buf_append(b, tmp.data + 1, tmp.len - 2);
    buf_free(&tmp);
    buf_puts(b, "\"}");
}

static void jstatus_cc(buf_t *b, const char *k, const char *sys, const char *code)
{
    if (!code || !code[0])
        return;
    jkey(b, k);
    buf_puts(b, "{\"coding\":[{\"system\":");
    buf_json_str(b, sys, strlen(sys));
    buf_puts(b, ",\"code\":");
    buf_json_str(b, code, strlen(code));
    buf_puts(b, "}]}");
}

static void jperiod(buf_t *b, const char *k, date_t s, date_t e)
{
    if (s == DATE_NONE && e == DATE_NONE)
        return;
    jkey(b, k);
    buf_putc(b, '{');
    jdate(b, "start", s);
    jdate(b, "end", e);
    buf_putc(b, '}');
}

/* ---- patient lookup ---- */

static buf_t *patient_buf(stsrc_t *S, const char *pid, size_t *ord)
{
    if (!pid)
        return NULL;
    size_t lo = 0, hi = S->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(S->ids[mid], pid);
        if (c == 0) {
            if (mid < S->lo || mid >= S->hi)
                return NULL;
            if (ord)
                *ord = mid;
            return &S->text[mid - S->lo];
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static void begin(buf_t *b, const char *type, const char *id, const char *pid)
{
    buf_puts(b, "{\"resourceType\":\"");
    buf_puts(b, type);
    buf_putc(b, '"');
    jstr(b, "id", id);
    jref(b, "subject", "Patient", pid);
}

/* ---- scans ---- */

static int on_patient(void *ctx, const store_patient_t *r, err_t *e)
{
    (void)e;
    stsrc_t *S = ctx;
    buf_t *b = patient_buf(S, r->person_id, NULL);
    if (!b)
        return 0;
    buf_puts(b, "{\"resourceType\":\"Patient\"");
    jstr(b, "id", r->person_id);
    if (r->gender)
        jstr(b, "gender",
             !strcmp(r->gender, "male")     ? "male"
             : !strcmp(r->gender, "female") ? "female"
                                            : "unknown");
    jdate(b, "birthDate", r->birth_date);
    jdate(b, "deceasedDateTime", r->death_date);
    buf_puts(b, "}\n");
    return 0;
}

static int on_encounter(void *ctx, const store_encounter_t *r, err_t *e)
{
    (void)e;
    stsrc_t *S = ctx;
    buf_t *b = patient_buf(S, r->person_id, NULL);
    if (!b)
        return 0;
    begin(b, "Encounter", r->encounter_id, r->person_id);
    jstr(b, "status", r->status ? r->status : "finished");
    if (r->class_code) { /* class is a Coding */
        jkey(b, "class");
        buf_puts(b, "{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActCode\",\"code\":");
        buf_json_str(b, r->class_code, strlen(r->class_code));
        buf_putc(b, '}');
    }
    if (r->type_code) {
        jkey(b, "type");
        buf_putc(b, '[');
        jcoding(b, r->type_system, r->type_code);
        buf_putc(b, ']');
    }
    jperiod(b, "period", r->start_date, r->end_date != DATE_NONE ? r->end_date : r->start_date);
    buf_puts(b, "}\n");
    return 0;
}

static int on_condition(void *ctx, const store_condition_t *r, err_t *e)
{
    (void)e;
    stsrc_t *S = ctx;
    buf_t *b = patient_buf(S, r->person_id, NULL);
    if (!b || !r->code)
        return 0;
    begin(b, "Condition", r->condition_id, r->person_id);
    jstatus_cc(b, "clinicalStatus", "http://terminology.hl7.org/CodeSystem/condition-clinical",
               r->clinical_status);
    jstatus_cc(b, "verificationStatus",
               "http://terminology.hl7.org/CodeSystem/condition-ver-status",
               r->verification_status);
    jcat(b, "http://terminology.hl7.org/CodeSystem/condition-category",
         r->category ? r->category : "problem-list-item");
    jcc(b, "code", r->code_system, r->code);
    jref(b, "encounter", "Encounter", r->encounter_id);
    jdate(b, "onsetDateTime", r->onset_date);
    jdate(b, "abatementDateTime", r->abatement_date);
    jdate(b, "recordedDate", r->recorded_date);
    buf_puts(b, "}\n");
    return 0;
}

static void obs_common(buf_t *b, const store_observation_t *r, const char *id)
{
    begin(b, "Observation", id, r->person_id);
    jstr(b, "status", r->status ? r->status : "final");
    jcat(b, "http://terminology.hl7.org/CodeSystem/observation-category", r->category);
    jref(b, "encounter", "Encounter", r->encounter_id);
    if (r->effective_time != STORE_TIME_NONE) {
        char t[STORE_TIME_FMT_LEN];
        store_time_format(r->effective_time, t);
        jstr(b, "effectiveDateTime", t);
    } else {
        jdate(b, "effectiveDateTime", r->effective_date);
    }
}

static void obs_value(buf_t *b, const store_observation_t *r)
{
    if (!isnan(r->value_num)) {
        jkey(b, "valueQuantity");
        buf_printf(b, "{\"value\":%.15g", r->value_num);
        if (r->value_unit && r->value_unit[0]) {
            jstr(b, "unit", r->value_unit);
            jstr(b, "system", "http://unitsofmeasure.org");
            jstr(b, "code", r->value_unit);
        }
        buf_putc(b, '}');
    } else if (r->value_code) {
        jcc(b, "valueCodeableConcept", r->value_system, r->value_code);
    } else if (r->value_text) {
        jstr(b, "valueString", r->value_text);
    }
}

static void panel_flush(stsrc_t *S)
{
    if (!S->panel_id[0])
        return;
    buf_t *b = &S->text[S->panel_pat - S->lo];
    buf_append(b, S->panel.data, S->panel.len);
    buf_puts(b,
             ",\"code\":{\"coding\":[{\"system\":\"" CODE_URI_LOINC "\",\"code\":\"85354-9\"}]}");
    buf_puts(b, ",\"component\":[");
    buf_append(b, S->comps.data, S->comps.len);
    buf_puts(b, "]}\n");
    S->panel_id[0] = 0;
    buf_reset(&S->panel);
    buf_reset(&S->comps);
}

static int on_observation(void *ctx, const store_observation_t *r, err_t *e)
{
    (void)e;
    stsrc_t *S = ctx;
    size_t ord;
    buf_t *b = patient_buf(S, r->person_id, &ord);
    const char *slash = r->observation_id ? strrchr(r->observation_id, '/') : NULL;
    bool comp = slash && r->code && (!strcmp(r->code, "8480-6") || !strcmp(r->code, "8462-4")) &&
                !strcmp(slash + 1, r->code);
    size_t baselen = comp ? (size_t)(slash - r->observation_id) : 0;
    if (!comp || strlen(S->panel_id) != baselen ||
        strncmp(S->panel_id, r->observation_id, baselen) != 0)
        panel_flush(S);
    if (!b || !r->code)
        return 0;
    if (comp) { /* a component of a blood-pressure panel */
        if (!S->panel_id[0]) {
            snprintf(S->panel_id, sizeof S->panel_id, "%.*s", (int)baselen, r->observation_id);
            S->panel_pat = ord;
            char id[256];
            snprintf(id, sizeof id, "%.*s", (int)baselen, r->observation_id);
            buf_reset(&S->panel);
            obs_common(&S->panel, r, id);
        } else {
            buf_putc(&S->comps, ',');
        }
        buf_puts(&S->comps, "{\"code\":");
        jcoding(&S->comps, "LOINC", r->code);
        buf_t *c = &S->comps;
        obs_value(c, r); /* ,"valueQuantity":{...} */
        buf_putc(c, '}');
        return 0;
    }
    obs_common(b, r, r->observation_id);
    jcc(b, "code", r->code_system, r->code);
    obs_value(b, r);
    buf_puts(b, "}\n");
    return 0;
}

static int on_procedure(void *ctx, const store_procedure_t *r, err_t *e)
{
    (void)e;
    stsrc_t *S = ctx;
    buf_t *b = patient_buf(S, r->person_id, NULL);
    if (!b || !r->code)
        return 0;
    begin(b, "Procedure", r->procedure_id, r->person_id);
    jstr(b, "status", r->status ? r->status : "completed");
    jcc(b, "code", r->code_system, r->code);
    jref(b, "encounter", "Encounter", r->encounter_id);
    jdate(b, "performedDateTime", r->performed_date);
    buf_puts(b, "}\n");
    return 0;
}

/* dosageInstruction: the stored first dosage (text, timing.repeat,
 * doseAndRate[0].doseQuantity), as the eCQM libraries read it. */
static void med_dosage(buf_t *b, const store_medication_t *r)
{
    bool timing = r->frequency != STORE_INT_NONE || !isnan(r->period) || r->period_unit;
    if (!(r->dosage_text && r->dosage_text[0]) && !timing && isnan(r->dose_value))
        return;
    jkey(b, "dosageInstruction");
    buf_puts(b, "[{");
    jstr(b, "text", r->dosage_text);
    if (timing) {
        jkey(b, "timing");
        buf_puts(b, "{\"repeat\":{");
        if (r->frequency != STORE_INT_NONE) {
            jkey(b, "frequency");
            buf_printf(b, "%lld", (long long)r->frequency);
        }
        if (!isnan(r->period)) {
            jkey(b, "period");
            buf_printf(b, "%.15g", r->period);
        }
        jstr(b, "periodUnit", r->period_unit);
        buf_puts(b, "}}");
    }
    if (!isnan(r->dose_value)) {
        jkey(b, "doseAndRate");
        buf_putc(b, '[');
        buf_putc(b, '{');
        jquantity(b, "doseQuantity", r->dose_value, r->dose_unit);
        buf_puts(b, "}]");
    }
    buf_puts(b, "}]");
}

static void jdays(buf_t *b, const char *k, int64_t days)
{
    if (days == STORE_INT_NONE || days <= 0)
        return;
    jkey(b, k);
    buf_printf(b,
               "{\"value\":%lld,\"unit\":\"d\",\"system\":\"http://unitsofmeasure.org\""
               ",\"code\":\"d\"}",
               (long long)days);
}

static int on_medication(void *ctx, const store_medication_t *r, err_t *e)
{
    (void)e;
    stsrc_t *S = ctx;
    buf_t *b = patient_buf(S, r->person_id, NULL);
    if (!b || !r->code || !r->kind)
        return 0;
    bool dispense = !strcmp(r->kind, "dispense");
    if (!dispense && strcmp(r->kind, "request") != 0)
        return 0; /* statements: no measure of the set reads them */
    begin(b, dispense ? "MedicationDispense" : "MedicationRequest", r->medication_id, r->person_id);
    jstr(b, "status", r->status ? r->status : (dispense ? "completed" : "active"));
    if (!dispense) /* rows stored before migration 3 have no intent: orders */
        jstr(b, "intent", r->intent ? r->intent : "order");
    if (!dispense)
        jcat(b, "http://terminology.hl7.org/CodeSystem/medicationrequest-category", r->category);
    jcc(b, "medicationCodeableConcept", r->code_system, r->code);
    jref(b, "encounter", "Encounter", r->encounter_id);
    jdate(b, dispense ? "whenHandedOver" : "authoredOn", r->start_date);
    if (dispense) {
        jquantity(b, "quantity", r->quantity, r->quantity_unit);
        jdays(b, "daysSupply", r->days_supply);
        med_dosage(b, r);
    } else {
        med_dosage(b, r);
        bool supply = r->days_supply != STORE_INT_NONE && r->days_supply > 0;
        if (supply || r->refills != STORE_INT_NONE || !isnan(r->quantity)) {
            jkey(b, "dispenseRequest");
            buf_putc(b, '{');
            if (r->refills != STORE_INT_NONE) {
                jkey(b, "numberOfRepeatsAllowed");
                buf_printf(b, "%lld", (long long)r->refills);
            }
            jquantity(b, "quantity", r->quantity, r->quantity_unit);
            jdays(b, "expectedSupplyDuration", r->days_supply);
            buf_putc(b, '}');
        }
    }
    buf_puts(b, "}\n");
    return 0;
}

static int on_immunization(void *ctx, const store_immunization_t *r, err_t *e)
{
    (void)e;
    stsrc_t *S = ctx;
    buf_t *b = patient_buf(S, r->person_id, NULL);
    if (!b || !r->code)
        return 0;
    buf_puts(b, "{\"resourceType\":\"Immunization\"");
    jstr(b, "id", r->immunization_id);
    jref(b, "patient", "Patient", r->person_id);
    jstr(b, "status", r->status ? r->status : "completed");
    jcc(b, "vaccineCode", r->code_system ? r->code_system : "CVX", r->code);
    jdate(b, "occurrenceDateTime", r->occurrence_date);
    buf_puts(b, "}\n");
    return 0;
}

/* A claim line: an Encounter typed by its CPT/HCPCS code and a Procedure
 * with the code; the claim's diagnoses and ICD-10-PCS procedures once per
 * claim. */
static int on_med_claim(void *ctx, const store_med_claim_t *r, err_t *e)
{
    (void)e;
    stsrc_t *S = ctx;
    buf_t *b = patient_buf(S, r->person_id, NULL);
    if (!b || !r->claim_id)
        return 0;
    char id[300];
    date_t start =
        r->claim_line_start_date != DATE_NONE ? r->claim_line_start_date : r->claim_start_date;
    date_t end = r->claim_line_end_date != DATE_NONE ? r->claim_line_end_date : r->claim_end_date;
    if (end == DATE_NONE)
        end = start;
    bool inst = r->claim_type && !strcmp(r->claim_type, "institutional");
    if (r->hcpcs_code && r->hcpcs_code[0] && start != DATE_NONE) {
        snprintf(id, sizeof id, "claim-%s-%lld", r->claim_id, (long long)r->claim_line_number);
        begin(b, "Encounter", id, r->person_id);
        jstr(b, "status", "finished");
        jkey(b, "class");
        buf_printf(b,
                   "{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActCode\","
                   "\"code\":\"%s\"}",
                   inst && r->admission_date != DATE_NONE ? "IMP" : "AMB");
        jkey(b, "type");
        buf_putc(b, '[');
        jcoding(b, "HCPCS", r->hcpcs_code);
        buf_putc(b, ']');
        jperiod(b, "period", start, end);
        buf_puts(b, "}\n");
        snprintf(id, sizeof id, "claim-%s-%lld-px", r->claim_id, (long long)r->claim_line_number);
        begin(b, "Procedure", id, r->person_id);
        jstr(b, "status", "completed");
        jcc(b, "code", "HCPCS", r->hcpcs_code);
        jdate(b, "performedDateTime", start);
        buf_puts(b, "}\n");
    }
    if (!strcmp(S->last_claim, r->claim_id))
        return 0;
    snprintf(S->last_claim, sizeof S->last_claim, "%s", r->claim_id);
    bool icd10 = !r->diagnosis_code_type || !strcmp(r->diagnosis_code_type, "icd-10-cm");
    for (int k = 0; icd10 && k < STORE_CLAIM_DX; k++) {
        if (!r->diagnosis_code[k] || !r->diagnosis_code[k][0])
            continue;
        snprintf(id, sizeof id, "claim-%s-dx%d", r->claim_id, k + 1);
        begin(b, "Condition", id, r->person_id);
        /* active from the claim on (no abatement): prevalenceInterval of
         * QICoreCommon is open-ended, hence unknown, without a status */
        jstatus_cc(b, "clinicalStatus", "http://terminology.hl7.org/CodeSystem/condition-clinical",
                   "active");
        jcat(b, "http://terminology.hl7.org/CodeSystem/condition-category", "encounter-diagnosis");
        jcc(b, "code", "ICD10CM", r->diagnosis_code[k]);
        jdate(b, "onsetDateTime", r->claim_start_date);
        jdate(b, "recordedDate", r->claim_start_date);
        buf_puts(b, "}\n");
    }
    bool pcs = !r->procedure_code_type || !strcmp(r->procedure_code_type, "icd-10-pcs");
    for (int k = 0; pcs && k < STORE_CLAIM_PX; k++) {
        if (!r->procedure_code[k] || !r->procedure_code[k][0])
            continue;
        snprintf(id, sizeof id, "claim-%s-px%d", r->claim_id, k + 1);
        begin(b, "Procedure", id, r->person_id);
        jstr(b, "status", "completed");
        jcc(b, "code", "ICD10PCS", r->procedure_code[k]);
        jdate(b, "performedDateTime",
              r->procedure_date[k] != DATE_NONE ? r->procedure_date[k] : r->claim_start_date);
        buf_puts(b, "}\n");
    }
    return 0;
}

/* ---- the source ---- */

static int on_patient_id(void *ctx, const store_patient_t *r, err_t *e)
{
    (void)e;
    stsrc_t *S = ctx;
    if (!r->person_id)
        return 0;
    if (S->n == S->cap) {
        S->cap = S->cap ? S->cap * 2 : 1024;
        S->ids = mem_realloc(S->ids, S->cap * sizeof *S->ids);
    }
    S->ids[S->n++] = mem_strdup(r->person_id);
    return 0;
}

static size_t st_count(mpop_source_t *src)
{
    return ((stsrc_t *)src)->n;
}

static void free_window(stsrc_t *S)
{
    for (size_t i = 0; S->text && i < S->hi - S->lo; i++)
        buf_free(&S->text[i]);
    mem_free(S->text);
    S->text = NULL;
    S->lo = S->hi = 0;
}

static int st_window(mpop_source_t *src, size_t lo, size_t hi, err_t *e)
{
    stsrc_t *S = (stsrc_t *)src;
    free_window(S);
    S->lo = lo;
    S->hi = hi;
    S->text = mem_calloc(hi > lo ? hi - lo : 1, sizeof *S->text);
    for (size_t i = 0; i < hi - lo; i++)
        buf_init(&S->text[i], 0);
    S->last_claim[0] = 0;
    S->panel_id[0] = 0;
    int rc = store_scan_patient(S->st, on_patient, S, e);
    if (!rc)
        rc = store_scan_encounter(S->st, on_encounter, S, e);
    if (!rc)
        rc = store_scan_condition(S->st, on_condition, S, e);
    if (!rc)
        rc = store_scan_observation(S->st, on_observation, S, e);
    panel_flush(S);
    if (!rc)
        rc = store_scan_procedure(S->st, on_procedure, S, e);
    if (!rc)
        rc = store_scan_medication(S->st, on_medication, S, e);
    if (!rc)
        rc = store_scan_immunization(S->st, on_immunization, S, e);
    if (!rc)
        rc = store_scan_med_claim(S->st, on_med_claim, S, e);
    return rc;
}

static int st_load(mpop_source_t *src, size_t i, fhir_patient_t *out, err_t *e)
{
    stsrc_t *S = (stsrc_t *)src;
    memset(out, 0, sizeof *out);
    out->id = mem_strdup(S->ids[i]);
    if (i < S->lo || i >= S->hi)
        return err_set(e, ERR_INTERNAL, "store source: patient %zu outside the window", i);
    const buf_t *b = &S->text[i - S->lo];
    const char *p = b->data, *end = b->data + b->len;
    while (p && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        json_error_t je;
        json_t *j = fastjson_parse(p, len, &je);
        if (!j)
            return err_set(e, ERR_INTERNAL, "store source: patient %s: %s: %.*s", S->ids[i],
                           je.text, (int)(len < 200 ? len : 200), p);
        if (out->n == out->cap) {
            out->cap = out->cap ? out->cap * 2 : 64;
            out->res = mem_realloc(out->res, out->cap * sizeof *out->res);
        }
        out->res[out->n++] = j;
        p = nl ? nl + 1 : end;
    }
    return 0;
}

static void st_close(mpop_source_t *src)
{
    stsrc_t *S = (stsrc_t *)src;
    free_window(S);
    for (size_t i = 0; i < S->n; i++)
        mem_free(S->ids[i]);
    mem_free(S->ids);
    buf_free(&S->panel);
    buf_free(&S->comps);
    mem_free(S);
}

int mpop_source_store(store_t *st, mpop_source_t **out, err_t *e)
{
    stsrc_t *S = mem_calloc(1, sizeof *S);
    S->base.count = st_count;
    S->base.window = st_window;
    S->base.window_size = 20000;
    S->base.load = st_load;
    S->base.close = st_close;
    S->st = st;
    buf_init(&S->panel, 0);
    buf_init(&S->comps, 0);
    int rc = store_scan_patient(st, on_patient_id, S, e);
    if (rc) {
        st_close(&S->base);
        return rc;
    }
    *out = &S->base;
    return 0;
}
