/*
 * op.h — op ids and the neutral parameter struct of each op.
 *
 * Importers fill these from their file format; kernels read only these.
 * Padding is resolved to explicit amounts by the importer or by prepare
 * (GLIM_PAD_SAME), so kernels never see a format's padding rule.
 *
 * OWNERSHIP: the engine (ops, executor) owns this file and ops.def; an
 * importer that needs a new op or field adds it here together with the
 * kernel.
 */
#ifndef GLIMPSE_OP_H
#define GLIMPSE_OP_H

#include <stdint.h>
#include <stddef.h>

typedef enum glim_op_id {
#define OP(id, stem) GLIM_OP_##id,
#include "ops.def"
#undef OP
    GLIM_OP_COUNT
} glim_op_id;

/* Activation fused into the producing op. */
typedef enum glim_activation {
    GLIM_ACT_NONE = 0,
    GLIM_ACT_RELU,
    GLIM_ACT_RELU6,
    GLIM_ACT_RELU_N1_TO_1,
    GLIM_ACT_TANH,
    GLIM_ACT_SIGMOID,
} glim_activation;

typedef enum glim_padding {
    GLIM_PAD_EXPLICIT = 0, /* use pad_* as given */
    GLIM_PAD_SAME,         /* TF "SAME": output = ceil(in / stride), extra pad at the end */
    GLIM_PAD_VALID,        /* no padding */
} glim_padding;

typedef struct glim_conv2d_params {
    int stride_h, stride_w;
    int dilation_h, dilation_w;
    glim_padding padding;
    int pad_top, pad_left, pad_bottom, pad_right; /* resolved by prepare */
    glim_activation act;
    /* depthwise only: output channels = input channels * depth_multiplier */
    int depth_multiplier;
} glim_conv2d_params;
/* CONV2D:           x [N,H,W,Cin], w [Cout,KH,KW,Cin], bias [Cout] (optional)
 * DEPTHWISE_CONV2D: x [N,H,W,C],   w [1,KH,KW,C*mult], bias [C*mult] (optional) */

typedef struct glim_pool2d_params {
    int filter_h, filter_w;
    int stride_h, stride_w;
    glim_padding padding;
    int pad_top, pad_left, pad_bottom, pad_right;
    glim_activation act;
} glim_pool2d_params;

typedef struct glim_fully_connected_params {
    glim_activation act;
    int keep_dims; /* output keeps the input's leading dims */
} glim_fully_connected_params;
/* x [..., K], w [M, K], bias [M] (optional) -> [..., M] or [B, M] */

typedef struct glim_binary_params { /* ADD SUB MUL DIV FLOOR_DIV MAXIMUM MINIMUM */
    glim_activation act;            /* numpy broadcasting on any rank */
} glim_binary_params;

typedef struct glim_leaky_relu_params {
    float alpha;
} glim_leaky_relu_params;

typedef struct glim_softmax_params {
    float beta;
    int axis; /* negative counts from the end; TFLite: -1 */
} glim_softmax_params;

typedef struct glim_concat_params {
    int axis;
    glim_activation act;
} glim_concat_params;

typedef struct glim_reshape_params {
    int ndim;
    int64_t shape[8]; /* the output shape, fully resolved */
} glim_reshape_params;

typedef struct glim_transpose_params {
    int ndim;
    int perm[8];
} glim_transpose_params;

typedef struct glim_resize_params {
    int out_h, out_w;
    int align_corners;
    int half_pixel_centers;
    /* ONNX Resize: 1 = pytorch_half_pixel (half_pixel, but 0 when the output
     * axis has length 1). */
    int pytorch_half_pixel;
    /* RESIZE_NEAREST rounding of the source coordinate: 0 = TFLite's rule
     * (floor, round with align_corners), 1 floor, 2 ceil,
     * 3 round_prefer_floor, 4 round_prefer_ceil. */
    int nearest_mode;
    /* > 0: the scale (out / in) to map coordinates with, when a format gives
     * one that differs from out_h / in_h (ONNX scales); 0: out / in. */
    float scale_h, scale_w;
} glim_resize_params;

typedef struct glim_arg_max_params {
    int axis;
    int output_dtype; /* glim_dtype: GLIM_I32 or GLIM_I64 */
} glim_arg_max_params;

typedef struct glim_pad_params {
    int ndim;
    int64_t before[8], after[8];
    float value;
} glim_pad_params;

typedef struct glim_reduce_params { /* MEAN */
    int naxes;
    int axes[8];
    int keep_dims;
} glim_reduce_params;

typedef struct glim_gather_params {
    int axis;
    int batch_dims;
} glim_gather_params;

typedef struct glim_pack_params { /* PACK, UNPACK */
    int axis;
    int count;
} glim_pack_params;

typedef struct glim_cast_params {
    int to_dtype; /* glim_dtype */
} glim_cast_params;

typedef struct glim_slice_params {
    int ndim;
    int64_t begin[8], size[8]; /* resolved: size >= 0 */
    int64_t stride[8];
} glim_slice_params;

typedef struct glim_lstm_params {
    glim_activation act;  /* cell and hidden activation (usually TANH) */
    float cell_clip;      /* 0 = none */
    float proj_clip;      /* 0 = none */
    int time_major;       /* input [T,B,I] when 1, [B,T,I] when 0 */
    int reverse;          /* run the sequence from its last step to its first */
} glim_lstm_params;
/* LSTM inputs follow TFLite's UNIDIRECTIONAL_SEQUENCE_LSTM order (24 slots,
 * -1 for absent optional ones); see ops/lstm.c. */

/* ---- ONNX-era ops: math and tensor ops ------------------------------------ */

typedef struct glim_matmul_params {
    glim_activation act;
    int transpose_b; /* b is [..., N, K] instead of [..., K, N] */
} glim_matmul_params;
/* MATMUL: a [..., M, K], b [..., K, N] (numpy matmul: batch dims broadcast,
 * a 1-D a or b is promoted as numpy does), bias [N] optional -> [..., M, N] */

typedef struct glim_layer_norm_params {
    int axis;      /* normalise over dims [axis, ndim); negative counts from the end */
    float epsilon; /* 0 means 1e-5 */
} glim_layer_norm_params;
/* LAYER_NORM: x, scale (broadcast over the normalised dims), bias (optional) */

typedef struct glim_gelu_params {
    int approximate; /* 0: exact (erf), 1: tanh approximation */
} glim_gelu_params;

typedef struct glim_hard_sigmoid_params {
    float alpha, beta; /* y = max(0, min(1, alpha * x + beta)) */
} glim_hard_sigmoid_params;

typedef struct glim_clip_params {
    float min, max; /* -INFINITY / INFINITY for an open end */
} glim_clip_params;
/* POW, PRELU: glim_binary_params (broadcasting). EQUAL, LESS, GREATER:
 * broadcasting comparisons of two tensors of one dtype -> BOOL.
 * WHERE: cond (BOOL), x, y broadcast together -> x's dtype.
 * EXP LOG NEG ABS RECIPROCAL ERF LOGICAL_NOT: elementwise, no params. */

typedef struct glim_expand_params {
    int ndim;
    int64_t shape[8]; /* broadcast the input to this shape (resolved) */
} glim_expand_params;

typedef struct glim_split_params {
    int axis;
    int count;         /* number of outputs */
    int64_t sizes[32]; /* the length of each piece along axis */
} glim_split_params;
/* REDUCE_SUM, REDUCE_MAX: glim_reduce_params (as MEAN). */

/* ---- ONNX-era ops: sequence and upsampling -------------------------------- */

typedef struct glim_conv_transpose_params {
    int stride_h, stride_w;
    int dilation_h, dilation_w; /* 0 means 1 */
    int pad_top, pad_left, pad_bottom, pad_right; /* cropped from the full output */
    int out_pad_h, out_pad_w;   /* extra rows / columns at the end */
    glim_activation act;
} glim_conv_transpose_params;
/* CONV_TRANSPOSE: x [N,H,W,Cin], w [Cout,KH,KW,Cin], bias [Cout] optional ->
 * [N, (H-1)*s - pad_top - pad_bottom + d*(KH-1) + 1 + out_pad_h, ..., Cout] */

typedef struct glim_gru_params {
    int linear_before_reset; /* ONNX linear_before_reset (PyTorch's GRU: 1) */
    int reverse;             /* run from the last step to the first */
    float clip;              /* 0 = none */
} glim_gru_params;
/* GRU: x [T,B,I], w [3H,I] (gates z, r, h), r [3H,H], b [6H] optional
 * (W biases then R biases), h0 [B,H] optional -> y [T,B,H], and optionally
 * a second output h_T [B,H] (the state after the last step processed). */

#endif
