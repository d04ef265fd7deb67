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

/* ==== OCR primitives (text_boxes.c, warp.c) ==============================
 * DB text-detector post-processing and perspective crops, as PaddleOCR's
 * DBPostProcess and get_rotate_crop_image do them with OpenCV. Points are
 * (x, y) pairs in pixel coordinates, pixel centres at integers. */

typedef enum glim_text_score {
    GLIM_TEXT_SCORE_FAST = 0, /* mean probability inside the box polygon */
    GLIM_TEXT_SCORE_SLOW      /* mean probability over the component's pixels */
} glim_text_score;

typedef struct glim_text_box_params {
    float thresh;        /* binarisation: pixel is text when prob > thresh (0.3) */
    float box_thresh;    /* drop boxes scoring below this (0.6) */
    float unclip_ratio;  /* grow each side by area * ratio / perimeter (1.5) */
    int max_candidates;  /* components examined, in raster order (1000) */
    int min_size;        /* drop boxes whose shorter side is below this (3) */
    glim_text_score score_mode; /* (GLIM_TEXT_SCORE_FAST) */
    int dilate;          /* non-zero: dilate the binary map with a 2x2 kernel
                            first, PaddleOCR's use_dilation (0) */
} glim_text_box_params;

/* PaddleOCR's defaults, as noted above. */
GLIM_API void glim_text_box_params_init(glim_text_box_params *p);

typedef struct glim_text_box {
    float pts[4][2]; /* top-left, top-right, bottom-right, bottom-left (clockwise),
                        rounded to whole pixels of the destination image */
    float score;     /* mean probability, 0..1 */
} glim_text_box;

/* Text boxes in a DB probability map `prob` (h rows of w floats): binarise,
 * 8-connected components, minimum-area rectangle of each, score, unclip,
 * then scale to a dest_w x dest_h image (0: the map size) and clip to it.
 * Boxes whose sides end up 3 px or shorter are dropped (PaddleOCR's
 * filter_tag_det_res). *out is sorted in reading order (top to bottom; boxes
 * whose top-left corners are less than 10 px apart vertically count as one
 * line, left to right). Caller frees *out with glim_text_boxes_free (*out is
 * NULL when *count is 0). EINVAL on bad sizes or params (message names
 * the param), ENOMEM. Thread-safe. */
GLIM_API glim_status glim_text_boxes(const float *prob, int h, int w,
                                     const glim_text_box_params *p, int dest_w, int dest_h,
                                     glim_text_box **out, int *count, glim_error *err);
GLIM_API void glim_text_boxes_free(glim_text_box *boxes);

/* The minimum-area rotated rectangle around n points (xy: n pairs), as
 * cv2.minAreaRect + cv2.boxPoints: corners[8] in PaddleOCR's order (top-left,
 * top-right, bottom-right, bottom-left), *width (along top-left -> top-right)
 * and *height (may be NULL). One point gives a 0 x 0 box, collinear points a
 * box of height 0. EINVAL for n < 1 or non-finite points, ENOMEM. */
GLIM_API glim_status glim_min_area_rect(const float *xy, int n, float corners[8],
                                        float *width, float *height, glim_error *err);

/* The 3x3 matrix m (row-major, m[8] == 1) mapping the quad src[8] onto the
 * quad dst[8], point i to point i, as cv2.getPerspectiveTransform. EINVAL
 * when either quad is degenerate (three corners on a line) or non-finite. */
GLIM_API glim_status glim_perspective_transform(const double src[8], const double dst[8],
                                                double m[9], glim_error *err);

typedef enum glim_border {
    GLIM_BORDER_REPLICATE = 0, /* outside samples repeat the nearest edge pixel */
    GLIM_BORDER_CONSTANT       /* outside samples take opts.fill */
} glim_border;

typedef struct glim_warp_opts {
    glim_filter filter; /* NEAREST, BILINEAR (default) or BICUBIC (OpenCV's
                           INTER_CUBIC, a = -0.75, no antialiasing) */
    glim_border border; /* default REPLICATE */
    uint8_t fill[4];    /* CONSTANT border value per channel (default 0) */
} glim_warp_opts;

GLIM_API void glim_warp_opts_init(glim_warp_opts *o);

/* dst(x, y) = src(m^-1 (x, y)) for an out_w x out_h image, as
 * cv2.warpPerspective(src, m, (out_w, out_h), flags, borderMode): sample
 * positions are quantised to 1/32 px as OpenCV does, so results agree with
 * it within 1 level. 1, 3 or 4 channels, same format as src. opts NULL:
 * bilinear, replicate. EINVAL on a singular or non-finite m, bad size or
 * option, ENOMEM. Caller frees *out. Thread-safe. */
GLIM_API glim_status glim_image_warp_perspective(const glim_image *src, const double m[9],
                                                 int out_w, int out_h, const glim_warp_opts *opts,
                                                 glim_image **out, glim_error *err);

/* A text line cut out along quad[8] (top-left, top-right, bottom-right,
 * bottom-left) as PaddleOCR's get_rotate_crop_image: width = max(top,
 * bottom edge length), height = max(left, right), truncated to integers;
 * the quad maps onto (0,0) (w,0) (w,h) (0,h); when height / width >= 1.5
 * the crop is turned 90 degrees counter-clockwise (vertical text). opts
 * NULL: bicubic with replicated borders, PaddleOCR's choice. EINVAL when
 * the quad is degenerate or smaller than 1 px, ENOMEM. */
GLIM_API glim_status glim_image_crop_quad(const glim_image *src, const double quad[8],
                                          const glim_warp_opts *opts, glim_image **out,
                                          glim_error *err);

#endif
