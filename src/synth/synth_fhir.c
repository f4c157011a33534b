/* synth_fhir.c — FHIR R4 resources, one per line (Bulk Data NDJSON).
 *
 * US Core profiles are declared in meta.profile; codes are those the eCQM
 * value sets hold (synth_tables.c), so the published measures find their
 * numerators and their gaps. Ids are the person id plus a letter and a
 * sequence number: Encounter "S000000001-e3", Observation "...-o7", and every
 * resource points at Patient/<person id>, the person_id of the claims and the
 * PID-3 of the HL7 messages. Written by hand into the buffer: no JSON library,
 * no allocation per resource. Strings written raw come from our own tables
 * and hold no character JSON would need to escape.
 */
#include "synth/synth_internal.h"

#include "core/codes.h"

#define PROFILE "http://hl7.org/fhir/us/core/StructureDefinition/"

typedef struct fctx {
    const sy_pop_t *pop;
    const sy_patient_t *p;
    buf_t *out;
    unsigned nenc, nobs, ncond, nproc, nmed, nimm;
    int height_done;
} fctx_t;

static void put_ref_patient(fctx_t *f, buf_t *b)
{
    SY_LIT(b, "{\"reference\":\"Patient/");
    sy_puts(b, f->p->pid);
    SY_LIT(b, "\"}");
}

static void put_id(fctx_t *f, buf_t *b, char kind, unsigned n)
{
    SY_LIT(b, "\"id\":\"");
    sy_puts(b, f->p->pid);
    sy_putc(b, '-');
    sy_putc(b, kind);
    sy_put_u(b, n);
    sy_putc(b, '"');
}

static void put_enc_ref(fctx_t *f, buf_t *b, unsigned enc)
{
    SY_LIT(b, ",\"encounter\":{\"reference\":\"Encounter/");
    sy_puts(b, f->p->pid);
    SY_LIT(b, "-e");
    sy_put_u(b, enc);
    SY_LIT(b, "\"}");
}

/* dateTime at a time of day derived from the event (US daytime, written in UTC) */
static void put_datetime(buf_t *b, date_t d, unsigned salt, int minutes_after)
{
    unsigned m = 13 * 60 + (salt * 37u) % (8 * 60) + (unsigned)minutes_after;
    sy_put_date(b, d);
    char t[10] = { 'T',
                   (char)('0' + m / 600 % 10),
                   (char)('0' + m / 60 % 10),
                   ':',
                   (char)('0' + m % 60 / 10),
                   (char)('0' + m % 10),
                   ':',
                   '0',
                   '0',
                   'Z' };
    if (m / 60 >= 24)
        t[1] = '2', t[2] = '3';
    sy_put(b, t, 10);
}

static void put_coding(buf_t *b, const char *system, const char *code, const char *display)
{
    SY_LIT(b, "{\"system\":\"");
    sy_puts(b, system);
    SY_LIT(b, "\",\"code\":\"");
    sy_puts(b, code);
    if (display) {
        /* table strings hold nothing JSON must escape (test_synth checks) */
        SY_LIT(b, "\",\"display\":\"");
        sy_puts(b, display);
        SY_LIT(b, "\"}");
    } else {
        SY_LIT(b, "\"}");
    }
}

static void put_cc(buf_t *b, const char *system, const char *code, const char *display)
{
    SY_LIT(b, "{\"coding\":[");
    put_coding(b, system, code, display);
    SY_LIT(b, "]}");
}

static void put_cc_k(buf_t *b, int k)
{
    put_cc(b, sy_codes[k].system, sy_codes[k].code, sy_codes[k].display);
}

static void put_icd_cc(buf_t *b, const char *code, const char *display)
{
    SY_LIT(b, "{\"coding\":[{\"system\":\"" CODE_URI_ICD10CM "\",\"code\":\"");
    sy_put_icd_dotted(b, code);
    SY_LIT(b, "\",\"display\":\"");
    sy_puts(b, display);
    SY_LIT(b, "\"}]}");
}

/* ---- Patient ---- */
static void write_patient(fctx_t *f)
{
    const sy_patient_t *p = f->p;
    buf_t *b = &f->out[S_PATIENT];
    SY_LIT(b, "{\"resourceType\":\"Patient\",\"id\":\"");
    sy_puts(b, p->pid);
    SY_LIT(b, "\",\"meta\":{\"profile\":[\"" PROFILE
              "us-core-patient\"]},\"extension\":[{\"url\":\"" PROFILE
              "us-core-race\",\"extension\":[{\"url\":\"ombCategory\",\"valueCoding\":");
    put_coding(b, "urn:oid:2.16.840.1.113883.6.238", sy_race_code[p->race],
               sy_race_display[p->race]);
    SY_LIT(b, "},{\"url\":\"text\",\"valueString\":\"");
    sy_puts(b, sy_race_display[p->race]);
    SY_LIT(b, "\"}]},{\"url\":\"" PROFILE
              "us-core-ethnicity\",\"extension\":[{\"url\":\"ombCategory\","
              "\"valueCoding\":");
    if (p->hispanic)
        put_coding(b, "urn:oid:2.16.840.1.113883.6.238", "2135-2", "Hispanic or Latino");
    else
        put_coding(b, "urn:oid:2.16.840.1.113883.6.238", "2186-5", "Not Hispanic or Latino");
    SY_LIT(b, "},{\"url\":\"text\",\"valueString\":\"");
    if (p->hispanic)
        SY_LIT(b, "Hispanic or Latino");
    else
        SY_LIT(b, "Not Hispanic or Latino");
    SY_LIT(b, "\"}]},{\"url\":\"" PROFILE "us-core-birthsex\",\"valueCode\":\"");
    sy_putc(b, p->female ? 'F' : 'M');
    SY_LIT(b, "\"}],\"identifier\":[{\"system\":\"urn:tripod:person-id\",\"value\":\"");
    sy_puts(b, p->pid);
    SY_LIT(b, "\"},{\"system\":\"");
    if (p->seg == SEG_COMMERCIAL)
        SY_LIT(b, "urn:tripod:member-id");
    else
        SY_LIT(b, "http://hl7.org/fhir/sid/us-mbi");
    SY_LIT(b, "\",\"value\":\"");
    sy_puts(b, p->mbi);
    SY_LIT(b, "\"}],\"active\":true,\"name\":[{\"use\":\"official\",\"family\":\"");
    sy_puts(b, p->last);
    SY_LIT(b, "\",\"given\":[\"");
    sy_puts(b, p->first);
    SY_LIT(b, "\"]}],\"telecom\":[{\"system\":\"phone\",\"value\":\"614-555-0");
    char ph[3] = { (char)('0' + p->phone / 100 % 10), (char)('0' + p->phone / 10 % 10),
                   (char)('0' + p->phone % 10) };
    sy_put(b, ph, 3);
    SY_LIT(b, "\",\"use\":\"home\"}],\"gender\":\"");
    if (p->female)
        SY_LIT(b, "female");
    else
        SY_LIT(b, "male");
    SY_LIT(b, "\",\"birthDate\":\"");
    sy_put_date(b, p->birth);
    sy_putc(b, '"');
    if (p->death != DATE_NONE) {
        SY_LIT(b, ",\"deceasedDateTime\":\"");
        sy_put_date(b, p->death);
        sy_putc(b, '"');
    }
    SY_LIT(b, ",\"address\":[{\"use\":\"home\",\"line\":[\"");
    sy_put_u(b, (uint64_t)p->street_no);
    sy_putc(b, ' ');
    sy_puts(b, sy_street[p->street]);
    SY_LIT(b, "\"],\"city\":\"");
    sy_puts(b, sy_places[p->place].city);
    SY_LIT(b, "\",\"state\":\"");
    sy_puts(b, sy_places[p->place].state);
    SY_LIT(b, "\",\"postalCode\":\"");
    sy_puts(b, sy_places[p->place].zip);
    SY_LIT(b, "\",\"country\":\"US\"}],\"generalPractitioner\":[{\"reference\":\"Practitioner/");
    sy_puts(b, f->pop->prac[p->pcp].npi);
    SY_LIT(b, "\"}]}\n");
}

/* ---- Condition ---- */
static void write_condition(fctx_t *f, const char *code, const char *display, date_t onset,
                            int health_concern, int sdoh)
{
    buf_t *b = &f->out[S_CONDITION];
    SY_LIT(b, "{\"resourceType\":\"Condition\",");
    put_id(f, b, 'c', ++f->ncond);
    SY_LIT(b, ",\"meta\":{\"profile\":[\"" PROFILE
              "us-core-condition-problems-health-concerns\"]},\"clinicalStatus\":{\"coding\":[{"
              "\"system\":\"http://terminology.hl7.org/CodeSystem/condition-clinical\",\"code\":"
              "\"active\"}]},\"verificationStatus\":{\"coding\":[{\"system\":\"http://"
              "terminology.hl7.org/CodeSystem/condition-ver-status\",\"code\":\"confirmed\"}]},"
              "\"category\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/"
              "condition-category\",\"code\":\"");
    if (health_concern)
        SY_LIT(b, "health-concern\"}]}");
    else
        SY_LIT(b, "problem-list-item\"}]}");
    if (sdoh)
        SY_LIT(b, ",{\"coding\":[{\"system\":\"http://hl7.org/fhir/us/core/CodeSystem/"
                  "us-core-category\",\"code\":\"sdoh\"}]}");
    SY_LIT(b, "],\"code\":");
    put_icd_cc(b, code, display);
    SY_LIT(b, ",\"subject\":");
    put_ref_patient(f, b);
    SY_LIT(b, ",\"onsetDateTime\":\"");
    sy_put_date(b, onset);
    SY_LIT(b, "\",\"recordedDate\":\"");
    sy_put_date(b, onset);
    SY_LIT(b, "\"}\n");
}

static void write_conditions(fctx_t *f)
{
    const sy_patient_t *p = f->p;
    for (int c = 0; c < C_N; c++) {
        if (!(p->has >> c & 1u))
            continue;
        const sy_dx_t *d = &sy_conds[c].dx[p->dx[c]];
        write_condition(f, d->code, d->display, p->onset[c], 0, 0);
    }
    if (p->frail_dx)
        write_condition(f, "Z9181", "History of falling", f->pop->start - 200, 0, 0);
    for (int k = 0; k < N_N; k++)
        if (p->needs_known >> k & 1u)
            write_condition(f, sy_need_dx[k].code, sy_need_dx[k].display,
                            f->pop->start - 90 + (date_t)(k * 11), 1, 1);
}

/* ---- Observations ---- */
static void put_obs_category(buf_t *b, const char *category)
{
    SY_LIT(b, "{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/"
              "observation-category\",\"code\":\"");
    sy_puts(b, category);
    SY_LIT(b, "\"}]}");
}

/* category2: a second category or NULL (the eCQMs' "assessment performed" wants survey) */
static void obs_head2(fctx_t *f, buf_t *b, const char *profile, const char *category,
                      const char *category2)
{
    SY_LIT(b, "{\"resourceType\":\"Observation\",");
    put_id(f, b, 'o', ++f->nobs);
    SY_LIT(b, ",\"meta\":{\"profile\":[\"");
    sy_puts(b, profile);
    SY_LIT(b, "\"]},\"status\":\"final\",\"category\":[");
    put_obs_category(b, category);
    if (category2) {
        sy_putc(b, ',');
        put_obs_category(b, category2);
    }
    SY_LIT(b, "],\"code\":");
}

static void obs_head(fctx_t *f, buf_t *b, const char *profile, const char *category,
                     const char *cat_display)
{
    (void)cat_display;
    obs_head2(f, b, profile, category, NULL);
}

static void obs_tail_subject(fctx_t *f, buf_t *b, unsigned enc, date_t d, unsigned salt)
{
    SY_LIT(b, ",\"subject\":");
    put_ref_patient(f, b);
    if (enc)
        put_enc_ref(f, b, enc);
    SY_LIT(b, ",\"effectiveDateTime\":\"");
    put_datetime(b, d, salt, 5);
    sy_putc(b, '"');
}

static void put_qty(buf_t *b, double v, int dec, const char *unit)
{
    SY_LIT(b, "{\"value\":");
    sy_put_dec(b, v, dec);
    SY_LIT(b, ",\"unit\":\"");
    sy_puts(b, unit);
    SY_LIT(b, "\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"");
    sy_puts(b, unit);
    SY_LIT(b, "\"}");
}

static void obs_quantity(fctx_t *f, const char *profile, const char *cat, const char *catd, int k,
                         unsigned enc, date_t d, unsigned salt, double v, int dec, const char *unit)
{
    buf_t *b = &f->out[S_OBSERVATION];
    obs_head(f, b, profile, cat, catd);
    put_cc_k(b, k);
    obs_tail_subject(f, b, enc, d, salt);
    SY_LIT(b, ",\"valueQuantity\":");
    put_qty(b, v, dec, unit);
    SY_LIT(b, "}\n");
}

/* The code, subject and optional coded value after an observation's head. */
static void obs_coded_rest(fctx_t *f, buf_t *b, int k, unsigned enc, date_t d, unsigned salt,
                           int value_k)
{
    put_cc_k(b, k);
    obs_tail_subject(f, b, enc, d, salt);
    if (value_k >= 0) {
        SY_LIT(b, ",\"valueCodeableConcept\":");
        put_cc_k(b, value_k);
    }
    SY_LIT(b, "}\n");
}

static void obs_coded2(fctx_t *f, const char *profile, const char *cat, const char *cat2, int k,
                       unsigned enc, date_t d, unsigned salt, int value_k)
{
    buf_t *b = &f->out[S_OBSERVATION];
    obs_head2(f, b, profile, cat, cat2);
    obs_coded_rest(f, b, k, enc, d, salt, value_k);
}

static void obs_coded(fctx_t *f, const char *profile, const char *cat, const char *catd, int k,
                      unsigned enc, date_t d, unsigned salt, int value_k)
{
    buf_t *b = &f->out[S_OBSERVATION];
    obs_head(f, b, profile, cat, catd);
    obs_coded_rest(f, b, k, enc, d, salt, value_k);
}

static void obs_bp(fctx_t *f, unsigned enc, const sy_event_t *e)
{
    buf_t *b = &f->out[S_OBSERVATION];
    obs_head(f, b, PROFILE "us-core-blood-pressure", "vital-signs", "Vital Signs");
    put_cc_k(b, K_LOINC_BP);
    obs_tail_subject(f, b, enc, e->start, e->seq);
    SY_LIT(b, ",\"component\":[{\"code\":");
    put_cc_k(b, K_LOINC_SBP);
    SY_LIT(b, ",\"valueQuantity\":");
    put_qty(b, e->v[0], 0, "mm[Hg]");
    SY_LIT(b, "},{\"code\":");
    put_cc_k(b, K_LOINC_DBP);
    SY_LIT(b, ",\"valueQuantity\":");
    put_qty(b, e->v[1], 0, "mm[Hg]");
    SY_LIT(b, "}]}\n");
}

static void write_visit_observations(fctx_t *f, unsigned enc, const sy_event_t *e)
{
    const sy_patient_t *p = f->p;
    if (e->flags & EVF_BP)
        obs_bp(f, enc, e);
    if (e->flags & EVF_BMI) {
        obs_quantity(f, PROFILE "us-core-body-weight", "vital-signs", "Vital Signs", K_LOINC_WEIGHT,
                     enc, e->start, e->seq, e->v[2], 1, "kg");
        if (!f->height_done) {
            obs_quantity(f, PROFILE "us-core-body-height", "vital-signs", "Vital Signs",
                         K_LOINC_HEIGHT, enc, e->start, e->seq, p->height_cm, 1, "cm");
            f->height_done = 1;
        }
        obs_quantity(f, PROFILE "us-core-bmi", "vital-signs", "Vital Signs", K_LOINC_BMI, enc,
                     e->start, e->seq, e->v[3], 1, "kg/m2");
    }
    if (e->flags & EVF_DEPSCR) {
        buf_t *b = &f->out[S_OBSERVATION];
        obs_head(f, b, PROFILE "us-core-observation-screening-assessment", "survey", "Survey");
        put_cc_k(b, K_LOINC_PHQ9);
        obs_tail_subject(f, b, enc, e->start, e->seq);
        SY_LIT(b, ",\"valueInteger\":");
        sy_put_u(b, (uint64_t)e->v[4]);
        SY_LIT(b, "}\n");
        obs_coded(f, PROFILE "us-core-observation-screening-assessment", "survey", "Survey",
                  K_LOINC_DEPSCREEN, enc, e->start, e->seq,
                  e->v[4] >= 10 ? K_SCT_DEP_POS : K_SCT_DEP_NEG);
    }
    /* smoking status: US Core wants social-history, the eCQMs (CMS138) a survey */
    if (e->flags & EVF_TOBACCO)
        obs_coded2(f, PROFILE "us-core-smokingstatus", "social-history", "survey", K_LOINC_TOBACCO,
                   enc, e->start, e->seq,
                   p->tobacco == 2   ? K_SCT_SMOKER
                   : p->tobacco == 1 ? K_SCT_EX_SMOKER
                                     : K_SCT_NEVER_SMOKER);
    /* fall risk assessment (CMS139): positive = at risk */
    if (e->flags & EVF_FALLSCR)
        obs_coded2(f, PROFILE "us-core-observation-screening-assessment", "survey", NULL,
                   K_LOINC_FALLS_SCREEN, enc, e->start, e->seq,
                   (e->flags & EVF_FALLPOS) ? K_SCT_POSITIVE : K_SCT_NEGATIVE);
}

static void write_lab(fctx_t *f, const sy_event_t *e)
{
    const char *prof = PROFILE "us-core-observation-lab";
    if (e->labs & LAB_A1C)
        obs_quantity(f, prof, "laboratory", "Laboratory", K_LOINC_A1C, 0, e->start, e->seq, e->v[0],
                     1, "%");
    if (e->labs & LAB_BMP)
        obs_quantity(f, prof, "laboratory", "Laboratory", K_LOINC_EGFR, 0, e->start, e->seq,
                     e->v[1], 0, "mL/min/{1.73_m2}");
    if (e->labs & LAB_UACR)
        obs_quantity(f, prof, "laboratory", "Laboratory", K_LOINC_UACR, 0, e->start, e->seq,
                     e->v[2], 0, "mg/g");
    if (e->labs & LAB_LIPID)
        obs_quantity(f, prof, "laboratory", "Laboratory", K_LOINC_LDL, 0, e->start, e->seq, e->v[3],
                     0, "mg/dL");
    if (e->labs & LAB_FIT)
        obs_coded(f, prof, "laboratory", "Laboratory", K_LOINC_FIT, 0, e->start, e->seq,
                  e->v[4] > 0.5f ? K_SCT_POSITIVE : K_SCT_NEGATIVE);
}

/* ---- Encounter ---- */
static unsigned write_encounter(fctx_t *f, const sy_event_t *e, const char *cls,
                                const char *cls_display, int type_k, const char *reason,
                                const char *reason_display, int prac)
{
    buf_t *b = &f->out[S_ENCOUNTER];
    unsigned n = ++f->nenc;
    SY_LIT(b, "{\"resourceType\":\"Encounter\",");
    put_id(f, b, 'e', n);
    SY_LIT(b, ",\"meta\":{\"profile\":[\"" PROFILE "us-core-encounter\"]},\"status\":\"");
    if (e->end > f->pop->end)
        SY_LIT(b, "in-progress");
    else
        SY_LIT(b, "finished");
    SY_LIT(b, "\",\"class\":{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActCode\","
              "\"code\":\"");
    sy_puts(b, cls);
    SY_LIT(b, "\",\"display\":\"");
    sy_puts(b, cls_display);
    SY_LIT(b, "\"},\"type\":[");
    put_cc_k(b, type_k);
    SY_LIT(b, "],\"subject\":");
    put_ref_patient(f, b);
    if (prac >= 0) {
        SY_LIT(b, ",\"participant\":[{\"individual\":{\"reference\":\"Practitioner/");
        sy_puts(b, f->pop->prac[prac].npi);
        SY_LIT(b, "\"}}]");
    }
    SY_LIT(b, ",\"period\":{\"start\":\"");
    put_datetime(b, e->start, e->seq, 0);
    if (e->end <= f->pop->end) {
        SY_LIT(b, "\",\"end\":\"");
        put_datetime(b, e->end, e->seq, e->end == e->start ? 30 : 0);
    }
    sy_putc(b, '"');
    sy_putc(b, '}');
    if (reason) {
        SY_LIT(b, ",\"reasonCode\":[");
        put_icd_cc(b, reason, reason_display);
        sy_putc(b, ']');
    }
    if (e->type == EV_IP && e->end <= f->pop->end && e->disp < 64 && sy_disp_fhir[e->disp]) {
        SY_LIT(b, ",\"hospitalization\":{\"dischargeDisposition\":{\"coding\":[{\"system\":"
                  "\"http://terminology.hl7.org/CodeSystem/discharge-disposition\",\"code\":\"");
        sy_puts(b, sy_disp_fhir[e->disp]);
        SY_LIT(b, "\"}]}}");
    }
    if (e->org >= 0 && f->pop->prac[e->org].org >= 0) {
        SY_LIT(b, ",\"serviceProvider\":{\"reference\":\"Organization/");
        sy_puts(b, f->pop->prac[e->org].npi);
        SY_LIT(b, "\"}");
    }
    SY_LIT(b, "}\n");
    return n;
}

static void write_procedure(fctx_t *f, const char *system, const char *code, const char *display,
                            date_t d, unsigned enc)
{
    buf_t *b = &f->out[S_PROCEDURE];
    SY_LIT(b, "{\"resourceType\":\"Procedure\",");
    put_id(f, b, 'p', ++f->nproc);
    SY_LIT(b, ",\"meta\":{\"profile\":[\"" PROFILE "us-core-procedure\"]},\"status\":\"completed\","
              "\"code\":");
    put_cc(b, system, code, display);
    SY_LIT(b, ",\"subject\":");
    put_ref_patient(f, b);
    if (enc)
        put_enc_ref(f, b, enc);
    SY_LIT(b, ",\"performedDateTime\":\"");
    sy_put_date(b, d);
    SY_LIT(b, "\"}\n");
}

static void write_medreq_rx(fctx_t *f, const char *rxnorm, const char *display, const sy_event_t *e,
                            unsigned enc, int repeats)
{
    buf_t *b = &f->out[S_MEDREQ];
    SY_LIT(b, "{\"resourceType\":\"MedicationRequest\",");
    put_id(f, b, 'm', ++f->nmed);
    SY_LIT(b, ",\"meta\":{\"profile\":[\"" PROFILE "us-core-medicationrequest\"]},\"status\":\"");
    if (f->p->death != DATE_NONE)
        SY_LIT(b, "completed");
    else
        SY_LIT(b, "active");
    SY_LIT(b, "\",\"intent\":\"order\",\"medicationCodeableConcept\":");
    put_cc(b, CODE_URI_RXNORM, rxnorm, display);
    SY_LIT(b, ",\"subject\":");
    put_ref_patient(f, b);
    if (enc)
        put_enc_ref(f, b, enc);
    SY_LIT(b, ",\"authoredOn\":\"");
    sy_put_date(b, e->start);
    SY_LIT(b, "\",\"requester\":{\"reference\":\"Practitioner/");
    sy_puts(b, f->pop->prac[e->prac].npi);
    SY_LIT(b, "\"},\"dosageInstruction\":[{\"text\":\"as directed\"}],\"dispenseRequest\":{"
              "\"numberOfRepeatsAllowed\":");
    sy_put_u(b, (uint64_t)repeats);
    SY_LIT(b, "}}\n");
}

static void write_medreq(fctx_t *f, int m, const sy_event_t *e, unsigned enc)
{
    write_medreq_rx(f, sy_meds[m].rxnorm, sy_meds[m].display, e, enc, 3);
}

static void write_immunization(fctx_t *f, const sy_event_t *e)
{
    buf_t *b = &f->out[S_IMMUNIZATION];
    SY_LIT(b, "{\"resourceType\":\"Immunization\",");
    put_id(f, b, 'i', ++f->nimm);
    SY_LIT(b,
           ",\"meta\":{\"profile\":[\"" PROFILE "us-core-immunization\"]},\"status\":\"completed\","
           "\"vaccineCode\":");
    put_cc_k(b, e->level);
    SY_LIT(b, ",\"patient\":");
    put_ref_patient(f, b);
    SY_LIT(b, ",\"occurrenceDateTime\":\"");
    sy_put_date(b, e->start);
    SY_LIT(b, "\",\"primarySource\":true}\n");
}

void sy_write_fhir(const sy_pop_t *pop, const sy_patient_t *p, buf_t *out)
{
    fctx_t f = { pop, p, out, 0, 0, 0, 0, 0, 0, 0 };
    write_patient(&f);
    write_conditions(&f);
    for (int i = 0; i < p->nev; i++) {
        const sy_event_t *e = &p->ev[i];
        unsigned enc = 0;
        switch (e->type) {
        case EV_OFFICE:
        case EV_AWV:
        case EV_TCM: {
            int k;
            if (e->type == EV_AWV)
                k = p->seg != SEG_COMMERCIAL ? (e->sub == 0 ? K_AWV_INIT : K_AWV_SUBS)
                    : p->age >= 65           ? K_PREV_6574
                    : p->age >= 40           ? K_PREV_4064
                                             : K_PREV_1839;
            else if (e->type == EV_TCM)
                k = e->level == 7 ? K_TCM_7 : K_TCM_14;
            else
                k = e->level == 5 ? K_OFFICE_EST5 : e->level == 4 ? K_OFFICE_EST4 : K_OFFICE_EST3;
            const char *rc = NULL, *rd = NULL;
            if (e->sub >= 0 && e->type == EV_OFFICE) {
                rc = sy_conds[e->sub].dx[p->dx[e->sub]].code;
                rd = sy_conds[e->sub].dx[p->dx[e->sub]].display;
            }
            enc = write_encounter(&f, e, (e->flags & EVF_TELE) ? "VR" : "AMB",
                                  (e->flags & EVF_TELE) ? "virtual" : "ambulatory", k, rc, rd,
                                  e->prac);
            write_visit_observations(&f, enc, e);
            if (e->flags & EVF_FOLLOWUP)
                write_procedure(&f, sy_codes[K_SCT_DEP_FOLLOWUP].system,
                                sy_codes[K_SCT_DEP_FOLLOWUP].code,
                                sy_codes[K_SCT_DEP_FOLLOWUP].display, e->start, enc);
            if ((e->flags & EVF_MEDS) && !(e->flags & EVF_HIST))
                for (int m = 0; m < sy_nmeds && m < 32; m++)
                    if ((p->meds >> m & 1u) && sy_meds[m].rxnorm)
                        write_medreq(&f, m, e, enc);
            if (e->flags & EVF_CESS)
                write_procedure(&f, sy_codes[K_CPT_TOB_COUNSEL].system,
                                sy_codes[K_CPT_TOB_COUNSEL].code,
                                sy_codes[K_CPT_TOB_COUNSEL].display, e->start, enc);
            if (e->flags & (EVF_CESS_NRT | EVF_CESS_VAR)) {
                /* a 10-week nicotine patch course or 12 weeks of varenicline */
                int rk = (e->flags & EVF_CESS_NRT) ? K_RX_NICOTINE_PATCH : K_RX_VARENICLINE;
                write_medreq_rx(&f, sy_codes[rk].code, sy_codes[rk].display, e, enc,
                                rk == K_RX_NICOTINE_PATCH ? 1 : 2);
            }
            break;
        }
        case EV_ED: {
            const sy_eddx_t *d = &sy_eddx[e->sub];
            write_encounter(&f, e, "EMER", "emergency",
                            e->level == 5   ? K_ED_5
                            : e->level == 4 ? K_ED_4
                                            : K_ED_3,
                            d->code, d->display, e->prac);
            break;
        }
        case EV_IP: {
            const sy_drg_t *g = &sy_drgs[e->sub];
            enc = write_encounter(&f, e, "IMP", "inpatient encounter",
                                  (e->flags & EVF_FROM_ED) ? K_INPATIENT_EMERG : K_INPATIENT, g->dx,
                                  g->dx_display, e->prac);
            if (g->pcs)
                write_procedure(&f, CODE_URI_ICD10PCS, g->pcs, NULL,
                                e->start + (e->level == 3 ? 0 : 1), enc);
            break;
        }
        case EV_SNF:
            write_encounter(&f, e, "NONAC", "inpatient non-acute", K_SNF, sy_drgs[e->sub].dx,
                            sy_drgs[e->sub].dx_display, e->prac);
            break;
        case EV_LAB:
            write_lab(&f, e);
            break;
        case EV_MAMMO:
            obs_coded(&f, PROFILE "us-core-observation-clinical-result", "imaging", "Imaging",
                      K_LOINC_MAMMO, 0, e->start, e->seq, -1);
            break;
        case EV_EYE:
            obs_coded(&f, PROFILE "us-core-observation-clinical-result", "exam", "Exam",
                      K_SCT_EYE_EXAM, 0, e->start, e->seq, -1);
            break;
        case EV_COLO:
            write_procedure(&f, sy_codes[K_CPT_COLONOSCOPY].system,
                            sy_codes[K_CPT_COLONOSCOPY].code, sy_codes[K_CPT_COLONOSCOPY].display,
                            e->start, 0);
            break;
        case EV_VACCINE:
            write_immunization(&f, e);
            break;
        default:
            break;
        }
    }
}

/* ---- the panel: Practitioner and Organization ---- */
void sy_write_fhir_panel(const sy_pop_t *pop, buf_t *pb, buf_t *ob)
{
    for (int i = 0; i < pop->nprac; i++) {
        const sy_prac_t *x = &pop->prac[i];
        if (x->org < 0) {
            SY_LIT(pb, "{\"resourceType\":\"Practitioner\",\"id\":\"");
            sy_puts(pb, x->npi);
            SY_LIT(pb,
                   "\",\"meta\":{\"profile\":[\"" PROFILE "us-core-practitioner\"]},"
                   "\"identifier\":[{\"system\":\"http://hl7.org/fhir/sid/us-npi\",\"value\":\"");
            sy_puts(pb, x->npi);
            SY_LIT(pb, "\"}],\"active\":true,\"name\":[{\"family\":\"");
            sy_puts(pb, x->last);
            SY_LIT(pb, "\",\"given\":[\"");
            sy_puts(pb, x->first);
            SY_LIT(pb, "\"],\"prefix\":[\"Dr.\"]}],\"qualification\":[{\"code\":");
            put_cc(pb, "http://nucc.org/provider-taxonomy", sy_specs[x->spec].taxonomy,
                   sy_specs[x->spec].name);
            SY_LIT(pb, "}]}\n");
        } else {
            SY_LIT(ob, "{\"resourceType\":\"Organization\",\"id\":\"");
            sy_puts(ob, x->npi);
            SY_LIT(ob,
                   "\",\"meta\":{\"profile\":[\"" PROFILE "us-core-organization\"]},"
                   "\"identifier\":[{\"system\":\"http://hl7.org/fhir/sid/us-npi\",\"value\":\"");
            sy_puts(ob, x->npi);
            SY_LIT(ob, "\"},{\"system\":\"urn:oid:2.16.840.1.113883.4.4\",\"value\":\"");
            sy_puts(ob, x->tin);
            SY_LIT(ob, "\"}],\"active\":true,\"name\":");
            if (buf_json_str(ob, x->name, strlen(x->name)) != 0)
                sy_buf_fail();
            sy_putc(ob, '}');
            sy_putc(ob, '\n');
        }
    }
}
