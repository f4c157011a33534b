/* test_codes.c — canonical forms and validation of each code system. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/codes.h"

typedef int (*norm_fn)(const char *, size_t, char *, size_t);

static void ok(norm_fn f, const char *in, const char *want)
{
    char out[CODE_MAX];
    if (f(in, strlen(in), out, sizeof out) != 0)
        fail_msg("rejected '%s'", in);
    if (strcmp(out, want) != 0)
        fail_msg("'%s' -> '%s', want '%s'", in, out, want);
}

static void bad(norm_fn f, const char *in)
{
    char out[CODE_MAX] = "junk";
    if (f(in, strlen(in), out, sizeof out) == 0)
        fail_msg("accepted '%s' as '%s'", in, out);
    assert_string_equal(out, ""); /* failure leaves an empty string */
}

static void test_icd10cm(void **state)
{
    ok(code_norm_icd10cm, "E11.9", "E119");
    ok(code_norm_icd10cm, "e119", "E119");
    ok(code_norm_icd10cm, " E119 ", "E119");
    ok(code_norm_icd10cm, "I50.22", "I5022");
    ok(code_norm_icd10cm, "S72.001A", "S72001A");
    ok(code_norm_icd10cm, "M1A.0110", "M1A0110"); /* alphanumeric third character */
    ok(code_norm_icd10cm, "U07.1", "U071");
    ok(code_norm_icd10cm, "Z59.0", "Z590");
    ok(code_norm_icd10cm, "E11", "E11");
    ok(code_norm_icd10cm, "T36.0X5A", "T360X5A"); /* placeholder X */
    bad(code_norm_icd10cm, "");
    bad(code_norm_icd10cm, "   ");
    bad(code_norm_icd10cm, "E1");
    bad(code_norm_icd10cm, "11.9");
    bad(code_norm_icd10cm, "EE1.9");
    bad(code_norm_icd10cm, "E11.");
    bad(code_norm_icd10cm, "E1.19");
    bad(code_norm_icd10cm, "E11..9");
    bad(code_norm_icd10cm, "E11.9.");
    bad(code_norm_icd10cm, "S72.001AB"); /* 8 characters */
    bad(code_norm_icd10cm, "E11-9");
    bad(code_norm_icd10cm, "E11 9");
    bad(code_norm_icd10cm, "E11.9*");
    bad(code_norm_icd10cm, "0DTJ4ZZ");
}

static void test_icd10cm_dotted(void **state)
{
    char out[CODE_MAX];
    assert_int_equal(code_icd10cm_dotted("E119", out, sizeof out), 0);
    assert_string_equal(out, "E11.9");
    assert_int_equal(code_icd10cm_dotted("S72001A", out, sizeof out), 0);
    assert_string_equal(out, "S72.001A");
    assert_int_equal(code_icd10cm_dotted("E11", out, sizeof out), 0);
    assert_string_equal(out, "E11");
    assert_int_equal(code_icd10cm_dotted("11", out, sizeof out), -1);
    assert_int_equal(code_icd10cm_dotted(NULL, out, sizeof out), -1);
    assert_int_equal(code_icd10cm_dotted("E119", out, 6), 0);
    assert_int_equal(code_icd10cm_dotted("E119", out, 5), -1); /* "E11.9" + NUL needs 6 */
}

static void test_icd10pcs(void **state)
{
    ok(code_norm_icd10pcs, "0DTJ4ZZ", "0DTJ4ZZ");
    ok(code_norm_icd10pcs, "0dtj4zz", "0DTJ4ZZ");
    ok(code_norm_icd10pcs, " 02HV33Z ", "02HV33Z");
    bad(code_norm_icd10pcs, "0DTJ4Z");
    bad(code_norm_icd10pcs, "0DTJ4ZZZ");
    bad(code_norm_icd10pcs, "0DTO4ZZ"); /* O is never used */
    bad(code_norm_icd10pcs, "0DTI4ZZ"); /* nor I */
    bad(code_norm_icd10pcs, "0dti4zz");
    bad(code_norm_icd10pcs, "0DT.J4ZZ");
    bad(code_norm_icd10pcs, "0DT-4ZZ");
}

static void test_hcpcs(void **state)
{
    ok(code_norm_hcpcs, "99214", "99214");
    ok(code_norm_hcpcs, "g0439", "G0439");
    ok(code_norm_hcpcs, "0001F", "0001F"); /* Category II */
    ok(code_norm_hcpcs, "0042t", "0042T"); /* Category III */
    ok(code_norm_hcpcs, "0001U", "0001U"); /* PLA */
    ok(code_norm_hcpcs, "0002M", "0002M"); /* MAAA */
    ok(code_norm_hcpcs, "A0428", "A0428");
    ok(code_norm_hcpcs, "V2020", "V2020");
    ok(code_norm_hcpcs, " J1100 ", "J1100");
    bad(code_norm_hcpcs, "W1234");
    bad(code_norm_hcpcs, "Z1234");
    bad(code_norm_hcpcs, "9921");
    bad(code_norm_hcpcs, "992145");
    bad(code_norm_hcpcs, "0001X");
    bad(code_norm_hcpcs, "G04391");
    bad(code_norm_hcpcs, "99214-25");
    bad(code_norm_hcpcs, "ABCDE");
    bad(code_norm_hcpcs, "GG439");
    bad(code_norm_hcpcs, "G 439");
}

static const char *valid_loinc[] = {
    "4548-4", "2339-0", "8480-6",  "8462-4",  "85354-9", "29463-7", "59408-5",
    "718-7",  "2093-3", "13457-7", "17856-6", "1-8",     "10-9",    "12345-5",
};

static void test_loinc(void **state)
{
    for (size_t i = 0; i < sizeof valid_loinc / sizeof valid_loinc[0]; i++)
        ok(code_norm_loinc, valid_loinc[i], valid_loinc[i]);
    ok(code_norm_loinc, " 4548-4 ", "4548-4");
    /* Every wrong check digit of every valid code is caught. */
    for (size_t i = 0; i < sizeof valid_loinc / sizeof valid_loinc[0]; i++) {
        char s[CODE_MAX];
        memcpy(s, valid_loinc[i], strlen(valid_loinc[i]) + 1);
        size_t n = strlen(s);
        char good = s[n - 1];
        for (char c = '0'; c <= '9'; c++) {
            if (c == good)
                continue;
            s[n - 1] = c;
            bad(code_norm_loinc, s);
        }
    }
    bad(code_norm_loinc, "45484");
    bad(code_norm_loinc, "4548-");
    bad(code_norm_loinc, "-4");
    bad(code_norm_loinc, "4548-44");
    bad(code_norm_loinc, "12345678-0"); /* more than 7 digits */
    bad(code_norm_loinc, "4a48-4");
    bad(code_norm_loinc, "LP1234-5");
    bad(code_norm_loinc, "4548--4");
    bad(code_norm_loinc, "4548.4");
}

static const char *valid_sctid[] = {
    "44054006",  "38341003",  "73211009",  "22298006",  "840539006",
    "138875005", "116680003", "195967001", "449868002", "404684003",
    "71388002",  "10001005",  "236425005", "160903007", "900000000000207008",
};

static void test_snomed(void **state)
{
    for (size_t i = 0; i < sizeof valid_sctid / sizeof valid_sctid[0]; i++)
        ok(code_norm_snomed, valid_sctid[i], valid_sctid[i]);
    ok(code_norm_snomed, " 44054006\t", "44054006");
    /* Verhoeff catches every single-digit error and every transposition of
     * adjacent different digits. */
    for (size_t i = 0; i < sizeof valid_sctid / sizeof valid_sctid[0]; i++) {
        char s[CODE_MAX];
        size_t n = strlen(valid_sctid[i]);
        for (size_t pos = 0; pos < n; pos++) {
            for (char c = '0'; c <= '9'; c++) {
                memcpy(s, valid_sctid[i], n + 1);
                if (s[pos] == c || (pos == 0 && c == '0'))
                    continue;
                s[pos] = c;
                bad(code_norm_snomed, s);
            }
            if (pos + 1 < n && valid_sctid[i][pos] != valid_sctid[i][pos + 1]) {
                memcpy(s, valid_sctid[i], n + 1);
                s[pos] = valid_sctid[i][pos + 1];
                s[pos + 1] = valid_sctid[i][pos];
                if (s[0] != '0')
                    bad(code_norm_snomed, s);
            }
        }
    }
    bad(code_norm_snomed, "12340"); /* too short */
    bad(code_norm_snomed, "1234567890123456789");
    bad(code_norm_snomed, "044054006"); /* leading zero */
    bad(code_norm_snomed, "4405400a");
    bad(code_norm_snomed, "44054-006");
}

static void test_ndc(void **state)
{
    ok(code_norm_ndc, "0002-3227-30", "00002322730");  /* 4-4-2 */
    ok(code_norm_ndc, "50580-506-02", "50580050602");  /* 5-3-2 */
    ok(code_norm_ndc, "12345-6789-1", "12345678901");  /* 5-4-1 */
    ok(code_norm_ndc, "12345-6789-01", "12345678901"); /* 5-4-2 */
    ok(code_norm_ndc, "00002-3227-30", "00002322730");
    ok(code_norm_ndc, "00002322730", "00002322730");
    ok(code_norm_ndc, " 00002322730 ", "00002322730");
    bad(code_norm_ndc, "0002322730"); /* plain 10 digits: ambiguous */
    bad(code_norm_ndc, "1234-5678-9");
    bad(code_norm_ndc, "12345-678-9");
    bad(code_norm_ndc, "1234-567-89");
    bad(code_norm_ndc, "123456-789-0");
    bad(code_norm_ndc, "0002-3227-3a");
    bad(code_norm_ndc, "0002--322730");
    bad(code_norm_ndc, "0002-3227-30-1");
    bad(code_norm_ndc, "00002-322730");
    bad(code_norm_ndc, "000023227301");
    bad(code_norm_ndc, "0000232273");
    bad(code_norm_ndc, "--");
}

static void test_rxnorm_cvx(void **state)
{
    ok(code_norm_rxnorm, "860975", "860975");
    ok(code_norm_rxnorm, "0860975", "860975");
    ok(code_norm_rxnorm, " 197361 ", "197361");
    bad(code_norm_rxnorm, "0");
    bad(code_norm_rxnorm, "");
    bad(code_norm_rxnorm, "86a975");
    bad(code_norm_rxnorm, "-860975");
    bad(code_norm_rxnorm, "12345678901");
    ok(code_norm_cvx, "8", "08");
    ok(code_norm_cvx, "08", "08");
    ok(code_norm_cvx, "140", "140");
    ok(code_norm_cvx, "0140", "140");
    ok(code_norm_cvx, "213", "213");
    bad(code_norm_cvx, "1000");
    bad(code_norm_cvx, "0");
    bad(code_norm_cvx, "a1");
    bad(code_norm_cvx, "");
}

static void test_dispatch_and_cap(void **state)
{
    char out[CODE_MAX];
    assert_int_equal(code_norm(CODE_ICD10CM, "e11.9", 5, out, sizeof out), 0);
    assert_string_equal(out, "E119");
    assert_int_equal(code_norm(CODE_LOINC, "4548-4", 6, out, sizeof out), 0);
    assert_int_equal(code_norm(CODE_SNOMED, "44054006", 8, out, sizeof out), 0);
    assert_int_equal(code_norm(CODE_NDC, "0002-3227-30", 12, out, sizeof out), 0);
    assert_int_equal(code_norm(CODE_CPT_HCPCS, "g0439", 5, out, sizeof out), 0);
    assert_int_equal(code_norm(CODE_ICD10PCS, "0DTJ4ZZ", 7, out, sizeof out), 0);
    assert_int_equal(code_norm(CODE_RXNORM, "860975", 6, out, sizeof out), 0);
    assert_int_equal(code_norm(CODE_CVX, "8", 1, out, sizeof out), 0);
    assert_string_equal(out, "08");
    assert_int_equal(code_norm(CODE_UNKNOWN, "E119", 4, out, sizeof out), -1);
    /* n bytes only, and a cap that is one short fails. */
    assert_int_equal(code_norm_icd10cm("E119XYZ", 4, out, sizeof out), 0);
    assert_string_equal(out, "E119");
    char tiny[4];
    assert_int_equal(code_norm_icd10cm("E119", 4, tiny, sizeof tiny), -1);
    assert_string_equal(tiny, "");
    char fit[5];
    assert_int_equal(code_norm_icd10cm("E119", 4, fit, sizeof fit), 0);
    assert_int_equal(code_norm_icd10cm(NULL, 0, fit, sizeof fit), -1);
    /* Inputs too long for any canonical form. */
    char lng[100];
    memset(lng, '1', sizeof lng);
    assert_int_equal(code_norm_rxnorm(lng, sizeof lng, out, sizeof out), -1);
    assert_int_equal(code_norm_snomed(lng, sizeof lng, out, sizeof out), -1);
}

static void test_uris(void **state)
{
    static const struct {
        const char *uri;
        code_system_t sys;
    } cases[] = {
        { "http://hl7.org/fhir/sid/icd-10-cm", CODE_ICD10CM },
        { "urn:oid:2.16.840.1.113883.6.90", CODE_ICD10CM },
        { "http://www.cms.gov/Medicare/Coding/ICD10", CODE_ICD10PCS },
        { "http://www.ama-assn.org/go/cpt", CODE_CPT_HCPCS },
        { "urn:oid:2.16.840.1.113883.6.12", CODE_CPT_HCPCS },
        { "http://www.nlm.nih.gov/research/umls/hcpcs", CODE_CPT_HCPCS }, /* the eCQMs' */
        { "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", CODE_CPT_HCPCS },
        { "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", CODE_CPT_HCPCS },
        { "urn:oid:2.16.840.1.113883.6.285", CODE_CPT_HCPCS },
        { "urn:oid:2.16.840.1.113883.6.14", CODE_CPT_HCPCS },
        { "http://loinc.org", CODE_LOINC },
        { "http://loinc.org/", CODE_LOINC },
        { "urn:oid:2.16.840.1.113883.6.1", CODE_LOINC },
        { "http://snomed.info/sct", CODE_SNOMED },
        { "urn:oid:2.16.840.1.113883.6.96", CODE_SNOMED },
        { "http://www.nlm.nih.gov/research/umls/rxnorm", CODE_RXNORM },
        { "urn:oid:2.16.840.1.113883.6.88", CODE_RXNORM },
        { "http://hl7.org/fhir/sid/ndc", CODE_NDC },
        { "urn:oid:2.16.840.1.113883.6.69", CODE_NDC },
        { "http://hl7.org/fhir/sid/cvx", CODE_CVX },
        { "urn:oid:2.16.840.1.113883.12.292", CODE_CVX },
        { "urn:oid:2.16.840.1.113883.6.4", CODE_ICD10PCS },
        { "http://www.nlm.nih.gov/research/umls/hcpcs/", CODE_CPT_HCPCS },
        { "http://www.nlm.nih.gov/research/umls/hcpcs//", CODE_UNKNOWN },
        { "HTTP://LOINC.ORG", CODE_UNKNOWN }, /* exact case */
        { "LOINC", CODE_UNKNOWN },            /* a name, not a URI */
        { "http://example.org/codes", CODE_UNKNOWN },
        { "http://loinc.org/x", CODE_UNKNOWN },
        { "http://hl7.org/fhir/sid/icd-10", CODE_UNKNOWN }, /* WHO ICD-10, not -CM */
        { "urn:oid:2.16.840.1.113883.6.9", CODE_UNKNOWN },
        { "", CODE_UNKNOWN },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (code_system_from_uri(cases[i].uri) != cases[i].sys)
            fail_msg("%s -> %d", cases[i].uri, code_system_from_uri(cases[i].uri));
    assert_int_equal(code_system_from_uri(NULL), CODE_UNKNOWN);
    for (int s = CODE_ICD10CM; s <= CODE_CVX; s++)
        assert_int_equal(code_system_from_uri(code_system_uri((code_system_t)s)), s);
    assert_string_equal(code_system_uri(CODE_UNKNOWN), "");
    assert_string_equal(code_system_uri(CODE_LOINC), "http://loinc.org");
    assert_string_equal(code_system_uri(CODE_CPT_HCPCS), "http://www.ama-assn.org/go/cpt");
    /* HCPCS Level II as the eCQM value sets write it (VSAC), so that a code
     * the store source writes meets the value set's. */
    assert_string_equal(code_cpt_hcpcs_uri("G0439"), "http://www.nlm.nih.gov/research/umls/hcpcs");
    assert_string_equal(code_cpt_hcpcs_uri("g0439"), "http://www.nlm.nih.gov/research/umls/hcpcs");
    assert_string_equal(code_cpt_hcpcs_uri("99214"), "http://www.ama-assn.org/go/cpt");
    assert_string_equal(code_cpt_hcpcs_uri("0001F"), "http://www.ama-assn.org/go/cpt");
    assert_string_equal(code_cpt_hcpcs_uri(NULL), "http://www.ama-assn.org/go/cpt");
    assert_string_equal(code_system_uri_for(CODE_CPT_HCPCS, "J3490"), CODE_URI_HCPCS);
    assert_string_equal(code_system_uri_for(CODE_LOINC, "4548-4"), CODE_URI_LOINC);
    assert_string_equal(code_system_uri_for(CODE_ICD10CM, "E119"), CODE_URI_ICD10CM);
    assert_string_equal(code_system_uri_for(CODE_UNKNOWN, "x"), "");
    /* The macros are the table's canonical URIs. */
    static const struct {
        code_system_t sys;
        const char *uri;
    } canon[] = {
        { CODE_ICD10CM, CODE_URI_ICD10CM }, { CODE_ICD10PCS, CODE_URI_ICD10PCS },
        { CODE_CPT_HCPCS, CODE_URI_CPT },   { CODE_LOINC, CODE_URI_LOINC },
        { CODE_SNOMED, CODE_URI_SNOMED },   { CODE_NDC, CODE_URI_NDC },
        { CODE_RXNORM, CODE_URI_RXNORM },   { CODE_CVX, CODE_URI_CVX },
    };
    for (size_t i = 0; i < sizeof canon / sizeof canon[0]; i++) {
        assert_string_equal(code_system_uri(canon[i].sys), canon[i].uri);
        assert_int_equal(code_system_from_uri(canon[i].uri), canon[i].sys);
    }
    assert_int_equal(code_system_from_uri(CODE_URI_HCPCS), CODE_CPT_HCPCS);
}

static void test_names(void **state)
{
    assert_string_equal(code_system_name(CODE_ICD10CM), "ICD10CM");
    assert_string_equal(code_system_name(CODE_ICD10PCS), "ICD10PCS");
    assert_string_equal(code_system_name(CODE_CPT_HCPCS), "HCPCS");
    assert_string_equal(code_system_name(CODE_LOINC), "LOINC");
    assert_string_equal(code_system_name(CODE_SNOMED), "SNOMED");
    assert_string_equal(code_system_name(CODE_NDC), "NDC");
    assert_string_equal(code_system_name(CODE_RXNORM), "RXNORM");
    assert_string_equal(code_system_name(CODE_CVX), "CVX");
    assert_string_equal(code_system_name(CODE_UNKNOWN), "UNKNOWN");
    /* Names back to systems: every name, "CPT" too, exact case only. */
    for (int s = CODE_ICD10CM; s <= CODE_CVX; s++)
        assert_int_equal(code_system_from_name(code_system_name((code_system_t)s)), s);
    assert_int_equal(code_system_from_name("CPT"), CODE_CPT_HCPCS);
    assert_int_equal(code_system_from_name("loinc"), CODE_UNKNOWN);
    assert_int_equal(code_system_from_name("UNKNOWN"), CODE_UNKNOWN);
    assert_int_equal(code_system_from_name(""), CODE_UNKNOWN);
    assert_int_equal(code_system_from_name(NULL), CODE_UNKNOWN);
    assert_int_equal(code_system_from_name("http://loinc.org"), CODE_UNKNOWN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_icd10cm),
        cmocka_unit_test(test_icd10cm_dotted),
        cmocka_unit_test(test_icd10pcs),
        cmocka_unit_test(test_hcpcs),
        cmocka_unit_test(test_loinc),
        cmocka_unit_test(test_snomed),
        cmocka_unit_test(test_ndc),
        cmocka_unit_test(test_rxnorm_cvx),
        cmocka_unit_test(test_dispatch_and_cap),
        cmocka_unit_test(test_uris),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
