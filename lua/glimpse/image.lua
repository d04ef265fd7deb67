--- glimpse.image — decoding, encoding and processing of 8-bit images.
-- The C core does the work; this module adds Lua-side conveniences.
-- Pixel coordinates are 0-based (x, y).
-- @module glimpse.image
local core = require "glimpse.core"

local M = {}
for k, v in pairs(core.image) do M[k] = v end

return M
