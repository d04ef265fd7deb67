/*
 * onnx_ops_shape.c — ONNX translators for shape, constant, cast and indexing ops
 * (Reshape, Transpose, Shape, Constant*, Concat, Slice, Split, Gather, Where,
 * Expand, Tile...), folded at build time when their inputs are constant.
 */
#include "onnx_ops.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- shape ops ----------------------------------------------------------- */

/* A constant of the same data under a new shape (data shared). */
static glim_status reshape_const(ob_ctx *c, const onnx_node *n, ob_value *x, int nd,
                                 const int64_t *shape)
{
    ob_value v = *x;
    v.ndim = nd;
    memcpy(v.shape, shape, sizeof(int64_t) * (size_t)nd);
    v.gt = v.gt_other = -1;
    return ob_alias(c, n, 0, &v);
}

static glim_status reshape_to(ob_ctx *c, const onnx_node *n, ob_value *x, int nd,
                              const int64_t *shape)
{
    if (glim_shape_count(nd, shape) != ob_count(x))
        return ob_fail(c, n, GLIM_EINVAL, "cannot reshape %lld elements to the requested shape",
                       (long long)ob_count(x));
    if (x->cdata) return reshape_const(c, n, x, nd, shape);
    int in = ob_tensor(c, x, OL_NCHW);
    int out = ob_out(c, n, 0, x->dtype, nd, shape, OL_NCHW);
    glim_reshape_params p = {.ndim = nd};
    memcpy(p.shape, shape, sizeof(int64_t) * (size_t)nd);
    return ob_node(c, n, GLIM_OP_RESHAPE, 1, &in, 1, &out, &p, sizeof p);
}

/* The output shape of Reshape node n for an input of shape in_shape: the
 * shape input (or attribute before opset 5) with 0 (copy, unless allowzero)
 * and -1 (infer) resolved. Returns the rank, or -1 with *why set (-2 when
 * the shape is not a constant: unsupported rather than invalid). */
static int reshape_target(ob_ctx *c, const onnx_node *n, int in_nd, const int64_t *in_shape,
                          int64_t *shape, const char **why)
{
    int nd;
    int64_t in_count = glim_shape_count(in_nd, in_shape);
    if (c->m->opset < 5) {
        nd = ob_attr_ints(n, "shape", shape, GLIM_MAX_DIMS);
    } else {
        ob_value tmp;
        const ob_value *s = n->nin > 1 ? ot_peek_const(c, n->in[1], &tmp) : NULL;
        if (!s) return *why = "the shape must be a constant (or computable from shapes "
                                          "and initializers)", -2;
        nd = (int)ob_count(s);
        if (nd > GLIM_MAX_DIMS) return *why = "the shape has too many dims", -1;
        for (int i = 0; i < nd; i++) shape[i] = ob_cgeti(s, i);
    }
    if (nd < 0 || nd > GLIM_MAX_DIMS) return *why = "bad shape", -1;
    int allowzero = (int)ob_attr_int(n, "allowzero", 0), infer = -1;
    int64_t known = 1;
    for (int i = 0; i < nd; i++) {
        if (shape[i] == 0 && !allowzero) {
            if (i >= in_nd) return *why = "0 at a dim past the input's rank", -1;
            shape[i] = in_shape[i];
        }
        if (shape[i] == -1) {
            if (infer >= 0) return *why = "more than one -1", -1;
            infer = i;
        } else if (shape[i] < 0 || shape[i] > ((int64_t)1 << 40)) {
            return *why = "a dim is negative or too large", -1;
        } else {
            if (shape[i] && known > ((int64_t)1 << 40) / shape[i]) return *why = "the shape is too large", -1;
            known *= shape[i];
        }
    }
    if (infer >= 0) {
        if (known == 0 || in_count % known) return *why = "cannot infer the -1 dim", -1;
        shape[infer] = in_count / known;
    }
    return nd;
}

/* ShuffleNet's channel shuffle of an NHWC value: Reshape [N,g,C/g,H,W] ->
 * Transpose [0,2,1,3,4] -> Reshape [N,C,H,W] is, on NHWC memory, a
 * transpose of the channel axis seen as [g, C/g]: it stays NHWC with one
 * TRANSPOSE (instead of three and a transpose back). 1 when emitted. */
static int channel_shuffle(ob_ctx *c, const onnx_node *n, ob_value *x, int nd,
                           const int64_t *shape, glim_status *st)
{
    if (x->cdata || x->layout != OL_NHWC || x->ndim != 4 || nd != 5) return 0;
    int64_t N = x->shape[0], C = x->shape[1], H = x->shape[2], W = x->shape[3];
    if (shape[0] != N || shape[3] != H || shape[4] != W || shape[1] * shape[2] != C) return 0;
    int k1 = ob_single_consumer(c, n, 0);
    if (k1 < 0 || !ot_is_op(&c->m->nodes[k1], "Transpose")) return 0;
    const onnx_node *tr = &c->m->nodes[k1];
    int64_t perm[GLIM_MAX_DIMS];
    if (ob_attr_ints(tr, "perm", perm, GLIM_MAX_DIMS) != 5 || perm[0] != 0 || perm[1] != 2 ||
        perm[2] != 1 || perm[3] != 3 || perm[4] != 4)
        return 0;
    int k2 = ob_single_consumer(c, tr, 0);
    if (k2 < 0 || !ot_is_op(&c->m->nodes[k2], "Reshape")) return 0;
    const onnx_node *back = &c->m->nodes[k2];
    int64_t mid[5] = {N, shape[2], shape[1], H, W}, fin[GLIM_MAX_DIMS];
    const char *why;
    if (back->in[0] != tr->out[0] || reshape_target(c, back, 5, mid, fin, &why) != 4 ||
        fin[0] != N || fin[1] != C || fin[2] != H || fin[3] != W)
        return 0;
    c->skip[k1] = c->skip[k2] = 1;
    int64_t s5[5] = {N, H, W, shape[1], shape[2]}, t5[5] = {N, H, W, shape[2], shape[1]};
    int a = ob_temp(c, n, "groups", x->dtype, 5, s5), b = ob_temp(c, n, "shuffled", x->dtype, 5, t5);
    int out = ob_out(c, back, 0, x->dtype, 4, x->shape, OL_NHWC);
    glim_reshape_params r1 = {.ndim = 5, .shape = {N, H, W, shape[1], shape[2]}};
    glim_transpose_params tp = {.ndim = 5, .perm = {0, 1, 2, 4, 3}};
    glim_reshape_params r2 = {.ndim = 4, .shape = {N, H, W, C}};
    if (!(*st = ob_node(c, n, GLIM_OP_RESHAPE, 1, &x->gt, 1, &a, &r1, sizeof r1)) &&
        !(*st = ob_node(c, tr, GLIM_OP_TRANSPOSE, 1, &a, 1, &b, &tp, sizeof tp)))
        *st = ob_node(c, back, GLIM_OP_RESHAPE, 1, &b, 1, &out, &r2, sizeof r2);
    return 1;
}

glim_status ot_reshape(ob_ctx *c, const onnx_node *n)
{
    ob_value *x;
    glim_status st;
    if ((st = ob_need(c, n, 0, &x))) return st;
    if (c->m->opset >= 5 && !ob_in(c, n, 1)) return ob_fail(c, n, GLIM_EFORMAT, "input 1 is missing");
    int64_t shape[GLIM_MAX_DIMS];
    const char *why = NULL;
    int nd = reshape_target(c, n, x->ndim, x->shape, shape, &why);
    if (nd < 0) return ob_fail(c, n, nd == -2 ? GLIM_EUNSUPPORTED : GLIM_EINVAL, "%s", why);
    if (channel_shuffle(c, n, x, nd, shape, &st)) return st;
    return reshape_to(c, n, x, nd, shape);
}

glim_status ot_flatten(ob_ctx *c, const onnx_node *n)
{
    ob_value *x;
    glim_status st;
    if ((st = ob_need(c, n, 0, &x))) return st;
    int ax = ot_norm_axis(ob_attr_int(n, "axis", 1), x->ndim);
    if (ax < 0 || ax > x->ndim) return ob_fail(c, n, GLIM_EINVAL, "axis out of range");
    int64_t s[2] = {1, 1};
    for (int i = 0; i < x->ndim; i++) s[i < ax ? 0 : 1] *= x->shape[i];
    return reshape_to(c, n, x, 2, s);
}

/* axes from the attribute (old opsets) or input 1 */
int ot_get_axes(ob_ctx *c, const onnx_node *n, int input_opset, int64_t *axes, int max)
{
    if (c->m->opset < input_opset) return ob_attr_ints(n, "axes", axes, max);
    ob_value *a = ob_in(c, n, 1);
    if (!a) return -1;
    if (!a->cdata) {
        ot_fail_const(c, n, 1);
        return -2;
    }
    int k = (int)ob_count(a);
    if (k > max) k = max;
    for (int i = 0; i < k; i++) axes[i] = ob_cgeti(a, i);
    return k;
}

glim_status ot_squeeze(ob_ctx *c, const onnx_node *n)
{
    ob_value *x;
    glim_status st;
    if ((st = ob_need(c, n, 0, &x))) return st;
    int64_t axes[GLIM_MAX_DIMS];
    int na = ot_get_axes(c, n, 13, axes, GLIM_MAX_DIMS);
    if (na == -2) return c->err->code;
    int drop[GLIM_MAX_DIMS] = {0};
    for (int i = 0; i < na; i++) {
        int a = ot_norm_axis(axes[i], x->ndim);
        if (a < 0 || a >= x->ndim || x->shape[a] != 1)
            return ob_fail(c, n, GLIM_EINVAL, "cannot squeeze axis %lld", (long long)axes[i]);
        drop[a] = 1;
    }
    int64_t s[GLIM_MAX_DIMS];
    int nd = 0;
    for (int i = 0; i < x->ndim; i++)
        if (!(na < 0 ? x->shape[i] == 1 : drop[i])) s[nd++] = x->shape[i];
    return reshape_to(c, n, x, nd, s);
}

glim_status ot_unsqueeze(ob_ctx *c, const onnx_node *n)
{
    ob_value *x;
    glim_status st;
    if ((st = ob_need(c, n, 0, &x))) return st;
    int64_t axes[GLIM_MAX_DIMS];
    int na = ot_get_axes(c, n, 13, axes, GLIM_MAX_DIMS);
    if (na == -2) return c->err->code;
    if (na < 0) return ob_fail(c, n, GLIM_EFORMAT, "no axes");
    int nd = x->ndim + na;
    if (nd > GLIM_MAX_DIMS) return ob_fail(c, n, GLIM_EUNSUPPORTED, "rank %d", nd);
    int ins[GLIM_MAX_DIMS] = {0};
    for (int i = 0; i < na; i++) {
        int a = ot_norm_axis(axes[i], nd);
        if (a < 0 || a >= nd || ins[a]) return ob_fail(c, n, GLIM_EINVAL, "bad axis %lld", (long long)axes[i]);
        ins[a] = 1;
    }
    int64_t s[GLIM_MAX_DIMS];
    for (int i = 0, k = 0; i < nd; i++) s[i] = ins[i] ? 1 : x->shape[k++];
    return reshape_to(c, n, x, nd, s);
}

glim_status ot_transpose(ob_ctx *c, const onnx_node *n)
{
    ob_value *x;
    glim_status st;
    if ((st = ob_need(c, n, 0, &x))) return st;
    int64_t perm[GLIM_MAX_DIMS];
    int np = ob_attr_ints(n, "perm", perm, GLIM_MAX_DIMS);
    if (np < 0) {
        np = x->ndim;
        for (int i = 0; i < np; i++) perm[i] = np - 1 - i;
    }
    if (np != x->ndim) return ob_fail(c, n, GLIM_EINVAL, "perm has %d values for rank %d", np, x->ndim);
    int seen[GLIM_MAX_DIMS] = {0};
    int64_t s[GLIM_MAX_DIMS];
    for (int i = 0; i < np; i++) {
        if (perm[i] < 0 || perm[i] >= np || seen[perm[i]]++) return ob_fail(c, n, GLIM_EINVAL, "bad perm");
        s[i] = x->shape[perm[i]];
    }
    if (x->cdata) {
        int64_t cnt = ob_count(x);
        if (!FOLD_OK(cnt)) return ob_fail(c, n, GLIM_EUNSUPPORTED, "constant too large to fold");
        void *d = ot_new_const(c, x->dtype, cnt);
        if (!d) return c->err->code;
        for (int64_t i = 0; i < cnt; i++) {
            int64_t r = i, src = 0, stride[GLIM_MAX_DIMS];
            int64_t acc = 1;
            for (int k = np - 1; k >= 0; k--) stride[k] = acc, acc *= x->shape[k];
            for (int k = np - 1; k >= 0; k--) {
                int64_t co = r % s[k];
                r /= s[k];
                src += co * stride[perm[k]];
            }
            ot_cset(x->dtype, d, i, ob_cget(x, src));
        }
        return ob_out_const(c, n, 0, x->dtype, x->onnx_type, np, s, d);
    }
    glim_transpose_params p = {.ndim = np};
    int in;
    if (x->layout == OL_NHWC) { /* compose with the storage order: one transpose */
        in = x->gt;
        int ident = 1;
        for (int i = 0; i < np; i++) {
            p.perm[i] = ob_nhwc_axis((int)perm[i]);
            if (p.perm[i] != i) ident = 0;
        }
        if (ident) {
            ob_value v = *x;
            v.layout = OL_NCHW;
            memcpy(v.shape, s, sizeof(int64_t) * 4);
            v.gt_other = -1;
            return ob_alias(c, n, 0, &v);
        }
    } else {
        in = ob_tensor(c, x, OL_NCHW);
        for (int i = 0; i < np; i++) p.perm[i] = (int)perm[i];
    }
    int out = ob_out(c, n, 0, x->dtype, np, s, OL_NCHW);
    return ob_node(c, n, GLIM_OP_TRANSPOSE, 1, &in, 1, &out, &p, sizeof p);
}

glim_status ot_shape(ob_ctx *c, const onnx_node *n)
{
    ob_value *x;
    glim_status st;
    if ((st = ob_need(c, n, 0, &x))) return st;
    int64_t start = ob_attr_int(n, "start", 0), end = ob_attr_int(n, "end", x->ndim);
    if (start < 0) start += x->ndim;
    if (end < 0) end += x->ndim;
    if (start < 0) start = 0;
    if (end > x->ndim) end = x->ndim;
    int64_t len = end > start ? end - start : 0;
    int64_t *d = ot_new_const(c, GLIM_I64, len);
    if (!d) return c->err->code;
    for (int64_t i = 0; i < len; i++) d[i] = x->shape[start + i];
    return ob_out_const(c, n, 0, GLIM_I64, OX_INT64, 1, &len, d);
}

glim_status ot_size(ob_ctx *c, const onnx_node *n)
{
    ob_value *x;
    glim_status st;
    if ((st = ob_need(c, n, 0, &x))) return st;
    int64_t *d = ot_new_const(c, GLIM_I64, 1);
    if (!d) return c->err->code;
    d[0] = ob_count(x);
    return ob_out_const(c, n, 0, GLIM_I64, OX_INT64, 0, NULL, d);
}

static int graph_dtype(int t, glim_dtype *out)
{
    switch (t) {
    case OX_FLOAT: case OX_DOUBLE: case OX_FLOAT16: case OX_BFLOAT16: *out = GLIM_F32; return 1;
    case OX_INT32: *out = GLIM_I32; return 1;
    case OX_INT64: case OX_UINT32: case OX_UINT64: case OX_UINT16: *out = GLIM_I64; return 1;
    case OX_INT16: *out = GLIM_I16; return 1;
    case OX_INT8: *out = GLIM_I8; return 1;
    case OX_UINT8: *out = GLIM_U8; return 1;
    case OX_BOOL: *out = GLIM_BOOL; return 1;
    default: return 0;
    }
}

glim_status ot_cast(ob_ctx *c, const onnx_node *n)
{
    ob_value *x;
    glim_status st;
    if ((st = ob_need(c, n, 0, &x))) return st;
    int to = (int)ob_attr_int(n, "to", 0);
    glim_dtype dt;
    if (!graph_dtype(to, &dt)) return ob_fail(c, n, GLIM_EUNSUPPORTED, "cast to type %d", to);
    if (x->cdata && FOLD_OK(ob_count(x))) {
        int64_t cnt = ob_count(x);
        void *d = ot_new_const(c, dt, cnt);
        if (!d) return c->err->code;
        for (int64_t i = 0; i < cnt; i++) {
            double v = ob_cget(x, i);
            if (dt != GLIM_F32 && dt != GLIM_BOOL) v = trunc(v);
            ot_cset(dt, d, i, v);
        }
        return ob_out_const(c, n, 0, dt, to, x->ndim, x->shape, d);
    }
    if (dt == x->dtype) return ob_alias(c, n, 0, x);
    int layout = x->cdata ? OL_NCHW : x->layout;
    int in = ob_tensor(c, x, layout);
    int out = ob_out(c, n, 0, dt, x->ndim, x->shape, layout);
    glim_cast_params p = {dt};
    return ob_node(c, n, GLIM_OP_CAST, 1, &in, 1, &out, &p, sizeof p);
}

glim_status ot_identity(ob_ctx *c, const onnx_node *n)
{
    ob_value *x;
    glim_status st;
    if ((st = ob_need(c, n, 0, &x))) return st;
    if (n->nout > 1 && ob_uses(c, n, 1)) return ob_fail(c, n, GLIM_EUNSUPPORTED, "the mask output");
    return ob_alias(c, n, 0, x);
}

static glim_status const_from_tensor(ob_ctx *c, const onnx_node *n, int k, const onnx_tensor *t)
{
    glim_dtype dt;
    if (!graph_dtype(t->onnx_type, &dt)) return ob_fail(c, n, GLIM_EUNSUPPORTED, "constant type");
    return ob_out_const(c, n, k, dt, t->onnx_type, t->ndim, t->dims, t->data);
}

glim_status ot_constant(ob_ctx *c, const onnx_node *n)
{
    for (int i = 0; i < n->nattr; i++) {
        const onnx_attr *a = &n->attrs[i];
        if (strcmp(a->name, "value") == 0 && a->t) return const_from_tensor(c, n, 0, a->t);
        int64_t one = 1, cnt = a->n;
        if (strcmp(a->name, "value_float") == 0 || strcmp(a->name, "value_floats") == 0) {
            int scalar = a->type == OXA_FLOAT;
            float *d = ot_new_const(c, GLIM_F32, scalar ? 1 : cnt);
            if (!d) return c->err->code;
            if (scalar) d[0] = a->f;
            else memcpy(d, a->floats, (size_t)cnt * 4);
            return ob_out_const(c, n, 0, GLIM_F32, OX_FLOAT, scalar ? 0 : 1, scalar ? &one : &cnt, d);
        }
        if (strcmp(a->name, "value_int") == 0 || strcmp(a->name, "value_ints") == 0) {
            int scalar = a->type == OXA_INT;
            int64_t *d = ot_new_const(c, GLIM_I64, scalar ? 1 : cnt);
            if (!d) return c->err->code;
            if (scalar) d[0] = a->i;
            else memcpy(d, a->ints, (size_t)cnt * 8);
            return ob_out_const(c, n, 0, GLIM_I64, OX_INT64, scalar ? 0 : 1, scalar ? &one : &cnt, d);
        }
    }
    return ob_fail(c, n, GLIM_EUNSUPPORTED, "no supported value attribute");
}

glim_status ot_constant_of_shape(ob_ctx *c, const onnx_node *n)
{
    ob_value *s;
    glim_status st;
    if ((st = ob_need(c, n, 0, &s))) return st;
    if (!s->cdata) return ot_fail_const(c, n, 0);
    int nd = (int)ob_count(s);
    if (nd > GLIM_MAX_DIMS) return ob_fail(c, n, GLIM_EUNSUPPORTED, "rank %d", nd);
    int64_t shape[GLIM_MAX_DIMS];
    for (int i = 0; i < nd; i++) {
        shape[i] = ob_cgeti(s, i);
        if (shape[i] < 0) return ob_fail(c, n, GLIM_EINVAL, "negative dim");
    }
    int64_t cnt = glim_shape_count(nd, shape);
    if (cnt < 0 || !FOLD_OK(cnt)) return ob_fail(c, n, GLIM_ELIMIT, "output too large");
    const onnx_attr *a = onnx_attr_find(n, "value");
    glim_dtype dt = GLIM_F32;
    int ot = OX_FLOAT;
    double val = 0;
    if (a && a->t) {
        if (a->t->count != 1 || !graph_dtype(a->t->onnx_type, &dt))
            return ob_fail(c, n, GLIM_EUNSUPPORTED, "value attribute");
        ot = a->t->onnx_type;
        ob_value tmp = {.dtype = a->t->dtype, .cdata = a->t->data};
        val = ob_cget(&tmp, 0);
    }
    void *d = ot_new_const(c, dt, cnt);
    if (!d) return c->err->code;
    for (int64_t i = 0; i < cnt; i++) ot_cset(dt, d, i, val);
    return ob_out_const(c, n, 0, dt, ot, nd, shape, d);
}

glim_status ot_range(ob_ctx *c, const onnx_node *n)
{
    ob_value *a, *b, *d;
    glim_status st;
    if ((st = ob_need(c, n, 0, &a)) || (st = ob_need(c, n, 1, &b)) || (st = ob_need(c, n, 2, &d)))
        return st;
    if (!a->cdata || !b->cdata || !d->cdata) return ot_fail_const(c, n, 0);
    double s = ob_cget(a, 0), l = ob_cget(b, 0), dl = ob_cget(d, 0);
    if (dl == 0) return ob_fail(c, n, GLIM_EINVAL, "delta 0");
    double cnt = ceil((l - s) / dl);
    if (cnt < 0) cnt = 0;
    if (!FOLD_OK(cnt)) return ob_fail(c, n, GLIM_ELIMIT, "too long");
    int64_t len = (int64_t)cnt;
    void *o = ot_new_const(c, a->dtype, len);
    if (!o) return c->err->code;
    for (int64_t i = 0; i < len; i++) ot_cset(a->dtype, o, i, s + (double)i * dl);
    return ob_out_const(c, n, 0, a->dtype, a->onnx_type, 1, &len, o);
}

glim_status ot_concat(ob_ctx *c, const onnx_node *n)
{
    if (n->nin < 1 || n->nin > 1024) return ob_fail(c, n, GLIM_EFORMAT, "%d inputs", n->nin);
    ob_value *x0;
    glim_status st;
    if ((st = ob_need(c, n, 0, &x0))) return st;
    int nd = x0->ndim, ax = ot_norm_axis(ob_attr_int(n, "axis", 0), nd);
    if (ax < 0 || ax >= nd) return ob_fail(c, n, GLIM_EINVAL, "axis out of range");
    int64_t shape[GLIM_MAX_DIMS];
    memcpy(shape, x0->shape, sizeof shape);
    shape[ax] = 0;
    int allc = 1, nhwc = 0, nin = 0;
    ob_value **xs = ob_alloc(c, sizeof(ob_value *) * (size_t)n->nin);
    if (!xs) return c->err->code;
    for (int k = 0; k < n->nin; k++) {
        ob_value *x;
        if ((st = ob_need(c, n, k, &x))) return st;
        if (x->ndim != nd || x->dtype != x0->dtype) return ob_fail(c, n, GLIM_EINVAL, "inputs disagree in rank or type");
        for (int d = 0; d < nd; d++)
            if (d != ax && x->shape[d] != x0->shape[d]) return ob_fail(c, n, GLIM_EINVAL, "input %d has another shape", k);
        shape[ax] += x->shape[ax];
        if (!x->cdata) allc = 0;
        if (!x->cdata && x->layout == OL_NHWC) nhwc = 1;
        if (ob_count(x) > 0 || nd == 0) xs[nin++] = x;
    }
    int64_t cnt = glim_shape_count(nd, shape);
    if (allc && FOLD_OK(cnt)) {
        void *d = ot_new_const(c, x0->dtype, cnt);
        if (!d) return c->err->code;
        int64_t outer = 1, inner = 1, pos = 0;
        for (int i = 0; i < ax; i++) outer *= shape[i];
        for (int i = ax + 1; i < nd; i++) inner *= shape[i];
        for (int64_t o = 0; o < outer; o++)
            for (int k = 0; k < nin; k++) {
                int64_t len = xs[k]->shape[ax] * inner;
                for (int64_t j = 0; j < len; j++) ot_cset(x0->dtype, d, pos++, ob_cget(xs[k], o * len + j));
            }
        return ob_out_const(c, n, 0, x0->dtype, x0->onnx_type, nd, shape, d);
    }
    int layout = nhwc && nd == 4 ? OL_NHWC : OL_NCHW;
    int *in = ob_alloc(c, sizeof(int) * (size_t)(nin + 1));
    if (!in) return c->err->code;
    for (int k = 0; k < nin; k++)
        if ((in[k] = ob_tensor(c, xs[k], layout)) < 0) return c->err->code;
    int out = ob_out(c, n, 0, x0->dtype, nd, shape, layout);
    if (nin == 1) {
        glim_reshape_params rp = {.ndim = nd};
        glim_gtensor *t = glim_graph_tensor(c->g, out);
        if (!t) return c->err->code;
        memcpy(rp.shape, t->decl_shape, sizeof(int64_t) * (size_t)nd);
        return ob_node(c, n, GLIM_OP_RESHAPE, 1, in, 1, &out, &rp, sizeof rp);
    }
    glim_concat_params p = {.axis = layout == OL_NHWC ? ob_nhwc_axis(ax) : ax};
    return ob_node(c, n, GLIM_OP_CONCAT, nin, in, 1, &out, &p, sizeof p);
}

/* ONNX Slice rules: clamp starts/ends per axis, positive or negative steps. */
static glim_status slice_params(ob_ctx *c, const onnx_node *n, const ob_value *x, int64_t *begin,
                                int64_t *size, int64_t *step)
{
    int64_t st_[GLIM_MAX_DIMS], en[GLIM_MAX_DIMS], ax[GLIM_MAX_DIMS], sp[GLIM_MAX_DIMS];
    int k;
    for (int d = 0; d < x->ndim; d++) begin[d] = 0, size[d] = x->shape[d], step[d] = 1;
    if (c->m->opset < 10) {
        k = ob_attr_ints(n, "starts", st_, GLIM_MAX_DIMS);
        if (k < 0 || ob_attr_ints(n, "ends", en, GLIM_MAX_DIMS) != k) return ob_fail(c, n, GLIM_EFORMAT, "starts/ends");
        int na = ob_attr_ints(n, "axes", ax, GLIM_MAX_DIMS);
        if (na < 0) for (int i = 0; i < k; i++) ax[i] = i;
        else if (na != k) return ob_fail(c, n, GLIM_EFORMAT, "axes");
        for (int i = 0; i < k; i++) sp[i] = 1;
    } else {
        ob_value *vs[4] = {ob_in(c, n, 1), ob_in(c, n, 2), ob_in(c, n, 3), ob_in(c, n, 4)};
        if (!vs[0] || !vs[1]) return ob_fail(c, n, GLIM_EFORMAT, "starts/ends missing");
        for (int i = 0; i < 4; i++)
            if (vs[i] && !vs[i]->cdata) return ot_fail_const(c, n, i + 1);
        k = (int)ob_count(vs[0]);
        if (k > GLIM_MAX_DIMS || ob_count(vs[1]) != k || (vs[2] && ob_count(vs[2]) != k) ||
            (vs[3] && ob_count(vs[3]) != k))
            return ob_fail(c, n, GLIM_EFORMAT, "starts, ends, axes and steps differ in length");
        for (int i = 0; i < k; i++) {
            st_[i] = ob_cgeti(vs[0], i);
            en[i] = ob_cgeti(vs[1], i);
            ax[i] = vs[2] ? ob_cgeti(vs[2], i) : i;
            sp[i] = vs[3] ? ob_cgeti(vs[3], i) : 1;
        }
    }
    for (int i = 0; i < k; i++) {
        int a = ot_norm_axis(ax[i], x->ndim);
        if (a < 0 || a >= x->ndim) return ob_fail(c, n, GLIM_EINVAL, "axis %lld", (long long)ax[i]);
        int64_t dim = x->shape[a], s = st_[i], e = en[i], stp = sp[i];
        if (stp == 0) return ob_fail(c, n, GLIM_EINVAL, "step 0");
        /* dims are at most 2^40: larger steps act alike and cannot overflow */
        if (stp > ((int64_t)1 << 41)) stp = (int64_t)1 << 41;
        if (stp < -((int64_t)1 << 41)) stp = -((int64_t)1 << 41);
        if (s < -((int64_t)1 << 41)) s = -((int64_t)1 << 41);
        if (s > ((int64_t)1 << 41)) s = (int64_t)1 << 41;
        if (e < -((int64_t)1 << 41)) e = -((int64_t)1 << 41) - 1;
        if (e > ((int64_t)1 << 41)) e = (int64_t)1 << 41;
        if (s < 0) s += dim;
        if (e < 0) e += dim;
        if (stp > 0) {
            s = s < 0 ? 0 : s > dim ? dim : s;
            e = e < 0 ? 0 : e > dim ? dim : e;
            size[a] = e > s ? (e - s + stp - 1) / stp : 0;
        } else {
            s = s < 0 ? -1 : s > dim - 1 ? dim - 1 : s;
            e = e < -1 ? -1 : e > dim - 1 ? dim - 1 : e;
            size[a] = s > e ? (s - e + (-stp) - 1) / (-stp) : 0;
        }
        begin[a] = s;
        step[a] = stp;
    }
    return GLIM_OK;
}

glim_status ot_slice(ob_ctx *c, const onnx_node *n)
{
    ob_value *x;
    glim_status st;
    if ((st = ob_need(c, n, 0, &x))) return st;
    int64_t b[GLIM_MAX_DIMS], s[GLIM_MAX_DIMS], p[GLIM_MAX_DIMS];
    if ((st = slice_params(c, n, x, b, s, p))) return st;
    int nd = x->ndim;
    int64_t cnt = glim_shape_count(nd, s);
    if (x->cdata && FOLD_OK(cnt)) {
        void *d = ot_new_const(c, x->dtype, cnt);
        if (!d) return c->err->code;
        for (int64_t i = 0; i < cnt; i++) {
            int64_t r = i, src = 0, mul = 1;
            for (int k = nd - 1; k >= 0; k--) {
                int64_t co = r % s[k];
                r /= s[k];
                src += (b[k] + co * p[k]) * mul;
                mul *= x->shape[k];
            }
            ot_cset(x->dtype, d, i, ob_cget(x, src));
        }
        return ob_out_const(c, n, 0, x->dtype, x->onnx_type, nd, s, d);
    }
    for (int k = 0; k < nd; k++)
        if (p[k] < 0) return ob_fail(c, n, GLIM_EUNSUPPORTED, "negative steps on a runtime tensor");
    int layout = x->cdata ? OL_NCHW : x->layout;
    glim_slice_params sp = {.ndim = nd};
    for (int k = 0; k < nd; k++) {
        int pk = layout == OL_NHWC ? ob_nhwc_axis(k) : k;
        sp.begin[pk] = b[k];
        sp.size[pk] = s[k];
        sp.stride[pk] = p[k];
    }
    int in = ob_tensor(c, x, layout);
    int out = ob_out(c, n, 0, x->dtype, nd, s, layout);
    return ob_node(c, n, GLIM_OP_SLICE, 1, &in, 1, &out, &sp, sizeof sp);
}

glim_status ot_split(ob_ctx *c, const onnx_node *n)
{
    ob_value *x;
    glim_status st;
    if ((st = ob_need(c, n, 0, &x))) return st;
    int ax = ot_norm_axis(ob_attr_int(n, "axis", 0), x->ndim);
    if (ax < 0 || ax >= x->ndim) return ob_fail(c, n, GLIM_EINVAL, "axis out of range");
    int64_t sizes[64];
    int k = n->nout;
    if (k < 1 || k > 64) return ob_fail(c, n, GLIM_EUNSUPPORTED, "%d outputs", k);
    int ns = -1;
    if (c->m->opset < 13) {
        ns = ob_attr_ints(n, "split", sizes, 64);
    } else {
        ob_value *sv = ob_in(c, n, 1);
        if (sv) {
            if (!sv->cdata) return ot_fail_const(c, n, 1);
            ns = (int)ob_count(sv);
            for (int i = 0; i < ns && i < 64; i++) sizes[i] = ob_cgeti(sv, i);
        }
    }
    int64_t dim = x->shape[ax];
    if (ns < 0) {
        int64_t part = (dim + k - 1) / k;
        for (int i = 0; i < k; i++) {
            int64_t rest = dim - part * i;
            sizes[i] = rest < part ? (rest < 0 ? 0 : rest) : part;
        }
    } else if (ns != k) {
        return ob_fail(c, n, GLIM_EFORMAT, "%d split sizes for %d outputs", ns, k);
    }
    int64_t total = 0;
    for (int i = 0; i < k; i++) {
        if (sizes[i] < 0 || sizes[i] > dim) return ob_fail(c, n, GLIM_EINVAL, "split size %lld", (long long)sizes[i]);
        total += sizes[i];
    }
    if (total != dim) return ob_fail(c, n, GLIM_EINVAL, "split sizes do not add up to %lld", (long long)dim);
    int layout = x->cdata ? OL_NCHW : x->layout;
    int in = x->cdata ? -1 : ob_tensor(c, x, layout);
    int64_t off = 0;
    for (int i = 0; i < k; i++) {
        int64_t s[GLIM_MAX_DIMS];
        memcpy(s, x->shape, sizeof s);
        s[ax] = sizes[i];
        if (x->cdata) {
            int64_t cnt = glim_shape_count(x->ndim, s), outer = 1, inner = 1;
            if (!FOLD_OK(cnt)) return ob_fail(c, n, GLIM_EUNSUPPORTED, "constant too large");
            for (int d = 0; d < ax; d++) outer *= x->shape[d];
            for (int d = ax + 1; d < x->ndim; d++) inner *= x->shape[d];
            void *d = ot_new_const(c, x->dtype, cnt);
            if (!d) return c->err->code;
            int64_t pos = 0;
            for (int64_t o = 0; o < outer; o++)
                for (int64_t j = 0; j < sizes[i] * inner; j++)
                    ot_cset(x->dtype, d, pos++, ob_cget(x, (o * dim + off) * inner + j));
            if ((st = ob_out_const(c, n, i, x->dtype, x->onnx_type, x->ndim, s, d))) return st;
        } else {
            glim_slice_params sp = {.ndim = x->ndim};
            for (int d = 0; d < x->ndim; d++) {
                int pd = layout == OL_NHWC ? ob_nhwc_axis(d) : d;
                sp.begin[pd] = d == ax ? off : 0;
                sp.size[pd] = s[d];
                sp.stride[pd] = 1;
            }
            int out = ob_out(c, n, i, x->dtype, x->ndim, s, layout);
            if ((st = ob_node(c, n, GLIM_OP_SLICE, 1, &in, 1, &out, &sp, sizeof sp))) return st;
        }
        off += sizes[i];
    }
    return GLIM_OK;
}

glim_status ot_gather(ob_ctx *c, const onnx_node *n)
{
    ob_value *x, *ix;
    glim_status st;
    if ((st = ob_need(c, n, 0, &x)) || (st = ob_need(c, n, 1, &ix))) return st;
    int ax = ot_norm_axis(ob_attr_int(n, "axis", 0), x->ndim);
    if (ax < 0 || ax >= x->ndim) return ob_fail(c, n, GLIM_EINVAL, "axis out of range");
    if (x->ndim + ix->ndim - 1 > GLIM_MAX_DIMS) return ob_fail(c, n, GLIM_EUNSUPPORTED, "rank");
    int64_t s[GLIM_MAX_DIMS];
    int nd = 0;
    for (int d = 0; d < ax; d++) s[nd++] = x->shape[d];
    for (int d = 0; d < ix->ndim; d++) s[nd++] = ix->shape[d];
    for (int d = ax + 1; d < x->ndim; d++) s[nd++] = x->shape[d];
    int64_t cnt = glim_shape_count(nd, s), dim = x->shape[ax];
    if (ix->cdata) {
        for (int64_t i = 0; i < ob_count(ix); i++) {
            int64_t v = ob_cgeti(ix, i);
            if (v < -dim || v >= dim) return ob_fail(c, n, GLIM_EINVAL, "index %lld out of range", (long long)v);
        }
    }
    if (x->cdata && ix->cdata && FOLD_OK(cnt)) {
        void *d = ot_new_const(c, x->dtype, cnt);
        if (!d) return c->err->code;
        int64_t outer = 1, inner = 1, ni = ob_count(ix), pos = 0;
        for (int k = 0; k < ax; k++) outer *= x->shape[k];
        for (int k = ax + 1; k < x->ndim; k++) inner *= x->shape[k];
        for (int64_t o = 0; o < outer; o++)
            for (int64_t i = 0; i < ni; i++) {
                int64_t v = ob_cgeti(ix, i);
                if (v < 0) v += dim;
                for (int64_t j = 0; j < inner; j++) ot_cset(x->dtype, d, pos++, ob_cget(x, (o * dim + v) * inner + j));
            }
        return ob_out_const(c, n, 0, x->dtype, x->onnx_type, nd, s, d);
    }
    int in[2] = {ob_tensor(c, x, OL_NCHW), ob_tensor(c, ix, OL_NCHW)};
    int out = ob_out(c, n, 0, x->dtype, nd, s, OL_NCHW);
    glim_gather_params p = {.axis = ax};
    return ob_node(c, n, GLIM_OP_GATHER, 2, in, 1, &out, &p, sizeof p);
}

glim_status ot_where(ob_ctx *c, const onnx_node *n)
{
    ob_value *cd, *a, *b;
    glim_status st;
    if ((st = ob_need(c, n, 0, &cd)) || (st = ob_need(c, n, 1, &a)) || (st = ob_need(c, n, 2, &b)))
        return st;
    int nd, nd2;
    int64_t s1[GLIM_MAX_DIMS], s[GLIM_MAX_DIMS];
    if (!ot_bcast(cd->ndim, cd->shape, a->ndim, a->shape, &nd, s1) || !ot_bcast(nd, s1, b->ndim, b->shape, &nd2, s))
        return ob_fail(c, n, GLIM_EINVAL, "shapes do not broadcast");
    int64_t cnt = glim_shape_count(nd2, s);
    if (cd->cdata && a->cdata && b->cdata && FOLD_OK(cnt)) {
        void *d = ot_new_const(c, a->dtype, cnt);
        if (!d) return c->err->code;
        for (int64_t i = 0; i < cnt; i++)
            ot_cset(a->dtype, d, i, ob_cget(cd, ot_bidx(i, nd2, s, cd)) != 0 ? ob_cget(a, ot_bidx(i, nd2, s, a))
                                                                     : ob_cget(b, ot_bidx(i, nd2, s, b)));
        return ob_out_const(c, n, 0, a->dtype, a->onnx_type, nd2, s, d);
    }
    int in[3] = {ob_tensor(c, cd, OL_NCHW), ob_tensor(c, a, OL_NCHW), ob_tensor(c, b, OL_NCHW)};
    int out = ob_out(c, n, 0, a->dtype, nd2, s, OL_NCHW);
    return ob_node(c, n, GLIM_OP_WHERE, 3, in, 1, &out, NULL, 0);
}

glim_status ot_expand(ob_ctx *c, const onnx_node *n)
{
    ob_value *x, *sv;
    glim_status st;
    if ((st = ob_need(c, n, 0, &x)) || (st = ob_need(c, n, 1, &sv))) return st;
    if (!sv->cdata) return ot_fail_const(c, n, 1);
    int ns = (int)ob_count(sv);
    if (ns > GLIM_MAX_DIMS) return ob_fail(c, n, GLIM_EUNSUPPORTED, "rank %d", ns);
    int64_t want[GLIM_MAX_DIMS], s[GLIM_MAX_DIMS];
    for (int i = 0; i < ns; i++) want[i] = ob_cgeti(sv, i);
    int nd;
    if (!ot_bcast(x->ndim, x->shape, ns, want, &nd, s)) return ob_fail(c, n, GLIM_EINVAL, "shapes do not broadcast");
    int64_t cnt = glim_shape_count(nd, s);
    if (x->cdata && FOLD_OK(cnt)) {
        void *d = ot_new_const(c, x->dtype, cnt);
        if (!d) return c->err->code;
        for (int64_t i = 0; i < cnt; i++) ot_cset(x->dtype, d, i, ob_cget(x, ot_bidx(i, nd, s, x)));
        return ob_out_const(c, n, 0, x->dtype, x->onnx_type, nd, s, d);
    }
    int in = ob_tensor(c, x, OL_NCHW);
    int out = ob_out(c, n, 0, x->dtype, nd, s, OL_NCHW);
    glim_expand_params p = {.ndim = nd};
    memcpy(p.shape, s, sizeof(int64_t) * (size_t)nd);
    return ob_node(c, n, GLIM_OP_EXPAND, 1, &in, 1, &out, &p, sizeof p);
}

glim_status ot_tile(ob_ctx *c, const onnx_node *n)
{
    ob_value *x, *r;
    glim_status st;
    if ((st = ob_need(c, n, 0, &x)) || (st = ob_need(c, n, 1, &r))) return st;
    if (!r->cdata || ob_count(r) != x->ndim) return ot_fail_const(c, n, 1);
    int64_t s[GLIM_MAX_DIMS];
    for (int i = 0; i < x->ndim; i++) {
        int64_t k = ob_cgeti(r, i);
        if (k < 0 || k > 65536) return ob_fail(c, n, GLIM_EINVAL, "repeats %lld", (long long)k);
        s[i] = x->shape[i] * k; /* dims are at most 2^40: no overflow */
    }
    int64_t cnt = glim_shape_count(x->ndim, s);
    if (!x->cdata || !FOLD_OK(cnt)) {
        /* a tile of a runtime tensor: concatenate copies along each axis */
        ob_value cur = *x;
        int t = ob_tensor(c, x, OL_NCHW);
        int64_t cs[GLIM_MAX_DIMS];
        memcpy(cs, x->shape, sizeof cs);
        int last = -1;
        for (int i = 0; i < x->ndim; i++)
            if (s[i] != x->shape[i]) last = i;
        if (last < 0) return ob_alias(c, n, 0, x);
        for (int i = 0; i <= last; i++) {
            int64_t k = ob_cgeti(r, i);
            if (k == 1) continue;
            if (k > 1024 || k == 0) return ob_fail(c, n, GLIM_EUNSUPPORTED, "repeats %lld", (long long)k);
            cs[i] *= k;
            int out = i == last ? ob_out(c, n, 0, x->dtype, x->ndim, cs, OL_NCHW)
                                : ob_temp(c, n, "tile", x->dtype, x->ndim, cs);
            int ins[1024];
            for (int j = 0; j < k; j++) ins[j] = t;
            glim_concat_params p = {.axis = i};
            if ((st = ob_node(c, n, GLIM_OP_CONCAT, (int)k, ins, 1, &out, &p, sizeof p))) return st;
            t = out;
        }
        (void)cur;
        return GLIM_OK;
    }
    void *d = ot_new_const(c, x->dtype, cnt);
    if (!d) return c->err->code;
    for (int64_t i = 0; i < cnt; i++) {
        int64_t rr = i, src = 0, mul = 1;
        for (int k = x->ndim - 1; k >= 0; k--) {
            int64_t co = rr % s[k];
            rr /= s[k];
            src += (co % x->shape[k]) * mul;
            mul *= x->shape[k];
        }
        ot_cset(x->dtype, d, i, ob_cget(x, src));
    }
    return ob_out_const(c, n, 0, x->dtype, x->onnx_type, x->ndim, s, d);
}
