/* fuzz_tflite.c — libFuzzer entry for the TFLite importer: the bytes are an
 * untrusted model file, loaded completely (import, then the graph's prepare)
 * and, when that succeeds, run once on a zero input. Build (from the repo
 * root; clang 14): compile this file together with every core source
 * (every .c under csrc except the lua, test and fuzz directories) using
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Icsrc
 *     -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -mavx2 -mfma
 * and link with $(pkg-config --libs openblas libpng libcurl) -ljpeg -lm -lpthread.
 *   build/fuzz_tflite -max_len=65536 spec/fixtures/tflite   # seeds: the tiny fixtures
 */
#include "glimpse.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    glim_model_opts opts;
    glim_model_opts_init(&opts);
    opts.max_tensors = 4096; /* keep each case small and quick */
    opts.max_ops = 4096;
    opts.max_activation_bytes = (size_t)64 << 20;
    opts.max_weight_bytes = (size_t)64 << 20;
    glim_model *m = NULL;
    glim_error err;
    if (glim_model_load(data, size, &opts, &m, &err) != GLIM_OK) return 0;
    int n = glim_model_input_count(m);
    glim_tensor *in[64] = {0}, *out[64] = {0};
    int ok = n <= 64 && glim_model_output_count(m) <= 64;
    int64_t bytes = 0;
    for (int i = 0; ok && i < n; i++) {
        const glim_model_io *io = glim_model_input(m, i);
        int64_t c = glim_shape_count(io->ndim, io->shape);
        bytes += c;
        if (c < 0 || bytes > (1 << 22) ||
            glim_tensor_new(io->dtype, io->ndim, io->shape, &in[i], &err) != GLIM_OK)
            ok = 0;
    }
    if (ok && glim_model_run(m, in, n, out, &err) == GLIM_OK)
        for (int i = 0; i < glim_model_output_count(m); i++) glim_tensor_free(out[i]);
    for (int i = 0; i < n && i < 64; i++) glim_tensor_free(in[i]);
    glim_model_free(m);
    return 0;
}
