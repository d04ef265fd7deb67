/*
 * onnx_build.c — turn a decoded ONNX model into a glimpse graph for one set
 * of concrete input shapes.
 *
 * Every ONNX value becomes an ob_value with its logical (ONNX) shape, known
 * while translating: translators infer output shapes themselves, so Shape
 * and everything computed from shapes and initializers folds into host
 * constants (Shape -> Gather -> Concat -> Reshape chains cost nothing at
 * run time). Only values that depend on the input data become graph tensors.
 *
 * Layout: the engine is NHWC, ONNX is NCHW. A 4-D runtime value is stored
 * either way (ob_value.layout); convolution-like ops produce NHWC, ops that
 * only look at elements or at one remapped axis keep whatever they get, and
 * any op that cares about the memory order asks ob_tensor for NCHW, which
 * inserts one TRANSPOSE (cached per value). Graph outputs are returned NCHW.
 */
#include "onnx_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* builder-owned allocations, freed together */
typedef struct ob_mem {
    struct ob_mem *next;
} ob_mem;

typedef struct ob_state {
    ob_ctx c;
    ob_mem *mem;
} ob_state;

void *ob_alloc(ob_ctx *c, size_t bytes)
{
    ob_state *s = (ob_state *)c;
    if (bytes > SIZE_MAX - 64) return NULL;
    ob_mem *m = glim_alloc(64 + bytes);
    if (!m) {
        ob_fail(c, NULL, GLIM_ENOMEM, "out of memory");
        return NULL;
    }
    m->next = s->mem;
    s->mem = m;
    void *p = (uint8_t *)m + 64;
    memset(p, 0, bytes);
    return p;
}

glim_status ob_fail(ob_ctx *c, const onnx_node *n, glim_status code, const char *fmt, ...)
{
    if (c->failed) return c->err->code;
    c->failed = 1;
    char detail[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    if (n) return glim_fail(c->err, code, "onnx: node '%.80s' (%s): %s", n->name, n->op_type, detail);
    return glim_fail(c->err, code, "onnx: %s", detail);
}

/* ---- attributes ---------------------------------------------------------- */

int64_t ob_attr_int(const onnx_node *n, const char *name, int64_t def)
{
    const onnx_attr *a = onnx_attr_find(n, name);
    return a && a->type == OXA_INT ? a->i : def;
}

float ob_attr_float(const onnx_node *n, const char *name, float def)
{
    const onnx_attr *a = onnx_attr_find(n, name);
    return a && a->type == OXA_FLOAT ? a->f : def;
}

const char *ob_attr_str(const onnx_node *n, const char *name, const char *def)
{
    const onnx_attr *a = onnx_attr_find(n, name);
    return a && a->type == OXA_STRING && a->s ? a->s : def;
}

int ob_attr_ints(const onnx_node *n, const char *name, int64_t *vals, int max)
{
    const onnx_attr *a = onnx_attr_find(n, name);
    if (!a || a->type != OXA_INTS) return a && a->type == OXA_INTS ? 0 : -1;
    int k = a->n < max ? a->n : max;
    for (int i = 0; i < k; i++) vals[i] = a->ints[i];
    return a->n;
}

/* ---- values ------------------------------------------------------------ */

ob_value *ob_in(ob_ctx *c, const onnx_node *n, int k)
{
    if (k < 0 || k >= n->nin || n->in[k] < 0) return NULL;
    ob_value *v = &c->v[n->in[k]];
    return v->defined ? v : NULL;
}

glim_status ob_need(ob_ctx *c, const onnx_node *n, int k, ob_value **out)
{
    *out = ob_in(c, n, k);
    if (!*out) return ob_fail(c, n, GLIM_EFORMAT, "input %d is missing", k);
    return GLIM_OK;
}

int64_t ob_count(const ob_value *v) { return glim_shape_count(v->ndim, v->shape); }

double ob_cget(const ob_value *v, int64_t i)
{
    if (v->dtype == GLIM_F32) return ((const float *)v->cdata)[i];
    if (v->dtype == GLIM_BOOL) return ((const uint8_t *)v->cdata)[i];
    return (double)((const int64_t *)v->cdata)[i];
}

int64_t ob_cgeti(const ob_value *v, int64_t i)
{
    if (v->dtype == GLIM_F32) {
        double d = ((const float *)v->cdata)[i];
        return d != d ? 0 : d >= 9.2e18 ? INT64_MAX : d <= -9.2e18 ? INT64_MIN : (int64_t)d;
    }
    if (v->dtype == GLIM_BOOL) return ((const uint8_t *)v->cdata)[i];
    return ((const int64_t *)v->cdata)[i];
}

int ob_uses(ob_ctx *c, const onnx_node *n, int k)
{
    if (k >= n->nout || n->out[k] < 0) return 0;
    return c->m->values[n->out[k]].uses;
}

int ob_single_consumer(ob_ctx *c, const onnx_node *n, int k)
{
    if (ob_uses(c, n, k) != 1) return -1;
    int id = n->out[k];
    for (int i = 0; i < c->m->noutputs; i++)
        if (c->m->outputs[i] == id) return -1;
    for (int i = c->node + 1; i < c->m->nnodes; i++) {
        const onnx_node *m = &c->m->nodes[i];
        for (int j = 0; j < m->nin; j++)
            if (m->in[j] == id) return c->skip[i] ? -1 : i;
    }
    return -1;
}

static void physical(int layout, int ndim, const int64_t *l, int64_t *p)
{
    if (layout == OL_NHWC && ndim == 4) {
        p[0] = l[0], p[1] = l[2], p[2] = l[3], p[3] = l[1];
    } else {
        for (int i = 0; i < ndim; i++) p[i] = l[i];
    }
}

/* The ONNX name of a value; a value a translator made itself (a converted
 * copy of a constant, outside c->v) has none of its own. */
static const char *value_name(ob_ctx *c, const ob_value *v)
{
    if (v < c->v || v >= c->v + c->m->nvalues) return "converted";
    return c->m->values[v - c->v].name;
}

/* Host data in the graph dtype's memory (ints narrowed). */
static int materialize(ob_ctx *c, const ob_value *v, int layout, const char *vname)
{
    int64_t count = ob_count(v);
    int64_t ps[GLIM_MAX_DIMS];
    physical(layout, v->ndim, v->shape, ps);
    size_t es = glim_dtype_size(v->dtype);
    char name[200];
    snprintf(name, sizeof name, "%s%s", vname, layout == OL_NHWC ? "/nhwc" : "");
    int idx = glim_graph_add_tensor(c->g, name, v->dtype, v->ndim, ps, GLIM_TENSOR_CONSTANT, c->err);
    if (idx < 0) return c->failed = 1, -1;
    uint8_t *dst = glim_graph_const_alloc(c->g, count ? (size_t)count * es : 1, c->err);
    if (!dst) return c->failed = 1, -1;
    int64_t H = v->ndim == 4 ? v->shape[2] : 1, W = v->ndim == 4 ? v->shape[3] : 1,
            C = v->ndim == 4 ? v->shape[1] : 1;
    for (int64_t i = 0; i < count; i++) {
        int64_t src = i;
        if (layout == OL_NHWC && v->ndim == 4) { /* i is NHWC; find the NCHW index */
            int64_t ch = i % C, w = (i / C) % W, h = (i / C / W) % H, n = i / C / W / H;
            src = ((n * C + ch) * H + h) * W + w;
        }
        switch (v->dtype) {
        case GLIM_F32: ((float *)dst)[i] = ((const float *)v->cdata)[src]; break;
        case GLIM_BOOL: ((uint8_t *)dst)[i] = ((const uint8_t *)v->cdata)[src]; break;
        case GLIM_I64: ((int64_t *)dst)[i] = ((const int64_t *)v->cdata)[src]; break;
        case GLIM_I32: ((int32_t *)dst)[i] = (int32_t)((const int64_t *)v->cdata)[src]; break;
        case GLIM_I16: ((int16_t *)dst)[i] = (int16_t)((const int64_t *)v->cdata)[src]; break;
        case GLIM_I8: ((int8_t *)dst)[i] = (int8_t)((const int64_t *)v->cdata)[src]; break;
        case GLIM_U8: ((uint8_t *)dst)[i] = (uint8_t)((const int64_t *)v->cdata)[src]; break;
        default: break;
        }
    }
    if (glim_graph_set_const(c->g, idx, dst, c->err) != GLIM_OK) return c->failed = 1, -1;
    return idx;
}

int ob_tensor(ob_ctx *c, ob_value *v, int layout)
{
    if (layout == OL_NHWC && v->ndim != 4) layout = OL_NCHW;
    if (v->cdata) {
        int *slot = layout == OL_NCHW ? &v->gt : &v->gt_other;
        if (*slot < 0) *slot = materialize(c, v, layout, value_name(c, v));
        return *slot;
    }
    if (v->layout == layout) return v->gt;
    if (v->gt_other >= 0) return v->gt_other;
    int64_t ps[GLIM_MAX_DIMS];
    physical(layout, v->ndim, v->shape, ps);
    char name[200];
    snprintf(name, sizeof name, "%s/%s", value_name(c, v), layout == OL_NHWC ? "nhwc" : "nchw");
    int t = glim_graph_add_tensor(c->g, name, v->dtype, v->ndim, ps, GLIM_TENSOR_ACTIVATION, c->err);
    if (t < 0) return c->failed = 1, -1;
    if (v->shape[1] == 1 || v->shape[2] * v->shape[3] == 1) {
        /* both orders are the same bytes: a reshape, not a transpose */
        glim_reshape_params rp = {.ndim = 4};
        memcpy(rp.shape, ps, sizeof(int64_t) * 4);
        if (glim_graph_add_node(c->g, GLIM_OP_RESHAPE, name, 1, &v->gt, 1, &t, &rp, sizeof rp, c->err) < 0)
            return c->failed = 1, -1;
        v->gt_other = t;
        return t;
    }
    glim_transpose_params p = {.ndim = 4};
    const int to_nhwc[4] = {0, 2, 3, 1}, to_nchw[4] = {0, 3, 1, 2};
    memcpy(p.perm, layout == OL_NHWC ? to_nhwc : to_nchw, sizeof to_nhwc);
    if (glim_graph_add_node(c->g, GLIM_OP_TRANSPOSE, name, 1, &v->gt, 1, &t, &p, sizeof p, c->err) < 0)
        return c->failed = 1, -1;
    v->gt_other = t;
    return t;
}

int ob_tensor4(ob_ctx *c, ob_value *v, int layout)
{
    if (layout != OL_NHWC || v->ndim == 4 || !v->cdata || v->ndim > 4) return ob_tensor(c, v, layout);
    ob_value t = *v;
    t.ndim = 4;
    for (int i = 0; i < 4; i++) t.shape[i] = i < 4 - v->ndim ? 1 : v->shape[i - (4 - v->ndim)];
    return materialize(c, &t, OL_NHWC, value_name(c, v));
}

static ob_value *out_value(ob_ctx *c, const onnx_node *n, int k)
{
    if (k >= n->nout || n->out[k] < 0) return NULL;
    ob_value *v = &c->v[n->out[k]];
    if (v->defined) {
        ob_fail(c, n, GLIM_EFORMAT, "output '%s' is defined twice", value_name(c, v));
        return NULL;
    }
    return v;
}

int ob_out(ob_ctx *c, const onnx_node *n, int k, glim_dtype dt, int ndim, const int64_t *shape,
           int layout)
{
    if (k >= n->nout || n->out[k] < 0) { /* an unnamed output the graph ignores */
        return ob_temp(c, n, "unused", dt, ndim, shape); /* layout irrelevant */
    }
    ob_value *v = out_value(c, n, k);
    if (!v) return -1;
    if (ndim > GLIM_MAX_DIMS) return ob_fail(c, n, GLIM_EUNSUPPORTED, "rank %d", ndim), -1;
    if (layout == OL_NHWC && ndim != 4) layout = OL_NCHW;
    int64_t ps[GLIM_MAX_DIMS];
    physical(layout, ndim, shape, ps);
    for (int i = 0; i < ndim; i++)
        if (shape[i] < 0) return ob_fail(c, n, GLIM_EFORMAT, "output %d has a negative dim", k), -1;
    int64_t cnt = glim_shape_count(ndim, shape);
    if (cnt < 0 || cnt > ((int64_t)1 << 34))
        return ob_fail(c, n, GLIM_ELIMIT, "output %d is too large", k), -1;
    if (cnt == 0) /* the kernels assume at least one element */
        return ob_fail(c, n, GLIM_EUNSUPPORTED, "output %d would be empty (a dim of size 0)", k), -1;
    c->act_bytes += (size_t)cnt * glim_dtype_size(dt);
    if (c->act_bytes > c->opts->max_activation_bytes)
        return ob_fail(c, n, GLIM_ELIMIT, "activations need more than %zu bytes (limit)",
                       c->opts->max_activation_bytes), -1;
    int t = glim_graph_add_tensor(c->g, value_name(c, v), dt, ndim, ps, GLIM_TENSOR_ACTIVATION, c->err);
    if (t < 0) return c->failed = 1, -1;
    v->defined = 1;
    v->dtype = dt;
    v->ndim = ndim;
    memcpy(v->shape, shape, sizeof(int64_t) * (size_t)ndim);
    v->layout = layout;
    v->gt = t;
    v->gt_other = -1;
    v->cdata = NULL;
    return t;
}

glim_status ob_out_const(ob_ctx *c, const onnx_node *n, int k, glim_dtype dt, int onnx_type,
                         int ndim, const int64_t *shape, void *data)
{
    if (k >= n->nout || n->out[k] < 0) return GLIM_OK;
    ob_value *v = out_value(c, n, k);
    if (!v) return c->err->code;
    int64_t cnt = glim_shape_count(ndim, shape);
    if (ndim < 0 || ndim > GLIM_MAX_DIMS || cnt < 0 || cnt > ((int64_t)1 << 34))
        return ob_fail(c, n, GLIM_ELIMIT, "output %d is too large", k);
    v->defined = 1;
    v->dtype = dt;
    v->onnx_type = onnx_type;
    v->ndim = ndim;
    memcpy(v->shape, shape, sizeof(int64_t) * (size_t)ndim);
    v->cdata = data;
    v->layout = OL_NCHW;
    v->gt = v->gt_other = -1;
    return GLIM_OK;
}

glim_status ob_alias(ob_ctx *c, const onnx_node *n, int k, const ob_value *src)
{
    if (k >= n->nout || n->out[k] < 0) return GLIM_OK;
    ob_value *v = out_value(c, n, k);
    if (!v) return c->err->code;
    *v = *src;
    return GLIM_OK;
}

glim_status ob_node(ob_ctx *c, const onnx_node *n, glim_op_id op, int nin, const int *in,
                    int nout, const int *out, const void *params, size_t psize)
{
    for (int i = 0; i < nout; i++)
        if (out[i] < 0) return c->err->code;
    for (int i = 0; i < nin; i++)
        if (in[i] < -1 || (in[i] == -1 && c->failed)) return c->err->code;
    if (glim_graph_add_node(c->g, op, n->name, nin, in, nout, out, params, psize, c->err) < 0) {
        c->failed = 1;
        return c->err->code;
    }
    return GLIM_OK;
}

int ob_temp(ob_ctx *c, const onnx_node *n, const char *suffix, glim_dtype dt, int ndim,
            const int64_t *shape)
{
    char name[200];
    if (glim_shape_count(ndim, shape) <= 0)
        return ob_fail(c, n, GLIM_EUNSUPPORTED, "an intermediate tensor would be empty or too "
                       "large"), -1;
    snprintf(name, sizeof name, "%s/%s", n->name, suffix);
    int t = glim_graph_add_tensor(c->g, name, dt, ndim, shape, GLIM_TENSOR_ACTIVATION, c->err);
    if (t < 0) c->failed = 1;
    return t;
}

int ob_const(ob_ctx *c, const char *name, glim_dtype dt, int ndim, const int64_t *shape,
             const void *data)
{
    int t = glim_graph_add_tensor(c->g, name, dt, ndim, shape, GLIM_TENSOR_CONSTANT, c->err);
    if (t < 0 || glim_graph_set_const_copy(c->g, t, data, c->err) != GLIM_OK) {
        c->failed = 1;
        return -1;
    }
    return t;
}

int ob_const_ref(ob_ctx *c, const char *name, glim_dtype dt, int ndim, const int64_t *shape,
                 void *data)
{
    int t = glim_graph_add_tensor(c->g, name, dt, ndim, shape, GLIM_TENSOR_CONSTANT, c->err);
    if (t < 0 || glim_graph_set_const(c->g, t, data, c->err) != GLIM_OK) {
        c->failed = 1;
        return -1;
    }
    return t;
}

ob_wcache *ob_cache_get(ob_ctx *c, int slot)
{
    if (!c->wcache) return NULL;
    for (ob_wcache *w = *c->wcache; w; w = w->next)
        if (w->node == c->node && w->slot == slot) return w;
    return NULL;
}

ob_wcache *ob_cache_put(ob_ctx *c, int slot, void *data, int ndim, const int64_t *shape)
{
    ob_wcache *w = glim_calloc(1, sizeof *w);
    if (!w) {
        glim_free(data);
        ob_fail(c, NULL, GLIM_ENOMEM, "out of memory");
        return NULL;
    }
    w->node = c->node;
    w->slot = slot;
    w->data = data;
    w->ndim = ndim;
    memcpy(w->shape, shape, sizeof(int64_t) * (size_t)ndim);
    w->next = *c->wcache;
    *c->wcache = w;
    return w;
}

glim_status ob_cache_pair(ob_ctx *c, void *w, int ndim, const int64_t *shape, void *b, int64_t n,
                          ob_wcache **wc, ob_wcache **bc)
{
    *wc = ob_cache_put(c, 0, w, ndim, shape);
    if (!*wc) {
        glim_free(b);
        return c->err->code;
    }
    *bc = ob_cache_put(c, 1, b, 1, &n);
    return *bc ? GLIM_OK : c->err->code;
}

void onnx_cache_free(ob_wcache *w)
{
    while (w) {
        ob_wcache *n = w->next;
        glim_free(w->data);
        glim_free(w);
        w = n;
    }
}

/* ---- the build ------------------------------------------------------------ */

int onnx_graph_dtype(int onnx_type, glim_dtype *out)
{
    switch (onnx_type) {
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

static glim_status name_io(ob_ctx *c, glim_model_io *io, const char *name)
{
    size_t n = strlen(name) + 1;
    char *s = glim_alloc(n);
    if (!s) return ob_fail(c, NULL, GLIM_ENOMEM, "out of memory");
    memcpy(s, name, n);
    io->name = s;
    return GLIM_OK;
}

static glim_status build(ob_ctx *c, const int *in_ndim, const int64_t (*in_shape)[GLIM_MAX_DIMS],
                         glim_model_io *ins, glim_model_io *outs)
{
    onnx_model *m = c->m;
    glim_status st;
    for (int id = 0; id < m->nvalues; id++) {
        ob_value *v = &c->v[id];
        v->gt = v->gt_other = -1;
        int ii = m->values[id].init;
        if (ii < 0) continue;
        const onnx_tensor *t = &m->inits[ii];
        glim_dtype gd;
        if (!onnx_graph_dtype(t->onnx_type, &gd))
            return ob_fail(c, NULL, GLIM_EUNSUPPORTED, "initializer '%s' has an unsupported type", t->name);
        v->defined = 1;
        v->dtype = gd;
        v->onnx_type = t->onnx_type;
        v->ndim = t->ndim;
        memcpy(v->shape, t->dims, sizeof v->shape);
        v->cdata = t->data;
    }
    for (int i = 0; i < m->ninputs; i++) {
        const onnx_value *ov = &m->values[m->inputs[i]];
        ob_value *v = &c->v[m->inputs[i]];
        glim_dtype gd;
        if (!onnx_graph_dtype(ov->elem_type, &gd))
            return ob_fail(c, NULL, GLIM_EUNSUPPORTED, "graph input '%s' has element type %d",
                           ov->name, ov->elem_type);
        if ((st = name_io(c, &ins[i], ov->name)) != GLIM_OK) return st;
        ins[i].dtype = ins[i].file_dtype = gd;
        ins[i].ndim = in_ndim[i];
        memcpy(ins[i].shape, in_shape[i], sizeof ins[i].shape);
        int64_t cnt = glim_shape_count(in_ndim[i], in_shape[i]);
        if (cnt == 0)
            return ob_fail(c, NULL, GLIM_EUNSUPPORTED, "input '%s' is empty (a dim of size 0)", ov->name);
        if (cnt < 0 || (c->act_bytes += (size_t)cnt * glim_dtype_size(gd)) > c->opts->max_activation_bytes)
            return ob_fail(c, NULL, GLIM_ELIMIT, "input '%s' needs more than %zu bytes (limit)",
                           ov->name, c->opts->max_activation_bytes);
        int t = glim_graph_add_tensor(c->g, ov->name, gd, in_ndim[i], in_shape[i], GLIM_TENSOR_INPUT, c->err);
        if (t < 0) return c->failed = 1, c->err->code;
        ins[i].tensor = t;
        v->defined = 1;
        v->dtype = gd;
        v->onnx_type = ov->elem_type;
        v->ndim = in_ndim[i];
        memcpy(v->shape, in_shape[i], sizeof v->shape);
        v->layout = OL_NCHW;
        v->gt = t;
        v->gt_other = -1;
    }
    for (int i = 0; i < m->nnodes; i++) {
        if (c->skip[i]) continue;
        const onnx_node *n = &m->nodes[i];
        c->node = i;
        for (int k = 0; k < n->nin; k++)
            if (n->in[k] >= 0 && !c->v[n->in[k]].defined)
                return ob_fail(c, n, GLIM_EFORMAT, "input '%s' is used before any node produces it",
                               m->values[n->in[k]].name);
        const onnx_op_entry *e = onnx_node_op(m, n, c->err);
        if (!e) return c->failed = 1, c->err->code;
        if ((st = e->fn(c, n)) != GLIM_OK) return st;
        if (c->failed) return c->err->code;
    }
    int gout[64], gin[64];
    for (int i = 0; i < m->noutputs; i++) {
        const onnx_value *ov = &m->values[m->outputs[i]];
        ob_value *v = &c->v[m->outputs[i]];
        if (!v->defined) return ob_fail(c, NULL, GLIM_EFORMAT, "graph output '%s' is never produced", ov->name);
        if ((st = name_io(c, &outs[i], ov->name)) != GLIM_OK) return st;
        int t = ob_tensor(c, v, OL_NCHW);
        if (t < 0) return c->err->code;
        outs[i].dtype = outs[i].file_dtype = v->dtype;
        outs[i].ndim = v->ndim;
        memcpy(outs[i].shape, v->shape, sizeof outs[i].shape);
        outs[i].tensor = t;
        gout[i] = t;
    }
    for (int i = 0; i < m->ninputs; i++) gin[i] = ins[i].tensor;
    if (glim_graph_set_io(c->g, m->ninputs, gin, m->noutputs, gout, c->err) != GLIM_OK)
        return c->failed = 1, c->err->code;
    return GLIM_OK;
}

glim_status onnx_build(onnx_model *m, const glim_model_opts *opts, ob_wcache **cache,
                       const int *in_ndim, const int64_t (*in_shape)[GLIM_MAX_DIMS],
                       glim_graph **graph, glim_model_io *ins, glim_model_io *outs,
                       glim_error *err)
{
    glim_error local;
    if (!err) err = &local;
    ob_state s;
    memset(&s, 0, sizeof s);
    ob_ctx *c = &s.c;
    c->m = m;
    c->err = err;
    c->opts = opts;
    c->wcache = cache;
    *graph = NULL;
    glim_status st = glim_graph_new(&c->g, err);
    if (st != GLIM_OK) return st;
    c->v = glim_calloc((size_t)m->nvalues + 1, sizeof *c->v);
    c->skip = glim_calloc((size_t)m->nnodes + 1, 1);
    if (!c->v || !c->skip) st = glim_fail(err, GLIM_ENOMEM, "onnx: out of memory");
    else st = build(c, in_ndim, in_shape, ins, outs);
    glim_free(c->v);
    glim_free(c->skip);
    while (s.mem) {
        ob_mem *n = s.mem->next;
        glim_free(s.mem);
        s.mem = n;
    }
    if (st != GLIM_OK) {
        glim_graph_free(c->g);
        return st;
    }
    *graph = c->g;
    return GLIM_OK;
}
