/* err.h — error values that say where bad input is.
 *
 * Every fallible function in Tripod returns an int status (0 = ok, else one of
 * the ERR_* codes) and fills an err_t the caller owns. The error carries the
 * place at fault — a file with line and column, a JSON pointer, an HL7
 * segment-field, a request — so the one line printed to the user names it.
 */
#ifndef TRIPOD_CORE_ERR_H
#define TRIPOD_CORE_ERR_H

#include <stddef.h>

typedef enum err_code {
    ERR_OK = 0,
    ERR_INPUT = 1,    /* bad input data: exit code 1 */
    ERR_USAGE = 2,    /* misuse of a command or API: exit code 2 */
    ERR_IO = 3,       /* a file or socket failed */
    ERR_NOMEM = 4,    /* an allocation or a buffer cap was exceeded */
    ERR_DB = 5,       /* the store reported an error */
    ERR_NOTFOUND = 6, /* a looked-up thing does not exist */
    ERR_INTERNAL = 7  /* a broken invariant: a bug */
} err_code_t;

/* Which integrity rule the store refused a write by (with ERR_DB), so that
 * callers test a value, never the message's words. */
typedef enum err_constraint {
    ERR_CONSTRAINT_NONE = 0,
    ERR_CONSTRAINT_FOREIGN_KEY, /* a referenced row is missing or still referenced */
    ERR_CONSTRAINT_UNIQUE,      /* a unique or primary key already holds the value */
    ERR_CONSTRAINT_CHECK,       /* a CHECK rule */
    ERR_CONSTRAINT_NOT_NULL     /* a required column is missing */
} err_constraint_t;

typedef struct err {
    err_code_t code;
    err_constraint_t constraint; /* ERR_CONSTRAINT_NONE unless the store set it */
    char file[256];              /* file or source name; "" when none */
    long line;                   /* 1-based; 0 when not applicable */
    long col;                    /* 1-based; 0 when not applicable */
    char field[128];             /* column name, JSON pointer, HL7 "PID-7", ...; "" when none */
    char msg[512];
} err_t;

/* Clears e to ERR_OK with no place. */
void err_clear(err_t *e);

/* Sets code and message (printf-style); keeps any place already recorded.
 * Returns code so that `return err_set(e, ERR_INPUT, ...)` reads well. */
int err_set(err_t *e, err_code_t code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Sets code, place and message at once. file/field may be NULL. */
int err_at(err_t *e, err_code_t code, const char *file, long line, long col, const char *field,
           const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Fills in the place if not yet set (used by outer layers that know the
 * file name when an inner parser knew only the line). */
void err_where(err_t *e, const char *file, long line, long col, const char *field);

/* Writes "file:line:col: field: message" (parts omitted when empty) into out. */
size_t err_format(const err_t *e, char *out, size_t n);

/* The process exit code for an error (DESIGN.md, "Contract of the command
 * line"): 0 for ERR_OK, 2 for ERR_USAGE, 1 for every other code (bad input,
 * I/O, store, not found, internal). */
int err_exit_code(const err_t *e);

/* Short name of a code, e.g. "input". */
const char *err_code_name(err_code_t code);

#endif
