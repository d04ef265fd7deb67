/*
 * graph.c — the graph builder: tensors, constants, nodes, graph I/O.
 *
 * Small allocations (names, params, quantization arrays, op state) come from
 * a chunked pool freed with the graph; constant data from 64-byte aligned
 * blocks, also freed with the graph. Nothing here validates op semantics:
 * prepare (exec.c) does, so that every error names its node.
 */
#include "graph.h"
#include "ops/kernel.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct glim_graph_pool {
    struct glim_graph_pool *next;
    size_t used, cap;
    /* data follows, 64-byte aligned by the header padding */
} glim_graph_pool;

typedef struct glim_graph_block {
    struct glim_graph_block *next;
    unsigned char *data;
    size_t used, cap;
} glim_graph_block;

#define POOL_HDR ((sizeof(glim_graph_pool) + 63) & ~(size_t)63)
#define POOL_CHUNK (64 * 1024)

static size_t round64(size_t n) { return (n + 63) & ~(size_t)63; }

void *glim_graph_pool_alloc(glim_graph *g, size_t bytes)
{
    size_t need = round64(bytes ? bytes : 1);
    glim_graph_pool *p = g->pool;
    if (!p || p->cap - p->used < need) {
        size_t cap = need > POOL_CHUNK ? need : POOL_CHUNK;
        glim_graph_pool *np = glim_alloc(POOL_HDR + cap);
        if (!np) return NULL;
        np->used = 0;
        np->cap = cap;
        if (p && need > POOL_CHUNK) { /* a big one-off: keep the current chunk in front */
            np->next = p->next;
            p->next = np;
            np->used = need;
            memset((unsigned char *)np + POOL_HDR, 0, need);
            return (unsigned char *)np + POOL_HDR;
        }
        np->next = p;
        g->pool = p = np;
    }
    void *r = (unsigned char *)p + POOL_HDR + p->used;
    p->used += need;
    memset(r, 0, need);
    return r;
}

static const char *pool_strdup(glim_graph *g, const char *s)
{
    size_t n = strlen(s);
    char *d = glim_graph_pool_alloc(g, n + 1);
    if (d) memcpy(d, s, n + 1);
    return d;
}

glim_status glim_graph_new(glim_graph **out, glim_error *err)
{
    *out = NULL;
    glim_graph *g = glim_calloc(1, sizeof *g);
    if (!g) return glim_fail(err, GLIM_ENOMEM, "graph: out of memory");
    g->threads = 1;
    *out = g;
    return GLIM_OK;
}

void glim_graph_free(glim_graph *g)
{
    if (!g) return;
    glim_threads_free(g->pool_threads);
    glim_free(g->arena);
    for (glim_graph_block *b = g->consts; b;) {
        glim_graph_block *n = b->next;
        glim_free(b->data);
        glim_free(b);
        b = n;
    }
    for (glim_graph_pool *p = g->pool; p;) {
        glim_graph_pool *n = p->next;
        glim_free(p);
        p = n;
    }
    glim_free(g->tensors);
    glim_free(g->nodes);
    glim_free(g);
}

static glim_status building(glim_graph *g, glim_error *err)
{
    if (!g) return glim_fail(err, GLIM_EINVAL, "graph: NULL graph");
    if (g->failed) return glim_fail(err, GLIM_EINVAL, "graph: graph is in a failed state");
    return GLIM_OK;
}

int glim_graph_add_tensor(glim_graph *g, const char *name, glim_dtype dtype, int ndim,
                          const int64_t *shape, glim_tensor_kind kind, glim_error *err)
{
    if (building(g, err) != GLIM_OK) return -1;
    if ((unsigned)dtype >= GLIM_DTYPE_COUNT) {
        glim_fail(err, GLIM_EINVAL, "graph: tensor '%s': unknown dtype %d", name ? name : "?",
                  (int)dtype);
        return -1;
    }
    if ((unsigned)kind > GLIM_TENSOR_INPUT) {
        glim_fail(err, GLIM_EINVAL, "graph: tensor '%s': unknown kind %d", name ? name : "?",
                  (int)kind);
        return -1;
    }
    if (ndim < -1 || ndim > GLIM_MAX_DIMS || (ndim > 0 && !shape) ||
        (ndim == -1 && kind != GLIM_TENSOR_ACTIVATION)) {
        glim_fail(err, GLIM_EINVAL, "graph: tensor '%s': bad rank %d", name ? name : "?", ndim);
        return -1;
    }
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0) {
            glim_fail(err, GLIM_EINVAL, "graph: tensor '%s': dimension %d is %lld",
                      name ? name : "?", i, (long long)shape[i]);
            return -1;
        }
    }
    int64_t count = ndim >= 0 ? glim_shape_count(ndim, shape) : 0;
    size_t nbytes = 0;
    if (count < 0 || !glim_mul_size((size_t)count, glim_dtype_size(dtype), &nbytes)) {
        glim_fail(err, GLIM_ELIMIT, "graph: tensor '%s': shape too large", name ? name : "?");
        return -1;
    }
    if (g->ntensors == g->tensors_cap) {
        int cap = g->tensors_cap ? g->tensors_cap * 2 : 64;
        glim_gtensor *t = glim_alloc((size_t)cap * sizeof *t);
        if (!t) {
            glim_fail(err, GLIM_ENOMEM, "graph: out of memory");
            return -1;
        }
        if (g->ntensors) memcpy(t, g->tensors, (size_t)g->ntensors * sizeof *t);
        glim_free(g->tensors);
        g->tensors = t;
        g->tensors_cap = cap;
    }
    int idx = g->ntensors;
    char buf[32];
    if (!name) {
        snprintf(buf, sizeof buf, "t%d", idx);
        name = buf;
    }
    const char *nm = pool_strdup(g, name);
    if (!nm) {
        glim_fail(err, GLIM_ENOMEM, "graph: out of memory");
        return -1;
    }
    glim_gtensor *t = &g->tensors[idx];
    memset(t, 0, sizeof *t);
    t->name = nm;
    t->dtype = dtype;
    t->ndim = ndim;
    t->decl_ndim = ndim;
    for (int i = 0; i < ndim; i++) t->shape[i] = t->decl_shape[i] = shape[i];
    t->count = ndim >= 0 ? count : 0;
    t->nbytes = nbytes;
    t->kind = kind;
    t->producer = -1;
    t->first_use = t->last_use = -1;
    g->ntensors++;
    g->prepared = 0;
    return idx;
}

static glim_graph_block *new_block(glim_graph *g, size_t cap)
{
    glim_graph_block *b = glim_calloc(1, sizeof *b);
    if (!b) return NULL;
    b->data = glim_alloc(cap ? cap : 64);
    if (!b->data) {
        glim_free(b);
        return NULL;
    }
    b->cap = cap;
    b->next = g->consts;
    g->consts = b;
    return b;
}

void *glim_graph_weights_reserve(glim_graph *g, size_t bytes, glim_error *err)
{
    if (building(g, err) != GLIM_OK) return NULL;
    glim_graph_block *b = new_block(g, round64(bytes));
    if (!b) {
        glim_fail(err, GLIM_ENOMEM, "graph: cannot allocate %zu bytes of weights", bytes);
        return NULL;
    }
    return b->data;
}

void *glim_graph_const_alloc(glim_graph *g, size_t bytes, glim_error *err)
{
    if (building(g, err) != GLIM_OK) return NULL;
    size_t need = round64(bytes ? bytes : 1);
    if (need < bytes) {
        glim_fail(err, GLIM_ELIMIT, "graph: constant too large");
        return NULL;
    }
    glim_graph_block *b = g->consts;
    if (!b || b->cap - b->used < need) {
        size_t cap = need > (1u << 20) ? need : (1u << 20);
        b = new_block(g, cap);
        if (!b) {
            glim_fail(err, GLIM_ENOMEM, "graph: cannot allocate %zu bytes of weights", bytes);
            return NULL;
        }
    }
    void *r = b->data + b->used;
    b->used += need;
    g->weights_size += bytes;
    return r;
}

int glim_graph_owns_const(const glim_graph *g, const void *p, size_t bytes)
{
    const unsigned char *q = p;
    for (const glim_graph_block *b = g->consts; b; b = b->next)
        if (q >= b->data && q + bytes <= b->data + b->cap) return 1;
    return 0;
}

static glim_gtensor *tensor_at(glim_graph *g, int idx, glim_error *err)
{
    if (building(g, err) != GLIM_OK) return NULL;
    if (idx < 0 || idx >= g->ntensors) {
        glim_fail(err, GLIM_EINVAL, "graph: tensor index %d out of range (0..%d)", idx,
                  g->ntensors - 1);
        return NULL;
    }
    return &g->tensors[idx];
}

glim_status glim_graph_set_const(glim_graph *g, int idx, void *data, glim_error *err)
{
    glim_gtensor *t = tensor_at(g, idx, err);
    if (!t) return err ? err->code : GLIM_EINVAL;
    if (t->kind != GLIM_TENSOR_CONSTANT)
        return glim_fail(err, GLIM_EINVAL, "graph: tensor '%s' is not a constant", t->name);
    if (!data && t->nbytes)
        return glim_fail(err, GLIM_EINVAL, "graph: constant '%s' given no data", t->name);
    t->data = data;
    return GLIM_OK;
}

glim_status glim_graph_set_const_copy(glim_graph *g, int idx, const void *src, glim_error *err)
{
    glim_gtensor *t = tensor_at(g, idx, err);
    if (!t) return err ? err->code : GLIM_EINVAL;
    if (t->kind != GLIM_TENSOR_CONSTANT)
        return glim_fail(err, GLIM_EINVAL, "graph: tensor '%s' is not a constant", t->name);
    void *d = glim_graph_const_alloc(g, t->nbytes, err);
    if (!d) return GLIM_ENOMEM;
    if (t->nbytes) memcpy(d, src, t->nbytes);
    t->data = d;
    return GLIM_OK;
}

glim_status glim_graph_set_quant(glim_graph *g, int idx, int n, int axis, const float *scales,
                                 const int32_t *zero_points, glim_error *err)
{
    glim_gtensor *t = tensor_at(g, idx, err);
    if (!t) return err ? err->code : GLIM_EINVAL;
    if (n < 0 || (n > 0 && !scales))
        return glim_fail(err, GLIM_EINVAL, "graph: tensor '%s': bad quantization count %d",
                         t->name, n);
    t->quant.n = 0;
    if (n == 0) return GLIM_OK;
    float *s = glim_graph_pool_alloc(g, (size_t)n * sizeof *s);
    int32_t *z = glim_graph_pool_alloc(g, (size_t)n * sizeof *z);
    if (!s || !z) return glim_fail(err, GLIM_ENOMEM, "graph: out of memory");
    memcpy(s, scales, (size_t)n * sizeof *s);
    if (zero_points) memcpy(z, zero_points, (size_t)n * sizeof *z);
    t->quant.n = n;
    t->quant.axis = axis;
    t->quant.scale = s;
    t->quant.zero_point = z;
    return GLIM_OK;
}

int glim_graph_add_node(glim_graph *g, glim_op_id op, const char *name, int ninputs,
                        const int *inputs, int noutputs, const int *outputs, const void *params,
                        size_t params_size, glim_error *err)
{
    if (building(g, err) != GLIM_OK) return -1;
    const glim_op_vtable *vt = glim_op_vtable_of(op);
    char buf[32];
    if (!name) {
        snprintf(buf, sizeof buf, "n%d", g->nnodes);
        name = buf;
    }
    if (!vt) {
        glim_fail(err, GLIM_EINVAL, "graph: node '%s': unknown op id %d", name, (int)op);
        return -1;
    }
    if (ninputs < 0 || noutputs < 1 || (ninputs && !inputs) || !outputs) {
        glim_fail(err, GLIM_EINVAL, "graph: node '%s' (%s): bad input/output counts %d/%d",
                  name, vt->name, ninputs, noutputs);
        return -1;
    }
    if (params && params_size != vt->params_size) {
        glim_fail(err, GLIM_EINVAL, "graph: node '%s' (%s): params are %zu bytes, expected %zu",
                  name, vt->name, params_size, vt->params_size);
        return -1;
    }
    for (int i = 0; i < ninputs; i++) {
        if (inputs[i] < -1 || inputs[i] >= g->ntensors) {
            glim_fail(err, GLIM_EINVAL, "graph: node '%s' (%s): input %d is tensor %d of %d",
                      name, vt->name, i, inputs[i], g->ntensors);
            return -1;
        }
    }
    for (int i = 0; i < noutputs; i++) {
        if (outputs[i] < 0 || outputs[i] >= g->ntensors) {
            glim_fail(err, GLIM_EINVAL, "graph: node '%s' (%s): output %d is tensor %d of %d",
                      name, vt->name, i, outputs[i], g->ntensors);
            return -1;
        }
    }
    if (g->nnodes == g->nodes_cap) {
        int cap = g->nodes_cap ? g->nodes_cap * 2 : 32;
        glim_node *nn = glim_alloc((size_t)cap * sizeof *nn);
        if (!nn) {
            glim_fail(err, GLIM_ENOMEM, "graph: out of memory");
            return -1;
        }
        if (g->nnodes) memcpy(nn, g->nodes, (size_t)g->nnodes * sizeof *nn);
        glim_free(g->nodes);
        g->nodes = nn;
        g->nodes_cap = cap;
    }
    glim_node *n = &g->nodes[g->nnodes];
    memset(n, 0, sizeof *n);
    n->op = op;
    n->reads_also = -1;
    n->name = pool_strdup(g, name);
    n->ninputs = ninputs;
    n->noutputs = noutputs;
    n->inputs = glim_graph_pool_alloc(g, (size_t)(ninputs ? ninputs : 1) * sizeof(int));
    n->outputs = glim_graph_pool_alloc(g, (size_t)noutputs * sizeof(int));
    if (vt->params_size) n->params = glim_graph_pool_alloc(g, vt->params_size);
    if (!n->name || !n->inputs || !n->outputs || (vt->params_size && !n->params)) {
        glim_fail(err, GLIM_ENOMEM, "graph: out of memory");
        return -1;
    }
    if (ninputs) memcpy(n->inputs, inputs, (size_t)ninputs * sizeof(int));
    memcpy(n->outputs, outputs, (size_t)noutputs * sizeof(int));
    if (params && vt->params_size) memcpy(n->params, params, vt->params_size);
    g->prepared = 0;
    return g->nnodes++;
}

glim_status glim_graph_set_io(glim_graph *g, int ninputs, const int *inputs, int noutputs,
                              const int *outputs, glim_error *err)
{
    glim_status st = building(g, err);
    if (st != GLIM_OK) return st;
    if (ninputs < 0 || noutputs < 1 || (ninputs && !inputs) || !outputs)
        return glim_fail(err, GLIM_EINVAL, "graph: bad input/output counts %d/%d", ninputs,
                         noutputs);
    for (int i = 0; i < ninputs; i++)
        if (inputs[i] < 0 || inputs[i] >= g->ntensors)
            return glim_fail(err, GLIM_EINVAL, "graph: input %d is tensor %d of %d", i,
                             inputs[i], g->ntensors);
    for (int i = 0; i < noutputs; i++)
        if (outputs[i] < 0 || outputs[i] >= g->ntensors)
            return glim_fail(err, GLIM_EINVAL, "graph: output %d is tensor %d of %d", i,
                             outputs[i], g->ntensors);
    int *in = glim_graph_pool_alloc(g, (size_t)(ninputs ? ninputs : 1) * sizeof(int));
    int *out = glim_graph_pool_alloc(g, (size_t)noutputs * sizeof(int));
    if (!in || !out) return glim_fail(err, GLIM_ENOMEM, "graph: out of memory");
    if (ninputs) memcpy(in, inputs, (size_t)ninputs * sizeof(int));
    memcpy(out, outputs, (size_t)noutputs * sizeof(int));
    g->inputs = in;
    g->ninputs = ninputs;
    g->outputs = out;
    g->noutputs = noutputs;
    g->prepared = 0;
    return GLIM_OK;
}

glim_gtensor *glim_graph_tensor(glim_graph *g, int idx)
{
    if (!g || idx < 0 || idx >= g->ntensors) return NULL;
    return &g->tensors[idx];
}

int glim_graph_find_tensor(const glim_graph *g, const char *name)
{
    for (int i = 0; g && name && i < g->ntensors; i++)
        if (strcmp(g->tensors[i].name, name) == 0) return i;
    return -1;
}

glim_status glim_node_fail(const glim_node *n, glim_error *err, glim_status code,
                           const char *fmt, ...)
{
    char detail[GLIM_ERROR_MSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return glim_fail(err, code, "prepare: node '%s' (%s): %s", n->name, glim_op_name(n->op),
                     detail);
}
