/*
 * onnx_rnn.c — ONNX LSTM and GRU onto the engine's one-direction LSTM
 * (TFLite's 24-slot layout, ops/lstm.c) and GRU (ops/gru.c) ops.
 *
 * ONNX (layout 0): X [T,B,I]; W [D,4H,I] and R [D,4H,H] with gate blocks
 * i, o, f, c; B [D,8H] (input biases, then recurrent biases); initial_h,
 * initial_c [D,B,H]; P [D,3H] peepholes i, o, f. GRU: W [D,3H,I], R
 * [D,3H,H] with blocks z, r, h (the engine's order), B [D,6H].
 * Outputs Y [T,D,B,H], Y_h and Y_c [D,B,H]. A bidirectional layer is two
 * engine nodes (the second with reverse = 1) whose outputs are reshaped and
 * concatenated. Weights are split per gate once and cached by the model.
 */
#include "onnx_internal.h"

#include <stdio.h>
#include <string.h>

/* The activations attribute, when present, must list the defaults (LSTM:
 * Sigmoid, Tanh, Tanh; GRU: Sigmoid, Tanh; once per direction). */
static int is_default_acts(const onnx_node *n, int lstm, int D)
{
    const onnx_attr *a = onnx_attr_find(n, "activations");
    if (!a) return 1;
    static const char *const lstm_acts[3] = {"Sigmoid", "Tanh", "Tanh"};
    static const char *const gru_acts[2] = {"Sigmoid", "Tanh"};
    int per = lstm ? 3 : 2;
    if (a->nstrings != per * D) return 0;
    for (int i = 0; i < a->nstrings; i++)
        if (strcmp(a->strings[i], lstm ? lstm_acts[i % per] : gru_acts[i % per]) != 0) return 0;
    return 1;
}

/* Slice direction d of a [D, B, H] state (constant or runtime) as [B, H]. */
static int state_of(ob_ctx *c, const onnx_node *n, ob_value *s, int d, int D, int64_t B,
                    int64_t H, const char *what)
{
    if (!s) return -1;
    if (s->ndim != 3 || s->shape[0] != D || s->shape[1] != B || s->shape[2] != H) {
        ob_fail(c, n, GLIM_EINVAL, "%s must be [%d,%lld,%lld]", what, D, (long long)B, (long long)H);
        return -2;
    }
    char name[64];
    int64_t bs[2] = {B, H};
    if (s->cdata) {
        snprintf(name, sizeof name, "%s/%s%d", n->name, what, d);
        float *tmp = ob_alloc(c, (size_t)(B * H) * 4);
        if (!tmp) return -2;
        for (int64_t i = 0; i < B * H; i++) tmp[i] = (float)ob_cget(s, d * B * H + i);
        int t = ob_const(c, name, GLIM_F32, 2, bs, tmp);
        return t < 0 ? -2 : t;
    }
    int in = ob_tensor(c, s, OL_NCHW);
    if (in < 0) return -2;
    glim_slice_params sp = {.ndim = 3, .begin = {d, 0, 0}, .size = {1, B, H}, .stride = {1, 1, 1}};
    int64_t s3[3] = {1, B, H};
    snprintf(name, sizeof name, "%s%d_slice", what, d);
    int t = ob_temp(c, n, name, GLIM_F32, 3, s3);
    if (ob_node(c, n, GLIM_OP_SLICE, 1, &in, 1, &t, &sp, sizeof sp)) return -2;
    snprintf(name, sizeof name, "%s%d", what, d);
    int r = ob_temp(c, n, name, GLIM_F32, 2, bs);
    glim_reshape_params rp = {.ndim = 2, .shape = {B, H}};
    if (ob_node(c, n, GLIM_OP_RESHAPE, 1, &t, 1, &r, &rp, sizeof rp)) return -2;
    return r;
}

/* Join per-direction results: parts[d] has shape `ps` (3-D or 2-D); the
 * output k gets `os` by inserting the direction axis at `axis`. */
static glim_status join(ob_ctx *c, const onnx_node *n, int k, const int *parts, int D, int pnd,
                        const int64_t *ps, int axis, const char *what)
{
    int64_t os[GLIM_MAX_DIMS], one[GLIM_MAX_DIMS];
    int ond = pnd + 1;
    for (int i = 0, j = 0; i < ond; i++) {
        os[i] = i == axis ? D : ps[j];
        one[i] = i == axis ? 1 : ps[j];
        if (i != axis) j++;
    }
    int out = ob_out(c, n, k, GLIM_F32, ond, os, OL_NCHW);
    if (out < 0) return c->err->code;
    glim_reshape_params rp = {.ndim = ond};
    memcpy(rp.shape, one, sizeof(int64_t) * (size_t)ond);
    if (D == 1) return ob_node(c, n, GLIM_OP_RESHAPE, 1, parts, 1, &out, &rp, sizeof rp);
    int r[2];
    char name[64];
    for (int d = 0; d < 2; d++) {
        snprintf(name, sizeof name, "%s%d", what, d);
        r[d] = ob_temp(c, n, name, GLIM_F32, ond, one);
        glim_status st = ob_node(c, n, GLIM_OP_RESHAPE, 1, &parts[d], 1, &r[d], &rp, sizeof rp);
        if (st) return st;
    }
    glim_concat_params cp = {.axis = axis};
    return ob_node(c, n, GLIM_OP_CONCAT, 2, r, 1, &out, &cp, sizeof cp);
}

typedef struct rnn_in {
    ob_value *x, *w, *r, *b, *h0, *c0, *p;
    int D, reverse_only;
    int64_t T, B, I, H;
} rnn_in;

static glim_status rnn_common(ob_ctx *c, const onnx_node *n, int gates, rnn_in *ri)
{
    glim_status st;
    memset(ri, 0, sizeof *ri);
    if ((st = ob_need(c, n, 0, &ri->x)) || (st = ob_need(c, n, 1, &ri->w)) ||
        (st = ob_need(c, n, 2, &ri->r)))
        return st;
    ri->b = ob_in(c, n, 3);
    ob_value *sl = ob_in(c, n, 4);
    ri->h0 = ob_in(c, n, 5);
    const char *dir = ob_attr_str(n, "direction", "forward");
    if (strcmp(dir, "forward") == 0) ri->D = 1;
    else if (strcmp(dir, "reverse") == 0) ri->D = 1, ri->reverse_only = 1;
    else if (strcmp(dir, "bidirectional") == 0) ri->D = 2;
    else return ob_fail(c, n, GLIM_EINVAL, "direction '%s'", dir);
    if (ob_attr_int(n, "layout", 0) != 0) return ob_fail(c, n, GLIM_EUNSUPPORTED, "layout 1 (batch-major)");
    if (!is_default_acts(n, gates == 4, ri->D))
        return ob_fail(c, n, GLIM_EUNSUPPORTED, "activations other than the defaults");
    if (ri->x->ndim != 3 || ri->x->cdata) return ob_fail(c, n, GLIM_EUNSUPPORTED, "X must be a runtime [T,B,I] tensor");
    ri->T = ri->x->shape[0], ri->B = ri->x->shape[1], ri->I = ri->x->shape[2];
    ri->H = ob_attr_int(n, "hidden_size", ri->r->ndim == 3 ? ri->r->shape[2] : 0);
    int64_t H = ri->H;
    if (H < 1 || H > (1 << 20)) return ob_fail(c, n, GLIM_EINVAL, "hidden_size %lld", (long long)H);
    if (!ri->w->cdata || ri->w->dtype != GLIM_F32 || ri->w->ndim != 3 || ri->w->shape[0] != ri->D ||
        ri->w->shape[1] != gates * H || ri->w->shape[2] != ri->I)
        return ob_fail(c, n, GLIM_EUNSUPPORTED, "W must be a constant [%d,%lld,%lld]", ri->D,
                       (long long)(gates * H), (long long)ri->I);
    if (!ri->r->cdata || ri->r->dtype != GLIM_F32 || ri->r->ndim != 3 || ri->r->shape[0] != ri->D ||
        ri->r->shape[1] != gates * H || ri->r->shape[2] != H)
        return ob_fail(c, n, GLIM_EUNSUPPORTED, "R must be a constant [%d,%lld,%lld]", ri->D,
                       (long long)(gates * H), (long long)H);
    if (ri->b && (!ri->b->cdata || ob_count(ri->b) != ri->D * 2 * gates * H))
        return ob_fail(c, n, GLIM_EUNSUPPORTED, "B must be a constant [%d,%lld]", ri->D, (long long)(2 * gates * H));
    if (sl) {
        if (!sl->cdata) return ob_fail(c, n, GLIM_EUNSUPPORTED, "runtime sequence_lens");
        for (int64_t i = 0; i < ob_count(sl); i++)
            if (ob_cgeti(sl, i) != ri->T) return ob_fail(c, n, GLIM_EUNSUPPORTED, "sequence_lens shorter than the sequence");
    }
    return GLIM_OK;
}

glim_status onnx_t_lstm(ob_ctx *c, const onnx_node *n)
{
    rnn_in ri;
    glim_status st = rnn_common(c, n, 4, &ri);
    if (st) return st;
    ri.c0 = ob_in(c, n, 6);
    ri.p = ob_in(c, n, 7);
    if (ob_attr_int(n, "input_forget", 0)) return ob_fail(c, n, GLIM_EUNSUPPORTED, "input_forget");
    int64_t H = ri.H, I = ri.I, T = ri.T, B = ri.B;
    if (ri.p && (!ri.p->cdata || ob_count(ri.p) != ri.D * 3 * H))
        return ob_fail(c, n, GLIM_EUNSUPPORTED, "P must be a constant [%d,%lld]", ri.D, (long long)(3 * H));
    int x = ob_tensor(c, ri.x, OL_NCHW);
    if (x < 0) return c->err->code;
    int ys[2], hs[2], cs[2];
    for (int d = 0; d < ri.D; d++) {
        /* per-direction block: W_i W_f W_c W_o, R_i R_f R_c R_o, b_i b_f b_c b_o, p_i p_f p_o */
        ob_wcache *wc = ob_cache_get(c, d);
        size_t per = (size_t)(4 * H * I + 4 * H * H + 4 * H + 3 * H);
        if (!wc) {
            float *blk = glim_alloc(per * sizeof(float) + 64);
            if (!blk) return ob_fail(c, n, GLIM_ENOMEM, "out of memory");
            const float *W = (const float *)ri.w->cdata + d * 4 * H * I;
            const float *R = (const float *)ri.r->cdata + d * 4 * H * H;
            static const int gate_of[4] = {0, 2, 3, 1}; /* i f c o <- ONNX i o f c */
            float *o = blk;
            for (int g = 0; g < 4; g++, o += H * I) memcpy(o, W + gate_of[g] * H * I, (size_t)(H * I) * 4);
            for (int g = 0; g < 4; g++, o += H * H) memcpy(o, R + gate_of[g] * H * H, (size_t)(H * H) * 4);
            for (int g = 0; g < 4; g++, o += H)
                for (int64_t k = 0; k < H; k++)
                    o[k] = ri.b ? (float)(ob_cget(ri.b, d * 8 * H + gate_of[g] * H + k) +
                                          ob_cget(ri.b, d * 8 * H + 4 * H + gate_of[g] * H + k))
                                : 0.f;
            static const int peep[3] = {0, 2, 1}; /* i f o <- ONNX i o f */
            for (int g = 0; g < 3; g++, o += H)
                for (int64_t k = 0; k < H; k++)
                    o[k] = ri.p ? (float)ob_cget(ri.p, d * 3 * H + peep[g] * H + k) : 0.f;
            int64_t s1[1] = {(int64_t)per};
            if (!(wc = ob_cache_put(c, d, blk, 1, s1))) return c->err->code;
        }
        float *blk = wc->data;
        int slots[24];
        for (int k = 0; k < 24; k++) slots[k] = -1;
        char name[200];
        int64_t wsh[2] = {H, I}, rsh[2] = {H, H}, vsh[1] = {H};
        static const char *gn[4] = {"i", "f", "c", "o"};
        for (int g = 0; g < 4; g++) {
            snprintf(name, sizeof name, "%s/W%s%d", n->name, gn[g], d);
            slots[1 + g] = ob_const_ref(c, name, GLIM_F32, 2, wsh, blk + g * H * I);
            snprintf(name, sizeof name, "%s/R%s%d", n->name, gn[g], d);
            slots[5 + g] = ob_const_ref(c, name, GLIM_F32, 2, rsh, blk + 4 * H * I + g * H * H);
            snprintf(name, sizeof name, "%s/b%s%d", n->name, gn[g], d);
            slots[12 + g] = ob_const_ref(c, name, GLIM_F32, 1, vsh, blk + 4 * H * I + 4 * H * H + g * H);
        }
        if (ri.p) {
            float *pp = blk + 4 * H * I + 4 * H * H + 4 * H;
            static const char *pn[3] = {"i", "f", "o"};
            for (int g = 0; g < 3; g++) {
                snprintf(name, sizeof name, "%s/p%s%d", n->name, pn[g], d);
                slots[9 + g] = ob_const_ref(c, name, GLIM_F32, 1, vsh, pp + g * H);
            }
        }
        slots[0] = x;
        if ((slots[18] = state_of(c, n, ri.h0, d, ri.D, B, H, "initial_h")) == -2) return c->err->code;
        if ((slots[19] = state_of(c, n, ri.c0, d, ri.D, B, H, "initial_c")) == -2) return c->err->code;
        for (int k = 0; k < 20; k++)
            if (slots[k] < -1) return c->err->code;
        int64_t ysh[3] = {T, B, H}, hsh[2] = {B, H};
        snprintf(name, sizeof name, "y%d", d);
        ys[d] = ob_temp(c, n, name, GLIM_F32, 3, ysh);
        snprintf(name, sizeof name, "h%d", d);
        hs[d] = ob_temp(c, n, name, GLIM_F32, 2, hsh);
        snprintf(name, sizeof name, "c%d", d);
        cs[d] = ob_temp(c, n, name, GLIM_F32, 2, hsh);
        glim_lstm_params p = {.act = GLIM_ACT_TANH, .cell_clip = ob_attr_float(n, "clip", 0),
                              .time_major = 1, .reverse = ri.reverse_only || d == 1};
        int outs[3] = {ys[d], hs[d], cs[d]};
        if ((st = ob_node(c, n, GLIM_OP_LSTM, 20, slots, 3, outs, &p, sizeof p))) return st;
    }
    int64_t ysh[3] = {T, B, H}, hsh[2] = {B, H};
    if ((st = join(c, n, 0, ys, ri.D, 3, ysh, 1, "Y"))) return st;
    if (n->nout > 1 && n->out[1] >= 0 && (st = join(c, n, 1, hs, ri.D, 2, hsh, 0, "Y_h"))) return st;
    if (n->nout > 2 && n->out[2] >= 0 && (st = join(c, n, 2, cs, ri.D, 2, hsh, 0, "Y_c"))) return st;
    return GLIM_OK;
}

glim_status onnx_t_gru(ob_ctx *c, const onnx_node *n)
{
    rnn_in ri;
    glim_status st = rnn_common(c, n, 3, &ri);
    if (st) return st;
    int64_t H = ri.H, I = ri.I, T = ri.T, B = ri.B;
    int x = ob_tensor(c, ri.x, OL_NCHW);
    if (x < 0) return c->err->code;
    int ys[2], hs[2];
    for (int d = 0; d < ri.D; d++) {
        char name[200];
        int64_t wsh[2] = {3 * H, I}, rsh[2] = {3 * H, H}, bsh[1] = {6 * H};
        snprintf(name, sizeof name, "%s/W%d", n->name, d);
        int w = ob_const_ref(c, name, GLIM_F32, 2, wsh, (float *)ri.w->cdata + d * 3 * H * I);
        snprintf(name, sizeof name, "%s/R%d", n->name, d);
        int r = ob_const_ref(c, name, GLIM_F32, 2, rsh, (float *)ri.r->cdata + d * 3 * H * H);
        int b = -1;
        if (ri.b) {
            float *bd = ob_alloc(c, (size_t)(6 * H) * 4);
            if (!bd) return c->err->code;
            for (int64_t k = 0; k < 6 * H; k++) bd[k] = (float)ob_cget(ri.b, d * 6 * H + k);
            snprintf(name, sizeof name, "%s/B%d", n->name, d);
            b = ob_const(c, name, GLIM_F32, 1, bsh, bd);
        }
        int h0 = state_of(c, n, ri.h0, d, ri.D, B, H, "initial_h");
        if (w < 0 || r < 0 || (ri.b && b < 0) || h0 == -2) return c->err->code;
        int64_t ysh[3] = {T, B, H}, hsh[2] = {B, H};
        snprintf(name, sizeof name, "y%d", d);
        ys[d] = ob_temp(c, n, name, GLIM_F32, 3, ysh);
        snprintf(name, sizeof name, "h%d", d);
        hs[d] = ob_temp(c, n, name, GLIM_F32, 2, hsh);
        glim_gru_params p = {.linear_before_reset = (int)ob_attr_int(n, "linear_before_reset", 0),
                             .reverse = ri.reverse_only || d == 1, .clip = ob_attr_float(n, "clip", 0)};
        int ins[5] = {x, w, r, b, h0};
        int outs[2] = {ys[d], hs[d]};
        if ((st = ob_node(c, n, GLIM_OP_GRU, 5, ins, 2, outs, &p, sizeof p))) return st;
    }
    int64_t ysh[3] = {T, B, H}, hsh[2] = {B, H};
    if ((st = join(c, n, 0, ys, ri.D, 3, ysh, 1, "Y"))) return st;
    if (n->nout > 1 && n->out[1] >= 0 && (st = join(c, n, 1, hs, ri.D, 2, hsh, 0, "Y_h"))) return st;
    return GLIM_OK;
}
