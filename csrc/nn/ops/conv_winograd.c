/*
 * conv_winograd.c — CONV2D's Winograd F(4x4, 3x3) path.
 *
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
#include "conv2d.h"

#include <math.h>
#include <string.h>
#if defined(__AVX2__)
#include <immintrin.h>
#endif

/* Where Winograd pays: enough tiles (on 7x7 maps half the work would be
 * padding) and transformed weights that stay in L2 / L3 while every block
 * of tiles sweeps them (at 14x14x256 the direct path is as fast). */
int glim_conv_wino_shape(const glim_conv2d_params *p, const conv_dims *d)
{
    return d->kh == 3 && d->kw == 3 && p->stride_h == 1 && p->stride_w == 1 &&
           p->dilation_h == 1 && p->dilation_w == 1 && d->cin >= 16 && d->cout >= 16 &&
           (int64_t)WG_E * d->cin * d->cout * (int64_t)sizeof(float) <= (4 << 20) &&
           d->oh >= 12 && d->ow >= 12;
}

/* Tiles per task: the task's V and M blocks (36 x T x (Cin + Cout) floats)
 * in about 1 MB of L2, a multiple of 7 rows (the 7x32 GEMM tile); with
 * several threads, the largest such T whose tasks split most evenly (the
 * most tiles any thread must do is least), so that e.g. 56x56's 196 tiles
 * do not become 7 tasks of 28 (4 against 3). */
int64_t glim_conv_wino_tiles_per_task(const glim_graph *g, const conv_dims *d)
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
glim_status glim_conv_wino_pack(glim_graph *g, const float *w, const conv_dims *d, conv_state *cs)
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
    GLIM_FLUSH_BEGIN
    wino_task_run(arg, task, thread);
    GLIM_FLUSH_END
}

void glim_conv_wino_run(glim_graph *g, const glim_node *n, const conv_dims *d, const float *x,
                     float *y, float lo, float hi)
{
    wino_job j = {n->params, d, n->state, x, y, n->scratch_data, glim_conv_wino_tiles_per_task(g, d), 0,
                  (d->ow + 3) / 4, (d->oh + 3) / 4, lo, hi};
    j.ntiles = d->n * j.ty * j.tx;
    glim_threads_run(g->pool_threads, (int)((j.ntiles + j.T - 1) / j.T), wino_task, &j);
}
