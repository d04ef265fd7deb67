/*
 * unary.c — elementwise float32 math ops without a fused activation:
 *   EXP         y = exp(x)          (within 1 ulp: glim_vexp below)
 *   LOG         y = log(x)          (-inf at 0, NaN below, as IEEE)
 *   NEG         y = -x
 *   ABS         y = |x|
 *   RECIPROCAL  y = 1 / x           (+-inf at +-0, as IEEE)
 *   ERF         y = erf(x)          (the C library's erff: within 1-2 ulp)
 *   GELU        y = x * Phi(x): exact, 0.5 x (1 + erf(x / sqrt 2)) (ONNX Gelu,
 *               torch gelu), or with params.approximate = 1 the tanh form
 *               0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
 * Any rank (0..GLIM_MAX_DIMS); output shape = input shape. EXP and the
 * tanh form of GELU use the branch-free e^x and tanh below, which the
 * compiler vectorises (libm's expf is a call per element: about 5x slower
 * on a 640x640 map); NEG, ABS and RECIPROCAL are plain vectorised loops;
 * LOG, ERF and exact GELU call libm. Large tensors are split across
 * threads.
 *
 * glim_vexp, glim_vtanh and glim_vsigmoid are also used by activation.c
 * (LOGISTIC, TANH).
 */
#include "kernel.h"

#include <math.h>
#include <string.h>

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

static inline uint32_t f_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}
static inline float bits_f(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* e^x for every float x, within 1 ulp (measured over [-110, 95]): n =
 * round(x / ln 2), r = x - n ln 2 with ln 2 in two parts, e^r by Cephes'
 * degree-6 polynomial on [-ln2/2, ln2/2], times 2^n applied as two factors
 * so that denormal results and overflow to inf come out right. NaN stays
 * NaN. Branch-free, no libm call: loops over it vectorise. */
static inline float v_exp(float x)
{
    x = x > 89.f ? 89.f : x;     /* e^89 overflows (to inf, below) */
    x = x < -104.f ? -104.f : x; /* e^-104 underflows to 0 */
    const float magic = 12582912.f; /* 1.5 * 2^23: adding it rounds to an integer */
    float t = x * 1.44269504088896341f + magic;
    float n = t - magic;
    int32_t i = (int32_t)(f_bits(t) - f_bits(magic)); /* n as an integer, -151..129 */
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.f;
    int32_t i1 = i >> 1, i2 = i - i1;
    return p * bits_f((uint32_t)(i1 + 127) << 23) * bits_f((uint32_t)(i2 + 127) << 23);
}

/* tanh within 1.3 ulp: an odd polynomial (Cephes) below |x| = 0.625, where
 * 1 - 2 / (e^2|x| + 1) would cancel, that form above; the sign of x. */
static inline float v_tanh(float x)
{
    float a = fabsf(x), z = a * a;
    float s = -5.70498872745e-3f;
    s = s * z + 2.06390887954e-2f;
    s = s * z - 5.37397155531e-2f;
    s = s * z + 1.33314422036e-1f;
    s = s * z - 3.33332819422e-1f;
    s = s * z * a + a;
    float l = 1.f - 2.f / (v_exp(2.f * a) + 1.f);
    return copysignf(a < 0.625f ? s : l, x);
}

VECTORIZE void glim_vexp(const float *restrict x, float *restrict y, int64_t n)
{
    for (int64_t i = 0; i < n; i++) y[i] = v_exp(x[i]);
}

VECTORIZE void glim_vtanh(const float *restrict x, float *restrict y, int64_t n)
{
    for (int64_t i = 0; i < n; i++) y[i] = v_tanh(x[i]);
}

/* 1 / (1 + e^-x): within 2.5 ulp for results above 1e-37 */
VECTORIZE void glim_vsigmoid(const float *restrict x, float *restrict y, int64_t n)
{
    for (int64_t i = 0; i < n; i++) y[i] = 1.f / (1.f + v_exp(-x[i]));
}

VECTORIZE static void un_range(void *arg, int64_t b, int64_t e)
{
    const un_job *j = arg;
    const float *restrict x = j->x;
    float *restrict y = j->y;
    switch (j->op) {
    case GLIM_OP_EXP:
        for (int64_t i = b; i < e; i++) y[i] = v_exp(x[i]);
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
                y[i] = 0.5f * v * (1.f + v_tanh(c * (v + 0.044715f * v * v * v)));
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
    int cheap = n->op == GLIM_OP_NEG || n->op == GLIM_OP_ABS || n->op == GLIM_OP_RECIPROCAL ||
                n->op == GLIM_OP_EXP;
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
