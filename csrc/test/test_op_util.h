/*
 * test_op_util.h — shared by the op tests: read a fixture written by
 * tools/fixtures/ops.py (spec/fixtures/ops/<case>.bin, paths relative to the
 * repo root) and run one op on it through a real graph, with the fast
 * kernels (1 and 2 threads) and with the reference kernels, each compared
 * with the expected outputs.
 */
#ifndef GLIMPSE_TEST_OP_UTIL_H
#define GLIMPSE_TEST_OP_UTIL_H

#include "check.h"
#include "nn/graph.h"

#include <stdlib.h>
#include <string.h>

typedef struct fx_tensor {
    glim_dtype dtype;
    int ndim;
    int64_t shape[GLIM_MAX_DIMS];
    int64_t count;
    void *data;
} fx_tensor;

typedef struct fixture {
    int n;
    fx_tensor t[32];
} fixture;

static void fx_free(fixture *f)
{
    for (int i = 0; i < f->n; i++) free(f->t[i].data);
    f->n = 0;
}

static int fx_load(const char *name, fixture *f)
{
    char path[256];
    snprintf(path, sizeof path, "spec/fixtures/ops/%s.bin", name);
    memset(f, 0, sizeof *f);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        printf("#   cannot open %s (run tests from the repo root)\n", path);
        return -1;
    }
    char magic[4];
    uint32_t count;
    int ok = fread(magic, 1, 4, fp) == 4 && memcmp(magic, "GOPF", 4) == 0 &&
             fread(&count, 4, 1, fp) == 1 && count <= 32;
    for (uint32_t i = 0; ok && i < count; i++) {
        fx_tensor *t = &f->t[i];
        uint32_t dt, nd;
        ok = fread(&dt, 4, 1, fp) == 1 && fread(&nd, 4, 1, fp) == 1 && nd <= GLIM_MAX_DIMS &&
             dt < GLIM_DTYPE_COUNT;
        if (!ok) break;
        t->dtype = (glim_dtype)dt;
        t->ndim = (int)nd;
        if (nd && fread(t->shape, 8, nd, fp) != nd) { ok = 0; break; }
        t->count = glim_shape_count(t->ndim, t->shape);
        size_t bytes = (size_t)t->count * glim_dtype_size(t->dtype);
        t->data = malloc(bytes ? bytes : 1);
        if (bytes && fread(t->data, 1, bytes, fp) != bytes) ok = 0;
        f->n = (int)i + 1;
    }
    fclose(fp);
    if (!ok) {
        printf("#   malformed fixture %s\n", path);
        fx_free(f);
        return -1;
    }
    return 0;
}

static double fx_get(glim_dtype dt, const void *p, int64_t i)
{
    switch (dt) {
    case GLIM_F32: return ((const float *)p)[i];
    case GLIM_I32: return ((const int32_t *)p)[i];
    case GLIM_I64: return (double)((const int64_t *)p)[i];
    case GLIM_U8: return ((const uint8_t *)p)[i];
    case GLIM_I8: return ((const int8_t *)p)[i];
    case GLIM_I16: return ((const int16_t *)p)[i];
    case GLIM_BOOL: return ((const uint8_t *)p)[i];
    default: return 0;
    }
}

/* Compare a graph tensor with an expected fixture tensor: shape, dtype, and
 * |got - want| <= tol * max(1, |want|) elementwise. */
static int fx_compare(const char *label, const glim_gtensor *got, const fx_tensor *want,
                      double tol)
{
    int bad = got->dtype != want->dtype || got->ndim != want->ndim;
    for (int d = 0; !bad && d < got->ndim; d++) bad = got->shape[d] != want->shape[d];
    if (bad) {
        printf("#   %s: got %s rank %d, want %s rank %d (or a dim differs)\n", label,
               glim_dtype_name(got->dtype), got->ndim, glim_dtype_name(want->dtype), want->ndim);
        check_failed_now = 1;
        return 0;
    }
    double worst = 0;
    int64_t at = -1;
    for (int64_t i = 0; i < want->count; i++) {
        double a = fx_get(got->dtype, got->data, i), b = fx_get(want->dtype, want->data, i);
        double e = fabs(a - b) / (fabs(b) > 1 ? fabs(b) : 1);
        if (!(e <= worst)) { worst = e; at = i; }
    }
    if (worst > tol || worst != worst) {
        printf("#   %s: element %lld: got %g want %g (error %g > tol %g)\n", label, (long long)at,
               fx_get(got->dtype, got->data, at), fx_get(want->dtype, want->data, at), worst, tol);
        check_failed_now = 1;
        return 0;
    }
    return 1;
}

/* Run `op` on fixture `name`: the first strlen(kinds) tensors are the
 * inputs ('i' graph input, 'c' constant, '-' absent: no tensor consumed),
 * the next `nout` are the expected outputs. */
static void fx_check_op(const char *name, glim_op_id op, const void *params, size_t psize,
                        const char *kinds, int nout, double tol)
{
    fixture f;
    if (fx_load(name, &f) != 0) {
        check_failed_now = 1;
        return;
    }
    glim_error err = {0};
    glim_graph *g = NULL;
    CHECK_OK(glim_graph_new(&g, &err), err);
    int nin = (int)strlen(kinds), ins[32], outs[32], gin[32], ngin = 0, k = 0;
    for (int i = 0; i < nin; i++) {
        if (kinds[i] == '-') { ins[i] = -1; continue; }
        fx_tensor *t = &f.t[k++];
        glim_tensor_kind kind = kinds[i] == 'c' ? GLIM_TENSOR_CONSTANT : GLIM_TENSOR_INPUT;
        ins[i] = glim_graph_add_tensor(g, NULL, t->dtype, t->ndim, t->shape, kind, &err);
        CHECK(ins[i] >= 0);
        if (kind == GLIM_TENSOR_CONSTANT) CHECK_OK(glim_graph_set_const_copy(g, ins[i], t->data, &err), err);
        else gin[ngin++] = ins[i];
    }
    int first_out = k;
    for (int i = 0; i < nout; i++) {
        outs[i] = glim_graph_add_tensor(g, NULL, f.t[k + i].dtype, -1, NULL,
                                        GLIM_TENSOR_ACTIVATION, &err);
    }
    CHECK(glim_graph_add_node(g, op, name, nin, ins, nout, outs, params, psize, &err) >= 0);
    CHECK_OK(glim_graph_set_io(g, ngin, gin, nout, outs, &err), err);
    static const struct { int threads, reference; } modes[] = {{1, 0}, {2, 0}, {1, 1}};
    for (int m = 0; m < 3 && !check_failed_now; m++) {
        glim_status st = glim_graph_prepare(g, modes[m].threads, &err);
        CHECK_OK(st, err);
        if (st != GLIM_OK) break;
        glim_graph_set_reference(g, modes[m].reference);
        for (int i = 0, kk = 0; i < nin; i++) {
            if (kinds[i] == '-') continue;
            fx_tensor *t = &f.t[kk++];
            if (kinds[i] == 'i') memcpy(glim_graph_tensor(g, ins[i])->data, t->data,
                                        (size_t)t->count * glim_dtype_size(t->dtype));
        }
        CHECK_OK(glim_graph_run(g, &err), err);
        for (int i = 0; i < nout; i++) {
            char label[128];
            snprintf(label, sizeof label, "%s output %d (%s, %d threads)", name, i,
                     modes[m].reference ? "reference" : "fast", modes[m].threads);
            fx_compare(label, glim_graph_tensor(g, outs[i]), &f.t[first_out + i], tol);
        }
    }
    glim_graph_free(g);
    fx_free(&f);
}

/* Deterministic pseudo-random floats in [-1, 1). */
static inline float fx_rand(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return (float)((*s >> 8) & 0xffff) / 32768.f - 1.f;
}

#endif
