/* audit.h — the append-only, hash-chained audit log (DESIGN.md, "Security
 * and privacy").
 *
 * Every read or change of a patient's record, every sign-in, sign-out and
 * refusal is one entry: when, who, role, action, resource type and id,
 * patient, outcome, address. Entries are numbered 1, 2, 3... and each one's
 * hash is SHA-256 over the previous entry's hash and its own fields, so that
 * changing, removing or inserting an entry breaks the chain from there on:
 * audit_verify names the first entry that does not hold. A copy of the head
 * hash kept elsewhere (audit_head) also detects a tail cut off.
 *
 * audit_append writes inside the caller's transaction when one is open (so a
 * change and its entry commit or vanish together), else in one of its own.
 * Transactions are serialised by the store, so the chain has no forks.
 */
#ifndef TRIPOD_AUDIT_AUDIT_H
#define TRIPOD_AUDIT_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

#define AUDIT_HASH_HEX 65

typedef struct audit_event {
    store_time_t at;           /* STORE_TIME_NONE: now */
    const char *username;      /* NULL: not signed in */
    const char *role;          /* NULL: none */
    const char *action;        /* "login", "patient.read", "task.update", ... */
    const char *resource_type; /* "Patient", "Observation", ...; NULL */
    const char *resource_id;
    const char *patient_id; /* whose record; NULL when none */
    const char *outcome;    /* "ok", "refused", "failed" */
    const char *address;    /* the client's address */
} audit_event_t;

/* Appends one entry; *seq (may be NULL) gets its number. */
int audit_append(store_t *s, const audit_event_t *ev, int64_t *seq, err_t *e);

/* The last entry's number and hash ("" and 0 when the log is empty). */
int audit_head(store_t *s, int64_t *seq, char hash[AUDIT_HASH_HEX], err_t *e);

typedef struct audit_verdict {
    bool whole;
    int64_t entries;   /* entries read */
    int64_t first_bad; /* the first entry that does not hold; 0 when whole */
    char why[160];     /* "changed", "removed before it", "inserted", ... */
} audit_verdict_t;

/* Walks the whole chain. Returns 0 with the verdict, an error only when the
 * store cannot be read. */
int audit_verify(store_t *s, audit_verdict_t *v, err_t *e);

/* The hash of an entry given the previous hash (exposed for tests). */
void audit_entry_hash(const store_audit_entry_t *r, const char *prev_hash,
                      char out[AUDIT_HASH_HEX]);

#endif
