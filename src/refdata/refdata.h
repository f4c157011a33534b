/* refdata.h — where the reference tables live.
 *
 * Reference data (HCC tables, value sets, NYU ED, readmission tables, sample
 * files) is read in place from the reference-data directory, never copied.
 * The directory is, in order: refdata_set_dir() (the --refdata option), the
 * TRIPOD_REFDATA environment variable, or the default fixed at build time
 * (../shared/reference beside the source tree).
 */
#ifndef TRIPOD_REFDATA_REFDATA_H
#define TRIPOD_REFDATA_REFDATA_H

#include <stddef.h>

void refdata_set_dir(const char *dir);
const char *refdata_dir(void);
/* Joins the directory and a relative path ("hcc/ra_coefficients_2026.csv")
 * into out. Returns 0, or -1 if it does not fit. */
int refdata_path(const char *rel, char *out, size_t cap);

#endif
