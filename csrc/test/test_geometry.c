/* test_geometry.c — crop, flip, rotate and letterbox. */
#include "check.h"
#include "alloc_fail.h"
#include "glimpse.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Pixel (x, y) of a w x h RGB test image holds (x, y, x ^ y). */
static glim_image *coords_image(int w, int h)
{
    glim_image *img = NULL;
    glim_error err;
    if (glim_image_new(w, h, GLIM_FMT_RGB8, &img, &err) != GLIM_OK) return NULL;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = glim_image_pixel(img, x, y);
            p[0] = (uint8_t)x;
            p[1] = (uint8_t)y;
            p[2] = (uint8_t)(x ^ y);
        }
    return img;
}

static int is_pixel(const glim_image *img, int x, int y, int sx, int sy)
{
    const uint8_t *p = glim_image_pixel(img, x, y);
    return p[0] == (uint8_t)sx && p[1] == (uint8_t)sy && p[2] == (uint8_t)(sx ^ sy);
}

static int same(const glim_image *a, const glim_image *b)
{
    if (a->width != b->width || a->height != b->height || a->format != b->format) return 0;
    for (int y = 0; y < a->height; y++)
        if (memcmp(a->data + (size_t)y * a->stride, b->data + (size_t)y * b->stride,
                   (size_t)a->width * a->channels) != 0)
            return 0;
    return 1;
}

static void test_crop_and_clip(void)
{
    glim_error err;
    glim_image *img = coords_image(20, 10), *out = NULL;
    CHECK_OK(glim_image_crop(img, 3, 2, 5, 4, &out, &err), err);
    CHECK(out->width == 5 && out->height == 4);
    CHECK(is_pixel(out, 0, 0, 3, 2) && is_pixel(out, 4, 3, 7, 5));
    glim_image_free(out);
    CHECK_OK(glim_image_crop(img, -4, 7, 10, 10, &out, &err), err); /* clipped */
    CHECK(out->width == 6 && out->height == 3);
    CHECK(is_pixel(out, 0, 0, 0, 7) && is_pixel(out, 5, 2, 5, 9));
    glim_image_free(out);
    CHECK(glim_image_crop(img, 20, 0, 3, 3, &out, &err) == GLIM_EINVAL);
    CHECK(strstr(err.msg, "outside") != NULL);
    CHECK(glim_image_crop(img, 0, 0, 0, 3, &out, &err) == GLIM_EINVAL);
    CHECK(glim_image_crop(img, 2147483000, 0, 2000, 3, &out, &err) == GLIM_EINVAL);
    glim_image_free(img);
}

static void test_flip(void)
{
    glim_error err;
    glim_image *img = coords_image(7, 5), *h = NULL, *v = NULL, *b = NULL;
    CHECK_OK(glim_image_flip(img, GLIM_FLIP_HORIZONTAL, &h, &err), err);
    CHECK_OK(glim_image_flip(img, GLIM_FLIP_VERTICAL, &v, &err), err);
    CHECK_OK(glim_image_flip(img, GLIM_FLIP_BOTH, &b, &err), err);
    int bad = 0;
    for (int y = 0; y < 5; y++)
        for (int x = 0; x < 7; x++) {
            bad += !is_pixel(h, x, y, 6 - x, y);
            bad += !is_pixel(v, x, y, x, 4 - y);
            bad += !is_pixel(b, x, y, 6 - x, 4 - y);
        }
    CHECK(bad == 0);
    glim_image_free(h);
    glim_image_free(v);
    glim_image_free(b);
    CHECK(glim_image_flip(img, (glim_flip)7, &h, &err) == GLIM_EINVAL);
    glim_image_free(img);
}

static void test_rotate_quarter_turns_are_exact(void)
{
    glim_error err;
    glim_image *img = coords_image(6, 4), *r90 = NULL, *r270 = NULL, *rm90 = NULL, *r180 = NULL;
    CHECK_OK(glim_image_rotate(img, 90, 1, NULL, &r90, &err), err);
    CHECK_OK(glim_image_rotate(img, 270, 1, NULL, &r270, &err), err);
    CHECK_OK(glim_image_rotate(img, -90, 1, NULL, &rm90, &err), err);
    CHECK_OK(glim_image_rotate(img, 180, 1, NULL, &r180, &err), err);
    CHECK(r90->width == 4 && r90->height == 6);
    /* Counter-clockwise: the top-right corner comes to the top-left. */
    CHECK(is_pixel(r90, 0, 0, 5, 0) && is_pixel(r90, 3, 5, 0, 3));
    CHECK(is_pixel(r270, 0, 0, 0, 3) && is_pixel(r270, 3, 5, 5, 0));
    CHECK(same(r270, rm90));
    CHECK(is_pixel(r180, 0, 0, 5, 3));
    glim_image *back = NULL, *full = NULL;
    CHECK_OK(glim_image_rotate(r90, -90, 1, NULL, &back, &err), err);
    CHECK(same(back, img));
    CHECK_OK(glim_image_rotate(img, 720, 0, NULL, &full, &err), err);
    CHECK(same(full, img));
    glim_image_free(back);
    glim_image_free(full);
    /* Without expand a quarter turn keeps the canvas: the middle survives. */
    glim_image *kept = NULL;
    uint8_t fill[3] = {9, 9, 9};
    CHECK_OK(glim_image_rotate(img, 90, 0, fill, &kept, &err), err);
    CHECK(kept->width == 6 && kept->height == 4);
    CHECK(glim_image_pixel(kept, 0, 0)[0] == 9);
    glim_image_free(kept);
    glim_image_free(r90);
    glim_image_free(r270);
    glim_image_free(rm90);
    glim_image_free(r180);
    glim_image_free(img);
}

static void test_rotate_any_angle(void)
{
    glim_error err;
    glim_image *flat = NULL, *out = NULL;
    CHECK_OK(glim_image_new(40, 20, GLIM_FMT_RGB8, &flat, &err), err);
    memset(flat->data, 200, flat->stride * 20);
    uint8_t fill[3] = {10, 20, 30};
    CHECK_OK(glim_image_rotate(flat, 45, 1, fill, &out, &err), err);
    /* Pillow's canvas: from floor(lowest) to ceil(highest) rotated corner. */
    double half = 30 / sqrt(2.0);
    CHECK(out->width == (int)(ceil(20 + half) - floor(20 - half)));
    CHECK(out->height == (int)(ceil(10 + half) - floor(10 - half)));
    const uint8_t *c = glim_image_pixel(out, out->width / 2, out->height / 2);
    CHECK(c[0] == 200 && c[1] == 200 && c[2] == 200);
    const uint8_t *corner = glim_image_pixel(out, 0, 0);
    CHECK(corner[0] == 10 && corner[1] == 20 && corner[2] == 30);
    glim_image_free(out);
    CHECK_OK(glim_image_rotate(flat, 30, 0, fill, &out, &err), err);
    CHECK(out->width == 40 && out->height == 20);
    glim_image_free(out);
    CHECK(glim_image_rotate(flat, NAN, 1, NULL, &out, &err) == GLIM_EINVAL);
    CHECK(glim_image_rotate(flat, INFINITY, 1, NULL, &out, &err) == GLIM_EINVAL);
    glim_image_free(flat);

    /* A small angle moves a bright dot right of centre upwards. */
    glim_image *dot = NULL;
    CHECK_OK(glim_image_new(41, 41, GLIM_FMT_GRAY8, &dot, &err), err);
    dot->data[20 * dot->stride + 35] = 255;
    CHECK_OK(glim_image_rotate(dot, 10, 0, NULL, &out, &err), err);
    int bx = 0, by = 0, best = 0;
    for (int y = 0; y < 41; y++)
        for (int x = 0; x < 41; x++)
            if (glim_image_pixel(out, x, y)[0] > best) best = glim_image_pixel(out, x, y)[0], bx = x, by = y;
    CHECK(by < 20 && bx >= 34);
    glim_image_free(out);
    glim_image_free(dot);
}

static void test_letterbox(void)
{
    glim_error err;
    glim_image *img = coords_image(64, 32), *out = NULL;
    glim_letterbox info;
    CHECK_OK(glim_image_letterbox(img, 32, 32, GLIM_FILTER_NEAREST, NULL, &out, &info, &err), err);
    CHECK(out->width == 32 && out->height == 32);
    CHECK_NEAR(info.scale, 0.5, 1e-12);
    CHECK(info.width == 32 && info.height == 16 && info.offset_x == 0 && info.offset_y == 8);
    const uint8_t *pad = glim_image_pixel(out, 5, 3);
    CHECK(pad[0] == 114 && pad[1] == 114 && pad[2] == 114);
    /* Content pixel (x, y) maps back to ((x - ox) / s, (y - oy) / s). */
    CHECK(is_pixel(out, 10, 8 + 5, 20, 10));
    glim_image_free(out);
    CHECK(glim_image_letterbox(img, 0, 32, GLIM_FILTER_NEAREST, NULL, &out, &info, &err) == GLIM_EINVAL);
    glim_image_free(img);
}

/* Allocation-failure sweep over every operation in process.h but resize
 * (test_resize.c sweeps resize): fail the Nth allocation for each N until
 * the call succeeds; every failure must be ENOMEM with nothing leaked. */
/* failing_alloc, counting_free, fail_at, alloc_count, live: alloc_fail.h */

static glim_status run_op(int op, const glim_image *img, void **out, glim_error *err)
{
    uint8_t fill[3] = {1, 2, 3};
    glim_letterbox info;
    switch (op) {
    case 0: return glim_image_crop(img, 2, 1, 9, 5, (glim_image **)out, err);
    case 1: return glim_image_flip(img, GLIM_FLIP_HORIZONTAL, (glim_image **)out, err);
    case 2: return glim_image_rotate(img, 33, 1, fill, (glim_image **)out, err);
    case 3: return glim_image_rotate(img, 90, 0, fill, (glim_image **)out, err);
    case 4: return glim_image_letterbox(img, 40, 40, GLIM_FILTER_AREA, fill, (glim_image **)out, &info, err);
    case 5: return glim_image_convert(img, GLIM_FMT_GRAY8, (glim_image **)out, err);
    default: return glim_image_to_tensor(img, NULL, (glim_tensor **)out, err);
    }
}

static void test_allocation_failures(void)
{
    glim_image *img = coords_image(23, 17);
    glim_allocator a = {failing_alloc, counting_free, NULL};
    for (int op = 0; op < 7; op++) {
        for (fail_at = 0; fail_at < 50; fail_at++) {
            void *out = NULL;
            glim_error err;
            alloc_count = 0;
            live = 0;
            glim_set_allocator(&a);
            glim_status st = run_op(op, img, &out, &err);
            if (op == 6)
                glim_tensor_free(out);
            else
                glim_image_free(out);
            glim_set_allocator(NULL);
            CHECK(live == 0);
            if (st == GLIM_OK) break;
            CHECK(st == GLIM_ENOMEM && out == NULL);
        }
        CHECK(fail_at < 50);
    }
    glim_image_free(img);
}

int main(void)
{
    RUN(test_crop_and_clip);
    RUN(test_flip);
    RUN(test_rotate_quarter_turns_are_exact);
    RUN(test_rotate_any_angle);
    RUN(test_letterbox);
    RUN(test_allocation_failures);
    return check_done();
}
