/* adt.c — ADT A01/A02/A03/A04/A08 to encounter events (see adt.h).
 *
 * Field positions are those of HL7 v2.5.1 chapter 3, unchanged from v2.3 to
 * v2.8 for everything read here; fields a version withdrew (PID-2, EVN-1)
 * are not relied on.
 */
#include "ingest/adt.h"

#include "core/codes.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* The mapping, as data: trigger event to kind. */
static const struct {
    const char *trigger;
    adt_kind_t kind;
} adt_triggers[] = {
    { "A01", ADT_ADMIT },    { "A02", ADT_TRANSFER }, { "A03", ADT_DISCHARGE },
    { "A04", ADT_REGISTER }, { "A08", ADT_UPDATE },
};

const char *adt_kind_name(adt_kind_t k)
{
    switch (k) {
    case ADT_ADMIT:
        return "admit";
    case ADT_TRANSFER:
        return "transfer";
    case ADT_DISCHARGE:
        return "discharge";
    case ADT_REGISTER:
        return "register";
    case ADT_UPDATE:
        return "update";
    case ADT_NONE:
        break;
    }
    return "";
}

adt_kind_t adt_kind_of(const char *message_code, const char *trigger)
{
    if (!message_code || !trigger || strcmp(message_code, "ADT") != 0)
        return ADT_NONE;
    for (size_t i = 0; i < sizeof adt_triggers / sizeof adt_triggers[0]; i++)
        if (strcmp(trigger, adt_triggers[i].trigger) == 0)
            return adt_triggers[i].kind;
    return ADT_NONE;
}

/* The line of the first segment named seg (0 when absent). */
static long seg_line(const hl7_msg_t *m, const char *seg)
{
    for (size_t i = 0; i < hl7_segment_count(m); i++)
        if (strcmp(hl7_segment_name(m, i), seg) == 0)
            return hl7_segment_line(m, i);
    return hl7_segment_line(m, 0);
}

/* Reads a TS at seg-field (first repetition, first component) into an ISO
 * string; "" when absent; ERR_INPUT naming the field when malformed. */
static int read_ts(arena_t *a, const hl7_msg_t *m, const char *seg, int field, const char *what,
                   const char **iso, date_t *date, int64_t *at, err_t *e)
{
    const char *v = hl7_get(m, seg, 0, field, 0, 1, 0);
    *iso = "";
    if (date)
        *date = DATE_NONE;
    if (at)
        *at = ADT_TIME_NONE;
    if (!*v)
        return 0;
    hl7_ts_t ts;
    if (hl7_ts_parse(v, strlen(v), &ts) != 0) {
        char name[16];
        snprintf(name, sizeof name, "%s-%d", seg, field);
        return err_at(e, ERR_INPUT, NULL, seg_line(m, seg), 0, name, "invalid %s '%.40s'", what, v);
    }
    char buf[48];
    hl7_ts_iso(&ts, buf, sizeof buf);
    *iso = arena_strdup(a, buf);
    if (date)
        *date = ts.date;
    if (at)
        *at = hl7_ts_epoch(&ts);
    return 0;
}

/* PV1-3 (PL) as "point of care/room/bed@facility", skipping empty parts. */
static const char *location(arena_t *a, const hl7_msg_t *m, int field)
{
    char buf[512];
    size_t o = 0;
    buf[0] = 0;
    for (int c = 1; c <= 3; c++) {
        const char *v = hl7_get(m, "PV1", 0, field, 0, c, 1);
        if (!*v)
            continue;
        int k = snprintf(buf + o, sizeof buf - o, "%s%s", o ? "/" : "", v);
        if (k < 0 || (size_t)k >= sizeof buf - o)
            break;
        o += (size_t)k;
    }
    const char *fac = hl7_get(m, "PV1", 0, field, 0, 4, 1);
    if (*fac && o < sizeof buf)
        snprintf(buf + o, sizeof buf - o, "@%s", fac);
    return arena_strdup(a, buf);
}

int adt_map(arena_t *a, const hl7_msg_t *m, adt_event_t **out, err_t *e)
{
    *out = NULL;
    const char *code = hl7_message_code(m);
    const char *trigger = hl7_trigger(m);
    if (strcmp(code, "ADT") == 0 && !*trigger)
        trigger = hl7_get(m, "EVN", 0, 1, 0, 1, 1); /* v2.3 senders that leave MSH-9.2 out */
    adt_kind_t kind = adt_kind_of(code, trigger);
    if (kind == ADT_NONE)
        return 0;

    adt_event_t *ev = arena_calloc(a, 1, sizeof *ev);
    ev->kind = kind;
    ev->trigger = trigger;
    ev->control_id = hl7_control_id(m);
    ev->sending_app = hl7_get(m, "MSH", 0, 3, 0, 1, 1);
    ev->sending_facility = hl7_get(m, "MSH", 0, 4, 0, 1, 1);

    int rc;
    if (hl7_present(m, "EVN", 0, 2, 0, 1, 0))
        rc = read_ts(a, m, "EVN", 2, "event date/time", &ev->event_time, &ev->event_date,
                     &ev->event_at, e);
    else
        rc = read_ts(a, m, "MSH", 7, "message date/time", &ev->event_time, &ev->event_date,
                     &ev->event_at, e);
    if (rc)
        return rc;
    if (!*ev->event_time)
        return err_at(e, ERR_INPUT, NULL, seg_line(m, "MSH"), 0, "MSH-7",
                      "missing message date/time (and no EVN-2)");

    /* The patient: PID-3 links the event to a person; without it the event
     * cannot be placed and is refused. */
    if (hl7_count(m, "PID") == 0)
        return err_at(e, ERR_INPUT, NULL, seg_line(m, "MSH"), 0, "PID",
                      "ADT^%s without a PID segment", trigger);
    size_t nrep = hl7_rep_count(m, "PID", 0, 3);
    ev->ids = arena_calloc(a, nrep ? nrep : 1, sizeof *ev->ids);
    for (size_t r = 0; r < nrep; r++) {
        const char *id = hl7_get(m, "PID", 0, 3, r, 1, 1);
        if (!*id)
            continue;
        adt_ident_t *x = &ev->ids[ev->nids++];
        x->id = id;
        x->authority = hl7_get(m, "PID", 0, 3, r, 4, 1);
        x->authority_oid = hl7_get(m, "PID", 0, 3, r, 4, 2);
        x->type = hl7_get(m, "PID", 0, 3, r, 5, 1);
    }
    if (ev->nids == 0)
        return err_at(e, ERR_INPUT, NULL, seg_line(m, "PID"), 0, "PID-3",
                      "missing patient identifier");
    ev->family_name = hl7_get(m, "PID", 0, 5, 0, 1, 1);
    ev->given_name = hl7_get(m, "PID", 0, 5, 0, 2, 1);
    const char *iso;
    if ((rc = read_ts(a, m, "PID", 7, "date of birth", &iso, &ev->birth_date, NULL, e)) != 0)
        return rc;
    ev->sex = hl7_get(m, "PID", 0, 8, 0, 1, 1);

    /* The visit (PV1 is required by every one of these events, but a missing
     * one only leaves the visit fields empty). */
    ev->patient_class = hl7_get(m, "PV1", 0, 2, 0, 1, 1);
    ev->location = location(a, m, 3);
    ev->prior_location = location(a, m, 6);
    ev->admit_type = hl7_get(m, "PV1", 0, 4, 0, 1, 1);
    ev->attending_id = hl7_get(m, "PV1", 0, 7, 0, 1, 1);
    const char *fam = hl7_get(m, "PV1", 0, 7, 0, 2, 1);
    const char *giv = hl7_get(m, "PV1", 0, 7, 0, 3, 1);
    ev->attending_name = *fam && *giv ? arena_printf(a, "%s, %s", fam, giv) : (*fam ? fam : giv);
    ev->hospital_service = hl7_get(m, "PV1", 0, 10, 0, 1, 1);
    ev->visit_number = hl7_get(m, "PV1", 0, 19, 0, 1, 1);
    ev->disposition = hl7_get(m, "PV1", 0, 36, 0, 1, 1);
    if ((rc = read_ts(a, m, "PV1", 44, "admit date/time", &ev->admit_time, NULL, &ev->admit_at,
                      e)) != 0)
        return rc;
    if ((rc = read_ts(a, m, "PV1", 45, "discharge date/time", &ev->discharge_time, NULL,
                      &ev->discharge_at, e)) != 0)
        return rc;

    size_t ndg = hl7_count(m, "DG1");
    ev->dx = arena_calloc(a, ndg ? ndg : 1, sizeof *ev->dx);
    for (size_t i = 0; i < ndg; i++) {
        adt_dx_t *d = &ev->dx[ev->ndx];
        d->code = hl7_get(m, "DG1", i, 3, 0, 1, 1);
        d->text = hl7_get(m, "DG1", i, 3, 0, 2, 1);
        d->system = hl7_get(m, "DG1", i, 3, 0, 3, 1);
        if (!*d->text)
            d->text = hl7_get(m, "DG1", i, 4, 0, 1, 1); /* v2.3 description */
        if (!*d->system)
            d->system = hl7_get(m, "DG1", i, 2, 0, 1, 1); /* v2.3 coding method */
        if (*d->code)
            ev->ndx++;
    }
    *out = ev;
    return 0;
}

/* --- Storing ----------------------------------------------------------------- */

/* The identifier that links the event to a patient: the medical record
 * number (CX.5 "MR") when there is one, else the first. */
static const adt_ident_t *link_ident(const adt_event_t *ev)
{
    for (size_t i = 0; i < ev->nids; i++)
        if (strcmp(ev->ids[i].type, "MR") == 0)
            return &ev->ids[i];
    return ev->nids ? &ev->ids[0] : NULL;
}

static bool is_npi(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (s[n] < '0' || s[n] > '9')
            return false;
    return n == 10;
}

/* The raw message with its segments separated by CR (files use LF or CRLF),
 * without a byte-order mark or MLLP bytes before the MSH. */
static char *raw_cr(arena_t *a, const hl7_msg_t *m)
{
    size_t n;
    const char *p = hl7_raw(m, &n);
    while (n >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
           (unsigned char)p[2] == 0xBF) {
        p += 3;
        n -= 3;
    }
    while (n > 0 && (p[0] == 0x0B || p[0] == '\r' || p[0] == '\n')) {
        p++;
        n--;
    }
    char *out = arena_alloc(a, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\n' && i > 0 && p[i - 1] == '\r')
            continue;
        if (c == 0)
            continue;
        out[o++] = c == '\n' ? '\r' : c;
    }
    while (o > 0 && (out[o - 1] == '\r' || out[o - 1] == 0x1C || out[o - 1] == ' '))
        o--;
    out[o++] = '\r';
    out[o] = 0;
    return out;
}

int adt_store(store_t *s, const hl7_msg_t *m, const adt_event_t *ev, int64_t received_at, err_t *e)
{
    arena_t *a = arena_new(0);
    int rc;
    const char *facility = hl7_get(m, "MSH", 0, 4, 0, 1, 1);
    const char *control = hl7_control_id(m);

    store_hl7_message_t r;
    store_hl7_message_init(&r);
    r.sending_facility = facility;
    r.message_control_id = control;
    r.sending_application = hl7_get(m, "MSH", 0, 3, 0, 1, 1);
    r.message_type = hl7_message_code(m);
    r.event_type = ev ? ev->trigger : hl7_trigger(m);
    r.version = hl7_version(m);
    hl7_ts_t ts;
    const char *msh7 = hl7_get(m, "MSH", 0, 7, 0, 1, 0);
    if (*msh7 && hl7_ts_parse(msh7, strlen(msh7), &ts) == 0)
        r.message_time = hl7_ts_epoch(&ts);
    r.received_at = received_at;
    r.status = ev ? "processed" : "received";
    r.raw = raw_cr(a, m);
    if ((rc = store_put_hl7_message(s, &r, e)) != 0)
        goto done;

    if (ev) {
        store_adt_event_t x;
        store_adt_event_init(&x);
        const adt_ident_t *id = link_ident(ev);
        x.sending_facility = facility;
        x.message_control_id = control;
        x.patient_identifier = id ? id->id : NULL;
        x.identifier_authority = id ? (*id->authority ? id->authority : id->authority_oid) : NULL;
        x.event_type = ev->trigger;
        x.event_time = ev->event_at;
        x.patient_class = ev->patient_class;
        x.location = ev->location;
        const char *pv1_fac = hl7_get(m, "PV1", 0, 3, 0, 4, 1);
        x.facility = *pv1_fac ? pv1_fac : facility;
        x.admit_type = ev->admit_type;
        x.admit_time = ev->admit_at;
        x.discharge_time = ev->discharge_at;
        x.discharge_disposition = ev->disposition;
        x.attending_npi = is_npi(ev->attending_id) ? ev->attending_id : NULL;
        /* The store keeps one diagnosis, canonical ICD-10-CM: the first DG1
         * coded in ICD-10 ("I10", "ICD10", "ICD-10-CM"). */
        char code[CODE_MAX];
        for (size_t i = 0; i < ev->ndx; i++) {
            const char *sys = ev->dx[i].system;
            if ((strcmp(sys, "I10") == 0 || strcmp(sys, "ICD10") == 0 ||
                 strcmp(sys, "ICD-10-CM") == 0 || strcmp(sys, "I10C") == 0) &&
                code_norm_icd10cm(ev->dx[i].code, strlen(ev->dx[i].code), code, sizeof code) == 0) {
                x.diagnosis_code = code;
                break;
            }
        }
        rc = store_put_adt_event(s, &x, e);
    }
done:
    arena_free(a);
    return rc;
}

int adt_import(store_t *s, const char *name, const char *buf, size_t n, adt_import_stats_t *st,
               err_t *e)
{
    size_t pos = 0;
    long cur = 1;
    int rc = 0;
    arena_t *a = arena_new(0);
    int64_t now = (int64_t)time(NULL);
    long line = 0;
    if (st)
        memset(st, 0, sizeof *st);
    for (;;) {
        const char *msg;
        size_t len;
        rc = hl7_next_message(buf, n, &pos, &cur, &msg, &len, &line, e);
        if (rc != 0 || !msg)
            break;
        hl7_msg_t *m;
        adt_event_t *ev;
        if ((rc = hl7_parse(a, msg, len, line, &m, e)) != 0 || (rc = adt_map(a, m, &ev, e)) != 0 ||
            (rc = adt_store(s, m, ev, now, e)) != 0)
            break;
        if (st) {
            st->messages++;
            st->events += ev != NULL;
        }
        arena_reset(a);
    }
    arena_free(a);
    if (rc != 0 && name)
        err_where(e, name, line, 0, NULL);
    return rc;
}
