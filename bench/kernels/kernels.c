/*
 * kernels.c — engine kernel benchmark, built and run by bench/cases/kernels.lua
 * (not by make). Prints one line per case:
 *   case <name> <threads> <median_ms> <min_ms> <gflops_at_min>
 * Peers measured in the same process: OpenBLAS cblas_sgemm (after glimpse's
 * first prepare, so with the kernels glimpse makes OpenBLAS use) on 1024^3
 * and on the GEMM shapes of MobileNet v2's 1x1 convolutions, against
 * glimpse's CONV2D on the same shapes; plus the 3x3 stem conv and depthwise
 * convs by themselves. Every glimpse case runs a real one-node graph.
 */
#include "nn/graph.h"
#include "nn/ops/kernel.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int REPS = 30;

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef void (*bench_fn)(void *ctx);

static void measure(const char *name, int threads, double flops, bench_fn fn, void *ctx)
{
    double t[256];
    int reps = REPS > 256 ? 256 : REPS;
    for (int i = 0; i < 3; i++) fn(ctx);
    for (int i = 0; i < reps; i++) {
        double t0 = now_ms();
        fn(ctx);
        t[i] = now_ms() - t0;
    }
    qsort(t, (size_t)reps, sizeof t[0], cmp);
    printf("case %s %d %.4f %.4f %.2f\n", name, threads, t[reps / 2], t[0], flops / (t[0] * 1e6));
    fflush(stdout);
}

typedef struct sg {
    int m, n, k;
    float *a, *b, *c;
} sg;

static void run_sgemm(void *ctx)
{
    sg *s = ctx;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, s->m, s->n, s->k, 1.f, s->a, s->k, s->b,
                s->k, 0.f, s->c, s->n);
}

static void run_graph(void *ctx)
{
    glim_graph_run(ctx, NULL);
}

static float frand(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return (float)((*s >> 8) & 0xffff) / 32768.f - 1.f;
}

/* One conv node: x [1,h,w,cin] -> y, weights [cout,kh,kw,cin] (depthwise:
 * [1,kh,kw,cin]). */
static glim_graph *conv_graph(glim_op_id op, int h, int w, int cin, int cout, int k, int stride,
                              int threads)
{
    glim_error err;
    glim_graph *g;
    if (glim_graph_new(&g, &err)) return NULL;
    int dw = op == GLIM_OP_DEPTHWISE_CONV2D;
    int64_t xs[] = {1, h, w, cin}, ws[] = {dw ? 1 : cout, k, k, dw ? cin : cin}, bs[] = {cout};
    if (dw) ws[3] = cout;
    int x = glim_graph_add_tensor(g, "x", GLIM_F32, 4, xs, GLIM_TENSOR_INPUT, &err);
    int wt = glim_graph_add_tensor(g, "w", GLIM_F32, 4, ws, GLIM_TENSOR_CONSTANT, &err);
    int b = glim_graph_add_tensor(g, "b", GLIM_F32, 1, bs, GLIM_TENSOR_CONSTANT, &err);
    int y = glim_graph_add_tensor(g, "y", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
    uint32_t seed = 1;
    float *wd = glim_graph_const_alloc(g, glim_graph_tensor(g, wt)->nbytes, &err);
    float *bd = glim_graph_const_alloc(g, (size_t)cout * 4, &err);
    for (int64_t i = 0; i < glim_graph_tensor(g, wt)->count; i++) wd[i] = frand(&seed) * 0.1f;
    for (int i = 0; i < cout; i++) bd[i] = frand(&seed);
    glim_graph_set_const(g, wt, wd, &err);
    glim_graph_set_const(g, b, bd, &err);
    glim_conv2d_params p = {0};
    p.stride_h = p.stride_w = stride;
    p.padding = GLIM_PAD_SAME;
    p.act = GLIM_ACT_RELU6;
    int in[] = {x, wt, b};
    glim_graph_add_node(g, op, "bench", 3, in, 1, &y, &p, sizeof p, &err);
    glim_graph_set_io(g, 1, &x, 1, &y, &err);
    if (glim_graph_prepare(g, threads, &err)) {
        fprintf(stderr, "prepare: %s\n", err.msg);
        glim_graph_free(g);
        return NULL;
    }
    glim_gtensor *xt = glim_graph_tensor(g, x);
    for (int64_t i = 0; i < xt->count; i++) ((float *)xt->data)[i] = frand(&seed);
    return g;
}

static double graph_flops(glim_graph *g)
{
    glim_graph_stats st;
    glim_graph_get_stats(g, &st);
    return st.flops;
}

int main(int argc, char **argv)
{
    int maxthreads = argc > 1 ? atoi(argv[1]) : 2;
    if (argc > 2) REPS = atoi(argv[2]);
    /* a first prepare applies glimpse's OpenBLAS kernel check */
    glim_graph *warm = conv_graph(GLIM_OP_CONV2D, 8, 8, 8, 8, 1, 1, 1);
    glim_graph_free(warm);
    printf("blas %s\n", glim_blas_core());

    static const int shapes[][3] = {/* M (pixels), N (Cout), K (Cin) of MobileNet v2 1x1 convs */
                                    {12544, 16, 32}, {12544, 96, 16}, {3136, 24, 96},
                                    {3136, 144, 24}, {784, 32, 144}, {196, 384, 64},
                                    {49, 960, 160},  {49, 320, 960}};
    for (int t = 1; t <= maxthreads; t++) {
        glim_blas_set_threads(t);
        sg big = {1024, 1024, 1024, NULL, NULL, NULL};
        big.a = malloc(4u << 20);
        big.b = malloc(4u << 20);
        big.c = malloc(4u << 20);
        uint32_t seed = 3;
        for (int i = 0; i < 1 << 20; i++) big.a[i] = frand(&seed), big.b[i] = frand(&seed);
        measure("sgemm_1024", t, 2.0 * 1024 * 1024 * 1024, run_sgemm, &big);
        free(big.a);
        free(big.b);
        free(big.c);
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
            int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
            int side = 1;
            while (side * side < m) side++;
            char name[64];
            sg q = {side * side, n, k, malloc((size_t)side * side * k * 4),
                    malloc((size_t)n * k * 4), malloc((size_t)side * side * n * 4)};
            for (int i = 0; i < side * side * k; i++) q.a[i] = frand(&seed);
            for (int i = 0; i < n * k; i++) q.b[i] = frand(&seed);
            snprintf(name, sizeof name, "sgemm_%dx%dx%d", q.m, n, k);
            measure(name, t, 2.0 * q.m * n * k, run_sgemm, &q);
            free(q.a);
            free(q.b);
            free(q.c);
            glim_graph *g = conv_graph(GLIM_OP_CONV2D, side, side, k, n, 1, 1, t);
            glim_blas_set_threads(t);
            snprintf(name, sizeof name, "conv1x1_%dx%dx%d", side * side, n, k);
            if (g) measure(name, t, graph_flops(g), run_graph, g);
            glim_graph_free(g);
        }
        glim_graph *g = conv_graph(GLIM_OP_CONV2D, 224, 224, 3, 32, 3, 2, t);
        if (g) measure("conv3x3s2_224x3to32", t, graph_flops(g), run_graph, g);
        glim_graph_free(g);
        static const int dws[][3] = {{112, 32, 1}, {112, 96, 2}, {56, 144, 1}, {28, 192, 1},
                                     {14, 576, 1}, {7, 960, 1}};
        for (size_t s = 0; s < sizeof dws / sizeof dws[0]; s++) {
            char name[64];
            g = conv_graph(GLIM_OP_DEPTHWISE_CONV2D, dws[s][0], dws[s][0], dws[s][1], dws[s][1], 3,
                           dws[s][2], t);
            snprintf(name, sizeof name, "dw3x3s%d_%dx%d", dws[s][2], dws[s][0], dws[s][1]);
            if (g) measure(name, t, graph_flops(g), run_graph, g);
            glim_graph_free(g);
        }
    }
    return 0;
}
