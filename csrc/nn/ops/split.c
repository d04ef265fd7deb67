/*
 * split.c — SPLIT: cut a tensor into params.count pieces along one axis
 * (ONNX Split, TFLite SPLIT / SPLIT_V).
 *
 *   output k = x[..., o_k : o_k + sizes[k], ...] along `axis` (negative
 *   counts from the end), o_k = sizes[0] + ... + sizes[k-1].
 *   sizes: params.sizes; when they are all 0, a second input (a constant
 *   int64 / int32 vector of count values, ONNX's `split`) if present, else
 *   equal pieces of ceil(dim / count) with the remainder last (ONNX
 *   num_outputs). The sizes must add up to the axis length. Any dtype; each
 *   piece is a strided copy of contiguous runs.
 */
#include "kernel.h"

#include <string.h>

typedef struct split_state {
    int axis;
    int64_t sizes[32];
} split_state;

static glim_status split_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    const glim_split_params *p = n->params;
    glim_status st;
    if ((st = glim_need_arity(n, 1, 2, -1, err)) ||
        (st = glim_need_input(g, n, 0, -1, 1, GLIM_MAX_DIMS, "input", err)))
        return st;
    if (p->count < 1 || p->count > 32)
        return glim_node_fail(n, err, GLIM_EINVAL, "count %d is not in 1..32", p->count);
    if (n->noutputs != p->count)
        return glim_node_fail(n, err, GLIM_EINVAL, "has %d outputs, expected %d", n->noutputs,
                              p->count);
    glim_gtensor *x = glim_in(g, n, 0), *sz = glim_in(g, n, 1);
    int axis = p->axis < 0 ? p->axis + x->ndim : p->axis;
    if (axis < 0 || axis >= x->ndim)
        return glim_node_fail(n, err, GLIM_EINVAL, "axis %d is out of range for %d dims",
                              p->axis, x->ndim);
    split_state *s = n->state ? n->state : glim_graph_pool_alloc(g, sizeof *s);
    if (!s) return glim_node_fail(n, err, GLIM_ENOMEM, "out of memory");
    n->state = s;
    s->axis = axis;
    int given = 0;
    for (int k = 0; k < p->count; k++) given |= p->sizes[k] != 0;
    int64_t dim = x->shape[axis], total = 0;
    for (int k = 0; k < p->count; k++) {
        if (given) {
            s->sizes[k] = p->sizes[k];
        } else if (sz) {
            if (sz->kind != GLIM_TENSOR_CONSTANT || (sz->dtype != GLIM_I64 && sz->dtype != GLIM_I32) ||
                sz->count != p->count)
                return glim_node_fail(n, err, GLIM_EUNSUPPORTED,
                                      "the split input must be a constant int64 or int32 vector "
                                      "of %d values", p->count);
            s->sizes[k] = sz->dtype == GLIM_I64 ? ((const int64_t *)sz->data)[k]
                                                : ((const int32_t *)sz->data)[k];
        } else {
            int64_t chunk = (dim + p->count - 1) / p->count, left = dim - (int64_t)k * chunk;
            s->sizes[k] = left < 0 ? 0 : (left < chunk ? left : chunk);
        }
        if (s->sizes[k] < 0)
            return glim_node_fail(n, err, GLIM_EINVAL, "piece %d has size %lld", k,
                                  (long long)s->sizes[k]);
        total += s->sizes[k];
    }
    if (total != dim)
        return glim_node_fail(n, err, GLIM_EINVAL, "the pieces add up to %lld, the axis has %lld",
                              (long long)total, (long long)dim);
    for (int k = 0; k < p->count; k++) {
        int64_t shape[GLIM_MAX_DIMS];
        memcpy(shape, x->shape, sizeof shape);
        shape[axis] = s->sizes[k];
        if ((st = glim_out_shape(g, n, k, x->dtype, x->ndim, shape, err))) return st;
    }
    return GLIM_OK;
}

static void split_eval(glim_graph *g, const glim_node *n)
{
    const split_state *s = n->state;
    glim_gtensor *x = glim_in(g, n, 0);
    size_t es = glim_dtype_size(x->dtype);
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < s->axis; d++) outer *= x->shape[d];
    for (int d = s->axis + 1; d < x->ndim; d++) inner *= x->shape[d];
    int64_t row = x->shape[s->axis] * inner, at = 0;
    const char *xs = x->data;
    for (int k = 0; k < n->noutputs; k++) {
        char *y = glim_out(g, n, k)->data;
        size_t run = (size_t)(s->sizes[k] * inner) * es;
        for (int64_t o = 0; run && o < outer; o++)
            memcpy(y + (size_t)o * run, xs + (size_t)(o * row + at) * es, run);
        at += s->sizes[k] * inner;
    }
}

const glim_op_vtable glim_op_split = {"SPLIT", sizeof(glim_split_params), split_prepare,
                                      split_eval, NULL};
