/*
 * expand.c — EXPAND: numpy broadcasting of one tensor to a shape (ONNX
 * Expand, which broadcasts both ways: a 1 in the target shape keeps the
 * input's dim).
 *
 *   y = broadcast_to(x, broadcast(x.shape, shape))
 *   shape: params.shape (params.ndim dims), or, when params.ndim == 0 and a
 *   second input is given, that input: a constant int32 / int64 vector.
 *   Any dtype. The output is walked with an odometer over the outer dims; the
 *   last dim is a copy (stride 1) or a fill (stride 0).
 */
#include "kernel.h"

#include <string.h>

static glim_status target_shape(glim_graph *g, const glim_node *n, int *nd, int64_t *shape,
                                glim_error *err)
{
    const glim_expand_params *p = n->params;
    glim_gtensor *s = glim_in(g, n, 1);
    if (p->ndim < 0 || p->ndim > GLIM_MAX_DIMS)
        return glim_node_fail(n, err, GLIM_EINVAL, "shape has %d dims", p->ndim);
    *nd = p->ndim;
    for (int i = 0; i < p->ndim; i++) shape[i] = p->shape[i];
    if (p->ndim == 0 && s) {
        if (s->kind != GLIM_TENSOR_CONSTANT || (s->dtype != GLIM_I64 && s->dtype != GLIM_I32) ||
            s->ndim != 1 || s->count > GLIM_MAX_DIMS)
            return glim_node_fail(n, err, GLIM_EUNSUPPORTED,
                                  "the shape input must be a constant int64 or int32 vector of "
                                  "at most %d values", GLIM_MAX_DIMS);
        *nd = (int)s->count;
        for (int i = 0; i < *nd; i++)
            shape[i] = s->dtype == GLIM_I64 ? ((const int64_t *)s->data)[i]
                                            : ((const int32_t *)s->data)[i];
    }
    for (int i = 0; i < *nd; i++)
        if (shape[i] < 0)
            return glim_node_fail(n, err, GLIM_EINVAL, "shape dim %d is %lld", i,
                                  (long long)shape[i]);
    return GLIM_OK;
}

static glim_status expand_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_status st;
    if ((st = glim_need_arity(n, 1, 2, 1, err)) ||
        (st = glim_need_input(g, n, 0, -1, 0, GLIM_MAX_DIMS, "input", err)))
        return st;
    glim_gtensor *x = glim_in(g, n, 0);
    int nd;
    int64_t want[GLIM_MAX_DIMS], shape[GLIM_MAX_DIMS];
    if ((st = target_shape(g, n, &nd, want, err))) return st;
    int r = nd > x->ndim ? nd : x->ndim;
    for (int d = 0; d < r; d++) {
        int ix = d - (r - x->ndim), is = d - (r - nd);
        int64_t a = ix >= 0 ? x->shape[ix] : 1, b = is >= 0 ? want[is] : 1;
        if (a != b && a != 1 && b != 1)
            return glim_node_fail(n, err, GLIM_EINVAL,
                                  "input dim %d (%lld) does not broadcast to %lld", ix,
                                  (long long)a, (long long)b);
        shape[d] = a == 1 ? b : a;
    }
    return glim_out_shape(g, n, 0, x->dtype, r, shape, err);
}

static void expand_eval(glim_graph *g, const glim_node *n)
{
    glim_gtensor *x = glim_in(g, n, 0), *y = glim_out(g, n, 0);
    size_t es = glim_dtype_size(x->dtype);
    if (y->count == 0) return;
    if (y->ndim == 0) {
        memcpy(y->data, x->data, es);
        return;
    }
    int r = y->ndim, last = r - 1;
    int64_t st[GLIM_MAX_DIMS], acc = 1;
    for (int d = r - 1; d >= 0; d--) {
        int ix = d - (r - x->ndim);
        int64_t e = ix >= 0 ? x->shape[ix] : 1;
        st[d] = e == 1 ? 0 : acc;
        acc *= e;
    }
    int64_t len = y->shape[last], rows = y->count / len;
    int64_t idx[GLIM_MAX_DIMS] = {0}, off = 0;
    const char *xs = x->data;
    char *yd = y->data;
    for (int64_t row = 0; row < rows; row++) {
        char *dst = yd + (size_t)(row * len) * es;
        const char *src = xs + (size_t)off * es;
        if (st[last]) {
            memcpy(dst, src, (size_t)len * es);
        } else if (es == 4) {
            uint32_t v;
            memcpy(&v, src, 4);
            for (int64_t i = 0; i < len; i++) memcpy(dst + i * 4, &v, 4);
        } else {
            for (int64_t i = 0; i < len; i++) memcpy(dst + (size_t)i * es, src, es);
        }
        for (int d = last - 1; d >= 0; d--) {
            off += st[d];
            if (++idx[d] < y->shape[d]) break;
            off -= idx[d] * st[d];
            idx[d] = 0;
        }
    }
}

const glim_op_vtable glim_op_expand = {"EXPAND", sizeof(glim_expand_params), expand_prepare,
                                       expand_eval, NULL};
