/*
 * planner.c — the activation memory planner.
 *
 * Every non-constant tensor and every node's scratch is a buffer with a
 * lifetime [first, last] in node indices: a tensor lives from its producer
 * to its last consumer; graph inputs and outputs live for the whole run (the
 * caller writes inputs before the run and reads outputs after it); scratch
 * lives only during its node. Buffers are placed greedily by decreasing size
 * at the lowest 64-byte aligned offset that does not overlap a placed buffer
 * whose lifetime intersects (TFLite's "greedy by size" plan). The arena size
 * is the highest end offset.
 */
#include "ops/kernel.h"

#include <stdlib.h>
#include <string.h>

typedef struct pbuf {
    size_t size, offset;
    int first, last;
    int tensor; /* tensor index, or -1 - node index for scratch */
    int placed;
} pbuf;

static int by_size_desc(const void *a, const void *b)
{
    const pbuf *x = a, *y = b;
    if (x->size != y->size) return x->size < y->size ? 1 : -1;
    if (x->first != y->first) return x->first - y->first;
    return x->tensor - y->tensor;
}

static int by_offset(const void *a, const void *b)
{
    const pbuf *const *x = a, *const *y = b;
    return (*x)->offset < (*y)->offset ? -1 : (*x)->offset > (*y)->offset;
}

static size_t round64(size_t n) { return (n + 63) & ~(size_t)63; }

/* Fill first_use/last_use/arena_offset of every non-constant tensor and
 * scratch_offset of every node; returns the arena size, or (size_t)-1 when
 * out of memory for the plan itself. */
size_t glim_plan_arena(glim_graph *g, size_t *activation_bytes);

size_t glim_plan_arena(glim_graph *g, size_t *activation_bytes)
{
    int nn = g->nnodes;
    for (int i = 0; i < g->ntensors; i++) {
        glim_gtensor *t = &g->tensors[i];
        t->first_use = t->producer;
        t->last_use = t->producer;
    }
    for (int i = 0; i < nn; i++) {
        const glim_node *n = &g->nodes[i];
        for (int k = 0; k < n->ninputs; k++) {
            if (n->inputs[k] < 0) continue;
            glim_gtensor *t = &g->tensors[n->inputs[k]];
            if (t->last_use < i) t->last_use = i;
        }
        if (n->reads_also >= 0 && g->tensors[n->reads_also].last_use < i)
            g->tensors[n->reads_also].last_use = i;
    }
    for (int i = 0; i < g->ninputs; i++) {
        glim_gtensor *t = &g->tensors[g->inputs[i]];
        t->first_use = -1;
        t->last_use = nn;
    }
    for (int i = 0; i < g->noutputs; i++) {
        glim_gtensor *t = &g->tensors[g->outputs[i]];
        t->last_use = nn;
        if (t->kind == GLIM_TENSOR_INPUT) t->first_use = -1;
    }

    int nb = 0;
    pbuf *b = glim_alloc((size_t)(g->ntensors + nn + 1) * sizeof *b);
    pbuf **live = glim_alloc((size_t)(g->ntensors + nn + 1) * sizeof *live);
    if (!b || !live) {
        glim_free(b);
        glim_free(live);
        return (size_t)-1;
    }
    size_t sum = 0;
    for (int i = 0; i < g->ntensors; i++) {
        glim_gtensor *t = &g->tensors[i];
        if (t->kind == GLIM_TENSOR_CONSTANT) continue;
        if (t->kind == GLIM_TENSOR_ACTIVATION && t->producer < 0) continue; /* unused */
        if (t->kind == GLIM_TENSOR_INPUT && t->first_use != -1) t->first_use = -1;
        sum += t->nbytes;
        b[nb++] = (pbuf){round64(t->nbytes), 0, t->first_use, t->last_use, i, 0};
    }
    for (int i = 0; i < nn; i++)
        if (g->nodes[i].scratch)
            b[nb++] = (pbuf){round64(g->nodes[i].scratch), 0, i, i, -1 - i, 0};
    *activation_bytes = sum;

    qsort(b, (size_t)nb, sizeof *b, by_size_desc);
    size_t arena = 0;
    for (int i = 0; i < nb; i++) {
        int nl = 0;
        for (int j = 0; j < i; j++)
            if (b[j].first <= b[i].last && b[i].first <= b[j].last) live[nl++] = &b[j];
        qsort(live, (size_t)nl, sizeof *live, by_offset);
        size_t off = 0;
        for (int j = 0; j < nl; j++) {
            if (live[j]->offset >= off + b[i].size) break; /* fits in the gap */
            size_t end = live[j]->offset + live[j]->size;
            if (end > off) off = end;
        }
        b[i].offset = off;
        if (off + b[i].size > arena) arena = off + b[i].size;
    }
    for (int i = 0; i < nb; i++) {
        if (b[i].tensor >= 0)
            g->tensors[b[i].tensor].arena_offset = b[i].offset;
        else
            g->nodes[-1 - b[i].tensor].scratch_offset = b[i].offset;
    }
    glim_free(b);
    glim_free(live);
    return arena;
}
