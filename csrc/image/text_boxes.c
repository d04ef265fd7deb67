/*
 * text_boxes.c — DB (differentiable binarisation) text-detector
 * post-processing, the C counterpart of PaddleOCR's DBPostProcess with
 * box_type "quad", plus TextDetector's filter_tag_det_res and TextSystem's
 * reading-order sort.
 *
 * Per map: binarise (p > thresh), optionally dilate (use_dilation); label 8-connected components in raster
 * order; for each of the first max_candidates components take the convex
 * hull of its pixel centres (the two ends of every row suffice, and the hull
 * of a component equals that of its outer contour, so this is the same
 * rectangle cv2.minAreaRect finds on cv2.findContours' output); find the
 * minimum-area rectangle by trying every hull edge as a side; drop it when
 * its shorter side < min_size; score it; drop it when score < box_thresh;
 * "unclip" it by D = area * unclip_ratio / perimeter on every side (what
 * pyclipper's round offset followed by minAreaRect gives for a rectangle);
 * drop it when its shorter side < min_size + 2; scale to the destination
 * image, round, clip, order the corners, and drop boxes with a side <= 3 px.
 *
 * Differences from PaddleOCR, all confined to edge cases: findContours'
 * RETR_LIST also returns the contours of holes (a ring-shaped blob gives a
 * second, inner box there; not here); max_candidates counts components in
 * raster order rather than findContours' order; "slow" scores average the
 * component's own pixels rather than its filled contour (holes excluded);
 * pyclipper rounds the offset polygon to whole pixels before minAreaRect,
 * so unclipped boxes here can differ from PaddleOCR's by about 1 px.
 */
#include "process.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void glim_text_box_params_init(glim_text_box_params *p)
{
    p->thresh = 0.3f;
    p->box_thresh = 0.6f;
    p->unclip_ratio = 1.5f;
    p->max_candidates = 1000;
    p->min_size = 3;
    p->score_mode = GLIM_TEXT_SCORE_FAST;
    p->dilate = 0;
}

void glim_text_boxes_free(glim_text_box *boxes) { glim_free(boxes); }

/* ---- geometry ------------------------------------------------------------ */

typedef struct dpt { double x, y; } dpt;

/* A rotated rectangle: corner c[0] plus the side vectors u (length w) and v
 * (length h), so the corners are c, c+u, c+u+v, c+v. */
typedef struct rrect {
    double cx, cy;     /* centre */
    double ux, uy;     /* unit vector along the first side */
    double w, h;       /* side lengths along u and along (-uy, ux) */
} rrect;

/* Exact for the integer pixel coordinates of a map (below 2^16). */
static double cross3(dpt o, dpt a, dpt b)
{
    return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

/* Andrew's monotone chain over points already sorted lexicographically
 * ((y, x) for components, (x, y) for min_area_rect). Writes the hull without
 * collinear points into `hull` (room for n + 1) and returns its size. */
static int convex_hull(const dpt *pts, int n, dpt *hull)
{
    if (n <= 2) {
        int m = 0;
        for (int i = 0; i < n; i++)
            if (m == 0 || pts[i].x != hull[m - 1].x || pts[i].y != hull[m - 1].y)
                hull[m++] = pts[i];
        return m;
    }
    int k = 0;
    for (int i = 0; i < n; i++) {
        while (k >= 2 && cross3(hull[k - 2], hull[k - 1], pts[i]) <= 0) k--;
        hull[k++] = pts[i];
    }
    for (int i = n - 2, lower = k + 1; i >= 0; i--) {
        while (k >= lower && cross3(hull[k - 2], hull[k - 1], pts[i]) <= 0) k--;
        hull[k++] = pts[i];
    }
    return k - 1; /* the last point repeats the first */
}

/* Minimum-area rectangle around a convex polygon (any orientation, no
 * repeated points): one side lies on some hull edge, so try each. */
static rrect min_rect_hull(const dpt *hull, int n)
{
    rrect r = {hull[0].x, hull[0].y, 1, 0, 0, 0};
    if (n == 1) return r;
    if (n == 2) {
        double dx = hull[1].x - hull[0].x, dy = hull[1].y - hull[0].y, len = sqrt(dx * dx + dy * dy);
        r.cx = (hull[0].x + hull[1].x) / 2;
        r.cy = (hull[0].y + hull[1].y) / 2;
        r.ux = dx / len;
        r.uy = dy / len;
        r.w = len;
        return r;
    }
    double best = INFINITY;
    for (int i = 0; i < n; i++) {
        int j = i + 1 == n ? 0 : i + 1;
        double dx = hull[j].x - hull[i].x, dy = hull[j].y - hull[i].y, len = sqrt(dx * dx + dy * dy);
        if (len == 0) continue;
        double ux = dx / len, uy = dy / len;
        double a0 = INFINITY, a1 = -INFINITY, b0 = INFINITY, b1 = -INFINITY;
        for (int k = 0; k < n; k++) {
            double px = hull[k].x - hull[i].x, py = hull[k].y - hull[i].y;
            double a = px * ux + py * uy, b = -px * uy + py * ux;
            if (a < a0) a0 = a;
            if (a > a1) a1 = a;
            if (b < b0) b0 = b;
            if (b > b1) b1 = b;
        }
        double area = (a1 - a0) * (b1 - b0);
        if (area < best - 1e-9 * (area > 1 ? area : 1)) {
            best = area;
            double am = (a0 + a1) / 2, bm = (b0 + b1) / 2;
            r.cx = hull[i].x + am * ux - bm * uy;
            r.cy = hull[i].y + am * uy + bm * ux;
            r.ux = ux;
            r.uy = uy;
            r.w = a1 - a0;
            r.h = b1 - b0;
        }
    }
    return r;
}

/* The four corners of r, as cv2.boxPoints would list them up to rotation. */
static void rect_corners(const rrect *r, double pts[4][2])
{
    double ax = r->ux * r->w / 2, ay = r->uy * r->w / 2;    /* half side along u */
    double bx = -r->uy * r->h / 2, by = r->ux * r->h / 2;   /* half side along v */
    pts[0][0] = r->cx - ax - bx, pts[0][1] = r->cy - ay - by;
    pts[1][0] = r->cx + ax - bx, pts[1][1] = r->cy + ay - by;
    pts[2][0] = r->cx + ax + bx, pts[2][1] = r->cy + ay + by;
    pts[3][0] = r->cx - ax + bx, pts[3][1] = r->cy - ay + by;
}

/* PaddleOCR's get_mini_boxes order: sort by x (stable); of the two
 * leftmost the upper is top-left, the lower bottom-left; of the two
 * rightmost the upper is top-right, the lower bottom-right. */
static void order_mini_box(double pts[4][2], double out[4][2])
{
    int idx[4] = {0, 1, 2, 3};
    for (int i = 1; i < 4; i++) /* insertion sort: stable */
        for (int j = i; j > 0 && pts[idx[j]][0] < pts[idx[j - 1]][0]; j--) {
            int t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    int tl, bl, tr, br;
    if (pts[idx[1]][1] > pts[idx[0]][1]) tl = idx[0], bl = idx[1];
    else tl = idx[1], bl = idx[0];
    if (pts[idx[3]][1] > pts[idx[2]][1]) tr = idx[2], br = idx[3];
    else tr = idx[3], br = idx[2];
    memcpy(out[0], pts[tl], sizeof out[0]);
    memcpy(out[1], pts[tr], sizeof out[1]);
    memcpy(out[2], pts[br], sizeof out[2]);
    memcpy(out[3], pts[bl], sizeof out[3]);
}

static int dpt_cmp_xy(const void *pa, const void *pb)
{
    const dpt *a = pa, *b = pb;
    if (a->x != b->x) return a->x < b->x ? -1 : 1;
    return (a->y > b->y) - (a->y < b->y);
}

glim_status glim_min_area_rect(const float *xy, int n, float corners[8], float *width,
                               float *height, glim_error *err)
{
    if (!xy || !corners) return glim_fail(err, GLIM_EINVAL, "min_area_rect: NULL argument");
    if (n < 1) return glim_fail(err, GLIM_EINVAL, "min_area_rect: need at least 1 point, got %d", n);
    for (int i = 0; i < 2 * n; i++)
        if (!isfinite(xy[i]))
            return glim_fail(err, GLIM_EINVAL, "min_area_rect: point %d is not finite", i / 2 + 1);
    /* The points, sorted by (x, y), then their hull: room for 2n + 1. */
    size_t bytes;
    if (!glim_mul_size((size_t)n * 2 + 1, sizeof(dpt), &bytes))
        return glim_fail(err, GLIM_ENOMEM, "min_area_rect: too many points");
    dpt *pts = glim_alloc(bytes);
    if (!pts) return glim_fail(err, GLIM_ENOMEM, "min_area_rect: out of memory");
    dpt *hull = pts + n;
    for (int i = 0; i < n; i++) pts[i] = (dpt){xy[2 * i], xy[2 * i + 1]};
    qsort(pts, (size_t)n, sizeof *pts, dpt_cmp_xy);
    int k = convex_hull(pts, n, hull);
    if (k == 2 && hull[0].x == hull[1].x && hull[0].y == hull[1].y) k = 1;
    rrect r = min_rect_hull(hull, k);
    glim_free(pts);
    double c[4][2], o[4][2];
    rect_corners(&r, c);
    order_mini_box(c, o);
    for (int i = 0; i < 4; i++) corners[2 * i] = (float)o[i][0], corners[2 * i + 1] = (float)o[i][1];
    if (width) *width = (float)hypot(o[1][0] - o[0][0], o[1][1] - o[0][1]);
    if (height) *height = (float)hypot(o[3][0] - o[0][0], o[3][1] - o[0][1]);
    return GLIM_OK;
}

/* ---- scoring ------------------------------------------------------------ */

/* Mean of prob over the pixels of the box's bounding rectangle that lie in
 * the polygon, the way box_score_fast does it: corners shifted into the
 * rectangle and truncated to integers, then filled (cv2.fillPoly covers
 * boundary pixels too, hence the half-pixel allowance). */
static double score_fast(const float *prob, int h, int w, double box[4][2])
{
    double mnx = box[0][0], mxx = mnx, mny = box[0][1], mxy = mny;
    for (int i = 1; i < 4; i++) {
        mnx = fmin(mnx, box[i][0]), mxx = fmax(mxx, box[i][0]);
        mny = fmin(mny, box[i][1]), mxy = fmax(mxy, box[i][1]);
    }
    int x0 = (int)floor(mnx), x1 = (int)ceil(mxx), y0 = (int)floor(mny), y1 = (int)ceil(mxy);
    x0 = x0 < 0 ? 0 : x0 > w - 1 ? w - 1 : x0;
    x1 = x1 < 0 ? 0 : x1 > w - 1 ? w - 1 : x1;
    y0 = y0 < 0 ? 0 : y0 > h - 1 ? h - 1 : y0;
    y1 = y1 < 0 ? 0 : y1 > h - 1 ? h - 1 : y1;
    double px[4], py[4];
    for (int i = 0; i < 4; i++) {
        px[i] = (double)(int)(box[i][0] - x0) + x0; /* astype(int32) truncates */
        py[i] = (double)(int)(box[i][1] - y0) + y0;
    }
    /* Orientation of the quad, so "inside" is the same sign for every edge. */
    double area2 = 0;
    for (int i = 0; i < 4; i++) {
        int j = (i + 1) & 3;
        area2 += px[i] * py[j] - px[j] * py[i];
    }
    double sgn = area2 < 0 ? -1 : 1;
    double sum = 0;
    long cnt = 0;
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++) {
            int in = 1;
            for (int i = 0; i < 4 && in; i++) {
                int j = (i + 1) & 3;
                double ex = px[j] - px[i], ey = py[j] - py[i];
                double c = sgn * (ex * (y - py[i]) - ey * (x - px[i]));
                double m = fmax(fabs(ex), fabs(ey));
                if (m > 0 && c < -0.5 * m) in = 0;
            }
            if (in) {
                sum += prob[(size_t)y * w + x];
                cnt++;
            }
        }
    return cnt ? sum / (double)cnt : 0.0;
}

/* ---- components and boxes ----------------------------------------------- */

enum { FG = 1, QUEUED = 2 };

typedef struct scratch {
    uint8_t *mask;  /* h * w: FG for text pixels, plus QUEUED once flood-filled */
    int32_t *queue; /* h * w pixel indices: one component at a time */
    int32_t *rmin, *rmax; /* h: each row's extent within the component */
    dpt *pts;       /* 2h row ends */
    dpt *hull;      /* 2h + 1 */
} scratch;

static void scratch_free(scratch *s)
{
    glim_free(s->mask);
    glim_free(s->queue);
    glim_free(s->rmin);
    glim_free(s->rmax);
    glim_free(s->pts);
    glim_free(s->hull);
}

static int box_less(const glim_text_box *a, const glim_text_box *b)
{
    if (a->pts[0][1] != b->pts[0][1]) return a->pts[0][1] < b->pts[0][1];
    return a->pts[0][0] < b->pts[0][0];
}

/* TextSystem's sorted_boxes: sort by the top-left corner (y, then x), then
 * one bubbling pass moving a box left of its predecessor on the same line
 * (top-left y less than 10 px apart) in front of it. */
static void sort_reading_order(glim_text_box *b, int n)
{
    for (int i = 1; i < n; i++) { /* stable insertion sort, as Python's sorted */
        glim_text_box t = b[i];
        int j = i;
        for (; j > 0 && box_less(&t, &b[j - 1]); j--) b[j] = b[j - 1];
        b[j] = t;
    }
    for (int i = 0; i < n - 1; i++)
        for (int j = i; j >= 0; j--) {
            if (fabsf(b[j + 1].pts[0][1] - b[j].pts[0][1]) < 10 &&
                b[j + 1].pts[0][0] < b[j].pts[0][0]) {
                glim_text_box t = b[j];
                b[j] = b[j + 1];
                b[j + 1] = t;
            } else {
                break;
            }
        }
}

/* TextDetector's order_points_clockwise: top-left has the smallest x + y,
 * bottom-right the largest; of the other two, top-right has the smaller
 * y - x. Ties go to the first in the incoming order (numpy argmin). */
static void order_clockwise(double in[4][2], float out[4][2])
{
    int smin = 0, smax = 0;
    for (int i = 1; i < 4; i++) {
        if (in[i][0] + in[i][1] < in[smin][0] + in[smin][1]) smin = i;
        if (in[i][0] + in[i][1] > in[smax][0] + in[smax][1]) smax = i;
    }
    int rest[3], nr = 0;
    for (int i = 0; i < 4; i++)
        if (i != smin && i != smax) rest[nr++] = i;
    int tr = rest[0], bl = rest[nr > 1 ? 1 : 0];
    if (nr >= 2) {
        double d0 = in[rest[0]][1] - in[rest[0]][0], d1 = in[rest[1]][1] - in[rest[1]][0];
        if (d1 < d0) tr = rest[1], bl = rest[0];
        else tr = rest[0], bl = rest[1];
    }
    const int o[4] = {smin, tr, smax, bl};
    for (int i = 0; i < 4; i++) out[i][0] = (float)in[o[i]][0], out[i][1] = (float)in[o[i]][1];
}

static glim_status push_box(glim_text_box **boxes, int *n, int *cap, const glim_text_box *b,
                            glim_error *err)
{
    if (*n == *cap) {
        int ncap = *cap ? *cap * 2 : 16;
        glim_text_box *nb = glim_alloc((size_t)ncap * sizeof *nb);
        if (!nb) return glim_fail(err, GLIM_ENOMEM, "text_boxes: out of memory for %d boxes", ncap);
        if (*n) memcpy(nb, *boxes, (size_t)*n * sizeof *nb);
        glim_free(*boxes);
        *boxes = nb;
        *cap = ncap;
    }
    (*boxes)[(*n)++] = *b;
    return GLIM_OK;
}

glim_status glim_text_boxes(const float *prob, int h, int w, const glim_text_box_params *p,
                            int dest_w, int dest_h, glim_text_box **out, int *count,
                            glim_error *err)
{
    if (out) *out = NULL;
    if (count) *count = 0;
    if (!prob || !out || !count) return glim_fail(err, GLIM_EINVAL, "text_boxes: NULL argument");
    if (h < 1 || w < 1 || h > GLIM_IMAGE_MAX_SIDE || w > GLIM_IMAGE_MAX_SIDE)
        return glim_fail(err, GLIM_EINVAL, "text_boxes: map size %dx%d outside 1..%d", w, h,
                         GLIM_IMAGE_MAX_SIDE);
    if (dest_w == 0) dest_w = w;
    if (dest_h == 0) dest_h = h;
    if (dest_w < 1 || dest_h < 1 || dest_w > GLIM_IMAGE_MAX_SIDE || dest_h > GLIM_IMAGE_MAX_SIDE)
        return glim_fail(err, GLIM_EINVAL, "text_boxes: destination size %dx%d outside 1..%d",
                         dest_w, dest_h, GLIM_IMAGE_MAX_SIDE);
    glim_text_box_params def;
    if (!p) {
        glim_text_box_params_init(&def);
        p = &def;
    }
    if (!isfinite(p->thresh))
        return glim_fail(err, GLIM_EINVAL, "text_boxes: thresh must be finite");
    if (!isfinite(p->box_thresh))
        return glim_fail(err, GLIM_EINVAL, "text_boxes: box_thresh must be finite");
    if (!isfinite(p->unclip_ratio) || p->unclip_ratio < 0)
        return glim_fail(err, GLIM_EINVAL, "text_boxes: unclip_ratio must be finite and >= 0");
    if (p->max_candidates < 0)
        return glim_fail(err, GLIM_EINVAL, "text_boxes: max_candidates must be >= 0");
    if (p->min_size < 0)
        return glim_fail(err, GLIM_EINVAL, "text_boxes: min_size must be >= 0");
    if (p->score_mode != GLIM_TEXT_SCORE_FAST && p->score_mode != GLIM_TEXT_SCORE_SLOW)
        return glim_fail(err, GLIM_EINVAL, "text_boxes: unknown score_mode %d", (int)p->score_mode);

    size_t npix = (size_t)h * (size_t)w;
    if (npix > INT32_MAX) /* pixel indices are int32 */
        return glim_fail(err, GLIM_EINVAL, "text_boxes: map of %dx%d pixels is too large", w, h);
    scratch s = {0};
    s.mask = glim_alloc(npix);
    s.queue = glim_alloc(npix * sizeof(int32_t));
    s.rmin = glim_alloc((size_t)h * sizeof(int32_t));
    s.rmax = glim_alloc((size_t)h * sizeof(int32_t));
    s.pts = glim_alloc((size_t)h * 2 * sizeof(dpt));
    s.hull = glim_alloc(((size_t)h * 2 + 1) * sizeof(dpt));
    if (!s.mask || !s.queue || !s.rmin || !s.rmax || !s.pts || !s.hull) {
        scratch_free(&s);
        return glim_fail(err, GLIM_ENOMEM, "text_boxes: out of memory for a %dx%d map", w, h);
    }

    glim_text_box *boxes = NULL;
    int nbox = 0, cap = 0, ncomp = 0;
    const float thresh = p->thresh;
    const double sx = (double)dest_w / w, sy = (double)dest_h / h;
    glim_status st = GLIM_OK;

    /* Binarise (NaN is background), then optionally dilate with a 2x2
     * kernel anchored at its centre as cv2.dilate does: a pixel is set when
     * any of (x-1..x, y-1..y) is. Going backwards keeps the sources
     * unmodified, so it works in place. */
    for (size_t i = 0; i < npix; i++) s.mask[i] = prob[i] > thresh ? FG : 0;
    if (p->dilate)
        for (int y = h - 1; y >= 0; y--)
            for (int x = w - 1; x >= 0; x--) {
                size_t i = (size_t)y * w + x;
                uint8_t v = s.mask[i];
                if (x > 0) v |= s.mask[i - 1];
                if (y > 0) {
                    v |= s.mask[i - w];
                    if (x > 0) v |= s.mask[i - w - 1];
                }
                s.mask[i] = v;
            }

    for (size_t start = 0; start < npix && ncomp < p->max_candidates; start++) {
        if (s.mask[start] != FG) continue;
        ncomp++;
        /* Flood fill (8-connected); the queue ends up listing the component. */
        size_t head = 0, tail = 0;
        s.queue[tail++] = (int32_t)start;
        s.mask[start] |= QUEUED;
        int ymin = (int)(start / (size_t)w), ymax = ymin;
        s.rmin[ymin] = s.rmax[ymin] = (int32_t)(start % (size_t)w);
        while (head < tail) {
            int32_t q = s.queue[head++];
            int qy = q / w, qx = q % w;
            for (int dy = -1; dy <= 1; dy++) {
                int ny = qy + dy;
                if (ny < 0 || ny >= h) continue;
                for (int dx = -1; dx <= 1; dx++) {
                    int nx = qx + dx;
                    if (nx < 0 || nx >= w) continue;
                    size_t ni = (size_t)ny * w + nx;
                    if (s.mask[ni] != FG) continue;
                    s.mask[ni] |= QUEUED;
                    s.queue[tail++] = (int32_t)ni;
                    if (ny > ymax) { /* rows are reached in order, never skipped */
                        ymax = ny;
                        s.rmin[ny] = s.rmax[ny] = nx;
                    } else {
                        if (nx < s.rmin[ny]) s.rmin[ny] = nx;
                        if (nx > s.rmax[ny]) s.rmax[ny] = nx;
                    }
                }
            }
        }
        /* Row ends, sorted by (y, x): the input the hull needs. */
        int np = 0;
        for (int y = ymin; y <= ymax; y++) {
            s.pts[np++] = (dpt){s.rmin[y], y};
            if (s.rmax[y] != s.rmin[y]) s.pts[np++] = (dpt){s.rmax[y], y};
        }
        rrect r = min_rect_hull(s.hull, convex_hull(s.pts, np, s.hull));
        if (fmin(r.w, r.h) < p->min_size) continue;

        double c[4][2], mb[4][2];
        rect_corners(&r, c);
        order_mini_box(c, mb);
        double score;
        if (p->score_mode == GLIM_TEXT_SCORE_FAST) {
            score = score_fast(prob, h, w, mb);
        } else {
            double sum = 0;
            for (size_t i = 0; i < tail; i++) sum += prob[s.queue[i]];
            score = sum / (double)tail;
        }
        if (!(score >= p->box_thresh)) continue; /* NaN scores drop too */

        double perim = 2 * (r.w + r.h);
        double d = perim > 0 ? r.w * r.h * p->unclip_ratio / perim : 0;
        r.w += 2 * d;
        r.h += 2 * d;
        if (fmin(r.w, r.h) < p->min_size + 2) continue;
        rect_corners(&r, c);
        order_mini_box(c, mb);
        for (int i = 0; i < 4; i++) {
            double x = rint(mb[i][0] * sx), y = rint(mb[i][1] * sy); /* np.round */
            mb[i][0] = fmin(fmax(x, 0), dest_w - 1);
            mb[i][1] = fmin(fmax(y, 0), dest_h - 1);
        }
        glim_text_box b;
        order_clockwise(mb, b.pts);
        b.score = (float)score;
        /* filter_tag_det_res: int(norm) of the top and left sides > 3. */
        int bw = (int)hypot(b.pts[0][0] - b.pts[1][0], b.pts[0][1] - b.pts[1][1]);
        int bh = (int)hypot(b.pts[0][0] - b.pts[3][0], b.pts[0][1] - b.pts[3][1]);
        if (bw <= 3 || bh <= 3) continue;
        if ((st = push_box(&boxes, &nbox, &cap, &b, err)) != GLIM_OK) break;
    }
    scratch_free(&s);
    if (st != GLIM_OK) {
        glim_free(boxes);
        return st;
    }
    sort_reading_order(boxes, nbox);
    *out = boxes;
    *count = nbox;
    return GLIM_OK;
}
