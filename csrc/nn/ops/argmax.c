/*
 * argmax.c — ARG_MAX along one axis (TFLite ArgMax, ONNX ArgMax with
 * keepdims = 0, numpy.argmax).
 *
 *   y[..] = the smallest index k along `axis` with x[.., k, ..] maximal
 *   (ties go to the first index, as TFLite and numpy). The axis is dropped
 *   from the shape. x float32, int32 or uint8; y int32 or int64
 *   (params.output_dtype; 0 means int64, TFLite's default). A second input
 *   (TFLite's constant axis tensor) is accepted and ignored: the importer
 *   resolves it into params.axis.
 *
 * Fusion: segmentation heads end in RESIZE_BILINEAR to the image size and
 * ARG_MAX over the classes (DeepLab: 513x513x21 floats, 22 MB written and
 * read back for a 1 MB answer). When this node is the resize's only
 * consumer and reduces the channel axis, prepare marks the resize fused:
 * the resize does nothing, its output takes no arena memory, and this node
 * interpolates each pixel's class scores itself — with the same arithmetic,
 * so the result is the same.
 */
#include "kernel.h"

#include <stdint.h>

static glim_status am_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_arg_max_params *p = n->params;
    glim_status st;
    if ((st = glim_need_arity(n, 1, 2, 1, err)) ||
        (st = glim_need_input(g, n, 0, -1, 1, GLIM_MAX_DIMS, "input", err)))
        return st;
    glim_gtensor *x = glim_in(g, n, 0);
    if (x->dtype != GLIM_F32 && x->dtype != GLIM_I32 && x->dtype != GLIM_U8)
        return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "input dtype %s",
                              glim_dtype_name(x->dtype));
    int ax = p->axis < 0 ? p->axis + x->ndim : p->axis;
    if (ax < 0 || ax >= x->ndim)
        return glim_node_fail(n, err, GLIM_EINVAL, "axis %d is out of range for %d dims",
                              p->axis, x->ndim);
    if (x->shape[ax] < 1) return glim_node_fail(n, err, GLIM_EINVAL, "the axis is empty");
    if (p->output_dtype == 0) p->output_dtype = GLIM_I64;
    if (p->output_dtype != GLIM_I32 && p->output_dtype != GLIM_I64)
        return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "output dtype %s",
                              glim_dtype_name((glim_dtype)p->output_dtype));
    int64_t shape[GLIM_MAX_DIMS];
    int nd = 0;
    for (int d = 0; d < x->ndim; d++)
        if (d != ax) shape[nd++] = x->shape[d];
    n->state = NULL;
    if (x->kind == GLIM_TENSOR_ACTIVATION && x->producer >= 0 &&
        x->dtype == GLIM_F32 && x->ndim == 4 && ax == 3) {
        glim_node *src = &g->nodes[x->producer];
        int users = 0;
        for (int i = 0; i < g->nnodes; i++)
            for (int k = 0; k < g->nodes[i].ninputs; k++) users += g->nodes[i].inputs[k] == n->inputs[0];
        for (int i = 0; i < g->noutputs; i++) users += g->outputs[i] == n->inputs[0];
        if (src->op == GLIM_OP_RESIZE_BILINEAR && users == 1 && src->state) {
            glim_resize_state *rs = src->state;
            rs->fused = 1;
            x->nbytes = 0; /* never written: no arena memory */
            n->state = src;
            n->reads_also = src->inputs[0]; /* read here, so it must live until now */
        }
    }
    return glim_out_shape(g, n, 0, (glim_dtype)p->output_dtype, nd, shape, err);
}

typedef struct fused_job {
    const glim_resize_state *rs;
    const float *x; /* the resize's input [N,H,W,C] */
    int64_t h, w, c, oh, ow;
    void *y;
    int i64;
} fused_job;

/* Resize a row of pixels' channel vectors and keep the argmax of each. */
static void fused_rows(void *arg, int64_t r0, int64_t r1)
{
    const fused_job *j = arg;
    const int64_t C = j->c;
    for (int64_t r = r0; r < r1; r++) {
        int64_t nn = r / j->oh, oy = r % j->oh;
        const glim_resize_axis *ya = &j->rs->ys[oy];
        const float *row0 = j->x + (nn * j->h + ya->i0) * j->w * C;
        const float *row1 = j->x + (nn * j->h + ya->i1) * j->w * C;
        float fy = ya->f;
        for (int64_t ox = 0; ox < j->ow; ox++) {
            const glim_resize_axis *xa = &j->rs->xs[ox];
            const float *a = row0 + xa->i0 * C, *b = row0 + xa->i1 * C;
            const float *c = row1 + xa->i0 * C, *d = row1 + xa->i1 * C;
            float fx = xa->f;
            /* the same expression as resize.c, so the scores are identical */
            float wa = (1 - fy) * (1 - fx), wb = (1 - fy) * fx, wc = fy * (1 - fx), wd = fy * fx;
            float best = wa * a[0] + wb * b[0] + wc * c[0] + wd * d[0];
            int64_t bi = 0;
            for (int64_t k = 1; k < C; k++) {
                float v = wa * a[k] + wb * b[k] + wc * c[k] + wd * d[k];
                if (v > best) { best = v; bi = k; }
            }
            int64_t o = r * j->ow + ox;
            if (j->i64) ((int64_t *)j->y)[o] = bi;
            else ((int32_t *)j->y)[o] = (int32_t)bi;
        }
    }
}

static double get(const glim_gtensor *x, int64_t i)
{
    switch (x->dtype) {
    case GLIM_F32: return ((const float *)x->data)[i];
    case GLIM_I32: return ((const int32_t *)x->data)[i];
    default: return ((const uint8_t *)x->data)[i];
    }
}

static void am_eval(glim_graph *g, const glim_node *n)
{
    const glim_arg_max_params *p = n->params;
    glim_gtensor *x = glim_in(g, n, 0), *y = glim_out(g, n, 0);
    if (n->state) {
        const glim_node *src = n->state;
        glim_gtensor *sx = glim_in(g, src, 0);
        fused_job j = {src->state, sx->data, sx->shape[1], sx->shape[2], sx->shape[3],
                       x->shape[1], x->shape[2], y->data, y->dtype == GLIM_I64};
        glim_parallel_for(g, x->shape[0] * x->shape[1], 1, fused_rows, &j);
        return;
    }
    int ax = p->axis < 0 ? p->axis + x->ndim : p->axis;
    int64_t outer = 1, len = x->shape[ax], inner = 1;
    for (int d = 0; d < ax; d++) outer *= x->shape[d];
    for (int d = ax + 1; d < x->ndim; d++) inner *= x->shape[d];
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            int64_t base = o * len * inner + i, best = 0;
            if (x->dtype == GLIM_F32) {
                const float *xp = (const float *)x->data + base;
                float bv = xp[0];
                for (int64_t k = 1; k < len; k++)
                    if (xp[k * inner] > bv) { bv = xp[k * inner]; best = k; }
            } else {
                double bv = get(x, base);
                for (int64_t k = 1; k < len; k++) {
                    double v = get(x, base + k * inner);
                    if (v > bv) { bv = v; best = k; }
                }
            }
            if (y->dtype == GLIM_I32) ((int32_t *)y->data)[o * inner + i] = (int32_t)best;
            else ((int64_t *)y->data)[o * inner + i] = best;
        }
}

const glim_op_vtable glim_op_arg_max = {"ARG_MAX", sizeof(glim_arg_max_params), am_prepare,
                                        am_eval, NULL};
