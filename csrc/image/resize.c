/*
 * resize.c — separable resampling of 8-bit images.
 *
 * Every filter except NEAREST is described per axis by a tap table: for
 * each destination index, the first source index, the number of taps and
 * their weights. The image is then filtered in two passes through a float
 * intermediate; the pass order is chosen per call by a cost estimate:
 *   - vertical first (rows combined with SIMD over whole rows, then a
 *     horizontal gather) suits box filters that read every source pixel;
 *   - horizontal first on only the source rows that some output needs
 *     (cached) suits 2-tap bilinear shrinking, which reads few rows.
 * Two-tap tables on RGB/RGBA take that second route in 11-bit fixed point
 * (run_fixed below), which is OpenCV's own INTER_LINEAR arithmetic.
 *
 * Tap tables follow OpenCV 4 for BILINEAR (pixel-centre mapping, weights
 * quantized to 1/2048, clamped at the border) and AREA (exact box average
 * when shrinking on both axes; OpenCV's fractional two-tap rule otherwise),
 * and Pillow for BICUBIC (a = -0.5) and LANCZOS (a = 3): their support
 * widens with the shrink factor, so they antialias, and like Pillow they
 * run horizontally first through an 8-bit (clipped) intermediate. NEAREST is
 * OpenCV's INTER_NEAREST: source index floor(dst * src / dst_size).
 */
#include "process.h"

#include <math.h>
#include <string.h>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define RESIZE_AVX2 1
#endif

typedef struct axis {
    int n;       /* destination length */
    int maxtaps; /* stride of w */
    int *start;  /* [n] first source index */
    int *count;  /* [n] taps used */
    float *w;    /* [n * maxtaps] */
} axis;

static void axis_free(axis *a)
{
    glim_free(a->start);
    glim_free(a->count);
    glim_free(a->w);
    memset(a, 0, sizeof *a);
}

static int axis_alloc(axis *a, int n, int maxtaps)
{
    size_t nw;
    a->n = n;
    a->maxtaps = maxtaps;
    a->start = glim_calloc((size_t)n, sizeof *a->start);
    a->count = glim_calloc((size_t)n, sizeof *a->count);
    a->w = glim_mul_size((size_t)n, (size_t)maxtaps, &nw) ? glim_calloc(nw, sizeof *a->w) : NULL;
    if (!a->start || !a->count || !a->w) {
        axis_free(a);
        return 0;
    }
    return 1;
}

/* Two taps (sx, sx+1) with weights (1-fx, fx), fx quantized as OpenCV's
 * fixed-point resize does; at the far border the pixel is replicated. */
static void set_two_taps(axis *a, int d, int sx, float fx, int src_n)
{
    if (sx < 0) {
        sx = 0;
        fx = 0.f;
    }
    if (sx >= src_n - 1) {
        sx = src_n - 1;
        fx = 0.f;
    }
    int q0 = (int)lrintf((1.f - fx) * 2048.f);
    a->start[d] = sx;
    if (q0 >= 2048) {
        a->count[d] = 1;
        a->w[(size_t)d * a->maxtaps] = 1.f;
    } else {
        a->count[d] = 2;
        a->w[(size_t)d * a->maxtaps] = (float)q0 / 2048.f;
        a->w[(size_t)d * a->maxtaps + 1] = (float)(2048 - q0) / 2048.f;
    }
}

static int axis_bilinear(axis *a, int src_n, int dst_n)
{
    if (!axis_alloc(a, dst_n, 2)) return 0;
    double scale = 1.0 / ((double)dst_n / src_n);
    for (int d = 0; d < dst_n; d++) {
        float fx = (float)((d + 0.5) * scale - 0.5);
        int sx = (int)floorf(fx);
        set_two_taps(a, d, sx, fx - (float)sx, src_n);
    }
    return 1;
}

/* OpenCV's INTER_AREA when some axis grows: a two-tap blend whose weight is
 * the part of the destination cell that lies past the source boundary. */
static int axis_area_grow(axis *a, int src_n, int dst_n)
{
    if (!axis_alloc(a, dst_n, 2)) return 0;
    double inv_scale = (double)dst_n / src_n, scale = 1.0 / inv_scale;
    for (int d = 0; d < dst_n; d++) {
        int sx = (int)floor(d * scale);
        float fx = (float)((d + 1) - (sx + 1) * inv_scale);
        fx = fx <= 0 ? 0.f : fx - floorf(fx);
        set_two_taps(a, d, sx, fx, src_n);
    }
    return 1;
}

/* Box average: destination cell d covers source [d*scale, (d+1)*scale). */
static int axis_area_shrink(axis *a, int src_n, int dst_n)
{
    double scale = (double)src_n / dst_n;
    int maxtaps = (int)ceil(scale) + 2;
    if (!axis_alloc(a, dst_n, maxtaps)) return 0;
    for (int d = 0; d < dst_n; d++) {
        double f1 = d * scale, f2 = f1 + scale;
        double cell = fmin(scale, src_n - f1);
        int s1 = (int)ceil(f1), s2 = (int)floor(f2);
        if (s2 > src_n - 1) s2 = src_n - 1;
        if (s1 > s2) s1 = s2;
        float *w = a->w + (size_t)d * maxtaps;
        int n = 0, first = s1;
        if (s1 - f1 > 1e-3) {
            first = s1 - 1;
            w[n++] = (float)((s1 - f1) / cell);
        }
        for (int s = s1; s < s2; s++) w[n++] = (float)(1.0 / cell);
        if (f2 - s2 > 1e-3) w[n++] = (float)(fmin(fmin(f2 - s2, 1.0), cell) / cell);
        if (n == 0) w[n++] = 1.f;
        a->start[d] = first;
        a->count[d] = n;
    }
    return 1;
}

static double sinc(double x)
{
    if (x == 0.0) return 1.0;
    x *= M_PI;
    return sin(x) / x;
}

static double filter_cubic(double x)
{
    const double a = -0.5;
    x = fabs(x);
    if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
    if (x < 2.0) return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
    return 0.0;
}

static double filter_lanczos(double x)
{
    if (x > -3.0 && x < 3.0) return sinc(x) * sinc(x / 3.0);
    return 0.0;
}

/* A convolution filter whose support scales with the shrink factor. */
static int axis_convolve(axis *a, int src_n, int dst_n, double (*filter)(double), double support)
{
    double scale = (double)src_n / dst_n;
    double fscale = scale < 1.0 ? 1.0 : scale;
    support *= fscale;
    int maxtaps = (int)ceil(support) * 2 + 1;
    if (!axis_alloc(a, dst_n, maxtaps)) return 0;
    for (int d = 0; d < dst_n; d++) {
        double center = (d + 0.5) * scale;
        int lo = (int)floor(center - support + 0.5);
        int hi = (int)floor(center + support + 0.5);
        if (lo < 0) lo = 0;
        if (hi > src_n) hi = src_n;
        if (hi - lo > maxtaps) hi = lo + maxtaps;
        float *w = a->w + (size_t)d * maxtaps;
        double sum = 0.0;
        int n = hi - lo;
        for (int k = 0; k < n; k++) {
            double v = filter((lo + k - center + 0.5) / fscale);
            w[k] = (float)v;
            sum += v;
        }
        if (n <= 0 || sum == 0.0) {
            lo = (int)fmin(fmax(floor(center), 0), src_n - 1);
            n = 1;
            w[0] = 1.f;
        } else {
            for (int k = 0; k < n; k++) w[k] = (float)(w[k] / sum);
        }
        a->start[d] = lo;
        a->count[d] = n;
    }
    return 1;
}

static inline uint8_t to_u8(float v)
{
    v += 0.5f;
    if (!(v > 0.f)) return 0;
    if (v >= 255.f) return 255;
    return (uint8_t)(int)v;
}

/* ---- vertical passes: out[i] = sum_k w[k] * rows[k][i] ---------------- */

static void vpass_u8_f32(const uint8_t *const *rows, const float *w, int n, size_t len,
                         float *out)
{
    size_t i = 0;
#ifdef RESIZE_AVX2
    for (; i + 8 <= len; i += 8) {
        __m256 acc = _mm256_setzero_ps();
        for (int k = 0; k < n; k++) {
            __m128i b = _mm_loadl_epi64((const __m128i *)(rows[k] + i));
            __m256 x = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(b));
            acc = _mm256_fmadd_ps(_mm256_set1_ps(w[k]), x, acc);
        }
        _mm256_storeu_ps(out + i, acc);
    }
#endif
    for (; i < len; i++) {
        float acc = 0.f;
        for (int k = 0; k < n; k++) acc += w[k] * (float)rows[k][i];
        out[i] = acc;
    }
}

static void vpass_f32_u8(const float *const *rows, const float *w, int n, size_t len,
                         uint8_t *out)
{
    size_t i = 0;
#ifdef RESIZE_AVX2
    for (; i + 8 <= len; i += 8) {
        __m256 acc = _mm256_setzero_ps();
        for (int k = 0; k < n; k++)
            acc = _mm256_fmadd_ps(_mm256_set1_ps(w[k]), _mm256_loadu_ps(rows[k] + i), acc);
        __m256i v = _mm256_cvtps_epi32(acc);
        __m128i p16 = _mm_packus_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
        _mm_storel_epi64((__m128i *)(out + i), _mm_packus_epi16(p16, p16));
    }
#endif
    for (; i < len; i++) {
        float acc = 0.f;
        for (int k = 0; k < n; k++) acc += w[k] * rows[k][i];
        out[i] = to_u8(acc);
    }
}

/* ---- horizontal passes, specialised on the channel count -------------- */

#define HPASS(NAME, TIN, TOUT, STORE)                                                  \
    static inline __attribute__((always_inline)) void NAME##_c(                       \
        const TIN *in, const axis *ax, int c, TOUT *out)                               \
    {                                                                                  \
        for (int d = 0; d < ax->n; d++) {                                              \
            const float *w = ax->w + (size_t)d * ax->maxtaps;                          \
            const TIN *p = in + (size_t)ax->start[d] * c;                              \
            int n = ax->count[d];                                                      \
            float acc[4] = {0.f, 0.f, 0.f, 0.f};                                       \
            for (int k = 0; k < n; k++)                                                \
                for (int ch = 0; ch < c; ch++) acc[ch] += w[k] * (float)p[k * c + ch]; \
            for (int ch = 0; ch < c; ch++) out[(size_t)d * c + ch] = STORE(acc[ch]);   \
        }                                                                              \
    }                                                                                  \
    static void NAME(const TIN *in, const axis *ax, int c, TOUT *out)                  \
    {                                                                                  \
        switch (c) {                                                                   \
        case 1: NAME##_c(in, ax, 1, out); break;                                       \
        case 3: NAME##_c(in, ax, 3, out); break;                                       \
        case 4: NAME##_c(in, ax, 4, out); break;                                       \
        default: NAME##_c(in, ax, c, out); break;                                      \
        }                                                                              \
    }

#define STORE_F32(v) (v)
HPASS(hpass_u8_f32, uint8_t, float, STORE_F32)
HPASS(hpass_f32_u8, float, uint8_t, to_u8)

/* SIMD horizontal passes for 3- and 4-channel pixels: a pixel is one
 * 4-lane vector (for 3 channels the 4th lane is the next pixel's first
 * channel, computed and then overwritten or ignored). A destination index
 * is "safe" when its 4-lane reads stay inside the source row; the few
 * others (at the right edge) take the scalar path. `out` of the float
 * variant needs one float of slack; the u8 variant finishes its last
 * pixel with scalar code so it never writes past the row. */
#ifdef RESIZE_AVX2
static int tap_is_safe(const axis *ax, int d, int c, int src_len)
{
    return (ax->start[d] + ax->count[d] - 1) * c + 4 <= src_len;
}

static inline __m128 load_px(const uint8_t *p)
{
    int32_t v;
    memcpy(&v, p, 4);
    return _mm_cvtepi32_ps(_mm_cvtepu8_epi32(_mm_cvtsi32_si128(v)));
}

static void hpass_u8_f32_simd(const uint8_t *in, const axis *ax, int c, int src_len,
                              const uint8_t *next, float *out)
{
    int d = 0;
    if (ax->maxtaps == 2) {
        /* Two-tap tables (bilinear): unrolled, no per-output count. A
         * one-tap entry has a zero second weight. */
        int safe = ax->n;
        while (safe > 0 && (ax->start[safe - 1] + 1) * c + 4 > src_len) safe--;
        for (; d < safe; d++) {
            const uint8_t *p = in + (size_t)ax->start[d] * c;
            if (next) _mm_prefetch((const char *)(next + (size_t)ax->start[d] * c), _MM_HINT_T0);
            __m128 acc = _mm_mul_ps(_mm_set1_ps(ax->w[2 * d]), load_px(p));
            acc = _mm_fmadd_ps(_mm_set1_ps(ax->w[2 * d + 1]), load_px(p + c), acc);
            _mm_storeu_ps(out + (size_t)d * c, acc);
        }
    }
    for (; d < ax->n; d++) {
        const float *w = ax->w + (size_t)d * ax->maxtaps;
        const uint8_t *p = in + (size_t)ax->start[d] * c;
        int n = ax->count[d];
        /* Shrinking reads a few pixels per cache line across many rows:
         * fetch the row needed next while this one is computed. */
        if (next) _mm_prefetch((const char *)(next + (size_t)ax->start[d] * c), _MM_HINT_T0);
        if (!tap_is_safe(ax, d, c, src_len)) {
            for (int ch = 0; ch < c; ch++) {
                float acc = 0.f;
                for (int k = 0; k < n; k++) acc += w[k] * (float)p[k * c + ch];
                out[(size_t)d * c + ch] = acc;
            }
            continue;
        }
        __m128 acc = _mm_setzero_ps();
        for (int k = 0; k < n; k++) acc = _mm_fmadd_ps(_mm_set1_ps(w[k]), load_px(p + k * c), acc);
        _mm_storeu_ps(out + (size_t)d * c, acc);
    }
}

static void hpass_f32_u8_simd(const float *in, const axis *ax, int c, int src_len, uint8_t *out)
{
    for (int d = 0; d < ax->n; d++) {
        const float *w = ax->w + (size_t)d * ax->maxtaps;
        const float *p = in + (size_t)ax->start[d] * c;
        int n = ax->count[d];
        if (d == ax->n - 1 || !tap_is_safe(ax, d, c, src_len)) {
            for (int ch = 0; ch < c; ch++) {
                float acc = 0.f;
                for (int k = 0; k < n; k++) acc += w[k] * p[k * c + ch];
                out[(size_t)d * c + ch] = to_u8(acc);
            }
            continue;
        }
        __m128 acc = _mm_setzero_ps();
        for (int k = 0; k < n; k++) acc = _mm_fmadd_ps(_mm_set1_ps(w[k]), _mm_loadu_ps(p + k * c), acc);
        __m128i v = _mm_cvtps_epi32(acc);
        v = _mm_packus_epi16(_mm_packus_epi32(v, v), v);
        int32_t b = _mm_cvtsi128_si32(v);
        memcpy(out + (size_t)d * c, &b, 4);
    }
}
#endif

static void hpass_to_f32(const uint8_t *in, const axis *ax, int c, int src_len,
                         const uint8_t *next, float *out)
{
#ifdef RESIZE_AVX2
    if (c == 3 || c == 4) {
        hpass_u8_f32_simd(in, ax, c, src_len, next, out);
        return;
    }
#endif
    (void)src_len;
    (void)next;
    hpass_u8_f32(in, ax, c, out);
}

static void hpass_to_u8(const float *in, const axis *ax, int c, int src_len, uint8_t *out)
{
#ifdef RESIZE_AVX2
    if (c == 3 || c == 4) {
        hpass_f32_u8_simd(in, ax, c, src_len, out);
        return;
    }
#endif
    (void)src_len;
    hpass_f32_u8(in, ax, c, out);
}

static void resize_nearest(const glim_image *src, glim_image *dst, int *xofs)
{
    int c = src->channels;
    double ifx = 1.0 / ((double)dst->width / src->width);
    double ify = 1.0 / ((double)dst->height / src->height);
    for (int x = 0; x < dst->width; x++) {
        int sx = (int)floor(x * ifx);
        xofs[x] = (sx < src->width - 1 ? sx : src->width - 1) * c;
    }
    for (int y = 0; y < dst->height; y++) {
        int sy = (int)floor(y * ify);
        if (sy > src->height - 1) sy = src->height - 1;
        const uint8_t *s = src->data + (size_t)sy * src->stride;
        uint8_t *o = dst->data + (size_t)y * dst->stride;
        switch (c) {
        case 1:
            for (int x = 0; x < dst->width; x++) o[x] = s[xofs[x]];
            break;
        case 3:
            for (int x = 0; x < dst->width; x++) {
                const uint8_t *p = s + xofs[x];
                o[3 * x] = p[0];
                o[3 * x + 1] = p[1];
                o[3 * x + 2] = p[2];
            }
            break;
        default:
            for (int x = 0; x < dst->width; x++) memcpy(o + (size_t)x * c, s + xofs[x], (size_t)c);
        }
    }
}

static int build_axes(const glim_image *src, int w, int h, glim_filter filter, axis *ax, axis *ay)
{
    switch (filter) {
    case GLIM_FILTER_BILINEAR:
        return axis_bilinear(ax, src->width, w) && axis_bilinear(ay, src->height, h);
    case GLIM_FILTER_AREA:
        if (src->width >= w && src->height >= h)
            return axis_area_shrink(ax, src->width, w) && axis_area_shrink(ay, src->height, h);
        return axis_area_grow(ax, src->width, w) && axis_area_grow(ay, src->height, h);
    case GLIM_FILTER_BICUBIC:
        return axis_convolve(ax, src->width, w, filter_cubic, 2.0) &&
               axis_convolve(ay, src->height, h, filter_cubic, 2.0);
    case GLIM_FILTER_LANCZOS:
        return axis_convolve(ax, src->width, w, filter_lanczos, 3.0) &&
               axis_convolve(ay, src->height, h, filter_lanczos, 3.0);
    default: return 0;
    }
}

static double mean_taps(const axis *a)
{
    double s = 0;
    for (int i = 0; i < a->n; i++) s += a->count[i];
    return s / a->n;
}

/* Vertical first: one float row of the full source width per output row. */
static int run_vfirst(const glim_image *src, glim_image *dst, const axis *ax, const axis *ay)
{
    int c = src->channels;
    size_t len = (size_t)src->width * c;
    float *tmp = glim_calloc(len + 4, sizeof *tmp);
    const uint8_t **rows = glim_alloc((size_t)ay->maxtaps * sizeof *rows);
    if (!tmp || !rows) {
        glim_free(tmp);
        glim_free(rows);
        return 0;
    }
    for (int y = 0; y < dst->height; y++) {
        int n = ay->count[y];
        for (int k = 0; k < n; k++)
            rows[k] = src->data + (size_t)(ay->start[y] + k) * src->stride;
        vpass_u8_f32(rows, ay->w + (size_t)y * ay->maxtaps, n, len, tmp);
        hpass_to_u8(tmp, ax, c, (int)len, dst->data + (size_t)y * dst->stride);
    }
    glim_free(tmp);
    glim_free((void *)rows);
    return 1;
}

/* Horizontal first, on demand: a ring of maxtaps filtered source rows.
 * clip_mid rounds and clamps the intermediate rows to 0..255, as Pillow's
 * 8-bit intermediate does, so overshooting filters match it. */
static int run_hfirst(const glim_image *src, glim_image *dst, const axis *ax, const axis *ay,
                      int clip_mid)
{
    int c = src->channels, ring = ay->maxtaps;
    size_t len = (size_t)dst->width * c;
    /* Each cached row has slack for the 4-lane stores of its last pixel. */
    size_t pitch = (len + 4 + 15) & ~(size_t)15;
    float *cache = glim_calloc((size_t)ring * pitch, sizeof *cache);
    int *tag = glim_alloc((size_t)ring * sizeof *tag);
    const float **rows = glim_alloc((size_t)ring * sizeof *rows);
    if (!cache || !tag || !rows) {
        glim_free(cache);
        glim_free(tag);
        glim_free((void *)rows);
        return 0;
    }
    for (int i = 0; i < ring; i++) tag[i] = -1;
    for (int y = 0; y < dst->height; y++) {
        int n = ay->count[y];
        for (int k = 0; k < n; k++) {
            int sy = ay->start[y] + k, slot = sy % ring;
            float *row = cache + (size_t)slot * pitch;
            if (tag[slot] != sy) {
                /* The next source row to be filtered: later in this window,
                 * else the first new row of a following window. */
                int nexty = -1;
                if (k + 1 < n) {
                    nexty = sy + 1;
                } else {
                    for (int y2 = y + 1; y2 < dst->height && nexty < 0; y2++) {
                        int last = ay->start[y2] + ay->count[y2] - 1;
                        if (last > sy) nexty = ay->start[y2] > sy ? ay->start[y2] : sy + 1;
                    }
                }
                const uint8_t *next = nexty >= 0 ? src->data + (size_t)nexty * src->stride : NULL;
                hpass_to_f32(src->data + (size_t)sy * src->stride, ax, c, src->width * c, next, row);
                if (clip_mid)
                    for (size_t i = 0; i < len; i++) row[i] = (float)to_u8(row[i]);
                tag[slot] = sy;
            }
            rows[k] = row;
        }
        vpass_f32_u8(rows, ay->w + (size_t)y * ay->maxtaps, n, len,
                     dst->data + (size_t)y * dst->stride);
    }
    glim_free(cache);
    glim_free(tag);
    glim_free((void *)rows);
    return 1;
}

/* ---- two-tap fixed point (bilinear, OpenCV's growing area) ------------
 * For 3/4-channel images shrunk or grown with two-tap tables on both axes,
 * the passes run in integers as OpenCV's INTER_LINEAR does: horizontal
 * sums p0*w0 + p1*w1 with 11-bit weights (w0 + w1 = 2048) into int32, then
 * (h0*v0 + h1*v1 + 2^21) >> 22 vertically. One AVX2 multiply-add
 * (pmaddwd) computes two output pixels of a row, against four converts and
 * four float FMAs in the general path. Intermediate rows hold 4 lanes per
 * pixel (the 4th is junk for RGB). */
#ifdef RESIZE_AVX2
typedef struct fixed_axis {
    int *off;      /* [n] byte offset of the first tap */
    int32_t *wp;   /* [4n] (w0 | w1 << 16) repeated for the 4 lanes */
    int16_t *w;    /* [2n] w0, w1 */
    int safe;      /* outputs [0, safe) may load 8 bytes at off */
} fixed_axis;

static void fixed_axis_free(fixed_axis *f)
{
    glim_free(f->off);
    glim_free(f->wp);
    glim_free(f->w);
    memset(f, 0, sizeof *f);
}

static int fixed_axis_make(const axis *a, int c, int src_len, fixed_axis *f)
{
    f->off = glim_alloc((size_t)a->n * sizeof *f->off);
    f->wp = glim_alloc((size_t)a->n * 4 * sizeof *f->wp);
    f->w = glim_alloc((size_t)a->n * 2 * sizeof *f->w);
    if (!f->off || !f->wp || !f->w) {
        fixed_axis_free(f);
        return 0;
    }
    f->safe = 0;
    for (int d = 0; d < a->n; d++) {
        int w0 = (int)lrintf(a->w[(size_t)d * a->maxtaps] * 2048.f);
        int w1 = a->count[d] > 1 ? 2048 - w0 : 0;
        f->off[d] = a->start[d] * c;
        f->w[2 * d] = (int16_t)w0;
        f->w[2 * d + 1] = (int16_t)w1;
        int32_t pair = (int32_t)((uint32_t)(uint16_t)w0 | ((uint32_t)(uint16_t)w1 << 16));
        for (int k = 0; k < 4; k++) f->wp[4 * d + k] = pair;
        if (f->off[d] + 8 <= src_len) f->safe = d + 1;
    }
    /* off grows with d, so every output before the last safe one is safe. */
    return 1;
}

static void fixed_hpass(const uint8_t *row, const fixed_axis *fx, int n, int c,
                        const uint8_t *next, int32_t *out)
{
    /* Per 128-bit lane: pixel p0 channels interleaved with pixel p1's as
     * 16-bit values, ready for pmaddwd against (w0, w1) pairs. */
    const __m256i mask3 = _mm256_setr_epi8(0, -1, 3, -1, 1, -1, 4, -1, 2, -1, 5, -1, -1, -1, -1, -1,
                                           0, -1, 3, -1, 1, -1, 4, -1, 2, -1, 5, -1, -1, -1, -1, -1);
    const __m256i mask4 = _mm256_setr_epi8(0, -1, 4, -1, 1, -1, 5, -1, 2, -1, 6, -1, 3, -1, 7, -1,
                                           0, -1, 4, -1, 1, -1, 5, -1, 2, -1, 6, -1, 3, -1, 7, -1);
    const __m256i mask = c == 3 ? mask3 : mask4;
    int d = 0;
    for (; d + 1 < fx->safe; d += 2) {
        if (next) _mm_prefetch((const char *)(next + fx->off[d]), _MM_HINT_T0);
        __m128i a = _mm_loadl_epi64((const __m128i *)(row + fx->off[d]));
        __m128i b = _mm_loadl_epi64((const __m128i *)(row + fx->off[d + 1]));
        __m256i v = _mm256_inserti128_si256(_mm256_castsi128_si256(a), b, 1);
        v = _mm256_shuffle_epi8(v, mask);
        __m256i w = _mm256_loadu_si256((const __m256i *)(fx->wp + 4 * d));
        _mm256_storeu_si256((__m256i *)(out + 4 * d), _mm256_madd_epi16(v, w));
    }
    for (; d < n; d++) {
        const uint8_t *p = row + fx->off[d];
        int w0 = fx->w[2 * d], w1 = fx->w[2 * d + 1];
        for (int ch = 0; ch < c; ch++) out[4 * d + ch] = p[ch] * w0 + (w1 ? p[c + ch] * w1 : 0);
    }
}

static void fixed_vpass(const int32_t *h0, const int32_t *h1, int v0, int v1, int n, int c,
                        uint8_t *out)
{
    const __m256i b0 = _mm256_set1_epi32(v0), b1 = _mm256_set1_epi32(v1);
    const __m256i half = _mm256_set1_epi32(1 << 21);
    const __m128i drop4th = _mm_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1);
    int d = 0;
    /* Four pixels per step: 16 bytes out, of which c * 4 are kept. */
    for (; d + 4 <= n && (size_t)(d * c + 16) <= (size_t)n * c; d += 4) {
        __m256i r01 = _mm256_add_epi32(
            _mm256_add_epi32(_mm256_mullo_epi32(_mm256_loadu_si256((const __m256i *)(h0 + 4 * d)), b0),
                             _mm256_mullo_epi32(_mm256_loadu_si256((const __m256i *)(h1 + 4 * d)), b1)),
            half);
        __m256i r23 = _mm256_add_epi32(
            _mm256_add_epi32(
                _mm256_mullo_epi32(_mm256_loadu_si256((const __m256i *)(h0 + 4 * d + 8)), b0),
                _mm256_mullo_epi32(_mm256_loadu_si256((const __m256i *)(h1 + 4 * d + 8)), b1)),
            half);
        r01 = _mm256_srai_epi32(r01, 22);
        r23 = _mm256_srai_epi32(r23, 22);
        __m128i p01 = _mm_packs_epi32(_mm256_castsi256_si128(r01), _mm256_extracti128_si256(r01, 1));
        __m128i p23 = _mm_packs_epi32(_mm256_castsi256_si128(r23), _mm256_extracti128_si256(r23, 1));
        __m128i bytes = _mm_packus_epi16(p01, p23);
        if (c == 3) bytes = _mm_shuffle_epi8(bytes, drop4th);
        _mm_storeu_si128((__m128i *)(out + (size_t)d * c), bytes);
    }
    for (; d < n; d++)
        for (int ch = 0; ch < c; ch++) {
            int v = (h0[4 * d + ch] * v0 + h1[4 * d + ch] * v1 + (1 << 21)) >> 22;
            out[(size_t)d * c + ch] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
}

static int run_fixed(const glim_image *src, glim_image *dst, const axis *ax, const axis *ay)
{
    int c = src->channels, src_len = src->width * c;
    fixed_axis fx = {0}, fy = {0};
    size_t pitch = ((size_t)dst->width * 4 + 8 + 15) & ~(size_t)15;
    int32_t *cache = glim_alloc(2 * pitch * sizeof *cache);
    int ok = cache && fixed_axis_make(ax, c, src_len, &fx);
    if (ok) ok = fixed_axis_make(ay, 1, 0, &fy);
    if (!ok) {
        fixed_axis_free(&fx);
        glim_free(cache);
        return 0;
    }
    int tag[2] = {-1, -1};
    for (int y = 0; y < dst->height; y++) {
        int sy = ay->start[y], n = ay->count[y];
        int32_t *rows[2];
        for (int k = 0; k < n; k++) {
            int r = sy + k, slot = r & 1;
            rows[k] = cache + (size_t)slot * pitch;
            if (tag[slot] != r) {
                int nexty = k + 1 < n ? r + 1 : (y + 1 < dst->height ? ay->start[y + 1] : -1);
                if (nexty >= 0 && (nexty == tag[0] || nexty == tag[1] || nexty == r)) nexty = -1;
                fixed_hpass(src->data + (size_t)r * src->stride, &fx, dst->width, c,
                            nexty >= 0 ? src->data + (size_t)nexty * src->stride : NULL, rows[k]);
                tag[slot] = r;
            }
        }
        if (n == 1) rows[1] = rows[0];
        fixed_vpass(rows[0], rows[1], fy.w[2 * y], fy.w[2 * y + 1], dst->width, c,
                    dst->data + (size_t)y * dst->stride);
    }
    fixed_axis_free(&fx);
    fixed_axis_free(&fy);
    glim_free(cache);
    return 1;
}
#endif

glim_status glim_image_resize(const glim_image *src, int width, int height, glim_filter filter,
                              glim_image **out, glim_error *err)
{
    if (out) *out = NULL;
    if (!src || !out || !src->data)
        return glim_fail(err, GLIM_EINVAL, "resize: missing image or output");
    if ((unsigned)filter >= GLIM_FILTER_COUNT)
        return glim_fail(err, GLIM_EINVAL, "resize: unknown filter %d", (int)filter);
    if (width <= 0 || height <= 0 || width > GLIM_IMAGE_MAX_SIDE || height > GLIM_IMAGE_MAX_SIDE)
        return glim_fail(err, GLIM_EINVAL, "resize: invalid size %dx%d (each side 1..%d)", width,
                         height, GLIM_IMAGE_MAX_SIDE);
    glim_image *dst;
    glim_status st = glim_image_new(width, height, src->format, &dst, err);
    if (st != GLIM_OK) return st;

    if (width == src->width && height == src->height) {
        size_t row = (size_t)width * src->channels;
        for (int y = 0; y < height; y++)
            memcpy(dst->data + (size_t)y * dst->stride, src->data + (size_t)y * src->stride, row);
        *out = dst;
        return GLIM_OK;
    }
    if (filter == GLIM_FILTER_NEAREST) {
        int *xofs = glim_alloc((size_t)width * sizeof *xofs);
        if (!xofs) {
            glim_image_free(dst);
            return glim_fail(err, GLIM_ENOMEM, "resize: out of memory");
        }
        resize_nearest(src, dst, xofs);
        glim_free(xofs);
        *out = dst;
        return GLIM_OK;
    }

    axis ax = {0}, ay = {0};
    int ok = build_axes(src, width, height, filter, &ax, &ay);
    if (ok) {
        /* Cost in multiply-adds; a gathered horizontal tap costs about three
         * vectorised vertical ones. */
        double c = src->channels, tx = mean_taps(&ax), ty = mean_taps(&ay);
        double rows_needed = fmin((double)src->height, height * ty);
        double h_first = rows_needed * width * c * tx * 3.0 + (double)height * width * c * ty;
        double v_first = (double)height * src->width * c * ty + (double)height * width * c * tx * 3.0;
        /* The Pillow-style filters always go horizontal first with an 8-bit
         * intermediate, which is what Pillow computes. */
        int pillow = filter == GLIM_FILTER_BICUBIC || filter == GLIM_FILTER_LANCZOS;
#ifdef RESIZE_AVX2
        int two_tap = ax.maxtaps == 2 && ay.maxtaps == 2 && (src->channels == 3 || src->channels == 4);
        if (two_tap && h_first < v_first)
            ok = run_fixed(src, dst, &ax, &ay);
        else
#endif
        ok = pillow || h_first < v_first ? run_hfirst(src, dst, &ax, &ay, pillow)
                                         : run_vfirst(src, dst, &ax, &ay);
    }
    axis_free(&ax);
    axis_free(&ay);
    if (!ok) {
        glim_image_free(dst);
        return glim_fail(err, GLIM_ENOMEM, "resize: out of memory");
    }
    *out = dst;
    return GLIM_OK;
}

static const char *const filter_names[GLIM_FILTER_COUNT] = {
    [GLIM_FILTER_NEAREST] = "nearest", [GLIM_FILTER_BILINEAR] = "bilinear",
    [GLIM_FILTER_BICUBIC] = "bicubic", [GLIM_FILTER_AREA] = "area",
    [GLIM_FILTER_LANCZOS] = "lanczos",
};

int glim_filter_parse(const char *name, glim_filter *out)
{
    for (int i = 0; i < GLIM_FILTER_COUNT; i++) {
        if (name && strcmp(name, filter_names[i]) == 0) {
            *out = (glim_filter)i;
            return 0;
        }
    }
    return -1;
}

const char *glim_filter_name(glim_filter filter)
{
    return (unsigned)filter < GLIM_FILTER_COUNT ? filter_names[filter] : "?";
}
