/* lace.h — the LACE index for the risk of death or unplanned readmission
 * within 30 days of discharge (van Walraven et al., "Derivation and
 * validation of an index to predict early death or unplanned readmission
 * after discharge from hospital to the community", CMAJ 2010;182(6):551-7).
 *
 *   L  length of stay in days: <1 -> 0, 1 -> 1, 2 -> 2, 3 -> 3, 4-6 -> 4,
 *      7-13 -> 5, 14+ -> 7
 *   A  acute (emergent) admission -> 3
 *   C  Charlson comorbidity index: 0-3 -> the same, 4+ -> 5
 *   E  ED visits in the 6 months before admission: 0-3 -> the same, 4+ -> 4
 *
 * The index runs 0-19; 10 or more is high risk (DESIGN.md).
 */
#ifndef TRIPOD_ANALYTICS_LACE_H
#define TRIPOD_ANALYTICS_LACE_H

#include <stdbool.h>

#define LACE_HIGH_RISK 10

typedef struct lace_input {
    int los_days;         /* discharge date - admission date, in days */
    bool acute_admission; /* emergent/urgent (not elective) admission */
    int charlson;         /* Charlson comorbidity index (see charlson.h) */
    int ed_visits_6m;     /* ED visits in the 6 months before admission */
} lace_input_t;

typedef struct lace_result {
    int l, a, c, e; /* the points of each component */
    int score;      /* their sum, 0-19 */
    bool high_risk; /* score >= LACE_HIGH_RISK */
} lace_result_t;

/* Returns 0, or -1 (out untouched) when a count is negative. */
int lace_score(const lace_input_t *in, lace_result_t *out);

int lace_los_points(int los_days);
int lace_charlson_points(int charlson);
int lace_ed_points(int ed_visits);

#endif
