/* engine_internal.h — the engine's columnar tables, shared by its .c files.
 *
 * Every table is a struct of arrays. After loading, rows are grouped by
 * patient (a stable counting sort on the patient index, so a patient's rows
 * keep file order) and `*_off[p] .. *_off[p+1]` is patient p's range.
 * Codes are packed into integers so that no string dictionary is shared
 * between threads: ICD-10 codes as up to 8 ASCII bytes big-endian in a
 * uint64 (numeric order = text order), HCPCS as 5 base-37 digits in a
 * uint32, NPIs as their 10-digit value in a uint32.
 */
#ifndef TRIPOD_ANALYTICS_ENGINE_INTERNAL_H
#define TRIPOD_ANALYTICS_ENGINE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analytics/engine.h"
#include "core/date.h"
#include "core/hmap.h"
#include "core/money.h"

/* claim_type */
enum { CT_UNKNOWN = 0, CT_INST = 1, CT_PROF = 2, CT_DME = 3 };
#define NO_DISP 255 /* no discharge disposition */

/* Medical claim lines. */
#define MED_COLS(X)                                                                                \
    X(int32_t, person)                                                                             \
    X(uint64_t, claim) /* FNV-1a of claim_id */                                                    \
    X(date_t, start)   /* claim_start_date (line start when missing) */                            \
    X(date_t, end)     /* claim_end_date */                                                        \
    X(date_t, admit)   /* admission_date, DATE_NONE when empty */                                  \
    X(date_t, disch)   /* discharge_date */                                                        \
    X(uint32_t, hcpcs) /* packed HCPCS, 0 = none */                                                \
    X(uint32_t, npi)   /* rendering NPI, 0 = none */                                               \
    X(money_t, amount) /* allowed_amount, else paid_amount */                                      \
    X(uint16_t, bill)  /* bill_type_code's first 3 digits as a number, 0 = none */                 \
    X(uint16_t, rev)   /* revenue_center_code as a number, 0 = none */                             \
    X(uint8_t, ctype)  /* CT_* */                                                                  \
    X(uint8_t, atype)  /* admit_type_code (1 emergency, 2 urgent, ...), 0 = none */                \
    X(uint8_t, disp)   /* discharge_disposition_code, NO_DISP = none */                            \
    X(uint8_t, pos)    /* place_of_service_code, 0 = none */                                       \
    X(int8_t, innet)   /* in_network_flag: 1, 0, -1 unknown */                                     \
    X(uint8_t, ndx)    /* diagnoses stored for this line (0 when equal to the claim's last) */     \
    X(uint8_t, npx)    /* ICD-10-PCS procedures stored for this line */

typedef struct med_tab {
    size_t n, cap;
#define X(t, name) t *name;
    MED_COLS(X)
#undef X
    uint64_t *dx; /* packed ICD-10-CM, in line order, ndx per line */
    size_t dxn, dxcap;
    uint64_t *px; /* packed ICD-10-PCS */
    size_t pxn, pxcap;
    date_t max_disch; /* latest inpatient discharge date seen */
    date_t max_date;  /* latest claim start date seen */
} med_tab_t;

#define RX_COLS(X)                                                                                 \
    X(int32_t, person)                                                                             \
    X(date_t, date)                                                                                \
    X(uint64_t, ndc) /* 11 digits as a number */                                                   \
    X(money_t, amount)                                                                             \
    X(uint32_t, npi)                                                                               \
    X(uint16_t, days)                                                                              \
    X(int8_t, innet)

typedef struct rx_tab {
    size_t n, cap;
#define X(t, name) t *name;
    RX_COLS(X)
#undef X
} rx_tab_t;

#define LAB_COLS(X)                                                                                \
    X(int32_t, person)                                                                             \
    X(date_t, date)                                                                                \
    X(uint32_t, loinc) /* digits without the dash: 33914-3 -> 339143 */                            \
    X(float, value)

typedef struct lab_tab {
    size_t n, cap;
#define X(t, name) t *name;
    LAB_COLS(X)
#undef X
} lab_tab_t;

#define SPAN_COLS(X) X(int32_t, person) X(date_t, start) X(date_t, end)

typedef struct span_tab {
    size_t n, cap;
#define X(t, name) t *name;
    SPAN_COLS(X)
#undef X
} span_tab_t;

/* The last line appended to a table, to store a claim's diagnoses once. */
typedef struct med_last {
    uint64_t claim;
    size_t dx_at;
    int ndx;
    bool valid;
} med_last_t;

/* Patients, in order of first appearance in eligibility. */
typedef struct people {
    size_t n, cap;
    const char **id; /* the map's copy of each person_id */
    uint16_t *id_len;
    uint8_t *sex; /* 1 male, 2 female, 0 unknown (core/value.h) */
    date_t *birth, *death;
    uint8_t *orec; /* 0..3, 255 unknown */
    uint8_t *dual; /* 1 = full or partial dual, 0 otherwise */
    hmap_t map;    /* person_id -> index (read by the loader's threads) */
} people_t;

/* Practitioners (optional practitioner.csv). */
typedef struct prac_tab {
    size_t n, cap;
    uint32_t *npi;
    uint16_t *spec; /* index into specs */
    int8_t *innet;
    uint8_t *pcp; /* primary-care specialty (42 CFR 425.402 step 1) */
    char **specs; /* specialty names */
    size_t nspecs, specs_cap;
    hmap_t by_npi; /* npi -> index */
} prac_tab_t;

/* One ED visit (output row). */
typedef struct ed_row {
    int32_t person;
    date_t date;
    uint64_t dx;
    int8_t cls; /* NYU argmax class, -1 unclassified */
    float avoidable;
} ed_row_t;

/* One inpatient discharge (output row). */
typedef struct dis_row {
    int32_t person;
    date_t admit, disch;
    uint64_t dx;
    uint8_t disp;
    uint8_t index, planned, readmit30, unplanned30;
    int8_t lace, charlson;
    int16_t days_to_next; /* -1 none */
} dis_row_t;

/* One recapture or suspect gap (output row). */
typedef struct gap_row {
    int32_t person;
    uint8_t kind;  /* 1 recapture, 2 suspect */
    int16_t hcc;   /* the HCC (recapture) or 0 */
    uint64_t code; /* suggested ICD-10-CM for suspects */
    char what[72];
    char evidence[96];
} gap_row_t;

#define NCAT 8
enum { CAT_IP, CAT_OP, CAT_PROF, CAT_ED, CAT_SNF, CAT_HH, CAT_DME, CAT_RX };
extern const char *const engine_cat_names[NCAT];

#define NFEAT   18
#define NMONTHS 24 /* months reported, ending at as_of */

struct engine {
    engine_settings_t s;
    people_t pp;
    span_tab_t spans;
    med_tab_t med;
    rx_tab_t rx;
    lab_tab_t lab;
    prac_tab_t prac;
    size_t *span_off, *med_off, *rx_off, *lab_off, *dx_off, *px_off; /* [n+1] */
    /* Row-at-a-time staging (engine_add_*). */
    bool staged;
    med_last_t stage_last;
    bool loaded, ran;
    long unknown_person_rows;

    /* Results per patient. */
    uint32_t *r_npi;
    uint8_t *r_step, *r_tier, *r_chronic, *r_ccm, *r_pcm;
    int16_t *r_mm;
    uint32_t *r_cond;
    float *r_risk;
    uint8_t *r_hccn;
    uint16_t *r_ed, *r_edav, *r_ip, *r_readm, *r_snf, *r_gaps;
    money_t *r_cost;
    float *r_prob;
    int8_t (*r_fac)[ENGINE_TOP_FACTORS];
    float *feat;    /* [3][n][NFEAT]: train, test, score cutoffs */
    uint8_t *label; /* [2][n]: outcome after the train and test cutoffs */

    /* Rows for the output files, concatenated from the workers. */
    ed_row_t *eds;
    size_t neds;
    dis_row_t *dis;
    size_t ndis;
    gap_row_t *gaps;
    size_t ngaps;

    /* Population. */
    date_t as_of, win_start, last_disch;
    int month0; /* date_month_index of the first reported month */
    long mm[NMONTHS];
    money_t cost[NMONTHS][NCAT];
    long ed_visits, ed_classified, ed_cls[8];
    double ed_avoid_sum, ed_avoid_np_sum; /* noner+epct, + edcnpa */
    long ip_admits, index_admits, readmits30, unplanned30, snf_stays;
    money_t leak_total, spec_total;
    money_t *leak_by_spec; /* [prac.nspecs + 1], last = unknown */
    long pcm, ccm, tiers[5];
    double model_beta[NFEAT + 1];
    double feat_mean[NFEAT], feat_sd[NFEAT];
    double auc_train, auc_test;
    double calib_pred[10], calib_obs[10];
    long calib_n[10];
    long train_n, test_n;
    double train_rate, test_rate;
    bool model_ok;
};

/* Packing ---------------------------------------------------------------- */

/* ICD-10 (CM or PCS) codes: upper-cased, dots and blanks dropped, at most 8
 * characters. 0 for empty or invalid. */
static inline uint64_t code_pack(const char *s, size_t n)
{
    uint64_t v = 0;
    int len = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.' || c == ' ')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (unsigned char)(c - 'a' + 'A');
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) || len == 8)
            return 0;
        v = (v << 8) | c;
        len++;
    }
    return len ? v << (8 * (8 - len)) : 0;
}

/* Writes a packed code back as text into out[9]. */
static inline void code_unpack(uint64_t v, char out[9])
{
    int n = 0;
    for (int i = 7; i >= 0; i--) {
        char c = (char)((v >> (8 * i)) & 0xff);
        if (!c)
            break;
        out[n++] = c;
    }
    out[n] = 0;
}

/* The first k characters of a packed code (k <= 8), still packed. */
static inline uint64_t code_prefix(uint64_t v, int k)
{
    return k >= 8 ? v : v & ~(~(uint64_t)0 >> (8 * k));
}

static inline int hcpcs_digit(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0' + 1;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 11;
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 11;
    return -1;
}

/* HCPCS/CPT: exactly 5 alphanumerics (blanks around ignored); 0 otherwise. */
static inline uint32_t hcpcs_pack(const char *s, size_t n)
{
    while (n && s[n - 1] == ' ')
        n--;
    while (n && *s == ' ')
        s++, n--;
    if (n != 5)
        return 0;
    uint32_t v = 0;
    for (int i = 0; i < 5; i++) {
        int d = hcpcs_digit((unsigned char)s[i]);
        if (d < 0)
            return 0;
        v = v * 37 + (uint32_t)d;
    }
    return v;
}

static inline uint32_t hcpcs_lit(const char *s)
{
    return hcpcs_pack(s, 5);
}

void hcpcs_unpack(uint32_t v, char out[6]);

/* Internal entry points of the engine's files. */
int engine_people_find(const people_t *pp, const char *s, size_t n);
int engine_prac_find(const prac_tab_t *pr, uint32_t npi);
const char *engine_person_id(const engine_t *en, size_t p, size_t *len);
void engine_med_reserve(med_tab_t *t, size_t n);
void engine_tables_free(engine_t *en);

#endif
