/*
 * softmax.c — SOFTMAX along one axis.
 *
 *   y = exp(beta * (x - max(x))) / sum(exp(beta * (x - max(x)))) over `axis`
 *   (TFLite Softmax: beta, last axis; ONNX Softmax-13: any axis, beta 1).
 *   params.beta == 0 means 1 (zeroed params are the defaults); a negative
 *   axis counts from the end. float32, any rank >= 1.
 */
#include "kernel.h"

#include <math.h>

typedef struct sm_job {
    int64_t outer, len, inner;
    float beta;
    const float *x;
    float *y;
} sm_job;

static int resolve_axis(int axis, int ndim) { return axis < 0 ? axis + ndim : axis; }

static glim_status sm_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_softmax_params *p = n->params;
    glim_status st;
    if ((st = glim_need_arity(n, 1, 1, 1, err)) ||
        (st = glim_need_input(g, n, 0, GLIM_F32, 1, GLIM_MAX_DIMS, "input", err)))
        return st;
    glim_gtensor *x = glim_in(g, n, 0);
    int ax = resolve_axis(p->axis, x->ndim);
    if (ax < 0 || ax >= x->ndim)
        return glim_node_fail(n, err, GLIM_EINVAL, "axis %d is out of range for %d dims",
                              p->axis, x->ndim);
    return glim_out_shape(g, n, 0, GLIM_F32, x->ndim, x->shape, err);
}

/* Four independent chains instead of one (the loops are latency-bound). */
static float max_row(const float *x, int64_t n)
{
    float m0 = -INFINITY, m1 = -INFINITY, m2 = -INFINITY, m3 = -INFINITY;
    int64_t k = 0;
    for (; k + 4 <= n; k += 4) {
        m0 = x[k] > m0 ? x[k] : m0;
        m1 = x[k + 1] > m1 ? x[k + 1] : m1;
        m2 = x[k + 2] > m2 ? x[k + 2] : m2;
        m3 = x[k + 3] > m3 ? x[k + 3] : m3;
    }
    for (; k < n; k++) m0 = x[k] > m0 ? x[k] : m0;
    m0 = m1 > m0 ? m1 : m0;
    m2 = m3 > m2 ? m3 : m2;
    return m2 > m0 ? m2 : m0;
}

static double sum_double(const float *y, int64_t n)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int64_t k = 0;
    for (; k + 4 <= n; k += 4) {
        s0 += y[k];
        s1 += y[k + 1];
        s2 += y[k + 2];
        s3 += y[k + 3];
    }
    for (; k < n; k++) s0 += y[k];
    return (s0 + s1) + (s2 + s3);
}

static void sm_rows(void *arg, int64_t r0, int64_t r1)
{
    const sm_job *j = arg;
    for (int64_t r = r0; r < r1; r++) {
        int64_t o = r / j->inner, i = r % j->inner;
        const float *x = j->x + o * j->len * j->inner + i;
        float *y = j->y + o * j->len * j->inner + i;
        float m = j->inner == 1 ? max_row(x, j->len) : -INFINITY;
        for (int64_t k = 0; j->inner > 1 && k < j->len; k++)
            m = x[k * j->inner] > m ? x[k * j->inner] : m;
        /* the sum in double: over thousands of classes (a recogniser's 6625)
         * a float sum drifts by ~1e-4 and the row would not sum to 1 */
        double s = 0.0;
        if (j->inner == 1) { /* a contiguous row: the vectorised exp (unary.c) */
            glim_vexp_affine(x, y, j->len, j->beta, -j->beta * m);
            s = sum_double(y, j->len);
        } else {
            for (int64_t k = 0; k < j->len; k++) {
                float e = expf(j->beta * (x[k * j->inner] - m));
                y[k * j->inner] = e;
                s += e;
            }
        }
        float inv = (float)(1.0 / s);
        for (int64_t k = 0; k < j->len; k++) y[k * j->inner] *= inv;
    }
}

static void sm_eval(glim_graph *g, const glim_node *n)
{
    const glim_softmax_params *p = n->params;
    glim_gtensor *x = glim_in(g, n, 0);
    int ax = resolve_axis(p->axis, x->ndim);
    sm_job j = {1, x->shape[ax], 1, p->beta == 0.f ? 1.f : p->beta, x->data,
                glim_out(g, n, 0)->data};
    for (int i = 0; i < ax; i++) j.outer *= x->shape[i];
    for (int i = ax + 1; i < x->ndim; i++) j.inner *= x->shape[i];
    glim_parallel_for(g, j.outer * j.inner, 64, sm_rows, &j);
}

static double sm_flops(const glim_graph *g, const glim_node *n)
{
    return 4.0 * (double)g->tensors[n->outputs[0]].count;
}

const glim_op_vtable glim_op_softmax = {"SOFTMAX", sizeof(glim_softmax_params), sm_prepare,
                                        sm_eval, sm_flops};
