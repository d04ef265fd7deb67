/* jpeg.c — JPEG through libjpeg-turbo.
 *
 * Decoding uses the library's defaults (islow DCT, fancy upsampling), the
 * same as Pillow, so pixels match it exactly. The colour converter writes the
 * wanted layout straight into the image rows (JCS_EXT_RGB / EXT_RGBA /
 * GRAYSCALE): no per-pixel loop of ours on the common path. CMYK and YCCK
 * come out as CMYK (Adobe files store it inverted) and are converted to RGB
 * here. max_side picks the smallest DCT scale n/8 whose longer side is still
 * >= the target, which skips most of the IDCT and upsampling work.
 *
 * libjpeg reports fatal errors through error_exit, which here formats the
 * message into the context and longjmps back to the single setjmp in
 * run_decode (or run_encode). Warnings (corrupt but decodable data) are
 * counted and ignored, as Pillow does; nothing is printed. Data ending before
 * the last scanline is an error, not a gray-padded image. */
#include "codec_internal.h"

#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

typedef struct jpeg_ctx {
    struct jpeg_error_mgr pub; /* first: libjpeg casts cinfo->err to this */
    jmp_buf jump;
    char msg[JMSG_LENGTH_MAX];
    int truncated, nomem;
    size_t len;
    codec_buf *out;
} jpeg_ctx;

static void on_error_exit(j_common_ptr cinfo)
{
    jpeg_ctx *c = (jpeg_ctx *)cinfo->err;
    if (cinfo->err->msg_code == JERR_OUT_OF_MEMORY) c->nomem = 1;
    if (!c->truncated) (*cinfo->err->format_message)(cinfo, c->msg);
    longjmp(c->jump, 1);
}

static void on_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void on_emit_message(j_common_ptr cinfo, int level)
{
    if (level < 0) cinfo->err->num_warnings++;
}

static void init_error(jpeg_ctx *c)
{
    memset(c, 0, sizeof *c);
    jpeg_std_error(&c->pub);
    c->pub.error_exit = on_error_exit;
    c->pub.output_message = on_output_message;
    c->pub.emit_message = on_emit_message;
}

/* ---- source: the caller's buffer, all of it at once --------------------- */

static void src_init(j_decompress_ptr cinfo) { (void)cinfo; }

static boolean src_fill(j_decompress_ptr cinfo)
{
    /* Only called once every byte has been consumed: the data is short. */
    jpeg_ctx *c = (jpeg_ctx *)cinfo->err;
    c->truncated = 1;
    ERREXIT(cinfo, JERR_INPUT_EOF);
    return FALSE;
}

static void src_skip(j_decompress_ptr cinfo, long n)
{
    struct jpeg_source_mgr *s = cinfo->src;
    if (n <= 0) return;
    if ((size_t)n > s->bytes_in_buffer) {
        s->next_input_byte += s->bytes_in_buffer;
        s->bytes_in_buffer = 0;
        src_fill(cinfo);
        return;
    }
    s->next_input_byte += n;
    s->bytes_in_buffer -= (size_t)n;
}

static void src_term(j_decompress_ptr cinfo) { (void)cinfo; }

/* ---- decode -------------------------------------------------------------- */

/* Pillow's CMYK -> RGB: R = (255 - C) * (255 - K) / 255 with its rounding.
 * `inv`: Adobe files store 255 - C etc. */
static void cmyk_row_to_rgb(const uint8_t *s, uint8_t *d, int w, int inv)
{
    for (int x = 0; x < w; x++, s += 4, d += 3) {
        unsigned k = inv ? s[3] : 255u - s[3]; /* 255 - K */
        for (int i = 0; i < 3; i++) {
            unsigned c = inv ? 255u - s[i] : s[i];
            unsigned t = c * k + 128;
            d[i] = (uint8_t)(k - (((t >> 8) + t) >> 8));
        }
    }
}

typedef struct decode_req {
    const uint8_t *bytes;
    size_t len;
    const glim_decode_opts *opts; /* NULL: probe only */
    int want_channels, scale_to;
    glim_image *img;
    codec_info *info;
    int width, height;
} decode_req;

static glim_status fail_decode(jpeg_ctx *c, struct jpeg_decompress_struct *cinfo,
                               glim_error *err)
{
    /* global_state values from jpegint.h: 202 DSTATE_READY (header read),
     * 205 DSTATE_SCANNING (reading rows). */
    if (c->truncated) {
        if (cinfo->global_state >= 205 && cinfo->output_height)
            return glim_fail(err, GLIM_EFORMAT, "decode: truncated JPEG (data ends at byte %zu, "
                             "at row %u of %u)", c->len, cinfo->output_scanline,
                             cinfo->output_height);
        return glim_fail(err, GLIM_EFORMAT, "decode: truncated JPEG (data ends at byte %zu, "
                         "in the %s)", c->len, cinfo->global_state >= 202 ? "image data" : "header");
    }
    if (c->nomem) return glim_fail(err, GLIM_ENOMEM, "decode: out of memory in JPEG decoder");
    int code = c->pub.msg_code;
    if (code == JERR_BAD_PRECISION || code == JERR_NOT_COMPILED)
        return glim_fail(err, GLIM_EUNSUPPORTED, "decode: unsupported JPEG (%s)", c->msg);
    return glim_fail(err, GLIM_EFORMAT, "decode: corrupt JPEG (%s)", c->msg);
}

/* All libjpeg calls of a decode, under one setjmp. */
static glim_status run_decode(decode_req *rq, glim_error *err)
{
    jpeg_ctx ctx;
    struct jpeg_decompress_struct cinfo;
    struct jpeg_source_mgr src;
    glim_image *volatile img = NULL;
    uint8_t **volatile rows = NULL;
    uint8_t *volatile cmyk = NULL;
    volatile glim_status st = GLIM_OK;

    init_error(&ctx);
    ctx.len = rq->len;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = &ctx.pub;
    if (setjmp(ctx.jump)) {
        if (st == GLIM_OK) st = fail_decode(&ctx, &cinfo, err);
        goto done;
    }
    jpeg_create_decompress(&cinfo);
    memset(&src, 0, sizeof src);
    src.init_source = src_init;
    src.fill_input_buffer = src_fill;
    src.skip_input_data = src_skip;
    src.resync_to_restart = jpeg_resync_to_restart;
    src.term_source = src_term;
    src.next_input_byte = rq->bytes;
    src.bytes_in_buffer = rq->len;
    cinfo.src = &src;
    const glim_decode_opts *opts = rq->opts;
    if (opts && opts->orient) jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&cinfo, TRUE);
    rq->width = (int)cinfo.image_width;
    rq->height = (int)cinfo.image_height;
    if (!opts) goto done; /* probe */

    st = codec_check_dims("JPEG", cinfo.image_width, cinfo.image_height, opts, err);
    if (st != GLIM_OK) goto done;
    rq->info->src_width = (int)cinfo.image_width;
    rq->info->src_height = (int)cinfo.image_height;
    for (jpeg_saved_marker_ptr m = cinfo.marker_list; m; m = m->next)
        if (m->marker == JPEG_APP0 + 1 && m->data_length > 6 &&
            memcmp(m->data, "Exif\0\0", 6) == 0) {
            rq->info->orientation = codec_exif_orientation(m->data + 6, m->data_length - 6);
            break;
        }

    int want = rq->want_channels, is_cmyk = 0;
    switch (cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
        cinfo.out_color_space = want == 3 ? JCS_EXT_RGB : want == 4 ? JCS_EXT_RGBA : JCS_GRAYSCALE;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        cinfo.out_color_space = JCS_CMYK;
        is_cmyk = 1;
        break;
    default: /* YCbCr, RGB */
        cinfo.out_color_space = want == 1 ? JCS_GRAYSCALE : want == 4 ? JCS_EXT_RGBA : JCS_EXT_RGB;
        break;
    }
    unsigned longer = cinfo.image_width > cinfo.image_height ? cinfo.image_width
                                                              : cinfo.image_height;
    if (rq->scale_to > 0 && longer > (unsigned)rq->scale_to) {
        unsigned num = 1;
        while (num < 8 && ((uint64_t)longer * num + 7) / 8 < (unsigned)rq->scale_to) num++;
        cinfo.scale_num = num;
        cinfo.scale_denom = 8;
    }
    jpeg_start_decompress(&cinfo);

    int W = (int)cinfo.output_width, H = (int)cinfo.output_height;
    int nc = cinfo.output_components;
    glim_pixfmt fmt = is_cmyk ? GLIM_FMT_RGB8 : nc == 1 ? GLIM_FMT_GRAY8
                    : nc == 4 ? GLIM_FMT_RGBA8 : GLIM_FMT_RGB8;
    glim_image *im = NULL;
    st = glim_image_new_uninit(W, H, fmt, &im, err);
    img = im;
    if (st != GLIM_OK) goto done;
    if (is_cmyk) {
        cmyk = glim_alloc((size_t)W * 4);
        if (!cmyk) {
            st = glim_fail(err, GLIM_ENOMEM, "decode: cannot allocate a JPEG row");
            goto done;
        }
        int inv = cinfo.saw_Adobe_marker;
        while (cinfo.output_scanline < cinfo.output_height) {
            uint8_t *row = cmyk;
            unsigned y = cinfo.output_scanline;
            jpeg_read_scanlines(&cinfo, &row, 1);
            cmyk_row_to_rgb(cmyk, im->data + (size_t)y * im->stride, W, inv);
        }
    } else {
        rows = glim_alloc(sizeof(uint8_t *) * (size_t)H);
        if (!rows) {
            st = glim_fail(err, GLIM_ENOMEM, "decode: cannot allocate the JPEG row table");
            goto done;
        }
        for (int y = 0; y < H; y++) rows[y] = im->data + (size_t)y * im->stride;
        while (cinfo.output_scanline < cinfo.output_height)
            jpeg_read_scanlines(&cinfo, rows + cinfo.output_scanline,
                                cinfo.output_height - cinfo.output_scanline);
    }
    /* Every row is decoded; whatever follows (EOI, trailers) is not read, so
     * jpeg_abort stands in for jpeg_finish_decompress. */
    jpeg_abort_decompress(&cinfo);

done:
    jpeg_destroy_decompress(&cinfo);
    glim_free(rows);
    glim_free(cmyk);
    if (st != GLIM_OK) {
        glim_image_free(img);
        return st;
    }
    rq->img = img;
    return GLIM_OK;
}

glim_status codec_jpeg_probe(const uint8_t *bytes, size_t len, int *w, int *h, glim_error *err)
{
    decode_req rq;
    memset(&rq, 0, sizeof rq);
    rq.bytes = bytes;
    rq.len = len;
    glim_status st = run_decode(&rq, err);
    if (st != GLIM_OK) return st;
    *w = rq.width;
    *h = rq.height;
    return GLIM_OK;
}

glim_status codec_jpeg_decode(const uint8_t *bytes, size_t len, const glim_decode_opts *opts,
                              int want_channels, int scale_to, glim_image **out,
                              codec_info *info, glim_error *err)
{
    decode_req rq;
    memset(&rq, 0, sizeof rq);
    rq.bytes = bytes;
    rq.len = len;
    rq.opts = opts;
    rq.want_channels = want_channels;
    rq.scale_to = scale_to;
    rq.info = info;
    glim_status st = run_decode(&rq, err);
    if (st != GLIM_OK) return st;
    *out = rq.img;
    return GLIM_OK;
}

/* ---- encode: a destination that grows a codec_buf ------------------------ */

static void dst_init(j_compress_ptr cinfo)
{
    jpeg_ctx *c = (jpeg_ctx *)cinfo->err;
    if (!codec_buf_reserve(c->out, 65536)) {
        c->nomem = 1;
        ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 1);
    }
    cinfo->dest->next_output_byte = c->out->data + c->out->len;
    cinfo->dest->free_in_buffer = c->out->cap - c->out->len;
}

static boolean dst_empty(j_compress_ptr cinfo)
{
    jpeg_ctx *c = (jpeg_ctx *)cinfo->err;
    c->out->len = c->out->cap; /* the whole window is full */
    if (!codec_buf_reserve(c->out, c->out->cap)) {
        c->nomem = 1;
        ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 2);
    }
    cinfo->dest->next_output_byte = c->out->data + c->out->len;
    cinfo->dest->free_in_buffer = c->out->cap - c->out->len;
    return TRUE;
}

static void dst_term(j_compress_ptr cinfo)
{
    jpeg_ctx *c = (jpeg_ctx *)cinfo->err;
    c->out->len = c->out->cap - cinfo->dest->free_in_buffer;
}

glim_status codec_jpeg_encode(const glim_image *img, const glim_encode_opts *opts,
                              codec_buf *out, glim_error *err)
{
    jpeg_ctx ctx;
    struct jpeg_compress_struct cinfo;
    struct jpeg_destination_mgr dst;
    volatile glim_status st = GLIM_OK;

    init_error(&ctx);
    ctx.out = out;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = &ctx.pub;
    if (setjmp(ctx.jump)) {
        st = ctx.nomem ? glim_fail(err, GLIM_ENOMEM, "encode: out of memory writing JPEG")
                       : glim_fail(err, GLIM_EFORMAT, "encode: JPEG writer failed (%s)", ctx.msg);
        goto done;
    }
    jpeg_create_compress(&cinfo);
    memset(&dst, 0, sizeof dst);
    dst.init_destination = dst_init;
    dst.empty_output_buffer = dst_empty;
    dst.term_destination = dst_term;
    cinfo.dest = &dst;
    cinfo.image_width = (JDIMENSION)img->width;
    cinfo.image_height = (JDIMENSION)img->height;
    switch (img->format) {
    case GLIM_FMT_GRAY8: cinfo.in_color_space = JCS_GRAYSCALE, cinfo.input_components = 1; break;
    case GLIM_FMT_BGR8: cinfo.in_color_space = JCS_EXT_BGR, cinfo.input_components = 3; break;
    case GLIM_FMT_RGBA8: cinfo.in_color_space = JCS_EXT_RGBX, cinfo.input_components = 4; break;
    default: cinfo.in_color_space = JCS_EXT_RGB, cinfo.input_components = 3; break;
    }
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, opts->quality, TRUE);
    if (opts->progressive) jpeg_simple_progression(&cinfo);
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = img->data + (size_t)cinfo.next_scanline * img->stride;
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
done:
    jpeg_destroy_compress(&cinfo);
    return st;
}
