/* codes.c — normalisation and validation of clinical code systems. */
#include "core/codes.h"

#include <stdbool.h>
#include <string.h>

#include "core/str.h"

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_alnum_upper(char c)
{
    return is_digit(c) || is_upper(c);
}

static char to_upper(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return false;
    return true;
}

/* Writes s[0..n) + NUL into out, or fails (emptying out) when it won't fit. */
static int emit(const char *s, size_t n, char *out, size_t cap)
{
    if (!out || n + 1 > cap) {
        if (out && cap > 0)
            out[0] = '\0';
        return -1;
    }
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

static int fail(char *out, size_t cap)
{
    if (out && cap > 0)
        out[0] = '\0';
    return -1;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* str_trim, skipped when there is nothing to trim (nearly always: codes are
 * read from trimmed fields). */
static void trim(const char **in, size_t *n)
{
    if (*n > 0 && !is_blank((*in)[0]) && !is_blank((*in)[*n - 1]))
        return;
    str_trim(in, n);
}

/* Trims blanks and upper-cases into tmp; -1 when empty or too long. */
static int prep(const char *in, size_t n, char tmp[CODE_MAX], size_t *len)
{
    if (!in)
        return -1;
    trim(&in, &n);
    if (n == 0 || n >= CODE_MAX)
        return -1;
    for (size_t i = 0; i < n; i++)
        tmp[i] = to_upper(in[i]);
    tmp[n] = '\0';
    *len = n;
    return 0;
}

/* ICD-10-CM (CDC/NCHS tabular list): a letter, a digit, an alphanumeric, then
 * up to four more alphanumerics (the dot after the category is display only).
 * "U" codes (U07.1 COVID-19) are valid, so any letter may lead. */
int code_norm_icd10cm(const char *in, size_t n, char *out, size_t cap)
{
    char c[CODE_MAX];
    size_t k = 0;
    if (!in)
        return fail(out, cap);
    trim(&in, &n);
    if (n == 0 || n >= CODE_MAX)
        return fail(out, cap);
    /* prep's upper-casing, fused with dropping the dot (claims carry several
     * diagnoses a line). */
    for (size_t i = 0; i < n; i++) {
        if (in[i] == '.') {
            /* One dot, right after the three-character category, and only
             * when something follows it. */
            if (i != 3 || i + 1 == n)
                return fail(out, cap);
            continue;
        }
        c[k++] = to_upper(in[i]);
    }
    if (k < 3 || k > 7 || !is_upper(c[0]) || !is_digit(c[1]))
        return fail(out, cap);
    for (size_t i = 2; i < k; i++)
        if (!is_alnum_upper(c[i]))
            return fail(out, cap);
    return emit(c, k, out, cap);
}

/* ICD-10-PCS (CMS): always 7 characters from 0-9 and A-Z, where the letters O
 * and I are never used so they cannot be confused with 0 and 1. */
int code_norm_icd10pcs(const char *in, size_t n, char *out, size_t cap)
{
    char t[CODE_MAX];
    size_t len;
    if (prep(in, n, t, &len) != 0 || len != 7)
        return fail(out, cap);
    for (size_t i = 0; i < len; i++)
        if (!is_alnum_upper(t[i]) || t[i] == 'O' || t[i] == 'I')
            return fail(out, cap);
    return emit(t, len, out, cap);
}

/* CPT (AMA) and HCPCS Level II (CMS), five characters:
 *   99214   CPT Category I: five digits
 *   0001F   CPT Category II (F), Category III (T), PLA (U), MAAA (M)
 *   G0439   HCPCS Level II: a letter A-V then four digits */
int code_norm_hcpcs(const char *in, size_t n, char *out, size_t cap)
{
    char t[CODE_MAX];
    size_t len;
    if (prep(in, n, t, &len) != 0 || len != 5)
        return fail(out, cap);
    bool ok = false;
    if (all_digits(t, 5))
        ok = true;
    else if (all_digits(t, 4) && (t[4] == 'F' || t[4] == 'T' || t[4] == 'U' || t[4] == 'M'))
        ok = true;
    else if (t[0] >= 'A' && t[0] <= 'V' && all_digits(t + 1, 4))
        ok = true;
    return ok ? emit(t, len, out, cap) : fail(out, cap);
}

/* LOINC's check digit is the mod-10 (Luhn) scheme of the LOINC Users' Guide:
 * from the right, every other digit starting with the units digit is doubled,
 * the digits of all products and of the remaining digits are summed, and the
 * check digit brings the sum to a multiple of 10. */
static int luhn_check_digit(const char *s, size_t n)
{
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int d = s[n - 1 - i] - '0';
        if (i % 2 == 0) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    return (10 - sum % 10) % 10;
}

int code_norm_loinc(const char *in, size_t n, char *out, size_t cap)
{
    char t[CODE_MAX];
    size_t len;
    if (prep(in, n, t, &len) != 0 || len < 3)
        return fail(out, cap);
    size_t body = len - 2;
    if (t[body] != '-' || body > 7 || !all_digits(t, body) || !is_digit(t[len - 1]))
        return fail(out, cap);
    if (luhn_check_digit(t, body) != t[len - 1] - '0')
        return fail(out, cap);
    return emit(t, len, out, cap);
}

/* Verhoeff's dihedral-group check (SNOMED CT Technical Implementation Guide,
 * "Check-digit computation"): the last digit of every SCTID. */
static const unsigned char verhoeff_d[10][10] = {
    { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, { 1, 2, 3, 4, 0, 6, 7, 8, 9, 5 },
    { 2, 3, 4, 0, 1, 7, 8, 9, 5, 6 }, { 3, 4, 0, 1, 2, 8, 9, 5, 6, 7 },
    { 4, 0, 1, 2, 3, 9, 5, 6, 7, 8 }, { 5, 9, 8, 7, 6, 0, 4, 3, 2, 1 },
    { 6, 5, 9, 8, 7, 1, 0, 4, 3, 2 }, { 7, 6, 5, 9, 8, 2, 1, 0, 4, 3 },
    { 8, 7, 6, 5, 9, 3, 2, 1, 0, 4 }, { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 },
};
/* verhoeff_p[i] is the permutation verhoeff_p[1] applied i times. */
static const unsigned char verhoeff_p[8][10] = {
    { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, { 1, 5, 7, 6, 2, 8, 3, 0, 9, 4 },
    { 5, 8, 0, 3, 7, 9, 6, 1, 4, 2 }, { 8, 9, 1, 6, 0, 4, 3, 5, 2, 7 },
    { 9, 4, 5, 3, 1, 2, 6, 8, 7, 0 }, { 4, 2, 8, 6, 5, 7, 3, 9, 0, 1 },
    { 2, 7, 9, 3, 8, 0, 6, 4, 1, 5 }, { 7, 0, 4, 6, 9, 1, 3, 2, 5, 8 },
};

static bool verhoeff_valid(const char *s, size_t n)
{
    int c = 0;
    for (size_t i = 0; i < n; i++)
        c = verhoeff_d[c][verhoeff_p[i % 8][s[n - 1 - i] - '0']];
    return c == 0;
}

/* SCTIDs are 6 to 18 digit integers (so no leading zero) ending in a Verhoeff
 * check digit. */
int code_norm_snomed(const char *in, size_t n, char *out, size_t cap)
{
    char t[CODE_MAX];
    size_t len;
    if (prep(in, n, t, &len) != 0 || len < 6 || len > 18 || !all_digits(t, len) || t[0] == '0')
        return fail(out, cap);
    if (!verhoeff_valid(t, len))
        return fail(out, cap);
    return emit(t, len, out, cap);
}

/* NDC (FDA): labeler-product-package in one of the 10-digit configurations
 * 4-4-2, 5-3-2 or 5-4-1, converted to the 11-digit 5-4-2 HIPAA form by a
 * leading zero in the short segment; 5-4-2 with hyphens and 11 plain digits
 * are already that form. A plain 10-digit NDC is rejected: without the hyphens
 * nobody can tell which segment to pad. */
int code_norm_ndc(const char *in, size_t n, char *out, size_t cap)
{
    char t[CODE_MAX];
    size_t len;
    if (in && n == 11 && all_digits(in, 11)) /* already the 11-digit form */
        return emit(in, 11, out, cap);
    if (prep(in, n, t, &len) != 0)
        return fail(out, cap);
    if (len == 11 && all_digits(t, 11))
        return emit(t, 11, out, cap);
    const char *h1 = memchr(t, '-', len);
    if (!h1)
        return fail(out, cap);
    const char *h2 = memchr(h1 + 1, '-', len - (size_t)(h1 + 1 - t));
    if (!h2 || memchr(h2 + 1, '-', len - (size_t)(h2 + 1 - t)))
        return fail(out, cap);
    size_t a = (size_t)(h1 - t), b = (size_t)(h2 - h1 - 1), c = len - (size_t)(h2 + 1 - t);
    const char *sa = t, *sb = h1 + 1, *sc = h2 + 1;
    if (!all_digits(sa, a) || !all_digits(sb, b) || !all_digits(sc, c))
        return fail(out, cap);
    bool ok = (a == 4 && b == 4 && c == 2) || (a == 5 && b == 3 && c == 2) ||
              (a == 5 && b == 4 && c == 1) || (a == 5 && b == 4 && c == 2);
    if (!ok)
        return fail(out, cap);
    char o[12];
    size_t k = 0;
    if (a == 4)
        o[k++] = '0';
    memcpy(o + k, sa, a);
    k += a;
    if (b == 3)
        o[k++] = '0';
    memcpy(o + k, sb, b);
    k += b;
    if (c == 1)
        o[k++] = '0';
    memcpy(o + k, sc, c);
    k += c;
    return emit(o, k, out, cap);
}

/* Strips leading zeros of a digit string; -1 when not all digits or zero. */
static int digits_core(const char *in, size_t n, const char **start, size_t *len)
{
    if (!in)
        return -1;
    str_trim(&in, &n);
    if (n == 0 || !all_digits(in, n))
        return -1;
    while (n > 1 && in[0] == '0') {
        in++;
        n--;
    }
    if (n == 1 && in[0] == '0')
        return -1;
    *start = in;
    *len = n;
    return 0;
}

/* RxNorm concept unique identifiers (RXCUI) are positive integers; leading
 * zeros are dropped so "0860975" and "860975" meet. */
int code_norm_rxnorm(const char *in, size_t n, char *out, size_t cap)
{
    const char *s;
    size_t len;
    if (digits_core(in, n, &s, &len) != 0 || len > 10)
        return fail(out, cap);
    return emit(s, len, out, cap);
}

/* CDC CVX codes are 1-3 digit numbers written with at least two digits in
 * the CDC table ("08" hepatitis B, "140" influenza), so "8" becomes "08". */
int code_norm_cvx(const char *in, size_t n, char *out, size_t cap)
{
    const char *s;
    size_t len;
    if (digits_core(in, n, &s, &len) != 0 || len > 3)
        return fail(out, cap);
    char o[4];
    size_t k = 0;
    if (len == 1)
        o[k++] = '0';
    memcpy(o + k, s, len);
    return emit(o, k + len, out, cap);
}

int code_norm(code_system_t sys, const char *in, size_t n, char *out, size_t cap)
{
    switch (sys) {
    case CODE_ICD10CM:
        return code_norm_icd10cm(in, n, out, cap);
    case CODE_ICD10PCS:
        return code_norm_icd10pcs(in, n, out, cap);
    case CODE_CPT_HCPCS:
        return code_norm_hcpcs(in, n, out, cap);
    case CODE_LOINC:
        return code_norm_loinc(in, n, out, cap);
    case CODE_SNOMED:
        return code_norm_snomed(in, n, out, cap);
    case CODE_NDC:
        return code_norm_ndc(in, n, out, cap);
    case CODE_RXNORM:
        return code_norm_rxnorm(in, n, out, cap);
    case CODE_CVX:
        return code_norm_cvx(in, n, out, cap);
    case CODE_UNKNOWN:
        break;
    }
    return fail(out, cap);
}

int code_icd10cm_dotted(const char *canonical, char *out, size_t cap)
{
    char c[CODE_MAX];
    if (!canonical || code_norm_icd10cm(canonical, strlen(canonical), c, sizeof c) != 0)
        return fail(out, cap);
    size_t len = strlen(c);
    if (len == 3)
        return emit(c, 3, out, cap);
    char d[CODE_MAX + 1];
    memcpy(d, c, 3);
    d[3] = '.';
    memcpy(d + 4, c + 3, len - 3);
    return emit(d, len + 1, out, cap);
}

/* Every code system URI Tripod reads or writes: FHIR R4 (terminology.hl7.org)
 * and VSAC URIs, the HL7 OIDs as urn:oid:. The first row of a system gives
 * its canonical URI and name. */
#define CODE_ALIASES 5
static const struct code_uri_row {
    code_system_t sys;
    const char *name;                  /* the store's short name of the system */
    const char *alt_name;              /* another short name read as it, or NULL */
    const char *uri;                   /* what Tripod writes */
    const char *aliases[CODE_ALIASES]; /* also read as this system */
} code_rows[] = {
    { CODE_ICD10CM, "ICD10CM", NULL, CODE_URI_ICD10CM, { "urn:oid:2.16.840.1.113883.6.90" } },
    { CODE_ICD10PCS, "ICD10PCS", NULL, CODE_URI_ICD10PCS, { "urn:oid:2.16.840.1.113883.6.4" } },
    { CODE_CPT_HCPCS, "HCPCS", "CPT", CODE_URI_CPT, { "urn:oid:2.16.840.1.113883.6.12" } },
    { CODE_CPT_HCPCS,
      "HCPCS",
      NULL,
      CODE_URI_HCPCS,
      { "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
        "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
        "urn:oid:2.16.840.1.113883.6.285", "urn:oid:2.16.840.1.113883.6.14" } },
    { CODE_LOINC, "LOINC", NULL, CODE_URI_LOINC, { "urn:oid:2.16.840.1.113883.6.1" } },
    { CODE_SNOMED, "SNOMED", NULL, CODE_URI_SNOMED, { "urn:oid:2.16.840.1.113883.6.96" } },
    { CODE_NDC, "NDC", NULL, CODE_URI_NDC, { "urn:oid:2.16.840.1.113883.6.69" } },
    { CODE_RXNORM, "RXNORM", NULL, CODE_URI_RXNORM, { "urn:oid:2.16.840.1.113883.6.88" } },
    { CODE_CVX, "CVX", NULL, CODE_URI_CVX, { "urn:oid:2.16.840.1.113883.12.292" } },
};
#define CODE_NROWS (sizeof code_rows / sizeof code_rows[0])

static const struct code_uri_row *row_of(code_system_t sys)
{
    for (size_t i = 0; i < CODE_NROWS; i++)
        if (code_rows[i].sys == sys)
            return &code_rows[i];
    return NULL;
}

/* Exact match, tolerating one trailing slash ("http://loinc.org/"). */
code_system_t code_system_from_uri(const char *uri)
{
    if (!uri)
        return CODE_UNKNOWN;
    size_t n = strlen(uri);
    if (n > 0 && uri[n - 1] == '/')
        n--;
    for (size_t i = 0; i < CODE_NROWS; i++) {
        if (str_eq(uri, n, code_rows[i].uri))
            return code_rows[i].sys;
        for (int k = 0; k < CODE_ALIASES && code_rows[i].aliases[k]; k++)
            if (str_eq(uri, n, code_rows[i].aliases[k]))
                return code_rows[i].sys;
    }
    return CODE_UNKNOWN;
}

code_system_t code_system_from_name(const char *name)
{
    if (!name)
        return CODE_UNKNOWN;
    for (size_t i = 0; i < CODE_NROWS; i++)
        if (strcmp(name, code_rows[i].name) == 0 ||
            (code_rows[i].alt_name && strcmp(name, code_rows[i].alt_name) == 0))
            return code_rows[i].sys;
    return CODE_UNKNOWN;
}

const char *code_system_uri(code_system_t sys)
{
    const struct code_uri_row *r = row_of(sys);
    return r ? r->uri : "";
}

const char *code_system_uri_for(code_system_t sys, const char *code)
{
    if (sys == CODE_CPT_HCPCS && code && is_upper(to_upper(code[0])))
        return CODE_URI_HCPCS;
    return code_system_uri(sys);
}

const char *code_cpt_hcpcs_uri(const char *code)
{
    return code_system_uri_for(CODE_CPT_HCPCS, code);
}

const char *code_system_name(code_system_t sys)
{
    const struct code_uri_row *r = row_of(sys);
    return r ? r->name : "UNKNOWN";
}
