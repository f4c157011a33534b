/* hcc.c — CMS-HCC scoring from the loaded tables.
 *
 * The variable definitions below (demographic cells, diagnostic groups and
 * interactions) follow CMS's SAS software for each model; their names are
 * the coefficient names of ra_coefficients without the segment prefix, which
 * is what ties them to the table. See hcc.h for the order of the steps.
 */
#include "analytics/hcc.h"

#include <stdio.h>
#include <string.h>

#include "core/codes.h"

/* ------------------------------------------------------------------------ */
/* Segments. */

static bool segment_is_aged(hcc_segment_t s)
{
    return s == HCC_CNA || s == HCC_CFA || s == HCC_CPA;
}

static bool segment_is_disabled(hcc_segment_t s)
{
    return s == HCC_CND || s == HCC_CFD || s == HCC_CPD;
}

static bool segment_is_new_enrollee(hcc_segment_t s)
{
    return s == HCC_NE || s == HCC_SNPNE;
}

bool hcc_segment_accepts_age(hcc_segment_t s, int age)
{
    if (segment_is_aged(s))
        return age >= 65;
    if (segment_is_disabled(s))
        return age < 65;
    return true;
}

hcc_segment_t hcc_segment_for(const hcc_patient_t *p)
{
    if (p->institutional)
        return HCC_INS;
    if (p->new_enrollee)
        return p->snp ? HCC_SNPNE : HCC_NE;
    bool aged = p->age >= 65;
    switch (p->dual) {
    case HCC_DUAL_FULL:
        return aged ? HCC_CFA : HCC_CFD;
    case HCC_DUAL_PARTIAL:
        return aged ? HCC_CPA : HCC_CPD;
    case HCC_DUAL_NONE:
        break;
    }
    return aged ? HCC_CNA : HCC_CND;
}

/* ------------------------------------------------------------------------ */
/* Demographic cells (CMS macro AGESEXV2). Continuing enrollees: sex and one
 * of twelve age bands. New enrollees: sex and sixteen bands with single
 * years 65-69, where a 64-year-old entitled by age (OREC 0) counts as 65. */

static const struct band {
    int lo, hi;
    const char *label;
} age_bands[] = {
    { 0, 34, "0_34" },   { 35, 44, "35_44" }, { 45, 54, "45_54" }, { 55, 59, "55_59" },
    { 60, 64, "60_64" }, { 65, 69, "65_69" }, { 70, 74, "70_74" }, { 75, 79, "75_79" },
    { 80, 84, "80_84" }, { 85, 89, "85_89" }, { 90, 94, "90_94" }, { 95, 999, "95_GT" },
};

static const struct band ne_age_bands[] = {
    { 0, 34, "0_34" },   { 35, 44, "35_44" }, { 45, 54, "45_54" }, { 55, 59, "55_59" },
    { 60, 64, "60_64" }, { 65, 65, "65" },    { 66, 66, "66" },    { 67, 67, "67" },
    { 68, 68, "68" },    { 69, 69, "69" },    { 70, 74, "70_74" }, { 75, 79, "75_79" },
    { 80, 84, "80_84" }, { 85, 89, "85_89" }, { 90, 94, "90_94" }, { 95, 999, "95_GT" },
};

static const char *band_of(const struct band *b, size_t n, int age)
{
    for (size_t i = 0; i < n; i++)
        if (age >= b[i].lo && age <= b[i].hi)
            return b[i].label;
    return b[n - 1].label;
}

/* ------------------------------------------------------------------------ */
/* Diagnostic groups and interactions. A group is on when any of its HCCs is
 * present after hierarchies; an interaction is on when both of its terms
 * are. DISABL as a term is the disabled flag (age < 65 and OREC != 0). */

#define DISABL NULL

/* V24 (CMS software V2419P1M / V24 main program). */
static const int v24_cancer[] = { 8, 9, 10, 11, 12, 0 };
static const int v24_diabetes[] = { 17, 18, 19, 0 };
static const int v24_card_resp_fail[] = { 82, 83, 84, 0 };
static const int v24_chf[] = { 85, 0 };
static const int v24_copdcf[] = { 110, 111, 112, 0 };
static const int v24_renal[] = { 134, 135, 136, 137, 138, 0 };
static const int v24_sepsis[] = { 2, 0 };
static const int v24_pressure_ulcer[] = { 157, 158, 159, 0 };
static const int v24_sub_use[] = { 54, 55, 56, 0 };
static const int v24_psych[] = { 57, 58, 59, 60, 0 };
static const int v24_hcc6[] = { 6, 0 };
static const int v24_hcc39[] = { 39, 0 };
static const int v24_hcc47[] = { 47, 0 };
static const int v24_schizophrenia[] = { 57, 0 };
static const int v24_hcc77[] = { 77, 0 };
static const int v24_seizures[] = { 79, 0 };
static const int v24_hcc96[] = { 96, 0 };
static const int v24_asp_spec_bact_pneum[] = { 114, 0 };
static const int v24_hcc161[] = { 161, 0 };
static const int v24_artif_openings[] = { 188, 0 };

/* V28 (CMS software V2824T2M). */
static const int v28_cancer[] = { 17, 18, 19, 20, 21, 22, 23, 0 };
static const int v28_diabetes[] = { 35, 36, 37, 38, 0 };
static const int v28_card_resp_fail[] = { 211, 212, 213, 0 };
static const int v28_hf[] = { 221, 222, 223, 224, 225, 226, 0 };
static const int v28_chr_lung[] = { 276, 277, 278, 279, 280, 0 };
static const int v28_kidney[] = { 326, 327, 328, 329, 0 };
static const int v28_sub_use[] = { 135, 136, 137, 138, 139, 0 };
static const int v28_psych[] = { 151, 152, 153, 154, 155, 0 };
static const int v28_neuro[] = { 180, 181, 182, 190, 191, 192, 195, 196, 198, 199, 0 };
static const int v28_ulcer[] = { 379, 380, 381, 382, 0 };
static const int v28_hcc238[] = { 238, 0 };

typedef struct interaction {
    const char *name; /* the variable, without the segment prefix */
    const int *a, *b; /* 0-terminated HCC groups, or DISABL */
} interaction_t;

static const interaction_t v24_interactions[] = {
    /* community segments */
    { "HCC47_gCancer", v24_hcc47, v24_cancer },
    { "DIABETES_CHF", v24_diabetes, v24_chf },
    { "CHF_gCopdCF", v24_chf, v24_copdcf },
    { "HCC85_gRenal_V24", v24_chf, v24_renal },
    { "gCopdCF_CARD_RESP_FAIL", v24_copdcf, v24_card_resp_fail },
    { "HCC85_HCC96", v24_chf, v24_hcc96 },
    { "gSubstanceUseDisorder_gPsych", v24_sub_use, v24_psych },
    /* institutional segment */
    { "SEPSIS_PRESSURE_ULCER", v24_sepsis, v24_pressure_ulcer },
    { "SEPSIS_ARTIF_OPENINGS", v24_sepsis, v24_artif_openings },
    { "ART_OPENINGS_PRESS_ULCER", v24_artif_openings, v24_pressure_ulcer },
    { "gCopdCF_ASP_SPEC_B_PNEUM", v24_copdcf, v24_asp_spec_bact_pneum },
    { "ASP_SPEC_B_PNEUM_PRES_ULC", v24_asp_spec_bact_pneum, v24_pressure_ulcer },
    { "SEPSIS_ASP_SPEC_BACT_PNEUM", v24_sepsis, v24_asp_spec_bact_pneum },
    { "SCHIZOPHRENIA_gCopdCF", v24_schizophrenia, v24_copdcf },
    { "SCHIZOPHRENIA_CHF", v24_schizophrenia, v24_chf },
    { "SCHIZOPHRENIA_SEIZURES", v24_schizophrenia, v24_seizures },
    { "DISABLED_HCC85", DISABL, v24_chf },
    { "DISABLED_PRESSURE_ULCER", DISABL, v24_pressure_ulcer },
    { "DISABLED_HCC161", DISABL, v24_hcc161 },
    { "DISABLED_HCC39", DISABL, v24_hcc39 },
    { "DISABLED_HCC77", DISABL, v24_hcc77 },
    { "DISABLED_HCC6", DISABL, v24_hcc6 },
};

static const interaction_t v28_interactions[] = {
    /* community and institutional segments */
    { "DIABETES_HF_V28", v28_diabetes, v28_hf },
    { "HF_CHR_LUNG_V28", v28_hf, v28_chr_lung },
    { "HF_KIDNEY_V28", v28_hf, v28_kidney },
    { "CHR_LUNG_CARD_RESP_FAIL_V28", v28_chr_lung, v28_card_resp_fail },
    { "HF_HCC238_V28", v28_hf, v28_hcc238 },
    { "gSubUseDisorder_gPsych_V28", v28_sub_use, v28_psych },
    /* institutional segment */
    { "DISABLED_CANCER_V28", DISABL, v28_cancer },
    { "DISABLED_NEURO_V28", DISABL, v28_neuro },
    { "DISABLED_HF_V28", DISABL, v28_hf },
    { "DISABLED_CHR_LUNG_V28", DISABL, v28_chr_lung },
    { "DISABLED_ULCER_V28", DISABL, v28_ulcer },
};

static const struct {
    const interaction_t *list;
    size_t n;
} interactions[HCC_MODEL_COUNT] = {
    [HCC_V24] = { v24_interactions, sizeof v24_interactions / sizeof v24_interactions[0] },
    [HCC_V28] = { v28_interactions, sizeof v28_interactions / sizeof v28_interactions[0] },
};

static bool term_on(const int *group, const bool *hcc, bool disabled)
{
    if (group == DISABL)
        return disabled;
    for (; *group; group++)
        if (hcc[*group])
            return true;
    return false;
}

/* ------------------------------------------------------------------------ */
/* Scoring. */

typedef struct scorer {
    const hcc_tables_t *t;
    hcc_model_t model;
    hcc_segment_t seg;
    hcc_result_t *out;
} scorer_t;

static int add_factor(scorer_t *s, const hcc_coef_t *c, err_t *e)
{
    hcc_result_t *r = s->out;
    if (r->n_factors == HCC_MAX_FACTORS)
        return err_set(e, ERR_INTERNAL, "more than %d HCC factors", HCC_MAX_FACTORS);
    r->factors[r->n_factors++] = (hcc_factor_t){ c->name, c->value };
    r->score += c->value;
    return 0;
}

/* "<SEG>_<var>" into name[cap] (a hot path: no printf). */
static void variable_name(char *name, size_t cap, hcc_segment_t seg, const char *var)
{
    const char *p = hcc_segment_name(seg);
    size_t a = strlen(p), b = strlen(var);
    if (a + 1 + b >= cap)
        b = cap - a - 2; /* never for the names of hcc.c; keeps the copy bounded */
    memcpy(name, p, a);
    name[a] = '_';
    memcpy(name + a + 1, var, b);
    name[a + 1 + b] = '\0';
}

/* Adds "<SEG>_<var>" when the segment has that variable. */
static int add_variable(scorer_t *s, const char *var, err_t *e)
{
    char name[96];
    variable_name(name, sizeof name, s->seg, var);
    const hcc_coef_t *c = hcc_tables_coef(s->t, s->model, name);
    return c ? add_factor(s, c, e) : 0;
}

int hcc_score(const hcc_tables_t *t, hcc_model_t model, hcc_segment_t segment,
              const hcc_patient_t *p, const char *const *dx, size_t ndx, hcc_result_t *out,
              err_t *e)
{
    memset(out, 0, sizeof *out);
    out->model = model;
    out->segment = segment;
    if ((unsigned)model >= HCC_MODEL_COUNT || (unsigned)segment >= HCC_SEGMENT_COUNT)
        return err_set(e, ERR_USAGE, "unknown HCC model or segment");
    if (p->age < 0 || p->age > 130)
        return err_set(e, ERR_USAGE, "age %d outside 0-130", p->age);
    if (p->sex != 'M' && p->sex != 'F')
        return err_set(e, ERR_USAGE, "sex must be M or F");
    if (p->orec < HCC_OREC_UNKNOWN || p->orec > 3)
        return err_set(e, ERR_USAGE, "OREC %d outside 0-3", p->orec);
    if (!hcc_segment_accepts_age(segment, p->age))
        return err_set(e, ERR_INPUT, "segment %s is for ages %s, not %d", hcc_segment_name(segment),
                       segment_is_aged(segment) ? "65+" : "under 65", p->age);
    int orec = p->orec != HCC_OREC_UNKNOWN ? p->orec : (p->age < 65 ? 1 : 0);
    /* AGESEXV2: DISABL = (AGEF < 65 & OREC ne "0"); ORIGDS = (OREC = '1')*(DISABL = 0). */
    out->disabled = p->age < 65 && orec != 0;
    out->orig_disabled = orec == 1 && !out->disabled;
    scorer_t s = { t, model, segment, out };

    /* 1. Diagnoses to CCs, with the age/sex edits. present[] lists the CCs
     * found (each once), so that no step walks all HCC_CC_MAX numbers. */
    bool hcc[HCC_CC_MAX] = { false };
    int present[HCC_CC_MAX];
    int np = 0;
    for (size_t i = 0; i < ndx; i++) {
        int ccs[HCC_DX_MAX_CC];
        int n = hcc_tables_dx_ccs(t, model, dx[i], ccs, HCC_DX_MAX_CC);
        if (n == 0)
            continue;
        const hcc_edit_t *ed = hcc_tables_edit(t, model, dx[i]);
        if (ed && hcc_edit_applies(ed, p->age, p->sex)) {
            if (ed->action == HCC_EDIT_INVALID)
                continue;
            ccs[0] = ed->cc;
            n = 1;
        }
        for (int k = 0; k < n && k < HCC_DX_MAX_CC; k++)
            if (!hcc[ccs[k]]) {
                hcc[ccs[k]] = true;
                present[np++] = ccs[k];
            }
    }
    /* Ascending (insertion sort: a patient has a handful of CCs). */
    for (int i = 1; i < np; i++) {
        int v = present[i], j = i;
        for (; j > 0 && present[j - 1] > v; j--)
            present[j] = present[j - 1];
        present[j] = v;
    }

    /* 2. Hierarchies: a present parent drops its children. The tables list
     * every descendant of a parent, so one pass suffices. */
    bool dropped[HCC_CC_MAX] = { false };
    for (int i = 0; i < np; i++) {
        const int *children;
        int n = hcc_tables_children(t, model, present[i], &children);
        for (int k = 0; k < n; k++)
            dropped[children[k]] = true;
    }
    for (int i = 0; i < np; i++) {
        int c = present[i];
        if (dropped[c] || !hcc_tables_is_payment_hcc(t, model, c) || out->n_hccs == HCC_MAX_HCCS) {
            hcc[c] = false;
            continue;
        }
        out->hccs[out->n_hccs++] = c;
    }

    /* 3. The demographic cell. */
    char var[64];
    if (segment_is_new_enrollee(segment)) {
        const char *band =
            (p->age == 64 && orec == 0)
                ? "65"
                : band_of(ne_age_bands, sizeof ne_age_bands / sizeof ne_age_bands[0], p->age);
        /* NE_ORIGDS = (AGEF >= 65) * (OREC = '1') */
        bool ne_origds = p->age >= 65 && orec == 1;
        snprintf(var, sizeof var, "%s_%s_NE%c%s", p->medicaid ? "MCAID" : "NMCAID",
                 ne_origds ? "ORIGDIS" : "NORIGDIS", p->sex, band);
    } else {
        snprintf(var, sizeof var, "%c%s", p->sex,
                 band_of(age_bands, sizeof age_bands / sizeof age_bands[0], p->age));
    }
    char name[96];
    variable_name(name, sizeof name, segment, var);
    const hcc_coef_t *demo = hcc_tables_coef(t, model, name);
    if (!demo)
        return err_set(e, ERR_INPUT, "no %s coefficient in the %s tables of %d", name,
                       hcc_model_name(model), hcc_tables_year(t));
    int rc = add_factor(&s, demo, e);
    /* New-enrollee models are demographic only. */
    if (rc != 0 || segment_is_new_enrollee(segment))
        return rc;

    /* 4. HCCs. */
    for (int i = 0; rc == 0 && i < out->n_hccs; i++) {
        const hcc_coef_t *c = hcc_tables_hcc_coef(t, model, segment, out->hccs[i]);
        if (c)
            rc = add_factor(&s, c, e);
    }

    /* Demographic interactions: originally disabled (community aged:
     * OriginallyDisabled_Female/Male; institutional: ORIGDS) and Medicaid
     * (institutional: LTIMCAID). Absent from a segment's table, they add
     * nothing. */
    if (rc == 0 && out->orig_disabled)
        rc = add_variable(
            &s, p->sex == 'F' ? "OriginallyDisabled_Female" : "OriginallyDisabled_Male", e);
    if (rc == 0 && out->orig_disabled)
        rc = add_variable(&s, "ORIGDS", e);
    if (rc == 0 && p->medicaid)
        rc = add_variable(&s, "LTIMCAID", e);

    /* Disease interactions. */
    for (size_t i = 0; rc == 0 && i < interactions[model].n; i++) {
        const interaction_t *x = &interactions[model].list[i];
        if (term_on(x->a, hcc, out->disabled) && term_on(x->b, hcc, out->disabled))
            rc = add_variable(&s, x->name, e);
    }

    /* 5. The payment HCC count. */
    if (rc == 0 && out->n_hccs > 0) {
        if (out->n_hccs >= 10)
            snprintf(var, sizeof var, "D10P");
        else
            snprintf(var, sizeof var, "D%d", out->n_hccs);
        rc = add_variable(&s, var, e);
    }
    return rc;
}

static bool in_bands(const struct band *b, size_t n, const char *label)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(b[i].label, label) == 0)
            return true;
    return false;
}

bool hcc_variable_known(hcc_model_t m, const char *var)
{
    if ((unsigned)m >= HCC_MODEL_COUNT || !var)
        return false;
    int n, end = 0;
    if (sscanf(var, "HCC%d%n", &n, &end) == 1 && var[end] == '\0' && n > 0 && n < HCC_CC_MAX)
        return true;
    end = 0;
    if (sscanf(var, "D%d%n", &n, &end) == 1 && var[end] == '\0' && n >= 1 && n <= 9)
        return true;
    static const char *const others[] = { "D10P", "OriginallyDisabled_Female",
                                          "OriginallyDisabled_Male", "ORIGDS", "LTIMCAID" };
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        if (strcmp(var, others[i]) == 0)
            return true;
    for (size_t i = 0; i < interactions[m].n; i++)
        if (strcmp(var, interactions[m].list[i].name) == 0)
            return true;
    if ((var[0] == 'F' || var[0] == 'M') &&
        in_bands(age_bands, sizeof age_bands / sizeof age_bands[0], var + 1))
        return true;
    static const char *const ne_prefixes[] = { "MCAID_NORIGDIS_NE", "MCAID_ORIGDIS_NE",
                                               "NMCAID_NORIGDIS_NE", "NMCAID_ORIGDIS_NE" };
    for (size_t i = 0; i < sizeof ne_prefixes / sizeof ne_prefixes[0]; i++) {
        size_t len = strlen(ne_prefixes[i]);
        if (strncmp(var, ne_prefixes[i], len) == 0 && (var[len] == 'F' || var[len] == 'M') &&
            in_bands(ne_age_bands, sizeof ne_age_bands / sizeof ne_age_bands[0], var + len + 1))
            return true;
    }
    return false;
}

/* ------------------------------------------------------------------------ */
/* Payment settings: one declarative table of the published values.
 *   2024, 2025: CY2024 and CY2025 Rate Announcements (blend of the 2020
 *     CMS-HCC model, V24, and the 2024 model, V28; FFS normalisation factors
 *     1.146 / 1.015 and 1.153 / 1.045);
 *   2026: CY2026 Rate Announcement (April 7, 2025): 100% V28, normalisation
 *     factor 1.067 (V24 unused);
 *   MA coding pattern adjustment: 5.90%, the statutory minimum of section
 *     1853(a)(1)(C)(ii) of the Social Security Act, applied every year. */
static const hcc_payment_settings_t payment_defaults[] = {
    { 2024, { 0.67, 0.33 }, { 1.146, 1.015 }, 0.059 },
    { 2025, { 0.33, 0.67 }, { 1.153, 1.045 }, 0.059 },
    { 2026, { 0.0, 1.0 }, { 1.0, 1.067 }, 0.059 },
};

int hcc_payment_defaults(int payment_year, hcc_payment_settings_t *out)
{
    size_t n = sizeof payment_defaults / sizeof payment_defaults[0];
    for (size_t i = 0; i < n; i++)
        if (payment_defaults[i].payment_year == payment_year) {
            *out = payment_defaults[i];
            return 0;
        }
    *out = payment_defaults[n - 1];
    out->payment_year = payment_year;
    return -1;
}

double hcc_payment_score(const hcc_payment_settings_t *s, const double raw[HCC_MODEL_COUNT])
{
    double sum = 0.0;
    for (int m = 0; m < HCC_MODEL_COUNT; m++)
        if (s->weight[m] != 0.0 && s->normalization[m] > 0.0)
            sum += s->weight[m] * raw[m] / s->normalization[m];
    return sum * (1.0 - s->coding_adjustment);
}

/* ------------------------------------------------------------------------ */
/* The eligible-claim filter (see hcc.h for the source). */

static const char *const inpatient_bill_types[] = { "11", "41" };
static const char *const outpatient_bill_types[] = { "12", "13", "43", "71", "73",
                                                     "76", "77", "85", "87" };

static bool in_list(const char *tob, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (tob[0] == list[i][0] && tob[1] == list[i][1])
            return true;
    return false;
}

static bool any_eligible_code(const hcc_tables_t *t, const char *const *hcpcs, size_t n)
{
    for (size_t i = 0; hcpcs && i < n; i++) {
        char c[CODE_MAX];
        if (hcpcs[i] && code_norm_hcpcs(hcpcs[i], strlen(hcpcs[i]), c, sizeof c) == 0 &&
            hcc_tables_cpt_eligible(t, c))
            return true;
    }
    return false;
}

bool hcc_claim_eligible(const hcc_tables_t *t, hcc_claim_kind_t kind, const char *bill_type,
                        const char *const *hcpcs, size_t n)
{
    if (kind == HCC_CLAIM_PROFESSIONAL)
        return any_eligible_code(t, hcpcs, n);
    if (!bill_type)
        return false;
    while (*bill_type == ' ')
        bill_type++;
    size_t len = strcspn(bill_type, " ");
    if (len == 4 && bill_type[0] == '0') {
        bill_type++;
        len--;
    }
    if (len < 2 || len > 3 || bill_type[0] < '0' || bill_type[0] > '9' || bill_type[1] < '0' ||
        bill_type[1] > '9')
        return false;
    if (in_list(bill_type, inpatient_bill_types,
                sizeof inpatient_bill_types / sizeof inpatient_bill_types[0]))
        return true;
    if (in_list(bill_type, outpatient_bill_types,
                sizeof outpatient_bill_types / sizeof outpatient_bill_types[0]))
        return any_eligible_code(t, hcpcs, n);
    return false;
}
