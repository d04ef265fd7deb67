/*
 * activation.c — unary float32 ops, elementwise, any shape:
 *   RELU        y = max(x, 0)
 *   RELU6       y = min(max(x, 0), 6)
 *   LEAKY_RELU  y = x >= 0 ? x : alpha * x          (params.alpha)
 *   LOGISTIC    y = 1 / (1 + exp(-x))               (TFLite Logistic, ONNX Sigmoid)
 *   TANH        y = tanh(x)
 *               (both through unary.c's vectorised e^x: within 2.5 ulp)
 *   HARD_SWISH  y = x * relu6(x + 3) / 6            (TFLite HardSwish, ONNX HardSwish)
 *   SQRT        y = sqrt(x)                         (NaN for x < 0, as IEEE)
 *   HARD_SIGMOID y = max(0, min(1, alpha * x + beta)) (ONNX HardSigmoid; params
 *               as given: ONNX's defaults are alpha 0.2, beta 0.5, torch's
 *               hardsigmoid is alpha 1/6, beta 0.5)
 *   CLIP        y = min(max(x, min), max)           (params.min / max, +-INFINITY
 *               for an open end; min > max gives max everywhere, as numpy and
 *               torch; NaN stays NaN)
 * Output shape = input shape. Work is split across threads in chunks.
 */
#include "kernel.h"

#include <math.h>

typedef struct act_job {
    glim_op_id op;
    float alpha, beta; /* LEAKY_RELU, HARD_SIGMOID; CLIP's min and max */
    const float *x;
    float *y;
} act_job;

static glim_status act_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_status st;
    if ((st = glim_need_arity(n, 1, 1, 1, err)) ||
        (st = glim_need_input(g, n, 0, GLIM_F32, 0, GLIM_MAX_DIMS, "input", err)))
        return st;
    if (n->op == GLIM_OP_CLIP) {
        const glim_clip_params *p = n->params;
        if (isnan(p->min) || isnan(p->max))
            return glim_node_fail(n, err, GLIM_EINVAL, "min or max is NaN");
    }
    if (n->op == GLIM_OP_HARD_SIGMOID) {
        const glim_hard_sigmoid_params *p = n->params;
        if (!isfinite(p->alpha) || !isfinite(p->beta))
            return glim_node_fail(n, err, GLIM_EINVAL, "alpha and beta must be finite");
    }
    glim_gtensor *x = glim_in(g, n, 0);
    return glim_out_shape(g, n, 0, GLIM_F32, x->ndim, x->shape, err);
}

/* y[i] = EXPR(v = x[i]) over [b, e). */
#define EACH(EXPR)                         \
    for (int64_t i = b; i < e; i++) {      \
        float v = x[i];                    \
        y[i] = (EXPR);                     \
    }

static inline float clampf(float v, float lo, float hi)
{
    v = v < lo ? lo : v;
    return v > hi ? hi : v;
}

GLIM_VECTORIZE static void act_range(void *arg, int64_t b, int64_t e)
{
    const act_job *j = arg;
    const float *restrict x = j->x;
    float *restrict y = j->y;
    const float al = j->alpha, be = j->beta;
    switch (j->op) {
    case GLIM_OP_RELU: EACH(v > 0.f ? v : 0.f); break;
    case GLIM_OP_RELU6: EACH(v > 0.f ? (v < 6.f ? v : 6.f) : 0.f); break;
    case GLIM_OP_LEAKY_RELU: EACH(v >= 0.f ? v : al * v); break;
    case GLIM_OP_LOGISTIC: glim_vsigmoid(x + b, y + b, e - b); break;
    case GLIM_OP_TANH: glim_vtanh(x + b, y + b, e - b); break;
    case GLIM_OP_HARD_SWISH: EACH(v * clampf(v + 3.f, 0.f, 6.f) * (1.f / 6.f)); break;
    case GLIM_OP_SQRT: EACH(sqrtf(v)); break;
    case GLIM_OP_HARD_SIGMOID: EACH(clampf(al * v + be, 0.f, 1.f)); break;
    case GLIM_OP_CLIP: EACH(clampf(v, al, be)); break; /* min, max */
    default: break;
    }
}

static void act_eval(glim_graph *g, const glim_node *n)
{
    glim_gtensor *x = glim_in(g, n, 0), *y = glim_out(g, n, 0);
    act_job j = {n->op, 0.f, 0.f, x->data, y->data};
    if (n->op == GLIM_OP_LEAKY_RELU) j.alpha = ((const glim_leaky_relu_params *)n->params)->alpha;
    if (n->op == GLIM_OP_HARD_SIGMOID) {
        const glim_hard_sigmoid_params *p = n->params;
        j.alpha = p->alpha;
        j.beta = p->beta;
    }
    if (n->op == GLIM_OP_CLIP) {
        const glim_clip_params *p = n->params;
        j.alpha = p->min;
        j.beta = p->max;
    }
    glim_parallel_for(g, y->count, 16384, act_range, &j);
}

static double act_flops(const glim_graph *g, const glim_node *n)
{
    return (double)g->tensors[n->outputs[0]].count;
}

#define ACT(stem, NAME, psize) \
    const glim_op_vtable glim_op_##stem = {#NAME, psize, act_prepare, act_eval, act_flops};
ACT(relu, RELU, 0)
ACT(relu6, RELU6, 0)
ACT(leaky_relu, LEAKY_RELU, sizeof(glim_leaky_relu_params))
ACT(logistic, LOGISTIC, 0)
ACT(tanh, TANH, 0)
ACT(hard_swish, HARD_SWISH, 0)
ACT(sqrt, SQRT, 0)
ACT(hard_sigmoid, HARD_SIGMOID, sizeof(glim_hard_sigmoid_params))
ACT(clip, CLIP, sizeof(glim_clip_params))
