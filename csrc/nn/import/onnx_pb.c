/*
 * onnx_pb.c — the protobuf wire format, read with every length checked
 * against the bytes that remain. Encoding facts (protobuf's "Encoding"
 * guide): a field is a varint tag (field number << 3 | wire type) followed
 * by a varint (type 0), 8 bytes (1), a varint length and that many bytes
 * (2), or 4 bytes (5); groups (3, 4) are obsolete and rejected. A repeated
 * scalar field may come packed (one type-2 payload of back-to-back values)
 * or as one tagged element per value.
 */
#include "onnx_internal.h"

#include <string.h>

int pb_varint(pb_cursor *c, uint64_t *v)
{
    uint64_t r = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (c->p >= c->end) return 0;
        uint8_t b = *c->p++;
        if (shift == 63 && (b & 0x7e)) return 0; /* more than 64 bits */
        r |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = r;
            return 1;
        }
    }
    return 0;
}

int pb_next(pb_cursor *c, uint32_t *field, uint32_t *wire)
{
    *field = 0;
    if (c->p >= c->end) return 0;
    uint64_t tag;
    if (!pb_varint(c, &tag)) return -1;
    uint64_t f = tag >> 3;
    uint32_t w = (uint32_t)(tag & 7);
    if (f == 0 || f > 0x1fffffff || (w != PB_VARINT && w != PB_I64 && w != PB_LEN && w != PB_I32))
        return -1;
    *field = (uint32_t)f;
    *wire = w;
    return 1;
}

int pb_len(pb_cursor *c, pb_cursor *sub)
{
    uint64_t n;
    if (!pb_varint(c, &n)) return 0;
    if (n > (uint64_t)(c->end - c->p)) return 0;
    sub->p = c->p;
    sub->end = c->p + n;
    c->p += n;
    return 1;
}

int pb_fixed32(pb_cursor *c, uint32_t *v)
{
    if (c->end - c->p < 4) return 0;
    *v = (uint32_t)c->p[0] | (uint32_t)c->p[1] << 8 | (uint32_t)c->p[2] << 16 |
         (uint32_t)c->p[3] << 24;
    c->p += 4;
    return 1;
}

int pb_fixed64(pb_cursor *c, uint64_t *v)
{
    uint32_t lo, hi;
    if (!pb_fixed32(c, &lo) || !pb_fixed32(c, &hi)) return 0;
    *v = (uint64_t)hi << 32 | lo;
    return 1;
}

int pb_skip(pb_cursor *c, uint32_t wire)
{
    uint64_t v;
    pb_cursor sub;
    switch (wire) {
    case PB_VARINT: return pb_varint(c, &v);
    case PB_I64: return pb_fixed64(c, &v);
    case PB_I32: { uint32_t w; return pb_fixed32(c, &w); }
    case PB_LEN: return pb_len(c, &sub);
    default: return 0;
    }
}

int pb_packed_count(const pb_cursor *payload, uint32_t elem_wire, size_t *n)
{
    size_t len = (size_t)(payload->end - payload->p);
    if (elem_wire == PB_I32) {
        if (len % 4) return 0;
        *n = len / 4;
        return 1;
    }
    if (elem_wire == PB_I64) {
        if (len % 8) return 0;
        *n = len / 8;
        return 1;
    }
    /* varints: every byte without the continuation bit ends one value */
    size_t k = 0;
    for (size_t i = 0; i < len; i++)
        if (!(payload->p[i] & 0x80)) k++;
    if (len && (payload->p[len - 1] & 0x80)) return 0;
    *n = k;
    return 1;
}
