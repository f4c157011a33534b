/* test_hcc_cli.c — `tripod hcc` through cmd_hcc: output, exit codes, messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Declared here without cli.h's weak attribute: a strong reference is what
 * makes the linker take cmd_hcc.o out of the static library. */
int cmd_hcc(int argc, char **argv);

static char out[8192], errs[4096];

static void slurp(FILE *f, char *buf, size_t cap)
{
    rewind(f);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* Runs cmd_hcc with argv (NULL-terminated, argv[0] "hcc"), capturing stdout
 * and stderr into out and errs. Returns the exit code. */
static int run(char **argv)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    fflush(stdout);
    fflush(stderr);
    FILE *fo = tmpfile(), *fe = tmpfile();
    assert_non_null(fo);
    assert_non_null(fe);
    int so = dup(1), se = dup(2);
    dup2(fileno(fo), 1);
    dup2(fileno(fe), 2);
    int rc = cmd_hcc(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    slurp(fo, out, sizeof out);
    slurp(fe, errs, sizeof errs);
    return rc;
}

#define ARGV(...) ((char *[]){ "hcc", __VA_ARGS__, NULL })

static void test_worked_example(void **state)
{
    assert_int_equal(run(ARGV("--model", "V24", "--segment", "CNA", "--age", "70", "--sex", "M",
                              "--dx", "E1169,I509")),
                     0);
    assert_string_equal(out, "{\"model\":\"V24\",\"score\":1.148,\"hccs\":[\"HCC18\",\"HCC85\"],"
                             "\"factors\":{\"CNA_M70_74\":0.394,\"CNA_HCC18\":0.302,"
                             "\"CNA_HCC85\":0.331,\"CNA_DIABETES_CHF\":0.121}}\n");
    assert_string_equal(errs, "");
    /* Dotted, lower case, repeated --dx, --opt=value: the same answer. */
    assert_int_equal(run(ARGV("--model=v24", "--segment=cna", "--age=70", "--sex=m", "--dx",
                              "e11.69", "--dx", " I50.9 ,")),
                     0);
    assert_non_null(strstr(out, "\"score\":1.148,"));
}

static void test_bad_code(void **state)
{
    /* Well formed but extends the billable E11.9: exit 1 naming it. */
    assert_int_equal(run(ARGV("--model", "V24", "--segment", "CNA", "--age", "70", "--sex", "M",
                              "--dx", "E11.9,E11.999")),
                     1);
    assert_string_equal(out, "");
    assert_string_equal(errs, "tripod hcc: --dx: \"E11.999\" is not a valid ICD-10-CM code\n");
    /* Not ICD-10-CM at all. */
    assert_int_equal(run(ARGV("--model", "V28", "--segment", "CNA", "--age", "70", "--sex", "M",
                              "--dx", "12345")),
                     1);
    assert_string_equal(errs, "tripod hcc: --dx: \"12345\" is not a valid ICD-10-CM code\n");
}

static void test_misuse(void **state)
{
    /* Missing options, invalid values, unknown arguments: exit 2. */
    assert_int_equal(run(ARGV("--model", "V24", "--segment", "CNA", "--age", "70", "--sex", "M")),
                     2);
    assert_non_null(strstr(errs, "required"));
    assert_int_equal(run(ARGV("--model", "V23", "--segment", "CNA", "--age", "70", "--sex", "M",
                              "--dx", "I509")),
                     2);
    assert_int_equal(run(ARGV("--model", "V24", "--segment", "CXX", "--age", "70", "--sex", "M",
                              "--dx", "I509")),
                     2);
    assert_int_equal(run(ARGV("--model", "V24", "--segment", "CNA", "--age", "7x", "--sex", "M",
                              "--dx", "I509")),
                     2);
    assert_int_equal(run(ARGV("--model", "V24", "--segment", "CNA", "--age", "70", "--sex", "U",
                              "--dx", "I509")),
                     2);
    assert_int_equal(run(ARGV("--model", "V24", "--segment", "CNA", "--age", "70", "--sex", "M",
                              "--orec", "4", "--dx", "I509")),
                     2);
    assert_int_equal(run(ARGV("--model", "V24", "--segment", "CNA", "--age", "50", "--sex", "M",
                              "--dx", "I509")),
                     2);
    assert_non_null(strstr(errs, "does not fit --segment CNA"));
    assert_int_equal(run(ARGV("--model", "V24", "--segment", "CNA", "--age", "70", "--sex", "M",
                              "--dx", "I509", "extra")),
                     2);
    assert_int_equal(
        run(ARGV("--model", "V24", "--segment", "CNA", "--age", "70", "--sex", "M", "--dx")), 2);
    assert_int_equal(run(ARGV("--model", "V24", "--segment", "CNA", "--age", "70", "--sex", "M",
                              "--dx", "I509", "--norm-v28", "1.1")),
                     2);
    assert_int_equal(run(ARGV("--model", "V24", "--segment", "CNA", "--age", "70", "--sex", "M",
                              "--dx", "I509", "--payment-year", "2031")),
                     2);
    assert_string_equal(out, "");
    assert_int_equal(run(ARGV("--help")), 0);
    assert_non_null(strstr(out, "usage: tripod hcc"));
}

static void test_demographic_only_and_year(void **state)
{
    /* No diagnoses: V28 NE, 64 entitled by age -> NE_NMCAID_NORIGDIS_NEF65 0.532 (C28). */
    assert_int_equal(run(ARGV("--model", "V28", "--segment", "NE", "--age", "64", "--sex", "F",
                              "--orec", "0", "--dx", "")),
                     0);
    assert_string_equal(out, "{\"model\":\"V28\",\"score\":0.532,\"hccs\":[],"
                             "\"factors\":{\"NE_NMCAID_NORIGDIS_NEF65\":0.532}}\n");
    /* The 2025 tables give the worked example the same 1.148 (C24 unchanged). */
    assert_int_equal(run(ARGV("--model", "V24", "--segment", "CNA", "--age", "70", "--sex", "M",
                              "--dx", "E1169,I509", "--year", "2025")),
                     0);
    assert_non_null(strstr(out, "\"score\":1.148,"));
    /* No tables for 2099: bad input naming the file. */
    assert_int_equal(run(ARGV("--model", "V24", "--segment", "CNA", "--age", "70", "--sex", "M",
                              "--dx", "E1169", "--year", "2099")),
                     1);
    assert_non_null(strstr(errs, "ra_dx_to_cc_2099.csv"));
}

static void test_payment(void **state)
{
    /* Worked example patient: V24 raw 1.148, V28 raw 1.034 (test_hcc.c).
     * 2025: (0.33 * 1.148 / 1.153 + 0.67 * 1.034 / 1.045) * 0.941 = 0.933 */
    assert_int_equal(run(ARGV("--model", "V24", "--segment", "CNA", "--age", "70", "--sex", "M",
                              "--dx", "E1169,I509", "--payment-year", "2025")),
                     0);
    assert_non_null(strstr(out, "\"payment\":{\"payment_year\":2025,"
                                "\"raw\":{\"V24\":1.148,\"V28\":1.034},"
                                "\"weights\":{\"V24\":0.33,\"V28\":0.67},"
                                "\"normalization\":{\"V24\":1.153,\"V28\":1.045},"
                                "\"coding_adjustment\":0.059,\"score\":0.933}}"));
    /* 2026: V28 only; V24 is not computed. 1.034 / 1.067 * 0.941 = 0.912 */
    assert_int_equal(run(ARGV("--model", "V28", "--segment", "CNA", "--age", "70", "--sex", "M",
                              "--dx", "E1169,I509", "--payment-year", "2026")),
                     0);
    assert_non_null(strstr(out, "\"raw\":{\"V24\":null,\"V28\":1.034}"));
    assert_non_null(strstr(out, "\"score\":0.912}}"));
    /* Overrides: no normalisation, no adjustment, 50/50:
     * 0.5 * 1.148 + 0.5 * 1.034 = 1.091 */
    assert_int_equal(run(ARGV("--model", "V28", "--segment", "CNA", "--age", "70", "--sex", "M",
                              "--dx", "E1169,I509", "--payment-year", "2026", "--weight-v24", "0.5",
                              "--norm-v24", "1", "--norm-v28", "1", "--coding-adjustment", "0")),
                     0);
    assert_non_null(strstr(out, "\"score\":1.091}}"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_example), cmocka_unit_test(test_bad_code),
        cmocka_unit_test(test_misuse),         cmocka_unit_test(test_demographic_only_and_year),
        cmocka_unit_test(test_payment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
