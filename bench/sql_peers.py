#!/usr/bin/env python3
"""The engine's computations written as SQL, run by DuckDB (node, @duckdb/node-api
from tools/node_modules) and SQLite (python's sqlite3) over the same CSVs, timed,
and compared with `tripod analyze` output.

Computed (same rules as docs/analytics.md):
  member months and cost by service category in the window (PMPM by category);
  attribution (plurality of allowed primary-care charges, step 1/2, ties);
  ED visits classified by the NYU (Johnston) table, counts by argmax class;
  inpatient stays, index admissions and unplanned 30-day readmissions;
  CMS-HCC risk per patient (docs/hcc.md, docs/analytics.md): diagnoses of the
  window's eligible claims (inpatient 11x/41x; outpatient bill types and
  professional claims with an eligible CPT/HCPCS), age/sex edits, hierarchies,
  demographic cell, originally disabled, Medicaid, interactions, payment-HCC
  count, in V28 (and V24 when the payment year weights it), blended and
  normalised as the engine writes patients.csv's risk_score; hcc_count is the
  number of V28 payment HCCs. Agreement: patients whose score matches to 3
  decimals and whose hcc_count is equal.

usage: sql_peers.py --data DIR --engine-out DIR --as-of YYYY-MM-DD --refdata DIR
                    [--engines duckdb,sqlite] [--tools DIR]
Prints a table of times and agreement, and a JSON line with the numbers.
"""
import argparse
import csv
import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import date


def months(as_of, n=12):
    y, m = as_of.year, as_of.month
    out = []
    for _ in range(n):
        first = date(y, m, 1)
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        last = date.fromordinal(date(ny, nm, 1).toordinal() - 1)
        out.append(("%04d-%02d" % (y, m), first.isoformat(), last.isoformat()))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return list(reversed(out))


PC_RANGES = [("99201", "99215"), ("99324", "99340"), ("99341", "99350"), ("99421", "99423"),
             ("99487", "99487"), ("99489", "99491"), ("99437", "99437"), ("99439", "99439"),
             ("99424", "99427"), ("99495", "99498"), ("99484", "99484"), ("99492", "99494")]
PC_SINGLE = ["G0402", "G0438", "G0439", "G0463", "G2010", "G2012", "G0506", "G2211"]


def queries(d, as_of, ws, days):
    """SQL text per computation; `days(a, b)` is b - a in days for the dialect."""
    mvals = ",".join("('%s','%s','%s')" % m for m in months(date.fromisoformat(as_of)))
    cents = ("CAST(ROUND(CAST(COALESCE(NULLIF(allowed_amount,''),NULLIF(paid_amount,''),'0')"
             " AS DOUBLE)*100) AS BIGINT)")
    tob = ("CASE WHEN length(bill_type_code)=4 AND substr(bill_type_code,1,1)='0' "
           "THEN substr(bill_type_code,2,2) ELSE substr(bill_type_code,1,2) END")
    pc = " OR ".join("(hcpcs_code BETWEEN '%s' AND '%s')" % r for r in PC_RANGES)
    pc += " OR hcpcs_code IN (%s)" % ",".join("'%s'" % c for c in PC_SINGLE)
    pc += " OR (hcpcs_code BETWEEN '99304' AND '99318' AND COALESCE(place_of_service_code,'') <> '31')"
    dx1 = "upper(replace(diagnosis_code_1,'.',''))"
    pxs = " OR ".join("upper(replace(procedure_code_%d,'.','')) IN (SELECT icd_10_pcs FROM planned_px)"
                      % i for i in range(1, 26))
    q = {}
    q["member_months"] = f"""
CREATE TABLE months(ym TEXT, first TEXT, last TEXT);
INSERT INTO months VALUES {mvals};
CREATE TABLE mm AS SELECT DISTINCT e.person_id, m.ym FROM eligibility e JOIN months m
  ON e.enrollment_start_date <= m.last AND COALESCE(NULLIF(e.enrollment_end_date,''),'9999-12-31') >= m.first;
SELECT COUNT(*) FROM mm;"""
    q["cost_by_category"] = f"""
CREATE TABLE claim_cat AS
SELECT claim_id, person_id, MIN(claim_start_date) AS start, SUM(c) AS cents,
  CASE WHEN MAX(claim_type)='dme' OR (MAX(claim_type)='professional' AND MAX(dme)=1) THEN 'dme'
       WHEN MAX(claim_type)='institutional' THEN
         CASE WHEN MAX(tob)='11' THEN 'inpatient' WHEN MAX(tob) IN ('21','18') THEN 'snf'
              WHEN MAX(tob) IN ('32','33','34') THEN 'home_health'
              WHEN MAX(edrev)=1 THEN 'ed' ELSE 'outpatient' END
       WHEN MAX(pos23)=1 THEN 'ed' ELSE 'professional' END AS cat
FROM (SELECT claim_id, person_id, claim_start_date, lower(claim_type) AS claim_type, {tob} AS tob,
        CASE WHEN revenue_center_code BETWEEN '0450' AND '0459' OR revenue_center_code='0981'
             THEN 1 ELSE 0 END AS edrev,
        CASE WHEN place_of_service_code='23' THEN 1 ELSE 0 END AS pos23,
        CASE WHEN length(hcpcs_code)=5 AND (hcpcs_code BETWEEN 'E0100' AND 'E8002'
                  OR hcpcs_code BETWEEN 'A4000' AND 'A8999' OR hcpcs_code BETWEEN 'K0000' AND 'K0999')
             THEN 1 ELSE 0 END AS dme, {cents} AS c
      FROM medical_claim WHERE person_id IN (SELECT person_id FROM eligibility)) x
GROUP BY claim_id, person_id;
SELECT cat, SUM(cents) FROM (
  SELECT c.cat, c.cents FROM claim_cat c JOIN mm ON mm.person_id=c.person_id AND mm.ym=substr(c.start,1,7)
   WHERE c.start >= '{ws}' AND c.start <= '{as_of}'
  UNION ALL
  SELECT 'pharmacy', {cents} FROM pharmacy_claim r JOIN mm ON mm.person_id=r.person_id
   AND mm.ym=substr(r.dispensing_date,1,7)
   WHERE r.dispensing_date >= '{ws}' AND r.dispensing_date <= '{as_of}') t
GROUP BY cat ORDER BY cat;"""
    q["attribution"] = f"""
CREATE TABLE cand AS
SELECT m.person_id, m.rendering_npi AS npi, SUM({cents}) AS amt, MAX(m.claim_start_date) AS last,
  CASE WHEN (SELECT COUNT(*) FROM practitioner) = 0 THEN 1
       WHEN MAX(p.primary_care_flag) = '1' THEN 1 ELSE 2 END AS step
FROM medical_claim m LEFT JOIN practitioner p ON p.npi = m.rendering_npi
WHERE lower(m.claim_type)='professional' AND m.claim_start_date >= '{ws}'
  AND m.claim_start_date <= '{as_of}' AND length(m.rendering_npi)=10 AND ({pc})
GROUP BY m.person_id, m.rendering_npi;
SELECT person_id, npi, step FROM (
  SELECT person_id, npi, step, ROW_NUMBER() OVER (PARTITION BY person_id
    ORDER BY step, amt DESC, last DESC, npi) AS rn FROM cand WHERE amt > 0) r WHERE rn = 1;"""
    q["ed_nyu"] = f"""
CREATE TABLE ed_claim AS
SELECT person_id, claim_id, MIN(claim_start_date) AS d, MAX(lower(claim_type)) AS ct, MIN({dx1}) AS dx
FROM medical_claim WHERE person_id IN (SELECT person_id FROM eligibility)
GROUP BY person_id, claim_id
HAVING (MAX(lower(claim_type))='institutional' AND MAX({tob}) NOT IN ('11','21')
        AND MAX(CASE WHEN revenue_center_code BETWEEN '0450' AND '0459' OR revenue_center_code='0981' THEN 1 ELSE 0 END)=1)
    OR (MAX(lower(claim_type))='professional' AND MAX(CASE WHEN place_of_service_code='23'
        OR hcpcs_code BETWEEN '99281' AND '99285' THEN 1 ELSE 0 END)=1);
CREATE TABLE ed_visit AS
SELECT person_id, d, COALESCE(MIN(CASE WHEN ct='institutional' THEN NULLIF(dx,'') END),
                              MIN(CASE WHEN ct<>'institutional' THEN NULLIF(dx,'') END)) AS dx
FROM ed_claim WHERE d >= '{ws}' AND d <= '{as_of}' GROUP BY person_id, d;
SELECT cls, COUNT(*) FROM (
 SELECT CASE WHEN n.icd10 IS NULL THEN 'unclassified'
   WHEN n.edcnnpa >= n.edcnpa AND n.edcnnpa >= n.epct AND n.edcnnpa >= n.noner AND n.edcnnpa >= n.injury
        AND n.edcnnpa >= n.psych AND n.edcnnpa >= n.alcohol AND n.edcnnpa >= n.drug THEN 'edcnnpa'
   WHEN n.edcnpa >= n.epct AND n.edcnpa >= n.noner AND n.edcnpa >= n.injury AND n.edcnpa >= n.psych
        AND n.edcnpa >= n.alcohol AND n.edcnpa >= n.drug THEN 'edcnpa'
   WHEN n.epct >= n.noner AND n.epct >= n.injury AND n.epct >= n.psych AND n.epct >= n.alcohol
        AND n.epct >= n.drug THEN 'epct'
   WHEN n.noner >= n.injury AND n.noner >= n.psych AND n.noner >= n.alcohol AND n.noner >= n.drug THEN 'noner'
   WHEN n.injury >= n.psych AND n.injury >= n.alcohol AND n.injury >= n.drug THEN 'injury'
   WHEN n.psych >= n.alcohol AND n.psych >= n.drug THEN 'psych'
   WHEN n.alcohol >= n.drug THEN 'alcohol' ELSE 'drug' END AS cls
 FROM ed_visit v LEFT JOIN nyu n ON n.icd10 = v.dx) t GROUP BY cls ORDER BY cls;"""
    q["readmissions"] = f"""
CREATE TABLE ip_claim AS
SELECT person_id, claim_id,
  MIN(COALESCE(NULLIF(admission_date,''), claim_start_date)) AS admit,
  MAX(COALESCE(NULLIF(discharge_date,''), claim_end_date, claim_start_date)) AS disch,
  MAX(NULLIF(discharge_disposition_code,'')) AS disp, MIN(NULLIF({dx1},'')) AS dx,
  MAX(CASE WHEN {pxs} THEN 1 ELSE 0 END) AS px_planned
FROM medical_claim WHERE lower(claim_type)='institutional' AND {tob}='11'
  AND person_id IN (SELECT person_id FROM eligibility)
GROUP BY person_id, claim_id;
CREATE TABLE stay AS
SELECT person_id, admit, MAX(disch) AS disch, MAX(disp) AS disp, MIN(dx) AS dx,
  MAX(CASE WHEN px_planned=1 AND dx NOT IN (SELECT icd_10_cm FROM acute_dx) THEN 1 ELSE 0 END) AS planned
FROM ip_claim GROUP BY person_id, admit;
CREATE TABLE qual AS
SELECT s.* FROM stay s WHERE s.admit IS NOT NULL AND s.disch IS NOT NULL AND s.admit <= s.disch
  AND s.dx IS NOT NULL AND s.disp IS NOT NULL AND NOT EXISTS (
   SELECT 1 FROM stay o WHERE o.person_id = s.person_id AND NOT (o.admit = s.admit AND o.disch = s.disch)
     AND ((s.admit BETWEEN o.admit AND o.disch) OR (s.disch BETWEEN o.admit AND o.disch)
       OR (o.admit BETWEEN s.admit AND s.disch) OR (o.disch BETWEEN s.admit AND s.disch)));
CREATE TABLE seq AS
SELECT q.*, LEAD(admit) OVER w AS next_admit, LEAD(planned) OVER w AS next_planned
FROM qual q WINDOW w AS (PARTITION BY person_id ORDER BY admit, disch);
SELECT (SELECT COUNT(*) FROM stay WHERE disch >= '{ws}' AND disch <= '{as_of}') AS ip,
  SUM(CASE WHEN idx=1 THEN 1 ELSE 0 END) AS index_admits,
  SUM(CASE WHEN idx=1 AND next_admit IS NOT NULL AND {days('disch', 'next_admit')} <= 30
           AND next_planned = 0 THEN 1 ELSE 0 END) AS unplanned
FROM (SELECT s.*, CASE WHEN CAST(disp AS INTEGER) NOT IN (2,7,20)
        AND {days('disch', "(SELECT MIN(x) FROM (SELECT MAX(NULLIF(discharge_date,'')) AS x FROM medical_claim WHERE lower(claim_type)='institutional' AND " + tob + "='11' UNION ALL SELECT '" + as_of + "') t)")} >= 30
        THEN 1 ELSE 0 END AS idx FROM seq s) z
WHERE disch >= '{ws}' AND disch <= '{as_of}';"""
    q["hcc"] = hcc_query(as_of, ws, tob)
    return q


def hcc_files(refdata, as_of):
    """(table, path) of the CMS-HCC reference tables the engine reads for as_of."""
    ty = hcc_payment(as_of)[4]
    h = os.path.join(refdata, "hcc")
    return [("ra_dx_cc", os.path.join(h, "ra_dx_to_cc_%d.csv" % ty)),
            ("ra_coef", os.path.join(h, "ra_coefficients_%d.csv" % ty)),
            ("ra_hier", os.path.join(h, "ra_hierarchies_2026.csv")),
            ("ra_edits", os.path.join(h, "ra_dx_edits.csv")),
            ("ra_cpt", os.path.join(h, "ra_eligible_cpt_hcpcs_2026.csv"))]


# CMS-HCC payment settings by payment year (docs/hcc.md, hcc_payment_defaults):
# (weight V24, weight V28), (normalisation V24, V28), MA coding adjustment.
HCC_PAYMENT = {2024: ((0.67, 0.33), (1.146, 1.015), 0.059),
               2025: ((0.33, 0.67), (1.153, 1.045), 0.059),
               2026: ((0.0, 1.0), (1.0, 1.067), 0.059)}
# Age/sex edits of V24, which ra_dx_edits.csv lacks (CMS macro V24I0ED1, as the
# engine builds them in): (codes, sex, age_min, age_max, action, cc).
HCC_V24_EDITS = [("D66 D67", "F", None, None, "override", 48),
                 ("J410 J411 J418 J42 J430 J431 J432 J438 J439 J440 J441 J4481 J4489 J449 J982 J983",
                  None, None, 17, "override", 112),
                 ("F3481", None, 19, 5, "invalid", None)]
# Diagnostic groups (a group is on when any of its HCCs is, after hierarchies)
# and interactions (both terms on; DISABL = disabled) per model, as CMS's software.
HCC_GROUPS = {
    "V24": {"CANCER": [8, 9, 10, 11, 12], "DIABETES": [17, 18, 19], "CARD_RESP_FAIL": [82, 83, 84],
            "CHF": [85], "COPDCF": [110, 111, 112], "RENAL": [134, 135, 136, 137, 138],
            "SEPSIS": [2], "PRESSURE_ULCER": [157, 158, 159], "SUB_USE": [54, 55, 56],
            "PSYCH": [57, 58, 59, 60], "HCC6": [6], "HCC39": [39], "HCC47": [47],
            "SCHIZOPHRENIA": [57], "HCC77": [77], "SEIZURES": [79], "HCC96": [96],
            "ASP_SPEC_BACT_PNEUM": [114], "HCC161": [161], "ARTIF_OPENINGS": [188]},
    "V28": {"CANCER": [17, 18, 19, 20, 21, 22, 23], "DIABETES": [35, 36, 37, 38],
            "CARD_RESP_FAIL": [211, 212, 213], "HF": [221, 222, 223, 224, 225, 226],
            "CHR_LUNG": [276, 277, 278, 279, 280], "KIDNEY": [326, 327, 328, 329],
            "SUB_USE": [135, 136, 137, 138, 139], "PSYCH": [151, 152, 153, 154, 155],
            "NEURO": [180, 181, 182, 190, 191, 192, 195, 196, 198, 199],
            "ULCER": [379, 380, 381, 382], "HCC238": [238]}}
HCC_INTERACTIONS = {
    "V24": [("HCC47_gCancer", "HCC47", "CANCER"), ("DIABETES_CHF", "DIABETES", "CHF"),
            ("CHF_gCopdCF", "CHF", "COPDCF"), ("HCC85_gRenal_V24", "CHF", "RENAL"),
            ("gCopdCF_CARD_RESP_FAIL", "COPDCF", "CARD_RESP_FAIL"), ("HCC85_HCC96", "CHF", "HCC96"),
            ("gSubstanceUseDisorder_gPsych", "SUB_USE", "PSYCH"),
            ("SEPSIS_PRESSURE_ULCER", "SEPSIS", "PRESSURE_ULCER"),
            ("SEPSIS_ARTIF_OPENINGS", "SEPSIS", "ARTIF_OPENINGS"),
            ("ART_OPENINGS_PRESS_ULCER", "ARTIF_OPENINGS", "PRESSURE_ULCER"),
            ("gCopdCF_ASP_SPEC_B_PNEUM", "COPDCF", "ASP_SPEC_BACT_PNEUM"),
            ("ASP_SPEC_B_PNEUM_PRES_ULC", "ASP_SPEC_BACT_PNEUM", "PRESSURE_ULCER"),
            ("SEPSIS_ASP_SPEC_BACT_PNEUM", "SEPSIS", "ASP_SPEC_BACT_PNEUM"),
            ("SCHIZOPHRENIA_gCopdCF", "SCHIZOPHRENIA", "COPDCF"),
            ("SCHIZOPHRENIA_CHF", "SCHIZOPHRENIA", "CHF"),
            ("SCHIZOPHRENIA_SEIZURES", "SCHIZOPHRENIA", "SEIZURES"),
            ("DISABLED_HCC85", "DISABL", "CHF"), ("DISABLED_PRESSURE_ULCER", "DISABL", "PRESSURE_ULCER"),
            ("DISABLED_HCC161", "DISABL", "HCC161"), ("DISABLED_HCC39", "DISABL", "HCC39"),
            ("DISABLED_HCC77", "DISABL", "HCC77"), ("DISABLED_HCC6", "DISABL", "HCC6")],
    "V28": [("DIABETES_HF_V28", "DIABETES", "HF"), ("HF_CHR_LUNG_V28", "HF", "CHR_LUNG"),
            ("HF_KIDNEY_V28", "HF", "KIDNEY"), ("CHR_LUNG_CARD_RESP_FAIL_V28", "CHR_LUNG", "CARD_RESP_FAIL"),
            ("HF_HCC238_V28", "HF", "HCC238"), ("gSubUseDisorder_gPsych_V28", "SUB_USE", "PSYCH"),
            ("DISABLED_CANCER_V28", "DISABL", "CANCER"), ("DISABLED_NEURO_V28", "DISABL", "NEURO"),
            ("DISABLED_HF_V28", "DISABL", "HF"), ("DISABLED_CHR_LUNG_V28", "DISABL", "CHR_LUNG"),
            ("DISABLED_ULCER_V28", "DISABL", "ULCER")]}
HCC_BANDS = [(0, 34, "0_34"), (35, 44, "35_44"), (45, 54, "45_54"), (55, 59, "55_59"), (60, 64, "60_64"),
             (65, 69, "65_69"), (70, 74, "70_74"), (75, 79, "75_79"), (80, 84, "80_84"),
             (85, 89, "85_89"), (90, 94, "90_94"), (95, 999, "95_GT")]
HCC_NE_BANDS = HCC_BANDS[:5] + [(a, a, str(a)) for a in range(65, 70)] + HCC_BANDS[6:]


def hcc_payment(as_of):
    """The engine's default payment year (as_of's year + 1), its settings and table year."""
    py = date.fromisoformat(as_of).year + 1
    w, nrm, adj = HCC_PAYMENT.get(py, HCC_PAYMENT[2026])
    return py, w, nrm, adj, (2025 if py <= 2025 else 2026)


def hcc_query(as_of, ws, tob):
    py, w, nrm, adj, _ = hcc_payment(as_of)
    def vals(rows):
        return ",".join("(" + ",".join("NULL" if v is None else "'%s'" % v if isinstance(v, str)
                                       else repr(v) for v in r) + ")" for r in rows)
    # V28 is always scored (hcc_count); V24 when its weight is not 0.
    models = [("V24", w[0], nrm[0])] if w[0] > 0 else []
    models.append(("V28", w[1], nrm[1]))
    edits = [("V24", c, sx, lo, hi, act, cc) for codes, sx, lo, hi, act, cc in HCC_V24_EDITS
             for c in codes.split()]
    groups = [(m, g, cc) for m, gs in HCC_GROUPS.items() for g, ccs in gs.items() for cc in ccs]
    inter = [(m, n, a, b) for m, xs in HCC_INTERACTIONS.items() for n, a, b in xs]
    bands = [(lo, hi, lab, 0) for lo, hi, lab in HCC_BANDS] + [(lo, hi, lab, 1) for lo, hi, lab in HCC_NE_BANDS]
    feb1 = "%04d-02-01" % py
    mvals = ",".join("('%s','%s','%s')" % m for m in months(date.fromisoformat(as_of)))
    dxcols = ", ".join("m.diagnosis_code_%d" % i for i in range(1, 26))
    dxu = " UNION ALL ".join("SELECT person_id, upper(replace(trim(diagnosis_code_%d),'.','')) AS dx FROM h_edx"
                             % i for i in range(1, 26))
    return f"""
CREATE TABLE h_model(model TEXT, weight DOUBLE, norm DOUBLE);
INSERT INTO h_model VALUES {vals(models)};
CREATE TABLE h_band(lo INTEGER, hi INTEGER, label TEXT, ne INTEGER);
INSERT INTO h_band VALUES {vals(bands)};
CREATE TABLE h_grp(model TEXT, grp TEXT, cc INTEGER);
INSERT INTO h_grp VALUES {vals(groups)};
CREATE TABLE h_int(model TEXT, name TEXT, a TEXT, b TEXT);
INSERT INTO h_int VALUES {vals(inter)};
CREATE TABLE h_months(ym TEXT, first TEXT, last TEXT);
INSERT INTO h_months VALUES {mvals};
CREATE TABLE h_dxcc AS SELECT DISTINCT CASE model_name WHEN 'CMS-HCC Model V24' THEN 'V24' ELSE 'V28' END AS model,
  diagnosis_code AS dx, CAST(cc AS INTEGER) AS cc FROM ra_dx_cc
  WHERE model_name IN ('CMS-HCC Model V24', 'CMS-HCC Model V28');
CREATE TABLE h_coef AS SELECT CASE model_version WHEN 'C24' THEN 'V24' ELSE 'V28' END AS model,
  coefficient AS name, CAST(value AS DOUBLE) AS value FROM ra_coef
  WHERE model_domain = 'CMS-HCC' AND model_version IN ('C24', 'C28');
CREATE TABLE h_pay AS SELECT DISTINCT model, CAST(substr(name, instr(name, '_') + 4) AS INTEGER) AS cc
  FROM h_coef WHERE substr(name, instr(name, '_') + 1, 3) = 'HCC'
  AND instr(substr(name, instr(name, '_') + 1), '_') = 0;
CREATE TABLE h_hier AS SELECT DISTINCT model_version AS model, CAST(cc_parent AS INTEGER) AS parent,
  CAST(cc_child AS INTEGER) AS child FROM ra_hier WHERE model_domain = 'CMS-HCC' AND model_version IN ('V24', 'V28');
CREATE TABLE h_edit(model TEXT, dx TEXT, sex TEXT, age_min INTEGER, age_max INTEGER, action TEXT, cc INTEGER);
INSERT INTO h_edit SELECT 'V28', icd10, CASE WHEN edit_type = 'sex' THEN CASE sex WHEN '1' THEN 'M' ELSE 'F' END END,
  CASE WHEN edit_type = 'age' THEN CAST(NULLIF(age_min, '') AS INTEGER) END,
  CASE WHEN edit_type = 'age' THEN CAST(NULLIF(age_max, '') AS INTEGER) END,
  action, CAST(NULLIF(cc_override, '') AS INTEGER) FROM ra_edits WHERE model_name = 'CMS-HCC Model V28';
CREATE TABLE h_edit24(model TEXT, dx TEXT, sex TEXT, age_min INTEGER, age_max INTEGER, action TEXT, cc INTEGER);
INSERT INTO h_edit24 VALUES {vals(edits)};
INSERT INTO h_edit SELECT * FROM h_edit24 b WHERE NOT EXISTS (SELECT 1 FROM h_edit f WHERE f.model = b.model AND f.dx = b.dx);
CREATE TABLE h_cpt AS SELECT DISTINCT upper(trim(cpt_hcpcs_code)) AS code FROM ra_cpt;
CREATE TABLE h_claim AS
SELECT person_id, claim_id, MIN(claim_start_date) AS start,
  MAX(substr(lower(trim(claim_type)), 1, 1)) AS ct, MAX({tob}) AS tob,
  MAX(CASE WHEN upper(trim(hcpcs_code)) IN (SELECT code FROM h_cpt) THEN 1 ELSE 0 END) AS cpt_ok
FROM medical_claim WHERE person_id IN (SELECT person_id FROM eligibility) GROUP BY person_id, claim_id;
CREATE TABLE h_elig AS SELECT person_id, claim_id FROM h_claim
WHERE start >= '{ws}' AND start <= '{as_of}'
  AND ((ct = 'i' AND tob IN ('11', '41'))
    OR (cpt_ok = 1 AND (ct = 'p' OR (ct = 'i' AND tob IN ('12','13','43','71','73','76','77','85','87')))));
CREATE TABLE h_edx AS SELECT DISTINCT m.person_id, {dxcols} FROM medical_claim m
  JOIN h_elig e ON e.person_id = m.person_id AND e.claim_id = m.claim_id;
CREATE TABLE h_pdx AS SELECT DISTINCT person_id, dx FROM ({dxu}) t WHERE dx <> '';
CREATE TABLE h_mm AS SELECT x.person_id, COUNT(DISTINCT m.ym) AS mm FROM eligibility x JOIN h_months m
  ON x.enrollment_start_date <= m.last AND COALESCE(NULLIF(x.enrollment_end_date, ''), '9999-12-31') >= m.first
GROUP BY x.person_id;
CREATE TABLE h_person0 AS
SELECT e.person_id, MAX(NULLIF(e.birth_date, '')) AS birth,
  MAX(CASE WHEN lower(substr(trim(e.gender), 1, 1)) = 'f' THEN 'F' ELSE 'M' END) AS sex,
  MAX(CASE WHEN trim(e.original_reason_entitlement_code) IN ('0','1','2','3','00','01','02','03')
      THEN CAST(trim(e.original_reason_entitlement_code) AS INTEGER) END) AS orec,
  MAX(CASE WHEN trim(e.dual_status_code) IN ('1','2','3','4','5','6','7','8','01','02','03','04','05','06','07','08')
      THEN 1 ELSE 0 END) AS medicaid, COALESCE(MAX(k.mm), 0) AS mm
FROM eligibility e LEFT JOIN h_mm k ON k.person_id = e.person_id GROUP BY e.person_id;
CREATE TABLE h_person1 AS
SELECT person_id, sex, medicaid, mm, orec,
  CASE WHEN birth IS NULL THEN 70 ELSE
    CASE WHEN CAST(substr('{feb1}', 1, 4) AS INTEGER) - CAST(substr(birth, 1, 4) AS INTEGER)
              - CASE WHEN substr('{feb1}', 6, 5) < substr(birth, 6, 5) THEN 1 ELSE 0 END < 0 THEN 0
         ELSE CAST(substr('{feb1}', 1, 4) AS INTEGER) - CAST(substr(birth, 1, 4) AS INTEGER)
              - CASE WHEN substr('{feb1}', 6, 5) < substr(birth, 6, 5) THEN 1 ELSE 0 END END END AS age
FROM h_person0;
CREATE TABLE h_person AS
SELECT p.*, CASE WHEN mm < 12 THEN 'NE' WHEN medicaid = 1 THEN CASE WHEN age >= 65 THEN 'CFA' ELSE 'CFD' END
                 ELSE CASE WHEN age >= 65 THEN 'CNA' ELSE 'CND' END END AS seg,
  CASE WHEN age < 65 AND oe <> 0 THEN 1 ELSE 0 END AS disabled,
  CASE WHEN oe = 1 AND NOT (age < 65 AND oe <> 0) THEN 1 ELSE 0 END AS origds,
  CASE WHEN mm < 12 THEN
    CASE WHEN medicaid = 1 THEN 'MCAID' ELSE 'NMCAID' END || '_' ||
    CASE WHEN age >= 65 AND oe = 1 THEN 'ORIGDIS' ELSE 'NORIGDIS' END || '_NE' || sex ||
    CASE WHEN age = 64 AND oe = 0 THEN '65' ELSE (SELECT label FROM h_band b WHERE b.ne = 1 AND age BETWEEN b.lo AND b.hi) END
  ELSE sex || (SELECT label FROM h_band b WHERE b.ne = 0 AND age BETWEEN b.lo AND b.hi) END AS demo
FROM (SELECT q.*, COALESCE(orec, CASE WHEN age < 65 THEN 1 ELSE 0 END) AS oe FROM h_person1 q) p;
CREATE TABLE h_cc AS
SELECT DISTINCT x.person_id, d.model,
  CASE WHEN ed.action = 'override' AND ed.ok = 1 THEN ed.cc ELSE d.cc END AS cc
FROM h_pdx x JOIN h_dxcc d ON d.dx = x.dx JOIN h_model hm ON hm.model = d.model
JOIN h_person p ON p.person_id = x.person_id
LEFT JOIN (SELECT pp.person_id, ee.model, ee.dx, ee.action, ee.cc,
             CASE WHEN (ee.sex IS NOT NULL AND ee.sex = pp.sex) OR (ee.sex IS NULL AND
               ((ee.age_max IS NOT NULL AND pp.age <= ee.age_max) OR (ee.age_min IS NOT NULL AND pp.age >= ee.age_min)))
             THEN 1 ELSE 0 END AS ok
           FROM h_edit ee JOIN h_pdx px ON px.dx = ee.dx JOIN h_person pp ON pp.person_id = px.person_id) ed
  ON ed.person_id = x.person_id AND ed.model = d.model AND ed.dx = x.dx
WHERE ed.action IS NULL OR NOT (ed.action = 'invalid' AND ed.ok = 1);
CREATE INDEX h_cc_i ON h_cc(person_id, model, cc);
CREATE TABLE h_hcc AS
SELECT c.person_id, c.model, c.cc FROM h_cc c JOIN h_pay y ON y.model = c.model AND y.cc = c.cc
WHERE NOT EXISTS (SELECT 1 FROM h_hier h JOIN h_cc pc ON pc.cc = h.parent
                  WHERE h.model = c.model AND h.child = c.cc AND pc.person_id = c.person_id AND pc.model = c.model);
CREATE TABLE h_n AS SELECT person_id, model, COUNT(*) AS n FROM h_hcc GROUP BY person_id, model;
CREATE TABLE h_gon AS
SELECT DISTINCT h.person_id, h.model, g.grp FROM h_hcc h JOIN h_grp g ON g.model = h.model AND g.cc = h.cc
UNION ALL SELECT p.person_id, m.model, 'DISABL' FROM h_person p CROSS JOIN h_model m WHERE p.disabled = 1;
CREATE TABLE h_var AS
SELECT p.person_id, m.model, p.demo AS var, 1 AS is_demo FROM h_person p CROSS JOIN h_model m
UNION ALL SELECT h.person_id, h.model, 'HCC' || CAST(h.cc AS TEXT), 0 FROM h_hcc h
UNION ALL SELECT p.person_id, m.model, CASE WHEN p.sex = 'F' THEN 'OriginallyDisabled_Female'
  ELSE 'OriginallyDisabled_Male' END, 0 FROM h_person p CROSS JOIN h_model m WHERE p.origds = 1
UNION ALL SELECT p.person_id, m.model, 'ORIGDS', 0 FROM h_person p CROSS JOIN h_model m WHERE p.origds = 1
UNION ALL SELECT p.person_id, m.model, 'LTIMCAID', 0 FROM h_person p CROSS JOIN h_model m WHERE p.medicaid = 1
UNION ALL SELECT a.person_id, a.model, i.name, 0 FROM h_int i
  JOIN h_gon a ON a.model = i.model AND a.grp = i.a
  JOIN h_gon b ON b.model = i.model AND b.grp = i.b AND b.person_id = a.person_id
UNION ALL SELECT person_id, model, CASE WHEN n >= 10 THEN 'D10P' ELSE 'D' || CAST(n AS TEXT) END, 0 FROM h_n;
CREATE TABLE h_raw AS
SELECT v.person_id, v.model, SUM(c.value) AS raw, MAX(CASE WHEN v.is_demo = 1 THEN 1 ELSE 0 END) AS demo_ok
FROM h_var v JOIN h_person p ON p.person_id = v.person_id
JOIN h_coef c ON c.model = v.model AND c.name = p.seg || '_' || v.var
WHERE p.seg <> 'NE' OR v.is_demo = 1
GROUP BY v.person_id, v.model;
CREATE TABLE h_blend AS
SELECT r.person_id, SUM(CASE WHEN m.weight <> 0 AND m.norm > 0 THEN m.weight * r.raw / m.norm ELSE 0 END) AS pay,
  MAX(CASE WHEN r.model = 'V28' THEN 1 ELSE 0 END) AS v28_ok
FROM h_raw r JOIN h_model m ON m.model = r.model WHERE r.demo_ok = 1 GROUP BY r.person_id;
CREATE TABLE h_ndx AS SELECT person_id, COUNT(*) AS ndx FROM h_pdx GROUP BY person_id;
SELECT p.person_id,
  CASE WHEN p.age <= 130 THEN COALESCE(b.pay, 0) ELSE 0 END * (1 - {adj}) AS score,
  CASE WHEN p.age <= 130 AND b.v28_ok = 1 THEN COALESCE(n.n, 0) ELSE 0 END AS hcc_count,
  COALESCE(x.ndx, 0) AS ndx
FROM h_person p LEFT JOIN h_blend b ON b.person_id = p.person_id
LEFT JOIN h_n n ON n.person_id = p.person_id AND n.model = 'V28'
LEFT JOIN h_ndx x ON x.person_id = p.person_id ORDER BY p.person_id;"""


def run_sqlite(a, q, refdata):
    t0 = time.time()
    con = sqlite3.connect(":memory:")
    def load(name, path, cols=None):
        with open(path, newline="") as f:
            r = csv.reader(f)
            hdr = next(r)
            con.execute("CREATE TABLE %s (%s)" % (name, ",".join('"%s" TEXT' % h for h in hdr)))
            con.executemany("INSERT INTO %s VALUES (%s)" % (name, ",".join("?" * len(hdr))),
                            (row + [""] * (len(hdr) - len(row)) for row in r))
    for t in ("eligibility", "medical_claim", "pharmacy_claim"):
        load(t, os.path.join(a.data, t + ".csv"))
    prac = os.path.join(a.data, "practitioner.csv")
    if os.path.exists(prac):
        load("practitioner", prac)
    else:
        con.execute("CREATE TABLE practitioner (npi TEXT, primary_care_flag TEXT)")
    load("nyu", os.path.join(refdata, "ed", "nyu_ed_johnston_icd10.csv"))
    load("acute_dx", os.path.join(refdata, "readmission", "acute_diagnosis_icd_10_cm.csv"))
    load("planned_px", os.path.join(refdata, "readmission", "potentially_planned_icd_10_pcs.csv"))
    for name, path in hcc_files(refdata, a.as_of):
        load(name, path)
    con.execute("CREATE INDEX i1 ON medical_claim(person_id, claim_id)")
    t_load = time.time() - t0
    res, times = {}, {"load": t_load}
    for k, sql in q.items():
        t1 = time.time()
        stmts = [s.strip() for s in sql.split(";") if s.strip()]
        for s in stmts[:-1]:
            con.execute(s)
        res[k] = con.execute(stmts[-1]).fetchall()
        times[k] = time.time() - t1
    times["total"] = time.time() - t0
    return res, times


DUCK_JS = r"""
const { DuckDBInstance } = require(process.argv[2] + '/node_modules/@duckdb/node-api');
const fs = require('fs');
(async () => {
  const job = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
  const t0 = Date.now();
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  for (const s of job.load) await con.run(s);
  const times = { load: (Date.now() - t0) / 1000 }, res = {};
  for (const [k, sql] of Object.entries(job.queries)) {
    const t1 = Date.now();
    const stmts = sql.split(';').map(s => s.trim()).filter(s => s);
    for (const s of stmts.slice(0, -1)) await con.run(s);
    const r = await con.runAndReadAll(stmts[stmts.length - 1]);
    res[k] = r.getRows().map(row => row.map(v => typeof v === 'bigint' ? Number(v) : (v === null ? null : (typeof v === 'object' ? String(v) : v))));
    times[k] = (Date.now() - t1) / 1000;
  }
  times.total = (Date.now() - t0) / 1000;
  console.log(JSON.stringify({ res, times }));
})().catch(e => { console.error(e); process.exit(1); });
"""


def run_duckdb(a, q, refdata):
    def rc(path):
        return "read_csv('%s', header=true, all_varchar=true, quote='\"')" % path
    load = []
    for t in ("eligibility", "medical_claim", "pharmacy_claim"):
        load.append("CREATE TABLE %s AS SELECT * FROM %s" % (t, rc(os.path.join(a.data, t + ".csv"))))
    prac = os.path.join(a.data, "practitioner.csv")
    if os.path.exists(prac):
        load.append("CREATE TABLE practitioner AS SELECT * FROM %s" % rc(prac))
    else:
        load.append("CREATE TABLE practitioner (npi VARCHAR, primary_care_flag VARCHAR)")
    load.append("CREATE TABLE nyu AS SELECT icd10, CAST(edcnnpa AS DOUBLE) edcnnpa, CAST(edcnpa AS DOUBLE) edcnpa,"
                " CAST(epct AS DOUBLE) epct, CAST(noner AS DOUBLE) noner, CAST(injury AS DOUBLE) injury,"
                " CAST(psych AS DOUBLE) psych, CAST(alcohol AS DOUBLE) alcohol, CAST(drug AS DOUBLE) drug FROM %s"
                % rc(os.path.join(refdata, "ed", "nyu_ed_johnston_icd10.csv")))
    load.append("CREATE TABLE acute_dx AS SELECT * FROM %s"
                % rc(os.path.join(refdata, "readmission", "acute_diagnosis_icd_10_cm.csv")))
    load.append("CREATE TABLE planned_px AS SELECT * FROM %s"
                % rc(os.path.join(refdata, "readmission", "potentially_planned_icd_10_pcs.csv")))
    for name, path in hcc_files(refdata, a.as_of):
        load.append("CREATE TABLE %s AS SELECT * FROM %s" % (name, rc(path)))
    job = os.path.join(a.work, "duck_job.json")
    with open(job, "w") as f:
        json.dump({"load": load, "queries": q}, f)
    js = os.path.join(a.work, "duck_run.js")
    with open(js, "w") as f:
        f.write(DUCK_JS)
    out = subprocess.run(["node", js, os.path.abspath(a.tools), job], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    r = json.loads(out.stdout)
    return r["res"], r["times"]


def engine_results(out_dir):
    with open(os.path.join(out_dir, "population.json")) as f:
        pop = json.load(f)
    att, risk = {}, {}
    with open(os.path.join(out_dir, "patients.csv"), newline="") as f:
        for row in csv.DictReader(f):
            if row["attributed_npi"]:
                att[row["person_id"]] = row["attributed_npi"]
            risk[row["person_id"]] = (float(row["risk_score"]), int(row["hcc_count"]))
    cats = {k: round(float(v) * 100) for k, v in pop["cost"]["total_by_category"].items()}
    pop["_risk"] = risk
    return pop, att, cats


def compare(name, res, pop, att, cats):
    agree = {}
    agree["member_months"] = res["member_months"][0][0] == pop["member_months"]
    sc = {r[0]: int(r[1]) for r in res["cost_by_category"]}
    agree["cost_by_category"] = all(sc.get(k, 0) == v for k, v in cats.items() if v or k in sc)
    sa = {r[0]: r[1] for r in res["attribution"]}
    same = sum(1 for p, n in sa.items() if att.get(p) == n)
    agree["attribution"] = "%d/%d" % (same, max(len(sa), len(att)))
    ec = {r[0]: int(r[1]) for r in res["ed_nyu"]}
    bc = dict(pop["ed"]["by_class"])
    agree["ed_nyu"] = all(ec.get(k, 0) == v for k, v in bc.items())
    rr = res["readmissions"][0]
    agree["readmissions"] = (int(rr[0] or 0) == pop["utilization"]["ip_admits"]
                             and int(rr[1] or 0) == pop["readmissions"]["index_admissions"]
                             and int(rr[2] or 0) == pop["readmissions"]["unplanned_30d"])
    # CMS-HCC: the engine prints risk_score with %.3f; a score agrees when it
    # rounds to the printed value (within half a unit of the 3rd decimal).
    er = pop["_risk"]
    sr = {r[0]: (float(r[1]), int(r[2]), int(r[3])) for r in res["hcc"]}
    bad = []
    for p in sorted(set(er) | set(sr)):
        e, q = er.get(p), sr.get(p)
        if e is None or q is None or abs(q[0] - e[0]) > 0.0005 + 1e-9 or q[1] != e[1]:
            bad.append((p, e, q))
    agree["hcc"] = "%d/%d" % (len(set(er) | set(sr)) - len(bad), len(set(er) | set(sr)))
    for p, e, q in bad[:5]:
        print("  %s hcc %s: engine %s sql %s" % (
            name, p, "risk %.3f hccs %d" % e if e else "-",
            "risk %.6f hccs %d (%d distinct dx)" % q if q else "-"), file=sys.stderr)
    many = sum(1 for q in sr.values() if q[2] > 64)
    if many:  # the engine scores a patient's first 64 distinct diagnoses
        print("  %s hcc: %d patients with more than 64 distinct eligible diagnoses" % (name, many),
              file=sys.stderr)
    if not agree["cost_by_category"]:
        print("  %s cost: sql %s engine %s" % (name, sc, cats), file=sys.stderr)
    if not agree["ed_nyu"]:
        print("  %s ed: sql %s engine %s" % (name, ec, bc), file=sys.stderr)
    if not agree["readmissions"]:
        print("  %s readmissions: sql %s engine ip %s index %s unplanned %s" % (
            name, rr, pop["utilization"]["ip_admits"], pop["readmissions"]["index_admissions"],
            pop["readmissions"]["unplanned_30d"]), file=sys.stderr)
    return agree


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--engine-out", required=True)
    ap.add_argument("--as-of", required=True)
    ap.add_argument("--refdata", required=True)
    ap.add_argument("--engines", default="duckdb,sqlite")
    ap.add_argument("--tools", default=os.path.join(os.path.dirname(__file__), "..", "tools"))
    ap.add_argument("--engine-seconds", type=float, default=0)
    ap.add_argument("--work", default="/tmp")
    a = ap.parse_args()
    as_of = date.fromisoformat(a.as_of)
    ws = months(as_of)[0][1]

    def days_duck(x, y):
        return "date_diff('day', CAST(%s AS DATE), CAST(%s AS DATE))" % (x, y)

    def days_sqlite(x, y):
        return "CAST(julianday(%s) - julianday(%s) AS INTEGER)" % (y, x)

    pop, att, cats = engine_results(a.engine_out)
    summary = {"engine_seconds": a.engine_seconds}
    ok = True
    for name in a.engines.split(","):
        q = queries(a.data, a.as_of, ws, days_duck if name == "duckdb" else days_sqlite)
        res, times = (run_duckdb if name == "duckdb" else run_sqlite)(a, q, a.refdata)
        agree = compare(name, res, pop, att, cats)
        ratio = times["total"] / a.engine_seconds if a.engine_seconds else 0
        print("%-7s total %7.2fs (load %6.2fs) = %5.1fx the engine; agreement: %s" % (
            name, times["total"], times["load"], ratio,
            ", ".join("%s %s" % (k, v) for k, v in agree.items())))
        for k in q:
            print("        %-18s %7.2fs" % (k, times[k]))
        summary[name] = {"times": times, "agree": agree, "ratio": ratio}
        ok = ok and all(v is True or (isinstance(v, str) and v.split("/")[0] == v.split("/")[1])
                        for v in agree.values())
    print(json.dumps(summary))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
