/* codec.c — format sniffing, dispatch, the steps shared by every decoder
 * (limits, channel conversion, EXIF orientation, max_side), and file I/O.
 * The format-specific parts are in png.c, jpeg.c and bmp.c. */
#include "codec_internal.h"
#include "process.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

void glim_decode_opts_init(glim_decode_opts *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->max_side = 0;
    opts->max_pixels = GLIM_DEFAULT_MAX_PIXELS;
    opts->orient = 1;
    opts->channels = 0;
}

void glim_encode_opts_init(glim_encode_opts *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->quality = 90;
    opts->png_compression = 6;
    opts->progressive = 0;
}

glim_codec glim_image_sniff(const void *bytes, size_t len)
{
    const uint8_t *b = bytes;
    if (!b) return GLIM_CODEC_UNKNOWN;
    if (len >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0) return GLIM_CODEC_PNG;
    if (len >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return GLIM_CODEC_JPEG;
    if (len >= 2 && b[0] == 'B' && b[1] == 'M') return GLIM_CODEC_BMP;
    return GLIM_CODEC_UNKNOWN;
}

const char *glim_codec_name(glim_codec codec)
{
    switch (codec) {
    case GLIM_CODEC_PNG: return "png";
    case GLIM_CODEC_JPEG: return "jpeg";
    case GLIM_CODEC_BMP: return "bmp";
    default: return "unknown";
    }
}

/* "unknown image format (starts with 47 49 46 38)" — the first bytes help a
 * user recognise a GIF, an HTML error page or an empty download. */
static glim_status fail_unknown(const uint8_t *b, size_t len, glim_error *err)
{
    if (len == 0) return glim_fail(err, GLIM_EFORMAT, "decode: empty input (0 bytes)");
    char hex[3 * 8 + 1] = {0};
    size_t n = len < 8 ? len : 8, pos = 0;
    for (size_t i = 0; i < n; i++)
        pos += (size_t)snprintf(hex + pos, sizeof hex - pos, i ? " %02x" : "%02x", b[i]);
    return glim_fail(err, GLIM_EFORMAT, "decode: unknown image format (starts with %s)", hex);
}

glim_status glim_image_probe(const void *bytes, size_t len, glim_codec *codec, int *width,
                             int *height, glim_error *err)
{
    int w = 0, h = 0;
    glim_status st;
    glim_codec c = glim_image_sniff(bytes, len);
    if (codec) *codec = c;
    switch (c) {
    case GLIM_CODEC_PNG: st = codec_png_probe(bytes, len, &w, &h, err); break;
    case GLIM_CODEC_JPEG: st = codec_jpeg_probe(bytes, len, &w, &h, err); break;
    case GLIM_CODEC_BMP: st = codec_bmp_probe(bytes, len, &w, &h, err); break;
    default: return fail_unknown(bytes, bytes ? len : 0, err);
    }
    if (st != GLIM_OK) return st;
    if (width) *width = w;
    if (height) *height = h;
    return GLIM_OK;
}

glim_status codec_check_dims(const char *what, uint64_t width, uint64_t height,
                             const glim_decode_opts *opts, glim_error *err)
{
    if (width == 0 || height == 0)
        return glim_fail(err, GLIM_EFORMAT, "decode: %s header declares a %llux%llu image",
                         what, (unsigned long long)width, (unsigned long long)height);
    if (width > GLIM_IMAGE_MAX_SIDE || height > GLIM_IMAGE_MAX_SIDE)
        return glim_fail(err, GLIM_ELIMIT, "decode: %s is %llux%llu, over the %d-pixel side limit",
                         what, (unsigned long long)width, (unsigned long long)height,
                         GLIM_IMAGE_MAX_SIDE);
    uint64_t limit = opts ? opts->max_pixels : GLIM_DEFAULT_MAX_PIXELS;
    if (width * height > limit)
        return glim_fail(err, GLIM_ELIMIT,
                         "decode: %s is %llux%llu (%llu pixels), over the limit of %llu pixels",
                         what, (unsigned long long)width, (unsigned long long)height,
                         (unsigned long long)(width * height), (unsigned long long)limit);
    return GLIM_OK;
}

int codec_buf_reserve(codec_buf *b, size_t extra)
{
    if (b->failed) return 0;
    if (extra <= b->cap - b->len) return 1;
    size_t need = b->len + extra;
    if (need < b->len) return b->failed = 1, 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) return b->failed = 1, 0;
        cap *= 2;
    }
    uint8_t *p = glim_alloc(cap);
    if (!p) return b->failed = 1, 0;
    if (b->len) memcpy(p, b->data, b->len);
    glim_free(b->data);
    b->data = p;
    b->cap = cap;
    return 1;
}

int codec_buf_append(codec_buf *b, const void *src, size_t n)
{
    if (!codec_buf_reserve(b, n)) return 0;
    memcpy(b->data + b->len, src, n);
    b->len += n;
    return 1;
}

/* ---- shared post-processing -------------------------------------------- */

static glim_pixfmt format_for_channels(int channels)
{
    return channels == 1 ? GLIM_FMT_GRAY8 : channels == 4 ? GLIM_FMT_RGBA8 : GLIM_FMT_RGB8;
}

/* ITU-R 601 luma in 16-bit fixed point, rounded: the weights Pillow's
 * convert("L") uses, so grayscale results match it exactly. */
static inline uint8_t luma(const uint8_t *p)
{
    return (uint8_t)((p[0] * 19595u + p[1] * 38470u + p[2] * 7471u + 0x8000u) >> 16);
}

/* Convert between GRAY8, RGB8 and RGBA8 (alpha dropped or set opaque). */
static glim_status convert_channels(glim_image **img, int channels, glim_error *err)
{
    glim_image *src = *img, *dst;
    if (src->channels == channels) return GLIM_OK;
    glim_status st = glim_image_new_uninit(src->width, src->height, format_for_channels(channels),
                                       &dst, err);
    if (st != GLIM_OK) return st;
    int sc = src->channels;
    for (int y = 0; y < src->height; y++) {
        const uint8_t *s = src->data + (size_t)y * src->stride;
        uint8_t *d = dst->data + (size_t)y * dst->stride;
        for (int x = 0; x < src->width; x++, s += sc, d += channels) {
            if (channels == 1) {
                d[0] = luma(s);
            } else {
                if (sc == 1) d[0] = d[1] = d[2] = s[0];
                else d[0] = s[0], d[1] = s[1], d[2] = s[2];
                if (channels == 4) d[3] = 255;
            }
        }
    }
    glim_image_free(src);
    *img = dst;
    return GLIM_OK;
}

/* Turn stored pixels upright for EXIF orientation 2..8. For each output
 * pixel (ox, oy) the source is (x0 + ox*dxx + oy*dxy, y0 + ox*dyx + oy*dyy). */
static glim_status apply_orientation(glim_image **img, int orientation, glim_error *err)
{
    if (orientation < 2 || orientation > 8) return GLIM_OK;
    glim_image *src = *img, *dst;
    int W = src->width, H = src->height;
    int swap = orientation >= 5;
    glim_status st = glim_image_new_uninit(swap ? H : W, swap ? W : H, src->format, &dst, err);
    if (st != GLIM_OK) return st;
    long x0 = 0, y0 = 0, dxx = 1, dxy = 0, dyx = 0, dyy = 1;
    switch (orientation) {
    case 2: x0 = W - 1, dxx = -1; break;                              /* mirror */
    case 3: x0 = W - 1, y0 = H - 1, dxx = -1, dyy = -1; break;        /* 180 */
    case 4: y0 = H - 1, dyy = -1; break;                              /* flip */
    case 5: dxx = 0, dxy = 1, dyx = 1, dyy = 0; break;                /* transpose */
    case 6: y0 = H - 1, dxx = 0, dxy = 1, dyx = -1, dyy = 0; break;   /* 90 cw */
    case 7: x0 = W - 1, y0 = H - 1, dxx = 0, dxy = -1, dyx = -1, dyy = 0; break;
    case 8: x0 = W - 1, dxx = 0, dxy = -1, dyx = 1, dyy = 0; break;   /* 90 ccw */
    }
    const int c = src->channels;
    const long step = dxx * c + dyx * (long)src->stride; /* per output x */
    for (int oy = 0; oy < dst->height; oy++) {
        const uint8_t *s = src->data + (y0 + oy * dyy) * (long)src->stride + (x0 + oy * dxy) * c;
        uint8_t *d = dst->data + (size_t)oy * dst->stride;
        if (c == 3) {
            for (int ox = 0; ox < dst->width; ox++, s += step, d += 3)
                d[0] = s[0], d[1] = s[1], d[2] = s[2];
        } else if (c == 4) {
            for (int ox = 0; ox < dst->width; ox++, s += step, d += 4) memcpy(d, s, 4);
        } else {
            for (int ox = 0; ox < dst->width; ox++, s += step) d[ox] = s[0];
        }
    }
    glim_image_free(src);
    *img = dst;
    return GLIM_OK;
}


static glim_status fit_max_side(glim_image **img, int max_side, glim_error *err)
{
    glim_image *src = *img;
    int longer = src->width > src->height ? src->width : src->height;
    if (max_side <= 0 || longer <= max_side) return GLIM_OK;
    double s = (double)max_side / longer;
    int ow = (int)(src->width * s + 0.5), oh = (int)(src->height * s + 0.5);
    if (src->width >= src->height) ow = max_side;
    else oh = max_side;
    if (ow < 1) ow = 1;
    if (oh < 1) oh = 1;
    glim_image *dst = NULL;
    glim_status st = glim_image_resize(src, ow, oh, GLIM_FILTER_AREA, &dst, err);
    if (st != GLIM_OK) return st;
    glim_image_free(src);
    *img = dst;
    return GLIM_OK;
}

glim_status glim_image_decode(const void *bytes, size_t len, const glim_decode_opts *opts,
                              glim_image **out, glim_error *err)
{
    glim_decode_opts defaults;
    if (!out) return glim_fail(err, GLIM_EINVAL, "decode: no output pointer");
    *out = NULL;
    if (!opts) {
        glim_decode_opts_init(&defaults);
        opts = &defaults;
    }
    if (!bytes && len) return glim_fail(err, GLIM_EINVAL, "decode: NULL bytes");
    if (opts->max_side < 0)
        return glim_fail(err, GLIM_EINVAL, "decode: max_side must be >= 0 (got %d)",
                         opts->max_side);
    if (opts->channels != 0 && opts->channels != 1 && opts->channels != 3 &&
        opts->channels != 4)
        return glim_fail(err, GLIM_EINVAL, "decode: channels must be 0, 1, 3 or 4 (got %d)",
                         opts->channels);

    const uint8_t *b = bytes;
    glim_image *img = NULL;
    codec_info info = {1, 0, 0};
    glim_status st;
    switch (glim_image_sniff(b, len)) {
    case GLIM_CODEC_PNG: st = codec_png_decode(b, len, opts, &img, &info, err); break;
    case GLIM_CODEC_JPEG:
        st = codec_jpeg_decode(b, len, opts, opts->channels, opts->max_side, &img, &info, err);
        break;
    case GLIM_CODEC_BMP: st = codec_bmp_decode(b, len, opts, &img, &info, err); break;
    default: return fail_unknown(b, len, err);
    }
    if (st != GLIM_OK) return st;
    /* Convert on the smaller of the two images: before shrinking when it
     * drops channels, after when it adds them. */
    int early = opts->channels && opts->channels < img->channels;
    if (early) st = convert_channels(&img, opts->channels, err);
    if (st == GLIM_OK) st = fit_max_side(&img, opts->max_side, err);
    if (st == GLIM_OK && opts->channels && !early) st = convert_channels(&img, opts->channels, err);
    if (st == GLIM_OK && opts->orient) st = apply_orientation(&img, info.orientation, err);
    if (st != GLIM_OK) {
        glim_image_free(img);
        return st;
    }
    *out = img;
    return GLIM_OK;
}

/* One fstat and one fread: no per-chunk reads or copies. */
static glim_status read_file(const char *path, uint8_t **bytes, size_t *len, glim_error *err)
{
    *bytes = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return glim_fail(err, GLIM_EIO, "load: cannot open '%s': %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        return glim_fail(err, GLIM_EIO, "load: '%s' is not a regular file", path);
    }
    size_t n = (size_t)sb.st_size;
    uint8_t *buf = glim_alloc(n ? n : 1);
    if (!buf) {
        fclose(f);
        return glim_fail(err, GLIM_ENOMEM, "load: cannot allocate %zu bytes for '%s'", n, path);
    }
    size_t got = n ? fread(buf, 1, n, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (bad || got != n) {
        glim_free(buf);
        return glim_fail(err, GLIM_EIO, "load: read %zu of %zu bytes of '%s'", got, n, path);
    }
    *bytes = buf;
    *len = n;
    return GLIM_OK;
}

glim_status glim_image_load(const char *path, const glim_decode_opts *opts, glim_image **out,
                            glim_error *err)
{
    if (!out) return glim_fail(err, GLIM_EINVAL, "load: no output pointer");
    *out = NULL;
    if (!path) return glim_fail(err, GLIM_EINVAL, "load: NULL path");
    uint8_t *bytes;
    size_t len;
    glim_status st = read_file(path, &bytes, &len, err);
    if (st != GLIM_OK) return st;
    st = glim_image_decode(bytes, len, opts, out, err);
    glim_free(bytes);
    return st;
}

glim_status glim_image_encode(const glim_image *img, glim_codec codec,
                              const glim_encode_opts *opts, uint8_t **bytes, size_t *len,
                              glim_error *err)
{
    glim_encode_opts defaults;
    if (!bytes || !len) return glim_fail(err, GLIM_EINVAL, "encode: no output pointer");
    *bytes = NULL;
    *len = 0;
    if (!opts) {
        glim_encode_opts_init(&defaults);
        opts = &defaults;
    }
    if (!img || !img->data || img->width <= 0 || img->height <= 0 ||
        img->channels != glim_pixfmt_channels(img->format) ||
        img->stride < (size_t)img->width * (size_t)img->channels)
        return glim_fail(err, GLIM_EINVAL, "encode: invalid image");
    if (opts->quality < 1 || opts->quality > 100)
        return glim_fail(err, GLIM_EINVAL, "encode: quality must be 1..100 (got %d)",
                         opts->quality);
    if (opts->png_compression < 0 || opts->png_compression > 9)
        return glim_fail(err, GLIM_EINVAL, "encode: png_compression must be 0..9 (got %d)",
                         opts->png_compression);
    codec_buf buf = {0};
    glim_status st;
    switch (codec) {
    case GLIM_CODEC_PNG: st = codec_png_encode(img, opts, &buf, err); break;
    case GLIM_CODEC_JPEG: st = codec_jpeg_encode(img, opts, &buf, err); break;
    case GLIM_CODEC_BMP: st = codec_bmp_encode(img, opts, &buf, err); break;
    default: return glim_fail(err, GLIM_EINVAL, "encode: unknown codec %d", (int)codec);
    }
    if (st == GLIM_OK && buf.failed)
        st = glim_fail(err, GLIM_ENOMEM, "encode: cannot grow the output buffer past %zu bytes",
                       buf.len);
    if (st != GLIM_OK) {
        glim_free(buf.data);
        return st;
    }
    *bytes = buf.data;
    *len = buf.len;
    return GLIM_OK;
}

glim_status glim_image_save(const glim_image *img, const char *path, glim_codec codec,
                            const glim_encode_opts *opts, glim_error *err)
{
    if (!path) return glim_fail(err, GLIM_EINVAL, "save: NULL path");
    uint8_t *bytes;
    size_t len;
    glim_status st = glim_image_encode(img, codec, opts, &bytes, &len, err);
    if (st != GLIM_OK) return st;
    FILE *f = fopen(path, "wb");
    if (!f) {
        st = glim_fail(err, GLIM_EIO, "save: cannot open '%s': %s", path, strerror(errno));
    } else {
        size_t put = fwrite(bytes, 1, len, f);
        int bad = fclose(f) != 0 || put != len;
        if (bad) st = glim_fail(err, GLIM_EIO, "save: cannot write '%s': %s", path, strerror(errno));
    }
    glim_free(bytes);
    return st;
}
