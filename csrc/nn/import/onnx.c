/*
 * onnx.c — decode an ONNX ModelProto into onnx_model: opset imports, the
 * graph's nodes (attributes included), initializers (converted once into
 * model-owned float32 / int64 / bool arrays), graph inputs and outputs with
 * their declared shapes, and value_info. Everything is validated while it
 * is read: a truncated or malformed file gives EFORMAT naming what was being
 * read, never a crash. Nothing points into the file afterwards.
 *
 * onnx.proto field numbers used here:
 *   ModelProto: ir_version 1, graph 7, opset_import 8
 *   OperatorSetIdProto: domain 1, version 2
 *   GraphProto: node 1, initializer 5, input 11, output 12, value_info 13,
 *               sparse_initializer 15
 *   NodeProto: input 1, output 2, name 3, op_type 4, attribute 5, domain 7
 *   AttributeProto: name 1, f 2, i 3, s 4, t 5, g 6, floats 7, ints 8,
 *               strings 9, tensors 10, graphs 11, type 20
 *   TensorProto: dims 1, data_type 2, segment 3, float_data 4, int32_data 5,
 *               int64_data 7, name 8, raw_data 9, double_data 10,
 *               uint64_data 11, external_data 13, data_location 14
 *   ValueInfoProto: name 1, type 2; TypeProto: tensor_type 1;
 *   TypeProto.Tensor: elem_type 1, shape 2; TensorShapeProto: dim 1;
 *   Dimension: dim_value 1, dim_param 2
 */
#include "onnx_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct onnx_block {
    struct onnx_block *next;
    size_t used, size;
    /* data follows, 64-aligned */
};

#define BLOCK_HDR 64

void *onnx_arena_alloc(onnx_model *m, size_t bytes)
{
    bytes = (bytes + 63) & ~(size_t)63;
    if (bytes == 0) bytes = 64;
    onnx_block *b = m->blocks;
    if (!b || b->size - b->used < bytes) {
        size_t size = bytes > 65536 ? bytes : 65536;
        if (size > SIZE_MAX - BLOCK_HDR) return NULL;
        b = glim_alloc(BLOCK_HDR + size);
        if (!b) return NULL;
        b->size = size;
        b->used = 0;
        if (bytes > 65536 && m->blocks) { /* keep the current small block current */
            b->next = m->blocks->next;
            m->blocks->next = b;
            b->used = bytes;
            void *p = (uint8_t *)b + BLOCK_HDR;
            memset(p, 0, bytes);
            return p;
        }
        b->next = m->blocks;
        m->blocks = b;
    }
    void *p = (uint8_t *)b + BLOCK_HDR + b->used;
    b->used += bytes;
    memset(p, 0, bytes);
    return p;
}

void onnx_model_free(onnx_model *m)
{
    if (!m) return;
    onnx_block *b = m->blocks;
    while (b) {
        onnx_block *n = b->next;
        glim_free(b);
        b = n;
    }
    glim_free(m->hash);
    glim_free(m);
}

/* ---- decoding context ---------------------------------------------------- */

typedef struct dec {
    onnx_model *m;
    glim_error *err;
    const glim_model_opts *opts;
    char where[96];
    int failed;
} dec;

static glim_status dfail(dec *d, glim_status code, const char *fmt, ...) GLIM_PRINTF(3, 4);
static glim_status dfail(dec *d, glim_status code, const char *fmt, ...)
{
    if (d->failed) return d->err->code;
    d->failed = 1;
    char detail[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    if (d->where[0]) return glim_fail(d->err, code, "onnx: %s: %s", d->where, detail);
    return glim_fail(d->err, code, "onnx: %s", detail);
}

static glim_status malformed(dec *d, const char *what)
{
    return dfail(d, GLIM_EFORMAT, "malformed or truncated %s", what);
}

static glim_status nomem(dec *d) { return dfail(d, GLIM_ENOMEM, "out of memory"); }

static const char *copy_str(dec *d, const pb_cursor *s)
{
    size_t n = (size_t)(s->end - s->p);
    if (n > 4096) n = 4096;
    char *o = onnx_arena_alloc(d->m, n + 1);
    if (!o) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = s->p[i];
        if (ch == 0) break;
        o[k++] = (ch < 32 || ch == 127) ? '?' : (char)ch;
    }
    o[k] = 0;
    return o;
}

/* ---- value names ------------------------------------------------------- */

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;
    while (*s) h = (h ^ (uint8_t)*s++) * 16777619u;
    return h;
}

static int rehash(dec *d, int cap)
{
    onnx_model *m = d->m;
    int *h = glim_alloc((size_t)cap * sizeof(int));
    if (!h) return 0;
    for (int i = 0; i < cap; i++) h[i] = -1;
    for (int v = 0; v < m->nvalues; v++) {
        uint32_t k = hash_str(m->values[v].name) & (uint32_t)(cap - 1);
        while (h[k] >= 0) k = (k + 1) & (uint32_t)(cap - 1);
        h[k] = v;
    }
    glim_free(m->hash);
    m->hash = h;
    m->hash_cap = cap;
    return 1;
}

/* The id of the value named s (created when new); -1 for "", -2 on failure. */
static int intern(dec *d, const pb_cursor *s)
{
    onnx_model *m = d->m;
    if (s->end == s->p) return -1;
    char buf[4097];
    size_t n = (size_t)(s->end - s->p);
    if (n > 4096) n = 4096;
    memcpy(buf, s->p, n);
    buf[n] = 0;
    if (!buf[0]) return -1;
    if (m->hash_cap) {
        uint32_t k = hash_str(buf) & (uint32_t)(m->hash_cap - 1);
        while (m->hash[k] >= 0) {
            if (strcmp(m->values[m->hash[k]].name, buf) == 0) return m->hash[k];
            k = (k + 1) & (uint32_t)(m->hash_cap - 1);
        }
    }
    if ((size_t)m->nvalues >= d->opts->max_tensors) {
        dfail(d, GLIM_ELIMIT, "more than %zu tensors (limit)", d->opts->max_tensors);
        return -2;
    }
    if (m->nvalues == m->values_cap) {
        int cap = m->values_cap ? m->values_cap * 2 : 256;
        onnx_value *nv = onnx_arena_alloc(m, (size_t)cap * sizeof *nv);
        if (!nv) return nomem(d), -2;
        if (m->nvalues) memcpy(nv, m->values, (size_t)m->nvalues * sizeof *nv);
        m->values = nv; /* the old array stays in the arena: fine */
        m->values_cap = cap;
    }
    if (2 * (m->nvalues + 1) > m->hash_cap && !rehash(d, m->hash_cap ? m->hash_cap * 2 : 512))
        return nomem(d), -2;
    const char *name = copy_str(d, s);
    if (!name) return nomem(d), -2;
    int id = m->nvalues++;
    onnx_value *v = &m->values[id];
    memset(v, 0, sizeof *v);
    v->name = name;
    v->init = -1;
    v->producer = -1;
    v->ndim = -1;
    uint32_t k = hash_str(buf) & (uint32_t)(m->hash_cap - 1);
    while (m->hash[k] >= 0) k = (k + 1) & (uint32_t)(m->hash_cap - 1);
    m->hash[k] = id;
    return id;
}

/* ---- repeated scalars ---------------------------------------------------- */

typedef struct vec {
    uint8_t *data;
    size_t n, cap, esize;
} vec;

static int vec_grow(vec *v, size_t more)
{
    if (v->n + more <= v->cap) return 1;
    size_t cap = v->cap ? v->cap : 16;
    while (cap < v->n + more) {
        if (cap > ((size_t)1 << 40) / v->esize) return 0;
        cap *= 2;
    }
    uint8_t *p = glim_alloc(cap * v->esize);
    if (!p) return 0;
    if (v->n) memcpy(p, v->data, v->n * v->esize);
    glim_free(v->data);
    v->data = p;
    v->cap = cap;
    return 1;
}

enum { EK_VARINT, EK_F32, EK_F64 };

/* Append one field occurrence (packed or not) of a repeated scalar. */
static int vec_read(dec *d, pb_cursor *c, uint32_t wire, int kind, vec *v, const char *what)
{
    uint32_t ew = kind == EK_VARINT ? PB_VARINT : kind == EK_F32 ? PB_I32 : PB_I64;
    v->esize = kind == EK_F32 ? 4 : 8;
    pb_cursor pl;
    size_t cnt = 1;
    if (wire == PB_LEN) {
        if (!pb_len(c, &pl) || !pb_packed_count(&pl, ew, &cnt)) return malformed(d, what), 0;
    } else if (wire == ew) {
        pl = *c;
    } else {
        return malformed(d, what), 0;
    }
    if (!vec_grow(v, cnt)) return nomem(d), 0;
    for (size_t i = 0; i < cnt; i++) {
        uint8_t *dst = v->data + (v->n + i) * v->esize;
        if (kind == EK_VARINT) {
            uint64_t x;
            if (!pb_varint(&pl, &x)) return malformed(d, what), 0;
            memcpy(dst, &x, 8);
        } else if (kind == EK_F32) {
            uint32_t x;
            if (!pb_fixed32(&pl, &x)) return malformed(d, what), 0;
            memcpy(dst, &x, 4);
        } else {
            uint64_t x;
            if (!pb_fixed64(&pl, &x)) return malformed(d, what), 0;
            memcpy(dst, &x, 8);
        }
    }
    if (wire != PB_LEN) *c = pl;
    v->n += cnt;
    return 1;
}

/* ---- tensors ------------------------------------------------------------- */

static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, e = (h >> 10) & 31, man = h & 1023u, bits;
    float f;
    if (e == 0) {
        f = ldexpf((float)man, -24);
        return sign ? -f : f;
    }
    bits = e == 31 ? (sign | 0x7f800000u | (man << 13)) : (sign | ((e + 112) << 23) | (man << 13));
    memcpy(&f, &bits, 4);
    return f;
}

static const char *type_name(int t)
{
    static const char *names[] = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16",
                                  "INT32", "INT64", "STRING", "BOOL", "FLOAT16", "DOUBLE",
                                  "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16"};
    return t >= 0 && t < (int)(sizeof names / sizeof names[0]) ? names[t] : "?";
}

/* Bytes per element of raw_data; 0 for types glimpse cannot hold. */
static size_t raw_size(int t)
{
    switch (t) {
    case OX_FLOAT: case OX_INT32: case OX_UINT32: return 4;
    case OX_DOUBLE: case OX_INT64: case OX_UINT64: return 8;
    case OX_FLOAT16: case OX_BFLOAT16: case OX_INT16: case OX_UINT16: return 2;
    case OX_INT8: case OX_UINT8: case OX_BOOL: return 1;
    default: return 0;
    }
}

static glim_dtype host_dtype(int t)
{
    switch (t) {
    case OX_FLOAT: case OX_DOUBLE: case OX_FLOAT16: case OX_BFLOAT16: return GLIM_F32;
    case OX_BOOL: return GLIM_BOOL;
    default: return GLIM_I64;
    }
}

static double raw_elem(const uint8_t *p, int t, int64_t i)
{
    switch (t) {
    case OX_FLOAT: { float v; memcpy(&v, p + i * 4, 4); return v; }
    case OX_DOUBLE: { double v; memcpy(&v, p + i * 8, 8); return v; }
    case OX_FLOAT16: { uint16_t h; memcpy(&h, p + i * 2, 2); return half_to_float(h); }
    case OX_BFLOAT16: {
        uint16_t h; memcpy(&h, p + i * 2, 2);
        uint32_t b = (uint32_t)h << 16; float f; memcpy(&f, &b, 4); return f;
    }
    case OX_INT8: return (int8_t)p[i];
    case OX_UINT8: case OX_BOOL: return p[i];
    case OX_INT16: { int16_t v; memcpy(&v, p + i * 2, 2); return v; }
    case OX_UINT16: { uint16_t v; memcpy(&v, p + i * 2, 2); return v; }
    case OX_INT32: { int32_t v; memcpy(&v, p + i * 4, 4); return v; }
    case OX_UINT32: { uint32_t v; memcpy(&v, p + i * 4, 4); return v; }
    default: return 0;
    }
}

static glim_status parse_tensor(dec *d, pb_cursor c, onnx_tensor *t)
{
    vec dims = {0}, f32 = {0}, i32 = {0}, i64 = {0}, f64 = {0}, u64 = {0};
    pb_cursor raw = {NULL, NULL}, name = {NULL, NULL};
    int has_raw = 0, external = 0;
    uint64_t dtype = 0, loc = 0;
    glim_status st = GLIM_OK;
    uint32_t f, w;
    int r;
    while ((r = pb_next(&c, &f, &w)) == 1) {
        int ok = 1;
        switch (f) {
        case 1: ok = vec_read(d, &c, w, EK_VARINT, &dims, "tensor dims"); break;
        case 2: ok = w == PB_VARINT && pb_varint(&c, &dtype); break;
        case 3: external = 2; ok = pb_skip(&c, w); break;
        case 4: ok = vec_read(d, &c, w, EK_F32, &f32, "tensor float_data"); break;
        case 5: ok = vec_read(d, &c, w, EK_VARINT, &i32, "tensor int32_data"); break;
        case 7: ok = vec_read(d, &c, w, EK_VARINT, &i64, "tensor int64_data"); break;
        case 8: ok = w == PB_LEN && pb_len(&c, &name); break;
        case 9: ok = w == PB_LEN && pb_len(&c, &raw); has_raw = 1; break;
        case 10: ok = vec_read(d, &c, w, EK_F64, &f64, "tensor double_data"); break;
        case 11: ok = vec_read(d, &c, w, EK_VARINT, &u64, "tensor uint64_data"); break;
        case 13: external = 1; ok = pb_skip(&c, w); break;
        case 14: ok = w == PB_VARINT && pb_varint(&c, &loc); break;
        default: ok = pb_skip(&c, w); break;
        }
        if (!ok) {
            st = d->failed ? d->err->code : malformed(d, "tensor");
            goto done;
        }
    }
    if (r < 0) {
        st = malformed(d, "tensor");
        goto done;
    }
    t->name = name.p ? copy_str(d, &name) : "";
    if (!t->name) {
        st = nomem(d);
        goto done;
    }
    if (external || loc == 1) {
        st = dfail(d, GLIM_EUNSUPPORTED, "tensor '%s' %s", t->name,
                   external == 2 ? "is segmented" : "keeps its data in an external file");
        goto done;
    }
    if (dims.n > GLIM_MAX_DIMS) {
        st = dfail(d, GLIM_EUNSUPPORTED, "tensor '%s' has rank %zu (at most %d)", t->name,
                   dims.n, GLIM_MAX_DIMS);
        goto done;
    }
    t->ndim = (int)dims.n;
    t->count = 1;
    for (int k = 0; k < t->ndim; k++) {
        int64_t v;
        memcpy(&v, dims.data + k * 8, 8);
        if (v < 0 || v > ((int64_t)1 << 40) || (v && t->count > ((int64_t)1 << 40) / v)) {
            st = dfail(d, GLIM_EFORMAT, "tensor '%s' has dimension %d of size %lld", t->name, k,
                       (long long)v);
            goto done;
        }
        t->dims[k] = v;
        t->count *= v;
    }
    t->onnx_type = (int)(dtype > 100 ? 0 : dtype);
    size_t es = raw_size(t->onnx_type);
    if (es == 0) {
        st = dfail(d, GLIM_EUNSUPPORTED, "tensor '%s' has type %s", t->name,
                   type_name(t->onnx_type));
        goto done;
    }
    t->dtype = host_dtype(t->onnx_type);
    size_t hs = t->dtype == GLIM_F32 ? 4 : t->dtype == GLIM_BOOL ? 1 : 8;
    size_t bytes = (size_t)t->count * hs;
    d->m->data_bytes += bytes;
    if (d->m->data_bytes > d->opts->max_weight_bytes) {
        st = dfail(d, GLIM_ELIMIT, "constant data needs more than %zu bytes (limit)",
                   d->opts->max_weight_bytes);
        goto done;
    }
    t->data = onnx_arena_alloc(d->m, bytes ? bytes : 1);
    if (!t->data) {
        st = nomem(d);
        goto done;
    }
    /* Where the values are: raw_data, or the typed field for this type. */
    const vec *typed = NULL;
    switch (t->onnx_type) {
    case OX_FLOAT: typed = &f32; break;
    case OX_DOUBLE: typed = &f64; break;
    case OX_INT64: typed = &i64; break;
    case OX_UINT32: case OX_UINT64: typed = &u64; break;
    default: typed = &i32; break;
    }
    if (has_raw) {
        size_t have = (size_t)(raw.end - raw.p);
        if (have != (size_t)t->count * es) {
            st = dfail(d, GLIM_EFORMAT, "tensor '%s' has %zu bytes of raw_data, its shape needs "
                       "%zu", t->name, have, (size_t)t->count * es);
            goto done;
        }
        for (int64_t i = 0; i < t->count; i++) {
            if (t->dtype == GLIM_F32) {
                ((float *)t->data)[i] = (float)raw_elem(raw.p, t->onnx_type, i);
            } else if (t->dtype == GLIM_BOOL) {
                ((uint8_t *)t->data)[i] = raw.p[i] != 0;
            } else if (t->onnx_type == OX_INT64 || t->onnx_type == OX_UINT64) {
                memcpy((int64_t *)t->data + i, raw.p + i * 8, 8);
            } else {
                ((int64_t *)t->data)[i] = (int64_t)raw_elem(raw.p, t->onnx_type, i);
            }
        }
    } else {
        if (typed->n != (size_t)t->count) {
            st = dfail(d, GLIM_EFORMAT, "tensor '%s' holds %zu values, its shape needs %lld",
                       t->name, typed->n, (long long)t->count);
            goto done;
        }
        for (int64_t i = 0; i < t->count; i++) {
            const uint8_t *e = typed->data + (size_t)i * typed->esize;
            if (t->onnx_type == OX_FLOAT) {
                memcpy((float *)t->data + i, e, 4);
            } else if (t->onnx_type == OX_DOUBLE) {
                double v;
                memcpy(&v, e, 8);
                ((float *)t->data)[i] = (float)v;
            } else {
                int64_t v;
                memcpy(&v, e, 8);
                if (t->onnx_type == OX_FLOAT16 || t->onnx_type == OX_BFLOAT16) {
                    uint16_t h = (uint16_t)v;
                    uint8_t b2[2];
                    memcpy(b2, &h, 2);
                    ((float *)t->data)[i] = (float)raw_elem(b2, t->onnx_type, 0);
                } else if (t->dtype == GLIM_BOOL) {
                    ((uint8_t *)t->data)[i] = v != 0;
                } else if (t->onnx_type == OX_INT32 || t->onnx_type == OX_INT64 ||
                           t->onnx_type == OX_UINT64) {
                    ((int64_t *)t->data)[i] = t->onnx_type == OX_INT32 ? (int32_t)v : v;
                } else {
                    ((int64_t *)t->data)[i] = v;
                }
            }
        }
    }
done:
    glim_free(dims.data);
    glim_free(f32.data);
    glim_free(i32.data);
    glim_free(i64.data);
    glim_free(f64.data);
    glim_free(u64.data);
    return st;
}

/* ---- nodes ---------------------------------------------------------------- */

static glim_status parse_attr(dec *d, pb_cursor c, onnx_attr *a, const char *op)
{
    pb_cursor whole = c;
    vec fl = {0}, in = {0};
    uint64_t type = 0, iv = 0;
    uint32_t fv = 0;
    pb_cursor s = {NULL, NULL}, t = {NULL, NULL}, name = {NULL, NULL};
    int has_f = 0, has_i = 0, has_g = 0, nstr = 0, bad = 0;
    glim_status st = GLIM_OK;
    uint32_t f, w;
    int r;
    while ((r = pb_next(&c, &f, &w)) == 1) {
        int ok = 1;
        switch (f) {
        case 1: ok = w == PB_LEN && pb_len(&c, &name); break;
        case 2: ok = w == PB_I32 && pb_fixed32(&c, &fv); has_f = 1; break;
        case 3: ok = w == PB_VARINT && pb_varint(&c, &iv); has_i = 1; break;
        case 4: ok = w == PB_LEN && pb_len(&c, &s); break;
        case 5: ok = w == PB_LEN && pb_len(&c, &t); break;
        case 6: case 10: case 11: case 22: has_g = 1; ok = pb_skip(&c, w); break;
        case 7: ok = vec_read(d, &c, w, EK_F32, &fl, "attribute floats"); break;
        case 8: ok = vec_read(d, &c, w, EK_VARINT, &in, "attribute ints"); break;
        case 9: nstr++; ok = w == PB_LEN && pb_skip(&c, w); break;
        case 20: ok = w == PB_VARINT && pb_varint(&c, &type); break;
        default: ok = pb_skip(&c, w); break;
        }
        if (!ok) {
            bad = 1;
            break;
        }
    }
    if (bad || r < 0) {
        st = d->failed ? d->err->code : malformed(d, "attribute");
        goto done;
    }
    a->name = name.p ? copy_str(d, &name) : "";
    if (!a->name) {
        st = nomem(d);
        goto done;
    }
    if (has_g) {
        st = dfail(d, GLIM_EUNSUPPORTED, "op %s: attribute '%s' holds sub-graphs or tensor lists, "
                   "which are not supported", op, a->name);
        goto done;
    }
    if (type == 0) /* IR < 0.0.2 files leave type out: infer it */
        type = t.p ? OXA_TENSOR : s.p ? OXA_STRING : fl.n ? OXA_FLOATS : in.n ? OXA_INTS
               : has_f ? OXA_FLOAT : has_i ? OXA_INT : nstr ? OXA_STRINGS : OXA_UNDEFINED;
    a->type = (int)(type > 100 ? 0 : type);
    memcpy(&a->f, &fv, 4);
    a->i = (int64_t)iv;
    if (s.p) {
        a->s = copy_str(d, &s);
        if (!a->s) {
            st = nomem(d);
            goto done;
        }
    }
    if (fl.n || in.n) {
        if (fl.n > 1u << 20 || in.n > 1u << 20) {
            st = dfail(d, GLIM_ELIMIT, "attribute '%s' has too many values", a->name);
            goto done;
        }
        a->n = (int)(fl.n ? fl.n : in.n);
        if (fl.n) {
            a->floats = onnx_arena_alloc(d->m, fl.n * 4);
            if (!a->floats) { st = nomem(d); goto done; }
            memcpy(a->floats, fl.data, fl.n * 4);
        } else {
            a->ints = onnx_arena_alloc(d->m, in.n * 8);
            if (!a->ints) { st = nomem(d); goto done; }
            memcpy(a->ints, in.data, in.n * 8);
        }
    }
    if (nstr) { /* second pass over the message for the strings */
        if (nstr > 4096) {
            st = dfail(d, GLIM_ELIMIT, "attribute '%s' has too many strings", a->name);
            goto done;
        }
        a->strings = onnx_arena_alloc(d->m, sizeof(char *) * (size_t)nstr);
        if (!a->strings) { st = nomem(d); goto done; }
        pb_cursor c2 = whole;
        pb_cursor sv;
        while (pb_next(&c2, &f, &w) == 1) {
            if (f == 9 && w == PB_LEN && pb_len(&c2, &sv)) {
                const char *str = copy_str(d, &sv);
                if (!str) { st = nomem(d); goto done; }
                a->strings[a->nstrings++] = str;
            } else {
                pb_skip(&c2, w);
            }
        }
    }
    if (t.p) {
        a->t = onnx_arena_alloc(d->m, sizeof *a->t);
        if (!a->t) { st = nomem(d); goto done; }
        st = parse_tensor(d, t, a->t);
    }
done:
    glim_free(fl.data);
    glim_free(in.data);
    return st;
}

static glim_status parse_node(dec *d, pb_cursor c, onnx_node *n, int index)
{
    pb_cursor sc = c, s;
    uint32_t f, w;
    int r, nin = 0, nout = 0, nattr = 0;
    pb_cursor name = {NULL, NULL}, op = {NULL, NULL}, dom = {NULL, NULL};
    snprintf(d->where, sizeof d->where, "node %d", index);
    while ((r = pb_next(&sc, &f, &w)) == 1) {
        if (f == 1 || f == 2 || f == 3 || f == 4 || f == 5 || f == 7) {
            if (w != PB_LEN || !pb_len(&sc, &s)) return malformed(d, "node");
            if (f == 1) nin++;
            else if (f == 2) nout++;
            else if (f == 3) name = s;
            else if (f == 4) op = s;
            else if (f == 5) nattr++;
            else dom = s;
        } else if (!pb_skip(&sc, w)) {
            return malformed(d, "node");
        }
    }
    if (r < 0) return malformed(d, "node");
    n->op_type = op.p ? copy_str(d, &op) : "";
    n->domain = dom.p ? copy_str(d, &dom) : "";
    if (!n->op_type || !n->domain) return nomem(d);
    if (!n->op_type[0]) return dfail(d, GLIM_EFORMAT, "node has no op_type");
    if (name.p && name.end > name.p) {
        n->name = copy_str(d, &name);
    } else {
        char *b = onnx_arena_alloc(d->m, strlen(n->op_type) + 16);
        if (b) sprintf(b, "%s_%d", n->op_type, index);
        n->name = b;
    }
    if (!n->name) return nomem(d);
    snprintf(d->where, sizeof d->where, "node '%.60s' (%.24s)", n->name, n->op_type);
    if (nin > 4096 || nout > 64) return dfail(d, GLIM_EFORMAT, "%d inputs, %d outputs", nin, nout);
    n->in = onnx_arena_alloc(d->m, sizeof(int) * (size_t)(nin + 1));
    n->out = onnx_arena_alloc(d->m, sizeof(int) * (size_t)(nout + 1));
    n->attrs = onnx_arena_alloc(d->m, sizeof(onnx_attr) * (size_t)(nattr + 1));
    if (!n->in || !n->out || !n->attrs) return nomem(d);
    while ((r = pb_next(&c, &f, &w)) == 1) {
        if (f == 1 || f == 2 || f == 5) {
            pb_len(&c, &s);
            if (f == 5) {
                glim_status st = parse_attr(d, s, &n->attrs[n->nattr++], n->op_type);
                if (st != GLIM_OK) return st;
                continue;
            }
            int id = intern(d, &s);
            if (id == -2) return d->err->code;
            if (f == 1) {
                n->in[n->nin++] = id;
            } else {
                if (id < 0) {
                    n->out[n->nout++] = -1;
                    continue;
                }
                onnx_value *v = &d->m->values[id];
                if (v->producer >= 0)
                    return dfail(d, GLIM_EFORMAT, "output '%s' is already produced by node %d",
                                 v->name, v->producer);
                v->producer = index;
                n->out[n->nout++] = id;
            }
        } else {
            pb_skip(&c, w);
        }
    }
    d->where[0] = 0;
    return GLIM_OK;
}

/* ---- value info ------------------------------------------------------------ */

static glim_status parse_value_info(dec *d, pb_cursor c, int *id_out)
{
    uint32_t f, w;
    int r;
    pb_cursor name = {NULL, NULL}, type = {NULL, NULL}, s;
    while ((r = pb_next(&c, &f, &w)) == 1) {
        if (f == 1 && w == PB_LEN) { if (!pb_len(&c, &name)) return malformed(d, "value_info"); }
        else if (f == 2 && w == PB_LEN) { if (!pb_len(&c, &type)) return malformed(d, "value_info"); }
        else if (!pb_skip(&c, w)) return malformed(d, "value_info");
    }
    if (r < 0) return malformed(d, "value_info");
    if (!name.p || name.p == name.end) return dfail(d, GLIM_EFORMAT, "a graph input or output has no name");
    int id = intern(d, &name);
    if (id < 0) return d->err->code;
    *id_out = id;
    onnx_value *v = &d->m->values[id];
    if (!type.p) return GLIM_OK;
    pb_cursor tt = {NULL, NULL};
    while ((r = pb_next(&type, &f, &w)) == 1) {
        if (f == 1 && w == PB_LEN) { if (!pb_len(&type, &tt)) return malformed(d, "type"); }
        else if (!pb_skip(&type, w)) return malformed(d, "type");
    }
    if (r < 0) return malformed(d, "type");
    if (!tt.p) return GLIM_OK; /* not a tensor: checked where used */
    uint64_t elem = 0;
    pb_cursor shape = {NULL, NULL};
    int has_shape = 0;
    while ((r = pb_next(&tt, &f, &w)) == 1) {
        if (f == 1 && w == PB_VARINT) { if (!pb_varint(&tt, &elem)) return malformed(d, "type"); }
        else if (f == 2 && w == PB_LEN) { if (!pb_len(&tt, &shape)) return malformed(d, "shape"); has_shape = 1; }
        else if (!pb_skip(&tt, w)) return malformed(d, "type");
    }
    if (r < 0) return malformed(d, "type");
    v->elem_type = (int)(elem > 100 ? 0 : elem);
    if (!has_shape) return GLIM_OK;
    int nd = 0;
    while ((r = pb_next(&shape, &f, &w)) == 1) {
        if (f != 1 || w != PB_LEN) {
            if (!pb_skip(&shape, w)) return malformed(d, "shape");
            continue;
        }
        if (!pb_len(&shape, &s)) return malformed(d, "shape");
        if (nd >= GLIM_MAX_DIMS)
            return dfail(d, GLIM_EUNSUPPORTED, "'%s' has more than %d dims", v->name, GLIM_MAX_DIMS);
        int64_t dv = -1;
        uint32_t f2, w2;
        int r2;
        while ((r2 = pb_next(&s, &f2, &w2)) == 1) {
            uint64_t x;
            if (f2 == 1 && w2 == PB_VARINT) {
                if (!pb_varint(&s, &x)) return malformed(d, "dim");
                dv = (int64_t)x;
            } else if (!pb_skip(&s, w2)) {
                return malformed(d, "dim");
            }
        }
        if (r2 < 0) return malformed(d, "dim");
        if (dv > ((int64_t)1 << 40)) return dfail(d, GLIM_EFORMAT, "'%s' has dim %lld", v->name, (long long)dv);
        v->dims[nd++] = dv < 0 ? -1 : dv;
    }
    if (r < 0) return malformed(d, "shape");
    v->ndim = nd;
    return GLIM_OK;
}

/* ---- graph and model ---------------------------------------------------- */

static glim_status parse_graph(dec *d, pb_cursor g)
{
    onnx_model *m = d->m;
    pb_cursor c = g, s;
    uint32_t f, w;
    int r;
    size_t nn = 0, ni = 0, nin = 0, nout = 0;
    while ((r = pb_next(&c, &f, &w)) == 1) {
        if (w == PB_LEN) {
            if (!pb_len(&c, &s)) return malformed(d, "graph");
            if (f == 1) nn++;
            else if (f == 5) ni++;
            else if (f == 11) nin++;
            else if (f == 12) nout++;
            else if (f == 15) return dfail(d, GLIM_EUNSUPPORTED, "sparse initializers are not supported");
        } else if (!pb_skip(&c, w)) {
            return malformed(d, "graph");
        }
    }
    if (r < 0) return malformed(d, "graph");
    if (nn > d->opts->max_ops) return dfail(d, GLIM_ELIMIT, "%zu nodes (limit %zu)", nn, d->opts->max_ops);
    if (ni > d->opts->max_tensors) return dfail(d, GLIM_ELIMIT, "%zu initializers (limit %zu)", ni, d->opts->max_tensors);
    if (nout == 0 || nin > 64 || nout > 64)
        return dfail(d, GLIM_EFORMAT, "the graph has %zu inputs and %zu outputs", nin, nout);
    m->nodes = onnx_arena_alloc(m, (nn + 1) * sizeof *m->nodes);
    m->inits = onnx_arena_alloc(m, (ni + 1) * sizeof *m->inits);
    m->inputs = onnx_arena_alloc(m, (nin + 1) * sizeof(int));
    m->outputs = onnx_arena_alloc(m, (nout + 1) * sizeof(int));
    if (!m->nodes || !m->inits || !m->inputs || !m->outputs) return nomem(d);
    /* initializers first, then everything else in file order */
    c = g;
    while (pb_next(&c, &f, &w) == 1) {
        if (w != PB_LEN) { pb_skip(&c, w); continue; }
        pb_len(&c, &s);
        if (f != 5) continue;
        onnx_tensor *t = &m->inits[m->ninits];
        snprintf(d->where, sizeof d->where, "initializer %d", m->ninits);
        glim_status st = parse_tensor(d, s, t);
        if (st != GLIM_OK) return st;
        pb_cursor nc = {(const uint8_t *)t->name, (const uint8_t *)t->name + strlen(t->name)};
        int id = intern(d, &nc);
        if (id == -2) return d->err->code;
        if (id == -1) return dfail(d, GLIM_EFORMAT, "an initializer has no name");
        if (m->values[id].init >= 0) return dfail(d, GLIM_EFORMAT, "initializer '%s' is given twice", t->name);
        m->values[id].init = m->ninits++;
    }
    d->where[0] = 0;
    c = g;
    while (pb_next(&c, &f, &w) == 1) {
        if (w != PB_LEN) { pb_skip(&c, w); continue; }
        pb_len(&c, &s);
        glim_status st = GLIM_OK;
        int id;
        if (f == 1) {
            st = parse_node(d, s, &m->nodes[m->nnodes], m->nnodes);
            m->nnodes++;
        } else if (f == 11) {
            if ((st = parse_value_info(d, s, &id)) == GLIM_OK && m->values[id].init < 0) {
                for (int k = 0; k < m->ninputs; k++)
                    if (m->inputs[k] == id) return dfail(d, GLIM_EFORMAT, "graph input '%s' is listed twice", m->values[id].name);
                m->inputs[m->ninputs++] = id;
            }
        } else if (f == 12) {
            if ((st = parse_value_info(d, s, &id)) == GLIM_OK) m->outputs[m->noutputs++] = id;
        } else if (f == 13) {
            st = parse_value_info(d, s, &id);
        }
        if (st != GLIM_OK) return st;
    }
    for (int k = 0; k < m->ninputs; k++)
        if (m->values[m->inputs[k]].producer >= 0)
            return dfail(d, GLIM_EFORMAT, "graph input '%s' is also produced by a node", m->values[m->inputs[k]].name);
    /* consumer counts */
    for (int i = 0; i < m->nnodes; i++)
        for (int k = 0; k < m->nodes[i].nin; k++)
            if (m->nodes[i].in[k] >= 0) m->values[m->nodes[i].in[k]].uses++;
    for (int k = 0; k < m->noutputs; k++) m->values[m->outputs[k]].uses++;
    return GLIM_OK;
}

int onnx_sniff(const void *bytes, size_t len)
{
    pb_cursor c = {bytes, (const uint8_t *)bytes + len};
    uint32_t f, w;
    int r, graph = 0, n = 0;
    if (!bytes || len < 4) return 0;
    while ((r = pb_next(&c, &f, &w)) == 1) {
        if (!pb_skip(&c, w)) return 0;
        if (f == 7 && w == PB_LEN) graph = 1;
        if ((f == 1 || f == 5) && w != PB_VARINT) return 0;
        if ((f >= 2 && f <= 4) && w != PB_LEN) return 0;
        if ((f == 7 || f == 8) && w != PB_LEN) return 0;
        n++;
    }
    return r == 0 && graph && n >= 2;
}

const onnx_attr *onnx_attr_find(const onnx_node *n, const char *name)
{
    for (int i = 0; i < n->nattr; i++)
        if (strcmp(n->attrs[i].name, name) == 0) return &n->attrs[i];
    return NULL;
}

glim_status onnx_model_decode(const void *bytes, size_t len, const glim_model_opts *opts,
                              onnx_model **out, glim_error *err)
{
    glim_error local;
    if (!err) err = &local;
    *out = NULL;
    onnx_model *m = glim_calloc(1, sizeof *m);
    if (!m) return glim_fail(err, GLIM_ENOMEM, "onnx: out of memory");
    dec d = {m, err, opts, "", 0};
    pb_cursor c = {bytes, (const uint8_t *)bytes + len}, s, graph = {NULL, NULL};
    uint32_t f, w;
    int r, has_opset = 0;
    glim_status st = GLIM_OK;
    m->opset = 1;
    while ((r = pb_next(&c, &f, &w)) == 1) {
        uint64_t v;
        if (f == 1 && w == PB_VARINT) {
            if (!pb_varint(&c, &v)) break;
            m->ir_version = (int64_t)v;
        } else if (f == 7 && w == PB_LEN) {
            if (!pb_len(&c, &graph)) { r = -1; break; }
        } else if (f == 8 && w == PB_LEN) {
            if (!pb_len(&c, &s)) { r = -1; break; }
            pb_cursor dom = {NULL, NULL};
            uint64_t ver = 0;
            int r2;
            while ((r2 = pb_next(&s, &f, &w)) == 1) {
                if (f == 1 && w == PB_LEN) { if (!pb_len(&s, &dom)) { r2 = -1; break; } }
                else if (f == 2 && w == PB_VARINT) { if (!pb_varint(&s, &ver)) { r2 = -1; break; } }
                else if (!pb_skip(&s, w)) { r2 = -1; break; }
            }
            if (r2 < 0) { r = -1; break; }
            size_t dl = dom.p ? (size_t)(dom.end - dom.p) : 0;
            if (dl == 0 || (dl == 7 && memcmp(dom.p, "ai.onnx", 7) == 0)) {
                has_opset = 1;
                m->opset = ver > 1000 ? 1000 : (int)ver;
            }
        } else if (!pb_skip(&c, w)) {
            r = -1;
            break;
        }
    }
    if (r != 0) st = malformed(&d, "model (not an ONNX ModelProto?)");
    else if (!graph.p) st = dfail(&d, GLIM_EFORMAT, "the model has no graph");
    else if (!has_opset && m->ir_version >= 3) st = dfail(&d, GLIM_EFORMAT, "the model imports no default-domain opset");
    else if (m->opset < 7) st = dfail(&d, GLIM_EUNSUPPORTED, "opset %d (7 or later supported)", m->opset);
    else st = parse_graph(&d, graph);
    if (st != GLIM_OK) {
        onnx_model_free(m);
        return st;
    }
    *out = m;
    return GLIM_OK;
}
