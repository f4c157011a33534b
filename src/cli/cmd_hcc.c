/* cmd_hcc.c — `tripod hcc`: one CMS-HCC risk score on the command line.
 *
 *   tripod hcc --model V24|V28 --segment CNA|CND|CFA|CFD|CPA|CPD|INS|NE|SNPNE
 *              --age N --sex M|F [--medicaid] [--orec 0|1|2|3] --dx CODE[,CODE...]
 *              [--year 2025|2026] [--payment-year Y [--weight-v24 W] [--norm-v24 F]
 *              [--norm-v28 F] [--coding-adjustment F]]
 *
 * prints {"model":"V24","score":1.148,"hccs":["HCC18","HCC85"],"factors":{...}}
 * (DESIGN.md). Exit 0 success, 1 bad input (an invalid diagnosis code, a
 * damaged table), 2 misuse (a missing or invalid option).
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "analytics/hcc.h"
#include "analytics/hcc_tables.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "core/codes.h"
#include "core/mem.h"
#include "core/str.h"

#define CMD "hcc"

static void usage(FILE *f)
{
    fprintf(f, "usage: tripod hcc --model V24|V28 --segment SEGMENT --age N --sex M|F\n"
               "                  [--medicaid] [--orec 0|1|2|3] --dx CODE[,CODE...]\n"
               "                  [--year YEAR] [--payment-year YEAR [--weight-v24 W]\n"
               "                  [--norm-v24 F] [--norm-v28 F] [--coding-adjustment F]]\n"
               "\n"
               "Computes a CMS-HCC risk score from demographics and ICD-10-CM diagnoses and\n"
               "prints it as JSON: {\"model\":..,\"score\":..,\"hccs\":[..],\"factors\":{..}}.\n"
               "score is the raw risk score rounded to 3 decimals; factors are the variables\n"
               "that add to it, named as in CMS's coefficient tables (CNA_M70_74, CNA_HCC18).\n"
               "\n"
               "  --model V24|V28     the 2020 (V24) or 2024 (V28) CMS-HCC model\n"
               "  --segment S         CNA CND CFA CFD CPA CPD (community: non-dual, full\n"
               "                      dual, partial dual; A aged 65+, D disabled under 65),\n"
               "                      INS (long-term institutional), NE, SNPNE (new enrollee)\n"
               "  --age N             age in years (as of February 1 of the payment year)\n"
               "  --sex M|F\n"
               "  --medicaid          Medicaid: the MCAID cells of NE/SNPNE, LTIMCAID of INS\n"
               "  --orec 0|1|2|3      original reason for entitlement: 0 age, 1 disability,\n"
               "                      2 ESRD, 3 both (default: 1 under 65, else 0)\n"
               "  --dx CODES          ICD-10-CM codes, comma-separated, with or without the\n"
               "                      dot; may be repeated; '' for none\n"
               "  --year YEAR         the mapping and coefficient tables (default 2026)\n"
               "  --payment-year Y    also print \"payment\": the blend of V24 and V28 (2024:\n"
               "                      67/33, 2025: 33/67, 2026: 0/100), each divided by its\n"
               "                      normalisation factor, times 1 - the MA coding\n"
               "                      adjustment (5.9%%); the options below override them\n"
               "  --weight-v24 W      blend weight of V24 (V28 gets 1 - W)\n"
               "  --norm-v24 F, --norm-v28 F, --coding-adjustment F (a fraction, 0.059)\n"
               "\n"
               "Exit codes: 0 success, 1 bad input (an invalid ICD-10-CM code), 2 misuse.\n");
}

typedef struct hcc_args {
    const char *model, *segment, *age, *sex, *orec, *year, *payment_year;
    const char *weight_v24, *norm_v24, *norm_v28, *coding;
    bool medicaid;
    bool have_dx;
    char (*dx)[CODE_MAX]; /* normalised codes */
    size_t ndx, dx_cap;
} hcc_args_t;

/* Matches "--name value" and "--name=value"; *val gets the value. Returns 1
 * when argv[*i] is this option, 0 when not, -1 when its value is missing. */
static int opt(int argc, char **argv, int *i, const char *name, const char **val)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (a[n] != '\0')
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *val = argv[++*i];
    return 1;
}

/* Splits a --dx value into normalised codes; an invalid one is bad input. */
static int add_dx(hcc_args_t *a, const char *list, err_t *e)
{
    a->have_dx = true;
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        const char *item = p;
        size_t len = n;
        str_trim(&item, &len);
        p += n;
        if (*p == ',')
            p++;
        if (len == 0)
            continue;
        if (a->ndx == a->dx_cap) {
            a->dx_cap = a->dx_cap ? a->dx_cap * 2 : 16;
            a->dx = mem_realloc(a->dx, a->dx_cap * sizeof *a->dx);
        }
        if (code_norm_icd10cm(item, len, a->dx[a->ndx], CODE_MAX) != 0)
            return err_at(e, ERR_INPUT, NULL, 0, 0, "--dx",
                          "\"%.*s\" is not a valid ICD-10-CM code", (int)(len > 64 ? 64 : len),
                          item);
        a->ndx++;
    }
    return 0;
}

static int parse_double(const char *s, double lo, double hi, double *out)
{
    return str_to_double(s, strlen(s), out) == 0 && *out >= lo && *out <= hi ? 0 : -1;
}

static double round3(double x)
{
    return round(x * 1000.0) / 1000.0;
}

/* ,"key":{"V24":v,"V28":v}; a model not computed (have[m] false) is null. */
static void put_models(buf_t *b, const char *key, const double v[HCC_MODEL_COUNT], const bool *have,
                       bool r3)
{
    buf_printf(b, ",\"%s\":{", key);
    for (int m = 0; m < HCC_MODEL_COUNT; m++) {
        buf_printf(b, "%s\"%s\":", m ? "," : "", hcc_model_name((hcc_model_t)m));
        if (have && !have[m])
            buf_puts(b, "null");
        else if (r3)
            buf_printf(b, "%.3f", round3(v[m]));
        else
            buf_printf(b, "%.15g", v[m]);
    }
    buf_putc(b, '}');
}

/* The options once checked. */
typedef struct hcc_request {
    hcc_model_t model;
    hcc_segment_t segment;
    hcc_patient_t patient;
    int year;
    int payment_year; /* 0: no payment output */
    hcc_payment_settings_t pay;
} hcc_request_t;

/* Reads argv into a; returns CLI_OK or the exit code of the error printed. */
static int parse_args(int argc, char **argv, hcc_args_t *a)
{
    static const struct {
        const char *name;
        size_t off;
    } opts[] = {
        { "--model", offsetof(hcc_args_t, model) },
        { "--segment", offsetof(hcc_args_t, segment) },
        { "--age", offsetof(hcc_args_t, age) },
        { "--sex", offsetof(hcc_args_t, sex) },
        { "--orec", offsetof(hcc_args_t, orec) },
        { "--year", offsetof(hcc_args_t, year) },
        { "--payment-year", offsetof(hcc_args_t, payment_year) },
        { "--weight-v24", offsetof(hcc_args_t, weight_v24) },
        { "--norm-v24", offsetof(hcc_args_t, norm_v24) },
        { "--norm-v28", offsetof(hcc_args_t, norm_v28) },
        { "--coding-adjustment", offsetof(hcc_args_t, coding) },
    };
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        if (strcmp(argv[i], "--medicaid") == 0) {
            a->medicaid = true;
            continue;
        }
        bool known = false;
        for (size_t k = 0; k < sizeof opts / sizeof opts[0] && !known; k++) {
            int r = opt(argc, argv, &i, opts[k].name, &v);
            if (r < 0)
                return cli_usage_error(CMD, "%s needs a value", opts[k].name);
            if (r > 0) {
                *(const char **)((char *)a + opts[k].off) = v;
                known = true;
            }
        }
        if (known)
            continue;
        int r = opt(argc, argv, &i, "--dx", &v);
        if (r < 0)
            return cli_usage_error(CMD, "--dx needs a value");
        if (r == 0)
            return cli_usage_error(CMD, "unknown argument '%s'", argv[i]);
        err_t e;
        err_clear(&e);
        if (add_dx(a, v, &e) != 0)
            return cli_report(CMD, &e);
    }
    return CLI_OK;
}

/* The payment settings of --payment-year and the options overriding them. */
static int check_payment(const hcc_args_t *a, hcc_request_t *q)
{
    if (!a->payment_year) {
        if (a->weight_v24 || a->norm_v24 || a->norm_v28 || a->coding)
            return cli_usage_error(CMD, "--weight-v24, --norm-v24, --norm-v28 and "
                                        "--coding-adjustment need --payment-year");
        return CLI_OK;
    }
    if (str_to_intz(a->payment_year, &q->payment_year) != 0 ||
        hcc_payment_defaults(q->payment_year, &q->pay) != 0)
        return cli_usage_error(CMD, "--payment-year: '%s' has no published settings (2024-2026)",
                               a->payment_year);
    double w;
    if (a->weight_v24) {
        if (parse_double(a->weight_v24, 0.0, 1.0, &w) != 0)
            return cli_usage_error(CMD, "--weight-v24: '%s' is not a weight 0-1", a->weight_v24);
        q->pay.weight[HCC_V24] = w;
        q->pay.weight[HCC_V28] = 1.0 - w;
    }
    const char *nv[HCC_MODEL_COUNT] = { a->norm_v24, a->norm_v28 };
    for (int m = 0; m < HCC_MODEL_COUNT; m++)
        if (nv[m] && parse_double(nv[m], 0.001, 100.0, &q->pay.normalization[m]) != 0)
            return cli_usage_error(CMD, "--norm-v%s: '%s' is not a normalisation factor",
                                   m == HCC_V24 ? "24" : "28", nv[m]);
    if (a->coding && parse_double(a->coding, 0.0, 0.999, &q->pay.coding_adjustment) != 0)
        return cli_usage_error(CMD, "--coding-adjustment: '%s' is not a fraction (0.059)",
                               a->coding);
    return CLI_OK;
}

/* Misuse: a missing or invalid option. */
static int check_args(const hcc_args_t *a, hcc_request_t *q)
{
    hcc_patient_t *p = &q->patient;
    *q = (hcc_request_t){ .year = 2026 };
    p->orec = HCC_OREC_UNKNOWN;
    p->medicaid = a->medicaid;
    if (!a->model || !a->segment || !a->age || !a->sex || !a->have_dx)
        return cli_usage_error(CMD, "--model, --segment, --age, --sex and --dx are required");
    if (hcc_model_parse(a->model, &q->model) != 0)
        return cli_usage_error(CMD, "--model: '%s' is not V24 or V28", a->model);
    if (hcc_segment_parse(a->segment, &q->segment) != 0)
        return cli_usage_error(CMD,
                               "--segment: '%s' is not CNA, CND, CFA, CFD, CPA, CPD, INS, NE "
                               "or SNPNE",
                               a->segment);
    if (str_to_intz(a->age, &p->age) != 0 || p->age < 0 || p->age > 130)
        return cli_usage_error(CMD, "--age: '%s' is not an age in years (0-130)", a->age);
    if (strcmp(a->sex, "M") == 0 || strcmp(a->sex, "m") == 0)
        p->sex = 'M';
    else if (strcmp(a->sex, "F") == 0 || strcmp(a->sex, "f") == 0)
        p->sex = 'F';
    else
        return cli_usage_error(CMD, "--sex: '%s' is not M or F", a->sex);
    if (a->orec && (str_to_intz(a->orec, &p->orec) != 0 || p->orec < 0 || p->orec > 3))
        return cli_usage_error(CMD, "--orec: '%s' is not 0, 1, 2 or 3", a->orec);
    if (a->year && (str_to_intz(a->year, &q->year) != 0 || q->year < 2000 || q->year > 2100))
        return cli_usage_error(CMD, "--year: '%s' is not a year", a->year);
    if (!hcc_segment_accepts_age(q->segment, p->age))
        return cli_usage_error(CMD, "--age %d does not fit --segment %s (%s)", p->age,
                               hcc_segment_name(q->segment),
                               p->age >= 65 ? "a disabled segment is for ages under 65"
                                            : "an aged segment is for ages 65 and over");
    return check_payment(a, q);
}

/* Bad input: a code that is well formed but cannot exist. */
static int check_codes(const hcc_tables_t *t, const hcc_args_t *a)
{
    for (size_t i = 0; i < a->ndx; i++) {
        if (hcc_tables_dx_status(t, a->dx[i]) != HCC_DX_INVALID)
            continue;
        char dotted[CODE_MAX + 1];
        if (code_icd10cm_dotted(a->dx[i], dotted, sizeof dotted) != 0)
            str_copy(dotted, a->dx[i], sizeof dotted);
        err_t e;
        err_at(&e, ERR_INPUT, NULL, 0, 0, "--dx", "\"%s\" is not a valid ICD-10-CM code", dotted);
        return cli_report(CMD, &e);
    }
    return CLI_OK;
}

static int print_result(const hcc_request_t *q, const hcc_result_t *res, const bool *have)
{
    const hcc_result_t *r = &res[q->model];
    buf_t out = BUF_INIT;
    buf_printf(&out, "{\"model\":\"%s\",\"score\":%.3f,\"hccs\":[", hcc_model_name(q->model),
               round3(r->score));
    for (int i = 0; i < r->n_hccs; i++)
        buf_printf(&out, "%s\"HCC%d\"", i ? "," : "", r->hccs[i]);
    buf_puts(&out, "],\"factors\":{");
    int nf = 0;
    for (int i = 0; i < r->n_factors; i++) {
        if (r->factors[i].value == 0.0)
            continue; /* on, but adds nothing (D1-D3, ORIGDS ...): see docs/hcc.md */
        if (nf++)
            buf_putc(&out, ',');
        buf_json_str(&out, r->factors[i].name, strlen(r->factors[i].name));
        buf_printf(&out, ":%.15g", r->factors[i].value);
    }
    buf_putc(&out, '}');
    if (q->payment_year) {
        double raw[HCC_MODEL_COUNT];
        for (int m = 0; m < HCC_MODEL_COUNT; m++)
            raw[m] = have[m] ? res[m].score : 0.0;
        buf_printf(&out, ",\"payment\":{\"payment_year\":%d", q->payment_year);
        put_models(&out, "raw", raw, have, true);
        put_models(&out, "weights", q->pay.weight, NULL, false);
        put_models(&out, "normalization", q->pay.normalization, NULL, false);
        buf_printf(&out, ",\"coding_adjustment\":%.15g,\"score\":%.3f}", q->pay.coding_adjustment,
                   round3(hcc_payment_score(&q->pay, raw)));
    }
    buf_puts(&out, "}\n");
    int rc = CLI_OK;
    if (fwrite(buf_cstr(&out), 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
        err_t e;
        err_clear(&e);
        err_set(&e, ERR_IO, "cannot write the result");
        rc = cli_report(CMD, &e);
    }
    buf_free(&out);
    return rc;
}

static int run(const hcc_args_t *a, const hcc_request_t *q)
{
    hcc_tables_t *t = NULL;
    err_t e;
    err_clear(&e);
    if (hcc_tables_load(NULL, q->year, &t, &e) != 0)
        return cli_report(CMD, &e);
    int rc = check_codes(t, a);
    const char **dx = mem_calloc(a->ndx ? a->ndx : 1, sizeof *dx);
    for (size_t i = 0; i < a->ndx; i++)
        dx[i] = a->dx[i];
    hcc_result_t *res = mem_calloc(HCC_MODEL_COUNT, sizeof *res);
    bool have[HCC_MODEL_COUNT] = { false };
    for (int m = 0; rc == CLI_OK && m < HCC_MODEL_COUNT; m++) {
        /* The model asked for, and the other one when the blend needs it. */
        if (m != (int)q->model && !(q->payment_year && q->pay.weight[m] != 0.0))
            continue;
        if (hcc_score(t, (hcc_model_t)m, q->segment, &q->patient, dx, a->ndx, &res[m], &e) != 0)
            rc = cli_report(CMD, &e);
        have[m] = true;
    }
    if (rc == CLI_OK)
        rc = print_result(q, res, have);
    mem_free(res);
    mem_free(dx);
    hcc_tables_free(t);
    return rc;
}

int cmd_hcc(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return CLI_OK;
    }
    hcc_args_t a = { 0 };
    hcc_request_t q;
    int rc = parse_args(argc, argv, &a);
    if (rc == CLI_OK)
        rc = check_args(&a, &q);
    if (rc == CLI_OK)
        rc = run(&a, &q);
    mem_free(a.dx);
    return rc;
}
