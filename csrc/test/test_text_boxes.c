/* test_text_boxes.c — minimum-area rectangles and DB text boxes against
 * OpenCV 4.6 references (tools/fixtures/opencv_ocr.py), plus edge cases and
 * argument errors. Run from the repo root. */
#include "check.h"
#include "alloc_fail.h"
#include "glimpse.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FIX "spec/fixtures/opencv/"

static FILE *open_fixture(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, FIX "%s", name);
    FILE *f = fopen(path, "rb");
    if (!f) printf("#   cannot open %s (run tests from the repo root)\n", path);
    return f;
}

/* Skip '#' comment lines; 1 when positioned at data, 0 at end of file. */
static int skip_comments(FILE *f)
{
    for (;;) {
        int c = fgetc(f);
        while (c == '\n' || c == ' ') c = fgetc(f);
        if (c == EOF) return 0;
        if (c != '#') {
            ungetc(c, f);
            return 1;
        }
        while (c != '\n' && c != EOF) c = fgetc(f);
    }
}

/* Every corner of `want` lies within tol of some corner of `got`. */
static int same_corners(const float got[8], const float want[8], double tol)
{
    for (int i = 0; i < 4; i++) {
        int hit = 0;
        for (int j = 0; j < 4 && !hit; j++)
            hit = fabs(got[2 * j] - want[2 * i]) <= tol && fabs(got[2 * j + 1] - want[2 * i + 1]) <= tol;
        if (!hit) return 0;
    }
    return 1;
}

/* Tolerance: OpenCV works in float32 and its boxPoints rounds through
 * float; 1e-3 px relative to the coordinates' size covers that. */
static void test_min_area_rect_vs_opencv(void)
{
    FILE *f = open_fixture("ocr_minrect.txt");
    CHECK(f != NULL);
    if (!f) return;
    int cases = 0;
    while (skip_comments(f)) {
        int n;
        if (fscanf(f, "%d", &n) != 1) break;
        float *xy = malloc(sizeof(float) * 2 * (size_t)n);
        for (int i = 0; i < 2 * n; i++) CHECK(fscanf(f, "%f", &xy[i]) == 1);
        float s0, s1, want[8], got[8], w, h;
        CHECK(fscanf(f, "%f %f", &s0, &s1) == 2);
        for (int i = 0; i < 8; i++) CHECK(fscanf(f, "%f", &want[i]) == 1);
        glim_error err;
        CHECK_OK(glim_min_area_rect(xy, n, got, &w, &h, &err), err);
        double tol = 2e-3 * (1 + fabs(s1));
        CHECK_NEAR(fminf(w, h), s0, tol);
        CHECK_NEAR(fmaxf(w, h), s1, tol);
        if (!same_corners(got, want, 0.01 + tol)) {
            printf("#   case %d (%d points): corners differ\n", cases + 1, n);
            printf("#   got  %g %g  %g %g  %g %g  %g %g\n", got[0], got[1], got[2], got[3], got[4],
                   got[5], got[6], got[7]);
            printf("#   want %g %g  %g %g  %g %g  %g %g\n", want[0], want[1], want[2], want[3],
                   want[4], want[5], want[6], want[7]);
            CHECK(0);
        }
        /* Where the rectangle is not square-ish the order must match too:
         * top-left, top-right, bottom-right, bottom-left. */
        if (s1 > 1.2 * s0 && s0 > 0) {
            for (int i = 0; i < 8; i++) CHECK_NEAR(got[i], want[i], 0.01 + tol);
        }
        free(xy);
        cases++;
    }
    fclose(f);
    CHECK(cases >= 10);
}

static void test_min_area_rect_errors(void)
{
    glim_error err;
    float c[8], w, h;
    float pts[4] = {1, 2, NAN, 3};
    CHECK(glim_min_area_rect(pts, 0, c, &w, &h, &err) == GLIM_EINVAL);
    CHECK(strstr(err.msg, "at least 1 point") != NULL);
    CHECK(glim_min_area_rect(pts, 2, c, &w, &h, &err) == GLIM_EINVAL);
    CHECK(strstr(err.msg, "point 2 is not finite") != NULL);
    CHECK(glim_min_area_rect(NULL, 2, c, &w, &h, &err) == GLIM_EINVAL);
    /* A diamond: the minimum rectangle is the diamond itself (area 2 * 2^2). */
    float dia[8] = {0, -2, 2, 0, 0, 2, -2, 0};
    CHECK_OK(glim_min_area_rect(dia, 4, c, &w, &h, &err), err);
    CHECK_NEAR(w * h, 8, 1e-5);
}

typedef struct want_box { float score, pts[8]; } want_box;

/* Corner tolerance: the reference's unclip goes through pyclipper-style
 * integer polygons, so corners may move by about a pixel (scaled by the
 * destination / map ratio), plus one for rounding. Score: mean over a
 * rasterised polygon whose edge pixels can differ from cv2.fillPoly's. */
static void test_text_boxes_vs_opencv(void)
{
    FILE *f = open_fixture("ocr_db.txt");
    CHECK(f != NULL);
    if (!f) return;
    int cases = 0;
    char name[64], file[64], mode[16];
    glim_text_box_params p;
    int h, w, dw, dh, nwant;
    while (skip_comments(f)) {
        glim_text_box_params_init(&p);
        if (fscanf(f, " case %63s %63s %d %d %d %d %f %f %f %d %d %15s %d", name, file, &h, &w,
                   &dw, &dh, &p.thresh, &p.box_thresh, &p.unclip_ratio, &p.max_candidates,
                   &p.min_size, mode, &p.dilate) != 13)
            break;
        p.score_mode = strcmp(mode, "slow") == 0 ? GLIM_TEXT_SCORE_SLOW : GLIM_TEXT_SCORE_FAST;
        CHECK(fscanf(f, " boxes %d", &nwant) == 1);
        want_box *want = calloc((size_t)nwant + 1, sizeof *want);
        for (int i = 0; i < nwant; i++) {
            CHECK(fscanf(f, "%f", &want[i].score) == 1);
            for (int k = 0; k < 8; k++) CHECK(fscanf(f, "%f", &want[i].pts[k]) == 1);
        }
        float *map = malloc(sizeof(float) * (size_t)h * w);
        FILE *mf = open_fixture(file);
        if (strstr(file, ".u8")) { /* an 8-bit map: value / 255, as the generator */
            uint8_t *q = malloc((size_t)h * w);
            CHECK(mf && fread(q, 1, (size_t)h * w, mf) == (size_t)h * w);
            for (size_t i = 0; i < (size_t)h * w; i++) map[i] = (float)q[i] / 255.0f;
            free(q);
        } else {
            CHECK(mf && fread(map, sizeof(float), (size_t)h * w, mf) == (size_t)h * w);
        }
        if (mf) fclose(mf);
        glim_text_box *boxes = NULL;
        int n = -1;
        glim_error err;
        CHECK_OK(glim_text_boxes(map, h, w, &p, dw, dh, &boxes, &n, &err), err);
        if (n != nwant) printf("#   case %s: %d boxes, want %d\n", name, n, nwant);
        CHECK(n == nwant);
        double tol = 1.01 + 1.5 * fmax((double)dw / w, (double)dh / h);
        for (int i = 0; i < n && i < nwant; i++) {
            const float *g = &boxes[i].pts[0][0];
            int ok = 1;
            for (int k = 0; k < 8; k++) ok &= fabs(g[k] - want[i].pts[k]) <= tol;
            if (!ok) {
                printf("#   case %s box %d: got %g %g %g %g %g %g %g %g\n", name, i, g[0], g[1],
                       g[2], g[3], g[4], g[5], g[6], g[7]);
                printf("#   want %g %g %g %g %g %g %g %g\n", want[i].pts[0], want[i].pts[1],
                       want[i].pts[2], want[i].pts[3], want[i].pts[4], want[i].pts[5],
                       want[i].pts[6], want[i].pts[7]);
            }
            CHECK(ok);
            CHECK_NEAR(boxes[i].score, want[i].score, 0.02);
            for (int k = 0; k < 4; k++) {
                CHECK(g[2 * k] >= 0 && g[2 * k] <= dw - 1);
                CHECK(g[2 * k + 1] >= 0 && g[2 * k + 1] <= dh - 1);
            }
        }
        glim_text_boxes_free(boxes);
        free(map);
        free(want);
        cases++;
    }
    fclose(f);
    CHECK(cases >= 12);
}

/* A map of n x-separated bars, 6 px tall: one box per bar. */
static float *bars_map(int h, int w, int n)
{
    float *m = calloc((size_t)h * w, sizeof(float));
    for (int b = 0; b < n; b++)
        for (int y = 4; y < 10; y++)
            for (int x = 2 + b * 14; x < 12 + b * 14; x++) m[y * w + x] = 0.9f;
    return m;
}

static void test_text_boxes_candidates_and_order(void)
{
    int h = 16, w = 2 + 14 * 5;
    float *m = bars_map(h, w, 5);
    glim_text_box_params p;
    glim_text_box_params_init(&p);
    glim_text_box *b = NULL;
    int n = 0;
    glim_error err;
    CHECK_OK(glim_text_boxes(m, h, w, &p, 0, 0, &b, &n, &err), err);
    CHECK(n == 5);
    for (int i = 0; i + 1 < n; i++) CHECK(b[i].pts[0][0] < b[i + 1].pts[0][0]); /* left to right */
    for (int i = 0; i < n; i++) {
        CHECK_NEAR(b[i].score, 0.9, 1e-5);
        /* 10 x 6 rectangle, centres 9 x 5 apart: D = 45 * 1.5 / 28 grows each side. */
        double d = 9.0 * 5.0 * 1.5 / 28.0;
        CHECK_NEAR(b[i].pts[0][1], rint(4 - d), 1.0);
        CHECK_NEAR(b[i].pts[2][1], rint(9 + d), 1.0);
    }
    glim_text_boxes_free(b);
    p.max_candidates = 3;
    CHECK_OK(glim_text_boxes(m, h, w, &p, 0, 0, &b, &n, &err), err);
    CHECK(n == 3);
    glim_text_boxes_free(b);
    p.max_candidates = 0;
    CHECK_OK(glim_text_boxes(m, h, w, &p, 0, 0, &b, &n, &err), err);
    CHECK(n == 0 && b == NULL);
    /* box_thresh above every score: nothing; min_size above the bar height: nothing. */
    glim_text_box_params_init(&p);
    p.box_thresh = 0.95f;
    CHECK_OK(glim_text_boxes(m, h, w, &p, 0, 0, &b, &n, &err), err);
    CHECK(n == 0);
    glim_text_box_params_init(&p);
    p.min_size = 6;
    CHECK_OK(glim_text_boxes(m, h, w, &p, 0, 0, &b, &n, &err), err);
    CHECK(n == 0);
    free(m);

    /* Reading order: a box slightly lower but to the left comes first on
     * the same line; a box 12 px lower starts the next line. */
    h = 60, w = 90;
    m = calloc((size_t)h * w, sizeof(float));
    for (int y = 20; y < 26; y++)
        for (int x = 50; x < 80; x++) m[y * w + x] = 0.9f; /* right, higher */
    for (int y = 24; y < 30; y++)
        for (int x = 5; x < 40; x++) m[y * w + x] = 0.9f; /* left, 4 px lower */
    for (int y = 38; y < 44; y++)
        for (int x = 60; x < 85; x++) m[y * w + x] = 0.9f; /* next line */
    glim_text_box_params_init(&p);
    CHECK_OK(glim_text_boxes(m, h, w, &p, 0, 0, &b, &n, &err), err);
    CHECK(n == 3);
    if (n == 3) {
        CHECK(b[0].pts[0][0] < 10 && b[1].pts[0][0] > 40 && b[2].pts[0][1] > 30);
    }
    glim_text_boxes_free(b);
    free(m);
}

/* Two squares meeting corner to corner are one 8-connected component. */
static void test_text_boxes_diagonal_touch(void)
{
    int h = 30, w = 30;
    float *m = calloc((size_t)h * w, sizeof(float));
    for (int y = 5; y < 15; y++)
        for (int x = 5; x < 15; x++) m[y * w + x] = 1.0f;
    for (int y = 15; y < 25; y++)
        for (int x = 15; x < 25; x++) m[y * w + x] = 1.0f;
    glim_text_box_params p;
    glim_text_box_params_init(&p);
    p.box_thresh = 0.0f;
    glim_text_box *b = NULL;
    int n = 0;
    glim_error err;
    CHECK_OK(glim_text_boxes(m, h, w, &p, 0, 0, &b, &n, &err), err);
    CHECK(n == 1);
    /* The fast score covers the diagonal band's rectangle: squares plus gaps. */
    if (n == 1) CHECK(b[0].score > 0.3 && b[0].score < 0.95);
    glim_text_boxes_free(b);
    p.score_mode = GLIM_TEXT_SCORE_SLOW; /* the component's own pixels: all 1 */
    CHECK_OK(glim_text_boxes(m, h, w, &p, 0, 0, &b, &n, &err), err);
    CHECK(n == 1);
    if (n == 1) CHECK_NEAR(b[0].score, 1.0, 1e-6);
    glim_text_boxes_free(b);
    free(m);
}

static void test_text_boxes_errors(void)
{
    float m[4] = {0};
    glim_text_box_params p;
    glim_text_box *b = (glim_text_box *)1;
    int n = 7;
    glim_error err;
    CHECK(glim_text_boxes(m, 0, 2, NULL, 0, 0, &b, &n, &err) == GLIM_EINVAL);
    CHECK(strstr(err.msg, "map size") != NULL);
    CHECK(b == NULL && n == 0);
    CHECK(glim_text_boxes(m, 2, 2, NULL, -1, 5, &b, &n, &err) == GLIM_EINVAL);
    CHECK(strstr(err.msg, "destination size") != NULL);
    CHECK(glim_text_boxes(NULL, 2, 2, NULL, 0, 0, &b, &n, &err) == GLIM_EINVAL);
    glim_text_box_params_init(&p);
    p.thresh = NAN;
    CHECK(glim_text_boxes(m, 2, 2, &p, 0, 0, &b, &n, &err) == GLIM_EINVAL);
    CHECK(strstr(err.msg, "thresh") != NULL);
    glim_text_box_params_init(&p);
    p.unclip_ratio = -1;
    CHECK(glim_text_boxes(m, 2, 2, &p, 0, 0, &b, &n, &err) == GLIM_EINVAL);
    CHECK(strstr(err.msg, "unclip_ratio") != NULL);
    glim_text_box_params_init(&p);
    p.max_candidates = -1;
    CHECK(glim_text_boxes(m, 2, 2, &p, 0, 0, &b, &n, &err) == GLIM_EINVAL);
    glim_text_box_params_init(&p);
    p.min_size = -2;
    CHECK(glim_text_boxes(m, 2, 2, &p, 0, 0, &b, &n, &err) == GLIM_EINVAL);
    glim_text_box_params_init(&p);
    p.score_mode = (glim_text_score)9;
    CHECK(glim_text_boxes(m, 2, 2, &p, 0, 0, &b, &n, &err) == GLIM_EINVAL);
    CHECK(strstr(err.msg, "score_mode") != NULL);
    /* NaN probabilities are background, never text. */
    float nanmap[64];
    for (int i = 0; i < 64; i++) nanmap[i] = NAN;
    CHECK_OK(glim_text_boxes(nanmap, 8, 8, NULL, 0, 0, &b, &n, &err), err);
    CHECK(n == 0);
}


/* ---- allocation failures: fail the Nth allocation, for every N ---------- */

/* failing_alloc, counting_free, fail_at, alloc_count, live: alloc_fail.h */

static void test_text_boxes_allocation_failures(void)
{
    /* 40 bars: enough boxes to grow the result array more than once. */
    int h = 8 * 5, w = 2 + 14 * 8;
    float *m = calloc((size_t)h * w, sizeof(float));
    for (int r = 0; r < 5; r++)
        for (int b = 0; b < 8; b++)
            for (int y = 1 + r * 8; y < 6 + r * 8; y++)
                for (int x = 2 + b * 14; x < 12 + b * 14; x++) m[y * w + x] = 0.9f;
    glim_allocator a = {failing_alloc, counting_free, NULL};
    int done = 0;
    for (fail_at = 0; fail_at < 100 && !done; fail_at++) {
        glim_text_box *b = NULL;
        int n = -1;
        glim_error err;
        alloc_count = 0;
        live = 0;
        glim_set_allocator(&a);
        glim_status st = glim_text_boxes(m, h, w, NULL, 0, 0, &b, &n, &err);
        int boxes_n = n;
        glim_text_boxes_free(b);
        float c[8], xy[6] = {0, 0, 4, 1, 2, 5};
        glim_status st2 = glim_min_area_rect(xy, 3, c, NULL, NULL, &err);
        glim_set_allocator(NULL);
        CHECK(live == 0);
        if (st == GLIM_OK && st2 == GLIM_OK) {
            CHECK(boxes_n == 40);
            done = 1;
        } else {
            CHECK(st == GLIM_ENOMEM || st2 == GLIM_ENOMEM);
            if (st != GLIM_OK) CHECK(b == NULL && n == 0);
        }
    }
    CHECK(done);
    CHECK(fail_at > 8); /* the scratch buffers, the result array growing, the hull */
    free(m);
}

/* Deterministic pseudo-random numbers for the property tests. */
static uint32_t rng_state = 12345u;
static double rnd(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (rng_state >> 8) / 16777216.0;
}

/* Random point clouds: the rectangle holds every point (within rounding),
 * is a rectangle, and no rotation tried by brute force (every 0.05
 * degrees) gives a smaller bounding box. */
static void test_min_area_rect_properties(void)
{
    for (int trial = 0; trial < 60; trial++) {
        int n = 1 + (int)(rnd() * 30);
        float xy[60];
        double sx = 1 + rnd() * 50, sy = 1 + rnd() * 50, a = rnd() * 3.14159;
        for (int i = 0; i < n; i++) {
            double u = (rnd() - 0.5) * sx, v = (rnd() - 0.5) * sy;
            xy[2 * i] = (float)(100 + u * cos(a) - v * sin(a));
            xy[2 * i + 1] = (float)(80 + u * sin(a) + v * cos(a));
        }
        float c[8], w, h;
        glim_error err;
        CHECK_OK(glim_min_area_rect(xy, n, c, &w, &h, &err), err);
        /* Sides: opposite sides equal, adjacent ones perpendicular. */
        double e0x = c[2] - c[0], e0y = c[3] - c[1], e1x = c[4] - c[2], e1y = c[5] - c[3];
        double e2x = c[6] - c[4], e2y = c[7] - c[5];
        CHECK_NEAR(hypot(e0x, e0y), w, 1e-3 * (1 + w));
        CHECK_NEAR(hypot(e1x, e1y), h, 1e-3 * (1 + h));
        CHECK_NEAR(e0x, -e2x, 1e-3 * (1 + w));
        CHECK_NEAR(e0y, -e2y, 1e-3 * (1 + w));
        CHECK_NEAR(e0x * e1x + e0y * e1y, 0, 1e-3 * (1 + w * h));
        /* Clockwise on screen (y down): positive cross product. */
        if (w > 1e-3 && h > 1e-3) CHECK(e0x * e1y - e0y * e1x > 0);
        /* Containment: each point's projections fall within the sides. */
        for (int i = 0; i < n; i++) {
            double px = xy[2 * i] - c[0], py = xy[2 * i + 1] - c[1];
            if (w > 1e-3) {
                double t = (px * e0x + py * e0y) / w;
                CHECK(t >= -1e-3 * (1 + w) && t <= w + 1e-3 * (1 + w));
            }
            if (h > 1e-3) {
                double t = (px * e1x + py * e1y) / h;
                CHECK(t >= -1e-3 * (1 + h) && t <= h + 1e-3 * (1 + h));
            }
        }
        double best = INFINITY;
        for (int k = 0; k < 3600; k++) {
            double t = k * 3.14159265358979 / 3600, ct = cos(t), st = sin(t);
            double a0 = INFINITY, a1 = -INFINITY, b0 = INFINITY, b1 = -INFINITY;
            for (int i = 0; i < n; i++) {
                double p = xy[2 * i] * ct + xy[2 * i + 1] * st, q = -xy[2 * i] * st + xy[2 * i + 1] * ct;
                a0 = fmin(a0, p), a1 = fmax(a1, p), b0 = fmin(b0, q), b1 = fmax(b1, q);
            }
            best = fmin(best, (a1 - a0) * (b1 - b0));
        }
        CHECK(w * h <= best * (1 + 1e-4) + 1e-3);
    }
}

/* Random blob maps: boxes lie in the destination image, run clockwise from
 * the top-left corner, score at least box_thresh, come in reading order, and
 * no more of them than components exist. */
static void test_text_boxes_properties(void)
{
    for (int trial = 0; trial < 25; trial++) {
        int h = 20 + (int)(rnd() * 80), w = 20 + (int)(rnd() * 120);
        float *m = calloc((size_t)h * w, sizeof(float));
        int blobs = 1 + (int)(rnd() * 8);
        for (int b = 0; b < blobs; b++) {
            double cx = rnd() * w, cy = rnd() * h, len = 4 + rnd() * 40, th = 2 + rnd() * 8;
            double a = (rnd() - 0.5) * 1.2, p = 0.5 + rnd() * 0.5;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    double u = (x - cx) * cos(a) + (y - cy) * sin(a);
                    double v = -(x - cx) * sin(a) + (y - cy) * cos(a);
                    if (fabs(u) <= len / 2 && fabs(v) <= th / 2 && m[y * w + x] < p) m[y * w + x] = (float)p;
                }
        }
        glim_text_box_params p;
        glim_text_box_params_init(&p);
        p.score_mode = trial & 1 ? GLIM_TEXT_SCORE_SLOW : GLIM_TEXT_SCORE_FAST;
        int dw = trial % 3 ? w * 2 + 1 : w, dh = trial % 3 ? h * 3 / 2 : h;
        glim_text_box *b = NULL;
        int n = 0;
        glim_error err;
        CHECK_OK(glim_text_boxes(m, h, w, &p, dw, dh, &b, &n, &err), err);
        CHECK(n <= blobs);
        for (int i = 0; i < n; i++) {
            CHECK(b[i].score >= p.box_thresh && b[i].score <= 1.0f);
            for (int k = 0; k < 4; k++) {
                CHECK(b[i].pts[k][0] >= 0 && b[i].pts[k][0] <= dw - 1);
                CHECK(b[i].pts[k][1] >= 0 && b[i].pts[k][1] <= dh - 1);
                CHECK(b[i].pts[k][0] == floorf(b[i].pts[k][0]));
            }
            /* top-left has the smallest x + y, bottom-right the largest */
            for (int k = 1; k < 4; k++) {
                CHECK(b[i].pts[0][0] + b[i].pts[0][1] <= b[i].pts[k][0] + b[i].pts[k][1]);
                CHECK(b[i].pts[2][0] + b[i].pts[2][1] >= b[i].pts[k][0] + b[i].pts[k][1]);
            }
            /* reading order: a later box starts lower, or on the same line
             * (within 10 px) no further left than the box before it */
            if (i > 0) {
                float dy = b[i].pts[0][1] - b[i - 1].pts[0][1];
                CHECK(dy >= 0 || (fabsf(dy) < 10 && b[i].pts[0][0] >= b[i - 1].pts[0][0]));
            }
        }
        glim_text_boxes_free(b);
        free(m);
    }
}

int main(void)
{
    RUN(test_min_area_rect_vs_opencv);
    RUN(test_min_area_rect_errors);
    RUN(test_min_area_rect_properties);
    RUN(test_text_boxes_vs_opencv);
    RUN(test_text_boxes_candidates_and_order);
    RUN(test_text_boxes_diagonal_touch);
    RUN(test_text_boxes_errors);
    RUN(test_text_boxes_properties);
    RUN(test_text_boxes_allocation_failures);
    return check_done();
}
