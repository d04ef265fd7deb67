/* l_tensor.c — the glimpse.Tensor userdata.
 *
 * Indices seen from Lua are 1-based (t:get(1, 2, 8, 6) is batch 1,
 * channel 2, row 8, column 6); the core is 0-based. Out-of-range indices,
 * wrong index counts, bad shapes and unknown dtypes raise. A reshape is a
 * view sharing the bytes, so it stays valid after its parent is freed. */
#include "binding.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

tensor_box *glim_lua_new_tensor_box(lua_State *L)
{
    tensor_box *box = lua_newuserdatauv(L, sizeof *box, 0);
    box->t = NULL;
    luaL_setmetatable(L, GLIMPSE_TENSOR_MT);
    return box;
}

glim_tensor *glim_lua_check_tensor(lua_State *L, int idx)
{
    tensor_box *box = luaL_checkudata(L, idx, GLIMPSE_TENSOR_MT);
    if (!box->t) luaL_argerror(L, idx, "glimpse.Tensor is closed");
    return box->t;
}

static int l_tensor_release(lua_State *L)
{
    tensor_box *box = luaL_checkudata(L, 1, GLIMPSE_TENSOR_MT);
    glim_tensor_free(box->t);
    box->t = NULL;
    return 0;
}

static glim_dtype check_dtype(lua_State *L, int arg, const char *def)
{
    const char *name = def ? luaL_optstring(L, arg, def) : luaL_checkstring(L, arg);
    glim_dtype dt;
    if (glim_dtype_parse(name, &dt) != 0)
        luaL_argerror(L, arg,
                      lua_pushfstring(L, "unknown dtype '%s' (float32, uint8, int8, int16, "
                                         "int32, int64 or bool)", name));
    return dt;
}

/* Push element i (flat) in its natural Lua type. */
static void push_elem(lua_State *L, const glim_tensor *t, int64_t i)
{
    switch (t->dtype) {
    case GLIM_F32: lua_pushnumber(L, ((const float *)t->data)[i]); break;
    case GLIM_I64: lua_pushinteger(L, (lua_Integer)((const int64_t *)t->data)[i]); break;
    case GLIM_BOOL: lua_pushboolean(L, ((const uint8_t *)t->data)[i] != 0); break;
    default: lua_pushinteger(L, (lua_Integer)glim_tensor_get_flat(t, i)); break;
    }
}

/* Store the value at stack index idx into element i: numbers round to
 * nearest and saturate for integer dtypes; booleans give 1/0. */
static void set_elem(lua_State *L, glim_tensor *t, int64_t i, int idx, int arg)
{
    if (lua_type(L, idx) == LUA_TBOOLEAN) {
        glim_tensor_set_flat(t, i, lua_toboolean(L, idx) ? 1.0 : 0.0);
        return;
    }
#if LUA_VERSION_NUM >= 503
    if (t->dtype == GLIM_I64 && lua_isinteger(L, idx)) {
        ((int64_t *)t->data)[i] = (int64_t)lua_tointeger(L, idx);
        return;
    }
#endif
    if (lua_type(L, idx) != LUA_TNUMBER)
        luaL_argerror(L, arg, lua_pushfstring(L, "number or boolean expected, got %s",
                                              luaL_typename(L, idx)));
    glim_tensor_set_flat(t, i, lua_tonumber(L, idx));
}

/* Read a shape: a table of integers at arg, or integers from arg to the top.
 * A single -1 is inferred from `infer_count` when that is >= 0. */
static int read_shape(lua_State *L, int arg, int64_t *shape, int64_t infer_count)
{
    int ndim = 0, from_table = lua_istable(L, arg);
    int n = from_table ? (int)lua_rawlen(L, arg) : lua_gettop(L) - arg + 1;
    if (!from_table && n == 1 && lua_isnoneornil(L, arg)) n = 0;
    if (!from_table && n > 0 && lua_type(L, arg) != LUA_TNUMBER)
        luaL_argerror(L, arg, "shape must be a table of integers");
    if (n > GLIM_MAX_DIMS)
        luaL_argerror(L, arg, lua_pushfstring(L, "shape has %d dimensions (at most %d)", n,
                                              GLIM_MAX_DIMS));
    int infer = -1;
    for (int i = 0; i < n; i++) {
        lua_Integer v;
        if (from_table) {
            lua_rawgeti(L, arg, i + 1);
            if (!lua_isnumber(L, -1)) luaL_argerror(L, arg, "shape must contain only integers");
            lua_Number d = lua_tonumber(L, -1);
            if (d != floor(d)) luaL_argerror(L, arg, "shape must contain only integers");
            v = (lua_Integer)d;
            lua_pop(L, 1);
        } else {
            v = luaL_checkinteger(L, arg + i);
        }
        if (v == -1 && infer_count >= 0) {
            if (infer >= 0) luaL_argerror(L, arg, "shape can infer only one dimension (-1)");
            infer = i;
            v = 1;
        } else if (v < 0) {
            luaL_argerror(L, arg, lua_pushfstring(L, "dimension %d is negative", i + 1));
        }
        shape[ndim++] = (int64_t)v;
    }
    if (infer >= 0) {
        int64_t rest = glim_shape_count(ndim, shape);
        if (rest <= 0 || infer_count % rest != 0)
            luaL_argerror(L, arg, lua_pushfstring(L, "cannot infer a dimension: %d elements "
                                                     "do not divide evenly", (int)infer_count));
        shape[infer] = infer_count / rest;
    }
    return ndim;
}

static int push_new_tensor(lua_State *L, glim_dtype dt, int ndim, const int64_t *shape,
                           glim_tensor **out)
{
    tensor_box *box = glim_lua_new_tensor_box(L);
    glim_error err;
    if (glim_tensor_new(dt, ndim, shape, &box->t, &err) != GLIM_OK) {
        if (err.code == GLIM_ENOMEM) return glim_lua_push_failure(L, &err);
        return luaL_error(L, "%s", err.msg);
    }
    glim_lua_gc_hint(L, (size_t)box->t->count * glim_dtype_size(dt));
    *out = box->t;
    return 0;
}

/* tensor.new(shape [, dtype]) */
static int l_tensor_new(lua_State *L)
{
    int64_t shape[GLIM_MAX_DIMS];
    luaL_checktype(L, 1, LUA_TTABLE);
    glim_dtype dt = check_dtype(L, 2, "float32");
    int ndim = read_shape(L, 1, shape, -1);
    glim_tensor *t;
    int r = push_new_tensor(L, dt, ndim, shape, &t);
    return r ? r : 1;
}

/* ---- from_table: infer the shape from the first elements, then check
 * every level has the same length (ragged tables raise). */
static void fill_from_table(lua_State *L, int tbl, int depth, int ndim, const int64_t *shape,
                            glim_tensor *t, int64_t *pos)
{
    if ((int64_t)lua_rawlen(L, tbl) != shape[depth])
        luaL_error(L, "from_table: ragged table (a level %d table has %d elements, expected %d)",
                   depth + 1, (int)lua_rawlen(L, tbl), (int)shape[depth]);
    for (int64_t i = 1; i <= shape[depth]; i++) {
        lua_rawgeti(L, tbl, (lua_Integer)i);
        if (depth + 1 < ndim) {
            if (!lua_istable(L, -1))
                luaL_error(L, "from_table: ragged table (a %s where a level %d table belongs)",
                           luaL_typename(L, -1), depth + 2);
            fill_from_table(L, lua_gettop(L), depth + 1, ndim, shape, t, pos);
        } else {
            int ty = lua_type(L, -1);
            if (ty != LUA_TNUMBER && ty != LUA_TBOOLEAN)
                luaL_error(L, "from_table: element %d is a %s, not a number",
                           (int)(*pos + 1), luaL_typename(L, -1));
            set_elem(L, t, *pos, lua_gettop(L), 1);
            (*pos)++;
        }
        lua_pop(L, 1);
    }
}

static int l_tensor_from_table(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    glim_dtype dt = check_dtype(L, 2, "float32");
    int64_t shape[GLIM_MAX_DIMS];
    int ndim = 0;
    lua_pushvalue(L, 1);
    for (;;) {
        if (ndim == GLIM_MAX_DIMS)
            luaL_argerror(L, 1, lua_pushfstring(L, "nested deeper than %d levels", GLIM_MAX_DIMS));
        shape[ndim++] = (int64_t)lua_rawlen(L, -1);
        if (shape[ndim - 1] == 0) break;
        lua_rawgeti(L, -1, 1);
        lua_remove(L, -2);
        if (!lua_istable(L, -1)) break;
    }
    lua_pop(L, 1);
    glim_tensor *t;
    int r = push_new_tensor(L, dt, ndim, shape, &t);
    if (r) return r;
    int64_t pos = 0;
    fill_from_table(L, 1, 0, ndim, shape, t, &pos);
    return 1;
}

/* tensor.from_bytes(bytes, shape, dtype) — native byte order. */
static int l_tensor_from_bytes(lua_State *L)
{
    size_t len;
    const char *bytes = luaL_checklstring(L, 1, &len);
    luaL_checktype(L, 2, LUA_TTABLE);
    glim_dtype dt = check_dtype(L, 3, "float32");
    int64_t shape[GLIM_MAX_DIMS];
    int ndim = read_shape(L, 2, shape, -1);
    int64_t count = glim_shape_count(ndim, shape);
    size_t need = 0;
    if (count < 0 || !glim_mul_size((size_t)count, glim_dtype_size(dt), &need) || need != len)
        luaL_argerror(L, 1, lua_pushfstring(L, "%d bytes given, the shape and dtype need %d",
                                            (int)len, (int)need));
    glim_tensor *t;
    int r = push_new_tensor(L, dt, ndim, shape, &t);
    if (r) return r;
    if (len) memcpy(t->data, bytes, len);
    return 1;
}

static int l_tensor_index(lua_State *L)
{
    tensor_box *box = luaL_checkudata(L, 1, GLIMPSE_TENSOR_MT);
    const char *key = lua_tostring(L, 2);
    if (key && box->t) {
        const glim_tensor *t = box->t;
        if (strcmp(key, "shape") == 0) {
            lua_createtable(L, t->ndim, 0);
            for (int i = 0; i < t->ndim; i++) {
                lua_pushinteger(L, (lua_Integer)t->shape[i]);
                lua_rawseti(L, -2, i + 1);
            }
            return 1;
        }
        if (strcmp(key, "dtype") == 0) return lua_pushstring(L, glim_dtype_name(t->dtype)), 1;
        if (strcmp(key, "ndim") == 0) return lua_pushinteger(L, t->ndim), 1;
        if (strcmp(key, "count") == 0) return lua_pushinteger(L, (lua_Integer)t->count), 1;
        if (strcmp(key, "scale") == 0) {
            if (t->scale == 0.f) return lua_pushnil(L), 1;
            return lua_pushnumber(L, t->scale), 1;
        }
        if (strcmp(key, "zero_point") == 0) {
            if (t->scale == 0.f) return lua_pushnil(L), 1;
            return lua_pushinteger(L, t->zero_point), 1;
        }
    }
    lua_getmetatable(L, 1);
    lua_getfield(L, -1, "__methods");
    lua_pushvalue(L, 2);
    lua_rawget(L, -2);
    return 1;
}

static int l_tensor_tostring(lua_State *L)
{
    tensor_box *box = luaL_checkudata(L, 1, GLIMPSE_TENSOR_MT);
    if (!box->t) {
        lua_pushliteral(L, "glimpse.Tensor (closed)");
        return 1;
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "glimpse.Tensor ");
    luaL_addstring(&b, glim_dtype_name(box->t->dtype));
    luaL_addchar(&b, ' ');
    if (box->t->ndim == 0) luaL_addstring(&b, "scalar");
    for (int i = 0; i < box->t->ndim; i++) {
        char num[32];
        snprintf(num, sizeof num, i ? "x%lld" : "%lld", (long long)box->t->shape[i]);
        luaL_addstring(&b, num);
    }
    luaL_pushresult(&b);
    return 1;
}

static int l_tensor_len(lua_State *L)
{
    glim_tensor *t = glim_lua_check_tensor(L, 1);
    lua_pushinteger(L, (lua_Integer)t->count);
    return 1;
}

/* Flat 0-based offset of the 1-based indices at stack slots 2..ndim+1. */
static int64_t check_indices(lua_State *L, const glim_tensor *t, int nidx)
{
    if (nidx != t->ndim)
        luaL_error(L, "tensor index: %d indices given, the tensor has %d dimensions", nidx,
                   t->ndim);
    int64_t off = 0;
    for (int k = 0; k < t->ndim; k++) {
        lua_Integer i = luaL_checkinteger(L, 2 + k);
        if (i < 1 || i > t->shape[k])
            luaL_argerror(L, 2 + k, lua_pushfstring(L, "index %d outside 1..%d (dimension %d)",
                                                    (int)i, (int)t->shape[k], k + 1));
        off = off * t->shape[k] + (i - 1);
    }
    return off;
}

/* t:get(i1, ..., in) */
static int l_tensor_get(lua_State *L)
{
    glim_tensor *t = glim_lua_check_tensor(L, 1);
    int64_t off = check_indices(L, t, lua_gettop(L) - 1);
    push_elem(L, t, off);
    return 1;
}

/* t:set(i1, ..., in, value) -> t */
static int l_tensor_set(lua_State *L)
{
    glim_tensor *t = glim_lua_check_tensor(L, 1);
    int top = lua_gettop(L);
    if (top < 2) luaL_error(L, "tensor set: a value is required");
    int64_t off = check_indices(L, t, top - 2);
    set_elem(L, t, off, top, top);
    lua_settop(L, 1);
    return 1;
}

static void push_nested(lua_State *L, const glim_tensor *t, int depth, int64_t *pos)
{
    if (depth == t->ndim) {
        push_elem(L, t, (*pos)++);
        return;
    }
    int64_t n = t->shape[depth];
    lua_createtable(L, n > 1 << 24 ? 0 : (int)n, 0);
    for (int64_t i = 0; i < n; i++) {
        push_nested(L, t, depth + 1, pos);
        lua_rawseti(L, -2, (lua_Integer)(i + 1));
    }
}

/* t:totable() -> nested tables (a scalar gives its value) */
static int l_tensor_totable(lua_State *L)
{
    glim_tensor *t = glim_lua_check_tensor(L, 1);
    luaL_checkstack(L, t->ndim + 8, "tensor totable");
    int64_t pos = 0;
    push_nested(L, t, 0, &pos);
    return 1;
}

/* t:reshape(shape) or t:reshape(d1, d2, ...) -> view sharing the bytes */
static int l_tensor_reshape(lua_State *L)
{
    glim_tensor *t = glim_lua_check_tensor(L, 1);
    int64_t shape[GLIM_MAX_DIMS];
    int ndim = read_shape(L, 2, shape, t->count);
    int64_t count = glim_shape_count(ndim, shape);
    if (count != t->count)
        luaL_argerror(L, 2, lua_pushfstring(L, "%d elements cannot take a shape of %d",
                                            (int)t->count, (int)count));
    tensor_box *box = glim_lua_new_tensor_box(L);
    glim_error err;
    if (glim_tensor_reshape(t, ndim, shape, &box->t, &err) != GLIM_OK) {
        if (err.code == GLIM_ENOMEM) return glim_lua_push_failure(L, &err);
        return luaL_error(L, "%s", err.msg);
    }
    return 1;
}

static int l_tensor_clone(lua_State *L)
{
    glim_tensor *t = glim_lua_check_tensor(L, 1);
    tensor_box *box = glim_lua_new_tensor_box(L);
    glim_error err;
    if (glim_tensor_clone(t, &box->t, &err) != GLIM_OK) return glim_lua_push_failure(L, &err);
    glim_lua_gc_hint(L, (size_t)t->count * glim_dtype_size(t->dtype));
    return 1;
}

/* Largest of n values at p[0], p[stride], ...: its position (0-based; the
 * first on ties; NaN skipped, position 0 when all are NaN) and value. */
static int64_t argmax_strided(const glim_tensor *t, int64_t base, int64_t n, int64_t stride)
{
    int64_t best = -1;
    double bv = 0;
    if (t->dtype == GLIM_F32) {
        const float *p = (const float *)t->data + base;
        for (int64_t i = 0; i < n; i++) {
            float v = p[i * stride];
            if (!isnan(v) && (best < 0 || v > bv)) best = i, bv = v;
        }
    } else {
        for (int64_t i = 0; i < n; i++) {
            double v = glim_tensor_get_flat(t, base + i * stride);
            if (!isnan(v) && (best < 0 || v > bv)) best = i, bv = v;
        }
    }
    return best < 0 ? 0 : best;
}

/* t:argmax() -> 1-based flat index, value.
 * t:argmax(dim) -> indices, values: two lists with one entry per position
 * of the other dims (row-major), the 1-based index along dim `dim` (1-based
 * like t:get's indices; -1 is the last dim) of the largest value and that
 * value. */
static int l_tensor_argmax(lua_State *L)
{
    glim_tensor *t = glim_lua_check_tensor(L, 1);
    if (t->count == 0) return luaL_error(L, "argmax: the tensor is empty");
    if (lua_isnoneornil(L, 2)) {
        int64_t best = argmax_strided(t, 0, t->count, 1);
        lua_pushinteger(L, (lua_Integer)(best + 1));
        push_elem(L, t, best);
        return 2;
    }
    lua_Integer dim = luaL_checkinteger(L, 2);
    lua_Integer axis = dim < 0 ? dim + t->ndim : dim - 1;
    luaL_argcheck(L, dim != 0 && axis >= 0 && axis < t->ndim, 2, "dim out of range");
    int64_t outer = 1, len = t->shape[axis], inner = 1;
    for (int i = 0; i < axis; i++) outer *= t->shape[i];
    for (int i = (int)axis + 1; i < t->ndim; i++) inner *= t->shape[i];
    int64_t rows = outer * inner;
    luaL_argcheck(L, rows <= INT32_MAX, 2, "too many positions");
    lua_createtable(L, (int)rows, 0);
    lua_createtable(L, (int)rows, 0);
    for (int64_t r = 0; r < rows; r++) {
        int64_t base = (r / inner) * len * inner + r % inner;
        int64_t best = argmax_strided(t, base, len, inner);
        lua_pushinteger(L, (lua_Integer)(best + 1));
        lua_rawseti(L, -3, (lua_Integer)r + 1);
        push_elem(L, t, base + best * inner);
        lua_rawseti(L, -2, (lua_Integer)r + 1);
    }
    return 2;
}

typedef struct ranked {
    double v;
    int64_t i;
} ranked;

/* Best first; equal values keep index order; NaN ranks last. */
static int ranked_cmp(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    int xn = isnan(x->v), yn = isnan(y->v);
    if (xn != yn) return xn - yn;
    if (!xn && x->v != y->v) return x->v > y->v ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* t:topk(k) -> indices, values (1-based flat indices, best first). k is
 * clamped to the element count. */
static int l_tensor_topk(lua_State *L)
{
    glim_tensor *t = glim_lua_check_tensor(L, 1);
    lua_Integer k = luaL_checkinteger(L, 2);
    luaL_argcheck(L, k >= 1, 2, "k must be at least 1");
    if (k > t->count) k = (lua_Integer)t->count;
    ranked *top = NULL;
    int64_t n = 0;
    if (k > 0) {
        /* Insertion into a sorted list of k when k is small, else a sort. */
        int64_t cap = k <= 64 ? k + 1 : t->count;
        /* Scratch owned by the collector, so no path can leak it. */
        top = lua_newuserdatauv(L, (size_t)cap * sizeof *top, 0);
        for (int64_t i = 0; i < t->count; i++) {
            ranked r = {glim_tensor_get_flat(t, i), i};
            if (cap == t->count) {
                top[n++] = r;
                continue;
            }
            if (n == k && ranked_cmp(&r, &top[n - 1]) >= 0) continue;
            int64_t j = n < k ? n++ : n - 1;
            while (j > 0 && ranked_cmp(&r, &top[j - 1]) < 0) {
                top[j] = top[j - 1];
                j--;
            }
            top[j] = r;
        }
        if (cap == t->count) qsort(top, (size_t)n, sizeof *top, ranked_cmp);
    }
    lua_createtable(L, (int)k, 0);
    lua_createtable(L, (int)k, 0);
    for (lua_Integer j = 0; j < k; j++) {
        lua_pushinteger(L, (lua_Integer)(top[j].i + 1));
        lua_rawseti(L, -3, j + 1);
        push_elem(L, t, top[j].i);
        lua_rawseti(L, -2, j + 1);
    }
    return 2;
}

/* t:bytes() -> the elements as a string in native byte order */
static int l_tensor_bytes(lua_State *L)
{
    glim_tensor *t = glim_lua_check_tensor(L, 1);
    lua_pushlstring(L, t->data, (size_t)t->count * glim_dtype_size(t->dtype));
    return 1;
}

/* t:astype(dtype) -> a converted copy (round to nearest, saturate) */
static int l_tensor_astype(lua_State *L)
{
    glim_tensor *t = glim_lua_check_tensor(L, 1);
    glim_dtype dt = check_dtype(L, 2, NULL);
    glim_tensor *o;
    int r = push_new_tensor(L, dt, t->ndim, t->shape, &o);
    if (r) return r;
    if (dt == t->dtype) {
        memcpy(o->data, t->data, (size_t)t->count * glim_dtype_size(dt));
        o->scale = t->scale;
        o->zero_point = t->zero_point;
    } else if (dt == GLIM_F32) {
        float *p = o->data;
        for (int64_t i = 0; i < t->count; i++) p[i] = (float)glim_tensor_get_flat(t, i);
    } else {
        for (int64_t i = 0; i < t->count; i++) glim_tensor_set_flat(o, i, glim_tensor_get_flat(t, i));
    }
    return 1;
}

/* t:dequantize() -> float32 copy of scale * (q - zero_point); a tensor
 * without quantization is converted as is. */
static int l_tensor_dequantize(lua_State *L)
{
    glim_tensor *t = glim_lua_check_tensor(L, 1);
    glim_tensor *o;
    int r = push_new_tensor(L, GLIM_F32, t->ndim, t->shape, &o);
    if (r) return r;
    float *p = o->data;
    double s = t->scale, z = t->zero_point;
    for (int64_t i = 0; i < t->count; i++) {
        double v = glim_tensor_get_flat(t, i);
        p[i] = (float)(s != 0 ? s * (v - z) : v);
    }
    return 1;
}

/* t:fill(value) -> t */
static int l_tensor_fill(lua_State *L)
{
    glim_tensor *t = glim_lua_check_tensor(L, 1);
    luaL_checkany(L, 2);
    if (t->count > 0) {
        set_elem(L, t, 0, 2, 2);
        size_t es = glim_dtype_size(t->dtype);
        for (int64_t i = 1; i < t->count; i++)
            memcpy((char *)t->data + (size_t)i * es, t->data, es);
    }
    lua_settop(L, 1);
    return 1;
}

static const luaL_Reg tensor_methods[] = {
    {"get", l_tensor_get},
    {"set", l_tensor_set},
    {"totable", l_tensor_totable},
    {"reshape", l_tensor_reshape},
    {"clone", l_tensor_clone},
    {"argmax", l_tensor_argmax},
    {"topk", l_tensor_topk},
    {"bytes", l_tensor_bytes},
    {"astype", l_tensor_astype},
    {"dequantize", l_tensor_dequantize},
    {"fill", l_tensor_fill},
    {"free", l_tensor_release},
    {"close", l_tensor_release},
    {NULL, NULL},
};

static const luaL_Reg tensor_meta[] = {
    {"__index", l_tensor_index},
    {"__gc", l_tensor_release},
    {"__close", l_tensor_release},
    {"__tostring", l_tensor_tostring},
    {"__len", l_tensor_len},
    {NULL, NULL},
};

static const luaL_Reg tensor_functions[] = {
    {"new", l_tensor_new},
    {"from_table", l_tensor_from_table},
    {"from_bytes", l_tensor_from_bytes},
    {NULL, NULL},
};

void glimpse_open_tensor(lua_State *L)
{
    luaL_newmetatable(L, GLIMPSE_TENSOR_MT);
    luaL_setfuncs(L, tensor_meta, 0);
    lua_newtable(L);
    luaL_setfuncs(L, tensor_methods, 0);
    lua_setfield(L, -2, "__methods");
    lua_pop(L, 1);
    glim_lua_add_functions(L, "tensor", tensor_functions);
}
