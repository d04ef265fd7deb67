/*
 * profile.c — where a model's time goes: loads a model file (ONNX or
 * TFLite), fills its float inputs with fixed pseudo-random values, and times
 * every node's eval separately (the same calls glim_graph_run makes, in the
 * same order), min over REPS runs after a warm-up. Prints the op families
 * by total time, then the slowest nodes with their shapes and GFLOP/s.
 *
 *   cc -O2 -march=native -std=c11 -D_POSIX_C_SOURCE=200809L -Icsrc \
 *      bench/kernels/profile.c build/libglimpse.a <libs> -o /tmp/profile
 *   /tmp/profile model.onnx [threads [reps [top [shape]]]]
 *
 * shape ("1,3,640,640") sets the first input's dims (ONNX models with
 * dynamic dims); the model is run once at that shape before profiling.
 * Integer inputs are left as zeros. Not part of make bench: a tool for
 * finding the slow op of a model.
 */
#include "nn/graph.h"
#include "nn/model.h"
#include "nn/ops/kernel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

static void shape_str(const glim_gtensor *t, char *buf, size_t cap)
{
    size_t k = 0;
    buf[0] = 0;
    for (int i = 0; i < t->ndim && k + 24 < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, i ? "x%lld" : "%lld", (long long)t->shape[i]);
}

typedef struct row {
    int node;
    double ms;
} row;

static int by_ms(const void *a, const void *b)
{
    double x = ((const row *)a)->ms, y = ((const row *)b)->ms;
    return x < y ? 1 : (x > y ? -1 : 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: profile model [threads [reps [top [shape]]]]\n");
        return 2;
    }
    int threads = argc > 2 ? atoi(argv[2]) : 1, reps = argc > 3 ? atoi(argv[3]) : 10;
    int top = argc > 4 ? atoi(argv[4]) : 25;
    glim_model_opts o;
    glim_model_opts_init(&o);
    o.threads = threads;
    glim_model *m;
    glim_error err;
    if (glim_model_load_file(argv[1], &o, &m, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    if (argc > 5) { /* run once at the given input shape: the graph is rebuilt for it */
        int64_t shape[GLIM_MAX_DIMS];
        int nd = 0;
        for (char *p = argv[5]; *p && nd < GLIM_MAX_DIMS;) {
            shape[nd++] = strtoll(p, &p, 10);
            if (*p == ',') p++;
        }
        glim_tensor *in = NULL, *outs[16] = {0};
        if (glim_model_input_count(m) != 1 || glim_model_output_count(m) > 16 ||
            glim_tensor_new(glim_model_input(m, 0)->dtype, nd, shape, &in, &err) ||
            glim_model_run(m, &in, 1, outs, &err)) {
            fprintf(stderr, "run at %s: %s\n", argv[5], err.msg);
            return 1;
        }
        glim_tensor_free(in);
        for (int i = 0; i < 16; i++) glim_tensor_free(outs[i]);
    }
    glim_graph *g = glim_model_graph(m);
    uint32_t s = 1;
    for (int i = 0; i < g->ninputs; i++) {
        glim_gtensor *t = glim_graph_tensor(g, g->inputs[i]);
        if (t->dtype != GLIM_F32) continue;
        for (int64_t k = 0; k < t->count; k++) {
            s = s * 1664525u + 1013904223u;
            ((float *)t->data)[k] = (float)((s >> 8) & 0xffff) / 32768.f - 1.f;
        }
    }
    double *best = malloc(sizeof(double) * (size_t)g->nnodes);
    for (int i = 0; i < g->nnodes; i++) best[i] = 1e30;
    glim_graph_run(g, NULL); /* warm-up */
    double total_best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t_all = now_ms();
        for (int i = 0; i < g->nnodes; i++) {
            const glim_node *n = &g->nodes[i];
            double t0 = now_ms();
            glim_op_vtable_of(n->op)->eval(g, n);
            double dt = now_ms() - t0;
            if (dt < best[i]) best[i] = dt;
        }
        t_all = now_ms() - t_all;
        if (t_all < total_best) total_best = t_all;
    }
    double sum = 0, fam[GLIM_OP_COUNT] = {0}, famfl[GLIM_OP_COUNT] = {0};
    int famn[GLIM_OP_COUNT] = {0};
    row *rows = malloc(sizeof(row) * (size_t)g->nnodes);
    for (int i = 0; i < g->nnodes; i++) {
        const glim_node *n = &g->nodes[i];
        const glim_op_vtable *vt = glim_op_vtable_of(n->op);
        sum += best[i];
        fam[n->op] += best[i];
        famn[n->op]++;
        famfl[n->op] += vt->flops ? vt->flops(g, n) : 0;
        rows[i] = (row){i, best[i]};
    }
    printf("%s: %d nodes, %d thread(s); whole run min %.2f ms, sum of node minima %.2f ms\n",
           argv[1], g->nnodes, threads, total_best, sum);
    printf("%-20s %5s %9s %6s %8s\n", "op", "nodes", "ms", "share", "GFLOP/s");
    for (;;) {
        int bi = -1;
        for (int k = 0; k < GLIM_OP_COUNT; k++)
            if (famn[k] && (bi < 0 || fam[k] > fam[bi])) bi = k;
        if (bi < 0) break;
        printf("%-20s %5d %9.3f %5.1f%% %8.1f\n", glim_op_name((glim_op_id)bi), famn[bi], fam[bi],
               100 * fam[bi] / sum, famfl[bi] > 0 ? famfl[bi] / (fam[bi] * 1e6) : 0.0);
        famn[bi] = 0;
    }
    qsort(rows, (size_t)g->nnodes, sizeof *rows, by_ms);
    printf("\n%-8s %-18s %9s %8s  %s\n", "node", "op", "ms", "GFLOP/s", "input -> output (w)");
    for (int i = 0; i < top && i < g->nnodes; i++) {
        const glim_node *n = &g->nodes[rows[i].node];
        const glim_op_vtable *vt = glim_op_vtable_of(n->op);
        char a[96] = "", b[96] = "", w[96] = "";
        if (n->ninputs > 0 && n->inputs[0] >= 0) shape_str(glim_in(g, n, 0), a, sizeof a);
        if (n->ninputs > 1 && n->inputs[1] >= 0) shape_str(glim_in(g, n, 1), w, sizeof w);
        shape_str(glim_out(g, n, 0), b, sizeof b);
        double fl = vt->flops ? vt->flops(g, n) : 0;
        printf("%-8d %-18s %9.3f %8.1f  %s -> %s (%s)\n", rows[i].node, glim_op_name(n->op),
               rows[i].ms, fl > 0 ? fl / (rows[i].ms * 1e6) : 0.0, a, b, w);
    }
    free(rows);
    free(best);
    glim_model_free(m);
    return 0;
}
