/* test_op_misc.c — activations, CONCAT, RESIZE_*, MEAN, ARG_MAX,
 * QUANTIZE/DEQUANTIZE, the shape ops, GATHER/GATHER_ND, CAST and LSTM
 * against NumPy/PyTorch fixtures (tools/fixtures/ops.py).
 * Tolerances: 1e-6 relative for exact-formula ops, 1e-5 for transcendental
 * functions and resize weights, 1e-4 for LSTM (28 steps of float32 gates);
 * data movement and integer results are exact. */
#include "test_op_util.h"

static void test_activations(void)
{
    fx_check_op("act_relu", GLIM_OP_RELU, NULL, 0, "i", 1, 0);
    fx_check_op("act_relu6", GLIM_OP_RELU6, NULL, 0, "i", 1, 0);
    glim_leaky_relu_params lp = {0.2f};
    fx_check_op("act_leaky_relu", GLIM_OP_LEAKY_RELU, &lp, sizeof lp, "i", 1, 1e-6);
    fx_check_op("act_logistic", GLIM_OP_LOGISTIC, NULL, 0, "i", 1, 1e-5);
    fx_check_op("act_tanh", GLIM_OP_TANH, NULL, 0, "i", 1, 1e-5);
    fx_check_op("act_hard_swish", GLIM_OP_HARD_SWISH, NULL, 0, "i", 1, 1e-5);
    fx_check_op("act_sqrt", GLIM_OP_SQRT, NULL, 0, "i", 1, 1e-6);
}

static void test_concat(void)
{
    glim_concat_params p = {3, GLIM_ACT_NONE};
    fx_check_op("concat_c", GLIM_OP_CONCAT, &p, sizeof p, "iii", 1, 0);
    p.axis = -2; /* == 1 for rank 3 */
    fx_check_op("concat_axis1", GLIM_OP_CONCAT, &p, sizeof p, "ic", 1, 0);
}

static void test_resize(void)
{
    glim_resize_params p = {.out_h = 13, .out_w = 19, .align_corners = 1, .half_pixel_centers = 0};
    fx_check_op("resize_bilinear_align", GLIM_OP_RESIZE_BILINEAR, &p, sizeof p, "i", 1, 1e-5);
    p = (glim_resize_params){.out_h = 13, .out_w = 9, .align_corners = 0, .half_pixel_centers = 1};
    fx_check_op("resize_bilinear_half", GLIM_OP_RESIZE_BILINEAR, &p, sizeof p, "i", 1, 1e-5);
    p = (glim_resize_params){.out_h = 9, .out_w = 13, .align_corners = 0, .half_pixel_centers = 0};
    fx_check_op("resize_bilinear_legacy", GLIM_OP_RESIZE_BILINEAR, &p, sizeof p, "i", 1, 1e-5);
    p = (glim_resize_params){.out_h = 5, .out_w = 7, .align_corners = 0, .half_pixel_centers = 1};
    fx_check_op("resize_bilinear_down_half", GLIM_OP_RESIZE_BILINEAR, &p, sizeof p, "i", 1, 1e-5);
    p = (glim_resize_params){.out_h = 13, .out_w = 11, .align_corners = 0, .half_pixel_centers = 0};
    fx_check_op("resize_nearest_legacy", GLIM_OP_RESIZE_NEAREST, &p, sizeof p, "i", 1, 0);
    p = (glim_resize_params){.out_h = 19, .out_w = 13, .align_corners = 0, .half_pixel_centers = 1};
    fx_check_op("resize_nearest_half", GLIM_OP_RESIZE_NEAREST, &p, sizeof p, "i", 1, 0);
    p = (glim_resize_params){.out_h = 12, .out_w = 9, .align_corners = 1, .half_pixel_centers = 0};
    fx_check_op("resize_nearest_align", GLIM_OP_RESIZE_NEAREST, &p, sizeof p, "i", 1, 0);
}

static void test_mean_argmax(void)
{
    glim_reduce_params p = {2, {1, 2}, 1};
    fx_check_op("mean_hw_keep", GLIM_OP_MEAN, &p, sizeof p, "i", 1, 1e-6);
    p = (glim_reduce_params){1, {-1}, 0};
    fx_check_op("mean_last", GLIM_OP_MEAN, &p, sizeof p, "i", 1, 1e-6);
    p = (glim_reduce_params){2, {0, 2}, 0};
    fx_check_op("mean_first_last", GLIM_OP_MEAN, &p, sizeof p, "i", 1, 1e-6);
    glim_arg_max_params a = {3, GLIM_I64};
    fx_check_op("argmax_last_i64", GLIM_OP_ARG_MAX, &a, sizeof a, "i", 1, 0);
    a = (glim_arg_max_params){1, GLIM_I32};
    fx_check_op("argmax_mid_i32", GLIM_OP_ARG_MAX, &a, sizeof a, "i", 1, 0);
}

/* QUANTIZE/DEQUANTIZE take their parameters from graph tensors, so these
 * build the graph by hand. */
static void test_quantize(void)
{
    fixture f;
    glim_error err = {0};
    if (fx_load("dequantize_u8", &f) != 0) { check_failed_now = 1; return; }
    glim_graph *g = NULL;
    CHECK_OK(glim_graph_new(&g, &err), err);
    int q = glim_graph_add_tensor(g, "q", GLIM_U8, f.t[0].ndim, f.t[0].shape, GLIM_TENSOR_INPUT, &err);
    int y = glim_graph_add_tensor(g, "y", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
    float s = 0.05f;
    int32_t z = 128;
    CHECK_OK(glim_graph_set_quant(g, q, 1, 0, &s, &z, &err), err);
    glim_graph_add_node(g, GLIM_OP_DEQUANTIZE, "dq", 1, &q, 1, &y, NULL, 0, &err);
    glim_graph_set_io(g, 1, &q, 1, &y, &err);
    CHECK_OK(glim_graph_prepare(g, 1, &err), err);
    memcpy(glim_graph_tensor(g, q)->data, f.t[0].data, (size_t)f.t[0].count);
    CHECK_OK(glim_graph_run(g, &err), err);
    fx_compare("dequantize_u8", glim_graph_tensor(g, y), &f.t[1], 1e-6);
    glim_graph_free(g);
    fx_free(&f);

    if (fx_load("quantize_i8", &f) != 0) { check_failed_now = 1; return; }
    CHECK_OK(glim_graph_new(&g, &err), err);
    int x = glim_graph_add_tensor(g, "x", GLIM_F32, f.t[0].ndim, f.t[0].shape, GLIM_TENSOR_INPUT, &err);
    q = glim_graph_add_tensor(g, "q", GLIM_I8, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
    s = 0.03f;
    z = -5;
    CHECK_OK(glim_graph_set_quant(g, q, 1, 0, &s, &z, &err), err);
    glim_graph_add_node(g, GLIM_OP_QUANTIZE, "qz", 1, &x, 1, &q, NULL, 0, &err);
    glim_graph_set_io(g, 1, &x, 1, &q, &err);
    CHECK_OK(glim_graph_prepare(g, 1, &err), err);
    memcpy(glim_graph_tensor(g, x)->data, f.t[0].data, (size_t)f.t[0].count * 4);
    CHECK_OK(glim_graph_run(g, &err), err);
    fx_compare("quantize_i8", glim_graph_tensor(g, q), &f.t[1], 0);
    glim_graph_free(g);
    fx_free(&f);

    /* a quantized tensor without parameters is refused at prepare */
    CHECK_OK(glim_graph_new(&g, &err), err);
    int64_t sh[] = {4};
    q = glim_graph_add_tensor(g, "q", GLIM_U8, 1, sh, GLIM_TENSOR_INPUT, &err);
    y = glim_graph_add_tensor(g, "y", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
    glim_graph_add_node(g, GLIM_OP_DEQUANTIZE, "dq", 1, &q, 1, &y, NULL, 0, &err);
    glim_graph_set_io(g, 1, &q, 1, &y, &err);
    CHECK(glim_graph_prepare(g, 1, &err) == GLIM_EINVAL);
    CHECK(strcmp(err.msg, "prepare: node 'dq' (DEQUANTIZE): tensor 'q' has no quantization") == 0);
    glim_graph_free(g);
}

static void test_shape_ops(void)
{
    glim_transpose_params tp = {4, {0, 3, 1, 2}};
    fx_check_op("transpose_0312", GLIM_OP_TRANSPOSE, &tp, sizeof tp, "i", 1, 0);
    glim_pack_params pp = {1, 3};
    fx_check_op("pack_axis1", GLIM_OP_PACK, &pp, sizeof pp, "iic", 1, 0);
    pp = (glim_pack_params){2, 5};
    fx_check_op("unpack_axis2", GLIM_OP_UNPACK, &pp, sizeof pp, "i", 5, 0);
    glim_slice_params sp = {3, {1, 2, 0}, {3, 3, 4}, {1, 3, 2}};
    fx_check_op("slice_strided", GLIM_OP_SLICE, &sp, sizeof sp, "i", 1, 0);
    glim_pad_params pd = {4, {0, 1, 3, 0}, {0, 2, 0, 0}, 0.5f};
    fx_check_op("pad_hw", GLIM_OP_PAD, &pd, sizeof pd, "i", 1, 0);
    glim_gather_params gp = {0, 0};
    fx_check_op("gather_axis0", GLIM_OP_GATHER, &gp, sizeof gp, "ii", 1, 0);
    fx_check_op("gather_nd", GLIM_OP_GATHER_ND, NULL, 0, "ic", 1, 0);
    glim_cast_params cp = {GLIM_I32};
    fx_check_op("cast_f32_i32", GLIM_OP_CAST, &cp, sizeof cp, "i", 1, 0);
}

/* TRANSPOSE on random shapes (with 1-sized dims), permutations and dtypes,
 * at 1 and 2 threads, against the element-by-element definition: covers
 * the merged-dims, tiled 2-D and strided-gather paths of shape.c. */
static int transpose_case(unsigned *seed, int threads)
{
    int nd = 1 + (int)(rand_r(seed) % 5);
    int64_t shape[GLIM_MAX_DIMS];
    for (int d = 0; d < nd; d++) {
        int r = (int)(rand_r(seed) % 4);
        shape[d] = r == 0 ? 1 : 1 + (int64_t)(rand_r(seed) % (r == 3 ? 70 : 9));
    }
    glim_transpose_params tp = {nd, {0}};
    for (int d = 0; d < nd; d++) tp.perm[d] = d;
    for (int d = nd - 1; d > 0; d--) {
        int k = (int)(rand_r(seed) % (unsigned)(d + 1)), t = tp.perm[d];
        tp.perm[d] = tp.perm[k];
        tp.perm[k] = t;
    }
    static const glim_dtype dts[] = {GLIM_F32, GLIM_U8, GLIM_I64};
    glim_dtype dt = dts[rand_r(seed) % 3];
    size_t es = glim_dtype_size(dt);
    glim_error err;
    glim_graph *g = NULL;
    if (glim_graph_new(&g, &err)) return 0;
    int x = glim_graph_add_tensor(g, "x", dt, nd, shape, GLIM_TENSOR_INPUT, &err);
    int y = glim_graph_add_tensor(g, "y", dt, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
    glim_graph_add_node(g, GLIM_OP_TRANSPOSE, "t", 1, &x, 1, &y, &tp, sizeof tp, &err);
    glim_graph_set_io(g, 1, &x, 1, &y, &err);
    int ok = glim_graph_prepare(g, threads, &err) == GLIM_OK;
    if (ok) {
        glim_gtensor *xt = glim_graph_tensor(g, x), *yt = glim_graph_tensor(g, y);
        unsigned char *xd = xt->data;
        for (size_t i = 0; i < (size_t)xt->count * es; i++) xd[i] = (unsigned char)rand_r(seed);
        ok = glim_graph_run(g, &err) == GLIM_OK;
        int64_t xs[GLIM_MAX_DIMS], acc = 1, idx[GLIM_MAX_DIMS] = {0};
        for (int d = nd - 1; d >= 0; d--) xs[d] = acc, acc *= shape[d];
        for (int64_t i = 0; ok && i < yt->count; i++) {
            int64_t off = 0;
            for (int k = 0; k < nd; k++) off += idx[k] * xs[tp.perm[k]];
            ok = memcmp((char *)yt->data + i * (int64_t)es, xd + off * (int64_t)es, es) == 0;
            for (int k = nd - 1; k >= 0; k--) {
                if (++idx[k] < yt->shape[k]) break;
                idx[k] = 0;
            }
        }
    }
    glim_graph_free(g);
    return ok;
}

static void test_transpose_random(void)
{
    unsigned seed = 2024;
    int bad = 0;
    for (int i = 0; i < 400; i++) bad += !transpose_case(&seed, 1 + i % 2);
    CHECK(bad == 0);
}

/* RESIZE_BILINEAR -> ARG_MAX over channels is fused (argmax.c): the result
 * must equal the two ops run apart (forced apart by also exposing the
 * resize's output), and the fused graph needs less arena. */
static void test_resize_argmax_fusion(void)
{
    size_t arena[2];
    int64_t *labels[2];
    for (int apart = 0; apart < 2; apart++) {
        glim_error err = {0};
        glim_graph *g = NULL;
        CHECK_OK(glim_graph_new(&g, &err), err);
        int64_t xs[] = {1, 9, 7, 21};
        int x = glim_graph_add_tensor(g, "x", GLIM_F32, 4, xs, GLIM_TENSOR_INPUT, &err);
        int r = glim_graph_add_tensor(g, "r", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
        int a = glim_graph_add_tensor(g, "a", GLIM_I64, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
        glim_resize_params rp = {.out_h = 65, .out_w = 49, .align_corners = 1};
        glim_arg_max_params ap = {3, GLIM_I64};
        glim_graph_add_node(g, GLIM_OP_RESIZE_BILINEAR, "resize", 1, &x, 1, &r, &rp, sizeof rp, &err);
        glim_graph_add_node(g, GLIM_OP_ARG_MAX, "argmax", 1, &r, 1, &a, &ap, sizeof ap, &err);
        int outs[] = {a, r};
        CHECK_OK(glim_graph_set_io(g, 1, &x, apart ? 2 : 1, outs, &err), err);
        CHECK_OK(glim_graph_prepare(g, 2, &err), err);
        uint32_t seed = 17;
        float *xd = glim_graph_tensor(g, x)->data;
        for (int i = 0; i < 9 * 7 * 21; i++) xd[i] = fx_rand(&seed);
        CHECK_OK(glim_graph_run(g, &err), err);
        glim_graph_stats st;
        glim_graph_get_stats(g, &st);
        arena[apart] = st.arena_bytes;
        labels[apart] = malloc(65 * 49 * sizeof(int64_t));
        memcpy(labels[apart], glim_graph_tensor(g, a)->data, 65 * 49 * sizeof(int64_t));
        if (apart) { /* the labels agree with the exposed resize output */
            const float *rd = glim_graph_tensor(g, r)->data;
            for (int p = 0; p < 65 * 49; p++) {
                int best = 0;
                for (int c = 1; c < 21; c++) if (rd[p * 21 + c] > rd[p * 21 + best]) best = c;
                CHECK(labels[1][p] == best);
            }
        }
        glim_graph_free(g);
    }
    CHECK(memcmp(labels[0], labels[1], 65 * 49 * sizeof(int64_t)) == 0);
    CHECK(arena[0] + 65 * 49 * 21 * 4 <= arena[1] + 64);
    free(labels[0]);
    free(labels[1]);
}

static void test_lstm(void)
{
    glim_lstm_params p = {.act = GLIM_ACT_TANH};
    /* x, W_i..W_o, R_i..R_o, (no peepholes), b_i..b_o, then absent slots */
    fx_check_op("lstm_basic", GLIM_OP_LSTM, &p, sizeof p, "icccccccc---cccc--------", 1, 1e-4);
}

int main(void)
{
    RUN(test_activations);
    RUN(test_concat);
    RUN(test_resize);
    RUN(test_mean_argmax);
    RUN(test_quantize);
    RUN(test_shape_ops);
    RUN(test_transpose_random);
    RUN(test_resize_argmax_fusion);
    RUN(test_lstm);
    return check_done();
}
