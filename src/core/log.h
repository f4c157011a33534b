/* log.h — JSON-lines logging.
 *
 * One JSON object per line on stderr (or a chosen stream):
 *   {"ts":"2026-01-02T03:04:05.123Z","level":"info","event":"import.file","msg":"...","rows":12}
 * Never log patient data: log counts, ids of files and requests, not names,
 * birth dates or codes of a person.
 */
#ifndef TRIPOD_CORE_LOG_H
#define TRIPOD_CORE_LOG_H

#include <stdio.h>

typedef enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_OFF } log_level_t;

/* Messages below the level are dropped. Default LOG_WARN, or TRIPOD_LOG_LEVEL
 * (debug|info|warn|error|off) from the environment at the first call. */
void log_set_level(log_level_t level);
log_level_t log_get_level(void);
/* NULL restores stderr. The stream is not owned. */
void log_set_stream(FILE *f);
/* Parses "debug", "info", ...; returns -1 for an unknown name. */
int log_level_parse(const char *s, log_level_t *out);

/* Logs event with a printf-style message. Thread-safe (one write per line). */
void log_msg(log_level_t level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Logs event with extra fields: keys and values as NULL-terminated pairs of
 * strings, e.g. log_kv(LOG_INFO, "import.done", "file", name, "rows", "12", NULL).
 * Values are written as JSON strings. */
void log_kv(log_level_t level, const char *event, ...);

#define log_debug(ev, ...) log_msg(LOG_DEBUG, ev, __VA_ARGS__)
#define log_info(ev, ...)  log_msg(LOG_INFO, ev, __VA_ARGS__)
#define log_warn(ev, ...)  log_msg(LOG_WARN, ev, __VA_ARGS__)
#define log_error(ev, ...) log_msg(LOG_ERROR, ev, __VA_ARGS__)

#endif
