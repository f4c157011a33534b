/* tuva.c — the Tuva Project input layer: eligibility, medical_claim,
 * pharmacy_claim (headers as in the reference claims/ folder), practitioner
 * (with Tripod's primary_care_flag and in_network_flag) and lab_result CSVs.
 *
 * Columns are described once, as data (name, type, whether required, where
 * the value goes), and matched to the header by name, so the column order of
 * a file does not matter and unknown columns are ignored with one warning.
 * Values are parsed strictly where analytics depend on them: dates (ISO or
 * YYYYMMDD, impossible dates rejected), amounts (integer cents), ICD-10-CM /
 * ICD-10-PCS / HCPCS / NDC codes (normalised, invalid ones rejected), flags
 * and counts. Each bad value fails the file naming file:line:col: column.
 */
#include "ingest/import_impl.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/codes.h"
#include "core/mem.h"
#include "core/money.h"
#include "core/str.h"
#include "core/value.h"
#include "core/csvread.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define NO_OFF ((size_t)-1)

typedef enum tcol_type {
    T_IGNORE, /* known, deliberately not stored (e.g. social_security_number) */
    T_TEXT,
    T_LOWER, /* text folded to lower case (code types, payer types) */
    T_DATE,
    T_MONEY,
    T_INT,
    T_REAL,
    T_FLAG,
    T_GENDER,
    T_CLAIM_TYPE,
    T_DX,    /* diagnosis code: ICD-10-CM unless diagnosis_code_type says ICD-9 */
    T_PX,    /* procedure code: ICD-10-PCS unless procedure_code_type says ICD-9 */
    T_HCPCS, /* CPT/HCPCS */
    T_NDC,
    T_NPI /* 10 digits */
} tcol_type_t;

enum { TF_REQUIRED = 1 };

typedef struct tcol {
    char name[40];
    tcol_type_t type;
    unsigned flags;
    size_t off1; /* in the primary record (enrollment or claim), or NO_OFF */
    size_t off2; /* in the secondary record (eligibility: the patient), or NO_OFF */
} tcol_t;

#define MAX_TCOLS 256

typedef struct tspec {
    tcol_t cols[MAX_TCOLS];
    int n;
} tspec_t;

static void add(tspec_t *sp, const char *name, tcol_type_t type, unsigned flags, size_t off1,
                size_t off2)
{
    tcol_t *c = &sp->cols[sp->n++];
    snprintf(c->name, sizeof c->name, "%s", name);
    c->type = type;
    c->flags = flags;
    c->off1 = off1;
    c->off2 = off2;
}

#define E(f)  offsetof(store_enrollment_t, f)
#define P(f)  offsetof(store_patient_t, f)
#define M(f)  offsetof(store_med_claim_t, f)
#define R(f)  offsetof(store_rx_claim_t, f)
#define PR(f) offsetof(store_practitioner_t, f)
#define L(f)  offsetof(tuva_lab_t, f)

/* A lab_result row as read; put_lab() makes the observation of it. */
typedef struct tuva_lab {
    const char *lab_result_id;
    const char *person_id;
    const char *encounter_id;
    const char *accession_number;
    const char *source_code_type;
    const char *source_code;
    const char *normalized_code_type;
    const char *normalized_code;
    const char *status;
    const char *result;
    date_t result_date;
    date_t collection_date;
    const char *source_units;
    const char *normalized_units;
    const char *data_source;
} tuva_lab_t;

static void tuva_lab_init(tuva_lab_t *l)
{
    memset(l, 0, sizeof *l);
    l->result_date = DATE_NONE;
    l->collection_date = DATE_NONE;
}

static void spec_eligibility(tspec_t *sp)
{
    sp->n = 0;
    add(sp, "person_id", T_TEXT, TF_REQUIRED, E(person_id), P(person_id));
    add(sp, "member_id", T_TEXT, 0, E(member_id), NO_OFF);
    add(sp, "subscriber_id", T_TEXT, 0, E(subscriber_id), NO_OFF);
    add(sp, "gender", T_GENDER, 0, NO_OFF, P(gender));
    add(sp, "race", T_TEXT, 0, NO_OFF, P(race));
    add(sp, "birth_date", T_DATE, 0, NO_OFF, P(birth_date));
    add(sp, "death_date", T_DATE, 0, NO_OFF, P(death_date));
    add(sp, "death_flag", T_FLAG, 0, NO_OFF, P(death_flag));
    add(sp, "enrollment_start_date", T_DATE, TF_REQUIRED, E(enrollment_start_date), NO_OFF);
    add(sp, "enrollment_end_date", T_DATE, 0, E(enrollment_end_date), NO_OFF);
    add(sp, "payer", T_TEXT, TF_REQUIRED, E(payer), NO_OFF);
    add(sp, "payer_type", T_LOWER, 0, E(payer_type), NO_OFF);
    add(sp, "plan", T_TEXT, 0, E(plan), NO_OFF);
    add(sp, "original_reason_entitlement_code", T_TEXT, 0, E(original_reason_entitlement_code),
        NO_OFF);
    add(sp, "dual_status_code", T_TEXT, 0, E(dual_status_code), NO_OFF);
    add(sp, "medicare_status_code", T_TEXT, 0, E(medicare_status_code), NO_OFF);
    add(sp, "group_id", T_TEXT, 0, E(group_id), NO_OFF);
    add(sp, "group_name", T_TEXT, 0, E(group_name), NO_OFF);
    add(sp, "name_suffix", T_TEXT, 0, NO_OFF, P(name_suffix));
    add(sp, "first_name", T_TEXT, 0, NO_OFF, P(first_name));
    add(sp, "middle_name", T_TEXT, 0, NO_OFF, P(middle_name));
    add(sp, "last_name", T_TEXT, 0, NO_OFF, P(last_name));
    /* Deliberately never stored (store.h). */
    add(sp, "social_security_number", T_IGNORE, 0, NO_OFF, NO_OFF);
    add(sp, "subscriber_relation", T_TEXT, 0, E(subscriber_relation), NO_OFF);
    add(sp, "address", T_TEXT, 0, NO_OFF, P(address));
    add(sp, "city", T_TEXT, 0, NO_OFF, P(city));
    add(sp, "state", T_TEXT, 0, NO_OFF, P(state));
    add(sp, "zip_code", T_TEXT, 0, NO_OFF, P(zip_code));
    add(sp, "phone", T_TEXT, 0, NO_OFF, P(phone));
    add(sp, "email", T_TEXT, 0, NO_OFF, P(email));
    add(sp, "ethnicity", T_TEXT, 0, NO_OFF, P(ethnicity));
    add(sp, "data_source", T_TEXT, 0, E(data_source), P(data_source));
    add(sp, "file_name", T_TEXT, 0, E(file_name), NO_OFF);
    add(sp, "file_date", T_DATE, 0, E(file_date), NO_OFF);
    add(sp, "ingest_datetime", T_IGNORE, 0, NO_OFF, NO_OFF);
    add(sp, "enrollment_status", T_TEXT, 0, E(enrollment_status), NO_OFF);
    add(sp, "hospice_flag", T_FLAG, 0, E(hospice_flag), NO_OFF);
    add(sp, "snp_type", T_TEXT, 0, E(snp_type), NO_OFF);
    add(sp, "medicaid_indicator", T_FLAG, 0, E(medicaid_indicator), NO_OFF);
    add(sp, "long_term_institutional_flag", T_FLAG, 0, E(long_term_institutional_flag), NO_OFF);
    add(sp, "part_d_raf_type", T_TEXT, 0, E(part_d_raf_type), NO_OFF);
    add(sp, "low_income_subsidy_indicator", T_FLAG, 0, E(low_income_subsidy_indicator), NO_OFF);
    add(sp, "metal_level", T_TEXT, 0, E(metal_level), NO_OFF);
    add(sp, "csr_indicator", T_TEXT, 0, E(csr_indicator), NO_OFF);
    /* Derived from the enrollment dates; recomputed, not stored. */
    add(sp, "enrollment_duration_months", T_IGNORE, 0, NO_OFF, NO_OFF);
    add(sp, "esrd_status", T_TEXT, 0, E(esrd_status), NO_OFF);
    add(sp, "transplant_duration_months", T_IGNORE, 0, NO_OFF, NO_OFF);
}

static void spec_medical(tspec_t *sp)
{
    char name[40];
    sp->n = 0;
    add(sp, "claim_id", T_TEXT, TF_REQUIRED, M(claim_id), NO_OFF);
    add(sp, "claim_line_number", T_INT, TF_REQUIRED, M(claim_line_number), NO_OFF);
    add(sp, "claim_type", T_CLAIM_TYPE, TF_REQUIRED, M(claim_type), NO_OFF);
    add(sp, "person_id", T_TEXT, TF_REQUIRED, M(person_id), NO_OFF);
    add(sp, "member_id", T_TEXT, 0, M(member_id), NO_OFF);
    add(sp, "payer", T_TEXT, 0, M(payer), NO_OFF);
    add(sp, "plan", T_TEXT, 0, M(plan), NO_OFF);
    add(sp, "claim_start_date", T_DATE, 0, M(claim_start_date), NO_OFF);
    add(sp, "claim_end_date", T_DATE, 0, M(claim_end_date), NO_OFF);
    add(sp, "claim_line_start_date", T_DATE, 0, M(claim_line_start_date), NO_OFF);
    add(sp, "claim_line_end_date", T_DATE, 0, M(claim_line_end_date), NO_OFF);
    add(sp, "admission_date", T_DATE, 0, M(admission_date), NO_OFF);
    add(sp, "discharge_date", T_DATE, 0, M(discharge_date), NO_OFF);
    add(sp, "admit_source_code", T_TEXT, 0, M(admit_source_code), NO_OFF);
    add(sp, "admit_type_code", T_TEXT, 0, M(admit_type_code), NO_OFF);
    add(sp, "discharge_disposition_code", T_TEXT, 0, M(discharge_disposition_code), NO_OFF);
    add(sp, "place_of_service_code", T_TEXT, 0, M(place_of_service_code), NO_OFF);
    add(sp, "bill_type_code", T_TEXT, 0, M(bill_type_code), NO_OFF);
    add(sp, "drg_code_type", T_LOWER, 0, M(drg_code_type), NO_OFF);
    add(sp, "drg_code", T_TEXT, 0, M(drg_code), NO_OFF);
    add(sp, "revenue_center_code", T_TEXT, 0, M(revenue_center_code), NO_OFF);
    add(sp, "service_unit_quantity", T_REAL, 0, M(service_unit_quantity), NO_OFF);
    add(sp, "hcpcs_code", T_HCPCS, 0, M(hcpcs_code), NO_OFF);
    for (int i = 0; i < STORE_CLAIM_MODS; i++) {
        snprintf(name, sizeof name, "hcpcs_modifier_%d", i + 1);
        add(sp, name, T_TEXT, 0, M(hcpcs_modifier) + (size_t)i * sizeof(const char *), NO_OFF);
    }
    add(sp, "rendering_npi", T_TEXT, 0, M(rendering_npi), NO_OFF);
    add(sp, "rendering_tin", T_TEXT, 0, M(rendering_tin), NO_OFF);
    add(sp, "billing_npi", T_TEXT, 0, M(billing_npi), NO_OFF);
    add(sp, "billing_tin", T_TEXT, 0, M(billing_tin), NO_OFF);
    add(sp, "facility_npi", T_TEXT, 0, M(facility_npi), NO_OFF);
    add(sp, "paid_date", T_DATE, 0, M(paid_date), NO_OFF);
    add(sp, "paid_amount", T_MONEY, 0, M(paid_amount), NO_OFF);
    add(sp, "allowed_amount", T_MONEY, 0, M(allowed_amount), NO_OFF);
    add(sp, "charge_amount", T_MONEY, 0, M(charge_amount), NO_OFF);
    add(sp, "coinsurance_amount", T_MONEY, 0, M(coinsurance_amount), NO_OFF);
    add(sp, "copayment_amount", T_MONEY, 0, M(copayment_amount), NO_OFF);
    add(sp, "deductible_amount", T_MONEY, 0, M(deductible_amount), NO_OFF);
    add(sp, "total_cost_amount", T_MONEY, 0, M(total_cost_amount), NO_OFF);
    add(sp, "diagnosis_code_type", T_LOWER, 0, M(diagnosis_code_type), NO_OFF);
    for (int i = 0; i < STORE_CLAIM_DX; i++) {
        snprintf(name, sizeof name, "diagnosis_code_%d", i + 1);
        add(sp, name, T_DX, 0, M(diagnosis_code) + (size_t)i * sizeof(const char *), NO_OFF);
    }
    for (int i = 0; i < STORE_CLAIM_DX; i++) {
        snprintf(name, sizeof name, "diagnosis_poa_%d", i + 1);
        add(sp, name, T_TEXT, 0, M(diagnosis_poa) + (size_t)i * sizeof(const char *), NO_OFF);
    }
    add(sp, "procedure_code_type", T_LOWER, 0, M(procedure_code_type), NO_OFF);
    for (int i = 0; i < STORE_CLAIM_PX; i++) {
        snprintf(name, sizeof name, "procedure_code_%d", i + 1);
        add(sp, name, T_PX, 0, M(procedure_code) + (size_t)i * sizeof(const char *), NO_OFF);
    }
    for (int i = 0; i < STORE_CLAIM_PX; i++) {
        snprintf(name, sizeof name, "procedure_date_%d", i + 1);
        add(sp, name, T_DATE, 0, M(procedure_date) + (size_t)i * sizeof(date_t), NO_OFF);
    }
    add(sp, "in_network_flag", T_FLAG, 0, M(in_network_flag), NO_OFF);
    add(sp, "data_source", T_TEXT, 0, M(data_source), NO_OFF);
    add(sp, "file_name", T_TEXT, 0, M(file_name), NO_OFF);
    add(sp, "file_date", T_DATE, 0, M(file_date), NO_OFF);
    add(sp, "ingest_datetime", T_TEXT, 0, M(ingest_datetime), NO_OFF);
}

static void spec_pharmacy(tspec_t *sp)
{
    sp->n = 0;
    add(sp, "claim_id", T_TEXT, TF_REQUIRED, R(claim_id), NO_OFF);
    add(sp, "claim_line_number", T_INT, TF_REQUIRED, R(claim_line_number), NO_OFF);
    add(sp, "person_id", T_TEXT, TF_REQUIRED, R(person_id), NO_OFF);
    add(sp, "member_id", T_TEXT, 0, R(member_id), NO_OFF);
    add(sp, "payer", T_TEXT, 0, R(payer), NO_OFF);
    add(sp, "plan", T_TEXT, 0, R(plan), NO_OFF);
    add(sp, "prescribing_provider_npi", T_TEXT, 0, R(prescribing_provider_npi), NO_OFF);
    add(sp, "dispensing_provider_npi", T_TEXT, 0, R(dispensing_provider_npi), NO_OFF);
    add(sp, "dispensing_date", T_DATE, 0, R(dispensing_date), NO_OFF);
    add(sp, "ndc_code", T_NDC, 0, R(ndc_code), NO_OFF);
    add(sp, "quantity", T_REAL, 0, R(quantity), NO_OFF);
    add(sp, "days_supply", T_INT, 0, R(days_supply), NO_OFF);
    add(sp, "refills", T_INT, 0, R(refills), NO_OFF);
    add(sp, "paid_date", T_DATE, 0, R(paid_date), NO_OFF);
    add(sp, "paid_amount", T_MONEY, 0, R(paid_amount), NO_OFF);
    add(sp, "allowed_amount", T_MONEY, 0, R(allowed_amount), NO_OFF);
    add(sp, "charge_amount", T_MONEY, 0, R(charge_amount), NO_OFF);
    add(sp, "coinsurance_amount", T_MONEY, 0, R(coinsurance_amount), NO_OFF);
    add(sp, "copayment_amount", T_MONEY, 0, R(copayment_amount), NO_OFF);
    add(sp, "deductible_amount", T_MONEY, 0, R(deductible_amount), NO_OFF);
    add(sp, "in_network_flag", T_FLAG, 0, R(in_network_flag), NO_OFF);
    add(sp, "data_source", T_TEXT, 0, R(data_source), NO_OFF);
    add(sp, "file_name", T_TEXT, 0, R(file_name), NO_OFF);
    add(sp, "file_date", T_DATE, 0, R(file_date), NO_OFF);
    add(sp, "ingest_datetime", T_TEXT, 0, R(ingest_datetime), NO_OFF);
}

/* The Tuva practitioner; practice_affiliation is a name (the store keeps an
 * organisation id, which must name a stored organisation), so it is not kept. */
static void spec_practitioner(tspec_t *sp)
{
    sp->n = 0;
    add(sp, "practitioner_id", T_IGNORE, 0, NO_OFF, NO_OFF);
    add(sp, "npi", T_NPI, TF_REQUIRED, PR(npi), NO_OFF);
    add(sp, "first_name", T_TEXT, 0, PR(first_name), NO_OFF);
    add(sp, "last_name", T_TEXT, 0, PR(last_name), NO_OFF);
    add(sp, "practice_affiliation", T_IGNORE, 0, NO_OFF, NO_OFF);
    add(sp, "specialty", T_TEXT, 0, PR(specialty), NO_OFF);
    add(sp, "sub_specialty", T_IGNORE, 0, NO_OFF, NO_OFF);
    add(sp, "data_source", T_TEXT, 0, PR(data_source), NO_OFF);
    add(sp, "file_name", T_IGNORE, 0, NO_OFF, NO_OFF);
    add(sp, "ingest_datetime", T_IGNORE, 0, NO_OFF, NO_OFF);
    /* Tripod's extensions (docs/analytics.md, "Data in"). */
    add(sp, "primary_care_flag", T_FLAG, 0, PR(primary_care_flag), NO_OFF);
    add(sp, "in_network_flag", T_FLAG, 0, PR(in_network_flag), NO_OFF);
}

static void spec_lab_result(tspec_t *sp)
{
    sp->n = 0;
    add(sp, "lab_result_id", T_TEXT, 0, L(lab_result_id), NO_OFF);
    add(sp, "person_id", T_TEXT, TF_REQUIRED, L(person_id), NO_OFF);
    add(sp, "patient_id", T_IGNORE, 0, NO_OFF, NO_OFF);
    add(sp, "encounter_id", T_TEXT, 0, L(encounter_id), NO_OFF);
    add(sp, "accession_number", T_TEXT, 0, L(accession_number), NO_OFF);
    add(sp, "source_code_type", T_LOWER, 0, L(source_code_type), NO_OFF);
    add(sp, "source_code", T_TEXT, 0, L(source_code), NO_OFF);
    add(sp, "source_description", T_IGNORE, 0, NO_OFF, NO_OFF);
    add(sp, "source_component", T_IGNORE, 0, NO_OFF, NO_OFF);
    add(sp, "normalized_code_type", T_LOWER, 0, L(normalized_code_type), NO_OFF);
    add(sp, "normalized_code", T_TEXT, 0, L(normalized_code), NO_OFF);
    add(sp, "normalized_description", T_IGNORE, 0, NO_OFF, NO_OFF);
    add(sp, "normalized_component", T_IGNORE, 0, NO_OFF, NO_OFF);
    add(sp, "status", T_LOWER, 0, L(status), NO_OFF);
    add(sp, "result", T_TEXT, 0, L(result), NO_OFF);
    add(sp, "result_date", T_DATE, 0, L(result_date), NO_OFF);
    add(sp, "collection_date", T_DATE, 0, L(collection_date), NO_OFF);
    add(sp, "source_units", T_TEXT, 0, L(source_units), NO_OFF);
    add(sp, "normalized_units", T_TEXT, 0, L(normalized_units), NO_OFF);
    add(sp, "source_reference_range_low", T_IGNORE, 0, NO_OFF, NO_OFF);
    add(sp, "source_reference_range_high", T_IGNORE, 0, NO_OFF, NO_OFF);
    add(sp, "normalized_reference_range_low", T_IGNORE, 0, NO_OFF, NO_OFF);
    add(sp, "normalized_reference_range_high", T_IGNORE, 0, NO_OFF, NO_OFF);
    add(sp, "source_abnormal_flag", T_IGNORE, 0, NO_OFF, NO_OFF);
    add(sp, "normalized_abnormal_flag", T_IGNORE, 0, NO_OFF, NO_OFF);
    add(sp, "specimen", T_IGNORE, 0, NO_OFF, NO_OFF);
    add(sp, "ordering_practitioner_id", T_IGNORE, 0, NO_OFF, NO_OFF);
    add(sp, "data_source", T_TEXT, 0, L(data_source), NO_OFF);
    add(sp, "file_name", T_IGNORE, 0, NO_OFF, NO_OFF);
    add(sp, "ingest_datetime", T_IGNORE, 0, NO_OFF, NO_OFF);
}

/* ---- shared value parsers --------------------------------------------- */

int import_parse_date(const char *s, size_t n, date_t *out)
{
    /* A date as written (the usual case) starts and ends with a digit, so
     * trimming could not have changed it. */
    if (date_parse(s, n, out) == 0)
        return 0;
    str_trim(&s, &n);
    if (date_parse(s, n, out) == 0)
        return 0;
    /* A dateTime ("2024-03-01T10:00:00Z", "2024-03-01 00:00:00"): its date. */
    if (n > 10)
        return date_parse_prefix(s, n, out);
    return -1;
}

/* ---- the loader ---------------------------------------------------------- */

/* The loader's scratch: the normalised codes of the current row (the record
 * points into them), and the last few valid dates of the file. The dates of a
 * file repeat (a claim line's service dates, a paid date, the file date), so
 * they are kept as written, each in the slot of its last digit: a date read
 * again costs a compare. */
#define DATE_MEMO 4

typedef struct row_codes {
    char code[128][CODE_MAX];
    int n;
    /* When set, codes are allocated here and outlive the row (the records
     * of a chunk parsed by the second thread, put later). */
    arena_t *keep;
    struct {
        uint64_t head; /* the first 8 bytes as written; 0 when unused */
        uint16_t tail; /* the last 2 of 10 (0 for 8) */
        date_t d;
    } dates[DATE_MEMO];
} row_codes_t;

/* import_parse_date through the memo of rc. */
static int parse_date(row_codes_t *rc, const char *s, size_t n, date_t *out)
{
    if (n != 10 && n != 8)
        return import_parse_date(s, n, out);
    uint64_t head;
    uint16_t tail = 0;
    memcpy(&head, s, 8);
    if (n == 10)
        memcpy(&tail, s + 8, 2);
    unsigned k = (unsigned char)s[n - 1] % DATE_MEMO;
    if (rc->dates[k].head == head && rc->dates[k].tail == tail) {
        *out = rc->dates[k].d;
        return 0;
    }
    if (import_parse_date(s, n, out) != 0)
        return -1;
    rc->dates[k].head = head;
    rc->dates[k].tail = tail;
    rc->dates[k].d = *out;
    return 0;
}

static char *code_slot(row_codes_t *rc)
{
    if (rc->n >= 128)
        return NULL;
    rc->n++;
    return rc->keep ? arena_alloc(rc->keep, CODE_MAX) : rc->code[rc->n - 1];
}

static void lower_in_place(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

/* Trims the field in place (the buffer is ours) and returns its start. */
static inline char *trim_field(csvr_field_t *f)
{
    char *s = f->s;
    size_t n = f->n;
    /* Nothing to trim (the usual case): the field already ends in a NUL. */
    if (n > 0 && (unsigned char)s[0] > ' ' && (unsigned char)s[n - 1] > ' ')
        return s;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    s[n] = '\0';
    while (*s == ' ' || *s == '\t') {
        s++;
        n--;
    }
    f->n = n;
    return s;
}

static int bad(import_ctx_t *c, const csvr_field_t *f, const tcol_t *col, err_t *e,
               const char *what, const char *value)
{
    return err_at(e, ERR_INPUT, c->name, f->line, f->col, col->name, "%s '%.60s'", what, value);
}

/* ICD-9 codes (by the code type column) are kept upper case without dots. */
static int norm_icd9(const char *s, char *out)
{
    size_t k = 0;
    for (; *s && k + 1 < CODE_MAX; s++) {
        if (*s == '.')
            continue;
        char ch = *s >= 'a' && *s <= 'z' ? (char)(*s - 'a' + 'A') : *s;
        if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z')))
            return -1;
        out[k++] = ch;
    }
    out[k] = '\0';
    return *s || k == 0 ? -1 : 0;
}

/* Converts one trimmed, non-empty value (s, n bytes, NUL-terminated) into the
 * field at dst: the types set_value leaves to it. */
static int convert(import_ctx_t *c, const tcol_t *col, const csvr_field_t *f, char *s, size_t n,
                   char *dst, row_codes_t *rc, bool dx_icd9, bool px_icd9, err_t *e)
{
    switch (col->type) {
    case T_IGNORE:
    case T_TEXT:
    case T_DATE:
    case T_MONEY:
    case T_INT:
        break; /* set_value's */
    case T_LOWER:
        lower_in_place(s);
        *(const char **)dst = s;
        break;
    case T_REAL: {
        double v;
        if (str_to_double(s, n, &v) != 0)
            return bad(c, f, col, e, "invalid number", s);
        *(double *)dst = v;
        break;
    }
    case T_FLAG:
        if (value_flag(s, n, (int *)dst) != 0)
            return bad(c, f, col, e, "invalid flag (want 1/0, Y/N, true/false)", s);
        break;
    case T_NPI:
        if (n != 10 || strspn(s, "0123456789") != 10)
            return bad(c, f, col, e, "invalid NPI (want 10 digits)", s);
        *(const char **)dst = s;
        break;
    case T_GENDER: {
        value_sex_t sex;
        if (value_sex(s, n, &sex) != 0)
            return bad(c, f, col, e, "invalid gender (want male, female or unknown)", s);
        *(const char **)dst = value_sex_name(sex);
        break;
    }
    case T_CLAIM_TYPE:
        lower_in_place(s);
        if (!str_eq(s, n, "institutional") && !str_eq(s, n, "professional") &&
            !str_eq(s, n, "dme") && !str_eq(s, n, "undetermined"))
            return bad(c, f, col, e, "invalid claim type (want institutional, professional or dme)",
                       s);
        *(const char **)dst = s;
        break;
    case T_DX:
    case T_PX:
    case T_HCPCS:
    case T_NDC: {
        char *out = code_slot(rc);
        int rcode;
        if (!out)
            return bad(c, f, col, e, "too many codes in one row", s);
        if (col->type == T_DX)
            rcode = dx_icd9 ? norm_icd9(s, out) : code_norm_icd10cm(s, n, out, CODE_MAX);
        else if (col->type == T_PX)
            rcode = px_icd9 ? norm_icd9(s, out) : code_norm_icd10pcs(s, n, out, CODE_MAX);
        else if (col->type == T_HCPCS)
            rcode = code_norm_hcpcs(s, n, out, CODE_MAX);
        else
            rcode = code_norm_ndc(s, n, out, CODE_MAX);
        if (rcode != 0)
            return bad(c, f, col, e,
                       col->type == T_DX
                           ? (dx_icd9 ? "invalid ICD-9-CM code" : "invalid ICD-10-CM code")
                       : col->type == T_PX
                           ? (px_icd9 ? "invalid ICD-9-PCS code" : "invalid ICD-10-PCS code")
                       : col->type == T_HCPCS ? "invalid CPT/HCPCS code"
                                              : "invalid NDC",
                       s);
        *(const char **)dst = out;
        break;
    }
    }
    return 0;
}

/* Whether a code type column (as written, before trimming) says ICD-9. All
 * three spellings have a '9', which most rows' "icd-10-cm" lacks. */
static bool names_icd9(const csvr_field_t *f)
{
    const char *t = f->s;
    return memchr(t, '9', f->n) && (strstr(t, "icd-9") || strstr(t, "ICD-9") || strstr(t, "icd9"));
}

/* The size of a converted value of a column type. */
static size_t value_size(tcol_type_t t)
{
    switch (t) {
    case T_IGNORE:
        return 0;
    case T_DATE:
        return sizeof(date_t);
    case T_MONEY:
        return sizeof(money_t);
    case T_INT:
        return sizeof(int64_t);
    case T_REAL:
        return sizeof(double);
    case T_FLAG:
        return sizeof(int);
    default:
        return sizeof(const char *);
    }
}

/* The records one row fills: the primary, and the patient of an
 * eligibility row. */
typedef struct trow {
    union {
        store_enrollment_t en;
        store_med_claim_t med;
        store_rx_claim_t rx;
        store_practitioner_t prac;
        tuva_lab_t lab;
    } rec1;
    store_patient_t pat;
} trow_t;

/* A file column whose values are kept: its spec column and where its value
 * goes, worked out once per file (offsets into a trow_t, so that each
 * thread fills its own). */
typedef struct tslot {
    const tcol_t *col;
    size_t dst;  /* in the primary record, else the secondary; NO_OFF: nowhere */
    size_t dst2; /* a copy in the secondary record too (eligibility), or NO_OFF */
    tcol_type_t type;
    unsigned flags;
} tslot_t;

/* Trims and converts a field of a kept column into its record(s). The
 * commonest types (nearly every value of a claims file) are converted here,
 * in the row loop; the others in convert(). */
static int set_value(import_ctx_t *c, const tslot_t *slot, csvr_field_t *f, row_codes_t *rc,
                     bool dx_icd9, bool px_icd9, trow_t *row, err_t *e)
{
    char *s = trim_field(f);
    size_t n = f->n;
    if (n == 0 || slot->dst == NO_OFF)
        return 0;
    char *dst = (char *)row + slot->dst;
    int r;
    switch (slot->type) {
    case T_TEXT:
        *(const char **)dst = s;
        break;
    case T_DATE:
        if (parse_date(rc, s, n, (date_t *)dst) != 0)
            return bad(c, f, slot->col, e, "invalid date", s);
        break;
    case T_MONEY:
        if (money_parse(s, n, (money_t *)dst) != 0)
            return bad(c, f, slot->col, e, "invalid amount", s);
        break;
    case T_INT:
        if (str_to_i64(s, n, (int64_t *)dst) != 0)
            return bad(c, f, slot->col, e, "invalid whole number", s);
        break;
    default:
        if ((r = convert(c, slot->col, f, s, n, dst, rc, dx_icd9, px_icd9, e)) != 0)
            return r;
        break;
    }
    if (slot->dst2 != NO_OFF)
        memcpy((char *)row + slot->dst2, dst, value_size(slot->type));
    return 0;
}

static int put_row(import_ctx_t *c, import_format_t fmt, void *rec1, void *rec2,
                   const char **last_person, err_t *e)
{
    int rc = 0;
    switch (fmt) {
    case IMPORT_FMT_TUVA_ELIGIBILITY: {
        store_patient_t *p = rec2;
        /* Consecutive rows of one person carry the same demographics. */
        if (!*last_person || strcmp(*last_person, p->person_id) != 0) {
            if ((rc = store_put_patient(c->s, p, e)) != 0)
                return rc;
            c->r->counts[IK_PATIENT]++;
            *last_person = p->person_id;
        }
        if ((rc = store_put_enrollment(c->s, rec1, e)) != 0)
            return rc;
        c->r->counts[IK_ENROLLMENT]++;
        break;
    }
    case IMPORT_FMT_TUVA_MEDICAL_CLAIM:
        if ((rc = store_put_med_claim(c->s, rec1, e)) != 0)
            return rc;
        c->r->counts[IK_MED_CLAIM_LINE]++;
        break;
    case IMPORT_FMT_TUVA_PRACTITIONER:
        if ((rc = store_put_practitioner(c->s, rec1, e)) != 0)
            return rc;
        c->r->counts[IK_PRACTITIONER]++;
        break;
    default:
        if ((rc = store_put_rx_claim(c->s, rec1, e)) != 0)
            return rc;
        c->r->counts[IK_RX_CLAIM_LINE]++;
        break;
    }
    return 0;
}

/* Checks that hold across columns of a row (spans that end before they start). */
static int check_row(import_ctx_t *c, import_format_t fmt, const void *rec1, const csvr_t *rd,
                     const int *colof, err_t *e)
{
    const char *what = NULL;
    int idx = -1;
    if (fmt == IMPORT_FMT_TUVA_ELIGIBILITY) {
        const store_enrollment_t *en = rec1;
        if (en->enrollment_end_date != DATE_NONE &&
            en->enrollment_end_date < en->enrollment_start_date) {
            what = "enrollment_end_date is before enrollment_start_date";
            idx = colof[1];
        }
    } else if (fmt == IMPORT_FMT_TUVA_MEDICAL_CLAIM) {
        const store_med_claim_t *m = rec1;
        if (m->claim_line_number <= 0) {
            what = "claim_line_number must be 1 or more";
            idx = colof[2];
        } else if (m->claim_start_date != DATE_NONE && m->claim_end_date != DATE_NONE &&
                   m->claim_end_date < m->claim_start_date) {
            what = "claim_end_date is before claim_start_date";
            idx = colof[1];
        }
    } else if (fmt == IMPORT_FMT_TUVA_PHARMACY_CLAIM) {
        const store_rx_claim_t *x = rec1;
        if (x->claim_line_number <= 0) {
            what = "claim_line_number must be 1 or more";
            idx = colof[2];
        }
    }
    if (!what)
        return 0;
    long col = idx >= 0 && (size_t)idx < rd->nfields ? rd->fields[idx].col : 0;
    return err_at(e, ERR_INPUT, c->name, rd->rec_line, col, NULL, "%s", what);
}

/* ---- lab_result: one observation per row ------------------------------ */

typedef struct lab_scratch {
    buf_t id;
    char code[CODE_MAX];
} lab_scratch_t;

/* The file column (1-based position of the field) of a spec column in the
 * current row, or 0 when the header lacks it (for errors). */
static long field_col(const csvr_t *rd, const int *where, const tspec_t *sp, const char *name)
{
    for (int k = 0; k < sp->n; k++)
        if (strcmp(sp->cols[k].name, name) == 0)
            return where[k] >= 0 && (size_t)where[k] < rd->nfields ? rd->fields[where[k]].col : 0;
    return 0;
}

static bool fhir_obs_status(const char *s)
{
    static const char *const ok[] = { "registered",       "preliminary", "final",
                                      "amended",          "corrected",   "cancelled",
                                      "entered-in-error", "unknown",     NULL };
    for (const char *const *p = ok; s && *p; p++)
        if (strcmp(s, *p) == 0)
            return true;
    return false;
}

/* The observation of a lab_result row: the LOINC code (normalized_code, else
 * source_code, by their *_code_type), the result date (else the collection
 * date), a number when the result is one (else text), the normalised units
 * (else the source units). Its id is "lab_result:" and the lab_result_id (or
 * person, accession, code and date): FHIR ids cannot hold ':', so it never
 * meets an Observation's. */
static int put_lab(import_ctx_t *c, tuva_lab_t *l, const csvr_t *rd, const int *where,
                   const tspec_t *sp, lab_scratch_t *x, err_t *e)
{
    char *code = NULL;
    const char *type = NULL;
    if (l->normalized_code && l->normalized_code_type &&
        strcmp(l->normalized_code_type, "loinc") == 0) {
        code = (char *)l->normalized_code;
        type = l->normalized_code_type;
    } else if (l->source_code && l->source_code_type && strcmp(l->source_code_type, "loinc") == 0) {
        code = (char *)l->source_code;
        type = l->source_code_type;
    } else if (l->normalized_code) {
        code = (char *)l->normalized_code;
        type = l->normalized_code_type;
    } else if (l->source_code) {
        code = (char *)l->source_code;
        type = l->source_code_type;
    }
    if (!code)
        return err_at(e, ERR_INPUT, c->name, rd->rec_line, field_col(rd, where, sp, "source_code"),
                      "source_code", "no result code (neither source_code nor normalized_code)");
    date_t when = l->result_date != DATE_NONE ? l->result_date : l->collection_date;
    if (when == DATE_NONE)
        return err_at(e, ERR_INPUT, c->name, rd->rec_line, field_col(rd, where, sp, "result_date"),
                      "result_date", "no date (neither result_date nor collection_date)");

    store_observation_t o;
    store_observation_init(&o);
    if (type && strcmp(type, "loinc") == 0) {
        o.code_system = code_system_name(CODE_LOINC);
        /* A LOINC that does not validate is kept as given (docs/import.md). */
        if (code_norm_loinc(code, strlen(code), x->code, sizeof x->code) == 0)
            code = x->code;
    } else if (type && strstr(type, "snomed")) {
        o.code_system = code_system_name(CODE_SNOMED);
    } else if (type) {
        char *t = (char *)type; /* lower-cased in place; the buffer is ours */
        for (; *t; t++)
            if (*t >= 'a' && *t <= 'z')
                *t = (char)(*t - 'a' + 'A');
        o.code_system = type;
    }
    o.code = code;
    char d[DATE_FMT_LEN];
    date_format(when, d);
    buf_reset(&x->id);
    if (l->lab_result_id)
        buf_printf(&x->id, "lab_result:%s", l->lab_result_id);
    else
        buf_printf(&x->id, "lab_result:%s:%s:%s:%s", l->person_id,
                   l->accession_number ? l->accession_number : "", code, d);
    o.observation_id = buf_cstr(&x->id);
    o.person_id = l->person_id;
    o.encounter_id = l->encounter_id;
    o.status = fhir_obs_status(l->status) ? l->status : "final";
    o.category = "laboratory";
    o.effective_date = when;
    if (l->result) {
        double v;
        if (str_to_double(l->result, strlen(l->result), &v) == 0 && isfinite(v))
            o.value_num = v;
        else
            o.value_text = l->result;
    }
    o.value_unit = l->normalized_units ? l->normalized_units : l->source_units;
    o.data_source = l->data_source;
    int rc = store_put_observation(c->s, &o, e);
    if (rc == 0)
        c->r->counts[IK_OBSERVATION]++;
    return rc;
}

/* What a file's rows are read with, fixed once its header is read; shared
 * read-only by the threads of a parallel load. */
typedef struct tload {
    import_ctx_t *c;
    import_format_t fmt;
    const tspec_t *spec;
    const int *map;
    const tslot_t *stored; /* per file column; col NULL when not kept */
    const size_t *req;     /* the file columns of required values, in file order */
    size_t nreq, ncols;
    int colof[3]; /* end date, start-ish date, line number columns */
    int dx_type_col, px_type_col;
} tload_t;

/* Reads the record rd holds into row: every kept value converted and checked. */
static int parse_row(const tload_t *L, csvr_t *rd, trow_t *row, row_codes_t *codes, err_t *e)
{
    import_ctx_t *c = L->c;
    if (rd->nfields != L->ncols) {
        long col = rd->nfields > L->ncols ? rd->fields[L->ncols].col : 0;
        return err_at(e, ERR_INPUT, c->name, rd->rec_line, col, NULL,
                      "row has %zu fields, the header has %zu", rd->nfields, L->ncols);
    }
    switch (L->fmt) {
    case IMPORT_FMT_TUVA_ELIGIBILITY:
        store_enrollment_init(&row->rec1.en);
        store_patient_init(&row->pat);
        break;
    case IMPORT_FMT_TUVA_MEDICAL_CLAIM:
        store_med_claim_init(&row->rec1.med);
        break;
    case IMPORT_FMT_TUVA_PRACTITIONER:
        store_practitioner_init(&row->rec1.prac);
        break;
    case IMPORT_FMT_TUVA_LAB_RESULT:
        tuva_lab_init(&row->rec1.lab);
        break;
    default:
        store_rx_claim_init(&row->rec1.rx);
        break;
    }
    codes->n = 0;
    bool dx9 = L->dx_type_col >= 0 && names_icd9(&rd->fields[L->dx_type_col]);
    bool px9 = L->px_type_col >= 0 && names_icd9(&rd->fields[L->px_type_col]);
    /* Values are checked in file order and the first bad one is reported;
     * a required value left empty is such a value at its column. Most
     * claim columns are empty, so only the filled fields are visited, up
     * to the first required column found empty (whose error comes next). */
    size_t stop = L->ncols;
    for (size_t k = 0; k < L->nreq; k++)
        if (rd->fields[L->req[k]].n == 0) {
            stop = L->req[k];
            break;
        }
    const size_t *fi = rd->filled, *fend = rd->filled + rd->nfilled;
    csvr_field_t *fields = rd->fields;
    int rc;
    for (; fi < fend && *fi < stop; fi++) {
        const tslot_t *slot = &L->stored[*fi];
        if (!slot->col)
            continue;
        csvr_field_t *f = &fields[*fi];
        if ((rc = set_value(c, slot, f, codes, dx9, px9, row, e)) != 0)
            return rc;
        /* A value of blanks only is empty once trimmed. */
        if ((slot->flags & TF_REQUIRED) && f->n == 0)
            return err_at(e, ERR_INPUT, c->name, f->line, f->col, slot->col->name,
                          "required value missing");
    }
    if (stop < L->ncols) {
        csvr_field_t *f = &rd->fields[stop];
        return err_at(e, ERR_INPUT, c->name, f->line, f->col, L->spec->cols[L->map[stop]].name,
                      "required value missing");
    }
    return check_row(c, L->fmt, &row->rec1, rd, L->colof, e);
}

/* ---- claims in parallel ---------------------------------------------------
 *
 * A claims file is cut into chunks of whole records (about 1 MiB). The
 * store's thread takes the chunks in file order: a chunk the second thread
 * has parsed already is only put (its records were kept), any other it
 * parses and puts itself. The second thread parses the next chunks nobody
 * has taken, a bounded distance ahead. So the puts happen in file order,
 * exactly as one thread would make them, the work shares itself out, and
 * the first error in file order is the one reported (a chunk parsed ahead
 * keeps its error for when its turn comes). A record's line is known once
 * the lines of the chunks before it are: errors of a chunk parsed ahead
 * are moved by that offset. */

#define PAR_CHUNK_DEFAULT ((size_t)1 << 20)
#define PAR_AHEAD         8 /* chunks the second thread may parse ahead */
#define PAR_SLOTS         (PAR_AHEAD + 1)

enum { CH_FREE, CH_TAKEN, CH_PARSED };

typedef struct tchunk {
    size_t start, end; /* bytes of c->buf: whole records */
    int state;
    /* Filled by the second thread. */
    char *recs;  /* nrecs records of the file's kind, rec_size bytes each */
    long *lines; /* the line of each, counted from the chunk's first (1) */
    size_t nrecs, cap;
    arena_t *codes;
    long nlines;           /* line ends in the chunk */
    unsigned long records; /* rows read (the bad one included) */
    int rc;                /* the chunk's parse error, at the row after the records */
    err_t err;
} tchunk_t;

typedef struct tpar {
    const tload_t *L;
    size_t rec_size, chunk, data_end;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    tchunk_t slot[PAR_SLOTS];
    size_t defined;    /* chunks whose bounds are known */
    size_t next_start; /* where the next chunk to define starts */
    size_t next_free;  /* the lowest chunk nobody has taken */
    size_t current;    /* the chunk the store's thread is on */
    bool stop;
    bool short_read; /* the file ended before its size said */
} tpar_t;

/* The end of the chunk starting at start: the first line end at least
 * chunk bytes on that is not inside a quoted field (quotes counted from the
 * record boundary at start), or the end of the data; 0 when the bytes read
 * so far (avail) do not tell yet. */
static size_t chunk_end(const char *b, size_t start, size_t avail, size_t end, size_t chunk)
{
    if (end - start <= chunk)
        return avail >= end ? end : 0;
    size_t target = start + chunk;
    if (avail <= target)
        return 0;
    bool in_quotes = false;
    for (const char *p = b + start, *t = b + target; (p = memchr(p, '"', (size_t)(t - p))); p++)
        in_quotes = !in_quotes;
    for (size_t i = target; i < avail; i++) {
        if (b[i] == '"')
            in_quotes = !in_quotes;
        else if (b[i] == '\n' && !in_quotes)
            return i + 1;
    }
    return avail >= end ? end : 0;
}

/* Defines chunk k (k == P->defined), waiting for its bytes to be read: 1,
 * 0 at the end of the data, -1 when the file ended early. Called with the
 * mutex held. */
static int define_chunk(tpar_t *P, size_t k)
{
    if (k < P->defined)
        return 1;
    if (P->short_read)
        return -1;
    if (P->next_start >= P->data_end)
        return 0;
    tchunk_t *ch = &P->slot[k % PAR_SLOTS];
    ch->start = P->next_start;
    size_t need = ch->start + P->chunk + 65536, end = 0;
    while (!end) {
        if (need > P->data_end)
            need = P->data_end;
        size_t avail = import_wait(P->L->c, need);
        end = chunk_end(P->L->c->buf, ch->start, avail, P->data_end, P->chunk);
        if (!end && avail < need) {
            P->short_read = true;
            return -1;
        }
        need += P->chunk;
    }
    ch->end = end;
    ch->state = CH_FREE;
    ch->nrecs = 0;
    ch->nlines = 0;
    ch->records = 0;
    ch->rc = 0;
    err_clear(&ch->err);
    P->next_start = ch->end;
    P->defined = k + 1;
    return 1;
}

/* A reader over the chunk's bytes, its lines counted from 1. The bytes up
 * to and including the chunk's last line end are its own, so the reader
 * never writes past them. */
static void chunk_reader(const tload_t *L, const tchunk_t *ch, long first_line, csvr_t *rd)
{
    /* The field arrays of the previous chunk are kept. */
    csvr_field_t *fields = rd->fields;
    size_t *filled = rd->filled, cap = rd->cap;
    csvr_init(rd, L->c->name, L->c->buf + ch->start, ch->end - ch->start);
    rd->fields = fields;
    rd->filled = filled;
    rd->cap = cap;
    rd->pos = rd->line_start = 0; /* a byte-order mark only counts at the file's start */
    rd->line = first_line;
}

/* The second thread: parses chunks ahead, keeping their records. */
static void *par_main(void *arg)
{
    tpar_t *P = arg;
    const tload_t *L = P->L;
    row_codes_t *codes = mem_calloc(1, sizeof *codes);
    trow_t *row = mem_alloc(sizeof *row);
    csvr_t rd;
    memset(&rd, 0, sizeof rd);
    pthread_mutex_lock(&P->mu);
    for (;;) {
        size_t k = P->next_free;
        while (!P->stop && k >= P->current + PAR_AHEAD) {
            pthread_cond_wait(&P->cv, &P->mu);
            k = P->next_free;
        }
        if (P->stop || define_chunk(P, k) <= 0)
            break;
        tchunk_t *ch = &P->slot[k % PAR_SLOTS];
        ch->state = CH_TAKEN;
        P->next_free = k + 1;
        pthread_mutex_unlock(&P->mu);

        if (!ch->codes)
            ch->codes = arena_new(0);
        codes->keep = ch->codes;
        chunk_reader(L, ch, 1, &rd);
        int rc;
        for (;;) {
            if ((rc = csvr_next(&rd, &ch->err)) <= 0) {
                if (rc < 0)
                    ch->rc = ERR_INPUT;
                break;
            }
            ch->records++;
            if ((rc = parse_row(L, &rd, row, codes, &ch->err)) != 0) {
                ch->rc = rc;
                break;
            }
            if (ch->nrecs == ch->cap) {
                ch->cap = ch->cap ? ch->cap * 2 : 1024;
                ch->recs = mem_realloc(ch->recs, ch->cap * P->rec_size);
                ch->lines = mem_realloc(ch->lines, ch->cap * sizeof *ch->lines);
            }
            memcpy(ch->recs + ch->nrecs * P->rec_size, &row->rec1, P->rec_size);
            ch->lines[ch->nrecs++] = rd.rec_line;
        }
        ch->nlines = rd.line - 1;

        pthread_mutex_lock(&P->mu);
        ch->state = CH_PARSED;
        pthread_cond_broadcast(&P->cv);
    }
    pthread_mutex_unlock(&P->mu);
    csvr_free(&rd);
    mem_free(row);
    mem_free(codes);
    return NULL;
}

/* Moves an error of a chunk parsed ahead from its lines to the file's. */
static void shift_err(err_t *e, long base)
{
    if (e->line > 0)
        e->line += base - 1;
}

static int par_load(const tload_t *L, size_t data_start, long first_line, size_t chunk, err_t *e)
{
    import_ctx_t *c = L->c;
    tpar_t *P = mem_calloc(1, sizeof *P);
    P->L = L;
    P->rec_size = L->fmt == IMPORT_FMT_TUVA_MEDICAL_CLAIM ? sizeof(store_med_claim_t)
                                                          : sizeof(store_rx_claim_t);
    P->chunk = chunk;
    P->data_end = c->len;
    P->next_start = data_start;
    pthread_mutex_init(&P->mu, NULL);
    pthread_cond_init(&P->cv, NULL);
    pthread_t th;
    bool threaded = pthread_create(&th, NULL, par_main, P) == 0;
    row_codes_t *codes = mem_calloc(1, sizeof *codes);
    trow_t *row = mem_alloc(sizeof *row);
    csvr_t rd;
    memset(&rd, 0, sizeof rd);
    const char *last_person = NULL;
    long line = first_line; /* the line the current chunk starts on */
    int rc = 0;
    for (size_t k = 0; rc == 0; k++) {
        pthread_mutex_lock(&P->mu);
        P->current = k;
        pthread_cond_broadcast(&P->cv);
        int def = define_chunk(P, k);
        if (def <= 0) {
            pthread_mutex_unlock(&P->mu);
            if (def < 0)
                rc = err_at(e, ERR_IO, c->name, 0, 0, NULL,
                            "the file ended early while being read (it changed, or a read failed)");
            break;
        }
        tchunk_t *ch = &P->slot[k % PAR_SLOTS];
        bool mine = P->next_free == k;
        if (mine) {
            ch->state = CH_TAKEN;
            P->next_free = k + 1;
        }
        while (!mine && ch->state != CH_PARSED)
            pthread_cond_wait(&P->cv, &P->mu);
        pthread_mutex_unlock(&P->mu);

        if (mine) {
            /* Parsed and put here, row by row, as tuva_load does. */
            chunk_reader(L, ch, line, &rd);
            for (unsigned long rows = 0;;) {
                if ((rc = csvr_next(&rd, e)) <= 0) {
                    rc = rc < 0 ? ERR_INPUT : 0;
                    break;
                }
                c->r->records++;
                if ((rc = parse_row(L, &rd, row, codes, e)) != 0)
                    break;
                if ((rc = put_row(c, L->fmt, &row->rec1, &row->pat, &last_person, e)) != 0) {
                    err_where(e, c->name, rd.rec_line, 0, NULL);
                    break;
                }
                if ((++rows & 4095) == 0 && (rc = import_tick(c, ch->start + csvr_offset(&rd), e)))
                    break;
            }
            line = rd.line;
        } else {
            for (size_t i = 0; i < ch->nrecs && rc == 0; i++) {
                c->r->records++;
                rc = put_row(c, L->fmt, ch->recs + i * P->rec_size, NULL, &last_person, e);
                if (rc) {
                    err_where(e, c->name, ch->lines[i], 0, NULL);
                    shift_err(e, line);
                }
            }
            if (rc == 0 && ch->rc) {
                c->r->records += ch->records - ch->nrecs;
                *e = ch->err;
                shift_err(e, line);
                rc = ch->rc;
            }
            line += ch->nlines;
            arena_reset(ch->codes);
        }
        if (rc == 0)
            rc = import_tick(c, ch->end, e);
    }
    pthread_mutex_lock(&P->mu);
    P->stop = true;
    pthread_cond_broadcast(&P->cv);
    pthread_mutex_unlock(&P->mu);
    if (threaded)
        pthread_join(th, NULL);
    for (int i = 0; i < PAR_SLOTS; i++) {
        mem_free(P->slot[i].recs);
        mem_free(P->slot[i].lines);
        if (P->slot[i].codes)
            arena_free(P->slot[i].codes);
    }
    pthread_cond_destroy(&P->cv);
    pthread_mutex_destroy(&P->mu);
    csvr_free(&rd);
    mem_free(row);
    mem_free(codes);
    mem_free(P);
    return rc;
}

int tuva_load(import_ctx_t *c, import_format_t fmt, err_t *e)
{
    /* The column table is rebuilt per file: cheap, and no shared state. */
    tspec_t *spec = mem_alloc(sizeof *spec);
    if (fmt == IMPORT_FMT_TUVA_ELIGIBILITY)
        spec_eligibility(spec);
    else if (fmt == IMPORT_FMT_TUVA_MEDICAL_CLAIM)
        spec_medical(spec);
    else if (fmt == IMPORT_FMT_TUVA_PRACTITIONER)
        spec_practitioner(spec);
    else if (fmt == IMPORT_FMT_TUVA_LAB_RESULT)
        spec_lab_result(spec);
    else
        spec_pharmacy(spec);

    trow_t *row = mem_alloc(sizeof *row);
    csvr_t rd;
    /* A claims file is still being read (import_wait): its header needs its
     * first record end (and the reader's 64-byte look-ahead), the rest is
     * waited for by par_load, or below. */
    size_t head = chunk_end(c->buf, 0, import_wait(c, (size_t)1 << 20), c->len, 0);
    import_wait(c, head ? head + 64 : c->len);
    csvr_init(&rd, c->name, c->buf, c->len);
    int rc = csvr_next(&rd, e);
    int *map = NULL;
    tslot_t *stored = NULL;
    size_t *req = NULL;
    tload_t L = { .c = c,
                  .fmt = fmt,
                  .spec = spec,
                  .colof = { -1, -1, -1 },
                  .dx_type_col = -1,
                  .px_type_col = -1 };
    row_codes_t *codes = mem_calloc(1, sizeof *codes);
    buf_t unknown = BUF_INIT;
    lab_scratch_t lab = { BUF_INIT, { 0 } };
    int where[MAX_TCOLS];
    for (int k = 0; k < MAX_TCOLS; k++)
        where[k] = -1;
    if (rc != 1) {
        rc = rc == 0 ? err_at(e, ERR_INPUT, c->name, 1, 1, NULL, "empty file: no header row")
                     : ERR_INPUT;
        goto done;
    }
    rc = 0;
    size_t ncols = rd.nfields;
    map = mem_alloc(ncols * sizeof *map);
    stored = mem_alloc(ncols * sizeof *stored);
    req = mem_alloc(ncols * sizeof *req);
    {
        bool seen[MAX_TCOLS] = { false };
        for (size_t i = 0; i < ncols; i++) {
            char *h = trim_field(&rd.fields[i]);
            lower_in_place(h);
            map[i] = -1;
            stored[i] = (tslot_t){ NULL, NO_OFF, NO_OFF, T_IGNORE, 0 };
            for (int k = 0; k < spec->n; k++)
                if (strcmp(spec->cols[k].name, h) == 0) {
                    if (seen[k]) {
                        rc = err_at(e, ERR_INPUT, c->name, 1, rd.fields[i].col, h,
                                    "column appears twice in the header");
                        goto done;
                    }
                    seen[k] = true;
                    map[i] = k;
                    where[k] = (int)i;
                    break;
                }
            if (map[i] < 0) {
                buf_printf(&unknown, "%s%s", unknown.len ? ", " : "", h[0] ? h : "(empty)");
                continue;
            }
            const char *nm = spec->cols[map[i]].name;
            if (strcmp(nm, "diagnosis_code_type") == 0)
                L.dx_type_col = (int)i;
            else if (strcmp(nm, "procedure_code_type") == 0)
                L.px_type_col = (int)i;
            else if (strcmp(nm, "enrollment_end_date") == 0 || strcmp(nm, "claim_end_date") == 0)
                L.colof[1] = (int)i;
            else if (strcmp(nm, "claim_line_number") == 0)
                L.colof[2] = (int)i;
            const tcol_t *col = &spec->cols[map[i]];
            if (col->type != T_IGNORE || (col->flags & TF_REQUIRED)) {
                size_t d1 = col->off1 != NO_OFF ? offsetof(trow_t, rec1) + col->off1 : NO_OFF;
                size_t d2 = col->off2 != NO_OFF ? offsetof(trow_t, pat) + col->off2 : NO_OFF;
                stored[i] = (tslot_t){ col, d1 != NO_OFF ? d1 : d2, d1 != NO_OFF ? d2 : NO_OFF,
                                       col->type, col->flags };
            }
            if (col->flags & TF_REQUIRED)
                req[L.nreq++] = i;
        }
        for (int k = 0; k < spec->n; k++)
            if ((spec->cols[k].flags & TF_REQUIRED) && !seen[k]) {
                rc = err_at(e, ERR_INPUT, c->name, 1, 0, spec->cols[k].name,
                            "required column missing from the header");
                goto done;
            }
    }
    if (unknown.len)
        import_warn(c, "ignoring unknown columns: %s", buf_cstr(&unknown));
    L.map = map;
    L.stored = stored;
    L.req = req;
    L.ncols = ncols;

    /* Claims files of some size are parsed by two threads (par_load). */
    size_t chunk = c->o && c->o->chunk_bytes ? c->o->chunk_bytes : PAR_CHUNK_DEFAULT;
    if ((fmt == IMPORT_FMT_TUVA_MEDICAL_CLAIM || fmt == IMPORT_FMT_TUVA_PHARMACY_CLAIM) &&
        c->len - rd.pos >= 2 * chunk && sysconf(_SC_NPROCESSORS_ONLN) > 1) {
        rc = par_load(&L, rd.pos, rd.line, chunk, e);
        goto done;
    }
    if (import_wait(c, c->len) < c->len) {
        rc = err_at(e, ERR_IO, c->name, 0, 0, NULL,
                    "the file ended early while being read (it changed, or a read failed)");
        goto done;
    }

    const char *last_person = NULL;
    unsigned long rows = 0;
    for (;;) {
        if ((rc = csvr_next(&rd, e)) <= 0) {
            rc = rc < 0 ? ERR_INPUT : 0;
            break;
        }
        rc = 0;
        c->r->records++;
        if ((rc = parse_row(&L, &rd, row, codes, e)) != 0)
            goto done;
        if (fmt == IMPORT_FMT_TUVA_LAB_RESULT) {
            if ((rc = put_lab(c, &row->rec1.lab, &rd, where, spec, &lab, e)) != 0) {
                err_where(e, c->name, rd.rec_line, 0, NULL);
                goto done;
            }
        } else if ((rc = put_row(c, fmt, &row->rec1, &row->pat, &last_person, e)) != 0) {
            err_where(e, c->name, rd.rec_line, 0, NULL);
            goto done;
        }
        if ((++rows & 4095) == 0 && (rc = import_tick(c, csvr_offset(&rd), e)) != 0)
            goto done;
    }
done:
    buf_free(&lab.id);
    buf_free(&unknown);
    mem_free(codes);
    mem_free(req);
    mem_free(stored);
    mem_free(map);
    mem_free(row);
    mem_free(spec);
    csvr_free(&rd);
    return rc;
}
