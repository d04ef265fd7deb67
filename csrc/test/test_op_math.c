/* test_op_math.c — MATMUL, LAYER_NORM, GELU, ERF, HARD_SIGMOID, CLIP, POW,
 * EXP, LOG, NEG, ABS, RECIPROCAL and PRELU against PyTorch / NumPy fixtures
 * (tools/fixtures/ops_math.py; expected values computed in float64 from the
 * float32 inputs). Each fixture runs with the fast kernels at 1 and 2
 * threads and with the reference kernels (test_op_util.h).
 * Tolerances (relative, absolute below 1):
 *   MATMUL 2e-6 * sqrt(K) (float32 sums of K products of values in [-1, 1]);
 *   LAYER_NORM 1e-5; EXP LOG ERF GELU POW RECIPROCAL 2e-6 (libm's float
 *   functions are within a couple of ulp); NEG ABS CLIP PRELU exact;
 *   HARD_SIGMOID 1e-6 (alpha * x + beta rounds twice in float32). */
#include "test_op_util.h"

#include <math.h>

static double mm_tol(int64_t k) { return 2e-6 * sqrt((double)k) + 1e-6; }

/* Kept in step with MATMUL in tools/fixtures/ops_math.py. */
static const struct {
    const char *name;
    int transpose_b, bias;
    glim_activation act;
    int64_t k;
} MM[] = {
    {"math_mm_2d", 0, 1, GLIM_ACT_NONE, 13},
    {"math_mm_proj", 0, 1, GLIM_ACT_RELU, 33},
    {"math_mm_proj_t", 1, 1, GLIM_ACT_NONE, 21},
    {"math_mm_long_k", 0, 0, GLIM_ACT_RELU6, 600},
    {"math_mm_batch", 0, 0, GLIM_ACT_NONE, 13},
    {"math_mm_attn_qk", 1, 0, GLIM_ACT_NONE, 8},
    {"math_mm_attn_v", 0, 0, GLIM_ACT_NONE, 9},
    {"math_mm_a_bcast", 0, 1, GLIM_ACT_TANH, 13},
    {"math_mm_b_bcast", 0, 0, GLIM_ACT_SIGMOID, 13},
    {"math_mm_a1d", 0, 0, GLIM_ACT_NONE, 13},
    {"math_mm_b1d", 0, 0, GLIM_ACT_NONE, 13},
    {"math_mm_1d1d", 0, 0, GLIM_ACT_NONE, 13},
    {"math_mm_wide", 0, 1, GLIM_ACT_NONE, 50},
};

/* Every case with b (and the bias) computed, then with b constant (packed
 * at prepare when it is a single matrix). */
static void test_matmul_fixtures(void)
{
    for (size_t i = 0; i < sizeof MM / sizeof MM[0]; i++) {
        glim_matmul_params p = {MM[i].act, MM[i].transpose_b};
        fx_check_op(MM[i].name, GLIM_OP_MATMUL, &p, sizeof p, MM[i].bias ? "iii" : "ii", 1,
                    mm_tol(MM[i].k));
        fx_check_op(MM[i].name, GLIM_OP_MATMUL, &p, sizeof p, MM[i].bias ? "icc" : "ic", 1,
                    mm_tol(MM[i].k));
    }
}

/* A graph of one MATMUL over random data of the given shapes; runs it with
 * the fast kernels at 1..3 threads and compares with the reference. */
static void mm_random_vs_reference(int na, const int64_t *as, int nb, const int64_t *bs,
                                   int transpose_b, int b_const, glim_activation act, int bias)
{
    glim_error err = {0};
    glim_graph *g = NULL;
    CHECK_OK(glim_graph_new(&g, &err), err);
    int a = glim_graph_add_tensor(g, "a", GLIM_F32, na, as, GLIM_TENSOR_INPUT, &err);
    int b = glim_graph_add_tensor(g, "b", GLIM_F32, nb, bs,
                                  b_const ? GLIM_TENSOR_CONSTANT : GLIM_TENSOR_INPUT, &err);
    int64_t n = transpose_b ? bs[nb - 2] : bs[nb - 1], k = as[na - 1];
    int c = bias ? glim_graph_add_tensor(g, "c", GLIM_F32, 1, &n, GLIM_TENSOR_CONSTANT, &err) : -1;
    int y = glim_graph_add_tensor(g, "y", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
    uint32_t seed = 7;
    int64_t bcount = glim_shape_count(nb, bs);
    float *bdata = malloc((size_t)bcount * sizeof(float));
    for (int64_t i = 0; i < bcount; i++) bdata[i] = fx_rand(&seed);
    if (b_const) CHECK_OK(glim_graph_set_const_copy(g, b, bdata, &err), err);
    if (bias) {
        float *cd = glim_graph_const_alloc(g, (size_t)n * sizeof(float), &err);
        for (int64_t i = 0; i < n; i++) cd[i] = fx_rand(&seed);
        CHECK_OK(glim_graph_set_const(g, c, cd, &err), err);
    }
    int in[3] = {a, b, c}, gin[2] = {a, b};
    glim_matmul_params p = {act, transpose_b};
    CHECK(glim_graph_add_node(g, GLIM_OP_MATMUL, "mm", bias ? 3 : 2, in, 1, &y, &p, sizeof p,
                              &err) >= 0);
    CHECK_OK(glim_graph_set_io(g, b_const ? 1 : 2, gin, 1, &y, &err), err);
    int64_t acount = glim_shape_count(na, as);
    float *adata = malloc((size_t)acount * sizeof(float)), *want = NULL;
    for (int64_t i = 0; i < acount; i++) adata[i] = fx_rand(&seed);
    for (int mode = 0; mode < 4 && !check_failed_now; mode++) {
        int threads = mode == 0 ? 1 : mode; /* mode 0: reference */
        CHECK_OK(glim_graph_prepare(g, threads, &err), err);
        if (check_failed_now) break;
        glim_graph_set_reference(g, mode == 0);
        memcpy(glim_graph_tensor(g, a)->data, adata, (size_t)acount * sizeof(float));
        if (!b_const) memcpy(glim_graph_tensor(g, b)->data, bdata, (size_t)bcount * sizeof(float));
        CHECK_OK(glim_graph_run(g, &err), err);
        glim_gtensor *yt = glim_graph_tensor(g, y);
        if (mode == 0) {
            want = malloc((size_t)yt->count * sizeof(float));
            memcpy(want, yt->data, (size_t)yt->count * sizeof(float));
            continue;
        }
        const float *got = yt->data;
        for (int64_t i = 0; i < yt->count; i++)
            if (!(fabs(got[i] - want[i]) <= mm_tol(k) * (fabs(want[i]) > 1 ? fabs(want[i]) : 1))) {
                printf("#   %d threads: element %lld: %g, reference %g\n", threads,
                       (long long)i, got[i], want[i]);
                check_failed_now = 1;
                break;
            }
    }
    free(adata);
    free(bdata);
    free(want);
    glim_graph_free(g);
}

/* Attention-shaped products (the OCR recognizer's heads), Q/K/V-style
 * projections and a large single product, fast against reference; batches
 * outnumber the threads (whole batches per thread) or not (rows split). */
static void test_matmul_shapes_vs_reference(void)
{
    int64_t q[] = {8, 80, 40}, kt[] = {8, 40, 80}, k[] = {8, 80, 40};
    mm_random_vs_reference(3, q, 3, kt, 0, 0, GLIM_ACT_NONE, 0);
    mm_random_vs_reference(3, q, 3, k, 1, 0, GLIM_ACT_NONE, 0);
    int64_t one_q[] = {1, 2, 37, 29}, one_k[] = {1, 2, 29, 45};
    mm_random_vs_reference(4, one_q, 4, one_k, 0, 0, GLIM_ACT_RELU, 0);
    int64_t x[] = {1, 97, 120}, w[] = {120, 360}, wt[] = {360, 120};
    mm_random_vs_reference(3, x, 2, w, 0, 1, GLIM_ACT_NONE, 1);
    mm_random_vs_reference(3, x, 2, wt, 1, 1, GLIM_ACT_RELU6, 1);
    mm_random_vs_reference(3, x, 2, w, 0, 0, GLIM_ACT_SIGMOID, 1);
    mm_random_vs_reference(3, x, 2, w, 0, 1, GLIM_ACT_TANH, 1); /* panels split */
    int64_t big_a[] = {131, 517}, big_b[] = {517, 129};
    mm_random_vs_reference(2, big_a, 2, big_b, 0, 0, GLIM_ACT_NONE, 0);
    int64_t row[] = {1, 300}, mat[] = {300, 70};
    mm_random_vs_reference(2, row, 2, mat, 0, 1, GLIM_ACT_NONE, 1);
    /* a constant b past 2^27 multiply-adds (OpenBLAS instead of the panels) */
    int64_t huge_a[] = {1, 523, 521}, huge_b[] = {521, 495};
    mm_random_vs_reference(3, huge_a, 2, huge_b, 0, 1, GLIM_ACT_RELU, 1);
}

/* K = 0: every sum is empty, so the output is the bias through the
 * activation, on both kernels; no flops. */
static void test_matmul_empty_k(void)
{
    glim_error err = {0};
    glim_graph *g = NULL;
    CHECK_OK(glim_graph_new(&g, &err), err);
    int64_t as[] = {3, 0}, bs[] = {0, 4}, cs[] = {4};
    int a = glim_graph_add_tensor(g, "a", GLIM_F32, 2, as, GLIM_TENSOR_INPUT, &err);
    int b = glim_graph_add_tensor(g, "b", GLIM_F32, 2, bs, GLIM_TENSOR_INPUT, &err);
    int c = glim_graph_add_tensor(g, "c", GLIM_F32, 1, cs, GLIM_TENSOR_CONSTANT, &err);
    const float bias[] = {-1.f, 2.f, 7.f, 0.5f};
    CHECK_OK(glim_graph_set_const_copy(g, c, bias, &err), err);
    int y = glim_graph_add_tensor(g, "y", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
    int in[] = {a, b, c};
    glim_matmul_params p = {GLIM_ACT_RELU6, 0};
    CHECK(glim_graph_add_node(g, GLIM_OP_MATMUL, "mm", 3, in, 1, &y, &p, sizeof p, &err) >= 0);
    CHECK_OK(glim_graph_set_io(g, 2, in, 1, &y, &err), err);
    for (int ref = 0; ref < 2; ref++) {
        CHECK_OK(glim_graph_prepare(g, 2, &err), err);
        glim_graph_set_reference(g, ref);
        CHECK_OK(glim_graph_run(g, &err), err);
        glim_gtensor *t = glim_graph_tensor(g, y);
        CHECK(t->ndim == 2 && t->shape[0] == 3 && t->shape[1] == 4);
        const float *yd = t->data;
        const float want[] = {0.f, 2.f, 6.f, 0.5f}; /* the bias through RELU6 */
        for (int i = 0; i < 12; i++) CHECK(yd[i] == want[i % 4]);
    }
    glim_graph_stats st;
    glim_graph_get_stats(g, &st);
    CHECK(st.flops == 0);
    glim_graph_free(g);
}

/* prepare must fail with EINVAL and exactly this message. */
static void expect_fail(glim_op_id op, const void *params, size_t psize, int nin,
                        const int *ranks, const int64_t shapes[][GLIM_MAX_DIMS],
                        glim_status code, const char *msg)
{
    glim_error err = {0};
    glim_graph *g = NULL;
    CHECK_OK(glim_graph_new(&g, &err), err);
    int in[4];
    for (int i = 0; i < nin; i++)
        in[i] = glim_graph_add_tensor(g, NULL, GLIM_F32, ranks[i], shapes[i], GLIM_TENSOR_INPUT,
                                      &err);
    int y = glim_graph_add_tensor(g, "y", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
    CHECK(glim_graph_add_node(g, op, "bad_node", nin, in, 1, &y, params, psize, &err) >= 0);
    CHECK_OK(glim_graph_set_io(g, nin, in, 1, &y, &err), err);
    CHECK(glim_graph_prepare(g, 1, &err) == code);
    if (strcmp(err.msg, msg) != 0) {
        printf("#   got \"%s\"\n#  want \"%s\"\n", err.msg, msg);
        check_failed_now = 1;
    }
    glim_graph_free(g);
}

static void test_shape_errors(void)
{
    glim_matmul_params mp = {GLIM_ACT_NONE, 0};
    int r2[] = {2, 2, 1};
    int64_t k_mismatch[][GLIM_MAX_DIMS] = {{4, 5}, {6, 3}};
    expect_fail(GLIM_OP_MATMUL, &mp, sizeof mp, 2, r2, k_mismatch, GLIM_EINVAL,
                "prepare: node 'bad_node' (MATMUL): inner dims differ: a has K = 5, b has K = 6");
    glim_matmul_params tp = {GLIM_ACT_NONE, 1};
    expect_fail(GLIM_OP_MATMUL, &tp, sizeof tp, 2, r2, k_mismatch, GLIM_EINVAL,
                "prepare: node 'bad_node' (MATMUL): inner dims differ: a has K = 5, b has K = 3 "
                "(b transposed)");
    int r33[] = {3, 3};
    int64_t batch[][GLIM_MAX_DIMS] = {{2, 4, 5}, {3, 5, 6}};
    expect_fail(GLIM_OP_MATMUL, &mp, sizeof mp, 2, r33, batch, GLIM_EINVAL,
                "prepare: node 'bad_node' (MATMUL): batch dims do not broadcast: dim 0 is 2 in a "
                "and 3 in b");
    int r221[] = {2, 2, 1};
    int64_t bias[][GLIM_MAX_DIMS] = {{4, 5}, {5, 6}, {5}};
    expect_fail(GLIM_OP_MATMUL, &mp, sizeof mp, 3, r221, bias, GLIM_EINVAL,
                "prepare: node 'bad_node' (MATMUL): bias has 5 values, expected N = 6");
    int r40[] = {4, 1};
    int64_t prelu[][GLIM_MAX_DIMS] = {{1, 2, 2, 6}, {4}};
    expect_fail(GLIM_OP_PRELU, NULL, 0, 2, r40, prelu, GLIM_EINVAL,
                "prepare: node 'bad_node' (PRELU): shapes do not broadcast: dim 3 is 6 and 4");
    int64_t prelu_grow[][GLIM_MAX_DIMS] = {{2, 1}, {2, 6}};
    int r22[] = {2, 2};
    expect_fail(GLIM_OP_PRELU, NULL, 0, 2, r22, prelu_grow, GLIM_EINVAL,
                "prepare: node 'bad_node' (PRELU): slope does not broadcast to the input: dim 1 "
                "is 1 and 6");
    glim_layer_norm_params lp = {3, 0.f};
    int64_t ln[][GLIM_MAX_DIMS] = {{2, 5, 7}, {7}};
    int r31[] = {3, 1};
    expect_fail(GLIM_OP_LAYER_NORM, &lp, sizeof lp, 2, r31, ln, GLIM_EINVAL,
                "prepare: node 'bad_node' (LAYER_NORM): axis 3 is out of range for 3 dims");
    lp.axis = -1;
    int64_t ln_scale[][GLIM_MAX_DIMS] = {{2, 5, 7}, {5}};
    expect_fail(GLIM_OP_LAYER_NORM, &lp, sizeof lp, 2, r31, ln_scale, GLIM_EINVAL,
                "prepare: node 'bad_node' (LAYER_NORM): scale does not broadcast to the "
                "normalised 1 dims: its dim 0 is 5");
    glim_gelu_params gp = {2};
    int r3[] = {3};
    expect_fail(GLIM_OP_GELU, &gp, sizeof gp, 1, r3, ln, GLIM_EINVAL,
                "prepare: node 'bad_node' (GELU): approximate is 2, expected 0 or 1");
    glim_clip_params cp = {NAN, 1.f};
    expect_fail(GLIM_OP_CLIP, &cp, sizeof cp, 1, r3, ln, GLIM_EINVAL,
                "prepare: node 'bad_node' (CLIP): min or max is NaN");
}

/* A float op over a non-float input is refused. */
static void test_dtype_errors(void)
{
    glim_error err = {0};
    glim_graph *g = NULL;
    CHECK_OK(glim_graph_new(&g, &err), err);
    int64_t s[] = {3};
    int a = glim_graph_add_tensor(g, "a", GLIM_I32, 1, s, GLIM_TENSOR_INPUT, &err);
    int b = glim_graph_add_tensor(g, "b", GLIM_I32, 1, s, GLIM_TENSOR_INPUT, &err);
    int y = glim_graph_add_tensor(g, "y", GLIM_I32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
    int in[] = {a, b};
    glim_graph_add_node(g, GLIM_OP_POW, "pow_i", 2, in, 1, &y, NULL, 0, &err);
    glim_graph_set_io(g, 2, in, 1, &y, &err);
    CHECK(glim_graph_prepare(g, 1, &err) == GLIM_EUNSUPPORTED);
    CHECK(strcmp(err.msg, "prepare: node 'pow_i' (POW): dtype int32 is not supported (float32 "
                          "only)") == 0 || (printf("#   %s\n", err.msg), 0));
    glim_graph_free(g);
}

static void test_unary_fixtures(void)
{
    static const struct { const char *name; glim_op_id op; double tol; } cases[] = {
        {"math_exp", GLIM_OP_EXP, 2e-6},   {"math_log", GLIM_OP_LOG, 2e-6},
        {"math_neg", GLIM_OP_NEG, 0},      {"math_abs", GLIM_OP_ABS, 0},
        {"math_reciprocal", GLIM_OP_RECIPROCAL, 2e-6}, {"math_erf", GLIM_OP_ERF, 2e-6},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        fx_check_op(cases[i].name, cases[i].op, NULL, 0, "i", 1, cases[i].tol);
    glim_gelu_params gp = {0};
    fx_check_op("math_gelu", GLIM_OP_GELU, &gp, sizeof gp, "i", 1, 2e-6);
    gp.approximate = 1;
    fx_check_op("math_gelu_tanh", GLIM_OP_GELU, &gp, sizeof gp, "i", 1, 2e-6);
    glim_hard_sigmoid_params hp = {0.2f, 0.5f};
    fx_check_op("math_hard_sigmoid", GLIM_OP_HARD_SIGMOID, &hp, sizeof hp, "i", 1, 1e-6);
    hp = (glim_hard_sigmoid_params){1.f / 6.f, 0.5f};
    fx_check_op("math_hard_sigmoid_torch", GLIM_OP_HARD_SIGMOID, &hp, sizeof hp, "i", 1, 1e-6);
    glim_clip_params cp = {-0.5f, 2.f};
    fx_check_op("math_clip", GLIM_OP_CLIP, &cp, sizeof cp, "i", 1, 0);
    cp = (glim_clip_params){0.25f, INFINITY};
    fx_check_op("math_clip_min_only", GLIM_OP_CLIP, &cp, sizeof cp, "i", 1, 0);
    cp = (glim_clip_params){-INFINITY, -1.5f};
    fx_check_op("math_clip_max_only", GLIM_OP_CLIP, &cp, sizeof cp, "i", 1, 0);
}

static void test_layer_norm_fixtures(void)
{
    static const struct { const char *name; int axis; float eps; const char *kinds; } cases[] = {
        {"math_ln_last", -1, 1e-5f, "iii"},   {"math_ln_two_dims", 2, 1e-6f, "ii"},
        {"math_ln_bcast_affine", -2, 0.f, "icc"}, {"math_ln_offset", -1, 1e-5f, "icc"},
        {"math_ln_wide", 1, 1e-5f, "icc"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        glim_layer_norm_params p = {cases[i].axis, cases[i].eps};
        fx_check_op(cases[i].name, GLIM_OP_LAYER_NORM, &p, sizeof p, cases[i].kinds, 1, 1e-5);
    }
}

static void test_pow_prelu_fixtures(void)
{
    glim_binary_params p = {GLIM_ACT_NONE};
    fx_check_op("math_pow_bcast", GLIM_OP_POW, &p, sizeof p, "ii", 1, 2e-6);
    fx_check_op("math_pow_bcast", GLIM_OP_POW, &p, sizeof p, "ic", 1, 2e-6);
    fx_check_op("math_pow_square", GLIM_OP_POW, &p, sizeof p, "ic", 1, 2e-6);
    fx_check_op("math_pow_sqrt", GLIM_OP_POW, &p, sizeof p, "ic", 1, 2e-6);
    fx_check_op("math_pow_neg_base", GLIM_OP_POW, &p, sizeof p, "ii", 1, 2e-6);
    fx_check_op("math_pow_scalar_base", GLIM_OP_POW, &p, sizeof p, "ci", 1, 2e-6);
    static const char *prelu[] = {"math_prelu_channel", "math_prelu_nhwc", "math_prelu_scalar",
                                  "math_prelu_block", "math_prelu_wide"};
    for (size_t i = 0; i < 5; i++) fx_check_op(prelu[i], GLIM_OP_PRELU, &p, sizeof p, "ic", 1, 0);
}

/* One elementwise op over the given values at `threads` threads; returns
 * the output data (owned by the graph, freed with it). */
static glim_graph *run_unary(glim_op_id op, const void *params, size_t psize, const float *x,
                             int64_t n, const float *second, int64_t n2, int threads,
                             const float **out)
{
    glim_error err = {0};
    glim_graph *g = NULL;
    CHECK_OK(glim_graph_new(&g, &err), err);
    int a = glim_graph_add_tensor(g, "x", GLIM_F32, 1, &n, GLIM_TENSOR_INPUT, &err);
    int b = second ? glim_graph_add_tensor(g, "e", GLIM_F32, 1, &n2, GLIM_TENSOR_CONSTANT, &err)
                   : -1;
    if (second) CHECK_OK(glim_graph_set_const_copy(g, b, second, &err), err);
    int y = glim_graph_add_tensor(g, "y", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
    int in[] = {a, b};
    CHECK(glim_graph_add_node(g, op, "op", second ? 2 : 1, in, 1, &y, params, psize, &err) >= 0);
    CHECK_OK(glim_graph_set_io(g, 1, &a, 1, &y, &err), err);
    CHECK_OK(glim_graph_prepare(g, threads, &err), err);
    memcpy(glim_graph_tensor(g, a)->data, x, (size_t)n * sizeof(float));
    CHECK_OK(glim_graph_run(g, &err), err);
    *out = glim_graph_tensor(g, y)->data;
    return g;
}

static int same_float(float a, float b)
{
    if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
    return a == b && signbit(a) == signbit(b);
}

/* IEEE special values follow C's functions bit for bit: the POW fast paths
 * (exponent 2 and 0.5) agree with powf, LOG / RECIPROCAL at zero, CLIP
 * keeps NaN. */
static void test_special_values(void)
{
    const float x[] = {0.f, -0.f, INFINITY, -INFINITY, NAN, -2.f, 2.5f, -1e-30f, 1e30f};
    const int64_t n = sizeof x / sizeof x[0];
    const float *y;
    const float exps[] = {2.f, 0.5f, 3.f, -1.f, 0.f};
    for (int e = 0; e < 5; e++) {
        glim_graph *g = run_unary(GLIM_OP_POW, NULL, 0, x, n, &exps[e], 1, 1, &y);
        for (int64_t i = 0; i < n; i++)
            if (!same_float(y[i], powf(x[i], exps[e]))) {
                printf("#   pow(%g, %g) = %g, powf says %g\n", x[i], exps[e], y[i],
                       powf(x[i], exps[e]));
                check_failed_now = 1;
            }
        glim_graph_free(g);
    }
    glim_graph *g = run_unary(GLIM_OP_LOG, NULL, 0, x, n, NULL, 0, 1, &y);
    for (int64_t i = 0; i < n; i++) CHECK(same_float(y[i], logf(x[i])));
    glim_graph_free(g);
    g = run_unary(GLIM_OP_RECIPROCAL, NULL, 0, x, n, NULL, 0, 1, &y);
    for (int64_t i = 0; i < n; i++) CHECK(same_float(y[i], 1.f / x[i]));
    glim_graph_free(g);
    glim_clip_params cp = {-1.f, 1.f};
    g = run_unary(GLIM_OP_CLIP, &cp, sizeof cp, x, n, NULL, 0, 1, &y);
    CHECK(isnan(y[4]) && y[2] == 1.f && y[3] == -1.f && y[5] == -1.f && y[8] == 1.f);
    glim_graph_free(g);
    glim_gelu_params gp = {0};
    g = run_unary(GLIM_OP_GELU, &gp, sizeof gp, x, n, NULL, 0, 1, &y);
    /* -inf * Phi(-inf) is -inf * 0: NaN, as torch.nn.functional.gelu gives */
    CHECK(y[0] == 0.f && y[2] == INFINITY && isnan(y[3]) && isnan(y[4]) && y[5] < 0.f);
    glim_graph_free(g);
}

/* Large tensors are split across threads: same results at 1 and 3 threads. */
static void test_unary_threads(void)
{
    const int64_t n = 100003;
    float *x = malloc((size_t)n * sizeof(float)), *one = malloc((size_t)n * sizeof(float));
    uint32_t seed = 3;
    for (int64_t i = 0; i < n; i++) x[i] = 4.f * fx_rand(&seed);
    static const glim_op_id ops[] = {GLIM_OP_EXP, GLIM_OP_ERF, GLIM_OP_GELU, GLIM_OP_ABS,
                                     GLIM_OP_LOG};
    for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++) {
        glim_error err = {0};
        glim_graph *g = NULL;
        CHECK_OK(glim_graph_new(&g, &err), err);
        int a = glim_graph_add_tensor(g, "x", GLIM_F32, 1, &n, GLIM_TENSOR_INPUT, &err);
        int y = glim_graph_add_tensor(g, "y", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
        glim_graph_add_node(g, ops[o], "u", 1, &a, 1, &y, NULL, 0, &err);
        glim_graph_set_io(g, 1, &a, 1, &y, &err);
        for (int threads = 1; threads <= 3; threads += 2) {
            CHECK_OK(glim_graph_prepare(g, threads, &err), err);
            memcpy(glim_graph_tensor(g, a)->data, x, (size_t)n * sizeof(float));
            CHECK_OK(glim_graph_run(g, &err), err);
            const float *yd = glim_graph_tensor(g, y)->data;
            if (threads == 1) {
                memcpy(one, yd, (size_t)n * sizeof(float));
                continue;
            }
            for (int64_t i = 0; i < n; i++)
                if (memcmp(&yd[i], &one[i], sizeof(float)) != 0) {
                    printf("#   %s element %lld: %g at 3 threads, %g at 1\n",
                           glim_op_name(ops[o]), (long long)i, yd[i], one[i]);
                    check_failed_now = 1;
                    break;
                }
        }
        /* and the plain functions where glimpse uses libm's */
        const float *yd = glim_graph_tensor(g, y)->data;
        for (int64_t i = 0; i < n && (ops[o] == GLIM_OP_ABS || ops[o] == GLIM_OP_LOG); i++) {
            float want = ops[o] == GLIM_OP_ABS ? fabsf(x[i]) : logf(x[i]);
            if (memcmp(&yd[i], &want, sizeof want) != 0 && !(isnan(yd[i]) && isnan(want))) {
                printf("#   %s element %lld: %g, want %g\n", glim_op_name(ops[o]),
                       (long long)i, yd[i], want);
                check_failed_now = 1;
                break;
            }
        }
        glim_graph_free(g);
    }
    free(x);
    free(one);
}

/* One op over n values of x through a graph at 2 threads; the output is
 * copied to y. */
static void run_op(glim_op_id op, const void *params, size_t psize, const float *x, float *y,
                   int64_t n)
{
    const float *out;
    glim_graph *g = run_unary(op, params, psize, x, n, NULL, 0, 2, &out);
    memcpy(y, out, (size_t)n * sizeof(float));
    glim_graph_free(g);
}

/* EXP, LOGISTIC, TANH, ERF and both GELU forms run on branch-free
 * vectorised e^x / erf (unary.c). Swept over [-110, 95] (overflow,
 * underflow, denormals) and densely near 0 against double-precision
 * references: at most 1 ulp for EXP, 1.5 for TANH and ERF, 2.5 for
 * LOGISTIC, relative to results >= 1e-37 (smaller ones within 1e-37
 * absolute); exact GELU within 16 ulp for x >= -3 and 1e-8 absolute
 * below, the tanh form within 2e-6 relative to max(1, |y|); exact special
 * values. */
static void test_exp_family(void)
{
    enum { N = 400000 };
    float *x = malloc(N * sizeof(float)), *y = malloc(N * sizeof(float));
    for (int i = 0; i < N / 2; i++) x[i] = (float)(-110.0 + 205.0 * i / (N / 2));
    for (int i = N / 2; i < N; i++) x[i] = (float)(-2.0 + 4.0 * (i - N / 2) / (N / 2));
    x[0] = 0.f, x[1] = -0.f, x[2] = INFINITY, x[3] = -INFINITY, x[4] = NAN;
    x[5] = 88.7f, x[6] = 88.73f, x[7] = -87.5f, x[8] = -100.f, x[9] = 1e-30f;
    static const struct { glim_op_id op; int approx; double ulps; } ops[] = {
        {GLIM_OP_EXP, 0, 1.0},  {GLIM_OP_TANH, 0, 1.5}, {GLIM_OP_LOGISTIC, 0, 2.5},
        {GLIM_OP_ERF, 0, 1.5},  {GLIM_OP_GELU, 1, 0},   {GLIM_OP_GELU, 0, 16}};
    for (int o = 0; o < 6; o++) {
        glim_gelu_params gp = {ops[o].approx};
        int gelu = ops[o].op == GLIM_OP_GELU, tanh_gelu = gelu && ops[o].approx;
        run_op(ops[o].op, gelu ? &gp : NULL, gelu ? sizeof gp : 0, x, y, N);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < N; i++) {
            double v = x[i], w;
            switch (ops[o].op) {
            case GLIM_OP_EXP: w = exp(v); break;
            case GLIM_OP_TANH: w = tanh(v); break;
            case GLIM_OP_LOGISTIC: w = 1 / (1 + exp(-v)); break;
            case GLIM_OP_ERF: w = erf(v); break;
            default:
                w = tanh_gelu
                        ? 0.5 * v * (1 + tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)))
                        : 0.5 * v * erfc(-v / sqrt(2.0));
            }
            if (isnan(v)) {
                CHECK(isnan(y[i]));
                continue;
            }
            if (isinf(v) && gelu && v < 0) { /* -inf * Phi(-inf): NaN, as torch */
                CHECK(isnan(y[i]));
                continue;
            }
            if (gelu && !tanh_gelu && v < -3) {
                if (!(fabs(y[i] - w) <= 1e-8)) {
                    printf("#   GELU(%g) = %g, want %g\n", x[i], y[i], w);
                    check_failed_now = 1;
                }
                continue;
            }
            if (isinf((float)w) || w == 0) { /* beyond float range, or exactly 0 */
                if (!(y[i] == (float)w || fabs(y[i] - w) <= 1e-37)) {
                    printf("#   %s(%g) = %g, want %g\n", glim_op_name(ops[o].op), x[i], y[i], w);
                    check_failed_now = 1;
                }
                continue;
            }
            double e = fabs(w) < 1e-37 ? (fabs(y[i] - w) <= 1e-37 ? 0 : 1e9)
                                       : fabs(y[i] - w) / ldexp(1, ilogb(w) - 23);
            if (tanh_gelu) e = fabs(y[i] - w) / (fabs(w) > 1 ? fabs(w) : 1) / 1.2e-7; /* vs 2e-6 */
            if (e > worst) worst = e, at = i;
        }
        double limit = tanh_gelu ? 2e-6 / 1.2e-7 : ops[o].ulps;
        if (worst > limit) {
            printf("#   %s: %.2f ulp at x = %.9g (got %.9g)\n", glim_op_name(ops[o].op), worst,
                   x[at], y[at]);
            check_failed_now = 1;
        }
        if (ops[o].op == GLIM_OP_TANH) CHECK(y[1] == 0.f && signbit(y[1])); /* tanh(-0) = -0 */
        if (ops[o].op == GLIM_OP_EXP) CHECK(y[2] == INFINITY && y[3] == 0.f && y[6] == INFINITY);
        if (ops[o].op == GLIM_OP_ERF) CHECK(y[2] == 1.f && y[3] == -1.f && signbit(y[1]));
    }
    free(x);
    free(y);
}

int main(void)
{
    RUN(test_matmul_fixtures);
    RUN(test_matmul_shapes_vs_reference);
    RUN(test_matmul_empty_k);
    RUN(test_shape_errors);
    RUN(test_dtype_errors);
    RUN(test_unary_fixtures);
    RUN(test_layer_norm_fixtures);
    RUN(test_pow_prelu_fixtures);
    RUN(test_special_values);
    RUN(test_unary_threads);
    RUN(test_exp_family);
    return check_done();
}
