/*
 * color.c — conversion between the pixel formats.
 *
 * Gray from colour follows OpenCV 4's cvtColor for 8-bit images: weights
 * 0.299/0.587/0.114 as 15-bit integers (9798, 19235, 3735; they sum to
 * 1 << 15) and round-half-up. This matches it on all 2^24 colours.
 */
#include "process.h"

#include <string.h>

enum { R2Y = 9798, G2Y = 19235, B2Y = 3735, YSHIFT = 15 };

static inline uint8_t gray_of(int r, int g, int b)
{
    return (uint8_t)((r * R2Y + g * G2Y + b * B2Y + (1 << (YSHIFT - 1))) >> YSHIFT);
}

/* Channel positions of red and blue in a 3/4-channel format. */
static void rb_index(glim_pixfmt f, int *ri, int *bi)
{
    *ri = f == GLIM_FMT_BGR8 ? 2 : 0;
    *bi = f == GLIM_FMT_BGR8 ? 0 : 2;
}

/* The common case, packed RGB to gray, as a loop GCC vectorises (its
 * stride-3 loads become shuffles) when allowed to. */
__attribute__((optimize("tree-vectorize"))) static void rgb_to_gray_row(const uint8_t *restrict s,
                                                                         uint8_t *restrict d, int w)
{
    for (int x = 0; x < w; x++)
        d[x] = (uint8_t)((s[3 * x] * R2Y + s[3 * x + 1] * G2Y + s[3 * x + 2] * B2Y +
                          (1 << (YSHIFT - 1))) >> YSHIFT);
}

static void convert_row(const uint8_t *s, glim_pixfmt sf, int sc, uint8_t *d, glim_pixfmt df,
                        int dc, int w)
{
    if (df == GLIM_FMT_GRAY8) {
        if (sf == GLIM_FMT_RGB8) {
            rgb_to_gray_row(s, d, w);
            return;
        }
        int ri, bi;
        rb_index(sf, &ri, &bi);
        for (int x = 0; x < w; x++, s += sc) d[x] = gray_of(s[ri], s[1], s[bi]);
        return;
    }
    if (sf == GLIM_FMT_GRAY8) {
        for (int x = 0; x < w; x++, d += dc) {
            d[0] = d[1] = d[2] = s[x];
            if (dc == 4) d[3] = 255;
        }
        return;
    }
    int sri, sbi, dri, dbi;
    rb_index(sf, &sri, &sbi);
    rb_index(df, &dri, &dbi);
    for (int x = 0; x < w; x++, s += sc, d += dc) {
        uint8_t r = s[sri], g = s[1], b = s[sbi];
        d[dri] = r;
        d[1] = g;
        d[dbi] = b;
        if (dc == 4) d[3] = sc == 4 ? s[3] : 255;
    }
}

glim_status glim_image_convert(const glim_image *src, glim_pixfmt format, glim_image **out,
                               glim_error *err)
{
    if (out) *out = NULL;
    if (!src || !src->data || !out)
        return glim_fail(err, GLIM_EINVAL, "convert: missing image or output");
    if ((unsigned)format >= GLIM_FMT_COUNT)
        return glim_fail(err, GLIM_EINVAL, "convert: unknown pixel format %d", (int)format);
    if (format == src->format) return glim_image_clone(src, out, err);
    glim_image *dst;
    glim_status st = glim_image_new(src->width, src->height, format, &dst, err);
    if (st != GLIM_OK) return st;
    for (int y = 0; y < src->height; y++)
        convert_row(src->data + (size_t)y * src->stride, src->format, src->channels,
                    dst->data + (size_t)y * dst->stride, format, dst->channels, src->width);
    *out = dst;
    return GLIM_OK;
}
