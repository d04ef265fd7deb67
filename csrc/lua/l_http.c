/* l_http.c — glimpse.core.http.request: one HTTP request through the core's
 * libcurl wrapper (net/http.h).
 *
 *   core.http.request{method=, url=, headers={name=value}, body=, timeout=,
 *                     connect_timeout=, max_response=, follow_redirects=,
 *                     max_redirects=, ca_file=}
 *     -> {status=, headers={lower-cased name=value}, body=, time=}
 *     |  nil, "http: ...", "ENET" | "ETIMEOUT" | "ELIMIT" | ...
 *
 * Argument errors (wrong types, a header value containing CR/LF) raise.
 * Header values are copied into one C array for the call; nothing outlives it. */
#include "binding.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The header lines are built in a userdata so an error raised while filling
 * them (a bad type) cannot leak them. */
typedef struct header_block {
    size_t n;
    char **lines;
} header_block;

static int header_block_gc(lua_State *L)
{
    header_block *hb = lua_touserdata(L, 1);
    if (hb && hb->lines) {
        for (size_t i = 0; i < hb->n; i++) free(hb->lines[i]);
        free(hb->lines);
        hb->lines = NULL;
        hb->n = 0;
    }
    return 0;
}

static void check_header_text(lua_State *L, const char *s, size_t len, const char *what)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\r' || s[i] == '\n' || s[i] == '\0')
            luaL_error(L, "http.request: header %s contains a line break or NUL", what);
}

static void check_header_name(lua_State *L, const char *s, size_t len)
{
    if (len == 0) luaL_error(L, "http.request: empty header name");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c >= 127 || c == ':')
            luaL_error(L, "http.request: invalid character in header name");
    }
}

/* Build header lines from the table at `idx`; pushes the header_block. */
static header_block *collect_headers(lua_State *L, int idx)
{
    header_block *hb = lua_newuserdatauv(L, sizeof *hb, 0);
    hb->n = 0;
    hb->lines = NULL;
    lua_newtable(L);
    lua_pushcfunction(L, header_block_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    if (idx == 0) return hb;

    size_t count = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        count++;
        lua_pop(L, 1);
    }
    if (count == 0) return hb;
    hb->lines = calloc(count, sizeof *hb->lines);
    if (!hb->lines) luaL_error(L, "http.request: out of memory");

    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "http.request: header names must be strings");
        int vt = lua_type(L, -1);
        if (vt != LUA_TSTRING && vt != LUA_TNUMBER)
            luaL_error(L, "http.request: header '%s' must be a string", lua_tostring(L, -2));
        size_t nlen, vlen;
        const char *name = lua_tolstring(L, -2, &nlen);
        lua_pushvalue(L, -1); /* tolstring on a copy: never convert the value in place */
        const char *value = lua_tolstring(L, -1, &vlen);
        check_header_name(L, name, nlen);
        check_header_text(L, value, vlen, "value");
        char *line = malloc(nlen + vlen + 3);
        if (!line) luaL_error(L, "http.request: out of memory");
        memcpy(line, name, nlen);
        line[nlen] = ':';
        line[nlen + 1] = ' ';
        memcpy(line + nlen + 2, value, vlen);
        line[nlen + 2 + vlen] = '\0';
        hb->lines[hb->n++] = line;
        lua_pop(L, 2);
    }
    return hb;
}

static int l_http_request(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    glim_http_opts o;
    glim_http_opts_init(&o);

    lua_getfield(L, 1, "url");
    if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "http.request: 'url' must be a string");
    o.url = lua_tostring(L, -1);
    lua_pop(L, 1); /* stays reachable from the options table */

    o.method = glim_lua_opt_str_field(L, 1, "method", "GET");
    o.timeout = glim_lua_opt_num_field(L, 1, "timeout", o.timeout);
    o.connect_timeout = glim_lua_opt_num_field(L, 1, "connect_timeout", o.connect_timeout);
    lua_Integer max_response = glim_lua_opt_int_field(L, 1, "max_response", (lua_Integer)o.max_response);
    if (max_response <= 0) luaL_error(L, "http.request: 'max_response' must be positive");
    o.max_response = (size_t)max_response;
    o.follow_redirects = glim_lua_opt_bool_field(L, 1, "follow_redirects", 0);
    o.max_redirects = (int)glim_lua_opt_int_field(L, 1, "max_redirects", o.max_redirects);
    o.ca_file = glim_lua_opt_str_field(L, 1, "ca_file", NULL);
    if (o.timeout < 0 || o.connect_timeout < 0)
        luaL_error(L, "http.request: timeouts must not be negative");

    lua_getfield(L, 1, "body");
    size_t body_len = 0;
    const char *body = NULL;
    if (!lua_isnil(L, -1)) {
        if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "http.request: 'body' must be a string");
        body = lua_tolstring(L, -1, &body_len);
    }
    /* the body string stays on the stack, anchored, until we return */

    lua_getfield(L, 1, "headers");
    int hidx = 0;
    if (!lua_isnil(L, -1)) {
        if (!lua_istable(L, -1)) luaL_error(L, "http.request: 'headers' must be a table");
        hidx = lua_gettop(L);
    }
    header_block *hb = collect_headers(L, hidx);
    o.headers = (const char *const *)hb->lines;
    o.n_headers = hb->n;
    o.body = body;
    o.body_len = body_len;

    glim_http_response *res = NULL;
    glim_error err;
    glim_status st = glim_http_request(&o, &res, &err);
    {
        /* Free the header copies now rather than at the next collection:
         * they may hold an API key. */
        for (size_t i = 0; i < hb->n; i++) {
            size_t len = strlen(hb->lines[i]);
            volatile char *p = hb->lines[i];
            for (size_t k = 0; k < len; k++) p[k] = 0;
        }
        lua_pushcfunction(L, header_block_gc);
        lua_pushvalue(L, -2);
        lua_call(L, 1, 0);
    }
    if (st != GLIM_OK) return glim_lua_push_failure(L, &err);

    lua_createtable(L, 0, 4);
    lua_pushinteger(L, (lua_Integer)res->status);
    lua_setfield(L, -2, "status");
    lua_pushlstring(L, res->body, res->body_len);
    lua_setfield(L, -2, "body");
    lua_pushnumber(L, res->total_time);
    lua_setfield(L, -2, "time");
    lua_createtable(L, 0, (int)res->n_headers);
    for (size_t i = 0; i < res->n_headers; i++) {
        const glim_http_header *hd = &res->headers[i];
        lua_getfield(L, -1, hd->name);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            lua_pushstring(L, hd->value);
        } else {
            /* Repeated fields combine as RFC 9110 §5.3 allows. */
            lua_pushliteral(L, ", ");
            lua_pushstring(L, hd->value);
            lua_concat(L, 3);
        }
        lua_setfield(L, -2, hd->name);
    }
    lua_setfield(L, -2, "headers");
    glim_http_response_free(res);
    return 1;
}

/* base64_encode(s) -> string. The scratch buffer is a userdata, so a
 * memory error while pushing the result leaks nothing. */
static int l_base64_encode(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    size_t n = glim_base64_encoded_size(len);
    if (len && !n) return luaL_error(L, "base64_encode: input too large");
    char *buf = lua_newuserdatauv(L, n ? n : 1, 0);
    glim_base64_encode(s, len, buf);
    lua_pushlstring(L, buf, n);
    return 1;
}

/* base64_decode(s) -> string | nil, "base64: ...", "EFORMAT" */
static int l_base64_decode(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    char *buf = lua_newuserdatauv(L, len / 4 * 3 + 1, 0);
    size_t out = 0;
    glim_error err;
    if (glim_base64_decode(s, len, buf, &out, &err) != GLIM_OK) return glim_lua_push_failure(L, &err);
    lua_pushlstring(L, buf, out);
    return 1;
}

/* sleep(seconds): block this thread (used between retries). */
static int l_sleep(lua_State *L)
{
    lua_Number sec = luaL_checknumber(L, 1);
    if (sec != sec || sec < 0) return luaL_argerror(L, 1, "must be a non-negative number");
    if (sec > 86400) sec = 86400;
    struct timespec ts;
    ts.tv_sec = (time_t)sec;
    ts.tv_nsec = (long)((sec - (lua_Number)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    return 0;
}

/* clock() -> seconds from a monotonic clock (for stage timings). */
static int l_clock(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec * 1e-9);
    return 1;
}

static const luaL_Reg http_funcs[] = {
    {"request", l_http_request},
    {"base64_encode", l_base64_encode},
    {"base64_decode", l_base64_decode},
    {"sleep", l_sleep},
    {"clock", l_clock},
    {NULL, NULL},
};

void glimpse_open_http(lua_State *L)
{
    glim_lua_add_functions(L, "http", http_funcs);
}
