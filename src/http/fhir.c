/* fhir.c — the FHIR R4 API (/fhir/): the CapabilityStatement, generated
 * from the route table, and the Patient resource with compartment scoping
 * (a patient user's searches see only their own record). */
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "care/panel.h"
#include "core/str.h"
#include "http/api.h"

static json_t *patient_resource(const panel_patient_t *pt)
{
    json_t *res = json_pack("{s:s,s:s}", "resourceType", "Patient", "id", pt->person_id);
    json_t *name = json_object();
    if (pt->last_name)
        json_object_set_new(name, "family", json_string(pt->last_name));
    if (pt->first_name)
        json_object_set_new(name, "given", json_pack("[s]", pt->first_name));
    json_object_set_new(res, "name", json_pack("[o]", name));
    if (pt->gender && (!strcmp(pt->gender, "male") || !strcmp(pt->gender, "female") ||
                       !strcmp(pt->gender, "unknown") || !strcmp(pt->gender, "other")))
        json_object_set_new(res, "gender", json_string(pt->gender));
    if (pt->birth_date != DATE_NONE)
        json_object_set_new(res, "birthDate", api_date(pt->birth_date));
    if (pt->death_date != DATE_NONE)
        json_object_set_new(res, "deceasedDateTime", api_date(pt->death_date));
    if (pt->phone)
        json_object_set_new(res, "telecom",
                            json_pack("[{s:s,s:s}]", "system", "phone", "value", pt->phone));
    if (pt->address || pt->city) {
        json_t *a = json_object();
        if (pt->address)
            json_object_set_new(a, "line", json_pack("[s]", pt->address));
        if (pt->city)
            json_object_set_new(a, "city", json_string(pt->city));
        if (pt->state)
            json_object_set_new(a, "state", json_string(pt->state));
        if (pt->zip_code)
            json_object_set_new(a, "postalCode", json_string(pt->zip_code));
        json_object_set_new(res, "address", json_pack("[o]", a));
    }
    if (pt->pcp_npi)
        json_object_set_new(res, "generalPractitioner",
                            json_pack("[{s:{s:s,s:s},s:o}]", "identifier", "system",
                                      "http://hl7.org/fhir/sid/us-npi", "value", pt->pcp_npi,
                                      "display",
                                      pt->pcp_name ? json_string(pt->pcp_name) : json_null()));
    return res;
}

int fhir_patient_read(http_req_t *r)
{
    const panel_patient_t *pt = panel_find(http_server_panel(r->srv), r->params[0]);
    r->audit_resource = "Patient";
    r->audit_id = r->params[0];
    if (!pt)
        return http_reply_error(r, 404, "id", "Patient/%s is not known", r->params[0]);
    r->audit_patient = pt->person_id;
    return http_reply_json(r, 200, patient_resource(pt));
}

/* The search parameters served; any other is refused (FHIR's strict
 * handling), so that a typo never silently widens a search. */
static const char *const patient_params[] = { "_id",    "name",      "family",
                                              "given",  "birthdate", "general-practitioner",
                                              "_count", "_offset",   NULL };

typedef struct arg_check {
    const char *bad;
} arg_check_t;

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    (void)kind;
    (void)value;
    arg_check_t *c = cls;
    for (int i = 0; patient_params[i]; i++)
        if (strcmp(key, patient_params[i]) == 0)
            return MHD_YES;
    c->bad = key;
    return MHD_NO;
}

const char *http_url_escape(arena_t *a, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = arena_alloc(a, 3 * n + 1), *o = out;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o = 0;
    return out;
}

int fhir_patient_search(http_req_t *r)
{
    arg_check_t chk = { NULL };
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, check_arg, &chk);
    if (chk.bad)
        return http_reply_error(r, 400, chk.bad, "unknown search parameter '%s' for Patient",
                                chk.bad);
    panel_query_t q = { .birth_date = DATE_NONE };
    const char *id = http_arg(r, "_id"), *name = http_arg(r, "name");
    q.text = id && *id ? id : name && *name ? name : http_arg(r, "family");
    if (!q.text || !*q.text)
        q.text = http_arg(r, "given");
    q.pcp = http_arg(r, "general-practitioner");
    const char *bd = http_arg(r, "birthdate");
    if (bd && *bd && date_parse(bd, strlen(bd), &q.birth_date) != 0)
        return http_reply_error(r, 400, "birthdate", "must be YYYY-MM-DD");
    if (r->user.role == ROLE_PATIENT)
        q.only_id = r->user.patient_id;
    long count, offset;
    if (api_int_arg(r, "_count", 20, 200, &count) ||
        api_int_arg(r, "_offset", 0, 10000000, &offset))
        return r->status;
    const panel_patient_t *rows[200];
    size_t total = panel_search(http_server_panel(r->srv), &q, (size_t)offset, (size_t)count, rows);
    json_t *entries = json_array();
    for (size_t i = 0; (size_t)offset + i < total && i < (size_t)count; i++)
        json_array_append_new(
            entries, json_pack("{s:s,s:o,s:{s:s}}", "fullUrl",
                               arena_printf(r->arena, "Patient/%s", rows[i]->person_id), "resource",
                               patient_resource(rows[i]), "search", "mode", "match"));
    json_t *links = json_array();
    /* paging links keep the other parameters */
    /* Bundle links are absolute (FHIR R4 Bundle.link.url), values escaped */
    const char *host = http_header(r, "Host");
    char *base = arena_printf(r->arena, "%s://%s/fhir/Patient?_count=%ld%s%s%s%s",
                              http_server_config(r->srv)->behind_tls ? "https" : "http",
                              host ? host : "localhost", count, q.text ? "&name=" : "",
                              q.text ? http_url_escape(r->arena, q.text) : "",
                              bd ? "&birthdate=" : "", bd ? http_url_escape(r->arena, bd) : "");
    json_array_append_new(links, json_pack("{s:s,s:s}", "relation", "self", "url",
                                           arena_printf(r->arena, "%s&_offset=%ld", base, offset)));
    if ((size_t)(offset + count) < total)
        json_array_append_new(
            links, json_pack("{s:s,s:s}", "relation", "next", "url",
                             arena_printf(r->arena, "%s&_offset=%ld", base, offset + count)));
    r->audit_resource = "Patient";
    r->audit_id = "search";
    return http_reply_json(r, 200,
                           json_pack("{s:s,s:s,s:I,s:o,s:o}", "resourceType", "Bundle", "type",
                                     "searchset", "total", (json_int_t)total, "link", links,
                                     "entry", entries));
}

int fhir_metadata(http_req_t *r)
{
    /* The resources and interactions are those of the route table. */
    json_t *resources = json_object();
    for (size_t i = 0; i < http_nroutes; i++) {
        const route_t *rt = &http_routes[i];
        if (!(rt->flags & ROUTE_FHIR) || strncmp(rt->pattern, "/fhir/", 6) != 0)
            continue;
        const char *type = rt->pattern + 6;
        size_t tl = strcspn(type, "/");
        if (!tl || type[0] == 'm')
            continue; /* metadata */
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)tl, type);
        json_t *res = json_object_get(resources, name);
        if (!res) {
            res = json_pack("{s:s,s:[]}", "type", name, "interaction");
            json_object_set_new(resources, name, res);
        }
        const char *code = type[tl] == '/' ? "read" : "search-type";
        json_array_append_new(json_object_get(res, "interaction"),
                              json_pack("{s:s}", "code", code));
        if (!strcmp(code, "search-type") && !strcmp(name, "Patient")) {
            json_t *sp = json_array();
            static const char *const types[] = { "token",  "string", "string",
                                                 "string", "date",   "reference" };
            for (int k = 0; k < 6; k++)
                json_array_append_new(
                    sp, json_pack("{s:s,s:s}", "name", patient_params[k], "type", types[k]));
            json_object_set_new(res, "searchParam", sp);
        }
    }
    json_t *list = json_array();
    const char *key;
    json_t *val;
    json_object_foreach(resources, key, val) json_array_append(list, val);
    json_decref(resources);
    return http_reply_json(
        r, 200,
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:[s],s:{s:s,s:s},s:[{s:s,s:{s:b,s:[{s:[{s:s,s:s}]}]},"
                  "s:o}]}",
                  "resourceType", "CapabilityStatement", "status", "active", "date", "2026-12-08",
                  "kind", "instance", "fhirVersion", "4.0.1", "format", "json", "software", "name",
                  "Tripod", "version", "0.1.0", "rest", "mode", "server", "security", "cors", 0,
                  "service", "coding", "system",
                  "http://terminology.hl7.org/CodeSystem/restful-security-service", "code", "Basic",
                  "resource", list));
}
