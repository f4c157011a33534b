/* par.c — a minimal task runner over pthreads (see par.h). */
#include "analytics/par.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "core/mem.h"

typedef struct par_job {
    par_fn fn;
    void *ctx;
    int ntasks;
    atomic_int next;
} par_job_t;

typedef struct par_worker {
    par_job_t *job;
    int id;
} par_worker_t;

static void *par_main(void *arg)
{
    par_worker_t *w = arg;
    for (;;) {
        int t = atomic_fetch_add(&w->job->next, 1);
        if (t >= w->job->ntasks)
            break;
        w->job->fn(w->job->ctx, t, w->id);
    }
    return NULL;
}

void par_run(int threads, int ntasks, par_fn fn, void *ctx)
{
    if (ntasks <= 0)
        return;
    if (threads > ntasks)
        threads = ntasks;
    if (threads <= 1) {
        for (int t = 0; t < ntasks; t++)
            fn(ctx, t, 0);
        return;
    }
    par_job_t job = { fn, ctx, ntasks, 0 };
    pthread_t *tid = mem_calloc((size_t)threads, sizeof *tid);
    par_worker_t *ws = mem_calloc((size_t)threads, sizeof *ws);
    int started = 0;
    for (int i = 1; i < threads; i++) {
        ws[i] = (par_worker_t){ &job, i };
        if (pthread_create(&tid[i], NULL, par_main, &ws[i]) != 0)
            break; /* fewer threads: the caller's thread still drains the queue */
        started = i;
    }
    ws[0] = (par_worker_t){ &job, 0 };
    par_main(&ws[0]);
    for (int i = 1; i <= started; i++)
        pthread_join(tid[i], NULL);
    mem_free(ws);
    mem_free(tid);
}

int par_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (int)n;
}
