/*
 * process.h — geometry, colour and tensor conversion of images.
 */
#ifndef GLIMPSE_IMAGE_PROCESS_H
#define GLIMPSE_IMAGE_PROCESS_H

#include "image.h"
#include "../nn/tensor.h"

typedef enum glim_filter {
    GLIM_FILTER_NEAREST = 0,
    GLIM_FILTER_BILINEAR,
    GLIM_FILTER_BICUBIC,
    GLIM_FILTER_AREA,     /* box average when shrinking (antialiased) */
    GLIM_FILTER_LANCZOS,
    GLIM_FILTER_COUNT
} glim_filter;

/* A new image of width x height resampled from src with `filter`, same
 * format. Caller frees *out. EINVAL on a bad size/filter, ENOMEM.
 * NEAREST, BILINEAR and AREA reproduce OpenCV's INTER_NEAREST, INTER_LINEAR
 * and INTER_AREA within 1 level per channel; BICUBIC (a = -0.5) and LANCZOS
 * (a = 3) are Pillow-style convolutions whose support widens when
 * shrinking, so they antialias. Thread-safe. */
GLIM_API glim_status glim_image_resize(const glim_image *src, int width, int height,
                                       glim_filter filter, glim_image **out,
                                       glim_error *err);

/* Filter name ("nearest", "bilinear", "bicubic", "area", "lanczos") to
 * enum: 0 on success, -1 for an unknown name. */
GLIM_API int glim_filter_parse(const char *name, glim_filter *out);
GLIM_API const char *glim_filter_name(glim_filter filter);

/* ---- geometry (geometry.c); all return a new image the caller frees --- */

/* The part of src inside the rectangle (x, y, w, h), clipped to the image.
 * EINVAL when w or h < 1 or the rectangle misses the image entirely. */
GLIM_API glim_status glim_image_crop(const glim_image *src, int x, int y, int w, int h,
                                     glim_image **out, glim_error *err);

typedef enum glim_flip {
    GLIM_FLIP_HORIZONTAL = 0, /* mirror left-right */
    GLIM_FLIP_VERTICAL,       /* mirror top-bottom */
    GLIM_FLIP_BOTH            /* both: a 180 degree rotation */
} glim_flip;

GLIM_API glim_status glim_image_flip(const glim_image *src, glim_flip how, glim_image **out,
                                     glim_error *err);

/* Rotate counter-clockwise by `degrees` (negative: clockwise), about the
 * image centre, as Pillow's Image.rotate(resample=BILINEAR) does. Multiples
 * of 90 are exact index remaps; other angles sample bilinearly, and output
 * pixels whose centre maps outside the source take `fill` (one value per
 * channel; NULL: zeros). expand != 0 grows the canvas to hold the whole
 * rotated image (90/270 swap width and height); expand == 0 keeps the
 * input size and clips the corners. EINVAL on a non-finite angle, ELIMIT
 * when the expanded canvas would pass GLIM_IMAGE_MAX_SIDE. */
GLIM_API glim_status glim_image_rotate(const glim_image *src, double degrees, int expand,
                                       const uint8_t *fill, glim_image **out, glim_error *err);

/* How a letterboxed image maps back: original = (boxed - offset) / scale. */
typedef struct glim_letterbox {
    double scale;           /* boxed pixels per original pixel */
    int offset_x, offset_y; /* top-left of the resized content in the box */
    int width, height;      /* size of the resized content */
} glim_letterbox;

/* Resize src to fit inside width x height keeping its aspect ratio
 * (content size rounds to nearest), centre it, pad with `fill` (NULL:
 * 114 grey, as YOLO models expect). `info` (may be NULL) receives the
 * mapping. */
GLIM_API glim_status glim_image_letterbox(const glim_image *src, int width, int height,
                                          glim_filter filter, const uint8_t *fill,
                                          glim_image **out, glim_letterbox *info,
                                          glim_error *err);

/* ---- colour (color.c) --------------------------------------------------
 * A copy of src in `format`. RGB/BGR to gray uses OpenCV's weights and
 * fixed-point rounding: (9798 R + 19235 G + 3735 B + 16384) >> 15. Gray to
 * colour replicates; alpha is dropped (not composited) going to 3 channels
 * and set to 255 going to RGBA. Converting to the same format copies. */
GLIM_API glim_status glim_image_convert(const glim_image *src, glim_pixfmt format,
                                        glim_image **out, glim_error *err);

/* ---- image to model input (to_tensor.c) -------------------------------- */

typedef enum glim_layout {
    GLIM_LAYOUT_NCHW = 0, /* 1 x C x H x W (PyTorch, ONNX) */
    GLIM_LAYOUT_NHWC      /* 1 x H x W x C (TFLite, TF.js) */
} glim_layout;

typedef struct glim_tensor_opts {
    glim_layout layout;
    glim_dtype dtype; /* GLIM_F32 or GLIM_U8 (raw pixels) */
    float scale;      /* F32: value = (pixel * scale - mean[c]) / std[c] */
    float mean[4];
    float std[4];
} glim_tensor_opts;

/* Defaults: NCHW, float32, scale 1/255, mean 0, std 1 (values in 0..1). */
GLIM_API void glim_tensor_opts_init(glim_tensor_opts *opts);

/* A new 4-D tensor (batch 1) from src, channels in src's own order (convert
 * first for a BGR model). EINVAL on a bad option (dtype, zero std),
 * ENOMEM. Caller frees with glim_tensor_free. */
GLIM_API glim_status glim_image_to_tensor(const glim_image *src, const glim_tensor_opts *opts,
                                          glim_tensor **out, glim_error *err);

#endif
