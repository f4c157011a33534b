/* synth_claims.c — Tuva input-layer rows: eligibility, medical_claim, pharmacy_claim,
 * lab_result (the laboratory FHIR Observations) and practitioner (the panel).
 *
 * Headers are byte-identical to the Tuva input layer (the tests compare them
 * with the reference files). A row is assembled as an array of column values
 * found by name once, then joined with commas; empty columns stay empty.
 *
 * Amounts: allowed from a Medicare-like fee schedule (synth_tables.c) with a
 * little noise, commercial at a multiple of Medicare; cost sharing after the
 * 2025 Medicare parameters (Part B deductible $257 then 20% coinsurance, none
 * for preventive services and labs; Part A deductible $1,676 per admission
 * year, SNF $209.50 a day from day 21) or a commercial plan ($1,500 deductible,
 * 20% coinsurance, $30/$50 office copays, $250 ED copay); paid = allowed minus
 * cost sharing.
 */
#include "synth/synth_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

const char sy_hdr_elig[] =
    "person_id,member_id,subscriber_id,gender,race,birth_date,death_date,death_flag,enrollment_"
    "start_date,enrollment_end_date,payer,payer_type,plan,original_reason_entitlement_code,dual"
    "_status_code,medicare_status_code,group_id,group_name,name_suffix,first_name,middle_name,l"
    "ast_name,social_security_number,subscriber_relation,address,city,state,zip_code,phone,emai"
    "l,ethnicity,data_source,file_name,file_date,ingest_datetime,enrollment_status,hospice_flag"
    ",snp_type,medicaid_indicator,long_term_institutional_flag,part_d_raf_type,low_income_subsi"
    "dy_indicator,metal_level,csr_indicator,enrollment_duration_months,esrd_status,transplant_d"
    "uration_months";
const char sy_hdr_med[] =
    "claim_id,claim_line_number,claim_type,person_id,member_id,payer,plan,claim_start_date,clai"
    "m_end_date,claim_line_start_date,claim_line_end_date,admission_date,discharge_date,admit_s"
    "ource_code,admit_type_code,discharge_disposition_code,place_of_service_code,bill_type_code"
    ",drg_code_type,drg_code,revenue_center_code,service_unit_quantity,hcpcs_code,hcpcs_modifie"
    "r_1,hcpcs_modifier_2,hcpcs_modifier_3,hcpcs_modifier_4,hcpcs_modifier_5,rendering_npi,rend"
    "ering_tin,billing_npi,billing_tin,facility_npi,paid_date,paid_amount,allowed_amount,charge"
    "_amount,coinsurance_amount,copayment_amount,deductible_amount,total_cost_amount,diagnosis_"
    "code_type,diagnosis_code_1,diagnosis_code_2,diagnosis_code_3,diagnosis_code_4,diagnosis_co"
    "de_5,diagnosis_code_6,diagnosis_code_7,diagnosis_code_8,diagnosis_code_9,diagnosis_code_10"
    ",diagnosis_code_11,diagnosis_code_12,diagnosis_code_13,diagnosis_code_14,diagnosis_code_15"
    ",diagnosis_code_16,diagnosis_code_17,diagnosis_code_18,diagnosis_code_19,diagnosis_code_20"
    ",diagnosis_code_21,diagnosis_code_22,diagnosis_code_23,diagnosis_code_24,diagnosis_code_25"
    ",diagnosis_poa_1,diagnosis_poa_2,diagnosis_poa_3,diagnosis_poa_4,diagnosis_poa_5,diagnosis"
    "_poa_6,diagnosis_poa_7,diagnosis_poa_8,diagnosis_poa_9,diagnosis_poa_10,diagnosis_poa_11,d"
    "iagnosis_poa_12,diagnosis_poa_13,diagnosis_poa_14,diagnosis_poa_15,diagnosis_poa_16,diagno"
    "sis_poa_17,diagnosis_poa_18,diagnosis_poa_19,diagnosis_poa_20,diagnosis_poa_21,diagnosis_p"
    "oa_22,diagnosis_poa_23,diagnosis_poa_24,diagnosis_poa_25,procedure_code_type,procedure_cod"
    "e_1,procedure_code_2,procedure_code_3,procedure_code_4,procedure_code_5,procedure_code_6,p"
    "rocedure_code_7,procedure_code_8,procedure_code_9,procedure_code_10,procedure_code_11,proc"
    "edure_code_12,procedure_code_13,procedure_code_14,procedure_code_15,procedure_code_16,proc"
    "edure_code_17,procedure_code_18,procedure_code_19,procedure_code_20,procedure_code_21,proc"
    "edure_code_22,procedure_code_23,procedure_code_24,procedure_code_25,procedure_date_1,proce"
    "dure_date_2,procedure_date_3,procedure_date_4,procedure_date_5,procedure_date_6,procedure_"
    "date_7,procedure_date_8,procedure_date_9,procedure_date_10,procedure_date_11,procedure_dat"
    "e_12,procedure_date_13,procedure_date_14,procedure_date_15,procedure_date_16,procedure_dat"
    "e_17,procedure_date_18,procedure_date_19,procedure_date_20,procedure_date_21,procedure_dat"
    "e_22,procedure_date_23,procedure_date_24,procedure_date_25,in_network_flag,data_source,fil"
    "e_name,file_date,ingest_datetime";
const char sy_hdr_rx[] =
    "claim_id,claim_line_number,person_id,member_id,payer,plan,prescribing_provider_npi,dispens"
    "ing_provider_npi,dispensing_date,ndc_code,quantity,days_supply,refills,paid_date,paid_amou"
    "nt,allowed_amount,charge_amount,coinsurance_amount,copayment_amount,deductible_amount,in_n"
    "etwork_flag,data_source,file_name,file_date,ingest_datetime";

/* The Tuva input layer lab_result, in its column order. */
const char sy_hdr_lab[] =
    "lab_result_id,person_id,patient_id,encounter_id,accession_number,source_code_type,source_code"
    ",source_description,source_component,normalized_code_type,normalized_code,normalized_descript"
    "ion,normalized_component,status,result,result_date,collection_date,source_units,normalized_un"
    "its,source_reference_range_low,source_reference_range_high,normalized_reference_range_low,nor"
    "malized_reference_range_high,source_abnormal_flag,normalized_abnormal_flag,specimen,ordering_p"
    "ractitioner_id,data_source,file_name,ingest_datetime";
/* The Tuva input layer practitioner, then the flags the analytics engine reads
 * (docs/analytics.md, "Data in"). */
const char sy_hdr_prac[] =
    "practitioner_id,npi,first_name,last_name,practice_affiliation,specialty,sub_specialty,data_sou"
    "rce,file_name,ingest_datetime,primary_care_flag,in_network_flag";

#define MAXCOL 192

typedef struct row {
    int ncol;
    const char *v[MAXCOL];
    uint16_t n[MAXCOL];
    uint8_t text[MAXCOL]; /* 1: free text that may need CSV quoting */
    char scratch[4096];
    size_t used;
} row_t;

static void rclear(row_t *r, int ncol)
{
    r->ncol = ncol;
    memset(r->n, 0, sizeof r->n[0] * (size_t)ncol);
    memset(r->text, 0, (size_t)ncol);
    r->used = 0;
}

static void rsetn(row_t *r, int col, const char *s, size_t n)
{
    if (col < 0)
        return;
    r->v[col] = s;
    r->n[col] = (uint16_t)n;
}

static void rset(row_t *r, int col, const char *s)
{
    rsetn(r, col, s, s ? strlen(s) : 0);
}

/* Free text (names, addresses): checked for characters that need quoting. */
static void rset_text(row_t *r, int col, const char *s, size_t n)
{
    rsetn(r, col, s, n);
    if (col >= 0)
        r->text[col] = 1;
}

static char *rtmp(row_t *r, size_t n)
{
    if (r->used + n > sizeof r->scratch)
        sy_buf_fail();
    char *p = r->scratch + r->used;
    r->used += n;
    return p;
}

static void rset_date(row_t *r, int col, date_t d)
{
    if (d == DATE_NONE)
        rsetn(r, col, "", 0);
    else
        rsetn(r, col, sy_date_str(d), 10);
}

static void rset_u(row_t *r, int col, uint64_t v)
{
    char t[24];
    int i = 24;
    do {
        t[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    char *p = rtmp(r, (size_t)(24 - i));
    memcpy(p, t + i, (size_t)(24 - i));
    rsetn(r, col, p, (size_t)(24 - i));
}

static void rset_money(row_t *r, int col, money_t c)
{
    char t[32];
    int i = 32;
    int neg = c < 0;
    uint64_t v = (uint64_t)(neg ? -c : c);
    t[--i] = (char)('0' + v % 10);
    v /= 10;
    t[--i] = (char)('0' + v % 10);
    v /= 10;
    t[--i] = '.';
    do {
        t[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (neg)
        t[--i] = '-';
    char *p = rtmp(r, (size_t)(32 - i));
    memcpy(p, t + i, (size_t)(32 - i));
    rsetn(r, col, p, (size_t)(32 - i));
}

static void row_emit(buf_t *b, const row_t *r)
{
    size_t need = (size_t)r->ncol + 2;
    for (int i = 0; i < r->ncol; i++)
        need += r->n[i];
    if (buf_reserve(b, need * 2 + 2) != 0)
        sy_buf_fail();
    char *o = b->data + b->len;
    for (int i = 0; i < r->ncol; i++) {
        if (i)
            *o++ = ',';
        size_t n = r->n[i];
        if (!n)
            continue;
        const char *s = r->v[i];
        int quote = 0;
        if (r->text[i])
            for (size_t k = 0; k < n; k++)
                if (s[k] == ',' || s[k] == '"' || s[k] == '\n' || s[k] == '\r')
                    quote = 1;
        if (quote) {
            /* quote, doubling quotes: at most 2n + 2 bytes, reserved above */
            *o++ = '"';
            for (size_t k = 0; k < n; k++) {
                if (s[k] == '"')
                    *o++ = '"';
                *o++ = s[k];
            }
            *o++ = '"';
        } else {
            memcpy(o, s, n);
            o += n;
        }
    }
    *o++ = '\n';
    b->len = (size_t)(o - b->data);
    b->data[b->len] = 0;
}

/* ---- column indices, found by name in the headers ---- */
static int col_of(const char *hdr, const char *name)
{
    size_t nl = strlen(name);
    int col = 0;
    const char *s = hdr;
    for (;;) {
        const char *e = strchr(s, ',');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len == nl && memcmp(s, name, nl) == 0)
            return col;
        if (!e)
            return -1;
        s = e + 1;
        col++;
    }
}

static int ncols_of(const char *hdr)
{
    int n = 1;
    for (const char *s = hdr; *s; s++)
        n += *s == ',';
    return n;
}

static struct {
    int init;
    int e_n, m_n, x_n;
    /* eligibility */
    int e_person, e_member, e_subscriber, e_gender, e_race, e_birth, e_death, e_death_flag, e_start,
        e_end, e_payer, e_payer_type, e_plan, e_orec, e_dual, e_mstatus, e_first, e_last,
        e_relation, e_address, e_city, e_state, e_zip, e_phone, e_ethnicity, e_source, e_file,
        e_file_date, e_hospice, e_esrd, e_medicaid;
    /* medical */
    int claim_id, line, claim_type, person, member, payer, plan, cstart, cend, lstart, lend, adm,
        dis, adm_src, adm_type, disp, pos, bill, drg_type, drg, rev, units, hcpcs, mod1, r_npi,
        r_tin, b_npi, b_tin, f_npi, paid_date, paid, allowed, charge, coins, copay, ded, total,
        dx_type, dx[25], poa[25], px_type, px[25], px_date[25], in_net, source, file, file_date;
    /* pharmacy */
    int x_claim, x_line, x_person, x_member, x_payer, x_plan, x_presc, x_disp, x_date, x_ndc, x_qty,
        x_days, x_refills, x_paid_date, x_paid, x_allowed, x_charge, x_coins, x_copay, x_ded,
        x_in_net, x_source, x_file, x_file_date;
} C;

static void cols_init(void)
{
    if (C.init)
        return;
    const char *h = sy_hdr_elig;
    C.e_n = ncols_of(h);
    C.e_person = col_of(h, "person_id");
    C.e_member = col_of(h, "member_id");
    C.e_subscriber = col_of(h, "subscriber_id");
    C.e_gender = col_of(h, "gender");
    C.e_race = col_of(h, "race");
    C.e_birth = col_of(h, "birth_date");
    C.e_death = col_of(h, "death_date");
    C.e_death_flag = col_of(h, "death_flag");
    C.e_start = col_of(h, "enrollment_start_date");
    C.e_end = col_of(h, "enrollment_end_date");
    C.e_payer = col_of(h, "payer");
    C.e_payer_type = col_of(h, "payer_type");
    C.e_plan = col_of(h, "plan");
    C.e_orec = col_of(h, "original_reason_entitlement_code");
    C.e_dual = col_of(h, "dual_status_code");
    C.e_mstatus = col_of(h, "medicare_status_code");
    C.e_first = col_of(h, "first_name");
    C.e_last = col_of(h, "last_name");
    C.e_relation = col_of(h, "subscriber_relation");
    C.e_address = col_of(h, "address");
    C.e_city = col_of(h, "city");
    C.e_state = col_of(h, "state");
    C.e_zip = col_of(h, "zip_code");
    C.e_phone = col_of(h, "phone");
    C.e_ethnicity = col_of(h, "ethnicity");
    C.e_source = col_of(h, "data_source");
    C.e_file = col_of(h, "file_name");
    C.e_file_date = col_of(h, "file_date");
    C.e_hospice = col_of(h, "hospice_flag");
    C.e_esrd = col_of(h, "esrd_status");
    C.e_medicaid = col_of(h, "medicaid_indicator");

    h = sy_hdr_med;
    C.m_n = ncols_of(h);
    C.claim_id = col_of(h, "claim_id");
    C.line = col_of(h, "claim_line_number");
    C.claim_type = col_of(h, "claim_type");
    C.person = col_of(h, "person_id");
    C.member = col_of(h, "member_id");
    C.payer = col_of(h, "payer");
    C.plan = col_of(h, "plan");
    C.cstart = col_of(h, "claim_start_date");
    C.cend = col_of(h, "claim_end_date");
    C.lstart = col_of(h, "claim_line_start_date");
    C.lend = col_of(h, "claim_line_end_date");
    C.adm = col_of(h, "admission_date");
    C.dis = col_of(h, "discharge_date");
    C.adm_src = col_of(h, "admit_source_code");
    C.adm_type = col_of(h, "admit_type_code");
    C.disp = col_of(h, "discharge_disposition_code");
    C.pos = col_of(h, "place_of_service_code");
    C.bill = col_of(h, "bill_type_code");
    C.drg_type = col_of(h, "drg_code_type");
    C.drg = col_of(h, "drg_code");
    C.rev = col_of(h, "revenue_center_code");
    C.units = col_of(h, "service_unit_quantity");
    C.hcpcs = col_of(h, "hcpcs_code");
    C.mod1 = col_of(h, "hcpcs_modifier_1");
    C.r_npi = col_of(h, "rendering_npi");
    C.r_tin = col_of(h, "rendering_tin");
    C.b_npi = col_of(h, "billing_npi");
    C.b_tin = col_of(h, "billing_tin");
    C.f_npi = col_of(h, "facility_npi");
    C.paid_date = col_of(h, "paid_date");
    C.paid = col_of(h, "paid_amount");
    C.allowed = col_of(h, "allowed_amount");
    C.charge = col_of(h, "charge_amount");
    C.coins = col_of(h, "coinsurance_amount");
    C.copay = col_of(h, "copayment_amount");
    C.ded = col_of(h, "deductible_amount");
    C.total = col_of(h, "total_cost_amount");
    C.dx_type = col_of(h, "diagnosis_code_type");
    C.px_type = col_of(h, "procedure_code_type");
    for (int i = 0; i < 25; i++) {
        char nm[32];
        snprintf(nm, sizeof nm, "diagnosis_code_%d", i + 1);
        C.dx[i] = col_of(h, nm);
        snprintf(nm, sizeof nm, "diagnosis_poa_%d", i + 1);
        C.poa[i] = col_of(h, nm);
        snprintf(nm, sizeof nm, "procedure_code_%d", i + 1);
        C.px[i] = col_of(h, nm);
        snprintf(nm, sizeof nm, "procedure_date_%d", i + 1);
        C.px_date[i] = col_of(h, nm);
    }
    C.in_net = col_of(h, "in_network_flag");
    C.source = col_of(h, "data_source");
    C.file = col_of(h, "file_name");
    C.file_date = col_of(h, "file_date");

    h = sy_hdr_rx;
    C.x_n = ncols_of(h);
    C.x_claim = col_of(h, "claim_id");
    C.x_line = col_of(h, "claim_line_number");
    C.x_person = col_of(h, "person_id");
    C.x_member = col_of(h, "member_id");
    C.x_payer = col_of(h, "payer");
    C.x_plan = col_of(h, "plan");
    C.x_presc = col_of(h, "prescribing_provider_npi");
    C.x_disp = col_of(h, "dispensing_provider_npi");
    C.x_date = col_of(h, "dispensing_date");
    C.x_ndc = col_of(h, "ndc_code");
    C.x_qty = col_of(h, "quantity");
    C.x_days = col_of(h, "days_supply");
    C.x_refills = col_of(h, "refills");
    C.x_paid_date = col_of(h, "paid_date");
    C.x_paid = col_of(h, "paid_amount");
    C.x_allowed = col_of(h, "allowed_amount");
    C.x_charge = col_of(h, "charge_amount");
    C.x_coins = col_of(h, "coinsurance_amount");
    C.x_copay = col_of(h, "copayment_amount");
    C.x_ded = col_of(h, "deductible_amount");
    C.x_in_net = col_of(h, "in_network_flag");
    C.x_source = col_of(h, "data_source");
    C.x_file = col_of(h, "file_name");
    C.x_file_date = col_of(h, "file_date");
    C.init = 1;
}

void sy_claims_init(void)
{
    cols_init();
}

/* ---- claim context: one patient, claims in event order ---- */
#define MAX_YEARS (SYNTH_MAX_YEARS + 1)

typedef struct ctx {
    const sy_pop_t *pop;
    const sy_patient_t *p;
    buf_t *b;
    rng_t r;
    row_t row;
    unsigned nclaim;
    char claim_id[32];
    int line;
    int commercial;
    int inst;       /* institutional claim */
    int partb_year; /* Part B / commercial deductible remaining, per calendar year */
    money_t ded_left[MAX_YEARS];
    int parta_used[MAX_YEARS];
    const char *dx[25];
    int ndx;
    money_t claim_total;
} ctx_t;

static int year_slot(const ctx_t *c, date_t d)
{
    int y0, y, m, dd;
    date_to_ymd(c->pop->start, &y0, &m, &dd);
    date_to_ymd(d, &y, &m, &dd);
    int k = y - y0;
    return k < 0 ? 0 : k >= MAX_YEARS ? MAX_YEARS - 1 : k;
}

static const char *member_id(const sy_patient_t *p)
{
    return p->mbi;
}

static void dx_add(ctx_t *c, const char *code)
{
    if (c->ndx >= 25 || !code)
        return;
    for (int i = 0; i < c->ndx; i++)
        if (strcmp(c->dx[i], code) == 0)
            return;
    c->dx[c->ndx++] = code;
}

/* Chronic conditions present at d, in table order, up to max codes in all. */
static void dx_chronic(ctx_t *c, date_t d, int max)
{
    const sy_patient_t *p = c->p;
    for (int k = 0; k < C_N && c->ndx < max; k++)
        if ((p->has >> k & 1u) && p->onset[k] <= d)
            dx_add(c, sy_conds[k].dx[p->dx[k]].code);
    if (p->esrd && c->ndx < max)
        dx_add(c, "Z992");
    if (p->insulin && c->ndx < max)
        dx_add(c, "Z794");
}

static void dx_needs(ctx_t *c)
{
    for (int k = 0; k < N_N; k++)
        if (c->p->needs_known >> k & 1u)
            dx_add(c, sy_need_dx[k].code);
}

static void claim_begin(ctx_t *c, int inst, date_t s, date_t e, int prac, int org)
{
    const sy_pop_t *pop = c->pop;
    row_t *r = &c->row;
    rclear(r, C.m_n);
    c->inst = inst;
    c->line = 0;
    c->claim_total = 0;
    c->nclaim++;
    /* claim id: person id, 'M', sequence */
    size_t n = strlen(c->p->pid);
    memcpy(c->claim_id, c->p->pid, n);
    c->claim_id[n++] = 'M';
    unsigned v = c->nclaim;
    char t[12];
    int i = 12;
    do {
        t[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    memcpy(c->claim_id + n, t + i, (size_t)(12 - i));
    n += (size_t)(12 - i);
    c->claim_id[n] = 0;

    rset(r, C.claim_id, c->claim_id);
    rset(r, C.claim_type, inst ? "institutional" : "professional");
    rset(r, C.person, c->p->pid);
    rset(r, C.member, member_id(c->p));
    rset(r, C.payer, c->commercial ? "acme health" : "medicare");
    rset(r, C.plan, c->commercial ? "acme ppo" : "medicare");
    rset_date(r, C.cstart, s);
    rset_date(r, C.cend, e);
    const sy_prac_t *pr = prac >= 0 ? &pop->prac[prac] : NULL;
    const sy_prac_t *og = org >= 0 ? &pop->prac[org] : NULL;
    if (inst) {
        if (og) {
            rset(r, C.b_npi, og->npi);
            rset(r, C.b_tin, og->tin);
            rset(r, C.f_npi, og->npi);
        }
        if (pr && pr->org < 0)
            rset(r, C.r_npi, pr->npi);
    } else if (pr) {
        rset(r, C.r_npi, pr->npi);
        if (pr->org < 0) {
            const sy_prac_t *g = pr->group >= 0 ? &pop->prac[pr->group] : pr;
            rset(r, C.r_tin, g->tin);
            rset(r, C.b_npi, g->npi);
            rset(r, C.b_tin, g->tin);
        } else {
            rset(r, C.b_npi, pr->npi);
            rset(r, C.b_tin, pr->tin);
        }
        if (og && og != pr)
            rset(r, C.f_npi, og->npi);
    }
    int innet = (pr ? pr->in_network : 1) && (og ? og->in_network : 1);
    rset(r, C.in_net, innet ? "1" : "0");
    date_t pd = e + 14 + (date_t)(sy_mix(c->p->idx ^ ((uint64_t)c->nclaim << 32)) % 21);
    rset_date(r, C.paid_date, pd);
    rset(r, C.dx_type, "icd-10-cm");
    rset(r, C.source, "tripod-synth");
    rset(r, C.file, "medical_claim.csv");
    rset(r, C.file_date, pop->file_date);
    c->ndx = 0;
}

static void claim_dx_commit(ctx_t *c, int poa)
{
    row_t *r = &c->row;
    for (int i = 0; i < c->ndx; i++) {
        rset(r, C.dx[i], c->dx[i]);
        if (poa)
            rset(r, C.poa[i], "Y");
    }
}

enum { SHARE_NONE, SHARE_PARTB, SHARE_PREVENTIVE, SHARE_OFFICE_PCP, SHARE_OFFICE_SPEC, SHARE_ED };

/* One line: allowed given, cost sharing computed, row written. */
static void claim_line(ctx_t *c, const char *rev, const char *hcpcs, const char *mod,
                       uint64_t units, money_t allowed, date_t ls, date_t le, int share)
{
    row_t *r = &c->row;
    size_t keep = r->used;
    c->line++;
    rset_u(r, C.line, (uint64_t)c->line);
    rset_date(r, C.lstart, ls);
    rset_date(r, C.lend, le);
    rset(r, C.rev, rev);
    rset(r, C.hcpcs, hcpcs);
    rset(r, C.mod1, mod);
    if (units)
        rset_u(r, C.units, units);
    else
        rsetn(r, C.units, "", 0);
    money_t ded = 0, coins = 0, copay = 0;
    int ys = year_slot(c, ls);
    if (share != SHARE_NONE && share != SHARE_PREVENTIVE && allowed > 0) {
        if (!c->commercial) {
            ded = allowed < c->ded_left[ys] ? allowed : c->ded_left[ys];
            c->ded_left[ys] -= ded;
            coins = money_mul_div(allowed - ded, 20, 100);
        } else if (share == SHARE_OFFICE_PCP || share == SHARE_OFFICE_SPEC || share == SHARE_ED) {
            copay = share == SHARE_OFFICE_PCP ? 3000 : share == SHARE_OFFICE_SPEC ? 5000 : 25000;
            if (copay > allowed)
                copay = allowed;
        } else {
            ded = allowed < c->ded_left[ys] ? allowed : c->ded_left[ys];
            c->ded_left[ys] -= ded;
            coins = money_mul_div(allowed - ded, 20, 100);
        }
    }
    money_t paid = allowed - ded - coins - copay;
    double mk = (c->inst ? 2.6 : 1.9) + 0.8 * rng_uniform(&c->r);
    money_t charge = (money_t)llround((double)allowed * mk);
    rset_money(r, C.paid, paid);
    rset_money(r, C.allowed, allowed);
    rset_money(r, C.charge, charge);
    rset_money(r, C.coins, coins);
    rset_money(r, C.copay, copay);
    rset_money(r, C.ded, ded);
    rset_money(r, C.total, allowed);
    row_emit(c->b, r);
    r->used = keep;
    c->claim_total += allowed;
}

/* Allowed for a fee-schedule code with noise; commercial and out-of-network uplifts. */
static money_t fee(ctx_t *c, const char *code, double units, int prac)
{
    int i = sy_fee_find(code);
    if (i < 0)
        return 0;
    double m = c->commercial ? 1.35 : 1.0;
    if (prac >= 0 && !c->pop->prac[prac].in_network)
        m *= 1.1;
    double v = sy_fees[i].cents * units * m * exp(rng_normal(&c->r, 0, 0.05));
    return (money_t)llround(v);
}

static int fee_preventive(const char *code)
{
    int i = sy_fee_find(code);
    return i >= 0 && sy_fees[i].preventive;
}

static money_t fac_amount(ctx_t *c, double dollars, double sd)
{
    double m = c->commercial ? 2.2 : 1.0;
    return (money_t)llround(dollars * 100 * m * exp(rng_normal(&c->r, 0, sd)));
}

static void prof_line(ctx_t *c, const char *code, const char *mod, int units, date_t d, int prac,
                      int share)
{
    if (share != SHARE_NONE && fee_preventive(code))
        share = SHARE_PREVENTIVE;
    claim_line(c, NULL, code, mod, (uint64_t)units, fee(c, code, units, prac), d, d, share);
}

/* Falls screening (CPT II 1100F/1101F, no charge) and tobacco cessation counselling (99406). */
static void screening_lines(ctx_t *c, const sy_event_t *e)
{
    if (e->flags & EVF_FALLSCR)
        prof_line(c, (e->flags & EVF_FALLPOS) ? "1100F" : "1101F", NULL, 1, e->start, e->prac,
                  SHARE_PREVENTIVE);
    if (e->flags & EVF_CESS)
        prof_line(c, "99406", NULL, 1, e->start, e->prac, SHARE_PREVENTIVE);
}

static const char *pos_of(int type, int flags)
{
    switch (type) {
    case EV_LAB:
        return "81";
    case EV_DME:
        return "12";
    default:
        return (flags & EVF_TELE) ? "02" : "11";
    }
}

static const char *em_code(int level, int isnew)
{
    if (isnew)
        return level >= 4 ? "99204" : "99203";
    return level == 5 ? "99215" : level == 4 ? "99214" : "99213";
}

static int is_pcp(const sy_pop_t *pop, int prac)
{
    return prac >= 0 && pop->prac[prac].spec >= 0 && sy_specs[pop->prac[prac].spec].primary_care;
}

/* ---- institutional helpers ---- */
static void inst_header(ctx_t *c, const char *bill, date_t adm, date_t dis, int disp,
                        const char *adm_type, const char *adm_src)
{
    row_t *r = &c->row;
    rset(r, C.bill, bill);
    if (adm != DATE_NONE) {
        rset_date(r, C.adm, adm);
        rset_date(r, C.dis, dis);
    }
    if (disp > 0) {
        char *s = rtmp(r, 2);
        s[0] = (char)('0' + disp / 10);
        s[1] = (char)('0' + disp % 10);
        rsetn(r, C.disp, s, 2);
    }
    rset(r, C.adm_type, adm_type);
    rset(r, C.adm_src, adm_src);
}

/* Splits a total over revenue lines by shares (the last line takes the rest). */
static void inst_lines(ctx_t *c, const char *const *revs, const char *const *hcpcs,
                       const int *units, const double *shares, int n, money_t total, date_t s,
                       date_t e, int share)
{
    money_t left = total;
    for (int i = 0; i < n; i++) {
        money_t a = i == n - 1 ? left : (money_t)llround((double)total * shares[i]);
        left -= a;
        claim_line(c, revs[i], hcpcs ? hcpcs[i] : NULL, NULL, (uint64_t)units[i], a, s, e,
                   i == 0 ? share : SHARE_NONE);
    }
}

static void write_ip(ctx_t *c, const sy_event_t *e)
{
    const sy_pop_t *pop = c->pop;
    const sy_drg_t *g = &sy_drgs[e->sub];
    int los = e->end - e->start;
    if (los < 1)
        los = 1;
    int discharged = e->end <= pop->end;
    date_t ce = discharged ? e->end : pop->end;
    claim_begin(c, 1, e->start, ce, e->prac, e->org);
    row_t *r = &c->row;
    inst_header(c, discharged ? "111" : "112", e->start, discharged ? e->end : DATE_NONE,
                discharged ? e->disp : 30,
                e->level == 3   ? "3"
                : e->level == 1 ? "1"
                                : "2",
                e->level == 3 ? "2" : "1");
    rset(r, C.drg_type, "ms-drg");
    rset(r, C.drg, g->drg);
    dx_add(c, g->dx);
    dx_chronic(c, e->start, 25);
    claim_dx_commit(c, 1);
    if (g->pcs) {
        rset(r, C.px_type, "icd-10-pcs");
        rset(r, C.px[0], g->pcs);
        rset_date(r, C.px_date[0], e->start + (e->level == 3 ? 0 : 1));
    }
    money_t total = fac_amount(c, g->rw * 12500.0, 0.22);
    int ys = year_slot(c, e->start);
    money_t ded = 0, coins = 0;
    if (!c->commercial && !c->parta_used[ys]) {
        ded = 167600;
        c->parta_used[ys] = 1;
    }
    if (c->commercial) {
        ded = total < c->ded_left[ys] ? total : c->ded_left[ys];
        c->ded_left[ys] -= ded;
        coins = money_mul_div(total - ded, 20, 100);
        if (coins > 400000)
            coins = 400000;
    }
    if (ded > total)
        ded = total;
    /* lines: room and board, pharmacy, lab, ED, OR/cardiac cath for surgical DRGs */
    const char *revs[6];
    const char *hc[6] = { NULL };
    int units[6];
    double sh[6];
    int n = 0;
    revs[n] = "0120";
    units[n] = los;
    sh[n++] = g->pcs ? 0.40 : 0.55;
    revs[n] = "0250";
    units[n] = los;
    sh[n++] = 0.15;
    revs[n] = "0300";
    units[n] = 1 + los;
    sh[n++] = 0.10;
    if (e->flags & EVF_FROM_ED) {
        revs[n] = "0450";
        hc[n] = "99285";
        units[n] = 1;
        sh[n++] = 0.06;
    }
    if (g->pcs) {
        revs[n] = strcmp(g->drg, "247") == 0 ? "0481" : "0360";
        units[n] = 1;
        sh[n++] = 0.25;
    }
    revs[n] = "0730";
    units[n] = 1;
    sh[n++] = 0;
    /* distribute, putting the cost sharing on the first line */
    money_t left = total;
    for (int i = 0; i < n; i++) {
        money_t a = i == n - 1 ? left : (money_t)llround((double)total * sh[i]);
        left -= a;
        size_t keep = r->used;
        c->line++;
        rset_u(r, C.line, (uint64_t)c->line);
        rset_date(r, C.lstart, e->start);
        rset_date(r, C.lend, ce);
        rset(r, C.rev, revs[i]);
        rset(r, C.hcpcs, hc[i]);
        rset_u(r, C.units, (uint64_t)units[i]);
        money_t ld = i == 0 ? (ded < a ? ded : a) : 0;
        money_t lc = i == 0 ? (coins < a - ld ? coins : a - ld) : 0;
        rset_money(r, C.paid, a - ld - lc);
        rset_money(r, C.allowed, a);
        rset_money(r, C.charge, (money_t)llround((double)a * (2.8 + 0.8 * rng_uniform(&c->r))));
        rset_money(r, C.coins, lc);
        rset_money(r, C.copay, 0);
        rset_money(r, C.ded, ld);
        rset_money(r, C.total, a);
        row_emit(c->b, r);
        r->used = keep;
    }

    /* the hospitalist's professional claim */
    claim_begin(c, 0, e->start, ce, e->prac, e->org);
    rset(&c->row, C.pos, "21");
    dx_add(c, g->dx);
    dx_chronic(c, e->start, 12);
    claim_dx_commit(c, 0);
    prof_line(c, "99223", NULL, 1, e->start, e->prac, SHARE_PARTB);
    int subs = los - 1 > 5 ? 5 : los - 1;
    for (int k = 1; k <= subs; k++)
        prof_line(c, "99233", NULL, 1, e->start + k, e->prac, SHARE_PARTB);
    if (discharged)
        prof_line(c, "99239", NULL, 1, e->end, e->prac, SHARE_PARTB);
}

static void write_ambulance(ctx_t *c, date_t d, const char *dx)
{
    int amb = c->pop->org_in[ORG_AMB].first;
    claim_begin(c, 0, d, d, amb, -1);
    rset(&c->row, C.pos, "41");
    dx_add(c, dx);
    dx_chronic(c, d, 4);
    claim_dx_commit(c, 0);
    prof_line(c, "A0427", "RH", 1, d, amb, SHARE_PARTB);
}

/* ---- one event's claims ----------------------------------------------------
 *
 * write_event dispatches on the event type to one static writer each. */

/* The lines of an annual wellness visit (or a commercial preventive visit). */
static void awv_lines(ctx_t *c, const sy_event_t *e)
{
    const sy_patient_t *p = c->p;
    const char *code;
    if (p->seg != SEG_COMMERCIAL)
        code = e->sub == 0 ? "G0438" : "G0439";
    else
        code = p->age >= 65 ? "99397" : p->age >= 40 ? "99396" : "99395";
    prof_line(c, code, NULL, 1, e->start, e->prac, SHARE_PREVENTIVE);
    if ((e->flags & EVF_DEPSCR) && p->seg != SEG_COMMERCIAL)
        prof_line(c, "G0444", NULL, 1, e->start, e->prac, SHARE_PREVENTIVE);
    if (e->flags & EVF_SDOH)
        prof_line(c, "G0136", NULL, 1, e->start, e->prac, SHARE_PREVENTIVE);
    screening_lines(c, e);
}

/* The lines of an office E&M visit; a specialist's usual test at some
 * visits, and the facility's own claim in a hospital outpatient department. */
static void visit_lines(ctx_t *c, const sy_event_t *e, int pcp, int share)
{
    const sy_pop_t *pop = c->pop;
    const sy_patient_t *p = c->p;
    int isnew = !pcp && (sy_mix(p->idx + (uint64_t)e->prac) % 5 == 0) && (sy_mix(e->seq) % 3 == 0);
    prof_line(c, em_code(e->level, isnew), (e->flags & EVF_TELE) ? "95" : NULL, 1, e->start,
              e->prac, share);
    if (pcp && !c->commercial && (e->seq % 2 == 0))
        prof_line(c, "G2211", NULL, 1, e->start, e->prac, SHARE_PARTB);
    screening_lines(c, e);
    if (!pcp && e->prac >= 0) {
        /* the specialty's usual test or procedure at some visits */
        static const struct {
            int spec;
            const char *code;
            double p;
        } anc[] = { { SP_CARDIO, "93306", 0.25 }, { SP_PULM, "94010", 0.5 },
                    { SP_ORTHO, "20610", 0.4 },   { SP_PSYCH, "90834", 0.6 },
                    { SP_NEURO, "95816", 0.1 },   { SP_OPHTH, "92134", 0.5 } };
        for (size_t k = 0; k < sizeof anc / sizeof anc[0]; k++)
            if (anc[k].spec == pop->prac[e->prac].spec && rng_uniform(&c->r) < anc[k].p)
                prof_line(c, anc[k].code, NULL, 1, e->start, e->prac, SHARE_PARTB);
    }
    if (e->org >= 0) {
        /* hospital outpatient department: the facility's own claim */
        int prac = e->prac;
        claim_begin(c, 1, e->start, e->start, prac, e->org);
        inst_header(c, "131", DATE_NONE, DATE_NONE, 1, NULL, NULL);
        dx_add(c, sy_conds[e->sub].dx[p->dx[e->sub]].code);
        dx_chronic(c, e->start, 4);
        claim_dx_commit(c, 0);
        claim_line(c, "0510", "G0463", NULL, 1,
                   fac_amount(c, sy_fees[sy_fee_find("G0463")].cents / 100.0, 0.1), e->start,
                   e->start, SHARE_PARTB);
    }
}

/* Office visit, annual wellness visit, transitional care visit. */
static void write_office(ctx_t *c, const sy_event_t *e)
{
    const sy_pop_t *pop = c->pop;
    const sy_patient_t *p = c->p;
    claim_begin(c, 0, e->start, e->start, e->prac, -1);
    row_t *r = &c->row;
    rset(r, C.pos, pos_of(e->type, e->flags));
    int pcp = is_pcp(pop, e->prac);
    if (e->type == EV_AWV) {
        if (c->commercial || p->seg == SEG_COMMERCIAL)
            dx_add(c, "Z0000");
        else
            dx_add(c, "Z0000");
    } else if (e->sub >= 0) {
        dx_add(c, sy_conds[e->sub].dx[p->dx[e->sub]].code);
    }
    dx_chronic(c, e->start, e->sub >= 0 ? 4 : 12);
    if ((e->flags & EVF_SDOH) || (pcp && p->needs_known && (e->seq & 1)))
        dx_needs(c);
    if (e->flags & EVF_FALL)
        dx_add(c, "Z9181");
    claim_dx_commit(c, 0);
    int share = pcp ? SHARE_OFFICE_PCP : SHARE_OFFICE_SPEC;
    if (e->type == EV_AWV)
        awv_lines(c, e);
    else if (e->type == EV_TCM)
        prof_line(c, e->level == 7 ? "99496" : "99495", NULL, 1, e->start, e->prac, share);
    else
        visit_lines(c, e, pcp, share);
}

static void write_lab(ctx_t *c, const sy_event_t *e)
{
    const sy_patient_t *p = c->p;
    claim_begin(c, 0, e->start, e->start, e->prac, -1);
    row_t *r = &c->row;
    rset(r, C.pos, "81");
    if (e->labs & LAB_A1C)
        dx_add(c, (p->has >> C_DM & 1u) ? sy_conds[C_DM].dx[p->dx[C_DM]].code : "Z131");
    if (e->labs & LAB_FIT)
        dx_add(c, "Z1211");
    dx_chronic(c, e->start, 6);
    if (!c->ndx)
        dx_add(c, "Z0000");
    claim_dx_commit(c, 0);
    if (e->labs & (LAB_A1C | LAB_LIPID | LAB_BMP | LAB_CBC | LAB_TSH))
        prof_line(c, "36415", NULL, 1, e->start, e->prac, SHARE_PREVENTIVE);
    if (e->labs & LAB_A1C)
        prof_line(c, "83036", NULL, 1, e->start, e->prac, SHARE_PREVENTIVE);
    if (e->labs & LAB_LIPID)
        prof_line(c, "80061", NULL, 1, e->start, e->prac, SHARE_PREVENTIVE);
    if (e->labs & LAB_BMP)
        prof_line(c, "80048", NULL, 1, e->start, e->prac, SHARE_PREVENTIVE);
    if (e->labs & LAB_UACR) {
        prof_line(c, "82043", NULL, 1, e->start, e->prac, SHARE_PREVENTIVE);
        prof_line(c, "82570", NULL, 1, e->start, e->prac, SHARE_PREVENTIVE);
    }
    if (e->labs & LAB_CBC)
        prof_line(c, "85025", NULL, 1, e->start, e->prac, SHARE_PREVENTIVE);
    if (e->labs & LAB_TSH)
        prof_line(c, "84443", NULL, 1, e->start, e->prac, SHARE_PREVENTIVE);
    if (e->labs & LAB_FIT)
        prof_line(c, "82274", NULL, 1, e->start, e->prac, SHARE_PREVENTIVE);
}

/* ED visit: the ambulance, the facility claim, the emergency physician's. */
static void write_ed(ctx_t *c, const sy_event_t *e)
{
    const sy_eddx_t *d = &sy_eddx[e->sub];
    if (e->flags & EVF_AMB)
        write_ambulance(c, e->start, d->code);
    claim_begin(c, 1, e->start, e->start, e->prac, e->org);
    inst_header(c, "131", DATE_NONE, DATE_NONE, 1, NULL, NULL);
    dx_add(c, d->code);
    dx_chronic(c, e->start, 4);
    claim_dx_commit(c, 0);
    static const double fac[] = { 320, 540, 780 };
    const char *lvl = e->level == 5 ? "99285" : e->level == 4 ? "99284" : "99283";
    claim_line(c, "0450", lvl, NULL, 1, fac_amount(c, fac[e->level - 3], 0.15), e->start, e->start,
               SHARE_ED);
    if (e->seq % 10 < 7)
        claim_line(c, "0300", "80053", NULL, 1, fac_amount(c, 60, 0.2), e->start, e->start,
                   SHARE_NONE);
    if (e->seq % 10 < 4)
        claim_line(c, "0320", "71046", NULL, 1, fac_amount(c, 75, 0.2), e->start, e->start,
                   SHARE_NONE);
    claim_begin(c, 0, e->start, e->start, e->prac, e->org);
    rset(&c->row, C.pos, "23");
    dx_add(c, d->code);
    dx_chronic(c, e->start, 4);
    claim_dx_commit(c, 0);
    prof_line(c, lvl, NULL, 1, e->start, e->prac, SHARE_PARTB);
}

/* SNF stay: the facility's revenue lines (coinsurance from day 21) and the
 * nursing-facility physician visits. */
static void write_snf(ctx_t *c, const sy_event_t *e)
{
    const sy_pop_t *pop = c->pop;
    const sy_drg_t *g = &sy_drgs[e->sub];
    date_t ce = e->end > pop->end ? pop->end : e->end;
    int days = ce - e->start;
    if (days < 1)
        days = 1;
    claim_begin(c, 1, e->start, ce, e->prac, e->org);
    inst_header(c, e->end > pop->end ? "212" : "211", e->start,
                e->end > pop->end ? DATE_NONE : e->end, e->end > pop->end ? 30 : e->disp, "2", "4");
    dx_add(c, g->dx);
    dx_chronic(c, e->start, 12);
    claim_dx_commit(c, 1);
    money_t total = fac_amount(c, 585.0 * days, 0.12);
    const char *revs[] = { "0022", "0420", "0430", "0250" };
    const int units[] = { days, days / 2 + 1, days / 3 + 1, days };
    const double sh[] = { 0.70, 0.15, 0.10, 0.05 };
    /* SNF coinsurance from day 21 */
    money_t coins = (!c->commercial && days > 20) ? (money_t)(days - 20) * 20950 : 0;
    if (coins > total / 2)
        coins = total / 2;
    money_t left = total;
    for (int i = 0; i < 4; i++) {
        money_t a = i == 3 ? left : (money_t)llround((double)total * sh[i]);
        left -= a;
        row_t *r = &c->row;
        size_t keep = r->used;
        c->line++;
        rset_u(r, C.line, (uint64_t)c->line);
        rset_date(r, C.lstart, e->start);
        rset_date(r, C.lend, ce);
        rset(r, C.rev, revs[i]);
        rset(r, C.hcpcs, NULL);
        rset_u(r, C.units, (uint64_t)units[i]);
        money_t lc = i == 0 ? (coins < a ? coins : a) : 0;
        rset_money(r, C.paid, a - lc);
        rset_money(r, C.allowed, a);
        rset_money(r, C.charge, (money_t)llround((double)a * 2.4));
        rset_money(r, C.coins, lc);
        rset_money(r, C.copay, 0);
        rset_money(r, C.ded, 0);
        rset_money(r, C.total, a);
        row_emit(c->b, r);
        r->used = keep;
    }
    claim_begin(c, 0, e->start, ce, e->prac, e->org);
    rset(&c->row, C.pos, "31");
    dx_add(c, g->dx);
    dx_chronic(c, e->start, 12);
    claim_dx_commit(c, 0);
    prof_line(c, "99304", NULL, 1, e->start, e->prac, SHARE_PARTB);
    for (date_t d = e->start + 7; d <= ce; d += 7)
        prof_line(c, "99309", NULL, 1, d, e->prac, SHARE_PARTB);
}

/* Home health episode. */
static void write_hh(ctx_t *c, const sy_event_t *e)
{
    const sy_pop_t *pop = c->pop;
    date_t ce = e->end > pop->end ? pop->end : e->end;
    claim_begin(c, 1, e->start, ce, e->prac, e->org);
    inst_header(c, "329", DATE_NONE, DATE_NONE, 1, NULL, NULL);
    if (e->sub >= 0)
        dx_add(c, sy_drgs[e->sub].dx);
    else
        dx_add(c, "R2681");
    dx_chronic(c, e->start, 12);
    claim_dx_commit(c, 0);
    money_t total = fac_amount(c, 2060, 0.15);
    const char *revs[] = { "0551", "0421" };
    const int units[] = { e->level * 2 / 3 + 1, e->level / 3 + 1 };
    const double sh[] = { 0.6, 0.4 };
    inst_lines(c, revs, NULL, units, sh, 2, total, e->start, ce, SHARE_NONE);
}

/* A month of hospice. */
static void write_hospice(ctx_t *c, const sy_event_t *e)
{
    int days = e->end - e->start + 1;
    claim_begin(c, 1, e->start, e->end, e->prac, e->org);
    inst_header(c, "811", DATE_NONE, DATE_NONE, e->end == c->p->death ? 40 : 30, NULL, NULL);
    dx_chronic(c, e->start, 12);
    claim_dx_commit(c, 0);
    claim_line(c, "0651", NULL, NULL, (uint64_t)days, fac_amount(c, 221.0 * days, 0.05), e->start,
               e->end, SHARE_NONE);
}

/* A month of dialysis: the facility's treatments and the nephrologist's
 * monthly ESRD service. */
static void write_dialysis(ctx_t *c, const sy_event_t *e)
{
    claim_begin(c, 1, e->start, e->end, e->prac, e->org);
    inst_header(c, "721", DATE_NONE, DATE_NONE, 1, NULL, NULL);
    dx_add(c, "N186");
    dx_add(c, "Z992");
    dx_chronic(c, e->start, 8);
    claim_dx_commit(c, 0);
    int tx = (e->end - e->start + 1) * 13 / 30;
    if (tx < 1)
        tx = 1;
    claim_line(c, "0821", "90999", NULL, (uint64_t)tx, fac_amount(c, 282.0 * tx, 0.05), e->start,
               e->end, SHARE_PARTB);
    claim_begin(c, 0, e->start, e->end, e->prac, -1);
    rset(&c->row, C.pos, "11");
    dx_add(c, "N186");
    claim_dx_commit(c, 0);
    prof_line(c, "90960", NULL, 1, e->start, e->prac, SHARE_PARTB);
}

/* Screening procedures: mammography, colonoscopy (physician and ASC),
 * diabetic eye exam. */
static void write_screening(ctx_t *c, const sy_event_t *e)
{
    const sy_patient_t *p = c->p;
    switch (e->type) {
    case EV_MAMMO:
        claim_begin(c, 0, e->start, e->start, e->prac, -1);
        rset(&c->row, C.pos, "22");
        dx_add(c, "Z1231");
        claim_dx_commit(c, 0);
        prof_line(c, "77067", NULL, 1, e->start, e->prac, SHARE_PREVENTIVE);
        break;
    case EV_COLO:
        claim_begin(c, 0, e->start, e->start, e->prac, -1);
        rset(&c->row, C.pos, "24");
        dx_add(c, "Z1211");
        claim_dx_commit(c, 0);
        prof_line(c, "G0121", NULL, 1, e->start, e->prac, SHARE_PREVENTIVE);
        claim_begin(c, 0, e->start, e->start, e->org, -1);
        rset(&c->row, C.pos, "24");
        dx_add(c, "Z1211");
        claim_dx_commit(c, 0);
        claim_line(c, NULL, "G0121", "SG", 1, fac_amount(c, 820, 0.1), e->start, e->start,
                   SHARE_PREVENTIVE);
        break;
    default: /* EV_EYE */
        claim_begin(c, 0, e->start, e->start, e->prac, -1);
        rset(&c->row, C.pos, "11");
        dx_add(c, sy_conds[C_DM].dx[p->dx[C_DM]].code);
        claim_dx_commit(c, 0);
        prof_line(c, "92014", NULL, 1, e->start, e->prac, SHARE_OFFICE_SPEC);
        prof_line(c, "2023F", NULL, 1, e->start, e->prac, SHARE_PREVENTIVE);
        break;
    }
}

/* Imaging and outpatient procedures by level: 1 echo, 2 DEXA, 3 therapy,
 * 4 CT, 6 infusion; the professional claim and, for 1, 4 and 6, the
 * hospital's. */
static void write_imaging(ctx_t *c, const sy_event_t *e)
{
    const sy_patient_t *p = c->p;
    int fac = e->level == 1 || e->level == 4 || e->level == 6;
    const char *code = e->level == 1   ? "93306"
                       : e->level == 2 ? "77080"
                       : e->level == 3 ? "97110"
                       : e->level == 4 ? "74177"
                                       : "96413";
    int cond = e->level == 1 ? C_CHF : e->level == 2 ? C_OSTEO : e->level == 3 ? C_OA : -1;
    if (e->level != 6) {
        claim_begin(c, 0, e->start, e->start, e->prac, -1);
        rset(&c->row, C.pos, fac ? "22" : "11");
        if (cond >= 0 && (p->has >> cond & 1u))
            dx_add(c, sy_conds[cond].dx[p->dx[cond]].code);
        dx_chronic(c, e->start, 4);
        claim_dx_commit(c, 0);
        prof_line(c, code, fac ? "26" : NULL, e->level == 3 ? 2 : 1, e->start, e->prac,
                  SHARE_PARTB);
    }
    if (fac) {
        claim_begin(c, 1, e->start, e->start, e->prac, e->org);
        inst_header(c, "131", DATE_NONE, DATE_NONE, 1, NULL, NULL);
        dx_chronic(c, e->start, 6);
        claim_dx_commit(c, 0);
        if (e->level == 6) {
            claim_line(c, "0335", "96413", NULL, 1, fac_amount(c, 300, 0.1), e->start, e->start,
                       SHARE_PARTB);
            claim_line(c, "0636", "J9271", NULL, 100, fac_amount(c, 5860, 0.02), e->start, e->start,
                       SHARE_PARTB);
        } else {
            claim_line(c, e->level == 1 ? "0483" : "0352", code, NULL, 1,
                       fac_amount(c, e->level == 1 ? 520 : 330, 0.15), e->start, e->start,
                       SHARE_PARTB);
        }
    }
}

/* DME by level: 1 oxygen, 2 test strips, 3 walker. */
static void write_dme(ctx_t *c, const sy_event_t *e)
{
    const sy_patient_t *p = c->p;
    claim_begin(c, 0, e->start, e->start, e->prac, -1);
    rset(&c->row, C.pos, "12");
    int cond = e->level == 1 ? C_COPD : e->level == 2 ? C_DM : -1;
    if (cond >= 0)
        dx_add(c, sy_conds[cond].dx[p->dx[cond]].code);
    else
        dx_add(c, "R2681");
    claim_dx_commit(c, 0);
    if (e->level == 1)
        prof_line(c, "E1390", "RR", 1, e->start, e->prac, SHARE_PARTB);
    else if (e->level == 2)
        prof_line(c, "A4253", NULL, 2, e->start, e->prac, SHARE_PARTB);
    else
        prof_line(c, "E0143", "NU", 1, e->start, e->prac, SHARE_PARTB);
}

/* A vaccine: the product and its administration code (Medicare's G codes
 * for influenza and pneumococcal). */
static void write_vaccine(ctx_t *c, const sy_event_t *e)
{
    claim_begin(c, 0, e->start, e->start, e->prac, -1);
    rset(&c->row, C.pos, "11");
    dx_add(c, "Z23");
    claim_dx_commit(c, 0);
    const char *prod = e->level == K_CVX_FLU_HD    ? "90662"
                       : e->level == K_CVX_FLU_STD ? "90686"
                       : e->level == K_CVX_PCV20   ? "90677"
                                                   : "90750";
    const char *adm = c->commercial                                             ? "90471"
                      : (e->level == K_CVX_FLU_HD || e->level == K_CVX_FLU_STD) ? "G0008"
                      : e->level == K_CVX_PCV20                                 ? "G0009"
                                                                                : "90471";
    prof_line(c, prod, NULL, 1, e->start, e->prac, SHARE_PREVENTIVE);
    prof_line(c, adm, NULL, 1, e->start, e->prac, SHARE_PREVENTIVE);
}

static void write_event(ctx_t *c, const sy_event_t *e)
{
    const sy_pop_t *pop = c->pop;
    if (e->flags & EVF_HIST)
        return;
    if (e->start < pop->start || e->start > pop->end)
        return;
    switch (e->type) {
    case EV_OFFICE:
    case EV_AWV:
    case EV_TCM:
        write_office(c, e);
        break;
    case EV_LAB:
        write_lab(c, e);
        break;
    case EV_ED:
        write_ed(c, e);
        break;
    case EV_IP:
        if (e->flags & EVF_AMB)
            write_ambulance(c, e->start, sy_drgs[e->sub].dx);
        write_ip(c, e);
        break;
    case EV_SNF:
        write_snf(c, e);
        break;
    case EV_HH:
        write_hh(c, e);
        break;
    case EV_HOSPICE:
        write_hospice(c, e);
        break;
    case EV_DIALYSIS:
        write_dialysis(c, e);
        break;
    case EV_MAMMO:
    case EV_COLO:
    case EV_EYE:
        write_screening(c, e);
        break;
    case EV_IMAGING:
        write_imaging(c, e);
        break;
    case EV_DME:
        write_dme(c, e);
        break;
    case EV_VACCINE:
        write_vaccine(c, e);
        break;
    default:
        break;
    }
}

static void write_fill(ctx_t *c, const sy_event_t *e, buf_t *b, unsigned *nrx)
{
    const sy_pop_t *pop = c->pop;
    const sy_patient_t *p = c->p;
    const sy_med_t *m = &sy_meds[e->sub];
    if (e->start < pop->start || e->start > pop->end)
        return;
    row_t *r = &c->row;
    rclear(r, C.x_n);
    (*nrx)++;
    char id[32];
    size_t n = strlen(p->pid);
    memcpy(id, p->pid, n);
    id[n++] = 'R';
    unsigned v = *nrx;
    char t[12];
    int i = 12;
    do {
        t[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    memcpy(id + n, t + i, (size_t)(12 - i));
    n += (size_t)(12 - i);
    id[n] = 0;
    int days = e->level;
    rset(r, C.x_claim, id);
    rset(r, C.x_line, "1");
    rset(r, C.x_person, p->pid);
    rset(r, C.x_member, member_id(p));
    rset(r, C.x_payer, c->commercial ? "acme health" : "medicare");
    rset(r, C.x_plan, c->commercial ? "acme ppo" : "medicare part d");
    if (e->prac >= 0)
        rset(r, C.x_presc, pop->prac[e->prac].npi);
    if (e->org >= 0)
        rset(r, C.x_disp, pop->prac[e->org].npi);
    rset_date(r, C.x_date, e->start);
    rset(r, C.x_ndc, m->ndc);
    rset_u(r, C.x_qty, (uint64_t)(m->qty30 * days / 30 > 0 ? m->qty30 * days / 30 : 1));
    rset_u(r, C.x_days, (uint64_t)days);
    rset_u(r, C.x_refills, (uint64_t)(days == 90 ? 3 : 11));
    rset_date(r, C.x_paid_date, e->start);
    money_t allowed =
        (money_t)llround((double)m->unit_cents * days / 30.0 * exp(rng_normal(&c->r, 0, 0.05)));
    money_t copay;
    int lis = p->dual != 0 && p->dual != 7;
    if (c->commercial)
        copay = m->brand ? 4000 : 1000;
    else if (lis)
        copay = m->brand ? 1200 : 490;
    else
        copay = m->brand ? 4700 : (days == 90 ? 1000 : 500);
    if (copay > allowed)
        copay = allowed;
    rset_money(r, C.x_paid, allowed - copay);
    rset_money(r, C.x_allowed, allowed);
    rset_money(r, C.x_charge, (money_t)llround((double)allowed * 1.15));
    rset_money(r, C.x_coins, 0);
    rset_money(r, C.x_copay, copay);
    rset_money(r, C.x_ded, 0);
    rset(r, C.x_in_net, "1");
    rset(r, C.x_source, "tripod-synth");
    rset(r, C.x_file, "pharmacy_claim.csv");
    rset(r, C.x_file_date, pop->file_date);
    row_emit(b, r);
}

static void write_eligibility(ctx_t *c, buf_t *b)
{
    const sy_pop_t *pop = c->pop;
    const sy_patient_t *p = c->p;
    static const char *const mstatus[] = { "10", "11", "20", "21", "31" };
    for (int i = 0; i < p->nspans; i++) {
        row_t *r = &c->row;
        rclear(r, C.e_n);
        rset(r, C.e_person, p->pid);
        rset(r, C.e_member, member_id(p));
        rset(r, C.e_subscriber, member_id(p));
        rset(r, C.e_gender, p->female ? "female" : "male");
        rset(r, C.e_race, sy_race_tuva[p->race]);
        rset_date(r, C.e_birth, p->birth);
        if (p->death != DATE_NONE) {
            rset_date(r, C.e_death, p->death);
            rset(r, C.e_death_flag, "1");
        } else {
            rset(r, C.e_death_flag, "0");
        }
        rset_date(r, C.e_start, p->spans[i].start);
        rset_date(r, C.e_end, p->spans[i].end);
        if (p->seg == SEG_COMMERCIAL) {
            rset(r, C.e_payer, "acme health");
            rset(r, C.e_payer_type, "commercial");
            rset(r, C.e_plan, "acme ppo");
        } else {
            rset(r, C.e_payer, "medicare");
            rset(r, C.e_payer_type, "medicare");
            rset(r, C.e_plan, "medicare");
            char *o = rtmp(r, 1);
            o[0] = (char)('0' + p->orec);
            rsetn(r, C.e_orec, o, 1);
            int ms = p->seg == SEG_AGED ? (p->esrd ? 1 : 0) : p->esrd ? (p->orec == 2 ? 4 : 3) : 2;
            rset(r, C.e_mstatus, mstatus[ms]);
            rset(r, C.e_esrd, p->esrd ? "1" : "0");
            rset(r, C.e_medicaid, p->dual != 0 ? "1" : "0");
        }
        rset(r, C.e_dual, sy_dual_code[p->dual]);
        rset_text(r, C.e_first, p->first, strlen(p->first));
        rset_text(r, C.e_last, p->last, strlen(p->last));
        rset(r, C.e_relation, "self");
        char *a = rtmp(r, 48);
        int an = snprintf(a, 48, "%d %s", p->street_no, sy_street[p->street]);
        rset_text(r, C.e_address, a, (size_t)an);
        rset_text(r, C.e_city, sy_places[p->place].city, strlen(sy_places[p->place].city));
        rset(r, C.e_state, sy_places[p->place].state);
        rset(r, C.e_zip, sy_places[p->place].zip);
        char *ph = rtmp(r, 16);
        int pn = snprintf(ph, 16, "614-555-0%03d", p->phone);
        rsetn(r, C.e_phone, ph, (size_t)pn);
        rset(r, C.e_ethnicity, p->hispanic ? "hispanic or latino" : "not hispanic or latino");
        int hospice = 0;
        for (int k = 0; k < p->nev; k++)
            if (p->ev[k].type == EV_HOSPICE && p->ev[k].start <= p->spans[i].end &&
                p->ev[k].end >= p->spans[i].start)
                hospice = 1;
        if (p->seg != SEG_COMMERCIAL)
            rset(r, C.e_hospice, hospice ? "1" : "0");
        rset(r, C.e_source, "tripod-synth");
        rset(r, C.e_file, "eligibility.csv");
        rset(r, C.e_file_date, pop->file_date);
        row_emit(b, r);
    }
}

/* ---- lab_result.csv and practitioner.csv: written field by field ---- */

/* A CSV field: quoted (quotes doubled) when it holds a comma, quote or line break. */
static void put_field(buf_t *b, const char *s)
{
    if (!s)
        return;
    if (!s[strcspn(s, ",\"\r\n")]) {
        sy_puts(b, s);
        return;
    }
    sy_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            sy_putc(b, '"');
        sy_putc(b, *s);
    }
    sy_putc(b, '"');
}

/* One laboratory result: the LOINC of the FHIR Observation, its value with the
 * same decimals, reference interval and interpretation. */
typedef struct lab_def {
    unsigned bit; /* LAB_* that carries it */
    int k;        /* sy_codes index */
    int vi;       /* index in sy_event_t.v */
    int dec;      /* decimals, as in the FHIR valueQuantity */
    const char *unit, *specimen;
    double lo, hi; /* reference interval; < 0: none */
} lab_def_t;

static const lab_def_t lab_defs[] = {
    { LAB_A1C, K_LOINC_A1C, 0, 1, "%", "blood", 4.0, 5.6 },
    { LAB_BMP, K_LOINC_EGFR, 1, 0, "mL/min/{1.73_m2}", "serum", 60, -1 },
    { LAB_UACR, K_LOINC_UACR, 2, 0, "mg/g", "urine", -1, 30 },
    { LAB_LIPID, K_LOINC_LDL, 3, 0, "mg/dL", "serum", -1, 100 },
    { LAB_FIT, K_LOINC_FIT, 4, -1, NULL, "stool", -1, -1 }, /* coded: negative / positive */
};

static void put_id_seq(buf_t *b, const char *pid, char kind, unsigned n)
{
    sy_puts(b, pid);
    sy_putc(b, kind);
    sy_put_u(b, n);
}

/* Every laboratory Observation of the FHIR output (history before the period
 * included), as lab_result rows. The FHIR Observations of the same event carry
 * the same code, date and value. */
static void write_labs(const sy_pop_t *pop, const sy_patient_t *p, buf_t *b)
{
    unsigned nres = 0, ndraw = 0;
    const char *ordering = p->pcp >= 0 ? pop->prac[p->pcp].npi : "";
    for (int i = 0; i < p->nev; i++) {
        const sy_event_t *e = &p->ev[i];
        if (e->type != EV_LAB)
            continue;
        ndraw++;
        for (size_t k = 0; k < sizeof lab_defs / sizeof lab_defs[0]; k++) {
            const lab_def_t *d = &lab_defs[k];
            if (!(e->labs & d->bit))
                continue;
            const sy_code_t *code = &sy_codes[d->k];
            double v = e->v[d->vi];
            put_id_seq(b, p->pid, 'L', ++nres);
            sy_putc(b, ',');
            sy_puts(b, p->pid);
            sy_putc(b, ',');
            sy_puts(b, p->pid);
            SY_LIT(b, ",,");
            put_id_seq(b, p->pid, 'A', ndraw);
            for (int rep = 0; rep < 2; rep++) { /* source, then normalized; no component */
                SY_LIT(b, ",loinc,");
                sy_puts(b, code->code);
                sy_putc(b, ',');
                put_field(b, code->display);
                sy_putc(b, ','); /* the component, empty */
            }
            SY_LIT(b, ",final,");
            const char *flag;
            if (d->dec < 0) {
                int pos = v > 0.5f;
                sy_puts(b, pos ? "positive" : "negative");
                flag = pos ? "A" : "N";
            } else {
                sy_put_dec(b, v, d->dec);
                flag = d->lo >= 0 && v < d->lo ? "L" : d->hi >= 0 && v > d->hi ? "H" : "N";
            }
            sy_putc(b, ',');
            sy_put_date(b, e->start);
            sy_putc(b, ',');
            sy_put_date(b, e->start);
            for (int rep = 0; rep < 2; rep++) {
                sy_putc(b, ',');
                put_field(b, d->unit);
            }
            for (int rep = 0; rep < 2; rep++) {
                sy_putc(b, ',');
                if (d->lo >= 0)
                    sy_put_dec(b, d->lo, d->dec);
                sy_putc(b, ',');
                if (d->hi >= 0)
                    sy_put_dec(b, d->hi, d->dec);
            }
            sy_putc(b, ',');
            sy_puts(b, flag);
            sy_putc(b, ',');
            sy_puts(b, flag[0] == 'N' ? "normal" : "abnormal");
            sy_putc(b, ',');
            sy_puts(b, d->specimen);
            sy_putc(b, ',');
            sy_puts(b, ordering);
            SY_LIT(b, ",tripod-synth,lab_result.csv,\n");
        }
    }
}

/* Specialty (NUCC classification) of the organisations, for practitioner.csv. */
static const char *const org_specialty[ORG_N] = {
    [ORG_HOSP] = "General Acute Care Hospital",
    [ORG_SNF] = "Skilled Nursing Facility",
    [ORG_HHA] = "Home Health",
    [ORG_LAB] = "Clinical Medical Laboratory",
    [ORG_DME] = "Durable Medical Equipment & Medical Supplies",
    [ORG_HOSPICE] = "Hospice Care, Community Based",
    [ORG_PHARM] = "Community/Retail Pharmacy",
    [ORG_DIALYSIS] = "End-Stage Renal Disease (ESRD) Treatment",
    [ORG_ASC] = "Ambulatory Surgical",
    [ORG_AMB] = "Ambulance",
    [ORG_GROUP] = "Single Specialty",
};

void sy_write_prac_csv(const sy_pop_t *pop, buf_t *b)
{
    sy_puts(b, sy_hdr_prac);
    sy_putc(b, '\n');
    for (int i = 0; i < pop->nprac; i++) {
        const sy_prac_t *x = &pop->prac[i];
        int person = x->org < 0;
        sy_puts(b, x->npi);
        sy_putc(b, ',');
        sy_puts(b, x->npi);
        sy_putc(b, ',');
        if (person)
            put_field(b, x->first);
        sy_putc(b, ',');
        if (person)
            put_field(b, x->last);
        sy_putc(b, ',');
        /* people: their billing group; organisations: their own name */
        if (!person)
            put_field(b, x->name);
        else if (x->group >= 0)
            put_field(b, pop->prac[x->group].name);
        sy_putc(b, ',');
        put_field(b, person ? sy_specs[x->spec].name : org_specialty[x->org]);
        SY_LIT(b, ",,tripod-synth,practitioner.csv,,");
        sy_putc(b, person && sy_specs[x->spec].primary_care ? '1' : '0');
        sy_putc(b, ',');
        sy_putc(b, x->in_network ? '1' : '0');
        sy_putc(b, '\n');
    }
}

void sy_write_claims(const sy_pop_t *pop, const sy_patient_t *p, buf_t *out)
{
    static _Thread_local ctx_t ctx;
    ctx_t *c = &ctx;
    c->pop = pop;
    c->p = p;
    c->b = &out[S_MED];
    c->nclaim = 0;
    c->commercial = p->seg == SEG_COMMERCIAL;
    for (int i = 0; i < MAX_YEARS; i++) {
        c->ded_left[i] = c->commercial ? 150000 : 25700;
        c->parta_used[i] = 0;
    }
    rng_seed2(&c->r, pop->o.seed ^ 0xc1a1c1a1c1a1c1a1ull, p->idx);
    write_eligibility(c, &out[S_ELIG]);
    unsigned nrx = 0;
    for (int i = 0; i < p->nev; i++) {
        const sy_event_t *e = &p->ev[i];
        if (e->type == EV_FILL)
            write_fill(c, e, &out[S_RX], &nrx);
        else
            write_event(c, e);
    }
    write_labs(pop, p, &out[S_LAB]);
}
