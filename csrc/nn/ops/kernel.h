/*
 * kernel.h — what an op file implements, and the helpers it may use.
 * Internal to the engine (not installed, not seen by importers).
 *
 * Each op file exports `const glim_op_vtable glim_op_<stem>` (ops.def):
 *   prepare: validate inputs, params and dtypes, infer and set output shapes
 *            (glim_out_shape), set node->scratch; every error goes through
 *            glim_node_fail so that it names the node. May allocate op state
 *            in the graph pool (glim_graph_pool_alloc).
 *   eval:    compute. Never fails, never allocates; scratch is
 *            node->scratch_data (node->scratch bytes, 64-byte aligned).
 *   flops:   multiply-adds counted as 2 (for benchmarks); may be NULL.
 */
#ifndef GLIMPSE_KERNEL_H
#define GLIMPSE_KERNEL_H

#include "../graph.h"

typedef struct glim_op_vtable {
    const char *name;
    size_t params_size; /* sizeof its glim_<op>_params, 0 if none */
    glim_status (*prepare)(glim_graph *g, glim_node *n, glim_error *err);
    void (*eval)(glim_graph *g, const glim_node *n);
    double (*flops)(const glim_graph *g, const glim_node *n);
} glim_op_vtable;

#define OP(id, stem) extern const glim_op_vtable glim_op_##stem;
#include "ops.def"
#undef OP

/* The vtable of an op id, NULL for an unknown id. */
const glim_op_vtable *glim_op_vtable_of(glim_op_id op);

/* "prepare: node 'conv_3' (CONV2D): <detail>" */
glim_status glim_node_fail(const glim_node *n, glim_error *err, glim_status code,
                           const char *fmt, ...) GLIM_PRINTF(4, 5);

/* Memory that lives as long as the graph (for op state computed at prepare). */
void *glim_graph_pool_alloc(glim_graph *g, size_t bytes);

/* Input slot i of n, or NULL when absent (-1) or out of range. */
static inline glim_gtensor *glim_in(glim_graph *g, const glim_node *n, int i)
{
    if (i < 0 || i >= n->ninputs || n->inputs[i] < 0) return NULL;
    return &g->tensors[n->inputs[i]];
}
static inline glim_gtensor *glim_out(glim_graph *g, const glim_node *n, int i)
{
    return &g->tensors[n->outputs[i]];
}

/* Require input i present with the given dtype (or any when dtype < 0) and a
 * rank within [min_rank, max_rank]. */
glim_status glim_need_input(glim_graph *g, const glim_node *n, int i, int dtype, int min_rank,
                            int max_rank, const char *what, glim_error *err);
/* CONV2D and CONV_TRANSPOSE: x [N,H,W,Cin] and constant w [Cout,KH,KW,Cin]
 * float32, an optional bias [Cout], one output, a valid fused act. */
glim_status glim_need_conv_inputs(glim_graph *g, const glim_node *n, glim_activation act,
                                  glim_error *err);
/* Require exactly/at least counts of inputs and outputs. */
glim_status glim_need_arity(const glim_node *n, int min_in, int max_in, int nout,
                            glim_error *err);
/* Set the inferred shape and dtype of output k (checked against a declared
 * shape by the executor). */
glim_status glim_out_shape(glim_graph *g, const glim_node *n, int k, glim_dtype dtype, int ndim,
                           const int64_t *shape, glim_error *err);

/* Resolve SAME/VALID/EXPLICIT padding of one spatial axis; returns the output
 * size or -1 when it would be < 1. */
int64_t glim_conv_out_size(int64_t in, int k, int stride, int dilation, glim_padding pad,
                           int *pad_before, int *pad_after);

/* Validate a convolution's strides, dilation and padding (resolving SAME and
 * VALID into explicit pads in *p) and compute its output size for a
 * kh x kw kernel over NHWC input x. Shared by CONV2D and DEPTHWISE_CONV2D. */
glim_status glim_conv_geometry(const glim_node *n, glim_conv2d_params *p, const glim_gtensor *x,
                               int64_t kh, int64_t kw, int64_t *oh, int64_t *ow,
                               glim_error *err);

/* Apply a fused activation to n floats in place. */
void glim_apply_act(float *x, int64_t n, glim_activation act);
static inline float glim_act1(float v, glim_activation act)
{
    switch (act) {
    case GLIM_ACT_RELU: return v < 0.f ? 0.f : v;
    case GLIM_ACT_RELU6: return v < 0.f ? 0.f : (v > 6.f ? 6.f : v);
    case GLIM_ACT_RELU_N1_TO_1: return v < -1.f ? -1.f : (v > 1.f ? 1.f : v);
    default: return v;
    }
}
/* Clamp range of the clamp-style activations (NONE gives +-inf). Returns 0
 * for TANH / SIGMOID (not a clamp). */
int glim_act_range(glim_activation act, float *lo, float *hi);
glim_status glim_check_act(const glim_node *n, glim_activation act, glim_error *err);

/* Run fn(ctx, begin, end) over [0, total) split across the graph's threads
 * (the calling thread takes a share). Chunks are at least `grain` long. */
typedef void (*glim_range_fn)(void *ctx, int64_t begin, int64_t end);
void glim_parallel_for(glim_graph *g, int64_t total, int64_t grain, glim_range_fn fn, void *ctx);

/* numpy broadcasting of up to three operands (ops.c): the output shape,
 * then a walk over the output in inner runs. */
typedef struct glim_bcast {
    int rank;
    int64_t shape[GLIM_MAX_DIMS];
    int64_t st[3][GLIM_MAX_DIMS]; /* element strides per operand, 0 when broadcast */
} glim_bcast;
/* Output shape of broadcasting k tensors; -1 with the failing dim in
 * *bad_dim when they do not broadcast. */
int glim_bcast_shape(glim_gtensor *const *t, int k, int *rank, int64_t *shape, int *bad_dim);
/* The strides of k tensors against the output y (a rank-0 y is one run of
 * length 1). */
void glim_bcast_plan(glim_gtensor *const *t, int k, const glim_gtensor *y, glim_bcast *b);
/* fn(ctx, operand offsets, output offset, len, unit) for each inner run of
 * the output; unit[i] is 1 when operand i advances along the run, 0 when
 * it repeats one element. */
typedef void (*glim_bcast_run)(void *ctx, const int64_t *off, int64_t yo, int64_t len,
                               const int *unit);
void glim_bcast_walk(const glim_bcast *b, int k, glim_bcast_run fn, void *ctx);

/* Weights packed for glim_gemm_packed (gemm.c): panels of 16 columns. */
enum { GLIM_GEMM_PLAIN = 0, GLIM_GEMM_AVX2 = 1, GLIM_GEMM_AVX512 = 2 };
typedef struct glim_packed {
    int64_t n, k, npanels, nfull; /* nfull: full 16-column panels */
    int isa;     /* micro-kernel: the best compiled in; tests may lower it */
    int stream;  /* write C with streaming stores (outputs much larger than caches) */
    int in_place; /* data replaced the weights' own memory */
    float *data; /* [nfull][k][16] */
    float *tail; /* [k][16]: the last partial panel, zero-padded (or NULL) */
    float *bias; /* [npanels * 16], zero where absent */
    int fused_residual; /* a following ADD computes this conv (conv2d.c, eltwise.c) */
} glim_packed;
/* The best micro-kernel this build has (GLIM_GEMM_*). */
int glim_gemm_best_isa(void);
/* Pack w [n, k] (and bias [n] or NULL). The full panels go to `in_place`
 * (== w: overwrites the weights) or, when NULL, to graph-pool memory. */
glim_status glim_pack_weights(glim_graph *g, const float *w, const float *bias, int64_t n,
                              int64_t k, glim_packed *out, float *in_place);
/* Element [row, kk] of the original w, read from the packed layout. */
float glim_packed_weight(const glim_packed *w, int64_t row, int64_t kk);
/* 1 if [p, p + bytes) lies inside the graph's constant memory (writable). */
int glim_graph_owns_const(const glim_graph *g, const void *p, size_t bytes);
/* C[i, :n] = clamp(bias + A[i, :k] · Wᵀ, lo, hi) for rows [m0, m1). */
void glim_gemm_packed(const float *a, int64_t lda, const glim_packed *w, float *c, int64_t ldc,
                      int64_t m0, int64_t m1, float lo, float hi);
/* The same for the column panels [p0, p1) only (16 columns each). */
void glim_gemm_packed_cols(const float *a, int64_t lda, const glim_packed *w, float *c,
                           int64_t ldc, int64_t m0, int64_t m1, int64_t p0, int64_t p1, float lo,
                           float hi);

/* As glim_gemm_packed_cols, and then C = clamp(C + R, lo, hi) with R laid
 * out as C (ldc): a residual ADD fused into the store; the product itself is
 * not clamped. res == NULL is glim_gemm_packed_cols. */
void glim_gemm_packed_res(const float *a, int64_t lda, const glim_packed *w, float *c,
                          int64_t ldc, int64_t m0, int64_t m1, int64_t p0, int64_t p1, float lo,
                          float hi, const float *res);

/* CONV2D + ADD fusion. A 1x1 stride-1 CONV2D without activation, on the
 * packed path, whose output only feeds an ADD of a same-shaped tensor, is
 * computed by that ADD: y = act(conv(x) + res) in one pass over y (the
 * conv's own eval then does nothing, except with reference kernels). */
int glim_conv2d_residual_ok(glim_graph *g, const glim_node *conv);
void glim_conv2d_run_residual(glim_graph *g, const glim_node *conv, const float *res, float *y,
                              glim_activation act);

/* RESIZE_* state (resize.c): per output row/column, the two source indices
 * and the weight of the second. `fused` is set by a consumer that computes
 * the resize itself (ARG_MAX over channels); the resize then does nothing. */
typedef struct glim_resize_axis {
    int32_t i0, i1;
    float f;
} glim_resize_axis;
typedef struct glim_resize_state {
    glim_resize_axis *ys, *xs;
    int fused;
} glim_resize_state;

/* On a kernel's inner loop function: GCC's -O2 cost model leaves loops of
 * unknown length scalar; this asks for its dynamic model there (a vector
 * body plus a scalar tail). Results are unchanged (no reassociation). */
#if defined(__GNUC__) && !defined(__clang__)
#define GLIM_VECTORIZE __attribute__((optimize("tree-vectorize", "vect-cost-model=dynamic")))
#else
#define GLIM_VECTORIZE
#endif

/* Vectorised e^x forms (unary.c): y[i] = exp / tanh / sigmoid of x[i] for
 * i < n, within a few ulp; x and y must not overlap. */
void glim_vexp(const float *restrict x, float *restrict y, int64_t n);
/* y[i] = exp(a * x[i] + b) (softmax's shifted exponentials) */
void glim_vexp_affine(const float *restrict x, float *restrict y, int64_t n, float a, float b);
void glim_vtanh(const float *restrict x, float *restrict y, int64_t n);
void glim_vsigmoid(const float *restrict x, float *restrict y, int64_t n);

#if defined(__SSE__)
#include <xmmintrin.h>
/* GLIM_FLUSH_BEGIN ... GLIM_FLUSH_END around a kernel's body: denormal
 * operands (tiny activations, e.g. after sigmoid gates) send FMAs down a
 * microcode path several times slower, so the fast kernels flush them to
 * zero for their own duration (FTZ | DAZ) and restore the caller's mode.
 * Results differ from the reference loops only below 1e-38. */
#define GLIM_FLUSH_BEGIN                              \
    const unsigned int saved_csr_ = _mm_getcsr();     \
    _mm_setcsr(saved_csr_ | 0x8040u);
#define GLIM_FLUSH_END _mm_setcsr(saved_csr_);
#else
#define GLIM_FLUSH_BEGIN
#define GLIM_FLUSH_END
#endif

/* Thread pool (threads.c). */
struct glim_threads *glim_threads_new(int n);
void glim_threads_free(struct glim_threads *t);
/* Run fn(ctx, task, thread) for tasks 0..ntasks-1 on the pool and the
 * calling thread; `thread` is 0 for the caller and 1..n for the workers
 * (index per-thread scratch with it). t == NULL runs them all here. */
void glim_threads_run(struct glim_threads *t, int ntasks,
                      void (*fn)(void *ctx, int task, int thread), void *ctx);

/* Sets OpenBLAS's thread count; the first call also makes sure OpenBLAS
 * runs kernels for this CPU (threads.c). */
void glim_blas_set_threads(int n);
/* OpenBLAS's kernel family ("Haswell", "SkylakeX", ...), after that check. */
const char *glim_blas_core(void);

#endif
