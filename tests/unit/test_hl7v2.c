/* test_hl7v2.c — the HL7 v2 parser: every reference message, values read by
 * hand from the files, escapes, terminators, delimiters and errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/mem.h"
#include "ingest/hl7v2.h"
#include "ingest/mllp.h"
#include "../testdata.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = mem_alloc((size_t)len + 1);
    size_t got = fread(p, 1, (size_t)len, f);
    fclose(f);
    p[got] = 0;
    *n = got;
    return p;
}

static const char *refdir(void)
{
    static char dir[1024];
    snprintf(dir, sizeof dir, "%s/hl7v2", testdata_dir());
    return dir;
}

/* Parses one reference file; the message lives in a. */
static hl7_msg_t *parse_ref(arena_t *a, const char *name, char **data)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", refdir(), name);
    size_t n = 0;
    *data = read_file(path, &n);
    assert_non_null(*data);
    hl7_msg_t *m = NULL;
    err_t e;
    err_clear(&e);
    int rc = hl7_parse(a, *data, n, 1, &m, &e);
    if (rc != 0) {
        char line[1024];
        err_format(&e, line, sizeof line);
        fail_msg("%s: %s", name, line);
    }
    return m;
}

static hl7_msg_t *parse_str(arena_t *a, const char *s, err_t *e)
{
    hl7_msg_t *m = NULL;
    err_clear(e);
    if (hl7_parse(a, s, strlen(s), 1, &m, e) != 0)
        return NULL;
    return m;
}

/* Every file of the reference folder parses, holds one message, and the
 * splitter finds exactly that message. */
static void test_every_reference_file(void **state)
{
    (void)state;
    DIR *d = opendir(refdir());
    assert_non_null(d);
    int files = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l < 5 || strcmp(de->d_name + l - 4, ".hl7") != 0)
            continue;
        arena_t *a = arena_new(0);
        char *data;
        hl7_msg_t *m = parse_ref(a, de->d_name, &data);
        assert_string_equal(hl7_segment_name(m, 0), "MSH");
        assert_string_equal(hl7_message_code(m), "ADT");
        assert_true(strlen(hl7_trigger(m)) == 3);
        assert_true(*hl7_control_id(m));
        assert_true(hl7_count(m, "PID") >= 1);

        size_t pos = 0, len;
        long cur = 1, line;
        const char *msg;
        err_t e;
        err_clear(&e);
        assert_int_equal(hl7_next_message(data, strlen(data), &pos, &cur, &msg, &len, &line, &e),
                         0);
        assert_non_null(msg);
        assert_int_equal(line, 1);
        assert_int_equal(hl7_next_message(data, strlen(data), &pos, &cur, &msg, &len, &line, &e),
                         0);
        assert_null(msg);
        mem_free(data);
        arena_free(a);
        files++;
    }
    closedir(d);
    assert_true(files >= 57); /* the 57 sample messages of SOURCE.md */
}

/* Values checked against the text of ADT-A03-01.hl7 (v2.8). */
static void test_a03_values(void **state)
{
    (void)state;
    arena_t *a = arena_new(0);
    char *data;
    hl7_msg_t *m = parse_ref(a, "ADT-A03-01.hl7", &data);
    assert_string_equal(hl7_get(m, "MSH", 0, 1, 0, 1, 1), "|");
    assert_string_equal(hl7_get(m, "MSH", 0, 2, 0, 1, 1), "^~\\&");
    assert_string_equal(hl7_get(m, "MSH", 0, 3, 0, 1, 1), "ADTApp");
    assert_string_equal(hl7_get(m, "MSH", 0, 4, 0, 2, 1), "2.16.840.1.122848.1.30");
    assert_string_equal(hl7_trigger(m), "A03");
    assert_string_equal(hl7_get(m, "MSH", 0, 9, 0, 3, 1), "ADT_A03");
    assert_string_equal(hl7_control_id(m), "MSG00001");
    assert_string_equal(hl7_version(m), "2.8");
    assert_string_equal(hl7_get(m, "EVN", 0, 2, 0, 1, 1), "20290801070624+0115");
    /* PID-3: two CX repetitions, the first with an HD assigning authority. */
    assert_int_equal(hl7_rep_count(m, "PID", 0, 3), 2);
    assert_string_equal(hl7_get(m, "PID", 0, 3, 0, 1, 1), "PATID1234");
    assert_string_equal(hl7_get(m, "PID", 0, 3, 0, 4, 1), "test1");
    assert_string_equal(hl7_get(m, "PID", 0, 3, 0, 4, 2), "2.16.1");
    assert_string_equal(hl7_get(m, "PID", 0, 3, 0, 4, 3), "HCD");
    assert_string_equal(hl7_get(m, "PID", 0, 3, 0, 5, 1), "MR");
    assert_string_equal(hl7_get(m, "PID", 0, 3, 1, 1, 1), "123456789");
    assert_string_equal(hl7_get(m, "PID", 0, 3, 1, 4, 1), "USSSA");
    assert_string_equal(hl7_get(m, "PID", 0, 3, 1, 5, 1), "SS");
    assert_string_equal(hl7_get(m, "PID", 0, 3, 2, 1, 1), "");
    assert_false(hl7_present(m, "PID", 0, 3, 2, 1, 1));
    assert_string_equal(hl7_get(m, "PID", 0, 5, 0, 1, 1), "EVERYMAN");
    assert_string_equal(hl7_get(m, "PID", 0, 5, 0, 1, 5), "Aniston");
    assert_string_equal(hl7_get(m, "PID", 0, 5, 1, 1, 1), "Josh");
    assert_string_equal(hl7_get(m, "PID", 0, 7, 0, 1, 1), "198808181126+0215");
    assert_string_equal(hl7_get(m, "PID", 0, 8, 0, 1, 1), "M");
    /* PV1. */
    assert_string_equal(hl7_get(m, "PV1", 0, 2, 0, 1, 1), "P");
    assert_string_equal(hl7_get(m, "PV1", 0, 3, 0, 1, 1), "HUH AE OMU");
    assert_string_equal(hl7_get(m, "PV1", 0, 3, 0, 3, 1), "Bed 03");
    assert_string_equal(hl7_get(m, "PV1", 0, 7, 0, 2, 1), "Alaz");
    assert_string_equal(hl7_get(m, "PV1", 0, 19, 0, 1, 1), "40007716");
    assert_string_equal(hl7_get(m, "PV1", 0, 36, 0, 1, 1), "Admitted as Inpatient");
    assert_string_equal(hl7_get(m, "PV1", 0, 44, 0, 1, 1), "20150208113419+0110");
    assert_string_equal(hl7_get(m, "PV1", 0, 45, 0, 1, 1), "20150209113419+0110");
    /* PV1-14 holds a real escape: "(inc.A\T\E-this Hosp)". */
    assert_string_equal(hl7_get(m, "PV1", 0, 14, 0, 1, 1),
                        "NHS Provider-General (inc.A&E-this Hosp)");
    assert_string_equal(hl7_get(m, "DG1", 0, 3, 0, 1, 1), "422504002");
    assert_string_equal(hl7_get(m, "DG1", 0, 3, 0, 3, 1), "SCT");
    /* Paths. */
    assert_string_equal(hl7_get_path(m, "PID-3[1].4"), "USSSA");
    assert_string_equal(hl7_get_path(m, "PID-3.4.2"), "2.16.1");
    assert_string_equal(hl7_get_path(m, "PV1-36"), "Admitted as Inpatient^Sample^ACR");
    assert_string_equal(hl7_get_path(m, "ROL(2)-3.2"), "Primary Care Provider");
    assert_null(hl7_get_path(m, "PID-x"));
    assert_null(hl7_get_path(m, "PID"));
    assert_int_equal(hl7_count(m, "ROL"), 3);
    assert_int_equal(hl7_segment_line(m, 3), 4); /* PID is on line 4 */
    assert_string_equal(hl7_segment_name(m, 3), "PID");
    assert_int_equal(hl7_field_count(m, "PV1", 0), 54);
    mem_free(data);
    arena_free(a);
}

/* An old v2.3 message with a byte-order mark and trailing blanks. */
static void test_v23_values(void **state)
{
    (void)state;
    arena_t *a = arena_new(0);
    char *data;
    hl7_msg_t *m = parse_ref(a, "ADT01-23.hl7", &data);
    assert_string_equal(hl7_version(m), "2.3");
    assert_string_equal(hl7_trigger(m), "A01");
    assert_string_equal(hl7_get(m, "MSH", 0, 9, 0, 0, 0), "ADT^A01");
    assert_string_equal(hl7_control_id(m), "599102");
    assert_string_equal(hl7_get(m, "PID", 0, 3, 0, 1, 1), "10006579");
    assert_string_equal(hl7_get(m, "PID", 0, 3, 0, 5, 1), "MR");
    assert_string_equal(hl7_get(m, "PID", 0, 5, 0, 0, 0), "DUCK^DONALD^D");
    assert_string_equal(hl7_get(m, "PID", 0, 7, 0, 1, 1), "19241010");
    assert_string_equal(hl7_get(m, "PV1", 0, 2, 0, 1, 1), "I");
    assert_string_equal(hl7_get(m, "PV1", 0, 19, 0, 1, 1), "40007716");
    assert_string_equal(hl7_get(m, "PV1", 0, 44, 0, 1, 1), "20050110045502+0700");
    assert_string_equal(hl7_get(m, "DG1", 0, 3, 0, 1, 1), "71596");
    assert_int_equal(hl7_count(m, "IN1"), 3);
    assert_string_equal(hl7_get(m, "IN1", 2, 4, 0, 1, 1), "SELF PAY");
    mem_free(data);
    arena_free(a);

    a = arena_new(0);
    m = parse_ref(a, "ADT04-23.hl7", &data);
    assert_string_equal(hl7_control_id(m), "Q123456789T123456789X123456");
    assert_string_equal(hl7_get(m, "PID", 0, 7, 0, 1, 1), "19850101000000+0700");
    assert_int_equal(hl7_rep_count(m, "PID", 0, 13), 2);
    assert_string_equal(hl7_get(m, "PID", 0, 13, 1, 1, 1), "(555)555-0124");
    assert_string_equal(hl7_get(m, "NK1", 1, 2, 0, 1, 1), "TOADSTOOL");
    mem_free(data);
    arena_free(a);
}

static void test_escapes(void **state)
{
    (void)state;
    arena_t *a = arena_new(0);
    hl7_delims_t d = { '|', '^', '~', '\\', '&', 0 };
#define UNESC(in) hl7_unescape(a, &d, in, strlen(in))
    assert_string_equal(UNESC("a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f"), "a|b^c&d~e\\f");
    assert_string_equal(UNESC("line1\\.br\\line2"), "line1\nline2");
    assert_string_equal(UNESC("\\X414243\\"), "ABC");
    assert_string_equal(UNESC("\\X0D0A\\"), "\r\n");
    assert_string_equal(UNESC("\\H\\bold\\N\\"), "bold");
    assert_string_equal(UNESC("x\\.sp2\\y"), "x\ny");
    assert_string_equal(UNESC("\\.ce\\title"), "title");
    assert_string_equal(UNESC("\\C2842\\kanji"), "kanji");
    /* Malformed or unknown: kept as written. */
    assert_string_equal(UNESC("\\Q\\"), "\\Q\\");
    assert_string_equal(UNESC("\\X4\\"), "\\X4\\");
    assert_string_equal(UNESC("\\XZZ\\"), "\\XZZ\\");
    assert_string_equal(UNESC("open\\F"), "open\\F");
    assert_string_equal(UNESC("\\\\"), "\\\\");
    assert_string_equal(UNESC("\\X00\\"), ""); /* a NUL cannot be in a C string */
    assert_string_equal(UNESC(""), "");
#undef UNESC
    /* In a message, at every level. */
    err_t e;
    hl7_msg_t *m = parse_str(a,
                             "MSH|^~\\&|A\\T\\B|F|R|RF|20240301||ADT^A08|C\\F\\1|P|2.5\r"
                             "PID|||ID\\S\\1^^^AUTH\\R\\X&1.2\\T\\3||O\\E\\BRIEN^PAT\r"
                             "NTE|1||first\\.br\\second~third\r",
                             &e);
    assert_non_null(m);
    assert_string_equal(hl7_get(m, "MSH", 0, 3, 0, 1, 1), "A&B");
    assert_string_equal(hl7_control_id(m), "C|1");
    assert_string_equal(hl7_get(m, "PID", 0, 3, 0, 1, 1), "ID^1");
    assert_string_equal(hl7_get(m, "PID", 0, 3, 0, 4, 1), "AUTH~X");
    assert_string_equal(hl7_get(m, "PID", 0, 3, 0, 4, 2), "1.2&3");
    assert_string_equal(hl7_get(m, "PID", 0, 5, 0, 1, 1), "O\\BRIEN");
    assert_string_equal(hl7_get(m, "NTE", 0, 3, 0, 1, 1), "first\nsecond");
    assert_string_equal(hl7_get(m, "NTE", 0, 3, 1, 1, 1), "third");
    assert_string_equal(hl7_get_raw(m, "PID", 0, 3), "ID\\S\\1^^^AUTH\\R\\X&1.2\\T\\3");
    /* Escaping is the inverse. */
    char out[128];
    hl7_escape(&d, "a|b^c&d~e\\f\rg", out, sizeof out);
    assert_string_equal(out, "a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\.br\\g");
    hl7_escape(&d, "abcdef", out, 4);
    assert_string_equal(out, "abc");
    arena_free(a);
}

static void test_terminators(void **state)
{
    (void)state;
    const char *forms[] = {
        "MSH|^~\\&|S|F|R|RF|20240301||ADT^A01|X1|P|2.5\rPID|||42^^^MRN\rPV1||I\r",
        "MSH|^~\\&|S|F|R|RF|20240301||ADT^A01|X1|P|2.5\nPID|||42^^^MRN\nPV1||I\n",
        "MSH|^~\\&|S|F|R|RF|20240301||ADT^A01|X1|P|2.5\r\nPID|||42^^^MRN\r\nPV1||I\r\n",
        "MSH|^~\\&|S|F|R|RF|20240301||ADT^A01|X1|P|2.5\r\nPID|||42^^^MRN\nPV1||I",
        ("\xEF\xBB\xBF\n\nMSH|^~\\&|S|F|R|RF|20240301||ADT^A01|X1|P|2.5\r\r\nPID|||42^^^MRN\n\n"
         "PV1||I   \n\n"),
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        arena_t *a = arena_new(0);
        err_t e;
        hl7_msg_t *m = parse_str(a, forms[i], &e);
        assert_non_null(m);
        assert_int_equal(hl7_segment_count(m), 3);
        assert_string_equal(hl7_get(m, "PID", 0, 3, 0, 1, 1), "42");
        assert_string_equal(hl7_get(m, "PID", 0, 3, 0, 4, 1), "MRN");
        assert_string_equal(hl7_get(m, "PV1", 0, 2, 0, 1, 1), "I");
        assert_string_equal(hl7_version(m), "2.5");
        arena_free(a);
    }
}

static void test_custom_delimiters(void **state)
{
    (void)state;
    arena_t *a = arena_new(0);
    err_t e;
    /* Field '#', component '$', repetition '%', escape '@', subcomponent '!'. */
    hl7_msg_t *m = parse_str(a,
                             "MSH#$%@!#SND#FAC#RCV#RFAC#20240301120000##ADT$A04#C9#P#2.4\r"
                             "PID###A1$$$AUTH!1.2.3$MR%B2$$$SSA$SS##DOE$JANE$Q##19700101#F\r"
                             "NTE#1##pipe | and caret ^ are data@F@here\r",
                             &e);
    assert_non_null(m);
    const hl7_delims_t *d = hl7_delims(m);
    assert_int_equal(d->field, '#');
    assert_int_equal(d->comp, '$');
    assert_int_equal(d->rep, '%');
    assert_int_equal(d->esc, '@');
    assert_int_equal(d->sub, '!');
    assert_string_equal(hl7_get(m, "MSH", 0, 1, 0, 1, 1), "#");
    assert_string_equal(hl7_get(m, "MSH", 0, 2, 0, 1, 1), "$%@!");
    assert_string_equal(hl7_trigger(m), "A04");
    assert_string_equal(hl7_get(m, "PID", 0, 3, 0, 1, 1), "A1");
    assert_string_equal(hl7_get(m, "PID", 0, 3, 0, 4, 2), "1.2.3");
    assert_string_equal(hl7_get(m, "PID", 0, 3, 1, 4, 1), "SSA");
    assert_string_equal(hl7_get(m, "PID", 0, 5, 0, 2, 1), "JANE");
    assert_string_equal(hl7_get(m, "PID", 0, 7, 0, 1, 1), "19700101");
    assert_string_equal(hl7_get(m, "NTE", 0, 3, 0, 1, 1), "pipe | and caret ^ are data#here");

    /* v2.7 truncation character, and a message declaring only two. */
    m = parse_str(a, "MSH|^~\\&#|S|F|R|RF|20240301||ADT^A08|C1|P|2.7\rNTE|1||a\\P\\b\r", &e);
    assert_non_null(m);
    assert_int_equal(hl7_delims(m)->trunc, '#');
    assert_string_equal(hl7_get(m, "NTE", 0, 3, 0, 1, 1), "a#b");
    m = parse_str(a, "MSH|^~|S|F|R|RF|20240301||ADT^A08|C1|P|2.3\rNTE|1||a&b\\F\\\r", &e);
    assert_non_null(m);
    assert_string_equal(hl7_get(m, "NTE", 0, 3, 0, 1, 1), "a&b\\F\\");
    arena_free(a);
}

/* Errors name the segment-field and the line. */
static void expect_error(const char *msg, const char *field, long line, const char *needle)
{
    arena_t *a = arena_new(0);
    err_t e;
    hl7_msg_t *m = parse_str(a, msg, &e);
    assert_null(m);
    assert_int_equal(e.code, ERR_INPUT);
    if (field)
        assert_string_equal(e.field, field);
    assert_int_equal(e.line, line);
    if (needle && !strstr(e.msg, needle))
        fail_msg("'%s' not in '%s'", needle, e.msg);
    arena_free(a);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("", "MSH", 1, "empty");
    expect_error("\r\n\r\n", "MSH", 1, "empty");
    expect_error("PID|||1\r", "MSH", 1, "start with an MSH");
    expect_error("MSH", "MSH-1", 1, NULL);
    expect_error("MSHA^~\\&|", "MSH", 1, "start with an MSH");
    expect_error("MSH|^|S\r", "MSH-2", 1, NULL);
    expect_error("MSH|^^\\&|S\r", "MSH-2", 1, "twice");
    expect_error("MSH|^~\\&x|S\r", "MSH-2", 1, NULL);
    expect_error("MSH|^~\\&&^|S\r", "MSH-2", 1, NULL);
    expect_error("MSH|^~\\&|S|F|R|RF|20240301||^A01|C1|P|2.5\r", "MSH-9", 1, "message type");
    expect_error("MSH|^~\\&|S|F|R|RF|20240301||AD^A01|C1|P|2.5\r", "MSH-9", 1, NULL);
    expect_error("MSH|^~\\&|S|F|R|RF|20240301||ADT^A01||P|2.5\r", "MSH-10", 1, "control id");
    expect_error("MSH|^~\\&|S|F|R|RF|20240301||ADT^A01|C1|P|2.5\rPID|1\rpv1|x\r", NULL, 3,
                 "invalid segment");
    expect_error("MSH|^~\\&|S|F|R|RF|20240301||ADT^A01|C1|P|2.5\rPIDX|1\r", NULL, 2,
                 "invalid segment");
    expect_error("MSH|^~\\&|S|F|R|RF|20240301||ADT^A01|C1|P|2.5\r\nPID|1\r\n"
                 "MSH|^~\\&|S|F|R|RF|20240301||ADT^A01|C2|P|2.5\r\n",
                 "MSH", 3, "second MSH");
    /* err_format puts it on one line. */
    arena_t *a = arena_new(0);
    err_t e;
    assert_null(parse_str(a, "MSH|^~\\&|S|F|R|RF|20240301||ADT^A01||P|2.5\r", &e));
    char line[512];
    err_format(&e, line, sizeof line);
    assert_non_null(strstr(line, "MSH-10"));
    assert_null(strchr(line, '\n'));
    arena_free(a);
}

/* A file with several messages, batch envelopes, blank lines and junk. */
static void test_split(void **state)
{
    (void)state;
    const char *file = "\xEF\xBB\xBF"
                       "FHS|^~\\&|S\r\n"
                       "BHS|^~\\&|S\r\n"
                       "MSH|^~\\&|S|F|R|RF|20240301||ADT^A01|M1|P|2.5\r\n"
                       "PID|||1\r\n"
                       "\r\n"
                       "MSH|^~\\&|S|F|R|RF|20240301||ADT^A03|M2|P|2.5\n"
                       "PID|||2\n"
                       "BTS|2\n"
                       "FTS|1\n"
                       "MSH#$%@!#S#F#R#RF#20240301##ADT$A08#M3#P#2.5\r"
                       "PID###3\r";
    size_t n = strlen(file), pos = 0, len;
    long cur = 1, line;
    const char *msg;
    err_t e;
    err_clear(&e);
    const char *ids[] = { "M1", "M2", "M3" };
    const long lines[] = { 3, 6, 10 };
    for (int i = 0; i < 3; i++) {
        assert_int_equal(hl7_next_message(file, n, &pos, &cur, &msg, &len, &line, &e), 0);
        assert_non_null(msg);
        assert_int_equal(line, lines[i]);
        arena_t *a = arena_new(0);
        hl7_msg_t *m;
        assert_int_equal(hl7_parse(a, msg, len, line, &m, &e), 0);
        assert_string_equal(hl7_control_id(m), ids[i]);
        assert_int_equal(hl7_segment_count(m), 2);
        assert_int_equal(hl7_segment_line(m, 1), lines[i] + 1);
        char want[2] = { (char)('1' + i), 0 };
        assert_string_equal(hl7_get(m, "PID", 0, 3, 0, 1, 1), want);
        arena_free(a);
    }
    assert_int_equal(hl7_next_message(file, n, &pos, &cur, &msg, &len, &line, &e), 0);
    assert_null(msg);

    const char *one = "MSH|^~\\&|S|F|R|RF|20240301||ADT^A01|M1|P|2.5\r\nPID|||1\r\n";
    pos = 0;
    cur = 1;
    /* Text before the first MSH names the line. */
    const char *junk = "\nhello\nMSH|^~\\&|S\n";
    assert_int_equal(hl7_next_message(junk, strlen(junk), &pos, &cur, &msg, &len, &line, &e),
                     ERR_INPUT);
    /* Regression (found while fuzzing): the error used to be returned as 1,
     * the value that then meant "found", and callers looped on it. */
    assert_null(msg);
    assert_int_equal(e.line, 2);
    assert_string_equal(e.field, "MSH");
    pos = 0;
    cur = 1;
    assert_int_equal(hl7_next_message(one, strlen(one), &pos, &cur, &msg, &len, &line, &e), 0);
    assert_int_equal(len, strlen(one));
}

static void test_timestamps(void **state)
{
    (void)state;
    hl7_ts_t t;
    char iso[48];
#define TS(s) hl7_ts_parse(s, strlen(s), &t)
    assert_int_equal(TS("20150209113419+0110"), 0);
    hl7_ts_iso(&t, iso, sizeof iso);
    assert_string_equal(iso, "2015-02-09T11:34:19+01:10");
    assert_int_equal(hl7_ts_epoch(&t), (int64_t)date_from_ymd(2015, 2, 9) * 86400 + 11 * 3600 +
                                           34 * 60 + 19 - 70 * 60);
    assert_int_equal(TS("198808181126+0215"), 0);
    hl7_ts_iso(&t, iso, sizeof iso);
    assert_string_equal(iso, "1988-08-18T11:26+02:15");
    assert_int_equal(TS("19241010"), 0);
    hl7_ts_iso(&t, iso, sizeof iso);
    assert_string_equal(iso, "1924-10-10");
    assert_int_equal(t.date, date_from_ymd(1924, 10, 10));
    assert_int_equal(TS("20210817151943.4+0200"), 0);
    assert_int_equal(t.millis, 400);
    hl7_ts_iso(&t, iso, sizeof iso);
    assert_string_equal(iso, "2021-08-17T15:19:43.400+02:00");
    assert_int_equal(TS("2024"), 0);
    assert_int_equal(t.precision, 4);
    assert_int_equal(TS("202402"), 0);
    assert_int_equal(TS("2024022910"), 0);
    assert_int_equal(TS(" 20240229 "), 0);
    assert_int_equal(TS("20240301-0500"), 0);
    assert_int_equal(t.tz_minutes, -300);
    /* Malformed. */
    assert_int_equal(TS(""), -1);
    assert_int_equal(TS("2023"), 0);
    assert_int_equal(TS("20230229"), -1);
    assert_int_equal(TS("20231301"), -1);
    assert_int_equal(TS("202301011"), -1);
    assert_int_equal(TS("2023010125"), -1);
    assert_int_equal(TS("202301012360"), -1);
    assert_int_equal(TS("20230101235960"), -1);
    assert_int_equal(TS("20230101+2500"), -1);
    assert_int_equal(TS("20230101+01"), -1);
    assert_int_equal(TS("2023-01-01"), -1);
    assert_int_equal(TS("00000101"), -1);
    assert_int_equal(TS("20230101.5"), -1);
    assert_int_equal(TS("20230101120000.12345"), -1);
    assert_int_equal(TS("1/1/1980"), -1);
#undef TS
}

/* Accessors are total: any coordinates give "" rather than crash. */
static void test_out_of_range(void **state)
{
    (void)state;
    arena_t *a = arena_new(0);
    err_t e;
    hl7_msg_t *m = parse_str(a, "MSH|^~\\&|S|F|R|RF|20240301||ACK|C1|P|2.5\rMSA|AA|X\r", &e);
    assert_non_null(m);
    assert_string_equal(hl7_trigger(m), "");
    assert_string_equal(hl7_get(m, "PID", 0, 3, 0, 1, 1), "");
    assert_string_equal(hl7_get(m, "MSA", 1, 1, 0, 1, 1), "");
    assert_string_equal(hl7_get(m, "MSA", 0, 0, 0, 1, 1), "");
    assert_string_equal(hl7_get(m, "MSA", 0, 99, 0, 1, 1), "");
    assert_string_equal(hl7_get(m, "MSA", 0, 1, 5, 1, 1), "");
    assert_string_equal(hl7_get(m, "MSA", 0, 1, 0, 7, 1), "");
    assert_string_equal(hl7_get(m, "MSA", 0, 1, 0, 1, 9), "");
    assert_string_equal(hl7_get(m, "MSH", 0, 1, 1, 1, 1), "");
    assert_string_equal(hl7_get(m, "MSH", 0, 2, 0, 2, 1), "");
    assert_string_equal(hl7_get(m, "MSA", 0, 1, 0, -1, 0), "");
    assert_int_equal(hl7_rep_count(m, "PID", 0, 3), 0);
    assert_int_equal(hl7_comp_count(m, "MSH", 0, 9, 0), 1);
    assert_int_equal(hl7_field_count(m, "MSA", 0), 2);
    assert_null(hl7_segment_name(m, 2));
    arena_free(a);
}

/* The MLLP frame decoder: frames split across reads, junk, oversize frames,
 * a missing trailing CR, a restarted frame. */
static void test_mllp_decoder(void **state)
{
    (void)state;
    mllp_decoder_t d;
    mllp_decoder_init(&d, 64);
    size_t used, len;
    const char *f;
    const char *in = "\r\n\x0bMSH|A\x1c\r\x0bMSH|B";
    assert_int_equal(mllp_decode(&d, in, strlen(in), &used), MLLP_FRAME);
    f = mllp_decoder_frame(&d, &len);
    assert_int_equal(len, 5);
    assert_memory_equal(f, "MSH|A", 5);
    size_t off = used;
    assert_int_equal(mllp_decode(&d, in + off, strlen(in) - off, &used), MLLP_NEED_MORE);
    assert_int_equal(used, strlen(in) - off);
    assert_true(mllp_decoder_in_frame(&d));
    assert_int_equal(mllp_decode(&d, "C\x1c", 2, &used), MLLP_NEED_MORE);
    assert_int_equal(mllp_decode(&d, "\r", 1, &used), MLLP_FRAME);
    f = mllp_decoder_frame(&d, &len);
    assert_memory_equal(f, "MSH|BC", 6);
    assert_false(mllp_decoder_in_frame(&d));
    /* 0x1C without CR: the frame ends and the next byte is read again. */
    assert_int_equal(mllp_decode(&d, "\x0bX\x1c\x0bY\x1c\r", 7, &used), MLLP_FRAME);
    assert_int_equal(used, 3);
    assert_int_equal(mllp_decode(&d, "\x0bY\x1c\r", 4, &used), MLLP_FRAME);
    assert_memory_equal(mllp_decoder_frame(&d, &len), "Y", 1);
    /* A new start block inside a frame restarts it. */
    assert_int_equal(mllp_decode(&d, "\x0bold\x0bnew\x1c\r", 10, &used), MLLP_FRAME);
    f = mllp_decoder_frame(&d, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(f, "new", 3);
    /* Junk outside a frame. */
    assert_int_equal(mllp_decode(&d, " x", 2, &used), MLLP_JUNK);
    assert_int_equal(used, 2);
    /* Larger than the cap, in two reads, then a good frame. */
    char big[200];
    memset(big, 'z', sizeof big);
    big[0] = 0x0B;
    assert_int_equal(mllp_decode(&d, big, 100, &used), MLLP_NEED_MORE);
    assert_int_equal(mllp_decode(&d, big + 1, 99, &used), MLLP_NEED_MORE);
    assert_int_equal(mllp_decode(&d, "\x1c\r\x0bok\x1c\r", 7, &used), MLLP_OVERSIZE);
    assert_int_equal(used, 2);
    assert_int_equal(mllp_decode(&d, "\x0bok\x1c\r", 5, &used), MLLP_FRAME);
    assert_memory_equal(mllp_decoder_frame(&d, &len), "ok", 2);
    mllp_decoder_free(&d);
}

/* ACKs: swapped applications, MSA, ERR with the location and the reason. */
static void test_mllp_ack(void **state)
{
    (void)state;
    arena_t *a = arena_new(0);
    err_t e;
    hl7_msg_t *m =
        parse_str(a,
                  "MSH|^~\\&|SAPP|SFAC|RAPP|RFAC|20240301||ADT^A01^ADT_A01|CTRL-9|P|2.5.1\r"
                  "PID|||1\r",
                  &e);
    assert_non_null(m);
    buf_t b;
    buf_init(&b, 0);
    assert_int_equal(mllp_build_ack(&b, m, "AA", NULL), 0);
    assert_int_equal(b.data[0], 0x0B);
    assert_int_equal(b.data[b.len - 2], 0x1C);
    assert_int_equal(b.data[b.len - 1], '\r');
    hl7_msg_t *ack;
    assert_int_equal(hl7_parse(a, b.data + 1, b.len - 3, 1, &ack, &e), 0);
    assert_string_equal(hl7_get(ack, "MSH", 0, 3, 0, 1, 1), "RAPP");
    assert_string_equal(hl7_get(ack, "MSH", 0, 4, 0, 1, 1), "RFAC");
    assert_string_equal(hl7_get(ack, "MSH", 0, 5, 0, 1, 1), "SAPP");
    assert_string_equal(hl7_get(ack, "MSH", 0, 6, 0, 1, 1), "SFAC");
    assert_string_equal(hl7_get_path(ack, "MSH-9"), "ACK^A01^ACK");
    assert_string_equal(hl7_version(ack), "2.5.1");
    assert_string_equal(hl7_get_path(ack, "MSA-1"), "AA");
    assert_string_equal(hl7_get_path(ack, "MSA-2"), "CTRL-9");
    assert_int_equal(hl7_count(ack, "ERR"), 0);

    buf_reset(&b);
    err_clear(&e);
    err_at(&e, ERR_INPUT, NULL, 2, 0, "PID-7", "invalid date of birth '1988|13'");
    assert_int_equal(mllp_build_ack(&b, m, "AE", &e), 0);
    assert_int_equal(hl7_parse(a, b.data + 1, b.len - 3, 1, &ack, &e), 0);
    assert_string_equal(hl7_get_path(ack, "MSA-1"), "AE");
    assert_string_equal(hl7_get_path(ack, "ERR-1"), "PID^1^7^102&Data type error&HL70357");
    assert_string_equal(hl7_get_path(ack, "ERR-2"), "PID^1^7");
    assert_string_equal(hl7_get_path(ack, "ERR-3.1"), "102");
    assert_string_equal(hl7_get_path(ack, "ERR-4"), "E");
    assert_string_equal(hl7_get_path(ack, "ERR-8"), "PID-7: invalid date of birth '1988|13'");

    /* Nothing parsed: default delimiters, empty MSA-2, still a valid ACK. */
    buf_reset(&b);
    err_clear(&e);
    err_set(&e, ERR_IO, "frame larger than 1048576 bytes");
    assert_int_equal(mllp_build_ack(&b, NULL, "AR", &e), 0);
    assert_int_equal(hl7_parse(a, b.data + 1, b.len - 3, 1, &ack, &e), 0);
    assert_string_equal(hl7_get_path(ack, "MSA-1"), "AR");
    assert_string_equal(hl7_get_path(ack, "MSA-2"), "");
    assert_string_equal(hl7_get_path(ack, "ERR-3.1"), "207");
    buf_free(&b);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_reference_file),
        cmocka_unit_test(test_a03_values),
        cmocka_unit_test(test_v23_values),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_terminators),
        cmocka_unit_test(test_custom_delimiters),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_mllp_decoder),
        cmocka_unit_test(test_mllp_ack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
