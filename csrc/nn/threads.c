/*
 * threads.c — a small pthread pool owned by one graph (no globals).
 *
 * glim_threads_run hands tasks 0..ntasks-1 to the workers and the calling
 * thread, and returns when all are done. Each thread owns a contiguous
 * share of the tasks (the caller the first, worker i the i-th) and takes
 * them from the front; a thread whose share is done steals from the back
 * of the others' shares, so uneven tasks and a worker the OS has not
 * scheduled still balance. The fixed shares keep a region of consecutive
 * ops' data on the same core: row i of one op's output, in that core's
 * L2, is what the same thread reads in the next op.
 */
#include "ops/kernel.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include <stdlib.h>
#include <string.h>

/* OpenBLAS entry points outside cblas.h. */
extern void openblas_set_num_threads(int num_threads);
extern char *openblas_get_corename(void);
/* Only OpenBLAS builds with DYNAMIC_ARCH have these: weak, so the module
 * still loads against a build without them (the fix-up is then skipped). */
extern void gotoblas_dynamic_init(void) __attribute__((weak));
extern void gotoblas_dynamic_quit(void) __attribute__((weak));

struct glim_threads;
typedef struct worker_arg {
    struct glim_threads *t;
    int index; /* 1..n; the calling thread is 0 */
} worker_arg;

typedef struct glim_threads {
    int n;                   /* workers (excluding the caller) */
    pthread_t *tid;
    worker_arg *args;
    pthread_mutex_t mu;
    pthread_cond_t go;
    /* generation << 32: a new value publishes a new job. */
    _Atomic uint64_t ticket;
    /* per thread (n + 1): generation (24 bits) | front (20) | back (20) of
     * its share. A task is claimed by a compare-and-swap that also checks
     * the generation, so a worker that wakes late can never take a task of
     * a newer job with an older view. */
    _Atomic uint64_t *share;
    atomic_int ntasks;
    atomic_int done;         /* tasks finished in the current job */
    atomic_int stop;
    int sleeping;            /* workers blocked on `go` (under mu) */
    uint32_t gen;            /* the caller's job counter */
    void (*fn)(void *ctx, int task, int thread);
    void *ctx;
} glim_threads;

/* Workers spin this many polls for the next job before blocking: a model
 * runs dozens of short parallel sections back to back, and a condition
 * variable wake-up costs about as much as a small one. */
#define SPIN_POLLS 2000

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

#define SHARE_BITS 20
#define SHARE_MAX ((1u << SHARE_BITS) - 1) /* tasks per job beyond: one share */
#define GEN_MASK 0xffffffu

static inline uint64_t share_pack(uint32_t gen, uint32_t front, uint32_t back)
{
    return ((uint64_t)(gen & GEN_MASK) << (2 * SHARE_BITS)) | ((uint64_t)front << SHARE_BITS) |
           back;
}

/* Take a task from share s: its front when it is the thread's own share,
 * its back when stealing. 0 when the share is empty or of another job. */
static int take(glim_threads *t, int s, uint32_t gen, int own, int *task)
{
    uint64_t v = atomic_load(&t->share[s]);
    for (;;) {
        if ((uint32_t)(v >> (2 * SHARE_BITS)) != (gen & GEN_MASK)) return 0;
        uint32_t front = (uint32_t)(v >> SHARE_BITS) & SHARE_MAX, back = (uint32_t)v & SHARE_MAX;
        if (front >= back) return 0;
        uint64_t nv = own ? share_pack(gen, front + 1, back) : share_pack(gen, front, back - 1);
        if (atomic_compare_exchange_weak(&t->share[s], &v, nv)) {
            *task = (int)(own ? front : back - 1);
            return 1;
        }
    }
}

static int claim(glim_threads *t, uint32_t gen, int self, int *task)
{
    if (take(t, self, gen, 1, task)) return 1;
    for (int i = 1; i <= t->n; i++)
        if (take(t, (self + i) % (t->n + 1), gen, 0, task)) return 1;
    return 0;
}

/* Run tasks of job `gen` until none is left. fn and ctx are read after a
 * successful claim: the job cannot have ended while one of its tasks is
 * unfinished, so they still belong to it. */
static void drain(glim_threads *t, uint32_t gen, int thread)
{
    int k;
    while (claim(t, gen, thread, &k)) {
        t->fn(t->ctx, k, thread);
        atomic_fetch_add(&t->done, 1);
    }
}

static uint32_t current_gen(glim_threads *t) { return (uint32_t)(atomic_load(&t->ticket) >> 32); }

static void *worker(void *arg)
{
    worker_arg *wa = arg;
    glim_threads *t = wa->t;
    int index = wa->index;
    uint32_t seen = 0; /* jobs are numbered from 1 */
    for (;;) {
        uint32_t gen = current_gen(t);
        for (int i = 0; gen == seen && i < SPIN_POLLS; i++) {
            cpu_relax();
            gen = current_gen(t);
        }
        if (gen == seen) {
            pthread_mutex_lock(&t->mu);
            t->sleeping++;
            while ((gen = current_gen(t)) == seen && !atomic_load(&t->stop))
                pthread_cond_wait(&t->go, &t->mu);
            t->sleeping--;
            pthread_mutex_unlock(&t->mu);
        }
        if (atomic_load(&t->stop)) break;
        seen = gen;
        drain(t, gen, index);
    }
    return NULL;
}

glim_threads *glim_threads_new(int n)
{
    if (n < 1) return NULL;
    glim_threads *t = glim_calloc(1, sizeof *t);
    if (!t) return NULL;
    t->tid = glim_calloc((size_t)n, sizeof *t->tid);
    t->args = glim_calloc((size_t)n, sizeof *t->args);
    t->share = glim_calloc((size_t)n + 1, sizeof *t->share);
    if (!t->tid || !t->args || !t->share) {
        glim_free(t->tid);
        glim_free(t->args);
        glim_free((void *)t->share);
        glim_free(t);
        return NULL;
    }
    for (int i = 0; i <= n; i++) atomic_init(&t->share[i], 0);
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->go, NULL);
    atomic_init(&t->ticket, 0);
    atomic_init(&t->ntasks, 0);
    atomic_init(&t->done, 0);
    atomic_init(&t->stop, 0);
    for (int i = 0; i < n; i++) {
        t->args[i] = (worker_arg){t, i + 1};
        if (pthread_create(&t->tid[i], NULL, worker, &t->args[i]) != 0) {
            t->n = i;
            glim_threads_free(t);
            return NULL;
        }
        t->n = i + 1;
    }
    return t;
}

static void wake(glim_threads *t)
{
    pthread_mutex_lock(&t->mu);
    if (t->sleeping) pthread_cond_broadcast(&t->go);
    pthread_mutex_unlock(&t->mu);
}

void glim_threads_free(glim_threads *t)
{
    if (!t) return;
    atomic_store(&t->stop, 1);
    pthread_mutex_lock(&t->mu);
    t->gen++;
    atomic_store(&t->ticket, (uint64_t)t->gen << 32);
    pthread_cond_broadcast(&t->go);
    pthread_mutex_unlock(&t->mu);
    for (int i = 0; i < t->n; i++) pthread_join(t->tid[i], NULL);
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->go);
    glim_free(t->tid);
    glim_free(t->args);
    glim_free((void *)t->share);
    glim_free(t);
}

typedef struct batch_job {
    void (*fn)(void *ctx, int task, int thread);
    void *ctx;
    int base;
} batch_job;

static void batch_task(void *arg, int task, int thread)
{
    const batch_job *b = arg;
    b->fn(b->ctx, b->base + task, thread);
}

void glim_threads_run(glim_threads *t, int ntasks, void (*fn)(void *ctx, int task, int thread),
                      void *ctx)
{
    if (!t || ntasks <= 1) {
        for (int k = 0; k < ntasks; k++) fn(ctx, k, 0);
        return;
    }
    if (ntasks > (int)SHARE_MAX) { /* more than a share can count: in batches */
        for (int base = 0; base < ntasks; base += (int)SHARE_MAX) {
            batch_job b = {fn, ctx, base};
            int cnt = ntasks - base < (int)SHARE_MAX ? ntasks - base : (int)SHARE_MAX;
            glim_threads_run(t, cnt, batch_task, &b);
        }
        return;
    }
    /* Close the previous job first (a new generation with nothing left to
     * claim), so that a worker still holding a stale ticket cannot claim a
     * task against the fields about to change; then publish the new job. */
    t->gen++;
    for (int i = 0; i <= t->n; i++) atomic_store(&t->share[i], share_pack(t->gen, 0, 0));
    atomic_store(&t->ticket, (uint64_t)t->gen << 32);
    t->fn = fn;
    t->ctx = ctx;
    atomic_store(&t->ntasks, ntasks);
    atomic_store(&t->done, 0);
    t->gen++;
    for (int i = 0; i <= t->n; i++) { /* contiguous shares */
        uint32_t f = (uint32_t)((int64_t)ntasks * i / (t->n + 1)),
                 b = (uint32_t)((int64_t)ntasks * (i + 1) / (t->n + 1));
        atomic_store(&t->share[i], share_pack(t->gen, f, b));
    }
    atomic_store(&t->ticket, (uint64_t)t->gen << 32); /* publishes the job */
    wake(t);
    drain(t, t->gen, 0);
    /* Wait for the tasks workers took, not for the workers: one the OS has
     * not scheduled yet simply finds the job over when it wakes. */
    for (int i = 0; atomic_load(&t->done) < ntasks; i++) {
        if (i < 1024) cpu_relax();
        else sched_yield();
    }
}

/*
 * OpenBLAS built with DYNAMIC_ARCH picks its kernels from the CPU model at
 * load time. Releases older than the CPU (Debian 12 ships 0.3.21) do not
 * know recent Xeons and fall back to the SSE3 "Prescott" kernels, a third
 * of the machine's speed. When that happened on a CPU with AVX2+FMA, redo
 * the selection once, as if OPENBLAS_CORETYPE had named the matching
 * family (SkylakeX with AVX-512, else Haswell). A user's own
 * OPENBLAS_CORETYPE is respected, and a correctly detected core is left
 * alone. Runs once per process, from the first prepare.
 */
static pthread_once_t blas_once = PTHREAD_ONCE_INIT;

static void blas_fix_coretype(void)
{
    if (getenv("OPENBLAS_CORETYPE")) return;
    if (!gotoblas_dynamic_init || !gotoblas_dynamic_quit) return;
    const char *core = openblas_get_corename();
    static const char *const fallback[] = {"Prescott", "Katmai", "Coppermine", "Northwood",
                                           "Core2", "Penryn", "Dunnington", "Nehalem",
                                           "Sandybridge", "Unknown"};
    int weak = 0;
    for (size_t i = 0; core && i < sizeof fallback / sizeof fallback[0]; i++)
        if (strcmp(core, fallback[i]) == 0) weak = 1;
    if (!weak) return;
    __builtin_cpu_init();
    const char *want = NULL;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq"))
        want = "SkylakeX";
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        want = "Haswell";
    if (!want) return;
    setenv("OPENBLAS_CORETYPE", want, 0);
    gotoblas_dynamic_quit();
    gotoblas_dynamic_init();
    unsetenv("OPENBLAS_CORETYPE");
}

void glim_blas_set_threads(int n)
{
    pthread_once(&blas_once, blas_fix_coretype);
    openblas_set_num_threads(n < 1 ? 1 : n);
}

const char *glim_blas_core(void)
{
    pthread_once(&blas_once, blas_fix_coretype);
    return openblas_get_corename();
}

typedef struct range_job {
    glim_range_fn fn;
    void *ctx;
    int64_t total, chunk;
} range_job;

static void range_task(void *arg, int task, int thread)
{
    (void)thread;
    range_job *j = arg;
    int64_t b = (int64_t)task * j->chunk, e = b + j->chunk;
    if (e > j->total) e = j->total;
    if (b < e) j->fn(j->ctx, b, e);
}

void glim_parallel_for(glim_graph *g, int64_t total, int64_t grain, glim_range_fn fn, void *ctx)
{
    if (total <= 0) return;
    int nt = g->pool_threads ? g->threads : 1;
    if (grain < 1) grain = 1;
    if (nt <= 1 || total < 2 * grain) {
        fn(ctx, 0, total);
        return;
    }
    /* a few tasks per thread, claimed dynamically, so that a thread the OS
     * delays does not hold up the others */
    int64_t ntasks = total / grain;
    if (ntasks > 4 * nt) ntasks = 4 * nt;
    range_job j = {fn, ctx, total, (total + ntasks - 1) / ntasks};
    glim_threads_run(g->pool_threads, (int)((total + j.chunk - 1) / j.chunk), range_task, &j);
}
