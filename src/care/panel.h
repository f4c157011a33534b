/* panel.h — the panel as the workspace reads it: every patient with the
 * engine's latest results, held in memory so that search and the patient
 * summary answer at once.
 *
 * Loaded from the store (patients, practitioners, the latest analysis date's
 * results, the latest measure period's care gaps) in one pass per table; the
 * store stays the source of truth, and panel_load again after an analysis
 * replaces the whole picture. Read-only once loaded: any number of threads
 * may read one panel.
 */
#ifndef TRIPOD_CARE_PANEL_H
#define TRIPOD_CARE_PANEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "core/money.h"

typedef struct store store_t;
typedef struct panel panel_t;

typedef struct panel_gap { /* an open care gap of a quality measure */
    const char *measure_id, *group_id, *text, *evidence, *action, *priority;
    date_t due;
} panel_gap_t;

typedef struct panel_hcc_gap { /* an HCC recapture or suspect gap */
    const char *kind, *code, *description, *evidence;
    int64_t hcc;
} panel_hcc_gap_t;

typedef struct panel_stay { /* an inpatient stay */
    date_t admission, discharge;
    const char *principal_dx, *disposition;
    bool readmit_30;
    int64_t lace;
} panel_stay_t;

typedef struct panel_ed { /* an ED visit */
    date_t date;
    const char *principal_dx, *nyu_class;
    double avoidable;
} panel_ed_t;

typedef struct panel_patient {
    const char *person_id, *first_name, *last_name, *gender, *phone, *address, *city, *state,
        *zip_code;
    date_t birth_date, death_date;
    bool analysed; /* the engine has results for this patient */
    const char *pcp_npi, *pcp_name;
    double risk_score, probability;
    const char *tier, *conditions, *top_factors; /* lists joined with '|' */
    int64_t hcc_count, chronic_count, ed_visits, ed_avoidable, ip_admits, readmissions;
    bool ccm_eligible, pcm_eligible;
    money_t cost, pmpm;
    const panel_gap_t *gaps;
    size_t ngaps;
    const panel_hcc_gap_t *hcc_gaps;
    size_t nhcc_gaps;
    const panel_stay_t *stays;
    size_t nstays;
    const panel_ed_t *eds;
    size_t neds;
} panel_patient_t;

/* What a search asks; NULL/empty fields are not filters. */
typedef struct panel_query {
    const char *text;    /* a name (prefix of first or last name, any case) or an id */
    date_t birth_date;   /* DATE_NONE: any */
    const char *pcp;     /* attributed NPI */
    const char *tier;    /* "low", "rising", "high", "critical" */
    bool open_gaps;      /* only patients with open care gaps */
    const char *only_id; /* a patient user's own id: the search sees nothing else */
} panel_query_t;

int panel_load(store_t *s, panel_t **out, err_t *e);
void panel_free(panel_t *p);

size_t panel_count(const panel_t *p);
date_t panel_as_of(const panel_t *p);      /* the analysis date, DATE_NONE when none */
date_t panel_period_end(const panel_t *p); /* of the care gaps */
/* The population results (analysis_population.summary_json), or NULL. */
const char *panel_population_json(const panel_t *p);
const panel_patient_t *panel_find(const panel_t *p, const char *person_id);
const panel_patient_t *panel_at(const panel_t *p, size_t i);
/* Matches in id order: the total, and up to limit of them from offset. */
size_t panel_search(const panel_t *p, const panel_query_t *q, size_t offset, size_t limit,
                    const panel_patient_t **out);

#endif
