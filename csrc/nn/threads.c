/*
 * threads.c — a small pthread pool owned by one graph (no globals).
 *
 * glim_threads_run hands tasks 0..ntasks-1 to the workers and the calling
 * thread, and returns when all are done. Tasks are claimed through an atomic
 * counter, so uneven tasks balance themselves.
 */
#include "ops/kernel.h"

#include <pthread.h>
#include <stdatomic.h>

extern void openblas_set_num_threads(int num_threads);

typedef struct glim_threads {
    int n;                   /* workers (excluding the caller) */
    pthread_t *tid;
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    unsigned long generation;
    int stop;
    int active;              /* workers still inside the current job */
    void (*fn)(void *ctx, int task);
    void *ctx;
    int ntasks;
    atomic_int next;
} glim_threads;

void glim_blas_set_threads(int n) { openblas_set_num_threads(n < 1 ? 1 : n); }

static void drain(glim_threads *t)
{
    for (;;) {
        int k = atomic_fetch_add(&t->next, 1);
        if (k >= t->ntasks) break;
        t->fn(t->ctx, k);
    }
}

static void *worker(void *arg)
{
    glim_threads *t = arg;
    unsigned long seen = 0;
    pthread_mutex_lock(&t->mu);
    for (;;) {
        while (!t->stop && t->generation == seen) pthread_cond_wait(&t->go, &t->mu);
        if (t->stop) break;
        seen = t->generation;
        pthread_mutex_unlock(&t->mu);
        drain(t);
        pthread_mutex_lock(&t->mu);
        if (--t->active == 0) pthread_cond_signal(&t->done);
    }
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

glim_threads *glim_threads_new(int n)
{
    if (n < 1) return NULL;
    glim_threads *t = glim_calloc(1, sizeof *t);
    if (!t) return NULL;
    t->tid = glim_calloc((size_t)n, sizeof *t->tid);
    if (!t->tid) {
        glim_free(t);
        return NULL;
    }
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->go, NULL);
    pthread_cond_init(&t->done, NULL);
    for (int i = 0; i < n; i++) {
        if (pthread_create(&t->tid[i], NULL, worker, t) != 0) {
            t->n = i;
            glim_threads_free(t);
            return NULL;
        }
        t->n = i + 1;
    }
    return t;
}

void glim_threads_free(glim_threads *t)
{
    if (!t) return;
    pthread_mutex_lock(&t->mu);
    t->stop = 1;
    pthread_cond_broadcast(&t->go);
    pthread_mutex_unlock(&t->mu);
    for (int i = 0; i < t->n; i++) pthread_join(t->tid[i], NULL);
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->go);
    pthread_cond_destroy(&t->done);
    glim_free(t->tid);
    glim_free(t);
}

void glim_threads_run(glim_threads *t, int ntasks, void (*fn)(void *ctx, int task), void *ctx)
{
    if (!t || ntasks <= 1) {
        for (int k = 0; k < ntasks; k++) fn(ctx, k);
        return;
    }
    pthread_mutex_lock(&t->mu);
    t->fn = fn;
    t->ctx = ctx;
    t->ntasks = ntasks;
    atomic_store(&t->next, 0);
    t->active = t->n;
    t->generation++;
    pthread_cond_broadcast(&t->go);
    pthread_mutex_unlock(&t->mu);
    drain(t);
    pthread_mutex_lock(&t->mu);
    while (t->active > 0) pthread_cond_wait(&t->done, &t->mu);
    pthread_mutex_unlock(&t->mu);
}

typedef struct range_job {
    glim_range_fn fn;
    void *ctx;
    int64_t total, chunk;
} range_job;

static void range_task(void *arg, int task)
{
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
    int64_t ntasks = total / grain;
    if (ntasks > nt) ntasks = nt;
    range_job j = {fn, ctx, total, (total + ntasks - 1) / ntasks};
    glim_threads_run(g->pool_threads, (int)((total + j.chunk - 1) / j.chunk), range_task, &j);
}
