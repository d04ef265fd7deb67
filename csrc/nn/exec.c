/*
 * exec.c — prepare (validate, infer shapes, plan, allocate) and run.
 *
 * Prepare walks the nodes in order: every input must be a constant with
 * data, a graph input, or the output of an earlier node; each op's prepare
 * validates its params and infers its outputs' shapes, which are checked
 * against the shapes the importer declared. Then the planner places every
 * activation and scratch buffer in one arena. Run only calls each op's eval.
 */
#include "ops/kernel.h"

#include <stdio.h>
#include <string.h>

size_t glim_plan_arena(glim_graph *g, size_t *activation_bytes);

static void shape_str(char *buf, size_t cap, int ndim, const int64_t *shape)
{
    size_t k = 0;
    k += (size_t)snprintf(buf + k, cap - k, "[");
    for (int i = 0; i < ndim && k < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, i ? ",%lld" : "%lld", (long long)shape[i]);
    if (k < cap) snprintf(buf + k, cap - k, "]");
}

static glim_status prepare_nodes(glim_graph *g, glim_error *err)
{
    if (g->noutputs < 1) return glim_fail(err, GLIM_EINVAL, "prepare: graph has no outputs");
    for (int i = 0; i < g->ntensors; i++) {
        glim_gtensor *t = &g->tensors[i];
        t->producer = -1;
        if (t->kind == GLIM_TENSOR_ACTIVATION) {
            t->ndim = t->decl_ndim;
            t->data = NULL;
        }
        if (t->kind == GLIM_TENSOR_CONSTANT && !t->data && t->nbytes)
            return glim_fail(err, GLIM_EINVAL, "prepare: constant '%s' has no data", t->name);
    }
    for (int i = 0; i < g->ninputs; i++) {
        glim_gtensor *t = &g->tensors[g->inputs[i]];
        if (t->kind != GLIM_TENSOR_INPUT)
            return glim_fail(err, GLIM_EINVAL, "prepare: graph input '%s' is not an input tensor",
                             t->name);
    }
    for (int i = 0; i < g->nnodes; i++) {
        glim_node *n = &g->nodes[i];
        const glim_op_vtable *vt = glim_op_vtable_of(n->op);
        for (int k = 0; k < n->ninputs; k++) {
            if (n->inputs[k] < 0) continue;
            glim_gtensor *t = &g->tensors[n->inputs[k]];
            if (t->kind == GLIM_TENSOR_ACTIVATION && t->producer < 0)
                return glim_node_fail(n, err, GLIM_EINVAL,
                                      "input '%s' is not produced by an earlier node", t->name);
        }
        for (int k = 0; k < n->noutputs; k++) {
            glim_gtensor *t = &g->tensors[n->outputs[k]];
            if (t->kind != GLIM_TENSOR_ACTIVATION)
                return glim_node_fail(n, err, GLIM_EINVAL, "output '%s' is a %s tensor", t->name,
                                      t->kind == GLIM_TENSOR_CONSTANT ? "constant" : "input");
            if (t->producer >= 0)
                return glim_node_fail(n, err, GLIM_EINVAL,
                                      "output '%s' is already produced by node '%s'", t->name,
                                      g->nodes[t->producer].name);
        }
        n->scratch = 0; /* n->state survives: shapes are static, so ops reuse it */
        n->reads_also = -1;
        glim_status st = vt->prepare(g, n, err);
        if (st != GLIM_OK) return st;
        for (int k = 0; k < n->noutputs; k++) {
            glim_gtensor *t = &g->tensors[n->outputs[k]];
            if (t->ndim < 0)
                return glim_node_fail(n, err, GLIM_EINVAL, "output '%s' got no shape", t->name);
            int same = t->decl_ndim < 0 || t->decl_ndim == t->ndim;
            for (int d = 0; same && t->decl_ndim >= 0 && d < t->ndim; d++)
                same = t->decl_shape[d] == t->shape[d];
            if (!same) {
                char a[96], b[96];
                shape_str(a, sizeof a, t->ndim, t->shape);
                shape_str(b, sizeof b, t->decl_ndim, t->decl_shape);
                return glim_node_fail(n, err, GLIM_EINVAL,
                                      "output '%s' has shape %s, the graph declares %s", t->name,
                                      a, b);
            }
            t->producer = i;
        }
    }
    for (int i = 0; i < g->noutputs; i++) {
        glim_gtensor *t = &g->tensors[g->outputs[i]];
        if (t->kind == GLIM_TENSOR_ACTIVATION && t->producer < 0)
            return glim_fail(err, GLIM_EINVAL, "prepare: graph output '%s' is never produced",
                             t->name);
    }
    return GLIM_OK;
}

glim_status glim_graph_prepare(glim_graph *g, int threads, glim_error *err)
{
    if (!g) return glim_fail(err, GLIM_EINVAL, "prepare: NULL graph");
    if (g->failed) return glim_fail(err, GLIM_EINVAL, "prepare: graph is in a failed state");
    if (threads < 1) threads = 1;
    if (threads > 64) threads = 64;
    g->prepared = 0;
    int old_threads = g->threads;
    g->threads = threads; /* ops size per-thread scratch from it */
    glim_status st = prepare_nodes(g, err);
    if (st != GLIM_OK) {
        g->failed = 1;
        return st;
    }
    size_t act = 0;
    size_t size = glim_plan_arena(g, &act);
    if (size == (size_t)-1) return glim_fail(err, GLIM_ENOMEM, "prepare: out of memory");
    glim_free(g->arena);
    g->arena = glim_calloc(1, size ? size : 64);
    if (!g->arena) {
        g->arena_size = 0;
        return glim_fail(err, GLIM_ENOMEM, "prepare: cannot allocate a %zu-byte arena", size);
    }
    g->arena_size = size;
    g->activation_bytes = act;
    unsigned char *base = g->arena;
    for (int i = 0; i < g->ntensors; i++) {
        glim_gtensor *t = &g->tensors[i];
        if (t->kind == GLIM_TENSOR_CONSTANT) continue;
        t->data = base + t->arena_offset;
    }
    for (int i = 0; i < g->nnodes; i++)
        g->nodes[i].scratch_data = g->nodes[i].scratch ? base + g->nodes[i].scratch_offset : NULL;

    if (threads != old_threads || (threads > 1 && !g->pool_threads)) {
        glim_threads_free(g->pool_threads);
        g->pool_threads = NULL;
        if (threads > 1) {
            g->pool_threads = glim_threads_new(threads - 1);
            if (!g->pool_threads)
                return glim_fail(err, GLIM_ENOMEM, "prepare: cannot start %d threads",
                                 threads - 1);
        }
    }
    glim_blas_set_threads(g->threads);
    g->prepared = 1;
    return GLIM_OK;
}

glim_status glim_graph_run(glim_graph *g, glim_error *err)
{
    if (!g || !g->prepared)
        return glim_fail(err, GLIM_EINVAL, "run: graph is not prepared");
    glim_blas_set_threads(g->threads);
    for (int i = 0; i < g->nnodes; i++) {
        const glim_node *n = &g->nodes[i];
        glim_op_vtable_of(n->op)->eval(g, n);
    }
    return GLIM_OK;
}

void glim_graph_set_reference(glim_graph *g, int on)
{
    if (g) g->reference = on ? 1 : 0;
}

void glim_graph_get_stats(const glim_graph *g, glim_graph_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!g) return;
    out->nodes = g->nnodes;
    out->tensors = g->ntensors;
    out->weights_bytes = g->weights_size;
    if (!g->prepared) return;
    out->arena_bytes = g->arena_size;
    out->activation_bytes = g->activation_bytes;
    for (int i = 0; i < g->nnodes; i++) {
        const glim_node *n = &g->nodes[i];
        if (n->scratch > out->scratch_bytes) out->scratch_bytes = n->scratch;
        const glim_op_vtable *vt = glim_op_vtable_of(n->op);
        if (vt->flops) out->flops += vt->flops(g, n);
    }
}
