/* test_tflite_model.c — the model API (nn/model.h) in C on the fixtures of
 * tools/fixtures/tflite_tiny.py: input conversion rules, raw outputs,
 * argument errors, and an allocation-failure sweep over load and run (every
 * allocation made to fail in turn must give a clean error; `make asan-test`
 * checks for leaks). Run from the repository root. */
#include "check.h"
#include "glimpse.h"

#include <stdlib.h>
#include <string.h>

#define QUANT "spec/fixtures/tflite/conv_fc_quant.tflite"
#define ADD2 "spec/fixtures/tflite/add2.tflite"

static glim_tensor *pixels(void)
{
    int64_t shape[4] = {1, 5, 5, 2};
    glim_tensor *t = NULL;
    glim_error err;
    if (glim_tensor_new(GLIM_U8, 4, shape, &t, &err) != GLIM_OK) return NULL;
    for (int64_t i = 0; i < t->count; i++) ((uint8_t *)t->data)[i] = (uint8_t)((i * 37) % 256);
    return t;
}

static void test_io_info(void)
{
    glim_model *m = NULL;
    glim_error err = {0};
    CHECK_OK(glim_model_load_file(QUANT, NULL, &m, &err), err);
    if (!m) return;
    CHECK(glim_model_input_count(m) == 1 && glim_model_output_count(m) == 1);
    const glim_model_io *in = glim_model_input(m, 0), *out = glim_model_output(m, 0);
    CHECK(strcmp(in->name, "image") == 0 && in->dtype == GLIM_U8 && in->zero_point == 128);
    CHECK_NEAR(in->scale, 1.0 / 64, 1e-9);
    CHECK(out->dtype == GLIM_F32 && out->file_dtype == GLIM_U8 && out->ndim == 2);
    CHECK(glim_model_find_input(m, "image") == 0 && glim_model_find_output(m, "logits") == 0);
    CHECK(glim_model_find_input(m, "nope") == -1);
    CHECK(glim_model_input(m, 1) == NULL);
    glim_model_stats s;
    glim_model_get_stats(m, &s);
    CHECK(s.weights_bytes >= (3 * 3 * 3 * 2 + 3 + 4 * 75 + 4) * sizeof(float));
    CHECK(s.flops > 0);
    glim_model_free(m);
}

/* uint8 pixels as is, the same pixels as float32 real values, and as a
 * float32 tensor of raw values carrying the input's scale: one answer. */
static void test_input_conversion(void)
{
    glim_model *m = NULL;
    glim_error err = {0};
    CHECK_OK(glim_model_load_file(QUANT, NULL, &m, &err), err);
    if (!m) return;
    glim_tensor *u8 = pixels(), *f32 = NULL, *f32q = NULL;
    int64_t hwc[3] = {5, 5, 2};
    CHECK_OK(glim_tensor_new(GLIM_F32, 4, u8->shape, &f32, &err), err);
    CHECK_OK(glim_tensor_new(GLIM_F32, 3, hwc, &f32q, &err), err); /* no batch dim */
    for (int64_t i = 0; i < u8->count; i++) {
        double q = ((uint8_t *)u8->data)[i];
        ((float *)f32->data)[i] = (float)((q - 128) / 64);
        ((float *)f32q->data)[i] = (float)q;
    }
    f32q->scale = 1.0f / 64; /* raw values with their own quantization */
    f32q->zero_point = 128;
    glim_tensor *a[1], *b[1], *c[1], *raw[1];
    CHECK_OK(glim_model_run(m, &u8, 1, a, &err), err);
    CHECK_OK(glim_model_run(m, &f32, 1, b, &err), err);
    CHECK_OK(glim_model_run(m, &f32q, 1, c, &err), err);
    CHECK_OK(glim_model_run_raw(m, &u8, 1, raw, &err), err);
    if (a[0] && b[0] && c[0] && raw[0]) {
        CHECK(a[0]->dtype == GLIM_F32 && raw[0]->dtype == GLIM_U8);
        CHECK(raw[0]->zero_point == 100);
        for (int64_t i = 0; i < a[0]->count; i++) {
            float va = ((float *)a[0]->data)[i];
            CHECK(va == ((float *)b[0]->data)[i]);
            CHECK(va == ((float *)c[0]->data)[i]);
            double q = ((uint8_t *)raw[0]->data)[i];
            CHECK_NEAR((q - 100) * 0.05, va, 0.05 / 2 + 1e-6);
        }
    }
    glim_tensor_free(a[0]);
    glim_tensor_free(b[0]);
    glim_tensor_free(c[0]);
    glim_tensor_free(raw[0]);
    glim_tensor_free(u8);
    glim_tensor_free(f32);
    glim_tensor_free(f32q);
    glim_model_free(m);
}

static void test_run_errors(void)
{
    glim_model *m = NULL;
    glim_error err = {0};
    CHECK_OK(glim_model_load_file(ADD2, NULL, &m, &err), err);
    if (!m) return;
    int64_t good[2] = {2, 3}, bad[2] = {3, 2};
    glim_tensor *x = NULL, *y = NULL, *out[1] = {NULL};
    glim_tensor_new(GLIM_F32, 2, good, &x, &err);
    glim_tensor_new(GLIM_F32, 2, bad, &y, &err);
    glim_tensor *in[2] = {x, y};
    CHECK(glim_model_run(m, in, 1, out, &err) == GLIM_EINVAL);
    CHECK(strcmp(err.msg, "model: 1 inputs given, the model takes 2") == 0);
    CHECK(glim_model_run(m, in, 2, out, &err) == GLIM_EINVAL);
    CHECK(strcmp(err.msg, "model: input 2 ('b') has shape [3,2], expected [2,3]") == 0);
    in[1] = NULL;
    CHECK(glim_model_run(m, in, 2, out, &err) == GLIM_EINVAL);
    CHECK(strstr(err.msg, "missing") != NULL);
    in[1] = x;
    CHECK_OK(glim_model_run(m, in, 2, out, &err), err);
    glim_tensor_free(out[0]);
    glim_tensor_free(x);
    glim_tensor_free(y);
    glim_model_free(m);

    glim_model_opts o;
    glim_model_opts_init(&o);
    o.threads = 0;
    CHECK(glim_model_load_file(ADD2, &o, &m, &err) == GLIM_EINVAL && m == NULL);
    CHECK(glim_model_load_file(NULL, NULL, &m, &err) == GLIM_EINVAL);
    CHECK(glim_model_run(NULL, NULL, 0, NULL, &err) == GLIM_EINVAL);
    glim_model_free(NULL);
}

/* ---- allocation-failure sweep ------------------------------------------- */

static long alloc_count, fail_at;

static void *counting_alloc(size_t size, size_t align, void *user)
{
    (void)user;
    if (alloc_count++ == fail_at) return NULL;
    void *p = NULL;
    if (posix_memalign(&p, align, size ? size : 1) != 0) return NULL;
    return p;
}

static void counting_free(void *p, void *user)
{
    (void)user;
    free(p);
}

static glim_status load_and_run(const char *bytes, size_t len, glim_error *err)
{
    glim_model *m = NULL;
    glim_status st = glim_model_load(bytes, len, NULL, &m, err);
    if (st != GLIM_OK) return st;
    const glim_model_io *io = glim_model_input(m, 0);
    glim_tensor *x = NULL, *y[4] = {NULL};
    st = glim_tensor_new(io->dtype, io->ndim, io->shape, &x, err);
    if (st == GLIM_OK) st = glim_model_run(m, &x, 1, y, err);
    glim_tensor_free(x);
    for (int i = 0; i < 4; i++) glim_tensor_free(y[i]);
    glim_model_free(m);
    return st;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void sweep(const char *path)
{
    size_t len;
    char *buf = read_all(path, &len);
    if (!buf) {
        printf("# skip: %s not found\n", path);
        return;
    }
    glim_allocator a = {counting_alloc, counting_free, NULL};
    glim_set_allocator(&a);
    glim_error err;
    alloc_count = 0;
    fail_at = -1;
    glim_status st = load_and_run(buf, len, &err);
    long total = alloc_count;
    CHECK_OK(st, err);
    int clean = 0;
    for (fail_at = 0; fail_at < total; fail_at++) {
        alloc_count = 0;
        memset(&err, 0, sizeof err);
        st = load_and_run(buf, len, &err);
        if (st == GLIM_ENOMEM && err.msg[0]) clean++;
        else if (total - clean < 4)
            printf("#   failing allocation %ld of %ld gave %d '%s'\n", fail_at, total, (int)st,
                   err.msg);
    }
    glim_set_allocator(NULL);
    printf("# %s: %ld allocations in load + run, %d failures reported\n", path, total, clean);
    CHECK(total > 5);
    CHECK(clean == total);
    free(buf);
}

static void test_allocation_failures(void)
{
    sweep(QUANT);
    sweep("spec/fixtures/tflite/conv_fc_float.tflite");
    const char *shared = getenv("GLIMPSE_SHARED");
    char path[512];
    snprintf(path, sizeof path, "%s/models/tflite/keras_lstm_mnist_ptq.tflite",
             shared ? shared : "../shared");
    sweep(path);
    snprintf(path, sizeof path, "%s/models/tflite/mobilenet_v1_0.25_128_quant.tflite",
             shared ? shared : "../shared");
    sweep(path);
}

int main(void)
{
    RUN(test_io_info);
    RUN(test_input_conversion);
    RUN(test_run_errors);
    RUN(test_allocation_failures);
    return check_done();
}
