/*
 * model.h — loading and running a model file: TensorFlow Lite or ONNX,
 * recognised from the content ("TFL3" at offset 4, or a protobuf
 * ModelProto), never from the file name.
 *
 *     glim_model_opts opts;
 *     glim_model_opts_init(&opts);
 *     opts.threads = 2;
 *     glim_model *m = NULL;
 *     if (glim_model_load_file("mobilenet_v2_1.0_224_quant.tflite", &opts, &m, &err))
 *         return fail(err.msg);   // "tflite: unsupported op ... at operator 12"
 *     const glim_model_io *in = glim_model_input(m, 0);  // uint8 [1,224,224,3]
 *     glim_tensor *x = ...;       // uint8 pixels, or float32 real values
 *     glim_tensor *y[1];
 *     if (glim_model_run(m, &x, 1, y, &err)) ...
 *     ... y[0] is float32 [1,1001] scores; glim_tensor_free(y[0]);
 *     glim_model_free(m);
 *
 * What loading does: the file is parsed and validated completely (every
 * offset, length, shape and buffer size; an unsupported op fails here,
 * naming it), translated into a glimpse graph, and prepared. Quantized
 * weights are dequantized once into one float32 weight block; activations
 * run in float32. The file's bytes are not kept.
 *
 * Inputs (glim_model_run): each tensor must have the input's shape (leading
 * 1-sized dims may be left out or added). If its dtype equals the input's
 * dtype its values are used as they are (uint8 pixels for a uint8 model).
 * Otherwise its real values (dequantized when the tensor carries a scale)
 * are converted: quantized with the input's scale/zero point for a
 * quantized input, else cast with saturation — so a float32 tensor of real
 * values can feed a uint8 model.
 *
 * Outputs are new tensors the caller frees: float32 real values for
 * quantized model outputs (dequantized), the model's own dtype otherwise.
 * With glim_model_run_raw, quantized outputs come back in their quantized
 * dtype instead (tensor scale/zero_point set).
 *
 * ONNX models: inputs and outputs are in the ONNX layout (NCHW for images);
 * the graph inside is NHWC with the transposes the importer needs. A
 * dimension the file leaves symbolic is -1 in glim_model_io.shape; run
 * accepts any size there (static dims are checked), builds and prepares a
 * graph for each new combination of input shapes (the converted weights
 * are shared) and keeps the last one, so repeated runs at one shape cost
 * nothing extra. A failed rebuild (EUNSUPPORTED, EINVAL for shapes the
 * model cannot take, ENOMEM) leaves the model usable at its previous shape.
 * The declared I/O of an ONNX model has tensor == -1 (the graph changes
 * with the shapes); output tensors from run have the concrete shapes.
 *
 *     glim_model_load_file("ch_PP-OCRv4_rec_infer.onnx", NULL, &m, &err);
 *     glim_model_input(m, 0)->shape   // {-1, 3, 48, -1}
 *     int64_t s[4] = {1, 3, 48, 320};  // NCHW float32
 *     glim_tensor_new(GLIM_F32, 4, s, &x, &err);  ... fill x ...
 *     glim_model_run(m, &x, 1, y, &err);           // y[0]: float32 [1,40,6625]
 *
 * Thread safety: one model is used by one thread at a time; different
 * models are independent.
 */
#ifndef GLIMPSE_NN_MODEL_H
#define GLIMPSE_NN_MODEL_H

#include "../core/core.h"
#include "tensor.h"

typedef struct glim_model glim_model;

typedef struct glim_model_opts {
    int threads;            /* kernel threads, >= 1 (default 1) */
    int clamp_quant_range;  /* 1 (default): where a quantized op's output range is
                               [0, x] or [0, 6], apply the ReLU/ReLU6 that TFLite's
                               integer kernels apply implicitly */
    size_t max_tensors;     /* limits against hostile files (default 1<<20) */
    size_t max_ops;         /* default 1<<20 */
    size_t max_activation_bytes; /* sum over the file's non-constant tensors, as
                               float32 (default 1 GiB): ELIMIT beyond */
    size_t max_weight_bytes; /* the dequantized weight block (default 2 GiB) */
} glim_model_opts;

GLIM_API void glim_model_opts_init(glim_model_opts *opts);

/* One input or output of a model. */
typedef struct glim_model_io {
    const char *name;
    glim_dtype dtype;       /* inputs: the dtype the model takes natively;
                               outputs: the dtype glim_model_run returns */
    glim_dtype file_dtype;  /* the dtype in the file (uint8 for a quantized output) */
    int ndim;
    int64_t shape[GLIM_MAX_DIMS];
    float scale;            /* quantization of the file's tensor; 0 when none */
    int32_t zero_point;
    int tensor;             /* the graph tensor fed / read (glim_model_graph);
                               -1 in an ONNX model's declared I/O */
} glim_model_io;

/* Load from bytes (not kept after the call), TFLite or ONNX by content.
 * EFORMAT for a malformed or
 * truncated file, EUNSUPPORTED for an op or type glimpse lacks, ELIMIT,
 * ENOMEM, EINVAL (NULL arguments). opts may be NULL (defaults). */
GLIM_API glim_status glim_model_load(const void *bytes, size_t len, const glim_model_opts *opts,
                                     glim_model **out, glim_error *err);
/* Load from a file path; EIO when it cannot be read. */
GLIM_API glim_status glim_model_load_file(const char *path, const glim_model_opts *opts,
                                          glim_model **out, glim_error *err);
GLIM_API void glim_model_free(glim_model *m);

GLIM_API int glim_model_input_count(const glim_model *m);
GLIM_API int glim_model_output_count(const glim_model *m);
/* NULL when i is out of range. Valid while the model lives. */
GLIM_API const glim_model_io *glim_model_input(const glim_model *m, int i);
GLIM_API const glim_model_io *glim_model_output(const glim_model *m, int i);
/* Index of the input/output named `name`, or -1. */
GLIM_API int glim_model_find_input(const glim_model *m, const char *name);
GLIM_API int glim_model_find_output(const glim_model *m, const char *name);

/* Run on `ninputs` tensors (in input order; must equal the input count) and
 * store glim_model_output_count new tensors in outputs[] (caller frees).
 * EINVAL for a wrong count, shape or dtype, or a model in a failed state (a
 * run that fails part-way leaves the model failed). */
GLIM_API glim_status glim_model_run(glim_model *m, glim_tensor *const *inputs, int ninputs,
                                    glim_tensor **outputs, glim_error *err);
/* As glim_model_run, but quantized outputs stay quantized (their file dtype). */
GLIM_API glim_status glim_model_run_raw(glim_model *m, glim_tensor *const *inputs, int ninputs,
                                        glim_tensor **outputs, glim_error *err);

typedef struct glim_model_stats {
    size_t weights_bytes;   /* the one constant block */
    size_t arena_bytes;     /* activations + scratch */
    int nodes;
    double flops;           /* per run, a multiply-add counted as 2 */
} glim_model_stats;

GLIM_API void glim_model_get_stats(const glim_model *m, glim_model_stats *out);

/* The graph behind the model (for tools and tests); owned by the model. */
struct glim_graph;
GLIM_API struct glim_graph *glim_model_graph(glim_model *m);

/* Internal: the TFLite importer. Fills a new graph and the model's I/O. */
glim_status glim_tflite_import(const void *bytes, size_t len, const glim_model_opts *opts,
                               struct glim_graph **graph, glim_model_io **inputs, int *ninputs,
                               glim_model_io **outputs, int *noutputs, glim_error *err);

#endif
