/*
 * reduce.c — reductions over a set of axes: MEAN (TFLite Mean, ONNX
 * ReduceMean, numpy.mean(x, axis=axes, keepdims=keep_dims)), REDUCE_SUM
 * (ONNX ReduceSum, numpy.sum) and REDUCE_MAX (ONNX ReduceMax, numpy.max).
 *
 *   MEAN: y[kept indices] = sum over the reduced axes of x / (product of
 *   their dims), float32; no axes reduce nothing.
 *   REDUCE_SUM / REDUCE_MAX: float32, int32 or int64; no axes (naxes == 0)
 *   reduce every axis (ONNX's default). Float sums accumulate in double,
 *   int sums wrap; a float max propagates NaN; the max over an empty axis is
 *   -inf (the dtype's minimum for ints).
 *   Axes may be negative (count from the end) and repeat; with keep_dims the
 *   reduced dims stay as 1, otherwise they are dropped.
 */
#include "kernel.h"

#include <math.h>
#include <string.h>
#if defined(__AVX__)
#include <immintrin.h>
#endif

static double acc_d(const void *p, int64_t i) { return ((const double *)p)[i]; }

typedef struct mean_state {
    int rank;
    int64_t shape[GLIM_MAX_DIMS];
    int reduced[GLIM_MAX_DIMS];
    int64_t ostride[GLIM_MAX_DIMS]; /* output element stride per input dim, 0 if reduced */
    double inv;
} mean_state;

static glim_status mean_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_reduce_params *p = n->params;
    glim_status st;
    int mean = n->op == GLIM_OP_MEAN;
    if ((st = glim_need_arity(n, 1, 2, 1, err)) ||
        (st = glim_need_input(g, n, 0, mean ? GLIM_F32 : -1, mean ? 1 : 0, GLIM_MAX_DIMS,
                              "input", err)))
        return st;
    glim_gtensor *x = glim_in(g, n, 0);
    if (x->dtype != GLIM_F32 && x->dtype != GLIM_I32 && x->dtype != GLIM_I64)
        return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "dtype %s is not supported",
                              glim_dtype_name(x->dtype));
    if (p->naxes < 0 || p->naxes > 8)
        return glim_node_fail(n, err, GLIM_EINVAL, "%d axes", p->naxes);
    mean_state *s = n->state ? n->state : glim_graph_pool_alloc(g, sizeof *s);
    if (!s) return glim_node_fail(n, err, GLIM_ENOMEM, "out of memory");
    memset(s, 0, sizeof *s);
    s->rank = x->ndim;
    memcpy(s->shape, x->shape, sizeof s->shape);
    for (int i = 0; i < p->naxes; i++) {
        int a = p->axes[i] < 0 ? p->axes[i] + x->ndim : p->axes[i];
        if (a < 0 || a >= x->ndim)
            return glim_node_fail(n, err, GLIM_EINVAL, "axis %d is out of range for %d dims",
                                  p->axes[i], x->ndim);
        s->reduced[a] = 1;
    }
    if (!mean && p->naxes == 0)
        for (int d = 0; d < x->ndim; d++) s->reduced[d] = 1;
    int64_t shape[GLIM_MAX_DIMS], cnt = 1;
    int nd = 0;
    for (int d = 0; d < x->ndim; d++) {
        if (s->reduced[d]) {
            cnt *= x->shape[d];
            if (p->keep_dims) shape[nd++] = 1;
        } else {
            shape[nd++] = x->shape[d];
        }
    }
    int64_t acc = 1;
    for (int d = x->ndim - 1; d >= 0; d--) {
        s->ostride[d] = s->reduced[d] ? 0 : acc;
        if (!s->reduced[d]) acc *= x->shape[d];
    }
    s->inv = cnt ? 1.0 / (double)cnt : 0.0;
    n->state = s;
    if ((st = glim_out_shape(g, n, 0, x->dtype, nd, shape, err))) return st;
    /* double sums for MEAN and float REDUCE_SUM; the others accumulate in the output */
    int dsum = mean || (n->op == GLIM_OP_REDUCE_SUM && x->dtype == GLIM_F32);
    n->scratch = dsum ? (size_t)glim_out(g, n, 0)->count * sizeof(double) : 0;
    return GLIM_OK;
}

static void mean_eval(glim_graph *g, const glim_node *n)
{
    const mean_state *s = n->state;
    glim_gtensor *xt = glim_in(g, n, 0), *yt = glim_out(g, n, 0);
    const float *x = xt->data;
    float *y = yt->data;
    double *acc = n->scratch_data;
    memset(acc, 0, (size_t)yt->count * sizeof(double));
    int last = s->rank - 1;
    int64_t len = s->shape[last], os = s->ostride[last];
    int64_t outer = len ? xt->count / len : 0;
    int64_t idx[GLIM_MAX_DIMS] = {0};
    int64_t obase = 0;
    for (int64_t r = 0; r < outer; r++) {
        const float *xr = x + r * len;
        if (os) {
            int64_t k = 0;
#if defined(__AVX__)
            /* the same double additions, four at a time */
            for (; k + 4 <= len; k += 4)
                _mm256_storeu_pd(acc + obase + k,
                                 _mm256_add_pd(_mm256_loadu_pd(acc + obase + k),
                                               _mm256_cvtps_pd(_mm_loadu_ps(xr + k))));
#endif
            for (; k < len; k++) acc[obase + k] += xr[k];
        } else {
            double sum = 0;
            for (int64_t k = 0; k < len; k++) sum += xr[k];
            acc[obase] += sum;
        }
        for (int d = last - 1; d >= 0; d--) { /* odometer over the outer dims */
            idx[d]++;
            obase += s->ostride[d];
            if (idx[d] < s->shape[d]) break;
            obase -= idx[d] * s->ostride[d];
            idx[d] = 0;
        }
    }
    for (int64_t i = 0; i < yt->count; i++) y[i] = (float)(acc[i] * s->inv);
}

/* REDUCE_SUM / REDUCE_MAX: the same odometer as MEAN over x's rows; the
 * accumulator is the output itself (double scratch for float sums). A
 * rank-0 input is one row of one element. */
#define RED_LOOP(T, ACC, INIT, STEP)                                                  \
    do {                                                                             \
        const T *x = xt->data;                                                       \
        ACC *acc = (ACC *)accp;                                                      \
        for (int64_t i = 0; i < yt->count; i++) acc[i] = (INIT);                      \
        for (int64_t r = 0; r < outer; r++) {                                        \
            const T *xr = x + r * len;                                               \
            if (os)                                                                  \
                for (int64_t k = 0; k < len; k++) { ACC *a = &acc[obase + k]; T v = xr[k]; STEP; } \
            else                                                                     \
                for (int64_t k = 0; k < len; k++) { ACC *a = &acc[obase]; T v = xr[k]; STEP; } \
            for (int d = last - 1; d >= 0; d--) {                                    \
                idx[d]++;                                                            \
                obase += s->ostride[d];                                              \
                if (idx[d] < s->shape[d]) break;                                     \
                obase -= idx[d] * s->ostride[d];                                     \
                idx[d] = 0;                                                          \
            }                                                                        \
        }                                                                            \
    } while (0)

static void red_eval(glim_graph *g, const glim_node *n)
{
    const mean_state *s = n->state;
    glim_gtensor *xt = glim_in(g, n, 0), *yt = glim_out(g, n, 0);
    int last = s->rank > 0 ? s->rank - 1 : 0;
    int64_t len = s->rank > 0 ? s->shape[last] : 1, os = s->rank > 0 ? s->ostride[last] : 1;
    int64_t outer = len ? xt->count / len : 0;
    int64_t idx[GLIM_MAX_DIMS] = {0}, obase = 0;
    void *accp = yt->data;
    if (n->op == GLIM_OP_REDUCE_SUM) {
        switch (xt->dtype) {
        case GLIM_F32: {
            accp = n->scratch_data;
            RED_LOOP(float, double, 0.0, *a += v);
            float *y = yt->data;
            for (int64_t i = 0; i < yt->count; i++) y[i] = (float)acc_d(accp, i);
            break;
        }
        case GLIM_I32: RED_LOOP(int32_t, int32_t, 0, *a = (int32_t)((uint32_t)*a + (uint32_t)v)); break;
        default: RED_LOOP(int64_t, int64_t, 0, *a = (int64_t)((uint64_t)*a + (uint64_t)v)); break;
        }
    } else {
        switch (xt->dtype) {
        case GLIM_F32: RED_LOOP(float, float, -INFINITY, if (v > *a || v != v) *a = *a != *a ? *a : v); break;
        case GLIM_I32: RED_LOOP(int32_t, int32_t, INT32_MIN, if (v > *a) *a = v); break;
        default: RED_LOOP(int64_t, int64_t, INT64_MIN, if (v > *a) *a = v); break;
        }
    }
}

const glim_op_vtable glim_op_reduce_sum = {"REDUCE_SUM", sizeof(glim_reduce_params), mean_prepare,
                                           red_eval, NULL};
const glim_op_vtable glim_op_reduce_max = {"REDUCE_MAX", sizeof(glim_reduce_params), mean_prepare,
                                           red_eval, NULL};
const glim_op_vtable glim_op_mean = {"MEAN", sizeof(glim_reduce_params), mean_prepare, mean_eval,
                                     NULL};
