/* audit.c — appending to and verifying the hash chain (see audit.h). */
#include "audit/audit.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/str.h"

/* The fields in a fixed order, each with its length, so that no two
 * different entries serialise alike ("ab"+"c" is not "a"+"bc"). */
static void hash_field(crypto_hash_sha256_state *st, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    char len[24];
    int l = snprintf(len, sizeof len, "%zu:", n);
    crypto_hash_sha256_update(st, (const unsigned char *)len, (unsigned long long)l);
    if (n)
        crypto_hash_sha256_update(st, (const unsigned char *)s, n);
}

void audit_entry_hash(const store_audit_entry_t *r, const char *prev_hash, char out[AUDIT_HASH_HEX])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    char num[48];
    hash_field(&st, prev_hash);
    snprintf(num, sizeof num, "%lld", (long long)r->seq);
    hash_field(&st, num);
    snprintf(num, sizeof num, "%lld", (long long)r->at);
    hash_field(&st, num);
    hash_field(&st, r->username);
    hash_field(&st, r->role);
    hash_field(&st, r->action);
    hash_field(&st, r->resource_type);
    hash_field(&st, r->resource_id);
    hash_field(&st, r->patient_id);
    hash_field(&st, r->outcome);
    hash_field(&st, r->address);
    unsigned char d[32];
    crypto_hash_sha256_final(&st, d);
    sodium_bin2hex(out, AUDIT_HASH_HEX, d, sizeof d);
}

typedef struct head {
    int64_t seq;
    char hash[AUDIT_HASH_HEX];
} head_t;

static int on_last(void *ctx, const store_audit_entry_t *r, err_t *e)
{
    (void)e;
    head_t *h = ctx;
    h->seq = r->seq;
    str_copy(h->hash, r->hash ? r->hash : "", sizeof h->hash);
    return 0;
}

int audit_head(store_t *s, int64_t *seq, char hash[AUDIT_HASH_HEX], err_t *e)
{
    head_t h = { 0, "" };
    int rc = store_last_audit_entry(s, on_last, &h, e);
    *seq = h.seq;
    str_copy(hash, h.hash, AUDIT_HASH_HEX);
    return rc;
}

int audit_append(store_t *s, const audit_event_t *ev, int64_t *seq, err_t *e)
{
    bool own = !store_in_transaction(s);
    int rc = own ? store_begin(s, e) : 0;
    head_t h = { 0, "" };
    if (!rc)
        rc = store_last_audit_entry(s, on_last, &h, e);
    store_audit_entry_t r;
    store_audit_entry_init(&r);
    char hash[AUDIT_HASH_HEX];
    if (!rc) {
        r.seq = h.seq + 1;
        r.at = ev->at != STORE_TIME_NONE ? ev->at : (store_time_t)time(NULL);
        r.username = ev->username;
        r.role = ev->role;
        r.action = ev->action;
        r.resource_type = ev->resource_type;
        r.resource_id = ev->resource_id;
        r.patient_id = ev->patient_id;
        r.outcome = ev->outcome ? ev->outcome : "ok";
        r.address = ev->address;
        r.prev_hash = h.hash;
        audit_entry_hash(&r, h.hash, hash);
        r.hash = hash;
        rc = store_put_audit_entry(s, &r, e);
    }
    if (own) {
        if (!rc)
            rc = store_commit(s, e);
        else {
            err_t ignore;
            store_rollback(s, &ignore);
        }
    }
    if (!rc && seq)
        *seq = r.seq;
    return rc;
}

typedef struct walk {
    audit_verdict_t *v;
    int64_t expect;
    char prev[AUDIT_HASH_HEX];
} walk_t;

static int on_entry(void *ctx, const store_audit_entry_t *r, err_t *e)
{
    (void)e;
    walk_t *w = ctx;
    audit_verdict_t *v = w->v;
    v->entries++;
    if (!v->whole)
        return 0;
    char want[AUDIT_HASH_HEX];
    if (r->seq != w->expect) {
        v->whole = false;
        v->first_bad = r->seq;
        if (r->seq > w->expect)
            snprintf(v->why, sizeof v->why, "entries %lld..%lld before it were removed",
                     (long long)w->expect, (long long)(r->seq - 1));
        else
            snprintf(v->why, sizeof v->why, "it was inserted out of order (expected entry %lld)",
                     (long long)w->expect);
        return 0;
    }
    if (strcmp(r->prev_hash ? r->prev_hash : "", w->prev) != 0) {
        v->whole = false;
        v->first_bad = r->seq;
        snprintf(v->why, sizeof v->why,
                 "its link to the entry before does not hold (an entry was replaced)");
        return 0;
    }
    audit_entry_hash(r, w->prev, want);
    if (strcmp(want, r->hash ? r->hash : "") != 0) {
        v->whole = false;
        v->first_bad = r->seq;
        snprintf(v->why, sizeof v->why, "its content was changed (hash differs)");
        return 0;
    }
    str_copy(w->prev, want, sizeof w->prev);
    w->expect++;
    return 0;
}

int audit_verify(store_t *s, audit_verdict_t *v, err_t *e)
{
    memset(v, 0, sizeof *v);
    v->whole = true;
    walk_t w = { v, 1, "" };
    return store_scan_audit_entry(s, on_entry, &w, e);
}
