/*
 * conv2d.c — CONV2D: 2-D convolution, NHWC.
 *
 *   y[n,oy,ox,co] = act( b[co] + sum_{ky,kx,ci} x[n, oy*sh - pt + ky*dh, ox*sw - pl + kx*dw, ci]
 *                                               * w[co,ky,kx,ci] )
 *   x [N,H,W,Cin], w [Cout,KH,KW,Cin] (TFLite's OHWI), b [Cout] optional,
 *   y [N,OH,OW,Cout]. Positions outside x read 0. Padding follows TFLite:
 *   SAME gives OH = ceil(H / sh) with the odd pad at the bottom/right,
 *   VALID gives OH = floor((H - ((KH-1)*dh+1)) / sh) + 1; EXPLICIT uses pad_*.
 *   Grouped convolution (ONNX group > 1, depthwise excepted) is not supported.
 *
 * Fast paths, all on the weights packed once at prepare into gemm.c's
 * 16-column panels ([Cout x K], K = KH*KW*Cin ordered ky, kx, ci), with
 * bias and clamp activations fused into the stores:
 *   - 1x1 stride-1 unpadded: the NHWC input is the GEMM's A as it is.
 *   - Winograd F(4x4,3x3) (wino_run) for 3x3 stride-1 convs with >= 16
 *     channels in and out on maps of >= 12x12 whose transformed weights
 *     stay within 4 MB: 36 GEMMs over the channels, ~4x fewer FLOPs.
 *   - direct (direct_run) for other convs with >= 16 input channels or
 *     undilated kernel rows of >= 8 floats (3-channel stems): the micro-
 *     kernels read each tap's run of Cin (or KW*Cin) floats in place from a
 *     zero-padded copy of the input; no im2col matrix.
 *   - otherwise im2col in 96-row tiles per thread, multiplied at once.
 * Past the packed kernel's sizes (K > 8192 or Cout*K > 16M) cblas_sgemm
 * runs on im2col bands and bias + activation follow in one pass. Work is
 * split across the graph's threads by rows, tiles or column panels.
 */
#include "kernel.h"

#include <cblas.h>
#include <math.h>
#include <string.h>
#if defined(__AVX2__)
#include <immintrin.h>
#endif

#if defined(__SSE__)
#include <xmmintrin.h>
/* Denormal operands (tiny activations, e.g. after sigmoid gates) send FMAs
 * down a microcode path several times slower; kernels flush them to zero
 * for their own duration (FTZ | DAZ) and restore the caller's mode. The
 * results differ from the reference loops only below 1e-38. */
#define FLUSH_BEGIN                                  \
    const unsigned int saved_csr_ = _mm_getcsr();    \
    _mm_setcsr(saved_csr_ | 0x8040u);
#define FLUSH_END _mm_setcsr(saved_csr_);
#else
#define FLUSH_BEGIN
#define FLUSH_END
#endif

#define IM2COL_LIMIT (8u << 20) /* bytes of im2col scratch per band (cblas path) */
#define TILE 96                 /* im2col rows per thread tile (packed path) */

typedef struct conv_dims {
    int64_t n, h, w, cin, oh, ow, cout;
    int kh, kw;
} conv_dims;

static void dims_of(glim_graph *g, const glim_node *n, conv_dims *d)
{
    glim_gtensor *x = glim_in(g, n, 0), *w = glim_in(g, n, 1), *y = glim_out(g, n, 0);
    d->n = x->shape[0];
    d->h = x->shape[1];
    d->w = x->shape[2];
    d->cin = x->shape[3];
    d->cout = w->shape[0];
    d->kh = (int)w->shape[1];
    d->kw = (int)w->shape[2];
    d->oh = y->shape[1];
    d->ow = y->shape[2];
}

static int is_pointwise(const glim_conv2d_params *p, const conv_dims *d)
{
    return d->kh == 1 && d->kw == 1 && p->stride_h == 1 && p->stride_w == 1 &&
           p->pad_top == 0 && p->pad_left == 0 && p->pad_bottom == 0 && p->pad_right == 0;
}

/* The packed kernel blocks K itself (gemm.c); past these sizes (weights
 * over 64 MB) OpenBLAS's full cache blocking is left to do the work. */
static int use_packed(const conv_dims *d)
{
    int64_t K = d->kh * d->kw * d->cin;
    return K <= 8192 && d->cout * K <= (1 << 24);
}

/* Direct path (below): convs with enough input channels that each kernel
 * tap is a worthwhile stretch of the GEMM's K, read from the input where
 * it lies instead of through an im2col copy. */
static int use_direct(const glim_conv2d_params *p, const conv_dims *d)
{
    return !is_pointwise(p, d) && use_packed(d) &&
           (d->cin >= 16 || (p->dilation_w == 1 && d->kw * d->cin >= 8));
}

static int has_pad(const glim_conv2d_params *p)
{
    return p->pad_top || p->pad_left || p->pad_bottom || p->pad_right;
}

/* The input extent a direct conv reads, padding included. */
static void direct_extent(const glim_conv2d_params *p, const conv_dims *d, int64_t *hp,
                          int64_t *wp)
{
    *hp = (d->oh - 1) * p->stride_h + (int64_t)(d->kh - 1) * p->dilation_h + 1;
    *wp = (d->ow - 1) * p->stride_w + (int64_t)(d->kw - 1) * p->dilation_w + 1;
}

static int64_t band_rows(const conv_dims *d)
{
    int64_t row = d->ow * d->kh * d->kw * d->cin * (int64_t)sizeof(float);
    int64_t r = row ? (int64_t)IM2COL_LIMIT / row : d->oh;
    if (r < 1) r = 1;
    if (r > d->oh) r = d->oh;
    return r;
}

/* ---- Winograd F(4x4, 3x3) ------------------------------------------------
 * 3x3 stride-1 undilated convs: each 4x4 block of outputs comes from a 6x6
 * input tile d as Y = A^T [ (G g G^T) .* (B^T d B) ] A (Lavin & Gray), so
 * the 36 element-wise products become 36 GEMMs over the channels:
 * M_e [tiles x Cout] = V_e [tiles x Cin] * U_e^T, with U_e (the transformed
 * weights, [Cout x Cin] each) packed at prepare. 36 multiplies per 16
 * outputs instead of 144: about 4x fewer FLOPs, for input and output
 * transforms that cost a few adds per value. Rounding differs from the
 * direct sum: about 1e-6 relative per product term here (the tests allow
 * 1e-4 relative, as for the other paths).
 * Used where the transformed weights stay small (36*Cin*Cout floats up to
 * 4 MB) and the map has enough tiles; bigger layers take the direct path. */
#define WG_E 36

/* n->state of a packed conv; pk first, as other ops read n->state as a
 * glim_packed (eltwise.c). */
typedef struct conv_state {
    glim_packed pk;
    glim_packed *wino; /* WG_E packed U_e, or NULL */
} conv_state;

/* Where Winograd pays: enough tiles (on 7x7 maps half the work would be
 * padding) and transformed weights that stay in L2 / L3 while every block
 * of tiles sweeps them (at 14x14x256 the direct path is as fast). */
static int wino_shape(const glim_conv2d_params *p, const conv_dims *d)
{
    return d->kh == 3 && d->kw == 3 && p->stride_h == 1 && p->stride_w == 1 &&
           p->dilation_h == 1 && p->dilation_w == 1 && d->cin >= 16 && d->cout >= 16 &&
           (int64_t)WG_E * d->cin * d->cout * (int64_t)sizeof(float) <= (4 << 20) &&
           d->oh >= 12 && d->ow >= 12;
}

/* The transformed weights exist from the first prepare that saw a
 * qualifying shape. */
static int use_wino(const glim_conv2d_params *p, const conv_dims *d, const glim_node *n)
{
    const conv_state *cs = n->state;
    return cs && cs->wino && wino_shape(p, d);
}

/* Tiles per task: the task's V and M blocks (36 x T x (Cin + Cout) floats)
 * in about 1 MB of L2, a multiple of 7 rows (the 7x32 GEMM tile); with
 * several threads, the largest such T whose tasks split most evenly (the
 * most tiles any thread must do is least), so that e.g. 56x56's 196 tiles
 * do not become 7 tasks of 28 (4 against 3). */
static int64_t wino_tiles_per_task(const glim_graph *g, const conv_dims *d)
{
    int64_t ntiles = d->n * ((d->oh + 3) / 4) * ((d->ow + 3) / 4);
    int64_t tmax = (1 << 20) / (WG_E * (d->cin + d->cout) * (int64_t)sizeof(float)) / 7 * 7;
    if (tmax > 112) tmax = 112;
    if (tmax < 7) tmax = 7;
    if (g->threads <= 1) return tmax;
    int64_t best = tmax, best_cost = INT64_MAX;
    for (int64_t t = tmax; t >= 7; t -= 7) {
        int64_t tasks = (ntiles + t - 1) / t;
        int64_t cost = (tasks + g->threads - 1) / g->threads * t;
        if (cost < best_cost) best = t, best_cost = cost;
    }
    return best;
}

/* U_e = G g G^T for every (co, ci), packed as WG_E [Cout x Cin] matrices. */
static glim_status wino_pack(glim_graph *g, const float *w, const conv_dims *d, conv_state *cs)
{
    static const double G[6][3] = {{1.0 / 4, 0, 0},
                                   {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                   {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                   {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                   {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                   {0, 0, 1}};
    int64_t cin = d->cin, cout = d->cout;
    cs->wino = glim_graph_pool_alloc(g, WG_E * sizeof(glim_packed));
    float *u = glim_alloc((size_t)(WG_E * cin * cout) * sizeof(float));
    if (!cs->wino || !u) {
        glim_free(u);
        return GLIM_ENOMEM;
    }
    memset(cs->wino, 0, WG_E * sizeof(glim_packed));
    for (int64_t co = 0; co < cout; co++)
        for (int64_t ci = 0; ci < cin; ci++) {
            double k[3][3], t[6][3];
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++) k[a][b] = w[((co * 3 + a) * 3 + b) * cin + ci];
            for (int i = 0; i < 6; i++)
                for (int b = 0; b < 3; b++)
                    t[i][b] = G[i][0] * k[0][b] + G[i][1] * k[1][b] + G[i][2] * k[2][b];
            for (int i = 0; i < 6; i++)
                for (int j = 0; j < 6; j++)
                    u[((int64_t)(i * 6 + j) * cout + co) * cin + ci] =
                        (float)(t[i][0] * G[j][0] + t[i][1] * G[j][1] + t[i][2] * G[j][2]);
        }
    glim_status st = GLIM_OK;
    for (int e = 0; e < WG_E && st == GLIM_OK; e++)
        st = glim_pack_weights(g, u + (int64_t)e * cout * cin, NULL, cout, cin, &cs->wino[e], NULL);
    glim_free(u);
    if (st != GLIM_OK) cs->wino = NULL;
    return st;
}

/* Vectors over channels: 16 (AVX-512), 8 (AVX2) or 1 at a time; nc < the
 * width masks the last block. */
#if defined(__AVX512F__)
typedef __m512 wv;
#define WV 16
static inline wv w_ld(const float *p, int nc)
{
    return nc == WV ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps((__mmask16)((1u << nc) - 1), p);
}
static inline void w_st(float *p, wv v, int nc)
{
    if (nc == WV) _mm512_storeu_ps(p, v);
    else _mm512_mask_storeu_ps(p, (__mmask16)((1u << nc) - 1), v);
}
static inline wv w_zero(void) { return _mm512_setzero_ps(); }
static inline wv w_add(wv a, wv b) { return _mm512_add_ps(a, b); }
static inline wv w_sub(wv a, wv b) { return _mm512_sub_ps(a, b); }
static inline wv w_fma(wv a, float k, wv b) { return _mm512_fmadd_ps(a, _mm512_set1_ps(k), b); }
static inline wv w_clamp(wv a, float lo, float hi)
{
    return _mm512_min_ps(_mm512_max_ps(a, _mm512_set1_ps(lo)), _mm512_set1_ps(hi));
}
#elif defined(__AVX2__) && defined(__FMA__)
typedef __m256 wv;
#define WV 8
static inline __m256i w_mask(int nc)
{
    static const int32_t m[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    return _mm256_loadu_si256((const __m256i *)(m + 8 - nc));
}
static inline wv w_ld(const float *p, int nc)
{
    return nc == WV ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, w_mask(nc));
}
static inline void w_st(float *p, wv v, int nc)
{
    if (nc == WV) _mm256_storeu_ps(p, v);
    else _mm256_maskstore_ps(p, w_mask(nc), v);
}
static inline wv w_zero(void) { return _mm256_setzero_ps(); }
static inline wv w_add(wv a, wv b) { return _mm256_add_ps(a, b); }
static inline wv w_sub(wv a, wv b) { return _mm256_sub_ps(a, b); }
static inline wv w_fma(wv a, float k, wv b) { return _mm256_fmadd_ps(a, _mm256_set1_ps(k), b); }
static inline wv w_clamp(wv a, float lo, float hi)
{
    return _mm256_min_ps(_mm256_max_ps(a, _mm256_set1_ps(lo)), _mm256_set1_ps(hi));
}
#else
typedef float wv;
#define WV 1
static inline wv w_ld(const float *p, int nc) { (void)nc; return *p; }
static inline void w_st(float *p, wv v, int nc) { (void)nc; *p = v; }
static inline wv w_zero(void) { return 0.f; }
static inline wv w_add(wv a, wv b) { return a + b; }
static inline wv w_sub(wv a, wv b) { return a - b; }
static inline wv w_fma(wv a, float k, wv b) { return a * k + b; }
static inline wv w_clamp(wv a, float lo, float hi) { return a < lo ? lo : (a > hi ? hi : a); }
#endif

/* o[i*os] = (B^T d)[i] for d[k*s], k = 0..5 */
static inline void wino_bt(const wv *d, int s, wv *o, int os)
{
    wv d0 = d[0], d1 = d[s], d2 = d[2 * s], d3 = d[3 * s], d4 = d[4 * s], d5 = d[5 * s];
    o[0] = w_fma(d0, 4.f, w_fma(d2, -5.f, d4));
    o[os] = w_fma(w_add(d1, d2), -4.f, w_add(d3, d4));
    o[2 * os] = w_fma(w_sub(d1, d2), 4.f, w_sub(d4, d3));
    o[3 * os] = w_fma(w_sub(d3, d1), 2.f, w_sub(d4, d2));
    o[4 * os] = w_fma(w_sub(d1, d3), 2.f, w_sub(d4, d2));
    o[5 * os] = w_fma(d1, 4.f, w_fma(d3, -5.f, d5));
}

/* o[i*os] = (A^T m)[i], i = 0..3, for m[k*s], k = 0..5 */
static inline void wino_at(const wv *m, int s, wv *o, int os)
{
    wv a = w_add(m[s], m[2 * s]), b = w_sub(m[s], m[2 * s]);
    wv c = w_add(m[3 * s], m[4 * s]), e = w_sub(m[3 * s], m[4 * s]);
    o[0] = w_add(w_add(m[0], a), c);
    o[os] = w_fma(e, 2.f, b);
    o[2 * os] = w_fma(c, 4.f, a);
    o[3 * os] = w_add(w_fma(e, 8.f, b), m[5 * s]);
}

typedef struct wino_job {
    const glim_conv2d_params *p;
    const conv_dims *d;
    const conv_state *cs;
    const float *x;
    float *y, *scratch;
    int64_t T, ntiles, tx, ty; /* tiles per task; all tiles; per row / column */
    float lo, hi;
} wino_job;

static __attribute__((noinline)) void wino_task_run(void *arg, int task, int thread)
{
    const wino_job *j = arg;
    const conv_dims *d = j->d;
    const glim_conv2d_params *p = j->p;
    const int64_t C = d->cin, CO = d->cout, T = j->T;
    int64_t t0 = (int64_t)task * T, t1 = t0 + T < j->ntiles ? t0 + T : j->ntiles;
    float *V = j->scratch + (int64_t)thread * WG_E * T * (C + CO), *M = V + WG_E * T * C;
    /* input transform: V[e][tile][ci] */
    for (int64_t t = t0; t < t1; t++) {
        int64_t nn = t / (j->ty * j->tx), r = t % (j->ty * j->tx);
        int64_t iy0 = (r / j->tx) * 4 - p->pad_top, ix0 = (r % j->tx) * 4 - p->pad_left;
        const float *src[WG_E];
        for (int a = 0; a < 6; a++)
            for (int b = 0; b < 6; b++) {
                int64_t iy = iy0 + a, ix = ix0 + b;
                src[a * 6 + b] = iy < 0 || iy >= d->h || ix < 0 || ix >= d->w
                                     ? NULL
                                     : j->x + ((nn * d->h + iy) * d->w + ix) * C;
            }
        float *vt = V + (t - t0) * C;
        for (int64_t c = 0; c < C; c += WV) {
            int nc = (int)(C - c < WV ? C - c : WV);
            wv dd[WG_E], tt[WG_E], vv[WG_E];
            for (int e = 0; e < WG_E; e++) dd[e] = src[e] ? w_ld(src[e] + c, nc) : w_zero();
            for (int b = 0; b < 6; b++) wino_bt(dd + b, 6, tt + b, 6);
            for (int a = 0; a < 6; a++) wino_bt(tt + a * 6, 1, vv + a * 6, 1);
            for (int e = 0; e < WG_E; e++) w_st(vt + e * T * C + c, vv[e], nc);
        }
    }
    /* 36 GEMMs: M[e] = V[e] U_e^T (bias and clamp come after the output transform) */
    for (int e = 0; e < WG_E; e++) {
        glim_packed u = j->cs->wino[e];
        u.isa = j->cs->pk.isa;
        glim_gemm_packed(V + e * T * C, C, &u, M + e * T * CO, CO, 0, t1 - t0, -INFINITY,
                         INFINITY);
    }
    /* output transform, bias, clamp, store the tile's rows and columns inside y */
    const float *bias = j->cs->pk.bias;
    for (int64_t t = t0; t < t1; t++) {
        int64_t nn = t / (j->ty * j->tx), r = t % (j->ty * j->tx);
        int64_t oy0 = (r / j->tx) * 4, ox0 = (r % j->tx) * 4;
        int rows = (int)(d->oh - oy0 < 4 ? d->oh - oy0 : 4), cols = (int)(d->ow - ox0 < 4 ? d->ow - ox0 : 4);
        const float *mt = M + (t - t0) * CO;
        float *yt = j->y + ((nn * d->oh + oy0) * d->ow + ox0) * CO;
        for (int64_t c = 0; c < CO; c += WV) {
            int nc = (int)(CO - c < WV ? CO - c : WV);
            wv mm[WG_E], tt[24], yy[16];
            for (int e = 0; e < WG_E; e++) mm[e] = w_ld(mt + e * T * CO + c, nc);
            for (int b = 0; b < 6; b++) wino_at(mm + b, 6, tt + b, 6);
            for (int a = 0; a < 4; a++) wino_at(tt + a * 6, 1, yy + a * 4, 1);
            wv bv = w_ld(bias + c, nc);
            for (int a = 0; a < rows; a++)
                for (int b = 0; b < cols; b++)
                    w_st(yt + ((int64_t)a * d->ow + b) * CO + c,
                         w_clamp(w_add(yy[a * 4 + b], bv), j->lo, j->hi), nc);
        }
    }
}

static void wino_task(void *arg, int task, int thread)
{
    FLUSH_BEGIN
    wino_task_run(arg, task, thread);
    FLUSH_END
}

static void wino_run(glim_graph *g, const glim_node *n, const conv_dims *d, const float *x,
                     float *y, float lo, float hi)
{
    wino_job j = {n->params, d, n->state, x, y, n->scratch_data, wino_tiles_per_task(g, d), 0,
                  (d->ow + 3) / 4, (d->oh + 3) / 4, lo, hi};
    j.ntiles = d->n * j.ty * j.tx;
    glim_threads_run(g->pool_threads, (int)((j.ntiles + j.T - 1) / j.T), wino_task, &j);
}

static glim_status conv_prepare(glim_graph *g, glim_node *n, glim_error *err)
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
    if (w->shape[3] != x->shape[3])
        return glim_node_fail(n, err, GLIM_EUNSUPPORTED,
                              "weights have %lld input channels, the input has %lld "
                              "(grouped convolution is not supported)",
                              (long long)w->shape[3], (long long)x->shape[3]);
    if (b) {
        if ((st = glim_need_input(g, n, 2, GLIM_F32, 1, 1, "bias", err))) return st;
        if (b->shape[0] != w->shape[0])
            return glim_node_fail(n, err, GLIM_EINVAL, "bias has %lld values, expected %lld",
                                  (long long)b->shape[0], (long long)w->shape[0]);
    }
    int64_t oh, ow;
    if ((st = glim_conv_geometry(n, p, x, w->shape[1], w->shape[2], &oh, &ow, err))) return st;
    int64_t shape[4] = {x->shape[0], oh, ow, w->shape[0]};
    if ((st = glim_out_shape(g, n, 0, GLIM_F32, 4, shape, err))) return st;
    conv_dims d;
    dims_of(g, n, &d);
    int64_t K = d.kh * d.kw * d.cin;
    if (use_packed(&d) && !n->state) {
        conv_state *cs = glim_graph_pool_alloc(g, sizeof *cs);
        if (!cs) return glim_node_fail(n, err, GLIM_ENOMEM, "out of memory");
        memset(cs, 0, sizeof *cs);
        glim_packed *pk = &cs->pk;
        /* the Winograd weights first: they read the original layout */
        if (wino_shape(p, &d) && wino_pack(g, w->data, &d, cs) != GLIM_OK)
            return glim_node_fail(n, err, GLIM_ENOMEM, "cannot transform the weights");
        /* Repack in place when this node is the weights' only user and the
         * graph owns their memory: the packed weights then cost nothing. */
        int users = 0;
        for (int i = 0; i < g->nnodes; i++)
            for (int k = 0; k < g->nodes[i].ninputs; k++)
                users += g->nodes[i].inputs[k] == n->inputs[1];
        for (int i = 0; i < g->noutputs; i++) users += g->outputs[i] == n->inputs[1];
        float *dst = users == 1 && glim_graph_owns_const(g, w->data, w->nbytes) ? w->data : NULL;
        glim_status ps = glim_pack_weights(g, w->data, b ? b->data : NULL, d.cout,
                                           d.kh * d.kw * d.cin, pk, dst);
        if (ps != GLIM_OK) return glim_node_fail(n, err, ps, "cannot pack the weights");
        n->state = cs;
    }
    n->scratch = 0;
    if (use_wino(p, &d, n)) {
        n->scratch = (size_t)(g->threads * WG_E * wino_tiles_per_task(g, &d) * (d.cin + d.cout)) *
                     sizeof(float);
    } else if (use_direct(p, &d)) {
        int64_t hp, wp;
        direct_extent(p, &d, &hp, &wp);
        n->scratch = has_pad(p) ? (size_t)(hp * wp * d.cin) * sizeof(float) : 0;
    } else if (!is_pointwise(p, &d)) {
        n->scratch = use_packed(&d) ? (size_t)(g->threads * TILE * K) * sizeof(float)
                                    : (size_t)(band_rows(&d) * d.ow * K) * sizeof(float);
    }
    if (n->state) /* a consumer may fuse this conv into itself (eltwise.c) */
        ((glim_packed *)n->state)->fused_residual = 0;
    if (n->state) /* outputs far beyond the caches: stream them (gemm.c) */
        ((glim_packed *)n->state)->stream = glim_out(g, n, 0)->nbytes > ((size_t)16 << 20);
    return GLIM_OK;
}

/* Plain loops: the reference the fast path is checked against. Weights
 * that were repacked in place are read through the packed layout. */
static void glim_conv2d_ref(const glim_conv2d_params *p, const float *x, const float *w,
                            const glim_packed *pk, const float *b, float *y, int64_t N,
                            int64_t H, int64_t W, int64_t Cin, int64_t OH, int64_t OW,
                            int64_t Cout, int KH, int KW)
{
    for (int64_t nn = 0; nn < N; nn++)
        for (int64_t oy = 0; oy < OH; oy++)
            for (int64_t ox = 0; ox < OW; ox++)
                for (int64_t co = 0; co < Cout; co++) {
                    float acc = b ? b[co] : 0.f;
                    for (int ky = 0; ky < KH; ky++) {
                        int64_t iy = oy * p->stride_h - p->pad_top + (int64_t)ky * p->dilation_h;
                        if (iy < 0 || iy >= H) continue;
                        for (int kx = 0; kx < KW; kx++) {
                            int64_t ix =
                                ox * p->stride_w - p->pad_left + (int64_t)kx * p->dilation_w;
                            if (ix < 0 || ix >= W) continue;
                            const float *xp = x + ((nn * H + iy) * W + ix) * Cin;
                            int64_t k0 = ((int64_t)ky * KW + kx) * Cin;
                            if (pk && pk->in_place)
                                for (int64_t ci = 0; ci < Cin; ci++)
                                    acc += xp[ci] * glim_packed_weight(pk, co, k0 + ci);
                            else
                                for (int64_t ci = 0; ci < Cin; ci++)
                                    acc += xp[ci] * w[co * KH * KW * Cin + k0 + ci];
                        }
                    }
                    y[((nn * OH + oy) * OW + ox) * Cout + co] = glim_act1(acc, p->act);
                }
    if (p->act == GLIM_ACT_TANH || p->act == GLIM_ACT_SIGMOID)
        glim_apply_act(y, N * OH * OW * Cout, p->act);
}

static void bias_act(float *y, int64_t rows, int64_t cout, const float *b, glim_activation act)
{
    float lo, hi;
    int clamp = glim_act_range(act, &lo, &hi);
    if (!b && act == GLIM_ACT_NONE) return;
    for (int64_t r = 0; r < rows; r++) {
        float *yr = y + r * cout;
        if (b)
            for (int64_t c = 0; c < cout; c++) yr[c] += b[c];
        if (clamp && act != GLIM_ACT_NONE)
            for (int64_t c = 0; c < cout; c++) yr[c] = yr[c] < lo ? lo : (yr[c] > hi ? hi : yr[c]);
    }
    if (!clamp) glim_apply_act(y, rows * cout, act);
}

/* Build the im2col rows of output pixels [r0, r1) (r = oy * OW + ox) of
 * image `xn`. With unit
 * dilation the KW taps of one kernel row are adjacent pixels, contiguous in
 * NHWC: inside the image they are one copy of KW*Cin floats. */
static void im2col(const glim_conv2d_params *p, const conv_dims *d, const float *xn, float *col,
                   int64_t r0, int64_t r1)
{
    int64_t K = d->kh * d->kw * d->cin;
    int64_t run = d->kw * d->cin;
    size_t cbytes = (size_t)d->cin * sizeof(float);
#if defined(__AVX2__)
    /* short runs (the 3-channel stem: 9 floats) as two masked moves */
    int small = run <= 16;
    __m256i m0 = _mm256_setzero_si256(), m1 = _mm256_setzero_si256();
    if (small) {
        int32_t mask[16];
        for (int i = 0; i < 16; i++) mask[i] = i < run ? -1 : 0;
        m0 = _mm256_loadu_si256((const __m256i *)mask);
        m1 = _mm256_loadu_si256((const __m256i *)(mask + 8));
    }
#endif
    for (int64_t r = r0; r < r1; r++) {
            int64_t oy = r / d->ow, ox = r % d->ow;
            float *row = col + (r - r0) * K;
            int64_t ix0 = ox * p->stride_w - p->pad_left;
            int inside_x = p->dilation_w == 1 && ix0 >= 0 && ix0 + d->kw <= d->w;
            for (int ky = 0; ky < d->kh; ky++) {
                int64_t iy = oy * p->stride_h - p->pad_top + (int64_t)ky * p->dilation_h;
                float *dst = row + (int64_t)ky * run;
                if (iy < 0 || iy >= d->h) {
                    memset(dst, 0, (size_t)run * sizeof(float));
                    continue;
                }
                const float *src = xn + iy * d->w * d->cin;
                if (inside_x) {
                    const float *s0 = src + ix0 * d->cin;
#if defined(__AVX2__)
                    if (small) {
                        _mm256_maskstore_ps(dst, m0, _mm256_maskload_ps(s0, m0));
                        _mm256_maskstore_ps(dst + 8, m1, _mm256_maskload_ps(s0 + 8, m1));
                        continue;
                    }
#endif
                    for (int64_t i = 0; i < run; i++) dst[i] = s0[i];
                    continue;
                }
                for (int kx = 0; kx < d->kw; kx++) {
                    int64_t ix = ix0 + (int64_t)kx * p->dilation_w;
                    if (ix < 0 || ix >= d->w)
                        memset(dst + (int64_t)kx * d->cin, 0, cbytes);
                    else
                        memcpy(dst + (int64_t)kx * d->cin, src + ix * d->cin, cbytes);
                }
            }
        }
}

typedef struct conv_job {
    const glim_conv2d_params *p;
    const conv_dims *d;
    const glim_packed *pk;
    const float *a;  /* GEMM rows (input or im2col band) */
    const float *xn; /* image, for im2col */
    float *col;
    float *y;
    int64_t lda, oy0, m;
    float lo, hi;
    int ntasks;
    const float *res; /* a fused residual ADD's other operand, or NULL */
    int64_t units, rchunk; /* gemm_grid: pairs of panels, rows per task */
} conv_job;

static void gemm_rows(void *arg, int64_t m0, int64_t m1)
{
    const conv_job *j = arg;
    glim_gemm_packed_res(j->a, j->lda, j->pk, j->y, j->d->cout, m0, m1, 0, j->pk->npanels, j->lo,
                         j->hi, j->res);
}

/* Few rows (7x7 maps, M = 49): split the columns instead, in pairs of
 * panels (the 7x32 tile's unit), and when there are too few pairs for a
 * few tasks per thread, the rows too (in groups of 7-row tiles). */
static void gemm_grid(void *arg, int task, int thread)
{
    (void)thread;
    const conv_job *j = arg;
    int64_t u = task % j->units, r = task / j->units;
    int64_t p0 = 2 * u, p1 = p0 + 2 < j->pk->npanels ? p0 + 2 : j->pk->npanels;
    int64_t m0 = r * j->rchunk, m1 = m0 + j->rchunk < j->m ? m0 + j->rchunk : j->m;
    if (m0 < m1)
        glim_gemm_packed_res(j->a, j->lda, j->pk, j->y, j->d->cout, m0, m1, p0, p1, j->lo, j->hi,
                             j->res);
}

static void gemm_parallel(glim_graph *g, conv_job *j, int64_t M)
{
    if (g->threads > 1 && M < 96 * g->threads && j->pk->npanels >= 2) {
        j->m = M;
        j->units = (j->pk->npanels + 1) / 2;
        int64_t want = 4 * (int64_t)g->threads, groups = (want + j->units - 1) / j->units;
        int64_t tiles = (M + 6) / 7;
        if (groups > tiles) groups = tiles;
        j->rchunk = (tiles + groups - 1) / groups * 7;
        groups = (M + j->rchunk - 1) / j->rchunk;
        glim_threads_run(g->pool_threads, (int)(j->units * groups), gemm_grid, j);
    } else {
        glim_parallel_for(g, M, 48, gemm_rows, j);
    }
}

static void im2col_rows(void *arg, int64_t r0, int64_t r1)
{
    const conv_job *j = arg;
    im2col(j->p, j->d, j->xn, j->col + (r0 - j->oy0) * j->d->ow * j->lda, r0 * j->d->ow,
           r1 * j->d->ow);
}

/* Implicit GEMM: each thread builds TILE rows of im2col in its own small
 * buffer (it stays in L1/L2) and multiplies them right away. */

static void conv_tiles(void *arg, int task, int thread)
{
    const conv_job *j = arg;
    int64_t M = j->m, K = j->lda, cout = j->d->cout;
    int64_t r = (int64_t)task * TILE, r1 = r + TILE < M ? r + TILE : M;
    float *buf = j->col + (int64_t)thread * TILE * K;
    im2col(j->p, j->d, j->xn, buf, r, r1);
    glim_gemm_packed(buf, K, j->pk, j->y + r * cout, cout, 0, r1 - r, j->lo, j->hi);
}

/* Direct convolution: the im2col row of output pixel (oy, ox) is, tap by
 * tap, a run of Cin floats of the (zero-padded) input starting at
 * src[(oy*sh + ky*dh) * row + ox*sw + kx*dw]; the packed weights hold K in
 * the same (ky, kx, ci) order. So the micro-kernels walk the taps and read
 * the input in place: no im2col copy, and the whole K accumulates in
 * registers (no partial sums through C). A padded input is copied once
 * (one pass over the input instead of KH*KW). Tiles are runs of output
 * pixels within one output row. */
typedef struct direct_job {
    const glim_conv2d_params *p;
    const conv_dims *d;
    const glim_packed *pk;
    const float *xn;  /* the image */
    const float *src; /* what the taps read: the padded copy or xn */
    float *pad;
    float *y;        /* the image's output */
    int64_t row;     /* floats per row of src */
    int64_t hp, wp;  /* extent of src read */
    int64_t pgroups, pchunk; /* panel groups, panels in each */
    int64_t rchunk;          /* output rows per task */
    float lo, hi;
} direct_job;

static void pad_rows(void *arg, int64_t r0, int64_t r1)
{
    const direct_job *j = arg;
    const conv_dims *d = j->d;
    const glim_conv2d_params *p = j->p;
    int64_t C = d->cin;
    for (int64_t r = r0; r < r1; r++) {
        float *dst = j->pad + r * j->row;
        int64_t iy = r - p->pad_top;
        if (iy < 0 || iy >= d->h) {
            memset(dst, 0, (size_t)j->row * sizeof(float));
            continue;
        }
        int64_t x0 = p->pad_left, x1 = x0 + d->w < j->wp ? x0 + d->w : j->wp;
        const float *s = j->xn + iy * d->w * C;
        if (x0 > 0) memset(dst, 0, (size_t)(x0 * C) * sizeof(float));
        memcpy(dst + x0 * C, s, (size_t)((x1 - x0) * C) * sizeof(float));
        if (x1 < j->wp) memset(dst + x1 * C, 0, (size_t)((j->wp - x1) * C) * sizeof(float));
    }
}

#if defined(__AVX512F__)
/* 7 output pixels x 32 channels (two panels; `two` == 0: one panel) in 14
 * zmm accumulators; per K step two panel loads, seven broadcasts and
 * fourteen FMAs. ps: floats between the tile's pixels; rs, cs: between
 * kernel rows and columns. */
static inline __attribute__((always_inline)) void
direct_7x32_body(const float *a, int64_t ps, int64_t rs, int64_t cs, int kh, int kw, int64_t cin,
                 const float *b0, const float *b1, const float *bias, float *c, int64_t ldc,
                 int rows, int cols0, int cols1, float lo, float hi, const int two,
                 const float *pf0, const float *pf1, const int pf)
{
    const float *ar[7];
    for (int r = 0; r < 7; r++) ar[r] = a + (r < rows ? r : 0) * ps;
    __m512 x0 = _mm512_loadu_ps(bias), x1 = two ? _mm512_loadu_ps(bias + 16) : x0;
    __m512 c00 = x0, c10 = x0, c20 = x0, c30 = x0, c40 = x0, c50 = x0, c60 = x0;
    __m512 c01 = x1, c11 = x1, c21 = x1, c31 = x1, c41 = x1, c51 = x1, c61 = x1;
    const float *w0 = b0, *w1 = b1;
    for (int ky = 0; ky < kh; ky++)
        for (int kx = 0; kx < kw; kx++) {
            int64_t o = ky * rs + kx * cs;
            const float *a0 = ar[0] + o, *a1 = ar[1] + o, *a2 = ar[2] + o, *a3 = ar[3] + o,
                        *a4 = ar[4] + o, *a5 = ar[5] + o, *a6 = ar[6] + o;
            for (int64_t ci = 0; ci < cin; ci++) {
                __m512 v0 = _mm512_loadu_ps(w0), v1 = two ? _mm512_loadu_ps(w1) : v0, x;
                w0 += 16;
                if (two) w1 += 16;
                if (pf) { /* one line of each of the next pair's panels */
                    _mm_prefetch((const char *)pf0, _MM_HINT_T1);
                    _mm_prefetch((const char *)pf1, _MM_HINT_T1);
                    pf0 += 16;
                    pf1 += 16;
                }
#define DK_ROW(r)                                         \
    x = _mm512_set1_ps(a##r[ci]);                         \
    c##r##0 = _mm512_fmadd_ps(x, v0, c##r##0);            \
    if (two) c##r##1 = _mm512_fmadd_ps(x, v1, c##r##1);
                DK_ROW(0) DK_ROW(1) DK_ROW(2) DK_ROW(3) DK_ROW(4) DK_ROW(5) DK_ROW(6)
#undef DK_ROW
            }
        }
    __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
    __m512 acc[7][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31},
                        {c40, c41}, {c50, c51}, {c60, c61}};
    __mmask16 m0 = (__mmask16)((1u << cols0) - 1), m1 = (__mmask16)((1u << cols1) - 1);
    for (int r = 0; r < rows; r++) {
        float *cr = c + r * ldc;
        _mm512_mask_storeu_ps(cr, m0, _mm512_min_ps(_mm512_max_ps(acc[r][0], vlo), vhi));
        if (two)
            _mm512_mask_storeu_ps(cr + 16, m1, _mm512_min_ps(_mm512_max_ps(acc[r][1], vlo), vhi));
    }
}

static void direct_7x32(const float *a, int64_t ps, int64_t rs, int64_t cs, int kh, int kw,
                        int64_t cin, const float *b0, const float *b1, const float *bias, float *c,
                        int64_t ldc, int rows, int cols0, int cols1, float lo, float hi)
{
    direct_7x32_body(a, ps, rs, cs, kh, kw, cin, b0, b1, bias, c, ldc, rows, cols0, cols1, lo,
                     hi, 1, NULL, NULL, 0);
}

/* The same, also pulling the next pair of panels into L2 (a line of each
 * per K step: the whole pair over one tile) while this pair, already
 * there, is computed. Layers whose weights come from memory (ResNet's
 * 512-channel 3x3: 9.4 MB) then overlap that stream with the arithmetic. */
static void direct_7x32_pf(const float *a, int64_t ps, int64_t rs, int64_t cs, int kh, int kw,
                           int64_t cin, const float *b0, const float *b1, const float *bias,
                           float *c, int64_t ldc, int rows, int cols0, int cols1, float lo,
                           float hi, const float *pf0, const float *pf1)
{
    direct_7x32_body(a, ps, rs, cs, kh, kw, cin, b0, b1, bias, c, ldc, rows, cols0, cols1, lo,
                     hi, 1, pf0, pf1, 1);
}

static void direct_7x16(const float *a, int64_t ps, int64_t rs, int64_t cs, int kh, int kw,
                        int64_t cin, const float *b0, const float *bias, float *c, int64_t ldc,
                        int rows, int cols0, float lo, float hi)
{
    direct_7x32_body(a, ps, rs, cs, kh, kw, cin, b0, b0, bias, c, ldc, rows, cols0, 0, lo, hi, 0,
                     NULL, NULL, 0);
}
#endif

#if defined(__AVX2__) && defined(__FMA__)
/* 6 output pixels x 16 channels (one panel) in 12 ymm accumulators. */
static void direct_6x16(const float *a, int64_t ps, int64_t rs, int64_t cs, int kh, int kw,
                        int64_t cin, const float *b, const float *bias, float *c, int64_t ldc,
                        int rows, int cols, float lo, float hi)
{
    const float *ar[6];
    for (int r = 0; r < 6; r++) ar[r] = a + (r < rows ? r : 0) * ps;
    __m256 x0 = _mm256_loadu_ps(bias), x1 = _mm256_loadu_ps(bias + 8);
    __m256 c00 = x0, c10 = x0, c20 = x0, c30 = x0, c40 = x0, c50 = x0;
    __m256 c01 = x1, c11 = x1, c21 = x1, c31 = x1, c41 = x1, c51 = x1;
    const float *w = b;
    for (int ky = 0; ky < kh; ky++)
        for (int kx = 0; kx < kw; kx++) {
            int64_t o = ky * rs + kx * cs;
            const float *a0 = ar[0] + o, *a1 = ar[1] + o, *a2 = ar[2] + o, *a3 = ar[3] + o,
                        *a4 = ar[4] + o, *a5 = ar[5] + o;
            for (int64_t ci = 0; ci < cin; ci++, w += 16) {
                __m256 v0 = _mm256_loadu_ps(w), v1 = _mm256_loadu_ps(w + 8), x;
#define DK_ROW(r)                                    \
    x = _mm256_broadcast_ss(a##r + ci);              \
    c##r##0 = _mm256_fmadd_ps(x, v0, c##r##0);       \
    c##r##1 = _mm256_fmadd_ps(x, v1, c##r##1);
                DK_ROW(0) DK_ROW(1) DK_ROW(2) DK_ROW(3) DK_ROW(4) DK_ROW(5)
#undef DK_ROW
            }
        }
    __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
    __m256 acc[6][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
    for (int r = 0; r < rows; r++) {
        float tmp[16];
        _mm256_storeu_ps(tmp, _mm256_min_ps(_mm256_max_ps(acc[r][0], vlo), vhi));
        _mm256_storeu_ps(tmp + 8, _mm256_min_ps(_mm256_max_ps(acc[r][1], vlo), vhi));
        memcpy(c + r * ldc, tmp, (size_t)cols * sizeof(float));
    }
}
#endif

/* Plain C: the same walk, one pixel x one panel at a time. */
static void direct_plain(const float *a, int64_t ps, int64_t rs, int64_t cs, int kh, int kw,
                         int64_t cin, const float *b, const float *bias, float *c, int64_t ldc,
                         int rows, int cols, float lo, float hi)
{
    for (int r = 0; r < rows; r++) {
        float acc[16];
        memcpy(acc, bias, sizeof acc);
        const float *w = b;
        for (int ky = 0; ky < kh; ky++)
            for (int kx = 0; kx < kw; kx++) {
                const float *ap = a + r * ps + ky * rs + kx * cs;
                for (int64_t ci = 0; ci < cin; ci++, w += 16)
                    for (int jj = 0; jj < 16; jj++) acc[jj] += ap[ci] * w[jj];
            }
        for (int jj = 0; jj < cols; jj++)
            c[r * ldc + jj] = acc[jj] < lo ? lo : (acc[jj] > hi ? hi : acc[jj]);
    }
}

static const float *panel_of(const glim_packed *pk, int64_t p)
{
    return p < pk->nfull ? pk->data + p * pk->k * 16 : pk->tail;
}

static int panel_cols(const glim_packed *pk, int64_t p)
{
    return (int)(pk->n - p * 16 < 16 ? pk->n - p * 16 : 16);
}

/* Task: output rows of chunk `task / pgroups`, panels of group
 * `task % pgroups`. Panels outermost: a pair's weights (K x 32 floats)
 * stay in L2 while every row of the chunk uses them, and the chunk's
 * input band stays there for the next pair. */
static __attribute__((noinline)) void direct_task_run(void *arg, int task, int thread)
{
    (void)thread;
    const direct_job *j = arg;
    const conv_dims *d = j->d;
    const glim_conv2d_params *p = j->p;
    const glim_packed *pk = j->pk;
    int64_t rc = task / j->pgroups, grp = task % j->pgroups;
    int64_t p0 = grp * j->pchunk, p1 = p0 + j->pchunk < pk->npanels ? p0 + j->pchunk : pk->npanels;
    int64_t oy0 = rc * j->rchunk, oy1 = oy0 + j->rchunk < d->oh ? oy0 + j->rchunk : d->oh;
    const int64_t C = d->cin, cout = d->cout;
    const int64_t ps = p->stride_w * C, rs = p->dilation_h * j->row, cs = p->dilation_w * C;
    /* undilated columns: a kernel row's taps are one run of KW*Cin floats */
    const int kw = p->dilation_w == 1 ? 1 : d->kw;
    const int64_t run = p->dilation_w == 1 ? d->kw * C : C;
    int64_t pp = p0;
#if defined(__AVX512F__)
    if (pk->isa == GLIM_GEMM_AVX512) {
        for (; pp < p1; pp += 2) {
            int two = pp + 1 < p1;
            const float *b0 = panel_of(pk, pp), *bias = pk->bias + pp * 16;
            const float *b1 = two ? panel_of(pk, pp + 1) : b0;
            int c0 = panel_cols(pk, pp), c1 = two ? panel_cols(pk, pp + 1) : 0;
            /* the next pair, prefetched during this pair's first tile */
            const float *n0 = pp + 2 < p1 ? panel_of(pk, pp + 2) : NULL;
            const float *n1 = pp + 3 < p1 ? panel_of(pk, pp + 3) : n0;
            int tile = 0;
            for (int64_t oy = oy0; oy < oy1; oy++) {
                const float *arow = j->src + oy * p->stride_h * j->row;
                float *yrow = j->y + oy * d->ow * cout + pp * 16;
                for (int64_t ox = 0; ox < d->ow; ox += 7, tile++) {
                    int rows = (int)(d->ow - ox < 7 ? d->ow - ox : 7);
                    if (two && n0 && tile == 0)
                        direct_7x32_pf(arow + ox * ps, ps, rs, cs, d->kh, kw, run, b0, b1, bias,
                                       yrow + ox * cout, cout, rows, c0, c1, j->lo, j->hi, n0,
                                       n1);
                    else if (two)
                        direct_7x32(arow + ox * ps, ps, rs, cs, d->kh, kw, run, b0, b1, bias,
                                    yrow + ox * cout, cout, rows, c0, c1, j->lo, j->hi);
                    else
                        direct_7x16(arow + ox * ps, ps, rs, cs, d->kh, kw, run, b0, bias,
                                    yrow + ox * cout, cout, rows, c0, j->lo, j->hi);
                }
            }
        }
        return;
    }
#endif
    for (; pp < p1; pp++) {
        const float *b = panel_of(pk, pp), *bias = pk->bias + pp * 16;
        int cols = panel_cols(pk, pp);
        for (int64_t oy = oy0; oy < oy1; oy++) {
            const float *arow = j->src + oy * p->stride_h * j->row;
            float *yrow = j->y + oy * d->ow * cout + pp * 16;
            for (int64_t ox = 0; ox < d->ow; ox += 6) {
                int rows = (int)(d->ow - ox < 6 ? d->ow - ox : 6);
#if defined(__AVX2__) && defined(__FMA__)
                if (pk->isa >= GLIM_GEMM_AVX2) {
                    direct_6x16(arow + ox * ps, ps, rs, cs, d->kh, kw, run, b, bias,
                                yrow + ox * cout, cout, rows, cols, j->lo, j->hi);
                    continue;
                }
#endif
                direct_plain(arow + ox * ps, ps, rs, cs, d->kh, kw, run, b, bias,
                             yrow + ox * cout, cout, rows, cols, j->lo, j->hi);
            }
        }
    }
}

static void direct_task(void *arg, int task, int thread)
{
    FLUSH_BEGIN
    direct_task_run(arg, task, thread);
    FLUSH_END
}

static void direct_run(glim_graph *g, const glim_node *n, const conv_dims *d, const float *x,
                       float *y, float lo, float hi)
{
    const glim_conv2d_params *p = n->params;
    direct_job j = {p, d, n->state, NULL, NULL, n->scratch_data, NULL, 0, 0, 0, 1, 0, 1, lo, hi};
    direct_extent(p, d, &j.hp, &j.wp);
    int padded = has_pad(p);
    j.row = (padded ? j.wp : d->w) * d->cin;
    /* Row chunks whose input band fits in about 1 MB of L2; then, for a
     * few tasks per thread, panel groups (in pairs of panels, the 7x32
     * tile's unit) and, past those, shorter row chunks. */
    int64_t np = j.pk->npanels, units = (np + 1) / 2;
    int64_t band = p->stride_h * j.row * (int64_t)sizeof(float);
    int64_t chunks = (d->oh * band + (1 << 20) - 1) / (1 << 20), groups = 1;
    if (chunks < 1) chunks = 1;
    int64_t want = g->threads > 1 ? 4 * (int64_t)g->threads : 1;
    if (chunks * groups < want) {
        groups = (want + chunks - 1) / chunks;
        if (groups > units) groups = units;
    }
    if (chunks * groups < want) chunks = (want + groups - 1) / groups;
    if (chunks > d->oh) chunks = d->oh;
    j.rchunk = (d->oh + chunks - 1) / chunks;
    chunks = (d->oh + j.rchunk - 1) / j.rchunk;
    j.pchunk = (units + groups - 1) / groups * 2;
    j.pgroups = (np + j.pchunk - 1) / j.pchunk;
    for (int64_t nn = 0; nn < d->n; nn++) {
        j.xn = x + nn * d->h * d->w * d->cin;
        j.y = y + nn * d->oh * d->ow * d->cout;
        if (padded) {
            glim_parallel_for(g, j.hp, 4, pad_rows, &j);
            j.src = j.pad;
        } else {
            j.src = j.xn;
        }
        glim_threads_run(g->pool_threads, (int)(chunks * j.pgroups), direct_task, &j);
    }
}

static void conv_eval(glim_graph *g, const glim_node *n)
{
    const glim_conv2d_params *p = n->params;
    conv_dims d;
    dims_of(g, n, &d);
    const float *x = glim_in(g, n, 0)->data, *w = glim_in(g, n, 1)->data;
    glim_gtensor *bt = glim_in(g, n, 2);
    const float *b = bt ? bt->data : NULL;
    float *y = glim_out(g, n, 0)->data;
    int64_t K = d.kh * d.kw * d.cin;
    if (!g->reference && n->state && ((const glim_packed *)n->state)->fused_residual)
        return; /* the ADD that follows computes this conv (glim_conv2d_run_residual) */
    if (g->reference) {
        glim_conv2d_ref(p, x, w, n->state, b, y, d.n, d.h, d.w, d.cin, d.oh, d.ow, d.cout, d.kh,
                        d.kw);
        return;
    }
    conv_job j = {p, &d, n->state, x, NULL, n->scratch_data, y, K, 0, 0, 0, 0, 1, NULL, 0, 0};
    int clamp = glim_act_range(p->act, &j.lo, &j.hi);
    if (!clamp) glim_act_range(GLIM_ACT_NONE, &j.lo, &j.hi);
    if (is_pointwise(p, &d)) {
        int64_t M = d.n * d.h * d.w;
        if (j.pk) {
            gemm_parallel(g, &j, M);
        } else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)M, (int)d.cout, (int)K,
                        1.f, x, (int)K, w, (int)K, 0.f, y, (int)d.cout);
            bias_act(y, M, d.cout, b, p->act);
        }
        if (j.pk && !clamp) glim_apply_act(y, M * d.cout, p->act);
        return;
    }
    if (j.pk && use_wino(p, &d, n)) {
        wino_run(g, n, &d, x, y, j.lo, j.hi);
        if (!clamp) glim_apply_act(y, d.n * d.oh * d.ow * d.cout, p->act);
        return;
    }
    if (j.pk && use_direct(p, &d)) {
        direct_run(g, n, &d, x, y, j.lo, j.hi);
        if (!clamp) glim_apply_act(y, d.n * d.oh * d.ow * d.cout, p->act);
        return;
    }
    if (j.pk) {
        j.m = d.oh * d.ow;
        j.ntasks = (int)((j.m + TILE - 1) / TILE);
        for (int64_t nn = 0; nn < d.n; nn++) {
            j.xn = x + nn * d.h * d.w * d.cin;
            j.y = y + nn * j.m * d.cout;
            glim_threads_run(g->pool_threads, j.ntasks, conv_tiles, &j);
        }
        if (!clamp) glim_apply_act(y, d.n * j.m * d.cout, p->act);
        return;
    }
    int64_t band = band_rows(&d);
    for (int64_t nn = 0; nn < d.n; nn++) {
        j.xn = x + nn * d.h * d.w * d.cin;
        for (int64_t oy = 0; oy < d.oh; oy += band) {
            int64_t oy1 = oy + band < d.oh ? oy + band : d.oh;
            int64_t M = (oy1 - oy) * d.ow;
            float *yb = y + ((nn * d.oh + oy) * d.ow) * d.cout;
            j.oy0 = oy;
            glim_parallel_for(g, oy1 - oy, 1, im2col_rows, &j);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)M, (int)d.cout, (int)K, 1.f,
                        j.col, (int)K, w, (int)K, 0.f, yb, (int)d.cout);
            bias_act(yb, M, d.cout, b, p->act);
        }
    }
}

int glim_conv2d_residual_ok(glim_graph *g, const glim_node *conv)
{
    if (conv->op != GLIM_OP_CONV2D || !conv->state) return 0;
    const glim_conv2d_params *p = conv->params;
    conv_dims d;
    dims_of(g, conv, &d);
    return p->act == GLIM_ACT_NONE && is_pointwise(p, &d);
}

void glim_conv2d_run_residual(glim_graph *g, const glim_node *conv, const float *res, float *y,
                              glim_activation act)
{
    const glim_conv2d_params *p = conv->params;
    conv_dims d;
    dims_of(g, conv, &d);
    conv_job j = {p, &d, conv->state, glim_in(g, conv, 0)->data, NULL, NULL, y, d.cin, 0, 0, 0,
                  0, 1, res, 0, 0};
    glim_act_range(act, &j.lo, &j.hi);
    gemm_parallel(g, &j, d.n * d.h * d.w);
}

static double conv_flops(const glim_graph *g, const glim_node *n)
{
    conv_dims d;
    dims_of((glim_graph *)g, n, &d);
    return 2.0 * (double)(d.n * d.oh * d.ow * d.cout) * (double)(d.kh * d.kw * d.cin);
}

const glim_op_vtable glim_op_conv2d = {"CONV2D", sizeof(glim_conv2d_params), conv_prepare,
                                       conv_eval, conv_flops};
