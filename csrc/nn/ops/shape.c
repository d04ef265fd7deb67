/*
 * shape.c — ops that move data without arithmetic: RESHAPE, TRANSPOSE,
 * PACK, UNPACK, SLICE, PAD, CAST. Any dtype unless noted.
 *
 * RESHAPE: y = x with a new shape (same row-major bytes). The shape comes
 *   from params (ndim > 0) or else from a constant int32/int64 second input
 *   (TFLite Reshape's `shape` tensor, ONNX Reshape); one dim may be -1
 *   (inferred) and, as in ONNX, a 0 copies the input's dim.
 * TRANSPOSE: y[i_perm[0], ...] = x[i_0, ...] — numpy.transpose(x, perm):
 *   y.shape[k] = x.shape[perm[k]]. perm from params (ndim > 0) or a constant
 *   int32/int64 second input (TFLite Transpose).
 * PACK: y = numpy.stack(inputs, axis) (TFLite Pack); UNPACK: the inverse,
 *   `count` outputs, each x.take(i, axis) (TFLite Unpack).
 * SLICE: y = x[begin[k] : begin[k] + size[k]*stride[k] : stride[k]] per dim,
 *   params fully resolved by the importer (stride 0 means 1).
 * PAD: numpy.pad(x, (before, after), constant_values=value); the widths come
 *   from params (ndim > 0) or a constant [rank, 2] int32/int64 second input
 *   (TFLite Pad / PadV2 with a constant value third input).
 * CAST: y = (to_dtype) x; float -> int truncates toward zero (TFLite Cast,
 *   numpy astype), and saturates at the integer range.
 */
#include "kernel.h"

#include <math.h>
#include <string.h>

/* Read a constant int tensor (int32 or int64) into out[]; returns its count or -1. */
static int read_const_ints(glim_gtensor *t, int64_t *out, int cap)
{
    if (!t || t->kind != GLIM_TENSOR_CONSTANT || (t->dtype != GLIM_I32 && t->dtype != GLIM_I64))
        return -1;
    if (t->count > cap) return -1;
    for (int64_t i = 0; i < t->count; i++)
        out[i] = t->dtype == GLIM_I32 ? ((const int32_t *)t->data)[i]
                                      : ((const int64_t *)t->data)[i];
    return (int)t->count;
}

/* ---- RESHAPE ------------------------------------------------------------- */

static glim_status reshape_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_reshape_params *p = n->params;
    glim_status st;
    if ((st = glim_need_arity(n, 1, 2, 1, err)) ||
        (st = glim_need_input(g, n, 0, -1, 0, GLIM_MAX_DIMS, "input", err)))
        return st;
    glim_gtensor *x = glim_in(g, n, 0);
    int64_t shape[GLIM_MAX_DIMS];
    int nd;
    if (p->ndim > 0) {
        if (p->ndim > GLIM_MAX_DIMS)
            return glim_node_fail(n, err, GLIM_EINVAL, "rank %d exceeds %d", p->ndim,
                                  GLIM_MAX_DIMS);
        nd = p->ndim;
        memcpy(shape, p->shape, (size_t)nd * sizeof *shape);
    } else if (glim_in(g, n, 1)) {
        nd = read_const_ints(glim_in(g, n, 1), shape, GLIM_MAX_DIMS);
        if (nd < 0)
            return glim_node_fail(n, err, GLIM_EUNSUPPORTED,
                                  "the shape input must be a constant int32/int64 vector of at "
                                  "most %d values",
                                  GLIM_MAX_DIMS);
    } else {
        nd = 0;
    }
    int infer = -1;
    int64_t known = 1;
    for (int i = 0; i < nd; i++) {
        if (shape[i] == 0 && i < x->ndim && p->ndim == 0) shape[i] = x->shape[i];
        if (shape[i] == -1) {
            if (infer >= 0)
                return glim_node_fail(n, err, GLIM_EINVAL, "more than one -1 in the new shape");
            infer = i;
        } else if (shape[i] < 0) {
            return glim_node_fail(n, err, GLIM_EINVAL, "dim %d of the new shape is %lld", i,
                                  (long long)shape[i]);
        } else {
            known *= shape[i];
        }
    }
    if (infer >= 0) {
        if (known == 0 || x->count % known != 0)
            return glim_node_fail(n, err, GLIM_EINVAL, "cannot infer -1: %lld values into %lld",
                                  (long long)x->count, (long long)known);
        shape[infer] = x->count / known;
        known = x->count;
    }
    if (known != x->count)
        return glim_node_fail(n, err, GLIM_EINVAL, "%lld values cannot take a shape of %lld",
                              (long long)x->count, (long long)known);
    return glim_out_shape(g, n, 0, x->dtype, nd, shape, err);
}

static void copy_eval(glim_graph *g, const glim_node *n)
{
    glim_gtensor *x = glim_in(g, n, 0), *y = glim_out(g, n, 0);
    if (x->data != y->data && y->nbytes) memcpy(y->data, x->data, y->nbytes);
}

const glim_op_vtable glim_op_reshape = {"RESHAPE", sizeof(glim_reshape_params), reshape_prepare,
                                        copy_eval, NULL};

/* ---- shared: element access through doubles (small tensors) or bytes ---- */

static void advance(int nd, const int64_t *shape, int64_t *idx)
{
    for (int d = nd - 1; d >= 0; d--) {
        if (++idx[d] < shape[d]) return;
        idx[d] = 0;
    }
}

static void strides_of(int nd, const int64_t *shape, int64_t *st)
{
    int64_t acc = 1;
    for (int d = nd - 1; d >= 0; d--) {
        st[d] = acc;
        acc *= shape[d];
    }
}

/* ---- TRANSPOSE ----------------------------------------------------------- */

static glim_status transpose_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_transpose_params *p = n->params;
    glim_status st;
    if ((st = glim_need_arity(n, 1, 2, 1, err)) ||
        (st = glim_need_input(g, n, 0, -1, 0, GLIM_MAX_DIMS, "input", err)))
        return st;
    glim_gtensor *x = glim_in(g, n, 0);
    if (p->ndim == 0 && glim_in(g, n, 1)) {
        int64_t perm[GLIM_MAX_DIMS];
        int k = read_const_ints(glim_in(g, n, 1), perm, GLIM_MAX_DIMS);
        if (k < 0)
            return glim_node_fail(n, err, GLIM_EUNSUPPORTED,
                                  "the permutation must be a constant int32/int64 vector");
        p->ndim = k;
        for (int i = 0; i < k; i++) p->perm[i] = (int)perm[i];
    }
    if (p->ndim != x->ndim)
        return glim_node_fail(n, err, GLIM_EINVAL, "permutation has %d entries, input has %d dims",
                              p->ndim, x->ndim);
    int seen[GLIM_MAX_DIMS] = {0};
    int64_t shape[GLIM_MAX_DIMS];
    for (int i = 0; i < p->ndim; i++) {
        if (p->perm[i] < 0 || p->perm[i] >= x->ndim || seen[p->perm[i]]++)
            return glim_node_fail(n, err, GLIM_EINVAL, "invalid permutation entry %d", p->perm[i]);
        shape[i] = x->shape[p->perm[i]];
    }
    return glim_out_shape(g, n, 0, x->dtype, x->ndim, shape, err);
}

/* The permutation with runs of dims that stay adjacent and in order merged
 * (NCHW -> NHWC is [N, C, H*W] -> [N, H*W, C]) and 1-sized dims dropped:
 * fewer, longer loops. Returns the merged rank (>= 1). */
static int merge_perm(const glim_gtensor *x, const glim_transpose_params *p, int64_t *shape,
                      int *perm)
{
    int64_t xs[GLIM_MAX_DIMS];
    int keep[GLIM_MAX_DIMS], nd = 0, map[GLIM_MAX_DIMS];
    /* drop 1-sized input dims, renumbering the rest */
    for (int d = 0; d < x->ndim; d++) map[d] = x->shape[d] == 1 ? -1 : nd++;
    int k = 0;
    for (int i = 0; i < p->ndim; i++)
        if (map[p->perm[i]] >= 0) keep[k++] = map[p->perm[i]];
    nd = 0;
    for (int d = 0; d < x->ndim; d++)
        if (x->shape[d] != 1) xs[nd++] = x->shape[d];
    if (nd == 0) {
        shape[0] = 1;
        perm[0] = 0;
        return 1;
    }
    /* merge input dims d, d+1 when d+1 follows d in the output order */
    int group[GLIM_MAX_DIMS], ng = 0; /* group id of each input dim */
    for (int d = 0; d < nd; d++) {
        int pos = 0, prev = 0;
        for (int i = 0; i < k; i++) {
            if (keep[i] == d) pos = i;
            if (d > 0 && keep[i] == d - 1) prev = i;
        }
        group[d] = d > 0 && pos == prev + 1 ? group[d - 1] : ng++;
    }
    for (int gi = 0; gi < ng; gi++) shape[gi] = 1;
    for (int d = 0; d < nd; d++) shape[group[d]] *= xs[d];
    int m = 0;
    for (int i = 0; i < k; i++)
        if (i == 0 || group[keep[i]] != group[keep[i - 1]]) perm[m++] = group[keep[i]];
    return m;
}

typedef struct tr_job {
    const char *x;
    char *y;
    size_t es;
    int nd;
    int64_t shape[GLIM_MAX_DIMS]; /* merged input shape */
    int perm[GLIM_MAX_DIMS];
    int64_t oshape[GLIM_MAX_DIMS]; /* output shape */
    int64_t src[GLIM_MAX_DIMS];    /* input stride of each output dim */
    int64_t rows, cols; /* batched 2-D case: x [b][rows][cols] -> y [b][cols][rows] */
} tr_job;

enum { TR_TILE = 32 };

/* Batched 2-D transpose in TR_TILE x TR_TILE tiles (both sides stay in
 * cache lines); task t = (batch, tile row). */
static void tr_tiles(void *arg, int64_t t0, int64_t t1)
{
    const tr_job *j = arg;
    int64_t tr = (j->rows + TR_TILE - 1) / TR_TILE;
    for (int64_t t = t0; t < t1; t++) {
        int64_t b = t / tr, r0 = (t % tr) * TR_TILE;
        int64_t r1 = r0 + TR_TILE < j->rows ? r0 + TR_TILE : j->rows;
        int64_t base = b * j->rows * j->cols;
        for (int64_t c0 = 0; c0 < j->cols; c0 += TR_TILE) {
            int64_t c1 = c0 + TR_TILE < j->cols ? c0 + TR_TILE : j->cols;
            if (j->es == 4) {
                const uint32_t *x = (const uint32_t *)j->x + base;
                uint32_t *y = (uint32_t *)j->y + base;
                for (int64_t c = c0; c < c1; c++)
                    for (int64_t r = r0; r < r1; r++) y[c * j->rows + r] = x[r * j->cols + c];
            } else {
                for (int64_t c = c0; c < c1; c++)
                    for (int64_t r = r0; r < r1; r++)
                        memcpy(j->y + (size_t)(base + c * j->rows + r) * j->es,
                               j->x + (size_t)(base + r * j->cols + c) * j->es, j->es);
            }
        }
    }
}

/* General case: output rows (all dims but the last) [r0, r1), each a
 * strided gather along the last output dim (a run copy when that dim is
 * the input's last). */
static void tr_rows(void *arg, int64_t r0, int64_t r1)
{
    const tr_job *j = arg;
    int nd = j->nd;
    int64_t len = j->oshape[nd - 1], step = j->src[nd - 1];
    int64_t idx[GLIM_MAX_DIMS] = {0}, rem = r0;
    for (int d = nd - 2; d >= 0; d--) {
        idx[d] = rem % j->oshape[d];
        rem /= j->oshape[d];
    }
    for (int64_t r = r0; r < r1; r++) {
        int64_t off = 0;
        for (int d = 0; d < nd - 1; d++) off += idx[d] * j->src[d];
        char *y = j->y + (size_t)(r * len) * j->es;
        if (step == 1) {
            memcpy(y, j->x + (size_t)off * j->es, (size_t)len * j->es);
        } else if (j->es == 4) {
            const uint32_t *x = (const uint32_t *)j->x + off;
            for (int64_t i = 0; i < len; i++) ((uint32_t *)y)[i] = x[i * step];
        } else {
            for (int64_t i = 0; i < len; i++)
                memcpy(y + (size_t)i * j->es, j->x + (size_t)(off + i * step) * j->es, j->es);
        }
        for (int d = nd - 2; d >= 0; d--) {
            if (++idx[d] < j->oshape[d]) break;
            idx[d] = 0;
        }
    }
}

static void transpose_eval(glim_graph *g, const glim_node *n)
{
    const glim_transpose_params *p = n->params;
    glim_gtensor *x = glim_in(g, n, 0), *y = glim_out(g, n, 0);
    if (y->count == 0) return;
    tr_job j = {x->data, y->data, glim_dtype_size(x->dtype), 0, {0}, {0}, {0}, {0}, 0, 0};
    j.nd = merge_perm(x, p, j.shape, j.perm);
    if (j.nd == 1) { /* nothing moves */
        memcpy(j.y, j.x, (size_t)y->count * j.es);
        return;
    }
    int64_t xs[GLIM_MAX_DIMS];
    strides_of(j.nd, j.shape, xs);
    for (int k = 0; k < j.nd; k++) {
        j.oshape[k] = j.shape[j.perm[k]];
        j.src[k] = xs[j.perm[k]];
    }
    int swap2 = j.nd == 2 || (j.nd == 3 && j.perm[0] == 0);
    if (swap2 && j.perm[j.nd - 1] == j.nd - 2 && j.perm[j.nd - 2] == j.nd - 1) {
        j.rows = j.shape[j.nd - 2];
        j.cols = j.shape[j.nd - 1];
        int64_t batches = j.nd == 3 ? j.shape[0] : 1;
        int64_t tasks = batches * ((j.rows + TR_TILE - 1) / TR_TILE);
        glim_parallel_for(g, tasks, 8, tr_tiles, &j);
        return;
    }
    int64_t rows = y->count / j.oshape[j.nd - 1];
    glim_parallel_for(g, rows, 256, tr_rows, &j);
}

const glim_op_vtable glim_op_transpose = {"TRANSPOSE", sizeof(glim_transpose_params),
                                          transpose_prepare, transpose_eval, NULL};

/* ---- PACK / UNPACK -------------------------------------------------------- */

static glim_status pack_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_pack_params *p = n->params;
    glim_status st;
    if ((st = glim_need_arity(n, 1, 1 << 16, 1, err)) ||
        (st = glim_need_input(g, n, 0, -1, 0, GLIM_MAX_DIMS - 1, "input", err)))
        return st;
    glim_gtensor *x0 = glim_in(g, n, 0);
    int ax = p->axis < 0 ? p->axis + x0->ndim + 1 : p->axis;
    if (ax < 0 || ax > x0->ndim)
        return glim_node_fail(n, err, GLIM_EINVAL, "axis %d is out of range", p->axis);
    for (int i = 1; i < n->ninputs; i++) {
        if ((st = glim_need_input(g, n, i, (int)x0->dtype, x0->ndim, x0->ndim, "input", err)))
            return st;
        for (int d = 0; d < x0->ndim; d++)
            if (glim_in(g, n, i)->shape[d] != x0->shape[d])
                return glim_node_fail(n, err, GLIM_EINVAL, "input %d's shape differs from input 0's",
                                      i);
    }
    int64_t shape[GLIM_MAX_DIMS];
    for (int d = 0, k = 0; d <= x0->ndim; d++)
        shape[d] = d == ax ? n->ninputs : x0->shape[k++];
    return glim_out_shape(g, n, 0, x0->dtype, x0->ndim + 1, shape, err);
}

static void pack_eval(glim_graph *g, const glim_node *n)
{
    const glim_pack_params *p = n->params;
    glim_gtensor *x0 = glim_in(g, n, 0), *y = glim_out(g, n, 0);
    int ax = p->axis < 0 ? p->axis + x0->ndim + 1 : p->axis;
    int64_t outer = 1;
    for (int d = 0; d < ax; d++) outer *= x0->shape[d];
    size_t run = outer ? x0->nbytes / (size_t)outer : 0;
    for (int i = 0; i < n->ninputs; i++) {
        const char *xd = glim_in(g, n, i)->data;
        for (int64_t o = 0; o < outer; o++)
            memcpy((char *)y->data + ((size_t)o * (size_t)n->ninputs + (size_t)i) * run,
                   xd + (size_t)o * run, run);
    }
}

static glim_status unpack_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_pack_params *p = n->params;
    glim_status st;
    if ((st = glim_need_arity(n, 1, 1, -1, err)) ||
        (st = glim_need_input(g, n, 0, -1, 1, GLIM_MAX_DIMS, "input", err)))
        return st;
    glim_gtensor *x = glim_in(g, n, 0);
    int ax = p->axis < 0 ? p->axis + x->ndim : p->axis;
    if (ax < 0 || ax >= x->ndim)
        return glim_node_fail(n, err, GLIM_EINVAL, "axis %d is out of range", p->axis);
    if (x->shape[ax] != n->noutputs)
        return glim_node_fail(n, err, GLIM_EINVAL, "axis has %lld values for %d outputs",
                              (long long)x->shape[ax], n->noutputs);
    int64_t shape[GLIM_MAX_DIMS];
    for (int d = 0, k = 0; d < x->ndim; d++)
        if (d != ax) shape[k++] = x->shape[d];
    for (int i = 0; i < n->noutputs; i++)
        if ((st = glim_out_shape(g, n, i, x->dtype, x->ndim - 1, shape, err))) return st;
    return GLIM_OK;
}

static void unpack_eval(glim_graph *g, const glim_node *n)
{
    const glim_pack_params *p = n->params;
    glim_gtensor *x = glim_in(g, n, 0);
    int ax = p->axis < 0 ? p->axis + x->ndim : p->axis;
    int64_t outer = 1;
    for (int d = 0; d < ax; d++) outer *= x->shape[d];
    size_t run = glim_out(g, n, 0)->nbytes / (size_t)(outer ? outer : 1);
    for (int i = 0; i < n->noutputs; i++) {
        char *yd = glim_out(g, n, i)->data;
        for (int64_t o = 0; o < outer; o++)
            memcpy(yd + (size_t)o * run,
                   (const char *)x->data + ((size_t)o * (size_t)n->noutputs + (size_t)i) * run,
                   run);
    }
}

const glim_op_vtable glim_op_pack = {"PACK", sizeof(glim_pack_params), pack_prepare, pack_eval,
                                     NULL};
const glim_op_vtable glim_op_unpack = {"UNPACK", sizeof(glim_pack_params), unpack_prepare,
                                       unpack_eval, NULL};

/* ---- SLICE --------------------------------------------------------------- */

static glim_status slice_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_slice_params *p = n->params;
    glim_status st;
    if ((st = glim_need_arity(n, 1, 1, 1, err)) ||
        (st = glim_need_input(g, n, 0, -1, 1, GLIM_MAX_DIMS, "input", err)))
        return st;
    glim_gtensor *x = glim_in(g, n, 0);
    if (p->ndim != x->ndim)
        return glim_node_fail(n, err, GLIM_EINVAL, "params have %d dims, input has %d", p->ndim,
                              x->ndim);
    for (int d = 0; d < x->ndim; d++) {
        int64_t s = p->stride[d] ? p->stride[d] : 1;
        if (p->size[d] < 0 || p->begin[d] < 0 || p->begin[d] >= x->shape[d] + (p->size[d] == 0))
            return glim_node_fail(n, err, GLIM_EINVAL, "dim %d: begin %lld size %lld outside %lld",
                                  d, (long long)p->begin[d], (long long)p->size[d],
                                  (long long)x->shape[d]);
        int64_t last = p->begin[d] + (p->size[d] - 1) * s;
        if (p->size[d] > 0 && (last < 0 || last >= x->shape[d]))
            return glim_node_fail(n, err, GLIM_EINVAL, "dim %d: slice ends at %lld outside %lld", d,
                                  (long long)last, (long long)x->shape[d]);
    }
    return glim_out_shape(g, n, 0, x->dtype, x->ndim, p->size, err);
}

static void slice_eval(glim_graph *g, const glim_node *n)
{
    const glim_slice_params *p = n->params;
    glim_gtensor *x = glim_in(g, n, 0), *y = glim_out(g, n, 0);
    int64_t xs[GLIM_MAX_DIMS], idx[GLIM_MAX_DIMS] = {0};
    strides_of(x->ndim, x->shape, xs);
    size_t es = glim_dtype_size(x->dtype);
    for (int64_t i = 0; i < y->count; i++) {
        int64_t off = 0;
        for (int d = 0; d < x->ndim; d++)
            off += (p->begin[d] + idx[d] * (p->stride[d] ? p->stride[d] : 1)) * xs[d];
        memcpy((char *)y->data + (size_t)i * es, (const char *)x->data + (size_t)off * es, es);
        advance(y->ndim, y->shape, idx);
    }
}

const glim_op_vtable glim_op_slice = {"SLICE", sizeof(glim_slice_params), slice_prepare,
                                      slice_eval, NULL};

/* ---- PAD ----------------------------------------------------------------- */

static glim_status pad_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_pad_params *p = n->params;
    glim_status st;
    if ((st = glim_need_arity(n, 1, 3, 1, err)) ||
        (st = glim_need_input(g, n, 0, -1, 0, GLIM_MAX_DIMS, "input", err)))
        return st;
    glim_gtensor *x = glim_in(g, n, 0);
    if (p->ndim == 0 && glim_in(g, n, 1)) {
        int64_t v[2 * GLIM_MAX_DIMS];
        int k = read_const_ints(glim_in(g, n, 1), v, 2 * GLIM_MAX_DIMS);
        if (k < 0 || k != 2 * x->ndim)
            return glim_node_fail(n, err, GLIM_EUNSUPPORTED,
                                  "paddings must be a constant int [%d,2]", x->ndim);
        p->ndim = x->ndim;
        for (int d = 0; d < x->ndim; d++) {
            p->before[d] = v[2 * d];
            p->after[d] = v[2 * d + 1];
        }
        glim_gtensor *cv = glim_in(g, n, 2);
        if (cv && cv->kind == GLIM_TENSOR_CONSTANT && cv->dtype == GLIM_F32 && cv->count == 1)
            p->value = *(const float *)cv->data;
    }
    if (p->ndim != x->ndim)
        return glim_node_fail(n, err, GLIM_EINVAL, "params have %d dims, input has %d", p->ndim,
                              x->ndim);
    int64_t shape[GLIM_MAX_DIMS];
    for (int d = 0; d < x->ndim; d++) {
        if (p->before[d] < 0 || p->after[d] < 0)
            return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "negative padding on dim %d", d);
        shape[d] = x->shape[d] + p->before[d] + p->after[d];
    }
    return glim_out_shape(g, n, 0, x->dtype, x->ndim, shape, err);
}

static void fill_value(void *dst, glim_dtype dt, int64_t count, float v)
{
    switch (dt) {
    case GLIM_F32:
        for (int64_t i = 0; i < count; i++) ((float *)dst)[i] = v;
        break;
    case GLIM_I32:
        for (int64_t i = 0; i < count; i++) ((int32_t *)dst)[i] = (int32_t)v;
        break;
    case GLIM_I64:
        for (int64_t i = 0; i < count; i++) ((int64_t *)dst)[i] = (int64_t)v;
        break;
    default:
        memset(dst, (int)v, (size_t)count * glim_dtype_size(dt));
        break;
    }
}

static void pad_eval(glim_graph *g, const glim_node *n)
{
    const glim_pad_params *p = n->params;
    glim_gtensor *x = glim_in(g, n, 0), *y = glim_out(g, n, 0);
    fill_value(y->data, y->dtype, y->count, p->value);
    if (x->count == 0) return;
    if (x->ndim == 0) {
        memcpy(y->data, x->data, x->nbytes);
        return;
    }
    int64_t ys[GLIM_MAX_DIMS], idx[GLIM_MAX_DIMS] = {0};
    strides_of(y->ndim, y->shape, ys);
    int last = x->ndim - 1;
    int64_t len = x->shape[last], rows = x->count / len;
    size_t es = glim_dtype_size(x->dtype);
    for (int64_t r = 0; r < rows; r++) {
        int64_t off = p->before[last];
        for (int d = 0; d < last; d++) off += (idx[d] + p->before[d]) * ys[d];
        memcpy((char *)y->data + (size_t)off * es, (const char *)x->data + (size_t)(r * len) * es,
               (size_t)len * es);
        advance(last, x->shape, idx);
    }
}

const glim_op_vtable glim_op_pad = {"PAD", sizeof(glim_pad_params), pad_prepare, pad_eval, NULL};

/* ---- GATHER / GATHER_ND ----------------------------------------------------
 * GATHER: y = numpy.take(x, indices, axis) (TFLite Gather, ONNX Gather),
 *   y.shape = x.shape[:axis] + indices.shape + x.shape[axis+1:]; batch_dims 0.
 * GATHER_ND: y[i...] = x[indices[i..., 0], ..., indices[i..., k-1], ...]
 *   (TFLite GatherNd, batch_dims 0), y.shape = indices.shape[:-1] + x.shape[k:].
 * Indices are int32/int64; a negative index counts from the end; an index
 * still out of range yields zeros (eval cannot fail; TFLite would error). */

static int64_t index_at(const glim_gtensor *t, int64_t i)
{
    return t->dtype == GLIM_I32 ? ((const int32_t *)t->data)[i] : ((const int64_t *)t->data)[i];
}

static glim_status gather_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_gather_params *p = n->params;
    glim_status st;
    if ((st = glim_need_arity(n, 2, 2, 1, err)) ||
        (st = glim_need_input(g, n, 0, -1, 1, GLIM_MAX_DIMS, "input", err)) ||
        (st = glim_need_input(g, n, 1, -1, 0, GLIM_MAX_DIMS, "indices", err)))
        return st;
    glim_gtensor *x = glim_in(g, n, 0), *ix = glim_in(g, n, 1);
    if (ix->dtype != GLIM_I32 && ix->dtype != GLIM_I64)
        return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "indices are %s, expected int32/int64",
                              glim_dtype_name(ix->dtype));
    if (p->batch_dims != 0)
        return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "batch_dims %d", p->batch_dims);
    int ax = p->axis < 0 ? p->axis + x->ndim : p->axis;
    if (ax < 0 || ax >= x->ndim)
        return glim_node_fail(n, err, GLIM_EINVAL, "axis %d is out of range", p->axis);
    int nd = x->ndim - 1 + ix->ndim;
    if (nd > GLIM_MAX_DIMS) return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "output rank %d", nd);
    int64_t shape[GLIM_MAX_DIMS];
    int k = 0;
    for (int d = 0; d < ax; d++) shape[k++] = x->shape[d];
    for (int d = 0; d < ix->ndim; d++) shape[k++] = ix->shape[d];
    for (int d = ax + 1; d < x->ndim; d++) shape[k++] = x->shape[d];
    return glim_out_shape(g, n, 0, x->dtype, nd, shape, err);
}

static void gather_eval(glim_graph *g, const glim_node *n)
{
    const glim_gather_params *p = n->params;
    glim_gtensor *x = glim_in(g, n, 0), *ix = glim_in(g, n, 1), *y = glim_out(g, n, 0);
    int ax = p->axis < 0 ? p->axis + x->ndim : p->axis;
    int64_t outer = 1, inner = 1, dim = x->shape[ax];
    for (int d = 0; d < ax; d++) outer *= x->shape[d];
    for (int d = ax + 1; d < x->ndim; d++) inner *= x->shape[d];
    size_t run = (size_t)inner * glim_dtype_size(x->dtype);
    char *yd = y->data;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < ix->count; i++, yd += run) {
            int64_t k = index_at(ix, i);
            if (k < 0) k += dim;
            if (k < 0 || k >= dim) memset(yd, 0, run);
            else memcpy(yd, (const char *)x->data + (size_t)(o * dim + k) * run, run);
        }
}

static glim_status gather_nd_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_status st;
    if ((st = glim_need_arity(n, 2, 2, 1, err)) ||
        (st = glim_need_input(g, n, 0, -1, 1, GLIM_MAX_DIMS, "input", err)) ||
        (st = glim_need_input(g, n, 1, -1, 1, GLIM_MAX_DIMS, "indices", err)))
        return st;
    glim_gtensor *x = glim_in(g, n, 0), *ix = glim_in(g, n, 1);
    if (ix->dtype != GLIM_I32 && ix->dtype != GLIM_I64)
        return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "indices are %s, expected int32/int64",
                              glim_dtype_name(ix->dtype));
    int64_t k = ix->shape[ix->ndim - 1];
    if (k < 1 || k > x->ndim)
        return glim_node_fail(n, err, GLIM_EINVAL, "index depth %lld for %d dims", (long long)k,
                              x->ndim);
    int nd = ix->ndim - 1 + x->ndim - (int)k;
    if (nd > GLIM_MAX_DIMS) return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "output rank %d", nd);
    int64_t shape[GLIM_MAX_DIMS];
    int j = 0;
    for (int d = 0; d < ix->ndim - 1; d++) shape[j++] = ix->shape[d];
    for (int d = (int)k; d < x->ndim; d++) shape[j++] = x->shape[d];
    return glim_out_shape(g, n, 0, x->dtype, nd, shape, err);
}

static void gather_nd_eval(glim_graph *g, const glim_node *n)
{
    glim_gtensor *x = glim_in(g, n, 0), *ix = glim_in(g, n, 1), *y = glim_out(g, n, 0);
    int k = (int)ix->shape[ix->ndim - 1];
    int64_t xs[GLIM_MAX_DIMS];
    strides_of(x->ndim, x->shape, xs);
    size_t run = (size_t)xs[k - 1] * glim_dtype_size(x->dtype);
    int64_t nidx = ix->count / k;
    char *yd = y->data;
    for (int64_t i = 0; i < nidx; i++, yd += run) {
        int64_t off = 0;
        int ok = 1;
        for (int d = 0; d < k; d++) {
            int64_t v = index_at(ix, i * k + d);
            if (v < 0) v += x->shape[d];
            if (v < 0 || v >= x->shape[d]) ok = 0;
            off += v * xs[d];
        }
        if (ok) memcpy(yd, (const char *)x->data + (size_t)off * glim_dtype_size(x->dtype), run);
        else memset(yd, 0, run);
    }
}

const glim_op_vtable glim_op_gather = {"GATHER", sizeof(glim_gather_params), gather_prepare,
                                       gather_eval, NULL};
const glim_op_vtable glim_op_gather_nd = {"GATHER_ND", 0, gather_nd_prepare, gather_nd_eval,
                                          NULL};

/* ---- CAST ---------------------------------------------------------------- */

static glim_status cast_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_cast_params *p = n->params;
    glim_status st;
    if ((st = glim_need_arity(n, 1, 1, 1, err)) ||
        (st = glim_need_input(g, n, 0, -1, 0, GLIM_MAX_DIMS, "input", err)))
        return st;
    if (p->to_dtype < 0 || p->to_dtype >= GLIM_DTYPE_COUNT)
        return glim_node_fail(n, err, GLIM_EINVAL, "unknown target dtype %d", p->to_dtype);
    glim_gtensor *x = glim_in(g, n, 0);
    return glim_out_shape(g, n, 0, (glim_dtype)p->to_dtype, x->ndim, x->shape, err);
}

static void cast_eval(glim_graph *g, const glim_node *n)
{
    glim_gtensor *x = glim_in(g, n, 0), *y = glim_out(g, n, 0);
    glim_tensor src = {.dtype = x->dtype, .data = x->data};
    glim_tensor dst = {.dtype = y->dtype, .data = y->data};
    if (x->dtype == y->dtype) {
        memcpy(y->data, x->data, y->nbytes);
        return;
    }
    if (y->dtype == GLIM_F32 && x->dtype != GLIM_BOOL) { /* exact or nearest, no saturation needed */
        float *yd = y->data;
        switch (x->dtype) {
        case GLIM_U8: for (int64_t i = 0; i < x->count; i++) yd[i] = ((const uint8_t *)x->data)[i]; return;
        case GLIM_I8: for (int64_t i = 0; i < x->count; i++) yd[i] = ((const int8_t *)x->data)[i]; return;
        case GLIM_I16: for (int64_t i = 0; i < x->count; i++) yd[i] = ((const int16_t *)x->data)[i]; return;
        case GLIM_I32: for (int64_t i = 0; i < x->count; i++) yd[i] = (float)((const int32_t *)x->data)[i]; return;
        case GLIM_I64: for (int64_t i = 0; i < x->count; i++) yd[i] = (float)((const int64_t *)x->data)[i]; return;
        default: break;
        }
    }
    if (x->dtype == GLIM_F32 && y->dtype == GLIM_I32) { /* truncate, saturate */
        const float *xd = x->data;
        int32_t *yd = y->data;
        for (int64_t i = 0; i < x->count; i++) {
            float v = xd[i];
            yd[i] = v != v ? 0 : v >= 2147483647.f ? INT32_MAX : v <= -2147483648.f ? INT32_MIN : (int32_t)v;
        }
        return;
    }
    for (int64_t i = 0; i < x->count; i++) {
        double v = glim_tensor_get_flat(&src, i);
        if (y->dtype == GLIM_BOOL) v = v != 0;
        else if (y->dtype != GLIM_F32) v = trunc(v);
        glim_tensor_set_flat(&dst, i, v);
    }
}

const glim_op_vtable glim_op_cast = {"CAST", sizeof(glim_cast_params), cast_prepare, cast_eval,
                                     NULL};
