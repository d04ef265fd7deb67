/* test_onnx.c — the ONNX importer: the protobuf wire reader, the tiny models
 * of tools/fixtures/onnx_tiny.py against their PyTorch / NumPy references
 * (tolerance 1e-5 absolute, 2e-5 for the LayerNorm case: float32 sums of at
 * most a few dozen terms), the graphs the importer builds (fusion, folding,
 * layout), dynamic shapes, malformed files and allocation failures. */
#include "check.h"
#include "test_op_util.h"
#include "nn/model.h"
#include "nn/import/onnx_internal.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIX "spec/fixtures/onnx_tiny/"

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
    *len = fread(b, 1, (size_t)n, f);
    fclose(f);
    return b;
}

/* ---- wire reader ------------------------------------------------------ */

static void test_pb_varint(void)
{
    const uint8_t ten[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    pb_cursor c = {ten, ten + sizeof ten};
    uint64_t v = 0;
    CHECK(pb_varint(&c, &v) == 1 && v == UINT64_MAX && c.p == c.end);
    const uint8_t over[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x03};
    c = (pb_cursor){over, over + sizeof over};
    CHECK(pb_varint(&c, &v) == 0); /* more than 64 bits */
    const uint8_t trunc[] = {0x80, 0x80};
    c = (pb_cursor){trunc, trunc + sizeof trunc};
    CHECK(pb_varint(&c, &v) == 0);
    const uint8_t small[] = {0xac, 0x02};
    c = (pb_cursor){small, small + 2};
    CHECK(pb_varint(&c, &v) == 1 && v == 300);
}

static void test_pb_fields(void)
{
    /* field 1 varint 150, field 2 "ab", field 3 fixed32, field 4 packed varints 1,300 */
    const uint8_t msg[] = {0x08, 0x96, 0x01, 0x12, 0x02, 'a', 'b', 0x1d, 1, 2, 3, 4,
                           0x22, 0x03, 0x01, 0xac, 0x02};
    pb_cursor c = {msg, msg + sizeof msg}, s;
    uint32_t f, w, x32;
    uint64_t v;
    CHECK(pb_next(&c, &f, &w) == 1 && f == 1 && w == PB_VARINT && pb_varint(&c, &v) && v == 150);
    CHECK(pb_next(&c, &f, &w) == 1 && f == 2 && w == PB_LEN && pb_len(&c, &s) &&
          s.end - s.p == 2 && s.p[0] == 'a');
    CHECK(pb_next(&c, &f, &w) == 1 && f == 3 && w == PB_I32 && pb_fixed32(&c, &x32) &&
          x32 == 0x04030201u);
    size_t n = 0;
    CHECK(pb_next(&c, &f, &w) == 1 && f == 4 && pb_len(&c, &s) && pb_packed_count(&s, PB_VARINT, &n) &&
          n == 2);
    CHECK(pb_next(&c, &f, &w) == 0);
    /* a length past the end, a group wire type, field number 0 */
    const uint8_t bad_len[] = {0x12, 0x05, 'a'};
    c = (pb_cursor){bad_len, bad_len + 3};
    CHECK(pb_next(&c, &f, &w) == 1 && pb_len(&c, &s) == 0);
    const uint8_t group[] = {0x0b};
    c = (pb_cursor){group, group + 1};
    CHECK(pb_next(&c, &f, &w) == -1);
    const uint8_t zero[] = {0x00, 0x01};
    c = (pb_cursor){zero, zero + 2};
    CHECK(pb_next(&c, &f, &w) == -1);
    const uint8_t odd_f32[] = {1, 2, 3, 4, 5};
    pb_cursor p = {odd_f32, odd_f32 + 5};
    CHECK(pb_packed_count(&p, PB_I32, &n) == 0);
}

static void test_op_table_sorted(void)
{
    static const char *ops[] = {"Conv", "BatchNormalization", "LSTM", "GRU", "Resize", "MatMul",
                                "Where", "Abs", "Unsqueeze", "Upsample", "HardSwish", "HardSigmoid",
                                "ReduceMean", "Reciprocal", "Relu", "Reshape", "Max", "MaxPool"};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        const onnx_op_entry *e = onnx_find_op(ops[i]);
        CHECK(e && strcmp(e->op_type, ops[i]) == 0);
    }
    CHECK(onnx_find_op("NonMaxSuppression") == NULL);
    CHECK(onnx_find_op("") == NULL);
}

/* ---- models against references ------------------------------------------ */

static void run_case(const char *model, const char *data, int nin, int nout, double tol)
{
    char path[256], fx[128];
    snprintf(path, sizeof path, FIX "%s.onnx", model);
    snprintf(fx, sizeof fx, "../onnx_tiny/%s", data);
    glim_error err = {0};
    glim_model *m = NULL;
    fixture f;
    CHECK_OK(glim_model_load_file(path, NULL, &m, &err), err);
    if (!m || fx_load(fx, &f) != 0) {
        glim_model_free(m);
        CHECK(0);
        return;
    }
    CHECK(f.n == nin + nout);
    glim_tensor *in[4] = {0}, *out[4] = {0};
    for (int i = 0; i < nin; i++) {
        CHECK_OK(glim_tensor_new(GLIM_F32, f.t[i].ndim, f.t[i].shape, &in[i], &err), err);
        memcpy(in[i]->data, f.t[i].data, (size_t)f.t[i].count * 4);
    }
    CHECK(glim_model_output_count(m) == nout);
    glim_status st = glim_model_run(m, in, nin, out, &err);
    CHECK_OK(st, err);
    for (int k = 0; st == GLIM_OK && k < nout; k++) {
        const fx_tensor *want = &f.t[nin + k];
        CHECK(out[k]->ndim == want->ndim && out[k]->count == want->count);
        if (out[k]->count != want->count) continue;
        double worst = 0;
        for (int64_t i = 0; i < want->count; i++) {
            double d = fabs((double)((float *)out[k]->data)[i] - ((float *)want->data)[i]);
            if (!(d <= worst)) worst = d;
        }
        if (!(worst <= tol)) printf("#   %s output %d differs by %g\n", data, k, worst);
        CHECK(worst <= tol);
    }
    for (int i = 0; i < 4; i++) glim_tensor_free(in[i]), glim_tensor_free(out[i]);
    fx_free(&f);
    glim_model_free(m);
}

static void test_models(void)
{
    run_case("conv_bn_relu", "conv_bn_relu", 1, 1, 1e-5);
    run_case("pow_int", "pow_int", 1, 1, 1e-5);
    run_case("conv_dynamic", "conv_dynamic_a", 1, 1, 1e-5);
    run_case("conv_dynamic", "conv_dynamic_b", 1, 1, 1e-5);
    run_case("shape_chain", "shape_chain", 1, 1, 1e-5);
    run_case("layout_ops", "layout_ops", 1, 1, 2e-5);
    run_case("depthwise_group", "depthwise_group", 1, 1, 1e-5);
    run_case("resize_concat", "resize_concat", 1, 1, 1e-5);
    run_case("conv_transpose", "conv_transpose", 1, 1, 1e-5);
    run_case("conv_transpose_bn", "conv_transpose_bn", 1, 1, 1e-5);
    run_case("attention", "attention", 1, 1, 1e-5);
    run_case("lstm_forward", "lstm_forward", 1, 3, 1e-5);
    run_case("lstm_reverse", "lstm_reverse", 1, 3, 1e-5);
    run_case("lstm_bidirectional", "lstm_bidirectional", 1, 3, 1e-5);
    run_case("gru_forward_lbr0", "gru_forward_lbr0", 1, 2, 1e-5);
    run_case("gru_bidirectional_lbr1", "gru_bidirectional_lbr1", 1, 2, 1e-5);
    run_case("opset9", "opset9", 1, 1, 1e-5);
    run_case("paddle_hardswish", "paddle_hardswish", 1, 1, 1e-5);
    run_case("log_softmax", "log_softmax", 1, 1, 1e-4); /* outputs up to ~300 in magnitude */
    run_case("channel_shuffle", "channel_shuffle", 1, 1, 1e-5);
    run_case("gemm_general", "gemm_general", 1, 1, 1e-5);
    run_case("variadic", "variadic", 1, 1, 1e-5);
    run_case("misc_nhwc", "misc_nhwc", 1, 1, 1e-5);
    run_case("misc_seq", "misc_seq", 1, 1, 1e-5);
    run_case("conv_affine", "conv_affine", 1, 1, 1e-5);
    run_case("residual", "residual", 1, 1, 1e-5);
}

/* ---- what the builder emits ----------------------------------------------- */

static int count_op(glim_graph *g, glim_op_id op)
{
    int k = 0;
    for (int i = 0; i < g->nnodes; i++) k += g->nodes[i].op == op;
    return k;
}

static glim_model *load(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, FIX "%s.onnx", name);
    glim_error err = {0};
    glim_model *m = NULL;
    CHECK_OK(glim_model_load_file(path, NULL, &m, &err), err);
    return m;
}

static void test_fusion_and_folding(void)
{
    glim_model *m = load("conv_bn_relu");
    glim_graph *g = glim_model_graph(m);
    if (g) {
        /* input to NHWC, one fused conv (BN folded, ReLU fused), output to NCHW */
        CHECK(g->nnodes == 3);
        CHECK(count_op(g, GLIM_OP_CONV2D) == 1 && count_op(g, GLIM_OP_TRANSPOSE) == 2);
        for (int i = 0; i < g->nnodes; i++)
            if (g->nodes[i].op == GLIM_OP_CONV2D)
                CHECK(((glim_conv2d_params *)g->nodes[i].params)->act == GLIM_ACT_RELU);
    }
    glim_model_free(m);

    m = load("depthwise_group");
    g = glim_model_graph(m);
    if (g) {
        CHECK(count_op(g, GLIM_OP_DEPTHWISE_CONV2D) == 1);
        CHECK(count_op(g, GLIM_OP_CONV2D) == 3); /* group 3: three convs joined by a CONCAT */
        CHECK(count_op(g, GLIM_OP_HARD_SWISH) == 1);
        CHECK(count_op(g, GLIM_OP_HARD_SIGMOID) == 0 && count_op(g, GLIM_OP_MUL) == 0);
        CHECK(count_op(g, GLIM_OP_MATMUL) == 1);
        CHECK(count_op(g, GLIM_OP_TRANSPOSE) == 1); /* only the input: pools stay NHWC */
    }
    glim_model_free(m);

    m = load("shape_chain");
    g = glim_model_graph(m);
    if (g) {
        /* Shape/Gather/Unsqueeze/Concat fold into the reshape's constant */
        CHECK(count_op(g, GLIM_OP_GATHER) == 0 && count_op(g, GLIM_OP_CONCAT) == 0);
        CHECK(count_op(g, GLIM_OP_RESHAPE) == 1 && count_op(g, GLIM_OP_MATMUL) == 1);
        /* the reshape sees NCHW order: a transpose back after the NHWC conv */
        CHECK(count_op(g, GLIM_OP_TRANSPOSE) == 2);
    }
    glim_model_free(m);

    m = load("paddle_hardswish");
    g = glim_model_graph(m);
    if (g) {
        CHECK(count_op(g, GLIM_OP_HARD_SWISH) == 1 && count_op(g, GLIM_OP_DIV) == 0);
        CHECK(count_op(g, GLIM_OP_ADD) == 0 && count_op(g, GLIM_OP_MUL) == 0);
    }
    glim_model_free(m);

    m = load("residual");
    g = glim_model_graph(m);
    if (g) {
        CHECK(count_op(g, GLIM_OP_RELU) == 0 && count_op(g, GLIM_OP_ADD) == 1);
        for (int i = 0; i < g->nnodes; i++)
            if (g->nodes[i].op == GLIM_OP_ADD)
                CHECK(((glim_binary_params *)g->nodes[i].params)->act == GLIM_ACT_RELU);
    }
    glim_model_free(m);

    m = load("conv_affine"); /* everything folds into the conv */
    g = glim_model_graph(m);
    if (g) CHECK(count_op(g, GLIM_OP_CONV2D) == 1 && g->nnodes == 3);
    glim_model_free(m);

    m = load("conv_transpose_bn");
    g = glim_model_graph(m);
    if (g) CHECK(count_op(g, GLIM_OP_CONV_TRANSPOSE) == 1 && g->nnodes == 3);
    glim_model_free(m);

    m = load("channel_shuffle");
    g = glim_model_graph(m);
    if (g) /* the input's, the shuffle's (5-D), the output's: none around the split */
        CHECK(count_op(g, GLIM_OP_TRANSPOSE) == 3);
    glim_model_free(m);

    m = load("layout_ops");
    g = glim_model_graph(m);
    if (g) CHECK(count_op(g, GLIM_OP_MEAN) == 2 && count_op(g, GLIM_OP_POW) == 1);
    glim_model_free(m);
}

static void test_dynamic_shapes(void)
{
    glim_model *m = load("conv_dynamic");
    if (!m) return;
    const glim_model_io *io = glim_model_input(m, 0);
    CHECK(io->ndim == 4 && io->shape[0] == -1 && io->shape[1] == 3 && io->shape[2] == -1 &&
          io->shape[3] == -1);
    glim_error err = {0};
    int64_t s1[4] = {1, 3, 9, 11}, s2[4] = {3, 13, 7}; /* leading 1 left out */
    glim_tensor *a = NULL, *b = NULL, *out[1] = {0};
    CHECK_OK(glim_tensor_new(GLIM_F32, 4, s1, &a, &err), err);
    CHECK_OK(glim_tensor_new(GLIM_F32, 3, s2, &b, &err), err);
    CHECK_OK(glim_model_run(m, &a, 1, out, &err), err);
    glim_graph *g1 = glim_model_graph(m);
    CHECK(out[0] && out[0]->shape[2] == 5 && out[0]->shape[3] == 6);
    glim_tensor_free(out[0]);
    CHECK_OK(glim_model_run(m, &a, 1, out, &err), err);
    CHECK(glim_model_graph(m) == g1); /* same shape: the cached graph */
    glim_tensor_free(out[0]);
    CHECK_OK(glim_model_run(m, &b, 1, out, &err), err);
    CHECK(out[0] && out[0]->ndim == 4 && out[0]->shape[2] == 7 && out[0]->shape[3] == 4);
    glim_tensor_free(out[0]);
    /* a static dim is checked */
    int64_t s3[4] = {1, 4, 8, 8};
    glim_tensor *c = NULL;
    CHECK_OK(glim_tensor_new(GLIM_F32, 4, s3, &c, &err), err);
    CHECK(glim_model_run(m, &c, 1, out, &err) == GLIM_EINVAL);
    CHECK(strstr(err.msg, "expected [-1,3,-1,-1]") != NULL);
    /* the model still works */
    CHECK_OK(glim_model_run(m, &a, 1, out, &err), err);
    glim_tensor_free(out[0]);
    glim_tensor_free(a);
    glim_tensor_free(b);
    glim_tensor_free(c);
    glim_model_free(m);
}

/* ---- bad input ------------------------------------------------------------- */

static void test_unsupported_op(void)
{
    glim_error err = {0};
    glim_model *m = NULL;
    CHECK(glim_model_load_file(FIX "unsupported_op.onnx", NULL, &m, &err) == GLIM_EUNSUPPORTED);
    CHECK(m == NULL);
    CHECK(strcmp(err.msg, "onnx: unsupported op 'NonMaxSuppression' (opset 11) at node 'nms_1'") == 0);
    CHECK(glim_model_load_file(FIX "external_data.onnx", NULL, &m, &err) == GLIM_EUNSUPPORTED);
    CHECK(strcmp(err.msg, "onnx: initializer 0: tensor 'w' keeps its data in an external file") == 0);
    CHECK(glim_model_load_file(FIX "gru_bad_activations.onnx", NULL, &m, &err) == GLIM_EUNSUPPORTED);
    CHECK(strcmp(err.msg, "onnx: node 'gru_relu' (GRU): activations other than the defaults") == 0);
}

static void test_truncated_and_corrupted(void)
{
    size_t len;
    uint8_t *b = read_all(FIX "depthwise_group.onnx", &len);
    CHECK(b != NULL);
    if (!b) return;
    int ok_loads = 0;
    for (size_t n = 0; n < len; n++) {
        glim_error err = {0};
        glim_model *m = NULL;
        glim_status st = glim_model_load(b, n, NULL, &m, &err);
        if (st == GLIM_OK) ok_loads++;
        else CHECK(st == GLIM_EFORMAT && err.msg[0]);
        glim_model_free(m);
    }
    CHECK(ok_loads == 0);
    /* flip each byte: any status, no crash, no leak (checked under ASan) */
    uint8_t *c = malloc(len);
    for (size_t i = 0; i < len; i++) {
        memcpy(c, b, len);
        c[i] ^= 0xa5;
        glim_error err = {0};
        glim_model *m = NULL;
        if (glim_model_load(c, len, NULL, &m, &err) == GLIM_OK) {
            const glim_model_io *io = glim_model_input(m, 0);
            glim_tensor *x = NULL, *y[4] = {0};
            if (glim_shape_count(io->ndim, io->shape) > 0 &&
                glim_shape_count(io->ndim, io->shape) < 100000 &&
                glim_tensor_new(io->dtype, io->ndim, io->shape, &x, &err) == GLIM_OK &&
                glim_model_run(m, &x, 1, y, &err) == GLIM_OK)
                for (int k = 0; k < glim_model_output_count(m); k++) glim_tensor_free(y[k]);
            glim_tensor_free(x);
        }
        glim_model_free(m);
    }
    free(c);
    free(b);
    /* neither TFLite nor ONNX */
    glim_error err = {0};
    glim_model *m = NULL;
    CHECK(glim_model_load("hello world, not a model", 24, NULL, &m, &err) == GLIM_EFORMAT);
}

/* Inputs the fuzzer (csrc/fuzz/fuzz_onnx.c) once crashed on, replayed the
 * way it runs them: load, then one run with dynamic dims set to 7. */
static void test_crashers(void)
{
    DIR *d = opendir(FIX "crashers");
    CHECK(d != NULL);
    if (!d) return;
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char path[512];
        snprintf(path, sizeof path, FIX "crashers/%s", e->d_name);
        size_t len;
        uint8_t *b = read_all(path, &len);
        if (!b) continue;
        n++;
        glim_model_opts o;
        glim_model_opts_init(&o);
        o.max_tensors = 4096;
        o.max_ops = 4096;
        o.max_activation_bytes = (size_t)64 << 20;
        o.max_weight_bytes = (size_t)64 << 20;
        glim_error err = {0};
        glim_model *m = NULL;
        if (glim_model_load(b, len, &o, &m, &err) == GLIM_OK && glim_model_input_count(m) == 1) {
            const glim_model_io *io = glim_model_input(m, 0);
            int64_t s[GLIM_MAX_DIMS];
            for (int k = 0; k < io->ndim; k++) s[k] = io->shape[k] < 0 ? 7 : io->shape[k];
            glim_tensor *x = NULL, *y[64] = {0};
            int64_t cnt = glim_shape_count(io->ndim, s);
            if (cnt >= 0 && cnt < (1 << 22) && glim_model_output_count(m) <= 64 &&
                glim_tensor_new(io->dtype, io->ndim, s, &x, &err) == GLIM_OK &&
                glim_model_run(m, &x, 1, y, &err) == GLIM_OK)
                for (int k = 0; k < glim_model_output_count(m); k++) glim_tensor_free(y[k]);
            glim_tensor_free(x);
        }
        glim_model_free(m);
        free(b);
    }
    closedir(d);
    CHECK(n >= 1);
}

static void test_limits(void)
{
    glim_model_opts o;
    glim_model_opts_init(&o);
    o.max_ops = 2;
    glim_error err = {0};
    glim_model *m = NULL;
    CHECK(glim_model_load_file(FIX "depthwise_group.onnx", &o, &m, &err) == GLIM_ELIMIT);
    glim_model_opts_init(&o);
    o.max_weight_bytes = 64;
    CHECK(glim_model_load_file(FIX "depthwise_group.onnx", &o, &m, &err) == GLIM_ELIMIT);
    CHECK(m == NULL);
}

/* ---- allocation failures ------------------------------------------------------ */

static int alloc_count, alloc_fail_at, live_blocks;

static void *counting_alloc(size_t size, size_t align, void *user)
{
    (void)user;
    if (++alloc_count == alloc_fail_at) return NULL;
    void *p = NULL;
    if (posix_memalign(&p, align, size ? size : 1) != 0) return NULL;
    live_blocks++;
    return p;
}

static void counting_free(void *p, void *user)
{
    (void)user;
    live_blocks--;
    free(p);
}

static void test_allocation_failures(void)
{
    size_t len;
    uint8_t *b = read_all(FIX "conv_dynamic.onnx", &len);
    CHECK(b != NULL);
    if (!b) return;
    glim_allocator a = {counting_alloc, counting_free, NULL};
    int64_t s[4] = {1, 3, 6, 5};
    int failed = 0;
    for (int n = 1; n < 2000; n++, failed++) {
        alloc_count = 0, alloc_fail_at = n, live_blocks = 0;
        glim_set_allocator(&a);
        glim_error err = {0};
        glim_model *m = NULL;
        glim_tensor *x = NULL, *y[1] = {0};
        glim_status st = glim_model_load(b, len, NULL, &m, &err);
        if (st == GLIM_OK) st = glim_tensor_new(GLIM_F32, 4, s, &x, &err);
        if (st == GLIM_OK) st = glim_model_run(m, &x, 1, y, &err); /* a rebuild */
        glim_tensor_free(y[0]);
        glim_tensor_free(x);
        glim_model_free(m);
        glim_set_allocator(NULL);
        CHECK(live_blocks == 0);
        if (st == GLIM_OK) break;
        if (st != GLIM_ENOMEM) printf("#   fail at %d: %d %s\n", n, st, err.msg);
        CHECK(st == GLIM_ENOMEM);
    }
    CHECK(failed > 20);
    free(b);
}

int main(void)
{
    (void)fx_check_op;
    RUN(test_pb_varint);
    RUN(test_pb_fields);
    RUN(test_op_table_sorted);
    RUN(test_models);
    RUN(test_fusion_and_folding);
    RUN(test_dynamic_shapes);
    RUN(test_unsupported_op);
    RUN(test_truncated_and_corrupted);
    RUN(test_crashers);
    RUN(test_limits);
    RUN(test_allocation_failures);
    return check_done();
}
