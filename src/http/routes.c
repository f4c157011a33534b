/* routes.c — every endpoint, who may call it and whether it is audited: the
 * permission table of docs/security.md. The permission tests walk this
 * table cell by cell (every route x every role), and the
 * CapabilityStatement is built from its /fhir/ rows. */
#include "http/api.h"

#define R(r) ROLE_BIT(ROLE_##r)
/* Who reads a patient's whole chart. */
#define CHART (ROLES_CLINICAL | R(PATIENT))
/* Who works from patient lists (billing needs them for time logs). */
#define LISTS (ROLES_CLINICAL | R(OUTREACH) | R(BILLING) | R(PATIENT))
/* Population views. */
#define POPULATION (ROLES_CLINICAL | R(ANALYST))

const route_t http_routes[] = {
    { "GET", "/api/health", api_health, ROLES_ALL, ROUTE_PUBLIC, "health",
      "liveness, patients loaded, analysis date" },
    { "POST", "/api/login", api_login, ROLES_ALL, ROUTE_PUBLIC | ROUTE_WRITE, "login",
      "sign in with username and password; sets the session cookie" },
    { "POST", "/api/logout", api_logout, ROLES_ALL, ROUTE_WRITE, "logout", "end the session" },
    { "GET", "/api/me", api_me, ROLES_ALL, 0, "me", "who is signed in" },
    { "GET", "/api/patients", api_patients, LISTS, ROUTE_AUDITED, "patient.search",
      "search patients by name, id, birth date, PCP, tier, open gaps; paged" },
    { "GET", "/api/patients/:id", api_patient_summary, CHART, ROUTE_AUDITED | ROUTE_PATIENT_ID,
      "patient.read", "the patient summary: risk, HCC gaps, care gaps, admissions, cost" },
    { "GET", "/api/patients/:id/contact", api_patient_contact,
      ROLES_CLINICAL | R(OUTREACH) | R(PATIENT), ROUTE_AUDITED | ROUTE_PATIENT_ID,
      "patient.contact", "contact details and what to ask for, for outreach" },
    { "GET", "/api/population", api_population, POPULATION, 0, "population.read",
      "population results: tiers, PMPM, utilisation, readmissions, ED, model" },
    { "GET", "/api/gaps", api_gaps, ROLES_CLINICAL | R(OUTREACH) | R(ANALYST) | R(PATIENT),
      ROUTE_AUDITED, "gap.list", "open care gaps, by measure and priority; paged" },
    { "GET", "/fhir/metadata", fhir_metadata, ROLES_ALL, ROUTE_PUBLIC | ROUTE_FHIR, "metadata",
      "the CapabilityStatement" },
    { "GET", "/fhir/Patient", fhir_patient_search, CHART, ROUTE_AUDITED | ROUTE_FHIR,
      "fhir.patient.search", "Patient search (_id, name, family, given, birthdate, _count)" },
    { "GET", "/fhir/Patient/:id", fhir_patient_read, CHART,
      ROUTE_AUDITED | ROUTE_FHIR | ROUTE_PATIENT_ID, "fhir.patient.read", "Patient read" },
};
const size_t http_nroutes = sizeof http_routes / sizeof http_routes[0];

void http_routes_dump(FILE *f)
{
    json_t *a = json_array();
    for (size_t i = 0; i < http_nroutes; i++) {
        const route_t *rt = &http_routes[i];
        json_t *roles = json_array();
        for (int k = 0; k < ROLE_COUNT; k++)
            if (rt->roles & ROLE_BIT(k))
                json_array_append_new(roles, json_string(role_name((role_t)k)));
        json_array_append_new(
            a, json_pack("{s:s,s:s,s:o,s:{s:b,s:b,s:b,s:b,s:b},s:s,s:s}", "method", rt->method,
                         "pattern", rt->pattern, "roles", roles, "flags", "public",
                         (rt->flags & ROUTE_PUBLIC) != 0, "audited",
                         (rt->flags & ROUTE_AUDITED) != 0, "write", (rt->flags & ROUTE_WRITE) != 0,
                         "fhir", (rt->flags & ROUTE_FHIR) != 0, "patient_id",
                         (rt->flags & ROUTE_PATIENT_ID) != 0, "action", rt->action, "summary",
                         rt->summary));
    }
    json_dumpf(a, f, JSON_INDENT(1));
    fputc('\n', f);
    json_decref(a);
}
