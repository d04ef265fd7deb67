/* l_model.c — the glimpse.Model userdata: core.nn.load, model.inputs,
 * model.outputs, model:run, model:stats, model:free.
 *
 * load's source rule: a string is model bytes when it carries the TFLite
 * identifier "TFL3" at offset 4, starts with byte 0x08 (the tag of an ONNX
 * ModelProto's first field, ir_version), contains a NUL byte, or is longer
 * than 4096 bytes; any other string is a file path. The importer itself is
 * chosen from the content (model.c). */
#include "binding.h"
#include "../nn/model.h"

#include <stdio.h>
#include <string.h>

typedef struct model_box { glim_model *m; } model_box;

static glim_model *check_model(lua_State *L, int idx)
{
    model_box *box = luaL_checkudata(L, idx, GLIMPSE_MODEL_MT);
    if (!box->m) luaL_argerror(L, idx, "glimpse.Model is closed");
    return box->m;
}

static int l_model_release(lua_State *L)
{
    model_box *box = luaL_checkudata(L, 1, GLIMPSE_MODEL_MT);
    glim_model_free(box->m);
    box->m = NULL;
    return 0;
}

static int is_bytes(const char *s, size_t len)
{
    if (len >= 8 && memcmp(s + 4, "TFL3", 4) == 0) return 1;
    if (len >= 2 && s[0] == 0x08) return 1;
    return len > 4096 || memchr(s, 0, len) != NULL;
}

static int l_nn_load(lua_State *L)
{
    size_t len;
    const char *src = luaL_checklstring(L, 1, &len);
    if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
    glim_model_opts opts;
    glim_model_opts_init(&opts);
    lua_Integer threads = glim_lua_opt_int_field(L, 2, "threads", 1);
    if (threads < 1 || threads > 256) luaL_argerror(L, 2, "threads must be 1..256");
    opts.threads = (int)threads;
    opts.clamp_quant_range = glim_lua_opt_bool_field(L, 2, "clamp_quant_range", 1);

    model_box *box = lua_newuserdatauv(L, sizeof *box, 0);
    box->m = NULL;
    luaL_setmetatable(L, GLIMPSE_MODEL_MT);
    glim_error err;
    glim_status st = is_bytes(src, len) ? glim_model_load(src, len, &opts, &box->m, &err)
                                        : glim_model_load_file(src, &opts, &box->m, &err);
    if (st != GLIM_OK) return glim_lua_push_failure(L, &err);
    glim_model_stats s;
    glim_model_get_stats(box->m, &s);
    glim_lua_gc_hint(L, s.weights_bytes + s.arena_bytes);
    return 1;
}

static void push_shape(lua_State *L, int ndim, const int64_t *shape)
{
    lua_createtable(L, ndim, 0);
    for (int i = 0; i < ndim; i++) {
        lua_pushinteger(L, (lua_Integer)shape[i]);
        lua_rawseti(L, -2, i + 1);
    }
}

static void push_io(lua_State *L, const glim_model_io *io)
{
    lua_createtable(L, 0, 6);
    lua_pushstring(L, io->name);
    lua_setfield(L, -2, "name");
    push_shape(L, io->ndim, io->shape);
    lua_setfield(L, -2, "shape");
    lua_pushstring(L, glim_dtype_name(io->dtype));
    lua_setfield(L, -2, "dtype");
    if (io->file_dtype != io->dtype) {
        lua_pushstring(L, glim_dtype_name(io->file_dtype));
        lua_setfield(L, -2, "quantized_dtype");
    }
    if (io->scale != 0) {
        lua_pushnumber(L, io->scale);
        lua_setfield(L, -2, "scale");
        lua_pushinteger(L, io->zero_point);
        lua_setfield(L, -2, "zero_point");
    }
}

static void push_io_list(lua_State *L, glim_model *m, int outputs)
{
    int n = outputs ? glim_model_output_count(m) : glim_model_input_count(m);
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        push_io(L, outputs ? glim_model_output(m, i) : glim_model_input(m, i));
        lua_rawseti(L, -2, i + 1);
    }
}

static int l_model_index(lua_State *L)
{
    model_box *box = luaL_checkudata(L, 1, GLIMPSE_MODEL_MT);
    const char *key = lua_tostring(L, 2);
    if (key && box->m) {
        if (strcmp(key, "inputs") == 0) return push_io_list(L, box->m, 0), 1;
        if (strcmp(key, "outputs") == 0) return push_io_list(L, box->m, 1), 1;
    }
    lua_getmetatable(L, 1);
    lua_getfield(L, -1, "__methods");
    lua_pushvalue(L, 2);
    lua_rawget(L, -2);
    return 1;
}

static void io_text(luaL_Buffer *b, const glim_model_io *io)
{
    luaL_addstring(b, glim_dtype_name(io->dtype));
    luaL_addchar(b, '[');
    for (int i = 0; i < io->ndim; i++) {
        char num[32];
        snprintf(num, sizeof num, i ? ",%lld" : "%lld", (long long)io->shape[i]);
        luaL_addstring(b, num);
    }
    luaL_addchar(b, ']');
}

static int l_model_tostring(lua_State *L)
{
    model_box *box = luaL_checkudata(L, 1, GLIMPSE_MODEL_MT);
    if (!box->m) {
        lua_pushliteral(L, "glimpse.Model (closed)");
        return 1;
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "glimpse.Model ");
    for (int i = 0; i < glim_model_input_count(box->m); i++) {
        if (i) luaL_addstring(&b, ", ");
        io_text(&b, glim_model_input(box->m, i));
    }
    luaL_addstring(&b, " -> ");
    for (int i = 0; i < glim_model_output_count(box->m); i++) {
        if (i) luaL_addstring(&b, ", ");
        io_text(&b, glim_model_output(box->m, i));
    }
    luaL_pushresult(&b);
    return 1;
}

#define MAX_IO 64

/* model:run(tensor | {tensor, ...} | {[name] = tensor, ...} [, {raw = bool}]) */
static int l_model_run(lua_State *L)
{
    glim_model *m = check_model(L, 1);
    int nin = glim_model_input_count(m), nout = glim_model_output_count(m);
    glim_tensor *in[MAX_IO];
    if (nin > MAX_IO || nout > MAX_IO) return luaL_error(L, "run: too many inputs or outputs");
    if (lua_type(L, 2) == LUA_TTABLE) {
        for (int i = 0; i < nin; i++) {
            const glim_model_io *io = glim_model_input(m, i);
            lua_getfield(L, 2, io->name);
            if (lua_isnil(L, -1)) {
                lua_pop(L, 1);
                lua_rawgeti(L, 2, i + 1);
            }
            if (lua_isnil(L, -1))
                return luaL_argerror(L, 2, lua_pushfstring(L, "no tensor for input %d ('%s')",
                                                           i + 1, io->name));
            in[i] = glim_lua_check_tensor(L, lua_gettop(L));
            lua_pop(L, 1); /* the table keeps the tensor alive */
        }
    } else {
        if (nin != 1)
            return luaL_argerror(L, 2, lua_pushfstring(L, "the model takes %d inputs: pass a "
                                                          "table", nin));
        in[0] = glim_lua_check_tensor(L, 2);
    }
    if (!lua_isnoneornil(L, 3)) luaL_checktype(L, 3, LUA_TTABLE);
    int raw = glim_lua_opt_bool_field(L, 3, "raw", 0);

    /* Anchor one empty box per output before the core allocates. */
    lua_createtable(L, nout, nout);
    int res = lua_gettop(L);
    tensor_box *boxes[MAX_IO];
    for (int i = 0; i < nout; i++) {
        boxes[i] = glim_lua_new_tensor_box(L);
        lua_pushvalue(L, -1);
        lua_rawseti(L, res, i + 1);
        lua_setfield(L, res, glim_model_output(m, i)->name);
    }
    glim_tensor *out[MAX_IO];
    glim_error err;
    glim_status st = raw ? glim_model_run_raw(m, in, nin, out, &err)
                         : glim_model_run(m, in, nin, out, &err);
    if (st == GLIM_EINVAL) return luaL_error(L, "%s", err.msg);
    if (st != GLIM_OK) return glim_lua_push_failure(L, &err);
    size_t bytes = 0;
    for (int i = 0; i < nout; i++) {
        boxes[i]->t = out[i];
        bytes += (size_t)out[i]->count * glim_dtype_size(out[i]->dtype);
    }
    glim_lua_gc_hint(L, bytes);
    lua_settop(L, res);
    return 1;
}

static int l_model_stats(lua_State *L)
{
    glim_model *m = check_model(L, 1);
    glim_model_stats s;
    glim_model_get_stats(m, &s);
    lua_createtable(L, 0, 4);
    lua_pushinteger(L, (lua_Integer)s.weights_bytes);
    lua_setfield(L, -2, "weights_bytes");
    lua_pushinteger(L, (lua_Integer)s.arena_bytes);
    lua_setfield(L, -2, "arena_bytes");
    lua_pushinteger(L, s.nodes);
    lua_setfield(L, -2, "nodes");
    lua_pushnumber(L, s.flops);
    lua_setfield(L, -2, "flops");
    return 1;
}

static const luaL_Reg model_methods[] = {
    {"run", l_model_run},        {"stats", l_model_stats},
    {"free", l_model_release},   {"close", l_model_release},
    {NULL, NULL},
};

static const luaL_Reg model_meta[] = {
    {"__index", l_model_index},
    {"__gc", l_model_release},
    {"__close", l_model_release},
    {"__tostring", l_model_tostring},
    {NULL, NULL},
};

static const luaL_Reg nn_functions[] = {
    {"load", l_nn_load},
    {NULL, NULL},
};

void glimpse_open_model(lua_State *L)
{
    luaL_newmetatable(L, GLIMPSE_MODEL_MT);
    luaL_setfuncs(L, model_meta, 0);
    lua_newtable(L);
    luaL_setfuncs(L, model_methods, 0);
    lua_setfield(L, -2, "__methods");
    lua_pop(L, 1);
    glim_lua_add_functions(L, "nn", nn_functions);
}
