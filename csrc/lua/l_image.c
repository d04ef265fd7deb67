/* l_image.c — the glimpse.Image userdata: construction, fields, pixel
 * access and lifetime. Codecs (l_codec.c) and processing (l_imgproc.c) add
 * their methods to the same metatable. */
#include "binding.h"

#include <string.h>

image_box *glim_lua_new_image_box(lua_State *L)
{
    image_box *box = lua_newuserdatauv(L, sizeof *box, 0);
    box->img = NULL;
    luaL_setmetatable(L, GLIMPSE_IMAGE_MT);
    return box;
}

glim_image *glim_lua_check_image(lua_State *L, int idx)
{
    image_box *box = luaL_checkudata(L, idx, GLIMPSE_IMAGE_MT);
    if (!box->img) luaL_argerror(L, idx, "glimpse.Image is closed");
    return box->img;
}

static int l_image_release(lua_State *L)
{
    image_box *box = luaL_checkudata(L, 1, GLIMPSE_IMAGE_MT);
    glim_image_free(box->img);
    box->img = NULL;
    return 0;
}

static const char *format_names[] = {"gray", "rgb", "bgr", "rgba", NULL};

static int l_image_index(lua_State *L)
{
    image_box *box = luaL_checkudata(L, 1, GLIMPSE_IMAGE_MT);
    const char *key = lua_tostring(L, 2);
    if (key && box->img) {
        const glim_image *img = box->img;
        if (strcmp(key, "width") == 0) return lua_pushinteger(L, img->width), 1;
        if (strcmp(key, "height") == 0) return lua_pushinteger(L, img->height), 1;
        if (strcmp(key, "channels") == 0) return lua_pushinteger(L, img->channels), 1;
        if (strcmp(key, "format") == 0) return lua_pushstring(L, format_names[img->format]), 1;
    }
    lua_getmetatable(L, 1);
    lua_getfield(L, -1, "__methods");
    lua_pushvalue(L, 2);
    lua_rawget(L, -2);
    return 1;
}

static int l_image_tostring(lua_State *L)
{
    image_box *box = luaL_checkudata(L, 1, GLIMPSE_IMAGE_MT);
    if (!box->img)
        lua_pushliteral(L, "glimpse.Image (closed)");
    else
        lua_pushfstring(L, "glimpse.Image %dx%d %s", box->img->width, box->img->height,
                        glim_pixfmt_name(box->img->format));
    return 1;
}

static glim_pixfmt check_format_for_channels(lua_State *L, int arg, int channels)
{
    switch (channels) {
    case 1: return GLIM_FMT_GRAY8;
    case 3: return GLIM_FMT_RGB8;
    case 4: return GLIM_FMT_RGBA8;
    default: luaL_argerror(L, arg, "channels must be 1, 3 or 4"); return GLIM_FMT_RGB8;
    }
}

static int check_byte(lua_State *L, int arg)
{
    lua_Integer v = luaL_checkinteger(L, arg);
    luaL_argcheck(L, v >= 0 && v <= 255, arg, "channel value must be 0..255");
    return (int)v;
}

/* image.new(w, h, channels [, fill]) — fill is a number (every channel) or a
 * table of channel values. */
static int l_image_new(lua_State *L)
{
    lua_Integer w = luaL_checkinteger(L, 1), h = luaL_checkinteger(L, 2);
    lua_Integer c = luaL_optinteger(L, 3, 3);
    luaL_argcheck(L, w >= 1 && w <= GLIM_IMAGE_MAX_SIDE, 1, "width must be 1..65535");
    luaL_argcheck(L, h >= 1 && h <= GLIM_IMAGE_MAX_SIDE, 2, "height must be 1..65535");
    glim_pixfmt fmt = check_format_for_channels(L, 3, (int)c);
    uint8_t fill[4] = {0, 0, 0, 0};
    int has_fill = !lua_isnoneornil(L, 4);
    if (has_fill) {
        if (lua_istable(L, 4)) {
            luaL_argcheck(L, (lua_Integer)lua_rawlen(L, 4) == c, 4, "fill needs one value per channel");
            for (int i = 0; i < c; i++) {
                lua_rawgeti(L, 4, i + 1);
                lua_Integer v = luaL_checkinteger(L, -1);
                luaL_argcheck(L, v >= 0 && v <= 255, 4, "fill values must be 0..255");
                fill[i] = (uint8_t)v;
                lua_pop(L, 1);
            }
        } else {
            int v = check_byte(L, 4);
            memset(fill, v, sizeof fill);
        }
    }
    image_box *box = glim_lua_new_image_box(L);
    glim_error err;
    if (glim_image_new((int)w, (int)h, fmt, &box->img, &err) != GLIM_OK)
        return glim_lua_push_failure(L, &err);
    if (has_fill) {
        glim_image *img = box->img;
        for (int y = 0; y < img->height; y++)
            for (int x = 0; x < img->width; x++)
                memcpy(glim_image_pixel(img, x, y), fill, (size_t)img->channels);
    }
    glim_lua_gc_hint(L, (size_t)w * (size_t)h * (size_t)c);
    return 1;
}

static void check_xy(lua_State *L, const glim_image *img, int *x, int *y)
{
    lua_Integer lx = luaL_checkinteger(L, 2), ly = luaL_checkinteger(L, 3);
    luaL_argcheck(L, lx >= 0 && lx < img->width, 2, "x outside the image (0-based)");
    luaL_argcheck(L, ly >= 0 && ly < img->height, 3, "y outside the image (0-based)");
    *x = (int)lx;
    *y = (int)ly;
}

/* img:get(x, y) -> channel values (0-based pixel coordinates) */
static int l_image_get(lua_State *L)
{
    glim_image *img = glim_lua_check_image(L, 1);
    int x, y;
    check_xy(L, img, &x, &y);
    const uint8_t *p = glim_image_pixel(img, x, y);
    for (int c = 0; c < img->channels; c++) lua_pushinteger(L, p[c]);
    return img->channels;
}

/* img:set(x, y, v1 [, v2, v3, v4]) */
static int l_image_set(lua_State *L)
{
    glim_image *img = glim_lua_check_image(L, 1);
    int x, y;
    check_xy(L, img, &x, &y);
    uint8_t v[4];
    for (int c = 0; c < img->channels; c++) v[c] = (uint8_t)check_byte(L, 4 + c);
    memcpy(glim_image_pixel(img, x, y), v, (size_t)img->channels);
    lua_settop(L, 1);
    return 1;
}

/* image.from_bytes(w, h, channels, bytes) — pixels packed row by row,
 * top to bottom, channels interleaved (gray, RGB or RGBA). */
static int l_image_from_bytes(lua_State *L)
{
    lua_Integer w = luaL_checkinteger(L, 1), h = luaL_checkinteger(L, 2);
    lua_Integer c = luaL_checkinteger(L, 3);
    size_t len;
    const char *bytes = luaL_checklstring(L, 4, &len);
    luaL_argcheck(L, w >= 1 && w <= GLIM_IMAGE_MAX_SIDE, 1, "width must be 1..65535");
    luaL_argcheck(L, h >= 1 && h <= GLIM_IMAGE_MAX_SIDE, 2, "height must be 1..65535");
    glim_pixfmt fmt = check_format_for_channels(L, 3, (int)c);
    size_t row = (size_t)w * (size_t)c;
    if (len != row * (size_t)h)
        return luaL_argerror(L, 4, lua_pushfstring(L, "expected %d bytes (%dx%dx%d), got %d",
                                                   (int)(row * (size_t)h), (int)w, (int)h, (int)c,
                                                   (int)len));
    image_box *box = glim_lua_new_image_box(L);
    glim_error err;
    if (glim_image_new((int)w, (int)h, fmt, &box->img, &err) != GLIM_OK)
        return glim_lua_push_failure(L, &err);
    for (lua_Integer y = 0; y < h; y++)
        memcpy(box->img->data + (size_t)y * box->img->stride, bytes + (size_t)y * row, row);
    glim_lua_gc_hint(L, len);
    return 1;
}

/* img:bytes() — the pixels as one string, rows packed top to bottom. */
static int l_image_bytes(lua_State *L)
{
    glim_image *img = glim_lua_check_image(L, 1);
    size_t row = (size_t)img->width * (size_t)img->channels;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int y = 0; y < img->height; y++)
        luaL_addlstring(&b, (const char *)img->data + (size_t)y * img->stride, row);
    luaL_pushresult(&b);
    return 1;
}

static int l_image_clone(lua_State *L)
{
    glim_image *img = glim_lua_check_image(L, 1);
    image_box *box = glim_lua_new_image_box(L);
    glim_error err;
    if (glim_image_clone(img, &box->img, &err) != GLIM_OK) return glim_lua_push_failure(L, &err);
    return 1;
}

static const luaL_Reg image_methods[] = {
    {"get", l_image_get},     {"set", l_image_set},       {"clone", l_image_clone},
    {"bytes", l_image_bytes},
    {"free", l_image_release}, {"close", l_image_release}, {NULL, NULL},
};

static const luaL_Reg image_meta[] = {
    {"__index", l_image_index},
    {"__gc", l_image_release},
    {"__close", l_image_release},
    {"__tostring", l_image_tostring},
    {NULL, NULL},
};

static const luaL_Reg image_functions[] = {
    {"new", l_image_new},
    {"from_bytes", l_image_from_bytes},
    {NULL, NULL},
};

void glimpse_open_image(lua_State *L)
{
    luaL_newmetatable(L, GLIMPSE_IMAGE_MT);
    luaL_setfuncs(L, image_meta, 0);
    lua_newtable(L);
    luaL_setfuncs(L, image_methods, 0);
    lua_setfield(L, -2, "__methods");
    lua_pop(L, 1);
    glim_lua_add_functions(L, "image", image_functions);
}
