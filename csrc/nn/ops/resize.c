/*
 * resize.c — RESIZE_BILINEAR and RESIZE_NEAREST, NHWC float32, TFLite
 * semantics (tensorflow/lite/kernels/internal/reference/resize_*.h):
 *
 *   scale = (align_corners && out > 1) ? (in - 1) / (out - 1) : in / out
 *   bilinear: src = half_pixel_centers ? (dst + 0.5) * scale - 0.5 : dst * scale
 *             i0 = max(floor(src), 0), i1 = min(ceil(src), in - 1), f = src - i0
 *             y = (1-fy)(1-fx) x[i0y,i0x] + (1-fy) fx x[i0y,i1x]
 *               + fy (1-fx) x[i1y,i0x] + fy fx x[i1y,i1x]
 *   nearest:  v = (dst + (half_pixel_centers ? 0.5 : 0)) * scale
 *             i = min(align_corners ? round(v) : floor(v), in - 1), max(i, 0)
 *             when half_pixel_centers; y = x[iy, ix]
 *
 * x [N,H,W,C] -> y [N,out_h,out_w,C]; the size comes from params, or (when
 * params.out_h == 0) from a constant int32 [2] second input (TFLite's `size`).
 * ONNX Resize modes map to these flags in the importer (align_corners,
 * half_pixel / pytorch_half_pixel, asymmetric = neither).
 * Source indices and weights are computed once at prepare.
 */
#include "kernel.h"

#include <math.h>
#include <string.h>

typedef glim_resize_axis rs_axis;
typedef glim_resize_state rs_state;

static void axis_table(rs_axis *t, int64_t out, int64_t in, const glim_resize_params *p,
                       int nearest)
{
    float scale = (p->align_corners && out > 1) ? (float)(in - 1) / (float)(out - 1)
                                                : (float)in / (float)out;
    for (int64_t d = 0; d < out; d++) {
        if (nearest) {
            float v = ((float)d + (p->half_pixel_centers ? 0.5f : 0.f)) * scale;
            int64_t i = p->align_corners ? (int64_t)roundf(v) : (int64_t)floorf(v);
            if (i > in - 1) i = in - 1;
            if (i < 0) i = 0;
            t[d].i0 = t[d].i1 = (int32_t)i;
            t[d].f = 0.f;
        } else {
            float src = p->half_pixel_centers ? ((float)d + 0.5f) * scale - 0.5f : (float)d * scale;
            float fl = floorf(src);
            int64_t i0 = fl < 0 ? 0 : (int64_t)fl;
            int64_t i1 = (int64_t)ceilf(src);
            if (i1 > in - 1) i1 = in - 1;
            if (i1 < 0) i1 = 0;
            if (i0 > in - 1) i0 = in - 1;
            t[d].i0 = (int32_t)i0;
            t[d].i1 = (int32_t)i1;
            t[d].f = src - (float)i0;
        }
    }
}

static glim_status rs_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_resize_params *p = n->params;
    glim_status st;
    if ((st = glim_need_arity(n, 1, 2, 1, err)) ||
        (st = glim_need_input(g, n, 0, GLIM_F32, 4, 4, "input", err)))
        return st;
    glim_gtensor *x = glim_in(g, n, 0), *sz = glim_in(g, n, 1);
    int64_t oh = p->out_h, ow = p->out_w;
    if (oh == 0 && ow == 0 && sz) {
        if (sz->kind != GLIM_TENSOR_CONSTANT || sz->dtype != GLIM_I32 || sz->count != 2)
            return glim_node_fail(n, err, GLIM_EUNSUPPORTED,
                                  "the size input must be a constant int32 [2]");
        oh = ((const int32_t *)sz->data)[0];
        ow = ((const int32_t *)sz->data)[1];
    }
    if (oh < 1 || ow < 1 || oh > (1 << 20) || ow > (1 << 20))
        return glim_node_fail(n, err, GLIM_EINVAL, "output size %lldx%lld is invalid",
                              (long long)oh, (long long)ow);
    if (x->shape[1] < 1 || x->shape[2] < 1)
        return glim_node_fail(n, err, GLIM_EINVAL, "input is empty");
    rs_state *s = n->state ? n->state : glim_graph_pool_alloc(g, sizeof *s);
    if (s && !n->state) s->ys = glim_graph_pool_alloc(g, (size_t)oh * sizeof(rs_axis));
    if (s && !n->state) s->xs = glim_graph_pool_alloc(g, (size_t)ow * sizeof(rs_axis));
    if (!s || !s->ys || !s->xs) return glim_node_fail(n, err, GLIM_ENOMEM, "out of memory");
    int nearest = n->op == GLIM_OP_RESIZE_NEAREST;
    axis_table(s->ys, oh, x->shape[1], p, nearest);
    axis_table(s->xs, ow, x->shape[2], p, nearest);
    n->state = s;
    s->fused = 0; /* a consumer may fuse this node into itself (argmax.c) */
    int64_t shape[4] = {x->shape[0], oh, ow, x->shape[3]};
    return glim_out_shape(g, n, 0, GLIM_F32, 4, shape, err);
}

typedef struct rs_job {
    const rs_state *s;
    int nearest;
    int64_t h, w, c, oh, ow;
    const float *x;
    float *y;
} rs_job;

static void rs_rows(void *arg, int64_t r0, int64_t r1)
{
    const rs_job *j = arg;
    const int64_t C = j->c;
    for (int64_t r = r0; r < r1; r++) {
        int64_t nn = r / j->oh, oy = r % j->oh;
        const rs_axis *ya = &j->s->ys[oy];
        const float *row0 = j->x + (nn * j->h + ya->i0) * j->w * C;
        const float *row1 = j->x + (nn * j->h + ya->i1) * j->w * C;
        float *yp = j->y + (nn * j->oh + oy) * j->ow * C;
        float fy = ya->f;
        for (int64_t ox = 0; ox < j->ow; ox++, yp += C) {
            const rs_axis *xa = &j->s->xs[ox];
            if (j->nearest) {
                memcpy(yp, row0 + xa->i0 * C, (size_t)C * sizeof(float));
                continue;
            }
            const float *a = row0 + xa->i0 * C, *b = row0 + xa->i1 * C;
            const float *c = row1 + xa->i0 * C, *d = row1 + xa->i1 * C;
            float fx = xa->f;
            float wa = (1 - fy) * (1 - fx), wb = (1 - fy) * fx, wc = fy * (1 - fx), wd = fy * fx;
            for (int64_t k = 0; k < C; k++) yp[k] = wa * a[k] + wb * b[k] + wc * c[k] + wd * d[k];
        }
    }
}

static void rs_eval(glim_graph *g, const glim_node *n)
{
    if (((const rs_state *)n->state)->fused) return;
    glim_gtensor *x = glim_in(g, n, 0), *y = glim_out(g, n, 0);
    rs_job j = {n->state, n->op == GLIM_OP_RESIZE_NEAREST, x->shape[1], x->shape[2], x->shape[3],
                y->shape[1], y->shape[2], x->data, y->data};
    glim_parallel_for(g, y->shape[0] * j.oh, 1, rs_rows, &j);
}

static double rs_flops(const glim_graph *g, const glim_node *n)
{
    return 7.0 * (double)g->tensors[n->outputs[0]].count;
}

const glim_op_vtable glim_op_resize_bilinear = {"RESIZE_BILINEAR", sizeof(glim_resize_params),
                                                rs_prepare, rs_eval, rs_flops};
const glim_op_vtable glim_op_resize_nearest = {"RESIZE_NEAREST", sizeof(glim_resize_params),
                                               rs_prepare, rs_eval, NULL};
