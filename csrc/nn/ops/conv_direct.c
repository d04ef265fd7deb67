/*
 * conv_direct.c — CONV2D's direct path: the micro-kernels walk the kernel
 * taps and read the input where it lies (or from one zero-padded copy),
 * with the whole K accumulated in registers. Taken by conv2d.c for convs
 * that are not 1x1 stride-1 when each tap is a worthwhile run of floats
 * (>= 16 input channels, or undilated kernel rows of >= 8 floats).
 */
#include "conv2d.h"

#include <string.h>
#if defined(__AVX2__)
#include <immintrin.h>
#endif

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
    GLIM_FLUSH_BEGIN
    direct_task_run(arg, task, thread);
    GLIM_FLUSH_END
}

void glim_conv_direct_run(glim_graph *g, const glim_node *n, const conv_dims *d, const float *x,
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
