/*
 * fully_connected.c — FULLY_CONNECTED (dense layer).
 *
 *   y[b,m] = act( bias[m] + sum_k x[b,k] * w[m,k] )
 *   x [..., K] viewed as [B, K] with B = count / K (TFLite FullyConnected:
 *   the input is flattened to rows of K = w's second dim), w [M, K]
 *   (TFLite layout; ONNX Gemm with transB = 1, or MatMul with the weights
 *   transposed once by the importer), bias [M] optional.
 *   Output: [B, M], or x's leading dims + [M] when keep_dims is set.
 *   float32. One cblas_sgemm (x · wᵀ), then bias + activation.
 */
#include "kernel.h"

#include <cblas.h>

static glim_status fc_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_fully_connected_params *p = n->params;
    glim_status st;
    if ((st = glim_need_arity(n, 2, 3, 1, err)) ||
        (st = glim_need_input(g, n, 0, GLIM_F32, 1, GLIM_MAX_DIMS, "input", err)) ||
        (st = glim_need_input(g, n, 1, GLIM_F32, 2, 2, "weights", err)) ||
        (st = glim_check_act(n, p->act, err)))
        return st;
    glim_gtensor *x = glim_in(g, n, 0), *w = glim_in(g, n, 1), *b = glim_in(g, n, 2);
    int64_t M = w->shape[0], K = w->shape[1];
    if (K < 1 || x->count % K != 0)
        return glim_node_fail(n, err, GLIM_EINVAL,
                              "input has %lld values, not a multiple of the weights' %lld inputs",
                              (long long)x->count, (long long)K);
    if (b) {
        if ((st = glim_need_input(g, n, 2, GLIM_F32, 1, 1, "bias", err))) return st;
        if (b->shape[0] != M)
            return glim_node_fail(n, err, GLIM_EINVAL, "bias has %lld values, expected %lld",
                                  (long long)b->shape[0], (long long)M);
    }
    if (p->keep_dims) {
        if (x->shape[x->ndim - 1] != K)
            return glim_node_fail(n, err, GLIM_EINVAL,
                                  "keep_dims needs the input's last dim (%lld) to be %lld",
                                  (long long)x->shape[x->ndim - 1], (long long)K);
        int64_t shape[GLIM_MAX_DIMS];
        for (int i = 0; i < x->ndim - 1; i++) shape[i] = x->shape[i];
        shape[x->ndim - 1] = M;
        return glim_out_shape(g, n, 0, GLIM_F32, x->ndim, shape, err);
    }
    int64_t shape[2] = {x->count / K, M};
    return glim_out_shape(g, n, 0, GLIM_F32, 2, shape, err);
}

static void fc_eval(glim_graph *g, const glim_node *n)
{
    const glim_fully_connected_params *p = n->params;
    glim_gtensor *xt = glim_in(g, n, 0), *wt = glim_in(g, n, 1), *bt = glim_in(g, n, 2);
    const float *x = xt->data, *w = wt->data, *b = bt ? bt->data : NULL;
    float *y = glim_out(g, n, 0)->data;
    int64_t M = wt->shape[0], K = wt->shape[1], B = xt->count / K;
    if (g->reference) {
        for (int64_t r = 0; r < B; r++)
            for (int64_t m = 0; m < M; m++) {
                float acc = b ? b[m] : 0.f;
                for (int64_t k = 0; k < K; k++) acc += x[r * K + k] * w[m * K + k];
                y[r * M + m] = acc;
            }
    } else if (B == 1) {
        cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)M, (int)K, 1.f, w, (int)K, x, 1, 0.f, y, 1);
        if (b)
            for (int64_t m = 0; m < M; m++) y[m] += b[m];
    } else {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)B, (int)M, (int)K, 1.f, x,
                    (int)K, w, (int)K, 0.f, y, (int)M);
        if (b)
            for (int64_t r = 0; r < B; r++)
                for (int64_t m = 0; m < M; m++) y[r * M + m] += b[m];
    }
    glim_apply_act(y, B * M, p->act);
}

static double fc_flops(const glim_graph *g, const glim_node *n)
{
    const glim_gtensor *w = &g->tensors[n->inputs[1]];
    return 2.0 * (double)g->tensors[n->outputs[0]].count * (double)w->shape[1];
}

const glim_op_vtable glim_op_fully_connected = {"FULLY_CONNECTED",
                                                sizeof(glim_fully_connected_params), fc_prepare,
                                                fc_eval, fc_flops};
