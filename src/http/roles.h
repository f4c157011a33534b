/* roles.h — who may do what (DESIGN.md, "Security and privacy").
 *
 * The roles are fixed; what each may reach is one declarative table, the
 * `roles` column of the route table (routes.c), documented in
 * docs/security.md and tested cell by cell (tests/http/).
 */
#ifndef TRIPOD_HTTP_ROLES_H
#define TRIPOD_HTTP_ROLES_H

#include <stdint.h>

typedef enum role {
    ROLE_ADMIN = 0,   /* users, settings, contracts */
    ROLE_PCP,         /* primary-care clinician */
    ROLE_NURSE,       /* nurse care manager */
    ROLE_COORDINATOR, /* care coordinator */
    ROLE_OUTREACH,    /* community health worker: contact details, worklist, visits */
    ROLE_BEHAVIORAL,  /* behavioural-health care manager */
    ROLE_ANALYST,     /* population views and exports; no care-record writes */
    ROLE_BILLING,     /* time logs and billing readiness; no clinical notes */
    ROLE_PATIENT,     /* their own record only */
    ROLE_COUNT
} role_t;

#define ROLE_BIT(r) (1u << (r))
#define ROLES_ALL   ((1u << ROLE_COUNT) - 1)
/* Everyone who works in the practice (not patients). */
#define ROLES_STAFF (ROLES_ALL & ~ROLE_BIT(ROLE_PATIENT))
/* The clinical team: reads every part of a patient's chart. */
#define ROLES_CLINICAL                                                                             \
    (ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_PCP) | ROLE_BIT(ROLE_NURSE) |                            \
     ROLE_BIT(ROLE_COORDINATOR) | ROLE_BIT(ROLE_BEHAVIORAL))

/* "admin", "pcp", ...; NULL for an out-of-range value. */
const char *role_name(role_t r);
/* Parses a role name; -1 when unknown. */
int role_parse(const char *s, role_t *out);

#endif
