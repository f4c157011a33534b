/* audit_http.c — the audit entries of requests: one per audited route, per
 * refusal and per sign-in or sign-out (DESIGN.md, "Security and privacy"). */
#include "audit/audit.h"
#include "core/log.h"
#include "http/http_internal.h"

void http_audit(http_req_t *r, const char *action, const char *outcome)
{
    audit_event_t ev = {
        .at = STORE_TIME_NONE,
        .username = r->signed_in ? r->user.username : NULL,
        .role = r->signed_in ? role_name(r->user.role) : NULL,
        .action = action ? action : (r->route ? r->route->action : "request"),
        .resource_type = r->audit_resource,
        .resource_id = r->audit_id,
        .patient_id = r->audit_patient,
        .outcome = outcome,
        .address = r->addr,
    };
    err_t e;
    err_clear(&e);
    if (audit_append(r->store, &ev, NULL, &e) != 0)
        /* a read whose entry cannot be written is still answered; the
         * failure is loud so that an operator sees the gap */
        log_error("audit.append", "%s", e.msg);
}
