/* readmit.h — 30-day all-cause unplanned readmissions.
 *
 * After the CMS hospital-wide readmission measure as implemented by the Tuva
 * Project (models/readmissions), with the tables of readmission/ (see its
 * SOURCE.md):
 *  - An acute inpatient stay is disqualified (dropped from the sequence) when
 *    its admit or discharge date or principal diagnosis is missing, it is
 *    admitted after it is discharged, its discharge disposition is missing,
 *    or it overlaps another stay of the patient (readmissions__encounter_overlap:
 *    either stay's admit or discharge date falls BETWEEN the other's, inclusive).
 *  - Index admission (readmissions__index_discharge_requirement,
 *    __index_time_requirement): not discharged to another acute hospital
 *    (02), not against medical advice (07), alive (not 20), and discharged at
 *    least 30 days before the last discharge in the data.
 *  - Planned (readmissions__planned_encounter): a potentially planned
 *    ICD-10-PCS procedure and a principal diagnosis that is not acute
 *    (acute_diagnosis_icd_10_cm). The always-planned and CCS-based rules need
 *    the ICD-10-to-CCS crosswalk, which readmission/SOURCE.md says is not
 *    available; they are not applied, nor the CCS cohort exclusions.
 *  - Readmission (readmissions__readmission_summary): stays in (admit,
 *    discharge) order; a stay is followed by a 30-day readmission when the
 *    next qualified stay is admitted <= 30 days after its discharge, and by an
 *    unplanned one when that next stay is not planned. The rate is unplanned
 *    30-day readmissions of index admissions over index admissions.
 */
#ifndef TRIPOD_ANALYTICS_READMIT_H
#define TRIPOD_ANALYTICS_READMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/hmap.h"
#include "core/date.h"
#include "core/err.h"

typedef struct readmit_refs {
    hmap_t acute_dx;   /* packed ICD-10-CM (a set: values unused) */
    hmap_t planned_px; /* packed ICD-10-PCS */
} readmit_refs_t;

/* From the reference-data directory when dir is NULL, else from dir. */
int readmit_load(readmit_refs_t *r, const char *dir, err_t *e);
void readmit_free(readmit_refs_t *r);
bool readmit_is_planned(const readmit_refs_t *r, uint64_t principal_dx, const uint64_t *px,
                        int npx);

#define READMIT_NO_DISP 255

typedef struct readmit_stay {
    /* in */
    date_t admit, disch;
    uint8_t disp; /* discharge disposition code, READMIT_NO_DISP if missing */
    bool has_dx;  /* a principal diagnosis */
    bool planned;
    /* out */
    bool qualified;   /* not disqualified: in the sequence */
    bool index;       /* an index admission */
    bool readmit30;   /* followed by a readmission within the window */
    bool unplanned30; /* ... that is unplanned */
    int days_to_next; /* -1 when no next qualified stay */
} readmit_stay_t;

/* Sorts the stays of one patient by (admit, discharge) and fills the outputs.
 * last_disch is the last discharge date in the data (the index time
 * requirement); window_days is 30. */
void readmit_flag(readmit_stay_t *s, int n, date_t last_disch, int window_days);

#endif
