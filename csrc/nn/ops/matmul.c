/*
 * matmul.c — MATMUL: numpy / ONNX MatMul with an optional bias and a fused
 * activation.
 *
 *   y[..., m, n] = act( bias[n] + sum_k a[..., m, k] * b[..., k, n] )
 *   a [..., M, K], b [..., K, N] (or [..., N, K] with params.transpose_b),
 *   bias [N] optional. The batch dims (all but the last two) broadcast as in
 *   numpy. A 1-D a is a row [1, K] whose M dim is dropped from the output; a
 *   1-D b is a column [K, 1] whose N dim is dropped. float32.
 *
 * Kernels:
 *  - b a constant single matrix (the weights of a projection): packed once
 *    at prepare into the 16-column panels of gemm.c's micro-kernels (bias
 *    and clamp activations fused into the store), a's batches flattened
 *    into rows and the rows split across the graph's threads (or, for a
 *    few rows against many columns, the column panels). Very large
 *    products (over 2^27 multiply-adds) go to OpenBLAS instead, whose
 *    cache blocking wins there.
 *  - b computed (attention: q . k^T, p . v): cblas_sgemm per batch, on b as
 *    it lies (transposed or not, no copy); bias and activation in a second
 *    pass. Small products (at most 2^18 multiply-adds, which OpenBLAS runs
 *    on the calling thread) are spread over the graph's threads a batch at
 *    a time; larger ones run one after the other on OpenBLAS's threads
 *    (set to the graph's count), so one level of threads is ever active.
 *    Measured on the OCR recognizer's attention shapes ([8,80,40] x
 *    [8,40,80]), OpenBLAS's small-matrix kernels beat packing b per run.
 * With reference kernels (glim_graph_set_reference) plain loops compute the
 * same sums.
 */
#include "kernel.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#define PANEL 16 /* columns per packed panel (gemm.c's layout: [K][16] per panel) */
/* Above this many multiply-adds a constant b goes to OpenBLAS unpacked. */
#define MAX_PACKED_MACS 134217728.0 /* 2^27 */

typedef struct mm_state {
    int64_t M, N, K;
    int nb;                          /* batch rank of the output */
    int64_t bshape[GLIM_MAX_DIMS];   /* output batch dims */
    /* a's and b's element strides per batch dim (0 where it broadcasts) */
    int64_t sa[GLIM_MAX_DIMS], sb[GLIM_MAX_DIMS];
    int64_t nbatch;
    int64_t sbk, sbn;                /* b's element strides along k and along n */
    int b_single;                    /* b is one matrix: a's batches flatten into rows */
    int64_t npanels, panel_floats;   /* a packed b: npanels * K * 16 floats */
    glim_packed *pk;                 /* b packed at prepare (a constant single matrix) */
} mm_state;

/* Pack the K x N matrix b (element (k, n) at b[k * sk + n * sn]) into
 * 16-column panels [K][16], the last one zero-padded. */
static void pack_b(const float *b, int64_t sk, int64_t sn, int64_t N, int64_t K, float *dst)
{
    int64_t np = (N + PANEL - 1) / PANEL;
    for (int64_t p = 0; p < np; p++) {
        float *d = dst + p * K * PANEL;
        int64_t c0 = p * PANEL, cols = N - c0 < PANEL ? N - c0 : PANEL;
        if (sn == 1 && cols == PANEL) {
            for (int64_t kk = 0; kk < K; kk++)
                memcpy(d + kk * PANEL, b + kk * sk + c0, PANEL * sizeof(float));
        } else if (sn == 1) {
            for (int64_t kk = 0; kk < K; kk++) {
                memcpy(d + kk * PANEL, b + kk * sk + c0, (size_t)cols * sizeof(float));
                memset(d + kk * PANEL + cols, 0, (size_t)(PANEL - cols) * sizeof(float));
            }
        } else {
            if (cols < PANEL) memset(d, 0, (size_t)(K * PANEL) * sizeof(float));
            for (int64_t j = 0; j < cols; j++) {
                const float *col = b + (c0 + j) * sn;
                for (int64_t kk = 0; kk < K; kk++) d[kk * PANEL + j] = col[kk * sk];
            }
        }
    }
}

/* A glim_packed view of panels at `data` (layout of pack_b) with `bias`. */
static void packed_view(glim_packed *pk, float *data, float *bias, int64_t N, int64_t K)
{
    memset(pk, 0, sizeof *pk);
    pk->n = N;
    pk->k = K;
    pk->npanels = (N + PANEL - 1) / PANEL;
    pk->nfull = N / PANEL;
    pk->isa = glim_gemm_best_isa();
    pk->data = data;
    pk->tail = pk->npanels > pk->nfull ? data + pk->nfull * K * PANEL : NULL;
    pk->bias = bias;
}

static glim_status mm_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_matmul_params *p = n->params;
    glim_status st;
    if ((st = glim_need_arity(n, 2, 3, 1, err)) ||
        (st = glim_need_input(g, n, 0, GLIM_F32, 1, GLIM_MAX_DIMS, "a", err)) ||
        (st = glim_need_input(g, n, 1, GLIM_F32, 1, GLIM_MAX_DIMS, "b", err)) ||
        (st = glim_check_act(n, p->act, err)))
        return st;
    if (p->transpose_b != 0 && p->transpose_b != 1)
        return glim_node_fail(n, err, GLIM_EINVAL, "transpose_b is %d, expected 0 or 1",
                              p->transpose_b);
    glim_gtensor *a = glim_in(g, n, 0), *b = glim_in(g, n, 1), *bias = glim_in(g, n, 2);
    int a1 = a->ndim == 1, b1 = b->ndim == 1;
    int64_t M = a1 ? 1 : a->shape[a->ndim - 2], K = a->shape[a->ndim - 1], N, Kb;
    int64_t sbk, sbn;
    if (b1) {
        N = 1, Kb = b->shape[0], sbk = 1, sbn = 1;
    } else if (p->transpose_b) {
        N = b->shape[b->ndim - 2], Kb = b->shape[b->ndim - 1], sbk = 1, sbn = Kb;
    } else {
        Kb = b->shape[b->ndim - 2], N = b->shape[b->ndim - 1], sbk = N, sbn = 1;
    }
    if (K != Kb)
        return glim_node_fail(n, err, GLIM_EINVAL,
                              "inner dims differ: a has K = %lld, b has K = %lld%s",
                              (long long)K, (long long)Kb,
                              p->transpose_b ? " (b transposed)" : "");
    if (bias) {
        if ((st = glim_need_input(g, n, 2, GLIM_F32, 1, 1, "bias", err))) return st;
        if (bias->shape[0] != N)
            return glim_node_fail(n, err, GLIM_EINVAL, "bias has %lld values, expected N = %lld",
                                  (long long)bias->shape[0], (long long)N);
    }
    /* batch dims, right-aligned, numpy broadcasting */
    int na = a->ndim > 2 ? a->ndim - 2 : 0, nbb = b->ndim > 2 ? b->ndim - 2 : 0;
    int nb = na > nbb ? na : nbb;
    mm_state s;
    memset(&s, 0, sizeof s);
    s.M = M, s.N = N, s.K = K, s.nb = nb, s.sbk = sbk, s.sbn = sbn, s.nbatch = 1;
    int64_t acc_a = M * K, acc_b = K * N, bcount = 1;
    for (int i = nb - 1; i >= 0; i--) {
        int ia = i - (nb - na), ib = i - (nb - nbb);
        int64_t da = ia >= 0 ? a->shape[ia] : 1, db = ib >= 0 ? b->shape[ib] : 1;
        if (da != db && da != 1 && db != 1)
            return glim_node_fail(n, err, GLIM_EINVAL,
                                  "batch dims do not broadcast: dim %d is %lld in a and %lld in b",
                                  i, (long long)da, (long long)db);
        s.bshape[i] = da == 1 ? db : da;
        s.sa[i] = da == 1 ? 0 : acc_a;
        s.sb[i] = db == 1 ? 0 : acc_b;
        acc_a *= da;
        acc_b *= db;
        bcount *= db;
        s.nbatch *= s.bshape[i];
    }
    s.b_single = bcount == 1;
    if (s.nbatch * M > INT32_MAX || N > INT32_MAX || K > INT32_MAX) /* cblas takes ints */
        return glim_node_fail(n, err, GLIM_ELIMIT, "%lld x %lld x %lld is too large",
                              (long long)(s.nbatch * M), (long long)K, (long long)N);
    s.npanels = (N + PANEL - 1) / PANEL;
    s.panel_floats = s.npanels * K * PANEL;
    int64_t shape[GLIM_MAX_DIMS];
    int r = 0;
    for (int i = 0; i < nb; i++) shape[r++] = s.bshape[i];
    if (!a1) shape[r++] = M;
    if (!b1) shape[r++] = N;
    if ((st = glim_out_shape(g, n, 0, GLIM_F32, r, shape, err))) return st;

    mm_state *old = n->state;
    if (!old) {
        old = glim_graph_pool_alloc(g, sizeof *old);
        if (!old) return glim_node_fail(n, err, GLIM_ENOMEM, "out of memory");
        memset(old, 0, sizeof *old);
        n->state = old;
    }
    glim_packed *pk = old->pk;
    /* a constant single b: pack it once (kept across prepares: shapes and
     * constants do not change) */
    double macs = (double)s.nbatch * (double)M * (double)N * (double)K;
    if (!pk && s.b_single && b->kind == GLIM_TENSOR_CONSTANT && macs > 0 &&
        macs <= MAX_PACKED_MACS) {
        pk = glim_graph_pool_alloc(g, sizeof *pk);
        float *data = glim_graph_pool_alloc(g, (size_t)(s.panel_floats + s.npanels * PANEL) *
                                                   sizeof(float));
        if (!pk || !data) return glim_node_fail(n, err, GLIM_ENOMEM, "cannot pack b");
        pack_b(b->data, sbk, sbn, N, K, data);
        float *bb = data + s.panel_floats;
        memset(bb, 0, (size_t)(s.npanels * PANEL) * sizeof(float));
        if (bias && bias->kind == GLIM_TENSOR_CONSTANT)
            memcpy(bb, bias->data, (size_t)N * sizeof(float));
        packed_view(pk, data, bb, N, K);
    }
    s.pk = pk;
    *old = s;
    return GLIM_OK;
}

/* ---- reference ----------------------------------------------------------- */

static void batch_offsets(const mm_state *s, int64_t bi, int64_t *oa, int64_t *ob)
{
    *oa = *ob = 0;
    for (int i = s->nb - 1; i >= 0; i--) {
        int64_t k = bi % s->bshape[i];
        bi /= s->bshape[i];
        *oa += k * s->sa[i];
        *ob += k * s->sb[i];
    }
}

static void mm_reference(glim_graph *g, const glim_node *n, const mm_state *s)
{
    const glim_matmul_params *p = n->params;
    const float *a = glim_in(g, n, 0)->data, *b = glim_in(g, n, 1)->data;
    glim_gtensor *bt = glim_in(g, n, 2);
    const float *bias = bt ? bt->data : NULL;
    float *y = glim_out(g, n, 0)->data;
    for (int64_t bi = 0; bi < s->nbatch; bi++) {
        int64_t oa, ob;
        batch_offsets(s, bi, &oa, &ob);
        for (int64_t m = 0; m < s->M; m++)
            for (int64_t j = 0; j < s->N; j++) {
                float acc = bias ? bias[j] : 0.f;
                for (int64_t k = 0; k < s->K; k++)
                    acc += a[oa + m * s->K + k] * b[ob + k * s->sbk + j * s->sbn];
                y[(bi * s->M + m) * s->N + j] = glim_act1(acc, p->act);
            }
    }
    if (p->act == GLIM_ACT_TANH || p->act == GLIM_ACT_SIGMOID)
        glim_apply_act(y, s->nbatch * s->M * s->N, p->act);
}

/* ---- fast path ----------------------------------------------------------- */

/* OpenBLAS runs a product of at most this many multiply-adds on the calling
 * thread (interface/gemm.c: SMP_THRESHOLD_MIN * GEMM_MULTITHREAD_THRESHOLD),
 * so up to this size several of our threads may each run their own batch
 * without the two levels of threads competing for the cores. */
#define BLAS_SERIAL_MACS 262144.0

typedef struct mm_job {
    const mm_state *s;
    int transpose_b;
    const float *a, *b, *bias;
    float *y;
    float lo, hi;
    glim_activation act;
} mm_job;

/* bias + activation over rows [r0, r1) of an output just computed */
static void bias_act(const mm_job *j, float *y, int64_t rows)
{
    const int64_t N = j->s->N;
    if (j->bias)
        for (int64_t r = 0; r < rows; r++) {
            float *yr = y + r * N;
            for (int64_t c = 0; c < N; c++) yr[c] += j->bias[c];
        }
    if (j->act != GLIM_ACT_NONE) glim_apply_act(y, rows * N, j->act);
}

/* Rows [r0, r1) of a (batches flattened) against the b packed at prepare. */
static void mm_rows(void *arg, int64_t r0, int64_t r1)
{
    const mm_job *j = arg;
    const mm_state *s = j->s;
    glim_gemm_packed(j->a, s->K, s->pk, j->y, s->N, r0, r1, j->lo, j->hi);
    if (j->act == GLIM_ACT_TANH || j->act == GLIM_ACT_SIGMOID)
        glim_apply_act(j->y + r0 * s->N, (r1 - r0) * s->N, j->act);
}

/* Column panels [p0, p1) of all rows (few rows, many columns: each thread
 * reads only its share of the packed b). */
static void mm_panels(void *arg, int64_t p0, int64_t p1)
{
    const mm_job *j = arg;
    const mm_state *s = j->s;
    int64_t rows = s->nbatch * s->M;
    glim_gemm_packed_cols(j->a, s->K, s->pk, j->y, s->N, 0, rows, p0, p1, j->lo, j->hi);
    if (j->act == GLIM_ACT_TANH || j->act == GLIM_ACT_SIGMOID) {
        int64_t c0 = p0 * PANEL, c1 = p1 * PANEL < s->N ? p1 * PANEL : s->N;
        for (int64_t r = 0; r < rows; r++) glim_apply_act(j->y + r * s->N + c0, c1 - c0, j->act);
    }
}

/* rows x N = a [rows, K] . b (one matrix), by OpenBLAS */
static void blas_product(const mm_job *j, const float *a, const float *b, float *y, int64_t rows)
{
    const mm_state *s = j->s;
    if (s->N == 1 || j->transpose_b) /* b [N, K]; a 1-D b is the same column either way */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)s->N, (int)s->K,
                    1.f, a, (int)s->K, b, (int)s->K, 0.f, y, (int)s->N);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)s->N, (int)s->K,
                    1.f, a, (int)s->K, b, (int)s->N, 0.f, y, (int)s->N);
    bias_act(j, y, rows);
}

static void mm_batches(void *arg, int64_t b0, int64_t b1)
{
    const mm_job *j = arg;
    const mm_state *s = j->s;
    for (int64_t bi = b0; bi < b1; bi++) {
        int64_t oa, ob;
        batch_offsets(s, bi, &oa, &ob);
        blas_product(j, j->a + oa, j->b + ob, j->y + bi * s->M * s->N, s->M);
    }
}

static void mm_eval(glim_graph *g, const glim_node *n)
{
    const glim_matmul_params *p = n->params;
    const mm_state *s = n->state;
    float *y = glim_out(g, n, 0)->data;
    if (s->nbatch * s->M * s->N == 0) return;
    if (g->reference) {
        mm_reference(g, n, s);
        return;
    }
    glim_gtensor *bt = glim_in(g, n, 2);
    mm_job j = {s, p->transpose_b, glim_in(g, n, 0)->data, glim_in(g, n, 1)->data,
                bt ? bt->data : NULL, y, -INFINITY, INFINITY, p->act};
    if (s->K == 0) { /* an empty sum: bias (or 0), then the activation */
        memset(y, 0, (size_t)(s->nbatch * s->M * s->N) * sizeof(float));
        bias_act(&j, y, s->nbatch * s->M);
        return;
    }
    int64_t rows = s->nbatch * s->M;
    if (s->pk) {
        glim_act_range(p->act, &j.lo, &j.hi);
        if (bt && bt->kind != GLIM_TENSOR_CONSTANT) /* a computed bias: refresh it */
            memcpy(s->pk->bias, bt->data, (size_t)s->N * sizeof(float));
        if (rows <= 128 && s->npanels >= 2 * g->threads && g->threads > 1) {
            /* a classifier head: few rows, thousands of columns */
            glim_parallel_for(g, s->npanels, 1, mm_panels, &j);
            return;
        }
        int64_t per_row = s->N * s->K, grain = 12;
        if (32768 / per_row + 1 > grain) grain = 32768 / per_row + 1;
        glim_parallel_for(g, rows, grain, mm_rows, &j);
        return;
    }
    if (s->b_single) { /* one product over all of a's rows */
        blas_product(&j, j.a, j.b, y, rows);
        return;
    }
    /* batches: whole small products per thread, or OpenBLAS's own threads */
    double macs = (double)s->M * (double)s->N * (double)s->K;
    if (macs <= BLAS_SERIAL_MACS) /* chunks of at least ~2^17 multiply-adds (a few us) */
        glim_parallel_for(g, s->nbatch, (int64_t)(131072.0 / macs) + 1, mm_batches, &j);
    else
        mm_batches(&j, 0, s->nbatch);
}

static double mm_flops(const glim_graph *g, const glim_node *n)
{
    const mm_state *s = n->state;
    if (!s) return 0;
    return 2.0 * (double)s->nbatch * (double)s->M * (double)s->N * (double)s->K;
}

const glim_op_vtable glim_op_matmul = {"MATMUL", sizeof(glim_matmul_params), mm_prepare, mm_eval,
                                       mm_flops};
