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
} glim_lstm_params;
/* LSTM inputs follow TFLite's UNIDIRECTIONAL_SEQUENCE_LSTM order (24 slots,
 * -1 for absent optional ones); see ops/lstm.c. */

#endif
