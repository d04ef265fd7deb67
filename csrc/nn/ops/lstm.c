/*
 * lstm.c — LSTM: a unidirectional LSTM over a sequence, TFLite's
 * UNIDIRECTIONAL_SEQUENCE_LSTM (ONNX LSTM direction=forward maps here with
 * its gates split and reordered by the importer).
 *
 * Input slots (TFLite order; -1 = absent):
 *   0 x [B,T,I] ([T,B,I] when time_major)
 *   1..4  input weights  W_i W_f W_c W_o   [C, I]   (W_i absent: CIFG)
 *   5..8  recurrent      R_i R_f R_c R_o   [C, O]   (R_i absent with CIFG)
 *   9..11 peepholes      p_i p_f p_o       [C]      (optional)
 *   12..15 biases        b_i b_f b_c b_o   [C]      (b_i absent with CIFG)
 *   16 projection P [O, C], 17 projection bias [O]  (optional; else O = C)
 *   18 initial output state h0 [B, O], 19 initial cell state c0 [B, C]
 *      (constants or computed tensors, e.g. ONNX's initial_h / initial_c;
 *      absent = zero)
 *   20..23 layer-norm coefficients: not supported (prepare fails).
 * Per step t, with act = params.act (TANH normally) and σ the logistic:
 *   i = σ(W_i x + R_i h + p_i ⊙ c + b_i)        (CIFG: i = 1 - f)
 *   f = σ(W_f x + R_f h + p_f ⊙ c + b_f)
 *   g = act(W_c x + R_c h + b_c)
 *   c = f ⊙ c + i ⊙ g, clipped to ±cell_clip when cell_clip > 0
 *   o = σ(W_o x + R_o h + p_o ⊙ c + b_o)
 *   m = o ⊙ act(c);  h = P m + pb (clipped to ±proj_clip when > 0) or m
 *   y[t] = h
 * Output y [B,T,O] ([T,B,O] when time_major). With params.reverse the steps
 * run from t = T-1 down to 0 (ONNX direction "reverse"; y[t] still holds the
 * output of step t). Optional outputs 1 and 2: the final states h_T [B, O]
 * and c_T [B, C] after the last step processed (ONNX's Y_h / Y_c). The state
 * starts from h0/c0 on every run (glimpse graphs keep no state between runs).
 * Fast path: one sgemm per gate projects the inputs of all steps at once
 * (biases folded in); each step then multiplies h by the recurrent weights
 * (GEMM over the batch, GEMV for B = 1) and applies the gate formulas. The
 * plain per-step loops are the reference.
 */
#include "kernel.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

enum { X = 0, WI = 1, WF, WC, WO, RI, RF, RC, RO, PI, PF, PO, BI, BF, BC, BO, PW, PB, H0, C0 };

typedef struct lstm_dims {
    int64_t b, t, in, cell, out;
} lstm_dims;

static void dims_of(glim_graph *g, const glim_node *n, lstm_dims *d)
{
    const glim_lstm_params *p = n->params;
    glim_gtensor *x = glim_in(g, n, X), *wf = glim_in(g, n, WF), *rf = glim_in(g, n, RF);
    d->b = p->time_major ? x->shape[1] : x->shape[0];
    d->t = p->time_major ? x->shape[0] : x->shape[1];
    d->in = x->shape[2];
    d->cell = wf->shape[0];
    d->out = rf->shape[1];
}

static glim_status need_shape(glim_graph *g, const glim_node *n, int slot, int64_t d0, int64_t d1,
                              const char *what, glim_error *err)
{
    glim_gtensor *t = glim_in(g, n, slot);
    int rank = d1 < 0 ? 1 : 2;
    glim_status st = glim_need_input(g, n, slot, GLIM_F32, rank, rank, what, err);
    if (st) return st;
    if (t->shape[0] != d0 || (rank == 2 && t->shape[1] != d1))
        return glim_node_fail(n, err, GLIM_EINVAL, "%s '%s' has shape [%lld%s%lld], expected [%lld%s%lld]",
                              what, t->name, (long long)t->shape[0], rank == 2 ? "," : "",
                              rank == 2 ? (long long)t->shape[1] : 0LL, (long long)d0,
                              rank == 2 ? "," : "", rank == 2 ? (long long)d1 : 0LL);
    return GLIM_OK;
}

static glim_status lstm_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_lstm_params *p = n->params;
    glim_status st;
    if (n->noutputs < 1 || n->noutputs > 3)
        return glim_node_fail(n, err, GLIM_EINVAL, "has %d outputs, expected 1..3", n->noutputs);
    if ((st = glim_need_arity(n, 20, 24, -1, err)) ||
        (st = glim_need_input(g, n, X, GLIM_F32, 3, 3, "input", err)) ||
        (st = glim_need_input(g, n, WF, GLIM_F32, 2, 2, "input-to-forget weights", err)) ||
        (st = glim_need_input(g, n, RF, GLIM_F32, 2, 2, "recurrent-to-forget weights", err)))
        return st;
    if (p->act != GLIM_ACT_TANH && p->act != GLIM_ACT_SIGMOID && p->act != GLIM_ACT_RELU &&
        p->act != GLIM_ACT_RELU6 && p->act != GLIM_ACT_NONE)
        return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "activation %d", (int)p->act);
    for (int k = 20; k < n->ninputs; k++)
        if (glim_in(g, n, k))
            return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "layer normalization is not supported");
    lstm_dims d;
    dims_of(g, n, &d);
    int cifg = glim_in(g, n, WI) == NULL;
    static const char *const names[] = {
        NULL, "input-to-input weights", "input-to-forget weights", "input-to-cell weights",
        "input-to-output weights", "recurrent-to-input weights", "recurrent-to-forget weights",
        "recurrent-to-cell weights", "recurrent-to-output weights"};
    for (int k = WI; k <= WO; k++) {
        if (k == WI && cifg) continue;
        if ((st = need_shape(g, n, k, d.cell, d.in, names[k], err))) return st;
    }
    for (int k = RI; k <= RO; k++) {
        if (k == RI && cifg) continue;
        if ((st = need_shape(g, n, k, d.cell, d.out, names[k], err))) return st;
    }
    if (cifg && glim_in(g, n, RI))
        return glim_node_fail(n, err, GLIM_EINVAL, "recurrent-to-input weights without input-to-input weights");
    for (int k = PI; k <= PO; k++)
        if (glim_in(g, n, k) && !(k == PI && cifg) &&
            (st = need_shape(g, n, k, d.cell, -1, "peephole weights", err)))
            return st;
    for (int k = BI; k <= BO; k++) {
        if (k == BI && cifg) continue;
        if (!glim_in(g, n, k)) return glim_node_fail(n, err, GLIM_EINVAL, "gate bias %d is missing", k - BI);
        if ((st = need_shape(g, n, k, d.cell, -1, "gate bias", err))) return st;
    }
    if (glim_in(g, n, PW)) {
        if ((st = need_shape(g, n, PW, d.out, d.cell, "projection weights", err))) return st;
        if (glim_in(g, n, PB) && (st = need_shape(g, n, PB, d.out, -1, "projection bias", err)))
            return st;
    } else if (d.out != d.cell) {
        return glim_node_fail(n, err, GLIM_EINVAL, "output size %lld differs from cell size %lld without a projection",
                              (long long)d.out, (long long)d.cell);
    }
    if (glim_in(g, n, H0) && (st = need_shape(g, n, H0, d.b, d.out, "output state", err))) return st;
    if (glim_in(g, n, C0) && (st = need_shape(g, n, C0, d.b, d.cell, "cell state", err))) return st;
    int64_t shape[3] = {p->time_major ? d.t : d.b, p->time_major ? d.b : d.t, d.out};
    if ((st = glim_out_shape(g, n, 0, GLIM_F32, 3, shape, err))) return st;
    int64_t hs[2] = {d.b, d.out}, cs[2] = {d.b, d.cell};
    if (n->noutputs > 1 && (st = glim_out_shape(g, n, 1, GLIM_F32, 2, hs, err))) return st;
    if (n->noutputs > 2 && (st = glim_out_shape(g, n, 2, GLIM_F32, 2, cs, err))) return st;
    /* h, c, four gates, m; then the fast path's input projections
     * [B*T, 4C] and recurrent products [B, 4C] */
    n->scratch = (size_t)(d.b * d.out + d.b * d.cell * 6 + d.b * d.t * 4 * d.cell +
                          d.b * 4 * d.cell) * sizeof(float);
    return GLIM_OK;
}

static float sigm(float v) { return 1.f / (1.f + expf(-v)); }
/* v clamped to ±c when c > 0 */
static float clipv(float v, float c) { return c > 0.f ? (v > c ? c : (v < -c ? -c : v)) : v; }

static float act_of(float v, glim_activation a)
{
    switch (a) {
    case GLIM_ACT_TANH: return tanhf(v);
    case GLIM_ACT_SIGMOID: return sigm(v);
    case GLIM_ACT_RELU: return v > 0 ? v : 0;
    case GLIM_ACT_RELU6: return v > 0 ? (v < 6 ? v : 6) : 0;
    default: return v;
    }
}

static const float *data_of(glim_graph *g, const glim_node *n, int slot)
{
    glim_gtensor *t = glim_in(g, n, slot);
    return t ? t->data : NULL;
}

/* The node's tensors, and h / c set to the initial states (zero when absent). */
typedef struct lstm_io {
    const float *x, *w[4], *r[4], *bias[4], *pi, *pf, *po, *pw, *pb;
    float *y;
} lstm_io;

static void lstm_bind(glim_graph *g, const glim_node *n, float *h, float *c, int64_t nh,
                      int64_t nc, lstm_io *io)
{
    static const int ws[4] = {WI, WF, WC, WO}, rs[4] = {RI, RF, RC, RO}, bs[4] = {BI, BF, BC, BO};
    io->x = glim_in(g, n, X)->data;
    io->y = glim_out(g, n, 0)->data;
    for (int k = 0; k < 4; k++) {
        io->w[k] = data_of(g, n, ws[k]);
        io->r[k] = data_of(g, n, rs[k]);
        io->bias[k] = data_of(g, n, bs[k]);
    }
    io->pi = data_of(g, n, PI);
    io->pf = data_of(g, n, PF);
    io->po = data_of(g, n, PO);
    io->pw = data_of(g, n, PW);
    io->pb = data_of(g, n, PB);
    const float *h0 = data_of(g, n, H0), *c0 = data_of(g, n, C0);
    if (h0) memcpy(h, h0, (size_t)nh * sizeof(float));
    else memset(h, 0, (size_t)nh * sizeof(float));
    if (c0) memcpy(c, c0, (size_t)nc * sizeof(float));
    else memset(c, 0, (size_t)nc * sizeof(float));
}

/* acc[c] += W[c,:] · v for a [rows, cols] matrix */
static void matvec_acc(float *acc, const float *w, const float *v, int64_t rows, int64_t cols)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *wr = w + r * cols;
        float s = 0.f;
        for (int64_t k = 0; k < cols; k++) s += wr[k] * v[k];
        acc[r] += s;
    }
}

static void lstm_ref(glim_graph *g, const glim_node *n)
{
    const glim_lstm_params *p = n->params;
    lstm_dims d;
    dims_of(g, n, &d);
    const int64_t B = d.b, T = d.t, IN = d.in, C = d.cell, O = d.out;
    float *h = n->scratch_data, *c = h + B * O, *gi = c + B * C, *gf = gi + B * C,
          *gc = gf + B * C, *go = gc + B * C, *m = go + B * C;
    lstm_io io;
    lstm_bind(g, n, h, c, B * O, B * C, &io);
    const float *x = io.x, *const *W = io.w, *const *R = io.r, *const *bias = io.bias;
    const float *pi = io.pi, *pf = io.pf, *po = io.po, *pw = io.pw, *pb = io.pb;
    float *y = io.y;
    float *gate[4] = {gi, gf, gc, go};
    int cifg = W[0] == NULL;
    for (int64_t step = 0; step < T; step++)
        for (int64_t b = 0; b < B; b++) {
            int64_t t = p->reverse ? T - 1 - step : step;
            const float *xt = x + (p->time_major ? (t * B + b) : (b * T + t)) * IN;
            float *hb = h + b * O, *cb = c + b * C;
            for (int k = 0; k < 4; k++) {
                if (k == 0 && cifg) continue;
                float *gk = gate[k] + b * C;
                for (int64_t j = 0; j < C; j++) gk[j] = bias[k] ? bias[k][j] : 0.f;
                matvec_acc(gk, W[k], xt, C, IN);
                matvec_acc(gk, R[k], hb, C, O);
            }
            float *ib = gi + b * C, *fb = gf + b * C, *cg = gc + b * C, *ob = go + b * C;
            float *mb = m + b * C;
            for (int64_t j = 0; j < C; j++) {
                float fv = sigm(fb[j] + (pf ? pf[j] * cb[j] : 0.f));
                float iv = cifg ? 1.f - fv : sigm(ib[j] + (pi ? pi[j] * cb[j] : 0.f));
                float gv = act_of(cg[j], p->act);
                float cv = fv * cb[j] + iv * gv;
                cv = clipv(cv, p->cell_clip);
                cb[j] = cv;
                float ov = sigm(ob[j] + (po ? po[j] * cv : 0.f));
                mb[j] = ov * act_of(cv, p->act);
            }
            if (pw) {
                for (int64_t j = 0; j < O; j++) hb[j] = pb ? pb[j] : 0.f;
                matvec_acc(hb, pw, mb, O, C);
                if (p->proj_clip > 0)
                    for (int64_t j = 0; j < O; j++)
                        hb[j] = clipv(hb[j], p->proj_clip);
            } else {
                memcpy(hb, mb, (size_t)C * sizeof(float));
            }
            float *yt = y + (p->time_major ? (t * B + b) : (b * T + t)) * O;
            memcpy(yt, hb, (size_t)O * sizeof(float));
        }
    if (n->noutputs > 1) memcpy(glim_out(g, n, 1)->data, h, (size_t)(B * O) * sizeof(float));
    if (n->noutputs > 2) memcpy(glim_out(g, n, 2)->data, c, (size_t)(B * C) * sizeof(float));
}

/* c[rows, n] (+)= a[rows, k] · w[n, k]ᵀ */
static void mm(const float *a, int64_t lda, const float *w, float *c, int64_t ldc, int64_t rows,
               int64_t nn, int64_t k, float beta)
{
    if (rows == 1)
        cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)nn, (int)k, 1.f, w, (int)k, a, 1, beta, c, 1);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)nn, (int)k, 1.f, a,
                    (int)lda, w, (int)k, beta, c, (int)ldc);
}

static void lstm_eval(glim_graph *g, const glim_node *n)
{
    const glim_lstm_params *p = n->params;
    lstm_dims d;
    dims_of(g, n, &d);
    const int64_t B = d.b, T = d.t, IN = d.in, C = d.cell, O = d.out, C4 = 4 * C;
    if (g->reference || B * T == 0 || IN == 0) {
        lstm_ref(g, n);
        return;
    }
    float *h = n->scratch_data, *c = h + B * O, *m = c + B * C * 5, *xw = c + B * C * 6,
          *rec = xw + B * T * C4;
    lstm_io io;
    lstm_bind(g, n, h, c, B * O, B * C, &io);
    const float *x = io.x, *const *W = io.w, *const *R = io.r, *const *bias = io.bias;
    const float *pi = io.pi, *pf = io.pf, *po = io.po, *pw = io.pw, *pb = io.pb;
    float *y = io.y;
    int cifg = W[0] == NULL;
    /* xw rows follow x's own row order (b * T + t, or t * B + b) */
    for (int k = 0; k < 4; k++) {
        if (!W[k]) continue;
        mm(x, IN, W[k], xw + k * C, C4, B * T, C, IN, 0.f);
        if (bias[k])
            for (int64_t row = 0; row < B * T; row++) {
                float *xr = xw + row * C4 + k * C;
                for (int64_t j = 0; j < C; j++) xr[j] += bias[k][j];
            }
    }
    for (int64_t step = 0; step < T; step++) {
        int64_t t = p->reverse ? T - 1 - step : step;
        for (int k = 0; k < 4; k++)
            if (R[k]) mm(h, O, R[k], rec + k * C, C4, B, C, O, 0.f);
        for (int64_t b = 0; b < B; b++) {
            int64_t row = p->time_major ? t * B + b : b * T + t;
            const float *xr = xw + row * C4, *rr = rec + b * C4;
            float *cb = c + b * C, *mb = m + b * C;
            for (int64_t j = 0; j < C; j++) {
                float fv = sigm(xr[C + j] + rr[C + j] + (pf ? pf[j] * cb[j] : 0.f));
                float iv = cifg ? 1.f - fv : sigm(xr[j] + rr[j] + (pi ? pi[j] * cb[j] : 0.f));
                float gv = act_of(xr[2 * C + j] + rr[2 * C + j], p->act);
                float cv = fv * cb[j] + iv * gv;
                cv = clipv(cv, p->cell_clip);
                cb[j] = cv;
                float ov = sigm(xr[3 * C + j] + rr[3 * C + j] + (po ? po[j] * cv : 0.f));
                mb[j] = ov * act_of(cv, p->act);
            }
        }
        if (pw) {
            mm(m, C, pw, h, O, B, O, C, 0.f);
            for (int64_t b = 0; b < B; b++) {
                float *hb = h + b * O;
                for (int64_t j = 0; j < O; j++) {
                    float v = hb[j] + (pb ? pb[j] : 0.f);
                    hb[j] = clipv(v, p->proj_clip);
                }
            }
        } else {
            memcpy(h, m, (size_t)(B * C) * sizeof(float));
        }
        for (int64_t b = 0; b < B; b++) {
            int64_t row = p->time_major ? t * B + b : b * T + t;
            memcpy(y + row * O, h + b * O, (size_t)O * sizeof(float));
        }
    }
    if (n->noutputs > 1) memcpy(glim_out(g, n, 1)->data, h, (size_t)(B * O) * sizeof(float));
    if (n->noutputs > 2) memcpy(glim_out(g, n, 2)->data, c, (size_t)(B * C) * sizeof(float));
}

static double lstm_flops(const glim_graph *g, const glim_node *n)
{
    lstm_dims d;
    dims_of((glim_graph *)g, n, &d);
    return 2.0 * (double)(d.b * d.t) * (double)(4 * d.cell * (d.in + d.out));
}

const glim_op_vtable glim_op_lstm = {"LSTM", sizeof(glim_lstm_params), lstm_prepare, lstm_eval,
                                     lstm_flops};
