/* log.c — JSON-lines logging, one write per line under a mutex. */
#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/str.h"

#define LOG_MSG_MAX  8192               /* a longer message is cut, not dropped */
#define LOG_LINE_MAX ((size_t)1 << 20)  /* fields past this are dropped */
#define LOG_BUF_MAX  (LOG_LINE_MAX + 2) /* room for the closing "}\n" */

static pthread_once_t log_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int log_level = LOG_WARN;
static FILE *log_stream; /* NULL = stderr; guarded by log_lock */

static const char *const level_names[] = { "debug", "info", "warn", "error", "off" };

/* TRIPOD_LOG_LEVEL is read once, at the first call into the logger, so that
 * a setting made by the program (log_set_level) is never overridden later. */
static void log_init_env(void)
{
    const char *v = getenv("TRIPOD_LOG_LEVEL");
    log_level_t lv;
    if (v && log_level_parse(v, &lv) == 0)
        atomic_store(&log_level, (int)lv);
}

void log_set_level(log_level_t level)
{
    pthread_once(&log_once, log_init_env);
    if (level < LOG_DEBUG || level > LOG_OFF)
        level = LOG_WARN;
    atomic_store(&log_level, (int)level);
}

log_level_t log_get_level(void)
{
    pthread_once(&log_once, log_init_env);
    return (log_level_t)atomic_load(&log_level);
}

void log_set_stream(FILE *f)
{
    pthread_mutex_lock(&log_lock);
    log_stream = f;
    pthread_mutex_unlock(&log_lock);
}

int log_level_parse(const char *s, log_level_t *out)
{
    if (!s)
        return -1;
    size_t n = strlen(s);
    str_trim(&s, &n);
    for (int i = LOG_DEBUG; i <= LOG_OFF; i++) {
        if (str_ieq(s, n, level_names[i])) {
            if (out)
                *out = (log_level_t)i;
            return 0;
        }
    }
    if (str_ieq(s, n, "warning")) {
        if (out)
            *out = LOG_WARN;
        return 0;
    }
    return -1;
}

static bool log_enabled(log_level_t level)
{
    return level >= LOG_DEBUG && level < LOG_OFF && (int)level >= (int)log_get_level();
}

/* {"ts":"2026-01-02T03:04:05.123Z","level":"info","event":"..." — UTC, ms. */
static void log_begin(buf_t *b, log_level_t level, const char *event)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    time_t secs = ts.tv_sec;
    gmtime_r(&secs, &tm);
    buf_printf(b, "{\"ts\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ\",\"level\":\"%s\",\"event\":",
               tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
               (long)(ts.tv_nsec / 1000000), level_names[level]);
    const char *ev = event ? event : "";
    buf_json_str(b, ev, strlen(ev));
}

/* One fwrite of the whole line, so concurrent lines never interleave. */
static void log_emit(buf_t *b)
{
    if (buf_putc(b, '\n') != 0)
        return; /* cannot happen: lines stop at LOG_LINE_MAX */
    pthread_mutex_lock(&log_lock);
    FILE *f = log_stream ? log_stream : stderr;
    fwrite(b->data, 1, b->len, f);
    fflush(f);
    pthread_mutex_unlock(&log_lock);
}

void log_msg(log_level_t level, const char *event, const char *fmt, ...)
{
    if (!log_enabled(level))
        return;
    char msg[LOG_MSG_MAX];
    msg[0] = '\0';
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
    }
    buf_t b;
    buf_init(&b, LOG_BUF_MAX);
    log_begin(&b, level, event);
    buf_puts(&b, ",\"msg\":");
    buf_json_str(&b, msg, strlen(msg));
    buf_putc(&b, '}');
    log_emit(&b);
    buf_free(&b);
}

void log_kv(log_level_t level, const char *event, ...)
{
    if (!log_enabled(level))
        return;
    buf_t b;
    buf_init(&b, LOG_BUF_MAX);
    log_begin(&b, level, event);
    va_list ap;
    va_start(ap, event);
    for (;;) {
        const char *k = va_arg(ap, const char *);
        if (!k)
            break;
        const char *v = va_arg(ap, const char *);
        size_t mark = b.len;
        /* Each pair goes in whole or not at all (the cap keeps lines sane);
         * a NULL value is written as JSON null. */
        int rc = buf_putc(&b, ',');
        if (rc == 0)
            rc = buf_json_str(&b, k, strlen(k));
        if (rc == 0)
            rc = buf_putc(&b, ':');
        if (rc == 0)
            rc = v ? buf_json_str(&b, v, strlen(v)) : buf_puts(&b, "null");
        if (rc != 0 || b.len > LOG_LINE_MAX) {
            b.len = mark;
            b.data[mark] = '\0';
        }
    }
    va_end(ap);
    buf_putc(&b, '}'); /* fits: pairs stop at LOG_LINE_MAX */
    log_emit(&b);
    buf_free(&b);
}
