#!/usr/bin/env python3
"""The engine's computations written as SQL, run by DuckDB (node, @duckdb/node-api
from tools/node_modules) and SQLite (python's sqlite3) over the same CSVs, timed,
and compared with `tripod analyze` output.

Computed (same rules as docs/analytics.md):
  member months and cost by service category in the window (PMPM by category);
  attribution (plurality of allowed primary-care charges, step 1/2, ties);
  ED visits classified by the NYU (Johnston) table, counts by argmax class;
  inpatient stays, index admissions and unplanned 30-day readmissions.
CMS-HCC scoring is not written in SQL here (see docs/analytics.md).

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
    return q


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
    att = {}
    with open(os.path.join(out_dir, "patients.csv"), newline="") as f:
        for row in csv.DictReader(f):
            if row["attributed_npi"]:
                att[row["person_id"]] = row["attributed_npi"]
    cats = {k: round(float(v) * 100) for k, v in pop["cost"]["total_by_category"].items()}
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
