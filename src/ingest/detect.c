/* detect.c — what a file is, from its first bytes (never its name).
 *
 * JSON (first byte '{'): one document per line with more after the first
 * line is NDJSON (Blue Button when the first resource is an
 * ExplanationOfBenefit), else one JSON document (a Bundle or a resource).
 * "MSH" (or a batch header FHS/BHS) is HL7 v2. Anything else is tried as CSV:
 * its header row names the format — the Tuva input layer (claims,
 * eligibility, practitioner, lab_result) by its key columns,
 * Synthea's CSVs by their exact column sets.
 */
#include "ingest/import.h"

#include "core/str.h"

#include <jansson.h>
#include <string.h>

static const char *const format_names[IMPORT_FMT_COUNT] = {
    [IMPORT_FMT_UNKNOWN] = "unknown",
    [IMPORT_FMT_TUVA_ELIGIBILITY] = "tuva_eligibility",
    [IMPORT_FMT_TUVA_MEDICAL_CLAIM] = "tuva_medical_claim",
    [IMPORT_FMT_TUVA_PHARMACY_CLAIM] = "tuva_pharmacy_claim",
    [IMPORT_FMT_FHIR_JSON] = "fhir_json",
    [IMPORT_FMT_FHIR_NDJSON] = "fhir_ndjson",
    [IMPORT_FMT_BLUEBUTTON_EOB] = "bluebutton_eob_ndjson",
    [IMPORT_FMT_SYNTHEA_ORGANIZATIONS] = "synthea_organizations",
    [IMPORT_FMT_SYNTHEA_PROVIDERS] = "synthea_providers",
    [IMPORT_FMT_SYNTHEA_PATIENTS] = "synthea_patients",
    [IMPORT_FMT_SYNTHEA_ENCOUNTERS] = "synthea_encounters",
    [IMPORT_FMT_SYNTHEA_CONDITIONS] = "synthea_conditions",
    [IMPORT_FMT_SYNTHEA_OBSERVATIONS] = "synthea_observations",
    [IMPORT_FMT_SYNTHEA_PROCEDURES] = "synthea_procedures",
    [IMPORT_FMT_SYNTHEA_MEDICATIONS] = "synthea_medications",
    [IMPORT_FMT_SYNTHEA_IMMUNIZATIONS] = "synthea_immunizations",
    [IMPORT_FMT_SYNTHEA_OTHER] = "synthea_other",
    [IMPORT_FMT_HL7V2] = "hl7v2",
    [IMPORT_FMT_TUVA_PRACTITIONER] = "tuva_practitioner",
    [IMPORT_FMT_TUVA_LAB_RESULT] = "tuva_lab_result",
};

const char *import_format_name(import_format_t f)
{
    return f >= 0 && f < IMPORT_FMT_COUNT ? format_names[f] : "unknown";
}

/* ---- CSV header --------------------------------------------------------- */

#define MAX_COLS 512

typedef struct header {
    const char *name[MAX_COLS];
    size_t len[MAX_COLS];
    int n;
} header_t;

/* Splits the first line (quotes honoured, no escapes needed for names). */
static void split_header(const char *p, size_t n, header_t *h)
{
    h->n = 0;
    size_t i = 0;
    while (i <= n && h->n < MAX_COLS) {
        const char *s;
        size_t len;
        if (i < n && p[i] == '"') {
            size_t j = i + 1;
            while (j < n && p[j] != '"')
                j++;
            s = p + i + 1;
            len = j - i - 1;
            i = j + 1;
            while (i < n && p[i] != ',')
                i++;
        } else {
            size_t j = i;
            while (j < n && p[j] != ',')
                j++;
            s = p + i;
            len = j - i;
            i = j;
        }
        str_trim(&s, &len);
        h->name[h->n] = s;
        h->len[h->n] = len;
        h->n++;
        i++; /* the comma */
    }
}

static bool has(const header_t *h, const char *col)
{
    for (int i = 0; i < h->n; i++)
        if (str_ieq(h->name[i], h->len[i], col))
            return true;
    return false;
}

static bool has_all(const header_t *h, const char *const *cols)
{
    for (; *cols; cols++)
        if (!has(h, *cols))
            return false;
    return true;
}

static bool upper_case_header(const header_t *h)
{
    for (int i = 0; i < h->n; i++)
        for (size_t k = 0; k < h->len[i]; k++)
            if (h->name[i][k] >= 'a' && h->name[i][k] <= 'z')
                return false;
    return h->n > 0;
}

static import_format_t detect_csv(const char *p, size_t n, bool *synthea)
{
    size_t eol = 0;
    while (eol < n && p[eol] != '\n' && p[eol] != '\r')
        eol++;
    if (eol == 0 || memchr(p, ',', eol) == NULL)
        return IMPORT_FMT_UNKNOWN;
    header_t h;
    split_header(p, eol, &h);

    /* Tuva input layer, by its key columns. */
    static const char *const med[] = { "claim_id", "claim_line_number", "claim_type", "person_id",
                                       NULL };
    static const char *const rx[] = { "claim_id", "claim_line_number", "ndc_code", "person_id",
                                      NULL };
    static const char *const elig[] = { "person_id", "enrollment_start_date", "payer", NULL };
    static const char *const prac[] = { "practitioner_id", "npi", "specialty", NULL };
    static const char *const lab[] = { "person_id", "result", "source_code", "source_code_type",
                                       NULL };
    if (has_all(&h, med))
        return IMPORT_FMT_TUVA_MEDICAL_CLAIM;
    if (has_all(&h, rx))
        return IMPORT_FMT_TUVA_PHARMACY_CLAIM;
    if (has_all(&h, elig))
        return IMPORT_FMT_TUVA_ELIGIBILITY;
    if (has_all(&h, prac))
        return IMPORT_FMT_TUVA_PRACTITIONER;
    if (has_all(&h, lab) && (has(&h, "result_date") || has(&h, "collection_date")))
        return IMPORT_FMT_TUVA_LAB_RESULT;

    /* Synthea: upper-case headers with these column sets. */
    if (!upper_case_header(&h) && !has(&h, "Id"))
        return IMPORT_FMT_UNKNOWN;
    static const char *const pat[] = { "Id", "BIRTHDATE", "GENDER", "FIRST", "LAST", NULL };
    static const char *const org[] = { "Id", "NAME", "ADDRESS", "CITY", "STATE", "ZIP", NULL };
    static const char *const prov[] = { "Id", "ORGANIZATION", "NAME", "SPECIALITY", NULL };
    static const char *const enc[] = { "Id", "START", "PATIENT", "ENCOUNTERCLASS", "CODE", NULL };
    static const char *const cond[] = { "START", "STOP",        "PATIENT", "ENCOUNTER",
                                        "CODE",  "DESCRIPTION", NULL };
    static const char *const obs[] = { "DATE",  "PATIENT", "ENCOUNTER", "CODE",
                                       "VALUE", "UNITS",   "TYPE",      NULL };
    static const char *const proc[] = { "PATIENT",   "ENCOUNTER",  "CODE", "DESCRIPTION",
                                        "BASE_COST", "REASONCODE", NULL };
    static const char *const meds[] = {
        "START", "PATIENT", "ENCOUNTER", "CODE", "DISPENSES", NULL
    };
    static const char *const imm[] = { "DATE", "PATIENT", "ENCOUNTER", "CODE", "BASE_COST", NULL };
    import_format_t f = IMPORT_FMT_UNKNOWN;
    if (has_all(&h, pat))
        f = IMPORT_FMT_SYNTHEA_PATIENTS;
    else if (has_all(&h, enc))
        f = IMPORT_FMT_SYNTHEA_ENCOUNTERS;
    else if (has_all(&h, prov))
        f = IMPORT_FMT_SYNTHEA_PROVIDERS;
    else if (has_all(&h, org) && has(&h, "REVENUE"))
        f = IMPORT_FMT_SYNTHEA_ORGANIZATIONS;
    else if (has_all(&h, obs))
        f = IMPORT_FMT_SYNTHEA_OBSERVATIONS;
    else if (has_all(&h, meds))
        f = IMPORT_FMT_SYNTHEA_MEDICATIONS;
    else if (has_all(&h, proc) && (has(&h, "START") || has(&h, "DATE")) && !has(&h, "Id"))
        f = IMPORT_FMT_SYNTHEA_PROCEDURES;
    else if (has_all(&h, imm) && !has(&h, "Id") && !has(&h, "START"))
        f = IMPORT_FMT_SYNTHEA_IMMUNIZATIONS;
    else if (has_all(&h, cond) && !has(&h, "Id") && !has(&h, "CATEGORY") && !has(&h, "BASE_COST") &&
             !has(&h, "UDI") && !has(&h, "REACTION1"))
        f = IMPORT_FMT_SYNTHEA_CONDITIONS;
    else if (has(&h, "PATIENT") || has(&h, "PATIENTID") || has(&h, "STATE_HEADQUARTERED"))
        f = IMPORT_FMT_SYNTHEA_OTHER;
    if (f != IMPORT_FMT_UNKNOWN)
        *synthea = true;
    return f;
}

/* ---- JSON ----------------------------------------------------------------- */

static bool mentions_synthea(const char *p, size_t n)
{
    static const char needle[] = "synthetichealth";
    size_t k = sizeof needle - 1;
    if (n > 65536)
        n = 65536;
    for (size_t i = 0; i + k <= n; i++)
        if (p[i] == 's' && memcmp(p + i, needle, k) == 0)
            return true;
    return false;
}

/* JSON that never says "resourceType" in its first 64 KiB is not FHIR. */
static bool has_resource_type(const char *p, size_t n)
{
    static const char key[] = "\"resourceType\"";
    size_t k = sizeof key - 1;
    if (n > 65536)
        n = 65536;
    for (size_t i = 0; i + k <= n; i++)
        if (p[i] == '"' && memcmp(p + i, key, k) == 0)
            return true;
    return false;
}

static import_format_t detect_json(const char *p, size_t n, bool *synthea)
{
    *synthea = mentions_synthea(p, n);
    size_t eol = 0;
    while (eol < n && p[eol] != '\n')
        eol++;
    size_t rest = eol;
    while (rest < n && (p[rest] == '\n' || p[rest] == '\r' || p[rest] == ' ' || p[rest] == '\t'))
        rest++;
    if (rest >= n || eol >= n)
        return has_resource_type(p, n) ? IMPORT_FMT_FHIR_JSON : IMPORT_FMT_UNKNOWN;
    json_error_t je;
    json_t *first = json_loadb(p, eol, 0, &je);
    if (!first) /* a pretty-printed document */
        return has_resource_type(p, n) ? IMPORT_FMT_FHIR_JSON : IMPORT_FMT_UNKNOWN;
    import_format_t f = IMPORT_FMT_UNKNOWN;
    if (json_is_object(first)) {
        const char *rt = json_string_value(json_object_get(first, "resourceType"));
        if (rt && strcmp(rt, "ExplanationOfBenefit") == 0)
            f = IMPORT_FMT_BLUEBUTTON_EOB;
        else if (rt)
            f = IMPORT_FMT_FHIR_NDJSON;
    }
    json_decref(first);
    return f;
}

/* ---- HL7 ------------------------------------------------------------------ */

static bool is_hl7(const char *p, size_t n)
{
    if (n < 8)
        return false;
    if (memcmp(p, "MSH", 3) != 0 && memcmp(p, "FHS", 3) != 0 && memcmp(p, "BHS", 3) != 0)
        return false;
    /* The field separator follows and is not a letter, digit or blank. */
    char fs = p[3];
    return !(fs >= 'A' && fs <= 'Z') && !(fs >= 'a' && fs <= 'z') && !(fs >= '0' && fs <= '9') &&
           fs != ' ' && fs != '\r' && fs != '\n' && fs != '\0';
}

import_format_t import_detect(const char *buf, size_t n, bool *synthea)
{
    bool syn = false;
    if (!synthea)
        synthea = &syn;
    *synthea = false;
    const char *p = buf;
    if (n >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
        (unsigned char)p[2] == 0xBF) {
        p += 3;
        n -= 3;
    }
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    if (i >= n)
        return IMPORT_FMT_UNKNOWN;
    if (p[i] == '{')
        return detect_json(p + i, n - i, synthea);
    if (is_hl7(p + i, n - i))
        return IMPORT_FMT_HL7V2;
    if (memchr(p, '\0', n < 4096 ? n : 4096))
        return IMPORT_FMT_UNKNOWN; /* binary */
    return detect_csv(p, n, synthea);
}
