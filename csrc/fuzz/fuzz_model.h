/* fuzz_model.h — the shared body of the model fuzzers (TFLite, ONNX): load
 * the bytes as a model file with small limits and, when that succeeds, run
 * it once on zero inputs (a dynamic dim, -1 in the declared shape, is set
 * to 7). Any crash, leak or sanitizer report is a bug; load and run errors
 * are expected. */
#ifndef GLIMPSE_FUZZ_MODEL_H
#define GLIMPSE_FUZZ_MODEL_H

#include "glimpse.h"

#include <stdint.h>
#include <stdlib.h>

static void fuzz_model(const uint8_t *data, size_t size)
{
    glim_model_opts opts;
    glim_model_opts_init(&opts);
    opts.max_tensors = 4096; /* keep each case small and quick */
    opts.max_ops = 4096;
    opts.max_activation_bytes = (size_t)64 << 20;
    opts.max_weight_bytes = (size_t)64 << 20;
    glim_model *m = NULL;
    glim_error err;
    if (glim_model_load(data, size, &opts, &m, &err) != GLIM_OK) return;
    int n = glim_model_input_count(m);
    glim_tensor *in[64] = {0}, *out[64] = {0};
    int ok = n <= 64 && glim_model_output_count(m) <= 64;
    int64_t bytes = 0;
    for (int i = 0; ok && i < n; i++) {
        const glim_model_io *io = glim_model_input(m, i);
        int64_t shape[GLIM_MAX_DIMS];
        for (int d = 0; d < io->ndim; d++) shape[d] = io->shape[d] < 0 ? 7 : io->shape[d];
        int64_t c = glim_shape_count(io->ndim, shape);
        bytes += c;
        if (c < 0 || bytes > (1 << 22) ||
            glim_tensor_new(io->dtype, io->ndim, shape, &in[i], &err) != GLIM_OK)
            ok = 0;
    }
    if (ok && glim_model_run(m, in, n, out, &err) == GLIM_OK)
        for (int i = 0; i < glim_model_output_count(m); i++) glim_tensor_free(out[i]);
    for (int i = 0; i < n && i < 64; i++) glim_tensor_free(in[i]);
    glim_model_free(m);
}

#endif
