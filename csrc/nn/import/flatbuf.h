/*
 * flatbuf.h — a bounds-checked reader for FlatBuffers binaries.
 *
 * Model files are untrusted, so every read here is checked against the
 * buffer: root offset, vtable position and size, field offsets inside the
 * table's inline size, vector lengths, strings and nested offsets. Reads go
 * through memcpy, so a misaligned offset is harmless.
 *
 * Errors are sticky: the first failed check records a message naming the
 * offset (prefixed by the reader's context, e.g. "tensor 31 shape") and
 * every later read returns a default. Callers check fb_ok() at points where
 * a half-read value would matter, instead of after every field.
 *
 * Layout facts (flatbuffers.dev, "Internals"): a table starts with an int32
 * soffset; vtable = table - soffset. The vtable holds u16 vtable size, u16
 * inline table size, then one u16 offset per field (0 = absent, use the
 * default). Offsets to strings, vectors and tables are u32 relative to the
 * place they are stored at. A vector is a u32 count then the elements; a
 * string is a vector of bytes followed by a NUL.
 */
#ifndef GLIMPSE_FLATBUF_H
#define GLIMPSE_FLATBUF_H

#include "../../core/core.h"

typedef struct fb_reader {
    const uint8_t *data;
    size_t size;
    int failed;
    glim_error *err;     /* receives the first failure (may be NULL) */
    const char *prefix;  /* "tflite" */
    char ctx[96];        /* what is being read, for messages */
} fb_reader;

typedef struct fb_table {
    size_t pos;          /* 0 with vtsize 0: an absent table (all defaults) */
    size_t vt;
    uint16_t vtsize, tsize;
} fb_table;

typedef struct fb_vec {
    size_t pos;          /* first element */
    uint32_t len;
    uint32_t elem;       /* element size in bytes */
} fb_vec;

void fb_init(fb_reader *r, const void *data, size_t size, const char *prefix, glim_error *err);
/* Set the context for messages (printf-style). */
void fb_ctx(fb_reader *r, const char *fmt, ...) GLIM_PRINTF(2, 3);
/* Record a failure unless one is already recorded; returns the status. */
glim_status fb_fail(fb_reader *r, glim_status code, const char *fmt, ...) GLIM_PRINTF(3, 4);
static inline int fb_ok(const fb_reader *r) { return !r->failed; }

/* The root table (u32 at offset 0). */
fb_table fb_root(fb_reader *r);
/* 1 if the file identifier (bytes 4..7) equals `id`. */
int fb_has_identifier(const fb_reader *r, const char *id);

int fb_has(fb_reader *r, const fb_table *t, int slot);
uint8_t fb_u8(fb_reader *r, const fb_table *t, int slot, uint8_t def);
int32_t fb_i32(fb_reader *r, const fb_table *t, int slot, int32_t def);
uint32_t fb_u32(fb_reader *r, const fb_table *t, int slot, uint32_t def);
uint64_t fb_u64(fb_reader *r, const fb_table *t, int slot, uint64_t def);
float fb_f32(fb_reader *r, const fb_table *t, int slot, float def);

/* A sub-table; absent gives an empty table whose reads all return defaults. */
fb_table fb_subtable(fb_reader *r, const fb_table *t, int slot);
/* A vector of `elem`-byte elements; absent gives len 0. */
fb_vec fb_vector(fb_reader *r, const fb_table *t, int slot, uint32_t elem);
/* A string as (pointer, length); absent gives ("", 0). Not NUL-checked. */
const char *fb_string(fb_reader *r, const fb_table *t, int slot, uint32_t *len);

/* Elements of a vector (index checked). */
fb_table fb_vec_table(fb_reader *r, const fb_vec *v, uint32_t i);
int32_t fb_vec_i32(fb_reader *r, const fb_vec *v, uint32_t i);
int64_t fb_vec_i64(fb_reader *r, const fb_vec *v, uint32_t i);
float fb_vec_f32(fb_reader *r, const fb_vec *v, uint32_t i);
static inline const uint8_t *fb_vec_bytes(const fb_reader *r, const fb_vec *v)
{
    return r->data + v->pos;
}

#endif
