/* base64.c — RFC 4648 base64 (standard alphabet, padded), used for image
 * data URLs. Decoding is strict: no white space, correct padding. */
#include "http.h"

#include <string.h>

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t glim_base64_encoded_size(size_t len)
{
    if (len > (SIZE_MAX - 3) / 4 * 3) return 0;
    return (len + 2) / 3 * 4;
}

void glim_base64_encode(const void *src, size_t len, char *dst)
{
    const unsigned char *s = src;
    size_t i = 0, o = 0;
    for (; i + 3 <= len; i += 3) {
        unsigned v = (unsigned)s[i] << 16 | (unsigned)s[i + 1] << 8 | s[i + 2];
        dst[o++] = alphabet[v >> 18];
        dst[o++] = alphabet[(v >> 12) & 63];
        dst[o++] = alphabet[(v >> 6) & 63];
        dst[o++] = alphabet[v & 63];
    }
    if (i < len) {
        unsigned v = (unsigned)s[i] << 16 | (i + 1 < len ? (unsigned)s[i + 1] << 8 : 0u);
        dst[o++] = alphabet[v >> 18];
        dst[o++] = alphabet[(v >> 12) & 63];
        dst[o++] = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
        dst[o++] = '=';
    }
}

static int value_of(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

glim_status glim_base64_decode(const char *src, size_t len, void *dst, size_t *out_len,
                               glim_error *err)
{
    unsigned char *d = dst;
    if (len % 4 != 0)
        return glim_fail(err, GLIM_EFORMAT, "base64: length %zu is not a multiple of 4", len);
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        int v[4], pad = 0;
        for (int k = 0; k < 4; k++) {
            unsigned char c = (unsigned char)src[i + k];
            if (c == '=' && i + 4 == len && k >= 2) {
                v[k] = 0;
                pad++;
                continue;
            }
            if (pad) return glim_fail(err, GLIM_EFORMAT, "base64: data after padding");
            v[k] = value_of(c);
            if (v[k] < 0)
                return glim_fail(err, GLIM_EFORMAT, "base64: invalid character at offset %zu",
                                 i + k);
        }
        if (pad == 1 && src[i + 2] == '=')
            return glim_fail(err, GLIM_EFORMAT, "base64: misplaced padding");
        unsigned x = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 | (unsigned)v[3];
        d[o++] = (unsigned char)(x >> 16);
        if (pad < 2) d[o++] = (unsigned char)(x >> 8);
        if (pad < 1) d[o++] = (unsigned char)x;
    }
    *out_len = o;
    return GLIM_OK;
}
