/*
 * tflite_internal.h — what tflite.c (the schema walk and graph building) and
 * tflite_ops.c (one parse function per builtin op) share.
 *
 * Schema facts are from TensorFlow Lite's schema.fbs: field slots are the
 * declaration order of each table, and a union takes two slots (its type
 * byte, then the offset).
 */
#ifndef GLIMPSE_TFLITE_INTERNAL_H
#define GLIMPSE_TFLITE_INTERNAL_H

#include "flatbuf.h"
#include "../graph.h"
#include "../model.h"

/* TensorType */
enum {
    TFL_FLOAT32 = 0, TFL_FLOAT16 = 1, TFL_INT32 = 2, TFL_UINT8 = 3, TFL_INT64 = 4,
    TFL_STRING = 5, TFL_BOOL = 6, TFL_INT16 = 7, TFL_COMPLEX64 = 8, TFL_INT8 = 9,
    TFL_FLOAT64 = 10,
};

typedef struct tfl_tensor {
    char name[128];
    int type;                   /* TensorType */
    int ndim;
    int64_t shape[GLIM_MAX_DIMS];
    int64_t count;
    const uint8_t *data;        /* constant bytes inside the file, or NULL */
    size_t nbytes;
    int is_variable;
    int nq;                     /* quantization entries (0: none) */
    int qaxis;
    fb_vec qscale, qzero;       /* float / int64 vectors of length nq */
    int graph;                  /* index in the glimpse graph, -1 until made */
} tfl_tensor;

typedef struct tfl_op {
    int index;
    int code;                   /* BuiltinOperator */
    int version;
    int ninputs, noutputs;
    int inputs[32], outputs[32]; /* tensor indices, -1 for absent optional inputs */
    uint8_t opt_type;
    fb_table opts;              /* builtin options table (may be empty) */
} tfl_op;

typedef struct tfl_ctx {
    fb_reader r;
    glim_error *err;
    glim_graph *g;
    const glim_model_opts *opts;
    tfl_tensor *tensors;
    int ntensors;
} tfl_ctx;

typedef glim_status (*tfl_parse_fn)(tfl_ctx *c, const tfl_op *op);

typedef struct tfl_op_entry {
    int code;
    int min_version, max_version;
    tfl_parse_fn parse;
} tfl_op_entry;

/* tflite_ops.c */
const tfl_op_entry *tfl_find_op(int code);
const char *tfl_builtin_name(int code);  /* "CONV_2D"; NULL when unknown */

/* tflite.c: helpers for the parse functions. */
/* Graph tensor for input k of `op` (constants are materialised on first
 * use, as float32 when quantized); -1 with no error for an absent optional
 * input; -2 on failure (err filled). */
int tfl_input(tfl_ctx *c, const tfl_op *op, int k);
/* Graph tensor for output k: a new activation with the file's shape (float32
 * when the file's tensor is quantized). -2 on failure. */
int tfl_output(tfl_ctx *c, const tfl_op *op, int k);
/* Make output k of `op` the same graph tensor as input k_in (ops that are
 * the identity on real values: QUANTIZE, DEQUANTIZE between float tensors). */
glim_status tfl_alias(tfl_ctx *c, const tfl_op *op, int k_out, int k_in);
/* Add the node; inputs/outputs are graph tensor indices. */
glim_status tfl_node(tfl_ctx *c, const tfl_op *op, glim_op_id id, int nin, const int *in,
                     int nout, const int *out, const void *params, size_t psize);
/* Read a small constant int tensor (input k): up to `max` values into vals,
 * count in *n. Fails when the input is not a constant int32/int64 tensor. */
glim_status tfl_const_ints(tfl_ctx *c, const tfl_op *op, int k, int64_t *vals, int max,
                           int *n);
/* Fail naming the op. */
glim_status tfl_op_fail(tfl_ctx *c, const tfl_op *op, glim_status code, const char *fmt, ...)
    GLIM_PRINTF(4, 5);
/* The fused activation, tightened to the output's quantized range when the
 * model options ask for it (float emulation of TFLite's implicit clamp). */
glim_activation tfl_activation(tfl_ctx *c, const tfl_op *op, int tfl_act, int out_k);

#endif
