/*
 * onnx_internal.h — what the ONNX importer's files share.
 *
 *   onnx_pb.c     a bounds-checked protobuf wire reader
 *   onnx.c        ModelProto -> onnx_model (the decoded file, owning its data)
 *   onnx_build.c  onnx_model + concrete input shapes -> glim_graph: values,
 *                 layout (NCHW/NHWC), constant folding, node emission
 *   onnx_ops.c    the table of translators (one per ONNX op type) and
 *                 the elementwise ones; the others by family in
 *                 onnx_ops_conv.c, onnx_ops_shape.c, onnx_ops_math.c and
 *                 onnx_rnn.c (shared declarations: onnx_ops.h)
 *
 * Field numbers and enums are onnx.proto's (ModelProto, GraphProto,
 * NodeProto, AttributeProto, TensorProto, ValueInfoProto, TypeProto,
 * TensorShapeProto). The decoded model keeps no pointer into the file: the
 * file's bytes are borrowed for the load only.
 */
#ifndef GLIMPSE_ONNX_INTERNAL_H
#define GLIMPSE_ONNX_INTERNAL_H

#include "../graph.h"
#include "../model.h"

#include <stdint.h>
#include <stddef.h>

/* ---- protobuf wire reader (onnx_pb.c) ------------------------------------ */

enum { PB_VARINT = 0, PB_I64 = 1, PB_LEN = 2, PB_I32 = 5 };

typedef struct pb_cursor {
    const uint8_t *p, *end;
} pb_cursor;

/* Each returns 1 on success and 0 on a truncated or malformed encoding. */
int pb_varint(pb_cursor *c, uint64_t *v);
/* Next field tag; 0 at the end of the message (then *field = 0). -1 malformed. */
int pb_next(pb_cursor *c, uint32_t *field, uint32_t *wire);
/* The payload of a length-delimited field, as a sub-cursor. */
int pb_len(pb_cursor *c, pb_cursor *sub);
int pb_fixed32(pb_cursor *c, uint32_t *v);
int pb_fixed64(pb_cursor *c, uint64_t *v);
/* Skip a field's payload of the given wire type. */
int pb_skip(pb_cursor *c, uint32_t wire);
/* Count the elements of a repeated scalar field (packed payload or one
 * unpacked element); used to size arrays before filling them. */
int pb_packed_count(const pb_cursor *payload, uint32_t elem_wire, size_t *n);

/* ---- ONNX enums ---------------------------------------------------------- */

enum {
    OX_UNDEFINED = 0, OX_FLOAT = 1, OX_UINT8 = 2, OX_INT8 = 3, OX_UINT16 = 4, OX_INT16 = 5,
    OX_INT32 = 6, OX_INT64 = 7, OX_STRING = 8, OX_BOOL = 9, OX_FLOAT16 = 10, OX_DOUBLE = 11,
    OX_UINT32 = 12, OX_UINT64 = 13, OX_COMPLEX64 = 14, OX_COMPLEX128 = 15, OX_BFLOAT16 = 16,
};
enum {
    OXA_UNDEFINED = 0, OXA_FLOAT = 1, OXA_INT = 2, OXA_STRING = 3, OXA_TENSOR = 4, OXA_GRAPH = 5,
    OXA_FLOATS = 6, OXA_INTS = 7, OXA_STRINGS = 8, OXA_TENSORS = 9, OXA_GRAPHS = 10,
};

/* ---- the decoded model (onnx.c) ------------------------------------------- */

/* A constant tensor (initializer, Constant node, attribute). Data is
 * converted once: float types -> float32, integer types -> int64, bool ->
 * uint8 (dtype says which: GLIM_F32, GLIM_I64, GLIM_BOOL). `onnx_type`
 * keeps the file's type (Cast and outputs use it). */
typedef struct onnx_tensor {
    const char *name;
    int onnx_type;
    glim_dtype dtype;
    int ndim;
    int64_t dims[GLIM_MAX_DIMS];
    int64_t count;
    void *data; /* model-owned, 64-byte aligned */
} onnx_tensor;

typedef struct onnx_attr {
    const char *name;
    int type;        /* OXA_* */
    float f;
    int64_t i;
    const char *s;   /* NUL-terminated copy */
    int n;           /* floats / ints count */
    float *floats;
    int64_t *ints;
    onnx_tensor *t;
    int nstrings;        /* strings (copies, NUL-terminated) */
    const char **strings;
} onnx_attr;

typedef struct onnx_node {
    const char *name;    /* never NULL ("" -> "<op_type>_<index>") */
    const char *op_type;
    const char *domain;
    int nin, nout;
    int *in, *out;       /* value ids; -1 for an absent ("") optional input */
    int nattr;
    onnx_attr *attrs;
} onnx_node;

/* One named value of the graph. */
typedef struct onnx_value {
    const char *name;
    int init;            /* initializer index or -1 */
    int producer;        /* node index or -1 */
    int uses;            /* consumer count (nodes + graph outputs) */
    /* declared type from graph input/output/value_info (0 when unknown) */
    int elem_type;
    int ndim;            /* -1 unknown */
    int64_t dims[GLIM_MAX_DIMS]; /* -1 for a dim_param / unknown dim */
} onnx_value;

typedef struct onnx_block onnx_block;

typedef struct onnx_model {
    int64_t ir_version;
    int opset;           /* the default domain's version */
    onnx_node *nodes;
    int nnodes;
    onnx_tensor *inits;
    int ninits;
    onnx_value *values;
    int nvalues, values_cap;
    int *hash;           /* open addressing over values by name */
    int hash_cap;
    int *inputs, ninputs;   /* graph inputs that are not initializers */
    int *outputs, noutputs;
    onnx_block *blocks;  /* arena: everything above lives here */
    size_t data_bytes;   /* converted initializer bytes */
} onnx_model;

/* Decode a file; *out is freed with onnx_model_free. EFORMAT (malformed,
 * truncated), EUNSUPPORTED (external data, opset < 7, sub-graphs, types),
 * ELIMIT, ENOMEM. */
glim_status onnx_model_decode(const void *bytes, size_t len, const glim_model_opts *opts,
                              onnx_model **out, glim_error *err);
void onnx_model_free(onnx_model *m);
/* 1 when the bytes parse as a ModelProto holding a graph (cheap: field tags
 * and lengths only). */
int onnx_sniff(const void *bytes, size_t len);
void *onnx_arena_alloc(onnx_model *m, size_t bytes); /* zeroed, 64-aligned */
const onnx_attr *onnx_attr_find(const onnx_node *n, const char *name);

/* ---- graph building (onnx_build.c) ---------------------------------------- */

enum { OL_NCHW = 0, OL_NHWC = 1 };

/* A value while building: its logical (ONNX) shape, and either host data
 * (a constant, possibly folded) or graph tensors. */
typedef struct ob_value {
    int defined;
    glim_dtype dtype;    /* graph dtype (F32, I32, I64, BOOL) */
    int onnx_type;       /* for constants: the ONNX type (Cast, outputs) */
    int ndim;
    int64_t shape[GLIM_MAX_DIMS];
    void *cdata;         /* constant: F32 float*, ints int64_t*, BOOL uint8_t*; else NULL */
    int cowned;          /* cdata allocated by the builder (freed with it) */
    int layout;          /* OL_NHWC: the runtime tensor `gt` is 4-D NHWC */
    int gt;              /* graph tensor in `layout`, -1 until made */
    int gt_other;        /* the same value transposed to the other layout, -1 */
} ob_value;

/* Cached weights converted for the engine, shared by every graph built from
 * one model (keyed by node index and a slot number). */
typedef struct ob_wcache {
    int node, slot;
    void *data;
    int ndim;
    int64_t shape[GLIM_MAX_DIMS];
    struct ob_wcache *next;
} ob_wcache;

typedef struct ob_ctx {
    onnx_model *m;
    glim_graph *g;
    glim_error *err;
    const glim_model_opts *opts;
    ob_value *v;         /* per onnx value */
    uint8_t *skip;       /* per node: consumed by a fusion */
    ob_wcache **wcache;  /* model-level cache (may be NULL) */
    int node;            /* node being translated */
    size_t act_bytes;    /* runtime tensors so far (opts->max_activation_bytes) */
    int failed;
} ob_ctx;

typedef glim_status (*onnx_translate_fn)(ob_ctx *c, const onnx_node *n);
typedef struct onnx_op_entry {
    const char *op_type;
    onnx_translate_fn fn;
} onnx_op_entry;

/* onnx_ops.c */
const onnx_op_entry *onnx_find_op(const char *op_type);
/* The translator of node n (default domain only), or NULL with err set to
 * "unsupported op ..." naming the op, its opset or domain, and the node. */
const onnx_op_entry *onnx_node_op(const onnx_model *m, const onnx_node *n, glim_error *err);

/* onnx_build.c: helpers for the translators */
glim_status ob_fail(ob_ctx *c, const onnx_node *n, glim_status code, const char *fmt, ...)
    GLIM_PRINTF(4, 5);
ob_value *ob_in(ob_ctx *c, const onnx_node *n, int k); /* NULL when absent */
/* Require input k present. */
glim_status ob_need(ob_ctx *c, const onnx_node *n, int k, ob_value **out);
int64_t ob_attr_int(const onnx_node *n, const char *name, int64_t def);
float ob_attr_float(const onnx_node *n, const char *name, float def);
const char *ob_attr_str(const onnx_node *n, const char *name, const char *def);
/* ints attribute: count or -1 when absent. */
int ob_attr_ints(const onnx_node *n, const char *name, int64_t *vals, int max);
/* Graph tensor for v in the requested layout (OL_NHWC only for 4-D values),
 * inserting a TRANSPOSE or materialising a constant. -1 on failure. */
int ob_tensor(ob_ctx *c, ob_value *v, int layout);
/* As ob_tensor; a constant of rank < 4 asked for in NHWC is first given
 * leading 1-sized dims (a broadcast operand of a 4-D NHWC value). */
int ob_tensor4(ob_ctx *c, ob_value *v, int layout);
/* Define output k of n as a new runtime tensor (physical shape from the
 * logical one and the layout); returns the graph tensor or -1. */
int ob_out(ob_ctx *c, const onnx_node *n, int k, glim_dtype dt, int ndim, const int64_t *shape,
           int layout);
/* Define output k of n as a constant with builder-owned data (taken over). */
glim_status ob_out_const(ob_ctx *c, const onnx_node *n, int k, glim_dtype dt, int onnx_type,
                         int ndim, const int64_t *shape, void *data);
/* Output k of n is the same value as v (Identity, Dropout, fused ops). */
glim_status ob_alias(ob_ctx *c, const onnx_node *n, int k, const ob_value *v);
/* Add a node; returns GLIM_OK or the error. */
glim_status ob_node(ob_ctx *c, const onnx_node *n, glim_op_id op, int nin, const int *in,
                    int nout, const int *out, const void *params, size_t psize);
/* A new intermediate runtime tensor (name derived from the node). */
int ob_temp(ob_ctx *c, const onnx_node *n, const char *suffix, glim_dtype dt, int ndim,
            const int64_t *shape);
/* A graph constant from host data (copied into graph memory). */
int ob_const(ob_ctx *c, const char *name, glim_dtype dt, int ndim, const int64_t *shape,
             const void *data);
/* A graph constant on cached model memory (not copied). */
int ob_const_ref(ob_ctx *c, const char *name, glim_dtype dt, int ndim, const int64_t *shape,
                 void *data);
/* Builder memory freed with the builder. */
void *ob_alloc(ob_ctx *c, size_t bytes);
/* Weight cache lookup / insert (data must be glim_alloc'd; the cache owns it). */
ob_wcache *ob_cache_get(ob_ctx *c, int slot);
ob_wcache *ob_cache_put(ob_ctx *c, int slot, void *data, int ndim, const int64_t *shape);
/* Insert a converted weight (slot 0) and its 1-D bias or shift (slot 1, n
 * values); the cache owns both buffers, also when this fails. */
glim_status ob_cache_pair(ob_ctx *c, void *w, int ndim, const int64_t *shape, void *b, int64_t n,
                          ob_wcache **wc, ob_wcache **bc);
/* Element i of a constant as double / int64. */
double ob_cget(const ob_value *v, int64_t i);
int64_t ob_cgeti(const ob_value *v, int64_t i);
int64_t ob_count(const ob_value *v);
/* Number of consumers of output k of node n. */
int ob_uses(ob_ctx *c, const onnx_node *n, int k);
/* The single consumer node of output k of n, or -1. */
int ob_single_consumer(ob_ctx *c, const onnx_node *n, int k);
/* Logical axis -> physical axis for a 4-D NHWC value. */
static inline int ob_nhwc_axis(int a) { return a == 0 ? 0 : a == 1 ? 3 : a - 1; }

/* Build a graph for the given concrete input shapes (one per graph input,
 * logical ONNX shapes). Fills the model I/O (logical shapes). */
glim_status onnx_build(onnx_model *m, const glim_model_opts *opts, ob_wcache **cache,
                       const int *in_ndim, const int64_t (*in_shape)[GLIM_MAX_DIMS],
                       glim_graph **graph, glim_model_io *ins, glim_model_io *outs,
                       glim_error *err);
void onnx_cache_free(ob_wcache *c);
/* The engine dtype that holds an ONNX element type (float16/double as
 * float32, unsigned 16/32/64-bit as int64); 0 when there is none. */
int onnx_graph_dtype(int onnx_type, glim_dtype *out);

#endif
