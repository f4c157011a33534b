#!/usr/bin/env python3
"""Fallback claims generator for the benchmark when `tripod generate` is not
in the build: writes eligibility.csv, medical_claim.csv, pharmacy_claim.csv
and practitioner.csv with the exact Tuva input-layer headers (read from the
reference-data directory). Deterministic for a seed. Not a clinical model:
just enough variety (office visits, ED visits, admissions with readmissions,
SNF, home health, DME, pharmacy, in- and out-of-network specialists) for the
engine and its SQL peers to have something to agree on.

usage: gen_claims.py --patients N --seed S --out DIR [--refdata DIR]
"""
import argparse
import os
import random
import sys
from datetime import date, timedelta

DX_CHRONIC = ["I10", "E785", "E119", "E1122", "N183", "N1831", "I5022", "J449", "F329",
              "I4891", "I2510", "M170", "E039", "F17210", "G309"]
DX_ED = ["J069", "N390", "R0789", "R079", "S0990XA", "M545", "R51", "K5900", "J189",
         "R109", "S61411A", "L03115", "I10", "R55", "F1020"]
DX_IP = ["I5023", "J441", "A419", "N179", "J189", "I214", "I639", "K922", "E1165", "Z5111"]
PX_IP = ["", "", "", "0270046", "5A1955Z", "02HV33Z", ""]
PC_CODES = ["99213", "99214", "99215", "G0439", "99497"]
SPECIALTIES = ["Cardiology", "Endocrinology", "Nephrology", "Pulmonology", "Orthopedic Surgery",
               "Dermatology", "Gastroenterology", "Neurology"]


def header(refdata, name):
    with open(os.path.join(refdata, "claims", "tuva_input_layer_%s.csv" % name)) as f:
        return f.readline().strip().split(",")


def writer(path, cols):
    f = open(path, "w", buffering=1 << 20)
    f.write(",".join(cols) + "\n")
    idx = {c: i for i, c in enumerate(cols)}
    n = len(cols)

    def put(row):
        out = [""] * n
        for k, v in row.items():
            out[idx[k]] = v
        f.write(",".join(out) + "\n")
    return f, put


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--patients", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--refdata", default=os.environ.get("TRIPOD_REFDATA",
                    os.path.join(os.path.dirname(__file__), "..", "..", "shared", "reference")))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rnd = random.Random(a.seed)
    start = date(2023, 1, 1)
    days = (date(2025, 12, 31) - start).days
    pcps = ["1%09d" % (100000 + i) for i in range(max(5, a.patients // 800))]
    specs = ["1%09d" % (500000 + i) for i in range(max(8, a.patients // 400))]
    with open(os.path.join(a.out, "practitioner.csv"), "w") as f:
        f.write("npi,specialty,primary_care_flag,in_network_flag\n")
        for n in pcps:
            f.write("%s,%s,1,1\n" % (n, rnd.choice(["Internal Medicine", "Family Practice"])))
        for i, n in enumerate(specs):
            f.write("%s,%s,0,%d\n" % (n, SPECIALTIES[i % len(SPECIALTIES)], 1 if i % 3 else 0))
    ef, eput = writer(os.path.join(a.out, "eligibility.csv"), header(a.refdata, "eligibility"))
    mf, mput = writer(os.path.join(a.out, "medical_claim.csv"), header(a.refdata, "medical_claim"))
    rf, rput = writer(os.path.join(a.out, "pharmacy_claim.csv"),
                      header(a.refdata, "pharmacy_claim"))
    cid = 0

    def ds(d):
        return d.isoformat()

    for p in range(a.patients):
        pid = "P%08d" % p
        age = rnd.randint(66, 95) if rnd.random() < 0.85 else rnd.randint(30, 64)
        birth = date(2025 - age, rnd.randint(1, 12), rnd.randint(1, 28))
        sex = rnd.choice(["male", "female"])
        es = start if rnd.random() < 0.9 else start + timedelta(days=rnd.randint(0, 600))
        ee = date(2025, 12, 31) if rnd.random() < 0.95 else es + timedelta(days=rnd.randint(60, 700))
        eput({"person_id": pid, "member_id": pid, "gender": sex, "birth_date": ds(birth),
              "enrollment_start_date": ds(es), "enrollment_end_date": ds(ee), "payer": "medicare",
              "payer_type": "medicare", "plan": "mssp", "original_reason_entitlement_code":
              "0" if age >= 65 else "1", "dual_status_code": "02" if rnd.random() < 0.15 else "NA"})
        risk = rnd.random()
        chronic = rnd.sample(DX_CHRONIC, rnd.randint(0, 5))
        pcp = rnd.choice(pcps)
        nvis = rnd.randint(1, 10)
        for _ in range(nvis):
            d = start + timedelta(days=rnd.randint(0, days))
            cid += 1
            dx = chronic[:3] if chronic else ["Z0000"]
            row = {"claim_id": "C%d" % cid, "claim_line_number": "1", "claim_type": "professional",
                   "person_id": pid, "member_id": pid, "claim_start_date": ds(d),
                   "claim_end_date": ds(d), "place_of_service_code": "11",
                   "hcpcs_code": rnd.choice(PC_CODES), "rendering_npi": pcp if rnd.random() < 0.85
                   else rnd.choice(pcps), "allowed_amount": "%.2f" % rnd.uniform(60, 220),
                   "paid_amount": "%.2f" % rnd.uniform(50, 180), "diagnosis_code_type": "icd-10-cm",
                   "in_network_flag": "1"}
            for i, c in enumerate(dx):
                row["diagnosis_code_%d" % (i + 1)] = c
            mput(row)
        for _ in range(rnd.randint(0, 4)):
            d = start + timedelta(days=rnd.randint(0, days))
            cid += 1
            s = rnd.randrange(len(specs))
            mput({"claim_id": "C%d" % cid, "claim_line_number": "1", "claim_type": "professional",
                  "person_id": pid, "claim_start_date": ds(d), "claim_end_date": ds(d),
                  "place_of_service_code": "11", "hcpcs_code": "99204", "rendering_npi": specs[s],
                  "allowed_amount": "%.2f" % rnd.uniform(100, 400), "paid_amount": "100.00",
                  "diagnosis_code_1": chronic[0] if chronic else "R69",
                  "in_network_flag": "1" if s % 3 else "0"})
        ned = sum(1 for _ in range(3) if rnd.random() < 0.2 + 0.3 * risk)
        for _ in range(ned):
            d = start + timedelta(days=rnd.randint(0, days))
            cid += 1
            dx = rnd.choice(DX_ED)
            for ln, rev in ((1, "0450"), (2, "0300")):
                mput({"claim_id": "C%d" % cid, "claim_line_number": str(ln),
                      "claim_type": "institutional", "person_id": pid, "claim_start_date": ds(d),
                      "claim_end_date": ds(d), "bill_type_code": "131", "revenue_center_code": rev,
                      "hcpcs_code": "99284" if ln == 1 else "80053",
                      "allowed_amount": "%.2f" % rnd.uniform(200, 900), "paid_amount": "150.00",
                      "diagnosis_code_1": dx, "diagnosis_code_2": chronic[0] if chronic else "",
                      "in_network_flag": "1"})
            cid += 1
            mput({"claim_id": "C%d" % cid, "claim_line_number": "1", "claim_type": "professional",
                  "person_id": pid, "claim_start_date": ds(d), "claim_end_date": ds(d),
                  "place_of_service_code": "23", "hcpcs_code": "99284",
                  "rendering_npi": specs[0], "allowed_amount": "180.00", "paid_amount": "140.00",
                  "diagnosis_code_1": dx, "in_network_flag": "1"})
        nip = sum(1 for _ in range(2) if rnd.random() < 0.05 + 0.2 * risk)
        last = None
        for _ in range(nip):
            if last and rnd.random() < 0.3:
                ad = last + timedelta(days=rnd.randint(1, 30))
            else:
                ad = start + timedelta(days=rnd.randint(0, days))
            los = rnd.randint(1, 9)
            dd = ad + timedelta(days=los)
            if dd > date(2025, 12, 31):
                continue
            last = dd
            cid += 1
            dx = rnd.choice(DX_IP)
            px = rnd.choice(PX_IP)
            atype = rnd.choice(["1", "1", "2", "3"])
            disp = rnd.choice(["01", "01", "01", "03", "06", "20", "07", "02"])
            for ln, rev in ((1, "0120"), (2, "0450" if rnd.random() < 0.5 else "0250")):
                mput({"claim_id": "C%d" % cid, "claim_line_number": str(ln),
                      "claim_type": "institutional", "person_id": pid, "claim_start_date": ds(ad),
                      "claim_end_date": ds(dd), "admission_date": ds(ad), "discharge_date": ds(dd),
                      "admit_type_code": atype, "discharge_disposition_code": disp,
                      "bill_type_code": "111", "revenue_center_code": rev,
                      "allowed_amount": "%.2f" % (rnd.uniform(6000, 20000) if ln == 1 else 400),
                      "paid_amount": "5000.00", "diagnosis_code_1": dx,
                      "diagnosis_code_2": chronic[0] if chronic else "",
                      "procedure_code_1": px, "in_network_flag": "1"})
            if rnd.random() < 0.2:
                cid += 1
                sd = dd + timedelta(days=1)
                mput({"claim_id": "C%d" % cid, "claim_line_number": "1",
                      "claim_type": "institutional", "person_id": pid, "claim_start_date": ds(sd),
                      "claim_end_date": ds(sd + timedelta(days=14)), "admission_date": ds(sd),
                      "discharge_date": ds(sd + timedelta(days=14)), "bill_type_code": "211",
                      "revenue_center_code": "0191", "allowed_amount": "7000.00",
                      "paid_amount": "6000.00", "diagnosis_code_1": dx,
                      "discharge_disposition_code": "01", "in_network_flag": "1"})
        if rnd.random() < 0.05:
            d = start + timedelta(days=rnd.randint(0, days))
            cid += 1
            mput({"claim_id": "C%d" % cid, "claim_line_number": "1", "claim_type": "institutional",
                  "person_id": pid, "claim_start_date": ds(d),
                  "claim_end_date": ds(d + timedelta(days=30)), "bill_type_code": "0321",
                  "revenue_center_code": "0551", "allowed_amount": "2500.00",
                  "paid_amount": "2000.00", "diagnosis_code_1": chronic[0] if chronic else "R262"})
        if rnd.random() < 0.05:
            d = start + timedelta(days=rnd.randint(0, days))
            cid += 1
            mput({"claim_id": "C%d" % cid, "claim_line_number": "1", "claim_type": "dme",
                  "person_id": pid, "claim_start_date": ds(d), "claim_end_date": ds(d),
                  "hcpcs_code": "E0601", "allowed_amount": "300.00", "paid_amount": "240.00",
                  "diagnosis_code_1": "G4733"})
        for _ in range(rnd.randint(0, 12)):
            d = start + timedelta(days=rnd.randint(0, days))
            cid += 1
            rput({"claim_id": "R%d" % cid, "claim_line_number": "1", "person_id": pid,
                  "member_id": pid, "prescribing_provider_npi": pcp, "dispensing_date": ds(d),
                  "ndc_code": rnd.choice(["00088222033", "00093505601", "00378180110",
                                          "68180051301"]),
                  "days_supply": "30", "allowed_amount": "%.2f" % rnd.uniform(5, 300),
                  "paid_amount": "10.00", "in_network_flag": "1"})
    ef.close()
    mf.close()
    rf.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
