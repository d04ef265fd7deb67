/* test_op_eltwise.c — binary ops with broadcasting, SOFTMAX and RESHAPE
 * against NumPy/PyTorch fixtures (tools/fixtures/ops.py).
 * Tolerance: 1e-6 relative for float arithmetic, exact for integers,
 * 1e-5 for softmax (expf). */
#include "test_op_util.h"

static void test_binary_fixtures(void)
{
    glim_binary_params p = {GLIM_ACT_NONE};
    static const struct { const char *name; glim_op_id op; double tol; } cases[] = {
        {"add_same", GLIM_OP_ADD, 1e-6},       {"add_channel", GLIM_OP_ADD, 1e-6},
        {"sub_bcast", GLIM_OP_SUB, 1e-6},      {"mul_scalar", GLIM_OP_MUL, 1e-6},
        {"div_bcast", GLIM_OP_DIV, 1e-6},      {"floor_div_f32", GLIM_OP_FLOOR_DIV, 1e-6},
        {"floor_div_i32", GLIM_OP_FLOOR_DIV, 0}, {"max_bcast", GLIM_OP_MAXIMUM, 0},
        {"min_i64", GLIM_OP_MINIMUM, 0},       {"mul_i32", GLIM_OP_MUL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        fx_check_op(cases[i].name, cases[i].op, &p, sizeof p, "ii", 1, cases[i].tol);
    /* the second operand as a constant takes the same path */
    fx_check_op("add_channel", GLIM_OP_ADD, &p, sizeof p, "ic", 1, 1e-6);
}

static void test_softmax_fixtures(void)
{
    glim_softmax_params p = {1.0f, -1};
    fx_check_op("softmax_last", GLIM_OP_SOFTMAX, &p, sizeof p, "i", 1, 1e-5);
    p = (glim_softmax_params){0.5f, 1};
    fx_check_op("softmax_axis1_beta", GLIM_OP_SOFTMAX, &p, sizeof p, "i", 1, 1e-5);
}

static void test_broadcast_mismatch_fails(void)
{
    glim_error err = {0};
    glim_graph *g = NULL;
    CHECK_OK(glim_graph_new(&g, &err), err);
    int64_t a[] = {2, 3}, b[] = {4};
    int x = glim_graph_add_tensor(g, "a", GLIM_F32, 2, a, GLIM_TENSOR_INPUT, &err);
    int z = glim_graph_add_tensor(g, "b", GLIM_F32, 1, b, GLIM_TENSOR_INPUT, &err);
    int y = glim_graph_add_tensor(g, "y", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
    int in[] = {x, z};
    glim_graph_add_node(g, GLIM_OP_ADD, "add_1", 2, in, 1, &y, NULL, 0, &err);
    glim_graph_set_io(g, 2, in, 1, &y, &err);
    CHECK(glim_graph_prepare(g, 1, &err) == GLIM_EINVAL);
    CHECK(strcmp(err.msg, "prepare: node 'add_1' (ADD): shapes do not broadcast: dim 1 is 3 "
                          "and 4") == 0);
    glim_graph_free(g);
}

/* A small chain: reshape (with -1) -> add -> reshape back; checks values,
 * the declared-shape check and that the planner reuses memory. */
static void test_chain_and_planner(void)
{
    glim_error err = {0};
    glim_graph *g = NULL;
    CHECK_OK(glim_graph_new(&g, &err), err);
    int64_t xs[] = {2, 6}, r[] = {3, 4};
    int x = glim_graph_add_tensor(g, "x", GLIM_F32, 2, xs, GLIM_TENSOR_INPUT, &err);
    int t[6];
    for (int i = 0; i < 6; i++)
        t[i] = glim_graph_add_tensor(g, NULL, GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
    glim_reshape_params rp = {2, {3, -1}};
    glim_binary_params bp = {GLIM_ACT_RELU};
    int in[2];
    glim_graph_add_node(g, GLIM_OP_RESHAPE, "r1", 1, &x, 1, &t[0], &rp, sizeof rp, &err);
    in[0] = t[0]; in[1] = t[0];
    glim_graph_add_node(g, GLIM_OP_ADD, "a1", 2, in, 1, &t[1], &bp, sizeof bp, &err);
    in[0] = t[1]; in[1] = t[1];
    glim_graph_add_node(g, GLIM_OP_ADD, "a2", 2, in, 1, &t[2], &bp, sizeof bp, &err);
    in[0] = t[2]; in[1] = t[2];
    glim_graph_add_node(g, GLIM_OP_ADD, "a3", 2, in, 1, &t[3], &bp, sizeof bp, &err);
    in[0] = t[3]; in[1] = t[3];
    glim_graph_add_node(g, GLIM_OP_ADD, "a4", 2, in, 1, &t[4], &bp, sizeof bp, &err);
    glim_reshape_params back = {2, {2, 6}};
    glim_graph_add_node(g, GLIM_OP_RESHAPE, "r2", 1, &t[4], 1, &t[5], &back, sizeof back, &err);
    CHECK_OK(glim_graph_set_io(g, 1, &x, 1, &t[5], &err), err);
    CHECK_OK(glim_graph_prepare(g, 1, &err), err);
    CHECK(glim_graph_tensor(g, t[0])->ndim == 2 && glim_graph_tensor(g, t[0])->shape[1] == 4);
    (void)r;
    float *xd = glim_graph_tensor(g, x)->data;
    for (int i = 0; i < 12; i++) xd[i] = (float)(i - 4);
    CHECK_OK(glim_graph_run(g, &err), err);
    const float *yd = glim_graph_tensor(g, t[5])->data;
    for (int i = 0; i < 12; i++) CHECK_NEAR(yd[i], i < 4 ? 0 : 16.0 * (i - 4), 0);
    glim_graph_stats st;
    glim_graph_get_stats(g, &st);
    CHECK(st.activation_bytes == 7 * 48);
    CHECK(st.arena_bytes < st.activation_bytes); /* buffers reused by liveness */
    CHECK(st.arena_bytes >= 3 * 64);             /* x plus an op's input and output */
    glim_graph_free(g);

    /* a declared shape that disagrees with inference is an error naming both */
    CHECK_OK(glim_graph_new(&g, &err), err);
    x = glim_graph_add_tensor(g, "x", GLIM_F32, 2, xs, GLIM_TENSOR_INPUT, &err);
    int64_t wrong[] = {4, 3};
    int y = glim_graph_add_tensor(g, "y", GLIM_F32, 2, wrong, GLIM_TENSOR_ACTIVATION, &err);
    glim_graph_add_node(g, GLIM_OP_RESHAPE, "r", 1, &x, 1, &y, &rp, sizeof rp, &err);
    glim_graph_set_io(g, 1, &x, 1, &y, &err);
    CHECK(glim_graph_prepare(g, 1, &err) == GLIM_EINVAL);
    CHECK(strcmp(err.msg, "prepare: node 'r' (RESHAPE): output 'y' has shape [3,4], the graph "
                          "declares [4,3]") == 0);
    CHECK(glim_graph_run(g, &err) == GLIM_EINVAL);
    glim_graph_free(g);
}

/* Long contiguous runs are split across threads: a same-shape SUB and a
 * scalar MUL over 100003 elements at 2 threads, checked element by element. */
static void test_long_runs_split(void)
{
    glim_error err = {0};
    glim_graph *g = NULL;
    CHECK_OK(glim_graph_new(&g, &err), err);
    int64_t n[] = {100003}, one[] = {1};
    int a = glim_graph_add_tensor(g, "a", GLIM_F32, 1, n, GLIM_TENSOR_INPUT, &err);
    int b = glim_graph_add_tensor(g, "b", GLIM_F32, 1, n, GLIM_TENSOR_INPUT, &err);
    int k = glim_graph_add_tensor(g, "k", GLIM_F32, 1, one, GLIM_TENSOR_CONSTANT, &err);
    int d = glim_graph_add_tensor(g, "d", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
    int y = glim_graph_add_tensor(g, "y", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
    float three = 3.f;
    glim_graph_set_const_copy(g, k, &three, &err);
    int in1[] = {a, b}, in2[] = {k, d}, ins[] = {a, b};
    glim_graph_add_node(g, GLIM_OP_SUB, "sub", 2, in1, 1, &d, NULL, 0, &err);
    glim_graph_add_node(g, GLIM_OP_MUL, "mul", 2, in2, 1, &y, NULL, 0, &err);
    CHECK_OK(glim_graph_set_io(g, 2, ins, 1, &y, &err), err);
    CHECK_OK(glim_graph_prepare(g, 2, &err), err);
    float *ad = glim_graph_tensor(g, a)->data, *bd = glim_graph_tensor(g, b)->data;
    for (int i = 0; i < 100003; i++) ad[i] = (float)i, bd[i] = (float)(i % 7);
    CHECK_OK(glim_graph_run(g, &err), err);
    const float *yd = glim_graph_tensor(g, y)->data;
    int bad = 0;
    for (int i = 0; i < 100003; i++) bad += yd[i] != 3.f * ((float)i - (float)(i % 7));
    CHECK(bad == 0);
    glim_graph_free(g);
}

int main(void)
{
    RUN(test_binary_fixtures);
    RUN(test_softmax_fixtures);
    RUN(test_broadcast_mismatch_fails);
    RUN(test_chain_and_planner);
    RUN(test_long_runs_split);
    return check_done();
}
