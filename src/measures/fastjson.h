/* fastjson.h — parse one JSON object or array from a buffer, fast.
 *
 * Returns exactly what json_loadb(s, n, 0, je) returns: a fast path handles
 * the common case (no string escapes) and anything else goes to jansson,
 * whose error fills je. The caller owns the result.
 */
#ifndef TRIPOD_MEASURES_FASTJSON_H
#define TRIPOD_MEASURES_FASTJSON_H

#include <jansson.h>
#include <stddef.h>

json_t *fastjson_parse(const char *s, size_t n, json_error_t *je);
/* The same for a whole file (json_load_file(path, 0, je)). */
json_t *fastjson_load_file(const char *path, json_error_t *je);

#endif
