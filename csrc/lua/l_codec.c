/* l_codec.c — image.load / image.decode / image.probe / image.sniff and the
 * img:encode / img:save methods over the core codecs (image/codec.h). */
#include "binding.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define BYTES_MT "glimpse.EncodedBytes"

/* Owns an encoder's output while lua_pushlstring (which can raise on memory
 * exhaustion) copies it: the bytes are freed by __gc if that unwinds. */
typedef struct bytes_box { uint8_t *p; } bytes_box;

static int bytes_gc(lua_State *L)
{
    bytes_box *b = lua_touserdata(L, 1);
    if (b) {
        glim_free(b->p);
        b->p = NULL;
    }
    return 0;
}

static lua_Integer opt_integer(lua_State *L, int idx, const char *key, lua_Integer def,
                               lua_Integer lo, lua_Integer hi)
{
    lua_getfield(L, idx, key);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return def;
    }
    /* lua_tonumber + an integrality check rather than lua_tointegerx, which
     * Lua 5.1 / LuaJIT lack. */
    lua_Number n = lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1) : -1.0 / 0.0;
    if (!(n >= (lua_Number)lo && n <= (lua_Number)hi) || n != floor(n)) {
        char msg[96];
        snprintf(msg, sizeof msg, "option '%s' must be an integer in %lld..%lld", key,
                 (long long)lo, (long long)hi);
        luaL_argerror(L, idx, msg);
    }
    lua_pop(L, 1);
    return (lua_Integer)n;
}

static int opt_boolean(lua_State *L, int idx, const char *key, int def)
{
    lua_getfield(L, idx, key);
    int t = lua_type(L, -1);
    int v = def;
    if (t == LUA_TBOOLEAN) v = lua_toboolean(L, -1);
    else if (t != LUA_TNIL)
        luaL_argerror(L, idx, lua_pushfstring(L, "option '%s' must be a boolean", key));
    lua_pop(L, 1);
    return v;
}

static const char *const decode_keys[] = {"max_side", "max_pixels", "orient", "channels", NULL};

static void check_decode_opts(lua_State *L, int idx, glim_decode_opts *o)
{
    glim_decode_opts_init(o);
    if (lua_isnoneornil(L, idx)) return;
    luaL_checktype(L, idx, LUA_TTABLE);
    glim_lua_check_opts(L, idx, NULL, decode_keys);
    o->max_side = (int)opt_integer(L, idx, "max_side", 0, 0, (lua_Integer)1 << 30);
    o->max_pixels = (uint64_t)opt_integer(L, idx, "max_pixels", (lua_Integer)o->max_pixels, 1,
                                          (lua_Integer)1 << 40);
    o->orient = opt_boolean(L, idx, "orient", 1);
    lua_Integer c = opt_integer(L, idx, "channels", 0, 0, 4);
    if (c == 2) luaL_argerror(L, idx, "option 'channels' must be 0, 1, 3 or 4");
    o->channels = (int)c;
}

static void push_decoded(lua_State *L, const glim_image *img)
{
    glim_lua_gc_hint(L, (size_t)img->height * img->stride);
}

/* image.decode(bytes [, opts]) -> image | nil, msg, code */
static int l_decode(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TSTRING);
    size_t len;
    const char *bytes = lua_tolstring(L, 1, &len);
    glim_decode_opts o;
    check_decode_opts(L, 2, &o);
    image_box *box = glim_lua_new_image_box(L);
    glim_error err;
    if (glim_image_decode(bytes, len, &o, &box->img, &err) != GLIM_OK)
        return glim_lua_push_failure(L, &err);
    push_decoded(L, box->img);
    return 1;
}

/* image.load(path [, opts]) -> image | nil, msg, code */
static int l_load(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    glim_decode_opts o;
    check_decode_opts(L, 2, &o);
    image_box *box = glim_lua_new_image_box(L);
    glim_error err;
    if (glim_image_load(path, &o, &box->img, &err) != GLIM_OK)
        return glim_lua_push_failure(L, &err);
    push_decoded(L, box->img);
    return 1;
}

/* image.sniff(bytes) -> "png" | "jpeg" | "bmp" | nil */
static int l_sniff(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TSTRING);
    size_t len;
    const char *bytes = lua_tolstring(L, 1, &len);
    glim_codec c = glim_image_sniff(bytes, len);
    if (c == GLIM_CODEC_UNKNOWN) lua_pushnil(L);
    else lua_pushstring(L, glim_codec_name(c));
    return 1;
}

/* image.probe(bytes) -> {format=, width=, height=} | nil, msg, code */
static int l_probe(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TSTRING);
    size_t len;
    const char *bytes = lua_tolstring(L, 1, &len);
    glim_codec c;
    int w, h;
    glim_error err;
    if (glim_image_probe(bytes, len, &c, &w, &h, &err) != GLIM_OK)
        return glim_lua_push_failure(L, &err);
    lua_createtable(L, 0, 3);
    lua_pushstring(L, glim_codec_name(c));
    lua_setfield(L, -2, "format");
    lua_pushinteger(L, w);
    lua_setfield(L, -2, "width");
    lua_pushinteger(L, h);
    lua_setfield(L, -2, "height");
    return 1;
}

static const char *const format_names[] = {"png", "jpeg", "jpg", "bmp", NULL};
static const glim_codec format_codecs[] = {GLIM_CODEC_PNG, GLIM_CODEC_JPEG, GLIM_CODEC_JPEG,
                                           GLIM_CODEC_BMP};

static const char *const encode_keys[] = {"quality", "compression", "progressive", NULL};
static const char *const save_keys[] = {"quality", "compression", "progressive", "format",
                                        NULL};

static void check_encode_opts(lua_State *L, int idx, const char *const *keys,
                              glim_encode_opts *o)
{
    glim_encode_opts_init(o);
    if (lua_isnoneornil(L, idx)) return;
    luaL_checktype(L, idx, LUA_TTABLE);
    glim_lua_check_opts(L, idx, NULL, keys);
    o->quality = (int)opt_integer(L, idx, "quality", o->quality, 1, 100);
    o->png_compression = (int)opt_integer(L, idx, "compression", o->png_compression, 0, 9);
    o->progressive = opt_boolean(L, idx, "progressive", 0);
}

/* img:encode(format [, opts]) -> bytes | nil, msg, code */
static int l_encode(lua_State *L)
{
    glim_image *img = glim_lua_check_image(L, 1);
    glim_codec codec = format_codecs[luaL_checkoption(L, 2, NULL, format_names)];
    glim_encode_opts o;
    check_encode_opts(L, 3, encode_keys, &o);
    bytes_box *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->p = NULL;
    luaL_setmetatable(L, BYTES_MT);
    size_t len = 0;
    glim_error err;
    if (glim_image_encode(img, codec, &o, &b->p, &len, &err) != GLIM_OK)
        return glim_lua_push_failure(L, &err);
    lua_pushlstring(L, (const char *)b->p, len);
    glim_free(b->p);
    b->p = NULL;
    return 1;
}

/* The codec a file name's extension names, or UNKNOWN. */
static glim_codec codec_from_path(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash)) return GLIM_CODEC_UNKNOWN;
    char ext[8];
    size_t n = strlen(dot + 1);
    if (n == 0 || n >= sizeof ext) return GLIM_CODEC_UNKNOWN;
    for (size_t i = 0; i <= n; i++) ext[i] = (char)tolower((unsigned char)dot[1 + i]);
    if (strcmp(ext, "png") == 0) return GLIM_CODEC_PNG;
    if (strcmp(ext, "jpg") == 0 || strcmp(ext, "jpeg") == 0 || strcmp(ext, "jpe") == 0)
        return GLIM_CODEC_JPEG;
    if (strcmp(ext, "bmp") == 0 || strcmp(ext, "dib") == 0) return GLIM_CODEC_BMP;
    return GLIM_CODEC_UNKNOWN;
}

/* img:save(path [, opts]) -> true | nil, msg, code. The format comes from
 * opts.format, else from the extension. */
static int l_save(lua_State *L)
{
    glim_image *img = glim_lua_check_image(L, 1);
    const char *path = luaL_checkstring(L, 2);
    glim_encode_opts o;
    check_encode_opts(L, 3, save_keys, &o);
    glim_codec codec = GLIM_CODEC_UNKNOWN;
    if (!lua_isnoneornil(L, 3)) {
        lua_getfield(L, 3, "format");
        if (!lua_isnil(L, -1)) {
            if (lua_type(L, -1) != LUA_TSTRING)
                luaL_argerror(L, 3, "option 'format' must be a string");
            const char *f = lua_tostring(L, -1);
            for (int i = 0; format_names[i]; i++)
                if (strcmp(f, format_names[i]) == 0) codec = format_codecs[i];
            if (codec == GLIM_CODEC_UNKNOWN)
                luaL_argerror(L, 3, lua_pushfstring(L, "unknown format '%s' (png, jpeg, bmp)", f));
        }
        lua_pop(L, 1);
    }
    if (codec == GLIM_CODEC_UNKNOWN) codec = codec_from_path(path);
    if (codec == GLIM_CODEC_UNKNOWN)
        luaL_argerror(L, 2, lua_pushfstring(L, "cannot tell the image format from '%s' "
                                               "(use .png, .jpg, .bmp or opts.format)", path));
    glim_error err;
    if (glim_image_save(img, path, codec, &o, &err) != GLIM_OK)
        return glim_lua_push_failure(L, &err);
    lua_pushboolean(L, 1);
    return 1;
}

static const luaL_Reg codec_functions[] = {
    {"decode", l_decode}, {"load", l_load}, {"sniff", l_sniff}, {"probe", l_probe},
    {NULL, NULL},
};

static const luaL_Reg codec_methods[] = {
    {"encode", l_encode},
    {"save", l_save},
    {NULL, NULL},
};

void glimpse_open_codec(lua_State *L)
{
    luaL_newmetatable(L, BYTES_MT);
    lua_pushcfunction(L, bytes_gc);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);
    glim_lua_add_functions(L, "image", codec_functions);
    glim_lua_add_methods(L, GLIMPSE_IMAGE_MT, codec_methods);
}
