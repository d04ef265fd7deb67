/*
 * onnx_ops_conv.c — ONNX translators for convolutions (with their affine and activation
 * fusions), BatchNormalization, pooling and Resize.
 */
#include "onnx_ops.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- convolution ------------------------------------------------------- */

typedef struct conv_geo {
    int64_t k[2], s[2], d[2], pb[2], pe[2], out[2];
} conv_geo;

static glim_status conv_geometry(ob_ctx *c, const onnx_node *n, const int64_t *in,
                                 const int64_t *k, int transposed, const int64_t *out_pad,
                                 conv_geo *g)
{
    int64_t v[8];
    for (int i = 0; i < 2; i++) g->k[i] = k[i], g->s[i] = 1, g->d[i] = 1, g->pb[i] = g->pe[i] = 0;
    int cnt = ob_attr_ints(n, "strides", v, 8);
    if (cnt == 2) g->s[0] = v[0], g->s[1] = v[1];
    else if (cnt >= 0) return ob_fail(c, n, GLIM_EUNSUPPORTED, "%d strides (2-D only)", cnt);
    cnt = ob_attr_ints(n, "dilations", v, 8);
    if (cnt == 2) g->d[0] = v[0], g->d[1] = v[1];
    else if (cnt >= 0) return ob_fail(c, n, GLIM_EUNSUPPORTED, "%d dilations (2-D only)", cnt);
    cnt = ob_attr_ints(n, "kernel_shape", v, 8);
    if (cnt == 2 && (v[0] != k[0] || v[1] != k[1]))
        return ob_fail(c, n, GLIM_EFORMAT, "kernel_shape disagrees with the weights");
    for (int i = 0; i < 2; i++)
        if (g->s[i] < 1 || g->d[i] < 1 || g->k[i] < 1 || g->s[i] > 1024 || g->d[i] > 1024 ||
            g->k[i] > 65536)
            return ob_fail(c, n, GLIM_EINVAL, "bad kernel, stride or dilation");
    const char *ap = ob_attr_str(n, "auto_pad", "NOTSET");
    cnt = ob_attr_ints(n, "pads", v, 8);
    if (cnt == 4) {
        g->pb[0] = v[0], g->pb[1] = v[1], g->pe[0] = v[2], g->pe[1] = v[3];
        for (int i = 0; i < 4; i++)
            if (v[i] < 0 || v[i] > 65536) return ob_fail(c, n, GLIM_EINVAL, "pads %lld", (long long)v[i]);
    } else if (cnt >= 0) {
        return ob_fail(c, n, GLIM_EUNSUPPORTED, "%d pads (2-D only)", cnt);
    }
    int64_t ek[2] = {(g->k[0] - 1) * g->d[0] + 1, (g->k[1] - 1) * g->d[1] + 1};
    for (int i = 0; i < 2; i++) {
        if (!transposed) {
            if (strcmp(ap, "SAME_UPPER") == 0 || strcmp(ap, "SAME_LOWER") == 0) {
                int64_t o = (in[i] + g->s[i] - 1) / g->s[i];
                int64_t total = (o - 1) * g->s[i] + ek[i] - in[i];
                if (total < 0) total = 0;
                g->pb[i] = ap[5] == 'U' ? total / 2 : total - total / 2;
                g->pe[i] = total - g->pb[i];
            } else if (strcmp(ap, "VALID") == 0) {
                g->pb[i] = g->pe[i] = 0;
            }
            int64_t span = in[i] + g->pb[i] + g->pe[i] - ek[i];
            if (span < 0) return ob_fail(c, n, GLIM_EINVAL, "the kernel does not fit the input");
            g->out[i] = span / g->s[i] + 1;
        } else {
            int64_t op = out_pad ? out_pad[i] : 0;
            int64_t full = g->s[i] * (in[i] - 1) + op + ek[i];
            if (strcmp(ap, "SAME_UPPER") == 0 || strcmp(ap, "SAME_LOWER") == 0) {
                int64_t o = in[i] * g->s[i], total = full - o;
                if (total < 0) total = 0;
                g->pb[i] = ap[5] == 'U' ? total / 2 : total - total / 2;
                g->pe[i] = total - g->pb[i];
            }
            g->out[i] = full - g->pb[i] - g->pe[i];
            if (g->out[i] < 1) return ob_fail(c, n, GLIM_EINVAL, "empty output");
        }
    }
    return GLIM_OK;
}

/* Per-channel constants of a BatchNormalization node (inputs 1..4). */
static glim_status bn_affine(ob_ctx *c, const onnx_node *bn, int64_t ch, float *a, float *b)
{
    ob_value *s = ob_in(c, bn, 1), *bias = ob_in(c, bn, 2), *mean = ob_in(c, bn, 3), *var = ob_in(c, bn, 4);
    if (!s || !bias || !mean || !var) return ob_fail(c, bn, GLIM_EFORMAT, "needs 5 inputs");
    ob_value *vs[4] = {s, bias, mean, var};
    for (int k = 0; k < 4; k++)
        if (!vs[k]->cdata || ob_count(vs[k]) != ch) return ot_fail_const(c, bn, k + 1);
    float eps = ob_attr_float(bn, "epsilon", 1e-5f);
    for (int64_t i = 0; i < ch; i++) {
        double sc = ob_cget(s, i) / sqrt(ob_cget(var, i) + eps);
        a[i] = (float)sc;
        b[i] = (float)(ob_cget(bias, i) - ob_cget(mean, i) * sc);
    }
    return GLIM_OK;
}

int ot_is_op(const onnx_node *n, const char *op) { return !n->domain[0] && strcmp(n->op_type, op) == 0; }

/* Fusable activation after `n` (single consumer): returns the consumer node
 * index and sets *act, or -1. */
static int fusable_act(ob_ctx *c, const onnx_node *n, glim_activation *act)
{
    int k = ob_single_consumer(c, n, 0);
    if (k < 0) return -1;
    const onnx_node *a = &c->m->nodes[k];
    if (a->nin < 1 || a->in[0] != n->out[0]) return -1;
    if (ot_is_op(a, "Relu")) {
        *act = GLIM_ACT_RELU;
        return k;
    }
    if (ot_is_op(a, "Clip")) {
        float lo, hi;
        int saved = c->failed;
        if (ot_clip_bounds(c, a, &lo, &hi) != GLIM_OK) {
            c->failed = saved;
            return -1;
        }
        if (lo == 0 && hi == 6) *act = GLIM_ACT_RELU6;
        else if (lo == 0 && isinf(hi)) *act = GLIM_ACT_RELU;
        else return -1;
        return k;
    }
    return -1;
}

const onnx_node *ot_fuse_act(ob_ctx *c, const onnx_node *n, glim_activation *act)
{
    int k = fusable_act(c, n, act);
    if (k < 0) return n;
    c->skip[k] = 1;
    return &c->m->nodes[k];
}

/* ---- folding per-channel affine ops into a convolution ------------------------ */

typedef struct fold_chain {
    int n;
    int nodes[16];
    int operand[16]; /* the constant operand of each Mul/Add/Sub/Div (-1 for BN) */
} fold_chain;

/* A constant that acts per output channel on an NCHW conv output: one value,
 * or cout values shaped [.., cout, 1, 1] (leading dims 1). */
static const ob_value *per_channel(ob_ctx *c, int id, int64_t cout, ob_value *tmp)
{
    const ob_value *v = ot_peek_const(c, id, tmp);
    if (!v || v->dtype != GLIM_F32) return NULL;
    int64_t cnt = ob_count(v);
    if (v->ndim > 4) return NULL; /* would broadcast the output to a higher rank */
    if (cnt == 1) return v;
    if (cnt != cout || v->ndim < 3 || v->shape[v->ndim - 3] != cout || v->shape[v->ndim - 1] != 1 ||
        v->shape[v->ndim - 2] != 1 || v->ndim > 4)
        return NULL;
    return v;
}

static int bn_foldable(ob_ctx *c, const onnx_node *bn, int64_t cout)
{
    if (bn->nin < 5 || ob_uses(c, bn, 1) || ob_uses(c, bn, 2)) return 0;
    for (int k = 1; k <= 4; k++) {
        ob_value *v = ob_in(c, bn, k);
        if (!v || !v->cdata || ob_count(v) != cout) return 0;
    }
    return 1;
}

/* Absorb, after conv node n (cout output channels), a single-consumer chain
 * of Mul / Add by per-channel constants, Sub / Div of one, and at most one
 * BatchNormalization (PaddlePaddle's learnable affine blocks, Paddle's
 * separate bias Add after ConvTranspose, BN). Returns the last node. */
static const onnx_node *absorb_affine(ob_ctx *c, const onnx_node *n, int64_t cout, fold_chain *fc)
{
    const onnx_node *last = n;
    int bn_done = 0;
    fc->n = 0;
    while (fc->n < 16) {
        int k = ob_single_consumer(c, last, 0);
        if (k < 0) break;
        const onnx_node *m = &c->m->nodes[k];
        int id = last->out[0];
        ob_value tmp;
        int other = -1;
        if (ot_is_op(m, "BatchNormalization")) {
            if (bn_done || m->in[0] != id || !bn_foldable(c, m, cout)) break;
            bn_done = 1;
        } else if ((ot_is_op(m, "Mul") || ot_is_op(m, "Add")) && m->nin == 2) {
            other = m->in[0] == id ? m->in[1] : m->in[1] == id ? m->in[0] : -1;
            if (other < 0 || other == id || !per_channel(c, other, cout, &tmp)) break;
        } else if ((ot_is_op(m, "Sub") || ot_is_op(m, "Div")) && m->nin == 2) {
            other = m->in[1];
            if (m->in[0] != id || other == id || !per_channel(c, other, cout, &tmp)) break;
        } else {
            break;
        }
        c->skip[k] = 1;
        fc->operand[fc->n] = other;
        fc->nodes[fc->n++] = k;
        last = m;
    }
    return last;
}

/* y = sa * conv + sb per channel, for the absorbed chain. */
static glim_status chain_affine(ob_ctx *c, const fold_chain *fc, int64_t cout, float *sa, float *sb)
{
    for (int64_t o = 0; o < cout; o++) sa[o] = 1, sb[o] = 0;
    for (int i = 0; i < fc->n; i++) {
        const onnx_node *m = &c->m->nodes[fc->nodes[i]];
        if (ot_is_op(m, "BatchNormalization")) {
            float *a = ob_alloc(c, (size_t)cout * 4), *b = ob_alloc(c, (size_t)cout * 4);
            if (!a || !b) return c->err->code;
            glim_status st = bn_affine(c, m, cout, a, b);
            if (st) return st;
            for (int64_t o = 0; o < cout; o++) sa[o] *= a[o], sb[o] = sb[o] * a[o] + b[o];
            continue;
        }
        ob_value tmp;
        int other = fc->operand[i];
        const ob_value *k = per_channel(c, other, cout, &tmp);
        if (!k) return ob_fail(c, m, GLIM_EINVAL, "lost a folded constant");
        int scalar = ob_count(k) == 1;
        for (int64_t o = 0; o < cout; o++) {
            float v = (float)ob_cget(k, scalar ? 0 : o);
            if (ot_is_op(m, "Mul")) sa[o] *= v, sb[o] *= v;
            else if (ot_is_op(m, "Add")) sb[o] += v;
            else if (ot_is_op(m, "Sub")) sb[o] -= v;
            else sa[o] /= v, sb[o] /= v;
        }
    }
    return GLIM_OK;
}

/* The converted weights (nw floats) and bias (cout) of a convolution with
 * the absorbed chain fc, and that chain's per-channel scale sa and shift sb
 * (builder memory). On failure nothing is left allocated. */
static glim_status fold_buffers(ob_ctx *c, const onnx_node *n, const fold_chain *fc, int64_t nw,
                                int64_t cout, float **wd, float **bd, float **sa, float **sb)
{
    *wd = glim_alloc((size_t)nw * sizeof(float) + 64);
    *bd = glim_alloc((size_t)cout * sizeof(float) + 64);
    *sa = ob_alloc(c, (size_t)cout * 4);
    *sb = ob_alloc(c, (size_t)cout * 4);
    glim_status st = !*wd || !*bd || !*sa || !*sb ? ob_fail(c, n, GLIM_ENOMEM, "out of memory")
                                                  : chain_affine(c, fc, cout, *sa, *sb);
    if (st != GLIM_OK) {
        glim_free(*wd);
        glim_free(*bd);
    }
    return st;
}

glim_status ot_conv(ob_ctx *c, const onnx_node *n)
{
    ob_value *x, *w, *b = ob_in(c, n, 2);
    glim_status st;
    if ((st = ob_need(c, n, 0, &x)) || (st = ob_need(c, n, 1, &w))) return st;
    if (!w->cdata || w->dtype != GLIM_F32) return ot_fail_const(c, n, 1);
    if (x->ndim != 4 || w->ndim != 4)
        return ob_fail(c, n, GLIM_EUNSUPPORTED, "only 2-D convolutions (input rank %d)", x->ndim);
    if (x->cdata) return ob_fail(c, n, GLIM_EUNSUPPORTED, "convolution of a constant");
    int64_t cout = w->shape[0], cpg = w->shape[1], kh = w->shape[2], kw = w->shape[3];
    int64_t group = ob_attr_int(n, "group", 1), cin = x->shape[1];
    if (group < 1 || cpg * group != cin || cout % group)
        return ob_fail(c, n, GLIM_EINVAL, "weights [%lld,%lld,%lld,%lld] with group %lld do not "
                       "fit %lld input channels", (long long)cout, (long long)cpg, (long long)kh,
                       (long long)kw, (long long)group, (long long)cin);
    if (b && (!b->cdata || ob_count(b) != cout)) return ot_fail_const(c, n, 2);
    conv_geo geo;
    if ((st = conv_geometry(c, n, x->shape + 2, w->shape + 2, 0, NULL, &geo))) return st;

    /* fusion: per-channel Mul/Add/Sub/Div and BatchNormalization, then Relu / Clip */
    fold_chain fc;
    const onnx_node *last = absorb_affine(c, n, cout, &fc);
    glim_activation act = GLIM_ACT_NONE;
    last = ot_fuse_act(c, last, &act);

    int dw = cpg == 1 && group == cin && group > 1;
    ob_wcache *wc = ob_cache_get(c, 0), *bc = ob_cache_get(c, 1);
    if (!wc) {
        float *wd, *bd, *sa, *sb;
        if ((st = fold_buffers(c, n, &fc, cout * cpg * kh * kw, cout, &wd, &bd, &sa, &sb))) return st;
        const float *W = w->cdata;
        for (int64_t o = 0; o < cout; o++) {
            bd[o] = (float)((b ? ob_cget(b, o) : 0.0) * sa[o] + sb[o]);
            for (int64_t ci = 0; ci < cpg; ci++)
                for (int64_t y = 0; y < kh; y++)
                    for (int64_t xx = 0; xx < kw; xx++) {
                        float v = W[((o * cpg + ci) * kh + y) * kw + xx] * sa[o];
                        if (dw) wd[(y * kw + xx) * cout + o] = v;
                        else wd[((o * kh + y) * kw + xx) * cpg + ci] = v;
                    }
        }
        int64_t ws[4] = {dw ? 1 : cout, kh, kw, dw ? cout : cpg};
        if ((st = ob_cache_pair(c, wd, 4, ws, bd, cout, &wc, &bc))) return st;
    }
    char name[200];
    glim_conv2d_params p = {.stride_h = (int)geo.s[0], .stride_w = (int)geo.s[1],
                            .dilation_h = (int)geo.d[0], .dilation_w = (int)geo.d[1],
                            .padding = GLIM_PAD_EXPLICIT, .pad_top = (int)geo.pb[0],
                            .pad_left = (int)geo.pb[1], .pad_bottom = (int)geo.pe[0],
                            .pad_right = (int)geo.pe[1], .act = act,
                            .depth_multiplier = dw ? (int)(cout / cin) : 1};
    int64_t oshape[4] = {x->shape[0], cout, geo.out[0], geo.out[1]};
    int in = ob_tensor(c, x, OL_NHWC);
    if (in < 0) return c->err->code;
    if (dw || group == 1) {
        snprintf(name, sizeof name, "%s/w", n->name);
        int wt = ob_const_ref(c, name, GLIM_F32, 4, wc->shape, wc->data);
        snprintf(name, sizeof name, "%s/b", n->name);
        int bt = ob_const_ref(c, name, GLIM_F32, 1, bc->shape, bc->data);
        int out = ob_out(c, last, 0, GLIM_F32, 4, oshape, OL_NHWC);
        int ins[3] = {in, wt, bt};
        return ob_node(c, n, dw ? GLIM_OP_DEPTHWISE_CONV2D : GLIM_OP_CONV2D, 3, ins, 1, &out, &p,
                       sizeof p);
    }
    /* grouped: slice the input channels, one CONV2D per group, concatenate */
    if (group > 64) return ob_fail(c, n, GLIM_EUNSUPPORTED, "group %lld convolution", (long long)group);
    int parts[64];
    int64_t gout = cout / group;
    for (int64_t gi = 0; gi < group; gi++) {
        glim_slice_params sp = {.ndim = 4};
        int64_t xs[4] = {x->shape[0], x->shape[2], x->shape[3], cpg};
        for (int d = 0; d < 4; d++) sp.begin[d] = 0, sp.size[d] = xs[d], sp.stride[d] = 1;
        sp.begin[3] = gi * cpg;
        snprintf(name, sizeof name, "in%lld", (long long)gi);
        int sl = ob_temp(c, n, name, GLIM_F32, 4, xs);
        if ((st = ob_node(c, n, GLIM_OP_SLICE, 1, &in, 1, &sl, &sp, sizeof sp))) return st;
        int64_t ws[4] = {gout, kh, kw, cpg}, bs[1] = {gout};
        snprintf(name, sizeof name, "%s/w%lld", n->name, (long long)gi);
        int wt = ob_const_ref(c, name, GLIM_F32, 4, ws, (float *)wc->data + gi * gout * kh * kw * cpg);
        snprintf(name, sizeof name, "%s/b%lld", n->name, (long long)gi);
        int bt = ob_const_ref(c, name, GLIM_F32, 1, bs, (float *)bc->data + gi * gout);
        int64_t os[4] = {x->shape[0], geo.out[0], geo.out[1], gout};
        snprintf(name, sizeof name, "out%lld", (long long)gi);
        parts[gi] = ob_temp(c, n, name, GLIM_F32, 4, os);
        int ins[3] = {sl, wt, bt};
        if ((st = ob_node(c, n, GLIM_OP_CONV2D, 3, ins, 1, &parts[gi], &p, sizeof p))) return st;
    }
    int out = ob_out(c, last, 0, GLIM_F32, 4, oshape, OL_NHWC);
    glim_concat_params cp = {.axis = 3};
    return ob_node(c, n, GLIM_OP_CONCAT, (int)group, parts, 1, &out, &cp, sizeof cp);
}

glim_status ot_conv_transpose(ob_ctx *c, const onnx_node *n)
{
    ob_value *x, *w, *b = ob_in(c, n, 2);
    glim_status st;
    if ((st = ob_need(c, n, 0, &x)) || (st = ob_need(c, n, 1, &w))) return st;
    if (!w->cdata || w->dtype != GLIM_F32) return ot_fail_const(c, n, 1);
    if (x->ndim != 4 || w->ndim != 4 || x->cdata)
        return ob_fail(c, n, GLIM_EUNSUPPORTED, "only 2-D transposed convolutions of a runtime input");
    if (ob_attr_int(n, "group", 1) != 1)
        return ob_fail(c, n, GLIM_EUNSUPPORTED, "group %lld transposed convolution",
                       (long long)ob_attr_int(n, "group", 1));
    int64_t cin = w->shape[0], cout = w->shape[1], kh = w->shape[2], kw = w->shape[3];
    if (cin != x->shape[1]) return ob_fail(c, n, GLIM_EINVAL, "weights do not fit the input channels");
    if (b && (!b->cdata || ob_count(b) != cout)) return ot_fail_const(c, n, 2);
    int64_t opad[2] = {0, 0}, v[4];
    if (ob_attr_ints(n, "output_padding", v, 4) == 2) opad[0] = v[0], opad[1] = v[1];
    conv_geo geo;
    if ((st = conv_geometry(c, n, x->shape + 2, w->shape + 2, 1, opad, &geo))) return st;
    if (ob_attr_ints(n, "output_shape", v, 4) == 2) {
        for (int i = 0; i < 2; i++) {
            int64_t full = geo.s[i] * (x->shape[2 + i] - 1) + opad[i] + (geo.k[i] - 1) * geo.d[i] + 1;
            int64_t total = full - v[i];
            if (total < 0) return ob_fail(c, n, GLIM_EINVAL, "output_shape too large");
            const char *ap = ob_attr_str(n, "auto_pad", "NOTSET");
            geo.pb[i] = strcmp(ap, "SAME_UPPER") == 0 ? total / 2 : total - total / 2;
            geo.pe[i] = total - geo.pb[i];
            geo.out[i] = v[i];
        }
    }
    /* fusion: per-channel affine ops and BatchNormalization, then Relu / Clip, as for Conv */
    fold_chain fc;
    const onnx_node *last = absorb_affine(c, n, cout, &fc);
    glim_activation act = GLIM_ACT_NONE;
    last = ot_fuse_act(c, last, &act);
    ob_wcache *wc = ob_cache_get(c, 0), *bc = ob_cache_get(c, 1);
    if (!wc) {
        float *wd, *bd, *sa, *sb;
        if ((st = fold_buffers(c, n, &fc, cout * kh * kw * cin, cout, &wd, &bd, &sa, &sb))) return st;
        const float *W = w->cdata;
        for (int64_t ci = 0; ci < cin; ci++)
            for (int64_t o = 0; o < cout; o++)
                for (int64_t y = 0; y < kh; y++)
                    for (int64_t xx = 0; xx < kw; xx++)
                        wd[((o * kh + y) * kw + xx) * cin + ci] =
                            W[((ci * cout + o) * kh + y) * kw + xx] * sa[o];
        for (int64_t o = 0; o < cout; o++) bd[o] = (float)((b ? ob_cget(b, o) : 0.0) * sa[o] + sb[o]);
        int64_t ws[4] = {cout, kh, kw, cin};
        if ((st = ob_cache_pair(c, wd, 4, ws, bd, cout, &wc, &bc))) return st;
    }
    glim_conv_transpose_params p = {.stride_h = (int)geo.s[0], .stride_w = (int)geo.s[1],
                                    .dilation_h = (int)geo.d[0], .dilation_w = (int)geo.d[1],
                                    .pad_top = (int)geo.pb[0], .pad_left = (int)geo.pb[1],
                                    .pad_bottom = (int)geo.pe[0], .pad_right = (int)geo.pe[1],
                                    .out_pad_h = (int)opad[0], .out_pad_w = (int)opad[1],
                                    .act = act};
    char name[200];
    int in = ob_tensor(c, x, OL_NHWC);
    snprintf(name, sizeof name, "%s/w", n->name);
    int wt = ob_const_ref(c, name, GLIM_F32, 4, wc->shape, wc->data);
    snprintf(name, sizeof name, "%s/b", n->name);
    int bt = ob_const_ref(c, name, GLIM_F32, 1, bc->shape, bc->data);
    int64_t oshape[4] = {x->shape[0], cout, geo.out[0], geo.out[1]};
    int out = ob_out(c, last, 0, GLIM_F32, 4, oshape, OL_NHWC);
    int ins[3] = {in, wt, bt};
    return ob_node(c, n, GLIM_OP_CONV_TRANSPOSE, 3, ins, 1, &out, &p, sizeof p);
}

glim_status ot_batch_norm(ob_ctx *c, const onnx_node *n)
{
    ob_value *x;
    glim_status st;
    if ((st = ob_need(c, n, 0, &x))) return st;
    if (ob_uses(c, n, 1) || ob_uses(c, n, 2))
        return ob_fail(c, n, GLIM_EUNSUPPORTED, "training-mode outputs");
    if (x->ndim < 2 || x->cdata) return ob_fail(c, n, GLIM_EUNSUPPORTED, "input rank %d", x->ndim);
    int64_t ch = x->shape[1];
    ob_wcache *ac = ob_cache_get(c, 0), *bc = ob_cache_get(c, 1);
    if (!ac) {
        float *a = glim_alloc((size_t)ch * 4 + 64), *b = glim_alloc((size_t)ch * 4 + 64);
        if (!a || !b) {
            glim_free(a);
            glim_free(b);
            return ob_fail(c, n, GLIM_ENOMEM, "out of memory");
        }
        if ((st = bn_affine(c, n, ch, a, b))) {
            glim_free(a);
            glim_free(b);
            return st;
        }
        if ((st = ob_cache_pair(c, a, 1, &ch, b, ch, &ac, &bc))) return st;
    }
    int layout = x->ndim == 4 ? OL_NHWC : OL_NCHW;
    int64_t cs[GLIM_MAX_DIMS];
    int cnd = 1;
    cs[0] = ch;
    if (layout == OL_NCHW) { /* [C, 1, ..] to broadcast over the trailing dims */
        cnd = x->ndim - 1;
        for (int i = 1; i < cnd; i++) cs[i] = 1;
    }
    char name[200];
    int in = ob_tensor(c, x, layout);
    snprintf(name, sizeof name, "%s/scale", n->name);
    int at = ob_const_ref(c, name, GLIM_F32, cnd, cs, ac->data);
    snprintf(name, sizeof name, "%s/shift", n->name);
    int bt = ob_const_ref(c, name, GLIM_F32, cnd, cs, bc->data);
    int64_t ps[GLIM_MAX_DIMS];
    memcpy(ps, x->shape, sizeof ps);
    if (layout == OL_NHWC) ps[1] = x->shape[2], ps[2] = x->shape[3], ps[3] = x->shape[1];
    int mid = ob_temp(c, n, "scaled", GLIM_F32, x->ndim, ps);
    glim_activation act = GLIM_ACT_NONE;
    const onnx_node *last = ot_fuse_act(c, n, &act);
    glim_binary_params p = {GLIM_ACT_NONE}, q = {act};
    int i1[2] = {in, at};
    if ((st = ob_node(c, n, GLIM_OP_MUL, 2, i1, 1, &mid, &p, sizeof p))) return st;
    int out = ob_out(c, last, 0, GLIM_F32, x->ndim, x->shape, layout);
    int i2[2] = {mid, bt};
    return ob_node(c, n, GLIM_OP_ADD, 2, i2, 1, &out, &q, sizeof q);
}

/* ---- pooling -------------------------------------------------------------- */

glim_status ot_global_pool(ob_ctx *c, const onnx_node *n)
{
    ob_value *x;
    glim_status st;
    if ((st = ob_need(c, n, 0, &x))) return st;
    if (x->ndim != 4 || x->cdata) return ob_fail(c, n, GLIM_EUNSUPPORTED, "input rank %d", x->ndim);
    int in = ob_tensor(c, x, OL_NHWC);
    int64_t os[4] = {x->shape[0], x->shape[1], 1, 1};
    int out = ob_out(c, n, 0, GLIM_F32, 4, os, OL_NHWC);
    if (strcmp(n->op_type, "GlobalAveragePool") == 0) {
        glim_reduce_params p = {.naxes = 2, .axes = {1, 2}, .keep_dims = 1};
        return ob_node(c, n, GLIM_OP_MEAN, 1, &in, 1, &out, &p, sizeof p);
    }
    glim_pool2d_params p = {.filter_h = (int)x->shape[2], .filter_w = (int)x->shape[3],
                            .stride_h = 1, .stride_w = 1, .padding = GLIM_PAD_EXPLICIT};
    return ob_node(c, n, GLIM_OP_MAX_POOL2D, 1, &in, 1, &out, &p, sizeof p);
}

glim_status ot_pool(ob_ctx *c, const onnx_node *n)
{
    ob_value *x;
    glim_status st;
    if ((st = ob_need(c, n, 0, &x))) return st;
    if (x->ndim != 4 || x->cdata) return ob_fail(c, n, GLIM_EUNSUPPORTED, "only 2-D pooling");
    if (n->nout > 1 && ob_uses(c, n, 1)) return ob_fail(c, n, GLIM_EUNSUPPORTED, "the Indices output");
    int64_t k[4];
    if (ob_attr_ints(n, "kernel_shape", k, 4) != 2)
        return ob_fail(c, n, GLIM_EUNSUPPORTED, "kernel_shape must have 2 values");
    conv_geo geo;
    if ((st = conv_geometry(c, n, x->shape + 2, k, 0, NULL, &geo))) return st;
    if (geo.d[0] != 1 || geo.d[1] != 1) return ob_fail(c, n, GLIM_EUNSUPPORTED, "dilated pooling");
    int avg = strcmp(n->op_type, "AveragePool") == 0;
    if (ob_attr_int(n, "ceil_mode", 0)) {
        for (int i = 0; i < 2; i++) {
            int64_t span = x->shape[2 + i] + geo.pb[i] + geo.pe[i] - geo.k[i];
            int64_t o = (span + geo.s[i] - 1) / geo.s[i] + 1;
            if ((o - 1) * geo.s[i] >= x->shape[2 + i] + geo.pb[i]) o--; /* window must start inside */
            int64_t need = (o - 1) * geo.s[i] + geo.k[i] - (x->shape[2 + i] + geo.pb[i]);
            if (need > geo.pe[i]) geo.pe[i] = need;
            geo.out[i] = o;
        }
    }
    int in = ob_tensor(c, x, OL_NHWC);
    int have_pad = geo.pb[0] || geo.pb[1] || geo.pe[0] || geo.pe[1];
    if (avg && ob_attr_int(n, "count_include_pad", 0) && have_pad) {
        glim_pad_params pp = {.ndim = 4, .before = {0, geo.pb[0], geo.pb[1], 0},
                              .after = {0, geo.pe[0], geo.pe[1], 0}, .value = 0};
        int64_t ps[4] = {x->shape[0], x->shape[2] + geo.pb[0] + geo.pe[0],
                         x->shape[3] + geo.pb[1] + geo.pe[1], x->shape[1]};
        int t = ob_temp(c, n, "padded", GLIM_F32, 4, ps);
        if ((st = ob_node(c, n, GLIM_OP_PAD, 1, &in, 1, &t, &pp, sizeof pp))) return st;
        in = t;
        geo.pb[0] = geo.pb[1] = geo.pe[0] = geo.pe[1] = 0;
    }
    glim_pool2d_params p = {.filter_h = (int)geo.k[0], .filter_w = (int)geo.k[1],
                            .stride_h = (int)geo.s[0], .stride_w = (int)geo.s[1],
                            .padding = GLIM_PAD_EXPLICIT, .pad_top = (int)geo.pb[0],
                            .pad_left = (int)geo.pb[1], .pad_bottom = (int)geo.pe[0],
                            .pad_right = (int)geo.pe[1]};
    int64_t os[4] = {x->shape[0], x->shape[1], geo.out[0], geo.out[1]};
    int out = ob_out(c, n, 0, GLIM_F32, 4, os, OL_NHWC);
    return ob_node(c, n, avg ? GLIM_OP_AVG_POOL2D : GLIM_OP_MAX_POOL2D, 1, &in, 1, &out, &p, sizeof p);
}

/* ---- resize ----------------------------------------------------------------- */

glim_status ot_resize(ob_ctx *c, const onnx_node *n)
{
    ob_value *x;
    glim_status st;
    if ((st = ob_need(c, n, 0, &x))) return st;
    if (x->ndim != 4 || x->cdata) return ob_fail(c, n, GLIM_EUNSUPPORTED, "only 4-D inputs");
    int upsample = strcmp(n->op_type, "Upsample") == 0;
    ob_value *scales = NULL, *sizes = NULL;
    float sc[4] = {0};
    if (upsample) {
        if (c->m->opset < 9) {
            const onnx_attr *a = onnx_attr_find(n, "scales");
            if (!a || a->type != OXA_FLOATS || a->n != 4) return ob_fail(c, n, GLIM_EFORMAT, "scales");
            for (int i = 0; i < 4; i++) sc[i] = a->floats[i];
        } else {
            scales = ob_in(c, n, 1);
        }
    } else if (c->m->opset < 11) {
        scales = ob_in(c, n, 1);
    } else {
        scales = ob_in(c, n, 2);
        sizes = ob_in(c, n, 3);
    }
    if (scales && ob_count(scales) == 0) scales = NULL;
    if (sizes && ob_count(sizes) == 0) sizes = NULL;
    int64_t os[4];
    if (sizes) {
        if (!sizes->cdata) return ot_fail_const(c, n, 3);
        if (ob_count(sizes) != 4) return ob_fail(c, n, GLIM_EUNSUPPORTED, "sizes must have 4 values");
        for (int i = 0; i < 4; i++) os[i] = ob_cgeti(sizes, i);
    } else {
        if (scales) {
            if (!scales->cdata) return ot_fail_const(c, n, c->m->opset < 11 ? 1 : 2);
            if (ob_count(scales) != 4) return ob_fail(c, n, GLIM_EUNSUPPORTED, "scales must have 4 values");
            for (int i = 0; i < 4; i++) sc[i] = (float)ob_cget(scales, i);
        } else if (!upsample || c->m->opset >= 9) {
            return ob_fail(c, n, GLIM_EFORMAT, "neither scales nor sizes");
        }
        for (int i = 0; i < 4; i++) {
            if (!(sc[i] > 0) || sc[i] > 65536) return ob_fail(c, n, GLIM_EINVAL, "scale %g", (double)sc[i]);
            os[i] = (int64_t)floor((double)x->shape[i] * sc[i]);
        }
    }
    if (os[0] != x->shape[0] || os[1] != x->shape[1])
        return ob_fail(c, n, GLIM_EUNSUPPORTED, "resizing the batch or channel axis");
    for (int i = 2; i < 4; i++)
        if (os[i] < 1 || os[i] > 65536) return ob_fail(c, n, GLIM_EINVAL, "output size %lld", (long long)os[i]);
    const char *mode = ob_attr_str(n, "mode", "nearest");
    const char *ctm = ob_attr_str(n, "coordinate_transformation_mode", upsample ? "asymmetric" : "half_pixel");
    const char *nm = ob_attr_str(n, "nearest_mode", upsample ? "floor" : "round_prefer_floor");
    glim_resize_params p = {.out_h = (int)os[2], .out_w = (int)os[3]};
    if (strcmp(ctm, "align_corners") == 0) p.align_corners = 1;
    else if (strcmp(ctm, "half_pixel") == 0) p.half_pixel_centers = 1;
    else if (strcmp(ctm, "pytorch_half_pixel") == 0) p.half_pixel_centers = 1, p.pytorch_half_pixel = 1;
    else if (strcmp(ctm, "asymmetric") != 0)
        return ob_fail(c, n, GLIM_EUNSUPPORTED, "coordinate_transformation_mode '%s'", ctm);
    if (strcmp(nm, "floor") == 0) p.nearest_mode = 1;
    else if (strcmp(nm, "ceil") == 0) p.nearest_mode = 2;
    else if (strcmp(nm, "round_prefer_floor") == 0) p.nearest_mode = 3;
    else if (strcmp(nm, "round_prefer_ceil") == 0) p.nearest_mode = 4;
    else return ob_fail(c, n, GLIM_EUNSUPPORTED, "nearest_mode '%s'", nm);
    if (!sizes && sc[2] > 0) p.scale_h = sc[2], p.scale_w = sc[3];
    glim_op_id op;
    if (strcmp(mode, "nearest") == 0) op = GLIM_OP_RESIZE_NEAREST;
    else if (strcmp(mode, "linear") == 0 || strcmp(mode, "bilinear") == 0) op = GLIM_OP_RESIZE_BILINEAR;
    else return ob_fail(c, n, GLIM_EUNSUPPORTED, "mode '%s'", mode);
    int in = ob_tensor(c, x, OL_NHWC);
    int out = ob_out(c, n, 0, GLIM_F32, 4, os, OL_NHWC);
    return ob_node(c, n, op, 1, &in, 1, &out, &p, sizeof p);
}
