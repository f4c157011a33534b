/* auth.h — users, passwords, sessions and sign-in limits.
 *
 * Passwords are argon2id hashes (libsodium crypto_pwhash_str at the
 * interactive limits: 64 MiB, so at most max_hashes run at once). A session
 * id is 256 random bits, new at each sign-in, sent only in an HttpOnly,
 * SameSite=Strict cookie and stored as its SHA-256, with an idle and an
 * absolute time-out. Sign-in attempts are limited per user and per address;
 * an unknown user and a wrong password get the same answer after the same
 * work (a hash is verified either way).
 */
#ifndef TRIPOD_HTTP_AUTH_H
#define TRIPOD_HTTP_AUTH_H

#include <stdbool.h>

#include "core/err.h"
#include "http/http_internal.h"
#include "store/store.h"

typedef struct auth auth_t;

int auth_new(const http_config_t *cfg, auth_t **out, err_t *e);
void auth_free(auth_t *a);
auth_t *http_server_auth(http_server_t *s);

/* The cookie's name: "__Host-tripod" behind TLS, else "tripod". */
const char *auth_cookie_name(const auth_t *a);

/* Fills u from the request's session cookie; 0 when signed in, -1 when not
 * (no cookie, unknown, expired or the user disabled). */
int auth_session_resolve(auth_t *a, http_req_t *r, http_user_t *u);

/* The outcome of a sign-in. */
typedef enum auth_result {
    AUTH_OK = 0,
    AUTH_BAD,     /* unknown user, wrong password or disabled: one answer for all */
    AUTH_LIMITED, /* too many attempts: retry_after seconds */
    AUTH_BUSY,    /* every hashing slot taken: retry_after seconds */
    AUTH_ERROR    /* the store failed (e set) */
} auth_result_t;

/* Checks the password and opens a session: *cookie gets the Set-Cookie
 * value (in r's arena). */
auth_result_t auth_login(auth_t *a, http_req_t *r, const char *username, const char *password,
                         http_user_t *u, const char **cookie, int *retry_after, err_t *e);
/* Ends the request's session; *cookie gets the Set-Cookie that clears it. */
int auth_logout(auth_t *a, http_req_t *r, const char **cookie, err_t *e);

/* ---- users (for `tripod user`) ---- */
/* Hashes password with argon2id into out (crypto_pwhash_STRBYTES). */
int auth_hash_password(const char *password, char *out, size_t cap, err_t *e);
/* Adds a user (ERR_INPUT naming the field when the role is unknown, a
 * patient user names no stored patient, or the name is taken). */
int auth_user_add(store_t *s, const char *username, const char *role, const char *patient_id,
                  const char *password, err_t *e);
int auth_user_passwd(store_t *s, const char *username, const char *password, err_t *e);
/* Disables a user and ends every session of theirs. */
int auth_user_disable(store_t *s, const char *username, err_t *e);

#endif
