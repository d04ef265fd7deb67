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
 * ONNX Resize (opset 11+), when any of pytorch_half_pixel, nearest_mode,
 * scale_h / scale_w is set (all zero keeps the TFLite rules above exactly),
 * computed in double. With s = scale_h (out / in as the model states it) or
 * out / in when 0, coordinate_transformation_mode maps a destination index
 * d to a source coordinate:
 *   align_corners:      out > 1 ? d * (in - 1) / (out - 1) : 0   (s unused)
 *   pytorch_half_pixel: out > 1 ? (d + 0.5) / s - 0.5 : 0
 *   half_pixel:         (d + 0.5) / s - 0.5       (half_pixel_centers = 1)
 *   asymmetric:         d / s                     (no flag)
 *   linear: the two neighbours as above (clamped to the edge, which is what
 *   ONNX's edge padding amounts to); nearest: the coordinate rounded by
 *   nearest_mode (1 floor, 2 ceil, 3 round_prefer_floor, 4 round_prefer_ceil;
 *   0 keeps TFLite's floor / round rule applied to (d + 0.5 * hpc) / s),
 *   then clamped to [0, in - 1].
 *
 * x [N,H,W,C] -> y [N,out_h,out_w,C]; the size comes from params, or (when
 * params.out_h == 0) from a constant int32 [2] second input (TFLite's `size`).
 * Source indices and weights are computed once at prepare.
 */
#include "kernel.h"

#include <math.h>
#include <string.h>

typedef glim_resize_axis rs_axis;
typedef glim_resize_state rs_state;
/* node->state: the shared glim_resize_state first (argmax.c reads it), then
 * the tables' capacities */
typedef struct rs_owned {
    rs_state s;
    int64_t cap_h, cap_w;
} rs_owned;

static int onnx_mode(const glim_resize_params *p)
{
    return p->pytorch_half_pixel || p->nearest_mode || p->scale_h > 0.f || p->scale_w > 0.f;
}

/* ONNX's coordinate_transformation_mode; sc: the stated scale or 0. */
static double onnx_src(int64_t d, int64_t out, int64_t in, const glim_resize_params *p, float sc)
{
    if (p->align_corners) return out > 1 ? (double)d * (double)(in - 1) / (double)(out - 1) : 0.0;
    double inv = sc > 0.f ? 1.0 / (double)sc : (double)in / (double)out;
    if (p->pytorch_half_pixel) return out > 1 ? ((double)d + 0.5) * inv - 0.5 : 0.0;
    if (p->half_pixel_centers) return ((double)d + 0.5) * inv - 0.5;
    return (double)d * inv;
}

static void onnx_axis_table(rs_axis *t, int64_t out, int64_t in, const glim_resize_params *p,
                            int nearest, float sc)
{
    double inv = sc > 0.f ? 1.0 / (double)sc : (double)in / (double)out;
    for (int64_t d = 0; d < out; d++) {
        int64_t i0, i1;
        double f = 0.0;
        if (nearest) {
            double v;
            if (p->nearest_mode == 0) { /* TFLite's rule with the stated scale */
                v = ((double)d + (p->half_pixel_centers ? 0.5 : 0.0)) *
                    (p->align_corners && out > 1 ? (double)(in - 1) / (double)(out - 1) : inv);
                v = p->align_corners ? floor(v + 0.5) : floor(v);
            } else {
                double x = onnx_src(d, out, in, p, sc), fl = floor(x);
                switch (p->nearest_mode) {
                case 1: v = fl; break;
                case 2: v = ceil(x); break;
                case 3: v = x - fl > 0.5 ? fl + 1 : fl; break;
                default: v = x - fl >= 0.5 ? fl + 1 : fl; break;
                }
            }
            i0 = v < 0 ? 0 : (v > (double)(in - 1) ? in - 1 : (int64_t)v);
            i1 = i0;
        } else {
            double x = onnx_src(d, out, in, p, sc), fl = floor(x);
            if (x <= 0) {
                i0 = i1 = 0;
            } else if (x >= (double)(in - 1)) {
                i0 = i1 = in - 1;
            } else {
                i0 = (int64_t)fl;
                i1 = i0 + 1;
                f = x - fl;
            }
        }
        t[d].i0 = (int32_t)i0;
        t[d].i1 = (int32_t)i1;
        t[d].f = (float)f;
    }
}

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
    if (p->nearest_mode < 0 || p->nearest_mode > 4)
        return glim_node_fail(n, err, GLIM_EINVAL, "nearest_mode %d is unknown", p->nearest_mode);
    if (!(p->scale_h >= 0.f && p->scale_h < 1e6f) || !(p->scale_w >= 0.f && p->scale_w < 1e6f))
        return glim_node_fail(n, err, GLIM_EINVAL, "scale %gx%g is invalid", (double)p->scale_h,
                              (double)p->scale_w);
    /* the tables grow when a later prepare (new input size) needs more rows */
    rs_owned *o = n->state ? n->state : glim_graph_pool_alloc(g, sizeof *o);
    if (!o) return glim_node_fail(n, err, GLIM_ENOMEM, "out of memory");
    if (!n->state) memset(o, 0, sizeof *o);
    n->state = o;
    if (oh > o->cap_h) {
        o->s.ys = glim_graph_pool_alloc(g, (size_t)oh * sizeof(rs_axis));
        o->cap_h = o->s.ys ? oh : 0;
    }
    if (ow > o->cap_w) {
        o->s.xs = glim_graph_pool_alloc(g, (size_t)ow * sizeof(rs_axis));
        o->cap_w = o->s.xs ? ow : 0;
    }
    rs_state *s = &o->s;
    if (!s->ys || !s->xs) return glim_node_fail(n, err, GLIM_ENOMEM, "out of memory");
    int nearest = n->op == GLIM_OP_RESIZE_NEAREST;
    if (onnx_mode(p)) {
        onnx_axis_table(s->ys, oh, x->shape[1], p, nearest, p->scale_h);
        onnx_axis_table(s->xs, ow, x->shape[2], p, nearest, p->scale_w);
    } else {
        axis_table(s->ys, oh, x->shape[1], p, nearest);
        axis_table(s->xs, ow, x->shape[2], p, nearest);
    }
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
        if (j->nearest && r > r0 && oy > 0 && j->s->ys[oy - 1].i0 == ya->i0) {
            /* upsampling repeats source rows: copy the row just written */
            memcpy(yp, yp - j->ow * C, (size_t)(j->ow * C) * sizeof(float));
            continue;
        }
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
