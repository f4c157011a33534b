/* refdata.h — where the reference tables live, and whether they are whole.
 *
 * Reference data (HCC tables, eCQM measures and value sets, NYU ED,
 * readmission tables) ships with Tripod in its refdata/ folder. The folder
 * used is, in order:
 *   1. refdata_set_dir() (the --refdata option), then TRIPOD_REFDATA;
 *   2. the installed copy, <prefix>/share/tripod/refdata beside
 *      <prefix>/bin/tripod (`make install`), found from the running binary;
 *   3. the refdata/ folder of the source tree the binary was built from.
 * The first that is set (1) or holds a MANIFEST (2, 3) wins.
 *
 * refdata/MANIFEST lists every file with its SHA-256 (scripts/refdata-sync
 * writes it). refdata_path() checks the files it hands out against it, once
 * per process, so a missing or damaged table fails with one line naming the
 * file and the setting that chooses the folder. A folder without a MANIFEST
 * (one of the user's own, given by --refdata) is used as it is.
 */
#ifndef TRIPOD_REFDATA_REFDATA_H
#define TRIPOD_REFDATA_REFDATA_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/* The --refdata option; NULL or "" returns to the automatic choice. Call
 * before any other refdata_* function (the choice is then fixed). */
void refdata_set_dir(const char *dir);
/* The folder in use (never NULL; it may not exist). */
const char *refdata_dir(void);
/* Where that folder came from, for messages: "--refdata", "TRIPOD_REFDATA",
 * "the installed copy", "the source tree" or "no folder found". */
const char *refdata_origin(void);

/* Joins the folder and a relative path ("hcc/ra_coefficients_2026.csv", or a
 * folder such as "ecqm") into out, and checks what the MANIFEST lists at or
 * under that path: each file present with its hash. Returns 0, or an error
 * (ERR_IO missing, ERR_INPUT damaged, ERR_USAGE path too long) whose message
 * names the file and says how to choose another folder. */
int refdata_path(const char *rel, char *out, size_t cap, err_t *e);

/* Appends " (reference data: DIR, from ORIGIN; set --refdata DIR or
 * TRIPOD_REFDATA)" to e's message when e names a file inside the folder in
 * use, so that any loader's error says which setting to change. */
void refdata_hint(err_t *e);

/* The SHA-256 of the folder's MANIFEST as 64 hex digits into hex[65];
 * returns false (hex = "none") when there is no MANIFEST. */
bool refdata_manifest_hash(const char *dir, char hex[65]);

/* One problem found by refdata_verify. */
typedef void (*refdata_problem_fn)(void *ctx, const char *path, const char *problem);

/* Checks every file of dir (a folder holding a MANIFEST) against the
 * manifest: missing, damaged (hash differs) and unlisted files are each
 * reported through fn. Returns the number of problems, or -1 with e set when
 * the manifest cannot be read. *nfiles gets the number of files listed. */
long refdata_verify(const char *dir, refdata_problem_fn fn, void *ctx, long *nfiles, err_t *e);

#endif
