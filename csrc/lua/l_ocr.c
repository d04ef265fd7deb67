/* l_ocr.c — OCR primitives in glimpse.core: DB text boxes, minimum-area
 * rectangles, perspective transforms and quad crops (text_boxes.c, warp.c).
 *
 * Lua API (points are {x, y} pairs in pixels, pixel centres at integers;
 * quads list top-left, top-right, bottom-right, bottom-left):
 *
 *   core.imgproc.text_boxes(prob [, opts [, dest_w, dest_h]]) -> boxes
 *       prob: float32 glimpse.Tensor, shape {H,W}, {1,H,W}, {1,1,H,W} or
 *       {1,H,W,1} (the DB detector's probability map).
 *       opts: {thresh = 0.3, box_thresh = 0.6, unclip_ratio = 1.5,
 *              max_candidates = 1000, min_size = 3, score_mode = "fast"|"slow",
 *              dilate = false (PaddleOCR's use_dilation: 2x2 dilation first)}
 *       dest_w, dest_h: the original image's size (default: the map's).
 *       boxes: array in reading order of
 *              {box = {{x,y},{x,y},{x,y},{x,y}}, score = s}, integer corners
 *              clipped to 0..dest_w-1, 0..dest_h-1; boxes with a side of
 *              3 px or less are dropped. Empty table when none.
 *   core.imgproc.min_area_rect(points) -> quad, width, height
 *       points: array of {x, y}; as cv2.minAreaRect + cv2.boxPoints.
 *   core.imgproc.perspective_transform(src_quad, dst_quad) -> m
 *       m: {{m11,m12,m13},{m21,m22,m23},{m31,m32,m33}} mapping src onto dst.
 *   img:warp_perspective(m_or_quad, w, h [, opts]) -> image
 *       m: a 3x3 table as above (src -> dst, like cv2.warpPerspective), or a
 *       quad of 4 points in img that maps onto the w x h output's corners
 *       (0,0) (w,0) (w,h) (0,h).
 *       opts: {filter = "bilinear"|"bicubic"|"nearest", border =
 *              "replicate"|"constant", fill = number or per-channel table}
 *   img:crop_quad(quad [, opts]) -> image
 *       PaddleOCR's get_rotate_crop_image: size from the quad's edge
 *       lengths, turned 90 degrees counter-clockwise when height/width >=
 *       1.5. opts as warp_perspective, default bicubic + replicate.
 *
 * Wrong types, bad options, degenerate quads/matrices raise; an allocation
 * failure returns nil, "stage: detail", "ENOMEM".
 */
#include "binding.h"

#include <math.h>
#include <string.h>

#define TEXT_BOXES_MT "glimpse.ocr.TextBoxes" /* internal: owns a C box array */

typedef struct boxes_box { glim_text_box *boxes; } boxes_box;

static int l_boxes_gc(lua_State *L)
{
    boxes_box *b = luaL_checkudata(L, 1, TEXT_BOXES_MT);
    glim_text_boxes_free(b->boxes);
    b->boxes = NULL;
    return 0;
}

/* t[i] as a finite number, raising with `what` in the message. */
static double number_at(lua_State *L, int t, int i, int arg, const char *what)
{
    lua_rawgeti(L, t, i);
    int isnum = 0;
    double v = (double)lua_tonumberx(L, -1, &isnum);
    lua_pop(L, 1);
    if (!isnum || !isfinite(v))
        luaL_argerror(L, arg, lua_pushfstring(L, "%s must hold finite numbers", what));
    return v;
}

/* 1 when the table at arg is a list of n {x, y} pairs. */
static int is_points(lua_State *L, int arg, int n)
{
    if (lua_type(L, arg) != LUA_TTABLE || (int)lua_rawlen(L, arg) != n) return 0;
    for (int i = 1; i <= n; i++) {
        int t = lua_rawgeti(L, arg, i);
        int ok = t == LUA_TTABLE && lua_rawlen(L, -1) == 2;
        lua_pop(L, 1);
        if (!ok) return 0;
    }
    return 1;
}

/* A quad {{x,y},{x,y},{x,y},{x,y}} into q[8]. */
static void check_quad(lua_State *L, int arg, double q[8])
{
    arg = lua_absindex(L, arg);
    if (!is_points(L, arg, 4))
        luaL_argerror(L, arg, "quad must be 4 points {{x, y}, {x, y}, {x, y}, {x, y}}");
    for (int i = 0; i < 4; i++) {
        lua_rawgeti(L, arg, i + 1);
        q[2 * i] = number_at(L, -1, 1, arg, "quad");
        q[2 * i + 1] = number_at(L, -1, 2, arg, "quad");
        lua_pop(L, 1);
    }
}

static void push_point(lua_State *L, double x, double y, int integral)
{
    lua_createtable(L, 2, 0);
    if (integral) {
        lua_pushinteger(L, (lua_Integer)x);
        lua_rawseti(L, -2, 1);
        lua_pushinteger(L, (lua_Integer)y);
    } else {
        lua_pushnumber(L, x);
        lua_rawseti(L, -2, 1);
        lua_pushnumber(L, y);
    }
    lua_rawseti(L, -2, 2);
}

/* ---- text_boxes ---------------------------------------------------------- */

/* The map's height and width from the accepted shapes. */
static void check_map_shape(lua_State *L, const glim_tensor *t, int *h, int *w)
{
    const int64_t *s = t->shape;
    int64_t hh = -1, ww = -1;
    if (t->ndim == 2) hh = s[0], ww = s[1];
    else if (t->ndim == 3 && s[0] == 1) hh = s[1], ww = s[2];
    else if (t->ndim == 4 && s[0] == 1 && s[1] == 1) hh = s[2], ww = s[3];
    else if (t->ndim == 4 && s[0] == 1 && s[3] == 1) hh = s[1], ww = s[2];
    if (hh < 1 || ww < 1)
        luaL_argerror(L, 1, "probability map must have shape {H,W}, {1,H,W}, {1,1,H,W} or "
                            "{1,H,W,1} with H, W >= 1");
    if (hh > GLIM_IMAGE_MAX_SIDE || ww > GLIM_IMAGE_MAX_SIDE)
        luaL_argerror(L, 1, lua_pushfstring(L, "probability map sides must be at most %d",
                                            GLIM_IMAGE_MAX_SIDE));
    *h = (int)hh;
    *w = (int)ww;
}

static int check_dest(lua_State *L, int arg, int def)
{
    if (lua_isnoneornil(L, arg)) return def;
    lua_Integer v = luaL_checkinteger(L, arg);
    if (v < 1 || v > GLIM_IMAGE_MAX_SIDE)
        luaL_argerror(L, arg, lua_pushfstring(L, "destination size must be 1..%d",
                                              GLIM_IMAGE_MAX_SIDE));
    return (int)v;
}

/* core.imgproc.text_boxes(prob [, opts [, dest_w, dest_h]]) */
static int l_text_boxes(lua_State *L)
{
    static const char *const keys[] = {"thresh", "box_thresh", "unclip_ratio", "max_candidates",
                                       "min_size", "score_mode", "dilate", NULL};
    static const char *const modes[] = {"fast", "slow", NULL};
    glim_tensor *t = glim_lua_check_tensor(L, 1);
    if (t->dtype != GLIM_F32)
        luaL_argerror(L, 1, lua_pushfstring(L, "probability map must be float32, not %s",
                                            glim_dtype_name(t->dtype)));
    int h, w;
    check_map_shape(L, t, &h, &w);
    glim_lua_check_opts(L, 2, "text_boxes", keys);
    glim_text_box_params p;
    glim_text_box_params_init(&p);
    p.thresh = (float)glim_lua_opt_num_field(L, 2, "thresh", p.thresh);
    p.box_thresh = (float)glim_lua_opt_num_field(L, 2, "box_thresh", p.box_thresh);
    p.unclip_ratio = (float)glim_lua_opt_num_field(L, 2, "unclip_ratio", p.unclip_ratio);
    lua_Integer mc = glim_lua_opt_int_field(L, 2, "max_candidates", p.max_candidates);
    lua_Integer ms = glim_lua_opt_int_field(L, 2, "min_size", p.min_size);
    const char *mode = glim_lua_opt_str_field(L, 2, "score_mode", "fast");
    int m = -1;
    for (int i = 0; modes[i]; i++)
        if (strcmp(mode, modes[i]) == 0) m = i;
    if (m < 0) luaL_error(L, "option 'score_mode' must be \"fast\" or \"slow\", not \"%s\"", mode);
    p.score_mode = (glim_text_score)m;
    p.dilate = glim_lua_opt_bool_field(L, 2, "dilate", 0);
    if (!isfinite(p.thresh)) luaL_error(L, "option 'thresh' must be finite");
    if (!isfinite(p.box_thresh)) luaL_error(L, "option 'box_thresh' must be finite");
    if (!isfinite(p.unclip_ratio) || p.unclip_ratio < 0)
        luaL_error(L, "option 'unclip_ratio' must be finite and >= 0");
    if (mc < 0 || mc > 1000000) luaL_error(L, "option 'max_candidates' must be 0..1000000");
    if (ms < 0 || ms > GLIM_IMAGE_MAX_SIDE)
        luaL_error(L, "option 'min_size' must be 0..%d", GLIM_IMAGE_MAX_SIDE);
    p.max_candidates = (int)mc;
    p.min_size = (int)ms;
    if (lua_isnoneornil(L, 3) != lua_isnoneornil(L, 4))
        luaL_error(L, "text_boxes: give both dest_w and dest_h, or neither");
    int dw = check_dest(L, 3, w), dh = check_dest(L, 4, h);

    boxes_box *owner = lua_newuserdatauv(L, sizeof *owner, 0);
    owner->boxes = NULL;
    luaL_setmetatable(L, TEXT_BOXES_MT);
    int n = 0;
    glim_error err;
    glim_status st = glim_text_boxes((const float *)t->data, h, w, &p, dw, dh, &owner->boxes, &n, &err);
    if (st != GLIM_OK) return glim_lua_finish(L, st, &err);
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        const glim_text_box *b = &owner->boxes[i];
        lua_createtable(L, 0, 2);
        lua_createtable(L, 4, 0);
        for (int k = 0; k < 4; k++) {
            push_point(L, b->pts[k][0], b->pts[k][1], 1);
            lua_rawseti(L, -2, k + 1);
        }
        lua_setfield(L, -2, "box");
        lua_pushnumber(L, b->score);
        lua_setfield(L, -2, "score");
        lua_rawseti(L, -2, i + 1);
    }
    glim_text_boxes_free(owner->boxes);
    owner->boxes = NULL;
    return 1;
}

/* core.imgproc.min_area_rect(points) -> quad, width, height */
static int l_min_area_rect(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
    luaL_argcheck(L, n >= 1, 1, "need at least 1 point");
    luaL_argcheck(L, n <= (1 << 24), 1, "too many points");
    /* Scratch owned by the Lua stack, so a raise below leaks nothing. */
    float *xy = lua_newuserdatauv(L, (size_t)n * 2 * sizeof(float), 0);
    for (lua_Integer i = 0; i < n; i++) {
        int ty = lua_rawgeti(L, 1, i + 1);
        if (ty != LUA_TTABLE || lua_rawlen(L, -1) != 2)
            luaL_argerror(L, 1, lua_pushfstring(L, "point %d must be {x, y}", (int)i + 1));
        xy[2 * i] = (float)number_at(L, -1, 1, 1, "points");
        xy[2 * i + 1] = (float)number_at(L, -1, 2, 1, "points");
        lua_pop(L, 1);
    }
    float c[8], w, h;
    glim_error err;
    glim_status st = glim_min_area_rect(xy, (int)n, c, &w, &h, &err);
    if (st != GLIM_OK) return glim_lua_finish(L, st, &err);
    lua_createtable(L, 4, 0);
    for (int k = 0; k < 4; k++) {
        push_point(L, c[2 * k], c[2 * k + 1], 0);
        lua_rawseti(L, -2, k + 1);
    }
    lua_pushnumber(L, w);
    lua_pushnumber(L, h);
    return 3;
}

/* ---- perspective --------------------------------------------------------- */

static void push_matrix(lua_State *L, const double m[9])
{
    lua_createtable(L, 3, 0);
    for (int r = 0; r < 3; r++) {
        lua_createtable(L, 3, 0);
        for (int c = 0; c < 3; c++) {
            lua_pushnumber(L, m[3 * r + c]);
            lua_rawseti(L, -2, c + 1);
        }
        lua_rawseti(L, -2, r + 1);
    }
}

/* 1 when arg holds a 3x3 matrix {{a,b,c},{d,e,f},{g,h,i}} (read into m). */
static int read_matrix(lua_State *L, int arg, double m[9])
{
    if (lua_type(L, arg) != LUA_TTABLE || lua_rawlen(L, arg) != 3) return 0;
    for (int r = 0; r < 3; r++) {
        int ty = lua_rawgeti(L, arg, r + 1);
        if (ty != LUA_TTABLE || lua_rawlen(L, -1) != 3) {
            lua_pop(L, 1);
            return 0;
        }
        for (int c = 0; c < 3; c++) m[3 * r + c] = number_at(L, -1, c + 1, arg, "matrix");
        lua_pop(L, 1);
    }
    return 1;
}

/* core.imgproc.perspective_transform(src_quad, dst_quad) -> 3x3 matrix */
static int l_perspective_transform(lua_State *L)
{
    double s[8], d[8], m[9];
    check_quad(L, 1, s);
    check_quad(L, 2, d);
    glim_error err;
    glim_status st = glim_perspective_transform(s, d, m, &err);
    if (st != GLIM_OK) return glim_lua_finish(L, st, &err);
    push_matrix(L, m);
    return 1;
}

static void check_warp_opts(lua_State *L, int idx, const char *fn, const glim_image *img,
                            glim_warp_opts *o)
{
    static const char *const keys[] = {"filter", "border", "fill", NULL};
    glim_lua_check_opts(L, idx, fn, keys);
    if (lua_isnoneornil(L, idx)) return;
    const char *f = glim_lua_opt_str_field(L, idx, "filter", NULL);
    if (f) {
        if (glim_filter_parse(f, &o->filter) != 0 ||
            !(o->filter == GLIM_FILTER_NEAREST || o->filter == GLIM_FILTER_BILINEAR ||
              o->filter == GLIM_FILTER_BICUBIC))
            luaL_error(L, "option 'filter' must be \"nearest\", \"bilinear\" or \"bicubic\", not \"%s\"", f);
    }
    const char *b = glim_lua_opt_str_field(L, idx, "border", NULL);
    if (b) {
        if (strcmp(b, "replicate") == 0) o->border = GLIM_BORDER_REPLICATE;
        else if (strcmp(b, "constant") == 0) o->border = GLIM_BORDER_CONSTANT;
        else luaL_error(L, "option 'border' must be \"replicate\" or \"constant\", not \"%s\"", b);
    }
    glim_lua_check_fill(L, idx, img, o->fill);
}


/* img:warp_perspective(m_or_quad, w, h [, opts]) */
static int l_warp_perspective(lua_State *L)
{
    glim_image *img = glim_lua_check_image(L, 1);
    double m[9];
    int is_matrix = read_matrix(L, 2, m);
    double q[8];
    if (!is_matrix) {
        if (!is_points(L, 2, 4))
            luaL_argerror(L, 2, "expected a 3x3 matrix {{a,b,c},{d,e,f},{g,h,i}} or a quad of 4 "
                                "points {{x, y}, ...}");
        check_quad(L, 2, q);
    }
    lua_Integer w = luaL_checkinteger(L, 3), h = luaL_checkinteger(L, 4);
    luaL_argcheck(L, w >= 1 && w <= GLIM_IMAGE_MAX_SIDE, 3, "width must be 1..65535");
    luaL_argcheck(L, h >= 1 && h <= GLIM_IMAGE_MAX_SIDE, 4, "height must be 1..65535");
    glim_lua_check_pixels(L, w, h);
    glim_warp_opts o;
    glim_warp_opts_init(&o);
    check_warp_opts(L, 5, "warp_perspective", img, &o);
    glim_error err;
    if (!is_matrix) {
        const double rect[8] = {0, 0, (double)w, 0, (double)w, (double)h, 0, (double)h};
        glim_status st = glim_perspective_transform(q, rect, m, &err);
        if (st != GLIM_OK) return glim_lua_finish(L, st, &err);
    }
    image_box *box = glim_lua_new_image_box(L);
    glim_status st = glim_image_warp_perspective(img, m, (int)w, (int)h, &o, &box->img, &err);
    if (st != GLIM_OK) return glim_lua_finish(L, st, &err);
    glim_lua_gc_hint(L, (size_t)w * (size_t)h * (size_t)img->channels);
    return 1;
}

/* img:crop_quad(quad [, opts]) */
static int l_crop_quad(lua_State *L)
{
    glim_image *img = glim_lua_check_image(L, 1);
    double q[8];
    check_quad(L, 2, q);
    glim_warp_opts o;
    glim_warp_opts_init(&o);
    o.filter = GLIM_FILTER_BICUBIC;
    check_warp_opts(L, 3, "crop_quad", img, &o);
    double fw = fmax(hypot(q[2] - q[0], q[3] - q[1]), hypot(q[6] - q[4], q[7] - q[5]));
    double fh = fmax(hypot(q[6] - q[0], q[7] - q[1]), hypot(q[4] - q[2], q[5] - q[3]));
    if (fw * fh > (double)GLIM_LUA_MAX_OUTPUT_PIXELS)
        luaL_error(L, "crop_quad: output of %.0fx%.0f pixels exceeds the limit of %d megapixels",
                   fw, fh, (int)(GLIM_LUA_MAX_OUTPUT_PIXELS >> 20));
    image_box *box = glim_lua_new_image_box(L);
    glim_error err;
    glim_status st = glim_image_crop_quad(img, q, &o, &box->img, &err);
    if (st != GLIM_OK) return glim_lua_finish(L, st, &err);
    glim_lua_gc_hint(L, (size_t)box->img->height * box->img->stride);
    return 1;
}

static const luaL_Reg ocr_functions[] = {
    {"text_boxes", l_text_boxes},
    {"min_area_rect", l_min_area_rect},
    {"perspective_transform", l_perspective_transform},
    {NULL, NULL},
};

static const luaL_Reg ocr_methods[] = {
    {"warp_perspective", l_warp_perspective},
    {"crop_quad", l_crop_quad},
    {NULL, NULL},
};

void glimpse_open_ocr(lua_State *L)
{
    if (luaL_newmetatable(L, TEXT_BOXES_MT)) {
        lua_pushcfunction(L, l_boxes_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    glim_lua_add_functions(L, "imgproc", ocr_functions);
    glim_lua_add_methods(L, GLIMPSE_IMAGE_MT, ocr_methods);
}
