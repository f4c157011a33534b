/* testdata.h — where the tests find their samples and official test cases.
 *
 * tests/data/ (see its README.md) holds what only the tests read; ctest sets
 * TRIPOD_TESTDATA to it. The run-time tables are found by refdata.h as the
 * `tripod` binary finds them.
 */
#ifndef TRIPOD_TESTS_TESTDATA_H
#define TRIPOD_TESTS_TESTDATA_H

#include <stdio.h>
#include <stdlib.h>

/* The test-data folder: TRIPOD_TESTDATA, else tests/data of the working
 * directory (a test run from the source tree). */
static inline const char *testdata_dir(void)
{
    const char *d = getenv("TRIPOD_TESTDATA");
    return d && *d ? d : "tests/data";
}

/* testdata_dir()/rel into out; returns out. */
static inline const char *testdata_path(const char *rel, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", testdata_dir(), rel);
    return out;
}

#endif
