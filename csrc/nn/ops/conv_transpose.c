/*
 * conv_transpose.c — CONV_TRANSPOSE: transposed 2-D convolution, NHWC
 * (ONNX ConvTranspose with group 1, torch.nn.functional.conv_transpose2d).
 *
 *   Each input pixel scatters its product with the kernel into the output:
 *   y[n, iy*sh - pt + ky*dh, ix*sw - pl + kx*dw, co] +=
 *       sum_ci x[n,iy,ix,ci] * w[co,ky,kx,ci]
 *   then y = act(y + b[co]). x [N,H,W,Cin], w [Cout,KH,KW,Cin] (the
 *   importer turns ONNX's [Cin,Cout,KH,KW] into this), b [Cout] optional,
 *   y [N, OH, OW, Cout] with
 *   OH = (H-1)*sh - pt - pb + dh*(KH-1) + 1 + out_pad_h (likewise OW).
 *   The pads crop the full output; out_pad adds rows/columns at the end that
 *   only receive what lands there (or just the bias).
 *
 * Fast paths (weights packed once at prepare for gemm.c):
 *   stride == kernel, unit dilation, no pads (PaddleOCR's 2x2 stride-2
 *   upsampling): output pixels never overlap, and for a fixed input row iy
 *   and kernel row ky the output row iy*KH+ky is exactly the GEMM of that
 *   input row [W, Cin] with the weights of row ky viewed as [KW*Cout, Cin].
 *   So one GEMM per (image, input row, kernel row) writes y in place, bias
 *   and clamp fused into the store.
 *   With few outputs per input pixel (KH*KW*Cout <= 8, e.g. the 1-channel
 *   probability map) the 16-column panels would mostly multiply padding, so
 *   each pixel's outputs are plain AVX2 dot products instead.
 *   otherwise: per band of output rows, col = x [rows, Cin] · Wᵀ [Cin,
 *   KH*KW*Cout] into scratch for the input rows that reach the band, then
 *   every output pixel gathers the (at most KH*KW) col entries that land on
 *   it (no write races between threads), adds the bias and applies the
 *   activation. Bands bound the scratch to about COL_LIMIT bytes; input rows
 *   shared by two bands are multiplied twice.
 */
#include "kernel.h"

#include <math.h>
#include <string.h>
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define CT_THIN 1
#endif
#define THIN_MAX 8 /* KH*KW*Cout up to this takes the dot-product path */
#define COL_LIMIT (8 << 20) /* bytes of column scratch per band (general path) */

typedef struct ct_dims {
    int64_t n, h, w, cin, oh, ow, cout;
    int kh, kw;
} ct_dims;

typedef struct ct_state {
    int direct;        /* stride == kernel path */
    int thin;          /* direct, with dot products per pixel (CT_THIN) */
    int64_t band;      /* output rows per band (general path) */
    int npk;           /* packed matrices: KH (direct) or 1 */
    glim_packed *pk;
} ct_state;

static void dims_of(glim_graph *g, const glim_node *n, ct_dims *d)
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

static int is_direct(const glim_conv_transpose_params *p, const ct_dims *d)
{
    return p->stride_h == d->kh && p->stride_w == d->kw && p->dilation_h == 1 &&
           p->dilation_w == 1 && p->pad_top == 0 && p->pad_left == 0 && p->pad_bottom == 0 &&
           p->pad_right == 0 && p->out_pad_h == 0 && p->out_pad_w == 0;
}

/* Pack the weights as KH matrices [KW*Cout, Cin] (direct) or one
 * [KH*KW*Cout, Cin]; rows ordered (ky,) kx, co. The original weights stay
 * untouched (the reference kernel reads them). */
static glim_status pack(glim_graph *g, const glim_node *n, const ct_dims *d, ct_state *s)
{
    const float *w = glim_in(g, n, 1)->data;
    glim_gtensor *bt = glim_in(g, n, 2);
    const float *b = bt ? bt->data : NULL;
    int64_t rows = (int64_t)d->kh * d->kw * d->cout, K = d->cin;
    s->npk = s->direct ? d->kh : 1;
    int64_t per = rows / s->npk;
    s->pk = glim_graph_pool_alloc(g, (size_t)s->npk * sizeof(glim_packed));
    float *tmp = glim_alloc((size_t)(per * K + per) * sizeof(float));
    if (!s->pk || !tmp) {
        glim_free(tmp);
        return GLIM_ENOMEM;
    }
    float *tb = tmp + per * K;
    glim_status st = GLIM_OK;
    for (int m = 0; m < s->npk && st == GLIM_OK; m++) {
        int64_t r = 0;
        for (int ky = 0; ky < d->kh; ky++) {
            if (s->direct && ky != m) continue;
            for (int kx = 0; kx < d->kw; kx++)
                for (int64_t co = 0; co < d->cout; co++, r++) {
                    memcpy(tmp + r * K, w + ((co * d->kh + ky) * d->kw + kx) * K,
                           (size_t)K * sizeof(float));
                    tb[r] = b ? b[co] : 0.f;
                }
        }
        /* the bias rides in the store only on the direct path */
        st = glim_pack_weights(g, tmp, s->direct ? tb : NULL, per, K, &s->pk[m], NULL);
    }
    glim_free(tmp);
    return st;
}

static glim_status ct_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_conv_transpose_params *p = n->params;
    glim_status st;
    if ((st = glim_need_conv_inputs(g, n, p->act, err))) return st;
    glim_gtensor *x = glim_in(g, n, 0), *w = glim_in(g, n, 1);
    if (w->shape[0] < 1 || w->shape[1] < 1 || w->shape[2] < 1)
        return glim_node_fail(n, err, GLIM_EINVAL, "weights '%s' are empty", w->name);
    if (p->stride_h < 1 || p->stride_w < 1)
        return glim_node_fail(n, err, GLIM_EINVAL, "stride %dx%d must be positive", p->stride_h,
                              p->stride_w);
    if (p->dilation_h == 0) p->dilation_h = 1;
    if (p->dilation_w == 0) p->dilation_w = 1;
    if (p->dilation_h < 1 || p->dilation_w < 1)
        return glim_node_fail(n, err, GLIM_EINVAL, "dilation %dx%d must be positive",
                              p->dilation_h, p->dilation_w);
    if (p->pad_top < 0 || p->pad_left < 0 || p->pad_bottom < 0 || p->pad_right < 0)
        return glim_node_fail(n, err, GLIM_EINVAL, "negative padding");
    if (p->out_pad_h < 0 || p->out_pad_w < 0 ||
        (p->out_pad_h >= p->stride_h && p->out_pad_h >= p->dilation_h) ||
        (p->out_pad_w >= p->stride_w && p->out_pad_w >= p->dilation_w))
        return glim_node_fail(n, err, GLIM_EINVAL,
                              "output padding %dx%d must be smaller than the stride or the "
                              "dilation", p->out_pad_h, p->out_pad_w);
    int64_t oh = (x->shape[1] - 1) * p->stride_h - p->pad_top - p->pad_bottom +
                 (int64_t)p->dilation_h * (w->shape[1] - 1) + 1 + p->out_pad_h;
    int64_t ow = (x->shape[2] - 1) * p->stride_w - p->pad_left - p->pad_right +
                 (int64_t)p->dilation_w * (w->shape[2] - 1) + 1 + p->out_pad_w;
    if (x->shape[1] < 1 || x->shape[2] < 1 || oh < 1 || ow < 1)
        return glim_node_fail(n, err, GLIM_EINVAL, "output size %lldx%lld is invalid",
                              (long long)oh, (long long)ow);
    int64_t shape[4] = {x->shape[0], oh, ow, w->shape[0]};
    if ((st = glim_out_shape(g, n, 0, GLIM_F32, 4, shape, err))) return st;
    ct_dims d;
    dims_of(g, n, &d);
    ct_state *s = n->state;
    int direct = is_direct(p, &d);
    if (!s || s->direct != direct) {
        s = glim_graph_pool_alloc(g, sizeof *s);
        if (!s) return glim_node_fail(n, err, GLIM_ENOMEM, "out of memory");
        s->direct = direct;
        if ((st = pack(g, n, &d, s)))
            return glim_node_fail(n, err, st, "cannot pack the weights");
        n->state = s;
    }
#ifdef CT_THIN
    s->thin = direct && (int64_t)d.kh * d.kw * d.cout <= THIN_MAX;
#else
    s->thin = 0;
#endif
    n->scratch = 0;
    if (!direct) {
        int64_t rowbytes = d.w * d.kh * d.kw * d.cout * (int64_t)sizeof(float);
        int64_t reach = ((int64_t)(d.kh - 1) * p->dilation_h) / p->stride_h + 2;
        int64_t budget = rowbytes ? COL_LIMIT / rowbytes : d.h;
        if (budget < reach + 1) budget = reach + 1;
        s->band = (budget - reach) * p->stride_h;
        if (s->band > d.oh) s->band = d.oh;
        if (s->band < 1) s->band = 1;
        int64_t rows = (s->band - 1 + (int64_t)(d.kh - 1) * p->dilation_h) / p->stride_h + 2;
        if (rows > d.h) rows = d.h;
        n->scratch = (size_t)(rows * rowbytes);
    }
    return GLIM_OK;
}

/* Plain loops: the scatter formula itself. */
static void ct_ref(const glim_conv_transpose_params *p, const ct_dims *d, const float *x,
                   const float *w, const float *b, float *y)
{
    int64_t total = d->n * d->oh * d->ow;
    for (int64_t i = 0; i < total; i++)
        for (int64_t co = 0; co < d->cout; co++) y[i * d->cout + co] = b ? b[co] : 0.f;
    for (int64_t nn = 0; nn < d->n; nn++)
        for (int64_t iy = 0; iy < d->h; iy++)
            for (int64_t ix = 0; ix < d->w; ix++) {
                const float *xp = x + ((nn * d->h + iy) * d->w + ix) * d->cin;
                for (int ky = 0; ky < d->kh; ky++) {
                    int64_t oy = iy * p->stride_h - p->pad_top + (int64_t)ky * p->dilation_h;
                    if (oy < 0 || oy >= d->oh) continue;
                    for (int kx = 0; kx < d->kw; kx++) {
                        int64_t ox = ix * p->stride_w - p->pad_left + (int64_t)kx * p->dilation_w;
                        if (ox < 0 || ox >= d->ow) continue;
                        float *yp = y + ((nn * d->oh + oy) * d->ow + ox) * d->cout;
                        for (int64_t co = 0; co < d->cout; co++) {
                            const float *wp = w + ((co * d->kh + ky) * d->kw + kx) * d->cin;
                            float acc = 0.f;
                            for (int64_t ci = 0; ci < d->cin; ci++) acc += xp[ci] * wp[ci];
                            yp[co] += acc;
                        }
                    }
                }
            }
    glim_apply_act(y, total * d->cout, p->act);
}

typedef struct ct_job {
    const glim_conv_transpose_params *p;
    const ct_dims *d;
    const ct_state *s;
    const float *x, *b, *w;
    float *col, *y;
    float lo, hi;
    int64_t iy0, iy1; /* input rows [iy0, iy1] are in col (general path) */
    int64_t oy0;      /* first output row of the band */
} ct_job;

/* Direct path: rows r = (n * H + iy) * KH + ky. */
static void direct_rows(void *arg, int64_t r0, int64_t r1)
{
    const ct_job *j = arg;
    const ct_dims *d = j->d;
    for (int64_t r = r0; r < r1; r++) {
        int64_t ky = r % d->kh, niy = r / d->kh, nn = niy / d->h, iy = niy % d->h;
        const float *a = j->x + niy * d->w * d->cin;
        float *c = j->y + ((nn * d->oh + iy * d->kh + ky) * d->ow) * d->cout;
        glim_gemm_packed(a, d->cin, &j->s->pk[ky], c, d->kw * d->cout, 0, d->w, j->lo, j->hi);
    }
}

#ifdef CT_THIN
static float hsum8(__m256 v)
{
    __m128 a = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    a = _mm_add_ps(a, _mm_movehl_ps(a, a));
    a = _mm_add_ss(a, _mm_movehdup_ps(a));
    return _mm_cvtss_f32(a);
}

/* Direct geometry with KH*KW*Cout <= THIN_MAX: rows r = n * H + iy; each
 * input pixel's outputs are dot products with the original weight rows. */
static void thin_rows(void *arg, int64_t r0, int64_t r1)
{
    const ct_job *j = arg;
    const ct_dims *d = j->d;
    const int64_t C = d->cout, Cin = d->cin, c8 = Cin & ~(int64_t)7;
    const int kk = d->kh * d->kw;
    const float *wrow[THIN_MAX];
    int64_t yoff[THIN_MAX]; /* offset of output (ky, kx, co) from the pixel's top-left */
    float bias[THIN_MAX];
    int nr = 0;
    for (int k = 0; k < kk; k++)
        for (int64_t co = 0; co < C; co++, nr++) {
            int ky = k / d->kw, kx = k % d->kw;
            wrow[nr] = j->w + ((co * d->kh + ky) * d->kw + kx) * Cin;
            yoff[nr] = ((int64_t)ky * d->ow + kx) * C + co;
            bias[nr] = j->b ? j->b[co] : 0.f;
        }
    for (int64_t r = r0; r < r1; r++) {
        int64_t nn = r / d->h, iy = r % d->h;
        const float *xr = j->x + r * d->w * Cin;
        float *yr = j->y + ((nn * d->oh + iy * d->kh) * d->ow) * C;
        for (int64_t ix = 0; ix < d->w; ix++) {
            const float *xp = xr + ix * Cin;
            float *yp = yr + ix * d->kw * C;
            for (int q = 0; q < nr; q++) {
                const float *wp = wrow[q];
                __m256 acc = _mm256_setzero_ps();
                for (int64_t ci = 0; ci < c8; ci += 8)
                    acc = _mm256_fmadd_ps(_mm256_loadu_ps(xp + ci), _mm256_loadu_ps(wp + ci), acc);
                float v = hsum8(acc) + bias[q];
                for (int64_t ci = c8; ci < Cin; ci++) v += xp[ci] * wp[ci];
                yp[yoff[q]] = v < j->lo ? j->lo : (v > j->hi ? j->hi : v);
            }
        }
    }
}
#endif

static void col_rows(void *arg, int64_t m0, int64_t m1)
{
    const ct_job *j = arg;
    int64_t ncol = (int64_t)j->d->kh * j->d->kw * j->d->cout;
    glim_gemm_packed(j->x, j->d->cin, &j->s->pk[0], j->col, ncol, m0, m1, -INFINITY, INFINITY);
}

static int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/* Gather path: output rows oy0 + [r0, r1) of one image. */
static void gather_rows(void *arg, int64_t r0, int64_t r1)
{
    const ct_job *j = arg;
    const ct_dims *d = j->d;
    const glim_conv_transpose_params *p = j->p;
    int64_t C = d->cout, ncol = (int64_t)d->kh * d->kw * C;
    for (int64_t oy = j->oy0 + r0; oy < j->oy0 + r1; oy++)
        for (int64_t ox = 0; ox < d->ow; ox++) {
            float *yp = j->y + (oy * d->ow + ox) * C;
            for (int64_t co = 0; co < C; co++) yp[co] = j->b ? j->b[co] : 0.f;
            for (int ky = 0; ky < d->kh; ky++) {
                int64_t ty = oy + p->pad_top - (int64_t)ky * p->dilation_h;
                if (ty < 0 || ty % p->stride_h) continue;
                int64_t iy = ty / p->stride_h;
                if (iy < j->iy0 || iy > j->iy1) continue;
                for (int kx = 0; kx < d->kw; kx++) {
                    int64_t tx = ox + p->pad_left - (int64_t)kx * p->dilation_w;
                    if (tx < 0 || tx % p->stride_w) continue;
                    int64_t ix = tx / p->stride_w;
                    if (ix >= d->w) continue;
                    const float *cp = j->col + ((iy - j->iy0) * d->w + ix) * ncol +
                                      ((int64_t)ky * d->kw + kx) * C;
                    for (int64_t co = 0; co < C; co++) yp[co] += cp[co];
                }
            }
            for (int64_t co = 0; co < C; co++)
                yp[co] = yp[co] < j->lo ? j->lo : (yp[co] > j->hi ? j->hi : yp[co]);
        }
}

static void ct_eval(glim_graph *g, const glim_node *n)
{
    const glim_conv_transpose_params *p = n->params;
    const ct_state *s = n->state;
    ct_dims d;
    dims_of(g, n, &d);
    const float *x = glim_in(g, n, 0)->data, *w = glim_in(g, n, 1)->data;
    glim_gtensor *bt = glim_in(g, n, 2);
    const float *b = bt ? bt->data : NULL;
    float *y = glim_out(g, n, 0)->data;
    if (g->reference) {
        ct_ref(p, &d, x, w, b, y);
        return;
    }
    ct_job j = {p, &d, s, x, b, w, n->scratch_data, y, 0, 0, 0, -1, 0};
    int clamp = glim_act_range(p->act, &j.lo, &j.hi);
#ifdef CT_THIN
    if (s->thin) {
        glim_parallel_for(g, d.n * d.h, 4, thin_rows, &j);
        if (!clamp) glim_apply_act(y, d.n * d.oh * d.ow * d.cout, p->act);
        return;
    }
#endif
    if (s->direct) {
        glim_parallel_for(g, d.n * d.h * d.kh, 1, direct_rows, &j);
    } else {
        const int64_t sh = p->stride_h, reach = (int64_t)(d.kh - 1) * p->dilation_h;
        for (int64_t nn = 0; nn < d.n; nn++) {
            const float *xn = x + nn * d.h * d.w * d.cin;
            float *yn = y + nn * d.oh * d.ow * d.cout;
            for (int64_t oy0 = 0; oy0 < d.oh; oy0 += s->band) {
                int64_t oy1 = oy0 + s->band < d.oh ? oy0 + s->band : d.oh;
                /* input rows iy with oy0 <= iy*sh - pt + ky*dh <= oy1 - 1 */
                int64_t lo = floor_div(oy0 + p->pad_top - reach + sh - 1, sh);
                int64_t hi = floor_div(oy1 - 1 + p->pad_top, sh);
                j.iy0 = lo < 0 ? 0 : lo;
                j.iy1 = hi > d.h - 1 ? d.h - 1 : hi;
                j.x = xn + j.iy0 * d.w * d.cin;
                j.y = yn;
                j.oy0 = oy0;
                if (j.iy1 >= j.iy0)
                    glim_parallel_for(g, (j.iy1 - j.iy0 + 1) * d.w, 48, col_rows, &j);
                glim_parallel_for(g, oy1 - oy0, 1, gather_rows, &j);
            }
        }
    }
    if (!clamp) glim_apply_act(y, d.n * d.oh * d.ow * d.cout, p->act);
}

static double ct_flops(const glim_graph *g, const glim_node *n)
{
    ct_dims d;
    dims_of((glim_graph *)g, n, &d);
    return 2.0 * (double)(d.n * d.h * d.w * d.cin) * (double)(d.kh * d.kw * d.cout);
}

const glim_op_vtable glim_op_conv_transpose = {"CONV_TRANSPOSE", sizeof(glim_conv_transpose_params),
                                               ct_prepare, ct_eval, ct_flops};
