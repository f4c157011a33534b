/* fuzz_fastjson.c — differential libFuzzer driver for the JSON parser of
 * NDJSON lines and FHIR files (src/core/fastjson.c).
 *
 * fastjson promises exactly what jansson's json_loadb returns: the same
 * value, or no value and the same error place. Any difference aborts.
 */
#include "core/fastjson.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t e1, e2;
    json_t *a = fastjson_parse((const char *)data, size, &e1);
    json_t *b = json_loadb((const char *)data, size, 0, &e2);
    bool same = (!a && !b) || (a && b && json_equal(a, b));
    if (same && !a)
        same = e1.line == e2.line && e1.column == e2.column;
    if (!same) {
        fprintf(stderr, "fastjson differs from json_loadb (%s / %s)\n", a ? "value" : e1.text,
                b ? "value" : e2.text);
        abort();
    }
    json_decref(a);
    json_decref(b);
    /* The strict form against json_loadb with JSON_REJECT_DUPLICATES. */
    a = fastjson_parse_strict((const char *)data, size, &e1);
    b = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &e2);
    same = (!a && !b) || (a && b && json_equal(a, b));
    if (same && !a)
        same = e1.line == e2.line && e1.column == e2.column;
    if (!same) {
        fprintf(stderr, "fastjson_parse_strict differs from json_loadb (%s / %s)\n",
                a ? "value" : e1.text, b ? "value" : e2.text);
        abort();
    }
    json_decref(a);
    json_decref(b);
    return 0;
}
