/*
 * process.h — geometry, colour and tensor conversion of images.
 */
#ifndef GLIMPSE_IMAGE_PROCESS_H
#define GLIMPSE_IMAGE_PROCESS_H

#include "image.h"

typedef enum glim_filter {
    GLIM_FILTER_NEAREST = 0,
    GLIM_FILTER_BILINEAR,
    GLIM_FILTER_BICUBIC,
    GLIM_FILTER_AREA,     /* box average when shrinking (antialiased) */
    GLIM_FILTER_LANCZOS,
    GLIM_FILTER_COUNT
} glim_filter;

/* A new image of width x height resampled from src with `filter`, same
 * format. Caller frees *out. EINVAL on a bad size/filter, ENOMEM. */
GLIM_API glim_status glim_image_resize(const glim_image *src, int width, int height,
                                       glim_filter filter, glim_image **out,
                                       glim_error *err);

#endif
