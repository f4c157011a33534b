/* measure.h — running published eCQMs (FHIR Measure + Library + ValueSet).
 *
 * A measure set is one directory holding measure/, library/ and valueset/
 * (the layout of the eCQM reference data): adding a measure is dropping its
 * JSON there. Each Measure names its primary Library; each group's
 * populations name CQL expressions of it. Proportion semantics:
 *   denominator            counted only within the initial population
 *   denominator-exclusion  only within the denominator
 *   numerator              within the denominator and not excluded
 *   numerator-exclusion    only within the numerator
 *   denominator-exception  within the denominator, not excluded, not in the numerator
 */
#ifndef TRIPOD_MEASURES_MEASURE_H
#define TRIPOD_MEASURES_MEASURE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "measures/elm.h"

typedef enum measure_pop {
    MPOP_IP = 0,
    MPOP_DENOM,
    MPOP_DENEX,
    MPOP_NUMER,
    MPOP_NUMEX,
    MPOP_DENEXCEP,
    MPOP__COUNT
} measure_pop_t;

#define MEASURE_MAX_GROUPS 8

typedef struct measure measure_t;
typedef struct measure_set measure_set_t;

typedef struct measure_result {
    int ngroups;
    /* counts[g][p]: 0/1 for a patient; -1 when the group has no such population */
    int counts[MEASURE_MAX_GROUPS][MPOP__COUNT];
} measure_result_t;

/* The FHIR code of a population ("initial-population", ...). */
const char *measure_pop_code(measure_pop_t p);

/* Loads measure/, library/ and valueset/ under dir. */
int measure_set_load(const char *dir, measure_set_t **out, err_t *e);
void measure_set_free(measure_set_t *ms);
elm_engine_t *measure_set_engine(measure_set_t *ms);

/* By name ("BreastCancerScreeningFHIR"), CMS id ("CMS125", "CMS125FHIR") or URL. */
measure_t *measure_find(measure_set_t *ms, const char *key);
int measure_count(const measure_set_t *ms);
measure_t *measure_at(measure_set_t *ms, int i);
const char *measure_name(const measure_t *m);
const char *measure_url(const measure_t *m);
int measure_ngroups(const measure_t *m);
/* "CMS165" (from the identifier; the name when none). */
const char *measure_cms(const measure_t *m);
/* The Measure's title ("" when none). */
const char *measure_title(const measure_t *m);
/* The id of group g (0-based). */
const char *measure_group_id(const measure_t *m, int g);
/* The Measure resource as loaded (borrowed). */
const json_t *measure_resource(const measure_t *m);
/* The primary library (after measure_prepare; NULL before). */
elm_lib_t *measure_library(const measure_t *m);

/* Compiles the measure's population expressions (once). Errors name the
 * library, expression and unsupported node or missing value set. */
int measure_prepare(measure_set_t *ms, measure_t *m, err_t *e);

/* Sets "Measurement Period" on ctx: [start 00:00:00.000, end 23:59:59.999] UTC.
 * start/end are "YYYY-MM-DD". */
int measure_set_period(elm_ctx_t *ctx, const char *start, const char *end, err_t *e);

/* Evaluates a prepared measure for one patient's resources. */
int measure_eval(elm_ctx_t *ctx, measure_t *m, json_t *const *res, size_t n, measure_result_t *out,
                 err_t *e);

/* Evaluates a prepared measure for the patient already begun on ctx
 * (elm_ctx_begin): several measures of one patient share the memoised
 * results of the libraries they have in common. */
int measure_eval_current(elm_ctx_t *ctx, measure_t *m, measure_result_t *out, err_t *e);

/* Appends one MeasureReport (type individual) as a single JSON line. */
int measure_report(const measure_t *m, const char *patient_id, const char *start, const char *end,
                   const measure_result_t *r, buf_t *out);

/* ---- patient data ---- */

typedef struct fhir_patient {
    char *id;     /* the Patient resource id ("" when none) */
    json_t **res; /* owned references, unless arena */
    size_t n, cap;
    /* The resources live in the loading thread's JSON arena (jarena.h) until
     * its next load: they are not to be json_decref'd. */
    bool arena;
} fhir_patient_t;

typedef struct fhir_patients {
    fhir_patient_t *p;
    size_t n, cap;
} fhir_patients_t;

/* Reads PATH: a folder of FHIR resource files (one patient), a Bundle, or
 * NDJSON; resources are grouped by patient (Patient/<id> references).
 * MeasureReport resources are skipped. Errors name the file and line or
 * JSON pointer. */
int fhir_patients_read(const char *path, fhir_patients_t *out, err_t *e);
void fhir_patients_free(fhir_patients_t *ps);

#endif
