/*
 * gru.c — GRU: one direction of ONNX's GRU over a time-major sequence.
 *
 * Inputs: 0 x [T,B,I], 1 W [3H,I], 2 R [3H,H] (gate blocks z, r, h),
 * 3 bias [6H] optional (Wb_z Wb_r Wb_h then Rb_z Rb_r Rb_h), 4 h0 [B,H]
 * optional (zero when absent). Per step t, σ the logistic and clip(v) the
 * clamp to ±params.clip when clip > 0 (applied to every gate's input):
 *   z = σ(clip(W_z x + Wb_z + R_z h + Rb_z))
 *   r = σ(clip(W_r x + Wb_r + R_r h + Rb_r))
 *   linear_before_reset = 0: n = tanh(clip(W_h x + Wb_h + R_h (r ⊙ h) + Rb_h))
 *   linear_before_reset = 1: n = tanh(clip(W_h x + Wb_h + r ⊙ (R_h h + Rb_h)))
 *   h = (1 - z) ⊙ n + z ⊙ h;   y[t] = h
 * PyTorch's nn.GRU is linear_before_reset = 1 with its gates reordered
 * (r, z, n -> z, r, h). params.reverse runs t from T-1 down to 0 (y[t]
 * still holds step t's output). Outputs: y [T,B,H], and optionally h_T [B,H]
 * (the state after the last step processed, ONNX's Y_h).
 *
 * Fast path: one sgemm projects the inputs of all steps at once
 * (X · Wᵀ: [T*B, 3H], with the biases folded in), then each step does one
 * GEMM (GEMV for B = 1) of h with the recurrent weights; with
 * linear_before_reset = 0 the h-gate's product needs r first, so it is a
 * second, smaller product of (r ⊙ h).
 */
#include "kernel.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

enum { X = 0, W = 1, R = 2, BIAS = 3, H0 = 4 };

typedef struct gru_dims {
    int64_t t, b, in, h;
} gru_dims;

static void dims_of(glim_graph *g, const glim_node *n, gru_dims *d)
{
    glim_gtensor *x = glim_in(g, n, X), *r = glim_in(g, n, R);
    d->t = x->shape[0];
    d->b = x->shape[1];
    d->in = x->shape[2];
    d->h = r->shape[1];
}

static glim_status need_dims(glim_graph *g, const glim_node *n, int slot, int rank, int64_t d0,
                             int64_t d1, const char *what, glim_error *err)
{
    glim_status st = glim_need_input(g, n, slot, GLIM_F32, rank, rank, what, err);
    if (st) return st;
    glim_gtensor *t = glim_in(g, n, slot);
    if (t->shape[0] != d0 || (rank == 2 && t->shape[1] != d1)) {
        if (rank == 1)
            return glim_node_fail(n, err, GLIM_EINVAL, "%s '%s' has %lld values, expected %lld",
                                  what, t->name, (long long)t->shape[0], (long long)d0);
        return glim_node_fail(n, err, GLIM_EINVAL, "%s '%s' has shape [%lld,%lld], expected [%lld,%lld]",
                              what, t->name, (long long)t->shape[0], (long long)t->shape[1],
                              (long long)d0, (long long)d1);
    }
    return GLIM_OK;
}

static glim_status gru_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_gru_params *p = n->params;
    glim_status st;
    if (n->noutputs < 1 || n->noutputs > 2)
        return glim_node_fail(n, err, GLIM_EINVAL, "has %d outputs, expected 1..2", n->noutputs);
    if ((st = glim_need_arity(n, 3, 5, -1, err)) ||
        (st = glim_need_input(g, n, X, GLIM_F32, 3, 3, "input", err)) ||
        (st = glim_need_input(g, n, R, GLIM_F32, 2, 2, "recurrent weights", err)))
        return st;
    if (!(p->clip >= 0.f))
        return glim_node_fail(n, err, GLIM_EINVAL, "clip %g is negative", (double)p->clip);
    if (p->linear_before_reset != 0 && p->linear_before_reset != 1)
        return glim_node_fail(n, err, GLIM_EINVAL, "linear_before_reset %d is not 0 or 1",
                              p->linear_before_reset);
    gru_dims d;
    dims_of(g, n, &d);
    if (d.h < 1) return glim_node_fail(n, err, GLIM_EINVAL, "hidden size is 0");
    if ((st = need_dims(g, n, R, 2, 3 * d.h, d.h, "recurrent weights", err)) ||
        (st = need_dims(g, n, W, 2, 3 * d.h, d.in, "input weights", err)))
        return st;
    if (glim_in(g, n, BIAS) && (st = need_dims(g, n, BIAS, 1, 6 * d.h, 0, "bias", err))) return st;
    if (glim_in(g, n, H0) && (st = need_dims(g, n, H0, 2, d.b, d.h, "initial state", err)))
        return st;
    int64_t ys[3] = {d.t, d.b, d.h}, hs[2] = {d.b, d.h};
    if ((st = glim_out_shape(g, n, 0, GLIM_F32, 3, ys, err))) return st;
    if (n->noutputs > 1 && (st = glim_out_shape(g, n, 1, GLIM_F32, 2, hs, err))) return st;
    /* xw [T*B, 3H], h [B,H], rh [B,3H], rhh [B,H] (r ⊙ h) */
    n->scratch = (size_t)(d.t * d.b * 3 * d.h + d.b * d.h * 5) * sizeof(float);
    return GLIM_OK;
}

static float sigm(float v) { return 1.f / (1.f + expf(-v)); }
static float clipv(float v, float c) { return c > 0.f ? (v > c ? c : (v < -c ? -c : v)) : v; }

static const float *data_of(glim_graph *g, const glim_node *n, int slot)
{
    glim_gtensor *t = glim_in(g, n, slot);
    return t ? t->data : NULL;
}

static float dot(const float *a, const float *b, int64_t k)
{
    float s = 0.f;
    for (int64_t i = 0; i < k; i++) s += a[i] * b[i];
    return s;
}

/* The formulas above, step by step, with plain dot products. */
static void gru_ref(const glim_gru_params *p, const gru_dims *d, const float *x, const float *w,
                    const float *r, const float *bias, const float *h0, float *y, float *h,
                    float *tmp)
{
    const int64_t B = d->b, H = d->h, IN = d->in;
    for (int64_t i = 0; i < B * H; i++) h[i] = h0 ? h0[i] : 0.f;
    float *z = tmp, *rr = tmp + H, *rh = tmp + 2 * H;
    for (int64_t step = 0; step < d->t; step++) {
        int64_t t = p->reverse ? d->t - 1 - step : step;
        for (int64_t b = 0; b < B; b++) {
            const float *xt = x + (t * B + b) * IN;
            float *hb = h + b * H;
            for (int64_t j = 0; j < H; j++) {
                float az = dot(w + j * IN, xt, IN) + dot(r + j * H, hb, H);
                float ar = dot(w + (H + j) * IN, xt, IN) + dot(r + (H + j) * H, hb, H);
                if (bias) {
                    az += bias[j] + bias[3 * H + j];
                    ar += bias[H + j] + bias[4 * H + j];
                }
                z[j] = sigm(clipv(az, p->clip));
                rr[j] = sigm(clipv(ar, p->clip));
            }
            for (int64_t j = 0; j < H; j++) rh[j] = rr[j] * hb[j];
            float *yt = y + (t * B + b) * H;
            for (int64_t j = 0; j < H; j++) {
                float xh = dot(w + (2 * H + j) * IN, xt, IN) + (bias ? bias[2 * H + j] : 0.f);
                float rb = bias ? bias[5 * H + j] : 0.f, a;
                if (p->linear_before_reset)
                    a = xh + rr[j] * (dot(r + (2 * H + j) * H, hb, H) + rb);
                else
                    a = xh + dot(r + (2 * H + j) * H, rh, H) + rb;
                yt[j] = tanhf(clipv(a, p->clip));
            }
            for (int64_t j = 0; j < H; j++) yt[j] = (1.f - z[j]) * yt[j] + z[j] * hb[j];
            memcpy(hb, yt, (size_t)H * sizeof(float));
        }
    }
}

/* c[B, n] = a[B, k] · w[n, k]ᵀ (+ c when beta = 1) */
static void mm(const float *a, const float *w, float *c, int64_t B, int64_t nn, int64_t k,
               int64_t lda, int64_t ldw, int64_t ldc, float beta)
{
    if (B == 1)
        cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)nn, (int)k, 1.f, w, (int)ldw, a, 1, beta, c,
                    1);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)B, (int)nn, (int)k, 1.f, a,
                    (int)lda, w, (int)ldw, beta, c, (int)ldc);
}

static void gru_eval(glim_graph *g, const glim_node *n)
{
    const glim_gru_params *p = n->params;
    gru_dims d;
    dims_of(g, n, &d);
    const int64_t T = d.t, B = d.b, H = d.h, IN = d.in, H3 = 3 * H;
    const float *x = glim_in(g, n, X)->data, *w = glim_in(g, n, W)->data,
                *r = glim_in(g, n, R)->data;
    const float *bias = data_of(g, n, BIAS), *h0 = data_of(g, n, H0);
    float *y = glim_out(g, n, 0)->data;
    float *xw = n->scratch_data, *h = xw + T * B * H3, *rh = h + B * H, *rhh = rh + B * H3;
    if (g->reference || T * B == 0) {
        gru_ref(p, &d, x, w, r, bias, h0, y, h, rh);
    } else {
        /* all steps' input projections, the biases folded in (R's z and r
         * biases too; R's h bias stays apart, inside r ⊙ (.) when lbr = 1) */
        if (IN > 0)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(T * B), (int)H3, (int)IN,
                        1.f, x, (int)IN, w, (int)IN, 0.f, xw, (int)H3);
        else
            memset(xw, 0, (size_t)(T * B * H3) * sizeof(float));
        if (bias)
            for (int64_t row = 0; row < T * B; row++) {
                float *xr = xw + row * H3;
                for (int64_t j = 0; j < 2 * H; j++) xr[j] += bias[j] + bias[H3 + j];
                for (int64_t j = 2 * H; j < H3; j++) xr[j] += bias[j];
            }
        for (int64_t i = 0; i < B * H; i++) h[i] = h0 ? h0[i] : 0.f;
        const float *rbh = bias ? bias + 5 * H : NULL;
        for (int64_t step = 0; step < T; step++) {
            int64_t t = p->reverse ? T - 1 - step : step;
            /* z, r (and h when lbr = 1) recurrent products */
            int64_t rows = p->linear_before_reset ? H3 : 2 * H;
            mm(h, r, rh, B, rows, H, H, H, H3, 0.f);
            float *yt = y + t * B * H;
            for (int64_t b = 0; b < B; b++) {
                const float *xr = xw + (t * B + b) * H3;
                float *rb = rh + b * H3, *hb = h + b * H;
                for (int64_t j = 0; j < 2 * H; j++) rb[j] = sigm(clipv(xr[j] + rb[j], p->clip));
                if (!p->linear_before_reset)
                    for (int64_t j = 0; j < H; j++) rhh[b * H + j] = rb[H + j] * hb[j];
            }
            if (!p->linear_before_reset) /* R_h (r ⊙ h) into the h block */
                mm(rhh, r + 2 * H * H, rh + 2 * H, B, H, H, H, H, H3, 0.f);
            for (int64_t b = 0; b < B; b++) {
                const float *xr = xw + (t * B + b) * H3;
                const float *rb = rh + b * H3;
                float *hb = h + b * H, *yb = yt + b * H;
                for (int64_t j = 0; j < H; j++) {
                    float rec = rb[2 * H + j] + (rbh ? rbh[j] : 0.f);
                    float a = xr[2 * H + j] + (p->linear_before_reset ? rb[H + j] * rec : rec);
                    float nv = tanhf(clipv(a, p->clip)), z = rb[j];
                    hb[j] = yb[j] = (1.f - z) * nv + z * hb[j];
                }
            }
        }
    }
    if (n->noutputs > 1) memcpy(glim_out(g, n, 1)->data, h, (size_t)(B * H) * sizeof(float));
}

static double gru_flops(const glim_graph *g, const glim_node *n)
{
    gru_dims d;
    dims_of((glim_graph *)g, n, &d);
    return 2.0 * (double)(d.t * d.b) * (double)(3 * d.h * (d.in + d.h));
}

const glim_op_vtable glim_op_gru = {"GRU", sizeof(glim_gru_params), gru_prepare, gru_eval,
                                    gru_flops};
