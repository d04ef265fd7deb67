/*
 * tflite.c — the TensorFlow Lite importer: walks the FlatBuffer (schema.fbs:
 * Model, SubGraph, Tensor, Buffer, Operator, OperatorCode,
 * QuantizationParameters), validates it completely and builds a glimpse
 * graph. No TFLite code is used; every read is bounds-checked (flatbuf.h).
 *
 * Translation rules:
 *  - Activations run in float32. A tensor that is quantized in the file
 *    (uint8/int8/int16 with a scale) becomes a float32 graph tensor holding
 *    its real values; QUANTIZE/DEQUANTIZE between such tensors are the
 *    identity on real values and become aliases.
 *  - Quantized constants (uint8 asymmetric, int8 per-channel, int32 biases)
 *    are dequantized once into float32 in one weight block reserved up front.
 *  - A quantized graph input keeps its dtype (the caller may feed uint8
 *    pixels) and a DEQUANTIZE node feeds the float graph; quantized outputs
 *    are read as float and re-quantized on request by model.c.
 */
#include "tflite_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Schema field slots. */
enum { MODEL_VERSION = 0, MODEL_OPCODES = 1, MODEL_SUBGRAPHS = 2, MODEL_BUFFERS = 4 };
enum { OPCODE_DEPRECATED = 0, OPCODE_CUSTOM = 1, OPCODE_VERSION = 2, OPCODE_BUILTIN = 3 };
enum { SG_TENSORS = 0, SG_INPUTS = 1, SG_OUTPUTS = 2, SG_OPERATORS = 3 };
enum { TENSOR_SHAPE = 0, TENSOR_TYPE = 1, TENSOR_BUFFER = 2, TENSOR_NAME = 3, TENSOR_QUANT = 4,
       TENSOR_IS_VARIABLE = 5, TENSOR_SPARSITY = 6 };
enum { QUANT_SCALE = 2, QUANT_ZERO = 3, QUANT_DIM = 6 };
enum { BUFFER_DATA = 0, BUFFER_OFFSET = 1, BUFFER_SIZE = 2 };
enum { OP_OPCODE = 0, OP_INPUTS = 1, OP_OUTPUTS = 2, OP_OPT_TYPE = 3, OP_OPTIONS = 4 };

#define TFL_CUSTOM 32

static glim_status tfl_failv(tfl_ctx *c, glim_status code, const char *fmt, va_list ap)
{
    if (c->r.failed) return c->err ? c->err->code : code;
    c->r.failed = 1;
    char detail[200];
    vsnprintf(detail, sizeof detail, fmt, ap);
    return glim_fail(c->err, code, "tflite: %s", detail);
}

static glim_status tfl_fail(tfl_ctx *c, glim_status code, const char *fmt, ...)
    GLIM_PRINTF(3, 4);
static glim_status tfl_fail(tfl_ctx *c, glim_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    glim_status st = tfl_failv(c, code, fmt, ap);
    va_end(ap);
    return st;
}

static const char *op_label(const tfl_op *op, char *buf, size_t n)
{
    const char *name = tfl_builtin_name(op->code);
    if (name) snprintf(buf, n, "%s", name);
    else snprintf(buf, n, "builtin %d", op->code);
    return buf;
}

glim_status tfl_op_fail(tfl_ctx *c, const tfl_op *op, glim_status code, const char *fmt, ...)
{
    char detail[160], label[40];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return tfl_fail(c, code, "operator %d (%s): %s", op->index, op_label(op, label, sizeof label),
                    detail);
}

/* ---- types -------------------------------------------------------------- */

static const char *type_name(int type)
{
    static const char *names[] = {"FLOAT32", "FLOAT16", "INT32",     "UINT8", "INT64",
                                  "STRING",  "BOOL",    "INT16",     "COMPLEX64", "INT8",
                                  "FLOAT64", "COMPLEX128", "UINT64", "RESOURCE", "VARIANT",
                                  "UINT32", "UINT16", "INT4"};
    return type >= 0 && type < (int)(sizeof names / sizeof names[0]) ? names[type] : "?";
}

/* Bytes per element in the file; 0 for types glimpse cannot hold. */
static size_t file_elem_size(int type)
{
    switch (type) {
    case TFL_FLOAT32: case TFL_INT32: return 4;
    case TFL_FLOAT16: case TFL_INT16: return 2;
    case TFL_UINT8: case TFL_INT8: case TFL_BOOL: return 1;
    case TFL_INT64: return 8;
    default: return 0;
    }
}

static int is_quantized(const tfl_tensor *t)
{
    return t->nq > 0 && (t->type == TFL_UINT8 || t->type == TFL_INT8 || t->type == TFL_INT16 ||
                         t->type == TFL_INT32 || t->type == TFL_INT64);
}

/* The dtype a tensor gets inside the graph (see the rules at the top). */
static int graph_dtype(const tfl_tensor *t, glim_dtype *out)
{
    if (is_quantized(t) || t->type == TFL_FLOAT32 || t->type == TFL_FLOAT16) {
        *out = GLIM_F32;
        return 1;
    }
    switch (t->type) {
    case TFL_INT32: *out = GLIM_I32; return 1;
    case TFL_INT64: *out = GLIM_I64; return 1;
    case TFL_UINT8: *out = GLIM_U8; return 1;
    case TFL_INT8: *out = GLIM_I8; return 1;
    case TFL_INT16: *out = GLIM_I16; return 1;
    case TFL_BOOL: *out = GLIM_BOOL; return 1;
    default: return 0;
    }
}

/* The file dtype as a glimpse dtype (for edges). */
static int file_dtype(int type, glim_dtype *out)
{
    switch (type) {
    case TFL_FLOAT32: *out = GLIM_F32; return 1;
    case TFL_INT32: *out = GLIM_I32; return 1;
    case TFL_INT64: *out = GLIM_I64; return 1;
    case TFL_UINT8: *out = GLIM_U8; return 1;
    case TFL_INT8: *out = GLIM_I8; return 1;
    case TFL_INT16: *out = GLIM_I16; return 1;
    case TFL_BOOL: *out = GLIM_BOOL; return 1;
    default: return 0;
    }
}

/* ---- schema walk -------------------------------------------------------- */

static void copy_name(char *dst, size_t n, const char *src, uint32_t len)
{
    size_t k = 0;
    for (uint32_t i = 0; i < len && k + 1 < n; i++) {
        unsigned char ch = (unsigned char)src[i];
        if (ch == 0) break;
        dst[k++] = (ch < 32 || ch == 127) ? '?' : (char)ch;
    }
    dst[k] = 0;
}

static glim_status parse_tensor(tfl_ctx *c, int i, const fb_table *tt, const fb_vec *buffers)
{
    fb_reader *r = &c->r;
    tfl_tensor *t = &c->tensors[i];
    t->graph = -1;
    fb_ctx(r, "tensor %d", i);

    uint32_t nlen;
    const char *name = fb_string(r, tt, TENSOR_NAME, &nlen);
    copy_name(t->name, sizeof t->name, name, nlen);
    if (!t->name[0]) snprintf(t->name, sizeof t->name, "tensor_%d", i);
    t->type = fb_u8(r, tt, TENSOR_TYPE, 0);
    t->is_variable = fb_u8(r, tt, TENSOR_IS_VARIABLE, 0) != 0;

    fb_vec shape = fb_vector(r, tt, TENSOR_SHAPE, 4);
    if (!fb_ok(r)) return c->err ? c->err->code : GLIM_EFORMAT;
    if (shape.len > GLIM_MAX_DIMS)
        return tfl_fail(c, GLIM_EUNSUPPORTED, "tensor %d has rank %u (at most %d supported)", i,
                        shape.len, GLIM_MAX_DIMS);
    t->ndim = (int)shape.len;
    for (int d = 0; d < t->ndim; d++) {
        int32_t v = fb_vec_i32(r, &shape, (uint32_t)d);
        if (v < 0)
            return tfl_fail(c, GLIM_EUNSUPPORTED, "tensor %d ('%s') has a dynamic dimension %d",
                            i, t->name, d);
        t->shape[d] = v;
    }
    t->count = glim_shape_count(t->ndim, t->shape);
    if (t->count < 0 || t->count > ((int64_t)1 << 40))
        return tfl_fail(c, GLIM_ELIMIT, "tensor %d ('%s') is too large", i, t->name);
    if (fb_has(r, tt, TENSOR_SPARSITY))
        return tfl_fail(c, GLIM_EUNSUPPORTED, "tensor %d ('%s') is sparse", i, t->name);

    /* Quantization. */
    fb_table q = fb_subtable(r, tt, TENSOR_QUANT);
    fb_vec sc = fb_vector(r, &q, QUANT_SCALE, 4);
    fb_vec zp = fb_vector(r, &q, QUANT_ZERO, 8);
    int32_t qdim = fb_i32(r, &q, QUANT_DIM, 0);
    if (!fb_ok(r)) return c->err ? c->err->code : GLIM_EFORMAT;
    if (sc.len > 0) {
        if (zp.len != 0 && zp.len != sc.len)
            return tfl_fail(c, GLIM_EFORMAT, "tensor %d ('%s') has %u scales but %u zero points",
                            i, t->name, sc.len, zp.len);
        if (sc.len > 1 && (qdim < 0 || qdim >= t->ndim || t->shape[qdim] != (int64_t)sc.len))
            return tfl_fail(c, GLIM_EFORMAT,
                            "tensor %d ('%s') has %u per-channel scales along dimension %d, "
                            "which does not match its shape", i, t->name, sc.len, qdim);
        for (uint32_t k = 0; k < sc.len; k++) {
            float s = fb_vec_f32(r, &sc, k);
            if (!(s > 0) || !isfinite(s))
                return tfl_fail(c, GLIM_EFORMAT, "tensor %d ('%s') has quantization scale %g",
                                i, t->name, (double)s);
        }
        t->nq = (int)sc.len;
        t->qaxis = sc.len > 1 ? qdim : 0;
        t->qscale = sc;
        t->qzero = zp;
    }

    /* Data. */
    uint32_t b = fb_u32(r, tt, TENSOR_BUFFER, 0);
    if (b >= buffers->len && !(b == 0 && buffers->len == 0))
        return tfl_fail(c, GLIM_EFORMAT, "tensor %d ('%s') refers to buffer %u of %u", i,
                        t->name, b, buffers->len);
    if (buffers->len == 0) return GLIM_OK;
    fb_ctx(r, "tensor %d buffer %u", i, b);
    fb_table bt = fb_vec_table(r, buffers, b);
    fb_vec data = fb_vector(r, &bt, BUFFER_DATA, 1);
    uint64_t off = fb_u64(r, &bt, BUFFER_OFFSET, 0), size = fb_u64(r, &bt, BUFFER_SIZE, 0);
    if (!fb_ok(r)) return c->err ? c->err->code : GLIM_EFORMAT;
    const uint8_t *ptr = NULL;
    size_t nbytes = 0;
    if (data.len > 0) {
        ptr = fb_vec_bytes(r, &data);
        nbytes = data.len;
    } else if (off > 1) {
        if (off > r->size || size > r->size - off)
            return tfl_fail(c, GLIM_EFORMAT, "buffer %u (offset %llu, %llu bytes) lies outside the "
                            "%zu-byte file", b, (unsigned long long)off,
                            (unsigned long long)size, r->size);
        ptr = r->data + off;
        nbytes = (size_t)size;
    }
    if (!ptr) return GLIM_OK;
    size_t esize = file_elem_size(t->type);
    if (esize == 0)
        return tfl_fail(c, GLIM_EUNSUPPORTED, "tensor %d ('%s') holds %s data", i, t->name,
                        type_name(t->type));
    size_t need = (size_t)t->count * esize;
    if (nbytes != need)
        return tfl_fail(c, GLIM_EFORMAT, "tensor %d buffer %u holds %zu bytes, shape needs %zu",
                        i, b, nbytes, need);
    t->data = ptr;
    t->nbytes = nbytes;
    return GLIM_OK;
}

static glim_status parse_op(tfl_ctx *c, int i, const fb_table *ot, const fb_vec *opcodes,
                            tfl_op *op)
{
    fb_reader *r = &c->r;
    memset(op, 0, sizeof *op);
    op->index = i;
    fb_ctx(r, "operator %d", i);
    uint32_t oc = fb_u32(r, ot, OP_OPCODE, 0);
    fb_vec in = fb_vector(r, ot, OP_INPUTS, 4), out = fb_vector(r, ot, OP_OUTPUTS, 4);
    op->opt_type = fb_u8(r, ot, OP_OPT_TYPE, 0);
    op->opts = fb_subtable(r, ot, OP_OPTIONS);
    if (!fb_ok(r)) return c->err ? c->err->code : GLIM_EFORMAT;
    if (oc >= opcodes->len)
        return tfl_fail(c, GLIM_EFORMAT, "operator %d uses opcode %u of %u", i, oc, opcodes->len);
    fb_ctx(r, "operator %d opcode %u", i, oc);
    fb_table ct = fb_vec_table(r, opcodes, oc);
    int dep = (int8_t)fb_u8(r, &ct, OPCODE_DEPRECATED, 0);
    int32_t code = fb_i32(r, &ct, OPCODE_BUILTIN, 0);
    op->version = fb_i32(r, &ct, OPCODE_VERSION, 1);
    uint32_t clen;
    const char *custom = fb_string(r, &ct, OPCODE_CUSTOM, &clen);
    if (!fb_ok(r)) return c->err ? c->err->code : GLIM_EFORMAT;
    /* Files before schema v3a only set the deprecated byte (codes < 127);
     * newer ones set both, or only builtin_code for larger codes. */
    op->code = code > dep ? code : dep;
    if (op->code == TFL_CUSTOM) {
        char cname[64];
        copy_name(cname, sizeof cname, custom, clen);
        return tfl_fail(c, GLIM_EUNSUPPORTED, "unsupported custom op '%s' at operator %d", cname,
                        i);
    }
    if (in.len > 32 || out.len > 32 || out.len == 0)
        return tfl_fail(c, GLIM_EFORMAT, "operator %d has %u inputs and %u outputs", i, in.len,
                        out.len);
    op->ninputs = (int)in.len;
    op->noutputs = (int)out.len;
    fb_ctx(r, "operator %d", i);
    for (int k = 0; k < op->ninputs; k++) {
        int32_t v = fb_vec_i32(r, &in, (uint32_t)k);
        if (v < -1 || v >= c->ntensors)
            return tfl_fail(c, GLIM_EFORMAT, "operator %d input %d refers to tensor %d of %d", i,
                            k, v, c->ntensors);
        op->inputs[k] = v;
    }
    for (int k = 0; k < op->noutputs; k++) {
        int32_t v = fb_vec_i32(r, &out, (uint32_t)k);
        if (v < 0 || v >= c->ntensors)
            return tfl_fail(c, GLIM_EFORMAT, "operator %d output %d refers to tensor %d of %d", i,
                            k, v, c->ntensors);
        op->outputs[k] = v;
    }
    return fb_ok(r) ? GLIM_OK : (c->err ? c->err->code : GLIM_EFORMAT);
}

/* ---- constants ---------------------------------------------------------- */

static double raw_value(const uint8_t *p, int type, int64_t i)
{
    switch (type) {
    case TFL_UINT8: return p[i];
    case TFL_INT8: return (int8_t)p[i];
    case TFL_BOOL: return p[i] != 0;
    case TFL_INT16: { int16_t v; memcpy(&v, p + i * 2, 2); return v; }
    case TFL_INT32: { int32_t v; memcpy(&v, p + i * 4, 4); return v; }
    case TFL_INT64: { int64_t v; memcpy(&v, p + i * 8, 8); return (double)v; }
    case TFL_FLOAT32: { float v; memcpy(&v, p + i * 4, 4); return v; }
    default: return 0;
    }
}

static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 31, man = h & 1023u;
    float f;
    if (exp == 0) {
        f = ldexpf((float)man, -24);
        return sign ? -f : f;
    }
    if (exp == 31) {
        uint32_t bits = sign | 0x7f800000u | (man << 13);
        memcpy(&f, &bits, 4);
        return f;
    }
    uint32_t bits = sign | ((exp + 112) << 23) | (man << 13);
    memcpy(&f, &bits, 4);
    return f;
}

static size_t round64(size_t n) { return (n + 63) & ~(size_t)63; }

/* Bytes a constant takes in the weight block. */
static size_t const_bytes(const tfl_tensor *t)
{
    glim_dtype d;
    if (!graph_dtype(t, &d)) return 0;
    return round64((size_t)t->count * glim_dtype_size(d));
}

/* Dequantize a constant into dst: real = scale[ch] * (q - zero[ch]), with
 * ch the index along the quantized dimension (one channel when per-tensor). */
static glim_status dequantize(tfl_ctx *c, const tfl_tensor *t, float *dst)
{
    int64_t inner = 1;
    for (int k = t->qaxis + 1; k < t->ndim; k++) inner *= t->shape[k];
    int nch = t->nq;
    float *scale = glim_alloc((size_t)nch * sizeof(float));
    float *zero = glim_alloc((size_t)nch * sizeof(float));
    if (!scale || !zero) {
        glim_free(scale);
        glim_free(zero);
        return tfl_fail(c, GLIM_ENOMEM, "out of memory");
    }
    for (int ch = 0; ch < nch; ch++) {
        scale[ch] = fb_vec_f32(&c->r, &t->qscale, (uint32_t)ch);
        zero[ch] = t->qzero.len ? (float)fb_vec_i64(&c->r, &t->qzero, (uint32_t)ch) : 0.0f;
    }
    /* nch > 1 only when it equals shape[qaxis] (parse_tensor), so the
     * channel index below stays in range. */
    for (int64_t i = 0, block = 0; i < t->count; i += inner, block++) {
        int ch = nch > 1 ? (int)(block % nch) : 0;
        float s = scale[ch], z = zero[ch];
        float *o = dst + i;
        const uint8_t *p = t->data;
        switch (t->type) {
        case TFL_UINT8:
            for (int64_t k = 0; k < inner; k++) o[k] = ((float)p[i + k] - z) * s;
            break;
        case TFL_INT8:
            for (int64_t k = 0; k < inner; k++) o[k] = ((float)(int8_t)p[i + k] - z) * s;
            break;
        default:
            for (int64_t k = 0; k < inner; k++)
                o[k] = (float)((raw_value(p, t->type, i + k) - (double)z) * s);
            break;
        }
    }
    glim_free(scale);
    glim_free(zero);
    return GLIM_OK;
}

static int make_const(tfl_ctx *c, int ti)
{
    tfl_tensor *t = &c->tensors[ti];
    glim_dtype d;
    if (!graph_dtype(t, &d)) {
        tfl_fail(c, GLIM_EUNSUPPORTED, "tensor %d ('%s') has type %s", ti, t->name,
                 type_name(t->type));
        return -2;
    }
    int idx = glim_graph_add_tensor(c->g, t->name, d, t->ndim, t->shape, GLIM_TENSOR_CONSTANT,
                                    c->err);
    if (idx < 0) {
        c->r.failed = 1;
        return -2;
    }
    size_t bytes = (size_t)t->count * glim_dtype_size(d);
    uint8_t *dst = glim_graph_const_alloc(c->g, bytes ? bytes : 1, c->err);
    if (!dst) {
        c->r.failed = 1;
        return -2;
    }
    if (!t->data) {
        memset(dst, 0, bytes); /* a variable tensor (LSTM state) starts at zero */
    } else if (is_quantized(t)) {
        if (dequantize(c, t, (float *)dst) != GLIM_OK) return -2;
    } else if (t->type == TFL_FLOAT16) {
        float *f = (float *)dst;
        for (int64_t i = 0; i < t->count; i++) {
            uint16_t h;
            memcpy(&h, t->data + i * 2, 2);
            f[i] = half_to_float(h);
        }
    } else {
        memcpy(dst, t->data, bytes);
    }
    if (glim_graph_set_const(c->g, idx, dst, c->err) != GLIM_OK) {
        c->r.failed = 1;
        return -2;
    }
    t->graph = idx;
    return idx;
}

/* ---- helpers for tflite_ops.c -------------------------------------------- */

int tfl_input(tfl_ctx *c, const tfl_op *op, int k)
{
    if (k >= op->ninputs || op->inputs[k] < 0) return -1;
    int ti = op->inputs[k];
    tfl_tensor *t = &c->tensors[ti];
    if (t->graph >= 0) return t->graph;
    if (t->data || t->is_variable) return make_const(c, ti);
    tfl_op_fail(c, op, GLIM_EFORMAT, "input %d (tensor %d '%s') is used before any operator "
                "produces it", k, ti, t->name);
    return -2;
}

int tfl_output(tfl_ctx *c, const tfl_op *op, int k)
{
    int ti = op->outputs[k];
    tfl_tensor *t = &c->tensors[ti];
    if (t->graph >= 0 || t->data) {
        tfl_op_fail(c, op, GLIM_EFORMAT, "output %d (tensor %d '%s') is already defined", k, ti,
                    t->name);
        return -2;
    }
    glim_dtype d;
    if (!graph_dtype(t, &d)) {
        tfl_op_fail(c, op, GLIM_EUNSUPPORTED, "output %d (tensor %d '%s') has type %s", k, ti,
                    t->name, type_name(t->type));
        return -2;
    }
    int idx = glim_graph_add_tensor(c->g, t->name, d, t->ndim, t->shape, GLIM_TENSOR_ACTIVATION,
                                    c->err);
    if (idx < 0) {
        c->r.failed = 1;
        return -2;
    }
    t->graph = idx;
    return idx;
}

glim_status tfl_alias(tfl_ctx *c, const tfl_op *op, int k_out, int k_in)
{
    int src = tfl_input(c, op, k_in);
    if (src < 0) return src == -1 ? tfl_op_fail(c, op, GLIM_EFORMAT, "missing input %d", k_in)
                                  : c->err->code;
    tfl_tensor *t = &c->tensors[op->outputs[k_out]];
    if (t->graph >= 0 || t->data)
        return tfl_op_fail(c, op, GLIM_EFORMAT, "output %d (tensor %d '%s') is already defined",
                           k_out, op->outputs[k_out], t->name);
    glim_gtensor *g = glim_graph_tensor(c->g, src);
    glim_dtype d;
    if (!graph_dtype(t, &d) || d != g->dtype)
        return tfl_op_fail(c, op, GLIM_EUNSUPPORTED, "converts %s to %s outside a quantized "
                           "graph", glim_dtype_name(g->dtype), type_name(t->type));
    const tfl_tensor *in = &c->tensors[op->inputs[k_in]];
    if (in->ndim != t->ndim || memcmp(in->shape, t->shape, sizeof(int64_t) * (size_t)t->ndim))
        return tfl_op_fail(c, op, GLIM_EFORMAT, "input and output shapes differ");
    t->graph = src;
    return GLIM_OK;
}

glim_status tfl_node(tfl_ctx *c, const tfl_op *op, glim_op_id id, int nin, const int *in,
                     int nout, const int *out, const void *params, size_t psize)
{
    char name[160], label[40];
    snprintf(name, sizeof name, "%d:%s", op->index,
             op->noutputs ? c->tensors[op->outputs[0]].name : op_label(op, label, sizeof label));
    if (glim_graph_add_node(c->g, id, name, nin, in, nout, out, params, psize, c->err) < 0) {
        c->r.failed = 1;
        return c->err ? c->err->code : GLIM_EINVAL;
    }
    return GLIM_OK;
}

glim_status tfl_const_ints(tfl_ctx *c, const tfl_op *op, int k, int64_t *vals, int max, int *n)
{
    if (k >= op->ninputs || op->inputs[k] < 0)
        return tfl_op_fail(c, op, GLIM_EFORMAT, "missing input %d", k);
    const tfl_tensor *t = &c->tensors[op->inputs[k]];
    if (!t->data || (t->type != TFL_INT32 && t->type != TFL_INT64))
        return tfl_op_fail(c, op, GLIM_EUNSUPPORTED,
                           "input %d ('%s') must be a constant int32 tensor", k, t->name);
    if (t->count > max)
        return tfl_op_fail(c, op, GLIM_EFORMAT, "input %d ('%s') has %lld values (at most %d)",
                           k, t->name, (long long)t->count, max);
    for (int64_t i = 0; i < t->count; i++) vals[i] = (int64_t)raw_value(t->data, t->type, i);
    *n = (int)t->count;
    return GLIM_OK;
}

glim_activation tfl_activation(tfl_ctx *c, const tfl_op *op, int tfl_act, int out_k)
{
    glim_activation act;
    switch (tfl_act) {
    case 0: act = GLIM_ACT_NONE; break;
    case 1: act = GLIM_ACT_RELU; break;
    case 2: act = GLIM_ACT_RELU_N1_TO_1; break;
    case 3: act = GLIM_ACT_RELU6; break;
    case 4: act = GLIM_ACT_TANH; break;
    default:
        tfl_op_fail(c, op, GLIM_EUNSUPPORTED, "fused activation %d", tfl_act);
        return GLIM_ACT_NONE;
    }
    if (!c->opts->clamp_quant_range || out_k >= op->noutputs) return act;
    const tfl_tensor *t = &c->tensors[op->outputs[out_k]];
    if (t->nq != 1 || (t->type != TFL_UINT8 && t->type != TFL_INT8)) return act;
    float s = fb_vec_f32(&c->r, &t->qscale, 0);
    int64_t z = t->qzero.len ? fb_vec_i64(&c->r, &t->qzero, 0) : 0;
    double qmin = t->type == TFL_UINT8 ? 0 : -128, qmax = t->type == TFL_UINT8 ? 255 : 127;
    double lo = s * (qmin - (double)z), hi = s * (qmax - (double)z);
    /* The integer kernels clamp to the representable range; where that range
     * is [0, hi] the float graph gets the same ReLU (ReLU6 when hi is 6). */
    if ((act == GLIM_ACT_NONE || act == GLIM_ACT_RELU) && fabs(lo) <= 0.5 * s) {
        act = fabs(hi - 6.0) <= s ? GLIM_ACT_RELU6 : GLIM_ACT_RELU;
    }
    return act;
}

/* ---- the import --------------------------------------------------------- */

static glim_status add_input(tfl_ctx *c, int ti, glim_model_io *io)
{
    tfl_tensor *t = &c->tensors[ti];
    if (t->graph >= 0)
        return tfl_fail(c, GLIM_EFORMAT, "graph input tensor %d ('%s') is listed twice", ti,
                        t->name);
    glim_dtype fd;
    if (!file_dtype(t->type, &fd))
        return tfl_fail(c, GLIM_EUNSUPPORTED, "input tensor %d ('%s') has type %s", ti, t->name,
                        type_name(t->type));
    io->file_dtype = io->dtype = fd;
    io->ndim = t->ndim;
    memcpy(io->shape, t->shape, sizeof io->shape);
    int idx = glim_graph_add_tensor(c->g, t->name, fd, t->ndim, t->shape, GLIM_TENSOR_INPUT,
                                    c->err);
    if (idx < 0) return c->r.failed = 1, c->err ? c->err->code : GLIM_EINVAL;
    io->tensor = idx;
    if (is_quantized(t) && t->type != TFL_INT32 && t->type != TFL_INT64) {
        if (t->nq != 1)
            return tfl_fail(c, GLIM_EUNSUPPORTED, "input tensor %d ('%s') is quantized "
                            "per channel", ti, t->name);
        io->scale = fb_vec_f32(&c->r, &t->qscale, 0);
        io->zero_point = t->qzero.len ? (int32_t)fb_vec_i64(&c->r, &t->qzero, 0) : 0;
        if (glim_graph_set_quant(c->g, idx, 1, 0, &io->scale, &io->zero_point, c->err))
            return c->r.failed = 1, c->err ? c->err->code : GLIM_EINVAL;
        char name[160];
        snprintf(name, sizeof name, "%s/dequantized", t->name);
        int f = glim_graph_add_tensor(c->g, name, GLIM_F32, t->ndim, t->shape,
                                      GLIM_TENSOR_ACTIVATION, c->err);
        if (f < 0) return c->r.failed = 1, c->err ? c->err->code : GLIM_EINVAL;
        snprintf(name, sizeof name, "input:%s", t->name);
        if (glim_graph_add_node(c->g, GLIM_OP_DEQUANTIZE, name, 1, &idx, 1, &f, NULL, 0,
                                c->err) < 0)
            return c->r.failed = 1, c->err ? c->err->code : GLIM_EINVAL;
        t->graph = f;
    } else {
        t->graph = idx;
    }
    return GLIM_OK;
}

static glim_status set_output(tfl_ctx *c, int ti, glim_model_io *io)
{
    tfl_tensor *t = &c->tensors[ti];
    if (t->graph < 0 && t->data) make_const(c, ti);
    if (t->graph < 0)
        return tfl_fail(c, GLIM_EFORMAT, "output tensor %d ('%s') is never produced", ti,
                        t->name);
    glim_dtype fd, gd;
    if (!file_dtype(t->type, &fd) || !graph_dtype(t, &gd))
        return tfl_fail(c, GLIM_EUNSUPPORTED, "output tensor %d ('%s') has type %s", ti, t->name,
                        type_name(t->type));
    io->file_dtype = fd;
    io->dtype = gd;
    io->ndim = t->ndim;
    memcpy(io->shape, t->shape, sizeof io->shape);
    io->tensor = t->graph;
    if (is_quantized(t) && t->nq == 1) {
        io->scale = fb_vec_f32(&c->r, &t->qscale, 0);
        io->zero_point = t->qzero.len ? (int32_t)fb_vec_i64(&c->r, &t->qzero, 0) : 0;
    }
    return GLIM_OK;
}

static void free_io(glim_model_io *io, int n)
{
    if (!io) return;
    for (int i = 0; i < n; i++) glim_free((void *)io[i].name);
    glim_free(io);
}

static glim_status name_io(tfl_ctx *c, glim_model_io *io, int ti)
{
    size_t n = strlen(c->tensors[ti].name) + 1;
    char *s = glim_alloc(n);
    if (!s) return tfl_fail(c, GLIM_ENOMEM, "out of memory");
    memcpy(s, c->tensors[ti].name, n);
    io->name = s;
    return GLIM_OK;
}

static glim_status import(tfl_ctx *c, glim_model_io **ins, int *nin, glim_model_io **outs,
                          int *nout)
{
    fb_reader *r = &c->r;
    if (r->size < 8 || !fb_has_identifier(r, "TFL3"))
        return tfl_fail(c, GLIM_EFORMAT, "not a TensorFlow Lite file (no \"TFL3\" identifier "
                        "at offset 4)");
    fb_ctx(r, "model");
    fb_table model = fb_root(r);
    uint32_t version = fb_u32(r, &model, MODEL_VERSION, 0);
    fb_vec opcodes = fb_vector(r, &model, MODEL_OPCODES, 4);
    fb_vec subgraphs = fb_vector(r, &model, MODEL_SUBGRAPHS, 4);
    fb_vec buffers = fb_vector(r, &model, MODEL_BUFFERS, 4);
    if (!fb_ok(r)) return c->err->code;
    if (version != 3)
        return tfl_fail(c, GLIM_EUNSUPPORTED, "schema version %u (expected 3)", version);
    if (subgraphs.len < 1) return tfl_fail(c, GLIM_EFORMAT, "the model has no subgraph");
    fb_ctx(r, "subgraph 0");
    fb_table sg = fb_vec_table(r, &subgraphs, 0);
    fb_vec tensors = fb_vector(r, &sg, SG_TENSORS, 4);
    fb_vec gin = fb_vector(r, &sg, SG_INPUTS, 4);
    fb_vec gout = fb_vector(r, &sg, SG_OUTPUTS, 4);
    fb_vec ops = fb_vector(r, &sg, SG_OPERATORS, 4);
    if (!fb_ok(r)) return c->err->code;
    if (tensors.len > c->opts->max_tensors)
        return tfl_fail(c, GLIM_ELIMIT, "%u tensors (limit %zu)", tensors.len,
                        c->opts->max_tensors);
    if (ops.len > c->opts->max_ops)
        return tfl_fail(c, GLIM_ELIMIT, "%u operators (limit %zu)", ops.len, c->opts->max_ops);
    if (gin.len == 0 || gout.len == 0 || gin.len > 64 || gout.len > 64)
        return tfl_fail(c, GLIM_EFORMAT, "the graph has %u inputs and %u outputs", gin.len,
                        gout.len);

    c->ntensors = (int)tensors.len;
    c->tensors = glim_calloc(tensors.len ? tensors.len : 1, sizeof *c->tensors);
    if (!c->tensors) return tfl_fail(c, GLIM_ENOMEM, "out of memory for %u tensors", tensors.len);
    size_t weights = 0, activations = 0;
    for (int i = 0; i < c->ntensors; i++) {
        fb_ctx(r, "tensor %d", i);
        fb_table tt = fb_vec_table(r, &tensors, (uint32_t)i);
        if (!fb_ok(r)) return c->err->code;
        glim_status st = parse_tensor(c, i, &tt, &buffers);
        if (st != GLIM_OK) return st;
        if (c->tensors[i].data || c->tensors[i].is_variable) {
            size_t b = const_bytes(&c->tensors[i]);
            /* Tensors may share a buffer and variables have none, so the
             * block is not bounded by the file's size: cap it. */
            if (weights + b < weights || weights + b > c->opts->max_weight_bytes)
                return tfl_fail(c, GLIM_ELIMIT, "weights need more than %zu bytes (limit)",
                                c->opts->max_weight_bytes);
            weights += b;
        } else {
            /* at most 2^40 elements each (parse_tensor), so no overflow */
            activations += (size_t)c->tensors[i].count * 4;
            if (activations > c->opts->max_activation_bytes)
                return tfl_fail(c, GLIM_ELIMIT, "activations need more than %zu bytes (limit)",
                                c->opts->max_activation_bytes);
        }
    }

    glim_status st = glim_graph_new(&c->g, c->err);
    if (st != GLIM_OK) return c->r.failed = 1, st;
    if (weights && !glim_graph_weights_reserve(c->g, weights, c->err)) return c->r.failed = 1, c->err->code;

    *ins = glim_calloc(gin.len, sizeof **ins);
    *outs = glim_calloc(gout.len, sizeof **outs);
    if (!*ins || !*outs) return tfl_fail(c, GLIM_ENOMEM, "out of memory");
    *nin = (int)gin.len;
    *nout = (int)gout.len;
    fb_ctx(r, "subgraph 0 inputs");
    for (int i = 0; i < *nin; i++) {
        int32_t ti = fb_vec_i32(r, &gin, (uint32_t)i);
        if (!fb_ok(r)) return c->err->code;
        if (ti < 0 || ti >= c->ntensors)
            return tfl_fail(c, GLIM_EFORMAT, "graph input %d refers to tensor %d of %d", i, ti,
                            c->ntensors);
        if ((st = name_io(c, &(*ins)[i], ti)) != GLIM_OK) return st;
        if ((st = add_input(c, ti, &(*ins)[i])) != GLIM_OK) return st;
    }

    for (uint32_t i = 0; i < ops.len; i++) {
        fb_ctx(r, "operator %u", i);
        fb_table ot = fb_vec_table(r, &ops, i);
        if (!fb_ok(r)) return c->err->code;
        tfl_op op;
        if ((st = parse_op(c, (int)i, &ot, &opcodes, &op)) != GLIM_OK) return st;
        const tfl_op_entry *e = tfl_find_op(op.code);
        const char *name = tfl_builtin_name(op.code);
        if (!e) {
            if (name)
                return tfl_fail(c, GLIM_EUNSUPPORTED, "unsupported op %s (builtin %d, version %d) "
                                "at operator %u", name, op.code, op.version, i);
            return tfl_fail(c, GLIM_EUNSUPPORTED, "unsupported op (builtin %d, version %d) at "
                            "operator %u", op.code, op.version, i);
        }
        if (op.version < e->min_version || op.version > e->max_version)
            return tfl_fail(c, GLIM_EUNSUPPORTED, "unsupported op %s version %d (supported %d..%d)"
                            " at operator %u", name, op.version, e->min_version, e->max_version,
                            i);
        fb_ctx(r, "operator %u (%s) options", i, name);
        if ((st = e->parse(c, &op)) != GLIM_OK) return st;
        if (!fb_ok(r)) return c->err->code;
    }

    fb_ctx(r, "subgraph 0 outputs");
    int outs_idx[64], ins_idx[64];
    for (int i = 0; i < *nout; i++) {
        int32_t ti = fb_vec_i32(r, &gout, (uint32_t)i);
        if (!fb_ok(r)) return c->err->code;
        if (ti < 0 || ti >= c->ntensors)
            return tfl_fail(c, GLIM_EFORMAT, "graph output %d refers to tensor %d of %d", i, ti,
                            c->ntensors);
        if ((st = name_io(c, &(*outs)[i], ti)) != GLIM_OK) return st;
        if ((st = set_output(c, ti, &(*outs)[i])) != GLIM_OK) return st;
        outs_idx[i] = (*outs)[i].tensor;
    }
    for (int i = 0; i < *nin; i++) ins_idx[i] = (*ins)[i].tensor;
    if (glim_graph_set_io(c->g, *nin, ins_idx, *nout, outs_idx, c->err) != GLIM_OK)
        return c->r.failed = 1, c->err->code;
    return GLIM_OK;
}

glim_status glim_tflite_import(const void *bytes, size_t len, const glim_model_opts *opts,
                               glim_graph **graph, glim_model_io **inputs, int *ninputs,
                               glim_model_io **outputs, int *noutputs, glim_error *err)
{
    glim_error local;
    if (!err) err = &local;
    tfl_ctx c;
    memset(&c, 0, sizeof c);
    fb_init(&c.r, bytes, len, "tflite", err);
    c.err = err;
    c.opts = opts;
    glim_model_io *ins = NULL, *outs = NULL;
    int nin = 0, nout = 0;
    *graph = NULL;
    glim_status st = import(&c, &ins, &nin, &outs, &nout);
    glim_free(c.tensors);
    if (st != GLIM_OK) {
        glim_graph_free(c.g);
        free_io(ins, nin);
        free_io(outs, nout);
        return st;
    }
    *graph = c.g;
    *inputs = ins;
    *ninputs = nin;
    *outputs = outs;
    *noutputs = nout;
    return GLIM_OK;
}
