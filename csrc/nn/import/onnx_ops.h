/*
 * onnx_ops.h — shared by the ONNX op translators (internal to the
 * importer): onnx_ops.c (helpers, elementwise ops, the op table),
 * onnx_ops_conv.c (convolution, batch norm, pooling, resize),
 * onnx_ops_shape.c (shape, constant and indexing ops), onnx_ops_math.c
 * (reductions, softmax, normalisation, matrix products, pad, argmax) and
 * onnx_rnn.c (LSTM, GRU). Every translator has the signature of
 * onnx_op_entry's function.
 */
#ifndef GLIMPSE_ONNX_OPS_H
#define GLIMPSE_ONNX_OPS_H

#include "onnx_internal.h"

#define FOLD_MAX ((int64_t)1 << 22)
/* small enough to compute at build time (and not an overflowed count) */
#define FOLD_OK(cnt) ((cnt) >= 0 && (cnt) <= FOLD_MAX)

/* helpers (in onnx_ops.c unless noted) */
int ot_bcast(int na, const int64_t *a, int nb, const int64_t *b, int *nd, int64_t *out);
int64_t ot_bidx(int64_t i, int nd, const int64_t *shape, const ob_value *v);
void ot_cset(glim_dtype dt, void *data, int64_t i, double v);
glim_status ot_fail_const(ob_ctx *c, const onnx_node *n, int k);
void *ot_new_const(ob_ctx *c, glim_dtype dt, int64_t count);
int ot_norm_axis(int64_t a, int nd);
glim_status ot_clip_bounds(ob_ctx *c, const onnx_node *n, float *lo, float *hi);
/* A Relu / Clip(0, 6) that is n's single consumer becomes *act and is skipped;
 * returns the node whose output the fused op produces (that one, or n). */
const onnx_node *ot_fuse_act(ob_ctx *c, const onnx_node *n, glim_activation *act);  /* onnx_ops_conv.c */
int ot_get_axes(ob_ctx *c, const onnx_node *n, int input_opset, int64_t *axes, int max);  /* onnx_ops_shape.c */
int ot_is_op(const onnx_node *n, const char *op);  /* onnx_ops_conv.c */
const ob_value *ot_peek_const(ob_ctx *c, int id, ob_value *tmp);
int ot_const_scalar(ob_ctx *c, int id, double *out);

/* translators defined outside onnx_ops.c */
glim_status ot_argmax(ob_ctx *c, const onnx_node *n);
glim_status ot_batch_norm(ob_ctx *c, const onnx_node *n);
glim_status ot_cast(ob_ctx *c, const onnx_node *n);
glim_status ot_concat(ob_ctx *c, const onnx_node *n);
glim_status ot_constant(ob_ctx *c, const onnx_node *n);
glim_status ot_constant_of_shape(ob_ctx *c, const onnx_node *n);
glim_status ot_conv(ob_ctx *c, const onnx_node *n);
glim_status ot_conv_transpose(ob_ctx *c, const onnx_node *n);
glim_status ot_expand(ob_ctx *c, const onnx_node *n);
glim_status ot_flatten(ob_ctx *c, const onnx_node *n);
glim_status ot_gather(ob_ctx *c, const onnx_node *n);
glim_status ot_gemm(ob_ctx *c, const onnx_node *n);
glim_status ot_global_pool(ob_ctx *c, const onnx_node *n);
glim_status ot_identity(ob_ctx *c, const onnx_node *n);
glim_status ot_layer_norm(ob_ctx *c, const onnx_node *n);
glim_status ot_log_softmax(ob_ctx *c, const onnx_node *n);
glim_status ot_matmul(ob_ctx *c, const onnx_node *n);
glim_status ot_pad(ob_ctx *c, const onnx_node *n);
glim_status ot_pool(ob_ctx *c, const onnx_node *n);
glim_status ot_range(ob_ctx *c, const onnx_node *n);
glim_status ot_reduce(ob_ctx *c, const onnx_node *n);
glim_status ot_reshape(ob_ctx *c, const onnx_node *n);
glim_status ot_resize(ob_ctx *c, const onnx_node *n);
glim_status ot_shape(ob_ctx *c, const onnx_node *n);
glim_status ot_size(ob_ctx *c, const onnx_node *n);
glim_status ot_slice(ob_ctx *c, const onnx_node *n);
glim_status ot_softmax(ob_ctx *c, const onnx_node *n);
glim_status ot_split(ob_ctx *c, const onnx_node *n);
glim_status ot_squeeze(ob_ctx *c, const onnx_node *n);
glim_status ot_tile(ob_ctx *c, const onnx_node *n);
glim_status ot_transpose(ob_ctx *c, const onnx_node *n);
glim_status ot_unsqueeze(ob_ctx *c, const onnx_node *n);
glim_status ot_where(ob_ctx *c, const onnx_node *n);
glim_status onnx_t_lstm(ob_ctx *c, const onnx_node *n); /* onnx_rnn.c */
glim_status onnx_t_gru(ob_ctx *c, const onnx_node *n);  /* onnx_rnn.c */

#endif
