/* population.h — every measure over every patient: rates, per-patient
 * results and care gaps.
 *
 * A patient source numbers its patients 0..n-1 (the output order) and loads
 * one patient's FHIR resources on demand, from any thread. Worker threads
 * (pthreads, default 2) take chunks of patients, evaluate every selected
 * measure for each patient on one context (the measures share memoised
 * definitions such as Hospice or AdultOutpatientEncounters), derive care gaps,
 * and hand the chunk back; the calling thread passes chunks to the sink
 * strictly in patient order, so outputs are byte-identical whatever the number
 * of threads.
 *
 * Care gap: a patient in a group's denominator, not excluded, without a
 * denominator exception, and not in the numerator; for an inverse measure
 * (lower is better, e.g. CMS122 HbA1c > 9%, CMS156 high-risk medications) in
 * the numerator. Its wording comes from the gap table (gaps.h), never from C.
 */
#ifndef TRIPOD_MEASURES_POPULATION_H
#define TRIPOD_MEASURES_POPULATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "measures/gaps.h"
#include "measures/measure.h"
#include "store/store.h"

/* ---- patient sources ---- */

typedef struct mpop_source mpop_source_t;
struct mpop_source {
    /* Patients 0..count-1, in output order. */
    size_t (*count)(mpop_source_t *src);
    /* Optional (NULL = every patient always loadable): makes patients
     * [lo, hi) loadable; called from the runner's thread between windows. */
    int (*window)(mpop_source_t *src, size_t lo, size_t hi, err_t *e);
    size_t window_size; /* patients per window when window is set */
    /* Loads patient i into out (id + owned resource references). Called from
     * worker threads concurrently; must not share mutable state. */
    int (*load)(mpop_source_t *src, size_t i, fhir_patient_t *out, err_t *e);
    void (*close)(mpop_source_t *src);
    /* Optional: only resources of these types (NULL-terminated list, copied)
     * are read by the measures run; a source may skip the others. Called by
     * mpop_run before loading. */
    void (*only_types)(mpop_source_t *src, const char *const *types);
};

/* A folder of FHIR NDJSON (Bulk Data: Patient.ndjson, Encounter.ndjson...).
 * Files are mapped, not read: one pass without JSON parsing indexes each
 * file's runs of consecutive lines of one patient (the patient reference
 * "Patient/<id>"); files grouped by patient in Patient.ndjson order (as
 * `tripod generate` writes them) give one run per patient, so loading walks
 * each file once, front to back: a streaming merge. Files not grouped so get
 * their runs sorted by patient: an index of byte offsets per patient. Lines
 * without a patient reference (Practitioner, Organization) are skipped, and
 * so are files holding only resource types no measure run retrieves
 * (only_types; e.g. Immunization.ndjson). A patient's resources are parsed
 * into the loading thread's JSON arena (jarena.h): they stay valid until the
 * thread's next load. */
int mpop_source_ndjson_dir(const char *dir, mpop_source_t **out, err_t *e);
/* Statistics of an NDJSON source: lines indexed, lines skipped (no patient
 * reference), whether every file was grouped by patient. */
void mpop_source_ndjson_stats(mpop_source_t *src, size_t *lines, size_t *skipped, bool *grouped);

/* The store: QI-Core-shaped FHIR built per patient from its clinical rows
 * (patient, encounters, conditions, observations with blood-pressure panels
 * re-assembled, procedures, medications, immunizations) and from its claims
 * (docs/measures.md, "Claims as FHIR"). Patients in person_id order; the
 * tables are scanned once per window of patients, so memory stays bounded.
 * The store must stay open (and unused by others) until close. */
int mpop_source_store(store_t *s, mpop_source_t **out, err_t *e);

/* A list of patients already in memory (borrowed; must outlive the source). */
int mpop_source_patients(const fhir_patients_t *ps, mpop_source_t **out, err_t *e);

/* ---- the run ---- */

typedef struct mpop_opts {
    measure_set_t *ms;
    measure_t **measures; /* the measures to run (prepared by mpop_run) */
    int nmeasures;
    const gap_table_t *gaps;               /* NULL: no care gaps */
    const char *period_start, *period_end; /* YYYY-MM-DD */
    const char *as_of;                     /* YYYY-MM-DD; NULL = period_end */
    int threads;                           /* <= 0: 2 */
    int chunk;                             /* patients per work unit; <= 0: 64 */
} mpop_opts_t;

/* One care gap of one patient. Strings live until the sink returns. */
typedef struct mpop_gap {
    int measure;          /* index in opts.measures */
    int group;            /* 0-based */
    const char *cms;      /* "CMS165" (or the measure name) */
    const char *text;     /* what is missing, with evidence */
    const char *evidence; /* the evidence values alone ("" when none) */
    const char *action;   /* the next action */
    char due[11];         /* YYYY-MM-DD */
    const char *priority; /* "high", "medium", "low" */
} mpop_gap_t;

/* One patient's results, as handed to the sink. */
typedef struct mpop_patient_result {
    size_t index;
    const char *person_id;
    const measure_result_t *results; /* [nmeasures]; ngroups 0 when evaluation failed */
    const mpop_gap_t *gaps;
    int ngaps;
} mpop_patient_result_t;

/* Per measure and group: the population counts over all patients. */
typedef struct mpop_group_summary {
    int64_t counts[MPOP__COUNT];
    bool has[MPOP__COUNT];
    int64_t gaps;
} mpop_group_summary_t;

typedef struct mpop_summary {
    int nmeasures;
    int64_t patients;
    int64_t *errors; /* [nmeasures]: patients whose evaluation failed */
    int *ngroups;    /* [nmeasures] */
    mpop_group_summary_t (*groups)[MEASURE_MAX_GROUPS]; /* [nmeasures][group] */
    double seconds;
} mpop_summary_t;

/* performance rate = numerator / (denominator - exclusions - exceptions);
 * for a measure with numerator exclusions, numerator - numerator exclusions.
 * Returns -1 when the rate's denominator is 0. */
double mpop_rate(const mpop_group_summary_t *g);

typedef struct mpop_sink {
    void *self;
    /* Called from the runner's thread, once per patient, in patient order. */
    int (*patient)(void *self, const mpop_opts_t *o, const mpop_patient_result_t *r, err_t *e);
} mpop_sink_t;

/* Runs every measure of o over every patient of src. sink may be NULL.
 * *summary (caller frees with mpop_summary_free) gets the counts. A patient
 * whose evaluation fails for a measure is counted in errors and logged (the
 * first few), not fatal; a failing source or sink stops the run. */
int mpop_run(const mpop_opts_t *o, mpop_source_t *src, const mpop_sink_t *sink,
             mpop_summary_t **summary, err_t *e);
void mpop_summary_free(mpop_summary_t *s);
/* Adds the counts of from (a run of the same measures) into into. */
void mpop_summary_add(mpop_summary_t *into, const mpop_summary_t *from);

/* Appends the summary as JSON: {"period":..,"patients":..,"measures":[{"id":"CMS165",
 * "name":..,"title":..,"groups":[{"id":..,"initial-population":..,...,"rate":..,
 * "gaps":..}]}]} plus a newline. */
int mpop_summary_json(const mpop_opts_t *o, const mpop_summary_t *s, buf_t *out);

/* ---- file outputs ---- */

/* A sink writing OUT/measure_results.csv (person_id, measure, group, one
 * column per population, blank when the group has none) and, when gaps_path
 * is not NULL, a care-gap CSV (person_id, measure, group, gap, evidence
 * text, next_action, due_date, priority). Either path may be NULL. */
typedef struct mpop_csv_sink mpop_csv_sink_t;
int mpop_csv_sink_open(const char *results_path, const char *gaps_path, mpop_csv_sink_t **out,
                       mpop_sink_t *sink, err_t *e);
int mpop_csv_sink_close(mpop_csv_sink_t *cs, err_t *e);

/* A sink writing measure_result and care_gap rows into the store, in one
 * transaction that first clears the period's rows of the measures run;
 * close writes measure_summary rows from the run's summary and commits
 * (summary NULL: rolls back). Use a store_t of its own when the source also
 * reads the store (one connection reads, one writes). */
typedef struct mpop_store_sink mpop_store_sink_t;
int mpop_store_sink_open(store_t *st, const mpop_opts_t *o, mpop_store_sink_t **out,
                         mpop_sink_t *sink, err_t *e);
int mpop_store_sink_close(mpop_store_sink_t *ss, const mpop_opts_t *o, const mpop_summary_t *s,
                          err_t *e);

/* ---- the batch mode of `tripod analyze` ---- */

typedef struct measures_analyze_opts {
    const char *input_dir; /* a folder of FHIR NDJSON (DIR/fhir is used when present) */
    store_t *store;        /* or: the store (input_dir NULL) */
    const char *out_dir;   /* measure_results.csv, measure_summary.json, care_gaps.csv; or NULL */
    store_t *store_out;    /* measure_result, care_gap, measure_summary rows; or NULL
                              (a connection of its own when store is the source) */
    const char *measures_dir; /* NULL: <refdata>/ecqm */
    const char *gap_table;    /* NULL: gaps.tsv of the measures folder, else the built-in path */
    const char *as_of;        /* YYYY-MM-DD; NULL: period end */
    const char *period_start; /* NULL: January 1 of as-of's year (or of the current data) */
    const char *period_end;   /* NULL: December 31 of that year */
    int threads;              /* <= 0: 2 */
} measures_analyze_opts_t;

/* Runs every measure of the folder over every patient of the input (NDJSON
 * folder or store) and writes the three files (out_dir) and/or the result
 * tables (store_out). */
int measures_analyze(const measures_analyze_opts_t *o, err_t *e);

#endif
