/*
 * tflite_ops.c — TFLite builtin operators → glimpse ops: one row per
 * builtin (code, supported versions, parse function). A parse function
 * reads the op's options table (slots in schema.fbs declaration order),
 * fills the neutral glim_<op>_params of op.h, and adds the node. Anything
 * not in the table fails at load, naming the op.
 */
#include "tflite_internal.h"

#include <stdio.h>
#include <string.h>

/* BuiltinOperator names, indexed by code (schema.fbs). */
static const char *const builtin_names[] = {
    "ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D", "DEPTH_TO_SPACE",
    "DEQUANTIZE", "EMBEDDING_LOOKUP", "FLOOR", "FULLY_CONNECTED", "HASHTABLE_LOOKUP",
    "L2_NORMALIZATION", "L2_POOL_2D", "LOCAL_RESPONSE_NORMALIZATION", "LOGISTIC",
    "LSH_PROJECTION", "LSTM", "MAX_POOL_2D", "MUL", "RELU", "RELU_N1_TO_1", "RELU6", "RESHAPE",
    "RESIZE_BILINEAR", "RNN", "SOFTMAX", "SPACE_TO_DEPTH", "SVDF", "TANH", "CONCAT_EMBEDDINGS",
    "SKIP_GRAM", "CALL", "CUSTOM", "EMBEDDING_LOOKUP_SPARSE", "PAD",
    "UNIDIRECTIONAL_SEQUENCE_RNN", "GATHER", "BATCH_TO_SPACE_ND", "SPACE_TO_BATCH_ND",
    "TRANSPOSE", "MEAN", "SUB", "DIV", "SQUEEZE", "UNIDIRECTIONAL_SEQUENCE_LSTM",
    "STRIDED_SLICE", "BIDIRECTIONAL_SEQUENCE_RNN", "EXP", "TOPK_V2", "SPLIT", "LOG_SOFTMAX",
    "DELEGATE", "BIDIRECTIONAL_SEQUENCE_LSTM", "CAST", "PRELU", "MAXIMUM", "ARG_MAX", "MINIMUM",
    "LESS", "NEG", "PADV2", "GREATER", "GREATER_EQUAL", "LESS_EQUAL", "SELECT", "SLICE", "SIN",
    "TRANSPOSE_CONV", "SPARSE_TO_DENSE", "TILE", "EXPAND_DIMS", "EQUAL", "NOT_EQUAL", "LOG",
    "SUM", "SQRT", "RSQRT", "SHAPE", "POW", "ARG_MIN", "FAKE_QUANT", "REDUCE_PROD",
    "REDUCE_MAX", "PACK", "LOGICAL_OR", "ONE_HOT", "LOGICAL_AND", "LOGICAL_NOT", "UNPACK",
    "REDUCE_MIN", "FLOOR_DIV", "REDUCE_ANY", "SQUARE", "ZEROS_LIKE", "FILL", "FLOOR_MOD",
    "RANGE", "RESIZE_NEAREST_NEIGHBOR", "LEAKY_RELU", "SQUARED_DIFFERENCE", "MIRROR_PAD", "ABS",
    "SPLIT_V", "UNIQUE", "CEIL", "REVERSE_V2", "ADD_N", "GATHER_ND", "COS", "WHERE", "RANK",
    "ELU", "REVERSE_SEQUENCE", "MATRIX_DIAG", "QUANTIZE", "MATRIX_SET_DIAG", "ROUND",
    "HARD_SWISH", "IF", "WHILE", "NON_MAX_SUPPRESSION_V4", "NON_MAX_SUPPRESSION_V5",
    "SCATTER_ND", "SELECT_V2", "DENSIFY", "SEGMENT_SUM", "BATCH_MATMUL",
    "PLACEHOLDER_FOR_GREATER_OP_CODES", "CUMSUM", "CALL_ONCE", "BROADCAST_TO", "RFFT2D",
    "CONV_3D", "IMAG", "REAL", "COMPLEX_ABS", "HASHTABLE", "HASHTABLE_FIND", "HASHTABLE_IMPORT",
    "HASHTABLE_SIZE", "REDUCE_ALL", "CONV_3D_TRANSPOSE", "VAR_HANDLE", "READ_VARIABLE",
    "ASSIGN_VARIABLE", "BROADCAST_ARGS", "RANDOM_STANDARD_NORMAL", "BUCKETIZE", "RANDOM_UNIFORM",
    "MULTINOMIAL", "GELU", "DYNAMIC_UPDATE_SLICE", "RELU_0_TO_1", "UNSORTED_SEGMENT_PROD",
    "UNSORTED_SEGMENT_MAX", "UNSORTED_SEGMENT_SUM", "ATAN2", "UNSORTED_SEGMENT_MIN", "SIGN",
    "BITCAST", "BITWISE_XOR", "RIGHT_SHIFT",
};

const char *tfl_builtin_name(int code)
{
    if (code < 0 || code >= (int)(sizeof builtin_names / sizeof builtin_names[0])) return NULL;
    return builtin_names[code];
}

/* BuiltinOptions union type ids (schema.fbs) of the options we read. */
enum {
    OPT_CONV2D = 1, OPT_DEPTHWISE = 2, OPT_POOL2D = 5, OPT_FC = 8, OPT_SOFTMAX = 9,
    OPT_CONCAT = 10, OPT_ADD = 11, OPT_RESIZE_BILINEAR = 15, OPT_RESHAPE = 17, OPT_MUL = 21,
    OPT_REDUCER = 27, OPT_SUB = 28, OPT_DIV = 29,
};

#define FAILED(c) ((c)->err ? (c)->err->code : GLIM_EFORMAT)

static glim_status check_opts(tfl_ctx *c, const tfl_op *op, int expected)
{
    if (op->opt_type != 0 && op->opt_type != expected)
        return tfl_op_fail(c, op, GLIM_EFORMAT, "options of type %d, expected %d", op->opt_type,
                           expected);
    return GLIM_OK;
}

static glim_status need_io(tfl_ctx *c, const tfl_op *op, int min_in, int max_in, int nout)
{
    if (op->ninputs < min_in || op->ninputs > max_in || op->noutputs != nout)
        return tfl_op_fail(c, op, GLIM_EFORMAT, "has %d inputs and %d outputs", op->ninputs,
                           op->noutputs);
    return GLIM_OK;
}

/* Inputs 0..n-1 (absent optional ones stay -1) and output 0. */
static glim_status io_simple(tfl_ctx *c, const tfl_op *op, int n, int *in, int *out)
{
    for (int k = 0; k < n; k++) {
        in[k] = tfl_input(c, op, k);
        if (in[k] == -2) return FAILED(c);
    }
    if (in[0] < 0) return tfl_op_fail(c, op, GLIM_EFORMAT, "input 0 is missing");
    *out = tfl_output(c, op, 0);
    return *out < 0 ? FAILED(c) : GLIM_OK;
}

static glim_padding padding(int p) { return p == 1 ? GLIM_PAD_VALID : GLIM_PAD_SAME; }

static int positive(tfl_ctx *c, const tfl_op *op, const char *what, int v)
{
    if (v < 1 || v > 65536) {
        tfl_op_fail(c, op, GLIM_EFORMAT, "%s is %d", what, v);
        return 0;
    }
    return 1;
}

static glim_status parse_conv(tfl_ctx *c, const tfl_op *op, int depthwise)
{
    fb_reader *r = &c->r;
    const fb_table *o = &op->opts;
    glim_status st = need_io(c, op, 2, 3, 1);
    if (st == GLIM_OK) st = check_opts(c, op, depthwise ? OPT_DEPTHWISE : OPT_CONV2D);
    if (st != GLIM_OK) return st;
    glim_conv2d_params p;
    memset(&p, 0, sizeof p);
    int act;
    /* Conv2DOptions: padding, stride_w, stride_h, activation, dilation_w, dilation_h.
     * DepthwiseConv2DOptions: padding, stride_w, stride_h, depth_multiplier,
     * activation, dilation_w, dilation_h. */
    p.padding = padding(fb_u8(r, o, 0, 0));
    p.stride_w = fb_i32(r, o, 1, 1);
    p.stride_h = fb_i32(r, o, 2, 1);
    if (depthwise) {
        p.depth_multiplier = fb_i32(r, o, 3, 1);
        act = fb_u8(r, o, 4, 0);
        p.dilation_w = fb_i32(r, o, 5, 1);
        p.dilation_h = fb_i32(r, o, 6, 1);
    } else {
        act = fb_u8(r, o, 3, 0);
        p.dilation_w = fb_i32(r, o, 4, 1);
        p.dilation_h = fb_i32(r, o, 5, 1);
    }
    if (!fb_ok(r)) return FAILED(c);
    if (!positive(c, op, "stride_w", p.stride_w) || !positive(c, op, "stride_h", p.stride_h) ||
        !positive(c, op, "dilation_w", p.dilation_w) ||
        !positive(c, op, "dilation_h", p.dilation_h))
        return FAILED(c);
    if (depthwise) {
        /* Old files may store 0; the weights' channel count decides. */
        if (p.depth_multiplier < 1) p.depth_multiplier = 0;
        const tfl_tensor *x = &c->tensors[op->inputs[0] < 0 ? 0 : op->inputs[0]];
        const tfl_tensor *w = op->inputs[1] >= 0 ? &c->tensors[op->inputs[1]] : NULL;
        if (w && x->ndim == 4 && w->ndim == 4 && x->shape[3] > 0) {
            int64_t m = w->shape[3] / x->shape[3];
            if (m >= 1) p.depth_multiplier = (int)m;
        }
        if (p.depth_multiplier < 1) p.depth_multiplier = 1;
    }
    p.act = tfl_activation(c, op, act, 0);
    if (!fb_ok(r)) return FAILED(c);
    int in[3] = {-1, -1, -1}, out;
    if ((st = io_simple(c, op, op->ninputs, in, &out)) != GLIM_OK) return st;
    return tfl_node(c, op, depthwise ? GLIM_OP_DEPTHWISE_CONV2D : GLIM_OP_CONV2D, 3, in, 1, &out,
                    &p, sizeof p);
}

static glim_status parse_conv2d(tfl_ctx *c, const tfl_op *op) { return parse_conv(c, op, 0); }
static glim_status parse_depthwise(tfl_ctx *c, const tfl_op *op) { return parse_conv(c, op, 1); }

static glim_status parse_pool(tfl_ctx *c, const tfl_op *op, glim_op_id id)
{
    fb_reader *r = &c->r;
    const fb_table *o = &op->opts;
    glim_status st = need_io(c, op, 1, 1, 1);
    if (st == GLIM_OK) st = check_opts(c, op, OPT_POOL2D);
    if (st != GLIM_OK) return st;
    /* Pool2DOptions: padding, stride_w, stride_h, filter_width, filter_height, activation. */
    glim_pool2d_params p;
    memset(&p, 0, sizeof p);
    p.padding = padding(fb_u8(r, o, 0, 0));
    p.stride_w = fb_i32(r, o, 1, 1);
    p.stride_h = fb_i32(r, o, 2, 1);
    p.filter_w = fb_i32(r, o, 3, 1);
    p.filter_h = fb_i32(r, o, 4, 1);
    int act = fb_u8(r, o, 5, 0);
    if (!fb_ok(r)) return FAILED(c);
    if (!positive(c, op, "stride_w", p.stride_w) || !positive(c, op, "stride_h", p.stride_h) ||
        !positive(c, op, "filter_width", p.filter_w) ||
        !positive(c, op, "filter_height", p.filter_h))
        return FAILED(c);
    p.act = tfl_activation(c, op, act, 0);
    if (!fb_ok(r)) return FAILED(c);
    int in, out;
    if ((st = io_simple(c, op, 1, &in, &out)) != GLIM_OK) return st;
    return tfl_node(c, op, id, 1, &in, 1, &out, &p, sizeof p);
}

static glim_status parse_avgpool(tfl_ctx *c, const tfl_op *op)
{
    return parse_pool(c, op, GLIM_OP_AVG_POOL2D);
}
static glim_status parse_maxpool(tfl_ctx *c, const tfl_op *op)
{
    return parse_pool(c, op, GLIM_OP_MAX_POOL2D);
}

static glim_status parse_binary(tfl_ctx *c, const tfl_op *op, glim_op_id id, int opt_type)
{
    glim_status st = need_io(c, op, 2, 2, 1);
    if (st == GLIM_OK && opt_type) st = check_opts(c, op, opt_type);
    if (st != GLIM_OK) return st;
    glim_binary_params p;
    memset(&p, 0, sizeof p);
    /* Add/Sub/Mul/DivOptions: fused_activation_function first. */
    int act = opt_type ? fb_u8(&c->r, &op->opts, 0, 0) : 0;
    p.act = tfl_activation(c, op, act, 0);
    if (!fb_ok(&c->r)) return FAILED(c);
    int in[2], out;
    if ((st = io_simple(c, op, 2, in, &out)) != GLIM_OK) return st;
    if (in[1] < 0) return tfl_op_fail(c, op, GLIM_EFORMAT, "input 1 is missing");
    return tfl_node(c, op, id, 2, in, 1, &out, &p, sizeof p);
}

static glim_status parse_add(tfl_ctx *c, const tfl_op *op)
{
    return parse_binary(c, op, GLIM_OP_ADD, OPT_ADD);
}
static glim_status parse_sub(tfl_ctx *c, const tfl_op *op)
{
    return parse_binary(c, op, GLIM_OP_SUB, OPT_SUB);
}
static glim_status parse_mul(tfl_ctx *c, const tfl_op *op)
{
    return parse_binary(c, op, GLIM_OP_MUL, OPT_MUL);
}
static glim_status parse_div(tfl_ctx *c, const tfl_op *op)
{
    return parse_binary(c, op, GLIM_OP_DIV, OPT_DIV);
}
static glim_status parse_floor_div(tfl_ctx *c, const tfl_op *op)
{
    return parse_binary(c, op, GLIM_OP_FLOOR_DIV, 0);
}
static glim_status parse_maximum(tfl_ctx *c, const tfl_op *op)
{
    return parse_binary(c, op, GLIM_OP_MAXIMUM, 0);
}
static glim_status parse_minimum(tfl_ctx *c, const tfl_op *op)
{
    return parse_binary(c, op, GLIM_OP_MINIMUM, 0);
}

/* Ops with one input, one output and no params. */
static glim_status parse_unary(tfl_ctx *c, const tfl_op *op, glim_op_id id)
{
    glim_status st = need_io(c, op, 1, 1, 1);
    if (st != GLIM_OK) return st;
    int in, out;
    if ((st = io_simple(c, op, 1, &in, &out)) != GLIM_OK) return st;
    return tfl_node(c, op, id, 1, &in, 1, &out, NULL, 0);
}

static glim_status parse_logistic(tfl_ctx *c, const tfl_op *op)
{
    return parse_unary(c, op, GLIM_OP_LOGISTIC);
}
static glim_status parse_sqrt(tfl_ctx *c, const tfl_op *op)
{
    return parse_unary(c, op, GLIM_OP_SQRT);
}
static glim_status parse_tanh(tfl_ctx *c, const tfl_op *op)
{
    return parse_unary(c, op, GLIM_OP_TANH);
}
static glim_status parse_relu(tfl_ctx *c, const tfl_op *op)
{
    return parse_unary(c, op, GLIM_OP_RELU);
}
static glim_status parse_relu6(tfl_ctx *c, const tfl_op *op)
{
    return parse_unary(c, op, GLIM_OP_RELU6);
}
static glim_status parse_hard_swish(tfl_ctx *c, const tfl_op *op)
{
    return parse_unary(c, op, GLIM_OP_HARD_SWISH);
}

static glim_status parse_softmax(tfl_ctx *c, const tfl_op *op)
{
    glim_status st = need_io(c, op, 1, 1, 1);
    if (st == GLIM_OK) st = check_opts(c, op, OPT_SOFTMAX);
    if (st != GLIM_OK) return st;
    glim_softmax_params p = {.beta = fb_f32(&c->r, &op->opts, 0, 1.0f), .axis = -1};
    if (!fb_ok(&c->r)) return FAILED(c);
    int in, out;
    if ((st = io_simple(c, op, 1, &in, &out)) != GLIM_OK) return st;
    return tfl_node(c, op, GLIM_OP_SOFTMAX, 1, &in, 1, &out, &p, sizeof p);
}

static glim_status parse_fc(tfl_ctx *c, const tfl_op *op)
{
    glim_status st = need_io(c, op, 2, 3, 1);
    if (st == GLIM_OK) st = check_opts(c, op, OPT_FC);
    if (st != GLIM_OK) return st;
    /* FullyConnectedOptions: activation, weights_format, keep_num_dims. */
    int act = fb_u8(&c->r, &op->opts, 0, 0);
    int format = fb_u8(&c->r, &op->opts, 1, 0);
    glim_fully_connected_params p;
    memset(&p, 0, sizeof p);
    p.keep_dims = fb_u8(&c->r, &op->opts, 2, 0) != 0;
    if (!fb_ok(&c->r)) return FAILED(c);
    if (format != 0)
        return tfl_op_fail(c, op, GLIM_EUNSUPPORTED, "shuffled weights format %d", format);
    p.act = tfl_activation(c, op, act, 0);
    if (!fb_ok(&c->r)) return FAILED(c);
    int in[3] = {-1, -1, -1}, out;
    if ((st = io_simple(c, op, op->ninputs, in, &out)) != GLIM_OK) return st;
    return tfl_node(c, op, GLIM_OP_FULLY_CONNECTED, 3, in, 1, &out, &p, sizeof p);
}

static int rank_of_input(tfl_ctx *c, const tfl_op *op, int k)
{
    return op->inputs[k] >= 0 ? c->tensors[op->inputs[k]].ndim : 0;
}

static glim_status parse_concat(tfl_ctx *c, const tfl_op *op)
{
    glim_status st = need_io(c, op, 1, 32, 1);
    if (st == GLIM_OK) st = check_opts(c, op, OPT_CONCAT);
    if (st != GLIM_OK) return st;
    glim_concat_params p;
    memset(&p, 0, sizeof p);
    p.axis = fb_i32(&c->r, &op->opts, 0, 0);
    int act = fb_u8(&c->r, &op->opts, 1, 0);
    if (!fb_ok(&c->r)) return FAILED(c);
    int rank = rank_of_input(c, op, 0);
    if (p.axis < 0) p.axis += rank;
    if (p.axis < 0 || p.axis >= (rank ? rank : 1))
        return tfl_op_fail(c, op, GLIM_EFORMAT, "axis %d outside rank %d", p.axis, rank);
    p.act = tfl_activation(c, op, act, 0);
    if (!fb_ok(&c->r)) return FAILED(c);
    int in[32], out;
    if ((st = io_simple(c, op, op->ninputs, in, &out)) != GLIM_OK) return st;
    for (int k = 0; k < op->ninputs; k++)
        if (in[k] < 0) return tfl_op_fail(c, op, GLIM_EFORMAT, "input %d is missing", k);
    return tfl_node(c, op, GLIM_OP_CONCAT, op->ninputs, in, 1, &out, &p, sizeof p);
}

/* RESHAPE, SQUEEZE, EXPAND_DIMS: the file gives the output's static shape. */
static glim_status parse_reshape(tfl_ctx *c, const tfl_op *op)
{
    glim_status st = need_io(c, op, 1, 2, 1);
    if (st != GLIM_OK) return st;
    const tfl_tensor *o = &c->tensors[op->outputs[0]];
    glim_reshape_params p;
    memset(&p, 0, sizeof p);
    p.ndim = o->ndim;
    memcpy(p.shape, o->shape, sizeof p.shape);
    int in, out;
    if ((st = io_simple(c, op, 1, &in, &out)) != GLIM_OK) return st;
    return tfl_node(c, op, GLIM_OP_RESHAPE, 1, &in, 1, &out, &p, sizeof p);
}

static glim_status parse_resize(tfl_ctx *c, const tfl_op *op, glim_op_id id)
{
    glim_status st = need_io(c, op, 2, 2, 1);
    if (st != GLIM_OK) return st;
    /* ResizeBilinearOptions: new_height, new_width (deprecated), align_corners,
     * half_pixel_centers. ResizeNearestNeighborOptions: align_corners,
     * half_pixel_centers. */
    glim_resize_params p;
    memset(&p, 0, sizeof p);
    int base = id == GLIM_OP_RESIZE_BILINEAR ? 2 : 0;
    p.align_corners = fb_u8(&c->r, &op->opts, base, 0) != 0;
    p.half_pixel_centers = fb_u8(&c->r, &op->opts, base + 1, 0) != 0;
    if (!fb_ok(&c->r)) return FAILED(c);
    int64_t size[2];
    int n;
    if ((st = tfl_const_ints(c, op, 1, size, 2, &n)) != GLIM_OK) return st;
    if (n != 2 || size[0] < 1 || size[1] < 1 || size[0] > 65536 || size[1] > 65536)
        return tfl_op_fail(c, op, GLIM_EFORMAT, "bad output size");
    p.out_h = (int)size[0];
    p.out_w = (int)size[1];
    int in, out;
    if ((st = io_simple(c, op, 1, &in, &out)) != GLIM_OK) return st;
    return tfl_node(c, op, id, 1, &in, 1, &out, &p, sizeof p);
}

static glim_status parse_resize_bilinear(tfl_ctx *c, const tfl_op *op)
{
    if (op->opt_type && op->opt_type != OPT_RESIZE_BILINEAR) return check_opts(c, op, OPT_RESIZE_BILINEAR);
    return parse_resize(c, op, GLIM_OP_RESIZE_BILINEAR);
}
static glim_status parse_resize_nearest(tfl_ctx *c, const tfl_op *op)
{
    return parse_resize(c, op, GLIM_OP_RESIZE_NEAREST);
}

static glim_status parse_mean(tfl_ctx *c, const tfl_op *op)
{
    glim_status st = need_io(c, op, 2, 2, 1);
    if (st == GLIM_OK) st = check_opts(c, op, OPT_REDUCER);
    if (st != GLIM_OK) return st;
    glim_reduce_params p;
    memset(&p, 0, sizeof p);
    p.keep_dims = fb_u8(&c->r, &op->opts, 0, 0) != 0;
    if (!fb_ok(&c->r)) return FAILED(c);
    int64_t axes[8];
    int n;
    if ((st = tfl_const_ints(c, op, 1, axes, 8, &n)) != GLIM_OK) return st;
    int rank = rank_of_input(c, op, 0);
    p.naxes = n;
    for (int k = 0; k < n; k++) {
        int64_t a = axes[k] < 0 ? axes[k] + rank : axes[k];
        if (a < 0 || a >= rank) return tfl_op_fail(c, op, GLIM_EFORMAT, "axis %lld outside rank %d",
                                                   (long long)axes[k], rank);
        p.axes[k] = (int)a;
    }
    int in, out;
    if ((st = io_simple(c, op, 1, &in, &out)) != GLIM_OK) return st;
    return tfl_node(c, op, GLIM_OP_MEAN, 1, &in, 1, &out, &p, sizeof p);
}

static glim_status parse_arg_max(tfl_ctx *c, const tfl_op *op)
{
    glim_status st = need_io(c, op, 2, 2, 1);
    if (st != GLIM_OK) return st;
    int64_t axis;
    int n;
    if ((st = tfl_const_ints(c, op, 1, &axis, 1, &n)) != GLIM_OK) return st;
    if (n != 1) return tfl_op_fail(c, op, GLIM_EFORMAT, "axis must be one value");
    int rank = rank_of_input(c, op, 0);
    if (axis < 0) axis += rank;
    if (axis < 0 || axis >= rank)
        return tfl_op_fail(c, op, GLIM_EFORMAT, "axis outside rank %d", rank);
    int otype = c->tensors[op->outputs[0]].type;
    if (otype != TFL_INT32 && otype != TFL_INT64)
        return tfl_op_fail(c, op, GLIM_EUNSUPPORTED, "output type %d", otype);
    glim_arg_max_params p = {.axis = (int)axis,
                             .output_dtype = otype == TFL_INT32 ? GLIM_I32 : GLIM_I64};
    int in, out;
    if ((st = io_simple(c, op, 1, &in, &out)) != GLIM_OK) return st;
    return tfl_node(c, op, GLIM_OP_ARG_MAX, 1, &in, 1, &out, &p, sizeof p);
}

static glim_status parse_pack(tfl_ctx *c, const tfl_op *op)
{
    /* PackOptions: values_count, axis. */
    int count = fb_i32(&c->r, &op->opts, 0, op->ninputs);
    int axis = fb_i32(&c->r, &op->opts, 1, 0);
    if (!fb_ok(&c->r)) return FAILED(c);
    glim_status st = need_io(c, op, 1, 32, 1);
    if (st != GLIM_OK) return st;
    if (count != op->ninputs)
        return tfl_op_fail(c, op, GLIM_EFORMAT, "values_count %d with %d inputs", count,
                           op->ninputs);
    int rank = rank_of_input(c, op, 0) + 1;
    if (axis < 0) axis += rank;
    if (axis < 0 || axis >= rank) return tfl_op_fail(c, op, GLIM_EFORMAT, "axis outside rank");
    glim_pack_params p = {.axis = axis, .count = count};
    int in[32], out;
    if ((st = io_simple(c, op, op->ninputs, in, &out)) != GLIM_OK) return st;
    for (int k = 0; k < op->ninputs; k++)
        if (in[k] < 0) return tfl_op_fail(c, op, GLIM_EFORMAT, "input %d is missing", k);
    return tfl_node(c, op, GLIM_OP_PACK, op->ninputs, in, 1, &out, &p, sizeof p);
}

static glim_status parse_unpack(tfl_ctx *c, const tfl_op *op)
{
    /* UnpackOptions: num, axis. */
    int num = fb_i32(&c->r, &op->opts, 0, op->noutputs);
    int axis = fb_i32(&c->r, &op->opts, 1, 0);
    if (!fb_ok(&c->r)) return FAILED(c);
    if (op->ninputs != 1 || num != op->noutputs)
        return tfl_op_fail(c, op, GLIM_EFORMAT, "num %d with %d outputs", num, op->noutputs);
    int rank = rank_of_input(c, op, 0);
    if (axis < 0) axis += rank;
    if (axis < 0 || axis >= rank) return tfl_op_fail(c, op, GLIM_EFORMAT, "axis outside rank");
    glim_pack_params p = {.axis = axis, .count = num};
    int in = tfl_input(c, op, 0);
    if (in < 0) return in == -2 ? FAILED(c) : tfl_op_fail(c, op, GLIM_EFORMAT, "no input");
    int out[32];
    for (int k = 0; k < op->noutputs; k++) {
        out[k] = tfl_output(c, op, k);
        if (out[k] < 0) return FAILED(c);
    }
    return tfl_node(c, op, GLIM_OP_UNPACK, 1, &in, op->noutputs, out, &p, sizeof p);
}

static glim_status parse_cast(tfl_ctx *c, const tfl_op *op)
{
    glim_status st = need_io(c, op, 1, 1, 1);
    if (st != GLIM_OK) return st;
    int in, out;
    if ((st = io_simple(c, op, 1, &in, &out)) != GLIM_OK) return st;
    glim_cast_params p = {.to_dtype = glim_graph_tensor(c->g, out)->dtype};
    return tfl_node(c, op, GLIM_OP_CAST, 1, &in, 1, &out, &p, sizeof p);
}

static glim_status parse_gather_nd(tfl_ctx *c, const tfl_op *op)
{
    glim_status st = need_io(c, op, 2, 2, 1);
    if (st != GLIM_OK) return st;
    int in[2], out;
    if ((st = io_simple(c, op, 2, in, &out)) != GLIM_OK) return st;
    if (in[1] < 0) return tfl_op_fail(c, op, GLIM_EFORMAT, "input 1 is missing");
    return tfl_node(c, op, GLIM_OP_GATHER_ND, 2, in, 1, &out, NULL, 0);
}

/* QUANTIZE and DEQUANTIZE keep real values: inside the float graph they are
 * aliases (a requantize, or the edge of a quantized region). */
static glim_status parse_requant(tfl_ctx *c, const tfl_op *op)
{
    glim_status st = need_io(c, op, 1, 1, 1);
    if (st != GLIM_OK) return st;
    return tfl_alias(c, op, 0, 0);
}

static glim_status parse_lstm(tfl_ctx *c, const tfl_op *op)
{
    if (op->ninputs < 20 || op->ninputs > 24 || op->noutputs != 1)
        return tfl_op_fail(c, op, GLIM_EFORMAT, "has %d inputs and %d outputs", op->ninputs,
                           op->noutputs);
    /* UnidirectionalSequenceLSTMOptions: activation, cell_clip, proj_clip, time_major. */
    glim_lstm_params p;
    memset(&p, 0, sizeof p);
    int act = fb_u8(&c->r, &op->opts, 0, 0);
    p.cell_clip = fb_f32(&c->r, &op->opts, 1, 0.0f);
    p.proj_clip = fb_f32(&c->r, &op->opts, 2, 0.0f);
    p.time_major = fb_u8(&c->r, &op->opts, 3, 0) != 0;
    if (!fb_ok(&c->r)) return FAILED(c);
    /* The cell activation is not clamped by the output range. */
    switch (act) {
    case 0: p.act = GLIM_ACT_NONE; break;
    case 1: p.act = GLIM_ACT_RELU; break;
    case 3: p.act = GLIM_ACT_RELU6; break;
    case 4: p.act = GLIM_ACT_TANH; break;
    default: return tfl_op_fail(c, op, GLIM_EUNSUPPORTED, "activation %d", act);
    }
    int in[24], out;
    for (int k = 0; k < 24; k++) in[k] = -1;
    glim_status st = io_simple(c, op, op->ninputs, in, &out);
    if (st != GLIM_OK) return st;
    return tfl_node(c, op, GLIM_OP_LSTM, 24, in, 1, &out, &p, sizeof p);
}

static glim_status parse_transpose(tfl_ctx *c, const tfl_op *op)
{
    glim_status st = need_io(c, op, 2, 2, 1);
    if (st != GLIM_OK) return st;
    int64_t perm[8];
    int n;
    if ((st = tfl_const_ints(c, op, 1, perm, 8, &n)) != GLIM_OK) return st;
    glim_transpose_params p;
    memset(&p, 0, sizeof p);
    p.ndim = n;
    for (int k = 0; k < n; k++) {
        if (perm[k] < 0 || perm[k] >= n) return tfl_op_fail(c, op, GLIM_EFORMAT, "bad permutation");
        p.perm[k] = (int)perm[k];
    }
    int in, out;
    if ((st = io_simple(c, op, 1, &in, &out)) != GLIM_OK) return st;
    return tfl_node(c, op, GLIM_OP_TRANSPOSE, 1, &in, 1, &out, &p, sizeof p);
}

static glim_status parse_pad(tfl_ctx *c, const tfl_op *op)
{
    glim_status st = need_io(c, op, 2, 3, 1);
    if (st != GLIM_OK) return st;
    int64_t pads[16];
    int n;
    if ((st = tfl_const_ints(c, op, 1, pads, 16, &n)) != GLIM_OK) return st;
    int rank = rank_of_input(c, op, 0);
    if (n != 2 * rank) return tfl_op_fail(c, op, GLIM_EFORMAT, "paddings do not match rank %d", rank);
    glim_pad_params p;
    memset(&p, 0, sizeof p);
    p.ndim = rank;
    for (int k = 0; k < rank; k++) {
        p.before[k] = pads[2 * k];
        p.after[k] = pads[2 * k + 1];
        if (p.before[k] < 0 || p.after[k] < 0)
            return tfl_op_fail(c, op, GLIM_EFORMAT, "negative padding");
    }
    if (op->ninputs == 3 && op->inputs[2] >= 0) {
        const tfl_tensor *v = &c->tensors[op->inputs[2]];
        if (!v->data || v->count != 1)
            return tfl_op_fail(c, op, GLIM_EUNSUPPORTED, "non-constant pad value");
        if (v->type == TFL_FLOAT32) memcpy(&p.value, v->data, 4);
        else if (v->nq == 1 && (v->type == TFL_UINT8 || v->type == TFL_INT8)) {
            double q = v->type == TFL_UINT8 ? v->data[0] : (int8_t)v->data[0];
            int64_t z = v->qzero.len ? fb_vec_i64(&c->r, &v->qzero, 0) : 0;
            p.value = (float)((q - (double)z) * fb_vec_f32(&c->r, &v->qscale, 0));
        } else return tfl_op_fail(c, op, GLIM_EUNSUPPORTED, "pad value type %d", v->type);
    }
    int in, out;
    if ((st = io_simple(c, op, 1, &in, &out)) != GLIM_OK) return st;
    return tfl_node(c, op, GLIM_OP_PAD, 1, &in, 1, &out, &p, sizeof p);
}

static glim_status parse_leaky_relu(tfl_ctx *c, const tfl_op *op)
{
    glim_status st = need_io(c, op, 1, 1, 1);
    if (st != GLIM_OK) return st;
    /* LeakyReluOptions: alpha. */
    glim_leaky_relu_params p = {.alpha = fb_f32(&c->r, &op->opts, 0, 0.0f)};
    if (!fb_ok(&c->r)) return FAILED(c);
    int in, out;
    if ((st = io_simple(c, op, 1, &in, &out)) != GLIM_OK) return st;
    return tfl_node(c, op, GLIM_OP_LEAKY_RELU, 1, &in, 1, &out, &p, sizeof p);
}

static glim_status parse_gather(tfl_ctx *c, const tfl_op *op)
{
    glim_status st = need_io(c, op, 2, 2, 1);
    if (st != GLIM_OK) return st;
    /* GatherOptions: axis, batch_dims. */
    glim_gather_params p = {.axis = fb_i32(&c->r, &op->opts, 0, 0),
                            .batch_dims = fb_i32(&c->r, &op->opts, 1, 0)};
    if (!fb_ok(&c->r)) return FAILED(c);
    int rank = rank_of_input(c, op, 0);
    if (p.axis < 0) p.axis += rank;
    if (p.axis < 0 || p.axis >= rank)
        return tfl_op_fail(c, op, GLIM_EFORMAT, "axis outside rank %d", rank);
    int in[2], out;
    if ((st = io_simple(c, op, 2, in, &out)) != GLIM_OK) return st;
    if (in[1] < 0) return tfl_op_fail(c, op, GLIM_EFORMAT, "input 1 is missing");
    return tfl_node(c, op, GLIM_OP_GATHER, 2, in, 1, &out, &p, sizeof p);
}

/* SLICE into the file's output shape; when the ranks differ (a strided
 * slice that shrinks axes) the slice goes to a new tensor and a RESHAPE
 * gives the declared shape. */
static glim_status add_slice(tfl_ctx *c, const tfl_op *op, const glim_slice_params *p)
{
    int in = tfl_input(c, op, 0);
    if (in < 0) return in == -2 ? FAILED(c) : tfl_op_fail(c, op, GLIM_EFORMAT, "no input");
    const tfl_tensor *o = &c->tensors[op->outputs[0]];
    int same = o->ndim == p->ndim;
    for (int d = 0; same && d < p->ndim; d++) same = o->shape[d] == p->size[d];
    if (same) {
        int out = tfl_output(c, op, 0);
        if (out < 0) return FAILED(c);
        return tfl_node(c, op, GLIM_OP_SLICE, 1, &in, 1, &out, p, sizeof *p);
    }
    if (glim_shape_count(p->ndim, p->size) != o->count)
        return tfl_op_fail(c, op, GLIM_EFORMAT, "the slice has %lld elements, the output %lld",
                           (long long)glim_shape_count(p->ndim, p->size), (long long)o->count);
    char name[160];
    snprintf(name, sizeof name, "%s/slice", o->name);
    int mid = glim_graph_add_tensor(c->g, name, glim_graph_tensor(c->g, in)->dtype, p->ndim,
                                    p->size, GLIM_TENSOR_ACTIVATION, c->err);
    if (mid < 0) return c->r.failed = 1, FAILED(c);
    glim_status st = tfl_node(c, op, GLIM_OP_SLICE, 1, &in, 1, &mid, p, sizeof *p);
    if (st != GLIM_OK) return st;
    int out = tfl_output(c, op, 0);
    if (out < 0) return FAILED(c);
    glim_reshape_params r;
    memset(&r, 0, sizeof r);
    r.ndim = o->ndim;
    memcpy(r.shape, o->shape, sizeof r.shape);
    return tfl_node(c, op, GLIM_OP_RESHAPE, 1, &mid, 1, &out, &r, sizeof r);
}

static glim_status parse_slice(tfl_ctx *c, const tfl_op *op)
{
    glim_status st = need_io(c, op, 3, 3, 1);
    if (st != GLIM_OK) return st;
    int64_t begin[8], size[8];
    int nb, ns;
    if ((st = tfl_const_ints(c, op, 1, begin, 8, &nb)) != GLIM_OK ||
        (st = tfl_const_ints(c, op, 2, size, 8, &ns)) != GLIM_OK)
        return st;
    const tfl_tensor *x = &c->tensors[op->inputs[0] < 0 ? 0 : op->inputs[0]];
    if (nb != x->ndim || ns != x->ndim)
        return tfl_op_fail(c, op, GLIM_EFORMAT, "begin/size do not match rank %d", x->ndim);
    glim_slice_params p;
    memset(&p, 0, sizeof p);
    p.ndim = x->ndim;
    for (int d = 0; d < x->ndim; d++) {
        int64_t b = begin[d], n = size[d] == -1 ? x->shape[d] - b : size[d];
        if (b < 0 || n < 0 || b + n > x->shape[d])
            return tfl_op_fail(c, op, GLIM_EFORMAT, "dim %d: begin %lld size %lld outside %lld", d,
                               (long long)begin[d], (long long)size[d], (long long)x->shape[d]);
        p.begin[d] = b;
        p.size[d] = n;
        p.stride[d] = 1;
    }
    return add_slice(c, op, &p);
}

static glim_status parse_strided_slice(tfl_ctx *c, const tfl_op *op)
{
    glim_status st = need_io(c, op, 4, 4, 1);
    if (st != GLIM_OK) return st;
    /* StridedSliceOptions: begin_mask, end_mask, ellipsis_mask, new_axis_mask,
     * shrink_axis_mask, offset. */
    int bm = fb_i32(&c->r, &op->opts, 0, 0), em = fb_i32(&c->r, &op->opts, 1, 0);
    int ellipsis = fb_i32(&c->r, &op->opts, 2, 0), newaxis = fb_i32(&c->r, &op->opts, 3, 0);
    int shrink = fb_i32(&c->r, &op->opts, 4, 0), offset = fb_u8(&c->r, &op->opts, 5, 0);
    if (!fb_ok(&c->r)) return FAILED(c);
    if (ellipsis || newaxis || offset)
        return tfl_op_fail(c, op, GLIM_EUNSUPPORTED, "ellipsis, new-axis or offset slicing");
    int64_t begin[8], end[8], stride[8];
    int nb, ne, ns;
    if ((st = tfl_const_ints(c, op, 1, begin, 8, &nb)) != GLIM_OK ||
        (st = tfl_const_ints(c, op, 2, end, 8, &ne)) != GLIM_OK ||
        (st = tfl_const_ints(c, op, 3, stride, 8, &ns)) != GLIM_OK)
        return st;
    const tfl_tensor *x = &c->tensors[op->inputs[0] < 0 ? 0 : op->inputs[0]];
    if (nb != x->ndim || ne != x->ndim || ns != x->ndim)
        return tfl_op_fail(c, op, GLIM_EFORMAT, "begin/end/strides do not match rank %d",
                           x->ndim);
    glim_slice_params p;
    memset(&p, 0, sizeof p);
    p.ndim = x->ndim;
    for (int d = 0; d < x->ndim; d++) {
        int64_t n = x->shape[d], s = stride[d];
        if (s < 1)
            return tfl_op_fail(c, op, GLIM_EUNSUPPORTED, "stride %lld on dim %d", (long long)s, d);
        int64_t b = begin[d] < 0 ? begin[d] + n : begin[d];
        int64_t e = end[d] < 0 ? end[d] + n : end[d];
        if (bm & (1 << d)) b = 0;
        if (em & (1 << d)) e = n;
        b = b < 0 ? 0 : b > n ? n : b;
        e = e < 0 ? 0 : e > n ? n : e;
        if (shrink & (1 << d)) {
            if (b >= n) return tfl_op_fail(c, op, GLIM_EFORMAT, "index %lld outside dim %d",
                                           (long long)begin[d], d);
            e = b + 1;
        }
        p.begin[d] = b < n ? b : (n > 0 ? n - 1 : 0);
        p.size[d] = e > b ? (e - b + s - 1) / s : 0;
        p.stride[d] = s;
    }
    return add_slice(c, op, &p);
}

/* Sorted by code. */
static const tfl_op_entry op_table[] = {
    {0, 1, 4, parse_add},              /* ADD */
    {1, 1, 3, parse_avgpool},          /* AVERAGE_POOL_2D */
    {2, 1, 4, parse_concat},           /* CONCATENATION */
    {3, 1, 8, parse_conv2d},           /* CONV_2D */
    {4, 1, 7, parse_depthwise},        /* DEPTHWISE_CONV_2D */
    {6, 1, 6, parse_requant},          /* DEQUANTIZE */
    {9, 1, 12, parse_fc},              /* FULLY_CONNECTED */
    {14, 1, 3, parse_logistic},        /* LOGISTIC */
    {17, 1, 3, parse_maxpool},         /* MAX_POOL_2D */
    {18, 1, 7, parse_mul},             /* MUL */
    {19, 1, 3, parse_relu},            /* RELU */
    {21, 1, 3, parse_relu6},           /* RELU6 */
    {22, 1, 2, parse_reshape},         /* RESHAPE */
    {23, 1, 4, parse_resize_bilinear}, /* RESIZE_BILINEAR */
    {25, 1, 3, parse_softmax},         /* SOFTMAX */
    {28, 1, 3, parse_tanh},            /* TANH */
    {34, 1, 4, parse_pad},             /* PAD */
    {36, 1, 6, parse_gather},          /* GATHER */
    {39, 1, 6, parse_transpose},       /* TRANSPOSE */
    {40, 1, 3, parse_mean},            /* MEAN */
    {41, 1, 5, parse_sub},             /* SUB */
    {42, 1, 2, parse_div},             /* DIV */
    {43, 1, 2, parse_reshape},         /* SQUEEZE */
    {44, 1, 4, parse_lstm},            /* UNIDIRECTIONAL_SEQUENCE_LSTM */
    {45, 1, 8, parse_strided_slice},   /* STRIDED_SLICE */
    {53, 1, 5, parse_cast},            /* CAST */
    {55, 1, 4, parse_maximum},         /* MAXIMUM */
    {56, 1, 3, parse_arg_max},         /* ARG_MAX */
    {57, 1, 4, parse_minimum},         /* MINIMUM */
    {60, 1, 4, parse_pad},             /* PADV2 */
    {65, 1, 6, parse_slice},           /* SLICE */
    {70, 1, 3, parse_reshape},         /* EXPAND_DIMS */
    {75, 1, 3, parse_sqrt},            /* SQRT */
    {83, 1, 4, parse_pack},            /* PACK */
    {88, 1, 4, parse_unpack},          /* UNPACK */
    {90, 1, 3, parse_floor_div},       /* FLOOR_DIV */
    {97, 1, 4, parse_resize_nearest},  /* RESIZE_NEAREST_NEIGHBOR */
    {98, 1, 2, parse_leaky_relu},      /* LEAKY_RELU */
    {107, 1, 5, parse_gather_nd},      /* GATHER_ND */
    {114, 1, 3, parse_requant},        /* QUANTIZE */
    {117, 1, 1, parse_hard_swish},     /* HARD_SWISH */
};

const tfl_op_entry *tfl_find_op(int code)
{
    for (size_t i = 0; i < sizeof op_table / sizeof op_table[0]; i++)
        if (op_table[i].code == code) return &op_table[i];
    return NULL;
}
