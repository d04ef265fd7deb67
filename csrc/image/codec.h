/*
 * codec.h — decoding and encoding of PNG, JPEG and BMP images.
 *
 *     glim_decode_opts o;
 *     glim_decode_opts_init(&o);         // 100 MP limit, EXIF orientation on
 *     o.max_side = 1024;                 // JPEG decodes at a reduced DCT scale
 *     glim_image *img = NULL;
 *     glim_error err;
 *     if (glim_image_load("photo.jpg", &o, &img, &err) != GLIM_OK)
 *         fprintf(stderr, "%s\n", err.msg);  // "decode: truncated JPEG (...)"
 *     uint8_t *png; size_t n;
 *     glim_image_encode(img, GLIM_CODEC_PNG, NULL, &png, &n, &err);
 *     glim_free(png);
 *     glim_image_free(img);
 *
 * Input bytes are untrusted: every decoder checks lengths and offsets, refuses
 * images above the pixel limit from the header (before allocating the
 * pixels), and reports truncated or corrupt data as GLIM_EFORMAT with a
 * "decode: ..." message. Nothing prints or exits. All functions here are
 * thread-safe (no shared state) and keep no pointer to the caller's bytes.
 * See docs/formats.md for what each codec supports.
 */
#ifndef GLIMPSE_IMAGE_CODEC_H
#define GLIMPSE_IMAGE_CODEC_H

#include "image.h"

typedef enum glim_codec {
    GLIM_CODEC_UNKNOWN = 0,
    GLIM_CODEC_PNG,
    GLIM_CODEC_JPEG,
    GLIM_CODEC_BMP,
    GLIM_CODEC_COUNT
} glim_codec;

#define GLIM_DEFAULT_MAX_PIXELS 100000000u /* 100 megapixels */

typedef struct glim_decode_opts {
    /* Longer side of the result at most this (0 = no limit). JPEG decodes at
     * the smallest DCT scale (n/8) that stays >= the target, then every codec
     * finishes with an area-filter downscale. */
    int max_side;
    /* Refuse (GLIM_ELIMIT) a file whose header declares more pixels than
     * this, before decoding. Default GLIM_DEFAULT_MAX_PIXELS. */
    uint64_t max_pixels;
    /* 1 (default): apply the EXIF orientation of a JPEG, so the result is
     * upright; 0: keep the stored pixel order. */
    int orient;
    /* 0 (default): keep the file's layout: gray -> 1, colour -> 3, anything
     * with alpha (or a tRNS palette) -> 4. Or force 1, 3 or 4. */
    int channels;
} glim_decode_opts;

typedef struct glim_encode_opts {
    int quality;         /* JPEG quality 1..100, default 90 */
    int png_compression; /* zlib level 0..9, default 6 */
    int progressive;     /* JPEG: write a progressive file (default 0) */
} glim_encode_opts;

GLIM_API void glim_decode_opts_init(glim_decode_opts *opts);
GLIM_API void glim_encode_opts_init(glim_encode_opts *opts);

/* The codec of `bytes` from its signature, or GLIM_CODEC_UNKNOWN. */
GLIM_API glim_codec glim_image_sniff(const void *bytes, size_t len);

/* "png", "jpeg", "bmp" ("unknown" otherwise). */
GLIM_API const char *glim_codec_name(glim_codec codec);

/* Dimensions and channel count the file declares (before max_side or
 * orientation), without decoding the pixels. Any pointer may be NULL.
 * EFORMAT, EUNSUPPORTED. */
GLIM_API glim_status glim_image_probe(const void *bytes, size_t len, glim_codec *codec,
                                      int *width, int *height, glim_error *err);

/* Decode an in-memory PNG, JPEG or BMP into a new image (RGB8, RGBA8 or
 * GRAY8; never BGR8). opts may be NULL (defaults). The caller frees *out;
 * *out is NULL on failure. EFORMAT (corrupt, truncated, unknown format),
 * EUNSUPPORTED, ELIMIT, ENOMEM, EINVAL (bad opts). */
GLIM_API glim_status glim_image_decode(const void *bytes, size_t len,
                                       const glim_decode_opts *opts, glim_image **out,
                                       glim_error *err);

/* Read a whole file and decode it. EIO if the file cannot be read, then as
 * glim_image_decode. */
GLIM_API glim_status glim_image_load(const char *path, const glim_decode_opts *opts,
                                     glim_image **out, glim_error *err);

/* Encode `img` (any format; BGR8 is written as RGB, JPEG drops alpha).
 * opts may be NULL. *bytes comes from glim_alloc: the caller glim_free's it.
 * EINVAL (bad codec/opts/image), ENOMEM, EFORMAT (library failure). */
GLIM_API glim_status glim_image_encode(const glim_image *img, glim_codec codec,
                                       const glim_encode_opts *opts, uint8_t **bytes,
                                       size_t *len, glim_error *err);

/* Encode and write to `path`. EIO on a file error, then as glim_image_encode. */
GLIM_API glim_status glim_image_save(const glim_image *img, const char *path,
                                     glim_codec codec, const glim_encode_opts *opts,
                                     glim_error *err);

#endif
