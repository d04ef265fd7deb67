/*
 * codec_internal.h — what codec.c shares with the per-format files
 * (png.c, jpeg.c, bmp.c, exif.c). Not part of the public API.
 *
 * A format decoder reads the header, calls codec_check_dims (limits before
 * any pixel allocation), and returns the image in its natural layout
 * (GRAY8, RGB8 or RGBA8). codec.c then applies channels, max_side and the
 * orientation the decoder reports, so each decoder stays small.
 */
#ifndef GLIMPSE_IMAGE_CODEC_INTERNAL_H
#define GLIMPSE_IMAGE_CODEC_INTERNAL_H

#include "codec.h"

/* What a decoder learnt besides the pixels. */
typedef struct codec_info {
    int orientation; /* EXIF orientation 1..8 (1 when absent) */
    int src_width, src_height; /* the file's dimensions */
} codec_info;

/* Refuse zero, over-65535 or over-limit dimensions. `what` names the codec
 * ("PNG"). EFORMAT for zero, ELIMIT otherwise. */
glim_status codec_check_dims(const char *what, uint64_t width, uint64_t height,
                             const glim_decode_opts *opts, glim_error *err);

/* A growable output buffer for encoders, in glim_alloc memory. */
typedef struct codec_buf {
    uint8_t *data;
    size_t len, cap;
    int failed; /* an allocation failed; data is kept, further appends drop */
} codec_buf;

int codec_buf_reserve(codec_buf *b, size_t extra); /* 1 on success */
int codec_buf_append(codec_buf *b, const void *src, size_t n);

/* The per-format halves. `want_channels` (0, 1, 3, 4) is a hint a decoder
 * may honour when its library converts for free (JPEG's colour converter);
 * `scale_to` (0 = none) lets JPEG pick a reduced DCT scale whose longer side
 * stays >= scale_to. The result may still need conversion. */
glim_status codec_png_decode(const uint8_t *bytes, size_t len, const glim_decode_opts *opts,
                             glim_image **out, codec_info *info, glim_error *err);
glim_status codec_jpeg_decode(const uint8_t *bytes, size_t len, const glim_decode_opts *opts,
                              int want_channels, int scale_to, glim_image **out,
                              codec_info *info, glim_error *err);
glim_status codec_bmp_decode(const uint8_t *bytes, size_t len, const glim_decode_opts *opts,
                             glim_image **out, codec_info *info, glim_error *err);

glim_status codec_png_probe(const uint8_t *bytes, size_t len, int *w, int *h, glim_error *err);
glim_status codec_jpeg_probe(const uint8_t *bytes, size_t len, int *w, int *h, glim_error *err);
glim_status codec_bmp_probe(const uint8_t *bytes, size_t len, int *w, int *h, glim_error *err);

glim_status codec_png_encode(const glim_image *img, const glim_encode_opts *opts,
                             codec_buf *out, glim_error *err);
glim_status codec_jpeg_encode(const glim_image *img, const glim_encode_opts *opts,
                              codec_buf *out, glim_error *err);
glim_status codec_bmp_encode(const glim_image *img, const glim_encode_opts *opts,
                             codec_buf *out, glim_error *err);

/* EXIF orientation (1..8) from a TIFF block ("II*\0..." or "MM\0*..."), the
 * payload of a JPEG APP1 segment after "Exif\0\0" or a PNG eXIf chunk.
 * Returns 1 when the tag is absent or anything is out of bounds. */
int codec_exif_orientation(const uint8_t *tiff, size_t len);

#endif
