/* dir.h — what a folder holds, in a fixed order.
 *
 * Every reader of a folder (measure, value set and library folders, NDJSON
 * folders, the importer's walk) lists it the same way: hidden entries (a
 * name starting with '.', so "." and ".." and editors' or macOS's "._" side
 * files too) are skipped, and names come sorted by strcmp, so that a run
 * does not depend on the order the file system hands them out in.
 */
#ifndef TRIPOD_CORE_DIR_H
#define TRIPOD_CORE_DIR_H

#include <stddef.h>

#include "core/err.h"

/* The names (not paths) of the entries of `path` that end with `suffix`
 * (NULL: every entry, folders too), sorted. *names is NULL when there are
 * none; free it with dir_names_free. ERR_IO naming the folder when it
 * cannot be read (then *names is NULL and *n 0). */
int dir_list(const char *path, const char *suffix, char ***names, size_t *n, err_t *e);
void dir_names_free(char **names, size_t n);

/* Calls fn(ctx, file path, e) for every regular file below path, depth
 * first, each folder's entries in dir_list order (symbolic links followed,
 * other entries skipped); stops at the first non-zero return of fn and
 * returns it. Folders nested deeper than 32 levels fail with ERR_USAGE. */
typedef int (*dir_file_fn)(void *ctx, const char *path, err_t *e);
int dir_walk(const char *path, dir_file_fn fn, void *ctx, err_t *e);

#endif
