/* image.c — allocation of the core image type. */
#include "image.h"

#include <string.h>

int glim_pixfmt_channels(glim_pixfmt format)
{
    switch (format) {
    case GLIM_FMT_GRAY8: return 1;
    case GLIM_FMT_RGB8:
    case GLIM_FMT_BGR8: return 3;
    case GLIM_FMT_RGBA8: return 4;
    default: return 0;
    }
}

const char *glim_pixfmt_name(glim_pixfmt format)
{
    static const char *names[GLIM_FMT_COUNT] = {"GRAY8", "RGB8", "BGR8", "RGBA8"};
    if ((unsigned)format >= GLIM_FMT_COUNT) return "?";
    return names[format];
}

glim_status glim_image_new_uninit(int width, int height, glim_pixfmt format,
                                  glim_image **out, glim_error *err)
{
    *out = NULL;
    int channels = glim_pixfmt_channels(format);
    if (channels == 0)
        return glim_fail(err, GLIM_EINVAL, "image: unknown pixel format %d", (int)format);
    if (width <= 0 || height <= 0 || width > GLIM_IMAGE_MAX_SIDE || height > GLIM_IMAGE_MAX_SIDE)
        return glim_fail(err, GLIM_EINVAL, "image: invalid size %dx%d (each side 1..%d)",
                         width, height, GLIM_IMAGE_MAX_SIDE);
    size_t stride = (size_t)width * (size_t)channels, bytes;
    if (!glim_mul_size(stride, (size_t)height, &bytes))
        return glim_fail(err, GLIM_ELIMIT, "image: %dx%d is too large", width, height);

    glim_image *img = glim_alloc(sizeof *img);
    uint8_t *data = img ? glim_alloc(bytes) : NULL;
    if (!data) {
        glim_free(img);
        return glim_fail(err, GLIM_ENOMEM, "image: cannot allocate %dx%d (%zu bytes)",
                         width, height, bytes);
    }
    img->width = width;
    img->height = height;
    img->channels = channels;
    img->format = format;
    img->stride = stride;
    img->data = data;
    *out = img;
    return GLIM_OK;
}

glim_status glim_image_new(int width, int height, glim_pixfmt format,
                           glim_image **out, glim_error *err)
{
    glim_status st = glim_image_new_uninit(width, height, format, out, err);
    if (st == GLIM_OK) memset((*out)->data, 0, (*out)->stride * (size_t)height);
    return st;
}

glim_status glim_image_clone(const glim_image *src, glim_image **out, glim_error *err)
{
    glim_status st = glim_image_new_uninit(src->width, src->height, src->format, out, err);
    if (st != GLIM_OK) return st;
    size_t row = (size_t)src->width * (size_t)src->channels;
    for (int y = 0; y < src->height; y++)
        memcpy((*out)->data + (size_t)y * (*out)->stride, src->data + (size_t)y * src->stride, row);
    return GLIM_OK;
}

void glim_image_free(glim_image *img)
{
    if (!img) return;
    glim_free(img->data);
    glim_free(img);
}
