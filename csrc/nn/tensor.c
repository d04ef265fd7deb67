/* tensor.c — dense tensors over ref-counted buffers. */
#include "tensor.h"

#include <math.h>
#include <string.h>

static const struct {
    const char *name;
    size_t size;
} dtype_info[] = {
    [GLIM_F32] = {"float32", 4}, [GLIM_U8] = {"uint8", 1},  [GLIM_I8] = {"int8", 1},
    [GLIM_I16] = {"int16", 2},   [GLIM_I32] = {"int32", 4}, [GLIM_I64] = {"int64", 8},
    [GLIM_BOOL] = {"bool", 1},
};

_Static_assert(sizeof dtype_info / sizeof dtype_info[0] == GLIM_DTYPE_COUNT,
               "dtype_info must describe every glim_dtype");

size_t glim_dtype_size(glim_dtype dtype)
{
    return (unsigned)dtype < GLIM_DTYPE_COUNT ? dtype_info[dtype].size : 0;
}

const char *glim_dtype_name(glim_dtype dtype)
{
    return (unsigned)dtype < GLIM_DTYPE_COUNT ? dtype_info[dtype].name : "?";
}

int glim_dtype_parse(const char *name, glim_dtype *out)
{
    for (int i = 0; i < GLIM_DTYPE_COUNT; i++) {
        if (strcmp(name, dtype_info[i].name) == 0) {
            *out = (glim_dtype)i;
            return 0;
        }
    }
    return -1;
}

int64_t glim_shape_count(int ndim, const int64_t *shape)
{
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0) return -1;
        if (shape[i] != 0 && n > INT64_MAX / shape[i]) return -1;
        n *= shape[i];
    }
    return n;
}

static glim_status check_shape(glim_dtype dtype, int ndim, const int64_t *shape,
                               int64_t *count, glim_error *err)
{
    if ((unsigned)dtype >= GLIM_DTYPE_COUNT)
        return glim_fail(err, GLIM_EINVAL, "tensor: unknown dtype %d", (int)dtype);
    if (ndim < 0 || ndim > GLIM_MAX_DIMS)
        return glim_fail(err, GLIM_EINVAL, "tensor: rank %d outside 0..%d", ndim, GLIM_MAX_DIMS);
    for (int i = 0; i < ndim; i++)
        if (shape[i] < 0)
            return glim_fail(err, GLIM_EINVAL, "tensor: dimension %d is negative (%lld)", i + 1,
                             (long long)shape[i]);
    *count = glim_shape_count(ndim, shape);
    size_t bytes;
    if (*count < 0 || !glim_mul_size((size_t)*count, glim_dtype_size(dtype), &bytes))
        return glim_fail(err, GLIM_ELIMIT, "tensor: shape too large");
    return GLIM_OK;
}

static glim_tensor *tensor_header(glim_dtype dtype, int ndim, const int64_t *shape, int64_t count)
{
    glim_tensor *t = glim_calloc(1, sizeof *t);
    if (!t) return NULL;
    t->dtype = dtype;
    t->ndim = ndim;
    if (ndim > 0) memcpy(t->shape, shape, (size_t)ndim * sizeof *shape);
    t->count = count;
    return t;
}

glim_status glim_tensor_new(glim_dtype dtype, int ndim, const int64_t *shape,
                            glim_tensor **out, glim_error *err)
{
    int64_t count;
    *out = NULL;
    glim_status st = check_shape(dtype, ndim, shape, &count, err);
    if (st != GLIM_OK) return st;
    size_t bytes = (size_t)count * glim_dtype_size(dtype);

    glim_tensor *t = tensor_header(dtype, ndim, shape, count);
    glim_buffer *buf = t ? glim_calloc(1, sizeof *buf) : NULL;
    void *data = buf ? glim_calloc(1, bytes ? bytes : 1) : NULL;
    if (!data) {
        glim_free(buf);
        glim_free(t);
        return glim_fail(err, GLIM_ENOMEM, "tensor: cannot allocate %zu bytes", bytes);
    }
    buf->data = data;
    buf->size = bytes;
    buf->refs = 1;
    t->buf = buf;
    t->data = data;
    *out = t;
    return GLIM_OK;
}

glim_status glim_tensor_reshape(const glim_tensor *src, int ndim, const int64_t *shape,
                                glim_tensor **out, glim_error *err)
{
    int64_t count;
    *out = NULL;
    glim_status st = check_shape(src->dtype, ndim, shape, &count, err);
    if (st != GLIM_OK) return st;
    if (count != src->count)
        return glim_fail(err, GLIM_EINVAL, "reshape: %lld elements cannot take a shape of %lld",
                         (long long)src->count, (long long)count);
    glim_tensor *t = tensor_header(src->dtype, ndim, shape, count);
    if (!t) return glim_fail(err, GLIM_ENOMEM, "reshape: out of memory");
    t->data = src->data;
    t->buf = src->buf;
    t->scale = src->scale;
    t->zero_point = src->zero_point;
    if (t->buf) t->buf->refs++;
    *out = t;
    return GLIM_OK;
}

glim_status glim_tensor_clone(const glim_tensor *src, glim_tensor **out, glim_error *err)
{
    glim_status st = glim_tensor_new(src->dtype, src->ndim, src->shape, out, err);
    if (st != GLIM_OK) return st;
    memcpy((*out)->data, src->data, (size_t)src->count * glim_dtype_size(src->dtype));
    (*out)->scale = src->scale;
    (*out)->zero_point = src->zero_point;
    return GLIM_OK;
}

void glim_tensor_free(glim_tensor *t)
{
    if (!t) return;
    if (t->buf && --t->buf->refs == 0) {
        glim_free(t->buf->data);
        glim_free(t->buf);
    }
    glim_free(t);
}

double glim_tensor_get_flat(const glim_tensor *t, int64_t i)
{
    switch (t->dtype) {
    case GLIM_F32: return ((const float *)t->data)[i];
    case GLIM_U8: return ((const uint8_t *)t->data)[i];
    case GLIM_I8: return ((const int8_t *)t->data)[i];
    case GLIM_I16: return ((const int16_t *)t->data)[i];
    case GLIM_I32: return ((const int32_t *)t->data)[i];
    case GLIM_I64: return (double)((const int64_t *)t->data)[i];
    case GLIM_BOOL: return ((const uint8_t *)t->data)[i] != 0;
    default: return 0;
    }
}

static double clamp_round(double v, double lo, double hi)
{
    if (isnan(v)) return 0;
    v = nearbyint(v);
    return v < lo ? lo : v > hi ? hi : v;
}

void glim_tensor_set_flat(glim_tensor *t, int64_t i, double v)
{
    switch (t->dtype) {
    case GLIM_F32: ((float *)t->data)[i] = (float)v; break;
    case GLIM_U8: ((uint8_t *)t->data)[i] = (uint8_t)clamp_round(v, 0, 255); break;
    case GLIM_I8: ((int8_t *)t->data)[i] = (int8_t)clamp_round(v, -128, 127); break;
    case GLIM_I16: ((int16_t *)t->data)[i] = (int16_t)clamp_round(v, -32768, 32767); break;
    case GLIM_I32:
        ((int32_t *)t->data)[i] = (int32_t)clamp_round(v, -2147483648.0, 2147483647.0);
        break;
    case GLIM_I64:
        ((int64_t *)t->data)[i] = (int64_t)clamp_round(v, -9223372036854775808.0, 9223372036854774784.0);
        break;
    case GLIM_BOOL: ((uint8_t *)t->data)[i] = v != 0; break;
    default: break;
    }
}
