/* bmp.c — Windows BMP, decoded and encoded by hand.
 *
 * Layout: a 14-byte file header ("BM", file size, reserved, pixel offset),
 * then a DIB header whose first 32-bit field is its own size: 12 (OS/2
 * BITMAPCOREHEADER, 16-bit sizes, 3-byte palette entries), 40
 * (BITMAPINFOHEADER), 52/56 (with RGB / RGBA masks), 64 (OS/2 2.x, read as
 * 40), 108 (V4) or 124 (V5). Rows are padded to 4 bytes and stored bottom-up
 * unless the height is negative. Supported: 1/2/4/8-bit palettes, 16/32-bit
 * BI_RGB and BI_BITFIELDS (alpha mask -> RGBA), 24-bit, RLE8 and RLE4.
 * Little endian throughout. */
#include "codec_internal.h"

#include <string.h>
#ifdef __SSSE3__
#include <tmmintrin.h>
#endif

enum { BI_RGB = 0, BI_RLE8 = 1, BI_RLE4 = 2, BI_BITFIELDS = 3, BI_ALPHABITFIELDS = 6 };

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static unsigned rd16(const uint8_t *p) { return (unsigned)p[0] | (unsigned)p[1] << 8; }

typedef struct bmp_header {
    int64_t width, height; /* height > 0 after top-down is noted */
    int topdown;
    unsigned bpp;
    uint32_t compression;
    uint32_t offset;       /* of the pixel data */
    uint32_t masks[4];     /* r, g, b, a (bitfields) */
    size_t pal_pos;        /* palette start, entry size, entry count */
    unsigned pal_entry, pal_count;
} bmp_header;

static glim_status parse_header(const uint8_t *b, size_t len, bmp_header *h, glim_error *err)
{
    memset(h, 0, sizeof *h);
    if (len < 18)
        return glim_fail(err, GLIM_EFORMAT, "decode: truncated BMP (file header needs 18 bytes, "
                         "have %zu)", len);
    h->offset = rd32(b + 10);
    uint32_t hsize = rd32(b + 14);
    if (hsize != 12 && hsize != 40 && hsize != 52 && hsize != 56 && hsize != 64 &&
        hsize != 108 && hsize != 124)
        return glim_fail(err, GLIM_EFORMAT, "decode: BMP info header has unknown size %u",
                         (unsigned)hsize);
    if (len - 14 < hsize)
        return glim_fail(err, GLIM_EFORMAT, "decode: truncated BMP (info header needs %u bytes "
                         "at offset 14, file has %zu)", (unsigned)hsize, len);
    const uint8_t *d = b + 14;
    if (hsize == 12) {
        h->width = rd16(d + 4);
        h->height = rd16(d + 6);
        h->bpp = rd16(d + 10);
        h->pal_entry = 3;
    } else {
        h->width = (int32_t)rd32(d + 4);
        h->height = (int32_t)rd32(d + 8);
        h->bpp = rd16(d + 14);
        h->compression = rd32(d + 16);
        h->pal_count = rd32(d + 32);
        h->pal_entry = 4;
        if (hsize == 64 && h->compression != BI_RGB)
            return glim_fail(err, GLIM_EUNSUPPORTED,
                             "decode: OS/2 BMP compression %u is not supported",
                             (unsigned)h->compression);
    }
    if (h->width < 0)
        return glim_fail(err, GLIM_EFORMAT, "decode: BMP header declares a negative width %lld",
                         (long long)h->width);
    if (h->height < 0) {
        h->topdown = 1;
        h->height = -h->height; /* int64: INT32_MIN is safe here */
    }
    size_t after = 14 + (size_t)hsize;
    switch (h->compression) {
    case BI_RGB: break;
    case BI_BITFIELDS:
    case BI_ALPHABITFIELDS: {
        if (h->bpp != 16 && h->bpp != 32)
            return glim_fail(err, GLIM_EFORMAT, "decode: BMP bitfields need 16 or 32 bits per "
                             "pixel, not %u", h->bpp);
        unsigned nmask = h->compression == BI_ALPHABITFIELDS || hsize >= 56 ? 4 : 3;
        const uint8_t *m = d + 40;
        if (hsize == 40) { /* the masks follow the header */
            if (len - after < 4 * (size_t)nmask)
                return glim_fail(err, GLIM_EFORMAT, "decode: truncated BMP (colour masks)");
            after += 4 * (size_t)nmask;
        }
        for (unsigned i = 0; i < nmask; i++) h->masks[i] = rd32(m + 4 * i);
        break;
    }
    case BI_RLE8:
    case BI_RLE4:
        if (h->bpp != (h->compression == BI_RLE8 ? 8u : 4u))
            return glim_fail(err, GLIM_EFORMAT, "decode: BMP RLE%u with %u bits per pixel",
                             h->compression == BI_RLE8 ? 8u : 4u, h->bpp);
        if (h->topdown)
            return glim_fail(err, GLIM_EFORMAT, "decode: BMP RLE cannot be top-down");
        break;
    default:
        return glim_fail(err, GLIM_EUNSUPPORTED, "decode: BMP compression %u is not supported",
                         (unsigned)h->compression);
    }
    if (h->compression == BI_RGB) {
        switch (h->bpp) {
        case 1: case 2: case 4: case 8: case 24: case 32: break;
        case 16: /* BI_RGB 16-bit is 5-5-5 */
            h->masks[0] = 0x7C00, h->masks[1] = 0x03E0, h->masks[2] = 0x001F;
            break;
        default:
            return glim_fail(err, GLIM_EFORMAT, "decode: BMP has %u bits per pixel", h->bpp);
        }
    }
    if (h->bpp <= 8) {
        unsigned maxc = 1u << h->bpp;
        if (h->pal_count == 0 || h->pal_count > maxc) h->pal_count = maxc;
        h->pal_pos = after;
        /* A palette cut short by the pixel offset or the file keeps what fits;
         * indices past it read as black. */
        size_t room = len > after ? len - after : 0;
        if (h->offset > after && h->offset - after < room) room = h->offset - after;
        if ((size_t)h->pal_count * h->pal_entry > room)
            h->pal_count = (unsigned)(room / h->pal_entry);
        if (h->pal_count == 0)
            return glim_fail(err, GLIM_EFORMAT, "decode: BMP palette is missing");
    }
    return GLIM_OK;
}

glim_status codec_bmp_probe(const uint8_t *bytes, size_t len, int *w, int *h, glim_error *err)
{
    bmp_header hd;
    glim_status st = parse_header(bytes, len, &hd, err);
    if (st != GLIM_OK) return st;
    *w = hd.width > INT32_MAX ? INT32_MAX : (int)hd.width;
    *h = hd.height > INT32_MAX ? INT32_MAX : (int)hd.height;
    return GLIM_OK;
}

/* One channel from a bitfield: its shift, width and an 8-bit rescale. */
typedef struct field { unsigned shift; uint32_t max; } field;

static int make_field(uint32_t mask, field *f)
{
    f->shift = 0;
    f->max = 0;
    if (!mask) return 1;
    while (!(mask & 1)) mask >>= 1, f->shift++;
    if (mask & (mask + 1)) return 0; /* not contiguous */
    f->max = mask;
    return 1;
}

static inline uint8_t field_get(const field *f, uint32_t px)
{
    if (!f->max) return 0;
    uint32_t v = (px >> f->shift) & f->max;
    if (f->max == 255) return (uint8_t)v;
    return (uint8_t)(((uint64_t)v * 255 + f->max / 2) / f->max);
}

/* RLE8 / RLE4, rows bottom-up: (count, index) runs, or escapes after a 0
 * byte: 0 end of line, 1 end of bitmap, 2 move by (dx, dy), n >= 3 n literal
 * indices padded to 16 bits. RLE4 runs alternate the two nibbles. Pixels
 * never written keep index 0; anything past the image is dropped. */
static glim_status rle_decode(const uint8_t *p, size_t n, int W, int H, int four, uint8_t *idx,
                              glim_error *err)
{
    size_t i = 0;
    long x = 0, y = 0; /* y counts up from the bottom row */
    for (;;) {
        if (y >= H) return GLIM_OK; /* everything after the top row is ignored */
        if (n - i < 2) break;
        unsigned a = p[i], b = p[i + 1];
        i += 2;
        uint8_t *row = idx + (size_t)(H - 1 - y) * (size_t)W;
        if (a) {
            for (unsigned k = 0; k < a; k++, x++)
                if (x < W) row[x] = (uint8_t)(four ? (k & 1 ? b & 15 : b >> 4) : b);
            continue;
        }
        if (b == 0) {
            x = 0, y++;
        } else if (b == 1) {
            return GLIM_OK;
        } else if (b == 2) {
            if (n - i < 2) break;
            x += p[i], y += p[i + 1];
            i += 2;
        } else {
            size_t bytes = four ? (b + 1) / 2 : b;
            if (n - i < bytes) break;
            for (unsigned k = 0; k < b; k++, x++)
                if (x < W)
                    row[x] = four ? (uint8_t)((p[i + k / 2] >> (k & 1 ? 0 : 4)) & 15) : p[i + k];
            i += bytes + (bytes & 1);
            if (i > n) i = n; /* a final pad byte may be missing */
        }
    }
    return glim_fail(err, GLIM_EFORMAT, "decode: truncated BMP (RLE data ends at byte %zu of "
                     "the pixel data, in row %ld of %d)", n, H - y, H);
}

/* BGR -> RGB for one row. With SSSE3, five pixels per shuffle: each step
 * loads and stores 16 bytes but advances 15, so it runs while at least six
 * pixels remain (the 16th byte is rewritten by the next step or the tail). */
static void bgr_to_rgb(const uint8_t *s, uint8_t *d, int w)
{
    int x = 0;
#ifdef __SSSE3__
    const __m128i shuf = _mm_setr_epi8(2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9, 14, 13, 12, 15);
    for (; x + 6 <= w; x += 5, s += 15, d += 15)
        _mm_storeu_si128((__m128i *)d, _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)s), shuf));
#endif
    for (; x < w; x++, s += 3, d += 3) d[0] = s[2], d[1] = s[1], d[2] = s[0];
}

glim_status codec_bmp_decode(const uint8_t *bytes, size_t len, const glim_decode_opts *opts,
                             glim_image **out, codec_info *info, glim_error *err)
{
    bmp_header h;
    glim_status st = parse_header(bytes, len, &h, err);
    if (st != GLIM_OK) return st;
    st = codec_check_dims("BMP", (uint64_t)h.width, (uint64_t)h.height, opts, err);
    if (st != GLIM_OK) return st;
    const int W = (int)h.width, H = (int)h.height;
    info->src_width = W;
    info->src_height = H;

    int rle = h.compression == BI_RLE8 || h.compression == BI_RLE4;
    size_t stride = ((size_t)W * h.bpp + 31) / 32 * 4;
    size_t last = ((size_t)W * h.bpp + 7) / 8; /* the final row may lack padding */
    size_t need = rle ? 2 : stride * (size_t)(H - 1) + last;
    if (h.offset > len || len - h.offset < need)
        return glim_fail(err, GLIM_EFORMAT, "decode: truncated BMP (pixel data needs %zu bytes "
                         "at offset %u, file has %zu)", need, (unsigned)h.offset, len);

    uint8_t pal[256][3];
    memset(pal, 0, sizeof pal);
    int gray = 1;
    if (h.bpp <= 8) {
        for (unsigned i = 0; i < h.pal_count; i++) {
            const uint8_t *e = bytes + h.pal_pos + (size_t)i * h.pal_entry;
            pal[i][0] = e[2], pal[i][1] = e[1], pal[i][2] = e[0];
            if (e[0] != e[1] || e[1] != e[2]) gray = 0;
        }
    }
    field f[4];
    int has_alpha = 0;
    if (h.bpp == 16 || (h.bpp == 32 && h.compression != BI_RGB)) {
        for (int i = 0; i < 4; i++)
            if (!make_field(h.masks[i], &f[i]))
                return glim_fail(err, GLIM_EFORMAT, "decode: BMP colour mask %08x is not "
                                 "contiguous", (unsigned)h.masks[i]);
        has_alpha = f[3].max != 0;
    }
    glim_pixfmt fmt = h.bpp <= 8 ? (gray ? GLIM_FMT_GRAY8 : GLIM_FMT_RGB8)
                                 : has_alpha ? GLIM_FMT_RGBA8 : GLIM_FMT_RGB8;
    glim_image *img;
    st = glim_image_new_uninit(W, H, fmt, &img, err);
    if (st != GLIM_OK) return st;

    const uint8_t *base = bytes + h.offset;
    if (rle) {
        uint8_t *plane = glim_calloc((size_t)W, (size_t)H);
        if (!plane) {
            glim_image_free(img);
            return glim_fail(err, GLIM_ENOMEM, "decode: cannot allocate %dx%d BMP indices", W, H);
        }
        st = rle_decode(base, len - h.offset, W, H, h.compression == BI_RLE4, plane, err);
        for (size_t i = 0, n = (size_t)W * (size_t)H; st == GLIM_OK && i < n; i++) {
            if (gray) img->data[i] = pal[plane[i]][0];
            else memcpy(img->data + 3 * i, pal[plane[i]], 3);
        }
        glim_free(plane);
        if (st != GLIM_OK) {
            glim_image_free(img);
            return st;
        }
        *out = img;
        return GLIM_OK;
    }
    for (int y = 0; y < H; y++) {
        const uint8_t *s = base + (size_t)(h.topdown ? y : H - 1 - y) * stride;
        uint8_t *d = img->data + (size_t)y * img->stride;
        switch (h.bpp) {
        case 1: case 2: case 4: case 8: {
            unsigned per = 8 / h.bpp, mask = (1u << h.bpp) - 1;
            for (int x = 0; x < W; x++) {
                unsigned bit = (unsigned)(x % per), byte = s[x / per];
                unsigned idx = (byte >> (8 - h.bpp * (bit + 1))) & mask;
                /* entries past pal_count stay zeroed: black */
                if (gray) d[x] = pal[idx][0];
                else memcpy(d + 3 * x, pal[idx], 3);
            }
            break;
        }
        case 24:
            bgr_to_rgb(s, d, W);
            break;
        case 32:
            if (h.compression == BI_RGB) { /* BGRX: the 4th byte is unused */
                for (int x = 0; x < W; x++, s += 4, d += 3) d[0] = s[2], d[1] = s[1], d[2] = s[0];
                break;
            }
            for (int x = 0; x < W; x++, s += 4) {
                uint32_t px = rd32(s);
                *d++ = field_get(&f[0], px), *d++ = field_get(&f[1], px);
                *d++ = field_get(&f[2], px);
                if (has_alpha) *d++ = field_get(&f[3], px);
            }
            break;
        case 16:
            for (int x = 0; x < W; x++, s += 2) {
                uint32_t px = rd16(s);
                *d++ = field_get(&f[0], px), *d++ = field_get(&f[1], px);
                *d++ = field_get(&f[2], px);
                if (has_alpha) *d++ = field_get(&f[3], px);
            }
            break;
        }
    }
    *out = img;
    return GLIM_OK;
}

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

/* GRAY8 -> 8-bit with a gray palette, RGB8/BGR8 -> 24-bit, RGBA8 -> 32-bit
 * BI_BITFIELDS with a V4 header (so the alpha mask is explicit). */
glim_status codec_bmp_encode(const glim_image *img, const glim_encode_opts *opts,
                             codec_buf *out, glim_error *err)
{
    (void)opts;
    const int W = img->width, H = img->height;
    unsigned bpp = img->channels * 8u;
    uint32_t hsize = img->channels == 4 ? 108 : 40;
    uint32_t palsize = img->channels == 1 ? 256 * 4 : 0;
    uint64_t stride = ((uint64_t)W * bpp + 31) / 32 * 4;
    uint64_t offset = 14 + hsize + palsize, total = offset + stride * (uint64_t)H;
    if (total > UINT32_MAX)
        return glim_fail(err, GLIM_EINVAL, "encode: %dx%d is too large for BMP", W, H);
    if (!codec_buf_reserve(out, (size_t)total))
        return glim_fail(err, GLIM_ENOMEM, "encode: cannot allocate %llu bytes for BMP",
                         (unsigned long long)total);
    uint8_t *p = out->data;
    memset(p, 0, (size_t)offset);
    p[0] = 'B', p[1] = 'M';
    put32(p + 2, (uint32_t)total);
    put32(p + 10, (uint32_t)offset);
    uint8_t *d = p + 14;
    put32(d, hsize);
    put32(d + 4, (uint32_t)W);
    put32(d + 8, (uint32_t)H); /* bottom-up, the most widely read form */
    put16(d + 12, 1);
    put16(d + 14, bpp);
    put32(d + 16, img->channels == 4 ? BI_BITFIELDS : BI_RGB);
    put32(d + 20, (uint32_t)(stride * (uint64_t)H));
    put32(d + 24, 2835), put32(d + 28, 2835); /* 72 dpi */
    if (img->channels == 1) put32(d + 32, 256);
    if (img->channels == 4) {
        put32(d + 40, 0x00FF0000), put32(d + 44, 0x0000FF00);
        put32(d + 48, 0x000000FF), put32(d + 52, 0xFF000000);
        put32(d + 56, 0x73524742); /* LCS_sRGB */
    }
    for (unsigned i = 0; i < palsize / 4; i++) {
        uint8_t *e = p + 14 + hsize + 4 * i;
        e[0] = e[1] = e[2] = (uint8_t)i;
    }
    const int bgr = img->format == GLIM_FMT_BGR8;
    for (int y = 0; y < H; y++) {
        const uint8_t *s = img->data + (size_t)(H - 1 - y) * img->stride;
        uint8_t *row = p + offset + (size_t)y * stride, *q = row;
        if (img->channels == 1) {
            memcpy(q, s, (size_t)W);
            q += W;
        } else if (img->channels == 3 && bgr) {
            memcpy(q, s, (size_t)W * 3);
            q += (size_t)W * 3;
        } else if (img->channels == 3) {
            for (int x = 0; x < W; x++, s += 3, q += 3) q[0] = s[2], q[1] = s[1], q[2] = s[0];
        } else {
            for (int x = 0; x < W; x++, s += 4, q += 4)
                q[0] = s[2], q[1] = s[1], q[2] = s[0], q[3] = s[3];
        }
        memset(q, 0, (size_t)(row + stride - q));
    }
    out->len = (size_t)total;
    return GLIM_OK;
}
