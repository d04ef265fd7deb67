/* png.c — PNG through libpng.
 *
 * Every variant decodes to 8 bits per channel: gray -> GRAY8; gray+alpha and
 * gray with tRNS -> RGBA8 (an image has 1, 3 or 4 channels); palette -> RGB8
 * or RGBA8 with tRNS; RGB -> RGB8 (RGBA8 with tRNS); RGBA -> RGBA8. 16-bit
 * samples keep their high byte (libpng's strip_16, as Pillow does); sub-byte
 * gray is scaled to 0..255. Interlaced files are de-interlaced by libpng. An
 * eXIf chunk before the pixel data supplies the orientation.
 *
 * libpng reports errors by longjmp. All libpng calls of a decode or encode
 * happen in one function that owns the setjmp, whose locals that change after
 * it are volatile. The error hook copies libpng's text into the context, and
 * the warning hook drops warnings: libpng never prints here. */
#include "codec_internal.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

typedef struct png_ctx {
    const uint8_t *data;
    size_t len, pos;
    int truncated;       /* the read hook ran out of bytes */
    int nomem;           /* the write hook could not grow its buffer */
    int row, rows;       /* progress, for messages */
    char msg[160];
    codec_buf *out;
} png_ctx;

static void on_error(png_structp png, png_const_charp msg)
{
    png_ctx *c = png_get_error_ptr(png);
    snprintf(c->msg, sizeof c->msg, "%s", msg ? msg : "unknown error");
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

static void read_hook(png_structp png, png_bytep dst, size_t n)
{
    png_ctx *c = png_get_io_ptr(png);
    if (n > c->len - c->pos) {
        c->truncated = 1;
        png_error(png, "unexpected end of data");
    }
    memcpy(dst, c->data + c->pos, n);
    c->pos += n;
}

static glim_status fail_from_ctx(const png_ctx *c, glim_error *err)
{
    if (c->truncated) {
        if (c->rows)
            return glim_fail(err, GLIM_EFORMAT, "decode: truncated PNG (data ends at byte %zu, "
                             "in row %d of %d)", c->len, c->row + 1, c->rows);
        return glim_fail(err, GLIM_EFORMAT, "decode: truncated PNG (data ends at byte %zu, "
                         "before the pixel data)", c->len);
    }
    return glim_fail(err, GLIM_EFORMAT, "decode: corrupt PNG (%s, near byte %zu)", c->msg, c->pos);
}

glim_status codec_png_probe(const uint8_t *b, size_t len, int *w, int *h, glim_error *err)
{
    if (len < 24 || memcmp(b + 12, "IHDR", 4) != 0)
        return glim_fail(err, GLIM_EFORMAT, "decode: truncated PNG (no IHDR chunk in %zu bytes)",
                         len);
    uint32_t W = (uint32_t)b[16] << 24 | (uint32_t)b[17] << 16 | (uint32_t)b[18] << 8 | b[19];
    uint32_t H = (uint32_t)b[20] << 24 | (uint32_t)b[21] << 16 | (uint32_t)b[22] << 8 | b[23];
    *w = W > INT32_MAX ? INT32_MAX : (int)W;
    *h = H > INT32_MAX ? INT32_MAX : (int)H;
    return GLIM_OK;
}

glim_status codec_png_decode(const uint8_t *bytes, size_t len, const glim_decode_opts *opts,
                             glim_image **out, codec_info *info, glim_error *err)
{
    png_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.data = bytes;
    ctx.len = len;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, on_error, on_warning);
    png_infop pinfo = png ? png_create_info_struct(png) : NULL;
    if (!pinfo) {
        png_destroy_read_struct(png ? &png : NULL, NULL, NULL);
        return glim_fail(err, GLIM_ENOMEM, "decode: cannot create a PNG reader");
    }
    glim_image *volatile img = NULL;
    uint8_t **volatile rows = NULL;
    volatile glim_status st = GLIM_OK;

    if (setjmp(png_jmpbuf(png))) {
        if (st == GLIM_OK) st = fail_from_ctx(&ctx, err);
        goto done;
    }
    png_set_read_fn(png, &ctx, read_hook);
    /* glimpse applies its own limits (codec_check_dims) with clearer codes. */
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
    png_read_info(png, pinfo);

    png_uint_32 w, h;
    int depth, ctype, interlace;
    png_get_IHDR(png, pinfo, &w, &h, &depth, &ctype, &interlace, NULL, NULL);
    st = codec_check_dims("PNG", w, h, opts, err);
    if (st != GLIM_OK) goto done;
    info->src_width = (int)w;
    info->src_height = (int)h;
#ifdef PNG_eXIf_SUPPORTED
    png_uint_32 exif_len = 0;
    png_bytep exif = NULL;
    if (png_get_eXIf_1(png, pinfo, &exif_len, &exif) && exif)
        info->orientation = codec_exif_orientation(exif, exif_len);
#endif

    int trns = png_get_valid(png, pinfo, PNG_INFO_tRNS) != 0;
    if (depth == 16) png_set_strip_16(png);
    if (ctype == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (ctype == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (trns) png_set_tRNS_to_alpha(png);
    if (ctype == PNG_COLOR_TYPE_GRAY_ALPHA || (ctype == PNG_COLOR_TYPE_GRAY && trns))
        png_set_gray_to_rgb(png);
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, pinfo);

    int channels = png_get_channels(png, pinfo);
    glim_pixfmt fmt = channels == 1 ? GLIM_FMT_GRAY8 : channels == 3 ? GLIM_FMT_RGB8
                    : channels == 4 ? GLIM_FMT_RGBA8 : GLIM_FMT_COUNT;
    if (fmt == GLIM_FMT_COUNT || png_get_bit_depth(png, pinfo) != 8 ||
        png_get_rowbytes(png, pinfo) != (size_t)w * (size_t)channels) {
        st = glim_fail(err, GLIM_EUNSUPPORTED, "decode: PNG colour type %d at %d bits "
                       "gives an unexpected layout", ctype, depth);
        goto done;
    }
    glim_image *im = NULL;
    st = glim_image_new_uninit((int)w, (int)h, fmt, &im, err);
    img = im;
    if (st != GLIM_OK) goto done;
    rows = glim_alloc(sizeof(uint8_t *) * h);
    if (!rows) {
        st = glim_fail(err, GLIM_ENOMEM, "decode: cannot allocate PNG row table");
        goto done;
    }
    for (png_uint_32 y = 0; y < h; y++) rows[y] = im->data + (size_t)y * im->stride;
    ctx.rows = (int)h;
    /* Row by row rather than png_read_image, so an error can say where. For
     * interlaced files every pass revisits all rows. */
    for (int pass = 0; pass < passes; pass++)
        for (ctx.row = 0; ctx.row < (int)h; ctx.row++) png_read_row(png, rows[ctx.row], NULL);
    ctx.rows = 0;
    png_read_end(png, NULL);

done:
    png_destroy_read_struct(&png, &pinfo, NULL);
    glim_free(rows);
    if (st != GLIM_OK) {
        glim_image_free(img);
        return st;
    }
    *out = img;
    return GLIM_OK;
}

static void write_hook(png_structp png, png_bytep src, size_t n)
{
    png_ctx *c = png_get_io_ptr(png);
    if (!codec_buf_append(c->out, src, n)) {
        c->nomem = 1;
        png_error(png, "out of memory");
    }
}

static void flush_hook(png_structp png) { (void)png; }

glim_status codec_png_encode(const glim_image *img, const glim_encode_opts *opts,
                             codec_buf *out, glim_error *err)
{
    png_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.out = out;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &ctx, on_error, on_warning);
    png_infop pinfo = png ? png_create_info_struct(png) : NULL;
    if (!pinfo) {
        png_destroy_write_struct(png ? &png : NULL, NULL);
        return glim_fail(err, GLIM_ENOMEM, "encode: cannot create a PNG writer");
    }
    volatile glim_status st = GLIM_OK;
    if (setjmp(png_jmpbuf(png))) {
        st = ctx.nomem ? glim_fail(err, GLIM_ENOMEM, "encode: out of memory writing PNG")
                       : glim_fail(err, GLIM_EFORMAT, "encode: PNG writer failed (%s)", ctx.msg);
        goto done;
    }
    int ctype = img->channels == 1 ? PNG_COLOR_TYPE_GRAY
              : img->channels == 4 ? PNG_COLOR_TYPE_RGBA : PNG_COLOR_TYPE_RGB;
    png_set_write_fn(png, &ctx, write_hook, flush_hook);
    png_set_IHDR(png, pinfo, (png_uint_32)img->width, (png_uint_32)img->height, 8, ctype,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(png, opts->png_compression);
    png_write_info(png, pinfo);
    if (img->format == GLIM_FMT_BGR8) png_set_bgr(png);
    for (int y = 0; y < img->height; y++)
        png_write_row(png, img->data + (size_t)y * img->stride);
    png_write_end(png, pinfo);
done:
    png_destroy_write_struct(&png, &pinfo);
    return st;
}
