/* test_color.c — pixel format conversion. */
#include "check.h"
#include "glimpse.h"

#include <string.h>

static void test_gray_uses_opencv_fixed_point(void)
{
    glim_error err;
    glim_image *img = NULL, *g = NULL, *gb = NULL, *bgr = NULL;
    CHECK_OK(glim_image_new(256, 3, GLIM_FMT_RGB8, &img, &err), err);
    for (int x = 0; x < 256; x++) {
        uint8_t *p = glim_image_pixel(img, x, 0);
        p[0] = (uint8_t)x, p[1] = (uint8_t)(255 - x), p[2] = (uint8_t)(x * 7);
        p = glim_image_pixel(img, x, 1);
        p[0] = p[1] = p[2] = (uint8_t)x;
        p = glim_image_pixel(img, x, 2);
        p[0] = (uint8_t)(x * 3), p[1] = (uint8_t)(x * 5), p[2] = (uint8_t)x;
    }
    CHECK_OK(glim_image_convert(img, GLIM_FMT_GRAY8, &g, &err), err);
    CHECK(g->channels == 1 && g->format == GLIM_FMT_GRAY8);
    int bad = 0;
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 256; x++) {
            const uint8_t *p = glim_image_pixel(img, x, y);
            int want = (p[0] * 9798 + p[1] * 19235 + p[2] * 3735 + 16384) >> 15;
            bad += glim_image_pixel(g, x, y)[0] != want;
            if (y == 1) bad += glim_image_pixel(g, x, y)[0] != x; /* gray stays gray */
        }
    CHECK(bad == 0);
    /* The same colours stored as BGR give the same gray. */
    CHECK_OK(glim_image_convert(img, GLIM_FMT_BGR8, &bgr, &err), err);
    CHECK(glim_image_pixel(bgr, 10, 0)[0] == 70 && glim_image_pixel(bgr, 10, 0)[2] == 10);
    CHECK_OK(glim_image_convert(bgr, GLIM_FMT_GRAY8, &gb, &err), err);
    CHECK(memcmp(gb->data, g->data, 256 * 3) == 0);
    glim_image_free(img);
    glim_image_free(g);
    glim_image_free(gb);
    glim_image_free(bgr);
}

static void test_round_trips_and_alpha(void)
{
    glim_error err;
    glim_image *rgba = NULL, *rgb = NULL, *back = NULL, *bgr = NULL, *rgb2 = NULL, *g = NULL,
               *g3 = NULL;
    CHECK_OK(glim_image_new(5, 4, GLIM_FMT_RGBA8, &rgba, &err), err);
    for (int i = 0; i < 5 * 4 * 4; i++) rgba->data[i] = (uint8_t)(i * 13);
    CHECK_OK(glim_image_convert(rgba, GLIM_FMT_RGB8, &rgb, &err), err);
    CHECK(memcmp(glim_image_pixel(rgb, 2, 3), glim_image_pixel(rgba, 2, 3), 3) == 0);
    CHECK_OK(glim_image_convert(rgb, GLIM_FMT_RGBA8, &back, &err), err);
    CHECK(glim_image_pixel(back, 2, 3)[3] == 255);
    CHECK_OK(glim_image_convert(rgba, GLIM_FMT_BGR8, &bgr, &err), err);
    CHECK_OK(glim_image_convert(bgr, GLIM_FMT_RGB8, &rgb2, &err), err);
    CHECK(memcmp(rgb2->data, rgb->data, 5 * 4 * 3) == 0);
    CHECK_OK(glim_image_convert(rgb, GLIM_FMT_GRAY8, &g, &err), err);
    CHECK_OK(glim_image_convert(g, GLIM_FMT_RGB8, &g3, &err), err);
    const uint8_t *p = glim_image_pixel(g3, 1, 1);
    CHECK(p[0] == glim_image_pixel(g, 1, 1)[0] && p[0] == p[1] && p[1] == p[2]);
    glim_image *r2 = NULL;
    CHECK(glim_image_convert(rgb, (glim_pixfmt)17, &r2, &err) == GLIM_EINVAL && r2 == NULL);
    glim_image_free(rgba);
    glim_image_free(rgb);
    glim_image_free(back);
    glim_image_free(bgr);
    glim_image_free(rgb2);
    glim_image_free(g);
    glim_image_free(g3);
}

int main(void)
{
    RUN(test_gray_uses_opencv_fixed_point);
    RUN(test_round_trips_and_alpha);
    return check_done();
}
