/*
 * unary.c — elementwise float32 math ops without a fused activation:
 *   EXP         y = exp(x)          (within 1 ulp: glim_vexp below)
 *   LOG         y = log(x)          (-inf at 0, NaN below, as IEEE)
 *   NEG         y = -x
 *   ABS         y = |x|
 *   RECIPROCAL  y = 1 / x           (+-inf at +-0, as IEEE)
 *   ERF         y = erf(x)          (within 1.5 ulp)
 *   GELU        y = x * Phi(x): exact, 0.5 x (1 + erf(x / sqrt 2)) (ONNX Gelu,
 *               torch gelu), or with params.approximate = 1 the tanh form
 *               0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))). The exact
 *               form takes 1 + erf(z) as erfc(|z|) for negative x, so small
 *               negative outputs keep their precision (no cancellation):
 *               within 14 ulp for x >= -3 (what rounding x / sqrt 2 costs
 *               there), within 5e-9 absolute below.
 * Any rank (0..GLIM_MAX_DIMS); output shape = input shape. EXP, ERF and
 * GELU use the branch-free e^x, tanh and erf below, which the compiler
 * vectorises (libm's expf is a call per element: about 5x slower on a
 * 640x640 map); NEG, ABS and RECIPROCAL are plain vectorised loops; LOG
 * calls libm. Large tensors are split across threads.
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

/* erfc(a) for a >= 0.9: e^-a^2 g(a), g by a degree-9 least-squares fit
 * in 1/a on [0.9, 3.92] (relative error 3e-7 in float32) and by four
 * terms of its asymptotic series above (1e-4 at 3.92, falling fast; only
 * GELU's outputs below 1.3e-7 in size use it). NaN stays NaN. */
static inline float erfc_tail(float a)
{
    float u = 1.f / a;
    float g = 1.585862871e-02f;
    g = g * u - 9.685576767e-02f;
    g = g * u + 2.376762875e-01f;
    g = g * u - 2.608262439e-01f;
    g = g * u + 4.046419223e-04f;
    g = g * u + 3.632923081e-01f;
    g = g * u - 4.239278685e-01f;
    g = g * u + 3.138106247e-02f;
    g = g * u + 5.603832316e-01f;
    g = g * u + 1.973047083e-04f;
    float w = u * u; /* 1/(a sqrt(pi)) (1 - w/2 + 3w^2/4 - 15w^3/8) */
    float as = u * 0.56418958354775629f * (1.f + w * (-0.5f + w * (0.75f + w * -1.875f)));
    return v_exp(-a * a) * (a > 3.92f ? as : g);
}

/* erf(x) - x for |x| < 0.9: x q(x^2) with q = erf(x)/x - 1 (a degree-6
 * fit in x^2, relative error 3e-10), so erf = x + x q keeps its leading
 * term exact. */
static inline float erf_minus_x(float x)
{
    float t = x * x;
    float p = 8.508397477e-05f;
    p = p * t - 8.174486397e-04f;
    p = p * t + 5.203753065e-03f;
    p = p * t - 2.686046336e-02f;
    p = p * t + 1.128371416e-01f;
    p = p * t - 3.761263492e-01f;
    p = p * t + 1.283791668e-01f;
    return x * p;
}

/* erf within 1.5 ulp; +-1 from |x| = 3.92 (erfc(3.92) is below half an
 * ulp of 1) */
static inline float v_erf(float x)
{
    float a = fabsf(x);
    float big = a >= 3.92f ? 1.f : 1.f - erfc_tail(a);
    return a < 0.9f ? x + erf_minus_x(x) : (a == a ? copysignf(big, x) : x);
}

/* x Phi(x) = x/2 (1 + erf(z)), z = x / sqrt 2; for z <= -0.9, 1 + erf(z)
 * is erfc(|z|) computed directly */
static inline float v_gelu(float x)
{
    float z = x * 0.70710678118654752f, a = fabsf(z);
    float q = erfc_tail(a);
    float s = a < 0.9f ? 1.f + (z + erf_minus_x(z)) : (z < 0 ? q : 2.f - q);
    return 0.5f * x * s;
}

GLIM_VECTORIZE void glim_vexp(const float *restrict x, float *restrict y, int64_t n)
{
    for (int64_t i = 0; i < n; i++) y[i] = v_exp(x[i]);
}

GLIM_VECTORIZE void glim_vexp_affine(const float *restrict x, float *restrict y, int64_t n,
                                     float a, float b)
{
    for (int64_t i = 0; i < n; i++) y[i] = v_exp(a * x[i] + b);
}

GLIM_VECTORIZE void glim_vtanh(const float *restrict x, float *restrict y, int64_t n)
{
    for (int64_t i = 0; i < n; i++) y[i] = v_tanh(x[i]);
}

/* 1 / (1 + e^-x): within 2.5 ulp for results above 1e-37 */
GLIM_VECTORIZE void glim_vsigmoid(const float *restrict x, float *restrict y, int64_t n)
{
    for (int64_t i = 0; i < n; i++) y[i] = 1.f / (1.f + v_exp(-x[i]));
}

GLIM_VECTORIZE static void un_range(void *arg, int64_t b, int64_t e)
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
        for (int64_t i = b; i < e; i++) y[i] = v_erf(x[i]);
        break;
    case GLIM_OP_GELU:
        if (j->approximate) {
            const float c = 0.7978845608028654f; /* sqrt(2 / pi) */
            for (int64_t i = b; i < e; i++) {
                float v = x[i];
                y[i] = 0.5f * v * (1.f + v_tanh(c * (v + 0.044715f * v * v * v)));
            }
        } else {
            for (int64_t i = b; i < e; i++) y[i] = v_gelu(x[i]);
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
    /* the function evaluations cost more per element: smaller chunks pay off */
    int cheap = n->op == GLIM_OP_NEG || n->op == GLIM_OP_ABS || n->op == GLIM_OP_RECIPROCAL;
    glim_parallel_for(g, y->count, cheap ? 16384 : 4096, un_range, &j);
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
