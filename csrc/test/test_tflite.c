/* test_tflite.c — the TFLite importer against real models (../shared) and
 * the fixtures of tools/fixtures/tflite_tiny.py: every shared model imports
 * with the right I/O, error messages name the op / tensor / buffer, and
 * truncated or corrupted files fail cleanly (run under ASan by
 * `make asan-test`). Run from the repository root. */
#include "check.h"
#include "glimpse.h"
#include "nn/graph.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

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

static const char *shared_model(const char *name, char *buf, size_t n)
{
    const char *shared = getenv("GLIMPSE_SHARED");
    snprintf(buf, n, "%s/models/tflite/%s", shared ? shared : "../shared", name);
    return buf;
}

typedef struct {
    glim_graph *g;
    glim_model_io *in, *out;
    int nin, nout;
} imported;

static glim_status import(const void *bytes, size_t len, imported *m, glim_error *err)
{
    glim_model_opts opts;
    glim_model_opts_init(&opts);
    memset(m, 0, sizeof *m);
    return glim_tflite_import(bytes, len, &opts, &m->g, &m->in, &m->nin, &m->out, &m->nout, err);
}

static void release(imported *m)
{
    glim_graph_free(m->g);
    for (int i = 0; i < m->nin; i++) glim_free((void *)m->in[i].name);
    for (int i = 0; i < m->nout; i++) glim_free((void *)m->out[i].name);
    glim_free(m->in);
    glim_free(m->out);
    memset(m, 0, sizeof *m);
}

static const struct {
    const char *file;
    glim_dtype in_dtype;
    int64_t in_shape[4];
    int in_ndim;
    int64_t out_last; /* last dim of output 1 */
} models[] = {
    {"mobilenet_v1_0.25_128_quant.tflite", GLIM_U8, {1, 128, 128, 3}, 4, 1001},
    {"mobilenet_v1_0.5_160_quant.tflite", GLIM_U8, {1, 160, 160, 3}, 4, 1001},
    {"mobilenet_v2_1.0_224_quant.tflite", GLIM_U8, {1, 224, 224, 3}, 4, 1001},
    {"tf2_mobilenet_v2_1.0_224_ptq.tflite", GLIM_U8, {1, 224, 224, 3}, 4, 1001},
    {"mobilenet_v2_1.0_224_inat_bird_quant.tflite", GLIM_U8, {1, 224, 224, 3}, 4, 965},
    {"mobilenet_v1_1.0_224_quant_embedding_extractor.tflite", GLIM_U8, {1, 224, 224, 3}, 4, 1024},
    {"deeplabv3_mnv2_pascal_quant.tflite", GLIM_U8, {1, 513, 513, 3}, 4, 513},
    {"movenet_single_pose_lightning_ptq.tflite", GLIM_U8, {1, 192, 192, 3}, 4, 3},
    {"keras_lstm_mnist_ptq.tflite", GLIM_U8, {1, 28, 28, 0}, 3, 10},
};

static void test_shared_models_import(void)
{
    for (size_t k = 0; k < sizeof models / sizeof models[0]; k++) {
        char path[512];
        size_t len;
        char *bytes = read_all(shared_model(models[k].file, path, sizeof path), &len);
        if (!bytes) {
            printf("# skip: %s not found\n", path);
            continue;
        }
        imported m;
        glim_error err = {0};
        glim_status st = import(bytes, len, &m, &err);
        if (st != GLIM_OK) printf("#   %s: %s\n", models[k].file, err.msg);
        CHECK(st == GLIM_OK);
        if (st == GLIM_OK) {
            CHECK(m.nin == 1 && m.nout >= 1);
            printf("# %s: input %s %s, %d nodes, %zu weight bytes\n", models[k].file, m.in[0].name,
                   glim_dtype_name(m.in[0].dtype), m.g->nnodes, m.g->weights_size);
            CHECK(m.in[0].dtype == models[k].in_dtype);
            CHECK(m.in[0].ndim == models[k].in_ndim);
            for (int d = 0; d < models[k].in_ndim; d++)
                CHECK(m.in[0].shape[d] == models[k].in_shape[d]);
            CHECK(m.out[0].ndim >= 1);
            if (m.out[0].ndim >= 1) CHECK(m.out[0].shape[m.out[0].ndim - 1] == models[k].out_last);
            CHECK(m.g->weights_size > 0);
            release(&m);
        }
        free(bytes);
    }
}

static void test_error_messages(void)
{
    size_t len;
    glim_error err = {0};
    imported m;
    char *b = read_all("spec/fixtures/tflite/unsupported.tflite", &len);
    CHECK(b != NULL);
    if (b) {
        CHECK(import(b, len, &m, &err) == GLIM_EUNSUPPORTED);
        CHECK(strcmp(err.msg, "tflite: unsupported op SQUARED_DIFFERENCE (builtin 99, version 1) "
                              "at operator 0") == 0);
        free(b);
    }
    b = read_all("spec/fixtures/tflite/bad_buffer.tflite", &len);
    CHECK(b != NULL);
    if (b) {
        CHECK(import(b, len, &m, &err) == GLIM_EFORMAT);
        CHECK(strcmp(err.msg, "tflite: tensor 1 buffer 1 holds 100 bytes, shape needs 400") == 0);
        free(b);
    }
    CHECK(import("", 0, &m, &err) == GLIM_EFORMAT);
    CHECK(strstr(err.msg, "TFL3") != NULL);
    CHECK(import("\x10\0\0\0TFL3", 8, &m, &err) == GLIM_EFORMAT);
    CHECK(strstr(err.msg, "outside") != NULL);
    glim_model *model = NULL;
    CHECK(glim_model_load_file("spec/fixtures/tflite/missing.tflite", NULL, &model, &err) ==
          GLIM_EIO);
    CHECK(model == NULL);
}

/* Every prefix of a small model, and many of a larger one, must fail cleanly. */
static void truncate_sweep(const char *file, size_t step)
{
    char path[512];
    size_t len;
    char *bytes = read_all(shared_model(file, path, sizeof path), &len);
    if (!bytes) {
        printf("# skip: %s not found\n", path);
        return;
    }
    int bad = 0;
    size_t min_ok = len;
    for (size_t cut = 0; cut < len; cut += step) {
        /* a fresh copy of exactly `cut` bytes, so ASan sees any overread */
        char *p = malloc(cut ? cut : 1);
        memcpy(p, bytes, cut);
        imported m;
        glim_error err = {0};
        glim_status st = import(p, cut, &m, &err);
        if (st == GLIM_OK) {
            release(&m);
            if (cut < min_ok) min_ok = cut;
        } else if (st != GLIM_EFORMAT || strncmp(err.msg, "tflite: ", 8) != 0) {
            if (bad++ < 3) printf("#   cut at %zu: %d %s\n", cut, (int)st, err.msg);
        }
        free(p);
    }
    /* A cut that only loses bytes the model never references (trailing
     * metadata buffers) may still import; anything that loses a tensor's
     * data or the structure must not. */
    printf("# %s: shortest prefix that imports: %zu of %zu bytes\n", file, min_ok, len);
    CHECK(bad == 0);
    CHECK(min_ok > len - len / 10); /* some files carry a zip of labels at the end */
    free(bytes);
}

static void test_truncated(void)
{
    truncate_sweep("keras_lstm_mnist_ptq.tflite", 1);
    truncate_sweep("mobilenet_v1_0.25_128_quant.tflite", 1777);
}

/* Corrupt bytes (deterministically) and import: an error or a valid graph,
 * never a crash or a read outside the buffer. */
static void test_corrupted(void)
{
    char path[512];
    size_t len;
    char *bytes = read_all(shared_model("keras_lstm_mnist_ptq.tflite", path, sizeof path), &len);
    if (!bytes) {
        printf("# skip: %s not found\n", path);
        return;
    }
    uint32_t seed = 12345;
    int ok = 0, failed = 0;
    char *p = malloc(len);
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(p, bytes, len);
        int flips = 1 + iter % 4;
        for (int f = 0; f < flips; f++) {
            seed = seed * 1664525u + 1013904223u;
            size_t at = (seed >> 8) % len;
            seed = seed * 1664525u + 1013904223u;
            /* favour the structure (the first KiB and the tail: offsets, vtables) */
            if (iter % 3 == 0) at = at % 1024;
            if (iter % 3 == 1) at = len - 1 - at % 2048;
            p[at] = (char)(seed >> 24);
        }
        imported m;
        glim_error err = {0};
        glim_status st = import(p, len, &m, &err);
        if (st == GLIM_OK) {
            ok++;
            release(&m);
        } else {
            failed++;
            CHECK(err.msg[0] != 0);
        }
    }
    printf("# corrupted: %d imported, %d rejected\n", ok, failed);
    CHECK(failed > 0);
    free(p);
    free(bytes);
}

/* Inputs the fuzzer found (spec/fixtures/tflite/crashers/): each must load
 * completely or fail with a message, and a loaded one must run. */
static void test_crashers(void)
{
    const char *dir = "spec/fixtures/tflite/crashers";
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d) return;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        glim_model *m = NULL;
        glim_error err = {0};
        glim_status st = glim_model_load_file(path, NULL, &m, &err);
        printf("# %s: %s\n", e->d_name, st ? err.msg : "loads");
        if (st != GLIM_OK) CHECK(err.msg[0] != 0);
        glim_model_free(m);
        n++;
    }
    closedir(d);
    CHECK(n > 0);
}

int main(void)
{
    RUN(test_shared_models_import);
    RUN(test_error_messages);
    RUN(test_truncated);
    RUN(test_corrupted);
    RUN(test_crashers);
    return check_done();
}
