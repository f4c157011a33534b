/* lace.c — the LACE index (lace.h; van Walraven et al., CMAJ 2010). */
#include "analytics/lace.h"

/* Length of stay in days: the lowest bound of each band and its points. */
static const struct {
    int min_days, points;
} los_points[] = {
    { 14, 7 }, { 7, 5 }, { 4, 4 }, { 3, 3 }, { 2, 2 }, { 1, 1 }, { 0, 0 },
};

#define LACE_ACUTE_POINTS        3
#define LACE_CHARLSON_CAP_FROM   4 /* a Charlson index of 4 or more scores ... */
#define LACE_CHARLSON_CAP_POINTS 5 /* ... 5 points */
#define LACE_ED_CAP              4 /* 4 or more ED visits score 4 */

int lace_los_points(int los_days)
{
    for (unsigned i = 0; i < sizeof los_points / sizeof los_points[0]; i++)
        if (los_days >= los_points[i].min_days)
            return los_points[i].points;
    return 0;
}

int lace_charlson_points(int charlson)
{
    if (charlson >= LACE_CHARLSON_CAP_FROM)
        return LACE_CHARLSON_CAP_POINTS;
    return charlson > 0 ? charlson : 0;
}

int lace_ed_points(int ed_visits)
{
    if (ed_visits >= LACE_ED_CAP)
        return LACE_ED_CAP;
    return ed_visits > 0 ? ed_visits : 0;
}

int lace_score(const lace_input_t *in, lace_result_t *out)
{
    if (in->los_days < 0 || in->charlson < 0 || in->ed_visits_6m < 0)
        return -1;
    out->l = lace_los_points(in->los_days);
    out->a = in->acute_admission ? LACE_ACUTE_POINTS : 0;
    out->c = lace_charlson_points(in->charlson);
    out->e = lace_ed_points(in->ed_visits_6m);
    out->score = out->l + out->a + out->c + out->e;
    out->high_risk = out->score >= LACE_HIGH_RISK;
    return 0;
}
