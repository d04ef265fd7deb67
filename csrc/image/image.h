/*
 * image.h — the 8-bit image type of the glimpse core.
 *
 * Pixels are interleaved, rows top to bottom, `stride` bytes apart
 * (stride >= width * channels). Pixel coordinates are 0-based (x, y).
 * The channel order is carried by `format`, so a BGR image converted for an
 * OpenCV-trained model is never mistaken for RGB.
 *
 * Codecs live in codec.h, geometry and colour operations in process.h.
 */
#ifndef GLIMPSE_IMAGE_H
#define GLIMPSE_IMAGE_H

#include "../core/core.h"

typedef enum glim_pixfmt {
    GLIM_FMT_GRAY8 = 0, /* 1 channel */
    GLIM_FMT_RGB8,      /* 3 channels */
    GLIM_FMT_BGR8,      /* 3 channels, blue first */
    GLIM_FMT_RGBA8,     /* 4 channels, straight (not premultiplied) alpha */
    GLIM_FMT_COUNT
} glim_pixfmt;

typedef struct glim_image {
    int width, height;
    int channels;       /* 1, 3 or 4; always glim_pixfmt_channels(format) */
    glim_pixfmt format;
    size_t stride;      /* bytes from one row to the next */
    uint8_t *data;      /* owned, GLIM_ALIGN-aligned */
} glim_image;

/* Hard ceiling on one side, whatever the caller's pixel limit. */
#define GLIM_IMAGE_MAX_SIDE 65535

GLIM_API int glim_pixfmt_channels(glim_pixfmt format);
GLIM_API const char *glim_pixfmt_name(glim_pixfmt format); /* "RGB8" */

/* A new image, pixels zeroed. Caller owns it: free with glim_image_free.
 * EINVAL on a bad size or format, ENOMEM. Thread-safe. */
GLIM_API glim_status glim_image_new(int width, int height, glim_pixfmt format,
                                    glim_image **out, glim_error *err);

/* The same without zeroing the pixels, for producers that write every one
 * (decoders, copies). */
GLIM_API glim_status glim_image_new_uninit(int width, int height, glim_pixfmt format,
                                           glim_image **out, glim_error *err);

/* A deep copy. */
GLIM_API glim_status glim_image_clone(const glim_image *src, glim_image **out,
                                      glim_error *err);

GLIM_API void glim_image_free(glim_image *img);

/* Address of pixel (x, y); the caller checks bounds. */
static inline uint8_t *glim_image_pixel(const glim_image *img, int x, int y)
{
    return img->data + (size_t)y * img->stride + (size_t)x * (size_t)img->channels;
}

#endif
