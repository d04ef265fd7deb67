/*
 * onnx_ops.c — the ONNX op table, the helpers the translators share, and
 * the elementwise translators. There is one translator per ONNX op type
 * (operator semantics from onnx/docs/Operators.md), by family in
 * onnx_ops_*.c. Each infers its output's logical shape, folds the op into a
 * host constant when every input is constant (small tensors), and otherwise
 * emits engine nodes, choosing the layout (onnx_build.c). Fusions: Conv +
 * per-channel affine ops + BatchNormalization + Relu/Clip
 * (onnx_ops_conv.c), x * HardSigmoid(x) -> HARD_SWISH and binary op + Relu
 * (here), MatMul/Gemm with a constant 2-D weight -> MATMUL on weights packed
 * at prepare (onnx_ops_math.c).
 */
#include "onnx_ops.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

glim_status ot_fail_const(ob_ctx *c, const onnx_node *n, int k)
{
    return ob_fail(c, n, GLIM_EUNSUPPORTED, "input %d must be a constant (or computable from "
                   "shapes and initializers)", k);
}

/* Output k as a new host constant of `count` elements. */
void *ot_new_const(ob_ctx *c, glim_dtype dt, int64_t count)
{
    size_t es = dt == GLIM_F32 ? 4 : dt == GLIM_BOOL ? 1 : 8;
    return ob_alloc(c, count > 0 ? (size_t)count * es : 1);
}

void ot_cset(glim_dtype dt, void *data, int64_t i, double v)
{
    if (dt == GLIM_F32) ((float *)data)[i] = (float)v;
    else if (dt == GLIM_BOOL) ((uint8_t *)data)[i] = v != 0;
    else ((int64_t *)data)[i] = v != v ? 0 : v >= 9.2e18 ? INT64_MAX : v <= -9.2e18 ? INT64_MIN : (int64_t)v;
}

static int onnx_type_of(glim_dtype d)
{
    switch (d) {
    case GLIM_F32: return OX_FLOAT;
    case GLIM_I32: return OX_INT32;
    case GLIM_I16: return OX_INT16;
    case GLIM_I8: return OX_INT8;
    case GLIM_U8: return OX_UINT8;
    case GLIM_BOOL: return OX_BOOL;
    default: return OX_INT64;
    }
}

/* numpy broadcasting of two shapes */
int ot_bcast(int na, const int64_t *a, int nb, const int64_t *b, int *nd, int64_t *out)
{
    int n = na > nb ? na : nb;
    for (int i = 0; i < n; i++) {
        int64_t da = i < n - na ? 1 : a[i - (n - na)], db = i < n - nb ? 1 : b[i - (n - nb)];
        if (da != db && da != 1 && db != 1) return 0;
        out[i] = da == 1 ? db : da;
    }
    *nd = n;
    return 1;
}

/* flat index into v of the element at out-index i of a broadcast result */
int64_t ot_bidx(int64_t i, int nd, const int64_t *shape, const ob_value *v)
{
    int64_t idx = 0, mul = 1;
    for (int d = nd - 1; d >= 0; d--) {
        int64_t coord = i % shape[d];
        i /= shape[d];
        int vd = d - (nd - v->ndim);
        if (vd >= 0) {
            if (v->shape[vd] != 1) idx += coord * mul;
            mul *= v->shape[vd];
        }
    }
    return idx;
}

int ot_norm_axis(int64_t a, int nd) { return (int)(a < 0 ? a + nd : a); }

/* ---- elementwise ---------------------------------------------------------- */

typedef enum { U_RELU, U_SIGMOID, U_TANH, U_SQRT, U_EXP, U_LOG, U_NEG, U_ABS, U_RECIP, U_ERF,
               U_NOT, U_FLOOR, U_CEIL, U_IDENT } uop;

static double apply_u(uop u, double x)
{
    switch (u) {
    case U_RELU: return x > 0 ? x : 0;
    case U_SIGMOID: return 1 / (1 + exp(-x));
    case U_TANH: return tanh(x);
    case U_SQRT: return sqrt(x);
    case U_EXP: return exp(x);
    case U_LOG: return log(x);
    case U_NEG: return -x;
    case U_ABS: return fabs(x);
    case U_RECIP: return 1 / x;
    case U_ERF: return erf(x);
    case U_NOT: return x == 0;
    case U_FLOOR: return floor(x);
    case U_CEIL: return ceil(x);
    default: return x;
    }
}

static glim_status unary(ob_ctx *c, const onnx_node *n, uop u, glim_op_id op, const void *p,
                         size_t ps)
{
    ob_value *x;
    glim_status st;
    if ((st = ob_need(c, n, 0, &x))) return st;
    glim_dtype odt = u == U_NOT ? GLIM_BOOL : x->dtype;
    if (x->cdata && FOLD_OK(ob_count(x))) {
        int64_t cnt = ob_count(x);
        void *d = ot_new_const(c, odt, cnt);
        if (!d) return c->err->code;
        for (int64_t i = 0; i < cnt; i++) ot_cset(odt, d, i, apply_u(u, ob_cget(x, i)));
        return ob_out_const(c, n, 0, odt, onnx_type_of(odt), x->ndim, x->shape, d);
    }
    if ((int)op < 0) return ob_fail(c, n, GLIM_EUNSUPPORTED, "only supported on constants");
    int layout = x->cdata ? OL_NCHW : x->layout;
    int in = ob_tensor(c, x, layout);
    int out = ob_out(c, n, 0, odt, x->ndim, x->shape, layout);
    return ob_node(c, n, op, 1, &in, 1, &out, p, ps);
}

#define UNARY(fname, u, op)                                                   \
    static glim_status fname(ob_ctx *c, const onnx_node *n)                   \
    {                                                                         \
        return unary(c, n, u, op, NULL, 0);                                   \
    }
UNARY(t_relu, U_RELU, GLIM_OP_RELU)
UNARY(t_sigmoid, U_SIGMOID, GLIM_OP_LOGISTIC)
UNARY(t_tanh, U_TANH, GLIM_OP_TANH)
UNARY(t_sqrt, U_SQRT, GLIM_OP_SQRT)
UNARY(t_exp, U_EXP, GLIM_OP_EXP)
UNARY(t_log, U_LOG, GLIM_OP_LOG)
UNARY(t_neg, U_NEG, GLIM_OP_NEG)
UNARY(t_abs, U_ABS, GLIM_OP_ABS)
UNARY(t_reciprocal, U_RECIP, GLIM_OP_RECIPROCAL)
UNARY(t_erf, U_ERF, GLIM_OP_ERF)
UNARY(t_not, U_NOT, GLIM_OP_LOGICAL_NOT)
UNARY(t_floor, U_FLOOR, (glim_op_id)-1)
UNARY(t_ceil, U_CEIL, (glim_op_id)-1)

static glim_status t_leaky_relu(ob_ctx *c, const onnx_node *n)
{
    glim_leaky_relu_params p = {ob_attr_float(n, "alpha", 0.01f)};
    return unary(c, n, U_IDENT, GLIM_OP_LEAKY_RELU, &p, sizeof p);
}

static glim_status t_hard_swish(ob_ctx *c, const onnx_node *n)
{
    return unary(c, n, U_IDENT, GLIM_OP_HARD_SWISH, NULL, 0);
}

static glim_status t_gelu(ob_ctx *c, const onnx_node *n)
{
    const char *a = ob_attr_str(n, "approximate", "none");
    glim_gelu_params p = {strcmp(a, "tanh") == 0};
    return unary(c, n, U_IDENT, GLIM_OP_GELU, &p, sizeof p);
}

/* A constant value: a defined one, or (when a fusion looks ahead) the
 * output of a Constant node not translated yet (described in *tmp). */
const ob_value *ot_peek_const(ob_ctx *c, int id, ob_value *tmp)
{
    if (id < 0) return NULL;
    const ob_value *v = &c->v[id];
    if (v->defined) return v->cdata ? v : NULL;
    int p = c->m->values[id].producer;
    if (p < 0 || strcmp(c->m->nodes[p].op_type, "Constant") != 0 || c->m->nodes[p].domain[0]) return NULL;
    const onnx_attr *a = onnx_attr_find(&c->m->nodes[p], "value");
    if (!a || !a->t) return NULL;
    memset(tmp, 0, sizeof *tmp);
    tmp->dtype = a->t->dtype;
    tmp->ndim = a->t->ndim;
    memcpy(tmp->shape, a->t->dims, sizeof tmp->shape);
    tmp->cdata = a->t->data;
    return tmp;
}

int ot_const_scalar(ob_ctx *c, int id, double *out)
{
    ob_value tmp;
    const ob_value *v = ot_peek_const(c, id, &tmp);
    if (!v || ob_count(v) != 1) return 0;
    *out = ob_cget(v, 0);
    return 1;
}

/* Clip's bounds: attributes before opset 11, optional constant inputs after. */
glim_status ot_clip_bounds(ob_ctx *c, const onnx_node *n, float *lo, float *hi)
{
    *lo = -INFINITY;
    *hi = INFINITY;
    if (c->m->opset < 11) {
        *lo = ob_attr_float(n, "min", -INFINITY);
        *hi = ob_attr_float(n, "max", INFINITY);
        return GLIM_OK;
    }
    for (int k = 1; k <= 2 && k < n->nin; k++) {
        double d;
        if (n->in[k] < 0) continue;
        if (!ot_const_scalar(c, n->in[k], &d)) return ot_fail_const(c, n, k);
        if (k == 1) *lo = (float)d;
        else *hi = (float)d;
    }
    return GLIM_OK;
}

static glim_status t_clip(ob_ctx *c, const onnx_node *n)
{
    float lo, hi;
    glim_status st = ot_clip_bounds(c, n, &lo, &hi);
    if (st) return st;
    ob_value *x;
    if ((st = ob_need(c, n, 0, &x))) return st;
    if (x->cdata && FOLD_OK(ob_count(x))) {
        int64_t cnt = ob_count(x);
        void *d = ot_new_const(c, x->dtype, cnt);
        if (!d) return c->err->code;
        for (int64_t i = 0; i < cnt; i++) {
            double v = ob_cget(x, i);
            ot_cset(x->dtype, d, i, v < lo ? lo : v > hi ? hi : v);
        }
        return ob_out_const(c, n, 0, x->dtype, x->onnx_type, x->ndim, x->shape, d);
    }
    if (lo == 0 && hi == 6) return unary(c, n, U_IDENT, GLIM_OP_RELU6, NULL, 0);
    if (lo == 0 && isinf(hi)) return unary(c, n, U_IDENT, GLIM_OP_RELU, NULL, 0);
    glim_clip_params p = {lo, hi};
    return unary(c, n, U_IDENT, GLIM_OP_CLIP, &p, sizeof p);
}

typedef enum { B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAX, B_MIN, B_EQ, B_LT, B_GT, B_PRELU,
               B_AND, B_OR, B_MOD } bop;

static double apply_b(bop o, double a, double b, int isint)
{
    switch (o) {
    case B_ADD: return a + b;
    case B_SUB: return a - b;
    case B_MUL: return a * b;
    case B_DIV: return isint ? (b == 0 ? 0 : trunc(a / b)) : a / b;
    case B_POW: return pow(a, b);
    case B_MAX: return a > b ? a : b;
    case B_MIN: return a < b ? a : b;
    case B_EQ: return a == b;
    case B_LT: return a < b;
    case B_GT: return a > b;
    case B_PRELU: return a < 0 ? a * b : a;
    case B_AND: return a != 0 && b != 0;
    case B_OR: return a != 0 || b != 0;
    case B_MOD: return b == 0 ? 0 : a - b * floor(a / b);
    }
    return 0;
}


/* a op b with broadcasting: folded, or one engine node. */
static glim_status binary2(ob_ctx *c, const onnx_node *n, int outk, bop o, glim_op_id op,
                           ob_value *a, ob_value *b)
{
    int nd;
    int64_t shape[GLIM_MAX_DIMS];
    if (!ot_bcast(a->ndim, a->shape, b->ndim, b->shape, &nd, shape))
        return ob_fail(c, n, GLIM_EINVAL, "input shapes do not broadcast");
    int cmp = o == B_EQ || o == B_LT || o == B_GT || o == B_AND || o == B_OR;
    glim_dtype odt = cmp ? GLIM_BOOL : a->dtype;
    int64_t cnt = glim_shape_count(nd, shape);
    if (a->cdata && b->cdata && FOLD_OK(cnt)) {
        void *d = ot_new_const(c, odt, cnt);
        if (!d) return c->err->code;
        int isint = odt != GLIM_F32 && odt != GLIM_BOOL;
        for (int64_t i = 0; i < cnt; i++)
            ot_cset(odt, d, i, apply_b(o, ob_cget(a, ot_bidx(i, nd, shape, a)),
                                    ob_cget(b, ot_bidx(i, nd, shape, b)), isint));
        return ob_out_const(c, n, outk, odt, cmp ? OX_BOOL : a->onnx_type, nd, shape, d);
    }
    if ((int)op < 0) return ob_fail(c, n, GLIM_EUNSUPPORTED, "only supported on constants");
    int layout = OL_NCHW;
    if (nd == 4) {
        int nhwc = 0, ok = 1;
        ob_value *xs[2] = {a, b};
        for (int k = 0; k < 2; k++)
            if (!xs[k]->cdata) {
                if (xs[k]->layout == OL_NHWC) nhwc = 1;
                if (xs[k]->ndim != 4) ok = 0;
            }
        if (nhwc && ok) layout = OL_NHWC;
    }
    int in[2] = {ob_tensor4(c, a, layout), ob_tensor4(c, b, layout)};
    if (in[0] < 0 || in[1] < 0) return c->err->code;
    glim_binary_params p = {GLIM_ACT_NONE};
    const onnx_node *last = n;
    if (odt == GLIM_F32 && outk == 0 &&
        (op == GLIM_OP_ADD || op == GLIM_OP_SUB || op == GLIM_OP_MUL || op == GLIM_OP_DIV)) {
        /* a following Relu / Clip(0, 6) becomes the op's fused activation
         * (a residual Add + Relu is one pass) */
        last = ot_fuse_act(c, n, &p.act);
    }
    int out = ob_out(c, last, outk, odt, nd, shape, layout);
    int params = op != GLIM_OP_EQUAL && op != GLIM_OP_LESS && op != GLIM_OP_GREATER;
    return ob_node(c, n, op, 2, in, 1, &out, params ? &p : NULL, params ? sizeof p : 0);
}

static glim_status binary(ob_ctx *c, const onnx_node *n, bop o, glim_op_id op)
{
    ob_value *a, *b;
    glim_status st;
    if ((st = ob_need(c, n, 0, &a)) || (st = ob_need(c, n, 1, &b))) return st;
    return binary2(c, n, 0, o, op, a, b);
}

/* Pow's exponent may have another numeric type than its base (ONNX's T1,
 * e.g. an int64 2): a constant one is converted to float32 here; a
 * computed one must match the base. */
static glim_status t_pow(ob_ctx *c, const onnx_node *n)
{
    ob_value *a, *b;
    glim_status st;
    if ((st = ob_need(c, n, 0, &a)) || (st = ob_need(c, n, 1, &b))) return st;
    if (a->dtype != GLIM_F32 || b->dtype == GLIM_F32 || !b->cdata)
        return binary2(c, n, 0, B_POW, GLIM_OP_POW, a, b);
    ob_value fb = *b;
    int64_t cnt = ob_count(b);
    float *d = ot_new_const(c, GLIM_F32, cnt);
    if (!d) return c->err->code;
    for (int64_t i = 0; i < cnt; i++) d[i] = (float)ob_cget(b, i);
    fb.dtype = GLIM_F32;
    fb.onnx_type = OX_FLOAT;
    fb.cdata = d;
    fb.cowned = 0;
    fb.gt = fb.gt_other = -1;
    return binary2(c, n, 0, B_POW, GLIM_OP_POW, a, &fb);
}

#define BINARY(fname, o, op)                                                  \
    static glim_status fname(ob_ctx *c, const onnx_node *n)                   \
    {                                                                         \
        return binary(c, n, o, op);                                           \
    }


/* A constant scalar (any rank, one element) equal to v. */
static int const_is(ob_ctx *c, int id, double v)
{
    double d;
    return ot_const_scalar(c, id, &d) && fabs(d - v) < 1e-6 * (fabs(v) + 1);
}

/* x * Clip(x + 3, 0, 6) / 6 (PaddlePaddle's hardswish export) -> HARD_SWISH.
 * Called on the Add; returns 1 when it emitted the fused node. */
static int hard_swish_chain(ob_ctx *c, const onnx_node *add, glim_status *st)
{
    int xi = -1;
    if (const_is(c, add->in[1], 3)) xi = add->in[0];
    else if (const_is(c, add->in[0], 3)) xi = add->in[1];
    if (xi < 0 || c->v[xi].cdata || c->v[xi].dtype != GLIM_F32) return 0;
    int k1 = ob_single_consumer(c, add, 0);
    if (k1 < 0 || !ot_is_op(&c->m->nodes[k1], "Clip")) return 0;
    const onnx_node *clip = &c->m->nodes[k1];
    float lo, hi;
    int saved = c->failed;
    if (clip->in[0] != add->out[0] || ot_clip_bounds(c, clip, &lo, &hi) != GLIM_OK) {
        c->failed = saved;
        return 0;
    }
    if (lo != 0 || hi != 6) return 0;
    int k2 = ob_single_consumer(c, clip, 0);
    if (k2 < 0 || !ot_is_op(&c->m->nodes[k2], "Mul")) return 0;
    const onnx_node *mul = &c->m->nodes[k2];
    if (!((mul->in[0] == xi && mul->in[1] == clip->out[0]) ||
          (mul->in[1] == xi && mul->in[0] == clip->out[0])))
        return 0;
    int k3 = ob_single_consumer(c, mul, 0);
    if (k3 < 0) return 0;
    const onnx_node *last = &c->m->nodes[k3];
    if (!(last->nin == 2 && last->in[0] == mul->out[0] &&
          ((ot_is_op(last, "Div") && const_is(c, last->in[1], 6)) ||
           (ot_is_op(last, "Mul") && const_is(c, last->in[1], 1.0 / 6)))))
        return 0;
    c->skip[k1] = c->skip[k2] = c->skip[k3] = 1;
    ob_value *x = &c->v[xi];
    int in = ob_tensor(c, x, x->layout);
    int out = ob_out(c, last, 0, GLIM_F32, x->ndim, x->shape, x->layout);
    *st = ob_node(c, add, GLIM_OP_HARD_SWISH, 1, &in, 1, &out, NULL, 0);
    return 1;
}

static glim_status t_add(ob_ctx *c, const onnx_node *n)
{
    glim_status st = GLIM_OK;
    if (n->nin == 2 && hard_swish_chain(c, n, &st)) return st;
    return binary(c, n, B_ADD, GLIM_OP_ADD);
}
BINARY(t_sub, B_SUB, GLIM_OP_SUB)
BINARY(t_div, B_DIV, GLIM_OP_DIV)
BINARY(t_equal, B_EQ, GLIM_OP_EQUAL)
BINARY(t_less, B_LT, GLIM_OP_LESS)
BINARY(t_greater, B_GT, GLIM_OP_GREATER)
BINARY(t_prelu, B_PRELU, GLIM_OP_PRELU)
BINARY(t_and, B_AND, (glim_op_id)-1)
BINARY(t_or, B_OR, (glim_op_id)-1)
BINARY(t_mod, B_MOD, (glim_op_id)-1)

static glim_status t_mul(ob_ctx *c, const onnx_node *n)
{
    return binary(c, n, B_MUL, GLIM_OP_MUL);
}

/* Min, Max, Sum: variadic, folded pairwise; the partial results live in
 * scratch values of the builder. */
static glim_status variadic(ob_ctx *c, const onnx_node *n, bop o, glim_op_id op)
{
    if (n->nin < 1) return ob_fail(c, n, GLIM_EFORMAT, "no inputs");
    ob_value *acc;
    glim_status st;
    if ((st = ob_need(c, n, 0, &acc))) return st;
    if (n->nin == 1) return ob_alias(c, n, 0, acc);
    ob_value *tmp = ob_alloc(c, sizeof(ob_value) * (size_t)n->nin);
    if (!tmp) return c->err->code;
    for (int k = 1; k < n->nin; k++) {
        ob_value *b;
        if ((st = ob_need(c, n, k, &b))) return st;
        if (k == n->nin - 1) return binary2(c, n, 0, o, op, acc, b);
        int64_t shape[GLIM_MAX_DIMS];
        int nd;
        if (!ot_bcast(acc->ndim, acc->shape, b->ndim, b->shape, &nd, shape))
            return ob_fail(c, n, GLIM_EINVAL, "input shapes do not broadcast");
        if (acc->cdata && b->cdata) return ob_fail(c, n, GLIM_EUNSUPPORTED, "constant inputs");
        int in[2] = {ob_tensor(c, acc, OL_NCHW), ob_tensor(c, b, OL_NCHW)};
        int t = ob_temp(c, n, "partial", acc->dtype, nd, shape);
        glim_binary_params p = {GLIM_ACT_NONE};
        if ((st = ob_node(c, n, op, 2, in, 1, &t, &p, sizeof p))) return st;
        memset(&tmp[k], 0, sizeof tmp[k]);
        tmp[k].defined = 1;
        tmp[k].dtype = acc->dtype;
        tmp[k].ndim = nd;
        memcpy(tmp[k].shape, shape, sizeof shape);
        tmp[k].gt = t;
        tmp[k].gt_other = -1;
        acc = &tmp[k];
    }
    return GLIM_OK;
}

static glim_status t_max(ob_ctx *c, const onnx_node *n) { return variadic(c, n, B_MAX, GLIM_OP_MAXIMUM); }
static glim_status t_min(ob_ctx *c, const onnx_node *n) { return variadic(c, n, B_MIN, GLIM_OP_MINIMUM); }
static glim_status t_sum(ob_ctx *c, const onnx_node *n) { return variadic(c, n, B_ADD, GLIM_OP_ADD); }

/* HardSigmoid; x * HardSigmoid(x) with alpha 1/6, beta 1/2 is HardSwish. */
static glim_status t_hard_sigmoid(ob_ctx *c, const onnx_node *n)
{
    float alpha = ob_attr_float(n, "alpha", 0.2f), beta = ob_attr_float(n, "beta", 0.5f);
    ob_value *x;
    glim_status st;
    if ((st = ob_need(c, n, 0, &x))) return st;
    int mi = ob_single_consumer(c, n, 0);
    if (!x->cdata && mi >= 0 && fabsf(alpha - 1.0f / 6) < 1e-4f && beta == 0.5f) {
        const onnx_node *mul = &c->m->nodes[mi];
        if (strcmp(mul->op_type, "Mul") == 0 && mul->nin == 2 && !mul->domain[0] &&
            ((mul->in[0] == n->in[0] && mul->in[1] == n->out[0]) ||
             (mul->in[1] == n->in[0] && mul->in[0] == n->out[0]))) {
            c->skip[mi] = 1;
            int in = ob_tensor(c, x, x->layout);
            int out = ob_out(c, mul, 0, x->dtype, x->ndim, x->shape, x->layout);
            return ob_node(c, n, GLIM_OP_HARD_SWISH, 1, &in, 1, &out, NULL, 0);
        }
    }
    glim_hard_sigmoid_params p = {alpha, beta};
    if (x->cdata && FOLD_OK(ob_count(x))) {
        int64_t cnt = ob_count(x);
        float *d = ot_new_const(c, GLIM_F32, cnt);
        if (!d) return c->err->code;
        for (int64_t i = 0; i < cnt; i++) {
            double v = alpha * ob_cget(x, i) + beta;
            d[i] = (float)(v < 0 ? 0 : v > 1 ? 1 : v);
        }
        return ob_out_const(c, n, 0, GLIM_F32, OX_FLOAT, x->ndim, x->shape, d);
    }
    return unary(c, n, U_IDENT, GLIM_OP_HARD_SIGMOID, &p, sizeof p);
}

static const onnx_op_entry table[] = {
    {"Abs", t_abs},
    {"Add", t_add},
    {"And", t_and},
    {"ArgMax", ot_argmax},
    {"AveragePool", ot_pool},
    {"BatchNormalization", ot_batch_norm},
    {"Cast", ot_cast},
    {"Ceil", t_ceil},
    {"Clip", t_clip},
    {"Concat", ot_concat},
    {"Constant", ot_constant},
    {"ConstantOfShape", ot_constant_of_shape},
    {"Conv", ot_conv},
    {"ConvTranspose", ot_conv_transpose},
    {"Div", t_div},
    {"Dropout", ot_identity},
    {"Equal", t_equal},
    {"Erf", t_erf},
    {"Exp", t_exp},
    {"Expand", ot_expand},
    {"Flatten", ot_flatten},
    {"Floor", t_floor},
    {"GRU", onnx_t_gru},
    {"Gather", ot_gather},
    {"Gelu", t_gelu},
    {"Gemm", ot_gemm},
    {"GlobalAveragePool", ot_global_pool},
    {"GlobalMaxPool", ot_global_pool},
    {"Greater", t_greater},
    {"HardSigmoid", t_hard_sigmoid},
    {"HardSwish", t_hard_swish},
    {"Identity", ot_identity},
    {"LSTM", onnx_t_lstm},
    {"LayerNormalization", ot_layer_norm},
    {"LeakyRelu", t_leaky_relu},
    {"Less", t_less},
    {"Log", t_log},
    {"LogSoftmax", ot_log_softmax},
    {"MatMul", ot_matmul},
    {"Max", t_max},
    {"MaxPool", ot_pool},
    {"Min", t_min},
    {"Mod", t_mod},
    {"Mul", t_mul},
    {"Neg", t_neg},
    {"Not", t_not},
    {"Or", t_or},
    {"PRelu", t_prelu},
    {"Pad", ot_pad},
    {"Pow", t_pow},
    {"Range", ot_range},
    {"Reciprocal", t_reciprocal},
    {"ReduceMax", ot_reduce},
    {"ReduceMean", ot_reduce},
    {"ReduceSum", ot_reduce},
    {"Relu", t_relu},
    {"Reshape", ot_reshape},
    {"Resize", ot_resize},
    {"Shape", ot_shape},
    {"Sigmoid", t_sigmoid},
    {"Size", ot_size},
    {"Slice", ot_slice},
    {"Softmax", ot_softmax},
    {"Split", ot_split},
    {"Sqrt", t_sqrt},
    {"Squeeze", ot_squeeze},
    {"Sub", t_sub},
    {"Sum", t_sum},
    {"Tanh", t_tanh},
    {"Tile", ot_tile},
    {"Transpose", ot_transpose},
    {"Unsqueeze", ot_unsqueeze},
    {"Upsample", ot_resize},
    {"Where", ot_where},
};

const onnx_op_entry *onnx_find_op(const char *op_type)
{
    size_t lo = 0, hi = sizeof table / sizeof table[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int r = strcmp(op_type, table[mid].op_type);
        if (r == 0) return &table[mid];
        if (r < 0) hi = mid;
        else lo = mid + 1;
    }
    return NULL;
}

const onnx_op_entry *onnx_node_op(const onnx_model *m, const onnx_node *n, glim_error *err)
{
    int std_domain = !n->domain[0] || strcmp(n->domain, "ai.onnx") == 0;
    const onnx_op_entry *e = std_domain ? onnx_find_op(n->op_type) : NULL;
    if (!e)
        glim_fail(err, GLIM_EUNSUPPORTED, "onnx: unsupported op '%s' (%s %d) at node '%s'", n->op_type,
                  std_domain ? "opset" : n->domain, std_domain ? m->opset : 0, n->name);
    return e;
}
