/*
 * graph.h — glimpse's format-neutral graph IR.
 *
 * Importers (import/tflite.c, later onnx.c) translate a model file into a
 * glim_graph; the executor (exec.c) prepares it once (shape checks, scratch
 * sizes, memory plan) and runs it many times. Nothing here knows a file
 * format.
 *
 * Layout convention: activations are NHWC (batch, height, width, channels),
 * TFLite's native layout; importers of NCHW formats transpose weights once at
 * load. All activations are float32 inside the graph; quantized model inputs
 * and outputs are converted at the edges by QUANTIZE / DEQUANTIZE nodes, and
 * quantized weights are dequantized once at load.
 */
#ifndef GLIMPSE_GRAPH_H
#define GLIMPSE_GRAPH_H

#include "tensor.h"
#include "ops/op.h"

/* Affine quantization parameters of a graph tensor. n == 0: none;
 * n == 1: per-tensor; n > 1: per-channel along `axis`. */
typedef struct glim_quant {
    int n;
    int axis;
    float *scale;        /* n values */
    int32_t *zero_point; /* n values */
} glim_quant;

typedef enum glim_tensor_kind {
    GLIM_TENSOR_ACTIVATION = 0, /* produced by a node; memory from the arena */
    GLIM_TENSOR_CONSTANT,       /* weights; data points into the weight block */
    GLIM_TENSOR_INPUT,          /* fed by the caller */
} glim_tensor_kind;

typedef struct glim_gtensor {
    const char *name;    /* owned by the graph */
    glim_dtype dtype;
    int ndim;
    int64_t shape[GLIM_MAX_DIMS];
    glim_quant quant;
    glim_tensor_kind kind;
    void *data;          /* constants: weight block; others: set by the planner */
    size_t nbytes;
    /* filled by the planner */
    int first_use, last_use; /* node indices */
    size_t arena_offset;
} glim_gtensor;

typedef struct glim_node {
    glim_op_id op;
    const char *name;    /* for error messages, owned by the graph */
    int ninputs;
    int *inputs;         /* tensor indices; -1 marks an absent optional input */
    int noutputs;
    int *outputs;
    void *params;        /* the op's glim_<op>_params, owned by the graph */
    size_t scratch;      /* bytes of scratch, set by prepare */
} glim_node;

typedef struct glim_graph {
    glim_gtensor *tensors;
    int ntensors, tensors_cap;
    glim_node *nodes;
    int nnodes, nodes_cap;
    int *inputs;         /* graph input tensor indices */
    int ninputs;
    int *outputs;        /* graph output tensor indices */
    int noutputs;
    void *weights;       /* one aligned block holding every constant */
    size_t weights_size;
    struct glim_graph_pool *pool; /* small allocations (names, params), freed together */
    int threads;         /* thread count for kernels and OpenBLAS (>= 1) */
} glim_graph;

#endif
