/*
 * unary.c — elementwise float32 math ops without a fused activation:
 *   EXP         y = exp(x)
 *   LOG         y = log(x)          (-inf at 0, NaN below, as IEEE)
 *   NEG         y = -x
 *   ABS         y = |x|
 *   RECIPROCAL  y = 1 / x           (+-inf at +-0, as IEEE)
 *   ERF         y = erf(x)          (the C library's erff: within 1-2 ulp)
 *   GELU        y = x * Phi(x): exact, 0.5 x (1 + erf(x / sqrt 2)) (ONNX Gelu,
 *               torch gelu), or with params.approximate = 1 the tanh form
 *               0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
 * Any rank (0..GLIM_MAX_DIMS); output shape = input shape. NEG, ABS and
 * RECIPROCAL are plain loops the compiler vectorises; the others call libm
 * per element. Large tensors are split across threads.
 */
#include "kernel.h"

#include <math.h>

typedef struct un_job {
    glim_op_id op;
    int approximate;
    const float *x;
    float *y;
} un_job;

static glim_status un_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_status st;
    if ((st = glim_need_arity(n, 1, 1, 1, err)) ||
        (st = glim_need_input(g, n, 0, GLIM_F32, 0, GLIM_MAX_DIMS, "input", err)))
        return st;
    if (n->op == GLIM_OP_GELU) {
        const glim_gelu_params *p = n->params;
        if (p->approximate != 0 && p->approximate != 1)
            return glim_node_fail(n, err, GLIM_EINVAL, "approximate is %d, expected 0 or 1",
                                  p->approximate);
    }
    glim_gtensor *x = glim_in(g, n, 0);
    return glim_out_shape(g, n, 0, GLIM_F32, x->ndim, x->shape, err);
}

/* GCC's -O2 cost model leaves loops of unknown length scalar: ask for its
 * dynamic model here (vector body plus a scalar tail). */
#if defined(__GNUC__) && !defined(__clang__)
#define VECTORIZE __attribute__((optimize("tree-vectorize", "vect-cost-model=dynamic")))
#else
#define VECTORIZE
#endif

VECTORIZE static void un_range(void *arg, int64_t b, int64_t e)
{
    const un_job *j = arg;
    const float *restrict x = j->x;
    float *restrict y = j->y;
    switch (j->op) {
    case GLIM_OP_EXP:
        for (int64_t i = b; i < e; i++) y[i] = expf(x[i]);
        break;
    case GLIM_OP_LOG:
        for (int64_t i = b; i < e; i++) y[i] = logf(x[i]);
        break;
    case GLIM_OP_NEG:
        for (int64_t i = b; i < e; i++) y[i] = -x[i];
        break;
    case GLIM_OP_ABS:
        for (int64_t i = b; i < e; i++) y[i] = fabsf(x[i]);
        break;
    case GLIM_OP_RECIPROCAL:
        for (int64_t i = b; i < e; i++) y[i] = 1.f / x[i];
        break;
    case GLIM_OP_ERF:
        for (int64_t i = b; i < e; i++) y[i] = erff(x[i]);
        break;
    case GLIM_OP_GELU:
        if (j->approximate) {
            const float c = 0.7978845608028654f; /* sqrt(2 / pi) */
            for (int64_t i = b; i < e; i++) {
                float v = x[i];
                y[i] = 0.5f * v * (1.f + tanhf(c * (v + 0.044715f * v * v * v)));
            }
        } else {
            for (int64_t i = b; i < e; i++) {
                float v = x[i];
                y[i] = 0.5f * v * (1.f + erff(v * 0.7071067811865476f));
            }
        }
        break;
    default: break;
    }
}

static void un_eval(glim_graph *g, const glim_node *n)
{
    glim_gtensor *x = glim_in(g, n, 0), *y = glim_out(g, n, 0);
    un_job j = {n->op, 0, x->data, y->data};
    if (n->op == GLIM_OP_GELU) j.approximate = ((const glim_gelu_params *)n->params)->approximate;
    /* the libm calls cost tens of cycles each: smaller chunks pay off */
    int cheap = n->op == GLIM_OP_NEG || n->op == GLIM_OP_ABS || n->op == GLIM_OP_RECIPROCAL;
    glim_parallel_for(g, y->count, cheap ? 16384 : 2048, un_range, &j);
}

static double un_flops(const glim_graph *g, const glim_node *n)
{
    return (double)g->tensors[n->outputs[0]].count;
}

#define UNARY(stem, NAME, psize) \
    const glim_op_vtable glim_op_##stem = {#NAME, psize, un_prepare, un_eval, un_flops};
UNARY(exp, EXP, 0)
UNARY(log, LOG, 0)
UNARY(neg, NEG, 0)
UNARY(abs, ABS, 0)
UNARY(reciprocal, RECIPROCAL, 0)
UNARY(erf, ERF, 0)
UNARY(gelu, GELU, sizeof(glim_gelu_params))
