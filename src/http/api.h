/* api.h — the handlers of the route table (routes.c). */
#ifndef TRIPOD_HTTP_API_H
#define TRIPOD_HTTP_API_H

#include "core/date.h"
#include "http/http_internal.h"

/* helpers shared by the handlers */
json_t *api_date(date_t d);
int api_int_arg(http_req_t *r, const char *name, long dflt, long max, long *out);

/* /api/ (api.c) */
int api_health(http_req_t *r);
int api_login(http_req_t *r);
int api_logout(http_req_t *r);
int api_me(http_req_t *r);
int api_patients(http_req_t *r);
int api_patient_summary(http_req_t *r);
int api_patient_contact(http_req_t *r);
int api_population(http_req_t *r);
int api_gaps(http_req_t *r);

/* /fhir/ (fhir.c) */
int fhir_metadata(http_req_t *r);
int fhir_patient_read(http_req_t *r);
int fhir_patient_search(http_req_t *r);

#endif
