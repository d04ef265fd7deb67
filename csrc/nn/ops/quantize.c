/*
 * quantize.c — QUANTIZE and DEQUANTIZE: the float <-> quantized edges of
 * the float32 graph (TFLite Quantize / Dequantize, ONNX QuantizeLinear /
 * DequantizeLinear), with affine parameters from the graph tensors.
 *
 *   DEQUANTIZE: y = scale[c] * (q - zero_point[c])   (input's quantization)
 *     q uint8 / int8 / int16 / int32 -> y float32. A float32 input is copied.
 *   QUANTIZE:   q = clamp(round(x / scale[c]) + zero_point[c], qmin, qmax)
 *     (output's quantization; round half away from zero as TFLite's
 *     TfLiteRound), x float32 -> q in the output tensor's declared dtype
 *     (uint8, int8, int16). A quantized input is requantized (dequantized
 *     first with its own parameters).
 *   c is the index along quant.axis for per-channel parameters, else 0.
 * Output shape = input shape.
 */
#include "kernel.h"
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include <math.h>
#include <string.h>

static int int_dtype(glim_dtype d)
{
    return d == GLIM_U8 || d == GLIM_I8 || d == GLIM_I16 || d == GLIM_I32;
}

static glim_status check_quant(const glim_node *n, const glim_gtensor *t, glim_error *err)
{
    if (t->quant.n < 1)
        return glim_node_fail(n, err, GLIM_EINVAL, "tensor '%s' has no quantization", t->name);
    if (t->quant.n > 1) {
        if (t->quant.axis < 0 || t->quant.axis >= t->ndim ||
            t->shape[t->quant.axis] != t->quant.n)
            return glim_node_fail(n, err, GLIM_EINVAL,
                                  "tensor '%s': %d per-channel scales do not match axis %d",
                                  t->name, t->quant.n, t->quant.axis);
    }
    for (int i = 0; i < t->quant.n; i++)
        if (!(t->quant.scale[i] > 0) || !isfinite(t->quant.scale[i]))
            return glim_node_fail(n, err, GLIM_EINVAL, "tensor '%s': scale %g is not positive",
                                  t->name, (double)t->quant.scale[i]);
    return GLIM_OK;
}

static glim_status deq_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_status st;
    if ((st = glim_need_arity(n, 1, 1, 1, err)) ||
        (st = glim_need_input(g, n, 0, -1, 0, GLIM_MAX_DIMS, "input", err)))
        return st;
    glim_gtensor *x = glim_in(g, n, 0);
    if (x->dtype != GLIM_F32) {
        if (!int_dtype(x->dtype))
            return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "input dtype %s",
                                  glim_dtype_name(x->dtype));
        if ((st = check_quant(n, x, err))) return st;
    }
    return glim_out_shape(g, n, 0, GLIM_F32, x->ndim, x->shape, err);
}

static glim_status q_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_status st;
    if ((st = glim_need_arity(n, 1, 1, 1, err)) ||
        (st = glim_need_input(g, n, 0, -1, 0, GLIM_MAX_DIMS, "input", err)))
        return st;
    glim_gtensor *x = glim_in(g, n, 0), *y = glim_out(g, n, 0);
    if (x->dtype != GLIM_F32) {
        if (!int_dtype(x->dtype))
            return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "input dtype %s",
                                  glim_dtype_name(x->dtype));
        if ((st = check_quant(n, x, err))) return st;
    }
    if (y->dtype != GLIM_U8 && y->dtype != GLIM_I8 && y->dtype != GLIM_I16)
        return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "output dtype %s (uint8, int8, int16)",
                              glim_dtype_name(y->dtype));
    if ((st = glim_out_shape(g, n, 0, y->dtype, x->ndim, x->shape, err))) return st;
    return check_quant(n, y, err);
}

/* Channel index of flat element i for a per-channel tensor. */
static int64_t chan_stride(const glim_gtensor *t)
{
    int64_t s = 1;
    for (int d = t->quant.axis + 1; d < t->ndim; d++) s *= t->shape[d];
    return s;
}

static double real_of(const glim_gtensor *x, int64_t i, int64_t cs)
{
    double q;
    switch (x->dtype) {
    case GLIM_F32: return ((const float *)x->data)[i];
    case GLIM_U8: q = ((const uint8_t *)x->data)[i]; break;
    case GLIM_I8: q = ((const int8_t *)x->data)[i]; break;
    case GLIM_I16: q = ((const int16_t *)x->data)[i]; break;
    default: q = ((const int32_t *)x->data)[i]; break;
    }
    int c = x->quant.n > 1 ? (int)((i / cs) % x->quant.n) : 0;
    return (double)x->quant.scale[c] * (q - x->quant.zero_point[c]);
}

typedef struct deq_ctx {
    const glim_gtensor *x;
    float *y;
} deq_ctx;

static void deq_u8_range(void *arg, int64_t b, int64_t e)
{
    const deq_ctx *c = arg;
    const uint8_t *q = c->x->data;
    float s = c->x->quant.scale[0];
    int32_t z = c->x->quant.zero_point[0];
    int64_t i = b;
#if defined(__AVX512F__)
    /* 16 bytes at a time: the same integer difference, conversion and product */
    const __m512 vs = _mm512_set1_ps(s);
    const __m512i vz = _mm512_set1_epi32(z);
    for (; i + 16 <= e; i += 16) {
        __m512i v = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(q + i)));
        _mm512_storeu_ps(c->y + i, _mm512_mul_ps(vs, _mm512_cvtepi32_ps(_mm512_sub_epi32(v, vz))));
    }
#endif
    for (; i < e; i++) c->y[i] = s * (float)((int32_t)q[i] - z);
}

static void deq_eval(glim_graph *g, const glim_node *n)
{
    glim_gtensor *x = glim_in(g, n, 0), *y = glim_out(g, n, 0);
    float *yd = y->data;
    if (x->dtype == GLIM_F32) {
        if (x->data != y->data) memcpy(y->data, x->data, y->nbytes);
        return;
    }
    int64_t cs = x->quant.n > 1 ? chan_stride(x) : 1;
    if (x->quant.n == 1 && x->dtype == GLIM_U8) { /* the common model-input case */
        deq_ctx c = {x, yd};
        glim_parallel_for(g, x->count, 32768, deq_u8_range, &c);
        return;
    }
    for (int64_t i = 0; i < x->count; i++) yd[i] = (float)real_of(x, i, cs);
}

static void q_eval(glim_graph *g, const glim_node *n)
{
    glim_gtensor *x = glim_in(g, n, 0), *y = glim_out(g, n, 0);
    int64_t xcs = x->quant.n > 1 ? chan_stride(x) : 1;
    int64_t ycs = y->quant.n > 1 ? chan_stride(y) : 1;
    double lo = y->dtype == GLIM_U8 ? 0 : y->dtype == GLIM_I8 ? -128 : -32768;
    double hi = y->dtype == GLIM_U8 ? 255 : y->dtype == GLIM_I8 ? 127 : 32767;
    for (int64_t i = 0; i < x->count; i++) {
        int c = y->quant.n > 1 ? (int)((i / ycs) % y->quant.n) : 0;
        double v = real_of(x, i, xcs);
        double q = round((double)(float)(v / y->quant.scale[c])) + y->quant.zero_point[c];
        q = q < lo ? lo : (q > hi ? hi : q);
        if (q != q) q = y->quant.zero_point[c];
        switch (y->dtype) {
        case GLIM_U8: ((uint8_t *)y->data)[i] = (uint8_t)q; break;
        case GLIM_I8: ((int8_t *)y->data)[i] = (int8_t)q; break;
        default: ((int16_t *)y->data)[i] = (int16_t)q; break;
        }
    }
}

const glim_op_vtable glim_op_quantize = {"QUANTIZE", 0, q_prepare, q_eval, NULL};
const glim_op_vtable glim_op_dequantize = {"DEQUANTIZE", 0, deq_prepare, deq_eval, NULL};
