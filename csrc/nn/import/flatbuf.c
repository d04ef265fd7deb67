/* flatbuf.c — bounds-checked FlatBuffers reads (see flatbuf.h). */
#include "flatbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void fb_init(fb_reader *r, const void *data, size_t size, const char *prefix, glim_error *err)
{
    memset(r, 0, sizeof *r);
    r->data = data;
    r->size = size;
    r->err = err;
    r->prefix = prefix;
    strcpy(r->ctx, "header");
}

void fb_ctx(fb_reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->ctx, sizeof r->ctx, fmt, ap);
    va_end(ap);
}

glim_status fb_fail(fb_reader *r, glim_status code, const char *fmt, ...)
{
    if (r->failed) return r->err ? r->err->code : code;
    r->failed = 1;
    char detail[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return glim_fail(r->err, code, "%s: %s: %s", r->prefix, r->ctx, detail);
}

static uint16_t rd16(const fb_reader *r, size_t pos)
{
    uint16_t v;
    memcpy(&v, r->data + pos, 2);
    return v;
}

static uint32_t rd32(const fb_reader *r, size_t pos)
{
    uint32_t v;
    memcpy(&v, r->data + pos, 4);
    return v;
}

/* 1 when [pos, pos+n) lies inside the buffer. */
static int inside(const fb_reader *r, size_t pos, size_t n)
{
    return pos <= r->size && n <= r->size - pos;
}

static fb_table table_at(fb_reader *r, size_t pos)
{
    fb_table t = {0, 0, 0, 0};
    if (r->failed) return t;
    if (!inside(r, pos, 4)) {
        fb_fail(r, GLIM_EFORMAT, "table offset %zu outside the %zu-byte file", pos, r->size);
        return t;
    }
    int32_t soff;
    memcpy(&soff, r->data + pos, 4);
    int64_t vt = (int64_t)pos - (int64_t)soff;
    if (vt < 0 || !inside(r, (size_t)vt, 4)) {
        fb_fail(r, GLIM_EFORMAT, "vtable of the table at offset %zu lies outside the file", pos);
        return t;
    }
    uint16_t vtsize = rd16(r, (size_t)vt), tsize = rd16(r, (size_t)vt + 2);
    if (vtsize < 4 || (vtsize & 1) || !inside(r, (size_t)vt, vtsize)) {
        fb_fail(r, GLIM_EFORMAT, "bad vtable (size %u) at offset %lld", vtsize, (long long)vt);
        return t;
    }
    if (tsize < 4 || !inside(r, pos, tsize)) {
        fb_fail(r, GLIM_EFORMAT, "table at offset %zu (size %u) runs past the end", pos, tsize);
        return t;
    }
    t.pos = pos;
    t.vt = (size_t)vt;
    t.vtsize = vtsize;
    t.tsize = tsize;
    return t;
}

int fb_has_identifier(const fb_reader *r, const char *id)
{
    return r->size >= 8 && memcmp(r->data + 4, id, 4) == 0;
}

fb_table fb_root(fb_reader *r)
{
    if (!inside(r, 0, 8)) {
        fb_table t = {0, 0, 0, 0};
        fb_fail(r, GLIM_EFORMAT, "file of %zu bytes is too short", r->size);
        return t;
    }
    return table_at(r, rd32(r, 0));
}

/* Position of a field of `size` bytes, or 0 when absent (or on failure). */
static size_t field(fb_reader *r, const fb_table *t, int slot, size_t size)
{
    if (r->failed || t->vtsize == 0) return 0;
    size_t voff = 4 + 2 * (size_t)slot;
    if (voff + 2 > t->vtsize) return 0;
    uint16_t off = rd16(r, t->vt + voff);
    if (off == 0) return 0;
    if ((size_t)off + size > t->tsize) {
        fb_fail(r, GLIM_EFORMAT, "field %d of the table at offset %zu lies outside it", slot,
                t->pos);
        return 0;
    }
    return t->pos + off;
}

int fb_has(fb_reader *r, const fb_table *t, int slot)
{
    return field(r, t, slot, 1) != 0;
}

uint8_t fb_u8(fb_reader *r, const fb_table *t, int slot, uint8_t def)
{
    size_t p = field(r, t, slot, 1);
    return p ? r->data[p] : def;
}

int32_t fb_i32(fb_reader *r, const fb_table *t, int slot, int32_t def)
{
    size_t p = field(r, t, slot, 4);
    if (!p) return def;
    int32_t v;
    memcpy(&v, r->data + p, 4);
    return v;
}

uint32_t fb_u32(fb_reader *r, const fb_table *t, int slot, uint32_t def)
{
    size_t p = field(r, t, slot, 4);
    return p ? rd32(r, p) : def;
}

uint64_t fb_u64(fb_reader *r, const fb_table *t, int slot, uint64_t def)
{
    size_t p = field(r, t, slot, 8);
    if (!p) return def;
    uint64_t v;
    memcpy(&v, r->data + p, 8);
    return v;
}

float fb_f32(fb_reader *r, const fb_table *t, int slot, float def)
{
    size_t p = field(r, t, slot, 4);
    if (!p) return def;
    float v;
    memcpy(&v, r->data + p, 4);
    return v;
}

/* Follow the u32 offset stored at `at`; 0 on failure. */
static size_t follow(fb_reader *r, size_t at)
{
    uint32_t off = rd32(r, at);
    if (off == 0 || (uint64_t)at + off >= r->size) {
        fb_fail(r, GLIM_EFORMAT, "offset %u at %zu points outside the %zu-byte file", off, at,
                r->size);
        return 0;
    }
    return at + off;
}

fb_table fb_subtable(fb_reader *r, const fb_table *t, int slot)
{
    fb_table none = {0, 0, 0, 0};
    size_t p = field(r, t, slot, 4);
    if (!p) return none;
    size_t target = follow(r, p);
    return target ? table_at(r, target) : none;
}

static fb_vec vector_at(fb_reader *r, size_t pos, uint32_t elem)
{
    fb_vec v = {0, 0, elem};
    if (!inside(r, pos, 4)) {
        fb_fail(r, GLIM_EFORMAT, "vector at offset %zu runs past the end", pos);
        return v;
    }
    uint32_t len = rd32(r, pos);
    if ((uint64_t)len * elem > r->size - pos - 4) {
        fb_fail(r, GLIM_EFORMAT, "vector at offset %zu claims %u elements, past the end of the "
                "%zu-byte file", pos, len, r->size);
        return v;
    }
    v.pos = pos + 4;
    v.len = len;
    return v;
}

fb_vec fb_vector(fb_reader *r, const fb_table *t, int slot, uint32_t elem)
{
    fb_vec none = {0, 0, elem};
    size_t p = field(r, t, slot, 4);
    if (!p) return none;
    size_t target = follow(r, p);
    return target ? vector_at(r, target, elem) : none;
}

const char *fb_string(fb_reader *r, const fb_table *t, int slot, uint32_t *len)
{
    fb_vec v = fb_vector(r, t, slot, 1);
    *len = v.len;
    return v.len ? (const char *)r->data + v.pos : "";
}

static int index_ok(fb_reader *r, const fb_vec *v, uint32_t i)
{
    if (r->failed) return 0;
    if (i >= v->len) {
        fb_fail(r, GLIM_EFORMAT, "index %u outside a vector of %u", i, v->len);
        return 0;
    }
    return 1;
}

fb_table fb_vec_table(fb_reader *r, const fb_vec *v, uint32_t i)
{
    fb_table none = {0, 0, 0, 0};
    if (!index_ok(r, v, i)) return none;
    size_t target = follow(r, v->pos + (size_t)i * 4);
    return target ? table_at(r, target) : none;
}

int32_t fb_vec_i32(fb_reader *r, const fb_vec *v, uint32_t i)
{
    if (!index_ok(r, v, i)) return 0;
    int32_t x;
    memcpy(&x, r->data + v->pos + (size_t)i * 4, 4);
    return x;
}

int64_t fb_vec_i64(fb_reader *r, const fb_vec *v, uint32_t i)
{
    if (!index_ok(r, v, i)) return 0;
    int64_t x;
    memcpy(&x, r->data + v->pos + (size_t)i * 8, 8);
    return x;
}

float fb_vec_f32(fb_reader *r, const fb_vec *v, uint32_t i)
{
    if (!index_ok(r, v, i)) return 0;
    float x;
    memcpy(&x, r->data + v->pos + (size_t)i * 4, 4);
    return x;
}
