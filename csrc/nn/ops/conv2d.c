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
 *   - Winograd F(4x4,3x3) (conv_winograd.c) for 3x3 stride-1 convs with >= 16
 *     channels in and out on maps of >= 12x12 whose transformed weights
 *     stay within 4 MB: 36 GEMMs over the channels, ~4x fewer FLOPs.
 *   - direct (conv_direct.c) for other convs with >= 16 input channels or
 *     undilated kernel rows of >= 8 floats (3-channel stems): the micro-
 *     kernels read each tap's run of Cin (or KW*Cin) floats in place from a
 *     zero-padded copy of the input; no im2col matrix.
 *   - otherwise im2col in 96-row tiles per thread, multiplied at once.
 * Past the packed kernel's sizes (K > 8192 or Cout*K > 16M) cblas_sgemm
 * runs on im2col bands and bias + activation follow in one pass. Work is
 * split across the graph's threads by rows, tiles or column panels.
 */
#include "conv2d.h"

#include <cblas.h>
#include <math.h>
#include <string.h>
#if defined(__AVX2__)
#include <immintrin.h>
#endif

#define IM2COL_LIMIT (8u << 20) /* bytes of im2col scratch per band (cblas path) */
#define TILE 96                 /* im2col rows per thread tile (packed path) */

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

/* Direct path (below): convs with enough input channels that each kernel
 * tap is a worthwhile stretch of the GEMM's K, read from the input where
 * it lies instead of through an im2col copy. */
static int use_direct(const glim_conv2d_params *p, const conv_dims *d)
{
    return !is_pointwise(p, d) && use_packed(d) &&
           (d->cin >= 16 || (p->dilation_w == 1 && d->kw * d->cin >= 8));
}

static int64_t band_rows(const conv_dims *d)
{
    int64_t row = d->ow * d->kh * d->kw * d->cin * (int64_t)sizeof(float);
    int64_t r = row ? (int64_t)IM2COL_LIMIT / row : d->oh;
    if (r < 1) r = 1;
    if (r > d->oh) r = d->oh;
    return r;
}

/* The transformed weights exist from the first prepare that saw a
 * qualifying shape. */
static int use_wino(const glim_conv2d_params *p, const conv_dims *d, const glim_node *n)
{
    const conv_state *cs = n->state;
    return cs && cs->wino && glim_conv_wino_shape(p, d);
}

static glim_status conv_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_conv2d_params *p = n->params;
    glim_status st;
    if ((st = glim_need_conv_inputs(g, n, p->act, err))) return st;
    glim_gtensor *x = glim_in(g, n, 0), *w = glim_in(g, n, 1), *b = glim_in(g, n, 2);
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
        if (glim_conv_wino_shape(p, &d) && glim_conv_wino_pack(g, w->data, &d, cs) != GLIM_OK)
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
        n->scratch = (size_t)(g->threads * WG_E * glim_conv_wino_tiles_per_task(g, &d) * (d.cin + d.cout)) *
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
        glim_conv_wino_run(g, n, &d, x, y, j.lo, j.hi);
        if (!clamp) glim_apply_act(y, d.n * d.oh * d.ow * d.cout, p->act);
        return;
    }
    if (j.pk && use_direct(p, &d)) {
        glim_conv_direct_run(g, n, &d, x, y, j.lo, j.hi);
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
