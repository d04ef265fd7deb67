/*
 * norm.c — LAYER_NORM (ONNX LayerNormalization, torch layer_norm).
 *
 *   For each row r of x viewed as [outer, D] with D = prod(shape[axis:]):
 *     mean = sum(x) / D,  var = sum((x - mean)^2) / D   (two passes)
 *     y = (x - mean) / sqrt(var + epsilon) * scale + bias
 *   x float32 rank >= 1; axis in [-ndim, ndim) (params.axis, negative counts
 *   from the end); epsilon 0 means 1e-5. scale (required) and bias
 *   (optional) broadcast to the normalised shape x.shape[axis:] (numpy rules:
 *   a [D_last] vector, a full [.., D] block, or any shape of 1s and matching
 *   dims; leading dims beyond the normalised ones must be 1). Output: x's
 *   shape. Numerics: each row is taken relative to its first value (x - x0
 *   is exact for values close together), so a large common offset (x near
 *   1000 with a spread of 0.01) costs no precision in the mean or the
 *   deviations; the two-pass variance cannot go negative the way
 *   E[x^2] - mean^2 can. The sums accumulate in 8 float lanes (vectorised).
 *   Scratch: the scale and bias expanded to D values, when they are not
 *   already D long. Rows are split across threads.
 */
#include "kernel.h"

#include <math.h>
#include <string.h>

typedef struct ln_job {
    int64_t outer, d;
    float eps;
    const float *x, *scale, *bias; /* scale, bias: D values (bias may be NULL) */
    float *y;
} ln_job;

/* Check that t broadcasts to x.shape[axis:] (trailing-aligned). */
static glim_status check_affine(const glim_node *n, const glim_gtensor *x, int axis,
                                const glim_gtensor *t, const char *what, glim_error *err)
{
    int nd = x->ndim - axis;
    for (int i = 0; i < t->ndim; i++) {
        int xi = x->ndim - t->ndim + i; /* the x dim t's dim i aligns with */
        int64_t td = t->shape[i];
        if (td == 1) continue;
        if (xi < axis || x->shape[xi] != td)
            return glim_node_fail(n, err, GLIM_EINVAL,
                                  "%s does not broadcast to the normalised %d dims: its dim %d "
                                  "is %lld",
                                  what, nd, i, (long long)td);
    }
    return GLIM_OK;
}

static glim_status ln_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_layer_norm_params *p = n->params;
    glim_status st;
    if ((st = glim_need_arity(n, 2, 3, 1, err)) ||
        (st = glim_need_input(g, n, 0, GLIM_F32, 1, GLIM_MAX_DIMS, "input", err)) ||
        (st = glim_need_input(g, n, 1, GLIM_F32, 0, GLIM_MAX_DIMS, "scale", err)))
        return st;
    glim_gtensor *x = glim_in(g, n, 0), *s = glim_in(g, n, 1), *b = glim_in(g, n, 2);
    int axis = p->axis < 0 ? p->axis + x->ndim : p->axis;
    if (axis < 0 || axis >= x->ndim)
        return glim_node_fail(n, err, GLIM_EINVAL, "axis %d is out of range for %d dims",
                              p->axis, x->ndim);
    if (!(p->epsilon >= 0.f) || isinf(p->epsilon))
        return glim_node_fail(n, err, GLIM_EINVAL, "epsilon %g is not a finite value >= 0",
                              (double)p->epsilon);
    if ((st = check_affine(n, x, axis, s, "scale", err))) return st;
    if (b) {
        if ((st = glim_need_input(g, n, 2, GLIM_F32, 0, GLIM_MAX_DIMS, "bias", err)) ||
            (st = check_affine(n, x, axis, b, "bias", err)))
            return st;
    }
    int64_t d = 1;
    for (int i = axis; i < x->ndim; i++) d *= x->shape[i];
    size_t need = 0;
    if (s->count != d) need += (size_t)d;
    if (b && b->count != d) need += (size_t)d;
    n->scratch = need * sizeof(float);
    return glim_out_shape(g, n, 0, GLIM_F32, x->ndim, x->shape, err);
}

/* Expand t (broadcast to x.shape[axis:]) into d values. */
static void expand_affine(const glim_gtensor *x, int axis, const glim_gtensor *t, float *out,
                          int64_t d)
{
    const float *src = t->data;
    int nd = x->ndim - axis;
    int64_t stride[GLIM_MAX_DIMS], idx[GLIM_MAX_DIMS] = {0};
    /* element strides of t over the normalised dims, 0 where it broadcasts */
    int64_t acc = 1;
    for (int i = nd - 1; i >= 0; i--) {
        int ti = t->ndim - (nd - i);
        int64_t td = ti >= 0 ? t->shape[ti] : 1;
        stride[i] = td == 1 ? 0 : acc;
        acc *= td;
    }
    int64_t off = 0;
    for (int64_t e = 0; e < d; e++) {
        out[e] = src[off];
        for (int i = nd - 1; i >= 0; i--) {
            off += stride[i];
            if (++idx[i] < x->shape[axis + i]) break;
            off -= idx[i] * stride[i];
            idx[i] = 0;
        }
    }
}

/* sum(v - c) */
static float sum8(const float *v, int64_t n, float c)
{
    float l[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) l[k] += v[i + k] - c;
    float s = 0.f;
    for (; i < n; i++) s += v[i] - c;
    return s + ((l[0] + l[4]) + (l[1] + l[5])) + ((l[2] + l[6]) + (l[3] + l[7]));
}

/* sum(((v - c) - m)^2) */
static float sqdev8(const float *v, int64_t n, float c, float m)
{
    float l[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) {
            float t = (v[i + k] - c) - m;
            l[k] += t * t;
        }
    float s = 0.f;
    for (; i < n; i++) s += ((v[i] - c) - m) * ((v[i] - c) - m);
    return s + ((l[0] + l[4]) + (l[1] + l[5])) + ((l[2] + l[6]) + (l[3] + l[7]));
}

GLIM_VECTORIZE static void ln_rows(void *arg, int64_t r0, int64_t r1)
{
    const ln_job *j = arg;
    const int64_t d = j->d;
    const float *restrict sc = j->scale, *restrict bi = j->bias;
    for (int64_t r = r0; r < r1; r++) {
        const float *restrict x = j->x + r * d;
        float *restrict y = j->y + r * d;
        const float x0 = x[0];
        float mean = sum8(x, d, x0) / (float)d; /* relative to x0 */
        float var = sqdev8(x, d, x0, mean) / (float)d;
        float inv = 1.f / sqrtf(var + j->eps);
        if (bi)
            for (int64_t i = 0; i < d; i++) y[i] = ((x[i] - x0) - mean) * inv * sc[i] + bi[i];
        else
            for (int64_t i = 0; i < d; i++) y[i] = ((x[i] - x0) - mean) * inv * sc[i];
    }
}

static void ln_eval(glim_graph *g, const glim_node *n)
{
    const glim_layer_norm_params *p = n->params;
    glim_gtensor *x = glim_in(g, n, 0), *s = glim_in(g, n, 1), *b = glim_in(g, n, 2);
    int axis = p->axis < 0 ? p->axis + x->ndim : p->axis;
    int64_t d = 1;
    for (int i = axis; i < x->ndim; i++) d *= x->shape[i];
    ln_job j = {d ? x->count / d : 0, d, p->epsilon == 0.f ? 1e-5f : p->epsilon, x->data,
                s->data, b ? b->data : NULL, glim_out(g, n, 0)->data};
    float *scratch = n->scratch_data;
    if (s->count != d) {
        expand_affine(x, axis, s, scratch, d);
        j.scale = scratch;
        scratch += d;
    }
    if (b && b->count != d) {
        expand_affine(x, axis, b, scratch, d);
        j.bias = scratch;
    }
    if (d == 0) return;
    glim_parallel_for(g, j.outer, (4096 + d - 1) / d, ln_rows, &j);
}

static double ln_flops(const glim_graph *g, const glim_node *n)
{
    return 7.0 * (double)g->tensors[n->outputs[0]].count;
}

const glim_op_vtable glim_op_layer_norm = {"LAYER_NORM", sizeof(glim_layer_norm_params),
                                           ln_prepare, ln_eval, ln_flops};
