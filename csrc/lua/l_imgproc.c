/* l_imgproc.c — processing methods of glimpse.Image: resize, crop, rotate,
 * flip, convert, letterbox, to_tensor. Arguments are validated here, so
 * the core only fails for memory; bad arguments and unknown option names
 * raise. Pixel coordinates are 0-based. */
#include "binding.h"

#include <math.h>
#include <string.h>

/* A finished core call: the box is filled, or raise/return the failure.
 * Memory and limit failures come back as nil, msg, code; anything else is
 * a bad argument the checks above missed, so it raises. */
int glim_lua_finish(lua_State *L, glim_status st, const glim_error *err)
{
    if (st == GLIM_OK) return 1;
    if (st == GLIM_ENOMEM || st == GLIM_ELIMIT) return glim_lua_push_failure(L, err);
    return luaL_error(L, "%s", err->msg);
}

static glim_filter check_filter(lua_State *L, const char *name, int arg)
{
    glim_filter f;
    if (glim_filter_parse(name, &f) != 0)
        luaL_argerror(L, arg, lua_pushfstring(L, "unknown filter '%s' (nearest, bilinear, "
                                                 "bicubic, area or lanczos)", name));
    return f;
}

static int check_side(lua_State *L, int arg, const char *what)
{
    lua_Integer v = luaL_checkinteger(L, arg);
    if (v < 1 || v > GLIM_IMAGE_MAX_SIDE)
        luaL_argerror(L, arg, lua_pushfstring(L, "%s must be 1..%d", what, GLIM_IMAGE_MAX_SIDE));
    return (int)v;
}

void glim_lua_check_pixels(lua_State *L, lua_Integer w, lua_Integer h)
{
    if (w * h > GLIM_LUA_MAX_OUTPUT_PIXELS)
        luaL_error(L, "output of %dx%d pixels exceeds the limit of %d megapixels", (int)w, (int)h,
                   (int)(GLIM_LUA_MAX_OUTPUT_PIXELS >> 20));
}

/* fill: a number for every channel, or a table with one value per channel
 * (an RGBA image also takes 3 values: alpha 255). */
void glim_lua_check_fill(lua_State *L, int opts, const glim_image *img, uint8_t fill[4])
{
    if (lua_isnoneornil(L, opts)) return;
    lua_getfield(L, opts, "fill");
    int c = img->channels;
    if (lua_type(L, -1) == LUA_TNUMBER) {
        lua_Number v = lua_tonumber(L, -1);
        if (!(v >= 0 && v <= 255)) luaL_error(L, "option 'fill' values must be 0..255");
        for (int k = 0; k < c; k++) fill[k] = (uint8_t)lround(v);
        if (c == 4) fill[3] = 255;
    } else if (lua_istable(L, -1)) {
        int n = (int)lua_rawlen(L, -1);
        if (!(n == c || (c == 4 && n == 3)))
            luaL_error(L, "option 'fill' needs %d values for a %s image, got %d", c,
                       glim_pixfmt_name(img->format), n);
        if (n < c) fill[3] = 255;
        for (int k = 0; k < n; k++) {
            lua_rawgeti(L, -1, k + 1);
            lua_Number v = lua_tonumber(L, -1);
            if (!lua_isnumber(L, -1) || !(v >= 0 && v <= 255))
                luaL_error(L, "option 'fill' values must be 0..255");
            fill[k] = (uint8_t)lround(v);
            lua_pop(L, 1);
        }
    } else if (!lua_isnil(L, -1)) {
        luaL_error(L, "option 'fill' must be a number or a table of channel values");
    }
    lua_pop(L, 1);
}

/* img:resize(w, h [, {filter = "bilinear"}]) — "filter" may also be given
 * directly as the third argument. */
static int l_resize(lua_State *L)
{
    static const char *const keys[] = {"filter", NULL};
    glim_image *img = glim_lua_check_image(L, 1);
    int w = check_side(L, 2, "width"), h = check_side(L, 3, "height");
    const char *fname = "bilinear";
    if (lua_type(L, 4) == LUA_TSTRING) {
        fname = lua_tostring(L, 4);
    } else {
        glim_lua_check_opts(L, 4, "resize", keys);
        fname = glim_lua_opt_str_field(L, 4, "filter", "bilinear");
    }
    glim_filter f = check_filter(L, fname, 4);
    glim_lua_check_pixels(L, w, h);
    image_box *box = glim_lua_new_image_box(L);
    glim_error err;
    glim_status st = glim_image_resize(img, w, h, f, &box->img, &err);
    if (st == GLIM_OK) glim_lua_gc_hint(L, (size_t)w * h * img->channels);
    return glim_lua_finish(L, st, &err);
}

/* img:crop(x, y, w, h) — 0-based; clipped to the image. */
static int l_crop(lua_State *L)
{
    glim_image *img = glim_lua_check_image(L, 1);
    lua_Integer x = luaL_checkinteger(L, 2), y = luaL_checkinteger(L, 3);
    lua_Integer w = luaL_checkinteger(L, 4), h = luaL_checkinteger(L, 5);
    luaL_argcheck(L, w >= 1 && w <= GLIM_IMAGE_MAX_SIDE * 2, 4, "width must be positive");
    luaL_argcheck(L, h >= 1 && h <= GLIM_IMAGE_MAX_SIDE * 2, 5, "height must be positive");
    luaL_argcheck(L, x > -(lua_Integer)GLIM_IMAGE_MAX_SIDE * 2 && x < GLIM_IMAGE_MAX_SIDE, 2,
                  "x is far outside the image");
    luaL_argcheck(L, y > -(lua_Integer)GLIM_IMAGE_MAX_SIDE * 2 && y < GLIM_IMAGE_MAX_SIDE, 3,
                  "y is far outside the image");
    if (x + w <= 0 || y + h <= 0 || x >= img->width || y >= img->height)
        return luaL_error(L, "crop: rectangle (%d, %d, %d, %d) lies outside the %dx%d image",
                          (int)x, (int)y, (int)w, (int)h, img->width, img->height);
    image_box *box = glim_lua_new_image_box(L);
    glim_error err;
    return glim_lua_finish(L, glim_image_crop(img, (int)x, (int)y, (int)w, (int)h, &box->img, &err), &err);
}

/* img:rotate(degrees [, {expand = true, fill = 0}]) — counter-clockwise. */
static int l_rotate(lua_State *L)
{
    static const char *const keys[] = {"expand", "fill", NULL};
    glim_image *img = glim_lua_check_image(L, 1);
    lua_Number deg = luaL_checknumber(L, 2);
    luaL_argcheck(L, isfinite(deg), 2, "angle must be a finite number");
    glim_lua_check_opts(L, 3, "rotate", keys);
    int expand = glim_lua_opt_bool_field(L, 3, "expand", 1);
    if (expand) {
        /* The expanded canvas is at most one pixel wider and taller than
         * the rotated bounding box. */
        double r = fmod(deg, 360.0) * 3.14159265358979323846 / 180.0;
        double cs = fabs(cos(r)), sn = fabs(sin(r));
        double bw = img->width * cs + img->height * sn + 2, bh = img->width * sn + img->height * cs + 2;
        if (bw <= GLIM_IMAGE_MAX_SIDE && bh <= GLIM_IMAGE_MAX_SIDE) glim_lua_check_pixels(L, (int)bw, (int)bh);
    }
    uint8_t fill[4] = {0, 0, 0, 0};
    glim_lua_check_fill(L, 3, img, fill);
    image_box *box = glim_lua_new_image_box(L);
    glim_error err;
    return glim_lua_finish(L, glim_image_rotate(img, deg, expand, fill, &box->img, &err), &err);
}

/* img:flip("horizontal" | "vertical" | "both") */
static int l_flip(lua_State *L)
{
    static const char *const names[] = {"horizontal", "vertical", "both", NULL};
    glim_image *img = glim_lua_check_image(L, 1);
    int how = luaL_checkoption(L, 2, NULL, names);
    image_box *box = glim_lua_new_image_box(L);
    glim_error err;
    return glim_lua_finish(L, glim_image_flip(img, (glim_flip)how, &box->img, &err), &err);
}

/* img:convert("rgb" | "bgr" | "gray" | "rgba") */
static int l_convert(lua_State *L)
{
    static const char *const names[] = {"gray", "rgb", "bgr", "rgba", NULL};
    glim_image *img = glim_lua_check_image(L, 1);
    int fmt = luaL_checkoption(L, 2, NULL, names);
    image_box *box = glim_lua_new_image_box(L);
    glim_error err;
    return glim_lua_finish(L, glim_image_convert(img, (glim_pixfmt)fmt, &box->img, &err), &err);
}

/* img:letterbox(w, h [, {fill = 114, filter = "bilinear"}]) -> image, info
 * where info = {scale =, offset_x =, offset_y =, width =, height =} and an
 * original coordinate is (boxed - offset) / scale. */
static int l_letterbox(lua_State *L)
{
    static const char *const keys[] = {"fill", "filter", NULL};
    glim_image *img = glim_lua_check_image(L, 1);
    int w = check_side(L, 2, "width"), h = check_side(L, 3, "height");
    glim_lua_check_opts(L, 4, "letterbox", keys);
    glim_lua_check_pixels(L, w, h);
    glim_filter f = check_filter(L, glim_lua_opt_str_field(L, 4, "filter", "bilinear"), 4);
    uint8_t fill[4] = {114, 114, 114, 255};
    glim_lua_check_fill(L, 4, img, fill);
    image_box *box = glim_lua_new_image_box(L);
    glim_error err;
    glim_letterbox info;
    glim_status st = glim_image_letterbox(img, w, h, f, fill, &box->img, &info, &err);
    if (st != GLIM_OK) return glim_lua_finish(L, st, &err);
    lua_createtable(L, 0, 5);
    lua_pushnumber(L, info.scale);
    lua_setfield(L, -2, "scale");
    lua_pushinteger(L, info.offset_x);
    lua_setfield(L, -2, "offset_x");
    lua_pushinteger(L, info.offset_y);
    lua_setfield(L, -2, "offset_y");
    lua_pushinteger(L, info.width);
    lua_setfield(L, -2, "width");
    lua_pushinteger(L, info.height);
    lua_setfield(L, -2, "height");
    return 2;
}

/* mean/std: a number for every channel or one value per channel. */
static void check_channel_values(lua_State *L, int opts, const char *key, int c, float *vals)
{
    lua_getfield(L, opts, key);
    if (lua_type(L, -1) == LUA_TNUMBER) {
        for (int k = 0; k < c; k++) vals[k] = (float)lua_tonumber(L, -1);
    } else if (lua_istable(L, -1)) {
        int n = (int)lua_rawlen(L, -1);
        if (n != c) luaL_error(L, "option '%s' needs %d values (one per channel), got %d", key, c, n);
        for (int k = 0; k < c; k++) {
            lua_rawgeti(L, -1, k + 1);
            if (lua_type(L, -1) != LUA_TNUMBER)
                luaL_error(L, "option '%s' must contain numbers", key);
            vals[k] = (float)lua_tonumber(L, -1);
            lua_pop(L, 1);
        }
    } else if (!lua_isnil(L, -1)) {
        luaL_error(L, "option '%s' must be a number or a table of numbers", key);
    }
    lua_pop(L, 1);
}

/* img:to_tensor{layout = "nchw", dtype = "float32", scale = 1/255,
 *               mean = {...}, std = {...}} -> 1xCxHxW (or 1xHxWxC) tensor */
static int l_to_tensor(lua_State *L)
{
    static const char *const keys[] = {"layout", "dtype", "scale", "mean", "std", NULL};
    glim_image *img = glim_lua_check_image(L, 1);
    glim_lua_check_opts(L, 2, "to_tensor", keys);
    glim_tensor_opts o;
    glim_tensor_opts_init(&o);
    const char *layout = glim_lua_opt_str_field(L, 2, "layout", "nchw");
    if (strcmp(layout, "nchw") == 0)
        o.layout = GLIM_LAYOUT_NCHW;
    else if (strcmp(layout, "nhwc") == 0)
        o.layout = GLIM_LAYOUT_NHWC;
    else
        luaL_error(L, "option 'layout' must be \"nchw\" or \"nhwc\", not \"%s\"", layout);
    const char *dtype = glim_lua_opt_str_field(L, 2, "dtype", "float32");
    if (strcmp(dtype, "float32") == 0)
        o.dtype = GLIM_F32;
    else if (strcmp(dtype, "uint8") == 0)
        o.dtype = GLIM_U8;
    else
        luaL_error(L, "option 'dtype' must be \"float32\" or \"uint8\", not \"%s\"", dtype);
    if (!lua_isnoneornil(L, 2)) {
        o.scale = (float)glim_lua_opt_num_field(L, 2, "scale", o.scale);
        check_channel_values(L, 2, "mean", img->channels, o.mean);
        check_channel_values(L, 2, "std", img->channels, o.std);
        if (o.dtype == GLIM_U8) {
            lua_getfield(L, 2, "scale");
            lua_getfield(L, 2, "mean");
            lua_getfield(L, 2, "std");
            int any = !lua_isnil(L, -1) || !lua_isnil(L, -2) || !lua_isnil(L, -3);
            lua_pop(L, 3);
            if (any) luaL_error(L, "to_tensor: scale, mean and std apply only to float32");
        }
        for (int k = 0; k < img->channels; k++)
            if (o.std[k] == 0.f || !isfinite(o.std[k]))
                luaL_error(L, "option 'std' must be finite and non-zero");
        if (!isfinite(o.scale)) luaL_error(L, "option 'scale' must be finite");
    }
    tensor_box *box = glim_lua_new_tensor_box(L);
    glim_error err;
    glim_status st = glim_image_to_tensor(img, &o, &box->t, &err);
    if (st == GLIM_OK)
        glim_lua_gc_hint(L, (size_t)box->t->count * glim_dtype_size(box->t->dtype));
    return glim_lua_finish(L, st, &err);
}

static const luaL_Reg imgproc_methods[] = {
    {"resize", l_resize},       {"crop", l_crop},
    {"rotate", l_rotate},       {"flip", l_flip},
    {"convert", l_convert},     {"letterbox", l_letterbox},
    {"to_tensor", l_to_tensor}, {NULL, NULL},
};

void glimpse_open_imgproc(lua_State *L)
{
    glim_lua_add_methods(L, GLIMPSE_IMAGE_MT, imgproc_methods);
}
