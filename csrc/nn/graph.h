/*
 * graph.h — glimpse's format-neutral graph IR and its runtime.
 *
 * Importers (import/tflite.c, later onnx.c) translate a model file into a
 * glim_graph with the builder calls below; glim_graph_prepare then validates
 * every node, infers shapes, sizes scratch and plans one activation arena,
 * and glim_graph_run evaluates the nodes in the order they were added
 * (importers add them in topological order). Nothing here knows a file
 * format.
 *
 * Layout convention: activations are NHWC (batch, height, width, channels),
 * TFLite's native layout; importers of NCHW formats transpose weights once at
 * load. All activations are float32 inside the graph; quantized model inputs
 * and outputs are converted at the edges by QUANTIZE / DEQUANTIZE nodes, and
 * quantized weights are dequantized once at load. Integer tensors (int32,
 * int64) carry indices and shapes where ops need them.
 *
 * Building a graph (errors elided; every call returns -1 / NULL / a status
 * and fills err, naming what was wrong):
 *
 *     glim_graph *g;
 *     glim_graph_new(&g, &err);
 *     int64_t xs[] = {1, 8, 8, 3}, ws[] = {4, 3, 3, 3}, bs[] = {4};
 *     int x = glim_graph_add_tensor(g, "x", GLIM_F32, 4, xs, GLIM_TENSOR_INPUT, &err);
 *     int w = glim_graph_add_tensor(g, "w", GLIM_F32, 4, ws, GLIM_TENSOR_CONSTANT, &err);
 *     int b = glim_graph_add_tensor(g, "b", GLIM_F32, 1, bs, GLIM_TENSOR_CONSTANT, &err);
 *     int y = glim_graph_add_tensor(g, "y", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
 *     float *wd = glim_graph_const_alloc(g, 4 * 27 * sizeof(float), &err);
 *     ... fill wd ...; glim_graph_set_const(g, w, wd, &err);   // likewise b
 *     glim_conv2d_params p = {.stride_h = 1, .stride_w = 1, .padding = GLIM_PAD_SAME,
 *                             .act = GLIM_ACT_RELU6};
 *     int in3[] = {x, w, b};
 *     glim_graph_add_node(g, GLIM_OP_CONV2D, "conv_1", 3, in3, 1, &y, &p, sizeof p, &err);
 *     glim_graph_set_io(g, 1, &x, 1, &y, &err);
 *     glim_graph_prepare(g, 1, &err);           // all validation happens here
 *     memcpy(glim_graph_tensor(g, x)->data, pixels, ...);
 *     glim_graph_run(g, &err);                   // reads glim_graph_tensor(g, y)->data
 *     glim_graph_free(g);
 *
 * Memory: names, params and quantization arrays are copied into the graph.
 * Constant data lives in graph-owned blocks from glim_graph_const_alloc (or
 * glim_graph_weights_reserve); it is never copied per run. Prepare may
 * rearrange a constant in place for its kernel (CONV2D weights that live in
 * graph-owned memory and have no other user become GEMM panels), so read
 * constants back before prepare, not after. Activations, inputs, outputs and
 * per-node scratch share one arena planned by liveness; glim_graph_run
 * allocates nothing.
 *
 * Thread safety: a graph is used by one thread at a time. Different graphs
 * are independent (OpenBLAS's thread count is process-wide, though: prepare
 * sets it, and run re-applies the graph's own count before each run).
 */
#ifndef GLIMPSE_GRAPH_H
#define GLIMPSE_GRAPH_H

#include "tensor.h"
#include "ops/op.h"

/* Affine quantization parameters of a graph tensor. n == 0: none;
 * n == 1: per-tensor; n > 1: per-channel along `axis`.
 * real = scale * (q - zero_point). */
typedef struct glim_quant {
    int n;
    int axis;
    float *scale;        /* n values, owned by the graph */
    int32_t *zero_point; /* n values, owned by the graph */
} glim_quant;

typedef enum glim_tensor_kind {
    GLIM_TENSOR_ACTIVATION = 0, /* produced by a node; memory from the arena */
    GLIM_TENSOR_CONSTANT,       /* weights; data points into graph-owned const memory */
    GLIM_TENSOR_INPUT,          /* fed by the caller (arena memory, never reused) */
} glim_tensor_kind;

typedef struct glim_gtensor {
    const char *name;    /* owned by the graph */
    glim_dtype dtype;
    int ndim;            /* -1: unknown until prepare infers it */
    int64_t shape[GLIM_MAX_DIMS];
    int64_t count;       /* elements (set by prepare for activations) */
    glim_quant quant;
    glim_tensor_kind kind;
    void *data;          /* constants: const memory; others: set by prepare (arena) */
    size_t nbytes;       /* 0 for an intermediate fused away at prepare (never written) */
    /* filled by the planner; first_use == -1 for graph inputs */
    int first_use, last_use; /* node indices */
    size_t arena_offset;
    int producer;        /* node index producing it, -1 if none */
    int decl_ndim;       /* the shape given to add_tensor (-1: none), checked by prepare */
    int64_t decl_shape[GLIM_MAX_DIMS];
} glim_gtensor;

typedef struct glim_node {
    glim_op_id op;
    const char *name;    /* for error messages, owned by the graph */
    int ninputs;
    int *inputs;         /* tensor indices; -1 marks an absent optional input */
    int noutputs;
    int *outputs;
    void *params;        /* the op's glim_<op>_params, owned by the graph (NULL if none) */
    size_t scratch;      /* bytes of scratch, set by prepare */
    void *scratch_data;  /* inside the arena, set by prepare */
    size_t scratch_offset;
    void *state;         /* op-private data computed at prepare (in the pool) */
    int reads_also;      /* set by prepare: another tensor eval reads (a fused
                            producer's input), kept alive by the planner; -1 none */
} glim_node;

struct glim_graph_pool;
struct glim_threads;

typedef struct glim_graph {
    glim_gtensor *tensors;
    int ntensors, tensors_cap;
    glim_node *nodes;
    int nnodes, nodes_cap;
    int *inputs;         /* graph input tensor indices */
    int ninputs;
    int *outputs;        /* graph output tensor indices */
    int noutputs;
    struct glim_graph_pool *pool;   /* names, params, quant arrays: freed together */
    struct glim_graph_block *consts; /* constant data blocks */
    size_t weights_size;            /* bytes of constant data handed out */
    void *arena;                    /* activations + scratch, planned by prepare */
    size_t arena_size;
    size_t activation_bytes;        /* sum of every activation/input tensor's bytes */
    int threads;                    /* thread count for kernels and OpenBLAS (>= 1) */
    struct glim_threads *pool_threads; /* worker pool (NULL when threads == 1) */
    int reference;                  /* evaluate with the plain-loop reference kernels */
    int prepared;                   /* 1 after a successful prepare */
    int failed;                     /* a prepare failed: the graph is unusable */
} glim_graph;

/* ---- lifetime ------------------------------------------------------------ */

/* A new empty graph. ENOMEM. Caller frees with glim_graph_free. */
GLIM_API glim_status glim_graph_new(glim_graph **out, glim_error *err);
/* Frees everything the graph owns (arena, constants, threads). NULL is a no-op. */
GLIM_API void glim_graph_free(glim_graph *g);

/* ---- building ------------------------------------------------------------ */

/* Add a tensor; returns its index (>= 0) or -1 (err filled: EINVAL for a bad
 * dtype/rank/dim, ENOMEM). `name` is copied (NULL gives "t<index>").
 * ndim == -1 leaves the shape to be inferred by prepare (activations only);
 * a declared activation shape is checked against the inferred one. */
GLIM_API int glim_graph_add_tensor(glim_graph *g, const char *name, glim_dtype dtype, int ndim,
                                   const int64_t *shape, glim_tensor_kind kind, glim_error *err);

/* Memory for constant data, 64-byte aligned, owned by the graph and stable
 * until glim_graph_free. NULL + ENOMEM on failure. */
GLIM_API void *glim_graph_const_alloc(glim_graph *g, size_t bytes, glim_error *err);
/* Optional: reserve one block of `bytes` up front so that the following
 * glim_graph_const_alloc calls (totalling at most `bytes`, each rounded up to
 * 64) come from a single allocation. Returns the block's start or NULL. */
GLIM_API void *glim_graph_weights_reserve(glim_graph *g, size_t bytes, glim_error *err);

/* Point constant tensor `idx` at `data` (from glim_graph_const_alloc, or any
 * memory the caller keeps alive and unchanged for the graph's lifetime). */
GLIM_API glim_status glim_graph_set_const(glim_graph *g, int idx, void *data, glim_error *err);
/* Convenience: const_alloc + memcpy of the tensor's nbytes from `src`. */
GLIM_API glim_status glim_graph_set_const_copy(glim_graph *g, int idx, const void *src,
                                               glim_error *err);

/* Attach quantization parameters (copied). n == 1 per-tensor, n > 1 per-channel
 * along `axis`. zero_points may be NULL (all zero). */
GLIM_API glim_status glim_graph_set_quant(glim_graph *g, int idx, int n, int axis,
                                          const float *scales, const int32_t *zero_points,
                                          glim_error *err);

/* Add a node; returns its index or -1. Inputs/outputs are tensor indices
 * (-1 for an absent optional input). `params` is the op's glim_<op>_params
 * and is copied; params_size must equal its sizeof (EINVAL otherwise).
 * params == NULL gives zeroed params (the op's defaults). `name` may be NULL. */
GLIM_API int glim_graph_add_node(glim_graph *g, glim_op_id op, const char *name, int ninputs,
                                 const int *inputs, int noutputs, const int *outputs,
                                 const void *params, size_t params_size, glim_error *err);

/* Declare the graph's inputs and outputs (copied). */
GLIM_API glim_status glim_graph_set_io(glim_graph *g, int ninputs, const int *inputs,
                                       int noutputs, const int *outputs, glim_error *err);

/* ---- running ------------------------------------------------------------- */

/* Validate every node, infer shapes, size scratch, plan and allocate the
 * arena, start `threads` - 1 workers (threads >= 1; 0 means 1). Errors name
 * the node: "prepare: node 'conv_3' (CONV2D): weights have 3 dims, expected 4".
 * May be called again (e.g. with another thread count). A failed prepare
 * leaves the graph in a failed state (later calls return EINVAL). */
GLIM_API glim_status glim_graph_prepare(glim_graph *g, int threads, glim_error *err);

/* Evaluate every node. The caller has written the inputs' data (each input's
 * data pointer is stable between prepares). Fails only with EINVAL when the
 * graph is not prepared. Outputs stay valid until the next run/prepare. */
GLIM_API glim_status glim_graph_run(glim_graph *g, glim_error *err);

/* Tests and debugging: when on, run uses each op's plain-loop reference
 * kernel instead of its fast path (same results within float rounding). */
GLIM_API void glim_graph_set_reference(glim_graph *g, int on);

/* ---- inspection ---------------------------------------------------------- */

/* Tensor `idx` or NULL when out of range. */
GLIM_API glim_gtensor *glim_graph_tensor(glim_graph *g, int idx);
/* Index of the first tensor named `name`, or -1. */
GLIM_API int glim_graph_find_tensor(const glim_graph *g, const char *name);
/* "CONV2D" etc.; "?" for an unknown id. */
GLIM_API const char *glim_op_name(glim_op_id op);
/* Parse an op name ("CONV2D"); returns 0 and sets *out, or -1. */
GLIM_API int glim_op_parse(const char *name, glim_op_id *out);

typedef struct glim_graph_stats {
    size_t arena_bytes;      /* planned arena: activations + scratch, with reuse */
    size_t activation_bytes; /* sum of all activation/input bytes (no reuse) */
    size_t scratch_bytes;    /* largest single node scratch */
    size_t weights_bytes;    /* constant data */
    int nodes, tensors;
    double flops;            /* multiply-adds counted as 2, per run */
} glim_graph_stats;

/* Stats of a prepared graph (zeros for the arena fields before prepare). */
GLIM_API void glim_graph_get_stats(const glim_graph *g, glim_graph_stats *out);

#endif
