/* auth.c — sign-in, sessions and their limits (see auth.h). */
#include "http/auth.h"

#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/str.h"

#define LIMIT_SLOTS     1024
#define LIMIT_WINDOW_S  900 /* 15 minutes */
#define LIMIT_PER_USER  5   /* failed sign-ins per user per window */
#define LIMIT_PER_ADDR  20  /* per address per window */
#define CACHE_SLOTS     4096
#define CACHE_RECHECK_S 30 /* a cached session is re-read from the store this often */
#define TOUCH_EVERY_S   60 /* last_seen_at is written at most this often */
#define HASH_WAIT_MS    2000

typedef struct limit_slot {
    char key[96]; /* "u:name" or "a:address" */
    time_t window_start;
    int failures;
} limit_slot_t;

typedef struct cached {
    char hash[65];
    http_user_t user;
    time_t created, last_seen, checked, touched;
} cached_t;

struct auth {
    http_config_t cfg;
    char dummy_hash[crypto_pwhash_STRBYTES]; /* verified for unknown users */
    pthread_mutex_t lock;
    pthread_cond_t hash_free;
    int hashing;
    limit_slot_t limits[LIMIT_SLOTS];
    cached_t cache[CACHE_SLOTS];
};

/* Direct-mapped slots (a bounded table, not a map: a collision evicts). */
static uint32_t slot_of(const char *s, uint32_t n)
{
    return (uint32_t)(str_hash(s, strlen(s)) % n);
}

int auth_hash_password(const char *password, char *out, size_t cap, err_t *e)
{
    if (cap < crypto_pwhash_STRBYTES)
        return err_set(e, ERR_INTERNAL, "password hash buffer too small");
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return err_set(e, ERR_NOMEM, "password hashing ran out of memory");
    return 0;
}

int auth_new(const http_config_t *cfg, auth_t **out, err_t *e)
{
    *out = NULL;
    if (sodium_init() < 0)
        return err_set(e, ERR_INTERNAL, "libsodium failed to initialise");
    auth_t *a = mem_calloc(1, sizeof *a);
    a->cfg = *cfg;
    if (!a->cfg.session_idle_s)
        a->cfg.session_idle_s = 30 * 60;
    if (!a->cfg.session_max_s)
        a->cfg.session_max_s = 12 * 3600;
    if (a->cfg.max_hashes <= 0)
        a->cfg.max_hashes = 2;
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->hash_free, NULL);
    unsigned char junk[24];
    randombytes_buf(junk, sizeof junk);
    char pw[49];
    sodium_bin2hex(pw, sizeof pw, junk, sizeof junk);
    int rc = auth_hash_password(pw, a->dummy_hash, sizeof a->dummy_hash, e);
    if (rc) {
        auth_free(a);
        return rc;
    }
    *out = a;
    return 0;
}

void auth_free(auth_t *a)
{
    if (!a)
        return;
    pthread_mutex_destroy(&a->lock);
    pthread_cond_destroy(&a->hash_free);
    mem_free(a);
}

const char *auth_cookie_name(const auth_t *a)
{
    return a->cfg.behind_tls ? "__Host-tripod" : "tripod";
}

static void session_hash(const char *id, char out[65])
{
    unsigned char d[32];
    crypto_hash_sha256(d, (const unsigned char *)id, strlen(id));
    sodium_bin2hex(out, 65, d, sizeof d);
}

/* ---- the store's view ---------------------------------------------------- */

typedef struct found_user {
    bool found;
    char role[32], patient_id[64], hash[crypto_pwhash_STRBYTES];
    bool disabled;
} found_user_t;

static int on_user(void *ctx, const store_user_t *u, err_t *e)
{
    (void)e;
    found_user_t *f = ctx;
    f->found = true;
    str_copy(f->role, u->role ? u->role : "", sizeof f->role);
    str_copy(f->patient_id, u->patient_id ? u->patient_id : "", sizeof f->patient_id);
    str_copy(f->hash, u->password_hash ? u->password_hash : "", sizeof f->hash);
    f->disabled = u->disabled_flag == 1;
    return 0;
}

typedef struct found_session {
    bool found;
    char username[64];
    store_time_t created, last_seen;
} found_session_t;

static int on_session(void *ctx, const store_session_t *s, err_t *e)
{
    (void)e;
    found_session_t *f = ctx;
    f->found = true;
    str_copy(f->username, s->username ? s->username : "", sizeof f->username);
    f->created = s->created_at;
    f->last_seen = s->last_seen_at;
    return 0;
}

/* Reads a session and its user from the store; 0 when valid. */
static int load_session(auth_t *a, store_t *st, const char *hash, cached_t *c, time_t now)
{
    err_t e;
    err_clear(&e);
    found_session_t fs = { 0 };
    if (store_get_session(st, hash, on_session, &fs, &e) != 0 || !fs.found)
        return -1;
    if (now - fs.created > a->cfg.session_max_s || now - fs.last_seen > a->cfg.session_idle_s)
        return -1;
    found_user_t fu = { 0 };
    if (store_get_user(st, fs.username, on_user, &fu, &e) != 0 || !fu.found || fu.disabled)
        return -1;
    memset(c, 0, sizeof *c);
    str_copy(c->hash, hash, sizeof c->hash);
    str_copy(c->user.username, fs.username, sizeof c->user.username);
    if (role_parse(fu.role, &c->user.role) != 0)
        return -1;
    str_copy(c->user.patient_id, fu.patient_id, sizeof c->user.patient_id);
    str_copy(c->user.session_hash, hash, sizeof c->user.session_hash);
    c->created = fs.created;
    c->last_seen = fs.last_seen;
    c->checked = c->touched = now;
    return 0;
}

int auth_session_resolve(auth_t *a, http_req_t *r, http_user_t *u)
{
    const char *id = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, auth_cookie_name(a));
    if (!id || strlen(id) != 64)
        return -1;
    char hash[65];
    session_hash(id, hash);
    time_t now = time(NULL);
    cached_t *slot = &a->cache[slot_of(hash, CACHE_SLOTS)];
    cached_t c;
    pthread_mutex_lock(&a->lock);
    bool hit = strcmp(slot->hash, hash) == 0 && now - slot->checked < CACHE_RECHECK_S &&
               now - slot->last_seen <= a->cfg.session_idle_s &&
               now - slot->created <= a->cfg.session_max_s;
    if (hit) {
        slot->last_seen = now;
        c = *slot;
    }
    pthread_mutex_unlock(&a->lock);
    if (!hit) {
        if (load_session(a, r->store, hash, &c, now) != 0)
            return -1;
        c.last_seen = now;
    }
    if (now - c.touched >= TOUCH_EVERY_S || !hit) {
        /* the idle time-out counts from the last request, also across restarts */
        store_session_t s;
        store_session_init(&s);
        s.session_hash = hash;
        s.username = c.user.username;
        s.created_at = c.created;
        s.last_seen_at = now;
        err_t e;
        err_clear(&e);
        if (store_put_session(r->store, &s, &e) == 0)
            c.touched = now;
    }
    pthread_mutex_lock(&a->lock);
    *slot = c;
    pthread_mutex_unlock(&a->lock);
    *u = c.user;
    return 0;
}

/* ---- limits ----------------------------------------------------------- */

/* Seconds until key may try again, 0 when it may now. */
static int limited(auth_t *a, const char *key, int max, time_t now)
{
    limit_slot_t *l = &a->limits[slot_of(key, LIMIT_SLOTS)];
    if (strcmp(l->key, key) != 0 || now - l->window_start >= LIMIT_WINDOW_S)
        return 0;
    return l->failures >= max ? (int)(LIMIT_WINDOW_S - (now - l->window_start)) : 0;
}

static void count_failure(auth_t *a, const char *key, time_t now)
{
    limit_slot_t *l = &a->limits[slot_of(key, LIMIT_SLOTS)];
    if (strcmp(l->key, key) != 0 || now - l->window_start >= LIMIT_WINDOW_S) {
        str_copy(l->key, key, sizeof l->key);
        l->window_start = now;
        l->failures = 0;
    }
    l->failures++;
}

static void clear_failures(auth_t *a, const char *key)
{
    limit_slot_t *l = &a->limits[slot_of(key, LIMIT_SLOTS)];
    if (strcmp(l->key, key) == 0)
        l->failures = 0;
}

/* Takes a hashing slot, waiting up to HASH_WAIT_MS; false when none freed. */
static bool take_hash_slot(auth_t *a)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += HASH_WAIT_MS / 1000;
    pthread_mutex_lock(&a->lock);
    while (a->hashing >= a->cfg.max_hashes)
        if (pthread_cond_timedwait(&a->hash_free, &a->lock, &until) != 0)
            break;
    bool ok = a->hashing < a->cfg.max_hashes;
    if (ok)
        a->hashing++;
    pthread_mutex_unlock(&a->lock);
    return ok;
}

static void give_hash_slot(auth_t *a)
{
    pthread_mutex_lock(&a->lock);
    a->hashing--;
    pthread_cond_signal(&a->hash_free);
    pthread_mutex_unlock(&a->lock);
}

auth_result_t auth_login(auth_t *a, http_req_t *r, const char *username, const char *password,
                         http_user_t *u, const char **cookie, int *retry_after, err_t *e)
{
    time_t now = time(NULL);
    char ukey[96], akey[96];
    snprintf(ukey, sizeof ukey, "u:%s", username);
    snprintf(akey, sizeof akey, "a:%s", r->addr);
    pthread_mutex_lock(&a->lock);
    int wait_u = limited(a, ukey, LIMIT_PER_USER, now),
        wait_a = limited(a, akey, LIMIT_PER_ADDR, now);
    pthread_mutex_unlock(&a->lock);
    if (wait_u || wait_a) {
        *retry_after = wait_u > wait_a ? wait_u : wait_a;
        return AUTH_LIMITED;
    }
    found_user_t fu = { 0 };
    if (store_get_user(r->store, username, on_user, &fu, e) != 0)
        return AUTH_ERROR;
    if (!take_hash_slot(a)) {
        *retry_after = 1;
        return AUTH_BUSY;
    }
    /* the same work whether or not the user exists */
    const char *hash = fu.found && fu.hash[0] ? fu.hash : a->dummy_hash;
    bool good = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
    give_hash_slot(a);
    role_t role = ROLE_ADMIN;
    good = good && fu.found && !fu.disabled && role_parse(fu.role, &role) == 0;
    if (!good) {
        pthread_mutex_lock(&a->lock);
        count_failure(a, ukey, now);
        count_failure(a, akey, now);
        pthread_mutex_unlock(&a->lock);
        return AUTH_BAD;
    }
    pthread_mutex_lock(&a->lock);
    clear_failures(a, ukey);
    pthread_mutex_unlock(&a->lock);

    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    char id[65], sh[65];
    sodium_bin2hex(id, sizeof id, raw, sizeof raw);
    session_hash(id, sh);
    store_session_t s;
    store_session_init(&s);
    s.session_hash = sh;
    s.username = username;
    s.created_at = s.last_seen_at = (store_time_t)now;
    if (store_put_session(r->store, &s, e) != 0)
        return AUTH_ERROR;
    memset(u, 0, sizeof *u);
    str_copy(u->username, username, sizeof u->username);
    u->role = role;
    str_copy(u->patient_id, fu.patient_id, sizeof u->patient_id);
    str_copy(u->session_hash, sh, sizeof u->session_hash);
    *cookie = arena_printf(r->arena, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
                           auth_cookie_name(a), id, a->cfg.session_max_s,
                           a->cfg.behind_tls ? "; Secure" : "");
    return AUTH_OK;
}

int auth_logout(auth_t *a, http_req_t *r, const char **cookie, err_t *e)
{
    *cookie = arena_printf(r->arena, "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
                           auth_cookie_name(a), a->cfg.behind_tls ? "; Secure" : "");
    if (!r->signed_in)
        return 0;
    pthread_mutex_lock(&a->lock);
    cached_t *slot = &a->cache[slot_of(r->user.session_hash, CACHE_SLOTS)];
    if (strcmp(slot->hash, r->user.session_hash) == 0)
        memset(slot, 0, sizeof *slot);
    pthread_mutex_unlock(&a->lock);
    return store_delete_session(r->store, r->user.session_hash, e);
}

/* ---- users ------------------------------------------------------------ */

static int check_password(const char *pw, err_t *e)
{
    size_t n = strlen(pw);
    if (n < 10)
        return err_at(e, ERR_INPUT, NULL, 0, 0, "password", "at least 10 characters");
    if (n > 1024)
        return err_at(e, ERR_INPUT, NULL, 0, 0, "password", "at most 1024 characters");
    return 0;
}

int auth_user_add(store_t *s, const char *username, const char *role, const char *patient_id,
                  const char *password, err_t *e)
{
    role_t r;
    if (!username || !*username || strlen(username) >= 64 || strpbrk(username, " \t\r\n"))
        return err_at(e, ERR_INPUT, NULL, 0, 0, "username", "1 to 63 characters, no spaces");
    if (role_parse(role, &r) != 0)
        return err_at(e, ERR_INPUT, NULL, 0, 0, "role",
                      "'%s' is not a role (admin, pcp, nurse, coordinator, outreach, behavioral, "
                      "analyst, billing, patient)",
                      role ? role : "");
    if ((r == ROLE_PATIENT) != (patient_id && *patient_id))
        return err_at(e, ERR_INPUT, NULL, 0, 0, "patient",
                      r == ROLE_PATIENT ? "a patient user needs --patient ID"
                                        : "--patient is only for the patient role");
    int rc = check_password(password, e);
    if (rc)
        return rc;
    found_user_t fu = { 0 };
    if ((rc = store_get_user(s, username, on_user, &fu, e)) != 0)
        return rc;
    if (fu.found)
        return err_at(e, ERR_INPUT, NULL, 0, 0, "username", "'%s' exists already", username);
    char hash[crypto_pwhash_STRBYTES];
    if ((rc = auth_hash_password(password, hash, sizeof hash, e)) != 0)
        return rc;
    store_user_t u;
    store_user_init(&u);
    u.username = username;
    u.role = role;
    u.patient_id = r == ROLE_PATIENT ? patient_id : NULL;
    u.password_hash = hash;
    u.disabled_flag = 0;
    u.created_at = u.updated_at = (store_time_t)time(NULL);
    rc = store_put_user(s, &u, e);
    if (rc && e->constraint == ERR_CONSTRAINT_FOREIGN_KEY)
        return err_at(e, ERR_INPUT, NULL, 0, 0, "patient", "no stored patient has the id '%s'",
                      patient_id);
    return rc;
}

typedef struct user_copy {
    bool found;
    store_user_t u;
    char username[64], role[32], patient_id[64], hash[crypto_pwhash_STRBYTES];
} user_copy_t;

static int on_user_copy(void *ctx, const store_user_t *u, err_t *e)
{
    (void)e;
    user_copy_t *c = ctx;
    c->found = true;
    c->u = *u;
    str_copy(c->username, u->username, sizeof c->username);
    str_copy(c->role, u->role ? u->role : "", sizeof c->role);
    str_copy(c->patient_id, u->patient_id ? u->patient_id : "", sizeof c->patient_id);
    str_copy(c->hash, u->password_hash ? u->password_hash : "", sizeof c->hash);
    c->u.username = c->username;
    c->u.role = c->role;
    c->u.patient_id = c->patient_id[0] ? c->patient_id : NULL;
    c->u.password_hash = c->hash;
    return 0;
}

static int get_copy(store_t *s, const char *username, user_copy_t *c, err_t *e)
{
    memset(c, 0, sizeof *c);
    int rc = store_get_user(s, username, on_user_copy, c, e);
    if (!rc && !c->found)
        rc = err_at(e, ERR_NOTFOUND, NULL, 0, 0, "username", "no user '%s'", username);
    return rc;
}

/* Writes a changed user and ends every session of theirs, in one
 * transaction: a disabled user or an old password never outlives it. */
static int save_ending_sessions(store_t *s, store_user_t *u, err_t *e)
{
    u->updated_at = (store_time_t)time(NULL);
    int rc = store_begin(s, e);
    if (!rc)
        rc = store_put_user(s, u, e);
    if (!rc)
        rc = store_delete_user_sessions(s, u->username, e);
    if (!rc)
        return store_commit(s, e);
    err_t ignore;
    store_rollback(s, &ignore);
    return rc;
}

int auth_user_passwd(store_t *s, const char *username, const char *password, err_t *e)
{
    user_copy_t c;
    int rc = check_password(password, e);
    if (!rc)
        rc = get_copy(s, username, &c, e);
    char hash[crypto_pwhash_STRBYTES];
    if (!rc)
        rc = auth_hash_password(password, hash, sizeof hash, e);
    if (rc)
        return rc;
    c.u.password_hash = hash;
    /* a new password ends the sessions opened with the old one */
    return save_ending_sessions(s, &c.u, e);
}

int auth_user_disable(store_t *s, const char *username, err_t *e)
{
    user_copy_t c;
    int rc = get_copy(s, username, &c, e);
    if (rc)
        return rc;
    c.u.disabled_flag = 1;
    return save_ending_sessions(s, &c.u, e);
}
