/* test_to_tensor.c — image to model input tensor. */
#include "check.h"
#include "glimpse.h"

#include <string.h>

static float f32_at(const glim_tensor *t, int64_t i) { return ((const float *)t->data)[i]; }

static void test_layouts_and_normalisation(void)
{
    glim_error err;
    glim_image *img = NULL;
    CHECK_OK(glim_image_new(5, 3, GLIM_FMT_RGB8, &img, &err), err);
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 5; x++) {
            uint8_t *p = glim_image_pixel(img, x, y);
            p[0] = (uint8_t)(10 * x + y), p[1] = (uint8_t)(100 + x), p[2] = (uint8_t)(250 - y);
        }
    glim_tensor *t = NULL;
    CHECK_OK(glim_image_to_tensor(img, NULL, &t, &err), err);
    CHECK(t->dtype == GLIM_F32 && t->ndim == 4);
    CHECK(t->shape[0] == 1 && t->shape[1] == 3 && t->shape[2] == 3 && t->shape[3] == 5);
    /* NCHW: channel c, row y, column x at ((c * 3) + y) * 5 + x */
    CHECK_NEAR(f32_at(t, (0 * 3 + 2) * 5 + 4), 42 / 255.0, 1e-6);
    CHECK_NEAR(f32_at(t, (1 * 3 + 1) * 5 + 3), 103 / 255.0, 1e-6);
    CHECK_NEAR(f32_at(t, (2 * 3 + 2) * 5 + 0), 248 / 255.0, 1e-6);
    glim_tensor_free(t);

    glim_tensor_opts o;
    glim_tensor_opts_init(&o);
    o.layout = GLIM_LAYOUT_NHWC;
    o.scale = 1.0f;
    o.mean[0] = 127.5f, o.mean[1] = 100.f, o.mean[2] = 0.f;
    o.std[0] = 127.5f, o.std[1] = 2.f, o.std[2] = 1.f;
    CHECK_OK(glim_image_to_tensor(img, &o, &t, &err), err);
    CHECK(t->shape[1] == 3 && t->shape[2] == 5 && t->shape[3] == 3);
    /* NHWC: ((y * 5) + x) * 3 + c */
    CHECK_NEAR(f32_at(t, ((1 * 5) + 2) * 3 + 0), (21 - 127.5) / 127.5, 1e-6);
    CHECK_NEAR(f32_at(t, ((1 * 5) + 2) * 3 + 1), (102 - 100) / 2.0, 1e-6);
    CHECK_NEAR(f32_at(t, ((2 * 5) + 4) * 3 + 2), 248, 1e-6);
    glim_tensor_free(t);

    o.dtype = GLIM_U8;
    o.layout = GLIM_LAYOUT_NCHW;
    CHECK_OK(glim_image_to_tensor(img, &o, &t, &err), err);
    CHECK(((uint8_t *)t->data)[(1 * 3 + 2) * 5 + 1] == 101);
    glim_tensor_free(t);

    o.dtype = GLIM_F32;
    o.std[1] = 0.f;
    CHECK(glim_image_to_tensor(img, &o, &t, &err) == GLIM_EINVAL && t == NULL);
    o.std[1] = 1.f;
    o.dtype = GLIM_I32;
    CHECK(glim_image_to_tensor(img, &o, &t, &err) == GLIM_EINVAL);
    glim_image_free(img);
}

static void test_gray_and_rgba_channels(void)
{
    glim_error err;
    glim_image *g = NULL, *a = NULL;
    glim_tensor *t = NULL;
    CHECK_OK(glim_image_new(4, 2, GLIM_FMT_GRAY8, &g, &err), err);
    memset(g->data, 51, 8);
    CHECK_OK(glim_image_to_tensor(g, NULL, &t, &err), err);
    CHECK(t->shape[1] == 1 && t->count == 8);
    CHECK_NEAR(f32_at(t, 7), 0.2, 1e-6);
    glim_tensor_free(t);
    CHECK_OK(glim_image_new(2, 2, GLIM_FMT_RGBA8, &a, &err), err);
    for (int i = 0; i < 16; i++) a->data[i] = (uint8_t)i;
    CHECK_OK(glim_image_to_tensor(a, NULL, &t, &err), err);
    CHECK(t->shape[1] == 4);
    CHECK_NEAR(f32_at(t, 3 * 4 + 3), 15 / 255.0, 1e-6); /* alpha plane, last pixel */
    glim_tensor_free(t);
    glim_image_free(g);
    glim_image_free(a);
}

int main(void)
{
    RUN(test_layouts_and_normalisation);
    RUN(test_gray_and_rgba_channels);
    return check_done();
}
