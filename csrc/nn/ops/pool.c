/*
 * pool.c — AVG_POOL2D and MAX_POOL2D, NHWC.
 *
 *   avg: y[n,oy,ox,c] = act( mean over the window's positions inside x )
 *   max: y[n,oy,ox,c] = act( max over the window's positions inside x )
 *   window: rows oy*sh - pt .. + FH-1, columns ox*sw - pl .. + FW-1.
 *   x [N,H,W,C] -> y [N,OH,OW,C]; output size as CONV2D (TFLite SAME/VALID).
 *   Padding never counts: TFLite's average divides by the number of valid
 *   positions (ONNX AveragePool with count_include_pad = 0).
 *
 * One kernel: the inner loop runs over contiguous channels (vectorised by
 * the compiler); output rows are split across threads.
 */
#include "kernel.h"

#include <float.h>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

typedef struct pool_job {
    const glim_pool2d_params *p;
    int is_max;
    int64_t h, w, c, oh, ow;
    const float *x;
    float *y;
} pool_job;

static glim_status pool_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_pool2d_params *p = n->params;
    glim_status st;
    if ((st = glim_need_arity(n, 1, 1, 1, err)) ||
        (st = glim_need_input(g, n, 0, GLIM_F32, 4, 4, "input", err)) ||
        (st = glim_check_act(n, p->act, err)))
        return st;
    glim_gtensor *x = glim_in(g, n, 0);
    if (p->filter_h < 1 || p->filter_w < 1 || p->stride_h < 1 || p->stride_w < 1)
        return glim_node_fail(n, err, GLIM_EINVAL, "filter %dx%d / stride %dx%d must be positive",
                              p->filter_h, p->filter_w, p->stride_h, p->stride_w);
    if (p->padding == GLIM_PAD_EXPLICIT &&
        (p->pad_top < 0 || p->pad_left < 0 || p->pad_bottom < 0 || p->pad_right < 0))
        return glim_node_fail(n, err, GLIM_EINVAL, "negative padding");
    int64_t oh = glim_conv_out_size(x->shape[1], p->filter_h, p->stride_h, 1, p->padding,
                                    &p->pad_top, &p->pad_bottom);
    int64_t ow = glim_conv_out_size(x->shape[2], p->filter_w, p->stride_w, 1, p->padding,
                                    &p->pad_left, &p->pad_right);
    if (oh < 1 || ow < 1)
        return glim_node_fail(n, err, GLIM_EINVAL, "filter %dx%d does not fit input %lldx%lld",
                              p->filter_h, p->filter_w, (long long)x->shape[1],
                              (long long)x->shape[2]);
    int64_t shape[4] = {x->shape[0], oh, ow, x->shape[3]};
    return glim_out_shape(g, n, 0, GLIM_F32, 4, shape, err);
}

/* y[c] += x[c] or y[c] = max(y[c], x[c]) over one pixel's channels: the
 * same per-channel operations in the same order, 16 channels per AVX-512
 * step where the build has it. */
static void acc_pixel(float *y, const float *x, int64_t C, int is_max)
{
    int64_t c = 0;
#if defined(__AVX512F__)
    for (; c < C; c += 16) {
        __mmask16 m = C - c >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (C - c)) - 1);
        __m512 a = _mm512_maskz_loadu_ps(m, y + c), b = _mm512_maskz_loadu_ps(m, x + c);
        /* max keeps y where x is not greater (as the scalar loop, NaN included) */
        __m512 v = is_max ? _mm512_mask_blend_ps(_mm512_cmp_ps_mask(b, a, _CMP_GT_OQ), a, b)
                          : _mm512_add_ps(a, b);
        _mm512_mask_storeu_ps(y + c, m, v);
    }
#endif
    if (is_max)
        for (; c < C; c++) y[c] = x[c] > y[c] ? x[c] : y[c];
    else
        for (; c < C; c++) y[c] += x[c];
}

static void pool_rows(void *arg, int64_t r0, int64_t r1)
{
    const pool_job *j = arg;
    const glim_pool2d_params *p = j->p;
    const int64_t C = j->c;
    for (int64_t r = r0; r < r1; r++) {
        int64_t nn = r / j->oh, oy = r % j->oh;
        int64_t y0 = oy * p->stride_h - p->pad_top, y1 = y0 + p->filter_h;
        if (y0 < 0) y0 = 0;
        if (y1 > j->h) y1 = j->h;
        for (int64_t ox = 0; ox < j->ow; ox++) {
            int64_t x0 = ox * p->stride_w - p->pad_left, x1 = x0 + p->filter_w;
            if (x0 < 0) x0 = 0;
            if (x1 > j->w) x1 = j->w;
            float *yp = j->y + ((nn * j->oh + oy) * j->ow + ox) * C;
            for (int64_t c = 0; c < C; c++) yp[c] = j->is_max ? -FLT_MAX : 0.f;
            for (int64_t iy = y0; iy < y1; iy++)
                for (int64_t ix = x0; ix < x1; ix++) {
                    const float *xp = j->x + ((nn * j->h + iy) * j->w + ix) * C;
                    acc_pixel(yp, xp, C, j->is_max);
                }
            int64_t cnt = (y1 - y0) * (x1 - x0);
            if (!j->is_max && cnt > 0) {
                float inv = 1.f / (float)cnt;
                for (int64_t c = 0; c < C; c++) yp[c] *= inv;
            }
            if (p->act != GLIM_ACT_NONE) glim_apply_act(yp, C, p->act);
        }
    }
}

static void pool_eval_common(glim_graph *g, const glim_node *n, int is_max)
{
    glim_gtensor *x = glim_in(g, n, 0), *y = glim_out(g, n, 0);
    pool_job j = {n->params, is_max, x->shape[1], x->shape[2], x->shape[3],
                  y->shape[1], y->shape[2], x->data, y->data};
    glim_parallel_for(g, x->shape[0] * j.oh, 1, pool_rows, &j);
}

static void avg_eval(glim_graph *g, const glim_node *n) { pool_eval_common(g, n, 0); }
static void max_eval(glim_graph *g, const glim_node *n) { pool_eval_common(g, n, 1); }

static double pool_flops(const glim_graph *g, const glim_node *n)
{
    const glim_pool2d_params *p = n->params;
    return (double)g->tensors[n->outputs[0]].count * p->filter_h * p->filter_w;
}

const glim_op_vtable glim_op_avg_pool2d = {"AVG_POOL2D", sizeof(glim_pool2d_params),
                                           pool_prepare, avg_eval, pool_flops};
const glim_op_vtable glim_op_max_pool2d = {"MAX_POOL2D", sizeof(glim_pool2d_params),
                                           pool_prepare, max_eval, pool_flops};
