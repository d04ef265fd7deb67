/*
 * conv.c — convolution benchmark over the shapes of ResNet-18 and PP-OCRv4
 * (det at 640x640, rec at 48x320), built and run by bench/cases/conv.lua.
 * Prints one line per case and thread count:
 *   conv <name> <threads> <median_ms> <min_ms> <gflops> <sgemm_min_ms> <sgemm_gflops>
 * glimpse runs a real one-node graph (CONV2D or DEPTHWISE_CONV2D, bias and
 * ReLU fused). The peer is OpenBLAS cblas_sgemm on the convolution's im2col
 * GEMM shape (M = OH*OW, N = Cout, K = KH*KW*Cin) with the im2col matrix
 * already built, so the peer does strictly less work than the convolution;
 * depthwise convolutions have no GEMM form and print 0 for the peer.
 *   conv.c [max_threads [reps [name_filter]]]
 */
#include "nn/graph.h"
#include "nn/ops/kernel.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int REPS = 10;

typedef struct shape {
    const char *name;
    int dw; /* depthwise */
    int h, w, cin, cout, kh, kw, sh, sw, ph, pw;
} shape;

/* name, dw, H, W, Cin, Cout, KH, KW, stride h/w, pad h/w (symmetric) */
static const shape SHAPES[] = {
    /* ResNet-18, 224x224 */
    {"r18_stem7x7s2", 0, 224, 224, 3, 64, 7, 7, 2, 2, 3, 3},
    {"r18_3x3_56x64", 0, 56, 56, 64, 64, 3, 3, 1, 1, 1, 1},
    {"r18_3x3_28x128", 0, 28, 28, 128, 128, 3, 3, 1, 1, 1, 1},
    {"r18_3x3_14x256", 0, 14, 14, 256, 256, 3, 3, 1, 1, 1, 1},
    {"r18_3x3_7x512", 0, 7, 7, 512, 512, 3, 3, 1, 1, 1, 1},
    {"r18_3x3s2_56x64to128", 0, 56, 56, 64, 128, 3, 3, 2, 2, 1, 1},
    {"r18_3x3s2_28x128to256", 0, 28, 28, 128, 256, 3, 3, 2, 2, 1, 1},
    {"r18_3x3s2_14x256to512", 0, 14, 14, 256, 512, 3, 3, 2, 2, 1, 1},
    {"r18_1x1s2_56x64to128", 0, 56, 56, 64, 128, 1, 1, 2, 2, 0, 0},
    {"r18_1x1s2_28x128to256", 0, 28, 28, 128, 256, 1, 1, 2, 2, 0, 0},
    {"r18_1x1s2_14x256to512", 0, 14, 14, 256, 512, 1, 1, 2, 2, 0, 0},
    /* PP-OCRv4 det, 640x640 */
    {"det_stem3x3s2_640x3to16", 0, 640, 640, 3, 16, 3, 3, 2, 2, 1, 1},
    {"det_3x3_160x96to24", 0, 160, 160, 96, 24, 3, 3, 1, 1, 1, 1},
    {"det_3x3_80x96to24", 0, 80, 80, 96, 24, 3, 3, 1, 1, 1, 1},
    {"det_3x3_40x96to24", 0, 40, 40, 96, 24, 3, 3, 1, 1, 1, 1},
    {"det_1x1_320x16to32", 0, 320, 320, 16, 32, 1, 1, 1, 1, 0, 0},
    {"det_1x1_160x48to48", 0, 160, 160, 48, 48, 1, 1, 1, 1, 0, 0},
    {"det_1x1_160x12to96", 0, 160, 160, 12, 96, 1, 1, 1, 1, 0, 0},
    {"det_1x1_160x48to12", 0, 160, 160, 48, 12, 1, 1, 1, 1, 0, 0},
    {"det_1x1_40x192to192", 0, 40, 40, 192, 192, 1, 1, 1, 1, 0, 0},
    {"det_1x1_20x384to384", 0, 20, 20, 384, 384, 1, 1, 1, 1, 0, 0},
    {"det_dw3x3_320x16", 1, 320, 320, 16, 16, 3, 3, 1, 1, 1, 1},
    {"det_dw3x3s2_320x32", 1, 320, 320, 32, 32, 3, 3, 2, 2, 1, 1},
    {"det_dw3x3_160x48", 1, 160, 160, 48, 48, 3, 3, 1, 1, 1, 1},
    {"det_dw5x5_40x192", 1, 40, 40, 192, 192, 5, 5, 1, 1, 2, 2},
    {"det_dw5x5s2_40x192", 1, 40, 40, 192, 192, 5, 5, 2, 2, 2, 2},
    {"det_dw5x5_20x384", 1, 20, 20, 384, 384, 5, 5, 1, 1, 2, 2},
    /* PP-OCRv4 rec, 48x320 */
    {"rec_stem3x3s2_48x320x3to16", 0, 48, 320, 3, 16, 3, 3, 2, 2, 1, 1},
    {"rec_1x1_12x80x240to240", 0, 12, 80, 240, 240, 1, 1, 1, 1, 0, 0},
    {"rec_1x1_6x80x480to480", 0, 6, 80, 480, 480, 1, 1, 1, 1, 0, 0},
    {"rec_1x3_1x40x480to60", 0, 1, 40, 480, 60, 1, 3, 1, 1, 0, 1},
    {"rec_dw3x3_24x160x64", 1, 24, 160, 64, 64, 3, 3, 1, 1, 1, 1},
    {"rec_dw3x3s21_24x160x64", 1, 24, 160, 64, 64, 3, 3, 2, 1, 1, 1},
    {"rec_dw3x3s12_12x160x128", 1, 12, 160, 128, 128, 3, 3, 1, 2, 1, 1},
    {"rec_dw5x5_12x80x240", 1, 12, 80, 240, 240, 5, 5, 1, 1, 2, 2},
    {"rec_dw5x5s21_12x80x240", 1, 12, 80, 240, 240, 5, 5, 2, 1, 2, 2},
    {"rec_dw5x5_6x80x480", 1, 6, 80, 480, 480, 5, 5, 1, 1, 2, 2},
};

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

/* median and minimum of REPS runs after two warm-ups */
static void measure(bench_fn fn, void *ctx, double *med, double *min)
{
    double t[256];
    int reps = REPS > 256 ? 256 : (REPS < 1 ? 1 : REPS);
    fn(ctx);
    fn(ctx);
    for (int i = 0; i < reps; i++) {
        double t0 = now_ms();
        fn(ctx);
        t[i] = now_ms() - t0;
    }
    qsort(t, (size_t)reps, sizeof t[0], cmp);
    *med = t[reps / 2];
    *min = t[0];
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

static glim_graph *conv_graph(const shape *s, int threads)
{
    glim_error err;
    glim_graph *g;
    if (glim_graph_new(&g, &err)) return NULL;
    glim_op_id op = s->dw ? GLIM_OP_DEPTHWISE_CONV2D : GLIM_OP_CONV2D;
    int64_t xs[] = {1, s->h, s->w, s->cin}, bs[] = {s->cout};
    int64_t ws[] = {s->dw ? 1 : s->cout, s->kh, s->kw, s->dw ? s->cout : s->cin};
    int x = glim_graph_add_tensor(g, "x", GLIM_F32, 4, xs, GLIM_TENSOR_INPUT, &err);
    int wt = glim_graph_add_tensor(g, "w", GLIM_F32, 4, ws, GLIM_TENSOR_CONSTANT, &err);
    int b = glim_graph_add_tensor(g, "b", GLIM_F32, 1, bs, GLIM_TENSOR_CONSTANT, &err);
    int y = glim_graph_add_tensor(g, "y", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
    uint32_t seed = 1;
    float *wd = glim_graph_const_alloc(g, glim_graph_tensor(g, wt)->nbytes, &err);
    float *bd = glim_graph_const_alloc(g, (size_t)s->cout * 4, &err);
    for (int64_t i = 0; i < glim_graph_tensor(g, wt)->count; i++) wd[i] = frand(&seed) * 0.1f;
    for (int i = 0; i < s->cout; i++) bd[i] = frand(&seed);
    glim_graph_set_const(g, wt, wd, &err);
    glim_graph_set_const(g, b, bd, &err);
    glim_conv2d_params p = {0};
    p.stride_h = s->sh;
    p.stride_w = s->sw;
    p.dilation_h = p.dilation_w = 1;
    p.padding = GLIM_PAD_EXPLICIT;
    p.pad_top = p.pad_bottom = s->ph;
    p.pad_left = p.pad_right = s->pw;
    p.act = GLIM_ACT_RELU;
    int in[] = {x, wt, b};
    glim_graph_add_node(g, op, "bench", 3, in, 1, &y, &p, sizeof p, &err);
    glim_graph_set_io(g, 1, &x, 1, &y, &err);
    if (glim_graph_prepare(g, threads, &err)) {
        fprintf(stderr, "%s: prepare: %s\n", s->name, err.msg);
        glim_graph_free(g);
        return NULL;
    }
    glim_gtensor *xt = glim_graph_tensor(g, x);
    for (int64_t i = 0; i < xt->count; i++) ((float *)xt->data)[i] = frand(&seed);
    return g;
}

int main(int argc, char **argv)
{
    int maxthreads = argc > 1 ? atoi(argv[1]) : 2;
    if (argc > 2) REPS = atoi(argv[2]);
    const char *filter = argc > 3 ? argv[3] : NULL;
    /* a first prepare applies glimpse's OpenBLAS kernel check */
    glim_graph *warm = conv_graph(&SHAPES[0], 1);
    glim_graph_free(warm);
    printf("blas %s\n", glim_blas_core());
    for (int t = 1; t <= maxthreads; t++) {
        for (size_t i = 0; i < sizeof SHAPES / sizeof SHAPES[0]; i++) {
            const shape *s = &SHAPES[i];
            if (filter && !strstr(s->name, filter)) continue;
            glim_graph *g = conv_graph(s, t);
            if (!g) continue;
            glim_graph_stats st;
            glim_graph_get_stats(g, &st);
            double med, min, smin = 0, sgf = 0;
            measure(run_graph, g, &med, &min);
            glim_gtensor *yt = glim_graph_tensor(g, g->outputs[0]);
            int m = (int)(yt->shape[1] * yt->shape[2]);
            glim_graph_free(g);
            if (!s->dw) {
                int k = s->kh * s->kw * s->cin;
                sg q = {m, s->cout, k, malloc((size_t)m * k * 4), malloc((size_t)s->cout * k * 4),
                        malloc((size_t)m * s->cout * 4)};
                uint32_t seed = 3;
                for (int64_t j = 0; j < (int64_t)m * k; j++) q.a[j] = frand(&seed);
                for (int64_t j = 0; j < (int64_t)s->cout * k; j++) q.b[j] = frand(&seed);
                glim_blas_set_threads(t);
                double smed;
                measure(run_sgemm, &q, &smed, &smin);
                sgf = 2.0 * m * s->cout * (double)k / (smin * 1e6);
                free(q.a);
                free(q.b);
                free(q.c);
            }
            printf("conv %s %d %.4f %.4f %.2f %.4f %.2f\n", s->name, t, med, min,
                   st.flops / (min * 1e6), smin, sgf);
            fflush(stdout);
        }
    }
    return 0;
}
