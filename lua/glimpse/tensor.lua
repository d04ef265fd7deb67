--- glimpse.tensor — dense tensors (float32, uint8, int8, int16, int32, int64, bool).
--
-- Tensor indices are 1-based, as Lua tables are: `t:get(1, 2, 8, 6)` is
-- batch 1, channel 2, row 8, column 6 of an NCHW tensor. (Pixel coordinates
-- of images are 0-based.) Out-of-range indices raise. See docs/tensors.md.
--
--     local t = glimpse.tensor.from_table({{1, 2, 3}, {4, 5, 6}})
--     print(t, t.shape[2], t:get(2, 3))     --> glimpse.Tensor float32 2x3  3  6.0
--     local idx, vals = t:topk(2)           --> {6, 5}, {6.0, 5.0}
--
-- Methods of a tensor (implemented in C, csrc/lua/l_tensor.c):
-- fields `shape` (a new table), `dtype`, `ndim`, `count` (also `#t`),
-- `scale`/`zero_point` (nil unless quantized); `get`, `set`, `totable`,
-- `reshape` (a view sharing the bytes, one -1 inferred), `clone`, `argmax`,
-- `topk`, `bytes`, `astype`, `dequantize`, `fill`, `free`/`close`
-- (also `__close` and `__gc`).
-- @module glimpse.tensor
local core = require "glimpse.core"

local M = {}
for k, v in pairs(core.tensor or {}) do M[k] = v end

--- A new zero-filled tensor.
-- @function new
-- @tparam {int,...} shape dimensions, outermost first ({} is a scalar)
-- @tparam[opt="float32"] string dtype
-- @return tensor; `nil, message, "ENOMEM"` when memory runs out
-- @raise on a negative or non-integer dimension, an unknown dtype, more
-- than 8 dimensions or a byte size that overflows
-- @usage local t = glimpse.tensor.new({1, 3, 224, 224})

--- A tensor from nested tables; the shape is inferred.
-- @function from_table
-- @tparam table t nested tables of numbers (booleans for bool)
-- @tparam[opt="float32"] string dtype
-- @raise on ragged nesting or a non-number element
-- @usage glimpse.tensor.from_table({{1, 2}, {3, 4}}, "int32")

--- A tensor from raw bytes in native byte order (the inverse of t:bytes()).
-- @function from_bytes
-- @tparam string bytes exactly count * element size bytes
-- @tparam {int,...} shape
-- @tparam[opt="float32"] string dtype
-- @raise when the length does not match the shape and dtype
-- @usage local copy = glimpse.tensor.from_bytes(t:bytes(), t.shape, t.dtype)

--- Whether a value is a glimpse.Tensor (open or closed).
-- @param v any value
-- @treturn boolean
function M.is_tensor(v)
  local mt = getmetatable(v)
  return type(v) == "userdata" and mt ~= nil and mt.__name == "glimpse.Tensor"
end

return M
