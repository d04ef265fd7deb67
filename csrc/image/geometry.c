/*
 * geometry.c — crop, flip, rotate and letterbox.
 *
 * Rotation is counter-clockwise for positive angles and follows Pillow's
 * Image.rotate with BILINEAR (canvas size, sampling, fill). With y
 * pointing down, a destination pixel centre at (dx, dy) from the output
 * centre samples the source at (dx cos t - dy sin t, dx sin t + dy cos t)
 * from the input centre. Quarter turns never go through that formula: they
 * are index remaps, so they are exact and reversible.
 */
#include "process.h"

#include <math.h>
#include <string.h>

#if defined(__SSE4_1__) && defined(__FMA__)
#include <immintrin.h>
#define GEOMETRY_SIMD 1

/* A 3- or 4-byte pixel as 4 floats. Reads 4 bytes (one past an RGB
 * pixel) except at the very end of the buffer, where it assembles 3. */
static inline __m128 px_load(const uint8_t *p, const uint8_t *end)
{
    uint32_t v;
    if (p + 4 <= end)
        memcpy(&v, p, 4);
    else
        v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
    return _mm_cvtepi32_ps(_mm_cvtepu8_epi32(_mm_cvtsi32_si128((int)v)));
}
#endif


static glim_status check_src(const glim_image *src, glim_image **out, const char *stage,
                             glim_error *err)
{
    if (out) *out = NULL;
    if (!src || !src->data || !out)
        return glim_fail(err, GLIM_EINVAL, "%s: missing image or output", stage);
    return GLIM_OK;
}

glim_status glim_image_crop(const glim_image *src, int x, int y, int w, int h,
                            glim_image **out, glim_error *err)
{
    glim_status st = check_src(src, out, "crop", err);
    if (st != GLIM_OK) return st;
    if (w < 1 || h < 1)
        return glim_fail(err, GLIM_EINVAL, "crop: invalid size %dx%d", w, h);
    /* Clip in 64 bits: x + w may overflow int. */
    int64_t x0 = x < 0 ? 0 : x, y0 = y < 0 ? 0 : y;
    int64_t x1 = (int64_t)x + w, y1 = (int64_t)y + h;
    if (x1 > src->width) x1 = src->width;
    if (y1 > src->height) y1 = src->height;
    if (x1 <= x0 || y1 <= y0)
        return glim_fail(err, GLIM_EINVAL,
                         "crop: rectangle (%d, %d, %d, %d) lies outside the %dx%d image", x, y,
                         w, h, src->width, src->height);
    glim_image *dst;
    st = glim_image_new((int)(x1 - x0), (int)(y1 - y0), src->format, &dst, err);
    if (st != GLIM_OK) return st;
    size_t row = (size_t)dst->width * src->channels;
    for (int r = 0; r < dst->height; r++)
        memcpy(dst->data + (size_t)r * dst->stride, glim_image_pixel(src, (int)x0, (int)y0 + r),
               row);
    *out = dst;
    return GLIM_OK;
}

static void mirror_row(const uint8_t *s, uint8_t *d, int w, int c)
{
    switch (c) {
    case 1:
        for (int x = 0; x < w; x++) d[x] = s[w - 1 - x];
        break;
    case 3:
        for (int x = 0; x < w; x++) {
            const uint8_t *p = s + (size_t)(w - 1 - x) * 3;
            d[3 * x] = p[0];
            d[3 * x + 1] = p[1];
            d[3 * x + 2] = p[2];
        }
        break;
    default:
        for (int x = 0; x < w; x++) memcpy(d + (size_t)x * c, s + (size_t)(w - 1 - x) * c, (size_t)c);
    }
}

glim_status glim_image_flip(const glim_image *src, glim_flip how, glim_image **out,
                            glim_error *err)
{
    glim_status st = check_src(src, out, "flip", err);
    if (st != GLIM_OK) return st;
    if ((unsigned)how > GLIM_FLIP_BOTH)
        return glim_fail(err, GLIM_EINVAL, "flip: unknown direction %d", (int)how);
    glim_image *dst;
    st = glim_image_new(src->width, src->height, src->format, &dst, err);
    if (st != GLIM_OK) return st;
    size_t row = (size_t)src->width * src->channels;
    for (int y = 0; y < src->height; y++) {
        int sy = how == GLIM_FLIP_HORIZONTAL ? y : src->height - 1 - y;
        const uint8_t *s = src->data + (size_t)sy * src->stride;
        uint8_t *d = dst->data + (size_t)y * dst->stride;
        if (how == GLIM_FLIP_VERTICAL)
            memcpy(d, s, row);
        else
            mirror_row(s, d, src->width, src->channels);
    }
    *out = dst;
    return GLIM_OK;
}

/* Quarter-turn remap, inlined per channel count (a constant count makes
 * the copy several times faster than a loop over c). */
static inline __attribute__((always_inline)) void quarter_rows(const glim_image *src,
                                                               glim_image *dst, int turns, int c)
{
    int w = src->width, h = src->height;
    for (int y = 0; y < dst->height; y++) {
        uint8_t *d = dst->data + (size_t)y * dst->stride;
        for (int x = 0; x < dst->width; x++) {
            /* 90: dst(x, y) = src(w-1-y, x); 270: dst(x, y) = src(y, h-1-x) */
            const uint8_t *p = turns == 1 ? glim_image_pixel(src, w - 1 - y, x)
                                          : glim_image_pixel(src, y, h - 1 - x);
            for (int k = 0; k < c; k++) d[(size_t)x * c + k] = p[k];
        }
    }
}

/* Quarter turns counter-clockwise (1 = 90, 3 = 270), as index remaps. */
static glim_status rotate_quarter(const glim_image *src, int turns, glim_image **out,
                                  glim_error *err)
{
    if (turns == 0) return glim_image_clone(src, out, err);
    if (turns == 2) return glim_image_flip(src, GLIM_FLIP_BOTH, out, err);
    int w = src->width, h = src->height, c = src->channels;
    glim_image *dst;
    glim_status st = glim_image_new(h, w, src->format, &dst, err);
    if (st != GLIM_OK) return st;
    switch (c) {
    case 1: quarter_rows(src, dst, turns, 1); break;
    case 3: quarter_rows(src, dst, turns, 3); break;
    default: quarter_rows(src, dst, turns, c); break;
    }
    *out = dst;
    return GLIM_OK;
}

/* Rotate about the centre keeping the canvas size: a quarter turn of a
 * non-square image through the exact remap, then centred on the canvas. */
static glim_status paste_centred(const glim_image *src, int w, int h, const uint8_t *fill,
                                 glim_image **out, glim_error *err)
{
    glim_image *dst;
    glim_status st = glim_image_new(w, h, src->format, &dst, err);
    if (st != GLIM_OK) return st;
    int c = src->channels;
    /* One row of fill, then copied to every row. */
    for (int x = 0; x < w; x++) memcpy(glim_image_pixel(dst, x, 0), fill, (size_t)c);
    for (int y = 1; y < h; y++)
        memcpy(dst->data + (size_t)y * dst->stride, dst->data, (size_t)w * c);
    int ox = (w - src->width) / 2, oy = (h - src->height) / 2;
    for (int y = 0; y < src->height; y++) {
        int dy = y + oy;
        if (dy < 0 || dy >= h) continue;
        int sx0 = ox < 0 ? -ox : 0, dx0 = ox < 0 ? 0 : ox;
        int n = src->width - sx0;
        if (n > w - dx0) n = w - dx0;
        if (n > 0)
            memcpy(glim_image_pixel(dst, dx0, dy), glim_image_pixel(src, sx0, y), (size_t)n * c);
    }
    *out = dst;
    return GLIM_OK;
}

/* One output row of an arbitrary-angle rotation; inlined per channel
 * count so the channel loops unroll. */
static inline __attribute__((always_inline)) void
rotate_row(const glim_image *src, uint8_t *d, int nw, double dcx, double dy, double scx,
           double scy, double cs, double sn, const uint8_t *bg, int c)
{
    int w = src->width, h = src->height;
    const uint8_t *base = src->data;
    size_t stride = src->stride;
    for (int x = 0; x < nw; x++) {
        double dx = x + 0.5 - dcx;
        /* Continuous source position (pixel k covers [k, k+1)). A point
         * outside the image takes the fill; inside, neighbours past the
         * edge repeat the edge pixel (as Pillow does). */
        double cxs = dx * cs - dy * sn + scx, cys = dx * sn + dy * cs + scy;
        uint8_t *o = d + (size_t)x * c;
        if (!(cxs >= 0 && cxs < w && cys >= 0 && cys < h)) {
            for (int k = 0; k < c; k++) o[k] = bg[k];
            continue;
        }
        double sx = cxs - 0.5, sy = cys - 0.5;
        int x0 = (int)floor(sx), y0 = (int)floor(sy);
        float ax = (float)(sx - x0), ay = (float)(sy - y0);
        int xa = x0 < 0 ? 0 : x0, xb = x0 + 1 < w ? x0 + 1 : w - 1;
        int ya = y0 < 0 ? 0 : y0, yb = y0 + 1 < h ? y0 + 1 : h - 1;
        const uint8_t *ra = base + (size_t)ya * stride, *rb = base + (size_t)yb * stride;
        const uint8_t *p00 = ra + (size_t)xa * c, *p10 = ra + (size_t)xb * c;
        const uint8_t *p01 = rb + (size_t)xa * c, *p11 = rb + (size_t)xb * c;
#ifdef GEOMETRY_SIMD
        if (c == 3 || c == 4) {
            const uint8_t *end = base + (size_t)(h - 1) * stride + (size_t)w * c;
            __m128 a = px_load(p00, end), b = px_load(p10, end);
            __m128 e = px_load(p01, end), f = px_load(p11, end);
            __m128 vax = _mm_set1_ps(ax);
            __m128 top = _mm_fmadd_ps(_mm_sub_ps(b, a), vax, a);
            __m128 bot = _mm_fmadd_ps(_mm_sub_ps(f, e), vax, e);
            __m128 v = _mm_fmadd_ps(_mm_sub_ps(bot, top), _mm_set1_ps(ay), top);
            __m128i iv = _mm_cvttps_epi32(_mm_add_ps(v, _mm_set1_ps(0.5f)));
            iv = _mm_packus_epi16(_mm_packus_epi32(iv, iv), iv);
            uint32_t bytes = (uint32_t)_mm_cvtsi128_si32(iv);
            if (c == 4) {
                memcpy(o, &bytes, 4);
            } else {
                o[0] = (uint8_t)bytes;
                o[1] = (uint8_t)(bytes >> 8);
                o[2] = (uint8_t)(bytes >> 16);
            }
            continue;
        }
#endif
        for (int k = 0; k < c; k++) {
            float top = p00[k] + (p10[k] - p00[k]) * ax;
            float bot = p01[k] + (p11[k] - p01[k]) * ax;
            float v = top + (bot - top) * ay + 0.5f;
            o[k] = (uint8_t)(v < 0.f ? 0 : v > 255.f ? 255 : (int)v);
        }
    }
}

glim_status glim_image_rotate(const glim_image *src, double degrees, int expand,
                              const uint8_t *fill, glim_image **out, glim_error *err)
{
    glim_status st = check_src(src, out, "rotate", err);
    if (st != GLIM_OK) return st;
    if (!isfinite(degrees))
        return glim_fail(err, GLIM_EINVAL, "rotate: angle is not a finite number");
    uint8_t bg[4] = {0, 0, 0, 0};
    if (fill) memcpy(bg, fill, (size_t)src->channels);

    double turns = fmod(degrees, 360.0);
    if (turns < 0) turns += 360.0;
    if (fmod(turns, 90.0) == 0.0) {
        int q = (int)(turns / 90.0) % 4;
        if (expand || q == 0 || q == 2 || src->width == src->height)
            return rotate_quarter(src, q, out, err);
        glim_image *tmp;
        st = rotate_quarter(src, q, &tmp, err);
        if (st != GLIM_OK) return st;
        st = paste_centred(tmp, src->width, src->height, bg, out, err);
        glim_image_free(tmp);
        return st;
    }

    double rad = turns * M_PI / 180.0, cs = cos(rad), sn = sin(rad);
    int w = src->width, h = src->height, c = src->channels;
    int nw = w, nh = h;
    /* Pillow rounds the matrix to 15 decimals; so do we, to share its
     * canvas sizes and samples. */
    cs = nearbyint(cs * 1e15) / 1e15;
    sn = nearbyint(sn * 1e15) / 1e15;
    if (expand) {
        /* The rotated corners span centre +- half the bounding box; the
         * canvas runs from the floor of the lowest to the ceiling of the
         * highest (Pillow's rule, so sizes match it). */
        double bw = fabs(w * cs) + fabs(h * sn), bh = fabs(w * sn) + fabs(h * cs);
        if (bw > GLIM_IMAGE_MAX_SIDE - 2 || bh > GLIM_IMAGE_MAX_SIDE - 2)
            return glim_fail(err, GLIM_ELIMIT, "rotate: the expanded canvas exceeds %d pixels",
                             GLIM_IMAGE_MAX_SIDE);
        nw = (int)(ceil(w / 2.0 + bw / 2) - floor(w / 2.0 - bw / 2));
        nh = (int)(ceil(h / 2.0 + bh / 2) - floor(h / 2.0 - bh / 2));
    }
    glim_image *dst;
    st = glim_image_new(nw, nh, src->format, &dst, err);
    if (st != GLIM_OK) return st;
    double scx = w / 2.0, scy = h / 2.0, dcx = nw / 2.0, dcy = nh / 2.0;
    for (int y = 0; y < nh; y++) {
        uint8_t *d = dst->data + (size_t)y * dst->stride;
        double dy = y + 0.5 - dcy;
        switch (c) {
        case 1: rotate_row(src, d, nw, dcx, dy, scx, scy, cs, sn, bg, 1); break;
        case 3: rotate_row(src, d, nw, dcx, dy, scx, scy, cs, sn, bg, 3); break;
        default: rotate_row(src, d, nw, dcx, dy, scx, scy, cs, sn, bg, c); break;
        }
    }
    *out = dst;
    return GLIM_OK;
}

glim_status glim_image_letterbox(const glim_image *src, int width, int height,
                                 glim_filter filter, const uint8_t *fill, glim_image **out,
                                 glim_letterbox *info, glim_error *err)
{
    glim_status st = check_src(src, out, "letterbox", err);
    if (st != GLIM_OK) return st;
    if (width <= 0 || height <= 0 || width > GLIM_IMAGE_MAX_SIDE || height > GLIM_IMAGE_MAX_SIDE)
        return glim_fail(err, GLIM_EINVAL, "letterbox: invalid size %dx%d (each side 1..%d)",
                         width, height, GLIM_IMAGE_MAX_SIDE);
    double scale = fmin((double)width / src->width, (double)height / src->height);
    int cw = (int)lround(src->width * scale), ch = (int)lround(src->height * scale);
    if (cw < 1) cw = 1;
    if (ch < 1) ch = 1;
    if (cw > width) cw = width;
    if (ch > height) ch = height;
    glim_image *content;
    st = glim_image_resize(src, cw, ch, filter, &content, err);
    if (st != GLIM_OK) return st;
    uint8_t bg[4] = {114, 114, 114, 255};
    if (fill) memcpy(bg, fill, (size_t)src->channels);
    st = paste_centred(content, width, height, bg, out, err);
    glim_image_free(content);
    if (st != GLIM_OK) return st;
    if (info) {
        info->scale = scale;
        info->offset_x = (width - cw) / 2;
        info->offset_y = (height - ch) / 2;
        info->width = cw;
        info->height = ch;
    }
    return GLIM_OK;
}
