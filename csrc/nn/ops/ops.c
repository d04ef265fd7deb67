/*
 * ops.c — the dispatch table generated from ops.def, op names, and helpers
 * shared by the op files (input checks, output shapes, padding, fused
 * activations, numpy broadcasting).
 */
#include "kernel.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const glim_op_vtable *const table[] = {
#define OP(id, stem) [GLIM_OP_##id] = &glim_op_##stem,
#include "ops.def"
#undef OP
};

static const char *const names[] = {
#define OP(id, stem) [GLIM_OP_##id] = #id,
#include "ops.def"
#undef OP
};

_Static_assert(sizeof table / sizeof table[0] == GLIM_OP_COUNT, "every op needs a vtable");
_Static_assert(sizeof names / sizeof names[0] == GLIM_OP_COUNT, "every op needs a name");

const glim_op_vtable *glim_op_vtable_of(glim_op_id op)
{
    return (unsigned)op < GLIM_OP_COUNT ? table[op] : NULL;
}

const char *glim_op_name(glim_op_id op)
{
    return (unsigned)op < GLIM_OP_COUNT ? names[op] : "?";
}

int glim_op_parse(const char *name, glim_op_id *out)
{
    for (int i = 0; name && i < GLIM_OP_COUNT; i++) {
        if (strcmp(names[i], name) == 0) {
            *out = (glim_op_id)i;
            return 0;
        }
    }
    return -1;
}

glim_status glim_need_arity(const glim_node *n, int min_in, int max_in, int nout,
                            glim_error *err)
{
    if (n->ninputs < min_in || n->ninputs > max_in) {
        if (min_in == max_in)
            return glim_node_fail(n, err, GLIM_EINVAL, "has %d inputs, expected %d", n->ninputs,
                                  min_in);
        return glim_node_fail(n, err, GLIM_EINVAL, "has %d inputs, expected %d..%d",
                              n->ninputs, min_in, max_in);
    }
    if (nout >= 0 && n->noutputs != nout)
        return glim_node_fail(n, err, GLIM_EINVAL, "has %d outputs, expected %d", n->noutputs,
                              nout);
    return GLIM_OK;
}

glim_status glim_need_input(glim_graph *g, const glim_node *n, int i, int dtype, int min_rank,
                            int max_rank, const char *what, glim_error *err)
{
    glim_gtensor *t = glim_in(g, n, i);
    if (!t) return glim_node_fail(n, err, GLIM_EINVAL, "%s (input %d) is missing", what, i);
    if (dtype >= 0 && (int)t->dtype != dtype)
        return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "%s '%s' is %s, expected %s", what,
                              t->name, glim_dtype_name(t->dtype),
                              glim_dtype_name((glim_dtype)dtype));
    if (t->ndim < min_rank || t->ndim > max_rank) {
        if (min_rank == max_rank)
            return glim_node_fail(n, err, GLIM_EINVAL, "%s '%s' has %d dims, expected %d", what,
                                  t->name, t->ndim, min_rank);
        return glim_node_fail(n, err, GLIM_EINVAL, "%s '%s' has %d dims, expected %d..%d", what,
                              t->name, t->ndim, min_rank, max_rank);
    }
    return GLIM_OK;
}

glim_status glim_need_conv_inputs(glim_graph *g, const glim_node *n, glim_activation act,
                                  glim_error *err)
{
    glim_status st;
    if ((st = glim_need_arity(n, 2, 3, 1, err)) ||
        (st = glim_need_input(g, n, 0, GLIM_F32, 4, 4, "input", err)) ||
        (st = glim_need_input(g, n, 1, GLIM_F32, 4, 4, "weights", err)) ||
        (st = glim_check_act(n, act, err)))
        return st;
    glim_gtensor *x = glim_in(g, n, 0), *w = glim_in(g, n, 1), *b = glim_in(g, n, 2);
    if (w->kind != GLIM_TENSOR_CONSTANT)
        return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "weights '%s' must be a constant",
                              w->name);
    if (w->shape[3] != x->shape[3])
        return glim_node_fail(n, err, GLIM_EUNSUPPORTED,
                              "weights have %lld input channels, the input has %lld "
                              "(grouped convolution is not supported)",
                              (long long)w->shape[3], (long long)x->shape[3]);
    if (b) {
        if ((st = glim_need_input(g, n, 2, GLIM_F32, 1, 1, "bias", err))) return st;
        if (b->shape[0] != w->shape[0])
            return glim_node_fail(n, err, GLIM_EINVAL, "bias has %lld values, expected %lld",
                                  (long long)b->shape[0], (long long)w->shape[0]);
    }
    return GLIM_OK;
}

glim_status glim_out_shape(glim_graph *g, const glim_node *n, int k, glim_dtype dtype, int ndim,
                           const int64_t *shape, glim_error *err)
{
    glim_gtensor *t = glim_out(g, n, k);
    if (ndim < 0 || ndim > GLIM_MAX_DIMS)
        return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "output rank %d exceeds %d", ndim,
                              GLIM_MAX_DIMS);
    int64_t count = glim_shape_count(ndim, shape);
    size_t nbytes;
    if (count < 0 || !glim_mul_size((size_t)count, glim_dtype_size(dtype), &nbytes))
        return glim_node_fail(n, err, GLIM_ELIMIT, "output '%s' is too large", t->name);
    t->dtype = dtype;
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++) t->shape[i] = shape[i];
    t->count = count;
    t->nbytes = nbytes;
    return GLIM_OK;
}

int64_t glim_conv_out_size(int64_t in, int k, int stride, int dilation, glim_padding pad,
                           int *pad_before, int *pad_after)
{
    if (stride < 1) stride = 1;
    if (dilation < 1) dilation = 1;
    int64_t ek = (int64_t)(k - 1) * dilation + 1;
    int64_t out;
    if (pad == GLIM_PAD_SAME) {
        out = (in + stride - 1) / stride;
        int64_t total = (out - 1) * stride + ek - in;
        if (total < 0) total = 0;
        *pad_before = (int)(total / 2);
        *pad_after = (int)(total - total / 2);
    } else {
        if (pad == GLIM_PAD_VALID) *pad_before = *pad_after = 0;
        int64_t span = in + *pad_before + *pad_after - ek;
        out = span < 0 ? 0 : span / stride + 1;
    }
    return out < 1 ? -1 : out;
}

glim_status glim_conv_geometry(const glim_node *n, glim_conv2d_params *p, const glim_gtensor *x,
                               int64_t kh, int64_t kw, int64_t *oh, int64_t *ow,
                               glim_error *err)
{
    if (p->stride_h < 1 || p->stride_w < 1)
        return glim_node_fail(n, err, GLIM_EINVAL, "stride %dx%d must be positive", p->stride_h,
                              p->stride_w);
    if (p->dilation_h < 1) p->dilation_h = 1;
    if (p->dilation_w < 1) p->dilation_w = 1;
    if (p->padding == GLIM_PAD_EXPLICIT &&
        (p->pad_top < 0 || p->pad_left < 0 || p->pad_bottom < 0 || p->pad_right < 0))
        return glim_node_fail(n, err, GLIM_EINVAL, "negative padding");
    *oh = glim_conv_out_size(x->shape[1], (int)kh, p->stride_h, p->dilation_h, p->padding,
                             &p->pad_top, &p->pad_bottom);
    *ow = glim_conv_out_size(x->shape[2], (int)kw, p->stride_w, p->dilation_w, p->padding,
                             &p->pad_left, &p->pad_right);
    if (*oh < 1 || *ow < 1)
        return glim_node_fail(n, err, GLIM_EINVAL, "kernel %lldx%lld does not fit input %lldx%lld",
                              (long long)kh, (long long)kw, (long long)x->shape[1],
                              (long long)x->shape[2]);
    return GLIM_OK;
}

int glim_act_range(glim_activation act, float *lo, float *hi)
{
    switch (act) {
    case GLIM_ACT_NONE: *lo = -INFINITY; *hi = INFINITY; return 1;
    case GLIM_ACT_RELU: *lo = 0.f; *hi = INFINITY; return 1;
    case GLIM_ACT_RELU6: *lo = 0.f; *hi = 6.f; return 1;
    case GLIM_ACT_RELU_N1_TO_1: *lo = -1.f; *hi = 1.f; return 1;
    default: *lo = -INFINITY; *hi = INFINITY; return 0;
    }
}

glim_status glim_check_act(const glim_node *n, glim_activation act, glim_error *err)
{
    if ((unsigned)act > GLIM_ACT_SIGMOID)
        return glim_node_fail(n, err, GLIM_EINVAL, "unknown fused activation %d", (int)act);
    return GLIM_OK;
}

GLIM_VECTORIZE void glim_apply_act(float *x, int64_t n, glim_activation act)
{
    float lo, hi;
    if (glim_act_range(act, &lo, &hi)) {
        if (act == GLIM_ACT_NONE) return;
        for (int64_t i = 0; i < n; i++) x[i] = x[i] < lo ? lo : (x[i] > hi ? hi : x[i]);
    } else if (act == GLIM_ACT_TANH) {
        for (int64_t i = 0; i < n; i++) x[i] = tanhf(x[i]);
    } else if (act == GLIM_ACT_SIGMOID) {
        for (int64_t i = 0; i < n; i++) x[i] = 1.f / (1.f + expf(-x[i]));
    }
}

/* ---- numpy broadcasting (compare.c, expand.c) ------------------------- */

int glim_bcast_shape(glim_gtensor *const *t, int k, int *rank, int64_t *shape, int *bad_dim)
{
    int r = 0;
    for (int i = 0; i < k; i++) r = t[i]->ndim > r ? t[i]->ndim : r;
    for (int d = 0; d < r; d++) {
        int64_t v = 1;
        for (int i = 0; i < k; i++) {
            int id = d - (r - t[i]->ndim);
            int64_t e = id >= 0 ? t[i]->shape[id] : 1;
            if (e == 1) continue;
            if (v != 1 && v != e) {
                *bad_dim = d;
                return -1;
            }
            v = e;
        }
        shape[d] = v;
    }
    *rank = r;
    return 0;
}

void glim_bcast_plan(glim_gtensor *const *t, int k, const glim_gtensor *y, glim_bcast *b)
{
    b->rank = y->ndim;
    for (int d = 0; d < y->ndim; d++) b->shape[d] = y->shape[d];
    for (int i = 0; i < k; i++) {
        int64_t acc = 1;
        for (int d = y->ndim - 1; d >= 0; d--) {
            int id = d - (y->ndim - t[i]->ndim);
            int64_t e = id >= 0 ? t[i]->shape[id] : 1;
            b->st[i][d] = e == 1 ? 0 : acc;
            acc *= e;
        }
    }
    if (b->rank == 0) { /* scalars: one run of length 1 */
        b->rank = 1;
        b->shape[0] = 1;
        for (int i = 0; i < k; i++) b->st[i][0] = 0;
    }
}

void glim_bcast_walk(const glim_bcast *b, int k, glim_bcast_run fn, void *ctx)
{
    int last = b->rank - 1;
    int64_t len = b->shape[last], rows = 1;
    for (int d = 0; d < last; d++) rows *= b->shape[d];
    if (len == 0 || rows == 0) return;
    int unit[3];
    for (int i = 0; i < k; i++) unit[i] = b->st[i][last] != 0;
    int64_t idx[GLIM_MAX_DIMS] = {0}, off[3] = {0, 0, 0};
    for (int64_t r = 0; r < rows; r++) {
        fn(ctx, off, r * len, len, unit);
        for (int d = last - 1; d >= 0; d--) {
            for (int i = 0; i < k; i++) off[i] += b->st[i][d];
            if (++idx[d] < b->shape[d]) break;
            for (int i = 0; i < k; i++) off[i] -= idx[d] * b->st[i][d];
            idx[d] = 0;
        }
    }
}
