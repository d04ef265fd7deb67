/* test_warp.c — perspective transforms, warps and quad crops against
 * cv2.getPerspectiveTransform / cv2.warpPerspective and PaddleOCR's
 * get_rotate_crop_image (tools/fixtures/opencv_ocr.py), plus exact cases
 * and argument errors. Run from the repo root. */
#include "check.h"
#include "alloc_fail.h"
#include "glimpse.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FIX "spec/fixtures/opencv/"
#define SRC_W 61
#define SRC_H 47

static long read_fixture(const char *name, void *buf, size_t size)
{
    char path[256];
    snprintf(path, sizeof path, FIX "%s", name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("#   cannot open %s (run tests from the repo root)\n", path);
        return -1;
    }
    size_t n = fread(buf, 1, size, f);
    fclose(f);
    return (long)n;
}

static glim_pixfmt fmt_for(int c) { return c == 1 ? GLIM_FMT_GRAY8 : c == 3 ? GLIM_FMT_RGB8 : GLIM_FMT_RGBA8; }

static glim_image *load_src(int c)
{
    char name[64];
    snprintf(name, sizeof name, "ocr_warp_src_%d.bin", c);
    glim_image *img = NULL;
    glim_error err;
    if (glim_image_new(SRC_W, SRC_H, fmt_for(c), &img, &err) != GLIM_OK) return NULL;
    uint8_t *buf = malloc((size_t)SRC_W * SRC_H * c);
    long n = read_fixture(name, buf, (size_t)SRC_W * SRC_H * c);
    for (int y = 0; y < SRC_H && n == (long)SRC_W * SRC_H * c; y++)
        memcpy(img->data + (size_t)y * img->stride, buf + (size_t)y * SRC_W * c, (size_t)SRC_W * c);
    free(buf);
    if (n != (long)SRC_W * SRC_H * c) {
        glim_image_free(img);
        return NULL;
    }
    return img;
}

/* Largest per-channel difference between img and the packed bytes `want`;
 * *count receives how many channel values differ at all. */
static int max_diff(const glim_image *img, const uint8_t *want, long *count)
{
    int worst = 0;
    *count = 0;
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width * img->channels; x++) {
            int d = abs((int)img->data[(size_t)y * img->stride + x] -
                        (int)want[((size_t)y * img->width) * img->channels + x]);
            if (d > worst) worst = d;
            if (d) (*count)++;
        }
    return worst;
}

static void test_warp_vs_opencv(void)
{
    char path[256];
    snprintf(path, sizeof path, FIX "ocr_warp.txt");
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f) return;
    char line[4096];
    int warps = 0, crops = 0;
    while (fgets(line, sizeof line, f)) {
        char kind[8], file[64], filt[16], border[16];
        int c, fill[4], ow, oh, used;
        if (line[0] == '#') continue;
        if (sscanf(line, "%7s %63s %d%n", kind, file, &c, &used) != 3) continue;
        const char *rest = line + used;
        glim_image *src = load_src(c), *out = NULL;
        CHECK(src != NULL);
        if (!src) continue;
        glim_error err;
        if (strcmp(kind, "warp") == 0) {
            double sq[8], dq[8], m[9], mine[9];
            int k = sscanf(rest, "%15s %15s %d %d %d %d %d %d %n", filt, border, &fill[0], &fill[1],
                           &fill[2], &fill[3], &ow, &oh, &used);
            CHECK(k == 8);
            rest += used;
            for (int i = 0; i < 25; i++) {
                double v;
                CHECK(sscanf(rest, "%lf%n", &v, &used) == 1);
                rest += used;
                if (i < 8) sq[i] = v;
                else if (i < 16) dq[i - 8] = v;
                else m[i - 16] = v;
            }
            /* The matrix: OpenCV solves the same system with LU in double,
             * and the system is ill-conditioned enough (entries x * u up
             * to ~10^4) for the two eliminations to part at ~1e-8. The
             * perspective terms m6, m7 multiply pixel coordinates, so they
             * get an absolute bound. */
            CHECK_OK(glim_perspective_transform(sq, dq, mine, &err), err);
            for (int i = 0; i < 9; i++)
                CHECK_NEAR(mine[i], m[i], i == 6 || i == 7 ? 1e-9 : 1e-7 * (1 + fabs(m[i])));
            glim_warp_opts o;
            glim_warp_opts_init(&o);
            o.filter = strcmp(filt, "nearest") == 0   ? GLIM_FILTER_NEAREST
                       : strcmp(filt, "bicubic") == 0 ? GLIM_FILTER_BICUBIC
                                                      : GLIM_FILTER_BILINEAR;
            o.border = strcmp(border, "constant") == 0 ? GLIM_BORDER_CONSTANT : GLIM_BORDER_REPLICATE;
            for (int i = 0; i < 4; i++) o.fill[i] = (uint8_t)fill[i];
            CHECK_OK(glim_image_warp_perspective(src, m, ow, oh, &o, &out, &err), err);
            warps++;
        } else {
            double q[8];
            CHECK(sscanf(rest, "%d %d %n", &ow, &oh, &used) == 2);
            rest += used;
            for (int i = 0; i < 8; i++) {
                CHECK(sscanf(rest, "%lf%n", &q[i], &used) == 1);
                rest += used;
            }
            CHECK_OK(glim_image_crop_quad(src, q, NULL, &out, &err), err);
            crops++;
        }
        if (out) {
            CHECK(out->width == ow && out->height == oh && out->channels == c);
            uint8_t *want = malloc((size_t)ow * oh * c);
            CHECK(read_fixture(file, want, (size_t)ow * oh * c) == (long)ow * oh * c);
            long ndiff = 0;
            int worst = out->width == ow && out->height == oh ? max_diff(out, want, &ndiff) : 999;
            /* Within one level, as OpenCV's fixed-point weight rounding. */
            if (worst > 1) printf("#   %s: max difference %d (%ld values differ)\n", file, worst, ndiff);
            CHECK(worst <= 1);
            free(want);
        }
        glim_image_free(out);
        glim_image_free(src);
    }
    fclose(f);
    CHECK(warps >= 7 && crops >= 3);
}

/* The identity and a pure translation reproduce pixels exactly, for every
 * filter (the sub-pixel position is 0, so all weight sits on one tap). */
static void test_warp_exact_cases(void)
{
    glim_image *src = load_src(3), *out = NULL;
    CHECK(src != NULL);
    if (!src) return;
    glim_error err;
    const double id[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    const double shift[9] = {1, 0, -3, 0, 1, -2, 0, 0, 1}; /* dst = src - (3, 2) */
    glim_filter filters[3] = {GLIM_FILTER_NEAREST, GLIM_FILTER_BILINEAR, GLIM_FILTER_BICUBIC};
    for (int k = 0; k < 3; k++) {
        glim_warp_opts o;
        glim_warp_opts_init(&o);
        o.filter = filters[k];
        CHECK_OK(glim_image_warp_perspective(src, id, SRC_W, SRC_H, &o, &out, &err), err);
        int same = 1;
        for (int y = 0; y < SRC_H; y++)
            same &= memcmp(out->data + y * out->stride, src->data + y * src->stride, SRC_W * 3) == 0;
        CHECK(same);
        glim_image_free(out);
        o.border = GLIM_BORDER_CONSTANT;
        o.fill[0] = 1, o.fill[1] = 2, o.fill[2] = 3;
        CHECK_OK(glim_image_warp_perspective(src, shift, 20, 10, &o, &out, &err), err);
        CHECK(memcmp(glim_image_pixel(out, 0, 0), glim_image_pixel(src, 3, 2), 3) == 0);
        CHECK(memcmp(glim_image_pixel(out, 19, 9), glim_image_pixel(src, 22, 11), 3) == 0);
        glim_image_free(out);
        /* Entirely outside: every pixel is the fill. */
        const double far[9] = {1, 0, -500, 0, 1, 0, 0, 0, 1};
        CHECK_OK(glim_image_warp_perspective(src, far, 4, 4, &o, &out, &err), err);
        const uint8_t *p = glim_image_pixel(out, 2, 3);
        CHECK(p[0] == 1 && p[1] == 2 && p[2] == 3);
        glim_image_free(out);
        /* Replicated border: far outside gives the nearest edge pixel. */
        o.border = GLIM_BORDER_REPLICATE;
        CHECK_OK(glim_image_warp_perspective(src, far, 4, 4, &o, &out, &err), err);
        CHECK(memcmp(glim_image_pixel(out, 0, 0), glim_image_pixel(src, SRC_W - 1, 0), 3) == 0);
        glim_image_free(out);
    }
    glim_image_free(src);
}

/* A quad's corners land on the output rectangle's corners. */
static void test_perspective_maps_corners(void)
{
    const double src[8] = {10.5, 3, 97, 12, 90, 70.25, 4, 61};
    const double dst[8] = {0, 0, 80, 0, 80, 30, 0, 30};
    double m[9];
    glim_error err;
    CHECK_OK(glim_perspective_transform(src, dst, m, &err), err);
    CHECK(m[8] == 1);
    for (int i = 0; i < 4; i++) {
        double x = src[2 * i], y = src[2 * i + 1];
        double w = m[6] * x + m[7] * y + m[8];
        CHECK_NEAR((m[0] * x + m[1] * y + m[2]) / w, dst[2 * i], 1e-9);
        CHECK_NEAR((m[3] * x + m[4] * y + m[5]) / w, dst[2 * i + 1], 1e-9);
    }
}

static void test_crop_quad_axis_aligned(void)
{
    /* An axis-aligned quad crops exactly the pixels it covers. */
    glim_image *src = load_src(3), *out = NULL, *ref = NULL;
    CHECK(src != NULL);
    if (!src) return;
    glim_error err;
    const double q[8] = {5, 7, 35, 7, 35, 19, 5, 19};
    CHECK_OK(glim_image_crop_quad(src, q, NULL, &out, &err), err);
    CHECK(out->width == 30 && out->height == 12);
    CHECK_OK(glim_image_crop(src, 5, 7, 30, 12, &ref, &err), err);
    int same = 1;
    for (int y = 0; y < 12; y++)
        same &= memcmp(out->data + y * out->stride, ref->data + y * ref->stride, 30 * 3) == 0;
    CHECK(same);
    glim_image_free(out);
    glim_image_free(ref);
    /* Tall (height / width >= 1.5): turned a quarter counter-clockwise, so
     * the crop's top-right pixel becomes the output's top-left. */
    const double tall[8] = {10, 2, 20, 2, 20, 32, 10, 32};
    CHECK_OK(glim_image_crop_quad(src, tall, NULL, &out, &err), err);
    CHECK(out->width == 30 && out->height == 10);
    CHECK(memcmp(glim_image_pixel(out, 0, 0), glim_image_pixel(src, 19, 2), 3) == 0);
    CHECK(memcmp(glim_image_pixel(out, 29, 9), glim_image_pixel(src, 10, 31), 3) == 0);
    glim_image_free(out);
    glim_image_free(src);
}

static void test_warp_errors(void)
{
    glim_image *src = load_src(1), *out = (glim_image *)1;
    CHECK(src != NULL);
    if (!src) return;
    glim_error err;
    double m[9];
    const double line[8] = {0, 0, 5, 5, 10, 10, 0, 10}; /* three corners collinear */
    const double ok[8] = {0, 0, 10, 0, 10, 10, 0, 10};
    CHECK(glim_perspective_transform(line, ok, m, &err) == GLIM_EINVAL);
    CHECK(strstr(err.msg, "source quad is degenerate") != NULL);
    CHECK(glim_perspective_transform(ok, line, m, &err) == GLIM_EINVAL);
    CHECK(strstr(err.msg, "destination quad") != NULL);
    const double nanq[8] = {0, 0, NAN, 0, 10, 10, 0, 10};
    CHECK(glim_perspective_transform(nanq, ok, m, &err) == GLIM_EINVAL);
    const double sing[9] = {1, 2, 3, 2, 4, 6, 0, 0, 1};
    CHECK(glim_image_warp_perspective(src, sing, 4, 4, NULL, &out, &err) == GLIM_EINVAL);
    CHECK(strstr(err.msg, "singular") != NULL && out == NULL);
    const double id[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    CHECK(glim_image_warp_perspective(src, id, 0, 4, NULL, &out, &err) == GLIM_EINVAL);
    CHECK(strstr(err.msg, "output size") != NULL);
    glim_warp_opts o;
    glim_warp_opts_init(&o);
    o.filter = GLIM_FILTER_LANCZOS;
    CHECK(glim_image_warp_perspective(src, id, 4, 4, &o, &out, &err) == GLIM_EINVAL);
    CHECK(strstr(err.msg, "filter") != NULL);
    const double inf[9] = {1, 0, INFINITY, 0, 1, 0, 0, 0, 1};
    CHECK(glim_image_warp_perspective(src, inf, 4, 4, NULL, &out, &err) == GLIM_EINVAL);
    CHECK(glim_image_crop_quad(src, line, NULL, &out, &err) == GLIM_EINVAL);
    CHECK(strstr(err.msg, "degenerate") != NULL);
    const double tiny[8] = {3, 3, 3.5, 3, 3.5, 3.5, 3, 3.5};
    CHECK(glim_image_crop_quad(src, tiny, NULL, &out, &err) == GLIM_EINVAL);
    CHECK(strstr(err.msg, "smaller than 1 px") != NULL);
    glim_image_free(src);
}


/* ---- allocation failures: fail the Nth allocation, for every N ---------- */

/* failing_alloc, counting_free, fail_at, alloc_count, live: alloc_fail.h */

static glim_status run_op(int op, const glim_image *img, glim_image **out, glim_error *err)
{
    const double m[9] = {0.9, 0.1, 2, -0.05, 1.1, 1, 0.001, 0.002, 1};
    const double tall[8] = {10, 2, 20, 2, 20, 32, 10, 32};
    const double wide[8] = {3, 4, 40, 6, 39, 20, 2, 18};
    glim_warp_opts o;
    glim_warp_opts_init(&o);
    switch (op) {
    case 0: return glim_image_warp_perspective(img, m, 30, 20, NULL, out, err);
    case 1: o.filter = GLIM_FILTER_BICUBIC; return glim_image_warp_perspective(img, m, 30, 20, &o, out, err);
    case 2: o.filter = GLIM_FILTER_NEAREST; return glim_image_warp_perspective(img, m, 30, 20, &o, out, err);
    case 3: return glim_image_crop_quad(img, wide, NULL, out, err);
    default: return glim_image_crop_quad(img, tall, NULL, out, err);
    }
}

static void test_warp_allocation_failures(void)
{
    glim_image *img = load_src(3);
    CHECK(img != NULL);
    if (!img) return;
    glim_allocator a = {failing_alloc, counting_free, NULL};
    for (int op = 0; op < 5; op++) {
        for (fail_at = 0; fail_at < 20; fail_at++) {
            glim_image *out = NULL;
            glim_error err;
            alloc_count = 0;
            live = 0;
            glim_set_allocator(&a);
            glim_status st = run_op(op, img, &out, &err);
            glim_image_free(out);
            glim_set_allocator(NULL);
            CHECK(live == 0);
            if (st == GLIM_OK) break;
            CHECK(st == GLIM_ENOMEM && out == NULL);
        }
        CHECK(fail_at < 20 && fail_at >= 1);
    }
    glim_image_free(img);
}

int main(void)
{
    RUN(test_warp_vs_opencv);
    RUN(test_warp_exact_cases);
    RUN(test_perspective_maps_corners);
    RUN(test_crop_quad_axis_aligned);
    RUN(test_warp_errors);
    RUN(test_warp_allocation_failures);
    return check_done();
}
