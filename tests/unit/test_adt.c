/* test_adt.c — ADT A01/A02/A03/A04/A08 to encounter events, and storing
 * them, against the reference messages (values read from the files). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/mem.h"
#include "ingest/adt.h"
#include "ingest/hl7v2.h"
#include "store/store.h"
#include "../testdata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *read_ref(const char *name, size_t *n)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/hl7v2/%s", testdata_dir(), name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = mem_alloc((size_t)len + 1);
    *n = fread(p, 1, (size_t)len, f);
    p[*n] = 0;
    fclose(f);
    return p;
}

/* Parses and maps a reference file; the event lives in a. */
static adt_event_t *map_ref(arena_t *a, const char *name)
{
    size_t n = 0;
    char *data = read_ref(name, &n);
    /* The message keeps pointers into its bytes: copy them into the arena. */
    char *copy = arena_strndup(a, data, n);
    mem_free(data);
    hl7_msg_t *m;
    err_t e;
    err_clear(&e);
    if (hl7_parse(a, copy, n, 1, &m, &e) != 0)
        fail_msg("%s: %s", name, e.msg);
    adt_event_t *ev = NULL;
    if (adt_map(a, m, &ev, &e) != 0) {
        char line[1024];
        err_format(&e, line, sizeof line);
        fail_msg("%s: %s", name, line);
    }
    return ev;
}

static adt_event_t *map_str(arena_t *a, const char *msg, err_t *e, int *rc)
{
    hl7_msg_t *m;
    err_clear(e);
    *rc = hl7_parse(a, msg, strlen(msg), 1, &m, e);
    if (*rc)
        return NULL;
    adt_event_t *ev = NULL;
    *rc = adt_map(a, m, &ev, e);
    return ev;
}

static void test_kinds(void **state)
{
    (void)state;
    assert_int_equal(adt_kind_of("ADT", "A01"), ADT_ADMIT);
    assert_int_equal(adt_kind_of("ADT", "A02"), ADT_TRANSFER);
    assert_int_equal(adt_kind_of("ADT", "A03"), ADT_DISCHARGE);
    assert_int_equal(adt_kind_of("ADT", "A04"), ADT_REGISTER);
    assert_int_equal(adt_kind_of("ADT", "A08"), ADT_UPDATE);
    assert_int_equal(adt_kind_of("ADT", "A05"), ADT_NONE);
    assert_int_equal(adt_kind_of("ORU", "A01"), ADT_NONE);
    assert_int_equal(adt_kind_of(NULL, NULL), ADT_NONE);
    assert_string_equal(adt_kind_name(ADT_DISCHARGE), "discharge");
    assert_string_equal(adt_kind_name(ADT_REGISTER), "register");
    assert_string_equal(adt_kind_name(ADT_NONE), "");
}

/* A01, v2.8: identifiers, demographics and the visit. */
static void test_admit(void **state)
{
    (void)state;
    arena_t *a = arena_new(0);
    adt_event_t *ev = map_ref(a, "ADT-A01-01.hl7");
    assert_non_null(ev);
    assert_int_equal(ev->kind, ADT_ADMIT);
    assert_string_equal(ev->trigger, "A01");
    assert_string_equal(ev->control_id, "MSG00001");
    assert_string_equal(ev->sending_app, "ADTApp");
    assert_string_equal(ev->sending_facility, "GHHSFacility");
    assert_string_equal(ev->event_time, "2029-08-01T07:06:24+01:15"); /* EVN-2 */
    assert_int_equal(ev->event_date, date_from_ymd(2029, 8, 1));
    assert_int_equal(ev->event_at,
                     (int64_t)date_from_ymd(2029, 8, 1) * 86400 + 7 * 3600 + 6 * 60 + 24 - 75 * 60);
    assert_int_equal(ev->nids, 2);
    assert_string_equal(ev->ids[0].id, "PATID1234");
    assert_string_equal(ev->ids[0].authority, "test1");
    assert_string_equal(ev->ids[0].authority_oid, "2.16.1");
    assert_string_equal(ev->ids[0].type, "MR");
    assert_string_equal(ev->ids[1].id, "123456789");
    assert_string_equal(ev->ids[1].authority, "USSSA");
    assert_string_equal(ev->ids[1].type, "SS");
    assert_string_equal(ev->family_name, "EVERYMAN");
    assert_string_equal(ev->given_name, "ADAM");
    assert_int_equal(ev->birth_date, date_from_ymd(1988, 8, 18));
    assert_string_equal(ev->sex, "M");
    assert_string_equal(ev->patient_class, "P");
    assert_string_equal(ev->location, "HUH AE OMU/OMU B/Bed 03@HOMERTON UNIVER");
    assert_string_equal(ev->admit_type, "E");
    assert_string_equal(ev->attending_id, "1122334");
    assert_string_equal(ev->attending_name, "Alaz, Mohammed");
    assert_string_equal(ev->hospital_service, "SUR");
    assert_string_equal(ev->visit_number, "40007716");
    assert_string_equal(ev->admit_time, "2015-02-08T11:34:19+01:10");
    assert_string_equal(ev->discharge_time, "");
    assert_int_equal(ev->discharge_at, ADT_TIME_NONE);
    assert_int_equal(ev->ndx, 1);
    assert_string_equal(ev->dx[0].code, "422504002");
    assert_string_equal(ev->dx[0].text, "Ischemic stroke(disorder)");
    assert_string_equal(ev->dx[0].system, "SCT");
    arena_free(a);

    /* v2.3, with a BOM; PV1-44 as admit time. */
    a = arena_new(0);
    ev = map_ref(a, "ADT01-23.hl7");
    assert_int_equal(ev->kind, ADT_ADMIT);
    assert_string_equal(ev->control_id, "599102");
    assert_string_equal(ev->event_time, "2005-01-10T04:55:02+07:00");
    assert_int_equal(ev->nids, 1);
    assert_string_equal(ev->ids[0].id, "10006579");
    assert_string_equal(ev->ids[0].authority, "1");
    assert_string_equal(ev->ids[0].type, "MR");
    assert_string_equal(ev->family_name, "DUCK");
    assert_int_equal(ev->birth_date, date_from_ymd(1924, 10, 10));
    assert_string_equal(ev->patient_class, "I");
    assert_string_equal(ev->location, "PREOP/101/1@1");
    assert_string_equal(ev->attending_name, "DISNEY, WALT");
    assert_string_equal(ev->visit_number, "40007716");
    assert_string_equal(ev->admit_time, "2005-01-10T04:55:02+07:00");
    assert_int_equal(ev->ndx, 1);
    assert_string_equal(ev->dx[0].code, "71596");
    assert_string_equal(ev->dx[0].system, "I9");
    arena_free(a);
}

static void test_transfer(void **state)
{
    (void)state;
    arena_t *a = arena_new(0);
    adt_event_t *ev = map_ref(a, "ADT-A02-01.hl7");
    assert_int_equal(ev->kind, ADT_TRANSFER);
    assert_string_equal(ev->location, "HUH AE OMU/OMU B/Bed 03@HOMERTON UNIVER");
    assert_string_equal(ev->prior_location, "4 East, room 136, bed B 4E/136/B@CommunityHospital");
    assert_string_equal(ev->ids[0].id, "PATID1234");
    arena_free(a);
}

/* A03: disposition PV1-36 and discharge time PV1-45. EVN-1 says A01 in this
 * sample; MSH-9 decides. */
static void test_discharge(void **state)
{
    (void)state;
    const char *files[] = { "ADT-A03-01.hl7", "ADT-A03-02.hl7" };
    for (int i = 0; i < 2; i++) {
        arena_t *a = arena_new(0);
        adt_event_t *ev = map_ref(a, files[i]);
        assert_int_equal(ev->kind, ADT_DISCHARGE);
        assert_string_equal(ev->trigger, "A03");
        assert_string_equal(ev->disposition, "Admitted as Inpatient");
        assert_string_equal(ev->admit_time, "2015-02-08T11:34:19+01:10");
        assert_string_equal(ev->discharge_time, "2015-02-09T11:34:19+01:10");
        assert_int_equal(ev->discharge_at, (int64_t)date_from_ymd(2015, 2, 9) * 86400 + 11 * 3600 +
                                               34 * 60 + 19 - 70 * 60);
        assert_string_equal(ev->ids[1].id, "123456789");
        arena_free(a);
    }
}

static void test_register_and_update(void **state)
{
    (void)state;
    arena_t *a = arena_new(0);
    adt_event_t *ev = map_ref(a, "ADT04-251.hl7");
    assert_int_equal(ev->kind, ADT_REGISTER);
    assert_string_equal(ev->control_id, "1270326314");
    assert_string_equal(ev->event_time, "2019-05-04T18:12:05+07:00"); /* no EVN: MSH-7 */
    assert_string_equal(ev->ids[0].id, "MRN12345");
    assert_string_equal(ev->ids[0].authority, "");
    assert_string_equal(ev->ids[0].type, "MR");
    assert_string_equal(ev->family_name, "Doe");
    assert_string_equal(ev->given_name, "Jane");
    assert_int_equal(ev->birth_date, date_from_ymd(1978, 1, 1));
    assert_string_equal(ev->sex, "F");
    assert_string_equal(ev->patient_class, "E");
    assert_string_equal(ev->location, "");
    assert_string_equal(ev->attending_id, "12345");
    assert_string_equal(ev->attending_name, "Johnson, Peter");
    assert_int_equal(ev->ndx, 0);
    arena_free(a);

    a = arena_new(0);
    ev = map_ref(a, "ADT04-28.hl7");
    assert_int_equal(ev->kind, ADT_REGISTER);
    assert_int_equal(ev->nids, 3);
    assert_string_equal(ev->ids[1].id, "e167267c-16c9-4fe3-96ae-9cff5703e90a");
    assert_string_equal(ev->ids[1].authority, "EHRID");
    assert_string_equal(ev->location, "3N/136/B@RES General Hospital");
    assert_string_equal(ev->attending_id, "4356789876");
    arena_free(a);

    a = arena_new(0);
    ev = map_ref(a, "ADT-A04-01.hl7");
    assert_int_equal(ev->kind, ADT_REGISTER);
    arena_free(a);

    const char *updates[] = { "ADT-A08-01.hl7", "ADT-A08-02.hl7" };
    for (int i = 0; i < 2; i++) {
        a = arena_new(0);
        ev = map_ref(a, updates[i]);
        assert_int_equal(ev->kind, ADT_UPDATE);
        assert_string_equal(ev->trigger, "A08");
        assert_string_equal(ev->ids[0].id, "PATID1234");
        arena_free(a);
    }
}

/* Other trigger events are kept raw: no event, no error. */
static void test_others_kept_raw(void **state)
{
    (void)state;
    const char *files[] = { "ADT-A05-01.hl7", "ADT-A06-01.hl7", "ADT-A11-01.hl7",
                            "ADT-A28-01.hl7", "ADT-A40-01.hl7", "ADT-A60-02.hl7" };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        arena_t *a = arena_new(0);
        assert_null(map_ref(a, files[i]));
        arena_free(a);
    }
    /* Even with a broken birth date: only mapped events are validated. */
    arena_t *a = arena_new(0);
    err_t e;
    int rc;
    assert_null(map_str(a, "MSH|^~\\&|S|F|R|RF|20240301||ADT^A28|C1|P|2.5\rPID|||1||X||1988XX01\r",
                        &e, &rc));
    assert_int_equal(rc, 0);
    assert_null(map_str(a, "MSH|^~\\&|S|F|R|RF|20240301||ORU^R01|C1|P|2.5\rOBX|1\r", &e, &rc));
    assert_int_equal(rc, 0);
    /* A v2.3 sender that left MSH-9.2 out: EVN-1 gives the event. */
    adt_event_t *ev = map_str(
        a, "MSH|^~\\&|S|F|R|RF|20240301||ADT|C1|P|2.3\rEVN|A03|20240302\rPID|||7\r", &e, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(ev);
    assert_int_equal(ev->kind, ADT_DISCHARGE);
    arena_free(a);
}

static void expect_error(const char *msg, const char *field, long line, const char *needle)
{
    arena_t *a = arena_new(0);
    err_t e;
    int rc;
    assert_null(map_str(a, msg, &e, &rc));
    assert_int_equal(rc, ERR_INPUT);
    assert_string_equal(e.field, field);
    assert_int_equal(e.line, line);
    if (needle && !strstr(e.msg, needle))
        fail_msg("'%s' not in '%s'", needle, e.msg);
    arena_free(a);
}

static void test_errors(void **state)
{
    (void)state;
    const char *H = "MSH|^~\\&|S|F|R|RF|20240301||ADT^A01|C1|P|2.5\r";
    char msg[512];
    snprintf(msg, sizeof msg, "%sEVN|A01|20240301\rPID|||42||DOE^J||19881350|F\r", H);
    expect_error(msg, "PID-7", 3, "date of birth");
    snprintf(msg, sizeof msg, "%sEVN|A01|20240301\rPID|1||^^^AUTH~||DOE\r", H);
    expect_error(msg, "PID-3", 3, "missing patient identifier");
    snprintf(msg, sizeof msg, "%sEVN|A01|20240301\rPV1||I\r", H);
    expect_error(msg, "PID", 1, "without a PID");
    snprintf(msg, sizeof msg, "%sEVN|A01|2024-03-01\rPID|||42\r", H);
    expect_error(msg, "EVN-2", 2, "event date/time");
    snprintf(msg, sizeof msg,
             "%sPID|||42\rPV1||I||||||||||||||||||||||||||||||||||||||||||2024|X\r", H);
    expect_error(msg, "PV1-45", 3, "discharge");
    snprintf(msg, sizeof msg, "%sPID|||42\rPV1||I||||||||||||||||||||||||||||||||||||||||||bad\r",
             H);
    expect_error(msg, "PV1-44", 3, "admit");
    expect_error("MSH|^~\\&|S|F|R|RF|||ADT^A01|C1|P|2.5\rPID|||42\r", "MSH-7", 1, "missing");
    expect_error("MSH|^~\\&|S|F|R|RF|2024130112||ADT^A01|C1|P|2.5\rPID|||42\r", "MSH-7", 1,
                 "message date/time");
}

/* --- Storing ------------------------------------------------------------------ */

typedef struct seen {
    int n;
    int discharges;
    store_time_t discharge_time;
    char disposition[64];
    char dx[16];
} seen_t;

static int on_event(void *ctx, const store_adt_event_t *r, err_t *e)
{
    (void)e;
    seen_t *s = ctx;
    s->n++;
    if (r->event_type && strcmp(r->event_type, "A03") == 0) {
        s->discharges++;
        s->discharge_time = r->discharge_time;
        snprintf(s->disposition, sizeof s->disposition, "%s",
                 r->discharge_disposition ? r->discharge_disposition : "");
    }
    if (r->diagnosis_code)
        snprintf(s->dx, sizeof s->dx, "%s", r->diagnosis_code);
    return 0;
}

static void test_store(void **state)
{
    (void)state;
    char dir[512];
    snprintf(dir, sizeof dir, "%s/test-adt-XXXXXX", TRIPOD_BINARY_DIR);
    assert_non_null(mkdtemp(dir));
    char db[600];
    snprintf(db, sizeof db, "%s/t.db", dir);
    store_t *s;
    err_t e;
    err_clear(&e);
    if (store_open(db, &s, &e) != 0)
        fail_msg("store_open: %s", e.msg);

    /* One stream of six files: five distinct (MSH-4, MSH-10) keys, since
     * ADT04-251 and ADT04-28 share theirs (the later replaces the earlier). */
    const char *files[] = { "ADT01-23.hl7", "ADT04-23.hl7",   "ADT04-251.hl7",
                            "ADT04-28.hl7", "ADT-A40-01.hl7", "ADT-A03-01.hl7" };
    char *all = NULL;
    size_t total = 0;
    for (size_t i = 0; i < 6; i++) {
        size_t n = 0;
        char *p = read_ref(files[i], &n);
        all = mem_realloc(all, total + n + 2);
        memcpy(all + total, p, n);
        total += n;
        all[total++] = '\n';
        mem_free(p);
    }
    for (int round = 0; round < 2; round++) { /* importing twice changes nothing */
        adt_import_stats_t st;
        assert_int_equal(store_begin(s, &e), 0);
        if (adt_import(s, "six.hl7", all, total, &st, &e) != 0)
            fail_msg("adt_import: %s: %s", e.field, e.msg);
        assert_int_equal(store_commit(s, &e), 0);
        assert_int_equal(st.messages, 6);
        assert_int_equal(st.events, 5);
        int64_t n;
        assert_int_equal(store_count(s, "hl7_message", &n, &e), 0);
        assert_int_equal(n, 5);
        assert_int_equal(store_count(s, "adt_event", &n, &e), 0);
        assert_int_equal(n, 4);
    }
    seen_t seen = { 0 };
    assert_int_equal(store_scan_adt_event(s, on_event, &seen, &e), 0);
    assert_int_equal(seen.n, 4);
    assert_int_equal(seen.discharges, 1);
    assert_int_equal(seen.discharge_time, (int64_t)date_from_ymd(2015, 2, 9) * 86400 + 11 * 3600 +
                                              34 * 60 + 19 - 70 * 60);
    assert_string_equal(seen.disposition, "Admitted as Inpatient");

    /* A bad message names file, line and field, and the caller rolls back. */
    const char *bad = "MSH|^~\\&|S|F2|R|RF|20240301||ADT^A01|OK1|P|2.5\r\n"
                      "PID|||1\r\n"
                      "MSH|^~\\&|S|F2|R|RF|20240301||ADT^A03|BAD1|P|2.5\r\n"
                      "EVN|A03|20240301\r\n"
                      "PID|||2||DOE^J||19880230\r\n";
    assert_int_equal(store_begin(s, &e), 0);
    err_clear(&e);
    assert_int_equal(adt_import(s, "bad.hl7", bad, strlen(bad), NULL, &e), ERR_INPUT);
    err_t ignore;
    store_rollback(s, &ignore);
    char line[512];
    err_format(&e, line, sizeof line);
    assert_string_equal(e.file, "bad.hl7");
    assert_int_equal(e.line, 5);
    assert_string_equal(e.field, "PID-7");
    assert_non_null(strstr(line, "bad.hl7:5"));
    int64_t n;
    assert_int_equal(store_count(s, "hl7_message", &n, &e), 0);
    assert_int_equal(n, 5);

    /* ICD-10 diagnoses reach adt_event.diagnosis_code in canonical form. */
    const char *dx = "MSH|^~\\&|S|F3|R|RF|20240301||ADT^A03|DX1|P|2.5\r"
                     "PID|||9\rPV1||I\rDG1|1||E11.9^Type 2 diabetes^I10\r";
    assert_int_equal(store_begin(s, &e), 0);
    assert_int_equal(adt_import(s, "dx.hl7", dx, strlen(dx), NULL, &e), 0);
    assert_int_equal(store_commit(s, &e), 0);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(store_scan_adt_event(s, on_event, &seen, &e), 0);
    assert_string_equal(seen.dx, "E119");

    store_close(s);
    mem_free(all);
    unlink(db);
    char side[640];
    snprintf(side, sizeof side, "%s-wal", db);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db);
    unlink(side);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_admit),
        cmocka_unit_test(test_transfer),
        cmocka_unit_test(test_discharge),
        cmocka_unit_test(test_register_and_update),
        cmocka_unit_test(test_others_kept_raw),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
