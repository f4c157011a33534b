/* test_log.c — JSON-lines logging: valid JSON, levels, threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"

/* Reads every line written to f since the last rewind into a JSON array,
 * failing the test on any line that is not a JSON object. */
static json_t *read_lines(FILE *f)
{
    fflush(f);
    rewind(f);
    json_t *arr = json_array();
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        assert_int_equal(line[n - 1], '\n');
        json_error_t err;
        json_t *v = json_loadb(line, (size_t)n - 1, 0, &err);
        if (!v)
            fail_msg("not JSON (%s): %s", err.text, line);
        assert_true(json_is_object(v));
        json_array_append_new(arr, v);
    }
    free(line);
    return arr;
}

static FILE *fresh_stream(void)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    log_set_stream(f);
    return f;
}

static const char *str_field(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_string(v))
        fail_msg("field %s missing or not a string", k);
    return json_string_value(v);
}

/* Must run first: the environment is read once, at the first call. */
static void test_env_read_once(void **state)
{
    setenv("TRIPOD_LOG_LEVEL", "error", 1);
    assert_int_equal(log_get_level(), LOG_ERROR);
    setenv("TRIPOD_LOG_LEVEL", "debug", 1);
    assert_int_equal(log_get_level(), LOG_ERROR);
    log_set_level(LOG_INFO);
    assert_int_equal(log_get_level(), LOG_INFO);
    unsetenv("TRIPOD_LOG_LEVEL");
}

static void test_level_parse(void **state)
{
    log_level_t l;
    assert_int_equal(log_level_parse("debug", &l), 0);
    assert_int_equal(l, LOG_DEBUG);
    assert_int_equal(log_level_parse("INFO", &l), 0);
    assert_int_equal(l, LOG_INFO);
    assert_int_equal(log_level_parse("warn", &l), 0);
    assert_int_equal(l, LOG_WARN);
    assert_int_equal(log_level_parse("warning", &l), 0);
    assert_int_equal(l, LOG_WARN);
    assert_int_equal(log_level_parse("error", &l), 0);
    assert_int_equal(l, LOG_ERROR);
    assert_int_equal(log_level_parse("off", &l), 0);
    assert_int_equal(l, LOG_OFF);
    l = LOG_INFO;
    assert_int_equal(log_level_parse("verbose", &l), -1);
    assert_int_equal(log_level_parse("", &l), -1);
    assert_int_equal(log_level_parse(NULL, &l), -1);
    assert_int_equal(l, LOG_INFO);
}

static void test_line_shape(void **state)
{
    FILE *f = fresh_stream();
    log_set_level(LOG_DEBUG);
    time_t before = time(NULL);
    log_info("import.file", "loaded %d rows from %s", 12, "claims.csv");
    json_t *lines = read_lines(f);
    assert_int_equal(json_array_size(lines), 1);
    json_t *o = json_array_get(lines, 0);
    assert_string_equal(str_field(o, "level"), "info");
    assert_string_equal(str_field(o, "event"), "import.file");
    assert_string_equal(str_field(o, "msg"), "loaded 12 rows from claims.csv");
    const char *ts = str_field(o, "ts");
    /* 2026-01-02T03:04:05.123Z: UTC, milliseconds. */
    assert_int_equal(strlen(ts), 24);
    assert_int_equal(ts[10], 'T');
    assert_int_equal(ts[19], '.');
    assert_int_equal(ts[23], 'Z');
    struct tm tm = { 0 };
    int ms = -1;
    assert_int_equal(sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2d.%3d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                            &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms),
                     7);
    assert_true(ms >= 0 && ms <= 999);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    assert_true(t >= before - 1 && t <= time(NULL) + 1);
    json_decref(lines);
    log_set_stream(NULL);
    fclose(f);
}

static void test_levels_filter(void **state)
{
    FILE *f = fresh_stream();
    log_set_level(LOG_WARN);
    log_debug("a", "dropped");
    log_info("b", "dropped");
    log_warn("c", "kept");
    log_error("d", "kept");
    log_msg(LOG_OFF, "e", "never printed");
    log_set_level(LOG_OFF);
    log_error("f", "dropped when off");
    log_set_level(LOG_DEBUG);
    log_debug("g", "kept");
    log_msg(LOG_OFF, "h", "never printed");
    json_t *lines = read_lines(f);
    assert_int_equal(json_array_size(lines), 3);
    assert_string_equal(str_field(json_array_get(lines, 0), "event"), "c");
    assert_string_equal(str_field(json_array_get(lines, 0), "level"), "warn");
    assert_string_equal(str_field(json_array_get(lines, 1), "level"), "error");
    assert_string_equal(str_field(json_array_get(lines, 2), "level"), "debug");
    json_decref(lines);
    log_set_stream(NULL);
    fclose(f);
}

static void test_escaping_and_kv(void **state)
{
    FILE *f = fresh_stream();
    log_set_level(LOG_DEBUG);
    const char *nasty = "quote\" backslash\\ newline\n tab\t ctl\x01 bad\xff end";
    log_warn("ev\"il", "%s", nasty);
    log_kv(LOG_INFO, "import.done", "file", "a \"b\".csv", "rows", "12", "note", NULL, "k\n",
           "v\x02", NULL);
    log_kv(LOG_INFO, "empty", NULL);
    json_t *lines = read_lines(f);
    assert_int_equal(json_array_size(lines), 3);
    json_t *a = json_array_get(lines, 0);
    assert_string_equal(str_field(a, "event"), "ev\"il");
    assert_string_equal(str_field(a, "msg"),
                        "quote\" backslash\\ newline\n tab\t ctl\x01 bad\xef\xbf\xbd end");
    json_t *b = json_array_get(lines, 1);
    assert_string_equal(str_field(b, "event"), "import.done");
    assert_string_equal(str_field(b, "file"), "a \"b\".csv");
    assert_string_equal(str_field(b, "rows"), "12");
    assert_true(json_is_null(json_object_get(b, "note")));
    assert_string_equal(str_field(b, "k\n"), "v\x02");
    json_t *c = json_array_get(lines, 2);
    assert_string_equal(str_field(c, "event"), "empty");
    assert_int_equal(json_object_size(c), 3); /* ts, level, event */
    json_decref(lines);
    log_set_stream(NULL);
    fclose(f);
}

static void test_long_message_cut_not_broken(void **state)
{
    FILE *f = fresh_stream();
    log_set_level(LOG_DEBUG);
    static char big[20000];
    memset(big, 'x', sizeof big - 1);
    log_info("big", "%s", big);
    json_t *lines = read_lines(f);
    assert_int_equal(json_array_size(lines), 1);
    size_t n = strlen(str_field(json_array_get(lines, 0), "msg"));
    assert_true(n > 4000 && n < sizeof big - 1);
    json_decref(lines);
    log_set_stream(NULL);
    fclose(f);
}

/* A field too large for a line is dropped; the line stays valid JSON. */
static void test_oversized_field_dropped(void **state)
{
    FILE *f = fresh_stream();
    log_set_level(LOG_DEBUG);
    size_t n = (size_t)2 << 20;
    char *huge = malloc(n + 1);
    assert_non_null(huge);
    memset(huge, 'y', n);
    huge[n] = '\0';
    log_kv(LOG_INFO, "big.kv", "a", "1", "huge", huge, "b", "2", NULL);
    free(huge);
    json_t *lines = read_lines(f);
    assert_int_equal(json_array_size(lines), 1);
    json_t *o = json_array_get(lines, 0);
    assert_string_equal(str_field(o, "a"), "1");
    assert_null(json_object_get(o, "huge"));
    assert_string_equal(str_field(o, "b"), "2");
    json_decref(lines);
    log_set_stream(NULL);
    fclose(f);
}

enum { THREADS = 4, PER_THREAD = 500 };

static void *log_worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    char ids[16], is[16];
    snprintf(ids, sizeof ids, "%d", id);
    for (int i = 0; i < PER_THREAD; i++) {
        snprintf(is, sizeof is, "%d", i);
        if (i % 2)
            log_kv(LOG_INFO, "worker", "thread", ids, "i", is, NULL);
        else
            log_info("worker", "thread %d line %d with some padding text", id, i);
    }
    return NULL;
}

/* Lines from several threads never interleave: every line parses. */
static void test_threads(void **state)
{
    FILE *f = fresh_stream();
    log_set_level(LOG_DEBUG);
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, log_worker, (void *)(intptr_t)i), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    json_t *lines = read_lines(f);
    assert_int_equal(json_array_size(lines), THREADS * PER_THREAD);
    json_decref(lines);
    log_set_stream(NULL);
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_env_read_once),
        cmocka_unit_test(test_level_parse),
        cmocka_unit_test(test_line_shape),
        cmocka_unit_test(test_levels_filter),
        cmocka_unit_test(test_escaping_and_kv),
        cmocka_unit_test(test_long_message_cut_not_broken),
        cmocka_unit_test(test_oversized_field_dropped),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
