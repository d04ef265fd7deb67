/* test_op_conv.c — CONV2D, DEPTHWISE_CONV2D, pools and FULLY_CONNECTED
 * against PyTorch fixtures (tools/fixtures/ops.py), and the fast kernels
 * against the reference loops on random odd shapes.
 * Tolerance: 1e-4 relative (float32 sums of <= 200 products). */
#include "test_op_util.h"
#include "nn/ops/kernel.h"

#define TOL 1e-4

static glim_conv2d_params conv(int sh, int sw, int dh, int dw, glim_padding pad,
                               glim_activation act)
{
    glim_conv2d_params p = {0};
    p.stride_h = sh; p.stride_w = sw; p.dilation_h = dh; p.dilation_w = dw;
    p.padding = pad; p.act = act;
    return p;
}

static void test_conv2d_fixtures(void)
{
    glim_conv2d_params p;
    p = conv(1, 1, 1, 1, GLIM_PAD_SAME, GLIM_ACT_RELU6);
    fx_check_op("conv_3x3_s1_same", GLIM_OP_CONV2D, &p, sizeof p, "icc", 1, TOL);
    p = conv(2, 2, 1, 1, GLIM_PAD_SAME, GLIM_ACT_NONE);
    fx_check_op("conv_3x3_s2_same", GLIM_OP_CONV2D, &p, sizeof p, "icc", 1, TOL);
    p = conv(1, 1, 1, 1, GLIM_PAD_VALID, GLIM_ACT_RELU);
    fx_check_op("conv_1x1", GLIM_OP_CONV2D, &p, sizeof p, "icc", 1, TOL);
    p = conv(2, 2, 1, 1, GLIM_PAD_VALID, GLIM_ACT_NONE);
    fx_check_op("conv_1x1_s2", GLIM_OP_CONV2D, &p, sizeof p, "ic", 1, TOL);
    p = conv(1, 1, 2, 2, GLIM_PAD_VALID, GLIM_ACT_NONE);
    fx_check_op("conv_3x3_d2_valid", GLIM_OP_CONV2D, &p, sizeof p, "icc", 1, TOL);
    p = conv(2, 1, 1, 1, GLIM_PAD_EXPLICIT, GLIM_ACT_RELU);
    p.pad_top = 1; p.pad_bottom = 2; p.pad_left = 0; p.pad_right = 1;
    fx_check_op("conv_5x3_explicit", GLIM_OP_CONV2D, &p, sizeof p, "icc", 1, TOL);
    /* the Winograd path (18x14, 24 -> 20): within 1e-4 of PyTorch as well */
    p = conv(1, 1, 1, 1, GLIM_PAD_EXPLICIT, GLIM_ACT_RELU);
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    fx_check_op("conv_3x3_s1_wino", GLIM_OP_CONV2D, &p, sizeof p, "icc", 1, TOL);
    p = conv(2, 2, 1, 1, GLIM_PAD_EXPLICIT, GLIM_ACT_NONE);
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 3;
    fx_check_op("conv_7x7_s2_stem", GLIM_OP_CONV2D, &p, sizeof p, "icc", 1, TOL);
    p = conv(1, 1, 1, 1, GLIM_PAD_EXPLICIT, GLIM_ACT_NONE);
    p.pad_left = p.pad_right = 1;
    fx_check_op("conv_1x3_c32", GLIM_OP_CONV2D, &p, sizeof p, "icc", 1, TOL);
}

static void test_depthwise_fixtures(void)
{
    glim_conv2d_params p;
    p = conv(1, 1, 1, 1, GLIM_PAD_SAME, GLIM_ACT_RELU6);
    fx_check_op("dw_3x3_s1_c32", GLIM_OP_DEPTHWISE_CONV2D, &p, sizeof p, "icc", 1, TOL);
    p = conv(2, 2, 1, 1, GLIM_PAD_SAME, GLIM_ACT_RELU6);
    fx_check_op("dw_3x3_s2_c13", GLIM_OP_DEPTHWISE_CONV2D, &p, sizeof p, "icc", 1, TOL);
    p = conv(1, 1, 1, 1, GLIM_PAD_SAME, GLIM_ACT_NONE);
    fx_check_op("dw_3x3_s1_c37", GLIM_OP_DEPTHWISE_CONV2D, &p, sizeof p, "icc", 1, TOL);
    p = conv(1, 1, 2, 2, GLIM_PAD_SAME, GLIM_ACT_RELU);
    fx_check_op("dw_3x3_d2_c19", GLIM_OP_DEPTHWISE_CONV2D, &p, sizeof p, "icc", 1, TOL);
    p = conv(1, 1, 1, 1, GLIM_PAD_VALID, GLIM_ACT_NONE);
    p.depth_multiplier = 2;
    fx_check_op("dw_5x5_mult2", GLIM_OP_DEPTHWISE_CONV2D, &p, sizeof p, "icc", 1, TOL);
    /* PP-OCR recognizer shapes: 5x5 with stride (2, 1), 3x3 with (1, 2) */
    p = conv(2, 1, 1, 1, GLIM_PAD_EXPLICIT, GLIM_ACT_RELU);
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 2;
    fx_check_op("conv_dw_5x5_s21_c24", GLIM_OP_DEPTHWISE_CONV2D, &p, sizeof p, "icc", 1, TOL);
    p = conv(1, 1, 1, 1, GLIM_PAD_EXPLICIT, GLIM_ACT_NONE);
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 2;
    fx_check_op("conv_dw_5x5_s1_c19", GLIM_OP_DEPTHWISE_CONV2D, &p, sizeof p, "icc", 1, TOL);
    p = conv(1, 2, 1, 1, GLIM_PAD_EXPLICIT, GLIM_ACT_RELU6);
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    fx_check_op("conv_dw_3x3_s12_c21", GLIM_OP_DEPTHWISE_CONV2D, &p, sizeof p, "icc", 1, TOL);
}

static void test_pool_fixtures(void)
{
    glim_pool2d_params p = {7, 7, 1, 1, GLIM_PAD_VALID, 0, 0, 0, 0, GLIM_ACT_NONE};
    fx_check_op("avgpool_7x7_valid", GLIM_OP_AVG_POOL2D, &p, sizeof p, "i", 1, TOL);
    p = (glim_pool2d_params){3, 3, 2, 2, GLIM_PAD_SAME, 0, 0, 0, 0, GLIM_ACT_NONE};
    fx_check_op("avgpool_3x3_s2_same", GLIM_OP_AVG_POOL2D, &p, sizeof p, "i", 1, TOL);
    fx_check_op("maxpool_3x3_s2_same", GLIM_OP_MAX_POOL2D, &p, sizeof p, "i", 1, 0);
    p = (glim_pool2d_params){2, 2, 2, 2, GLIM_PAD_VALID, 0, 0, 0, 0, GLIM_ACT_NONE};
    fx_check_op("maxpool_2x2_valid", GLIM_OP_MAX_POOL2D, &p, sizeof p, "i", 1, 0);
}

static void test_fully_connected_fixtures(void)
{
    glim_fully_connected_params p = {GLIM_ACT_NONE, 0};
    fx_check_op("fc_vec", GLIM_OP_FULLY_CONNECTED, &p, sizeof p, "icc", 1, TOL);
    fx_check_op("fc_nobias", GLIM_OP_FULLY_CONNECTED, &p, sizeof p, "ic", 1, TOL);
    p.act = GLIM_ACT_RELU;
    fx_check_op("fc_batch", GLIM_OP_FULLY_CONNECTED, &p, sizeof p, "icc", 1, TOL);
}

/* Build x -> op -> y with random data, run fast and reference, compare.
 * isa >= 0 lowers a packed CONV2D's micro-kernel (GLIM_GEMM_*) after
 * prepare; threads: the graph's thread count. */
static void fast_vs_ref_tol(glim_op_id op, glim_conv2d_params p, int64_t n, int64_t h,
                            int64_t w, int64_t cin, int64_t cout, int kh, int kw, uint32_t seed,
                            int isa, int threads, int scaled_tol)
{
    glim_error err = {0};
    glim_graph *g = NULL;
    CHECK_OK(glim_graph_new(&g, &err), err);
    int dw = op == GLIM_OP_DEPTHWISE_CONV2D;
    int64_t xs[] = {n, h, w, cin};
    int64_t ws[] = {dw ? 1 : cout, kh, kw, dw ? cout : cin}, bs[] = {cout};
    int x = glim_graph_add_tensor(g, "x", GLIM_F32, 4, xs, GLIM_TENSOR_INPUT, &err);
    int wt = glim_graph_add_tensor(g, "w", GLIM_F32, 4, ws, GLIM_TENSOR_CONSTANT, &err);
    int b = glim_graph_add_tensor(g, "b", GLIM_F32, 1, bs, GLIM_TENSOR_CONSTANT, &err);
    int y = glim_graph_add_tensor(g, "y", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
    float *wd = glim_graph_const_alloc(g, glim_graph_tensor(g, wt)->nbytes, &err);
    float *bd = glim_graph_const_alloc(g, glim_graph_tensor(g, b)->nbytes, &err);
    for (int64_t i = 0; i < glim_graph_tensor(g, wt)->count; i++) wd[i] = fx_rand(&seed);
    for (int64_t i = 0; i < cout; i++) bd[i] = fx_rand(&seed);
    glim_graph_set_const(g, wt, wd, &err);
    glim_graph_set_const(g, b, bd, &err);
    int in[] = {x, wt, b};
    CHECK(glim_graph_add_node(g, op, "sweep", 3, in, 1, &y, &p, sizeof p, &err) >= 0);
    CHECK_OK(glim_graph_set_io(g, 1, &x, 1, &y, &err), err);
    CHECK_OK(glim_graph_prepare(g, threads, &err), err);
    if (check_failed_now) { glim_graph_free(g); return; }
    if (isa >= 0 && op == GLIM_OP_CONV2D && g->nodes[0].state)
        ((glim_packed *)g->nodes[0].state)->isa = isa;
    glim_gtensor *xt = glim_graph_tensor(g, x), *yt = glim_graph_tensor(g, y);
    for (int64_t i = 0; i < xt->count; i++) ((float *)xt->data)[i] = fx_rand(&seed);
    CHECK_OK(glim_graph_run(g, &err), err);
    float *fast = malloc(yt->nbytes);
    memcpy(fast, yt->data, yt->nbytes);
    glim_graph_set_reference(g, 1);
    CHECK_OK(glim_graph_run(g, &err), err);
    fx_tensor want = {GLIM_F32, yt->ndim, {0}, yt->count, yt->data};
    memcpy(want.shape, yt->shape, sizeof want.shape);
    glim_gtensor got = *yt;
    got.data = fast;
    char label[128];
    snprintf(label, sizeof label, "%s n%lld %lldx%lldx%lld->%lld k%dx%d s%dx%d d%dx%d isa %d t%d",
             glim_op_name(op), (long long)n, (long long)h, (long long)w, (long long)cin,
             (long long)cout, kh, kw, p.stride_h, p.stride_w, p.dilation_h, p.dilation_w, isa,
             threads);
    if (scaled_tol) {
        /* |fast - ref| <= TOL * max(1, max |ref|): the bound for paths whose
         * rounding differs from a plain sum (Winograd), as the model specs
         * state theirs */
        double big = 1, worst = 0;
        const float *r = yt->data;
        for (int64_t i = 0; i < yt->count; i++) big = fabs(r[i]) > big ? fabs(r[i]) : big;
        for (int64_t i = 0; i < yt->count; i++) {
            double e = fabs((double)fast[i] - r[i]);
            worst = e > worst ? e : worst;
        }
        if (getenv("GLIMPSE_TEST_VERBOSE")) printf("#   %s: worst %g of max %g\n", label, worst, big);
        if (!(worst <= TOL * big)) {
            printf("#   %s: worst error %g > %g x max(1, max|y|) = %g\n", label, worst, TOL,
                   TOL * big);
            check_failed_now = 1;
        }
    } else {
        fx_compare(label, &got, &want, TOL);
    }
    free(fast);
    glim_graph_free(g);
}

static void fast_vs_ref_on(glim_op_id op, glim_conv2d_params p, int64_t n, int64_t h, int64_t w,
                           int64_t cin, int64_t cout, int kh, int kw, uint32_t seed, int isa,
                           int threads)
{
    fast_vs_ref_tol(op, p, n, h, w, cin, cout, kh, kw, seed, isa, threads, 0);
}

static void fast_vs_ref(glim_op_id op, glim_conv2d_params p, int64_t n, int64_t h, int64_t w,
                        int64_t cin, int64_t cout, int kh, int kw, uint32_t seed)
{
    fast_vs_ref_on(op, p, n, h, w, cin, cout, kh, kw, seed, -1, 2);
}

static void test_fast_matches_reference(void)
{
    uint32_t seed = 7;
    static const int64_t chans[] = {1, 3, 8, 13, 16, 24, 37};
    static const int64_t sizes[][2] = {{1, 1}, {5, 7}, {13, 9}, {19, 2}};
    for (int c = 0; c < 7; c++)
        for (int s = 0; s < 4; s++)
            for (int stride = 1; stride <= 2; stride++) {
                glim_conv2d_params p = conv(stride, stride, 1, 1, GLIM_PAD_SAME, GLIM_ACT_RELU6);
                fast_vs_ref(GLIM_OP_DEPTHWISE_CONV2D, p, 1, sizes[s][0], sizes[s][1], chans[c],
                            chans[c], 3, 3, seed++);
                p.act = GLIM_ACT_NONE;
                fast_vs_ref(GLIM_OP_CONV2D, p, 1, sizes[s][0], sizes[s][1], chans[c],
                            chans[(c + 3) % 7], 3, 3, seed++);
                p.padding = GLIM_PAD_VALID;
                p.stride_h = p.stride_w = 1;
                fast_vs_ref(GLIM_OP_CONV2D, p, 2, sizes[s][0], sizes[s][1], chans[c],
                            chans[(c + 1) % 7], 1, 1, seed++);
            }
}

/* The direct CONV2D path (>= 16 input channels, or kernel rows of >= 8
 * contiguous floats; not 1x1 stride 1): every
 * micro-kernel this build has, 1 and 2 threads, kernel sizes 1x3 to 7x7,
 * strides and dilations per axis, asymmetric and no padding, odd channel
 * counts (panel tails, a lone last panel), rows shorter and longer than a
 * tile, a batch of two, and an activation applied after the kernel. */
static void test_direct_conv(void)
{
    uint32_t seed = 31;
    static const struct {
        int h, w, cin, cout, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, n;
        glim_activation act;
    } cases[] = {
        {9, 11, 16, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, GLIM_ACT_RELU},
        {8, 15, 17, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, GLIM_ACT_NONE},
        {13, 13, 33, 48, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, GLIM_ACT_RELU6},
        {7, 7, 40, 70, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, GLIM_ACT_NONE},
        {12, 9, 20, 37, 5, 5, 2, 1, 1, 1, 2, 2, 2, 2, 1, GLIM_ACT_RELU},
        {1, 23, 48, 19, 1, 3, 1, 1, 1, 1, 0, 1, 0, 1, 1, GLIM_ACT_NONE},
        {10, 12, 16, 33, 3, 3, 1, 2, 2, 1, 2, 1, 2, 1, 1, GLIM_ACT_RELU},
        {11, 11, 24, 9, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 2, GLIM_ACT_TANH},
        {16, 16, 18, 65, 7, 7, 2, 2, 1, 1, 3, 2, 3, 1, 1, GLIM_ACT_RELU_N1_TO_1},
        {6, 20, 64, 32, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0, 1, GLIM_ACT_SIGMOID},
        {9, 9, 16, 16, 3, 3, 1, 1, 1, 1, 0, 2, 1, 0, 1, GLIM_ACT_NONE},
        /* few input channels: a kernel row's taps read as one run */
        {21, 22, 3, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, GLIM_ACT_RELU},
        {23, 19, 3, 40, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3, 1, GLIM_ACT_NONE},
        {5, 17, 5, 7, 1, 3, 1, 1, 1, 1, 0, 1, 0, 1, 2, GLIM_ACT_RELU6},
        {10, 10, 8, 20, 3, 3, 1, 1, 2, 1, 2, 1, 2, 1, 1, GLIM_ACT_NONE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int isa = GLIM_GEMM_PLAIN; isa <= glim_gemm_best_isa(); isa++)
            for (int t = 1; t <= 2; t++) {
                glim_conv2d_params p = conv(cases[i].sh, cases[i].sw, cases[i].dh, cases[i].dw,
                                            GLIM_PAD_EXPLICIT, cases[i].act);
                p.pad_top = cases[i].pt;
                p.pad_left = cases[i].pl;
                p.pad_bottom = cases[i].pb;
                p.pad_right = cases[i].pr;
                fast_vs_ref_on(GLIM_OP_CONV2D, p, cases[i].n, cases[i].h, cases[i].w,
                               cases[i].cin, cases[i].cout, cases[i].kh, cases[i].kw, seed++, isa,
                               t);
            }
}

/* The Winograd F(4x4,3x3) path (3x3 stride 1, >= 16 channels in and out,
 * maps of >= 12 x 12): maps that are and are not multiples of the 4x4
 * output tile, SAME / VALID / asymmetric padding, channel counts off the
 * vector width, a batch of two (tiles of both images in one task), every
 * GEMM micro-kernel, 1 and 2 threads. Winograd rounds differently from a
 * plain sum (its transforms scale terms by up to 5 and then cancel), so
 * the bound is on the output's scale, as the model specs state theirs:
 * |fast - ref| <= 1e-4 x max(1, max|y|). Measured worst here 2e-5 x max|y|
 * (weights uniform in [-1, 1], sums of up to 864 terms). */
static void test_winograd_conv(void)
{
    uint32_t seed = 57;
    static const struct {
        int h, w, cin, cout, pt, pl, pb, pr, n;
        glim_activation act;
    } cases[] = {
        {16, 16, 16, 16, 1, 1, 1, 1, 1, GLIM_ACT_TANH},
        {13, 18, 17, 24, 1, 1, 1, 1, 1, GLIM_ACT_RELU},
        {14, 14, 40, 33, 0, 0, 0, 0, 1, GLIM_ACT_RELU6},
        {15, 21, 24, 19, 2, 0, 1, 2, 2, GLIM_ACT_NONE},
        {20, 12, 96, 24, 1, 1, 1, 1, 1, GLIM_ACT_RELU},
        {12, 25, 64, 64, 1, 1, 1, 1, 1, GLIM_ACT_NONE},
        {28, 28, 48, 70, 1, 1, 1, 1, 1, GLIM_ACT_NONE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int isa = GLIM_GEMM_PLAIN; isa <= glim_gemm_best_isa(); isa++)
            for (int t = 1; t <= 2; t++) {
                glim_conv2d_params p = conv(1, 1, 1, 1, GLIM_PAD_EXPLICIT, cases[i].act);
                p.pad_top = cases[i].pt;
                p.pad_left = cases[i].pl;
                p.pad_bottom = cases[i].pb;
                p.pad_right = cases[i].pr;
                fast_vs_ref_tol(GLIM_OP_CONV2D, p, cases[i].n, cases[i].h, cases[i].w,
                                cases[i].cin, cases[i].cout, 3, 3, seed++, isa, t, 1);
            }
    /* SAME padding through prepare's resolution */
    glim_conv2d_params p = conv(1, 1, 1, 1, GLIM_PAD_SAME, GLIM_ACT_RELU);
    fast_vs_ref_tol(GLIM_OP_CONV2D, p, 1, 17, 19, 32, 32, 3, 3, seed++, -1, 2, 1);
}

/* DEPTHWISE_CONV2D fast paths against the reference: 3x3, 5x5, 7x7, 1x3
 * and 3x1 kernels, strides (1,2), (2,1), 2 and 3, dilation, asymmetric
 * padding, channel counts around the vector widths, maps narrower than a
 * four-pixel group, 1 and 2 threads. */
static void test_depthwise_kernels(void)
{
    uint32_t seed = 77;
    static const struct {
        int h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, n;
        glim_activation act;
    } cases[] = {
        {12, 20, 24, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 1, GLIM_ACT_RELU},
        {12, 20, 37, 5, 5, 2, 1, 1, 1, 2, 2, 2, 2, 1, GLIM_ACT_NONE},
        {9, 17, 19, 5, 5, 2, 2, 1, 1, 2, 2, 2, 2, 2, GLIM_ACT_RELU6},
        {6, 3, 48, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 1, GLIM_ACT_RELU},
        {11, 14, 7, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, GLIM_ACT_NONE},
        {10, 21, 16, 3, 3, 1, 2, 1, 1, 1, 1, 1, 1, 1, GLIM_ACT_RELU},
        {13, 13, 33, 7, 7, 3, 3, 1, 1, 3, 3, 3, 3, 1, GLIM_ACT_RELU_N1_TO_1},
        {8, 19, 17, 1, 3, 1, 1, 1, 1, 0, 1, 0, 1, 1, GLIM_ACT_NONE},
        {15, 6, 9, 3, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, GLIM_ACT_RELU6},
        {14, 18, 20, 5, 5, 1, 1, 2, 2, 4, 4, 4, 4, 1, GLIM_ACT_RELU},
        {9, 10, 1, 5, 5, 1, 1, 1, 1, 1, 3, 2, 0, 1, GLIM_ACT_NONE},
        {7, 9, 16, 5, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1, GLIM_ACT_RELU},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int t = 1; t <= 2; t++) {
            glim_conv2d_params p = conv(cases[i].sh, cases[i].sw, cases[i].dh, cases[i].dw,
                                        GLIM_PAD_EXPLICIT, cases[i].act);
            p.pad_top = cases[i].pt;
            p.pad_left = cases[i].pl;
            p.pad_bottom = cases[i].pb;
            p.pad_right = cases[i].pr;
            fast_vs_ref_on(GLIM_OP_DEPTHWISE_CONV2D, p, cases[i].n, cases[i].h, cases[i].w,
                           cases[i].c, cases[i].c, cases[i].kh, cases[i].kw, seed++, -1, t);
        }
}

/* Every GEMM micro-kernel this build has (plain, AVX2, AVX-512) against
 * double-precision sums, on odd shapes, with row and column tails. */
static void test_gemm_kernels(void)
{
    glim_error err = {0};
    glim_graph *g = NULL;
    CHECK_OK(glim_graph_new(&g, &err), err);
    uint32_t seed = 99;
    static const int shapes[][3] = {{1, 1, 1}, {7, 13, 3}, {13, 16, 27}, {25, 37, 19},
                                    {49, 33, 160}, {6, 17, 64}, {12, 48, 5},
                                    {13, 37, 700}, {25, 16, 1024}, {1, 20, 777}, {7, 5, 513},
                                    {19, 33, 2880}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
        float *a = malloc((size_t)M * K * 4), *w = malloc((size_t)N * K * 4),
              *b = malloc((size_t)N * 4), *c = malloc((size_t)M * N * 4);
        for (int i = 0; i < M * K; i++) a[i] = fx_rand(&seed);
        for (int i = 0; i < N * K; i++) w[i] = fx_rand(&seed);
        for (int i = 0; i < N; i++) b[i] = fx_rand(&seed);
        glim_packed pk;
        CHECK(glim_pack_weights(g, w, b, N, K, &pk, NULL) == GLIM_OK);
        for (int isa = GLIM_GEMM_PLAIN; isa <= glim_gemm_best_isa(); isa++) {
            pk.isa = isa;
            glim_gemm_packed(a, K, &pk, c, N, 0, M, -1.5f, 2.5f);
            for (int i = 0; i < M; i++)
                for (int j = 0; j < N; j++) {
                    double acc = b[j];
                    for (int k = 0; k < K; k++) acc += (double)a[i * K + k] * w[j * K + k];
                    acc = acc < -1.5 ? -1.5 : (acc > 2.5 ? 2.5 : acc);
                    if (fabs(c[i * N + j] - acc) > 1e-4 * (1 + fabs(acc))) {
                        printf("#   isa %d, %dx%dx%d: c[%d,%d] = %g, want %g\n", isa, M, N, K, i,
                               j, c[i * N + j], acc);
                        check_failed_now = 1;
                        i = M;
                        break;
                    }
                }
        }
        free(a);
        free(w);
        free(b);
        free(c);
    }
    glim_graph_free(g);
}

/* Weights are repacked in place only when the graph owns them and one node
 * uses them: shared weights and caller-owned memory stay as they were, and
 * every variant computes the same result. */
static void test_weights_packing_ownership(void)
{
    glim_error err = {0};
    glim_graph *g = NULL;
    CHECK_OK(glim_graph_new(&g, &err), err);
    int64_t xs[] = {1, 5, 5, 8}, ws[] = {19, 1, 1, 8};
    static float ext[19 * 8], ext_copy[19 * 8];
    uint32_t seed = 5;
    for (int i = 0; i < 19 * 8; i++) ext[i] = ext_copy[i] = fx_rand(&seed);
    int x = glim_graph_add_tensor(g, "x", GLIM_F32, 4, xs, GLIM_TENSOR_INPUT, &err);
    int shared = glim_graph_add_tensor(g, "shared", GLIM_F32, 4, ws, GLIM_TENSOR_CONSTANT, &err);
    int external = glim_graph_add_tensor(g, "external", GLIM_F32, 4, ws, GLIM_TENSOR_CONSTANT, &err);
    int own = glim_graph_add_tensor(g, "own", GLIM_F32, 4, ws, GLIM_TENSOR_CONSTANT, &err);
    CHECK_OK(glim_graph_set_const_copy(g, shared, ext, &err), err);
    CHECK_OK(glim_graph_set_const(g, external, ext, &err), err);
    CHECK_OK(glim_graph_set_const_copy(g, own, ext, &err), err);
    int y[4];
    for (int i = 0; i < 4; i++)
        y[i] = glim_graph_add_tensor(g, NULL, GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
    glim_conv2d_params p = conv(1, 1, 1, 1, GLIM_PAD_VALID, GLIM_ACT_NONE);
    int w_of[4] = {shared, shared, external, own};
    for (int i = 0; i < 4; i++) {
        int in[] = {x, w_of[i]};
        CHECK(glim_graph_add_node(g, GLIM_OP_CONV2D, NULL, 2, in, 1, &y[i], &p, sizeof p, &err) >= 0);
    }
    CHECK_OK(glim_graph_set_io(g, 1, &x, 4, y, &err), err);
    CHECK_OK(glim_graph_prepare(g, 1, &err), err);
    CHECK_OK(glim_graph_prepare(g, 2, &err), err); /* a second prepare packs nothing twice */
    CHECK(memcmp(ext, ext_copy, sizeof ext) == 0);
    CHECK(memcmp(glim_graph_tensor(g, shared)->data, ext_copy, sizeof ext) == 0);
    /* the sole user's own copy became GEMM panels: no second copy is kept */
    CHECK(memcmp(glim_graph_tensor(g, own)->data, ext_copy, sizeof ext) != 0);
    float *xd = glim_graph_tensor(g, x)->data;
    for (int i = 0; i < 200; i++) xd[i] = fx_rand(&seed);
    for (int mode = 0; mode < 2; mode++) {
        glim_graph_set_reference(g, mode);
        CHECK_OK(glim_graph_run(g, &err), err);
        for (int k = 0; k < 25; k++)
            for (int co = 0; co < 19; co++) {
                double want = 0;
                for (int ci = 0; ci < 8; ci++) want += (double)xd[k * 8 + ci] * ext_copy[co * 8 + ci];
                for (int i = 0; i < 4; i++)
                    CHECK_NEAR(((float *)glim_graph_tensor(g, y[i])->data)[k * 19 + co], want, 1e-5);
            }
    }
    glim_graph_free(g);
}

#if defined(__SSE__)
#include <xmmintrin.h>
/* The kernels flush denormals only while they run: inputs below 1e-38 give
 * (near) zero outputs like the reference, and the caller's MXCSR is the same
 * after the run, whichever path ran (GEMM, direct, Winograd, depthwise). */
static void test_denormal_mode_restored(void)
{
    static const struct {
        glim_op_id op;
        int h, w, c, k;
    } cases[] = {{GLIM_OP_CONV2D, 6, 6, 8, 1},
                 {GLIM_OP_CONV2D, 9, 9, 16, 3},
                 {GLIM_OP_CONV2D, 14, 14, 16, 3},
                 {GLIM_OP_DEPTHWISE_CONV2D, 9, 9, 16, 5},
                 {GLIM_OP_DEPTHWISE_CONV2D, 9, 9, 16, 3}};
    /* start from the default mode (no FTZ / DAZ); compare the mode bits
     * only, not the sticky exception flags (bits 0-5) */
    unsigned int before = _mm_getcsr() & ~0x8040u;
    _mm_setcsr(before);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        glim_error err = {0};
        glim_graph *g = NULL;
        CHECK_OK(glim_graph_new(&g, &err), err);
        int dw = cases[i].op == GLIM_OP_DEPTHWISE_CONV2D, c = cases[i].c, k = cases[i].k;
        int64_t xs[] = {1, cases[i].h, cases[i].w, c}, ws[] = {dw ? 1 : c, k, k, c};
        int x = glim_graph_add_tensor(g, "x", GLIM_F32, 4, xs, GLIM_TENSOR_INPUT, &err);
        int wt = glim_graph_add_tensor(g, "w", GLIM_F32, 4, ws, GLIM_TENSOR_CONSTANT, &err);
        int y = glim_graph_add_tensor(g, "y", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
        float *wd = glim_graph_const_alloc(g, glim_graph_tensor(g, wt)->nbytes, &err);
        for (int64_t j = 0; j < glim_graph_tensor(g, wt)->count; j++) wd[j] = 0.5f;
        glim_graph_set_const(g, wt, wd, &err);
        glim_conv2d_params p = conv(1, 1, 1, 1, GLIM_PAD_SAME, GLIM_ACT_NONE);
        int in[] = {x, wt};
        CHECK(glim_graph_add_node(g, cases[i].op, "denormal", 2, in, 1, &y, &p, sizeof p, &err) >= 0);
        CHECK_OK(glim_graph_set_io(g, 1, &x, 1, &y, &err), err);
        CHECK_OK(glim_graph_prepare(g, 2, &err), err);
        glim_gtensor *xt = glim_graph_tensor(g, x), *yt = glim_graph_tensor(g, y);
        for (int64_t j = 0; j < xt->count; j++) ((float *)xt->data)[j] = 1e-40f;
        CHECK_OK(glim_graph_run(g, &err), err);
        CHECK((_mm_getcsr() & 0xffc0u) == (before & 0xffc0u));
        for (int64_t j = 0; j < yt->count; j++) CHECK(fabsf(((float *)yt->data)[j]) < 1e-30f);
        glim_graph_free(g);
    }
}
#endif

static void test_conv_errors_name_the_node(void)
{
    glim_error err = {0};
    glim_graph *g = NULL;
    CHECK_OK(glim_graph_new(&g, &err), err);
    int64_t xs[] = {1, 5, 5, 3}, ws[] = {4, 3, 3, 2};
    int x = glim_graph_add_tensor(g, "x", GLIM_F32, 4, xs, GLIM_TENSOR_INPUT, &err);
    int w = glim_graph_add_tensor(g, "w", GLIM_F32, 4, ws, GLIM_TENSOR_CONSTANT, &err);
    int y = glim_graph_add_tensor(g, "y", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
    float zeros[72] = {0};
    glim_graph_set_const_copy(g, w, zeros, &err);
    glim_conv2d_params p = conv(1, 1, 1, 1, GLIM_PAD_SAME, GLIM_ACT_NONE);
    int in[] = {x, w};
    glim_graph_add_node(g, GLIM_OP_CONV2D, "conv_3", 2, in, 1, &y, &p, sizeof p, &err);
    glim_graph_set_io(g, 1, &x, 1, &y, &err);
    CHECK(glim_graph_prepare(g, 1, &err) == GLIM_EUNSUPPORTED);
    CHECK(strstr(err.msg, "prepare: node 'conv_3' (CONV2D): weights have 2 input channels") ==
          err.msg);
    glim_graph_free(g);
}

int main(void)
{
    RUN(test_conv2d_fixtures);
    RUN(test_depthwise_fixtures);
    RUN(test_pool_fixtures);
    RUN(test_fully_connected_fixtures);
    RUN(test_fast_matches_reference);
    RUN(test_direct_conv);
    RUN(test_winograd_conv);
    RUN(test_depthwise_kernels);
    RUN(test_gemm_kernels);
    RUN(test_weights_packing_ownership);
#if defined(__SSE__)
    RUN(test_denormal_mode_restored);
#endif
    RUN(test_conv_errors_name_the_node);
    return check_done();
}
