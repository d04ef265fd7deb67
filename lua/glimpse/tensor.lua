--- glimpse.tensor — dense tensors (float32, uint8, int8, int16, int32, int64).
-- Tensor indices are 1-based, as Lua tables are.
-- @module glimpse.tensor
local core = require "glimpse.core"

local M = {}
for k, v in pairs(core.tensor or {}) do M[k] = v end

return M
