/*
 * expand.c — EXPAND: numpy broadcasting of one tensor to a shape (ONNX
 * Expand, which broadcasts both ways: a 1 in the target shape keeps the
 * input's dim).
 *
 *   y = broadcast_to(x, broadcast(x.shape, shape))
 *   shape: params.shape (params.ndim dims), or, when params.ndim == 0 and a
 *   second input is given, that input: a constant int32 / int64 vector.
 *   Any dtype. The output is walked with glim_bcast_walk; each inner run
 *   is a copy (stride 1) or a fill (stride 0).
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

typedef struct expand_job {
    const char *x;
    char *y;
    size_t es;
} expand_job;

/* One inner run of the output: a copy (stride 1) or a fill (stride 0). */
static void expand_run(void *ctx, const int64_t *off, int64_t yo, int64_t len, const int *unit)
{
    const expand_job *j = ctx;
    size_t es = j->es;
    char *dst = j->y + (size_t)yo * es;
    const char *src = j->x + (size_t)off[0] * es;
    if (unit[0]) {
        memcpy(dst, src, (size_t)len * es);
    } else if (es == 4) {
        uint32_t v;
        memcpy(&v, src, 4);
        for (int64_t i = 0; i < len; i++) memcpy(dst + i * 4, &v, 4);
    } else {
        for (int64_t i = 0; i < len; i++) memcpy(dst + (size_t)i * es, src, es);
    }
}

static void expand_eval(glim_graph *g, const glim_node *n)
{
    glim_gtensor *x = glim_in(g, n, 0), *y = glim_out(g, n, 0);
    glim_bcast b;
    glim_bcast_plan(&x, 1, y, &b);
    expand_job j = {x->data, y->data, glim_dtype_size(x->dtype)};
    glim_bcast_walk(&b, 1, expand_run, &j);
}

const glim_op_vtable glim_op_expand = {"EXPAND", sizeof(glim_expand_params), expand_prepare,
                                       expand_eval, NULL};
