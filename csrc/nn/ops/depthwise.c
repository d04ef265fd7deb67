/*
 * depthwise.c — DEPTHWISE_CONV2D: per-channel 2-D convolution, NHWC.
 *
 *   y[n,oy,ox,c*M+m] = act( b[c*M+m] + sum_{ky,kx} x[n, oy*sh - pt + ky*dh, ox*sw - pl + kx*dw, c]
 *                                                  * w[0,ky,kx,c*M+m] )
 *   x [N,H,W,C], w [1,KH,KW,C*M] (TFLite layout; M = depth_multiplier),
 *   b [C*M] optional, y [N,OH,OW,C*M]. Padding and output size as CONV2D
 *   (TFLite semantics, see conv2d.c). ONNX Conv with group == C maps here
 *   after the importer moves the weights to [1,KH,KW,C*M].
 *
 * Fast path (M == 1, clamp activations): channels in blocks of 16 (AVX-512)
 * or 8 (AVX2), bias and the clamp fused before the single store. 3x3
 * kernels keep their nine weight vectors in registers across the row; other
 * sizes and strides (dwk_rows) accumulate four output pixels in independent
 * registers per weight load. Rows of the output are split across the
 * graph's threads.
 */
#include "kernel.h"

#include <string.h>
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define DW_AVX2 1
#endif


typedef struct dw_dims {
    int64_t n, h, w, c, oh, ow, cout;
    int kh, kw, mult;
} dw_dims;

static void dims_of(glim_graph *g, const glim_node *n, dw_dims *d)
{
    glim_gtensor *x = glim_in(g, n, 0), *w = glim_in(g, n, 1), *y = glim_out(g, n, 0);
    d->n = x->shape[0];
    d->h = x->shape[1];
    d->w = x->shape[2];
    d->c = x->shape[3];
    d->kh = (int)w->shape[1];
    d->kw = (int)w->shape[2];
    d->cout = w->shape[3];
    d->mult = (int)(d->cout / (d->c ? d->c : 1));
    d->oh = y->shape[1];
    d->ow = y->shape[2];
}

static glim_status dw_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_conv2d_params *p = n->params;
    glim_status st;
    if ((st = glim_need_arity(n, 2, 3, 1, err)) ||
        (st = glim_need_input(g, n, 0, GLIM_F32, 4, 4, "input", err)) ||
        (st = glim_need_input(g, n, 1, GLIM_F32, 4, 4, "weights", err)) ||
        (st = glim_check_act(n, p->act, err)))
        return st;
    glim_gtensor *x = glim_in(g, n, 0), *w = glim_in(g, n, 1), *b = glim_in(g, n, 2);
    if (w->kind != GLIM_TENSOR_CONSTANT)
        return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "weights '%s' must be a constant",
                              w->name);
    if (w->shape[0] != 1)
        return glim_node_fail(n, err, GLIM_EINVAL, "weights have leading dim %lld, expected 1",
                              (long long)w->shape[0]);
    int64_t c = x->shape[3];
    if (p->depth_multiplier < 1) p->depth_multiplier = c ? (int)(w->shape[3] / c) : 1;
    if (p->depth_multiplier < 1) p->depth_multiplier = 1;
    if (w->shape[3] != c * p->depth_multiplier)
        return glim_node_fail(n, err, GLIM_EINVAL,
                              "weights have %lld channels, expected %lld (input channels %lld "
                              "x depth multiplier %d)",
                              (long long)w->shape[3], (long long)(c * p->depth_multiplier),
                              (long long)c, p->depth_multiplier);
    if (b) {
        if ((st = glim_need_input(g, n, 2, GLIM_F32, 1, 1, "bias", err))) return st;
        if (b->shape[0] != w->shape[3])
            return glim_node_fail(n, err, GLIM_EINVAL, "bias has %lld values, expected %lld",
                                  (long long)b->shape[0], (long long)w->shape[3]);
    }
    int64_t oh, ow;
    if ((st = glim_conv_geometry(n, p, x, w->shape[1], w->shape[2], &oh, &ow, err))) return st;
    int64_t shape[4] = {x->shape[0], oh, ow, w->shape[3]};
    if ((st = glim_out_shape(g, n, 0, GLIM_F32, 4, shape, err))) return st;
    /* a row of zeros stands in for the rows above and below the input */
    if (!n->state) {
        n->state = glim_graph_pool_alloc(g, (size_t)(x->shape[2] * c + 16) * sizeof(float));
        if (!n->state) return glim_node_fail(n, err, GLIM_ENOMEM, "out of memory");
    }
    return GLIM_OK;
}

typedef struct dw_job {
    const glim_conv2d_params *p;
    dw_dims d;
    const float *x, *w, *b;
    float *y;
    const float *zero_row; /* W*C zeros */
    int64_t cgroups, cchunk; /* dw3x3_cells_avx512: channel groups per row */
} dw_job;

#if defined(DW_AVX2) || defined(__AVX512F__)
/* 3x3 kernels: the output columns [*lo, *hi) whose taps all fall inside the
 * input row, so only the border columns need bounds checks. */
static void dw3x3_interior(const dw_job *j, int64_t *lo, int64_t *hi)
{
    const glim_conv2d_params *p = j->p;
    const dw_dims *d = &j->d;
    int64_t ox_lo = 0, ox_hi = d->ow;
    while (ox_lo < d->ow && ox_lo * p->stride_w - p->pad_left < 0) ox_lo++;
    while (ox_hi > ox_lo && (ox_hi - 1) * p->stride_w - p->pad_left + 2 * p->dilation_w >= d->w)
        ox_hi--;
    *lo = ox_lo;
    *hi = ox_hi;
}

/* 3x3 kernels: the three input rows output row r reads (a row of zeros
 * above and below the input) and the output row itself. */
static float *dw3x3_rows_of(const dw_job *j, int64_t r, const float *rows[3])
{
    const glim_conv2d_params *p = j->p;
    const dw_dims *d = &j->d;
    int64_t nn = r / d->oh, oy = r % d->oh;
    for (int ky = 0; ky < 3; ky++) {
        int64_t iy = oy * p->stride_h - p->pad_top + (int64_t)ky * p->dilation_h;
        rows[ky] = (iy < 0 || iy >= d->h) ? j->zero_row : j->x + ((nn * d->h + iy) * d->w) * d->c;
    }
    return j->y + (nn * d->oh + oy) * d->ow * d->c;
}
#endif


/* Reference: plain loops over output rows [r0, r1) of the N*OH rows. */
static void dw_ref_rows(void *arg, int64_t r0, int64_t r1)
{
    const dw_job *j = arg;
    const glim_conv2d_params *p = j->p;
    const dw_dims *d = &j->d;
    for (int64_t r = r0; r < r1; r++) {
        int64_t nn = r / d->oh, oy = r % d->oh;
        for (int64_t ox = 0; ox < d->ow; ox++)
            for (int64_t oc = 0; oc < d->cout; oc++) {
                int64_t ci = oc / d->mult;
                float acc = j->b ? j->b[oc] : 0.f;
                for (int ky = 0; ky < d->kh; ky++) {
                    int64_t iy = oy * p->stride_h - p->pad_top + (int64_t)ky * p->dilation_h;
                    if (iy < 0 || iy >= d->h) continue;
                    for (int kx = 0; kx < d->kw; kx++) {
                        int64_t ix = ox * p->stride_w - p->pad_left + (int64_t)kx * p->dilation_w;
                        if (ix < 0 || ix >= d->w) continue;
                        acc += j->x[((nn * d->h + iy) * d->w + ix) * d->c + ci] *
                               j->w[((int64_t)ky * d->kw + kx) * d->cout + oc];
                    }
                }
                float *yp = j->y + ((nn * d->oh + oy) * d->ow + ox) * d->cout + oc;
                *yp = glim_act1(acc, p->act);
                if (p->act == GLIM_ACT_TANH || p->act == GLIM_ACT_SIGMOID)
                    glim_apply_act(yp, 1, p->act);
            }
    }
}

/* Depth multiplier 1 and clamp activations, builds without AVX2: plain
 * loops with the tap ranges resolved per output row and column. */
#if !defined(__AVX512F__) && !defined(DW_AVX2)
static void dw_fast_rows(void *arg, int64_t r0, int64_t r1)
{
    const dw_job *j = arg;
    const glim_conv2d_params *p = j->p;
    const dw_dims *d = &j->d;
    const int64_t C = d->c;
    float lo, hi;
    glim_act_range(p->act, &lo, &hi);
    for (int64_t r = r0; r < r1; r++) {
        int64_t nn = r / d->oh, oy = r % d->oh;
        int ky0 = 0, ky1 = d->kh;
        int64_t iy0 = oy * p->stride_h - p->pad_top;
        while (ky0 < ky1 && iy0 + (int64_t)ky0 * p->dilation_h < 0) ky0++;
        while (ky1 > ky0 && iy0 + (int64_t)(ky1 - 1) * p->dilation_h >= d->h) ky1--;
        const float *xn = j->x + nn * d->h * d->w * C;
        float *yrow = j->y + (nn * d->oh + oy) * d->ow * C;
        for (int64_t ox = 0; ox < d->ow; ox++) {
            int kx0 = 0, kx1 = d->kw;
            int64_t ix0 = ox * p->stride_w - p->pad_left;
            while (kx0 < kx1 && ix0 + (int64_t)kx0 * p->dilation_w < 0) kx0++;
            while (kx1 > kx0 && ix0 + (int64_t)(kx1 - 1) * p->dilation_w >= d->w) kx1--;
            float *yp = yrow + ox * C;
            for (int64_t c = 0; c < C; c++) {
                float acc = j->b ? j->b[c] : 0.f;
                for (int ky = ky0; ky < ky1; ky++) {
                    const float *xr = xn + ((iy0 + (int64_t)ky * p->dilation_h) * d->w) * C + c;
                    const float *wr = j->w + (int64_t)ky * d->kw * C + c;
                    for (int kx = kx0; kx < kx1; kx++)
                        acc += xr[(ix0 + (int64_t)kx * p->dilation_w) * C] * wr[(int64_t)kx * C];
                }
                yp[c] = acc < lo ? lo : (acc > hi ? hi : acc);
            }
        }
    }
}
#endif

#if defined(DW_AVX2) && !defined(__AVX512F__)
/* 3x3 kernels, depth multiplier 1: for each block of 8 channels the nine
 * weight vectors stay in registers while the row is swept; rows outside the
 * input read a row of zeros, so only the left/right border columns need the
 * general loop. One load per FMA instead of two. */
static __attribute__((noinline)) void dw3x3_rows_run(void *arg, int64_t r0, int64_t r1)
{
    const dw_job *j = arg;
    const glim_conv2d_params *p = j->p;
    const dw_dims *d = &j->d;
    const int64_t C = d->c, W = d->w, sw = p->stride_w, dwd = p->dilation_w;
    float lo, hi;
    glim_act_range(p->act, &lo, &hi);
    const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
    int64_t ox_lo, ox_hi;
    dw3x3_interior(j, &ox_lo, &ox_hi);
    for (int64_t r = r0; r < r1; r++) {
        const float *rows[3];
        float *yrow = dw3x3_rows_of(j, r, rows);
        int64_t c8 = C / 8 * 8;
        /* tiles of output columns keep the input they read in L1 while
         * every channel block passes over them */
        for (int64_t t0 = 0; t0 < d->ow; t0 += 8) {
            int64_t t1 = t0 + 8 < d->ow ? t0 + 8 : d->ow;
            for (int64_t c = 0; c < c8; c += 8) {
                __m256 w0 = _mm256_loadu_ps(j->w + 0 * C + c), w1 = _mm256_loadu_ps(j->w + 1 * C + c),
                       w2 = _mm256_loadu_ps(j->w + 2 * C + c), w3 = _mm256_loadu_ps(j->w + 3 * C + c),
                       w4 = _mm256_loadu_ps(j->w + 4 * C + c), w5 = _mm256_loadu_ps(j->w + 5 * C + c),
                       w6 = _mm256_loadu_ps(j->w + 6 * C + c), w7 = _mm256_loadu_ps(j->w + 7 * C + c),
                       w8 = _mm256_loadu_ps(j->w + 8 * C + c);
                __m256 bias = j->b ? _mm256_loadu_ps(j->b + c) : _mm256_setzero_ps();
                const float *q0 = rows[0] + c, *q1 = rows[1] + c, *q2 = rows[2] + c;
                for (int64_t ox = t0; ox < t1; ox++) {
                    int64_t ix = ox * sw - p->pad_left;
                    __m256 acc = bias;
                    if (ox >= ox_lo && ox < ox_hi) {
                        int64_t o0 = ix * C, o1 = (ix + dwd) * C, o2 = (ix + 2 * dwd) * C;
                        acc = _mm256_fmadd_ps(_mm256_loadu_ps(q0 + o0), w0, acc);
                        acc = _mm256_fmadd_ps(_mm256_loadu_ps(q0 + o1), w1, acc);
                        acc = _mm256_fmadd_ps(_mm256_loadu_ps(q0 + o2), w2, acc);
                        acc = _mm256_fmadd_ps(_mm256_loadu_ps(q1 + o0), w3, acc);
                        acc = _mm256_fmadd_ps(_mm256_loadu_ps(q1 + o1), w4, acc);
                        acc = _mm256_fmadd_ps(_mm256_loadu_ps(q1 + o2), w5, acc);
                        acc = _mm256_fmadd_ps(_mm256_loadu_ps(q2 + o0), w6, acc);
                        acc = _mm256_fmadd_ps(_mm256_loadu_ps(q2 + o1), w7, acc);
                        acc = _mm256_fmadd_ps(_mm256_loadu_ps(q2 + o2), w8, acc);
                    } else {
                        const __m256 ws[9] = {w0, w1, w2, w3, w4, w5, w6, w7, w8};
                        for (int kx = 0; kx < 3; kx++) {
                            int64_t xx = ix + kx * dwd;
                            if (xx < 0 || xx >= W) continue;
                            acc = _mm256_fmadd_ps(_mm256_loadu_ps(q0 + xx * C), ws[kx], acc);
                            acc = _mm256_fmadd_ps(_mm256_loadu_ps(q1 + xx * C), ws[3 + kx], acc);
                            acc = _mm256_fmadd_ps(_mm256_loadu_ps(q2 + xx * C), ws[6 + kx], acc);
                        }
                    }
                    _mm256_storeu_ps(yrow + ox * C + c, _mm256_min_ps(_mm256_max_ps(acc, vlo), vhi));
                }
            }
        }
        int64_t c = c8;
        for (; c < C; c++) { /* channel tail */
            for (int64_t ox = 0; ox < d->ow; ox++) {
                int64_t ix = ox * sw - p->pad_left;
                float acc = j->b ? j->b[c] : 0.f;
                for (int ky = 0; ky < 3; ky++)
                    for (int kx = 0; kx < 3; kx++) {
                        int64_t xx = ix + kx * dwd;
                        if (xx < 0 || xx >= W) continue;
                        acc += rows[ky][xx * C + c] * j->w[(ky * 3 + kx) * C + c];
                    }
                yrow[ox * C + c] = acc < lo ? lo : (acc > hi ? hi : acc);
            }
        }
    }
}
#endif

#if defined(__AVX512F__)
/* The same 3x3 kernel with 16 channels per AVX-512 register where the build
 * has AVX-512; the last partial block of channels uses masked loads and
 * stores, so no scalar tail is needed. */
static void dw3x3_avx512(const dw_job *j, int64_t r0, int64_t r1, int64_t c0, int64_t c1)
{
    const glim_conv2d_params *p = j->p;
    const dw_dims *d = &j->d;
    const int64_t C = d->c, W = d->w, sw = p->stride_w, dwd = p->dilation_w;
    float lo, hi;
    glim_act_range(p->act, &lo, &hi);
    const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
    int64_t ox_lo, ox_hi;
    dw3x3_interior(j, &ox_lo, &ox_hi);
    for (int64_t r = r0; r < r1; r++) {
        const float *rows[3];
        float *yrow = dw3x3_rows_of(j, r, rows);
        for (int64_t t0 = 0; t0 < d->ow; t0 += 8) {
            int64_t t1 = t0 + 8 < d->ow ? t0 + 8 : d->ow;
            for (int64_t c = c0; c < c1; c += 16) {
                __mmask16 m = C - c >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (C - c)) - 1);
                __m512 w0 = _mm512_maskz_loadu_ps(m, j->w + 0 * C + c),
                       w1 = _mm512_maskz_loadu_ps(m, j->w + 1 * C + c),
                       w2 = _mm512_maskz_loadu_ps(m, j->w + 2 * C + c),
                       w3 = _mm512_maskz_loadu_ps(m, j->w + 3 * C + c),
                       w4 = _mm512_maskz_loadu_ps(m, j->w + 4 * C + c),
                       w5 = _mm512_maskz_loadu_ps(m, j->w + 5 * C + c),
                       w6 = _mm512_maskz_loadu_ps(m, j->w + 6 * C + c),
                       w7 = _mm512_maskz_loadu_ps(m, j->w + 7 * C + c),
                       w8 = _mm512_maskz_loadu_ps(m, j->w + 8 * C + c);
                __m512 bias = j->b ? _mm512_maskz_loadu_ps(m, j->b + c) : _mm512_setzero_ps();
                const float *q0 = rows[0] + c, *q1 = rows[1] + c, *q2 = rows[2] + c;
                for (int64_t ox = t0; ox < t1; ox++) {
                    int64_t ix = ox * sw - p->pad_left;
                    if (ox >= ox_lo && ox + 4 <= ox_hi && ox + 4 <= t1) {
                        /* four interior pixels: four independent FMA chains
                         * instead of one nine-deep dependent chain */
                        const int64_t s = sw * C;
                        __m512 a0 = bias, a1 = bias, a2 = bias, a3 = bias;
#define DW_TAP(q, off, wv)                                                               \
    do {                                                                                 \
        const float *qq = (q) + (off);                                                   \
        a0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, qq), wv, a0);                      \
        a1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, qq + s), wv, a1);                  \
        a2 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, qq + 2 * s), wv, a2);              \
        a3 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, qq + 3 * s), wv, a3);              \
    } while (0)
                        int64_t o0 = ix * C, o1 = (ix + dwd) * C, o2 = (ix + 2 * dwd) * C;
                        if (s == C && dwd == 1) {
                            /* stride 1: the four pixels' taps in a kernel row
                             * are six input pixels, each loaded once */
#define DW_ROW(q, wa, wb, wc)                                                            \
    do {                                                                                 \
        const float *qq = (q) + o0;                                                      \
        __m512 x0 = _mm512_maskz_loadu_ps(m, qq), x1 = _mm512_maskz_loadu_ps(m, qq + C); \
        __m512 x2 = _mm512_maskz_loadu_ps(m, qq + 2 * C);                                \
        __m512 x3 = _mm512_maskz_loadu_ps(m, qq + 3 * C);                                \
        __m512 x4 = _mm512_maskz_loadu_ps(m, qq + 4 * C);                                \
        __m512 x5 = _mm512_maskz_loadu_ps(m, qq + 5 * C);                                \
        a0 = _mm512_fmadd_ps(x0, wa, a0);                                                \
        a1 = _mm512_fmadd_ps(x1, wa, a1);                                                \
        a2 = _mm512_fmadd_ps(x2, wa, a2);                                                \
        a3 = _mm512_fmadd_ps(x3, wa, a3);                                                \
        a0 = _mm512_fmadd_ps(x1, wb, a0);                                                \
        a1 = _mm512_fmadd_ps(x2, wb, a1);                                                \
        a2 = _mm512_fmadd_ps(x3, wb, a2);                                                \
        a3 = _mm512_fmadd_ps(x4, wb, a3);                                                \
        a0 = _mm512_fmadd_ps(x2, wc, a0);                                                \
        a1 = _mm512_fmadd_ps(x3, wc, a1);                                                \
        a2 = _mm512_fmadd_ps(x4, wc, a2);                                                \
        a3 = _mm512_fmadd_ps(x5, wc, a3);                                                \
    } while (0)
                            DW_ROW(q0, w0, w1, w2);
                            DW_ROW(q1, w3, w4, w5);
                            DW_ROW(q2, w6, w7, w8);
#undef DW_ROW
                        } else {
                            DW_TAP(q0, o0, w0);
                            DW_TAP(q0, o1, w1);
                            DW_TAP(q0, o2, w2);
                            DW_TAP(q1, o0, w3);
                            DW_TAP(q1, o1, w4);
                            DW_TAP(q1, o2, w5);
                            DW_TAP(q2, o0, w6);
                            DW_TAP(q2, o1, w7);
                            DW_TAP(q2, o2, w8);
                        }
#undef DW_TAP
                        float *yo = yrow + ox * C + c;
                        _mm512_mask_storeu_ps(yo, m, _mm512_min_ps(_mm512_max_ps(a0, vlo), vhi));
                        _mm512_mask_storeu_ps(yo + C, m,
                                              _mm512_min_ps(_mm512_max_ps(a1, vlo), vhi));
                        _mm512_mask_storeu_ps(yo + 2 * C, m,
                                              _mm512_min_ps(_mm512_max_ps(a2, vlo), vhi));
                        _mm512_mask_storeu_ps(yo + 3 * C, m,
                                              _mm512_min_ps(_mm512_max_ps(a3, vlo), vhi));
                        ox += 3;
                        continue;
                    }
                    __m512 acc = bias;
                    if (ox >= ox_lo && ox < ox_hi) {
                        int64_t o0 = ix * C, o1 = (ix + dwd) * C, o2 = (ix + 2 * dwd) * C;
                        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, q0 + o0), w0, acc);
                        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, q0 + o1), w1, acc);
                        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, q0 + o2), w2, acc);
                        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, q1 + o0), w3, acc);
                        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, q1 + o1), w4, acc);
                        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, q1 + o2), w5, acc);
                        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, q2 + o0), w6, acc);
                        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, q2 + o1), w7, acc);
                        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, q2 + o2), w8, acc);
                    } else {
                        const __m512 ws[9] = {w0, w1, w2, w3, w4, w5, w6, w7, w8};
                        for (int kx = 0; kx < 3; kx++) {
                            int64_t xx = ix + kx * dwd;
                            if (xx < 0 || xx >= W) continue;
                            acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, q0 + xx * C), ws[kx], acc);
                            acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, q1 + xx * C), ws[3 + kx], acc);
                            acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, q2 + xx * C), ws[6 + kx], acc);
                        }
                    }
                    _mm512_mask_storeu_ps(yrow + ox * C + c, m,
                                          _mm512_min_ps(_mm512_max_ps(acc, vlo), vhi));
                }
            }
        }
    }
}

static __attribute__((noinline)) void dw3x3_rows_avx512_run(void *arg, int64_t r0, int64_t r1)
{
    const dw_job *j = arg;
    dw3x3_avx512(j, r0, r1, 0, j->d.c);
}

/* Small maps (7x7, 14x14) at several threads: too few rows for a few
 * tasks per thread, so each task is one row and a group of channels. */
static void dw3x3_cells_avx512(void *arg, int task, int thread)
{
    (void)thread;
    const dw_job *j = arg;
    int64_t r = task / j->cgroups, k = task % j->cgroups;
    int64_t c0 = k * j->cchunk, c1 = c0 + j->cchunk < j->d.c ? c0 + j->cchunk : j->d.c;
    GLIM_FLUSH_BEGIN
    if (c0 < c1) dw3x3_avx512(j, r, r + 1, c0, c1);
    GLIM_FLUSH_END
}
#endif

#if defined(__AVX512F__) || defined(DW_AVX2)
/* Any kernel size and stride, depth multiplier 1 (the 5x5 and strided
 * depthwise convs of PP-OCR and MobileNetV3-style nets): for each block of
 * channels, groups of DWK_PX output pixels accumulate in independent
 * registers, so each tap is one weight load and DWK_PX input loads and
 * FMAs with no dependency between them (one pixel at a time is bound by the
 * FMA latency). Kernel rows outside the input are skipped per output row;
 * columns near the left and right edges take the bounds-checked loop. */
#define DWK_PX 4
static __attribute__((noinline)) void dwk_rows_run(void *arg, int64_t r0, int64_t r1)
{
    const dw_job *j = arg;
    const glim_conv2d_params *p = j->p;
    const dw_dims *d = &j->d;
    const int64_t C = d->c, W = d->w, sw = p->stride_w, dwd = p->dilation_w;
    const int kw = d->kw;
    const int slide5 = kw == 5 && sw == 1 && dwd == 1;
    float lo, hi;
    glim_act_range(p->act, &lo, &hi);
    int64_t ox_lo = 0, ox_hi = d->ow; /* columns whose taps all lie inside */
    while (ox_lo < d->ow && ox_lo * sw - p->pad_left < 0) ox_lo++;
    while (ox_hi > ox_lo && (ox_hi - 1) * sw - p->pad_left + (int64_t)(kw - 1) * dwd >= W) ox_hi--;
#if defined(__AVX512F__)
    const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
#define VW 16
#define VEC __m512
#define VLOAD(ptr) _mm512_maskz_loadu_ps(m, (ptr))
#define VSTORE(ptr, v) _mm512_mask_storeu_ps((ptr), m, _mm512_min_ps(_mm512_max_ps((v), vlo), vhi))
#define VFMA(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define VZERO() _mm512_setzero_ps()
#else
    const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
#define VW 8
#define VEC __m256
#define VLOAD(ptr) _mm256_maskload_ps((ptr), m)
#define VSTORE(ptr, v) _mm256_maskstore_ps((ptr), m, _mm256_min_ps(_mm256_max_ps((v), vlo), vhi))
#define VFMA(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define VZERO() _mm256_setzero_ps()
#endif
    for (int64_t r = r0; r < r1; r++) {
        int64_t nn = r / d->oh, oy = r % d->oh;
        int64_t iy0 = oy * p->stride_h - p->pad_top;
        int ky0 = 0, ky1 = d->kh;
        while (ky0 < ky1 && iy0 + (int64_t)ky0 * p->dilation_h < 0) ky0++;
        while (ky1 > ky0 && iy0 + (int64_t)(ky1 - 1) * p->dilation_h >= d->h) ky1--;
        const float *xn = j->x + (nn * d->h + iy0) * W * C; /* row iy0 (may lie outside) */
        const int64_t rstep = p->dilation_h * W * C;
        float *yrow = j->y + (nn * d->oh + oy) * d->ow * C;
        /* tiles of output columns keep the input they read in L1 while every
         * channel block passes over them */
        for (int64_t t0 = 0; t0 < d->ow; t0 += 8) {
            int64_t t1 = t0 + 8 < d->ow ? t0 + 8 : d->ow;
            for (int64_t c = 0; c < C; c += VW) {
#if defined(__AVX512F__)
                __mmask16 m = C - c >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (C - c)) - 1);
#else
                int32_t mk[8];
                for (int i = 0; i < 8; i++) mk[i] = c + i < C ? -1 : 0;
                __m256i m = _mm256_loadu_si256((const __m256i *)mk);
#endif
                VEC bias = j->b ? VLOAD(j->b + c) : VZERO();
                const float *wc = j->w + c;
                for (int64_t ox = t0; ox < t1;) {
                    int64_t ix = ox * sw - p->pad_left;
                    if (ox >= ox_lo && ox + DWK_PX <= ox_hi && ox + DWK_PX <= t1) {
                        VEC a0 = bias, a1 = bias, a2 = bias, a3 = bias;
                        const int64_t s = sw * C;
                        for (int ky = ky0; ky < ky1 && slide5; ky++) {
                            /* 5 wide, stride 1: the four pixels' taps are
                             * eight input pixels, each loaded once */
                            const float *q = xn + ky * rstep + ix * C + c;
                            const float *wr = wc + (int64_t)ky * 5 * C;
                            VEC x0 = VLOAD(q), x1 = VLOAD(q + C), x2 = VLOAD(q + 2 * C),
                                x3 = VLOAD(q + 3 * C), x4 = VLOAD(q + 4 * C),
                                x5 = VLOAD(q + 5 * C), x6 = VLOAD(q + 6 * C),
                                x7 = VLOAD(q + 7 * C), wv;
#define DWK_TAP(k, p0, p1, p2, p3)                                       \
    wv = VLOAD(wr + (k) * C);                                            \
    a0 = VFMA(p0, wv, a0);                                               \
    a1 = VFMA(p1, wv, a1);                                               \
    a2 = VFMA(p2, wv, a2);                                               \
    a3 = VFMA(p3, wv, a3);
                            DWK_TAP(0, x0, x1, x2, x3)
                            DWK_TAP(1, x1, x2, x3, x4)
                            DWK_TAP(2, x2, x3, x4, x5)
                            DWK_TAP(3, x3, x4, x5, x6)
                            DWK_TAP(4, x4, x5, x6, x7)
#undef DWK_TAP
                        }
                        for (int ky = ky0; ky < ky1 && !slide5; ky++) {
                            const float *xr = xn + ky * rstep + ix * C + c;
                            const float *wr = wc + (int64_t)ky * kw * C;
                            for (int kx = 0; kx < kw; kx++) {
                                VEC wv = VLOAD(wr + (int64_t)kx * C);
                                const float *q = xr + (int64_t)kx * dwd * C;
                                a0 = VFMA(VLOAD(q), wv, a0);
                                a1 = VFMA(VLOAD(q + s), wv, a1);
                                a2 = VFMA(VLOAD(q + 2 * s), wv, a2);
                                a3 = VFMA(VLOAD(q + 3 * s), wv, a3);
                            }
                        }
                        float *yo = yrow + ox * C + c;
                        VSTORE(yo, a0);
                        VSTORE(yo + C, a1);
                        VSTORE(yo + 2 * C, a2);
                        VSTORE(yo + 3 * C, a3);
                        ox += DWK_PX;
                        continue;
                    }
                    VEC acc = bias;
                    for (int ky = ky0; ky < ky1; ky++) {
                        const float *xr = xn + ky * rstep + c;
                        const float *wr = wc + (int64_t)ky * kw * C;
                        for (int kx = 0; kx < kw; kx++) {
                            int64_t xx = ix + (int64_t)kx * dwd;
                            if (xx < 0 || xx >= W) continue;
                            acc = VFMA(VLOAD(xr + xx * C), VLOAD(wr + (int64_t)kx * C), acc);
                        }
                    }
                    VSTORE(yrow + ox * C + c, acc);
                    ox++;
                }
            }
        }
    }
#undef VW
#undef VEC
#undef VLOAD
#undef VSTORE
#undef VFMA
#undef VZERO
}
#endif

/* The row kernels with denormals flushed (GLIM_FLUSH_BEGIN). */
#define DW_FLUSHED(name)                                    \
    static void name(void *arg, int64_t r0, int64_t r1)     \
    {                                                       \
        GLIM_FLUSH_BEGIN                                    \
        name##_run(arg, r0, r1);                            \
        GLIM_FLUSH_END                                      \
    }
#if defined(__AVX512F__)
DW_FLUSHED(dw3x3_rows_avx512)
#elif defined(DW_AVX2)
DW_FLUSHED(dw3x3_rows)
#endif
#if defined(__AVX512F__) || defined(DW_AVX2)
DW_FLUSHED(dwk_rows)
#endif

static void dw_eval(glim_graph *g, const glim_node *n)
{
    dw_job j;
    j.p = n->params;
    dims_of(g, n, &j.d);
    j.x = glim_in(g, n, 0)->data;
    j.w = glim_in(g, n, 1)->data;
    glim_gtensor *bt = glim_in(g, n, 2);
    j.b = bt ? bt->data : NULL;
    j.y = glim_out(g, n, 0)->data;
    j.zero_row = n->state;
    float lo, hi;
    int clamp = glim_act_range(j.p->act, &lo, &hi);
    int64_t rows = j.d.n * j.d.oh;
    if (g->reference || j.d.mult != 1 || !clamp)
        glim_parallel_for(g, rows, 1, dw_ref_rows, &j);
#if defined(__AVX512F__)
    else if (j.d.kh == 3 && j.d.kw == 3) {
        int64_t want = 4 * (int64_t)g->threads, blocks = (j.d.c + 15) / 16;
        if (g->pool_threads && rows < want && blocks >= 2) {
            j.cgroups = (want + rows - 1) / rows;
            if (j.cgroups > blocks) j.cgroups = blocks;
            j.cchunk = (blocks + j.cgroups - 1) / j.cgroups * 16;
            glim_threads_run(g->pool_threads, (int)(rows * j.cgroups), dw3x3_cells_avx512, &j);
        } else {
            glim_parallel_for(g, rows, 1, dw3x3_rows_avx512, &j);
        }
    }
#elif defined(DW_AVX2)
    else if (j.d.kh == 3 && j.d.kw == 3)
        glim_parallel_for(g, rows, 1, dw3x3_rows, &j);
#endif
#if defined(__AVX512F__) || defined(DW_AVX2)
    else
        glim_parallel_for(g, rows, 1, dwk_rows, &j);
#else
    else
        glim_parallel_for(g, rows, 1, dw_fast_rows, &j);
#endif
}

static double dw_flops(const glim_graph *g, const glim_node *n)
{
    dw_dims d;
    dims_of((glim_graph *)g, n, &d);
    return 2.0 * (double)(d.n * d.oh * d.ow * d.cout) * (double)(d.kh * d.kw);
}

const glim_op_vtable glim_op_depthwise_conv2d = {"DEPTHWISE_CONV2D", sizeof(glim_conv2d_params),
                                                 dw_prepare, dw_eval, dw_flops};
