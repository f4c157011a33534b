/* progress.h — a progress bar on stderr, shown only when stderr is a terminal.
 *
 * Long work (generate, import, analyze) reports progress; in pipes, CI and
 * logs nothing is printed. Updates are rate-limited to ~10 per second.
 */
#ifndef TRIPOD_CORE_PROGRESS_H
#define TRIPOD_CORE_PROGRESS_H

#include <stdint.h>

typedef struct progress progress_t;

/* label: e.g. "generate"; total: units of work (0 = unknown). */
progress_t *progress_new(const char *label, uint64_t total);
void progress_set(progress_t *p, uint64_t done);
void progress_add(progress_t *p, uint64_t n);
/* Clears the line and frees p. NULL is fine. */
void progress_done(progress_t *p);

#endif
