/* test_graph.c — the graph builder, prepare's validation and the planner. */
#include "check.h"
#include "nn/graph.h"
#include "nn/ops/kernel.h"

#include <stdlib.h>
#include <string.h>

static void test_builder_validates(void)
{
    glim_error err = {0};
    glim_graph *g = NULL;
    CHECK_OK(glim_graph_new(&g, &err), err);
    int64_t s[] = {1, 4, 4, 3}, neg[] = {1, -2};
    int x = glim_graph_add_tensor(g, "x", GLIM_F32, 4, s, GLIM_TENSOR_INPUT, &err);
    CHECK(x == 0);
    CHECK(glim_graph_add_tensor(g, "bad", GLIM_F32, 2, neg, GLIM_TENSOR_ACTIVATION, &err) == -1);
    CHECK(err.code == GLIM_EINVAL);
    CHECK(strstr(err.msg, "'bad'") != NULL);
    CHECK(glim_graph_add_tensor(g, "bad", (glim_dtype)99, 1, s, GLIM_TENSOR_ACTIVATION, &err) == -1);
    int y = glim_graph_add_tensor(g, "y", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
    CHECK(y == 1);
    CHECK(glim_graph_find_tensor(g, "y") == y);
    CHECK(glim_graph_find_tensor(g, "nope") == -1);
    glim_binary_params bp = {GLIM_ACT_NONE};
    int in2[] = {x, x};
    /* wrong params size */
    CHECK(glim_graph_add_node(g, GLIM_OP_ADD, "add", 2, in2, 1, &y, &bp, 3, &err) == -1);
    CHECK(strstr(err.msg, "params are 3 bytes") != NULL);
    /* bad tensor index */
    int bad[] = {x, 7};
    CHECK(glim_graph_add_node(g, GLIM_OP_ADD, "add", 2, bad, 1, &y, &bp, sizeof bp, &err) == -1);
    CHECK(glim_graph_add_node(g, GLIM_OP_ADD, "add", 2, in2, 1, &y, &bp, sizeof bp, &err) == 0);
    /* no outputs declared yet */
    CHECK(glim_graph_prepare(g, 1, &err) == GLIM_EINVAL);
    CHECK(strstr(err.msg, "no outputs") != NULL);
    /* a failed prepare leaves the graph failed */
    CHECK(glim_graph_set_io(g, 1, &x, 1, &y, &err) == GLIM_EINVAL);
    CHECK(strstr(err.msg, "failed state") != NULL);
    glim_graph_free(g);
    glim_graph_free(NULL);
}

static void test_const_memory_is_aligned_and_stable(void)
{
    glim_error err = {0};
    glim_graph *g = NULL;
    CHECK_OK(glim_graph_new(&g, &err), err);
    void *a = glim_graph_const_alloc(g, 10, &err);
    void *b = glim_graph_const_alloc(g, 3 << 20, &err); /* bigger than a block */
    void *c = glim_graph_const_alloc(g, 5, &err);
    CHECK(a && b && c);
    CHECK(((uintptr_t)a % 64) == 0 && ((uintptr_t)b % 64) == 0 && ((uintptr_t)c % 64) == 0);
    memset(b, 1, 3 << 20);
    int64_t s[] = {2, 3};
    int w = glim_graph_add_tensor(g, "w", GLIM_F32, 2, s, GLIM_TENSOR_CONSTANT, &err);
    float vals[6] = {1, 2, 3, 4, 5, 6};
    CHECK_OK(glim_graph_set_const_copy(g, w, vals, &err), err);
    CHECK(memcmp(glim_graph_tensor(g, w)->data, vals, sizeof vals) == 0);
    int x = glim_graph_add_tensor(g, "x", GLIM_F32, 2, s, GLIM_TENSOR_INPUT, &err);
    CHECK(glim_graph_set_const(g, x, a, &err) == GLIM_EINVAL);
    float sc[2] = {0.5f, 0.25f};
    int32_t zp[2] = {3, 4};
    CHECK_OK(glim_graph_set_quant(g, w, 2, 0, sc, zp, &err), err);
    CHECK(glim_graph_tensor(g, w)->quant.n == 2);
    CHECK(glim_graph_tensor(g, w)->quant.zero_point[1] == 4);
    glim_graph_stats st;
    glim_graph_get_stats(g, &st);
    CHECK(st.weights_bytes == 10 + (3 << 20) + 5 + sizeof vals);
    glim_graph_free(g);
}

static void test_op_names(void)
{
    glim_op_id op;
    CHECK(strcmp(glim_op_name(GLIM_OP_CONV2D), "CONV2D") == 0);
    CHECK(glim_op_parse("DEPTHWISE_CONV2D", &op) == 0 && op == GLIM_OP_DEPTHWISE_CONV2D);
    CHECK(glim_op_parse("NOPE", &op) == -1);
    CHECK(strcmp(glim_op_name((glim_op_id)999), "?") == 0);
}

/* ---- allocation-failure sweep: every allocation of building, preparing
 * and running a small conv graph is made to fail in turn; each failure must
 * come back as an error (never a crash), and freeing must be clean. */
static long alloc_count, alloc_fail_at = -1;

static void *failing_alloc(size_t size, size_t align, void *user)
{
    (void)user;
    if (alloc_count++ == alloc_fail_at) return NULL;
    void *p = NULL;
    if (posix_memalign(&p, align, size ? size : 1) != 0) return NULL;
    return p;
}

static void plain_free(void *p, void *user)
{
    (void)user;
    free(p);
}

static glim_status build_and_run(int threads)
{
    glim_error err = {0};
    glim_graph *g = NULL;
    glim_status st = glim_graph_new(&g, &err);
    if (st) return st;
    int64_t xs[] = {1, 9, 7, 3}, ws[] = {4, 3, 3, 3}, bs[] = {4}, ds[] = {1, 3, 3, 4};
    int x = glim_graph_add_tensor(g, "x", GLIM_F32, 4, xs, GLIM_TENSOR_INPUT, &err);
    int w = glim_graph_add_tensor(g, "w", GLIM_F32, 4, ws, GLIM_TENSOR_CONSTANT, &err);
    int b = glim_graph_add_tensor(g, "b", GLIM_F32, 1, bs, GLIM_TENSOR_CONSTANT, &err);
    int dw = glim_graph_add_tensor(g, "dw", GLIM_F32, 4, ds, GLIM_TENSOR_CONSTANT, &err);
    int y = glim_graph_add_tensor(g, "y", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
    int z = glim_graph_add_tensor(g, "z", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
    if (x < 0 || w < 0 || b < 0 || dw < 0 || y < 0 || z < 0) { glim_graph_free(g); return err.code; }
    static float wv[108], bv[4], dv[36];
    if ((st = glim_graph_set_const_copy(g, w, wv, &err)) || (st = glim_graph_set_const_copy(g, b, bv, &err)) ||
        (st = glim_graph_set_const_copy(g, dw, dv, &err))) { glim_graph_free(g); return st; }
    glim_conv2d_params p = {0};
    p.stride_h = p.stride_w = 2;
    p.padding = GLIM_PAD_SAME;
    int in[] = {x, w, b};
    if (glim_graph_add_node(g, GLIM_OP_CONV2D, "c", 3, in, 1, &y, &p, sizeof p, &err) < 0) { glim_graph_free(g); return err.code; }
    int in2[] = {y, dw, b};
    p.stride_h = p.stride_w = 1;
    if (glim_graph_add_node(g, GLIM_OP_DEPTHWISE_CONV2D, "d", 3, in2, 1, &z, &p, sizeof p, &err) < 0) { glim_graph_free(g); return err.code; }
    if ((st = glim_graph_set_io(g, 1, &x, 1, &z, &err)) || (st = glim_graph_prepare(g, threads, &err)) ||
        (st = glim_graph_run(g, &err))) {
        CHECK(err.msg[0] != 0);
        glim_graph_free(g);
        return st;
    }
    glim_graph_free(g);
    return GLIM_OK;
}

/* Pool memory comes back zeroed, including allocations larger than a pool
 * chunk (ops rely on it: the depthwise kernel's row of zeros). */
static void *dirty_alloc(size_t size, size_t align, void *user)
{
    (void)user;
    void *p = NULL;
    if (posix_memalign(&p, align, size ? size : 1) != 0) return NULL;
    memset(p, 0xAB, size);
    return p;
}

static void test_pool_memory_is_zeroed(void)
{
    glim_allocator a = {dirty_alloc, plain_free, NULL};
    glim_set_allocator(&a);
    glim_error err = {0};
    glim_graph *g = NULL;
    CHECK_OK(glim_graph_new(&g, &err), err);
    size_t sizes[] = {10, 100 << 10, 7, 300 << 10, 64 << 10};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *p = glim_graph_pool_alloc(g, sizes[i]);
        CHECK(p != NULL);
        size_t nonzero = 0;
        for (size_t k = 0; p && k < sizes[i]; k++) nonzero += p[k] != 0;
        CHECK(nonzero == 0);
    }
    glim_graph_free(g);
    glim_set_allocator(NULL);
}

/* The pool runs every task of every job exactly once, on more threads than
 * cores, with jobs of every size back to back. */
typedef struct count_job {
    int *hits;
    int *seen_thread;
    int nthreads;
} count_job;

static void count_task(void *ctx, int task, int thread)
{
    count_job *j = ctx;
    __atomic_fetch_add(&j->hits[task], 1, __ATOMIC_RELAXED);
    if (thread < 0 || thread >= j->nthreads) __atomic_store_n(j->seen_thread, 1, __ATOMIC_RELAXED);
}

static void test_thread_pool_runs_each_task_once(void)
{
    struct glim_threads *t = glim_threads_new(3);
    CHECK(t != NULL);
    int hits[97], bad_thread = 0;
    count_job j = {hits, &bad_thread, 4};
    for (int round = 0; round < 20000; round++) {
        int n = 1 + round % 97;
        memset(hits, 0, sizeof hits);
        glim_threads_run(t, n, count_task, &j);
        for (int k = 0; k < n; k++)
            if (hits[k] != 1) {
                printf("#   round %d: task %d ran %d times\n", round, k, hits[k]);
                check_failed_now = 1;
                round = 20000;
                break;
            }
    }
    CHECK(bad_thread == 0);
    glim_threads_free(t);
}

static void test_allocation_failures(void)
{
    glim_allocator a = {failing_alloc, plain_free, NULL};
    glim_set_allocator(&a);
    alloc_fail_at = -1;
    alloc_count = 0;
    CHECK(build_and_run(2) == GLIM_OK);
    long total = alloc_count;
    CHECK(total > 10);
    for (long k = 0; k < total; k++) {
        alloc_count = 0;
        alloc_fail_at = k;
        glim_status st = build_and_run(2);
        CHECK(st == GLIM_ENOMEM);
    }
    glim_set_allocator(NULL);
}

int main(void)
{
    RUN(test_builder_validates);
    RUN(test_const_memory_is_aligned_and_stable);
    RUN(test_op_names);
    RUN(test_pool_memory_is_zeroed);
    RUN(test_thread_pool_runs_each_task_once);
    RUN(test_allocation_failures);
    return check_done();
}
