/* test_op_seq.c — the sequence, comparison and shape ops: CONV_TRANSPOSE,
 * GRU, LSTM (reverse, initial states, final states), RESIZE_* in ONNX's
 * modes, EQUAL / LESS / GREATER / LOGICAL_NOT / WHERE, EXPAND, SPLIT,
 * REDUCE_SUM / REDUCE_MAX. Fixtures come from tools/fixtures/ops_seq.py
 * (PyTorch / NumPy); every case runs the fast kernels at 1 and 2 threads and
 * the reference kernels (test_op_util.h). Random odd shapes check the fast
 * paths against the reference loops; bad graphs must fail at prepare with a
 * message naming the node.
 * Tolerances: 1e-4 relative for CONV_TRANSPOSE (float32 sums of <= 60
 * products), 1e-5 for GRU / LSTM (a handful of steps of float32 gates),
 * 1e-5 for bilinear resize weights, exact for nearest resize, comparisons,
 * WHERE, EXPAND, SPLIT and REDUCE_MAX, 1e-5 for REDUCE_SUM. */
#include "test_op_util.h"
#include "alloc_fail.h"
#include "nn/ops/kernel.h"

#define TOL 1e-4

static glim_conv_transpose_params ct(int sh, int sw, int dh, int dw, int pt, int pl, int pb,
                                     int pr, int oph, int opw, glim_activation act)
{
    glim_conv_transpose_params p = {sh, sw, dh, dw, pt, pl, pb, pr, oph, opw, act};
    return p;
}

static void test_conv_transpose_fixtures(void)
{
    glim_conv_transpose_params p;
    p = ct(2, 2, 1, 1, 0, 0, 0, 0, 0, 0, GLIM_ACT_RELU);
    fx_check_op("seq_ct_2x2_s2", GLIM_OP_CONV_TRANSPOSE, &p, sizeof p, "icc", 1, TOL);
    p = ct(2, 2, 0, 0, 0, 0, 0, 0, 0, 0, GLIM_ACT_NONE); /* dilation 0 means 1 */
    fx_check_op("seq_ct_2x2_s2_b2", GLIM_OP_CONV_TRANSPOSE, &p, sizeof p, "ic", 1, TOL);
    p = ct(2, 2, 1, 1, 1, 1, 1, 1, 1, 1, GLIM_ACT_RELU6);
    fx_check_op("seq_ct_3x3_s2_pad", GLIM_OP_CONV_TRANSPOSE, &p, sizeof p, "icc", 1, TOL);
    p = ct(2, 3, 1, 2, 2, 0, 1, 1, 0, 1, GLIM_ACT_NONE);
    fx_check_op("seq_ct_4x3_asym", GLIM_OP_CONV_TRANSPOSE, &p, sizeof p, "icc", 1, TOL);
    p = ct(1, 1, 2, 2, 2, 1, 2, 1, 0, 0, GLIM_ACT_TANH);
    fx_check_op("seq_ct_3x3_d2_tanh", GLIM_OP_CONV_TRANSPOSE, &p, sizeof p, "icc", 1, TOL);
    p = ct(1, 1, 1, 1, 0, 0, 0, 0, 0, 0, GLIM_ACT_NONE);
    fx_check_op("seq_ct_1x1_s1", GLIM_OP_CONV_TRANSPOSE, &p, sizeof p, "icc", 1, TOL);
    p = ct(2, 2, 1, 1, 0, 0, 0, 0, 0, 0, GLIM_ACT_RELU);
    fx_check_op("seq_ct_2x2_s2_c1", GLIM_OP_CONV_TRANSPOSE, &p, sizeof p, "icc", 1, TOL);
}

/* ---- a one-node graph over random data, run fast and reference ---------- */

typedef struct rnode {
    glim_graph *g;
    int ins[32], outs[8], nin, nout;
    glim_error err;
} rnode;

/* Inputs: kinds[i] 'i' input (random f32), 'c' constant (random f32), '-'
 * absent; shapes[i] with ranks[i]. Outputs: nout f32 tensors. */
static int rnode_build(rnode *r, glim_op_id op, const void *params, size_t psize,
                       const char *kinds, const int *ranks, int64_t shapes[][GLIM_MAX_DIMS],
                       int nout, uint32_t seed)
{
    memset(r, 0, sizeof *r);
    if (glim_graph_new(&r->g, &r->err) != GLIM_OK) return -1;
    r->nin = (int)strlen(kinds);
    r->nout = nout;
    int gin[32], ngin = 0;
    for (int i = 0; i < r->nin; i++) {
        if (kinds[i] == '-') { r->ins[i] = -1; continue; }
        glim_tensor_kind kind = kinds[i] == 'c' ? GLIM_TENSOR_CONSTANT : GLIM_TENSOR_INPUT;
        r->ins[i] = glim_graph_add_tensor(r->g, NULL, GLIM_F32, ranks[i], shapes[i], kind, &r->err);
        if (r->ins[i] < 0) return -1;
        if (kind == GLIM_TENSOR_CONSTANT) {
            int64_t cnt = glim_shape_count(ranks[i], shapes[i]);
            float *d = glim_graph_const_alloc(r->g, (size_t)cnt * sizeof(float), &r->err);
            if (!d) return -1;
            for (int64_t k = 0; k < cnt; k++) d[k] = fx_rand(&seed);
            glim_graph_set_const(r->g, r->ins[i], d, &r->err);
        } else {
            gin[ngin++] = r->ins[i];
        }
    }
    for (int i = 0; i < nout; i++)
        r->outs[i] = glim_graph_add_tensor(r->g, NULL, GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION,
                                           &r->err);
    if (glim_graph_add_node(r->g, op, "node_under_test", r->nin, r->ins, nout, r->outs, params,
                            psize, &r->err) < 0)
        return -1;
    return glim_graph_set_io(r->g, ngin, gin, nout, r->outs, &r->err) == GLIM_OK ? 0 : -1;
}

static void rnode_fill(rnode *r, uint32_t seed)
{
    for (int i = 0; i < r->g->ninputs; i++) {
        glim_gtensor *t = glim_graph_tensor(r->g, r->g->inputs[i]);
        float *d = t->data;
        for (int64_t k = 0; k < t->count; k++) d[k] = fx_rand(&seed);
    }
}

/* Fast (1 and 3 threads) against reference; tol relative. */
static void rnode_check(rnode *r, const char *label, double tol)
{
    float *want[8] = {0};
    static const struct { int threads, reference; } modes[] = {{1, 1}, {1, 0}, {3, 0}};
    for (int m = 0; m < 3; m++) {
        glim_status st = glim_graph_prepare(r->g, modes[m].threads, &r->err);
        CHECK_OK(st, r->err);
        if (st) return;
        glim_graph_set_reference(r->g, modes[m].reference);
        rnode_fill(r, 99);
        CHECK_OK(glim_graph_run(r->g, &r->err), r->err);
        for (int o = 0; o < r->nout; o++) {
            glim_gtensor *y = glim_graph_tensor(r->g, r->outs[o]);
            if (m == 0) {
                want[o] = malloc((size_t)y->count * sizeof(float));
                memcpy(want[o], y->data, (size_t)y->count * sizeof(float));
                continue;
            }
            const float *got = y->data;
            double worst = 0;
            int64_t at = 0;
            for (int64_t k = 0; k < y->count; k++) {
                double e = fabs(got[k] - want[o][k]) / (fabs(want[o][k]) > 1 ? fabs(want[o][k]) : 1);
                if (!(e <= worst)) { worst = e; at = k; }
            }
            if (!(worst <= tol)) {
                printf("#   %s output %d (%d threads): element %lld got %g want %g\n", label, o,
                       modes[m].threads, (long long)at, got[at], want[o][at]);
                check_failed_now = 1;
            }
        }
    }
    for (int o = 0; o < r->nout; o++) free(want[o]);
}

static void rnode_free(rnode *r) { glim_graph_free(r->g); }

/* Prepare must fail with `code` and a message containing `needle` (and the
 * node's name). */
static void rnode_expect_fail(rnode *r, glim_status code, const char *needle)
{
    glim_status st = glim_graph_prepare(r->g, 1, &r->err);
    CHECK(st == code);
    if (!strstr(r->err.msg, needle) || !strstr(r->err.msg, "node_under_test")) {
        printf("#   message '%s' lacks '%s' or the node name\n", r->err.msg, needle);
        check_failed_now = 1;
    }
}

/* Build the node (random data, seed 1), expect prepare to fail as
 * rnode_expect_fail does, and free it. */
static void expect_prepare_fail(glim_op_id op, const void *params, size_t psize, const char *kinds,
                                const int *ranks, int64_t shapes[][GLIM_MAX_DIMS], int nout,
                                glim_status code, const char *needle)
{
    rnode r;
    rnode_build(&r, op, params, psize, kinds, ranks, shapes, nout, 1);
    rnode_expect_fail(&r, code, needle);
    rnode_free(&r);
}

static void test_conv_transpose_sweep(void)
{
    /* N, H, W, Cin, Cout, KH, KW, sh, sw, dh, dw, pt, pl, pb, pr, oph, opw */
    static const int cases[][17] = {
        {1, 9, 13, 21, 35, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0},
        {2, 5, 3, 3, 17, 3, 3, 3, 3, 1, 1, 0, 0, 0, 0, 0, 0},
        {1, 11, 7, 33, 16, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 1, 1},
        {1, 6, 9, 13, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1},
        {2, 7, 5, 5, 19, 5, 3, 3, 2, 2, 1, 3, 0, 2, 1, 1, 0},
        {1, 17, 19, 40, 24, 4, 4, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0},
        {2, 13, 6, 13, 2, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0},
        {1, 5, 7, 8, 1, 2, 3, 2, 3, 1, 1, 0, 0, 0, 0, 0, 0},
        /* column scratch past 8 MB: several bands of output rows */
        {1, 40, 64, 8, 64, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 0, 0},
        {2, 31, 70, 5, 96, 4, 3, 2, 1, 2, 1, 3, 1, 0, 1, 1, 0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const int *k = cases[c];
        glim_conv_transpose_params p = ct(k[7], k[8], k[9], k[10], k[11], k[12], k[13], k[14],
                                          k[15], k[16], c % 2 ? GLIM_ACT_RELU : GLIM_ACT_NONE);
        int ranks[3] = {4, 4, 1};
        int64_t shapes[3][GLIM_MAX_DIMS] = {{k[0], k[1], k[2], k[3]}, {k[4], k[5], k[6], k[3]},
                                            {k[4]}};
        rnode r;
        char label[64];
        snprintf(label, sizeof label, "conv_transpose case %zu", c);
        if (rnode_build(&r, GLIM_OP_CONV_TRANSPOSE, &p, sizeof p, c == 2 ? "ic" : "icc", ranks,
                        shapes, 1, 7 + (uint32_t)c) != 0) {
            CHECK_OK(1, r.err);
        } else {
            rnode_check(&r, label, 1e-4);
        }
        rnode_free(&r);
    }
}

static void test_conv_transpose_errors(void)
{
    int ranks[3] = {4, 4, 1};
    int64_t shapes[3][GLIM_MAX_DIMS] = {{1, 4, 4, 3}, {5, 2, 2, 3}, {5}};
    glim_conv_transpose_params p = ct(0, 2, 1, 1, 0, 0, 0, 0, 0, 0, GLIM_ACT_NONE);
    expect_prepare_fail(GLIM_OP_CONV_TRANSPOSE, &p, sizeof p, "icc", ranks, shapes, 1, GLIM_EINVAL,
                        "stride 0x2 must be positive");
    p = ct(2, 2, 1, 1, 0, 0, 0, 0, 2, 0, GLIM_ACT_NONE);
    expect_prepare_fail(GLIM_OP_CONV_TRANSPOSE, &p, sizeof p, "icc", ranks, shapes, 1, GLIM_EINVAL,
                        "output padding 2x0");
    p = ct(1, 1, 1, 1, 3, 0, 3, 0, 0, 0, GLIM_ACT_NONE); /* crops everything */
    expect_prepare_fail(GLIM_OP_CONV_TRANSPOSE, &p, sizeof p, "icc", ranks, shapes, 1, GLIM_EINVAL,
                        "output size -1x5 is invalid");
    shapes[1][3] = 4; /* weights' Cin differs from the input's */
    p = ct(2, 2, 1, 1, 0, 0, 0, 0, 0, 0, GLIM_ACT_NONE);
    expect_prepare_fail(GLIM_OP_CONV_TRANSPOSE, &p, sizeof p, "icc", ranks, shapes, 1,
                        GLIM_EUNSUPPORTED, "weights have 4 input channels, the input has 3");
    shapes[1][3] = 3;
    shapes[2][0] = 4;
    expect_prepare_fail(GLIM_OP_CONV_TRANSPOSE, &p, sizeof p, "icc", ranks, shapes, 1, GLIM_EINVAL,
                        "bias has 4 values, expected 5");
    shapes[2][0] = 5;
    expect_prepare_fail(GLIM_OP_CONV_TRANSPOSE, &p, sizeof p, "iic", ranks, shapes, 1,
                        GLIM_EUNSUPPORTED, "must be a constant");
}

/* ---- RESIZE_* in ONNX's modes ------------------------------------------- */

enum { NM_TFL = 0, NM_FLOOR, NM_CEIL, NM_PFLOOR, NM_PCEIL };

static glim_resize_params rs(int oh, int ow, int align, int half, int pt, int nm, float sh,
                             float sw)
{
    glim_resize_params p = {oh, ow, align, half, pt, nm, sh, sw};
    return p;
}

static void test_resize_onnx_fixtures(void)
{
    glim_resize_params p;
    glim_op_id NEAR = GLIM_OP_RESIZE_NEAREST, LIN = GLIM_OP_RESIZE_BILINEAR;
    p = rs(10, 14, 0, 0, 0, NM_FLOOR, 2.f, 2.f);
    fx_check_op("seq_rs_nearest_asym_floor", NEAR, &p, sizeof p, "i", 1, 0);
    p = rs(9, 13, 0, 0, 0, NM_CEIL, 0, 0);
    fx_check_op("seq_rs_nearest_asym_ceil", NEAR, &p, sizeof p, "i", 1, 0);
    p = rs(4, 5, 0, 1, 0, NM_PFLOOR, 0, 0);
    fx_check_op("seq_rs_nearest_half_pfloor", NEAR, &p, sizeof p, "i", 1, 0);
    p = rs(4, 5, 0, 1, 0, NM_PCEIL, 0, 0);
    fx_check_op("seq_rs_nearest_half_pceil", NEAR, &p, sizeof p, "i", 1, 0);
    p = rs(13, 7, 0, 1, 0, NM_PCEIL, 0, 0);
    fx_check_op("seq_rs_nearest_half_pceil_up", NEAR, &p, sizeof p, "i", 1, 0);
    p = rs(9, 4, 1, 0, 0, NM_PCEIL, 0, 0);
    fx_check_op("seq_rs_nearest_align_pceil", NEAR, &p, sizeof p, "i", 1, 0);
    p = rs(11, 1, 0, 0, 1, NM_PFLOOR, 0, 0);
    fx_check_op("seq_rs_nearest_pt_one", NEAR, &p, sizeof p, "i", 1, 0);
    p = rs(11, 9, 0, 0, 0, NM_TFL, 11.f / 5.f, 9.f / 6.f); /* asymmetric: TFLite legacy */
    fx_check_op("seq_rs_linear_asym", LIN, &p, sizeof p, "i", 1, 1e-5);
    p = rs(11, 9, 0, 0, 0, NM_TFL, 0, 0); /* the same through the TFLite path */
    fx_check_op("seq_rs_linear_asym", LIN, &p, sizeof p, "i", 1, 1e-5);
    p = rs(10, 8, 0, 1, 0, NM_TFL, 2.5f, 1.7f);
    fx_check_op("seq_rs_linear_half_scales", LIN, &p, sizeof p, "i", 1, 1e-5);
    p = rs(1, 9, 0, 1, 1, NM_TFL, 0, 0);
    fx_check_op("seq_rs_linear_pt_one", LIN, &p, sizeof p, "i", 1, 1e-5);
    p = rs(5, 4, 0, 1, 1, NM_TFL, 0, 0);
    fx_check_op("seq_rs_linear_pt_down", LIN, &p, sizeof p, "i", 1, 1e-5);
}

/* The rounding mode matters: at exact ties (half_pixel, 2x down) floor and
 * ceil preferences pick different pixels. */
static void test_resize_onnx_ties(void)
{
    int ranks[1] = {4};
    int64_t shapes[1][GLIM_MAX_DIMS] = {{1, 1, 8, 1}};
    float got[2][4];
    for (int m = 0; m < 2; m++) {
        glim_resize_params p = rs(1, 4, 0, 1, 0, m ? NM_PCEIL : NM_PFLOOR, 0, 0);
        rnode r;
        if (rnode_build(&r, GLIM_OP_RESIZE_NEAREST, &p, sizeof p, "i", ranks, shapes, 1, 1)) {
            CHECK_OK(1, r.err);
            rnode_free(&r);
            return;
        }
        CHECK_OK(glim_graph_prepare(r.g, 1, &r.err), r.err);
        float *x = glim_graph_tensor(r.g, r.ins[0])->data;
        for (int i = 0; i < 8; i++) x[i] = (float)i;
        CHECK_OK(glim_graph_run(r.g, &r.err), r.err);
        memcpy(got[m], glim_graph_tensor(r.g, r.outs[0])->data, sizeof got[m]);
        rnode_free(&r);
    }
    /* source coordinates 0.5, 2.5, 4.5, 6.5 */
    for (int i = 0; i < 4; i++) {
        CHECK_NEAR(got[0][i], 2 * i, 0);
        CHECK_NEAR(got[1][i], 2 * i + 1, 0);
    }
}

static void test_resize_onnx_errors(void)
{
    int ranks[1] = {4};
    int64_t shapes[1][GLIM_MAX_DIMS] = {{1, 4, 4, 2}};
    glim_resize_params p = rs(8, 8, 0, 0, 0, 5, 0, 0);
    expect_prepare_fail(GLIM_OP_RESIZE_NEAREST, &p, sizeof p, "i", ranks, shapes, 1, GLIM_EINVAL,
                        "nearest_mode 5 is unknown");
    p = rs(8, 8, 0, 0, 0, NM_FLOOR, -2.f, 2.f);
    expect_prepare_fail(GLIM_OP_RESIZE_BILINEAR, &p, sizeof p, "i", ranks, shapes, 1, GLIM_EINVAL,
                        "scale -2x2 is invalid");
}

/* ---- comparisons, WHERE, EXPAND, SPLIT, REDUCE_SUM / REDUCE_MAX ---------- */

static void test_compare_where(void)
{
    fx_check_op("seq_cmp_equal_i64", GLIM_OP_EQUAL, NULL, 0, "ii", 1, 0);
    fx_check_op("seq_cmp_less_f32", GLIM_OP_LESS, NULL, 0, "ii", 1, 0);
    fx_check_op("seq_cmp_greater_i32", GLIM_OP_GREATER, NULL, 0, "ii", 1, 0);
    fx_check_op("seq_cmp_equal_f32", GLIM_OP_EQUAL, NULL, 0, "ic", 1, 0);
    fx_check_op("seq_not_bool", GLIM_OP_LOGICAL_NOT, NULL, 0, "i", 1, 0);
    fx_check_op("seq_where_f32", GLIM_OP_WHERE, NULL, 0, "iii", 1, 0);
    fx_check_op("seq_where_i64", GLIM_OP_WHERE, NULL, 0, "ici", 1, 0);
}

static void test_expand_split(void)
{
    glim_expand_params e = {3, {2, 3, 4}};
    fx_check_op("seq_expand_f32", GLIM_OP_EXPAND, &e, sizeof e, "i", 1, 0);
    e = (glim_expand_params){3, {3, 1, 5}};
    fx_check_op("seq_expand_i64_both", GLIM_OP_EXPAND, &e, sizeof e, "i", 1, 0);
    e = (glim_expand_params){0, {0}};
    fx_check_op("seq_expand_shape_input", GLIM_OP_EXPAND, &e, sizeof e, "ic", 1, 0);
    glim_split_params sp = {1, 3, {2, 4, 1}};
    fx_check_op("seq_split_axis1", GLIM_OP_SPLIT, &sp, sizeof sp, "i", 3, 0);
    sp = (glim_split_params){-1, 3, {0}};
    fx_check_op("seq_split_equal_last", GLIM_OP_SPLIT, &sp, sizeof sp, "i", 3, 0);
    sp = (glim_split_params){0, 2, {0}};
    fx_check_op("seq_split_input_sizes", GLIM_OP_SPLIT, &sp, sizeof sp, "ic", 2, 0);
}

static void test_reduce(void)
{
    glim_reduce_params p = {2, {0, 2}, 1};
    fx_check_op("seq_rsum_f32_keep", GLIM_OP_REDUCE_SUM, &p, sizeof p, "i", 1, 1e-5);
    p = (glim_reduce_params){1, {-1}, 0};
    fx_check_op("seq_rsum_i64_last", GLIM_OP_REDUCE_SUM, &p, sizeof p, "i", 1, 0);
    p = (glim_reduce_params){0, {0}, 0}; /* no axes: all of them */
    fx_check_op("seq_rsum_all", GLIM_OP_REDUCE_SUM, &p, sizeof p, "i", 1, 1e-5);
    p = (glim_reduce_params){1, {1}, 0};
    fx_check_op("seq_rmax_f32_mid", GLIM_OP_REDUCE_MAX, &p, sizeof p, "i", 1, 0);
    p = (glim_reduce_params){2, {2, -3}, 1};
    fx_check_op("seq_rmax_i32_keep", GLIM_OP_REDUCE_MAX, &p, sizeof p, "i", 1, 0);
}

/* REDUCE_MAX propagates NaN wherever it sits in the row. */
static void test_reduce_max_nan(void)
{
    int ranks[1] = {2};
    int64_t shapes[1][GLIM_MAX_DIMS] = {{3, 4}};
    glim_reduce_params p = {1, {1}, 0};
    rnode r;
    if (rnode_build(&r, GLIM_OP_REDUCE_MAX, &p, sizeof p, "i", ranks, shapes, 1, 1)) {
        CHECK_OK(1, r.err);
        rnode_free(&r);
        return;
    }
    CHECK_OK(glim_graph_prepare(r.g, 1, &r.err), r.err);
    float *x = glim_graph_tensor(r.g, r.ins[0])->data;
    const float v[12] = {1, NAN, 3, 2, NAN, 5, 6, 7, 8, 9, 10, NAN};
    memcpy(x, v, sizeof v);
    CHECK_OK(glim_graph_run(r.g, &r.err), r.err);
    const float *y = glim_graph_tensor(r.g, r.outs[0])->data;
    CHECK(isnan(y[0]) && isnan(y[1]) && isnan(y[2]));
    x[1] = x[4] = x[11] = -1.f;
    CHECK_OK(glim_graph_run(r.g, &r.err), r.err);
    CHECK_NEAR(y[0], 3, 0);
    CHECK_NEAR(y[1], 7, 0);
    CHECK_NEAR(y[2], 10, 0);
    rnode_free(&r);
}

/* Builds a one-node graph over inputs of given dtypes and expects prepare
 * to fail. */
static void expect_fail_dt(glim_op_id op, const void *params, size_t psize, int nin,
                           const glim_dtype *dts, const int *ranks,
                           int64_t shapes[][GLIM_MAX_DIMS], int nout, glim_status code,
                           const char *needle)
{
    glim_error err = {0};
    glim_graph *g = NULL;
    CHECK_OK(glim_graph_new(&g, &err), err);
    int ins[4], outs[4];
    for (int i = 0; i < nin; i++)
        ins[i] = glim_graph_add_tensor(g, NULL, dts[i], ranks[i], shapes[i], GLIM_TENSOR_INPUT, &err);
    for (int i = 0; i < nout; i++)
        outs[i] = glim_graph_add_tensor(g, NULL, GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
    CHECK(glim_graph_add_node(g, op, "node_under_test", nin, ins, nout, outs, params, psize,
                              &err) >= 0);
    CHECK_OK(glim_graph_set_io(g, nin, ins, nout, outs, &err), err);
    glim_status st = glim_graph_prepare(g, 1, &err);
    CHECK(st == code);
    if (!strstr(err.msg, needle) || !strstr(err.msg, "node_under_test")) {
        printf("#   message '%s' lacks '%s' or the node name\n", err.msg, needle);
        check_failed_now = 1;
    }
    glim_graph_free(g);
}

static void test_shape_op_errors(void)
{
    int r2[3] = {2, 2, 2};
    int64_t sh[3][GLIM_MAX_DIMS] = {{3, 4}, {2, 4}, {3, 4}};
    glim_dtype ff[3] = {GLIM_F32, GLIM_F32, GLIM_F32}, fi[2] = {GLIM_F32, GLIM_I32};
    glim_dtype uu[2] = {GLIM_U8, GLIM_U8}, bf[3] = {GLIM_BOOL, GLIM_F32, GLIM_I64};
    expect_fail_dt(GLIM_OP_LESS, NULL, 0, 2, ff, r2, sh, 1, GLIM_EINVAL,
                   "shapes do not broadcast (dim 0)");
    expect_fail_dt(GLIM_OP_EQUAL, NULL, 0, 2, fi, r2, sh, 1, GLIM_EINVAL,
                   "operands are float32 and int32");
    expect_fail_dt(GLIM_OP_GREATER, NULL, 0, 2, uu, r2, sh, 1, GLIM_EUNSUPPORTED,
                   "dtype uint8 is not supported");
    expect_fail_dt(GLIM_OP_LOGICAL_NOT, NULL, 0, 1, ff, r2, sh, 1, GLIM_EUNSUPPORTED,
                   "input '");
    expect_fail_dt(GLIM_OP_WHERE, NULL, 0, 3, ff, r2, sh, 1, GLIM_EUNSUPPORTED,
                   "condition '");
    expect_fail_dt(GLIM_OP_WHERE, NULL, 0, 3, bf, r2, sh, 1, GLIM_EINVAL,
                   "x is float32 and y is int64");
    glim_expand_params e = {2, {5, 4}};
    expect_fail_dt(GLIM_OP_EXPAND, &e, sizeof e, 1, ff, r2, sh, 1, GLIM_EINVAL,
                   "input dim 0 (3) does not broadcast to 5");
    glim_split_params sp = {1, 2, {1, 2}};
    expect_fail_dt(GLIM_OP_SPLIT, &sp, sizeof sp, 1, ff, r2, sh, 2, GLIM_EINVAL,
                   "the pieces add up to 3, the axis has 4");
    sp = (glim_split_params){2, 2, {2, 2}};
    expect_fail_dt(GLIM_OP_SPLIT, &sp, sizeof sp, 1, ff, r2, sh, 2, GLIM_EINVAL,
                   "axis 2 is out of range for 2 dims");
    sp = (glim_split_params){1, 2, {2, 2}};
    expect_fail_dt(GLIM_OP_SPLIT, &sp, sizeof sp, 1, ff, r2, sh, 3, GLIM_EINVAL,
                   "has 3 outputs, expected 2");
    glim_reduce_params rp = {1, {-3}, 0};
    expect_fail_dt(GLIM_OP_REDUCE_SUM, &rp, sizeof rp, 1, ff, r2, sh, 1, GLIM_EINVAL,
                   "axis -3 is out of range for 2 dims");
    rp = (glim_reduce_params){1, {0}, 0};
    expect_fail_dt(GLIM_OP_REDUCE_MAX, &rp, sizeof rp, 1, uu, r2, sh, 1, GLIM_EUNSUPPORTED,
                   "dtype uint8 is not supported");
}

/* ---- LSTM: reverse, initial states as graph inputs, final states -------- */

static void test_lstm_states(void)
{
    /* x, W_i..W_o, R_i..R_o, no peepholes, b_i..b_o, no projection, h0, c0;
     * outputs y, h_T, c_T */
    const char *kinds = "icccccccc---cccc--ii";
    glim_lstm_params p = {GLIM_ACT_TANH, 0, 0, 1, 1};
    fx_check_op("seq_lstm_rev_tm", GLIM_OP_LSTM, &p, sizeof p, kinds, 3, 1e-5);
    p = (glim_lstm_params){GLIM_ACT_TANH, 0, 0, 0, 0};
    fx_check_op("seq_lstm_fwd_states", GLIM_OP_LSTM, &p, sizeof p, kinds, 3, 1e-5);
    p = (glim_lstm_params){GLIM_ACT_TANH, 0, 0, 0, 1};
    fx_check_op("seq_lstm_rev_bm", GLIM_OP_LSTM, &p, sizeof p, kinds, 3, 1e-5);
    /* h_T alone */
    p = (glim_lstm_params){GLIM_ACT_TANH, 0, 0, 0, 0};
    fx_check_op("seq_lstm_fwd_states", GLIM_OP_LSTM, &p, sizeof p, kinds, 2, 1e-5);
}

/* ---- GRU ------------------------------------------------------------------ */

static void test_gru_fixtures(void)
{
    glim_gru_params p = {1, 0, 0.f};
    fx_check_op("seq_gru_lbr1", GLIM_OP_GRU, &p, sizeof p, "icccc", 2, 1e-5);
    p = (glim_gru_params){1, 1, 0.f};
    fx_check_op("seq_gru_lbr1_rev", GLIM_OP_GRU, &p, sizeof p, "iccci", 2, 1e-5);
    p = (glim_gru_params){1, 0, 0.f};
    fx_check_op("seq_gru_lbr1_nobias", GLIM_OP_GRU, &p, sizeof p, "icc", 2, 1e-5);
    p = (glim_gru_params){0, 0, 0.f};
    fx_check_op("seq_gru_lbr0", GLIM_OP_GRU, &p, sizeof p, "iccc-", 2, 1e-5);
    fx_check_op("seq_gru_lbr0", GLIM_OP_GRU, &p, sizeof p, "iccc", 1, 1e-5); /* y only */
    p = (glim_gru_params){0, 1, 0.5f};
    fx_check_op("seq_gru_lbr0_clip_rev", GLIM_OP_GRU, &p, sizeof p, "iccci", 2, 1e-5);
    p = (glim_gru_params){0, 1, 0.f};
    fx_check_op("seq_gru_lbr0_b1_rev", GLIM_OP_GRU, &p, sizeof p, "iccci", 2, 1e-5);
}

static void test_gru_sweep(void)
{
    /* T, B, I, H, lbr, reverse, clip*10, bias, h0 */
    static const int cases[][9] = {
        {9, 5, 13, 17, 0, 0, 0, 1, 1}, {9, 5, 13, 17, 1, 1, 0, 1, 1}, {3, 1, 33, 40, 1, 0, 0, 0, 1},
        {6, 7, 8, 3, 0, 1, 7, 1, 0},   {1, 2, 5, 64, 1, 0, 20, 1, 1},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const int *k = cases[c];
        glim_gru_params p = {k[4], k[5], (float)k[6] / 10.f};
        int ranks[5] = {3, 2, 2, 1, 2};
        int64_t shapes[5][GLIM_MAX_DIMS] = {{k[0], k[1], k[2]}, {3 * k[3], k[2]}, {3 * k[3], k[3]},
                                            {6 * k[3]}, {k[1], k[3]}};
        char kinds[6] = "iccci";
        if (!k[7]) kinds[3] = '-';
        if (!k[8]) kinds[4] = '-';
        rnode r;
        char label[64];
        snprintf(label, sizeof label, "gru case %zu", c);
        if (rnode_build(&r, GLIM_OP_GRU, &p, sizeof p, kinds, ranks, shapes, 2, 3 + (uint32_t)c))
            CHECK_OK(1, r.err);
        else
            rnode_check(&r, label, 1e-5);
        rnode_free(&r);
    }
}

static void test_gru_lstm_errors(void)
{
    int ranks[5] = {3, 2, 2, 1, 2};
    int64_t shapes[5][GLIM_MAX_DIMS] = {{4, 2, 3}, {15, 3}, {15, 5}, {30}, {2, 5}};
    glim_gru_params p = {1, 0, 0.f};
    shapes[1][1] = 4;
    expect_prepare_fail(GLIM_OP_GRU, &p, sizeof p, "iccci", ranks, shapes, 2, GLIM_EINVAL,
                        "has shape [15,4], expected [15,3]");
    shapes[1][1] = 3;
    shapes[3][0] = 15;
    expect_prepare_fail(GLIM_OP_GRU, &p, sizeof p, "iccci", ranks, shapes, 2, GLIM_EINVAL,
                        "has 15 values, expected 30");
    shapes[3][0] = 30;
    shapes[4][0] = 3;
    expect_prepare_fail(GLIM_OP_GRU, &p, sizeof p, "iccci", ranks, shapes, 2, GLIM_EINVAL,
                        "initial state");
    shapes[4][0] = 2;
    expect_prepare_fail(GLIM_OP_GRU, &p, sizeof p, "iccci", ranks, shapes, 3, GLIM_EINVAL,
                        "has 3 outputs, expected 1..2");
    p.linear_before_reset = 2;
    expect_prepare_fail(GLIM_OP_GRU, &p, sizeof p, "iccci", ranks, shapes, 1, GLIM_EINVAL,
                        "linear_before_reset 2 is not 0 or 1");
    p = (glim_gru_params){0, 0, -1.f};
    expect_prepare_fail(GLIM_OP_GRU, &p, sizeof p, "iccci", ranks, shapes, 1, GLIM_EINVAL,
                        "clip -1 is negative");
    /* LSTM: four outputs */
    int lr[20];
    int64_t ls[20][GLIM_MAX_DIMS];
    memset(ls, 0, sizeof ls);
    for (int i = 0; i < 20; i++) lr[i] = 2;
    lr[0] = 3;
    ls[0][0] = 2; ls[0][1] = 3; ls[0][2] = 4;
    for (int i = 1; i <= 4; i++) { ls[i][0] = 5; ls[i][1] = 4; }
    for (int i = 5; i <= 8; i++) { ls[i][0] = 5; ls[i][1] = 5; }
    for (int i = 12; i <= 15; i++) { lr[i] = 1; ls[i][0] = 5; }
    glim_lstm_params lp = {GLIM_ACT_TANH, 0, 0, 0, 1};
    expect_prepare_fail(GLIM_OP_LSTM, &lp, sizeof lp, "icccccccc---cccc----", lr, ls, 4,
                        GLIM_EINVAL, "has 4 outputs, expected 1..3");
}

/* LSTM fast path against its reference loops: peepholes, CIFG, projection
 * with clipping, cell clipping, both layouts, reverse, B = 1. */
static void test_lstm_sweep(void)
{
    /* B, T, I, C, O (0: no projection), cifg, peephole, time_major, reverse, act */
    static const int cases[][10] = {
        {3, 5, 7, 9, 4, 0, 1, 0, 0, GLIM_ACT_TANH}, {1, 6, 5, 8, 0, 1, 1, 1, 1, GLIM_ACT_TANH},
        {4, 1, 3, 5, 0, 0, 0, 1, 0, GLIM_ACT_NONE}, {2, 7, 33, 20, 6, 1, 0, 1, 1, GLIM_ACT_SIGMOID},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const int *k = cases[c];
        int64_t B = k[0], T = k[1], I = k[2], C = k[3], O = k[4] ? k[4] : k[3];
        int ranks[20];
        int64_t shapes[20][GLIM_MAX_DIMS];
        char kinds[21];
        memset(shapes, 0, sizeof shapes);
        for (int i = 0; i < 20; i++) {
            ranks[i] = 1;
            shapes[i][0] = C;
            kinds[i] = 'c';
        }
        kinds[20] = 0;
        ranks[0] = 3;
        shapes[0][0] = k[7] ? T : B;
        shapes[0][1] = k[7] ? B : T;
        shapes[0][2] = I;
        for (int i = 1; i <= 8; i++) {
            ranks[i] = 2;
            shapes[i][1] = i <= 4 ? I : O;
        }
        if (!k[6]) kinds[9] = kinds[10] = kinds[11] = '-';
        if (k[5]) kinds[1] = kinds[5] = kinds[9] = kinds[12] = '-';
        if (k[4]) {
            ranks[16] = 2;
            shapes[16][0] = O;
            shapes[16][1] = C;
            shapes[17][0] = O;
        } else {
            kinds[16] = kinds[17] = '-';
        }
        ranks[18] = ranks[19] = 2;
        shapes[18][0] = shapes[19][0] = B;
        shapes[18][1] = O;
        shapes[19][1] = C;
        kinds[18] = kinds[19] = 'i';
        glim_lstm_params p = {(glim_activation)k[9], c == 0 ? 0.8f : 0.f, c == 0 ? 0.3f : 0.f,
                              k[7], k[8]};
        rnode r;
        char label[64];
        snprintf(label, sizeof label, "lstm case %zu", c);
        if (rnode_build(&r, GLIM_OP_LSTM, &p, sizeof p, kinds, ranks, shapes, 3, 11 + (uint32_t)c))
            CHECK_OK(1, r.err);
        else
            rnode_check(&r, label, 1e-5);
        rnode_free(&r);
    }
}

/* ---- allocation failures: every allocation of building + prepare fails in
 * turn; each must come back as an error (never a crash), nothing may leak,
 * and with no failure the graph runs. */

/* failing_alloc, counting_free, fail_at, alloc_count, live: alloc_fail.h */

static void test_allocation_failures(void)
{
    glim_allocator a = {failing_alloc, counting_free, NULL};
    glim_conv_transpose_params cp = ct(2, 2, 1, 1, 0, 0, 0, 0, 0, 0, GLIM_ACT_NONE);
    glim_conv_transpose_params cg = ct(2, 2, 1, 1, 1, 1, 1, 1, 1, 1, GLIM_ACT_RELU);
    glim_split_params sp = {1, 2, {1, 3}};
    glim_reduce_params rp = {1, {1}, 0};
    glim_gru_params gp = {1, 1, 0.f};
    struct {
        glim_op_id op;
        const void *p;
        size_t ps;
        const char *kinds;
        int ranks[5];
        int64_t shapes[5][GLIM_MAX_DIMS];
        int nout;
    } cases[] = {
        {GLIM_OP_CONV_TRANSPOSE, &cp, sizeof cp, "icc", {4, 4, 1}, {{1, 3, 4, 5}, {6, 2, 2, 5}, {6}}, 1},
        {GLIM_OP_CONV_TRANSPOSE, &cp, sizeof cp, "icc", {4, 4, 1}, {{1, 3, 4, 5}, {1, 2, 2, 5}, {1}}, 1},
        {GLIM_OP_CONV_TRANSPOSE, &cg, sizeof cg, "icc", {4, 4, 1}, {{1, 3, 4, 5}, {6, 3, 3, 5}, {6}}, 1},
        {GLIM_OP_SPLIT, &sp, sizeof sp, "i", {2}, {{3, 4}}, 2},
        {GLIM_OP_REDUCE_SUM, &rp, sizeof rp, "i", {2}, {{3, 4}}, 1},
        {GLIM_OP_GRU, &gp, sizeof gp, "iccci", {3, 2, 2, 1, 2},
         {{4, 2, 3}, {15, 3}, {15, 5}, {30}, {2, 5}}, 2},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int done = 0;
        for (fail_at = 0; fail_at < 200 && !done; fail_at++) {
            alloc_count = 0;
            live = 0;
            glim_set_allocator(&a);
            rnode r;
            int built = rnode_build(&r, cases[c].op, cases[c].p, cases[c].ps, cases[c].kinds,
                                    cases[c].ranks, cases[c].shapes, cases[c].nout, 5) == 0;
            glim_status st = built ? glim_graph_prepare(r.g, 1, &r.err) : GLIM_ENOMEM;
            if (built && st == GLIM_OK) {
                CHECK_OK(glim_graph_run(r.g, &r.err), r.err);
                done = alloc_count <= fail_at; /* nothing failed: the sweep is over */
            } else if (r.err.code != GLIM_ENOMEM && built) {
                printf("#   case %zu, allocation %d: %s\n", c, fail_at, r.err.msg);
                check_failed_now = 1;
            }
            rnode_free(&r);
            glim_set_allocator(NULL);
            if (live != 0) {
                printf("#   case %zu, allocation %d failing: %d blocks leaked\n", c, fail_at, live);
                check_failed_now = 1;
            }
        }
        CHECK(done);
    }
}

int main(void)
{
    RUN(test_conv_transpose_fixtures);
    RUN(test_conv_transpose_sweep);
    RUN(test_conv_transpose_errors);
    RUN(test_resize_onnx_fixtures);
    RUN(test_resize_onnx_ties);
    RUN(test_resize_onnx_errors);
    RUN(test_compare_where);
    RUN(test_expand_split);
    RUN(test_reduce);
    RUN(test_reduce_max_nan);
    RUN(test_shape_op_errors);
    RUN(test_lstm_states);
    RUN(test_lstm_sweep);
    RUN(test_gru_fixtures);
    RUN(test_gru_sweep);
    RUN(test_gru_lstm_errors);
    RUN(test_allocation_failures);
    return check_done();
}
