/*
 * argmax.c — ARG_MAX along one axis (TFLite ArgMax, ONNX ArgMax with
 * keepdims = 0, numpy.argmax).
 *
 *   y[..] = the smallest index k along `axis` with x[.., k, ..] maximal
 *   (ties go to the first index, as TFLite and numpy). The axis is dropped
 *   from the shape. x float32, int32 or uint8; y int32 or int64
 *   (params.output_dtype; 0 means int64, TFLite's default). A second input
 *   (TFLite's constant axis tensor) is accepted and ignored: the importer
 *   resolves it into params.axis.
 */
#include "kernel.h"

static glim_status am_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_arg_max_params *p = n->params;
    glim_status st;
    if ((st = glim_need_arity(n, 1, 2, 1, err)) ||
        (st = glim_need_input(g, n, 0, -1, 1, GLIM_MAX_DIMS, "input", err)))
        return st;
    glim_gtensor *x = glim_in(g, n, 0);
    if (x->dtype != GLIM_F32 && x->dtype != GLIM_I32 && x->dtype != GLIM_U8)
        return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "input dtype %s",
                              glim_dtype_name(x->dtype));
    int ax = p->axis < 0 ? p->axis + x->ndim : p->axis;
    if (ax < 0 || ax >= x->ndim)
        return glim_node_fail(n, err, GLIM_EINVAL, "axis %d is out of range for %d dims",
                              p->axis, x->ndim);
    if (x->shape[ax] < 1) return glim_node_fail(n, err, GLIM_EINVAL, "the axis is empty");
    if (p->output_dtype == 0) p->output_dtype = GLIM_I64;
    if (p->output_dtype != GLIM_I32 && p->output_dtype != GLIM_I64)
        return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "output dtype %s",
                              glim_dtype_name((glim_dtype)p->output_dtype));
    int64_t shape[GLIM_MAX_DIMS];
    int nd = 0;
    for (int d = 0; d < x->ndim; d++)
        if (d != ax) shape[nd++] = x->shape[d];
    return glim_out_shape(g, n, 0, (glim_dtype)p->output_dtype, nd, shape, err);
}

static double get(const glim_gtensor *x, int64_t i)
{
    switch (x->dtype) {
    case GLIM_F32: return ((const float *)x->data)[i];
    case GLIM_I32: return ((const int32_t *)x->data)[i];
    default: return ((const uint8_t *)x->data)[i];
    }
}

static void am_eval(glim_graph *g, const glim_node *n)
{
    const glim_arg_max_params *p = n->params;
    glim_gtensor *x = glim_in(g, n, 0), *y = glim_out(g, n, 0);
    int ax = p->axis < 0 ? p->axis + x->ndim : p->axis;
    int64_t outer = 1, len = x->shape[ax], inner = 1;
    for (int d = 0; d < ax; d++) outer *= x->shape[d];
    for (int d = ax + 1; d < x->ndim; d++) inner *= x->shape[d];
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            int64_t base = o * len * inner + i, best = 0;
            if (x->dtype == GLIM_F32) {
                const float *xp = (const float *)x->data + base;
                float bv = xp[0];
                for (int64_t k = 1; k < len; k++)
                    if (xp[k * inner] > bv) { bv = xp[k * inner]; best = k; }
            } else {
                double bv = get(x, base);
                for (int64_t k = 1; k < len; k++) {
                    double v = get(x, base + k * inner);
                    if (v > bv) { bv = v; best = k; }
                }
            }
            if (y->dtype == GLIM_I32) ((int32_t *)y->data)[o * inner + i] = (int32_t)best;
            else ((int64_t *)y->data)[o * inner + i] = best;
        }
}

const glim_op_vtable glim_op_arg_max = {"ARG_MAX", sizeof(glim_arg_max_params), am_prepare,
                                        am_eval, NULL};
