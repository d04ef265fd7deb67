/*
 * concat.c — CONCAT: join inputs along `axis` (TFLite Concatenation, ONNX
 * Concat, numpy.concatenate).
 *
 *   all inputs share dtype and every dim but `axis` (negative counts from
 *   the end); y.shape[axis] = sum of the inputs' shape[axis]. The fused
 *   activation applies to float32 outputs. Viewed as [outer, axis*inner],
 *   each input copies one contiguous run per outer index.
 */
#include "kernel.h"

#include <string.h>

static glim_status concat_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_concat_params *p = n->params;
    glim_status st;
    if ((st = glim_need_arity(n, 1, 1 << 16, 1, err)) ||
        (st = glim_need_input(g, n, 0, -1, 1, GLIM_MAX_DIMS, "input", err)) ||
        (st = glim_check_act(n, p->act, err)))
        return st;
    glim_gtensor *x0 = glim_in(g, n, 0);
    int ax = p->axis < 0 ? p->axis + x0->ndim : p->axis;
    if (ax < 0 || ax >= x0->ndim)
        return glim_node_fail(n, err, GLIM_EINVAL, "axis %d is out of range for %d dims",
                              p->axis, x0->ndim);
    int64_t shape[GLIM_MAX_DIMS];
    memcpy(shape, x0->shape, sizeof shape);
    shape[ax] = 0;
    for (int i = 0; i < n->ninputs; i++) {
        if ((st = glim_need_input(g, n, i, (int)x0->dtype, x0->ndim, x0->ndim, "input", err)))
            return st;
        glim_gtensor *x = glim_in(g, n, i);
        for (int d = 0; d < x0->ndim; d++)
            if (d != ax && x->shape[d] != x0->shape[d])
                return glim_node_fail(n, err, GLIM_EINVAL,
                                      "input %d has dim %d = %lld, input 0 has %lld", i, d,
                                      (long long)x->shape[d], (long long)x0->shape[d]);
        shape[ax] += x->shape[ax];
    }
    return glim_out_shape(g, n, 0, x0->dtype, x0->ndim, shape, err);
}

static void concat_eval(glim_graph *g, const glim_node *n)
{
    const glim_concat_params *p = n->params;
    glim_gtensor *y = glim_out(g, n, 0);
    int ax = p->axis < 0 ? p->axis + y->ndim : p->axis;
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < ax; d++) outer *= y->shape[d];
    for (int d = ax + 1; d < y->ndim; d++) inner *= y->shape[d];
    size_t es = glim_dtype_size(y->dtype);
    size_t yrow = (size_t)(y->shape[ax] * inner) * es;
    size_t off = 0;
    for (int i = 0; i < n->ninputs; i++) {
        glim_gtensor *x = glim_in(g, n, i);
        size_t run = (size_t)(x->shape[ax] * inner) * es;
        for (int64_t o = 0; o < outer; o++)
            memcpy((char *)y->data + (size_t)o * yrow + off,
                   (const char *)x->data + (size_t)o * run, run);
        off += run;
    }
    if (y->dtype == GLIM_F32 && p->act != GLIM_ACT_NONE) glim_apply_act(y->data, y->count, p->act);
}

const glim_op_vtable glim_op_concat = {"CONCAT", sizeof(glim_concat_params), concat_prepare,
                                       concat_eval, NULL};
