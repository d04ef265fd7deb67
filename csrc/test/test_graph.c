/* test_graph.c — the graph builder, prepare's validation and the planner. */
#include "check.h"
#include "nn/graph.h"

#include <string.h>

static void test_builder_validates(void)
{
    glim_error err = {0};
    glim_graph *g = NULL;
    CHECK_OK(glim_graph_new(&g, &err), err);
    int64_t s[] = {1, 4, 4, 3}, neg[] = {1, -2};
    int x = glim_graph_add_tensor(g, "x", GLIM_F32, 4, s, GLIM_TENSOR_INPUT, &err);
    CHECK(x == 0);
    CHECK(glim_graph_add_tensor(g, "bad", GLIM_F32, 2, neg, GLIM_TENSOR_ACTIVATION, &err) == -1);
    CHECK(err.code == GLIM_EINVAL);
    CHECK(strstr(err.msg, "'bad'") != NULL);
    CHECK(glim_graph_add_tensor(g, "bad", (glim_dtype)99, 1, s, GLIM_TENSOR_ACTIVATION, &err) == -1);
    int y = glim_graph_add_tensor(g, "y", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
    CHECK(y == 1);
    CHECK(glim_graph_find_tensor(g, "y") == y);
    CHECK(glim_graph_find_tensor(g, "nope") == -1);
    glim_binary_params bp = {GLIM_ACT_NONE};
    int in2[] = {x, x};
    /* wrong params size */
    CHECK(glim_graph_add_node(g, GLIM_OP_ADD, "add", 2, in2, 1, &y, &bp, 3, &err) == -1);
    CHECK(strstr(err.msg, "params are 3 bytes") != NULL);
    /* bad tensor index */
    int bad[] = {x, 7};
    CHECK(glim_graph_add_node(g, GLIM_OP_ADD, "add", 2, bad, 1, &y, &bp, sizeof bp, &err) == -1);
    CHECK(glim_graph_add_node(g, GLIM_OP_ADD, "add", 2, in2, 1, &y, &bp, sizeof bp, &err) == 0);
    /* no outputs declared yet */
    CHECK(glim_graph_prepare(g, 1, &err) == GLIM_EINVAL);
    CHECK(strstr(err.msg, "no outputs") != NULL);
    /* a failed prepare leaves the graph failed */
    CHECK(glim_graph_set_io(g, 1, &x, 1, &y, &err) == GLIM_EINVAL);
    CHECK(strstr(err.msg, "failed state") != NULL);
    glim_graph_free(g);
    glim_graph_free(NULL);
}

static void test_const_memory_is_aligned_and_stable(void)
{
    glim_error err = {0};
    glim_graph *g = NULL;
    CHECK_OK(glim_graph_new(&g, &err), err);
    void *a = glim_graph_const_alloc(g, 10, &err);
    void *b = glim_graph_const_alloc(g, 3 << 20, &err); /* bigger than a block */
    void *c = glim_graph_const_alloc(g, 5, &err);
    CHECK(a && b && c);
    CHECK(((uintptr_t)a % 64) == 0 && ((uintptr_t)b % 64) == 0 && ((uintptr_t)c % 64) == 0);
    memset(b, 1, 3 << 20);
    int64_t s[] = {2, 3};
    int w = glim_graph_add_tensor(g, "w", GLIM_F32, 2, s, GLIM_TENSOR_CONSTANT, &err);
    float vals[6] = {1, 2, 3, 4, 5, 6};
    CHECK_OK(glim_graph_set_const_copy(g, w, vals, &err), err);
    CHECK(memcmp(glim_graph_tensor(g, w)->data, vals, sizeof vals) == 0);
    int x = glim_graph_add_tensor(g, "x", GLIM_F32, 2, s, GLIM_TENSOR_INPUT, &err);
    CHECK(glim_graph_set_const(g, x, a, &err) == GLIM_EINVAL);
    float sc[2] = {0.5f, 0.25f};
    int32_t zp[2] = {3, 4};
    CHECK_OK(glim_graph_set_quant(g, w, 2, 0, sc, zp, &err), err);
    CHECK(glim_graph_tensor(g, w)->quant.n == 2);
    CHECK(glim_graph_tensor(g, w)->quant.zero_point[1] == 4);
    glim_graph_stats st;
    glim_graph_get_stats(g, &st);
    CHECK(st.weights_bytes == 10 + (3 << 20) + 5 + sizeof vals);
    glim_graph_free(g);
}

static void test_op_names(void)
{
    glim_op_id op;
    CHECK(strcmp(glim_op_name(GLIM_OP_CONV2D), "CONV2D") == 0);
    CHECK(glim_op_parse("DEPTHWISE_CONV2D", &op) == 0 && op == GLIM_OP_DEPTHWISE_CONV2D);
    CHECK(glim_op_parse("NOPE", &op) == -1);
    CHECK(strcmp(glim_op_name((glim_op_id)999), "?") == 0);
}

int main(void)
{
    RUN(test_builder_validates);
    RUN(test_const_memory_is_aligned_and_stable);
    RUN(test_op_names);
    return check_done();
}
