/* synth_tables.c — the generator's domain data, one declarative table each.
 *
 * Prevalence targets, odds ratios, codes, drugs, DRGs and fees live here and
 * nowhere else; docs/synthetic-population.md gives the source of each figure.
 * The tests check every code against the reference data: ICD-10-CM codes
 * flagged DX_V24/DX_V28 must map to a payment HCC in ra_dx_to_cc_2026.csv,
 * codes naming a value set must be in that eCQM value set, ED diagnoses must be
 * in the NYU ED (Johnston) table.
 */
#include "synth/synth_internal.h"

#include "core/codes.h"

#include <string.h>

#define VS(oid)          "valueset-" oid ".json"
#define VS_DIABETES      VS("2.16.840.1.113883.3.464.1003.103.12.1001")
#define VS_ESSENTIAL_HTN VS("2.16.840.1.113883.3.464.1003.104.12.1011")
#define VS_ASCVD_PAD     VS("2.16.840.1.113762.1.4.1047.21")
#define VS_STROKE_TIA    VS("2.16.840.1.113762.1.4.1047.44")
#define VS_COLON_CANCER  VS("2.16.840.1.113883.3.464.1003.108.12.1001")
#define VS_GAD           VS("2.16.840.1.113883.3.464.1003.105.12.1210")
#define VS_OBESE         VS("2.16.840.1.113762.1.4.1047.502")
#define VS_OFFICE        VS("2.16.840.1.113883.3.464.1003.101.12.1001")
#define VS_AWV           VS("2.16.840.1.113883.3.526.3.1240")
#define VS_PREV_EST_18   VS("2.16.840.1.113883.3.464.1003.101.12.1025")
#define VS_ED_VISIT      VS("2.16.840.1.113883.3.464.1003.101.12.1010")
#define VS_INPATIENT     VS("2.16.840.1.113883.3.666.5.307")
#define VS_NURSING_FAC   VS("2.16.840.1.113883.3.464.1003.101.12.1012")
#define VS_HOME_HEALTH   VS("2.16.840.1.113883.3.464.1003.101.12.1016")
#define VS_DEP_ENCOUNTER VS("2.16.840.1.113883.3.600.1916")
#define VS_A1C           VS("2.16.840.1.113883.3.464.1003.198.12.1013")
#define VS_EGFR          VS("2.16.840.1.113883.3.6929.3.1000")
#define VS_UACR          VS("2.16.840.1.113883.3.6929.3.1007")
#define VS_LDL           VS("2.16.840.1.113883.3.526.3.1573")
#define VS_MAMMO         VS("2.16.840.1.113883.3.464.1003.108.12.1018")
#define VS_FOBT          VS("2.16.840.1.113883.3.464.1003.198.12.1011")
#define VS_COLONOSCOPY   VS("2.16.840.1.113883.3.464.1003.108.12.1020")
#define VS_EYE_EXAM      VS("2.16.840.1.113883.3.464.1003.115.12.1088")
#define VS_TOBACCO_SCR   VS("2.16.840.1.113883.3.526.3.1278")
#define VS_TOBACCO_USER  VS("2.16.840.1.113883.3.526.3.1170")
#define VS_TOBACCO_NON   VS("2.16.840.1.113883.3.526.3.1189")
#define VS_DEP_FOLLOWUP  VS("2.16.840.1.113883.3.526.3.1568")
#define VS_STATIN_MOD    VS("2.16.840.1.113883.3.526.3.1575")
#define VS_STATIN_HIGH   VS("2.16.840.1.113883.3.526.3.1572")
#define VS_ANTIDEPRESS   VS("2.16.840.1.113883.3.526.3.1566")
#define VS_DEMENTIA_MEDS VS("2.16.840.1.113883.3.464.1003.196.12.1510")
#define VS_FALLS_SCREEN  VS("2.16.840.1.113883.3.464.1003.118.12.1028")
#define VS_TOBACCO_COUNS VS("2.16.840.1.113883.3.526.3.509")
#define VS_TOBACCO_RX    VS("2.16.840.1.113883.3.526.3.1190")
/* CMS156 high-risk medications in older adults (AGS Beers criteria) */
#define VS_HRM_SULFONYL VS("2.16.840.1.113883.3.464.1003.1059")
#define VS_HRM_HYPNOTIC VS("2.16.840.1.113883.3.464.1003.196.12.1480")
#define VS_HRM_BENZO    VS("2.16.840.1.113883.3.464.1003.196.12.1522")

#define B (DX_V24 | DX_V28)

/* ---- ICD-10-CM codes per condition (weights: share of the condition's patients) ---- */
static const sy_dx_t dx_tob[] = { { "F17210", "Nicotine dependence, cigarettes, uncomplicated", 1,
                                    0 } };
static const sy_dx_t dx_obes[] = {
    { "E669", "Obesity, unspecified", 0.7, 0 },
    { "E6601", "Morbid (severe) obesity due to excess calories", 0.3, B },
};
static const sy_dx_t dx_dm[] = {
    { "E119", "Type 2 diabetes mellitus without complications", 0.45, B },
    { "E1165", "Type 2 diabetes mellitus with hyperglycemia", 0.25, B },
    { "E1140", "Type 2 diabetes mellitus with diabetic neuropathy, unspecified", 0.12, B },
    { "E1142", "Type 2 diabetes mellitus with diabetic polyneuropathy", 0.13, B },
    { "E1151", "Type 2 diabetes mellitus with diabetic peripheral angiopathy without gangrene",
      0.05, B },
    /* chosen instead when the patient also has CKD (index 5) */
    { "E1122", "Type 2 diabetes mellitus with diabetic chronic kidney disease", 0, B },
};
static const sy_dx_t dx_htn[] = { { "I10", "Essential (primary) hypertension", 1, 0 } };
static const sy_dx_t dx_hld[] = {
    { "E785", "Hyperlipidemia, unspecified", 0.6, 0 },
    { "E7800", "Pure hypercholesterolemia, unspecified", 0.2, 0 },
    { "E782", "Mixed hyperlipidemia", 0.2, 0 },
};
/* CKD stages in order; synth_model.c maps the index to an eGFR range. */
static const sy_dx_t dx_ckd[] = {
    { "N182", "Chronic kidney disease, stage 2 (mild)", 0.16, 0 },
    { "N1831", "Chronic kidney disease, stage 3a", 0.38, B },
    { "N1832", "Chronic kidney disease, stage 3b", 0.24, B },
    { "N184", "Chronic kidney disease, stage 4 (severe)", 0.12, B },
    { "N185", "Chronic kidney disease, stage 5", 0.03, B },
    { "N186", "End stage renal disease", 0.035, B },
};
static const sy_dx_t dx_cad[] = {
    { "I2510", "Atherosclerotic heart disease of native coronary artery without angina pectoris",
      0.75, 0 },
    { "I25119",
      "Atherosclerotic heart disease of native coronary artery with unspecified angina pectoris",
      0.15, DX_V24 },
    { "I252", "Old myocardial infarction", 0.10, 0 },
};
static const sy_dx_t dx_chf[] = {
    { "I5022", "Chronic systolic (congestive) heart failure", 0.3, B },
    { "I5032", "Chronic diastolic (congestive) heart failure", 0.35, B },
    { "I5042", "Chronic combined systolic (congestive) and diastolic (congestive) heart failure",
      0.1, B },
    { "I509", "Heart failure, unspecified", 0.25, B },
};
static const sy_dx_t dx_afib[] = {
    { "I4891", "Unspecified atrial fibrillation", 0.5, B },
    { "I480", "Paroxysmal atrial fibrillation", 0.3, B },
    { "I4820", "Chronic atrial fibrillation, unspecified", 0.2, B },
};
static const sy_dx_t dx_stroke[] = {
    { "Z8673",
      "Personal history of transient ischemic attack (TIA), and cerebral infarction without "
      "residual deficits",
      0.6, 0 },
    { "I69351",
      "Hemiplegia and hemiparesis following cerebral infarction affecting right dominant side",
      0.25, B },
    { "I69354",
      "Hemiplegia and hemiparesis following cerebral infarction affecting left non-dominant side",
      0.15, B },
};
static const sy_dx_t dx_pad[] = {
    { "I70213",
      "Atherosclerosis of native arteries of extremities with intermittent claudication, "
      "bilateral legs",
      0.5, DX_V24 },
    { "I70209",
      "Unspecified atherosclerosis of native arteries of extremities, unspecified extremity", 0.5,
      DX_V24 },
};
static const sy_dx_t dx_copd[] = {
    { "J449", "Chronic obstructive pulmonary disease, unspecified", 1, B },
};
static const sy_dx_t dx_asthma[] = {
    { "J45909", "Unspecified asthma, uncomplicated", 0.7, 0 },
    { "J4520", "Mild intermittent asthma, uncomplicated", 0.3, 0 },
};
static const sy_dx_t dx_dep[] = {
    { "F329", "Major depressive disorder, single episode, unspecified", 0.4, 0 },
    { "F32A", "Depression, unspecified", 0.15, 0 },
    { "F331", "Major depressive disorder, recurrent, moderate", 0.25, B },
    { "F330", "Major depressive disorder, recurrent, mild", 0.1, DX_V24 },
    { "F339", "Major depressive disorder, recurrent, unspecified", 0.1, DX_V24 },
};
static const sy_dx_t dx_anx[] = {
    { "F419", "Anxiety disorder, unspecified", 0.7, 0 },
    { "F411", "Generalized anxiety disorder", 0.3, 0 },
};
static const sy_dx_t dx_dem[] = {
    { "F0390",
      "Unspecified dementia, unspecified severity, without behavioral disturbance, psychotic "
      "disturbance, mood disturbance, and anxiety",
      0.55, B },
    { "G309", "Alzheimer's disease, unspecified", 0.45, B },
};
static const sy_dx_t dx_oa[] = {
    { "M170", "Bilateral primary osteoarthritis of knee", 0.3, 0 },
    { "M1711", "Unilateral primary osteoarthritis, right knee", 0.2, 0 },
    { "M1612", "Unilateral primary osteoarthritis, left hip", 0.15, 0 },
    { "M1990", "Unspecified osteoarthritis, unspecified site", 0.35, 0 },
};
static const sy_dx_t dx_ra[] = { { "M069", "Rheumatoid arthritis, unspecified", 1, B } };
static const sy_dx_t dx_osteo[] = {
    { "M810", "Age-related osteoporosis without current pathological fracture", 1, 0 },
};
static const sy_dx_t dx_hypothy[] = { { "E039", "Hypothyroidism, unspecified", 1, 0 } };
static const sy_dx_t dx_ca_breast[] = {
    { "C50911", "Malignant neoplasm of unspecified site of right female breast", 0.5, B },
    { "C50912", "Malignant neoplasm of unspecified site of left female breast", 0.5, B },
};
static const sy_dx_t dx_ca_prostate[] = { { "C61", "Malignant neoplasm of prostate", 1, B } };
static const sy_dx_t dx_ca_colon[] = {
    { "C189", "Malignant neoplasm of colon, unspecified", 0.5, B },
    { "C187", "Malignant neoplasm of sigmoid colon", 0.3, B },
    { "C180", "Malignant neoplasm of cecum", 0.2, B },
};
static const sy_dx_t dx_ca_lung[] = {
    { "C3490", "Malignant neoplasm of unspecified part of unspecified bronchus or lung", 0.4, B },
    { "C3411", "Malignant neoplasm of upper lobe, right bronchus or lung", 0.3, B },
    { "C3412", "Malignant neoplasm of upper lobe, left bronchus or lung", 0.3, B },
};

#define DX(a) a, (int)(sizeof a / sizeof a[0])
#define END                                                                                        \
    {                                                                                              \
        -1, 0                                                                                      \
    }

/* Targets are prevalences among all generated patients (or one sex); the
 * intercepts are solved at start-up so that the population hits them. Sources:
 * CCW = CMS Chronic Conditions Data Warehouse, Medicare FFS prevalence 2021;
 * see docs/synthetic-population.md. */
const sy_cond_def_t sy_conds[C_N] = {
    [C_TOB] = { "tobacco",
                "Tobacco use",
                0.12,
                0,
                -0.20,
                0.20,
                -0.20,
                0.40,
                { END },
                DX(dx_tob),
                NULL,
                -1,
                0,
                0.15,
                "CDC NHIS 2022 current tobacco use, 65+ about 10% (cigarettes 8%), 45-64 18%" },
    [C_OBES] = { "obesity",
                 "Obesity",
                 0.22,
                 0,
                 -0.30,
                 0.10,
                 0.10,
                 0.20,
                 { END },
                 DX(dx_obes),
                 VS_OBESE,
                 -1,
                 0,
                 0.05,
                 "CCW obesity (coded) ~20%" },
    [C_DM] = { "diabetes",
               "Diabetes",
               0.27,
               0,
               0.10,
               0.40,
               -0.15,
               0.15,
               { { C_OBES, 1.00 }, END },
               DX(dx_dm),
               VS_DIABETES,
               SP_ENDO,
               0.25,
               0.15,
               "CCW diabetes 27%" },
    [C_HTN] = { "hypertension",
                "Hypertension",
                0.60,
                0,
                0.45,
                0.30,
                0,
                0.10,
                { { C_DM, 0.90 }, { C_OBES, 0.60 }, END },
                DX(dx_htn),
                VS_ESSENTIAL_HTN,
                -1,
                0,
                0.05,
                "CCW hypertension 57%; 60% in an ACO panel" },
    [C_HLD] = { "hyperlipidemia",
                "Hyperlipidaemia",
                0.50,
                0,
                0.15,
                0.20,
                0,
                0,
                { { C_DM, 0.80 }, { C_HTN, 0.70 }, END },
                DX(dx_hld),
                NULL,
                -1,
                0,
                0,
                "CCW hyperlipidemia 47%" },
    [C_CKD] = { "ckd",
                "Chronic kidney disease",
                0.24,
                0,
                0.55,
                0.45,
                0,
                0.10,
                { { C_DM, 0.90 }, { C_HTN, 0.80 }, END },
                DX(dx_ckd),
                NULL,
                SP_NEPHRO,
                0.6,
                0.20,
                "CCW chronic kidney disease 24%" },
    [C_CAD] = { "cad",
                "Ischaemic heart disease",
                0.22,
                0,
                0.45,
                0.30,
                -0.50,
                0,
                { { C_DM, 0.50 }, { C_HTN, 0.50 }, { C_HLD, 0.60 }, { C_TOB, 0.50 }, END },
                DX(dx_cad),
                VS_ASCVD_PAD,
                SP_CARDIO,
                1.2,
                0.10,
                "CCW ischemic heart disease 25%" },
    [C_CHF] = { "chf",
                "Heart failure",
                0.14,
                0,
                0.60,
                0.60,
                0,
                0.10,
                { { C_CAD, 1.00 }, { C_HTN, 0.50 }, { C_DM, 0.40 }, { C_CKD, 0.50 }, END },
                DX(dx_chf),
                NULL,
                SP_CARDIO,
                2.5,
                0.45,
                "CCW heart failure 14%" },
    [C_AFIB] = { "afib",
                 "Atrial fibrillation",
                 0.12,
                 0,
                 0.70,
                 0.30,
                 -0.30,
                 0,
                 { { C_CHF, 1.00 }, { C_HTN, 0.40 }, END },
                 DX(dx_afib),
                 NULL,
                 SP_CARDIO,
                 1.5,
                 0.15,
                 "CCW atrial fibrillation 12%" },
    [C_STROKE] = { "stroke",
                   "Stroke / TIA",
                   0.05,
                   0,
                   0.50,
                   0.40,
                   0,
                   0.10,
                   { { C_AFIB, 0.60 }, { C_HTN, 0.40 }, { C_DM, 0.30 }, END },
                   DX(dx_stroke),
                   VS_STROKE_TIA,
                   SP_NEURO,
                   1.0,
                   0.20,
                   "CCW stroke/TIA 4%" },
    [C_PAD] = { "pad",
                "Peripheral artery disease",
                0.06,
                0,
                0.40,
                0.30,
                -0.20,
                0,
                { { C_DM, 0.80 }, { C_TOB, 0.90 }, { C_CAD, 0.70 }, END },
                DX(dx_pad),
                VS_ASCVD_PAD,
                SP_CARDIO,
                1.0,
                0.15,
                "AHA 2023: PAD 7% of 65+" },
    [C_COPD] = { "copd",
                 "COPD",
                 0.11,
                 0,
                 0.10,
                 0.50,
                 0,
                 0.20,
                 { { C_TOB, 1.60 }, END },
                 DX(dx_copd),
                 NULL,
                 SP_PULM,
                 1.5,
                 0.40,
                 "CCW COPD 11%" },
    [C_ASTHMA] = { "asthma",
                   "Asthma",
                   0.07,
                   0,
                   -0.20,
                   0.20,
                   0.40,
                   0.10,
                   { END },
                   DX(dx_asthma),
                   NULL,
                   SP_PULM,
                   0.5,
                   0.15,
                   "CCW asthma 7%" },
    [C_DEP] = { "depression",
                "Depression",
                0.18,
                0,
                -0.20,
                0.40,
                0.50,
                0.30,
                { END },
                DX(dx_dep),
                NULL,
                SP_PSYCH,
                1.5,
                0.20,
                "CCW depression 18%" },
    [C_ANX] = { "anxiety",
                "Anxiety",
                0.12,
                0,
                -0.20,
                0.20,
                0.50,
                0.20,
                { { C_DEP, 1.20 }, END },
                DX(dx_anx),
                VS_GAD,
                -1,
                0,
                0.05,
                "CCW anxiety disorders 12%" },
    [C_DEM] = { "dementia",
                "Dementia",
                0.10,
                0,
                1.10,
                0.50,
                0.10,
                0,
                { { C_STROKE, 0.80 }, END },
                DX(dx_dem),
                NULL,
                SP_NEURO,
                1.0,
                0.35,
                "CCW Alzheimer's and related dementia 11%" },
    [C_OA] = { "osteoarthritis",
               "Osteoarthritis",
               0.30,
               0,
               0.30,
               0.20,
               0.30,
               0,
               { { C_OBES, 0.60 }, END },
               DX(dx_oa),
               NULL,
               SP_ORTHO,
               0.8,
               0,
               "CCW RA/OA 33%" },
    [C_RA] = { "ra",
               "Rheumatoid arthritis",
               0.02,
               0,
               0.10,
               0.20,
               0.70,
               0,
               { END },
               DX(dx_ra),
               NULL,
               SP_RHEUM,
               2.0,
               0.10,
               "ACR: RA ~2% of 65+" },
    [C_OSTEO] = { "osteoporosis",
                  "Osteoporosis",
                  0.10,
                  0,
                  0.50,
                  0.20,
                  1.60,
                  0,
                  { END },
                  DX(dx_osteo),
                  NULL,
                  -1,
                  0,
                  0.05,
                  "CCW osteoporosis 11%" },
    [C_HYPOTHY] = { "hypothyroidism",
                    "Hypothyroidism",
                    0.17,
                    0,
                    0.20,
                    0.10,
                    1.00,
                    0,
                    { END },
                    DX(dx_hypothy),
                    NULL,
                    -1,
                    0,
                    0,
                    "CCW acquired hypothyroidism 20%" },
    [C_CA_BREAST] = { "breast_cancer",
                      "Breast cancer",
                      0.035,
                      'F',
                      0.30,
                      0.10,
                      0,
                      0,
                      { END },
                      DX(dx_ca_breast),
                      NULL,
                      SP_ONC,
                      2.0,
                      0.10,
                      "CCW breast cancer 3.5% of women" },
    [C_CA_PROSTATE] = { "prostate_cancer",
                        "Prostate cancer",
                        0.06,
                        'M',
                        0.50,
                        0.10,
                        0,
                        0,
                        { END },
                        DX(dx_ca_prostate),
                        NULL,
                        SP_ONC,
                        1.5,
                        0.05,
                        "CCW prostate cancer 6% of men" },
    [C_CA_COLON] = { "colorectal_cancer",
                     "Colorectal cancer",
                     0.01,
                     0,
                     0.40,
                     0.20,
                     0,
                     0,
                     { END },
                     DX(dx_ca_colon),
                     VS_COLON_CANCER,
                     SP_ONC,
                     2.0,
                     0.25,
                     "CCW colorectal cancer 1%" },
    [C_CA_LUNG] = { "lung_cancer",
                    "Lung cancer",
                    0.01,
                    0,
                    0.30,
                    0.30,
                    0,
                    0,
                    { { C_TOB, 1.50 }, { C_COPD, 0.80 }, END },
                    DX(dx_ca_lung),
                    NULL,
                    SP_ONC,
                    3.0,
                    0.60,
                    "CCW lung cancer 1%" },
};

/* ---- SDOH needs as ICD-10-CM Z codes (AHC HRSN core domains) ---- */
const sy_dx_t sy_need_dx[N_N] = {
    [N_FOOD] = { "Z5941", "Food insecurity", 0.12, 0 },
    [N_HOUSING] = { "Z59811", "Housing instability, housed, with risk of homelessness", 0.06, 0 },
    [N_TRANSPORT] = { "Z5982", "Transportation insecurity", 0.08, 0 },
    [N_UTILITIES] = { "Z5912", "Inadequate housing utilities", 0.05, 0 },
    [N_SAFETY] = { "Z91410", "Personal history of adult physical and sexual abuse", 0.02, 0 },
};

/* ---- drugs: NDC of a labelled package (11-digit 5-4-2), RxNorm clinical drug ---- */
const sy_med_t sy_meds[] = {
    { C_DM, "00087606313", "860975",
      "24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet", NULL, 0.70, 900, 0, 60 },
    { C_DM, "00088222033", "311041", "insulin glargine 100 UNT/ML Injectable Solution", NULL, 0.22,
      29000, 1, 10 },
    { C_HTN, "00310013110", "314076", "lisinopril 10 MG Oral Tablet", NULL, 0.45, 500, 0, 30 },
    { C_HTN, "00069153068", "197361", "amlodipine 5 MG Oral Tablet", NULL, 0.35, 600, 0, 30 },
    { C_HLD, "00071015623", "617310", "atorvastatin 20 MG Oral Tablet", VS_STATIN_MOD, 0.45, 800, 0,
      30 },
    { C_HLD, "00071015723", "617311", "atorvastatin 40 MG Oral Tablet", VS_STATIN_HIGH, 0.20, 900,
      0, 30 },
    { C_HLD, "00310075190", "859747", "rosuvastatin calcium 10 MG Oral Tablet", VS_STATIN_MOD, 0.15,
      1000, 0, 30 },
    { C_CHF, "00039006013", "313988", "furosemide 40 MG Oral Tablet", NULL, 0.60, 500, 0, 30 },
    { C_AFIB, "00003089421", "1364445", "apixaban 5 MG Oral Tablet", NULL, 0.50, 55000, 1, 60 },
    { C_AFIB, "00056017270", "855332", "warfarin sodium 5 MG Oral Tablet", NULL, 0.15, 900, 0, 30 },
    { C_COPD, "00173068220", "745679", "200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler",
      NULL, 0.70, 5500, 0, 1 },
    { C_COPD, "00173071820", "895994",
      "120 ACTUAT fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler", NULL, 0.20, 20000,
      1, 1 },
    { C_ASTHMA, "00173068220", "745679", "200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler",
      NULL, 0.80, 5500, 0, 1 },
    { C_ASTHMA, "00173071820", "895994",
      "120 ACTUAT fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler", NULL, 0.40, 20000,
      1, 1 },
    { C_DEP, "00049490066", "312941", "sertraline 50 MG Oral Tablet", VS_ANTIDEPRESS, 0.45, 700, 0,
      30 },
    { C_DEP, "00456201001", "349332", "escitalopram 10 MG Oral Tablet", VS_ANTIDEPRESS, 0.35, 800,
      0, 30 },
    { C_DEM, "62856024630", "997223", "donepezil hydrochloride 10 MG Oral Tablet", VS_DEMENTIA_MEDS,
      0.55, 1200, 0, 30 },
    { C_HYPOTHY, "00074518290", "966222", "levothyroxine sodium 0.075 MG Oral Tablet", NULL, 0.90,
      1100, 0, 30 },
    { C_OSTEO, "00006003144", "904419", "alendronate 70 MG Oral Tablet", NULL, 0.50, 1000, 0, 4 },
    /* potentially inappropriate in older adults (AGS Beers criteria; CMS156 value sets) */
    { C_DM, "69452012920", "199246", "glimepiride 2 MG Oral Tablet", VS_HRM_SULFONYL, 0.12, 500, 0,
      30 },
    { C_ANX, "00093007301", "854876", "zolpidem tartrate 5 MG Oral Tablet", VS_HRM_HYPNOTIC, 0.15,
      600, 0, 30 },
    { C_DEP, "63304077201", "197900", "lorazepam 0.5 MG Oral Tablet", VS_HRM_BENZO, 0.10, 600, 0,
      60 },
    /* brand drugs that dominate Part D spending; pharmacy claims only (no RxNorm) */
    { C_DM, "00597015230", NULL, "Jardiance 10 mg tablet", NULL, 0.20, 60000, 1, 30 },
    { C_DM, "00002143380", NULL, "Trulicity 1.5 mg/0.5 mL pen", NULL, 0.15, 95000, 1, 2 },
    { C_DM, "00006027731", NULL, "Januvia 100 mg tablet", NULL, 0.10, 55000, 1, 30 },
    { C_AFIB, "50458057930", NULL, "Xarelto 20 mg tablet", NULL, 0.20, 55000, 1, 30 },
    { C_COPD, "00173088710", NULL, "Trelegy Ellipta 100/62.5/25 mcg inhaler", NULL, 0.25, 65000, 1,
      1 },
    { C_COPD, "00597007541", NULL, "Spiriva HandiHaler 18 mcg capsule", NULL, 0.20, 55000, 1, 30 },
    { C_CHF, "00078069620", NULL, "Entresto 49/51 mg tablet", NULL, 0.25, 65000, 1, 60 },
    { C_ASTHMA, "00186037220", NULL, "Symbicort 160/4.5 mcg inhaler", NULL, 0.30, 35000, 1, 1 },
};
const int sy_nmeds = (int)(sizeof sy_meds / sizeof sy_meds[0]);

/* ---- MS-DRGs of the admissions (FY2025 relative weights and GMLOS, rounded) ---- */
const sy_drg_t sy_drgs[] = {
    { "291", "I5023", "Acute on chronic systolic (congestive) heart failure", NULL, 1.24, 3.9,
      C_CHF, 3.0, 0 },
    { "871", "A419", "Sepsis, unspecified organism", NULL, 1.90, 4.6, -1, 2.5, 0 },
    { "193", "J189", "Pneumonia, unspecified organism", NULL, 1.30, 4.0, -1, 2.0, 0 },
    { "190", "J441", "Chronic obstructive pulmonary disease with (acute) exacerbation", NULL, 1.15,
      3.8, C_COPD, 3.0, 0 },
    { "690", "N390", "Urinary tract infection, site not specified", NULL, 0.80, 3.1, -1, 1.5, 0 },
    { "683", "N179", "Acute kidney failure, unspecified", NULL, 0.90, 3.5, C_CKD, 2.0, 0 },
    { "638", "E1165", "Type 2 diabetes mellitus with hyperglycemia", NULL, 0.85, 3.0, C_DM, 1.2,
      0 },
    { "309", "I4891", "Unspecified atrial fibrillation", NULL, 0.75, 2.8, C_AFIB, 2.0, 0 },
    { "065", "I639", "Cerebral infarction, unspecified", NULL, 1.05, 3.5, C_STROKE, 1.2, 0 },
    { "247", "I214", "Non-ST elevation (NSTEMI) myocardial infarction", "027034Z", 2.05, 2.0, C_CAD,
      1.2, 0 },
    { "470", "M1711", "Unilateral primary osteoarthritis, right knee", "0SRC0J9", 1.90, 1.8, C_OA,
      1.5, 1 },
    { "481", "S72001A",
      "Fracture of unspecified part of neck of right femur, initial encounter for closed fracture",
      "0QS604Z", 1.95, 4.5, -1, 0.8, 0 },
    { "377", "K922", "Gastrointestinal hemorrhage, unspecified", NULL, 1.75, 3.9, C_AFIB, 1.0, 0 },
    { "312", "R55", "Syncope and collapse", NULL, 0.80, 2.3, -1, 1.0, 0 },
    { "603", "L03116", "Cellulitis of left lower limb", NULL, 0.85, 3.2, C_DM, 0.8, 0 },
    { "189", "J9601", "Acute respiratory failure with hypoxia", NULL, 1.20, 3.4, C_COPD, 1.0, 0 },
};
const int sy_ndrgs = (int)(sizeof sy_drgs / sizeof sy_drgs[0]);

/* ---- ED treat-and-release principal diagnoses (all in the NYU ED table) ---- */
const sy_eddx_t sy_eddx[] = {
    { "J069", "Acute upper respiratory infection, unspecified", -1, 1.0 },
    { "N390", "Urinary tract infection, site not specified", -1, 0.8 },
    { "R079", "Chest pain, unspecified", -1, 1.0 },
    { "R0789", "Other chest pain", C_CAD, 0.5 },
    { "R109", "Unspecified abdominal pain", -1, 0.8 },
    { "S0990XA", "Unspecified injury of head, initial encounter", -1, 0.6 },
    { "R0602", "Shortness of breath", C_CHF, 0.6 },
    { "K529", "Noninfective gastroenteritis and colitis, unspecified", -1, 0.5 },
    { "R42", "Dizziness and giddiness", -1, 0.6 },
    { "J020", "Streptococcal pharyngitis", -1, 0.2 },
    { "H6690", "Otitis media, unspecified, unspecified ear", -1, 0.2 },
    { "S61411A", "Laceration without foreign body of right hand, initial encounter", -1, 0.3 },
    { "L03116", "Cellulitis of left lower limb", C_DM, 0.3 },
    { "R55", "Syncope and collapse", -1, 0.4 },
    { "I509", "Heart failure, unspecified", C_CHF, 0.5 },
    { "J441", "Chronic obstructive pulmonary disease with (acute) exacerbation", C_COPD, 0.6 },
    { "E1165", "Type 2 diabetes mellitus with hyperglycemia", C_DM, 0.3 },
    { "S8001XA", "Contusion of right knee, initial encounter", -1, 0.3 },
    { "R112", "Nausea with vomiting, unspecified", -1, 0.4 },
    { "E860", "Dehydration", -1, 0.3 },
    { "J22", "Unspecified acute lower respiratory infection", C_COPD, 0.3 },
    { "R531", "Weakness", -1, 0.3 },
};
const int sy_neddx = (int)(sizeof sy_eddx / sizeof sy_eddx[0]);

/* ---- coded concepts of the clinical record ---- */
#define CPT   CODE_URI_CPT
#define HCPCS CODE_URI_HCPCS
#define SCT   CODE_URI_SNOMED
#define LOINC CODE_URI_LOINC
#define CVX   CODE_URI_CVX
#define RXN   CODE_URI_RXNORM
const sy_code_t sy_codes[K_N] = {
    [K_OFFICE_EST3] = { CPT, "99213",
                        "Office or other outpatient visit, established patient, low MDM",
                        VS_OFFICE },
    [K_OFFICE_EST4] = { CPT, "99214",
                        "Office or other outpatient visit, established patient, moderate MDM",
                        VS_OFFICE },
    [K_OFFICE_EST5] = { CPT, "99215",
                        "Office or other outpatient visit, established patient, high MDM",
                        VS_OFFICE },
    [K_OFFICE_NEW3] = { CPT, "99203", "Office or other outpatient visit, new patient, low MDM",
                        VS_OFFICE },
    [K_OFFICE_NEW4] = { CPT, "99204", "Office or other outpatient visit, new patient, moderate MDM",
                        VS_OFFICE },
    [K_AWV_INIT] = { HCPCS, "G0438", "Annual wellness visit, initial", VS_AWV },
    [K_AWV_SUBS] = { HCPCS, "G0439", "Annual wellness visit, subsequent", VS_AWV },
    [K_PREV_6574] = { CPT, "99397",
                      "Periodic comprehensive preventive medicine, established patient, 65 years "
                      "and older",
                      VS_PREV_EST_18 },
    [K_PREV_4064] = { CPT, "99396",
                      "Periodic comprehensive preventive medicine, established patient, 40-64 "
                      "years",
                      VS_PREV_EST_18 },
    [K_PREV_1839] = { CPT, "99395",
                      "Periodic comprehensive preventive medicine, established patient, 18-39 "
                      "years",
                      VS_PREV_EST_18 },
    [K_ED_3] = { CPT, "99283", "Emergency department visit, low MDM", VS_ED_VISIT },
    [K_ED_4] = { CPT, "99284", "Emergency department visit, moderate MDM", VS_ED_VISIT },
    [K_ED_5] = { CPT, "99285", "Emergency department visit, high MDM", VS_ED_VISIT },
    [K_INPATIENT] = { SCT, "32485007", "Hospital admission (procedure)", VS_INPATIENT },
    [K_INPATIENT_EMERG] = { SCT, "183452005", "Emergency hospital admission (procedure)",
                            VS_INPATIENT },
    [K_SNF] = { CPT, "99304", "Initial nursing facility care, per day", VS_NURSING_FAC },
    [K_HOME] = { CPT, "99349", "Home or residence visit, established patient, moderate MDM",
                 VS_HOME_HEALTH },
    [K_TCM_14] = { CPT, "99495", "Transitional care management services, moderate complexity",
                   NULL },
    [K_TCM_7] = { CPT, "99496", "Transitional care management services, high complexity", NULL },
    [K_LOINC_BP] = { LOINC, "85354-9", "Blood pressure panel with all children optional", NULL },
    [K_LOINC_SBP] = { LOINC, "8480-6", "Systolic blood pressure", NULL },
    [K_LOINC_DBP] = { LOINC, "8462-4", "Diastolic blood pressure", NULL },
    [K_LOINC_WEIGHT] = { LOINC, "29463-7", "Body weight", NULL },
    [K_LOINC_HEIGHT] = { LOINC, "8302-2", "Body height", NULL },
    [K_LOINC_BMI] = { LOINC, "39156-5", "Body mass index (BMI) [Ratio]", NULL },
    [K_LOINC_A1C] = { LOINC, "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", VS_A1C },
    [K_LOINC_EGFR] = { LOINC, "62238-1",
                       "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in "
                       "Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI)",
                       VS_EGFR },
    [K_LOINC_UACR] = { LOINC, "9318-7", "Albumin/Creatinine [Mass Ratio] in Urine", VS_UACR },
    [K_LOINC_LDL] = { LOINC, "13457-7",
                      "Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation",
                      VS_LDL },
    [K_LOINC_PHQ9] = { LOINC, "44261-6",
                       "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]", NULL },
    [K_LOINC_DEPSCREEN] = { LOINC, "73832-8", "Adult depression screening assessment", NULL },
    [K_LOINC_TOBACCO] = { LOINC, "72166-2", "Tobacco smoking status", VS_TOBACCO_SCR },
    [K_LOINC_MAMMO] = { LOINC, "24606-6", "MG Breast Screening", VS_MAMMO },
    [K_LOINC_FIT] = { LOINC, "29771-3",
                      "Hemoglobin.gastrointestinal.lower [Presence] in Stool by Immunoassay",
                      VS_FOBT },
    [K_SCT_DEP_NEG] = { SCT, "428171000124102", "Depression screening negative (finding)", NULL },
    [K_SCT_DEP_POS] = { SCT, "428181000124104", "Depression screening positive (finding)", NULL },
    [K_SCT_NEVER_SMOKER] = { SCT, "266919005", "Never smoked tobacco (finding)", VS_TOBACCO_NON },
    [K_SCT_EX_SMOKER] = { SCT, "8517006", "Ex-smoker (finding)", VS_TOBACCO_NON },
    [K_SCT_SMOKER] = { SCT, "77176002", "Smoker (finding)", VS_TOBACCO_USER },
    [K_SCT_NEGATIVE] = { SCT, "260385009", "Negative (qualifier value)", NULL },
    [K_SCT_POSITIVE] = { SCT, "10828004", "Positive (qualifier value)", NULL },
    [K_SCT_EYE_EXAM] = { SCT, "722161008", "Diabetic retinal eye exam (procedure)", VS_EYE_EXAM },
    [K_SCT_DEP_FOLLOWUP] = { SCT, "768835002", "Depression care management (procedure)",
                             VS_DEP_FOLLOWUP },
    [K_LOINC_FALLS_SCREEN] = { LOINC, "73830-2", "Fall risk assessment", VS_FALLS_SCREEN },
    [K_CPT_TOB_COUNSEL] = { CPT, "99406",
                            "Smoking and tobacco use cessation counseling visit; intermediate, "
                            "greater than 3 minutes up to 10 minutes",
                            VS_TOBACCO_COUNS },
    [K_RX_NICOTINE_PATCH] = { RXN, "198030", "24 HR nicotine 0.875 MG/HR Transdermal System",
                              VS_TOBACCO_RX },
    [K_RX_VARENICLINE] = { RXN, "636676", "varenicline 1 MG Oral Tablet", VS_TOBACCO_RX },
    [K_CPT_COLONOSCOPY] = { CPT, "45378", "Colonoscopy, flexible; diagnostic", VS_COLONOSCOPY },
    [K_CVX_FLU_HD] = { CVX, "197", "Influenza, high-dose, quadrivalent", NULL },
    [K_CVX_FLU_STD] = { CVX, "150", "Influenza, injectable, quadrivalent, preservative free",
                        NULL },
    [K_CVX_PCV20] = { CVX, "216",
                      "Pneumococcal conjugate PCV20, polysaccharide CRM197, preservative free",
                      NULL },
    [K_CVX_ZOSTER] = { CVX, "187", "Zoster vaccine recombinant", NULL },
};

/* ---- allowed amounts: Medicare 2025 national figures, rounded (cents) ---- */
const sy_fee_t sy_fees[] = {
    { "99203", "New patient office visit, low", 11300, 0 },
    { "99204", "New patient office visit, moderate", 16900, 0 },
    { "99213", "Established patient office visit, low", 9200, 0 },
    { "99214", "Established patient office visit, moderate", 13000, 0 },
    { "99215", "Established patient office visit, high", 18300, 0 },
    { "G2211", "Visit complexity add-on", 1600, 0 },
    { "G0438", "Annual wellness visit, initial", 17000, 1 },
    { "G0439", "Annual wellness visit, subsequent", 13100, 1 },
    { "G0444", "Annual depression screening", 1900, 1 },
    { "G0136", "SDOH risk assessment", 1900, 1 },
    { "99395", "Preventive visit 18-39", 13500, 1 },
    { "99396", "Preventive visit 40-64", 14500, 1 },
    { "99397", "Preventive visit 65+", 15500, 1 },
    { "99495", "TCM, moderate complexity", 20100, 0 },
    { "99496", "TCM, high complexity", 27200, 0 },
    { "99283", "ED visit, low (professional)", 7500, 0 },
    { "99284", "ED visit, moderate (professional)", 13000, 0 },
    { "99285", "ED visit, high (professional)", 18500, 0 },
    { "99223", "Initial hospital care, high", 20500, 0 },
    { "99233", "Subsequent hospital care, high", 11500, 0 },
    { "99239", "Hospital discharge day, > 30 min", 11000, 0 },
    { "99304", "Initial nursing facility care", 11000, 0 },
    { "99309", "Subsequent nursing facility care", 9500, 0 },
    { "83036", "Hemoglobin A1c", 970, 1 },
    { "80061", "Lipid panel", 1340, 1 },
    { "80048", "Basic metabolic panel", 850, 1 },
    { "82043", "Albumin, urine, quantitative", 700, 1 },
    { "82570", "Creatinine, other source", 580, 1 },
    { "85025", "Complete blood count", 780, 1 },
    { "84443", "Thyroid stimulating hormone", 1680, 1 },
    { "82274", "Fecal immunochemical test", 1690, 1 },
    { "36415", "Venipuncture", 300, 1 },
    { "77067", "Screening mammography, bilateral", 13600, 1 },
    { "G0121", "Colorectal cancer screening colonoscopy, not high risk", 41000, 1 },
    { "92014", "Ophthalmological services, established patient", 15000, 0 },
    { "2023F", "Dilated retinal eye exam without retinopathy", 0, 1 },
    { "99406", "Tobacco cessation counseling, 3-10 minutes", 1600, 1 },
    { "1100F", "Falls screening: 2 or more falls or any fall with injury in the past year", 0, 1 },
    { "1101F", "Falls screening: no fall or one fall without injury in the past year", 0, 1 },
    { "93306", "Echocardiography, complete", 22000, 0 },
    { "77080", "DXA bone density, axial", 4000, 1 },
    { "71046", "Chest X-ray, 2 views", 3500, 0 },
    { "93000", "Electrocardiogram, complete", 1700, 0 },
    { "74177", "CT abdomen and pelvis with contrast", 30000, 0 },
    { "97110", "Therapeutic exercise, each 15 min", 3000, 0 },
    { "96413", "Chemotherapy administration, IV infusion, first hour", 15000, 0 },
    { "J9271", "Injection, pembrolizumab, 1 mg", 5860, 0 },
    { "90662", "Influenza vaccine, high dose", 8000, 1 },
    { "90686", "Influenza vaccine, quadrivalent, preservative free", 2200, 1 },
    { "90677", "Pneumococcal conjugate vaccine, 20 valent", 26000, 1 },
    { "90750", "Zoster vaccine recombinant", 20000, 1 },
    { "G0008", "Administration of influenza vaccine", 3300, 1 },
    { "G0009", "Administration of pneumococcal vaccine", 3300, 1 },
    { "90471", "Immunization administration", 2500, 1 },
    { "E1390", "Oxygen concentrator, monthly rental", 8000, 0 },
    { "A4253", "Blood glucose test strips, per 50", 2700, 0 },
    { "E0143", "Walker, folding, wheeled", 7000, 0 },
    { "A0427", "Ambulance, ALS emergency", 45000, 0 },
    { "90960", "ESRD monthly services, 4+ visits", 30000, 0 },
    { "G0463", "Hospital outpatient clinic visit (facility)", 13500, 0 },
    { "94010", "Spirometry", 3500, 0 },
    { "20610", "Arthrocentesis or injection, major joint", 6500, 0 },
    { "90834", "Psychotherapy, 45 minutes", 10500, 0 },
    { "95816", "Electroencephalogram, awake and drowsy", 18000, 0 },
    { "92134", "Scanning computerized ophthalmic imaging, retina", 4000, 0 },
};
const int sy_nfees = (int)(sizeof sy_fees / sizeof sy_fees[0]);

/* Codes are string literals, so a small per-thread cache keyed by the pointer
 * spares the string comparisons on the hot path. */
int sy_fee_find(const char *code)
{
    static _Thread_local struct {
        const char *key;
        int idx;
    } cache[128];
    unsigned h = (unsigned)(((uintptr_t)code >> 3) & 127u);
    if (cache[h].key == code)
        return cache[h].idx;
    int found = -1;
    for (int i = 0; i < sy_nfees; i++)
        if (strcmp(sy_fees[i].code, code) == 0) {
            found = i;
            break;
        }
    cache[h].key = code;
    cache[h].idx = found;
    return found;
}

/* ---- specialties (NUCC taxonomy) ---- */
const sy_spec_def_t sy_specs[SP_N] = {
    [SP_FAMILY] = { "207Q00000X", "Family Medicine", 1 },
    [SP_INTERNAL] = { "207R00000X", "Internal Medicine", 1 },
    [SP_CARDIO] = { "207RC0000X", "Cardiovascular Disease", 0 },
    [SP_NEPHRO] = { "207RN0300X", "Nephrology", 0 },
    [SP_PULM] = { "207RP1001X", "Pulmonary Disease", 0 },
    [SP_ENDO] = { "207RE0101X", "Endocrinology, Diabetes & Metabolism", 0 },
    [SP_ONC] = { "207RX0202X", "Medical Oncology", 0 },
    [SP_PSYCH] = { "2084P0800X", "Psychiatry", 0 },
    [SP_ORTHO] = { "207X00000X", "Orthopaedic Surgery", 0 },
    [SP_NEURO] = { "2084N0400X", "Neurology", 0 },
    [SP_GI] = { "207RG0100X", "Gastroenterology", 0 },
    [SP_OPHTH] = { "207W00000X", "Ophthalmology", 0 },
    [SP_RHEUM] = { "207RR0500X", "Rheumatology", 0 },
    [SP_EM] = { "207P00000X", "Emergency Medicine", 0 },
    [SP_HOSPITAL] = { "208M00000X", "Hospitalist", 0 },
    [SP_RADIO] = { "2085R0202X", "Diagnostic Radiology", 0 },
};

/* ---- identities: common US names; addresses in one (fictional) service area ---- */
const char *const sy_first_f[] = {
    "Mary",     "Patricia", "Linda",    "Barbara",  "Elizabeth", "Jennifer", "Maria",  "Susan",
    "Margaret", "Dorothy",  "Lisa",     "Nancy",    "Karen",     "Betty",    "Helen",  "Sandra",
    "Donna",    "Carol",    "Ruth",     "Sharon",   "Michelle",  "Laura",    "Sarah",  "Kimberly",
    "Deborah",  "Jessica",  "Shirley",  "Cynthia",  "Angela",    "Melissa",  "Brenda", "Amy",
    "Anna",     "Rebecca",  "Virginia", "Kathleen", "Pamela",    "Martha",   "Debra",  "Amanda",
    "Carmen",   "Rosa",     "Mei",      "Linh",     "Aisha",     "Gloria",   "Joyce",  "Evelyn",
};
const char *const sy_first_m[] = {
    "James",   "John",    "Robert",  "Michael", "William", "David",  "Richard", "Charles",
    "Joseph",  "Thomas",  "Daniel",  "Paul",    "Mark",    "Donald", "George",  "Kenneth",
    "Steven",  "Edward",  "Brian",   "Ronald",  "Anthony", "Kevin",  "Jason",   "Matthew",
    "Gary",    "Timothy", "Jose",    "Larry",   "Jeffrey", "Frank",  "Scott",   "Eric",
    "Stephen", "Andrew",  "Raymond", "Gregory", "Joshua",  "Jerry",  "Dennis",  "Walter",
    "Luis",    "Carlos",  "Wei",     "Minh",    "Ahmed",   "Harold", "Roger",   "Arthur",
};
const char *const sy_last[] = {
    "Smith",    "Johnson",   "Williams",   "Brown",     "Jones",    "Garcia",   "Miller",
    "Davis",    "Rodriguez", "Martinez",   "Hernandez", "Lopez",    "Gonzalez", "Wilson",
    "Anderson", "Thomas",    "Taylor",     "Moore",     "Jackson",  "Martin",   "Lee",
    "Perez",    "Thompson",  "White",      "Harris",    "Sanchez",  "Clark",    "Ramirez",
    "Lewis",    "Robinson",  "Walker",     "Young",     "Allen",    "King",     "Wright",
    "Scott",    "Torres",    "Nguyen",     "Hill",      "Flores",   "Green",    "Adams",
    "Nelson",   "Baker",     "Hall",       "Rivera",    "Campbell", "Mitchell", "Carter",
    "Roberts",  "Gomez",     "Phillips",   "Evans",     "Turner",   "Diaz",     "Parker",
    "Cruz",     "Edwards",   "Collins",    "Reyes",     "Stewart",  "Morris",   "Morales",
    "Murphy",   "Cook",      "Rogers",     "Gutierrez", "Ortiz",    "Morgan",   "Cooper",
    "Peterson", "Bailey",    "Reed",       "Kelly",     "Howard",   "Ramos",    "Kim",
    "Cox",      "Ward",      "Richardson",
};
const char *const sy_street[] = {
    "Oak St",      "Maple Ave",   "Cedar Rd",     "Elm St",       "Pine St",    "Washington Ave",
    "Lake Dr",     "Hill Rd",     "Main St",      "Park Ave",     "Walnut St",  "Sunset Blvd",
    "River Rd",    "Church St",   "Highland Ave", "Meadow Ln",    "Forest Dr",  "Spring St",
    "Chestnut St", "Lincoln Ave", "Jackson St",   "Franklin Ave", "Willow Way", "Birch Ln",
};
const sy_place_t sy_places[] = {
    { "Columbus", "OH", "43215" },    { "Columbus", "OH", "43201" },
    { "Westerville", "OH", "43081" }, { "Dublin", "OH", "43017" },
    { "Grove City", "OH", "43123" },  { "Reynoldsburg", "OH", "43068" },
    { "Hilliard", "OH", "43026" },    { "Gahanna", "OH", "43230" },
    { "Delaware", "OH", "43015" },    { "Newark", "OH", "43055" },
    { "Lancaster", "OH", "43130" },   { "Marion", "OH", "43302" },
    { "Zanesville", "OH", "43701" },  { "Chillicothe", "OH", "45601" },
    { "Mansfield", "OH", "44902" },   { "Worthington", "OH", "43085" },
};
#define COUNT(a) (int)(sizeof a / sizeof a[0])
const int sy_nfirst_f = COUNT(sy_first_f), sy_nfirst_m = COUNT(sy_first_m),
          sy_nlast = COUNT(sy_last), sy_nstreet = COUNT(sy_street), sy_nplaces = COUNT(sy_places);

/* race: Tuva value, OMB code (CDC race & ethnicity code system), display */
const char *const sy_race_tuva[] = { "white", "black or african american", "asian",
                                     "american indian or alaska native", "other race" };
const char *const sy_race_code[] = { "2106-3", "2054-5", "2028-9", "1002-5", "2131-1" };
const char *const sy_race_display[] = { "White", "Black or African American", "Asian",
                                        "American Indian or Alaska Native", "Other Race" };

/* Tuva dual_status_code (CMS MMR dual status): 00 non-dual, 01 QMB only, 02 QMB+,
 * 03 SLMB only, 04 SLMB+, 05 QDWI, 06 QI, 08 other full dual, NA not Medicare. */
const char *const sy_dual_code[] = { "00", "01", "02", "03", "04", "06", "08", "NA" };

/* UB-04 discharge status to FHIR discharge-disposition */
const char *const sy_disp_fhir[64] = {
    [1] = "home", [2] = "other-hcf", [3] = "snf",   [6] = "home",   [7] = "aadvice",
    [20] = "exp", [50] = "hosp",     [51] = "hosp", [62] = "rehab",
};
