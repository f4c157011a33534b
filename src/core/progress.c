/* progress.c — a progress line on stderr, only when stderr is a terminal.
 *
 *   generate [##########----------]  50.0%  5000/10000  1234/s  ETA 0:04
 *
 * progress_add may be called from several threads: the count is atomic and
 * drawing is skipped by whoever finds another thread already drawing.
 */
#include "core/progress.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/str.h"

#define PROGRESS_INTERVAL_NS 100000000LL /* ~10 updates per second */
#define PROGRESS_BAR_WIDTH   24

struct progress {
    char label[48];
    uint64_t total;
    _Atomic uint64_t done;
    bool active; /* stderr is a terminal */
    bool drawn;  /* something is on the line to clear */
    int64_t start_ns;
    int64_t last_ns;
    pthread_mutex_t draw_lock;
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

progress_t *progress_new(const char *label, uint64_t total)
{
    progress_t *p = mem_calloc(1, sizeof *p);
    str_copy(p->label, label ? label : "", sizeof p->label);
    p->total = total;
    atomic_init(&p->done, 0);
    p->active = isatty(STDERR_FILENO) == 1;
    p->start_ns = now_ns();
    p->last_ns = 0;
    pthread_mutex_init(&p->draw_lock, NULL);
    return p;
}

/* Writes h:mm:ss or m:ss. */
static void fmt_duration(char *out, size_t n, double secs)
{
    if (!(secs >= 0) || secs > 359999)
        secs = 359999;
    long s = (long)(secs + 0.5);
    if (s >= 3600)
        snprintf(out, n, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    else
        snprintf(out, n, "%ld:%02ld", s / 60, s % 60);
}

static void progress_draw(progress_t *p, uint64_t done, int64_t now)
{
    char line[256];
    double elapsed = (double)(now - p->start_ns) / 1e9;
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    int k;
    if (p->total > 0) {
        uint64_t shown = done > p->total ? p->total : done;
        double frac = (double)shown / (double)p->total;
        char bar[PROGRESS_BAR_WIDTH + 1];
        int fill = (int)(frac * PROGRESS_BAR_WIDTH);
        for (int i = 0; i < PROGRESS_BAR_WIDTH; i++)
            bar[i] = i < fill ? '#' : '-';
        bar[PROGRESS_BAR_WIDTH] = '\0';
        char eta[24] = "?";
        if (rate > 0)
            fmt_duration(eta, sizeof eta, (double)(p->total - shown) / rate);
        k = snprintf(line, sizeof line, "\r%s [%s] %5.1f%%  %llu/%llu  %.0f/s  ETA %s\x1b[K",
                     p->label, bar, frac * 100.0, (unsigned long long)done,
                     (unsigned long long)p->total, rate, eta);
    } else {
        k = snprintf(line, sizeof line, "\r%s  %llu  %.0f/s\x1b[K", p->label,
                     (unsigned long long)done, rate);
    }
    if (k > 0) {
        fputs(line, stderr);
        fflush(stderr);
        p->drawn = true;
    }
}

static void progress_maybe_draw(progress_t *p)
{
    if (!p->active)
        return;
    if (pthread_mutex_trylock(&p->draw_lock) != 0)
        return;
    int64_t now = now_ns();
    if (now - p->last_ns >= PROGRESS_INTERVAL_NS) {
        p->last_ns = now;
        progress_draw(p, atomic_load(&p->done), now);
    }
    pthread_mutex_unlock(&p->draw_lock);
}

void progress_set(progress_t *p, uint64_t done)
{
    if (!p)
        return;
    atomic_store(&p->done, done);
    progress_maybe_draw(p);
}

void progress_add(progress_t *p, uint64_t n)
{
    if (!p)
        return;
    atomic_fetch_add(&p->done, n);
    progress_maybe_draw(p);
}

void progress_done(progress_t *p)
{
    if (!p)
        return;
    if (p->active && p->drawn) {
        fputs("\r\x1b[K", stderr);
        fflush(stderr);
    }
    pthread_mutex_destroy(&p->draw_lock);
    mem_free(p);
}
