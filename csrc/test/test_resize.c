/* test_resize.c — glim_image_resize against direct per-pixel references
 * (the separable passes, both pass orders, SIMD bodies and scalar tails
 * must all agree with the formula), exact cases, bad arguments and an
 * allocation-failure sweep. */
#include "check.h"
#include "alloc_fail.h"
#include "glimpse.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint32_t rng = 12345;
static uint8_t rnd8(void)
{
    rng = rng * 1103515245u + 12345u;
    return (uint8_t)(rng >> 16);
}

static glim_image *random_image(int w, int h, glim_pixfmt fmt)
{
    glim_image *img = NULL;
    glim_error err;
    if (glim_image_new(w, h, fmt, &img, &err) != GLIM_OK) return NULL;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w * img->channels; x++) img->data[(size_t)y * img->stride + x] = rnd8();
    return img;
}

static int px(const glim_image *img, int x, int y, int c)
{
    return glim_image_pixel(img, x, y)[c];
}

/* OpenCV INTER_LINEAR, per pixel, in double (weights not quantized, so
 * the engine may differ by the 1/2048 quantization: tolerance 1). */
static double ref_bilinear(const glim_image *s, int W, int H, int x, int y, int c)
{
    double fx = (x + 0.5) * s->width / (double)W - 0.5, fy = (y + 0.5) * s->height / (double)H - 0.5;
    int sx = (int)floor(fx), sy = (int)floor(fy);
    double ax = fx - sx, ay = fy - sy;
    if (sx < 0) sx = 0, ax = 0;
    if (sx >= s->width - 1) sx = s->width - 1, ax = 0;
    if (sy < 0) sy = 0, ay = 0;
    if (sy >= s->height - 1) sy = s->height - 1, ay = 0;
    int sx1 = sx + 1 < s->width ? sx + 1 : sx, sy1 = sy + 1 < s->height ? sy + 1 : sy;
    double top = px(s, sx, sy, c) * (1 - ax) + px(s, sx1, sy, c) * ax;
    double bot = px(s, sx, sy1, c) * (1 - ax) + px(s, sx1, sy1, c) * ax;
    return top * (1 - ay) + bot * ay;
}

/* Exact box average of the source area under destination pixel (x, y). */
static double ref_area(const glim_image *s, int W, int H, int x, int y, int c)
{
    double sxs = s->width / (double)W, sys = s->height / (double)H;
    double x0 = x * sxs, x1 = x0 + sxs, y0 = y * sys, y1 = y0 + sys, sum = 0;
    for (int j = (int)floor(y0); j < (int)ceil(y1) && j < s->height; j++) {
        double wy = fmin(j + 1, y1) - fmax(j, y0);
        for (int i = (int)floor(x0); i < (int)ceil(x1) && i < s->width; i++) {
            double wx = fmin(i + 1, x1) - fmax(i, x0);
            sum += wx * wy * px(s, i, j, c);
        }
    }
    return sum / (sxs * sys);
}

static int max_diff(const glim_image *src, const glim_image *out,
                    double (*ref)(const glim_image *, int, int, int, int, int))
{
    int worst = 0;
    for (int y = 0; y < out->height; y++)
        for (int x = 0; x < out->width; x++)
            for (int c = 0; c < out->channels; c++) {
                int r = (int)floor(ref(src, out->width, out->height, x, y, c) + 0.5);
                int d = abs(r - px(out, x, y, c));
                if (d > worst) worst = d;
            }
    return worst;
}

static const int sizes[][4] = {
    {37, 23, 11, 7}, {64, 48, 224, 224}, {301, 17, 19, 3}, {5, 5, 33, 2}, {1, 1, 9, 4},
    {100, 60, 50, 30}, {97, 113, 41, 200}, {640, 480, 224, 224}, {13, 1, 3, 1}, {3, 250, 17, 9},
};

static void test_bilinear_matches_formula(void)
{
    glim_pixfmt fmts[] = {GLIM_FMT_GRAY8, GLIM_FMT_RGB8, GLIM_FMT_RGBA8};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (int f = 0; f < 3; f++) {
            glim_image *src = random_image(sizes[i][0], sizes[i][1], fmts[f]), *out = NULL;
            glim_error err;
            CHECK_OK(glim_image_resize(src, sizes[i][2], sizes[i][3], GLIM_FILTER_BILINEAR, &out, &err), err);
            CHECK(out && out->width == sizes[i][2] && out->height == sizes[i][3]);
            CHECK(out->format == src->format);
            if (out) CHECK(max_diff(src, out, ref_bilinear) <= 1);
            glim_image_free(src);
            glim_image_free(out);
        }
}

static void test_area_shrink_is_box_average(void)
{
    glim_pixfmt fmts[] = {GLIM_FMT_GRAY8, GLIM_FMT_RGB8, GLIM_FMT_RGBA8};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        if (sizes[i][2] > sizes[i][0] || sizes[i][3] > sizes[i][1]) continue;
        for (int f = 0; f < 3; f++) {
            glim_image *src = random_image(sizes[i][0], sizes[i][1], fmts[f]), *out = NULL;
            glim_error err;
            CHECK_OK(glim_image_resize(src, sizes[i][2], sizes[i][3], GLIM_FILTER_AREA, &out, &err), err);
            if (out) CHECK(max_diff(src, out, ref_area) <= 1);
            glim_image_free(src);
            glim_image_free(out);
        }
    }
}

static void test_nearest_picks_floor_index(void)
{
    glim_image *src = random_image(31, 17, GLIM_FMT_RGB8), *out = NULL;
    glim_error err;
    CHECK_OK(glim_image_resize(src, 70, 9, GLIM_FILTER_NEAREST, &out, &err), err);
    int bad = 0;
    for (int y = 0; y < 9; y++)
        for (int x = 0; x < 70; x++) {
            int sx = (int)floor(x * (31.0 / 70.0)), sy = (int)floor(y * (17.0 / 9.0));
            if (memcmp(glim_image_pixel(out, x, y), glim_image_pixel(src, sx, sy), 3) != 0) bad++;
        }
    CHECK(bad == 0);
    glim_image_free(src);
    glim_image_free(out);
}

/* A flat image stays flat under every filter, growing or shrinking; the
 * same size is an exact copy. */
static void test_constant_and_identity(void)
{
    glim_error err;
    glim_image *flat = NULL;
    CHECK_OK(glim_image_new(45, 29, GLIM_FMT_RGB8, &flat, &err), err);
    memset(flat->data, 77, flat->stride * flat->height);
    for (int f = 0; f < GLIM_FILTER_COUNT; f++) {
        int dims[][2] = {{13, 7}, {90, 61}, {45, 29}, {1, 1}, {200, 3}};
        for (int d = 0; d < 5; d++) {
            glim_image *out = NULL;
            CHECK_OK(glim_image_resize(flat, dims[d][0], dims[d][1], (glim_filter)f, &out, &err), err);
            int bad = 0;
            for (int y = 0; out && y < out->height; y++)
                for (int x = 0; x < out->width * 3; x++) bad += out->data[(size_t)y * out->stride + x] != 77;
            CHECK(bad == 0);
            glim_image_free(out);
        }
    }
    glim_image_free(flat);
    glim_image *src = random_image(33, 21, GLIM_FMT_RGBA8), *out = NULL;
    for (int f = 0; f < GLIM_FILTER_COUNT; f++) {
        CHECK_OK(glim_image_resize(src, 33, 21, (glim_filter)f, &out, &err), err);
        CHECK(out && memcmp(out->data, src->data, src->stride * 21) == 0);
        glim_image_free(out);
    }
    glim_image_free(src);
}

/* Hand-computed OpenCV values: a 2-pixel row [0, 100] grown to 4 is
 * [0, 25, 75, 100]; [0, 10, 20, 30] shrunk to 2 by area is [5, 25]. */
static void test_known_values(void)
{
    glim_error err;
    glim_image *a = NULL, *out = NULL;
    CHECK_OK(glim_image_new(2, 1, GLIM_FMT_GRAY8, &a, &err), err);
    a->data[0] = 0;
    a->data[1] = 100;
    CHECK_OK(glim_image_resize(a, 4, 1, GLIM_FILTER_BILINEAR, &out, &err), err);
    CHECK(out->data[0] == 0 && out->data[1] == 25 && out->data[2] == 75 && out->data[3] == 100);
    glim_image_free(out);
    glim_image_free(a);
    CHECK_OK(glim_image_new(4, 1, GLIM_FMT_GRAY8, &a, &err), err);
    for (int i = 0; i < 4; i++) a->data[i] = (uint8_t)(10 * i);
    CHECK_OK(glim_image_resize(a, 2, 1, GLIM_FILTER_AREA, &out, &err), err);
    CHECK(out->data[0] == 5 && out->data[1] == 25);
    glim_image_free(out);
    glim_image_free(a);
}

static void test_bad_arguments(void)
{
    glim_error err;
    glim_image *src = random_image(8, 8, GLIM_FMT_RGB8), *out = (glim_image *)1;
    CHECK(glim_image_resize(src, 0, 5, GLIM_FILTER_AREA, &out, &err) == GLIM_EINVAL);
    CHECK(out == NULL);
    CHECK(strstr(err.msg, "resize: invalid size") != NULL);
    CHECK(glim_image_resize(src, 5, -3, GLIM_FILTER_AREA, &out, &err) == GLIM_EINVAL);
    CHECK(glim_image_resize(src, 70000, 5, GLIM_FILTER_AREA, &out, &err) == GLIM_EINVAL);
    CHECK(glim_image_resize(src, 5, 5, (glim_filter)99, &out, &err) == GLIM_EINVAL);
    CHECK(strstr(err.msg, "unknown filter") != NULL);
    CHECK(glim_image_resize(NULL, 5, 5, GLIM_FILTER_AREA, &out, &err) == GLIM_EINVAL);
    glim_filter f;
    CHECK(glim_filter_parse("lanczos", &f) == 0 && f == GLIM_FILTER_LANCZOS);
    CHECK(glim_filter_parse("cubic", &f) == -1);
    glim_image_free(src);
}

/* Many random small shapes: the SIMD bodies, their right-edge tails and
 * both pass orders against the per-pixel formulas. */
static void test_random_shapes(void)
{
    glim_pixfmt fmts[] = {GLIM_FMT_GRAY8, GLIM_FMT_RGB8, GLIM_FMT_RGBA8};
    int bad = 0;
    for (int i = 0; i < 300; i++) {
        int sw = 1 + rnd8() % 40, sh = 1 + rnd8() % 40, dw = 1 + rnd8() % 50, dh = 1 + rnd8() % 50;
        glim_image *src = random_image(sw, sh, fmts[i % 3]), *out = NULL;
        glim_error err;
        CHECK_OK(glim_image_resize(src, dw, dh, GLIM_FILTER_BILINEAR, &out, &err), err);
        if (out && max_diff(src, out, ref_bilinear) > 1) bad++;
        glim_image_free(out);
        if (dw <= sw && dh <= sh) {
            CHECK_OK(glim_image_resize(src, dw, dh, GLIM_FILTER_AREA, &out, &err), err);
            if (out && max_diff(src, out, ref_area) > 1) bad++;
            glim_image_free(out);
        }
        glim_image_free(src);
    }
    CHECK(bad == 0);
}

/* A source whose rows are padded (stride > width * channels) resizes like
 * the same pixels packed. */
static void test_padded_stride(void)
{
    glim_error err;
    glim_image *wide = random_image(50, 20, GLIM_FMT_RGB8), *packed = NULL;
    CHECK_OK(glim_image_crop(wide, 0, 0, 37, 20, &packed, &err), err);
    wide->width = 37; /* same rows, 13 pixels of padding each */
    for (int f = 0; f < GLIM_FILTER_COUNT; f++) {
        glim_image *a = NULL, *b = NULL;
        CHECK_OK(glim_image_resize(wide, 23, 31, (glim_filter)f, &a, &err), err);
        CHECK_OK(glim_image_resize(packed, 23, 31, (glim_filter)f, &b, &err), err);
        CHECK(a && b && memcmp(a->data, b->data, (size_t)23 * 31 * 3) == 0);
        glim_image_free(a);
        glim_image_free(b);
    }
    wide->width = 50;
    glim_image_free(wide);
    glim_image_free(packed);
}

/* Allocation-failure sweep: fail the Nth allocation for every N until the
 * call succeeds; each failure must report ENOMEM and free what it took. */
/* failing_alloc, counting_free, fail_at, alloc_count, live: alloc_fail.h */

static void test_allocation_failures(void)
{
    glim_image *src = random_image(40, 30, GLIM_FMT_RGB8);
    glim_allocator a = {failing_alloc, counting_free, NULL};
    for (int f = 0; f < GLIM_FILTER_COUNT; f++) {
        for (fail_at = 0; fail_at < 100; fail_at++) {
            glim_image *out = NULL;
            glim_error err;
            alloc_count = 0;
            live = 0;
            glim_set_allocator(&a);
            glim_status st = glim_image_resize(src, 17, 45, (glim_filter)f, &out, &err);
            glim_image_free(out);
            glim_set_allocator(NULL);
            CHECK(live == 0);
            if (st == GLIM_OK) break;
            CHECK(st == GLIM_ENOMEM && out == NULL);
        }
        CHECK(fail_at < 100);
    }
    glim_image_free(src);
}

int main(void)
{
    RUN(test_bilinear_matches_formula);
    RUN(test_area_shrink_is_box_average);
    RUN(test_nearest_picks_floor_index);
    RUN(test_constant_and_identity);
    RUN(test_known_values);
    RUN(test_random_shapes);
    RUN(test_padded_stride);
    RUN(test_bad_arguments);
    RUN(test_allocation_failures);
    return check_done();
}
