/* api.c — the JSON API's handlers (/api/), over the panel and the store.
 * docs/api.md has an example of each. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "care/panel.h"
#include "core/date.h"
#include "core/str.h"
#include "http/api.h"
#include "http/auth.h"

#define PAGE_DEFAULT 25
#define PAGE_MAX     200

json_t *api_date(date_t d)
{
    if (d == DATE_NONE)
        return json_null();
    char s[DATE_FMT_LEN];
    date_format(d, s);
    return json_string(s);
}

static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *num_or_null(double v)
{
    return isnan(v) ? json_null() : json_real(round(v * 1e4) / 1e4);
}

/* "a|b|c" as a JSON array. */
static json_t *list_json(const char *s)
{
    json_t *a = json_array();
    while (s && *s) {
        const char *bar = strchr(s, '|');
        size_t n = bar ? (size_t)(bar - s) : strlen(s);
        if (n)
            json_array_append_new(a, json_stringn(s, n));
        s = bar ? bar + 1 : NULL;
    }
    return a;
}

static json_t *money_json(money_t m)
{
    return m == INT64_MIN ? json_null() : json_real((double)m / 100.0);
}

/* Reads a bounded non-negative integer argument; -1 (and a 400) when bad. */
int api_int_arg(http_req_t *r, const char *name, long dflt, long max, long *out)
{
    const char *v = http_arg(r, name);
    if (!v || !*v) {
        *out = dflt;
        return 0;
    }
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < 0 || n > max) {
        http_reply_error(r, 400, name, "must be a whole number from 0 to %ld", max);
        return -1;
    }
    *out = n;
    return 0;
}

/* page (from 1) and per_page of a list; -1 (and a 400) when bad. */
static int page_args(http_req_t *r, long *page, long *per)
{
    if (api_int_arg(r, "page", 1, 1000000, page) ||
        api_int_arg(r, "per_page", PAGE_DEFAULT, PAGE_MAX, per))
        return -1;
    if (*page < 1)
        *page = 1;
    return 0;
}

/* ---- sign-in ---------------------------------------------------------- */

int api_login(http_req_t *r)
{
    json_error_t je;
    json_t *body = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, &je);
    const char *user = NULL, *pass = NULL;
    if (!body || !json_is_object(body)) {
        json_decref(body);
        return http_reply_error(r, 400, NULL, "the body must be a JSON object: %s",
                                body ? "not an object" : je.text);
    }
    user = json_string_value(json_object_get(body, "username"));
    pass = json_string_value(json_object_get(body, "password"));
    if (!user || !*user || strlen(user) > 63) {
        json_decref(body);
        return http_reply_error(r, 400, "username", "a username of 1 to 63 characters is needed");
    }
    if (!pass || strlen(pass) > 1024) {
        json_decref(body);
        return http_reply_error(r, 400, "password", "a password is needed");
    }
    auth_t *a = http_server_auth(r->srv);
    const char *cookie = NULL;
    int retry = 0;
    err_t e;
    err_clear(&e);
    http_user_t u;
    char uname[64];
    str_copy(uname, user, sizeof uname);
    auth_result_t res = auth_login(a, r, user, pass, &u, &cookie, &retry, &e);
    json_decref(body);
    char ra[16];
    switch (res) {
    case AUTH_OK:
        r->user = u;
        r->signed_in = true;
        http_add_header(r, "Set-Cookie", cookie);
        http_audit(r, "login", "ok");
        return http_reply_json(r, 200,
                               json_pack("{s:s,s:s,s:o}", "username", u.username, "role",
                                         role_name(u.role), "patient", str_or_null(u.patient_id)));
    case AUTH_BAD:
        /* the name tried is kept in the entry, never the password */
        r->audit_id = arena_strdup(r->arena, uname);
        r->audit_resource = "User";
        http_audit(r, "login", "failed");
        return http_reply_error(r, 401, NULL, "unknown user or wrong password");
    case AUTH_LIMITED:
    case AUTH_BUSY:
        snprintf(ra, sizeof ra, "%d", retry);
        http_add_header(r, "Retry-After", ra);
        http_audit(r, "login", "refused");
        return http_reply_error(r, res == AUTH_LIMITED ? 429 : 503, NULL,
                                res == AUTH_LIMITED ? "too many sign-in attempts; try again in %d s"
                                                    : "the server is busy; try again in %d s",
                                retry);
    default:
        return http_reply_error(r, 500, NULL, "sign-in failed: %s", e.msg);
    }
}

int api_logout(http_req_t *r)
{
    const char *cookie = NULL;
    err_t e;
    err_clear(&e);
    int rc = auth_logout(http_server_auth(r->srv), r, &cookie, &e);
    http_add_header(r, "Set-Cookie", cookie);
    if (rc)
        return http_reply_error(r, 500, NULL, "sign-out failed: %s", e.msg);
    http_audit(r, "logout", "ok");
    return http_reply_json(r, 200, json_pack("{s:b}", "signed_out", 1));
}

int api_me(http_req_t *r)
{
    return http_reply_json(r, 200,
                           json_pack("{s:s,s:s,s:o}", "username", r->user.username, "role",
                                     role_name(r->user.role), "patient",
                                     str_or_null(r->user.patient_id)));
}

int api_health(http_req_t *r)
{
    panel_t *p = http_server_panel(r->srv);
    return http_reply_json(r, 200,
                           json_pack("{s:s,s:I,s:o}", "status", "ok", "patients",
                                     (json_int_t)panel_count(p), "as_of",
                                     api_date(panel_as_of(p))));
}

/* ---- patients --------------------------------------------------------- */

static json_t *patient_row(const panel_patient_t *pt)
{
    return json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:I}", "id", pt->person_id, "first_name",
                     str_or_null(pt->first_name), "last_name", str_or_null(pt->last_name),
                     "birth_date", api_date(pt->birth_date), "gender", str_or_null(pt->gender),
                     "pcp", str_or_null(pt->pcp_name), "tier", str_or_null(pt->tier), "risk_score",
                     num_or_null(pt->risk_score), "probability", num_or_null(pt->probability),
                     "open_gaps", (json_int_t)pt->ngaps);
}

int api_patients(http_req_t *r)
{
    panel_query_t q = { .birth_date = DATE_NONE };
    q.text = http_arg(r, "q");
    q.pcp = http_arg(r, "pcp");
    q.tier = http_arg(r, "tier");
    const char *bd = http_arg(r, "birth_date");
    if (bd && *bd && date_parse(bd, strlen(bd), &q.birth_date) != 0)
        return http_reply_error(r, 400, "birth_date", "must be YYYY-MM-DD");
    if (q.tier && *q.tier && strcmp(q.tier, "low") && strcmp(q.tier, "rising") &&
        strcmp(q.tier, "high") && strcmp(q.tier, "critical"))
        return http_reply_error(r, 400, "tier", "must be low, rising, high or critical");
    const char *og = http_arg(r, "open_gaps");
    q.open_gaps = og && (strcmp(og, "1") == 0 || strcmp(og, "true") == 0);
    if (r->user.role == ROLE_PATIENT)
        q.only_id = r->user.patient_id; /* compartment: the search sees only their record */
    long page, per;
    if (page_args(r, &page, &per))
        return r->status;
    const panel_patient_t *rows[PAGE_MAX];
    panel_t *p = http_server_panel(r->srv);
    size_t total = panel_search(p, &q, (size_t)(page - 1) * (size_t)per, (size_t)per, rows);
    json_t *items = json_array();
    size_t first = (size_t)(page - 1) * (size_t)per;
    for (size_t i = 0; first + i < total && i < (size_t)per; i++)
        json_array_append_new(items, patient_row(rows[i]));
    r->audit_resource = "Patient";
    r->audit_id = "search";
    return http_reply_json(r, 200,
                           json_pack("{s:I,s:I,s:I,s:o}", "total", (json_int_t)total, "page",
                                     (json_int_t)page, "per_page", (json_int_t)per, "items",
                                     items));
}

static json_t *summary_json(const panel_patient_t *pt, const panel_t *p)
{
    json_t *gaps = json_array(), *hcc = json_array(), *stays = json_array(), *eds = json_array();
    for (size_t i = 0; i < pt->ngaps; i++) {
        const panel_gap_t *g = &pt->gaps[i];
        json_array_append_new(
            gaps, json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o}", "measure", g->measure_id, "group",
                            str_or_null(g->group_id), "gap", str_or_null(g->text), "evidence",
                            str_or_null(g->evidence), "next_action", str_or_null(g->action),
                            "priority", str_or_null(g->priority), "due", api_date(g->due)));
    }
    for (size_t i = 0; i < pt->nhcc_gaps; i++) {
        const panel_hcc_gap_t *g = &pt->hcc_gaps[i];
        json_array_append_new(
            hcc, json_pack("{s:o,s:I,s:o,s:o,s:o}", "kind", str_or_null(g->kind), "hcc",
                           (json_int_t)g->hcc, "code", str_or_null(g->code), "description",
                           str_or_null(g->description), "evidence", str_or_null(g->evidence)));
    }
    for (size_t i = 0; i < pt->nstays; i++) {
        const panel_stay_t *s = &pt->stays[i];
        json_array_append_new(stays,
                              json_pack("{s:o,s:o,s:o,s:o,s:b,s:I}", "admission",
                                        api_date(s->admission), "discharge", api_date(s->discharge),
                                        "principal_dx", str_or_null(s->principal_dx), "disposition",
                                        str_or_null(s->disposition), "readmitted_30d",
                                        s->readmit_30, "lace", (json_int_t)s->lace));
    }
    for (size_t i = 0; i < pt->neds; i++) {
        const panel_ed_t *v = &pt->eds[i];
        json_array_append_new(eds, json_pack("{s:o,s:o,s:o,s:o}", "date", api_date(v->date),
                                             "principal_dx", str_or_null(v->principal_dx),
                                             "nyu_class", str_or_null(v->nyu_class),
                                             "avoidable_probability", num_or_null(v->avoidable)));
    }
    json_t *risk =
        json_pack("{s:o,s:o,s:o,s:o,s:I}", "score", num_or_null(pt->risk_score), "tier",
                  str_or_null(pt->tier), "probability", num_or_null(pt->probability), "top_factors",
                  list_json(pt->top_factors), "hcc_count", (json_int_t)pt->hcc_count);
    json_t *use = json_pack("{s:I,s:I,s:I,s:I,s:o,s:o}", "ed_visits", (json_int_t)pt->ed_visits,
                            "ed_avoidable", (json_int_t)pt->ed_avoidable, "admissions",
                            (json_int_t)pt->ip_admits, "readmissions", (json_int_t)pt->readmissions,
                            "cost", money_json(pt->cost), "pmpm", money_json(pt->pmpm));
    return json_pack(
        "{s:s,s:o,s:{s:o,s:o,s:o,s:o,s:o,s:o,s:o},s:{s:o,s:o},s:o,s:o,s:{s:b,s:b},s:o,s:o,s:o,"
        "s:o,s:o}",
        "id", pt->person_id, "as_of", api_date(panel_as_of(p)), "demographics", "first_name",
        str_or_null(pt->first_name), "last_name", str_or_null(pt->last_name), "birth_date",
        api_date(pt->birth_date), "gender", str_or_null(pt->gender), "phone",
        str_or_null(pt->phone), "address", str_or_null(pt->address), "death_date",
        api_date(pt->death_date), "pcp", "npi", str_or_null(pt->pcp_npi), "name",
        str_or_null(pt->pcp_name), "risk", risk, "chronic_conditions", list_json(pt->conditions),
        "programs", "ccm_eligible", pt->ccm_eligible, "pcm_eligible", pt->pcm_eligible, "care_gaps",
        gaps, "hcc_gaps", hcc, "admissions", stays, "ed_visits", eds, "utilisation", use);
}

/* The patient of :id, with the audit entry's subject set; NULL (and a
 * 404 answered) when there is none. */
static const panel_patient_t *route_patient(http_req_t *r)
{
    const panel_patient_t *pt = panel_find(http_server_panel(r->srv), r->params[0]);
    r->audit_resource = "Patient";
    r->audit_id = r->params[0];
    if (!pt) {
        http_reply_error(r, 404, "id", "no such patient");
        return NULL;
    }
    r->audit_patient = pt->person_id;
    return pt;
}

int api_patient_summary(http_req_t *r)
{
    const panel_patient_t *pt = route_patient(r);
    return pt ? http_reply_json(r, 200, summary_json(pt, http_server_panel(r->srv))) : r->status;
}

int api_patient_contact(http_req_t *r)
{
    const panel_patient_t *pt = route_patient(r);
    if (!pt)
        return r->status;
    /* Minimum necessary for outreach: who, how to reach them, what to ask
     * for; no diagnoses, no notes. */
    json_t *asks = json_array();
    for (size_t i = 0; i < pt->ngaps; i++)
        if (pt->gaps[i].action)
            json_array_append_new(asks, json_pack("{s:s,s:o}", "next_action", pt->gaps[i].action,
                                                  "due", api_date(pt->gaps[i].due)));
    return http_reply_json(
        r, 200,
        json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", pt->person_id, "first_name",
                  str_or_null(pt->first_name), "last_name", str_or_null(pt->last_name),
                  "birth_date", api_date(pt->birth_date), "phone", str_or_null(pt->phone),
                  "address", str_or_null(pt->address), "city", str_or_null(pt->city), "state",
                  str_or_null(pt->state), "zip_code", str_or_null(pt->zip_code), "asks", asks));
}

int api_population(http_req_t *r)
{
    panel_t *p = http_server_panel(r->srv);
    const char *js = panel_population_json(p);
    json_error_t je;
    json_t *v = js ? json_loads(js, 0, &je) : NULL;
    if (!v)
        return http_reply_error(r, 404, NULL,
                                "no analysis yet: run 'tripod analyze --db DB' and restart");
    return http_reply_json(r, 200, v);
}

int api_gaps(http_req_t *r)
{
    const char *measure = http_arg(r, "measure"), *prio = http_arg(r, "priority");
    if (prio && *prio && strcmp(prio, "high") && strcmp(prio, "medium") && strcmp(prio, "low"))
        return http_reply_error(r, 400, "priority", "must be high, medium or low");
    long page, per;
    if (page_args(r, &page, &per))
        return r->status;
    panel_t *p = http_server_panel(r->srv);
    json_t *items = json_array();
    size_t total = 0, first = (size_t)(page - 1) * (size_t)per;
    for (size_t i = 0; i < panel_count(p); i++) {
        const panel_patient_t *pt = panel_at(p, i);
        if (r->user.role == ROLE_PATIENT && strcmp(pt->person_id, r->user.patient_id) != 0)
            continue;
        for (size_t k = 0; k < pt->ngaps; k++) {
            const panel_gap_t *g = &pt->gaps[k];
            if ((measure && *measure && strcmp(g->measure_id, measure) != 0) ||
                (prio && *prio && (!g->priority || strcmp(g->priority, prio) != 0)))
                continue;
            if (total >= first && total - first < (size_t)per)
                json_array_append_new(
                    items, json_pack("{s:s,s:s,s:o,s:o,s:o,s:o}", "patient", pt->person_id,
                                     "measure", g->measure_id, "gap", str_or_null(g->text),
                                     "next_action", str_or_null(g->action), "priority",
                                     str_or_null(g->priority), "due", api_date(g->due)));
            total++;
        }
    }
    r->audit_resource = "CareGap";
    r->audit_id = "list";
    return http_reply_json(r, 200,
                           json_pack("{s:I,s:I,s:I,s:o}", "total", (json_int_t)total, "page",
                                     (json_int_t)page, "per_page", (json_int_t)per, "items",
                                     items));
}
