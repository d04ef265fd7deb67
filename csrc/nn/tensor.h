/*
 * tensor.h — the dense tensor type shared by preprocessing, the engine and
 * the bindings.
 *
 * Row-major and contiguous: shape[0] is outermost, the element at index
 * (i0, ..., in-1) lives at offset sum(ik * stride_k) with
 * stride_{n-1} = 1 and stride_k = stride_{k+1} * shape[k+1] (in elements).
 * Indices in C are 0-based; the Lua binding presents them 1-based.
 *
 * Data lives in a ref-counted glim_buffer, so a reshape is a view that can
 * outlive the tensor it came from.
 */
#ifndef GLIMPSE_TENSOR_H
#define GLIMPSE_TENSOR_H

#include "../core/core.h"

typedef enum glim_dtype {
    GLIM_F32 = 0,
    GLIM_U8,
    GLIM_I8,
    GLIM_I16,
    GLIM_I32,
    GLIM_I64,
    GLIM_BOOL, /* one byte, 0 or 1 */
    GLIM_DTYPE_COUNT
} glim_dtype;

#define GLIM_MAX_DIMS 8

typedef struct glim_buffer {
    void *data;   /* GLIM_ALIGN-aligned */
    size_t size;  /* bytes */
    int refs;     /* not atomic: a buffer belongs to one thread at a time */
} glim_buffer;

typedef struct glim_tensor {
    glim_dtype dtype;
    int ndim;                      /* 0 (scalar) .. GLIM_MAX_DIMS */
    int64_t shape[GLIM_MAX_DIMS];
    int64_t count;                 /* number of elements, product of shape */
    void *data;                    /* first element, inside buf */
    glim_buffer *buf;              /* shared owner of the bytes */
    /* Affine quantization of the stored values: real = scale * (q - zero_point).
     * scale == 0 means the values are not quantized. */
    float scale;
    int32_t zero_point;
} glim_tensor;

GLIM_API size_t glim_dtype_size(glim_dtype dtype);
GLIM_API const char *glim_dtype_name(glim_dtype dtype); /* "float32", "uint8", ... */
/* Parse a dtype name; returns 0 and sets *out, or -1 for an unknown name. */
GLIM_API int glim_dtype_parse(const char *name, glim_dtype *out);

/* A new zero-filled tensor. EINVAL for a bad dtype/rank/negative dim,
 * ELIMIT when the byte size overflows, ENOMEM. Caller frees. */
GLIM_API glim_status glim_tensor_new(glim_dtype dtype, int ndim, const int64_t *shape,
                                     glim_tensor **out, glim_error *err);

/* A tensor with a new shape over the same bytes (same element count), sharing
 * the buffer. EINVAL when the counts differ. */
GLIM_API glim_status glim_tensor_reshape(const glim_tensor *src, int ndim,
                                         const int64_t *shape, glim_tensor **out,
                                         glim_error *err);

/* A deep copy (its own buffer). */
GLIM_API glim_status glim_tensor_clone(const glim_tensor *src, glim_tensor **out,
                                       glim_error *err);

/* Drop this tensor's reference; frees the buffer with its last user. */
GLIM_API void glim_tensor_free(glim_tensor *t);

/* Element count of a shape; -1 on a negative dim or overflow. */
GLIM_API int64_t glim_shape_count(int ndim, const int64_t *shape);

/* Read/write element `i` (flat, 0-based) as a double, whatever the dtype.
 * Writes round to nearest and saturate for integer dtypes. */
GLIM_API double glim_tensor_get_flat(const glim_tensor *t, int64_t i);
GLIM_API void glim_tensor_set_flat(glim_tensor *t, int64_t i, double v);

#endif
