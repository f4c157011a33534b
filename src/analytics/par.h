/* par.h — run tasks on a few threads.
 *
 * The engine partitions work (CSV chunks, patient ranges, result columns) into
 * tasks numbered 0..ntasks-1; par_run starts `threads` threads that take the
 * next task from an atomic counter until none is left, then joins them. With
 * threads <= 1 the tasks run on the calling thread, in order.
 */
#ifndef TRIPOD_ANALYTICS_PAR_H
#define TRIPOD_ANALYTICS_PAR_H

/* fn(ctx, task, worker): worker is 0..threads-1, stable for the thread, so
 * callers can keep per-worker accumulators. */
typedef void (*par_fn)(void *ctx, int task, int worker);

void par_run(int threads, int ntasks, par_fn fn, void *ctx);
/* The number of online CPUs (at least 1). */
int par_cpus(void);

#endif
