/*
 * warp.c — perspective transforms: the 3x3 matrix between two quads
 * (cv2.getPerspectiveTransform), warping an image through it
 * (cv2.warpPerspective) and PaddleOCR's rotated text-line crop.
 *
 * Matrix: dst ~ m * (x, y, 1); with m[8] = 1 the eight other entries solve
 *     u_i = (m0 x_i + m1 y_i + m2) / (m6 x_i + m7 y_i + 1)
 *     v_i = (m3 x_i + m4 y_i + m5) / (m6 x_i + m7 y_i + 1),  i = 0..3,
 * a linear 8x8 system (Gaussian elimination with partial pivoting).
 *
 * Warp: each output pixel (x, y) maps back through m^-1. Like OpenCV, the
 * source position is rounded to 1/32 px (INTER_BITS = 5) and the filter
 * weights are 15-bit fixed point, so the output agrees with
 * cv2.warpPerspective within one level. Bicubic is OpenCV's INTER_CUBIC
 * (Keys, a = -0.75, 4x4 taps, no antialiasing); samples outside the image
 * replicate the edge or take the fill value, tap by tap.
 */
#include "process.h"

#include <limits.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <math.h>
#include <string.h>

#define SUB_BITS 5
#define SUB (1 << SUB_BITS)  /* sub-pixel positions per pixel */
#define COEF_BITS 15
#define COEF_ONE (1 << COEF_BITS)

void glim_warp_opts_init(glim_warp_opts *o)
{
    o->filter = GLIM_FILTER_BILINEAR;
    o->border = GLIM_BORDER_REPLICATE;
    memset(o->fill, 0, sizeof o->fill);
}

static int quad_degenerate(const double q[8])
{
    double scale = 0;
    for (int i = 0; i < 8; i++) {
        if (!isfinite(q[i])) return 1;
        scale = fmax(scale, fabs(q[i]));
    }
    /* Any three corners on a line (within rounding) leave the system singular. */
    double eps = 1e-10 * (scale * scale + 1);
    for (int a = 0; a < 4; a++)
        for (int b = a + 1; b < 4; b++)
            for (int c = b + 1; c < 4; c++) {
                double cr = (q[2 * b] - q[2 * a]) * (q[2 * c + 1] - q[2 * a + 1]) -
                            (q[2 * b + 1] - q[2 * a + 1]) * (q[2 * c] - q[2 * a]);
                if (fabs(cr) <= eps) return 1;
            }
    return 0;
}

glim_status glim_perspective_transform(const double src[8], const double dst[8], double m[9],
                                       glim_error *err)
{
    if (!src || !dst || !m) return glim_fail(err, GLIM_EINVAL, "perspective: NULL argument");
    if (quad_degenerate(src))
        return glim_fail(err, GLIM_EINVAL,
                         "perspective: source quad is degenerate (three corners on a line)");
    if (quad_degenerate(dst))
        return glim_fail(err, GLIM_EINVAL,
                         "perspective: destination quad is degenerate (three corners on a line)");
    double a[8][9];
    for (int i = 0; i < 4; i++) {
        double x = src[2 * i], y = src[2 * i + 1], u = dst[2 * i], v = dst[2 * i + 1];
        double r0[9] = {x, y, 1, 0, 0, 0, -x * u, -y * u, u};
        double r1[9] = {0, 0, 0, x, y, 1, -x * v, -y * v, v};
        memcpy(a[i], r0, sizeof r0);
        memcpy(a[i + 4], r1, sizeof r1);
    }
    for (int col = 0; col < 8; col++) {
        int piv = col;
        for (int r = col + 1; r < 8; r++)
            if (fabs(a[r][col]) > fabs(a[piv][col])) piv = r;
        if (!(fabs(a[piv][col]) > 1e-12))
            return glim_fail(err, GLIM_EINVAL, "perspective: the quads give a singular system");
        if (piv != col)
            for (int k = 0; k < 9; k++) {
                double t = a[col][k];
                a[col][k] = a[piv][k];
                a[piv][k] = t;
            }
        for (int r = 0; r < 8; r++) {
            if (r == col) continue;
            double f = a[r][col] / a[col][col];
            if (f == 0) continue;
            for (int k = col; k < 9; k++) a[r][k] -= f * a[col][k];
        }
    }
    for (int i = 0; i < 8; i++) m[i] = a[i][8] / a[i][i];
    m[8] = 1;
    for (int i = 0; i < 9; i++)
        if (!isfinite(m[i]))
            return glim_fail(err, GLIM_EINVAL, "perspective: the quads give a non-finite matrix");
    return GLIM_OK;
}

/* inv = m^-1 by the adjugate; 0 when m is singular. */
static int invert3(const double m[9], double inv[9])
{
    double c0 = m[4] * m[8] - m[5] * m[7];
    double c1 = m[5] * m[6] - m[3] * m[8];
    double c2 = m[3] * m[7] - m[4] * m[6];
    double det = m[0] * c0 + m[1] * c1 + m[2] * c2;
    double scale = 0;
    for (int i = 0; i < 9; i++) scale = fmax(scale, fabs(m[i]));
    if (!isfinite(det) || fabs(det) <= 1e-14 * scale * scale * scale) return 0;
    double d = 1.0 / det;
    inv[0] = c0 * d;
    inv[1] = (m[2] * m[7] - m[1] * m[8]) * d;
    inv[2] = (m[1] * m[5] - m[2] * m[4]) * d;
    inv[3] = c1 * d;
    inv[4] = (m[0] * m[8] - m[2] * m[6]) * d;
    inv[5] = (m[2] * m[3] - m[0] * m[5]) * d;
    inv[6] = c2 * d;
    inv[7] = (m[1] * m[6] - m[0] * m[7]) * d;
    inv[8] = (m[0] * m[4] - m[1] * m[3]) * d;
    return 1;
}

/* double -> int rounding half to even, saturated (OpenCV's saturate_cast). */
static int sat_round(double v)
{
    if (!(v > INT_MIN)) return INT_MIN; /* NaN lands here too */
    if (v >= INT_MAX) return INT_MAX;
#if defined(__SSE2__)
    /* cvtsd2si rounds in the current mode (to nearest even, as lrint);
     * lrint itself is an out-of-line libm call per coordinate. */
    return _mm_cvtsd_si32(_mm_set_sd(v));
#else
    return (int)lrint(v);
#endif
}

/* Integer weights (summing to COEF_ONE) for each of the SUB x SUB sub-pixel
 * positions, `taps` per axis (2 bilinear, 4 bicubic): 1-D float weights,
 * their outer product, each rounded, the rounding error added to the
 * largest weight. */
typedef struct wtab { int taps; int32_t w[SUB * SUB][16]; } wtab;

static void axis_weights(int taps, double t, double *c)
{
    if (taps == 2) {
        c[0] = 1 - t;
        c[1] = t;
        return;
    }
    const double A = -0.75;
    c[0] = ((A * (t + 1) - 5 * A) * (t + 1) + 8 * A) * (t + 1) - 4 * A;
    c[1] = ((A + 2) * t - (A + 3)) * t * t + 1;
    c[2] = ((A + 2) * (1 - t) - (A + 3)) * (1 - t) * (1 - t) + 1;
    c[3] = 1 - c[0] - c[1] - c[2];
}

static void build_table(wtab *tab, int taps)
{
    tab->taps = taps;
    double cy[4], cx[4];
    for (int fy = 0; fy < SUB; fy++) {
        axis_weights(taps, (double)fy / SUB, cy);
        for (int fx = 0; fx < SUB; fx++) {
            axis_weights(taps, (double)fx / SUB, cx);
            int32_t *w = tab->w[fy * SUB + fx];
            int sum = 0, imax = 0;
            for (int j = 0; j < taps; j++)
                for (int i = 0; i < taps; i++) {
                    int k = j * taps + i;
                    w[k] = sat_round(cy[j] * cx[i] * COEF_ONE);
                    sum += w[k];
                    if (w[k] > w[imax]) imax = k;
                }
            w[imax] += COEF_ONE - sum;
        }
    }
}

static inline uint8_t clamp_u8(int32_t v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }

/* One output pixel from taps x taps source pixels starting at s0. */
static inline __attribute__((always_inline)) void interior(const uint8_t *s0, size_t stride,
                                                           const int32_t *w, int taps, int ch,
                                                           uint8_t *d)
{
    int32_t acc[4] = {0, 0, 0, 0};
#pragma GCC unroll 4
    for (int j = 0; j < taps; j++) {
        const uint8_t *row = s0 + (size_t)j * stride;
#pragma GCC unroll 4
        for (int i = 0; i < taps; i++) {
            int32_t wt = w[j * taps + i];
#pragma GCC unroll 4
            for (int c = 0; c < ch; c++) acc[c] += wt * row[i * ch + c];
        }
    }
#pragma GCC unroll 4
    for (int c = 0; c < ch; c++) d[c] = clamp_u8((acc[c] + (1 << (COEF_BITS - 1))) >> COEF_BITS);
}

typedef struct warp_ctx {
    const glim_image *src;
    const wtab *tab;  /* NULL: nearest */
    int replicate;    /* else constant `fill` */
    const uint8_t *fill;
} warp_ctx;

/* A sample whose taps reach past the image: each tap replicates the edge
 * or takes the fill value. */
static void sample_edge(const warp_ctx *c, int ix, int iy, int fx, int fy, int taps, int ch,
                        uint8_t *d)
{
    const glim_image *src = c->src;
    const int sw = src->width, sh = src->height, off = taps == 4 ? 1 : 0;
    const int x0 = ix - off, y0 = iy - off;
    if (!c->replicate && (x0 >= sw || y0 >= sh || x0 + taps <= 0 || y0 + taps <= 0)) {
        for (int k = 0; k < ch; k++) d[k] = c->fill[k];
        return;
    }
    if (taps == 1) {
        if (!c->replicate) { /* one tap, inside or not: handled above */
            for (int k = 0; k < ch; k++) d[k] = c->fill[k];
            return;
        }
        int cx = ix < 0 ? 0 : ix >= sw ? sw - 1 : ix;
        int cy = iy < 0 ? 0 : iy >= sh ? sh - 1 : iy;
        const uint8_t *p = glim_image_pixel(src, cx, cy);
        for (int k = 0; k < ch; k++) d[k] = p[k];
        return;
    }
    const int32_t *w = c->tab->w[fy * SUB + fx];
    int32_t acc[4] = {0, 0, 0, 0};
    for (int j = 0; j < taps; j++) {
        int sy = y0 + j;
        int yin = sy >= 0 && sy < sh;
        if (c->replicate) sy = sy < 0 ? 0 : sy >= sh ? sh - 1 : sy;
        for (int i = 0; i < taps; i++) {
            int sx = x0 + i;
            int in = yin && sx >= 0 && sx < sw;
            int32_t wt = w[j * taps + i];
            if (c->replicate || in) {
                if (c->replicate) sx = sx < 0 ? 0 : sx >= sw ? sw - 1 : sx;
                const uint8_t *p = glim_image_pixel(src, sx, sy);
                for (int k = 0; k < ch; k++) acc[k] += wt * p[k];
            } else {
                for (int k = 0; k < ch; k++) acc[k] += wt * c->fill[k];
            }
        }
    }
    for (int k = 0; k < ch; k++) d[k] = clamp_u8((acc[k] + (1 << (COEF_BITS - 1))) >> COEF_BITS);
}

/* One output row from its source positions (pixels for nearest, 1/32 px
 * otherwise); taps and ch are constants at every call site. */
static inline __attribute__((always_inline)) void sample_row(const warp_ctx *c,
                                                             const int32_t *pos, int n,
                                                             uint8_t *d, int taps, int ch)
{
    const glim_image *src = c->src;
    const int sw = src->width, sh = src->height, off = taps == 4 ? 1 : 0;
    const size_t stride = src->stride;
    for (int x = 0; x < n; x++, d += ch) {
        int X = pos[2 * x], Y = pos[2 * x + 1];
        int ix = X, iy = Y, fx = 0, fy = 0;
        if (taps > 1) {
            ix = X >> SUB_BITS; /* arithmetic shift: floor for negatives */
            iy = Y >> SUB_BITS;
            fx = X & (SUB - 1);
            fy = Y & (SUB - 1);
        }
        const int x0 = ix - off, y0 = iy - off;
        if (x0 >= 0 && y0 >= 0 && x0 <= sw - taps && y0 <= sh - taps) {
            const uint8_t *s0 = src->data + (size_t)y0 * stride + (size_t)x0 * ch;
            if (taps == 1) {
                for (int k = 0; k < ch; k++) d[k] = s0[k];
            } else {
                interior(s0, stride, c->tab->w[fy * SUB + fx], taps, ch, d);
            }
        } else {
            sample_edge(c, ix, iy, fx, fy, taps, ch, d);
        }
    }
}

glim_status glim_image_warp_perspective(const glim_image *src, const double m[9], int out_w,
                                        int out_h, const glim_warp_opts *opts, glim_image **out,
                                        glim_error *err)
{
    if (out) *out = NULL;
    if (!src || !m || !out) return glim_fail(err, GLIM_EINVAL, "warp: NULL argument");
    if (out_w < 1 || out_h < 1 || out_w > GLIM_IMAGE_MAX_SIDE || out_h > GLIM_IMAGE_MAX_SIDE)
        return glim_fail(err, GLIM_EINVAL, "warp: output size %dx%d outside 1..%d", out_w, out_h,
                         GLIM_IMAGE_MAX_SIDE);
    glim_warp_opts def;
    if (!opts) {
        glim_warp_opts_init(&def);
        opts = &def;
    }
    if (opts->filter != GLIM_FILTER_NEAREST && opts->filter != GLIM_FILTER_BILINEAR &&
        opts->filter != GLIM_FILTER_BICUBIC)
        return glim_fail(err, GLIM_EINVAL, "warp: filter must be nearest, bilinear or bicubic");
    if (opts->border != GLIM_BORDER_REPLICATE && opts->border != GLIM_BORDER_CONSTANT)
        return glim_fail(err, GLIM_EINVAL, "warp: unknown border mode %d", (int)opts->border);
    for (int i = 0; i < 9; i++)
        if (!isfinite(m[i])) return glim_fail(err, GLIM_EINVAL, "warp: matrix is not finite");
    double inv[9];
    if (!invert3(m, inv)) return glim_fail(err, GLIM_EINVAL, "warp: matrix is singular");

    wtab *tab = NULL;
    if (opts->filter != GLIM_FILTER_NEAREST) {
        tab = glim_alloc(sizeof *tab);
        if (!tab) return glim_fail(err, GLIM_ENOMEM, "warp: out of memory");
        build_table(tab, opts->filter == GLIM_FILTER_BICUBIC ? 4 : 2);
    }
    glim_image *dst = NULL;
    glim_status st = glim_image_new_uninit(out_w, out_h, src->format, &dst, err);
    if (st != GLIM_OK) {
        glim_free(tab);
        return st;
    }
    /* Source positions of one output row, then a sampler specialised for
     * the tap and channel counts (OpenCV likewise maps, then remaps). */
    int32_t *pos = glim_alloc((size_t)out_w * 2 * sizeof(int32_t));
    if (!pos) {
        glim_image_free(dst);
        glim_free(tab);
        return glim_fail(err, GLIM_ENOMEM, "warp: out of memory");
    }
    const warp_ctx ctx = {src, tab, opts->border == GLIM_BORDER_REPLICATE, opts->fill};
    const int taps = tab ? tab->taps : 1;
    const double scale = tab ? SUB : 1.0;
    for (int y = 0; y < out_h; y++) {
        const double bx = inv[1] * y + inv[2], by = inv[4] * y + inv[5], bw = inv[7] * y + inv[8];
        for (int x = 0; x < out_w; x++) {
            double W = inv[6] * x + bw;
            W = W != 0 ? scale / W : 0;
            pos[2 * x] = sat_round((inv[0] * x + bx) * W);
            pos[2 * x + 1] = sat_round((inv[3] * x + by) * W);
        }
        uint8_t *d = dst->data + (size_t)y * dst->stride;
        switch (taps * 8 + src->channels) {
        case 1 * 8 + 1: sample_row(&ctx, pos, out_w, d, 1, 1); break;
        case 1 * 8 + 3: sample_row(&ctx, pos, out_w, d, 1, 3); break;
        case 1 * 8 + 4: sample_row(&ctx, pos, out_w, d, 1, 4); break;
        case 2 * 8 + 1: sample_row(&ctx, pos, out_w, d, 2, 1); break;
        case 2 * 8 + 3: sample_row(&ctx, pos, out_w, d, 2, 3); break;
        case 2 * 8 + 4: sample_row(&ctx, pos, out_w, d, 2, 4); break;
        case 4 * 8 + 1: sample_row(&ctx, pos, out_w, d, 4, 1); break;
        case 4 * 8 + 3: sample_row(&ctx, pos, out_w, d, 4, 3); break;
        default: sample_row(&ctx, pos, out_w, d, 4, 4); break;
        }
    }
    glim_free(pos);
    glim_free(tab);
    *out = dst;
    return GLIM_OK;
}

glim_status glim_image_crop_quad(const glim_image *src, const double quad[8],
                                 const glim_warp_opts *opts, glim_image **out, glim_error *err)
{
    if (out) *out = NULL;
    if (!src || !quad || !out) return glim_fail(err, GLIM_EINVAL, "crop_quad: NULL argument");
    for (int i = 0; i < 8; i++)
        if (!isfinite(quad[i]))
            return glim_fail(err, GLIM_EINVAL, "crop_quad: corner %d is not finite", i / 2 + 1);
    double top = hypot(quad[2] - quad[0], quad[3] - quad[1]);
    double right = hypot(quad[4] - quad[2], quad[5] - quad[3]);
    double bottom = hypot(quad[6] - quad[4], quad[7] - quad[5]);
    double left = hypot(quad[0] - quad[6], quad[1] - quad[7]);
    double fw = fmax(top, bottom), fh = fmax(left, right);
    if (fw >= GLIM_IMAGE_MAX_SIDE + 1.0 || fh >= GLIM_IMAGE_MAX_SIDE + 1.0)
        return glim_fail(err, GLIM_EINVAL, "crop_quad: quad of %.0f x %.0f px is too large", fw, fh);
    int w = (int)fw, h = (int)fh; /* int() truncation, as PaddleOCR */
    if (w < 1 || h < 1)
        return glim_fail(err, GLIM_EINVAL, "crop_quad: quad is smaller than 1 px (%.2f x %.2f)",
                         fw, fh);
    glim_warp_opts def;
    if (!opts) {
        glim_warp_opts_init(&def);
        def.filter = GLIM_FILTER_BICUBIC;
        opts = &def;
    }
    const double rect[8] = {0, 0, w, 0, w, h, 0, h};
    double m[9];
    glim_status st = glim_perspective_transform(quad, rect, m, err);
    if (st != GLIM_OK) return glim_fail(err, st, "crop_quad: the quad is degenerate (three corners on a line)");
    glim_image *crop = NULL;
    if ((st = glim_image_warp_perspective(src, m, w, h, opts, &crop, err)) != GLIM_OK) return st;
    if ((double)h / w < 1.5) {
        *out = crop;
        return GLIM_OK;
    }
    /* Vertical text: np.rot90, a quarter turn counter-clockwise. */
    st = glim_image_rotate(crop, 90, 1, NULL, out, err);
    glim_image_free(crop);
    return st;
}
