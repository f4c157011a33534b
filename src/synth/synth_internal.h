/* synth_internal.h — what the parts of the generator share.
 *
 *   synth_tables.c  the domain data: conditions, codes, drugs, DRGs, fees (one declarative table
 * each) synth_model.c   one patient's life: demographics, latent traits, conditions, events
 *   synth_claims.c  Tuva input-layer CSV rows
 *   synth_fhir.c    FHIR R4 NDJSON resources
 *   synth_hl7.c     HL7 v2.5.1 ADT messages
 *   synth_run.c     the practitioner panel, calibration, threads and ordered output
 */
#ifndef TRIPOD_SYNTH_INTERNAL_H
#define TRIPOD_SYNTH_INTERNAL_H

#include "core/buf.h"
#include "core/date.h"
#include "core/money.h"
#include "core/rng.h"
#include "synth/synth.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- conditions, in the order they are drawn (parents before children) ---- */
enum sy_cond {
    C_TOB,
    C_OBES,
    C_DM,
    C_HTN,
    C_HLD,
    C_CKD,
    C_CAD,
    C_CHF,
    C_AFIB,
    C_STROKE,
    C_PAD,
    C_COPD,
    C_ASTHMA,
    C_DEP,
    C_ANX,
    C_DEM,
    C_OA,
    C_RA,
    C_OSTEO,
    C_HYPOTHY,
    C_CA_BREAST,
    C_CA_PROSTATE,
    C_CA_COLON,
    C_CA_LUNG,
    C_N
};

/* Practitioner specialties (NUCC taxonomy in synth_tables.c). */
enum sy_spec {
    SP_FAMILY,
    SP_INTERNAL,
    SP_CARDIO,
    SP_NEPHRO,
    SP_PULM,
    SP_ENDO,
    SP_ONC,
    SP_PSYCH,
    SP_ORTHO,
    SP_NEURO,
    SP_GI,
    SP_OPHTH,
    SP_RHEUM,
    SP_EM,       /* emergency medicine */
    SP_HOSPITAL, /* hospitalist */
    SP_RADIO,
    SP_N
};

/* Organisations (facilities, suppliers, pharmacies). */
enum sy_org {
    ORG_HOSP,
    ORG_SNF,
    ORG_HHA,
    ORG_LAB,
    ORG_DME,
    ORG_HOSPICE,
    ORG_PHARM,
    ORG_DIALYSIS,
    ORG_ASC,
    ORG_AMB,   /* ambulance supplier */
    ORG_GROUP, /* the ACO's billing groups */
    ORG_N
};

#define DX_V24 1u /* maps to a payment HCC in CMS-HCC V24 (ra_dx_to_cc_2026.csv) */
#define DX_V28 2u /* ... and in V28 */

typedef struct sy_dx {
    const char *code; /* ICD-10-CM, canonical (no dot) */
    const char *display;
    double weight; /* share among the condition's codes */
    unsigned hcc;  /* DX_V24 | DX_V28 expected in the CMS mapping */
} sy_dx_t;

typedef struct sy_dep {
    int cond;      /* parent condition, -1 ends the list */
    double log_or; /* added to the log-odds when the parent is present */
} sy_dep_t;

typedef struct sy_cond_def {
    const char *key;
    const char *name;
    double target;   /* prevalence in the eligible population (see sex) */
    char sex;        /* 0 both, 'F' or 'M' only */
    double b_age10;  /* log-odds per 10 years of age */
    double b_frail;  /* log-odds per SD of the latent frailty */
    double b_female; /* log-odds for women */
    double b_social; /* log-odds per SD of the latent social risk */
    sy_dep_t deps[5];
    const sy_dx_t *dx;
    int ndx;
    const char *valueset; /* eCQM value set (file name) that holds every code, or NULL */
    int spec;             /* managing specialty, -1 primary care only */
    double spec_visits;   /* specialist visits a year when managed */
    double w_risk;        /* weight in the acute-care risk index */
    const char *source;   /* where the prevalence figure comes from (docs) */
} sy_cond_def_t;

extern const sy_cond_def_t sy_conds[C_N];

typedef struct sy_med {
    int cond;           /* the condition it treats */
    const char *ndc;    /* 11-digit NDC (5-4-2) of a labelled package */
    const char *rxnorm; /* RxNorm clinical drug */
    const char *display;
    const char *valueset; /* eCQM value set holding the RxNorm code, or NULL */
    double share;         /* share of the condition's patients on it */
    int unit_cents;       /* allowed per 30 days' supply */
    int brand;            /* 1: brand copay tier */
    int qty30;            /* units per 30 days' supply (tablets, mL, inhalers) */
} sy_med_t;

extern const sy_med_t sy_meds[];
extern const int sy_nmeds;

typedef struct sy_drg {
    const char *drg; /* MS-DRG */
    const char *dx;  /* principal diagnosis, ICD-10-CM canonical */
    const char *dx_display;
    const char *pcs; /* ICD-10-PCS procedure, or NULL for medical DRGs */
    double rw;       /* relative weight (FY2025 table, rounded) */
    double los;      /* geometric mean length of stay */
    int cond;        /* condition that raises its odds, -1 any */
    double w;        /* base weight */
    int elective;    /* 1: scheduled surgery (admit type 3) */
} sy_drg_t;

extern const sy_drg_t sy_drgs[];
extern const int sy_ndrgs;

typedef struct sy_eddx {
    const char *code; /* canonical ICD-10-CM, present in the NYU ED table */
    const char *display;
    int cond; /* -1 any patient */
    double w;
} sy_eddx_t;

extern const sy_eddx_t sy_eddx[];
extern const int sy_neddx;

/* A coded concept used by the FHIR writer and checked against value sets by the tests. */
typedef struct sy_code {
    const char *system; /* FHIR system URI */
    const char *code;
    const char *display;
    const char *valueset; /* eCQM value set file that must hold it, or NULL */
} sy_code_t;

enum sy_code_id {
    K_OFFICE_EST3, /* 99213 */
    K_OFFICE_EST4,
    K_OFFICE_EST5,
    K_OFFICE_NEW3,
    K_OFFICE_NEW4,
    K_AWV_INIT, /* G0438 */
    K_AWV_SUBS, /* G0439 */
    K_PREV_6574,
    K_PREV_4064,
    K_PREV_1839,
    K_ED_3,
    K_ED_4,
    K_ED_5,
    K_INPATIENT, /* SNOMED hospital admission */
    K_INPATIENT_EMERG,
    K_SNF,  /* 99304 */
    K_HOME, /* 99349 */
    K_TCM_14,
    K_TCM_7,
    K_LOINC_BP,
    K_LOINC_SBP,
    K_LOINC_DBP,
    K_LOINC_WEIGHT,
    K_LOINC_HEIGHT,
    K_LOINC_BMI,
    K_LOINC_A1C,
    K_LOINC_EGFR,
    K_LOINC_UACR,
    K_LOINC_LDL,
    K_LOINC_PHQ9,
    K_LOINC_DEPSCREEN,
    K_LOINC_TOBACCO,
    K_LOINC_MAMMO,
    K_LOINC_FIT,
    K_SCT_DEP_NEG,
    K_SCT_DEP_POS,
    K_SCT_NEVER_SMOKER,
    K_SCT_EX_SMOKER,
    K_SCT_SMOKER,
    K_SCT_NEGATIVE,
    K_SCT_POSITIVE,
    K_SCT_EYE_EXAM,
    K_SCT_DEP_FOLLOWUP,
    K_LOINC_FALLS_SCREEN, /* fall risk assessment (Falls Screening value set) */
    K_CPT_TOB_COUNSEL,    /* 99406 tobacco cessation counselling */
    K_RX_NICOTINE_PATCH,  /* cessation pharmacotherapy (RxNorm) */
    K_RX_VARENICLINE,
    K_CPT_COLONOSCOPY,
    K_CVX_FLU_HD,  /* 65+ */
    K_CVX_FLU_STD, /* < 65 */
    K_CVX_PCV20,
    K_CVX_ZOSTER,
    K_N
};

extern const sy_code_t sy_codes[K_N];

/* SDOH needs (AHC HRSN core domains). */
enum sy_need { N_FOOD, N_HOUSING, N_TRANSPORT, N_UTILITIES, N_SAFETY, N_N };
extern const sy_dx_t sy_need_dx[N_N];

/* Medicare-like fee schedule (allowed, cents) for the HCPCS/CPT codes used. */
typedef struct sy_fee {
    const char *code;
    const char *display;
    int cents;
    int preventive; /* 1: no Part B cost sharing */
} sy_fee_t;

extern const sy_fee_t sy_fees[];
extern const int sy_nfees;
int sy_fee_find(const char *code); /* index, -1 when absent */

/* Names, streets, places for synthetic identities. */
extern const char *const sy_first_f[];
extern const char *const sy_first_m[];
extern const char *const sy_last[];
extern const char *const sy_street[];
typedef struct sy_place {
    const char *city, *state, *zip;
} sy_place_t;
extern const sy_place_t sy_places[];
extern const int sy_nfirst_f, sy_nfirst_m, sy_nlast, sy_nstreet, sy_nplaces;

typedef struct sy_spec_def {
    const char *taxonomy; /* NUCC */
    const char *name;
    int primary_care;
} sy_spec_def_t;
extern const sy_spec_def_t sy_specs[SP_N];

/* ---- the practitioner and organisation panel (shared, read-only) ---- */
typedef struct sy_prac {
    char npi[11];
    char tin[10];
    const char *first, *last; /* people; org names in name */
    char name[48];            /* organisations */
    int spec;                 /* sy_spec or -1 for an organisation */
    int org;                  /* sy_org for organisations, -1 for people */
    int in_network;
    int group; /* billing group (index of an ORG_GROUP organisation) */
} sy_prac_t;

typedef struct sy_range {
    int first, n;
} sy_range_t;

/* The run: options, period, panel and the calibrated intercepts. */
typedef struct sy_pop {
    synth_opts_t o;
    date_t start, end; /* claims period, inclusive */
    sy_prac_t *prac;
    int nprac;
    sy_range_t spec_in[SP_N], spec_out[SP_N];
    sy_range_t org_in[ORG_N], org_out[ORG_N];
    double cond_icept[C_N];
    double ed_icept, ip_icept, death_icept, readmit_icept;
    char file_date[DATE_FMT_LEN];
} sy_pop_t;

/* The panel and the calibrated intercepts for options o (synth_run.c). */
sy_pop_t *sy_pop_create(const synth_opts_t *o);
void sy_pop_destroy(sy_pop_t *pop);

/* ---- one patient ---- */
enum sy_seg { SEG_AGED, SEG_DISABLED, SEG_COMMERCIAL };

enum sy_ev_type {
    EV_OFFICE,   /* primary care or specialist office visit */
    EV_AWV,      /* Medicare AWV or commercial preventive visit */
    EV_TCM,      /* transitional care visit after a discharge */
    EV_LAB,      /* independent lab draw */
    EV_ED,       /* ED treat-and-release */
    EV_IP,       /* acute inpatient stay */
    EV_SNF,      /* skilled nursing stay */
    EV_HH,       /* home health period */
    EV_HOSPICE,  /* hospice month */
    EV_DIALYSIS, /* a month of in-centre haemodialysis */
    EV_MAMMO,    /* screening mammography */
    EV_COLO,     /* screening colonoscopy */
    EV_EYE,      /* diabetic eye exam */
    EV_IMAGING,  /* echo, DEXA, chest X-ray ... */
    EV_DME,      /* durable medical equipment */
    EV_VACCINE,  /* immunization */
    EV_FILL,     /* pharmacy fill */
    EV_N
};

/* ev flags */
#define EVF_BP       0x0001u  /* blood pressure taken */
#define EVF_BMI      0x0002u  /* weight and BMI taken */
#define EVF_DEPSCR   0x0004u  /* depression screen (PHQ-9 + result) */
#define EVF_TOBACCO  0x0008u  /* tobacco status recorded */
#define EVF_MEDS     0x0010u  /* medication orders renewed */
#define EVF_FOLLOWUP 0x0020u  /* follow-up for a positive depression screen */
#define EVF_NEW      0x0040u  /* new patient to the practitioner */
#define EVF_TELE     0x0080u  /* telehealth */
#define EVF_SDOH     0x0100u  /* SDOH risk assessment (G0136) and Z codes */
#define EVF_HIST     0x0200u  /* before the claims period: FHIR history only */
#define EVF_FROM_ED  0x0400u  /* admitted through the ED */
#define EVF_READMIT  0x0800u  /* readmission within 30 days of a discharge */
#define EVF_FALL     0x1000u  /* frailty: fall recorded */
#define EVF_AMB      0x2000u  /* arrived by ambulance */
#define EVF_FALLSCR  0x4000u  /* falls screening (fall risk assessment), CMS139 */
#define EVF_FALLPOS  0x8000u  /* ... and its result is positive (at risk) */
#define EVF_CESS     0x10000u /* tobacco cessation counselling (99406), CMS138 */
#define EVF_CESS_NRT 0x20000u /* cessation pharmacotherapy: nicotine patch ordered */
#define EVF_CESS_VAR 0x40000u /* cessation pharmacotherapy: varenicline ordered */

/* lab bits for EV_LAB */
#define LAB_A1C   0x01u
#define LAB_LIPID 0x02u
#define LAB_BMP   0x04u
#define LAB_UACR  0x08u
#define LAB_CBC   0x10u
#define LAB_TSH   0x20u
#define LAB_FIT   0x40u

typedef struct sy_event {
    date_t start, end;
    uint8_t type;
    uint8_t disp;  /* discharge disposition, UB-04 code as a number (1, 3, 6, 20, 51 ...) */
    uint8_t labs;  /* LAB_* for EV_LAB */
    uint8_t level; /* E&M level 3..5, or the vaccine/imaging/DME kind */
    uint32_t flags;
    int16_t sub;  /* DRG, ED dx, med, condition index ... */
    int32_t prac; /* rendering practitioner (panel index) */
    int32_t org;  /* facility/supplier (panel index), -1 none */
    uint32_t seq; /* order of creation, the sort tie-break */
    float v[6];   /* measured values (see synth_model.c) */
} sy_event_t;

typedef struct sy_span {
    date_t start, end;
} sy_span_t;

#define SY_MAX_EVENTS 4096
#define SY_MAX_SPANS  4

typedef struct sy_patient {
    uint64_t idx;
    char pid[16]; /* person_id = Patient.id = PID-3 */
    char mbi[12]; /* Medicare beneficiary identifier style member id */
    int seg;      /* sy_seg */
    int female;
    date_t birth;
    int age;      /* at the end of the period */
    date_t death; /* DATE_NONE when alive at the end */
    int race;     /* index in the race table (synth_tables.c) */
    int hispanic;
    int orec; /* original reason for entitlement 0..3, -1 commercial */
    int dual; /* index in the dual status table */
    int esrd;
    const char *first, *last;
    int street_no, street, place;
    int phone;
    /* latent traits (never written out) */
    double frailty, engagement, social, hidden, drift;
    /* conditions */
    uint32_t has; /* bit per sy_cond */
    date_t onset[C_N];
    uint8_t dx[C_N]; /* chosen code index */
    uint8_t needs;   /* bit per sy_need */
    uint8_t needs_known;
    int tobacco; /* 0 never, 1 former, 2 current */
    int frail_dx;
    int insulin;
    int pcp, pharmacy, hospital;
    double leak;
    uint32_t meds; /* bit per sy_meds index (< 32) */
    sy_span_t spans[SY_MAX_SPANS];
    int nspans;
    /* baselines of the trajectories */
    double a1c0, a1c_slope, sbp0, egfr0, egfr_slope, bmi0, height_cm, ldl0;
    int phq9;
    /* events, sorted by (start, seq) once simulated */
    sy_event_t *ev;
    int nev;
    uint32_t nextseq;
} sy_patient_t;

/* Demographics, traits and conditions. */
void sy_person(const sy_pop_t *pop, sy_patient_t *p, rng_t *r);
/* Everything: person, enrollment, events. p->ev must hold SY_MAX_EVENTS. */
void sy_simulate(const sy_pop_t *pop, uint64_t idx, sy_patient_t *p);
/* The acute-care risk index of a person (log scale, without the intercept). */
double sy_risk_index(const sy_patient_t *p);
double sy_death_index(const sy_patient_t *p);
int sy_enrolled(const sy_patient_t *p, date_t d);

/* Log-odds of condition c without its intercept (-INFINITY when not eligible). */
double sy_cond_lp(const sy_patient_t *p, int c);
/* Calibration (synth_run.c): demographics only, conditions one at a time. */
void sy_calib_demo(const sy_pop_t *pop, sy_patient_t *p, rng_t *r);
void sy_calib_draw(sy_patient_t *p, int c, double icept, double u);
void sy_calib_finish(const sy_pop_t *pop, sy_patient_t *p, rng_t *r);

/* ---- writers ---- */
enum sy_stream {
    S_ELIG,
    S_MED,
    S_RX,
    S_LAB, /* lab_result.csv, with the claims */
    S_PATIENT,
    S_ENCOUNTER,
    S_CONDITION,
    S_OBSERVATION,
    S_PROCEDURE,
    S_MEDREQ,
    S_IMMUNIZATION,
    S_HL7,
    S_N
};

extern const char *const sy_stream_path[S_N];

/* Resolves the claim columns by name; once, before threads start. */
void sy_claims_init(void);
void sy_write_claims(const sy_pop_t *pop, const sy_patient_t *p, buf_t *out /* [S_N] */);
void sy_write_fhir(const sy_pop_t *pop, const sy_patient_t *p, buf_t *out);
void sy_write_hl7(const sy_pop_t *pop, const sy_patient_t *p, buf_t *out);
/* Practitioner.ndjson and Organization.ndjson for the panel. */
void sy_write_fhir_panel(const sy_pop_t *pop, buf_t *prac, buf_t *org);
/* practitioner.csv (header included) for the panel: people and organisations. */
void sy_write_prac_csv(const sy_pop_t *pop, buf_t *out);

extern const char sy_hdr_elig[], sy_hdr_med[], sy_hdr_rx[];
/* Tuva input layer lab_result; practitioner with the analytics engine's flags. */
extern const char sy_hdr_lab[], sy_hdr_prac[];

/* ---- fast formatting into buf_t ---- */
void sy_buf_fail(void) __attribute__((noreturn));
/* The fast path writes in place while the buffer has room (buf.c keeps
 * cap >= len + 1 and cap <= max + 1, so staying under cap respects the cap);
 * growth goes through buf_append. */
static inline void sy_put(buf_t *b, const char *s, size_t n)
{
    if (b->data && b->len + n < b->cap) {
        memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = 0;
        return;
    }
    if (buf_append(b, s, n) != 0)
        sy_buf_fail();
}
#define SY_LIT(b, lit) sy_put((b), (lit), sizeof(lit) - 1)
static inline void sy_puts(buf_t *b, const char *s)
{
    sy_put(b, s, strlen(s));
}
static inline void sy_putc(buf_t *b, char c)
{
    sy_put(b, &c, 1);
}
void sy_put_u(buf_t *b, uint64_t v);
void sy_put_i(buf_t *b, int64_t v);
void sy_put_dec(buf_t *b, double v, int decimals); /* fixed decimals, rounded */
void sy_put_money(buf_t *b, money_t cents);
/* "YYYY-MM-DD" from a table (valid 1900..2199). */
const char *sy_date_str(date_t d);
void sy_put_date(buf_t *b, date_t d);
void sy_put_date_compact(buf_t *b, date_t d); /* YYYYMMDD */
void sy_dates_init(void);
/* ICD-10-CM with its dot, for FHIR and HL7. */
void sy_put_icd_dotted(buf_t *b, const char *code);

/* small deterministic hash for per-event variation without a random stream */
static inline uint64_t sy_mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

extern const char *const sy_race_tuva[];
extern const char *const sy_race_code[];
extern const char *const sy_race_display[];
extern const char *const sy_dual_code[];
extern const char *const sy_disp_fhir[]; /* by UB-04 code number, NULL when unmapped */

#endif
