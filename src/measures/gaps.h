/* gaps.h — the care-gap table: how a gap of each measure is worded.
 *
 * Care-gap wording is data (docs/care-gaps.md): a TSV file beside the
 * measures (<measures>/gaps.tsv, else refdata/ecqm/gaps.tsv of the reference
 * data) with one row per measure (and optionally per group):
 *
 *   measure  group  inverse  priority  due  evidence  text_found  text_none  action
 *
 *   measure    CMS id ("CMS165"), Measure name or URL
 *   group      "*" or a 1-based group number (a numbered row wins)
 *   inverse    "yes" when the numerator is the bad outcome (CMS122, CMS156)
 *   priority   high | medium | low
 *   due        period-end | as-of+N | period-end+N  (N days; a date before
 *              as-of becomes as-of+30)
 *   evidence   ";"-separated expression names of the measure's primary
 *              library, or "-": their values fill {1}, {2}, ...
 *   text_found the gap text when evidence {1} is not null
 *   text_none  the gap text when it is null (or no evidence)
 *   action     the next action
 *
 * Placeholders: {1}..{9} (value with unit; a resource shows its value),
 * {1:n} (number only), {1:date} (the date of a value or resource), {year},
 * {start}, {end} (measurement period), {asof}, {title}, {cms}.
 *
 * A measure without a row gets a generic gap from its Measure resource:
 * "<title>: numerator not met — <numerator description>".
 */
#ifndef TRIPOD_MEASURES_GAPS_H
#define TRIPOD_MEASURES_GAPS_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "measures/measure.h"

#define GAP_MAX_EVIDENCE 9

typedef struct gap_table gap_table_t;

/* The row for a measure's group after binding: evidence compiled. */
typedef struct gap_rule {
    bool inverse;
    const char *priority;
    const char *due; /* rule text */
    int nevidence;
    elm_def_t *evidence[GAP_MAX_EVIDENCE];
    const char *text_found, *text_none, *action;
    bool generic; /* no row: built from the Measure resource */
} gap_rule_t;

/* Reads the table (errors name file:line). */
int gap_table_load(const char *path, gap_table_t **out, err_t *e);
/* The default table path: <measures_dir>/gaps.tsv when it exists, else the
 * reference data's ecqm/gaps.tsv; "" when neither exists. */
void gap_table_default_path(const char *measures_dir, char *out, size_t cap);
void gap_table_free(gap_table_t *t);
/* A table without rows: every measure gets the generic wording. */
int gap_table_empty(gap_table_t **out, err_t *e);

/* Compiles the evidence expressions of every row that names a measure of ms
 * (prepared measures only) and builds generic rules for the others. Call
 * after measure_prepare and before the run, from one thread. Errors name the
 * table's file:line and the unknown expression. */
int gap_table_bind(gap_table_t *t, measure_set_t *ms, measure_t *const *measures, int n, err_t *e);
/* The rule for group g (0-based) of a bound measure; NULL when unbound. */
const gap_rule_t *gap_table_rule(const gap_table_t *t, const measure_t *m, int g);

/* Whether a group's counts make a gap under rule r. */
bool gap_is_open(const gap_rule_t *r, const int counts[MPOP__COUNT]);

/* Writes the gap text into text, evaluating evidence in ctx (the current
 * patient), and the non-null evidence values ("152 mmHg; 94 mmHg;
 * 2025-03-02") into evidence (may be NULL). vars: period start/end, as-of
 * (YYYY-MM-DD), title, cms. */
typedef struct gap_vars {
    const char *start, *end, *asof, *title, *cms;
} gap_vars_t;
int gap_render(const gap_rule_t *r, elm_ctx_t *ctx, const gap_vars_t *v, buf_t *text,
               buf_t *evidence, err_t *e);

/* Due date of rule r: YYYY-MM-DD into out[11]. */
void gap_due(const gap_rule_t *r, const gap_vars_t *v, char out[11]);

#endif
