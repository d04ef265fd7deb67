/* module.c — luaopen_glimpse_core: builds the `glimpse.core` table from the
 * binding's areas, and holds the helpers they share. No state lives in C
 * globals: everything hangs off the module table and the registry. */
#include "binding.h"

#include <string.h>

int glim_lua_push_failure(lua_State *L, const glim_error *err)
{
    lua_pushnil(L);
    lua_pushstring(L, err->msg[0] ? err->msg : glim_strerror(err->code));
    lua_pushstring(L, glim_status_name(err->code));
    return 3;
}

void glim_lua_gc_hint(lua_State *L, size_t bytes)
{
    /* One step per 64 KiB keeps big C buffers from piling up between cycles. */
    if (bytes >= 65536) lua_gc(L, LUA_GCSTEP, (int)(bytes / 65536 > 1000 ? 1000 : bytes / 65536));
}

static int push_field(lua_State *L, int idx, const char *key)
{
    if (idx == 0 || lua_isnoneornil(L, idx)) return 0;
    lua_getfield(L, idx, key);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return 0;
    }
    return 1;
}

void glim_lua_check_opts(lua_State *L, int idx, const char *fn, const char *const *keys)
{
    if (lua_isnoneornil(L, idx)) return;
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        int known = 0;
        if (lua_type(L, -1) == LUA_TSTRING)
            for (int i = 0; keys[i]; i++)
                if (strcmp(lua_tostring(L, -1), keys[i]) == 0) known = 1;
        if (!known) {
            const char *name = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1)
                                                                : luaL_typename(L, -1);
            if (fn) luaL_argerror(L, idx, lua_pushfstring(L, "%s: unknown option '%s'", fn, name));
            luaL_argerror(L, idx, lua_pushfstring(L, "unknown option '%s'", name));
        }
    }
}

lua_Integer glim_lua_opt_int_field(lua_State *L, int idx, const char *key, lua_Integer def)
{
    idx = lua_absindex(L, idx);
    if (!push_field(L, idx, key)) return def;
    int isnum = 0;
    lua_Integer v = lua_tointegerx(L, -1, &isnum);
    if (!isnum) luaL_error(L, "option '%s' must be an integer", key);
    lua_pop(L, 1);
    return v;
}

lua_Number glim_lua_opt_num_field(lua_State *L, int idx, const char *key, lua_Number def)
{
    idx = lua_absindex(L, idx);
    if (!push_field(L, idx, key)) return def;
    if (!lua_isnumber(L, -1)) luaL_error(L, "option '%s' must be a number", key);
    lua_Number v = lua_tonumber(L, -1);
    lua_pop(L, 1);
    return v;
}

int glim_lua_opt_bool_field(lua_State *L, int idx, const char *key, int def)
{
    idx = lua_absindex(L, idx);
    if (!push_field(L, idx, key)) return def;
    if (!lua_isboolean(L, -1)) luaL_error(L, "option '%s' must be a boolean", key);
    int v = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

const char *glim_lua_opt_str_field(lua_State *L, int idx, const char *key, const char *def)
{
    idx = lua_absindex(L, idx);
    if (!push_field(L, idx, key)) return def;
    if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "option '%s' must be a string", key);
    /* The string stays reachable from the options table for the call. */
    const char *v = lua_tostring(L, -1);
    lua_pop(L, 1);
    return v;
}

void glim_lua_add_methods(lua_State *L, const char *tname, const luaL_Reg *methods)
{
    luaL_getmetatable(L, tname);
    lua_getfield(L, -1, "__methods");
    luaL_setfuncs(L, methods, 0);
    lua_pop(L, 2);
}

void glim_lua_add_functions(lua_State *L, const char *sub, const luaL_Reg *funcs)
{
    lua_getfield(L, -1, sub);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, -3, sub);
    }
    luaL_setfuncs(L, funcs, 0);
    lua_pop(L, 1);
}

static void push_error_codes(lua_State *L)
{
    lua_newtable(L);
    for (int c = 0; c < GLIM_STATUS_COUNT; c++) {
        lua_pushstring(L, glim_strerror((glim_status)c));
        lua_setfield(L, -2, glim_status_name((glim_status)c));
    }
    lua_setfield(L, -2, "errors");
}

GLIM_API int luaopen_glimpse_core(lua_State *L)
{
    lua_newtable(L);
    lua_pushliteral(L, GLIMPSE_VERSION);
    lua_setfield(L, -2, "_VERSION");
    push_error_codes(L);
    glimpse_open_image(L);
    glimpse_open_codec(L);
    glimpse_open_imgproc(L);
    glimpse_open_tensor(L);
    glimpse_open_model(L);
    glimpse_open_http(L);
    glimpse_open_ocr(L);
    return 1;
}
