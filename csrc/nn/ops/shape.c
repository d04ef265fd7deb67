/*
 * shape.c — ops that move data without arithmetic: RESHAPE, TRANSPOSE,
 * PACK, UNPACK, SLICE, PAD, CAST. Any dtype unless noted.
 *
 * RESHAPE: y = x with a new shape (same row-major bytes). The shape comes
 *   from params (ndim > 0) or else from a constant int32/int64 second input
 *   (TFLite Reshape's `shape` tensor, ONNX Reshape); one dim may be -1
 *   (inferred) and, as in ONNX, a 0 copies the input's dim.
 * TRANSPOSE: y[i_perm[0], ...] = x[i_0, ...] — numpy.transpose(x, perm):
 *   y.shape[k] = x.shape[perm[k]]. perm from params (ndim > 0) or a constant
 *   int32/int64 second input (TFLite Transpose).
 * PACK: y = numpy.stack(inputs, axis) (TFLite Pack); UNPACK: the inverse,
 *   `count` outputs, each x.take(i, axis) (TFLite Unpack).
 * SLICE: y = x[begin[k] : begin[k] + size[k]*stride[k] : stride[k]] per dim,
 *   params fully resolved by the importer (stride 0 means 1).
 * PAD: numpy.pad(x, (before, after), constant_values=value); the widths come
 *   from params (ndim > 0) or a constant [rank, 2] int32/int64 second input
 *   (TFLite Pad / PadV2 with a constant value third input).
 * CAST: y = (to_dtype) x; float -> int truncates toward zero (TFLite Cast,
 *   numpy astype), and saturates at the integer range.
 */
#include "kernel.h"

#include <math.h>
#include <string.h>

/* Read a constant int tensor (int32 or int64) into out[]; returns its count or -1. */
static int read_const_ints(glim_gtensor *t, int64_t *out, int cap)
{
    if (!t || t->kind != GLIM_TENSOR_CONSTANT || (t->dtype != GLIM_I32 && t->dtype != GLIM_I64))
        return -1;
    if (t->count > cap) return -1;
    for (int64_t i = 0; i < t->count; i++)
        out[i] = t->dtype == GLIM_I32 ? ((const int32_t *)t->data)[i]
                                      : ((const int64_t *)t->data)[i];
    return (int)t->count;
}

/* ---- RESHAPE ------------------------------------------------------------- */

static glim_status reshape_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_reshape_params *p = n->params;
    glim_status st;
    if ((st = glim_need_arity(n, 1, 2, 1, err)) ||
        (st = glim_need_input(g, n, 0, -1, 0, GLIM_MAX_DIMS, "input", err)))
        return st;
    glim_gtensor *x = glim_in(g, n, 0);
    int64_t shape[GLIM_MAX_DIMS];
    int nd;
    if (p->ndim > 0) {
        if (p->ndim > GLIM_MAX_DIMS)
            return glim_node_fail(n, err, GLIM_EINVAL, "rank %d exceeds %d", p->ndim,
                                  GLIM_MAX_DIMS);
        nd = p->ndim;
        memcpy(shape, p->shape, (size_t)nd * sizeof *shape);
    } else if (glim_in(g, n, 1)) {
        nd = read_const_ints(glim_in(g, n, 1), shape, GLIM_MAX_DIMS);
        if (nd < 0)
            return glim_node_fail(n, err, GLIM_EUNSUPPORTED,
                                  "the shape input must be a constant int32/int64 vector of at "
                                  "most %d values",
                                  GLIM_MAX_DIMS);
    } else {
        nd = 0;
    }
    int infer = -1;
    int64_t known = 1;
    for (int i = 0; i < nd; i++) {
        if (shape[i] == 0 && i < x->ndim && p->ndim == 0) shape[i] = x->shape[i];
        if (shape[i] == -1) {
            if (infer >= 0)
                return glim_node_fail(n, err, GLIM_EINVAL, "more than one -1 in the new shape");
            infer = i;
        } else if (shape[i] < 0) {
            return glim_node_fail(n, err, GLIM_EINVAL, "dim %d of the new shape is %lld", i,
                                  (long long)shape[i]);
        } else {
            known *= shape[i];
        }
    }
    if (infer >= 0) {
        if (known == 0 || x->count % known != 0)
            return glim_node_fail(n, err, GLIM_EINVAL, "cannot infer -1: %lld values into %lld",
                                  (long long)x->count, (long long)known);
        shape[infer] = x->count / known;
        known = x->count;
    }
    if (known != x->count)
        return glim_node_fail(n, err, GLIM_EINVAL, "%lld values cannot take a shape of %lld",
                              (long long)x->count, (long long)known);
    return glim_out_shape(g, n, 0, x->dtype, nd, shape, err);
}

static void copy_eval(glim_graph *g, const glim_node *n)
{
    glim_gtensor *x = glim_in(g, n, 0), *y = glim_out(g, n, 0);
    if (x->data != y->data && y->nbytes) memcpy(y->data, x->data, y->nbytes);
}

const glim_op_vtable glim_op_reshape = {"RESHAPE", sizeof(glim_reshape_params), reshape_prepare,
                                        copy_eval, NULL};
