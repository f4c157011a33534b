#include "refdata/refdata.h"

#include <stdio.h>
#include <stdlib.h>

#ifndef TRIPOD_REFDATA_DEFAULT
#define TRIPOD_REFDATA_DEFAULT "../shared/reference"
#endif

static const char *refdata_override;

void refdata_set_dir(const char *dir)
{
    refdata_override = dir;
}

const char *refdata_dir(void)
{
    if (refdata_override && *refdata_override)
        return refdata_override;
    const char *env = getenv("TRIPOD_REFDATA");
    if (env && *env)
        return env;
    return TRIPOD_REFDATA_DEFAULT;
}

int refdata_path(const char *rel, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s/%s", refdata_dir(), rel);
    return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}
