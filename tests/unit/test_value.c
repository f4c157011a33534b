/* test_value.c — the sex and flag words (core/value.h), and the engine's use
 * of them.
 *
 * Before core/value.c there were two readers: the Tuva importer took exact
 * words and rejected anything else, the analytics engine looked at the first
 * letter only. The tables keep both old answers beside the one kept, so that
 * where they disagreed stays on record (the old answers were printed from
 * the code before the change, same inputs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "analytics/engine_internal.h"
#include "core/value.h"

#define REJ (-1) /* the reader rejects the text */

/* Sex: 1 male, 2 female, 0 unknown, REJ. The engine never rejected: it took
 * anything but m... / f... as unknown. */
static const struct {
    const char *in;
    int old_tuva, old_engine, now;
} sex_cases[] = {
    { "M", 1, 1, 1 },
    { "male", 1, 1, 1 },
    { "Male", 1, 1, 1 },
    { "m", 1, 1, 1 },
    { "MALE", 1, 1, 1 },
    { " male ", 1, 1, 1 },
    { "F", 2, 2, 2 },
    { "female", 2, 2, 2 },
    { "f", 2, 2, 2 },
    { "Female", 2, 2, 2 },
    { "U", 0, 0, 0 },
    { "u", 0, 0, 0 },
    { "unknown", 0, 0, 0 },
    { "O", 0, 0, 0 },
    { "other", 0, 0, 0 },
    { "", REJ, 0, REJ },
    { " ", REJ, 0, REJ },
    /* Disagreements: the engine's first letter. */
    { "Mx", REJ, 1, REJ },
    { "Man", REJ, 1, REJ },
    { "Fem", REJ, 2, REJ },
    { "false", REJ, 2, REJ },
    { "FALSE", REJ, 2, REJ },
    /* Neither a sex for either reader. */
    { "x", REJ, 0, REJ },
    { "1", REJ, 0, REJ },
    { "0", REJ, 0, REJ },
    { "2", REJ, 0, REJ },
    { "Y", REJ, 0, REJ },
    { "yes", REJ, 0, REJ },
    { "true", REJ, 0, REJ },
    { "N", REJ, 0, REJ },
    { "T", REJ, 0, REJ },
    { "malefemale", REJ, 1, REJ },
};

/* Flags: 1, 0, or REJ (the engine's -1, unknown). */
static const struct {
    const char *in;
    int old_tuva, old_engine, now;
} flag_cases[] = {
    { "1", 1, 1, 1 },
    { "0", 0, 0, 0 },
    { " 1 ", 1, 1, 1 },
    { "Y", 1, 1, 1 },
    { "y", 1, 1, 1 },
    { "yes", 1, 1, 1 },
    { "YES", 1, 1, 1 },
    { " yes", 1, 1, 1 },
    { "true", 1, 1, 1 },
    { "True", 1, 1, 1 },
    { "N", 0, 0, 0 },
    { "n", 0, 0, 0 },
    { "no", 0, 0, 0 },
    { "false", 0, 0, 0 },
    { "FALSE", 0, 0, 0 },
    { "", REJ, REJ, REJ },
    { " ", REJ, REJ, REJ },
    /* Disagreements: the engine's first letter. */
    { "T", REJ, 1, REJ },
    { "t", REJ, 1, REJ },
    { "F", REJ, 0, REJ },
    { "f", REJ, 0, REJ },
    { "female", REJ, 0, REJ },
    { "Fem", REJ, 0, REJ },
    { "yeah", REJ, 1, REJ },
    { "nope", REJ, 0, REJ },
    { "10", REJ, 1, REJ },
    { "01", REJ, 0, REJ },
    /* Neither a flag for either reader. */
    { "M", REJ, REJ, REJ },
    { "male", REJ, REJ, REJ },
    { "U", REJ, REJ, REJ },
    { "unknown", REJ, REJ, REJ },
    { "x", REJ, REJ, REJ },
    { "2", REJ, REJ, REJ },
    { "on", REJ, REJ, REJ },
    { "off", REJ, REJ, REJ },
    { "Mx", REJ, REJ, REJ },
};

static void test_sex_words(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof sex_cases / sizeof sex_cases[0]; i++) {
        const char *in = sex_cases[i].in;
        value_sex_t v = (value_sex_t)77;
        int rc = value_sex(in, strlen(in), &v);
        int got = rc == 0 ? (int)v : REJ;
        if (got != sex_cases[i].now)
            fail_msg("value_sex(\"%s\") = %d, want %d", in, got, sex_cases[i].now);
        if (rc != 0 && v != (value_sex_t)77)
            fail_msg("value_sex(\"%s\") changed *out on failure", in);
    }
    /* Exactly n bytes: the text after them is not read. */
    value_sex_t v;
    assert_int_equal(value_sex("male!", 4, &v), 0);
    assert_int_equal(v, VALUE_SEX_MALE);
    assert_int_equal(value_sex("femalex", 6, &v), 0);
    assert_int_equal(v, VALUE_SEX_FEMALE);
    assert_string_equal(value_sex_name(VALUE_SEX_MALE), "male");
    assert_string_equal(value_sex_name(VALUE_SEX_FEMALE), "female");
    assert_string_equal(value_sex_name(VALUE_SEX_UNKNOWN), "unknown");
    assert_string_equal(value_sex_name((value_sex_t)9), "unknown");
}

static void test_flag_words(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof flag_cases / sizeof flag_cases[0]; i++) {
        const char *in = flag_cases[i].in;
        int v = 77;
        int rc = value_flag(in, strlen(in), &v);
        int got = rc == 0 ? v : REJ;
        if (got != flag_cases[i].now)
            fail_msg("value_flag(\"%s\") = %d, want %d", in, got, flag_cases[i].now);
        if (rc != 0 && v != 77)
            fail_msg("value_flag(\"%s\") changed *out on failure", in);
    }
    int v;
    assert_int_equal(value_flag("1x", 1, &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(value_flag("yesno", 3, &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(value_flag("0", 0, &v), -1);
}

/* The engine's sex of one person added with sex s. */
static int engine_sex(const char *s)
{
    engine_t *en = engine_new(NULL);
    engine_person_row_t r = { .person_id = "p1",
                              .sex = s,
                              .birth = DATE_NONE,
                              .death = DATE_NONE,
                              .enroll_start = DATE_NONE,
                              .enroll_end = DATE_NONE };
    err_t e = { 0 };
    assert_int_equal(engine_add_person(en, &r, &e), 0);
    int v = en->pp.sex[0];
    engine_free(en);
    return v;
}

/* The engine's in-network flag of one practitioner added with flag s. */
static int engine_flag(const char *s)
{
    engine_t *en = engine_new(NULL);
    err_t e = { 0 };
    assert_int_equal(engine_add_practitioner(en, "1234567893", "Family Practice", s, &e), 0);
    int v = en->prac.innet[0];
    engine_free(en);
    return v;
}

/* The engine reads the same words; what no reader accepts is unknown to it
 * (sex 0, flag -1) rather than an error. */
static void test_engine_reads_the_same_words(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof sex_cases / sizeof sex_cases[0]; i++) {
        int want = sex_cases[i].now == REJ ? 0 : sex_cases[i].now;
        if (engine_sex(sex_cases[i].in) != want)
            fail_msg("engine sex of \"%s\" = %d, want %d", sex_cases[i].in,
                     engine_sex(sex_cases[i].in), want);
    }
    for (size_t i = 0; i < sizeof flag_cases / sizeof flag_cases[0]; i++) {
        int want = flag_cases[i].now == REJ ? -1 : flag_cases[i].now;
        if (engine_flag(flag_cases[i].in) != want)
            fail_msg("engine flag of \"%s\" = %d, want %d", flag_cases[i].in,
                     engine_flag(flag_cases[i].in), want);
    }
}

/* Where the old readers agreed, the answer did not change; where they
 * disagreed, the Tuva importer's (exact words) is the one kept. */
static void test_kept_answers(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof sex_cases / sizeof sex_cases[0]; i++) {
        assert_int_equal(sex_cases[i].now, sex_cases[i].old_tuva);
        if (sex_cases[i].old_tuva != REJ)
            assert_int_equal(sex_cases[i].old_tuva, sex_cases[i].old_engine);
    }
    for (size_t i = 0; i < sizeof flag_cases / sizeof flag_cases[0]; i++) {
        assert_int_equal(flag_cases[i].now, flag_cases[i].old_tuva);
        if (flag_cases[i].old_tuva != REJ)
            assert_int_equal(flag_cases[i].old_tuva, flag_cases[i].old_engine);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sex_words),
        cmocka_unit_test(test_flag_words),
        cmocka_unit_test(test_engine_reads_the_same_words),
        cmocka_unit_test(test_kept_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
