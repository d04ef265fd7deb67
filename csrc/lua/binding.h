/*
 * binding.h — helpers shared by the binding's files (one file per userdata
 * type or area: l_image.c, l_codec.c, l_imgproc.c, l_tensor.c, l_model.c,
 * l_http.c) and their open functions, called by module.c.
 *
 * Rules every binding function follows:
 *  1. all luaL_check* first;
 *  2. push the result box (pointer NULL) so it is anchored;
 *  3. call the core, which fills the box;
 *  4. only then raise or return nil, message, code (see push_failure).
 * Caller bugs (wrong type, bad option, closed object) raise; failures the
 * caller cannot rule out (bad file, corrupt data, network) return
 * nil, "stage: detail", "ECODE".
 */
#ifndef GLIMPSE_BINDING_H
#define GLIMPSE_BINDING_H

#include "compat.h"
#include "../glimpse.h"

#define GLIMPSE_IMAGE_MT "glimpse.Image"
#define GLIMPSE_TENSOR_MT "glimpse.Tensor"
#define GLIMPSE_MODEL_MT "glimpse.Model"

/* A box: the userdata holds only a pointer to the core object. */
typedef struct image_box { glim_image *img; } image_box;
typedef struct tensor_box { glim_tensor *t; } tensor_box;

/* Push nil, err->msg, code name; returns 3 (use as `return push_failure(...)`). */
int glim_lua_push_failure(lua_State *L, const glim_error *err);

/* Image boxes (l_image.c). check_image raises on a closed image. */
image_box *glim_lua_new_image_box(lua_State *L); /* pushes an empty box */
glim_image *glim_lua_check_image(lua_State *L, int idx);

/* Tensor boxes (l_tensor.c). */
tensor_box *glim_lua_new_tensor_box(lua_State *L);
glim_tensor *glim_lua_check_tensor(lua_State *L, int idx);

/* Tell the collector about C-side bytes it cannot see. */
void glim_lua_gc_hint(lua_State *L, size_t bytes);

/* Options tables: an absent/nil one is fine, anything else must be a table
 * whose keys are all in `keys` (NULL-terminated), so that a typo
 * ("max_size") raises instead of being ignored: "<fn>: unknown option
 * 'max_size'" (no prefix when fn is NULL). */
void glim_lua_check_opts(lua_State *L, int idx, const char *fn, const char *const *keys);

/* l_imgproc.c, shared with the other image bindings: */
/* A finished core call that made one image box (pushed): 1 when st is OK;
 * nil, msg, code for ENOMEM / ELIMIT; any other failure is a bad argument
 * the checks missed, so it raises. */
int glim_lua_finish(lua_State *L, glim_status st, const glim_error *err);
/* Outputs past this many pixels (a 16384 x 16384 image) are a caller bug,
 * not a request to allocate gigabytes: raise. */
#define GLIM_LUA_MAX_OUTPUT_PIXELS ((lua_Integer)1 << 28)
void glim_lua_check_pixels(lua_State *L, lua_Integer w, lua_Integer h);
/* Option `fill` of the options table at `opts` (absent: fill unchanged): a
 * number for every channel or one value per channel (RGBA takes 3: alpha
 * 255); raises on anything else. */
void glim_lua_check_fill(lua_State *L, int opts, const glim_image *img, uint8_t fill[4]);

/* Read an optional field of the options table at `idx` (may be absent/nil). */
lua_Integer glim_lua_opt_int_field(lua_State *L, int idx, const char *key, lua_Integer def);
lua_Number glim_lua_opt_num_field(lua_State *L, int idx, const char *key, lua_Number def);
int glim_lua_opt_bool_field(lua_State *L, int idx, const char *key, int def);
const char *glim_lua_opt_str_field(lua_State *L, int idx, const char *key, const char *def);

/* Each area adds itself to the module table at the top of the stack.
 * glimpse_open_image must run first: it creates the Image metatable and the
 * `image` sub-table the others extend. */
void glimpse_open_image(lua_State *L);
void glimpse_open_codec(lua_State *L);
void glimpse_open_imgproc(lua_State *L);
void glimpse_open_tensor(lua_State *L);
void glimpse_open_model(lua_State *L);
void glimpse_open_http(lua_State *L);
void glimpse_open_ocr(lua_State *L);

/* Every metatable keeps its methods in a `__methods` table; its __index is
 * a function that answers fields (img.width) and then looks there.
 * Add `methods` to the `__methods` table of metatable `tname`. */
void glim_lua_add_methods(lua_State *L, const char *tname, const luaL_Reg *methods);
/* Add `funcs` to module[sub] (created if missing); module at stack top. */
void glim_lua_add_functions(lua_State *L, const char *sub, const luaL_Reg *funcs);

#endif
