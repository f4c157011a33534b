/* roles.c — role names (the permission table is the route table). */
#include "http/roles.h"

#include <string.h>

static const char *const role_names[ROLE_COUNT] = {
    "admin",      "pcp",     "nurse",   "coordinator", "outreach",
    "behavioral", "analyst", "billing", "patient",
};

const char *role_name(role_t r)
{
    return (int)r >= 0 && r < ROLE_COUNT ? role_names[r] : NULL;
}

int role_parse(const char *s, role_t *out)
{
    for (int i = 0; s && i < ROLE_COUNT; i++)
        if (strcmp(s, role_names[i]) == 0) {
            *out = (role_t)i;
            return 0;
        }
    return -1;
}
