/*
 * onnx_ops_math.c — ONNX translators for reductions, softmax, normalisation, matrix
 * products, Pad and ArgMax.
 */
#include "onnx_ops.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- reductions, softmax ----------------------------------------------------- */

glim_status ot_reduce(ob_ctx *c, const onnx_node *n)
{
    ob_value *x;
    glim_status st;
    if ((st = ob_need(c, n, 0, &x))) return st;
    glim_op_id op = strcmp(n->op_type, "ReduceMean") == 0 ? GLIM_OP_MEAN
                    : strcmp(n->op_type, "ReduceSum") == 0 ? GLIM_OP_REDUCE_SUM : GLIM_OP_REDUCE_MAX;
    int input_opset = op == GLIM_OP_REDUCE_SUM ? 13 : 18;
    int64_t axes[GLIM_MAX_DIMS];
    int na = ot_get_axes(c, n, input_opset, axes, GLIM_MAX_DIMS);
    if (na == -2) return c->err->code;
    int keep = (int)ob_attr_int(n, "keepdims", 1);
    int red[GLIM_MAX_DIMS] = {0};
    if (na <= 0) {
        if (na == 0 && ob_attr_int(n, "noop_with_empty_axes", 0)) return ob_alias(c, n, 0, x);
        for (int i = 0; i < x->ndim; i++) red[i] = 1;
    }
    for (int i = 0; i < na; i++) {
        int a = ot_norm_axis(axes[i], x->ndim);
        if (a < 0 || a >= x->ndim) return ob_fail(c, n, GLIM_EINVAL, "axis %lld", (long long)axes[i]);
        red[a] = 1;
    }
    int64_t s[GLIM_MAX_DIMS];
    int nd = 0;
    for (int i = 0; i < x->ndim; i++) {
        if (!red[i]) s[nd++] = x->shape[i];
        else if (keep) s[nd++] = 1;
    }
    if (x->cdata) return ob_fail(c, n, GLIM_EUNSUPPORTED, "reduction of a constant");
    int layout = keep && x->layout == OL_NHWC ? OL_NHWC : OL_NCHW;
    glim_reduce_params p = {.keep_dims = keep};
    for (int i = 0; i < x->ndim; i++)
        if (red[i]) p.axes[p.naxes++] = layout == OL_NHWC ? ob_nhwc_axis(i) : i;
    int in = ob_tensor(c, x, layout);
    int out = ob_out(c, n, 0, x->dtype, nd, s, layout);
    return ob_node(c, n, op, 1, &in, 1, &out, &p, sizeof p);
}

/* y = softmax(x) along physical axis ax of graph tensor `in` (shape nd/ps),
 * or log-softmax as x - m - log(sum(exp(x - m))), m the max: exact where
 * log(softmax) would underflow to -inf. */
static glim_status softmax_into(ob_ctx *c, const onnx_node *n, int in, int nd, const int64_t *ps,
                                int ax, int out, int logsm)
{
    glim_status st;
    if (!logsm) {
        glim_softmax_params p = {1.0f, ax};
        return ob_node(c, n, GLIM_OP_SOFTMAX, 1, &in, 1, &out, &p, sizeof p);
    }
    int64_t rs[GLIM_MAX_DIMS];
    memcpy(rs, ps, sizeof(int64_t) * (size_t)nd);
    rs[ax] = 1;
    glim_reduce_params rp = {.naxes = 1, .axes = {ax}, .keep_dims = 1};
    glim_binary_params bp = {GLIM_ACT_NONE};
    int m = ob_temp(c, n, "max", GLIM_F32, nd, rs), d = ob_temp(c, n, "shifted", GLIM_F32, nd, ps);
    int e = ob_temp(c, n, "exp", GLIM_F32, nd, ps), sm = ob_temp(c, n, "sum", GLIM_F32, nd, rs);
    int l = ob_temp(c, n, "logsum", GLIM_F32, nd, rs);
    int i1[2] = {in, m}, i2[2] = {d, l};
    if ((st = ob_node(c, n, GLIM_OP_REDUCE_MAX, 1, &in, 1, &m, &rp, sizeof rp)) ||
        (st = ob_node(c, n, GLIM_OP_SUB, 2, i1, 1, &d, &bp, sizeof bp)) ||
        (st = ob_node(c, n, GLIM_OP_EXP, 1, &d, 1, &e, NULL, 0)) ||
        (st = ob_node(c, n, GLIM_OP_REDUCE_SUM, 1, &e, 1, &sm, &rp, sizeof rp)) ||
        (st = ob_node(c, n, GLIM_OP_LOG, 1, &sm, 1, &l, NULL, 0)))
        return st;
    return ob_node(c, n, GLIM_OP_SUB, 2, i2, 1, &out, &bp, sizeof bp);
}

static glim_status softmax_any(ob_ctx *c, const onnx_node *n, int logsm)
{
    ob_value *x;
    glim_status st;
    if ((st = ob_need(c, n, 0, &x))) return st;
    int old = c->m->opset < 13;
    int ax = ot_norm_axis(ob_attr_int(n, "axis", old ? 1 : -1), x->ndim);
    if (ax < 0 || ax >= x->ndim) return ob_fail(c, n, GLIM_EINVAL, "axis out of range");
    if (x->cdata) return ob_fail(c, n, GLIM_EUNSUPPORTED, "softmax of a constant");
    if (old && ax != x->ndim - 1) {
        /* opset < 13: softmax over the flattened dims [axis, rank) */
        int64_t inner = 1, outer = 1;
        for (int i = 0; i < x->ndim; i++) {
            if (i < ax) outer *= x->shape[i];
            else inner *= x->shape[i];
        }
        int in = ob_tensor(c, x, OL_NCHW);
        int64_t s2[2] = {outer, inner};
        glim_reshape_params rp = {.ndim = 2, .shape = {outer, inner}};
        int a = ob_temp(c, n, "flat", GLIM_F32, 2, s2), b = ob_temp(c, n, "softmax", GLIM_F32, 2, s2);
        if ((st = ob_node(c, n, GLIM_OP_RESHAPE, 1, &in, 1, &a, &rp, sizeof rp)) ||
            (st = softmax_into(c, n, a, 2, s2, 1, b, logsm)))
            return st;
        int out = ob_out(c, n, 0, GLIM_F32, x->ndim, x->shape, OL_NCHW);
        glim_reshape_params rq = {.ndim = x->ndim};
        memcpy(rq.shape, x->shape, sizeof(int64_t) * (size_t)x->ndim);
        return ob_node(c, n, GLIM_OP_RESHAPE, 1, &b, 1, &out, &rq, sizeof rq);
    }
    int layout = x->layout;
    int in = ob_tensor(c, x, layout);
    int out = ob_out(c, n, 0, GLIM_F32, x->ndim, x->shape, layout);
    if (in < 0 || out < 0) return c->err->code;
    int64_t ps[GLIM_MAX_DIMS]; /* copied: adding tensors may move the table */
    memcpy(ps, glim_graph_tensor(c->g, out)->decl_shape, sizeof ps);
    return softmax_into(c, n, in, x->ndim, ps, layout == OL_NHWC ? ob_nhwc_axis(ax) : ax, out, logsm);
}

glim_status ot_softmax(ob_ctx *c, const onnx_node *n) { return softmax_any(c, n, 0); }
glim_status ot_log_softmax(ob_ctx *c, const onnx_node *n) { return softmax_any(c, n, 1); }

glim_status ot_argmax(ob_ctx *c, const onnx_node *n)
{
    ob_value *x;
    glim_status st;
    if ((st = ob_need(c, n, 0, &x))) return st;
    if (x->cdata) return ob_fail(c, n, GLIM_EUNSUPPORTED, "argmax of a constant");
    if (ob_attr_int(n, "select_last_index", 0)) return ob_fail(c, n, GLIM_EUNSUPPORTED, "select_last_index");
    int ax = ot_norm_axis(ob_attr_int(n, "axis", 0), x->ndim), keep = (int)ob_attr_int(n, "keepdims", 1);
    if (ax < 0 || ax >= x->ndim) return ob_fail(c, n, GLIM_EINVAL, "axis out of range");
    int64_t s[GLIM_MAX_DIMS], k[GLIM_MAX_DIMS];
    int nd = 0;
    for (int i = 0; i < x->ndim; i++) {
        if (i != ax) s[nd++] = x->shape[i];
        k[i] = i == ax ? 1 : x->shape[i];
    }
    int layout = x->layout;
    glim_arg_max_params p = {.axis = layout == OL_NHWC ? ob_nhwc_axis(ax) : ax, .output_dtype = GLIM_I64};
    int in = ob_tensor(c, x, layout);
    if (!keep) {
        if (layout == OL_NHWC) { /* the reduced NHWC shape is the NCHW one without the axis only for ax 1 */
            if (ax != 1) {
                layout = OL_NCHW;
                in = ob_tensor(c, x, OL_NCHW);
                p.axis = ax;
            }
        }
        int out = ob_out(c, n, 0, GLIM_I64, nd, s, OL_NCHW);
        return ob_node(c, n, GLIM_OP_ARG_MAX, 1, &in, 1, &out, &p, sizeof p);
    }
    int64_t ps[GLIM_MAX_DIMS];
    int pn = 0;
    for (int i = 0; i < x->ndim; i++) {
        int li = layout == OL_NHWC ? (int[]){0, 2, 3, 1}[i] : i;
        if (li != ax) ps[pn++] = x->shape[li];
    }
    int t = ob_temp(c, n, "argmax", GLIM_I64, pn, ps);
    if ((st = ob_node(c, n, GLIM_OP_ARG_MAX, 1, &in, 1, &t, &p, sizeof p))) return st;
    int out = ob_out(c, n, 0, GLIM_I64, x->ndim, k, layout);
    glim_reshape_params rp = {.ndim = x->ndim};
    glim_gtensor *gt = glim_graph_tensor(c->g, out);
    if (!gt) return c->err->code;
    memcpy(rp.shape, gt->decl_shape, sizeof(int64_t) * (size_t)x->ndim);
    return ob_node(c, n, GLIM_OP_RESHAPE, 1, &t, 1, &out, &rp, sizeof rp);
}

glim_status ot_pad(ob_ctx *c, const onnx_node *n)
{
    ob_value *x;
    glim_status st;
    if ((st = ob_need(c, n, 0, &x))) return st;
    const char *mode = ob_attr_str(n, "mode", "constant");
    if (strcmp(mode, "constant") != 0) return ob_fail(c, n, GLIM_EUNSUPPORTED, "mode '%s'", mode);
    int64_t pads[2 * GLIM_MAX_DIMS];
    int np;
    float value = 0;
    if (c->m->opset < 11) {
        np = ob_attr_ints(n, "pads", pads, 2 * GLIM_MAX_DIMS);
        value = ob_attr_float(n, "value", 0);
    } else {
        ob_value *pv = ob_in(c, n, 1), *cv = ob_in(c, n, 2);
        if (!pv || !pv->cdata) return ot_fail_const(c, n, 1);
        if (ob_in(c, n, 3)) return ob_fail(c, n, GLIM_EUNSUPPORTED, "the axes input");
        np = (int)ob_count(pv);
        for (int i = 0; i < np && i < 2 * GLIM_MAX_DIMS; i++) pads[i] = ob_cgeti(pv, i);
        if (cv) {
            if (!cv->cdata) return ot_fail_const(c, n, 2);
            if (ob_count(cv)) value = (float)ob_cget(cv, 0);
        }
    }
    if (np != 2 * x->ndim) return ob_fail(c, n, GLIM_EFORMAT, "%d pads for rank %d", np, x->ndim);
    int64_t s[GLIM_MAX_DIMS];
    for (int i = 0; i < x->ndim; i++) {
        if (pads[i] < 0 || pads[i + x->ndim] < 0) return ob_fail(c, n, GLIM_EUNSUPPORTED, "negative pads");
        if (pads[i] > 65536 || pads[i + x->ndim] > 65536) return ob_fail(c, n, GLIM_ELIMIT, "pads too large");
        s[i] = x->shape[i] + pads[i] + pads[i + x->ndim];
    }
    int layout = x->cdata ? OL_NCHW : x->layout;
    glim_pad_params p = {.ndim = x->ndim, .value = value};
    for (int i = 0; i < x->ndim; i++) {
        int pi = layout == OL_NHWC ? ob_nhwc_axis(i) : i;
        p.before[pi] = pads[i];
        p.after[pi] = pads[i + x->ndim];
    }
    int in = ob_tensor(c, x, layout);
    int out = ob_out(c, n, 0, x->dtype, x->ndim, s, layout);
    return ob_node(c, n, GLIM_OP_PAD, 1, &in, 1, &out, &p, sizeof p);
}

/* ---- matrix products ---------------------------------------------------------- */

/* y = x · W (+ bias) with W a constant [K, N] (transposed: [N, K]), as a
 * MATMUL on the weights stored [N, K] (transpose_b). */
static glim_status fully_connected(ob_ctx *c, const onnx_node *n, ob_value *x, ob_value *w,
                                   int wt, ob_value *bias)
{
    int64_t K = wt ? w->shape[1] : w->shape[0], N = wt ? w->shape[0] : w->shape[1];
    if (x->ndim < 1 || x->shape[x->ndim - 1] != K)
        return ob_fail(c, n, GLIM_EINVAL, "inner dimensions differ");
    ob_wcache *wc = ob_cache_get(c, 0), *bc = ob_cache_get(c, 1);
    if (!wc) {
        float *wd = glim_alloc((size_t)(N * K) * 4 + 64), *bd = glim_alloc((size_t)N * 4 + 64);
        if (!wd || !bd) {
            glim_free(wd);
            glim_free(bd);
            return ob_fail(c, n, GLIM_ENOMEM, "out of memory");
        }
        const float *W = w->cdata;
        for (int64_t i = 0; i < N; i++)
            for (int64_t k = 0; k < K; k++) wd[i * K + k] = wt ? W[i * K + k] : W[k * N + i];
        for (int64_t i = 0; i < N; i++) bd[i] = bias ? (float)ob_cget(bias, ob_count(bias) == 1 ? 0 : i) : 0;
        int64_t ws[2] = {N, K};
        glim_status st = ob_cache_pair(c, wd, 2, ws, bd, N, &wc, &bc);
        if (st != GLIM_OK) return st;
    }
    char name[200];
    int in = ob_tensor(c, x, OL_NCHW);
    snprintf(name, sizeof name, "%s/w", n->name);
    int wti = ob_const_ref(c, name, GLIM_F32, 2, wc->shape, wc->data);
    snprintf(name, sizeof name, "%s/b", n->name);
    int bti = ob_const_ref(c, name, GLIM_F32, 1, bc->shape, bc->data);
    int64_t s[GLIM_MAX_DIMS];
    memcpy(s, x->shape, sizeof s);
    s[x->ndim - 1] = N;
    int out = ob_out(c, n, 0, GLIM_F32, x->ndim, s, OL_NCHW);
    /* MATMUL packs the constant [N, K] weights once at prepare and splits
     * rows or column panels across threads: 1.3-1.8x faster than
     * FULLY_CONNECTED's one sgemm on the recogniser's shapes. */
    glim_matmul_params p = {GLIM_ACT_NONE, 1};
    int ins[3] = {in, wti, bti};
    return ob_node(c, n, GLIM_OP_MATMUL, 3, ins, 1, &out, &p, sizeof p);
}

glim_status ot_matmul(ob_ctx *c, const onnx_node *n)
{
    ob_value *a, *b;
    glim_status st;
    if ((st = ob_need(c, n, 0, &a)) || (st = ob_need(c, n, 1, &b))) return st;
    if (a->ndim < 1 || b->ndim < 1) return ob_fail(c, n, GLIM_EINVAL, "scalar operand");
    if (b->cdata && b->ndim == 2 && b->dtype == GLIM_F32 && !a->cdata && a->ndim >= 2)
        return fully_connected(c, n, a, b, 0, NULL);
    /* numpy matmul shapes */
    int64_t as[GLIM_MAX_DIMS], bs[GLIM_MAX_DIMS];
    int an = a->ndim, bn = b->ndim;
    memcpy(as, a->shape, sizeof as);
    memcpy(bs, b->shape, sizeof bs);
    if (an == 1) as[1] = as[0], as[0] = 1, an = 2;
    if (bn == 1) bs[1] = 1, bn = 2;
    if (as[an - 1] != bs[bn - 2]) return ob_fail(c, n, GLIM_EINVAL, "inner dimensions differ");
    int nd;
    int64_t s[GLIM_MAX_DIMS];
    if (!ot_bcast(an - 2, as, bn - 2, bs, &nd, s)) return ob_fail(c, n, GLIM_EINVAL, "batch dims do not broadcast");
    if (a->ndim > 1) s[nd++] = as[an - 2];
    if (b->ndim > 1) s[nd++] = bs[bn - 1];
    if (a->cdata && b->cdata) return ob_fail(c, n, GLIM_EUNSUPPORTED, "product of constants");
    int in[2] = {ob_tensor(c, a, OL_NCHW), ob_tensor(c, b, OL_NCHW)};
    int out = ob_out(c, n, 0, GLIM_F32, nd, s, OL_NCHW);
    glim_matmul_params p = {GLIM_ACT_NONE, 0};
    return ob_node(c, n, GLIM_OP_MATMUL, 2, in, 1, &out, &p, sizeof p);
}

glim_status ot_gemm(ob_ctx *c, const onnx_node *n)
{
    ob_value *a, *b, *cc = ob_in(c, n, 2);
    glim_status st;
    if ((st = ob_need(c, n, 0, &a)) || (st = ob_need(c, n, 1, &b))) return st;
    float alpha = ob_attr_float(n, "alpha", 1), beta = ob_attr_float(n, "beta", 1);
    int ta = (int)ob_attr_int(n, "transA", 0), tb = (int)ob_attr_int(n, "transB", 0);
    if (a->ndim != 2 || b->ndim != 2) return ob_fail(c, n, GLIM_EINVAL, "operands must be 2-D");
    int64_t N = tb ? b->shape[0] : b->shape[1];
    if (b->cdata && !ta && alpha == 1 && (beta == 1 || !cc) &&
        (!cc || (cc->cdata && (ob_count(cc) == N || ob_count(cc) == 1) &&
                 (cc->ndim < 2 || cc->shape[0] == 1))))
        return fully_connected(c, n, a, b, tb, cc);
    /* general: (transA ? Aᵀ : A) · (transB ? Bᵀ : B) (MATMUL), times alpha, plus beta · C */
    if (a->cdata && b->cdata) return ob_fail(c, n, GLIM_EUNSUPPORTED, "product of constants");
    int64_t M = ta ? a->shape[1] : a->shape[0], K = ta ? a->shape[0] : a->shape[1];
    if ((tb ? b->shape[1] : b->shape[0]) != K) return ob_fail(c, n, GLIM_EINVAL, "inner dimensions differ");
    int64_t ys[2] = {M, N};
    int nd;
    int64_t bs_[GLIM_MAX_DIMS];
    if (cc && (!ot_bcast(2, ys, cc->ndim, cc->shape, &nd, bs_) || nd != 2 || bs_[0] != M || bs_[1] != N))
        return ob_fail(c, n, GLIM_EINVAL, "C does not broadcast to [%lld,%lld]", (long long)M, (long long)N);
    int ai = ob_tensor(c, a, OL_NCHW), bi = ob_tensor(c, b, OL_NCHW);
    if (ai < 0 || bi < 0) return c->err->code;
    if (ta) {
        int64_t s2[2] = {M, K};
        int t = ob_temp(c, n, "a_t", GLIM_F32, 2, s2);
        glim_transpose_params tp = {.ndim = 2, .perm = {1, 0}};
        if ((st = ob_node(c, n, GLIM_OP_TRANSPOSE, 1, &ai, 1, &t, &tp, sizeof tp))) return st;
        ai = t;
    }
    int steps = (alpha != 1) + (cc != NULL && beta != 0);
    int cur = steps ? ob_temp(c, n, "ab", GLIM_F32, 2, ys) : ob_out(c, n, 0, GLIM_F32, 2, ys, OL_NCHW);
    glim_matmul_params mp = {GLIM_ACT_NONE, tb};
    int mi[2] = {ai, bi};
    if ((st = ob_node(c, n, GLIM_OP_MATMUL, 2, mi, 1, &cur, &mp, sizeof mp))) return st;
    glim_binary_params bp = {GLIM_ACT_NONE};
    char name[200];
    if (alpha != 1) {
        int64_t one = 1;
        snprintf(name, sizeof name, "%s/alpha", n->name);
        int at = ob_const(c, name, GLIM_F32, 1, &one, &alpha);
        int t = --steps ? ob_temp(c, n, "alpha_ab", GLIM_F32, 2, ys) : ob_out(c, n, 0, GLIM_F32, 2, ys, OL_NCHW);
        int in[2] = {cur, at};
        if ((st = ob_node(c, n, GLIM_OP_MUL, 2, in, 1, &t, &bp, sizeof bp))) return st;
        cur = t;
    }
    if (cc && beta != 0) {
        int ct;
        if (cc->cdata) {
            int64_t cnt = ob_count(cc);
            float *d = ob_alloc(c, (size_t)cnt * 4 + 4);
            if (!d) return c->err->code;
            for (int64_t i = 0; i < cnt; i++) d[i] = (float)(beta * ob_cget(cc, i));
            snprintf(name, sizeof name, "%s/beta_c", n->name);
            ct = ob_const(c, name, GLIM_F32, cc->ndim, cc->shape, d);
        } else {
            ct = ob_tensor(c, cc, OL_NCHW);
            if (ct >= 0 && beta != 1) {
                int64_t one = 1;
                snprintf(name, sizeof name, "%s/beta", n->name);
                int bt = ob_const(c, name, GLIM_F32, 1, &one, &beta);
                int t = ob_temp(c, n, "beta_c", GLIM_F32, cc->ndim, cc->shape);
                int in[2] = {ct, bt};
                if ((st = ob_node(c, n, GLIM_OP_MUL, 2, in, 1, &t, &bp, sizeof bp))) return st;
                ct = t;
            }
        }
        if (ct < 0) return c->err->code;
        int out = ob_out(c, n, 0, GLIM_F32, 2, ys, OL_NCHW);
        int in[2] = {cur, ct};
        return ob_node(c, n, GLIM_OP_ADD, 2, in, 1, &out, &bp, sizeof bp);
    }
    return GLIM_OK;
}

glim_status ot_layer_norm(ob_ctx *c, const onnx_node *n)
{
    ob_value *x, *s, *b = ob_in(c, n, 2);
    glim_status st;
    if ((st = ob_need(c, n, 0, &x)) || (st = ob_need(c, n, 1, &s))) return st;
    if (ob_uses(c, n, 1) || ob_uses(c, n, 2)) return ob_fail(c, n, GLIM_EUNSUPPORTED, "mean/inv_std outputs");
    glim_layer_norm_params p = {(int)ob_attr_int(n, "axis", -1), ob_attr_float(n, "epsilon", 1e-5f)};
    int in[3] = {ob_tensor(c, x, OL_NCHW), ob_tensor(c, s, OL_NCHW), b ? ob_tensor(c, b, OL_NCHW) : -1};
    int out = ob_out(c, n, 0, GLIM_F32, x->ndim, x->shape, OL_NCHW);
    return ob_node(c, n, GLIM_OP_LAYER_NORM, b ? 3 : 2, in, 1, &out, &p, sizeof p);
}
