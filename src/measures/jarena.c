/* jarena.c — bump allocation for the jansson values of one patient (jarena.h). */
#define _GNU_SOURCE /* MAP_NORESERVE */
#include "measures/jarena.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "core/mem.h"

#define JA_SIZE ((size_t)256 << 20) /* address space per arena */
#define JA_KEEP ((size_t)16 << 20)  /* bytes kept committed across resets */
#define JA_MAX  64                  /* arenas (threads at once) */

struct jarena {
    char *base;
    size_t off;
    bool spilled; /* an allocation fell back to malloc since the reset */
    atomic_bool busy;
};

/* Arenas are mapped once and never unmapped, so that free can tell their
 * memory by address from any thread; a thread's exit hands its arena on. */
static jarena_t arenas[JA_MAX];
static atomic_int narenas; /* arenas[0..narenas) have base set */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static _Thread_local jarena_t *cur;

static void *ja_malloc(size_t n)
{
    jarena_t *a = cur;
    if (a) {
        size_t need = (n + 15) & ~(size_t)15;
        if (need <= JA_SIZE - a->off) {
            void *p = a->base + a->off;
            a->off += need;
            return p;
        }
        a->spilled = true;
    }
    return mem_alloc(n); /* like all of Tripod: out of memory aborts */
}

static void ja_free(void *p)
{
    const char *c = p;
    int n = atomic_load_explicit(&narenas, memory_order_acquire);
    for (int i = 0; i < n; i++)
        if (c >= arenas[i].base && c < arenas[i].base + JA_SIZE)
            return;
    mem_free(p);
}

static void release(void *v)
{
    jarena_t *a = v;
    jarena_reset(a);
    atomic_store(&a->busy, false);
}

static void init(void)
{
    if (pthread_key_create(&key, release) == 0)
        json_set_alloc_funcs(ja_malloc, ja_free);
}

void jarena_install(void)
{
    pthread_once(&once, init);
}

jarena_t *jarena_thread(void)
{
    jarena_install();
    jarena_t *a = pthread_getspecific(key);
    if (a)
        return a;
    pthread_mutex_lock(&mu);
    int n = atomic_load(&narenas);
    for (int i = 0; i < n && !a; i++)
        if (!atomic_load(&arenas[i].busy))
            a = &arenas[i];
    if (!a && n < JA_MAX) {
        void *m = mmap(NULL, JA_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (m != MAP_FAILED) {
            a = &arenas[n];
            a->base = m;
            a->off = 0;
            atomic_store_explicit(&narenas, n + 1, memory_order_release);
        }
    }
    if (a) {
        atomic_store(&a->busy, true);
        if (pthread_setspecific(key, a) != 0) {
            atomic_store(&a->busy, false);
            a = NULL;
        }
    }
    pthread_mutex_unlock(&mu);
    return a;
}

void jarena_reset(jarena_t *a)
{
    if (a->off > JA_KEEP) /* an outsized patient: give the memory back */
        madvise(a->base + JA_KEEP, a->off - JA_KEEP, MADV_DONTNEED);
    a->off = 0;
    a->spilled = false;
}

void jarena_use(jarena_t *a)
{
    cur = a;
}

bool jarena_whole(const jarena_t *a)
{
    return !a->spilled;
}
